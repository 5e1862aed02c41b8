/*
 * Description: hash-join build and resumable probe (kernels/join.h), against a nested-loop join
 * written here: random int64 keys with duplicates and NULLs on both sides, INNER and LEFT, output
 * capacities from 1 to large (the pairs must be the same whatever the capacity); a probe row with
 * 1000 matches through a 7-pair output; empty build and probe sides; string keys; NULL keys never
 * match; every hash-table variant this build runs; unique build keys (the one-pair-per-row fast
 * path, with and without NULL build rows, then turned off by a repeated key) through selections
 * and with or without caller hashes; the random and unique-key cases with a small build index
 * and with one sized past every cache (the two probe loops of hashtable.h).
 */
#include "kernels/dispatch.h"
#include "kernels/hash.h"
#include "kernels/join.h"
#include "kernels/status.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x0123456789ABCDEFull;

static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int valid(const uint64_t *validity, size_t row)
{
    return validity == NULL || ((validity[row >> 6] >> (row & 63)) & 1);
}

enum { BUILD = 1500, PROBE = 700, MAX_PAIRS = 200000 };

/* An expected row count that makes the build side's index larger than every cache. */
#define LARGE_HINT ((size_t)1 << 19)

/* Expected pairs in the order join.h promises: probe order, then build order. */
static size_t nested_loop(const int64_t *build, const uint64_t *build_valid, size_t build_count,
                          const int64_t *probe, const uint64_t *probe_valid, size_t probe_count,
                          int left, uint32_t *p_out, uint32_t *b_out)
{
    size_t n = 0;
    for (size_t p = 0; p < probe_count; p++) {
        size_t before = n;
        for (size_t b = 0; b < build_count; b++) {
            if (!valid(probe_valid, p) || !valid(build_valid, b) || probe[p] != build[b]) continue;
            p_out[n] = (uint32_t)p;
            b_out[n] = (uint32_t)b;
            n++;
        }
        if (left && n == before) {
            p_out[n] = (uint32_t)p;
            b_out[n] = FLOE_K_JOIN_NO_MATCH;
            n++;
        }
    }
    return n;
}

static uint32_t expected_probe[MAX_PAIRS], expected_build[MAX_PAIRS];
static uint32_t got_probe[MAX_PAIRS], got_build[MAX_PAIRS];

START_TEST(random_keys_against_nested_loop)
{
    static int64_t build[BUILD], probe[PROBE];
    static uint64_t build_valid[(BUILD + 63) / 64], probe_valid[(PROBE + 63) / 64];
    static uint64_t build_hashes[BUILD], probe_hashes[PROBE];
    for (size_t i = 0; i < BUILD; i++) build[i] = (int64_t)(next_random() % 400);
    for (size_t i = 0; i < PROBE; i++) probe[i] = (int64_t)(next_random() % 500);
    for (size_t w = 0; w < (BUILD + 63) / 64; w++) build_valid[w] = ~(next_random() & next_random() & next_random());
    for (size_t w = 0; w < (PROBE + 63) / 64; w++) probe_valid[w] = ~(next_random() & next_random() & next_random());
    floe_k_hash_i64(build_hashes, build, build_valid, NULL, BUILD, 5);
    floe_k_hash_i64(probe_hashes, probe, probe_valid, NULL, PROBE, 5);
    const size_t capacities[] = {1, 2, 7, 64, 2048, MAX_PAIRS};
    /* Each variant with a small index (the one-pass probe) and one sized past every cache (the
     * pipelined probe). */
    for (int config = 0; config < 2 * FLOE_K_ISA_COUNT; config++) {
        const floe_k_dispatch *fns;
        if (floe_k_dispatch_for((floe_k_isa)(config / 2), &fns) != FLOE_OK) continue;
        floe_k_join_table table;
        ck_assert_int_eq(floe_k_join_init(&table, FLOE_K_KEY_I64, config % 2 ? LARGE_HINT : 0,
                                          NULL),
                         FLOE_OK);
        /* Build in three calls, the middle one through a selection of all its rows. */
        floe_k_keys part = {FLOE_K_KEY_I64, build, NULL, build_valid};
        ck_assert_int_eq(floe_k_join_build(&table, &part, build_hashes, NULL, 500, NULL), 0);
        uint16_t selection[500];
        for (int i = 0; i < 500; i++) selection[i] = (uint16_t)i;
        floe_k_keys middle = {FLOE_K_KEY_I64, build + 500, NULL, NULL};
        uint64_t middle_valid[8];
        for (int i = 0; i < 8; i++) {
            /* bits 500..999 of build_valid, shifted to 0..499 */
            uint64_t word = 0;
            for (int b = 0; b < 64; b++) {
                size_t row = 500 + (size_t)i * 64 + (size_t)b;
                if (row < BUILD && valid(build_valid, row)) word |= 1ull << b;
            }
            middle_valid[i] = word;
        }
        middle.validity = middle_valid;
        ck_assert_int_eq(floe_k_join_build(&table, &middle, build_hashes + 500, selection, 500,
                                           NULL),
                         0);
        floe_k_keys last = {FLOE_K_KEY_I64, build + 1000, NULL, NULL};
        uint64_t last_valid[8];
        for (int i = 0; i < 8; i++) {
            uint64_t word = 0;
            for (int b = 0; b < 64; b++) {
                size_t row = 1000 + (size_t)i * 64 + (size_t)b;
                if (row < BUILD && valid(build_valid, row)) word |= 1ull << b;
            }
            last_valid[i] = word;
        }
        last.validity = last_valid;
        ck_assert_int_eq(floe_k_join_build(&table, &last, build_hashes + 1000, NULL, 500, NULL),
                         0);
        ck_assert_int_eq(floe_k_join_build_finish(&table, NULL), FLOE_OK);
        ck_assert_ptr_null(table.dense_rows); /* repeated keys: the hash table */
        ck_assert_uint_eq(table.row_count, BUILD);
        for (int left = 0; left <= 1; left++) {
            size_t expected = nested_loop(build, build_valid, BUILD, probe, probe_valid, PROBE,
                                          left, expected_probe, expected_build);
            for (size_t c = 0; c < sizeof capacities / sizeof capacities[0]; c++) {
                floe_k_join_probe state;
                floe_k_join_probe_init(&state);
                floe_k_keys view = {FLOE_K_KEY_I64, probe, NULL, probe_valid};
                ck_assert_int_eq(floe_k_join_probe_begin_variant(
                                     &state, &table, left ? FLOE_K_JOIN_LEFT : FLOE_K_JOIN_INNER,
                                     &view, probe_hashes, NULL, PROBE, fns->ht_find, NULL),
                                 FLOE_OK);
                size_t total = 0, got;
                while ((got = floe_k_join_probe_next(&state, got_probe + total,
                                                     got_build + total, capacities[c])) > 0) {
                    ck_assert_uint_le(got, capacities[c]);
                    total += got;
                    if (total + capacities[c] > MAX_PAIRS) break;
                }
                ck_assert_uint_eq(total, expected);
                ck_assert_int_eq(memcmp(got_probe, expected_probe, total * sizeof(uint32_t)), 0);
                ck_assert_int_eq(memcmp(got_build, expected_build, total * sizeof(uint32_t)), 0);
                floe_k_join_probe_fini(&state);
            }
        }
        floe_k_join_fini(&table);
    }
}
END_TEST

START_TEST(one_key_with_a_thousand_matches)
{
    floe_k_join_table table;
    ck_assert_int_eq(floe_k_join_init(&table, FLOE_K_KEY_I64, 0, NULL), FLOE_OK);
    static int64_t build[1000];
    static uint64_t hashes[1000];
    for (int i = 0; i < 1000; i++) build[i] = 42;
    floe_k_hash_i64(hashes, build, NULL, NULL, 1000, 0);
    floe_k_keys view = {FLOE_K_KEY_I64, build, NULL, NULL};
    ck_assert_int_eq(floe_k_join_build(&table, &view, hashes, NULL, 1000, NULL), 0);
    ck_assert_int_eq(floe_k_join_build_finish(&table, NULL), FLOE_OK);
    int64_t probe[3] = {42, 7, 42};
    uint64_t probe_hashes[3];
    floe_k_hash_i64(probe_hashes, probe, NULL, NULL, 3, 0);
    floe_k_join_probe state;
    floe_k_join_probe_init(&state);
    floe_k_keys probe_view = {FLOE_K_KEY_I64, probe, NULL, NULL};
    ck_assert_int_eq(floe_k_join_probe_begin(&state, &table, FLOE_K_JOIN_LEFT, &probe_view,
                                             probe_hashes, NULL, 3, NULL),
                     FLOE_OK);
    uint32_t p[8], b[8];
    size_t total = 0, got;
    uint32_t next_build = 0, rows_seen_7 = 0;
    while ((got = floe_k_join_probe_next(&state, p, b, 7)) > 0) {
        ck_assert_uint_le(got, 7);
        for (size_t k = 0; k < got; k++, total++) {
            if (p[k] == 1) {
                ck_assert_uint_eq(b[k], FLOE_K_JOIN_NO_MATCH);
                rows_seen_7++;
                continue;
            }
            ck_assert_uint_eq(b[k], next_build);
            next_build = (next_build + 1) % 1000;
        }
    }
    ck_assert_uint_eq(total, 2001);
    ck_assert_uint_eq(rows_seen_7, 1);
    ck_assert_uint_eq(floe_k_join_probe_next(&state, p, b, 7), 0);
    floe_k_join_probe_fini(&state);
    floe_k_join_fini(&table);
}
END_TEST

START_TEST(empty_sides_and_strings)
{
    floe_k_join_table table;
    ck_assert_int_eq(floe_k_join_init(&table, FLOE_K_KEY_BYTES, 0, NULL), FLOE_OK);
    const unsigned char heap[] = "apple\0pear";
    floe_string_ref refs[4] = {{0, 5}, {6, 4}, {0, 6}, {0, 5}}; /* "apple\0" differs */
    uint64_t validity[1] = {0x7};                                 /* row 3 NULL */
    uint64_t hashes[4];
    floe_k_hash_string(hashes, refs, heap, validity, NULL, 4, 0);
    floe_k_keys view = {FLOE_K_KEY_BYTES, refs, heap, validity};
    floe_k_join_probe state;
    floe_k_join_probe_init(&state);
    uint32_t p[16], b[16];
    /* Empty build: LEFT emits every probe row unmatched; INNER nothing. */
    floe_k_join_table empty;
    ck_assert_int_eq(floe_k_join_init(&empty, FLOE_K_KEY_BYTES, 0, NULL), FLOE_OK);
    ck_assert_int_eq(floe_k_join_build_finish(&empty, NULL), FLOE_OK);
    ck_assert_int_eq(floe_k_join_probe_begin(&state, &empty, FLOE_K_JOIN_LEFT, &view, hashes,
                                             NULL, 4, NULL),
                     0);
    ck_assert_uint_eq(floe_k_join_probe_next(&state, p, b, 16), 4);
    ck_assert_uint_eq(b[3], FLOE_K_JOIN_NO_MATCH);
    floe_k_join_fini(&empty);
    ck_assert_int_eq(floe_k_join_build(&table, &view, hashes, NULL, 4, NULL), 0);
    /* Probing before finish, building after it, finishing twice: refused. */
    ck_assert_int_eq(floe_k_join_probe_begin(&state, &table, FLOE_K_JOIN_INNER, &view, hashes,
                                             NULL, 4, NULL),
                     FLOE_EINVAL);
    ck_assert_int_eq(floe_k_join_build_finish(&table, NULL), FLOE_OK);
    ck_assert_int_eq(floe_k_join_build(&table, &view, hashes, NULL, 4, NULL), FLOE_EINVAL);
    ck_assert_int_eq(floe_k_join_build_finish(&table, NULL), FLOE_EINVAL);
    ck_assert_int_eq(floe_k_join_probe_begin(&state, &table, FLOE_K_JOIN_INNER, &view, hashes,
                                             NULL, 4, NULL),
                     0);
    size_t got = floe_k_join_probe_next(&state, p, b, 16);
    ck_assert_uint_eq(got, 3); /* each non-NULL key matches itself only; NULL matches nothing */
    for (size_t k = 0; k < got; k++) ck_assert_uint_eq(p[k], b[k]);
    /* Empty probe. */
    ck_assert_int_eq(floe_k_join_probe_begin(&state, &table, FLOE_K_JOIN_LEFT, &view, hashes,
                                             NULL, 0, NULL),
                     0);
    ck_assert_uint_eq(floe_k_join_probe_next(&state, p, b, 16), 0);
    floe_k_keys wrong = {FLOE_K_KEY_I64, refs, NULL, NULL};
    ck_assert_int_eq(floe_k_join_probe_begin(&state, &table, FLOE_K_JOIN_LEFT, &wrong, hashes,
                                             NULL, 1, NULL),
                     FLOE_EINVAL);
    floe_k_join_probe_fini(&state);
    floe_k_join_fini(&table);
}
END_TEST

/* Unique build keys take the one-pair-per-row path (join.h): with and without NULL build rows
 * (rows_are_groups or first_row), probes through a selection, caller hashes or none, every
 * variant, INNER and LEFT, every output capacity: the same pairs as the nested loop. A second
 * build call that repeats a key must turn the fast path off and still agree. */
START_TEST(unique_build_keys_against_nested_loop)
{
    enum { UNIQUE_BUILD = 3000, UNIQUE_PROBE = 2000 };
    static int64_t build[UNIQUE_BUILD + 1], probe[UNIQUE_PROBE];
    static uint64_t probe_valid[(UNIQUE_PROBE + 63) / 64], build_valid[(UNIQUE_BUILD + 64) / 64];
    static uint64_t build_hashes[UNIQUE_BUILD + 1], probe_hashes[UNIQUE_PROBE];
    static uint16_t selection[UNIQUE_PROBE];
    static int64_t selected_probe[UNIQUE_PROBE];
    static uint64_t selected_valid[(UNIQUE_PROBE + 63) / 64];
    for (size_t i = 0; i < UNIQUE_BUILD; i++) build[i] = (int64_t)(i * 7 + 3); /* distinct */
    for (size_t i = UNIQUE_BUILD; i > 1; i--) {
        size_t j = (size_t)(next_random() % i);
        int64_t t = build[i - 1];
        build[i - 1] = build[j];
        build[j] = t;
    }
    build[UNIQUE_BUILD] = build[17]; /* the repeat for the last round */
    for (size_t i = 0; i < UNIQUE_PROBE; i++)
        probe[i] = (int64_t)(next_random() % (UNIQUE_BUILD * 14));
    for (size_t w = 0; w < (UNIQUE_PROBE + 63) / 64; w++)
        probe_valid[w] = ~(next_random() & next_random() & next_random());
    /* Every other probe row, through a selection; expected pairs name real row numbers. */
    size_t selected = 0;
    memset(selected_valid, 0, sizeof selected_valid);
    for (size_t i = 0; i < UNIQUE_PROBE; i += 2) selection[selected++] = (uint16_t)i;
    for (size_t j = 0; j < selected; j++) {
        selected_probe[j] = probe[selection[j]];
        if (valid(probe_valid, selection[j])) selected_valid[j >> 6] |= 1ull << (j & 63);
    }
    floe_k_hash_i64(probe_hashes, probe, probe_valid, NULL, UNIQUE_PROBE, 0);
    const size_t capacities[] = {1, 3, 64, 2048, MAX_PAIRS};
    for (int round = 0; round < 3; round++) {
        /* round 0: no NULL build row; 1: every 10th build row NULL; 2: round 1 plus a repeat. */
        memset(build_valid, 0xFF, sizeof build_valid);
        if (round >= 1)
            for (size_t i = 0; i < UNIQUE_BUILD; i += 10)
                build_valid[i >> 6] &= ~(1ull << (i & 63));
        size_t build_count = round == 2 ? UNIQUE_BUILD + 1 : UNIQUE_BUILD;
        floe_k_hash_i64(build_hashes, build, build_valid, NULL, build_count, 0);
        for (int config = 0; config < 2 * FLOE_K_ISA_COUNT; config++) {
            const floe_k_dispatch *fns;
            if (floe_k_dispatch_for((floe_k_isa)(config / 2), &fns) != FLOE_OK) continue;
            floe_k_join_table table;
            ck_assert_int_eq(floe_k_join_init(&table, FLOE_K_KEY_I64,
                                              config % 2 ? LARGE_HINT : UNIQUE_BUILD, NULL),
                             0);
            floe_k_keys first = {FLOE_K_KEY_I64, build, NULL, build_valid};
            ck_assert_int_eq(floe_k_join_build(&table, &first, build_hashes, NULL, 2000, NULL), 0);
            /* The rest in a second call (numbers go on), without caller hashes. */
            uint64_t rest_valid[(UNIQUE_BUILD + 64) / 64];
            memset(rest_valid, 0, sizeof rest_valid);
            for (size_t i = 2000; i < build_count; i++)
                if (valid(build_valid, i)) rest_valid[(i - 2000) >> 6] |= 1ull << ((i - 2000) & 63);
            floe_k_keys rest = {FLOE_K_KEY_I64, build + 2000, NULL, rest_valid};
            ck_assert_int_eq(floe_k_join_build(&table, &rest, NULL, NULL, build_count - 2000, NULL),
                             0);
            ck_assert_int_eq(floe_k_join_build_finish(&table, NULL), FLOE_OK);
            ck_assert_ptr_null(table.dense_rows); /* keys 7 apart: too sparse for the array */
            ck_assert(table.unique_keys == (round < 2));
            ck_assert(table.rows_are_groups == (round == 0));
            for (int left = 0; left <= 1; left++) {
                for (int use_selection = 0; use_selection <= 1; use_selection++) {
                    size_t expected = nested_loop(
                        build, build_valid, build_count, use_selection ? selected_probe : probe,
                        use_selection ? selected_valid : probe_valid,
                        use_selection ? selected : UNIQUE_PROBE, left, expected_probe,
                        expected_build);
                    if (use_selection)
                        for (size_t k = 0; k < expected; k++)
                            expected_probe[k] = selection[expected_probe[k]];
                    for (size_t c = 0; c < sizeof capacities / sizeof capacities[0]; c++) {
                        floe_k_join_probe state;
                        floe_k_join_probe_init(&state);
                        floe_k_keys view = {FLOE_K_KEY_I64, probe, NULL, probe_valid};
                        ck_assert_int_eq(
                            floe_k_join_probe_begin_variant(
                                &state, &table, left ? FLOE_K_JOIN_LEFT : FLOE_K_JOIN_INNER, &view,
                                c % 2 == 0 ? probe_hashes : NULL,
                                use_selection ? selection : NULL,
                                use_selection ? selected : UNIQUE_PROBE, fns->ht_find, NULL),
                            FLOE_OK);
                        size_t total = 0, got;
                        while ((got = floe_k_join_probe_next(&state, got_probe + total,
                                                             got_build + total,
                                                             capacities[c])) > 0) {
                            ck_assert_uint_le(got, capacities[c]);
                            total += got;
                            if (total + capacities[c] > MAX_PAIRS) break;
                        }
                        ck_assert_uint_eq(total, expected);
                        size_t bytes = total * sizeof(uint32_t);
                        ck_assert_int_eq(memcmp(got_probe, expected_probe, bytes), 0);
                        ck_assert_int_eq(memcmp(got_build, expected_build, bytes), 0);
                        floe_k_join_probe_fini(&state);
                    }
                }
            }
            floe_k_join_fini(&table);
        }
    }
}
END_TEST

/* Keys dense enough for the array index (join.h), as I64 and I32, with NULLs on both sides,
 * negative keys, probe keys below, inside and far outside the range (the extremes of the type),
 * and the same keys plus one repeat, which must fall back to the hash table: every probe agrees
 * with the nested loop. */
START_TEST(dense_keys_against_nested_loop)
{
    enum { DENSE_BUILD = 5000, DENSE_PROBE = 3000 };
    static int64_t build[DENSE_BUILD + 1], probe[DENSE_PROBE];
    static int32_t build32[DENSE_BUILD + 1], probe32[DENSE_PROBE];
    static uint64_t build_valid[(DENSE_BUILD + 64) / 64], probe_valid[(DENSE_PROBE + 63) / 64];
    for (size_t i = 0; i < DENSE_BUILD; i++) build[i] = (int64_t)i * 2 - 3000; /* distinct */
    for (size_t i = DENSE_BUILD; i > 1; i--) {
        size_t j = (size_t)(next_random() % i);
        int64_t t = build[i - 1];
        build[i - 1] = build[j];
        build[j] = t;
    }
    build[DENSE_BUILD] = build[99];
    for (size_t i = 0; i < DENSE_PROBE; i++) probe[i] = (int64_t)(next_random() % 12000) - 4000;
    probe[0] = INT64_MIN;
    probe[1] = INT64_MAX;
    probe[2] = INT32_MIN;
    probe[3] = INT32_MAX;
    for (size_t i = 0; i <= DENSE_BUILD; i++) build32[i] = (int32_t)build[i];
    for (size_t i = 0; i < DENSE_PROBE; i++)
        probe32[i] = i < 2 ? (i == 0 ? INT32_MIN : INT32_MAX) : (int32_t)probe[i];
    int64_t probe_as_read[DENSE_PROBE]; /* the I32 probe keys widened, for the nested loop */
    for (size_t i = 0; i < DENSE_PROBE; i++) probe_as_read[i] = probe32[i];
    memset(build_valid, 0xFF, sizeof build_valid);
    for (size_t i = 0; i <= DENSE_BUILD; i += 13) build_valid[i >> 6] &= ~(1ull << (i & 63));
    build_valid[99 >> 6] |= 1ull << (99 & 63); /* keep the repeated key's twin non-NULL */
    for (size_t w = 0; w < (DENSE_PROBE + 63) / 64; w++)
        probe_valid[w] = ~(next_random() & next_random() & next_random());
    for (int narrow = 0; narrow <= 1; narrow++) {
        for (int repeat = 0; repeat <= 1; repeat++) {
            size_t build_count = repeat ? DENSE_BUILD + 1 : DENSE_BUILD;
            floe_k_key_kind kind = narrow ? FLOE_K_KEY_I32 : FLOE_K_KEY_I64;
            floe_k_join_table table;
            ck_assert_int_eq(floe_k_join_init(&table, kind, 100, NULL), FLOE_OK);
            const void *keys = narrow ? (const void *)build32 : (const void *)build;
            floe_k_keys all = {kind, keys, NULL, build_valid};
            ck_assert_int_eq(floe_k_join_build(&table, &all, NULL, NULL, build_count, NULL),
                             FLOE_OK);
            ck_assert_int_eq(floe_k_join_build_finish(&table, NULL), FLOE_OK);
            ck_assert(repeat ? table.dense_rows == NULL : table.dense_rows != NULL);
            ck_assert(table.unique_keys == !repeat);
            for (int left = 0; left <= 1; left++) {
                size_t expected = nested_loop(build, build_valid, build_count,
                                              narrow ? probe_as_read : probe, probe_valid,
                                              DENSE_PROBE, left, expected_probe, expected_build);
                floe_k_join_probe state;
                floe_k_join_probe_init(&state);
                floe_k_keys view = {kind, narrow ? (const void *)probe32 : (const void *)probe,
                                    NULL, probe_valid};
                ck_assert_int_eq(floe_k_join_probe_begin(&state, &table,
                                                         left ? FLOE_K_JOIN_LEFT
                                                              : FLOE_K_JOIN_INNER,
                                                         &view, NULL, NULL, DENSE_PROBE, NULL),
                                 FLOE_OK);
                size_t total = 0, got;
                while ((got = floe_k_join_probe_next(&state, got_probe + total, got_build + total,
                                                     64)) > 0)
                    total += got;
                ck_assert_uint_eq(total, expected);
                ck_assert_int_eq(memcmp(got_probe, expected_probe, total * sizeof(uint32_t)), 0);
                ck_assert_int_eq(memcmp(got_build, expected_build, total * sizeof(uint32_t)), 0);
                floe_k_join_probe_fini(&state);
            }
            floe_k_join_fini(&table);
        }
    }
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("join");
    TCase *cases = tcase_create("join");
    tcase_set_timeout(cases, 300);
    tcase_add_test(cases, random_keys_against_nested_loop);
    tcase_add_test(cases, one_key_with_a_thousand_matches);
    tcase_add_test(cases, empty_sides_and_strings);
    tcase_add_test(cases, unique_build_keys_against_nested_loop);
    tcase_add_test(cases, dense_keys_against_nested_loop);
    suite_add_tcase(suite, cases);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
