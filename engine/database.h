/*
 * database.h — Floe's SQL entry point: a warehouse, the binder's catalog over it, and the
 * execution of statement scripts (SELECT, CREATE/DROP TABLE, INSERT, DELETE, EXPLAIN; the
 * dynamic-table statements go to engine/dynamic_table.h).
 *
 * A floe_eng_database is a warehouse directory plus run settings (threads, memory limit). It
 * holds no open tables and no cache: every statement opens what it reads at its current
 * version, so several processes can share a lake (each commit is optimistic, io/catalog_fs.h).
 *
 * Names. An unqualified table name t means default.t (CREATE, INSERT, DELETE, DROP, FROM).
 * `ns.name` is <warehouse>/ns/name (io/catalog_fs.h's layout); a quoted '/path' in FROM is an
 * Iceberg table directory; read_parquet('file') a Parquet file. The catalog gives the binder
 * the table's CURRENT schema with Iceberg field ids; columns Floe cannot read (nested, v3
 * types) are left out of it, so the rest of such a table can still be queried (the table
 * writer refuses to write to such a table). Identities: "ns.name" for named tables, the
 * absolute real path for paths and Parquet files.
 *
 * Statements (floe_eng_database_execute), each its own commit, in order; the first error stops
 * the script and statements before it stay done:
 *   SELECT             rows to output->begin_rows / rows / end_rows
 *   EXPLAIN SELECT     the optimized plan (floe_sql_plan_format) as rows of one column "plan"
 *   CREATE TABLE       floe_ice_commit_create_table: version 1, no snapshot, field ids 1..n,
 *                      NOT NULL columns required. Message "CREATE TABLE". An existing table is
 *                      FLOE_ECONFLICT, or with IF NOT EXISTS a notice message and no change.
 *   DROP TABLE         refuses a dynamic table (property floe.sql): "use DROP DYNAMIC TABLE".
 *                      The table directory is first renamed to <ns>/.dropped-<name>-<uuid>
 *                      (atomic: the table is gone from that instant, for every reader), then
 *                      removed. Missing: FLOE_ENOTFOUND, or with IF EXISTS a notice.
 *   INSERT             the bound rows (VALUES or SELECT, cast by the binder to the table's
 *                      types, NULL for unlisted columns) through the table writer, ONE `append`
 *                      snapshot; "INSERT n". Zero rows commit nothing. A run-time error
 *                      (division by zero, a NOT NULL column given NULL) leaves the table as it
 *                      was: the files written so far are removed.
 *   DELETE             copy-on-write (statement_dml.c): data files holding matching rows are
 *                      replaced by new files holding their surviving rows, all in ONE snapshot
 *                      (`overwrite`, or `delete` when nothing survives — Iceberg's own naming);
 *                      files without matches are untouched; no match, no snapshot; "DELETE n".
 *                      Rows are read with position and equality deletes applied, so the new
 *                      files hold exactly the live survivors, and delete files that applied only
 *                      to replaced files are removed in the same snapshot (a position delete
 *                      file without equal file_path bounds applies to every older file of its
 *                      partition, so it stays until they are all gone). The first pass prunes
 *                      files and row groups with the `column op constant` conjuncts of WHERE.
 *                      SQL's rule: a row whose WHERE is NULL is kept.
 *   dynamic kinds      floe_eng_dynamic_execute (CREATE/DROP/ALTER/SHOW/EXPLAIN DYNAMIC TABLE).
 * INSERT and DELETE refuse dynamic tables: their rows belong to their query.
 *
 * Errors: one line. SQL errors carry "line L, column C: " from the parser or binder (and this
 * module for what it finds itself: an existing or missing table). Run-time errors (division
 * by zero, overflow, memory limit) name what failed. Codes: FLOE_ESYNTAX, FLOE_ENOTFOUND,
 * FLOE_ETYPE, FLOE_EUNSUPPORTED, FLOE_ERANGE, FLOE_ECONFLICT (table exists, lost commit race),
 * FLOE_ENOMEM, FLOE_ECORRUPT, -errno.
 *
 * Defaults (floe_eng_database_open): thread_count 0 takes $FLOE_THREADS, else min(2, online
 * CPUs); memory_limit 0 takes $FLOE_MEMORY_LIMIT ("4G", "512M", "1073741824"), else 75% of the
 * physical memory. A malformed environment value is FLOE_ESYNTAX naming the variable (a typo
 * should not silently run with another limit).
 *
 * Memory: the database owns a copy of the warehouse path; output callbacks see batches and
 * schemas only during the call.
 */
#ifndef FLOE_ENGINE_DATABASE_H
#define FLOE_ENGINE_DATABASE_H

#include "engine/operator.h" /* floe_eng_context */
#include "sql/binder.h"      /* floe_sql_catalog, floe_sql_bound_statement */
#include "sql/plan.h"        /* floe_sql_schema */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct floe_eng_options {
    const char *warehouse;   /* directory; created on first write if missing */
    uint32_t thread_count;   /* 0: min(2, online CPUs) or $FLOE_THREADS */
    size_t memory_limit;     /* bytes; 0: $FLOE_MEMORY_LIMIT (e.g. "4G") else 75% of physical RAM */
    bool verbose;
} floe_eng_options;

typedef struct floe_eng_database floe_eng_database; /* opaque */

int  floe_eng_database_open(floe_eng_database **out, const floe_eng_options *options, floe_error *err);
void floe_eng_database_close(floe_eng_database *db);
const char *floe_eng_database_warehouse(const floe_eng_database *db); /* absolute path */
bool floe_eng_database_verbose(const floe_eng_database *db);

/* A context for one query: warehouse, threads and memory limit from the options. fini it after. */
void floe_eng_database_context_init(floe_eng_database *db, floe_eng_context *context);

/* The binder's catalog over the warehouse: resolve_name opens <warehouse>/ns/name (an
 * unqualified name means namespace "default": table t is default.t), resolve_path opens an Iceberg table directory, resolve_parquet reads a
 * Parquet file's schema. Columns come from the table's CURRENT schema with field ids. */
void floe_eng_database_catalog(floe_eng_database *db, floe_sql_catalog *catalog);

/* Where statement results go. Any callback may be NULL (ignored). */
typedef struct floe_eng_output {
    void *context;
    int  (*begin_rows)(void *context, const floe_sql_schema *schema, floe_error *err);
    int  (*rows)(void *context, const floe_batch *batch, floe_error *err); /* live rows = selection */
    int  (*end_rows)(void *context, floe_error *err);
    void (*message)(void *context, const char *line); /* "CREATE TABLE", "INSERT 5", notices */
    void (*warning)(void *context, const char *line); /* e.g. a refresh falling back to full */
} floe_eng_output;

/* Parse, bind+plan and run each statement of a script in order; stop at the first error
 * (statements before it stay done: each statement is its own commit). err names line/column. */
int floe_eng_database_execute(floe_eng_database *db, const char *script, size_t length,
                              const floe_eng_output *output, floe_error *err);

/* Runs a planned query into output (compile, pull, begin/rows/end). Context is the caller's
 * (pinned snapshots and read counters stay in it for the caller to inspect). */
int floe_eng_run_plan(floe_eng_database *db, const floe_sql_plan *plan, floe_eng_context *context,
                      const floe_eng_output *output, floe_error *err);

/* ---- helpers shared with the CLI and the statement files ---------------------------------- */

/* A memory size: digits with an optional K, M, G or T suffix (powers of 1024; a trailing "B"
 * or "iB" is allowed, case-insensitive): "4G", "512MiB", "1073741824". Zero and values that
 * overflow size_t are FLOE_ESYNTAX naming the text. */
int floe_eng_parse_memory_size(const char *text, size_t *bytes, floe_error *err);

/* The absolute table directory of a table name as SQL wrote it (namespace NULL: "default"),
 * with each part checked (io/catalog_fs.h): FLOE_ESYNTAX for a name that cannot be a table. */
int floe_eng_database_table_directory(const floe_eng_database *db, const char *namespace_name,
                                      const char *name, char *buffer, size_t capacity,
                                      floe_error *err);

/* INSERT and DELETE (engine/statement_dml.c), for a statement bound with the catalog above. */
int floe_eng_execute_insert(floe_eng_database *db, const floe_sql_bound_statement *bound,
                            const floe_eng_output *output, floe_error *err);
int floe_eng_execute_delete(floe_eng_database *db, const floe_sql_bound_statement *bound,
                            const floe_eng_output *output, floe_error *err);

#endif
