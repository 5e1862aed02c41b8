/*
 * bench_decode.c — throughput of the Parquet decoding kernels
 * (kernels/decode.h), the scalar reference against the SIMD variant this
 * machine runs (AVX2 on x86-64, NEON on aarch64).
 *
 * Each measurement calls the kernel on batch-sized inputs (2048 values, a
 * page's worth of rows per call as the column reader makes them) cycling
 * through 16 batches of input, for about
 * `--seconds` (default 0.1) per line and per variant. Prints one line per
 * kernel with values/s, GB/s (bytes of values produced: 4 or 8 per value;
 * levels: 4 bytes read per level) for scalar and SIMD, and SIMD/scalar; the
 * last line is one JSON object with every figure.
 *
 * Dictionaries: 1024 entries (fits L1, the common case for low-cardinality
 * columns) and 65536 (256 / 512 KiB: L2), codes uniformly random. Spread and
 * levels: 50 % NULLs at random. Delta: random 0..2^16 deltas.
 *
 * Usage: bench_decode [--seconds S]
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "kernels/decode.h"
#include "kernels/dispatch.h"
#include "kernels/status.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { BATCH = 2048, BATCHES = 16 };

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
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

static double target_seconds = 0.1;
static volatile uint64_t sink; /* keeps results observable */

typedef enum kernel {
    GATHER32_SMALL,
    GATHER32_LARGE,
    GATHER64_SMALL,
    GATHER64_LARGE,
    MAX32,
    SPLIT4,
    SPLIT8,
    LEVELS,
    SPREAD32,
    SPREAD64,
    DELTA32,
    DELTA64,
    KERNELS
} kernel;

static const struct {
    const char *name; /* for the table and the JSON */
    unsigned bytes;   /* per value, for GB/s */
} kernels[KERNELS] = {
    [GATHER32_SMALL] = {"gather_u32_dict1024", 4},
    [GATHER32_LARGE] = {"gather_u32_dict65536", 4},
    [GATHER64_SMALL] = {"gather_u64_dict1024", 8},
    [GATHER64_LARGE] = {"gather_u64_dict65536", 8},
    [MAX32] = {"max_u32", 4},
    [SPLIT4] = {"byte_stream_split_w4", 4},
    [SPLIT8] = {"byte_stream_split_w8", 8},
    [LEVELS] = {"levels_to_validity", 4},
    [SPREAD32] = {"spread_u32_50pct_null", 4},
    [SPREAD64] = {"spread_u64_50pct_null", 8},
    [DELTA32] = {"delta_prefix_u32", 4},
    [DELTA64] = {"delta_prefix_u64", 8},
};

static struct inputs {
    uint32_t dict32[65536];
    uint64_t dict64[65536];
    uint32_t codes_small[BATCHES][BATCH], codes_large[BATCHES][BATCH];
    uint8_t split[BATCHES][BATCH * 8];
    uint32_t levels[BATCHES][BATCH];
    uint64_t validity[BATCHES][BATCH / 64];
    uint32_t dense32[BATCHES][BATCH];
    uint64_t dense64[BATCHES][BATCH];
    uint32_t deltas32[BATCHES][BATCH];
    uint64_t deltas64[BATCHES][BATCH];
    uint64_t out[BATCH];
    uint64_t bits[BATCH / 64];
} in;

static uint64_t run_once(const floe_k_dispatch *t, kernel k, size_t b)
{
    uint32_t *out32 = (uint32_t *)(void *)in.out;
    switch (k) {
    case GATHER32_SMALL:
        t->dictionary_gather_u32(out32, in.dict32, in.codes_small[b], BATCH);
        break;
    case GATHER32_LARGE:
        t->dictionary_gather_u32(out32, in.dict32, in.codes_large[b], BATCH);
        break;
    case GATHER64_SMALL:
        t->dictionary_gather_u64(in.out, in.dict64, in.codes_small[b], BATCH);
        break;
    case GATHER64_LARGE:
        t->dictionary_gather_u64(in.out, in.dict64, in.codes_large[b], BATCH);
        break;
    case MAX32: return t->max_u32(in.codes_large[b], BATCH);
    case SPLIT4: t->byte_stream_split(in.out, in.split[b], BATCH, 4); break;
    case SPLIT8: t->byte_stream_split(in.out, in.split[b], BATCH, 8); break;
    case LEVELS: return t->levels_to_validity(in.bits, 0, in.levels[b], BATCH, 1);
    case SPREAD32: return t->spread_u32(out32, in.dense32[b], in.validity[b], 0, BATCH);
    case SPREAD64: return t->spread_u64(in.out, in.dense64[b], in.validity[b], 0, BATCH);
    case DELTA32: return t->delta_prefix_u32(out32, in.deltas32[b], BATCH, 3, (uint32_t)b);
    case DELTA64: return t->delta_prefix_u64(in.out, in.deltas64[b], BATCH, 3, b);
    default: break;
    }
    return in.out[b % (BATCH / 2)];
}

/* Values per second of kernel k with table t. */
static double time_kernel(const floe_k_dispatch *t, kernel k)
{
    uint64_t values = 0, checksum = 0;
    double start = now_seconds(), elapsed;
    do {
        for (int round = 0; round < 8; round++)
            for (size_t b = 0; b < BATCHES; b++) {
                checksum += run_once(t, k, b);
                values += BATCH;
            }
        elapsed = now_seconds() - start;
    } while (elapsed < target_seconds);
    sink = checksum;
    return (double)values / elapsed;
}

static void prepare_inputs(void)
{
    for (size_t i = 0; i < 65536; i++) {
        in.dict32[i] = (uint32_t)next_random();
        in.dict64[i] = next_random();
    }
    for (size_t b = 0; b < BATCHES; b++) {
        memset(in.validity[b], 0, sizeof in.validity[b]);
        for (size_t i = 0; i < BATCH; i++) {
            uint64_t r = next_random();
            in.codes_small[b][i] = (uint32_t)(r % 1024);
            in.codes_large[b][i] = (uint32_t)((r >> 10) % 65536);
            in.levels[b][i] = (uint32_t)(r >> 40) & 1;
            if (in.levels[b][i]) {
                in.validity[b][i / 64] |= (uint64_t)1 << (i % 64);
            }
            in.dense32[b][i] = (uint32_t)r;
            in.dense64[b][i] = r;
            in.deltas32[b][i] = (uint32_t)(r >> 48);
            in.deltas64[b][i] = r >> 48;
        }
        for (size_t i = 0; i < sizeof in.split[b]; i++) in.split[b][i] = (uint8_t)next_random();
    }
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
            target_seconds = atof(argv[++i]);
        } else {
            fprintf(stderr, "usage: %s [--seconds S]\n", argv[0]);
            return 2;
        }
    }
    const floe_k_dispatch *scalar, *simd = NULL;
    floe_k_dispatch_for(FLOE_K_ISA_SCALAR, &scalar);
    if (floe_k_dispatch_for(FLOE_K_ISA_AVX2, &simd) != FLOE_OK &&
        floe_k_dispatch_for(FLOE_K_ISA_NEON, &simd) != FLOE_OK)
        simd = scalar; /* no SIMD here: the ratio will read 1 */
    prepare_inputs();

    char line[256];
    printf("kernels: %s\n", floe_k_dispatch_describe(line, sizeof line));
    printf("%-24s %14s %8s %14s %8s %7s\n", "kernel", "scalar val/s", "GB/s", "simd val/s", "GB/s",
           "ratio");
    double scalar_rate[KERNELS], simd_rate[KERNELS];
    for (int k = 0; k < KERNELS; k++) {
        scalar_rate[k] = time_kernel(scalar, (kernel)k);
        simd_rate[k] = time_kernel(simd, (kernel)k);
        double bytes = kernels[k].bytes;
        printf("%-24s %14.3e %8.2f %14.3e %8.2f %7.2f\n", kernels[k].name, scalar_rate[k],
               scalar_rate[k] * bytes / 1e9, simd_rate[k], simd_rate[k] * bytes / 1e9,
               simd_rate[k] / scalar_rate[k]);
    }
    printf("{\"bench\":\"decode\",\"simd\":\"%s\",\"seconds_per_line\":%g,"
           "\"batch\":%d",
           simd->name, target_seconds, BATCH);
    for (int k = 0; k < KERNELS; k++)
        printf(",\"%s\":{\"scalar_values_per_s\":%.4e,\"simd_values_per_s\":%.4e,"
               "\"scalar_gb_per_s\":%.3f,\"simd_gb_per_s\":%.3f,\"ratio\":%.3f}",
               kernels[k].name, scalar_rate[k], simd_rate[k],
               scalar_rate[k] * kernels[k].bytes / 1e9, simd_rate[k] * kernels[k].bytes / 1e9,
               simd_rate[k] / scalar_rate[k]);
    printf("}\n");
    return 0;
}
