/*
 * iceberg_table.c — opening a lake table and planning the scan of one of its snapshots.
 *
 * Why it is shaped this way: planning is the step every refresh and every `table dump` starts
 * with, so it reads each manifest once (a cache keyed by the stored path, shared with change
 * detection in iceberg_changes.c), resolves each file path once, and leaves the Avro-decoded
 * manifests alive so that partition values, bounds and equality ids are views, not copies.
 * The delete-file rules and the pruning contract are in iceberg_table.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "io/iceberg_table_int.h"

#include "io/catalog_fs.h"     /* floe_io_catalog_table_directory */
#include "io/iceberg_locate.h" /* floe_ice_locate_metadata, floe_ice_resolve_path */
#include "io/iceberg_metadata_cache.h" /* floe_ice_metadata_cache_acquire */
#include "kernels/memory.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

/* Iceberg's reserved field id of a position delete file's file_path column (spec, "Reserved
 * Field IDs"). Equal lower and upper bounds on it mean the file names one data file. */
#define POSITION_DELETE_FILE_PATH_ID 2147483546

static char *copy_string(const char *text)
{
    size_t length = strlen(text);
    char *copy = floe_malloc(length + 1);
    if (copy != NULL) memcpy(copy, text, length + 1);
    return copy;
}

/* ---- opening ---------------------------------------------------------------------------- */

static int names_a_table(const char *text, const char *warehouse)
{
    return warehouse != NULL && strchr(text, '/') == NULL && strchr(text, '.') != NULL;
}

void floe_ice_table_free(floe_ice_table *table)
{
    if (table == NULL) return;
    floe_ice_metadata_cache_release(table->metadata);
    floe_free(table->directory);
    floe_free(table->metadata_path);
    floe_free(table);
}

int floe_ice_table_open(floe_ice_table **out, const char *table_directory_or_name,
                        const char *warehouse, floe_error *err)
{
    *out = NULL;
    FLOE_RETURN_IF(table_directory_or_name == NULL || table_directory_or_name[0] == '\0',
                   FLOE_EINVAL, err, "no table given");
    floe_ice_table *table = floe_calloc(1, sizeof *table);
    FLOE_RETURN_IF(table == NULL, FLOE_ENOMEM, err, "out of memory");
    int status;
    if (names_a_table(table_directory_or_name, warehouse)) {
        char directory[4096];
        status = floe_io_catalog_table_directory(warehouse, table_directory_or_name, directory,
                                                 sizeof directory, err);
        if (status == FLOE_OK) {
            table->directory = copy_string(directory);
            if (table->directory == NULL) status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
        }
    } else {
        table->directory = copy_string(table_directory_or_name);
        status = table->directory == NULL ? floe_error_set(err, FLOE_ENOMEM, "out of memory")
                                          : FLOE_OK;
        /* Trailing slashes would make re-rooted paths read "dir//data/x". */
        size_t length = table->directory ? strlen(table->directory) : 0;
        while (length > 1 && table->directory[length - 1] == '/') table->directory[--length] = '\0';
    }
    if (status == FLOE_OK) {
        status = floe_ice_locate_metadata(table->directory, &table->metadata_path,
                                          &table->metadata_version, err);
        if (status == FLOE_ENOTFOUND && names_a_table(table_directory_or_name, warehouse))
            floe_error_prefix(err, "table %s", table_directory_or_name);
    }
    if (status == FLOE_OK)
        status = floe_ice_metadata_cache_acquire(table->metadata_path, &table->metadata, err);
    if (status != FLOE_OK) {
        floe_ice_table_free(table);
        return status;
    }
    *out = table;
    return FLOE_OK;
}

/* ---- the manifest cache ----------------------------------------------------------------- */

typedef struct cache_slot {
    const char *stored_path; /* owned by the manifest list that named it first: copied */
    floe_ice_manifest *manifest;
} cache_slot;

struct floe_ice_manifest_cache {
    cache_slot *slots;       /* open addressing, capacity a power of two */
    size_t capacity;
    size_t used;
    size_t reads;
    floe_arena strings;
    floe_ice_manifest_reader *reader; /* parses each distinct schema text once */
};

static uint64_t hash_text(const char *text)
{
    uint64_t hash = 1469598103934665603ULL; /* FNV-1a */
    for (; *text != '\0'; text++) hash = (hash ^ (uint8_t)*text) * 1099511628211ULL;
    return hash;
}

int floe_ice_manifest_cache_create(floe_ice_manifest_cache **out, floe_error *err)
{
    *out = NULL;
    floe_ice_manifest_cache *cache = floe_calloc(1, sizeof *cache);
    FLOE_RETURN_IF(cache == NULL, FLOE_ENOMEM, err, "out of memory");
    cache->capacity = 64;
    cache->slots = floe_calloc(cache->capacity, sizeof *cache->slots);
    if (cache->slots == NULL) {
        floe_free(cache);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    floe_arena_init(&cache->strings, 0, 0);
    int status = floe_ice_manifest_reader_create(&cache->reader, err);
    if (status != FLOE_OK) {
        floe_ice_manifest_cache_free(cache);
        return status;
    }
    *out = cache;
    return FLOE_OK;
}

void floe_ice_manifest_cache_free(floe_ice_manifest_cache *cache)
{
    if (cache == NULL) return;
    for (size_t i = 0; i < cache->capacity; i++) floe_ice_manifest_free(cache->slots[i].manifest);
    floe_free(cache->slots);
    floe_arena_fini(&cache->strings);
    floe_ice_manifest_reader_free(cache->reader);
    floe_free(cache);
}

size_t floe_ice_manifest_cache_reads(const floe_ice_manifest_cache *cache)
{
    return cache ? cache->reads : 0;
}

static cache_slot *cache_find(floe_ice_manifest_cache *cache, const char *path)
{
    size_t mask = cache->capacity - 1;
    for (size_t i = hash_text(path) & mask;; i = (i + 1) & mask) {
        cache_slot *slot = &cache->slots[i];
        if (slot->stored_path == NULL || strcmp(slot->stored_path, path) == 0) return slot;
    }
}

static int cache_grow(floe_ice_manifest_cache *cache, floe_error *err)
{
    cache_slot *old = cache->slots;
    size_t old_capacity = cache->capacity;
    cache_slot *slots = floe_calloc(old_capacity * 2, sizeof *slots);
    FLOE_RETURN_IF(slots == NULL, FLOE_ENOMEM, err, "out of memory");
    cache->slots = slots;
    cache->capacity = old_capacity * 2;
    for (size_t i = 0; i < old_capacity; i++)
        if (old[i].stored_path != NULL) *cache_find(cache, old[i].stored_path) = old[i];
    floe_free(old);
    return FLOE_OK;
}

int floe_ice_manifest_cache_get(floe_ice_manifest_cache *cache, const floe_ice_table *table,
                                const floe_ice_manifest_file *list_entry,
                                floe_ice_manifest **out, floe_error *err)
{
    *out = NULL;
    cache_slot *slot = cache_find(cache, list_entry->manifest_path);
    if (slot->stored_path != NULL) {
        *out = slot->manifest;
        return FLOE_OK;
    }
    if ((cache->used + 1) * 2 > cache->capacity) {
        FLOE_TRY(cache_grow(cache, err));
        slot = cache_find(cache, list_entry->manifest_path);
    }
    char *resolved = NULL;
    int status = floe_ice_resolve_path(list_entry->manifest_path, table->metadata->location,
                                       table->directory, &resolved, err);
    if (status != FLOE_OK) return floe_error_prefix(err, "manifest");
    floe_ice_manifest *manifest = NULL;
    status = floe_ice_manifest_reader_read(cache->reader, resolved, &manifest, err);
    floe_free(resolved);
    if (status == FLOE_OK) status = floe_ice_manifest_inherit(manifest, list_entry, err);
    const char *key = NULL;
    if (status == FLOE_OK) {
        key = floe_arena_strndup(&cache->strings, list_entry->manifest_path,
                                 strlen(list_entry->manifest_path));
        if (key == NULL) status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    if (status != FLOE_OK) {
        floe_ice_manifest_free(manifest);
        return status;
    }
    slot->stored_path = key;
    slot->manifest = manifest;
    cache->used++;
    cache->reads++;
    *out = manifest;
    return FLOE_OK;
}

/* ---- a snapshot's manifests ------------------------------------------------------------- */

int floe_ice_snapshot_manifests_load(const floe_ice_table *table,
                                     const floe_ice_snapshot *snapshot,
                                     floe_ice_manifest_cache *cache, floe_arena *arena,
                                     floe_ice_snapshot_manifests *out, floe_error *err)
{
    memset(out, 0, sizeof *out);
    if (snapshot->manifest_list == NULL) {
        out->count = snapshot->manifest_count;
        if (out->count == 0) return FLOE_OK;
        out->files = floe_arena_alloc_zero(arena, out->count * sizeof *out->files);
        FLOE_RETURN_IF(out->files == NULL, FLOE_ENOMEM, err, "out of memory");
        for (size_t i = 0; i < out->count; i++) {
            out->files[i].manifest_path = snapshot->manifests[i];
            out->files[i].added_snapshot_id = -1;
            out->files[i].added_files_count = -1;
            out->files[i].existing_files_count = -1;
            out->files[i].deleted_files_count = -1;
            out->files[i].added_rows_count = -1;
            out->files[i].existing_rows_count = -1;
            out->files[i].deleted_rows_count = -1;
        }
        return FLOE_OK;
    }
    char *resolved = NULL;
    int status = floe_ice_resolve_path(snapshot->manifest_list, table->metadata->location,
                                       table->directory, &resolved, err);
    if (status == FLOE_OK) {
        status = floe_ice_manifest_reader_read_list(cache->reader, resolved, &out->list, err);
        floe_free(resolved);
    }
    if (status != FLOE_OK)
        return floe_error_prefix(err, "snapshot %" PRId64 ": manifest list", snapshot->snapshot_id);
    out->files = out->list->entries;
    out->count = out->list->count;
    return FLOE_OK;
}

void floe_ice_snapshot_manifests_fini(floe_ice_snapshot_manifests *manifests)
{
    floe_ice_manifest_list_free(manifests->list);
    memset(manifests, 0, sizeof *manifests);
}

/* ---- one file --------------------------------------------------------------------------- */

static const char *without_file_scheme(const char *path)
{
    if (strncmp(path, "file://", 7) == 0) return path + 7;
    if (strncmp(path, "file:", 5) == 0) return path + 5;
    return path;
}

int floe_ice_scan_file_fill(const floe_ice_table *table, floe_arena *arena,
                            const floe_ice_manifest *manifest,
                            const floe_ice_manifest_entry *entry, floe_ice_scan_file *out,
                            floe_error *err)
{
    memset(out, 0, sizeof *out);
    const floe_ice_data_file *file = &entry->data_file;
    out->file = file;
    out->manifest = manifest;
    out->content = file->content;
    out->status = entry->status;
    out->spec_id = manifest->partition_spec_id;
    out->snapshot_id = entry->has_snapshot_id ? entry->snapshot_id : -1;
    out->data_sequence_number = entry->has_sequence_number ? entry->sequence_number : 0;
    out->file_sequence_number = entry->has_file_sequence_number ? entry->file_sequence_number
                                                                : out->data_sequence_number;
    out->record_count = file->record_count;
    out->file_size = file->file_size_in_bytes;
    FLOE_RETURN_IF(file->file_path == NULL, FLOE_ECORRUPT, err, "manifest entry without file_path");

    char *resolved = NULL;
    floe_error resolve_error;
    int status = floe_ice_resolve_path(file->file_path, table->metadata->location,
                                       table->directory, &resolved, &resolve_error);
    const char *path = resolved;
    if (status == FLOE_ENOTFOUND) {
        path = without_file_scheme(file->file_path); /* a missing file fails when read */
    } else if (status != FLOE_OK) {
        return floe_error_set(err, status, "%s", resolve_error.message);
    }
    out->path_found = resolved != NULL;
    out->path = floe_arena_strndup(arena, path, strlen(path));
    floe_free(resolved);
    FLOE_RETURN_IF(out->path == NULL, FLOE_ENOMEM, err, "out of memory");
    return FLOE_OK;
}

/* ---- values and pruning ----------------------------------------------------------------- */

/* -1, 0, 1; 2 when the values cannot be ordered (NaN, an unsupported type). */
static int compare_values(floe_type type, const floe_ice_value *left, const floe_ice_value *right)
{
    switch (type.id) {
    case FLOE_TYPE_BOOLEAN:
        return (left->as.boolean != 0) - (right->as.boolean != 0);
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_DATE:
        return (left->as.i32 > right->as.i32) - (left->as.i32 < right->as.i32);
    case FLOE_TYPE_INT64:
    case FLOE_TYPE_TIMESTAMP:
    case FLOE_TYPE_TIMESTAMPTZ:
        return (left->as.i64 > right->as.i64) - (left->as.i64 < right->as.i64);
    case FLOE_TYPE_DECIMAL:
        if (type.precision > FLOE_DECIMAL64_MAX_PRECISION)
            return (left->as.i128 > right->as.i128) - (left->as.i128 < right->as.i128);
        return (left->as.i64 > right->as.i64) - (left->as.i64 < right->as.i64);
    case FLOE_TYPE_FLOAT32:
        if (isnan(left->as.f32) || isnan(right->as.f32)) return 2;
        return (left->as.f32 > right->as.f32) - (left->as.f32 < right->as.f32);
    case FLOE_TYPE_FLOAT64:
        if (isnan(left->as.f64) || isnan(right->as.f64)) return 2;
        return (left->as.f64 > right->as.f64) - (left->as.f64 < right->as.f64);
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY: {
        size_t left_size = left->as.bytes.size, right_size = right->as.bytes.size;
        size_t common = left_size < right_size ? left_size : right_size;
        int order = common ? memcmp(left->as.bytes.data, right->as.bytes.data, common) : 0;
        if (order != 0) return order < 0 ? -1 : 1;
        return (left_size > right_size) - (left_size < right_size);
    }
    default:
        return 2;
    }
}

static uint64_t load_little_endian(const uint8_t *bytes, size_t size)
{
    uint64_t value = 0;
    for (size_t i = size; i-- > 0;) value = value << 8 | bytes[i];
    return value;
}

/* Decodes a bound (single-value serialization, spec Appendix D); 0 when it cannot be used. */
static int decode_bound(floe_type type, floe_ice_bytes bytes, floe_ice_value *out)
{
    memset(out, 0, sizeof *out);
    switch (type.id) {
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_DATE:
        if (bytes.size != 4) return 0;
        out->as.i32 = (int32_t)(uint32_t)load_little_endian(bytes.data, 4);
        return 1;
    case FLOE_TYPE_INT64:
    case FLOE_TYPE_TIMESTAMP:
    case FLOE_TYPE_TIMESTAMPTZ:
        if (bytes.size == 4) { /* a column promoted from int keeps its old 4-byte bounds */
            out->as.i64 = (int32_t)(uint32_t)load_little_endian(bytes.data, 4);
            return 1;
        }
        if (bytes.size != 8) return 0;
        out->as.i64 = (int64_t)load_little_endian(bytes.data, 8);
        return 1;
    case FLOE_TYPE_FLOAT32: {
        if (bytes.size != 4) return 0;
        uint32_t bits = (uint32_t)load_little_endian(bytes.data, 4);
        memcpy(&out->as.f32, &bits, 4);
        return 1;
    }
    case FLOE_TYPE_FLOAT64: {
        if (bytes.size == 4) {
            uint32_t bits = (uint32_t)load_little_endian(bytes.data, 4);
            float narrow;
            memcpy(&narrow, &bits, 4);
            out->as.f64 = narrow;
            return 1;
        }
        if (bytes.size != 8) return 0;
        uint64_t bits = load_little_endian(bytes.data, 8);
        memcpy(&out->as.f64, &bits, 8);
        return 1;
    }
    case FLOE_TYPE_DECIMAL: {
        /* Big-endian two's complement of the unscaled value, minimum bytes. */
        if (type.precision > FLOE_DECIMAL64_MAX_PRECISION || bytes.size == 0 || bytes.size > 8)
            return 0;
        uint64_t value = (bytes.data[0] & 0x80) ? UINT64_MAX : 0;
        for (size_t i = 0; i < bytes.size; i++) value = value << 8 | bytes.data[i];
        out->as.i64 = (int64_t)value;
        return 1;
    }
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY:
        out->as.bytes = bytes;
        return 1;
    default:
        return 0;
    }
}

static const floe_ice_bytes *find_bound(const floe_ice_bounds *bounds, int32_t field_id)
{
    for (size_t i = 0; i < bounds->count; i++)
        if (bounds->items[i].key == field_id) return &bounds->items[i].value;
    return NULL;
}

static int find_count(const floe_ice_counts *counts, int32_t field_id, int64_t *value)
{
    for (size_t i = 0; i < counts->count; i++) {
        if (counts->items[i].key == field_id) {
            *value = counts->items[i].value;
            return 1;
        }
    }
    return 0;
}

/* 0 when `value op literal` is false, 1 when true or unknown. */
static int holds(floe_type type, const floe_ice_value *value, floe_ice_predicate_op op,
                 const floe_ice_value *literal)
{
    int order = compare_values(type, value, literal);
    if (order == 2) return 1;
    switch (op) {
    case FLOE_ICE_PREDICATE_EQ: return order == 0;
    case FLOE_ICE_PREDICATE_LT: return order < 0;
    case FLOE_ICE_PREDICATE_LE: return order <= 0;
    case FLOE_ICE_PREDICATE_GT: return order > 0;
    case FLOE_ICE_PREDICATE_GE: return order >= 0;
    default: return 1;
    }
}

static int predicate_may_match(const floe_ice_scan_file *file,
                               const floe_ice_partition_spec *spec,
                               const floe_ice_predicate *predicate, floe_type type)
{
    const floe_ice_data_file *data = file->file;
    /* Identity partition values: exact for every row of the file. */
    if (spec != NULL && file->manifest != NULL) {
        for (size_t i = 0; i < spec->field_count; i++) {
            if (spec->fields[i].transform != FLOE_ICE_TRANSFORM_IDENTITY ||
                spec->fields[i].source_id != predicate->field_id)
                continue;
            for (size_t j = 0; j < file->manifest->partition_field_count; j++) {
                if (file->manifest->partition_fields[j].field_id != spec->fields[i].field_id)
                    continue;
                const floe_ice_value *value = &data->partition[j];
                if (predicate->op == FLOE_ICE_PREDICATE_IS_NULL) return value->is_null;
                if (value->is_null) return 0;
                if (predicate->op == FLOE_ICE_PREDICATE_NOT_NULL) return 1;
                if (!floe_type_equal(file->manifest->partition_fields[j].type, type)) return 1;
                return holds(type, value, predicate->op, &predicate->literal);
            }
        }
    }
    int64_t nulls = 0, values = 0;
    int have_nulls = data->null_value_counts.present &&
                     find_count(&data->null_value_counts, predicate->field_id, &nulls);
    int have_values = data->value_counts.present &&
                      find_count(&data->value_counts, predicate->field_id, &values);
    if (predicate->op == FLOE_ICE_PREDICATE_IS_NULL) return !(have_nulls && nulls == 0);
    if (have_nulls && have_values && nulls == values) return 0; /* every value is NULL */
    if (predicate->op == FLOE_ICE_PREDICATE_NOT_NULL) return 1;

    const floe_ice_bytes *lower_bytes =
        data->lower_bounds.present ? find_bound(&data->lower_bounds, predicate->field_id) : NULL;
    const floe_ice_bytes *upper_bytes =
        data->upper_bounds.present ? find_bound(&data->upper_bounds, predicate->field_id) : NULL;
    floe_ice_value lower, upper;
    int have_lower = lower_bytes != NULL && decode_bound(type, *lower_bytes, &lower);
    int have_upper = upper_bytes != NULL && decode_bound(type, *upper_bytes, &upper);
    switch (predicate->op) {
    case FLOE_ICE_PREDICATE_EQ:
        if (have_lower && !holds(type, &lower, FLOE_ICE_PREDICATE_LE, &predicate->literal)) return 0;
        if (have_upper && !holds(type, &upper, FLOE_ICE_PREDICATE_GE, &predicate->literal)) return 0;
        return 1;
    case FLOE_ICE_PREDICATE_LT:
    case FLOE_ICE_PREDICATE_LE:
        return !have_lower || holds(type, &lower, predicate->op, &predicate->literal);
    case FLOE_ICE_PREDICATE_GT:
    case FLOE_ICE_PREDICATE_GE: {
        /* SQL orders NaN above every float (engine/expression_eval.h), and Iceberg's bounds
         * leave NaN out: a float file can hold rows matching > or >= beyond its upper bound
         * unless it is known to hold no NaN. */
        int64_t nans = 0;
        int is_float = type.id == FLOE_TYPE_FLOAT32 || type.id == FLOE_TYPE_FLOAT64;
        if (is_float && !(data->nan_value_counts.present &&
                          find_count(&data->nan_value_counts, predicate->field_id, &nans) &&
                          nans == 0))
            return 1;
        return !have_upper || holds(type, &upper, predicate->op, &predicate->literal);
    }
    default:
        return 1;
    }
}

int floe_ice_file_may_match(const floe_ice_scan_file *file, const floe_ice_partition_spec *spec,
                            const floe_ice_predicate *predicates, const floe_type *types,
                            size_t predicate_count)
{
    for (size_t i = 0; i < predicate_count; i++)
        if (!predicate_may_match(file, spec, &predicates[i], types[i])) return 0;
    return 1;
}

/* ---- delete files ----------------------------------------------------------------------- */

static int same_partition(const floe_ice_scan_file *data, const floe_ice_scan_file *deletes)
{
    if (data->spec_id != deletes->spec_id) return 0;
    size_t count = data->manifest->partition_field_count;
    if (deletes->manifest->partition_field_count != count) return 0;
    for (size_t i = 0; i < count; i++) {
        const floe_ice_value *left = &data->file->partition[i];
        const floe_ice_value *right = &deletes->file->partition[i];
        if (left->is_null || right->is_null) {
            if (left->is_null != right->is_null) return 0;
            continue;
        }
        floe_type type = data->manifest->partition_fields[i].type;
        if (!floe_type_equal(type, deletes->manifest->partition_fields[i].type)) return 0;
        if (type.id == FLOE_TYPE_FLOAT32 || type.id == FLOE_TYPE_FLOAT64) {
            /* Partition equality is on the value's bits, so NaN equals NaN. */
            if (type.id == FLOE_TYPE_FLOAT32 ? memcmp(&left->as.f32, &right->as.f32, 4) != 0
                                             : memcmp(&left->as.f64, &right->as.f64, 8) != 0)
                return 0;
            continue;
        }
        if (compare_values(type, left, right) != 0) return 0;
    }
    return 1;
}

static int spec_is_unpartitioned(const floe_ice_table *table, const floe_ice_scan_file *file)
{
    const floe_ice_partition_spec *spec = floe_ice_partition_spec_by_id(table->metadata,
                                                                        file->spec_id);
    if (spec == NULL) return file->manifest->partition_field_count == 0;
    for (size_t i = 0; i < spec->field_count; i++)
        if (spec->fields[i].transform != FLOE_ICE_TRANSFORM_VOID) return 0;
    return 1;
}

static int delete_applies(const floe_ice_table *table, const floe_ice_scan_file *data,
                          const floe_ice_scan_file *deletes)
{
    if (deletes->content == FLOE_ICE_CONTENT_POSITION_DELETES) {
        if (data->data_sequence_number > deletes->data_sequence_number) return 0;
        const floe_ice_data_file *file = deletes->file;
        const floe_ice_bytes *lower =
            file->lower_bounds.present ? find_bound(&file->lower_bounds, POSITION_DELETE_FILE_PATH_ID)
                                       : NULL;
        const floe_ice_bytes *upper =
            file->upper_bounds.present ? find_bound(&file->upper_bounds, POSITION_DELETE_FILE_PATH_ID)
                                       : NULL;
        if (lower != NULL && upper != NULL && lower->size == upper->size &&
            (lower->size == 0 || memcmp(lower->data, upper->data, lower->size) == 0)) {
            size_t length = strlen(data->file->file_path);
            if (length != lower->size || memcmp(lower->data, data->file->file_path, length) != 0)
                return 0;
        }
        return same_partition(data, deletes);
    }
    if (deletes->content == FLOE_ICE_CONTENT_EQUALITY_DELETES) {
        if (data->data_sequence_number >= deletes->data_sequence_number) return 0;
        return spec_is_unpartitioned(table, deletes) || same_partition(data, deletes);
    }
    return 0;
}

/* ---- finding the delete files of a data file --------------------------------------------- */

/* Every delete file falls in one class: a position delete whose file_path bounds name one data
 * file (keyed by that path), an equality delete of an unpartitioned spec (global: a candidate
 * for every data file), or any other (keyed by spec id and partition tuple). A data file's
 * candidates are the deletes under its path, under its partition, and the global ones;
 * delete_applies then decides each exactly, so a hash collision costs a check, never a wrong
 * answer. This makes planning cost (data + deletes) x log(deletes), not data x deletes. */
typedef struct keyed_delete {
    uint64_t hash;
    size_t index;                /* into plan->delete_files */
} keyed_delete;

typedef struct delete_index {
    keyed_delete *by_path;
    size_t by_path_count;
    keyed_delete *by_partition;
    size_t by_partition_count;
    size_t *global;
    size_t global_count;
} delete_index;

static uint64_t hash_mix(uint64_t hash, const void *bytes, size_t size)
{
    const uint8_t *p = bytes;
    for (size_t i = 0; i < size; i++) hash = (hash ^ p[i]) * 1099511628211ULL; /* FNV-1a */
    return hash;
}

/* Equal for any two files same_partition() calls equal. */
static uint64_t partition_hash(const floe_ice_scan_file *file)
{
    uint64_t hash = 1469598103934665603ULL;
    hash = hash_mix(hash, &file->spec_id, sizeof file->spec_id);
    size_t count = file->manifest->partition_field_count;
    hash = hash_mix(hash, &count, sizeof count);
    for (size_t i = 0; i < count; i++) {
        const floe_ice_value *value = &file->file->partition[i];
        floe_type type = file->manifest->partition_fields[i].type;
        uint8_t is_null = value->is_null != 0;
        hash = hash_mix(hash, &is_null, 1);
        if (is_null) continue;
        switch (type.id) {
        case FLOE_TYPE_BOOLEAN: {
            uint8_t truth = value->as.boolean != 0;
            hash = hash_mix(hash, &truth, 1);
            break;
        }
        case FLOE_TYPE_INT32:
        case FLOE_TYPE_DATE:
            hash = hash_mix(hash, &value->as.i32, sizeof value->as.i32);
            break;
        case FLOE_TYPE_INT64:
        case FLOE_TYPE_TIMESTAMP:
        case FLOE_TYPE_TIMESTAMPTZ:
            hash = hash_mix(hash, &value->as.i64, sizeof value->as.i64);
            break;
        case FLOE_TYPE_DECIMAL:
            if (type.precision > FLOE_DECIMAL64_MAX_PRECISION)
                hash = hash_mix(hash, &value->as.i128, sizeof value->as.i128);
            else
                hash = hash_mix(hash, &value->as.i64, sizeof value->as.i64);
            break;
        case FLOE_TYPE_FLOAT32:
            hash = hash_mix(hash, &value->as.f32, sizeof value->as.f32);
            break;
        case FLOE_TYPE_FLOAT64:
            hash = hash_mix(hash, &value->as.f64, sizeof value->as.f64);
            break;
        case FLOE_TYPE_STRING:
        case FLOE_TYPE_BINARY:
            hash = hash_mix(hash, value->as.bytes.data, value->as.bytes.size);
            break;
        default:
            break; /* such values never compare equal; any hash will do */
        }
    }
    return hash;
}

/* The data file a position delete names by equal file_path bounds, or NULL. */
static const floe_ice_bytes *single_target(const floe_ice_scan_file *deletes)
{
    const floe_ice_data_file *file = deletes->file;
    const floe_ice_bytes *lower =
        file->lower_bounds.present ? find_bound(&file->lower_bounds, POSITION_DELETE_FILE_PATH_ID)
                                   : NULL;
    const floe_ice_bytes *upper =
        file->upper_bounds.present ? find_bound(&file->upper_bounds, POSITION_DELETE_FILE_PATH_ID)
                                   : NULL;
    if (lower == NULL || upper == NULL || lower->size != upper->size) return NULL;
    if (lower->size != 0 && memcmp(lower->data, upper->data, lower->size) != 0) return NULL;
    return lower;
}

static int compare_keyed(const void *left, const void *right)
{
    const keyed_delete *a = left, *b = right;
    if (a->hash != b->hash) return a->hash < b->hash ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

static int compare_indexes(const void *left, const void *right)
{
    size_t a = *(const size_t *)left, b = *(const size_t *)right;
    return (a > b) - (a < b);
}

static void delete_index_fini(delete_index *index)
{
    floe_free(index->by_path);
    floe_free(index->by_partition);
    floe_free(index->global);
    memset(index, 0, sizeof *index);
}

static int delete_index_build(const floe_ice_table *table, const floe_ice_scan_plan *plan,
                              delete_index *index, floe_error *err)
{
    memset(index, 0, sizeof *index);
    size_t count = plan->delete_file_count;
    if (count == 0) return FLOE_OK;
    index->by_path = floe_malloc(count * sizeof *index->by_path);
    index->by_partition = floe_malloc(count * sizeof *index->by_partition);
    index->global = floe_malloc(count * sizeof *index->global);
    if (index->by_path == NULL || index->by_partition == NULL || index->global == NULL) {
        delete_index_fini(index);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    for (size_t d = 0; d < count; d++) {
        const floe_ice_scan_file *deletes = &plan->delete_files[d];
        const floe_ice_bytes *target = deletes->content == FLOE_ICE_CONTENT_POSITION_DELETES
                                           ? single_target(deletes)
                                           : NULL;
        if (target != NULL) {
            uint64_t hash = hash_mix(1469598103934665603ULL, target->data, target->size);
            index->by_path[index->by_path_count++] = (keyed_delete){hash, d};
        } else if (deletes->content == FLOE_ICE_CONTENT_EQUALITY_DELETES &&
                   spec_is_unpartitioned(table, deletes)) {
            index->global[index->global_count++] = d;
        } else {
            index->by_partition[index->by_partition_count++] =
                (keyed_delete){partition_hash(deletes), d};
        }
    }
    qsort(index->by_path, index->by_path_count, sizeof *index->by_path, compare_keyed);
    qsort(index->by_partition, index->by_partition_count, sizeof *index->by_partition,
          compare_keyed);
    return FLOE_OK;
}

/* Appends the indexes of entries with `hash` to out[]. */
static size_t keyed_lookup(const keyed_delete *keyed, size_t count, uint64_t hash, size_t *out)
{
    size_t low = 0, high = count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (keyed[middle].hash < hash) low = middle + 1;
        else high = middle;
    }
    size_t found = 0;
    for (size_t i = low; i < count && keyed[i].hash == hash; i++) out[found++] = keyed[i].index;
    return found;
}

/* The delete files that apply to `data`, ascending, into out[] (room for every delete file). */
static size_t deletes_for(const floe_ice_table *table, const floe_ice_scan_plan *plan,
                          const delete_index *index, const floe_ice_scan_file *data, size_t *out)
{
    if (plan->delete_file_count == 0) return 0;
    size_t candidates = 0;
    const char *path = data->file->file_path;
    candidates += keyed_lookup(index->by_path, index->by_path_count,
                               hash_mix(1469598103934665603ULL, path, strlen(path)),
                               out + candidates);
    candidates += keyed_lookup(index->by_partition, index->by_partition_count,
                               partition_hash(data), out + candidates);
    memcpy(out + candidates, index->global, index->global_count * sizeof *out);
    candidates += index->global_count;
    size_t matched = 0;
    for (size_t i = 0; i < candidates; i++)
        if (delete_applies(table, data, &plan->delete_files[out[i]])) out[matched++] = out[i];
    qsort(out, matched, sizeof *out, compare_indexes);
    return matched;
}

/* ---- planning --------------------------------------------------------------------------- */

void floe_ice_scan_plan_free(floe_ice_scan_plan *plan)
{
    if (plan == NULL) return;
    floe_ice_manifest_cache_free(plan->cache);
    floe_arena_fini(&plan->arena);
    floe_free(plan);
}

/* A growable array in heap memory, moved into the arena when complete. */
typedef struct growing {
    void *items;
    size_t count;
    size_t capacity;
} growing;

static void *grow_one(growing *array, size_t item_size)
{
    if (array->count == array->capacity) {
        size_t capacity = array->capacity ? array->capacity * 2 : 16;
        void *items = floe_realloc(array->items, capacity * item_size);
        if (items == NULL) return NULL;
        array->items = items;
        array->capacity = capacity;
    }
    return (char *)array->items + array->count++ * item_size;
}

/* The live files of every manifest whose `skip` flag is 0 (skip NULL: of every manifest). */
static int collect_live_files(const floe_ice_table *table, floe_ice_scan_plan *plan,
                              const floe_ice_snapshot_manifests *manifests, const uint8_t *skip,
                              growing *data, growing *deletes, floe_error *err)
{
    for (size_t m = 0; m < manifests->count; m++) {
        if (skip != NULL && skip[m]) continue;
        floe_ice_manifest *manifest = NULL;
        FLOE_TRY(floe_ice_manifest_cache_get(plan->cache, table, &manifests->files[m], &manifest,
                                             err));
        for (size_t e = 0; e < manifest->count; e++) {
            const floe_ice_manifest_entry *entry = &manifest->entries[e];
            if (entry->status == FLOE_ICE_STATUS_DELETED) continue;
            int is_data = entry->data_file.content == FLOE_ICE_CONTENT_DATA;
            floe_ice_scan_file *file = grow_one(is_data ? data : deletes, sizeof *file);
            FLOE_RETURN_IF(file == NULL, FLOE_ENOMEM, err, "out of memory");
            FLOE_TRY(floe_ice_scan_file_fill(table, &plan->arena, manifest, entry, file, err));
        }
    }
    return FLOE_OK;
}

static int resolve_predicate_types(const floe_ice_table *table, const floe_ice_scan_options *options,
                                   floe_type *types, floe_error *err)
{
    const floe_ice_schema *schema = floe_ice_current_schema(table->metadata);
    for (size_t i = 0; i < options->predicate_count; i++) {
        const floe_ice_field *field = schema ? floe_ice_field_by_id(schema, options->predicates[i].field_id)
                                             : NULL;
        FLOE_RETURN_IF(field == NULL, FLOE_EINVAL, err,
                       "predicate %zu: no column with field id %" PRId32 " in the current schema", i,
                       options->predicates[i].field_id);
        FLOE_TRY(floe_ice_field_floe_type(field, &types[i], err));
    }
    return FLOE_OK;
}

/* Plans plan->snapshot_id from its loaded manifest list, leaving out the manifests `skip`
 * flags (NULL: none). */
static int build_plan_from(const floe_ice_table *table, floe_ice_scan_plan *plan,
                           const floe_ice_scan_options *options,
                           const floe_ice_snapshot_manifests *manifests, const uint8_t *skip,
                           floe_error *err)
{
    const floe_ice_snapshot *snapshot = floe_ice_snapshot_by_id(table->metadata, plan->snapshot_id);
    plan->sequence_number = snapshot->sequence_number;
    floe_type types[64];
    FLOE_RETURN_IF(options->predicate_count > 64, FLOE_EINVAL, err,
                   "%zu predicates: at most 64 are supported", options->predicate_count);
    FLOE_TRY(resolve_predicate_types(table, options, types, err));

    growing data = {0}, deletes = {0};
    int status = collect_live_files(table, plan, manifests, skip, &data, &deletes, err);
    plan->manifests_read = floe_ice_manifest_cache_reads(plan->cache);

    if (status == FLOE_OK && deletes.count > 0) {
        plan->delete_files = floe_arena_alloc(&plan->arena, deletes.count * sizeof(floe_ice_scan_file));
        if (plan->delete_files == NULL) status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
        else memcpy(plan->delete_files, deletes.items, deletes.count * sizeof(floe_ice_scan_file));
        plan->delete_file_count = deletes.count;
    }
    if (status == FLOE_OK && data.count > 0) {
        plan->tasks = floe_arena_alloc_zero(&plan->arena, data.count * sizeof *plan->tasks);
        if (plan->tasks == NULL) status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    size_t *scratch = NULL;
    delete_index index;
    memset(&index, 0, sizeof index);
    if (status == FLOE_OK && plan->delete_file_count > 0) {
        scratch = floe_malloc(plan->delete_file_count * sizeof *scratch);
        if (scratch == NULL) status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
        else status = delete_index_build(table, plan, &index, err);
    }
    const floe_ice_scan_file *data_files = data.items;
    for (size_t i = 0; status == FLOE_OK && i < data.count; i++) {
        const floe_ice_scan_file *file = &data_files[i];
        if (options->predicate_count > 0) {
            const floe_ice_partition_spec *spec =
                floe_ice_partition_spec_by_id(table->metadata, file->spec_id);
            if (!floe_ice_file_may_match(file, spec, options->predicates, types,
                                         options->predicate_count)) {
                plan->files_pruned++;
                continue;
            }
        }
        floe_ice_scan_task *task = &plan->tasks[plan->task_count++];
        task->data = *file;
        plan->record_count += file->record_count;
        plan->file_size += file->file_size;
        size_t matched = deletes_for(table, plan, &index, file, scratch);
        if (matched > 0) {
            size_t *indexes = floe_arena_alloc(&plan->arena, matched * sizeof *indexes);
            if (indexes == NULL) {
                status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
                break;
            }
            memcpy(indexes, scratch, matched * sizeof *indexes);
            task->delete_indexes = indexes;
            task->delete_count = matched;
        }
    }
    delete_index_fini(&index);
    floe_free(scratch);
    floe_free(data.items);
    floe_free(deletes.items);
    return status;
}

static int build_plan(const floe_ice_table *table, floe_ice_scan_plan *plan,
                      const floe_ice_scan_options *options, floe_error *err)
{
    const floe_ice_snapshot *snapshot = floe_ice_snapshot_by_id(table->metadata, plan->snapshot_id);
    floe_ice_snapshot_manifests manifests;
    FLOE_TRY(floe_ice_snapshot_manifests_load(table, snapshot, plan->cache, &plan->arena,
                                              &manifests, err));
    int status = build_plan_from(table, plan, options, &manifests, NULL, err);
    floe_ice_snapshot_manifests_fini(&manifests);
    return status;
}

/* An empty plan of `snapshot_id` (-1: the current snapshot), which must exist. */
static int plan_create(const floe_ice_table *table, int64_t snapshot_id, floe_ice_scan_plan **out,
                       floe_error *err)
{
    *out = NULL;
    if (snapshot_id == -1) snapshot_id = table->metadata->current_snapshot_id;
    FLOE_RETURN_IF(snapshot_id != -1 && floe_ice_snapshot_by_id(table->metadata, snapshot_id) == NULL,
                   FLOE_ENOTFOUND, err, "%s: no snapshot %" PRId64, table->directory, snapshot_id);
    floe_ice_scan_plan *plan = floe_calloc(1, sizeof *plan);
    FLOE_RETURN_IF(plan == NULL, FLOE_ENOMEM, err, "out of memory");
    floe_arena_init(&plan->arena, 0, 0);
    plan->snapshot_id = snapshot_id;
    int status = floe_ice_manifest_cache_create(&plan->cache, err);
    if (status != FLOE_OK) {
        floe_ice_scan_plan_free(plan);
        return status;
    }
    *out = plan;
    return FLOE_OK;
}

int floe_ice_table_plan_scan_with(const floe_ice_table *table, int64_t snapshot_id,
                                  const floe_ice_scan_options *options, floe_ice_scan_plan **out,
                                  floe_error *err)
{
    *out = NULL;
    FLOE_RETURN_IF(table == NULL, FLOE_EINVAL, err, "no table");
    floe_ice_scan_options no_options = {NULL, 0};
    if (options == NULL) options = &no_options;
    floe_ice_scan_plan *plan = NULL;
    FLOE_TRY(plan_create(table, snapshot_id, &plan, err));
    int status = plan->snapshot_id != -1 ? build_plan(table, plan, options, err) : FLOE_OK;
    if (status != FLOE_OK) {
        floe_ice_scan_plan_free(plan);
        return status;
    }
    *out = plan;
    return FLOE_OK;
}

/* ---- planning a change: only the manifests that differ ----------------------------------- */

static int compare_manifest_paths(const void *left, const void *right)
{
    const floe_ice_manifest_file *a = *(const floe_ice_manifest_file *const *)left;
    const floe_ice_manifest_file *b = *(const floe_ice_manifest_file *const *)right;
    return strcmp(a->manifest_path, b->manifest_path);
}

/* The entries of `manifests` with `content` into sorted[] (room for every entry), by path;
 * returns their number. */
static size_t sorted_by_path(const floe_ice_snapshot_manifests *manifests, int32_t content,
                             const floe_ice_manifest_file **sorted)
{
    size_t count = 0;
    for (size_t m = 0; m < manifests->count; m++)
        if (manifests->files[m].content == content) sorted[count++] = &manifests->files[m];
    qsort(sorted, count, sizeof *sorted, compare_manifest_paths);
    return count;
}

/* Flags the data manifests that both snapshots' lists name (see floe_ice_table_plan_change),
 * when their delete manifests are the same, and sums their live data files. */
static int mark_shared_manifests(const floe_ice_snapshot_manifests *to,
                                 const floe_ice_snapshot_manifests *from, uint8_t *skip_to,
                                 uint8_t *skip_from, int64_t *shared_files, floe_error *err)
{
    const floe_ice_manifest_file **to_sorted = floe_malloc((to->count + 1) * sizeof *to_sorted);
    const floe_ice_manifest_file **from_sorted =
        floe_malloc((from->count + 1) * sizeof *from_sorted);
    if (to_sorted == NULL || from_sorted == NULL) {
        floe_free(to_sorted);
        floe_free(from_sorted);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    size_t to_deletes = sorted_by_path(to, FLOE_ICE_MANIFEST_CONTENT_DELETES, to_sorted);
    size_t from_deletes = sorted_by_path(from, FLOE_ICE_MANIFEST_CONTENT_DELETES, from_sorted);
    int same_deletes = to_deletes == from_deletes;
    for (size_t i = 0; i < to_deletes && same_deletes; i++)
        same_deletes = compare_manifest_paths(&to_sorted[i], &from_sorted[i]) == 0;
    size_t from_data =
        same_deletes ? sorted_by_path(from, FLOE_ICE_MANIFEST_CONTENT_DATA, from_sorted) : 0;
    for (size_t m = 0; m < to->count && from_data > 0; m++) {
        const floe_ice_manifest_file *entry = &to->files[m];
        if (entry->content != FLOE_ICE_MANIFEST_CONTENT_DATA) continue;
        const floe_ice_manifest_file **found =
            bsearch(&entry, from_sorted, from_data, sizeof *from_sorted, compare_manifest_paths);
        /* The same file with the same inherited snapshot id and sequence number holds the
         * same entries at both; its live count must be known to keep the counters exact. */
        if (found == NULL || (*found)->sequence_number != entry->sequence_number ||
            (*found)->added_snapshot_id != entry->added_snapshot_id ||
            entry->added_files_count < 0 || entry->existing_files_count < 0)
            continue;
        skip_to[m] = 1;
        skip_from[*found - from->files] = 1;
        *shared_files += (int64_t)entry->added_files_count + entry->existing_files_count;
    }
    floe_free(to_sorted);
    floe_free(from_sorted);
    return FLOE_OK;
}

int floe_ice_table_plan_change(const floe_ice_table *table, int64_t from_snapshot_id,
                               int64_t to_snapshot_id, floe_ice_scan_plan **to_plan,
                               floe_ice_scan_plan **from_plan, int64_t *unchanged_files,
                               floe_error *err)
{
    *to_plan = NULL;
    *from_plan = NULL;
    *unchanged_files = 0;
    FLOE_RETURN_IF(table == NULL, FLOE_EINVAL, err, "no table");
    if (from_snapshot_id == -1)
        return floe_ice_table_plan_scan(table, to_snapshot_id, to_plan, err);
    floe_ice_scan_plan *to = NULL, *from = NULL;
    FLOE_TRY(plan_create(table, to_snapshot_id, &to, err));
    int status = plan_create(table, from_snapshot_id, &from, err);
    floe_ice_scan_options no_options = {NULL, 0};
    floe_ice_snapshot_manifests to_manifests = {0}, from_manifests = {0};
    uint8_t *skip_to = NULL, *skip_from = NULL;
    int64_t shared_files = 0;
    if (status == FLOE_OK && to->snapshot_id != -1)
        status = floe_ice_snapshot_manifests_load(
            table, floe_ice_snapshot_by_id(table->metadata, to->snapshot_id), to->cache,
            &to->arena, &to_manifests, err);
    if (status == FLOE_OK)
        status = floe_ice_snapshot_manifests_load(
            table, floe_ice_snapshot_by_id(table->metadata, from->snapshot_id), from->cache,
            &from->arena, &from_manifests, err);
    if (status == FLOE_OK) {
        skip_to = floe_calloc(to_manifests.count + 1, 1);
        skip_from = floe_calloc(from_manifests.count + 1, 1);
        if (skip_to == NULL || skip_from == NULL)
            status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    if (status == FLOE_OK && to->snapshot_id != -1)
        status = mark_shared_manifests(&to_manifests, &from_manifests, skip_to, skip_from,
                                       &shared_files, err);
    if (status == FLOE_OK && to->snapshot_id != -1)
        status = build_plan_from(table, to, &no_options, &to_manifests, skip_to, err);
    if (status == FLOE_OK)
        status = build_plan_from(table, from, &no_options, &from_manifests, skip_from, err);
    floe_ice_snapshot_manifests_fini(&to_manifests);
    floe_ice_snapshot_manifests_fini(&from_manifests);
    floe_free(skip_to);
    floe_free(skip_from);
    if (status != FLOE_OK) {
        floe_ice_scan_plan_free(to);
        floe_ice_scan_plan_free(from);
        return status;
    }
    *to_plan = to;
    *from_plan = from;
    *unchanged_files = shared_files;
    return FLOE_OK;
}

int floe_ice_table_plan_scan(const floe_ice_table *table, int64_t snapshot_id,
                             floe_ice_scan_plan **plan, floe_error *err)
{
    return floe_ice_table_plan_scan_with(table, snapshot_id, NULL, plan, err);
}

/* ---- names ------------------------------------------------------------------------------ */

floe_ice_operation floe_ice_operation_from_text(const char *operation)
{
    if (operation == NULL) return FLOE_ICE_OPERATION_UNKNOWN;
    if (strcmp(operation, "append") == 0) return FLOE_ICE_OPERATION_APPEND;
    if (strcmp(operation, "overwrite") == 0) return FLOE_ICE_OPERATION_OVERWRITE;
    if (strcmp(operation, "delete") == 0) return FLOE_ICE_OPERATION_DELETE;
    if (strcmp(operation, "replace") == 0) return FLOE_ICE_OPERATION_REPLACE;
    return FLOE_ICE_OPERATION_UNKNOWN;
}

const char *floe_ice_operation_name(floe_ice_operation operation)
{
    switch (operation) {
    case FLOE_ICE_OPERATION_APPEND: return "append";
    case FLOE_ICE_OPERATION_OVERWRITE: return "overwrite";
    case FLOE_ICE_OPERATION_DELETE: return "delete";
    case FLOE_ICE_OPERATION_REPLACE: return "replace";
    default: return "unknown";
    }
}

const char *floe_ice_content_name(int32_t content)
{
    switch (content) {
    case FLOE_ICE_CONTENT_DATA: return "data";
    case FLOE_ICE_CONTENT_POSITION_DELETES: return "position-deletes";
    case FLOE_ICE_CONTENT_EQUALITY_DELETES: return "equality-deletes";
    default: return "unknown";
    }
}
