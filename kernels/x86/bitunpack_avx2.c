/*
 * bitunpack_avx2.c — bit-unpacking eight values per step with AVX2 (compiled with -mavx2).
 *
 * Eight values of width w occupy exactly w bytes, so groups of eight start on byte boundaries.
 * Within a group, values 0-3 lie in the 16 bytes from the group's start and values 4-7 in the 16
 * bytes from byte floor(4w/8) (each half spans at most ceil(4w/8) <= 16 bytes). The two halves
 * are loaded into the two 128-bit lanes of a YMM register; one byte shuffle per lane gathers, for
 * each value, the 4 bytes starting at its first byte; a variable right shift (_mm256_srlv_epi32)
 * drops its bit offset (0..7) and a mask keeps w bits. When offset + w > 32 (w >= 26) the value
 * spills into a fifth byte, gathered by a second shuffle and shifted left into place
 * (_mm256_sllv_epi32 by 32 - offset). Shuffle indices that would leave the 16-byte half are set
 * to 0x80 (which yields zero); they are only ever bytes the mask discards.
 *
 * Reads: a group's loads reach byte floor(w/2) + 16 from its start, past the w bytes it owns, so
 * the main loop runs only while that stays inside floe_k_unpack32_bytes(count, w). The remaining
 * (< 32) bytes are copied to a zero-padded bounce buffer and unpacked from there, and the last
 * partial group of fewer than eight values goes to the scalar reference.
 * Writes: only dst[0..count).
 */
#include "kernels/bitunpack.h"
#include "kernels/status.h"

#include <immintrin.h> /* AVX2 */
#include <stdbool.h>
#include <string.h>

typedef struct unpack_plan {
    __m256i shuffle_low;   /* per value: its 4 bytes from the half's start */
    __m256i shuffle_high;  /* per value: its fifth byte, or 0x80 when it has none */
    __m256i shift_right;   /* bit offset of each value within its first byte */
    __m256i shift_left;    /* 32 - bit offset, for the fifth byte */
    __m256i mask;          /* w low bits */
    unsigned high_half;    /* byte offset of the second half: floor(4w/8) */
    bool needs_fifth_byte; /* some value spans five bytes */
} unpack_plan;

static void plan_width(unpack_plan *plan, unsigned width)
{
    uint8_t low[32], high[32];
    uint32_t right[8], left[8];
    plan->high_half = (4 * width) >> 3;
    plan->needs_fifth_byte = false;
    for (unsigned j = 0; j < 8; j++) {
        unsigned bit = j * width;
        unsigned half_start = j < 4 ? 0 : plan->high_half;
        unsigned first = (bit >> 3) - half_start; /* first byte, relative to the half */
        unsigned offset = bit & 7;
        for (unsigned k = 0; k < 4; k++)
            low[j * 4 + k] = first + k < 16 ? (uint8_t)(first + k) : 0x80;
        bool spills = offset + width > 32;
        plan->needs_fifth_byte |= spills;
        high[j * 4 + 0] = spills ? (uint8_t)(first + 4) : 0x80; /* first + 4 < 16 when it spills */
        high[j * 4 + 1] = high[j * 4 + 2] = high[j * 4 + 3] = 0x80;
        right[j] = offset;
        left[j] = 32 - offset;
    }
    plan->shuffle_low = _mm256_loadu_si256((const __m256i *)low);
    plan->shuffle_high = _mm256_loadu_si256((const __m256i *)high);
    plan->shift_right = _mm256_loadu_si256((const __m256i *)right);
    plan->shift_left = _mm256_loadu_si256((const __m256i *)left);
    plan->mask = _mm256_set1_epi32(width == 32 ? -1 : (int)((1u << width) - 1));
}

/* Unpacks eight values from group (which has at least high_half + 16 readable bytes). */
static inline void unpack_group(const unpack_plan *plan, const uint8_t *group, uint32_t *out,
                                bool fifth_byte)
{
    __m128i first_half = _mm_loadu_si128((const __m128i *)group);
    __m128i second_half = _mm_loadu_si128((const __m128i *)(group + plan->high_half));
    __m256i bytes = _mm256_inserti128_si256(_mm256_castsi128_si256(first_half), second_half, 1);
    __m256i values = _mm256_srlv_epi32(_mm256_shuffle_epi8(bytes, plan->shuffle_low),
                                       plan->shift_right);
    if (fifth_byte) {
        __m256i spill = _mm256_sllv_epi32(_mm256_shuffle_epi8(bytes, plan->shuffle_high),
                                          plan->shift_left);
        values = _mm256_or_si256(values, spill);
    }
    _mm256_storeu_si256((__m256i *)out, _mm256_and_si256(values, plan->mask));
}

#include "kernels/bitunpack_groups_int.h" /* unpack32_by_groups */

int floe_k_unpack32_avx2(uint32_t *dst, const uint8_t *src, size_t src_size, size_t count,
                         unsigned bit_width)
{
    return unpack32_by_groups(dst, src, src_size, count, bit_width);
}
