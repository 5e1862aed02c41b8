/*
 * iceberg_changes.c — what changed in a table between two snapshots, snapshot by snapshot.
 *
 * Why: an incremental refresh must cost what the change costs, not what the history costs. So
 * this walks parent links in the metadata (no file reads), then reads the manifest list of
 * `to` once and, of all the manifests, only those written by a snapshot on the path (the rule
 * and its spec references are in iceberg_table.h). A snapshot's own manifest list is read only
 * when `to`'s list cannot be complete for it: it removed files, or its summary's added counts
 * are not all found (a later snapshot merged its manifest away), or it has no full summary.
 */
#define _POSIX_C_SOURCE 200809L

#include "io/iceberg_table_int.h"

#include "kernels/memory.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void floe_ice_changes_free(floe_ice_changes *changes)
{
    if (changes == NULL) return;
    floe_ice_manifest_cache_free(changes->cache);
    floe_arena_fini(&changes->arena);
    floe_free(changes);
}

/* A non-negative count from the summary; 0 when absent, -1 when not a number. */
static int64_t summary_count(const floe_ice_snapshot *snapshot, const char *key)
{
    const char *text = floe_ice_snapshot_summary(snapshot, key);
    if (text == NULL) return 0;
    char *end;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < 0) return -1;
    return value;
}

typedef struct growing {
    floe_ice_scan_file *items;
    size_t count;
    size_t capacity;
} growing;

static floe_ice_scan_file *grow_one(growing *array)
{
    if (array->count == array->capacity) {
        size_t capacity = array->capacity ? array->capacity * 2 : 16;
        floe_ice_scan_file *items = floe_realloc(array->items, capacity * sizeof *items);
        if (items == NULL) return NULL;
        array->items = items;
        array->capacity = capacity;
    }
    return &array->items[array->count++];
}

enum { ADDED_DATA, REMOVED_DATA, ADDED_DELETES, REMOVED_DELETES, KINDS };

/* Collects the entries snapshot S added or removed, from the manifests of `manifests` that S
 * wrote (or whose writer is unknown: v1 "manifests" arrays). */
static int collect(const floe_ice_table *table, floe_ice_changes *changes,
                   const floe_ice_snapshot *snapshot, const floe_ice_snapshot_manifests *manifests,
                   growing files[KINDS], floe_error *err)
{
    for (size_t m = 0; m < manifests->count; m++) {
        const floe_ice_manifest_file *list_entry = &manifests->files[m];
        if (list_entry->added_snapshot_id != snapshot->snapshot_id &&
            list_entry->added_snapshot_id != -1)
            continue;
        floe_ice_manifest *manifest = NULL;
        FLOE_TRY(floe_ice_manifest_cache_get(changes->cache, table, list_entry, &manifest, err));
        for (size_t e = 0; e < manifest->count; e++) {
            const floe_ice_manifest_entry *entry = &manifest->entries[e];
            if (!entry->has_snapshot_id || entry->snapshot_id != snapshot->snapshot_id) continue;
            if (entry->status == FLOE_ICE_STATUS_EXISTING) continue;
            int is_data = entry->data_file.content == FLOE_ICE_CONTENT_DATA;
            int kind = entry->status == FLOE_ICE_STATUS_ADDED ? (is_data ? ADDED_DATA : ADDED_DELETES)
                                                              : (is_data ? REMOVED_DATA : REMOVED_DELETES);
            floe_ice_scan_file *file = grow_one(&files[kind]);
            FLOE_RETURN_IF(file == NULL, FLOE_ENOMEM, err, "out of memory");
            FLOE_TRY(floe_ice_scan_file_fill(table, &changes->arena, manifest, entry, file, err));
        }
    }
    return FLOE_OK;
}

/* Whether `to`'s manifest list alone holds every entry S added or removed (see the header). */
static int summary_says_complete(const floe_ice_snapshot *snapshot, const growing files[KINDS])
{
    if (snapshot->operation == NULL || floe_ice_snapshot_summary(snapshot, "total-data-files") == NULL)
        return 0;
    int64_t added_data = summary_count(snapshot, "added-data-files");
    int64_t added_deletes = summary_count(snapshot, "added-delete-files");
    int64_t removed_data = summary_count(snapshot, "deleted-data-files");
    int64_t removed_deletes = summary_count(snapshot, "removed-delete-files");
    if (added_data < 0 || added_deletes < 0 || removed_data != 0 || removed_deletes != 0) return 0;
    return (int64_t)files[ADDED_DATA].count == added_data &&
           (int64_t)files[ADDED_DELETES].count == added_deletes && files[REMOVED_DATA].count == 0 &&
           files[REMOVED_DELETES].count == 0;
}

static int move_to_arena(floe_arena *arena, growing *array, floe_ice_scan_file **items,
                         size_t *count, floe_error *err)
{
    *count = array->count;
    *items = NULL;
    if (array->count == 0) return FLOE_OK;
    *items = floe_arena_alloc(arena, array->count * sizeof **items);
    FLOE_RETURN_IF(*items == NULL, FLOE_ENOMEM, err, "out of memory");
    memcpy(*items, array->items, array->count * sizeof **items);
    return FLOE_OK;
}

static int snapshot_changes(const floe_ice_table *table, floe_ice_changes *changes,
                            const floe_ice_snapshot *snapshot,
                            const floe_ice_snapshot_manifests *to_manifests, unsigned flags,
                            floe_ice_snapshot_changes *out, floe_error *err)
{
    out->snapshot = snapshot;
    out->operation = floe_ice_operation_from_text(snapshot->operation);
    growing files[KINDS];
    memset(files, 0, sizeof files);
    int is_to = snapshot->snapshot_id == changes->to_snapshot_id;
    int status = FLOE_OK;
    int use_own_list = !is_to && (flags & FLOE_ICE_CHANGES_READ_EVERY_LIST);
    if (!use_own_list) {
        status = collect(table, changes, snapshot, to_manifests, files, err);
        if (status == FLOE_OK && !is_to && !summary_says_complete(snapshot, files)) {
            for (int kind = 0; kind < KINDS; kind++) files[kind].count = 0;
            use_own_list = 1;
        }
    }
    if (status == FLOE_OK && use_own_list) {
        floe_ice_snapshot_manifests own;
        status = floe_ice_snapshot_manifests_load(table, snapshot, changes->cache,
                                                  &changes->arena, &own, err);
        if (status == FLOE_OK) {
            changes->manifest_lists_read++;
            status = collect(table, changes, snapshot, &own, files, err);
            floe_ice_snapshot_manifests_fini(&own);
        }
    }
    if (status == FLOE_OK)
        status = move_to_arena(&changes->arena, &files[ADDED_DATA], &out->added_data_files,
                               &out->added_data_file_count, err);
    if (status == FLOE_OK)
        status = move_to_arena(&changes->arena, &files[REMOVED_DATA], &out->removed_data_files,
                               &out->removed_data_file_count, err);
    if (status == FLOE_OK)
        status = move_to_arena(&changes->arena, &files[ADDED_DELETES], &out->added_delete_files,
                               &out->added_delete_file_count, err);
    if (status == FLOE_OK)
        status = move_to_arena(&changes->arena, &files[REMOVED_DELETES],
                               &out->removed_delete_files, &out->removed_delete_file_count, err);
    for (int kind = 0; kind < KINDS; kind++) floe_free(files[kind].items);
    return status;
}

static int set_reason(floe_ice_changes *changes, floe_error *err, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static int set_reason(floe_ice_changes *changes, floe_error *err, const char *format, ...)
{
    char text[512];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    changes->from_is_ancestor = 0;
    changes->reason = floe_arena_strndup(&changes->arena, text, strlen(text));
    FLOE_RETURN_IF(changes->reason == NULL, FLOE_ENOMEM, err, "out of memory");
    return FLOE_OK;
}

/* Fills path[] with the snapshots after `from` up to `to`, newest first; or sets the reason
 * why there is no such path. */
static int walk_parents(const floe_ice_table *table, floe_ice_changes *changes,
                        const floe_ice_snapshot *to, const floe_ice_snapshot **path,
                        size_t *path_length, floe_error *err)
{
    const floe_ice_table_metadata *metadata = table->metadata;
    int64_t from = changes->from_snapshot_id;
    *path_length = 0;
    if (from != -1 && !floe_ice_snapshot_is_ancestor(metadata, from, to->snapshot_id)) {
        if (floe_ice_snapshot_by_id(metadata, from) == NULL)
            return set_reason(changes, err,
                              "snapshot %" PRId64 " no longer exists (expired); %" PRId64
                              " cannot be reached from it",
                              from, to->snapshot_id);
        return set_reason(changes, err,
                          "snapshot %" PRId64 " is not an ancestor of %" PRId64
                          " (rolled back, or on another branch)",
                          from, to->snapshot_id);
    }
    const floe_ice_snapshot *snapshot = to;
    while (snapshot->snapshot_id != from) {
        FLOE_RETURN_IF(*path_length >= metadata->snapshot_count, FLOE_ECORRUPT, err,
                       "%s: parent-snapshot-id links form a cycle through snapshot %" PRId64,
                       table->metadata_path, snapshot->snapshot_id);
        path[(*path_length)++] = snapshot;
        if (snapshot->parent_snapshot_id == -1) break; /* the beginning (from == -1) */
        const floe_ice_snapshot *parent = floe_ice_snapshot_by_id(metadata,
                                                                  snapshot->parent_snapshot_id);
        if (parent == NULL) {
            *path_length = 0;
            return set_reason(changes, err,
                              "the history before snapshot %" PRId64 " has expired (parent %" PRId64
                              " is gone)",
                              snapshot->snapshot_id, snapshot->parent_snapshot_id);
        }
        snapshot = parent;
    }
    return FLOE_OK;
}

static int build_changes(const floe_ice_table *table, floe_ice_changes *changes, unsigned flags,
                         floe_error *err)
{
    const floe_ice_snapshot *to = floe_ice_snapshot_by_id(table->metadata, changes->to_snapshot_id);
    const floe_ice_snapshot **path =
        floe_malloc((table->metadata->snapshot_count + 1) * sizeof *path);
    FLOE_RETURN_IF(path == NULL, FLOE_ENOMEM, err, "out of memory");
    size_t length = 0;
    int status = walk_parents(table, changes, to, path, &length, err);
    if (status == FLOE_OK && changes->from_is_ancestor && length > 0) {
        changes->snapshots = floe_arena_alloc_zero(&changes->arena, length * sizeof *changes->snapshots);
        if (changes->snapshots == NULL) status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    if (status == FLOE_OK && changes->from_is_ancestor && length > 0) {
        floe_ice_snapshot_manifests to_manifests;
        status = floe_ice_snapshot_manifests_load(table, to, changes->cache, &changes->arena,
                                                  &to_manifests, err);
        if (status == FLOE_OK) {
            changes->manifest_lists_read++;
            for (size_t i = 0; status == FLOE_OK && i < length; i++) {
                status = snapshot_changes(table, changes, path[length - 1 - i], &to_manifests,
                                          flags, &changes->snapshots[i], err);
                if (status == FLOE_OK) changes->snapshot_count++;
            }
            floe_ice_snapshot_manifests_fini(&to_manifests);
        }
    }
    changes->manifests_read = floe_ice_manifest_cache_reads(changes->cache);
    floe_free(path);
    return status;
}

int floe_ice_table_changes_with(const floe_ice_table *table, int64_t from_snapshot_id,
                                int64_t to_snapshot_id, unsigned flags,
                                floe_ice_changes **out, floe_error *err)
{
    *out = NULL;
    FLOE_RETURN_IF(table == NULL, FLOE_EINVAL, err, "no table");
    if (to_snapshot_id == -1) to_snapshot_id = table->metadata->current_snapshot_id;
    FLOE_RETURN_IF(to_snapshot_id == -1 && from_snapshot_id != -1, FLOE_ENOTFOUND, err,
                   "%s: the table has no snapshot", table->directory);
    FLOE_RETURN_IF(to_snapshot_id != -1 &&
                       floe_ice_snapshot_by_id(table->metadata, to_snapshot_id) == NULL,
                   FLOE_ENOTFOUND, err, "%s: no snapshot %" PRId64, table->directory,
                   to_snapshot_id);
    floe_ice_changes *changes = floe_calloc(1, sizeof *changes);
    FLOE_RETURN_IF(changes == NULL, FLOE_ENOMEM, err, "out of memory");
    floe_arena_init(&changes->arena, 0, 0);
    changes->from_snapshot_id = from_snapshot_id;
    changes->to_snapshot_id = to_snapshot_id;
    changes->from_is_ancestor = 1;
    int status = floe_ice_manifest_cache_create(&changes->cache, err);
    if (status == FLOE_OK && to_snapshot_id != -1 && from_snapshot_id != to_snapshot_id)
        status = build_changes(table, changes, flags, err);
    if (status != FLOE_OK) {
        floe_ice_changes_free(changes);
        return status;
    }
    *out = changes;
    return FLOE_OK;
}

int floe_ice_table_changes(const floe_ice_table *table, int64_t from_snapshot_id,
                           int64_t to_snapshot_id, floe_ice_changes **changes, floe_error *err)
{
    return floe_ice_table_changes_with(table, from_snapshot_id, to_snapshot_id, 0, changes, err);
}
