/*
 * hash.h — column-at-a-time hashing of keys into a uint64_t hashes[] array, for hash
 * aggregation, hash joins and the bucketing of keyed state (DESIGN.md "Keyed state").
 *
 * The hash function is XXH3-64 (xxHash 0.8, whose output is frozen and identical on every
 * platform) of the key's little-endian bytes with a 64-bit seed:
 *   INT32 / DATE / DECIMAL(p<=9 stored as int32)    XXH3_64bits_withSeed(&v, 4, seed)
 *   INT64 / TIMESTAMP(TZ) / DECIMAL(p<=18)          XXH3_64bits_withSeed(&v, 8, seed)
 *   DECIMAL(p>18) (floe_int128)                     XXH3_64bits_withSeed(&v, 16, seed)
 *   STRING / BINARY                                 XXH3_64bits_withSeed(bytes, length, seed)
 *   NULL (any type)                                 floe_k_hash_null(seed) below
 * so anyone holding libxxhash can recompute a Floe hash (the tests do exactly that), and the
 * hashes persisted with keyed state stay valid across machines and ISAs. The scalar variant is
 * the reference; every SIMD variant produces bit-identical hashes.
 *
 * Composite keys: the first column is hashed with a seed ("set" mode); each further column is
 * combined into the existing hashes with the row's current hash as its seed ("combine" mode):
 *   hash(a, b) = H_b(b, seed = H_a(a, seed))
 * so a multi-column hash is a chain of XXH3 calls and each column is one streaming pass.
 *
 * NULL hashes to floe_k_hash_null(seed): the same constant for every NULL under one seed (so NULL
 * keys group together, as GROUP BY requires), and a different value from every non-NULL key with
 * overwhelming probability (it is not the hash of any byte string by construction, but of a
 * separate bijective mixer).
 *
 * Rows: with selection == NULL the kernels hash rows 0..count-1; otherwise only the rows
 * selection[0..count) (row indices, as a batch's selection vector holds), and write hashes[row]
 * for exactly those rows: hashes is indexed by row in both cases and other entries are untouched.
 * validity is a vector.h bitmap (bit row set = value present) or NULL for no NULLs.
 *
 * The kernels cannot fail (no allocation, no input from files): they return nothing. The caller
 * owns every buffer; values, hashes and validity must cover every row touched.
 *
 * Variants: _scalar (reference, XXH3 from libxxhash inline), _avx2 (x86-64: INT32 and INT64 keys
 * four at a time with 64-bit multiplies built from _mm256_mul_epu32; INT128 and strings are the
 * same XXH3 code compiled with AVX2, which XXH3 itself uses for strings longer than 240 bytes).
 * There is no NEON variant: NEON has no 64x64-bit multiply, and emulating the two 64-bit
 * multiplies of XXH3's short-key path two lanes at a time from 32-bit vmull costs more than
 * aarch64's scalar multiplier (one per cycle), so the aarch64 dispatch table uses the scalar
 * kernels, which XXH3 already vectorizes with NEON for long strings.
 */
#ifndef FLOE_KERNELS_HASH_H
#define FLOE_KERNELS_HASH_H

#include "types.h"  /* floe_int128 */
#include "vector.h" /* floe_string_ref */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The hash of NULL under `seed`: Murmur3's 64-bit finalizer of seed ^ a fixed salt. */
static inline uint64_t floe_k_hash_null(uint64_t seed)
{
    uint64_t x = seed ^ 0x6e756c6c6b657973ull; /* "nullkeys" */
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

/* One value's hash, for code that probes with a single key (same function as the kernels). */
uint64_t floe_k_hash_i32_value(int32_t value, uint64_t seed);
uint64_t floe_k_hash_i64_value(int64_t value, uint64_t seed);
uint64_t floe_k_hash_i128_value(floe_int128 value, uint64_t seed);
uint64_t floe_k_hash_bytes_value(const void *bytes, size_t length, uint64_t seed);

/* Kernel signatures. combine == false: hashes[row] = H(value, seed); combine == true:
 * hashes[row] = H(value, hashes[row]) and `seed` is ignored. */
typedef void (*floe_k_hash_i32_fn)(uint64_t *hashes, const int32_t *values,
                                   const uint64_t *validity, const uint16_t *selection,
                                   size_t count, uint64_t seed, bool combine);
typedef void (*floe_k_hash_i64_fn)(uint64_t *hashes, const int64_t *values,
                                   const uint64_t *validity, const uint16_t *selection,
                                   size_t count, uint64_t seed, bool combine);
typedef void (*floe_k_hash_i128_fn)(uint64_t *hashes, const floe_int128 *values,
                                    const uint64_t *validity, const uint16_t *selection,
                                    size_t count, uint64_t seed, bool combine);
/* Strings: refs[row] is (offset, length) into heap. */
typedef void (*floe_k_hash_string_fn)(uint64_t *hashes, const floe_string_ref *refs,
                                      const unsigned char *heap, const uint64_t *validity,
                                      const uint16_t *selection, size_t count, uint64_t seed,
                                      bool combine);

/* The dispatched entry points: the first key column (set) and every further one (combine). */
void floe_k_hash_i32(uint64_t *hashes, const int32_t *values, const uint64_t *validity,
                     const uint16_t *selection, size_t count, uint64_t seed);
void floe_k_hash_combine_i32(uint64_t *hashes, const int32_t *values, const uint64_t *validity,
                             const uint16_t *selection, size_t count);
void floe_k_hash_i64(uint64_t *hashes, const int64_t *values, const uint64_t *validity,
                     const uint16_t *selection, size_t count, uint64_t seed);
void floe_k_hash_combine_i64(uint64_t *hashes, const int64_t *values, const uint64_t *validity,
                             const uint16_t *selection, size_t count);
void floe_k_hash_i128(uint64_t *hashes, const floe_int128 *values, const uint64_t *validity,
                      const uint16_t *selection, size_t count, uint64_t seed);
void floe_k_hash_combine_i128(uint64_t *hashes, const floe_int128 *values,
                              const uint64_t *validity, const uint16_t *selection, size_t count);
void floe_k_hash_string(uint64_t *hashes, const floe_string_ref *refs, const unsigned char *heap,
                        const uint64_t *validity, const uint16_t *selection, size_t count,
                        uint64_t seed);
void floe_k_hash_combine_string(uint64_t *hashes, const floe_string_ref *refs,
                                const unsigned char *heap, const uint64_t *validity,
                                const uint16_t *selection, size_t count);

/* Variants. */
void floe_k_hash_i32_scalar(uint64_t *hashes, const int32_t *values, const uint64_t *validity,
                            const uint16_t *selection, size_t count, uint64_t seed, bool combine);
void floe_k_hash_i64_scalar(uint64_t *hashes, const int64_t *values, const uint64_t *validity,
                            const uint16_t *selection, size_t count, uint64_t seed, bool combine);
void floe_k_hash_i128_scalar(uint64_t *hashes, const floe_int128 *values,
                             const uint64_t *validity, const uint16_t *selection, size_t count,
                             uint64_t seed, bool combine);
void floe_k_hash_string_scalar(uint64_t *hashes, const floe_string_ref *refs,
                               const unsigned char *heap, const uint64_t *validity,
                               const uint16_t *selection, size_t count, uint64_t seed,
                               bool combine);

void floe_k_hash_i32_avx2(uint64_t *hashes, const int32_t *values, const uint64_t *validity,
                          const uint16_t *selection, size_t count, uint64_t seed, bool combine);
void floe_k_hash_i64_avx2(uint64_t *hashes, const int64_t *values, const uint64_t *validity,
                          const uint16_t *selection, size_t count, uint64_t seed, bool combine);
void floe_k_hash_i128_avx2(uint64_t *hashes, const floe_int128 *values, const uint64_t *validity,
                           const uint16_t *selection, size_t count, uint64_t seed, bool combine);
void floe_k_hash_string_avx2(uint64_t *hashes, const floe_string_ref *refs,
                             const unsigned char *heap, const uint64_t *validity,
                             const uint16_t *selection, size_t count, uint64_t seed,
                             bool combine);

#endif
