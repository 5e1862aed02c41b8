/*
 * Description: Parquet decoding kernels (kernels/decode.h). The scalar
 * references against definitions written independently here (bit-by-bit
 * validity, the Encodings.md delta example, hand-computed wraps at INT32/INT64
 * limits, byte-stream-split by its formula), then every variant this build and
 * CPU can run (floe_k_dispatch_for) against the scalar one on random inputs and
 * edges: counts 0, 1, 7, 8, 9, 31, 33, 63-65, 2048+5; dictionaries of 1 and
 * 65536 entries with codes at the maximum; NULL fractions 0, 50, 100 % and
 * alternating, at bit offsets inside a word; deltas and minimums at the integer
 * limits; inputs ending at a PROT_NONE guard page (a read past the contract
 * faults); no write past dst[count); bits outside the range kept.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include "kernels/decode.h"
#include "kernels/dispatch.h"
#include "kernels/status.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const size_t test_counts[] = {0, 1, 7, 8, 9, 31, 33, 63, 64, 65, 127, 129, 1000, 2048 + 5};
enum { COUNT_CASES = sizeof test_counts / sizeof test_counts[0], MAX_COUNT = 2048 + 5 };

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* A buffer whose last `size` bytes end exactly where a PROT_NONE page begins.
 */
typedef struct guarded {
    uint8_t *mapping;
    size_t mapping_size;
    uint8_t *bytes;
} guarded;

static void guarded_init(guarded *g, size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t data_pages = (size + page - 1) / page + 1;
    g->mapping_size = (data_pages + 1) * page;
    void *mapping =
        mmap(NULL, g->mapping_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(mapping, MAP_FAILED);
    g->mapping = mapping;
    ck_assert_int_eq(mprotect(g->mapping + data_pages * page, page, PROT_NONE), 0);
    g->bytes = g->mapping + data_pages * page - size;
}

static void guarded_fini(guarded *g)
{
    munmap(g->mapping, g->mapping_size);
}

/* The tables to compare against scalar: every ISA available here (scalar
 * included, so the dispatch wiring of the scalar table is exercised too). */
static int tables(const floe_k_dispatch *out[FLOE_K_ISA_COUNT])
{
    int n = 0;
    for (int isa = 0; isa < FLOE_K_ISA_COUNT; isa++)
        if (floe_k_dispatch_for((floe_k_isa)isa, &out[n]) == FLOE_OK) n++;
    ck_assert_int_ge(n, 1);
    return n;
}

static int bit_at(const uint64_t *bits, size_t i)
{
    return (int)((bits[i / 64] >> (i % 64)) & 1);
}

/* ---- References against independent definitions --------------------------------------------- */

START_TEST(delta_spec_example_and_wraps)
{
    /* Encodings.md: 7, 5, 3, 1, 2, 3, 4, 5 -> first 7, min delta -2, relative 0 0
     * 0 3 3 3 3. */
    const uint32_t relative32[7] = {0, 0, 0, 3, 3, 3, 3};
    const uint64_t relative64[7] = {0, 0, 0, 3, 3, 3, 3};
    const int32_t expected[7] = {5, 3, 1, 2, 3, 4, 5};
    const floe_k_dispatch *t[FLOE_K_ISA_COUNT];
    int n = tables(t);
    for (int v = 0; v < n; v++) {
        int32_t out32[7];
        int64_t out64[7];
        ck_assert_uint_eq(t[v]->delta_prefix_u32((uint32_t *)out32, relative32, 7, (uint32_t)-2, 7),
                          5);
        ck_assert_uint_eq(t[v]->delta_prefix_u64((uint64_t *)out64, relative64, 7, (uint64_t)-2, 7),
                          5);
        for (int i = 0; i < 7; i++) {
            ck_assert_int_eq(out32[i], expected[i]);
            ck_assert_int_eq(out64[i], expected[i]);
        }
        /* INT64_MAX + 1 wraps to INT64_MIN; min delta INT64_MIN with delta 0 flips
         * the sign bit. */
        uint64_t deltas[9] = {1, 0, 0, 0, 0, 0, 0, 0, 0};
        uint64_t values[9];
        uint64_t last = t[v]->delta_prefix_u64(values, deltas, 9, 0, (uint64_t)INT64_MAX);
        ck_assert_int_eq((int64_t)values[0], INT64_MIN);
        ck_assert_int_eq((int64_t)values[8], INT64_MIN);
        ck_assert_int_eq((int64_t)last, INT64_MIN);
        last = t[v]->delta_prefix_u64(values, deltas, 9, (uint64_t)INT64_MIN, 0);
        /* value_i = (i + 1) * INT64_MIN + 1 mod 2^64: INT64_MIN + 1 for even i, 1
         * for odd i */
        for (int i = 0; i < 9; i++)
            ck_assert_int_eq((int64_t)values[i], (i % 2 == 0) ? INT64_MIN + 1 : 1);
        ck_assert_int_eq((int64_t)last, INT64_MIN + 1);
        /* int32: INT32_MAX + 1 -> INT32_MIN, then + UINT32_MAX (= -1) each step. */
        uint32_t d32[9] = {1, UINT32_MAX, UINT32_MAX, 0, 0, 0, 0, 0, 0};
        int32_t v32[9];
        t[v]->delta_prefix_u32((uint32_t *)v32, d32, 9, 0, (uint32_t)INT32_MAX);
        ck_assert_int_eq(v32[0], INT32_MIN);
        ck_assert_int_eq(v32[1], INT32_MAX);
        ck_assert_int_eq(v32[2], INT32_MAX - 1);
        ck_assert_int_eq(v32[8], INT32_MAX - 1);
        /* count 0 returns last unchanged */
        ck_assert_uint_eq(t[v]->delta_prefix_u32(NULL, NULL, 0, 5, 42), 42);
        ck_assert_uint_eq(t[v]->delta_prefix_u64(NULL, NULL, 0, 5, 42), 42);
    }
}
END_TEST

START_TEST(scalar_matches_definitions)
{
    /* Byte stream split by its formula: byte k of value i is src[k * count + i].
     */
    static uint8_t src[16 * 100], dst[16 * 100];
    for (size_t width = 1; width <= 16; width++) {
        size_t count = 100 - width;
        for (size_t b = 0; b < count * width; b++) src[b] = (uint8_t)next_random();
        floe_k_byte_stream_split_scalar(dst, src, count, width);
        for (size_t i = 0; i < count; i++)
            for (size_t k = 0; k < width; k++)
                ck_assert_uint_eq(dst[i * width + k], src[k * count + i]);
    }
    /* Levels, fill, spread, max, gather: against the obvious per-element
     * statements. */
    uint32_t levels[300], values[300], out[300], dictionary[50], codes[300];
    uint64_t validity[8];
    for (size_t i = 0; i < 300; i++) levels[i] = (uint32_t)(next_random() % 3);
    memset(validity, 0xA5, sizeof validity);
    size_t valid = floe_k_levels_to_validity_scalar(validity, 37, levels, 300, 2);
    size_t counted = 0;
    for (size_t i = 0; i < 37; i++) ck_assert_int_eq(bit_at(validity, i), (0xA5 >> (i % 8)) & 1);
    for (size_t i = 0; i < 300; i++) {
        ck_assert_int_eq(bit_at(validity, 37 + i), levels[i] == 2);
        counted += levels[i] == 2;
    }
    for (size_t i = 337; i < 512; i++) ck_assert_int_eq(bit_at(validity, i), (0xA5 >> (i % 8)) & 1);
    ck_assert_uint_eq(valid, counted);
    for (size_t i = 0; i < 300; i++) values[i] = (uint32_t)next_random();
    ck_assert_uint_eq(floe_k_spread_u32_scalar(out, values, validity, 37, 300), counted);
    for (size_t i = 0, k = 0; i < 300; i++)
        ck_assert_uint_eq(out[i], levels[i] == 2 ? values[k++] : 0);
    for (size_t first = 0; first < 130; first += 13)
        for (size_t count = 0; count < 200; count += 17)
            for (int on = 0; on < 2; on++) {
                memset(validity, on ? 0x00 : 0xFF, sizeof validity);
                floe_k_validity_fill(validity, first, count, on);
                for (size_t i = 0; i < 512; i++)
                    ck_assert_int_eq(bit_at(validity, i),
                                     (i >= first && i < first + count) ? on : !on);
            }
    ck_assert_uint_eq(floe_k_max_u32_scalar(values, 0), 0);
    for (size_t i = 0; i < 50; i++) dictionary[i] = (uint32_t)next_random();
    for (size_t i = 0; i < 300; i++) codes[i] = (uint32_t)(next_random() % 50);
    codes[299] = 49;
    ck_assert_uint_eq(floe_k_max_u32_scalar(codes, 300), 49);
    floe_k_dictionary_gather_u32_scalar(out, dictionary, codes, 300);
    for (size_t i = 0; i < 300; i++) ck_assert_uint_eq(out[i], dictionary[codes[i]]);
}
END_TEST

/* ---- Every variant against scalar ----------------------------------------------------------- */

START_TEST(gather_and_max_variants)
{
    const floe_k_dispatch *t[FLOE_K_ISA_COUNT];
    int n = tables(t);
    static const size_t dictionary_sizes[] = {1, 2, 1000, 65536};
    uint32_t *dict32 = malloc(65536 * sizeof *dict32);
    uint64_t *dict64 = malloc(65536 * sizeof *dict64);
    uint32_t *expect32 = malloc((MAX_COUNT + 1) * sizeof *expect32);
    uint32_t *got32 = malloc((MAX_COUNT + 1) * sizeof *got32);
    uint64_t *expect64 = malloc((MAX_COUNT + 1) * sizeof *expect64);
    uint64_t *got64 = malloc((MAX_COUNT + 1) * sizeof *got64);
    ck_assert(dict32 && dict64 && expect32 && got32 && expect64 && got64);
    for (size_t i = 0; i < 65536; i++) {
        dict32[i] = (uint32_t)next_random();
        dict64[i] = next_random();
    }
    for (size_t d = 0; d < sizeof dictionary_sizes / sizeof dictionary_sizes[0]; d++) {
        size_t size = dictionary_sizes[d];
        for (size_t c = 0; c < COUNT_CASES; c++) {
            size_t count = test_counts[c];
            for (int pattern = 0; pattern < 3; pattern++) {
                guarded codes_buffer;
                guarded_init(&codes_buffer, count * sizeof(uint32_t));
                uint32_t *codes = (uint32_t *)(void *)codes_buffer.bytes;
                for (size_t i = 0; i < count; i++) {
                    /* random, all at the maximum, or the maximum only last */
                    codes[i] = pattern == 1 ? (uint32_t)(size - 1)
                                            : (uint32_t)(next_random() % (size > 1 ? size - 1 : 1));
                }
                if (pattern == 2 && count > 0) codes[count - 1] = (uint32_t)(size - 1);
                floe_k_dictionary_gather_u32_scalar(expect32, dict32, codes, count);
                floe_k_dictionary_gather_u64_scalar(expect64, dict64, codes, count);
                uint32_t expect_max = floe_k_max_u32_scalar(codes, count);
                for (int v = 0; v < n; v++) {
                    got32[count] = 0xDEADBEEF;
                    got64[count] = 0xDEADBEEF;
                    t[v]->dictionary_gather_u32(got32, dict32, codes, count);
                    t[v]->dictionary_gather_u64(got64, dict64, codes, count);
                    ck_assert_msg(
                        memcmp(got32, expect32, count * 4) == 0 && got32[count] == 0xDEADBEEF,
                        "%s gather_u32 dictionary %zu count %zu", t[v]->name, size, count);
                    ck_assert_msg(
                        memcmp(got64, expect64, count * 8) == 0 && got64[count] == 0xDEADBEEF,
                        "%s gather_u64 dictionary %zu count %zu", t[v]->name, size, count);
                    ck_assert_msg(t[v]->max_u32(codes, count) == expect_max, "%s max_u32 count %zu",
                                  t[v]->name, count);
                }
                guarded_fini(&codes_buffer);
            }
        }
    }
    /* The maximum anywhere, including values above 2^31 (unsigned compare). */
    uint32_t values[100];
    for (int v = 0; v < n; v++)
        for (size_t at = 0; at < 100; at++) {
            for (size_t i = 0; i < 100; i++) values[i] = (uint32_t)(next_random() % 1000);
            values[at] = 0x80000001u + (uint32_t)at;
            ck_assert_uint_eq(t[v]->max_u32(values, 100), 0x80000001u + (uint32_t)at);
            ck_assert_uint_eq(t[v]->max_u32(values, at + 1), 0x80000001u + (uint32_t)at);
        }
    free(dict32);
    free(dict64);
    free(expect32);
    free(got32);
    free(expect64);
    free(got64);
}
END_TEST

START_TEST(byte_stream_split_variants)
{
    const floe_k_dispatch *t[FLOE_K_ISA_COUNT];
    int n = tables(t);
    static const size_t widths[] = {1, 2, 3, 4, 8, 12, 16};
    uint8_t *expected = malloc(MAX_COUNT * 16 + 1);
    uint8_t *got = malloc(MAX_COUNT * 16 + 1);
    ck_assert(expected && got);
    for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
        size_t width = widths[w];
        for (size_t c = 0; c < COUNT_CASES; c++) {
            size_t count = test_counts[c];
            guarded src;
            guarded_init(&src, count * width);
            for (size_t b = 0; b < count * width; b++) src.bytes[b] = (uint8_t)next_random();
            floe_k_byte_stream_split_scalar(expected, src.bytes, count, width);
            for (int v = 0; v < n; v++) {
                memset(got, 0xCD, count * width + 1);
                t[v]->byte_stream_split(got, src.bytes, count, width);
                ck_assert_msg(memcmp(got, expected, count * width) == 0,
                              "%s byte_stream_split width %zu count %zu", t[v]->name, width, count);
                ck_assert_msg(got[count * width] == 0xCD, "%s wrote past the end", t[v]->name);
            }
            guarded_fini(&src);
        }
    }
    free(expected);
    free(got);
}
END_TEST

/* Validity patterns: 0 all valid, 1 half (random), 2 none, 3 alternating, 4
 * mostly valid. */
static int pattern_valid(int pattern, size_t i)
{
    switch (pattern) {
    case 0: return 1;
    case 1: return (int)(next_random() & 1);
    case 2: return 0;
    case 3: return (int)(i & 1);
    default: return next_random() % 16 != 0;
    }
}

START_TEST(levels_and_spread_variants)
{
    const floe_k_dispatch *t[FLOE_K_ISA_COUNT];
    int n = tables(t);
    static const size_t first_bits[] = {0, 1, 37, 63, 64, 100};
    enum { WORDS = (MAX_COUNT + 128) / 64 + 2 };
    uint32_t *levels = malloc(MAX_COUNT * sizeof *levels);
    uint32_t *expect32 = malloc((MAX_COUNT + 1) * 4), *got32 = malloc((MAX_COUNT + 1) * 4);
    uint64_t *expect64 = malloc((MAX_COUNT + 1) * 8), *got64 = malloc((MAX_COUNT + 1) * 8);
    uint64_t expected_bits[WORDS], got_bits[WORDS], noise[WORDS];
    ck_assert(levels && expect32 && got32 && expect64 && got64);
    for (int pattern = 0; pattern < 5; pattern++)
        for (size_t c = 0; c < COUNT_CASES; c++)
            for (size_t f = 0; f < sizeof first_bits / sizeof first_bits[0]; f++) {
                size_t count = test_counts[c], first = first_bits[f];
                uint32_t defined_level = (uint32_t)(1 + pattern % 2); /* 1, or 2 with 1s as noise */
                for (size_t i = 0; i < count; i++)
                    levels[i] = pattern_valid(pattern, i)
                                    ? defined_level
                                    : (uint32_t)(next_random() % defined_level);
                for (size_t w = 0; w < WORDS; w++) noise[w] = next_random();
                memcpy(expected_bits, noise, sizeof noise);
                size_t valid = floe_k_levels_to_validity_scalar(expected_bits, first, levels, count,
                                                                defined_level);
                /* The dense values sit at the end of a guarded page: exactly `valid` of
                 * them. */
                guarded dense32, dense64;
                guarded_init(&dense32, valid * 4);
                guarded_init(&dense64, valid * 8);
                uint32_t *values32 = (uint32_t *)(void *)dense32.bytes;
                uint64_t *values64 = (uint64_t *)(void *)dense64.bytes;
                for (size_t i = 0; i < valid; i++) {
                    values32[i] = (uint32_t)next_random() | 1; /* never 0: NULL rows are */
                    values64[i] = next_random() | 1;
                }
                ck_assert_uint_eq(
                    floe_k_spread_u32_scalar(expect32, values32, expected_bits, first, count),
                    valid);
                ck_assert_uint_eq(
                    floe_k_spread_u64_scalar(expect64, values64, expected_bits, first, count),
                    valid);
                for (int v = 0; v < n; v++) {
                    memcpy(got_bits, noise, sizeof noise);
                    size_t got_valid =
                        t[v]->levels_to_validity(got_bits, first, levels, count, defined_level);
                    ck_assert_msg(got_valid == valid &&
                                      memcmp(got_bits, expected_bits, sizeof got_bits) == 0,
                                  "%s levels_to_validity pattern %d count %zu first %zu",
                                  t[v]->name, pattern, count, first);
                    got32[count] = 0xDEADBEEF;
                    got64[count] = 0xDEADBEEF;
                    ck_assert_uint_eq(
                        t[v]->spread_u32(got32, values32, expected_bits, first, count), valid);
                    ck_assert_uint_eq(
                        t[v]->spread_u64(got64, values64, expected_bits, first, count), valid);
                    ck_assert_msg(memcmp(got32, expect32, count * 4) == 0 &&
                                      got32[count] == 0xDEADBEEF,
                                  "%s spread_u32 pattern %d count %zu first %zu", t[v]->name,
                                  pattern, count, first);
                    ck_assert_msg(memcmp(got64, expect64, count * 8) == 0 &&
                                      got64[count] == 0xDEADBEEF,
                                  "%s spread_u64 pattern %d count %zu first %zu", t[v]->name,
                                  pattern, count, first);
                }
                guarded_fini(&dense32);
                guarded_fini(&dense64);
            }
    free(levels);
    free(expect32);
    free(got32);
    free(expect64);
    free(got64);
}
END_TEST

START_TEST(delta_prefix_variants)
{
    const floe_k_dispatch *t[FLOE_K_ISA_COUNT];
    int n = tables(t);
    static const uint64_t minimums[] = {0,
                                        1,
                                        (uint64_t)-1,
                                        (uint64_t)INT64_MIN,
                                        (uint64_t)INT64_MAX,
                                        (uint64_t)INT32_MIN,
                                        (uint64_t)INT32_MAX,
                                        0x0123456789abcdefull};
    uint64_t *d64 = malloc(MAX_COUNT * 8), *e64 = malloc((MAX_COUNT + 1) * 8),
             *g64 = malloc((MAX_COUNT + 1) * 8);
    uint32_t *d32 = malloc(MAX_COUNT * 4), *e32 = malloc((MAX_COUNT + 1) * 4),
             *g32 = malloc((MAX_COUNT + 1) * 4);
    ck_assert(d64 && e64 && g64 && d32 && e32 && g32);
    for (size_t m = 0; m < sizeof minimums / sizeof minimums[0]; m++)
        for (size_t c = 0; c < COUNT_CASES; c++)
            for (int kind = 0; kind < 3; kind++) {
                size_t count = test_counts[c];
                uint64_t start = kind == 0 ? 0 : kind == 1 ? (uint64_t)INT64_MAX : next_random();
                for (size_t i = 0; i < count; i++) {
                    /* small, full-range, or the extremes */
                    uint64_t r = next_random();
                    d64[i] = kind == 0 ? r % 64 : kind == 1 ? r : (r & 1 ? UINT64_MAX : 0);
                    d32[i] = (uint32_t)d64[i];
                }
                uint64_t last64 =
                    floe_k_delta_prefix_u64_scalar(e64, d64, count, minimums[m], start);
                uint32_t last32 = floe_k_delta_prefix_u32_scalar(
                    e32, d32, count, (uint32_t)minimums[m], (uint32_t)start);
                for (int v = 0; v < n; v++) {
                    g64[count] = 0xDEADBEEF;
                    g32[count] = 0xDEADBEEF;
                    ck_assert_uint_eq(t[v]->delta_prefix_u64(g64, d64, count, minimums[m], start),
                                      last64);
                    ck_assert_uint_eq(t[v]->delta_prefix_u32(g32, d32, count, (uint32_t)minimums[m],
                                                             (uint32_t)start),
                                      last32);
                    ck_assert_msg(memcmp(g64, e64, count * 8) == 0 && g64[count] == 0xDEADBEEF,
                                  "%s delta_prefix_u64 count %zu min %zu", t[v]->name, count, m);
                    ck_assert_msg(memcmp(g32, e32, count * 4) == 0 && g32[count] == 0xDEADBEEF,
                                  "%s delta_prefix_u32 count %zu min %zu", t[v]->name, count, m);
                    /* In place. */
                    memcpy(g64, d64, count * 8);
                    memcpy(g32, d32, count * 4);
                    t[v]->delta_prefix_u64(g64, g64, count, minimums[m], start);
                    t[v]->delta_prefix_u32(g32, g32, count, (uint32_t)minimums[m], (uint32_t)start);
                    ck_assert_msg(memcmp(g64, e64, count * 8) == 0 &&
                                      memcmp(g32, e32, count * 4) == 0,
                                  "%s delta_prefix in place count %zu", t[v]->name, count);
                }
            }
    free(d64);
    free(e64);
    free(g64);
    free(d32);
    free(e32);
    free(g32);
}
END_TEST

START_TEST(entry_points_dispatch)
{
    /* The plain names run the chosen table's variant; results equal scalar. */
    uint32_t codes[40], dict[4] = {10, 20, 30, 40}, out[40], levels[40];
    uint64_t dict64[4] = {1, 2, 3, 4}, out64[40], bits[2] = {0, 0};
    for (int i = 0; i < 40; i++) {
        codes[i] = (uint32_t)(i % 4);
        levels[i] = (uint32_t)(i % 3 != 0);
    }
    floe_k_dictionary_gather_u32(out, dict, codes, 40);
    floe_k_dictionary_gather_u64(out64, dict64, codes, 40);
    for (int i = 0; i < 40; i++) {
        ck_assert_uint_eq(out[i], dict[i % 4]);
        ck_assert_uint_eq(out64[i], dict64[i % 4]);
    }
    ck_assert_uint_eq(floe_k_max_u32(codes, 40), 3);
    size_t valid = floe_k_levels_to_validity(bits, 0, levels, 40, 1);
    ck_assert_uint_eq(valid, 26);
    ck_assert_uint_eq(floe_k_spread_u32(out, dict, bits, 0, 6), 4);
    ck_assert_uint_eq(out[0], 0);
    ck_assert_uint_eq(out[1], 10);
    ck_assert_uint_eq(out[2], 20);
    ck_assert_uint_eq(out[3], 0);
    ck_assert_uint_eq(out[5], 40);
    ck_assert_uint_eq(floe_k_spread_u64(out64, dict64, bits, 1, 2), 2);
    ck_assert_uint_eq(out64[1], 2);
    const uint8_t split[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    uint8_t joined[8];
    floe_k_byte_stream_split(joined, split, 2, 4);
    const uint8_t want[8] = {1, 3, 5, 7, 2, 4, 6, 8};
    ck_assert_mem_eq(joined, want, 8);
    uint32_t zeros[3] = {0, 0, 0}, sums[3];
    ck_assert_uint_eq(floe_k_delta_prefix_u32(sums, zeros, 3, 2, 1), 7);
    uint64_t zeros64[3] = {0, 0, 0}, sums64[3];
    ck_assert_uint_eq(floe_k_delta_prefix_u64(sums64, zeros64, 3, 2, 1), 7);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("decode");
    TCase *cases = tcase_create("decode");
    tcase_set_timeout(cases, 120);
    tcase_add_test(cases, delta_spec_example_and_wraps);
    tcase_add_test(cases, scalar_matches_definitions);
    tcase_add_test(cases, gather_and_max_variants);
    tcase_add_test(cases, byte_stream_split_variants);
    tcase_add_test(cases, levels_and_spread_variants);
    tcase_add_test(cases, delta_prefix_variants);
    tcase_add_test(cases, entry_points_dispatch);
    suite_add_tcase(suite, cases);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
