/*
 * parquet_encoding_int.h — helpers shared by the encoding decoders (private to io/parquet_*.c).
 *
 * ULEB128 (Encodings.md "varint-encode"): 7 bits per byte, least significant group first, high
 * bit set on every byte but the last. A uint64 takes at most 10 bytes, and the 10th may only
 * carry the top bit; longer or overflowing forms are corrupt. Zigzag maps 0,-1,1,-2.. to 0,1,2,3..
 */
#ifndef FLOE_IO_PARQUET_ENCODING_INT_H
#define FLOE_IO_PARQUET_ENCODING_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "Floe's Parquet decoders assume a little-endian host"
#endif

/* Reads a ULEB128 at *position; returns 0 and advances, or -1 (truncated or overlong). */
static inline int floe_pq_read_uleb128(const uint8_t *src, size_t src_size, size_t *position,
                                       uint64_t *value)
{
    uint64_t result = 0;
    size_t at = *position;
    for (unsigned shift = 0; shift < 70; shift += 7) {
        if (at >= src_size) return -1;
        uint8_t byte = src[at++];
        if (shift == 63 && (byte & 0x7e) != 0) return -1; /* bits past 64 */
        result |= (uint64_t)(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) {
            *position = at;
            *value = result;
            return 0;
        }
    }
    return -1;
}

static inline uint64_t floe_pq_zigzag_decode(uint64_t value)
{
    return (value >> 1) ^ (0 - (value & 1));
}

static inline uint32_t floe_pq_load_le32(const uint8_t *p)
{
    uint32_t value;
    memcpy(&value, p, sizeof value);
    return value;
}

#endif
