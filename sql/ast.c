/*
 * ast.c — syntax tree constructors and the canonical printer.
 *
 * Why a canonical printer: the same text serves three readers — the tests (a case states the
 * canonical form it expects, and printing must be a fixed point under re-parsing), EXPLAIN, and
 * `floe.sql`, where a dynamic table's definition is stored normalized so that two spellings of
 * one query compare equal. Parentheses come from operator precedence (the same table the parser
 * climbs), never from the source, so redundant ones disappear and needed ones are never lost.
 */
#include "sql/ast.h"

#include "kernels/memory.h" /* floe_malloc for the printed text */

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- constructors ---- */

floe_sql_expr *floe_sql_expr_create(floe_arena *arena, floe_sql_expr_kind kind,
                                    floe_sql_position position)
{
    floe_sql_expr *expr = floe_arena_alloc_zero(arena, sizeof *expr);
    if (expr == NULL) return NULL;
    expr->kind = kind;
    expr->position = position;
    expr->depth = 1;
    return expr;
}

floe_sql_table_ref *floe_sql_table_ref_create(floe_arena *arena, floe_sql_table_ref_kind kind,
                                              floe_sql_position position)
{
    floe_sql_table_ref *ref = floe_arena_alloc_zero(arena, sizeof *ref);
    if (ref == NULL) return NULL;
    ref->kind = kind;
    ref->position = position;
    ref->depth = 1;
    return ref;
}

floe_sql_select *floe_sql_select_create(floe_arena *arena, floe_sql_position position)
{
    floe_sql_select *select = floe_arena_alloc_zero(arena, sizeof *select);
    if (select != NULL) select->position = position;
    return select;
}

floe_sql_query *floe_sql_query_create(floe_arena *arena, floe_sql_position position)
{
    floe_sql_query *query = floe_arena_alloc_zero(arena, sizeof *query);
    if (query != NULL) query->position = position;
    return query;
}

floe_sql_statement *floe_sql_statement_create(floe_arena *arena, floe_sql_statement_kind kind,
                                              floe_sql_position position)
{
    floe_sql_statement *statement = floe_arena_alloc_zero(arena, sizeof *statement);
    if (statement == NULL) return NULL;
    statement->kind = kind;
    statement->position = position;
    return statement;
}

static uint32_t deeper(uint32_t depth, const floe_sql_expr *child)
{
    return (child != NULL && child->depth + 1 > depth) ? child->depth + 1 : depth;
}

void floe_sql_expr_update_depth(floe_sql_expr *expr)
{
    uint32_t depth = 1;
    switch (expr->kind) {
    case FLOE_SQL_EXPR_UNARY: depth = deeper(depth, expr->u.unary.operand); break;
    case FLOE_SQL_EXPR_BINARY:
        depth = deeper(depth, expr->u.binary.left);
        depth = deeper(depth, expr->u.binary.right);
        break;
    case FLOE_SQL_EXPR_IS_NULL:
    case FLOE_SQL_EXPR_IN_LIST:
    case FLOE_SQL_EXPR_BETWEEN:
    case FLOE_SQL_EXPR_LIKE:
        depth = deeper(depth, expr->u.predicate.operand);
        for (size_t i = 0; i < expr->u.predicate.item_count; i++)
            depth = deeper(depth, expr->u.predicate.items[i]);
        depth = deeper(depth, expr->u.predicate.low);
        depth = deeper(depth, expr->u.predicate.high);
        depth = deeper(depth, expr->u.predicate.pattern);
        break;
    case FLOE_SQL_EXPR_CASE:
        depth = deeper(depth, expr->u.case_.operand);
        for (size_t i = 0; i < expr->u.case_.when_count; i++) {
            depth = deeper(depth, expr->u.case_.whens[i].condition);
            depth = deeper(depth, expr->u.case_.whens[i].result);
        }
        depth = deeper(depth, expr->u.case_.otherwise);
        break;
    case FLOE_SQL_EXPR_CAST: depth = deeper(depth, expr->u.cast.operand); break;
    case FLOE_SQL_EXPR_FUNCTION:
        for (size_t i = 0; i < expr->u.function.arg_count; i++)
            depth = deeper(depth, expr->u.function.args[i]);
        break;
    default: break;
    }
    expr->depth = depth;
}

/* ---- printer ---- */

typedef struct printer {
    char *data;
    size_t length;
    size_t capacity;
    int failed; /* an allocation failed: everything after is dropped */
} printer;

static void put_bytes(printer *out, const char *bytes, size_t count)
{
    if (out->failed) return;
    if (out->length + count + 1 > out->capacity) {
        size_t capacity = out->capacity ? out->capacity : 128;
        while (capacity < out->length + count + 1) capacity *= 2;
        char *grown = floe_realloc(out->data, capacity);
        if (grown == NULL) {
            out->failed = 1;
            return;
        }
        out->data = grown;
        out->capacity = capacity;
    }
    memcpy(out->data + out->length, bytes, count);
    out->length += count;
    out->data[out->length] = '\0';
}

static void put(printer *out, const char *text)
{
    put_bytes(out, text, strlen(text));
}

static void put_format(printer *out, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void put_format(printer *out, const char *format, ...)
{
    char buffer[64];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(buffer, sizeof buffer, format, args);
    va_end(args);
    if (n > 0) put_bytes(out, buffer, (size_t)n < sizeof buffer ? (size_t)n : sizeof buffer - 1);
}

/* A name prints bare when re-lexing it gives the same name back and it is no reserved word. */
static int name_is_plain(const char *name)
{
    if (!((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_')) return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) return 0;
    return !floe_sql_keyword_is_reserved(floe_sql_keyword_lookup(name, strlen(name)));
}

static void put_name(printer *out, const char *name)
{
    if (name_is_plain(name)) {
        put(out, name);
        return;
    }
    put(out, "\"");
    for (const char *p = name; *p; p++) {
        put_bytes(out, p, 1);
        if (*p == '"') put(out, "\"");
    }
    put(out, "\"");
}

static void put_string(printer *out, const char *text)
{
    put(out, "'");
    for (const char *p = text; *p; p++) {
        put_bytes(out, p, 1);
        if (*p == '\'') put(out, "'");
    }
    put(out, "'");
}

static void put_table_name(printer *out, const floe_sql_name *name)
{
    if (name->namespace_name != NULL) {
        put_name(out, name->namespace_name);
        put(out, ".");
    }
    put_name(out, name->name);
}

static void put_type(printer *out, floe_type type)
{
    char buffer[32];
    put(out, floe_type_format(type, buffer, sizeof buffer));
}

/* Binding strength, weakest first; the parser climbs the same ladder. */
enum {
    PRECEDENCE_OR = 1,
    PRECEDENCE_AND = 2,
    PRECEDENCE_NOT = 3,
    PRECEDENCE_COMPARISON = 4, /* = <> < <= > >= IS IN BETWEEN LIKE */
    PRECEDENCE_CONCAT = 5,
    PRECEDENCE_ADD = 6,
    PRECEDENCE_MULTIPLY = 7,
    PRECEDENCE_NEGATE = 8,
    PRECEDENCE_PRIMARY = 10,
};

static int binary_precedence(floe_sql_binary_op op)
{
    switch (op) {
    case FLOE_SQL_BINARY_OR: return PRECEDENCE_OR;
    case FLOE_SQL_BINARY_AND: return PRECEDENCE_AND;
    case FLOE_SQL_BINARY_CONCAT: return PRECEDENCE_CONCAT;
    case FLOE_SQL_BINARY_ADD:
    case FLOE_SQL_BINARY_SUBTRACT: return PRECEDENCE_ADD;
    case FLOE_SQL_BINARY_MULTIPLY:
    case FLOE_SQL_BINARY_DIVIDE:
    case FLOE_SQL_BINARY_MODULO: return PRECEDENCE_MULTIPLY;
    default: return PRECEDENCE_COMPARISON;
    }
}

static const char *binary_spelling(floe_sql_binary_op op)
{
    switch (op) {
    case FLOE_SQL_BINARY_OR: return " OR ";
    case FLOE_SQL_BINARY_AND: return " AND ";
    case FLOE_SQL_BINARY_EQUAL: return " = ";
    case FLOE_SQL_BINARY_NOT_EQUAL: return " <> ";
    case FLOE_SQL_BINARY_LESS: return " < ";
    case FLOE_SQL_BINARY_LESS_EQUAL: return " <= ";
    case FLOE_SQL_BINARY_GREATER: return " > ";
    case FLOE_SQL_BINARY_GREATER_EQUAL: return " >= ";
    case FLOE_SQL_BINARY_CONCAT: return " || ";
    case FLOE_SQL_BINARY_ADD: return " + ";
    case FLOE_SQL_BINARY_SUBTRACT: return " - ";
    case FLOE_SQL_BINARY_MULTIPLY: return " * ";
    case FLOE_SQL_BINARY_DIVIDE: return " / ";
    case FLOE_SQL_BINARY_MODULO: return " % ";
    }
    return " ? ";
}

static int expr_precedence(const floe_sql_expr *expr)
{
    switch (expr->kind) {
    case FLOE_SQL_EXPR_UNARY:
        return expr->u.unary.op == FLOE_SQL_UNARY_NOT ? PRECEDENCE_NOT : PRECEDENCE_NEGATE;
    case FLOE_SQL_EXPR_BINARY: return binary_precedence(expr->u.binary.op);
    case FLOE_SQL_EXPR_IS_NULL:
    case FLOE_SQL_EXPR_IN_LIST:
    case FLOE_SQL_EXPR_BETWEEN:
    case FLOE_SQL_EXPR_LIKE: return PRECEDENCE_COMPARISON;
    default: return PRECEDENCE_PRIMARY;
    }
}

static void put_expr(printer *out, const floe_sql_expr *expr, int minimum);
static void put_query(printer *out, const floe_sql_query *query);

static void put_expr_list(printer *out, floe_sql_expr *const *items, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (i > 0) put(out, ", ");
        put_expr(out, items[i], 0);
    }
}

static void put_function(printer *out, const floe_sql_expr *expr)
{
    const char *name = expr->u.function.name;
    if (strcmp(name, "extract") == 0 && expr->u.function.arg_count == 2 &&
        expr->u.function.args[0]->kind == FLOE_SQL_EXPR_STRING) {
        put(out, "EXTRACT(");
        put(out, expr->u.function.args[0]->u.literal.text);
        put(out, " FROM ");
        put_expr(out, expr->u.function.args[1], 0);
        put(out, ")");
        return;
    }
    put(out, name);
    put(out, "(");
    if (expr->u.function.star) {
        put(out, "*");
    } else {
        if (expr->u.function.distinct) put(out, "DISTINCT ");
        put_expr_list(out, expr->u.function.args, expr->u.function.arg_count);
    }
    put(out, ")");
}

static void put_expr(printer *out, const floe_sql_expr *expr, int minimum)
{
    int precedence = expr_precedence(expr);
    int parenthesize = precedence < minimum;
    if (parenthesize) put(out, "(");
    switch (expr->kind) {
    case FLOE_SQL_EXPR_INTEGER:
    case FLOE_SQL_EXPR_DECIMAL:
    case FLOE_SQL_EXPR_FLOAT: put(out, expr->u.literal.text); break;
    case FLOE_SQL_EXPR_STRING: put_string(out, expr->u.literal.text); break;
    case FLOE_SQL_EXPR_BOOLEAN: put(out, expr->u.literal.boolean ? "TRUE" : "FALSE"); break;
    case FLOE_SQL_EXPR_NULL: put(out, "NULL"); break;
    case FLOE_SQL_EXPR_DATE:
        put(out, "DATE ");
        put_string(out, expr->u.literal.text);
        break;
    case FLOE_SQL_EXPR_TIMESTAMP:
        put(out, "TIMESTAMP ");
        put_string(out, expr->u.literal.text);
        break;
    case FLOE_SQL_EXPR_COLUMN:
        if (expr->u.column.qualifier != NULL) {
            put_name(out, expr->u.column.qualifier);
            put(out, ".");
        }
        put_name(out, expr->u.column.name);
        break;
    case FLOE_SQL_EXPR_UNARY:
        if (expr->u.unary.op == FLOE_SQL_UNARY_NOT) {
            put(out, "NOT ");
            put_expr(out, expr->u.unary.operand, PRECEDENCE_NOT);
        } else {
            const floe_sql_expr *operand = expr->u.unary.operand;
            put(out, "-");
            /* "--x" would start a comment: a nested negation keeps its parentheses. */
            int nested = operand->kind == FLOE_SQL_EXPR_UNARY &&
                         operand->u.unary.op == FLOE_SQL_UNARY_NEGATE;
            put_expr(out, operand, nested ? PRECEDENCE_PRIMARY + 1 : PRECEDENCE_NEGATE);
        }
        break;
    case FLOE_SQL_EXPR_BINARY:
        put_expr(out, expr->u.binary.left, precedence);
        put(out, binary_spelling(expr->u.binary.op));
        put_expr(out, expr->u.binary.right, precedence + 1);
        break;
    case FLOE_SQL_EXPR_IS_NULL:
        put_expr(out, expr->u.predicate.operand, PRECEDENCE_COMPARISON);
        put(out, expr->u.predicate.negated ? " IS NOT NULL" : " IS NULL");
        break;
    case FLOE_SQL_EXPR_IN_LIST:
        put_expr(out, expr->u.predicate.operand, PRECEDENCE_COMPARISON);
        put(out, expr->u.predicate.negated ? " NOT IN (" : " IN (");
        put_expr_list(out, expr->u.predicate.items, expr->u.predicate.item_count);
        put(out, ")");
        break;
    case FLOE_SQL_EXPR_BETWEEN:
        put_expr(out, expr->u.predicate.operand, PRECEDENCE_COMPARISON);
        put(out, expr->u.predicate.negated ? " NOT BETWEEN " : " BETWEEN ");
        put_expr(out, expr->u.predicate.low, PRECEDENCE_CONCAT);
        put(out, " AND ");
        put_expr(out, expr->u.predicate.high, PRECEDENCE_CONCAT);
        break;
    case FLOE_SQL_EXPR_LIKE:
        put_expr(out, expr->u.predicate.operand, PRECEDENCE_COMPARISON);
        put(out, expr->u.predicate.negated ? " NOT LIKE " : " LIKE ");
        put_expr(out, expr->u.predicate.pattern, PRECEDENCE_CONCAT);
        break;
    case FLOE_SQL_EXPR_CASE:
        put(out, "CASE");
        if (expr->u.case_.operand != NULL) {
            put(out, " ");
            put_expr(out, expr->u.case_.operand, 0);
        }
        for (size_t i = 0; i < expr->u.case_.when_count; i++) {
            put(out, " WHEN ");
            put_expr(out, expr->u.case_.whens[i].condition, 0);
            put(out, " THEN ");
            put_expr(out, expr->u.case_.whens[i].result, 0);
        }
        if (expr->u.case_.otherwise != NULL) {
            put(out, " ELSE ");
            put_expr(out, expr->u.case_.otherwise, 0);
        }
        put(out, " END");
        break;
    case FLOE_SQL_EXPR_CAST:
        put(out, "CAST(");
        put_expr(out, expr->u.cast.operand, 0);
        put(out, " AS ");
        put_type(out, expr->u.cast.type);
        put(out, ")");
        break;
    case FLOE_SQL_EXPR_FUNCTION: put_function(out, expr); break;
    }
    if (parenthesize) put(out, ")");
}

static void put_alias(printer *out, const char *alias)
{
    if (alias == NULL) return;
    put(out, " AS ");
    put_name(out, alias);
}

static void put_table_ref(printer *out, const floe_sql_table_ref *ref)
{
    switch (ref->kind) {
    case FLOE_SQL_TABLE_NAMED: put_table_name(out, &ref->u.named); break;
    case FLOE_SQL_TABLE_PATH: put_string(out, ref->u.path); break;
    case FLOE_SQL_TABLE_FUNCTION:
        put(out, ref->u.function.name);
        put(out, "(");
        put_expr_list(out, ref->u.function.args, ref->u.function.arg_count);
        put(out, ")");
        break;
    case FLOE_SQL_TABLE_SUBQUERY:
        put(out, "(");
        put_query(out, ref->u.subquery);
        put(out, ")");
        break;
    case FLOE_SQL_TABLE_JOIN:
        put_table_ref(out, ref->u.join.left);
        switch (ref->u.join.kind) {
        case FLOE_SQL_JOIN_CROSS: put(out, ", "); break;
        case FLOE_SQL_JOIN_INNER: put(out, " JOIN "); break;
        case FLOE_SQL_JOIN_LEFT: put(out, " LEFT JOIN "); break;
        }
        put_table_ref(out, ref->u.join.right);
        if (ref->u.join.condition != NULL) {
            put(out, " ON ");
            put_expr(out, ref->u.join.condition, 0);
        }
        return;
    }
    put_alias(out, ref->alias);
}

static void put_select(printer *out, const floe_sql_select *select)
{
    put(out, select->distinct ? "SELECT DISTINCT " : "SELECT ");
    for (size_t i = 0; i < select->item_count; i++) {
        const floe_sql_select_item *item = &select->items[i];
        if (i > 0) put(out, ", ");
        if (item->star) {
            if (item->star_qualifier != NULL) {
                put_name(out, item->star_qualifier);
                put(out, ".");
            }
            put(out, "*");
        } else {
            put_expr(out, item->expr, 0);
            put_alias(out, item->alias);
        }
    }
    if (select->from != NULL) {
        put(out, " FROM ");
        put_table_ref(out, select->from);
    }
    if (select->where != NULL) {
        put(out, " WHERE ");
        put_expr(out, select->where, 0);
    }
    if (select->group_by_count > 0) {
        put(out, " GROUP BY ");
        put_expr_list(out, select->group_by, select->group_by_count);
    }
    if (select->having != NULL) {
        put(out, " HAVING ");
        put_expr(out, select->having, 0);
    }
}

static void put_query(printer *out, const floe_sql_query *query)
{
    for (size_t i = 0; i < query->body_count; i++) {
        if (i > 0) put(out, " UNION ALL ");
        put_select(out, query->bodies[i]);
    }
    for (size_t i = 0; i < query->order_by_count; i++) {
        const floe_sql_order_item *item = &query->order_by[i];
        put(out, i == 0 ? " ORDER BY " : ", ");
        put_expr(out, item->expr, 0);
        if (item->descending) put(out, " DESC");
        if (item->nulls == FLOE_SQL_NULLS_FIRST) put(out, " NULLS FIRST");
        if (item->nulls == FLOE_SQL_NULLS_LAST) put(out, " NULLS LAST");
    }
    if (query->has_limit) put_format(out, " LIMIT %" PRId64, query->limit);
    if (query->has_offset) put_format(out, " OFFSET %" PRId64, query->offset);
}

const char *floe_sql_format_target_lag(int64_t seconds, char *buffer, size_t buffer_size)
{
    static const struct {
        int64_t seconds;
        const char *unit;
    } units[] = {{86400, "day"}, {3600, "hour"}, {60, "minute"}, {1, "second"}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (seconds % units[i].seconds == 0 || units[i].seconds == 1) {
            int64_t count = seconds / units[i].seconds;
            snprintf(buffer, buffer_size, "%" PRId64 " %s%s", count, units[i].unit,
                     count == 1 ? "" : "s");
            break;
        }
    }
    return buffer;
}

static void put_statement(printer *out, const floe_sql_statement *statement)
{
    switch (statement->kind) {
    case FLOE_SQL_STATEMENT_SELECT: put_query(out, statement->u.select); break;
    case FLOE_SQL_STATEMENT_CREATE_DYNAMIC_TABLE: {
        put(out, statement->u.create_dynamic.or_replace ? "CREATE OR REPLACE DYNAMIC TABLE "
                                                        : "CREATE DYNAMIC TABLE ");
        put_table_name(out, &statement->table);
        if (statement->u.create_dynamic.target_lag == FLOE_SQL_TARGET_LAG_DOWNSTREAM) {
            put(out, " TARGET_LAG = DOWNSTREAM");
        } else if (statement->u.create_dynamic.target_lag == FLOE_SQL_TARGET_LAG_DURATION) {
            char lag[48];
            put(out, " TARGET_LAG = ");
            put_string(out, floe_sql_format_target_lag(statement->u.create_dynamic.target_lag_seconds,
                                                       lag, sizeof lag));
        }
        static const char *const modes[] = {"", "AUTO", "FULL", "INCREMENTAL"};
        if (statement->u.create_dynamic.refresh_mode != FLOE_SQL_REFRESH_MODE_UNSET) {
            put(out, " REFRESH_MODE = ");
            put(out, modes[statement->u.create_dynamic.refresh_mode]);
        }
        if (statement->u.create_dynamic.initialize != FLOE_SQL_INITIALIZE_UNSET)
            put(out, statement->u.create_dynamic.initialize == FLOE_SQL_INITIALIZE_ON_CREATE
                         ? " INITIALIZE = ON_CREATE"
                         : " INITIALIZE = ON_SCHEDULE");
        put(out, " AS ");
        put_query(out, statement->u.create_dynamic.query);
        break;
    }
    case FLOE_SQL_STATEMENT_DROP_DYNAMIC_TABLE:
    case FLOE_SQL_STATEMENT_DROP_TABLE:
        put(out, statement->kind == FLOE_SQL_STATEMENT_DROP_TABLE ? "DROP TABLE "
                                                                  : "DROP DYNAMIC TABLE ");
        if (statement->u.drop.if_exists) put(out, "IF EXISTS ");
        put_table_name(out, &statement->table);
        break;
    case FLOE_SQL_STATEMENT_ALTER_DYNAMIC_TABLE:
        put(out, "ALTER DYNAMIC TABLE ");
        put_table_name(out, &statement->table);
        put(out, statement->u.alter == FLOE_SQL_ALTER_REFRESH   ? " REFRESH"
                 : statement->u.alter == FLOE_SQL_ALTER_SUSPEND ? " SUSPEND"
                                                                : " RESUME");
        break;
    case FLOE_SQL_STATEMENT_SHOW_DYNAMIC_TABLES: put(out, "SHOW DYNAMIC TABLES"); break;
    case FLOE_SQL_STATEMENT_CREATE_TABLE:
        put(out, "CREATE TABLE ");
        if (statement->u.create_table.if_not_exists) put(out, "IF NOT EXISTS ");
        put_table_name(out, &statement->table);
        put(out, " (");
        for (size_t i = 0; i < statement->u.create_table.column_count; i++) {
            const floe_sql_column_def *column = &statement->u.create_table.columns[i];
            if (i > 0) put(out, ", ");
            put_name(out, column->name);
            put(out, " ");
            put_type(out, column->type);
            if (column->not_null) put(out, " NOT NULL");
        }
        put(out, ")");
        break;
    case FLOE_SQL_STATEMENT_ALTER_TABLE_ADD_COLUMN:
        put(out, "ALTER TABLE ");
        put_table_name(out, &statement->table);
        put(out, " ADD COLUMN ");
        put_name(out, statement->u.add_column.name);
        put(out, " ");
        put_type(out, statement->u.add_column.type);
        if (statement->u.add_column.not_null) put(out, " NOT NULL");
        break;
    case FLOE_SQL_STATEMENT_INSERT:
        put(out, "INSERT INTO ");
        put_table_name(out, &statement->table);
        if (statement->u.insert.column_count > 0) {
            put(out, " (");
            for (size_t i = 0; i < statement->u.insert.column_count; i++) {
                if (i > 0) put(out, ", ");
                put_name(out, statement->u.insert.columns[i]);
            }
            put(out, ")");
        }
        if (statement->u.insert.query != NULL) {
            put(out, " ");
            put_query(out, statement->u.insert.query);
        } else {
            put(out, " VALUES ");
            for (size_t r = 0; r < statement->u.insert.row_count; r++) {
                put(out, r == 0 ? "(" : ", (");
                put_expr_list(out, statement->u.insert.rows[r], statement->u.insert.value_count);
                put(out, ")");
            }
        }
        break;
    case FLOE_SQL_STATEMENT_DELETE:
        put(out, "DELETE FROM ");
        put_table_name(out, &statement->table);
        if (statement->u.delete_.where != NULL) {
            put(out, " WHERE ");
            put_expr(out, statement->u.delete_.where, 0);
        }
        break;
    case FLOE_SQL_STATEMENT_EXPLAIN_DYNAMIC_TABLE:
        put(out, "EXPLAIN DYNAMIC TABLE ");
        put_table_name(out, &statement->table);
        break;
    case FLOE_SQL_STATEMENT_EXPLAIN:
        put(out, "EXPLAIN ");
        put_statement(out, statement->u.explained);
        break;
    }
}

static int finish(printer *out, char **text, size_t *length, floe_error *err)
{
    if (!out->failed && out->data == NULL) put(out, "");
    if (out->failed) {
        floe_free(out->data);
        *text = NULL;
        return floe_error_set(err, FLOE_ENOMEM, "out of memory while printing SQL");
    }
    *text = out->data;
    if (length != NULL) *length = out->length;
    return FLOE_OK;
}

int floe_sql_format_statement(const floe_sql_statement *statement, char **text, size_t *length,
                              floe_error *err)
{
    printer out = {0};
    put_statement(&out, statement);
    return finish(&out, text, length, err);
}

int floe_sql_format_query(const floe_sql_query *query, char **text, size_t *length,
                          floe_error *err)
{
    printer out = {0};
    put_query(&out, query);
    return finish(&out, text, length, err);
}

int floe_sql_format_expr(const floe_sql_expr *expr, char **text, size_t *length, floe_error *err)
{
    printer out = {0};
    put_expr(&out, expr, 0);
    return finish(&out, text, length, err);
}
