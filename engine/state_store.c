/* state_store.c — the state manifest (engine/state_store.h). */
#include "engine/state_store.h"

#include "io/catalog_fs.h"
#include "io/fs_util.h"
#include "kernels/memory.h"

#include <jansson.h>
#include <limits.h>
#include <linux/limits.h> /* PATH_MAX */
#include <stdbool.h>
#include <string.h>

enum { MANIFEST_MAX_BYTES = 64 << 20 };

static char *copy_string(const char *text)
{
    if (text == NULL)
        return NULL;
    size_t length = strlen(text);
    char *copy = floe_malloc(length + 1);
    if (copy != NULL)
        memcpy(copy, text, length + 1);
    return copy;
}

static void free_strings(char **strings, uint32_t count)
{
    for (uint32_t i = 0; strings != NULL && i < count; i++)
        floe_free(strings[i]);
    floe_free(strings);
}

static void output_file_fini(floe_eng_state_output_file *file)
{
    floe_free(file->path);
    free_strings(file->deletes, file->delete_count);
    free_strings(file->sources, file->source_count);
    memset(file, 0, sizeof *file);
}

/* A floe_malloc'd copy of `count` strings (at least one slot), or NULL. */
static char **copy_strings(char *const *strings, uint32_t count)
{
    char **copy = floe_calloc((size_t)count + 1, sizeof *copy);
    for (uint32_t i = 0; copy != NULL && i < count; i++) {
        copy[i] = copy_string(strings[i]);
        if (copy[i] == NULL) {
            free_strings(copy, i);
            return NULL;
        }
    }
    return copy;
}

static void overlay_fini(floe_eng_state_overlay *overlay)
{
    floe_free(overlay->state_path);
    floe_free(overlay->output_path);
    floe_free(overlay->deletes_path);
    memset(overlay, 0, sizeof *overlay);
}

static void set_fini(floe_eng_state_set *set)
{
    for (uint32_t f = 0; set->files != NULL && f < set->file_count; f++)
        output_file_fini(&set->files[f]);
    floe_free(set->files);
    for (uint32_t b = 0; set->buckets != NULL && b < set->bucket_count; b++) {
        floe_free(set->buckets[b].state_path);
        floe_free(set->buckets[b].output_path);
        overlay_fini(&set->buckets[b].overlay);
    }
    floe_free(set->buckets);
    floe_free(set->name);
    memset(set, 0, sizeof *set);
}

void floe_eng_state_manifest_init(floe_eng_state_manifest *manifest)
{
    memset(manifest, 0, sizeof *manifest);
}

void floe_eng_state_manifest_fini(floe_eng_state_manifest *manifest)
{
    for (uint32_t i = 0; i < manifest->set_count; i++)
        set_fini(&manifest->sets[i]);
    floe_free(manifest->sets);
    memset(manifest, 0, sizeof *manifest);
}

static bool is_power_of_two(uint64_t value)
{
    return value != 0 && (value & (value - 1)) == 0;
}

floe_eng_state_set *floe_eng_state_manifest_find_set(const floe_eng_state_manifest *manifest,
                                                     const char *name)
{
    for (uint32_t i = 0; i < manifest->set_count; i++)
        if (strcmp(manifest->sets[i].name, name) == 0)
            return &manifest->sets[i];
    return NULL;
}

int floe_eng_state_manifest_add_set(floe_eng_state_manifest *manifest, const char *name,
                                    uint32_t bucket_count, uint32_t key_column_count,
                                    floe_eng_state_set **set, floe_error *err)
{
    if (set != NULL)
        *set = NULL;
    if (!is_power_of_two(bucket_count) || bucket_count > FLOE_ENG_STATE_MAX_BUCKETS)
        return floe_error_set(err, FLOE_EINVAL,
                              "state set %s: bucket count %u is not a power of two in 1..%d",
                              name, bucket_count, FLOE_ENG_STATE_MAX_BUCKETS);
    if (floe_eng_state_manifest_find_set(manifest, name) != NULL)
        return floe_error_set(err, FLOE_EINVAL, "state set %s is already in the manifest", name);
    floe_eng_state_set *grown =
        floe_realloc(manifest->sets, (manifest->set_count + 1) * sizeof *grown);
    if (grown == NULL)
        return floe_error_set(err, FLOE_ENOMEM, "out of memory adding state set %s", name);
    manifest->sets = grown;
    floe_eng_state_set *added = &manifest->sets[manifest->set_count];
    memset(added, 0, sizeof *added);
    added->name = copy_string(name);
    added->buckets = floe_calloc(bucket_count, sizeof *added->buckets);
    if (added->name == NULL || added->buckets == NULL) {
        floe_free(added->name);
        floe_free(added->buckets);
        memset(added, 0, sizeof *added);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory adding state set %s", name);
    }
    added->bucket_count = bucket_count;
    added->key_column_count = key_column_count;
    manifest->set_count++;
    if (set != NULL)
        *set = added;
    return FLOE_OK;
}

int floe_eng_state_set_bucket(floe_eng_state_set *set, uint32_t bucket, const char *state_path,
                              int64_t state_rows, const char *output_path, int64_t output_rows,
                              floe_error *err)
{
    if (bucket >= set->bucket_count)
        return floe_error_set(err, FLOE_EINVAL, "state set %s: bucket %u of %u", set->name,
                              bucket, set->bucket_count);
    char *state_copy = copy_string(state_path);
    char *output_copy = copy_string(output_path);
    if ((state_path != NULL && state_copy == NULL) || (output_path != NULL && output_copy == NULL)) {
        floe_free(state_copy);
        floe_free(output_copy);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory recording state bucket %u", bucket);
    }
    floe_eng_state_bucket *entry = &set->buckets[bucket];
    floe_free(entry->state_path);
    floe_free(entry->output_path);
    overlay_fini(&entry->overlay);
    *entry = (floe_eng_state_bucket){state_copy, state_path ? state_rows : 0, output_copy,
                                     output_path ? output_rows : 0, false, {0}};
    return FLOE_OK;
}

int floe_eng_state_set_overlay(floe_eng_state_set *set, uint32_t bucket,
                               const floe_eng_state_overlay *overlay, floe_error *err)
{
    if (bucket >= set->bucket_count)
        return floe_error_set(err, FLOE_EINVAL, "state set %s: bucket %u of %u", set->name,
                              bucket, set->bucket_count);
    floe_eng_state_bucket *entry = &set->buckets[bucket];
    if (overlay == NULL) {
        overlay_fini(&entry->overlay);
        entry->has_overlay = false;
        return FLOE_OK;
    }
    if (entry->state_path == NULL || overlay->state_path == NULL)
        return floe_error_set(err, FLOE_EINVAL,
                              "state set %s: bucket %u: an overlay needs the bucket's state file "
                              "and its own",
                              set->name, bucket);
    floe_eng_state_overlay copy = {
        copy_string(overlay->state_path), overlay->state_rows,
        copy_string(overlay->output_path), overlay->output_path ? overlay->output_rows : 0,
        copy_string(overlay->deletes_path), overlay->deletes_path ? overlay->deleted_rows : 0,
    };
    if (copy.state_path == NULL || (overlay->output_path != NULL && copy.output_path == NULL) ||
        (overlay->deletes_path != NULL && copy.deletes_path == NULL)) {
        overlay_fini(&copy);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory recording state bucket %u", bucket);
    }
    overlay_fini(&entry->overlay);
    entry->overlay = copy;
    entry->has_overlay = true;
    return FLOE_OK;
}

int floe_eng_state_set_add_file(floe_eng_state_set *set, const floe_eng_state_output_file *file,
                                floe_error *err)
{
    if (file->path == NULL || file->path[0] != '/')
        return floe_error_set(err, FLOE_EINVAL, "state set %s: an output file needs an absolute path",
                              set->name);
    if (set->file_count == set->file_capacity) {
        uint32_t grown = set->file_capacity != 0 ? set->file_capacity * 2 : 8;
        floe_eng_state_output_file *larger = floe_realloc(set->files, grown * sizeof *larger);
        if (larger == NULL)
            return floe_error_set(err, FLOE_ENOMEM, "out of memory recording an output file");
        set->files = larger;
        set->file_capacity = grown;
    }
    floe_eng_state_output_file copy = {
        .path = copy_string(file->path),
        .rows = file->rows,
        .deleted_rows = file->deleted_rows,
        .deletes = copy_strings(file->deletes, file->delete_count),
        .delete_count = file->delete_count,
        .sources_known = file->sources_known,
        .sources = file->sources_known ? copy_strings(file->sources, file->source_count) : NULL,
        .source_count = file->sources_known ? file->source_count : 0,
    };
    if (copy.path == NULL || copy.deletes == NULL || (copy.sources_known && copy.sources == NULL)) {
        output_file_fini(&copy);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory recording an output file");
    }
    set->files[set->file_count++] = copy;
    return FLOE_OK;
}

int floe_eng_state_manifest_copy(const floe_eng_state_manifest *source,
                                 floe_eng_state_manifest *copy, floe_error *err)
{
    floe_eng_state_manifest_init(copy);
    copy->refresh_number = source->refresh_number;
    for (uint32_t i = 0; i < source->set_count; i++) {
        const floe_eng_state_set *from = &source->sets[i];
        floe_eng_state_set *to = NULL;
        int status = floe_eng_state_manifest_add_set(copy, from->name, from->bucket_count,
                                                     from->key_column_count, &to, err);
        for (uint32_t b = 0; status == FLOE_OK && b < from->bucket_count; b++) {
            const floe_eng_state_bucket *bucket = &from->buckets[b];
            if (bucket->state_path != NULL || bucket->output_path != NULL)
                status = floe_eng_state_set_bucket(to, b, bucket->state_path, bucket->state_rows,
                                                   bucket->output_path, bucket->output_rows, err);
            if (status == FLOE_OK && bucket->has_overlay)
                status = floe_eng_state_set_overlay(to, b, &bucket->overlay, err);
        }
        for (uint32_t f = 0; status == FLOE_OK && f < from->file_count; f++)
            status = floe_eng_state_set_add_file(to, &from->files[f], err);
        if (status != FLOE_OK) {
            floe_eng_state_manifest_fini(copy);
            return status;
        }
    }
    return FLOE_OK;
}

/* ---- reading ----------------------------------------------------------------------------- */

typedef struct reader {
    const char *name;
    floe_error *err;
} reader;

static int corrupt(reader *r, const char *what)
{
    return floe_error_set(r->err, FLOE_ECORRUPT, "state manifest %s: %s", r->name, what);
}

static int get_integer(reader *r, const json_t *object, const char *key, bool required,
                       int64_t minimum, int64_t maximum, int64_t *out)
{
    const json_t *value = json_object_get(object, key);
    if (value == NULL) {
        if (!required)
            return FLOE_OK;
        return floe_error_set(r->err, FLOE_ECORRUPT, "state manifest %s: missing \"%s\"",
                              r->name, key);
    }
    if (!json_is_integer(value) || json_integer_value(value) < minimum ||
        json_integer_value(value) > maximum)
        return floe_error_set(r->err, FLOE_ECORRUPT,
                              "state manifest %s: \"%s\" is not an integer in %lld..%lld",
                              r->name, key, (long long)minimum, (long long)maximum);
    *out = json_integer_value(value);
    return FLOE_OK;
}

static int get_path(reader *r, const json_t *object, const char *key, const char **out)
{
    const json_t *value = json_object_get(object, key);
    *out = NULL;
    if (value == NULL || json_is_null(value))
        return FLOE_OK;
    if (!json_is_string(value) || json_string_length(value) == 0 ||
        json_string_value(value)[0] != '/' ||
        strlen(json_string_value(value)) != json_string_length(value))
        return floe_error_set(r->err, FLOE_ECORRUPT,
                              "state manifest %s: \"%s\" is not an absolute path", r->name, key);
    *out = json_string_value(value);
    return FLOE_OK;
}

/* A JSON array of absolute paths into a floe_malloc'd array of copies. */
static int read_path_list(reader *r, const json_t *array, const char *key, char ***out,
                          uint32_t *count)
{
    *out = NULL;
    *count = 0;
    if (!json_is_array(array) || json_array_size(array) > UINT32_MAX - 1)
        return floe_error_set(r->err, FLOE_ECORRUPT, "state manifest %s: \"%s\" is not an array",
                              r->name, key);
    char **paths = floe_calloc(json_array_size(array) + 1, sizeof *paths);
    if (paths == NULL)
        return floe_error_set(r->err, FLOE_ENOMEM, "out of memory reading state manifest %s",
                              r->name);
    size_t index;
    const json_t *value;
    json_array_foreach(array, index, value) {
        if (!json_is_string(value) || json_string_value(value)[0] != '/' ||
            strlen(json_string_value(value)) != json_string_length(value)) {
            free_strings(paths, (uint32_t)index);
            return floe_error_set(r->err, FLOE_ECORRUPT,
                                  "state manifest %s: an entry of \"%s\" is not an absolute path",
                                  r->name, key);
        }
        paths[index] = copy_string(json_string_value(value));
        if (paths[index] == NULL) {
            free_strings(paths, (uint32_t)index);
            return floe_error_set(r->err, FLOE_ENOMEM, "out of memory reading state manifest %s",
                                  r->name);
        }
    }
    *out = paths;
    *count = (uint32_t)json_array_size(array);
    return FLOE_OK;
}

static int read_file_entry(reader *r, const json_t *entry, floe_eng_state_set *set)
{
    if (!json_is_object(entry))
        return corrupt(r, "an output file is not an object");
    floe_eng_state_output_file file = {0};
    const char *path = NULL;
    FLOE_TRY(get_path(r, entry, "output", &path));
    if (path == NULL)
        return corrupt(r, "an output file has no \"output\" path");
    FLOE_TRY(get_integer(r, entry, "output-rows", true, 0, INT64_MAX, &file.rows));
    FLOE_TRY(get_integer(r, entry, "deleted-rows", false, 0, file.rows, &file.deleted_rows));
    const json_t *deletes = json_object_get(entry, "deletes");
    const json_t *sources = json_object_get(entry, "sources");
    int status = FLOE_OK;
    if (deletes != NULL)
        status = read_path_list(r, deletes, "deletes", &file.deletes, &file.delete_count);
    if (status == FLOE_OK && sources != NULL) {
        file.sources_known = true;
        status = read_path_list(r, sources, "sources", &file.sources, &file.source_count);
    }
    if (status == FLOE_OK && file.deletes == NULL && file.delete_count == 0) {
        file.deletes = floe_calloc(1, sizeof *file.deletes);
        if (file.deletes == NULL)
            status = floe_error_set(r->err, FLOE_ENOMEM, "out of memory reading state manifest %s",
                                    r->name);
    }
    for (uint32_t f = 0; status == FLOE_OK && f < set->file_count; f++)
        if (strcmp(set->files[f].path, path) == 0)
            status = corrupt(r, "an output file is listed twice");
    if (status == FLOE_OK) {
        file.path = copy_string(path);
        status = file.path != NULL
                     ? floe_eng_state_set_add_file(set, &file, r->err)
                     : floe_error_set(r->err, FLOE_ENOMEM, "out of memory reading state manifest %s",
                                      r->name);
    }
    output_file_fini(&file);
    return status;
}

static int read_overlay(reader *r, const json_t *object, floe_eng_state_set *set,
                        uint32_t bucket)
{
    if (!json_is_object(object))
        return corrupt(r, "an overlay is not an object");
    if (set->buckets[bucket].state_path == NULL)
        return corrupt(r, "an overlay over a bucket without a state file");
    floe_eng_state_overlay overlay = {0};
    const char *state_path = NULL, *output_path = NULL, *deletes_path = NULL;
    FLOE_TRY(get_path(r, object, "state", &state_path));
    FLOE_TRY(get_path(r, object, "output", &output_path));
    FLOE_TRY(get_path(r, object, "deletes", &deletes_path));
    if (state_path == NULL)
        return corrupt(r, "an overlay names no state file");
    FLOE_TRY(get_integer(r, object, "state-rows", false, 0, INT64_MAX, &overlay.state_rows));
    FLOE_TRY(get_integer(r, object, "output-rows", false, 0, INT64_MAX, &overlay.output_rows));
    FLOE_TRY(get_integer(r, object, "deleted-rows", false, 0, INT64_MAX, &overlay.deleted_rows));
    overlay.state_path = copy_string(state_path);
    overlay.output_path = copy_string(output_path);
    overlay.deletes_path = copy_string(deletes_path);
    int status = overlay.state_path == NULL || (output_path != NULL && overlay.output_path == NULL) ||
                         (deletes_path != NULL && overlay.deletes_path == NULL)
                     ? floe_error_set(r->err, FLOE_ENOMEM, "out of memory")
                     : floe_eng_state_set_overlay(set, bucket, &overlay, r->err);
    overlay_fini(&overlay);
    return status;
}

static int read_set(reader *r, const json_t *object, floe_eng_state_manifest *manifest)
{
    if (!json_is_object(object))
        return corrupt(r, "a set is not an object");
    const json_t *name = json_object_get(object, "name");
    if (!json_is_string(name) || json_string_length(name) == 0 ||
        strlen(json_string_value(name)) != json_string_length(name))
        return corrupt(r, "a set has no name");
    int64_t bucket_count = 0, key_columns = 0;
    FLOE_TRY(get_integer(r, object, "bucket-count", true, 1, FLOE_ENG_STATE_MAX_BUCKETS,
                         &bucket_count));
    FLOE_TRY(get_integer(r, object, "key-columns", false, 0, 4096, &key_columns));
    if (!is_power_of_two((uint64_t)bucket_count))
        return corrupt(r, "\"bucket-count\" is not a power of two");
    if (floe_eng_state_manifest_find_set(manifest, json_string_value(name)) != NULL)
        return corrupt(r, "two sets have the same name");
    floe_eng_state_set *set = NULL;
    FLOE_TRY(floe_eng_state_manifest_add_set(manifest, json_string_value(name),
                                             (uint32_t)bucket_count, (uint32_t)key_columns, &set,
                                             r->err));
    const json_t *buckets = json_object_get(object, "buckets");
    if (!json_is_array(buckets))
        return corrupt(r, "a set has no \"buckets\" array");
    size_t index;
    const json_t *entry;
    json_array_foreach(buckets, index, entry) {
        if (!json_is_object(entry))
            return corrupt(r, "a bucket is not an object");
        int64_t bucket = 0, state_rows = 0, output_rows = 0;
        FLOE_TRY(get_integer(r, entry, "bucket", true, 0, bucket_count - 1, &bucket));
        FLOE_TRY(get_integer(r, entry, "state-rows", false, 0, INT64_MAX, &state_rows));
        FLOE_TRY(get_integer(r, entry, "output-rows", false, 0, INT64_MAX, &output_rows));
        const char *state_path = NULL, *output_path = NULL;
        FLOE_TRY(get_path(r, entry, "state", &state_path));
        FLOE_TRY(get_path(r, entry, "output", &output_path));
        const floe_eng_state_bucket *existing = &set->buckets[bucket];
        if (existing->state_path != NULL || existing->output_path != NULL)
            return corrupt(r, "a bucket is listed twice");
        if (state_path == NULL && output_path == NULL)
            return corrupt(r, "a bucket names no file");
        FLOE_TRY(floe_eng_state_set_bucket(set, (uint32_t)bucket, state_path, state_rows,
                                           output_path, output_rows, r->err));
        const json_t *overlay = json_object_get(entry, "overlay");
        if (overlay != NULL) FLOE_TRY(read_overlay(r, overlay, set, (uint32_t)bucket));
    }
    const json_t *files = json_object_get(object, "files");
    if (files == NULL)
        return FLOE_OK;
    if (!json_is_array(files))
        return corrupt(r, "\"files\" is not an array");
    json_array_foreach(files, index, entry) FLOE_TRY(read_file_entry(r, entry, set));
    return FLOE_OK;
}

int floe_eng_state_manifest_parse(const char *bytes, size_t size, const char *name,
                                  floe_eng_state_manifest *manifest, floe_error *err)
{
    floe_eng_state_manifest_init(manifest);
    reader r = {name, err};
    json_error_t json_error;
    json_t *root = json_loadb(bytes, size, JSON_REJECT_DUPLICATES, &json_error);
    if (root == NULL)
        return floe_error_set(err, FLOE_ECORRUPT, "state manifest %s: line %d: %s", name,
                              json_error.line, json_error.text);
    int status = FLOE_OK;
    const json_t *format = json_object_get(root, "format");
    int64_t version = 0, refresh = 0;
    if (!json_is_object(root) || !json_is_string(format) ||
        strcmp(json_string_value(format), "floe-state") != 0)
        status = corrupt(&r, "not a Floe state manifest (\"format\": \"floe-state\" missing)");
    if (status == FLOE_OK)
        status = get_integer(&r, root, "format-version", true, 1, INT64_MAX, &version);
    if (status == FLOE_OK && version != 1 && version != 2)
        status = floe_error_set(err, FLOE_EUNSUPPORTED,
                                "state manifest %s: format-version %lld is newer than this "
                                "build reads (2)",
                                name, (long long)version);
    if (status == FLOE_OK)
        status = get_integer(&r, root, "refresh", true, 0, INT64_MAX, &refresh);
    const json_t *sets = status == FLOE_OK ? json_object_get(root, "sets") : NULL;
    if (status == FLOE_OK && !json_is_array(sets))
        status = corrupt(&r, "no \"sets\" array");
    size_t index;
    const json_t *set;
    if (status == FLOE_OK) {
        json_array_foreach(sets, index, set) {
            status = read_set(&r, set, manifest);
            if (status != FLOE_OK)
                break;
        }
    }
    json_decref(root);
    if (status != FLOE_OK) {
        floe_eng_state_manifest_fini(manifest);
        return status;
    }
    manifest->refresh_number = refresh;
    return FLOE_OK;
}

int floe_eng_state_manifest_read(const char *path, floe_eng_state_manifest *manifest,
                                 floe_error *err)
{
    floe_eng_state_manifest_init(manifest);
    char *bytes = NULL;
    size_t size = 0;
    FLOE_TRY(floe_io_read_small_file(path, MANIFEST_MAX_BYTES, &bytes, &size, err));
    int status = floe_eng_state_manifest_parse(bytes, size, path, manifest, err);
    floe_free(bytes);
    return status;
}

/* ---- writing ----------------------------------------------------------------------------- */

/* A JSON array of the strings, or NULL. */
static json_t *build_path_list(char *const *paths, uint32_t count)
{
    json_t *array = json_array();
    for (uint32_t i = 0; array != NULL && i < count; i++)
        if (json_array_append_new(array, json_string(paths[i])) != 0) {
            json_decref(array);
            return NULL;
        }
    return array;
}

/* The set's "files" array, or NULL (json_object_set_new then fails, as wanted). */
static json_t *build_files(const floe_eng_state_set *set)
{
    json_t *files = json_array();
    bool failed = files == NULL;
    for (uint32_t f = 0; !failed && f < set->file_count; f++) {
        const floe_eng_state_output_file *file = &set->files[f];
        json_t *entry = json_object();
        failed = entry == NULL || json_array_append_new(files, entry) != 0;
        failed = failed || json_object_set_new(entry, "output", json_string(file->path)) != 0;
        failed = failed || json_object_set_new(entry, "output-rows", json_integer(file->rows)) != 0;
        failed = failed || json_object_set_new(entry, "deleted-rows",
                                               json_integer(file->deleted_rows)) != 0;
        if (!failed && file->delete_count > 0)
            failed = json_object_set_new(entry, "deletes",
                                         build_path_list(file->deletes, file->delete_count)) != 0;
        if (!failed && file->sources_known)
            failed = json_object_set_new(entry, "sources",
                                         build_path_list(file->sources, file->source_count)) != 0;
    }
    if (failed) {
        json_decref(files);
        return NULL;
    }
    return files;
}

static json_t *build_overlay(const floe_eng_state_overlay *overlay)
{
    json_t *object = json_object();
    bool failed = object == NULL;
    failed = failed || json_object_set_new(object, "state", json_string(overlay->state_path)) ||
             json_object_set_new(object, "state-rows", json_integer(overlay->state_rows));
    if (!failed && overlay->output_path != NULL)
        failed = json_object_set_new(object, "output", json_string(overlay->output_path)) ||
                 json_object_set_new(object, "output-rows", json_integer(overlay->output_rows));
    if (!failed && overlay->deletes_path != NULL)
        failed = json_object_set_new(object, "deletes", json_string(overlay->deletes_path)) ||
                 json_object_set_new(object, "deleted-rows",
                                     json_integer(overlay->deleted_rows));
    if (failed) {
        json_decref(object);
        return NULL;
    }
    return object;
}

static bool has_overlays(const floe_eng_state_manifest *manifest)
{
    for (uint32_t i = 0; i < manifest->set_count; i++)
        for (uint32_t b = 0; b < manifest->sets[i].bucket_count; b++)
            if (manifest->sets[i].buckets[b].has_overlay) return true;
    return false;
}

static json_t *build_json(const floe_eng_state_manifest *manifest)
{
    json_t *root = json_object();
    json_t *sets = json_array();
    bool failed = root == NULL || sets == NULL;
    failed = failed || json_object_set_new(root, "format", json_string("floe-state")) != 0;
    failed = failed || json_object_set_new(root, "format-version",
                                           json_integer(has_overlays(manifest) ? 2 : 1)) != 0;
    failed = failed ||
             json_object_set_new(root, "refresh", json_integer(manifest->refresh_number)) != 0;
    for (uint32_t i = 0; !failed && i < manifest->set_count; i++) {
        const floe_eng_state_set *set = &manifest->sets[i];
        json_t *object = json_object();
        json_t *buckets = json_array();
        failed = object == NULL || buckets == NULL;
        failed = failed || json_object_set_new(object, "name", json_string(set->name)) != 0;
        failed = failed ||
                 json_object_set_new(object, "bucket-count", json_integer(set->bucket_count)) != 0;
        failed = failed || json_object_set_new(object, "key-columns",
                                               json_integer(set->key_column_count)) != 0;
        for (uint32_t b = 0; !failed && b < set->bucket_count; b++) {
            const floe_eng_state_bucket *bucket = &set->buckets[b];
            if (bucket->state_path == NULL && bucket->output_path == NULL)
                continue;
            json_t *entry = json_object();
            failed = entry == NULL || json_object_set_new(entry, "bucket", json_integer(b)) != 0;
            if (!failed && bucket->state_path != NULL)
                failed = json_object_set_new(entry, "state", json_string(bucket->state_path)) ||
                         json_object_set_new(entry, "state-rows",
                                             json_integer(bucket->state_rows));
            if (!failed && bucket->output_path != NULL)
                failed = json_object_set_new(entry, "output", json_string(bucket->output_path)) ||
                         json_object_set_new(entry, "output-rows",
                                             json_integer(bucket->output_rows));
            if (!failed && bucket->has_overlay)
                failed = json_object_set_new(entry, "overlay", build_overlay(&bucket->overlay));
            if (entry != NULL)
                failed = json_array_append_new(buckets, entry) != 0 || failed;
        }
        if (!failed && set->file_count > 0)
            failed = json_object_set_new(object, "files", build_files(set)) != 0;
        if (object != NULL && buckets != NULL)
            failed = json_object_set_new(object, "buckets", buckets) != 0 || failed;
        else
            json_decref(buckets);
        if (object != NULL)
            failed = json_array_append_new(sets, object) != 0 || failed;
    }
    if (root != NULL && sets != NULL)
        failed = json_object_set_new(root, "sets", sets) != 0 || failed;
    else
        json_decref(sets);
    if (failed) {
        json_decref(root);
        return NULL;
    }
    return root;
}

int floe_eng_state_manifest_write(const char *table_directory,
                                  const floe_eng_state_manifest *manifest, char **path,
                                  floe_error *err)
{
    *path = NULL;
    json_t *root = build_json(manifest);
    /* json_dumpb into our own buffer: jansson may be using either allocator. */
    const size_t flags = JSON_INDENT(1) | JSON_PRESERVE_ORDER;
    size_t size = root != NULL ? json_dumpb(root, NULL, 0, flags) : 0;
    char *text = size > 0 ? floe_malloc(size) : NULL;
    if (text != NULL && json_dumpb(root, text, size, flags) != size) {
        floe_free(text);
        text = NULL;
    }
    json_decref(root);
    if (text == NULL)
        return floe_error_set(err, FLOE_ENOMEM, "out of memory writing the state manifest of %s",
                              table_directory);
    char directory[PATH_MAX], file[PATH_MAX];
    int status = floe_io_path_join(directory, sizeof directory, table_directory, "floe/state", err);
    if (status == FLOE_OK)
        status = floe_io_make_directories(directory, err);
    if (status == FLOE_OK)
        status = floe_io_catalog_new_file_path(table_directory, "floe/state", "manifest-", ".json",
                                               file, sizeof file, err);
    if (status == FLOE_OK)
        status = floe_io_write_file_durable(file, text, size, err);
    floe_free(text);
    if (status != FLOE_OK)
        return status;
    *path = copy_string(file);
    if (*path == NULL)
        return floe_error_set(err, FLOE_ENOMEM, "out of memory");
    return FLOE_OK;
}

int floe_eng_state_manifest_paths(const floe_eng_state_manifest *manifest, const char ***paths,
                                  size_t *count, floe_error *err)
{
    size_t total = 0;
    for (uint32_t i = 0; i < manifest->set_count; i++)
        for (uint32_t b = 0; b < manifest->sets[i].bucket_count; b++)
            total += 3 + (manifest->sets[i].buckets[b].state_path != NULL) +
                     (manifest->sets[i].buckets[b].output_path != NULL);
    for (uint32_t i = 0; i < manifest->set_count; i++)
        for (uint32_t f = 0; f < manifest->sets[i].file_count; f++)
            total += 1 + (size_t)manifest->sets[i].files[f].delete_count;
    *paths = NULL;
    *count = 0;
    if (total == 0)
        return FLOE_OK;
    const char **list = floe_malloc(total * sizeof *list);
    if (list == NULL)
        return floe_error_set(err, FLOE_ENOMEM, "out of memory listing state files");
    size_t used = 0;
    for (uint32_t i = 0; i < manifest->set_count; i++) {
        for (uint32_t b = 0; b < manifest->sets[i].bucket_count; b++) {
            const floe_eng_state_bucket *bucket = &manifest->sets[i].buckets[b];
            if (bucket->state_path != NULL)
                list[used++] = bucket->state_path;
            if (bucket->output_path != NULL)
                list[used++] = bucket->output_path;
            if (!bucket->has_overlay) continue;
            list[used++] = bucket->overlay.state_path;
            if (bucket->overlay.output_path != NULL) list[used++] = bucket->overlay.output_path;
            if (bucket->overlay.deletes_path != NULL) list[used++] = bucket->overlay.deletes_path;
        }
    }
    for (uint32_t i = 0; i < manifest->set_count; i++) {
        for (uint32_t f = 0; f < manifest->sets[i].file_count; f++) {
            const floe_eng_state_output_file *file = &manifest->sets[i].files[f];
            list[used++] = file->path;
            for (uint32_t d = 0; d < file->delete_count; d++)
                list[used++] = file->deletes[d];
        }
    }
    *paths = list;
    *count = used;
    return FLOE_OK;
}
