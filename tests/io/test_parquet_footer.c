/*
 * Description: Parquet footers — framing checks, FileMetaData decoding of every fixture in
 * tests/data/parquet (the bad_data ones fail cleanly or open when only their pages are bad),
 * facts of public files checked against what their producers documented (alltypes_plain: 8 rows,
 * Impala's 11 columns), schema mapping to Floe types (including a hand-built footer with every
 * logical type), nested columns marked unsupported, page headers (v1, dictionary, v2), every
 * truncation of a file and of a footer, and allocation failure at every allocation.
 */
#include "io/parquet_footer.h"
#include "kernels/memory.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *data_directory(void)
{
    const char *directory = getenv("FLOE_TEST_DATA");
    return directory != NULL ? directory : "tests/data";
}

static void fixture_path(char *path, size_t size, const char *name)
{
    snprintf(path, size, "%s/parquet/%s", data_directory(), name);
}

/* Reads a whole fixture into malloc'ed memory (test code: plain malloc). */
static uint8_t *read_fixture(const char *name, size_t *size)
{
    char path[4096];
    fixture_path(path, sizeof path, name);
    FILE *file = fopen(path, "rb");
    ck_assert_msg(file != NULL, "cannot open %s", path);
    fseek(file, 0, SEEK_END);
    long length = ftell(file);
    fseek(file, 0, SEEK_SET);
    uint8_t *bytes = malloc((size_t)length + 1);
    ck_assert_ptr_nonnull(bytes);
    ck_assert_uint_eq(fread(bytes, 1, (size_t)length, file), (size_t)length);
    fclose(file);
    *size = (size_t)length;
    return bytes;
}

static floe_pq_file_metadata *open_fixture(const char *name)
{
    char path[4096];
    fixture_path(path, sizeof path, name);
    floe_error err;
    floe_error_clear(&err);
    floe_pq_file_metadata *metadata = NULL;
    int status = floe_pq_file_metadata_open(path, &metadata, &err);
    ck_assert_msg(status == FLOE_OK, "%s: %s", name, err.message);
    return metadata;
}

static char type_text[64];
static const char *type_name(floe_type type)
{
    return floe_type_format(type, type_text, sizeof type_text);
}

START_TEST(every_fixture_opens)
{
    char directory_path[4096];
    snprintf(directory_path, sizeof directory_path, "%s/parquet", data_directory());
    DIR *directory = opendir(directory_path);
    ck_assert_ptr_nonnull(directory);
    int opened = 0;
    struct dirent *entry;
    while ((entry = readdir(directory)) != NULL) {
        size_t length = strlen(entry->d_name);
        if (length < 8 || strcmp(entry->d_name + length - 8, ".parquet") != 0) continue;
        floe_pq_file_metadata *metadata = open_fixture(entry->d_name);
        ck_assert_uint_ge(metadata->schema_count, 2);
        ck_assert_uint_ge(metadata->column_count, 1);
        ck_assert_uint_ge(metadata->row_group_count, 1);
        int64_t rows = 0;
        for (uint32_t g = 0; g < metadata->row_group_count; g++) {
            rows += metadata->row_groups[g].num_rows;
            for (uint32_t c = 0; c < metadata->row_groups[g].column_count; c++) {
                const floe_pq_column_metadata *meta = metadata->row_groups[g].columns[c].meta_data;
                ck_assert_ptr_nonnull(meta);
                ck_assert_uint_ge(meta->path_length, 1);
                ck_assert_str_eq(meta->path_in_schema[meta->path_length - 1],
                                 metadata->columns[c].name);
            }
        }
        ck_assert_msg(rows == metadata->num_rows, "%s: row groups add up to %lld, not %lld",
                      entry->d_name, (long long)rows, (long long)metadata->num_rows);
        floe_pq_file_metadata_free(metadata);
        opened++;
    }
    closedir(directory);
    ck_assert_int_ge(opened, 30);
}
END_TEST

/* bad_data/README.md: PARQUET-1481 has a corrupted schema Thrift value; ARROW-GH-41317's footer
 * is damaged too (its chunks disagree); the others have bad pages but sound footers. */
START_TEST(bad_data_fails_cleanly_or_opens)
{
    static const struct {
        const char *name;
        int status;
        const char *message_part;
    } cases[] = {
        {"bad_data/PARQUET-1481.parquet", FLOE_ECORRUPT, "bad physical type -7"},
        {"bad_data/ARROW-GH-41317.parquet", FLOE_ECORRUPT, "row group 1"},
        {"bad_data/ARROW-GH-41321.parquet", FLOE_OK, NULL},
        {"bad_data/ARROW-GH-43605.parquet", FLOE_OK, NULL},
        {"bad_data/ARROW-GH-47662.parquet", FLOE_OK, NULL},
        {"bad_data/ARROW-RS-GH-6229-DICTHEADER.parquet", FLOE_OK, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[4096];
        fixture_path(path, sizeof path, cases[i].name);
        floe_error err;
        floe_error_clear(&err);
        floe_pq_file_metadata *metadata = NULL;
        int status = floe_pq_file_metadata_open(path, &metadata, &err);
        ck_assert_msg(status == cases[i].status, "%s: %d %s", cases[i].name, status,
                      err.message);
        if (status == FLOE_OK) {
            ck_assert_ptr_nonnull(metadata);
            floe_pq_file_metadata_free(metadata);
        } else {
            ck_assert_ptr_null(metadata);
            ck_assert_ptr_nonnull(strstr(err.message, path)); /* names the file */
            ck_assert_msg(strstr(err.message, cases[i].message_part) != NULL, "%s",
                          err.message);
            ck_assert_ptr_null(strchr(err.message, '\n'));
        }
    }
}
END_TEST

/* alltypes_plain.parquet is Impala's "alltypes" test table (parquet-testing): 8 rows, these
 * columns and physical types. */
START_TEST(alltypes_plain_facts)
{
    floe_pq_file_metadata *metadata = open_fixture("alltypes_plain.parquet");
    ck_assert_int_eq(metadata->num_rows, 8);
    ck_assert_uint_eq(metadata->row_group_count, 1);
    ck_assert_int_eq(metadata->row_groups[0].num_rows, 8);
    ck_assert_ptr_nonnull(metadata->created_by);
    ck_assert_ptr_nonnull(strstr(metadata->created_by, "impala"));
    static const struct {
        const char *name;
        int32_t physical;
        floe_type_id floe;
    } expected[] = {
        {"id", FLOE_PQ_INT32, FLOE_TYPE_INT32},
        {"bool_col", FLOE_PQ_BOOLEAN, FLOE_TYPE_BOOLEAN},
        {"tinyint_col", FLOE_PQ_INT32, FLOE_TYPE_INT32},
        {"smallint_col", FLOE_PQ_INT32, FLOE_TYPE_INT32},
        {"int_col", FLOE_PQ_INT32, FLOE_TYPE_INT32},
        {"bigint_col", FLOE_PQ_INT64, FLOE_TYPE_INT64},
        {"float_col", FLOE_PQ_FLOAT, FLOE_TYPE_FLOAT32},
        {"double_col", FLOE_PQ_DOUBLE, FLOE_TYPE_FLOAT64},
        {"date_string_col", FLOE_PQ_BYTE_ARRAY, FLOE_TYPE_BINARY},
        {"string_col", FLOE_PQ_BYTE_ARRAY, FLOE_TYPE_BINARY},
        {"timestamp_col", FLOE_PQ_INT96, FLOE_TYPE_TIMESTAMP},
    };
    ck_assert_uint_eq(metadata->column_count, 11);
    ck_assert_str_eq(metadata->schema[0].name, "schema");
    for (uint32_t i = 0; i < 11; i++) {
        const floe_pq_column *column = &metadata->columns[i];
        ck_assert_str_eq(column->name, expected[i].name);
        ck_assert_str_eq(column->path, expected[i].name);
        ck_assert_int_eq(column->physical_type, expected[i].physical);
        ck_assert_int_eq(column->type.id, expected[i].floe);
        ck_assert_int_eq(column->max_definition_level, 1); /* Impala writes OPTIONAL */
        ck_assert_int_eq(column->max_repetition_level, 0);
        ck_assert_ptr_null(column->unsupported_reason);
        ck_assert_int_eq(floe_pq_column_require(column, NULL), FLOE_OK);
        const floe_pq_column_metadata *meta = metadata->row_groups[0].columns[i].meta_data;
        ck_assert_int_eq(meta->num_values, 8);
        ck_assert_int_eq(meta->type, expected[i].physical);
        ck_assert_int_eq(meta->codec, 0 /* UNCOMPRESSED */);
    }
    ck_assert_int_eq(metadata->columns[10].conversion, FLOE_PQ_CONVERT_INT96_TIMESTAMP);
    ck_assert_ptr_eq(floe_pq_file_metadata_find_column(metadata, "bigint_col"),
                     &metadata->columns[5]);
    ck_assert_ptr_null(floe_pq_file_metadata_find_column(metadata, "nope"));
    floe_pq_file_metadata_free(metadata);
}
END_TEST

START_TEST(decimal_and_logical_type_fixtures)
{
    static const struct {
        const char *file;
        const char *column;
        const char *floe;
        int32_t conversion;
    } cases[] = {
        /* parquet-testing's README: decimals of precision 4/10/25/13 and scale 2. */
        {"int32_decimal.parquet", "value", "DECIMAL(4,2)", FLOE_PQ_CONVERT_NONE},
        {"int64_decimal.parquet", "value", "DECIMAL(10,2)", FLOE_PQ_CONVERT_NONE},
        {"fixed_length_decimal.parquet", "value", "DECIMAL(25,2)",
         FLOE_PQ_CONVERT_BIG_ENDIAN_DECIMAL},
        {"fixed_length_decimal_legacy.parquet", "value", "DECIMAL(13,2)",
         FLOE_PQ_CONVERT_BIG_ENDIAN_DECIMAL},
        {"byte_array_decimal.parquet", "value", "DECIMAL(4,2)",
         FLOE_PQ_CONVERT_BIG_ENDIAN_DECIMAL},
        /* Arrow's own test file: column names say the Arrow type written. */
        {"bad_data/ARROW-GH-41321.parquet", "uint64", "DECIMAL(20,0)", FLOE_PQ_CONVERT_ZERO_EXTEND},
        {"bad_data/ARROW-GH-41321.parquet", "uint8", "INTEGER", FLOE_PQ_CONVERT_NONE},
        {"bad_data/ARROW-GH-41321.parquet", "date32", "DATE", FLOE_PQ_CONVERT_NONE},
        {"bad_data/ARROW-GH-41321.parquet", "timestamp_ms_gmt", "TIMESTAMPTZ",
         FLOE_PQ_CONVERT_MULTIPLY_1000},
        {"bad_data/ARROW-GH-41321.parquet", "timestamp_us_no_tz", "TIMESTAMP",
         FLOE_PQ_CONVERT_NONE},
        {"bad_data/ARROW-GH-41321.parquet", "time64_ns", "BIGINT", FLOE_PQ_CONVERT_DIVIDE_1000},
        {"bad_data/ARROW-GH-41321.parquet", "time32_ms", "BIGINT",
         FLOE_PQ_CONVERT_MULTIPLY_1000},
        {"bad_data/ARROW-GH-41321.parquet", "string", "VARCHAR", FLOE_PQ_CONVERT_NONE},
        {"bad_data/ARROW-GH-41321.parquet", "decimal128", "DECIMAL(7,3)",
         FLOE_PQ_CONVERT_BIG_ENDIAN_DECIMAL},
        {"alltypes_tiny_pages_plain.parquet", "string_col", "VARCHAR", FLOE_PQ_CONVERT_NONE},
        /* A logical type this reader does not know falls back to the physical type. */
        {"unknown-logical-type.parquet", "column with unknown type", "BLOB",
         FLOE_PQ_CONVERT_NONE},
        {"unknown-logical-type.parquet", "column with known type", "VARCHAR",
         FLOE_PQ_CONVERT_NONE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        floe_pq_file_metadata *metadata = open_fixture(cases[i].file);
        const floe_pq_column *column =
            floe_pq_file_metadata_find_column(metadata, cases[i].column);
        ck_assert_msg(column != NULL, "%s: no column %s", cases[i].file, cases[i].column);
        ck_assert_msg(strcmp(type_name(column->type), cases[i].floe) == 0, "%s %s: %s",
                      cases[i].file, cases[i].column, type_name(column->type));
        ck_assert_int_eq(column->conversion, cases[i].conversion);
        floe_pq_file_metadata_free(metadata);
    }
}
END_TEST

START_TEST(nested_columns_are_marked_unsupported)
{
    floe_pq_file_metadata *metadata = open_fixture("nested_lists.snappy.parquet");
    ck_assert_int_eq(metadata->num_rows, 3);
    ck_assert_uint_eq(metadata->column_count, 2);
    const floe_pq_column *nested = &metadata->columns[0];
    ck_assert_str_eq(nested->path, "a.list.element.list.element.list.element");
    ck_assert_int_eq(nested->max_repetition_level, 3);
    floe_error err;
    ck_assert_int_eq(floe_pq_column_require(nested, &err), FLOE_EUNSUPPORTED);
    ck_assert_str_eq(err.message,
                     "unsupported nested column a.list.element.list.element.list.element");
    const floe_pq_column *flat = floe_pq_file_metadata_find_column(metadata, "b");
    ck_assert_ptr_nonnull(flat);
    ck_assert_int_eq(floe_pq_column_require(flat, &err), FLOE_OK);
    ck_assert_int_eq(flat->type.id, FLOE_TYPE_INT32);
    floe_pq_file_metadata_free(metadata);

    /* A struct member is nested too, though not repeated. */
    metadata = open_fixture("nulls.snappy.parquet");
    ck_assert_int_eq(floe_pq_column_require(&metadata->columns[0], &err), FLOE_EUNSUPPORTED);
    ck_assert_str_eq(err.message, "unsupported nested column b_struct.b_c_int");
    floe_pq_file_metadata_free(metadata);
}
END_TEST

START_TEST(framing_errors)
{
    size_t size;
    uint8_t *file = read_fixture("alltypes_plain.parquet", &size);
    floe_pq_file_metadata *metadata;
    floe_error err;
    ck_assert_int_eq(floe_pq_file_metadata_parse(file, size, &metadata, &err), FLOE_OK);
    floe_pq_file_metadata_free(metadata);

    uint8_t *copy = malloc(size);
    /* Footer length pointing before the start of the file, and past it. */
    memcpy(copy, file, size);
    copy[size - 8] = 0xff, copy[size - 7] = 0xff, copy[size - 6] = 0, copy[size - 5] = 0;
    ck_assert_int_eq(floe_pq_file_metadata_parse(copy, size, &metadata, &err), FLOE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "points outside the file"));
    ck_assert_ptr_null(metadata);
    copy[size - 5] = 0xff;
    ck_assert_int_eq(floe_pq_file_metadata_parse(copy, size, &metadata, &err), FLOE_ECORRUPT);
    /* Length 0, and a length one byte short (the footer then starts inside the data). */
    memcpy(copy, file, size);
    memset(copy + size - 8, 0, 4);
    ck_assert_int_eq(floe_pq_file_metadata_parse(copy, size, &metadata, &err), FLOE_ECORRUPT);
    /* Bad magic at either end; encrypted footer. */
    memcpy(copy, file, size);
    copy[0] = 'X';
    ck_assert_int_eq(floe_pq_file_metadata_parse(copy, size, &metadata, &err), FLOE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "at its start"));
    memcpy(copy, file, size);
    copy[size - 1] = 'X';
    ck_assert_int_eq(floe_pq_file_metadata_parse(copy, size, &metadata, &err), FLOE_ECORRUPT);
    copy[size - 1] = 'E';
    ck_assert_int_eq(floe_pq_file_metadata_parse(copy, size, &metadata, &err),
                     FLOE_EUNSUPPORTED);
    /* Too short to be a file at all. */
    ck_assert_int_eq(floe_pq_file_metadata_parse("PAR1PAR1", 8, &metadata, &err),
                     FLOE_ECORRUPT);
    /* A missing file is -ENOENT with the path. */
    ck_assert_int_lt(floe_pq_file_metadata_open("/nonexistent/x.parquet", &metadata, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent/x.parquet"));
    free(copy);
    free(file);
}
END_TEST

/* Every prefix of a file fails cleanly (a cut file has no valid tail), and so does every
 * truncation of its footer re-framed with a correct length (the Thrift decoder runs out of
 * bytes at every possible point). */
START_TEST(every_truncation_fails_cleanly)
{
    size_t size;
    uint8_t *file = read_fixture("int32_decimal.parquet", &size);
    floe_pq_file_metadata *metadata;
    floe_error err;
    for (size_t cut = 0; cut < size; cut++) {
        uint8_t *prefix = malloc(cut + 1); /* exact-size copy so ASan sees any over-read */
        memcpy(prefix, file, cut);
        int status = floe_pq_file_metadata_parse(prefix, cut, &metadata, &err);
        ck_assert_msg(status == FLOE_ECORRUPT, "cut %zu: %d", cut, status);
        ck_assert_ptr_null(metadata);
        free(prefix);
    }
    uint32_t footer_size = (uint32_t)file[size - 8] | (uint32_t)file[size - 7] << 8 |
                           (uint32_t)file[size - 6] << 16 | (uint32_t)file[size - 5] << 24;
    size_t footer_offset = size - 8 - footer_size;
    for (uint32_t keep = 0; keep < footer_size; keep++) {
        size_t image_size = footer_offset + keep + 8;
        uint8_t *image = malloc(image_size);
        memcpy(image, file, footer_offset + keep);
        uint8_t *tail = image + footer_offset + keep;
        tail[0] = (uint8_t)keep, tail[1] = (uint8_t)(keep >> 8), tail[2] = 0, tail[3] = 0;
        memcpy(tail + 4, "PAR1", 4);
        int status = floe_pq_file_metadata_parse(image, image_size, &metadata, &err);
        ck_assert_msg(status == FLOE_ECORRUPT, "footer cut at %u: %d", keep, status);
        ck_assert_ptr_null(metadata);
        /* The direct footer entry point sees the same bytes. */
        status = floe_pq_file_metadata_parse_footer(image + footer_offset, keep, footer_offset,
                                                    image_size, &metadata, &err);
        ck_assert_int_eq(status, FLOE_ECORRUPT);
        free(image);
    }
    free(file);
}
END_TEST

START_TEST(allocation_failure_at_every_allocation)
{
    char path[4096];
    fixture_path(path, sizeof path, "alltypes_tiny_pages_plain.parquet");
    int failures = 0;
    for (long allowed = 0;; allowed++) {
        floe_set_allocation_failure_after(allowed);
        floe_error err;
        floe_pq_file_metadata *metadata = NULL;
        int status = floe_pq_file_metadata_open(path, &metadata, &err);
        floe_set_allocation_failure_after(-1);
        if (status == FLOE_OK) {
            ck_assert_int_eq(metadata->num_rows, 7300);
            floe_pq_file_metadata_free(metadata);
            break;
        }
        ck_assert_int_eq(status, FLOE_ENOMEM);
        ck_assert_ptr_null(metadata);
        failures++;
        ck_assert_int_lt(allowed, 10000);
    }
    ck_assert_int_ge(failures, 2);
}
END_TEST

/* ---- a tiny Thrift compact writer to build footers by hand ---- */

typedef struct writer {
    uint8_t bytes[4096];
    size_t size;
    int16_t last_id[16];
    int depth;
} writer;

static void put(writer *w, uint8_t byte)
{
    ck_assert_uint_lt(w->size, sizeof w->bytes);
    w->bytes[w->size++] = byte;
}

static void put_varint(writer *w, uint64_t value)
{
    while (value >= 0x80) {
        put(w, (uint8_t)(value | 0x80));
        value >>= 7;
    }
    put(w, (uint8_t)value);
}

static void put_zigzag(writer *w, int64_t value)
{
    put_varint(w, ((uint64_t)value << 1) ^ (uint64_t)(value >> 63));
}

static void field(writer *w, int16_t id, uint8_t type)
{
    int16_t delta = (int16_t)(id - w->last_id[w->depth]);
    if (delta > 0 && delta <= 15) {
        put(w, (uint8_t)(delta << 4 | type));
    } else {
        put(w, type);
        put_zigzag(w, id);
    }
    w->last_id[w->depth] = id;
}

static void begin(writer *w) { w->last_id[++w->depth] = 0; }
static void end(writer *w) { put(w, 0); w->depth--; }
static void field_int(writer *w, int16_t id, int64_t value) { field(w, id, 5); put_zigzag(w, value); }
static void field_i64(writer *w, int16_t id, int64_t value) { field(w, id, 6); put_zigzag(w, value); }
static void field_bool(writer *w, int16_t id, bool value) { field(w, id, value ? 1 : 2); }
static void field_string(writer *w, int16_t id, const char *text)
{
    field(w, id, 8);
    put_varint(w, strlen(text));
    for (const char *c = text; *c; c++) put(w, (uint8_t)*c);
}
static void field_struct(writer *w, int16_t id) { field(w, id, 12); begin(w); }
static void field_list(writer *w, int16_t id, uint8_t element_type, uint32_t count)
{
    field(w, id, 9);
    if (count < 15) {
        put(w, (uint8_t)(count << 4 | element_type));
    } else {
        put(w, (uint8_t)(0xF0 | element_type));
        put_varint(w, count);
    }
}

typedef struct leaf_spec {
    const char *name;
    int physical;
    int type_length;      /* 0: absent */
    int converted;        /* -1: absent */
    int logical;          /* 0: absent, else the union member id */
    int unit;             /* TIME / TIMESTAMP */
    bool utc;
    int bits;             /* INTEGER */
    bool is_signed;
    int precision, scale; /* DECIMAL (also written as SchemaElement fields) */
    const char *expected; /* Floe type name */
    int conversion;
} leaf_spec;

static void write_leaf(writer *w, const leaf_spec *leaf, int16_t field_id)
{
    begin(w);
    field_int(w, 1, leaf->physical);
    if (leaf->type_length) field_int(w, 2, leaf->type_length);
    field_int(w, 3, 1); /* OPTIONAL */
    field_string(w, 4, leaf->name);
    if (leaf->converted >= 0) field_int(w, 6, leaf->converted);
    if (leaf->precision) {
        field_int(w, 7, leaf->scale);
        field_int(w, 8, leaf->precision);
    }
    field_int(w, 9, field_id);
    if (leaf->logical) {
        field_struct(w, 10);
        field_struct(w, (int16_t)leaf->logical);
        if (leaf->logical == 5) {
            field_int(w, 1, leaf->scale);
            field_int(w, 2, leaf->precision);
        } else if (leaf->logical == 7 || leaf->logical == 8) {
            field_bool(w, 1, leaf->utc);
            field_struct(w, 2);
            field_struct(w, (int16_t)leaf->unit);
            end(w);
            end(w);
        } else if (leaf->logical == 10) {
            field(w, 1, 3);
            put(w, (uint8_t)leaf->bits);
            field_bool(w, 2, leaf->is_signed);
        }
        end(w);
        end(w);
    }
    end(w);
}

/* FileMetaData with a root and the given leaves, no row groups (0 rows). */
static void write_footer(writer *w, const leaf_spec *leaves, int count)
{
    memset(w, 0, sizeof *w);
    begin(w);
    field_int(w, 1, 2);
    field_list(w, 2, 12, (uint32_t)count + 1);
    begin(w);
    field_string(w, 4, "root");
    field_int(w, 5, count);
    end(w);
    for (int i = 0; i < count; i++) write_leaf(w, &leaves[i], (int16_t)(100 + i));
    field_i64(w, 3, 0);
    field_list(w, 4, 12, 0);
    field_list(w, 5, 12, 1);
    begin(w);
    field_string(w, 1, "writer.key");
    field_string(w, 2, "value");
    end(w);
    field_string(w, 6, "floe test writer");
    end(w);
}

START_TEST(hand_built_schema_maps_every_logical_type)
{
    enum { MILLIS = 1, MICROS = 2, NANOS = 3 };
    static const leaf_spec leaves[] = {
        {"ts_nanos_utc", FLOE_PQ_INT64, 0, -1, 8, NANOS, true, 0, false, 0, 0, "TIMESTAMPTZ",
         FLOE_PQ_CONVERT_DIVIDE_1000},
        {"ts_millis_local", FLOE_PQ_INT64, 0, -1, 8, MILLIS, false, 0, false, 0, 0, "TIMESTAMP",
         FLOE_PQ_CONVERT_MULTIPLY_1000},
        {"ts_legacy_micros", FLOE_PQ_INT64, 0, FLOE_PQ_CT_TIMESTAMP_MICROS, 0, 0, false, 0, false,
         0, 0, "TIMESTAMPTZ", FLOE_PQ_CONVERT_NONE},
        {"time_millis", FLOE_PQ_INT32, 0, -1, 7, MILLIS, true, 0, false, 0, 0, "BIGINT",
         FLOE_PQ_CONVERT_MULTIPLY_1000},
        {"time_nanos", FLOE_PQ_INT64, 0, -1, 7, NANOS, false, 0, false, 0, 0, "BIGINT",
         FLOE_PQ_CONVERT_DIVIDE_1000},
        {"u8", FLOE_PQ_INT32, 0, -1, 10, 0, false, 8, false, 0, 0, "INTEGER",
         FLOE_PQ_CONVERT_NONE},
        {"u32", FLOE_PQ_INT32, 0, -1, 10, 0, false, 32, false, 0, 0, "BIGINT",
         FLOE_PQ_CONVERT_ZERO_EXTEND},
        {"u32_legacy", FLOE_PQ_INT32, 0, FLOE_PQ_CT_UINT_32, 0, 0, false, 0, false, 0, 0,
         "BIGINT", FLOE_PQ_CONVERT_ZERO_EXTEND},
        {"u64", FLOE_PQ_INT64, 0, -1, 10, 0, false, 64, false, 0, 0, "DECIMAL(20,0)",
         FLOE_PQ_CONVERT_ZERO_EXTEND},
        {"i16", FLOE_PQ_INT32, 0, FLOE_PQ_CT_INT_16, 10, 0, false, 16, true, 0, 0, "INTEGER",
         FLOE_PQ_CONVERT_NONE},
        {"half", FLOE_PQ_FIXED_LEN_BYTE_ARRAY, 2, -1, 15, 0, false, 0, false, 0, 0, "REAL",
         FLOE_PQ_CONVERT_FLOAT16},
        {"uuid", FLOE_PQ_FIXED_LEN_BYTE_ARRAY, 16, -1, 14, 0, false, 0, false, 0, 0, "BLOB",
         FLOE_PQ_CONVERT_NONE},
        {"day", FLOE_PQ_INT32, 0, FLOE_PQ_CT_DATE, 6, 0, false, 0, false, 0, 0, "DATE",
         FLOE_PQ_CONVERT_NONE},
        {"price", FLOE_PQ_INT64, 0, FLOE_PQ_CT_DECIMAL, 5, 0, false, 0, false, 18, 4,
         "DECIMAL(18,4)", FLOE_PQ_CONVERT_NONE},
        {"json", FLOE_PQ_BYTE_ARRAY, 0, FLOE_PQ_CT_JSON, 12, 0, false, 0, false, 0, 0, "VARCHAR",
         FLOE_PQ_CONVERT_NONE},
        {"enum_legacy", FLOE_PQ_BYTE_ARRAY, 0, FLOE_PQ_CT_ENUM, 0, 0, false, 0, false, 0, 0,
         "VARCHAR", FLOE_PQ_CONVERT_NONE},
        {"bson", FLOE_PQ_BYTE_ARRAY, 0, -1, 13, 0, false, 0, false, 0, 0, "BLOB",
         FLOE_PQ_CONVERT_NONE},
        /* A future logical type (id 40) with a legacy UTF8 annotation: read as the latter. */
        {"future", FLOE_PQ_BYTE_ARRAY, 0, FLOE_PQ_CT_UTF8, 40, 0, false, 0, false, 0, 0,
         "VARCHAR", FLOE_PQ_CONVERT_NONE},
        {"interval", FLOE_PQ_FIXED_LEN_BYTE_ARRAY, 12, FLOE_PQ_CT_INTERVAL, 0, 0, false, 0,
         false, 0, 0, "BLOB", FLOE_PQ_CONVERT_NONE},
        {"too_precise", FLOE_PQ_FIXED_LEN_BYTE_ARRAY, 20, FLOE_PQ_CT_DECIMAL, 5, 0, false, 0,
         false, 45, 2, "INVALID", FLOE_PQ_CONVERT_NONE},
    };
    enum { count = sizeof leaves / sizeof leaves[0] };
    writer w;
    write_footer(&w, leaves, count);
    floe_pq_file_metadata *metadata;
    floe_error err;
    int status = floe_pq_file_metadata_parse_footer(w.bytes, w.size, 4, w.size + 12, &metadata,
                                                    &err);
    ck_assert_msg(status == FLOE_OK, "%s", err.message);
    ck_assert_uint_eq(metadata->column_count, count);
    ck_assert_str_eq(metadata->created_by, "floe test writer");
    ck_assert_uint_eq(metadata->key_value_count, 1);
    ck_assert_str_eq(metadata->key_value_metadata[0].key, "writer.key");
    ck_assert_str_eq(metadata->key_value_metadata[0].value, "value");
    for (int i = 0; i < count; i++) {
        const floe_pq_column *column = &metadata->columns[i];
        ck_assert_str_eq(column->name, leaves[i].name);
        ck_assert_msg(strcmp(type_name(column->type), leaves[i].expected) == 0, "%s: %s",
                      leaves[i].name, type_name(column->type));
        ck_assert_msg(column->conversion == leaves[i].conversion, "%s: conversion %d",
                      leaves[i].name, column->conversion);
        ck_assert(column->has_field_id);
        ck_assert_int_eq(column->field_id, 100 + i);
        ck_assert_int_eq(column->max_definition_level, 1);
    }
    ck_assert_int_eq(floe_pq_column_require(&metadata->columns[count - 1], &err),
                     FLOE_EUNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err.message, "DECIMAL(45,2)"));
    floe_pq_file_metadata_free(metadata);
}
END_TEST

START_TEST(malformed_schemas_are_corrupt)
{
    floe_pq_file_metadata *metadata;
    floe_error err;
    writer w;
    /* Root claims 3 children, only 1 follows. */
    memset(&w, 0, sizeof w);
    begin(&w);
    field_int(&w, 1, 1);
    field_list(&w, 2, 12, 2);
    begin(&w);
    field_string(&w, 4, "root");
    field_int(&w, 5, 3);
    end(&w);
    begin(&w);
    field_int(&w, 1, FLOE_PQ_INT32);
    field_string(&w, 4, "x");
    end(&w);
    field_i64(&w, 3, 0);
    field_list(&w, 4, 12, 0);
    end(&w);
    ck_assert_int_eq(floe_pq_file_metadata_parse_footer(w.bytes, w.size, 0, 100, &metadata, &err),
                     FLOE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "expects 2 more children"));
    /* Without row_groups (required). */
    memset(&w, 0, sizeof w);
    begin(&w);
    field_int(&w, 1, 1);
    field_list(&w, 2, 12, 1);
    begin(&w);
    field_string(&w, 4, "root");
    field_int(&w, 5, 0);
    end(&w);
    field_i64(&w, 3, 0);
    end(&w);
    ck_assert_int_eq(floe_pq_file_metadata_parse_footer(w.bytes, w.size, 0, 100, &metadata, &err),
                     FLOE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "row_groups"));
    /* Deeply nested groups: refused, not recursed into. */
    memset(&w, 0, sizeof w);
    begin(&w);
    field_int(&w, 1, 1);
    field_list(&w, 2, 12, 201);
    for (int i = 0; i < 200; i++) {
        begin(&w);
        field_int(&w, 3, 0);
        field_string(&w, 4, "g");
        field_int(&w, 5, 1);
        end(&w);
    }
    begin(&w);
    field_int(&w, 1, FLOE_PQ_INT32);
    field_string(&w, 4, "leaf");
    end(&w);
    field_i64(&w, 3, 0);
    field_list(&w, 4, 12, 0);
    end(&w);
    ck_assert_int_eq(floe_pq_file_metadata_parse_footer(w.bytes, w.size, 0, 100, &metadata, &err),
                     FLOE_EUNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err.message, "nested deeper than 64"));
}
END_TEST

/* Reads the page header at `offset` of a fixture. */
static void page_header_at(const uint8_t *file, size_t size, int64_t offset,
                           floe_pq_page_header *header, size_t *header_size)
{
    floe_error err;
    ck_assert_int_ge(offset, 4);
    ck_assert_int_lt(offset, (int64_t)size);
    int status = floe_pq_page_header_parse(file + offset, size - (size_t)offset, (uint64_t)offset,
                                           header, header_size, &err);
    ck_assert_msg(status == FLOE_OK, "%s", err.message);
}

START_TEST(page_headers_v1_dictionary_and_v2)
{
    size_t size;
    uint8_t *file = read_fixture("alltypes_plain.parquet", &size);
    floe_pq_file_metadata *metadata;
    ck_assert_int_eq(floe_pq_file_metadata_parse(file, size, &metadata, NULL), FLOE_OK);
    const floe_pq_column_metadata *id = metadata->row_groups[0].columns[0].meta_data;
    floe_pq_page_header header;
    size_t header_size;
    /* alltypes_plain's columns are dictionary-encoded: a dictionary page, then a data page. */
    int64_t first = id->has_dictionary_page_offset ? id->dictionary_page_offset
                                                   : id->data_page_offset;
    page_header_at(file, size, first, &header, &header_size);
    ck_assert_int_eq(header.type, FLOE_PQ_DICTIONARY_PAGE);
    ck_assert(header.has_dictionary_page_header);
    ck_assert_int_eq(header.dictionary_page_header.num_values, 8); /* ids 0..7 are distinct */
    ck_assert_int_eq(header.uncompressed_page_size, 32);           /* 8 plain INT32 */
    int64_t next = first + (int64_t)header_size + header.compressed_page_size;
    ck_assert_int_eq(next, id->data_page_offset);
    page_header_at(file, size, next, &header, &header_size);
    ck_assert_int_eq(header.type, FLOE_PQ_DATA_PAGE);
    ck_assert(header.has_data_page_header);
    ck_assert_int_eq(header.data_page_header.num_values, 8);
    ck_assert_int_eq(header.data_page_header.encoding, FLOE_PQ_PLAIN_DICTIONARY);
    /* The column chunk is exactly these two pages. */
    ck_assert_int_eq(next + (int64_t)header_size + header.compressed_page_size - first,
                     id->total_compressed_size);
    /* Every truncation of the header fails cleanly. */
    for (size_t cut = 0; cut < header_size; cut++) {
        uint8_t *prefix = malloc(cut + 1);
        memcpy(prefix, file + next, cut);
        floe_error err;
        ck_assert_int_eq(floe_pq_page_header_parse(prefix, cut, (uint64_t)next, &header,
                                                   &header_size, &err),
                         FLOE_ECORRUPT);
        free(prefix);
    }
    floe_pq_file_metadata_free(metadata);
    free(file);

    file = read_fixture("datapage_v2.snappy.parquet", &size);
    ck_assert_int_eq(floe_pq_file_metadata_parse(file, size, &metadata, NULL), FLOE_OK);
    const floe_pq_column_metadata *b = metadata->row_groups[0].columns[1].meta_data;
    first = b->has_dictionary_page_offset && b->dictionary_page_offset > 0
                ? b->dictionary_page_offset
                : b->data_page_offset;
    page_header_at(file, size, first, &header, &header_size);
    while (header.type == FLOE_PQ_DICTIONARY_PAGE) {
        first += (int64_t)header_size + header.compressed_page_size;
        page_header_at(file, size, first, &header, &header_size);
    }
    ck_assert_int_eq(header.type, FLOE_PQ_DATA_PAGE_V2);
    ck_assert(header.has_data_page_header_v2);
    ck_assert_int_eq(header.data_page_header_v2.num_values, 5);
    ck_assert_int_eq(header.data_page_header_v2.num_rows, 5);
    ck_assert_int_eq(header.data_page_header_v2.repetition_levels_byte_length, 0);
    floe_pq_file_metadata_free(metadata);
    free(file);
}
END_TEST

START_TEST(malformed_page_headers)
{
    floe_pq_page_header header;
    size_t header_size;
    floe_error err;
    writer w;
    /* A DATA_PAGE without its data_page_header. */
    memset(&w, 0, sizeof w);
    begin(&w);
    field_int(&w, 1, FLOE_PQ_DATA_PAGE);
    field_int(&w, 2, 10);
    field_int(&w, 3, 10);
    end(&w);
    ck_assert_int_eq(floe_pq_page_header_parse(w.bytes, w.size, 0, &header, &header_size, &err),
                     FLOE_ECORRUPT);
    /* A negative compressed size. */
    memset(&w, 0, sizeof w);
    begin(&w);
    field_int(&w, 1, FLOE_PQ_DICTIONARY_PAGE);
    field_int(&w, 2, 10);
    field_int(&w, 3, -5);
    end(&w);
    ck_assert_int_eq(floe_pq_page_header_parse(w.bytes, w.size, 0, &header, &header_size, &err),
                     FLOE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "compressed_page_size is -5"));
    /* A v2 header without is_compressed defaults to compressed; negative dictionary count. */
    memset(&w, 0, sizeof w);
    begin(&w);
    field_int(&w, 1, FLOE_PQ_DATA_PAGE_V2);
    field_int(&w, 2, 10);
    field_int(&w, 3, 10);
    field_struct(&w, 8);
    for (int16_t id = 1; id <= 6; id++) field_int(&w, id, id == 2 ? 1 : 3);
    end(&w);
    end(&w);
    put(&w, 0xEE); /* page data follows the header */
    ck_assert_int_eq(floe_pq_page_header_parse(w.bytes, w.size, 0, &header, &header_size, &err),
                     FLOE_OK);
    ck_assert(header.data_page_header_v2.is_compressed);
    ck_assert_int_eq(header.data_page_header_v2.num_nulls, 1);
    ck_assert_uint_eq(header_size, w.size - 1);
    memset(&w, 0, sizeof w);
    begin(&w);
    field_int(&w, 1, FLOE_PQ_DICTIONARY_PAGE);
    field_int(&w, 2, 10);
    field_int(&w, 3, 10);
    field_struct(&w, 7);
    field_int(&w, 1, -1);
    field_int(&w, 2, 0);
    end(&w);
    end(&w);
    ck_assert_int_eq(floe_pq_page_header_parse(w.bytes, w.size, 0, &header, &header_size, &err),
                     FLOE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "num_values is -1"));
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("parquet_footer");
    TCase *files = tcase_create("files");
    tcase_set_timeout(files, 120);
    tcase_add_test(files, every_fixture_opens);
    tcase_add_test(files, bad_data_fails_cleanly_or_opens);
    tcase_add_test(files, alltypes_plain_facts);
    tcase_add_test(files, decimal_and_logical_type_fixtures);
    tcase_add_test(files, nested_columns_are_marked_unsupported);
    tcase_add_test(files, framing_errors);
    tcase_add_test(files, every_truncation_fails_cleanly);
    tcase_add_test(files, allocation_failure_at_every_allocation);
    suite_add_tcase(suite, files);
    TCase *built = tcase_create("hand_built");
    tcase_add_test(built, hand_built_schema_maps_every_logical_type);
    tcase_add_test(built, malformed_schemas_are_corrupt);
    tcase_add_test(built, page_headers_v1_dictionary_and_v2);
    tcase_add_test(built, malformed_page_headers);
    suite_add_tcase(suite, built);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
