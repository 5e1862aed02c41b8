/*
 * Description: lineage (engine/lineage.h) and EXPLAIN DYNAMIC TABLE's per-source read
 * estimates (engine/dynamic_table.h). An aggregating table over orders appended in three
 * snapshots, refreshed after each (enough groups for two buckets, so a later refresh leaves
 * some groups' rows as an earlier one wrote them): a group touched only by the second append
 * names refresh 2, the source snapshot it consumed and exactly the file holding that key; a
 * group touched by two appends names both files; --where selecting nothing gives no rows; a bad
 * expression fails with its position; the limit; a table that is not dynamic. A
 * non-aggregating table narrows to the file of the equal row; a join is "not narrowed" with
 * every file. EXPLAIN: after an append the estimate is the appended file's rows and bytes,
 * after a DELETE (copy-on-write overwrite) the added and removed files, for a FULL table the
 * whole snapshot, for EXPLAIN CREATE what a first refresh reads.
 */
#define _GNU_SOURCE /* mkdtemp, nftw */
#include "engine/lineage.h"
#include "io/iceberg_table.h"
#include "kernels/memory.h"

#include <check.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/warehouse_fixture.h"

/* ---- helpers ------------------------------------------------------------------------------ */

static floe_eng_lineage *trace_ok(const char *name, const char *where, int64_t limit)
{
    floe_eng_lineage *lineage = NULL;
    floe_error err;
    floe_error_clear(&err);
    int status = floe_eng_lineage_trace(db, name, where, limit, &lineage, &err);
    ck_assert_msg(status == FLOE_OK, "lineage %s --where %s: %s (%d)", name,
                  where != NULL ? where : "(none)", err.message, status);
    ck_assert_ptr_nonnull(lineage);
    return lineage;
}

/* The data files the table's current snapshot added (its changes from its parent). */
static size_t added_files(const char *name, char paths[][PATH_MAX], size_t capacity,
                          int64_t *snapshot_id, int64_t *bytes)
{
    floe_ice_table *table = open_table(name);
    const floe_ice_snapshot *current = floe_ice_current_snapshot(table->metadata);
    ck_assert_ptr_nonnull(current);
    floe_ice_changes *changes = NULL;
    floe_error err;
    ck_assert_msg(floe_ice_table_changes(table, current->parent_snapshot_id,
                                         current->snapshot_id, &changes, &err) == FLOE_OK,
                  "%s", err.message);
    ck_assert_uint_eq(changes->snapshot_count, 1);
    const floe_ice_snapshot_changes *change = &changes->snapshots[0];
    size_t count = change->added_data_file_count;
    ck_assert_uint_le(count, capacity);
    *bytes = 0;
    for (size_t i = 0; i < count; i++) {
        snprintf(paths[i], PATH_MAX, "%s", change->added_data_files[i].file->file_path);
        *bytes += change->added_data_files[i].file_size;
    }
    *snapshot_id = current->snapshot_id;
    floe_ice_changes_free(changes);
    floe_ice_table_free(table);
    return count;
}

static int64_t current_snapshot_of(const char *name)
{
    floe_ice_table *table = open_table(name);
    int64_t id = table->metadata->current_snapshot_id;
    floe_ice_table_free(table);
    return id;
}

static bool lists_file(const floe_eng_lineage_source *source, const char *path)
{
    for (size_t i = 0; i < source->file_count; i++)
        if (strcmp(source->files[i], path) == 0) return true;
    return false;
}

/* The value of column `name` in traced row `row`, as text. */
static const char *value_of(const floe_eng_lineage *lineage, size_t row, const char *name)
{
    for (uint32_t c = 0; c < lineage->column_count; c++)
        if (strcmp(lineage->column_names[c], name) == 0) return lineage->rows[row].values[c].text;
    ck_abort_msg("no column %s", name);
    return NULL;
}

/* orders: keys 0..99999 in append 1 (one per row), ten new keys 200000..200009 and key 7 in
 * append 2, key 300000 in append 3; `agg` refreshed after each. */
static char append_one[4][PATH_MAX], append_two[4][PATH_MAX];
static int64_t snapshot_one, snapshot_two, snapshot_three;

static void three_appends(void)
{
    int64_t bytes = 0;
    run_ok("CREATE TABLE digits (d BIGINT); "
           "INSERT INTO digits VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)");
    run_ok("CREATE TABLE orders (id BIGINT, k BIGINT, amount BIGINT)");
    run_ok("INSERT INTO orders SELECT a.d * 10000 + b.d * 1000 + c.d * 100 + e.d * 10 + f.d, "
           "a.d * 10000 + b.d * 1000 + c.d * 100 + e.d * 10 + f.d, 1 "
           "FROM digits a, digits b, digits c, digits e, digits f");
    ck_assert_uint_eq(added_files("default/orders", append_one, 4, &snapshot_one, &bytes), 1);
    run_ok("CREATE DYNAMIC TABLE agg AS SELECT k, sum(amount) AS total, count(*) AS n "
           "FROM orders WHERE amount > 0 GROUP BY k");
    ck_assert_str_eq(current_summary("default/agg", "floe.bucket-count"), "2");
    run_ok("INSERT INTO orders VALUES (200000, 200000, 5), (200001, 200001, 5), "
           "(200002, 200002, 5), (200003, 200003, 5), (200004, 200004, 5), (200005, 200005, 5), "
           "(200006, 200006, 5), (200007, 200007, 5), (200008, 200008, 5), (200009, 200009, 5), "
           "(7000007, 7, 2), (7000008, 8, -1)");
    ck_assert_uint_eq(added_files("default/orders", append_two, 4, &snapshot_two, &bytes), 1);
    const char *names[] = {"agg"};
    refresh_ok(names, 1, false);
    check_contains(messages_text(), "refresh 2, incremental");
    run_ok("INSERT INTO orders VALUES (300000, 300000, 1)");
    snapshot_three = current_snapshot_of("default/orders");
    refresh_ok(names, 1, false);
    check_contains(messages_text(), "refresh 3, incremental");
}

/* ---- lineage ------------------------------------------------------------------------------ */

START_TEST(aggregate_group_of_the_second_append)
{
    three_appends();
    /* A key of append 2 whose bucket refresh 3 did not rewrite still says refresh 2. */
    const char *found = query("SELECT k FROM agg WHERE k >= 200000 AND k < 300000 AND "
                              "_floe_refresh = 2 ORDER BY k LIMIT 1");
    long long key = 0;
    ck_assert_msg(sscanf(found, "k\n%lld", &key) == 1, "no group left by refresh 2: %s", found);
    char where[64];
    snprintf(where, sizeof where, "k = %lld", key);
    floe_eng_lineage *lineage = trace_ok("agg", where, 20);
    ck_assert_str_eq(lineage->table, "default.agg");
    ck_assert_int_eq(lineage->table_snapshot_id, current_snapshot_of("default/agg"));
    ck_assert_uint_eq(lineage->row_count, 1);
    ck_assert_uint_eq(lineage->column_count, 4);
    ck_assert_str_eq(value_of(lineage, 0, "total"), "5");
    ck_assert_str_eq(value_of(lineage, 0, "_floe_refresh"), "2");
    const floe_eng_lineage_row *row = &lineage->rows[0];
    ck_assert_int_eq(row->refresh_number, 2);
    ck_assert(row->refresh.found);
    ck_assert_str_eq(row->refresh.mode, "incremental");
    ck_assert_str_eq(row->refresh.reason, "source changes since the last refresh");
    ck_assert_int_eq(row->refresh.rows_read, 12);
    ck_assert_int_eq(row->refresh.files_read, 1);
    ck_assert_int_ge(row->refresh.duration_ms, 0);
    ck_assert_int_gt(row->refresh.committed_ms, 0);
    /* The snapshot named is the one whose summary records refresh 2. */
    floe_ice_table *agg = open_table("default/agg");
    const floe_ice_snapshot *snapshot =
        floe_ice_snapshot_by_id(agg->metadata, row->refresh.snapshot_id);
    ck_assert_ptr_nonnull(snapshot);
    ck_assert_str_eq(summary_of(snapshot, "floe.refresh-number"), "2");
    floe_ice_table_free(agg);
    ck_assert_uint_eq(lineage->source_count, 1);
    ck_assert_str_eq(lineage->state_sources[0].identity, "default.orders");
    ck_assert_int_eq(lineage->state_sources[0].snapshot_id, snapshot_three);
    ck_assert(!lineage->state_sources[0].files_at_current);
    const floe_eng_lineage_source *source = &row->sources[0];
    ck_assert_str_eq(source->identity, "default.orders");
    ck_assert_int_eq(source->consumed_snapshot_id, snapshot_two);
    ck_assert(source->narrowed);
    ck_assert_uint_eq(source->file_count, 1);
    ck_assert_str_eq(source->files[0], append_two[0]);
    floe_eng_lineage_free(lineage);

    /* Key 7 has rows in appends 1 and 2; key 8's append-2 row fails WHERE amount > 0. */
    lineage = trace_ok("default.agg", "k IN (7, 8)", 20);
    ck_assert_uint_eq(lineage->row_count, 2);
    for (size_t r = 0; r < 2; r++) {
        source = &lineage->rows[r].sources[0];
        ck_assert(lists_file(source, append_one[0]));
        bool seven = strcmp(value_of(lineage, r, "k"), "7") == 0;
        ck_assert_str_eq(value_of(lineage, r, "total"), seven ? "3" : "1");
        ck_assert_uint_eq(source->file_count, seven ? 2 : 1);
        ck_assert(lists_file(source, append_two[0]) == seven);
        ck_assert_int_eq(lineage->rows[r].refresh_number,
                         strtoll(value_of(lineage, r, "_floe_refresh"), NULL, 10));
    }
    floe_eng_lineage_free(lineage);
}
END_TEST

START_TEST(where_limit_and_errors)
{
    three_appends();
    floe_eng_lineage *lineage = trace_ok("agg", "k = -1", 20);
    ck_assert_uint_eq(lineage->row_count, 0);
    floe_eng_lineage_free(lineage);
    lineage = trace_ok("agg", NULL, 3);
    ck_assert_uint_eq(lineage->row_count, 3);
    for (size_t r = 0; r < 3; r++) ck_assert_uint_ge(lineage->rows[r].sources[0].file_count, 1);
    floe_eng_lineage_free(lineage);
    lineage = trace_ok("agg", "k = 300000", 0);
    ck_assert_uint_eq(lineage->row_count, 0);
    floe_eng_lineage_free(lineage);

    floe_error err;
    floe_eng_lineage *none = NULL;
    ck_assert_int_eq(floe_eng_lineage_trace(db, "agg", "k = = 1", 20, &none, &err), FLOE_ESYNTAX);
    ck_assert_ptr_null(none);
    check_contains(err.message, "default.agg: --where column 5: ");
    ck_assert_int_eq(floe_eng_lineage_trace(db, "agg", "k > 1 AND\n  nope = 2", 20, &none, &err),
                     FLOE_ENOTFOUND);
    check_contains(err.message, "--where line 2, column 3: ");
    check_contains(err.message, "nope");
    ck_assert_int_eq(floe_eng_lineage_trace(db, "orders", NULL, 20, &none, &err), FLOE_ENOTFOUND);
    check_contains(err.message, "default.orders is not a dynamic table");
    ck_assert_int_eq(floe_eng_lineage_trace(db, "missing", NULL, 20, &none, &err),
                     FLOE_ENOTFOUND);
    ck_assert_int_eq(floe_eng_lineage_trace(db, "agg", NULL, -1, &none, &err), FLOE_EINVAL);
}
END_TEST

START_TEST(non_aggregating_and_join)
{
    char first[4][PATH_MAX], second[4][PATH_MAX];
    int64_t snapshot = 0, bytes = 0;
    run_ok("CREATE TABLE src (id BIGINT, v VARCHAR)");
    run_ok("INSERT INTO src VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    ck_assert_uint_eq(added_files("default/src", first, 4, &snapshot, &bytes), 1);
    run_ok("INSERT INTO src VALUES (3, 'c'), (4, NULL)");
    ck_assert_uint_eq(added_files("default/src", second, 4, &snapshot, &bytes), 1);
    run_ok("CREATE DYNAMIC TABLE picked AS SELECT id, upper(v) AS u FROM src WHERE id > 1");

    /* Row (3, 'C') is in both files; (4, NULL) only in the second; (2, 'B') only in the first. */
    floe_eng_lineage *lineage = trace_ok("picked", "id >= 2", 20);
    ck_assert_uint_eq(lineage->row_count, 4);
    for (size_t r = 0; r < lineage->row_count; r++) {
        const floe_eng_lineage_source *source = &lineage->rows[r].sources[0];
        ck_assert(source->narrowed);
        long long id = strtoll(value_of(lineage, r, "id"), NULL, 10);
        ck_assert_int_eq(lineage->rows[r].refresh_number, 1);
        ck_assert_int_eq(source->consumed_snapshot_id, snapshot);
        ck_assert_uint_eq(source->file_count, id == 3 ? 2 : 1);
        ck_assert(lists_file(source, first[0]) == (id <= 3));
        ck_assert(lists_file(source, second[0]) == (id >= 3));
        if (id == 4) ck_assert_ptr_null(value_of(lineage, r, "u"));
    }
    floe_eng_lineage_free(lineage);

    run_ok("CREATE TABLE dim (k BIGINT, name VARCHAR); INSERT INTO dim VALUES (2, 'two')");
    run_ok("CREATE DYNAMIC TABLE joined AS SELECT s.id, d.name FROM src s JOIN dim d "
           "ON s.id = d.k");
    lineage = trace_ok("joined", NULL, 20);
    ck_assert_uint_eq(lineage->row_count, 1);
    ck_assert_uint_eq(lineage->source_count, 2);
    for (uint32_t s = 0; s < 2; s++) {
        const floe_eng_lineage_source *source = &lineage->rows[0].sources[s];
        ck_assert(!source->narrowed);
        ck_assert_ptr_nonnull(source->not_narrowed_reason);
        bool is_src = strcmp(source->identity, "default.src") == 0;
        ck_assert_uint_eq(source->file_count, is_src ? 2 : 1);
        if (is_src) ck_assert(lists_file(source, first[0]) && lists_file(source, second[0]));
    }
    floe_eng_lineage_free(lineage);
}
END_TEST

/* ---- EXPLAIN --------------------------------------------------------------------------------- */

/* Every data file of a table's current snapshot: count, rows, bytes. */
static void whole_snapshot(const char *name, int64_t *files, int64_t *rows, int64_t *bytes)
{
    floe_ice_table *table = open_table(name);
    floe_ice_scan_plan *plan = NULL;
    floe_error err;
    ck_assert_msg(floe_ice_table_plan_scan(table, -1, &plan, &err) == FLOE_OK, "%s", err.message);
    *files = (int64_t)plan->task_count;
    *rows = plan->record_count;
    *bytes = plan->file_size;
    floe_ice_scan_plan_free(plan);
    floe_ice_table_free(table);
}

START_TEST(explain_read_estimates)
{
    char added[4][PATH_MAX], removed[4][PATH_MAX];
    int64_t snapshot = 0, added_bytes = 0, removed_bytes = 0;
    char expected[512];
    run_ok("CREATE TABLE s (k VARCHAR, v BIGINT)");
    run_ok("INSERT INTO s VALUES ('a', 1), ('b', 2)");
    ck_assert_uint_eq(added_files("default/s", removed, 4, &snapshot, &removed_bytes), 1);
    run_ok("CREATE DYNAMIC TABLE inc AS SELECT k, sum(v) AS t FROM s GROUP BY k");
    run_ok("EXPLAIN DYNAMIC TABLE inc");
    check_contains(rows_text(), "next refresh: none, up to date");
    ck_assert_ptr_null(strstr(rows_text(), "next refresh reads"));

    /* An append: exactly the appended file. */
    run_ok("INSERT INTO s VALUES ('c', 3), ('a', 4), ('d', 5)");
    ck_assert_uint_eq(added_files("default/s", added, 4, &snapshot, &added_bytes), 1);
    run_ok("EXPLAIN DYNAMIC TABLE inc");
    snprintf(expected, sizeof expected,
             "next refresh reads: 1 data files added (3 rows, %" PRId64 " bytes), 0 removed (0 "
             "rows, 0 bytes), 0 position delete files and 0 equality delete files added",
             added_bytes);
    check_contains(rows_text(), expected);
    check_contains(rows_text(), "next refresh: INCREMENTAL (source changes since the last "
                                "refresh)");
    const char *names[] = {"inc"};
    refresh_ok(names, 1, false);

    /* A copy-on-write DELETE: the first file replaced by one holding its survivor. */
    run_ok("DELETE FROM s WHERE v = 1");
    ck_assert_uint_eq(added_files("default/s", added, 4, &snapshot, &added_bytes), 1);
    run_ok("EXPLAIN DYNAMIC TABLE inc");
    snprintf(expected, sizeof expected,
             "next refresh reads: 1 data files added (1 rows, %" PRId64 " bytes), 1 removed (2 "
             "rows, %" PRId64 " bytes), 0 position delete files and 0 equality delete files "
             "added",
             added_bytes, removed_bytes);
    check_contains(rows_text(), expected);

    /* A FULL table reads the whole current snapshot. */
    run_ok("CREATE DYNAMIC TABLE f REFRESH_MODE = FULL AS SELECT k, v FROM s");
    run_ok("INSERT INTO s VALUES ('e', 6)");
    int64_t files = 0, rows = 0, bytes = 0;
    whole_snapshot("default/s", &files, &rows, &bytes);
    ck_assert_int_eq(files, 3);
    ck_assert_int_eq(rows, 5);
    run_ok("EXPLAIN DYNAMIC TABLE f");
    snprintf(expected, sizeof expected,
             "next refresh reads: all 3 data files (5 rows, %" PRId64 " bytes), 0 delete files",
             bytes);
    check_contains(rows_text(), expected);
    check_contains(rows_text(), "next refresh: FULL (REFRESH_MODE = FULL)");

    /* EXPLAIN CREATE: what a first refresh would read. */
    run_ok("EXPLAIN CREATE DYNAMIC TABLE g AS SELECT k, count(*) AS n FROM s GROUP BY k");
    snprintf(expected, sizeof expected,
             "a first refresh would read: all 3 data files (5 rows, %" PRId64 " bytes), 0 "
             "delete files",
             bytes);
    check_contains(rows_text(), expected);
    check_contains(rows_text(), "incremental: yes");
    check_contains(rows_text(), "first refresh: FULL (initial refresh, building the state); then "
                                "INCREMENTAL");
}
END_TEST

static Suite *lineage_suite(void)
{
    Suite *suite = suite_create("lineage");
    TCase *tc = tcase_create("lineage");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, aggregate_group_of_the_second_append);
    tcase_add_test(tc, where_limit_and_errors);
    tcase_add_test(tc, non_aggregating_and_join);
    tcase_add_test(tc, explain_read_estimates);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(lineage_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
