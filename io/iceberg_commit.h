/*
 * iceberg_commit.h — the table-level commit: from "files added, files removed, summary" to a new
 * Iceberg snapshot (manifests, manifest list, metadata) published through the file-system
 * catalog's atomic protocol (io/catalog_fs.h), retried when another writer wins.
 *
 * What floe_ice_commit does, per attempt:
 *   1. loads the table's current version (floe_io_catalog_current_version) and its metadata;
 *   2. reads the current snapshot's manifest list; when files are removed, every live manifest
 *      naming one is rewritten (the removed entries DELETED by the new snapshot, the others
 *      EXISTING with their snapshot ids and sequence numbers), the rest are carried over as is;
 *      a manifest without live files (added and existing counts 0: only entries an earlier
 *      snapshot DELETED) is left out, so the list does not grow with every overwrite;
 *   3. writes one manifest of the added data files and one of the added delete files (status
 *      ADDED, with the new snapshot id and sequence number written out explicitly rather than
 *      inherited: every reader handles that), then the new manifest list;
 *   4. adds the snapshot (parent = the current snapshot, sequence number = last + 1) with the
 *      summary: operation, added-/deleted- data files, delete files and records, added-files-size,
 *      removed-files-size, and the running totals total-records, total-data-files,
 *      total-delete-files, total-files-size, total-position-deletes, total-equality-deletes
 *      (the parent's totals plus this change; a total the parent lacks is left out, as Iceberg
 *      does), plus the caller's entries; logs the previous metadata file; writes the JSON;
 *   5. publishes it as version N+1 (floe_io_catalog_publish).
 * On FLOE_ECONFLICT (another writer published N+1 first) the attempt's own files are removed and
 * the commit starts again from 1 against the new version: appends commute, so re-applying them
 * on top of the winner is exactly right. A removal whose file the winner already removed cannot
 * be re-applied: FLOE_ECONFLICT is returned at once ("... no longer in the table"). After
 * max_attempts conflicts the last FLOE_ECONFLICT is returned. On any other failure before the
 * publish the attempt's files are removed; a crash leaves them as orphans (vacuum's job).
 *
 * Decisions: only unpartitioned tables take added files (the caller would need to give
 * partition values; a partitioned table is FLOE_EUNSUPPORTED); data and delete files must be
 * Parquet paths stored as given (absolute, DESIGN.md); expected_schema_id (when >= 0) makes the
 * commit fail with FLOE_ECONFLICT if the schema changed since the caller checked its files
 * against it; a v1 table (manifest list with unknown counts, or a snapshot listing manifests
 * directly) is FLOE_EUNSUPPORTED. The metadata written is v2.
 *
 * Table-level changes in the same version (applied to the loaded metadata before step 2, so a
 * retry re-applies them on top of the winner: last writer wins per property):
 *   - set_properties / removed_properties: properties added or replaced, and removed (a key the
 *     table lacks is not an error);
 *   - new_schema_columns: a new schema becomes current (schema id = highest + 1); columns with
 *     id 0 get last-column-id + 1, + 2, ... in order, so field ids are never reused. The added
 *     files must be written with that schema; CREATE OR REPLACE of a dynamic table uses it with
 *     every live file removed. expected_schema_id is checked against the schema BEFORE it;
 *   - expected_snapshot_id: 0 accepts any current snapshot; -1 requires the table to have none;
 *     a positive id requires it to be current. A mismatch is FLOE_ECONFLICT ("the table changed:
 *     snapshot X is current, expected Y"), not retried: the caller's work was computed against
 *     the table as it was (a refresh that read the old rows must not land on newer ones).
 * floe_ice_commit_properties publishes a version that changes only properties and adds no
 * snapshot (ALTER DYNAMIC TABLE ... SUSPEND); it retries on conflicts like floe_ice_commit
 * (result->snapshot_id is then the unchanged current snapshot, -1 for none).
 *
 * floe_ice_commit_create_table publishes version 1 of a new table (no snapshot) with the given
 * columns and properties; FLOE_ECONFLICT when the table exists (another creator may just have
 * won: the caller reopens it).
 *
 * Test hook: floe_ice_commit_set_test_hook installs a callback run at the commit's own steps
 * ("manifests-written", "list-written", "metadata-written") so crash tests can kill a process
 * there too (the catalog's hooks cover the publish itself). Process-wide; tests only.
 *
 * Memory: nothing the caller passes is kept; results are plain values.
 * Errors: FLOE_ENOTFOUND (no table, a removed path not in the table), FLOE_ECONFLICT,
 * FLOE_EUNSUPPORTED, FLOE_EINVAL (bad arguments), FLOE_ECORRUPT (bad existing metadata or
 * manifests), FLOE_ENOMEM, -errno; one line naming the table directory and the file.
 */
#ifndef FLOE_IO_ICEBERG_COMMIT_H
#define FLOE_IO_ICEBERG_COMMIT_H

#include "io/iceberg_table.h" /* floe_ice_data_file, floe_ice_property, floe_ice_new_column */
#include "kernels/status.h"

#include <stddef.h>
#include <stdint.h>

typedef struct floe_ice_commit_request {
    const char *operation;                 /* NULL: "append" when nothing is removed, else
                                              "overwrite" (or "delete" when nothing is added) */
    const floe_ice_data_file *added_files; /* content DATA, POSITION_ or EQUALITY_DELETES;
                                              partition NULL (unpartitioned) */
    size_t added_count;
    const char *const *removed_paths;      /* paths of live data or delete files, as stored */
    size_t removed_count;
    const floe_ice_property *summary;      /* extra summary entries */
    size_t summary_count;
    int32_t expected_schema_id;            /* -1: any schema */
    int max_attempts;                      /* 0: 20 */
    /* Table-level changes published with the snapshot (see above); zero: none. */
    const floe_ice_property *set_properties;
    size_t set_property_count;
    const char *const *removed_properties; /* keys */
    size_t removed_property_count;
    const floe_ice_new_column *new_schema_columns; /* NULL: the schema stays */
    size_t new_schema_column_count;
    int64_t expected_snapshot_id;          /* 0: any; -1: none yet; > 0: must be current */
} floe_ice_commit_request;

typedef struct floe_ice_commit_result {
    int64_t snapshot_id;
    int64_t parent_snapshot_id;            /* -1: the first snapshot */
    int64_t sequence_number;
    int64_t version;                       /* the published metadata version */
    int attempts;                          /* 1 without conflicts */
} floe_ice_commit_result;

/* table_directory must be absolute (paths stored in metadata are). result may be NULL. */
int floe_ice_commit(const char *table_directory, const floe_ice_commit_request *request,
                    floe_ice_commit_result *result, floe_error *err);

/* A version with only property changes (no snapshot). result may be NULL. */
int floe_ice_commit_properties(const char *table_directory, const floe_ice_property *set,
                               size_t set_count, const char *const *removed, size_t removed_count,
                               floe_ice_commit_result *result, floe_error *err);

/* A version whose only change is a new current schema (no snapshot): ALTER TABLE ... ADD
 * COLUMN. Columns keep their field ids; one with id 0 gets a fresh one. expected_schema_id
 * (>= 0) makes it FLOE_ECONFLICT when the schema changed since the caller read it. */
int floe_ice_commit_schema(const char *table_directory, const floe_ice_new_column *columns,
                           size_t column_count, int32_t expected_schema_id,
                           floe_ice_commit_result *result, floe_error *err);

int floe_ice_commit_create_table(const char *table_directory, const floe_ice_new_column *columns,
                                 size_t column_count, const floe_ice_property *properties,
                                 size_t property_count, floe_error *err);

typedef void (*floe_ice_commit_hook)(const char *step, void *context);
void floe_ice_commit_set_test_hook(floe_ice_commit_hook hook, void *context);

#endif
