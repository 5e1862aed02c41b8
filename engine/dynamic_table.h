/*
 * dynamic_table.h — dynamic tables: their statements (CREATE [OR REPLACE] / DROP / ALTER / SHOW /
 * EXPLAIN DYNAMIC TABLE), their refresh in dependency order, and their status (DESIGN.md, "The
 * lake", "Lineage", "SQL").
 *
 * A dynamic table is an ordinary Iceberg table of the warehouse whose properties hold its
 * definition; the set of dynamic tables is the set of tables with `floe.sql` (there is no side
 * database):
 *   floe.sql            the canonical CREATE DYNAMIC TABLE text (floe_sql_format_statement,
 *                       without OR REPLACE)
 *   floe.refresh-mode   AUTO | FULL | INCREMENTAL, as requested (default AUTO)
 *   floe.target-lag     "<n> seconds|minutes|hours|days" in the largest whole unit, or DOWNSTREAM
 *                       (default "1 minute": a table nobody asked to lag should still be kept
 *                       fresh by the scheduler)
 *   floe.initialize     ON_CREATE | ON_SCHEDULE (default ON_CREATE: refreshed at once)
 *   floe.suspended      "true" while suspended (absent otherwise)
 * Its schema is the query's columns (all optional, field ids 1..n) followed by `_floe_refresh`
 * BIGINT NOT NULL, the lineage column: the number of the refresh that wrote the row.
 *
 * Refresh. An AUTO or INCREMENTAL table whose plan is a PROJECT/FILTER chain over one GROUP BY
 * of linear inputs is refreshed incrementally from bucketed keyed state
 * (engine/refresh_incremental.h); every other table, and every table whose state cannot be used
 * (the reason is recorded), runs the FULL refresh below. A full refresh:
 *   1. binds floe.sql against the warehouse's current schemas (the output columns must still be
 *      the table's: a source whose schema changed incompatibly fails the refresh, FLOE_ETYPE,
 *      "CREATE OR REPLACE the dynamic table");
 *   2. pins each source's current snapshot in the query context, so what it reads is what the
 *      summary records; when the table's current snapshot is a refresh and every source is
 *      still at the snapshot it recorded, nothing runs: "up to date" (unless `full`);
 *   3. runs the plan, appends `_floe_refresh` = previous refresh number + 1 (the newest
 *      floe.refresh-number among the table's snapshot ancestry, 0 when none) to every row,
 *      writes new data files, and commits ONE `overwrite` snapshot that removes every data and
 *      delete file the table had, with the summary
 *        floe.refresh-number, floe.refresh-mode (full), floe.refresh-reason,
 *        floe.source.<identity>.snapshot-id (per source; -1: it had no snapshot),
 *        floe.rows-read, floe.files-read, floe.bytes-read, floe.rows-written,
 *        floe.duration-ms, floe.refreshed-at (ms since 1970)
 *      Even an empty result commits its snapshot: the refresh and what it consumed are recorded.
 * Crash safety is that single commit: before it nothing is visible, and a failed refresh
 * deletes the files it wrote (the table writer's contract). The reason recorded, first that
 * applies: "full refresh requested" (`full`), "REFRESH_MODE = FULL", "initial refresh" (none
 * recorded yet), "definition replaced" (OR REPLACE since the last one), "the table was written
 * outside a refresh", else "incremental maintenance of <construct> is not built yet".
 *
 * Failed refreshes are recorded in <table>/floe/last-error, a small text file (written to a
 * temporary name and renamed; removed by the next successful or up-to-date refresh):
 *   line 1: "<ms since 1970> <refresh number attempted> <consecutive failures>" (number 0: not
 *   attempted, an upstream failed; a file without the count is one failure), line 2: the
 *   error message.
 * A file rather than a property: recording a failure must not publish table versions (a table
 * failing every minute would grow its metadata log forever) nor race the table's own commits.
 * The scheduler paces its retries from it (engine/scheduler.h), so a restarted scheduler, or a
 * second one, keeps the backoff.
 *
 * Refresh lock. Every refresh of a table (by hand, by a statement, by the scheduler) holds
 * flock(LOCK_EX) on <table>/floe/refresh.lock from before it reads the table's version until
 * after its commit: two refreshers of one table take turns, and the second then finds the
 * first's commit ("up to date") instead of computing the same refresh and losing the commit
 * race. `refresh` waits for the lock; the scheduler skips a locked table for that tick. The
 * lock dies with its process (kill -9 leaves nothing to clean). Both files must survive vacuum.
 *
 * Order. A dynamic table depends on the dynamic tables its floe.sql reads (FROM names; a
 * quoted path that is a warehouse table counts too). floe_eng_refresh refreshes upstream
 * tables first (depth-first, names in sorted order among equals); every dynamic table with
 * count == 0 (`refresh --all`), where suspended tables are skipped ("suspended, skipped"), or
 * the named ones plus their dynamic upstreams (a named table is refreshed even if suspended; a
 * suspended upstream that was not named is skipped). A table whose upstream failed in the same
 * run is not refreshed (its error says which). A failing table does not stop the others; at
 * the end the call fails: with that table's own error when it was the only failure, else with
 * "N of M dynamic tables failed to refresh: a, b" after one warning line per failure.
 * Messages, one per table:
 *   "ns.t: refresh 4, full (reason): 1200 rows read from 3 files, 40 rows written, 12 ms"
 *   "ns.t: up to date (refresh 4)"          "ns.t: suspended, skipped"
 * Cycles are refused at CREATE [OR REPLACE] (FLOE_ESYNTAX "... would make a cycle: a -> b -> a",
 * each reading the next); one found at refresh time (two racing creators) fails those tables.
 *
 * Statements (floe_eng_dynamic_execute; bound with floe_sql_plan_statement):
 *   CREATE             refuses an existing table unless OR REPLACE; OR REPLACE refuses an
 *                      ordinary table (FLOE_ECONFLICT) and replaces a dynamic one in ONE commit
 *                      (new schema with fresh field ids, new properties, every file removed;
 *                      history stays), then refreshes. REFRESH_MODE = INCREMENTAL on a query the
 *                      incrementalizer cannot maintain is FLOE_EUNSUPPORTED naming the
 *                      construct; AUTO/INCREMENTAL warn when the shape still refreshes FULL.
 *                      A new table whose initial refresh fails is removed again (CREATE did not
 *                      happen); a replaced one keeps its new definition, empty, with the error in
 *                      last-error. Messages: the refresh line, then "CREATE DYNAMIC TABLE".
 *   DROP [IF EXISTS]   refuses an ordinary table ("use DROP TABLE"); the directory is renamed
 *                      to <ns>/.dropped-<name>-<uuid> (atomic; a dot name is no table) and then
 *                      removed. Dynamic tables that read it get a warning (their refreshes will
 *                      fail until it is back). "DROP DYNAMIC TABLE".
 *   ALTER ... REFRESH  floe_eng_refresh of that table (not forced full); SUSPEND / RESUME set /
 *                      remove floe.suspended in a properties-only commit (no snapshot).
 *   SHOW DYNAMIC TABLES  rows: name, target_lag, refresh_mode, initialize, suspended, sources,
 *                      last_refresh_time, last_mode, last_reason, rows_written, refreshes,
 *                      definition.
 *   EXPLAIN DYNAMIC TABLE name / EXPLAIN CREATE DYNAMIC TABLE ...: rows of one column "plan"
 *                      (as EXPLAIN SELECT): the definition, the optimized plan
 *                      (floe_sql_plan_format), whether the incrementalizer could maintain it,
 *                      each source with its current snapshot (and the one last consumed)
 *                      followed by what the next refresh reads of it, then the verdict:
 *                      "next refresh: INCREMENTAL (reason), unless it must fall back",
 *                      "next refresh: FULL (reason)[, building the state; then INCREMENTAL]"
 *                      or "next refresh: none, up to date (refresh N; ...)" (EXPLAIN CREATE:
 *                      "first refresh: ..."). The read estimate is planned from manifests
 *                      (no data file opened), per source:
 *                        "    next refresh reads: A data files added (R rows, B bytes),
 *                         D removed (R rows, B bytes), P position delete files and E equality
 *                         delete files added" for an incremental refresh: the data files live
 *                         only at the current snapshot / only at the consumed one and the
 *                         delete files new since, compared by stored path as the change
 *                         reader compares them (rows are record counts, before deletes);
 *                        "... reads: nothing (no new snapshot)" / "nothing (only replace
 *                         snapshots since S: the same rows)" when the change reader reads
 *                         nothing;
 *                        "... reads: all N data files (R rows, B bytes), D delete files" of
 *                         the current snapshot for a full refresh (also when the consumed
 *                         snapshot is no longer in the history, which the line says, or was
 *                         not recorded); none when up to date. EXPLAIN CREATE says the same
 *                         as "    a first refresh would read: all ...".
 *
 * Status (floe_eng_status, `floe-engine status`). lag_seconds is now minus the commit time of
 * the OLDEST source snapshot the table has not consumed (0 when up to date): the table's rows
 * are exact up to the moment that snapshot landed and stale since, so that is the staleness a
 * target lag bounds (the newest unconsumed snapshot would understate it). A table never
 * refreshed counts from the oldest snapshot of each source's current history. rows_read,
 * rows_written, duration_ms and the last_* columns describe the newest refresh (NULL before
 * the first); refreshes is its refresh number; state_bytes is the size of the keyed state the
 * newest refresh's state manifest names (0 for tables refreshed FULL); last_error,
 * last_error_time and failures come from the last-error file: its message and time (NULL when
 * none) and how many attempts in a row failed (0 when the last one succeeded).
 *
 * History (floe_eng_status_history, `status TABLE --history`): one row per refresh along the
 * table's current snapshot ancestry, newest first, from the snapshot summaries: refresh, time
 * (floe.refreshed-at), mode, reason, rows_read, files_read, rows_written, duration_ms (NULL
 * where a summary lacks the key), snapshot_id. limit 0: every refresh.
 *
 * Names are "ns.name"; a name without '.' means "default.name". Errors: FLOE_ENOTFOUND (no
 * such table, or not a dynamic one for refresh/status: "default.x is not a dynamic table"),
 * FLOE_ECONFLICT (exists; lost a commit race), FLOE_ESYNTAX (cycle, bad name), FLOE_ETYPE
 * (the query's columns changed), FLOE_EUNSUPPORTED, FLOE_ENOMEM, -errno, and those of running
 * the query; one line naming the table.
 */
#ifndef FLOE_ENGINE_DYNAMIC_TABLE_H
#define FLOE_ENGINE_DYNAMIC_TABLE_H

#include "engine/database.h" /* floe_eng_database, floe_eng_output */

#include <stdbool.h>
#include <stddef.h>

/* Executes CREATE [OR REPLACE] DYNAMIC TABLE, DROP DYNAMIC TABLE, ALTER DYNAMIC TABLE
 * ... REFRESH|SUSPEND|RESUME, SHOW DYNAMIC TABLES, EXPLAIN DYNAMIC TABLE name and
 * EXPLAIN CREATE DYNAMIC TABLE. database.c's floe_eng_database_execute calls this for those
 * statement kinds (bound with floe_sql_plan_statement). */
int floe_eng_dynamic_execute(floe_eng_database *db, const floe_sql_bound_statement *bound,
                             const floe_eng_output *output, floe_error *err);

/* Refreshes the named dynamic tables ("ns.name"), or every dynamic table when count == 0, in
 * dependency order (upstream first; a named table's dynamic upstreams are refreshed first too).
 * full: force REFRESH_MODE FULL. One message line per refresh. */
int floe_eng_refresh(floe_eng_database *db, const char *const *names, size_t count, bool full,
                     const floe_eng_output *output, floe_error *err);

/* Status of one dynamic table (name) or all (NULL), as rows through output (begin/rows/end):
 * name, target_lag, refresh_mode, suspended, lag_seconds, last_refresh_time, last_mode,
 * last_reason, rows_read, rows_written, duration_ms, refreshes, state_bytes, last_error,
 * last_error_time, failures. */
int floe_eng_status(floe_eng_database *db, const char *name, const floe_eng_output *output,
                    floe_error *err);

/* The refresh history of one dynamic table as rows (see "History" above); limit 0: all. */
int floe_eng_status_history(floe_eng_database *db, const char *name, size_t limit,
                            const floe_eng_output *output, floe_error *err);

#endif
