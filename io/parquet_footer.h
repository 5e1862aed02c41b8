/*
 * parquet_footer.h — a Parquet file's footer (FileMetaData) and page headers, decoded.
 *
 * What it does: checks the file's framing ("PAR1" at both ends, the 4-byte little-endian footer
 * length against the file size), decodes the Thrift compact FileMetaData (io/thrift_compact.h)
 * into the plain structs below, and maps the schema to Floe columns (io/parquet_schema.h): one
 * floe_pq_column per leaf, in file order, which is also the order of every row group's chunks.
 * It also decodes one PageHeader for the page decoder.
 *
 * Memory: a floe_pq_file_metadata owns one floe_arena; every struct, array and string reachable
 * from it (names, statistics bytes, key/value pairs) lives in that arena and is freed by
 * floe_pq_file_metadata_free. Strings are NUL-terminated copies; byte values (statistics) are
 * copies too, so the caller's buffer need not outlive floe_pq_file_metadata_parse. A decoded
 * floe_pq_page_header instead holds views into the caller's bytes (statistics only).
 *
 * Reading the file: floe_pq_file_metadata_open uses plain fstat + pread (the footer is one small
 * read; the batched io/file_reader.h is for column data), then parses the bytes in memory.
 * floe_pq_file_metadata_parse takes a whole file image already in memory (tests, fuzzing, files
 * read by other means).
 *
 * Errors: FLOE_ECORRUPT (bad magic, footer length outside the file, malformed Thrift, a required
 * field missing, a value out of its range, a schema tree that does not add up, row groups whose
 * column count differs from the schema's) with the byte offset; FLOE_EUNSUPPORTED (encrypted
 * footer "PARE"); FLOE_ENOMEM; -errno from open/fstat/pread. Messages from _open start with the
 * path. Nested columns do NOT fail opening: their floe_pq_column is marked unsupported and
 * floe_pq_column_require returns FLOE_EUNSUPPORTED for them.
 */
#ifndef FLOE_IO_PARQUET_FOOTER_H
#define FLOE_IO_PARQUET_FOOTER_H

#include "kernels/arena.h"
#include "kernels/status.h"
#include "kernels/types.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Footers larger than this are refused as corrupt (real ones are kilobytes to a few MiB). */
#define FLOE_PQ_MAX_FOOTER_SIZE ((uint32_t)256 << 20)

/* Enumerations with the numbers parquet.thrift gives them. */
typedef enum floe_pq_physical_type {
    FLOE_PQ_BOOLEAN = 0,
    FLOE_PQ_INT32 = 1,
    FLOE_PQ_INT64 = 2,
    FLOE_PQ_INT96 = 3,
    FLOE_PQ_FLOAT = 4,
    FLOE_PQ_DOUBLE = 5,
    FLOE_PQ_BYTE_ARRAY = 6,
    FLOE_PQ_FIXED_LEN_BYTE_ARRAY = 7,
} floe_pq_physical_type;

typedef enum floe_pq_repetition {
    FLOE_PQ_REQUIRED = 0,
    FLOE_PQ_OPTIONAL = 1,
    FLOE_PQ_REPEATED = 2,
    FLOE_PQ_VECTOR = 3,
} floe_pq_repetition;

typedef enum floe_pq_converted_type {
    FLOE_PQ_CT_UTF8 = 0, FLOE_PQ_CT_MAP = 1, FLOE_PQ_CT_MAP_KEY_VALUE = 2, FLOE_PQ_CT_LIST = 3,
    FLOE_PQ_CT_ENUM = 4, FLOE_PQ_CT_DECIMAL = 5, FLOE_PQ_CT_DATE = 6, FLOE_PQ_CT_TIME_MILLIS = 7,
    FLOE_PQ_CT_TIME_MICROS = 8, FLOE_PQ_CT_TIMESTAMP_MILLIS = 9, FLOE_PQ_CT_TIMESTAMP_MICROS = 10,
    FLOE_PQ_CT_UINT_8 = 11, FLOE_PQ_CT_UINT_16 = 12, FLOE_PQ_CT_UINT_32 = 13,
    FLOE_PQ_CT_UINT_64 = 14, FLOE_PQ_CT_INT_8 = 15, FLOE_PQ_CT_INT_16 = 16, FLOE_PQ_CT_INT_32 = 17,
    FLOE_PQ_CT_INT_64 = 18, FLOE_PQ_CT_JSON = 19, FLOE_PQ_CT_BSON = 20, FLOE_PQ_CT_INTERVAL = 21,
} floe_pq_converted_type;

/* LogicalType union members (their Thrift field ids); NONE = absent; OTHER = a member this
 * reader does not know (a newer writer): the column falls back to its physical type. */
typedef enum floe_pq_logical_kind {
    FLOE_PQ_LT_NONE = 0, FLOE_PQ_LT_STRING = 1, FLOE_PQ_LT_MAP = 2, FLOE_PQ_LT_LIST = 3,
    FLOE_PQ_LT_ENUM = 4, FLOE_PQ_LT_DECIMAL = 5, FLOE_PQ_LT_DATE = 6, FLOE_PQ_LT_TIME = 7,
    FLOE_PQ_LT_TIMESTAMP = 8, FLOE_PQ_LT_INTEGER = 10, FLOE_PQ_LT_UNKNOWN = 11,
    FLOE_PQ_LT_JSON = 12, FLOE_PQ_LT_BSON = 13, FLOE_PQ_LT_UUID = 14, FLOE_PQ_LT_FLOAT16 = 15,
    FLOE_PQ_LT_VARIANT = 16, FLOE_PQ_LT_GEOMETRY = 17, FLOE_PQ_LT_GEOGRAPHY = 18,
    FLOE_PQ_LT_VECTOR = 19, FLOE_PQ_LT_OTHER = 1000,
} floe_pq_logical_kind;

typedef enum floe_pq_time_unit {
    FLOE_PQ_UNIT_NONE = 0, FLOE_PQ_UNIT_MILLIS = 1, FLOE_PQ_UNIT_MICROS = 2, FLOE_PQ_UNIT_NANOS = 3,
} floe_pq_time_unit;

typedef enum floe_pq_encoding {
    FLOE_PQ_PLAIN = 0, FLOE_PQ_PLAIN_DICTIONARY = 2, FLOE_PQ_RLE = 3, FLOE_PQ_BIT_PACKED = 4,
    FLOE_PQ_DELTA_BINARY_PACKED = 5, FLOE_PQ_DELTA_LENGTH_BYTE_ARRAY = 6,
    FLOE_PQ_DELTA_BYTE_ARRAY = 7, FLOE_PQ_RLE_DICTIONARY = 8, FLOE_PQ_BYTE_STREAM_SPLIT = 9,
} floe_pq_encoding;

/* Compression codecs: floe_pq_codec and floe_pq_codec_name are in io/parquet_codec.h. */

typedef enum floe_pq_page_type {
    FLOE_PQ_DATA_PAGE = 0, FLOE_PQ_INDEX_PAGE = 1, FLOE_PQ_DICTIONARY_PAGE = 2,
    FLOE_PQ_DATA_PAGE_V2 = 3,
} floe_pq_page_type;

/* Names for printing ("INT32", "RLE_DICTIONARY", "DECIMAL"…); unknown numbers give "?". */
const char *floe_pq_physical_type_name(int32_t type);
const char *floe_pq_repetition_name(int32_t repetition);
const char *floe_pq_converted_type_name(int32_t converted_type);
const char *floe_pq_logical_kind_name(int32_t kind);
const char *floe_pq_encoding_name(int32_t encoding);
const char *floe_pq_page_type_name(int32_t page_type);

/* Bytes; data == NULL when the field was absent (an empty present value has size 0). */
typedef struct floe_pq_bytes {
    const uint8_t *data;
    size_t size;
} floe_pq_bytes;

typedef struct floe_pq_logical_type {
    int32_t kind;              /* a floe_pq_logical_kind */
    int32_t decimal_scale;     /* DECIMAL */
    int32_t decimal_precision; /* DECIMAL */
    bool is_adjusted_to_utc;   /* TIME, TIMESTAMP */
    int32_t unit;              /* TIME, TIMESTAMP: a floe_pq_time_unit */
    int32_t bit_width;         /* INTEGER: 8, 16, 32, 64 */
    bool is_signed;            /* INTEGER */
} floe_pq_logical_type;

typedef struct floe_pq_schema_element {
    const char *name;
    bool has_type, has_type_length, has_repetition, has_num_children, has_converted_type,
        has_scale, has_precision, has_field_id;
    int32_t type;            /* floe_pq_physical_type (leaves only) */
    int32_t type_length;     /* FIXED_LEN_BYTE_ARRAY width */
    int32_t repetition;      /* floe_pq_repetition (absent on the root) */
    int32_t num_children;    /* groups only */
    int32_t converted_type;  /* floe_pq_converted_type */
    int32_t scale, precision;
    int32_t field_id;
    floe_pq_logical_type logical_type; /* kind NONE when absent */
} floe_pq_schema_element;

typedef struct floe_pq_statistics {
    floe_pq_bytes max, min;             /* deprecated signed-order bounds */
    floe_pq_bytes max_value, min_value; /* bounds in the column order */
    bool has_null_count, has_distinct_count, has_nan_count;
    bool has_is_max_value_exact, has_is_min_value_exact;
    bool is_max_value_exact, is_min_value_exact;
    int64_t null_count, distinct_count, nan_count;
} floe_pq_statistics;

typedef struct floe_pq_key_value {
    const char *key;
    const char *value;  /* NULL when absent */
    size_t value_size;  /* values may hold NUL bytes (e.g. an Arrow schema) */
} floe_pq_key_value;

typedef struct floe_pq_encoding_stats {
    int32_t page_type, encoding, count;
} floe_pq_encoding_stats;

typedef struct floe_pq_column_metadata {
    int32_t type;       /* floe_pq_physical_type */
    int32_t codec;      /* floe_pq_codec (io/parquet_codec.h) */
    int32_t *encodings;
    uint32_t encoding_count;
    const char **path_in_schema;
    uint32_t path_length;
    int64_t num_values;
    int64_t total_uncompressed_size, total_compressed_size;
    floe_pq_key_value *key_value_metadata;
    uint32_t key_value_count;
    int64_t data_page_offset;
    bool has_index_page_offset, has_dictionary_page_offset;
    int64_t index_page_offset, dictionary_page_offset;
    const floe_pq_statistics *statistics; /* NULL when absent */
    floe_pq_encoding_stats *encoding_stats;
    uint32_t encoding_stats_count;
} floe_pq_column_metadata;

typedef struct floe_pq_column_chunk {
    const char *file_path;                   /* NULL: this file */
    int64_t file_offset;
    const floe_pq_column_metadata *meta_data; /* NULL when absent (then unreadable) */
} floe_pq_column_chunk;

typedef struct floe_pq_row_group {
    floe_pq_column_chunk *columns;
    uint32_t column_count;
    int64_t total_byte_size, num_rows;
    bool has_file_offset, has_total_compressed_size, has_ordinal;
    int64_t file_offset, total_compressed_size;
    int16_t ordinal;
} floe_pq_row_group;

/* How the page decoder turns a stored value into the Floe type's storage (kernels/types.h). */
typedef enum floe_pq_conversion {
    FLOE_PQ_CONVERT_NONE = 0,      /* same bits; integers sign-extended if the Floe type is wider
                                    * (INT32 → DECIMAL's int64) */
    FLOE_PQ_CONVERT_MULTIPLY_1000, /* millis → micros (sign-extended first for INT32 TIME) */
    FLOE_PQ_CONVERT_DIVIDE_1000,   /* nanos → micros, rounding toward negative infinity */
    FLOE_PQ_CONVERT_ZERO_EXTEND,   /* unsigned: UINT_32 → INT64, UINT_64 → DECIMAL(20,0) int128 */
    FLOE_PQ_CONVERT_INT96_TIMESTAMP,/* 12 bytes: int64 nanoseconds of day (LE) then int32 Julian
                                    * day (LE); micros = (day - 2440588) * 86400000000
                                    *  + floor(nanos / 1000) */
    FLOE_PQ_CONVERT_FLOAT16,       /* IEEE half (2 bytes LE) → float32 */
    FLOE_PQ_CONVERT_BIG_ENDIAN_DECIMAL, /* FIXED_LEN_/BYTE_ARRAY: big-endian two's complement,
                                    * sign-extended to the decimal's int64/int128 */
} floe_pq_conversion;

/* A leaf column as Floe sees it. */
typedef struct floe_pq_column {
    const char *name;          /* the leaf's name */
    const char *path;          /* dotted path from below the root ("a.list.element") */
    uint32_t schema_index;     /* index of the leaf in floe_pq_file_metadata.schema */
    bool has_field_id;
    int32_t field_id;          /* Iceberg field id when present */
    int32_t repetition;        /* the leaf's floe_pq_repetition */
    int max_definition_level;  /* 0 required, 1 optional (for flat columns) */
    int max_repetition_level;
    int32_t physical_type;     /* floe_pq_physical_type */
    int32_t type_length;       /* FIXED_LEN_BYTE_ARRAY width, else 0 */
    floe_type type;            /* the Floe type; FLOE_TYPE_INVALID when unsupported */
    int32_t conversion;        /* a floe_pq_conversion */
    int32_t time_unit;         /* the stored unit for TIME/TIMESTAMP columns, else NONE */
    const char *unsupported_reason; /* NULL when Floe can read the column, else one line */
} floe_pq_column;

typedef struct floe_pq_file_metadata {
    floe_arena arena;         /* owns everything below */
    uint64_t file_size;
    uint64_t footer_offset;   /* where FileMetaData starts in the file */
    uint32_t footer_size;     /* its length */
    int32_t version;
    floe_pq_schema_element *schema;
    uint32_t schema_count;
    int64_t num_rows;
    floe_pq_row_group *row_groups;
    uint32_t row_group_count;
    floe_pq_key_value *key_value_metadata;
    uint32_t key_value_count;
    const char *created_by;   /* NULL when absent */
    floe_pq_column *columns;  /* leaf columns, in chunk order */
    uint32_t column_count;
} floe_pq_file_metadata;

/* Decodes a whole file image (bytes[0..size) is the file). On success *out owns a new object. */
int floe_pq_file_metadata_parse(const void *bytes, size_t size, floe_pq_file_metadata **out,
                                floe_error *err);

/* Decodes only the footer bytes (FileMetaData, without framing), which start at file offset
 * footer_offset of a file of file_size bytes (both for messages and range checks). */
int floe_pq_file_metadata_parse_footer(const void *footer, size_t footer_size,
                                       uint64_t footer_offset, uint64_t file_size,
                                       floe_pq_file_metadata **out, floe_error *err);

/* Reads the footer of the file at path with fstat + pread, then parses it. */
int floe_pq_file_metadata_open(const char *path, floe_pq_file_metadata **out, floe_error *err);

void floe_pq_file_metadata_free(floe_pq_file_metadata *metadata);

/* FLOE_OK when the column can be read; FLOE_EUNSUPPORTED with its reason otherwise
 * ("unsupported nested column a.list.element"). */
int floe_pq_column_require(const floe_pq_column *column, floe_error *err);

/* Finds a leaf column by name (top-level flat columns) or dotted path; NULL when absent. */
const floe_pq_column *floe_pq_file_metadata_find_column(const floe_pq_file_metadata *metadata,
                                                        const char *name);

/* A PageHeader. Statistics bytes point into the buffer given to floe_pq_page_header_parse. */
typedef struct floe_pq_page_header {
    int32_t type;                  /* floe_pq_page_type */
    int32_t uncompressed_page_size;/* >= 0 */
    int32_t compressed_page_size;  /* >= 0 */
    bool has_crc;
    uint32_t crc;
    bool has_data_page_header, has_dictionary_page_header, has_data_page_header_v2;
    struct {
        int32_t num_values, encoding, definition_level_encoding, repetition_level_encoding;
        bool has_statistics;
        floe_pq_statistics statistics;
    } data_page_header;
    struct {
        int32_t num_values, encoding;
        bool has_is_sorted, is_sorted;
    } dictionary_page_header;
    struct {
        int32_t num_values, num_nulls, num_rows, encoding;
        int32_t definition_levels_byte_length, repetition_levels_byte_length;
        bool is_compressed;        /* true when absent, as the format specifies */
        bool has_statistics;
        floe_pq_statistics statistics;
    } data_page_header_v2;
} floe_pq_page_header;

/* Decodes the PageHeader at the start of bytes[0..size), which lies at file_offset in the file
 * (for messages). *header_size receives the bytes the header took (the page data follows). The
 * sub-header matching `type` must be present; counts and sizes must be non-negative. */
int floe_pq_page_header_parse(const void *bytes, size_t size, uint64_t file_offset,
                              floe_pq_page_header *header, size_t *header_size, floe_error *err);

#endif
