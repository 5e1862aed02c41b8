/*
 * parquet_writer_int.h — the value encoders behind io/parquet_writer.c (private; tests use them).
 *
 * A floe_pq_buffer is a growing byte array (floe_realloc) with a sticky-free API: every append
 * returns FLOE_OK or FLOE_ENOMEM.
 *
 * RLE / bit-packing hybrid (Encodings.md), as floe_pq_rle_encode writes it:
 *
 *   run header (ULEB128)   body
 *   (n << 1) | 0           one value repeated n times, in ceil(bit_width / 8) little-endian bytes
 *   (g << 1) | 1           g groups of 8 values, bit-packed LSB first, bit_width bits each
 *
 * A run of 8 or more equal values becomes an RLE run; the values between such runs are
 * bit-packed in groups of 8 (a group may take the first values of a following repeat so that
 * groups stay whole; the last group of the stream is padded with zeros, which readers drop since
 * they know the value count). No length prefix: the caller adds the 4-byte one for v1 levels or
 * the bit-width byte for dictionary indices.
 *
 * floe_pq_dictionary is the writer's dictionary: a hash set of distinct values (fixed width: the
 * value bytes; variable: the bytes) mapping each to its index in insertion order, with the PLAIN
 * encoding of the entries kept alongside (the DICTIONARY_PAGE body, ready to write).
 */
#ifndef FLOE_IO_PARQUET_WRITER_INT_H
#define FLOE_IO_PARQUET_WRITER_INT_H

#include "kernels/status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct floe_pq_buffer {
    uint8_t *data;
    size_t size;
    size_t capacity;
} floe_pq_buffer;

void floe_pq_buffer_fini(floe_pq_buffer *buffer);
/* Makes room for `extra` more bytes; FLOE_ENOMEM (with message) when it cannot. */
int floe_pq_buffer_reserve(floe_pq_buffer *buffer, size_t extra, floe_error *err);
int floe_pq_buffer_append(floe_pq_buffer *buffer, const void *bytes, size_t length,
                          floe_error *err);

/* Bits needed for values 0..max_value (0 for 0). */
unsigned floe_pq_bit_width(uint32_t max_value);

/* Appends the hybrid encoding of values[0..count) at bit_width (0..32) to out. */
int floe_pq_rle_encode(floe_pq_buffer *out, const uint32_t *values, size_t count,
                       unsigned bit_width, floe_error *err);

/* Appends the DELTA_BINARY_PACKED encoding (Encodings.md) of values[0..count): int64 values
 * when is_int64, else int32 ones. Blocks of 128 deltas in 4 miniblocks of 32; each miniblock
 * takes the bit width of its largest delta above the block's minimum (0 when they are all
 * equal). Deltas wrap in two's complement at the values' own width, as the spec asks, so an
 * int32 miniblock never needs more than 32 bits. */
int floe_pq_delta_encode(floe_pq_buffer *out, const void *values, size_t count, bool is_int64,
                         floe_error *err);

/* Appends the DELTA_BYTE_ARRAY encoding (Encodings.md) of `count` FIXED_LEN_BYTE_ARRAY values
 * of `width` bytes each, back to back at `values`: each value's prefix shared with the one
 * before it (0 for the first), DELTA_BINARY_PACKED; then the rest of each value as
 * DELTA_LENGTH_BYTE_ARRAY (their lengths DELTA_BINARY_PACKED, then their bytes). Big-endian
 * decimals of a few significant bytes share their sign-extension bytes, so a 16-byte sum takes
 * about its significant bytes. `scratch` holds the lengths meanwhile (grown as needed; the
 * caller owns and frees it). */
int floe_pq_delta_byte_array_encode_fixed(floe_pq_buffer *out, const uint8_t *values,
                                          size_t count, size_t width, floe_pq_buffer *scratch,
                                          floe_error *err);

/* Appends booleans (bytes 0/1) bit-packed LSB first (PLAIN BOOLEAN). */
int floe_pq_plain_encode_booleans(floe_pq_buffer *out, const uint8_t *values, size_t count,
                                  floe_error *err);

typedef struct floe_pq_dictionary_slot {
    uint64_t hash;
    uint32_t index;   /* entry number; UINT32_MAX marks an empty slot */
} floe_pq_dictionary_slot;

typedef struct floe_pq_dictionary {
    uint32_t width;                 /* fixed value width; 0: variable-length (BYTE_ARRAY) */
    uint32_t count;                 /* entries */
    floe_pq_dictionary_slot *slots; /* open addressing, power-of-two size */
    uint32_t slot_count;
    floe_pq_buffer plain;           /* PLAIN encoding of the entries, in index order */
    uint32_t *offsets;              /* variable width: where entry i starts in plain (at its
                                     * 4-byte length); grows with count */
    uint32_t offsets_capacity;
} floe_pq_dictionary;

void floe_pq_dictionary_init(floe_pq_dictionary *dictionary, uint32_t width);
void floe_pq_dictionary_fini(floe_pq_dictionary *dictionary);
/* Forgets the entries, keeps the memory. */
void floe_pq_dictionary_clear(floe_pq_dictionary *dictionary);

/* Looks up value (width bytes, or `length` bytes when variable) and sets *index. When absent,
 * *added = true and, unless that would pass the limits (entries > max_entries or plain bytes >
 * max_bytes; then *full = true and nothing is added), it is appended. */
int floe_pq_dictionary_insert(floe_pq_dictionary *dictionary, const void *value, uint32_t length,
                              uint32_t max_entries, size_t max_bytes, uint32_t *index,
                              bool *full, floe_error *err);

/* The PLAIN bytes of entry `index` (variable width: the 4-byte length and the bytes). */
const uint8_t *floe_pq_dictionary_entry(const floe_pq_dictionary *dictionary, uint32_t index,
                                        size_t *size);

/* Truncation of an upper bound: keeps at most max_size bytes of value (whole UTF-8 code points
 * when utf8, at most max_code_points of them when max_code_points > 0), then increments the last
 * byte (code point) that can be, dropping what follows. Writes to out (capacity >= max_size + 4: an incremented code point may need one more
 * byte) and
 * returns its length; returns -1 when no bound exists (every byte 0xFF / every code point the
 * largest). When the value already fits, it is copied unchanged. */
long floe_pq_truncate_upper(uint8_t *out, const uint8_t *value, size_t size, size_t max_size,
                            size_t max_code_points, bool utf8);

/* Length of a prefix of value of at most max_size bytes (whole code points when utf8, at most
 * max_code_points of them when > 0): the truncated lower bound. */
size_t floe_pq_truncate_lower(const uint8_t *value, size_t size, size_t max_size,
                              size_t max_code_points, bool utf8);

#endif
