/*
 * bench_kernels_unpack.c — throughput of the bit-unpacking and hashing kernels, scalar reference
 * against the SIMD variant this machine runs (AVX2 on x86-64, NEON on aarch64).
 *
 * Each measurement calls the kernel on batch-sized inputs (2048 values, as the Parquet decoder
 * will) cycling through 64 batches (a few hundred KiB: the caches' working set, not DRAM) for
 * about `--seconds` (default 0.1) per line. Prints one line per kernel and width with values/s,
 * GB/s of output (uint32 for unpacking, uint64 hashes for hashing) and SIMD/scalar, and as its
 * last line one JSON object with every figure.
 *
 * Usage: bench_kernels_unpack [--seconds S]
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "kernels/bitunpack.h"
#include "kernels/dispatch.h"
#include "kernels/hash.h"
#include "kernels/status.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { BATCH = 2048, BATCHES = 64 };

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

/* Returns values per second of unpacking at `width` with `table`. */
static double time_unpack(const floe_k_dispatch *table, const uint8_t *packed, unsigned width,
                          uint32_t *out)
{
    size_t batch_bytes = floe_k_unpack32_bytes(BATCH, width);
    uint64_t values = 0, checksum = 0;
    double start = now_seconds(), elapsed;
    do {
        for (int round = 0; round < 16; round++)
            for (size_t b = 0; b < BATCHES; b++) {
                table->unpack32(out, packed + b * batch_bytes, batch_bytes, BATCH, width);
                checksum += out[b % BATCH];
                values += BATCH;
            }
        elapsed = now_seconds() - start;
    } while (elapsed < target_seconds);
    sink = checksum;
    return (double)values / elapsed;
}

typedef enum hash_kind { HASH_I64, HASH_STRING } hash_kind;

static double time_hash(const floe_k_dispatch *table, hash_kind kind, const int64_t *keys,
                        const floe_string_ref *refs, const unsigned char *heap, uint64_t *hashes)
{
    uint64_t values = 0, checksum = 0;
    double start = now_seconds(), elapsed;
    do {
        for (int round = 0; round < 16; round++)
            for (size_t b = 0; b < BATCHES; b++) {
                if (kind == HASH_I64)
                    table->hash_i64(hashes, keys + b * BATCH, NULL, NULL, BATCH, 0, false);
                else
                    table->hash_string(hashes, refs + b * BATCH, heap, NULL, NULL, BATCH, 0,
                                       false);
                checksum += hashes[b % BATCH];
                values += BATCH;
            }
        elapsed = now_seconds() - start;
    } while (elapsed < target_seconds);
    sink = checksum;
    return (double)values / elapsed;
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

    static uint8_t packed[BATCHES * BATCH * 4];
    static uint32_t out[BATCH];
    for (size_t i = 0; i < sizeof packed; i++) packed[i] = (uint8_t)next_random();

    char line[256];
    printf("kernels: %s\n", floe_k_dispatch_describe(line, sizeof line));
    printf("%-22s %14s %10s %14s %10s %8s\n", "kernel", "scalar val/s", "GB/s", "simd val/s",
           "GB/s", "ratio");
    static const unsigned widths[] = {1, 2, 3, 5, 8, 12, 17, 20, 32};
    enum { WIDTHS = sizeof widths / sizeof widths[0] };
    double unpack_scalar[WIDTHS], unpack_simd[WIDTHS];
    for (size_t w = 0; w < WIDTHS; w++) {
        unpack_scalar[w] = time_unpack(scalar, packed, widths[w], out);
        unpack_simd[w] = time_unpack(simd, packed, widths[w], out);
        char name[32];
        snprintf(name, sizeof name, "unpack32 w=%u", widths[w]);
        printf("%-22s %14.3e %10.2f %14.3e %10.2f %8.2f\n", name, unpack_scalar[w],
               unpack_scalar[w] * 4 / 1e9, unpack_simd[w], unpack_simd[w] * 4 / 1e9,
               unpack_simd[w] / unpack_scalar[w]);
    }

    static int64_t keys[BATCHES * BATCH];
    static floe_string_ref refs[BATCHES * BATCH];
    static unsigned char heap[BATCHES * BATCH * 16];
    static uint64_t hashes[BATCH];
    size_t heap_used = 0;
    for (size_t i = 0; i < BATCHES * BATCH; i++) {
        keys[i] = (int64_t)next_random();
        uint32_t length = 4 + (uint32_t)(next_random() % 13); /* 4..16 bytes: codes, names */
        for (uint32_t b = 0; b < length; b++) heap[heap_used + b] = (unsigned char)next_random();
        refs[i] = (floe_string_ref){(uint32_t)heap_used, length};
        heap_used += length;
    }
    double hash_i64_scalar = time_hash(scalar, HASH_I64, keys, refs, heap, hashes);
    double hash_i64_simd = time_hash(simd, HASH_I64, keys, refs, heap, hashes);
    double hash_string_scalar = time_hash(scalar, HASH_STRING, keys, refs, heap, hashes);
    double hash_string_simd = time_hash(simd, HASH_STRING, keys, refs, heap, hashes);
    printf("%-22s %14.3e %10.2f %14.3e %10.2f %8.2f\n", "hash i64", hash_i64_scalar,
           hash_i64_scalar * 8 / 1e9, hash_i64_simd, hash_i64_simd * 8 / 1e9,
           hash_i64_simd / hash_i64_scalar);
    printf("%-22s %14.3e %10.2f %14.3e %10.2f %8.2f\n", "hash string 4-16B", hash_string_scalar,
           hash_string_scalar * 8 / 1e9, hash_string_simd, hash_string_simd * 8 / 1e9,
           hash_string_simd / hash_string_scalar);

    printf("{\"bench\":\"kernels_unpack\",\"simd\":\"%s\",\"seconds_per_line\":%g,\"unpack32\":[",
           simd->name, target_seconds);
    for (size_t w = 0; w < WIDTHS; w++)
        printf("%s{\"width\":%u,\"scalar_values_per_s\":%.4e,\"simd_values_per_s\":%.4e,"
               "\"ratio\":%.3f}",
               w > 0 ? "," : "", widths[w], unpack_scalar[w], unpack_simd[w],
               unpack_simd[w] / unpack_scalar[w]);
    printf("],\"hash_i64\":{\"scalar_values_per_s\":%.4e,\"simd_values_per_s\":%.4e,"
           "\"ratio\":%.3f},",
           hash_i64_scalar, hash_i64_simd, hash_i64_simd / hash_i64_scalar);
    printf("\"hash_string\":{\"scalar_values_per_s\":%.4e,\"simd_values_per_s\":%.4e,"
           "\"ratio\":%.3f}}\n",
           hash_string_scalar, hash_string_simd, hash_string_simd / hash_string_scalar);
    return 0;
}
