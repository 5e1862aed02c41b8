/*
 * Description: the expression evaluator driven by a tiny S-expression language, for the DuckDB
 * differential test (tests/interop/expressions.test.mjs).
 *
 * Without FLOE_EVAL_CASES it is a Check program: a few expressions over the built-in table with
 * results worked out by hand. With FLOE_EVAL_CASES set (to a file, or "-" for stdin) it prints the
 * table as SQL ("SQL\t<statement>" lines, values written in forms DuckDB parses independently of
 * Floe: dates as DATE '1970-01-01' + days, timestamps as make_timestamp(micros), decimals as
 * plain digit text), then reads lines "<id>\t<s-expression>" and prints per case
 *   <id>\tOK\t<type>\t<row 0 text>\t<row 1 text>...   (NULL for NULL; \t \n \\ escaped)
 *   <id>\tERR\t<status name>\t<message>
 * The S-expression language (test-only; the binder will build real trees):
 *   (col N)  (const VALUE TYPE)  (cast TYPE x)  (neg x) (not x)
 *   (add|sub|mul|div|mod|eq|ne|lt|le|gt|ge|and|or|concat x y)
 *   (is_null x) (is_not_null x) (in x a b ...) (like x p) (case w t ... [else]) (coalesce a ...)
 *   (fn NAME args...) with NAME lower upper trim substring length abs round floor ceil
 *   date_trunc extract concat.
 * Operands get implicit casts and node types from sql/expression_types.h, as the binder will.
 * VALUE is a number, 'text' ('' escapes a quote), true, false or NULL; TYPE is BOOLEAN INTEGER
 * BIGINT REAL DOUBLE DECIMAL(p,s) DATE TIMESTAMP VARCHAR (DATE, TIMESTAMP, DECIMAL constants are
 * written as text and cast, which constant folding evaluates once).
 */
#include "engine/eval_internal.h" /* floe_eng_format_value */
#include "engine/expression_eval.h"
#include "kernels/arena.h"
#include "sql/expression.h"
#include "sql/expression_types.h"

#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { table_rows = 8, table_columns = 12 };

static const char *const column_names[table_columns] = {"i", "b", "f", "d", "s", "dt",
                                                        "ts", "ok", "n", "sn", "r", "w"};
static const int32_t col_i[table_rows] = {1, -7, 2147483647, -2147483647 - 1, 0, 0, 42, 13};
static const int64_t col_b[table_rows] = {10, -3, INT64_MAX, INT64_MIN, 0, 0, 1000000, 5};
static const double col_f[table_rows] = {1.5, -2.5, 0.1, 1e300, -0.0, 0, 3.14159, 2.5};
static const int64_t col_d[table_rows] = {125, -350, 9999999999, -1, 0, 0, 1234, 5};
static const char *const col_s[table_rows] = {"hello", "", "H\xc3\xa9llo w\xc3\xb6rld", "  pad  ",
                                              "abc%_x", NULL, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", "MiXeD"};
static const int32_t col_dt[table_rows] = {19782, -1, -25567, 10957, 0, 0, -141427, 19722};
static const int64_t col_ts[table_rows] = {1709214330123456LL, -1, -2208988800000000LL,
                                           946728000500000LL, 0, 0, 2147483647000000LL,
                                           -616347000000000LL + 250000};
static const uint8_t col_ok[table_rows] = {1, 0, 0, 1, 0, 1, 0, 0};
static const int32_t col_n[table_rows] = {3, -2, 7, 0, 5, 1, -4, 2};
static const char *const col_sn[table_rows] = {"42", " -17 ", "3.7", "1e3", "0", NULL, "-2.5",
                                               "12345678901"};
static const float col_r[table_rows] = {1.5f, -0.25f, 3.4e38f, 0.1f, 0, 0, 100.0f, -7.0f};
static const char *const col_w[table_rows] = {"123456789012345678901234.123456", "-0.000001", "0",
                                              "1", "-999999999999999999999999.999999", NULL,
                                              "42.5", "7"};
/* NULL positions per column (bit r = row r is NULL). */
static const unsigned null_mask[table_columns] = {0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
                                                  0x20, 0x44, 0x08, 0x20, 0x20, 0x20};

static floe_type column_type(uint32_t c)
{
    switch (c) {
    case 0: case 8: return floe_type_make(FLOE_TYPE_INT32);
    case 1: return floe_type_make(FLOE_TYPE_INT64);
    case 2: return floe_type_make(FLOE_TYPE_FLOAT64);
    case 3: return floe_type_decimal(10, 2);
    case 4: case 9: return floe_type_make(FLOE_TYPE_STRING);
    case 5: return floe_type_make(FLOE_TYPE_DATE);
    case 6: return floe_type_make(FLOE_TYPE_TIMESTAMP);
    case 7: return floe_type_make(FLOE_TYPE_BOOLEAN);
    case 10: return floe_type_make(FLOE_TYPE_FLOAT32);
    default: return floe_type_decimal(30, 6);
    }
}

/* Decimal text at scale 6 as its unscaled integer. */
static floe_int128 parse_unscaled(const char *text)
{
    floe_int128 v = 0;
    bool negative = *text == '-';
    int fraction = -1;
    for (const char *c = text + negative; *c; c++) {
        if (*c == '.') fraction = 0;
        else if (*c >= '0' && *c <= '9') v = v * 10 + (*c - '0'), fraction += fraction >= 0;
    }
    for (int f = fraction < 0 ? 0 : fraction; f < 6; f++) v *= 10;
    return negative ? -v : v;
}

static int build_table(floe_batch *batch)
{
    floe_type types[table_columns];
    for (uint32_t c = 0; c < table_columns; c++) types[c] = column_type(c);
    int status = floe_batch_init(batch, table_columns, types, NULL);
    if (status != FLOE_OK) return status;
    batch->row_count = table_rows;
    for (uint32_t r = 0; r < table_rows; r++) {
        floe_vector *v = batch->columns;
        ((int32_t *)v[0].data)[r] = col_i[r];
        ((int64_t *)v[1].data)[r] = col_b[r];
        ((double *)v[2].data)[r] = col_f[r];
        ((int64_t *)v[3].data)[r] = col_d[r];
        const char *s = col_s[r] ? col_s[r] : "";
        if (floe_vector_set_string(&v[4], r, s, (uint32_t)strlen(s), NULL) != FLOE_OK) return FLOE_ENOMEM;
        ((int32_t *)v[5].data)[r] = col_dt[r];
        ((int64_t *)v[6].data)[r] = col_ts[r];
        ((uint8_t *)v[7].data)[r] = col_ok[r];
        ((int32_t *)v[8].data)[r] = col_n[r];
        s = col_sn[r] ? col_sn[r] : "";
        if (floe_vector_set_string(&v[9], r, s, (uint32_t)strlen(s), NULL) != FLOE_OK) return FLOE_ENOMEM;
        ((float *)v[10].data)[r] = col_r[r];
        ((floe_int128 *)v[11].data)[r] = parse_unscaled(col_w[r] ? col_w[r] : "0");
        for (uint32_t c = 0; c < table_columns; c++) {
            if ((null_mask[c] >> r) & 1) floe_vector_set_null(&v[c], r);
        }
    }
    return FLOE_OK;
}

static void print_sql_string(const char *s)
{
    putchar('\'');
    for (; *s; s++) {
        if (*s == '\'') putchar('\'');
        putchar(*s);
    }
    putchar('\'');
}

static void print_table_sql(void)
{
    printf("SQL\tCREATE TABLE t (");
    for (uint32_t c = 0; c < table_columns; c++) {
        char name[32];
        printf("%s%s %s", c ? ", " : "", column_names[c],
               floe_type_format(column_type(c), name, sizeof name));
    }
    printf(")\n");
    for (uint32_t r = 0; r < table_rows; r++) {
        printf("SQL\tINSERT INTO t VALUES (");
        for (uint32_t c = 0; c < table_columns; c++) {
            if (c) printf(", ");
            if ((null_mask[c] >> r) & 1) {
                printf("NULL");
                continue;
            }
            switch (c) {
            case 0: printf("%" PRId32, col_i[r]); break;
            case 1: printf("CAST('%" PRId64 "' AS BIGINT)", col_b[r]); break;
            case 2: printf("%.17g::DOUBLE", col_f[r]); break;
            case 3: {
                int64_t v = col_d[r], m = v < 0 ? -v : v;
                printf("'%s%" PRId64 ".%02" PRId64 "'::DECIMAL(10,2)", v < 0 ? "-" : "", m / 100, m % 100);
                break;
            }
            case 4: print_sql_string(col_s[r]); break;
            case 5: printf("DATE '1970-01-01' + %" PRId32, col_dt[r]); break;
            case 6: printf("make_timestamp(%" PRId64 "::BIGINT)", col_ts[r]); break;
            case 7: printf("%s", col_ok[r] ? "true" : "false"); break;
            case 8: printf("%" PRId32, col_n[r]); break;
            case 9: print_sql_string(col_sn[r]); break;
            case 10: printf("%.9g::REAL", (double)col_r[r]); break;
            default: printf("'%s'::DECIMAL(30,6)", col_w[r]); break;
            }
        }
        printf(")\n");
    }
}

/* ---- S-expressions ---- */

typedef struct parser {
    const char *text;
    size_t at;
    floe_arena *arena;
    floe_error *err;
} parser;

static void skip_space(parser *p)
{
    while (p->text[p->at] == ' ' || p->text[p->at] == '\t' || p->text[p->at] == '\n' ||
           p->text[p->at] == '\r') p->at++;
}

/* Next atom into buffer (a quoted string keeps its quotes off and sets *quoted). */
static int atom(parser *p, char *buffer, size_t size, bool *quoted)
{
    skip_space(p);
    size_t n = 0;
    *quoted = false;
    if (p->text[p->at] == '\'') {
        *quoted = true;
        p->at++;
        for (;;) {
            char c = p->text[p->at];
            if (c == '\0') return floe_error_set(p->err, FLOE_ESYNTAX, "unterminated string");
            p->at++;
            if (c == '\'') {
                if (p->text[p->at] != '\'') break;
                p->at++;
            }
            if (n + 1 >= size) return floe_error_set(p->err, FLOE_ESYNTAX, "string too long");
            buffer[n++] = c;
        }
    } else {
        while (p->text[p->at] && (!strchr(" \t\r\n()", p->text[p->at]) ||
                                  (n == 7 && memcmp(buffer, "DECIMAL", 7) == 0) ||
                                  (n > 7 && memcmp(buffer, "DECIMAL(", 8) == 0 && buffer[n - 1] != ')'))) {
            if (n + 1 >= size) return floe_error_set(p->err, FLOE_ESYNTAX, "atom too long");
            buffer[n++] = p->text[p->at++];
        }
        if (n == 0) return floe_error_set(p->err, FLOE_ESYNTAX, "expected an atom at %zu", p->at);
    }
    buffer[n] = '\0';
    return (int)n;
}

static int parse_type(const char *text, floe_type *type, floe_error *err)
{
    static const struct { const char *name; floe_type_id id; } names[] = {
        {"BOOLEAN", FLOE_TYPE_BOOLEAN}, {"INTEGER", FLOE_TYPE_INT32}, {"BIGINT", FLOE_TYPE_INT64},
        {"REAL", FLOE_TYPE_FLOAT32}, {"DOUBLE", FLOE_TYPE_FLOAT64}, {"DATE", FLOE_TYPE_DATE},
        {"TIMESTAMP", FLOE_TYPE_TIMESTAMP}, {"TIMESTAMPTZ", FLOE_TYPE_TIMESTAMPTZ},
        {"VARCHAR", FLOE_TYPE_STRING},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(text, names[i].name) == 0) {
            *type = floe_type_make(names[i].id);
            return FLOE_OK;
        }
    }
    unsigned precision, scale;
    if (sscanf(text, "DECIMAL(%u,%u)", &precision, &scale) == 2) {
        *type = floe_type_decimal(precision, scale);
        return FLOE_OK;
    }
    return floe_error_set(err, FLOE_ESYNTAX, "unknown type %s", text);
}

static floe_sql_expression *cast_to(parser *p, floe_sql_expression *e, floe_type type)
{
    if (e == NULL || floe_type_equal(e->type, type)) return e;
    return floe_sql_expression_node(p->arena, FLOE_SQL_EXPRESSION_CAST, type, e->nullable, 1, &e);
}

static int parse_expression(parser *p, floe_sql_expression **out);

static int parse_constant(parser *p, floe_sql_expression **out)
{
    char value[512], type_text[64];
    bool quoted, type_quoted;
    FLOE_TRY(atom(p, value, sizeof value, &quoted));
    FLOE_TRY(atom(p, type_text, sizeof type_text, &type_quoted));
    floe_type type;
    FLOE_TRY(parse_type(type_text, &type, p->err));
    floe_sql_value v;
    if (!quoted && strcmp(value, "NULL") == 0) {
        *out = floe_sql_expression_constant(p->arena, floe_sql_value_null(type));
        return *out ? FLOE_OK : FLOE_ENOMEM;
    }
    switch ((floe_type_id)type.id) {
    case FLOE_TYPE_INT32:
        v = floe_sql_value_null(type);
        v.is_null = false;
        v.as.int32 = (int32_t)strtol(value, NULL, 10);
        break;
    case FLOE_TYPE_INT64: v = floe_sql_value_int64(strtoll(value, NULL, 10)); break;
    case FLOE_TYPE_FLOAT64: v = floe_sql_value_float64(strtod(value, NULL)); break;
    case FLOE_TYPE_BOOLEAN: v = floe_sql_value_boolean(strcmp(value, "true") == 0); break;
    default: {
        /* Text, then a cast: DECIMAL, DATE, TIMESTAMP, REAL constants. */
        FLOE_TRY(floe_sql_value_string(p->arena, value, (uint32_t)strlen(value), &v));
        floe_sql_expression *text = floe_sql_expression_constant(p->arena, v);
        *out = cast_to(p, text, type);
        return *out ? FLOE_OK : FLOE_ENOMEM;
    }
    }
    *out = floe_sql_expression_constant(p->arena, v);
    return *out ? FLOE_OK : FLOE_ENOMEM;
}

static const struct { const char *name; floe_sql_operator op; } binary_names[] = {
    {"add", FLOE_SQL_OPERATOR_ADD}, {"sub", FLOE_SQL_OPERATOR_SUBTRACT},
    {"mul", FLOE_SQL_OPERATOR_MULTIPLY}, {"div", FLOE_SQL_OPERATOR_DIVIDE},
    {"mod", FLOE_SQL_OPERATOR_MODULO}, {"eq", FLOE_SQL_OPERATOR_EQUAL},
    {"ne", FLOE_SQL_OPERATOR_NOT_EQUAL}, {"lt", FLOE_SQL_OPERATOR_LESS},
    {"le", FLOE_SQL_OPERATOR_LESS_EQUAL}, {"gt", FLOE_SQL_OPERATOR_GREATER},
    {"ge", FLOE_SQL_OPERATOR_GREATER_EQUAL}, {"and", FLOE_SQL_OPERATOR_AND},
    {"or", FLOE_SQL_OPERATOR_OR}, {"concat", FLOE_SQL_OPERATOR_CONCAT},
};
static const struct { const char *name; floe_sql_function function; } function_names[] = {
    {"lower", FLOE_SQL_FUNCTION_LOWER}, {"upper", FLOE_SQL_FUNCTION_UPPER},
    {"trim", FLOE_SQL_FUNCTION_TRIM}, {"substring", FLOE_SQL_FUNCTION_SUBSTRING},
    {"length", FLOE_SQL_FUNCTION_LENGTH}, {"abs", FLOE_SQL_FUNCTION_ABS},
    {"round", FLOE_SQL_FUNCTION_ROUND}, {"floor", FLOE_SQL_FUNCTION_FLOOR},
    {"ceil", FLOE_SQL_FUNCTION_CEIL}, {"date_trunc", FLOE_SQL_FUNCTION_DATE_TRUNC},
    {"extract", FLOE_SQL_FUNCTION_EXTRACT}, {"concat", FLOE_SQL_FUNCTION_CONCAT},
};

enum { max_children = 16 };

static bool any_nullable(floe_sql_expression *const *children, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) if (children[i]->nullable) return true;
    return false;
}

static int parse_list(parser *p, floe_sql_expression **children, uint32_t *count)
{
    *count = 0;
    for (;;) {
        skip_space(p);
        if (p->text[p->at] == ')') {
            p->at++;
            return FLOE_OK;
        }
        FLOE_RETURN_IF(*count >= max_children, FLOE_ESYNTAX, p->err, "too many arguments");
        FLOE_TRY(parse_expression(p, &children[(*count)++]));
    }
}

static int unify(parser *p, floe_sql_expression **items, uint32_t count, floe_type *common)
{
    *common = items[0]->type;
    for (uint32_t i = 1; i < count; i++) FLOE_TRY(floe_sql_type_common(*common, items[i]->type, common, p->err));
    for (uint32_t i = 0; i < count; i++) items[i] = cast_to(p, items[i], *common);
    return FLOE_OK;
}

static int parse_expression(parser *p, floe_sql_expression **out)
{
    skip_space(p);
    FLOE_RETURN_IF(p->text[p->at] != '(', FLOE_ESYNTAX, p->err, "expected ( at %zu", p->at);
    p->at++;
    char head[32];
    bool quoted;
    FLOE_TRY(atom(p, head, sizeof head, &quoted));
    floe_sql_expression *c[max_children];
    uint32_t n = 0;
    floe_arena *arena = p->arena;
    floe_type boolean = floe_type_make(FLOE_TYPE_BOOLEAN);
    if (strcmp(head, "col") == 0) {
        char index[16];
        FLOE_TRY(atom(p, index, sizeof index, &quoted));
        uint32_t column = (uint32_t)atoi(index);
        FLOE_RETURN_IF(column >= table_columns, FLOE_ESYNTAX, p->err, "no column %u", column);
        skip_space(p);
        FLOE_RETURN_IF(p->text[p->at++] != ')', FLOE_ESYNTAX, p->err, "expected )");
        *out = floe_sql_expression_column(arena, column, column_type(column), null_mask[column] != 0);
        return *out ? FLOE_OK : FLOE_ENOMEM;
    }
    if (strcmp(head, "const") == 0) {
        FLOE_TRY(parse_constant(p, out));
        skip_space(p);
        FLOE_RETURN_IF(p->text[p->at++] != ')', FLOE_ESYNTAX, p->err, "expected )");
        return FLOE_OK;
    }
    if (strcmp(head, "cast") == 0) {
        char type_text[64];
        floe_type type;
        FLOE_TRY(atom(p, type_text, sizeof type_text, &quoted));
        FLOE_TRY(parse_type(type_text, &type, p->err));
        FLOE_TRY(parse_list(p, c, &n));
        FLOE_RETURN_IF(n != 1, FLOE_ESYNTAX, p->err, "cast takes one operand");
        FLOE_RETURN_IF(!floe_sql_type_can_cast(c[0]->type, type), FLOE_ETYPE, p->err, "no such cast");
        *out = floe_sql_expression_node(arena, FLOE_SQL_EXPRESSION_CAST, type, c[0]->nullable, 1, c);
        return *out ? FLOE_OK : FLOE_ENOMEM;
    }
    FLOE_TRY(parse_list(p, c, &n));
    floe_sql_expression *node = NULL;
    if (strcmp(head, "neg") == 0 || strcmp(head, "not") == 0) {
        floe_sql_operator op = head[0] == 'n' && head[1] == 'e' ? FLOE_SQL_OPERATOR_NEGATE
                                                                : FLOE_SQL_OPERATOR_NOT;
        floe_sql_signature sig;
        FLOE_RETURN_IF(n != 1, FLOE_ESYNTAX, p->err, "%s takes one operand", head);
        FLOE_TRY(floe_sql_type_unary(op, c[0]->type, &sig, p->err));
        node = floe_sql_expression_node(arena, FLOE_SQL_EXPRESSION_UNARY, sig.result, c[0]->nullable, 1, c);
        if (node) node->operator_kind = op;
    } else if (strcmp(head, "is_null") == 0 || strcmp(head, "is_not_null") == 0) {
        FLOE_RETURN_IF(n != 1, FLOE_ESYNTAX, p->err, "%s takes one operand", head);
        node = floe_sql_expression_node(arena, strcmp(head, "is_null") == 0 ? FLOE_SQL_EXPRESSION_IS_NULL
                                                                           : FLOE_SQL_EXPRESSION_IS_NOT_NULL,
                                        boolean, false, 1, c);
    } else if (strcmp(head, "in") == 0 || strcmp(head, "coalesce") == 0) {
        FLOE_RETURN_IF(n < 2, FLOE_ESYNTAX, p->err, "%s needs operands", head);
        floe_type common;
        FLOE_TRY(unify(p, c, n, &common));
        bool is_in = head[0] == 'i';
        node = floe_sql_expression_node(arena, is_in ? FLOE_SQL_EXPRESSION_IN : FLOE_SQL_EXPRESSION_COALESCE,
                                        is_in ? boolean : common, any_nullable(c, n), n, c);
    } else if (strcmp(head, "like") == 0) {
        FLOE_RETURN_IF(n != 2, FLOE_ESYNTAX, p->err, "like takes two operands");
        node = floe_sql_expression_node(arena, FLOE_SQL_EXPRESSION_LIKE, boolean, any_nullable(c, n), 2, c);
    } else if (strcmp(head, "case") == 0) {
        FLOE_RETURN_IF(n < 2, FLOE_ESYNTAX, p->err, "case needs WHEN and THEN");
        floe_sql_expression *values[max_children];
        uint32_t k = 0;
        for (uint32_t i = 1; i < n; i += 2) values[k++] = c[i];
        if (n % 2 == 1) values[k++] = c[n - 1];
        floe_type common;
        FLOE_TRY(unify(p, values, k, &common));
        k = 0;
        for (uint32_t i = 1; i < n; i += 2) c[i] = values[k++];
        if (n % 2 == 1) c[n - 1] = values[k];
        node = floe_sql_expression_node(arena, FLOE_SQL_EXPRESSION_CASE, common, true, n, c);
    } else if (strcmp(head, "fn") == 0) {
        FLOE_RETURN_IF(n < 1, FLOE_ESYNTAX, p->err, "fn needs a name");
        FLOE_RETURN_IF(c[0]->kind != FLOE_SQL_EXPRESSION_CONSTANT || c[0]->type.id != FLOE_TYPE_STRING,
                       FLOE_ESYNTAX, p->err, "fn name must be (const 'name' VARCHAR)");
        const char *name = c[0]->constant.as.string.bytes;
        floe_sql_function function = FLOE_SQL_FUNCTION_NONE;
        for (size_t i = 0; i < sizeof function_names / sizeof function_names[0]; i++) {
            if (strcmp(name, function_names[i].name) == 0) function = function_names[i].function;
        }
        FLOE_RETURN_IF(function == FLOE_SQL_FUNCTION_NONE, FLOE_ESYNTAX, p->err, "no function %s", name);
        floe_type arguments[max_children], targets[max_children], result;
        const floe_sql_value *constants[max_children];
        for (uint32_t i = 1; i < n; i++) {
            arguments[i - 1] = c[i]->type;
            constants[i - 1] = c[i]->kind == FLOE_SQL_EXPRESSION_CONSTANT ? &c[i]->constant : NULL;
        }
        FLOE_TRY(floe_sql_type_function(function, n - 1, arguments, constants, targets, &result, p->err));
        for (uint32_t i = 1; i < n; i++) c[i] = cast_to(p, c[i], targets[i - 1]);
        node = floe_sql_expression_node(arena, FLOE_SQL_EXPRESSION_FUNCTION, result,
                                        function == FLOE_SQL_FUNCTION_CONCAT ? false : any_nullable(c + 1, n - 1),
                                        n - 1, c + 1);
        if (node) node->function = function;
    } else {
        floe_sql_operator op = FLOE_SQL_OPERATOR_NONE;
        for (size_t i = 0; i < sizeof binary_names / sizeof binary_names[0]; i++) {
            if (strcmp(head, binary_names[i].name) == 0) op = binary_names[i].op;
        }
        FLOE_RETURN_IF(op == FLOE_SQL_OPERATOR_NONE || n != 2, FLOE_ESYNTAX, p->err, "bad form %s", head);
        floe_sql_signature sig;
        FLOE_TRY(floe_sql_type_binary(op, c[0]->type, c[1]->type, &sig, p->err));
        c[0] = cast_to(p, c[0], sig.operands[0]);
        c[1] = cast_to(p, c[1], sig.operands[1]);
        if (c[0] == NULL || c[1] == NULL) return FLOE_ENOMEM;
        node = floe_sql_expression_node(arena, FLOE_SQL_EXPRESSION_BINARY, sig.result, any_nullable(c, 2), 2, c);
        if (node) node->operator_kind = op;
    }
    FLOE_RETURN_IF(node == NULL, FLOE_ENOMEM, p->err, "out of memory");
    *out = node;
    return FLOE_OK;
}

/* Evaluates one S-expression over the table; result must be fini'd by the caller on success. */
static int run_case(const char *text, const floe_batch *table, floe_arena *arena, floe_vector *result,
                    floe_error *err)
{
    parser p = {text, 0, arena, err};
    floe_sql_expression *e;
    FLOE_TRY(parse_expression(&p, &e));
    floe_eng_expression_state *state;
    FLOE_TRY(floe_eng_expression_state_create(e, &state, err));
    int status = floe_vector_init(result, e->type, FLOE_BATCH_CAPACITY, err);
    if (status == FLOE_OK) {
        status = floe_eng_evaluate(state, table, result, err);
        if (status != FLOE_OK) floe_vector_fini(result);
    }
    floe_eng_expression_state_free(state);
    return status;
}

static void print_escaped(const unsigned char *s, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (s[i] == '\t') fputs("\\t", stdout);
        else if (s[i] == '\n') fputs("\\n", stdout);
        else if (s[i] == '\\') fputs("\\\\", stdout);
        else putchar(s[i]);
    }
}

static int run_cases(const char *source)
{
    FILE *in = strcmp(source, "-") == 0 ? stdin : fopen(source, "r");
    if (in == NULL) {
        fprintf(stderr, "cannot open %s\n", source);
        return 2;
    }
    floe_batch table;
    if (build_table(&table) != FLOE_OK) return 2;
    print_table_sql();
    char line[8192];
    while (fgets(line, sizeof line, in) != NULL) {
        char *tab = strchr(line, '\t');
        if (tab == NULL) continue;
        *tab = '\0';
        floe_arena arena;
        floe_arena_init(&arena, 0, 0);
        floe_error err;
        floe_error_clear(&err);
        floe_vector result;
        int status = run_case(tab + 1, &table, &arena, &result, &err);
        if (status != FLOE_OK) {
            printf("%s\tERR\t%s\t", line, floe_status_name(status));
            print_escaped((const unsigned char *)err.message, (uint32_t)strlen(err.message));
            printf("\n");
        } else {
            char name[32];
            printf("%s\tOK\t%s", line, floe_type_format(result.type, name, sizeof name));
            for (uint32_t r = 0; r < table.row_count; r++) {
                putchar('\t');
                if (floe_vector_is_null(&result, r)) {
                    fputs("NULL", stdout);
                } else if (floe_type_is_variable_width(result.type)) {
                    uint32_t n;
                    const unsigned char *s = floe_vector_string(&result, r, &n);
                    print_escaped(s, n);
                } else {
                    char text[128];
                    floe_eng_format_value(&result, r, text, sizeof text);
                    fputs(text, stdout);
                }
            }
            printf("\n");
            floe_vector_fini(&result);
        }
        floe_arena_fini(&arena);
        fflush(stdout);
    }
    floe_batch_fini(&table);
    if (in != stdin) fclose(in);
    return 0;
}

/* ---- Check mode ---- */

static void expect_rows(const char *expression, const char *const *expected)
{
    floe_batch table;
    ck_assert_int_eq(build_table(&table), FLOE_OK);
    floe_arena arena;
    floe_arena_init(&arena, 0, 0);
    floe_error err;
    floe_error_clear(&err);
    floe_vector result;
    int status = run_case(expression, &table, &arena, &result, &err);
    ck_assert_msg(status == FLOE_OK, "%s: %s", expression, err.message);
    for (uint32_t r = 0; r < table_rows; r++) {
        char text[128] = "NULL";
        if (!floe_vector_is_null(&result, r)) {
            if (floe_type_is_variable_width(result.type)) {
                uint32_t n;
                const unsigned char *s = floe_vector_string(&result, r, &n);
                snprintf(text, sizeof text, "%.*s", (int)n, (const char *)s);
            } else {
                floe_eng_format_value(&result, r, text, sizeof text);
            }
        }
        ck_assert_msg(strcmp(text, expected[r]) == 0, "%s row %u: %s, expected %s", expression, r,
                      text, expected[r]);
    }
    floe_vector_fini(&result);
    floe_arena_fini(&arena);
    floe_batch_fini(&table);
}

START_TEST(driver_parses_and_evaluates)
{
    static const char *const plus[] = {"4", "-1", "8", "NULL", "6", "2", "-3", "3"};
    expect_rows("(add (col 8) (const 1 INTEGER))", plus);
    static const char *const upper[] = {"HELLO", "", "H\xc3\xa9LLO W\xc3\xb6RLD", "  PAD  ",
                                        "ABC%_X", "NULL", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", "MIXED"};
    expect_rows("(fn (const 'upper' VARCHAR) (col 4))", upper);
    static const char *const years[] = {"2024", "1969", "1900", "2000", "1970", "NULL", "1582", "2023"};
    expect_rows("(fn (const 'extract' VARCHAR) (const 'year' VARCHAR) (col 5))", years);
}
END_TEST

START_TEST(driver_reports_errors)
{
    floe_batch table;
    ck_assert_int_eq(build_table(&table), FLOE_OK);
    floe_arena arena;
    floe_arena_init(&arena, 0, 0);
    floe_error err;
    floe_vector result;
    ck_assert_int_eq(run_case("(add (col 0) (col 0))", &table, &arena, &result, &err), FLOE_ERANGE);
    ck_assert_ptr_nonnull(strstr(err.message, "integer overflow in +"));
    ck_assert_int_eq(run_case("(mod (col 0) (const 0 INTEGER))", &table, &arena, &result, &err),
                     FLOE_ERANGE);
    ck_assert_str_eq(err.message, "division by zero");
    ck_assert_int_eq(run_case("(add (col 0", &table, &arena, &result, &err), FLOE_ESYNTAX);
    floe_arena_fini(&arena);
    floe_batch_fini(&table);
}
END_TEST

int main(void)
{
    const char *cases = getenv("FLOE_EVAL_CASES");
    if (cases != NULL && cases[0] != '\0') return run_cases(cases);
    Suite *suite = suite_create("eval_driver");
    TCase *tc = tcase_create("driver");
    tcase_add_test(tc, driver_parses_and_evaluates);
    tcase_add_test(tc, driver_reports_errors);
    suite_add_tcase(suite, tc);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}
