/*
 * Description: column hashing (kernels/hash.h). Every variant this build and CPU can run against
 * libxxhash's own XXH3_64bits_withSeed (an independent implementation of the definition) for
 * INT32, INT64, INT128 and string keys: random values and seeds, edge values, NULLs, empty and
 * long strings, composite keys through combine, selection vectors (only listed rows touched),
 * counts around the 4-lane block size; plus quality sanity: no collisions among 1M distinct
 * int64 keys and an even spread of sequential keys over 65536 buckets.
 */
#define XXH_INLINE_ALL
#include <xxhash.h> /* the independent reference */

#include "kernels/dispatch.h"
#include "kernels/hash.h"
#include "kernels/status.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const size_t test_counts[] = {0, 1, 3, 4, 5, 7, 8, 9, 31, 33, 64, 65, 1000, 2048 + 5};
enum { MAX_ROWS = 2048 + 5 };

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13; /* xorshift64 */
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static bool is_null(const uint64_t *validity, size_t row)
{
    return validity != NULL && !((validity[row >> 6] >> (row & 63)) & 1);
}

/* Random validity with about one NULL in `one_in` rows. */
static void random_validity(uint64_t *validity, size_t rows, unsigned one_in)
{
    for (size_t w = 0; w < (rows + 63) / 64; w++) validity[w] = ~0ull;
    for (size_t row = 0; row < rows; row++)
        if (next_random() % one_in == 0) validity[row >> 6] &= ~(1ull << (row & 63));
}

/* An ascending selection of about half the rows; returns its length. */
static size_t random_selection(uint16_t *selection, size_t rows)
{
    size_t n = 0;
    for (size_t row = 0; row < rows; row++)
        if (next_random() & 1) selection[n++] = (uint16_t)row;
    return n;
}

typedef enum key_kind { KEY_I32, KEY_I64, KEY_I128, KEY_STRING } key_kind;

typedef struct key_column {
    int32_t i32[MAX_ROWS];
    int64_t i64[MAX_ROWS];
    floe_int128 i128[MAX_ROWS];
    floe_string_ref refs[MAX_ROWS];
    unsigned char heap[MAX_ROWS * 40 + 1024];
} key_column;

static void fill_keys(key_column *keys, size_t rows)
{
    static const int64_t edges[] = {0, -1, 1, INT64_MIN, INT64_MAX, INT32_MIN, INT32_MAX, 255};
    size_t heap_used = 0;
    for (size_t row = 0; row < rows; row++) {
        uint64_t r = next_random();
        int64_t v = row < 8 ? edges[row] : (int64_t)r;
        keys->i64[row] = v;
        keys->i32[row] = (int32_t)(uint32_t)(row < 8 ? (uint64_t)edges[row] : r >> 7);
        floe_uint128 high = (floe_uint128)(uint64_t)v << 64;
        keys->i128[row] = (floe_int128)(high ^ (next_random() >> (row % 64)));
        /* Lengths 0..16 mostly, some empty, some past XXH3's 240-byte long-input threshold. */
        uint32_t length = row % 97 == 5 ? 600 + (uint32_t)(r % 400) : (uint32_t)(r % 17);
        if (row % 11 == 0) length = 0;
        if (heap_used + length > sizeof keys->heap) length = 0;
        for (uint32_t b = 0; b < length; b++)
            keys->heap[heap_used + b] = (unsigned char)next_random();
        keys->refs[row] = (floe_string_ref){(uint32_t)heap_used, length};
        heap_used += length;
    }
}

/* XXH3 straight from libxxhash: what every variant must produce. */
static uint64_t reference_hash(const key_column *keys, key_kind kind, size_t row, uint64_t seed)
{
    switch (kind) {
    case KEY_I32: return XXH3_64bits_withSeed(&keys->i32[row], 4, seed);
    case KEY_I64: return XXH3_64bits_withSeed(&keys->i64[row], 8, seed);
    case KEY_I128: return XXH3_64bits_withSeed(&keys->i128[row], 16, seed);
    default:
        return XXH3_64bits_withSeed(keys->heap + keys->refs[row].offset, keys->refs[row].length,
                                    seed);
    }
}

static void run_kernel(const floe_k_dispatch *table, const key_column *keys, key_kind kind,
                       uint64_t *hashes, const uint64_t *validity, const uint16_t *selection,
                       size_t count, uint64_t seed, bool combine)
{
    switch (kind) {
    case KEY_I32:
        table->hash_i32(hashes, keys->i32, validity, selection, count, seed, combine);
        break;
    case KEY_I64:
        table->hash_i64(hashes, keys->i64, validity, selection, count, seed, combine);
        break;
    case KEY_I128:
        table->hash_i128(hashes, keys->i128, validity, selection, count, seed, combine);
        break;
    default:
        table->hash_string(hashes, keys->refs, keys->heap, validity, selection, count, seed,
                           combine);
    }
}

static const char *kind_name(key_kind kind)
{
    static const char *names[] = {"i32", "i64", "i128", "string"};
    return names[kind];
}

/* Every variant, every key kind, every count, with/without NULLs, selection and combine. */
START_TEST(every_variant_matches_xxh3)
{
    static key_column keys;
    static uint64_t hashes[MAX_ROWS], before[MAX_ROWS], validity[(MAX_ROWS + 63) / 64];
    static uint16_t selection[MAX_ROWS];
    fill_keys(&keys, MAX_ROWS);
    int variants = 0;
    for (int isa = 0; isa < FLOE_K_ISA_COUNT; isa++) {
        const floe_k_dispatch *table;
        if (floe_k_dispatch_for((floe_k_isa)isa, &table) != FLOE_OK) continue;
        variants++;
        for (int kind = KEY_I32; kind <= KEY_STRING; kind++)
            for (size_t c = 0; c < sizeof test_counts / sizeof test_counts[0]; c++)
                for (int shape = 0; shape < 8; shape++) {
                    size_t rows = test_counts[c];
                    bool with_nulls = shape & 1, with_selection = shape & 2, combine = shape & 4;
                    uint64_t seed = shape == 0 ? 0 : next_random();
                    if (with_nulls) random_validity(validity, rows, 3);
                    size_t count = with_selection ? random_selection(selection, rows) : rows;
                    for (size_t row = 0; row < rows; row++)
                        hashes[row] = before[row] = next_random();
                    run_kernel(table, &keys, (key_kind)kind, hashes, with_nulls ? validity : NULL,
                               with_selection ? selection : NULL, count, seed, combine);
                    size_t next = 0; /* next selection entry */
                    for (size_t row = 0; row < rows; row++) {
                        bool touched = !with_selection || (next < count && selection[next] == row);
                        if (with_selection && touched) next++;
                        uint64_t row_seed = combine ? before[row] : seed;
                        uint64_t expected =
                            !touched ? before[row]
                            : (with_nulls && is_null(validity, row))
                                ? floe_k_hash_null(row_seed)
                                : reference_hash(&keys, (key_kind)kind, row, row_seed);
                        ck_assert_msg(hashes[row] == expected,
                                      "%s %s: rows %zu shape %d row %zu: %016llx, expected %016llx",
                                      table->name, kind_name((key_kind)kind), rows, shape, row,
                                      (unsigned long long)hashes[row],
                                      (unsigned long long)expected);
                    }
                }
    }
    ck_assert_int_ge(variants, 1);
}
END_TEST

START_TEST(single_value_functions_and_entry_points)
{
    int64_t v64 = -42;
    int32_t v32 = 123456;
    floe_int128 v128 = ((floe_int128)7 << 70) | 99;
    ck_assert_uint_eq(floe_k_hash_i64_value(v64, 5), XXH3_64bits_withSeed(&v64, 8, 5));
    ck_assert_uint_eq(floe_k_hash_i32_value(v32, 5), XXH3_64bits_withSeed(&v32, 4, 5));
    ck_assert_uint_eq(floe_k_hash_i128_value(v128, 5), XXH3_64bits_withSeed(&v128, 16, 5));
    ck_assert_uint_eq(floe_k_hash_bytes_value("abc", 3, 5), XXH3_64bits_withSeed("abc", 3, 5));
    /* XXH3 test vector from xxHash's sanity checks: the empty input, seed 0. */
    ck_assert_uint_eq(floe_k_hash_bytes_value(NULL, 0, 0), 0x2D06800538D394C2ull);

    uint64_t hashes[3];
    int64_t column[3] = {1, 2, 1};
    floe_k_hash_i64(hashes, column, NULL, NULL, 3, 9);
    ck_assert_uint_eq(hashes[0], hashes[2]); /* equal keys hash equal */
    ck_assert_uint_ne(hashes[0], hashes[1]);
    ck_assert_uint_eq(hashes[1], floe_k_hash_i64_value(2, 9));
}
END_TEST

START_TEST(nulls_and_strings)
{
    /* NULL is one constant per seed, equal across types, distinct from empty string and zero. */
    uint64_t validity = 0; /* every row NULL */
    int32_t i32[2] = {0, 5};
    int64_t i64[2] = {0, 5};
    floe_string_ref refs[2] = {{0, 0}, {0, 0}};
    uint64_t a[2], b[2], c[2], d[2];
    floe_k_hash_i32(a, i32, &validity, NULL, 2, 77);
    floe_k_hash_i64(b, i64, &validity, NULL, 2, 77);
    floe_k_hash_string(c, refs, NULL, &validity, NULL, 2, 77);
    floe_k_hash_string(d, refs, NULL, NULL, NULL, 2, 77); /* two empty strings, empty heap */
    ck_assert_uint_eq(a[0], a[1]);
    ck_assert_uint_eq(a[0], b[0]);
    ck_assert_uint_eq(a[0], c[1]);
    ck_assert_uint_eq(a[0], floe_k_hash_null(77));
    ck_assert_uint_ne(floe_k_hash_null(77), floe_k_hash_null(78));
    ck_assert_uint_eq(d[0], d[1]);
    ck_assert_uint_ne(d[0], a[0]);
    ck_assert_uint_ne(floe_k_hash_i64_value(0, 77), a[0]);

    /* Equal strings at different heap offsets hash equal; a long string matches XXH3. */
    static unsigned char heap[5000];
    for (size_t i = 0; i < sizeof heap; i++) heap[i] = (unsigned char)(i * 7 + 3);
    memcpy(heap + 100, "floe", 4);
    memcpy(heap + 200, "floe", 4);
    floe_string_ref strings[3] = {{100, 4}, {200, 4}, {300, 4000}};
    uint64_t h[3];
    floe_k_hash_string(h, strings, heap, NULL, NULL, 3, 0);
    ck_assert_uint_eq(h[0], h[1]);
    ck_assert_uint_eq(h[0], XXH3_64bits_withSeed("floe", 4, 0));
    ck_assert_uint_eq(h[2], XXH3_64bits_withSeed(heap + 300, 4000, 0));
}
END_TEST

START_TEST(composite_keys_chain_seeds)
{
    /* (region string, day int32, amount int64): three columns, one pass each. */
    static unsigned char heap[] = "eastwest";
    floe_string_ref region[4] = {{0, 4}, {4, 4}, {0, 4}, {0, 4}};
    int32_t day[4] = {19000, 19000, 19000, 19001};
    int64_t amount[4] = {10, 10, 10, 10};
    uint64_t h[4];
    floe_k_hash_string(h, region, heap, NULL, NULL, 4, 1);
    floe_k_hash_combine_i32(h, day, NULL, NULL, 4);
    floe_k_hash_combine_i64(h, amount, NULL, NULL, 4);
    uint64_t expected = XXH3_64bits_withSeed("east", 4, 1);
    expected = XXH3_64bits_withSeed(&day[0], 4, expected);
    expected = XXH3_64bits_withSeed(&amount[0], 8, expected);
    ck_assert_uint_eq(h[0], expected);
    ck_assert_uint_eq(h[0], h[2]);  /* same key */
    ck_assert_uint_ne(h[0], h[1]);  /* region differs */
    ck_assert_uint_ne(h[0], h[3]);  /* day differs */
    /* Order matters: (a, b) and (b, a) differ. */
    int64_t x[1] = {1}, y[1] = {2};
    uint64_t ab[1], ba[1];
    floe_k_hash_i64(ab, x, NULL, NULL, 1, 0);
    floe_k_hash_combine_i64(ab, y, NULL, NULL, 1);
    floe_k_hash_i64(ba, y, NULL, NULL, 1, 0);
    floe_k_hash_combine_i64(ba, x, NULL, NULL, 1);
    ck_assert_uint_ne(ab[0], ba[0]);
}
END_TEST

static int compare_u64(const void *left, const void *right)
{
    uint64_t a = *(const uint64_t *)left, b = *(const uint64_t *)right;
    return a < b ? -1 : a > b;
}

START_TEST(quality_sanity)
{
    enum { KEYS = 1 << 20, BUCKETS = 1 << 16 };
    int64_t *keys = malloc(KEYS * sizeof *keys);
    uint64_t *hashes = malloc(KEYS * sizeof *hashes);
    uint32_t *buckets = calloc(BUCKETS, sizeof *buckets);
    ck_assert(keys != NULL && hashes != NULL && buckets != NULL);
    for (int64_t i = 0; i < KEYS; i++) keys[i] = i * 1000; /* structured, distinct keys */
    for (size_t start = 0; start < KEYS; start += 2048)
        floe_k_hash_i64(hashes + start, keys + start, NULL, NULL, 2048, 0);
    /* Low 16 bits of sequential keys spread evenly: mean 16 per bucket. */
    for (size_t i = 0; i < KEYS; i++) buckets[hashes[i] & (BUCKETS - 1)]++;
    uint32_t fullest = 0, empty = 0;
    for (size_t b = 0; b < BUCKETS; b++) {
        if (buckets[b] > fullest) fullest = buckets[b];
        empty += buckets[b] == 0;
    }
    ck_assert_uint_lt(fullest, 48); /* Poisson(16): P(>= 48) is ~1e-9 per bucket */
    ck_assert_uint_lt(empty, 10);   /* expected 65536 * e^-16 ~ 0.007 */
    qsort(hashes, KEYS, sizeof *hashes, compare_u64);
    size_t collisions = 0;
    for (size_t i = 1; i < KEYS; i++) collisions += hashes[i] == hashes[i - 1];
    ck_assert_uint_eq(collisions, 0);
    free(keys);
    free(hashes);
    free(buckets);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("hash");
    TCase *cases = tcase_create("hash");
    tcase_set_timeout(cases, 300);
    tcase_add_test(cases, every_variant_matches_xxh3);
    tcase_add_test(cases, single_value_functions_and_entry_points);
    tcase_add_test(cases, nulls_and_strings);
    tcase_add_test(cases, composite_keys_chain_seeds);
    tcase_add_test(cases, quality_sanity);
    suite_add_tcase(suite, cases);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
