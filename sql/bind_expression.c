/*
 * bind_expression.c — AST expressions to bound expressions (sql/expression.h): name resolution
 * against a scope, literal typing, implicit casts through sql/expression_types.h, the lowerings
 * listed in expression.h, and aggregate calls collected for the AGGREGATE node.
 *
 * Aggregated binding (a SELECT with GROUP BY or aggregates): an expression is bound over the
 * AGGREGATE's output. A subtree without aggregates is first bound over the FROM scope and, when
 * it equals a GROUP BY expression, becomes a reference to that group column; an aggregate call
 * binds its argument over the FROM scope and becomes a reference to its call column; a column
 * that reaches neither is the "must appear in the GROUP BY clause" error. Comparing bound trees
 * (not text) makes `GROUP BY o.region` match `region` in the select list.
 */
#include "binder_int.h"

#include "kernels/memory.h"
#include "sql/expression_types.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int floe_sql_bind_error(floe_sql_binder *binder, floe_sql_position position, int code,
                        const char *format, ...)
{
    char message[FLOE_ERROR_MESSAGE_SIZE];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    return floe_error_set(binder->err, code, "line %u, column %u: %s", (unsigned)position.line,
                          (unsigned)position.column, message);
}

static int out_of_memory(floe_sql_binder *binder)
{
    return floe_error_set(binder->err, FLOE_ENOMEM, "out of memory while binding");
}

static const char *type_name(floe_type type, char *buffer, size_t size)
{
    return floe_type_format(type, buffer, size);
}

bool floe_sql_bind_is_literal_of(const floe_sql_expr *ast, floe_sql_expr_kind kind)
{
    return ast != NULL && ast->kind == kind;
}

bool floe_sql_is_aggregate_name(const char *name)
{
    return strcmp(name, "count") == 0 || strcmp(name, "sum") == 0 || strcmp(name, "avg") == 0 ||
           strcmp(name, "min") == 0 || strcmp(name, "max") == 0;
}

bool floe_sql_ast_has_aggregate(const floe_sql_expr *ast)
{
    if (ast == NULL) return false;
    switch (ast->kind) {
    case FLOE_SQL_EXPR_UNARY: return floe_sql_ast_has_aggregate(ast->u.unary.operand);
    case FLOE_SQL_EXPR_BINARY:
        return floe_sql_ast_has_aggregate(ast->u.binary.left) ||
               floe_sql_ast_has_aggregate(ast->u.binary.right);
    case FLOE_SQL_EXPR_IS_NULL:
    case FLOE_SQL_EXPR_IN_LIST:
    case FLOE_SQL_EXPR_BETWEEN:
    case FLOE_SQL_EXPR_LIKE:
        if (floe_sql_ast_has_aggregate(ast->u.predicate.operand) ||
            floe_sql_ast_has_aggregate(ast->u.predicate.low) ||
            floe_sql_ast_has_aggregate(ast->u.predicate.high) ||
            floe_sql_ast_has_aggregate(ast->u.predicate.pattern)) {
            return true;
        }
        for (size_t i = 0; i < ast->u.predicate.item_count; i++) {
            if (floe_sql_ast_has_aggregate(ast->u.predicate.items[i])) return true;
        }
        return false;
    case FLOE_SQL_EXPR_CASE:
        if (floe_sql_ast_has_aggregate(ast->u.case_.operand) ||
            floe_sql_ast_has_aggregate(ast->u.case_.otherwise)) {
            return true;
        }
        for (size_t i = 0; i < ast->u.case_.when_count; i++) {
            if (floe_sql_ast_has_aggregate(ast->u.case_.whens[i].condition) ||
                floe_sql_ast_has_aggregate(ast->u.case_.whens[i].result)) {
                return true;
            }
        }
        return false;
    case FLOE_SQL_EXPR_CAST: return floe_sql_ast_has_aggregate(ast->u.cast.operand);
    case FLOE_SQL_EXPR_FUNCTION:
        if (floe_sql_is_aggregate_name(ast->u.function.name)) return true;
        for (size_t i = 0; i < ast->u.function.arg_count; i++) {
            if (floe_sql_ast_has_aggregate(ast->u.function.args[i])) return true;
        }
        return false;
    default: return false;
    }
}

int floe_sql_bind_output_name(floe_sql_binder *binder, const floe_sql_expr *ast, const char **name)
{
    if (ast->kind == FLOE_SQL_EXPR_COLUMN) {
        *name = ast->u.column.name;
        return FLOE_OK;
    }
    char *text = NULL;
    size_t length = 0;
    if (floe_sql_format_expr(ast, &text, &length, NULL) != FLOE_OK) return out_of_memory(binder);
    *name = floe_arena_strndup(binder->arena, text, length);
    floe_free(text);
    return *name == NULL ? out_of_memory(binder) : FLOE_OK;
}

/* ---- literal text ---- */

static bool parse_digits(const char **cursor, const char *end, unsigned count, int *value)
{
    int v = 0;
    for (unsigned i = 0; i < count; i++) {
        if (*cursor >= end || **cursor < '0' || **cursor > '9') return false;
        v = v * 10 + (**cursor - '0');
        (*cursor)++;
    }
    *value = v;
    return true;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static bool valid_date(int year, int month, int day)
{
    static const int lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1) return false;
    int length = lengths[month - 1];
    if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) length = 29;
    return day <= length;
}

/* 'YYYY-MM-DD' with optional ' HH:MM[:SS[.ffffff]]' (or 'T' separator) when `allow_time`. */
static bool parse_temporal(const char *text, size_t length, bool allow_time, int64_t *days,
                           int64_t *micros)
{
    const char *p = text, *end = text + length;
    while (p < end && *p == ' ') p++;
    while (end > p && end[-1] == ' ') end--;
    int year, month, day, hour = 0, minute = 0, second = 0;
    if (!parse_digits(&p, end, 4, &year) || p >= end || *p++ != '-' ||
        !parse_digits(&p, end, 2, &month) || p >= end || *p++ != '-' ||
        !parse_digits(&p, end, 2, &day) || !valid_date(year, month, day)) {
        return false;
    }
    int64_t fraction = 0;
    if (p < end) {
        if (!allow_time || (*p != ' ' && *p != 'T')) return false;
        p++;
        if (!parse_digits(&p, end, 2, &hour) || p >= end || *p++ != ':' ||
            !parse_digits(&p, end, 2, &minute)) {
            return false;
        }
        if (p < end && *p == ':') {
            p++;
            if (!parse_digits(&p, end, 2, &second)) return false;
            if (p < end && *p == '.') {
                p++;
                int digits = 0;
                while (p < end && *p >= '0' && *p <= '9') {
                    if (digits < 6) fraction = fraction * 10 + (*p - '0');
                    digits++;
                    p++;
                }
                if (digits == 0) return false;
                for (; digits < 6; digits++) fraction *= 10;
            }
        }
        if (p != end || hour > 23 || minute > 59 || second > 59) return false;
    }
    *days = days_from_civil(year, (unsigned)month, (unsigned)day);
    *micros = *days * 86400000000LL + ((int64_t)hour * 3600 + minute * 60 + second) * 1000000LL +
              fraction;
    return true;
}

/* A decimal numeral ("-12.340") as an unscaled integer with `scale` digits after the point;
 * false when malformed or wider than 38 digits. */
static bool parse_decimal_text(const char *text, size_t length, unsigned scale, floe_int128 *out,
                               unsigned *integer_digits, unsigned *fraction_digits)
{
    const char *p = text, *end = text + length;
    while (p < end && *p == ' ') p++;
    while (end > p && end[-1] == ' ') end--;
    bool negative = false;
    if (p < end && (*p == '-' || *p == '+')) negative = *p++ == '-';
    floe_int128 value = 0;
    unsigned before = 0, after = 0, significant = 0;
    bool seen_point = false, any = false;
    for (; p < end; p++) {
        if (*p == '.' && !seen_point) {
            seen_point = true;
            continue;
        }
        if (*p < '0' || *p > '9') return false;
        any = true;
        if (seen_point) {
            after++;
            if (after > scale) {
                if (*p != '0' && scale != UINT32_MAX) return false; /* would lose digits */
                continue;
            }
        } else {
            before++;
            if (significant > 0 || *p != '0') significant++;
        }
        if (significant + after > FLOE_DECIMAL_MAX_PRECISION) return false;
        value = value * 10 + (*p - '0');
    }
    if (!any) return false;
    if (integer_digits != NULL) *integer_digits = significant;
    if (fraction_digits != NULL) *fraction_digits = after;
    for (unsigned i = after; i < scale && scale != UINT32_MAX; i++) {
        if (significant + i >= FLOE_DECIMAL_MAX_PRECISION) return false;
        value *= 10;
    }
    (void)before;
    *out = negative ? -value : value;
    return true;
}

static bool decimal_fits(floe_int128 value, unsigned precision)
{
    floe_int128 limit = 1;
    for (unsigned i = 0; i < precision; i++) limit *= 10;
    return value < limit && value > -limit;
}

static void set_decimal_value(floe_sql_value *value, floe_int128 unscaled)
{
    if (value->type.precision > FLOE_DECIMAL64_MAX_PRECISION) value->as.int128 = unscaled;
    else value->as.int64 = (int64_t)unscaled;
}

/* Converts literal text to a value of `type` (string literals meeting typed values). */
/* Whether text is a number as a run-time cast reads one: spaces, a sign, digits with at most one
 * point, an optional exponent, spaces. */
static bool looks_numeric(const char *text)
{
    const char *p = text;
    while (*p == ' ') p++;
    if (*p == '+' || *p == '-') p++;
    bool digits = false, point = false;
    for (; (*p >= '0' && *p <= '9') || (*p == '.' && !point); p++) {
        if (*p == '.') point = true;
        else digits = true;
    }
    if (!digits) return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!(*p >= '0' && *p <= '9')) return false;
        while (*p >= '0' && *p <= '9') p++;
    }
    while (*p == ' ') p++;
    return *p == '\0';
}

static bool value_from_text(floe_arena *arena, const char *text, floe_type type,
                            floe_sql_value *value)
{
    size_t length = strlen(text);
    *value = floe_sql_value_null(type);
    value->is_null = false;
    switch ((floe_type_id)type.id) {
    case FLOE_TYPE_BOOLEAN:
        if (strcmp(text, "true") == 0 || strcmp(text, "t") == 0 || strcmp(text, "1") == 0) {
            value->as.boolean = true;
        } else if (strcmp(text, "false") == 0 || strcmp(text, "f") == 0 || strcmp(text, "0") == 0) {
            value->as.boolean = false;
        } else {
            return false;
        }
        return true;
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_INT64: {
        floe_int128 v;
        if (!parse_decimal_text(text, length, 0, &v, NULL, NULL)) return false;
        if (type.id == FLOE_TYPE_INT32) {
            if (v < INT32_MIN || v > INT32_MAX) return false;
            value->as.int32 = (int32_t)v;
        } else {
            if (v < INT64_MIN || v > INT64_MAX) return false;
            value->as.int64 = (int64_t)v;
        }
        return true;
    }
    case FLOE_TYPE_FLOAT32:
    case FLOE_TYPE_FLOAT64: {
        char *end = NULL;
        errno = 0;
        double d = strtod(text, &end);
        if (end == text || *end != '\0') return false;
        if (type.id == FLOE_TYPE_FLOAT32) value->as.float32 = (float)d;
        else value->as.float64 = d;
        return true;
    }
    case FLOE_TYPE_DECIMAL: {
        floe_int128 v;
        if (!parse_decimal_text(text, length, type.scale, &v, NULL, NULL) ||
            !decimal_fits(v, type.precision)) {
            return false;
        }
        set_decimal_value(value, v);
        return true;
    }
    case FLOE_TYPE_DATE: {
        int64_t days, micros;
        if (!parse_temporal(text, length, false, &days, &micros)) return false;
        value->as.int32 = (int32_t)days;
        return true;
    }
    case FLOE_TYPE_TIMESTAMP:
    case FLOE_TYPE_TIMESTAMPTZ: {
        int64_t days, micros;
        if (!parse_temporal(text, length, true, &days, &micros)) return false;
        value->as.int64 = micros;
        return true;
    }
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY: {
        const char *copy = floe_arena_strndup(arena, text, length);
        if (copy == NULL) return false;
        value->as.string.bytes = copy;
        value->as.string.length = (uint32_t)length;
        return true;
    }
    default: return false;
    }
}

static int make_constant(floe_sql_binder *binder, floe_sql_value value, floe_sql_expression **out)
{
    *out = floe_sql_expression_constant(binder->arena, value);
    return *out == NULL ? out_of_memory(binder) : FLOE_OK;
}

static int make_node(floe_sql_binder *binder, floe_sql_expression_kind kind, floe_type type,
                     bool nullable, uint32_t count, floe_sql_expression *const *children,
                     floe_sql_expression **out)
{
    *out = floe_sql_expression_node(binder->arena, kind, type, nullable, count, children);
    return *out == NULL ? out_of_memory(binder) : FLOE_OK;
}

static int make_binary_node(floe_sql_binder *binder, floe_sql_operator op, floe_type type,
                            floe_sql_expression *left, floe_sql_expression *right,
                            floe_sql_expression **out)
{
    floe_sql_expression *children[2] = {left, right};
    FLOE_TRY(make_node(binder, FLOE_SQL_EXPRESSION_BINARY, type, left->nullable || right->nullable,
                       2, children, out));
    (*out)->operator_kind = op;
    return FLOE_OK;
}

static int make_not(floe_sql_binder *binder, floe_sql_expression *operand, floe_sql_expression **out)
{
    FLOE_TRY(make_node(binder, FLOE_SQL_EXPRESSION_UNARY, floe_type_make(FLOE_TYPE_BOOLEAN),
                       operand->nullable, 1, &operand, out));
    (*out)->operator_kind = FLOE_SQL_OPERATOR_NOT;
    return FLOE_OK;
}

/* Folds casts of integer constants to wider numeric types; everything else is a CAST node. */
static bool fold_constant_cast(const floe_sql_value *from, floe_type to, floe_sql_value *result)
{
    if (from->is_null) {
        *result = floe_sql_value_null(to);
        return true;
    }
    if (from->type.id == FLOE_TYPE_DECIMAL && to.id == FLOE_TYPE_DECIMAL && to.scale >= from->type.scale) {
        floe_int128 v = from->type.precision > FLOE_DECIMAL64_MAX_PRECISION ? from->as.int128
                                                                            : from->as.int64;
        for (unsigned i = from->type.scale; i < to.scale; i++) v *= 10;
        if (!decimal_fits(v, to.precision)) return false;
        *result = floe_sql_value_null(to);
        result->is_null = false;
        set_decimal_value(result, v);
        return true;
    }
    int64_t integer;
    if (from->type.id == FLOE_TYPE_INT32) integer = from->as.int32;
    else if (from->type.id == FLOE_TYPE_INT64) integer = from->as.int64;
    else if (from->type.id == FLOE_TYPE_DATE && (to.id == FLOE_TYPE_TIMESTAMP)) {
        *result = floe_sql_value_null(to);
        result->is_null = false;
        result->as.int64 = (int64_t)from->as.int32 * 86400000000LL;
        return true;
    } else {
        return false;
    }
    *result = floe_sql_value_null(to);
    result->is_null = false;
    switch ((floe_type_id)to.id) {
    case FLOE_TYPE_INT64: result->as.int64 = integer; return true;
    case FLOE_TYPE_FLOAT64: result->as.float64 = (double)integer; return true;
    case FLOE_TYPE_DECIMAL: {
        floe_int128 v = integer;
        for (unsigned i = 0; i < to.scale; i++) v *= 10;
        if (!decimal_fits(v, to.precision)) return false;
        set_decimal_value(result, v);
        return true;
    }
    default: return false;
    }
}

int floe_sql_bind_cast(floe_sql_binder *binder, floe_sql_expression *expression,
                       const floe_sql_expr *ast, floe_type type, const char *what,
                       floe_sql_expression **cast)
{
    if (floe_type_equal(expression->type, type)) {
        *cast = expression;
        return FLOE_OK;
    }
    char from_name[40], to_name[40];
    if (ast != NULL && ast->kind == FLOE_SQL_EXPR_STRING && type.id != FLOE_TYPE_STRING) {
        floe_sql_value value;
        if (!value_from_text(binder->arena, ast->u.literal.text, type, &value)) {
            return floe_sql_bind_error(binder, ast->position, FLOE_ETYPE,
                                       "cannot convert '%s' to %s%s%s", ast->u.literal.text,
                                       type_name(type, to_name, sizeof to_name), what ? " for " : "",
                                       what ? what : "");
        }
        return make_constant(binder, value, cast);
    }
    if (!floe_sql_type_can_cast(expression->type, type)) {
        floe_sql_position position = ast != NULL ? ast->position : (floe_sql_position){0, 0, 0};
        return floe_sql_bind_error(binder, position, FLOE_ETYPE, "cannot cast %s to %s%s%s",
                                   type_name(expression->type, from_name, sizeof from_name),
                                   type_name(type, to_name, sizeof to_name), what ? " for " : "",
                                   what ? what : "");
    }
    floe_sql_value folded;
    if (expression->kind == FLOE_SQL_EXPRESSION_CONSTANT &&
        fold_constant_cast(&expression->constant, type, &folded)) {
        return make_constant(binder, folded, cast);
    }
    return make_node(binder, FLOE_SQL_EXPRESSION_CAST, type, expression->nullable, 1, &expression,
                     cast);
}

/* ---- names ---- */

static unsigned edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 63 || m > 63) return 99;
    unsigned row[64];
    for (size_t j = 0; j <= m; j++) row[j] = (unsigned)j;
    for (size_t i = 1; i <= n; i++) {
        unsigned diagonal = row[0];
        row[0] = (unsigned)i;
        for (size_t j = 1; j <= m; j++) {
            unsigned above = row[j];
            unsigned best = diagonal + (a[i - 1] != b[j - 1]);
            if (above + 1 < best) best = above + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[m];
}

static int unknown_column(bind_context *context, const floe_sql_expr *ast)
{
    const char *best = NULL;
    unsigned best_distance = 3;
    for (uint32_t i = 0; i < context->scope->column_count; i++) {
        unsigned d = edit_distance(ast->u.column.name, context->scope->columns[i].name);
        if (d < best_distance) {
            best_distance = d;
            best = context->scope->columns[i].name;
        }
    }
    const char *qualifier = ast->u.column.qualifier;
    return floe_sql_bind_error(context->binder, ast->position, FLOE_ENOTFOUND,
                               "column \"%s%s%s\" does not exist%s%s%s", qualifier ? qualifier : "",
                               qualifier ? "." : "", ast->u.column.name,
                               best ? " (did you mean \"" : "", best ? best : "", best ? "\"?)" : "");
}

/* Finds a column in the scope: 0 with *index set, 1 when absent, or an error status. */
static int find_column(bind_context *context, const floe_sql_expr *ast, uint32_t *index)
{
    const bind_scope *scope = context->scope;
    const char *qualifier = ast->u.column.qualifier, *name = ast->u.column.name;
    if (qualifier != NULL) {
        bool known = false;
        for (uint32_t i = 0; i < scope->qualifier_count; i++) {
            if (strcmp(scope->qualifiers[i], qualifier) == 0) known = true;
        }
        if (!known) {
            return floe_sql_bind_error(context->binder, ast->position, FLOE_ENOTFOUND,
                                       "table \"%s\" is not in the FROM clause", qualifier);
        }
    }
    uint32_t found = UINT32_MAX, matches = 0;
    for (uint32_t i = 0; i < scope->column_count; i++) {
        const bind_scope_column *c = &scope->columns[i];
        if (strcmp(c->name, name) != 0) continue;
        if (qualifier != NULL && (c->qualifier == NULL || strcmp(c->qualifier, qualifier) != 0)) {
            continue;
        }
        if (matches == 0) found = i;
        matches++;
    }
    if (matches > 1) {
        const bind_scope_column *a = &scope->columns[found];
        const bind_scope_column *b = NULL;
        for (uint32_t i = found + 1; i < scope->column_count && b == NULL; i++) {
            if (strcmp(scope->columns[i].name, name) == 0) b = &scope->columns[i];
        }
        if (qualifier == NULL && a->qualifier != NULL && b != NULL && b->qualifier != NULL &&
            strcmp(a->qualifier, b->qualifier) != 0) {
            return floe_sql_bind_error(context->binder, ast->position, FLOE_ESYNTAX,
                                       "column reference \"%s\" is ambiguous (use %s.%s or %s.%s)",
                                       name, a->qualifier, name, b->qualifier, name);
        }
        return floe_sql_bind_error(context->binder, ast->position, FLOE_ESYNTAX,
                                   "column reference \"%s\" is ambiguous", name);
    }
    if (matches == 0) return 1;
    *index = found;
    return FLOE_OK;
}

static int bind_column(bind_context *context, const floe_sql_expr *ast, floe_sql_expression **out)
{
    uint32_t index = 0;
    int status = find_column(context, ast, &index);
    if (status < 0) return status;
    if (status == 0) {
        const bind_scope_column *c = &context->scope->columns[index];
        *out = floe_sql_expression_column(context->binder->arena, index, c->type, c->nullable);
        return *out == NULL ? out_of_memory(context->binder) : FLOE_OK;
    }
    /* Not in FROM: a select-list alias, as DuckDB allows. */
    if (ast->u.column.qualifier == NULL && context->select != NULL && context->alias_depth < 8) {
        for (size_t i = 0; i < context->select->item_count; i++) {
            const floe_sql_select_item *item = &context->select->items[i];
            if (item->alias == NULL || item->expr == NULL || strcmp(item->alias, ast->u.column.name) != 0) {
                continue;
            }
            if (!context->aggregated && floe_sql_ast_has_aggregate(item->expr)) break;
            bind_context inner = *context;
            inner.alias_depth++;
            status = floe_sql_bind_expression(&inner, item->expr, out);
            context->calls = inner.calls;
            context->call_count = inner.call_count;
            context->call_capacity = inner.call_capacity;
            return status;
        }
    }
    return unknown_column(context, ast);
}

/* ---- operators ---- */

static const char *binary_symbol(floe_sql_operator op)
{
    switch (op) {
    case FLOE_SQL_OPERATOR_ADD: return "+";
    case FLOE_SQL_OPERATOR_SUBTRACT: return "-";
    case FLOE_SQL_OPERATOR_MULTIPLY: return "*";
    case FLOE_SQL_OPERATOR_DIVIDE: return "/";
    case FLOE_SQL_OPERATOR_MODULO: return "%";
    case FLOE_SQL_OPERATOR_CONCAT: return "||";
    case FLOE_SQL_OPERATOR_AND: return "AND";
    case FLOE_SQL_OPERATOR_OR: return "OR";
    default: return "?";
    }
}

static bool is_comparison(floe_sql_operator op)
{
    return op >= FLOE_SQL_OPERATOR_EQUAL && op <= FLOE_SQL_OPERATOR_GREATER_EQUAL;
}

/* Adjusts NULL and string literals to the other operand's type. */
static int adopt_literal_types(floe_sql_binder *binder, floe_sql_expression **left,
                               const floe_sql_expr *left_ast, floe_sql_expression **right,
                               const floe_sql_expr *right_ast, bool strings_too)
{
    if (floe_sql_bind_is_literal_of(left_ast, FLOE_SQL_EXPR_NULL) &&
        !floe_sql_bind_is_literal_of(right_ast, FLOE_SQL_EXPR_NULL)) {
        return make_constant(binder, floe_sql_value_null((*right)->type), left);
    }
    if (floe_sql_bind_is_literal_of(right_ast, FLOE_SQL_EXPR_NULL) &&
        !floe_sql_bind_is_literal_of(left_ast, FLOE_SQL_EXPR_NULL)) {
        return make_constant(binder, floe_sql_value_null((*left)->type), right);
    }
    if (!strings_too) return FLOE_OK;
    if (floe_sql_bind_is_literal_of(left_ast, FLOE_SQL_EXPR_STRING) &&
        (*right)->type.id != FLOE_TYPE_STRING &&
        !floe_sql_bind_is_literal_of(right_ast, FLOE_SQL_EXPR_STRING)) {
        return floe_sql_bind_cast(binder, *left, left_ast, (*right)->type, NULL, left);
    }
    if (floe_sql_bind_is_literal_of(right_ast, FLOE_SQL_EXPR_STRING) &&
        (*left)->type.id != FLOE_TYPE_STRING &&
        !floe_sql_bind_is_literal_of(left_ast, FLOE_SQL_EXPR_STRING)) {
        return floe_sql_bind_cast(binder, *right, right_ast, (*left)->type, NULL, right);
    }
    return FLOE_OK;
}

/* A binary operator over bound operands; the ASTs tell literals apart. */
static int bind_binary_operator(floe_sql_binder *binder, floe_sql_operator op,
                                floe_sql_position position, floe_sql_expression *left,
                                const floe_sql_expr *left_ast, floe_sql_expression *right,
                                const floe_sql_expr *right_ast, floe_sql_expression **out)
{
    FLOE_TRY(adopt_literal_types(binder, &left, left_ast, &right, right_ast, is_comparison(op)));
    floe_sql_signature signature;
    char l[40], r[40];
    floe_error local;
    floe_error_clear(&local);
    int status = floe_sql_type_binary(op, left->type, right->type, &signature, &local);
    if (status < 0) {
        if (is_comparison(op)) {
            return floe_sql_bind_error(binder, position, FLOE_ETYPE, "cannot compare %s and %s",
                                       type_name(left->type, l, sizeof l),
                                       type_name(right->type, r, sizeof r));
        }
        if (status == FLOE_ETYPE && strstr(local.message, "no rule") == NULL) {
            return floe_sql_bind_error(binder, position, FLOE_ETYPE, "%s", local.message);
        }
        return floe_sql_bind_error(binder, position, FLOE_ETYPE, "cannot apply %s to %s and %s",
                                   binary_symbol(op), type_name(left->type, l, sizeof l),
                                   type_name(right->type, r, sizeof r));
    }
    FLOE_TRY(floe_sql_bind_cast(binder, left, left_ast, signature.operands[0], NULL, &left));
    FLOE_TRY(floe_sql_bind_cast(binder, right, right_ast, signature.operands[1], NULL, &right));
    return make_binary_node(binder, op, signature.result, left, right, out);
}

static floe_sql_operator binary_operator(floe_sql_binary_op op)
{
    switch (op) {
    case FLOE_SQL_BINARY_OR: return FLOE_SQL_OPERATOR_OR;
    case FLOE_SQL_BINARY_AND: return FLOE_SQL_OPERATOR_AND;
    case FLOE_SQL_BINARY_EQUAL: return FLOE_SQL_OPERATOR_EQUAL;
    case FLOE_SQL_BINARY_NOT_EQUAL: return FLOE_SQL_OPERATOR_NOT_EQUAL;
    case FLOE_SQL_BINARY_LESS: return FLOE_SQL_OPERATOR_LESS;
    case FLOE_SQL_BINARY_LESS_EQUAL: return FLOE_SQL_OPERATOR_LESS_EQUAL;
    case FLOE_SQL_BINARY_GREATER: return FLOE_SQL_OPERATOR_GREATER;
    case FLOE_SQL_BINARY_GREATER_EQUAL: return FLOE_SQL_OPERATOR_GREATER_EQUAL;
    case FLOE_SQL_BINARY_CONCAT: return FLOE_SQL_OPERATOR_CONCAT;
    case FLOE_SQL_BINARY_ADD: return FLOE_SQL_OPERATOR_ADD;
    case FLOE_SQL_BINARY_SUBTRACT: return FLOE_SQL_OPERATOR_SUBTRACT;
    case FLOE_SQL_BINARY_MULTIPLY: return FLOE_SQL_OPERATOR_MULTIPLY;
    case FLOE_SQL_BINARY_DIVIDE: return FLOE_SQL_OPERATOR_DIVIDE;
    case FLOE_SQL_BINARY_MODULO: return FLOE_SQL_OPERATOR_MODULO;
    }
    return FLOE_SQL_OPERATOR_NONE;
}

/* The common type of several bound values (IN lists, CASE results, COALESCE); NULL and string
 * literals adopt the others' type. */
static int unify(floe_sql_binder *binder, floe_sql_expression **values,
                 const floe_sql_expr *const *asts,
                 uint32_t count, floe_sql_position position, const char *what, floe_type *common)
{
    bool have = false;
    char l[40], r[40];
    for (int pass = 0; pass < 2 && !have; pass++) {
        for (uint32_t i = 0; i < count; i++) {
            if (floe_sql_bind_is_literal_of(asts[i], FLOE_SQL_EXPR_NULL)) continue;
            bool string_literal = floe_sql_bind_is_literal_of(asts[i], FLOE_SQL_EXPR_STRING);
            if (pass == 0 && string_literal) continue;
            if (!have) {
                *common = values[i]->type;
                have = true;
                continue;
            }
            if (floe_sql_type_common(*common, values[i]->type, common, NULL) < 0) {
                return floe_sql_bind_error(binder, asts[i] ? asts[i]->position : position, FLOE_ETYPE,
                                           "%s: cannot unify %s and %s", what,
                                           type_name(*common, l, sizeof l),
                                           type_name(values[i]->type, r, sizeof r));
            }
        }
    }
    if (!have) *common = count > 0 ? values[0]->type : floe_type_make(FLOE_TYPE_INT32);
    for (uint32_t i = 0; i < count; i++) {
        if (floe_sql_bind_is_literal_of(asts[i], FLOE_SQL_EXPR_NULL)) {
            FLOE_TRY(make_constant(binder, floe_sql_value_null(*common), &values[i]));
        } else {
            FLOE_TRY(floe_sql_bind_cast(binder, values[i], asts[i], *common, NULL, &values[i]));
        }
    }
    return FLOE_OK;
}

/* ---- literals ---- */

static int bind_decimal_literal(floe_sql_binder *binder, const floe_sql_expr *ast, bool negate,
                                floe_sql_expression **out)
{
    const char *text = ast->u.literal.text;
    floe_int128 unscaled;
    unsigned integer_digits, fraction_digits;
    if (!parse_decimal_text(text, strlen(text), UINT32_MAX, &unscaled, &integer_digits,
                            &fraction_digits)) {
        /* Wider than 38 digits: DOUBLE, as DuckDB does for long literals. */
        double d = strtod(text, NULL);
        return make_constant(binder, floe_sql_value_float64(negate ? -d : d), out);
    }
    unsigned precision = integer_digits + fraction_digits;
    if (precision < 1) precision = 1;
    if (precision < fraction_digits) precision = fraction_digits;
    floe_sql_value value = floe_sql_value_null(floe_type_decimal(precision, fraction_digits));
    value.is_null = false;
    set_decimal_value(&value, negate ? -unscaled : unscaled);
    return make_constant(binder, value, out);
}

static int bind_integer_literal(floe_sql_binder *binder, int64_t integer, bool negate,
                                floe_sql_expression **out)
{
    floe_int128 v = integer;
    if (negate) v = -v;
    if (v >= INT32_MIN && v <= INT32_MAX) {
        floe_sql_value value = floe_sql_value_null(floe_type_make(FLOE_TYPE_INT32));
        value.is_null = false;
        value.as.int32 = (int32_t)v;
        return make_constant(binder, value, out);
    }
    if (v >= INT64_MIN && v <= INT64_MAX) return make_constant(binder, floe_sql_value_int64((int64_t)v), out);
    floe_sql_value value = floe_sql_value_null(floe_type_decimal(19, 0));
    value.is_null = false;
    value.as.int128 = v;
    return make_constant(binder, value, out);
}

static int bind_literal(floe_sql_binder *binder, const floe_sql_expr *ast, floe_sql_expression **out)
{
    floe_sql_value value;
    switch (ast->kind) {
    case FLOE_SQL_EXPR_INTEGER: return bind_integer_literal(binder, ast->u.literal.integer, false, out);
    case FLOE_SQL_EXPR_DECIMAL: return bind_decimal_literal(binder, ast, false, out);
    case FLOE_SQL_EXPR_FLOAT: {
        char *end = NULL;
        double d = strtod(ast->u.literal.text, &end);
        return make_constant(binder, floe_sql_value_float64(d), out);
    }
    case FLOE_SQL_EXPR_STRING: {
        size_t length = strlen(ast->u.literal.text);
        if (floe_sql_value_string(binder->arena, ast->u.literal.text, (uint32_t)length, &value) < 0) {
            return out_of_memory(binder);
        }
        return make_constant(binder, value, out);
    }
    case FLOE_SQL_EXPR_BOOLEAN:
        return make_constant(binder, floe_sql_value_boolean(ast->u.literal.boolean != 0), out);
    case FLOE_SQL_EXPR_NULL:
        return make_constant(binder, floe_sql_value_null(floe_type_make(FLOE_TYPE_INT32)), out);
    case FLOE_SQL_EXPR_DATE:
    case FLOE_SQL_EXPR_TIMESTAMP: {
        floe_type type = floe_type_make(ast->kind == FLOE_SQL_EXPR_DATE ? FLOE_TYPE_DATE
                                                                        : FLOE_TYPE_TIMESTAMP);
        if (!value_from_text(binder->arena, ast->u.literal.text, type, &value)) {
            return floe_sql_bind_error(binder, ast->position, FLOE_ETYPE, "invalid %s literal '%s'",
                                       ast->kind == FLOE_SQL_EXPR_DATE ? "DATE" : "TIMESTAMP",
                                       ast->u.literal.text);
        }
        return make_constant(binder, value, out);
    }
    default: return floe_error_set(binder->err, FLOE_EINVAL, "not a literal");
    }
}

static bool is_literal(const floe_sql_expr *ast)
{
    return ast->kind <= FLOE_SQL_EXPR_TIMESTAMP;
}

/* ---- aggregates ---- */

static int bind_aggregate(bind_context *context, const floe_sql_expr *ast, floe_sql_expression **out)
{
    floe_sql_binder *binder = context->binder;
    const char *name = ast->u.function.name;
    if (context->in_aggregate) {
        return floe_sql_bind_error(binder, ast->position, FLOE_ESYNTAX,
                                   "aggregate function calls cannot be nested");
    }
    if (!context->aggregated) {
        return floe_sql_bind_error(binder, ast->position, FLOE_ESYNTAX,
                                   "aggregate functions are not allowed in %s",
                                   context->clause ? context->clause : "this context");
    }
    floe_sql_aggregate_call call;
    memset(&call, 0, sizeof call);
    call.distinct = ast->u.function.distinct != 0;
    call.nullable = true;
    bool count = strcmp(name, "count") == 0;
    if (ast->u.function.star) {
        if (!count) {
            return floe_sql_bind_error(binder, ast->position, FLOE_ETYPE, "%s(*) is not a function",
                                       name);
        }
        call.function = FLOE_SQL_AGGREGATE_COUNT_STAR;
    } else {
        if (ast->u.function.arg_count != 1) {
            return floe_sql_bind_error(binder, ast->position, FLOE_ETYPE,
                                       "function %s takes 1 argument but %zu were given", name,
                                       ast->u.function.arg_count);
        }
        bind_context inner = *context;
        inner.aggregated = false;
        inner.in_aggregate = true;
        inner.select = NULL;
        FLOE_TRY(floe_sql_bind_expression(&inner, ast->u.function.args[0], &call.argument));
        floe_type t = call.argument->type;
        char tn[40];
        if (count) {
            call.function = FLOE_SQL_AGGREGATE_COUNT;
        } else if (strcmp(name, "min") == 0 || strcmp(name, "max") == 0) {
            call.function = name[1] == 'i' ? FLOE_SQL_AGGREGATE_MIN : FLOE_SQL_AGGREGATE_MAX;
            call.type = t;
        } else {
            bool sum = strcmp(name, "sum") == 0;
            call.function = sum ? FLOE_SQL_AGGREGATE_SUM : FLOE_SQL_AGGREGATE_AVG;
            if (floe_sql_bind_is_literal_of(ast->u.function.args[0], FLOE_SQL_EXPR_NULL)) {
                t = floe_type_make(FLOE_TYPE_INT32);
            }
            if (!floe_sql_type_is_numeric(t)) {
                return floe_sql_bind_error(binder, ast->position, FLOE_ETYPE,
                                           "function %s(%s) does not exist", name,
                                           type_name(t, tn, sizeof tn));
            }
            if (!sum || floe_sql_type_is_float(t)) call.type = floe_type_make(FLOE_TYPE_FLOAT64);
            else if (floe_sql_type_is_integer(t)) call.type = floe_type_decimal(38, 0);
            else call.type = floe_type_decimal(38, t.scale);
        }
    }
    if (call.function == FLOE_SQL_AGGREGATE_COUNT || call.function == FLOE_SQL_AGGREGATE_COUNT_STAR) {
        call.type = floe_type_make(FLOE_TYPE_INT64);
        call.nullable = false;
    }
    uint32_t index = context->call_count;
    for (uint32_t i = 0; i < context->call_count; i++) {
        const floe_sql_aggregate_call *c = &context->calls[i];
        if (c->function == call.function && c->distinct == call.distinct &&
            floe_sql_expression_equal(c->argument, call.argument)) {
            index = i;
            break;
        }
    }
    if (index == context->call_count) {
        if (context->call_count == context->call_capacity) {
            uint32_t grown = context->call_capacity ? context->call_capacity * 2 : 8;
            floe_sql_aggregate_call *calls = floe_arena_alloc(binder->arena, grown * sizeof *calls);
            if (calls == NULL) return out_of_memory(binder);
            if (context->call_count) memcpy(calls, context->calls, context->call_count * sizeof *calls);
            context->calls = calls;
            context->call_capacity = grown;
        }
        context->calls[context->call_count++] = call;
    }
    *out = floe_sql_expression_column(binder->arena, context->group_count + index, call.type,
                                      call.nullable);
    return *out == NULL ? out_of_memory(binder) : FLOE_OK;
}

/* ---- functions ---- */

typedef struct function_entry {
    const char *name;
    floe_sql_function function;
    uint32_t min_args, max_args;
} function_entry;

static const function_entry functions[] = {
    {"date_trunc", FLOE_SQL_FUNCTION_DATE_TRUNC, 2, 2},
    {"extract", FLOE_SQL_FUNCTION_EXTRACT, 2, 2},
    {"lower", FLOE_SQL_FUNCTION_LOWER, 1, 1},
    {"upper", FLOE_SQL_FUNCTION_UPPER, 1, 1},
    {"trim", FLOE_SQL_FUNCTION_TRIM, 1, 1},
    {"substring", FLOE_SQL_FUNCTION_SUBSTRING, 2, 3},
    {"substr", FLOE_SQL_FUNCTION_SUBSTRING, 2, 3},
    {"length", FLOE_SQL_FUNCTION_LENGTH, 1, 1},
    {"abs", FLOE_SQL_FUNCTION_ABS, 1, 1},
    {"round", FLOE_SQL_FUNCTION_ROUND, 1, 2},
    {"floor", FLOE_SQL_FUNCTION_FLOOR, 1, 1},
    {"ceil", FLOE_SQL_FUNCTION_CEIL, 1, 1},
    {"concat", FLOE_SQL_FUNCTION_CONCAT, 1, 64},
};

static const char *const extract_fields[] = {"year", "quarter", "month", "day", "hour", "minute",
                                             "second", "dow", "doy", "week", "epoch", NULL};
static const char *const trunc_units[] = {"year", "quarter", "month", "week", "day", "hour",
                                          "minute", "second", NULL};

static bool in_list(const char *const *list, const char *word)
{
    for (; *list != NULL; list++) {
        if (strcmp(*list, word) == 0) return true;
    }
    return false;
}

static int bind_arguments(bind_context *context, const floe_sql_expr *ast,
                          floe_sql_expression ***arguments)
{
    size_t count = ast->u.function.arg_count;
    *arguments = floe_arena_alloc(context->binder->arena, (count ? count : 1) * sizeof **arguments);
    if (*arguments == NULL) return out_of_memory(context->binder);
    for (size_t i = 0; i < count; i++) {
        FLOE_TRY(floe_sql_bind_expression(context, ast->u.function.args[i], &(*arguments)[i]));
    }
    return FLOE_OK;
}

static int bind_scalar_function(bind_context *context, const floe_sql_expr *ast,
                                floe_sql_function function, const char *shown_name,
                                floe_sql_expression **arguments, const floe_sql_expr *const *asts,
                                uint32_t count, floe_sql_expression **out)
{
    floe_sql_binder *binder = context->binder;
    if (function == FLOE_SQL_FUNCTION_EXTRACT || function == FLOE_SQL_FUNCTION_DATE_TRUNC) {
        const floe_sql_expr *unit = asts[0];
        if (unit == NULL || unit->kind != FLOE_SQL_EXPR_STRING) {
            return floe_sql_bind_error(binder, ast->position, FLOE_ETYPE,
                                       "%s needs a constant field name", shown_name);
        }
        char lowered[32];
        size_t n = strlen(unit->u.literal.text);
        if (n >= sizeof lowered) n = sizeof lowered - 1;
        for (size_t i = 0; i < n; i++) {
            char c = unit->u.literal.text[i];
            lowered[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        }
        lowered[n] = '\0';
        if (!in_list(function == FLOE_SQL_FUNCTION_EXTRACT ? extract_fields : trunc_units, lowered)) {
            return floe_sql_bind_error(binder, unit->position, FLOE_ETYPE, "%s: unknown %s '%s'",
                                       shown_name,
                                       function == FLOE_SQL_FUNCTION_EXTRACT ? "field" : "unit",
                                       unit->u.literal.text);
        }
        floe_sql_value value;
        if (floe_sql_value_string(binder->arena, lowered, (uint32_t)strlen(lowered), &value) < 0) {
            return out_of_memory(binder);
        }
        FLOE_TRY(make_constant(binder, value, &arguments[0]));
    }
    floe_type types[64], targets[64];
    const floe_sql_value *constants[64];
    for (uint32_t i = 0; i < count; i++) {
        if (floe_sql_bind_is_literal_of(asts[i], FLOE_SQL_EXPR_NULL) && function != FLOE_SQL_FUNCTION_CONCAT) {
            /* An untyped NULL takes the type the function wants there: its first argument's
             * type, or BIGINT for positions and digits. */
            floe_type t = i == 0 || count < 2 ? floe_type_make(FLOE_TYPE_STRING)
                                              : floe_type_make(FLOE_TYPE_INT64);
            if (function == FLOE_SQL_FUNCTION_ABS || function == FLOE_SQL_FUNCTION_FLOOR ||
                function == FLOE_SQL_FUNCTION_CEIL || (function == FLOE_SQL_FUNCTION_ROUND && i == 0)) {
                t = floe_type_make(FLOE_TYPE_INT32);
            }
            FLOE_TRY(make_constant(binder, floe_sql_value_null(t), &arguments[i]));
        }
        types[i] = arguments[i]->type;
        constants[i] = arguments[i]->kind == FLOE_SQL_EXPRESSION_CONSTANT ? &arguments[i]->constant : NULL;
    }
    floe_type result;
    floe_error local;
    floe_error_clear(&local);
    if (floe_sql_type_function(function, count, types, constants, targets, &result, &local) < 0) {
        char list[256] = "";
        size_t used = 0;
        for (uint32_t i = 0; i < count && used < sizeof list - 48; i++) {
            char tn[40];
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                     type_name(types[i], tn, sizeof tn));
        }
        return floe_sql_bind_error(binder, ast->position,
                                   local.code == FLOE_EUNSUPPORTED ? FLOE_EUNSUPPORTED : FLOE_ETYPE,
                                   "function %s(%s) does not exist (%s)", shown_name, list,
                                   local.message);
    }
    bool nullable = false;
    for (uint32_t i = 0; i < count; i++) {
        FLOE_TRY(floe_sql_bind_cast(binder, arguments[i], asts[i], targets[i], NULL, &arguments[i]));
        nullable = nullable || arguments[i]->nullable;
    }
    if (function == FLOE_SQL_FUNCTION_CONCAT) nullable = false;
    FLOE_TRY(make_node(binder, FLOE_SQL_EXPRESSION_FUNCTION, result, nullable, count, arguments, out));
    (*out)->function = function;
    return FLOE_OK;
}

static int wrong_count(floe_sql_binder *binder, const floe_sql_expr *ast, const char *name,
                       uint32_t low, uint32_t high)
{
    if (low == high) {
        return floe_sql_bind_error(binder, ast->position, FLOE_ETYPE,
                                   "function %s takes %u argument%s but %zu %s given", name, low,
                                   low == 1 ? "" : "s", ast->u.function.arg_count,
                                   ast->u.function.arg_count == 1 ? "was" : "were");
    }
    return floe_sql_bind_error(binder, ast->position, FLOE_ETYPE,
                               "function %s takes %u to %u arguments but %zu %s given", name, low,
                               high, ast->u.function.arg_count,
                               ast->u.function.arg_count == 1 ? "was" : "were");
}

static int bind_function(bind_context *context, const floe_sql_expr *ast, floe_sql_expression **out)
{
    floe_sql_binder *binder = context->binder;
    const char *name = ast->u.function.name;
    uint32_t count = (uint32_t)ast->u.function.arg_count;
    if (floe_sql_is_aggregate_name(name)) return bind_aggregate(context, ast, out);
    if (ast->u.function.distinct || ast->u.function.star) {
        return floe_sql_bind_error(binder, ast->position, FLOE_ESYNTAX,
                                   "%s is not an aggregate function", name);
    }
    static const char *const date_parts[] = {"year", "quarter", "month", "day", "hour", "minute",
                                             "second", "dayofweek", "dayofyear", "week", NULL};
    if (in_list(date_parts, name)) {
        if (count != 1) return wrong_count(binder, ast, name, 1, 1);
        floe_sql_expression *arguments[2];
        const floe_sql_expr *asts[2] = {NULL, ast->u.function.args[0]};
        const char *field = strcmp(name, "dayofweek") == 0   ? "dow"
                            : strcmp(name, "dayofyear") == 0 ? "doy"
                                                             : name;
        floe_sql_value value;
        if (floe_sql_value_string(binder->arena, field, (uint32_t)strlen(field), &value) < 0) {
            return out_of_memory(binder);
        }
        FLOE_TRY(make_constant(binder, value, &arguments[0]));
        FLOE_TRY(floe_sql_bind_expression(context, asts[1], &arguments[1]));
        floe_sql_expr field_ast;
        memset(&field_ast, 0, sizeof field_ast);
        field_ast.kind = FLOE_SQL_EXPR_STRING;
        field_ast.position = ast->position;
        field_ast.u.literal.text = field;
        asts[0] = &field_ast;
        return bind_scalar_function(context, ast, FLOE_SQL_FUNCTION_EXTRACT, name, arguments, asts,
                                    2, out);
    }
    if (strcmp(name, "coalesce") == 0 || strcmp(name, "nullif") == 0) {
        bool nullif = name[0] == 'n';
        if (nullif && count != 2) return wrong_count(binder, ast, name, 2, 2);
        if (!nullif && count < 1) {
            return floe_sql_bind_error(binder, ast->position, FLOE_ETYPE,
                                       "function coalesce takes at least 1 argument");
        }
        floe_sql_expression **arguments;
        FLOE_TRY(bind_arguments(context, ast, &arguments));
        const floe_sql_expr *const *asts = (const floe_sql_expr *const *)ast->u.function.args;
        if (nullif) {
            /* NULLIF(a, b) -> CASE WHEN a = b THEN NULL ELSE a END */
            floe_sql_expression *condition, *children[3];
            FLOE_TRY(bind_binary_operator(binder, FLOE_SQL_OPERATOR_EQUAL, ast->position,
                                          arguments[0], asts[0], arguments[1], asts[1], &condition));
            floe_type type = arguments[0]->type;
            children[0] = condition;
            FLOE_TRY(make_constant(binder, floe_sql_value_null(type), &children[1]));
            children[2] = arguments[0];
            return make_node(binder, FLOE_SQL_EXPRESSION_CASE, type, true, 3, children, out);
        }
        floe_type common;
        FLOE_TRY(unify(binder, arguments, asts, count, ast->position, "coalesce", &common));
        bool nullable = true;
        for (uint32_t i = 0; i < count; i++) nullable = nullable && arguments[i]->nullable;
        return make_node(binder, FLOE_SQL_EXPRESSION_COALESCE, common, nullable, count, arguments, out);
    }
    for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
        const function_entry *entry = &functions[i];
        if (strcmp(entry->name, name) != 0) continue;
        if (count < entry->min_args || count > entry->max_args) {
            return wrong_count(binder, ast, name, entry->min_args, entry->max_args);
        }
        floe_sql_expression **arguments;
        FLOE_TRY(bind_arguments(context, ast, &arguments));
        return bind_scalar_function(context, ast, entry->function, name, arguments,
                                    (const floe_sql_expr *const *)ast->u.function.args, count, out);
    }
    return floe_sql_bind_error(binder, ast->position, FLOE_ENOTFOUND, "function %s does not exist",
                               name);
}

/* ---- expressions ---- */

static int bind_node(bind_context *context, const floe_sql_expr *ast, floe_sql_expression **out)
{
    floe_sql_binder *binder = context->binder;
    char tn[40], un[40];
    switch (ast->kind) {
    case FLOE_SQL_EXPR_INTEGER:
    case FLOE_SQL_EXPR_DECIMAL:
    case FLOE_SQL_EXPR_FLOAT:
    case FLOE_SQL_EXPR_STRING:
    case FLOE_SQL_EXPR_BOOLEAN:
    case FLOE_SQL_EXPR_NULL:
    case FLOE_SQL_EXPR_DATE:
    case FLOE_SQL_EXPR_TIMESTAMP: return bind_literal(binder, ast, out);
    case FLOE_SQL_EXPR_COLUMN: return bind_column(context, ast, out);
    case FLOE_SQL_EXPR_UNARY: {
        const floe_sql_expr *operand_ast = ast->u.unary.operand;
        if (ast->u.unary.op == FLOE_SQL_UNARY_NEGATE) {
            if (operand_ast->kind == FLOE_SQL_EXPR_INTEGER) {
                return bind_integer_literal(binder, operand_ast->u.literal.integer, true, out);
            }
            if (operand_ast->kind == FLOE_SQL_EXPR_DECIMAL) {
                return bind_decimal_literal(binder, operand_ast, true, out);
            }
        }
        floe_sql_expression *operand;
        FLOE_TRY(floe_sql_bind_expression(context, operand_ast, &operand));
        floe_sql_operator op = ast->u.unary.op == FLOE_SQL_UNARY_NOT ? FLOE_SQL_OPERATOR_NOT
                                                                     : FLOE_SQL_OPERATOR_NEGATE;
        if (op == FLOE_SQL_OPERATOR_NOT && floe_sql_bind_is_literal_of(operand_ast, FLOE_SQL_EXPR_NULL)) {
            FLOE_TRY(make_constant(binder, floe_sql_value_null(floe_type_make(FLOE_TYPE_BOOLEAN)), &operand));
        }
        floe_sql_signature signature;
        if (floe_sql_type_unary(op, operand->type, &signature, NULL) < 0) {
            return floe_sql_bind_error(binder, ast->position, FLOE_ETYPE,
                                       op == FLOE_SQL_OPERATOR_NOT ? "NOT needs a BOOLEAN, not %s"
                                                                   : "cannot negate %s",
                                       type_name(operand->type, tn, sizeof tn));
        }
        FLOE_TRY(make_node(binder, FLOE_SQL_EXPRESSION_UNARY, signature.result, operand->nullable, 1,
                           &operand, out));
        (*out)->operator_kind = op;
        return FLOE_OK;
    }
    case FLOE_SQL_EXPR_BINARY: {
        floe_sql_expression *left, *right;
        FLOE_TRY(floe_sql_bind_expression(context, ast->u.binary.left, &left));
        FLOE_TRY(floe_sql_bind_expression(context, ast->u.binary.right, &right));
        floe_sql_operator op = binary_operator(ast->u.binary.op);
        if (op == FLOE_SQL_OPERATOR_AND || op == FLOE_SQL_OPERATOR_OR) {
            floe_type boolean = floe_type_make(FLOE_TYPE_BOOLEAN);
            if (floe_sql_bind_is_literal_of(ast->u.binary.left, FLOE_SQL_EXPR_NULL)) {
                FLOE_TRY(make_constant(binder, floe_sql_value_null(boolean), &left));
            }
            if (floe_sql_bind_is_literal_of(ast->u.binary.right, FLOE_SQL_EXPR_NULL)) {
                FLOE_TRY(make_constant(binder, floe_sql_value_null(boolean), &right));
            }
            if (left->type.id != FLOE_TYPE_BOOLEAN || right->type.id != FLOE_TYPE_BOOLEAN) {
                const floe_sql_expr *bad = left->type.id != FLOE_TYPE_BOOLEAN ? ast->u.binary.left
                                                                             : ast->u.binary.right;
                floe_type bad_type = left->type.id != FLOE_TYPE_BOOLEAN ? left->type : right->type;
                return floe_sql_bind_error(binder, bad->position, FLOE_ETYPE,
                                           "%s needs BOOLEAN operands, not %s", binary_symbol(op),
                                           type_name(bad_type, tn, sizeof tn));
            }
        }
        return bind_binary_operator(binder, op, ast->position, left, ast->u.binary.left, right,
                                    ast->u.binary.right, out);
    }
    case FLOE_SQL_EXPR_IS_NULL: {
        floe_sql_expression *operand;
        FLOE_TRY(floe_sql_bind_expression(context, ast->u.predicate.operand, &operand));
        return make_node(binder,
                         ast->u.predicate.negated ? FLOE_SQL_EXPRESSION_IS_NOT_NULL
                                                  : FLOE_SQL_EXPRESSION_IS_NULL,
                         floe_type_make(FLOE_TYPE_BOOLEAN), false, 1, &operand, out);
    }
    case FLOE_SQL_EXPR_IN_LIST: {
        uint32_t count = (uint32_t)ast->u.predicate.item_count + 1;
        floe_sql_expression **values = floe_arena_alloc(binder->arena, count * sizeof *values);
        const floe_sql_expr **asts = floe_arena_alloc(binder->arena, count * sizeof *asts);
        if (values == NULL || asts == NULL) return out_of_memory(binder);
        asts[0] = ast->u.predicate.operand;
        for (uint32_t i = 1; i < count; i++) asts[i] = ast->u.predicate.items[i - 1];
        for (uint32_t i = 0; i < count; i++) {
            FLOE_TRY(floe_sql_bind_expression(context, asts[i], &values[i]));
        }
        /* The operand's type leads: string literals in the list convert to it. */
        floe_type common = values[0]->type;
        for (uint32_t i = 1; i < count; i++) {
            if (floe_sql_bind_is_literal_of(asts[i], FLOE_SQL_EXPR_NULL)) continue;
            if (floe_sql_bind_is_literal_of(asts[i], FLOE_SQL_EXPR_STRING) &&
                common.id != FLOE_TYPE_STRING) {
                continue;
            }
            if (floe_sql_type_common(common, values[i]->type, &common, NULL) < 0) {
                return floe_sql_bind_error(binder, asts[i]->position, FLOE_ETYPE,
                                           "cannot compare %s and %s",
                                           type_name(values[0]->type, tn, sizeof tn),
                                           type_name(values[i]->type, un, sizeof un));
            }
        }
        bool nullable = false;
        for (uint32_t i = 0; i < count; i++) {
            if (floe_sql_bind_is_literal_of(asts[i], FLOE_SQL_EXPR_NULL)) {
                FLOE_TRY(make_constant(binder, floe_sql_value_null(common), &values[i]));
            } else {
                FLOE_TRY(floe_sql_bind_cast(binder, values[i], asts[i], common, NULL, &values[i]));
            }
            nullable = nullable || values[i]->nullable;
        }
        FLOE_TRY(make_node(binder, FLOE_SQL_EXPRESSION_IN, floe_type_make(FLOE_TYPE_BOOLEAN),
                           nullable, count, values, out));
        return ast->u.predicate.negated ? make_not(binder, *out, out) : FLOE_OK;
    }
    case FLOE_SQL_EXPR_BETWEEN: {
        /* x BETWEEN a AND b -> x >= a AND x <= b */
        floe_sql_expression *x, *low, *high, *lower, *upper;
        FLOE_TRY(floe_sql_bind_expression(context, ast->u.predicate.operand, &x));
        FLOE_TRY(floe_sql_bind_expression(context, ast->u.predicate.low, &low));
        FLOE_TRY(floe_sql_bind_expression(context, ast->u.predicate.high, &high));
        FLOE_TRY(bind_binary_operator(binder, FLOE_SQL_OPERATOR_GREATER_EQUAL, ast->position, x,
                                      ast->u.predicate.operand, low, ast->u.predicate.low, &lower));
        FLOE_TRY(bind_binary_operator(binder, FLOE_SQL_OPERATOR_LESS_EQUAL, ast->position, x,
                                      ast->u.predicate.operand, high, ast->u.predicate.high, &upper));
        FLOE_TRY(make_binary_node(binder, FLOE_SQL_OPERATOR_AND, floe_type_make(FLOE_TYPE_BOOLEAN),
                                  lower, upper, out));
        return ast->u.predicate.negated ? make_not(binder, *out, out) : FLOE_OK;
    }
    case FLOE_SQL_EXPR_LIKE: {
        floe_sql_expression *children[2];
        FLOE_TRY(floe_sql_bind_expression(context, ast->u.predicate.operand, &children[0]));
        FLOE_TRY(floe_sql_bind_expression(context, ast->u.predicate.pattern, &children[1]));
        for (int i = 0; i < 2; i++) {
            const floe_sql_expr *a = i == 0 ? ast->u.predicate.operand : ast->u.predicate.pattern;
            if (floe_sql_bind_is_literal_of(a, FLOE_SQL_EXPR_NULL)) {
                FLOE_TRY(make_constant(binder, floe_sql_value_null(floe_type_make(FLOE_TYPE_STRING)),
                                       &children[i]));
            }
            if (children[i]->type.id != FLOE_TYPE_STRING) {
                return floe_sql_bind_error(binder, a->position, FLOE_ETYPE,
                                           "LIKE needs VARCHAR operands, not %s",
                                           type_name(children[i]->type, tn, sizeof tn));
            }
        }
        FLOE_TRY(make_node(binder, FLOE_SQL_EXPRESSION_LIKE, floe_type_make(FLOE_TYPE_BOOLEAN),
                           children[0]->nullable || children[1]->nullable, 2, children, out));
        return ast->u.predicate.negated ? make_not(binder, *out, out) : FLOE_OK;
    }
    case FLOE_SQL_EXPR_CASE: {
        uint32_t whens = (uint32_t)ast->u.case_.when_count;
        uint32_t results = whens + 1; /* ELSE, or NULL without one */
        floe_sql_expression **children = floe_arena_alloc(binder->arena, (2 * whens + 1) * sizeof *children);
        floe_sql_expression **values = floe_arena_alloc(binder->arena, results * sizeof *values);
        const floe_sql_expr **asts = floe_arena_alloc(binder->arena, results * sizeof *asts);
        if (children == NULL || values == NULL || asts == NULL) return out_of_memory(binder);
        floe_sql_expression *operand = NULL;
        if (ast->u.case_.operand != NULL) {
            FLOE_TRY(floe_sql_bind_expression(context, ast->u.case_.operand, &operand));
        }
        for (uint32_t i = 0; i < whens; i++) {
            const floe_sql_when *when = &ast->u.case_.whens[i];
            floe_sql_expression *condition;
            FLOE_TRY(floe_sql_bind_expression(context, when->condition, &condition));
            if (operand != NULL) {
                FLOE_TRY(bind_binary_operator(binder, FLOE_SQL_OPERATOR_EQUAL, when->condition->position,
                                              operand, ast->u.case_.operand, condition,
                                              when->condition, &condition));
            } else if (floe_sql_bind_is_literal_of(when->condition, FLOE_SQL_EXPR_NULL)) {
                FLOE_TRY(make_constant(binder, floe_sql_value_null(floe_type_make(FLOE_TYPE_BOOLEAN)),
                                       &condition));
            } else if (condition->type.id != FLOE_TYPE_BOOLEAN) {
                return floe_sql_bind_error(binder, when->condition->position, FLOE_ETYPE,
                                           "CASE WHEN condition must be BOOLEAN, not %s",
                                           type_name(condition->type, tn, sizeof tn));
            }
            children[2 * i] = condition;
            asts[i] = when->result;
            FLOE_TRY(floe_sql_bind_expression(context, when->result, &values[i]));
        }
        static const floe_sql_expr null_ast = {.kind = FLOE_SQL_EXPR_NULL};
        asts[whens] = ast->u.case_.otherwise != NULL ? ast->u.case_.otherwise : &null_ast;
        if (ast->u.case_.otherwise != NULL) {
            FLOE_TRY(floe_sql_bind_expression(context, ast->u.case_.otherwise, &values[whens]));
        } else {
            FLOE_TRY(make_constant(binder, floe_sql_value_null(floe_type_make(FLOE_TYPE_INT32)),
                                   &values[whens]));
        }
        floe_type common;
        FLOE_TRY(unify(binder, values, asts, results, ast->position, "CASE", &common));
        bool nullable = false;
        for (uint32_t i = 0; i < whens; i++) {
            children[2 * i + 1] = values[i];
            nullable = nullable || values[i]->nullable;
        }
        children[2 * whens] = values[whens];
        nullable = nullable || values[whens]->nullable;
        return make_node(binder, FLOE_SQL_EXPRESSION_CASE, common, nullable, 2 * whens + 1, children,
                         out);
    }
    case FLOE_SQL_EXPR_CAST: {
        floe_sql_expression *operand;
        FLOE_TRY(floe_sql_bind_expression(context, ast->u.cast.operand, &operand));
        if (floe_sql_bind_is_literal_of(ast->u.cast.operand, FLOE_SQL_EXPR_NULL)) {
            return make_constant(binder, floe_sql_value_null(ast->u.cast.type), out);
        }
        if (floe_type_equal(operand->type, ast->u.cast.type)) {
            *out = operand;
            return FLOE_OK;
        }
        if (!floe_sql_type_can_cast(operand->type, ast->u.cast.type)) {
            return floe_sql_bind_error(binder, ast->position, FLOE_ETYPE, "cannot cast %s to %s",
                                       type_name(operand->type, tn, sizeof tn),
                                       type_name(ast->u.cast.type, un, sizeof un));
        }
        floe_type target = ast->u.cast.type;
        bool numeric = target.id == FLOE_TYPE_INT32 || target.id == FLOE_TYPE_INT64 ||
                       target.id == FLOE_TYPE_DECIMAL || target.id == FLOE_TYPE_FLOAT32 ||
                       target.id == FLOE_TYPE_FLOAT64;
        floe_sql_value strict;
        if (numeric && ast->u.cast.operand->kind == FLOE_SQL_EXPR_STRING &&
            looks_numeric(ast->u.cast.operand->u.literal.text) &&
            !value_from_text(binder->arena, ast->u.cast.operand->u.literal.text, target, &strict)) {
            /* An explicit CAST converts a string literal as it converts a column's strings
             * (engine/eval_cast.c, DuckDB's rules: rounding, exponents, spaces), so a number the
             * strict literal reading of comparisons refuses ('-2.5' to INTEGER, '1e3') is left to
             * the evaluator, which folds it once (and names the value if it overflows). Text that
             * is no number at all still fails here, with its position. */
            return make_node(binder, FLOE_SQL_EXPRESSION_CAST, target, operand->nullable, 1,
                             &operand, out);
        }
        return floe_sql_bind_cast(binder, operand, ast->u.cast.operand, target, NULL, out);
    }
    case FLOE_SQL_EXPR_FUNCTION: return bind_function(context, ast, out);
    }
    return floe_error_set(binder->err, FLOE_EINVAL, "unknown expression kind %d", (int)ast->kind);
}

int floe_sql_bind_expression(bind_context *context, const floe_sql_expr *ast,
                             floe_sql_expression **bound)
{
    if (!context->aggregated || context->in_aggregate || is_literal(ast)) {
        return bind_node(context, ast, bound);
    }
    floe_sql_binder *binder = context->binder;
    if (ast->kind == FLOE_SQL_EXPR_FUNCTION && floe_sql_is_aggregate_name(ast->u.function.name)) {
        return bind_aggregate(context, ast, bound);
    }
    if (!floe_sql_ast_has_aggregate(ast)) {
        /* Probe: the subtree over the FROM scope, matched against the GROUP BY expressions. */
        bind_context plain = *context;
        plain.aggregated = false;
        plain.select = ast->kind == FLOE_SQL_EXPR_COLUMN ? NULL : context->select;
        floe_sql_expression *probe = NULL;
        floe_error saved = {0};
        if (binder->err != NULL) saved = *binder->err;
        int status = bind_node(&plain, ast, &probe);
        if (status == FLOE_ENOMEM) return status;
        if (binder->err != NULL) *binder->err = saved;
        if (status == FLOE_OK) {
            for (uint32_t i = 0; i < context->group_count; i++) {
                if (floe_sql_expression_equal(probe, context->groups[i])) {
                    *bound = floe_sql_expression_column(binder->arena, i, probe->type, probe->nullable);
                    return *bound == NULL ? out_of_memory(binder) : FLOE_OK;
                }
            }
            if (ast->kind == FLOE_SQL_EXPR_COLUMN) {
                return floe_sql_bind_error(binder, ast->position, FLOE_ESYNTAX,
                                           "column %s%s%s must appear in the GROUP BY clause or be "
                                           "used in an aggregate function",
                                           ast->u.column.qualifier ? ast->u.column.qualifier : "",
                                           ast->u.column.qualifier ? "." : "", ast->u.column.name);
            }
        }
    }
    return bind_node(context, ast, bound);
}

int floe_sql_bind_predicate(bind_context *context, const floe_sql_expr *ast, const char *clause,
                            floe_sql_expression **bound)
{
    FLOE_TRY(floe_sql_bind_expression(context, ast, bound));
    if (floe_sql_bind_is_literal_of(ast, FLOE_SQL_EXPR_NULL)) {
        return make_constant(context->binder, floe_sql_value_null(floe_type_make(FLOE_TYPE_BOOLEAN)),
                             bound);
    }
    if ((*bound)->type.id != FLOE_TYPE_BOOLEAN) {
        char tn[40];
        return floe_sql_bind_error(context->binder, ast->position, FLOE_ETYPE,
                                   "%s must be BOOLEAN, not %s", clause,
                                   type_name((*bound)->type, tn, sizeof tn));
    }
    return FLOE_OK;
}
