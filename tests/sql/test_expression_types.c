/*
 * Description: the type rules of bound expressions (sql/expression_types.h) — the result-type table
 * row by row: arithmetic over integers, floats and decimals, common types for comparisons,
 * CASE/COALESCE/IN, functions (round floor ceil abs length substring extract date_trunc) and which
 * casts exist. The expected types are constants taken from DuckDB v1.5.5 (@duckdb/node-api in
 * tests/interop), queried as `SELECT typeof(<expression>)` — the SQL is quoted next to each row —
 * and, for casts, by evaluating `SELECT CAST(CAST(v AS from) AS to)` (an "Unimplemented type for
 * cast" error means the cast does not exist).
 */
#include "sql/expression.h"
#include "sql/expression_types.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static floe_type T(floe_type_id id) { return floe_type_make(id); }
static floe_type DEC(unsigned p, unsigned s) { return floe_type_decimal(p, s); }

#define INT T(FLOE_TYPE_INT32)
#define BIG T(FLOE_TYPE_INT64)
#define REAL T(FLOE_TYPE_FLOAT32)
#define DBL T(FLOE_TYPE_FLOAT64)
#define BOOL T(FLOE_TYPE_BOOLEAN)
#define VARCHAR T(FLOE_TYPE_STRING)
#define BLOB T(FLOE_TYPE_BINARY)
#define DATE T(FLOE_TYPE_DATE)
#define TS T(FLOE_TYPE_TIMESTAMP)
#define TSTZ T(FLOE_TYPE_TIMESTAMPTZ)

static void assert_type(floe_type got, floe_type want, const char *sql)
{
    char g[32], w[32];
    ck_assert_msg(floe_type_equal(got, want), "%s: got %s, DuckDB says %s", sql,
                  floe_type_format(got, g, sizeof g), floe_type_format(want, w, sizeof w));
}

/* ---- binary operators: every row checked in DuckDB v1.5.5 with SELECT typeof(...) ---- */
typedef struct binary_case {
    const char *duckdb_sql;
    floe_sql_operator op;
    floe_type left, right;
    floe_type duckdb_result;
} binary_case;

#define ADD FLOE_SQL_OPERATOR_ADD
#define SUB FLOE_SQL_OPERATOR_SUBTRACT
#define MUL FLOE_SQL_OPERATOR_MULTIPLY
#define DIV FLOE_SQL_OPERATOR_DIVIDE
#define MOD FLOE_SQL_OPERATOR_MODULO

static const binary_case duckdb_binary_cases[] = {
    /* integers and floats */
    {"1::INTEGER+1::INTEGER", ADD, {FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_INT32, 0, 0}},
    {"1::INTEGER+1::BIGINT", ADD, {FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_INT64, 0, 0}, {FLOE_TYPE_INT64, 0, 0}},
    {"1::BIGINT*1::BIGINT", MUL, {FLOE_TYPE_INT64, 0, 0}, {FLOE_TYPE_INT64, 0, 0}, {FLOE_TYPE_INT64, 0, 0}},
    {"1::INTEGER+1::DOUBLE", ADD, {FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_FLOAT64, 0, 0}, {FLOE_TYPE_FLOAT64, 0, 0}},
    {"1::INTEGER+1::REAL", ADD, {FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_FLOAT32, 0, 0}, {FLOE_TYPE_FLOAT32, 0, 0}},
    {"1::BIGINT-1::REAL", SUB, {FLOE_TYPE_INT64, 0, 0}, {FLOE_TYPE_FLOAT32, 0, 0}, {FLOE_TYPE_FLOAT32, 0, 0}},
    {"1::INTEGER%1::BIGINT", MOD, {FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_INT64, 0, 0}, {FLOE_TYPE_INT64, 0, 0}},
    {"1::INTEGER/1::INTEGER", DIV, {FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_FLOAT64, 0, 0}},
    {"1::BIGINT/1::BIGINT", DIV, {FLOE_TYPE_INT64, 0, 0}, {FLOE_TYPE_INT64, 0, 0}, {FLOE_TYPE_FLOAT64, 0, 0}},
    {"1::REAL/1::INTEGER", DIV, {FLOE_TYPE_FLOAT32, 0, 0}, {FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_FLOAT32, 0, 0}},
    {"1::DOUBLE/1::REAL", DIV, {FLOE_TYPE_FLOAT64, 0, 0}, {FLOE_TYPE_FLOAT32, 0, 0}, {FLOE_TYPE_FLOAT64, 0, 0}},
    /* integer with decimal */
    {"1::INTEGER+1::DECIMAL(10,2)", ADD, {FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_DECIMAL, 10, 2}, {FLOE_TYPE_DECIMAL, 13, 2}},
    {"1::BIGINT+1::DECIMAL(10,2)", ADD, {FLOE_TYPE_INT64, 0, 0}, {FLOE_TYPE_DECIMAL, 10, 2}, {FLOE_TYPE_DECIMAL, 22, 2}},
    {"1::INTEGER*1::DECIMAL(10,2)", MUL, {FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_DECIMAL, 10, 2}, {FLOE_TYPE_DECIMAL, 18, 2}},
    {"1::BIGINT*1::DECIMAL(10,2)", MUL, {FLOE_TYPE_INT64, 0, 0}, {FLOE_TYPE_DECIMAL, 10, 2}, {FLOE_TYPE_DECIMAL, 29, 2}},
    {"1::DECIMAL(10,2)/1::INTEGER", DIV, {FLOE_TYPE_DECIMAL, 10, 2}, {FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_FLOAT64, 0, 0}},
    {"1::DECIMAL(10,2)%1::INTEGER", MOD, {FLOE_TYPE_DECIMAL, 10, 2}, {FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_DECIMAL, 12, 2}},
    /* decimal with float */
    {"1::DECIMAL(10,2)+1::DOUBLE", ADD, {FLOE_TYPE_DECIMAL, 10, 2}, {FLOE_TYPE_FLOAT64, 0, 0}, {FLOE_TYPE_FLOAT64, 0, 0}},
    {"1::DECIMAL(10,2)+1::REAL", ADD, {FLOE_TYPE_DECIMAL, 10, 2}, {FLOE_TYPE_FLOAT32, 0, 0}, {FLOE_TYPE_FLOAT32, 0, 0}},
    /* decimal with decimal: + - * / % */
    {"1::DECIMAL(10,2)+1::DECIMAL(12,4)", ADD, {FLOE_TYPE_DECIMAL, 10, 2}, {FLOE_TYPE_DECIMAL, 12, 4}, {FLOE_TYPE_DECIMAL, 13, 4}},
    {"1::DECIMAL(10,2)-1::DECIMAL(12,4)", SUB, {FLOE_TYPE_DECIMAL, 10, 2}, {FLOE_TYPE_DECIMAL, 12, 4}, {FLOE_TYPE_DECIMAL, 13, 4}},
    {"1::DECIMAL(10,2)*1::DECIMAL(12,4)", MUL, {FLOE_TYPE_DECIMAL, 10, 2}, {FLOE_TYPE_DECIMAL, 12, 4}, {FLOE_TYPE_DECIMAL, 18, 6}},
    {"1::DECIMAL(10,2)/1::DECIMAL(12,4)", DIV, {FLOE_TYPE_DECIMAL, 10, 2}, {FLOE_TYPE_DECIMAL, 12, 4}, {FLOE_TYPE_FLOAT64, 0, 0}},
    {"1::DECIMAL(10,2)%1::DECIMAL(12,4)", MOD, {FLOE_TYPE_DECIMAL, 10, 2}, {FLOE_TYPE_DECIMAL, 12, 4}, {FLOE_TYPE_DECIMAL, 12, 4}},
    {"1::DECIMAL(18,2)+1::DECIMAL(18,2)", ADD, {FLOE_TYPE_DECIMAL, 18, 2}, {FLOE_TYPE_DECIMAL, 18, 2}, {FLOE_TYPE_DECIMAL, 18, 2}},
    {"1::DECIMAL(20,2)*1::DECIMAL(12,4)", MUL, {FLOE_TYPE_DECIMAL, 20, 2}, {FLOE_TYPE_DECIMAL, 12, 4}, {FLOE_TYPE_DECIMAL, 32, 6}},
    {"1::DECIMAL(30,10)*1::DECIMAL(30,10)", MUL, {FLOE_TYPE_DECIMAL, 30, 10}, {FLOE_TYPE_DECIMAL, 30, 10}, {FLOE_TYPE_DECIMAL, 38, 20}},
    {"1::DECIMAL(38,0)+1::DECIMAL(38,0)", ADD, {FLOE_TYPE_DECIMAL, 38, 0}, {FLOE_TYPE_DECIMAL, 38, 0}, {FLOE_TYPE_DECIMAL, 38, 0}},
    {"1::DECIMAL(4,1)*1::DECIMAL(3,2)", MUL, {FLOE_TYPE_DECIMAL, 4, 1}, {FLOE_TYPE_DECIMAL, 3, 2}, {FLOE_TYPE_DECIMAL, 7, 3}},
    {"1::DECIMAL(20,6)-1::DECIMAL(4,4)", SUB, {FLOE_TYPE_DECIMAL, 20, 6}, {FLOE_TYPE_DECIMAL, 4, 4}, {FLOE_TYPE_DECIMAL, 21, 6}},
    {"1::DECIMAL(18,9)%1::DECIMAL(5,1)", MOD, {FLOE_TYPE_DECIMAL, 18, 9}, {FLOE_TYPE_DECIMAL, 5, 1}, {FLOE_TYPE_DECIMAL, 18, 9}},
    /* comparisons and logic are BOOLEAN */
    {"(1::INTEGER = 1::DECIMAL(10,2))", FLOE_SQL_OPERATOR_EQUAL, {FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_DECIMAL, 10, 2}, {FLOE_TYPE_BOOLEAN, 0, 0}},
    {"(1::INTEGER < 1::DOUBLE)", FLOE_SQL_OPERATOR_LESS, {FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_FLOAT64, 0, 0}, {FLOE_TYPE_BOOLEAN, 0, 0}},
    {"(DATE '2020-01-01' < TIMESTAMP '2020-01-01')", FLOE_SQL_OPERATOR_LESS, {FLOE_TYPE_DATE, 0, 0}, {FLOE_TYPE_TIMESTAMP, 0, 0}, {FLOE_TYPE_BOOLEAN, 0, 0}},
    {"(true AND false)", FLOE_SQL_OPERATOR_AND, {FLOE_TYPE_BOOLEAN, 0, 0}, {FLOE_TYPE_BOOLEAN, 0, 0}, {FLOE_TYPE_BOOLEAN, 0, 0}},
    {"1::INTEGER || 'a'", FLOE_SQL_OPERATOR_CONCAT, {FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_STRING, 0, 0}, {FLOE_TYPE_STRING, 0, 0}},
};

START_TEST(binary_result_types_match_duckdb)
{
    const binary_case *c = &duckdb_binary_cases[_i];
    floe_sql_signature sig;
    floe_error err;
    int status = floe_sql_type_binary(c->op, c->left, c->right, &sig, &err);
    ck_assert_msg(status == FLOE_OK, "%s: %s", c->duckdb_sql, err.message);
    assert_type(sig.result, c->duckdb_result, c->duckdb_sql);
}
END_TEST

START_TEST(binary_operand_casts)
{
    floe_sql_signature sig;
    /* Decimal arithmetic keeps each operand's own precision; integers become DECIMAL(10|19,0). */
    ck_assert_int_eq(floe_sql_type_binary(ADD, INT, DEC(10, 2), &sig, NULL), FLOE_OK);
    assert_type(sig.operands[0], DEC(10, 0), "INTEGER operand of decimal +");
    assert_type(sig.operands[1], DEC(10, 2), "decimal operand of +");
    ck_assert_int_eq(floe_sql_type_binary(MUL, BIG, DEC(12, 4), &sig, NULL), FLOE_OK);
    assert_type(sig.operands[0], DEC(19, 0), "BIGINT operand of decimal *");
    /* Integer division: both operands go to DOUBLE (SELECT 7/2 = 3.5). */
    ck_assert_int_eq(floe_sql_type_binary(DIV, INT, BIG, &sig, NULL), FLOE_OK);
    assert_type(sig.operands[0], DBL, "/ left");
    assert_type(sig.operands[1], DBL, "/ right");
    /* Comparisons cast both sides to the common type. */
    ck_assert_int_eq(floe_sql_type_binary(FLOE_SQL_OPERATOR_GREATER_EQUAL, BIG, DEC(10, 2), &sig,
                                          NULL), FLOE_OK);
    assert_type(sig.operands[0], DEC(21, 2), ">= left");
    assert_type(sig.operands[1], DEC(21, 2), ">= right");
    ck_assert_int_eq(floe_sql_type_binary(FLOE_SQL_OPERATOR_EQUAL, DATE, TS, &sig, NULL), FLOE_OK);
    assert_type(sig.operands[0], TS, "DATE = TIMESTAMP");
    ck_assert_int_eq(floe_sql_type_binary(FLOE_SQL_OPERATOR_CONCAT, DATE, INT, &sig, NULL), FLOE_OK);
    assert_type(sig.operands[0], VARCHAR, "|| casts to VARCHAR");
    assert_type(sig.operands[1], VARCHAR, "|| casts to VARCHAR");
}
END_TEST

START_TEST(binary_refusals)
{
    floe_sql_signature sig;
    floe_error err;
    ck_assert_int_eq(floe_sql_type_binary(ADD, VARCHAR, INT, &sig, &err), FLOE_ETYPE);
    ck_assert_str_eq(err.message, "+: no rule for VARCHAR and INTEGER");
    ck_assert_int_eq(floe_sql_type_binary(FLOE_SQL_OPERATOR_LESS, VARCHAR, INT, &sig, &err),
                     FLOE_ETYPE);
    ck_assert_ptr_nonnull(strstr(err.message, "<"));
    ck_assert_int_eq(floe_sql_type_binary(FLOE_SQL_OPERATOR_AND, BOOL, INT, &sig, &err), FLOE_ETYPE);
    ck_assert_int_eq(floe_sql_type_binary(SUB, DATE, DATE, &sig, &err), FLOE_ETYPE);
    ck_assert_int_eq(floe_sql_type_binary(FLOE_SQL_OPERATOR_NOT, BOOL, BOOL, &sig, &err),
                     FLOE_EINVAL);
    /* A product's scale above 38 has no decimal type. */
    ck_assert_int_eq(floe_sql_type_binary(MUL, DEC(38, 20), DEC(38, 20), &sig, &err), FLOE_ETYPE);
    ck_assert_ptr_nonnull(strstr(err.message, "scale 40"));
}
END_TEST

/* ---- common types: DuckDB v1.5.5, SELECT typeof(coalesce(a, b)) / typeof(CASE ...) ---- */
typedef struct common_case {
    const char *duckdb_sql;
    floe_type left, right;
    floe_type duckdb_result;
} common_case;

static const common_case duckdb_common_cases[] = {
    {"coalesce(1::INTEGER,1::BIGINT)", {FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_INT64, 0, 0}, {FLOE_TYPE_INT64, 0, 0}},
    {"coalesce(1::INTEGER,1::DECIMAL(10,2))", {FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_DECIMAL, 10, 2}, {FLOE_TYPE_DECIMAL, 12, 2}},
    {"coalesce(1::BIGINT,1::DECIMAL(10,2))", {FLOE_TYPE_INT64, 0, 0}, {FLOE_TYPE_DECIMAL, 10, 2}, {FLOE_TYPE_DECIMAL, 21, 2}},
    {"coalesce(1::DECIMAL(10,2),1::DECIMAL(12,4))", {FLOE_TYPE_DECIMAL, 10, 2}, {FLOE_TYPE_DECIMAL, 12, 4}, {FLOE_TYPE_DECIMAL, 12, 4}},
    {"coalesce(1::DECIMAL(38,10),1::BIGINT)", {FLOE_TYPE_DECIMAL, 38, 10}, {FLOE_TYPE_INT64, 0, 0}, {FLOE_TYPE_DECIMAL, 38, 10}},
    {"coalesce(1::DECIMAL(38,30),1::BIGINT)", {FLOE_TYPE_DECIMAL, 38, 30}, {FLOE_TYPE_INT64, 0, 0}, {FLOE_TYPE_DECIMAL, 38, 30}},
    {"coalesce(1::DECIMAL(10,2),1::DOUBLE)", {FLOE_TYPE_DECIMAL, 10, 2}, {FLOE_TYPE_FLOAT64, 0, 0}, {FLOE_TYPE_FLOAT64, 0, 0}},
    {"coalesce(1::DECIMAL(10,2),1::REAL)", {FLOE_TYPE_DECIMAL, 10, 2}, {FLOE_TYPE_FLOAT32, 0, 0}, {FLOE_TYPE_FLOAT32, 0, 0}},
    {"coalesce(1::INTEGER,1::REAL)", {FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_FLOAT32, 0, 0}, {FLOE_TYPE_FLOAT32, 0, 0}},
    {"coalesce(1::BIGINT,1::DOUBLE)", {FLOE_TYPE_INT64, 0, 0}, {FLOE_TYPE_FLOAT64, 0, 0}, {FLOE_TYPE_FLOAT64, 0, 0}},
    {"coalesce(DATE '2020-01-01', TIMESTAMP '2020-01-01')", {FLOE_TYPE_DATE, 0, 0}, {FLOE_TYPE_TIMESTAMP, 0, 0}, {FLOE_TYPE_TIMESTAMP, 0, 0}},
    {"coalesce(TIMESTAMP '2020-01-01', TIMESTAMPTZ '2020-01-01')", {FLOE_TYPE_TIMESTAMP, 0, 0}, {FLOE_TYPE_TIMESTAMPTZ, 0, 0}, {FLOE_TYPE_TIMESTAMPTZ, 0, 0}},
    {"coalesce(DATE '2020-01-01', TIMESTAMPTZ '2020-01-01')", {FLOE_TYPE_DATE, 0, 0}, {FLOE_TYPE_TIMESTAMPTZ, 0, 0}, {FLOE_TYPE_TIMESTAMPTZ, 0, 0}},
    {"CASE WHEN true THEN 1::INTEGER ELSE 1::DECIMAL(5,3) END", {FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_DECIMAL, 5, 3}, {FLOE_TYPE_DECIMAL, 13, 3}},
    {"CASE WHEN true THEN 1::INTEGER ELSE 1::DOUBLE END", {FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_FLOAT64, 0, 0}, {FLOE_TYPE_FLOAT64, 0, 0}},
    {"CASE WHEN true THEN DATE '2020-01-01' ELSE TIMESTAMP '2020-01-01' END", {FLOE_TYPE_DATE, 0, 0}, {FLOE_TYPE_TIMESTAMP, 0, 0}, {FLOE_TYPE_TIMESTAMP, 0, 0}},
};

START_TEST(common_types_match_duckdb)
{
    const common_case *c = &duckdb_common_cases[_i];
    floe_type common;
    floe_error err;
    ck_assert_msg(floe_sql_type_common(c->left, c->right, &common, &err) == FLOE_OK, "%s: %s",
                  c->duckdb_sql, err.message);
    assert_type(common, c->duckdb_result, c->duckdb_sql);
    /* Unification is symmetric. */
    ck_assert_int_eq(floe_sql_type_common(c->right, c->left, &common, NULL), FLOE_OK);
    assert_type(common, c->duckdb_result, c->duckdb_sql);
}
END_TEST

START_TEST(common_type_same_and_refused)
{
    floe_type common;
    floe_error err;
    ck_assert_int_eq(floe_sql_type_common(VARCHAR, VARCHAR, &common, NULL), FLOE_OK);
    assert_type(common, VARCHAR, "VARCHAR, VARCHAR");
    ck_assert_int_eq(floe_sql_type_common(DEC(7, 3), DEC(7, 3), &common, NULL), FLOE_OK);
    assert_type(common, DEC(7, 3), "same decimal");
    /* No implicit string <-> number or boolean <-> number unification (a deliberate rule). */
    ck_assert_int_eq(floe_sql_type_common(VARCHAR, INT, &common, &err), FLOE_ETYPE);
    ck_assert_str_eq(err.message, "common type: no rule for VARCHAR and INTEGER");
    ck_assert_int_eq(floe_sql_type_common(DEC(10, 2), VARCHAR, &common, NULL), FLOE_ETYPE);
    ck_assert_int_eq(floe_sql_type_common(BOOL, INT, &common, NULL), FLOE_ETYPE);
    ck_assert_int_eq(floe_sql_type_common(DATE, INT, &common, NULL), FLOE_ETYPE);
}
END_TEST

START_TEST(unary_types)
{
    floe_sql_signature sig;
    floe_error err;
    /* DuckDB: typeof(-(1::INTEGER)) = INTEGER, typeof(-(1::DECIMAL(10,2))) = DECIMAL(10,2). */
    ck_assert_int_eq(floe_sql_type_unary(FLOE_SQL_OPERATOR_NEGATE, INT, &sig, NULL), FLOE_OK);
    assert_type(sig.result, INT, "-(1::INTEGER)");
    ck_assert_int_eq(floe_sql_type_unary(FLOE_SQL_OPERATOR_NEGATE, DEC(10, 2), &sig, NULL), FLOE_OK);
    assert_type(sig.result, DEC(10, 2), "-(1::DECIMAL(10,2))");
    ck_assert_int_eq(floe_sql_type_unary(FLOE_SQL_OPERATOR_NOT, BOOL, &sig, NULL), FLOE_OK);
    assert_type(sig.result, BOOL, "NOT true");
    ck_assert_int_eq(floe_sql_type_unary(FLOE_SQL_OPERATOR_NEGATE, VARCHAR, &sig, &err), FLOE_ETYPE);
    ck_assert_str_eq(err.message, "cannot negate a VARCHAR");
    ck_assert_int_eq(floe_sql_type_unary(FLOE_SQL_OPERATOR_NOT, INT, &sig, &err), FLOE_ETYPE);
    ck_assert_str_eq(err.message, "NOT needs a BOOLEAN, not a INTEGER");
    ck_assert_int_eq(floe_sql_type_unary(ADD, INT, &sig, &err), FLOE_EINVAL);
}
END_TEST

/* ---- functions: DuckDB v1.5.5, SELECT typeof(f(...)) ---- */
typedef struct function_case {
    const char *duckdb_sql;
    floe_sql_function function;
    uint32_t argument_count;
    floe_type arguments[3];
    int has_int_constant;   /* argument 1 is the integer constant `digits` */
    int64_t digits;
    const char *text_constant; /* argument 0 is this string constant (extract/date_trunc) */
    floe_type duckdb_result;
} function_case;

#define F(name) FLOE_SQL_FUNCTION_##name
static const function_case duckdb_function_cases[] = {
    {"round(1::DECIMAL(10,3), 1)", F(ROUND), 2, {{FLOE_TYPE_DECIMAL, 10, 3}, {FLOE_TYPE_INT32, 0, 0}}, 1, 1, NULL, {FLOE_TYPE_DECIMAL, 10, 1}},
    {"round(1::DECIMAL(10,3))", F(ROUND), 1, {{FLOE_TYPE_DECIMAL, 10, 3}}, 0, 0, NULL, {FLOE_TYPE_DECIMAL, 10, 0}},
    {"round(1::DECIMAL(10,3), 5)", F(ROUND), 2, {{FLOE_TYPE_DECIMAL, 10, 3}, {FLOE_TYPE_INT32, 0, 0}}, 1, 5, NULL, {FLOE_TYPE_DECIMAL, 10, 3}},
    {"round(1::DECIMAL(10,3), -1)", F(ROUND), 2, {{FLOE_TYPE_DECIMAL, 10, 3}, {FLOE_TYPE_INT32, 0, 0}}, 1, -1, NULL, {FLOE_TYPE_DECIMAL, 10, 0}},
    {"round(1::INTEGER)", F(ROUND), 1, {{FLOE_TYPE_INT32, 0, 0}}, 0, 0, NULL, {FLOE_TYPE_INT32, 0, 0}},
    {"round(1::BIGINT, 2)", F(ROUND), 2, {{FLOE_TYPE_INT64, 0, 0}, {FLOE_TYPE_INT32, 0, 0}}, 1, 2, NULL, {FLOE_TYPE_INT64, 0, 0}},
    {"round(1::DOUBLE, 2)", F(ROUND), 2, {{FLOE_TYPE_FLOAT64, 0, 0}, {FLOE_TYPE_INT32, 0, 0}}, 1, 2, NULL, {FLOE_TYPE_FLOAT64, 0, 0}},
    {"round(1::REAL)", F(ROUND), 1, {{FLOE_TYPE_FLOAT32, 0, 0}}, 0, 0, NULL, {FLOE_TYPE_FLOAT32, 0, 0}},
    {"floor(1::INTEGER)", F(FLOOR), 1, {{FLOE_TYPE_INT32, 0, 0}}, 0, 0, NULL, {FLOE_TYPE_FLOAT64, 0, 0}},
    {"ceil(1::BIGINT)", F(CEIL), 1, {{FLOE_TYPE_INT64, 0, 0}}, 0, 0, NULL, {FLOE_TYPE_FLOAT64, 0, 0}},
    {"floor(1::DECIMAL(10,3))", F(FLOOR), 1, {{FLOE_TYPE_DECIMAL, 10, 3}}, 0, 0, NULL, {FLOE_TYPE_DECIMAL, 10, 0}},
    {"ceil(1::DECIMAL(25,5))", F(CEIL), 1, {{FLOE_TYPE_DECIMAL, 25, 5}}, 0, 0, NULL, {FLOE_TYPE_DECIMAL, 25, 0}},
    {"floor(1::REAL)", F(FLOOR), 1, {{FLOE_TYPE_FLOAT32, 0, 0}}, 0, 0, NULL, {FLOE_TYPE_FLOAT32, 0, 0}},
    {"ceil(1::DOUBLE)", F(CEIL), 1, {{FLOE_TYPE_FLOAT64, 0, 0}}, 0, 0, NULL, {FLOE_TYPE_FLOAT64, 0, 0}},
    {"abs(1::BIGINT)", F(ABS), 1, {{FLOE_TYPE_INT64, 0, 0}}, 0, 0, NULL, {FLOE_TYPE_INT64, 0, 0}},
    {"abs(1::DECIMAL(10,3))", F(ABS), 1, {{FLOE_TYPE_DECIMAL, 10, 3}}, 0, 0, NULL, {FLOE_TYPE_DECIMAL, 10, 3}},
    {"length('x'::VARCHAR)", F(LENGTH), 1, {{FLOE_TYPE_STRING, 0, 0}}, 0, 0, NULL, {FLOE_TYPE_INT64, 0, 0}},
    {"substring('abc', 1::INTEGER, 2::INTEGER)", F(SUBSTRING), 3, {{FLOE_TYPE_STRING, 0, 0}, {FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_INT32, 0, 0}}, 0, 0, NULL, {FLOE_TYPE_STRING, 0, 0}},
    {"lower('A')", F(LOWER), 1, {{FLOE_TYPE_STRING, 0, 0}}, 0, 0, NULL, {FLOE_TYPE_STRING, 0, 0}},
    {"concat(1, 'a', DATE '2020-01-01')", F(CONCAT), 3, {{FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_STRING, 0, 0}, {FLOE_TYPE_DATE, 0, 0}}, 0, 0, NULL, {FLOE_TYPE_STRING, 0, 0}},
    {"extract(year from DATE '2020-01-01')", F(EXTRACT), 2, {{FLOE_TYPE_STRING, 0, 0}, {FLOE_TYPE_DATE, 0, 0}}, 0, 0, "year", {FLOE_TYPE_INT64, 0, 0}},
    {"extract(month from TIMESTAMP '2020-01-01')", F(EXTRACT), 2, {{FLOE_TYPE_STRING, 0, 0}, {FLOE_TYPE_TIMESTAMP, 0, 0}}, 0, 0, "month", {FLOE_TYPE_INT64, 0, 0}},
    {"extract(epoch from TIMESTAMP '2020-01-01')", F(EXTRACT), 2, {{FLOE_TYPE_STRING, 0, 0}, {FLOE_TYPE_TIMESTAMP, 0, 0}}, 0, 0, "EPOCH", {FLOE_TYPE_FLOAT64, 0, 0}},
    {"extract(epoch from DATE '2020-01-01')", F(EXTRACT), 2, {{FLOE_TYPE_STRING, 0, 0}, {FLOE_TYPE_DATE, 0, 0}}, 0, 0, "epoch", {FLOE_TYPE_FLOAT64, 0, 0}},
    {"date_trunc('month', DATE '2020-01-01')", F(DATE_TRUNC), 2, {{FLOE_TYPE_STRING, 0, 0}, {FLOE_TYPE_DATE, 0, 0}}, 0, 0, "month", {FLOE_TYPE_TIMESTAMP, 0, 0}},
    {"date_trunc('day', TIMESTAMP '2020-01-01')", F(DATE_TRUNC), 2, {{FLOE_TYPE_STRING, 0, 0}, {FLOE_TYPE_TIMESTAMP, 0, 0}}, 0, 0, "day", {FLOE_TYPE_TIMESTAMP, 0, 0}},
    {"date_trunc('hour', TIMESTAMPTZ '2020-01-01')", F(DATE_TRUNC), 2, {{FLOE_TYPE_STRING, 0, 0}, {FLOE_TYPE_TIMESTAMPTZ, 0, 0}}, 0, 0, "hour", {FLOE_TYPE_TIMESTAMPTZ, 0, 0}},
};

START_TEST(function_result_types_match_duckdb)
{
    const function_case *c = &duckdb_function_cases[_i];
    floe_sql_value digits = floe_sql_value_int64(c->digits);
    floe_sql_value text = floe_sql_value_null(VARCHAR);
    if (c->text_constant != NULL) {
        text.is_null = false;
        text.as.string.bytes = c->text_constant;
        text.as.string.length = (uint32_t)strlen(c->text_constant);
    }
    const floe_sql_value *constants[3] = {c->text_constant != NULL ? &text : NULL,
                                          c->has_int_constant ? &digits : NULL, NULL};
    floe_type targets[3], result;
    floe_error err;
    int status = floe_sql_type_function(c->function, c->argument_count, c->arguments, constants,
                                        targets, &result, &err);
    ck_assert_msg(status == FLOE_OK, "%s: %s", c->duckdb_sql, err.message);
    assert_type(result, c->duckdb_result, c->duckdb_sql);
}
END_TEST

START_TEST(function_argument_targets_and_refusals)
{
    floe_type targets[3], result;
    floe_error err;
    floe_type sub[3] = {VARCHAR, INT, INT};
    ck_assert_int_eq(floe_sql_type_function(F(SUBSTRING), 3, sub, NULL, targets, &result, NULL),
                     FLOE_OK);
    assert_type(targets[1], BIG, "substring start goes to BIGINT");
    assert_type(targets[2], BIG, "substring length goes to BIGINT");
    floe_type fl[1] = {INT};
    ck_assert_int_eq(floe_sql_type_function(F(FLOOR), 1, fl, NULL, targets, &result, NULL), FLOE_OK);
    assert_type(targets[0], DBL, "floor(INTEGER) casts its argument to DOUBLE");
    floe_type cc[2] = {INT, DATE};
    ck_assert_int_eq(floe_sql_type_function(F(CONCAT), 2, cc, NULL, targets, &result, NULL), FLOE_OK);
    assert_type(targets[0], VARCHAR, "concat arg 0");
    assert_type(targets[1], VARCHAR, "concat arg 1");
    /* Extract without a constant field (or a non-epoch one) is BIGINT. */
    floe_type ex[2] = {VARCHAR, TS};
    ck_assert_int_eq(floe_sql_type_function(F(EXTRACT), 2, ex, NULL, targets, &result, NULL), FLOE_OK);
    assert_type(result, BIG, "extract without constants");

    ck_assert_int_eq(floe_sql_type_function(F(LENGTH), 1, fl, NULL, targets, &result, &err), FLOE_ETYPE);
    ck_assert_str_eq(err.message, "string function over a INTEGER");
    ck_assert_int_eq(floe_sql_type_function(F(LENGTH), 2, sub, NULL, targets, &result, &err), FLOE_EINVAL);
    ck_assert_int_eq(floe_sql_type_function(F(SUBSTRING), 1, sub, NULL, targets, &result, &err), FLOE_EINVAL);
    floe_type sub_bad[2] = {VARCHAR, DBL};
    ck_assert_int_eq(floe_sql_type_function(F(SUBSTRING), 2, sub_bad, NULL, targets, &result, &err), FLOE_ETYPE);
    floe_type abs_bad[1] = {VARCHAR};
    ck_assert_int_eq(floe_sql_type_function(F(ABS), 1, abs_bad, NULL, targets, &result, &err), FLOE_ETYPE);
    ck_assert_int_eq(floe_sql_type_function(F(FLOOR), 2, sub, NULL, targets, &result, &err), FLOE_EINVAL);
    floe_type rd[2] = {DEC(10, 3), INT};
    /* Rounding a decimal to non-constant digits has no static result type. */
    ck_assert_int_eq(floe_sql_type_function(F(ROUND), 2, rd, NULL, targets, &result, &err), FLOE_EUNSUPPORTED);
    floe_type rd_bad[2] = {DBL, DBL};
    ck_assert_int_eq(floe_sql_type_function(F(ROUND), 2, rd_bad, NULL, targets, &result, &err), FLOE_ETYPE);
    floe_type dt_bad[2] = {VARCHAR, INT};
    ck_assert_int_eq(floe_sql_type_function(F(DATE_TRUNC), 2, dt_bad, NULL, targets, &result, &err), FLOE_ETYPE);
    ck_assert_int_eq(floe_sql_type_function(F(EXTRACT), 1, dt_bad, NULL, targets, &result, &err), FLOE_EINVAL);
    ck_assert_int_eq(floe_sql_type_function(F(NONE), 1, dt_bad, NULL, targets, &result, &err), FLOE_EINVAL);
}
END_TEST

/* ---- casts: DuckDB v1.5.5, SELECT CAST(CAST(v AS from) AS to) evaluated on a table row ---- */
typedef struct cast_case {
    floe_type from, to;
    int duckdb_allows; /* 0: "Conversion Error: Unimplemented type for cast (from -> to)" */
} cast_case;

static const cast_case duckdb_cast_cases[] = {
    {{FLOE_TYPE_DATE, 0, 0}, {FLOE_TYPE_INT32, 0, 0}, 0},
    {{FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_DATE, 0, 0}, 0},
    {{FLOE_TYPE_BOOLEAN, 0, 0}, {FLOE_TYPE_DATE, 0, 0}, 0},
    {{FLOE_TYPE_TIMESTAMP, 0, 0}, {FLOE_TYPE_INT64, 0, 0}, 0},
    {{FLOE_TYPE_INT64, 0, 0}, {FLOE_TYPE_TIMESTAMP, 0, 0}, 0},
    {{FLOE_TYPE_FLOAT64, 0, 0}, {FLOE_TYPE_TIMESTAMP, 0, 0}, 0},
    {{FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_BINARY, 0, 0}, 0},
    {{FLOE_TYPE_BOOLEAN, 0, 0}, {FLOE_TYPE_INT32, 0, 0}, 1},
    {{FLOE_TYPE_INT32, 0, 0}, {FLOE_TYPE_BOOLEAN, 0, 0}, 1},
    {{FLOE_TYPE_DECIMAL, 10, 2}, {FLOE_TYPE_BOOLEAN, 0, 0}, 1},
    {{FLOE_TYPE_BOOLEAN, 0, 0}, {FLOE_TYPE_DECIMAL, 10, 2}, 1},
    {{FLOE_TYPE_FLOAT64, 0, 0}, {FLOE_TYPE_DECIMAL, 10, 2}, 1},
    {{FLOE_TYPE_FLOAT32, 0, 0}, {FLOE_TYPE_INT64, 0, 0}, 1},
    {{FLOE_TYPE_DATE, 0, 0}, {FLOE_TYPE_TIMESTAMP, 0, 0}, 1},
    {{FLOE_TYPE_TIMESTAMP, 0, 0}, {FLOE_TYPE_DATE, 0, 0}, 1},
    {{FLOE_TYPE_TIMESTAMPTZ, 0, 0}, {FLOE_TYPE_DATE, 0, 0}, 1},
    {{FLOE_TYPE_DATE, 0, 0}, {FLOE_TYPE_TIMESTAMPTZ, 0, 0}, 1},
    {{FLOE_TYPE_STRING, 0, 0}, {FLOE_TYPE_INT32, 0, 0}, 1},
    {{FLOE_TYPE_STRING, 0, 0}, {FLOE_TYPE_DATE, 0, 0}, 1}, /* exists; fails on bad text */
    {{FLOE_TYPE_DATE, 0, 0}, {FLOE_TYPE_STRING, 0, 0}, 1},
    {{FLOE_TYPE_FLOAT64, 0, 0}, {FLOE_TYPE_STRING, 0, 0}, 1},
    {{FLOE_TYPE_BINARY, 0, 0}, {FLOE_TYPE_STRING, 0, 0}, 1},
};

START_TEST(casts_match_duckdb)
{
    const cast_case *c = &duckdb_cast_cases[_i];
    char f[32], t[32];
    ck_assert_msg(floe_sql_type_can_cast(c->from, c->to) == (c->duckdb_allows != 0),
                  "CAST %s AS %s: DuckDB %s it", floe_type_format(c->from, f, sizeof f),
                  floe_type_format(c->to, t, sizeof t), c->duckdb_allows ? "allows" : "refuses");
}
END_TEST

START_TEST(cast_identity_and_invalid)
{
    ck_assert(floe_sql_type_can_cast(DEC(12, 4), DEC(12, 4)));
    ck_assert(floe_sql_type_can_cast(DEC(12, 4), DEC(5, 1)));
    ck_assert(floe_sql_type_can_cast(BLOB, BLOB));
    ck_assert(!floe_sql_type_can_cast(T(FLOE_TYPE_INVALID), VARCHAR));
    ck_assert(!floe_sql_type_can_cast(INT, DEC(40, 2)));
}
END_TEST

START_TEST(type_classes)
{
    ck_assert(floe_sql_type_is_integer(INT) && floe_sql_type_is_integer(BIG));
    ck_assert(!floe_sql_type_is_integer(DEC(10, 0)));
    ck_assert(floe_sql_type_is_float(REAL) && floe_sql_type_is_float(DBL));
    ck_assert(floe_sql_type_is_numeric(DEC(38, 2)) && !floe_sql_type_is_numeric(BOOL));
    ck_assert(floe_sql_type_is_temporal(TSTZ) && !floe_sql_type_is_temporal(VARCHAR));
    assert_type(floe_sql_type_as_decimal(INT), DEC(10, 0), "INTEGER as decimal");
    assert_type(floe_sql_type_as_decimal(BIG), DEC(19, 0), "BIGINT as decimal");
    assert_type(floe_sql_type_as_decimal(DEC(7, 2)), DEC(7, 2), "decimal as decimal");
}
END_TEST

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

int main(void)
{
    Suite *suite = suite_create("expression_types");
    TCase *tc = tcase_create("rules");
    tcase_add_loop_test(tc, binary_result_types_match_duckdb, 0, COUNT(duckdb_binary_cases));
    tcase_add_test(tc, binary_operand_casts);
    tcase_add_test(tc, binary_refusals);
    tcase_add_loop_test(tc, common_types_match_duckdb, 0, COUNT(duckdb_common_cases));
    tcase_add_test(tc, common_type_same_and_refused);
    tcase_add_test(tc, unary_types);
    tcase_add_loop_test(tc, function_result_types_match_duckdb, 0, COUNT(duckdb_function_cases));
    tcase_add_test(tc, function_argument_targets_and_refusals);
    tcase_add_loop_test(tc, casts_match_duckdb, 0, COUNT(duckdb_cast_cases));
    tcase_add_test(tc, cast_identity_and_invalid);
    tcase_add_test(tc, type_classes);
    suite_add_tcase(suite, tc);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
