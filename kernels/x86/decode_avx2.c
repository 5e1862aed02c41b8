/*
 * decode_avx2.c — Parquet decoding kernels for x86-64 AVX2 (decode.h; compiled
 * with -mavx2).
 *
 * Dictionary gather: measured on the Zen 3 bench machine (best of 4 runs, 2048
 * codes per call), vpgatherdd / vpgatherdq lost to plain loads: 1.9 G/s
 * against 2.7-3.0 G/s for 4-byte values and 1.6 against 2.9 G/s for 8-byte ones
 * with a 1024-entry dictionary, and no better with 65536 entries (cache misses
 * dominate). So the hardware gather is not used: 4-byte values load two codes
 * per 64-bit load and store two values per 64-bit store; 8-byte values load
 * four codes in one vector, look the values up with scalar loads and store them
 * with one 256-bit store. Both halve the load/store micro-ops of the plain
 * loop.
 *
 * Byte stream split: a transpose of 4 (or 8) rows of 32 bytes by unpack steps
 * (bytes to 16-bit pairs, pairs to 32-bit quads, quads to 64-bit octets), which
 * work within 128-bit lanes; a final vperm2i128 puts the lanes in value order.
 * 32 values per step; the tail runs the scalar loop.
 *
 * Levels: 8 levels compared per vpcmpeqd, vmovmskps to 8 bits, eight of those
 * to one validity word. Spread: for each 8 (4) rows, the validity byte (nibble)
 * indexes a table of lane indices — the k-th valid row takes value k — that
 * vpermd applies to the next 8 dense values; NULL lanes are zeroed by a compare
 * mask. A table rather than pdep: pdep is microcoded on AMD before Zen 3. Loads
 * of 8 dense values run only while 64 more values exist, so values is never
 * read past its end; the rest of the rows go through the scalar loop.
 *
 * Delta: the in-register prefix sum of 8 int32 (4 int64) is log-step
 * shift-and-add within each 128-bit lane plus one cross-lane add; the running
 * value is carried as a broadcast, and the block total is broadcast from the
 * local prefix before the carry is added, so the loop-carried chain is a single
 * vector add per step.
 */
#include "kernels/decode.h"

#include <immintrin.h> /* AVX2 */
#include <string.h>

/* ---- Dictionary gather ---------------------------------------------------------------------- */

void floe_k_dictionary_gather_u32_avx2(uint32_t *dst, const uint32_t *dictionary,
                                       const uint32_t *codes, size_t count)
{
    size_t i = 0;
    for (; i + 4 <= count; i += 4) {
        uint64_t codes01, codes23; /* two codes per load, two values per store */
        memcpy(&codes01, codes + i, 8);
        memcpy(&codes23, codes + i + 2, 8);
        uint64_t values01 = dictionary[(uint32_t)codes01] | (uint64_t)dictionary[codes01 >> 32]
                                                                << 32;
        uint64_t values23 = dictionary[(uint32_t)codes23] | (uint64_t)dictionary[codes23 >> 32]
                                                                << 32;
        memcpy(dst + i, &values01, 8);
        memcpy(dst + i + 2, &values23, 8);
    }
    for (; i < count; i++) dst[i] = dictionary[codes[i]];
}

void floe_k_dictionary_gather_u64_avx2(uint64_t *dst, const uint64_t *dictionary,
                                       const uint32_t *codes, size_t count)
{
    size_t i = 0;
    for (; i + 4 <= count; i += 4) {
        __m128i four = _mm_loadu_si128((const __m128i *)(const void *)(codes + i));
        uint64_t codes01 = (uint64_t)_mm_cvtsi128_si64(four);
        uint64_t codes23 = (uint64_t)_mm_extract_epi64(four, 1);
        __m256i values = _mm256_setr_epi64x(
            (long long)dictionary[(uint32_t)codes01], (long long)dictionary[codes01 >> 32],
            (long long)dictionary[(uint32_t)codes23], (long long)dictionary[codes23 >> 32]);
        _mm256_storeu_si256((__m256i *)(void *)(dst + i), values);
    }
    for (; i < count; i++) dst[i] = dictionary[codes[i]];
}

uint32_t floe_k_max_u32_avx2(const uint32_t *values, size_t count)
{
    __m256i max0 = _mm256_setzero_si256(), max1 = max0, max2 = max0, max3 = max0;
    size_t i = 0;
    for (; i + 32 <= count; i += 32) {
        const __m256i *at = (const __m256i *)(const void *)(values + i);
        max0 = _mm256_max_epu32(max0, _mm256_loadu_si256(at));
        max1 = _mm256_max_epu32(max1, _mm256_loadu_si256(at + 1));
        max2 = _mm256_max_epu32(max2, _mm256_loadu_si256(at + 2));
        max3 = _mm256_max_epu32(max3, _mm256_loadu_si256(at + 3));
    }
    for (; i + 8 <= count; i += 8)
        max0 =
            _mm256_max_epu32(max0, _mm256_loadu_si256((const __m256i *)(const void *)(values + i)));
    __m256i both = _mm256_max_epu32(_mm256_max_epu32(max0, max1), _mm256_max_epu32(max2, max3));
    __m128i half = _mm_max_epu32(_mm256_castsi256_si128(both), _mm256_extracti128_si256(both, 1));
    half = _mm_max_epu32(half, _mm_shuffle_epi32(half, _MM_SHUFFLE(1, 0, 3, 2)));
    half = _mm_max_epu32(half, _mm_shuffle_epi32(half, _MM_SHUFFLE(2, 3, 0, 1)));
    uint32_t maximum = (uint32_t)_mm_cvtsi128_si32(half);
    for (; i < count; i++) maximum = values[i] > maximum ? values[i] : maximum;
    return maximum;
}

/* ---- Byte stream split ---------------------------------------------------------------------- */

/* Values first..count-1 of a split of `count` values of `width` bytes. */
static void split_tail(uint8_t *out, const uint8_t *src, size_t count, size_t width, size_t first)
{
    for (size_t i = first; i < count; i++)
        for (size_t k = 0; k < width; k++) out[i * width + k] = src[k * count + i];
}

static inline __m256i load32(const uint8_t *at)
{
    return _mm256_loadu_si256((const __m256i *)(const void *)at);
}

static inline void store32(uint8_t *at, __m256i value)
{
    _mm256_storeu_si256((__m256i *)(void *)at, value);
}

static void split4(uint8_t *out, const uint8_t *src, size_t count)
{
    size_t i = 0;
    for (; i + 32 <= count; i += 32) {
        __m256i s0 = load32(src + i), s1 = load32(src + count + i);
        __m256i s2 = load32(src + 2 * count + i), s3 = load32(src + 3 * count + i);
        /* Per 128-bit lane: pairs of values 0-7 (lo) and 8-15 (hi) of that
         * lane's 16. */
        __m256i pairs01_lo = _mm256_unpacklo_epi8(s0, s1),
                pairs01_hi = _mm256_unpackhi_epi8(s0, s1);
        __m256i pairs23_lo = _mm256_unpacklo_epi8(s2, s3),
                pairs23_hi = _mm256_unpackhi_epi8(s2, s3);
        __m256i v0 = _mm256_unpacklo_epi16(pairs01_lo, pairs23_lo); /* values 0-3 | 16-19 */
        __m256i v1 = _mm256_unpackhi_epi16(pairs01_lo, pairs23_lo); /* 4-7 | 20-23 */
        __m256i v2 = _mm256_unpacklo_epi16(pairs01_hi, pairs23_hi); /* 8-11 | 24-27 */
        __m256i v3 = _mm256_unpackhi_epi16(pairs01_hi, pairs23_hi); /* 12-15 | 28-31 */
        uint8_t *at = out + 4 * i;
        store32(at, _mm256_permute2x128_si256(v0, v1, 0x20));
        store32(at + 32, _mm256_permute2x128_si256(v2, v3, 0x20));
        store32(at + 64, _mm256_permute2x128_si256(v0, v1, 0x31));
        store32(at + 96, _mm256_permute2x128_si256(v2, v3, 0x31));
    }
    split_tail(out, src, count, 4, i);
}

static void split8(uint8_t *out, const uint8_t *src, size_t count)
{
    size_t i = 0;
    for (; i + 32 <= count; i += 32) {
        __m256i s[8];
        for (int k = 0; k < 8; k++) s[k] = load32(src + (size_t)k * count + i);
        /* Stage 1: byte pairs (streams 2k, 2k+1); lo holds values 0-7 | 16-23, hi
         * 8-15 | 24-31. */
        __m256i p_lo[4], p_hi[4];
        for (int k = 0; k < 4; k++) {
            p_lo[k] = _mm256_unpacklo_epi8(s[2 * k], s[2 * k + 1]);
            p_hi[k] = _mm256_unpackhi_epi8(s[2 * k], s[2 * k + 1]);
        }
        /* Stage 2: quads of bytes 0-3 (q[0..3]) and 4-7 (q[4..7]), four values per
         * lane: q[.+0] values 0-3 | 16-19, q[.+1] 4-7 | 20-23, q[.+2] 8-11 | 24-27,
         * q[.+3] 12-15 | 28-31. */
        __m256i q[8];
        for (int h = 0; h < 2; h++) {
            q[4 * h + 0] = _mm256_unpacklo_epi16(p_lo[2 * h], p_lo[2 * h + 1]);
            q[4 * h + 1] = _mm256_unpackhi_epi16(p_lo[2 * h], p_lo[2 * h + 1]);
            q[4 * h + 2] = _mm256_unpacklo_epi16(p_hi[2 * h], p_hi[2 * h + 1]);
            q[4 * h + 3] = _mm256_unpackhi_epi16(p_hi[2 * h], p_hi[2 * h + 1]);
        }
        /* Stage 3: whole values, two per lane; then lanes into order. */
        uint8_t *at = out + 8 * i;
        for (int g = 0; g < 4; g++) {
            __m256i first = _mm256_unpacklo_epi32(q[g], q[4 + g]);  /* 4g, 4g+1 | 16+4g, .. */
            __m256i second = _mm256_unpackhi_epi32(q[g], q[4 + g]); /* 4g+2, 4g+3 | .. */
            store32(at + 32 * g, _mm256_permute2x128_si256(first, second, 0x20));
            store32(at + 128 + 32 * g, _mm256_permute2x128_si256(first, second, 0x31));
        }
    }
    split_tail(out, src, count, 8, i);
}

void floe_k_byte_stream_split_avx2(void *dst, const uint8_t *src, size_t count, size_t width)
{
    if (width == 4)
        split4(dst, src, count);
    else if (width == 8)
        split8(dst, src, count);
    else
        floe_k_byte_stream_split_scalar(dst, src, count, width);
}

/* ---- Levels and spread ---------------------------------------------------------------------- */

size_t floe_k_levels_to_validity_avx2(uint64_t *validity, size_t first_bit, const uint32_t *levels,
                                      size_t count, uint32_t defined_level)
{
    __m256i defined = _mm256_set1_epi32((int)defined_level);
    size_t valid = 0;
    for (size_t i = 0; i < count; i += 64) {
        unsigned n = count - i < 64 ? (unsigned)(count - i) : 64;
        uint64_t bits = 0;
        unsigned j = 0;
        for (; j + 8 <= n; j += 8) {
            __m256i level = _mm256_loadu_si256((const __m256i *)(const void *)(levels + i + j));
            unsigned mask = (unsigned)_mm256_movemask_ps(
                _mm256_castsi256_ps(_mm256_cmpeq_epi32(level, defined)));
            bits |= (uint64_t)mask << j;
        }
        for (; j < n; j++) bits |= (uint64_t)(levels[i + j] == defined_level) << j;
        floe_k_bits_store(validity, first_bit + i, bits, n);
        valid += (size_t)__builtin_popcountll(bits);
    }
    return valid;
}

/* Byte j of entry m: how many of bits 0..j-1 of m are set (the dense value row
 * j takes). */
#define POP8(x)                                                                                    \
    (((x)&1) + ((x) >> 1 & 1) + ((x) >> 2 & 1) + ((x) >> 3 & 1) + ((x) >> 4 & 1) +                 \
     ((x) >> 5 & 1) + ((x) >> 6 & 1) + ((x) >> 7 & 1))
#define LANE(m, j) ((uint64_t)POP8((m) & ((1u << (j)) - 1)) << (8 * (j)))
#define EXPAND(m)                                                                                  \
    (LANE(m, 0) | LANE(m, 1) | LANE(m, 2) | LANE(m, 3) | LANE(m, 4) | LANE(m, 5) | LANE(m, 6) |    \
     LANE(m, 7))
#define E4(m) EXPAND(m), EXPAND(m + 1), EXPAND(m + 2), EXPAND(m + 3)
#define E16(m) E4(m), E4(m + 4), E4(m + 8), E4(m + 12)
#define E64(m) E16(m), E16(m + 16), E16(m + 32), E16(m + 48)
static const uint64_t expand_u32[256] = {E64(0u), E64(64u), E64(128u), E64(192u)};

/* For 4 rows of 64-bit values: the pair of 32-bit lanes 2k, 2k+1 for the k-th
 * valid row. */
#define LANE64(m, j)                                                                               \
    (((uint64_t)(2 * POP8((m) & ((1u << (j)) - 1))) |                                              \
      (uint64_t)(2 * POP8((m) & ((1u << (j)) - 1)) + 1) << 8)                                      \
     << (16 * (j)))
#define EXPAND64(m) (LANE64(m, 0) | LANE64(m, 1) | LANE64(m, 2) | LANE64(m, 3))
#define F4(m) EXPAND64(m), EXPAND64(m + 1), EXPAND64(m + 2), EXPAND64(m + 3)
static const uint64_t expand_u64[16] = {F4(0u), F4(4u), F4(8u), F4(12u)};

static size_t popcount_range(const uint64_t *validity, size_t first_bit, size_t count)
{
    size_t total = 0;
    for (size_t i = 0; i < count; i += 64) {
        unsigned n = count - i < 64 ? (unsigned)(count - i) : 64;
        total += (size_t)__builtin_popcountll(floe_k_bits_load(validity, first_bit + i, n));
    }
    return total;
}

static inline __m256i expand_indices(uint64_t entry)
{
    return _mm256_cvtepu8_epi32(_mm_cvtsi64_si128((long long)entry));
}

size_t floe_k_spread_u32_avx2(uint32_t *dst, const uint32_t *values, const uint64_t *validity,
                              size_t first_bit, size_t count)
{
    size_t total = popcount_range(validity, first_bit, count);
    const __m256i lane_bits = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    size_t i = 0, next = 0;
    for (; i + 64 <= count && next + 64 <= total; i += 64) {
        uint64_t bits = floe_k_bits_load(validity, first_bit + i, 64);
        uint32_t *out = dst + i;
        if (bits == ~(uint64_t)0) {
            memcpy(out, values + next, 64 * sizeof *out);
            next += 64;
            continue;
        }
        if (bits == 0) {
            memset(out, 0, 64 * sizeof *out);
            continue;
        }
        for (unsigned j = 0; j < 64; j += 8) {
            unsigned mask = (unsigned)(bits >> j) & 0xFF;
            __m256i dense = _mm256_loadu_si256((const __m256i *)(const void *)(values + next));
            __m256i spread = _mm256_permutevar8x32_epi32(dense, expand_indices(expand_u32[mask]));
            __m256i keep = _mm256_cmpeq_epi32(
                _mm256_and_si256(_mm256_set1_epi32((int)mask), lane_bits), lane_bits);
            _mm256_storeu_si256((__m256i *)(void *)(out + j), _mm256_and_si256(spread, keep));
            next += (size_t)__builtin_popcount(mask);
        }
    }
    return next +
           floe_k_spread_u32_scalar(dst + i, values + next, validity, first_bit + i, count - i);
}

size_t floe_k_spread_u64_avx2(uint64_t *dst, const uint64_t *values, const uint64_t *validity,
                              size_t first_bit, size_t count)
{
    size_t total = popcount_range(validity, first_bit, count);
    const __m256i lane_bits = _mm256_setr_epi32(1, 1, 2, 2, 4, 4, 8, 8);
    size_t i = 0, next = 0;
    for (; i + 64 <= count && next + 64 <= total; i += 64) {
        uint64_t bits = floe_k_bits_load(validity, first_bit + i, 64);
        uint64_t *out = dst + i;
        if (bits == ~(uint64_t)0) {
            memcpy(out, values + next, 64 * sizeof *out);
            next += 64;
            continue;
        }
        if (bits == 0) {
            memset(out, 0, 64 * sizeof *out);
            continue;
        }
        for (unsigned j = 0; j < 64; j += 4) {
            unsigned mask = (unsigned)(bits >> j) & 0xF;
            __m256i dense = _mm256_loadu_si256((const __m256i *)(const void *)(values + next));
            __m256i spread = _mm256_permutevar8x32_epi32(dense, expand_indices(expand_u64[mask]));
            __m256i keep = _mm256_cmpeq_epi32(
                _mm256_and_si256(_mm256_set1_epi32((int)mask), lane_bits), lane_bits);
            _mm256_storeu_si256((__m256i *)(void *)(out + j), _mm256_and_si256(spread, keep));
            next += (size_t)__builtin_popcount(mask);
        }
    }
    return next +
           floe_k_spread_u64_scalar(dst + i, values + next, validity, first_bit + i, count - i);
}

/* ---- Delta prefix sum ----------------------------------------------------------------------- */

uint32_t floe_k_delta_prefix_u32_avx2(uint32_t *dst, const uint32_t *deltas, size_t count,
                                      uint32_t min_delta, uint32_t last)
{
    __m256i carry = _mm256_set1_epi32((int)last);
    const __m256i minimum = _mm256_set1_epi32((int)min_delta);
    const __m256i lane7 = _mm256_set1_epi32(7);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256i x = _mm256_add_epi32(
            _mm256_loadu_si256((const __m256i *)(const void *)(deltas + i)), minimum);
        x = _mm256_add_epi32(x, _mm256_slli_si256(x, 4));
        x = _mm256_add_epi32(x, _mm256_slli_si256(x, 8));
        /* Lane 3's running sum into lanes 4-7. */
        __m256i low_total = _mm256_shuffle_epi32(x, _MM_SHUFFLE(3, 3, 3, 3));
        x = _mm256_add_epi32(x, _mm256_permute2x128_si256(low_total, low_total, 0x08));
        __m256i block_total = _mm256_permutevar8x32_epi32(x, lane7);
        _mm256_storeu_si256((__m256i *)(void *)(dst + i), _mm256_add_epi32(x, carry));
        carry = _mm256_add_epi32(carry, block_total);
    }
    last = (uint32_t)_mm_cvtsi128_si32(_mm256_castsi256_si128(carry));
    return floe_k_delta_prefix_u32_scalar(dst + i, deltas + i, count - i, min_delta, last);
}

uint64_t floe_k_delta_prefix_u64_avx2(uint64_t *dst, const uint64_t *deltas, size_t count,
                                      uint64_t min_delta, uint64_t last)
{
    __m256i carry = _mm256_set1_epi64x((long long)last);
    const __m256i minimum = _mm256_set1_epi64x((long long)min_delta);
    size_t i = 0;
    for (; i + 4 <= count; i += 4) {
        __m256i x = _mm256_add_epi64(
            _mm256_loadu_si256((const __m256i *)(const void *)(deltas + i)), minimum);
        x = _mm256_add_epi64(x, _mm256_slli_si256(x, 8));
        /* Lane 1's running sum into lanes 2-3. */
        __m256i low_half = _mm256_permute2x128_si256(x, x, 0x08);
        x = _mm256_add_epi64(x, _mm256_unpackhi_epi64(low_half, low_half));
        __m256i block_total = _mm256_permute4x64_epi64(x, _MM_SHUFFLE(3, 3, 3, 3));
        _mm256_storeu_si256((__m256i *)(void *)(dst + i), _mm256_add_epi64(x, carry));
        carry = _mm256_add_epi64(carry, block_total);
    }
    last = (uint64_t)_mm_cvtsi128_si64(_mm256_castsi256_si128(carry));
    return floe_k_delta_prefix_u64_scalar(dst + i, deltas + i, count - i, min_delta, last);
}
