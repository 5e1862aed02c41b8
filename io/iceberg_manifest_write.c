/*
 * iceberg_manifest_write.c — writing Iceberg v2 manifests and manifest lists.
 *
 * Why this shape: the records' bytes come from Avro C (generic values built from a schema parsed
 * from the spec's text in iceberg_manifest_int.h), while the container framing and header come
 * from io/avro_container.c, so the header's avro.schema is exactly that text, field ids and
 * defaults included (Avro C's own file writer would drop them). The partition record's schema
 * is generated from the caller's partition fields; every partition value is optional.
 */
#define _POSIX_C_SOURCE 200809L

#include "io/iceberg_manifest.h"

#include "io/avro_container.h"
#include "io/iceberg_manifest_int.h" /* the spec's schema texts */
#include "kernels/memory.h"

#include <avro.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ---- a growing text buffer for the schema ---- */

typedef struct text_buffer {
    char *text;
    size_t size;
    size_t capacity;
    int failed;
} text_buffer;

static void text_append(text_buffer *buffer, const char *text, size_t size)
{
    if (buffer->failed) return;
    if (buffer->size + size + 1 > buffer->capacity) {
        size_t capacity = buffer->capacity ? buffer->capacity : 1024;
        while (capacity < buffer->size + size + 1) capacity *= 2;
        char *grown = floe_realloc(buffer->text, capacity);
        if (grown == NULL) {
            buffer->failed = 1;
            return;
        }
        buffer->text = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->text + buffer->size, text, size);
    buffer->size += size;
    buffer->text[buffer->size] = '\0';
}

static void text_puts(text_buffer *buffer, const char *text)
{
    text_append(buffer, text, strlen(text));
}

static void text_json_string(text_buffer *buffer, const char *text)
{
    text_puts(buffer, "\"");
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        char escaped[8];
        if (*c == '"' || *c == '\\') {
            escaped[0] = '\\';
            escaped[1] = (char)*c;
            text_append(buffer, escaped, 2);
        } else if (*c < 0x20) {
            snprintf(escaped, sizeof escaped, "\\u%04x", *c);
            text_puts(buffer, escaped);
        } else {
            text_append(buffer, (const char *)c, 1);
        }
    }
    text_puts(buffer, "\"");
}

/* Bytes of the smallest two's complement fixed that holds every decimal of this precision
 * (spec Appendix A: decimal(P,S) is fixed(minBytesRequired(P))). */
static int decimal_fixed_size(unsigned precision)
{
    floe_int128 largest = 1;
    for (unsigned i = 0; i < precision; i++) largest *= 10;
    largest -= 1;
    for (int bytes = 1; bytes <= 16; bytes++) {
        floe_int128 limit = ((floe_int128)1 << (8 * bytes - 1)) - 1;
        if (bytes == 16 || largest <= limit) return bytes;
    }
    return 16;
}

static int partition_avro_type(text_buffer *buffer, const floe_ice_partition_field *field,
                               floe_error *err)
{
    char text[160];
    switch ((floe_type_id)field->type.id) {
    case FLOE_TYPE_BOOLEAN: text_puts(buffer, "\"boolean\""); return FLOE_OK;
    case FLOE_TYPE_INT32: text_puts(buffer, "\"int\""); return FLOE_OK;
    case FLOE_TYPE_INT64: text_puts(buffer, "\"long\""); return FLOE_OK;
    case FLOE_TYPE_FLOAT32: text_puts(buffer, "\"float\""); return FLOE_OK;
    case FLOE_TYPE_FLOAT64: text_puts(buffer, "\"double\""); return FLOE_OK;
    case FLOE_TYPE_STRING: text_puts(buffer, "\"string\""); return FLOE_OK;
    case FLOE_TYPE_DATE:
        text_puts(buffer, "{\"type\":\"int\",\"logicalType\":\"date\"}");
        return FLOE_OK;
    case FLOE_TYPE_TIMESTAMP:
    case FLOE_TYPE_TIMESTAMPTZ:
        text_puts(buffer, "{\"type\":\"long\",\"logicalType\":\"timestamp-micros\","
                          "\"adjust-to-utc\":");
        text_puts(buffer, field->type.id == FLOE_TYPE_TIMESTAMPTZ ? "true}" : "false}");
        return FLOE_OK;
    case FLOE_TYPE_BINARY:
        if (field->fixed_size > 0) {
            snprintf(text, sizeof text, "{\"type\":\"fixed\",\"name\":\"fixed_%" PRId32
                     "\",\"size\":%" PRId32 "}", field->field_id, field->fixed_size);
            text_puts(buffer, text);
        } else {
            text_puts(buffer, "\"bytes\"");
        }
        return FLOE_OK;
    case FLOE_TYPE_DECIMAL:
        FLOE_RETURN_IF(!floe_type_is_valid(field->type), FLOE_EINVAL, err,
                       "partition field '%s': invalid decimal", field->name);
        /* Named after the field id: Avro forbids defining one name twice in a schema. */
        snprintf(text, sizeof text,
                 "{\"type\":\"fixed\",\"name\":\"decimal_%" PRId32 "\",\"size\":%d,"
                 "\"logicalType\":\"decimal\",\"precision\":%u,\"scale\":%u}",
                 field->field_id, decimal_fixed_size(field->type.precision),
                 field->type.precision, field->type.scale);
        text_puts(buffer, text);
        return FLOE_OK;
    default:
        return floe_error_set(err, FLOE_EINVAL, "partition field '%s': unsupported type",
                              field->name);
    }
}

static int manifest_schema_text(const floe_ice_manifest_write_options *options, char **text,
                                floe_error *err)
{
    text_buffer buffer = {0};
    text_puts(&buffer, FLOE_ICE_MANIFEST_ENTRY_SCHEMA_V2_PREFIX);
    if (options->partition_field_count == 0) {
        text_puts(&buffer, FLOE_ICE_EMPTY_PARTITION_SCHEMA);
    } else {
        text_puts(&buffer, "{\"type\":\"record\",\"name\":\"r102\",\"fields\":[");
        for (size_t i = 0; i < options->partition_field_count; i++) {
            const floe_ice_partition_field *field = &options->partition_fields[i];
            if (field->name == NULL || field->field_id < 0) {
                floe_free(buffer.text);
                return floe_error_set(err, FLOE_EINVAL,
                                      "partition field %zu needs a name and a field id", i);
            }
            char id[32];
            text_puts(&buffer, i ? ",{\"name\":" : "{\"name\":");
            text_json_string(&buffer, field->name);
            text_puts(&buffer, ",\"type\":[\"null\",");
            int status = partition_avro_type(&buffer, field, err);
            if (status < 0) {
                floe_free(buffer.text);
                return status;
            }
            snprintf(id, sizeof id, "%" PRId32, field->field_id);
            text_puts(&buffer, "],\"default\":null,\"field-id\":");
            text_puts(&buffer, id);
            text_puts(&buffer, "}");
        }
        text_puts(&buffer, "]}");
    }
    text_puts(&buffer, FLOE_ICE_MANIFEST_ENTRY_SCHEMA_V2_SUFFIX);
    if (buffer.failed) {
        floe_free(buffer.text);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory building the manifest schema");
    }
    *text = buffer.text;
    return FLOE_OK;
}

/* ---- setting Avro C values ---- */

typedef struct record_writer {
    avro_schema_t schema;
    avro_value_iface_t *iface;
    avro_value_t value;
    int has_value;
    floe_avro_writer container;
    uint8_t *scratch;
    size_t scratch_capacity;
} record_writer;

static void record_writer_fini(record_writer *writer)
{
    if (writer->has_value) avro_value_decref(&writer->value);
    if (writer->iface) avro_value_iface_decref(writer->iface);
    if (writer->schema) avro_schema_decref(writer->schema);
    floe_avro_writer_fini(&writer->container);
    floe_free(writer->scratch);
    memset(writer, 0, sizeof *writer);
}

static int record_writer_init(record_writer *writer, const char *schema_text,
                              floe_avro_codec codec, const floe_avro_metadata *extra,
                              size_t extra_count, floe_error *err)
{
    memset(writer, 0, sizeof *writer);
    if (avro_schema_from_json_length(schema_text, strlen(schema_text), &writer->schema) != 0) {
        writer->schema = NULL;
        return floe_error_set(err, FLOE_EINVAL, "manifest schema does not parse: %s",
                              avro_strerror());
    }
    writer->iface = avro_generic_class_from_schema(writer->schema);
    if (writer->iface == NULL || avro_generic_value_new(writer->iface, &writer->value) != 0) {
        record_writer_fini(writer);
        return floe_error_set(err, FLOE_ENOMEM, "cannot build an Avro value: %s",
                              avro_strerror());
    }
    writer->has_value = 1;
    int status = floe_avro_writer_init(&writer->container, schema_text, codec, extra,
                                       extra_count, err);
    if (status < 0) record_writer_fini(writer);
    return status;
}

/* Encodes writer->value with Avro C and appends it to the container. */
static int record_writer_emit(record_writer *writer, floe_error *err)
{
    size_t size = 0;
    FLOE_RETURN_IF(avro_value_sizeof(&writer->value, &size) != 0, FLOE_EINVAL, err,
                   "cannot size an Avro record: %s", avro_strerror());
    if (size > writer->scratch_capacity) {
        uint8_t *grown = floe_realloc(writer->scratch, size);
        FLOE_RETURN_IF(grown == NULL, FLOE_ENOMEM, err, "out of memory encoding a record");
        writer->scratch = grown;
        writer->scratch_capacity = size;
    }
    avro_writer_t memory = avro_writer_memory((const char *)writer->scratch, (int64_t)size);
    FLOE_RETURN_IF(memory == NULL, FLOE_ENOMEM, err, "out of memory (Avro writer)");
    int rc = avro_value_write(memory, &writer->value);
    avro_writer_free(memory);
    FLOE_RETURN_IF(rc != 0, FLOE_EINVAL, err, "cannot encode an Avro record: %s",
                   avro_strerror());
    return floe_avro_writer_append(&writer->container, writer->scratch, size, err);
}

static int avro_failed(floe_error *err, const char *name)
{
    return floe_error_set(err, FLOE_EINVAL, "cannot set field '%s': %s", name, avro_strerror());
}

static int set_int(avro_value_t *record, const char *name, int32_t value, floe_error *err)
{
    avro_value_t field;
    if (avro_value_get_by_name(record, name, &field, NULL) != 0 ||
        avro_value_set_int(&field, value) != 0)
        return avro_failed(err, name);
    return FLOE_OK;
}

static int set_long(avro_value_t *record, const char *name, int64_t value, floe_error *err)
{
    avro_value_t field;
    if (avro_value_get_by_name(record, name, &field, NULL) != 0 ||
        avro_value_set_long(&field, value) != 0)
        return avro_failed(err, name);
    return FLOE_OK;
}

static int set_string(avro_value_t *record, const char *name, const char *value, floe_error *err)
{
    avro_value_t field;
    FLOE_RETURN_IF(value == NULL, FLOE_EINVAL, err, "required field '%s' is NULL", name);
    if (avro_value_get_by_name(record, name, &field, NULL) != 0 ||
        avro_value_set_string(&field, value) != 0)
        return avro_failed(err, name);
    return FLOE_OK;
}

/* Selects the union branch of an optional field: null (present = 0) or the value branch. */
static int set_optional(avro_value_t *record, const char *name, int present,
                        avro_value_t *branch, floe_error *err)
{
    avro_value_t field;
    if (avro_value_get_by_name(record, name, &field, NULL) != 0 ||
        avro_value_set_branch(&field, present ? 1 : 0, branch) != 0)
        return avro_failed(err, name);
    if (!present && avro_value_set_null(branch) != 0) return avro_failed(err, name);
    return FLOE_OK;
}

static int set_optional_long(avro_value_t *record, const char *name, int present, int64_t value,
                             floe_error *err)
{
    avro_value_t branch;
    FLOE_TRY(set_optional(record, name, present, &branch, err));
    if (present && avro_value_set_long(&branch, value) != 0) return avro_failed(err, name);
    return FLOE_OK;
}

static int set_optional_int(avro_value_t *record, const char *name, int present, int32_t value,
                            floe_error *err)
{
    avro_value_t branch;
    FLOE_TRY(set_optional(record, name, present, &branch, err));
    if (present && avro_value_set_int(&branch, value) != 0) return avro_failed(err, name);
    return FLOE_OK;
}

static int set_bytes_value(avro_value_t *value, floe_ice_bytes bytes, const char *name,
                           floe_error *err)
{
    /* Avro C copies the bytes; its prototype is not const-correct. */
    void *data = (void *)(uintptr_t)(bytes.data ? bytes.data : (const uint8_t *)"");
    if (avro_value_set_bytes(value, data, bytes.size) != 0) return avro_failed(err, name);
    return FLOE_OK;
}

static int set_counts(avro_value_t *record, const char *name, const floe_ice_counts *counts,
                      floe_error *err)
{
    avro_value_t array;
    FLOE_TRY(set_optional(record, name, counts->present, &array, err));
    for (size_t i = 0; counts->present && i < counts->count; i++) {
        avro_value_t item;
        if (avro_value_append(&array, &item, NULL) != 0) return avro_failed(err, name);
        FLOE_TRY(set_int(&item, "key", counts->items[i].key, err));
        FLOE_TRY(set_long(&item, "value", counts->items[i].value, err));
    }
    return FLOE_OK;
}

static int set_bounds(avro_value_t *record, const char *name, const floe_ice_bounds *bounds,
                      floe_error *err)
{
    avro_value_t array;
    FLOE_TRY(set_optional(record, name, bounds->present, &array, err));
    for (size_t i = 0; bounds->present && i < bounds->count; i++) {
        avro_value_t item, value;
        if (avro_value_append(&array, &item, NULL) != 0) return avro_failed(err, name);
        FLOE_TRY(set_int(&item, "key", bounds->items[i].key, err));
        if (avro_value_get_by_name(&item, "value", &value, NULL) != 0)
            return avro_failed(err, name);
        FLOE_TRY(set_bytes_value(&value, bounds->items[i].value, name, err));
    }
    return FLOE_OK;
}

static int set_partition_value(avro_value_t *branch, const floe_ice_partition_field *field,
                               const floe_ice_value *value, floe_error *err)
{
    int rc = 0;
    switch ((floe_type_id)field->type.id) {
    case FLOE_TYPE_BOOLEAN: rc = avro_value_set_boolean(branch, value->as.boolean != 0); break;
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_DATE: rc = avro_value_set_int(branch, value->as.i32); break;
    case FLOE_TYPE_INT64:
    case FLOE_TYPE_TIMESTAMP:
    case FLOE_TYPE_TIMESTAMPTZ: rc = avro_value_set_long(branch, value->as.i64); break;
    case FLOE_TYPE_FLOAT32: rc = avro_value_set_float(branch, value->as.f32); break;
    case FLOE_TYPE_FLOAT64: rc = avro_value_set_double(branch, value->as.f64); break;
    case FLOE_TYPE_STRING: {
        char *text = floe_malloc(value->as.bytes.size + 1);
        FLOE_RETURN_IF(text == NULL, FLOE_ENOMEM, err, "out of memory");
        if (value->as.bytes.size) memcpy(text, value->as.bytes.data, value->as.bytes.size);
        text[value->as.bytes.size] = '\0';
        rc = avro_value_set_string_len(branch, text, value->as.bytes.size + 1);
        floe_free(text);
        break;
    }
    case FLOE_TYPE_BINARY:
        if (field->fixed_size > 0) {
            FLOE_RETURN_IF(value->as.bytes.size != (size_t)field->fixed_size, FLOE_EINVAL, err,
                           "partition field '%s': %zu bytes for a fixed(%d)", field->name,
                           value->as.bytes.size, (int)field->fixed_size);
            rc = avro_value_set_fixed(branch, (void *)(uintptr_t)value->as.bytes.data,
                                      value->as.bytes.size);
        } else {
            return set_bytes_value(branch, value->as.bytes, field->name, err);
        }
        break;
    case FLOE_TYPE_DECIMAL: {
        int size = decimal_fixed_size(field->type.precision);
        floe_int128 unscaled = field->type.precision <= FLOE_DECIMAL64_MAX_PRECISION
                                   ? (floe_int128)value->as.i64
                                   : value->as.i128;
        uint8_t bytes[16];
        floe_uint128 bits = (floe_uint128)unscaled;
        for (int i = size - 1; i >= 0; i--, bits >>= 8) bytes[i] = (uint8_t)bits;
        rc = avro_value_set_fixed(branch, bytes, (size_t)size);
        break;
    }
    default:
        return floe_error_set(err, FLOE_EINVAL, "partition field '%s': unsupported type",
                              field->name);
    }
    if (rc != 0) return avro_failed(err, field->name);
    return FLOE_OK;
}

static int set_manifest_entry(avro_value_t *record, const floe_ice_manifest_write_options *options,
                              const floe_ice_manifest_entry *entry, floe_error *err)
{
    const floe_ice_data_file *file = &entry->data_file;
    FLOE_RETURN_IF(entry->status < 0 || entry->status > 2, FLOE_EINVAL, err,
                   "entry status %d is not 0, 1 or 2", (int)entry->status);
    FLOE_RETURN_IF(file->content < 0 || file->content > 2, FLOE_EINVAL, err,
                   "data file content %d is not 0, 1 or 2", (int)file->content);
    FLOE_RETURN_IF((file->content != FLOE_ICE_CONTENT_DATA) !=
                       (options->content == FLOE_ICE_MANIFEST_CONTENT_DELETES),
                   FLOE_EINVAL, err, "%s: a %s manifest cannot hold content %d", file->file_path,
                   options->content == FLOE_ICE_MANIFEST_CONTENT_DELETES ? "delete" : "data",
                   (int)file->content);
    FLOE_TRY(set_int(record, "status", entry->status, err));
    FLOE_TRY(set_optional_long(record, "snapshot_id", entry->has_snapshot_id, entry->snapshot_id,
                               err));
    FLOE_TRY(set_optional_long(record, "sequence_number", entry->has_sequence_number,
                               entry->sequence_number, err));
    FLOE_TRY(set_optional_long(record, "file_sequence_number", entry->has_file_sequence_number,
                               entry->file_sequence_number, err));
    avro_value_t data_file, partition;
    if (avro_value_get_by_name(record, "data_file", &data_file, NULL) != 0)
        return avro_failed(err, "data_file");
    FLOE_TRY(set_int(&data_file, "content", file->content, err));
    FLOE_TRY(set_string(&data_file, "file_path", file->file_path, err));
    FLOE_TRY(set_string(&data_file, "file_format", file->file_format, err));
    if (avro_value_get_by_name(&data_file, "partition", &partition, NULL) != 0)
        return avro_failed(err, "partition");
    for (size_t i = 0; i < options->partition_field_count; i++) {
        const floe_ice_partition_field *field = &options->partition_fields[i];
        FLOE_RETURN_IF(file->partition == NULL, FLOE_EINVAL, err,
                       "%s: no partition values for a partitioned manifest", file->file_path);
        const floe_ice_value *value = &file->partition[i];
        avro_value_t branch;
        FLOE_TRY(set_optional(&partition, field->name, !value->is_null, &branch, err));
        if (!value->is_null) FLOE_TRY(set_partition_value(&branch, field, value, err));
    }
    FLOE_TRY(set_long(&data_file, "record_count", file->record_count, err));
    FLOE_TRY(set_long(&data_file, "file_size_in_bytes", file->file_size_in_bytes, err));
    FLOE_TRY(set_counts(&data_file, "column_sizes", &file->column_sizes, err));
    FLOE_TRY(set_counts(&data_file, "value_counts", &file->value_counts, err));
    FLOE_TRY(set_counts(&data_file, "null_value_counts", &file->null_value_counts, err));
    FLOE_TRY(set_counts(&data_file, "nan_value_counts", &file->nan_value_counts, err));
    FLOE_TRY(set_bounds(&data_file, "lower_bounds", &file->lower_bounds, err));
    FLOE_TRY(set_bounds(&data_file, "upper_bounds", &file->upper_bounds, err));
    avro_value_t branch;
    FLOE_TRY(set_optional(&data_file, "key_metadata", 0, &branch, err));
    avro_value_t array;
    FLOE_TRY(set_optional(&data_file, "split_offsets", file->has_split_offsets, &array, err));
    for (size_t i = 0; file->has_split_offsets && i < file->split_offset_count; i++) {
        avro_value_t item;
        if (avro_value_append(&array, &item, NULL) != 0 ||
            avro_value_set_long(&item, file->split_offsets[i]) != 0)
            return avro_failed(err, "split_offsets");
    }
    FLOE_TRY(set_optional(&data_file, "equality_ids", file->has_equality_ids, &array, err));
    for (size_t i = 0; file->has_equality_ids && i < file->equality_id_count; i++) {
        avro_value_t item;
        if (avro_value_append(&array, &item, NULL) != 0 ||
            avro_value_set_int(&item, file->equality_ids[i]) != 0)
            return avro_failed(err, "equality_ids");
    }
    return set_optional_int(&data_file, "sort_order_id", file->has_sort_order_id,
                            file->sort_order_id, err);
}

/* ---- files ---- */

/* Creates `path` (never replacing an existing file), writes, fsyncs; removes it on failure. */
static int write_new_file(const char *path, const uint8_t *bytes, size_t size, floe_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        int status = -errno;
        return floe_error_set(err, status, "%s: %s", path, floe_status_name(status));
    }
    size_t written = 0;
    int status = FLOE_OK;
    while (written < size) {
        ssize_t put = write(fd, bytes + written, size - written);
        if (put < 0 && errno == EINTR) continue;
        if (put <= 0) {
            status = put < 0 ? -errno : -EIO;
            break;
        }
        written += (size_t)put;
    }
    if (status == FLOE_OK && fsync(fd) != 0) status = -errno;
    if (close(fd) != 0 && status == FLOE_OK) status = -errno;
    if (status < 0) {
        unlink(path);
        return floe_error_set(err, status, "%s: write failed (%s)", path,
                              floe_status_name(status));
    }
    return FLOE_OK;
}

static floe_avro_metadata metadata_entry(const char *key, const char *value)
{
    floe_avro_metadata entry = {key, strlen(key), (const uint8_t *)value, strlen(value)};
    return entry;
}

int floe_ice_manifest_write_memory(const floe_ice_manifest_write_options *options,
                                   const floe_ice_manifest_entry *entries, size_t count,
                                   uint8_t **bytes, size_t *size, floe_error *err)
{
    *bytes = NULL;
    *size = 0;
    FLOE_RETURN_IF(options == NULL || options->schema_json == NULL ||
                       options->partition_spec_json == NULL ||
                       (options->content != FLOE_ICE_MANIFEST_CONTENT_DATA &&
                        options->content != FLOE_ICE_MANIFEST_CONTENT_DELETES) ||
                       (entries == NULL && count > 0),
                   FLOE_EINVAL, err,
                   "manifest write needs a table schema, a partition spec and a content type");
    char *schema_text = NULL;
    FLOE_TRY(manifest_schema_text(options, &schema_text, err));
    char schema_id[24], spec_id[24];
    snprintf(schema_id, sizeof schema_id, "%" PRId32, options->schema_id);
    snprintf(spec_id, sizeof spec_id, "%" PRId32, options->partition_spec_id);
    floe_avro_metadata extra[] = {
        metadata_entry("schema", options->schema_json),
        metadata_entry("schema-id", schema_id),
        metadata_entry("partition-spec", options->partition_spec_json),
        metadata_entry("partition-spec-id", spec_id),
        metadata_entry("format-version", "2"),
        metadata_entry("content",
                       options->content == FLOE_ICE_MANIFEST_CONTENT_DELETES ? "deletes" : "data"),
    };
    record_writer writer;
    int status = record_writer_init(&writer, schema_text, options->codec, extra,
                                    sizeof extra / sizeof extra[0], err);
    floe_free(schema_text);
    FLOE_TRY(status);
    for (size_t i = 0; i < count && status == FLOE_OK; i++) {
        avro_value_reset(&writer.value);
        status = set_manifest_entry(&writer.value, options, &entries[i], err);
        if (status == FLOE_OK) status = record_writer_emit(&writer, err);
        if (status < 0) floe_error_prefix(err, "manifest entry %zu", i);
    }
    if (status == FLOE_OK) status = floe_avro_writer_finish(&writer.container, bytes, size, err);
    record_writer_fini(&writer);
    return status;
}

int floe_ice_manifest_write(const char *path, const floe_ice_manifest_write_options *options,
                            const floe_ice_manifest_entry *entries, size_t count,
                            int64_t *file_size, floe_error *err)
{
    uint8_t *bytes = NULL;
    size_t size = 0;
    int status = floe_ice_manifest_write_memory(options, entries, count, &bytes, &size, err);
    if (status < 0) return floe_error_prefix(err, "%s", path);
    status = write_new_file(path, bytes, size, err);
    floe_free(bytes);
    if (status == FLOE_OK && file_size) *file_size = (int64_t)size;
    return status;
}

static int set_manifest_file(avro_value_t *record, const floe_ice_manifest_file *entry,
                             floe_error *err)
{
    FLOE_RETURN_IF(entry->added_files_count < 0 || entry->existing_files_count < 0 ||
                       entry->deleted_files_count < 0 || entry->added_rows_count < 0 ||
                       entry->existing_rows_count < 0 || entry->deleted_rows_count < 0,
                   FLOE_EINVAL, err, "%s: v2 manifest lists need every file and row count",
                   entry->manifest_path ? entry->manifest_path : "(null)");
    FLOE_RETURN_IF(entry->content != FLOE_ICE_MANIFEST_CONTENT_DATA &&
                       entry->content != FLOE_ICE_MANIFEST_CONTENT_DELETES,
                   FLOE_EINVAL, err, "manifest content %d is neither 0 nor 1",
                   (int)entry->content);
    FLOE_TRY(set_string(record, "manifest_path", entry->manifest_path, err));
    FLOE_TRY(set_long(record, "manifest_length", entry->manifest_length, err));
    FLOE_TRY(set_int(record, "partition_spec_id", entry->partition_spec_id, err));
    FLOE_TRY(set_int(record, "content", entry->content, err));
    FLOE_TRY(set_long(record, "sequence_number", entry->sequence_number, err));
    FLOE_TRY(set_long(record, "min_sequence_number", entry->min_sequence_number, err));
    FLOE_TRY(set_long(record, "added_snapshot_id", entry->added_snapshot_id, err));
    FLOE_TRY(set_int(record, "added_files_count", entry->added_files_count, err));
    FLOE_TRY(set_int(record, "existing_files_count", entry->existing_files_count, err));
    FLOE_TRY(set_int(record, "deleted_files_count", entry->deleted_files_count, err));
    FLOE_TRY(set_long(record, "added_rows_count", entry->added_rows_count, err));
    FLOE_TRY(set_long(record, "existing_rows_count", entry->existing_rows_count, err));
    FLOE_TRY(set_long(record, "deleted_rows_count", entry->deleted_rows_count, err));
    avro_value_t array, branch;
    FLOE_TRY(set_optional(record, "partitions", entry->has_partitions, &array, err));
    for (size_t i = 0; entry->has_partitions && i < entry->partition_count; i++) {
        const floe_ice_field_summary *summary = &entry->partitions[i];
        avro_value_t item, field;
        if (avro_value_append(&array, &item, NULL) != 0 ||
            avro_value_get_by_name(&item, "contains_null", &field, NULL) != 0 ||
            avro_value_set_boolean(&field, summary->contains_null != 0) != 0)
            return avro_failed(err, "partitions");
        FLOE_TRY(set_optional(&item, "contains_nan", summary->contains_nan >= 0, &branch, err));
        if (summary->contains_nan >= 0 &&
            avro_value_set_boolean(&branch, summary->contains_nan != 0) != 0)
            return avro_failed(err, "contains_nan");
        FLOE_TRY(set_optional(&item, "lower_bound", summary->has_lower_bound, &branch, err));
        if (summary->has_lower_bound)
            FLOE_TRY(set_bytes_value(&branch, summary->lower_bound, "lower_bound", err));
        FLOE_TRY(set_optional(&item, "upper_bound", summary->has_upper_bound, &branch, err));
        if (summary->has_upper_bound)
            FLOE_TRY(set_bytes_value(&branch, summary->upper_bound, "upper_bound", err));
    }
    return set_optional(record, "key_metadata", 0, &branch, err);
}

int floe_ice_manifest_list_write_memory(const floe_ice_manifest_list_write_options *options,
                                        const floe_ice_manifest_file *entries, size_t count,
                                        uint8_t **bytes, size_t *size, floe_error *err)
{
    *bytes = NULL;
    *size = 0;
    FLOE_RETURN_IF(options == NULL || (entries == NULL && count > 0), FLOE_EINVAL, err,
                   "manifest list write needs options");
    char snapshot_id[24], parent_id[24], sequence_number[24];
    snprintf(snapshot_id, sizeof snapshot_id, "%" PRId64, options->snapshot_id);
    snprintf(parent_id, sizeof parent_id, "%" PRId64, options->parent_snapshot_id);
    snprintf(sequence_number, sizeof sequence_number, "%" PRId64, options->sequence_number);
    floe_avro_metadata extra[4];
    size_t extra_count = 0;
    extra[extra_count++] = metadata_entry("snapshot-id", snapshot_id);
    /* Java writes "null" for a snapshot without parent; leaving the key out says the same. */
    if (options->has_parent_snapshot_id)
        extra[extra_count++] = metadata_entry("parent-snapshot-id", parent_id);
    extra[extra_count++] = metadata_entry("sequence-number", sequence_number);
    extra[extra_count++] = metadata_entry("format-version", "2");
    record_writer writer;
    FLOE_TRY(record_writer_init(&writer, FLOE_ICE_MANIFEST_LIST_SCHEMA_V2, options->codec, extra,
                                extra_count, err));
    int status = FLOE_OK;
    for (size_t i = 0; i < count && status == FLOE_OK; i++) {
        avro_value_reset(&writer.value);
        status = set_manifest_file(&writer.value, &entries[i], err);
        if (status == FLOE_OK) status = record_writer_emit(&writer, err);
        if (status < 0) floe_error_prefix(err, "manifest list entry %zu", i);
    }
    if (status == FLOE_OK) status = floe_avro_writer_finish(&writer.container, bytes, size, err);
    record_writer_fini(&writer);
    return status;
}

int floe_ice_manifest_list_write(const char *path,
                                 const floe_ice_manifest_list_write_options *options,
                                 const floe_ice_manifest_file *entries, size_t count,
                                 floe_error *err)
{
    uint8_t *bytes = NULL;
    size_t size = 0;
    int status = floe_ice_manifest_list_write_memory(options, entries, count, &bytes, &size, err);
    if (status < 0) return floe_error_prefix(err, "%s", path);
    status = write_new_file(path, bytes, size, err);
    floe_free(bytes);
    return status;
}
