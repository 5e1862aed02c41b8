/*
 * iceberg_manifest.c — reading Iceberg manifest lists and manifests (format v1 and v2).
 *
 * Why this shape: manifests come from many writers (Spark/Java, pyiceberg, Trino, Floe) that
 * order fields differently, omit optional ones, and differ between v1 and v2, so every record is
 * decoded with its own writer schema and every field is found by name. Avro C does the decoding,
 * but only after io/avro_container.c has proven that the record's bytes are well formed (Avro C
 * trusts lengths and counts; see avro_container.h). Partition field types need the Avro
 * logicalType attribute (date, timestamp-micros, decimal), which Avro C's schema model drops, so
 * the partition record's declaration is read from the header's schema text with jansson.
 */
#define _POSIX_C_SOURCE 200809L

#include "io/iceberg_manifest.h"

#include "io/avro_container.h" /* framing, datum check */
#include "kernels/memory.h"

#include <avro.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h> /* partition field declarations from the schema text */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MANIFEST_MAX_FILE = 1 << 30, MANIFEST_MAX_SCHEMA = 1 << 20 };

/* ---- loading a file ---- */

/* Reads the whole file into *buffer (grown as needed, kept for the next file). */
static int load_file(const char *path, uint8_t **buffer, size_t *capacity, size_t *size,
                     floe_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int status = -errno;
        return floe_error_set(err, status, "%s: %s", path, floe_status_name(status));
    }
    struct stat info;
    int status = FLOE_OK;
    if (fstat(fd, &info) != 0) {
        status = -errno;
        floe_error_set(err, status, "%s: %s", path, floe_status_name(status));
        goto done;
    }
    if (info.st_size < 0 || info.st_size > MANIFEST_MAX_FILE) {
        status = floe_error_set(err, FLOE_ECORRUPT, "%s: %lld bytes is too large for a manifest",
                                path, (long long)info.st_size);
        goto done;
    }
    size_t length = (size_t)info.st_size;
    if (*buffer == NULL || *capacity < length) {
        size_t new_capacity = length < 4096 ? 4096 : length;
        uint8_t *grown = floe_malloc(new_capacity);
        if (grown == NULL) {
            status = floe_error_set(err, FLOE_ENOMEM, "%s: out of memory", path);
            goto done;
        }
        floe_free(*buffer);
        *buffer = grown;
        *capacity = new_capacity;
    }
    size_t done_bytes = 0;
    while (done_bytes < length) {
        ssize_t got = read(fd, *buffer + done_bytes, length - done_bytes);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            status = got < 0 ? -errno : FLOE_ECORRUPT;
            floe_error_set(err, status, "%s: read failed (%s)", path,
                           got < 0 ? floe_status_name(status) : "file shrank");
            goto done;
        }
        done_bytes += (size_t)got;
    }
    *size = length;
done:
    close(fd);
    return status;
}

/* ---- parsed schemas, shared by the files one reader reads ---- */

/* Everything derived from one avro.schema text: checking the text, parsing it with Avro C and
 * building a generic value cost about as much as decoding a small manifest's records, and a
 * table's manifests almost always carry byte-identical texts, so a reader does it once. */
typedef struct cached_schema {
    struct cached_schema *next;
    uint64_t hash;
    const char *text;            /* a copy in the reader's arena: the key */
    size_t size;
    avro_schema_t schema;
    avro_value_iface_t *iface;
    avro_value_t value;          /* reused for every record decoded with this schema */
    int has_value;
    int partition_derived;       /* the fields below are filled (manifest schemas only) */
    floe_ice_partition_field *partition_fields; /* in the reader's arena */
    size_t partition_field_count;
} cached_schema;

struct floe_ice_manifest_reader {
    cached_schema *schemas;      /* most recently added first; a table has a handful */
    size_t schemas_parsed;
    floe_arena arena;            /* schema texts, cache entries, partition declarations */
    avro_reader_t avro_reader;   /* one memory reader, pointed at each record in turn */
    uint8_t *buffer;             /* the bytes of the file being read, reused */
    size_t capacity;
};

static uint64_t hash_bytes(const uint8_t *bytes, size_t size)
{
    uint64_t hash = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < size; i++) hash = (hash ^ bytes[i]) * 1099511628211ULL;
    return hash;
}

int floe_ice_manifest_reader_create(floe_ice_manifest_reader **out, floe_error *err)
{
    *out = NULL;
    floe_ice_manifest_reader *reader = floe_calloc(1, sizeof *reader);
    FLOE_RETURN_IF(reader == NULL, FLOE_ENOMEM, err, "out of memory");
    floe_arena_init(&reader->arena, 0, 0);
    *out = reader;
    return FLOE_OK;
}

static void cached_schema_release(cached_schema *entry)
{
    if (entry->has_value) avro_value_decref(&entry->value);
    if (entry->iface) avro_value_iface_decref(entry->iface);
    if (entry->schema) avro_schema_decref(entry->schema);
}

void floe_ice_manifest_reader_free(floe_ice_manifest_reader *reader)
{
    if (reader == NULL) return;
    for (cached_schema *entry = reader->schemas; entry != NULL; entry = entry->next)
        cached_schema_release(entry);
    if (reader->avro_reader) avro_reader_free(reader->avro_reader);
    floe_free(reader->buffer);
    floe_arena_fini(&reader->arena);
    floe_free(reader);
}

size_t floe_ice_manifest_reader_schemas_parsed(const floe_ice_manifest_reader *reader)
{
    return reader ? reader->schemas_parsed : 0;
}

/* From io/iceberg_metadata_int.h, which cannot be included here (it sees the manifest types
 * under their other names): whether a jansson allocation failed since the last call. */
int floe_ice_json_take_allocation_failure(void);

/* The parsed form of `text`, from the cache or parsed and checked now. */
static int schema_lookup(floe_ice_manifest_reader *reader, const char *text, size_t size,
                         cached_schema **out, floe_error *err)
{
    uint64_t hash = hash_bytes((const uint8_t *)text, size);
    for (cached_schema *entry = reader->schemas; entry != NULL; entry = entry->next) {
        if (entry->hash == hash && entry->size == size && memcmp(entry->text, text, size) == 0) {
            *out = entry;
            return FLOE_OK;
        }
    }
    /* A jansson allocation failure shows as a syntax error: report it as what it is. */
    floe_ice_json_take_allocation_failure();
    int checked = floe_avro_schema_text_check(text, size, err);
    if (checked != FLOE_OK && floe_ice_json_take_allocation_failure())
        return floe_error_set(err, FLOE_ENOMEM, "avro.schema: out of memory parsing JSON");
    FLOE_TRY(checked);
    cached_schema *entry = floe_arena_alloc_zero(&reader->arena, sizeof *entry);
    char *copy = floe_arena_strndup(&reader->arena, text, size);
    FLOE_RETURN_IF(entry == NULL || copy == NULL, FLOE_ENOMEM, err, "out of memory");
    entry->hash = hash;
    entry->text = copy;
    entry->size = size;
    int status = FLOE_OK;
    if (avro_schema_from_json_length(text, size, &entry->schema) != 0) {
        entry->schema = NULL;
        if (floe_ice_json_take_allocation_failure()) /* Avro C parses with the same jansson */
            status = floe_error_set(err, FLOE_ENOMEM, "avro.schema: out of memory parsing it");
        else
            status = floe_error_set(err, FLOE_ECORRUPT, "bad avro.schema: %s", avro_strerror());
        goto fail;
    }
    if (avro_typeof(entry->schema) != AVRO_RECORD) {
        status = floe_error_set(err, FLOE_ECORRUPT, "avro.schema is not a record");
        goto fail;
    }
    status = floe_avro_schema_check(entry->schema, err);
    if (status < 0) goto fail;
    entry->iface = avro_generic_class_from_schema(entry->schema);
    if (entry->iface == NULL || avro_generic_value_new(entry->iface, &entry->value) != 0) {
        status = floe_error_set(err, FLOE_ENOMEM, "cannot build an Avro value: %s",
                                avro_strerror());
        goto fail;
    }
    entry->has_value = 1;
    entry->next = reader->schemas;
    reader->schemas = entry;
    reader->schemas_parsed++;
    *out = entry;
    return FLOE_OK;
fail:
    cached_schema_release(entry); /* the arena keeps the dead entry's bytes until the end */
    return status;
}

/* ---- one Avro file, decoded record by record ---- */

typedef struct avro_records {
    floe_avro_container container;
    floe_ice_manifest_reader *reader;
    cached_schema *schema;
    const char *schema_text;     /* into the file's bytes, not NUL-terminated */
    size_t schema_size;
} avro_records;

static void avro_records_fini(avro_records *records)
{
    floe_avro_container_fini(&records->container);
    memset(records, 0, sizeof *records);
}

static int avro_records_open(avro_records *records, floe_ice_manifest_reader *reader,
                             const uint8_t *data, size_t size, floe_error *err)
{
    memset(records, 0, sizeof *records);
    records->reader = reader;
    FLOE_TRY(floe_avro_container_open(&records->container, data, size, err));
    size_t schema_size = 0;
    const uint8_t *schema_text =
        floe_avro_container_metadata(&records->container, "avro.schema", &schema_size);
    int status = FLOE_OK;
    if (schema_text == NULL || schema_size == 0 || schema_size > MANIFEST_MAX_SCHEMA) {
        status = floe_error_set(err, FLOE_ECORRUPT, "%s avro.schema in the header",
                                schema_text == NULL || schema_size == 0 ? "no" : "oversized");
        goto fail;
    }
    records->schema_text = (const char *)schema_text;
    records->schema_size = schema_size;
    status = schema_lookup(reader, (const char *)schema_text, schema_size, &records->schema, err);
    if (status < 0) goto fail;
    return FLOE_OK;
fail:
    avro_records_fini(records);
    return status;
}

typedef int (*record_callback)(void *user, avro_value_t *record, size_t index, floe_error *err);

static int avro_records_each(avro_records *records, record_callback callback, void *user,
                             floe_error *err)
{
    floe_ice_manifest_reader *reader = records->reader;
    avro_schema_t schema = records->schema->schema;
    avro_value_t *value = &records->schema->value;
    size_t index = 0;
    for (;;) {
        const uint8_t *block;
        size_t block_size;
        int64_t count;
        int more = floe_avro_container_next_block(&records->container, &block, &block_size,
                                                  &count, err);
        if (more < 0) return more;
        if (more == 0) return FLOE_OK;
        size_t position = 0;
        for (int64_t i = 0; i < count; i++, index++) {
            size_t datum_size = 0;
            int status = floe_avro_datum_check(schema, block + position, block_size - position,
                                               &datum_size, err);
            if (status < 0) return floe_error_prefix(err, "record %zu", index);
            if (reader->avro_reader == NULL) {
                reader->avro_reader =
                    avro_reader_memory((const char *)block + position, (int64_t)datum_size);
                FLOE_RETURN_IF(reader->avro_reader == NULL, FLOE_ENOMEM, err,
                               "out of memory (Avro reader)");
            } else {
                avro_reader_memory_set_source(reader->avro_reader, (const char *)block + position,
                                              (int64_t)datum_size);
            }
            avro_value_reset(value);
            int rc = avro_value_read(reader->avro_reader, value);
            FLOE_RETURN_IF(rc != 0, FLOE_ECORRUPT, err, "record %zu: %s", index, avro_strerror());
            position += datum_size;
            status = callback(user, value, index, err);
            if (status < 0) return status;
        }
        FLOE_RETURN_IF(position != block_size, FLOE_ECORRUPT, err,
                       "block ending at record %zu has %zu bytes after its records", index,
                       block_size - position);
    }
}

/* ---- field access by name ---- */

/* 1 and the (union-unwrapped) value when the field exists and is not null, else 0. */
static int field_get(avro_value_t *record, const char *name, avro_value_t *out)
{
    avro_value_t child;
    if (avro_value_get_by_name(record, name, &child, NULL) != 0) return 0;
    if (avro_value_get_type(&child) == AVRO_UNION) {
        avro_value_t branch;
        if (avro_value_get_current_branch(&child, &branch) != 0) return 0;
        child = branch;
    }
    if (avro_value_get_type(&child) == AVRO_NULL) return 0;
    *out = child;
    return 1;
}

static int value_long(avro_value_t *value, int64_t *out)
{
    switch (avro_value_get_type(value)) {
    case AVRO_INT32: {
        int32_t small;
        if (avro_value_get_int(value, &small) != 0) return -1;
        *out = small;
        return 0;
    }
    case AVRO_INT64:
        return avro_value_get_long(value, out) == 0 ? 0 : -1;
    default:
        return -1;
    }
}

static int value_int(avro_value_t *value, int32_t *out)
{
    int64_t wide;
    if (value_long(value, &wide) != 0 || wide < INT32_MIN || wide > INT32_MAX) return -1;
    *out = (int32_t)wide;
    return 0;
}

/* Raw bytes of a string, bytes or fixed value (not copied). */
static int value_raw_bytes(avro_value_t *value, const void **data, size_t *size)
{
    switch (avro_value_get_type(value)) {
    case AVRO_STRING: {
        const char *text;
        size_t text_size;
        if (avro_value_get_string(value, &text, &text_size) != 0) return -1;
        *data = text;
        *size = text_size ? text_size - 1 : 0; /* Avro C counts the NUL */
        return 0;
    }
    case AVRO_BYTES:
        return avro_value_get_bytes(value, data, size) == 0 ? 0 : -1;
    case AVRO_FIXED:
        return avro_value_get_fixed(value, data, size) == 0 ? 0 : -1;
    default:
        return -1;
    }
}

typedef struct read_context {
    floe_arena *arena;
    size_t record;
    floe_error *err;
} read_context;

static int missing(read_context *context, const char *name)
{
    return floe_error_set(context->err, FLOE_ECORRUPT,
                          "record %zu: required field '%s' is missing, null or of the wrong type",
                          context->record, name);
}

static int out_of_memory(read_context *context)
{
    return floe_error_set(context->err, FLOE_ENOMEM, "record %zu: out of memory",
                          context->record);
}

static int required_long(read_context *context, avro_value_t *record, const char *name,
                         int64_t *out)
{
    avro_value_t value;
    if (!field_get(record, name, &value) || value_long(&value, out) != 0)
        return missing(context, name);
    return FLOE_OK;
}

static int required_int(read_context *context, avro_value_t *record, const char *name,
                        int32_t *out)
{
    avro_value_t value;
    if (!field_get(record, name, &value) || value_int(&value, out) != 0)
        return missing(context, name);
    return FLOE_OK;
}

/* 1 when present, 0 when absent or null; a present value of the wrong type is corrupt. */
static int optional_long(read_context *context, avro_value_t *record, const char *name,
                         int64_t *out)
{
    avro_value_t value;
    if (!field_get(record, name, &value)) return 0;
    if (value_long(&value, out) != 0) return missing(context, name);
    return 1;
}

static int optional_int(read_context *context, avro_value_t *record, const char *name,
                        int32_t *out)
{
    avro_value_t value;
    if (!field_get(record, name, &value)) return 0;
    if (value_int(&value, out) != 0) return missing(context, name);
    return 1;
}

static int copy_bytes(read_context *context, avro_value_t *value, floe_ice_bytes *out,
                      const char *name)
{
    const void *data;
    size_t size;
    if (value_raw_bytes(value, &data, &size) != 0) return missing(context, name);
    uint8_t *copy = floe_arena_alloc(context->arena, size ? size : 1);
    if (copy == NULL) return out_of_memory(context);
    if (size) memcpy(copy, data, size);
    out->data = copy;
    out->size = size;
    return FLOE_OK;
}

static int required_string(read_context *context, avro_value_t *record, const char *name,
                           const char **out)
{
    avro_value_t value;
    const void *data;
    size_t size;
    if (!field_get(record, name, &value) || value_raw_bytes(&value, &data, &size) != 0)
        return missing(context, name);
    char *copy = floe_arena_strndup(context->arena, data, size);
    if (copy == NULL) return out_of_memory(context);
    *out = copy;
    return FLOE_OK;
}

/* An optional array: *array set and 1 when present. */
static int optional_array(read_context *context, avro_value_t *record, const char *name,
                          avro_value_t *array, size_t *size)
{
    if (!field_get(record, name, array)) return 0;
    if (avro_value_get_type(array) != AVRO_ARRAY || avro_value_get_size(array, size) != 0)
        return missing(context, name);
    return 1;
}

static int read_counts(read_context *context, avro_value_t *record, const char *name,
                       floe_ice_counts *out)
{
    avro_value_t array;
    size_t size = 0;
    memset(out, 0, sizeof *out);
    int present = optional_array(context, record, name, &array, &size);
    if (present <= 0) return present;
    out->present = 1;
    out->items = floe_arena_alloc(context->arena, (size ? size : 1) * sizeof *out->items);
    if (out->items == NULL) return out_of_memory(context);
    for (size_t i = 0; i < size; i++) {
        avro_value_t item;
        if (avro_value_get_by_index(&array, i, &item, NULL) != 0) return missing(context, name);
        FLOE_TRY(required_int(context, &item, "key", &out->items[i].key));
        FLOE_TRY(required_long(context, &item, "value", &out->items[i].value));
    }
    out->count = size;
    return FLOE_OK;
}

static int read_bounds(read_context *context, avro_value_t *record, const char *name,
                       floe_ice_bounds *out)
{
    avro_value_t array;
    size_t size = 0;
    memset(out, 0, sizeof *out);
    int present = optional_array(context, record, name, &array, &size);
    if (present <= 0) return present;
    out->present = 1;
    out->items = floe_arena_alloc(context->arena, (size ? size : 1) * sizeof *out->items);
    if (out->items == NULL) return out_of_memory(context);
    for (size_t i = 0; i < size; i++) {
        avro_value_t item, bound;
        if (avro_value_get_by_index(&array, i, &item, NULL) != 0) return missing(context, name);
        FLOE_TRY(required_int(context, &item, "key", &out->items[i].key));
        if (!field_get(&item, "value", &bound)) return missing(context, name);
        FLOE_TRY(copy_bytes(context, &bound, &out->items[i].value, name));
    }
    out->count = size;
    return FLOE_OK;
}

/* ---- header values ---- */

static const char *header_string(avro_records *records, floe_arena *arena, const char *key)
{
    size_t size = 0;
    const uint8_t *value = floe_avro_container_metadata(&records->container, key, &size);
    if (value == NULL) return NULL;
    return floe_arena_strndup(arena, (const char *)value, size);
}

/* Parses a decimal integer header value; returns 1 when present and valid. */
static int header_long(avro_records *records, const char *key, int64_t *out)
{
    size_t size = 0;
    const uint8_t *value = floe_avro_container_metadata(&records->container, key, &size);
    char text[32];
    if (value == NULL || size == 0 || size >= sizeof text) return 0;
    memcpy(text, value, size);
    text[size] = '\0';
    char *end;
    errno = 0;
    long long parsed = strtoll(text, &end, 10);
    if (errno != 0 || *end != '\0') return 0;
    *out = parsed;
    return 1;
}

static int header_format_version(avro_records *records, floe_error *err)
{
    int64_t version = 1;
    if (floe_avro_container_metadata(&records->container, "format-version", NULL) == NULL)
        return 1;
    FLOE_RETURN_IF(!header_long(records, "format-version", &version) || version < 1 ||
                       version > 3,
                   FLOE_ECORRUPT, err, "bad format-version in the header");
    return (int)version;
}

/* ---- manifest lists ---- */

typedef struct list_builder {
    floe_ice_manifest_list *list;
    size_t capacity;
} list_builder;

static int grow(floe_arena *arena, void **items, size_t *capacity, size_t count, size_t item_size)
{
    if (count < *capacity) return 0;
    size_t new_capacity = *capacity ? *capacity * 2 : 16;
    void *grown = floe_arena_alloc(arena, new_capacity * item_size);
    if (grown == NULL) return -1;
    if (count) memcpy(grown, *items, count * item_size);
    *items = grown;
    *capacity = new_capacity;
    return 0;
}

static int read_manifest_file_record(void *user, avro_value_t *record, size_t index,
                                     floe_error *err)
{
    list_builder *builder = user;
    floe_ice_manifest_list *list = builder->list;
    read_context context = {&list->arena, index, err};
    void *items = list->entries;
    if (grow(&list->arena, &items, &builder->capacity, list->count, sizeof *list->entries) != 0)
        return out_of_memory(&context);
    list->entries = items;
    floe_ice_manifest_file *entry = &list->entries[list->count];
    memset(entry, 0, sizeof *entry);
    FLOE_TRY(required_string(&context, record, "manifest_path", &entry->manifest_path));
    FLOE_TRY(required_long(&context, record, "manifest_length", &entry->manifest_length));
    FLOE_TRY(required_int(&context, record, "partition_spec_id", &entry->partition_spec_id));
    FLOE_TRY(required_long(&context, record, "added_snapshot_id", &entry->added_snapshot_id));
    /* v2 fields, absent in v1 lists: content data, sequence numbers 0 (spec). */
    FLOE_TRY(optional_int(&context, record, "content", &entry->content));
    FLOE_RETURN_IF(entry->content != FLOE_ICE_MANIFEST_CONTENT_DATA &&
                       entry->content != FLOE_ICE_MANIFEST_CONTENT_DELETES,
                   FLOE_ECORRUPT, err, "record %zu: manifest content %d is neither 0 nor 1",
                   index, (int)entry->content);
    FLOE_TRY(optional_long(&context, record, "sequence_number", &entry->sequence_number));
    FLOE_TRY(optional_long(&context, record, "min_sequence_number",
                           &entry->min_sequence_number));
    /* Iceberg Java before 0.14 named fields 504-506 added_data_files_count etc.; same ids. */
    struct {
        const char *name;
        const char *old_name;
        int32_t *target;
    } counts[] = {{"added_files_count", "added_data_files_count", &entry->added_files_count},
                  {"existing_files_count", "existing_data_files_count",
                   &entry->existing_files_count},
                  {"deleted_files_count", "deleted_data_files_count",
                   &entry->deleted_files_count}};
    for (size_t i = 0; i < 3; i++) {
        int present = optional_int(&context, record, counts[i].name, counts[i].target);
        if (present == 0)
            present = optional_int(&context, record, counts[i].old_name, counts[i].target);
        if (present < 0) return present;
        if (!present) *counts[i].target = -1;
    }
    struct {
        const char *name;
        int64_t *target;
    } rows[] = {{"added_rows_count", &entry->added_rows_count},
                {"existing_rows_count", &entry->existing_rows_count},
                {"deleted_rows_count", &entry->deleted_rows_count}};
    for (size_t i = 0; i < 3; i++) {
        int present = optional_long(&context, record, rows[i].name, rows[i].target);
        if (present < 0) return present;
        if (!present) *rows[i].target = -1;
    }
    avro_value_t array;
    size_t size = 0;
    int present = optional_array(&context, record, "partitions", &array, &size);
    if (present < 0) return present;
    if (present) {
        entry->has_partitions = 1;
        entry->partitions =
            floe_arena_alloc_zero(&list->arena, (size ? size : 1) * sizeof *entry->partitions);
        if (entry->partitions == NULL) return out_of_memory(&context);
        for (size_t i = 0; i < size; i++) {
            floe_ice_field_summary *summary = &entry->partitions[i];
            avro_value_t item, field;
            if (avro_value_get_by_index(&array, i, &item, NULL) != 0)
                return missing(&context, "partitions");
            if (!field_get(&item, "contains_null", &field) ||
                avro_value_get_boolean(&field, &summary->contains_null) != 0)
                return missing(&context, "contains_null");
            summary->contains_nan = -1;
            if (field_get(&item, "contains_nan", &field) &&
                avro_value_get_boolean(&field, &summary->contains_nan) != 0)
                return missing(&context, "contains_nan");
            if (field_get(&item, "lower_bound", &field)) {
                summary->has_lower_bound = 1;
                FLOE_TRY(copy_bytes(&context, &field, &summary->lower_bound, "lower_bound"));
            }
            if (field_get(&item, "upper_bound", &field)) {
                summary->has_upper_bound = 1;
                FLOE_TRY(copy_bytes(&context, &field, &summary->upper_bound, "upper_bound"));
            }
        }
        entry->partition_count = size;
    }
    list->count++;
    return FLOE_OK;
}

void floe_ice_manifest_list_free(floe_ice_manifest_list *list)
{
    if (list == NULL) return;
    floe_arena_fini(&list->arena);
    floe_free(list);
}

static int list_read_memory(floe_ice_manifest_reader *reader, const uint8_t *data, size_t size,
                            const char *name, floe_ice_manifest_list **out, floe_error *err)
{
    *out = NULL;
    floe_ice_manifest_list *list = floe_calloc(1, sizeof *list);
    FLOE_RETURN_IF(list == NULL, FLOE_ENOMEM, err, "%s: out of memory", name);
    floe_arena_init(&list->arena, 16 << 10, 0);
    avro_records records;
    int status = avro_records_open(&records, reader, data, size, err);
    if (status < 0) goto fail;
    status = header_format_version(&records, err);
    if (status < 0) goto fail_records;
    list->format_version = status;
    list->snapshot_id = -1;
    list->parent_snapshot_id = -1;
    header_long(&records, "snapshot-id", &list->snapshot_id);
    header_long(&records, "parent-snapshot-id", &list->parent_snapshot_id);
    header_long(&records, "sequence-number", &list->sequence_number);
    list_builder builder = {list, 0};
    status = avro_records_each(&records, read_manifest_file_record, &builder, err);
    if (status < 0) goto fail_records;
    avro_records_fini(&records);
    *out = list;
    return FLOE_OK;
fail_records:
    avro_records_fini(&records);
fail:
    floe_ice_manifest_list_free(list);
    return floe_error_prefix(err, "%s", name);
}

int floe_ice_manifest_reader_read_list(floe_ice_manifest_reader *reader, const char *path,
                                       floe_ice_manifest_list **list, floe_error *err)
{
    *list = NULL;
    FLOE_RETURN_IF(reader == NULL, FLOE_EINVAL, err, "%s: no manifest reader", path);
    size_t size = 0;
    FLOE_TRY(load_file(path, &reader->buffer, &reader->capacity, &size, err));
    return list_read_memory(reader, reader->buffer, size, path, list, err);
}

int floe_ice_manifest_list_read_memory(const uint8_t *data, size_t size, const char *name,
                                       floe_ice_manifest_list **list, floe_error *err)
{
    floe_ice_manifest_reader *reader = NULL;
    *list = NULL;
    FLOE_TRY(floe_ice_manifest_reader_create(&reader, err));
    int status = list_read_memory(reader, data, size, name, list, err);
    floe_ice_manifest_reader_free(reader);
    return status;
}

int floe_ice_manifest_list_read(const char *path, floe_ice_manifest_list **list, floe_error *err)
{
    floe_ice_manifest_reader *reader = NULL;
    *list = NULL;
    FLOE_TRY(floe_ice_manifest_reader_create(&reader, err));
    int status = floe_ice_manifest_reader_read_list(reader, path, list, err);
    floe_ice_manifest_reader_free(reader);
    return status;
}

/* ---- partition declarations (from the schema text) ---- */

static json_t *object_field_named(json_t *fields, const char *name)
{
    size_t i;
    json_t *field;
    if (!json_is_array(fields)) return NULL;
    json_array_foreach(fields, i, field) {
        json_t *field_name = json_object_get(field, "name");
        if (json_is_string(field_name) && strcmp(json_string_value(field_name), name) == 0)
            return field;
    }
    return NULL;
}

/* The non-null branch of ["null", T] (or T itself). */
static json_t *strip_null_union(json_t *type)
{
    if (!json_is_array(type)) return type;
    json_t *chosen = NULL;
    size_t i;
    json_t *branch;
    json_array_foreach(type, i, branch) {
        if (json_is_string(branch) && strcmp(json_string_value(branch), "null") == 0) continue;
        if (chosen != NULL) return NULL; /* a union of two real types is not a partition value */
        chosen = branch;
    }
    return chosen;
}

static int decimal_attributes(json_t *type, floe_ice_partition_field *field, floe_error *err)
{
    json_t *precision = json_object_get(type, "precision");
    json_t *scale = json_object_get(type, "scale");
    json_int_t p = json_is_integer(precision) ? json_integer_value(precision) : -1;
    json_int_t s = json_is_integer(scale) ? json_integer_value(scale) : 0;
    FLOE_RETURN_IF(p < 1 || p > FLOE_DECIMAL_MAX_PRECISION || s < 0 || s > p, FLOE_ECORRUPT, err,
                   "partition field '%s': bad decimal precision or scale", field->name);
    field->type = floe_type_decimal((unsigned)p, (unsigned)s);
    return FLOE_OK;
}

static int partition_field_type(json_t *type, floe_ice_partition_field *field, floe_error *err)
{
    const char *base = NULL;
    const char *logical = NULL;
    if (json_is_string(type)) {
        base = json_string_value(type);
    } else if (json_is_object(type)) {
        base = json_string_value(json_object_get(type, "type"));
        logical = json_string_value(json_object_get(type, "logicalType"));
    }
    FLOE_RETURN_IF(base == NULL, FLOE_EUNSUPPORTED, err,
                   "partition field '%s': unsupported Avro type", field->name);
    if (strcmp(base, "int") == 0) {
        field->type = floe_type_make(logical && strcmp(logical, "date") == 0 ? FLOE_TYPE_DATE
                                                                             : FLOE_TYPE_INT32);
    } else if (strcmp(base, "long") == 0) {
        if (logical && strcmp(logical, "timestamp-micros") == 0) {
            json_t *utc = json_object_get(type, "adjust-to-utc");
            field->type = floe_type_make(json_is_false(utc) ? FLOE_TYPE_TIMESTAMP
                                                            : FLOE_TYPE_TIMESTAMPTZ);
        } else {
            field->type = floe_type_make(FLOE_TYPE_INT64);
        }
    } else if (strcmp(base, "string") == 0) {
        field->type = floe_type_make(FLOE_TYPE_STRING);
    } else if (strcmp(base, "boolean") == 0) {
        field->type = floe_type_make(FLOE_TYPE_BOOLEAN);
    } else if (strcmp(base, "float") == 0) {
        field->type = floe_type_make(FLOE_TYPE_FLOAT32);
    } else if (strcmp(base, "double") == 0) {
        field->type = floe_type_make(FLOE_TYPE_FLOAT64);
    } else if (strcmp(base, "bytes") == 0 || strcmp(base, "fixed") == 0) {
        if (strcmp(base, "fixed") == 0) {
            json_t *fixed_size = json_object_get(type, "size");
            FLOE_RETURN_IF(!json_is_integer(fixed_size) || json_integer_value(fixed_size) < 1 ||
                               json_integer_value(fixed_size) > INT32_MAX,
                           FLOE_ECORRUPT, err, "partition field '%s': bad fixed size",
                           field->name);
            field->fixed_size = (int32_t)json_integer_value(fixed_size);
        }
        if (logical && strcmp(logical, "decimal") == 0) return decimal_attributes(type, field, err);
        field->type = floe_type_make(FLOE_TYPE_BINARY);
    } else {
        return floe_error_set(err, FLOE_EUNSUPPORTED,
                              "partition field '%s': Avro type '%s' is not supported",
                              field->name, base);
    }
    return FLOE_OK;
}

/* The partition tuple's declaration (data_file.partition) from the schema text, into the
 * cache entry: Avro C's schema model drops logicalType, which the types need. */
static int derive_partition_fields(floe_ice_manifest_reader *reader, cached_schema *entry,
                                   floe_error *err)
{
    json_error_t json_error;
    floe_ice_json_take_allocation_failure();
    json_t *root = json_loadb(entry->text, entry->size, 0, &json_error);
    FLOE_RETURN_IF(root == NULL && floe_ice_json_take_allocation_failure(), FLOE_ENOMEM, err,
                   "avro.schema: out of memory parsing JSON");
    FLOE_RETURN_IF(root == NULL, FLOE_ECORRUPT, err, "avro.schema is not JSON: %s",
                   json_error.text);
    int status = FLOE_OK;
    json_t *data_file = object_field_named(json_object_get(root, "fields"), "data_file");
    json_t *data_file_type = data_file ? strip_null_union(json_object_get(data_file, "type")) : NULL;
    json_t *partition = data_file_type
                            ? object_field_named(json_object_get(data_file_type, "fields"),
                                                 "partition")
                            : NULL;
    json_t *partition_type = partition ? strip_null_union(json_object_get(partition, "type")) : NULL;
    json_t *fields = partition_type ? json_object_get(partition_type, "fields") : NULL;
    if (!json_is_array(fields)) {
        status = floe_error_set(err, FLOE_ECORRUPT,
                                "avro.schema has no data_file.partition record");
        goto done;
    }
    size_t count = json_array_size(fields);
    floe_ice_partition_field *declared =
        floe_arena_alloc_zero(&reader->arena, (count ? count : 1) * sizeof *declared);
    if (declared == NULL) {
        status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        json_t *declaration = json_array_get(fields, i);
        floe_ice_partition_field *field = &declared[i];
        const char *name = json_string_value(json_object_get(declaration, "name"));
        if (name == NULL) {
            status = floe_error_set(err, FLOE_ECORRUPT, "partition field %zu has no name", i);
            goto done;
        }
        field->name = floe_arena_strndup(&reader->arena, name, strlen(name));
        if (field->name == NULL) {
            status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
            goto done;
        }
        json_t *field_id = json_object_get(declaration, "field-id");
        field->field_id = json_is_integer(field_id) && json_integer_value(field_id) >= 0 &&
                                  json_integer_value(field_id) <= INT32_MAX
                              ? (int32_t)json_integer_value(field_id)
                              : -1;
        json_t *type = strip_null_union(json_object_get(declaration, "type"));
        status = partition_field_type(type, field, err);
        if (status < 0) goto done;
    }
    entry->partition_fields = declared;
    entry->partition_field_count = count;
    entry->partition_derived = 1;
done:
    json_decref(root);
    return status;
}

/* The manifest's own copy of its partition declaration (a manifest outlives its reader). */
static int read_partition_fields(floe_ice_manifest *manifest, avro_records *records,
                                 floe_error *err)
{
    cached_schema *entry = records->schema;
    if (!entry->partition_derived) FLOE_TRY(derive_partition_fields(records->reader, entry, err));
    size_t count = entry->partition_field_count;
    manifest->partition_fields = floe_arena_alloc(&manifest->arena,
                                                  (count ? count : 1) * sizeof(floe_ice_partition_field));
    FLOE_RETURN_IF(manifest->partition_fields == NULL, FLOE_ENOMEM, err, "out of memory");
    for (size_t i = 0; i < count; i++) {
        manifest->partition_fields[i] = entry->partition_fields[i];
        const char *name = entry->partition_fields[i].name;
        manifest->partition_fields[i].name = floe_arena_strndup(&manifest->arena, name, strlen(name));
        FLOE_RETURN_IF(manifest->partition_fields[i].name == NULL, FLOE_ENOMEM, err,
                       "out of memory");
    }
    manifest->partition_field_count = count;
    return FLOE_OK;
}

/* Big-endian two's complement, at most 16 bytes. */
static int decode_decimal(const uint8_t *bytes, size_t size, floe_int128 *out)
{
    if (size == 0 || size > 16) return -1;
    floe_uint128 value = (bytes[0] & 0x80) ? ~(floe_uint128)0 : 0;
    for (size_t i = 0; i < size; i++) value = (value << 8) | bytes[i];
    *out = (floe_int128)value;
    return 0;
}

static int read_partition_value(read_context *context, const floe_ice_partition_field *field,
                                avro_value_t *value, floe_ice_value *out)
{
    const char *name = field->name;
    switch ((floe_type_id)field->type.id) {
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_DATE:
        if (value_int(value, &out->as.i32) != 0) return missing(context, name);
        return FLOE_OK;
    case FLOE_TYPE_INT64:
    case FLOE_TYPE_TIMESTAMP:
    case FLOE_TYPE_TIMESTAMPTZ:
        if (value_long(value, &out->as.i64) != 0) return missing(context, name);
        return FLOE_OK;
    case FLOE_TYPE_BOOLEAN:
        if (avro_value_get_type(value) != AVRO_BOOLEAN ||
            avro_value_get_boolean(value, &out->as.boolean) != 0)
            return missing(context, name);
        return FLOE_OK;
    case FLOE_TYPE_FLOAT32:
        if (avro_value_get_type(value) != AVRO_FLOAT ||
            avro_value_get_float(value, &out->as.f32) != 0)
            return missing(context, name);
        return FLOE_OK;
    case FLOE_TYPE_FLOAT64:
        if (avro_value_get_type(value) != AVRO_DOUBLE ||
            avro_value_get_double(value, &out->as.f64) != 0)
            return missing(context, name);
        return FLOE_OK;
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY:
        return copy_bytes(context, value, &out->as.bytes, name);
    case FLOE_TYPE_DECIMAL: {
        const void *data;
        size_t size;
        floe_int128 unscaled;
        if (value_raw_bytes(value, &data, &size) != 0 || decode_decimal(data, size, &unscaled) != 0)
            return missing(context, name);
        if (field->type.precision <= FLOE_DECIMAL64_MAX_PRECISION) {
            if (unscaled < INT64_MIN || unscaled > INT64_MAX) return missing(context, name);
            out->as.i64 = (int64_t)unscaled;
        } else {
            out->as.i128 = unscaled;
        }
        return FLOE_OK;
    }
    default:
        return missing(context, name);
    }
}

/* ---- manifests ---- */

typedef struct manifest_builder {
    floe_ice_manifest *manifest;
    size_t capacity;
} manifest_builder;

static int read_data_file(read_context *context, floe_ice_manifest *manifest,
                          avro_value_t *record, floe_ice_data_file *file)
{
    int present = optional_int(context, record, "content", &file->content);
    if (present < 0) return present;
    FLOE_RETURN_IF(file->content < 0 || file->content > 2, FLOE_ECORRUPT, context->err,
                   "record %zu: data file content %d is not 0, 1 or 2", context->record,
                   (int)file->content);
    FLOE_TRY(required_string(context, record, "file_path", &file->file_path));
    FLOE_TRY(required_string(context, record, "file_format", &file->file_format));
    FLOE_TRY(required_long(context, record, "record_count", &file->record_count));
    FLOE_TRY(required_long(context, record, "file_size_in_bytes", &file->file_size_in_bytes));

    avro_value_t partition;
    if (avro_value_get_by_name(record, "partition", &partition, NULL) != 0 ||
        avro_value_get_type(&partition) != AVRO_RECORD)
        return missing(context, "partition");
    size_t count = manifest->partition_field_count;
    file->partition = floe_arena_alloc_zero(context->arena, (count ? count : 1) * sizeof(floe_ice_value));
    if (file->partition == NULL) return out_of_memory(context);
    for (size_t i = 0; i < count; i++) {
        const floe_ice_partition_field *field = &manifest->partition_fields[i];
        avro_value_t child, value;
        if (avro_value_get_by_name(&partition, field->name, &child, NULL) != 0)
            return missing(context, field->name);
        if (!field_get(&partition, field->name, &value)) {
            file->partition[i].is_null = 1;
            continue;
        }
        FLOE_TRY(read_partition_value(context, field, &value, &file->partition[i]));
    }

    FLOE_TRY(read_counts(context, record, "column_sizes", &file->column_sizes));
    FLOE_TRY(read_counts(context, record, "value_counts", &file->value_counts));
    FLOE_TRY(read_counts(context, record, "null_value_counts", &file->null_value_counts));
    FLOE_TRY(read_counts(context, record, "nan_value_counts", &file->nan_value_counts));
    FLOE_TRY(read_bounds(context, record, "lower_bounds", &file->lower_bounds));
    FLOE_TRY(read_bounds(context, record, "upper_bounds", &file->upper_bounds));

    avro_value_t array;
    size_t size = 0;
    present = optional_array(context, record, "split_offsets", &array, &size);
    if (present < 0) return present;
    if (present) {
        file->has_split_offsets = 1;
        file->split_offsets = floe_arena_alloc(context->arena, (size ? size : 1) * sizeof(int64_t));
        if (file->split_offsets == NULL) return out_of_memory(context);
        for (size_t i = 0; i < size; i++) {
            avro_value_t item;
            if (avro_value_get_by_index(&array, i, &item, NULL) != 0 ||
                value_long(&item, &file->split_offsets[i]) != 0)
                return missing(context, "split_offsets");
        }
        file->split_offset_count = size;
    }
    present = optional_array(context, record, "equality_ids", &array, &size);
    if (present < 0) return present;
    if (present) {
        file->has_equality_ids = 1;
        file->equality_ids = floe_arena_alloc(context->arena, (size ? size : 1) * sizeof(int32_t));
        if (file->equality_ids == NULL) return out_of_memory(context);
        for (size_t i = 0; i < size; i++) {
            avro_value_t item;
            if (avro_value_get_by_index(&array, i, &item, NULL) != 0 ||
                value_int(&item, &file->equality_ids[i]) != 0)
                return missing(context, "equality_ids");
        }
        file->equality_id_count = size;
    }
    present = optional_int(context, record, "sort_order_id", &file->sort_order_id);
    if (present < 0) return present;
    file->has_sort_order_id = present;
    return FLOE_OK;
}

static int read_manifest_entry_record(void *user, avro_value_t *record, size_t index,
                                      floe_error *err)
{
    manifest_builder *builder = user;
    floe_ice_manifest *manifest = builder->manifest;
    read_context context = {&manifest->arena, index, err};
    void *items = manifest->entries;
    if (grow(&manifest->arena, &items, &builder->capacity, manifest->count,
             sizeof *manifest->entries) != 0)
        return out_of_memory(&context);
    manifest->entries = items;
    floe_ice_manifest_entry *entry = &manifest->entries[manifest->count];
    memset(entry, 0, sizeof *entry);
    FLOE_TRY(required_int(&context, record, "status", &entry->status));
    FLOE_RETURN_IF(entry->status < 0 || entry->status > 2, FLOE_ECORRUPT, err,
                   "record %zu: entry status %d is not 0, 1 or 2", index, (int)entry->status);
    int present = optional_long(&context, record, "snapshot_id", &entry->snapshot_id);
    if (present < 0) return present;
    entry->has_snapshot_id = present;
    present = optional_long(&context, record, "sequence_number", &entry->sequence_number);
    if (present < 0) return present;
    entry->has_sequence_number = present;
    present = optional_long(&context, record, "file_sequence_number",
                            &entry->file_sequence_number);
    if (present < 0) return present;
    entry->has_file_sequence_number = present;
    avro_value_t data_file;
    if (!field_get(record, "data_file", &data_file) ||
        avro_value_get_type(&data_file) != AVRO_RECORD)
        return missing(&context, "data_file");
    FLOE_TRY(read_data_file(&context, manifest, &data_file, &entry->data_file));
    manifest->count++;
    return FLOE_OK;
}

void floe_ice_manifest_free(floe_ice_manifest *manifest)
{
    if (manifest == NULL) return;
    floe_arena_fini(&manifest->arena);
    floe_free(manifest);
}

static int manifest_read_memory(floe_ice_manifest_reader *reader, const uint8_t *data,
                                size_t size, const char *name, floe_ice_manifest **out,
                                floe_error *err)
{
    *out = NULL;
    floe_ice_manifest *manifest = floe_calloc(1, sizeof *manifest);
    FLOE_RETURN_IF(manifest == NULL, FLOE_ENOMEM, err, "%s: out of memory", name);
    floe_arena_init(&manifest->arena, 4 << 10, 0); /* a small manifest fits; grows by doubling */
    avro_records records;
    int status = avro_records_open(&records, reader, data, size, err);
    if (status < 0) goto fail;
    status = header_format_version(&records, err);
    if (status < 0) goto fail_records;
    manifest->format_version = status;
    int64_t number = -1;
    manifest->partition_spec_id =
        header_long(&records, "partition-spec-id", &number) && number >= INT32_MIN &&
                number <= INT32_MAX
            ? (int32_t)number
            : -1;
    manifest->schema_id = header_long(&records, "schema-id", &number) && number >= INT32_MIN &&
                                  number <= INT32_MAX
                              ? (int32_t)number
                              : -1;
    size_t content_size = 0;
    const uint8_t *content =
        floe_avro_container_metadata(&records.container, "content", &content_size);
    manifest->content = content && content_size == 7 && memcmp(content, "deletes", 7) == 0
                            ? FLOE_ICE_MANIFEST_CONTENT_DELETES
                            : FLOE_ICE_MANIFEST_CONTENT_DATA;
    manifest->schema_json = header_string(&records, &manifest->arena, "schema");
    if (manifest->schema_json == NULL)
        manifest->schema_json = header_string(&records, &manifest->arena, "iceberg.schema");
    manifest->partition_spec_json = header_string(&records, &manifest->arena, "partition-spec");
    status = read_partition_fields(manifest, &records, err);
    if (status < 0) goto fail_records;
    manifest_builder builder = {manifest, 0};
    status = avro_records_each(&records, read_manifest_entry_record, &builder, err);
    if (status < 0) goto fail_records;
    avro_records_fini(&records);
    *out = manifest;
    return FLOE_OK;
fail_records:
    avro_records_fini(&records);
fail:
    floe_ice_manifest_free(manifest);
    return floe_error_prefix(err, "%s", name);
}

int floe_ice_manifest_reader_read_memory(floe_ice_manifest_reader *reader, const uint8_t *data,
                                         size_t size, const char *name,
                                         floe_ice_manifest **manifest, floe_error *err)
{
    *manifest = NULL;
    FLOE_RETURN_IF(reader == NULL, FLOE_EINVAL, err, "%s: no manifest reader", name);
    return manifest_read_memory(reader, data, size, name, manifest, err);
}

int floe_ice_manifest_reader_read(floe_ice_manifest_reader *reader, const char *path,
                                  floe_ice_manifest **manifest, floe_error *err)
{
    *manifest = NULL;
    FLOE_RETURN_IF(reader == NULL, FLOE_EINVAL, err, "%s: no manifest reader", path);
    size_t size = 0;
    FLOE_TRY(load_file(path, &reader->buffer, &reader->capacity, &size, err));
    return manifest_read_memory(reader, reader->buffer, size, path, manifest, err);
}

int floe_ice_manifest_read_memory(const uint8_t *data, size_t size, const char *name,
                                  floe_ice_manifest **manifest, floe_error *err)
{
    floe_ice_manifest_reader *reader = NULL;
    *manifest = NULL;
    FLOE_TRY(floe_ice_manifest_reader_create(&reader, err));
    int status = manifest_read_memory(reader, data, size, name, manifest, err);
    floe_ice_manifest_reader_free(reader);
    return status;
}

int floe_ice_manifest_read(const char *path, floe_ice_manifest **manifest, floe_error *err)
{
    floe_ice_manifest_reader *reader = NULL;
    *manifest = NULL;
    FLOE_TRY(floe_ice_manifest_reader_create(&reader, err));
    int status = floe_ice_manifest_reader_read(reader, path, manifest, err);
    floe_ice_manifest_reader_free(reader);
    return status;
}

/* ---- inheritance ---- */

int floe_ice_manifest_entry_inherit(floe_ice_manifest_entry *entry, int manifest_format_version,
                                    const floe_ice_manifest_file *list_entry, floe_error *err)
{
    if (!entry->has_snapshot_id) {
        entry->snapshot_id = list_entry->added_snapshot_id;
        entry->has_snapshot_id = 1;
    }
    int64_t *numbers[2] = {&entry->sequence_number, &entry->file_sequence_number};
    int *present[2] = {&entry->has_sequence_number, &entry->has_file_sequence_number};
    for (int i = 0; i < 2; i++) {
        if (*present[i]) continue;
        if (manifest_format_version < 2) {
            *numbers[i] = 0; /* spec: v1 manifests have no sequence numbers; they default to 0 */
        } else if (entry->status == FLOE_ICE_STATUS_ADDED) {
            *numbers[i] = list_entry->sequence_number;
        } else {
            return floe_error_set(err, FLOE_ECORRUPT,
                                  "%s: %s entry for %s has a null %s (only ADDED entries inherit)",
                                  list_entry->manifest_path,
                                  entry->status == FLOE_ICE_STATUS_EXISTING ? "EXISTING"
                                                                            : "DELETED",
                                  entry->data_file.file_path,
                                  i == 0 ? "sequence_number" : "file_sequence_number");
        }
        *present[i] = 1;
    }
    return FLOE_OK;
}

int floe_ice_manifest_inherit(floe_ice_manifest *manifest,
                              const floe_ice_manifest_file *list_entry, floe_error *err)
{
    for (size_t i = 0; i < manifest->count; i++)
        FLOE_TRY(floe_ice_manifest_entry_inherit(&manifest->entries[i], manifest->format_version,
                                                 list_entry, err));
    return FLOE_OK;
}
