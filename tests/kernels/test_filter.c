/*
 * Description: selection-vector filters (kernels/filter.h). The scalar reference against a
 * direct per-row evaluation written here (NULLs never pass), then every variant this build and
 * CPU runs against the scalar one: int32/int64/float/double, every operator, constants at and
 * around the data's values (and extremes), counts around the 8-row step (0, 1, 7, 8, 9, 2048),
 * NULLs, NaN and -0.0, refinement of an existing selection in place; int128, booleans, strings
 * with embedded NULs and prefixes, column vs column; IS [NOT] NULL; AND, OR, NOT.
 */
#include "kernels/dispatch.h"
#include "kernels/filter.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0xA5A5A5A5DEADBEEFull;

static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

enum { N = 2048 };
static const size_t counts[] = {0, 1, 7, 8, 9, 63, 64, 65, 1000, N};

static int valid(const uint64_t *validity, size_t row)
{
    return validity == NULL || ((validity[row >> 6] >> (row & 63)) & 1);
}

static int truth(floe_k_cmp op, int order_lt, int order_eq)
{
    switch (op) {
    case FLOE_K_CMP_EQ: return order_eq;
    case FLOE_K_CMP_NE: return !order_eq;
    case FLOE_K_CMP_LT: return order_lt;
    case FLOE_K_CMP_LE: return order_lt || order_eq;
    case FLOE_K_CMP_GT: return !order_lt && !order_eq;
    default: return !order_lt;
    }
}

#define EXPECT_SAME(got_n, got, want_n, want)                                        \
    do {                                                                             \
        ck_assert_uint_eq(got_n, want_n);                                            \
        if ((want_n) > 0 && memcmp(got, want, (want_n) * sizeof(uint16_t)) != 0)      \
            ck_abort_msg("selection differs");                                       \
    } while (0)

START_TEST(integers_every_variant)
{
    static int64_t v64[N];
    static int32_t v32[N];
    static uint64_t validity[N / 64];
    static uint16_t want[N], got[N], parent[N], refined[N];
    for (int trial = 0; trial < 6; trial++) {
        for (size_t i = 0; i < N; i++) {
            v64[i] = trial == 0 ? (int64_t)(next_random()) : (int64_t)(next_random() % 9) - 4;
            if (trial == 1 && i % 5 == 0) v64[i] = i % 2 ? INT64_MIN : INT64_MAX;
            v32[i] = (int32_t)v64[i];
        }
        for (size_t w = 0; w < N / 64; w++) validity[w] = trial % 2 ? next_random() : ~0ull;
        const uint64_t *val = trial % 3 == 2 ? NULL : validity;
        int64_t constants[] = {0, -4, 4, 1, INT64_MIN, INT64_MAX};
        for (size_t k = 0; k < sizeof constants / sizeof constants[0]; k++) {
            int64_t c = constants[k];
            for (int op = 0; op <= FLOE_K_CMP_GE; op++) {
                for (size_t ci = 0; ci < sizeof counts / sizeof counts[0]; ci++) {
                    size_t count = counts[ci];
                    size_t want_n = 0;
                    for (size_t r = 0; r < count; r++)
                        if (valid(val, r) && truth((floe_k_cmp)op, v64[r] < c, v64[r] == c))
                            want[want_n++] = (uint16_t)r;
                    size_t n = floe_k_filter_i64_scalar(got, v64, val, (floe_k_cmp)op, c, NULL,
                                                        count);
                    EXPECT_SAME(n, got, want_n, want);
                    int32_t c32 = (int32_t)c;
                    size_t want32 = 0;
                    for (size_t r = 0; r < count; r++)
                        if (valid(val, r) && truth((floe_k_cmp)op, v32[r] < c32, v32[r] == c32))
                            want[want32++] = (uint16_t)r;
                    size_t n32 = floe_k_filter_i32_scalar(got, v32, val, (floe_k_cmp)op, c32,
                                                          NULL, count);
                    EXPECT_SAME(n32, got, want32, want);
                    for (int isa = 1; isa < FLOE_K_ISA_COUNT; isa++) {
                        const floe_k_dispatch *fns;
                        if (floe_k_dispatch_for((floe_k_isa)isa, &fns) != FLOE_OK) continue;
                        static uint16_t reference[N];
                        size_t rn = floe_k_filter_i64_scalar(reference, v64, val, (floe_k_cmp)op,
                                                             c, NULL, count);
                        n = fns->filter_i64(got, v64, val, (floe_k_cmp)op, c, NULL, count);
                        EXPECT_SAME(n, got, rn, reference);
                        rn = floe_k_filter_i32_scalar(reference, v32, val, (floe_k_cmp)op, c32,
                                                      NULL, count);
                        n = fns->filter_i32(got, v32, val, (floe_k_cmp)op, c32, NULL, count);
                        EXPECT_SAME(n, got, rn, reference);
                        /* Refining a parent selection in place. */
                        size_t parent_n = 0;
                        for (size_t r = 0; r < count; r++)
                            if (next_random() & 1) parent[parent_n++] = (uint16_t)r;
                        memcpy(refined, parent, parent_n * sizeof(uint16_t));
                        rn = floe_k_filter_i64_scalar(reference, v64, val, (floe_k_cmp)op, c,
                                                      parent, parent_n);
                        n = fns->filter_i64(refined, v64, val, (floe_k_cmp)op, c, refined,
                                            parent_n);
                        EXPECT_SAME(n, refined, rn, reference);
                    }
                }
            }
        }
    }
}
END_TEST

START_TEST(floats_every_variant)
{
    static double v64[N];
    static float v32[N];
    static uint64_t validity[N / 64];
    static uint16_t want[N], got[N], reference[N];
    const double specials[] = {NAN, -0.0, 0.0, INFINITY, -INFINITY, 1.5};
    for (size_t i = 0; i < N; i++) {
        v64[i] = next_random() % 4 == 0 ? specials[next_random() % 6]
                                        : (double)((int64_t)(next_random() % 7) - 3) / 2;
        v32[i] = (float)v64[i];
    }
    for (size_t w = 0; w < N / 64; w++) validity[w] = next_random() | next_random();
    for (size_t k = 0; k < 6; k++) {
        double c = specials[k];
        for (int op = 0; op <= FLOE_K_CMP_GE; op++) {
            for (size_t ci = 0; ci < sizeof counts / sizeof counts[0]; ci++) {
                size_t count = counts[ci];
                size_t want_n = 0;
                for (size_t r = 0; r < count; r++) {
                    double x = v64[r];
                    int pass = op == FLOE_K_CMP_EQ   ? x == c
                               : op == FLOE_K_CMP_NE ? x != c
                               : op == FLOE_K_CMP_LT ? x < c
                               : op == FLOE_K_CMP_LE ? x <= c
                               : op == FLOE_K_CMP_GT ? x > c
                                                     : x >= c;
                    if (pass && valid(validity, r)) want[want_n++] = (uint16_t)r;
                }
                size_t n = floe_k_filter_f64_scalar(got, v64, validity, (floe_k_cmp)op, c, NULL,
                                                    count);
                EXPECT_SAME(n, got, want_n, want);
                for (int isa = 1; isa < FLOE_K_ISA_COUNT; isa++) {
                    const floe_k_dispatch *fns;
                    if (floe_k_dispatch_for((floe_k_isa)isa, &fns) != FLOE_OK) continue;
                    n = fns->filter_f64(got, v64, validity, (floe_k_cmp)op, c, NULL, count);
                    EXPECT_SAME(n, got, want_n, want);
                    size_t rn = floe_k_filter_f32_scalar(reference, v32, validity, (floe_k_cmp)op,
                                                         (float)c, NULL, count);
                    n = fns->filter_f32(got, v32, validity, (floe_k_cmp)op, (float)c, NULL,
                                        count);
                    EXPECT_SAME(n, got, rn, reference);
                }
            }
        }
    }
}
END_TEST

START_TEST(other_types_and_columns)
{
    uint16_t out[16];
    floe_int128 wide[4] = {1, -((floe_int128)1 << 100), (floe_int128)1 << 100, 1};
    uint64_t validity[1] = {0x7};
    ck_assert_uint_eq(floe_k_filter_i128(out, wide, validity, FLOE_K_CMP_EQ, 1, NULL, 4), 1);
    ck_assert_uint_eq(out[0], 0);
    ck_assert_uint_eq(floe_k_filter_i128(out, wide, NULL, FLOE_K_CMP_LT, 2, NULL, 4), 3);
    ck_assert_uint_eq(out[1], 1);
    uint8_t flags[3] = {1, 0, 1};
    ck_assert_uint_eq(floe_k_filter_bool(out, flags, NULL, FLOE_K_CMP_EQ, 1, NULL, 3), 2);
    ck_assert_uint_eq(floe_k_filter_bool(out, flags, NULL, FLOE_K_CMP_LT, 1, NULL, 3), 1);
    ck_assert_uint_eq(out[0], 1);
    /* Strings: "", "a", "a\0", "ab", "b"; NULL row 5. */
    const unsigned char heap[] = {'a', 0, 'b'};
    floe_string_ref refs[6] = {{0, 0}, {0, 1}, {0, 2}, {3, 0}, {2, 1}, {0, 1}};
    uint64_t svalid[1] = {0x1F};
    ck_assert_uint_eq(floe_k_filter_string(out, refs, heap, svalid, FLOE_K_CMP_GT, "a", 1, NULL,
                                           6),
                      2); /* "a\0" and "b" */
    ck_assert_uint_eq(out[0], 2);
    ck_assert_uint_eq(out[1], 4);
    ck_assert_uint_eq(floe_k_filter_string(out, refs, heap, svalid, FLOE_K_CMP_EQ, "a\0", 2, NULL,
                                           6),
                      1);
    ck_assert_uint_eq(floe_k_filter_string(out, refs, heap, svalid, FLOE_K_CMP_LE, "", 0, NULL,
                                           6),
                      2); /* rows 0 and 3 are empty */
    /* Column vs column, NULL on either side fails. */
    int64_t a[4] = {1, 2, 3, 4}, b[4] = {1, 3, 2, 4};
    uint64_t bvalid[1] = {0x7};
    floe_k_filter_column left = {a, NULL, NULL}, right = {b, bvalid, NULL};
    ck_assert_uint_eq(floe_k_filter_columns(out, FLOE_K_FILTER_I64, &left, FLOE_K_CMP_EQ, &right,
                                            NULL, 4),
                      1);
    ck_assert_uint_eq(floe_k_filter_columns(out, FLOE_K_FILTER_I64, &left, FLOE_K_CMP_NE, &right,
                                            NULL, 4),
                      2);
    double x[2] = {NAN, 1}, y[2] = {NAN, 1};
    floe_k_filter_column dl = {x, NULL, NULL}, dr = {y, NULL, NULL};
    ck_assert_uint_eq(floe_k_filter_columns(out, FLOE_K_FILTER_F64, &dl, FLOE_K_CMP_EQ, &dr, NULL,
                                            2),
                      1);
    floe_k_filter_column sl = {refs, svalid, heap}, sr = {refs + 1, NULL, heap};
    ck_assert_uint_eq(floe_k_filter_columns(out, FLOE_K_FILTER_STRING, &sl, FLOE_K_CMP_LT, &sr,
                                            NULL, 5),
                      3); /* ""<"a", "a"<"a\0", "a\0"<"", no, ""<"b", "b"<"a" no */
    /* IS NULL / IS NOT NULL, with and without a selection. */
    ck_assert_uint_eq(floe_k_filter_is_null(out, svalid, 1, NULL, 6), 1);
    ck_assert_uint_eq(out[0], 5);
    ck_assert_uint_eq(floe_k_filter_is_null(out, NULL, 1, NULL, 6), 0);
    uint16_t sel[3] = {1, 4, 5};
    ck_assert_uint_eq(floe_k_filter_is_null(out, svalid, 0, sel, 3), 2);
}
END_TEST

START_TEST(selection_algebra)
{
    static uint16_t a[N], b[N], out[2 * N], check[2 * N];
    for (int trial = 0; trial < 50; trial++) {
        size_t na = 0, nb = 0, rows = (size_t)(next_random() % N);
        for (size_t r = 0; r < rows; r++) {
            if (next_random() % 3 == 0) a[na++] = (uint16_t)r;
            if (next_random() % 2 == 0) b[nb++] = (uint16_t)r;
        }
        static uint8_t in_a[N], in_b[N];
        memset(in_a, 0, sizeof in_a);
        memset(in_b, 0, sizeof in_b);
        for (size_t i = 0; i < na; i++) in_a[a[i]] = 1;
        for (size_t i = 0; i < nb; i++) in_b[b[i]] = 1;
        size_t n = floe_k_selection_and(out, a, na, b, nb), m = 0;
        for (size_t r = 0; r < rows; r++)
            if (in_a[r] && in_b[r]) check[m++] = (uint16_t)r;
        EXPECT_SAME(n, out, m, check);
        n = floe_k_selection_or(out, a, na, b, nb);
        m = 0;
        for (size_t r = 0; r < rows; r++)
            if (in_a[r] || in_b[r]) check[m++] = (uint16_t)r;
        EXPECT_SAME(n, out, m, check);
        n = floe_k_selection_not(out, a, na, NULL, 0, rows);
        m = 0;
        for (size_t r = 0; r < rows; r++)
            if (!in_a[r]) check[m++] = (uint16_t)r;
        EXPECT_SAME(n, out, m, check);
        /* NOT within parent b: rows of b not in (a AND b). */
        static uint16_t child[N];
        size_t nc = floe_k_selection_and(child, a, na, b, nb);
        n = floe_k_selection_not(out, child, nc, b, nb, rows);
        m = 0;
        for (size_t r = 0; r < rows; r++)
            if (in_b[r] && !in_a[r]) check[m++] = (uint16_t)r;
        EXPECT_SAME(n, out, m, check);
    }
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("filter");
    TCase *cases = tcase_create("filter");
    tcase_set_timeout(cases, 300);
    tcase_add_test(cases, integers_every_variant);
    tcase_add_test(cases, floats_every_variant);
    tcase_add_test(cases, other_types_and_columns);
    tcase_add_test(cases, selection_algebra);
    suite_add_tcase(suite, cases);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
