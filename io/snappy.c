/*
 * snappy.c — decoding raw Snappy blocks, written from google/snappy's format_description.txt.
 *
 * Why our own: Parquet numeric columns written by DuckDB are PLAIN + snappy, so this loop is the
 * scan's inner loop. The distribution's libsnappy is built for a generic x86-64 and decodes such
 * pages at about half the speed a decoder gets from wide unaligned copies.
 *
 * Format (all integers little-endian):
 *
 *   preamble   varint, 1..5 bytes: uncompressed length, at most 2^32 - 1
 *   elements   until the input ends; the low two bits of each tag byte say which:
 *
 *   tag & 3 | element                  | length                      | offset
 *   --------+--------------------------+-----------------------------+----------------------------
 *      0    | literal                  | (tag >> 2) + 1 when <= 60;  | -
 *           |                          | else (tag >> 2) - 59 bytes  |
 *           |                          | follow holding length - 1   |
 *      1    | copy, 1-byte offset      | ((tag >> 2) & 7) + 4        | (tag >> 5) << 8 | next byte
 *      2    | copy, 2-byte offset      | (tag >> 2) + 1              | next 2 bytes
 *      3    | copy, 4-byte offset      | (tag >> 2) + 1              | next 4 bytes
 *
 * LITERAL_LENGTH_WRAP: a long literal's length is its stored value + 1 computed in 32 bits, as
 * libsnappy does, so a stored 0xFFFFFFFF is an empty literal, not one of 2^32 bytes: Floe
 * accepts and rejects exactly the blocks the reference decoder does (tests/fuzz/fuzz_snappy.c
 * checks that both agree).
 *
 * A copy repeats `length` bytes starting `offset` bytes back in the output; length may exceed
 * offset (run-length encoding), so a copy is byte-sequential, not a memmove. Offset 0, and
 * offsets reaching before the start of the output, are invalid.
 *
 * Speed comes from two loops. The fast loop runs while at least FAST_INPUT_SLACK bytes of input
 * and FAST_OUTPUT_SLACK bytes of output remain: there every element's bytes are known to be in
 * bounds (a tag needs at most 5 bytes, a short literal at most 61, a copy writes at most 64), so
 * it copies in whole 16- or 8-byte chunks and may write up to 15 bytes past the element's end
 * (later elements overwrite them), and only checks copy offsets and long literals. Copies with
 * offsets below 8 are expanded from an 8-byte pattern built with one multiply. The slow loop
 * decodes the last bytes with exact checks on every length. Both loops are plain C11 with
 * unaligned access through memcpy, which compilers turn into single loads and stores on x86-64
 * and aarch64; no intrinsics were needed.
 */
#include "io/snappy.h"

#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define SNAPPY_LIKELY(x) __builtin_expect(!!(x), 1)
#define SNAPPY_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define SNAPPY_LIKELY(x) (x)
#define SNAPPY_UNLIKELY(x) (x)
#endif

enum {
    FAST_INPUT_SLACK = 65,  /* tag + a 60-byte literal rounded up to 64 in 16-byte chunks */
    FAST_OUTPUT_SLACK = 65, /* a 64-byte copy in 16-byte chunks, plus one so `<` suffices */
    LONGEST_SHORT_LITERAL = 60,
};

static inline uint32_t load16_le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static inline uint32_t load32_le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void store64_le(uint8_t *p, uint64_t value)
{
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__)
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    value = __builtin_bswap64(value);
#endif
#endif
    memcpy(p, &value, 8);
}

/* Non-overlapping fixed-size copies: one unaligned load and store each. */
static inline void copy8(uint8_t *to, const uint8_t *from)
{
    memcpy(to, from, 8);
}

static inline void copy16(uint8_t *to, const uint8_t *from)
{
    memcpy(to, from, 16);
}

/* The last 8 output bytes kept in a register ("window"). Numeric Parquet pages decode as
 * alternating 1-2 byte literals and 6-7 byte copies at offset 8, so each copy's source bytes were
 * written moments earlier by two different stores; loading them back waits on store-to-load
 * forwarding. Short copies with offsets up to 8 are instead built from the window, and the
 * window is updated from values already in registers (offset 8, the common case, is a rotate).
 * Measured on x86-64 this only pays together with the tag-derived input step in the fast loop:
 * with the step read from copy_tag_table, that load chain bounds the loop instead. Little-endian
 * only (the window's byte order is the output's); elsewhere the plain memory path is used. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SNAPPY_WINDOW 1
#endif
#endif
#ifndef SNAPPY_WINDOW
#define SNAPPY_WINDOW 0
#endif

#if SNAPPY_WINDOW
static inline uint64_t load64(const uint8_t *p)
{
    uint64_t value;
    memcpy(&value, p, 8);
    return value;
}

static inline void store64(uint8_t *p, uint64_t value)
{
    memcpy(p, &value, 8);
}

/* The window after appending the low n (1..8) bytes of `bytes`: the oldest n bytes drop out.
 * The right shift is split in two so n = 8 never shifts by the full width. */
static inline uint64_t window_push(uint64_t window, uint64_t bytes, size_t n)
{
    return (window >> 8 >> (8 * n - 8)) | (bytes << (64 - 8 * n));
}

static inline uint64_t rotate_right(uint64_t value, unsigned bits)
{
    return (value >> (bits & 63)) | (value << (-bits & 63));
}
#endif

/* For offsets 1..7: multiplying the `offset` pattern bytes by this repeats them across 8 bytes
 * (the shifted copies occupy disjoint bits, so there are no carries). */
static const uint64_t pattern_spread[8] = {
    0,
    0x0101010101010101u,
    0x0001000100010001u,
    0x0001000001000001u,
    0x0000000100000001u,
    0x0000010000000001u,
    0x0001000000000001u,
    0x0100000000000001u,
};

/* For offsets 1..7: the smallest multiple of the offset that is at least 8. Once 8 bytes of the
 * pattern are written, copying 8 bytes from that far back continues the same pattern without
 * overlap between source and destination. */
static const uint8_t pattern_step[8] = {0, 8, 8, 9, 8, 10, 12, 14};

/* Mask of the low n bytes, for literal lengths stored in 1..4 bytes. */
static const uint32_t length_byte_mask[5] = {0, 0xFFu, 0xFFFFu, 0xFFFFFFu, 0xFFFFFFFFu};

int floe_io_snappy_uncompressed_length(const void *src, size_t src_size, size_t *length,
                                       floe_error *err)
{
    const uint8_t *bytes = src;
    uint64_t value = 0;
    if (length) *length = 0;
    FLOE_RETURN_IF(length == NULL || (src == NULL && src_size > 0), FLOE_EINVAL, err,
                   "snappy: uncompressed_length: NULL argument");
    for (size_t i = 0; i < 5; i++) {
        FLOE_RETURN_IF(i >= src_size, FLOE_ECORRUPT, err,
                       "snappy: preamble varint truncated at input offset %zu", i);
        value |= (uint64_t)(bytes[i] & 0x7F) << (7 * i);
        if ((bytes[i] & 0x80) == 0) {
            FLOE_RETURN_IF(value > FLOE_IO_SNAPPY_MAX_UNCOMPRESSED_LENGTH, FLOE_ECORRUPT, err,
                           "snappy: preamble at input offset 0 announces %llu bytes, more than 2^32 - 1",
                           (unsigned long long)value);
            *length = (size_t)value;
            return FLOE_OK;
        }
    }
    return floe_error_set(err, FLOE_ECORRUPT,
                          "snappy: preamble varint longer than 5 bytes at input offset 0");
}

/* Size of the preamble varint, which floe_io_snappy_uncompressed_length has already validated. */
static size_t preamble_size(const uint8_t *src)
{
    size_t size = 1;
    while (src[size - 1] & 0x80) size++;
    return size;
}

static int copy_offset_error(const uint8_t *src, const uint8_t *tag_at, size_t offset,
                             size_t produced, floe_error *err)
{
    if (offset == 0)
        return floe_error_set(err, FLOE_ECORRUPT, "snappy: copy at input offset %zu has offset 0",
                              (size_t)(tag_at - src));
    return floe_error_set(err, FLOE_ECORRUPT,
                          "snappy: copy at input offset %zu reaches %zu bytes back, but only %zu "
                          "bytes were produced",
                          (size_t)(tag_at - src), offset, produced);
}

static int overflow_error(const uint8_t *src, const uint8_t *tag_at, size_t length,
                          size_t room, floe_error *err)
{
    return floe_error_set(err, FLOE_ECORRUPT,
                          "snappy: element at input offset %zu writes %zu bytes, but only %zu of "
                          "the announced output remain",
                          (size_t)(tag_at - src), length, room);
}

/* What a copy tag says, decoded once into a table so the fast loop needs no branch on the tag's
 * kind: bits 0..7 the copy length, bits 8..10 how many offset bytes follow the tag (1, 2 or 4),
 * bits 11..13 the offset's high bits carried in the tag (kind 1 only), bits 16..20 the right
 * shift that turns 0xFFFFFFFF into the mask of the offset bytes. Literal tags map to 0. */
#define COPY_ENTRY(length, offset_bytes, high)                                                    \
    ((uint32_t)(length) | (uint32_t)(offset_bytes) << 8 | (uint32_t)(high) << 11 |              \
     (uint32_t)(32 - 8 * (offset_bytes)) << 16)
#define TAG_ENTRY(t)                                                                              \
    (((t) & 3) == 0   ? 0u                                                                        \
     : ((t) & 3) == 1 ? COPY_ENTRY((((t) >> 2) & 7) + 4, 1, (t) >> 5)                            \
     : ((t) & 3) == 2 ? COPY_ENTRY(((t) >> 2) + 1, 2, 0)                                         \
                      : COPY_ENTRY(((t) >> 2) + 1, 4, 0))
#define TAG_ENTRIES_4(t) TAG_ENTRY(t), TAG_ENTRY((t) + 1), TAG_ENTRY((t) + 2), TAG_ENTRY((t) + 3)
#define TAG_ENTRIES_16(t)                                                                         \
    TAG_ENTRIES_4(t), TAG_ENTRIES_4((t) + 4), TAG_ENTRIES_4((t) + 8), TAG_ENTRIES_4((t) + 12)
#define TAG_ENTRIES_64(t)                                                                         \
    TAG_ENTRIES_16(t), TAG_ENTRIES_16((t) + 16), TAG_ENTRIES_16((t) + 32),                       \
        TAG_ENTRIES_16((t) + 48)

static const uint32_t copy_tag_table[256] = {
    TAG_ENTRIES_64(0), TAG_ENTRIES_64(64), TAG_ENTRIES_64(128), TAG_ENTRIES_64(192),
};

/* Copies `length` (1..64) bytes from `offset` back, in the fast loop where 64 bytes past `to`
 * are writable, so whole chunks may be written past `length`. */
static inline void fast_copy(uint8_t *to, size_t offset, size_t length)
{
    const uint8_t *from = to - offset;
    if (SNAPPY_LIKELY(offset >= 16)) {
        copy16(to, from);
        for (size_t i = 16; i < length; i += 16) copy16(to + i, from + i);
    } else if (offset >= 8) {
        copy8(to, from);
        copy8(to + 8, from + 8);
        for (size_t i = 16; i < length; i += 8) copy8(to + i, from + i);
    } else {
        uint64_t pattern = 0;
        for (size_t i = 0; i < offset; i++) pattern |= (uint64_t)from[i] << (8 * i);
        store64_le(to, pattern * pattern_spread[offset]);
        size_t step = pattern_step[offset];
        for (size_t i = 8; i < length; i += 8) copy8(to + i, to + i - step);
    }
}

/* Decodes the elements of (src, src_size) from input position `start` into dst (non-NULL, even
 * when dst_size is 0). */
static int decode_elements(uint8_t *dst, size_t dst_size, const uint8_t *src, size_t src_size,
                           size_t start, floe_error *err)
{
    const uint8_t *ip = src + start;
    const uint8_t *const ip_end = src + src_size;
    uint8_t *op = dst;
    uint8_t *const op_end = dst + dst_size;
    /* The fast loop runs while ip < ip_fast and op < op_fast; when a buffer is too small for the
     * slack, its limit is its start, which ip and op never lie below. */
    const uint8_t *const ip_fast = src_size > FAST_INPUT_SLACK ? ip_end - FAST_INPUT_SLACK : src;
    uint8_t *const op_fast = dst_size > FAST_OUTPUT_SLACK ? op_end - FAST_OUTPUT_SLACK : dst;

#if SNAPPY_WINDOW
    /* Bytes before dst read as zeros; copies never reach them (offset <= op - dst is checked). */
    uint64_t window = 0;
#endif
    while (SNAPPY_LIKELY(ip < ip_fast && op < op_fast)) {
        const uint32_t tag = ip[0];
        if ((tag & 3) == 0) {
            size_t length = (tag >> 2) + 1;
            if (SNAPPY_LIKELY(length <= 16)) {
                copy16(op, ip + 1);
#if SNAPPY_WINDOW
                window = length <= 8 ? window_push(window, load64(ip + 1), length)
                                     : load64(ip + 1 + length - 8);
#endif
            } else if (length <= LONGEST_SHORT_LITERAL) {
                for (size_t i = 0; i < length; i += 16) copy16(op + i, ip + 1 + i);
#if SNAPPY_WINDOW
                window = load64(ip + 1 + length - 8);
#endif
            } else {
                const uint8_t *const tag_at = ip;
                const size_t length_bytes = length - LONGEST_SHORT_LITERAL;
                /* In 32 bits, as libsnappy computes it (see LITERAL_LENGTH_WRAP). */
                length = (uint32_t)((load32_le(ip + 1) & length_byte_mask[length_bytes]) + 1);
                ip += length_bytes;
                if (SNAPPY_UNLIKELY(length > (size_t)(ip_end - ip - 1)))
                    return floe_error_set(err, FLOE_ECORRUPT,
                                          "snappy: literal at input offset %zu is %zu bytes long, "
                                          "but only %zu input bytes remain",
                                          (size_t)(tag_at - src), length,
                                          (size_t)(ip_end - ip - 1));
                if (SNAPPY_UNLIKELY(length > (size_t)(op_end - op)))
                    return overflow_error(src, tag_at, length, (size_t)(op_end - op), err);
                memcpy(op, ip + 1, length);
#if SNAPPY_WINDOW
                /* A long form may still carry a short length; the fast loop's input slack
                 * keeps 8 bytes after ip readable. */
                if (length != 0)
                    window = length >= 8 ? load64(ip + 1 + length - 8)
                                         : window_push(window, load64(ip + 1), length);
#endif
            }
            ip += 1 + length;
            op += length;
            continue;
        }
        const uint32_t entry = copy_tag_table[tag];
        const size_t length = entry & 0xFF;
        const size_t offset =
            (load32_le(ip + 1) & (0xFFFFFFFFu >> (entry >> 16))) | ((entry >> 3) & 0x700);
        /* offset - 1 wraps for offset 0, so one comparison rejects both bad cases. */
        if (SNAPPY_UNLIKELY(offset - 1 >= (size_t)(op - dst)))
            return copy_offset_error(src, ip, offset, (size_t)(op - dst), err);
        /* The input step (1 + 1, 2 or 4 offset bytes) comes straight from the tag, not through
         * the table: the next tag's address waits on this sum, and a table load in between
         * would lengthen that chain by a load latency per element. */
        ip += (0x5320u >> (4 * (tag & 3))) & 0xF;
#if SNAPPY_WINDOW
        /* offset <= op - dst, so the window bytes used here are real output bytes. */
        if (offset == 8 && length <= 16) {
            store64(op, window);
            store64(op + 8, window);
            window = rotate_right(window, 8 * (unsigned)length);
        } else if (length <= 8) {
            const uint64_t bytes =
                offset < 8 ? (window >> (64 - 8 * offset)) * pattern_spread[offset]
                           : load64(op - offset);
            store64(op, bytes);
            window = window_push(window, bytes, length);
        } else {
            fast_copy(op, offset, length);
            window = load64(op + length - 8);
        }
#else
        fast_copy(op, offset, length);
#endif
        op += length;
    }

    /* The last bytes of input or output: every length checked exactly, byte-exact writes. */
    while (ip < ip_end) {
        const uint8_t *const tag_at = ip;
        const uint32_t tag = *ip++;
        const size_t input_left = (size_t)(ip_end - ip);
        const size_t output_left = (size_t)(op_end - op);
        if ((tag & 3) == 0) {
            size_t length = (tag >> 2) + 1;
            if (length > LONGEST_SHORT_LITERAL) {
                const size_t length_bytes = length - LONGEST_SHORT_LITERAL;
                FLOE_RETURN_IF(length_bytes > input_left, FLOE_ECORRUPT, err,
                               "snappy: literal length at input offset %zu is truncated",
                               (size_t)(tag_at - src));
                uint32_t stored = 0;
                for (size_t i = 0; i < length_bytes; i++) stored |= (uint32_t)ip[i] << (8 * i);
                length = (uint32_t)(stored + 1); /* LITERAL_LENGTH_WRAP */
                ip += length_bytes;
            }
            FLOE_RETURN_IF(length > (size_t)(ip_end - ip), FLOE_ECORRUPT, err,
                           "snappy: literal at input offset %zu is %zu bytes long, but only %zu "
                           "input bytes remain",
                           (size_t)(tag_at - src), length, (size_t)(ip_end - ip));
            if (length > output_left) return overflow_error(src, tag_at, length, output_left, err);
            memcpy(op, ip, length);
            ip += length;
            op += length;
            continue;
        }
        static const uint8_t offset_bytes[4] = {0, 1, 2, 4};
        FLOE_RETURN_IF(offset_bytes[tag & 3] > input_left, FLOE_ECORRUPT, err,
                       "snappy: copy at input offset %zu is truncated", (size_t)(tag_at - src));
        size_t length;
        size_t offset;
        switch (tag & 3) {
        case 1:
            length = ((tag >> 2) & 7) + 4;
            offset = (size_t)(tag >> 5) << 8 | ip[0];
            break;
        case 2:
            length = (tag >> 2) + 1;
            offset = load16_le(ip);
            break;
        default:
            length = (tag >> 2) + 1;
            offset = load32_le(ip);
            break;
        }
        ip += offset_bytes[tag & 3];
        if (offset - 1 >= (size_t)(op - dst))
            return copy_offset_error(src, tag_at, offset, (size_t)(op - dst), err);
        if (length > output_left) return overflow_error(src, tag_at, length, output_left, err);
        const uint8_t *from = op - offset;
        if (offset >= length) {
            memcpy(op, from, length);
        } else {
            for (size_t i = 0; i < length; i++) op[i] = from[i];
        }
        op += length;
    }

    FLOE_RETURN_IF(op != op_end, FLOE_ECORRUPT, err,
                   "snappy: input ends at input offset %zu after %zu of the %zu announced output "
                   "bytes",
                   src_size, (size_t)(op - dst), dst_size);
    return FLOE_OK;
}

int floe_io_snappy_decompress(void *dst, size_t dst_size, const void *src, size_t src_size,
                              size_t *written, floe_error *err)
{
    if (written) *written = 0;
    FLOE_RETURN_IF((dst == NULL && dst_size > 0) || (src == NULL && src_size > 0), FLOE_EINVAL,
                   err, "snappy: decompress: NULL buffer");
    size_t announced;
    FLOE_TRY(floe_io_snappy_uncompressed_length(src, src_size, &announced, err));
    FLOE_RETURN_IF(announced != dst_size, FLOE_ECORRUPT, err,
                   "snappy: preamble at input offset 0 announces %zu uncompressed bytes, expected %zu",
                   announced, dst_size);
    const size_t start = preamble_size(src);
    /* An empty output may still be followed by elements: a long literal whose length wraps to 0
     * (LITERAL_LENGTH_WRAP) produces nothing, and libsnappy accepts it. Any other element
     * overflows, which decode_elements reports; it needs a real buffer even for 0 bytes. */
    uint8_t no_output[1];
    FLOE_TRY(decode_elements(dst_size > 0 ? dst : no_output, dst_size, src, src_size, start, err));
    if (written) *written = dst_size;
    return FLOE_OK;
}
