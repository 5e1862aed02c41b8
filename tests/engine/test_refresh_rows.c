/*
 * Description: incremental refresh of non-aggregating dynamic tables (engine/refresh_rows.c)
 * checked against FULL: an INCREMENTAL table and a REFRESH_MODE = FULL twin with the same
 * filter / project / UNION ALL query are refreshed after every change of their sources and
 * must hold identical rows. Appends add exactly one output file and read no output file;
 * copy-on-write DELETEs become one position-delete file and read only the output files whose
 * lineage holds the changed source file; an update (delete + insert) in one refresh; equal
 * output rows of which one is retracted; a source emptied (every output file dropped);
 * compaction when more than half of a file is deleted and when more than 32 delete files pile
 * up; a join (no lineage: every output file read to retract); the rebuild after a lost state
 * manifest; a retraction that matches no live output row
 * (a tampered lineage) is an error, not silently ignored.
 */
#define _GNU_SOURCE /* mkdtemp, nftw */
#include "engine/database.h"
#include "engine/dynamic_table.h"
#include "engine/refresh_incremental_int.h" /* FLOE_ENG_PARALLEL_DRAIN_ROWS */
#include "engine/result_text.h"
#include "io/iceberg_table.h"
#include "kernels/memory.h"
#include "kernels/value_text.h"

#include <check.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[256];
static floe_eng_database *db;

typedef struct captured {
    floe_text rows, messages, warnings;
    floe_eng_result_text *formatter;
} captured;

static captured result;

static int append_rows(void *context, const char *bytes, size_t size, floe_error *err)
{
    (void)err;
    return floe_text_append(context, bytes, size);
}

static void append_line(floe_text *text, const char *line)
{
    ck_assert_int_eq(floe_text_append(text, line, strlen(line)), 0);
    ck_assert_int_eq(floe_text_append_char(text, '\n'), 0);
}

static void on_message(void *context, const char *line)
{
    (void)context;
    append_line(&result.messages, line);
}

static void on_warning(void *context, const char *line)
{
    (void)context;
    append_line(&result.warnings, line);
}

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *ftw)
{
    (void)info, (void)flag, (void)ftw;
    return remove(path);
}

static void setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/floe-rows-XXXXXX", base != NULL ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(root));
    char warehouse[300];
    snprintf(warehouse, sizeof warehouse, "%s/lake", root);
    floe_eng_options options = {warehouse, 2, (size_t)512 << 20, false};
    floe_error err;
    ck_assert_msg(floe_eng_database_open(&db, &options, &err) == FLOE_OK, "%s", err.message);
    floe_text_init(&result.rows);
    floe_text_init(&result.messages);
    floe_text_init(&result.warnings);
    ck_assert_int_eq(floe_eng_result_text_create(&result.formatter, FLOE_ENG_RESULT_CSV,
                                                 append_rows, &result.rows, NULL), 0);
}

static void teardown(void)
{
    floe_eng_result_text_free(result.formatter);
    floe_text_fini(&result.rows);
    floe_text_fini(&result.messages);
    floe_text_fini(&result.warnings);
    floe_eng_database_close(db);
    db = NULL;
    nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static floe_eng_output capture(void)
{
    floe_text_reset(&result.rows);
    floe_text_reset(&result.messages);
    floe_text_reset(&result.warnings);
    floe_eng_output output = {0};
    floe_eng_result_text_output(result.formatter, &output);
    output.message = on_message;
    output.warning = on_warning;
    return output;
}

static const char *text_of(const floe_text *text) { return text->data ? text->data : ""; }

static void run_ok(const char *sql)
{
    floe_eng_output output = capture();
    floe_error err;
    floe_error_clear(&err);
    int status = floe_eng_database_execute(db, sql, strlen(sql), &output, &err);
    ck_assert_msg(status == FLOE_OK, "%s: %s (%d)", sql, err.message, status);
}

static int refresh_status(const char *name, floe_error *err)
{
    floe_eng_output output = capture();
    floe_error_clear(err);
    return floe_eng_refresh(db, &name, 1, false, &output, err);
}

static void refresh_ok(const char *name)
{
    floe_error err;
    int status = refresh_status(name, &err);
    ck_assert_msg(status == FLOE_OK, "refresh %s: %s (%d)", name, err.message, status);
}

static void check_contains(const char *text, const char *needle)
{
    ck_assert_msg(strstr(text, needle) != NULL, "'%s' lacks '%s'", text, needle);
}

/* The current snapshot's summary value (copied into a static buffer; "(none)" if absent). */
static const char *summary(const char *table_name, const char *key)
{
    static char value[PATH_MAX + 64];
    char directory[PATH_MAX];
    snprintf(directory, sizeof directory, "%s/default/%s", floe_eng_database_warehouse(db),
             table_name);
    floe_ice_table *table = NULL;
    floe_error err;
    ck_assert_msg(floe_ice_table_open(&table, directory, NULL, &err) == FLOE_OK, "%s",
                  err.message);
    const floe_ice_snapshot *snapshot = floe_ice_current_snapshot(table->metadata);
    snprintf(value, sizeof value, "(none)");
    for (size_t i = 0; snapshot != NULL && i < snapshot->summary_count; i++)
        if (strcmp(snapshot->summary[i].key, key) == 0)
            snprintf(value, sizeof value, "%s", snapshot->summary[i].value);
    floe_ice_table_free(table);
    return value;
}

static long summary_long(const char *table_name, const char *key)
{
    const char *text = summary(table_name, key);
    ck_assert_msg(strcmp(text, "(none)") != 0, "%s has no summary %s", table_name, key);
    return strtol(text, NULL, 10);
}

/* Refreshes "inc" and "ref" and checks their rows (`columns`, ordered by them) are identical
 * and that "inc" refreshed incrementally. */
static void refresh_and_compare(const char *columns)
{
    refresh_ok("inc");
    char messages[4096];
    snprintf(messages, sizeof messages, "%s", text_of(&result.messages));
    refresh_ok("ref");
    ck_assert_msg(strcmp(summary("inc", "floe.refresh-mode"), "incremental") == 0,
                  "inc refreshed %s (%s): %s", summary("inc", "floe.refresh-mode"),
                  summary("inc", "floe.refresh-reason"), messages);
    char sql[1024];
    snprintf(sql, sizeof sql, "SELECT %s FROM inc ORDER BY %s", columns, columns);
    run_ok(sql);
    char *got = strdup(text_of(&result.rows));
    snprintf(sql, sizeof sql, "SELECT %s FROM ref ORDER BY %s", columns, columns);
    run_ok(sql);
    ck_assert_msg(strcmp(got, text_of(&result.rows)) == 0, "incremental:\n%.1500s\nfull:\n%.1500s",
                  got, text_of(&result.rows));
    free(got);
}

static void create_twins(const char *query)
{
    char sql[2048];
    snprintf(sql, sizeof sql, "CREATE DYNAMIC TABLE inc REFRESH_MODE = INCREMENTAL AS %s", query);
    run_ok(sql);
    snprintf(sql, sizeof sql, "CREATE DYNAMIC TABLE ref REFRESH_MODE = FULL AS %s", query);
    run_ok(sql);
}

/* Appends: one new output file per refresh, only the new source file read, no output file
 * read, no delete file. */
START_TEST(appends_add_one_file_each)
{
    run_ok("CREATE TABLE s (id BIGINT, k VARCHAR, amount DOUBLE)");
    run_ok("INSERT INTO s VALUES (1, 'a', 5.0), (2, 'b', 20.0), (3, NULL, 30.0)");
    create_twins("SELECT id, k, amount * 2 AS a2 FROM s WHERE amount > 10");
    ck_assert_str_ne(summary("inc", "floe.state-manifest"), "(none)");
    ck_assert_int_eq(summary_long("inc", "total-data-files"), 1);
    for (int step = 0; step < 3; step++) {
        char sql[256];
        snprintf(sql, sizeof sql, "INSERT INTO s VALUES (%d, 'x', %d.5), (%d, 'y', 1.0)",
                 10 + step, 11 + step, 20 + step);
        run_ok(sql);
        refresh_and_compare("id, k, a2");
        ck_assert_int_eq(summary_long("inc", "floe.files-read"), 1);
        ck_assert_int_eq(summary_long("inc", "floe.rows-read"), 2);
        ck_assert_int_eq(summary_long("inc", "floe.rows-written"), 1);
        ck_assert_int_eq(summary_long("inc", "floe.state-files-read"), 0);
        ck_assert_int_eq(summary_long("inc", "added-data-files"), 1);
        ck_assert_int_eq(summary_long("inc", "total-data-files"), 2 + step);
        ck_assert_int_eq(summary_long("inc", "total-delete-files"), 0);
    }
    run_ok("SELECT _floe_refresh FROM inc WHERE id = 12");
    ck_assert_str_eq(text_of(&result.rows), "_floe_refresh\n4\n");
}
END_TEST

/* A DELETE in one source file: one position-delete file; only the output file holding that
 * source file's rows is read. */
START_TEST(deletes_read_only_the_files_their_sources_lead_to)
{
    run_ok("CREATE TABLE s (id BIGINT, v BIGINT)");
    create_twins("SELECT id, v + 1 AS w FROM s");
    char sql[256];
    for (int file = 0; file < 4; file++) {
        snprintf(sql, sizeof sql, "INSERT INTO s VALUES (%d, 1), (%d, 2), (%d, 3)", file * 10,
                 file * 10 + 1, file * 10 + 2);
        run_ok(sql);
        refresh_and_compare("id, w");
    }
    ck_assert_int_eq(summary_long("inc", "total-data-files"), 4);
    run_ok("DELETE FROM s WHERE id = 21");
    refresh_and_compare("id, w");
    ck_assert_int_eq(summary_long("inc", "floe.state-files-read"), 1);
    ck_assert_int_eq(summary_long("inc", "total-delete-files"), 1);
    ck_assert_int_eq(summary_long("inc", "added-delete-files"), 1);
    ck_assert_int_eq(summary_long("inc", "total-data-files"), 4);
    ck_assert_int_eq(summary_long("inc", "floe.rows-written"), 0);
    /* an update: delete + insert of the same id with another value in one refresh */
    run_ok("DELETE FROM s WHERE id = 30");
    run_ok("INSERT INTO s VALUES (30, 100)");
    refresh_and_compare("id, w");
    ck_assert_int_eq(summary_long("inc", "floe.state-files-read"), 1);
    ck_assert_int_eq(summary_long("inc", "total-delete-files"), 2);
    ck_assert_int_eq(summary_long("inc", "total-data-files"), 5);
    run_ok("SELECT w FROM inc WHERE id = 30");
    ck_assert_str_eq(text_of(&result.rows), "w\n101\n");
}
END_TEST

/* Equal output rows from different source rows: retracting one leaves the other. */
START_TEST(equal_rows_retract_one_at_a_time)
{
    run_ok("CREATE TABLE s (k VARCHAR, v BIGINT)");
    run_ok("INSERT INTO s VALUES ('a', 1), ('a', 2), ('b', 3)");
    run_ok("INSERT INTO s VALUES ('a', 4)");
    create_twins("SELECT k FROM s UNION ALL SELECT k FROM s WHERE v > 1");
    run_ok("SELECT count(*) AS n FROM inc WHERE k = 'a'");
    ck_assert_str_eq(text_of(&result.rows), "n\n5\n");
    run_ok("DELETE FROM s WHERE v = 2");
    refresh_and_compare("k");
    run_ok("SELECT count(*) AS n FROM inc WHERE k = 'a'");
    ck_assert_str_eq(text_of(&result.rows), "n\n3\n");
    run_ok("DELETE FROM s WHERE v = 4");
    refresh_and_compare("k");
    run_ok("SELECT count(*) AS n FROM inc WHERE k = 'a'");
    ck_assert_str_eq(text_of(&result.rows), "n\n1\n");
    /* a row deleted and inserted again with the same values in one refresh cancels */
    run_ok("DELETE FROM s WHERE k = 'b'");
    run_ok("INSERT INTO s VALUES ('b', 3)");
    refresh_and_compare("k");
}
END_TEST

/* Deleting everything drops every output file (and every delete file). */
START_TEST(emptied_source_drops_every_file)
{
    run_ok("CREATE TABLE s (id BIGINT, v DOUBLE)");
    run_ok("INSERT INTO s VALUES (1, 1.5), (2, -0.0), (3, NULL)");
    create_twins("SELECT id, v FROM s");
    run_ok("INSERT INTO s VALUES (4, 0.0), (5, 2.5), (6, 3.5), (7, 4.5)");
    refresh_and_compare("id, v");
    run_ok("DELETE FROM s WHERE id = 5");
    refresh_and_compare("id, v");
    ck_assert_int_eq(summary_long("inc", "total-delete-files"), 1);
    run_ok("DELETE FROM s");
    refresh_and_compare("id, v");
    ck_assert_int_eq(summary_long("inc", "total-data-files"), 0);
    ck_assert_int_eq(summary_long("inc", "total-delete-files"), 0);
    run_ok("INSERT INTO s VALUES (8, 8.5)");
    refresh_and_compare("id, v");
    ck_assert_int_eq(summary_long("inc", "total-data-files"), 1);
}
END_TEST

/* A file more than half deleted is rewritten without the deleted rows, and its delete file
 * goes; more than 32 delete files make every file with deletes rewritten. */
START_TEST(compaction)
{
    run_ok("CREATE TABLE s (id BIGINT, v BIGINT)");
    run_ok("INSERT INTO s VALUES (0, 0), (1, 1), (2, 2), (3, 3)");
    create_twins("SELECT id, v FROM s"); /* output file 1: these 4 rows */
    char sql[4096];
    int length = snprintf(sql, sizeof sql, "INSERT INTO s VALUES (100, 0)");
    for (int id = 101; id < 180; id++)
        length += snprintf(sql + length, sizeof sql - (size_t)length, ", (%d, %d)", id, id % 7);
    run_ok(sql);
    refresh_and_compare("id, v"); /* output file 2: 80 rows */
    /* the first file: 2 of 4 deleted is half (kept with deletes), 3 of 4 is more */
    run_ok("DELETE FROM s WHERE id = 0");
    refresh_and_compare("id, v");
    run_ok("DELETE FROM s WHERE id = 1");
    refresh_and_compare("id, v");
    ck_assert_int_eq(summary_long("inc", "total-delete-files"), 2);
    run_ok("DELETE FROM s WHERE id = 2");
    refresh_and_compare("id, v");
    ck_assert_int_eq(summary_long("inc", "total-delete-files"), 0);
    ck_assert_int_eq(summary_long("inc", "floe.rows-written"), 1);
    /* one row of the 80-row file at a time (never half of it): delete files pile up, then
     * fold */
    long most = 0;
    for (int i = 0; i < 34; i++) {
        snprintf(sql, sizeof sql, "DELETE FROM s WHERE id = %d", 100 + 2 * i);
        run_ok(sql);
        refresh_and_compare("id, v");
        long deletes = summary_long("inc", "total-delete-files");
        ck_assert_msg(deletes <= 32, "%ld delete files after step %d", deletes, i);
        if (deletes > most) most = deletes;
    }
    ck_assert_int_eq(most, 32);
}
END_TEST

/* A join (engine/delta_plan.h): its rows have no single source row, so lineage is unknown and
 * a retraction reads every output file. */
START_TEST(joins_read_every_file_to_retract)
{
    run_ok("CREATE TABLE s (k VARCHAR, v BIGINT)");
    run_ok("CREATE TABLE t (k VARCHAR, w BIGINT)");
    run_ok("INSERT INTO s VALUES ('a', 1), ('b', 2)");
    run_ok("INSERT INTO t VALUES ('a', 10), ('b', 20), ('a', 11)");
    create_twins("SELECT s.k, v, w FROM s JOIN t ON s.k = t.k");
    run_ok("INSERT INTO s VALUES ('a', 3)");
    refresh_and_compare("k, v, w");
    run_ok("INSERT INTO t VALUES ('b', 21)");
    refresh_and_compare("k, v, w");
    ck_assert_int_eq(summary_long("inc", "floe.state-files-read"), 0);
    ck_assert_int_eq(summary_long("inc", "total-data-files"), 3);
    run_ok("DELETE FROM t WHERE w = 11");
    refresh_and_compare("k, v, w");
    ck_assert_int_eq(summary_long("inc", "floe.state-files-read"), 3);
    run_ok("DELETE FROM s WHERE v = 1");
    run_ok("INSERT INTO t VALUES ('a', 12)");
    refresh_and_compare("k, v, w");
}
END_TEST

/* A lost state manifest rebuilds; a retraction found in no output file is an error. */
START_TEST(lost_state_rebuilds_and_unmatched_retraction_is_an_error)
{
    run_ok("CREATE TABLE s (id BIGINT)");
    run_ok("INSERT INTO s VALUES (1), (2), (3)");
    create_twins("SELECT id FROM s");
    char manifest[PATH_MAX + 64];
    snprintf(manifest, sizeof manifest, "%s", summary("inc", "floe.state-manifest"));
    ck_assert_int_eq(unlink(manifest), 0);
    run_ok("INSERT INTO s VALUES (4)");
    refresh_ok("inc");
    ck_assert_str_eq(summary("inc", "floe.refresh-mode"), "full");
    check_contains(summary("inc", "floe.refresh-reason"), "state manifest unusable");
    run_ok("INSERT INTO s VALUES (5)");
    refresh_ok("inc");
    ck_assert_str_eq(summary("inc", "floe.refresh-mode"), "incremental");

    /* A state manifest whose lineage no longer leads to the retracted row. */
    snprintf(manifest, sizeof manifest, "%s", summary("inc", "floe.state-manifest"));
    FILE *file = fopen(manifest, "r");
    ck_assert_ptr_nonnull(file);
    static char text[1 << 16];
    size_t size = fread(text, 1, sizeof text - 1, file);
    fclose(file);
    text[size] = '\0';
    for (char *at = strstr(text, "/s/data/"); at != NULL; at = strstr(at + 1, "/s/data/"))
        memcpy(at, "/x/", 3); /* every source path now names a file of another table */
    file = fopen(manifest, "w");
    ck_assert_ptr_nonnull(file);
    ck_assert_uint_eq(fwrite(text, 1, size, file), size);
    fclose(file);
    run_ok("DELETE FROM s WHERE id = 2");
    floe_error err;
    int status = refresh_status("inc", &err);
    ck_assert_int_ne(status, FLOE_OK);
    check_contains(err.message, "match no live row");
}
END_TEST

/* A change of more than FLOE_ENG_PARALLEL_DRAIN_ROWS rows (engine/refresh_incremental_int.h)
 * is drained in one delta partition per thread and the partitions' states merged: many equal
 * rows, spread over several appended files, and a DELETE retracting some of them, come out as
 * the full refresh has them. With _i == 1 the rows are joined to a four-row table: a change far
 * larger than the join's build side is partitioned too, each partition building it whole. */
START_TEST(large_change_drains_in_partitions)
{
    bool join = _i == 1;
    const char *columns = join ? "k, label, amount" : "k, amount";
    run_ok("CREATE TABLE s (id BIGINT, k VARCHAR, amount DOUBLE)");
    run_ok("INSERT INTO s VALUES (1, 'a', 5.0), (2, 'b', 20.0), (3, NULL, 30.0), (4, 'c', 1.0)");
    run_ok("CREATE TABLE t (k VARCHAR, label VARCHAR)");
    run_ok("INSERT INTO t VALUES ('a', 'A'), ('b', 'B'), ('c', 'C'), ('d', 'D')");
    create_twins(join ? "SELECT s.k, t.label, s.amount FROM s JOIN t ON s.k = t.k "
                        "WHERE s.amount > 2"
                      : "SELECT k, amount FROM s WHERE amount > 2");
    for (int step = 4; step < 4 * 65536; step *= 2) {
        char sql[256];
        snprintf(sql, sizeof sql, "INSERT INTO s SELECT id + %d, k, amount FROM s", step);
        run_ok(sql);
    }
    refresh_and_compare(columns);
    ck_assert_int_gt(summary_long("inc", "floe.rows-read"), FLOE_ENG_PARALLEL_DRAIN_ROWS);
    run_ok("DELETE FROM s WHERE id % 3 = 0");
    run_ok("INSERT INTO s SELECT id + 1000000, 'd', amount FROM s WHERE id < 150000");
    refresh_and_compare(columns);
    ck_assert_int_gt(summary_long("inc", "floe.rows-read"), FLOE_ENG_PARALLEL_DRAIN_ROWS);
}
END_TEST

static Suite *rows_suite(void)
{
    Suite *suite = suite_create("refresh_rows");
    TCase *tc = tcase_create("rows");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, appends_add_one_file_each);
    tcase_add_test(tc, deletes_read_only_the_files_their_sources_lead_to);
    tcase_add_test(tc, equal_rows_retract_one_at_a_time);
    tcase_add_test(tc, emptied_source_drops_every_file);
    tcase_add_test(tc, compaction);
    tcase_add_test(tc, joins_read_every_file_to_retract);
    tcase_add_test(tc, lost_state_rebuilds_and_unmatched_retraction_is_an_error);
    tcase_add_loop_test(tc, large_change_drains_in_partitions, 0, 2);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(rows_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
