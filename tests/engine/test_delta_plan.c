/*
 * Description: the change of a plan subtree (engine/delta_plan.h) over joins. Queries are
 * planned by the real front end over tables of a small warehouse; then the sources change
 * (INSERT, copy-on-write DELETE FROM) and, as multisets of rows with weights,
 *     NEW == OLD + DELTA
 * must hold, where OLD and NEW run the ordinary executor with every source pinned at its
 * snapshot before / after the change and DELTA is floe_eng_delta_compile between them; and the
 * delta from the empty tables (a rebuild) must equal NEW. Cases: inner and left joins with
 * repeated and NULL keys, changes on the left, the right and both sides, deletes on each side,
 * left-join rows flipping between matched and NULL-extended (right rows deleted and added
 * again), an ON residual, three tables (inner and left nested), a self-join (one table read at
 * two versions at once), a filter and a UNION ALL over joins, a source without a snapshot,
 * batches of more than 2048 rows; a subtree without changes compiles to an empty stream, a
 * copy-on-write DELETE's unchanged rows (-1 / +1 pairs) do not reach the join, and a cross
 * product is refused with the construct named.
 */
#define _GNU_SOURCE /* mkdtemp, nftw */
#include "engine/database.h"
#include "engine/delta_plan.h"
#include "engine/executor.h"
#include "io/iceberg_table.h"
#include "kernels/memory.h"
#include "kernels/value_text.h"
#include "sql/parser.h"

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char temporary_root[256];
static char warehouse[300];
static floe_eng_database *db;

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *ftw)
{
    (void)info, (void)flag, (void)ftw;
    return remove(path);
}

static void setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(temporary_root, sizeof temporary_root, "%s/floe-delta-plan-XXXXXX",
             base != NULL ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(temporary_root));
    snprintf(warehouse, sizeof warehouse, "%s/lake", temporary_root);
    floe_eng_options options = {warehouse, 1, (size_t)512 << 20, false};
    floe_error err;
    ck_assert_msg(floe_eng_database_open(&db, &options, &err) == FLOE_OK, "%s", err.message);
}

static void teardown(void)
{
    floe_eng_database_close(db);
    db = NULL;
    nftw(temporary_root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void run_ok(const char *sql)
{
    floe_eng_output output = {0};
    floe_error err;
    floe_error_clear(&err);
    int status = floe_eng_database_execute(db, sql, strlen(sql), &output, &err);
    ck_assert_msg(status == FLOE_OK, "%s: %s (%d)", sql, err.message, status);
}

/* ---- multisets of rows ---------------------------------------------------------------------- */

typedef struct weighted_row {
    char *text; /* the row's values, '|'-separated, NULL as "NULL" */
    int64_t weight;
} weighted_row;

typedef struct multiset {
    weighted_row *rows;
    size_t count, capacity;
} multiset;

static void multiset_fini(multiset *set)
{
    for (size_t i = 0; i < set->count; i++) floe_free(set->rows[i].text);
    floe_free(set->rows);
    memset(set, 0, sizeof *set);
}

static void multiset_add(multiset *set, const char *text, int64_t weight)
{
    if (set->count == set->capacity) {
        set->capacity = set->capacity ? set->capacity * 2 : 64;
        set->rows = floe_realloc(set->rows, set->capacity * sizeof *set->rows);
        ck_assert_ptr_nonnull(set->rows);
    }
    size_t length = strlen(text);
    char *copy = floe_malloc(length + 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, text, length + 1);
    set->rows[set->count++] = (weighted_row){copy, weight};
}

/* Every row `op` hands out, with its weight times `sign`; checks the operator's batches. */
static void multiset_drain(multiset *set, floe_eng_operator *op, int64_t sign)
{
    floe_text text;
    floe_text_init(&text);
    for (;;) {
        floe_batch *batch;
        floe_error err;
        floe_error_clear(&err);
        ck_assert_msg(floe_eng_operator_next(op, &batch, &err) == FLOE_OK, "%s", err.message);
        if (batch == NULL) break;
        ck_assert_uint_eq(batch->column_count, op->column_count);
        ck_assert_uint_le(batch->row_count, FLOE_BATCH_CAPACITY);
        uint32_t live = floe_batch_live_count(batch);
        for (uint32_t i = 0; i < live; i++) {
            uint32_t row = floe_batch_live_row(batch, i);
            floe_text_reset(&text);
            for (uint32_t c = 0; c < batch->column_count; c++) {
                if (c > 0) ck_assert_int_eq(floe_text_append_char(&text, '|'), 0);
                if (floe_vector_is_null(&batch->columns[c], row))
                    ck_assert_int_eq(floe_text_append(&text, "NULL", 4), 0);
                else
                    ck_assert_int_eq(floe_k_value_text_append(&text, &batch->columns[c], row), 0);
            }
            multiset_add(set, text.data, sign * floe_batch_weight(batch, row));
        }
    }
    floe_text_fini(&text);
}

static int compare_rows(const void *a, const void *b)
{
    return strcmp(((const weighted_row *)a)->text, ((const weighted_row *)b)->text);
}

/* Equal rows merged, their weights summed; rows of weight 0 dropped; sorted. */
static void multiset_normalize(multiset *set)
{
    if (set->count > 1) qsort(set->rows, set->count, sizeof *set->rows, compare_rows);
    size_t kept = 0;
    for (size_t i = 0; i < set->count;) {
        size_t j = i + 1;
        int64_t weight = set->rows[i].weight;
        while (j < set->count && strcmp(set->rows[j].text, set->rows[i].text) == 0) {
            weight += set->rows[j].weight;
            floe_free(set->rows[j].text);
            j++;
        }
        if (weight == 0) {
            floe_free(set->rows[i].text);
        } else {
            set->rows[kept].text = set->rows[i].text;
            set->rows[kept++].weight = weight;
        }
        i = j;
    }
    set->count = kept;
}

static void multiset_assert_equal(const multiset *got, const multiset *want, const char *what)
{
    size_t i = 0, j = 0;
    while (i < got->count || j < want->count) {
        int order = i == got->count    ? 1
                    : j == want->count ? -1
                                       : strcmp(got->rows[i].text, want->rows[j].text);
        ck_assert_msg(order == 0, "%s: row %s has weight %lld in one and none in the other", what,
                      order < 0 ? got->rows[i].text : want->rows[j].text,
                      (long long)(order < 0 ? got->rows[i].weight : want->rows[j].weight));
        ck_assert_msg(got->rows[i].weight == want->rows[j].weight,
                      "%s: row %s weighs %lld, expected %lld", what, got->rows[i].text,
                      (long long)got->rows[i].weight, (long long)want->rows[j].weight);
        i++, j++;
    }
}

/* ---- queries at versions -------------------------------------------------------------------- */

enum { MAX_SOURCES = 8 };

typedef struct query {
    floe_sql_script *script;
    floe_arena arena;
    floe_sql_bound_statement bound;
    floe_eng_delta_source sources[MAX_SOURCES];
    uint32_t source_count;
} query;

static int64_t current_snapshot(const char *identity)
{
    floe_ice_table *table;
    floe_error err;
    ck_assert_msg(floe_ice_table_open(&table, identity, warehouse, &err) == FLOE_OK, "%s",
                  err.message);
    int64_t id = table->metadata->current_snapshot_id;
    floe_ice_table_free(table);
    return id;
}

static void collect_sources(query *q, const floe_sql_plan *node)
{
    if (node->kind == FLOE_SQL_PLAN_SCAN) {
        const char *identity = node->u.scan.table.identity;
        for (uint32_t i = 0; i < q->source_count; i++)
            if (strcmp(q->sources[i].identity, identity) == 0) return;
        ck_assert_uint_lt(q->source_count, MAX_SOURCES);
        q->sources[q->source_count++] = (floe_eng_delta_source){identity, -1, -1};
    }
    for (uint32_t i = 0; i < node->input_count; i++) collect_sources(q, node->inputs[i]);
}

/* Plans `sql` and takes its sources' current snapshots as the `from` versions. */
static void query_plan(query *q, const char *sql)
{
    memset(q, 0, sizeof *q);
    floe_error err;
    ck_assert_msg(floe_sql_parse_statement(sql, strlen(sql), &q->script, &err) == FLOE_OK,
                  "%s: %s", sql, err.message);
    floe_arena_init(&q->arena, 0, 0);
    floe_sql_catalog catalog;
    floe_eng_database_catalog(db, &catalog);
    ck_assert_msg(floe_sql_plan_statement(&catalog, q->script->statements[0], &q->arena,
                                          &q->bound, &err) == FLOE_OK,
                  "%s: %s", sql, err.message);
    collect_sources(q, q->bound.plan);
    for (uint32_t i = 0; i < q->source_count; i++)
        q->sources[i].from_snapshot_id = current_snapshot(q->sources[i].identity);
}

static void query_take_to(query *q)
{
    for (uint32_t i = 0; i < q->source_count; i++)
        q->sources[i].to_snapshot_id = current_snapshot(q->sources[i].identity);
}

static void query_free(query *q)
{
    floe_arena_fini(&q->arena);
    floe_sql_script_free(q->script);
}

/* The query's rows with every source at its from (old) or to snapshot, by the executor. */
static void run_at(const query *q, bool old, multiset *set, int64_t sign)
{
    floe_eng_context context;
    floe_eng_context_init(&context, floe_eng_database_warehouse(db));
    floe_error err;
    floe_error_clear(&err);
    for (uint32_t i = 0; i < q->source_count; i++) {
        const floe_eng_delta_source *source = &q->sources[i];
        ck_assert_int_eq(floe_eng_context_pin(&context, source->identity,
                                              old ? source->from_snapshot_id
                                                  : source->to_snapshot_id,
                                              &err),
                         FLOE_OK);
    }
    floe_eng_operator *root;
    ck_assert_msg(floe_eng_plan_compile(q->bound.plan, &context, &root, &err) == FLOE_OK, "%s",
                  err.message);
    multiset_drain(set, root, sign);
    floe_eng_operator_destroy(root);
    floe_eng_context_fini(&context);
}

/* The delta between `sources`' versions; *rows_read: rows the scans decoded. */
static void run_delta(const query *q, const floe_eng_delta_source *sources, multiset *set,
                      int64_t *rows_read)
{
    floe_eng_context context;
    floe_eng_context_init(&context, floe_eng_database_warehouse(db));
    floe_error err;
    floe_error_clear(&err);
    floe_eng_operator *root;
    ck_assert_msg(floe_eng_delta_compile(q->bound.plan, sources, q->source_count, &context, &root,
                                         &err) == FLOE_OK,
                  "%s", err.message);
    ck_assert_uint_eq(root->column_count, q->bound.plan->output.column_count);
    multiset_drain(set, root, 1);
    floe_eng_operator_destroy(root);
    if (rows_read != NULL) *rows_read = (int64_t)atomic_load(&context.rows_read);
    floe_eng_context_fini(&context);
}

/* The same delta as `partition_count` partitions, all compiled first (as a parallel drain
 * does), then drained one after the other into `set`. */
static void run_delta_partitions(const query *q, uint32_t partition_count, multiset *set)
{
    floe_eng_context context;
    floe_eng_context_init(&context, floe_eng_database_warehouse(db));
    floe_error err;
    floe_error_clear(&err);
    floe_eng_operator *parts[4] = {NULL, NULL, NULL, NULL};
    ck_assert_uint_le(partition_count, 4);
    for (uint32_t p = 0; p < partition_count; p++)
        ck_assert_msg(floe_eng_delta_compile_partition(q->bound.plan, q->sources, q->source_count,
                                                       &context, p, partition_count, &parts[p],
                                                       &err) == FLOE_OK,
                      "%s", err.message);
    for (uint32_t p = 0; p < partition_count; p++) {
        multiset_drain(set, parts[p], 1);
        floe_eng_operator_destroy(parts[p]);
    }
    ck_assert_int_eq(floe_eng_delta_compile_partition(q->bound.plan, q->sources, q->source_count,
                                                      &context, partition_count, partition_count,
                                                      &parts[0], &err),
                     FLOE_EINVAL);
    floe_eng_context_fini(&context);
}

/* Plans `sql`, applies `changes` (a script), checks NEW == OLD + DELTA and that the delta from
 * the empty tables is NEW. Returns the number of distinct rows the delta changes. */
static size_t check_delta(const char *sql, const char *changes)
{
    query q;
    query_plan(&q, sql);
    run_ok(changes);
    query_take_to(&q);

    multiset new_rows = {0}, old_plus_delta = {0}, delta = {0};
    run_at(&q, false, &new_rows, 1);
    multiset_normalize(&new_rows);
    for (size_t i = 0; i < new_rows.count; i++)
        ck_assert_msg(new_rows.rows[i].weight > 0, "NEW holds %s with weight %lld",
                      new_rows.rows[i].text, (long long)new_rows.rows[i].weight);
    run_at(&q, true, &old_plus_delta, 1);
    run_delta(&q, q.sources, &old_plus_delta, NULL);
    multiset_normalize(&old_plus_delta);
    multiset_assert_equal(&old_plus_delta, &new_rows, "OLD + DELTA vs NEW");

    run_delta(&q, q.sources, &delta, NULL);
    multiset_normalize(&delta);
    size_t changed = delta.count;
    for (uint32_t partition_count = 2; partition_count <= 3; partition_count++) {
        multiset parts = {0};
        run_delta_partitions(&q, partition_count, &parts);
        multiset_normalize(&parts);
        multiset_assert_equal(&parts, &delta, "the partitions' deltas vs DELTA");
        multiset_fini(&parts);
    }

    floe_eng_delta_source rebuild[MAX_SOURCES];
    for (uint32_t i = 0; i < q.source_count; i++) {
        rebuild[i] = q.sources[i];
        rebuild[i].from_snapshot_id = -1;
    }
    multiset from_empty = {0};
    run_delta(&q, rebuild, &from_empty, NULL);
    multiset_normalize(&from_empty);
    multiset_assert_equal(&from_empty, &new_rows, "DELTA from the empty tables vs NEW");

    multiset_fini(&new_rows);
    multiset_fini(&old_plus_delta);
    multiset_fini(&delta);
    multiset_fini(&from_empty);
    query_free(&q);
    return changed;
}

static void create_orders_and_customers(void)
{
    run_ok("CREATE TABLE customers (id BIGINT, segment VARCHAR, region VARCHAR);"
           "CREATE TABLE orders (oid BIGINT, customer_id BIGINT, amount BIGINT);"
           "INSERT INTO customers VALUES (1, 'retail', 'east'), (2, 'retail', 'west'), "
           "(3, 'corp', 'east'), (4, 'gov', NULL), (4, 'gov2', 'north'), (NULL, 'ghost', 'x');"
           "INSERT INTO orders VALUES (10, 1, 100), (11, 1, 110), (12, 2, 120), (13, 3, 130), "
           "(14, 4, 140), (15, NULL, 150), (16, 9, 160), (17, 1, 100)");
}

static const char *const inner_join =
    "SELECT o.oid, o.amount, c.segment FROM orders o JOIN customers c ON o.customer_id = c.id";
static const char *const left_join =
    "SELECT o.oid, o.amount, c.segment FROM orders o LEFT JOIN customers c "
    "ON o.customer_id = c.id";

START_TEST(inner_join_changes_on_either_side)
{
    create_orders_and_customers();
    ck_assert_uint_gt(check_delta(inner_join, "INSERT INTO orders VALUES (18, 2, 5), (19, 4, 6),"
                                              " (20, NULL, 7), (21, 8, 8)"),
                      0);
    ck_assert_uint_gt(check_delta(inner_join, "INSERT INTO customers VALUES (8, 'new', 'n'), "
                                              "(2, 'retail-bis', 'w')"),
                      0);
    ck_assert_uint_gt(check_delta(inner_join, "INSERT INTO orders VALUES (22, 8, 9); "
                                              "INSERT INTO customers VALUES (9, 'late', 's')"),
                      0);
    ck_assert_uint_gt(check_delta(inner_join, "DELETE FROM orders WHERE amount = 100"), 0);
    ck_assert_uint_gt(check_delta(inner_join, "DELETE FROM customers WHERE id = 4"), 0);
    ck_assert_uint_gt(check_delta(inner_join, "DELETE FROM customers WHERE id = 1; "
                                              "DELETE FROM orders WHERE customer_id = 2; "
                                              "INSERT INTO customers VALUES (1, 'back', 'e')"),
                      0);
    /* Changes that the join drops: a customer nobody ordered from. */
    ck_assert_uint_eq(check_delta(inner_join, "INSERT INTO customers VALUES (77, 'idle', 'x')"),
                      0);
}
END_TEST

START_TEST(left_join_flips_between_matched_and_null_extended)
{
    create_orders_and_customers();
    /* Orders of customer 2 lose their match, then get it back; customer 9 appears. */
    ck_assert_uint_gt(check_delta(left_join, "DELETE FROM customers WHERE id = 2"), 0);
    ck_assert_uint_gt(check_delta(left_join, "INSERT INTO customers VALUES (2, 'again', 'w'),"
                                             " (9, 'nine', 'e'), (9, 'nine-bis', 'e')"),
                      0);
    ck_assert_uint_gt(check_delta(left_join, "INSERT INTO orders VALUES (30, 2, 1), "
                                             "(31, 50, 2), (32, NULL, 3); "
                                             "DELETE FROM customers WHERE segment = 'corp'"),
                      0);
    ck_assert_uint_gt(check_delta(left_join, "DELETE FROM orders WHERE oid > 12"), 0);
    ck_assert_uint_gt(check_delta(left_join, "DELETE FROM customers WHERE id > 0"), 0);
    /* A residual in ON: the match also needs the customer's region. */
    const char *residual = "SELECT o.oid, c.id, c.region FROM orders o LEFT JOIN customers c "
                           "ON o.customer_id = c.id AND c.region = 'east'";
    ck_assert_uint_gt(check_delta(residual, "INSERT INTO customers VALUES (1, 'r', 'east'), "
                                            "(2, 'r', 'west'), (3, 'r', 'east')"),
                      0);
    ck_assert_uint_gt(check_delta(residual, "DELETE FROM customers WHERE id = 1"), 0);
}
END_TEST

START_TEST(three_tables_inner_and_left)
{
    create_orders_and_customers();
    run_ok("CREATE TABLE regions (name VARCHAR, manager VARCHAR);"
           "INSERT INTO regions VALUES ('east', 'ann'), ('west', 'bob'), ('east', 'cid')");
    const char *inner = "SELECT o.oid, c.segment, r.manager FROM orders o "
                        "JOIN customers c ON o.customer_id = c.id "
                        "JOIN regions r ON c.region = r.name";
    const char *left = "SELECT o.oid, c.segment, r.manager FROM orders o "
                       "LEFT JOIN customers c ON o.customer_id = c.id "
                       "LEFT JOIN regions r ON c.region = r.name";
    const char *mixed = "SELECT o.oid, x.segment, x.manager FROM orders o LEFT JOIN "
                        "(SELECT c.id, c.segment, r.manager FROM customers c "
                        "JOIN regions r ON c.region = r.name) x ON o.customer_id = x.id";
    const char *queries[] = {inner, left, mixed};
    for (size_t i = 0; i < 3; i++) {
        ck_assert_uint_gt(check_delta(queries[i], "INSERT INTO regions VALUES ('north', 'dee'),"
                                                  " ('west', 'eve')"),
                          0);
        ck_assert_uint_gt(check_delta(queries[i], "DELETE FROM regions WHERE manager = 'ann'; "
                                                  "INSERT INTO orders VALUES (40, 3, 1)"),
                          0);
        ck_assert_uint_gt(check_delta(queries[i], "DELETE FROM customers WHERE id = 3; "
                                                  "INSERT INTO customers VALUES (3, 'c3', 'west');"
                                                  "DELETE FROM regions WHERE name = 'north'"),
                          0);
    }
}
END_TEST

START_TEST(self_join_reads_one_table_at_two_versions)
{
    run_ok("CREATE TABLE people (id BIGINT, boss BIGINT, name VARCHAR);"
           "INSERT INTO people VALUES (1, NULL, 'ceo'), (2, 1, 'vp'), (3, 2, 'dev'), "
           "(4, 2, 'ops')");
    const char *inner = "SELECT e.name, b.name FROM people e JOIN people b ON e.boss = b.id";
    const char *left = "SELECT e.name, b.name FROM people e LEFT JOIN people b ON e.boss = b.id";
    const char *queries[] = {inner, left};
    for (size_t i = 0; i < 2; i++) {
        ck_assert_uint_gt(check_delta(queries[i], "INSERT INTO people VALUES (5, 3, 'intern'), "
                                                  "(6, 5, 'intern2')"),
                          0);
        ck_assert_uint_gt(check_delta(queries[i], "DELETE FROM people WHERE id = 2"), 0);
        ck_assert_uint_gt(check_delta(queries[i], "INSERT INTO people VALUES (2, 1, 'vp2')"), 0);
    }
}
END_TEST

START_TEST(filters_unions_and_tables_without_snapshot)
{
    create_orders_and_customers();
    run_ok("CREATE TABLE returns (oid BIGINT, customer_id BIGINT, amount BIGINT)");
    const char *filtered = "SELECT c.segment, o.amount * 2 AS twice FROM orders o "
                           "JOIN customers c ON o.customer_id = c.id "
                           "WHERE o.amount > 105 AND c.segment <> 'gov'";
    const char *unioned = "SELECT o.oid, c.segment FROM orders o JOIN customers c "
                          "ON o.customer_id = c.id UNION ALL SELECT r.oid, c.segment "
                          "FROM returns r LEFT JOIN customers c ON r.customer_id = c.id";
    ck_assert_uint_gt(check_delta(filtered, "INSERT INTO orders VALUES (50, 3, 500), "
                                            "(51, 4, 501), (52, 3, 1)"),
                      0);
    /* returns has no snapshot before nor after: its scans read nothing. */
    ck_assert_uint_gt(check_delta(unioned, "INSERT INTO customers VALUES (9, 'nine', 'e')"), 0);
    ck_assert_uint_gt(check_delta(unioned, "INSERT INTO returns VALUES (1, 1, 5), (2, 77, 6)"),
                      0);
    ck_assert_uint_gt(check_delta(unioned, "DELETE FROM customers WHERE id = 1"), 0);
}
END_TEST

START_TEST(batches_of_many_rows)
{
    run_ok("CREATE TABLE s (k BIGINT, v BIGINT); CREATE TABLE t (k BIGINT, w BIGINT);"
           "INSERT INTO s VALUES (1, 1), (2, 2), (3, 3); INSERT INTO t VALUES (1, 10), (2, 20)");
    for (int step = 3; step < 6000; step *= 2) {
        char sql[128];
        snprintf(sql, sizeof sql, "INSERT INTO s SELECT k + %d, v FROM s", step);
        run_ok(sql);
    }
    run_ok("INSERT INTO t SELECT k + 2, w + 1 FROM t; INSERT INTO t SELECT k + 4, w FROM t");
    const char *left = "SELECT s.k, s.v, t.w FROM s LEFT JOIN t ON s.k % 8 = t.k";
    ck_assert_uint_gt(check_delta(left, "INSERT INTO t VALUES (0, 7), (3, 8); "
                                        "DELETE FROM t WHERE k = 1"),
                      FLOE_BATCH_CAPACITY);
    ck_assert_uint_gt(check_delta(left, "DELETE FROM s WHERE k % 3 = 0"), FLOE_BATCH_CAPACITY);
}
END_TEST

START_TEST(unchanged_rows_are_not_joined_and_cross_products_are_refused)
{
    create_orders_and_customers();
    query q;
    query_plan(&q, inner_join);
    query_take_to(&q);
    multiset delta = {0};
    int64_t rows_read = -1;
    run_delta(&q, q.sources, &delta, &rows_read);
    ck_assert_uint_eq(delta.count, 0);
    ck_assert_int_eq(rows_read, 0);
    /* Only customers changed: the customers delta and the orders snapshot are read, not the
     * customers snapshot (INSERT wrote one file of one row). */
    run_ok("INSERT INTO customers VALUES (3, 'corp-bis', 'east')");
    query_take_to(&q);
    run_delta(&q, q.sources, &delta, &rows_read);
    multiset_normalize(&delta);
    ck_assert_uint_eq(delta.count, 1);
    ck_assert_str_eq(delta.rows[0].text, "13|130|corp-bis");
    ck_assert_int_eq(rows_read, 1 + 8);
    multiset_fini(&delta);
    /* A DELETE rewrites the customers file: its other rows come as -1 / +1 pairs, which are
     * consolidated before they meet the orders, so the stream holds only the two real changes
     * (order 14 loses both customers 4), not a pair per unchanged customer's order. */
    for (uint32_t i = 0; i < q.source_count; i++)
        q.sources[i].from_snapshot_id = q.sources[i].to_snapshot_id;
    run_ok("DELETE FROM customers WHERE id = 4");
    query_take_to(&q);
    run_delta(&q, q.sources, &delta, NULL);
    ck_assert_uint_eq(delta.count, 2);
    for (size_t i = 0; i < delta.count; i++) {
        ck_assert_int_eq(delta.rows[i].weight, -1);
        ck_assert_ptr_nonnull(strstr(delta.rows[i].text, "14|140|gov"));
    }
    multiset_fini(&delta);
    query_free(&q);

    query_plan(&q, "SELECT o.oid, c.id FROM orders o JOIN customers c ON o.amount > c.id");
    const char *construct = NULL;
    ck_assert(!floe_eng_delta_supported(q.bound.plan, &construct));
    ck_assert_str_eq(construct, "joins without an equality condition (cross products)");
    floe_eng_context context;
    floe_eng_context_init(&context, floe_eng_database_warehouse(db));
    floe_eng_operator *root = NULL;
    floe_error err;
    ck_assert_int_eq(floe_eng_delta_compile(q.bound.plan, q.sources, q.source_count, &context,
                                            &root, &err),
                     FLOE_EUNSUPPORTED);
    ck_assert_ptr_null(root);
    ck_assert_str_eq(err.message, "incremental maintenance of joins without an equality "
                                  "condition (cross products) is not built yet");
    floe_eng_context_fini(&context);
    query_free(&q);
}
END_TEST

static Suite *delta_plan_suite(void)
{
    Suite *suite = suite_create("delta_plan");
    TCase *tc = tcase_create("joins");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, inner_join_changes_on_either_side);
    tcase_add_test(tc, left_join_flips_between_matched_and_null_extended);
    tcase_add_test(tc, three_tables_inner_and_left);
    tcase_add_test(tc, self_join_reads_one_table_at_two_versions);
    tcase_add_test(tc, filters_unions_and_tables_without_snapshot);
    tcase_add_test(tc, batches_of_many_rows);
    tcase_add_test(tc, unchanged_rows_are_not_joined_and_cross_products_are_refused);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(delta_plan_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
