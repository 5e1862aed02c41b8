/*
 * dynamic_table_int.h — what engine/dynamic_table.c (statements, the set of dynamic tables and
 * their order) and engine/refresh.c (one refresh, the refresh run, status) share. Not part of
 * the module's contract: see dynamic_table.h.
 */
#ifndef FLOE_ENGINE_DYNAMIC_TABLE_INT_H
#define FLOE_ENGINE_DYNAMIC_TABLE_INT_H

#include "engine/dynamic_table.h"
#include "io/catalog_fs.h"    /* floe_io_string_list, FLOE_IO_CATALOG_MAX_IDENTIFIER */
#include "io/iceberg_table.h" /* floe_ice_table */
#include "sql/parser.h"       /* floe_sql_script */

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

/* Longest "ns.name". */
enum { FLOE_ENG_TABLE_NAME_SIZE = 2 * FLOE_IO_CATALOG_MAX_IDENTIFIER + 2 };

/* The property and column names of a dynamic table (dynamic_table.h). */
#define FLOE_ENG_PROPERTY_SQL "floe.sql"
#define FLOE_ENG_PROPERTY_REFRESH_MODE "floe.refresh-mode"
#define FLOE_ENG_PROPERTY_TARGET_LAG "floe.target-lag"
#define FLOE_ENG_PROPERTY_INITIALIZE "floe.initialize"
#define FLOE_ENG_PROPERTY_SUSPENDED "floe.suspended"
#define FLOE_ENG_REFRESH_COLUMN "_floe_refresh"

/* ---- names and output --------------------------------------------------------------------- */

/* "ns.name" for a name as a user wrote it ("t" is "default.t"), each part checked:
 * FLOE_ESYNTAX naming the bad part. */
int floe_eng_dynamic_qualify(const char *name, char buffer[FLOE_ENG_TABLE_NAME_SIZE],
                             floe_error *err);

void floe_eng_dynamic_message(const floe_eng_output *output, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
void floe_eng_dynamic_warning(const floe_eng_output *output, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Milliseconds since 1970 (CLOCK_REALTIME). */
int64_t floe_eng_dynamic_now_ms(void);

/* ---- the set of dynamic tables ------------------------------------------------------------ */

typedef struct floe_eng_dynamic_entry {
    char name[FLOE_ENG_TABLE_NAME_SIZE];  /* "ns.name" */
    char *directory;                      /* absolute */
    floe_ice_table *table;                /* opened at the version listed */
    const char *sql;                      /* floe.sql, in table->metadata */
    bool suspended;
    floe_io_string_list sources;          /* what floe.sql reads: "ns.name", or a real path */
} floe_eng_dynamic_entry;

typedef struct floe_eng_dynamic_set {
    floe_eng_dynamic_entry *entries;      /* sorted by name */
    size_t count;
} floe_eng_dynamic_set;

/* Every dynamic table of the warehouse (none when it does not exist yet). A table that
 * vanished while listing is left out; one whose metadata cannot be read is left out with a
 * warning through output (may be NULL). */
int floe_eng_dynamic_set_load(floe_eng_database *db, const floe_eng_output *output,
                              floe_eng_dynamic_set *set, floe_error *err);
/* Only the dynamic tables among `names` (as a user wrote them; ones that are not dynamic
 * tables are left out) and every dynamic table they read, directly or through others: what a
 * refresh of those tables needs, without opening the rest of the warehouse. Unreadable tables
 * on the way are left out with a warning, as in floe_eng_dynamic_set_load. */
int floe_eng_dynamic_set_load_upstream(floe_eng_database *db, const char *const *names,
                                       size_t count, const floe_eng_output *output,
                                       floe_eng_dynamic_set *set, floe_error *err);
void floe_eng_dynamic_set_fini(floe_eng_dynamic_set *set);

/* Index of the entry a source identity or "ns.name" names (a real path matches the entry's
 * directory), or -1. */
long floe_eng_dynamic_set_find(const floe_eng_dynamic_set *set, const char *identity);

/* The tables a CREATE DYNAMIC TABLE text reads (FROM names qualified, quoted paths resolved
 * with realpath when they exist), each once, sorted. */
int floe_eng_dynamic_sql_sources(const char *sql, floe_io_string_list *sources, floe_error *err);

/* Whether any source reaches `name` through the dynamic tables of `set` (their floe.sql
 * sources); then FLOE_ESYNTAX "... would make a cycle: name -> a -> ... -> name". The entry
 * of `name` itself, if any, is ignored (OR REPLACE gives it new sources). */
int floe_eng_dynamic_check_cycle(const floe_eng_dynamic_set *set, const char *name,
                                 const char *const *sources, size_t source_count,
                                 floe_error *err);

/* ---- one refresh (refresh.c) -------------------------------------------------------------- */

/* What the next refresh of a table would do, from its definition and its sources' snapshots
 * now (the query bound and planned; the sources' current snapshots found, not yet pinned). */
typedef struct floe_eng_refresh_plan {
    floe_arena arena;                     /* the bound statement */
    floe_sql_script *script;              /* floe.sql parsed */
    floe_sql_bound_statement bound;
    int64_t *current_ids;                 /* per bound source: current snapshot, -1 none */
    int64_t *consumed_ids;                /* per bound source: recorded by the last refresh,
                                             -2 when not recorded */
    int64_t previous_number;              /* newest floe.refresh-number in the ancestry, or 0 */
    bool last_is_refresh;                 /* the current snapshot is a refresh */
    bool up_to_date;                      /* last_is_refresh and every source unchanged */
    const char *mode;                     /* floe.refresh-mode */
    const char *reason;                   /* why a refresh now runs FULL */
} floe_eng_refresh_plan;

int floe_eng_refresh_prepare(floe_eng_database *db, const char *name, const floe_ice_table *table,
                             bool full, floe_eng_refresh_plan *plan, floe_error *err);
void floe_eng_refresh_plan_fini(floe_eng_refresh_plan *plan);

/* What one refresh did (floe_eng_refresh_table_report). */
typedef struct floe_eng_refresh_report {
    bool refreshed;                       /* a snapshot was committed */
    bool locked;                          /* another refresh held the table's lock: nothing done */
    int64_t refresh_number;               /* committed, else the table's current one */
    const char *mode;                     /* "incremental" | "full"; NULL when up to date */
    char reason[384];                     /* why FULL (refresh-incremental's fallback + context) */
    int64_t rows_read, files_read, bytes_read, rows_written, duration_ms;
} floe_eng_refresh_report;

/* Refreshes one dynamic table now, reading its upstreams as they are (no ordering), under the
 * table's refresh lock (flock on <table>/floe/refresh.lock, taken before the table's version is
 * read, released at return): with wait_for_lock false, a table another process is refreshing
 * is left alone (report->locked, FLOE_OK). Records a failure in its last-error file, clears it
 * after a success or an up-to-date check. */
int floe_eng_refresh_table_report(floe_eng_database *db, const char *name, bool full,
                                  bool wait_for_lock, const floe_eng_output *output,
                                  floe_eng_refresh_report *report, floe_error *err);

/* The same, waiting for the lock. *refreshed (may be NULL): 1 when a snapshot was committed,
 * 0 when up to date. */
int floe_eng_refresh_table(floe_eng_database *db, const char *name, bool full,
                           const floe_eng_output *output, int *refreshed, floe_error *err);

/* ---- failures and lag (refresh.c) --------------------------------------------------------- */

/* The table's last-error file (dynamic_table.h): count 0 and message NULL when there is none. */
typedef struct floe_eng_dynamic_failure {
    int64_t count;                        /* consecutive failed attempts */
    int64_t time_ms;                      /* of the last one */
    int64_t refresh_number;               /* the one attempted (0: an upstream failed) */
    char *message;                        /* floe_malloc'ed */
} floe_eng_dynamic_failure;

int floe_eng_dynamic_failure_read(const char *directory, floe_eng_dynamic_failure *failure,
                                  floe_error *err);
void floe_eng_dynamic_failure_fini(floe_eng_dynamic_failure *failure);

/* floe.target-lag in milliseconds: FLOE_ENG_TARGET_LAG_DOWNSTREAM, or -1 when unreadable
 * (absent is the default, one minute). */
enum { FLOE_ENG_TARGET_LAG_DOWNSTREAM = -2 };
int64_t floe_eng_dynamic_parse_target_lag(const char *text);

/* How far behind its sources a table is now (status and the scheduler). lag_ms is now minus
 * the commit time of the oldest source snapshot not consumed (dynamic_table.h, "Status"). */
typedef struct floe_eng_dynamic_lag {
    int64_t target_lag_ms;                /* or FLOE_ENG_TARGET_LAG_DOWNSTREAM */
    int64_t lag_ms;
    bool pending;                         /* a refresh has work: a source has an unconsumed
                                             snapshot or cannot be read, or the table's current
                                             snapshot is not a refresh (never refreshed,
                                             replaced, written outside a refresh) */
    bool refreshed;                       /* a refresh is recorded; then: */
    int64_t last_refresh_ms, last_duration_ms, refresh_number;
    int64_t failures, last_failure_ms;    /* from the last-error file (0 when none) */
} floe_eng_dynamic_lag;

int floe_eng_dynamic_lag_read(floe_eng_database *db, const floe_eng_dynamic_entry *entry,
                              int64_t now_ms, floe_eng_dynamic_lag *lag, floe_error *err);

/* ---- status rows (refresh.c) -------------------------------------------------------------- */

typedef struct floe_eng_dynamic_status {
    const char *target_lag, *refresh_mode, *initialize;  /* properties (in the entry's table) */
    bool refreshed;                       /* a refresh is recorded; the last_* fields are set */
    int64_t last_refresh_ms;
    const char *last_mode, *last_reason;
    int64_t rows_read, rows_written, duration_ms, refreshes, state_bytes;
    int64_t lag_seconds;
    floe_eng_dynamic_failure failure;     /* owned */
} floe_eng_dynamic_status;

int floe_eng_dynamic_status_read(floe_eng_database *db, const floe_eng_dynamic_entry *entry,
                                 int64_t now_ms, floe_eng_dynamic_status *status,
                                 floe_error *err);
void floe_eng_dynamic_status_fini(floe_eng_dynamic_status *status);

/* ---- rows to an output -------------------------------------------------------------------- */

/* Builds batches of a fixed schema row by row and hands them to output (begin at the first
 * call, a batch whenever one fills, end at finish). */
typedef struct floe_eng_row_writer {
    const floe_eng_output *output;
    floe_sql_schema schema;
    floe_batch batch;
    bool initialised, begun;
} floe_eng_row_writer;

int floe_eng_row_writer_init(floe_eng_row_writer *writer, const floe_eng_output *output,
                             floe_sql_column *columns, uint32_t column_count, floe_error *err);
/* Values of the current row (column by index); NULL text is a NULL value. */
int floe_eng_row_writer_text(floe_eng_row_writer *writer, uint32_t column, const char *text,
                             floe_error *err);
void floe_eng_row_writer_int64(floe_eng_row_writer *writer, uint32_t column, int64_t value);
void floe_eng_row_writer_bool(floe_eng_row_writer *writer, uint32_t column, bool value);
void floe_eng_row_writer_null(floe_eng_row_writer *writer, uint32_t column);
/* Ends the current row (flushing a full batch). */
int floe_eng_row_writer_next(floe_eng_row_writer *writer, floe_error *err);
/* begin (if no row came), the last batch, end. */
int floe_eng_row_writer_finish(floe_eng_row_writer *writer, floe_error *err);
void floe_eng_row_writer_fini(floe_eng_row_writer *writer);

#endif
