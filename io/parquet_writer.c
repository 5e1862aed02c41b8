/*
 * parquet_writer.c — column batches in, a Parquet file out (the contract is parquet_writer.h).
 *
 * Why it is shaped this way: Parquet wants each column chunk contiguous and its dictionary page
 * first, so a row group is assembled in memory — per column, the compressed data pages (headers
 * included) in `chunk`, the dictionary beside them — and written column after column when the row
 * group closes. Values of the open page stay unencoded enough (definition levels, dictionary
 * indices or PLAIN bytes) that the page can still be re-encoded PLAIN when its dictionary turns
 * out not to pay. Each finished row group's metadata is encoded to Thrift at once, so the footer
 * is only the schema and those bytes, and nothing per row group is kept as structs.
 *
 * Statistics are kept in the vector's storage domain (int32, int64, int128, float, double, bytes)
 * and turned into PLAIN bytes (Parquet) or Iceberg's single-value form only when written.
 */
#define _POSIX_C_SOURCE 200809L /* O_CLOEXEC, fsync, ssize_t */

#include "io/parquet_writer.h"

#include "floe.h"                      /* FLOE_VERSION_STRING */
#include "io/parquet_footer.h"         /* physical types, encodings, page types */
#include "io/parquet_footer_int.h"     /* Thrift field ids */
#include "io/parquet_writer_int.h"     /* buffers, RLE encoder, dictionary */
#include "io/thrift_compact_write.h"
#include "kernels/memory.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the Parquet writer assumes a little-endian host, as the decoders do"
#endif

#ifndef FLOE_BUILD_ID
#define FLOE_BUILD_ID "dev"
#endif

enum {
    DEFAULT_PAGE_BYTES = 1 << 20,
    DEFAULT_DICTIONARY_BYTES = 1 << 20,
    DEFAULT_DICTIONARY_ENTRIES = 65536,
    DEFAULT_STATISTICS_BYTES = 64,
    DEFAULT_ICEBERG_BOUND_LENGTH = 16,
    DEFAULT_ZSTD_LEVEL = 3,
    OUTPUT_BUFFER_SIZE = 1 << 20,
};

typedef enum stat_kind {
    STAT_BOOLEAN, STAT_INT32, STAT_INT64, STAT_INT128, STAT_FLOAT, STAT_DOUBLE, STAT_BYTES,
} stat_kind;

typedef union stat_value {
    uint8_t boolean;
    int32_t i32;
    int64_t i64;
    floe_int128 i128;
    float f32;
    double f64;
} stat_value;

/* Min/max of some values; bytes kinds keep copies in the buffers. */
typedef struct stat_range {
    bool has;             /* a non-NULL, non-NaN value was seen */
    stat_value min, max;
    floe_pq_buffer min_bytes, max_bytes;
} stat_range;

typedef struct column_state {
    char *name;
    floe_type type;
    bool nullable;
    int32_t field_id;
    int32_t physical;        /* floe_pq_physical_type */
    int32_t type_length;     /* FIXED_LEN_BYTE_ARRAY width */
    uint32_t width;          /* PLAIN bytes per value; 0 for BYTE_ARRAY; 1 for booleans (as
                              * bytes until the page packs them) */
    uint32_t storage_width;  /* bytes per value in a floe_vector */
    stat_kind kind;
    bool dictionary_allowed; /* type and options permit a dictionary */
    int32_t value_encoding;  /* of pages without a dictionary: PLAIN, DELTA_BINARY_PACKED or
                              * DELTA_BYTE_ARRAY */
    int32_t codec;           /* floe_pq_codec of the chunk: the options' one, or none for a
                              * delta-encoded column */
    int32_t data_page_type;  /* DATA_PAGE, or DATA_PAGE_V2 for DELTA_BYTE_ARRAY (below) */

    /* the open page */
    uint32_t *levels;        /* definition levels (OPTIONAL columns) */
    size_t level_count, level_capacity;
    uint32_t *indices;       /* dictionary indices (dictionary mode) */
    size_t index_count, index_capacity;
    floe_pq_buffer values;   /* PLAIN values (plain mode) */
    size_t page_rows;        /* rows of the open page (levels or values) */
    size_t page_plain_bytes; /* what the open page's values take PLAIN */

    /* the open column chunk */
    bool use_dictionary;
    floe_pq_dictionary dictionary;
    uint32_t dictionary_data_pages, plain_data_pages;
    floe_pq_buffer chunk;    /* data pages: header + compressed body each */
    uint64_t chunk_uncompressed; /* headers + uncompressed bodies */
    int64_t chunk_values, chunk_nulls, chunk_nans;
    stat_range chunk_stats;

    /* the whole file (Iceberg metrics) */
    stat_range file_stats;
    uint64_t file_bytes, file_values, file_nulls, file_nans;
} column_state;

struct floe_pq_writer {
    char *path;                 /* for messages; NULL-free copy ("<fd N>" for fds) */
    int fd;
    bool owns_fd;
    bool failed, closed;
    floe_pq_write_options options;
    char *iceberg_schema_json;
    floe_pq_write_key_value *key_values; /* copies */
    uint32_t key_value_count;

    column_state *columns;
    uint32_t column_count;

    floe_pq_codec_context *codec;
    floe_pq_buffer page;        /* scratch: an uncompressed page body */
    floe_pq_buffer compressed;  /* scratch: a compressed page body */
    floe_pq_buffer scratch;     /* scratch of the page encoders */
    floe_thrift_writer header;  /* scratch: a page header */
    floe_thrift_writer row_group_meta; /* every finished RowGroup struct, back to back */

    uint8_t *output;            /* write buffer */
    size_t output_used;
    uint64_t file_offset;       /* bytes handed to the file so far (buffer included) */

    uint64_t row_group_rows;    /* rows of the open row group */
    uint32_t row_group_count;
    uint64_t row_count;

    floe_pq_column_result *results;
};

/* ---- small helpers ------------------------------------------------------------------------- */

static char *copy_string(const char *text)
{
    size_t length = strlen(text);
    char *copy = floe_malloc(length + 1);
    if (copy != NULL) memcpy(copy, text, length + 1);
    return copy;
}

static int grow_u32(uint32_t **array, size_t *capacity, size_t needed, floe_error *err)
{
    if (needed <= *capacity) return FLOE_OK;
    size_t grown = *capacity < 1024 ? 1024 : *capacity;
    while (grown < needed) grown *= 2;
    uint32_t *bigger = floe_realloc(*array, grown * sizeof *bigger);
    FLOE_RETURN_IF(bigger == NULL, FLOE_ENOMEM, err, "out of memory for %zu page entries", grown);
    *array = bigger;
    *capacity = grown;
    return FLOE_OK;
}

/* Fewest bytes holding any unscaled DECIMAL(precision) value in two's complement. */
static int32_t decimal_bytes(unsigned precision)
{
    floe_uint128 limit = 1;
    for (unsigned i = 0; i < precision; i++) limit *= 10;
    limit -= 1; /* 10^p - 1 must fit in 8n - 1 bits */
    int32_t bytes = 1;
    while (bytes < 16 && (limit >> (8 * bytes - 1)) != 0) bytes++;
    return bytes;
}

/* Fewest bytes of a two's-complement value (Iceberg's decimal bound serialization). */
static size_t minimal_twos_complement(floe_int128 value, uint8_t *out)
{
    size_t bytes = 16;
    while (bytes > 1) {
        floe_int128 shifted = value >> (8 * (bytes - 1) - 1);
        if (shifted != 0 && shifted != -1) break;
        bytes--;
    }
    for (size_t i = 0; i < bytes; i++) out[bytes - 1 - i] = (uint8_t)((floe_uint128)value >> (8 * i));
    return bytes;
}

/* ---- output -------------------------------------------------------------------------------- */

static int write_all(floe_pq_writer *writer, const uint8_t *bytes, size_t size, floe_error *err)
{
    while (size > 0) {
        ssize_t written = write(writer->fd, bytes, size);
        if (written < 0) {
            if (errno == EINTR) continue;
            int code = -errno;
            return floe_error_set(err, code, "%s: write failed at offset %llu: %s", writer->path,
                                  (unsigned long long)(writer->file_offset - writer->output_used),
                                  floe_status_name(code));
        }
        bytes += written;
        size -= (size_t)written;
    }
    return FLOE_OK;
}

static int flush_output(floe_pq_writer *writer, floe_error *err)
{
    if (writer->output_used == 0) return FLOE_OK;
    int status = write_all(writer, writer->output, writer->output_used, err);
    writer->output_used = 0;
    return status;
}

static int emit(floe_pq_writer *writer, const void *bytes, size_t size, floe_error *err)
{
    if (size > OUTPUT_BUFFER_SIZE - writer->output_used) {
        FLOE_TRY(flush_output(writer, err));
        if (size >= OUTPUT_BUFFER_SIZE) {
            writer->file_offset += size;
            return write_all(writer, bytes, size, err);
        }
    }
    if (size != 0) memcpy(writer->output + writer->output_used, bytes, size);
    writer->output_used += size;
    writer->file_offset += size;
    return FLOE_OK;
}

/* ---- schema -------------------------------------------------------------------------------- */

static int setup_column(column_state *column, const floe_pq_write_column *spec,
                        const floe_pq_write_options *options, floe_error *err)
{
    FLOE_RETURN_IF(spec->name == NULL || spec->name[0] == '\0', FLOE_EINVAL, err,
                   "a column has no name");
    FLOE_RETURN_IF(!floe_type_is_valid(spec->type), FLOE_EINVAL, err,
                   "column '%s': invalid type", spec->name);
    column->name = copy_string(spec->name);
    FLOE_RETURN_IF(column->name == NULL, FLOE_ENOMEM, err, "out of memory");
    column->type = spec->type;
    column->nullable = spec->nullable;
    column->field_id = spec->field_id;
    column->storage_width = (uint32_t)floe_type_width(spec->type);
    column->dictionary_allowed = !options->disable_dictionary;
    switch (spec->type.id) {
    case FLOE_TYPE_BOOLEAN:
        column->physical = FLOE_PQ_BOOLEAN, column->width = 1, column->kind = STAT_BOOLEAN;
        column->dictionary_allowed = false;
        break;
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_DATE:
        column->physical = FLOE_PQ_INT32, column->width = 4, column->kind = STAT_INT32;
        break;
    case FLOE_TYPE_INT64:
    case FLOE_TYPE_TIMESTAMP:
    case FLOE_TYPE_TIMESTAMPTZ:
        column->physical = FLOE_PQ_INT64, column->width = 8, column->kind = STAT_INT64;
        break;
    case FLOE_TYPE_FLOAT32:
        column->physical = FLOE_PQ_FLOAT, column->width = 4, column->kind = STAT_FLOAT;
        break;
    case FLOE_TYPE_FLOAT64:
        column->physical = FLOE_PQ_DOUBLE, column->width = 8, column->kind = STAT_DOUBLE;
        break;
    case FLOE_TYPE_DECIMAL:
        if (spec->type.precision <= 9) {
            column->physical = FLOE_PQ_INT32, column->width = 4, column->kind = STAT_INT64;
        } else if (spec->type.precision <= 18) {
            column->physical = FLOE_PQ_INT64, column->width = 8, column->kind = STAT_INT64;
        } else {
            column->physical = FLOE_PQ_FIXED_LEN_BYTE_ARRAY;
            column->type_length = decimal_bytes(spec->type.precision);
            column->width = (uint32_t)column->type_length;
            column->kind = STAT_INT128;
        }
        break;
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY:
        column->physical = FLOE_PQ_BYTE_ARRAY, column->width = 0, column->kind = STAT_BYTES;
        break;
    default: return floe_error_set(err, FLOE_EINVAL, "column '%s': invalid type", spec->name);
    }
    column->value_encoding = FLOE_PQ_PLAIN;
    column->codec = options->codec;
    if (options->delta_encoding && spec->type.id != FLOE_TYPE_BOOLEAN) {
        if (column->physical == FLOE_PQ_INT32 || column->physical == FLOE_PQ_INT64) {
            column->value_encoding = FLOE_PQ_DELTA_BINARY_PACKED;
        } else if (column->physical == FLOE_PQ_FIXED_LEN_BYTE_ARRAY) {
            column->value_encoding = FLOE_PQ_DELTA_BYTE_ARRAY;
        }
        if (column->value_encoding != FLOE_PQ_PLAIN) {
            column->dictionary_allowed = false;
            column->codec = FLOE_PQ_CODEC_UNCOMPRESSED;
        }
    }
    /* parquet-mr, whose v2 writer uses DELTA_BYTE_ARRAY for FIXED_LEN_BYTE_ARRAY, puts it in
     * v2 data pages, and some readers (hyparquet, under icebird) read it only there. */
    column->data_page_type = column->value_encoding == FLOE_PQ_DELTA_BYTE_ARRAY
                                 ? FLOE_PQ_DATA_PAGE_V2
                                 : FLOE_PQ_DATA_PAGE;
    floe_pq_dictionary_init(&column->dictionary, column->width);
    column->use_dictionary = column->dictionary_allowed;
    return FLOE_OK;
}

void floe_pq_write_options_default(floe_pq_write_options *options)
{
    memset(options, 0, sizeof *options);
    options->codec = FLOE_PQ_CODEC_ZSTD;
    options->compression_level = DEFAULT_ZSTD_LEVEL;
    options->row_group_bytes = (uint64_t)128 << 20;
    options->page_bytes = DEFAULT_PAGE_BYTES;
    options->dictionary_max_bytes = DEFAULT_DICTIONARY_BYTES;
    options->dictionary_max_entries = DEFAULT_DICTIONARY_ENTRIES;
    options->statistics_max_bytes = DEFAULT_STATISTICS_BYTES;
    options->iceberg_bound_length = DEFAULT_ICEBERG_BOUND_LENGTH;
}

static int check_options(floe_pq_write_options *options, floe_error *err)
{
    if (options->codec == FLOE_PQ_CODEC_ZSTD && options->compression_level == 0) {
        options->compression_level = DEFAULT_ZSTD_LEVEL;
    }
    if (options->row_group_bytes == 0) options->row_group_bytes = (uint64_t)128 << 20;
    if (options->page_bytes == 0) options->page_bytes = DEFAULT_PAGE_BYTES;
    if (options->dictionary_max_bytes == 0) options->dictionary_max_bytes = DEFAULT_DICTIONARY_BYTES;
    if (options->dictionary_max_entries == 0) {
        options->dictionary_max_entries = DEFAULT_DICTIONARY_ENTRIES;
    }
    if (options->statistics_max_bytes == 0) options->statistics_max_bytes = DEFAULT_STATISTICS_BYTES;
    if (options->iceberg_bound_length == 0) options->iceberg_bound_length = DEFAULT_ICEBERG_BOUND_LENGTH;
    if (options->iceberg_bound_length > 16) options->iceberg_bound_length = 16; /* fits results */
    FLOE_RETURN_IF(options->page_bytes > (1u << 30), FLOE_EINVAL, err,
                   "page size %u over 1 GiB", options->page_bytes);
    FLOE_RETURN_IF(options->dictionary_max_bytes > (1u << 30), FLOE_EINVAL, err,
                   "dictionary limit %u over 1 GiB", options->dictionary_max_bytes);
    if (floe_pq_compress_bound(options->codec, 16) == 0) {
        return floe_error_set(err, FLOE_EUNSUPPORTED, "codec %s cannot be written",
                              floe_pq_codec_name(options->codec));
    }
    return FLOE_OK;
}

static void column_fini(column_state *column)
{
    floe_free(column->name);
    floe_free(column->levels);
    floe_free(column->indices);
    floe_pq_buffer_fini(&column->values);
    floe_pq_dictionary_fini(&column->dictionary);
    floe_pq_buffer_fini(&column->chunk);
    floe_pq_buffer_fini(&column->chunk_stats.min_bytes);
    floe_pq_buffer_fini(&column->chunk_stats.max_bytes);
    floe_pq_buffer_fini(&column->file_stats.min_bytes);
    floe_pq_buffer_fini(&column->file_stats.max_bytes);
}

void floe_pq_writer_free(floe_pq_writer *writer)
{
    if (writer == NULL) return;
    if (writer->owns_fd && writer->fd >= 0) close(writer->fd);
    for (uint32_t i = 0; i < writer->column_count; i++) column_fini(&writer->columns[i]);
    floe_free(writer->columns);
    for (uint32_t i = 0; i < writer->key_value_count; i++) {
        floe_free((char *)(uintptr_t)writer->key_values[i].key);
        floe_free((char *)(uintptr_t)writer->key_values[i].value);
    }
    floe_free(writer->key_values);
    floe_free(writer->iceberg_schema_json);
    floe_pq_codec_context_free(writer->codec);
    floe_pq_buffer_fini(&writer->page);
    floe_pq_buffer_fini(&writer->compressed);
    floe_pq_buffer_fini(&writer->scratch);
    floe_thrift_writer_fini(&writer->header);
    floe_thrift_writer_fini(&writer->row_group_meta);
    floe_free(writer->output);
    floe_free(writer->results);
    floe_free(writer->path);
    floe_free(writer);
}

static int writer_setup(floe_pq_writer *writer, const floe_pq_write_schema *schema,
                        const floe_pq_write_options *options, floe_error *err)
{
    if (options != NULL) {
        writer->options = *options;
    } else {
        floe_pq_write_options_default(&writer->options);
    }
    FLOE_TRY(check_options(&writer->options, err));
    FLOE_RETURN_IF(schema == NULL || schema->column_count == 0 || schema->columns == NULL,
                   FLOE_EINVAL, err, "the schema has no columns");
    writer->columns = floe_calloc(schema->column_count, sizeof *writer->columns);
    FLOE_RETURN_IF(writer->columns == NULL, FLOE_ENOMEM, err, "out of memory");
    for (uint32_t i = 0; i < schema->column_count; i++) {
        writer->column_count = i + 1;
        FLOE_TRY(setup_column(&writer->columns[i], &schema->columns[i], &writer->options, err));
        for (uint32_t j = 0; j < i; j++) {
            FLOE_RETURN_IF(strcmp(writer->columns[j].name, writer->columns[i].name) == 0,
                           FLOE_EINVAL, err, "duplicate column name '%s'", writer->columns[i].name);
        }
    }
    if (schema->iceberg_schema_json != NULL) {
        writer->iceberg_schema_json = copy_string(schema->iceberg_schema_json);
        FLOE_RETURN_IF(writer->iceberg_schema_json == NULL, FLOE_ENOMEM, err, "out of memory");
    }
    if (schema->key_value_count > 0) {
        FLOE_RETURN_IF(schema->key_values == NULL, FLOE_EINVAL, err, "key_values is NULL");
        writer->key_values = floe_calloc(schema->key_value_count, sizeof *writer->key_values);
        FLOE_RETURN_IF(writer->key_values == NULL, FLOE_ENOMEM, err, "out of memory");
        for (uint32_t i = 0; i < schema->key_value_count; i++) {
            writer->key_value_count = i + 1;
            FLOE_RETURN_IF(schema->key_values[i].key == NULL, FLOE_EINVAL, err,
                           "key-value pair %u has no key", i);
            writer->key_values[i].key = copy_string(schema->key_values[i].key);
            FLOE_RETURN_IF(writer->key_values[i].key == NULL, FLOE_ENOMEM, err, "out of memory");
            if (schema->key_values[i].value != NULL) {
                writer->key_values[i].value = copy_string(schema->key_values[i].value);
                FLOE_RETURN_IF(writer->key_values[i].value == NULL, FLOE_ENOMEM, err,
                               "out of memory");
            }
        }
    }
    writer->codec = floe_pq_codec_context_create();
    FLOE_RETURN_IF(writer->codec == NULL, FLOE_ENOMEM, err, "out of memory for codec state");
    writer->output = floe_malloc(OUTPUT_BUFFER_SIZE);
    FLOE_RETURN_IF(writer->output == NULL, FLOE_ENOMEM, err, "out of memory for the write buffer");
    floe_thrift_writer_init(&writer->header);
    floe_thrift_writer_init(&writer->row_group_meta);
    return emit(writer, "PAR1", 4, err);
}

static int create_common(floe_pq_writer **out, int fd, bool owns_fd, const char *name,
                         const floe_pq_write_schema *schema, const floe_pq_write_options *options,
                         floe_error *err)
{
    floe_pq_writer *writer = floe_calloc(1, sizeof *writer);
    if (writer == NULL) {
        if (owns_fd) close(fd);
        return floe_error_set(err, FLOE_ENOMEM, "%s: out of memory", name);
    }
    writer->fd = fd;
    writer->owns_fd = owns_fd;
    writer->path = copy_string(name);
    int status = writer->path == NULL ? floe_error_set(err, FLOE_ENOMEM, "out of memory")
                                      : writer_setup(writer, schema, options, err);
    if (status < 0) {
        floe_error_prefix(err, "%s", name);
        floe_pq_writer_free(writer);
        return status;
    }
    *out = writer;
    return FLOE_OK;
}

int floe_pq_writer_create(floe_pq_writer **out, const char *path,
                          const floe_pq_write_schema *schema,
                          const floe_pq_write_options *options, floe_error *err)
{
    *out = NULL;
    FLOE_RETURN_IF(path == NULL, FLOE_EINVAL, err, "parquet writer: no path");
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) {
        int code = -errno;
        return floe_error_set(err, code, "%s: cannot create: %s", path, floe_status_name(code));
    }
    return create_common(out, fd, true, path, schema, options, err);
}

int floe_pq_writer_create_fd(floe_pq_writer **out, int fd, const char *name,
                             const floe_pq_write_schema *schema,
                             const floe_pq_write_options *options, floe_error *err)
{
    *out = NULL;
    char fallback[32];
    if (name == NULL) {
        snprintf(fallback, sizeof fallback, "<fd %d>", fd);
        name = fallback;
    }
    FLOE_RETURN_IF(fd < 0, FLOE_EINVAL, err, "%s: bad file descriptor", name);
    return create_common(out, fd, false, name, schema, options, err);
}

/* ---- statistics ---------------------------------------------------------------------------- */

static int compare_values(stat_kind kind, const stat_value *left, const stat_value *right)
{
    switch (kind) {
    case STAT_BOOLEAN: return (left->boolean > right->boolean) - (left->boolean < right->boolean);
    case STAT_INT32: return (left->i32 > right->i32) - (left->i32 < right->i32);
    case STAT_INT64: return (left->i64 > right->i64) - (left->i64 < right->i64);
    case STAT_INT128: return (left->i128 > right->i128) - (left->i128 < right->i128);
    case STAT_FLOAT: return (left->f32 > right->f32) - (left->f32 < right->f32);
    case STAT_DOUBLE: return (left->f64 > right->f64) - (left->f64 < right->f64);
    default: return 0;
    }
}

static int compare_bytes(const uint8_t *left, size_t left_size, const uint8_t *right,
                         size_t right_size)
{
    size_t common = left_size < right_size ? left_size : right_size;
    int order = common == 0 ? 0 : memcmp(left, right, common);
    if (order != 0) return order;
    return (left_size > right_size) - (left_size < right_size);
}

static void update_fixed(stat_range *range, stat_kind kind, const stat_value *value)
{
    if (!range->has) {
        range->min = range->max = *value;
        range->has = true;
        return;
    }
    if (compare_values(kind, value, &range->min) < 0) range->min = *value;
    if (compare_values(kind, value, &range->max) > 0) range->max = *value;
}

static int set_bytes(floe_pq_buffer *buffer, const uint8_t *bytes, size_t size, floe_error *err)
{
    buffer->size = 0;
    return floe_pq_buffer_append(buffer, bytes, size, err);
}

static int update_bytes(stat_range *range, const uint8_t *bytes, size_t size, floe_error *err)
{
    if (!range->has) {
        FLOE_TRY(set_bytes(&range->min_bytes, bytes, size, err));
        FLOE_TRY(set_bytes(&range->max_bytes, bytes, size, err));
        range->has = true;
        return FLOE_OK;
    }
    if (compare_bytes(bytes, size, range->min_bytes.data, range->min_bytes.size) < 0) {
        FLOE_TRY(set_bytes(&range->min_bytes, bytes, size, err));
    }
    if (compare_bytes(bytes, size, range->max_bytes.data, range->max_bytes.size) > 0) {
        FLOE_TRY(set_bytes(&range->max_bytes, bytes, size, err));
    }
    return FLOE_OK;
}

static int merge_range(stat_range *into, const stat_range *from, stat_kind kind, floe_error *err)
{
    if (!from->has) return FLOE_OK;
    if (kind == STAT_BYTES) {
        FLOE_TRY(update_bytes(into, from->min_bytes.data, from->min_bytes.size, err));
        return update_bytes(into, from->max_bytes.data, from->max_bytes.size, err);
    }
    update_fixed(into, kind, &from->min);
    update_fixed(into, kind, &from->max);
    return FLOE_OK;
}

/* The ±0.0 rule: a min of +0.0 becomes -0.0, a max of -0.0 becomes +0.0. */
static void adjust_zeros(const column_state *column, stat_value *min, stat_value *max)
{
    if (column->kind == STAT_FLOAT) {
        if (min->f32 == 0.0f) min->f32 = -0.0f;
        if (max->f32 == 0.0f) max->f32 = 0.0f;
    } else if (column->kind == STAT_DOUBLE) {
        if (min->f64 == 0.0) min->f64 = -0.0;
        if (max->f64 == 0.0) max->f64 = 0.0;
    }
}

/* PLAIN bytes of a fixed-width value as Parquet stores it; returns the size. */
static size_t plain_fixed(const column_state *column, const stat_value *value, uint8_t *out)
{
    switch (column->kind) {
    case STAT_BOOLEAN: out[0] = value->boolean; return 1;
    case STAT_INT32: memcpy(out, &value->i32, 4); return 4;
    case STAT_INT64:
        if (column->physical == FLOE_PQ_INT32) {
            int32_t narrow = (int32_t)value->i64;
            memcpy(out, &narrow, 4);
            return 4;
        }
        memcpy(out, &value->i64, 8);
        return 8;
    case STAT_INT128: {
        /* Big-endian, the low type_length bytes: two byte swaps of the (little-endian) host's
         * halves instead of a 128-bit shift per byte, which was a twentieth of a refresh that
         * writes a million DECIMAL sums. */
        uint64_t halves[2] = {__builtin_bswap64((uint64_t)((floe_uint128)value->i128 >> 64)),
                              __builtin_bswap64((uint64_t)value->i128)};
        memcpy(out, (const uint8_t *)halves + 16 - column->type_length,
               (size_t)column->type_length);
        return (size_t)column->type_length;
    }
    case STAT_FLOAT: memcpy(out, &value->f32, 4); return 4;
    case STAT_DOUBLE: memcpy(out, &value->f64, 8); return 8;
    default: return 0;
    }
}

/* ---- pages --------------------------------------------------------------------------------- */

/* What a v2 data page header adds: its rows, NULLs and the bytes of definition levels at the
 * start of writer->page (v2 pages never compress their levels; Floe writes them only for
 * columns without a codec, so is_compressed is false). */
typedef struct page_v2_counts {
    int32_t null_count;
    int32_t levels_size;
} page_v2_counts;

/* Compresses writer->page and appends header + body to the column's chunk buffer (or to `out`
 * for a dictionary page). `v2` is NULL but for DATA_PAGE_V2. */
static int finish_page(floe_pq_writer *writer, column_state *column, floe_pq_buffer *out,
                       int32_t page_type, int32_t value_count, int32_t encoding,
                       const page_v2_counts *v2, floe_error *err)
{
    size_t raw = writer->page.size;
    FLOE_RETURN_IF(raw > INT32_MAX, FLOE_ERANGE, err, "page of %zu bytes too large", raw);
    size_t bound = floe_pq_compress_bound(column->codec, raw);
    FLOE_RETURN_IF(bound == 0 && raw != 0, FLOE_ERANGE, err, "page of %zu bytes too large", raw);
    writer->compressed.size = 0;
    FLOE_TRY(floe_pq_buffer_reserve(&writer->compressed, bound + 1, err));
    size_t compressed_size = 0;
    FLOE_TRY(floe_pq_compress(writer->codec, column->codec,
                              writer->options.compression_level, writer->compressed.data,
                              writer->compressed.capacity, writer->page.data, raw,
                              &compressed_size, err));
    FLOE_RETURN_IF(compressed_size > INT32_MAX, FLOE_ERANGE, err, "page too large");

    floe_thrift_writer *header = &writer->header;
    floe_thrift_writer_reset(header);
    floe_thrift_write_struct_begin(header);
    floe_thrift_write_i32_field(header, FLOE_PQ_PH_TYPE, page_type);
    floe_thrift_write_i32_field(header, FLOE_PQ_PH_UNCOMPRESSED_PAGE_SIZE, (int32_t)raw);
    floe_thrift_write_i32_field(header, FLOE_PQ_PH_COMPRESSED_PAGE_SIZE, (int32_t)compressed_size);
    if (page_type == FLOE_PQ_DATA_PAGE) {
        floe_thrift_write_field_header(header, FLOE_THRIFT_STRUCT, FLOE_PQ_PH_DATA_PAGE_HEADER);
        floe_thrift_write_struct_begin(header);
        floe_thrift_write_i32_field(header, FLOE_PQ_DPH_NUM_VALUES, value_count);
        floe_thrift_write_i32_field(header, FLOE_PQ_DPH_ENCODING, encoding);
        floe_thrift_write_i32_field(header, FLOE_PQ_DPH_DEFINITION_LEVEL_ENCODING, FLOE_PQ_RLE);
        floe_thrift_write_i32_field(header, FLOE_PQ_DPH_REPETITION_LEVEL_ENCODING, FLOE_PQ_RLE);
        floe_thrift_write_struct_end(header);
    } else if (page_type == FLOE_PQ_DATA_PAGE_V2) {
        FLOE_RETURN_IF(column->codec != FLOE_PQ_CODEC_UNCOMPRESSED, FLOE_EINVAL, err,
                       "column '%s': v2 pages are written without a codec", column->name);
        floe_thrift_write_field_header(header, FLOE_THRIFT_STRUCT,
                                       FLOE_PQ_PH_DATA_PAGE_HEADER_V2);
        floe_thrift_write_struct_begin(header);
        floe_thrift_write_i32_field(header, FLOE_PQ_DPH2_NUM_VALUES, value_count);
        floe_thrift_write_i32_field(header, FLOE_PQ_DPH2_NUM_NULLS, v2->null_count);
        floe_thrift_write_i32_field(header, FLOE_PQ_DPH2_NUM_ROWS, value_count);
        floe_thrift_write_i32_field(header, FLOE_PQ_DPH2_ENCODING, encoding);
        floe_thrift_write_i32_field(header, FLOE_PQ_DPH2_DEFINITION_LEVELS_BYTE_LENGTH,
                                    v2->levels_size);
        floe_thrift_write_i32_field(header, FLOE_PQ_DPH2_REPETITION_LEVELS_BYTE_LENGTH, 0);
        floe_thrift_write_bool_field(header, FLOE_PQ_DPH2_IS_COMPRESSED, false);
        floe_thrift_write_struct_end(header);
    } else {
        floe_thrift_write_field_header(header, FLOE_THRIFT_STRUCT,
                                       FLOE_PQ_PH_DICTIONARY_PAGE_HEADER);
        floe_thrift_write_struct_begin(header);
        floe_thrift_write_i32_field(header, FLOE_PQ_DIC_NUM_VALUES, value_count);
        floe_thrift_write_i32_field(header, FLOE_PQ_DIC_ENCODING, encoding);
        floe_thrift_write_struct_end(header);
    }
    floe_thrift_write_struct_end(header);
    FLOE_TRY(floe_thrift_writer_status(header, err));

    FLOE_TRY(floe_pq_buffer_reserve(out, header->size + compressed_size, err));
    FLOE_TRY(floe_pq_buffer_append(out, header->data, header->size, err));
    FLOE_TRY(floe_pq_buffer_append(out, writer->compressed.data, compressed_size, err));
    column->chunk_uncompressed += header->size + raw;
    return FLOE_OK;
}

/* PLAIN bytes of the open page's dictionary-indexed values (re-encoding when the dictionary does
 * not pay). */
static int indices_to_plain(column_state *column, floe_pq_buffer *out, floe_error *err)
{
    for (size_t i = 0; i < column->index_count; i++) {
        size_t size;
        const uint8_t *entry = floe_pq_dictionary_entry(&column->dictionary, column->indices[i],
                                                        &size);
        FLOE_TRY(floe_pq_buffer_append(out, entry, size, err));
    }
    return FLOE_OK;
}

static int flush_page(floe_pq_writer *writer, column_state *column, floe_error *err)
{
    if (column->page_rows == 0) return FLOE_OK;
    FLOE_RETURN_IF(column->page_rows > INT32_MAX, FLOE_ERANGE, err, "page of %zu rows",
                   column->page_rows);
    floe_pq_buffer *page = &writer->page;
    page->size = 0;
    bool v2 = column->data_page_type == FLOE_PQ_DATA_PAGE_V2;
    page_v2_counts counts = {0, 0};
    if (column->nullable && v2) {
        /* v2: the levels without a length prefix; the header gives their size */
        FLOE_TRY(floe_pq_rle_encode(page, column->levels, column->level_count, 1, err));
        FLOE_RETURN_IF(page->size > INT32_MAX, FLOE_ERANGE, err, "levels too large");
        counts.levels_size = (int32_t)page->size;
        for (size_t i = 0; i < column->level_count; i++)
            counts.null_count += column->levels[i] == 0;
    } else if (column->nullable) {
        FLOE_TRY(floe_pq_buffer_reserve(page, 4, err));
        page->size = 4;
        FLOE_TRY(floe_pq_rle_encode(page, column->levels, column->level_count, 1, err));
        uint32_t length = (uint32_t)(page->size - 4);
        memcpy(page->data, &length, 4);
    }
    int32_t encoding = FLOE_PQ_PLAIN;
    if (column->use_dictionary) {
        uint32_t entries = column->dictionary.count;
        unsigned bit_width = floe_pq_bit_width(entries > 0 ? entries - 1 : 0);
        if (bit_width == 0) bit_width = 1;
        bool first_page = column->dictionary_data_pages == 0 && column->plain_data_pages == 0;
        size_t dictionary_cost = column->dictionary.plain.size +
                                 (column->index_count * bit_width + 7) / 8;
        if (first_page && column->index_count > 0 && dictionary_cost >= column->page_plain_bytes) {
            /* Every value distinct, or nearly: PLAIN is smaller; drop the dictionary. */
            FLOE_TRY(indices_to_plain(column, page, err));
            floe_pq_dictionary_clear(&column->dictionary);
            column->use_dictionary = false;
        } else {
            FLOE_TRY(floe_pq_buffer_append(page, &(uint8_t){(uint8_t)bit_width}, 1, err));
            FLOE_TRY(floe_pq_rle_encode(page, column->indices, column->index_count, bit_width,
                                        err));
            encoding = FLOE_PQ_RLE_DICTIONARY;
        }
    } else if (column->physical == FLOE_PQ_BOOLEAN) {
        FLOE_TRY(floe_pq_plain_encode_booleans(page, column->values.data, column->values.size,
                                               err));
    } else if (column->value_encoding == FLOE_PQ_DELTA_BINARY_PACKED) {
        FLOE_TRY(floe_pq_delta_encode(page, column->values.data,
                                      column->values.size / column->width, column->width == 8,
                                      err));
        encoding = FLOE_PQ_DELTA_BINARY_PACKED;
    } else if (column->value_encoding == FLOE_PQ_DELTA_BYTE_ARRAY) {
        FLOE_TRY(floe_pq_delta_byte_array_encode_fixed(page, column->values.data,
                                                       column->values.size / column->width,
                                                       column->width, &writer->scratch, err));
        encoding = FLOE_PQ_DELTA_BYTE_ARRAY;
    } else {
        FLOE_TRY(floe_pq_buffer_append(page, column->values.data, column->values.size, err));
    }
    FLOE_TRY(finish_page(writer, column, &column->chunk, column->data_page_type,
                         (int32_t)column->page_rows, encoding, v2 ? &counts : NULL, err));
    if (encoding == FLOE_PQ_RLE_DICTIONARY) {
        column->dictionary_data_pages++;
    } else {
        column->plain_data_pages++;
    }
    column->page_rows = 0;
    column->level_count = 0;
    column->index_count = 0;
    column->values.size = 0;
    column->page_plain_bytes = 0;
    return FLOE_OK;
}

static size_t open_page_bytes(const column_state *column)
{
    size_t bytes = column->level_count / 8;
    if (column->use_dictionary) {
        unsigned bit_width = floe_pq_bit_width(column->dictionary.count);
        bytes += (column->index_count * (bit_width == 0 ? 1 : bit_width)) / 8;
    } else {
        bytes += column->physical == FLOE_PQ_BOOLEAN ? column->values.size / 8
                                                     : column->values.size;
    }
    return bytes;
}

/* Adds one non-NULL value: `plain` is its PLAIN form without the length prefix for BYTE_ARRAY
 * (`size` bytes; fixed types: column->width bytes). */
static int add_value(floe_pq_writer *writer, column_state *column, const uint8_t *plain,
                     uint32_t size, floe_error *err)
{
    size_t plain_size = column->width != 0 ? column->width : 4 + (size_t)size;
    if (column->use_dictionary) {
        uint32_t index = 0;
        bool full = false;
        FLOE_TRY(floe_pq_dictionary_insert(&column->dictionary, plain, size,
                                           writer->options.dictionary_max_entries,
                                           writer->options.dictionary_max_bytes, &index, &full,
                                           err));
        if (!full) {
            FLOE_TRY(grow_u32(&column->indices, &column->index_capacity, column->index_count + 1,
                              err));
            column->indices[column->index_count++] = index;
            column->page_plain_bytes += plain_size;
            return FLOE_OK;
        }
        /* The dictionary is full: close its last page and continue PLAIN (this page's rows
         * so far belong to the dictionary page; the current row starts a fresh page). */
        uint32_t pending_level = 0;
        if (column->nullable) pending_level = column->levels[--column->level_count];
        column->page_rows--;
        FLOE_TRY(flush_page(writer, column, err));
        column->use_dictionary = false;
        if (column->nullable) column->levels[column->level_count++] = pending_level;
        column->page_rows++;
    }
    if (column->width == 0) {
        uint32_t little = size;
        FLOE_TRY(floe_pq_buffer_reserve(&column->values, 4 + (size_t)size, err));
        FLOE_TRY(floe_pq_buffer_append(&column->values, &little, 4, err));
    }
    FLOE_TRY(floe_pq_buffer_append(&column->values, plain, column->width != 0 ? column->width : size,
                                   err));
    column->page_plain_bytes += plain_size;
    return FLOE_OK;
}

/* The rows of the next run of a page-at-a-time append: what fits before the open page reaches
 * page_bytes (at least one row). */
static uint32_t page_run_rows(const floe_pq_writer *writer, const column_state *column,
                              uint32_t count)
{
    size_t width = column->width, page_limit = writer->options.page_bytes;
    size_t open = open_page_bytes(column);
    size_t room = open < page_limit ? (page_limit - open + width - 1) / width : 1;
    return count < room ? count : (uint32_t)room;
}

/* Books a run of `rows` rows (`nulls` of them NULL, the others between *low and *high when
 * `any`) into the chunk, then closes the page if it is full. */
static int finish_page_run(floe_pq_writer *writer, column_state *column, bool any,
                           const stat_value *low, const stat_value *high, uint32_t rows,
                           uint32_t nulls, floe_error *err)
{
    if (any) {
        update_fixed(&column->chunk_stats, column->kind, low);
        update_fixed(&column->chunk_stats, column->kind, high);
    }
    column->page_plain_bytes += (size_t)(rows - nulls) * column->width;
    column->page_rows += rows;
    column->chunk_values += rows;
    column->chunk_nulls += nulls;
    if (open_page_bytes(column) >= writer->options.page_bytes)
        FLOE_TRY(flush_page(writer, column, err));
    return FLOE_OK;
}

/* Whether rows first.. of `vector` can take append_plain_run: 32- and 64-bit integers (and
 * dates, timestamps) written PLAIN, from a flat vector without selection, whose PLAIN form is
 * the vector's own little-endian bytes. */
static bool plain_run_applies(const column_state *column, const floe_vector *vector,
                              const floe_batch *batch)
{
    return !column->use_dictionary && batch->selection == NULL &&
           vector->encoding == FLOE_VECTOR_FLAT &&
           (column->kind == STAT_INT32 || column->kind == STAT_INT64) &&
           column->width == column->storage_width;
}

/* append_rows for what plain_run_applies to, a page's worth of rows at a time: levels, values
 * and statistics of the run in a few loops and one copy of the values when none is NULL, instead
 * of each value through add_value. Writes the same pages as the per-row loop. */
static int append_plain_run(floe_pq_writer *writer, column_state *column,
                            const floe_vector *vector, uint32_t first, uint32_t count,
                            floe_error *err)
{
    size_t width = column->width;
    const uint8_t *data = vector->data;
    while (count > 0) {
        uint32_t run = page_run_rows(writer, column, count);
        uint32_t nulls = 0;
        if (column->nullable) {
            FLOE_TRY(grow_u32(&column->levels, &column->level_capacity,
                              column->level_count + run, err));
            for (uint32_t i = 0; i < run; i++) {
                bool is_null = floe_vector_is_null(vector, first + i);
                column->levels[column->level_count++] = is_null ? 0 : 1;
                nulls += is_null;
            }
        } else if (vector->validity != NULL) {
            for (uint32_t i = 0; i < run; i++)
                FLOE_RETURN_IF(floe_vector_is_null(vector, first + i), FLOE_EINVAL, err,
                               "column '%s': NULL in a required column", column->name);
        }
        FLOE_TRY(floe_pq_buffer_reserve(&column->values, (size_t)(run - nulls) * width, err));
        stat_value low, high;
        memset(&low, 0, sizeof low);
        memset(&high, 0, sizeof high);
        bool any = false;
        if (column->kind == STAT_INT64) {
            int64_t min = INT64_MAX, max = INT64_MIN;
            for (uint32_t i = 0; i < run; i++) {
                if (nulls != 0 && floe_vector_is_null(vector, first + i)) continue;
                int64_t value;
                memcpy(&value, data + (size_t)(first + i) * 8, 8);
                min = value < min ? value : min;
                max = value > max ? value : max;
                any = true;
            }
            low.i64 = min, high.i64 = max;
        } else {
            int32_t min = INT32_MAX, max = INT32_MIN;
            for (uint32_t i = 0; i < run; i++) {
                if (nulls != 0 && floe_vector_is_null(vector, first + i)) continue;
                int32_t value;
                memcpy(&value, data + (size_t)(first + i) * 4, 4);
                min = value < min ? value : min;
                max = value > max ? value : max;
                any = true;
            }
            low.i32 = min, high.i32 = max;
        }
        if (nulls == 0) {
            FLOE_TRY(floe_pq_buffer_append(&column->values, data + (size_t)first * width,
                                           (size_t)run * width, err));
        } else {
            for (uint32_t i = 0; i < run; i++)
                if (!floe_vector_is_null(vector, first + i))
                    FLOE_TRY(floe_pq_buffer_append(&column->values,
                                                   data + (size_t)(first + i) * width, width,
                                                   err));
        }
        FLOE_TRY(finish_page_run(writer, column, any, &low, &high, run, nulls, err));
        first += run;
        count -= run;
    }
    return FLOE_OK;
}

/* append_rows for wide DECIMALs (FIXED_LEN_BYTE_ARRAY) written PLAIN from a flat vector without
 * selection, a page's worth of rows at a time: the per-row loop handed each value to add_value
 * and the statistics one at a time, which was most of the writer's time on a file of a million
 * DECIMAL sums. Writes the same pages as that loop. */
static int append_decimal_run(floe_pq_writer *writer, column_state *column,
                              const floe_vector *vector, uint32_t first, uint32_t count,
                              floe_error *err)
{
    const floe_int128 *values = vector->data;
    while (count > 0) {
        uint32_t run = page_run_rows(writer, column, count);
        bool check_nulls = vector->validity != NULL;
        if (column->nullable)
            FLOE_TRY(grow_u32(&column->levels, &column->level_capacity,
                              column->level_count + run, err));
        FLOE_TRY(floe_pq_buffer_reserve(&column->values, (size_t)run * column->width, err));
        uint8_t *out = column->values.data + column->values.size;
        floe_int128 min = 0, max = 0;
        uint32_t nulls = 0;
        bool any = false;
        for (uint32_t i = 0; i < run; i++) {
            bool is_null = check_nulls && floe_vector_is_null(vector, first + i);
            if (column->nullable) column->levels[column->level_count++] = is_null ? 0 : 1;
            if (is_null) {
                FLOE_RETURN_IF(!column->nullable, FLOE_EINVAL, err,
                               "column '%s': NULL in a required column", column->name);
                nulls++;
                continue;
            }
            floe_int128 value;
            memcpy(&value, values + first + i, sizeof value);
            if (!any) min = max = value, any = true;
            min = value < min ? value : min;
            max = value > max ? value : max;
            stat_value plain = {.i128 = value};
            out += plain_fixed(column, &plain, out);
        }
        column->values.size = (size_t)(out - column->values.data);
        stat_value low = {.i128 = min}, high = {.i128 = max};
        FLOE_TRY(finish_page_run(writer, column, any, &low, &high, run, nulls, err));
        first += run;
        count -= run;
    }
    return FLOE_OK;
}

/* Rows rows[0..count) of one vector into the column. */
static int append_rows(floe_pq_writer *writer, column_state *column, const floe_vector *vector,
                       const floe_batch *batch, uint32_t first, uint32_t count, floe_error *err)
{
    if (plain_run_applies(column, vector, batch))
        return append_plain_run(writer, column, vector, first, count, err);
    if (!column->use_dictionary && batch->selection == NULL &&
        vector->encoding == FLOE_VECTOR_FLAT && column->kind == STAT_INT128 &&
        column->storage_width == sizeof(floe_int128))
        return append_decimal_run(writer, column, vector, first, count, err);
    const floe_vector *values = vector;
    const uint32_t *codes = NULL;
    if (vector->encoding == FLOE_VECTOR_DICTIONARY) {
        FLOE_RETURN_IF(vector->dictionary == NULL, FLOE_EINVAL, err,
                       "column '%s': dictionary vector without a dictionary", column->name);
        codes = vector->data;
        values = vector->dictionary;
    }
    size_t page_limit = writer->options.page_bytes;
    /* A dictionary vector's code repeated (a position delete file's one path): the dictionary
     * index and the statistics are those of the row before. */
    uint32_t last_code = UINT32_MAX, last_index = 0;
    for (uint32_t i = first; i < first + count; i++) {
        uint32_t row = floe_batch_live_row(batch, i);
        bool is_null = floe_vector_is_null(vector, row);
        if (codes != NULL && !is_null && codes[row] == last_code && column->use_dictionary) {
            FLOE_TRY(grow_u32(&column->indices, &column->index_capacity, column->index_count + 1,
                              err));
            column->indices[column->index_count++] = last_index;
            if (column->nullable) {
                FLOE_TRY(grow_u32(&column->levels, &column->level_capacity,
                                  column->level_count + 1, err));
                column->levels[column->level_count++] = 1;
            }
            column->page_plain_bytes += column->width != 0
                                            ? column->width
                                            : 4 + (size_t)((const floe_string_ref *)
                                                               values->data)[last_code].length;
            column->page_rows++;
            column->chunk_values++;
            if (open_page_bytes(column) >= page_limit) FLOE_TRY(flush_page(writer, column, err));
            continue;
        }
        if (is_null) {
            FLOE_RETURN_IF(!column->nullable, FLOE_EINVAL, err,
                           "column '%s': NULL in a required column", column->name);
        }
        if (column->nullable) {
            FLOE_TRY(grow_u32(&column->levels, &column->level_capacity, column->level_count + 1,
                              err));
            column->levels[column->level_count++] = is_null ? 0 : 1;
        }
        column->page_rows++;
        column->chunk_values++;
        if (is_null) {
            column->chunk_nulls++;
        } else {
            uint32_t at = codes != NULL ? codes[row] : row;
            if (column->kind == STAT_BYTES) {
                floe_string_ref ref = ((const floe_string_ref *)values->data)[at];
                FLOE_RETURN_IF(ref.length > INT32_MAX - 4, FLOE_ERANGE, err,
                               "column '%s': value of %u bytes too large", column->name,
                               ref.length);
                const uint8_t *bytes = values->heap + ref.offset;
                FLOE_TRY(add_value(writer, column, bytes, ref.length, err));
                FLOE_TRY(update_bytes(&column->chunk_stats, bytes, ref.length, err));
                if (codes != NULL && column->use_dictionary) {
                    last_code = at;
                    last_index = column->indices[column->index_count - 1];
                }
            } else {
                const uint8_t *storage = (const uint8_t *)values->data +
                                         (size_t)at * column->storage_width;
                stat_value value;
                memset(&value, 0, sizeof value);
                bool is_nan = false;
                switch (column->kind) {
                case STAT_BOOLEAN: value.boolean = storage[0] != 0; break;
                case STAT_INT32: memcpy(&value.i32, storage, 4); break;
                case STAT_INT64: memcpy(&value.i64, storage, 8); break;
                case STAT_INT128: memcpy(&value.i128, storage, 16); break;
                case STAT_FLOAT:
                    memcpy(&value.f32, storage, 4);
                    is_nan = isnan(value.f32);
                    break;
                case STAT_DOUBLE:
                    memcpy(&value.f64, storage, 8);
                    is_nan = isnan(value.f64);
                    break;
                default: break;
                }
                uint8_t plain[16];
                plain_fixed(column, &value, plain);
                FLOE_TRY(add_value(writer, column, plain, column->width, err));
                if (is_nan) {
                    column->chunk_nans++;
                } else {
                    update_fixed(&column->chunk_stats, column->kind, &value);
                }
            }
        }
        if (open_page_bytes(column) >= page_limit) FLOE_TRY(flush_page(writer, column, err));
    }
    return FLOE_OK;
}

/* ---- row groups ---------------------------------------------------------------------------- */

static uint64_t row_group_bytes(const floe_pq_writer *writer)
{
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < writer->column_count; i++) {
        const column_state *column = &writer->columns[i];
        bytes += column->chunk.size + open_page_bytes(column);
        if (column->use_dictionary || column->dictionary_data_pages > 0) {
            bytes += column->dictionary.plain.size;
        }
    }
    return bytes;
}

/* Statistics struct of a chunk (field ids of parquet.thrift Statistics). */
static void write_statistics(floe_pq_writer *writer, floe_thrift_writer *meta,
                             column_state *column)
{
    floe_thrift_write_field_header(meta, FLOE_THRIFT_STRUCT, FLOE_PQ_CMD_STATISTICS);
    floe_thrift_write_struct_begin(meta);
    floe_thrift_write_i64_field(meta, FLOE_PQ_ST_NULL_COUNT, column->chunk_nulls);
    const stat_range *range = &column->chunk_stats;
    if (range->has && column->kind == STAT_BYTES) {
        size_t limit = writer->options.statistics_max_bytes;
        bool utf8 = column->type.id == FLOE_TYPE_STRING;
        uint8_t upper[1024 + 4];
        if (limit > 1024) limit = 1024;
        long upper_size = floe_pq_truncate_upper(upper, range->max_bytes.data,
                                                 range->max_bytes.size, limit, 0, utf8);
        size_t lower_size = floe_pq_truncate_lower(range->min_bytes.data, range->min_bytes.size,
                                                   limit, 0, utf8);
        if (upper_size >= 0) {
            floe_thrift_write_binary_field(meta, FLOE_PQ_ST_MAX_VALUE, upper, (size_t)upper_size);
        }
        floe_thrift_write_binary_field(meta, FLOE_PQ_ST_MIN_VALUE, range->min_bytes.data,
                                       lower_size);
        if (upper_size >= 0) {
            floe_thrift_write_bool_field(meta, FLOE_PQ_ST_IS_MAX_VALUE_EXACT,
                                         (size_t)upper_size == range->max_bytes.size &&
                                             (upper_size == 0 ||
                                              memcmp(upper, range->max_bytes.data,
                                                     range->max_bytes.size) == 0));
        }
        floe_thrift_write_bool_field(meta, FLOE_PQ_ST_IS_MIN_VALUE_EXACT,
                                     lower_size == range->min_bytes.size);
    } else if (range->has) {
        stat_value min = range->min, max = range->max;
        adjust_zeros(column, &min, &max);
        uint8_t bytes[16];
        size_t size = plain_fixed(column, &max, bytes);
        floe_thrift_write_binary_field(meta, FLOE_PQ_ST_MAX_VALUE, bytes, size);
        size = plain_fixed(column, &min, bytes);
        floe_thrift_write_binary_field(meta, FLOE_PQ_ST_MIN_VALUE, bytes, size);
        floe_thrift_write_bool_field(meta, FLOE_PQ_ST_IS_MAX_VALUE_EXACT, true);
        floe_thrift_write_bool_field(meta, FLOE_PQ_ST_IS_MIN_VALUE_EXACT, true);
    }
    if (column->kind == STAT_FLOAT || column->kind == STAT_DOUBLE) {
        floe_thrift_write_i64_field(meta, FLOE_PQ_ST_NAN_COUNT, column->chunk_nans);
    }
    floe_thrift_write_struct_end(meta);
}

/* Writes one column's chunk to the file and its ColumnChunk struct to `meta`. */
static int write_chunk(floe_pq_writer *writer, column_state *column, floe_thrift_writer *meta,
                       uint64_t *compressed_total, uint64_t *uncompressed_total, floe_error *err)
{
    FLOE_TRY(flush_page(writer, column, err));
    bool has_dictionary = column->dictionary_data_pages > 0;
    uint64_t chunk_start = writer->file_offset;
    uint64_t dictionary_offset = 0;
    if (has_dictionary) {
        floe_pq_buffer *page = &writer->page;
        page->size = 0;
        FLOE_TRY(floe_pq_buffer_append(page, column->dictionary.plain.data,
                                       column->dictionary.plain.size, err));
        floe_pq_buffer dictionary_page = {NULL, 0, 0};
        int status = finish_page(writer, column, &dictionary_page, FLOE_PQ_DICTIONARY_PAGE,
                                 (int32_t)column->dictionary.count, FLOE_PQ_PLAIN, NULL, err);
        if (status == FLOE_OK) {
            dictionary_offset = writer->file_offset;
            status = emit(writer, dictionary_page.data, dictionary_page.size, err);
        }
        floe_pq_buffer_fini(&dictionary_page);
        FLOE_TRY(status);
    }
    uint64_t data_offset = writer->file_offset;
    FLOE_TRY(emit(writer, column->chunk.data, column->chunk.size, err));
    uint64_t compressed = writer->file_offset - chunk_start;
    *compressed_total += compressed;
    *uncompressed_total += column->chunk_uncompressed;

    /* ColumnChunk { file_path absent, file_offset, meta_data } */
    floe_thrift_write_struct_begin(meta);
    floe_thrift_write_i64_field(meta, FLOE_PQ_CC_FILE_OFFSET, (int64_t)chunk_start);
    floe_thrift_write_field_header(meta, FLOE_THRIFT_STRUCT, FLOE_PQ_CC_META_DATA);
    floe_thrift_write_struct_begin(meta);
    floe_thrift_write_i32_field(meta, FLOE_PQ_CMD_TYPE, column->physical);
    int32_t encodings[4];
    uint32_t encoding_count = 0;
    if (has_dictionary) encodings[encoding_count++] = FLOE_PQ_PLAIN;
    if (column->plain_data_pages > 0 &&
        (!has_dictionary || column->value_encoding != FLOE_PQ_PLAIN))
        encodings[encoding_count++] = column->value_encoding;
    if (column->nullable) encodings[encoding_count++] = FLOE_PQ_RLE;
    if (has_dictionary) encodings[encoding_count++] = FLOE_PQ_RLE_DICTIONARY;
    floe_thrift_write_field_header(meta, FLOE_THRIFT_LIST, FLOE_PQ_CMD_ENCODINGS);
    floe_thrift_write_list_begin(meta, FLOE_THRIFT_I32, encoding_count);
    for (uint32_t i = 0; i < encoding_count; i++) floe_thrift_write_i32(meta, encodings[i]);
    floe_thrift_write_field_header(meta, FLOE_THRIFT_LIST, FLOE_PQ_CMD_PATH_IN_SCHEMA);
    floe_thrift_write_list_begin(meta, FLOE_THRIFT_BINARY, 1);
    floe_thrift_write_string(meta, column->name);
    floe_thrift_write_i32_field(meta, FLOE_PQ_CMD_CODEC, column->codec);
    floe_thrift_write_i64_field(meta, FLOE_PQ_CMD_NUM_VALUES, column->chunk_values);
    floe_thrift_write_i64_field(meta, FLOE_PQ_CMD_TOTAL_UNCOMPRESSED_SIZE,
                                (int64_t)column->chunk_uncompressed);
    floe_thrift_write_i64_field(meta, FLOE_PQ_CMD_TOTAL_COMPRESSED_SIZE, (int64_t)compressed);
    floe_thrift_write_i64_field(meta, FLOE_PQ_CMD_DATA_PAGE_OFFSET, (int64_t)data_offset);
    if (has_dictionary) {
        floe_thrift_write_i64_field(meta, FLOE_PQ_CMD_DICTIONARY_PAGE_OFFSET,
                                    (int64_t)dictionary_offset);
    }
    write_statistics(writer, meta, column);
    /* encoding_stats: lets readers see whether every data page is dictionary-encoded. */
    uint32_t stats_count = (has_dictionary ? 2u : 0u) + (column->plain_data_pages > 0 ? 1u : 0u);
    floe_thrift_write_field_header(meta, FLOE_THRIFT_LIST, FLOE_PQ_CMD_ENCODING_STATS);
    floe_thrift_write_list_begin(meta, FLOE_THRIFT_STRUCT, stats_count);
    if (has_dictionary) {
        int32_t rows[2][3] = {
            {FLOE_PQ_DICTIONARY_PAGE, FLOE_PQ_PLAIN, 1},
            {FLOE_PQ_DATA_PAGE, FLOE_PQ_RLE_DICTIONARY, (int32_t)column->dictionary_data_pages},
        };
        for (int i = 0; i < 2; i++) {
            floe_thrift_write_struct_begin(meta);
            floe_thrift_write_i32_field(meta, FLOE_PQ_ES_PAGE_TYPE, rows[i][0]);
            floe_thrift_write_i32_field(meta, FLOE_PQ_ES_ENCODING, rows[i][1]);
            floe_thrift_write_i32_field(meta, FLOE_PQ_ES_COUNT, rows[i][2]);
            floe_thrift_write_struct_end(meta);
        }
    }
    if (column->plain_data_pages > 0) {
        floe_thrift_write_struct_begin(meta);
        floe_thrift_write_i32_field(meta, FLOE_PQ_ES_PAGE_TYPE, column->data_page_type);
        floe_thrift_write_i32_field(meta, FLOE_PQ_ES_ENCODING, column->value_encoding);
        floe_thrift_write_i32_field(meta, FLOE_PQ_ES_COUNT, (int32_t)column->plain_data_pages);
        floe_thrift_write_struct_end(meta);
    }
    floe_thrift_write_struct_end(meta); /* ColumnMetaData */
    floe_thrift_write_struct_end(meta); /* ColumnChunk */

    /* Fold the chunk into the file's metrics, then reset the chunk. */
    column->file_bytes += compressed;
    column->file_values += (uint64_t)column->chunk_values;
    column->file_nulls += (uint64_t)column->chunk_nulls;
    column->file_nans += (uint64_t)column->chunk_nans;
    FLOE_TRY(merge_range(&column->file_stats, &column->chunk_stats, column->kind, err));
    column->chunk_stats.has = false;
    column->chunk.size = 0;
    column->chunk_uncompressed = 0;
    column->chunk_values = column->chunk_nulls = column->chunk_nans = 0;
    column->dictionary_data_pages = column->plain_data_pages = 0;
    floe_pq_dictionary_clear(&column->dictionary);
    column->use_dictionary = column->dictionary_allowed;
    return FLOE_OK;
}

static int close_row_group(floe_pq_writer *writer, floe_error *err)
{
    if (writer->row_group_rows == 0) return FLOE_OK;
    floe_thrift_writer *meta = &writer->row_group_meta;
    uint64_t start = writer->file_offset;
    uint64_t compressed = 0, uncompressed = 0;
    floe_thrift_write_struct_begin(meta);
    floe_thrift_write_field_header(meta, FLOE_THRIFT_LIST, FLOE_PQ_RG_COLUMNS);
    floe_thrift_write_list_begin(meta, FLOE_THRIFT_STRUCT, writer->column_count);
    for (uint32_t i = 0; i < writer->column_count; i++) {
        int status = write_chunk(writer, &writer->columns[i], meta, &compressed, &uncompressed,
                                 err);
        if (status < 0) {
            floe_error_prefix(err, "column '%s'", writer->columns[i].name);
            return status;
        }
    }
    floe_thrift_write_i64_field(meta, FLOE_PQ_RG_TOTAL_BYTE_SIZE, (int64_t)uncompressed);
    floe_thrift_write_i64_field(meta, FLOE_PQ_RG_NUM_ROWS, (int64_t)writer->row_group_rows);
    floe_thrift_write_i64_field(meta, FLOE_PQ_RG_FILE_OFFSET, (int64_t)start);
    floe_thrift_write_i64_field(meta, FLOE_PQ_RG_TOTAL_COMPRESSED_SIZE, (int64_t)compressed);
    floe_thrift_write_field_header(meta, FLOE_THRIFT_I16, FLOE_PQ_RG_ORDINAL);
    floe_thrift_write_i16(meta, (int16_t)(writer->row_group_count > INT16_MAX
                                              ? INT16_MAX : writer->row_group_count));
    floe_thrift_write_struct_end(meta);
    FLOE_TRY(floe_thrift_writer_status(meta, err));
    writer->row_group_count++;
    writer->row_group_rows = 0;
    return FLOE_OK;
}

int floe_pq_writer_write_batch(floe_pq_writer *writer, const floe_batch *batch, floe_error *err)
{
    FLOE_RETURN_IF(writer == NULL || batch == NULL, FLOE_EINVAL, err,
                   "parquet writer: NULL argument");
    FLOE_RETURN_IF(writer->failed || writer->closed, FLOE_EINVAL, err,
                   "%s: writer %s", writer->path,
                   writer->closed ? "already closed" : "stopped by an earlier error");
    FLOE_RETURN_IF(batch->column_count != writer->column_count, FLOE_EINVAL, err,
                   "%s: batch has %u columns, schema %u", writer->path, batch->column_count,
                   writer->column_count);
    for (uint32_t c = 0; c < writer->column_count; c++) {
        FLOE_RETURN_IF(!floe_type_equal(batch->columns[c].type, writer->columns[c].type),
                       FLOE_EINVAL, err, "%s: column '%s': batch type differs from the schema",
                       writer->path, writer->columns[c].name);
    }
    uint32_t live = floe_batch_live_count(batch);
    uint32_t done = 0;
    int status = FLOE_OK;
    while (done < live && status == FLOE_OK) {
        uint32_t slice = live - done;
        if (writer->options.row_group_rows != 0 &&
            slice > writer->options.row_group_rows - writer->row_group_rows) {
            slice = (uint32_t)(writer->options.row_group_rows - writer->row_group_rows);
        }
        for (uint32_t c = 0; c < writer->column_count && status == FLOE_OK; c++) {
            status = append_rows(writer, &writer->columns[c], &batch->columns[c], batch, done,
                                 slice, err);
        }
        if (status != FLOE_OK) break;
        done += slice;
        writer->row_group_rows += slice;
        writer->row_count += slice;
        if ((writer->options.row_group_rows != 0 &&
             writer->row_group_rows >= writer->options.row_group_rows) ||
            row_group_bytes(writer) >= writer->options.row_group_bytes) {
            status = close_row_group(writer, err);
        }
    }
    if (status < 0) {
        writer->failed = true;
        floe_error_prefix(err, "%s", writer->path);
    }
    return status;
}

/* ---- footer -------------------------------------------------------------------------------- */

static void write_schema_element(floe_thrift_writer *meta, const column_state *column)
{
    floe_thrift_write_struct_begin(meta);
    floe_thrift_write_i32_field(meta, FLOE_PQ_SE_TYPE, column->physical);
    if (column->physical == FLOE_PQ_FIXED_LEN_BYTE_ARRAY) {
        floe_thrift_write_i32_field(meta, FLOE_PQ_SE_TYPE_LENGTH, column->type_length);
    }
    floe_thrift_write_i32_field(meta, FLOE_PQ_SE_REPETITION_TYPE,
                                column->nullable ? FLOE_PQ_OPTIONAL : FLOE_PQ_REQUIRED);
    floe_thrift_write_string_field(meta, FLOE_PQ_SE_NAME, column->name);
    int32_t converted = -1;
    switch (column->type.id) {
    case FLOE_TYPE_DATE: converted = FLOE_PQ_CT_DATE; break;
    case FLOE_TYPE_TIMESTAMPTZ: converted = FLOE_PQ_CT_TIMESTAMP_MICROS; break;
    case FLOE_TYPE_DECIMAL: converted = FLOE_PQ_CT_DECIMAL; break;
    case FLOE_TYPE_STRING: converted = FLOE_PQ_CT_UTF8; break;
    default: break;
    }
    if (converted >= 0) floe_thrift_write_i32_field(meta, FLOE_PQ_SE_CONVERTED_TYPE, converted);
    if (column->type.id == FLOE_TYPE_DECIMAL) {
        floe_thrift_write_i32_field(meta, FLOE_PQ_SE_SCALE, column->type.scale);
        floe_thrift_write_i32_field(meta, FLOE_PQ_SE_PRECISION, column->type.precision);
    }
    if (column->field_id >= 0) {
        floe_thrift_write_i32_field(meta, FLOE_PQ_SE_FIELD_ID, column->field_id);
    }
    int16_t logical = 0;
    switch (column->type.id) {
    case FLOE_TYPE_STRING: logical = FLOE_PQ_LT_STRING; break;
    case FLOE_TYPE_DATE: logical = FLOE_PQ_LT_DATE; break;
    case FLOE_TYPE_DECIMAL: logical = FLOE_PQ_LT_DECIMAL; break;
    case FLOE_TYPE_TIMESTAMP:
    case FLOE_TYPE_TIMESTAMPTZ: logical = FLOE_PQ_LT_TIMESTAMP; break;
    default: break;
    }
    if (logical != 0) {
        floe_thrift_write_field_header(meta, FLOE_THRIFT_STRUCT, FLOE_PQ_SE_LOGICAL_TYPE);
        floe_thrift_write_struct_begin(meta);               /* LogicalType union */
        floe_thrift_write_field_header(meta, FLOE_THRIFT_STRUCT, logical);
        floe_thrift_write_struct_begin(meta);
        if (logical == FLOE_PQ_LT_DECIMAL) {
            floe_thrift_write_i32_field(meta, FLOE_PQ_DEC_SCALE, column->type.scale);
            floe_thrift_write_i32_field(meta, FLOE_PQ_DEC_PRECISION, column->type.precision);
        } else if (logical == FLOE_PQ_LT_TIMESTAMP) {
            floe_thrift_write_bool_field(meta, FLOE_PQ_TIME_ADJUSTED_TO_UTC,
                                         column->type.id == FLOE_TYPE_TIMESTAMPTZ);
            floe_thrift_write_field_header(meta, FLOE_THRIFT_STRUCT, FLOE_PQ_TIME_UNIT);
            floe_thrift_write_struct_begin(meta);           /* TimeUnit union */
            floe_thrift_write_field_header(meta, FLOE_THRIFT_STRUCT, FLOE_PQ_UNIT_MICROS);
            floe_thrift_write_struct_begin(meta);           /* MicroSeconds {} */
            floe_thrift_write_struct_end(meta);
            floe_thrift_write_struct_end(meta);
        }
        floe_thrift_write_struct_end(meta);
        floe_thrift_write_struct_end(meta);
    }
    floe_thrift_write_struct_end(meta);
}

static int write_footer(floe_pq_writer *writer, floe_error *err)
{
    floe_thrift_writer meta;
    floe_thrift_writer_init(&meta);
    floe_thrift_write_struct_begin(&meta);
    floe_thrift_write_i32_field(&meta, FLOE_PQ_FMD_VERSION, 2);
    floe_thrift_write_field_header(&meta, FLOE_THRIFT_LIST, FLOE_PQ_FMD_SCHEMA);
    floe_thrift_write_list_begin(&meta, FLOE_THRIFT_STRUCT, writer->column_count + 1);
    floe_thrift_write_struct_begin(&meta); /* root */
    floe_thrift_write_string_field(&meta, FLOE_PQ_SE_NAME, "schema");
    floe_thrift_write_i32_field(&meta, FLOE_PQ_SE_NUM_CHILDREN, (int32_t)writer->column_count);
    floe_thrift_write_struct_end(&meta);
    for (uint32_t i = 0; i < writer->column_count; i++) {
        write_schema_element(&meta, &writer->columns[i]);
    }
    floe_thrift_write_i64_field(&meta, FLOE_PQ_FMD_NUM_ROWS, (int64_t)writer->row_count);
    floe_thrift_write_field_header(&meta, FLOE_THRIFT_LIST, FLOE_PQ_FMD_ROW_GROUPS);
    floe_thrift_write_list_begin(&meta, FLOE_THRIFT_STRUCT, writer->row_group_count);
    if (meta.status == FLOE_OK) {
        /* The RowGroup structs were encoded as they closed: splice their bytes in. */
        uint8_t *spliced = writer->row_group_meta.data;
        size_t size = writer->row_group_meta.size;
        for (size_t i = 0; i < size; i++) floe_thrift_write_byte(&meta, spliced[i]);
    }
    uint32_t pairs = (writer->iceberg_schema_json != NULL ? 1u : 0u) + writer->key_value_count;
    if (pairs > 0) {
        floe_thrift_write_field_header(&meta, FLOE_THRIFT_LIST, FLOE_PQ_FMD_KEY_VALUE_METADATA);
        floe_thrift_write_list_begin(&meta, FLOE_THRIFT_STRUCT, pairs);
        if (writer->iceberg_schema_json != NULL) {
            floe_thrift_write_struct_begin(&meta);
            floe_thrift_write_string_field(&meta, FLOE_PQ_KV_KEY, "iceberg.schema");
            floe_thrift_write_string_field(&meta, FLOE_PQ_KV_VALUE, writer->iceberg_schema_json);
            floe_thrift_write_struct_end(&meta);
        }
        for (uint32_t i = 0; i < writer->key_value_count; i++) {
            floe_thrift_write_struct_begin(&meta);
            floe_thrift_write_string_field(&meta, FLOE_PQ_KV_KEY, writer->key_values[i].key);
            if (writer->key_values[i].value != NULL) {
                floe_thrift_write_string_field(&meta, FLOE_PQ_KV_VALUE,
                                               writer->key_values[i].value);
            }
            floe_thrift_write_struct_end(&meta);
        }
    }
    floe_thrift_write_string_field(&meta, FLOE_PQ_FMD_CREATED_BY,
                                   "floe version " FLOE_VERSION_STRING " (build " FLOE_BUILD_ID ")");
    /* column_orders: TYPE_ORDER (ColumnOrder union field 1, an empty struct) for every leaf. */
    floe_thrift_write_field_header(&meta, FLOE_THRIFT_LIST, FLOE_PQ_FMD_COLUMN_ORDERS);
    floe_thrift_write_list_begin(&meta, FLOE_THRIFT_STRUCT, writer->column_count);
    for (uint32_t i = 0; i < writer->column_count; i++) {
        floe_thrift_write_struct_begin(&meta);
        floe_thrift_write_field_header(&meta, FLOE_THRIFT_STRUCT, 1);
        floe_thrift_write_struct_begin(&meta);
        floe_thrift_write_struct_end(&meta);
        floe_thrift_write_struct_end(&meta);
    }
    floe_thrift_write_struct_end(&meta);
    int status = floe_thrift_writer_status(&meta, err);
    if (status == FLOE_OK && meta.size > UINT32_MAX) {
        status = floe_error_set(err, FLOE_ERANGE, "footer of %zu bytes too large", meta.size);
    }
    if (status == FLOE_OK) status = emit(writer, meta.data, meta.size, err);
    if (status == FLOE_OK) {
        uint8_t tail[8];
        uint32_t length = (uint32_t)meta.size;
        memcpy(tail, &length, 4);
        memcpy(tail + 4, "PAR1", 4);
        status = emit(writer, tail, sizeof tail, err);
    }
    floe_thrift_writer_fini(&meta);
    return status;
}

/* ---- Iceberg metrics ----------------------------------------------------------------------- */

static void fill_bounds(const floe_pq_writer *writer, const column_state *column,
                        floe_pq_column_result *result)
{
    const stat_range *range = &column->file_stats;
    if (!range->has) return;
    if (column->kind == STAT_BYTES) {
        bool utf8 = column->type.id == FLOE_TYPE_STRING;
        size_t points = writer->options.iceberg_bound_length;
        size_t max_bytes = utf8 ? points * 4 : points;
        size_t lower = floe_pq_truncate_lower(range->min_bytes.data, range->min_bytes.size,
                                              max_bytes, points, utf8);
        if (lower != 0) memcpy(result->lower_bound, range->min_bytes.data, lower);
        result->lower_bound_size = (uint32_t)lower;
        result->has_lower_bound = true;
        uint8_t upper[FLOE_PQ_BOUND_MAX_SIZE + 4];
        long upper_size = floe_pq_truncate_upper(upper, range->max_bytes.data,
                                                 range->max_bytes.size, max_bytes, points, utf8);
        if (upper_size >= 0 && (size_t)upper_size <= FLOE_PQ_BOUND_MAX_SIZE) {
            memcpy(result->upper_bound, upper, (size_t)upper_size);
            result->upper_bound_size = (uint32_t)upper_size;
            result->has_upper_bound = true;
        }
        return;
    }
    stat_value min = range->min, max = range->max;
    adjust_zeros(column, &min, &max);
    if (column->type.id == FLOE_TYPE_DECIMAL) {
        floe_int128 low = column->kind == STAT_INT128 ? min.i128 : min.i64;
        floe_int128 high = column->kind == STAT_INT128 ? max.i128 : max.i64;
        result->lower_bound_size = (uint32_t)minimal_twos_complement(low, result->lower_bound);
        result->upper_bound_size = (uint32_t)minimal_twos_complement(high, result->upper_bound);
    } else {
        /* Iceberg's forms are the PLAIN forms for these types (little-endian, 1-byte bool). */
        result->lower_bound_size = (uint32_t)plain_fixed(column, &min, result->lower_bound);
        result->upper_bound_size = (uint32_t)plain_fixed(column, &max, result->upper_bound);
    }
    result->has_lower_bound = result->has_upper_bound = true;
}

int floe_pq_writer_close(floe_pq_writer *writer, floe_pq_write_result *result, floe_error *err)
{
    FLOE_RETURN_IF(writer == NULL, FLOE_EINVAL, err, "parquet writer: NULL writer");
    FLOE_RETURN_IF(writer->failed || writer->closed, FLOE_EINVAL, err, "%s: writer %s",
                   writer->path, writer->closed ? "already closed" : "stopped by an earlier error");
    int status = close_row_group(writer, err);
    if (status == FLOE_OK) status = write_footer(writer, err);
    if (status == FLOE_OK) status = flush_output(writer, err);
    if (status == FLOE_OK && writer->options.sync_on_close && fsync(writer->fd) != 0) {
        status = -errno;
        floe_error_set(err, status, "fsync failed: %s", floe_status_name(status));
    }
    if (status == FLOE_OK && writer->owns_fd) {
        int fd = writer->fd;
        writer->fd = -1;
        if (close(fd) != 0) {
            status = -errno;
            floe_error_set(err, status, "close failed: %s", floe_status_name(status));
        }
    }
    if (status == FLOE_OK) {
        writer->results = floe_calloc(writer->column_count, sizeof *writer->results);
        if (writer->results == NULL) status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    if (status < 0) {
        writer->failed = true;
        floe_error_prefix(err, "%s", writer->path);
        return status;
    }
    writer->closed = true;
    for (uint32_t i = 0; i < writer->column_count; i++) {
        const column_state *column = &writer->columns[i];
        floe_pq_column_result *out = &writer->results[i];
        out->field_id = column->field_id;
        out->column_size = column->file_bytes;
        out->value_count = column->file_values;
        out->null_count = column->file_nulls;
        out->nan_count = column->file_nans;
        fill_bounds(writer, column, out);
    }
    if (result != NULL) {
        result->row_count = writer->row_count;
        result->file_size = writer->file_offset;
        result->row_group_count = writer->row_group_count;
        result->column_count = writer->column_count;
        result->columns = writer->results;
    }
    return FLOE_OK;
}

int floe_pq_writer_sync(floe_pq_writer *writer, floe_error *err)
{
    FLOE_RETURN_IF(writer == NULL, FLOE_EINVAL, err, "parquet writer: NULL writer");
    int fd = writer->fd;
    bool reopened = false;
    if (fd < 0) {
        FLOE_RETURN_IF(!writer->closed, FLOE_EINVAL, err, "%s: nothing to sync", writer->path);
        fd = open(writer->path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            int code = -errno;
            return floe_error_set(err, code, "%s: cannot open to sync: %s", writer->path,
                                  floe_status_name(code));
        }
        reopened = true;
    } else {
        FLOE_TRY(flush_output(writer, err));
    }
    int status = FLOE_OK;
    if (fsync(fd) != 0) {
        status = -errno;
        floe_error_set(err, status, "%s: fsync failed: %s", writer->path, floe_status_name(status));
    }
    if (reopened) close(fd);
    return status;
}
