/*
 * Description: writes the Parquet samples that tests/interop/parquet_writer.test.mjs reads with
 * DuckDB, and checks them with Floe's footer reader. Run alone (ctest) it writes into a temporary
 * directory and removes it; with FLOE_PARQUET_SAMPLES_DIR set it writes there and keeps them:
 *
 *   types_zstd.parquet, types_snappy.parquet, types_uncompressed.parquet
 *       every Floe type, about half NULL, 6000 rows in row groups of 2500, 4 KiB pages
 *   types.jsonl        the generator's values for those (one JSON object per row)
 *   realistic.parquet  100 000 rows (int64 ids, low-cardinality strings, doubles, timestamps,
 *                      decimals, small ints), default options (ZSTD level 3)
 *   realistic.jsonl    its values
 *   fallback.parquet   a string column whose dictionary overflows (then PLAIN pages)
 *   fallback.jsonl     its values
 *   empty.parquet      the types schema with no rows
 *
 * The sidecars are written from the generator inputs, never from reading a file back, so DuckDB
 * is compared against what was meant. Text forms: int64, timestamps (microseconds) and decimals
 * (their SQL text with every scale digit) as JSON strings, dates as day numbers, floats as numbers
 * or "NaN"/"-0", binary as upper-case hex.
 */
#define _DEFAULT_SOURCE /* mkdtemp under -std=c11 */

#include "io/parquet_footer.h"
#include "io/parquet_writer.h"

#include <check.h>
#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char directory[4096];
static bool keep_files;

static uint64_t mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

static void path_of(char *path, size_t size, const char *name)
{
    snprintf(path, size, "%s/%s", directory, name);
}

static void int128_text(floe_int128 value, unsigned scale, char *out)
{
    char digits[64];
    int n = 0;
    bool negative = value < 0;
    floe_uint128 magnitude = negative ? (floe_uint128)0 - (floe_uint128)value : (floe_uint128)value;
    do {
        digits[n++] = (char)('0' + (int)(magnitude % 10));
        magnitude /= 10;
    } while (magnitude != 0 || n <= (int)scale);
    int at = 0;
    if (negative) out[at++] = '-';
    for (int i = n - 1; i >= 0; i--) {
        out[at++] = digits[i];
        if (i == (int)scale && scale > 0) out[at++] = '.';
    }
    out[at] = '\0';
}

static void float_json(FILE *out, double value, bool is_float32)
{
    if (isnan(value)) {
        fputs("\"NaN\"", out);
    } else if (value == 0.0 && signbit(value)) {
        fputs("\"-0\"", out);
    } else {
        fprintf(out, is_float32 ? "%.9g" : "%.17g", value);
    }
}

/* ---- the types table ----------------------------------------------------------------------- */

enum { TYPE_COLUMNS = 14 };
static const char *const type_names[TYPE_COLUMNS] = {
    "flag", "i32", "i64", "f32", "f64", "day", "ts", "tstz", "dec9", "dec18", "dec38", "name",
    "blob", "row_id",
};

static floe_type type_of(int c)
{
    static const floe_type_id ids[TYPE_COLUMNS] = {
        FLOE_TYPE_BOOLEAN, FLOE_TYPE_INT32, FLOE_TYPE_INT64, FLOE_TYPE_FLOAT32, FLOE_TYPE_FLOAT64,
        FLOE_TYPE_DATE, FLOE_TYPE_TIMESTAMP, FLOE_TYPE_TIMESTAMPTZ, FLOE_TYPE_DECIMAL,
        FLOE_TYPE_DECIMAL, FLOE_TYPE_DECIMAL, FLOE_TYPE_STRING, FLOE_TYPE_BINARY, FLOE_TYPE_INT64,
    };
    if (c == 8) return floe_type_decimal(9, 2);
    if (c == 9) return floe_type_decimal(18, 4);
    if (c == 10) return floe_type_decimal(38, 10);
    return floe_type_make(ids[c]);
}

static bool type_null(int c, long row)
{
    return c != TYPE_COLUMNS - 1 && mix((uint64_t)row * 31 + (uint64_t)c) % 2 == 0;
}

static floe_int128 type_integer(int c, long row)
{
    uint64_t h = mix((uint64_t)row + 1000);
    switch (c) {
    case 0: return (floe_int128)(h & 1);
    case 1: return (floe_int128)(int32_t)(uint32_t)h;
    case 2: return (floe_int128)(int64_t)h;
    case 5: return (floe_int128)(h % 40000) - 10000;                   /* 1942..2079 */
    case 6: return (floe_int128)(h % 4000000000000000ull) - 1000000000000000ll;
    case 7: return (floe_int128)(h % 2000000000000000ull);
    case 8: return (floe_int128)(h % 1999999999) - 999999999;
    case 9: return (floe_int128)(h % 1999999999999999999ull) - 999999999999999999ll;
    case 10: {
        floe_int128 big = (floe_int128)(int64_t)h * (floe_int128)(mix(h) % 1000000000000ull);
        return row % 7 == 0 ? -big : big;
    }
    default: return row;
    }
}

static double type_float(int c, long row)
{
    uint64_t h = mix((uint64_t)row + 77);
    if (row % 97 == 3) return NAN;
    if (row % 89 == 5) return -0.0;
    if (c == 3) return (float)((double)(int64_t)(h % 2000001) / 64.0 - 15625.0);
    return (double)(int64_t)h / 1e6;
}

static size_t type_bytes(int c, long row, uint8_t *out)
{
    uint64_t h = mix((uint64_t)row + 5);
    if (c == 11) {
        static const char *const words[] = {"north", "south", "east", "west", "", "\xC3\xA9t\xC3\xA9",
                                            "z\xF0\x9F\x8C\x8A"};
        return (size_t)snprintf((char *)out, 64, "%s%s%u", words[h % 7], h % 3 ? "" : "-",
                                (unsigned)(h % 3 ? 0 : row % 13));
    }
    size_t n = h % 9;
    for (size_t i = 0; i < n; i++) out[i] = (uint8_t)(mix(h + i) >> 7);
    return n;
}

static void fill_types(floe_batch *batch, long first, uint32_t rows)
{
    floe_batch_reset(batch);
    batch->row_count = rows;
    for (int c = 0; c < TYPE_COLUMNS; c++) {
        floe_vector *v = &batch->columns[c];
        for (uint32_t r = 0; r < rows; r++) {
            long row = first + r;
            if (type_null(c, row)) {
                floe_vector_set_null(v, r);
                continue;
            }
            floe_type type = type_of(c);
            if (floe_type_is_variable_width(type)) {
                uint8_t bytes[64];
                size_t n = type_bytes(c, row, bytes);
                ck_assert_int_eq(floe_vector_set_string(v, r, bytes, (uint32_t)n, NULL), FLOE_OK);
            } else if (c == 3) {
                ((float *)v->data)[r] = (float)type_float(c, row);
            } else if (c == 4) {
                ((double *)v->data)[r] = type_float(c, row);
            } else {
                floe_int128 value = type_integer(c, row);
                switch (floe_type_width(type)) {
                case 1: ((uint8_t *)v->data)[r] = (uint8_t)value; break;
                case 4: ((int32_t *)v->data)[r] = (int32_t)value; break;
                case 8: ((int64_t *)v->data)[r] = (int64_t)value; break;
                default: ((floe_int128 *)v->data)[r] = value; break;
                }
            }
        }
    }
}

static void types_json(FILE *out, long row)
{
    fputc('{', out);
    for (int c = 0; c < TYPE_COLUMNS; c++) {
        fprintf(out, "%s\"%s\":", c ? "," : "", type_names[c]);
        if (type_null(c, row)) {
            fputs("null", out);
            continue;
        }
        floe_type type = type_of(c);
        char text[80];
        if (c == 3 || c == 4) {
            float_json(out, c == 3 ? (double)(float)type_float(c, row) : type_float(c, row), c == 3);
        } else if (c == 11) {
            uint8_t bytes[64];
            size_t n = type_bytes(c, row, bytes);
            fprintf(out, "\"%.*s\"", (int)n, (const char *)bytes);
        } else if (c == 12) {
            uint8_t bytes[64];
            size_t n = type_bytes(c, row, bytes);
            fputc('"', out);
            for (size_t i = 0; i < n; i++) fprintf(out, "%02X", bytes[i]);
            fputc('"', out);
        } else if (c == 0) {
            fputs(type_integer(c, row) ? "true" : "false", out);
        } else if (c == 1 || c == 5) {
            fprintf(out, "%d", (int)type_integer(c, row));
        } else {
            int128_text(type_integer(c, row), type.id == FLOE_TYPE_DECIMAL ? type.scale : 0, text);
            fprintf(out, "\"%s\"", text);
        }
    }
    fputs("}\n", out);
}

static floe_pq_write_column type_columns[TYPE_COLUMNS];

static floe_pq_write_schema types_schema(void)
{
    for (int c = 0; c < TYPE_COLUMNS; c++) {
        type_columns[c] = (floe_pq_write_column){type_names[c], type_of(c), c != TYPE_COLUMNS - 1,
                                                 c + 1};
    }
    return (floe_pq_write_schema){type_columns, TYPE_COLUMNS,
                                  "{\"type\":\"struct\",\"schema-id\":0,\"fields\":[]}", NULL, 0};
}

static void write_types(const char *name, int codec, bool delta_encoding, long rows)
{
    char path[4200];
    path_of(path, sizeof path, name);
    floe_pq_write_options options;
    floe_pq_write_options_default(&options);
    options.codec = codec;
    options.delta_encoding = delta_encoding;
    options.row_group_rows = 2500;
    options.page_bytes = 4096;
    floe_pq_write_schema schema = types_schema();
    floe_type types[TYPE_COLUMNS];
    for (int c = 0; c < TYPE_COLUMNS; c++) types[c] = type_of(c);
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, TYPE_COLUMNS, types, NULL), FLOE_OK);
    floe_pq_writer *writer;
    floe_error err;
    ck_assert_msg(floe_pq_writer_create(&writer, path, &schema, &options, &err) == FLOE_OK, "%s",
                  err.message);
    for (long row = 0; row < rows; row += 1000) {
        fill_types(&batch, row, (uint32_t)(rows - row < 1000 ? rows - row : 1000));
        ck_assert_msg(floe_pq_writer_write_batch(writer, &batch, &err) == FLOE_OK, "%s",
                      err.message);
    }
    floe_pq_write_result result;
    ck_assert_msg(floe_pq_writer_close(writer, &result, &err) == FLOE_OK, "%s", err.message);
    floe_pq_writer_free(writer);
    floe_batch_fini(&batch);

    floe_pq_file_metadata *meta;
    ck_assert_msg(floe_pq_file_metadata_open(path, &meta, &err) == FLOE_OK, "%s", err.message);
    ck_assert_int_eq(meta->num_rows, rows);
    ck_assert_uint_eq(meta->row_group_count, (uint32_t)((rows + 2499) / 2500));
    for (int c = 0; c < TYPE_COLUMNS; c++) {
        ck_assert_int_eq(meta->columns[c].field_id, c + 1);
        ck_assert(floe_type_equal(meta->columns[c].type, type_of(c)));
        /* delta_encoding writes integer, date, timestamp and decimal chunks without codec */
        int id = type_of(c).id;
        bool delta = delta_encoding && id != FLOE_TYPE_BOOLEAN && id != FLOE_TYPE_FLOAT32 &&
                     id != FLOE_TYPE_FLOAT64 && id != FLOE_TYPE_STRING && id != FLOE_TYPE_BINARY;
        for (uint32_t g = 0; g < meta->row_group_count; g++) {
            ck_assert_int_eq(meta->row_groups[g].columns[c].meta_data->codec,
                             delta ? FLOE_PQ_CODEC_UNCOMPRESSED : codec);
        }
    }
    floe_pq_file_metadata_free(meta);
}

/* ---- the realistic table ------------------------------------------------------------------- */

enum { REAL_COLUMNS = 7, REAL_ROWS = 100000 };
static const char *const real_names[REAL_COLUMNS] = {
    "id", "category", "amount", "ts", "price", "quantity", "region",
};
static const char *const categories[] = {
    "books", "electronics", "garden", "toys", "grocery", "clothing", "sports", "beauty",
    "automotive", "music", "office", "pets",
};
static const char *const regions[] = {"emea", "amer", "apac"};

static floe_type real_type(int c)
{
    switch (c) {
    case 0: return floe_type_make(FLOE_TYPE_INT64);
    case 1: case 6: return floe_type_make(FLOE_TYPE_STRING);
    case 2: return floe_type_make(FLOE_TYPE_FLOAT64);
    case 3: return floe_type_make(FLOE_TYPE_TIMESTAMP);
    case 4: return floe_type_decimal(12, 2);
    default: return floe_type_make(FLOE_TYPE_INT32);
    }
}

static bool real_null(int c, long row)
{
    return (c == 2 || c == 6) && mix((uint64_t)row ^ 0xABCDu) % 20 == 0;
}

static int64_t real_integer(int c, long row)
{
    uint64_t h = mix((uint64_t)row * 3 + (uint64_t)c);
    switch (c) {
    case 0: return 1000000 + row;
    case 3: return 1704067200000000ll + (int64_t)row * 30000000 + (int64_t)(h % 30000000);
    case 4: return (int64_t)(h % 500000) + 99;
    case 5: return (int64_t)(h % 20) + 1;
    default: return 0;
    }
}

static double real_double(long row)
{
    return (double)(mix((uint64_t)row + 99) % 10000000) / 100.0;
}

static const char *real_string(int c, long row)
{
    uint64_t h = mix((uint64_t)row * 7 + (uint64_t)c);
    if (c == 1) return categories[(h % 100) < 60 ? h % 3 : h % 12];
    return regions[h % 3];
}

static void write_realistic(void)
{
    char path[4200], json[4200];
    path_of(path, sizeof path, "realistic.parquet");
    path_of(json, sizeof json, "realistic.jsonl");
    floe_pq_write_column columns[REAL_COLUMNS];
    floe_type types[REAL_COLUMNS];
    for (int c = 0; c < REAL_COLUMNS; c++) {
        types[c] = real_type(c);
        columns[c] = (floe_pq_write_column){real_names[c], types[c], c == 2 || c == 6, c + 1};
    }
    floe_pq_write_schema schema = {columns, REAL_COLUMNS, NULL, NULL, 0};
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, REAL_COLUMNS, types, NULL), FLOE_OK);
    floe_pq_writer *writer;
    floe_error err;
    ck_assert_msg(floe_pq_writer_create(&writer, path, &schema, NULL, &err) == FLOE_OK, "%s",
                  err.message);
    FILE *out = fopen(json, "w");
    ck_assert_ptr_nonnull(out);
    for (long first = 0; first < REAL_ROWS; first += FLOE_BATCH_CAPACITY) {
        uint32_t rows = (uint32_t)(REAL_ROWS - first < FLOE_BATCH_CAPACITY ? REAL_ROWS - first
                                                                           : FLOE_BATCH_CAPACITY);
        floe_batch_reset(&batch);
        batch.row_count = rows;
        for (uint32_t r = 0; r < rows; r++) {
            long row = first + r;
            char text[64];
            fprintf(out, "{\"id\":\"%" PRId64 "\"", real_integer(0, row));
            ((int64_t *)batch.columns[0].data)[r] = real_integer(0, row);
            const char *category = real_string(1, row);
            ck_assert_int_eq(floe_vector_set_string(&batch.columns[1], r, category,
                                                    (uint32_t)strlen(category), NULL), FLOE_OK);
            fprintf(out, ",\"category\":\"%s\"", category);
            if (real_null(2, row)) {
                floe_vector_set_null(&batch.columns[2], r);
                fputs(",\"amount\":null", out);
            } else {
                ((double *)batch.columns[2].data)[r] = real_double(row);
                fputs(",\"amount\":", out);
                float_json(out, real_double(row), false);
            }
            ((int64_t *)batch.columns[3].data)[r] = real_integer(3, row);
            fprintf(out, ",\"ts\":\"%" PRId64 "\"", real_integer(3, row));
            ((int64_t *)batch.columns[4].data)[r] = real_integer(4, row);
            int128_text(real_integer(4, row), 2, text);
            fprintf(out, ",\"price\":\"%s\"", text);
            ((int32_t *)batch.columns[5].data)[r] = (int32_t)real_integer(5, row);
            fprintf(out, ",\"quantity\":%d", (int)real_integer(5, row));
            if (real_null(6, row)) {
                floe_vector_set_null(&batch.columns[6], r);
                fputs(",\"region\":null}\n", out);
            } else {
                const char *region = real_string(6, row);
                ck_assert_int_eq(floe_vector_set_string(&batch.columns[6], r, region,
                                                        (uint32_t)strlen(region), NULL), FLOE_OK);
                fprintf(out, ",\"region\":\"%s\"}\n", region);
            }
        }
        ck_assert_msg(floe_pq_writer_write_batch(writer, &batch, &err) == FLOE_OK, "%s",
                      err.message);
    }
    fclose(out);
    floe_pq_write_result result;
    ck_assert_msg(floe_pq_writer_close(writer, &result, &err) == FLOE_OK, "%s", err.message);
    ck_assert_uint_eq(result.row_count, REAL_ROWS);
    floe_pq_writer_free(writer);
    floe_batch_fini(&batch);
    floe_pq_file_metadata *meta;
    ck_assert_msg(floe_pq_file_metadata_open(path, &meta, &err) == FLOE_OK, "%s", err.message);
    ck_assert_int_eq(meta->num_rows, REAL_ROWS);
    floe_pq_file_metadata_free(meta);
}

/* ---- dictionary fallback ------------------------------------------------------------------- */

static void write_fallback(void)
{
    char path[4200], json[4200];
    path_of(path, sizeof path, "fallback.parquet");
    path_of(json, sizeof json, "fallback.jsonl");
    floe_pq_write_column column = {"s", floe_type_make(FLOE_TYPE_STRING), true, 1};
    floe_pq_write_schema schema = {&column, 1, NULL, NULL, 0};
    floe_pq_write_options options;
    floe_pq_write_options_default(&options);
    options.dictionary_max_entries = 300;
    options.page_bytes = 1024;
    options.codec = FLOE_PQ_CODEC_SNAPPY;
    floe_type type = column.type;
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, 1, &type, NULL), FLOE_OK);
    floe_pq_writer *writer;
    floe_error err;
    ck_assert_int_eq(floe_pq_writer_create(&writer, path, &schema, &options, &err), FLOE_OK);
    FILE *out = fopen(json, "w");
    ck_assert_ptr_nonnull(out);
    for (long first = 0; first < 8000; first += 2000) {
        floe_batch_reset(&batch);
        batch.row_count = 2000;
        for (uint32_t r = 0; r < 2000; r++) {
            long row = first + r;
            if (row % 13 == 0) {
                floe_vector_set_null(&batch.columns[0], r);
                fputs("{\"s\":null}\n", out);
                continue;
            }
            char text[64];
            int n = row < 4000 ? snprintf(text, sizeof text, "common-%ld", row % 40)
                               : snprintf(text, sizeof text, "distinct-%ld", row);
            ck_assert_int_eq(floe_vector_set_string(&batch.columns[0], r, text, (uint32_t)n, NULL),
                             FLOE_OK);
            fprintf(out, "{\"s\":\"%s\"}\n", text);
        }
        ck_assert_int_eq(floe_pq_writer_write_batch(writer, &batch, &err), FLOE_OK);
    }
    fclose(out);
    floe_pq_write_result result;
    ck_assert_int_eq(floe_pq_writer_close(writer, &result, &err), FLOE_OK);
    floe_pq_writer_free(writer);
    floe_batch_fini(&batch);
    floe_pq_file_metadata *meta;
    ck_assert_int_eq(floe_pq_file_metadata_open(path, &meta, &err), FLOE_OK);
    const floe_pq_column_metadata *cmd = meta->row_groups[0].columns[0].meta_data;
    ck_assert(cmd->has_dictionary_page_offset);
    ck_assert_uint_eq(cmd->encoding_count, 3); /* PLAIN, RLE, RLE_DICTIONARY */
    floe_pq_file_metadata_free(meta);
}

START_TEST(write_and_check_samples)
{
    write_types("types_zstd.parquet", FLOE_PQ_CODEC_ZSTD, false, 6000);
    write_types("types_snappy.parquet", FLOE_PQ_CODEC_SNAPPY, false, 6000);
    write_types("types_uncompressed.parquet", FLOE_PQ_CODEC_UNCOMPRESSED, false, 6000);
    write_types("types_delta.parquet", FLOE_PQ_CODEC_ZSTD, true, 6000);
    write_types("empty.parquet", FLOE_PQ_CODEC_ZSTD, false, 0);
    char json[4200];
    path_of(json, sizeof json, "types.jsonl");
    FILE *out = fopen(json, "w");
    ck_assert_ptr_nonnull(out);
    for (long row = 0; row < 6000; row++) types_json(out, row);
    fclose(out);
    write_realistic();
    write_fallback();
}
END_TEST

static void remove_directory(void)
{
    DIR *dir = opendir(directory);
    if (dir == NULL) return;
    struct dirent *entry;
    char path[4600];
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", directory, entry->d_name);
        unlink(path);
    }
    closedir(dir);
    rmdir(directory);
}

int main(void)
{
    const char *given = getenv("FLOE_PARQUET_SAMPLES_DIR");
    if (given != NULL && given[0] != '\0') {
        snprintf(directory, sizeof directory, "%s", given);
        mkdir(directory, 0755);
        keep_files = true;
    } else {
        const char *tmp = getenv("TMPDIR");
        snprintf(directory, sizeof directory, "%s/floe_parquet_samples_XXXXXX", tmp ? tmp : "/tmp");
        if (mkdtemp(directory) == NULL) return 1;
    }
    Suite *suite = suite_create("write_parquet_sample");
    TCase *tcase = tcase_create("samples");
    tcase_set_timeout(tcase, 120);
    tcase_add_test(tcase, write_and_check_samples);
    suite_add_tcase(suite, tcase);
    SRunner *runner = srunner_create(suite);
    srunner_set_fork_status(runner, CK_NOFORK);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    if (!keep_files) remove_directory();
    return failed == 0 ? 0 : 1;
}
