/*
 * Description: Parquet value encodings (io/parquet_encoding.h) — RLE/bit-packing hybrid, PLAIN,
 * INT96, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT and
 * dictionary gather — against the worked examples of Encodings.md (bytes computed by hand),
 * round trips through small reference encoders written here, edge values, and malformed input
 * (every truncation, lying lengths, huge counts) which must fail with FLOE_ECORRUPT and a message.
 */
#include "io/parquet_encoding.h"

#include "kernels/arena.h"
#include "kernels/memory.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a tiny deterministic generator ---- */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* ---- reference encoders (written from Encodings.md, independent of the decoders) ---- */
typedef struct byte_buffer {
    uint8_t *bytes;
    size_t size, capacity;
} byte_buffer;

static void put_byte(byte_buffer *b, uint8_t byte)
{
    if (b->size == b->capacity) {
        b->capacity = b->capacity ? b->capacity * 2 : 64;
        b->bytes = realloc(b->bytes, b->capacity);
        ck_assert_ptr_nonnull(b->bytes);
    }
    b->bytes[b->size++] = byte;
}

static void put_uleb(byte_buffer *b, uint64_t value)
{
    do {
        uint8_t byte = value & 0x7f;
        value >>= 7;
        put_byte(b, byte | (value ? 0x80 : 0));
    } while (value);
}

static void put_zigzag(byte_buffer *b, int64_t value)
{
    put_uleb(b, ((uint64_t)value << 1) ^ (uint64_t)(value >> 63));
}

/* Appends `count` values of `width` bits, LSB first, padding the last byte with zeros. */
static void put_packed(byte_buffer *b, const uint64_t *values, size_t count, unsigned width)
{
    size_t bytes = (count * width + 7) / 8, start = b->size;
    for (size_t i = 0; i < bytes; i++) put_byte(b, 0);
    for (size_t i = 0; i < count; i++) {
        for (unsigned k = 0; k < width; k++) {
            size_t bit = i * width + k;
            if ((values[i] >> k) & 1) b->bytes[start + bit / 8] |= (uint8_t)(1u << (bit % 8));
        }
    }
}

/* RLE/bit-packing hybrid with randomly chosen runs; the last bit-packed run is zero-padded. */
static void encode_hybrid(byte_buffer *b, const uint32_t *values, size_t count, unsigned width)
{
    size_t i = 0;
    while (i < count) {
        size_t run = 1;
        while (i + run < count && values[i + run] == values[i]) run++;
        if (run >= 8 || (next_random() & 3) == 0) {
            put_uleb(b, (uint64_t)run << 1);
            for (unsigned k = 0; k < (width + 7) / 8; k++) put_byte(b, (uint8_t)(values[i] >> (8 * k)));
            i += run;
        } else {
            size_t groups = 1 + next_random() % 4;
            uint64_t chunk[32] = {0};
            size_t n = groups * 8 < count - i ? groups * 8 : count - i;
            for (size_t k = 0; k < n; k++) chunk[k] = values[i + k];
            put_uleb(b, (uint64_t)groups << 1 | 1);
            put_packed(b, chunk, groups * 8, width);
            i += n;
        }
    }
}

static uint64_t width_of(uint64_t value)
{
    unsigned w = 0;
    while (w < 64 && (value >> w) != 0) w++;
    return w;
}

/* DELTA_BINARY_PACKED over int64 values (int32 callers pass sign-extended values and wrap32). */
static void encode_delta(byte_buffer *b, const int64_t *values, size_t count, size_t block_size,
                         size_t miniblocks, int wrap32)
{
    put_uleb(b, block_size);
    put_uleb(b, miniblocks);
    put_uleb(b, count);
    put_zigzag(b, count ? values[0] : 0);
    size_t per_mini = block_size / miniblocks;
    for (size_t start = 1; start < count; start += block_size) {
        size_t n = count - start < block_size ? count - start : block_size;
        uint64_t *deltas = calloc(block_size, sizeof *deltas);
        int64_t min_delta = INT64_MAX;
        for (size_t k = 0; k < n; k++) {
            uint64_t d = (uint64_t)values[start + k] - (uint64_t)values[start + k - 1];
            if (wrap32) d = (uint64_t)(int64_t)(int32_t)(uint32_t)d;
            deltas[k] = d;
            if ((int64_t)d < min_delta) min_delta = (int64_t)d;
        }
        put_zigzag(b, min_delta);
        unsigned widths[64];
        for (size_t m = 0; m < miniblocks; m++) {
            uint64_t maximum = 0;
            for (size_t k = m * per_mini; k < (m + 1) * per_mini && k < n; k++) {
                deltas[k] -= (uint64_t)min_delta;
                if (wrap32) deltas[k] &= 0xffffffffu;
                if (deltas[k] > maximum) maximum = deltas[k];
            }
            widths[m] = m * per_mini < n ? (unsigned)width_of(maximum) : 0;
            put_byte(b, (uint8_t)widths[m]);
        }
        for (size_t m = 0; m < miniblocks && m * per_mini < n; m++) {
            uint64_t chunk[1024] = {0};
            for (size_t k = 0; k < per_mini && m * per_mini + k < n; k++) chunk[k] = deltas[m * per_mini + k];
            put_packed(b, chunk, per_mini, widths[m]);
        }
        free(deltas);
    }
}

static void expect_corrupt(int status, const floe_error *err)
{
    ck_assert_int_eq(status, FLOE_ECORRUPT);
    ck_assert_int_gt((int)strlen(err->message), 0);
}

/* ---- RLE / bit-packing hybrid ---- */

START_TEST(rle_spec_example_bit_packed_and_run)
{
    /* Encodings.md: 0..7 with bit width 3 packs to 10001000 11000110 11111010. One group: header
     * (1 << 1) | 1 = 3. Then an RLE run of five 4s: header 5 << 1 = 10, value in one byte. */
    const uint8_t stream[] = {0x03, 0x88, 0xC6, 0xFA, 0x0A, 0x04};
    floe_pq_rle_decoder decoder;
    floe_error err;
    ck_assert_int_eq(floe_pq_rle_init(&decoder, stream, sizeof stream, 3, &err), FLOE_OK);
    uint32_t out[16];
    size_t decoded = 0;
    /* Odd request sizes cross the group and run boundaries. */
    ck_assert_int_eq(floe_pq_rle_next(&decoder, out, 3, &decoded, &err), FLOE_OK);
    ck_assert_uint_eq(decoded, 3);
    ck_assert_int_eq(floe_pq_rle_next(&decoder, out + 3, 7, &decoded, &err), FLOE_OK);
    ck_assert_uint_eq(decoded, 7);
    ck_assert_int_eq(floe_pq_rle_next(&decoder, out + 10, 6, &decoded, &err), FLOE_OK);
    ck_assert_uint_eq(decoded, 3); /* the stream ends */
    const uint32_t expected[] = {0, 1, 2, 3, 4, 5, 6, 7, 4, 4, 4, 4, 4};
    ck_assert_mem_eq(out, expected, sizeof expected);
}
END_TEST

START_TEST(rle_round_trips_every_width)
{
    for (unsigned width = 0; width <= 32; width++) {
        for (int trial = 0; trial < 8; trial++) {
            size_t count = (size_t)(next_random() % 3000);
            if (trial == 0) count = 0;
            if (trial == 1) count = 1;
            uint32_t *values = malloc((count + 1) * sizeof *values);
            uint64_t mask = width == 32 ? 0xffffffffu : ((1ull << width) - 1);
            for (size_t i = 0; i < count; i++) {
                /* Runs of repeats mixed with noise. */
                values[i] = (next_random() & 1) && i > 0 ? values[i - 1]
                                                         : (uint32_t)(next_random() & mask);
            }
            byte_buffer b = {0};
            encode_hybrid(&b, values, count, width);
            floe_pq_rle_decoder decoder;
            floe_error err;
            ck_assert_int_eq(floe_pq_rle_init(&decoder, b.bytes, b.size, width, &err), FLOE_OK);
            uint32_t *out = malloc((count + 1) * sizeof *out);
            size_t done = 0;
            while (done < count) {
                size_t n = 1 + next_random() % 100;
                if (n > count - done) n = count - done;
                ck_assert_int_eq(floe_pq_rle_read(&decoder, out + done, n, &err), FLOE_OK);
                done += n;
            }
            if (count) ck_assert_mem_eq(out, values, count * sizeof *out);
            free(out);
            free(values);
            free(b.bytes);
        }
    }
}
END_TEST

START_TEST(rle_truncated_last_bit_packed_run)
{
    /* Header claims 2 groups (16 values of width 4 = 8 bytes) but only 3 bytes follow: the
     * values those bytes hold completely (6) are returned, then the stream ends. */
    const uint8_t stream[] = {0x05, 0x21, 0x43, 0x65};
    floe_pq_rle_decoder decoder;
    floe_error err;
    ck_assert_int_eq(floe_pq_rle_init(&decoder, stream, sizeof stream, 4, &err), FLOE_OK);
    uint32_t out[16];
    size_t decoded;
    ck_assert_int_eq(floe_pq_rle_next(&decoder, out, 16, &decoded, &err), FLOE_OK);
    ck_assert_uint_eq(decoded, 6);
    const uint32_t expected[] = {1, 2, 3, 4, 5, 6};
    ck_assert_mem_eq(out, expected, sizeof expected);
    ck_assert_int_eq(floe_pq_rle_init(&decoder, stream, sizeof stream, 4, &err), FLOE_OK);
    expect_corrupt(floe_pq_rle_read(&decoder, out, 7, &err), &err);
    ck_assert_ptr_nonnull(strstr(err.message, "ended after 6 of 7"));
}
END_TEST

START_TEST(rle_bit_width_zero_reads_no_value_bytes)
{
    /* Width 0: an RLE run has no value bytes, a bit-packed run no data. */
    const uint8_t stream[] = {0x14, 0x03};
    floe_pq_rle_decoder decoder;
    floe_error err;
    ck_assert_int_eq(floe_pq_rle_init(&decoder, stream, sizeof stream, 0, &err), FLOE_OK);
    uint32_t out[18];
    memset(out, 0xff, sizeof out);
    ck_assert_int_eq(floe_pq_rle_read(&decoder, out, 18, &err), FLOE_OK);
    for (int i = 0; i < 18; i++) ck_assert_uint_eq(out[i], 0);
}
END_TEST

START_TEST(rle_malformed_input_is_corrupt)
{
    floe_pq_rle_decoder decoder;
    floe_error err;
    uint32_t out[64];
    size_t decoded;
    ck_assert_int_eq(floe_pq_rle_init(&decoder, NULL, 0, 33, &err), FLOE_EINVAL);
    struct {
        uint8_t bytes[12];
        size_t size;
        unsigned width;
        const char *needle;
    } cases[] = {
        {{0x00}, 1, 3, "length 0"},                            /* RLE run of 0 */
        {{0x01}, 1, 3, "0 groups"},                            /* bit-packed run of 0 groups */
        {{0x08, 0x09}, 2, 3, "does not fit"},                  /* value 9 in 3 bits */
        {{0x08}, 1, 3, "truncated run value"},
        {{0x08, 0x01}, 2, 9, "truncated run value"},           /* width 9 needs 2 bytes */
        {{0x80, 0x80}, 2, 3, "truncated or overlong"},
        {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 11, 3,
         "truncated or overlong"},
        {{0x80, 0x80, 0x80, 0x80, 0x10, 0x01}, 6, 1, "must be 1.."}, /* run of 2^31 */
        {{0x03}, 1, 3, "has no data"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ck_assert_int_eq(floe_pq_rle_init(&decoder, cases[c].bytes, cases[c].size, cases[c].width,
                                          &err), FLOE_OK);
        floe_error_clear(&err);
        expect_corrupt(floe_pq_rle_next(&decoder, out, 64, &decoded, &err), &err);
        ck_assert_msg(strstr(err.message, cases[c].needle) != NULL, "case %zu: %s", c,
                      err.message);
    }
    /* Every strict prefix of a stream ending in an RLE run falls short of the count. */
    uint32_t values[40];
    for (int i = 0; i < 40; i++) values[i] = i < 20 ? (uint32_t)(i * 7 % 32) : 5;
    byte_buffer b = {0};
    encode_hybrid(&b, values, 40, 5);
    for (size_t cut = 0; cut < b.size; cut++) {
        ck_assert_int_eq(floe_pq_rle_init(&decoder, b.bytes, cut, 5, &err), FLOE_OK);
        int status = floe_pq_rle_read(&decoder, out, 40, &err);
        ck_assert_msg(status == FLOE_ECORRUPT, "prefix %zu decoded", cut);
    }
    free(b.bytes);
}
END_TEST

START_TEST(rle_length_prefix_booleans_and_dictionary_width)
{
    floe_error err;
    const uint8_t *data;
    size_t data_size, consumed;
    /* v1 framing: 4-byte little-endian length; then an RLE run of 10 trues, width 1. */
    const uint8_t booleans[] = {0x02, 0x00, 0x00, 0x00, 0x14, 0x01, 0xEE};
    ck_assert_int_eq(floe_pq_rle_length_prefixed(booleans, sizeof booleans, &data, &data_size,
                                                 &consumed, &err), FLOE_OK);
    ck_assert_uint_eq(data_size, 2);
    ck_assert_uint_eq(consumed, 6);
    uint8_t out[10];
    ck_assert_int_eq(floe_pq_rle_booleans(out, 10, booleans, sizeof booleans, &consumed, &err),
                     FLOE_OK);
    for (int i = 0; i < 10; i++) ck_assert_uint_eq(out[i], 1);
    expect_corrupt(floe_pq_rle_booleans(out, 10, booleans, 3, &consumed, &err), &err);
    const uint8_t lying[] = {0x09, 0x00, 0x00, 0x00, 0x14, 0x01};
    expect_corrupt(floe_pq_rle_length_prefixed(lying, sizeof lying, &data, &data_size, &consumed,
                                               &err), &err);
    ck_assert_ptr_nonnull(strstr(err.message, "length prefix 9"));
    /* Bit-packed booleans 1,0,1,1,0,0,0,1 = 0b10001101. */
    const uint8_t packed[] = {0x02, 0x00, 0x00, 0x00, 0x03, 0x8D};
    ck_assert_int_eq(floe_pq_rle_booleans(out, 8, packed, sizeof packed, &consumed, &err), FLOE_OK);
    const uint8_t expected[] = {1, 0, 1, 1, 0, 0, 0, 1};
    ck_assert_mem_eq(out, expected, 8);

    floe_pq_rle_decoder decoder;
    const uint8_t indices[] = {0x02, 0x06, 0x03}; /* width 2, run of 3 threes */
    ck_assert_int_eq(floe_pq_dictionary_indices_init(&decoder, indices, sizeof indices, &err),
                     FLOE_OK);
    uint32_t codes[3];
    ck_assert_int_eq(floe_pq_rle_read(&decoder, codes, 3, &err), FLOE_OK);
    ck_assert_uint_eq(codes[2], 3);
    const uint8_t bad_width[] = {0x21, 0x00};
    expect_corrupt(floe_pq_dictionary_indices_init(&decoder, bad_width, 2, &err), &err);
    expect_corrupt(floe_pq_dictionary_indices_init(&decoder, bad_width, 0, &err), &err);
}
END_TEST

/* ---- PLAIN ---- */

START_TEST(plain_fixed_booleans_and_int96)
{
    floe_error err;
    size_t consumed;
    int64_t values[3] = {INT64_MIN, -1, INT64_MAX};
    uint8_t page[24];
    for (int i = 0; i < 3; i++) {
        for (int k = 0; k < 8; k++) page[8 * i + k] = (uint8_t)((uint64_t)values[i] >> (8 * k));
    }
    int64_t out[3];
    ck_assert_int_eq(floe_pq_plain_fixed(out, 3, 8, page, sizeof page, &consumed, &err), FLOE_OK);
    ck_assert_uint_eq(consumed, 24);
    ck_assert_mem_eq(out, values, sizeof values);
    for (size_t cut = 0; cut < sizeof page; cut++) {
        expect_corrupt(floe_pq_plain_fixed(out, 3, 8, page, cut, &consumed, &err), &err);
    }
    ck_assert_int_eq(floe_pq_plain_fixed(out, 0, 8, page, 0, &consumed, &err), FLOE_OK);
    expect_corrupt(floe_pq_plain_fixed(out, SIZE_MAX / 4, 8, page, sizeof page, &consumed, &err),
                   &err);

    /* Booleans LSB first: 0xB2 = 1011 0010 -> 0,1,0,0,1,1,0,1; then 0x01. */
    const uint8_t bits[] = {0xB2, 0x01};
    uint8_t booleans[9];
    ck_assert_int_eq(floe_pq_plain_booleans(booleans, 9, bits, 2, 0, &err), FLOE_OK);
    const uint8_t expected[] = {0, 1, 0, 0, 1, 1, 0, 1, 1};
    ck_assert_mem_eq(booleans, expected, 9);
    ck_assert_int_eq(floe_pq_plain_booleans(booleans, 5, bits, 2, 4, &err), FLOE_OK);
    ck_assert_mem_eq(booleans, expected + 4, 5);
    expect_corrupt(floe_pq_plain_booleans(booleans, 10, bits, 2, 7, &err), &err);
    expect_corrupt(floe_pq_plain_booleans(booleans, 1, bits, 2, 16, &err), &err);
    /* A start bit past the end (not just past the last whole byte). */
    expect_corrupt(floe_pq_plain_booleans(booleans, 1, bits, 2, 17, &err), &err);
    expect_corrupt(floe_pq_plain_booleans(booleans, 0, bits, 2, 23, &err), &err);
    ck_assert_int_eq(floe_pq_plain_booleans(booleans, 0, bits, 2, 16, &err), FLOE_OK);

    /* INT96: (nanos of day, Julian day). 2440588 is 1970-01-01; 2451545 is 2000-01-01, which is
     * 946684800 s after the epoch. */
    uint8_t int96[4 * 12];
    struct { int64_t nanos; int32_t day; int64_t micros; } cases[] = {
        {0, 2440588, 0},
        {1500, 2440589, INT64_C(86400000001)},
        {INT64_C(43200000000000), 2451545, INT64_C(946684800000000) + INT64_C(43200000000)},
        {999, 2440587, -INT64_C(86400000000)},
    };
    for (int i = 0; i < 4; i++) {
        memcpy(int96 + 12 * i, &cases[i].nanos, 8);
        memcpy(int96 + 12 * i + 8, &cases[i].day, 4);
    }
    int64_t micros[4];
    ck_assert_int_eq(floe_pq_int96_to_micros(micros, 4, int96, sizeof int96, &consumed, &err),
                     FLOE_OK);
    ck_assert_uint_eq(consumed, 48);
    for (int i = 0; i < 4; i++) ck_assert_int_eq(micros[i], cases[i].micros);
    expect_corrupt(floe_pq_int96_to_micros(micros, 4, int96, 47, &consumed, &err), &err);
    int32_t far_day = INT32_MAX;
    memcpy(int96 + 8, &far_day, 4);
    ck_assert_int_eq(floe_pq_int96_to_micros(micros, 1, int96, 12, &consumed, &err), FLOE_ERANGE);
}
END_TEST

START_TEST(plain_byte_array_references_and_copies)
{
    const uint8_t page[] = {5, 0, 0, 0, 'H', 'e', 'l', 'l', 'o', 0, 0, 0, 0, 2, 0, 0, 0, 'h', 'i'};
    floe_string_ref refs[3];
    floe_error err;
    size_t consumed;
    ck_assert_int_eq(floe_pq_plain_byte_array(refs, 3, page, sizeof page, &consumed, &err), FLOE_OK);
    ck_assert_uint_eq(consumed, sizeof page);
    ck_assert_uint_eq(refs[0].offset, 4);
    ck_assert_uint_eq(refs[0].length, 5);
    ck_assert_uint_eq(refs[1].length, 0);
    ck_assert_uint_eq(refs[2].offset, 17);
    ck_assert_uint_eq(refs[2].length, 2);
    for (size_t cut = 0; cut < sizeof page; cut++) {
        expect_corrupt(floe_pq_plain_byte_array(refs, 3, page, cut, &consumed, &err), &err);
    }
    const uint8_t lying[] = {0xff, 0xff, 0xff, 0x7f, 'x'};
    expect_corrupt(floe_pq_plain_byte_array(refs, 1, lying, sizeof lying, &consumed, &err), &err);
    ck_assert_ptr_nonnull(strstr(err.message, "exceeds"));

    floe_vector vector;
    ck_assert_int_eq(floe_vector_init(&vector, floe_type_make(FLOE_TYPE_STRING), 8, &err), FLOE_OK);
    ck_assert_int_eq(floe_pq_strings_copy_to_vector(&vector, 1, page, refs, 3, &err), FLOE_OK);
    uint32_t length;
    const unsigned char *text = floe_vector_string(&vector, 1, &length);
    ck_assert_uint_eq(length, 5);
    ck_assert_mem_eq(text, "Hello", 5);
    text = floe_vector_string(&vector, 3, &length);
    ck_assert_mem_eq(text, "hi", 2);
    ck_assert_int_eq(floe_pq_strings_copy_to_vector(&vector, 7, page, refs, 3, &err), FLOE_EINVAL);
    floe_vector_fini(&vector);
}
END_TEST

/* ---- DELTA_BINARY_PACKED ---- */

START_TEST(delta_spec_examples_by_hand)
{
    /* Encodings.md's examples use block size 8, which it calls invalid; these are the same values
     * with a block of 128 in 4 miniblocks of 32. Example 1: 1,2,3,4,5. */
    const uint8_t example1[] = {0x80, 0x01, 0x04, 0x05, 0x02, /* header: 128, 4, 5, zigzag(1) */
                                0x02, 0x00, 0x00, 0x00, 0x00}; /* min delta zigzag(1), widths 0 */
    int32_t out[8];
    size_t decoded, consumed;
    floe_error err;
    ck_assert_int_eq(floe_pq_delta_binary_packed_int32(out, 8, example1, sizeof example1, &decoded,
                                                       &consumed, &err), FLOE_OK);
    ck_assert_uint_eq(decoded, 5);
    ck_assert_uint_eq(consumed, sizeof example1);
    const int32_t expected1[] = {1, 2, 3, 4, 5};
    ck_assert_mem_eq(out, expected1, sizeof expected1);

    /* Example 2: 7,5,3,1,2,3,4,5: deltas -2,-2,-2,1,1,1,1, min -2 (zigzag 3), relative
     * 0,0,0,3,3,3,3 in 2 bits: byte 0 = 0b11000000, byte 1 = 0b00111111, padded to 32 values
     * (8 bytes). */
    const uint8_t example2[] = {0x80, 0x01, 0x04, 0x08, 0x0E, 0x03, 0x02, 0x00, 0x00, 0x00,
                                0xC0, 0x3F, 0, 0, 0, 0, 0, 0};
    ck_assert_int_eq(floe_pq_delta_binary_packed_int32(out, 8, example2, sizeof example2, &decoded,
                                                       &consumed, &err), FLOE_OK);
    ck_assert_uint_eq(decoded, 8);
    ck_assert_uint_eq(consumed, sizeof example2);
    const int32_t expected2[] = {7, 5, 3, 1, 2, 3, 4, 5};
    ck_assert_mem_eq(out, expected2, sizeof expected2);
    int64_t out64[8];
    ck_assert_int_eq(floe_pq_delta_binary_packed_int64(out64, 8, example2, sizeof example2,
                                                       &decoded, &consumed, &err), FLOE_OK);
    for (int i = 0; i < 8; i++) ck_assert_int_eq(out64[i], expected2[i]);
    /* Capacity below the stream's count is corrupt. */
    expect_corrupt(floe_pq_delta_binary_packed_int32(out, 7, example2, sizeof example2, &decoded,
                                                     &consumed, &err), &err);
    /* The needed values are in the first 2 bytes: a cut-short last miniblock is tolerated, a cut
     * into the needed bits is not. */
    ck_assert_int_eq(floe_pq_delta_binary_packed_int32(out, 8, example2, 12, &decoded, &consumed,
                                                       &err), FLOE_OK);
    ck_assert_uint_eq(consumed, 12);
    for (size_t cut = 0; cut < 12; cut++) {
        expect_corrupt(floe_pq_delta_binary_packed_int32(out, 8, example2, cut, &decoded,
                                                         &consumed, &err), &err);
    }
}
END_TEST

static void round_trip_delta(const int64_t *values, size_t count, size_t block, size_t minis,
                             int is32)
{
    byte_buffer b = {0};
    encode_delta(&b, values, count, block, minis, is32);
    size_t decoded, consumed;
    floe_error err;
    if (is32) {
        int32_t *out = malloc((count + 1) * sizeof *out);
        ck_assert_int_eq(floe_pq_delta_binary_packed_int32(out, count, b.bytes, b.size, &decoded,
                                                           &consumed, &err), FLOE_OK);
        for (size_t i = 0; i < count; i++) ck_assert_int_eq(out[i], (int32_t)values[i]);
        ck_assert_uint_eq(decoded, count);
        ck_assert_uint_eq(consumed, b.size);
        free(out);
    } else {
        int64_t *out = malloc((count + 1) * sizeof *out);
        ck_assert_int_eq(floe_pq_delta_binary_packed_int64(out, count, b.bytes, b.size, &decoded,
                                                           &consumed, &err), FLOE_OK);
        for (size_t i = 0; i < count; i++) ck_assert_int_eq(out[i], values[i]);
        ck_assert_uint_eq(decoded, count);
        ck_assert_uint_eq(consumed, b.size);
        /* Every prefix either fails or, if only padding was cut, gives the same values (all
         * prefixes of the small streams, a sample of the large ones). */
        size_t step = b.size > 2000 ? 97 : 1;
        for (size_t cut = 0; cut < b.size; cut += step) {
            floe_error_clear(&err);
            int status = floe_pq_delta_binary_packed_int64(out, count, b.bytes, cut, &decoded,
                                                           &consumed, &err);
            if (status == FLOE_OK) {
                for (size_t i = 0; i < count; i++) ck_assert_int_eq(out[i], values[i]);
            } else {
                expect_corrupt(status, &err);
            }
        }
        free(out);
    }
    free(b.bytes);
}

START_TEST(delta_round_trips_and_edges)
{
    const size_t configs[][2] = {{128, 4}, {128, 1}, {256, 8}, {512, 4}};
    int64_t *values = malloc(2000 * sizeof *values);
    for (int c = 0; c < 4; c++) {
        for (int trial = 0; trial < 6; trial++) {
            size_t count = (size_t[]){0, 1, 128, 129, 1000, 2000}[trial];
            for (size_t i = 0; i < count; i++) {
                switch ((c + trial) % 3) {
                case 0: values[i] = (int64_t)(next_random() % 1000); break;
                case 1: values[i] = (int64_t)next_random(); break;
                default: values[i] = i ? values[i - 1] + (int64_t)(next_random() % 5) : -7; break;
                }
            }
            round_trip_delta(values, count, configs[c][0], configs[c][1], 0);
            for (size_t i = 0; i < count; i++) values[i] = (int32_t)values[i];
            round_trip_delta(values, count, configs[c][0], configs[c][1], 1);
        }
    }
    /* Extremes: miniblock widths 64 (int64) and 32 (int32), wrapping arithmetic. */
    const int64_t extremes[] = {INT64_MIN, INT64_MAX, 0, INT64_MIN, -1, INT64_MAX, 1};
    round_trip_delta(extremes, 7, 128, 4, 0);
    const int64_t extremes32[] = {INT32_MIN, INT32_MAX, 0, INT32_MIN, -1, INT32_MAX, 1};
    round_trip_delta(extremes32, 7, 128, 4, 1);
    free(values);
}
END_TEST

START_TEST(delta_malformed_headers)
{
    int64_t out[4];
    int32_t out32[4];
    size_t decoded, consumed;
    floe_error err;
    const uint8_t block_100[] = {0x64, 0x01, 0x01, 0x00};
    expect_corrupt(floe_pq_delta_binary_packed_int64(out, 4, block_100, 4, &decoded, &consumed,
                                                     &err), &err);
    ck_assert_ptr_nonnull(strstr(err.message, "multiple of 128"));
    const uint8_t bad_minis[] = {0x80, 0x01, 0x03, 0x01, 0x00};
    expect_corrupt(floe_pq_delta_binary_packed_int64(out, 4, bad_minis, 5, &decoded, &consumed,
                                                     &err), &err);
    const uint8_t zero_minis[] = {0x80, 0x01, 0x00, 0x01, 0x00};
    expect_corrupt(floe_pq_delta_binary_packed_int64(out, 4, zero_minis, 5, &decoded, &consumed,
                                                     &err), &err);
    /* A count of 2^40 against a capacity of 4. */
    const uint8_t huge[] = {0x80, 0x01, 0x04, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x00};
    expect_corrupt(floe_pq_delta_binary_packed_int64(out, 4, huge, sizeof huge, &decoded,
                                                     &consumed, &err), &err);
    ck_assert_ptr_nonnull(strstr(err.message, "more than the 4 expected"));
    /* Width 33 in an int32 stream, 65 in an int64 one. */
    const uint8_t wide[] = {0x80, 0x01, 0x04, 0x02, 0x00, 0x00, 33, 0, 0, 0};
    expect_corrupt(floe_pq_delta_binary_packed_int32(out32, 4, wide, sizeof wide, &decoded,
                                                     &consumed, &err), &err);
    ck_assert_ptr_nonnull(strstr(err.message, "bit width 33"));
    const uint8_t wider[] = {0x80, 0x01, 0x04, 0x02, 0x00, 0x00, 65, 0, 0, 0};
    expect_corrupt(floe_pq_delta_binary_packed_int64(out, 4, wider, sizeof wider, &decoded,
                                                     &consumed, &err), &err);
    /* Widths of unused miniblocks are ignored (may be anything). */
    const uint8_t junk_widths[] = {0x80, 0x01, 0x04, 0x02, 0x00, 0x02, 0, 99, 99, 99};
    ck_assert_int_eq(floe_pq_delta_binary_packed_int32(out32, 4, junk_widths, sizeof junk_widths,
                                                       &decoded, &consumed, &err), FLOE_OK);
    ck_assert_int_eq(out32[1], 1);
}
END_TEST

/* ---- DELTA_LENGTH_BYTE_ARRAY / DELTA_BYTE_ARRAY ---- */

START_TEST(delta_length_byte_array_spec_example)
{
    byte_buffer b = {0};
    const int64_t lengths[] = {5, 5, 6, 6};
    encode_delta(&b, lengths, 4, 128, 4, 1);
    const char *text = "HelloWorldFoobarABCDEF";
    for (const char *p = text; *p; p++) put_byte(&b, (uint8_t)*p);
    floe_string_ref refs[4];
    size_t decoded, consumed;
    floe_error err;
    ck_assert_int_eq(floe_pq_delta_length_byte_array(refs, 4, b.bytes, b.size, &decoded, &consumed,
                                                     &err), FLOE_OK);
    ck_assert_uint_eq(decoded, 4);
    ck_assert_uint_eq(consumed, b.size);
    ck_assert_mem_eq(b.bytes + refs[2].offset, "Foobar", 6);
    ck_assert_uint_eq(refs[3].length, 6);
    ck_assert_mem_eq(b.bytes + refs[3].offset, "ABCDEF", 6);
    for (size_t cut = 0; cut < b.size; cut++) {
        expect_corrupt(floe_pq_delta_length_byte_array(refs, 4, b.bytes, cut, &decoded, &consumed,
                                                       &err), &err);
    }
    free(b.bytes);
    /* A negative length. */
    byte_buffer n = {0};
    const int64_t negative[] = {3, -1};
    encode_delta(&n, negative, 2, 128, 4, 1);
    for (int i = 0; i < 8; i++) put_byte(&n, 'x');
    expect_corrupt(floe_pq_delta_length_byte_array(refs, 4, n.bytes, n.size, &decoded, &consumed,
                                                   &err), &err);
    ck_assert_ptr_nonnull(strstr(err.message, "negative"));
    free(n.bytes);
}
END_TEST

START_TEST(delta_byte_array_spec_example)
{
    /* "axis", "axle", "babble", "babyhood": prefixes 0,2,0,3; suffix lengths 4,2,6,5;
     * suffixes "axislebabbleyhood". */
    byte_buffer b = {0};
    const int64_t prefixes[] = {0, 2, 0, 3}, suffixes[] = {4, 2, 6, 5};
    encode_delta(&b, prefixes, 4, 128, 4, 1);
    encode_delta(&b, suffixes, 4, 128, 4, 1);
    const char *text = "axislebabbleyhood";
    for (const char *p = text; *p; p++) put_byte(&b, (uint8_t)*p);
    floe_arena arena;
    floe_arena_init(&arena, 0, 0);
    floe_string_ref refs[4];
    const uint8_t *heap;
    size_t decoded, consumed;
    floe_error err;
    ck_assert_int_eq(floe_pq_delta_byte_array(refs, 4, b.bytes, b.size, &arena, &heap, &decoded,
                                              &consumed, &err), FLOE_OK);
    ck_assert_uint_eq(decoded, 4);
    ck_assert_uint_eq(consumed, b.size);
    const char *expected[] = {"axis", "axle", "babble", "babyhood"};
    for (int i = 0; i < 4; i++) {
        ck_assert_uint_eq(refs[i].length, strlen(expected[i]));
        ck_assert_mem_eq(heap + refs[i].offset, expected[i], refs[i].length);
    }
    for (size_t cut = 0; cut < b.size; cut++) {
        expect_corrupt(floe_pq_delta_byte_array(refs, 4, b.bytes, cut, &arena, &heap, &decoded,
                                                &consumed, &err), &err);
    }
    /* A prefix longer than the previous value. */
    byte_buffer bad = {0};
    const int64_t bad_prefixes[] = {0, 5};
    const int64_t bad_suffixes[] = {4, 1};
    encode_delta(&bad, bad_prefixes, 2, 128, 4, 1);
    encode_delta(&bad, bad_suffixes, 2, 128, 4, 1);
    for (int i = 0; i < 5; i++) put_byte(&bad, 'q');
    expect_corrupt(floe_pq_delta_byte_array(refs, 4, bad.bytes, bad.size, &arena, &heap, &decoded,
                                            &consumed, &err), &err);
    ck_assert_ptr_nonnull(strstr(err.message, "prefix length 5"));
    /* Prefix and suffix counts that disagree. */
    byte_buffer mismatch = {0};
    encode_delta(&mismatch, bad_prefixes, 2, 128, 4, 1);
    encode_delta(&mismatch, bad_suffixes, 1, 128, 4, 1);
    for (int i = 0; i < 4; i++) put_byte(&mismatch, 'q');
    expect_corrupt(floe_pq_delta_byte_array(refs, 4, mismatch.bytes, mismatch.size, &arena, &heap,
                                            &decoded, &consumed, &err), &err);
    /* An arena whose limit refuses the heap. */
    floe_arena tiny;
    floe_arena_init(&tiny, 8, 8);
    int status = floe_pq_delta_byte_array(refs, 4, b.bytes, b.size, &tiny, &heap, &decoded,
                                          &consumed, &err);
    ck_assert_int_eq(status, FLOE_ENOMEM);
    floe_arena_fini(&tiny);
    floe_arena_fini(&arena);
    free(b.bytes);
    free(bad.bytes);
    free(mismatch.bytes);
}
END_TEST

/* ---- BYTE_STREAM_SPLIT and dictionary gather ---- */

START_TEST(byte_stream_split_spec_example_and_widths)
{
    /* Encodings.md: AA BB CC DD | 00 11 22 33 | A3 B4 C5 D6 splits to AA 00 A3 BB 11 B4 ... */
    const uint8_t split[] = {0xAA, 0x00, 0xA3, 0xBB, 0x11, 0xB4, 0xCC, 0x22, 0xC5, 0xDD, 0x33, 0xD6};
    const uint8_t joined[] = {0xAA, 0xBB, 0xCC, 0xDD, 0x00, 0x11, 0x22, 0x33, 0xA3, 0xB4, 0xC5, 0xD6};
    uint8_t out[64];
    floe_error err;
    ck_assert_int_eq(floe_pq_byte_stream_split(out, 3, 4, split, sizeof split, &err), FLOE_OK);
    ck_assert_mem_eq(out, joined, sizeof joined);
    /* The same 12 bytes as 4 values of 3 bytes (FIXED_LEN_BYTE_ARRAY(3)) and 12 of 1. */
    ck_assert_int_eq(floe_pq_byte_stream_split(out, 4, 3, split, sizeof split, &err), FLOE_OK);
    for (size_t i = 0; i < 4; i++) {
        for (size_t k = 0; k < 3; k++) ck_assert_uint_eq(out[i * 3 + k], split[k * 4 + i]);
    }
    /* Doubles: 2 values of 8 bytes. */
    uint8_t source[16], streams[16];
    for (int i = 0; i < 16; i++) source[i] = (uint8_t)(i * 17);
    for (int i = 0; i < 2; i++) {
        for (int k = 0; k < 8; k++) streams[k * 2 + i] = source[i * 8 + k];
    }
    ck_assert_int_eq(floe_pq_byte_stream_split(out, 2, 8, streams, 16, &err), FLOE_OK);
    ck_assert_mem_eq(out, source, 16);
    expect_corrupt(floe_pq_byte_stream_split(out, 3, 4, split, 11, &err), &err);
    expect_corrupt(floe_pq_byte_stream_split(out, 2, 4, split, 12, &err), &err);
    expect_corrupt(floe_pq_byte_stream_split(out, SIZE_MAX / 2, 4, split, 12, &err), &err);
    ck_assert_int_eq(floe_pq_byte_stream_split(out, 0, 4, split, 0, &err), FLOE_OK);
}
END_TEST

START_TEST(dictionary_gather_checks_every_code)
{
    floe_error err;
    const int64_t dictionary64[] = {10, -20, 30};
    const uint32_t codes[] = {2, 0, 0, 1, 2};
    int64_t out64[5];
    ck_assert_int_eq(floe_pq_dictionary_gather_fixed(out64, dictionary64, 3, 8, codes, 5, &err),
                     FLOE_OK);
    const int64_t expected64[] = {30, 10, 10, -20, 30};
    ck_assert_mem_eq(out64, expected64, sizeof expected64);
    const float dictionary32[] = {1.5f, 2.5f, 3.5f};
    float out32[5];
    ck_assert_int_eq(floe_pq_dictionary_gather_fixed(out32, dictionary32, 3, 4, codes, 5, &err),
                     FLOE_OK);
    ck_assert(out32[3] == 2.5f);
    const uint8_t dictionary12[] = "aaaaaaaaaaaabbbbbbbbbbbbcccccccccccc";
    uint8_t out12[60];
    ck_assert_int_eq(floe_pq_dictionary_gather_fixed(out12, dictionary12, 3, 12, codes, 5, &err),
                     FLOE_OK);
    ck_assert_uint_eq(out12[12 * 3], 'b');
    ck_assert_uint_eq(out12[12 * 4 + 11], 'c');
    const floe_string_ref strings[] = {{0, 1}, {1, 2}, {3, 3}};
    floe_string_ref out_strings[5];
    ck_assert_int_eq(floe_pq_dictionary_gather_strings(out_strings, strings, 3, codes, 5, &err),
                     FLOE_OK);
    ck_assert_uint_eq(out_strings[0].offset, 3);
    ck_assert_uint_eq(out_strings[3].length, 2);

    const uint32_t bad[] = {0, 1, 5, 2};
    expect_corrupt(floe_pq_dictionary_gather_fixed(out64, dictionary64, 3, 8, bad, 4, &err), &err);
    ck_assert_str_eq(err.message,
                     "dictionary index 5 out of range (dictionary has 3 entries) at value 2");
    expect_corrupt(floe_pq_dictionary_gather_strings(out_strings, strings, 3, bad, 4, &err), &err);
    expect_corrupt(floe_pq_dictionary_check(codes, 5, 0, &err), &err);
    ck_assert_int_eq(floe_pq_dictionary_check(codes, 0, 0, &err), FLOE_OK);
}
END_TEST

static Suite *encoding_suite(void)
{
    Suite *suite = suite_create("parquet_encoding");
    TCase *rle = tcase_create("rle");
    tcase_add_test(rle, rle_spec_example_bit_packed_and_run);
    tcase_add_test(rle, rle_round_trips_every_width);
    tcase_add_test(rle, rle_truncated_last_bit_packed_run);
    tcase_add_test(rle, rle_bit_width_zero_reads_no_value_bytes);
    tcase_add_test(rle, rle_malformed_input_is_corrupt);
    tcase_add_test(rle, rle_length_prefix_booleans_and_dictionary_width);
    suite_add_tcase(suite, rle);
    TCase *plain = tcase_create("plain");
    tcase_add_test(plain, plain_fixed_booleans_and_int96);
    tcase_add_test(plain, plain_byte_array_references_and_copies);
    suite_add_tcase(suite, plain);
    TCase *delta = tcase_create("delta");
    tcase_set_timeout(delta, 60);
    tcase_add_test(delta, delta_spec_examples_by_hand);
    tcase_add_test(delta, delta_round_trips_and_edges);
    tcase_add_test(delta, delta_malformed_headers);
    tcase_add_test(delta, delta_length_byte_array_spec_example);
    tcase_add_test(delta, delta_byte_array_spec_example);
    suite_add_tcase(suite, delta);
    TCase *other = tcase_create("other");
    tcase_add_test(other, byte_stream_split_spec_example_and_widths);
    tcase_add_test(other, dictionary_gather_checks_every_code);
    suite_add_tcase(suite, other);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(encoding_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
