/*
 * state_store.h — where a dynamic table's keyed state lives between refreshes: the state
 * manifest, a small JSON file listing, for each named state set (an aggregate's groups, a join's
 * left or right arrangement), its buckets and the immutable files that hold each bucket
 * (DESIGN.md, "Keyed state and output").
 *
 * Layout. Every file is under <table>/floe/state/ and is never modified after it is written: a
 * refresh that changes bucket 3 writes a new file for bucket 3 and a new manifest that names it,
 * and the Iceberg commit's snapshot summary records the new manifest's path
 * (`floe.state-manifest`). Publishing the snapshot therefore publishes output and state together;
 * an unpublished refresh leaves only orphans (vacuum removes them). Per bucket the manifest holds
 * the state file and, for aggregating tables, the output data file of the same bucket ("merged
 * Parquet": a refresh rewrites the output file of each touched bucket only).
 *
 *   {"format": "floe-state", "format-version": 1, "refresh": 7,
 *    "sets": [{"name": "aggregate", "bucket-count": 16, "key-columns": 1,
 *              "buckets": [{"bucket": 3, "state": "/abs/.../floe/state/bucket-3-<uuid>.parquet",
 *                           "state-rows": 120, "output": "/abs/.../data/<uuid>.parquet",
 *                           "output-rows": 118}, ...]}]}
 *
 * Buckets absent from "buckets" are empty. Paths are absolute (DESIGN.md: paths in metadata are).
 *
 * Overlays. A bucket may also have an overlay: a state file holding the groups changed since
 * the bucket's state file was written (their whole current state; a group removed since is a
 * row of count 0 that hides the state file's), an output data file holding those groups' rows,
 * and a position delete file deleting the rows of the bucket's output file those groups had.
 * The bucket's groups are its state file's with the overlay's replacing or adding to them; its
 * rows, its output file's less the deleted ones plus the overlay's. refresh_incremental.c
 * writes and compacts overlays; an older Floe reading one does not know the key and would
 * miss the overlay, so the manifest's format-version is 2 when any bucket has one.
 *
 *   {"bucket": 3, "state": "...", "state-rows": 62000, "output": "...", "output-rows": 62000,
 *    "overlay": {"state": "...", "state-rows": 3100, "output": "...", "output-rows": 3050,
 *                "deletes": "...", "deleted-rows": 2900}}
 *
 * Output files of a non-aggregating table (engine/refresh_rows.c) are not bucketed: its set
 * ("rows", bucket-count 1, no buckets) lists them under the optional "files" key, each with its
 * row count, the rows position-deleted since it was written, the position delete files that
 * name it, and its lineage: the source data files (paths as stored in their manifests) whose
 * rows it may hold. "sources" absent means the lineage is unknown (a plan whose rows are not
 * each from one source row, e.g. a join): such a file is read whenever rows are retracted.
 *
 *   {"name": "rows", "bucket-count": 1, "key-columns": 0, "buckets": [],
 *    "files": [{"output": "/abs/.../data/floe-<uuid>.parquet", "output-rows": 1000,
 *               "deleted-rows": 3, "deletes": ["/abs/.../data/floe-deletes-<uuid>.parquet"],
 *               "sources": ["/abs/.../orders/data/<uuid>.parquet"]}]}
 *
 * Manifests written before "files" existed have none, which is read as an empty list.
 *
 * Bucketing. floe_eng_state_bucket_of maps a 64-bit key hash to [0, bucket_count) by the high
 * bits (multiply-high), so when a set grows from B to 2B buckets, bucket b splits exactly into 2b
 * and 2b+1: splitting rewrites one bucket's file into two without touching the others. Bucket
 * counts are powers of two from 1 to FLOE_ENG_STATE_MAX_BUCKETS.
 *
 * Ownership: a manifest owns its sets, buckets and path strings (floe_malloc'd copies of what the
 * setters are given); floe_eng_state_manifest_fini frees them.
 * Errors: FLOE_ECORRUPT (a manifest that is not this format: the message names the file and what
 * is wrong), FLOE_ENOTFOUND (no such file), FLOE_EINVAL (bucket out of range, bad count, duplicate
 * set name), FLOE_ENOMEM, -errno from the file system.
 */
#ifndef FLOE_ENGINE_STATE_STORE_H
#define FLOE_ENGINE_STATE_STORE_H

#include "kernels/status.h"
#include "kernels/types.h" /* floe_uint128 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { FLOE_ENG_STATE_MAX_BUCKETS = 65536 };

/* A bucket's overlay (see "Overlays" above). */
typedef struct floe_eng_state_overlay {
    char *state_path;   /* never NULL in a bucket's overlay */
    int64_t state_rows;
    char *output_path;  /* NULL: no row of the overlay's groups is in the output */
    int64_t output_rows;
    char *deletes_path; /* NULL: no row of the bucket's output file is replaced */
    int64_t deleted_rows;
} floe_eng_state_overlay;

typedef struct floe_eng_state_bucket {
    char *state_path;   /* NULL: no state file (empty bucket) */
    int64_t state_rows;
    char *output_path;  /* NULL: no output file for this bucket */
    int64_t output_rows;
    bool has_overlay;
    floe_eng_state_overlay overlay; /* when has_overlay */
} floe_eng_state_bucket;

/* One live output data file of a non-aggregating table (see "Output files" above). */
typedef struct floe_eng_state_output_file {
    char *path;
    int64_t rows;           /* rows written to it */
    int64_t deleted_rows;   /* of those, rows position-deleted since */
    char **deletes;         /* position delete files naming it */
    uint32_t delete_count;
    bool sources_known;     /* false: lineage unknown ("sources" absent) */
    char **sources;         /* source data files its rows may come from */
    uint32_t source_count;
} floe_eng_state_output_file;

typedef struct floe_eng_state_set {
    char *name;
    uint32_t bucket_count;
    uint32_t key_column_count;      /* leading columns of a state file that form the key */
    floe_eng_state_bucket *buckets; /* bucket_count entries */
    floe_eng_state_output_file *files; /* non-aggregating tables' output files */
    uint32_t file_count, file_capacity;
} floe_eng_state_set;

typedef struct floe_eng_state_manifest {
    int64_t refresh_number;
    floe_eng_state_set *sets;
    uint32_t set_count;
} floe_eng_state_manifest;

void floe_eng_state_manifest_init(floe_eng_state_manifest *manifest);
void floe_eng_state_manifest_fini(floe_eng_state_manifest *manifest);

/* Adds an empty set; *set (may be NULL) points at it until the next add. */
int floe_eng_state_manifest_add_set(floe_eng_state_manifest *manifest, const char *name,
                                    uint32_t bucket_count, uint32_t key_column_count,
                                    floe_eng_state_set **set, floe_error *err);
/* The set named `name`, or NULL. */
floe_eng_state_set *floe_eng_state_manifest_find_set(const floe_eng_state_manifest *manifest,
                                                     const char *name);

/* Replaces bucket `bucket`'s files (NULL paths clear them) and drops its overlay. Copies the
 * strings. */
int floe_eng_state_set_bucket(floe_eng_state_set *set, uint32_t bucket, const char *state_path,
                              int64_t state_rows, const char *output_path, int64_t output_rows,
                              floe_error *err);

/* Replaces bucket `bucket`'s overlay with a copy of `overlay` (NULL: drops it), keeping its
 * files. FLOE_EINVAL when the bucket has no state file or the overlay no state path. */
int floe_eng_state_set_overlay(floe_eng_state_set *set, uint32_t bucket,
                               const floe_eng_state_overlay *overlay, floe_error *err);

/* Appends a copy of `file` (its strings and arrays copied) to the set's output files.
 * FLOE_EINVAL for a NULL or relative path, FLOE_ENOMEM. */
int floe_eng_state_set_add_file(floe_eng_state_set *set, const floe_eng_state_output_file *file,
                                floe_error *err);

/* A deep copy (the next refresh starts from the last manifest and replaces touched buckets). */
int floe_eng_state_manifest_copy(const floe_eng_state_manifest *source,
                                 floe_eng_state_manifest *copy, floe_error *err);

/* Reads and validates a manifest file. On error *manifest is left empty (fini is still safe). */
int floe_eng_state_manifest_read(const char *path, floe_eng_state_manifest *manifest,
                                 floe_error *err);
/* The same from bytes in memory; `name` is used in messages. */
int floe_eng_state_manifest_parse(const char *bytes, size_t size, const char *name,
                                  floe_eng_state_manifest *manifest, floe_error *err);

/* Writes the manifest as a new durable file <table_directory>/floe/state/manifest-<uuid>.json
 * (creating the folder) and returns its path in a floe_malloc'd *path. The folder's entry is not
 * fsynced here: the Iceberg commit fsyncs floe/state/ before it publishes. */
int floe_eng_state_manifest_write(const char *table_directory,
                                  const floe_eng_state_manifest *manifest, char **path,
                                  floe_error *err);

/* The bucket of a key hash among bucket_count (a power of two). */
static inline uint32_t floe_eng_state_bucket_of(uint64_t hash, uint32_t bucket_count)
{
    return (uint32_t)(((floe_uint128)hash * bucket_count) >> 64);
}

/* Every file path the manifest names (state and output files, overlays' files, then each set's
 * output files and the position delete files they list, a delete file once per file naming
 * it), in set then bucket order, appended to
 * a floe_malloc'd array of borrowed pointers (valid while the manifest lives). */
int floe_eng_state_manifest_paths(const floe_eng_state_manifest *manifest, const char ***paths,
                                  size_t *count, floe_error *err);

#endif
