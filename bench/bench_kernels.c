/*
 * bench_kernels.c — single-core throughput of the hash-aggregation, join-probe and filter kernels,
 * scalar reference against the SIMD variant this machine runs, side by side with a plain C loop
 * (the ceiling for a tiny group count) and, when bench/run-kernels.sh passes its figures, DuckDB's
 * GROUP BY over the same row and group counts.
 *
 *   group-by SUM   int64 keys drawn uniformly from G groups, double values, batches of 2048:
 *                  the group-by path, floe_k_ht_find_or_insert_sum_f64 (hashtable.h: find-or-
 *                  insert and SUM/COUNT in one call); G = 1,000, 1M, 50M (capped at the row
 *                  count); rows/s. Every run's sums and counts are checked, group by group and
 *                  bit for bit, against a plain per-key loop over the same rows. The table is
 *                  created with the group count as its hint (as the engine sizes it from the
 *                  state it loads) and gets hashes == NULL: it mixes int64 keys itself and
 *                  computes the persisted XXH3 hash (hash.h) only for the keys it inserts.
 *                  "two calls" is the same work as find-or-insert then floe_k_agg_sum_f64
 *                  (aggregate.h), for callers with several aggregates per group. "with hash
 *                  pass" repeats the 1k case with the caller's XXH3 pass over every row first
 *                  (hash_i64), the path of a caller that needs per-row hashes anyway (e.g. to
 *                  bucket state).
 *   ceiling        sum[key % 1000] += v over the same rows.
 *   join probe     1M distinct build keys; probe keys uniform over 2M (half match); rows/s of
 *                  lookup (hashes == NULL, as above) + emitting pairs; the pair count is
 *                  checked.
 *   filter         x < c on int64 (half pass), batches of 2048 cycling through 64 batches (in
 *                  cache: the kernel, not DRAM); rows/s.
 *
 * Time is this thread's CPU time (CLOCK_THREAD_CPUTIME_ID), not wall time: the benchmark runs on
 * machines shared with builds, and CPU time does not count the time another process held the
 * core (it still pays for caches that process evicted).
 *
 * Usage: bench_kernels [--rows N] [--duckdb-1k R] [--duckdb-1m R] [--duckdb-50m R]
 * Prints one line per measurement and, as its last line, one JSON object with every figure; a
 * group-by result that differs from the reference stops it with exit status 1.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "kernels/aggregate.h"
#include "kernels/dispatch.h"
#include "kernels/filter.h"
#include "kernels/hash.h"
#include "kernels/hashtable.h"
#include "kernels/join.h"
#include "kernels/status.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { BATCH = 2048 };

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;

static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static volatile double sink;

/* The fused group-by SUM of a dispatch table's ISA (dispatch.h has no entry for it yet). */
static floe_k_ht_find_or_insert_sum_f64_fn fused_sum_of(const floe_k_dispatch *fns)
{
    switch (fns->isa) {
#if defined(__x86_64__)
    case FLOE_K_ISA_AVX2: return floe_k_ht_find_or_insert_sum_f64_avx2;
#endif
#if defined(__aarch64__)
    case FLOE_K_ISA_NEON: return floe_k_ht_find_or_insert_sum_f64_neon;
#endif
    default: return floe_k_ht_find_or_insert_sum_f64_scalar;
    }
}

/* The reference: SUM(v) and COUNT(v) per key (keys are 0..groups-1) in row order, which is the
 * order the kernels add in, so their sums must match bit for bit. */
typedef struct reference {
    double *sums;
    int64_t *counts;
} reference;

static void reference_compute(reference *ref, const int64_t *keys, const double *values,
                              size_t rows, size_t groups)
{
    ref->sums = calloc(groups, sizeof *ref->sums);
    ref->counts = calloc(groups, sizeof *ref->counts);
    if (ref->sums == NULL || ref->counts == NULL) {
        fprintf(stderr, "bench_kernels: cannot allocate the reference for %zu groups\n", groups);
        exit(1);
    }
    for (size_t i = 0; i < rows; i++) {
        ref->sums[keys[i]] += values[i];
        ref->counts[keys[i]] += 1;
    }
}

static void reference_check(const reference *ref, const floe_k_hashtable *table,
                            const double *sums, const int64_t *counts, size_t groups,
                            const char *what)
{
    uint32_t found = floe_k_ht_group_count(table);
    if (found != groups) {
        fprintf(stderr, "bench_kernels: %s: %u groups, expected %zu\n", what, found, groups);
        exit(1);
    }
    for (uint32_t group = 0; group < found; group++) {
        int64_t key = floe_k_ht_key_i64(table, group);
        if (key < 0 || (size_t)key >= groups || sums[group] != ref->sums[key] ||
            counts[group] != ref->counts[key]) {
            fprintf(stderr, "bench_kernels: %s: group %u (key %lld) differs from the reference\n",
                    what, group, (long long)key);
            exit(1);
        }
    }
}

/* Group-by SUM(v) over rows, checked against the reference; returns rows/s. two_calls: probe,
 * then floe_k_agg_sum_f64, instead of the fused call. */
static double group_by(const floe_k_dispatch *fns, const int64_t *keys, const double *values,
                       size_t rows, size_t groups, bool hash_pass, bool two_calls,
                       const reference *ref)
{
    floe_k_hashtable *table;
    floe_error err;
    if (floe_k_ht_create(FLOE_K_KEY_I64, groups, &table, &err) < 0) {
        fprintf(stderr, "bench_kernels: %s\n", err.message);
        exit(1);
    }
    /* Room for every id a call can hand out (hashtable.h): groups + one batch. */
    double *sums = calloc(groups + BATCH, sizeof *sums);
    int64_t *counts = calloc(groups + BATCH, sizeof *counts);
    if (sums == NULL || counts == NULL) {
        fprintf(stderr, "bench_kernels: cannot allocate accumulators for %zu groups\n", groups);
        exit(1);
    }
    floe_k_ht_find_or_insert_sum_f64_fn fused = fused_sum_of(fns);
    uint64_t hashes[BATCH];
    uint32_t ids[BATCH];
    double start = now_seconds();
    for (size_t base = 0; base < rows; base += BATCH) {
        size_t count = rows - base < BATCH ? rows - base : BATCH;
        floe_k_keys view = {FLOE_K_KEY_I64, keys + base, NULL, NULL};
        if (hash_pass) fns->hash_i64(hashes, keys + base, NULL, NULL, count, 0, false);
        int status;
        if (two_calls) {
            status = fns->ht_find_or_insert(table, &view, hash_pass ? hashes : NULL, NULL, count,
                                            ids, &err);
            if (status == FLOE_OK)
                floe_k_agg_sum_f64(sums, counts, ids, values + base, NULL, NULL, NULL, count);
        } else {
            status = fused(table, &view, hash_pass ? hashes : NULL, values + base, NULL, NULL,
                           NULL, count, ids, sums, counts, &err);
        }
        if (status < 0) {
            fprintf(stderr, "bench_kernels: %s\n", err.message);
            exit(1);
        }
    }
    double elapsed = now_seconds() - start;
    reference_check(ref, table, sums, counts, groups, fns->name);
    free(sums);
    free(counts);
    floe_k_ht_free(table);
    return (double)rows / elapsed;
}

static double ceiling_loop(const int64_t *keys, const double *values, size_t rows)
{
    static double sums[1000];
    double start = now_seconds();
    for (size_t i = 0; i < rows; i++) sums[(uint64_t)keys[i] % 1000] += values[i];
    double elapsed = now_seconds() - start;
    sink = sums[1];
    return (double)rows / elapsed;
}

static double join_probe(const floe_k_dispatch *fns, size_t probes)
{
    enum { BUILD = 1000000 };
    floe_k_join_table table;
    floe_error err;
    if (floe_k_join_init(&table, FLOE_K_KEY_I64, BUILD, &err) < 0) return -1;
    int64_t keys[BATCH];
    uint64_t hashes[BATCH];
    for (size_t base = 0; base < BUILD; base += BATCH) {
        size_t count = BUILD - base < BATCH ? BUILD - base : BATCH;
        /* Multiples of 4: too sparse for join.h's array index, so the hash probe is timed. */
        for (size_t i = 0; i < count; i++) keys[i] = (int64_t)((base + i) * 4);
        fns->hash_i64(hashes, keys, NULL, NULL, count, 0, false);
        floe_k_keys view = {FLOE_K_KEY_I64, keys, NULL, NULL};
        if (floe_k_join_build(&table, &view, hashes, NULL, count, &err) < 0) return -1;
    }
    if (floe_k_join_build_finish(&table, &err) < 0) return -1;
    /* Probe keys precomputed so the timing is the join's. */
    int64_t *probe_keys = malloc(probes * sizeof *probe_keys);
    size_t expected_matches = 0; /* the probe keys that are multiples of 4 */
    for (size_t i = 0; i < probes; i++) {
        probe_keys[i] = (int64_t)(next_random() % (4 * BUILD));
        expected_matches += probe_keys[i] % 4 == 0;
    }
    floe_k_join_probe probe;
    floe_k_join_probe_init(&probe);
    static uint32_t probe_rows[BATCH], build_rows[BATCH];
    size_t matches = 0;
    double start = now_seconds();
    for (size_t base = 0; base < probes; base += BATCH) {
        size_t count = probes - base < BATCH ? probes - base : BATCH;
        floe_k_keys view = {FLOE_K_KEY_I64, probe_keys + base, NULL, NULL};
        if (floe_k_join_probe_begin_variant(&probe, &table, FLOE_K_JOIN_INNER, &view, NULL, NULL,
                                            count, fns->ht_find, &err) < 0)
            return -1;
        size_t got;
        while ((got = floe_k_join_probe_next(&probe, probe_rows, build_rows, BATCH)) > 0)
            matches += got;
    }
    double elapsed = now_seconds() - start;
    if (matches != expected_matches) {
        fprintf(stderr, "bench_kernels: join probe (%s): %zu matches, expected %zu\n", fns->name,
                matches, expected_matches);
        exit(1);
    }
    floe_k_join_probe_fini(&probe);
    floe_k_join_fini(&table);
    free(probe_keys);
    return (double)probes / elapsed;
}

static double filter_rows(const floe_k_dispatch *fns, size_t rows)
{
    enum { BATCHES = 64 };
    static int64_t values[BATCHES][BATCH];
    static uint16_t out[BATCH];
    for (int b = 0; b < BATCHES; b++)
        for (int i = 0; i < BATCH; i++) values[b][i] = (int64_t)(next_random() % 1000);
    size_t passed = 0;
    double start = now_seconds();
    for (size_t done = 0, b = 0; done < rows; done += BATCH, b = (b + 1) % BATCHES)
        passed += fns->filter_i64(out, values[b], NULL, FLOE_K_CMP_LT, 500, NULL, BATCH);
    double elapsed = now_seconds() - start;
    sink = (double)passed;
    return (double)rows / elapsed;
}

int main(int argc, char **argv)
{
    size_t rows = 100000000;
    double duckdb[3] = {0, 0, 0};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rows") == 0 && i + 1 < argc) {
            rows = strtoull(argv[++i], NULL, 10);
        } else if (strncmp(argv[i], "--duckdb-", 9) == 0 && i + 1 < argc) {
            double value = strtod(argv[i + 1], NULL);
            if (strcmp(argv[i], "--duckdb-1k") == 0) duckdb[0] = value;
            if (strcmp(argv[i], "--duckdb-1m") == 0) duckdb[1] = value;
            if (strcmp(argv[i], "--duckdb-50m") == 0) duckdb[2] = value;
            i++;
        } else {
            fprintf(stderr, "usage: bench_kernels [--rows N] [--duckdb-1k R] [--duckdb-1m R] "
                            "[--duckdb-50m R]\n");
            return 2;
        }
    }
    if (rows < BATCH) rows = BATCH;
    const floe_k_dispatch *scalar, *simd = NULL;
    floe_k_dispatch_for(FLOE_K_ISA_SCALAR, &scalar);
    if (floe_k_dispatch_for(FLOE_K_ISA_AVX2, &simd) != FLOE_OK &&
        floe_k_dispatch_for(FLOE_K_ISA_NEON, &simd) != FLOE_OK)
        simd = scalar;
    printf("bench_kernels: %zu rows, single core, simd = %s\n", rows, simd->name);

    int64_t *keys = malloc(rows * sizeof *keys);
    double *values = malloc(rows * sizeof *values);
    if (keys == NULL || values == NULL) {
        fprintf(stderr, "bench_kernels: cannot allocate %zu rows\n", rows);
        return 1;
    }
    for (size_t i = 0; i < rows; i++) values[i] = (double)(next_random() >> 11) * 0x1.0p-53;

    const size_t group_counts[3] = {1000, 1000000, 50000000};
    const char *labels[3] = {"1k", "1m", "50m"};
    const double targets[3] = {300e6, 60e6, 20e6};
    double scalar_rate[3], simd_rate[3], two_call_rate[3];
    size_t groups_used[3];
    double ceiling = 0, hash_pass_rate = 0;
    for (int g = 0; g < 3; g++) {
        size_t groups = group_counts[g] < rows ? group_counts[g] : rows;
        groups_used[g] = groups;
        /* Every group appears: the first `groups` rows are a shuffled sweep of all keys, the
         * rest uniform. */
        for (size_t i = 0; i < rows; i++)
            keys[i] = (int64_t)(i < groups ? i : next_random() % groups);
        for (size_t i = groups; i > 1; i--) { /* shuffle the sweep */
            size_t j = (size_t)(next_random() % i);
            int64_t t = keys[i - 1];
            keys[i - 1] = keys[j];
            keys[j] = t;
        }
        reference ref;
        reference_compute(&ref, keys, values, rows, groups);
        if (g == 0) ceiling = ceiling_loop(keys, values, rows);
        scalar_rate[g] = group_by(scalar, keys, values, rows, groups, false, false, &ref);
        simd_rate[g] = group_by(simd, keys, values, rows, groups, false, false, &ref);
        two_call_rate[g] = group_by(simd, keys, values, rows, groups, false, true, &ref);
        if (g == 0) hash_pass_rate = group_by(simd, keys, values, rows, groups, true, false, &ref);
        free(ref.sums);
        free(ref.counts);
        printf("group-by SUM %3s groups (%zu): scalar %8.1f M rows/s  %s %8.1f M rows/s  "
               "simd/scalar %.2f  target %.0f M  %s  (two calls %.1f M)",
               labels[g], groups, scalar_rate[g] / 1e6, simd->name, simd_rate[g] / 1e6,
               simd_rate[g] / scalar_rate[g], targets[g] / 1e6,
               simd_rate[g] >= targets[g] ? "met" : "MISSED", two_call_rate[g] / 1e6);
        if (duckdb[g] > 0)
            printf("  duckdb %.1f M rows/s  floe/duckdb %.2f", duckdb[g] / 1e6,
                   simd_rate[g] / duckdb[g]);
        printf("\n");
        if (g == 0) {
            printf("ceiling sum[key %% 1000] += v: %.1f M rows/s  (floe %s at %.0f%% of it)\n",
                   ceiling / 1e6, simd->name, 100 * simd_rate[0] / ceiling);
            printf("group-by SUM  1k groups with the caller's XXH3 hash pass: %s %.1f M rows/s\n",
                   simd->name, hash_pass_rate / 1e6);
        }
    }
    free(keys);
    free(values);

    size_t probes = rows < 50000000 ? rows : 50000000;
    double join_scalar = join_probe(scalar, probes);
    double join_simd = join_probe(simd, probes);
    printf("join probe (1M build keys, %zu probes, half match): scalar %.1f M/s  %s %.1f M/s  "
           "simd/scalar %.2f  target 100 M  %s\n",
           probes, join_scalar / 1e6, simd->name, join_simd / 1e6, join_simd / join_scalar,
           join_simd >= 100e6 ? "met" : "MISSED");
    double filter_scalar = filter_rows(scalar, rows);
    double filter_simd = filter_rows(simd, rows);
    printf("filter int64 x < c (half pass): scalar %.2f G rows/s  %s %.2f G rows/s  simd/scalar "
           "%.2f  target 2 G  %s\n",
           filter_scalar / 1e9, simd->name, filter_simd / 1e9, filter_simd / filter_scalar,
           filter_simd >= 2e9 ? "met" : "MISSED");

    printf("{\"rows\": %zu, \"simd\": \"%s\"", rows, simd->name);
    for (int g = 0; g < 3; g++)
        printf(", \"groupby_%s\": {\"groups\": %zu, \"scalar\": %.0f, \"simd\": %.0f, "
               "\"simd_two_calls\": %.0f, \"duckdb\": %.0f}",
               labels[g], groups_used[g], scalar_rate[g], simd_rate[g], two_call_rate[g],
               duckdb[g]);
    printf(", \"groupby_1k_hash_pass\": %.0f", hash_pass_rate);
    printf(", \"ceiling_1k\": %.0f, \"join_probe\": {\"scalar\": %.0f, \"simd\": %.0f}, "
           "\"filter_i64_lt\": {\"scalar\": %.0f, \"simd\": %.0f}}\n",
           ceiling, join_scalar, join_simd, filter_scalar, filter_simd);
    return 0;
}
