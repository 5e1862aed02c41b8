/*
 * Description: the ORDER operator (engine/op_order.c) against a reference sort (qsort of row
 * numbers with the row number as the last key, so equal rows keep their input order): a key of
 * every type ascending and descending with NULLS FIRST and LAST (floats with -0.0, NaN and
 * infinities; strings sharing their first 8 bytes; 128-bit decimals), several keys, an evaluated
 * key, weights kept with their rows, the 2048-row output batches, empty input, the memory limit
 * and input errors. Input comes from the fake source operator of fake_source.h (random batch sizes,
 * dead rows behind selections, dictionary-encoded columns); the expected order of floats and
 * strings is DuckDB 1.5's (NaN above +inf, -0.0 equal to 0.0, bytewise strings).
 */
#include "engine/batch_store.h" /* measuring what the store alone accounts */
#include "engine/operator.h"
#include "kernels/arena.h"
#include "kernels/memory.h"
#include "kernels/vector.h"
#include "sql/expression.h"
#include "sql/plan.h"

#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_COLUMNS = 8, CAPACITY = FLOE_BATCH_CAPACITY };

/* ck_assert records every passing check through a pipe in fork mode; per-row checks use this,
 * which only reports failures. */
#define REQUIRE(condition, ...)                          \
    do {                                                 \
        if (!(condition)) ck_abort_msg(__VA_ARGS__);     \
    } while (0)

#include "engine/fake_source.h"

/* Row for row, in order. */
static void assert_same(const lines *expected, const lines *actual)
{
    for (size_t i = 0; i < expected->count && i < actual->count; i++)
        REQUIRE(strcmp(expected->items[i], actual->items[i]) == 0, "row %zu: expected %s, got %s",
                i, expected->items[i], actual->items[i]);
    ck_assert_uint_eq(expected->count, actual->count);
}

typedef struct run_stats {
    uint32_t batches;
    uint32_t largest;  /* live rows of the largest batch */
} run_stats;

/* Drains op into lines "v|v|...|w=weight" and destroys it; returns the status of the run. */
static int drain(floe_eng_operator *op, lines *out, run_stats *stats, floe_error *err)
{
    run_stats local = {0, 0};
    int status = FLOE_OK;
    for (;;) {
        floe_batch *batch;
        status = floe_eng_operator_next(op, &batch, err);
        if (status != FLOE_OK || batch == NULL) break;
        ck_assert_uint_eq(batch->column_count, op->column_count);
        ck_assert_uint_le(batch->row_count, CAPACITY);
        uint32_t live = floe_batch_live_count(batch);
        local.batches++;
        if (live > local.largest) local.largest = live;
        for (uint32_t i = 0; i < live; i++) {
            uint32_t row = floe_batch_live_row(batch, i);
            REQUIRE(i == 0 || row > floe_batch_live_row(batch, i - 1), "selection not ascending");
            char line[512] = "", text[96];
            for (uint32_t c = 0; c < batch->column_count; c++) {
                REQUIRE(floe_type_equal(batch->columns[c].type, op->types[c]), "column type");
                vector_text(&batch->columns[c], row, text, sizeof text);
                append_text(line, sizeof line, text);
            }
            snprintf(text, sizeof text, "w=%lld", (long long)floe_batch_weight(batch, row));
            append_text(line, sizeof line, text);
            lines_add(out, line);
        }
    }
    floe_eng_operator_destroy(op);
    if (stats != NULL) *stats = local;
    return status;
}

/* ---- the reference sort ---- */

typedef struct order_spec {
    uint32_t key_count;
    uint32_t columns[4];
    bool descending[4];
    bool nulls_first[4];
    bool negate[4]; /* the key is -column (BIGINT): an evaluated key */
} order_spec;

static const order_spec *reference_spec;
static const table *reference_table;

/* DuckDB's order of non-NULL values: NaN above everything, -0.0 equal to 0.0, bytewise strings. */
static int compare_values(const cell *a, const cell *b, floe_type type)
{
    switch ((floe_type_id)type.id) {
    case FLOE_TYPE_FLOAT32:
    case FLOE_TYPE_FLOAT64: {
        double x = type.id == FLOE_TYPE_FLOAT32 ? (double)(float)a->d : a->d;
        double y = type.id == FLOE_TYPE_FLOAT32 ? (double)(float)b->d : b->d;
        if (isnan(x) || isnan(y)) return (int)isnan(x) - (int)isnan(y);
        return (x > y) - (x < y);
    }
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY: {
        uint32_t a_length = string_length(a), b_length = string_length(b);
        int result = memcmp(a->s, b->s, a_length < b_length ? a_length : b_length);
        if (result == 0) result = (a_length > b_length) - (a_length < b_length);
        return (result > 0) - (result < 0);
    }
    default:
        if (is_wide(type)) return (a->wide > b->wide) - (a->wide < b->wide);
        return (a->i > b->i) - (a->i < b->i);
    }
}

static int compare_reference(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    const order_spec *spec = reference_spec;
    for (uint32_t k = 0; k < spec->key_count; k++) {
        uint32_t c = spec->columns[k];
        cell ca = *at(reference_table, a, c), cb = *at(reference_table, b, c);
        if (spec->negate[k]) ca.i = -ca.i, cb.i = -cb.i;
        if (ca.null || cb.null) {
            if (ca.null && cb.null) continue;
            int result = ca.null ? -1 : 1;
            return spec->nulls_first[k] ? result : -result;
        }
        int result = compare_values(&ca, &cb, reference_table->types[c]);
        if (spec->descending[k]) result = -result;
        if (result != 0) return result;
    }
    return (a > b) - (a < b); /* stability */
}

static void reference_sort(const order_spec *spec, const table *t, lines *out)
{
    uint32_t *rows = malloc((t->row_count + 1) * sizeof *rows);
    ck_assert_ptr_nonnull(rows);
    for (uint32_t r = 0; r < t->row_count; r++) rows[r] = r;
    reference_spec = spec;
    reference_table = t;
    qsort(rows, t->row_count, sizeof *rows, compare_reference);
    for (uint32_t i = 0; i < t->row_count; i++) {
        char line[512] = "", text[96];
        for (uint32_t c = 0; c < t->column_count; c++) {
            cell_text(at(t, rows[i], c), t->types[c], text, sizeof text);
            append_text(line, sizeof line, text);
        }
        snprintf(text, sizeof text, "w=%lld",
                 (long long)(t->weights != NULL ? t->weights[rows[i]] : 1));
        append_text(line, sizeof line, text);
        lines_add(out, line);
    }
    free(rows);
}

/* ---- plans ---- */

static floe_arena arena;
static floe_eng_context context;

static void setup(void)
{
    seed(0);
    floe_arena_init(&arena, 0, 0);
    floe_eng_context_init(&context, ".");
}

static void teardown(void)
{
    ck_assert_uint_eq(atomic_load(&context.memory_used), 0);
    floe_eng_context_fini(&context);
    floe_arena_fini(&arena);
}

static floe_sql_plan *order_plan(const order_spec *spec, const table *t)
{
    floe_sql_plan *plan = floe_sql_plan_create(&arena, FLOE_SQL_PLAN_ORDER, 1, t->column_count);
    ck_assert_ptr_nonnull(plan);
    for (uint32_t c = 0; c < t->column_count; c++) {
        plan->output.columns[c].name = "c";
        plan->output.columns[c].type = t->types[c];
        plan->output.columns[c].nullable = true;
    }
    plan->u.order.key_count = spec->key_count;
    plan->u.order.keys =
        floe_arena_alloc(&arena, (spec->key_count + 1) * sizeof(floe_sql_sort_key));
    ck_assert_ptr_nonnull(plan->u.order.keys);
    for (uint32_t k = 0; k < spec->key_count; k++) {
        floe_type type = t->types[spec->columns[k]];
        floe_sql_expression *e = floe_sql_expression_column(&arena, spec->columns[k], type, true);
        ck_assert_ptr_nonnull(e);
        if (spec->negate[k]) {
            e = floe_sql_expression_node(&arena, FLOE_SQL_EXPRESSION_UNARY, type, true, 1, &e);
            ck_assert_ptr_nonnull(e);
            e->operator_kind = FLOE_SQL_OPERATOR_NEGATE;
        }
        plan->u.order.keys[k] = (floe_sql_sort_key){e, spec->descending[k], spec->nulls_first[k]};
    }
    return plan;
}

static floe_eng_operator *create_order(const order_spec *spec, const table *t,
                                       source_options options)
{
    floe_eng_operator *input = source_create(t, &context, options, NULL);
    floe_eng_operator *order = NULL;
    floe_error err;
    int status = floe_eng_order_create(order_plan(spec, t), &input, &context, 0, 1, &order, &err);
    ck_assert_msg(status == FLOE_OK, "order create: %s", err.message);
    return order;
}

static run_stats check_order(const order_spec *spec, const table *t, source_options options)
{
    lines expected = {0}, actual = {0};
    reference_sort(spec, t, &expected);
    floe_error err;
    run_stats stats;
    int status = drain(create_order(spec, t, options), &actual, &stats, &err);
    ck_assert_msg(status == FLOE_OK, "order: %s", err.message);
    assert_same(&expected, &actual);
    lines_free(&expected);
    lines_free(&actual);
    return stats;
}

#define BIG T(FLOE_TYPE_INT64)
#define STR T(FLOE_TYPE_STRING)

static void add_weights(table *t)
{
    static const int64_t choices[] = {-1, 1, 2, 7};
    t->weights = malloc((t->row_count + 1) * sizeof *t->weights);
    ck_assert_ptr_nonnull(t->weights);
    for (uint32_t r = 0; r < t->row_count; r++) t->weights[r] = choices[below(4)];
}

/* (key, id BIGINT, s VARCHAR): the id makes every row distinct, so stability is visible. */
static void keyed_table(table *t, floe_type key, uint32_t rows, uint32_t domain)
{
    const floe_type types[3] = {key, BIG, STR};
    table_init(t, 3, types, rows);
    for (uint32_t r = 0; r < rows; r++) {
        random_cell(at(t, r, 0), key, domain, 10);
        at(t, r, 1)->i = r;
        random_cell(at(t, r, 2), STR, 100000, 5);
    }
}

static const floe_type_id key_types[] = {
    FLOE_TYPE_BOOLEAN, FLOE_TYPE_INT32,     FLOE_TYPE_INT64,     FLOE_TYPE_FLOAT32,
    FLOE_TYPE_FLOAT64, FLOE_TYPE_DECIMAL,   FLOE_TYPE_DECIMAL,   FLOE_TYPE_DATE,
    FLOE_TYPE_TIMESTAMP, FLOE_TYPE_TIMESTAMPTZ, FLOE_TYPE_STRING, FLOE_TYPE_BINARY,
};
enum { KEY_TYPE_COUNT = sizeof key_types / sizeof key_types[0] };

static floe_type key_type(int index)
{
    if (key_types[index] == FLOE_TYPE_DECIMAL)
        return index == 5 ? floe_type_decimal(10, 2) : floe_type_decimal(30, 2);
    return T(key_types[index]);
}

/* Every type x ASC/DESC x NULLS FIRST/LAST, with duplicates (stability) and weights. */
START_TEST(one_key_of_every_type)
{
    seed((uint64_t)_i + 1);
    table t;
    keyed_table(&t, key_type(_i % KEY_TYPE_COUNT), 3000, 60);
    add_weights(&t);
    order_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.key_count = 1;
    spec.descending[0] = _i / KEY_TYPE_COUNT % 2;
    spec.nulls_first[0] = _i / KEY_TYPE_COUNT / 2 % 2;
    check_order(&spec, &t, mixed_source);
    table_fini(&t);
}
END_TEST

/* Three keys of different types and directions, then a fourth on a string column. */
START_TEST(several_keys)
{
    seed((uint64_t)_i + 100);
    const floe_type types[5] = {T(FLOE_TYPE_INT32), STR, T(FLOE_TYPE_FLOAT64), BIG,
                                floe_type_decimal(30, 0)};
    table t;
    table_init(&t, 5, types, 6000);
    for (uint32_t r = 0; r < t.row_count; r++) {
        random_cell(at(&t, r, 0), types[0], 5, 10);
        random_cell(at(&t, r, 1), types[1], 9, 10);
        random_cell(at(&t, r, 2), types[2], 12, 10);
        at(&t, r, 3)->i = r;
        random_cell(at(&t, r, 4), types[4], 8, 10);
    }
    order_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.key_count = 4;
    uint32_t columns[4] = {0, 1, 2, 4};
    for (uint32_t k = 0; k < 4; k++) {
        spec.columns[k] = _i % 2 ? columns[3 - k] : columns[k];
        spec.descending[k] = (_i + k) % 2;
        spec.nulls_first[k] = (_i / 2 + k) % 2;
    }
    check_order(&spec, &t, mixed_source);
    table_fini(&t);
}
END_TEST

/* ORDER BY -k NULLS FIRST, id DESC: the first key is evaluated per batch and stored. */
START_TEST(evaluated_key)
{
    seed(200);
    table t;
    keyed_table(&t, BIG, 5000, 30);
    order_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.key_count = 2;
    spec.negate[0] = true;
    spec.nulls_first[0] = true;
    spec.columns[1] = 1;
    spec.descending[1] = true;
    check_order(&spec, &t, mixed_source);
    table_fini(&t);
}
END_TEST

/* Input already in order, in reverse order, and all equal. */
START_TEST(presorted_reversed_and_equal_inputs)
{
    table t;
    keyed_table(&t, BIG, 10000, 1);
    for (uint32_t r = 0; r < t.row_count; r++) {
        at(&t, r, 0)->null = false;
        at(&t, r, 0)->i = _i == 0 ? r / 3 : _i == 1 ? -(int64_t)(r / 3) : 42;
    }
    order_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.key_count = 1;
    check_order(&spec, &t, plain_source);
    spec.descending[0] = true;
    check_order(&spec, &t, plain_source);
    table_fini(&t);
}
END_TEST

/* Binary values that differ only by trailing zero bytes, with and without a shared prefix: the
 * prefix's zero padding must not make "ab" equal to "ab\0". */
START_TEST(binary_values_with_zero_bytes)
{
    static const struct {
        const char *bytes;
        uint32_t length;
    } values[] = {{"ab", 2}, {"ab\0", 3}, {"a", 1}, {"ab\0\0", 4}, {"", 0}, {"\0", 1},
                  {"ab\1", 3}, {"abcdefgh", 8}, {"abcdefgh\0", 9}, {"abcdefg", 7}};
    enum { VALUE_COUNT = sizeof values / sizeof values[0] };
    for (int shared = 0; shared < 2; shared++) {
        const floe_type types[2] = {T(FLOE_TYPE_BINARY), BIG};
        table t;
        table_init(&t, 2, types, 400);
        for (uint32_t r = 0; r < t.row_count; r++) {
            uint32_t v = (r * 7) % VALUE_COUNT;
            cell *c = at(&t, r, 0);
            uint32_t offset = shared ? 9 : 0;
            if (shared) memcpy(c->s, "customer#", 9);
            memcpy(c->s + offset, values[v].bytes, values[v].length);
            c->length = offset + values[v].length;
            if (c->length == 0) c->length = 0, c->s[0] = 0;
            at(&t, r, 1)->i = r;
        }
        order_spec spec;
        memset(&spec, 0, sizeof spec);
        spec.key_count = 1;
        for (int descending = 0; descending < 2; descending++) {
            spec.descending[0] = descending;
            check_order(&spec, &t, mixed_source);
        }
        table_fini(&t);
    }
}
END_TEST

START_TEST(output_batches_of_2048)
{
    seed(300);
    table t;
    keyed_table(&t, STR, 5000, 100000);
    order_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.key_count = 1;
    source_options small = {100, false, false, false, -1};
    run_stats stats = check_order(&spec, &t, small);
    ck_assert_uint_eq(stats.batches, 3);
    ck_assert_uint_eq(stats.largest, 2048);
    table_fini(&t);
}
END_TEST

START_TEST(empty_input)
{
    table t;
    keyed_table(&t, BIG, 0, 1);
    order_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.key_count = 1;
    run_stats stats = check_order(&spec, &t, mixed_source);
    ck_assert_uint_eq(stats.batches, 0);
    table_fini(&t);
}
END_TEST

START_TEST(memory_limit_is_an_error)
{
    context.memory_limit = (size_t)1 << 20;
    seed(400);
    table t;
    keyed_table(&t, STR, 60000, 100000);
    order_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.key_count = 1;
    spec.negate[0] = _i == 1; /* also with an evaluated key column */
    if (_i == 1) {
        spec.columns[0] = 1;
    }
    lines actual = {0};
    floe_error err;
    int status = drain(create_order(&spec, &t, plain_source), &actual, NULL, &err);
    ck_assert_int_eq(status, FLOE_ENOMEM);
    ck_assert_msg(strstr(err.message, "--memory-limit") != NULL, "message: %s", err.message);
    ck_assert_uint_eq(actual.count, 0);
    lines_free(&actual);
    table_fini(&t);
}
END_TEST

/* The sort's own entries count too: a limit the rows fit in but not the entries. */
START_TEST(memory_limit_counts_the_sort)
{
    seed(450);
    table t;
    keyed_table(&t, BIG, 50000, 100);
    order_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.key_count = 1;
    /* Measure the store alone, then allow it but not the 36 bytes a row the sort needs. */
    floe_eng_batch_store store;
    floe_error err;
    ck_assert_int_eq(floe_eng_batch_store_init(&store, 3, t.types, &context, &err), FLOE_OK);
    floe_eng_operator *source = source_create(&t, &context, plain_source, NULL);
    floe_batch *batch;
    while (floe_eng_operator_next(source, &batch, &err) == FLOE_OK && batch != NULL)
        ck_assert_int_eq(floe_eng_batch_store_append(&store, batch, &err), FLOE_OK);
    floe_eng_operator_destroy(source);
    size_t store_bytes = store.reserved_bytes;
    floe_eng_batch_store_fini(&store);
    context.memory_limit = store_bytes + 16 * (size_t)t.row_count;
    lines actual = {0};
    ck_assert_int_eq(drain(create_order(&spec, &t, plain_source), &actual, NULL, &err),
                     FLOE_ENOMEM);
    lines_free(&actual);
    context.memory_limit = store_bytes + 36 * (size_t)t.row_count + 4096;
    check_order(&spec, &t, plain_source);
    table_fini(&t);
}
END_TEST

START_TEST(input_errors_propagate)
{
    seed(500);
    table t;
    keyed_table(&t, BIG, 5000, 100);
    order_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.key_count = 1;
    source_options failing = {512, false, false, false, 3};
    lines actual = {0};
    floe_error err;
    ck_assert_int_eq(drain(create_order(&spec, &t, failing), &actual, NULL, &err), FLOE_ECORRUPT);
    ck_assert_str_eq(err.message, "fake source: batch 3 is corrupt");
    lines_free(&actual);
    table_fini(&t);
}
END_TEST

START_TEST(failed_creation_destroys_input)
{
    table t;
    keyed_table(&t, BIG, 10, 100);
    order_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.key_count = 1;
    bool gone;
    floe_error err;
    floe_eng_operator *input = source_create(&t, &context, plain_source, &gone);
    floe_eng_operator *order = input; /* must be reset to NULL */
    floe_sql_plan *plan = order_plan(&spec, &t);
    plan->u.order.keys[0].expression = floe_sql_expression_column(&arena, 7, BIG, true);
    ck_assert_int_eq(floe_eng_order_create(plan, &input, &context, 0, 1, &order, &err),
                     FLOE_EINVAL);
    ck_assert_str_eq(err.message, "order: key 1 reads column 7 of 3");
    ck_assert_ptr_null(order);
    ck_assert(gone);
    for (long budget = 0; budget < 200; budget++) {
        input = source_create(&t, &context, plain_source, &gone);
        spec.negate[0] = true;
        plan = order_plan(&spec, &t);
        floe_set_allocation_failure_after(budget);
        int status = floe_eng_order_create(plan, &input, &context, 0, 1, &order, &err);
        floe_set_allocation_failure_after(-1);
        ck_assert(gone == (status != FLOE_OK));
        if (status == FLOE_OK) {
            floe_eng_operator_destroy(order);
            break;
        }
        ck_assert_int_eq(status, FLOE_ENOMEM);
    }
    table_fini(&t);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("order");
    TCase *tc = tcase_create("order");
    tcase_set_timeout(tc, 600);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, one_key_of_every_type, 0, 4 * KEY_TYPE_COUNT);
    tcase_add_loop_test(tc, several_keys, 0, 4);
    tcase_add_test(tc, evaluated_key);
    tcase_add_loop_test(tc, presorted_reversed_and_equal_inputs, 0, 3);
    tcase_add_test(tc, binary_values_with_zero_bytes);
    tcase_add_test(tc, output_batches_of_2048);
    tcase_add_test(tc, empty_input);
    tcase_add_loop_test(tc, memory_limit_is_an_error, 0, 2);
    tcase_add_test(tc, memory_limit_counts_the_sort);
    tcase_add_test(tc, input_errors_propagate);
    tcase_add_test(tc, failed_creation_destroys_input);
    suite_add_tcase(suite, tc);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
