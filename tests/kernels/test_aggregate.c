/*
 * Description: aggregate update kernels (kernels/aggregate.h) driven by the hash table's group
 * ids, against a brute-force recomputation from the live rows: random batches of inserts and
 * retractions of earlier rows (weights +1/-1 and multiplicities), NULL keys and NULL values;
 * groups whose COUNT(*) returns to zero are removed (swap-removal, states moved) and must be gone;
 * MIN/MAX after retracting the current extreme; SUM of only NULLs is NULL, COUNT(x) skips NULLs;
 * SUM overflow (BIGINT result, 38 decimal digits, 128-bit accumulation); double MIN/MAX order
 * with NaN and -0.0; string MIN/MAX with embedded NULs. Every hash-table variant this build runs.
 * The few-groups kernels (COUNT(*), SUM over int64) against the general ones on random batches
 * with and without a selection, every batch length mod 4, group counts 1..64 and beyond; their
 * exact fallbacks: int64 partials that overflow (the int128 sum is still exact) and an int128
 * overflow (FLOE_ERANGE, the rows before it applied as the general kernel applies them).
 */
#include "kernels/aggregate.h"
#include "kernels/dispatch.h"
#include "kernels/hash.h"
#include "kernels/hashtable.h"
#include "kernels/status.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPECT_IEQ(a, b)                                            \
    do {                                                            \
        if ((int64_t)(a) != (int64_t)(b)) ck_assert_int_eq(a, b);   \
    } while (0)

static uint64_t rng_state = 0xDEADBEEFCAFEF00Dull;

static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

enum { MAX_LIVE = 20000, BATCH = 512, KEY_RANGE = 40 };

/* A live row of the reference: key (or NULL) and value (or NULL), with multiplicity. */
typedef struct live_row {
    int64_t key;
    int key_null;
    int64_t value;
    int value_null;
    int64_t weight;
} live_row;

typedef struct state {
    floe_k_hashtable *table;
    int64_t count_star[4096];
    int64_t count_value[4096];
    floe_int128 sum[4096];
    int64_t sum_count[4096];
    floe_k_minmax minmax;
} state;

static void apply_batch(const floe_k_dispatch *fns, state *s, const int64_t *keys,
                        const uint64_t *key_valid, const int64_t *values,
                        const uint64_t *value_valid, const int64_t *weights, size_t count)
{
    uint64_t hashes[BATCH];
    uint32_t ids[BATCH];
    fns->hash_i64(hashes, keys, key_valid, NULL, count, 11, false);
    floe_k_keys view = {FLOE_K_KEY_I64, keys, NULL, key_valid};
    ck_assert_int_eq(fns->ht_find_or_insert(s->table, &view, hashes, NULL, count, ids, NULL),
                     FLOE_OK);
    ck_assert_uint_le(floe_k_ht_group_count(s->table), 4096);
    ck_assert_int_eq(floe_k_minmax_reserve(&s->minmax, floe_k_ht_group_count(s->table), NULL),
                     FLOE_OK);
    floe_k_agg_count_star(s->count_star, ids, weights, NULL, count);
    floe_k_agg_count(s->count_value, ids, value_valid, weights, NULL, count);
    ck_assert_int_eq(floe_k_agg_sum_i64(s->sum, s->sum_count, ids, values, value_valid, weights,
                                        NULL, count, NULL),
                     FLOE_OK);
    ck_assert_int_eq(floe_k_minmax_update_i64(&s->minmax, ids, values, value_valid, weights,
                                              NULL, count, NULL),
                     FLOE_OK);
    /* Groups whose COUNT(*) returned to zero disappear, highest id first. */
    for (uint32_t g = floe_k_ht_group_count(s->table); g-- > 0;) {
        if (s->count_star[g] != 0) continue;
        uint32_t moved;
        ck_assert_int_eq(floe_k_ht_remove(s->table, g, &moved, NULL), FLOE_OK);
        s->count_star[g] = s->count_star[moved];
        s->count_value[g] = s->count_value[moved];
        s->sum[g] = s->sum[moved];
        s->sum_count[g] = s->sum_count[moved];
        floe_k_minmax_move(&s->minmax, moved, g);
        s->count_star[moved] = s->count_value[moved] = s->sum_count[moved] = 0;
        s->sum[moved] = 0;
    }
}

/* Compares every group against the live rows, and checks that no other key has a group. */
static void check_against_reference(state *s, const live_row *live, size_t live_count)
{
    for (int key = -1; key < KEY_RANGE; key++) { /* -1 stands for the NULL key */
        int64_t star = 0, nonnull = 0, minimum = INT64_MAX, maximum = INT64_MIN;
        floe_int128 sum = 0;
        for (size_t i = 0; i < live_count; i++) {
            const live_row *r = &live[i];
            if (key == -1 ? !r->key_null : (r->key_null || r->key != key)) continue;
            star += r->weight;
            if (r->value_null) continue;
            nonnull += r->weight;
            sum += (floe_int128)r->value * r->weight;
            if (r->value < minimum) minimum = r->value;
            if (r->value > maximum) maximum = r->value;
        }
        uint32_t group;
        if (key == -1) {
            group = floe_k_ht_null_group(s->table);
        } else {
            int64_t k = key;
            uint64_t hash = floe_k_hash_i64_value(k, 11);
            floe_k_keys view = {FLOE_K_KEY_I64, &k, NULL, NULL};
            floe_k_ht_find(s->table, &view, &hash, NULL, 1, &group);
        }
        if (star == 0) {
            ck_assert_uint_eq(group, FLOE_K_NO_GROUP);
            continue;
        }
        ck_assert_uint_ne(group, FLOE_K_NO_GROUP);
        EXPECT_IEQ(s->count_star[group], star);
        EXPECT_IEQ(s->count_value[group], nonnull);
        int64_t result;
        bool is_null;
        ck_assert_int_eq(floe_k_agg_sum_i64_result(s->sum[group], s->sum_count[group], &result,
                                                   &is_null, NULL),
                         FLOE_OK);
        ck_assert_int_eq(is_null, nonnull == 0);
        if (!is_null) EXPECT_IEQ(result, (int64_t)sum);
        int64_t got;
        ck_assert_int_eq(floe_k_minmax_get_i64(&s->minmax, group, false, &got), nonnull != 0);
        if (nonnull != 0) EXPECT_IEQ(got, minimum);
        ck_assert_int_eq(floe_k_minmax_get_i64(&s->minmax, group, true, &got), nonnull != 0);
        if (nonnull != 0) EXPECT_IEQ(got, maximum);
    }
}

START_TEST(inserts_and_retractions_match_recomputation)
{
    const floe_k_dispatch *fns[FLOE_K_ISA_COUNT];
    int variants = 0;
    for (int isa = 0; isa < FLOE_K_ISA_COUNT; isa++)
        if (floe_k_dispatch_for((floe_k_isa)isa, &fns[variants]) == FLOE_OK) variants++;
    static live_row live[MAX_LIVE];
    for (int v = 0; v < variants; v++) {
        static state s;
        memset(&s, 0, sizeof s);
        ck_assert_int_eq(floe_k_ht_create(FLOE_K_KEY_I64, 0, &s.table, NULL), FLOE_OK);
        floe_k_minmax_init(&s.minmax, FLOE_K_MINMAX_I64);
        size_t live_count = 0;
        for (int round = 0; round < 40; round++) {
            int64_t keys[BATCH], values[BATCH], weights[BATCH];
            uint64_t key_valid[BATCH / 64], value_valid[BATCH / 64];
            memset(key_valid, 0xFF, sizeof key_valid);
            memset(value_valid, 0xFF, sizeof value_valid);
            size_t count = 0;
            /* Every third round retracts most live rows (so groups empty out); others insert
             * fresh rows and retract a few. */
            int retract_heavy = round % 3 == 2;
            while (count < BATCH) {
                int retract = live_count > 0 && (retract_heavy ? next_random() % 8 != 0
                                                               : next_random() % 5 == 0);
                live_row r;
                if (retract) {
                    size_t pick = (size_t)(next_random() % live_count);
                    r = live[pick];
                    live[pick] = live[--live_count];
                    r.weight = -r.weight;
                } else {
                    if (live_count + 1 >= MAX_LIVE) break;
                    r.key = (int64_t)(next_random() % KEY_RANGE);
                    r.key_null = next_random() % 23 == 0;
                    r.value = (int64_t)(next_random() % 2001) - 1000;
                    r.value_null = next_random() % 7 == 0;
                    r.weight = next_random() % 10 == 0 ? 3 : 1; /* a multiplicity */
                    live[live_count++] = r;
                }
                keys[count] = r.key;
                values[count] = r.value;
                weights[count] = r.weight;
                if (r.key_null) key_valid[count / 64] &= ~(1ull << (count % 64));
                if (r.value_null) value_valid[count / 64] &= ~(1ull << (count % 64));
                count++;
                if (retract_heavy && live_count == 0) break;
            }
            apply_batch(fns[v], &s, keys, key_valid, values, value_valid, weights, count);
            check_against_reference(&s, live, live_count);
        }
        /* Retract everything: every group disappears. */
        while (live_count > 0) {
            int64_t keys[BATCH], values[BATCH], weights[BATCH];
            uint64_t key_valid[BATCH / 64], value_valid[BATCH / 64];
            memset(key_valid, 0xFF, sizeof key_valid);
            memset(value_valid, 0xFF, sizeof value_valid);
            size_t count = 0;
            while (count < BATCH && live_count > 0) {
                live_row r = live[--live_count];
                keys[count] = r.key;
                values[count] = r.value;
                weights[count] = -r.weight;
                if (r.key_null) key_valid[count / 64] &= ~(1ull << (count % 64));
                if (r.value_null) value_valid[count / 64] &= ~(1ull << (count % 64));
                count++;
            }
            apply_batch(fns[v], &s, keys, key_valid, values, value_valid, weights, count);
            check_against_reference(&s, live, live_count);
        }
        ck_assert_uint_eq(floe_k_ht_group_count(s.table), 0);
        floe_k_ht_free(s.table);
        floe_k_minmax_fini(&s.minmax);
    }
}
END_TEST

START_TEST(min_max_after_retracting_extreme)
{
    floe_k_minmax mm;
    floe_k_minmax_init(&mm, FLOE_K_MINMAX_I64);
    ck_assert_int_eq(floe_k_minmax_reserve(&mm, 1, NULL), FLOE_OK);
    uint32_t ids[5] = {0, 0, 0, 0, 0};
    int64_t values[5] = {5, 9, 1, 9, 1};
    int64_t weights[5] = {1, 1, 1, 1, 1};
    ck_assert_int_eq(floe_k_minmax_update_i64(&mm, ids, values, NULL, weights, NULL, 5, NULL),
                     FLOE_OK);
    int64_t got;
    ck_assert(floe_k_minmax_get_i64(&mm, 0, false, &got) && got == 1);
    ck_assert(floe_k_minmax_get_i64(&mm, 0, true, &got) && got == 9);
    /* Retract one 9: still 9. Retract the other: 5. Retract both 1s: min 5. */
    int64_t minus[1] = {-1};
    int64_t nine[1] = {9}, one[1] = {1}, five[1] = {5};
    ck_assert_int_eq(floe_k_minmax_update_i64(&mm, ids, nine, NULL, minus, NULL, 1, NULL), 0);
    ck_assert(floe_k_minmax_get_i64(&mm, 0, true, &got) && got == 9);
    ck_assert_int_eq(floe_k_minmax_update_i64(&mm, ids, nine, NULL, minus, NULL, 1, NULL), 0);
    ck_assert(floe_k_minmax_get_i64(&mm, 0, true, &got) && got == 5);
    int64_t minus_two[1] = {-2};
    ck_assert_int_eq(floe_k_minmax_update_i64(&mm, ids, one, NULL, minus_two, NULL, 1, NULL), 0);
    ck_assert(floe_k_minmax_get_i64(&mm, 0, false, &got) && got == 5);
    ck_assert_int_eq(floe_k_minmax_update_i64(&mm, ids, five, NULL, minus, NULL, 1, NULL), 0);
    ck_assert(!floe_k_minmax_get_i64(&mm, 0, false, &got)); /* empty: NULL */
    floe_k_minmax_fini(&mm);

    /* int32 widening. */
    floe_k_minmax_init(&mm, FLOE_K_MINMAX_I64);
    ck_assert_int_eq(floe_k_minmax_reserve(&mm, 1, NULL), FLOE_OK);
    int32_t small[3] = {INT32_MIN, 0, INT32_MAX};
    ck_assert_int_eq(floe_k_minmax_update_i32(&mm, ids, small, NULL, NULL, NULL, 3, NULL), 0);
    ck_assert(floe_k_minmax_get_i64(&mm, 0, false, &got) && got == INT32_MIN);
    ck_assert(floe_k_minmax_get_i64(&mm, 0, true, &got) && got == INT32_MAX);
    floe_k_minmax_fini(&mm);

    /* Doubles: NaN above +inf, -0.0 equal to 0.0, -inf lowest. */
    floe_k_minmax_init(&mm, FLOE_K_MINMAX_F64);
    ck_assert_int_eq(floe_k_minmax_reserve(&mm, 1, NULL), FLOE_OK);
    double d[5] = {-0.0, INFINITY, NAN, -INFINITY, 0.0};
    ck_assert_int_eq(floe_k_minmax_update_f64(&mm, ids, d, NULL, NULL, NULL, 5, NULL), 0);
    double x;
    ck_assert(floe_k_minmax_get_f64(&mm, 0, true, &x) && isnan(x));
    ck_assert(floe_k_minmax_get_f64(&mm, 0, false, &x) && x == -INFINITY);
    ck_assert_uint_eq(mm.groups[0].length, 4); /* -0.0 and 0.0 share one entry */
    double retract[2] = {NAN, -INFINITY};
    ck_assert_int_eq(floe_k_minmax_update_f64(&mm, ids, retract, NULL, (int64_t[]){-1, -1}, NULL,
                                              2, NULL),
                     0);
    ck_assert(floe_k_minmax_get_f64(&mm, 0, true, &x) && x == INFINITY);
    ck_assert(floe_k_minmax_get_f64(&mm, 0, false, &x) && x == 0.0);
    floe_k_minmax_fini(&mm);

    /* Strings with embedded NULs: "a" < "a\0" < "a\0b" < "b". */
    floe_k_minmax_init(&mm, FLOE_K_MINMAX_BYTES);
    ck_assert_int_eq(floe_k_minmax_reserve(&mm, 2, NULL), FLOE_OK);
    const unsigned char heap[] = {'a', 0, 'b', 'b'};
    floe_string_ref refs[4] = {{0, 3}, {3, 1}, {0, 2}, {0, 1}};
    uint64_t validity[1] = {0xF};
    ck_assert_int_eq(floe_k_minmax_update_string(&mm, ids, refs, heap, validity, NULL, NULL, 4,
                                                 NULL),
                     0);
    const unsigned char *bytes;
    uint32_t length;
    ck_assert(floe_k_minmax_get_bytes(&mm, 0, false, &bytes, &length) && length == 1 &&
              bytes[0] == 'a');
    ck_assert(floe_k_minmax_get_bytes(&mm, 0, true, &bytes, &length) && length == 1 &&
              bytes[0] == 'b');
    ck_assert_int_eq(floe_k_minmax_update_string(&mm, ids, refs + 3, heap, NULL,
                                                 (int64_t[]){-1}, NULL, 1, NULL),
                     0);
    ck_assert(floe_k_minmax_get_bytes(&mm, 0, false, &bytes, &length) && length == 2 &&
              memcmp(bytes, "a\0", 2) == 0);
    floe_k_minmax_move(&mm, 0, 1);
    ck_assert(!floe_k_minmax_get_bytes(&mm, 0, false, &bytes, &length));
    ck_assert(floe_k_minmax_get_bytes(&mm, 1, true, &bytes, &length) && length == 1);
    floe_k_minmax_fini(&mm);
}
END_TEST

START_TEST(nulls_and_overflow)
{
    uint32_t ids[4] = {0, 0, 1, 1};
    int64_t values[4] = {INT64_MAX, INT64_MAX, 5, 6};
    uint64_t validity[1] = {0x3}; /* group 1 sees only NULLs */
    floe_int128 sums[2] = {0, 0};
    int64_t counts[2] = {0, 0}, star[2] = {0, 0}, nonnull[2] = {0, 0};
    floe_k_agg_count_star(star, ids, NULL, NULL, 4);
    floe_k_agg_count(nonnull, ids, validity, NULL, NULL, 4);
    ck_assert_int_eq(star[1], 2);
    ck_assert_int_eq(nonnull[1], 0);
    ck_assert_int_eq(floe_k_agg_sum_i64(sums, counts, ids, values, validity, NULL, NULL, 4, NULL),
                     FLOE_OK);
    int64_t result;
    bool is_null;
    floe_error err;
    ck_assert_int_eq(floe_k_agg_sum_i64_result(sums[1], counts[1], &result, &is_null, NULL), 0);
    ck_assert(is_null);
    /* 2 * INT64_MAX does not fit BIGINT. */
    ck_assert_int_eq(floe_k_agg_sum_i64_result(sums[0], counts[0], &result, &is_null, &err),
                     FLOE_ERANGE);
    /* Retracting one brings it back in range. */
    int64_t minus[4] = {-1, 0, 0, 0};
    ck_assert_int_eq(floe_k_agg_sum_i64(sums, counts, ids, values, validity, minus, NULL, 1, NULL),
                     FLOE_OK);
    ck_assert_int_eq(floe_k_agg_sum_i64_result(sums[0], counts[0], &result, &is_null, NULL), 0);
    ck_assert(!is_null && result == INT64_MAX);

    /* Decimals: 10^38 - 1 is the largest 38-digit value; one more is out of range. */
    floe_int128 limit = 1;
    for (int k = 0; k < 38; k++) limit *= 10;
    floe_int128 decimals[2] = {limit - 2, 1};
    uint32_t zero[2] = {0, 0};
    floe_int128 dsum[1] = {0};
    int64_t dcount[1] = {0};
    ck_assert_int_eq(floe_k_agg_sum_i128(dsum, dcount, zero, decimals, NULL, NULL, NULL, 2, NULL),
                     0);
    floe_int128 out;
    ck_assert_int_eq(floe_k_agg_sum_decimal_result(dsum[0], dcount[0], &out, &is_null, NULL), 0);
    ck_assert(out == limit - 1);
    ck_assert_int_eq(floe_k_agg_sum_i128(dsum, dcount, zero, decimals + 1, NULL, NULL, NULL, 1,
                                         NULL),
                     0);
    ck_assert_int_eq(floe_k_agg_sum_decimal_result(dsum[0], dcount[0], &out, &is_null, &err),
                     FLOE_ERANGE);
    /* 128-bit accumulation overflow: a huge multiplicity. */
    floe_int128 huge[1] = {limit};
    int64_t big_weight[1] = {INT64_MAX};
    ck_assert_int_eq(floe_k_agg_sum_i128(dsum, dcount, zero, huge, NULL, big_weight, NULL, 1,
                                         &err),
                     FLOE_ERANGE);
    floe_int128 near_max[1] = {((floe_int128)1 << 126)};
    floe_int128 acc[1] = {((floe_int128)1 << 126)};
    ck_assert_int_eq(floe_k_agg_sum_i128(acc, dcount, zero, near_max, NULL, NULL, NULL, 1, &err),
                     FLOE_ERANGE);

    /* Doubles: SUM and AVG, NULLs skipped, weights applied. */
    double dv[3] = {1.5, 2.5, 100.0};
    uint64_t dvalid[1] = {0x3};
    double fsum[1] = {0};
    int64_t fcount[1] = {0};
    uint32_t same[3] = {0, 0, 0};
    int64_t fw[3] = {2, 1, 1};
    floe_k_agg_sum_f64(fsum, fcount, same, dv, dvalid, fw, NULL, 3);
    double avg;
    floe_k_agg_avg_result(fsum[0], fcount[0], &avg, &is_null);
    ck_assert(!is_null && fsum[0] == 5.5 && fcount[0] == 3);
    ck_assert_double_eq_tol(avg, 5.5 / 3, 1e-12);
    floe_k_agg_avg_result(0, 0, &avg, &is_null);
    ck_assert(is_null);
}
END_TEST

/* The few-groups kernels must leave exactly what the general kernels leave. */
START_TEST(few_groups_match_general_kernels)
{
    enum { ROWS = 2048 };
    static uint32_t ids[ROWS];
    static int64_t values[ROWS];
    static uint16_t selection[ROWS];
    const uint32_t group_counts[] = {1, 2, 7, 8, 33, 64, 65, 200};
    for (size_t c = 0; c < sizeof group_counts / sizeof group_counts[0]; c++) {
        uint32_t groups = group_counts[c];
        for (int trial = 0; trial < 40; trial++) {
            size_t count = (size_t)(next_random() % (ROWS + 1));
            int huge = trial % 4 == 3; /* values that overflow int64 partials */
            for (size_t i = 0; i < ROWS; i++) {
                ids[i] = (uint32_t)(next_random() % groups);
                values[i] = huge ? (int64_t)(next_random() | (UINT64_C(1) << 62)) *
                                       (next_random() % 2 ? 1 : -1)
                                 : (int64_t)(next_random() % 2000001) - 1000000;
            }
            size_t selected = 0;
            for (size_t i = 0; i < count; i++)
                if (next_random() % 3 != 0) selection[selected++] = (uint16_t)i;
            for (int use_selection = 0; use_selection < 2; use_selection++) {
                const uint16_t *sel = use_selection ? selection : NULL;
                size_t rows = use_selection ? selected : count;
                floe_int128 sums_few[200], sums_general[200];
                int64_t counts_few[200], counts_general[200], star_few[200], star_general[200];
                for (uint32_t g = 0; g < groups; g++) {
                    sums_few[g] = sums_general[g] = (floe_int128)g * 1000 - 7;
                    counts_few[g] = counts_general[g] = g;
                    star_few[g] = star_general[g] = 3 * g;
                }
                floe_k_agg_count_star_few(star_few, ids, sel, rows, groups);
                floe_k_agg_count_star(star_general, ids, NULL, sel, rows);
                ck_assert_int_eq(floe_k_agg_sum_i64_few(sums_few, counts_few, ids, values, sel,
                                                        rows, groups, NULL),
                                 FLOE_OK);
                ck_assert_int_eq(floe_k_agg_sum_i64(sums_general, counts_general, ids, values,
                                                    NULL, NULL, sel, rows, NULL),
                                 FLOE_OK);
                for (uint32_t g = 0; g < groups; g++) {
                    ck_assert(sums_few[g] == sums_general[g]);
                    EXPECT_IEQ(counts_few[g], counts_general[g]);
                    EXPECT_IEQ(star_few[g], star_general[g]);
                }
            }
        }
    }
}
END_TEST

START_TEST(few_groups_int128_overflow_falls_back)
{
    /* Group 1 starts one below the int128 maximum: its second row overflows. The general
     * kernel applies the rows before the failing one; the few-groups kernel must leave the
     * same state and report the same error. */
    uint32_t ids[6] = {0, 1, 0, 1, 0, 1};
    int64_t values[6] = {5, 0, 6, 1, 7, 1};
    floe_int128 maximum = ((floe_int128)INT64_MAX << 64) + (floe_int128)UINT64_MAX;
    floe_int128 sums_few[2] = {0, maximum - 1}, sums_general[2] = {0, maximum - 1};
    int64_t counts_few[2] = {0, 0}, counts_general[2] = {0, 0};
    floe_error err;
    ck_assert_int_eq(floe_k_agg_sum_i64_few(sums_few, counts_few, ids, values, NULL, 6, 2, &err),
                     FLOE_ERANGE);
    ck_assert_int_eq(floe_k_agg_sum_i64(sums_general, counts_general, ids, values, NULL, NULL,
                                        NULL, 6, NULL),
                     FLOE_ERANGE);
    ck_assert(sums_few[0] == sums_general[0] && sums_few[1] == sums_general[1]);
    ck_assert(sums_few[0] == 18);
    EXPECT_IEQ(counts_few[0], counts_general[0]);
    EXPECT_IEQ(counts_few[1], counts_general[1]);
    /* An int64 partial that overflows alone is not an error: the int128 sum stays exact. */
    uint32_t same[3] = {0, 0, 0};
    int64_t big[3] = {INT64_MAX, INT64_MAX, INT64_MAX};
    floe_int128 sum[1] = {0};
    int64_t count[1] = {0};
    ck_assert_int_eq(floe_k_agg_sum_i64_few(sum, count, same, big, NULL, 3, 1, NULL), FLOE_OK);
    ck_assert(sum[0] == (floe_int128)INT64_MAX * 3);
    EXPECT_IEQ(count[0], 3);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("aggregate");
    TCase *cases = tcase_create("aggregate");
    tcase_set_timeout(cases, 300);
    tcase_add_test(cases, inserts_and_retractions_match_recomputation);
    tcase_add_test(cases, min_max_after_retracting_extreme);
    tcase_add_test(cases, nulls_and_overflow);
    tcase_add_test(cases, few_groups_match_general_kernels);
    tcase_add_test(cases, few_groups_int128_overflow_falls_back);
    suite_add_tcase(suite, cases);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
