/*
 * hashtable_scalar.c — the reference probe loops (hashtable_probe_int.h) with a portable group
 * matcher: SWAR over the 16 control bytes as two 64-bit words, so the reference is also a
 * reasonable fallback on machines without SIMD.
 */
#include "hashtable_int.h"

#include <string.h>

static const uint64_t low_seven = 0x7F7F7F7F7F7F7F7Full;

/* One bit per byte of w equal to tag: the classic exact zero-byte test on w ^ tag (no false
 * positives from borrows, unlike the cheaper (x - 0x01..) & ~x & 0x80.. form), then the byte
 * high bits gathered into 8 adjacent bits by one multiply (no two partial products overlap). */
static inline uint64_t match8(uint64_t word, uint8_t tag)
{
    uint64_t x = word ^ (0x0101010101010101ull * tag);
    uint64_t zero_bytes = ~(((x & low_seven) + low_seven) | x | low_seven);
    return ((zero_bytes >> 7) * 0x0102040810204080ull) >> 56;
}

static inline uint64_t high_bits8(uint64_t word)
{
    return (((word & ~low_seven) >> 7) * 0x0102040810204080ull) >> 56;
}

static inline uint64_t load_le64(const uint8_t *bytes)
{
    uint64_t word;
    memcpy(&word, bytes, sizeof word);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    word = __builtin_bswap64(word);
#endif
    return word;
}

static inline uint64_t match16(const uint8_t *ctrl, uint8_t tag)
{
    return match8(load_le64(ctrl), tag) | (match8(load_le64(ctrl + 8), tag) << 8);
}

static inline uint64_t match16_free(const uint8_t *ctrl)
{
    return high_bits8(load_le64(ctrl)) | (high_bits8(load_le64(ctrl + 8)) << 8);
}

uint32_t floe_k_ht_match16_scalar(const uint8_t *ctrl, uint8_t tag)
{
    return (uint32_t)match16(ctrl, tag);
}

#define FLOE_HT_MATCH(ctrl, tag) match16((ctrl), (tag))
#define FLOE_HT_MATCH_EMPTY(ctrl) match16((ctrl), FLOE_HT_EMPTY)
#define FLOE_HT_MATCH_FREE(ctrl) match16_free(ctrl)
#define FLOE_HT_MASK_SHIFT 0
#define FLOE_HT_VARIANT(name) name##_scalar
#include "hashtable_probe_int.h"
