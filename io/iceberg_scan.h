/*
 * iceberg_scan.h — the rows of an Iceberg snapshot as column batches, with deletes applied, so
 * that what Floe reads is what Spark reads.
 *
 * What it does. floe_ice_scan_reader_open plans the snapshot (io/iceberg_table.h: live data
 * files and the delete files that apply to each) and then reads data file after data file with
 * the Parquet column reader (io/parquet_reader.h). Every batch it hands out has the columns of
 * the table's CURRENT schema (or the projection asked for, by current-schema name), in schema
 * order, typed by floe_ice_field_floe_type, whatever the file stored. Decisions:
 *   - Columns are matched to a file BY FIELD ID (the Parquet schema's field_id), so a renamed
 *     column is found under its old name. A file with no field id on any top-level column
 *     (written before it joined an Iceberg table: migrated or `add_files`-ed) is matched through
 *     the table's `schema.name-mapping.default` names; without a name mapping, by the current
 *     column name (what a user expects; Spark would refuse such a table).
 *   - A column the file lacks (added after the file was written) reads as NULL.
 *   - Type promotions Iceberg allows are applied while reading: int→long, float→double,
 *     decimal(P,S)→decimal(P',S) with P' >= P. TIMESTAMP vs TIMESTAMPTZ and STRING vs BINARY
 *     differences between the file's annotation and the table's type are read as the table's
 *     type (same storage). Anything else is FLOE_ETYPE naming the file and the column.
 *   - The schema is the current one even with an older snapshot (time travel keeps today's
 *     column names; columns added since read as NULL), as the brief of `table dump` asks.
 *   - Position deletes: a delete file's rows (file_path, pos) whose file_path equals the data
 *     file's path AS STORED in its manifest (not the re-rooted path) remove row `pos` (0-based
 *     in the file). Each delete file is read once per reader.
 *   - Equality deletes: a data row is removed when, for some applicable equality delete file
 *     (the planner applies the spec's sequence-number and partition rules), its values of the
 *     delete file's equality_ids columns equal those of one delete row; NULL equals NULL (spec:
 *     "equality delete ... null values match nulls"). Values are compared after conversion to
 *     the table's type. Delete keys are kept in a hash set per delete file.
 *   - Deleted rows are left out through the batch's selection vector (kernels/vector.h); a
 *     batch always has at least one live row, and row_count 0 means the end.
 *   - Nested columns (struct, list, map) cannot be read: projecting one is FLOE_EUNSUPPORTED
 *     naming it; a projection without them reads the rest of such a table.
 *
 * Memory. The reader owns the plan, the Parquet readers it opens and the delete sets. The
 * caller's batch (floe_ice_scan_reader_batch_init) receives VIEWS: its vectors point into the
 * reader's buffers and stay valid until the next floe_ice_scan_reader_next_batch or _free.
 *
 * Errors: FLOE_ENOTFOUND (unknown snapshot, a projected column not in the schema, a data or
 * delete file missing on disk: the message names the stored path), FLOE_ETYPE (a file's column
 * type does not fit the table's), FLOE_EUNSUPPORTED (nested column, non-Parquet data file,
 * a deletion vector), FLOE_ECORRUPT (a bad Parquet file, a position delete file without
 * file_path/pos), FLOE_ENOMEM, -errno. Messages name the file. After an error the reader is
 * unusable (free it).
 */
#ifndef FLOE_IO_ICEBERG_SCAN_H
#define FLOE_IO_ICEBERG_SCAN_H

#include "io/file_reader.h"   /* floe_io_backend */
#include "io/iceberg_table.h" /* floe_ice_table, floe_ice_scan_plan */
#include "kernels/status.h"
#include "kernels/vector.h"

#include <stdint.h>

typedef struct floe_ice_scan_reader floe_ice_scan_reader;

typedef struct floe_ice_scan_reader_options {
    int64_t snapshot_id;               /* -1: the current snapshot */
    const char *const *column_names;   /* projection by current-schema name; NULL: all */
    uint32_t column_name_count;
    floe_io_backend io_backend;        /* for the Parquet readers; AUTO by default */
} floe_ice_scan_reader_options;

/* One output column. */
typedef struct floe_ice_scan_column {
    const char *name;                  /* owned by the table's metadata */
    int32_t field_id;
    floe_type type;
} floe_ice_scan_column;

/* Counters, updated as batches are read. */
typedef struct floe_ice_scan_reader_stats {
    int64_t data_files_read;
    int64_t rows_read;                 /* rows of data files, before deletes */
    int64_t rows_position_deleted;
    int64_t rows_equality_deleted;
} floe_ice_scan_reader_stats;

/* options may be NULL (current snapshot, every column). The table must outlive the reader.
 * A table without a snapshot (or options->snapshot_id of a snapshot without files) yields
 * no rows. */
int floe_ice_scan_reader_open(floe_ice_scan_reader **out, const floe_ice_table *table,
                              const floe_ice_scan_reader_options *options, floe_error *err);
void floe_ice_scan_reader_free(floe_ice_scan_reader *reader);

/* The output columns, in order; *count receives their number. */
const floe_ice_scan_column *floe_ice_scan_reader_columns(const floe_ice_scan_reader *reader,
                                                         uint32_t *count);

/* The snapshot being read (-1 when the table has none). */
int64_t floe_ice_scan_reader_snapshot_id(const floe_ice_scan_reader *reader);

const floe_ice_scan_reader_stats *floe_ice_scan_reader_stats_get(
    const floe_ice_scan_reader *reader);

/* Prepares a batch with one vector per output column (release with floe_batch_fini). */
int floe_ice_scan_reader_batch_init(const floe_ice_scan_reader *reader, floe_batch *batch,
                                    floe_error *err);

/* Fills batch with the next rows (views, see Memory), a selection vector when some rows of the
 * batch are deleted. FLOE_OK with row_count 0 at the end. */
int floe_ice_scan_reader_next_batch(floe_ice_scan_reader *reader, floe_batch *batch,
                                    floe_error *err);

#endif
