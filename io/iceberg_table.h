/*
 * iceberg_table.h — an Iceberg table opened from the file-system lake: the files of a snapshot
 * (scan planning, with the delete files that apply to each data file) and the changes between
 * two snapshots (what an incremental refresh reads).
 *
 * Opening. floe_ice_table_open takes a directory path or a warehouse name "ns.name". A string
 * that contains '/' or no '.' (or any string when warehouse is NULL) is a directory; otherwise
 * it is a table name resolved by io/catalog_fs.h to <warehouse>/ns/name (write "./my.table" for
 * a directory whose name has a dot). The current metadata file is found by
 * floe_ice_locate_metadata (the version hint, else the newest metadata file) at every open, so
 * an open always sees the latest commit; the file's parse is taken from the process-wide cache
 * of io/iceberg_metadata_cache.h, so a file already parsed (by an earlier or concurrent open
 * of the same table, on any thread) is not parsed again. The metadata is therefore shared and
 * read-only (const): nothing may change it after open; a writer builds its next version from
 * its own parse (io/iceberg_commit.c does). The table keeps its real directory, so every path
 * stored in metadata and manifests is re-rooted with floe_ice_resolve_path
 * (io/iceberg_locate.h).
 *
 * Scan planning (spec, "Scan Planning"; apache/iceberg format/spec.md). The snapshot's manifest
 * list is read, then every manifest it names, each once (a per-plan cache keyed by path).
 * Entries with status ADDED or EXISTING are live; DELETED entries are not. Snapshot ids and
 * sequence numbers left null are inherited from the manifest list entry (spec "Sequence Number
 * Inheritance"); the data sequence number of a file is its entry's sequence_number after
 * inheritance (0 for v1 tables). Delete files apply to data files by the spec's rules:
 *   - a position delete file applies when the data file's data sequence number is <= the
 *     delete file's, and both have the same partition (spec id and values). When the delete
 *     file's bounds for file_path (field id 2147483546) are equal, it names one data file and
 *     applies only to that one (the spec allows planners to use this; Spark writes such bounds);
 *   - an equality delete file applies when the data file's data sequence number is strictly
 *     less than the delete file's, and both have the same partition, or the delete file's
 *     partition spec is unpartitioned (a global delete).
 * Matching goes through an index of the delete files by the data file they name (position
 * deletes with equal file_path bounds) and by partition, plus the global equality deletes, so
 * it costs about (data + deletes) x log(deletes), not data x deletes.
 *
 * Pruning hook. floe_ice_scan_options may carry predicates (ANDed) of the simple form
 * `column op literal` (column by its schema field id; = < <= > >= IS NULL, IS NOT NULL). A data
 * file is dropped only when a predicate provably matches none of its rows, judged from
 *   - its identity partition values (a partition field whose source is the column), and
 *   - its lower/upper bounds and null/value counts (single-value serialization, spec
 *     Appendix D), for int, long, date, timestamp(tz), float, double, decimal (p <= 18),
 *     string and binary. Other types, missing bounds, NaN literals: the file is kept.
 * The literal is a floe_ice_value of the column's Floe type (floe_ice_field_floe_type).
 * Delete files are never pruned. The planner builds these from WHERE clauses later.
 *
 * Change detection (DESIGN.md, "Incremental maintenance"). floe_ice_table_changes walks
 * parent-snapshot-id from `to` back to `from` (exclusive). When `from` is not an ancestor of
 * `to` (expired or rolled back), or `from` is "none" and the history before some snapshot has
 * expired, the result has from_is_ancestor = 0 and a reason: not an error, the caller does a
 * full refresh. For every snapshot on the path, oldest first: its operation (summary), the data
 * and delete files it added (entries with status ADDED and that snapshot's id) and removed
 * (status DELETED and that snapshot's id).
 *   Which manifests are read: an entry ADDED or DELETED by snapshot S is written in a manifest
 * that S itself wrote (spec, "Manifests": "When a file is added ... its manifest entry should
 * store the snapshot ID in which the file was added and set status to 1"; a file deleted in S
 * is "marked DELETED" in a manifest S writes; later snapshots carry such entries forward only
 * as EXISTING, or drop them), and the manifest list entry's added_snapshot_id names the
 * snapshot that wrote the manifest (spec, "Manifest Lists", field 503). So only manifests with
 * added_snapshot_id on the path are read. They are found in the manifest list of `to`, which
 * holds every manifest still live; a snapshot's own list is read only when that is not enough:
 * when S removed files (a manifest of only DELETED entries is dropped by later snapshots), or
 * the ADDED entries found for S in `to`'s list fall short of S's summary (added-data-files +
 * added-delete-files; a later snapshot merged S's manifest away), or S's summary lacks those
 * counts. FLOE_ICE_CHANGES_READ_EVERY_LIST forces reading every list (tests compare the two).
 *
 * Errors: FLOE_ENOTFOUND (no such table, snapshot, manifest list or manifest: the message
 * names the stored path), FLOE_ECORRUPT (bad metadata or Avro), FLOE_ESYNTAX (bad table name),
 * FLOE_EINVAL (bad arguments), FLOE_ENOMEM, -errno.
 *
 * Memory. A floe_ice_table holds one reference to its shared metadata, dropped by
 * floe_ice_table_free; tables may be opened and freed on any thread. A plan or a change set
 * owns everything it points to (its arena and the manifests it read) and must be freed before
 * the table it came from; every _free accepts NULL.
 *
 * Note on includes: io/iceberg_metadata.h and io/iceberg_manifest.h both declare a type named
 * floe_ice_partition_field (a partition spec field; a manifest partition tuple field). Until
 * one of them is renamed, this header includes the manifest header with its type renamed to
 * floe_ice_manifest_partition_field, so both can be used together; include this header (or
 * the metadata header) before io/iceberg_manifest.h.
 */
#ifndef FLOE_IO_ICEBERG_TABLE_H
#define FLOE_IO_ICEBERG_TABLE_H

#include "io/iceberg_metadata.h" /* floe_ice_table_metadata, floe_ice_snapshot */
#define floe_ice_partition_field floe_ice_manifest_partition_field
#include "io/iceberg_manifest.h" /* floe_ice_manifest, floe_ice_data_file, floe_ice_value */
#undef floe_ice_partition_field
#include "kernels/arena.h"
#include "kernels/status.h"

#include <stddef.h>
#include <stdint.h>

typedef struct floe_ice_table {
    const floe_ice_table_metadata *metadata; /* the current metadata, shared: read-only */
    char *directory;                   /* the table's real directory (re-rooting) */
    char *metadata_path;               /* the metadata file that was read */
    int64_t metadata_version;          /* its version N (-1 when the name gives none) */
} floe_ice_table;

/* Opens a table (see "Opening"). warehouse may be NULL (then the argument is a directory). */
int floe_ice_table_open(floe_ice_table **table, const char *table_directory_or_name,
                        const char *warehouse, floe_error *err);
void floe_ice_table_free(floe_ice_table *table);

/* One data or delete file of a snapshot, with what planning derived for it. */
typedef struct floe_ice_scan_file {
    const floe_ice_data_file *file;    /* as stored: path, partition, counts, bounds, ... */
    const floe_ice_manifest *manifest; /* the manifest holding it (partition field types) */
    const char *path;                  /* resolved on this machine, or the stored path when
                                          path_found is 0 (the file is missing) */
    int path_found;
    int32_t content;                   /* FLOE_ICE_CONTENT_DATA / _POSITION_ / _EQUALITY_DELETES */
    int32_t status;                    /* FLOE_ICE_STATUS_* of its manifest entry */
    int32_t spec_id;                   /* partition spec of its manifest */
    int64_t snapshot_id;               /* the snapshot that added (or removed) it */
    int64_t data_sequence_number;
    int64_t file_sequence_number;
    int64_t record_count;
    int64_t file_size;
} floe_ice_scan_file;

/* A data file to read and the delete files that apply to it. */
typedef struct floe_ice_scan_task {
    floe_ice_scan_file data;
    const size_t *delete_indexes;      /* into floe_ice_scan_plan.delete_files, ascending */
    size_t delete_count;
} floe_ice_scan_task;

typedef enum floe_ice_predicate_op {
    FLOE_ICE_PREDICATE_EQ = 1,
    FLOE_ICE_PREDICATE_LT,
    FLOE_ICE_PREDICATE_LE,
    FLOE_ICE_PREDICATE_GT,
    FLOE_ICE_PREDICATE_GE,
    FLOE_ICE_PREDICATE_IS_NULL,
    FLOE_ICE_PREDICATE_NOT_NULL,
} floe_ice_predicate_op;

typedef struct floe_ice_predicate {
    int32_t field_id;                  /* a top-level column of the current schema */
    floe_ice_predicate_op op;
    floe_ice_value literal;            /* of the column's Floe type; unused for the NULL tests */
} floe_ice_predicate;

typedef struct floe_ice_scan_options {
    const floe_ice_predicate *predicates; /* ANDed; may be NULL when count is 0 */
    size_t predicate_count;
} floe_ice_scan_options;

typedef struct floe_ice_manifest_cache floe_ice_manifest_cache;

typedef struct floe_ice_scan_plan {
    floe_arena arena;                  /* owns the arrays below */
    floe_ice_manifest_cache *cache;    /* owns the manifests the files point into */
    int64_t snapshot_id;               /* -1: the table has no snapshot (empty plan) */
    int64_t sequence_number;
    floe_ice_scan_task *tasks;         /* live data files in manifest order, after pruning */
    size_t task_count;
    floe_ice_scan_file *delete_files;  /* live delete files, in manifest order */
    size_t delete_file_count;
    int64_t record_count;              /* sum over tasks (before deletes) */
    int64_t file_size;                 /* sum over tasks */
    size_t files_pruned;               /* live data files the predicates dropped */
    size_t manifests_read;
} floe_ice_scan_plan;

/* snapshot_id -1: the current snapshot. options may be NULL. FLOE_ENOTFOUND for an unknown
 * snapshot id or a missing manifest list / manifest. */
int floe_ice_table_plan_scan(const floe_ice_table *table, int64_t snapshot_id,
                             floe_ice_scan_plan **plan, floe_error *err);
int floe_ice_table_plan_scan_with(const floe_ice_table *table, int64_t snapshot_id,
                                  const floe_ice_scan_options *options, floe_ice_scan_plan **plan,
                                  floe_error *err);
void floe_ice_scan_plan_free(floe_ice_scan_plan *plan);

/* The plans a comparison of two snapshots needs (io/iceberg_scan.h, "Change mode"), without
 * the files that are the same at both: `to` (-1: the current snapshot) and `from` are planned
 * as by floe_ice_table_plan_scan, except that when both manifest lists name the same delete
 * manifests (by path), a data manifest named by both (same path, added_snapshot_id and
 * sequence number, so the same live entries with the same inherited values, and the same
 * applicable deletes at both) is read by neither plan: its live files are the same at both.
 * *unchanged_files receives how many live data files those manifests hold, from the list's
 * added_files_count + existing_files_count (a manifest whose counts are null is read). When
 * the delete manifests differ, both snapshots are planned whole. from_snapshot_id -1 (the
 * empty table): *to_plan is the whole of `to`, *from_plan NULL. FLOE_ENOTFOUND for an unknown
 * snapshot. */
int floe_ice_table_plan_change(const floe_ice_table *table, int64_t from_snapshot_id,
                               int64_t to_snapshot_id, floe_ice_scan_plan **to_plan,
                               floe_ice_scan_plan **from_plan, int64_t *unchanged_files,
                               floe_error *err);

/* Whether a data file may hold rows matching every predicate (1) or provably holds none (0);
 * the planner's test, exposed for callers that prune files themselves. `types[i]` is the Floe
 * type of predicates[i]'s column. */
int floe_ice_file_may_match(const floe_ice_scan_file *file,
                            const floe_ice_partition_spec *spec,
                            const floe_ice_predicate *predicates, const floe_type *types,
                            size_t predicate_count);

/* ---- changes between snapshots ---- */

typedef enum floe_ice_operation {
    FLOE_ICE_OPERATION_UNKNOWN = 0, /* no summary, or an operation this version does not know */
    FLOE_ICE_OPERATION_APPEND,
    FLOE_ICE_OPERATION_OVERWRITE,
    FLOE_ICE_OPERATION_DELETE,
    FLOE_ICE_OPERATION_REPLACE,
} floe_ice_operation;

typedef struct floe_ice_snapshot_changes {
    const floe_ice_snapshot *snapshot;  /* in the table's metadata */
    floe_ice_operation operation;
    floe_ice_scan_file *added_data_files;
    size_t added_data_file_count;
    floe_ice_scan_file *removed_data_files;
    size_t removed_data_file_count;
    floe_ice_scan_file *added_delete_files;   /* position and equality */
    size_t added_delete_file_count;
    floe_ice_scan_file *removed_delete_files; /* delete files compacted away */
    size_t removed_delete_file_count;
} floe_ice_snapshot_changes;

typedef struct floe_ice_changes {
    floe_arena arena;
    floe_ice_manifest_cache *cache;
    int64_t from_snapshot_id;           /* -1: from the beginning */
    int64_t to_snapshot_id;
    int from_is_ancestor;               /* 0: no usable path; snapshots is empty, see reason */
    const char *reason;                 /* why not (NULL when from_is_ancestor) */
    floe_ice_snapshot_changes *snapshots; /* oldest first; none when from == to */
    size_t snapshot_count;
    size_t manifest_lists_read;
    size_t manifests_read;
} floe_ice_changes;

enum { FLOE_ICE_CHANGES_READ_EVERY_LIST = 1 };

/* Changes after from_snapshot_id (-1: from the beginning) up to and including to_snapshot_id
 * (-1: the current snapshot). FLOE_ENOTFOUND when `to` is unknown; an unknown `from` is not an
 * error (from_is_ancestor = 0). */
int floe_ice_table_changes(const floe_ice_table *table, int64_t from_snapshot_id,
                           int64_t to_snapshot_id, floe_ice_changes **changes, floe_error *err);
int floe_ice_table_changes_with(const floe_ice_table *table, int64_t from_snapshot_id,
                                int64_t to_snapshot_id, unsigned flags,
                                floe_ice_changes **changes, floe_error *err);
void floe_ice_changes_free(floe_ice_changes *changes);

floe_ice_operation floe_ice_operation_from_text(const char *operation);
const char *floe_ice_operation_name(floe_ice_operation operation);
/* "data", "position-deletes", "equality-deletes" */
const char *floe_ice_content_name(int32_t content);

#endif
