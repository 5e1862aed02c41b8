/*
 * Description: Floe's Snappy decoder (io/snappy.c) against the system libsnappy, the independent
 * reference: round trips of libsnappy-compressed data of many shapes and sizes (random, short
 * repeating periods 1..16, long runs, text, incompressible; 0, 1, 15, 16, 17 bytes, 64 KiB
 * boundaries, several MiB), hand-built streams exercising every tag form, copy offset and length
 * (compared with libsnappy's own decoding), and hostile input: every prefix of a stream, random
 * byte flips, and crafted bad tags and preambles, which must return FLOE_ECORRUPT naming the
 * input offset and never touch memory outside the buffers (run under ASan in build-asan).
 */
#include "io/snappy.h"

#include <check.h>
#include <snappy-c.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint64_t next_random(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

enum { SHAPE_RANDOM, SHAPE_PERIODIC, SHAPE_RUNS, SHAPE_TEXT, SHAPE_INT64, SHAPE_COUNT };

static void fill_shape(unsigned char *data, size_t size, int shape, unsigned parameter)
{
    static const char *words[] = {"the ", "lake ", "snapshot ", "refresh ", "iceberg ",
                                  "parquet ", "floe ", "delta ", "of ", "a "};
    size_t i = 0;
    switch (shape) {
    case SHAPE_RANDOM:
        for (i = 0; i < size; i++) data[i] = (unsigned char)next_random();
        break;
    case SHAPE_PERIODIC: {
        /* A period of `parameter` bytes (1..16), with a changed byte now and then so copies
         * with short offsets alternate with literals. */
        unsigned period = parameter ? parameter : 1;
        for (i = 0; i < size; i++)
            data[i] = i < period ? (unsigned char)next_random() : data[i - period];
        for (i = 0; i < size; i += 100 + next_random() % 400) data[i] ^= 0x5A;
        break;
    }
    case SHAPE_RUNS:
        while (i < size) {
            unsigned char value = (unsigned char)next_random();
            size_t run = 1 + next_random() % (parameter ? parameter : 1000);
            for (size_t j = 0; j < run && i < size; j++) data[i++] = value;
        }
        break;
    case SHAPE_TEXT:
        while (i < size) {
            const char *word = words[next_random() % 10];
            for (size_t j = 0; word[j] && i < size; j++) data[i++] = (unsigned char)word[j];
        }
        break;
    case SHAPE_INT64:
        for (i = 0; i < size; i++) {
            uint64_t value = 1000 + i / 8 + (parameter ? next_random() % parameter : 0);
            data[i] = (unsigned char)(value >> (8 * (i % 8)));
        }
        break;
    default: break;
    }
}

/* Compresses with libsnappy; the caller frees *compressed. */
static size_t compress_reference(const unsigned char *data, size_t size, char **compressed)
{
    size_t capacity = snappy_max_compressed_length(size);
    *compressed = malloc(capacity);
    ck_assert_ptr_nonnull(*compressed);
    ck_assert_int_eq(snappy_compress((const char *)data, size, *compressed, &capacity), SNAPPY_OK);
    return capacity;
}

/* Decodes with both decoders and requires identical results: both accept with the same bytes,
 * or both reject (ours with FLOE_ECORRUPT). Returns our status. */
static int decode_both(const void *compressed, size_t compressed_size)
{
    size_t announced = 0;
    floe_error err;
    floe_error_clear(&err);
    int status = floe_io_snappy_uncompressed_length(compressed, compressed_size, &announced, &err);
    size_t reference_length = 0;
    snappy_status reference_status =
        snappy_uncompressed_length(compressed, compressed_size, &reference_length);
    if (status != FLOE_OK) {
        ck_assert_int_eq(status, FLOE_ECORRUPT);
        ck_assert_int_ne(reference_status, SNAPPY_OK);
        return status;
    }
    ck_assert_int_eq(reference_status, SNAPPY_OK);
    ck_assert_uint_eq(announced, reference_length);
    if (announced > (64u << 20)) return FLOE_OK; /* only the preamble is of interest here */
    unsigned char *ours = malloc(announced ? announced : 1);
    char *theirs = malloc(announced ? announced : 1);
    ck_assert(ours && theirs);
    size_t written = 12345;
    status = floe_io_snappy_decompress(announced ? ours : NULL, announced, compressed, compressed_size, &written,
                                       &err);
    size_t theirs_length = announced;
    reference_status = snappy_uncompress(compressed, compressed_size, theirs, &theirs_length);
    if (reference_status == SNAPPY_OK) {
        ck_assert_msg(status == FLOE_OK, "libsnappy accepts, Floe says: %s", err.message);
        ck_assert_uint_eq(written, announced);
        ck_assert_uint_eq(theirs_length, announced);
        ck_assert(memcmp(ours, theirs, announced) == 0);
    } else {
        ck_assert_msg(status == FLOE_ECORRUPT, "libsnappy rejects, Floe returned %d", status);
        ck_assert_uint_eq(written, 0);
        ck_assert_ptr_nonnull(strstr(err.message, "input offset"));
    }
    free(ours);
    free(theirs);
    return status;
}

static void round_trip(const unsigned char *data, size_t size)
{
    char *compressed;
    size_t compressed_size = compress_reference(data, size, &compressed);
    /* An exact-size destination: ASan sees any write past it. */
    unsigned char *out = malloc(size ? size : 1);
    size_t written = 0;
    floe_error err;
    floe_error_clear(&err);
    int status = floe_io_snappy_decompress(size ? out : NULL, size, compressed, compressed_size,
                                           &written, &err);
    ck_assert_msg(status == FLOE_OK, "size %zu: %s", size, err.message);
    ck_assert_uint_eq(written, size);
    ck_assert(size == 0 || memcmp(out, data, size) == 0);
    ck_assert_int_eq(decode_both(compressed, compressed_size), FLOE_OK);
    free(out);
    free(compressed);
}

START_TEST(round_trips_every_shape_and_size)
{
    static const size_t sizes[] = {0,     1,     2,     3,     7,     8,     15,    16,
                                   17,    31,    63,    64,    65,    66,    100,   1000,
                                   4095,  4096,  65535, 65536, 65537, 131071, 131072, 131073,
                                   200003};
    rng_state = 1;
    unsigned char *data = malloc(200003);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        for (int shape = 0; shape < SHAPE_COUNT; shape++) {
            fill_shape(data, sizes[s], shape, shape == SHAPE_PERIODIC ? 3 : 0);
            round_trip(data, sizes[s]);
        }
    }
    free(data);
}
END_TEST

START_TEST(round_trips_short_periods_and_runs)
{
    rng_state = 2;
    enum { SIZE = 300000 };
    unsigned char *data = malloc(SIZE);
    for (unsigned period = 1; period <= 16; period++) {
        fill_shape(data, SIZE, SHAPE_PERIODIC, period);
        round_trip(data, SIZE);
        round_trip(data, 1000 + period);
    }
    static const unsigned run_limits[] = {1, 3, 8, 20, 70, 5000, 100000};
    for (size_t r = 0; r < sizeof run_limits / sizeof run_limits[0]; r++) {
        fill_shape(data, SIZE, SHAPE_RUNS, run_limits[r]);
        round_trip(data, SIZE);
    }
    static const unsigned spreads[] = {0, 1, 7, 1000, 100000};
    for (size_t k = 0; k < sizeof spreads / sizeof spreads[0]; k++) {
        fill_shape(data, SIZE, SHAPE_INT64, spreads[k]);
        round_trip(data, SIZE);
    }
    free(data);
}
END_TEST

START_TEST(round_trips_several_mebibytes)
{
    rng_state = 3;
    enum { SIZE = 5 * 1024 * 1024 + 12345 };
    unsigned char *data = malloc(SIZE);
    /* Mixed: blocks of each shape, so copies cross libsnappy's 64 KiB block boundaries. */
    size_t at = 0;
    int shape = 0;
    while (at < SIZE) {
        size_t block = 1 + next_random() % 100000;
        if (block > SIZE - at) block = SIZE - at;
        fill_shape(data + at, block, shape, (unsigned)(1 + next_random() % 16));
        at += block;
        shape = (shape + 1) % SHAPE_COUNT;
    }
    round_trip(data, SIZE);
    memset(data, 0, SIZE);
    round_trip(data, SIZE);
    fill_shape(data, SIZE, SHAPE_RANDOM, 0);
    round_trip(data, SIZE);
    free(data);
}
END_TEST

/* A stream under construction, for hand-built tags. */
typedef struct stream {
    unsigned char bytes[1 << 16];
    size_t size;
    size_t produced;
} stream;

static void put_varint(stream *s, uint64_t value)
{
    do {
        unsigned char byte = value & 0x7F;
        value >>= 7;
        s->bytes[s->size++] = byte | (value ? 0x80 : 0);
    } while (value);
}

static void put_literal(stream *s, const unsigned char *data, size_t length, int length_bytes)
{
    if (length_bytes == 0) {
        s->bytes[s->size++] = (unsigned char)((length - 1) << 2);
    } else {
        s->bytes[s->size++] = (unsigned char)((59 + length_bytes) << 2);
        for (int i = 0; i < length_bytes; i++)
            s->bytes[s->size++] = (unsigned char)((length - 1) >> (8 * i));
    }
    memcpy(s->bytes + s->size, data, length);
    s->size += length;
    s->produced += length;
}

/* kind 1, 2 or 4 offset bytes; the caller keeps offset and length within the kind's range. */
static void put_copy(stream *s, int kind, size_t offset, size_t length)
{
    if (kind == 1) {
        s->bytes[s->size++] = (unsigned char)(1 | (length - 4) << 2 | (offset >> 8) << 5);
        s->bytes[s->size++] = (unsigned char)offset;
    } else {
        s->bytes[s->size++] = (unsigned char)((kind == 2 ? 2 : 3) | (length - 1) << 2);
        for (int i = 0; i < kind; i++) s->bytes[s->size++] = (unsigned char)(offset >> (8 * i));
    }
    s->produced += length;
}

/* Wraps the elements of `body` in a preamble announcing `announced` bytes. */
static size_t with_preamble(unsigned char *out, uint64_t announced, const stream *body)
{
    stream head = {.size = 0};
    put_varint(&head, announced);
    memcpy(out, head.bytes, head.size);
    memcpy(out + head.size, body->bytes, body->size);
    return head.size + body->size;
}

START_TEST(decodes_the_format_descriptions_example)
{
    /* format_description.txt: "xababab" = <literal "xab"> <copy: offset=2 length=4>. */
    static const unsigned char compressed[] = {7, 2 << 2, 'x', 'a', 'b', 2 | 3 << 2, 2, 0};
    unsigned char out[7];
    size_t written = 0;
    ck_assert_int_eq(floe_io_snappy_decompress(out, 7, compressed, sizeof compressed, &written,
                                               NULL),
                     FLOE_OK);
    ck_assert_uint_eq(written, 7);
    ck_assert(memcmp(out, "xababab", 7) == 0);
    ck_assert_int_eq(decode_both(compressed, sizeof compressed), FLOE_OK);
}
END_TEST

START_TEST(every_copy_form_matches_libsnappy)
{
    /* Every kind, offset 1..80 and length in range, each copy both deep in the fast loop
     * (long literals around it) and near the end of the output (the exact slow loop). */
    rng_state = 4;
    unsigned char noise[300];
    for (size_t i = 0; i < sizeof noise; i++) noise[i] = (unsigned char)next_random();
    static unsigned char compressed[(1 << 16) + 8];
    static stream body;
    for (int kind = 1; kind <= 4; kind *= 2) {
        size_t min_length = kind == 1 ? 4 : 1, max_length = kind == 1 ? 11 : 64;
        for (size_t offset = 1; offset <= 80; offset++) {
            for (int tail = 0; tail < 2; tail++) {
                body.size = 0;
                body.produced = 0;
                put_literal(&body, noise, 100, 1);
                for (size_t length = min_length; length <= max_length; length++) {
                    put_copy(&body, kind, offset, length);
                    if (!tail) put_literal(&body, noise + length, 1 + length % 7, 0);
                }
                if (!tail) put_literal(&body, noise, 200, 2);
                size_t size = with_preamble(compressed, body.produced, &body);
                ck_assert_int_eq(decode_both(compressed, size), FLOE_OK);
            }
        }
    }
}
END_TEST

START_TEST(every_literal_form_matches_libsnappy)
{
    rng_state = 5;
    unsigned char noise[300];
    for (size_t i = 0; i < sizeof noise; i++) noise[i] = (unsigned char)next_random();
    static unsigned char compressed[(1 << 16) + 8];
    static stream body;
    for (int length_bytes = 0; length_bytes <= 4; length_bytes++) {
        for (size_t length = 1; length <= 200; length++) {
            if (length_bytes == 0 && length > 60) break;
            body.size = 0;
            body.produced = 0;
            put_literal(&body, noise, length, length_bytes);
            put_literal(&body, noise + 7, length, length_bytes);
            put_copy(&body, 2, length, 64);
            put_literal(&body, noise + 3, 90, 1);
            size_t size = with_preamble(compressed, body.produced, &body);
            ck_assert_msg(decode_both(compressed, size) == FLOE_OK, "length %zu in %d bytes",
                          length, length_bytes);
        }
    }
}
END_TEST

START_TEST(random_element_streams_match_libsnappy)
{
    /* Streams of short literals in every length form, interleaved with short copies at small
     * offsets: the shapes of numeric Parquet pages, where the decoder's fast loop keeps recent
     * output in a register. A long-form literal shorter than 8 bytes followed by a copy once
     * broke that window, which the fixed-shape tests above did not catch. */
    rng_state = 11;
    unsigned char noise[64];
    for (size_t i = 0; i < sizeof noise; i++) noise[i] = (unsigned char)next_random();
    static unsigned char compressed[(1 << 16) + 8];
    static stream body;
    for (int round = 0; round < 3000; round++) {
        body.size = 0;
        body.produced = 0;
        put_literal(&body, noise, 1 + next_random() % 16, (int)(next_random() % 3));
        int elements = 20 + (int)(next_random() % 200);
        for (int i = 0; i < elements; i++) {
            if (next_random() % 2 == 0) {
                put_literal(&body, noise + next_random() % 32, 1 + next_random() % 20,
                            (int)(next_random() % 3));
            } else {
                size_t limit = body.produced < 64 ? body.produced : 64;
                size_t offset = 1 + next_random() % limit;
                if (next_random() % 2 == 0 && offset < 2048) {
                    put_copy(&body, 1, offset, 4 + next_random() % 8);
                } else {
                    put_copy(&body, 2, offset, 1 + next_random() % 24);
                }
            }
        }
        size_t size = with_preamble(compressed, body.produced, &body);
        ck_assert_msg(decode_both(compressed, size) == FLOE_OK, "round %d", round);
    }
}
END_TEST

static int decode_expecting(const unsigned char *compressed, size_t size, size_t dst_size,
                            const char *message_part)
{
    unsigned char *out = malloc(dst_size ? dst_size : 1);
    size_t written = 99;
    floe_error err;
    floe_error_clear(&err);
    int status =
        floe_io_snappy_decompress(dst_size ? out : NULL, dst_size, compressed, size, &written, &err);
    ck_assert_msg(status == FLOE_ECORRUPT, "expected corrupt (%s), got %d: %s", message_part,
                  status, err.message);
    ck_assert_uint_eq(written, 0);
    ck_assert_msg(strstr(err.message, message_part) != NULL, "message '%s' lacks '%s'",
                  err.message, message_part);
    free(out);
    return status;
}

START_TEST(crafted_bad_tags_are_corrupt)
{
    static unsigned char compressed[(1 << 16) + 8];
    static stream body;
    unsigned char noise[200];
    memset(noise, 'q', sizeof noise);
    for (int fast = 0; fast < 2; fast++) {
        /* `fast` puts a long literal first so the bad tag is met inside the fast loop. */
        size_t lead = fast ? 150 : 2;
        for (int kind = 1; kind <= 4; kind *= 2) {
            body.size = body.produced = 0;
            put_literal(&body, noise, lead, lead > 60);
            size_t tag_at = body.size;
            put_copy(&body, kind, 0, 4);
            put_literal(&body, noise, 100, 1);
            size_t size = with_preamble(compressed, body.produced, &body);
            size_t preamble = size - body.size;
            char where[64];
            snprintf(where, sizeof where, "input offset %zu has offset 0", tag_at + preamble);
            decode_expecting(compressed, size, body.produced, where);
            decode_both(compressed, size);

            body.size = body.produced = 0;
            put_literal(&body, noise, lead, lead > 60);
            tag_at = body.size;
            put_copy(&body, kind, lead + 1, 4);
            put_literal(&body, noise, 100, 1);
            size = with_preamble(compressed, body.produced, &body);
            preamble = size - body.size;
            snprintf(where, sizeof where, "input offset %zu reaches %zu bytes back",
                     tag_at + preamble,
                     lead + 1);
            decode_expecting(compressed, size, body.produced, where);
            decode_both(compressed, size);

            /* A copy whose offset bytes are cut off by the end of the input. */
            body.size = body.produced = 0;
            put_literal(&body, noise, lead, lead > 60);
            put_copy(&body, kind, 1, 4);
            size = with_preamble(compressed, body.produced, &body) - 1;
            decode_expecting(compressed, size, body.produced, "truncated");
            decode_both(compressed, size);
        }
        /* A literal longer than the input left, in each length form. */
        for (int length_bytes = 0; length_bytes <= 4; length_bytes++) {
            body.size = body.produced = 0;
            put_literal(&body, noise, lead, lead > 60);
            put_literal(&body, noise, 40, length_bytes);
            size_t size = with_preamble(compressed, body.produced, &body) - 1;
            decode_expecting(compressed, size, body.produced, "input bytes remain");
            decode_both(compressed, size);
        }
        /* A literal whose length bytes are cut off. */
        body.size = body.produced = 0;
        put_literal(&body, noise, lead, lead > 60);
        body.bytes[body.size++] = 63 << 2;
        body.bytes[body.size++] = 0xFF;
        size_t size = with_preamble(compressed, lead, &body);
        decode_expecting(compressed, size, lead, "truncated");
        /* A 4-byte stored literal length of 0xFFFFFFFF: length + 1 wraps to an empty literal
         * in 32 bits, as libsnappy reads it (snappy.c, LITERAL_LENGTH_WRAP), so the block goes
         * on with the next element; both decoders accept it and agree. */
        body.size = body.produced = 0;
        put_literal(&body, noise, lead, lead > 60);
        body.bytes[body.size++] = 63 << 2;
        for (int i = 0; i < 4; i++) body.bytes[body.size++] = 0xFF;
        put_literal(&body, noise, 100, 1);
        size = with_preamble(compressed, body.produced, &body);
        ck_assert_int_eq(decode_both(compressed, size), FLOE_OK);
        /* The same empty literal after a preamble of 0: an empty output with an element after
         * it, which libsnappy accepts (the fuzz target found Floe refusing it). A one-byte
         * literal there overflows the empty output in both. */
        const uint8_t empty_then_wrapped[] = {0x00, 63 << 2, 0xFF, 0xFF, 0xFF, 0xFF};
        ck_assert_int_eq(decode_both(empty_then_wrapped, sizeof empty_then_wrapped), FLOE_OK);
        const uint8_t empty_then_literal[] = {0x00, 0 << 2, 'x'};
        ck_assert_int_eq(decode_both(empty_then_literal, sizeof empty_then_literal),
                         FLOE_ECORRUPT);
        /* Output overflow: elements produce more than the preamble announces. */
        body.size = body.produced = 0;
        put_literal(&body, noise, lead, lead > 60);
        put_copy(&body, 2, 1, 64);
        put_literal(&body, noise, 100, 1);
        size = with_preamble(compressed, body.produced - 1, &body);
        decode_expecting(compressed, size, body.produced - 1, "remain");
        decode_both(compressed, size);
        /* Output shorter than announced. */
        size = with_preamble(compressed, body.produced + 1, &body);
        decode_expecting(compressed, size, body.produced + 1, "announced output bytes");
        decode_both(compressed, size);
    }
}
END_TEST

START_TEST(preambles_are_checked)
{
    size_t length = 7;
    floe_error err;
    /* Empty input, and a varint that never ends. */
    ck_assert_int_eq(floe_io_snappy_uncompressed_length(NULL, 0, &length, &err), FLOE_ECORRUPT);
    ck_assert_uint_eq(length, 0);
    static const unsigned char open_ended[] = {0x80, 0x80};
    ck_assert_int_eq(floe_io_snappy_uncompressed_length(open_ended, 2, &length, &err),
                     FLOE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "truncated at input offset 2"));
    /* 5 bytes: 2^32 - 1 is the largest allowed, 2^32 is not; 6 bytes never. */
    static const unsigned char largest[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x0F};
    ck_assert_int_eq(floe_io_snappy_uncompressed_length(largest, 5, &length, &err), FLOE_OK);
    ck_assert_uint_eq(length, 0xFFFFFFFFu);
    ck_assert_int_eq(decode_both(largest, 5), FLOE_OK);
    static const unsigned char too_large[] = {0x80, 0x80, 0x80, 0x80, 0x10};
    ck_assert_int_eq(floe_io_snappy_uncompressed_length(too_large, 5, &length, &err),
                     FLOE_ECORRUPT);
    ck_assert_int_eq(decode_both(too_large, 5), FLOE_ECORRUPT);
    static const unsigned char six_bytes[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    ck_assert_int_eq(floe_io_snappy_uncompressed_length(six_bytes, 6, &length, &err),
                     FLOE_ECORRUPT);
    ck_assert_int_eq(decode_both(six_bytes, 6), FLOE_ECORRUPT);
    /* A valid 5-byte (non-minimal) varint of 3, then "abc". */
    static const unsigned char padded[] = {0x83, 0x80, 0x80, 0x80, 0x00, 2 << 2, 'a', 'b', 'c'};
    unsigned char out[16];
    size_t written = 0;
    ck_assert_int_eq(floe_io_snappy_decompress(out, 3, padded, sizeof padded, &written, &err),
                     FLOE_OK);
    ck_assert(memcmp(out, "abc", 3) == 0);
    ck_assert_int_eq(decode_both(padded, sizeof padded), FLOE_OK);
    /* The preamble must equal the destination size the caller knows, larger or smaller. */
    decode_expecting(padded, sizeof padded, 2, "announces 3 uncompressed bytes, expected 2");
    decode_expecting(padded, sizeof padded, 4, "expected 4");
    decode_expecting(largest, 5, 16, "expected 16");
    /* Empty output: a lone 0 preamble is valid; anything after it is not. */
    static const unsigned char empty[] = {0, 0};
    ck_assert_int_eq(floe_io_snappy_decompress(NULL, 0, empty, 1, &written, &err), FLOE_OK);
    ck_assert_uint_eq(written, 0);
    decode_expecting(empty, 2, 0, "input offset 1");
    /* NULL buffers with sizes are a caller error. */
    ck_assert_int_eq(floe_io_snappy_decompress(NULL, 3, padded, sizeof padded, NULL, NULL),
                     FLOE_EINVAL);
}
END_TEST

START_TEST(every_prefix_is_corrupt)
{
    rng_state = 6;
    enum { SIZE = 3000 };
    unsigned char data[SIZE];
    for (int shape = 0; shape < SHAPE_COUNT; shape++) {
        fill_shape(data, SIZE, shape, 5);
        char *compressed;
        size_t compressed_size = compress_reference(data, SIZE, &compressed);
        for (size_t prefix = 0; prefix < compressed_size; prefix++) {
            /* A fresh allocation of exactly the prefix, so ASan catches any read past it. */
            unsigned char *cut = malloc(prefix ? prefix : 1);
            memcpy(cut, compressed, prefix);
            unsigned char *out = malloc(SIZE);
            size_t written = 1;
            int status = floe_io_snappy_decompress(out, SIZE, prefix ? cut : NULL, prefix,
                                                   &written, NULL);
            ck_assert_int_eq(status, FLOE_ECORRUPT);
            ck_assert_uint_eq(written, 0);
            free(out);
            free(cut);
        }
        free(compressed);
    }
}
END_TEST

START_TEST(random_byte_flips_agree_with_libsnappy)
{
    rng_state = 7;
    enum { SIZE = 20000 };
    unsigned char *data = malloc(SIZE);
    int rejected = 0, accepted = 0;
    for (int round = 0; round < 3000; round++) {
        size_t size = 1 + next_random() % SIZE;
        fill_shape(data, size, round % SHAPE_COUNT, (unsigned)(1 + round % 16));
        char *compressed;
        size_t compressed_size = compress_reference(data, size, &compressed);
        int flips = 1 + (int)(next_random() % 4);
        for (int f = 0; f < flips; f++) {
            size_t at = next_random() % compressed_size;
            compressed[at] ^= (char)(1u << (next_random() % 8));
        }
        /* Exact-size copy of the input for ASan. */
        unsigned char *exact = malloc(compressed_size);
        memcpy(exact, compressed, compressed_size);
        if (decode_both(exact, compressed_size) == FLOE_OK)
            accepted++;
        else
            rejected++;
        free(exact);
        free(compressed);
    }
    /* Both outcomes must have been exercised for the comparison to mean anything. */
    ck_assert_int_gt(rejected, 100);
    ck_assert_int_gt(accepted, 100);
    free(data);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("io_snappy");
    TCase *tc = tcase_create("snappy");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, round_trips_every_shape_and_size);
    tcase_add_test(tc, round_trips_short_periods_and_runs);
    tcase_add_test(tc, round_trips_several_mebibytes);
    tcase_add_test(tc, decodes_the_format_descriptions_example);
    tcase_add_test(tc, every_copy_form_matches_libsnappy);
    tcase_add_test(tc, every_literal_form_matches_libsnappy);
    tcase_add_test(tc, random_element_streams_match_libsnappy);
    tcase_add_test(tc, crafted_bad_tags_are_corrupt);
    tcase_add_test(tc, preambles_are_checked);
    tcase_add_test(tc, every_prefix_is_corrupt);
    tcase_add_test(tc, random_byte_flips_agree_with_libsnappy);
    suite_add_tcase(suite, tc);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
