/*
 * refresh_incremental_int.h — what the two incremental refresh paths share: the prepared
 * refresh (struct floe_eng_incremental) that floe_eng_incremental_commit publishes, and small
 * helpers. engine/refresh_incremental.c keeps aggregating tables (bucketed state, merged
 * output); engine/refresh_rows.c keeps non-aggregating ones (appended files, position
 * deletes). Not part of the module's contract: see refresh_incremental.h.
 */
#ifndef FLOE_ENGINE_REFRESH_INCREMENTAL_INT_H
#define FLOE_ENGINE_REFRESH_INCREMENTAL_INT_H

#include "engine/refresh_incremental.h"
#include "engine/state_store.h"  /* floe_eng_state_manifest */
#include "engine/table_writer.h" /* floe_eng_data_file_entry */
#include "io/parquet_writer.h"   /* floe_pq_writer, the changelog */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One new file the commit adds (data or position deletes) and its manifest entry. */
typedef struct floe_eng_incremental_output {
    char *path;
    floe_eng_data_file_entry entry; /* engine/table_writer.h */
} floe_eng_incremental_output;

struct floe_eng_incremental {
    char *directory;
    int32_t schema_id;
    floe_eng_state_manifest manifest;  /* the new one */
    char *manifest_path;
    char *changelog_path;              /* the changelog this refresh wrote, or NULL */
    char **state_paths;                /* state files written by this refresh */
    size_t state_count, state_capacity;
    floe_eng_incremental_output *outputs; /* files the commit adds */
    size_t output_count, output_capacity;
    char **removed;                    /* files the commit removes (copies) */
    size_t removed_count, removed_capacity;
    floe_eng_incremental_counts counts;
    bool committed;
};

/* A position delete file's two columns (Iceberg spec, "Position Delete Files"): file_path
 * STRING and pos INT64, required, with the spec's reserved field ids. */
void floe_eng_incremental_delete_columns(floe_pq_write_column columns[2]);

/* A floe_malloc'd copy, or NULL. */
char *floe_eng_incremental_copy_text(const char *text);

/* Appends a copy of `path` to a growing array. FLOE_ENOMEM. */
int floe_eng_incremental_add_path(char ***paths, size_t *count, size_t *capacity,
                                  const char *path, floe_error *err);

/* Why the refresh must rebuild, truncated to FLOE_ENG_FALLBACK_SIZE. */
void floe_eng_incremental_fallback(char *fallback, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Whether `snapshot_id` is the current snapshot of `identity` or one of its ancestors (-1, the
 * empty table, always is). */
int floe_eng_incremental_in_history(floe_eng_database *db, const char *identity,
                                    int64_t snapshot_id, bool *found, floe_error *err);

/* Frees the file's strings; `remove`: deletes the file too. */
void floe_eng_incremental_output_file_fini(floe_eng_incremental_output *file, bool remove);

/* This refresh's changelog (refresh_incremental.h, "Changelog"): creates
 * <table>/floe/changelog/changes-<uuid>.parquet with `columns` (the table's columns without
 * _floe_refresh) and then the weight column, and records it in inc->changelog_path (deleted
 * unless committed); `folder` (folder_size bytes) receives its folder. Rows are written with
 * floe_pq_writer_write_batch, the weight as the last column. _finish closes the file, starts its
 * writeback, syncs its folder and records its row count; the caller frees the writer.
 *
 * Durability: the files of a refresh (state, output, delete and changelog files named in this
 * struct) are written without waiting for the device (floe_io_start_writeback), and
 * floe_eng_incremental_commit fsyncs every one of them before it commits. */
int floe_eng_incremental_changelog_create(floe_eng_incremental *inc,
                                          const floe_pq_write_column *columns,
                                          uint32_t column_count, floe_pq_writer **writer,
                                          char *folder, size_t folder_size, floe_error *err);
int floe_eng_incremental_changelog_finish(floe_eng_incremental *inc, floe_pq_writer *writer,
                                          const char *folder, int64_t rows, floe_error *err);

/* The Parquet options of output files, which other engines read: ZSTD at level 1, no
 * dictionary. Both kinds of table write their output with them. */
void floe_eng_incremental_output_options(floe_pq_write_options *options);

/* Draining a delta on the context's threads (one delta partition each, engine/delta_plan.h)
 * pays once the change holds more rows than this; below it, the partitions' compiles (each
 * plans the change) and merges cost more than they save. */
enum { FLOE_ENG_PARALLEL_DRAIN_ROWS = 100000 };

/* The rows the sources' snapshots after their consumed ones added or deleted, by their
 * summaries (added-records, deleted-records; a snapshot without them counts none). Errors of
 * floe_ice_table_open. */
int floe_eng_incremental_change_rows(floe_eng_database *db,
                                     const floe_eng_delta_source *sources, uint32_t source_count,
                                     int64_t *rows, floe_error *err);

/* How many partitions to drain the change of `plan` in: 1 on one thread or for a change of at
 * most FLOE_ENG_PARALLEL_DRAIN_ROWS rows; else thread_count, except that every partition reads
 * a join's build (right) input whole, so a plan with joins stays on one thread unless its
 * change has more rows than the sources under the joins' right inputs hold (their
 * total-records at the snapshots read): below that, a second partition doubles the build
 * side's memory and work to halve a smaller probe. Errors of floe_ice_table_open. */
int floe_eng_incremental_drain_partitions(floe_eng_database *db, const floe_sql_plan *plan,
                                          const floe_eng_delta_source *sources,
                                          uint32_t source_count, uint32_t thread_count,
                                          uint32_t *partitions, floe_error *err);

/* ---- non-aggregating tables (engine/refresh_rows.c) ---- */

/* The name of the state set a non-aggregating table keeps (its output files and lineage). */
#define FLOE_ENG_STATE_SET_ROWS "rows"

/* Whether `plan` is a non-aggregating table this path maintains; else *construct names why. */
bool floe_eng_incremental_rows_shape(const floe_sql_plan *plan, const char **construct);

/* floe_eng_incremental_run for a plan of that shape, into `inc` (allocated and initialized by
 * the caller, freed by it on error or fallback). */
int floe_eng_incremental_rows_run(floe_eng_database *db, floe_eng_incremental *inc,
                                  const floe_ice_table *table, const floe_sql_plan *plan,
                                  const floe_eng_incremental_source *sources,
                                  uint32_t source_count, const char *previous_manifest,
                                  int64_t refresh_number, char *fallback, floe_error *err);

#endif
