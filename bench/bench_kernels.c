/*
 * bench_kernels.c — single-core throughput of the hash-aggregation, join-probe and filter kernels,
 * scalar reference against the SIMD variant this machine runs, side by side with a plain C loop
 * (the ceiling for a tiny group count) and, when bench/run-kernels.sh passes its figures, DuckDB's
 * GROUP BY over the same row and group counts.
 *
 *   group-by SUM   int64 keys drawn uniformly from G groups, double values, batches of 2048:
 *                  find-or-insert (hashtable.h) -> SUM/COUNT update (aggregate.h); G = 1,000,
 *                  1M, 50M (capped at the row count); rows/s. The table is created with the
 *                  group count as its hint (as the engine sizes it from the state it loads) and
 *                  gets hashes == NULL: it mixes int64 keys itself and computes the persisted
 *                  XXH3 hash (hash.h) only for the keys it inserts. "with hash pass" repeats
 *                  the 1k case with the caller's XXH3 pass over every row first (hash_i64), the
 *                  path of a caller that needs per-row hashes anyway (e.g. to bucket state).
 *   ceiling        sum[key % 1000] += v over the same rows.
 *   join probe     1M distinct build keys; probe keys uniform over 2M (half match); rows/s of
 *                  lookup (hashes == NULL, as above) + emitting pairs.
 *   filter         x < c on int64 (half pass), batches of 2048 cycling through 64 batches (in
 *                  cache: the kernel, not DRAM); rows/s.
 *
 * Time is this thread's CPU time (CLOCK_THREAD_CPUTIME_ID), not wall time: the benchmark runs on
 * machines shared with builds, and CPU time does not count the time another process held the
 * core (it still pays for caches that process evicted).
 *
 * Usage: bench_kernels [--rows N] [--duckdb-1k R] [--duckdb-1m R] [--duckdb-50m R]
 * Prints one line per measurement and, as its last line, one JSON object with every figure.
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

/* Group-by SUM(v) over rows; returns rows/s or a negative status. */
static double group_by(const floe_k_dispatch *fns, const int64_t *keys, const double *values,
                       size_t rows, size_t groups, bool hash_pass)
{
    floe_k_hashtable *table;
    floe_error err;
    if (floe_k_ht_create(FLOE_K_KEY_I64, groups, &table, &err) < 0) return -1;
    double *sums = calloc(groups + 1, sizeof *sums);
    int64_t *counts = calloc(groups + 1, sizeof *counts);
    uint64_t hashes[BATCH];
    uint32_t ids[BATCH];
    double start = now_seconds();
    for (size_t base = 0; base < rows; base += BATCH) {
        size_t count = rows - base < BATCH ? rows - base : BATCH;
        floe_k_keys view = {FLOE_K_KEY_I64, keys + base, NULL, NULL};
        if (hash_pass) fns->hash_i64(hashes, keys + base, NULL, NULL, count, 0, false);
        if (fns->ht_find_or_insert(table, &view, hash_pass ? hashes : NULL, NULL, count, ids,
                                   &err) < 0) {
            fprintf(stderr, "bench_kernels: %s\n", err.message);
            exit(1);
        }
        floe_k_agg_sum_f64(sums, counts, ids, values + base, NULL, NULL, NULL, count);
    }
    double elapsed = now_seconds() - start;
    if (floe_k_ht_group_count(table) != groups)
        fprintf(stderr, "bench_kernels: expected %zu groups, got %u\n", groups,
                floe_k_ht_group_count(table));
    sink = sums[0];
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
        for (size_t i = 0; i < count; i++) keys[i] = (int64_t)((base + i) * 2); /* even keys */
        fns->hash_i64(hashes, keys, NULL, NULL, count, 0, false);
        floe_k_keys view = {FLOE_K_KEY_I64, keys, NULL, NULL};
        if (floe_k_join_build(&table, &view, hashes, NULL, count, &err) < 0) return -1;
    }
    /* Probe keys precomputed so the timing is the join's. */
    int64_t *probe_keys = malloc(probes * sizeof *probe_keys);
    for (size_t i = 0; i < probes; i++) probe_keys[i] = (int64_t)(next_random() % (2 * BUILD));
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
    sink = (double)matches;
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
    double scalar_rate[3], simd_rate[3];
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
        if (g == 0) ceiling = ceiling_loop(keys, values, rows);
        scalar_rate[g] = group_by(scalar, keys, values, rows, groups, false);
        simd_rate[g] = group_by(simd, keys, values, rows, groups, false);
        if (g == 0) hash_pass_rate = group_by(simd, keys, values, rows, groups, true);
        printf("group-by SUM %3s groups (%zu): scalar %8.1f M rows/s  %s %8.1f M rows/s  "
               "simd/scalar %.2f  target %.0f M  %s",
               labels[g], groups, scalar_rate[g] / 1e6, simd->name, simd_rate[g] / 1e6,
               simd_rate[g] / scalar_rate[g], targets[g] / 1e6,
               simd_rate[g] >= targets[g] ? "met" : "MISSED");
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
               "\"duckdb\": %.0f}",
               labels[g], groups_used[g], scalar_rate[g], simd_rate[g], duckdb[g]);
    printf(", \"groupby_1k_hash_pass\": %.0f", hash_pass_rate);
    printf(", \"ceiling_1k\": %.0f, \"join_probe\": {\"scalar\": %.0f, \"simd\": %.0f}, "
           "\"filter_i64_lt\": {\"scalar\": %.0f, \"simd\": %.0f}}\n",
           ceiling, join_scalar, join_simd, filter_scalar, filter_simd);
    return 0;
}
