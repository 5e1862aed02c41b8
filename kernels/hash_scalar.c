/*
 * hash_scalar.c — the reference hash kernels: XXH3-64 of each key's little-endian bytes.
 *
 * Why XXH3 and not a home-made mixer: its output is specified and frozen, so hashes persisted
 * with keyed state stay valid on every machine, and the tests can check every variant against
 * an independent implementation (libxxhash itself). For a constant length the compiler folds
 * XXH3's length dispatch away, leaving for 8-byte keys two multiplies and a few shifts.
 *
 * Floe runs only on little-endian targets (x86-64, aarch64), so a key's memory is its
 * little-endian encoding.
 */
#define XXH_INLINE_ALL
#include <xxhash.h> /* XXH3_64bits_withSeed, header-only */

#include "hash.h"

#include <string.h>

static inline bool row_is_null(const uint64_t *validity, size_t row)
{
    return validity != NULL && !((validity[row >> 6] >> (row & 63)) & 1);
}

uint64_t floe_k_hash_i32_value(int32_t value, uint64_t seed)
{
    return XXH3_64bits_withSeed(&value, sizeof value, seed);
}

uint64_t floe_k_hash_i64_value(int64_t value, uint64_t seed)
{
    return XXH3_64bits_withSeed(&value, sizeof value, seed);
}

uint64_t floe_k_hash_i128_value(floe_int128 value, uint64_t seed)
{
    return XXH3_64bits_withSeed(&value, sizeof value, seed);
}

uint64_t floe_k_hash_bytes_value(const void *bytes, size_t length, uint64_t seed)
{
    return XXH3_64bits_withSeed(bytes, length, seed);
}

/* One loop shape for every fixed-width key: the common case (all rows, no NULLs, one seed) is
 * split out so the compiler sees a plain streaming loop. */
#define FLOE_HASH_FIXED_LOOP(values, hash_value)                                               \
    do {                                                                                       \
        if (selection == NULL && validity == NULL && !combine) {                               \
            for (size_t i = 0; i < count; i++) hashes[i] = hash_value(values[i], seed);        \
            return;                                                                            \
        }                                                                                      \
        for (size_t i = 0; i < count; i++) {                                                   \
            size_t row = selection != NULL ? selection[i] : i;                                 \
            uint64_t row_seed = combine ? hashes[row] : seed;                                  \
            hashes[row] = row_is_null(validity, row) ? floe_k_hash_null(row_seed)              \
                                                     : hash_value(values[row], row_seed);      \
        }                                                                                      \
    } while (0)

static inline uint64_t hash_i32(int32_t value, uint64_t seed)
{
    return XXH3_64bits_withSeed(&value, sizeof value, seed);
}

static inline uint64_t hash_i64(int64_t value, uint64_t seed)
{
    return XXH3_64bits_withSeed(&value, sizeof value, seed);
}

static inline uint64_t hash_i128(floe_int128 value, uint64_t seed)
{
    return XXH3_64bits_withSeed(&value, sizeof value, seed);
}

/* An empty string may sit in an empty (even NULL) heap: form no pointer for it. */
static inline uint64_t hash_string(const unsigned char *heap, floe_string_ref ref, uint64_t seed)
{
    return XXH3_64bits_withSeed(ref.length > 0 ? heap + ref.offset : NULL, ref.length, seed);
}

void floe_k_hash_i32_scalar(uint64_t *hashes, const int32_t *values, const uint64_t *validity,
                            const uint16_t *selection, size_t count, uint64_t seed, bool combine)
{
    FLOE_HASH_FIXED_LOOP(values, hash_i32);
}

void floe_k_hash_i64_scalar(uint64_t *hashes, const int64_t *values, const uint64_t *validity,
                            const uint16_t *selection, size_t count, uint64_t seed, bool combine)
{
    FLOE_HASH_FIXED_LOOP(values, hash_i64);
}

void floe_k_hash_i128_scalar(uint64_t *hashes, const floe_int128 *values,
                             const uint64_t *validity, const uint16_t *selection, size_t count,
                             uint64_t seed, bool combine)
{
    FLOE_HASH_FIXED_LOOP(values, hash_i128);
}

void floe_k_hash_string_scalar(uint64_t *hashes, const floe_string_ref *refs,
                               const unsigned char *heap, const uint64_t *validity,
                               const uint16_t *selection, size_t count, uint64_t seed,
                               bool combine)
{
    for (size_t i = 0; i < count; i++) {
        size_t row = selection != NULL ? selection[i] : i;
        uint64_t row_seed = combine ? hashes[row] : seed;
        hashes[row] = row_is_null(validity, row)
                          ? floe_k_hash_null(row_seed)
                          : hash_string(heap, refs[row], row_seed);
    }
}
