/*
 * Description: the changelog of an incremental refresh (engine/refresh_incremental.h,
 * "Changelog"): after appends and deletes touching 2 of 10000 groups the file holds exactly
 * their 2 old rows (-1) and 2 new rows (+1); a group that disappears has only its -1, a new
 * one only its +1; HAVING (with a projection above it) crossing either way gives a lone +1 or
 * -1, a group failing it before and after gives nothing; a touched group whose row did not
 * change (MAX unmoved) is left out; an aggregate without GROUP BY retracts and re-inserts its
 * one row; the columns are the table's (field ids of its schema) without `_floe_refresh`, then
 * `_floe_weight` INT64 NOT NULL with field id 2147482646; the initial refresh and --full write
 * no changelog, nor does an up-to-date table's (skipped) refresh, and a refresh whose touched
 * groups end as they were writes an empty one. The "chain" cases: a downstream table reads its
 * upstream's changelogs instead of its rewritten files (downstream_reads_the_changelog), and a
 * non-aggregating table's changelog is its folded change, each distinct row with its net count.
 */
#define _GNU_SOURCE /* mkdtemp, nftw */
#include "io/iceberg_scan.h"   /* FLOE_ICE_CHANGELOG_WEIGHT_* */
#include "io/parquet_footer.h" /* the changelog's columns */

#define FIXTURE_MEMORY_LIMIT ((size_t)512 << 20)
#include "engine/warehouse_fixture.h"

/* The changelogs already seen, so that each refresh's new one is found by listing the folder
 * (refresh.c's summary key is not asserted here: this file tests the file itself). */
static char seen[64][PATH_MAX + 256];
static int seen_count;

static const char *current_summary_of(const char *name, const char *key)
{
    char qualified[256];
    snprintf(qualified, sizeof qualified, "default/%s", name);
    return current_summary(qualified, key);
}

/* The changelog the last refresh of default/<name> wrote into `path`; false when it wrote
 * none. At most one new file per refresh. */
static bool new_changelog(const char *name, char *path, size_t size)
{
    char folder[PATH_MAX];
    snprintf(folder, sizeof folder, "%s/default/%s/floe/changelog", floe_eng_database_warehouse(db),
             name);
    DIR *dir = opendir(folder);
    if (dir == NULL) return false;
    int found = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.') continue;
        char candidate[PATH_MAX + 256];
        snprintf(candidate, sizeof candidate, "%s/%s", folder, entry->d_name);
        bool known = false;
        for (int i = 0; i < seen_count && !known; i++) known = strcmp(seen[i], candidate) == 0;
        if (known) continue;
        ck_assert_int_lt(seen_count, 64);
        snprintf(seen[seen_count++], sizeof seen[0], "%s", candidate);
        snprintf(path, size, "%s", candidate);
        found++;
    }
    closedir(dir);
    ck_assert_int_le(found, 1);
    if (found) check_contains(path, "/floe/changelog/changes-");
    return found == 1;
}

/* Refreshes default/<name> incrementally and checks its changelog's rows (`columns` then the
 * weight, ordered by all of them) are `expected`. */
static void refresh_and_check(const char *name, const char *columns, const char *expected)
{
    refresh_ok(&name, 1, false);
    ck_assert_str_eq(current_summary_of(name, "floe.refresh-mode"), "incremental");
    char path[PATH_MAX + 256];
    ck_assert_msg(new_changelog(name, path, sizeof path), "%s wrote no changelog", name);
    char sql[PATH_MAX + 512];
    snprintf(sql, sizeof sql,
             "SELECT %s, _floe_weight FROM read_parquet('%s') ORDER BY %s, _floe_weight", columns,
             path, columns);
    check_query(sql, expected);
}

START_TEST(two_of_ten_thousand_groups)
{
    seen_count = 0;
    run_ok("CREATE TABLE s (id BIGINT, v BIGINT)");
    run_ok("INSERT INTO s VALUES (0, 1)");
    char sql[256];
    for (long step = 1; step < 8192; step *= 2) {
        snprintf(sql, sizeof sql, "INSERT INTO s SELECT id + %ld, v FROM s", step);
        run_ok(sql);
    }
    run_ok("INSERT INTO s SELECT id + 8192, v FROM s WHERE id < 1808");
    run_ok("CREATE DYNAMIC TABLE t REFRESH_MODE = INCREMENTAL AS "
           "SELECT id, count(*) AS n, sum(v) AS total FROM s GROUP BY id");
    check_query("SELECT count(*) AS groups FROM t", "groups\n10000\n");
    char path[PATH_MAX + 256];
    ck_assert(!new_changelog("t", path, sizeof path)); /* the initial refresh: a rebuild */

    run_ok("INSERT INTO s VALUES (5, 100), (9, 1)");
    run_ok("DELETE FROM s WHERE id = 9000");
    run_ok("INSERT INTO s VALUES (9000, 7)");
    refresh_and_check("t", "id, n, total",
                      "id,n,total,_floe_weight\n"
                      "5,1,1,-1\n"
                      "5,2,101,1\n"
                      "9,1,1,-1\n"
                      "9,2,2,1\n"
                      "9000,1,1,-1\n"
                      "9000,1,7,1\n");

    /* A group that disappears: only its -1; a new group: only its +1. */
    run_ok("DELETE FROM s WHERE id = 7");
    run_ok("INSERT INTO s VALUES (20000, 3), (20000, 4)");
    refresh_and_check("t", "id, n, total",
                      "id,n,total,_floe_weight\n"
                      "7,1,1,-1\n"
                      "20000,2,7,1\n");

    /* Only new groups: nothing to retract. */
    run_ok("INSERT INTO s VALUES (30000, 1)");
    refresh_and_check("t", "id, n, total", "id,n,total,_floe_weight\n30000,1,1,1\n");

    /* A row inserted and deleted again between refreshes: nothing. */
    run_ok("INSERT INTO s VALUES (11, 50)");
    run_ok("DELETE FROM s WHERE v = 50");
    refresh_and_check("t", "id, n, total", "id,n,total,_floe_weight\n");

    /* --full rebuilds: no changelog. */
    run_ok("INSERT INTO s VALUES (12, 1)");
    const char *name = "t";
    refresh_ok(&name, 1, true);
    ck_assert_str_eq(current_summary_of("t", "floe.refresh-mode"), "full");
    ck_assert(!new_changelog("t", path, sizeof path));
}
END_TEST

START_TEST(having_crossing_and_unchanged_rows)
{
    seen_count = 0;
    run_ok("CREATE TABLE s (k VARCHAR, v INTEGER)");
    run_ok("INSERT INTO s VALUES ('a', 5), ('b', 20), ('c', 1), (NULL, 30)");
    run_ok("CREATE DYNAMIC TABLE h REFRESH_MODE = INCREMENTAL AS "
           "SELECT k, sum(v) * 2 AS twice FROM s GROUP BY k HAVING sum(v) > 10");
    run_ok("CREATE DYNAMIC TABLE m REFRESH_MODE = INCREMENTAL AS "
           "SELECT k, max(v) AS top FROM s GROUP BY k");
    run_ok("CREATE DYNAMIC TABLE total REFRESH_MODE = INCREMENTAL AS "
           "SELECT count(*) AS n, sum(v) AS sv FROM s");
    check_query("SELECT k, twice FROM h ORDER BY k", "k,twice\nb,40\n,60\n");

    /* a crosses into HAVING (15), b drops out of it (5), c stays out (2), NULL's changes. */
    run_ok("INSERT INTO s VALUES ('a', 10), ('b', -15), ('c', 1), (NULL, 1)");
    refresh_and_check("h", "k, twice",
                      "k,twice,_floe_weight\n"
                      "a,30,1\n"
                      "b,40,-1\n"
                      ",60,-1\n"
                      ",62,1\n");
    /* MAX moves for a only (b keeps 20, c keeps 1, NULL keeps 30). */
    refresh_and_check("m", "k, top",
                      "k,top,_floe_weight\n"
                      "a,5,-1\n"
                      "a,10,1\n");
    /* No GROUP BY: the one row is retracted and re-inserted. */
    refresh_and_check("total", "n, sv",
                      "n,sv,_floe_weight\n"
                      "4,56,-1\n"
                      "8,53,1\n");
    check_query("SELECT k, twice FROM h ORDER BY k", "k,twice\na,30\n,62\n");
}
END_TEST

START_TEST(columns_and_field_ids)
{
    seen_count = 0;
    run_ok("CREATE TABLE s (k VARCHAR, d DATE, v DOUBLE)");
    run_ok("INSERT INTO s VALUES ('x', DATE '2024-01-02', 1.5)");
    run_ok("CREATE DYNAMIC TABLE c REFRESH_MODE = INCREMENTAL AS "
           "SELECT k, d, avg(v) AS mean FROM s GROUP BY k, d");
    run_ok("INSERT INTO s VALUES ('x', DATE '2024-01-02', 2.5), ('y', NULL, NULL)");
    refresh_and_check("c", "k, d, mean",
                      "k,d,mean,_floe_weight\n"
                      "x,2024-01-02,1.5,-1\n"
                      "x,2024-01-02,2,1\n"
                      "y,,,1\n");
    ck_assert(seen_count == 1);
    floe_pq_file_metadata *footer = NULL;
    floe_error err;
    ck_assert_msg(floe_pq_file_metadata_open(seen[0], &footer, &err) == 0, "%s", err.message);
    floe_ice_table *table = open_table("default/c");
    const floe_ice_schema *schema = floe_ice_current_schema(table->metadata);
    ck_assert_uint_eq(schema->field_count, 4); /* k, d, mean, _floe_refresh */
    ck_assert_str_eq(schema->fields[3].name, "_floe_refresh");
    ck_assert_uint_eq(footer->column_count, 4);
    for (uint32_t i = 0; i < 3; i++) {
        ck_assert_str_eq(footer->columns[i].name, schema->fields[i].name);
        ck_assert(footer->columns[i].has_field_id);
        ck_assert_int_eq(footer->columns[i].field_id, schema->fields[i].id);
    }
    ck_assert_str_eq(footer->columns[3].name, "_floe_weight");
    ck_assert(footer->columns[3].has_field_id);
    ck_assert_int_eq(footer->columns[3].field_id, 2147482646);
    ck_assert_int_eq(footer->columns[3].type.id, FLOE_TYPE_INT64);
    ck_assert_int_eq(footer->columns[3].max_definition_level, 0); /* NOT NULL */
    floe_ice_table_free(table);
    floe_pq_file_metadata_free(footer);

    /* Up to date: no refresh, no changelog. */
    const char *name = "c";
    refresh_ok(&name, 1, false);
    char path[PATH_MAX + 256];
    ck_assert(!new_changelog("c", path, sizeof path));
}
END_TEST

/* The chain bronze -> silver -> gold: gold's incremental refresh reads silver's changelog rows
 * (4 of them for 2 touched groups), not silver's rewritten file (its 2000 rows out and in);
 * after a --full of silver (no changelog) gold diffs the files again (1999 rows out, 2000 in);
 * gold always equals its FULL twin.
 * Needs refresh.c to record the changelog in the summary and op_scan.c to ask the reader for it
 * (the lines the changelog helper's report gives). */
static void check_gold(void)
{
    const char *names[] = {"gold", "gold_full"};
    refresh_ok(names, 2, false);
    char *incremental = strdup(query("SELECT n, groups, t FROM gold ORDER BY n"));
    check_query("SELECT n, groups, t FROM gold_full ORDER BY n", incremental);
    free(incremental);
}

START_TEST(downstream_reads_the_changelog)
{
    run_ok("CREATE TABLE s (k BIGINT, v BIGINT)");
    run_ok("INSERT INTO s VALUES (0, 1)");
    char sql[256];
    for (long step = 1; step < 2048; step *= 2) {
        snprintf(sql, sizeof sql, "INSERT INTO s SELECT k + %ld, v FROM s", step);
        run_ok(sql);
    }
    run_ok("DELETE FROM s WHERE k >= 2000");
    run_ok("CREATE DYNAMIC TABLE silver REFRESH_MODE = INCREMENTAL AS "
           "SELECT k, count(*) AS n, sum(v) AS total FROM s GROUP BY k");
    const char *gold = "SELECT n, count(*) AS groups, sum(total) AS t FROM silver GROUP BY n";
    snprintf(sql, sizeof sql, "CREATE DYNAMIC TABLE gold REFRESH_MODE = INCREMENTAL AS %s", gold);
    run_ok(sql);
    snprintf(sql, sizeof sql, "CREATE DYNAMIC TABLE gold_full REFRESH_MODE = FULL AS %s", gold);
    run_ok(sql);

    run_ok("INSERT INTO s VALUES (5, 100), (9, 1)");
    const char *silver = "silver";
    refresh_ok(&silver, 1, false);
    ck_assert_str_eq(current_summary_of("silver", "floe.refresh-mode"), "incremental");
    ck_assert_str_eq(current_summary_of("silver", "floe.changelog-rows"), "4");
    check_contains(current_summary_of("silver", "floe.changelog"), "/floe/changelog/changes-");
    check_gold();
    ck_assert_str_eq(current_summary_of("gold", "floe.refresh-mode"), "incremental");
    ck_assert_str_eq(current_summary_of("gold", "floe.rows-read"), "4");
    ck_assert_str_eq(current_summary_of("gold", "floe.files-read"), "1");
    check_query("SELECT n, groups, t FROM gold ORDER BY n", "n,groups,t\n1,1998,1998\n2,2,103\n");

    /* Two incremental refreshes of silver, one of gold: both changelogs, in order. */
    run_ok("DELETE FROM s WHERE k = 5 AND v = 100");
    refresh_ok(&silver, 1, false);
    run_ok("DELETE FROM s WHERE k = 3");
    refresh_ok(&silver, 1, false);
    check_gold();
    ck_assert_str_eq(current_summary_of("gold", "floe.rows-read"), "3");
    ck_assert_str_eq(current_summary_of("gold", "floe.files-read"), "2");

    /* A rebuild of silver writes no changelog: gold diffs silver's files. */
    run_ok("INSERT INTO s VALUES (3, 3)");
    refresh_ok(&silver, 1, true);
    ck_assert_str_eq(current_summary_of("silver", "floe.changelog"), "(none)");
    check_gold();
    ck_assert_str_eq(current_summary_of("gold", "floe.refresh-mode"), "incremental");
    /* Out: silver's output file (2000 rows, 3 of them position-deleted: groups 3, 5 and 9)
     * and its overlay's (the new rows of 5 and 9); in: the rebuild's 2000 rows. */
    ck_assert_str_eq(current_summary_of("gold", "floe.rows-read"), "4002");
    check_query("SELECT n, groups, t FROM gold ORDER BY n", "n,groups,t\n1,1999,2001\n2,1,2\n");
}
END_TEST

/* A non-aggregating table's changelog is its folded change: each distinct row once with its
 * net count; a downstream aggregate reads it instead of the appended file and the deletes. */
START_TEST(non_aggregating_tables_write_their_folded_change)
{
    run_ok("CREATE TABLE s (k BIGINT, v BIGINT)");
    run_ok("INSERT INTO s VALUES (1, 10), (2, 20), (3, 30), (3, 30)");
    run_ok("CREATE DYNAMIC TABLE picked REFRESH_MODE = INCREMENTAL AS "
           "SELECT k, v * 2 AS w FROM s WHERE v > 10");
    run_ok("CREATE DYNAMIC TABLE sums REFRESH_MODE = INCREMENTAL AS "
           "SELECT count(*) AS n, sum(w) AS t FROM picked");
    char path[PATH_MAX + 256];
    ck_assert(!new_changelog("picked", path, sizeof path)); /* the initial refresh: none */

    /* Two equal rows in, one out, one filtered away, one that cancels within the change. */
    run_ok("INSERT INTO s VALUES (4, 40), (4, 40), (5, 5), (6, 60)");
    run_ok("DELETE FROM s WHERE k = 2 OR k = 6");
    refresh_and_check("picked", "k, w", "k,w,_floe_weight\n2,40,-1\n4,80,2\n");
    ck_assert_str_eq(current_summary_of("picked", "floe.changelog-rows"), "2");
    const char *sums = "sums";
    refresh_ok(&sums, 1, false);
    ck_assert_str_eq(current_summary_of("sums", "floe.refresh-mode"), "incremental");
    ck_assert_str_eq(current_summary_of("sums", "floe.rows-read"), "2");
    check_query("SELECT n, t FROM sums", "n,t\n4,280\n");

    /* Nothing of it passes the filter: an empty changelog, still written. */
    run_ok("INSERT INTO s VALUES (7, 1)");
    refresh_and_check("picked", "k, w", "k,w,_floe_weight\n");
    refresh_ok(&sums, 1, false);
    ck_assert_str_eq(current_summary_of("sums", "floe.rows-read"), "0");
    check_query("SELECT n, t FROM sums", "n,t\n4,280\n");
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("engine_changelog");
    TCase *tc = tcase_create("changelog");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, two_of_ten_thousand_groups);
    tcase_add_test(tc, having_crossing_and_unchanged_rows);
    tcase_add_test(tc, columns_and_field_ids);
    suite_add_tcase(suite, tc);
    TCase *chain = tcase_create("chain");
    tcase_set_timeout(chain, 120);
    tcase_add_checked_fixture(chain, setup, teardown);
    tcase_add_test(chain, downstream_reads_the_changelog);
    tcase_add_test(chain, non_aggregating_tables_write_their_folded_change);
    suite_add_tcase(suite, chain);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}
