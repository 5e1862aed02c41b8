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
 *   - A projection of no columns is allowed (COUNT(*)): batches then carry only row counts and
 *     selections (the cheapest leaf of each file is still decoded, for row counts and deletes).
 *   - Which data files are read (options, all optional): only the stored paths in `file_paths`;
 *     only the files whose index in the snapshot's data file list (manifest order, BEFORE
 *     pruning, so that every partition sees the same numbering and pruning counts each file
 *     once) is `partition` modulo `partition_count`; and only the files `predicates` cannot rule
 *     out (floe_ice_file_may_match: partition values and column bounds; `>`/`>=` on a float
 *     column only for files whose nan_value_counts say they hold no NaN). Inside a file that is
 *     read, row groups whose Parquet statistics rule a predicate out are skipped too
 *     (floe_ice_row_group_may_match), keeping row positions right for position deletes.
 *     Predicates only prune: rows of what is read are NOT filtered, the caller applies its
 *     filter itself.
 *
 * Change mode (options.changes; DESIGN.md "Incremental maintenance"). The reader yields the
 * CHANGE of the table from from_snapshot_id to snapshot_id as a Z-set: the rows live at `to`
 * minus the rows live at `from` (from_snapshot_id -1: the empty table, so every row live at `to`
 * weighs +1). Both snapshots are planned and their live data files matched by the path stored
 * in the manifests; per data file:
 *   - live only at `to`: its rows live at `to` (its deletes at `to` applied) weigh +1;
 *   - live only at `from`: its rows live at `from` (its deletes at `from` applied) weigh -1;
 *   - live at both with the same applicable delete files (compared by path): not read at all
 *     (nor when they differ only by position deletes that delete the same rows at both, below);
 *   - live at both with different applicable delete files (a position or equality delete added
 *     since, or one no longer applying): read once, and a row weighs
 *     live_at_to(row) - live_at_from(row): a newly deleted row -1, a row whose delete went away
 *     +1, every other row 0.
 * Rows of weight 0 are left out through the selection, so a batch holds only rows that change
 * something, and at least one. batch->weights points at storage the reader owns (valid until
 * the next batch), indexed by row like the columns. Decisions:
 *   - The diff is exact whatever the history between the two snapshots: `from` need not be an
 *     ancestor of `to` (after a rollback the rows of the abandoned branch are retracted); only
 *     `from` itself must still be in the metadata: an expired `from` is FLOE_ENOTFOUND
 *     ("snapshot X ... expired"), which callers turn into a full refresh.
 *   - When `from` is an ancestor of `to` and every snapshot after it up to `to` is a `replace`
 *     (compaction: the same logical rows in other files), nothing is planned or read:
 *     stats.changes_replace_only is 1. This is decided from the snapshots' operations in the
 *     metadata, walking parent links as floe_ice_table_changes does, without its manifest
 *     reads. Other ranges holding a `replace` are diffed like any
 *     other: compacted files are retracted and their replacements inserted, which is exact.
 *     from == to is an empty change (changes_replace_only 0).
 *   - Metadata: only the manifests that differ are read (floe_ice_table_plan_change). When
 *     both manifest lists name the same delete manifests, every data file has the same
 *     applicable deletes at both, so a data manifest named by both lists holds files whose
 *     rows are the same at both: it is not read, and its live files (the list's added +
 *     existing file counts) count as compared and unchanged. The data manifests in one list
 *     only are read and their live files matched by path as below (a file a manifest rewrite
 *     moved to another manifest shows up at both sides and is unchanged). When the delete
 *     manifests differ, both snapshots are planned whole (the per-file comparison needs each
 *     file's deletes at both). An append after a long history thus reads one manifest list
 *     per snapshot and one manifest. Data: only changed files, so the cost of reading rows
 *     follows the change. Same-path files are compared, so a file re-added under its old path
 *     is treated as the same file (its rows then differ only by deletes).
 *   - Projection, predicates (pruning drops files and row groups whose rows cannot pass the
 *     caller's filter, which is just as sound for a delta), file_paths and partitions apply as
 *     in a snapshot scan; partitions split the list of files to read (changed files, numbered in
 *     the order: files live at `to` in manifest order, then files live only at `from`), file i
 *     to partition i modulo partition_count. When there are fewer changed files than
 *     partitions (one append is one file), they split the files' row groups instead, so that
 *     every partition has work: every partition takes every file, and row group g of file i
 *     belongs to partition (i + g) modulo partition_count. Row positions stay those of the
 *     whole file, so position deletes apply as usual; rows are counted where they are read,
 *     and each file once, by the partition holding its first row group (i modulo
 *     partition_count: data_files_read, data_bytes_read, change_files_read,
 *     data_files_pruned); row_groups_pruned counts each partition's own row groups. A
 *     partition that holds no row group of a file (it has fewer than partition_count) does
 *     not read it. The union over the partitions is the whole change.
 *   - A file live at both whose applicable deletes differ only by position delete files that
 *     delete the same rows of it at both snapshots (usually none of its rows: a position delete
 *     file without file_path bounds applies to every older data file of its partition) is
 *     unchanged too: opening the reader loads those position delete files to tell.
 *   - Counters (stats): change_files_compared = distinct data files live at `from` or `to`;
 *     change_files_unchanged = those live at both whose rows are the same at both (not read);
 *     both are known as soon as the reader is open and are the same in every partition.
 *     change_files_read = files this reader opened in change mode (as data_files_read);
 *     rows_inserted / rows_retracted = rows handed out with weight +1 / -1;
 *     rows_position_deleted / rows_equality_deleted count rows a delete removes at the
 *     snapshot the file is read at (`to`, or `from` for a file live only at `from`).
 *
 * Changelogs (options.changelog_summary_key, change mode only). A table whose writer stores
 * each commit's own change (a dynamic table's incremental refresh: engine/refresh_incremental.h,
 * summary key "floe.changelog") can be read from those changes instead of a diff of its data
 * files, which retracts and re-inserts every row of a rewritten file. A changelog is a Parquet
 * file of the table's columns (field ids of the table's schema) and a weight column
 * FLOE_ICE_CHANGELOG_WEIGHT_COLUMN (INT64 NOT NULL, field id FLOE_ICE_CHANGELOG_WEIGHT_FIELD_ID),
 * each row one change of that weight. The reader uses them when ALL of these hold, decided
 * while opening:
 *   - `from` is an ancestor of `to` (from -1: `to`'s whole history down to its first snapshot);
 *   - every snapshot in (from, to] has the key in its summary, naming a file that exists
 *     (paths resolved as data file paths are);
 *   - every projected column (matched by field id, as for data files) and the weight column are
 *     in every one of those files;
 *   - options.file_paths is NULL.
 * Then it reads those files in snapshot order, oldest first, and nothing else: columns matched
 * by field id and typed as in a snapshot scan, batch->weights taken from the weight column
 * (weight-0 rows left out through the selection; a NULL weight is FLOE_ECORRUPT), predicates
 * prune nothing, and partitions split the list of changelogs (file i to partition i modulo
 * partition_count; with fewer changelogs than partitions, their row groups, as for data files
 * above, changelog_files_read counting each file once). stats.changes_from_changelogs is 1,
 * changelog_files_read counts the files opened, rows_read their rows, rows_inserted /
 * rows_retracted the rows of positive / negative
 * weight; data_files_read, data_bytes_read and change_files_* stay 0, and
 * floe_ice_scan_reader_current_file is NULL.
 * Otherwise (a snapshot without the key: a rebuild, a DELETE by hand, a compaction; a missing
 * file; a column the changelogs lack, such as `_floe_refresh`) the change is the diff above,
 * as exact but reading whole files. The reader trusts the changelogs: that applying each to the
 * table's rows before its snapshot gives the rows of its snapshot.
 *
 * Memory. The options (and the predicates and paths they point to) are only read while opening.
 * The reader owns the plan, the Parquet readers it opens and the delete sets. The
 * caller's batch (floe_ice_scan_reader_batch_init) receives VIEWS: its vectors point into the
 * reader's buffers and stay valid until the next floe_ice_scan_reader_next_batch or _free.
 * STRING and BINARY columns of dictionary-encoded pages arrive as DICTIONARY vectors
 * (kernels/vector.h), codes into the page's dictionary, so strings are not copied per row.
 *
 * Errors: FLOE_ENOTFOUND (unknown snapshot, an expired `from` in change mode, a projected or
 * predicate column not in the schema, a data or delete file missing on disk: the message
 * names the stored path), FLOE_ETYPE (a file's column type does not fit the table's),
 * FLOE_EUNSUPPORTED (nested column, non-Parquet data file, a deletion vector), FLOE_ECORRUPT
 * (a bad Parquet file, a position delete file without file_path/pos, a changelog row without a
 * weight), FLOE_EINVAL (a partition >= partition_count, a from_snapshot_id below -1),
 * FLOE_ENOMEM, -errno. Messages name the file. After an error the reader is unusable (free
 * it).
 */
#ifndef FLOE_IO_ICEBERG_SCAN_H
#define FLOE_IO_ICEBERG_SCAN_H

#include "io/file_reader.h"   /* floe_io_backend */
#include "io/iceberg_table.h" /* floe_ice_table, floe_ice_scan_plan, floe_ice_predicate */
#include "io/parquet_reader.h" /* floe_pq_column_statistics */
#include "kernels/status.h"
#include "kernels/vector.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct floe_ice_scan_reader floe_ice_scan_reader;

/* The weight column of a changelog file (see "Changelogs"): its name and Iceberg field id, in
 * the range Iceberg reserves (below its metadata columns' 2147483646 and down), so no table
 * column can have it. */
#define FLOE_ICE_CHANGELOG_WEIGHT_COLUMN "_floe_weight"
#define FLOE_ICE_CHANGELOG_WEIGHT_FIELD_ID 2147482646

typedef struct floe_ice_scan_reader_options {
    int64_t snapshot_id;               /* -1: the current snapshot */
    const char *const *column_names;   /* projection by current-schema name; NULL: all */
    uint32_t column_name_count;        /* with column_names: 0 projects no column */
    floe_io_backend io_backend;        /* for the Parquet readers; AUTO by default */
    /* Pruning (see the header): ANDed predicates on top-level columns of the current schema,
     * literals of the column's Floe type. NULL / 0: none. */
    const floe_ice_predicate *predicates;
    size_t predicate_count;
    /* File partitioning for parallel scans: partition_count 0 or 1 reads every file. */
    uint32_t partition;
    uint32_t partition_count;
    /* Only these data files, by their paths as stored in the manifests; NULL: every file
     * (a non-NULL list of 0 paths reads nothing). Paths the snapshot lacks are ignored. */
    const char *const *file_paths;
    size_t file_path_count;
    /* Change mode (see "Change mode"): the change from from_snapshot_id to snapshot_id. */
    bool changes;              /* yield the change from from_snapshot_id to snapshot_id */
    int64_t from_snapshot_id;  /* with changes: -1 = from the empty table (all rows +1) */
    /* With changes: the summary key naming each snapshot's changelog (see "Changelogs");
     * NULL: always diff the data files. */
    const char *changelog_summary_key;
} floe_ice_scan_reader_options;

/* One output column. */
typedef struct floe_ice_scan_column {
    const char *name;                  /* owned by the table's metadata */
    int32_t field_id;
    floe_type type;
} floe_ice_scan_column;

/* Counters, updated as batches are read. */
typedef struct floe_ice_scan_reader_stats {
    int64_t data_files_read;           /* data files opened */
    int64_t data_files_pruned;         /* of this reader's partition, ruled out by predicates
                                          (known as soon as the reader is open) */
    int64_t data_bytes_read;           /* file_size_in_bytes of the data files opened */
    int64_t row_groups_pruned;         /* row groups of opened files skipped by statistics */
    int64_t rows_read;                 /* rows decoded from data files (before deletes) and
                                          changelogs */
    int64_t rows_position_deleted;
    int64_t rows_equality_deleted;
    /* Change mode only (see "Change mode" for what each counts). */
    int64_t change_files_compared;
    int64_t change_files_read;
    int64_t change_files_unchanged;    /* live at both with the same deletes: not read */
    int64_t rows_inserted;             /* rows handed out with weight +1 */
    int64_t rows_retracted;            /* rows handed out with weight -1 */
    int changes_replace_only;          /* 1: every snapshot in (from, to] is a replace, so
                                          nothing was read */
    int changes_from_changelogs;       /* 1: the change is read from changelogs (known as soon
                                          as the reader is open) */
    int64_t changelog_files_read;      /* changelogs opened */
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

/* The data file the last batch came from, its path AS STORED in the manifest (not re-rooted):
 * what a copy-on-write rewrite names in removed_paths. NULL before the first batch and after
 * the end. Owned by the reader. */
const char *floe_ice_scan_reader_current_file(const floe_ice_scan_reader *reader);

/* The snapshot being read, `to` in change mode (-1 when the table has none). */
int64_t floe_ice_scan_reader_snapshot_id(const floe_ice_scan_reader *reader);

const floe_ice_scan_reader_stats *floe_ice_scan_reader_stats_get(
    const floe_ice_scan_reader *reader);

/* Prepares a batch with one vector per output column (release with floe_batch_fini). */
int floe_ice_scan_reader_batch_init(const floe_ice_scan_reader *reader, floe_batch *batch,
                                    floe_error *err);

/* Whether a Parquet row group may hold a row for which `predicate` holds, judged from one
 * column's statistics (floe_pq_reader_statistics) over `row_count` rows: 0 when it provably
 * holds none. `stored` is the Floe type the file stores the column in, `type` the type it is
 * read as (equal, or an Iceberg promotion: int->long, float->double, decimal widening; the
 * literal is of `type`). Comparisons follow the engine's: NULL never compares, floats in total
 * order (NaN above every number, so `>` and `>=` on a float column never prune: statistics
 * leave NaN out), strings bytewise. Unknown or missing statistics keep the row group. */
int floe_ice_row_group_may_match(const floe_pq_column_statistics *statistics, int64_t row_count,
                                 floe_type stored, floe_type type,
                                 const floe_ice_predicate *predicate);

/* Fills batch with the next rows (views, see Memory), a selection vector when some rows of the
 * batch are deleted (in change mode: of weight 0), and in change mode the rows' weights.
 * FLOE_OK with row_count 0 at the end. */
int floe_ice_scan_reader_next_batch(floe_ice_scan_reader *reader, floe_batch *batch,
                                    floe_error *err);

#endif
