/*
 * bitunpack_groups_int.h — the driver shared by the SIMD bit-unpacking variants
 * (kernels/x86/bitunpack_avx2.c, kernels/arm/bitunpack_neon.c).
 *
 * Each variant unpacks one group of eight values of width w (exactly w bytes) with its own
 * registers; what they share is how groups are walked without reading past
 * floe_k_unpack32_bytes(count, w): the main loop runs while a group's loads (`reach` bytes from
 * its start) fit in the input, the remaining whole groups are unpacked from a zero-padded bounce
 * buffer, and a last partial group goes to the scalar reference. Widths 0 and 32, and counts
 * below 8, go to the scalar reference too.
 *
 * Include it after defining, in the variant's file:
 *   typedef struct unpack_plan { ...; unsigned high_half; bool needs_fifth_byte; } unpack_plan;
 *   static void plan_width(unpack_plan *plan, unsigned width);
 *   static inline void unpack_group(const unpack_plan *plan, const uint8_t *group,
 *                                   uint32_t *out, bool fifth_byte);
 * where a group's loads touch at most high_half + 16 bytes from its start.
 */
#ifndef FLOE_KERNELS_BITUNPACK_GROUPS_INT_H
#define FLOE_KERNELS_BITUNPACK_GROUPS_INT_H

#include "kernels/bitunpack.h"
#include "kernels/status.h"

#include <stdbool.h>
#include <string.h>

static int unpack32_by_groups(uint32_t *dst, const uint8_t *src, size_t src_size, size_t count,
                              unsigned bit_width)
{
    if (bit_width > 32) return FLOE_EINVAL;
    size_t needed = floe_k_unpack32_bytes(count, bit_width);
    if (src_size < needed) return FLOE_ECORRUPT;
    if (bit_width == 0 || bit_width == 32 || count < 8)
        return floe_k_unpack32_scalar(dst, src, needed, count, bit_width);

    unpack_plan plan;
    plan_width(&plan, bit_width);
    size_t groups = count / 8;
    size_t reach = plan.high_half + 16; /* bytes a group's loads touch from its start */
    size_t group = 0;
    if (plan.needs_fifth_byte) {
        for (; group < groups && group * bit_width + reach <= needed; group++)
            unpack_group(&plan, src + group * bit_width, dst + group * 8, true);
    } else {
        for (; group < groups && group * bit_width + reach <= needed; group++)
            unpack_group(&plan, src + group * bit_width, dst + group * 8, false);
    }
    if (group < groups) {
        /* The last whole groups, from a zero-padded copy: fewer than `reach` bytes remain
         * after the loop above, and from the copy every group may read its full `reach`. */
        uint8_t bounce[96];
        size_t start = group * bit_width;
        size_t remaining = needed - start; /* < reach <= 32 */
        memset(bounce, 0, sizeof bounce);
        memcpy(bounce, src + start, remaining);
        for (size_t g = group; g < groups; g++) {
            /* (g - group) * w < remaining < reach <= 32: the group's loads stay below 64 */
            unpack_group(&plan, bounce + (g - group) * bit_width, dst + g * 8,
                         plan.needs_fifth_byte);
        }
    }
    size_t done = groups * 8;
    if (done == count) return FLOE_OK;
    size_t offset = done / 8 * bit_width;
    return floe_k_unpack32_scalar(dst + done, src + offset, needed - offset, count - done,
                                  bit_width);
}

#endif
