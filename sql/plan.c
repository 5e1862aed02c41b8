/*
 * plan.c — logical plan nodes, expression helpers shared by the binder and the planner, and the
 * EXPLAIN printer (contract in plan.h).
 *
 * The printer shows column references as name#index so that two inputs' columns of one name
 * (o.id and c.id in a join) stay apart, and prints every node's output schema so that a test
 * pins the types the binder chose.
 */
#include "plan.h"

#include "kernels/memory.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

floe_sql_plan *floe_sql_plan_create(floe_arena *arena, floe_sql_plan_kind kind,
                                    uint32_t input_count, uint32_t column_count)
{
    floe_sql_plan *plan = floe_arena_alloc_zero(arena, sizeof *plan);
    if (plan == NULL) return NULL;
    plan->kind = kind;
    plan->input_count = input_count;
    if (input_count != 0) {
        plan->inputs = floe_arena_alloc_zero(arena, input_count * sizeof *plan->inputs);
        if (plan->inputs == NULL) return NULL;
    }
    plan->output.column_count = column_count;
    if (column_count != 0) {
        plan->output.columns = floe_arena_alloc_zero(arena, column_count * sizeof(floe_sql_column));
        if (plan->output.columns == NULL) return NULL;
    }
    return plan;
}

int floe_sql_expression_conjuncts(floe_arena *arena, floe_sql_expression *predicate,
                                  floe_sql_expression ***items, uint32_t *count,
                                  uint32_t *capacity)
{
    if (predicate == NULL) return FLOE_OK;
    if (predicate->kind == FLOE_SQL_EXPRESSION_BINARY &&
        predicate->operator_kind == FLOE_SQL_OPERATOR_AND) {
        FLOE_TRY(floe_sql_expression_conjuncts(arena, predicate->children[0], items, count, capacity));
        return floe_sql_expression_conjuncts(arena, predicate->children[1], items, count, capacity);
    }
    if (*count == *capacity) {
        uint32_t grown = *capacity ? *capacity * 2 : 8;
        floe_sql_expression **array = floe_arena_alloc(arena, grown * sizeof *array);
        if (array == NULL) return FLOE_ENOMEM;
        if (*count != 0) memcpy(array, *items, *count * sizeof *array);
        *items = array;
        *capacity = grown;
    }
    (*items)[(*count)++] = predicate;
    return FLOE_OK;
}

static bool value_equal(const floe_sql_value *a, const floe_sql_value *b)
{
    if (!floe_type_equal(a->type, b->type) || a->is_null != b->is_null) return false;
    if (a->is_null) return true;
    switch ((floe_type_id)a->type.id) {
    case FLOE_TYPE_BOOLEAN: return a->as.boolean == b->as.boolean;
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_DATE: return a->as.int32 == b->as.int32;
    case FLOE_TYPE_FLOAT32: return memcmp(&a->as.float32, &b->as.float32, sizeof(float)) == 0;
    case FLOE_TYPE_FLOAT64: return memcmp(&a->as.float64, &b->as.float64, sizeof(double)) == 0;
    case FLOE_TYPE_DECIMAL:
        if (a->type.precision > FLOE_DECIMAL64_MAX_PRECISION) return a->as.int128 == b->as.int128;
        return a->as.int64 == b->as.int64;
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY:
        return a->as.string.length == b->as.string.length &&
               (a->as.string.length == 0 ||
                memcmp(a->as.string.bytes, b->as.string.bytes, a->as.string.length) == 0);
    default: return a->as.int64 == b->as.int64;
    }
}

bool floe_sql_expression_equal(const floe_sql_expression *left, const floe_sql_expression *right)
{
    if (left == right) return true;
    if (left == NULL || right == NULL) return false;
    if (left->kind != right->kind || !floe_type_equal(left->type, right->type) ||
        left->operator_kind != right->operator_kind || left->function != right->function ||
        left->child_count != right->child_count) {
        return false;
    }
    if (left->kind == FLOE_SQL_EXPRESSION_COLUMN && left->column_index != right->column_index) {
        return false;
    }
    if (left->kind == FLOE_SQL_EXPRESSION_CONSTANT && !value_equal(&left->constant, &right->constant)) {
        return false;
    }
    for (uint32_t i = 0; i < left->child_count; i++) {
        if (!floe_sql_expression_equal(left->children[i], right->children[i])) return false;
    }
    return true;
}

/* ---- text output ---- */

typedef struct text_out {
    char *data;
    size_t length, capacity;
    int status;
} text_out;

static void out_bytes(text_out *out, const char *bytes, size_t count)
{
    if (out->status != FLOE_OK) return;
    if (out->length + count + 1 > out->capacity) {
        size_t capacity = out->capacity ? out->capacity : 256;
        while (capacity < out->length + count + 1) capacity *= 2;
        char *data = floe_realloc(out->data, capacity);
        if (data == NULL) {
            out->status = FLOE_ENOMEM;
            return;
        }
        out->data = data;
        out->capacity = capacity;
    }
    memcpy(out->data + out->length, bytes, count);
    out->length += count;
    out->data[out->length] = '\0';
}

static void out_text(text_out *out, const char *text) { out_bytes(out, text, strlen(text)); }

static void out_format(text_out *out, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void out_format(text_out *out, const char *format, ...)
{
    char buffer[128];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(buffer, sizeof buffer, format, args);
    va_end(args);
    if (n > 0) out_bytes(out, buffer, (size_t)n < sizeof buffer ? (size_t)n : sizeof buffer - 1);
}

static void out_type(text_out *out, floe_type type)
{
    char name[40];
    out_text(out, floe_type_format(type, name, sizeof name));
}

static void out_decimal(text_out *out, floe_int128 unscaled, unsigned scale)
{
    char digits[48];
    size_t n = 0;
    floe_uint128 magnitude =
        unscaled < 0 ? (floe_uint128)0 - (floe_uint128)unscaled : (floe_uint128)unscaled;
    do {
        digits[n++] = (char)('0' + (int)(magnitude % 10));
        magnitude /= 10;
    } while (magnitude != 0);
    while (n <= scale) digits[n++] = '0';
    if (unscaled < 0) out_text(out, "-");
    while (n > scale) out_bytes(out, &digits[--n], 1);
    if (scale > 0) {
        out_text(out, ".");
        while (n > 0) out_bytes(out, &digits[--n], 1);
    }
}

static void civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
    /* Howard Hinnant's days-to-civil algorithm. */
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *day = doy - (153 * mp + 2) / 5 + 1;
    *month = mp < 10 ? mp + 3 : mp - 9;
    *year = y + (*month <= 2);
}

static void out_value(text_out *out, const floe_sql_value *value)
{
    if (value->is_null) {
        out_text(out, "NULL");
        return;
    }
    switch ((floe_type_id)value->type.id) {
    case FLOE_TYPE_BOOLEAN: out_text(out, value->as.boolean ? "TRUE" : "FALSE"); return;
    case FLOE_TYPE_INT32: out_format(out, "%" PRId32, value->as.int32); return;
    case FLOE_TYPE_INT64: out_format(out, "%" PRId64 "::BIGINT", value->as.int64); return;
    case FLOE_TYPE_FLOAT32: out_format(out, "%.9g::REAL", (double)value->as.float32); return;
    case FLOE_TYPE_FLOAT64: out_format(out, "%.17g::DOUBLE", value->as.float64); return;
    case FLOE_TYPE_DECIMAL:
        out_decimal(out, value->type.precision > FLOE_DECIMAL64_MAX_PRECISION ? value->as.int128
                                                                             : value->as.int64,
                    value->type.scale);
        out_text(out, "::");
        out_type(out, value->type);
        return;
    case FLOE_TYPE_DATE: {
        int64_t year;
        unsigned month, day;
        civil_from_days(value->as.int32, &year, &month, &day);
        out_format(out, "DATE '%04" PRId64 "-%02u-%02u'", year, month, day);
        return;
    }
    case FLOE_TYPE_TIMESTAMP:
    case FLOE_TYPE_TIMESTAMPTZ: {
        int64_t micros = value->as.int64;
        int64_t days = micros / 86400000000LL, rest = micros % 86400000000LL;
        if (rest < 0) {
            rest += 86400000000LL;
            days--;
        }
        int64_t year;
        unsigned month, day;
        civil_from_days(days, &year, &month, &day);
        int64_t seconds = rest / 1000000, fraction = rest % 1000000;
        out_format(out, "%s '%04" PRId64 "-%02u-%02u %02d:%02d:%02d",
                   value->type.id == FLOE_TYPE_TIMESTAMP ? "TIMESTAMP" : "TIMESTAMPTZ", year, month,
                   day, (int)(seconds / 3600), (int)(seconds / 60 % 60), (int)(seconds % 60));
        if (fraction != 0) out_format(out, ".%06d", (int)fraction);
        out_text(out, "'");
        return;
    }
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY:
        out_text(out, "'");
        for (uint32_t i = 0; i < value->as.string.length; i++) {
            char c = value->as.string.bytes[i];
            out_bytes(out, &c, 1);
            if (c == '\'') out_bytes(out, &c, 1);
        }
        out_text(out, "'");
        return;
    default: out_text(out, "?"); return;
    }
}

static const char *operator_text(floe_sql_operator op)
{
    switch (op) {
    case FLOE_SQL_OPERATOR_NEGATE: return "-";
    case FLOE_SQL_OPERATOR_NOT: return "NOT ";
    case FLOE_SQL_OPERATOR_ADD: return " + ";
    case FLOE_SQL_OPERATOR_SUBTRACT: return " - ";
    case FLOE_SQL_OPERATOR_MULTIPLY: return " * ";
    case FLOE_SQL_OPERATOR_DIVIDE: return " / ";
    case FLOE_SQL_OPERATOR_MODULO: return " % ";
    case FLOE_SQL_OPERATOR_EQUAL: return " = ";
    case FLOE_SQL_OPERATOR_NOT_EQUAL: return " <> ";
    case FLOE_SQL_OPERATOR_LESS: return " < ";
    case FLOE_SQL_OPERATOR_LESS_EQUAL: return " <= ";
    case FLOE_SQL_OPERATOR_GREATER: return " > ";
    case FLOE_SQL_OPERATOR_GREATER_EQUAL: return " >= ";
    case FLOE_SQL_OPERATOR_AND: return " AND ";
    case FLOE_SQL_OPERATOR_OR: return " OR ";
    case FLOE_SQL_OPERATOR_CONCAT: return " || ";
    default: return " ? ";
    }
}

static const char *function_text(floe_sql_function function)
{
    switch (function) {
    case FLOE_SQL_FUNCTION_DATE_TRUNC: return "date_trunc";
    case FLOE_SQL_FUNCTION_EXTRACT: return "extract";
    case FLOE_SQL_FUNCTION_LOWER: return "lower";
    case FLOE_SQL_FUNCTION_UPPER: return "upper";
    case FLOE_SQL_FUNCTION_TRIM: return "trim";
    case FLOE_SQL_FUNCTION_SUBSTRING: return "substring";
    case FLOE_SQL_FUNCTION_LENGTH: return "length";
    case FLOE_SQL_FUNCTION_ABS: return "abs";
    case FLOE_SQL_FUNCTION_ROUND: return "round";
    case FLOE_SQL_FUNCTION_FLOOR: return "floor";
    case FLOE_SQL_FUNCTION_CEIL: return "ceil";
    case FLOE_SQL_FUNCTION_CONCAT: return "concat";
    default: return "?";
    }
}

static void out_expression(text_out *out, const floe_sql_expression *e, const floe_sql_schema *input)
{
    switch (e->kind) {
    case FLOE_SQL_EXPRESSION_COLUMN:
        if (input != NULL && e->column_index < input->column_count) {
            out_text(out, input->columns[e->column_index].name);
        }
        out_format(out, "#%" PRIu32, e->column_index);
        return;
    case FLOE_SQL_EXPRESSION_CONSTANT: out_value(out, &e->constant); return;
    case FLOE_SQL_EXPRESSION_CAST:
        out_text(out, "CAST(");
        out_expression(out, e->children[0], input);
        out_text(out, " AS ");
        out_type(out, e->type);
        out_text(out, ")");
        return;
    case FLOE_SQL_EXPRESSION_UNARY:
        out_text(out, operator_text(e->operator_kind));
        out_text(out, "(");
        out_expression(out, e->children[0], input);
        out_text(out, ")");
        return;
    case FLOE_SQL_EXPRESSION_BINARY:
        for (uint32_t i = 0; i < 2; i++) {
            const floe_sql_expression *child = e->children[i];
            bool parens = child->kind == FLOE_SQL_EXPRESSION_BINARY;
            if (parens) out_text(out, "(");
            out_expression(out, child, input);
            if (parens) out_text(out, ")");
            if (i == 0) out_text(out, operator_text(e->operator_kind));
        }
        return;
    case FLOE_SQL_EXPRESSION_IS_NULL:
    case FLOE_SQL_EXPRESSION_IS_NOT_NULL:
        out_text(out, "(");
        out_expression(out, e->children[0], input);
        out_text(out, e->kind == FLOE_SQL_EXPRESSION_IS_NULL ? " IS NULL)" : " IS NOT NULL)");
        return;
    case FLOE_SQL_EXPRESSION_IN:
        out_text(out, "(");
        out_expression(out, e->children[0], input);
        out_text(out, " IN (");
        for (uint32_t i = 1; i < e->child_count; i++) {
            if (i > 1) out_text(out, ", ");
            out_expression(out, e->children[i], input);
        }
        out_text(out, "))");
        return;
    case FLOE_SQL_EXPRESSION_LIKE:
        out_text(out, "(");
        out_expression(out, e->children[0], input);
        out_text(out, " LIKE ");
        out_expression(out, e->children[1], input);
        out_text(out, ")");
        return;
    case FLOE_SQL_EXPRESSION_CASE: {
        out_text(out, "CASE");
        uint32_t i = 0;
        for (; i + 1 < e->child_count; i += 2) {
            out_text(out, " WHEN ");
            out_expression(out, e->children[i], input);
            out_text(out, " THEN ");
            out_expression(out, e->children[i + 1], input);
        }
        if (i < e->child_count) {
            out_text(out, " ELSE ");
            out_expression(out, e->children[i], input);
        }
        out_text(out, " END");
        return;
    }
    case FLOE_SQL_EXPRESSION_COALESCE:
    case FLOE_SQL_EXPRESSION_FUNCTION:
        out_text(out, e->kind == FLOE_SQL_EXPRESSION_COALESCE ? "coalesce" : function_text(e->function));
        out_text(out, "(");
        for (uint32_t i = 0; i < e->child_count; i++) {
            if (i > 0) out_text(out, ", ");
            out_expression(out, e->children[i], input);
        }
        out_text(out, ")");
        return;
    }
    out_text(out, "?");
}

static int finish(text_out *out, char **text, size_t *length, floe_error *err)
{
    if (out->status == FLOE_OK && out->data == NULL) out_bytes(out, "", 0);
    if (out->status != FLOE_OK) {
        floe_free(out->data);
        *text = NULL;
        return floe_error_set(err, FLOE_ENOMEM, "out of memory formatting a plan");
    }
    *text = out->data;
    if (length != NULL) *length = out->length;
    return FLOE_OK;
}

int floe_sql_expression_format(const floe_sql_expression *expression, const floe_sql_schema *input,
                               char **text, size_t *length, floe_error *err)
{
    text_out out = {0};
    out_expression(&out, expression, input);
    return finish(&out, text, length, err);
}

static void out_expressions(text_out *out, floe_sql_expression *const *items, uint32_t count,
                            const floe_sql_schema *input)
{
    out_text(out, "[");
    for (uint32_t i = 0; i < count; i++) {
        if (i > 0) out_text(out, ", ");
        out_expression(out, items[i], input);
    }
    out_text(out, "]");
}

static const char *aggregate_text(floe_sql_aggregate_function function)
{
    switch (function) {
    case FLOE_SQL_AGGREGATE_COUNT_STAR:
    case FLOE_SQL_AGGREGATE_COUNT: return "count";
    case FLOE_SQL_AGGREGATE_SUM: return "sum";
    case FLOE_SQL_AGGREGATE_AVG: return "avg";
    case FLOE_SQL_AGGREGATE_MIN: return "min";
    case FLOE_SQL_AGGREGATE_MAX: return "max";
    }
    return "?";
}

/* The schema a node's expressions are bound over: a join's is both inputs side by side. */
static void join_schema(const floe_sql_plan *plan, floe_sql_column *columns, floe_sql_schema *schema)
{
    const floe_sql_schema *l = &plan->inputs[0]->output, *r = &plan->inputs[1]->output;
    if (l->column_count) memcpy(columns, l->columns, l->column_count * sizeof *columns);
    if (r->column_count) {
        memcpy(columns + l->column_count, r->columns, r->column_count * sizeof *columns);
    }
    schema->columns = columns;
    schema->column_count = l->column_count + r->column_count;
}

static void out_plan(text_out *out, const floe_sql_plan *plan, unsigned depth)
{
    for (unsigned i = 0; i < depth; i++) out_text(out, "  ");
    const floe_sql_schema *input = plan->input_count > 0 ? &plan->inputs[0]->output : NULL;
    switch (plan->kind) {
    case FLOE_SQL_PLAN_SCAN:
        out_text(out, "SCAN ");
        out_text(out, plan->u.scan.table.name);
        if (plan->u.scan.alias != NULL) {
            out_text(out, " AS ");
            out_text(out, plan->u.scan.alias);
        }
        if (plan->u.scan.filter_count > 0) {
            out_text(out, " filters: ");
            out_expressions(out, plan->u.scan.filters, plan->u.scan.filter_count, &plan->output);
        }
        if (plan->u.scan.check_count > 0) out_format(out, " checks: %" PRIu32, plan->u.scan.check_count);
        break;
    case FLOE_SQL_PLAN_FILTER:
        out_text(out, "FILTER ");
        out_expression(out, plan->u.filter.predicate, input);
        break;
    case FLOE_SQL_PLAN_PROJECT:
        out_text(out, "PROJECT ");
        out_expressions(out, plan->u.project.expressions, plan->output.column_count, input);
        break;
    case FLOE_SQL_PLAN_AGGREGATE:
        out_text(out, "AGGREGATE groups: ");
        out_expressions(out, plan->u.aggregate.groups, plan->u.aggregate.group_count, input);
        if (plan->u.aggregate.call_count > 0) {
            out_text(out, " calls: [");
            for (uint32_t i = 0; i < plan->u.aggregate.call_count; i++) {
                const floe_sql_aggregate_call *call = &plan->u.aggregate.calls[i];
                if (i > 0) out_text(out, ", ");
                out_text(out, aggregate_text(call->function));
                out_text(out, call->distinct ? "(DISTINCT " : "(");
                if (call->argument == NULL) out_text(out, "*");
                else out_expression(out, call->argument, input);
                out_text(out, ")");
            }
            out_text(out, "]");
        }
        break;
    case FLOE_SQL_PLAN_JOIN: {
        out_text(out, plan->u.join.kind == FLOE_SQL_PLAN_JOIN_LEFT ? "LEFT JOIN" : "INNER JOIN");
        if (plan->u.join.key_count > 0) {
            out_text(out, " keys: ");
            out_expressions(out, plan->u.join.left_keys, plan->u.join.key_count,
                            &plan->inputs[0]->output);
            out_text(out, " = ");
            out_expressions(out, plan->u.join.right_keys, plan->u.join.key_count,
                            &plan->inputs[1]->output);
        }
        if (plan->u.join.residual != NULL) {
            uint32_t n = plan->inputs[0]->output.column_count + plan->inputs[1]->output.column_count;
            floe_sql_column *columns = floe_malloc((n ? n : 1) * sizeof *columns);
            floe_sql_schema schema = {0};
            if (columns == NULL) {
                out->status = FLOE_ENOMEM;
                return;
            }
            join_schema(plan, columns, &schema);
            out_text(out, " residual: ");
            out_expression(out, plan->u.join.residual, &schema);
            floe_free(columns);
        }
        break;
    }
    case FLOE_SQL_PLAN_UNION_ALL: out_text(out, "UNION ALL"); break;
    case FLOE_SQL_PLAN_ORDER:
        out_text(out, "ORDER [");
        for (uint32_t i = 0; i < plan->u.order.key_count; i++) {
            const floe_sql_sort_key *key = &plan->u.order.keys[i];
            if (i > 0) out_text(out, ", ");
            out_expression(out, key->expression, input);
            out_text(out, key->descending ? " DESC" : " ASC");
            out_text(out, key->nulls_first ? " NULLS FIRST" : " NULLS LAST");
        }
        out_text(out, "]");
        break;
    case FLOE_SQL_PLAN_LIMIT:
        out_text(out, "LIMIT");
        if (plan->u.limit.has_limit) out_format(out, " %" PRId64, plan->u.limit.limit);
        if (plan->u.limit.offset != 0) out_format(out, " OFFSET %" PRId64, plan->u.limit.offset);
        break;
    case FLOE_SQL_PLAN_VALUES:
        out_text(out, "VALUES");
        for (uint32_t r = 0; r < plan->u.values.row_count; r++) {
            out_text(out, r == 0 ? " " : ", ");
            out_text(out, "(");
            for (uint32_t c = 0; c < plan->output.column_count; c++) {
                if (c > 0) out_text(out, ", ");
                out_expression(out, plan->u.values.rows[r][c], NULL);
            }
            out_text(out, ")");
        }
        break;
    }
    out_text(out, " -> (");
    for (uint32_t i = 0; i < plan->output.column_count; i++) {
        const floe_sql_column *column = &plan->output.columns[i];
        if (i > 0) out_text(out, ", ");
        out_text(out, column->name);
        out_text(out, " ");
        out_type(out, column->type);
        if (!column->nullable) out_text(out, " NOT NULL");
    }
    out_text(out, ")\n");
    for (uint32_t i = 0; i < plan->input_count; i++) out_plan(out, plan->inputs[i], depth + 1);
}

int floe_sql_plan_format(const floe_sql_plan *plan, char **text, size_t *length, floe_error *err)
{
    text_out out = {0};
    out_plan(&out, plan, 0);
    return finish(&out, text, length, err);
}
