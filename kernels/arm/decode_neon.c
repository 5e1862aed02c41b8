/*
 * decode_neon.c — Parquet decoding kernels for aarch64 NEON (decode.h).
 *
 * Byte stream split: the structured stores do the transpose. Width 4 is one vst4q_u8 of the
 * four streams' 16 bytes (it interleaves them byte by byte: exactly 16 values). Width 8 first
 * zips stream pairs into 16-bit lanes (vzipq_u8), then one vst4q_u16 per 8 values interleaves
 * the four pair streams.
 *
 * Max: vmaxq_u32 over four accumulators, vmaxvq_u32 at the end. Levels: vceqq_u32 per 4 levels,
 * narrowed to bytes, ANDed with bit weights and summed across (vaddv_u8) to 8 validity bits.
 *
 * Delta: log-step prefix sum within a register (vextq_* against zero shifts lanes up), the
 * block total broadcast from the local prefix, and a single vector add carried from step to
 * step — the same shape as the AVX2 kernel.
 *
 * Dictionary gather and spread have no NEON instruction to build on (no gather, no lane
 * permute by a mask without a table-lookup round trip through bytes): dispatch.c points the
 * NEON table at the scalar loops for those, which compilers already unroll into independent
 * loads.
 */
#include "kernels/decode.h"

#include <arm_neon.h>

uint32_t floe_k_max_u32_neon(const uint32_t *values, size_t count)
{
    uint32x4_t max0 = vdupq_n_u32(0), max1 = max0, max2 = max0, max3 = max0;
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        max0 = vmaxq_u32(max0, vld1q_u32(values + i));
        max1 = vmaxq_u32(max1, vld1q_u32(values + i + 4));
        max2 = vmaxq_u32(max2, vld1q_u32(values + i + 8));
        max3 = vmaxq_u32(max3, vld1q_u32(values + i + 12));
    }
    for (; i + 4 <= count; i += 4) max0 = vmaxq_u32(max0, vld1q_u32(values + i));
    uint32_t maximum = vmaxvq_u32(vmaxq_u32(vmaxq_u32(max0, max1), vmaxq_u32(max2, max3)));
    for (; i < count; i++) maximum = values[i] > maximum ? values[i] : maximum;
    return maximum;
}

/* Values first..count-1 of a split of `count` values of `width` bytes. */
static void split_tail(uint8_t *out, const uint8_t *src, size_t count, size_t width,
                       size_t first)
{
    for (size_t i = first; i < count; i++)
        for (size_t k = 0; k < width; k++) out[i * width + k] = src[k * count + i];
}

void floe_k_byte_stream_split_neon(void *dst, const uint8_t *src, size_t count, size_t width)
{
    uint8_t *out = dst;
    size_t i = 0;
    if (width == 4) {
        for (; i + 16 <= count; i += 16) {
            uint8x16x4_t streams = {{vld1q_u8(src + i), vld1q_u8(src + count + i),
                                     vld1q_u8(src + 2 * count + i),
                                     vld1q_u8(src + 3 * count + i)}};
            vst4q_u8(out + 4 * i, streams);
        }
        split_tail(out, src, count, 4, i);
    } else if (width == 8) {
        for (; i + 16 <= count; i += 16) {
            uint16x8x4_t low, high; /* values 0-7 and 8-15: the 16-bit pairs of streams 2k,2k+1 */
            for (int k = 0; k < 4; k++) {
                uint8x16x2_t zipped = vzipq_u8(vld1q_u8(src + (size_t)(2 * k) * count + i),
                                               vld1q_u8(src + (size_t)(2 * k + 1) * count + i));
                low.val[k] = vreinterpretq_u16_u8(zipped.val[0]);
                high.val[k] = vreinterpretq_u16_u8(zipped.val[1]);
            }
            vst4q_u16((uint16_t *)(void *)(out + 8 * i), low);
            vst4q_u16((uint16_t *)(void *)(out + 8 * i + 64), high);
        }
        split_tail(out, src, count, 8, i);
    } else {
        floe_k_byte_stream_split_scalar(dst, src, count, width);
    }
}

size_t floe_k_levels_to_validity_neon(uint64_t *validity, size_t first_bit,
                                      const uint32_t *levels, size_t count,
                                      uint32_t defined_level)
{
    static const uint8_t weights_bytes[8] = {1, 2, 4, 8, 16, 32, 64, 128};
    const uint8x8_t weights = vld1_u8(weights_bytes);
    const uint32x4_t defined = vdupq_n_u32(defined_level);
    size_t valid = 0;
    for (size_t i = 0; i < count; i += 64) {
        unsigned n = count - i < 64 ? (unsigned)(count - i) : 64;
        uint64_t bits = 0;
        unsigned j = 0;
        for (; j + 8 <= n; j += 8) {
            uint16x4_t low = vmovn_u32(vceqq_u32(vld1q_u32(levels + i + j), defined));
            uint16x4_t high = vmovn_u32(vceqq_u32(vld1q_u32(levels + i + j + 4), defined));
            uint8x8_t flags = vmovn_u16(vcombine_u16(low, high)); /* 0xff where defined */
            bits |= (uint64_t)vaddv_u8(vand_u8(flags, weights)) << j;
        }
        for (; j < n; j++) bits |= (uint64_t)(levels[i + j] == defined_level) << j;
        floe_k_bits_store(validity, first_bit + i, bits, n);
        valid += (size_t)__builtin_popcountll(bits);
    }
    return valid;
}

uint32_t floe_k_delta_prefix_u32_neon(uint32_t *dst, const uint32_t *deltas, size_t count,
                                      uint32_t min_delta, uint32_t last)
{
    const uint32x4_t zero = vdupq_n_u32(0), minimum = vdupq_n_u32(min_delta);
    uint32x4_t carry = vdupq_n_u32(last);
    size_t i = 0;
    for (; i + 4 <= count; i += 4) {
        uint32x4_t x = vaddq_u32(vld1q_u32(deltas + i), minimum);
        x = vaddq_u32(x, vextq_u32(zero, x, 3)); /* + [0, x0, x1, x2] */
        x = vaddq_u32(x, vextq_u32(zero, x, 2)); /* + [0, 0, x0, x1] */
        uint32x4_t block_total = vdupq_laneq_u32(x, 3);
        vst1q_u32(dst + i, vaddq_u32(x, carry));
        carry = vaddq_u32(carry, block_total);
    }
    last = vgetq_lane_u32(carry, 0);
    return floe_k_delta_prefix_u32_scalar(dst + i, deltas + i, count - i, min_delta, last);
}

uint64_t floe_k_delta_prefix_u64_neon(uint64_t *dst, const uint64_t *deltas, size_t count,
                                      uint64_t min_delta, uint64_t last)
{
    const uint64x2_t zero = vdupq_n_u64(0), minimum = vdupq_n_u64(min_delta);
    uint64x2_t carry = vdupq_n_u64(last);
    size_t i = 0;
    for (; i + 4 <= count; i += 4) {
        uint64x2_t x0 = vaddq_u64(vld1q_u64(deltas + i), minimum);
        uint64x2_t x1 = vaddq_u64(vld1q_u64(deltas + i + 2), minimum);
        x0 = vaddq_u64(x0, vextq_u64(zero, x0, 1));
        x1 = vaddq_u64(x1, vextq_u64(zero, x1, 1));
        uint64x2_t total0 = vdupq_laneq_u64(x0, 1);
        x1 = vaddq_u64(x1, total0);
        uint64x2_t block_total = vdupq_laneq_u64(x1, 1);
        vst1q_u64(dst + i, vaddq_u64(x0, carry));
        vst1q_u64(dst + i + 2, vaddq_u64(x1, carry));
        carry = vaddq_u64(carry, block_total);
    }
    last = vgetq_lane_u64(carry, 0);
    return floe_k_delta_prefix_u64_scalar(dst + i, deltas + i, count - i, min_delta, last);
}
