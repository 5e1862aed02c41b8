/*
 * bitunpack_neon.c — bit-unpacking eight values per step with NEON (aarch64).
 *
 * The same plan as kernels/x86/bitunpack_avx2.c, with two 128-bit registers in place of one
 * 256-bit one: eight values of width w occupy exactly w bytes; values 0-3 lie in the 16 bytes
 * from the group's start and values 4-7 in the 16 bytes from byte floor(4w/8). A table lookup
 * (vqtbl1q_u8) gathers each value's 4 bytes, a per-lane shift (vshlq_u32 with a negative count
 * shifts right) drops its bit offset, and for w >= 26 a second lookup fetches the fifth byte,
 * shifted left by 32 - offset. Lookup indices past 15 yield zero; they only ever select bytes
 * the mask discards.
 *
 * Reads never pass floe_k_unpack32_bytes(count, w): the main loop stops while a group's 16-byte
 * loads still fit, the remaining whole groups are unpacked from a zero-padded bounce buffer and
 * the last partial group by the scalar reference. Writes: only dst[0..count).
 */
#include "kernels/bitunpack.h"
#include "kernels/status.h"

#include <arm_neon.h>
#include <stdbool.h>
#include <string.h>

typedef struct unpack_plan {
    uint8x16_t lookup_low[2];  /* per half: each value's 4 bytes, relative to the half */
    uint8x16_t lookup_high[2]; /* per half: each value's fifth byte, or 0xff when none */
    int32x4_t shift_right[2];  /* minus each value's bit offset */
    int32x4_t shift_left[2];   /* 32 - bit offset */
    uint32x4_t mask;
    unsigned high_half;        /* byte offset of the second half: floor(4w/8) */
    bool needs_fifth_byte;
} unpack_plan;

static void plan_width(unpack_plan *plan, unsigned width)
{
    uint8_t low[32], high[32];
    int32_t right[8], left[8];
    plan->high_half = (4 * width) >> 3;
    plan->needs_fifth_byte = false;
    for (unsigned j = 0; j < 8; j++) {
        unsigned bit = j * width;
        unsigned half_start = j < 4 ? 0 : plan->high_half;
        unsigned first = (bit >> 3) - half_start;
        unsigned offset = bit & 7;
        for (unsigned k = 0; k < 4; k++)
            low[j * 4 + k] = first + k < 16 ? (uint8_t)(first + k) : 0xff;
        bool spills = offset + width > 32;
        plan->needs_fifth_byte |= spills;
        high[j * 4 + 0] = spills ? (uint8_t)(first + 4) : 0xff;
        high[j * 4 + 1] = high[j * 4 + 2] = high[j * 4 + 3] = 0xff;
        right[j] = -(int32_t)offset;
        left[j] = 32 - (int32_t)offset;
    }
    for (unsigned h = 0; h < 2; h++) {
        plan->lookup_low[h] = vld1q_u8(low + 16 * h);
        plan->lookup_high[h] = vld1q_u8(high + 16 * h);
        plan->shift_right[h] = vld1q_s32(right + 4 * h);
        plan->shift_left[h] = vld1q_s32(left + 4 * h);
    }
    plan->mask = vdupq_n_u32(width == 32 ? 0xffffffffu : (1u << width) - 1);
}

static inline uint32x4_t unpack_half(const unpack_plan *plan, uint8x16_t bytes, unsigned h,
                                     bool fifth_byte)
{
    uint32x4_t values = vshlq_u32(vreinterpretq_u32_u8(vqtbl1q_u8(bytes, plan->lookup_low[h])),
                                  plan->shift_right[h]);
    if (fifth_byte) {
        uint32x4_t spill = vshlq_u32(
            vreinterpretq_u32_u8(vqtbl1q_u8(bytes, plan->lookup_high[h])), plan->shift_left[h]);
        values = vorrq_u32(values, spill);
    }
    return vandq_u32(values, plan->mask);
}

/* Unpacks eight values from group (which has at least high_half + 16 readable bytes). */
static inline void unpack_group(const unpack_plan *plan, const uint8_t *group, uint32_t *out,
                                bool fifth_byte)
{
    vst1q_u32(out, unpack_half(plan, vld1q_u8(group), 0, fifth_byte));
    vst1q_u32(out + 4, unpack_half(plan, vld1q_u8(group + plan->high_half), 1, fifth_byte));
}

#include "kernels/bitunpack_groups_int.h" /* unpack32_by_groups */

int floe_k_unpack32_neon(uint32_t *dst, const uint8_t *src, size_t src_size, size_t count,
                         unsigned bit_width)
{
    return unpack32_by_groups(dst, src, src_size, count, bit_width);
}
