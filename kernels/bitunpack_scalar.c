/*
 * bitunpack_scalar.c — the reference bit-unpacker: the meaning every SIMD variant must match.
 *
 * Parquet's bit-packed run (Encodings.md, RLE/bit-packing hybrid) stores value i in bits
 * [i*w, (i+1)*w) of the byte stream, where bit k is bit (k % 8) of byte k / 8: least significant
 * bit first. Value i therefore lies in the 64-bit little-endian word starting at byte (i*w)/8,
 * shifted right by (i*w)%8: at most 7 + 32 = 39 bits, inside one 8-byte load. Values whose
 * 8-byte window fits inside the bytes the contract allows us to read take that load; the last
 * few assemble their bits byte by byte, so nothing past floe_k_unpack32_bytes() is ever read.
 */
#include "bitunpack.h"

#include "status.h"

#include <string.h>

static inline uint64_t load_le64(const uint8_t *bytes)
{
    uint64_t word;
    memcpy(&word, bytes, sizeof word); /* little-endian targets only (x86-64, aarch64) */
    return word;
}

int floe_k_unpack32_scalar(uint32_t *dst, const uint8_t *src, size_t src_size, size_t count,
                           unsigned bit_width)
{
    if (bit_width > 32) return FLOE_EINVAL;
    size_t needed = floe_k_unpack32_bytes(count, bit_width);
    if (src_size < needed) return FLOE_ECORRUPT;
    if (bit_width == 0) {
        for (size_t i = 0; i < count; i++) dst[i] = 0;
        return FLOE_OK;
    }
    if (bit_width == 32) { /* the stream is the little-endian values themselves */
        memcpy(dst, src, needed);
        return FLOE_OK;
    }
    uint64_t mask = ((uint64_t)1 << bit_width) - 1;
    size_t i = 0;
    /* Fast part: value i's 8-byte window [bit/8, bit/8 + 8) lies inside the readable bytes. */
    if (needed >= 8) {
        size_t last_window = needed - 8; /* highest byte offset an 8-byte load may start at */
        for (; i < count; i++) {
            size_t bit = i * bit_width;
            size_t byte = bit >> 3;
            if (byte > last_window) break;
            dst[i] = (uint32_t)((load_le64(src + byte) >> (bit & 7)) & mask);
        }
    }
    /* Tail: gather the remaining values a byte at a time. */
    size_t bit = i * bit_width;
    size_t byte = bit >> 3;
    unsigned pending = 0;  /* bits in buffer */
    uint64_t buffer = 0;   /* unconsumed bits, lowest first */
    if (i < count && (bit & 7) != 0) {
        buffer = src[byte++] >> (bit & 7);
        pending = 8 - (unsigned)(bit & 7);
    }
    for (; i < count; i++) {
        while (pending < bit_width) { /* pending < 32 here, so at most 39 bits buffered */
            buffer |= (uint64_t)src[byte++] << pending;
            pending += 8;
        }
        dst[i] = (uint32_t)(buffer & mask);
        buffer >>= bit_width;
        pending -= bit_width;
    }
    return FLOE_OK;
}
