/*
 * bitunpack.h — unpacking of bit-packed unsigned integers, as Parquet stores dictionary indices,
 * definition/repetition levels and booleans (Encodings.md, "bit-packed" within the RLE/bit-packing
 * hybrid): values of `bit_width` bits packed little-endian, least significant bit first, value 0
 * in the lowest bits of byte 0.
 *
 * floe_k_unpack32(dst, src, src_size, count, bit_width) writes `count` values to dst[0..count).
 *   - bit_width is 0..32; width 0 writes zeros and reads nothing.
 *   - It reads only src[0 .. floe_k_unpack32_bytes(count, bit_width)); src_size must be at least
 *     that (FLOE_ECORRUPT otherwise, nothing written). Vector variants never read past it either.
 *   - Returns FLOE_OK, FLOE_EINVAL for a bit_width above 32.
 * The caller owns both buffers; nothing is allocated.
 *
 * Variants: _scalar (the reference, always built), _avx2 (x86-64), _neon (aarch64); the plain name
 * calls the variant the dispatch table chose (kernels/dispatch.h).
 */
#ifndef FLOE_KERNELS_BITUNPACK_H
#define FLOE_KERNELS_BITUNPACK_H

#include <stddef.h>
#include <stdint.h>

static inline size_t floe_k_unpack32_bytes(size_t count, unsigned bit_width)
{
    return (count * bit_width + 7) / 8;
}

typedef int (*floe_k_unpack32_fn)(uint32_t *dst, const uint8_t *src, size_t src_size,
                                  size_t count, unsigned bit_width);

int floe_k_unpack32(uint32_t *dst, const uint8_t *src, size_t src_size, size_t count,
                    unsigned bit_width);

int floe_k_unpack32_scalar(uint32_t *dst, const uint8_t *src, size_t src_size, size_t count,
                           unsigned bit_width);
int floe_k_unpack32_avx2(uint32_t *dst, const uint8_t *src, size_t src_size, size_t count,
                         unsigned bit_width);
int floe_k_unpack32_neon(uint32_t *dst, const uint8_t *src, size_t src_size, size_t count,
                         unsigned bit_width);

#endif
