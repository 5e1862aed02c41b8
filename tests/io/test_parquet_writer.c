/*
 * Description: the Parquet writer — the Thrift compact writer against the reader, the hybrid
 * RLE and DELTA_BINARY_PACKED encoders against the decoders (RLE runs for repeats, every bit
 * width, wrapping deltas), bound truncation, then whole files: every Floe type at 0/50/100%
 * NULLs under every codec, empty, one row, many row groups (by rows and by bytes), dictionary
 * off, delta-encoded integers, the dictionary fallback to PLAIN, 1 MiB strings, a selection
 * vector, Iceberg metrics, contract errors and allocation failure at every allocation. Files are
 * read back with the footer reader (schema, field ids, num_rows, statistics) and their pages
 * decoded here with io/parquet_codec.h and io/parquet_encoding.h; expected values and
 * statistics come from the generator, never from the file.
 */
#include "io/parquet_codec.h"
#include "io/parquet_encoding.h"
#include "io/parquet_footer.h"
#include "io/parquet_writer.h"
#include "io/parquet_writer_int.h"
#include "io/thrift_compact.h"
#include "io/thrift_compact_write.h"
#include "kernels/memory.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- encoders ------------------------------------------------------------------------------ */

START_TEST(thrift_writer_round_trips_through_reader)
{
    floe_thrift_writer w;
    floe_thrift_writer_init(&w);
    floe_thrift_write_struct_begin(&w);
    floe_thrift_write_i32_field(&w, 1, -7);
    floe_thrift_write_i64_field(&w, 40, INT64_MIN); /* long delta: id written as i16 */
    floe_thrift_write_bool_field(&w, 41, true);
    floe_thrift_write_bool_field(&w, 42, false);
    floe_thrift_write_string_field(&w, 3, "hi");     /* id going down: long form too */
    floe_thrift_write_field_header(&w, FLOE_THRIFT_LIST, 4);
    floe_thrift_write_list_begin(&w, FLOE_THRIFT_I32, 20);
    for (int i = 0; i < 20; i++) floe_thrift_write_i32(&w, i * 1000 - 5);
    floe_thrift_write_field_header(&w, FLOE_THRIFT_STRUCT, 5);
    floe_thrift_write_struct_begin(&w);
    floe_thrift_write_i32_field(&w, 2, 99);
    floe_thrift_write_struct_end(&w);
    floe_thrift_write_field_header(&w, FLOE_THRIFT_DOUBLE, 6);
    floe_thrift_write_double(&w, 2.5);
    floe_thrift_write_struct_end(&w);
    ck_assert_int_eq(floe_thrift_writer_status(&w, NULL), FLOE_OK);

    floe_thrift_reader r;
    floe_thrift_reader_init(&r, w.data, w.size, 0);
    floe_error err;
    int16_t last = 0;
    floe_thrift_field f;
    ck_assert_int_eq(floe_thrift_struct_begin(&r, &err), FLOE_OK);
    ck_assert_int_eq(floe_thrift_read_field_header(&r, &last, &f, &err), FLOE_OK);
    int32_t i32;
    ck_assert_int_eq(f.id, 1);
    ck_assert_int_eq(floe_thrift_read_i32(&r, &i32, &err), FLOE_OK);
    ck_assert_int_eq(i32, -7);
    ck_assert_int_eq(floe_thrift_read_field_header(&r, &last, &f, &err), FLOE_OK);
    int64_t i64;
    ck_assert_int_eq(f.id, 40);
    ck_assert_int_eq(floe_thrift_read_i64(&r, &i64, &err), FLOE_OK);
    ck_assert(i64 == INT64_MIN);
    ck_assert_int_eq(floe_thrift_read_field_header(&r, &last, &f, &err), FLOE_OK);
    ck_assert(f.id == 41 && f.bool_value);
    ck_assert_int_eq(floe_thrift_read_field_header(&r, &last, &f, &err), FLOE_OK);
    ck_assert(f.id == 42 && !f.bool_value);
    ck_assert_int_eq(floe_thrift_read_field_header(&r, &last, &f, &err), FLOE_OK);
    ck_assert_int_eq(f.id, 3);
    const uint8_t *bytes;
    size_t length;
    ck_assert_int_eq(floe_thrift_read_binary(&r, &bytes, &length, &err), FLOE_OK);
    ck_assert(length == 2 && memcmp(bytes, "hi", 2) == 0);
    ck_assert_int_eq(floe_thrift_read_field_header(&r, &last, &f, &err), FLOE_OK);
    uint8_t element;
    uint32_t count;
    ck_assert_int_eq(floe_thrift_read_list_header(&r, &element, &count, &err), FLOE_OK);
    ck_assert(element == FLOE_THRIFT_I32 && count == 20);
    for (int i = 0; i < 20; i++) {
        ck_assert_int_eq(floe_thrift_read_i32(&r, &i32, &err), FLOE_OK);
        ck_assert_int_eq(i32, i * 1000 - 5);
    }
    ck_assert_int_eq(floe_thrift_read_field_header(&r, &last, &f, &err), FLOE_OK);
    ck_assert(f.id == 5 && f.type == FLOE_THRIFT_STRUCT);
    ck_assert_int_eq(floe_thrift_skip(&r, f.type, &err), FLOE_OK);
    ck_assert_int_eq(floe_thrift_read_field_header(&r, &last, &f, &err), FLOE_OK);
    double d;
    ck_assert_int_eq(floe_thrift_read_double(&r, &d, &err), FLOE_OK);
    ck_assert(d == 2.5);
    ck_assert_int_eq(floe_thrift_read_field_header(&r, &last, &f, &err), FLOE_OK);
    ck_assert_int_eq(f.type, FLOE_THRIFT_STOP);
    ck_assert_uint_eq(floe_thrift_remaining(&r), 0);

    /* Unbalanced use is reported, not crashed on. */
    floe_thrift_writer_reset(&w);
    floe_thrift_write_struct_end(&w);
    ck_assert_int_eq(floe_thrift_writer_status(&w, &err), FLOE_EINVAL);
    floe_thrift_writer_fini(&w);
}
END_TEST

static void rle_round_trip(const uint32_t *values, size_t count, unsigned width, size_t *size)
{
    floe_pq_buffer out = {NULL, 0, 0};
    ck_assert_int_eq(floe_pq_rle_encode(&out, values, count, width, NULL), FLOE_OK);
    uint32_t *decoded = malloc((count + 1) * sizeof *decoded);
    floe_pq_rle_decoder decoder;
    floe_error err;
    ck_assert_int_eq(floe_pq_rle_init(&decoder, out.data, out.size, width, &err), FLOE_OK);
    ck_assert_msg(floe_pq_rle_read(&decoder, decoded, count, &err) == FLOE_OK, "%s", err.message);
    for (size_t i = 0; i < count; i++) ck_assert_uint_eq(decoded[i], values[i]);
    *size = out.size;
    free(decoded);
    floe_pq_buffer_fini(&out);
}

START_TEST(rle_encoder_round_trips_and_uses_runs)
{
    static uint32_t values[10000];
    size_t size;
    /* 10000 repeats: one RLE run (header varint 3 bytes + 1 value byte). */
    for (size_t i = 0; i < 10000; i++) values[i] = 1;
    rle_round_trip(values, 10000, 1, &size);
    ck_assert_uint_eq(size, 4);
    /* 7 repeats stay bit-packed: one group at width 3 = header + 3 bytes. */
    for (size_t i = 0; i < 7; i++) values[i] = 5;
    rle_round_trip(values, 7, 3, &size);
    ck_assert_uint_eq(size, 4);
    /* mixed: literals, then a run starting inside a group, at every width. */
    unsigned seed = 12345;
    for (unsigned width = 0; width <= 32; width++) {
        uint32_t mask = width == 32 ? 0xFFFFFFFFu : ((1u << width) - 1);
        for (size_t i = 0; i < 10000; i++) {
            seed = seed * 1103515245u + 12345u;
            uint32_t value = (seed >> 8) * 2654435761u;
            values[i] = ((i / 50) % 3 == 0 ? value : (uint32_t)(i / 50)) & mask;
        }
        for (size_t count = 0; count < 40; count++) rle_round_trip(values, count, width, &size);
        rle_round_trip(values, 10000, width, &size);
    }
    /* A run of 20 in the middle of literals: groups of 8 + RLE, smaller than all packed. */
    for (size_t i = 0; i < 64; i++) values[i] = (uint32_t)(i % 5);
    for (size_t i = 13; i < 53; i++) values[i] = 4;
    rle_round_trip(values, 64, 3, &size);
    ck_assert_uint_lt(size, 1 + 64 * 3 / 8);
}
END_TEST

/* Encodes values[0..count) DELTA_BINARY_PACKED, decodes them back and returns the size. */
static size_t delta_round_trip(const void *values, size_t count, bool is_int64)
{
    floe_pq_buffer out = {NULL, 0, 0};
    ck_assert_int_eq(floe_pq_delta_encode(&out, values, count, is_int64, NULL), FLOE_OK);
    size_t width = is_int64 ? 8 : 4;
    uint8_t *decoded = malloc((count + 1) * width);
    size_t decoded_count = 0, consumed = 0;
    floe_error err;
    floe_error_clear(&err);
    int status = is_int64 ? floe_pq_delta_binary_packed_int64((int64_t *)decoded, count, out.data,
                                                              out.size, &decoded_count,
                                                              &consumed, &err)
                          : floe_pq_delta_binary_packed_int32((int32_t *)decoded, count, out.data,
                                                              out.size, &decoded_count,
                                                              &consumed, &err);
    ck_assert_msg(status == FLOE_OK, "%s", err.message);
    ck_assert_uint_eq(decoded_count, count);
    ck_assert_uint_eq(consumed, out.size);
    ck_assert(count == 0 || memcmp(decoded, values, count * width) == 0);
    size_t size = out.size;
    free(decoded);
    floe_pq_buffer_fini(&out);
    return size;
}

START_TEST(delta_encoder_round_trips_at_every_width)
{
    enum { MAX = 5000 };
    static int64_t values64[MAX];
    static int32_t values32[MAX];
    /* Equal steps take no bits past the header and each block's min delta and widths: 0, 1,
     * 129 values of 0, 7, 14, ... */
    for (size_t i = 0; i < MAX; i++) values64[i] = 7 * (int64_t)i, values32[i] = 7 * (int32_t)i;
    ck_assert_uint_le(delta_round_trip(values64, MAX, true), 8 + (MAX / 128 + 1) * 6);
    ck_assert_uint_le(delta_round_trip(values32, MAX, false), 8 + (MAX / 128 + 1) * 6);
    /* Random values masked to every width, at counts around block and miniblock edges. */
    uint64_t seed = 88172645463325252u;
    static const size_t counts[] = {0, 1, 2, 31, 32, 33, 127, 128, 129, 130, 257, 1000, MAX};
    for (unsigned width = 0; width <= 64; width++) {
        uint64_t mask = width == 64 ? ~(uint64_t)0 : (((uint64_t)1 << width) - 1);
        for (size_t i = 0; i < MAX; i++) {
            seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
            values64[i] = (int64_t)((seed & mask) - (mask >> 1)); /* wraps, unsigned */
            values32[i] = (int32_t)(uint32_t)(seed & mask);
        }
        for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
            delta_round_trip(values64, counts[c], true);
            delta_round_trip(values32, counts[c], false);
        }
    }
    /* The extremes side by side: every delta wraps around, int32 in 32 bits, int64 in 64. */
    for (size_t i = 0; i < 300; i++) {
        values64[i] = i % 3 == 0 ? INT64_MIN : i % 3 == 1 ? INT64_MAX : 0;
        values32[i] = i % 3 == 0 ? INT32_MIN : i % 3 == 1 ? INT32_MAX : -1;
    }
    delta_round_trip(values64, 300, true);
    delta_round_trip(values32, 300, false);
}
END_TEST

/* DELTA_BYTE_ARRAY of fixed-width values through Floe's decoder: widths around the encoder's
 * 8-byte compare, counts around the delta blocks' edges, values that share nothing, everything
 * (repeats) or a run of leading bytes as sign-extended decimals do; and the size that sharing
 * buys: 16-byte values with 3 significant bytes take about 3 bytes each. */
START_TEST(delta_byte_array_round_trips_fixed_values)
{
    enum { MAX = 1000 };
    static const size_t widths[] = {1, 3, 7, 8, 9, 15, 16, 17, 24};
    static const size_t counts[] = {0, 1, 2, 127, 128, 129, 500, MAX};
    uint64_t seed = 2463534242u;
    for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
        size_t width = widths[w];
        uint8_t *values = malloc(MAX * width);
        for (size_t i = 0; i < MAX; i++) {
            seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
            uint8_t *value = values + i * width;
            /* a third random, a third repeating the one before, a third sign-extended */
            int kind = (int)(seed % 3);
            for (size_t b = 0; b < width; b++) value[b] = (uint8_t)(seed >> ((b % 8) * 8));
            if (kind == 1 && i > 0) memcpy(value, value - width, width);
            if (kind == 2) memset(value, (seed & 8) != 0 ? 0xFF : 0x00, width - width / 3);
        }
        for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
            size_t count = counts[c];
            floe_pq_buffer out = {NULL, 0, 0}, scratch = {NULL, 0, 0};
            ck_assert_int_eq(floe_pq_delta_byte_array_encode_fixed(&out, values, count, width,
                                                                   &scratch, NULL),
                             FLOE_OK);
            floe_string_ref *refs = malloc((count + 1) * sizeof *refs);
            floe_arena arena;
            floe_arena_init(&arena, 4096, 0);
            const uint8_t *heap = NULL;
            size_t decoded = 0, consumed = 0;
            floe_error err;
            floe_error_clear(&err);
            ck_assert_msg(floe_pq_delta_byte_array(refs, count, out.data, out.size, &arena, &heap,
                                                   &decoded, &consumed, &err) == FLOE_OK,
                          "width %zu count %zu: %s", width, count, err.message);
            ck_assert_uint_eq(decoded, count);
            ck_assert_uint_eq(consumed, out.size);
            for (size_t i = 0; i < count; i++) {
                ck_assert_uint_eq(refs[i].length, width);
                ck_assert_msg(memcmp(heap + refs[i].offset, values + i * width, width) == 0,
                              "width %zu count %zu value %zu", width, count, i);
            }
            floe_arena_fini(&arena);
            free(refs);
            floe_pq_buffer_fini(&out);
            floe_pq_buffer_fini(&scratch);
        }
        free(values);
    }
    /* 1000 positive 16-byte values below 2^24, as a bucket's DECIMAL(38,2) sums are. */
    uint8_t sums[MAX * 16];
    memset(sums, 0, sizeof sums);
    for (size_t i = 0; i < MAX; i++) {
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        for (size_t b = 0; b < 3; b++) sums[i * 16 + 13 + b] = (uint8_t)(seed >> (b * 8));
    }
    floe_pq_buffer out = {NULL, 0, 0}, scratch = {NULL, 0, 0};
    ck_assert_int_eq(floe_pq_delta_byte_array_encode_fixed(&out, sums, MAX, 16, &scratch, NULL),
                     FLOE_OK);
    ck_assert_uint_le(out.size, MAX * 3 + MAX / 2);
    floe_pq_buffer_fini(&out);
    floe_pq_buffer_fini(&scratch);
}
END_TEST

START_TEST(bounds_truncate_to_valid_prefixes)
{
    uint8_t out[64];
    const char *text = "abcdefghijklmnopqrstuvwxyz";
    ck_assert_uint_eq(floe_pq_truncate_lower((const uint8_t *)text, 26, 64, 16, true), 16);
    long n = floe_pq_truncate_upper(out, (const uint8_t *)text, 26, 64, 16, true);
    ck_assert_int_eq(n, 16);
    ck_assert(memcmp(out, "abcdefghijklmnoq", 16) == 0);
    /* U+10FFFF cannot be incremented: the previous code point is. */
    const uint8_t max_point[] = {'a', 0xF4, 0x8F, 0xBF, 0xBF, 'z'};
    n = floe_pq_truncate_upper(out, max_point, sizeof max_point, 64, 2, true);
    ck_assert_int_eq(n, 1);
    ck_assert_uint_eq(out[0], 'b');
    /* "é" (C3 A9) kept whole: byte limit 2 cuts before it. */
    const uint8_t accented[] = {'x', 0xC3, 0xA9, 'y'};
    ck_assert_uint_eq(floe_pq_truncate_lower(accented, 4, 2, 0, true), 1);
    n = floe_pq_truncate_upper(out, accented, 4, 3, 0, true);
    ck_assert_int_eq(n, 3);
    ck_assert(out[0] == 'x' && out[1] == 0xC3 && out[2] == 0xAA);
    const uint8_t ff[] = {0xFF, 0xFF, 0xFF};
    ck_assert_int_eq(floe_pq_truncate_upper(out, ff, 3, 2, 0, false), -1);
    const uint8_t binary[] = {0x01, 0xFF, 0x07};
    n = floe_pq_truncate_upper(out, binary, 3, 2, 0, false);
    ck_assert_int_eq(n, 1);
    ck_assert_uint_eq(out[0], 0x02);
}
END_TEST

/* ---- the test table ------------------------------------------------------------------------ */

enum { COLUMN_COUNT = 14 };

static const char *const column_names[COLUMN_COUNT] = {
    "flag", "i32", "i64", "f32", "f64", "day", "ts", "tstz", "dec9", "dec18", "dec38",
    "name", "blob", "required_id",
};

static floe_type column_type(int column)
{
    switch (column) {
    case 0: return floe_type_make(FLOE_TYPE_BOOLEAN);
    case 1: return floe_type_make(FLOE_TYPE_INT32);
    case 2: return floe_type_make(FLOE_TYPE_INT64);
    case 3: return floe_type_make(FLOE_TYPE_FLOAT32);
    case 4: return floe_type_make(FLOE_TYPE_FLOAT64);
    case 5: return floe_type_make(FLOE_TYPE_DATE);
    case 6: return floe_type_make(FLOE_TYPE_TIMESTAMP);
    case 7: return floe_type_make(FLOE_TYPE_TIMESTAMPTZ);
    case 8: return floe_type_decimal(9, 2);
    case 9: return floe_type_decimal(18, 4);
    case 10: return floe_type_decimal(38, 10);
    case 11: return floe_type_make(FLOE_TYPE_STRING);
    case 12: return floe_type_make(FLOE_TYPE_BINARY);
    default: return floe_type_make(FLOE_TYPE_INT64);
    }
}

static bool generated_null(int column, long row, int null_percent)
{
    if (column == COLUMN_COUNT - 1) return false; /* the REQUIRED column */
    if (null_percent == 0) return false;
    if (null_percent == 100) return true;
    uint32_t h = (uint32_t)row * 2654435761u ^ (uint32_t)column * 40503u;
    h ^= h >> 15;
    h *= 2246822519u;
    h ^= h >> 13;
    return (h % 100) < (uint32_t)null_percent;
}

/* The value as a number (ints, dates, timestamps, decimals' unscaled value, booleans). */
static floe_int128 generated_integer(int column, long row)
{
    switch (column) {
    case 0: return row % 3 == 0;
    case 1: return (floe_int128)(row * 7919 % 20011) - 10000;
    case 2: return (floe_int128)row * 1000003 - 5000000000LL;
    case 5: return 18000 + row % 400;
    case 6: return 1600000000000000LL + (floe_int128)row * 1000001;
    case 7: return -86400000000LL + (floe_int128)row * 37;
    case 8: return (floe_int128)(row % 1000) * 101 - 50000;
    case 9: return (floe_int128)row * 123456789 - 1000000000000LL;
    case 10: {
        floe_int128 scale = 1;
        for (int i = 0; i < 20; i++) scale *= 10;
        return ((floe_int128)row - 100) * scale + row;
    }
    default: return row;
    }
}

static double generated_float(int column, long row)
{
    if (column == 3) return row % 50 == 7 ? NAN : (float)(row % 100) / 4.0f - 10.0f;
    if (row % 1000 == 5) return -0.0;
    return (double)row * 0.5 - 100.25;
}

/* STRING / BINARY bytes into buffer; returns the length. */
static size_t generated_bytes(int column, long row, uint8_t *buffer)
{
    if (column == 11) {
        static const char *const words[] = {"alpha", "beta", "gamma", "d\xC3\xA9lta", "", "zeta"};
        int n = snprintf((char *)buffer, 64, "%s-%ld", words[row % 6], row % 37);
        return (size_t)n;
    }
    buffer[0] = 0xFF;
    for (int i = 0; i < 4; i++) buffer[1 + i] = (uint8_t)(row >> (8 * i));
    return (size_t)(1 + row % 5);
}

/* The value's PLAIN form as Parquet stores it (what pages and statistics must hold). */
static size_t expected_plain(int column, long row, uint8_t *out)
{
    floe_type type = column_type(column);
    if (type.id == FLOE_TYPE_STRING || type.id == FLOE_TYPE_BINARY) {
        return generated_bytes(column, row, out);
    }
    if (column == 3) {
        float f = (float)generated_float(column, row);
        memcpy(out, &f, 4);
        return 4;
    }
    if (column == 4) {
        double d = generated_float(column, row);
        memcpy(out, &d, 8);
        return 8;
    }
    floe_int128 v = generated_integer(column, row);
    if (column == 0) {
        out[0] = (uint8_t)v;
        return 1;
    }
    if (column == 10) { /* FIXED_LEN_BYTE_ARRAY(16), big-endian */
        for (int i = 0; i < 16; i++) out[15 - i] = (uint8_t)((floe_uint128)v >> (8 * i));
        return 16;
    }
    size_t width = (column == 1 || column == 5 || column == 8) ? 4 : 8;
    for (size_t i = 0; i < width; i++) out[i] = (uint8_t)((floe_uint128)v >> (8 * i));
    return width;
}

static void fill_batch(floe_batch *batch, long first_row, uint32_t rows, int null_percent)
{
    floe_batch_reset(batch);
    for (int c = 0; c < COLUMN_COUNT; c++) {
        floe_vector *v = &batch->columns[c];
        for (uint32_t r = 0; r < rows; r++) {
            long row = first_row + r;
            if (generated_null(c, row, null_percent)) {
                floe_vector_set_null(v, r);
                continue;
            }
            floe_type type = column_type(c);
            if (type.id == FLOE_TYPE_STRING || type.id == FLOE_TYPE_BINARY) {
                uint8_t bytes[64];
                size_t n = generated_bytes(c, row, bytes);
                ck_assert_int_eq(floe_vector_set_string(v, r, bytes, (uint32_t)n, NULL), FLOE_OK);
            } else if (c == 3) {
                ((float *)v->data)[r] = (float)generated_float(c, row);
            } else if (c == 4) {
                ((double *)v->data)[r] = generated_float(c, row);
            } else {
                floe_int128 value = generated_integer(c, row);
                switch (floe_type_width(type)) {
                case 1: ((uint8_t *)v->data)[r] = (uint8_t)value; break;
                case 4: ((int32_t *)v->data)[r] = (int32_t)value; break;
                case 8: ((int64_t *)v->data)[r] = (int64_t)value; break;
                default: ((floe_int128 *)v->data)[r] = value; break;
                }
            }
        }
    }
    batch->row_count = rows;
}

static floe_pq_write_column schema_columns[COLUMN_COUNT];
static floe_pq_write_schema test_schema(void)
{
    for (int c = 0; c < COLUMN_COUNT; c++) {
        schema_columns[c].name = column_names[c];
        schema_columns[c].type = column_type(c);
        schema_columns[c].nullable = c != COLUMN_COUNT - 1;
        schema_columns[c].field_id = 100 + c;
    }
    static const floe_pq_write_key_value pairs[] = {{"floe.test", "yes"}};
    floe_pq_write_schema schema = {schema_columns, COLUMN_COUNT, "{\"type\":\"struct\"}", pairs, 1};
    return schema;
}

static char *temp_path(const char *tag)
{
    static char path[256];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/floe_writer_%s_%d.parquet", dir ? dir : "/tmp", tag,
             (int)getpid());
    return path;
}

/* Writes `rows` rows in batches of `batch_rows`; returns the result copy. */
static void write_table(const char *path, long rows, uint32_t batch_rows, int null_percent,
                        const floe_pq_write_options *options, floe_pq_write_result *result,
                        floe_pq_column_result *columns_out)
{
    floe_type types[COLUMN_COUNT];
    for (int c = 0; c < COLUMN_COUNT; c++) types[c] = column_type(c);
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, COLUMN_COUNT, types, NULL), FLOE_OK);
    floe_pq_write_schema schema = test_schema();
    floe_pq_writer *writer = NULL;
    floe_error err;
    floe_error_clear(&err);
    int status = floe_pq_writer_create(&writer, path, &schema, options, &err);
    ck_assert_msg(status == FLOE_OK, "%s", err.message);
    for (long row = 0; row < rows; row += batch_rows) {
        uint32_t n = (uint32_t)(rows - row < batch_rows ? rows - row : batch_rows);
        fill_batch(&batch, row, n, null_percent);
        status = floe_pq_writer_write_batch(writer, &batch, &err);
        ck_assert_msg(status == FLOE_OK, "%s", err.message);
    }
    status = floe_pq_writer_close(writer, result, &err);
    ck_assert_msg(status == FLOE_OK, "%s", err.message);
    if (columns_out != NULL) memcpy(columns_out, result->columns, COLUMN_COUNT * sizeof *columns_out);
    result->columns = columns_out;
    floe_pq_writer_free(writer);
    floe_batch_fini(&batch);
}

/* ---- reading back -------------------------------------------------------------------------- */

typedef struct cell {
    bool is_null;
    uint32_t size;
    uint8_t *bytes; /* PLAIN bytes (no length prefix), malloc'ed */
} cell;

static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *file = fopen(path, "rb");
    ck_assert_ptr_nonnull(file);
    fseek(file, 0, SEEK_END);
    long length = ftell(file);
    fseek(file, 0, SEEK_SET);
    uint8_t *bytes = malloc((size_t)length + 1);
    ck_assert_uint_eq(fread(bytes, 1, (size_t)length, file), (size_t)length);
    fclose(file);
    *size = (size_t)length;
    return bytes;
}

static void decode_values(const floe_pq_column *column, int encoding, const uint8_t *src,
                          size_t size, size_t count, const cell *dictionary,
                          size_t dictionary_count, cell *out)
{
    floe_error err;
    floe_error_clear(&err);
    if (encoding == FLOE_PQ_RLE_DICTIONARY || encoding == FLOE_PQ_PLAIN_DICTIONARY) {
        floe_pq_rle_decoder decoder;
        ck_assert_int_eq(floe_pq_dictionary_indices_init(&decoder, src, size, &err), FLOE_OK);
        uint32_t *codes = malloc((count + 1) * sizeof *codes);
        ck_assert_msg(floe_pq_rle_read(&decoder, codes, count, &err) == FLOE_OK, "%s",
                      err.message);
        for (size_t i = 0; i < count; i++) {
            ck_assert_uint_lt(codes[i], dictionary_count);
            out[i].size = dictionary[codes[i]].size;
            out[i].bytes = malloc(out[i].size + 1);
            memcpy(out[i].bytes, dictionary[codes[i]].bytes, out[i].size);
        }
        free(codes);
        return;
    }
    if (encoding == FLOE_PQ_DELTA_BINARY_PACKED) {
        bool is_int64 = column->physical_type == FLOE_PQ_INT64;
        ck_assert(is_int64 || column->physical_type == FLOE_PQ_INT32);
        size_t width = is_int64 ? 8 : 4, decoded = 0, consumed = 0;
        uint8_t *values = malloc((count + 1) * width);
        int status = is_int64 ? floe_pq_delta_binary_packed_int64((int64_t *)values, count, src,
                                                                  size, &decoded, &consumed, &err)
                              : floe_pq_delta_binary_packed_int32((int32_t *)values, count, src,
                                                                  size, &decoded, &consumed, &err);
        ck_assert_msg(status == FLOE_OK, "%s", err.message);
        ck_assert_uint_eq(decoded, count);
        ck_assert_uint_eq(consumed, size);
        for (size_t i = 0; i < count; i++) {
            out[i].size = (uint32_t)width;
            out[i].bytes = malloc(width);
            memcpy(out[i].bytes, values + i * width, width);
        }
        free(values);
        return;
    }
    if (encoding == FLOE_PQ_DELTA_BYTE_ARRAY) {
        ck_assert_int_eq(column->physical_type, FLOE_PQ_FIXED_LEN_BYTE_ARRAY);
        floe_string_ref *refs = malloc((count + 1) * sizeof *refs);
        floe_arena arena;
        floe_arena_init(&arena, 4096, 0);
        const uint8_t *heap = NULL;
        size_t decoded = 0, consumed = 0;
        ck_assert_msg(floe_pq_delta_byte_array(refs, count, src, size, &arena, &heap, &decoded,
                                               &consumed, &err) == FLOE_OK,
                      "%s", err.message);
        ck_assert_uint_eq(decoded, count);
        ck_assert_uint_eq(consumed, size);
        for (size_t i = 0; i < count; i++) {
            ck_assert_uint_eq(refs[i].length, (uint32_t)column->type_length);
            out[i].size = refs[i].length;
            out[i].bytes = malloc(refs[i].length);
            memcpy(out[i].bytes, heap + refs[i].offset, refs[i].length);
        }
        floe_arena_fini(&arena);
        free(refs);
        return;
    }
    ck_assert_int_eq(encoding, FLOE_PQ_PLAIN);
    if (column->physical_type == FLOE_PQ_BOOLEAN) {
        uint8_t *bits = malloc(count + 1);
        ck_assert_int_eq(floe_pq_plain_booleans(bits, count, src, size, 0, &err), FLOE_OK);
        for (size_t i = 0; i < count; i++) {
            out[i].size = 1;
            out[i].bytes = malloc(1);
            out[i].bytes[0] = bits[i];
        }
        free(bits);
    } else if (column->physical_type == FLOE_PQ_BYTE_ARRAY) {
        floe_string_ref *refs = malloc((count + 1) * sizeof *refs);
        size_t consumed;
        ck_assert_int_eq(floe_pq_plain_byte_array(refs, count, src, size, &consumed, &err),
                         FLOE_OK);
        ck_assert_uint_eq(consumed, size);
        for (size_t i = 0; i < count; i++) {
            out[i].size = refs[i].length;
            out[i].bytes = malloc(refs[i].length + 1);
            memcpy(out[i].bytes, src + refs[i].offset, refs[i].length);
        }
        free(refs);
    } else {
        size_t width = column->physical_type == FLOE_PQ_FIXED_LEN_BYTE_ARRAY
                           ? (size_t)column->type_length
                           : (column->physical_type == FLOE_PQ_INT32 ||
                              column->physical_type == FLOE_PQ_FLOAT) ? 4 : 8;
        ck_assert_uint_eq(size, count * width);
        for (size_t i = 0; i < count; i++) {
            out[i].size = (uint32_t)width;
            out[i].bytes = malloc(width);
            memcpy(out[i].bytes, src + i * width, width);
        }
    }
}

typedef struct chunk_facts {
    int dictionary_pages, dictionary_data_pages, plain_data_pages;
} chunk_facts;

/* A page's values into cells from `row` on: NULL where its level is 0, the next value where it
 * is 1. Returns the row after the page's. */
static size_t place_page(cell *cells, size_t row, const uint32_t *levels, size_t count,
                         const cell *values)
{
    size_t next = 0;
    for (size_t i = 0; i < count; i++, row++) {
        if (levels[i] == 0) {
            cells[row].is_null = true;
        } else {
            cells[row] = values[next++];
        }
    }
    return row;
}

/* Decodes column `c` of row group `g` into cells (rows of that row group). */
static void read_chunk(const uint8_t *file, const floe_pq_file_metadata *meta, uint32_t g,
                       uint32_t c, cell *cells, chunk_facts *facts)
{
    const floe_pq_column *column = &meta->columns[c];
    const floe_pq_column_metadata *cmd = meta->row_groups[g].columns[c].meta_data;
    ck_assert_ptr_nonnull(cmd);
    int64_t start = cmd->has_dictionary_page_offset ? cmd->dictionary_page_offset
                                                    : cmd->data_page_offset;
    int64_t end = start + cmd->total_compressed_size;
    ck_assert_int_le(end, (int64_t)meta->footer_offset);
    cell *dictionary = NULL;
    size_t dictionary_count = 0;
    size_t row = 0;
    memset(facts, 0, sizeof *facts);
    floe_error err;
    floe_error_clear(&err);
    int64_t uncompressed_total = 0;
    while (start < end) {
        floe_pq_page_header header;
        size_t header_size;
        int status = floe_pq_page_header_parse(file + start, (size_t)(end - start), (uint64_t)start,
                                               &header, &header_size, &err);
        ck_assert_msg(status == FLOE_OK, "%s", err.message);
        const uint8_t *body = file + start + header_size;
        ck_assert_int_le(start + (int64_t)header_size + header.compressed_page_size, end);
        uint8_t *page = malloc((size_t)header.uncompressed_page_size + 1);
        size_t written;
        status = floe_pq_decompress(NULL, cmd->codec, page, (size_t)header.uncompressed_page_size,
                                    body, (size_t)header.compressed_page_size, &written, &err);
        ck_assert_msg(status == FLOE_OK, "%s", err.message);
        size_t page_size = (size_t)header.uncompressed_page_size;
        uncompressed_total += (int64_t)header_size + header.uncompressed_page_size;
        if (header.type == FLOE_PQ_DICTIONARY_PAGE) {
            ck_assert_ptr_null(dictionary);
            ck_assert_int_eq(header.dictionary_page_header.encoding, FLOE_PQ_PLAIN);
            dictionary_count = (size_t)header.dictionary_page_header.num_values;
            dictionary = calloc(dictionary_count + 1, sizeof *dictionary);
            decode_values(column, FLOE_PQ_PLAIN, page, page_size, dictionary_count, NULL, 0,
                          dictionary);
            facts->dictionary_pages++;
        } else if (header.type == FLOE_PQ_DATA_PAGE_V2) {
            /* Only DELTA_BYTE_ARRAY pages are v2: levels without a length prefix and never
             * compressed, then the values; the counts in the header agree with the levels. */
            ck_assert_int_eq(header.data_page_header_v2.encoding, FLOE_PQ_DELTA_BYTE_ARRAY);
            ck_assert(!header.data_page_header_v2.is_compressed);
            ck_assert_int_eq(header.data_page_header_v2.repetition_levels_byte_length, 0);
            size_t count = (size_t)header.data_page_header_v2.num_values;
            ck_assert_int_eq(header.data_page_header_v2.num_rows, (int32_t)count);
            size_t offset = (size_t)header.data_page_header_v2.definition_levels_byte_length;
            ck_assert_uint_le(offset, page_size);
            uint32_t *levels = malloc((count + 1) * sizeof *levels);
            if (column->max_definition_level == 1) {
                floe_pq_rle_decoder decoder;
                ck_assert_int_eq(floe_pq_rle_init(&decoder, page, offset, 1, &err), FLOE_OK);
                ck_assert_int_eq(floe_pq_rle_read(&decoder, levels, count, &err), FLOE_OK);
            } else {
                ck_assert_uint_eq(offset, 0);
                for (size_t i = 0; i < count; i++) levels[i] = 1;
            }
            size_t present = 0;
            for (size_t i = 0; i < count; i++) present += levels[i];
            ck_assert_int_eq(header.data_page_header_v2.num_nulls, (int32_t)(count - present));
            cell *values = calloc(present + 1, sizeof *values);
            facts->plain_data_pages++;
            decode_values(column, FLOE_PQ_DELTA_BYTE_ARRAY, page + offset, page_size - offset,
                          present, NULL, 0, values);
            row = place_page(cells, row, levels, count, values);
            free(values);
            free(levels);
        } else {
            ck_assert_int_eq(header.type, FLOE_PQ_DATA_PAGE);
            size_t count = (size_t)header.data_page_header.num_values;
            uint32_t *levels = malloc((count + 1) * sizeof *levels);
            size_t offset = 0;
            if (column->max_definition_level == 1) {
                const uint8_t *data;
                size_t data_size;
                ck_assert_int_eq(floe_pq_rle_length_prefixed(page, page_size, &data, &data_size,
                                                             &offset, &err), FLOE_OK);
                floe_pq_rle_decoder decoder;
                ck_assert_int_eq(floe_pq_rle_init(&decoder, data, data_size, 1, &err), FLOE_OK);
                ck_assert_int_eq(floe_pq_rle_read(&decoder, levels, count, &err), FLOE_OK);
            } else {
                for (size_t i = 0; i < count; i++) levels[i] = 1;
            }
            size_t present = 0;
            for (size_t i = 0; i < count; i++) present += levels[i];
            cell *values = calloc(present + 1, sizeof *values);
            int encoding = header.data_page_header.encoding;
            if (encoding == FLOE_PQ_PLAIN) {
                facts->plain_data_pages++;
            } else {
                facts->dictionary_data_pages++;
            }
            decode_values(column, encoding, page + offset, page_size - offset, present, dictionary,
                          dictionary_count, values);
            row = place_page(cells, row, levels, count, values);
            free(values);
            free(levels);
        }
        free(page);
        start += (int64_t)header_size + header.compressed_page_size;
    }
    ck_assert_int_eq(start, end);
    ck_assert_int_eq(uncompressed_total, cmd->total_uncompressed_size);
    ck_assert_int_eq((int64_t)row, meta->row_groups[g].num_rows);
    ck_assert_int_eq((int64_t)row, cmd->num_values);
    for (size_t i = 0; i < dictionary_count; i++) free(dictionary[i].bytes);
    free(dictionary);
}

/* Order of two PLAIN values of column c (the test's own comparison). */
static int compare_plain(int c, const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    floe_type type = column_type(c);
    if (type.id == FLOE_TYPE_STRING || type.id == FLOE_TYPE_BINARY) {
        size_t n = an < bn ? an : bn;
        int order = n ? memcmp(a, b, n) : 0;
        return order != 0 ? order : (an > bn) - (an < bn);
    }
    if (c == 3) {
        float x, y;
        memcpy(&x, a, 4);
        memcpy(&y, b, 4);
        return (x > y) - (x < y);
    }
    if (c == 4) {
        double x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        return (x > y) - (x < y);
    }
    floe_int128 x = 0, y = 0;
    if (c == 10) {
        x = (int8_t)a[0];
        y = (int8_t)b[0];
        for (int i = 1; i < 16; i++) {
            x = x * 256 + a[i];
            y = y * 256 + b[i];
        }
    } else if (an == 4) {
        int32_t p, q;
        memcpy(&p, a, 4);
        memcpy(&q, b, 4);
        x = p, y = q;
    } else if (an == 8) {
        int64_t p, q;
        memcpy(&p, a, 8);
        memcpy(&q, b, 8);
        x = p, y = q;
    } else {
        x = a[0], y = b[0];
    }
    return (x > y) - (x < y);
}

static bool is_nan_value(int c, long row)
{
    return (c == 3 || c == 4) && isnan(generated_float(c, row));
}

/* Checks the whole file against the generator; returns the metadata (caller frees). */
static floe_pq_file_metadata *verify_file(const char *path, long rows, int null_percent)
{
    size_t size;
    uint8_t *file = read_file(path, &size);
    floe_pq_file_metadata *meta = NULL;
    floe_error err;
    floe_error_clear(&err);
    int status = floe_pq_file_metadata_parse(file, size, &meta, &err);
    ck_assert_msg(status == FLOE_OK, "%s", err.message);
    ck_assert_int_eq(meta->num_rows, rows);
    ck_assert_int_eq(meta->version, 2);
    ck_assert_str_eq(meta->created_by, "floe version 0.1.0 (build dev)");
    ck_assert_uint_eq(meta->column_count, COLUMN_COUNT);
    ck_assert_uint_eq(meta->key_value_count, 2);
    ck_assert_str_eq(meta->key_value_metadata[0].key, "iceberg.schema");
    ck_assert_str_eq(meta->key_value_metadata[0].value, "{\"type\":\"struct\"}");
    ck_assert_str_eq(meta->key_value_metadata[1].key, "floe.test");
    for (int c = 0; c < COLUMN_COUNT; c++) {
        const floe_pq_column *column = &meta->columns[c];
        ck_assert_str_eq(column->name, column_names[c]);
        ck_assert(column->has_field_id);
        ck_assert_int_eq(column->field_id, 100 + c);
        ck_assert_msg(floe_type_equal(column->type, column_type(c)), "column %s type", column->name);
        ck_assert_ptr_null(column->unsupported_reason);
        ck_assert_int_eq(column->max_definition_level, c == COLUMN_COUNT - 1 ? 0 : 1);
    }
    /* TIMESTAMP is not UTC-adjusted, TIMESTAMPTZ is. */
    ck_assert(!meta->schema[7].logical_type.is_adjusted_to_utc);
    ck_assert(meta->schema[8].logical_type.is_adjusted_to_utc);
    ck_assert_int_eq(meta->schema[11].type_length, 16);

    long first_row = 0;
    for (uint32_t g = 0; g < meta->row_group_count; g++) {
        long group_rows = (long)meta->row_groups[g].num_rows;
        ck_assert_int_gt(group_rows, 0);
        for (int c = 0; c < COLUMN_COUNT; c++) {
            cell *cells = calloc((size_t)group_rows + 1, sizeof *cells);
            chunk_facts facts;
            read_chunk(file, meta, g, (uint32_t)c, cells, &facts);
            long nulls = 0;
            long min_row = -1, max_row = -1;
            uint8_t expected[64], other[64];
            for (long r = 0; r < group_rows; r++) {
                long row = first_row + r;
                bool is_null = generated_null(c, row, null_percent);
                ck_assert_msg(cells[r].is_null == is_null, "column %d row %ld null", c, row);
                if (is_null) {
                    nulls++;
                    continue;
                }
                size_t n = expected_plain(c, row, expected);
                ck_assert_msg(cells[r].size == n && memcmp(cells[r].bytes, expected, n) == 0,
                              "column %d row %ld value", c, row);
                free(cells[r].bytes);
                if (is_nan_value(c, row)) continue;
                if (min_row < 0) {
                    min_row = max_row = row;
                    continue;
                }
                size_t m = expected_plain(c, min_row, other);
                if (compare_plain(c, expected, n, other, m) < 0) min_row = row;
                m = expected_plain(c, max_row, other);
                if (compare_plain(c, expected, n, other, m) > 0) max_row = row;
            }
            free(cells);
            const floe_pq_column_metadata *cmd = meta->row_groups[g].columns[c].meta_data;
            ck_assert_ptr_nonnull(cmd->statistics);
            ck_assert(cmd->statistics->has_null_count);
            ck_assert_int_eq(cmd->statistics->null_count, nulls);
            if (min_row < 0) {
                ck_assert_ptr_null(cmd->statistics->min_value.data);
                ck_assert_ptr_null(cmd->statistics->max_value.data);
            } else {
                size_t n = expected_plain(c, min_row, expected);
                if (c == 4 && generated_float(c, min_row) == 0.0) {
                    double negative_zero = -0.0;
                    memcpy(expected, &negative_zero, 8);
                }
                ck_assert_msg(cmd->statistics->min_value.size == n &&
                                  memcmp(cmd->statistics->min_value.data, expected, n) == 0,
                              "column %d group %u min", c, g);
                n = expected_plain(c, max_row, expected);
                ck_assert_msg(cmd->statistics->max_value.size == n &&
                                  memcmp(cmd->statistics->max_value.data, expected, n) == 0,
                              "column %d group %u max", c, g);
            }
            /* One codec for the file (column 0, a BOOLEAN, is never delta-encoded), none for
             * delta-encoded chunks. */
            bool delta = false;
            for (uint32_t e = 0; e < cmd->encoding_count; e++)
                delta |= cmd->encodings[e] == FLOE_PQ_DELTA_BINARY_PACKED ||
                         cmd->encodings[e] == FLOE_PQ_DELTA_BYTE_ARRAY;
            ck_assert_int_eq(cmd->codec, delta ? FLOE_PQ_CODEC_UNCOMPRESSED
                                               : meta->row_groups[0].columns[0].meta_data->codec);
        }
        first_row += group_rows;
    }
    ck_assert_int_eq(first_row, rows);
    free(file);
    return meta;
}

static const int codecs[3] = {FLOE_PQ_CODEC_ZSTD, FLOE_PQ_CODEC_SNAPPY,
                              FLOE_PQ_CODEC_UNCOMPRESSED};
static const int null_percents[3] = {0, 50, 100};

START_TEST(every_type_every_codec_every_null_fraction)
{
    int codec = codecs[_i % 3];
    int null_percent = null_percents[_i / 3];
    floe_pq_write_options options;
    floe_pq_write_options_default(&options);
    options.codec = codec;
    options.row_group_rows = 3000;
    char tag[32];
    snprintf(tag, sizeof tag, "types%d", _i);
    char *path = temp_path(tag);
    floe_pq_write_result result;
    floe_pq_column_result columns[COLUMN_COUNT];
    write_table(path, 7000, 1000, null_percent, &options, &result, columns);
    ck_assert_uint_eq(result.row_count, 7000);
    ck_assert_uint_eq(result.row_group_count, 3);
    floe_pq_file_metadata *meta = verify_file(path, 7000, null_percent);
    ck_assert_uint_eq(result.file_size, meta->file_size);
    ck_assert_uint_eq(meta->row_group_count, 3);
    for (int c = 0; c < COLUMN_COUNT; c++) {
        const floe_pq_column_metadata *cmd = meta->row_groups[0].columns[c].meta_data;
        ck_assert_int_eq(cmd->codec, codec);
        uint64_t bytes = 0;
        for (uint32_t g = 0; g < meta->row_group_count; g++) {
            bytes += (uint64_t)meta->row_groups[g].columns[c].meta_data->total_compressed_size;
        }
        ck_assert_uint_eq(columns[c].column_size, bytes);
        ck_assert_uint_eq(columns[c].value_count, 7000);
        ck_assert_int_eq(columns[c].field_id, 100 + c);
    }
    /* Low-cardinality strings are dictionary-encoded; unique int64s fall back to PLAIN at the
     * first page (dictionary would not pay). */
    if (null_percent < 100) {
        const floe_pq_column_metadata *name = meta->row_groups[0].columns[11].meta_data;
        ck_assert(name->has_dictionary_page_offset);
        const floe_pq_column_metadata *ids = meta->row_groups[0].columns[2].meta_data;
        ck_assert(!ids->has_dictionary_page_offset);
    }
    floe_pq_file_metadata_free(meta);
    unlink(path);
}
END_TEST

START_TEST(empty_file_is_valid)
{
    char *path = temp_path("empty");
    floe_pq_write_result result;
    floe_pq_column_result columns[COLUMN_COUNT];
    write_table(path, 0, 100, 0, NULL, &result, columns);
    ck_assert_uint_eq(result.row_count, 0);
    ck_assert_uint_eq(result.row_group_count, 0);
    floe_pq_file_metadata *meta = verify_file(path, 0, 0);
    ck_assert_uint_eq(meta->row_group_count, 0);
    for (int c = 0; c < COLUMN_COUNT; c++) {
        ck_assert(!columns[c].has_lower_bound && !columns[c].has_upper_bound);
        ck_assert_uint_eq(columns[c].value_count, 0);
    }
    floe_pq_file_metadata_free(meta);
    unlink(path);
}
END_TEST

START_TEST(one_row_and_iceberg_bounds)
{
    char *path = temp_path("one");
    floe_pq_write_result result;
    floe_pq_column_result columns[COLUMN_COUNT];
    write_table(path, 1, 100, 0, NULL, &result, columns);
    floe_pq_file_metadata *meta = verify_file(path, 1, 0);
    floe_pq_file_metadata_free(meta);
    /* Row 0: int32 -10000 LE; decimal(9,2) -50000 as minimal big-endian: 0xFF 0x3C 0xB0;
     * decimal(38,10) -100 * 10^20 = -10^22: minimal bytes fde1e61f36454dc00000 (10 bytes, as
     * Python's (-10**22 % 2**80).to_bytes(10, 'big') gives); string "alpha-0". */
    ck_assert_uint_eq(columns[1].lower_bound_size, 4);
    int32_t i32;
    memcpy(&i32, columns[1].lower_bound, 4);
    ck_assert_int_eq(i32, -10000);
    const uint8_t dec9[] = {0xFF, 0x3C, 0xB0};
    ck_assert_uint_eq(columns[8].lower_bound_size, 3);
    ck_assert(memcmp(columns[8].lower_bound, dec9, 3) == 0);
    const uint8_t dec38[] = {0xFD, 0xE1, 0xE6, 0x1F, 0x36, 0x45, 0x4D, 0xC0, 0x00, 0x00};
    ck_assert_uint_eq(columns[10].upper_bound_size, sizeof dec38);
    ck_assert(memcmp(columns[10].upper_bound, dec38, sizeof dec38) == 0);
    ck_assert_uint_eq(columns[11].lower_bound_size, 7);
    ck_assert(memcmp(columns[11].lower_bound, "alpha-0", 7) == 0);
    ck_assert_uint_eq(columns[0].lower_bound_size, 1);
    ck_assert_uint_eq(columns[0].lower_bound[0], 1);
    unlink(path);
}
END_TEST

START_TEST(file_metrics_merge_row_groups)
{
    char *path = temp_path("metrics");
    floe_pq_write_options options;
    floe_pq_write_options_default(&options);
    options.row_group_rows = 777;
    floe_pq_write_result result;
    floe_pq_column_result columns[COLUMN_COUNT];
    write_table(path, 2500, 300, 50, &options, &result, columns);
    ck_assert_uint_eq(result.row_group_count, 4);
    for (int c = 0; c < COLUMN_COUNT; c++) {
        uint64_t nulls = 0, nans = 0;
        long min_row = -1, max_row = -1;
        uint8_t value[64], other[64];
        for (long row = 0; row < 2500; row++) {
            if (generated_null(c, row, 50)) {
                nulls++;
                continue;
            }
            if (is_nan_value(c, row)) {
                nans++;
                continue;
            }
            size_t n = expected_plain(c, row, value);
            if (min_row < 0) {
                min_row = max_row = row;
                continue;
            }
            size_t m = expected_plain(c, min_row, other);
            if (compare_plain(c, value, n, other, m) < 0) min_row = row;
            m = expected_plain(c, max_row, other);
            if (compare_plain(c, value, n, other, m) > 0) max_row = row;
        }
        ck_assert_uint_eq(columns[c].null_count, nulls);
        ck_assert_uint_eq(columns[c].nan_count, nans);
        ck_assert(columns[c].has_lower_bound && columns[c].has_upper_bound);
        if (c == 8 || c == 9 || c == 10) continue; /* decimals: minimal bytes, checked above */
        size_t n = expected_plain(c, min_row, value);
        if (c == 4 && generated_float(c, min_row) == 0.0) {
            double negative_zero = -0.0;
            memcpy(value, &negative_zero, 8);
        }
        if (c == 11 || c == 12) n = n > 16 ? 16 : n;
        ck_assert_msg(columns[c].lower_bound_size == n &&
                          memcmp(columns[c].lower_bound, value, n) == 0, "column %d lower", c);
        n = expected_plain(c, max_row, value);
        ck_assert_msg(columns[c].upper_bound_size == n &&
                          memcmp(columns[c].upper_bound, value, n) == 0, "column %d upper", c);
    }
    unlink(path);
}
END_TEST

START_TEST(many_row_groups_by_rows_and_by_bytes)
{
    char *path = temp_path("groups");
    floe_pq_write_options options;
    floe_pq_write_options_default(&options);
    options.row_group_rows = 100;
    floe_pq_write_result result;
    floe_pq_column_result columns[COLUMN_COUNT];
    write_table(path, 2550, 2048, 50, &options, &result, columns);
    ck_assert_uint_eq(result.row_group_count, 26);
    floe_pq_file_metadata *meta = verify_file(path, 2550, 50);
    ck_assert_int_eq(meta->row_groups[25].num_rows, 50);
    floe_pq_file_metadata_free(meta);

    floe_pq_write_options_default(&options);
    options.row_group_bytes = 4096;
    options.page_bytes = 1024;
    write_table(path, 6000, 500, 0, &options, &result, columns);
    ck_assert_uint_ge(result.row_group_count, 6); /* closed after each 500-row batch slice */
    meta = verify_file(path, 6000, 0);
    floe_pq_file_metadata_free(meta);
    unlink(path);
}
END_TEST

START_TEST(dictionary_off_writes_plain_only)
{
    char *path = temp_path("plain");
    floe_pq_write_options options;
    floe_pq_write_options_default(&options);
    options.disable_dictionary = true;
    options.page_bytes = 2000;
    floe_pq_write_result result;
    floe_pq_column_result columns[COLUMN_COUNT];
    write_table(path, 5000, 1024, 50, &options, &result, columns);
    floe_pq_file_metadata *meta = verify_file(path, 5000, 50);
    for (int c = 0; c < COLUMN_COUNT; c++) {
        const floe_pq_column_metadata *cmd = meta->row_groups[0].columns[c].meta_data;
        ck_assert(!cmd->has_dictionary_page_offset);
        for (uint32_t e = 0; e < cmd->encoding_count; e++) {
            ck_assert(cmd->encodings[e] == FLOE_PQ_PLAIN || cmd->encodings[e] == FLOE_PQ_RLE);
        }
    }
    floe_pq_file_metadata_free(meta);
    unlink(path);
}
END_TEST

/* delta_encoding: the integer, date, timestamp and decimal columns (1, 2, 5 to 10 and the
 * required id) are delta-encoded over several pages, with and without NULLs (the 38-digit
 * decimal DELTA_BYTE_ARRAY, the others DELTA_BINARY_PACKED), with no codec though the options
 * ask for ZSTD; the others are written as without the option. */
START_TEST(delta_encoding_encodes_integer_and_decimal_columns)
{
    static const int delta_column[COLUMN_COUNT] = {
        [1] = FLOE_PQ_DELTA_BINARY_PACKED, [2] = FLOE_PQ_DELTA_BINARY_PACKED,
        [5] = FLOE_PQ_DELTA_BINARY_PACKED, [6] = FLOE_PQ_DELTA_BINARY_PACKED,
        [7] = FLOE_PQ_DELTA_BINARY_PACKED, [8] = FLOE_PQ_DELTA_BINARY_PACKED,
        [9] = FLOE_PQ_DELTA_BINARY_PACKED, [10] = FLOE_PQ_DELTA_BYTE_ARRAY,
        [13] = FLOE_PQ_DELTA_BINARY_PACKED,
    };
    for (int null_percent = 0; null_percent <= 50; null_percent += 50) {
        char *path = temp_path("delta");
        floe_pq_write_options options;
        floe_pq_write_options_default(&options);
        options.delta_encoding = true;
        options.page_bytes = 2000;
        floe_pq_write_result result;
        floe_pq_column_result columns[COLUMN_COUNT];
        write_table(path, 5000, 1024, null_percent, &options, &result, columns);
        floe_pq_file_metadata *meta = verify_file(path, 5000, null_percent);
        for (int c = 0; c < COLUMN_COUNT; c++) {
            const floe_pq_column_metadata *cmd = meta->row_groups[0].columns[c].meta_data;
            int delta = 0;
            for (uint32_t e = 0; e < cmd->encoding_count; e++)
                if (cmd->encodings[e] == FLOE_PQ_DELTA_BINARY_PACKED ||
                    cmd->encodings[e] == FLOE_PQ_DELTA_BYTE_ARRAY)
                    delta = cmd->encodings[e];
            ck_assert_msg(delta == delta_column[c], "column %d", c);
            ck_assert_int_eq(cmd->codec, delta != 0 ? FLOE_PQ_CODEC_UNCOMPRESSED
                                                    : FLOE_PQ_CODEC_ZSTD);
            if (delta != 0) ck_assert(!cmd->has_dictionary_page_offset);
        }
        floe_pq_file_metadata_free(meta);
        unlink(path);
    }
}
END_TEST

/* Writes 3 batches of 2000 rows of one STRING column, values cycling through `texts` in runs
 * of 7 with every 13th row NULL, as flat strings or as a dictionary vector of codes; small
 * pages so runs cross them, and a dictionary limit of `limit` entries. Returns the bytes. */
static uint8_t *write_runs(bool as_codes, uint32_t limit, size_t *size)
{
    static const char *texts[] = {"beta", "alpha", "gamma", "delta", "epsilon"};
    floe_pq_write_column column = {"s", floe_type_make(FLOE_TYPE_STRING), true, 3};
    floe_pq_write_schema schema = {&column, 1, NULL, NULL, 0};
    floe_pq_write_options options;
    floe_pq_write_options_default(&options);
    options.page_bytes = 256;
    options.dictionary_max_entries = limit;
    char *path = temp_path(as_codes ? "codes" : "flat");
    floe_pq_writer *writer;
    floe_error err;
    ck_assert_int_eq(floe_pq_writer_create(&writer, path, &schema, &options, &err), FLOE_OK);
    floe_type type = column.type;
    floe_vector entries;
    ck_assert_int_eq(floe_vector_init(&entries, type, 5, NULL), FLOE_OK);
    for (uint32_t e = 0; e < 5; e++)
        ck_assert_int_eq(floe_vector_set_string(&entries, e, texts[e], (uint32_t)strlen(texts[e]),
                                                NULL),
                         FLOE_OK);
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, 1, &type, NULL), FLOE_OK);
    for (int b = 0; b < 3; b++) {
        floe_batch_reset(&batch);
        floe_vector *vector = &batch.columns[0];
        if (as_codes) {
            vector->encoding = FLOE_VECTOR_DICTIONARY;
            vector->dictionary = &entries;
        }
        for (uint32_t r = 0; r < 2000; r++) {
            int row = b * 2000 + (int)r;
            uint32_t code = (uint32_t)(row / 7) % (b == 2 ? 5 : 3);
            if (row % 13 == 5) {
                floe_vector_set_null(vector, r);
            } else if (as_codes) {
                ((uint32_t *)vector->data)[r] = code;
            } else {
                ck_assert_int_eq(floe_vector_set_string(vector, r, texts[code],
                                                        (uint32_t)strlen(texts[code]), NULL),
                                 FLOE_OK);
            }
        }
        batch.row_count = 2000;
        ck_assert_int_eq(floe_pq_writer_write_batch(writer, &batch, &err), FLOE_OK);
    }
    floe_pq_write_result result;
    ck_assert_int_eq(floe_pq_writer_close(writer, &result, &err), FLOE_OK);
    floe_pq_writer_free(writer);
    floe_batch_fini(&batch);
    floe_vector_fini(&entries);
    uint8_t *bytes = read_file(path, size);
    unlink(path);
    return bytes;
}

/* A dictionary vector whose codes repeat takes the writer's shortcut (the row before's
 * dictionary index and statistics): the file is byte for byte the one the same values as flat
 * strings give, with the dictionary kept throughout and given up midway (4 entries allowed,
 * the third batch brings a fifth). */
START_TEST(repeated_dictionary_codes_write_what_flat_strings_do)
{
    for (uint32_t limit = 4; limit <= 64; limit += 60) {
        size_t flat_size = 0, codes_size = 0;
        uint8_t *flat = write_runs(false, limit, &flat_size);
        uint8_t *codes = write_runs(true, limit, &codes_size);
        ck_assert_uint_eq(codes_size, flat_size);
        ck_assert_msg(memcmp(flat, codes, flat_size) == 0, "limit %u", limit);
        free(flat);
        free(codes);
    }
}
END_TEST

/* One STRING column: 50 repeating values, then distinct ones past the dictionary's limit. */
START_TEST(dictionary_fallback_continues_plain)
{
    floe_pq_write_column column = {"s", floe_type_make(FLOE_TYPE_STRING), true, 7};
    floe_pq_write_schema schema = {&column, 1, NULL, NULL, 0};
    floe_pq_write_options options;
    floe_pq_write_options_default(&options);
    options.dictionary_max_entries = 200;
    options.page_bytes = 512;
    char *path = temp_path("fallback");
    floe_pq_writer *writer;
    floe_error err;
    ck_assert_int_eq(floe_pq_writer_create(&writer, path, &schema, &options, &err), FLOE_OK);
    floe_type type = column.type;
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, 1, &type, NULL), FLOE_OK);
    char text[32];
    for (int b = 0; b < 3; b++) {
        floe_batch_reset(&batch);
        for (uint32_t r = 0; r < 2000; r++) {
            int row = b * 2000 + (int)r;
            if (row % 11 == 3) {
                floe_vector_set_null(&batch.columns[0], r);
                continue;
            }
            int n = row < 3000 ? snprintf(text, sizeof text, "v%d", row % 50)
                               : snprintf(text, sizeof text, "unique-%d", row);
            ck_assert_int_eq(floe_vector_set_string(&batch.columns[0], r, text, (uint32_t)n, NULL),
                             FLOE_OK);
        }
        batch.row_count = 2000;
        ck_assert_int_eq(floe_pq_writer_write_batch(writer, &batch, &err), FLOE_OK);
    }
    floe_pq_write_result result;
    ck_assert_int_eq(floe_pq_writer_close(writer, &result, &err), FLOE_OK);
    floe_pq_writer_free(writer);
    floe_batch_fini(&batch);

    size_t size;
    uint8_t *file = read_file(path, &size);
    floe_pq_file_metadata *meta;
    ck_assert_int_eq(floe_pq_file_metadata_parse(file, size, &meta, &err), FLOE_OK);
    const floe_pq_column_metadata *cmd = meta->row_groups[0].columns[0].meta_data;
    ck_assert(cmd->has_dictionary_page_offset);
    bool plain = false, dictionary = false;
    for (uint32_t e = 0; e < cmd->encoding_count; e++) {
        plain |= cmd->encodings[e] == FLOE_PQ_PLAIN;
        dictionary |= cmd->encodings[e] == FLOE_PQ_RLE_DICTIONARY;
    }
    ck_assert(plain && dictionary);
    cell *cells = calloc(6001, sizeof *cells);
    chunk_facts facts;
    read_chunk(file, meta, 0, 0, cells, &facts);
    ck_assert_int_eq(facts.dictionary_pages, 1);
    ck_assert_int_gt(facts.dictionary_data_pages, 0);
    ck_assert_int_gt(facts.plain_data_pages, 0);
    ck_assert_uint_eq(cmd->encoding_stats_count, 3);
    for (int row = 0; row < 6000; row++) {
        ck_assert_int_eq(cells[row].is_null, row % 11 == 3);
        if (cells[row].is_null) continue;
        int n = row < 3000 ? snprintf(text, sizeof text, "v%d", row % 50)
                           : snprintf(text, sizeof text, "unique-%d", row);
        ck_assert(cells[row].size == (uint32_t)n && memcmp(cells[row].bytes, text, (size_t)n) == 0);
        free(cells[row].bytes);
    }
    free(cells);
    ck_assert_int_eq(cmd->statistics->null_count, 546);
    ck_assert(cmd->statistics->min_value.size == 11 &&
              memcmp(cmd->statistics->min_value.data, "unique-3000", 11) == 0);
    ck_assert(cmd->statistics->max_value.size == 2 &&
              memcmp(cmd->statistics->max_value.data, "v9", 2) == 0);
    floe_pq_file_metadata_free(meta);
    free(file);
    unlink(path);
}
END_TEST

START_TEST(long_strings_round_trip_with_truncated_statistics)
{
    floe_pq_write_column column = {"big", floe_type_make(FLOE_TYPE_STRING), false, 1};
    floe_pq_write_schema schema = {&column, 1, NULL, NULL, 0};
    char *path = temp_path("long");
    floe_pq_writer *writer;
    floe_error err;
    ck_assert_int_eq(floe_pq_writer_create(&writer, path, &schema, NULL, &err), FLOE_OK);
    floe_type type = column.type;
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, 1, &type, NULL), FLOE_OK);
    size_t length = (size_t)1 << 20;
    char *text = malloc(length);
    for (uint32_t r = 0; r < 3; r++) {
        for (size_t i = 0; i < length; i++) text[i] = (char)('a' + (i * 7 + r) % 26);
        ck_assert_int_eq(floe_vector_set_string(&batch.columns[0], r, text, (uint32_t)length, NULL),
                         FLOE_OK);
    }
    batch.row_count = 3;
    ck_assert_int_eq(floe_pq_writer_write_batch(writer, &batch, &err), FLOE_OK);
    floe_pq_write_result result;
    ck_assert_int_eq(floe_pq_writer_close(writer, &result, &err), FLOE_OK);
    /* Iceberg bounds: 16 characters; the upper one incremented. */
    ck_assert_uint_eq(result.columns[0].lower_bound_size, 16);
    ck_assert(memcmp(result.columns[0].lower_bound, "ahovcjqxelszgnub", 16) == 0);
    ck_assert_uint_eq(result.columns[0].upper_bound_size, 16);
    ck_assert(memcmp(result.columns[0].upper_bound, "cjqxelszgnubipwe", 16) == 0);
    floe_pq_writer_free(writer);

    size_t size;
    uint8_t *file = read_file(path, &size);
    floe_pq_file_metadata *meta;
    ck_assert_int_eq(floe_pq_file_metadata_parse(file, size, &meta, &err), FLOE_OK);
    cell cells[3];
    memset(cells, 0, sizeof cells);
    chunk_facts facts;
    read_chunk(file, meta, 0, 0, cells, &facts);
    for (uint32_t r = 0; r < 3; r++) {
        for (size_t i = 0; i < length; i++) text[i] = (char)('a' + (i * 7 + r) % 26);
        ck_assert(cells[r].size == length && memcmp(cells[r].bytes, text, length) == 0);
        free(cells[r].bytes);
    }
    const floe_pq_statistics *stats = meta->row_groups[0].columns[0].meta_data->statistics;
    ck_assert_uint_eq(stats->min_value.size, 64);
    ck_assert(stats->has_is_min_value_exact && !stats->is_min_value_exact);
    ck_assert(stats->has_is_max_value_exact && !stats->is_max_value_exact);
    floe_pq_file_metadata_free(meta);
    free(file);
    free(text);
    floe_batch_fini(&batch);
    unlink(path);
}
END_TEST

START_TEST(selection_vector_is_honoured)
{
    floe_pq_write_column column = {"v", floe_type_make(FLOE_TYPE_INT32), true, 1};
    floe_pq_write_schema schema = {&column, 1, NULL, NULL, 0};
    char *path = temp_path("select");
    floe_pq_writer *writer;
    floe_error err;
    ck_assert_int_eq(floe_pq_writer_create(&writer, path, &schema, NULL, &err), FLOE_OK);
    floe_type type = column.type;
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, 1, &type, NULL), FLOE_OK);
    for (uint32_t r = 0; r < 100; r++) ((int32_t *)batch.columns[0].data)[r] = (int32_t)r;
    floe_vector_set_null(&batch.columns[0], 4);
    batch.row_count = 100;
    uint32_t selected = 0;
    for (uint16_t r = 0; r < 100; r += 2) batch.selection_storage[selected++] = r;
    batch.selection = batch.selection_storage;
    batch.selected_count = selected;
    ck_assert_int_eq(floe_pq_writer_write_batch(writer, &batch, &err), FLOE_OK);
    floe_pq_write_result result;
    ck_assert_int_eq(floe_pq_writer_close(writer, &result, &err), FLOE_OK);
    ck_assert_uint_eq(result.row_count, 50);
    ck_assert_uint_eq(result.columns[0].null_count, 1);
    ck_assert_int_eq(floe_pq_writer_sync(writer, &err), FLOE_OK); /* reopens the closed path */
    floe_pq_writer_free(writer);
    size_t size;
    uint8_t *file = read_file(path, &size);
    floe_pq_file_metadata *meta;
    ck_assert_int_eq(floe_pq_file_metadata_parse(file, size, &meta, &err), FLOE_OK);
    ck_assert_int_eq(meta->num_rows, 50);
    cell cells[50];
    memset(cells, 0, sizeof cells);
    chunk_facts facts;
    read_chunk(file, meta, 0, 0, cells, &facts);
    for (int i = 0; i < 50; i++) {
        ck_assert_int_eq(cells[i].is_null, i == 2);
        if (cells[i].is_null) continue;
        int32_t v;
        memcpy(&v, cells[i].bytes, 4);
        ck_assert_int_eq(v, 2 * i);
        free(cells[i].bytes);
    }
    floe_pq_file_metadata_free(meta);
    free(file);
    floe_batch_fini(&batch);
    unlink(path);
}
END_TEST

START_TEST(contract_errors_are_reported)
{
    floe_error err;
    floe_pq_writer *writer = NULL;
    char *path = temp_path("errors");
    floe_pq_write_schema empty = {NULL, 0, NULL, NULL, 0};
    ck_assert_int_eq(floe_pq_writer_create(&writer, path, &empty, NULL, &err), FLOE_EINVAL);
    ck_assert_ptr_null(writer);
    floe_pq_write_column columns[2] = {{"a", floe_type_make(FLOE_TYPE_INT32), false, 1},
                                       {"a", floe_type_make(FLOE_TYPE_INT32), false, 2}};
    floe_pq_write_schema duplicate = {columns, 2, NULL, NULL, 0};
    ck_assert_int_eq(floe_pq_writer_create(&writer, path, &duplicate, NULL, &err), FLOE_EINVAL);
    ck_assert(strstr(err.message, "duplicate") != NULL);
    floe_pq_write_options options;
    floe_pq_write_options_default(&options);
    options.codec = FLOE_PQ_CODEC_LZO;
    floe_pq_write_schema one = {columns, 1, NULL, NULL, 0};
    ck_assert_int_eq(floe_pq_writer_create(&writer, path, &one, &options, &err), FLOE_EUNSUPPORTED);
    ck_assert_int_lt(floe_pq_writer_create(&writer, "/nonexistent/dir/x.parquet", &one, NULL, &err),
                     0);
    ck_assert(strstr(err.message, "/nonexistent/dir/x.parquet") != NULL);

    ck_assert_int_eq(floe_pq_writer_create(&writer, path, &one, NULL, &err), FLOE_OK);
    floe_type type = floe_type_make(FLOE_TYPE_INT32);
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, 1, &type, NULL), FLOE_OK);
    batch.row_count = 3;
    floe_vector_set_null(&batch.columns[0], 1);
    ck_assert_int_eq(floe_pq_writer_write_batch(writer, &batch, &err), FLOE_EINVAL);
    ck_assert(strstr(err.message, "required") != NULL);
    /* After a failure the writer refuses more. */
    ck_assert_int_eq(floe_pq_writer_close(writer, NULL, &err), FLOE_EINVAL);
    floe_pq_writer_free(writer);
    floe_batch_fini(&batch);

    type = floe_type_make(FLOE_TYPE_INT64);
    ck_assert_int_eq(floe_batch_init(&batch, 1, &type, NULL), FLOE_OK);
    ck_assert_int_eq(floe_pq_writer_create(&writer, path, &one, NULL, &err), FLOE_OK);
    ck_assert_int_eq(floe_pq_writer_write_batch(writer, &batch, &err), FLOE_EINVAL);
    floe_pq_writer_free(writer); /* abandoned: nothing removed */
    ck_assert_int_eq(access(path, F_OK), 0);
    floe_pq_writer_free(NULL);
    floe_batch_fini(&batch);
    unlink(path);
}
END_TEST

START_TEST(allocation_failures_are_clean)
{
    char *path = temp_path("alloc");
    floe_type types[COLUMN_COUNT];
    for (int c = 0; c < COLUMN_COUNT; c++) types[c] = column_type(c);
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, COLUMN_COUNT, types, NULL), FLOE_OK);
    fill_batch(&batch, 0, 300, 50);
    floe_pq_write_schema schema = test_schema();
    floe_pq_write_options options;
    floe_pq_write_options_default(&options);
    options.row_group_rows = 100;
    bool succeeded = false;
    for (long limit = 0; limit < 5000 && !succeeded; limit++) {
        floe_set_allocation_failure_after(limit);
        floe_pq_writer *writer = NULL;
        floe_error err;
        int status = floe_pq_writer_create(&writer, path, &schema, &options, &err);
        if (status == FLOE_OK) status = floe_pq_writer_write_batch(writer, &batch, &err);
        floe_pq_write_result result;
        if (status == FLOE_OK) status = floe_pq_writer_close(writer, &result, &err);
        floe_set_allocation_failure_after(-1);
        if (status == FLOE_OK) {
            succeeded = true;
        } else {
            ck_assert_msg(status == FLOE_ENOMEM, "limit %ld: %s", limit, err.message);
        }
        floe_pq_writer_free(writer);
    }
    ck_assert(succeeded);
    floe_pq_file_metadata *meta = verify_file(path, 300, 50);
    floe_pq_file_metadata_free(meta);
    floe_batch_fini(&batch);
    unlink(path);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("parquet_writer");
    TCase *encoders = tcase_create("encoders");
    tcase_add_test(encoders, thrift_writer_round_trips_through_reader);
    tcase_add_test(encoders, rle_encoder_round_trips_and_uses_runs);
    tcase_add_test(encoders, delta_encoder_round_trips_at_every_width);
    tcase_add_test(encoders, delta_byte_array_round_trips_fixed_values);
    tcase_add_test(encoders, bounds_truncate_to_valid_prefixes);
    suite_add_tcase(suite, encoders);
    TCase *files = tcase_create("files");
    tcase_set_timeout(files, 120);
    tcase_add_loop_test(files, every_type_every_codec_every_null_fraction, 0, 9);
    tcase_add_test(files, empty_file_is_valid);
    tcase_add_test(files, one_row_and_iceberg_bounds);
    tcase_add_test(files, file_metrics_merge_row_groups);
    tcase_add_test(files, many_row_groups_by_rows_and_by_bytes);
    tcase_add_test(files, dictionary_off_writes_plain_only);
    tcase_add_test(files, delta_encoding_encodes_integer_and_decimal_columns);
    tcase_add_test(files, dictionary_fallback_continues_plain);
    tcase_add_test(files, repeated_dictionary_codes_write_what_flat_strings_do);
    tcase_add_test(files, long_strings_round_trip_with_truncated_statistics);
    tcase_add_test(files, selection_vector_is_honoured);
    tcase_add_test(files, contract_errors_are_reported);
    tcase_add_test(files, allocation_failures_are_clean);
    suite_add_tcase(suite, files);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}
