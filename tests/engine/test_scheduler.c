/*
 * Description: the scheduler (engine/scheduler.h) and what it builds on in refresh.c: the
 * policy's decisions from given lags and targets (suspended, nothing pending, backoff, --once,
 * DOWNSTREAM, push under a minute, lag + duration + interval against half the target); the
 * backoff sequence (1 s doubling to 5 min); the target-lag property parser; the refresh lock
 * (a second handle on refresh.lock makes the scheduler's refresh skip the table, and the lock
 * survives its file being removed); --once over a small warehouse (an aggregate, a DOWNSTREAM
 * table and its reader refreshed in dependency order, a failing table reported with its
 * backoff and counted in status while the others refresh, a suspended one left alone);
 * refresh history rows; a stop descriptor ending the loop; and push: with a one-minute
 * interval, a commit to a source wakes the loop and the table is refreshed within 2 s.
 */
#define _GNU_SOURCE /* mkdtemp, nftw, pipe2 */
#include "engine/database.h"
#include "engine/dynamic_table.h"
#include "engine/result_text.h"
#include "engine/scheduler.h"
#include "kernels/value_text.h"

#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char root[256];
static char warehouse[300];
static floe_eng_database *db;

/* ---- policy -------------------------------------------------------------------------------- */

static floe_eng_dynamic_lag pending_lag(int64_t target_ms, int64_t lag_ms, int64_t duration_ms)
{
    floe_eng_dynamic_lag lag = {0};
    lag.target_lag_ms = target_ms;
    lag.lag_ms = lag_ms;
    lag.pending = true;
    lag.refreshed = true;
    lag.last_duration_ms = duration_ms;
    return lag;
}

START_TEST(policy_decisions)
{
    const int64_t now = 1000000, interval = 5000;
    floe_eng_dynamic_lag lag = pending_lag(600000, 0, 100); /* ten minutes */
    ck_assert_int_eq(floe_eng_scheduler_decide(&lag, false, now, interval, false, false, NULL),
                     FLOE_ENG_SCHEDULE_WAIT);
    ck_assert_int_eq(floe_eng_scheduler_decide(&lag, true, now, interval, false, false, NULL),
                     FLOE_ENG_SCHEDULE_SUSPENDED);
    /* Half the target (300 s) reached once lag + duration + interval get there. */
    lag.lag_ms = 300000 - 5100 - 1;
    ck_assert_int_eq(floe_eng_scheduler_decide(&lag, false, now, interval, false, false, NULL),
                     FLOE_ENG_SCHEDULE_WAIT);
    lag.lag_ms++;
    ck_assert_int_eq(floe_eng_scheduler_decide(&lag, false, now, interval, false, false, NULL),
                     FLOE_ENG_SCHEDULE_DUE);
    /* A slow last refresh makes it due sooner. */
    lag.lag_ms = 200000;
    lag.last_duration_ms = 95000;
    ck_assert_int_eq(floe_eng_scheduler_decide(&lag, false, now, interval, false, false, NULL),
                     FLOE_ENG_SCHEDULE_DUE);
    /* Nothing pending: never due, whatever the lag numbers say. */
    lag.pending = false;
    ck_assert_int_eq(floe_eng_scheduler_decide(&lag, false, now, interval, true, true, NULL),
                     FLOE_ENG_SCHEDULE_UP_TO_DATE);

    /* Push: under a minute due at once, a minute or more waits for its lag. */
    floe_eng_dynamic_lag fast = pending_lag(2000, 0, 10);
    ck_assert_int_eq(floe_eng_scheduler_decide(&fast, false, now, 60000, true, false, NULL),
                     FLOE_ENG_SCHEDULE_DUE);
    floe_eng_dynamic_lag slow = pending_lag(60000, 0, 10);
    ck_assert_int_eq(floe_eng_scheduler_decide(&slow, false, now, 1000, true, false, NULL),
                     FLOE_ENG_SCHEDULE_WAIT);
    ck_assert_int_eq(floe_eng_scheduler_decide(&slow, false, now, 1000, false, true, NULL),
                     FLOE_ENG_SCHEDULE_DUE); /* --once */
    /* Never refreshed (ON_SCHEDULE): due at the first pass. */
    slow.refreshed = false;
    ck_assert_int_eq(floe_eng_scheduler_decide(&slow, false, now, 1000, false, false, NULL),
                     FLOE_ENG_SCHEDULE_DUE);

    /* DOWNSTREAM: not due on its own, even pushed; --once takes it. */
    floe_eng_dynamic_lag downstream = pending_lag(FLOE_ENG_TARGET_LAG_DOWNSTREAM, 999999, 10);
    ck_assert_int_eq(floe_eng_scheduler_decide(&downstream, false, now, 1000, true, false, NULL),
                     FLOE_ENG_SCHEDULE_DOWNSTREAM);
    ck_assert_int_eq(floe_eng_scheduler_decide(&downstream, false, now, 1000, false, true, NULL),
                     FLOE_ENG_SCHEDULE_DUE);

    /* Backoff: 3 failures, the last 3 s ago: the next attempt is 4 s after it. */
    floe_eng_dynamic_lag failing = pending_lag(2000, 50000, 10);
    failing.failures = 3;
    failing.last_failure_ms = now - 3000;
    int64_t retry_at = 0;
    ck_assert_int_eq(floe_eng_scheduler_decide(&failing, false, now, 1000, true, false, &retry_at),
                     FLOE_ENG_SCHEDULE_BACKING_OFF);
    ck_assert_int_eq(retry_at, now + 1000);
    ck_assert_int_eq(
        floe_eng_scheduler_decide(&failing, false, now + 1000, 1000, false, false, NULL),
        FLOE_ENG_SCHEDULE_DUE);
    ck_assert_int_eq(floe_eng_scheduler_decide(&failing, false, now, 1000, false, true, NULL),
                     FLOE_ENG_SCHEDULE_DUE); /* --once retries at once */
}
END_TEST

START_TEST(backoff_and_target_lag)
{
    ck_assert_int_eq(floe_eng_scheduler_backoff_ms(0), 0);
    ck_assert_int_eq(floe_eng_scheduler_backoff_ms(1), 1000);
    ck_assert_int_eq(floe_eng_scheduler_backoff_ms(2), 2000);
    ck_assert_int_eq(floe_eng_scheduler_backoff_ms(3), 4000);
    ck_assert_int_eq(floe_eng_scheduler_backoff_ms(9), 256000);
    ck_assert_int_eq(floe_eng_scheduler_backoff_ms(10), 300000);
    ck_assert_int_eq(floe_eng_scheduler_backoff_ms(1000000), 300000);

    ck_assert_int_eq(floe_eng_dynamic_parse_target_lag(NULL), 60000);
    ck_assert_int_eq(floe_eng_dynamic_parse_target_lag("2 seconds"), 2000);
    ck_assert_int_eq(floe_eng_dynamic_parse_target_lag("1 second"), 1000);
    ck_assert_int_eq(floe_eng_dynamic_parse_target_lag("1 minute"), 60000);
    ck_assert_int_eq(floe_eng_dynamic_parse_target_lag("3 hours"), 10800000);
    ck_assert_int_eq(floe_eng_dynamic_parse_target_lag("2 days"), 172800000);
    ck_assert_int_eq(floe_eng_dynamic_parse_target_lag("DOWNSTREAM"),
                     FLOE_ENG_TARGET_LAG_DOWNSTREAM);
    ck_assert_int_eq(floe_eng_dynamic_parse_target_lag("soon"), -1);
    ck_assert_int_eq(floe_eng_dynamic_parse_target_lag("0 seconds"), -1);
    ck_assert_int_eq(floe_eng_dynamic_parse_target_lag("5 weeks"), -1);
    ck_assert_int_eq(floe_eng_dynamic_parse_target_lag("5 secondsx"), -1);
}
END_TEST

/* ---- a warehouse --------------------------------------------------------------------------- */

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *ftw)
{
    (void)info, (void)flag, (void)ftw;
    return remove(path);
}

static floe_eng_database *open_database(void)
{
    floe_eng_options options = {warehouse, 2, (size_t)256 << 20, false};
    floe_eng_database *opened = NULL;
    floe_error err;
    ck_assert_msg(floe_eng_database_open(&opened, &options, &err) == FLOE_OK, "%s", err.message);
    return opened;
}

static void setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/floe-scheduler-XXXXXX", base != NULL ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(root));
    snprintf(warehouse, sizeof warehouse, "%s/lake", root);
    db = open_database();
}

static void teardown(void)
{
    floe_eng_database_close(db);
    db = NULL;
    nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void run_sql_on(floe_eng_database *database, const char *sql)
{
    floe_eng_output output = {0};
    floe_error err;
    floe_error_clear(&err);
    int status = floe_eng_database_execute(database, sql, strlen(sql), &output, &err);
    ck_assert_msg(status == FLOE_OK, "%s: %s", sql, err.message);
}

static void run_sql(const char *sql)
{
    run_sql_on(db, sql);
}

/* Rows of a status-like call as CSV. */
typedef struct csv_capture {
    floe_text text;
    floe_eng_result_text *formatter;
} csv_capture;

static int append_rows(void *context, const char *bytes, size_t size, floe_error *err)
{
    (void)err;
    return floe_text_append(context, bytes, size);
}

static floe_eng_output csv_begin(csv_capture *capture)
{
    floe_text_init(&capture->text);
    ck_assert_int_eq(floe_eng_result_text_create(&capture->formatter, FLOE_ENG_RESULT_CSV,
                                                 append_rows, &capture->text, NULL), 0);
    floe_eng_output output = {0};
    floe_eng_result_text_output(capture->formatter, &output);
    return output;
}

static char *csv_end(csv_capture *capture)
{
    floe_eng_result_text_free(capture->formatter);
    ck_assert_int_eq(floe_text_append_char(&capture->text, '\0'), 0);
    char *copy = strdup(capture->text.data);
    ck_assert_ptr_nonnull(copy);
    floe_text_fini(&capture->text);
    return copy; /* free() */
}

static char *status_csv(const char *name)
{
    csv_capture capture;
    floe_eng_output output = csv_begin(&capture);
    floe_error err;
    ck_assert_msg(floe_eng_status(db, name, &output, &err) == FLOE_OK, "%s", err.message);
    return csv_end(&capture);
}

static void check_contains(const char *text, const char *expected)
{
    ck_assert_msg(strstr(text, expected) != NULL, "expected \"%s\" in:\n%s", expected, text);
}

/* Events of a scheduler run, one line each: "table status mode refresh". */
typedef struct event_log {
    char text[16384];
    size_t used;
    size_t count;
} event_log;

static void record_event(void *context, const floe_eng_scheduler_event *event)
{
    event_log *log = context;
    int written = snprintf(log->text + log->used, sizeof log->text - log->used,
                           "%s %s %s %lld%s%s\n", event->table, event->status, event->mode,
                           (long long)event->refresh_number, event->error != NULL ? " " : "",
                           event->error != NULL ? event->error : "");
    ck_assert(written > 0 && (size_t)written < sizeof log->text - log->used);
    log->used += (size_t)written;
    __atomic_add_fetch(&log->count, 1, __ATOMIC_SEQ_CST);
}

static floe_eng_scheduler_result run_once(event_log *log)
{
    memset(log, 0, sizeof *log);
    floe_eng_scheduler_options options = {.interval_ms = 1000, .once = true, .stop_fd = -1,
                                          .context = log, .on_refresh = record_event};
    floe_eng_scheduler_result result;
    floe_error err;
    ck_assert_msg(floe_eng_scheduler_run(db, &options, &result, &err) == FLOE_OK, "%s",
                  err.message);
    return result;
}

static int64_t refresh_number(const char *table)
{
    floe_eng_dynamic_set set;
    floe_error err;
    ck_assert_msg(floe_eng_dynamic_set_load(db, NULL, &set, &err) == FLOE_OK, "%s", err.message);
    long index = floe_eng_dynamic_set_find(&set, table);
    ck_assert_int_ge(index, 0);
    floe_eng_dynamic_lag lag;
    ck_assert_msg(floe_eng_dynamic_lag_read(db, &set.entries[index], 0, &lag, &err) == FLOE_OK,
                  "%s", err.message);
    floe_eng_dynamic_set_fini(&set);
    return lag.refresh_number;
}

static void create_warehouse(void)
{
    run_sql("CREATE TABLE src (k BIGINT, v BIGINT)");
    run_sql("INSERT INTO src VALUES (1, 10), (2, 20)");
    run_sql("CREATE DYNAMIC TABLE agg TARGET_LAG = '2 seconds' AS "
            "SELECT k, SUM(v) AS total FROM src GROUP BY k");
    run_sql("CREATE DYNAMIC TABLE mid TARGET_LAG = DOWNSTREAM AS SELECT k, v FROM src WHERE v > 0");
    run_sql("CREATE DYNAMIC TABLE top TARGET_LAG = '1 hour' AS SELECT COUNT(*) AS n FROM mid");
}

START_TEST(once_over_a_warehouse)
{
    create_warehouse();
    run_sql("CREATE TABLE nums (d BIGINT)");
    run_sql("INSERT INTO nums VALUES (1)");
    run_sql("CREATE DYNAMIC TABLE ratio AS SELECT 10 / d AS r FROM nums");
    run_sql("CREATE DYNAMIC TABLE idle AS SELECT k FROM src");
    run_sql("ALTER DYNAMIC TABLE idle SUSPEND");

    /* Nothing pending: nothing refreshed. */
    event_log log;
    floe_eng_scheduler_result result = run_once(&log);
    ck_assert_int_eq(result.passes, 1);
    ck_assert_int_eq(result.refreshes, 0);
    ck_assert_str_eq(log.text, "");

    run_sql("INSERT INTO src VALUES (3, 30)");
    run_sql("INSERT INTO nums VALUES (0)");
    result = run_once(&log);
    /* Sorted by name, upstream first: mid before top; the division by zero fails alone. */
    ck_assert_str_eq(log.text, "default.agg ok incremental 2\n"
                               "default.mid ok incremental 2\n"
                               "default.ratio error incremental 2 default.ratio: division by "
                               "zero\n"
                               "default.top ok incremental 2\n");
    ck_assert_int_eq(result.refreshes, 3);
    ck_assert_int_eq(result.failures, 1);
    ck_assert_int_eq(refresh_number("default.idle"), 1); /* suspended: left alone */

    /* The failure is counted; a second failing pass counts two in a row. */
    char *rows = status_csv("ratio");
    check_contains(rows, "state_bytes,last_error,last_error_time,failures\n");
    check_contains(rows, "division by zero");
    check_contains(rows, ",1\n");
    free(rows);
    result = run_once(&log);
    ck_assert_int_eq(result.failures, 1);
    ck_assert_int_eq(result.refreshes, 0);
    rows = status_csv("ratio");
    check_contains(rows, ",2\n");
    free(rows);

    /* A successful refresh clears the count. */
    run_sql("DELETE FROM nums WHERE d = 0");
    result = run_once(&log);
    ck_assert_msg(strncmp(log.text, "default.ratio ok ", 17) == 0 &&
                      strstr(log.text, " 2\n") != NULL && log.count == 1,
                  "%s", log.text);
    rows = status_csv("ratio");
    check_contains(rows, ",,,0\n");
    free(rows);

    /* History: newest first, from the summaries. */
    csv_capture capture;
    floe_eng_output output = csv_begin(&capture);
    floe_error err;
    ck_assert_msg(floe_eng_status_history(db, "top", 0, &output, &err) == FLOE_OK, "%s",
                  err.message);
    rows = csv_end(&capture);
    check_contains(rows, "refresh,time,mode,reason,rows_read,files_read,rows_written,"
                         "duration_ms,snapshot_id\n2,");
    check_contains(rows, ",incremental,source changes since the last refresh,1,1,1,");
    check_contains(rows, "\n1,");
    check_contains(rows, ",full,initial refresh,");
    free(rows);
    output = csv_begin(&capture);
    ck_assert_int_eq(floe_eng_status_history(db, "top", 1, &output, &err), FLOE_OK);
    rows = csv_end(&capture);
    ck_assert_ptr_null(strstr(rows, "initial refresh"));
    free(rows);
    output = csv_begin(&capture);
    ck_assert_int_eq(floe_eng_status_history(db, "src", 1, &output, &err), FLOE_ENOTFOUND);
    check_contains(err.message, "default.src is not a dynamic table");
    free(csv_end(&capture));
}
END_TEST

START_TEST(refresh_lock)
{
    create_warehouse();
    run_sql("INSERT INTO src VALUES (3, 30)");
    char lock_path[600];
    snprintf(lock_path, sizeof lock_path, "%s/default/agg/floe/refresh.lock", warehouse);
    /* Another refresher: its own open file description, as another process would have. */
    int other = open(lock_path, O_RDWR | O_CLOEXEC);
    ck_assert_int_ge(other, 0);
    ck_assert_int_eq(flock(other, LOCK_EX | LOCK_NB), 0);

    floe_eng_database *second = open_database();
    floe_eng_refresh_report report;
    floe_error err;
    ck_assert_int_eq(floe_eng_refresh_table_report(second, "agg", false, false, NULL, &report,
                                                   &err),
                     FLOE_OK);
    ck_assert(report.locked);
    ck_assert(!report.refreshed);
    event_log log;
    floe_eng_scheduler_result result = run_once(&log);
    check_contains(log.text, "default.agg skipped none 1\n");
    ck_assert_int_eq(result.skipped, 1);
    ck_assert_int_eq(result.failures, 0);
    ck_assert_int_eq(refresh_number("default.agg"), 1);

    /* Released: the refresh runs, once; the next finds it up to date. */
    close(other);
    ck_assert_int_eq(floe_eng_refresh_table_report(second, "agg", false, false, NULL, &report,
                                                   &err),
                     FLOE_OK);
    ck_assert(report.refreshed);
    ck_assert_int_eq(report.refresh_number, 2);
    ck_assert_str_eq(report.mode, "incremental");
    ck_assert_int_eq(report.rows_read, 1);
    ck_assert_int_eq(report.rows_written, 3);
    ck_assert_int_eq(floe_eng_refresh_table_report(db, "agg", false, false, NULL, &report, &err),
                     FLOE_OK);
    ck_assert(!report.refreshed && !report.locked);
    ck_assert_ptr_null(report.mode);

    /* A lock file removed under a holder (vacuum must keep it: dynamic_table.h): the next
     * refresher locks a new file instead of waiting forever on one nobody can reach. */
    other = open(lock_path, O_RDWR | O_CLOEXEC);
    ck_assert_int_ge(other, 0);
    ck_assert_int_eq(flock(other, LOCK_EX | LOCK_NB), 0);
    ck_assert_int_eq(unlink(lock_path), 0);
    run_sql("INSERT INTO src VALUES (4, 40)");
    ck_assert_int_eq(floe_eng_refresh_table_report(second, "agg", false, false, NULL, &report,
                                                   &err),
                     FLOE_OK);
    ck_assert(report.refreshed);
    close(other);
    floe_eng_database_close(second);
}
END_TEST

START_TEST(stop_descriptor)
{
    create_warehouse();
    int stop[2];
    ck_assert_int_eq(pipe2(stop, O_CLOEXEC), 0);
    ck_assert_int_eq(write(stop[1], "x", 1), 1);
    floe_eng_scheduler_options options = {.interval_ms = 60000, .stop_fd = stop[0]};
    floe_eng_scheduler_result result;
    floe_error err;
    ck_assert_int_eq(floe_eng_scheduler_run(db, &options, &result, &err), FLOE_OK);
    ck_assert_int_eq(result.passes, 0);
    options.interval_ms = 0;
    ck_assert_int_eq(floe_eng_scheduler_run(db, &options, &result, &err), FLOE_EINVAL);
    close(stop[0]);
    close(stop[1]);
}
END_TEST

/* ---- push ---------------------------------------------------------------------------------- */

typedef struct loop_thread {
    floe_eng_scheduler_options options;
    floe_eng_scheduler_result result;
    event_log log;
    int status;
} loop_thread;

static void *run_loop(void *argument)
{
    loop_thread *loop = argument;
    floe_error err;
    loop->status = floe_eng_scheduler_run(db, &loop->options, &loop->result, &err);
    return NULL;
}

static int64_t monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

START_TEST(push_wakes_the_loop)
{
    create_warehouse();
    int stop[2];
    ck_assert_int_eq(pipe2(stop, O_CLOEXEC), 0);
    loop_thread loop = {0};
    loop.options = (floe_eng_scheduler_options){.interval_ms = 60000, .stop_fd = stop[0],
                                                .context = &loop.log,
                                                .on_refresh = record_event};
    pthread_t thread;
    ck_assert_int_eq(pthread_create(&thread, NULL, run_loop, &loop), 0);
    usleep(300 * 1000); /* the first pass has armed the watches */
    floe_eng_database *writer = open_database();
    run_sql_on(writer, "INSERT INTO src VALUES (5, 50)");
    floe_eng_database_close(writer);
    int64_t deadline = monotonic_ms() + 2000;
    while (__atomic_load_n(&loop.log.count, __ATOMIC_SEQ_CST) == 0 && monotonic_ms() < deadline)
        usleep(20 * 1000);
    ck_assert_int_eq(write(stop[1], "x", 1), 1);
    ck_assert_int_eq(pthread_join(thread, NULL), 0);
    ck_assert_int_eq(loop.status, FLOE_OK);
    /* agg (2 seconds) was pushed; top (1 hour, through the DOWNSTREAM mid) waits. */
    check_contains(loop.log.text, "default.agg ok incremental 2\n");
    ck_assert_ptr_null(strstr(loop.log.text, "default.top"));
    ck_assert_int_eq(refresh_number("default.agg"), 2);
    close(stop[0]);
    close(stop[1]);
}
END_TEST

static Suite *scheduler_suite(void)
{
    Suite *suite = suite_create("scheduler");
    TCase *policy = tcase_create("policy");
    tcase_add_test(policy, policy_decisions);
    tcase_add_test(policy, backoff_and_target_lag);
    suite_add_tcase(suite, policy);
    TCase *lake = tcase_create("warehouse");
    tcase_add_checked_fixture(lake, setup, teardown);
    tcase_set_timeout(lake, 120);
    tcase_add_test(lake, once_over_a_warehouse);
    tcase_add_test(lake, refresh_lock);
    tcase_add_test(lake, stop_descriptor);
    tcase_add_test(lake, push_wakes_the_loop);
    suite_add_tcase(suite, lake);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(scheduler_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
