/*
 * iceberg_metadata.c — the in-memory Iceberg table metadata: lifetime, lookups, the Iceberg ↔
 * Floe type mapping, and the builders the catalog and commit code use to make the next
 * version of a table (contract in iceberg_metadata.h).
 *
 * Why builders copy into the arena rather than keep growable arrays: a metadata object lives
 * for one commit (read version N, add a snapshot, write N+1), so each change happens a handful
 * of times; copying an array into a fresh arena slot keeps every pointer in the object owned
 * by one arena with no second ownership scheme, at the price of a few dead bytes per change.
 */
#define _DEFAULT_SOURCE /* getrandom, ssize_t under -std=c11 */
#include "io/iceberg_metadata.h"
#include "io/iceberg_metadata_int.h"
#include "kernels/memory.h" /* floe_malloc, floe_free */

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* ---- jansson's allocator ---------------------------------------------------------------- */

/* jansson turns some failed allocations into syntax errors ("string expected"); this flag lets
 * a caller tell "out of memory" from "corrupt" after a failed parse. */
static _Thread_local int json_allocation_failed;

static void *json_allocate(size_t size)
{
    void *pointer = floe_malloc(size);
    if (pointer == NULL) json_allocation_failed = 1;
    return pointer;
}

int floe_ice_json_take_allocation_failure(void)
{
    int failed = json_allocation_failed;
    json_allocation_failed = 0;
    return failed;
}
static void json_release(void *pointer) { floe_free(pointer); }
static void install_json_allocator(void) { json_set_alloc_funcs(json_allocate, json_release); }

void floe_ice_json_use_floe_allocator(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install_json_allocator);
}

/* ---- lifetime --------------------------------------------------------------------------- */

floe_ice_table_metadata *floe_ice_table_metadata_new(void)
{
    floe_ice_table_metadata *metadata = floe_calloc(1, sizeof *metadata);
    if (metadata == NULL) return NULL;
    floe_arena_init(&metadata->arena, 16384, 0);
    metadata->current_snapshot_id = -1;
    return metadata;
}

void floe_ice_table_metadata_free(floe_ice_table_metadata *metadata)
{
    if (metadata == NULL) return;
    floe_arena_fini(&metadata->arena);
    floe_free(metadata);
}

char *floe_ice_arena_strdup(floe_arena *arena, const char *text)
{
    if (text == NULL) return NULL;
    return floe_arena_strndup(arena, text, strlen(text));
}

/* ---- type and transform strings --------------------------------------------------------- */

static const char *skip_blanks(const char *text)
{
    while (*text == ' ' || *text == '\t') text++;
    return text;
}

/* Reads a decimal number of at most `maximum`; advances *text. -1 when there is none. */
static long read_number(const char **text, long maximum)
{
    const char *cursor = skip_blanks(*text);
    if (*cursor < '0' || *cursor > '9') return -1;
    long value = 0;
    while (*cursor >= '0' && *cursor <= '9') {
        value = value * 10 + (*cursor - '0');
        if (value > maximum) return -1;
        cursor++;
    }
    *text = skip_blanks(cursor);
    return value;
}

/* "name[N]" (or with other brackets): returns N, or -1 when `text` is not of that shape. */
static long bracketed_number(const char *text, const char *name, char open, char close,
                             long maximum)
{
    size_t length = strlen(name);
    if (strncmp(text, name, length) != 0) return -1;
    const char *cursor = skip_blanks(text + length);
    if (*cursor != open) return -1;
    cursor++;
    long value = read_number(&cursor, maximum);
    if (value < 0 || *cursor != close) return -1;
    cursor = skip_blanks(cursor + 1);
    return *cursor == '\0' ? value : -1;
}

int floe_ice_parse_primitive_type(const char *text, floe_ice_field *field)
{
    static const struct {
        const char *name;
        floe_ice_type_kind kind;
    } simple[] = {
        {"boolean", FLOE_ICE_TYPE_BOOLEAN},     {"int", FLOE_ICE_TYPE_INT},
        {"long", FLOE_ICE_TYPE_LONG},           {"float", FLOE_ICE_TYPE_FLOAT},
        {"double", FLOE_ICE_TYPE_DOUBLE},       {"date", FLOE_ICE_TYPE_DATE},
        {"time", FLOE_ICE_TYPE_TIME},           {"timestamp", FLOE_ICE_TYPE_TIMESTAMP},
        {"timestamptz", FLOE_ICE_TYPE_TIMESTAMPTZ}, {"string", FLOE_ICE_TYPE_STRING},
        {"uuid", FLOE_ICE_TYPE_UUID},           {"binary", FLOE_ICE_TYPE_BINARY},
        /* v3 types: valid Iceberg, loaded, refused when used. */
        {"timestamp_ns", FLOE_ICE_TYPE_UNSUPPORTED}, {"timestamptz_ns", FLOE_ICE_TYPE_UNSUPPORTED},
        {"variant", FLOE_ICE_TYPE_UNSUPPORTED}, {"unknown", FLOE_ICE_TYPE_UNSUPPORTED},
        {"geometry", FLOE_ICE_TYPE_UNSUPPORTED}, {"geography", FLOE_ICE_TYPE_UNSUPPORTED},
    };
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++) {
        if (strcmp(text, simple[i].name) == 0) {
            field->kind = simple[i].kind;
            return 0;
        }
    }
    if (strncmp(text, "geometry(", 9) == 0 || strncmp(text, "geography(", 10) == 0) {
        field->kind = FLOE_ICE_TYPE_UNSUPPORTED;
        return 0;
    }
    long length = bracketed_number(text, "fixed", '[', ']', INT32_MAX);
    if (length > 0) {
        field->kind = FLOE_ICE_TYPE_FIXED;
        field->length = (int32_t)length;
        return 0;
    }
    if (strncmp(text, "decimal", 7) == 0) {
        const char *cursor = skip_blanks(text + 7);
        if (*cursor != '(') return -1;
        cursor++;
        long precision = read_number(&cursor, 1000);
        if (precision < 1 || precision > FLOE_DECIMAL_MAX_PRECISION || *cursor != ',') return -1;
        cursor++;
        long scale = read_number(&cursor, 1000);
        if (scale < 0 || scale > precision || *cursor != ')') return -1;
        cursor = skip_blanks(cursor + 1);
        if (*cursor != '\0') return -1;
        field->kind = FLOE_ICE_TYPE_DECIMAL;
        field->precision = (uint8_t)precision;
        field->scale = (uint8_t)scale;
        return 0;
    }
    return -1;
}

int floe_ice_parse_transform(const char *text, floe_ice_transform_kind *kind, int32_t *parameter)
{
    static const struct {
        const char *name;
        floe_ice_transform_kind kind;
    } simple[] = {
        {"identity", FLOE_ICE_TRANSFORM_IDENTITY}, {"year", FLOE_ICE_TRANSFORM_YEAR},
        {"month", FLOE_ICE_TRANSFORM_MONTH},       {"day", FLOE_ICE_TRANSFORM_DAY},
        {"hour", FLOE_ICE_TRANSFORM_HOUR},         {"void", FLOE_ICE_TRANSFORM_VOID},
    };
    *parameter = 0;
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++) {
        if (strcmp(text, simple[i].name) == 0) {
            *kind = simple[i].kind;
            return 0;
        }
    }
    static const struct {
        const char *name;
        floe_ice_transform_kind kind;
    } with_parameter[] = {
        {"bucket", FLOE_ICE_TRANSFORM_BUCKET},
        {"truncate", FLOE_ICE_TRANSFORM_TRUNCATE},
    };
    for (size_t i = 0; i < 2; i++) {
        size_t length = strlen(with_parameter[i].name);
        if (strncmp(text, with_parameter[i].name, length) == 0 && text[length] == '[') {
            long value = bracketed_number(text, with_parameter[i].name, '[', ']', INT32_MAX);
            if (value < 1) return -1;
            *kind = with_parameter[i].kind;
            *parameter = (int32_t)value;
            return 0;
        }
    }
    *kind = FLOE_ICE_TRANSFORM_UNKNOWN;
    return 0;
}

const char *floe_ice_type_kind_name(floe_ice_type_kind kind)
{
    switch (kind) {
    case FLOE_ICE_TYPE_BOOLEAN: return "boolean";
    case FLOE_ICE_TYPE_INT: return "int";
    case FLOE_ICE_TYPE_LONG: return "long";
    case FLOE_ICE_TYPE_FLOAT: return "float";
    case FLOE_ICE_TYPE_DOUBLE: return "double";
    case FLOE_ICE_TYPE_DECIMAL: return "decimal";
    case FLOE_ICE_TYPE_DATE: return "date";
    case FLOE_ICE_TYPE_TIME: return "time";
    case FLOE_ICE_TYPE_TIMESTAMP: return "timestamp";
    case FLOE_ICE_TYPE_TIMESTAMPTZ: return "timestamptz";
    case FLOE_ICE_TYPE_STRING: return "string";
    case FLOE_ICE_TYPE_UUID: return "uuid";
    case FLOE_ICE_TYPE_FIXED: return "fixed";
    case FLOE_ICE_TYPE_BINARY: return "binary";
    case FLOE_ICE_TYPE_NESTED: return "nested";
    case FLOE_ICE_TYPE_UNSUPPORTED: return "unsupported";
    }
    return "invalid";
}

const char *floe_ice_transform_kind_name(floe_ice_transform_kind kind)
{
    switch (kind) {
    case FLOE_ICE_TRANSFORM_IDENTITY: return "identity";
    case FLOE_ICE_TRANSFORM_BUCKET: return "bucket";
    case FLOE_ICE_TRANSFORM_TRUNCATE: return "truncate";
    case FLOE_ICE_TRANSFORM_YEAR: return "year";
    case FLOE_ICE_TRANSFORM_MONTH: return "month";
    case FLOE_ICE_TRANSFORM_DAY: return "day";
    case FLOE_ICE_TRANSFORM_HOUR: return "hour";
    case FLOE_ICE_TRANSFORM_VOID: return "void";
    case FLOE_ICE_TRANSFORM_UNKNOWN: return "unknown";
    }
    return "invalid";
}

int floe_ice_field_floe_type(const floe_ice_field *field, floe_type *out, floe_error *err)
{
    switch (field->kind) {
    case FLOE_ICE_TYPE_BOOLEAN: *out = floe_type_make(FLOE_TYPE_BOOLEAN); return FLOE_OK;
    case FLOE_ICE_TYPE_INT: *out = floe_type_make(FLOE_TYPE_INT32); return FLOE_OK;
    case FLOE_ICE_TYPE_LONG: *out = floe_type_make(FLOE_TYPE_INT64); return FLOE_OK;
    case FLOE_ICE_TYPE_FLOAT: *out = floe_type_make(FLOE_TYPE_FLOAT32); return FLOE_OK;
    case FLOE_ICE_TYPE_DOUBLE: *out = floe_type_make(FLOE_TYPE_FLOAT64); return FLOE_OK;
    case FLOE_ICE_TYPE_DECIMAL:
        *out = floe_type_decimal(field->precision, field->scale);
        return FLOE_OK;
    case FLOE_ICE_TYPE_DATE: *out = floe_type_make(FLOE_TYPE_DATE); return FLOE_OK;
    case FLOE_ICE_TYPE_TIME: *out = floe_type_make(FLOE_TYPE_INT64); return FLOE_OK;
    case FLOE_ICE_TYPE_TIMESTAMP: *out = floe_type_make(FLOE_TYPE_TIMESTAMP); return FLOE_OK;
    case FLOE_ICE_TYPE_TIMESTAMPTZ: *out = floe_type_make(FLOE_TYPE_TIMESTAMPTZ); return FLOE_OK;
    case FLOE_ICE_TYPE_STRING: *out = floe_type_make(FLOE_TYPE_STRING); return FLOE_OK;
    case FLOE_ICE_TYPE_UUID:
    case FLOE_ICE_TYPE_FIXED:
    case FLOE_ICE_TYPE_BINARY: *out = floe_type_make(FLOE_TYPE_BINARY); return FLOE_OK;
    case FLOE_ICE_TYPE_NESTED:
        return floe_error_set(err, FLOE_EUNSUPPORTED,
                              "column '%s' (id %d): nested type %s is not supported", field->name,
                              field->id, field->type_text != NULL ? field->type_text : "?");
    case FLOE_ICE_TYPE_UNSUPPORTED:
        break;
    }
    return floe_error_set(err, FLOE_EUNSUPPORTED, "column '%s' (id %d): type %s is not supported",
                          field->name, field->id,
                          field->type_text != NULL ? field->type_text : "?");
}

/* ---- lookups ---------------------------------------------------------------------------- */

const floe_ice_schema *floe_ice_schema_by_id(const floe_ice_table_metadata *metadata,
                                             int32_t schema_id)
{
    for (size_t i = 0; i < metadata->schema_count; i++) {
        if (metadata->schemas[i].schema_id == schema_id) return &metadata->schemas[i];
    }
    return NULL;
}

const floe_ice_schema *floe_ice_current_schema(const floe_ice_table_metadata *metadata)
{
    return floe_ice_schema_by_id(metadata, metadata->current_schema_id);
}

const floe_ice_partition_spec *floe_ice_partition_spec_by_id(
    const floe_ice_table_metadata *metadata, int32_t spec_id)
{
    for (size_t i = 0; i < metadata->partition_spec_count; i++) {
        if (metadata->partition_specs[i].spec_id == spec_id) return &metadata->partition_specs[i];
    }
    return NULL;
}

const floe_ice_partition_spec *floe_ice_default_partition_spec(
    const floe_ice_table_metadata *metadata)
{
    return floe_ice_partition_spec_by_id(metadata, metadata->default_spec_id);
}

const floe_ice_snapshot *floe_ice_snapshot_by_id(const floe_ice_table_metadata *metadata,
                                                 int64_t snapshot_id)
{
    for (size_t i = 0; i < metadata->snapshot_count; i++) {
        if (metadata->snapshots[i].snapshot_id == snapshot_id) return &metadata->snapshots[i];
    }
    return NULL;
}

const floe_ice_snapshot *floe_ice_current_snapshot(const floe_ice_table_metadata *metadata)
{
    if (metadata->current_snapshot_id == -1) return NULL;
    return floe_ice_snapshot_by_id(metadata, metadata->current_snapshot_id);
}

const char *floe_ice_snapshot_summary(const floe_ice_snapshot *snapshot, const char *key)
{
    for (size_t i = 0; snapshot != NULL && i < snapshot->summary_count; i++)
        if (strcmp(snapshot->summary[i].key, key) == 0) return snapshot->summary[i].value;
    return NULL;
}

int64_t floe_ice_snapshot_summary_int(const floe_ice_snapshot *snapshot, const char *key,
                                      int64_t fallback)
{
    const char *text = floe_ice_snapshot_summary(snapshot, key);
    if (text == NULL) return fallback;
    char *end = NULL;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0') return fallback;
    return (int64_t)value;
}

const floe_ice_ref *floe_ice_ref_by_name(const floe_ice_table_metadata *metadata,
                                         const char *name)
{
    for (size_t i = 0; i < metadata->ref_count; i++) {
        if (strcmp(metadata->refs[i].name, name) == 0) return &metadata->refs[i];
    }
    return NULL;
}

const char *floe_ice_property_get(const floe_ice_table_metadata *metadata, const char *key)
{
    for (size_t i = 0; i < metadata->property_count; i++) {
        if (strcmp(metadata->properties[i].key, key) == 0) return metadata->properties[i].value;
    }
    return NULL;
}

const floe_ice_field *floe_ice_field_by_id(const floe_ice_schema *schema, int32_t field_id)
{
    for (size_t i = 0; i < schema->field_count; i++) {
        if (schema->fields[i].id == field_id) return &schema->fields[i];
    }
    return NULL;
}

const floe_ice_field *floe_ice_field_by_name(const floe_ice_schema *schema, const char *name)
{
    for (size_t i = 0; i < schema->field_count; i++) {
        if (strcmp(schema->fields[i].name, name) == 0) return &schema->fields[i];
    }
    return NULL;
}

int32_t floe_ice_name_mapping_lookup(const floe_ice_table_metadata *metadata, const char *name)
{
    for (size_t i = 0; i < metadata->name_mapping_count; i++) {
        if (strcmp(metadata->name_mapping[i].name, name) == 0)
            return metadata->name_mapping[i].field_id;
    }
    return -1;
}

int floe_ice_snapshot_is_ancestor(const floe_ice_table_metadata *metadata, int64_t ancestor_id,
                                  int64_t snapshot_id)
{
    const floe_ice_snapshot *snapshot = floe_ice_snapshot_by_id(metadata, snapshot_id);
    /* A parent chain longer than the snapshot list has a cycle: stop rather than loop. */
    for (size_t steps = 0; snapshot != NULL && steps <= metadata->snapshot_count; steps++) {
        if (snapshot->snapshot_id == ancestor_id) return 1;
        if (snapshot->parent_snapshot_id == -1) return 0;
        snapshot = floe_ice_snapshot_by_id(metadata, snapshot->parent_snapshot_id);
    }
    return 0;
}

/* ---- randomness ------------------------------------------------------------------------- */

static int random_bytes(void *buffer, size_t size, floe_error *err)
{
    unsigned char *cursor = buffer;
    while (size > 0) {
        ssize_t got = getrandom(cursor, size, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            int code = -errno;
            return floe_error_set(err, code, "getrandom failed: %s", floe_status_name(code));
        }
        cursor += got;
        size -= (size_t)got;
    }
    return FLOE_OK;
}

int floe_ice_random_uuid(char out[37], floe_error *err)
{
    unsigned char bytes[16];
    FLOE_TRY(random_bytes(bytes, sizeof bytes, err));
    bytes[6] = (unsigned char)((bytes[6] & 0x0f) | 0x40); /* version 4 */
    bytes[8] = (unsigned char)((bytes[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    static const char hex[] = "0123456789abcdef";
    size_t position = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[position++] = '-';
        out[position++] = hex[bytes[i] >> 4];
        out[position++] = hex[bytes[i] & 15];
    }
    out[position] = '\0';
    return FLOE_OK;
}

int floe_ice_random_snapshot_id(int64_t *out, floe_error *err)
{
    uint64_t value = 0;
    while (value == 0) {
        FLOE_TRY(random_bytes(&value, sizeof value, err));
        value &= (uint64_t)INT64_MAX;
    }
    *out = (int64_t)value;
    return FLOE_OK;
}

/* ---- builders --------------------------------------------------------------------------- */

/* A copy of `array` (count elements) with room for one more, in the arena. */
static void *grow_by_one(floe_arena *arena, const void *array, size_t count, size_t element_size)
{
    unsigned char *grown = floe_arena_alloc_zero(arena, (count + 1) * element_size);
    if (grown != NULL && count != 0) memcpy(grown, array, count * element_size);
    return grown;
}

static const char *iceberg_type_text(floe_arena *arena, floe_type type, floe_ice_field *field)
{
    switch ((floe_type_id)type.id) {
    case FLOE_TYPE_BOOLEAN: field->kind = FLOE_ICE_TYPE_BOOLEAN; return "boolean";
    case FLOE_TYPE_INT32: field->kind = FLOE_ICE_TYPE_INT; return "int";
    case FLOE_TYPE_INT64: field->kind = FLOE_ICE_TYPE_LONG; return "long";
    case FLOE_TYPE_FLOAT32: field->kind = FLOE_ICE_TYPE_FLOAT; return "float";
    case FLOE_TYPE_FLOAT64: field->kind = FLOE_ICE_TYPE_DOUBLE; return "double";
    case FLOE_TYPE_DATE: field->kind = FLOE_ICE_TYPE_DATE; return "date";
    case FLOE_TYPE_TIMESTAMP: field->kind = FLOE_ICE_TYPE_TIMESTAMP; return "timestamp";
    case FLOE_TYPE_TIMESTAMPTZ: field->kind = FLOE_ICE_TYPE_TIMESTAMPTZ; return "timestamptz";
    case FLOE_TYPE_STRING: field->kind = FLOE_ICE_TYPE_STRING; return "string";
    case FLOE_TYPE_BINARY: field->kind = FLOE_ICE_TYPE_BINARY; return "binary";
    case FLOE_TYPE_DECIMAL: {
        char text[32];
        snprintf(text, sizeof text, "decimal(%u, %u)", type.precision, type.scale);
        field->kind = FLOE_ICE_TYPE_DECIMAL;
        field->precision = type.precision;
        field->scale = type.scale;
        return floe_ice_arena_strdup(arena, text);
    }
    case FLOE_TYPE_INVALID:
        break;
    }
    return NULL;
}

int floe_ice_table_metadata_create(const char *location, const floe_ice_new_column *columns,
                                   size_t column_count, int64_t timestamp_ms,
                                   floe_ice_table_metadata **out, floe_error *err)
{
    *out = NULL;
    FLOE_RETURN_IF(location == NULL || location[0] == '\0', FLOE_EINVAL, err,
                   "a new table needs a location");
    FLOE_RETURN_IF(column_count != 0 && columns == NULL, FLOE_EINVAL, err, "columns missing");
    for (size_t i = 0; i < column_count; i++) {
        char type_name[64];
        FLOE_RETURN_IF(columns[i].name == NULL || columns[i].name[0] == '\0', FLOE_EINVAL, err,
                       "column %zu has no name", i + 1);
        FLOE_RETURN_IF(!floe_type_is_valid(columns[i].type), FLOE_EINVAL, err,
                       "column '%s': invalid type %s", columns[i].name,
                       floe_type_format(columns[i].type, type_name, sizeof type_name));
        FLOE_RETURN_IF(columns[i].id < 0, FLOE_EINVAL, err, "column '%s': negative id %d",
                       columns[i].name, columns[i].id);
        for (size_t j = 0; j < i; j++) {
            FLOE_RETURN_IF(strcmp(columns[i].name, columns[j].name) == 0, FLOE_EINVAL, err,
                           "column name '%s' is used twice", columns[i].name);
            FLOE_RETURN_IF(columns[i].id != 0 && columns[i].id == columns[j].id, FLOE_EINVAL,
                           err, "column id %d is used twice", columns[i].id);
        }
    }
    char uuid[37];
    FLOE_TRY(floe_ice_random_uuid(uuid, err));

    floe_ice_table_metadata *metadata = floe_ice_table_metadata_new();
    FLOE_RETURN_IF(metadata == NULL, FLOE_ENOMEM, err, "out of memory creating table metadata");
    floe_arena *arena = &metadata->arena;
    metadata->format_version = 2;
    metadata->table_uuid = floe_ice_arena_strdup(arena, uuid);
    metadata->location = floe_ice_arena_strdup(arena, location);
    metadata->last_updated_ms = timestamp_ms;
    metadata->schemas = floe_arena_alloc_zero(arena, sizeof *metadata->schemas);
    metadata->partition_specs = floe_arena_alloc_zero(arena, sizeof *metadata->partition_specs);
    metadata->sort_orders = floe_arena_alloc_zero(arena, sizeof *metadata->sort_orders);
    floe_ice_field *fields =
        column_count == 0 ? NULL : floe_arena_alloc_zero(arena, column_count * sizeof *fields);
    if (metadata->table_uuid == NULL || metadata->location == NULL || metadata->schemas == NULL ||
        metadata->partition_specs == NULL || metadata->sort_orders == NULL ||
        (column_count != 0 && fields == NULL))
        goto out_of_memory;
    metadata->schema_count = metadata->partition_spec_count = metadata->sort_order_count = 1;
    metadata->last_partition_id = 999; /* partition field ids start at 1000 */

    int32_t next_id = 1, highest = 0;
    for (size_t i = 0; i < column_count; i++) {
        int32_t id = columns[i].id;
        if (id == 0) {
            /* The next id no explicit column claims. */
            for (;; next_id++) {
                int taken = 0;
                for (size_t j = 0; j < column_count; j++) taken |= columns[j].id == next_id;
                if (!taken) break;
            }
            id = next_id++;
        }
        fields[i].id = id;
        if (id > highest) highest = id;
        fields[i].name = floe_ice_arena_strdup(arena, columns[i].name);
        fields[i].required = columns[i].required != 0;
        fields[i].type_text = iceberg_type_text(arena, columns[i].type, &fields[i]);
        if (columns[i].doc != NULL) fields[i].doc = floe_ice_arena_strdup(arena, columns[i].doc);
        if (fields[i].name == NULL || fields[i].type_text == NULL ||
            (columns[i].doc != NULL && fields[i].doc == NULL))
            goto out_of_memory;
    }
    metadata->schemas[0].fields = fields;
    metadata->schemas[0].field_count = column_count;
    metadata->last_column_id = highest;
    *out = metadata;
    return FLOE_OK;

out_of_memory:
    floe_ice_table_metadata_free(metadata);
    return floe_error_set(err, FLOE_ENOMEM, "out of memory creating table metadata");
}

int floe_ice_table_metadata_add_snapshot(floe_ice_table_metadata *metadata,
                                         const floe_ice_new_snapshot *snapshot, floe_error *err)
{
    FLOE_RETURN_IF(snapshot->snapshot_id <= 0, FLOE_EINVAL, err,
                   "snapshot id %lld is not positive", (long long)snapshot->snapshot_id);
    FLOE_RETURN_IF(floe_ice_snapshot_by_id(metadata, snapshot->snapshot_id) != NULL, FLOE_EINVAL,
                   err, "snapshot id %lld is already taken", (long long)snapshot->snapshot_id);
    FLOE_RETURN_IF(snapshot->manifest_list == NULL || snapshot->operation == NULL, FLOE_EINVAL,
                   err, "snapshot %lld needs a manifest list and an operation",
                   (long long)snapshot->snapshot_id);
    FLOE_RETURN_IF(snapshot->summary_count != 0 && snapshot->summary == NULL, FLOE_EINVAL, err,
                   "snapshot summary missing");
    int64_t sequence_number = snapshot->sequence_number != 0 ? snapshot->sequence_number
                                                             : metadata->last_sequence_number + 1;
    FLOE_RETURN_IF(sequence_number <= metadata->last_sequence_number, FLOE_EINVAL, err,
                   "sequence number %lld is not above last-sequence-number %lld",
                   (long long)sequence_number, (long long)metadata->last_sequence_number);

    floe_arena *arena = &metadata->arena;
    floe_ice_snapshot added;
    memset(&added, 0, sizeof added);
    added.snapshot_id = snapshot->snapshot_id;
    added.parent_snapshot_id = snapshot->parent_snapshot_id;
    added.sequence_number = sequence_number;
    added.timestamp_ms = snapshot->timestamp_ms;
    added.schema_id = metadata->current_schema_id;
    added.manifest_list = floe_ice_arena_strdup(arena, snapshot->manifest_list);
    added.summary = floe_arena_alloc_zero(arena, (snapshot->summary_count + 1) *
                                                     sizeof *added.summary);
    if (added.manifest_list == NULL || added.summary == NULL) goto out_of_memory;
    added.summary[0].key = "operation";
    added.summary[0].value = added.operation = floe_ice_arena_strdup(arena, snapshot->operation);
    if (added.operation == NULL) goto out_of_memory;
    added.summary_count = 1;
    for (size_t i = 0; i < snapshot->summary_count; i++) {
        const floe_ice_property *entry = &snapshot->summary[i];
        FLOE_RETURN_IF(entry->key == NULL || entry->value == NULL, FLOE_EINVAL, err,
                       "summary entry %zu is incomplete", i);
        if (strcmp(entry->key, "operation") == 0) continue;
        floe_ice_property *slot = &added.summary[added.summary_count++];
        slot->key = floe_ice_arena_strdup(arena, entry->key);
        slot->value = floe_ice_arena_strdup(arena, entry->value);
        if (slot->key == NULL || slot->value == NULL) goto out_of_memory;
    }

    /* Make every array one longer before changing anything, so failure changes nothing. */
    floe_ice_snapshot *snapshots = grow_by_one(arena, metadata->snapshots,
                                               metadata->snapshot_count, sizeof *snapshots);
    floe_ice_snapshot_log_entry *log = grow_by_one(arena, metadata->snapshot_log,
                                                   metadata->snapshot_log_count, sizeof *log);
    floe_ice_ref *refs = grow_by_one(arena, metadata->refs, metadata->ref_count, sizeof *refs);
    if (snapshots == NULL || log == NULL || refs == NULL) goto out_of_memory;

    snapshots[metadata->snapshot_count] = added;
    metadata->snapshots = snapshots;
    metadata->snapshot_count++;
    log[metadata->snapshot_log_count].timestamp_ms = snapshot->timestamp_ms;
    log[metadata->snapshot_log_count].snapshot_id = snapshot->snapshot_id;
    metadata->snapshot_log = log;
    metadata->snapshot_log_count++;
    metadata->refs = refs;
    floe_ice_ref *main_ref = NULL;
    for (size_t i = 0; i < metadata->ref_count; i++) {
        if (strcmp(refs[i].name, "main") == 0) main_ref = &refs[i];
    }
    if (main_ref == NULL) {
        main_ref = &refs[metadata->ref_count++];
        main_ref->name = "main";
        main_ref->type = FLOE_ICE_REF_BRANCH;
        main_ref->min_snapshots_to_keep = main_ref->max_snapshot_age_ms = -1;
        main_ref->max_ref_age_ms = -1;
    }
    main_ref->snapshot_id = snapshot->snapshot_id;
    metadata->current_snapshot_id = snapshot->snapshot_id;
    metadata->last_sequence_number = sequence_number;
    if (snapshot->timestamp_ms > metadata->last_updated_ms)
        metadata->last_updated_ms = snapshot->timestamp_ms;
    return FLOE_OK;

out_of_memory:
    return floe_error_set(err, FLOE_ENOMEM, "out of memory adding snapshot %lld",
                          (long long)snapshot->snapshot_id);
}

int floe_ice_table_metadata_set_property(floe_ice_table_metadata *metadata, const char *key,
                                         const char *value, floe_error *err)
{
    FLOE_RETURN_IF(key == NULL || value == NULL, FLOE_EINVAL, err, "property key or value missing");
    floe_arena *arena = &metadata->arena;
    char *value_copy = floe_ice_arena_strdup(arena, value);
    FLOE_RETURN_IF(value_copy == NULL, FLOE_ENOMEM, err, "out of memory setting property %s", key);
    if (strcmp(key, "schema.name-mapping.default") == 0) {
        /* Keep the lookup in step with the property; a bad mapping is refused. */
        floe_ice_name_mapping_entry *old_mapping = metadata->name_mapping;
        size_t old_count = metadata->name_mapping_count;
        int status = floe_ice_parse_name_mapping(metadata, value_copy, err);
        if (status < 0) {
            metadata->name_mapping = old_mapping;
            metadata->name_mapping_count = old_count;
            floe_error_prefix(err, "property %s", key);
            if (status == FLOE_ECORRUPT) { /* bad input from the caller, not from a file */
                status = FLOE_EINVAL;
                if (err != NULL) err->code = FLOE_EINVAL;
            }
            return status;
        }
    }
    for (size_t i = 0; i < metadata->property_count; i++) {
        if (strcmp(metadata->properties[i].key, key) == 0) {
            metadata->properties[i].value = value_copy;
            return FLOE_OK;
        }
    }
    floe_ice_property *grown = grow_by_one(arena, metadata->properties, metadata->property_count,
                                           sizeof *grown);
    char *key_copy = floe_ice_arena_strdup(arena, key);
    FLOE_RETURN_IF(grown == NULL || key_copy == NULL, FLOE_ENOMEM, err,
                   "out of memory setting property %s", key);
    grown[metadata->property_count].key = key_copy;
    grown[metadata->property_count].value = value_copy;
    metadata->properties = grown;
    metadata->property_count++;
    return FLOE_OK;
}

int floe_ice_table_metadata_append_metadata_log(floe_ice_table_metadata *metadata,
                                                int64_t timestamp_ms, const char *metadata_file,
                                                floe_error *err)
{
    FLOE_RETURN_IF(metadata_file == NULL, FLOE_EINVAL, err, "metadata file missing");
    floe_arena *arena = &metadata->arena;
    floe_ice_metadata_log_entry *grown = grow_by_one(arena, metadata->metadata_log,
                                                     metadata->metadata_log_count, sizeof *grown);
    char *file = floe_ice_arena_strdup(arena, metadata_file);
    FLOE_RETURN_IF(grown == NULL || file == NULL, FLOE_ENOMEM, err,
                   "out of memory logging metadata file %s", metadata_file);
    grown[metadata->metadata_log_count].timestamp_ms = timestamp_ms;
    grown[metadata->metadata_log_count].metadata_file = file;
    metadata->metadata_log = grown;
    metadata->metadata_log_count++;
    return FLOE_OK;
}
