/*
 * parquet_footer.c — FileMetaData and PageHeader from Thrift compact bytes (contract in
 * parquet_footer.h, field ids and the file layout in parquet_footer_int.h).
 *
 * Why one decoder function per Thrift struct, written out by hand: each knows which fields are
 * required, which ranges are legal and what to copy, so a malformed footer is reported at the
 * struct and byte where it goes wrong, and fields Floe does not use (bloom filters, page indexes,
 * encryption, column orders) are skipped without being understood. Counts are checked against
 * the bytes left before arrays are allocated (thrift_compact.c) and the arena has a limit
 * proportional to the footer, so a hostile footer cannot make us allocate much more than it is.
 */
#define _POSIX_C_SOURCE 200809L /* pread, O_CLOEXEC */

#include "parquet_footer.h"

#include "kernels/memory.h"     /* floe_calloc, floe_free */
#include "parquet_footer_int.h" /* field ids */
#include "parquet_schema.h"     /* floe_pq_schema_map */
#include "thrift_compact.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct decoder {
    floe_thrift_reader reader;
    floe_arena *arena; /* NULL: byte values stay views into the input (page headers) */
    floe_error *err;
} decoder;

static int out_of_memory(decoder *d)
{
    return floe_error_set(d->err, FLOE_ENOMEM, "out of memory decoding Parquet metadata");
}

static int wrong_type(decoder *d, const char *structure, const floe_thrift_field *field,
                      const char *expected)
{
    return floe_error_set(d->err, FLOE_ECORRUPT,
                          "%s field %d has Thrift type %s, expected %s (byte %llu)", structure,
                          field->id, floe_thrift_type_name(field->type), expected,
                          (unsigned long long)floe_thrift_offset(&d->reader));
}

static int read_i64_field(decoder *d, const char *structure, const floe_thrift_field *field,
                          int64_t *out)
{
    if (field->type < FLOE_THRIFT_I8 || field->type > FLOE_THRIFT_I64) {
        return wrong_type(d, structure, field, "an integer");
    }
    return floe_thrift_read_integer(&d->reader, field->type, out, d->err);
}

static int read_i32_field(decoder *d, const char *structure, const floe_thrift_field *field,
                          int32_t *out)
{
    size_t at = d->reader.position;
    int64_t wide = 0;
    FLOE_TRY(read_i64_field(d, structure, field, &wide));
    FLOE_RETURN_IF(wide < INT32_MIN || wide > INT32_MAX, FLOE_ECORRUPT, d->err,
                   "%s field %d out of i32 range at byte %llu", structure, field->id,
                   (unsigned long long)(d->reader.base_offset + at));
    *out = (int32_t)wide;
    return FLOE_OK;
}

/* An i32 that must be >= minimum (enums, sizes, counts). */
static int read_i32_at_least(decoder *d, const char *structure, const char *name,
                             const floe_thrift_field *field, int32_t minimum, int32_t *out)
{
    size_t at = d->reader.position;
    FLOE_TRY(read_i32_field(d, structure, field, out));
    FLOE_RETURN_IF(*out < minimum, FLOE_ECORRUPT, d->err, "%s %s is %d at byte %llu", structure,
                   name, *out, (unsigned long long)(d->reader.base_offset + at));
    return FLOE_OK;
}

static int read_bool_field(decoder *d, const char *structure, const floe_thrift_field *field,
                           bool *out)
{
    if (field->type != FLOE_THRIFT_BOOL_TRUE && field->type != FLOE_THRIFT_BOOL_FALSE) {
        return wrong_type(d, structure, field, "bool");
    }
    *out = field->bool_value;
    return FLOE_OK;
}

static int read_bytes_field(decoder *d, const char *structure, const floe_thrift_field *field,
                            floe_pq_bytes *out)
{
    if (field->type != FLOE_THRIFT_BINARY) return wrong_type(d, structure, field, "binary");
    const uint8_t *bytes;
    size_t length;
    FLOE_TRY(floe_thrift_read_binary(&d->reader, &bytes, &length, d->err));
    if (d->arena == NULL) {
        out->data = bytes;
    } else {
        char *copy = floe_arena_strndup(d->arena, (const char *)bytes, length);
        if (copy == NULL) return out_of_memory(d);
        out->data = (const uint8_t *)copy;
    }
    out->size = length;
    return FLOE_OK;
}

static int read_string_field(decoder *d, const char *structure, const floe_thrift_field *field,
                             const char **out, size_t *size)
{
    floe_pq_bytes bytes;
    FLOE_TRY(read_bytes_field(d, structure, field, &bytes));
    *out = (const char *)bytes.data;
    if (size != NULL) *size = bytes.size;
    return FLOE_OK;
}

/* Reads a list header whose elements must be of `element_type` and allocates `count` zeroed
 * elements of element_size from the arena (*array NULL for an empty list). */
static int read_list(decoder *d, const char *structure, const floe_thrift_field *field,
                     uint8_t element_type, size_t element_size, void **array, uint32_t *count)
{
    if (field->type != FLOE_THRIFT_LIST && field->type != FLOE_THRIFT_SET) {
        return wrong_type(d, structure, field, "list");
    }
    size_t at = d->reader.position;
    uint8_t type;
    FLOE_TRY(floe_thrift_read_list_header(&d->reader, &type, count, d->err));
    FLOE_RETURN_IF(type != element_type, FLOE_ECORRUPT, d->err,
                   "%s field %d: list of %s at byte %llu, expected a list of %s", structure,
                   field->id, floe_thrift_type_name(type),
                   (unsigned long long)(d->reader.base_offset + at),
                   floe_thrift_type_name(element_type));
    *array = NULL;
    if (*count == 0) return FLOE_OK;
    *array = floe_arena_alloc_zero(d->arena, (size_t)*count * element_size);
    if (*array == NULL) return out_of_memory(d);
    return FLOE_OK;
}

static int missing(decoder *d, const char *structure, const char *name, size_t start)
{
    return floe_error_set(d->err, FLOE_ECORRUPT,
                          "%s at byte %llu lacks its required field %s", structure,
                          (unsigned long long)(d->reader.base_offset + start), name);
}

/* A struct whose members are all empty structs or unions of them (TimeUnit): returns the id
 * of the member set, 0 if none. */
static int read_union_member(decoder *d, int32_t *member)
{
    *member = 0;
    FLOE_TRY(floe_thrift_struct_begin(&d->reader, d->err));
    int16_t last_id = 0;
    for (;;) {
        floe_thrift_field field;
        FLOE_TRY(floe_thrift_read_field_header(&d->reader, &last_id, &field, d->err));
        if (field.type == FLOE_THRIFT_STOP) break;
        if (field.type == FLOE_THRIFT_STRUCT && *member == 0) *member = field.id;
        FLOE_TRY(floe_thrift_skip(&d->reader, field.type, d->err));
    }
    floe_thrift_struct_end(&d->reader);
    return FLOE_OK;
}

/* The struct inside a LogicalType member (DecimalType, TimeType, TimestampType, IntType). */
static int decode_logical_member(decoder *d, int16_t member, floe_pq_logical_type *logical)
{
    static const char structure[] = "LogicalType";
    FLOE_TRY(floe_thrift_struct_begin(&d->reader, d->err));
    int16_t last_id = 0;
    for (;;) {
        floe_thrift_field field;
        FLOE_TRY(floe_thrift_read_field_header(&d->reader, &last_id, &field, d->err));
        if (field.type == FLOE_THRIFT_STOP) break;
        if (member == FLOE_PQ_LT_DECIMAL && field.id == FLOE_PQ_DEC_SCALE) {
            FLOE_TRY(read_i32_field(d, structure, &field, &logical->decimal_scale));
        } else if (member == FLOE_PQ_LT_DECIMAL && field.id == FLOE_PQ_DEC_PRECISION) {
            FLOE_TRY(read_i32_field(d, structure, &field, &logical->decimal_precision));
        } else if ((member == FLOE_PQ_LT_TIME || member == FLOE_PQ_LT_TIMESTAMP) &&
                   field.id == FLOE_PQ_TIME_ADJUSTED_TO_UTC) {
            FLOE_TRY(read_bool_field(d, structure, &field, &logical->is_adjusted_to_utc));
        } else if ((member == FLOE_PQ_LT_TIME || member == FLOE_PQ_LT_TIMESTAMP) &&
                   field.id == FLOE_PQ_TIME_UNIT) {
            if (field.type != FLOE_THRIFT_STRUCT) return wrong_type(d, structure, &field, "struct");
            FLOE_TRY(read_union_member(d, &logical->unit));
            if (logical->unit > FLOE_PQ_UNIT_NANOS) logical->unit = FLOE_PQ_UNIT_NONE;
        } else if (member == FLOE_PQ_LT_INTEGER && field.id == FLOE_PQ_INT_BIT_WIDTH) {
            FLOE_TRY(read_i32_field(d, structure, &field, &logical->bit_width));
        } else if (member == FLOE_PQ_LT_INTEGER && field.id == FLOE_PQ_INT_IS_SIGNED) {
            FLOE_TRY(read_bool_field(d, structure, &field, &logical->is_signed));
        } else {
            FLOE_TRY(floe_thrift_skip(&d->reader, field.type, d->err));
        }
    }
    floe_thrift_struct_end(&d->reader);
    return FLOE_OK;
}

static int decode_logical_type(decoder *d, floe_pq_logical_type *logical)
{
    FLOE_TRY(floe_thrift_struct_begin(&d->reader, d->err));
    int16_t last_id = 0;
    for (;;) {
        floe_thrift_field field;
        FLOE_TRY(floe_thrift_read_field_header(&d->reader, &last_id, &field, d->err));
        if (field.type == FLOE_THRIFT_STOP) break;
        bool known = (field.id >= FLOE_PQ_LT_STRING && field.id <= FLOE_PQ_LT_VECTOR &&
                      field.id != 9);
        if (field.type == FLOE_THRIFT_STRUCT && logical->kind == FLOE_PQ_LT_NONE) {
            logical->kind = known ? field.id : FLOE_PQ_LT_OTHER;
            if (known) {
                FLOE_TRY(decode_logical_member(d, field.id, logical));
                continue;
            }
        }
        FLOE_TRY(floe_thrift_skip(&d->reader, field.type, d->err));
    }
    floe_thrift_struct_end(&d->reader);
    return FLOE_OK;
}

static int decode_schema_element(decoder *d, floe_pq_schema_element *element)
{
    static const char structure[] = "SchemaElement";
    size_t start = d->reader.position;
    FLOE_TRY(floe_thrift_struct_begin(&d->reader, d->err));
    int16_t last_id = 0;
    for (;;) {
        floe_thrift_field field;
        FLOE_TRY(floe_thrift_read_field_header(&d->reader, &last_id, &field, d->err));
        if (field.type == FLOE_THRIFT_STOP) break;
        size_t at = d->reader.position;
        switch (field.id) {
        case FLOE_PQ_SE_TYPE:
            FLOE_TRY(read_i32_field(d, structure, &field, &element->type));
            FLOE_RETURN_IF(element->type < 0 || element->type > FLOE_PQ_FIXED_LEN_BYTE_ARRAY,
                           FLOE_ECORRUPT, d->err, "SchemaElement: bad physical type %d at byte %llu",
                           element->type, (unsigned long long)(d->reader.base_offset + at));
            element->has_type = true;
            break;
        case FLOE_PQ_SE_TYPE_LENGTH:
            FLOE_TRY(read_i32_field(d, structure, &field, &element->type_length));
            element->has_type_length = true;
            break;
        case FLOE_PQ_SE_REPETITION_TYPE:
            FLOE_TRY(read_i32_field(d, structure, &field, &element->repetition));
            FLOE_RETURN_IF(element->repetition < 0 || element->repetition > FLOE_PQ_VECTOR,
                           FLOE_ECORRUPT, d->err,
                           "SchemaElement: bad repetition type %d at byte %llu",
                           element->repetition, (unsigned long long)(d->reader.base_offset + at));
            element->has_repetition = true;
            break;
        case FLOE_PQ_SE_NAME:
            FLOE_TRY(read_string_field(d, structure, &field, &element->name, NULL));
            break;
        case FLOE_PQ_SE_NUM_CHILDREN:
            FLOE_TRY(read_i32_at_least(d, structure, "num_children", &field, 0,
                                       &element->num_children));
            element->has_num_children = true;
            break;
        case FLOE_PQ_SE_CONVERTED_TYPE:
            FLOE_TRY(read_i32_field(d, structure, &field, &element->converted_type));
            element->has_converted_type = true;
            break;
        case FLOE_PQ_SE_SCALE:
            FLOE_TRY(read_i32_field(d, structure, &field, &element->scale));
            element->has_scale = true;
            break;
        case FLOE_PQ_SE_PRECISION:
            FLOE_TRY(read_i32_field(d, structure, &field, &element->precision));
            element->has_precision = true;
            break;
        case FLOE_PQ_SE_FIELD_ID:
            FLOE_TRY(read_i32_field(d, structure, &field, &element->field_id));
            element->has_field_id = true;
            break;
        case FLOE_PQ_SE_LOGICAL_TYPE:
            if (field.type != FLOE_THRIFT_STRUCT) return wrong_type(d, structure, &field, "struct");
            FLOE_TRY(decode_logical_type(d, &element->logical_type));
            break;
        default:
            FLOE_TRY(floe_thrift_skip(&d->reader, field.type, d->err));
        }
    }
    floe_thrift_struct_end(&d->reader);
    if (element->name == NULL) return missing(d, structure, "name", start);
    return FLOE_OK;
}

static int decode_statistics(decoder *d, floe_pq_statistics *statistics)
{
    static const char structure[] = "Statistics";
    FLOE_TRY(floe_thrift_struct_begin(&d->reader, d->err));
    int16_t last_id = 0;
    for (;;) {
        floe_thrift_field field;
        FLOE_TRY(floe_thrift_read_field_header(&d->reader, &last_id, &field, d->err));
        if (field.type == FLOE_THRIFT_STOP) break;
        switch (field.id) {
        case FLOE_PQ_ST_MAX:
            FLOE_TRY(read_bytes_field(d, structure, &field, &statistics->max));
            break;
        case FLOE_PQ_ST_MIN:
            FLOE_TRY(read_bytes_field(d, structure, &field, &statistics->min));
            break;
        case FLOE_PQ_ST_NULL_COUNT:
            FLOE_TRY(read_i64_field(d, structure, &field, &statistics->null_count));
            statistics->has_null_count = true;
            break;
        case FLOE_PQ_ST_DISTINCT_COUNT:
            FLOE_TRY(read_i64_field(d, structure, &field, &statistics->distinct_count));
            statistics->has_distinct_count = true;
            break;
        case FLOE_PQ_ST_MAX_VALUE:
            FLOE_TRY(read_bytes_field(d, structure, &field, &statistics->max_value));
            break;
        case FLOE_PQ_ST_MIN_VALUE:
            FLOE_TRY(read_bytes_field(d, structure, &field, &statistics->min_value));
            break;
        case FLOE_PQ_ST_IS_MAX_VALUE_EXACT:
            FLOE_TRY(read_bool_field(d, structure, &field, &statistics->is_max_value_exact));
            statistics->has_is_max_value_exact = true;
            break;
        case FLOE_PQ_ST_IS_MIN_VALUE_EXACT:
            FLOE_TRY(read_bool_field(d, structure, &field, &statistics->is_min_value_exact));
            statistics->has_is_min_value_exact = true;
            break;
        case FLOE_PQ_ST_NAN_COUNT:
            FLOE_TRY(read_i64_field(d, structure, &field, &statistics->nan_count));
            statistics->has_nan_count = true;
            break;
        default:
            FLOE_TRY(floe_thrift_skip(&d->reader, field.type, d->err));
        }
    }
    floe_thrift_struct_end(&d->reader);
    return FLOE_OK;
}

static int decode_key_value(decoder *d, floe_pq_key_value *pair)
{
    static const char structure[] = "KeyValue";
    size_t start = d->reader.position;
    FLOE_TRY(floe_thrift_struct_begin(&d->reader, d->err));
    int16_t last_id = 0;
    for (;;) {
        floe_thrift_field field;
        FLOE_TRY(floe_thrift_read_field_header(&d->reader, &last_id, &field, d->err));
        if (field.type == FLOE_THRIFT_STOP) break;
        if (field.id == FLOE_PQ_KV_KEY) {
            FLOE_TRY(read_string_field(d, structure, &field, &pair->key, NULL));
        } else if (field.id == FLOE_PQ_KV_VALUE) {
            FLOE_TRY(read_string_field(d, structure, &field, &pair->value, &pair->value_size));
        } else {
            FLOE_TRY(floe_thrift_skip(&d->reader, field.type, d->err));
        }
    }
    floe_thrift_struct_end(&d->reader);
    if (pair->key == NULL) return missing(d, structure, "key", start);
    return FLOE_OK;
}

static int decode_key_values(decoder *d, const char *structure, const floe_thrift_field *field,
                             floe_pq_key_value **pairs, uint32_t *count)
{
    void *array;
    FLOE_TRY(read_list(d, structure, field, FLOE_THRIFT_STRUCT, sizeof **pairs, &array, count));
    *pairs = array;
    for (uint32_t i = 0; i < *count; i++) FLOE_TRY(decode_key_value(d, &(*pairs)[i]));
    return FLOE_OK;
}

static int decode_encoding_stats(decoder *d, floe_pq_encoding_stats *stats)
{
    static const char structure[] = "PageEncodingStats";
    size_t start = d->reader.position;
    unsigned seen = 0;
    FLOE_TRY(floe_thrift_struct_begin(&d->reader, d->err));
    int16_t last_id = 0;
    for (;;) {
        floe_thrift_field field;
        FLOE_TRY(floe_thrift_read_field_header(&d->reader, &last_id, &field, d->err));
        if (field.type == FLOE_THRIFT_STOP) break;
        if (field.id == FLOE_PQ_ES_PAGE_TYPE) {
            FLOE_TRY(read_i32_field(d, structure, &field, &stats->page_type));
        } else if (field.id == FLOE_PQ_ES_ENCODING) {
            FLOE_TRY(read_i32_field(d, structure, &field, &stats->encoding));
        } else if (field.id == FLOE_PQ_ES_COUNT) {
            FLOE_TRY(read_i32_field(d, structure, &field, &stats->count));
        } else {
            FLOE_TRY(floe_thrift_skip(&d->reader, field.type, d->err));
            continue;
        }
        seen |= 1u << field.id;
    }
    floe_thrift_struct_end(&d->reader);
    if (!(seen & (1u << FLOE_PQ_ES_PAGE_TYPE))) return missing(d, structure, "page_type", start);
    if (!(seen & (1u << FLOE_PQ_ES_ENCODING))) return missing(d, structure, "encoding", start);
    if (!(seen & (1u << FLOE_PQ_ES_COUNT))) return missing(d, structure, "count", start);
    return FLOE_OK;
}

static int decode_column_metadata(decoder *d, floe_pq_column_metadata *meta)
{
    static const char structure[] = "ColumnMetaData";
    size_t start = d->reader.position;
    uint32_t seen = 0;
    FLOE_TRY(floe_thrift_struct_begin(&d->reader, d->err));
    int16_t last_id = 0;
    for (;;) {
        floe_thrift_field field;
        FLOE_TRY(floe_thrift_read_field_header(&d->reader, &last_id, &field, d->err));
        if (field.type == FLOE_THRIFT_STOP) break;
        void *array;
        switch (field.id) {
        case FLOE_PQ_CMD_TYPE: {
            size_t at = d->reader.position;
            FLOE_TRY(read_i32_field(d, structure, &field, &meta->type));
            FLOE_RETURN_IF(meta->type < 0 || meta->type > FLOE_PQ_FIXED_LEN_BYTE_ARRAY,
                           FLOE_ECORRUPT, d->err, "ColumnMetaData: bad physical type %d at byte %llu",
                           meta->type, (unsigned long long)(d->reader.base_offset + at));
            break;
        }
        case FLOE_PQ_CMD_ENCODINGS:
            FLOE_TRY(read_list(d, structure, &field, FLOE_THRIFT_I32, sizeof *meta->encodings,
                               &array, &meta->encoding_count));
            meta->encodings = array;
            for (uint32_t i = 0; i < meta->encoding_count; i++) {
                FLOE_TRY(floe_thrift_read_i32(&d->reader, &meta->encodings[i], d->err));
            }
            break;
        case FLOE_PQ_CMD_PATH_IN_SCHEMA: {
            FLOE_TRY(read_list(d, structure, &field, FLOE_THRIFT_BINARY,
                               sizeof *meta->path_in_schema, &array, &meta->path_length));
            meta->path_in_schema = array;
            floe_thrift_field element = {.id = field.id, .type = FLOE_THRIFT_BINARY};
            for (uint32_t i = 0; i < meta->path_length; i++) {
                FLOE_TRY(read_string_field(d, structure, &element, &meta->path_in_schema[i],
                                           NULL));
            }
            break;
        }
        case FLOE_PQ_CMD_CODEC:
            FLOE_TRY(read_i32_at_least(d, structure, "codec", &field, 0, &meta->codec));
            break;
        case FLOE_PQ_CMD_NUM_VALUES:
            FLOE_TRY(read_i64_field(d, structure, &field, &meta->num_values));
            break;
        case FLOE_PQ_CMD_TOTAL_UNCOMPRESSED_SIZE:
            FLOE_TRY(read_i64_field(d, structure, &field, &meta->total_uncompressed_size));
            break;
        case FLOE_PQ_CMD_TOTAL_COMPRESSED_SIZE:
            FLOE_TRY(read_i64_field(d, structure, &field, &meta->total_compressed_size));
            break;
        case FLOE_PQ_CMD_KEY_VALUE_METADATA:
            FLOE_TRY(decode_key_values(d, structure, &field, &meta->key_value_metadata,
                                       &meta->key_value_count));
            break;
        case FLOE_PQ_CMD_DATA_PAGE_OFFSET:
            FLOE_TRY(read_i64_field(d, structure, &field, &meta->data_page_offset));
            break;
        case FLOE_PQ_CMD_INDEX_PAGE_OFFSET:
            FLOE_TRY(read_i64_field(d, structure, &field, &meta->index_page_offset));
            meta->has_index_page_offset = true;
            break;
        case FLOE_PQ_CMD_DICTIONARY_PAGE_OFFSET:
            FLOE_TRY(read_i64_field(d, structure, &field, &meta->dictionary_page_offset));
            meta->has_dictionary_page_offset = true;
            break;
        case FLOE_PQ_CMD_STATISTICS: {
            if (field.type != FLOE_THRIFT_STRUCT) return wrong_type(d, structure, &field, "struct");
            floe_pq_statistics *statistics = floe_arena_alloc_zero(d->arena, sizeof *statistics);
            if (statistics == NULL) return out_of_memory(d);
            FLOE_TRY(decode_statistics(d, statistics));
            meta->statistics = statistics;
            break;
        }
        case FLOE_PQ_CMD_ENCODING_STATS:
            FLOE_TRY(read_list(d, structure, &field, FLOE_THRIFT_STRUCT,
                               sizeof *meta->encoding_stats, &array, &meta->encoding_stats_count));
            meta->encoding_stats = array;
            for (uint32_t i = 0; i < meta->encoding_stats_count; i++) {
                FLOE_TRY(decode_encoding_stats(d, &meta->encoding_stats[i]));
            }
            break;
        default:
            FLOE_TRY(floe_thrift_skip(&d->reader, field.type, d->err));
            continue;
        }
        if (field.id < 32) seen |= 1u << field.id;
    }
    floe_thrift_struct_end(&d->reader);
    static const struct { int id; const char *name; } required[] = {
        {FLOE_PQ_CMD_TYPE, "type"},
        {FLOE_PQ_CMD_ENCODINGS, "encodings"},
        {FLOE_PQ_CMD_PATH_IN_SCHEMA, "path_in_schema"},
        {FLOE_PQ_CMD_CODEC, "codec"},
        {FLOE_PQ_CMD_NUM_VALUES, "num_values"},
        {FLOE_PQ_CMD_TOTAL_UNCOMPRESSED_SIZE, "total_uncompressed_size"},
        {FLOE_PQ_CMD_TOTAL_COMPRESSED_SIZE, "total_compressed_size"},
        {FLOE_PQ_CMD_DATA_PAGE_OFFSET, "data_page_offset"},
    };
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        if (!(seen & (1u << required[i].id))) return missing(d, structure, required[i].name, start);
    }
    FLOE_RETURN_IF(meta->num_values < 0 || meta->total_compressed_size < 0 ||
                       meta->total_uncompressed_size < 0 || meta->data_page_offset < 0 ||
                       (meta->has_dictionary_page_offset && meta->dictionary_page_offset < 0),
                   FLOE_ECORRUPT, d->err, "ColumnMetaData at byte %llu has a negative size or offset",
                   (unsigned long long)(d->reader.base_offset + start));
    return FLOE_OK;
}

static int decode_column_chunk(decoder *d, floe_pq_column_chunk *chunk)
{
    static const char structure[] = "ColumnChunk";
    FLOE_TRY(floe_thrift_struct_begin(&d->reader, d->err));
    int16_t last_id = 0;
    for (;;) {
        floe_thrift_field field;
        FLOE_TRY(floe_thrift_read_field_header(&d->reader, &last_id, &field, d->err));
        if (field.type == FLOE_THRIFT_STOP) break;
        if (field.id == FLOE_PQ_CC_FILE_PATH) {
            FLOE_TRY(read_string_field(d, structure, &field, &chunk->file_path, NULL));
        } else if (field.id == FLOE_PQ_CC_FILE_OFFSET) {
            /* Required in the IDL with default 0; some writers omit it, so absence is 0. */
            FLOE_TRY(read_i64_field(d, structure, &field, &chunk->file_offset));
        } else if (field.id == FLOE_PQ_CC_META_DATA) {
            if (field.type != FLOE_THRIFT_STRUCT) return wrong_type(d, structure, &field, "struct");
            floe_pq_column_metadata *meta = floe_arena_alloc_zero(d->arena, sizeof *meta);
            if (meta == NULL) return out_of_memory(d);
            FLOE_TRY(decode_column_metadata(d, meta));
            chunk->meta_data = meta;
        } else {
            FLOE_TRY(floe_thrift_skip(&d->reader, field.type, d->err));
        }
    }
    floe_thrift_struct_end(&d->reader);
    return FLOE_OK;
}

static int decode_row_group(decoder *d, floe_pq_row_group *group)
{
    static const char structure[] = "RowGroup";
    size_t start = d->reader.position;
    unsigned seen = 0;
    FLOE_TRY(floe_thrift_struct_begin(&d->reader, d->err));
    int16_t last_id = 0;
    for (;;) {
        floe_thrift_field field;
        FLOE_TRY(floe_thrift_read_field_header(&d->reader, &last_id, &field, d->err));
        if (field.type == FLOE_THRIFT_STOP) break;
        switch (field.id) {
        case FLOE_PQ_RG_COLUMNS: {
            void *array;
            FLOE_TRY(read_list(d, structure, &field, FLOE_THRIFT_STRUCT, sizeof *group->columns,
                               &array, &group->column_count));
            group->columns = array;
            for (uint32_t i = 0; i < group->column_count; i++) {
                int status = decode_column_chunk(d, &group->columns[i]);
                if (status < 0) {
                    floe_error_prefix(d->err, "column chunk %u", i);
                    return status;
                }
            }
            break;
        }
        case FLOE_PQ_RG_TOTAL_BYTE_SIZE:
            FLOE_TRY(read_i64_field(d, structure, &field, &group->total_byte_size));
            break;
        case FLOE_PQ_RG_NUM_ROWS:
            FLOE_TRY(read_i64_field(d, structure, &field, &group->num_rows));
            break;
        case FLOE_PQ_RG_FILE_OFFSET:
            FLOE_TRY(read_i64_field(d, structure, &field, &group->file_offset));
            group->has_file_offset = true;
            break;
        case FLOE_PQ_RG_TOTAL_COMPRESSED_SIZE:
            FLOE_TRY(read_i64_field(d, structure, &field, &group->total_compressed_size));
            group->has_total_compressed_size = true;
            break;
        case FLOE_PQ_RG_ORDINAL: {
            size_t at = d->reader.position;
            int64_t ordinal;
            FLOE_TRY(read_i64_field(d, structure, &field, &ordinal));
            FLOE_RETURN_IF(ordinal < INT16_MIN || ordinal > INT16_MAX, FLOE_ECORRUPT, d->err,
                           "RowGroup ordinal out of i16 range at byte %llu",
                           (unsigned long long)(d->reader.base_offset + at));
            group->ordinal = (int16_t)ordinal;
            group->has_ordinal = true;
            break;
        }
        default:
            FLOE_TRY(floe_thrift_skip(&d->reader, field.type, d->err));
            continue;
        }
        seen |= 1u << field.id;
    }
    floe_thrift_struct_end(&d->reader);
    if (!(seen & (1u << FLOE_PQ_RG_COLUMNS))) return missing(d, structure, "columns", start);
    if (!(seen & (1u << FLOE_PQ_RG_NUM_ROWS))) return missing(d, structure, "num_rows", start);
    FLOE_RETURN_IF(group->num_rows < 0, FLOE_ECORRUPT, d->err,
                   "RowGroup at byte %llu has %lld rows",
                   (unsigned long long)(d->reader.base_offset + start), (long long)group->num_rows);
    return FLOE_OK;
}

static int decode_file_metadata(decoder *d, floe_pq_file_metadata *metadata)
{
    static const char structure[] = "FileMetaData";
    unsigned seen = 0;
    FLOE_TRY(floe_thrift_struct_begin(&d->reader, d->err));
    int16_t last_id = 0;
    for (;;) {
        floe_thrift_field field;
        FLOE_TRY(floe_thrift_read_field_header(&d->reader, &last_id, &field, d->err));
        if (field.type == FLOE_THRIFT_STOP) break;
        void *array;
        switch (field.id) {
        case FLOE_PQ_FMD_VERSION:
            FLOE_TRY(read_i32_field(d, structure, &field, &metadata->version));
            break;
        case FLOE_PQ_FMD_SCHEMA:
            FLOE_TRY(read_list(d, structure, &field, FLOE_THRIFT_STRUCT, sizeof *metadata->schema,
                               &array, &metadata->schema_count));
            metadata->schema = array;
            for (uint32_t i = 0; i < metadata->schema_count; i++) {
                int status = decode_schema_element(d, &metadata->schema[i]);
                if (status < 0) {
                    floe_error_prefix(d->err, "schema element %u", i);
                    return status;
                }
            }
            break;
        case FLOE_PQ_FMD_NUM_ROWS:
            FLOE_TRY(read_i64_field(d, structure, &field, &metadata->num_rows));
            break;
        case FLOE_PQ_FMD_ROW_GROUPS:
            FLOE_TRY(read_list(d, structure, &field, FLOE_THRIFT_STRUCT,
                               sizeof *metadata->row_groups, &array, &metadata->row_group_count));
            metadata->row_groups = array;
            for (uint32_t i = 0; i < metadata->row_group_count; i++) {
                int status = decode_row_group(d, &metadata->row_groups[i]);
                if (status < 0) {
                    floe_error_prefix(d->err, "row group %u", i);
                    return status;
                }
            }
            break;
        case FLOE_PQ_FMD_KEY_VALUE_METADATA:
            FLOE_TRY(decode_key_values(d, structure, &field, &metadata->key_value_metadata,
                                       &metadata->key_value_count));
            break;
        case FLOE_PQ_FMD_CREATED_BY:
            FLOE_TRY(read_string_field(d, structure, &field, &metadata->created_by, NULL));
            break;
        default: /* column_orders, encryption: not needed to read plaintext files */
            FLOE_TRY(floe_thrift_skip(&d->reader, field.type, d->err));
            continue;
        }
        seen |= 1u << field.id;
    }
    floe_thrift_struct_end(&d->reader);
    if (!(seen & (1u << FLOE_PQ_FMD_VERSION))) return missing(d, structure, "version", 0);
    if (!(seen & (1u << FLOE_PQ_FMD_SCHEMA))) return missing(d, structure, "schema", 0);
    if (!(seen & (1u << FLOE_PQ_FMD_NUM_ROWS))) return missing(d, structure, "num_rows", 0);
    if (!(seen & (1u << FLOE_PQ_FMD_ROW_GROUPS))) return missing(d, structure, "row_groups", 0);
    FLOE_RETURN_IF(metadata->num_rows < 0, FLOE_ECORRUPT, d->err,
                   "FileMetaData: negative num_rows %lld", (long long)metadata->num_rows);
    return FLOE_OK;
}

void floe_pq_file_metadata_free(floe_pq_file_metadata *metadata)
{
    if (metadata == NULL) return;
    floe_arena_fini(&metadata->arena);
    floe_free(metadata);
}

/* Cross-checks that the decoded pieces agree with each other. */
static int check_consistency(const floe_pq_file_metadata *metadata, floe_error *err)
{
    int64_t rows = 0;
    for (uint32_t g = 0; g < metadata->row_group_count; g++) {
        const floe_pq_row_group *group = &metadata->row_groups[g];
        FLOE_RETURN_IF(group->column_count != metadata->column_count, FLOE_ECORRUPT, err,
                       "row group %u has %u column chunks but the schema has %u leaf columns", g,
                       group->column_count, metadata->column_count);
        for (uint32_t c = 0; c < group->column_count; c++) {
            const floe_pq_column_metadata *meta = group->columns[c].meta_data;
            if (meta == NULL) continue; /* readers fail on the column, not on the file */
            FLOE_RETURN_IF(meta->type != metadata->columns[c].physical_type, FLOE_ECORRUPT, err,
                           "row group %u: column chunk %u has physical type %s but the schema "
                           "says %s",
                           g, c, floe_pq_physical_type_name(meta->type),
                           floe_pq_physical_type_name(metadata->columns[c].physical_type));
        }
        FLOE_RETURN_IF(group->num_rows > INT64_MAX - rows, FLOE_ECORRUPT, err,
                       "row counts overflow");
        rows += group->num_rows;
    }
    return FLOE_OK;
}

int floe_pq_file_metadata_parse_footer(const void *footer, size_t footer_size,
                                       uint64_t footer_offset, uint64_t file_size,
                                       floe_pq_file_metadata **out, floe_error *err)
{
    *out = NULL;
    FLOE_RETURN_IF(footer == NULL && footer_size > 0, FLOE_EINVAL, err, "no footer bytes");
    FLOE_RETURN_IF(footer_size > FLOE_PQ_MAX_FOOTER_SIZE, FLOE_ECORRUPT, err,
                   "footer of %zu bytes is larger than the %u bytes Floe accepts", footer_size,
                   FLOE_PQ_MAX_FOOTER_SIZE);
    floe_pq_file_metadata *metadata = floe_calloc(1, sizeof *metadata);
    FLOE_RETURN_IF(metadata == NULL, FLOE_ENOMEM, err, "out of memory for Parquet metadata");
    /* Decoded structs are at most ~100 bytes per wire byte of their smallest encoding. */
    size_t limit = (size_t)1 << 20;
    limit += footer_size > ((size_t)1 << 40) / 128 ? ((size_t)1 << 40) : footer_size * 128;
    floe_arena_init(&metadata->arena, footer_size < 16384 ? 16384 : 65536, limit);
    metadata->file_size = file_size;
    metadata->footer_offset = footer_offset;
    metadata->footer_size = (uint32_t)footer_size;

    decoder d = {.arena = &metadata->arena, .err = err};
    floe_thrift_reader_init(&d.reader, footer, footer_size, footer_offset);
    int status = decode_file_metadata(&d, metadata);
    if (status == FLOE_OK) status = floe_pq_schema_map(metadata, err);
    if (status == FLOE_OK) status = check_consistency(metadata, err);
    if (status < 0) {
        floe_pq_file_metadata_free(metadata);
        return status;
    }
    *out = metadata;
    return FLOE_OK;
}

static uint32_t read_le32(const uint8_t *bytes)
{
    return (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 | (uint32_t)bytes[2] << 16 |
           (uint32_t)bytes[3] << 24;
}

/* Checks the framing given the file's first 4 and last 8 bytes; returns the footer length. */
static int check_framing(const uint8_t head[4], const uint8_t tail[8], uint64_t file_size,
                         uint32_t *footer_size, floe_error *err)
{
    FLOE_RETURN_IF(file_size < 12, FLOE_ECORRUPT, err,
                   "not a Parquet file: %llu bytes is too short (12 at least)",
                   (unsigned long long)file_size);
    FLOE_RETURN_IF(memcmp(tail + 4, "PARE", 4) == 0, FLOE_EUNSUPPORTED, err,
                   "encrypted Parquet footers are not supported");
    FLOE_RETURN_IF(memcmp(tail + 4, "PAR1", 4) != 0, FLOE_ECORRUPT, err,
                   "not a Parquet file: no \"PAR1\" at its end (byte %llu)",
                   (unsigned long long)(file_size - 4));
    FLOE_RETURN_IF(memcmp(head, "PAR1", 4) != 0, FLOE_ECORRUPT, err,
                   "not a Parquet file: no \"PAR1\" at its start");
    uint32_t length = read_le32(tail);
    FLOE_RETURN_IF((uint64_t)length > file_size - 12, FLOE_ECORRUPT, err,
                   "footer length %u (at byte %llu) points outside the file of %llu bytes", length,
                   (unsigned long long)(file_size - 8), (unsigned long long)file_size);
    FLOE_RETURN_IF(length > FLOE_PQ_MAX_FOOTER_SIZE, FLOE_ECORRUPT, err,
                   "footer length %u is larger than the %u bytes Floe accepts", length,
                   FLOE_PQ_MAX_FOOTER_SIZE);
    FLOE_RETURN_IF(length == 0, FLOE_ECORRUPT, err, "footer length is 0");
    *footer_size = length;
    return FLOE_OK;
}

int floe_pq_file_metadata_parse(const void *bytes, size_t size, floe_pq_file_metadata **out,
                                floe_error *err)
{
    *out = NULL;
    FLOE_RETURN_IF(bytes == NULL && size > 0, FLOE_EINVAL, err, "no file bytes");
    const uint8_t *file = bytes;
    uint32_t footer_size = 0;
    if (size < 12) {
        return floe_error_set(err, FLOE_ECORRUPT,
                              "not a Parquet file: %zu bytes is too short (12 at least)", size);
    }
    FLOE_TRY(check_framing(file, file + size - 8, size, &footer_size, err));
    size_t footer_offset = size - 8 - footer_size;
    return floe_pq_file_metadata_parse_footer(file + footer_offset, footer_size, footer_offset,
                                              size, out, err);
}

static int read_exactly(int fd, void *buffer, size_t size, uint64_t offset)
{
    uint8_t *into = buffer;
    while (size > 0) {
        ssize_t got = pread(fd, into, size, (off_t)offset);
        if (got < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        if (got == 0) return FLOE_ECORRUPT; /* the file shrank under us */
        into += got;
        size -= (size_t)got;
        offset += (uint64_t)got;
    }
    return FLOE_OK;
}

static int open_file(int fd, floe_pq_file_metadata **out, floe_error *err)
{
    struct stat info;
    if (fstat(fd, &info) != 0) {
        int status = -errno;
        return floe_error_set(err, status, "fstat: %s", strerror(-status));
    }
    FLOE_RETURN_IF(!S_ISREG(info.st_mode), FLOE_EUNSUPPORTED, err, "not a regular file");
    uint64_t file_size = (uint64_t)info.st_size;
    FLOE_RETURN_IF(file_size < 12, FLOE_ECORRUPT, err,
                   "not a Parquet file: %llu bytes is too short (12 at least)",
                   (unsigned long long)file_size);
    uint8_t head[4], tail[8];
    int status = read_exactly(fd, head, sizeof head, 0);
    if (status == FLOE_OK) status = read_exactly(fd, tail, sizeof tail, file_size - 8);
    if (status < 0) {
        return floe_error_set(err, status, "read: %s",
                              status == FLOE_ECORRUPT ? "file shorter than its size"
                                                      : strerror(-status));
    }
    uint32_t footer_size;
    FLOE_TRY(check_framing(head, tail, file_size, &footer_size, err));
    uint64_t footer_offset = file_size - 8 - footer_size;
    uint8_t *footer = floe_malloc(footer_size);
    FLOE_RETURN_IF(footer == NULL, FLOE_ENOMEM, err, "out of memory for a %u-byte footer",
                   footer_size);
    status = read_exactly(fd, footer, footer_size, footer_offset);
    if (status < 0) {
        floe_free(footer);
        return floe_error_set(err, status, "read footer: %s",
                              status == FLOE_ECORRUPT ? "file shorter than its size"
                                                      : strerror(-status));
    }
    status = floe_pq_file_metadata_parse_footer(footer, footer_size, footer_offset, file_size,
                                                out, err);
    floe_free(footer);
    return status;
}

int floe_pq_file_metadata_open(const char *path, floe_pq_file_metadata **out, floe_error *err)
{
    *out = NULL;
    FLOE_RETURN_IF(path == NULL, FLOE_EINVAL, err, "no path");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int status = -errno;
        return floe_error_set(err, status, "%s: %s", path, strerror(-status));
    }
    int status = open_file(fd, out, err);
    close(fd);
    if (status < 0) floe_error_prefix(err, "%s", path);
    return status;
}

int floe_pq_column_require(const floe_pq_column *column, floe_error *err)
{
    FLOE_RETURN_IF(column == NULL, FLOE_EINVAL, err, "no column");
    FLOE_RETURN_IF(column->unsupported_reason != NULL, FLOE_EUNSUPPORTED, err, "%s",
                   column->unsupported_reason);
    return FLOE_OK;
}

const floe_pq_column *floe_pq_file_metadata_find_column(const floe_pq_file_metadata *metadata,
                                                        const char *name)
{
    if (metadata == NULL || name == NULL) return NULL;
    for (uint32_t i = 0; i < metadata->column_count; i++) {
        if (strcmp(metadata->columns[i].path, name) == 0) return &metadata->columns[i];
    }
    return NULL;
}

/* ---- page headers ---- */

static int decode_data_page_header(decoder *d, floe_pq_page_header *header)
{
    static const char structure[] = "DataPageHeader";
    size_t start = d->reader.position;
    unsigned seen = 0;
    FLOE_TRY(floe_thrift_struct_begin(&d->reader, d->err));
    int16_t last_id = 0;
    for (;;) {
        floe_thrift_field field;
        FLOE_TRY(floe_thrift_read_field_header(&d->reader, &last_id, &field, d->err));
        if (field.type == FLOE_THRIFT_STOP) break;
        switch (field.id) {
        case FLOE_PQ_DPH_NUM_VALUES:
            FLOE_TRY(read_i32_at_least(d, structure, "num_values", &field, 0,
                                       &header->data_page_header.num_values));
            break;
        case FLOE_PQ_DPH_ENCODING:
            FLOE_TRY(read_i32_field(d, structure, &field, &header->data_page_header.encoding));
            break;
        case FLOE_PQ_DPH_DEFINITION_LEVEL_ENCODING:
            FLOE_TRY(read_i32_field(d, structure, &field,
                                    &header->data_page_header.definition_level_encoding));
            break;
        case FLOE_PQ_DPH_REPETITION_LEVEL_ENCODING:
            FLOE_TRY(read_i32_field(d, structure, &field,
                                    &header->data_page_header.repetition_level_encoding));
            break;
        case FLOE_PQ_DPH_STATISTICS:
            if (field.type != FLOE_THRIFT_STRUCT) return wrong_type(d, structure, &field, "struct");
            FLOE_TRY(decode_statistics(d, &header->data_page_header.statistics));
            header->data_page_header.has_statistics = true;
            break;
        default:
            FLOE_TRY(floe_thrift_skip(&d->reader, field.type, d->err));
            continue;
        }
        seen |= 1u << field.id;
    }
    floe_thrift_struct_end(&d->reader);
    if (!(seen & (1u << FLOE_PQ_DPH_NUM_VALUES))) return missing(d, structure, "num_values", start);
    if (!(seen & (1u << FLOE_PQ_DPH_ENCODING))) return missing(d, structure, "encoding", start);
    return FLOE_OK;
}

static int decode_dictionary_page_header(decoder *d, floe_pq_page_header *header)
{
    static const char structure[] = "DictionaryPageHeader";
    size_t start = d->reader.position;
    unsigned seen = 0;
    FLOE_TRY(floe_thrift_struct_begin(&d->reader, d->err));
    int16_t last_id = 0;
    for (;;) {
        floe_thrift_field field;
        FLOE_TRY(floe_thrift_read_field_header(&d->reader, &last_id, &field, d->err));
        if (field.type == FLOE_THRIFT_STOP) break;
        switch (field.id) {
        case FLOE_PQ_DIC_NUM_VALUES:
            FLOE_TRY(read_i32_at_least(d, structure, "num_values", &field, 0,
                                       &header->dictionary_page_header.num_values));
            break;
        case FLOE_PQ_DIC_ENCODING:
            FLOE_TRY(read_i32_field(d, structure, &field,
                                    &header->dictionary_page_header.encoding));
            break;
        case FLOE_PQ_DIC_IS_SORTED:
            FLOE_TRY(read_bool_field(d, structure, &field,
                                     &header->dictionary_page_header.is_sorted));
            header->dictionary_page_header.has_is_sorted = true;
            break;
        default:
            FLOE_TRY(floe_thrift_skip(&d->reader, field.type, d->err));
            continue;
        }
        seen |= 1u << field.id;
    }
    floe_thrift_struct_end(&d->reader);
    if (!(seen & (1u << FLOE_PQ_DIC_NUM_VALUES))) return missing(d, structure, "num_values", start);
    return FLOE_OK;
}

static int decode_data_page_header_v2(decoder *d, floe_pq_page_header *header)
{
    static const char structure[] = "DataPageHeaderV2";
    size_t start = d->reader.position;
    unsigned seen = 0;
    header->data_page_header_v2.is_compressed = true;
    FLOE_TRY(floe_thrift_struct_begin(&d->reader, d->err));
    int16_t last_id = 0;
    for (;;) {
        floe_thrift_field field;
        FLOE_TRY(floe_thrift_read_field_header(&d->reader, &last_id, &field, d->err));
        if (field.type == FLOE_THRIFT_STOP) break;
        switch (field.id) {
        case FLOE_PQ_DPH2_NUM_VALUES:
            FLOE_TRY(read_i32_at_least(d, structure, "num_values", &field, 0,
                                       &header->data_page_header_v2.num_values));
            break;
        case FLOE_PQ_DPH2_NUM_NULLS:
            FLOE_TRY(read_i32_at_least(d, structure, "num_nulls", &field, 0,
                                       &header->data_page_header_v2.num_nulls));
            break;
        case FLOE_PQ_DPH2_NUM_ROWS:
            FLOE_TRY(read_i32_at_least(d, structure, "num_rows", &field, 0,
                                       &header->data_page_header_v2.num_rows));
            break;
        case FLOE_PQ_DPH2_ENCODING:
            FLOE_TRY(read_i32_field(d, structure, &field, &header->data_page_header_v2.encoding));
            break;
        case FLOE_PQ_DPH2_DEFINITION_LEVELS_BYTE_LENGTH:
            FLOE_TRY(read_i32_at_least(d, structure, "definition_levels_byte_length", &field, 0,
                                       &header->data_page_header_v2.definition_levels_byte_length));
            break;
        case FLOE_PQ_DPH2_REPETITION_LEVELS_BYTE_LENGTH:
            FLOE_TRY(read_i32_at_least(d, structure, "repetition_levels_byte_length", &field, 0,
                                       &header->data_page_header_v2.repetition_levels_byte_length));
            break;
        case FLOE_PQ_DPH2_IS_COMPRESSED:
            FLOE_TRY(read_bool_field(d, structure, &field,
                                     &header->data_page_header_v2.is_compressed));
            break;
        case FLOE_PQ_DPH2_STATISTICS:
            if (field.type != FLOE_THRIFT_STRUCT) return wrong_type(d, structure, &field, "struct");
            FLOE_TRY(decode_statistics(d, &header->data_page_header_v2.statistics));
            header->data_page_header_v2.has_statistics = true;
            break;
        default:
            FLOE_TRY(floe_thrift_skip(&d->reader, field.type, d->err));
            continue;
        }
        seen |= 1u << field.id;
    }
    floe_thrift_struct_end(&d->reader);
    static const struct { int id; const char *name; } required[] = {
        {FLOE_PQ_DPH2_NUM_VALUES, "num_values"},
        {FLOE_PQ_DPH2_NUM_NULLS, "num_nulls"},
        {FLOE_PQ_DPH2_NUM_ROWS, "num_rows"},
        {FLOE_PQ_DPH2_ENCODING, "encoding"},
        {FLOE_PQ_DPH2_DEFINITION_LEVELS_BYTE_LENGTH, "definition_levels_byte_length"},
        {FLOE_PQ_DPH2_REPETITION_LEVELS_BYTE_LENGTH, "repetition_levels_byte_length"},
    };
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        if (!(seen & (1u << required[i].id))) return missing(d, structure, required[i].name, start);
    }
    FLOE_RETURN_IF(header->data_page_header_v2.num_nulls > header->data_page_header_v2.num_values,
                   FLOE_ECORRUPT, d->err, "DataPageHeaderV2 at byte %llu: %d nulls among %d values",
                   (unsigned long long)(d->reader.base_offset + start),
                   header->data_page_header_v2.num_nulls, header->data_page_header_v2.num_values);
    return FLOE_OK;
}

int floe_pq_page_header_parse(const void *bytes, size_t size, uint64_t file_offset,
                              floe_pq_page_header *header, size_t *header_size, floe_error *err)
{
    static const char structure[] = "PageHeader";
    memset(header, 0, sizeof *header);
    header->data_page_header_v2.is_compressed = true;
    *header_size = 0;
    decoder d = {.arena = NULL, .err = err};
    floe_thrift_reader_init(&d.reader, bytes, size, file_offset);
    unsigned seen = 0;
    FLOE_TRY(floe_thrift_struct_begin(&d.reader, err));
    int16_t last_id = 0;
    for (;;) {
        floe_thrift_field field;
        FLOE_TRY(floe_thrift_read_field_header(&d.reader, &last_id, &field, err));
        if (field.type == FLOE_THRIFT_STOP) break;
        switch (field.id) {
        case FLOE_PQ_PH_TYPE:
            FLOE_TRY(read_i32_at_least(&d, structure, "type", &field, 0, &header->type));
            break;
        case FLOE_PQ_PH_UNCOMPRESSED_PAGE_SIZE:
            FLOE_TRY(read_i32_at_least(&d, structure, "uncompressed_page_size", &field, 0,
                                       &header->uncompressed_page_size));
            break;
        case FLOE_PQ_PH_COMPRESSED_PAGE_SIZE:
            FLOE_TRY(read_i32_at_least(&d, structure, "compressed_page_size", &field, 0,
                                       &header->compressed_page_size));
            break;
        case FLOE_PQ_PH_CRC: {
            int32_t crc;
            FLOE_TRY(read_i32_field(&d, structure, &field, &crc));
            header->crc = (uint32_t)crc;
            header->has_crc = true;
            break;
        }
        case FLOE_PQ_PH_DATA_PAGE_HEADER:
            if (field.type != FLOE_THRIFT_STRUCT) return wrong_type(&d, structure, &field, "struct");
            FLOE_TRY(decode_data_page_header(&d, header));
            header->has_data_page_header = true;
            break;
        case FLOE_PQ_PH_DICTIONARY_PAGE_HEADER:
            if (field.type != FLOE_THRIFT_STRUCT) return wrong_type(&d, structure, &field, "struct");
            FLOE_TRY(decode_dictionary_page_header(&d, header));
            header->has_dictionary_page_header = true;
            break;
        case FLOE_PQ_PH_DATA_PAGE_HEADER_V2:
            if (field.type != FLOE_THRIFT_STRUCT) return wrong_type(&d, structure, &field, "struct");
            FLOE_TRY(decode_data_page_header_v2(&d, header));
            header->has_data_page_header_v2 = true;
            break;
        default:
            FLOE_TRY(floe_thrift_skip(&d.reader, field.type, err));
            continue;
        }
        seen |= 1u << field.id;
    }
    floe_thrift_struct_end(&d.reader);
    if (!(seen & (1u << FLOE_PQ_PH_TYPE))) return missing(&d, structure, "type", 0);
    if (!(seen & (1u << FLOE_PQ_PH_UNCOMPRESSED_PAGE_SIZE))) {
        return missing(&d, structure, "uncompressed_page_size", 0);
    }
    if (!(seen & (1u << FLOE_PQ_PH_COMPRESSED_PAGE_SIZE))) {
        return missing(&d, structure, "compressed_page_size", 0);
    }
    bool has_sub_header = header->type == FLOE_PQ_DATA_PAGE      ? header->has_data_page_header
                          : header->type == FLOE_PQ_DICTIONARY_PAGE ? header->has_dictionary_page_header
                          : header->type == FLOE_PQ_DATA_PAGE_V2 ? header->has_data_page_header_v2
                                                                 : true;
    FLOE_RETURN_IF(!has_sub_header, FLOE_ECORRUPT, err,
                   "PageHeader at byte %llu: a %s page without its %s header",
                   (unsigned long long)file_offset, floe_pq_page_type_name(header->type),
                   floe_pq_page_type_name(header->type));
    *header_size = d.reader.position;
    return FLOE_OK;
}

/* ---- names ---- */

static const char *name_in(const char *const *names, size_t count, int32_t value)
{
    return value >= 0 && (size_t)value < count && names[value] != NULL ? names[value] : "?";
}

#define FLOE_NAME_IN(names, value) name_in((names), sizeof(names) / sizeof((names)[0]), (value))

const char *floe_pq_physical_type_name(int32_t type)
{
    static const char *const names[] = {"BOOLEAN", "INT32",      "INT64",
                                        "INT96",   "FLOAT",      "DOUBLE",
                                        "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"};
    return FLOE_NAME_IN(names, type);
}

const char *floe_pq_repetition_name(int32_t repetition)
{
    static const char *const names[] = {"REQUIRED", "OPTIONAL", "REPEATED", "VECTOR"};
    return FLOE_NAME_IN(names, repetition);
}

const char *floe_pq_converted_type_name(int32_t converted_type)
{
    static const char *const names[] = {
        "UTF8",   "MAP",    "MAP_KEY_VALUE", "LIST",   "ENUM",   "DECIMAL",
        "DATE",   "TIME_MILLIS", "TIME_MICROS", "TIMESTAMP_MILLIS", "TIMESTAMP_MICROS",
        "UINT_8", "UINT_16", "UINT_32", "UINT_64", "INT_8", "INT_16", "INT_32", "INT_64",
        "JSON",   "BSON",   "INTERVAL"};
    return FLOE_NAME_IN(names, converted_type);
}

const char *floe_pq_logical_kind_name(int32_t kind)
{
    static const char *const names[] = {
        "NONE", "STRING", "MAP", "LIST", "ENUM", "DECIMAL", "DATE", "TIME", "TIMESTAMP", NULL,
        "INTEGER", "UNKNOWN", "JSON", "BSON", "UUID", "FLOAT16", "VARIANT", "GEOMETRY",
        "GEOGRAPHY", "VECTOR"};
    if (kind == FLOE_PQ_LT_OTHER) return "OTHER";
    return FLOE_NAME_IN(names, kind);
}

const char *floe_pq_encoding_name(int32_t encoding)
{
    static const char *const names[] = {"PLAIN", NULL, "PLAIN_DICTIONARY", "RLE", "BIT_PACKED",
                                        "DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY",
                                        "DELTA_BYTE_ARRAY", "RLE_DICTIONARY", "BYTE_STREAM_SPLIT"};
    return FLOE_NAME_IN(names, encoding);
}

const char *floe_pq_page_type_name(int32_t page_type)
{
    static const char *const names[] = {"DATA_PAGE", "INDEX_PAGE", "DICTIONARY_PAGE",
                                        "DATA_PAGE_V2"};
    return FLOE_NAME_IN(names, page_type);
}
