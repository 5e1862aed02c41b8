/*
 * parquet_footer_int.h — the Thrift field ids of Parquet's metadata structs (private to
 * io/parquet_footer.c), from apache/parquet-format src/main/thrift/parquet.thrift.
 *
 * File layout (all integers little-endian):
 *
 *   offset            size  content
 *   0                 4     "PAR1"
 *   4                 ...   column chunks: pages, each a PageHeader (Thrift compact) + data
 *   F                 L     FileMetaData (Thrift compact)
 *   F + L             4     L, the footer length (uint32)
 *   F + L + 4         4     "PAR1"            (file size = F + L + 8)
 *
 * FileMetaData                           SchemaElement
 *   1 version            i32  required     1 type              i32 (Type enum)
 *   2 schema    list<SchemaElement> req    2 type_length       i32
 *   3 num_rows           i64  required     3 repetition_type   i32 (FieldRepetitionType)
 *   4 row_groups list<RowGroup>    req     4 name              string required
 *   5 key_value_metadata list<KeyValue>    5 num_children      i32
 *   6 created_by         string            6 converted_type    i32 (ConvertedType)
 *   7 column_orders list<ColumnOrder> (skipped)  7 scale  i32   8 precision  i32
 *   8 encryption_algorithm (skipped)       9 field_id          i32
 *   9 footer_signing_key_metadata (skipped) 10 logicalType     LogicalType (union)
 *                                         11 vector_length     i32 (skipped)
 * RowGroup                               ColumnChunk
 *   1 columns list<ColumnChunk> required   1 file_path          string
 *   2 total_byte_size    i64  required     2 file_offset        i64 required (default 0)
 *   3 num_rows           i64  required     3 meta_data          ColumnMetaData
 *   4 sorting_columns (skipped)            4-7 offset/column index offsets, lengths (skipped)
 *   5 file_offset        i64               8-9 encryption (skipped)
 *   6 total_compressed_size i64
 *   7 ordinal            i16
 * ColumnMetaData                         Statistics
 *   1 type               i32  required     1 max          binary  (deprecated, signed order)
 *   2 encodings     list<i32> required     2 min          binary
 *   3 path_in_schema list<string> req      3 null_count   i64
 *   4 codec              i32  required     4 distinct_count i64
 *   5 num_values         i64  required     5 max_value    binary
 *   6 total_uncompressed_size i64 req      6 min_value    binary
 *   7 total_compressed_size   i64 req      7 is_max_value_exact bool
 *   8 key_value_metadata list<KeyValue>    8 is_min_value_exact bool
 *   9 data_page_offset   i64  required     9 nan_count    i64
 *  10 index_page_offset  i64             KeyValue: 1 key string required, 2 value string
 *  11 dictionary_page_offset i64         PageEncodingStats: 1 page_type i32, 2 encoding i32,
 *  12 statistics         Statistics                         3 count i32 (all required)
 *  13 encoding_stats list<PageEncodingStats>
 *  14-17 bloom filter, size/geo statistics (skipped)
 * LogicalType (union: exactly one field)  DecimalType: 1 scale i32, 2 precision i32
 *   1 STRING  2 MAP  3 LIST  4 ENUM       TimestampType / TimeType: 1 isAdjustedToUTC bool,
 *   5 DECIMAL 6 DATE 7 TIME 8 TIMESTAMP                               2 unit TimeUnit
 *  10 INTEGER 11 UNKNOWN (null) 12 JSON   TimeUnit (union): 1 MILLIS 2 MICROS 3 NANOS
 *  13 BSON 14 UUID 15 FLOAT16 16 VARIANT  IntType: 1 bitWidth i8, 2 isSigned bool
 *  17 GEOMETRY 18 GEOGRAPHY 19 VECTOR
 * PageHeader                             DataPageHeader
 *   1 type               i32 required      1 num_values i32, 2 encoding i32,
 *   2 uncompressed_page_size i32 req       3 definition_level_encoding i32,
 *   3 compressed_page_size   i32 req       4 repetition_level_encoding i32 (all required)
 *   4 crc                i32               5 statistics Statistics
 *   5 data_page_header   DataPageHeader  DictionaryPageHeader
 *   6 index_page_header  (empty; skipped)  1 num_values i32 req, 2 encoding i32 req,
 *   7 dictionary_page_header               3 is_sorted bool
 *   8 data_page_header_v2                DataPageHeaderV2
 *                                          1 num_values 2 num_nulls 3 num_rows 4 encoding
 *                                          5 definition_levels_byte_length
 *                                          6 repetition_levels_byte_length (i32, required)
 *                                          7 is_compressed bool (default true) 8 statistics
 */
#ifndef FLOE_IO_PARQUET_FOOTER_INT_H
#define FLOE_IO_PARQUET_FOOTER_INT_H

enum floe_pq_file_metadata_field {
    FLOE_PQ_FMD_VERSION = 1,
    FLOE_PQ_FMD_SCHEMA = 2,
    FLOE_PQ_FMD_NUM_ROWS = 3,
    FLOE_PQ_FMD_ROW_GROUPS = 4,
    FLOE_PQ_FMD_KEY_VALUE_METADATA = 5,
    FLOE_PQ_FMD_CREATED_BY = 6,
    FLOE_PQ_FMD_COLUMN_ORDERS = 7,
};

enum floe_pq_schema_element_field {
    FLOE_PQ_SE_TYPE = 1,
    FLOE_PQ_SE_TYPE_LENGTH = 2,
    FLOE_PQ_SE_REPETITION_TYPE = 3,
    FLOE_PQ_SE_NAME = 4,
    FLOE_PQ_SE_NUM_CHILDREN = 5,
    FLOE_PQ_SE_CONVERTED_TYPE = 6,
    FLOE_PQ_SE_SCALE = 7,
    FLOE_PQ_SE_PRECISION = 8,
    FLOE_PQ_SE_FIELD_ID = 9,
    FLOE_PQ_SE_LOGICAL_TYPE = 10,
};

enum floe_pq_row_group_field {
    FLOE_PQ_RG_COLUMNS = 1,
    FLOE_PQ_RG_TOTAL_BYTE_SIZE = 2,
    FLOE_PQ_RG_NUM_ROWS = 3,
    FLOE_PQ_RG_FILE_OFFSET = 5,
    FLOE_PQ_RG_TOTAL_COMPRESSED_SIZE = 6,
    FLOE_PQ_RG_ORDINAL = 7,
};

enum floe_pq_column_chunk_field {
    FLOE_PQ_CC_FILE_PATH = 1,
    FLOE_PQ_CC_FILE_OFFSET = 2,
    FLOE_PQ_CC_META_DATA = 3,
};

enum floe_pq_column_metadata_field {
    FLOE_PQ_CMD_TYPE = 1,
    FLOE_PQ_CMD_ENCODINGS = 2,
    FLOE_PQ_CMD_PATH_IN_SCHEMA = 3,
    FLOE_PQ_CMD_CODEC = 4,
    FLOE_PQ_CMD_NUM_VALUES = 5,
    FLOE_PQ_CMD_TOTAL_UNCOMPRESSED_SIZE = 6,
    FLOE_PQ_CMD_TOTAL_COMPRESSED_SIZE = 7,
    FLOE_PQ_CMD_KEY_VALUE_METADATA = 8,
    FLOE_PQ_CMD_DATA_PAGE_OFFSET = 9,
    FLOE_PQ_CMD_INDEX_PAGE_OFFSET = 10,
    FLOE_PQ_CMD_DICTIONARY_PAGE_OFFSET = 11,
    FLOE_PQ_CMD_STATISTICS = 12,
    FLOE_PQ_CMD_ENCODING_STATS = 13,
};

enum floe_pq_statistics_field {
    FLOE_PQ_ST_MAX = 1,
    FLOE_PQ_ST_MIN = 2,
    FLOE_PQ_ST_NULL_COUNT = 3,
    FLOE_PQ_ST_DISTINCT_COUNT = 4,
    FLOE_PQ_ST_MAX_VALUE = 5,
    FLOE_PQ_ST_MIN_VALUE = 6,
    FLOE_PQ_ST_IS_MAX_VALUE_EXACT = 7,
    FLOE_PQ_ST_IS_MIN_VALUE_EXACT = 8,
    FLOE_PQ_ST_NAN_COUNT = 9,
};

enum floe_pq_key_value_field { FLOE_PQ_KV_KEY = 1, FLOE_PQ_KV_VALUE = 2 };

enum floe_pq_encoding_stats_field {
    FLOE_PQ_ES_PAGE_TYPE = 1,
    FLOE_PQ_ES_ENCODING = 2,
    FLOE_PQ_ES_COUNT = 3,
};

enum floe_pq_decimal_type_field { FLOE_PQ_DEC_SCALE = 1, FLOE_PQ_DEC_PRECISION = 2 };
enum floe_pq_time_type_field { FLOE_PQ_TIME_ADJUSTED_TO_UTC = 1, FLOE_PQ_TIME_UNIT = 2 };
enum floe_pq_int_type_field { FLOE_PQ_INT_BIT_WIDTH = 1, FLOE_PQ_INT_IS_SIGNED = 2 };

enum floe_pq_page_header_field {
    FLOE_PQ_PH_TYPE = 1,
    FLOE_PQ_PH_UNCOMPRESSED_PAGE_SIZE = 2,
    FLOE_PQ_PH_COMPRESSED_PAGE_SIZE = 3,
    FLOE_PQ_PH_CRC = 4,
    FLOE_PQ_PH_DATA_PAGE_HEADER = 5,
    FLOE_PQ_PH_INDEX_PAGE_HEADER = 6,
    FLOE_PQ_PH_DICTIONARY_PAGE_HEADER = 7,
    FLOE_PQ_PH_DATA_PAGE_HEADER_V2 = 8,
};

enum floe_pq_data_page_header_field {
    FLOE_PQ_DPH_NUM_VALUES = 1,
    FLOE_PQ_DPH_ENCODING = 2,
    FLOE_PQ_DPH_DEFINITION_LEVEL_ENCODING = 3,
    FLOE_PQ_DPH_REPETITION_LEVEL_ENCODING = 4,
    FLOE_PQ_DPH_STATISTICS = 5,
};

enum floe_pq_dictionary_page_header_field {
    FLOE_PQ_DIC_NUM_VALUES = 1,
    FLOE_PQ_DIC_ENCODING = 2,
    FLOE_PQ_DIC_IS_SORTED = 3,
};

enum floe_pq_data_page_header_v2_field {
    FLOE_PQ_DPH2_NUM_VALUES = 1,
    FLOE_PQ_DPH2_NUM_NULLS = 2,
    FLOE_PQ_DPH2_NUM_ROWS = 3,
    FLOE_PQ_DPH2_ENCODING = 4,
    FLOE_PQ_DPH2_DEFINITION_LEVELS_BYTE_LENGTH = 5,
    FLOE_PQ_DPH2_REPETITION_LEVELS_BYTE_LENGTH = 6,
    FLOE_PQ_DPH2_IS_COMPRESSED = 7,
    FLOE_PQ_DPH2_STATISTICS = 8,
};

#endif
