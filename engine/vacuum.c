/* vacuum.c — orphan files of a table (engine/vacuum.h). */
#include "engine/vacuum.h"

#include "engine/refresh_incremental.h" /* the summary keys: state manifest, changelog */
#include "engine/state_store.h"
#include "io/iceberg_locate.h"
#include "io/iceberg_table.h" /* and, renamed as it documents, io/iceberg_manifest.h */
#include "kernels/memory.h"

#include <string.h>
#include <sys/stat.h>

typedef struct referenced_set {
    floe_ice_table *table;
    floe_io_string_list paths; /* resolved, unsorted until the end */
} referenced_set;

/* Resolves a stored path and keeps it; a path that no longer resolves is skipped (a file that is
 * not there cannot be an orphan). */
static int keep(referenced_set *set, const char *stored, char **resolved_out, floe_error *err)
{
    if (resolved_out != NULL)
        *resolved_out = NULL;
    char *resolved = NULL;
    floe_error ignored;
    int status = floe_ice_resolve_path(stored, set->table->metadata->location,
                                       set->table->directory, &resolved, &ignored);
    if (status == FLOE_ENOMEM)
        return floe_error_set(err, FLOE_ENOMEM, "out of memory listing referenced files");
    if (status != FLOE_OK)
        return FLOE_OK;
    floe_io_string_list *paths = &set->paths;
    if (paths->count == paths->capacity) {
        size_t capacity = paths->capacity ? paths->capacity * 2 : 64;
        char **grown = floe_realloc(paths->items, capacity * sizeof *grown);
        if (grown == NULL) {
            floe_free(resolved);
            return floe_error_set(err, FLOE_ENOMEM, "out of memory listing referenced files");
        }
        paths->items = grown;
        paths->capacity = capacity;
    }
    paths->items[paths->count++] = resolved;
    if (resolved_out != NULL)
        *resolved_out = resolved;
    return FLOE_OK;
}

static int keep_manifest(referenced_set *set, const char *stored, floe_error *err)
{
    char *path = NULL;
    FLOE_TRY(keep(set, stored, &path, err));
    if (path == NULL)
        return FLOE_OK;
    floe_ice_manifest *manifest = NULL;
    FLOE_TRY(floe_ice_manifest_read(path, &manifest, err));
    int status = FLOE_OK;
    for (size_t i = 0; status == FLOE_OK && i < manifest->count; i++)
        status = keep(set, manifest->entries[i].data_file.file_path, NULL, err);
    floe_ice_manifest_free(manifest);
    return status;
}

static int keep_state(referenced_set *set, const char *stored, floe_error *err)
{
    char *path = NULL;
    FLOE_TRY(keep(set, stored, &path, err));
    if (path == NULL)
        return FLOE_OK;
    floe_eng_state_manifest manifest;
    FLOE_TRY(floe_eng_state_manifest_read(path, &manifest, err));
    const char **files = NULL;
    size_t count = 0;
    int status = floe_eng_state_manifest_paths(&manifest, &files, &count, err);
    for (size_t i = 0; status == FLOE_OK && i < count; i++)
        status = keep(set, files[i], NULL, err);
    floe_free(files);
    floe_eng_state_manifest_fini(&manifest);
    return status;
}

static int keep_snapshot(referenced_set *set, const floe_ice_snapshot *snapshot, floe_error *err)
{
    for (size_t i = 0; i < snapshot->summary_count; i++) {
        const floe_ice_property *entry = &snapshot->summary[i];
        if (strcmp(entry->key, FLOE_ENG_SUMMARY_STATE_MANIFEST) == 0)
            FLOE_TRY(keep_state(set, entry->value, err));
        else if (strcmp(entry->key, FLOE_ENG_SUMMARY_CHANGELOG) == 0)
            FLOE_TRY(keep(set, entry->value, NULL, err));
    }
    for (size_t i = 0; i < snapshot->manifest_count; i++)
        FLOE_TRY(keep_manifest(set, snapshot->manifests[i], err));
    if (snapshot->manifest_list == NULL)
        return FLOE_OK;
    char *list_path = NULL;
    FLOE_TRY(keep(set, snapshot->manifest_list, &list_path, err));
    if (list_path == NULL)
        return FLOE_OK;
    floe_ice_manifest_list *list = NULL;
    FLOE_TRY(floe_ice_manifest_list_read(list_path, &list, err));
    int status = FLOE_OK;
    for (size_t i = 0; status == FLOE_OK && i < list->count; i++)
        status = keep_manifest(set, list->entries[i].manifest_path, err);
    floe_ice_manifest_list_free(list);
    return status;
}

static int compare_strings(const void *left, const void *right)
{
    return strcmp(*(char *const *)left, *(char *const *)right);
}

int floe_eng_vacuum_table(const char *warehouse, const char *table_name, int64_t min_age_seconds,
                          bool dry_run, floe_eng_vacuum_result *result,
                          floe_io_string_list *orphans_out, floe_error *err)
{
    memset(result, 0, sizeof *result);
    referenced_set set = {0};
    floe_io_string_list_init(&set.paths);
    floe_io_string_list orphans;
    floe_io_string_list_init(&orphans);
    int status = floe_ice_table_open(&set.table, table_name, warehouse, err);
    const floe_ice_table_metadata *metadata = status == FLOE_OK ? set.table->metadata : NULL;
    for (size_t i = 0; status == FLOE_OK && i < metadata->snapshot_count; i++)
        status = keep_snapshot(&set, &metadata->snapshots[i], err);
    if (status == FLOE_OK) {
        /* Manifests are shared between snapshots: count each file once. */
        qsort(set.paths.items, set.paths.count, sizeof *set.paths.items, compare_strings);
        size_t distinct = 0;
        for (size_t i = 0; i < set.paths.count; i++) {
            if (distinct > 0 && strcmp(set.paths.items[distinct - 1], set.paths.items[i]) == 0) {
                floe_free(set.paths.items[i]);
                continue;
            }
            set.paths.items[distinct++] = set.paths.items[i];
        }
        set.paths.count = distinct;
        result->referenced_files = distinct;
        status = floe_io_catalog_list_orphans(set.table->directory,
                                              (const char *const *)set.paths.items, distinct,
                                              min_age_seconds, &orphans, err);
    }
    for (size_t i = 0; status == FLOE_OK && i < orphans.count; i++) {
        struct stat info;
        if (stat(orphans.items[i], &info) == 0)
            result->orphan_bytes += info.st_size;
    }
    result->orphan_files = status == FLOE_OK ? orphans.count : 0;
    if (status == FLOE_OK && !dry_run && orphans.count > 0)
        status = floe_io_catalog_remove_files(set.table->directory, &orphans, NULL, err);
    if (status != FLOE_OK && set.table != NULL)
        floe_error_prefix(err, "vacuum %s", set.table->directory);
    if (status == FLOE_OK && orphans_out != NULL) {
        *orphans_out = orphans;
        floe_io_string_list_init(&orphans);
    }
    floe_io_string_list_fini(&orphans);
    floe_io_string_list_fini(&set.paths);
    floe_ice_table_free(set.table);
    return status;
}
