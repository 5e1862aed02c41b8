/*
 * parquet_encoding.h — decoders for Parquet's value encodings (apache/parquet-format
 * Encodings.md): the pieces that turn a decompressed page body into values.
 *
 * Every decoder is a pure function over (src, src_size): it reads only src[0..src_size), checks
 * every length it reads against what the input can hold, and reports a bad byte as FLOE_ECORRUPT
 * with one line naming the encoding and the byte offset (relative to src; the caller prefixes the
 * file, column and page). Output goes to caller-provided arrays whose capacity the caller states;
 * a count read from the input that exceeds that capacity is corrupt, so nothing is ever allocated
 * from an input number alone. Values are written in host order, which must be little-endian
 * (x86-64, aarch64), so fixed-width PLAIN is a memcpy.
 *
 *   encoding                    functions                          output
 *   RLE/bit-packing hybrid (3)  floe_pq_rle_*                       uint32 (levels, codes), or
 *                                                                   bytes 0/1 for booleans
 *   PLAIN (0)                   floe_pq_plain_*                     fixed width, booleans as
 *                                                                   bytes, INT96 as microseconds,
 *                                                                   strings as references
 *   DELTA_BINARY_PACKED (5)     floe_pq_delta_binary_packed_*       int32 or int64
 *   DELTA_LENGTH_BYTE_ARRAY (6) floe_pq_delta_length_byte_array     string references into src
 *   DELTA_BYTE_ARRAY (7)        floe_pq_delta_byte_array            string references into a
 *                                                                   heap from a caller's arena
 *   BYTE_STREAM_SPLIT (9)       floe_pq_byte_stream_split           fixed width
 *   RLE_DICTIONARY (8)          floe_pq_dictionary_indices_init     codes, then
 *                               + floe_pq_dictionary_gather_*       values of the dictionary
 *
 * Strings: decoders emit floe_string_ref (offset, length) relative to a base pointer the caller
 * knows (the page buffer for PLAIN and DELTA_LENGTH_BYTE_ARRAY, the arena heap for
 * DELTA_BYTE_ARRAY). A column reader can point a floe_vector's `heap` at that base (a view valid
 * while the page buffer lives) or copy with floe_pq_strings_copy_to_vector. Offsets are 32-bit:
 * a page body over 4 GiB is FLOE_EUNSUPPORTED.
 *
 * Nothing here allocates except DELTA_LENGTH_BYTE_ARRAY / DELTA_BYTE_ARRAY (a scratch array of
 * lengths through floe_malloc, sized by the caller's capacity, freed before return) and
 * DELTA_BYTE_ARRAY's string heap from the caller's arena (its limit bounds it).
 * Errors: FLOE_ECORRUPT (bad input), FLOE_EINVAL (bad arguments: a bit width over 32, ...),
 * FLOE_ENOMEM, FLOE_EUNSUPPORTED (sizes beyond 32-bit offsets), FLOE_ERANGE (INT96 outside the
 * int64 microsecond range).
 */
#ifndef FLOE_IO_PARQUET_ENCODING_H
#define FLOE_IO_PARQUET_ENCODING_H

#include "kernels/arena.h"
#include "kernels/status.h"
#include "kernels/vector.h"

#include <stddef.h>
#include <stdint.h>

/* ---- RLE / bit-packing hybrid ------------------------------------------------------------ */

/* A streaming decoder over encoded-data (no length prefix). Runs: a ULEB128 header h; h odd:
 * (h >> 1) groups of 8 values bit-packed LSB first (floe_k_unpack32); h even: (h >> 1) copies of
 * one value stored in ceil(bit_width / 8) little-endian bytes. Run lengths must be 1..2^31-1; an
 * RLE value must fit in bit_width bits. A bit-packed run cut short by the end of the buffer (as
 * some writers leave the last run) yields the values its remaining bytes hold completely, then
 * the stream ends — the caller's value count decides whether that is enough. */
typedef struct floe_pq_rle_decoder {
    const uint8_t *data;       /* encoded-data, not owned */
    size_t size;               /* bytes of data */
    size_t position;           /* next unread byte of data */
    unsigned bit_width;        /* 0..32 */
    uint32_t repeat_value;     /* value of the current RLE run */
    uint64_t repeat_left;      /* values left in the current RLE run */
    uint64_t packed_left;      /* values left in the current bit-packed run (after buffered) */
    uint32_t group[8];         /* one unpacked group, handed out piecewise */
    unsigned group_count;      /* values in group */
    unsigned group_position;   /* next value of group to hand out */
    int ended;                 /* a truncated bit-packed run ended the stream */
} floe_pq_rle_decoder;

/* Prepares decoding of src[0..src_size) with bit_width 0..32 (FLOE_EINVAL otherwise). */
int floe_pq_rle_init(floe_pq_rle_decoder *decoder, const uint8_t *src, size_t src_size,
                     unsigned bit_width, floe_error *err);

/* Writes up to `count` values to dst; *decoded < count only when the stream has ended. */
int floe_pq_rle_next(floe_pq_rle_decoder *decoder, uint32_t *dst, size_t count, size_t *decoded,
                     floe_error *err);

/* Exactly `count` values, FLOE_ECORRUPT when the stream ends before. */
int floe_pq_rle_read(floe_pq_rle_decoder *decoder, uint32_t *dst, size_t count, floe_error *err);

/* The 4-byte little-endian length prefix that data page v1 puts before levels and before RLE
 * booleans: sets *data / *data_size to the encoded-data it frames and *consumed to 4 + length.
 * (Data page v2 levels have no prefix: their lengths come from the page header; call
 * floe_pq_rle_init on that slice directly.) */
int floe_pq_rle_length_prefixed(const uint8_t *src, size_t src_size, const uint8_t **data,
                                size_t *data_size, size_t *consumed, floe_error *err);

/* RLE-encoded BOOLEAN values (length prefix, bit width 1) into bytes 0/1; *consumed bytes. */
int floe_pq_rle_booleans(uint8_t *dst, size_t count, const uint8_t *src, size_t src_size,
                         size_t *consumed, floe_error *err);

/* RLE_DICTIONARY / PLAIN_DICTIONARY data page: one byte of bit width (0..32), then the hybrid
 * without length prefix. */
int floe_pq_dictionary_indices_init(floe_pq_rle_decoder *decoder, const uint8_t *src,
                                    size_t src_size, floe_error *err);

/* ---- PLAIN ------------------------------------------------------------------------------- */

/* `count` values of `width` bytes each (INT32 4, INT64 8, FLOAT 4, DOUBLE 8, INT96 12,
 * FIXED_LEN_BYTE_ARRAY its length): a copy; *consumed = count * width. */
int floe_pq_plain_fixed(void *dst, size_t count, size_t width, const uint8_t *src,
                        size_t src_size, size_t *consumed, floe_error *err);

/* `count` booleans starting at bit `first_bit` of src (bit-packed LSB first) into bytes 0/1,
 * so a page can be decoded in several calls. */
int floe_pq_plain_booleans(uint8_t *dst, size_t count, const uint8_t *src, size_t src_size,
                           size_t first_bit, floe_error *err);

/* INT96 timestamps (8 bytes little-endian nanoseconds of the day, 4 bytes little-endian Julian
 * day number) as int64 microseconds since 1970-01-01 (Julian day 2440588); nanoseconds are
 * floored to microseconds. FLOE_ERANGE when a value does not fit. */
enum { FLOE_PQ_JULIAN_DAY_OF_UNIX_EPOCH = 2440588 };
int floe_pq_int96_to_micros(int64_t *dst, size_t count, const uint8_t *src, size_t src_size,
                            size_t *consumed, floe_error *err);

/* BYTE_ARRAY: `count` values of (uint32 little-endian length, bytes) into references relative
 * to src; *consumed bytes. */
int floe_pq_plain_byte_array(floe_string_ref *dst, size_t count, const uint8_t *src,
                             size_t src_size, size_t *consumed, floe_error *err);

/* Copies `count` strings (references into `base`) into the vector's own heap at rows
 * first_row.. (floe_vector_set_string). */
int floe_pq_strings_copy_to_vector(floe_vector *vector, uint32_t first_row, const uint8_t *base,
                                   const floe_string_ref *refs, size_t count, floe_error *err);

/* ---- DELTA_BINARY_PACKED ----------------------------------------------------------------- */

/* Decodes a whole DELTA_BINARY_PACKED stream: the header's total value count goes to *decoded
 * and must be at most `capacity` (the values the caller expects, e.g. the page's non-null
 * count); *consumed is the bytes the stream took (what follows it is the next section in
 * DELTA_LENGTH_BYTE_ARRAY / DELTA_BYTE_ARRAY). Block size a positive multiple of 128, values
 * per miniblock a multiple of 32, miniblock bit widths up to 32 (int32) or 64 (int64);
 * arithmetic wraps (two's complement) as the spec says. */
int floe_pq_delta_binary_packed_int32(int32_t *dst, size_t capacity, const uint8_t *src,
                                      size_t src_size, size_t *decoded, size_t *consumed,
                                      floe_error *err);
int floe_pq_delta_binary_packed_int64(int64_t *dst, size_t capacity, const uint8_t *src,
                                      size_t src_size, size_t *decoded, size_t *consumed,
                                      floe_error *err);

/* ---- DELTA_LENGTH_BYTE_ARRAY / DELTA_BYTE_ARRAY ------------------------------------------ */

/* Lengths (DELTA_BINARY_PACKED), then the bytes back to back: references relative to src.
 * The stream's value count goes to *decoded (at most capacity); *consumed bytes. */
int floe_pq_delta_length_byte_array(floe_string_ref *dst, size_t capacity, const uint8_t *src,
                                    size_t src_size, size_t *decoded, size_t *consumed,
                                    floe_error *err);

/* Prefix lengths (DELTA_BINARY_PACKED), then suffixes (DELTA_LENGTH_BYTE_ARRAY): each value is
 * the first prefix[i] bytes of the previous value followed by suffix i. The values are built in
 * one heap allocated from `arena`; *heap points at it and dst holds references relative to it.
 * FLOE_ENOMEM when the arena refuses (its limit). */
int floe_pq_delta_byte_array(floe_string_ref *dst, size_t capacity, const uint8_t *src,
                             size_t src_size, floe_arena *arena, const uint8_t **heap,
                             size_t *decoded, size_t *consumed, floe_error *err);

/* ---- BYTE_STREAM_SPLIT ------------------------------------------------------------------- */

/* `count` values of `width` bytes scattered over `width` streams of `count` bytes each; the page
 * body must be exactly count * width bytes. width 4, 8 (FLOAT, DOUBLE, INT32, INT64) or the
 * FIXED_LEN_BYTE_ARRAY length. */
int floe_pq_byte_stream_split(void *dst, size_t count, size_t width, const uint8_t *src,
                              size_t src_size, floe_error *err);

/* ---- Dictionary gather ------------------------------------------------------------------- */

/* FLOE_ECORRUPT "dictionary index N out of range (dictionary has M entries)" unless every code
 * is below dictionary_count. For consumers that keep the codes (DICTIONARY vectors). */
int floe_pq_dictionary_check(const uint32_t *codes, size_t count, size_t dictionary_count,
                             floe_error *err);

/* dst[i] = dictionary[codes[i]] for values of `width` bytes; every code is checked first. */
int floe_pq_dictionary_gather_fixed(void *dst, const void *dictionary, size_t dictionary_count,
                                    size_t width, const uint32_t *codes, size_t count,
                                    floe_error *err);

/* The same for strings: references are copied, so they stay relative to the dictionary's base. */
int floe_pq_dictionary_gather_strings(floe_string_ref *dst, const floe_string_ref *dictionary,
                                      size_t dictionary_count, const uint32_t *codes,
                                      size_t count, floe_error *err);

#endif
