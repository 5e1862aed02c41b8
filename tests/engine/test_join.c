/*
 * Description: the JOIN operator (engine/op_join.c) and the batch store it builds on
 * (engine/batch_store.h). Fake source operators hand out batches built here from row tables:
 * random sizes, dead rows behind selection vectors, dictionary-encoded columns, weights, and the
 * previous batch scribbled over on every next() (so a join that keeps reading a batch it should
 * have let go of gets garbage). Every join result is compared, as a multiset of rows with
 * weights, with a naive nested-loop join over the same tables: INNER and LEFT, keys of every
 * type, duplicates on both sides, NULL keys, string and composite keys, an evaluated key, empty
 * sides, residual conditions, Z-set weights, unique build keys (the positioned output), key-less
 * cross products and nested loops. Then: output batches never exceed 2048 rows (one key with
 * 10,000 build rows), the memory limit, input errors, and ownership on failed creation.
 */
#include "engine/batch_store.h"
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

static bool cells_equal(const cell *a, const cell *b, floe_type type)
{
    switch ((floe_type_id)type.id) {
    case FLOE_TYPE_FLOAT32:
    case FLOE_TYPE_FLOAT64: return (isnan(a->d) && isnan(b->d)) || a->d == b->d;
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY: return strcmp(a->s, b->s) == 0;
    default: return is_wide(type) ? a->wide == b->wide : a->i == b->i;
    }
}

static int compare_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void lines_sort(lines *l)
{
    if (l->count > 1) qsort(l->items, l->count, sizeof *l->items, compare_text);
}

static void assert_same(lines *expected, lines *actual)
{
    lines_sort(expected);
    lines_sort(actual);
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

/* ---- the reference join ---- */

typedef struct join_spec {
    bool left_join;
    uint32_t key_count;
    uint32_t left_keys[3], right_keys[3];
    bool left_key_plus_one;  /* left key 0 is `column + 1` (INT64): an evaluated key */
    bool residual;           /* left column residual_left < right column residual_right */
    uint32_t residual_left, residual_right;
} join_spec;

static bool residual_holds(const join_spec *spec, const table *l, uint32_t lr, const table *r,
                           uint32_t rr)
{
    if (!spec->residual) return true;
    const cell *a = at(l, lr, spec->residual_left), *b = at(r, rr, spec->residual_right);
    if (a->null || b->null) return false;
    floe_type type = l->types[spec->residual_left];
    if (floe_type_is_variable_width(type)) return strcmp(a->s, b->s) < 0;
    return a->i < b->i;
}

static bool keys_match(const join_spec *spec, const table *l, uint32_t lr, const table *r,
                       uint32_t rr)
{
    for (uint32_t k = 0; k < spec->key_count; k++) {
        cell a = *at(l, lr, spec->left_keys[k]);
        const cell *b = at(r, rr, spec->right_keys[k]);
        if (a.null || b->null) return false;
        if (k == 0 && spec->left_key_plus_one) a.i += 1;
        if (!cells_equal(&a, b, r->types[spec->right_keys[k]])) return false;
    }
    return true;
}

static void row_text(const table *t, uint32_t row, char *line, size_t size)
{
    char text[96];
    for (uint32_t c = 0; c < t->column_count; c++) {
        if (row == UINT32_MAX) {
            snprintf(text, sizeof text, "NULL");
        } else {
            cell_text(at(t, row, c), t->types[c], text, sizeof text);
        }
        append_text(line, size, text);
    }
}

static int64_t weight_of(const table *t, uint32_t row)
{
    return t->weights != NULL ? t->weights[row] : 1;
}

static void reference_join(const join_spec *spec, const table *l, const table *r, lines *out)
{
    for (uint32_t lr = 0; lr < l->row_count; lr++) {
        bool matched = false;
        for (uint32_t rr = 0; rr < r->row_count; rr++) {
            if (!keys_match(spec, l, lr, r, rr) || !residual_holds(spec, l, lr, r, rr)) continue;
            matched = true;
            char line[512] = "", text[32];
            row_text(l, lr, line, sizeof line);
            row_text(r, rr, line, sizeof line);
            snprintf(text, sizeof text, "w=%lld", (long long)(weight_of(l, lr) * weight_of(r, rr)));
            append_text(line, sizeof line, text);
            lines_add(out, line);
        }
        if (spec->left_join && !matched) {
            char line[512] = "", text[32];
            row_text(l, lr, line, sizeof line);
            row_text(r, UINT32_MAX, line, sizeof line);
            snprintf(text, sizeof text, "w=%lld", (long long)weight_of(l, lr));
            append_text(line, sizeof line, text);
            lines_add(out, line);
        }
    }
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

static floe_sql_expression *column(uint32_t index, floe_type type)
{
    floe_sql_expression *e = floe_sql_expression_column(&arena, index, type, true);
    ck_assert_ptr_nonnull(e);
    return e;
}

static floe_sql_expression *binary(floe_sql_operator op, floe_type type, floe_sql_expression *a,
                                   floe_sql_expression *b)
{
    floe_sql_expression *children[2] = {a, b};
    floe_sql_expression *e =
        floe_sql_expression_node(&arena, FLOE_SQL_EXPRESSION_BINARY, type, true, 2, children);
    ck_assert_ptr_nonnull(e);
    e->operator_kind = op;
    return e;
}

static floe_sql_plan *join_plan(const join_spec *spec, const table *l, const table *r)
{
    uint32_t columns = l->column_count + r->column_count;
    floe_sql_plan *plan = floe_sql_plan_create(&arena, FLOE_SQL_PLAN_JOIN, 2, columns);
    ck_assert_ptr_nonnull(plan);
    for (uint32_t c = 0; c < columns; c++) {
        plan->output.columns[c].name = "c";
        plan->output.columns[c].type =
            c < l->column_count ? l->types[c] : r->types[c - l->column_count];
        plan->output.columns[c].nullable = true;
    }
    plan->u.join.kind = spec->left_join ? FLOE_SQL_PLAN_JOIN_LEFT : FLOE_SQL_PLAN_JOIN_INNER;
    plan->u.join.key_count = spec->key_count;
    if (spec->key_count > 0) {
        plan->u.join.left_keys = floe_arena_alloc(&arena, spec->key_count * sizeof(void *));
        plan->u.join.right_keys = floe_arena_alloc(&arena, spec->key_count * sizeof(void *));
        ck_assert(plan->u.join.left_keys != NULL && plan->u.join.right_keys != NULL);
    }
    for (uint32_t k = 0; k < spec->key_count; k++) {
        floe_type type = l->types[spec->left_keys[k]];
        floe_sql_expression *left = column(spec->left_keys[k], type);
        if (k == 0 && spec->left_key_plus_one) {
            floe_sql_expression *one =
                floe_sql_expression_constant(&arena, floe_sql_value_int64(1));
            ck_assert_ptr_nonnull(one);
            left = binary(FLOE_SQL_OPERATOR_ADD, type, left, one);
        }
        plan->u.join.left_keys[k] = left;
        plan->u.join.right_keys[k] = column(spec->right_keys[k], r->types[spec->right_keys[k]]);
    }
    if (spec->residual) {
        floe_type type = l->types[spec->residual_left];
        plan->u.join.residual =
            binary(FLOE_SQL_OPERATOR_LESS, T(FLOE_TYPE_BOOLEAN), column(spec->residual_left, type),
                   column(l->column_count + spec->residual_right, type));
    }
    return plan;
}

static floe_eng_operator *create_join(const join_spec *spec, const table *l, const table *r,
                                      source_options left_options, source_options right_options)
{
    floe_eng_operator *inputs[2] = {source_create(l, &context, left_options, NULL),
                                    source_create(r, &context, right_options, NULL)};
    floe_eng_operator *join = NULL;
    floe_error err;
    int status = floe_eng_join_create(join_plan(spec, l, r), inputs, &context, 0, 1, &join, &err);
    ck_assert_msg(status == FLOE_OK, "join create: %s", err.message);
    return join;
}

/* Runs the join and the reference; returns the run's statistics. */
static run_stats check_join(const join_spec *spec, const table *l, const table *r,
                            source_options left_options, source_options right_options)
{
    lines expected = {0}, actual = {0};
    reference_join(spec, l, r, &expected);
    floe_error err;
    run_stats stats;
    int status = drain(create_join(spec, l, r, left_options, right_options), &actual, &stats, &err);
    ck_assert_msg(status == FLOE_OK, "join: %s", err.message);
    assert_same(&expected, &actual);
    lines_free(&expected);
    lines_free(&actual);
    return stats;
}

/* ---- the standard random tables ---- */

#define BIG T(FLOE_TYPE_INT64)
#define STR T(FLOE_TYPE_STRING)

/* (k1 BIGINT, k2 VARCHAR, v BIGINT, s VARCHAR): k1 from `domain`, k2 from 7 values, 5% NULL
 * keys. */
static void random_table(table *t, uint32_t rows, uint32_t domain, bool weighted)
{
    const floe_type types[4] = {BIG, STR, BIG, STR};
    table_init(t, 4, types, rows);
    for (uint32_t r = 0; r < rows; r++) {
        random_cell(at(t, r, 0), BIG, domain, 5);
        random_cell(at(t, r, 1), STR, 7, 5);
        random_cell(at(t, r, 2), BIG, 100, 10);
        random_cell(at(t, r, 3), STR, 1000, 10);
    }
    if (weighted) {
        static const int64_t choices[] = {-2, -1, 1, 2, 3};
        t->weights = malloc(rows * sizeof *t->weights + 1);
        ck_assert_ptr_nonnull(t->weights);
        for (uint32_t r = 0; r < rows; r++) t->weights[r] = choices[below(5)];
    }
}

static join_spec spec_for(int variant, bool left_join)
{
    join_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.left_join = left_join;
    switch (variant) {
    case 0: /* k1 = k1 */
        spec.key_count = 1;
        break;
    case 1: /* k2 = k2: a string key */
        spec.key_count = 1;
        spec.left_keys[0] = spec.right_keys[0] = 1;
        break;
    case 2: /* (k1, k2) = (k1, k2) */
        spec.key_count = 2;
        spec.left_keys[1] = spec.right_keys[1] = 1;
        break;
    case 3: /* (k1 + 1, k2) = (k1, k2): an evaluated key in a composite */
        spec.key_count = 2;
        spec.left_keys[1] = spec.right_keys[1] = 1;
        spec.left_key_plus_one = true;
        break;
    default: /* k1 + 1 = k1 */
        spec.key_count = 1;
        spec.left_key_plus_one = true;
        break;
    }
    return spec;
}

/* 5 key variants x INNER/LEFT x with/without residual x weights. */
START_TEST(random_joins_match_nested_loop)
{
    int variant = _i % 5;
    bool left_join = (_i / 5) % 2;
    bool residual = (_i / 10) % 2;
    bool weighted = (_i / 20) % 2;
    seed((uint64_t)_i + 1);
    table l, r;
    random_table(&l, 1500 + below(500), 40, weighted);
    random_table(&r, 700 + below(300), 40, weighted);
    join_spec spec = spec_for(variant, left_join);
    spec.residual = residual;
    spec.residual_left = 2;
    spec.residual_right = 2;
    check_join(&spec, &l, &r, mixed_source, mixed_source);
    table_fini(&l);
    table_fini(&r);
}
END_TEST

/* A key of every type (NULLs, -0.0 and NaN among the floats), alone and beside an INT32. */
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

START_TEST(keys_of_every_type)
{
    floe_type type = key_type(_i % KEY_TYPE_COUNT);
    bool composite = _i / KEY_TYPE_COUNT % 2, left_join = _i / KEY_TYPE_COUNT / 2 % 2;
    seed((uint64_t)_i + 100);
    const floe_type types[3] = {type, T(FLOE_TYPE_INT32), STR};
    table l, r;
    table_init(&l, 3, types, 900);
    table_init(&r, 3, types, 400);
    const table *both[2] = {&l, &r};
    for (int side = 0; side < 2; side++) {
        for (uint32_t row = 0; row < both[side]->row_count; row++) {
            random_cell(at(both[side], row, 0), type, 12, 8);
            random_cell(at(both[side], row, 1), T(FLOE_TYPE_INT32), 3, 8);
            random_cell(at(both[side], row, 2), STR, 500, 0);
        }
    }
    join_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.left_join = left_join;
    spec.key_count = composite ? 2 : 1;
    spec.left_keys[1] = spec.right_keys[1] = 1;
    check_join(&spec, &l, &r, mixed_source, mixed_source);
    table_fini(&l);
    table_fini(&r);
}
END_TEST

/* Distinct build keys: the positioned output (left columns passed through as views). */
START_TEST(unique_build_keys)
{
    bool left_join = _i % 2, residual = _i / 2 % 2, weighted = _i / 4 % 2;
    seed((uint64_t)_i + 200);
    table l, r;
    random_table(&l, 5000, 3000, weighted);
    random_table(&r, 2000, 1, weighted);
    /* Right k1: a permutation of 0..1999 scaled like random_cell's, some NULL. */
    for (uint32_t row = 0; row < r.row_count; row++) {
        uint32_t swap = below(row + 1);
        at(&r, row, 0)->i = at(&r, swap, 0)->i;
        at(&r, swap, 0)->i = ((int64_t)row - 1500) * 1000003;
        at(&r, row, 0)->null = false;
    }
    for (uint32_t row = 0; row < r.row_count; row++) at(&r, row, 0)->null = below(50) == 0;
    join_spec spec = spec_for(0, left_join);
    spec.residual = residual;
    spec.residual_left = 3;
    spec.residual_right = 3;
    check_join(&spec, &l, &r, mixed_source, mixed_source);
    table_fini(&l);
    table_fini(&r);
}
END_TEST

/* No keys: a cross product, a nested loop with a residual, LEFT with a residual. */
START_TEST(cross_products_and_nested_loops)
{
    seed((uint64_t)_i + 300);
    table l, r;
    random_table(&l, 300 + below(100), 10, _i % 2);
    random_table(&r, 150 + below(100), 10, _i % 2);
    join_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.left_join = _i / 2 % 2 == 1;
    spec.residual = spec.left_join || _i / 4 % 2 == 1;
    spec.residual_left = 2;
    spec.residual_right = 2;
    run_stats stats = check_join(&spec, &l, &r, mixed_source, mixed_source);
    ck_assert_uint_le(stats.largest, CAPACITY);
    table_fini(&l);
    table_fini(&r);
}
END_TEST

START_TEST(empty_sides)
{
    seed(400);
    table empty, some;
    random_table(&empty, 0, 10, false);
    random_table(&some, 3000, 10, false);
    for (int variant = 0; variant < 3; variant++) {
        for (int left_join = 0; left_join < 2; left_join++) {
            join_spec spec = spec_for(variant, left_join);
            if (variant == 2) spec.key_count = 0; /* cross product */
            check_join(&spec, &empty, &some, mixed_source, mixed_source);
            check_join(&spec, &some, &empty, mixed_source, mixed_source);
            check_join(&spec, &empty, &empty, mixed_source, mixed_source);
        }
    }
    table_fini(&empty);
    table_fini(&some);
}
END_TEST

/* An INNER join with nothing to build never reads its left input. */
START_TEST(inner_join_with_empty_build_skips_probe)
{
    table l, r;
    random_table(&l, 100, 10, false);
    random_table(&r, 0, 10, false);
    join_spec spec = spec_for(0, false);
    floe_eng_operator *left = source_create(&l, &context, plain_source, NULL);
    floe_eng_operator *inputs[2] = {left, source_create(&r, &context, plain_source, NULL)};
    floe_eng_operator *join;
    floe_error err;
    ck_assert_int_eq(floe_eng_join_create(join_plan(&spec, &l, &r), inputs, &context, 0, 1, &join,
                                          &err),
                     FLOE_OK);
    floe_batch *batch;
    ck_assert_int_eq(floe_eng_operator_next(join, &batch, &err), FLOE_OK);
    ck_assert_ptr_null(batch);
    ck_assert_uint_eq(((fake_source *)left)->calls, 0);
    floe_eng_operator_destroy(join);
    table_fini(&l);
    table_fini(&r);
}
END_TEST

/* One key with 10,000 build rows: every output batch holds at most 2048 rows, a left row's
 * matches continue across next() calls, and nothing is lost or repeated. */
START_TEST(output_batches_never_exceed_capacity)
{
    seed(500);
    table l, r;
    random_table(&l, 12, 10, false);
    random_table(&r, 10100, 10, false);
    for (uint32_t row = 0; row < r.row_count; row++) {
        at(&r, row, 0)->null = false;
        at(&r, row, 0)->i = row < 10000 ? 7 : (int64_t)row;
    }
    for (uint32_t row = 0; row < l.row_count; row++) {
        at(&l, row, 0)->null = false;
        at(&l, row, 0)->i = row % 3 == 0 ? 10050 : 7;
    }
    for (int left_join = 0; left_join < 2; left_join++) {
        join_spec spec = spec_for(0, left_join);
        run_stats stats = check_join(&spec, &l, &r, plain_source, mixed_source);
        ck_assert_uint_eq(stats.largest, CAPACITY);
        ck_assert_uint_ge(stats.batches, (8 * 10000 + 4) / CAPACITY);
    }
    table_fini(&l);
    table_fini(&r);
}
END_TEST

START_TEST(memory_limit_is_an_error)
{
    context.memory_limit = (size_t)1 << 20;
    seed(600);
    table l, r;
    random_table(&l, 10, 10, false);
    random_table(&r, 60000, 60000, false);
    join_spec spec = spec_for(_i, false);
    lines actual = {0};
    floe_error err;
    int status = drain(create_join(&spec, &l, &r, plain_source, plain_source), &actual, NULL, &err);
    ck_assert_int_eq(status, FLOE_ENOMEM);
    ck_assert_msg(strstr(err.message, "--memory-limit") != NULL, "message: %s", err.message);
    ck_assert_uint_eq(actual.count, 0);
    lines_free(&actual);
    table_fini(&l);
    table_fini(&r);
}
END_TEST

START_TEST(memory_is_accounted_and_released)
{
    seed(650);
    table l, r;
    random_table(&l, 100, 10, false);
    random_table(&r, 20000, 5000, false);
    join_spec spec = spec_for(2, false);
    check_join(&spec, &l, &r, plain_source, plain_source);
    ck_assert_uint_gt(atomic_load(&context.memory_peak), 20000 * 16);
    table_fini(&l);
    table_fini(&r);
}
END_TEST

START_TEST(input_errors_propagate)
{
    seed(700);
    table l, r;
    random_table(&l, 5000, 10, false);
    random_table(&r, 5000, 10, false);
    source_options failing = {512, false, false, false, 2};
    for (int side = 0; side < 2; side++) {
        join_spec spec = spec_for(0, false);
        floe_eng_operator *inputs[2] = {
            source_create(&l, &context, side == 0 ? failing : plain_source, NULL),
            source_create(&r, &context, side == 1 ? failing : plain_source, NULL)};
        floe_eng_operator *join;
        floe_error err;
        ck_assert_int_eq(
            floe_eng_join_create(join_plan(&spec, &l, &r), inputs, &context, 0, 1, &join, &err),
            FLOE_OK);
        lines actual = {0};
        ck_assert_int_eq(drain(join, &actual, NULL, &err), FLOE_ECORRUPT);
        ck_assert_str_eq(err.message, "fake source: batch 2 is corrupt");
        lines_free(&actual);
    }
    table_fini(&l);
    table_fini(&r);
}
END_TEST

/* A failed creation still destroys both inputs. */
START_TEST(failed_creation_destroys_inputs)
{
    const floe_type left_types[1] = {T(FLOE_TYPE_INT32)}, right_types[1] = {BIG};
    table l, r;
    table_init(&l, 1, left_types, 0);
    table_init(&r, 1, right_types, 0);
    join_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.key_count = 1;
    bool left_gone, right_gone;
    floe_eng_operator *inputs[2] = {source_create(&l, &context, plain_source, &left_gone),
                                    source_create(&r, &context, plain_source, &right_gone)};
    floe_sql_plan *plan = join_plan(&spec, &l, &r);
    plan->u.join.right_keys[0] = column(0, BIG);
    floe_eng_operator *join = inputs[0]; /* must be reset to NULL */
    floe_error err;
    ck_assert_int_eq(floe_eng_join_create(plan, inputs, &context, 0, 1, &join, &err), FLOE_ETYPE);
    ck_assert_str_eq(err.message, "join key 1: the left side is INTEGER, the right side BIGINT");
    ck_assert_ptr_null(join);
    ck_assert(left_gone && right_gone);

    /* A key reading a column the input does not have. */
    inputs[0] = source_create(&l, &context, plain_source, &left_gone);
    inputs[1] = source_create(&l, &context, plain_source, &right_gone);
    plan = join_plan(&spec, &l, &l);
    plan->u.join.right_keys[0] = column(3, T(FLOE_TYPE_INT32));
    ck_assert_int_eq(floe_eng_join_create(plan, inputs, &context, 0, 1, &join, &err), FLOE_EINVAL);
    ck_assert_str_eq(err.message, "join: right key 1 reads column 3 of 1");
    ck_assert(left_gone && right_gone);

    /* Allocation failures at every step of creation. */
    for (long budget = 0; budget < 200; budget++) {
        inputs[0] = source_create(&l, &context, plain_source, &left_gone);
        inputs[1] = source_create(&l, &context, plain_source, &right_gone);
        plan = join_plan(&spec, &l, &l);
        floe_set_allocation_failure_after(budget);
        int status = floe_eng_join_create(plan, inputs, &context, 0, 1, &join, &err);
        floe_set_allocation_failure_after(-1);
        ck_assert(left_gone == (status != FLOE_OK) && right_gone == (status != FLOE_OK));
        if (status == FLOE_OK) {
            floe_eng_operator_destroy(join);
            break;
        }
        ck_assert_int_eq(status, FLOE_ENOMEM);
    }
    table_fini(&l);
    table_fini(&r);
}
END_TEST

/* ---- the batch store on its own ---- */

START_TEST(store_append_and_gather)
{
    seed(800);
    const floe_type types[5] = {T(FLOE_TYPE_BOOLEAN), T(FLOE_TYPE_INT32), BIG,
                                floe_type_decimal(30, 4), STR};
    table t;
    table_init(&t, 5, types, 7000);
    for (uint32_t row = 0; row < t.row_count; row++)
        for (uint32_t c = 0; c < 5; c++)
            random_cell(at(&t, row, c), types[c], 1000, c == 2 ? 0 : 10);
    t.weights = malloc(t.row_count * sizeof *t.weights);
    for (uint32_t row = 0; row < t.row_count; row++)
        t.weights[row] = row < 3000 ? 1 : (int64_t)row; /* weights appear after 3000 rows */
    floe_eng_batch_store store;
    floe_error err;
    ck_assert_int_eq(floe_eng_batch_store_init(&store, 5, types, &context, &err), FLOE_OK);
    floe_eng_operator *source = source_create(&t, &context, mixed_source, NULL);
    floe_batch *batch;
    while (floe_eng_operator_next(source, &batch, &err) == FLOE_OK && batch != NULL)
        ck_assert_int_eq(floe_eng_batch_store_append(&store, batch, &err), FLOE_OK);
    floe_eng_operator_destroy(source);
    ck_assert_uint_eq(store.row_count, t.row_count);
    ck_assert_ptr_null(store.columns[2].validity); /* no NULL ever appended */
    ck_assert_uint_eq(atomic_load(&context.memory_used), store.reserved_bytes);

    /* Gather a random permutation with NULL rows, into positions in reverse. */
    uint32_t rows[CAPACITY], positions[CAPACITY];
    floe_vector out;
    for (uint32_t c = 0; c < 5; c++) {
        ck_assert_int_eq(floe_vector_init(&out, types[c], CAPACITY, NULL), FLOE_OK);
        for (uint32_t i = 0; i < CAPACITY; i++) {
            rows[i] = below(10) == 0 ? FLOE_ENG_STORE_NULL_ROW : below(t.row_count);
            positions[i] = CAPACITY - 1 - i;
        }
        ck_assert_int_eq(floe_eng_batch_store_gather(&store, c, rows, positions, CAPACITY, &out,
                                                     &err),
                         FLOE_OK);
        for (uint32_t i = 0; i < CAPACITY; i++) {
            char want[96], got[96];
            if (rows[i] == FLOE_ENG_STORE_NULL_ROW) snprintf(want, sizeof want, "NULL");
            else cell_text(at(&t, rows[i], c), types[c], want, sizeof want);
            vector_text(&out, positions[i], got, sizeof got);
            REQUIRE(strcmp(want, got) == 0, "row %u: want %s, got %s", i, want, got);
        }
        floe_vector_fini(&out);
    }
    for (uint32_t row = 0; row < t.row_count; row++)
        REQUIRE(floe_eng_batch_store_weight(&store, row) == t.weights[row], "weight of %u", row);
    floe_eng_batch_store_fini(&store);
    ck_assert_uint_eq(atomic_load(&context.memory_used), 0);
    table_fini(&t);
}
END_TEST

/* A failed append (memory limit) changes no row; the store stays usable. */
START_TEST(store_failed_append_changes_nothing)
{
    const floe_type types[2] = {BIG, STR};
    floe_eng_batch_store store;
    floe_error err;
    ck_assert_int_eq(floe_eng_batch_store_init(&store, 2, types, &context, &err), FLOE_OK);
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, 2, types, NULL), FLOE_OK);
    char text[2048];
    memset(text, 'x', sizeof text);
    for (uint32_t r = 0; r < CAPACITY; r++) {
        ((int64_t *)batch.columns[0].data)[r] = r;
        REQUIRE(floe_vector_set_string(&batch.columns[1], r, text, r % 100, NULL) == FLOE_OK,
                "set_string");
    }
    batch.row_count = CAPACITY;
    ck_assert_int_eq(floe_eng_batch_store_append(&store, &batch, &err), FLOE_OK);
    context.memory_limit = atomic_load(&context.memory_used) + 1000;
    for (uint32_t r = 0; r < CAPACITY; r++)
        REQUIRE(floe_vector_set_string(&batch.columns[1], r, text, 2000, NULL) == FLOE_OK,
                "set_string");
    ck_assert_int_eq(floe_eng_batch_store_append(&store, &batch, &err), FLOE_ENOMEM);
    ck_assert_uint_eq(store.row_count, CAPACITY);
    uint64_t bytes = 0;
    for (uint32_t r = 0; r < CAPACITY; r++) bytes += r % 100;
    ck_assert_uint_eq(store.columns[1].offsets[CAPACITY], bytes);
    context.memory_limit = 0;
    ck_assert_int_eq(floe_eng_batch_store_append(&store, &batch, &err), FLOE_OK);
    ck_assert_uint_eq(store.row_count, 2 * CAPACITY);
    uint32_t rows[2] = {5, CAPACITY + 5};
    floe_vector out;
    ck_assert_int_eq(floe_vector_init(&out, STR, CAPACITY, NULL), FLOE_OK);
    ck_assert_int_eq(floe_eng_batch_store_gather(&store, 1, rows, NULL, 2, &out, &err), FLOE_OK);
    uint32_t length;
    floe_vector_string(&out, 0, &length);
    ck_assert_uint_eq(length, 5);
    floe_vector_string(&out, 1, &length);
    ck_assert_uint_eq(length, 2000);
    floe_vector_fini(&out);
    floe_batch_fini(&batch);
    floe_eng_batch_store_fini(&store);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("join");
    TCase *tc = tcase_create("join");
    tcase_set_timeout(tc, 600);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, random_joins_match_nested_loop, 0, 40);
    tcase_add_loop_test(tc, keys_of_every_type, 0, 4 * KEY_TYPE_COUNT);
    tcase_add_loop_test(tc, unique_build_keys, 0, 8);
    tcase_add_loop_test(tc, cross_products_and_nested_loops, 0, 8);
    tcase_add_test(tc, empty_sides);
    tcase_add_test(tc, inner_join_with_empty_build_skips_probe);
    tcase_add_test(tc, output_batches_never_exceed_capacity);
    tcase_add_loop_test(tc, memory_limit_is_an_error, 0, 3);
    tcase_add_test(tc, memory_is_accounted_and_released);
    tcase_add_test(tc, input_errors_propagate);
    tcase_add_test(tc, failed_creation_destroys_inputs);
    tcase_add_test(tc, store_append_and_gather);
    tcase_add_test(tc, store_failed_append_changes_nothing);
    suite_add_tcase(suite, tc);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
