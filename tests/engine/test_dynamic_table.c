/*
 * Description: dynamic tables over a temporary warehouse (engine/dynamic_table.h): CREATE with
 * the properties, schema (query columns + _floe_refresh) and canonical floe.sql it stores;
 * ON_CREATE and ON_SCHEDULE; refresh numbers in the summary and in every row; "up to date"
 * when no source changed, --full forcing a refresh; the summary's source snapshot ids and
 * counts; a chain of three dynamic tables refreshed upstream first when only the last is named;
 * --all skipping suspended tables (and refreshing them when named); a cycle made through OR
 * REPLACE refused with the cycle named and nothing changed; OR REPLACE with a new schema
 * (fresh field ids, history kept); DROP (refusing an ordinary table, IF EXISTS); SHOW, status
 * rows, EXPLAIN; errors that leave the lake unchanged (a bad definition creates nothing, a
 * failing initial refresh removes the new table, a failing refresh keeps the old rows and
 * records last-error, cleared by the next good refresh; one failing table does not stop the
 * others); and the commit extension (io/iceberg_commit.h) directly: property-only commits
 * that add no snapshot, a new current schema with fresh ids, expected_snapshot_id.
 */
#define _GNU_SOURCE /* mkdtemp, nftw */
#include "engine/database.h"
#include "engine/dynamic_table.h"
#include "engine/result_text.h"
#include "io/catalog_fs.h"
#include "io/iceberg_commit.h"
#include "io/iceberg_table.h"
#include "kernels/memory.h"
#include "kernels/value_text.h"
#include "sql/parser.h"

#include <check.h>
#include <dirent.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/warehouse_fixture.h"

/* Position of `needle` in `text` (fails when absent). */
static size_t position_of(const char *text, const char *needle)
{
    const char *found = strstr(text, needle);
    ck_assert_msg(found != NULL, "'%s' lacks '%s'", text, needle);
    return (size_t)(found - text);
}

/* ---- create, properties, refresh numbers -------------------------------------------------- */

START_TEST(create_stores_the_definition)
{
    run_ok("CREATE TABLE src (id BIGINT NOT NULL, v INTEGER, name VARCHAR)");
    run_ok("create dynamic table d target_lag = '300 seconds' refresh_mode = full "
           "initialize = on_schedule as select id, v * 2 as twice from src where v > 0");
    ck_assert_str_eq(messages_text(), "CREATE DYNAMIC TABLE\n");
    ck_assert_str_eq(warnings_text(), ""); /* FULL asks for nothing this build lacks */
    ck_assert_str_eq(property("default/d", "floe.sql"),
                     "CREATE DYNAMIC TABLE default.d TARGET_LAG = '5 minutes' REFRESH_MODE = FULL "
                     "INITIALIZE = ON_SCHEDULE AS SELECT id, v * 2 AS twice FROM src WHERE v > 0");
    ck_assert_str_eq(property("default/d", "floe.refresh-mode"), "FULL");
    ck_assert_str_eq(property("default/d", "floe.target-lag"), "5 minutes");
    ck_assert_str_eq(property("default/d", "floe.initialize"), "ON_SCHEDULE");
    ck_assert_str_eq(property("default/d", "floe.suspended"), "(none)");
    floe_ice_table *table = open_table("default/d");
    const floe_ice_schema *schema = floe_ice_current_schema(table->metadata);
    ck_assert_uint_eq(schema->field_count, 3);
    ck_assert_str_eq(schema->fields[0].name, "id");
    ck_assert_str_eq(schema->fields[0].type_text, "long");
    ck_assert_int_eq(schema->fields[0].required, 0);
    ck_assert_str_eq(schema->fields[1].name, "twice");
    ck_assert_str_eq(schema->fields[1].type_text, "int");
    ck_assert_str_eq(schema->fields[2].name, "_floe_refresh");
    ck_assert_str_eq(schema->fields[2].type_text, "long");
    ck_assert_int_ne(schema->fields[2].required, 0);
    ck_assert_int_eq(table->metadata->current_snapshot_id, -1); /* ON_SCHEDULE */
    floe_ice_table_free(table);

    /* The stored text is canonical: it parses and prints back to itself. */
    const char *sql = property("default/d", "floe.sql");
    floe_sql_script *script = NULL;
    ck_assert_int_eq(floe_sql_parse_statement(sql, strlen(sql), &script, NULL), 0);
    char *printed = NULL;
    ck_assert_int_eq(floe_sql_format_statement(script->statements[0], &printed, NULL, NULL), 0);
    ck_assert_str_eq(printed, sql);
    floe_free(printed);
    floe_sql_script_free(script);

    /* Defaults: 1 minute, AUTO (with the warning that constant rows make it run FULL),
     * ON_CREATE. */
    run_ok("CREATE DYNAMIC TABLE d2 AS SELECT id FROM src UNION ALL SELECT 0");
    ck_assert_str_eq(property("default/d2", "floe.target-lag"), "1 minute");
    ck_assert_str_eq(property("default/d2", "floe.refresh-mode"), "AUTO");
    ck_assert_str_eq(property("default/d2", "floe.initialize"), "ON_CREATE");
    check_contains(warnings_text(),
                   "incremental maintenance of constant rows (VALUES) is not built yet");
    check_contains(messages_text(), "default.d2: refresh 1, full (initial refresh)");
    run_ok("CREATE DYNAMIC TABLE d3 TARGET_LAG = DOWNSTREAM AS SELECT id FROM src");
    ck_assert_str_eq(property("default/d3", "floe.target-lag"), "DOWNSTREAM");
}
END_TEST

START_TEST(refresh_numbers_and_up_to_date)
{
    run_ok("CREATE TABLE src (id BIGINT, v INTEGER)");
    run_ok("INSERT INTO src VALUES (1, 10), (2, 20), (3, 30)");
    run_ok("CREATE DYNAMIC TABLE d REFRESH_MODE = FULL AS SELECT id, v FROM src WHERE v >= 20");
    check_contains(messages_text(), "default.d: refresh 1, full (REFRESH_MODE = FULL): 3 rows "
                                    "read from 1 files, 2 rows written");
    check_query("SELECT id, v, _floe_refresh FROM d ORDER BY id",
                "id,v,_floe_refresh\n2,20,1\n3,30,1\n");
    ck_assert_str_eq(current_summary("default/d", "operation"), "overwrite");
    ck_assert_str_eq(current_summary("default/d", "floe.refresh-number"), "1");
    ck_assert_str_eq(current_summary("default/d", "floe.refresh-mode"), "full");
    ck_assert_str_eq(current_summary("default/d", "floe.refresh-reason"), "REFRESH_MODE = FULL");
    ck_assert_str_eq(current_summary("default/d", "floe.rows-read"), "3");
    ck_assert_str_eq(current_summary("default/d", "floe.files-read"), "1");
    ck_assert_str_eq(current_summary("default/d", "floe.rows-written"), "2");
    ck_assert_str_ne(current_summary("default/d", "floe.bytes-read"), "(none)");
    ck_assert_str_ne(current_summary("default/d", "floe.duration-ms"), "(none)");
    ck_assert_str_ne(current_summary("default/d", "floe.refreshed-at"), "(none)");
    floe_ice_table *source = open_table("default/src");
    char snapshot[32];
    snprintf(snapshot, sizeof snapshot, "%" PRId64, source->metadata->current_snapshot_id);
    floe_ice_table_free(source);
    ck_assert_str_eq(current_summary("default/d", "floe.source.default.src.snapshot-id"), snapshot);

    /* No source changed: nothing runs, nothing is committed. */
    const char *names[] = {"d"};
    int64_t version = metadata_version("default/d");
    refresh_ok(names, 1, false);
    ck_assert_str_eq(messages_text(), "default.d: up to date (refresh 1)\n");
    ck_assert_int_eq(metadata_version("default/d"), version);

    /* A source change: refresh 2 rewrites every row with its number, old files removed. */
    run_ok("INSERT INTO src VALUES (4, 40)");
    refresh_ok(names, 1, false);
    check_contains(messages_text(), "default.d: refresh 2, full (REFRESH_MODE = FULL)");
    check_query("SELECT id, _floe_refresh FROM d ORDER BY id",
                "id,_floe_refresh\n2,2\n3,2\n4,2\n");
    ck_assert_int_eq(count_files("default/d", "data"), 2); /* refresh 1's file stays as history */
    ck_assert_str_eq(current_summary("default/d", "deleted-data-files"), "1");
    ck_assert_str_eq(current_summary("default/d", "total-data-files"), "1");

    /* --full runs although nothing changed. */
    refresh_ok(names, 1, true);
    check_contains(messages_text(), "default.d: refresh 3, full (full refresh requested)");
    ck_assert_str_eq(current_summary("default/d", "floe.refresh-reason"),
                     "full refresh requested");

    /* An empty result still commits its refresh (and what it consumed). */
    run_ok("DELETE FROM src WHERE v >= 20");
    refresh_ok(names, 1, false);
    check_query("SELECT count(*) AS n FROM d", "n\n0\n");
    ck_assert_str_eq(current_summary("default/d", "floe.refresh-number"), "4");
    refresh_ok(names, 1, false);
    ck_assert_str_eq(messages_text(), "default.d: up to date (refresh 4)\n");
    run_ok("DELETE FROM src");
    refresh_ok(names, 1, false);
    ck_assert_str_eq(current_summary("default/d", "floe.refresh-number"), "5");
    refresh_ok(names, 1, false);
    ck_assert_str_eq(messages_text(), "default.d: up to date (refresh 5)\n");

    /* ALTER ... REFRESH is the same refresh. */
    run_ok("INSERT INTO src VALUES (9, 90)");
    run_ok("ALTER DYNAMIC TABLE d REFRESH");
    check_contains(messages_text(), "default.d: refresh 6, full");
    check_contains(messages_text(), "ALTER DYNAMIC TABLE");
    check_query("SELECT id, v, _floe_refresh FROM d", "id,v,_floe_refresh\n9,90,6\n");
}
END_TEST

START_TEST(auto_mode_reason)
{
    run_ok("CREATE TABLE src (k VARCHAR, x DOUBLE)");
    run_ok("INSERT INTO src VALUES ('a', 1.5), ('b', 2.5), ('a', 4.0)");
    run_ok("CREATE DYNAMIC TABLE agg AS SELECT k, SUM(x) AS total, COUNT(*) AS n FROM src "
           "GROUP BY k");
    check_contains(messages_text(), "refresh 1, full (initial refresh)");
    check_query("SELECT k, total, n, _floe_refresh FROM agg ORDER BY k",
                "k,total,n,_floe_refresh\na,5.5,2,1\nb,2.5,1,1\n");
    run_ok("INSERT INTO src VALUES ('c', 1.0)");
    const char *names[] = {"default.agg"};
    refresh_ok(names, 1, false);
    check_contains(messages_text(), "default.agg: refresh 2, incremental: 1 rows read from 1 files");
    ck_assert_str_eq(current_summary("default/agg", "floe.refresh-mode"), "incremental");
    ck_assert_str_eq(current_summary("default/agg", "floe.refresh-reason"),
                     "source changes since the last refresh");
    check_query("SELECT k, n FROM agg ORDER BY k", "k,n\na,2\nb,1\nc,1\n");

    /* INCREMENTAL is accepted for a maintainable query, refused for a cross product. */
    run_ok("CREATE DYNAMIC TABLE inc REFRESH_MODE = INCREMENTAL AS SELECT k FROM src");
    ck_assert_str_eq(property("default/inc", "floe.refresh-mode"), "INCREMENTAL");
    floe_error err;
    ck_assert_int_eq(run("CREATE DYNAMIC TABLE bad REFRESH_MODE = INCREMENTAL AS "
                         "SELECT a.k FROM src a, src b", &err),
                     FLOE_EUNSUPPORTED);
    check_contains(err.message, "REFRESH_MODE = INCREMENTAL");
    ck_assert(!table_exists("default/bad"));
}
END_TEST

/* ---- order ------------------------------------------------------------------------------- */

START_TEST(chain_refreshes_upstream_first)
{
    run_ok("CREATE TABLE src (id BIGINT, v INTEGER)");
    run_ok("INSERT INTO src VALUES (1, 1), (2, 2)");
    run_ok("CREATE DYNAMIC TABLE a AS SELECT id, v FROM src");
    run_ok("CREATE DYNAMIC TABLE b AS SELECT id, v * 10 AS w FROM a");
    run_ok("CREATE DYNAMIC TABLE c AS SELECT SUM(w) AS total FROM b");
    check_query("SELECT total FROM c", "total\n30\n");
    run_ok("INSERT INTO src VALUES (3, 3)");

    /* Only c is named: a and b are refreshed first, in that order. */
    const char *names[] = {"c"};
    refresh_ok(names, 1, false);
    const char *log = messages_text();
    size_t a = position_of(log, "default.a: refresh 2");
    size_t b = position_of(log, "default.b: refresh 2");
    size_t c = position_of(log, "default.c: refresh 2");
    ck_assert(a < b && b < c);
    check_query("SELECT total FROM c", "total\n60\n");
    /* b's summary names the snapshot of a that a's refresh just committed. */
    floe_ice_table *upstream = open_table("default/a");
    char snapshot[32];
    snprintf(snapshot, sizeof snapshot, "%" PRId64, upstream->metadata->current_snapshot_id);
    floe_ice_table_free(upstream);
    ck_assert_str_eq(current_summary("default/b", "floe.source.default.a.snapshot-id"), snapshot);

    /* --all: everything up to date now. */
    refresh_ok(NULL, 0, false);
    ck_assert_str_eq(messages_text(), "default.a: up to date (refresh 2)\n"
                                      "default.b: up to date (refresh 2)\n"
                                      "default.c: up to date (refresh 2)\n");
    /* Naming the middle one refreshes its upstream, not its downstream. */
    run_ok("INSERT INTO src VALUES (4, 4)");
    const char *middle[] = {"default.b"};
    refresh_ok(middle, 1, false);
    ck_assert_ptr_null(strstr(messages_text(), "default.c"));
    check_contains(messages_text(), "default.a: refresh 3");
    check_contains(messages_text(), "default.b: refresh 3");

    /* A source named by its path is followed upstream too. */
    char directory[PATH_MAX], sql[PATH_MAX + 128];
    table_directory("default/a", directory, sizeof directory);
    snprintf(sql, sizeof sql, "CREATE DYNAMIC TABLE by_path AS SELECT COUNT(*) AS n FROM '%s'",
             directory);
    run_ok(sql);
    run_ok("INSERT INTO src VALUES (5, 5)");
    const char *by_path[] = {"by_path"};
    refresh_ok(by_path, 1, false);
    size_t upstream_first = position_of(messages_text(), "default.a: refresh 4");
    ck_assert(upstream_first < position_of(messages_text(), "default.by_path: refresh 2"));
    check_query("SELECT n FROM by_path", "n\n5\n");

    /* A named refresh opens only what it reads: an unrelated dynamic table whose metadata is
     * unreadable goes unmentioned, and only a refresh of everything warns about it. */
    run_ok("CREATE DYNAMIC TABLE unrelated AS SELECT id FROM src");
    char metadata[PATH_MAX + 64];
    table_directory("default/unrelated", directory, sizeof directory);
    snprintf(metadata, sizeof metadata, "%s/metadata/v%" PRId64 ".metadata.json", directory,
             metadata_version("default/unrelated"));
    FILE *file = fopen(metadata, "w");
    ck_assert_ptr_nonnull(file);
    fputs("{ not json", file);
    fclose(file);
    run_ok("INSERT INTO src VALUES (6, 6)");
    refresh_ok(names, 1, false);
    check_contains(messages_text(), "default.c: refresh 3");
    ck_assert_ptr_null(strstr(warnings_text(), "unrelated"));
    refresh_ok(NULL, 0, false);
    check_contains(warnings_text(), "default.unrelated: skipped");
}
END_TEST

START_TEST(cycles_are_refused)
{
    run_ok("CREATE TABLE src (id BIGINT)");
    run_ok("CREATE DYNAMIC TABLE a INITIALIZE = ON_SCHEDULE AS SELECT id FROM src");
    run_ok("CREATE DYNAMIC TABLE b INITIALIZE = ON_SCHEDULE AS SELECT id FROM a");
    run_ok("CREATE DYNAMIC TABLE c INITIALIZE = ON_SCHEDULE AS SELECT id FROM b");
    int64_t version = metadata_version("default/a");
    floe_error err;
    ck_assert_int_eq(run("CREATE OR REPLACE DYNAMIC TABLE a AS SELECT id FROM c", &err),
                     FLOE_ESYNTAX);
    check_contains(err.message, "default.a -> default.c -> default.b -> default.a");
    check_contains(err.message, "line 1, column 33");
    ck_assert_int_eq(metadata_version("default/a"), version);
    check_contains(property("default/a", "floe.sql"), "FROM src");
    /* Reading itself, qualified or not. */
    ck_assert_int_eq(run("CREATE OR REPLACE DYNAMIC TABLE a AS SELECT id FROM a", &err),
                     FLOE_ESYNTAX);
    check_contains(err.message, "cannot read itself");
    ck_assert_int_eq(run("CREATE OR REPLACE DYNAMIC TABLE default.a AS SELECT id FROM "
                         "(SELECT id FROM src UNION ALL SELECT id FROM default.a) t", &err),
                     FLOE_ESYNTAX);
    ck_assert_int_eq(metadata_version("default/a"), version);
}
END_TEST

START_TEST(replace_keeps_history_with_a_new_schema)
{
    run_ok("CREATE TABLE src (id BIGINT, v INTEGER)");
    run_ok("INSERT INTO src VALUES (1, 5), (2, 6)");
    run_ok("CREATE DYNAMIC TABLE d AS SELECT id FROM src");
    floe_error err;
    ck_assert_int_eq(run("CREATE DYNAMIC TABLE d AS SELECT id FROM src", &err), FLOE_ECONFLICT);
    check_contains(err.message, "already exists");
    run_ok("ALTER DYNAMIC TABLE d SUSPEND");
    run_ok("CREATE OR REPLACE DYNAMIC TABLE d REFRESH_MODE = FULL AS SELECT v, id FROM src");
    check_contains(messages_text(), "default.d: refresh 2, full (REFRESH_MODE = FULL)");
    check_query("SELECT v, id, _floe_refresh FROM d ORDER BY v",
                "v,id,_floe_refresh\n5,1,2\n6,2,2\n");
    ck_assert_str_eq(property("default/d", "floe.suspended"), "(none)"); /* a new definition */
    floe_ice_table *table = open_table("default/d");
    const floe_ice_schema *schema = floe_ice_current_schema(table->metadata);
    ck_assert_uint_eq(table->metadata->schema_count, 2);
    ck_assert_str_eq(schema->fields[0].name, "v");
    ck_assert_int_eq(schema->fields[0].id, 3); /* after id (1) and _floe_refresh (2) */
    ck_assert_int_eq(schema->fields[2].id, 5);
    ck_assert_uint_eq(table->metadata->snapshot_count, 3); /* refresh, replace, refresh */
    floe_ice_table_free(table);
    /* An ordinary table is not replaced. */
    ck_assert_int_eq(run("CREATE OR REPLACE DYNAMIC TABLE src AS SELECT 1 AS x", &err),
                     FLOE_ECONFLICT);
    check_contains(err.message, "ordinary table");
}
END_TEST

/* ---- suspend, drop, show, status, explain ------------------------------------------------ */

START_TEST(suspend_and_resume)
{
    run_ok("CREATE TABLE src (id BIGINT)");
    run_ok("INSERT INTO src VALUES (1)");
    run_ok("CREATE DYNAMIC TABLE a AS SELECT id FROM src");
    run_ok("CREATE DYNAMIC TABLE b AS SELECT id FROM src");
    int64_t snapshots = snapshot_count("default/a");
    run_ok("ALTER DYNAMIC TABLE a SUSPEND");
    ck_assert_str_eq(messages_text(), "ALTER DYNAMIC TABLE\n");
    ck_assert_str_eq(property("default/a", "floe.suspended"), "true");
    ck_assert_int_eq(snapshot_count("default/a"), snapshots); /* properties only */
    run_ok("INSERT INTO src VALUES (2)");
    refresh_ok(NULL, 0, false);
    check_contains(messages_text(), "default.a: suspended, skipped");
    check_contains(messages_text(), "default.b: refresh 2");
    const char *names[] = {"a"};
    refresh_ok(names, 1, false); /* named: refreshed although suspended */
    check_contains(messages_text(), "default.a: refresh 2");
    run_ok("ALTER DYNAMIC TABLE a RESUME");
    ck_assert_str_eq(property("default/a", "floe.suspended"), "(none)");
    run_ok("INSERT INTO src VALUES (3)");
    refresh_ok(NULL, 0, false);
    check_contains(messages_text(), "default.a: refresh 3");
    floe_error err;
    ck_assert_int_eq(run("ALTER DYNAMIC TABLE src SUSPEND", &err), FLOE_ETYPE);
    check_contains(err.message, "default.src is not a dynamic table");
    ck_assert_int_eq(run("ALTER DYNAMIC TABLE nope RESUME", &err), FLOE_ENOTFOUND);
}
END_TEST

START_TEST(drop_dynamic_table)
{
    run_ok("CREATE TABLE src (id BIGINT)");
    run_ok("CREATE DYNAMIC TABLE a INITIALIZE = ON_SCHEDULE AS SELECT id FROM src");
    run_ok("CREATE DYNAMIC TABLE b INITIALIZE = ON_SCHEDULE AS SELECT id FROM a");
    floe_error err;
    ck_assert_int_eq(run("DROP DYNAMIC TABLE src", &err), FLOE_ETYPE);
    check_contains(err.message, "use DROP TABLE");
    ck_assert(table_exists("default/src"));
    ck_assert_int_ne(run("DROP TABLE a", &err), FLOE_OK); /* the database refuses it */
    ck_assert(table_exists("default/a"));
    run_ok("DROP DYNAMIC TABLE a");
    ck_assert_str_eq(messages_text(), "DROP DYNAMIC TABLE\n");
    check_contains(warnings_text(), "default.b reads default.a");
    ck_assert(!table_exists("default/a"));
    ck_assert_int_eq(count_files("default", ""), 2); /* src and b; no .dropped-* left */
    ck_assert_int_eq(run("DROP DYNAMIC TABLE a", &err), FLOE_ENOTFOUND);
    run_ok("DROP DYNAMIC TABLE IF EXISTS a");
    check_contains(messages_text(), "does not exist, skipping");
    /* b's refresh now fails, naming the missing source. */
    const char *names[] = {"b"};
    ck_assert_int_eq(refresh(names, 1, false, &err), FLOE_ENOTFOUND);
    check_contains(err.message, "default.b");
}
END_TEST

START_TEST(show_status_explain)
{
    run_ok("CREATE TABLE src (id BIGINT, v INTEGER)");
    run_ok("INSERT INTO src VALUES (1, 1), (2, 2)");
    run_ok("CREATE DYNAMIC TABLE a TARGET_LAG = '2 hours' AS SELECT id, v FROM src WHERE v > 1");
    run_ok("CREATE DYNAMIC TABLE b INITIALIZE = ON_SCHEDULE AS SELECT COUNT(*) AS n FROM a");
    run_ok("SHOW DYNAMIC TABLES");
    const char *rows = rows_text();
    check_contains(rows, "name,target_lag,refresh_mode,initialize,suspended,sources,"
                         "last_refresh_time,last_mode,last_reason,rows_written,refreshes,"
                         "definition\n");
    check_contains(rows, "default.a,2 hours,AUTO,ON_CREATE,false,default.src,");
    check_contains(rows, ",full,initial refresh,1,1,");
    check_contains(rows, "default.b,1 minute,AUTO,ON_SCHEDULE,false,default.a,,,,,0,");

    floe_eng_output output = capture();
    floe_error err;
    ck_assert_int_eq(floe_eng_status(db, NULL, &output, &err), FLOE_OK);
    rows = rows_text();
    check_contains(rows, "name,target_lag,refresh_mode,suspended,lag_seconds,last_refresh_time,"
                         "last_mode,last_reason,rows_read,rows_written,duration_ms,refreshes,"
                         "state_bytes,last_error,last_error_time,failures\n");
    check_contains(rows, "default.a,2 hours,AUTO,false,0,");
    check_contains(rows, ",full,initial refresh,2,1,");
    /* b was never refreshed and a has a snapshot it has not read: it lags. */
    check_contains(rows, "default.b,1 minute,AUTO,false,");
    check_contains(rows, ",,,,,,,0,0,,,0\n");
    output = capture();
    ck_assert_int_eq(floe_eng_status(db, "a", &output, &err), FLOE_OK);
    ck_assert_ptr_null(strstr(rows_text(), "default.b"));
    output = capture();
    ck_assert_int_eq(floe_eng_status(db, "src", &output, &err), FLOE_ENOTFOUND);
    check_contains(err.message, "default.src is not a dynamic table");
    ck_assert_int_eq(floe_eng_status(db, "zzz", &output, &err), FLOE_ENOTFOUND);
    check_contains(err.message, "dynamic table default.zzz does not exist");

    /* Lag counts from the oldest source snapshot not consumed. */
    run_ok("INSERT INTO src VALUES (3, 3)");
    sleep(2);
    run_ok("INSERT INTO src VALUES (4, 4)");
    output = capture();
    ck_assert_int_eq(floe_eng_status(db, "a", &output, &err), FLOE_OK);
    const char *line = strstr(rows_text(), "default.a,2 hours,AUTO,false,");
    ck_assert_ptr_nonnull(line);
    long lag = strtol(line + strlen("default.a,2 hours,AUTO,false,"), NULL, 10);
    ck_assert_msg(lag >= 2 && lag < 60, "lag %ld", lag);

    run_ok("EXPLAIN DYNAMIC TABLE a");
    rows = rows_text();
    check_contains(rows, "plan\n\"definition: CREATE DYNAMIC TABLE default.a");
    check_contains(rows, "SCAN default.src");
    check_contains(rows, "incremental: yes");
    check_contains(rows, "  default.src: current snapshot ");
    check_contains(rows, ", last refresh read ");
    check_contains(rows, "next refresh: INCREMENTAL (source changes since the last refresh)");
    const char *names[] = {"a"};
    refresh_ok(names, 1, false);
    run_ok("EXPLAIN DYNAMIC TABLE a");
    check_contains(rows_text(), "refresh: none, up to date (refresh 2");
    run_ok("EXPLAIN CREATE DYNAMIC TABLE e REFRESH_MODE = FULL AS SELECT v FROM src");
    check_contains(rows_text(), "refresh: FULL (REFRESH_MODE = FULL)");
    check_contains(rows_text(), "definition: CREATE DYNAMIC TABLE e REFRESH_MODE = FULL");
    ck_assert(!table_exists("default/e"));
}
END_TEST

/* ---- errors ------------------------------------------------------------------------------ */

START_TEST(errors_leave_the_lake_unchanged)
{
    run_ok("CREATE TABLE src (id BIGINT, v INTEGER)");
    run_ok("INSERT INTO src VALUES (1, 1), (2, 2)");
    floe_error err;
    /* A bad definition creates nothing. */
    ck_assert_int_eq(run("CREATE DYNAMIC TABLE bad AS SELECT nope FROM src", &err),
                     FLOE_ENOTFOUND);
    check_contains(err.message, "line 1, column 36");
    ck_assert(!table_exists("default/bad"));
    ck_assert_int_eq(run("CREATE DYNAMIC TABLE bad AS SELECT id AS _floe_x FROM src", &err),
                     FLOE_ESYNTAX);
    ck_assert(!table_exists("default/bad"));
    /* A failing initial refresh: the table is not created. */
    run_ok("INSERT INTO src VALUES (3, 0)");
    ck_assert_int_eq(run("CREATE DYNAMIC TABLE bad AS SELECT id, 10 / v AS q FROM src", &err),
                     FLOE_ERANGE);
    check_contains(err.message, "default.bad");
    ck_assert(!table_exists("default/bad"));
    ck_assert_int_eq(count_files("default", ""), 1);

    /* A failing refresh keeps the table as it was and records the error. */
    run_ok("DELETE FROM src WHERE v = 0");
    run_ok("CREATE DYNAMIC TABLE q AS SELECT id, 10 / v AS q FROM src");
    run_ok("CREATE DYNAMIC TABLE fine AS SELECT id FROM src");
    run_ok("INSERT INTO src VALUES (4, 0)");
    int64_t version = metadata_version("default/q");
    int data = count_files("default/q", "data"), metadata = count_files("default/q", "metadata");
    ck_assert_int_eq(refresh(NULL, 0, false, &err), FLOE_ERANGE);
    check_contains(err.message, "default.q: ");
    ck_assert_ptr_null(strchr(err.message, '\n'));
    check_contains(messages_text(), "default.fine: refresh 2"); /* the others still refresh */
    ck_assert_int_eq(metadata_version("default/q"), version);
    ck_assert_int_eq(count_files("default/q", "data"), data);
    ck_assert_int_eq(count_files("default/q", "metadata"), metadata);
    check_query("SELECT id, CAST(q AS INTEGER) AS q, _floe_refresh FROM q ORDER BY id",
                "id,q,_floe_refresh\n1,10,1\n2,5,1\n");
    floe_eng_output output = capture();
    ck_assert_int_eq(floe_eng_status(db, "q", &output, &err), FLOE_OK);
    check_contains(rows_text(), "division by zero");
    /* Two failures: one warning each, and a count. */
    run_ok("CREATE DYNAMIC TABLE q2 INITIALIZE = ON_SCHEDULE AS SELECT 1 / (v - v) AS z FROM src");
    ck_assert_int_eq(refresh(NULL, 0, false, &err), FLOE_ERANGE);
    check_contains(err.message, "2 of 3 dynamic tables failed to refresh: default.q, default.q2");
    check_contains(warnings_text(), "default.q: ");
    check_contains(warnings_text(), "default.q2: ");
    run_ok("DROP DYNAMIC TABLE q2");
    /* A table whose upstream failed is not refreshed, and says so. */
    run_ok("CREATE DYNAMIC TABLE after_q INITIALIZE = ON_SCHEDULE AS SELECT id FROM q");
    ck_assert_int_eq(refresh(NULL, 0, false, &err), FLOE_ERANGE);
    check_contains(warnings_text(),
                   "default.after_q: not refreshed: its upstream default.q failed");
    ck_assert_int_eq(snapshot_count("default/after_q"), 0);
    /* Fixed at the source: the next refresh succeeds and clears the error. */
    run_ok("DELETE FROM src WHERE v = 0");
    refresh_ok(NULL, 0, false);
    check_contains(messages_text(), "default.q: refresh 2");
    output = capture();
    ck_assert_int_eq(floe_eng_status(db, "q", &output, &err), FLOE_OK);
    ck_assert_ptr_null(strstr(rows_text(), "division by zero"));
    /* Names that are no dynamic table. */
    const char *names[] = {"src"};
    ck_assert_int_eq(refresh(names, 1, false, &err), FLOE_ENOTFOUND);
    check_contains(err.message, "default.src is not a dynamic table");
    const char *bad_name[] = {"../x"};
    ck_assert_int_eq(refresh(bad_name, 1, false, &err), FLOE_ESYNTAX);
}
END_TEST

/* ---- the commit extension ---------------------------------------------------------------- */

START_TEST(commit_properties_and_schema)
{
    char directory[PATH_MAX];
    snprintf(directory, sizeof directory, "%s/ns/t", root);
    floe_ice_new_column columns[] = {{"a", {FLOE_TYPE_INT64, 0, 0}, 1, 1, NULL}};
    floe_ice_property initial[] = {{"keep", "1"}, {"drop", "2"}};
    floe_error err;
    ck_assert_int_eq(floe_ice_commit_create_table(directory, columns, 1, initial, 2, &err), 0);
    const floe_ice_property set[] = {{"new", "3"}, {"keep", "4"}};
    const char *const removed[] = {"drop", "absent"};
    floe_ice_commit_result committed;
    ck_assert_msg(floe_ice_commit_properties(directory, set, 2, removed, 2, &committed, &err) == 0,
                  "%s", err.message);
    ck_assert_int_eq(committed.version, 2);
    ck_assert_int_eq(committed.snapshot_id, -1);
    floe_ice_table *table = NULL;
    ck_assert_int_eq(floe_ice_table_open(&table, directory, NULL, &err), 0);
    ck_assert_str_eq(floe_ice_property_get(table->metadata, "keep"), "4");
    ck_assert_str_eq(floe_ice_property_get(table->metadata, "new"), "3");
    ck_assert_ptr_null(floe_ice_property_get(table->metadata, "drop"));
    ck_assert_uint_eq(table->metadata->snapshot_count, 0);
    ck_assert_uint_eq(table->metadata->metadata_log_count, 1);
    floe_ice_table_free(table);

    /* A snapshot with a new schema: fresh ids after last-column-id, the snapshot on it. */
    floe_ice_new_column replacement[] = {{"b", {FLOE_TYPE_STRING, 0, 0}, 0, 0, NULL},
                                         {"c", {FLOE_TYPE_FLOAT64, 0, 0}, 1, 0, NULL}};
    floe_ice_commit_request request = {0};
    request.expected_schema_id = 0;
    request.expected_snapshot_id = -1;
    request.new_schema_columns = replacement;
    request.new_schema_column_count = 2;
    ck_assert_msg(floe_ice_commit(directory, &request, &committed, &err) == 0, "%s", err.message);
    ck_assert_int_eq(floe_ice_table_open(&table, directory, NULL, &err), 0);
    const floe_ice_schema *schema = floe_ice_current_schema(table->metadata);
    ck_assert_int_eq(schema->schema_id, 1);
    ck_assert_int_eq(schema->fields[0].id, 2);
    ck_assert_str_eq(schema->fields[1].type_text, "double");
    ck_assert_int_eq(schema->fields[1].id, 3);
    ck_assert_int_eq(table->metadata->last_column_id, 3);
    ck_assert_int_eq(floe_ice_current_snapshot(table->metadata)->schema_id, 1);
    ck_assert_uint_eq(table->metadata->schema_count, 2);
    int64_t current = table->metadata->current_snapshot_id;
    floe_ice_table_free(table);

    /* expected_snapshot_id: a stale expectation is a lasting conflict (no retry, no change). */
    floe_ice_commit_request stale = {0};
    stale.expected_schema_id = -1;
    stale.expected_snapshot_id = -1;
    ck_assert_int_eq(floe_ice_commit(directory, &stale, NULL, &err), FLOE_ECONFLICT);
    check_contains(err.message, "the table changed");
    stale.expected_snapshot_id = current + 1;
    ck_assert_int_eq(floe_ice_commit(directory, &stale, NULL, &err), FLOE_ECONFLICT);
    stale.expected_snapshot_id = current;
    ck_assert_msg(floe_ice_commit(directory, &stale, &committed, &err) == 0, "%s", err.message);
    ck_assert_int_eq(committed.parent_snapshot_id, current);
    ck_assert_int_eq(committed.version, 4);
}
END_TEST

static Suite *dynamic_suite(void)
{
    Suite *suite = suite_create("dynamic_table");
    TCase *tc = tcase_create("dynamic tables");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, create_stores_the_definition);
    tcase_add_test(tc, refresh_numbers_and_up_to_date);
    tcase_add_test(tc, auto_mode_reason);
    tcase_add_test(tc, chain_refreshes_upstream_first);
    tcase_add_test(tc, cycles_are_refused);
    tcase_add_test(tc, replace_keeps_history_with_a_new_schema);
    tcase_add_test(tc, suspend_and_resume);
    tcase_add_test(tc, drop_dynamic_table);
    tcase_add_test(tc, show_status_explain);
    tcase_add_test(tc, errors_leave_the_lake_unchanged);
    tcase_add_test(tc, commit_properties_and_schema);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(dynamic_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
