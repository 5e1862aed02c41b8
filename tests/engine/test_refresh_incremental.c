/*
 * Description: incremental refresh of aggregating dynamic tables (engine/refresh_incremental.h)
 * checked against FULL: for every scenario an INCREMENTAL table and a REFRESH_MODE = FULL twin
 * with the same query are refreshed after every change of their sources (appends, copy-on-write
 * DELETEs) and must hold identical rows: SUM / COUNT / AVG / MIN / MAX / COUNT(DISTINCT), HAVING
 * with a projection above it, a group that disappears, MIN / MAX losing their extreme, an
 * emptied table, sums past BIGINT kept in state files, a change of over 100K rows drained in
 * two partitions, an aggregate without GROUP BY, two sources through UNION ALL. The summaries
 * must say incremental, name a state manifest, rewrite only the touched buckets of a table of
 * 131072 groups (two buckets) and read only the appended file; string and NULL keys with MIN
 * and DISTINCT entries survive state files of two buckets; aggregates over joins and
 * non-aggregating tables refresh incrementally, while a shape not built yet (constant rows)
 * runs FULL with the reason in the summary and a warning; --full rebuilds the state; a state
 * manifest that is gone makes the next refresh rebuild, with the reason recorded.
 */
#define _GNU_SOURCE /* mkdtemp, nftw */
#include "engine/database.h"
#include "engine/dynamic_table.h"
#include "engine/result_text.h"
#include "io/iceberg_table.h"
#include "kernels/memory.h"
#include "kernels/value_text.h"

#include <check.h>
#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIXTURE_MEMORY_LIMIT ((size_t)512 << 20)
#include "engine/warehouse_fixture.h"

/* Refreshes one table. */
static void refresh_one(const char *name, bool full)
{
    refresh_ok(&name, 1, full);
}

/* The current snapshot's summary value of default.<table_name> ("(none)" if absent). */
static const char *summary(const char *table_name, const char *key)
{
    char name[256];
    snprintf(name, sizeof name, "default/%s", table_name);
    return current_summary(name, key);
}

static long summary_long(const char *table_name, const char *key)
{
    return strtol(summary(table_name, key), NULL, 10);
}

/* Refreshes `incremental` and `full` and checks their rows (columns, ordered by them) are
 * identical, and that `incremental` refreshed incrementally (after its first refresh). */
static char incremental_warnings[4096]; /* of the last refresh_and_compare's incremental table */

static void refresh_and_compare(const char *incremental, const char *full, const char *columns,
                                bool expect_incremental)
{
    refresh_one(incremental, false);
    char messages[4096];
    snprintf(messages, sizeof messages, "%s", text_of(&result.messages));
    snprintf(incremental_warnings, sizeof incremental_warnings, "%s", text_of(&result.warnings));
    refresh_one(full, false);
    if (expect_incremental) {
        ck_assert_msg(strcmp(summary(incremental, "floe.refresh-mode"), "incremental") == 0,
                      "%s refreshed %s (%s): %s", incremental,
                      summary(incremental, "floe.refresh-mode"),
                      summary(incremental, "floe.refresh-reason"), messages);
    }
    ck_assert_str_ne(summary(incremental, "floe.state-manifest"), "(none)");
    char sql[1024];
    snprintf(sql, sizeof sql, "SELECT %s FROM %s ORDER BY %s", columns, incremental, columns);
    run_ok(sql);
    char *got = strdup(text_of(&result.rows));
    snprintf(sql, sizeof sql, "SELECT %s FROM %s ORDER BY %s", columns, full, columns);
    run_ok(sql);
    ck_assert_msg(strcmp(got, text_of(&result.rows)) == 0,
                  "incremental %s:\n%.1500s\nfull %s:\n%.1500s", incremental, got, full,
                  text_of(&result.rows));
    free(got);
}

/* Both twins of a query. */
static void create_twins(const char *incremental, const char *full, const char *query)
{
    char sql[2048];
    snprintf(sql, sizeof sql, "CREATE DYNAMIC TABLE %s REFRESH_MODE = INCREMENTAL AS %s",
             incremental, query);
    run_ok(sql);
    snprintf(sql, sizeof sql, "CREATE DYNAMIC TABLE %s REFRESH_MODE = FULL AS %s", full, query);
    run_ok(sql);
}

/* Source s (id BIGINT, v BIGINT) of ids 0..131071 in 18 files, doubled one INSERT at a time:
 * each copy's v is `value` of the rows copied (v starts at 1). */
static void create_ids_source(const char *value)
{
    run_ok("CREATE TABLE s (id BIGINT, v BIGINT)");
    run_ok("INSERT INTO s VALUES (0, 1)");
    char sql[256];
    for (long step = 1; step < 131072; step *= 2) {
        snprintf(sql, sizeof sql, "INSERT INTO s SELECT id + %ld, %s FROM s", step, value);
        run_ok(sql);
    }
}

/* ---- scenarios --------------------------------------------------------------------------- */

START_TEST(every_aggregate_through_appends_and_deletes)
{
    const char *columns = "k, n, nv, sv, ad, mi, mx, dv, dsum";
    run_ok("CREATE TABLE s (k VARCHAR, v BIGINT, d DOUBLE)");
    run_ok("INSERT INTO s VALUES ('a', 1, 1.5), ('b', 2, 2.5), ('a', 3, NULL), (NULL, 4, 4.0), "
           "('a', 1, 0.5)");
    create_twins("inc", "ref",
                 "SELECT k, count(*) AS n, count(v) AS nv, sum(v) AS sv, avg(d) AS ad, "
                 "min(v) AS mi, max(d) AS mx, count(DISTINCT v) AS dv, sum(DISTINCT v) AS dsum "
                 "FROM s GROUP BY k");
    ck_assert_str_eq(summary("inc", "floe.refresh-mode"), "full");
    ck_assert_str_eq(summary("inc", "floe.refresh-reason"), "initial refresh");
    refresh_and_compare("inc", "ref", columns, false); /* up to date: still equal */

    run_ok("INSERT INTO s VALUES ('a', 10, 0.5), ('c', 7, 7.0), ('b', NULL, NULL)");
    refresh_and_compare("inc", "ref", columns, true);
    ck_assert_str_eq(summary("inc", "floe.refresh-reason"),
                     "source changes since the last refresh");
    check_contains(summary("inc", "floe.state-manifest"), "/floe/state/manifest-");

    /* The extremes go: MIN(v) of 'a' was 1 (twice), MAX(d) of 'c' its only value. */
    run_ok("DELETE FROM s WHERE v = 1 OR k = 'c'");
    refresh_and_compare("inc", "ref", columns, true);
    run_ok("SELECT k FROM inc WHERE k = 'c'");
    ck_assert_str_eq(text_of(&result.rows), "k\n"); /* the group disappeared */

    run_ok("INSERT INTO s VALUES ('b', 2, 2.5), ('d', -3, -1.0)");
    refresh_and_compare("inc", "ref", columns, true);

    /* An emptied source empties the table. */
    run_ok("DELETE FROM s WHERE v IS NULL OR v IS NOT NULL OR k IS NULL");
    refresh_and_compare("inc", "ref", columns, true);
    run_ok("SELECT count(*) AS c FROM inc");
    ck_assert_str_eq(text_of(&result.rows), "c\n0\n");
    run_ok("INSERT INTO s VALUES ('z', 5, 5.0)");
    refresh_and_compare("inc", "ref", columns, true);
}
END_TEST

/* A state file keeps an int128 sum as its low and high 64 bits: sums past either end of BIGINT,
 * small negative ones (high half all ones) and a DECIMAL(30,2) sum of 25 digits must come back
 * whole from the state files, through appends and a delete that flips a sum's sign. The table
 * is streamed (COUNT, SUM and AVG only), a NULL key among its groups. */
START_TEST(sums_beyond_bigint_survive_state_files)
{
    const char *columns = "k, sv, sd, av";
    run_ok("CREATE TABLE b (k BIGINT, v BIGINT, d DECIMAL(30,2))");
    run_ok("INSERT INTO b VALUES (1, 9223372036854775807, 1234567890123456789012.34), "
           "(1, 9223372036854775807, 1.00), (2, -9223372036854775807, -0.01), "
           "(2, -9223372036854775807, -9999999999999999999999.99), (3, -5, -0.05), "
           "(4, 7, 0.07), (NULL, 1, 0.01)");
    create_twins("big", "big_ref",
                 "SELECT k, sum(v) AS sv, sum(d) AS sd, avg(v) AS av FROM b GROUP BY k");
    refresh_and_compare("big", "big_ref", columns, false);
    run_ok("INSERT INTO b VALUES (1, 9223372036854775807, 8765432109876543210987.66), "
           "(2, -3, -0.03), (3, -9223372036854775807, -1.00), (4, -9223372036854775807, "
           "-7777777777777777777777.77), (NULL, 2, 0.02)");
    refresh_and_compare("big", "big_ref", columns, true);
    run_ok("SELECT sv FROM big WHERE k = 1");
    ck_assert_str_eq(text_of(&result.rows), "sv\n27670116110564327421\n");
    run_ok("DELETE FROM b WHERE v = 7");
    refresh_and_compare("big", "big_ref", columns, true);
    run_ok("SELECT sv, sd FROM big WHERE k = 4");
    ck_assert_str_eq(text_of(&result.rows),
                     "sv,sd\n-9223372036854775807,-7777777777777777777777.77\n");
}
END_TEST

/* A change of more than 100K rows drains in two partitions (on two threads) whose states are
 * merged before the buckets stream: keys that both partitions hold, retractions in one
 * cancelling inserts in the other, and groups emptied by a delete must come out as FULL
 * computes them. */
START_TEST(partitioned_change_of_a_streamed_table)
{
    const char *columns = "k, n, sv, av";
    run_ok("CREATE TABLE s (k BIGINT, v BIGINT)");
    run_ok("INSERT INTO s VALUES (0, 1)");
    create_twins("inc", "ref",
                 "SELECT k, count(*) AS n, sum(v) AS sv, avg(v) AS av FROM s GROUP BY k");
    char sql[256];
    for (long step = 1; step < 131072; step *= 2) { /* 17 files, keys shared across them */
        snprintf(sql, sizeof sql, "INSERT INTO s SELECT (k + %ld) %% 5000, v + 1 FROM s", step);
        run_ok(sql);
    }
    refresh_and_compare("inc", "ref", columns, true);
    run_ok("SELECT count(*) AS c FROM inc");
    ck_assert_str_eq(text_of(&result.rows), "c\n5000\n");
    run_ok("DELETE FROM s WHERE v % 3 = 0 OR k < 100"); /* every file rewritten */
    refresh_and_compare("inc", "ref", columns, true);
    run_ok("SELECT count(*) AS c FROM inc WHERE k < 100");
    ck_assert_str_eq(text_of(&result.rows), "c\n0\n");
}
END_TEST

START_TEST(having_and_projection_above_the_aggregate)
{
    const char *columns = "k, twice, n";
    run_ok("CREATE TABLE s (k VARCHAR, v INTEGER)");
    run_ok("INSERT INTO s VALUES ('a', 1), ('a', 2), ('b', 3), ('c', 4), ('c', 5)");
    create_twins("inc", "ref",
                 "SELECT upper(k) AS k, sum(v) * 2 AS twice, count(*) AS n FROM s GROUP BY k "
                 "HAVING count(*) >= 2");
    refresh_and_compare("inc", "ref", columns, false);
    run_ok("INSERT INTO s VALUES ('b', 1)"); /* b now passes HAVING */
    refresh_and_compare("inc", "ref", columns, true);
    run_ok("DELETE FROM s WHERE v = 5"); /* c falls out of HAVING but keeps its state */
    refresh_and_compare("inc", "ref", columns, true);
    run_ok("INSERT INTO s VALUES ('c', 6)");
    refresh_and_compare("inc", "ref", columns, true);
    run_ok("SELECT k, twice FROM inc ORDER BY k");
    ck_assert_str_eq(text_of(&result.rows), "k,twice\nA,6\nB,8\nC,20\n");
}
END_TEST

START_TEST(aggregate_without_group_by)
{
    const char *columns = "n, total, lo";
    run_ok("CREATE TABLE s (v BIGINT)");
    create_twins("inc", "ref", "SELECT count(*) AS n, sum(v) AS total, min(v) AS lo FROM s");
    refresh_and_compare("inc", "ref", columns, false);
    run_ok("INSERT INTO s VALUES (3), (4)");
    refresh_and_compare("inc", "ref", columns, true);
    run_ok("INSERT INTO s VALUES (1)");
    refresh_and_compare("inc", "ref", columns, true);
    run_ok("DELETE FROM s WHERE v < 10");
    refresh_and_compare("inc", "ref", columns, true);
    run_ok("SELECT n, total FROM inc");
    ck_assert_str_eq(text_of(&result.rows), "n,total\n0,\n");
}
END_TEST

START_TEST(two_sources_through_union_all)
{
    const char *columns = "k, total, n";
    run_ok("CREATE TABLE s1 (k VARCHAR, v BIGINT)");
    run_ok("CREATE TABLE s2 (k VARCHAR, v BIGINT)");
    run_ok("INSERT INTO s1 VALUES ('a', 1), ('b', 2)");
    run_ok("INSERT INTO s2 VALUES ('a', 10), ('c', 30)");
    create_twins("inc", "ref",
                 "SELECT k, sum(v) AS total, count(*) AS n FROM (SELECT k, v FROM s1 UNION ALL "
                 "SELECT k, v FROM s2 WHERE v > 5) u GROUP BY k");
    refresh_and_compare("inc", "ref", columns, false);
    run_ok("INSERT INTO s2 VALUES ('b', 20), ('b', 1)");
    refresh_and_compare("inc", "ref", columns, true);
    run_ok("DELETE FROM s1 WHERE k = 'a'");
    refresh_and_compare("inc", "ref", columns, true);
    run_ok("INSERT INTO s1 VALUES ('c', 3)");
    run_ok("DELETE FROM s2 WHERE k = 'c'");
    refresh_and_compare("inc", "ref", columns, true);
}
END_TEST

/* 131072 groups: two buckets; one appended row touches one of them and is one file. */
START_TEST(only_touched_buckets_and_changed_files)
{
    create_ids_source("v");
    create_twins("inc", "ref", "SELECT id, count(*) AS n, sum(v) AS total FROM s GROUP BY id");
    ck_assert_int_eq(summary_long("inc", "floe.bucket-count"), 2);
    ck_assert_int_eq(summary_long("inc", "floe.buckets-touched"), 2);
    ck_assert_int_eq(summary_long("inc", "floe.rows-written"), 131072);

    run_ok("INSERT INTO s VALUES (5, 100)");
    refresh_and_compare("inc", "ref", "id, n, total", true);
    ck_assert_int_eq(summary_long("inc", "floe.buckets-touched"), 1);
    ck_assert_int_eq(summary_long("inc", "floe.state-files-read"), 1);
    ck_assert_int_eq(summary_long("inc", "floe.files-read"), 1);
    ck_assert_int_eq(summary_long("inc", "floe.rows-read"), 1);
    /* One group of the bucket's 65536 changed: an overlay (its row, and a position delete of
     * the bucket's output row), the bucket's files kept. */
    ck_assert_int_eq(summary_long("inc", "floe.rows-written"), 1);
    ck_assert_str_eq(summary("inc", "deleted-data-files"), "(none)");
    ck_assert_int_eq(summary_long("inc", "added-data-files"), 1);
    ck_assert_int_eq(summary_long("inc", "added-delete-files"), 1);
    ck_assert_int_eq(summary_long("inc", "added-position-deletes"), 1);
    run_ok("SELECT n, total FROM inc WHERE id = 5");
    ck_assert_str_eq(text_of(&result.rows), "n,total\n2,101\n");
}
END_TEST

/* The life of overlays (state_store.h, "Overlays"), every step equal to the FULL twin: a new
 * group and a changed one go to an overlay; the next change reads the state file and the
 * overlay and replaces the overlay's files; a group deleted from the state file's is hidden by
 * the overlay, then comes back; a change past a quarter of a bucket's groups rewrites the
 * bucket whole, the overlay gone; HAVING (a filter between groups and rows) never takes one. */
START_TEST(overlays_grow_hide_and_compact)
{
    const char *columns = "id, n, total";
    create_ids_source("v");
    create_twins("inc", "ref", "SELECT id, count(*) AS n, sum(v) AS total FROM s GROUP BY id");
    run_ok("CREATE DYNAMIC TABLE filtered REFRESH_MODE = INCREMENTAL AS SELECT id, count(*) AS "
           "n, sum(v) AS total FROM s GROUP BY id HAVING sum(v) < 1000");
    ck_assert_int_eq(summary_long("inc", "floe.bucket-count"), 2);

    run_ok("INSERT INTO s VALUES (5, 100), (200000, 7)");
    refresh_and_compare("inc", "ref", columns, true);
    ck_assert_int_eq(summary_long("inc", "floe.rows-written"), 2);
    ck_assert_int_eq(summary_long("inc", "floe.state-files-read"),
                     summary_long("inc", "floe.buckets-touched"));
    const char *filtered = "filtered";
    refresh_ok(&filtered, 1, false);
    ck_assert_str_eq(summary("filtered", "floe.refresh-mode"), "incremental");
    ck_assert_str_eq(summary("filtered", "added-delete-files"), "(none)");
    ck_assert_int_ge(summary_long("filtered", "deleted-data-files"), 1);

    run_ok("INSERT INTO s VALUES (5, 1000), (6, 1)");
    refresh_and_compare("inc", "ref", columns, true);
    long buckets = summary_long("inc", "floe.buckets-touched");
    /* each touched bucket read its state file and, where the first change left one, its
     * overlay; the overlays' old files went */
    ck_assert_int_ge(summary_long("inc", "floe.state-files-read"), buckets + 1);
    ck_assert_int_ge(summary_long("inc", "deleted-data-files"), 1);
    ck_assert_int_ge(summary_long("inc", "removed-delete-files"), 1);
    ck_assert_int_le(summary_long("inc", "floe.rows-written"), 4);

    run_ok("DELETE FROM s WHERE id = 7 OR id = 200000");
    refresh_and_compare("inc", "ref", columns, true);
    run_ok("SELECT count(*) AS c FROM inc WHERE id = 7 OR id = 200000");
    ck_assert_str_eq(text_of(&result.rows), "c\n0\n");
    run_ok("INSERT INTO s VALUES (7, 3)");
    refresh_and_compare("inc", "ref", columns, true);
    run_ok("SELECT n, total FROM inc WHERE id = 7");
    ck_assert_str_eq(text_of(&result.rows), "n,total\n1,3\n");

    /* 40000 of the 131072 groups: past a quarter of each bucket, both rewritten whole. */
    run_ok("INSERT INTO s SELECT id, 1 FROM s WHERE id < 40000");
    refresh_and_compare("inc", "ref", columns, true);
    ck_assert_int_eq(summary_long("inc", "floe.buckets-touched"), 2);
    ck_assert_str_eq(summary("inc", "added-delete-files"), "(none)");
    ck_assert_int_ge(summary_long("inc", "removed-delete-files"), 1);
    run_ok("SELECT count(*) AS rows, sum(n) AS n FROM inc");
    ck_assert_str_eq(text_of(&result.rows), "rows,n\n131072,171078\n");
    run_ok("INSERT INTO s VALUES (9, 1)");
    refresh_and_compare("inc", "ref", columns, true);
    ck_assert_int_eq(summary_long("inc", "floe.state-files-read"), 1);
}
END_TEST

/* String and NULL keys in a table of two buckets: the rebuild writes each bucket's state file
 * from one state (its groups gathered by bucket), the incremental refreshes rewrite a bucket
 * and read every touched bucket's file back (NULL keys and strings among whole columns). With
 * MIN and DISTINCT entries (_i == 0) a bucket is imported and merged; with COUNT, SUM and AVG
 * only (_i == 1) it is streamed (D's part looked up, the file's arrays patched). */
START_TEST(string_keys_and_entries_across_buckets)
{
    bool entries = _i == 0;
    const char *columns = entries ? "k, m, n, total, mean, lo, dv" : "k, m, n, total, mean";
    create_ids_source("v + 1");
    char query[512];
    snprintf(query, sizeof query,
             "SELECT k, m, count(*) AS n, sum(v) AS total, avg(v) AS mean%s FROM (SELECT CASE "
             "WHEN id %% 997 = 0 THEN NULL ELSE 'key-' || CAST(id %% 100000 AS VARCHAR) END AS "
             "k, id %% 3 AS m, v FROM s) t GROUP BY k, m",
             entries ? ", min(v) AS lo, count(DISTINCT v % 5) AS dv" : "");
    create_twins("inc", "ref", query);
    ck_assert_int_eq(summary_long("inc", "floe.bucket-count"), 2);
    ck_assert_int_eq(summary_long("inc", "floe.buckets-touched"), 2);
    refresh_and_compare("inc", "ref", columns, false);
    /* A downstream table reads inc's changelogs, whose two buckets' rows may go into the file
     * while the buckets are still being written: it must equal its twin that reads inc whole. */
    create_twins("down", "down_ref",
                 "SELECT m, sum(n) AS n, sum(total) AS total, count(*) AS groups FROM inc GROUP BY m");
    const char *down_columns = "m, n, total, groups";
    run_ok("INSERT INTO s VALUES (5, 100), (997, 3), (100005, -7), (200001, 9)");
    refresh_and_compare("inc", "ref", columns, true);
    ck_assert_int_eq(summary_long("inc", "floe.state-files-read"), 2);
    refresh_and_compare("down", "down_ref", down_columns, true);
    run_ok("DELETE FROM s WHERE id < 50 OR id % 997 = 0");
    refresh_and_compare("inc", "ref", columns, true);
    refresh_and_compare("down", "down_ref", down_columns, true);
    run_ok("SELECT n FROM inc WHERE k IS NULL");
    ck_assert_str_eq(text_of(&result.rows), "n\n");
    /* id 100005 (v = 1 + its 8 one bits) and the appended (100005, -7) */
    run_ok("SELECT n, total FROM inc WHERE k = 'key-5' AND m = 0");
    ck_assert_str_eq(text_of(&result.rows), "n,total\n2,2\n");
}
END_TEST

/* A table created small (one bucket) that grows past 2 x 65536 groups a bucket is re-bucketed
 * by the refresh that sees it, from its state, and stays equal to FULL after; with MAX
 * (_i == 0) and with SUM only (_i == 1, a table whose buckets stream unless it may grow). */
START_TEST(state_grows_into_more_buckets)
{
    run_ok("CREATE TABLE s (id BIGINT, v BIGINT)");
    run_ok("INSERT INTO s VALUES (0, 1)");
    create_twins("inc", "ref",
                 _i == 0 ? "SELECT id, count(*) AS n, max(v) AS hi FROM s GROUP BY id"
                         : "SELECT id, count(*) AS n, sum(v) AS hi FROM s GROUP BY id");
    ck_assert_int_eq(summary_long("inc", "floe.bucket-count"), 1);
    char sql[256];
    for (long step = 1; step < 262144; step *= 2) {
        snprintf(sql, sizeof sql, "INSERT INTO s SELECT id + %ld, v + 1 FROM s", step);
        run_ok(sql);
    }
    refresh_and_compare("inc", "ref", "id, n, hi", true);
    ck_assert_int_eq(summary_long("inc", "floe.bucket-count"), 4);
    ck_assert_int_eq(summary_long("inc", "floe.buckets-touched"), 4);
    ck_assert_int_eq(summary_long("inc", "total-data-files"), 4);
    run_ok("DELETE FROM s WHERE id < 1000");
    refresh_and_compare("inc", "ref", "id, n, hi", true);
    ck_assert_int_eq(summary_long("inc", "floe.bucket-count"), 4);
}
END_TEST

START_TEST(joins_and_plain_tables_are_incremental_constants_run_full)
{
    run_ok("CREATE TABLE s (k VARCHAR, v BIGINT)");
    run_ok("CREATE TABLE t (k VARCHAR, w BIGINT)");
    run_ok("INSERT INTO s VALUES ('a', 1)");
    run_ok("INSERT INTO t VALUES ('a', 2)");
    run_ok("CREATE DYNAMIC TABLE plain REFRESH_MODE = INCREMENTAL AS SELECT k, v FROM s");
    run_ok("CREATE DYNAMIC TABLE constant AS SELECT k, v FROM s UNION ALL SELECT 'z', 0");
    run_ok("CREATE DYNAMIC TABLE joined AS SELECT s.k, sum(w) AS total FROM s JOIN t "
           "ON s.k = t.k GROUP BY s.k");
    run_ok("INSERT INTO s VALUES ('a', 3)");
    refresh_one("plain", false);
    ck_assert_str_eq(summary("plain", "floe.refresh-mode"), "incremental");
    ck_assert_str_ne(summary("plain", "floe.state-manifest"), "(none)");
    refresh_one("constant", false);
    ck_assert_str_eq(summary("constant", "floe.refresh-mode"), "full");
    ck_assert_str_eq(summary("constant", "floe.refresh-reason"),
                     "incremental maintenance of constant rows (VALUES) is not built yet");
    check_contains(text_of(&result.warnings), "constant rows (VALUES) is not built yet");
    ck_assert_str_eq(summary("constant", "floe.state-manifest"), "(none)");
    refresh_one("joined", false);
    ck_assert_str_eq(summary("joined", "floe.refresh-mode"), "incremental");
    ck_assert_str_eq(summary("joined", "floe.refresh-reason"),
                     "source changes since the last refresh");
    ck_assert_str_ne(summary("joined", "floe.state-manifest"), "(none)");
}
END_TEST

START_TEST(full_rebuilds_and_lost_state_falls_back)
{
    const char *columns = "k, n";
    run_ok("CREATE TABLE s (k VARCHAR)");
    run_ok("INSERT INTO s VALUES ('a'), ('b'), ('a')");
    create_twins("inc", "ref", "SELECT k, count(*) AS n FROM s GROUP BY k");
    run_ok("INSERT INTO s VALUES ('b')");
    refresh_one("inc", true);
    ck_assert_str_eq(summary("inc", "floe.refresh-mode"), "full");
    ck_assert_str_eq(summary("inc", "floe.refresh-reason"), "full refresh requested");
    refresh_and_compare("inc", "ref", columns, false);
    run_ok("SELECT count(*) AS files FROM inc"); /* one output file per bucket, old ones gone */
    ck_assert_int_eq(summary_long("inc", "total-data-files"), 1);

    /* The state manifest vanishes: the next refresh rebuilds and says why. */
    ck_assert_int_eq(unlink(summary("inc", "floe.state-manifest")), 0);
    run_ok("INSERT INTO s VALUES ('c')");
    refresh_and_compare("inc", "ref", columns, false);
    ck_assert_str_eq(summary("inc", "floe.refresh-mode"), "full");
    check_contains(summary("inc", "floe.refresh-reason"), "state manifest unusable");
    check_contains(incremental_warnings, "ran FULL: state manifest unusable");
    ck_assert_int_eq(summary_long("inc", "total-data-files"), 1);
    run_ok("INSERT INTO s VALUES ('c')");
    refresh_and_compare("inc", "ref", columns, true);
}
END_TEST

/* Entries of the folder of default.<table_name>. */
static int count_table_files(const char *table_name, const char *folder)
{
    char name[256];
    snprintf(name, sizeof name, "default/%s", table_name);
    return count_files(name, folder);
}

/* A refresh failing after it wrote state (the projection above the aggregate divides by a sum
 * that became 0) leaves no file behind and the table as it was. */
START_TEST(failed_refresh_leaves_nothing)
{
    run_ok("CREATE TABLE s (k VARCHAR, v BIGINT)");
    run_ok("INSERT INTO s VALUES ('a', 1), ('b', 2)");
    run_ok("CREATE DYNAMIC TABLE inc REFRESH_MODE = INCREMENTAL AS SELECT k, 100 / sum(v) AS r "
           "FROM s GROUP BY k");
    int state_files = count_table_files("inc", "floe/state");
    int data_files = count_table_files("inc", "data");
    char manifest[PATH_MAX];
    snprintf(manifest, sizeof manifest, "%s", summary("inc", "floe.state-manifest"));
    run_ok("INSERT INTO s VALUES ('a', -1)");
    floe_eng_output output = capture();
    floe_error err;
    const char *name = "inc";
    ck_assert_int_eq(floe_eng_refresh(db, &name, 1, false, &output, &err), FLOE_ERANGE);
    check_contains(err.message, "division by zero");
    ck_assert_int_eq(count_table_files("inc", "floe/state"), state_files);
    ck_assert_int_eq(count_table_files("inc", "data"), data_files);
    ck_assert_str_eq(summary("inc", "floe.state-manifest"), manifest);
    run_ok("INSERT INTO s VALUES ('a', 3)");
    refresh_one("inc", false);
    ck_assert_str_eq(summary("inc", "floe.refresh-mode"), "incremental");
    run_ok("SELECT k, r FROM inc ORDER BY k");
    ck_assert_str_eq(text_of(&result.rows), "k,r\na,33.333333333333336\nb,5e+01\n");
}
END_TEST

START_TEST(explain_says_what_the_next_refresh_does)
{
    run_ok("CREATE TABLE s (k VARCHAR, v BIGINT)");
    run_ok("INSERT INTO s VALUES ('a', 1)");
    run_ok("EXPLAIN CREATE DYNAMIC TABLE inc AS SELECT k, sum(v) AS t FROM s GROUP BY k");
    check_contains(text_of(&result.rows), "incremental: yes");
    check_contains(text_of(&result.rows), "then INCREMENTAL");
    run_ok("CREATE DYNAMIC TABLE inc AS SELECT k, sum(v) AS t FROM s GROUP BY k");
    run_ok("INSERT INTO s VALUES ('b', 2)");
    run_ok("EXPLAIN DYNAMIC TABLE inc");
    check_contains(text_of(&result.rows), "delta plan:");
    check_contains(text_of(&result.rows), "refresh: INCREMENTAL (source changes since the last "
                                          "refresh)");
    run_ok("EXPLAIN CREATE DYNAMIC TABLE p AS SELECT k FROM s UNION ALL SELECT 'z'");
    check_contains(text_of(&result.rows), "constant rows (VALUES) is not built yet");
}
END_TEST

static Suite *incremental_suite(void)
{
    Suite *suite = suite_create("refresh_incremental");
    TCase *tc = tcase_create("incremental");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, every_aggregate_through_appends_and_deletes);
    tcase_add_test(tc, sums_beyond_bigint_survive_state_files);
    tcase_add_test(tc, partitioned_change_of_a_streamed_table);
    tcase_add_test(tc, having_and_projection_above_the_aggregate);
    tcase_add_test(tc, aggregate_without_group_by);
    tcase_add_test(tc, two_sources_through_union_all);
    tcase_add_test(tc, only_touched_buckets_and_changed_files);
    tcase_add_test(tc, overlays_grow_hide_and_compact);
    tcase_add_loop_test(tc, string_keys_and_entries_across_buckets, 0, 2);
    tcase_add_loop_test(tc, state_grows_into_more_buckets, 0, 2);
    tcase_add_test(tc, joins_and_plain_tables_are_incremental_constants_run_full);
    tcase_add_test(tc, full_rebuilds_and_lost_state_falls_back);
    tcase_add_test(tc, failed_refresh_leaves_nothing);
    tcase_add_test(tc, explain_says_what_the_next_refresh_does);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(incremental_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
