/*
 * expression.c — constructors for bound expressions and values (contract in expression.h).
 */
#include "expression.h"

#include <string.h>

floe_sql_expression *floe_sql_expression_node(floe_arena *arena, floe_sql_expression_kind kind,
                                              floe_type type, bool nullable, uint32_t child_count,
                                              floe_sql_expression *const *children)
{
    floe_sql_expression *node = floe_arena_alloc_zero(arena, sizeof *node);
    if (node == NULL) return NULL;
    node->kind = kind;
    node->type = type;
    node->nullable = nullable;
    node->child_count = child_count;
    if (child_count != 0) {
        node->children = floe_arena_alloc(arena, child_count * sizeof *node->children);
        if (node->children == NULL) return NULL;
        memcpy(node->children, children, child_count * sizeof *node->children);
    }
    return node;
}

floe_sql_expression *floe_sql_expression_column(floe_arena *arena, uint32_t column_index,
                                                floe_type type, bool nullable)
{
    floe_sql_expression *node =
        floe_sql_expression_node(arena, FLOE_SQL_EXPRESSION_COLUMN, type, nullable, 0, NULL);
    if (node != NULL) node->column_index = column_index;
    return node;
}

floe_sql_expression *floe_sql_expression_constant(floe_arena *arena, floe_sql_value value)
{
    floe_sql_expression *node = floe_sql_expression_node(arena, FLOE_SQL_EXPRESSION_CONSTANT,
                                                         value.type, value.is_null, 0, NULL);
    if (node != NULL) node->constant = value;
    return node;
}

floe_sql_value floe_sql_value_null(floe_type type)
{
    floe_sql_value value;
    memset(&value, 0, sizeof value);
    value.type = type;
    value.is_null = true;
    return value;
}

floe_sql_value floe_sql_value_boolean(bool boolean)
{
    floe_sql_value value = floe_sql_value_null(floe_type_make(FLOE_TYPE_BOOLEAN));
    value.is_null = false;
    value.as.boolean = boolean;
    return value;
}

floe_sql_value floe_sql_value_int64(int64_t number)
{
    floe_sql_value value = floe_sql_value_null(floe_type_make(FLOE_TYPE_INT64));
    value.is_null = false;
    value.as.int64 = number;
    return value;
}

floe_sql_value floe_sql_value_float64(double number)
{
    floe_sql_value value = floe_sql_value_null(floe_type_make(FLOE_TYPE_FLOAT64));
    value.is_null = false;
    value.as.float64 = number;
    return value;
}

int floe_sql_value_string(floe_arena *arena, const char *bytes, uint32_t length,
                          floe_sql_value *value)
{
    *value = floe_sql_value_null(floe_type_make(FLOE_TYPE_STRING));
    char *copy = floe_arena_strndup(arena, bytes, length);
    if (copy == NULL) return FLOE_ENOMEM;
    value->is_null = false;
    value->as.string.bytes = copy;
    value->as.string.length = length;
    return FLOE_OK;
}
