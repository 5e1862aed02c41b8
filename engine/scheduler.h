/*
 * scheduler.h — keeps the dynamic tables of a warehouse within their target lag: the loop
 * behind `floe-engine run` (DESIGN.md, "The CLI contract"; issue #8).
 *
 * A pass. Every pass loads the set of dynamic tables afresh (the lake describes itself: a table
 * created, dropped, suspended or altered by another process is seen at the next pass), reads
 * each one's lag (floe_eng_dynamic_lag_read: target lag, current lag, whether a refresh has
 * work, the last refresh's duration, the failures recorded), decides which are due, and
 * refreshes those, each with its pending dynamic upstreams first, one at a time.
 *
 * Policy (floe_eng_scheduler_decide), first that applies:
 *   - SUSPENDED tables are skipped;
 *   - a table with nothing pending waits (a refresh would only say "up to date");
 *   - a table whose last attempts failed waits for its backoff: 1 s after one failure, then
 *     2 s, 4 s, ... capped at 5 minutes, counted from the last failure's time. The count and
 *     time live in the table's last-error file, so a restarted (or a second) scheduler keeps
 *     the pace, and a failing table never stops the others;
 *   - with --once every pending table is due (the user asked for one pass now);
 *   - a DOWNSTREAM table is not due on its own: it is refreshed when a table that reads it is
 *     (Snowflake's meaning; with no reader it is refreshed only by hand);
 *   - woken by a push event, a pending table whose target lag is under a minute is due at
 *     once: such a table is close to continuous anyway, and waiting would spend its budget
 *     for nothing. The event names a folder, not a table, so every pending table counts as
 *     pushed: pending already says exactly which tables the new snapshots concern;
 *   - otherwise a pending table is due when lag + its last refresh's duration + the interval
 *     reaches half its target lag: if it waited one more interval, the refresh would end past
 *     half the target. Half, not all, leaves room for a slower refresh than the last one and
 *     for the other tables refreshed before it in the same pass; longer targets thus batch
 *     more source commits into one refresh, which is the point of a target lag.
 * A due table's dynamic upstreams that are pending (whatever their own target lag, unless
 * suspended or backing off) are refreshed before it, in dependency order, so it reads fresh
 * inputs; a table whose upstream failed in this pass is skipped ("skipped", its upstream
 * named) and tried again at a later pass.
 *
 * Waking. Between passes the loop waits in poll() on: the caller's stop descriptor, and an
 * inotify descriptor watching (IN_MOVED_TO | IN_CREATE | IN_CLOSE_WRITE) the metadata/
 * folder of every source of every dynamic table (a commit links vN.metadata.json and renames
 * version-hint.text into place; names starting with '.' are the commit's temporaries and are
 * ignored). The timeout is the interval, or less when a backing-off table may retry sooner.
 * The watches are re-armed (a new inotify instance) whenever the set of source folders
 * changes. If inotify cannot be used the scheduler says so once (notice "watch") and polls;
 * with options.polling_only it only polls (what `run --no-watch` and the freshness benchmark's
 * polling figure use).
 *
 * Stopping. The caller makes stop_fd readable (run.c: a self-pipe written by its SIGINT /
 * SIGTERM handler; the scheduler never installs signal handlers: it is a library). The
 * descriptor is checked between refreshes, never during one: a refresh in flight runs to its
 * end (its commit is atomic anyway), so a stop never leaves half a commit. The scheduler
 * never reads from stop_fd.
 *
 * Two schedulers on one warehouse: refreshes take the table's refresh lock without waiting
 * (floe_eng_refresh_table_report, dynamic_table.h "Refresh lock"); a table locked by another
 * refresher is reported "skipped" for this pass and found up to date, or still pending, at
 * the next. Each refresh is thus committed once, and refresh numbers stay consecutive.
 *
 * Reporting. One event per refresh attempt through on_refresh (status "ok", "error" with the
 * message and the backoff before the next attempt, or "skipped" with why; an up-to-date check
 * is "ok" with mode "none"); notices through on_notice: "start", "stop", "watch" (inotify
 * unavailable), "warning" (a table's warning, e.g. a refresh falling back to FULL, or a table
 * left out of the set). The library prints nothing.
 *
 * Errors: the run fails only for what stops the loop itself: FLOE_EINVAL (bad options),
 * FLOE_ENOMEM, -errno from poll. A table's failure is an event, never the run's error.
 * --once: result->failures says whether any refresh failed.
 */
#ifndef FLOE_ENGINE_SCHEDULER_H
#define FLOE_ENGINE_SCHEDULER_H

#include "engine/dynamic_table_int.h" /* floe_eng_dynamic_lag */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    FLOE_ENG_SCHEDULER_DEFAULT_INTERVAL_MS = 5000,
    FLOE_ENG_SCHEDULER_BACKOFF_FIRST_MS = 1000,
    FLOE_ENG_SCHEDULER_BACKOFF_MAX_MS = 300000,
    FLOE_ENG_SCHEDULER_PUSH_TARGET_MS = 60000, /* push makes tables under this due at once */
};

typedef enum floe_eng_schedule_decision {
    FLOE_ENG_SCHEDULE_WAIT,        /* pending, not due yet */
    FLOE_ENG_SCHEDULE_DUE,
    FLOE_ENG_SCHEDULE_UP_TO_DATE,  /* nothing pending */
    FLOE_ENG_SCHEDULE_SUSPENDED,
    FLOE_ENG_SCHEDULE_BACKING_OFF, /* failed lately; *retry_at_ms says when it may run */
    FLOE_ENG_SCHEDULE_DOWNSTREAM,  /* pending, refreshed only with a table that reads it */
} floe_eng_schedule_decision;

/* The delay before the next attempt after `failures` consecutive failures (0 for none). */
int64_t floe_eng_scheduler_backoff_ms(int64_t failures);

/* The policy above, for one table. retry_at_ms (may be NULL) receives, for BACKING_OFF, the
 * time the next attempt may run. */
floe_eng_schedule_decision floe_eng_scheduler_decide(const floe_eng_dynamic_lag *lag,
                                                     bool suspended, int64_t now_ms,
                                                     int64_t interval_ms, bool pushed, bool once,
                                                     int64_t *retry_at_ms);

/* One refresh attempt, as on_refresh receives it (strings valid during the call). */
typedef struct floe_eng_scheduler_event {
    int64_t time_ms;                 /* when the attempt ended (ms since 1970) */
    const char *table;               /* "ns.name" */
    const char *mode;                /* "incremental" | "full" | "none" */
    const char *reason;              /* why that mode, why skipped, "up to date" */
    int64_t refresh_number;          /* committed (ok), attempted (error), current otherwise */
    int64_t rows_read, files_read, rows_written, duration_ms;
    int64_t lag_ms;                  /* the table's lag when the pass read it */
    const char *status;              /* "ok" | "error" | "skipped" */
    const char *error;               /* status "error": the message; else NULL */
    int64_t retry_in_ms;             /* status "error": the backoff before the next attempt */
} floe_eng_scheduler_event;

typedef struct floe_eng_scheduler_options {
    int64_t interval_ms;             /* > 0 */
    bool once;                       /* one pass over every pending table, then return */
    bool polling_only;               /* no inotify: wake only every interval */
    int stop_fd;                     /* readable: stop at the next boundary; -1: none */
    void *context;
    void (*on_refresh)(void *context, const floe_eng_scheduler_event *event); /* may be NULL */
    void (*on_notice)(void *context, const char *event, const char *message); /* may be NULL */
} floe_eng_scheduler_options;

typedef struct floe_eng_scheduler_result {
    size_t passes, refreshes, failures, skipped;
} floe_eng_scheduler_result;

/* Runs passes until stop_fd is readable (or one pass with once). result may be NULL. */
int floe_eng_scheduler_run(floe_eng_database *db, const floe_eng_scheduler_options *options,
                           floe_eng_scheduler_result *result, floe_error *err);

#endif
