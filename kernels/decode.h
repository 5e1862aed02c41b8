/*
 * decode.h — the inner loops of Parquet decoding, as kernels: dictionary gather, byte stream
 * split, definition levels to validity, spreading dense values to their rows, and the delta
 * prefix sum. io/parquet_*.c keep every check on the file's bytes and call these with sizes
 * they have already validated: a kernel never fails, allocates or reads its arguments' sizes
 * from the data, so none returns a status.
 *
 *   floe_k_dictionary_gather_u32 / _u64(dst, dictionary, codes, count)
 *       dst[i] = dictionary[codes[i]] for i < count. Every code must be below the dictionary's
 *       size (the caller checks with floe_k_max_u32 first).
 *   floe_k_max_u32(values, count)
 *       The largest of values[0..count), 0 when count is 0: the dictionary-code check (and a
 *       definition-level check) as one vector reduction.
 *   floe_k_byte_stream_split(dst, src, count, width)
 *       BYTE_STREAM_SPLIT decode: src holds `width` streams of `count` bytes (byte k of value i
 *       at src[k * count + i]); dst receives the count * width bytes of the values, back to
 *       back. Widths 4 and 8 have SIMD transposes; other widths (>= 1) run the scalar loop.
 *   floe_k_levels_to_validity(validity, first_bit, levels, count, defined_level)
 *       Bit first_bit + i of validity (vector.h layout: bit j of word j/64, set = valid) becomes
 *       levels[i] == defined_level, for i < count; all other bits are left as they were.
 *       Returns how many rows are valid. validity must hold first_bit + count bits.
 *   floe_k_validity_fill(validity, first_bit, count, valid)
 *       The same for a run of equal levels (an RLE run): bits [first_bit, first_bit + count)
 *       all set or all cleared. Plain word stores, not dispatched.
 *   floe_k_spread_u32 / _u64(dst, values, validity, first_bit, count)
 *       For i < count: dst[i] = the next of values[0..) when bit first_bit + i of validity is
 *       set, else 0. Returns the number of values consumed (the valid rows); values must hold
 *       that many, and is never read past them. dst must not overlap values.
 *   floe_k_delta_prefix_u32 / _u64(dst, deltas, count, min_delta, last) -> new last
 *       DELTA_BINARY_PACKED reconstruction: value_i = value_{i-1} + min_delta + deltas[i],
 *       starting from value_{-1} = last, wrapping modulo 2^32 / 2^64 (the spec's two's
 *       complement); dst[i] = value_i. Returns value_{count-1} (last when count is 0). dst may be
 *       the same array as deltas (in-place), not a shifted overlap. Unsigned types so the wrap
 *       is defined C; int32/int64 arrays may be passed (same representation).
 *
 * The caller owns every buffer. Variants: _scalar (the reference, always built), _avx2
 * (x86-64), _neon (aarch64); the plain names call the variant the dispatch table chose
 * (kernels/dispatch.h). Where a variant table points at the scalar function instead, dispatch.c
 * says why.
 */
#ifndef FLOE_KERNELS_DECODE_H
#define FLOE_KERNELS_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*floe_k_dictionary_gather_u32_fn)(uint32_t *dst, const uint32_t *dictionary,
                                                const uint32_t *codes, size_t count);
typedef void (*floe_k_dictionary_gather_u64_fn)(uint64_t *dst, const uint64_t *dictionary,
                                                const uint32_t *codes, size_t count);
typedef uint32_t (*floe_k_max_u32_fn)(const uint32_t *values, size_t count);
typedef void (*floe_k_byte_stream_split_fn)(void *dst, const uint8_t *src, size_t count,
                                            size_t width);
typedef size_t (*floe_k_levels_to_validity_fn)(uint64_t *validity, size_t first_bit,
                                               const uint32_t *levels, size_t count,
                                               uint32_t defined_level);
typedef size_t (*floe_k_spread_u32_fn)(uint32_t *dst, const uint32_t *values,
                                       const uint64_t *validity, size_t first_bit, size_t count);
typedef size_t (*floe_k_spread_u64_fn)(uint64_t *dst, const uint64_t *values,
                                       const uint64_t *validity, size_t first_bit, size_t count);
typedef uint32_t (*floe_k_delta_prefix_u32_fn)(uint32_t *dst, const uint32_t *deltas,
                                               size_t count, uint32_t min_delta, uint32_t last);
typedef uint64_t (*floe_k_delta_prefix_u64_fn)(uint64_t *dst, const uint64_t *deltas,
                                               size_t count, uint64_t min_delta, uint64_t last);

/* Dispatched entry points (dispatch.c). */
void floe_k_dictionary_gather_u32(uint32_t *dst, const uint32_t *dictionary,
                                  const uint32_t *codes, size_t count);
void floe_k_dictionary_gather_u64(uint64_t *dst, const uint64_t *dictionary,
                                  const uint32_t *codes, size_t count);
uint32_t floe_k_max_u32(const uint32_t *values, size_t count);
void floe_k_byte_stream_split(void *dst, const uint8_t *src, size_t count, size_t width);
size_t floe_k_levels_to_validity(uint64_t *validity, size_t first_bit, const uint32_t *levels,
                                 size_t count, uint32_t defined_level);
size_t floe_k_spread_u32(uint32_t *dst, const uint32_t *values, const uint64_t *validity,
                         size_t first_bit, size_t count);
size_t floe_k_spread_u64(uint64_t *dst, const uint64_t *values, const uint64_t *validity,
                         size_t first_bit, size_t count);
uint32_t floe_k_delta_prefix_u32(uint32_t *dst, const uint32_t *deltas, size_t count,
                                 uint32_t min_delta, uint32_t last);
uint64_t floe_k_delta_prefix_u64(uint64_t *dst, const uint64_t *deltas, size_t count,
                                 uint64_t min_delta, uint64_t last);

/* Not dispatched: a run of word stores. */
void floe_k_validity_fill(uint64_t *validity, size_t first_bit, size_t count, bool valid);

/* Variants. */
#define FLOE_K_DECODE_VARIANT(suffix)                                                           \
    void floe_k_dictionary_gather_u32_##suffix(uint32_t *dst, const uint32_t *dictionary,      \
                                               const uint32_t *codes, size_t count);            \
    void floe_k_dictionary_gather_u64_##suffix(uint64_t *dst, const uint64_t *dictionary,      \
                                               const uint32_t *codes, size_t count);            \
    uint32_t floe_k_max_u32_##suffix(const uint32_t *values, size_t count);                     \
    void floe_k_byte_stream_split_##suffix(void *dst, const uint8_t *src, size_t count,         \
                                           size_t width);                                        \
    size_t floe_k_levels_to_validity_##suffix(uint64_t *validity, size_t first_bit,             \
                                              const uint32_t *levels, size_t count,             \
                                              uint32_t defined_level);                          \
    size_t floe_k_spread_u32_##suffix(uint32_t *dst, const uint32_t *values,                    \
                                      const uint64_t *validity, size_t first_bit,               \
                                      size_t count);                                            \
    size_t floe_k_spread_u64_##suffix(uint64_t *dst, const uint64_t *values,                    \
                                      const uint64_t *validity, size_t first_bit,               \
                                      size_t count);                                            \
    uint32_t floe_k_delta_prefix_u32_##suffix(uint32_t *dst, const uint32_t *deltas,            \
                                              size_t count, uint32_t min_delta, uint32_t last); \
    uint64_t floe_k_delta_prefix_u64_##suffix(uint64_t *dst, const uint64_t *deltas,            \
                                              size_t count, uint64_t min_delta, uint64_t last);

FLOE_K_DECODE_VARIANT(scalar)
FLOE_K_DECODE_VARIANT(avx2)
/* NEON: gather and spread use the scalar loops (decode_neon.c says why). */
uint32_t floe_k_max_u32_neon(const uint32_t *values, size_t count);
void floe_k_byte_stream_split_neon(void *dst, const uint8_t *src, size_t count, size_t width);
size_t floe_k_levels_to_validity_neon(uint64_t *validity, size_t first_bit,
                                      const uint32_t *levels, size_t count,
                                      uint32_t defined_level);
uint32_t floe_k_delta_prefix_u32_neon(uint32_t *dst, const uint32_t *deltas, size_t count,
                                      uint32_t min_delta, uint32_t last);
uint64_t floe_k_delta_prefix_u64_neon(uint64_t *dst, const uint64_t *deltas, size_t count,
                                      uint64_t min_delta, uint64_t last);

/* ---- Helpers shared by the variants (bit ranges at any offset of a validity bitmap) ------- */

/* The n (1..64) bits of validity starting at bit `bit`, lowest first; reads only the words
 * those bits lie in. */
static inline uint64_t floe_k_bits_load(const uint64_t *validity, size_t bit, unsigned n)
{
    size_t word = bit >> 6;
    unsigned shift = (unsigned)(bit & 63);
    uint64_t bits = validity[word] >> shift;
    if (shift != 0 && shift + n > 64) bits |= validity[word + 1] << (64 - shift);
    return n == 64 ? bits : bits & (((uint64_t)1 << n) - 1);
}

/* Writes the n (1..64) low bits of `bits` (higher bits zero) at bit `bit` of validity, keeping
 * every other bit. */
static inline void floe_k_bits_store(uint64_t *validity, size_t bit, uint64_t bits, unsigned n)
{
    size_t word = bit >> 6;
    unsigned shift = (unsigned)(bit & 63);
    uint64_t mask = n == 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1;
    validity[word] = (validity[word] & ~(mask << shift)) | (bits << shift);
    if (shift != 0 && shift + n > 64)
        validity[word + 1] =
            (validity[word + 1] & ~(mask >> (64 - shift))) | (bits >> (64 - shift));
}

#endif
