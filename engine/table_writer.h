/*
 * table_writer.h — column batches into new Parquet data files of an Iceberg table, committed
 * as ONE snapshot (with removals, for copy-on-write DELETE and refresh overwrites).
 *
 * What it does. floe_eng_table_writer_open takes a table opened with floe_ice_table_open (its
 * directory must be absolute: paths stored in metadata are, DESIGN.md) and prepares files of
 * the table's CURRENT schema: one Parquet column per schema field, in order, of the field's
 * Floe type (floe_ice_field_floe_type), OPTIONAL unless the field is required, with the Iceberg
 * field id as Parquet field_id and the schema JSON under the "iceberg.schema" key (what
 * Iceberg's own writers store), so every engine maps the columns by id. Batches are written
 * to <table>/data/floe-<uuid>.parquet (ZSTD, the writer's defaults); a file is closed and
 * the next one started once it holds FLOE_ENG_TABLE_WRITER_FILE_ROWS rows or more (a file
 * never splits a batch). A file is only created when a live row arrives, so a writer that
 * saw no rows commits no file.
 *
 * floe_eng_table_writer_commit closes the open file, fsyncs every file written (the commit
 * protocol fsyncs data/ itself before publishing) and calls floe_ice_commit once with the
 * added files (record counts, sizes and the Parquet writer's Iceberg metrics: column sizes,
 * value / null / NaN counts, lower and upper bounds), the caller's removals and summary
 * entries, and expected_schema_id = the schema the files were written with, so a schema that
 * changed meanwhile fails the commit (FLOE_ECONFLICT) instead of committing files of the old
 * schema. Appends retry on conflicts (floe_ice_commit). A commit with nothing added and
 * nothing removed publishes no snapshot (result->snapshot_id = -1): "nothing changed" never
 * costs a metadata version.
 *
 * Decisions:
 *   - Unpartitioned tables only (the default spec has no fields): partition values would
 *     have to be computed per row and files split by partition; FLOE_EUNSUPPORTED naming the
 *     table until that is built. Nested or v3-typed columns: FLOE_EUNSUPPORTED naming the column.
 *   - Batch types must equal the schema's Floe types exactly (FLOE_ETYPE naming the column):
 *     casts are the planner's job, done once, not guessed here.
 *   - A NULL in a required column is refused here with FLOE_ETYPE naming the column (the
 *     Parquet writer would only say "bad argument"), before any byte of the batch is written.
 *   - After any failed write or commit the writer refuses further use (FLOE_EINVAL); free it.
 *
 * Ownership. The writer copies what it needs from the table (which may be freed after open).
 * Files written but not committed are deleted by floe_eng_table_writer_free (nothing half-
 * written stays visible, not even as orphans, unless the process dies: then vacuum finds
 * them). After a successful commit they belong to the table and free leaves them alone.
 *
 * Errors: FLOE_EUNSUPPORTED, FLOE_ETYPE, FLOE_EINVAL (misuse), FLOE_ENOMEM, -errno from file
 * I/O, and floe_ice_commit's (FLOE_ECONFLICT, FLOE_ENOTFOUND for a removed path no longer in
 * the table, ...); one line naming the table directory or the file.
 */
#ifndef FLOE_ENGINE_TABLE_WRITER_H
#define FLOE_ENGINE_TABLE_WRITER_H

#include "io/iceberg_commit.h" /* floe_ice_commit_result, floe_ice_property */
#include "io/iceberg_table.h"  /* floe_ice_table */
#include "io/parquet_writer.h" /* floe_pq_write_column, floe_pq_write_result */
#include "kernels/status.h"
#include "kernels/vector.h"    /* floe_batch */

#include <stddef.h>
#include <stdint.h>

/* Rows after which a data file is closed and the next one started. */
#define FLOE_ENG_TABLE_WRITER_FILE_ROWS ((int64_t)1 << 20)

/* The manifest entry of a Parquet data file written with io/parquet_writer.h, built from the
 * writer's Iceberg metrics: file size and row count, per column its size, value and null counts,
 * NaN counts (float columns only) and lower/upper bounds. `data` points into the arrays the entry
 * owns and at `path`, which must outlive it. Every Floe writer of table files (this writer, the
 * incremental refresh's bucket files, floe-datagen) describes its files with it. FLOE_ENOMEM. */
typedef struct floe_eng_data_file_entry {
    floe_ice_data_file data;
    floe_ice_int_long *counts;  /* 4 x columns: sizes, values, nulls, NaNs */
    floe_ice_int_bytes *bounds; /* 2 x columns: lower, upper */
    uint8_t *bound_bytes;       /* 2 x columns x FLOE_PQ_BOUND_MAX_SIZE */
} floe_eng_data_file_entry;

int floe_eng_data_file_entry_build(floe_eng_data_file_entry *entry, const char *path,
                                   const floe_pq_write_column *columns,
                                   const floe_pq_write_result *result, floe_error *err);
void floe_eng_data_file_entry_fini(floe_eng_data_file_entry *entry);

typedef struct floe_eng_table_writer floe_eng_table_writer;

/* New data files for `table`, see above. */
int floe_eng_table_writer_open(floe_eng_table_writer **out, const floe_ice_table *table,
                               floe_error *err);

/* batch: the table's current-schema columns in order, types equal to floe_ice_field_floe_type
 * of each field (FLOE_ETYPE otherwise); selection honoured; weights ignored. */
int floe_eng_table_writer_write(floe_eng_table_writer *writer, const floe_batch *batch,
                                floe_error *err);

typedef struct floe_eng_table_commit {
    const char *operation;            /* NULL: append/overwrite/delete chosen as floe_ice_commit */
    const char *const *removed_paths; /* data (or delete) files to remove, as stored in the
                                         manifests */
    size_t removed_count;
    const floe_ice_property *summary; /* extra snapshot summary entries */
    size_t summary_count;
    int64_t expected_snapshot_id;     /* 0: any; -1: the table must have no snapshot; > 0: it
                                         must be current (io/iceberg_commit.h: a refresh computed
                                         against one snapshot must not land on another) */
} floe_eng_table_commit;

/* Closes the open file, fsyncs, commits added files + removals as ONE snapshot (retrying on
 * conflicts per floe_ice_commit). After success the files belong to the table. commit may be
 * NULL (a plain append); result may be NULL. */
int floe_eng_table_writer_commit(floe_eng_table_writer *writer, const floe_eng_table_commit *commit,
                                 floe_ice_commit_result *result, floe_error *err);

/* Rows written so far. */
int64_t floe_eng_table_writer_rows(const floe_eng_table_writer *writer);

/* Data files written so far (closed or open). */
size_t floe_eng_table_writer_file_count(const floe_eng_table_writer *writer);

/* Frees; files written but not committed are deleted (nothing half-written stays visible).
 * NULL is a no-op. */
void floe_eng_table_writer_free(floe_eng_table_writer *writer);

#endif
