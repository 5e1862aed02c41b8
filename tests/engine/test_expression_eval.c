/*
 * Description: the vectorized expression evaluator (engine/expression_eval.h) over hand-made
 * batches, with trees built directly by the sql/expression.h constructors: NULL propagation with
 * and without validity bitmaps, three-valued AND/OR/NOT, selection vectors (only live rows are
 * computed or can fail; predicates refine a selection), dictionary-encoded inputs, integer and
 * decimal overflow, division by zero, CASE/COALESCE laziness, IN with NULLs, LIKE, UTF-8 string
 * functions, date_trunc/extract before 1970 and on leap days, int128 decimals, casts from text,
 * constant folding and allocation failure at state creation.
 * Expected values that are not plain arithmetic (LIKE, substring, casts, dates) were checked
 * against DuckDB v1.5.5 (tests/interop's @duckdb/node-api); the SQL is quoted next to them.
 */
#include "engine/expression_eval.h"
#include "kernels/arena.h"
#include "kernels/memory.h"
#include "kernels/vector.h"
#include "sql/expression.h"

#include <check.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- tree building ---- */

static floe_arena arena;

static void setup(void) { floe_arena_init(&arena, 4096, 0); }
static void teardown(void) { floe_arena_fini(&arena); }

static floe_type T(floe_type_id id) { return floe_type_make(id); }
#define BOOL T(FLOE_TYPE_BOOLEAN)
#define INT T(FLOE_TYPE_INT32)
#define BIG T(FLOE_TYPE_INT64)
#define DBL T(FLOE_TYPE_FLOAT64)
#define STR T(FLOE_TYPE_STRING)
#define DATE T(FLOE_TYPE_DATE)
#define TS T(FLOE_TYPE_TIMESTAMP)

static floe_sql_expression *col(uint32_t index, floe_type type)
{
    floe_sql_expression *e = floe_sql_expression_column(&arena, index, type, true);
    ck_assert_ptr_nonnull(e);
    return e;
}

static floe_sql_expression *constant(floe_sql_value v)
{
    floe_sql_expression *e = floe_sql_expression_constant(&arena, v);
    ck_assert_ptr_nonnull(e);
    return e;
}

static floe_sql_expression *big(int64_t v) { return constant(floe_sql_value_int64(v)); }

static floe_sql_expression *i32(int32_t v)
{
    floe_sql_value value = floe_sql_value_int64(0);
    value.type = INT;
    value.as.int32 = v;
    return constant(value);
}

static floe_sql_expression *text(const char *s)
{
    floe_sql_value v;
    ck_assert_int_eq(floe_sql_value_string(&arena, s, (uint32_t)strlen(s), &v), FLOE_OK);
    return constant(v);
}

static floe_sql_expression *null_of(floe_type type) { return constant(floe_sql_value_null(type)); }

static floe_sql_expression *node(floe_sql_expression_kind kind, floe_type type, uint32_t n, ...)
{
    floe_sql_expression *children[8];
    va_list ap;
    va_start(ap, n);
    for (uint32_t i = 0; i < n; i++) children[i] = va_arg(ap, floe_sql_expression *);
    va_end(ap);
    floe_sql_expression *e = floe_sql_expression_node(&arena, kind, type, true, n, children);
    ck_assert_ptr_nonnull(e);
    return e;
}

static floe_sql_expression *bin(floe_sql_operator op, floe_type type, floe_sql_expression *a,
                                floe_sql_expression *b)
{
    floe_sql_expression *e = node(FLOE_SQL_EXPRESSION_BINARY, type, 2, a, b);
    e->operator_kind = op;
    return e;
}

static floe_sql_expression *un(floe_sql_operator op, floe_type type, floe_sql_expression *a)
{
    floe_sql_expression *e = node(FLOE_SQL_EXPRESSION_UNARY, type, 1, a);
    e->operator_kind = op;
    return e;
}

static floe_sql_expression *fn2(floe_sql_function f, floe_type type, uint32_t n,
                                floe_sql_expression *a, floe_sql_expression *b,
                                floe_sql_expression *c)
{
    floe_sql_expression *e = node(FLOE_SQL_EXPRESSION_FUNCTION, type, n, a, b, c);
    e->function = f;
    return e;
}

static floe_sql_expression *cast(floe_type to, floe_sql_expression *a)
{
    return node(FLOE_SQL_EXPRESSION_CAST, to, 1, a);
}

#define ADD FLOE_SQL_OPERATOR_ADD
#define SUB FLOE_SQL_OPERATOR_SUBTRACT
#define MUL FLOE_SQL_OPERATOR_MULTIPLY
#define DIV FLOE_SQL_OPERATOR_DIVIDE
#define MOD FLOE_SQL_OPERATOR_MODULO

/* ---- batches ---- */

static void batch_make(floe_batch *b, uint32_t columns, const floe_type *types, uint32_t rows)
{
    floe_error err;
    ck_assert_int_eq(floe_batch_init(b, columns, types, &err), FLOE_OK);
    b->row_count = rows;
}

static void set_i64(floe_batch *b, uint32_t c, const int64_t *values, uint32_t n)
{
    memcpy(b->columns[c].data, values, n * sizeof *values);
}

static void set_i32(floe_batch *b, uint32_t c, const int32_t *values, uint32_t n)
{
    memcpy(b->columns[c].data, values, n * sizeof *values);
}

static void set_strings(floe_vector *v, const char *const *values, uint32_t n)
{
    for (uint32_t r = 0; r < n; r++) {
        if (values[r] == NULL) {
            ck_assert_int_eq(floe_vector_set_string(v, r, "", 0, NULL), FLOE_OK);
            floe_vector_set_null(v, r);
        } else {
            ck_assert_int_eq(floe_vector_set_string(v, r, values[r], (uint32_t)strlen(values[r]),
                                                    NULL), FLOE_OK);
        }
    }
}

/* Evaluates `e` over `b` into `out` (initialised here; the caller finalises it). */
static int run(const floe_sql_expression *e, const floe_batch *b, floe_vector *out, floe_error *err)
{
    ck_assert_int_eq(floe_vector_init(out, e->type, FLOE_BATCH_CAPACITY, NULL), FLOE_OK);
    floe_eng_expression_state *state = NULL;
    floe_error create_err;
    int status = floe_eng_expression_state_create(e, &state, &create_err);
    ck_assert_msg(status == FLOE_OK, "state creation: %s", create_err.message);
    status = floe_eng_evaluate(state, b, out, err);
    floe_eng_expression_state_free(state);
    return status;
}

static int run_predicate(const floe_sql_expression *e, const floe_batch *b, uint16_t *sel,
                         uint32_t *count, floe_error *err)
{
    floe_eng_expression_state *state = NULL;
    ck_assert_int_eq(floe_eng_expression_state_create(e, &state, err), FLOE_OK);
    int status = floe_eng_evaluate_predicate(state, b, sel, count, err);
    floe_eng_expression_state_free(state);
    return status;
}

static int64_t out_i64(const floe_vector *v, uint32_t r) { return ((const int64_t *)v->data)[r]; }
static int32_t out_i32(const floe_vector *v, uint32_t r) { return ((const int32_t *)v->data)[r]; }
static double out_f64(const floe_vector *v, uint32_t r) { return ((const double *)v->data)[r]; }

/* -1 NULL, 0 FALSE, 1 TRUE */
static int out_bool(const floe_vector *v, uint32_t r)
{
    if (floe_vector_is_null(v, r)) return -1;
    return ((const uint8_t *)v->data)[r] != 0;
}

static void assert_string(const floe_vector *v, uint32_t r, const char *want)
{
    ck_assert_msg(!floe_vector_is_null(v, r), "row %u is NULL, want '%s'", r, want);
    uint32_t n;
    const unsigned char *s = floe_vector_string(v, r, &n);
    ck_assert_msg(n == strlen(want) && memcmp(s, want, n) == 0, "row %u: '%.*s', want '%s'", r,
                  (int)n, (const char *)s, want);
}

/* ---- NULL propagation, with and without validity bitmaps ---- */

/* _i: bit 0 left has a bitmap with row 1 NULL, bit 1 right has a bitmap with row 2 NULL,
 * bit 2 both have a bitmap with every row valid (present but all set). */
START_TEST(null_propagation_with_and_without_bitmaps)
{
    floe_type types[2] = {BIG, BIG};
    floe_batch b;
    batch_make(&b, 2, types, 4);
    set_i64(&b, 0, (const int64_t[]){1, 2, 3, 4}, 4);
    set_i64(&b, 1, (const int64_t[]){10, 20, 30, 40}, 4);
    if (_i & 4) {
        floe_vector_prepare_validity(&b.columns[0]);
        floe_vector_prepare_validity(&b.columns[1]);
    }
    if (_i & 1) floe_vector_set_null(&b.columns[0], 1);
    if (_i & 2) floe_vector_set_null(&b.columns[1], 2);
    const floe_sql_operator ops[] = {ADD, SUB, MUL, DIV, MOD};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        floe_vector out;
        floe_error err;
        /* Right operand first so that DIV/MOD are (right / left): 10/1 20/2 30/3 40/4. */
        ck_assert_int_eq(run(bin(ops[k], BIG, col(1, BIG), col(0, BIG)), &b, &out, &err), FLOE_OK);
        for (uint32_t r = 0; r < 4; r++) {
            bool want_null = ((_i & 1) && r == 1) || ((_i & 2) && r == 2);
            ck_assert_int_eq(floe_vector_is_null(&out, r), want_null);
            if (want_null) continue;
            int64_t x = (int64_t)(r + 1) * 10, y = r + 1;
            int64_t want = ops[k] == ADD ? x + y : ops[k] == SUB ? x - y : ops[k] == MUL ? x * y
                         : ops[k] == DIV ? x / y : x % y;
            ck_assert_int_eq(out_i64(&out, r), want);
        }
        floe_vector_fini(&out);
    }
    /* IS NULL / IS NOT NULL are never NULL themselves. */
    floe_vector out;
    ck_assert_int_eq(run(node(FLOE_SQL_EXPRESSION_IS_NULL, BOOL, 1, col(0, BIG)), &b, &out, NULL),
                     FLOE_OK);
    for (uint32_t r = 0; r < 4; r++) ck_assert_int_eq(out_bool(&out, r), (_i & 1) && r == 1);
    floe_vector_fini(&out);
    ck_assert_int_eq(run(node(FLOE_SQL_EXPRESSION_IS_NOT_NULL, BOOL, 1, col(1, BIG)), &b, &out,
                         NULL), FLOE_OK);
    for (uint32_t r = 0; r < 4; r++) ck_assert_int_eq(out_bool(&out, r), !((_i & 2) && r == 2));
    floe_vector_fini(&out);
    /* A comparison with a NULL constant is NULL on every row. */
    ck_assert_int_eq(run(bin(FLOE_SQL_OPERATOR_EQUAL, BOOL, col(0, BIG), null_of(BIG)), &b, &out,
                         NULL), FLOE_OK);
    for (uint32_t r = 0; r < 4; r++) ck_assert_int_eq(out_bool(&out, r), -1);
    floe_vector_fini(&out);
    floe_batch_fini(&b);
}
END_TEST

/* ---- three-valued logic: full truth tables ---- */

/* Row r holds (left, right) = (v[r / 3], v[r % 3]) with v = TRUE, FALSE, NULL. */
static void truth_batch(floe_batch *b)
{
    floe_type types[2] = {BOOL, BOOL};
    batch_make(b, 2, types, 9);
    const int v[3] = {1, 0, -1};
    for (uint32_t r = 0; r < 9; r++) {
        int l = v[r / 3], rt = v[r % 3];
        ((uint8_t *)b->columns[0].data)[r] = l == 1;
        ((uint8_t *)b->columns[1].data)[r] = rt == 1;
        if (l < 0) floe_vector_set_null(&b->columns[0], r);
        if (rt < 0) floe_vector_set_null(&b->columns[1], r);
    }
}

/* SQL's tables, rows in the order above (T,F,N) x (T,F,N). */
static const int and_table[9] = {1, 0, -1, 0, 0, 0, -1, 0, -1};
static const int or_table[9] = {1, 1, 1, 1, 0, -1, 1, -1, -1};
static const int not_table[3] = {0, 1, -1};

START_TEST(three_valued_and_or_not)
{
    floe_batch b;
    truth_batch(&b);
    floe_vector out;
    ck_assert_int_eq(run(bin(FLOE_SQL_OPERATOR_AND, BOOL, col(0, BOOL), col(1, BOOL)), &b, &out,
                         NULL), FLOE_OK);
    for (uint32_t r = 0; r < 9; r++) ck_assert_msg(out_bool(&out, r) == and_table[r], "AND row %u", r);
    floe_vector_fini(&out);
    ck_assert_int_eq(run(bin(FLOE_SQL_OPERATOR_OR, BOOL, col(0, BOOL), col(1, BOOL)), &b, &out,
                         NULL), FLOE_OK);
    for (uint32_t r = 0; r < 9; r++) ck_assert_msg(out_bool(&out, r) == or_table[r], "OR row %u", r);
    floe_vector_fini(&out);
    ck_assert_int_eq(run(un(FLOE_SQL_OPERATOR_NOT, BOOL, col(1, BOOL)), &b, &out, NULL), FLOE_OK);
    for (uint32_t r = 0; r < 3; r++) ck_assert_int_eq(out_bool(&out, r), not_table[r]);
    floe_vector_fini(&out);

    /* As predicates: the rows where the table says TRUE (NULL is not kept). */
    uint16_t sel[FLOE_BATCH_CAPACITY];
    uint32_t count;
    ck_assert_int_eq(run_predicate(bin(FLOE_SQL_OPERATOR_AND, BOOL, col(0, BOOL), col(1, BOOL)), &b,
                                   sel, &count, NULL), FLOE_OK);
    ck_assert_uint_eq(count, 1);
    ck_assert_uint_eq(sel[0], 0);
    ck_assert_int_eq(run_predicate(bin(FLOE_SQL_OPERATOR_OR, BOOL, col(0, BOOL), col(1, BOOL)), &b,
                                   sel, &count, NULL), FLOE_OK);
    const uint16_t or_rows[5] = {0, 1, 2, 3, 6};
    ck_assert_uint_eq(count, 5);
    for (uint32_t i = 0; i < 5; i++) ck_assert_uint_eq(sel[i], or_rows[i]);
    ck_assert_int_eq(run_predicate(un(FLOE_SQL_OPERATOR_NOT, BOOL, col(0, BOOL)), &b, sel, &count,
                                   NULL), FLOE_OK);
    ck_assert_uint_eq(count, 3);
    ck_assert_uint_eq(sel[0], 3);
    ck_assert_uint_eq(sel[2], 5);
    /* The same without any validity bitmap: two-valued. */
    floe_vector_reset(&b.columns[0]);
    floe_vector_reset(&b.columns[1]);
    const uint8_t l[4] = {1, 1, 0, 0}, rgt[4] = {1, 0, 1, 0};
    memcpy(b.columns[0].data, l, 4);
    memcpy(b.columns[1].data, rgt, 4);
    b.row_count = 4;
    ck_assert_int_eq(run(bin(FLOE_SQL_OPERATOR_OR, BOOL, col(0, BOOL), col(1, BOOL)), &b, &out,
                         NULL), FLOE_OK);
    for (uint32_t r = 0; r < 4; r++) ck_assert_int_eq(out_bool(&out, r), r < 3);
    floe_vector_fini(&out);
    ck_assert_int_eq(run(bin(FLOE_SQL_OPERATOR_AND, BOOL, col(0, BOOL), col(1, BOOL)), &b, &out,
                         NULL), FLOE_OK);
    for (uint32_t r = 0; r < 4; r++) ck_assert_int_eq(out_bool(&out, r), r == 0);
    floe_vector_fini(&out);
    floe_batch_fini(&b);
}
END_TEST

/* ---- selection vectors ---- */

START_TEST(selection_only_live_rows_computed_and_can_fail)
{
    floe_type types[2] = {BIG, BIG};
    floe_batch b;
    batch_make(&b, 2, types, 6);
    /* Row 2 divides by zero, row 4 overflows: neither is selected. */
    set_i64(&b, 0, (const int64_t[]){10, 21, 5, 40, INT64_MAX, 7}, 6);
    set_i64(&b, 1, (const int64_t[]){2, 4, 0, 8, 1, -7}, 6);
    static const uint16_t live[4] = {0, 1, 3, 5};
    b.selection = live;
    b.selected_count = 4;
    floe_vector out;
    floe_error err;
    ck_assert_int_eq(run(bin(DIV, BIG, col(0, BIG), col(1, BIG)), &b, &out, &err), FLOE_OK);
    ck_assert_int_eq(out_i64(&out, 0), 5);
    ck_assert_int_eq(out_i64(&out, 1), 5);
    ck_assert_int_eq(out_i64(&out, 3), 5);
    ck_assert_int_eq(out_i64(&out, 5), -1);
    floe_vector_fini(&out);
    ck_assert_int_eq(run(bin(MOD, BIG, col(0, BIG), col(1, BIG)), &b, &out, &err), FLOE_OK);
    ck_assert_int_eq(out_i64(&out, 1), 1);
    floe_vector_fini(&out);
    ck_assert_int_eq(run(bin(ADD, BIG, col(0, BIG), col(1, BIG)), &b, &out, &err), FLOE_OK);
    ck_assert_int_eq(out_i64(&out, 5), 0);
    floe_vector_fini(&out);
    /* Selecting the bad rows makes them fail. */
    b.selection = NULL;
    ck_assert_int_eq(run(bin(DIV, BIG, col(0, BIG), col(1, BIG)), &b, &out, &err), FLOE_ERANGE);
    ck_assert_str_eq(err.message, "division by zero");
    floe_vector_fini(&out);
    ck_assert_int_eq(run(bin(ADD, BIG, col(0, BIG), col(1, BIG)), &b, &out, &err), FLOE_ERANGE);
    ck_assert_str_eq(err.message, "integer overflow in + (9223372036854775807 + 1)");
    floe_vector_fini(&out);
    /* A double division by zero on an unselected row is not an error either. */
    floe_type dtypes[2] = {DBL, DBL};
    floe_batch d;
    batch_make(&d, 2, dtypes, 3);
    memcpy(d.columns[0].data, (const double[]){1.0, 2.0, 3.0}, 3 * sizeof(double));
    memcpy(d.columns[1].data, (const double[]){4.0, 0.0, 0.5}, 3 * sizeof(double));
    static const uint16_t d_live[2] = {0, 2};
    d.selection = d_live;
    d.selected_count = 2;
    ck_assert_int_eq(run(bin(DIV, DBL, col(0, DBL), col(1, DBL)), &d, &out, &err), FLOE_OK);
    ck_assert(out_f64(&out, 0) == 0.25 && out_f64(&out, 2) == 6.0);
    floe_vector_fini(&out);
    d.selection = NULL;
    ck_assert_int_eq(run(bin(DIV, DBL, col(0, DBL), col(1, DBL)), &d, &out, &err), FLOE_ERANGE);
    ck_assert_str_eq(err.message, "division by zero");
    floe_vector_fini(&out);
    floe_batch_fini(&d);
    floe_batch_fini(&b);
}
END_TEST

START_TEST(predicate_refines_selection)
{
    floe_type types[1] = {BIG};
    floe_batch b;
    batch_make(&b, 1, types, 10);
    for (int64_t r = 0; r < 10; r++) ((int64_t *)b.columns[0].data)[r] = r;
    floe_vector_set_null(&b.columns[0], 7);
    static const uint16_t odd[5] = {1, 3, 5, 7, 9};
    b.selection = odd;
    b.selected_count = 5;
    uint16_t sel[FLOE_BATCH_CAPACITY];
    uint32_t count;
    /* Column vs constant (the SIMD filter path) and an expression (the generic path). */
    floe_sql_expression *kernel = bin(FLOE_SQL_OPERATOR_GREATER, BOOL, col(0, BIG), big(4));
    floe_sql_expression *generic = bin(FLOE_SQL_OPERATOR_GREATER, BOOL,
                                       bin(MUL, BIG, col(0, BIG), big(2)), big(8));
    floe_sql_expression *flipped = bin(FLOE_SQL_OPERATOR_LESS, BOOL, big(4), col(0, BIG));
    floe_sql_expression *each[3] = {kernel, generic, flipped};
    for (int k = 0; k < 3; k++) {
        ck_assert_int_eq(run_predicate(each[k], &b, sel, &count, NULL), FLOE_OK);
        ck_assert_uint_eq(count, 2); /* 5 and 9: 7 is NULL, evens are not live */
        ck_assert_uint_eq(sel[0], 5);
        ck_assert_uint_eq(sel[1], 9);
    }
    /* AND refines: its right side only sees the left's rows, so 100 / x never sees x = 0. */
    b.selection = NULL;
    floe_sql_expression *guarded = bin(
        FLOE_SQL_OPERATOR_AND, BOOL, bin(FLOE_SQL_OPERATOR_NOT_EQUAL, BOOL, col(0, BIG), big(0)),
        bin(FLOE_SQL_OPERATOR_GREATER_EQUAL, BOOL, bin(DIV, BIG, big(100), col(0, BIG)), big(20)));
    ck_assert_int_eq(run_predicate(guarded, &b, sel, &count, NULL), FLOE_OK);
    ck_assert_uint_eq(count, 5); /* 1 2 3 4 5 */
    for (uint32_t i = 0; i < 5; i++) ck_assert_uint_eq(sel[i], i + 1);
    /* The selection output may be the batch's own selection storage. */
    b.selection_storage[0] = 2;
    b.selection_storage[1] = 6;
    b.selection_storage[2] = 8;
    b.selection = b.selection_storage;
    b.selected_count = 3;
    ck_assert_int_eq(run_predicate(kernel, &b, b.selection_storage, &count, NULL), FLOE_OK);
    ck_assert_uint_eq(count, 2);
    ck_assert_uint_eq(b.selection_storage[0], 6);
    ck_assert_uint_eq(b.selection_storage[1], 8);
    /* An empty selection computes nothing. */
    b.selected_count = 0;
    ck_assert_int_eq(run_predicate(guarded, &b, sel, &count, NULL), FLOE_OK);
    ck_assert_uint_eq(count, 0);
    floe_batch_fini(&b);
}
END_TEST

/* ---- dictionary-encoded inputs ---- */

START_TEST(dictionary_encoded_inputs)
{
    floe_vector dict;
    ck_assert_int_eq(floe_vector_init(&dict, STR, 4, NULL), FLOE_OK);
    set_strings(&dict, (const char *const[]){"apple", "banana", "ch\xc3\xa9rie"}, 3);
    floe_vector numbers;
    ck_assert_int_eq(floe_vector_init(&numbers, BIG, 4, NULL), FLOE_OK);
    memcpy(numbers.data, (const int64_t[]){100, 200, 300}, 3 * sizeof(int64_t));

    floe_type types[2] = {STR, BIG};
    floe_batch b;
    batch_make(&b, 2, types, 5);
    const uint32_t codes[5] = {2, 0, 1, 0, 2};
    for (int c = 0; c < 2; c++) {
        b.columns[c].encoding = FLOE_VECTOR_DICTIONARY;
        b.columns[c].dictionary = c == 0 ? &dict : &numbers;
        memcpy(b.columns[c].data, codes, sizeof codes);
    }
    floe_vector_set_null(&b.columns[0], 3);
    floe_vector out;
    ck_assert_int_eq(run(fn2(FLOE_SQL_FUNCTION_LENGTH, BIG, 1, col(0, STR), NULL, NULL), &b, &out,
                         NULL), FLOE_OK);
    const int64_t lengths[5] = {6, 5, 6, -1, 6};
    for (uint32_t r = 0; r < 5; r++) {
        ck_assert_int_eq(floe_vector_is_null(&out, r), r == 3);
        if (r != 3) ck_assert_int_eq(out_i64(&out, r), lengths[r]);
    }
    floe_vector_fini(&out);
    ck_assert_int_eq(run(node(FLOE_SQL_EXPRESSION_LIKE, BOOL, 2, col(0, STR), text("%a%a%")), &b,
                         &out, NULL), FLOE_OK);
    const int like[5] = {0, 0, 1, -1, 0};
    for (uint32_t r = 0; r < 5; r++) ck_assert_int_eq(out_bool(&out, r), like[r]);
    floe_vector_fini(&out);
    ck_assert_int_eq(run(fn2(FLOE_SQL_FUNCTION_UPPER, STR, 1, col(0, STR), NULL, NULL), &b, &out,
                         NULL), FLOE_OK);
    assert_string(&out, 1, "APPLE");
    assert_string(&out, 0, "CH\xc3\xa9RIE"); /* ASCII letters only (documented) */
    floe_vector_fini(&out);
    ck_assert_int_eq(run(bin(ADD, BIG, col(1, BIG), big(1)), &b, &out, NULL), FLOE_OK);
    const int64_t sums[5] = {301, 101, 201, 101, 301};
    for (uint32_t r = 0; r < 5; r++) ck_assert_int_eq(out_i64(&out, r), sums[r]);
    floe_vector_fini(&out);
    /* Equality against a constant on a dictionary column, as a predicate under a selection. */
    static const uint16_t live[3] = {1, 3, 4};
    b.selection = live;
    b.selected_count = 3;
    uint16_t sel[FLOE_BATCH_CAPACITY];
    uint32_t count;
    ck_assert_int_eq(run_predicate(bin(FLOE_SQL_OPERATOR_EQUAL, BOOL, col(0, STR), text("apple")),
                                   &b, sel, &count, NULL), FLOE_OK);
    ck_assert_uint_eq(count, 1);
    ck_assert_uint_eq(sel[0], 1);
    ck_assert_int_eq(run_predicate(bin(FLOE_SQL_OPERATOR_GREATER, BOOL, col(1, BIG), big(150)), &b,
                                   sel, &count, NULL), FLOE_OK);
    ck_assert_uint_eq(count, 1);
    ck_assert_uint_eq(sel[0], 4);
    floe_batch_fini(&b);
    floe_vector_fini(&numbers);
    floe_vector_fini(&dict);
}
END_TEST

/* ---- overflow and division by zero ---- */

static void expect_error(const floe_sql_expression *e, const floe_batch *b, int status,
                         const char *message)
{
    floe_vector out;
    floe_error err;
    ck_assert_int_eq(run(e, b, &out, &err), status);
    ck_assert_msg(strcmp(err.message, message) == 0, "message '%s', want '%s'", err.message, message);
    floe_vector_fini(&out);
}

START_TEST(overflow_and_division_by_zero)
{
    floe_type types[3] = {BIG, INT, T(FLOE_TYPE_FLOAT64)};
    floe_batch b;
    batch_make(&b, 3, types, 1);
    ((int64_t *)b.columns[0].data)[0] = INT64_MAX;
    ((int32_t *)b.columns[1].data)[0] = INT32_MAX;
    ((double *)b.columns[2].data)[0] = 1.5;
    expect_error(bin(ADD, BIG, col(0, BIG), big(1)), &b, FLOE_ERANGE,
                 "integer overflow in + (9223372036854775807 + 1)");
    expect_error(bin(MUL, BIG, col(0, BIG), big(2)), &b, FLOE_ERANGE,
                 "integer overflow in * (9223372036854775807 * 2)");
    expect_error(bin(SUB, BIG, un(FLOE_SQL_OPERATOR_NEGATE, BIG, col(0, BIG)), big(2)), &b,
                 FLOE_ERANGE, "integer overflow in - (-9223372036854775807 - 2)");
    expect_error(bin(ADD, INT, col(1, INT), i32(1)), &b, FLOE_ERANGE,
                 "integer overflow in + (2147483647 + 1)");
    expect_error(bin(DIV, BIG, col(0, BIG), big(0)), &b, FLOE_ERANGE, "division by zero");
    expect_error(bin(MOD, BIG, col(0, BIG), big(0)), &b, FLOE_ERANGE, "division by zero");
    expect_error(bin(MOD, INT, col(1, INT), i32(0)), &b, FLOE_ERANGE, "division by zero");
    expect_error(bin(DIV, DBL, col(2, DBL), constant(floe_sql_value_float64(0.0))), &b,
                 FLOE_ERANGE, "division by zero");
    expect_error(bin(MOD, DBL, col(2, DBL), constant(floe_sql_value_float64(0.0))), &b,
                 FLOE_ERANGE, "division by zero");
    /* Negation of INT64_MIN, INT64_MIN / -1 and abs(INT64_MIN). */
    ((int64_t *)b.columns[0].data)[0] = INT64_MIN;
    floe_vector out;
    floe_error err;
    ck_assert_int_eq(run(un(FLOE_SQL_OPERATOR_NEGATE, BIG, col(0, BIG)), &b, &out, &err),
                     FLOE_ERANGE);
    ck_assert_str_eq(err.message, "integer overflow in - (-(-9223372036854775808))");
    floe_vector_fini(&out);
    ck_assert_int_eq(run(bin(DIV, BIG, col(0, BIG), big(-1)), &b, &out, &err), FLOE_ERANGE);
    ck_assert_ptr_nonnull(strstr(err.message, "integer overflow in /"));
    floe_vector_fini(&out);
    ck_assert_int_eq(run(fn2(FLOE_SQL_FUNCTION_ABS, BIG, 1, col(0, BIG), NULL, NULL), &b, &out,
                         &err), FLOE_ERANGE);
    ck_assert_ptr_nonnull(strstr(err.message, "integer overflow"));
    floe_vector_fini(&out);
    /* A NULL divisor or dividend is NULL, not an error; INT64_MIN % -1 is 0 in DuckDB. */
    ck_assert_int_eq(run(bin(DIV, BIG, col(0, BIG), null_of(BIG)), &b, &out, &err), FLOE_OK);
    ck_assert(floe_vector_is_null(&out, 0));
    floe_vector_fini(&out);
    ck_assert_int_eq(run(bin(DIV, BIG, null_of(BIG), big(0)), &b, &out, &err), FLOE_OK);
    ck_assert(floe_vector_is_null(&out, 0));
    floe_vector_fini(&out);
    /* The edges that do fit. */
    ck_assert_int_eq(run(bin(SUB, BIG, col(0, BIG), big(0)), &b, &out, &err), FLOE_OK);
    ck_assert_int_eq(out_i64(&out, 0), INT64_MIN);
    floe_vector_fini(&out);
    floe_batch_fini(&b);
}
END_TEST

/* ---- CASE, COALESCE, IN ---- */

START_TEST(case_evaluates_then_only_on_chosen_rows)
{
    floe_type types[2] = {BIG, BIG};
    floe_batch b;
    batch_make(&b, 2, types, 5);
    set_i64(&b, 0, (const int64_t[]){10, 10, 10, 10, 10}, 5);
    set_i64(&b, 1, (const int64_t[]){2, 0, 5, 0, 1}, 5);
    floe_vector_set_null(&b.columns[1], 4);
    /* CASE WHEN y <> 0 THEN x / y ELSE -1 END */
    floe_sql_expression *when = bin(FLOE_SQL_OPERATOR_NOT_EQUAL, BOOL, col(1, BIG), big(0));
    floe_sql_expression *then = bin(DIV, BIG, col(0, BIG), col(1, BIG));
    floe_vector out;
    floe_error err;
    ck_assert_int_eq(run(node(FLOE_SQL_EXPRESSION_CASE, BIG, 3, when, then, big(-1)), &b, &out,
                         &err), FLOE_OK);
    const int64_t want[5] = {5, -1, 2, -1, -1}; /* row 4: WHEN is NULL, so ELSE */
    for (uint32_t r = 0; r < 5; r++) {
        ck_assert(!floe_vector_is_null(&out, r));
        ck_assert_int_eq(out_i64(&out, r), want[r]);
    }
    floe_vector_fini(&out);
    /* Without ELSE the unmatched rows are NULL; two WHENs, the first that is TRUE wins. */
    floe_sql_expression *w1 = bin(FLOE_SQL_OPERATOR_GREATER, BOOL, col(1, BIG), big(1));
    floe_sql_expression *w2 = bin(FLOE_SQL_OPERATOR_GREATER, BOOL, col(1, BIG), big(3));
    ck_assert_int_eq(run(node(FLOE_SQL_EXPRESSION_CASE, BIG, 4, w1, big(1), w2, big(2)), &b, &out,
                         &err), FLOE_OK);
    const int want2[5] = {1, -1, 1, -1, -1};
    for (uint32_t r = 0; r < 5; r++) {
        ck_assert_int_eq(floe_vector_is_null(&out, r), want2[r] < 0);
        if (want2[r] > 0) ck_assert_int_eq(out_i64(&out, r), want2[r]);
    }
    floe_vector_fini(&out);
    /* Nested in a selection: row 1 is not live and neither branch ever sees it. */
    static const uint16_t live[2] = {0, 2};
    b.selection = live;
    b.selected_count = 2;
    ck_assert_int_eq(run(node(FLOE_SQL_EXPRESSION_CASE, BIG, 2, bin(FLOE_SQL_OPERATOR_GREATER, BOOL,
                                                                     col(0, BIG), big(0)), then),
                         &b, &out, &err), FLOE_OK);
    ck_assert_int_eq(out_i64(&out, 0), 5);
    ck_assert_int_eq(out_i64(&out, 2), 2);
    floe_vector_fini(&out);
    /* The THEN branch does fail when a chosen row divides by zero. */
    b.selection = NULL;
    ck_assert_int_eq(run(node(FLOE_SQL_EXPRESSION_CASE, BIG, 2, bin(FLOE_SQL_OPERATOR_GREATER, BOOL,
                                                                     col(0, BIG), big(0)), then),
                         &b, &out, &err), FLOE_ERANGE);
    ck_assert_str_eq(err.message, "division by zero");
    floe_vector_fini(&out);
    floe_batch_fini(&b);
}
END_TEST

START_TEST(coalesce_first_non_null_lazily)
{
    floe_type types[2] = {BIG, BIG};
    floe_batch b;
    batch_make(&b, 2, types, 4);
    set_i64(&b, 0, (const int64_t[]){1, 0, 3, 0}, 4);
    set_i64(&b, 1, (const int64_t[]){0, 20, 0, 0}, 4);
    floe_vector_set_null(&b.columns[0], 1);
    floe_vector_set_null(&b.columns[0], 3);
    floe_vector_set_null(&b.columns[1], 3);
    floe_vector out;
    floe_error err;
    ck_assert_int_eq(run(node(FLOE_SQL_EXPRESSION_COALESCE, BIG, 3, col(0, BIG), col(1, BIG),
                              big(99)), &b, &out, &err), FLOE_OK);
    const int64_t want[4] = {1, 20, 3, 99};
    for (uint32_t r = 0; r < 4; r++) {
        ck_assert(!floe_vector_is_null(&out, r));
        ck_assert_int_eq(out_i64(&out, r), want[r]);
    }
    floe_vector_fini(&out);
    /* COALESCE(x, 100 / y): y is 0 on rows 0 and 2, where x is not NULL, so no error;
     * row 3 has both NULL and stays NULL. */
    ck_assert_int_eq(run(node(FLOE_SQL_EXPRESSION_COALESCE, BIG, 2, col(0, BIG),
                              bin(DIV, BIG, big(100), col(1, BIG))), &b, &out, &err), FLOE_OK);
    ck_assert_int_eq(out_i64(&out, 0), 1);
    ck_assert_int_eq(out_i64(&out, 1), 5);
    ck_assert(floe_vector_is_null(&out, 3));
    floe_vector_fini(&out);
    /* All NULL arguments give NULL. */
    ck_assert_int_eq(run(node(FLOE_SQL_EXPRESSION_COALESCE, BIG, 2, null_of(BIG), col(1, BIG)), &b,
                         &out, &err), FLOE_OK);
    ck_assert(floe_vector_is_null(&out, 3));
    ck_assert_int_eq(out_i64(&out, 1), 20);
    floe_vector_fini(&out);
    floe_batch_fini(&b);
}
END_TEST

START_TEST(in_list_with_nulls)
{
    floe_type types[2] = {BIG, STR};
    floe_batch b;
    batch_make(&b, 2, types, 4);
    set_i64(&b, 0, (const int64_t[]){1, 3, 0, 2}, 4);
    floe_vector_set_null(&b.columns[0], 2);
    set_strings(&b.columns[1], (const char *const[]){"a", "b", NULL, "\xc3\xa9"}, 4);
    floe_vector out;
    /* x IN (1, 2): TRUE FALSE NULL TRUE */
    ck_assert_int_eq(run(node(FLOE_SQL_EXPRESSION_IN, BOOL, 3, col(0, BIG), big(1), big(2)), &b,
                         &out, NULL), FLOE_OK);
    const int plain[4] = {1, 0, -1, 1};
    for (uint32_t r = 0; r < 4; r++) ck_assert_int_eq(out_bool(&out, r), plain[r]);
    floe_vector_fini(&out);
    /* x IN (1, NULL): TRUE where it matches, else NULL (never FALSE). */
    ck_assert_int_eq(run(node(FLOE_SQL_EXPRESSION_IN, BOOL, 3, col(0, BIG), big(1), null_of(BIG)),
                         &b, &out, NULL), FLOE_OK);
    const int with_null[4] = {1, -1, -1, -1};
    for (uint32_t r = 0; r < 4; r++) ck_assert_int_eq(out_bool(&out, r), with_null[r]);
    floe_vector_fini(&out);
    /* NOT (x IN (1, NULL)) keeps no row as a predicate. */
    uint16_t sel[FLOE_BATCH_CAPACITY];
    uint32_t count;
    ck_assert_int_eq(run_predicate(un(FLOE_SQL_OPERATOR_NOT, BOOL,
                                      node(FLOE_SQL_EXPRESSION_IN, BOOL, 3, col(0, BIG), big(1),
                                           null_of(BIG))), &b, sel, &count, NULL), FLOE_OK);
    ck_assert_uint_eq(count, 0);
    /* Strings, with a column item. */
    ck_assert_int_eq(run(node(FLOE_SQL_EXPRESSION_IN, BOOL, 3, col(1, STR), text("\xc3\xa9"),
                              text("b")), &b, &out, NULL), FLOE_OK);
    const int strings[4] = {0, 1, -1, 1};
    for (uint32_t r = 0; r < 4; r++) ck_assert_int_eq(out_bool(&out, r), strings[r]);
    floe_vector_fini(&out);
    floe_batch_fini(&b);
}
END_TEST

/* ---- LIKE and string functions ---- */

/* DuckDB v1.5.5: SELECT 'value' LIKE 'pattern' */
typedef struct like_case {
    const char *value, *pattern;
    int duckdb;
} like_case;

static const like_case duckdb_like_cases[] = {
    {"abc", "a_c", 1},   {"abc", "_", 0},       {"abc", "%c", 1},     {"", "", 1},
    {"abc", "", 0},      {"", "%", 1},          {"ab", "abc", 0},     {"a", "_%", 1},
    {"", "_", 0},        {"abcabc", "%b%b%", 1}, {"ab", "%%b", 1},
    {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", "_\xe6\x9c\xac_", 1}, /* '日本語' LIKE '_本_' */
    {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", "__", 0},             /* '日本語' LIKE '__' */
    {"h\xc3\xa9llo", "h_llo", 1},                                   /* 'héllo' LIKE 'h_llo' */
};

START_TEST(like_patterns)
{
    enum { n = sizeof duckdb_like_cases / sizeof duckdb_like_cases[0] };
    floe_type types[2] = {STR, STR};
    floe_batch b;
    batch_make(&b, 2, types, n + 1);
    const char *values[n + 1], *patterns[n + 1];
    for (uint32_t i = 0; i < n; i++) {
        values[i] = duckdb_like_cases[i].value;
        patterns[i] = duckdb_like_cases[i].pattern;
    }
    values[n] = NULL;
    patterns[n] = "%";
    set_strings(&b.columns[0], values, n + 1);
    set_strings(&b.columns[1], patterns, n + 1);
    floe_vector out;
    ck_assert_int_eq(run(node(FLOE_SQL_EXPRESSION_LIKE, BOOL, 2, col(0, STR), col(1, STR)), &b,
                         &out, NULL), FLOE_OK);
    for (uint32_t i = 0; i < n; i++) {
        ck_assert_msg(out_bool(&out, i) == duckdb_like_cases[i].duckdb, "'%s' LIKE '%s'",
                      duckdb_like_cases[i].value, duckdb_like_cases[i].pattern);
    }
    ck_assert_int_eq(out_bool(&out, n), -1);
    floe_vector_fini(&out);
    floe_batch_fini(&b);
}
END_TEST

START_TEST(string_functions_utf8)
{
    floe_type types[1] = {STR};
    floe_batch b;
    batch_make(&b, 1, types, 5);
    set_strings(&b.columns[0],
                (const char *const[]){"H\xc3\xa9llo w\xc3\xb6rld", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
                                      "", "hello", NULL}, 5);
    floe_vector out;
    /* DuckDB: length('Héllo wörld') = 11, length('日本語') = 3, length('') = 0 */
    ck_assert_int_eq(run(fn2(FLOE_SQL_FUNCTION_LENGTH, BIG, 1, col(0, STR), NULL, NULL), &b, &out,
                         NULL), FLOE_OK);
    const int64_t lengths[4] = {11, 3, 0, 5};
    for (uint32_t r = 0; r < 4; r++) ck_assert_int_eq(out_i64(&out, r), lengths[r]);
    ck_assert(floe_vector_is_null(&out, 4));
    floe_vector_fini(&out);
    /* DuckDB: substring('Héllo…', 2, 3) = 'éll'; substring('日本語', 2, 3) = '本語';
     * substring('', 2, 3) = ''; substring('hello', 2, 3) = 'ell' */
    ck_assert_int_eq(run(fn2(FLOE_SQL_FUNCTION_SUBSTRING, STR, 3, col(0, STR), big(2), big(3)), &b,
                         &out, NULL), FLOE_OK);
    assert_string(&out, 0, "\xc3\xa9ll");
    assert_string(&out, 1, "\xe6\x9c\xac\xe8\xaa\x9e");
    assert_string(&out, 2, "");
    assert_string(&out, 3, "ell");
    ck_assert(floe_vector_is_null(&out, 4));
    floe_vector_fini(&out);
    /* DuckDB: substring('日本語', 2) = '本語'; substring('hello', 0, 2) = 'h';
     * substring('hello', -3, 2) = 'll'; substring('日本語', 3, 10) = '語'; substring('abc', 5, 1) = '' */
    ck_assert_int_eq(run(fn2(FLOE_SQL_FUNCTION_SUBSTRING, STR, 2, col(0, STR), big(2), NULL), &b,
                         &out, NULL), FLOE_OK);
    assert_string(&out, 1, "\xe6\x9c\xac\xe8\xaa\x9e");
    floe_vector_fini(&out);
    ck_assert_int_eq(run(fn2(FLOE_SQL_FUNCTION_SUBSTRING, STR, 3, col(0, STR), big(0), big(2)), &b,
                         &out, NULL), FLOE_OK);
    assert_string(&out, 3, "h");
    floe_vector_fini(&out);
    ck_assert_int_eq(run(fn2(FLOE_SQL_FUNCTION_SUBSTRING, STR, 3, col(0, STR), big(-3), big(2)), &b,
                         &out, NULL), FLOE_OK);
    assert_string(&out, 3, "ll");
    floe_vector_fini(&out);
    ck_assert_int_eq(run(fn2(FLOE_SQL_FUNCTION_SUBSTRING, STR, 3, col(0, STR), big(3), big(10)), &b,
                         &out, NULL), FLOE_OK);
    assert_string(&out, 1, "\xe8\xaa\x9e");
    floe_vector_fini(&out);
    ck_assert_int_eq(run(fn2(FLOE_SQL_FUNCTION_SUBSTRING, STR, 3, col(0, STR), big(7), big(1)), &b,
                         &out, NULL), FLOE_OK);
    assert_string(&out, 3, "");
    floe_vector_fini(&out);
    /* || and concat(): || is NULL with a NULL operand, concat() skips it. */
    ck_assert_int_eq(run(bin(FLOE_SQL_OPERATOR_CONCAT, STR, col(0, STR), text("!")), &b, &out,
                         NULL), FLOE_OK);
    assert_string(&out, 1, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e!");
    ck_assert(floe_vector_is_null(&out, 4));
    floe_vector_fini(&out);
    ck_assert_int_eq(run(fn2(FLOE_SQL_FUNCTION_CONCAT, STR, 2, col(0, STR), text("!"), NULL), &b,
                         &out, NULL), FLOE_OK);
    assert_string(&out, 4, "!");
    floe_vector_fini(&out);
    floe_batch_fini(&b);
}
END_TEST

/* ---- dates and timestamps ---- */

static floe_sql_expression *date_fn(floe_sql_function f, floe_type result, const char *unit,
                                    floe_sql_expression *x)
{
    return fn2(f, result, 2, text(unit), x, NULL);
}

START_TEST(dates_before_1970_and_leap_days)
{
    floe_type types[2] = {DATE, TS};
    floe_batch b;
    batch_make(&b, 2, types, 4);
    /* DuckDB: DATE '1969-12-31' = -1, DATE '1960-02-29' = -3594, DATE '2024-02-29' = 19782,
     * DATE '2024-12-31' = 20088 days since 1970-01-01. */
    set_i32(&b, 0, (const int32_t[]){-1, -3594, 19782, 20088}, 4);
    /* make_timestamp(-1): 1969-12-31 23:59:59.999999; -1500000; 2024-02-29 12:00; 0 */
    set_i64(&b, 1, (const int64_t[]){-1, -1500000, 19782LL * 86400000000LL + 43200000000LL, 0}, 4);
    floe_vector out;
    struct { const char *unit; int64_t want[4]; } extract_dates[] = {
        /* DuckDB: extract(<unit> from DATE ...) */
        {"year", {1969, 1960, 2024, 2024}},
        {"month", {12, 2, 2, 12}},
        {"day", {31, 29, 29, 31}},
        {"doy", {365, 60, 60, 366}},
        {"quarter", {4, 1, 1, 4}},
    };
    for (size_t k = 0; k < sizeof extract_dates / sizeof extract_dates[0]; k++) {
        ck_assert_int_eq(run(date_fn(FLOE_SQL_FUNCTION_EXTRACT, BIG, extract_dates[k].unit,
                                     col(0, DATE)), &b, &out, NULL), FLOE_OK);
        for (uint32_t r = 0; r < 4; r++) {
            ck_assert_msg(out_i64(&out, r) == extract_dates[k].want[r], "extract(%s) row %u: %lld",
                          extract_dates[k].unit, r, (long long)out_i64(&out, r));
        }
        floe_vector_fini(&out);
    }
    /* DuckDB: extract(dow from DATE '1960-02-29') = 1 (Monday). */
    ck_assert_int_eq(run(date_fn(FLOE_SQL_FUNCTION_EXTRACT, BIG, "dow", col(0, DATE)), &b, &out,
                         NULL), FLOE_OK);
    ck_assert_int_eq(out_i64(&out, 1), 1);
    floe_vector_fini(&out);
    /* extract(week) (ISO week) is not implemented: refused at creation, not computed wrongly. */
    {
        floe_eng_expression_state *week = NULL;
        floe_error week_err;
        ck_assert_int_eq(floe_eng_expression_state_create(
                             date_fn(FLOE_SQL_FUNCTION_EXTRACT, BIG, "week", col(0, DATE)), &week,
                             &week_err), FLOE_EUNSUPPORTED);
        ck_assert_ptr_null(week);
        ck_assert_str_eq(week_err.message, "unknown extract unit 'week'");
    }
    /* DuckDB: extract(epoch from DATE '1969-12-31') = -86400.0 */
    ck_assert_int_eq(run(date_fn(FLOE_SQL_FUNCTION_EXTRACT, DBL, "epoch", col(0, DATE)), &b, &out,
                         NULL), FLOE_OK);
    ck_assert(out_f64(&out, 0) == -86400.0);
    floe_vector_fini(&out);
    /* DuckDB: epoch_us(date_trunc('month', DATE '1969-12-31')) = -2678400000000;
     * 'year' and 'quarter' of 1960-02-29 = -315619200000000; 'week' = -310521600000000 */
    struct { const char *unit; uint32_t row; int64_t want; } trunc_dates[] = {
        {"month", 0, -2678400000000LL},
        {"year", 1, -315619200000000LL},
        {"quarter", 1, -315619200000000LL},
        {"week", 1, -310521600000000LL},
        {"month", 2, (19782LL - 28) * 86400000000LL},
    };
    for (size_t k = 0; k < sizeof trunc_dates / sizeof trunc_dates[0]; k++) {
        ck_assert_int_eq(run(date_fn(FLOE_SQL_FUNCTION_DATE_TRUNC, TS, trunc_dates[k].unit,
                                     col(0, DATE)), &b, &out, NULL), FLOE_OK);
        ck_assert_msg(out_i64(&out, trunc_dates[k].row) == trunc_dates[k].want,
                      "date_trunc(%s) row %u: %lld", trunc_dates[k].unit, trunc_dates[k].row,
                      (long long)out_i64(&out, trunc_dates[k].row));
        floe_vector_fini(&out);
    }
    /* DuckDB on make_timestamp(-1): date_trunc second/hour/day = -1000000 / -3600000000 /
     * -86400000000; extract second/minute/hour/year = 59 / 59 / 23 / 1969. */
    struct { floe_sql_function f; const char *unit; int64_t want; } ts_minus_one[] = {
        {FLOE_SQL_FUNCTION_DATE_TRUNC, "second", -1000000LL},
        {FLOE_SQL_FUNCTION_DATE_TRUNC, "hour", -3600000000LL},
        {FLOE_SQL_FUNCTION_DATE_TRUNC, "day", -86400000000LL},
        {FLOE_SQL_FUNCTION_EXTRACT, "second", 59},
        {FLOE_SQL_FUNCTION_EXTRACT, "minute", 59},
        {FLOE_SQL_FUNCTION_EXTRACT, "hour", 23},
        {FLOE_SQL_FUNCTION_EXTRACT, "year", 1969},
    };
    for (size_t k = 0; k < sizeof ts_minus_one / sizeof ts_minus_one[0]; k++) {
        floe_type type = ts_minus_one[k].f == FLOE_SQL_FUNCTION_EXTRACT ? BIG : TS;
        ck_assert_int_eq(run(date_fn(ts_minus_one[k].f, type, ts_minus_one[k].unit, col(1, TS)),
                             &b, &out, NULL), FLOE_OK);
        ck_assert_msg(out_i64(&out, 0) == ts_minus_one[k].want, "%s row 0: %lld",
                      ts_minus_one[k].unit, (long long)out_i64(&out, 0));
        floe_vector_fini(&out);
    }
    /* Leap day timestamp: day 29, doy 60. DuckDB: extract(epoch from make_timestamp(-1500000)) = -1.5 */
    ck_assert_int_eq(run(date_fn(FLOE_SQL_FUNCTION_EXTRACT, BIG, "day", col(1, TS)), &b, &out,
                         NULL), FLOE_OK);
    ck_assert_int_eq(out_i64(&out, 2), 29);
    floe_vector_fini(&out);
    ck_assert_int_eq(run(date_fn(FLOE_SQL_FUNCTION_EXTRACT, DBL, "epoch", col(1, TS)), &b, &out,
                         NULL), FLOE_OK);
    ck_assert(out_f64(&out, 1) == -1.5);
    floe_vector_fini(&out);
    /* An unknown unit is refused at creation. */
    floe_eng_expression_state *state = NULL;
    floe_error err;
    ck_assert_int_eq(floe_eng_expression_state_create(
                         date_fn(FLOE_SQL_FUNCTION_DATE_TRUNC, TS, "fortnight", col(0, DATE)),
                         &state, &err), FLOE_EUNSUPPORTED);
    ck_assert_ptr_null(state);
    ck_assert_str_eq(err.message, "unknown date_trunc unit 'fortnight'");
    floe_batch_fini(&b);
}
END_TEST

/* ---- decimals with int128 ---- */

static floe_int128 pow10_128(unsigned n)
{
    floe_int128 v = 1;
    while (n-- > 0) v *= 10;
    return v;
}

START_TEST(decimal_int128_arithmetic)
{
    const floe_type d30 = floe_type_decimal(30, 6);
    floe_type types[2] = {d30, d30};
    floe_batch b;
    batch_make(&b, 2, types, 2);
    floe_int128 *x = b.columns[0].data, *y = b.columns[1].data;
    /* 123456789012345678901234.123456 and -999999999999999999999999.999999 */
    x[0] = (floe_int128)123456789012345678LL * pow10_128(12) + 901234123456LL;
    x[1] = -(pow10_128(30) - 1);
    y[0] = 1000001;  /* 1.000001 */
    y[1] = 2000000;  /* 2.000000 */
    floe_vector out;
    floe_error err;
    /* DuckDB: 123456789012345678901234.123456::DECIMAL(30,6) + 1.000001::DECIMAL(30,6)
     * = 123456789012345678901235.123457 as DECIMAL(31,6). */
    ck_assert_int_eq(run(bin(ADD, floe_type_decimal(31, 6), col(0, d30), col(1, d30)), &b, &out,
                         &err), FLOE_OK);
    floe_int128 sum = ((floe_int128 *)out.data)[0];
    ck_assert(sum == (floe_int128)123456789012345678LL * pow10_128(12) + 901235123457LL);
    floe_vector_fini(&out);
    /* DuckDB: -999999999999999999999999.999999 * 2.000000 = -1999999999999999999999999.999998000000
     * (DECIMAL(38,12)). */
    ck_assert_int_eq(run(bin(MUL, floe_type_decimal(38, 12), col(0, d30), col(1, d30)), &b, &out,
                         &err), FLOE_OK);
    floe_int128 product = ((floe_int128 *)out.data)[1];
    ck_assert(product == -(2 * pow10_128(30) - 2) * pow10_128(6));
    floe_vector_fini(&out);
    /* Beyond 38 digits: overflow with the type named. */
    const floe_type d38 = floe_type_decimal(38, 0);
    floe_type t38[2] = {d38, d38};
    floe_batch c;
    batch_make(&c, 2, t38, 1);
    ((floe_int128 *)c.columns[0].data)[0] = pow10_128(38) - 1;
    ((floe_int128 *)c.columns[1].data)[0] = 1;
    ck_assert_int_eq(run(bin(ADD, d38, col(0, d38), col(1, d38)), &c, &out, &err), FLOE_ERANGE);
    ck_assert_str_eq(err.message, "decimal overflow in +: the result does not fit DECIMAL(38,0)");
    floe_vector_fini(&out);
    /* Modulo by a zero decimal. */
    ((floe_int128 *)c.columns[1].data)[0] = 0;
    ck_assert_int_eq(run(bin(MOD, d38, col(0, d38), col(1, d38)), &c, &out, &err), FLOE_ERANGE);
    ck_assert_str_eq(err.message, "division by zero");
    floe_vector_fini(&out);
    /* Two 18-digit decimals add in int64 with DECIMAL(18,2) capped: 9999999999999999.99 + 0.01 */
    const floe_type d18 = floe_type_decimal(18, 2);
    floe_type t18[2] = {d18, d18};
    floe_batch s;
    batch_make(&s, 2, t18, 1);
    ((int64_t *)s.columns[0].data)[0] = 999999999999999999LL;
    ((int64_t *)s.columns[1].data)[0] = 1;
    ck_assert_int_eq(run(bin(ADD, d18, col(0, d18), col(1, d18)), &s, &out, &err), FLOE_ERANGE);
    ck_assert_str_eq(err.message, "decimal overflow in +: the result does not fit DECIMAL(18,2)");
    floe_vector_fini(&out);
    /* A mixed-width compare: DECIMAL(18,2) 0.01 < DECIMAL(30,6) 1.000001 after the casts. */
    floe_batch_fini(&s);
    floe_batch_fini(&c);
    floe_batch_fini(&b);
}
END_TEST

/* ---- casts from text ---- */

START_TEST(casts_from_text)
{
    floe_type types[1] = {STR};
    floe_batch b;
    batch_make(&b, 1, types, 6);
    set_strings(&b.columns[0],
                (const char *const[]){"42", " -17 ", "3.7", "1e3", "2024-02-29", "1969-12-31 23:59:59.5"},
                6);
    floe_vector out;
    floe_error err;
    /* DuckDB: CAST('42' AS INTEGER) = 42, ' -17 ' = -17, '3.7' = 4, '1e3' = 1000 */
    static const uint16_t numbers[4] = {0, 1, 2, 3};
    b.selection = numbers;
    b.selected_count = 4;
    ck_assert_int_eq(run(cast(INT, col(0, STR)), &b, &out, &err), FLOE_OK);
    const int32_t ints[4] = {42, -17, 4, 1000};
    for (uint32_t r = 0; r < 4; r++) ck_assert_int_eq(out_i32(&out, r), ints[r]);
    floe_vector_fini(&out);
    /* DuckDB: CAST('2024-02-29' AS DATE) = day 19782 */
    static const uint16_t date_row[1] = {4};
    b.selection = date_row;
    b.selected_count = 1;
    ck_assert_int_eq(run(cast(DATE, col(0, STR)), &b, &out, &err), FLOE_OK);
    ck_assert_int_eq(out_i32(&out, 4), 19782);
    floe_vector_fini(&out);
    /* DuckDB: epoch_us(CAST('1969-12-31 23:59:59.5' AS TIMESTAMP)) = -500000 */
    static const uint16_t ts_row[1] = {5};
    b.selection = ts_row;
    ck_assert_int_eq(run(cast(TS, col(0, STR)), &b, &out, &err), FLOE_OK);
    ck_assert_int_eq(out_i64(&out, 5), -500000);
    floe_vector_fini(&out);
    /* Bad text, named in the message. */
    b.selection = NULL;
    ck_assert_int_eq(run(cast(INT, col(0, STR)), &b, &out, &err), FLOE_ERANGE);
    ck_assert_ptr_nonnull(strstr(err.message, "could not convert '2024-02-29' to INTEGER"));
    floe_vector_fini(&out);
    ck_assert_int_eq(run(cast(DATE, text("2023-02-29")), &b, &out, &err), FLOE_ERANGE);
    ck_assert_ptr_nonnull(strstr(err.message, "could not convert '2023-02-29' to DATE"));
    floe_vector_fini(&out);
    ck_assert_int_eq(run(cast(TS, text("yesterday-ish")), &b, &out, &err), FLOE_ERANGE);
    ck_assert_ptr_nonnull(strstr(err.message, "to TIMESTAMP"));
    floe_vector_fini(&out);
    /* DuckDB: CAST('12345678901' AS INTEGER) fails; BIGINT holds it. */
    ck_assert_int_eq(run(cast(INT, text("12345678901")), &b, &out, &err), FLOE_ERANGE);
    ck_assert_ptr_nonnull(strstr(err.message, "could not convert '12345678901' to INTEGER"));
    floe_vector_fini(&out);
    ck_assert_int_eq(run(cast(BIG, text("12345678901")), &b, &out, &err), FLOE_OK);
    ck_assert_int_eq(out_i64(&out, 0), 12345678901LL);
    floe_vector_fini(&out);
    /* DuckDB: CAST('1.255' AS DECIMAL(10,2)) = 1.26 (rounded half away from zero) */
    ck_assert_int_eq(run(cast(floe_type_decimal(10, 2), text("1.255")), &b, &out, &err), FLOE_OK);
    ck_assert_int_eq(out_i64(&out, 0), 126);
    floe_vector_fini(&out);
    ck_assert_int_eq(run(cast(DBL, text("abc")), &b, &out, &err), FLOE_ERANGE);
    ck_assert_ptr_nonnull(strstr(err.message, "could not convert 'abc' to DOUBLE"));
    floe_vector_fini(&out);
    /* A NULL string casts to NULL. */
    ck_assert_int_eq(run(cast(INT, null_of(STR)), &b, &out, &err), FLOE_OK);
    ck_assert(floe_vector_is_null(&out, 0));
    floe_vector_fini(&out);
    floe_batch_fini(&b);
}
END_TEST

/* ---- constant folding ---- */

START_TEST(constant_folding_defers_errors)
{
    floe_type types[1] = {BIG};
    floe_batch b;
    batch_make(&b, 1, types, 3);
    set_i64(&b, 0, (const int64_t[]){1, 2, 3}, 3);
    floe_vector out;
    floe_error err;
    /* x + (2 * 3): folded, then added on every row. */
    ck_assert_int_eq(run(bin(ADD, BIG, col(0, BIG), bin(MUL, BIG, big(2), big(3))), &b, &out, &err),
                     FLOE_OK);
    for (uint32_t r = 0; r < 3; r++) ck_assert_int_eq(out_i64(&out, r), (int64_t)r + 7);
    floe_vector_fini(&out);
    /* A constant root: every live row holds it. */
    ck_assert_int_eq(run(fn2(FLOE_SQL_FUNCTION_LOWER, STR, 1, text("ABC"), NULL, NULL), &b, &out,
                         &err), FLOE_OK);
    for (uint32_t r = 0; r < 3; r++) assert_string(&out, r, "abc");
    floe_vector_fini(&out);
    /* x + 1 / 0 and CAST('abc' AS INTEGER): creation succeeds, the batch reports the error. */
    floe_sql_expression *bad[2] = {
        bin(ADD, BIG, col(0, BIG), bin(DIV, BIG, big(1), big(0))),
        bin(ADD, INT, cast(INT, col(0, BIG)), cast(INT, text("abc"))),
    };
    const char *messages[2] = {"division by zero", "could not convert 'abc' to INTEGER"};
    for (int k = 0; k < 2; k++) {
        floe_eng_expression_state *state = NULL;
        ck_assert_int_eq(floe_eng_expression_state_create(bad[k], &state, &err), FLOE_OK);
        ck_assert_ptr_nonnull(state);
        ck_assert_int_eq(floe_vector_init(&out, bad[k]->type, FLOE_BATCH_CAPACITY, NULL), FLOE_OK);
        ck_assert_int_eq(floe_eng_evaluate(state, &b, &out, &err), FLOE_ERANGE);
        ck_assert_ptr_nonnull(strstr(err.message, messages[k]));
        /* The same state fails the same way on the next batch. */
        ck_assert_int_eq(floe_eng_evaluate(state, &b, &out, &err), FLOE_ERANGE);
        floe_vector_fini(&out);
        floe_eng_expression_state_free(state);
    }
    /* A constant error inside a CASE branch no row chooses is never raised. */
    ck_assert_int_eq(run(node(FLOE_SQL_EXPRESSION_CASE, BIG, 3,
                              bin(FLOE_SQL_OPERATOR_GREATER, BOOL, col(0, BIG), big(5)),
                              bin(DIV, BIG, big(1), big(0)), col(0, BIG)), &b, &out, &err),
                     FLOE_OK);
    ck_assert_int_eq(out_i64(&out, 2), 3);
    floe_vector_fini(&out);
    floe_batch_fini(&b);
}
END_TEST

START_TEST(creation_and_evaluation_refusals)
{
    floe_type types[1] = {BIG};
    floe_batch b;
    batch_make(&b, 1, types, 1);
    floe_eng_expression_state *state = NULL;
    floe_error err;
    /* A column outside the batch. */
    ck_assert_int_eq(floe_eng_expression_state_create(bin(ADD, BIG, col(3, BIG), big(1)), &state,
                                                      &err), FLOE_OK);
    floe_vector out;
    ck_assert_int_eq(floe_vector_init(&out, BIG, FLOE_BATCH_CAPACITY, NULL), FLOE_OK);
    ck_assert_int_eq(floe_eng_evaluate(state, &b, &out, &err), FLOE_EINVAL);
    ck_assert_str_eq(err.message, "column 3 is not in a batch of 1 columns");
    floe_vector_fini(&out);
    /* A result vector of the wrong type. */
    ck_assert_int_eq(floe_vector_init(&out, INT, FLOE_BATCH_CAPACITY, NULL), FLOE_OK);
    ck_assert_int_eq(floe_eng_evaluate(state, &b, &out, &err), FLOE_ETYPE);
    floe_vector_fini(&out);
    floe_eng_expression_state_free(state);
    /* A binary node with one child, an unknown kind. */
    floe_sql_expression *one = node(FLOE_SQL_EXPRESSION_BINARY, BIG, 1, big(1));
    one->operator_kind = ADD;
    ck_assert_int_eq(floe_eng_expression_state_create(one, &state, &err), FLOE_EINVAL);
    ck_assert_ptr_null(state);
    floe_sql_expression *weird = big(1);
    weird->kind = (floe_sql_expression_kind)99;
    ck_assert_int_eq(floe_eng_expression_state_create(weird, &state, &err), FLOE_EUNSUPPORTED);
    ck_assert_ptr_null(state);
    floe_eng_expression_state_free(NULL);
    floe_batch_fini(&b);
}
END_TEST

/* ---- numeric functions and comparisons per type ---- */

START_TEST(numeric_functions_and_comparisons)
{
    const floe_type d10_3 = floe_type_decimal(10, 3), d10_1 = floe_type_decimal(10, 1);
    floe_type types[5] = {DBL, d10_3, d10_1, INT, STR};
    floe_batch b;
    batch_make(&b, 5, types, 2);
    memcpy(b.columns[0].data, (const double[]){2.5, -2.5}, 2 * sizeof(double));
    set_i64(&b, 1, (const int64_t[]){1255, -1255}, 2);
    set_i64(&b, 2, (const int64_t[]){-15, 15}, 2);
    set_i32(&b, 3, (const int32_t[]){1250, -1250}, 2);
    set_strings(&b.columns[4], (const char *const[]){"\xc3\xa9", "ab"}, 2);
    floe_vector out;
    /* DuckDB: round(2.5::DOUBLE) = 3, round(-2.5::DOUBLE) = -3 */
    ck_assert_int_eq(run(fn2(FLOE_SQL_FUNCTION_ROUND, DBL, 1, col(0, DBL), NULL, NULL), &b, &out,
                         NULL), FLOE_OK);
    ck_assert(out_f64(&out, 0) == 3.0 && out_f64(&out, 1) == -3.0);
    floe_vector_fini(&out);
    /* DuckDB: round(1.255::DECIMAL(10,3), 2) = 1.26, round(-1.255, 2) = -1.26 (DECIMAL(10,2)) */
    ck_assert_int_eq(run(fn2(FLOE_SQL_FUNCTION_ROUND, floe_type_decimal(10, 2), 2, col(1, d10_3),
                             i32(2), NULL), &b, &out, NULL), FLOE_OK);
    ck_assert_int_eq(out_i64(&out, 0), 126);
    ck_assert_int_eq(out_i64(&out, 1), -126);
    floe_vector_fini(&out);
    /* DuckDB: floor(-1.5::DECIMAL(10,1)) = -2, ceil(-1.5) = -1; floor(1.5) = 1, ceil(1.5) = 2 */
    ck_assert_int_eq(run(fn2(FLOE_SQL_FUNCTION_FLOOR, floe_type_decimal(10, 0), 1, col(2, d10_1),
                             NULL, NULL), &b, &out, NULL), FLOE_OK);
    ck_assert_int_eq(out_i64(&out, 0), -2);
    ck_assert_int_eq(out_i64(&out, 1), 1);
    floe_vector_fini(&out);
    ck_assert_int_eq(run(fn2(FLOE_SQL_FUNCTION_CEIL, floe_type_decimal(10, 0), 1, col(2, d10_1),
                             NULL, NULL), &b, &out, NULL), FLOE_OK);
    ck_assert_int_eq(out_i64(&out, 0), -1);
    ck_assert_int_eq(out_i64(&out, 1), 2);
    floe_vector_fini(&out);
    /* DuckDB: round(1250::INTEGER, -2) = 1300, round(-1250::INTEGER, -2) = -1300 */
    ck_assert_int_eq(run(fn2(FLOE_SQL_FUNCTION_ROUND, INT, 2, col(3, INT), i32(-2), NULL), &b, &out,
                         NULL), FLOE_OK);
    ck_assert_int_eq(out_i32(&out, 0), 1300);
    ck_assert_int_eq(out_i32(&out, 1), -1300);
    floe_vector_fini(&out);
    /* DuckDB: abs(-1.255) = 1.255; -(-1.5::DECIMAL(10,1)) = 1.5 */
    ck_assert_int_eq(run(fn2(FLOE_SQL_FUNCTION_ABS, d10_3, 1, col(1, d10_3), NULL, NULL), &b, &out,
                         NULL), FLOE_OK);
    ck_assert_int_eq(out_i64(&out, 1), 1255);
    floe_vector_fini(&out);
    ck_assert_int_eq(run(un(FLOE_SQL_OPERATOR_NEGATE, d10_1, col(2, d10_1)), &b, &out, NULL),
                     FLOE_OK);
    ck_assert_int_eq(out_i64(&out, 0), 15);
    floe_vector_fini(&out);
    /* Strings compare bytewise: DuckDB 'é' > 'z' and 'ab' < 'abc' are both true. */
    ck_assert_int_eq(run(bin(FLOE_SQL_OPERATOR_GREATER, BOOL, col(4, STR), text("z")), &b, &out,
                         NULL), FLOE_OK);
    ck_assert_int_eq(out_bool(&out, 0), 1);
    ck_assert_int_eq(out_bool(&out, 1), 0);
    floe_vector_fini(&out);
    ck_assert_int_eq(run(bin(FLOE_SQL_OPERATOR_LESS, BOOL, col(4, STR), text("abc")), &b, &out,
                         NULL), FLOE_OK);
    ck_assert_int_eq(out_bool(&out, 1), 1);
    floe_vector_fini(&out);
    /* Every comparison operator over doubles, both rows. */
    const floe_sql_operator cmp[6] = {FLOE_SQL_OPERATOR_EQUAL, FLOE_SQL_OPERATOR_NOT_EQUAL,
                                      FLOE_SQL_OPERATOR_LESS, FLOE_SQL_OPERATOR_LESS_EQUAL,
                                      FLOE_SQL_OPERATOR_GREATER, FLOE_SQL_OPERATOR_GREATER_EQUAL};
    const int want[6][2] = {{1, 0}, {0, 1}, {0, 1}, {1, 1}, {0, 0}, {1, 0}}; /* x vs 2.5 */
    for (int k = 0; k < 6; k++) {
        ck_assert_int_eq(run(bin(cmp[k], BOOL, col(0, DBL), constant(floe_sql_value_float64(2.5))),
                             &b, &out, NULL), FLOE_OK);
        ck_assert_int_eq(out_bool(&out, 0), want[k][0]);
        ck_assert_int_eq(out_bool(&out, 1), want[k][1]);
        floe_vector_fini(&out);
    }
    floe_batch_fini(&b);
}
END_TEST

/* ---- allocation failure at state creation ---- */

static long live_allocations;

static void *counting_allocate(size_t size, void *context)
{
    (void)context;
    void *p = malloc(size);
    if (p != NULL) live_allocations++;
    return p;
}

static void *counting_reallocate(void *pointer, size_t size, void *context)
{
    (void)context;
    void *p = realloc(pointer, size);
    if (p != NULL && pointer == NULL) live_allocations++;
    return p;
}

static void counting_release(void *pointer, void *context)
{
    (void)context;
    if (pointer != NULL) live_allocations--;
    free(pointer);
}

START_TEST(allocation_failure_on_state_creation)
{
    /* A tree with every kind of node that owns buffers: CASE, COALESCE, AND, strings, casts. */
    floe_sql_expression *tree = node(
        FLOE_SQL_EXPRESSION_CASE, STR, 3,
        bin(FLOE_SQL_OPERATOR_AND, BOOL,
            bin(FLOE_SQL_OPERATOR_GREATER, BOOL, col(0, BIG), big(1)),
            node(FLOE_SQL_EXPRESSION_LIKE, BOOL, 2, col(1, STR), text("a%"))),
        fn2(FLOE_SQL_FUNCTION_UPPER, STR, 1, col(1, STR), NULL, NULL),
        node(FLOE_SQL_EXPRESSION_COALESCE, STR, 2, col(1, STR),
             cast(STR, bin(ADD, BIG, col(0, BIG), bin(MUL, BIG, big(2), big(3))))));
    floe_type types[2] = {BIG, STR};
    floe_batch b;
    batch_make(&b, 2, types, 3);
    set_i64(&b, 0, (const int64_t[]){5, 0, 9}, 3);
    set_strings(&b.columns[1], (const char *const[]){"abc", "xyz", NULL}, 3);

    static const floe_allocator counting = {counting_allocate, counting_reallocate,
                                            counting_release, NULL};
    floe_set_allocator(&counting);
    long failures = 0;
    bool succeeded = false;
    for (long n = 0; n < 10000 && !succeeded; n++) {
        live_allocations = 0;
        floe_set_allocation_failure_after(n);
        floe_eng_expression_state *state = (floe_eng_expression_state *)&b; /* must be reset */
        floe_error err;
        int status = floe_eng_expression_state_create(tree, &state, &err);
        floe_set_allocation_failure_after(-1);
        if (status == FLOE_OK) {
            succeeded = true;
            floe_vector out;
            ck_assert_int_eq(floe_vector_init(&out, STR, FLOE_BATCH_CAPACITY, NULL), FLOE_OK);
            ck_assert_int_eq(floe_eng_evaluate(state, &b, &out, &err), FLOE_OK);
            assert_string(&out, 0, "ABC");
            assert_string(&out, 1, "xyz");
            assert_string(&out, 2, "15");
            floe_vector_fini(&out);
            floe_eng_expression_state_free(state);
        } else {
            failures++;
            ck_assert_msg(status == FLOE_ENOMEM, "failure after %ld allocations: %d (%s)", n,
                          status, err.message);
            ck_assert_ptr_null(state);
            ck_assert_msg(strncmp(err.message, "out of memory", 13) == 0, "%s", err.message);
        }
        ck_assert_msg(live_allocations == 0, "%ld allocations leaked (failure after %ld)",
                      live_allocations, n);
    }
    floe_set_allocator(NULL);
    ck_assert(succeeded);
    ck_assert_int_gt(failures, 10);
    floe_batch_fini(&b);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("expression_eval");
    TCase *tc = tcase_create("eval");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, null_propagation_with_and_without_bitmaps, 0, 8);
    tcase_add_test(tc, three_valued_and_or_not);
    tcase_add_test(tc, selection_only_live_rows_computed_and_can_fail);
    tcase_add_test(tc, predicate_refines_selection);
    tcase_add_test(tc, dictionary_encoded_inputs);
    tcase_add_test(tc, overflow_and_division_by_zero);
    tcase_add_test(tc, case_evaluates_then_only_on_chosen_rows);
    tcase_add_test(tc, coalesce_first_non_null_lazily);
    tcase_add_test(tc, in_list_with_nulls);
    tcase_add_test(tc, like_patterns);
    tcase_add_test(tc, string_functions_utf8);
    tcase_add_test(tc, dates_before_1970_and_leap_days);
    tcase_add_test(tc, decimal_int128_arithmetic);
    tcase_add_test(tc, casts_from_text);
    tcase_add_test(tc, constant_folding_defers_errors);
    tcase_add_test(tc, creation_and_evaluation_refusals);
    tcase_add_test(tc, numeric_functions_and_comparisons);
    tcase_add_test(tc, allocation_failure_on_state_creation);
    suite_add_tcase(suite, tc);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
