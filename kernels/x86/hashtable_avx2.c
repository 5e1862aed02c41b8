/*
 * hashtable_avx2.c — the probe loops (hashtable_probe_int.h) for x86-64 AVX2 builds. A group is
 * 16 control bytes, exactly one SSE2 register: _mm_cmpeq_epi8 against the broadcast tag and
 * _mm_movemask_epi8 give one bit per matching slot; the high-bit movemask alone finds EMPTY or
 * DELETED slots. (A 32-byte AVX2 group would halve the groups probed but double the slots a
 * tag match can land in; 16 is the Swiss-table trade-off.) Compiled with -mavx2 so the rest of
 * the loop may use VEX encodings and BMI (tzcnt, blsr).
 */
#include "kernels/hashtable_int.h"

#include <immintrin.h>

static inline uint64_t match16(const uint8_t *ctrl, uint8_t tag)
{
    __m128i bytes = _mm_load_si128((const __m128i *)(const void *)ctrl);
    return (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8((char)tag)));
}

static inline uint64_t match16_free(const uint8_t *ctrl)
{
    return (uint32_t)_mm_movemask_epi8(_mm_load_si128((const __m128i *)(const void *)ctrl));
}

uint32_t floe_k_ht_match16_avx2(const uint8_t *ctrl, uint8_t tag)
{
    __m128i bytes = _mm_loadu_si128((const __m128i *)(const void *)ctrl);
    return (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, _mm_set1_epi8((char)tag)));
}

#define FLOE_HT_MATCH(ctrl, tag) match16((ctrl), (tag))
#define FLOE_HT_MATCH_EMPTY(ctrl) match16((ctrl), FLOE_HT_EMPTY)
#define FLOE_HT_MATCH_FREE(ctrl) match16_free(ctrl)
#define FLOE_HT_MASK_SHIFT 0
#define FLOE_HT_VARIANT(name) name##_avx2
#include "kernels/hashtable_probe_int.h"
