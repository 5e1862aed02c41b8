/*
 * hashtable_neon.c — the probe loops (hashtable_probe_int.h) for aarch64. NEON has no movemask:
 * vceqq_u8 gives 0xFF/0x00 per byte, and a shift-right-and-narrow by 4 of the 16-bit lanes packs
 * the 16 bytes into 16 nibbles of one 64-bit value (the "narrowing shift" trick). Keeping one bit
 * per nibble (& 0x8888...) leaves one bit per slot, at 4 * slot + 3: slot = ctz >> 2.
 */
#include "kernels/hashtable_int.h"

#include <arm_neon.h>

static inline uint64_t nibble_mask(uint8x16_t bytes)
{
    uint8x8_t narrowed = vshrn_n_u16(vreinterpretq_u16_u8(bytes), 4);
    return vget_lane_u64(vreinterpret_u64_u8(narrowed), 0) & 0x8888888888888888ull;
}

static inline uint64_t match16(const uint8_t *ctrl, uint8_t tag)
{
    return nibble_mask(vceqq_u8(vld1q_u8(ctrl), vdupq_n_u8(tag)));
}

static inline uint64_t match16_free(const uint8_t *ctrl)
{
    /* Arithmetic shift spreads each byte's high bit over the byte. */
    return nibble_mask(vreinterpretq_u8_s8(vshrq_n_s8(vreinterpretq_s8_u8(vld1q_u8(ctrl)), 7)));
}

uint32_t floe_k_ht_match16_neon(const uint8_t *ctrl, uint8_t tag)
{
    uint64_t nibbles = match16(ctrl, tag);
    uint32_t bits = 0;
    while (nibbles != 0) {
        bits |= 1u << (__builtin_ctzll(nibbles) >> 2);
        nibbles &= nibbles - 1;
    }
    return bits;
}

#define FLOE_HT_MATCH(ctrl, tag) match16((ctrl), (tag))
#define FLOE_HT_MATCH_EMPTY(ctrl) match16((ctrl), FLOE_HT_EMPTY)
#define FLOE_HT_MATCH_FREE(ctrl) match16_free(ctrl)
#define FLOE_HT_MASK_SHIFT 2
#define FLOE_HT_VARIANT(name) name##_neon
#include "kernels/hashtable_probe_int.h"
