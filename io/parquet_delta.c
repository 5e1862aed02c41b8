/*
 * parquet_delta.c — DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY (contract
 * in parquet_encoding.h; format in Encodings.md "Delta Encoding").
 *
 *   header:  ULEB128 block size (values; a positive multiple of 128)
 *            ULEB128 miniblocks per block (values per miniblock a multiple of 32)
 *            ULEB128 total value count
 *            zigzag ULEB128 first value
 *   block:   zigzag ULEB128 min delta, one bit-width byte per miniblock, then the miniblocks:
 *            values-per-miniblock deltas minus min delta, bit-packed LSB first.
 *   Blocks follow until total - 1 deltas are read. The last miniblock used is padded to full
 *   size (but tolerated cut short at the end of the buffer as long as the needed values are
 *   there); miniblocks after it take no bytes, and their width bytes may be anything.
 *
 * Why everything runs in uint64: the spec makes overflow wrap in two's complement, which C only
 * gives for unsigned types; int32 output is the low half (addition modulo 2^64 truncated is
 * addition modulo 2^32).
 *
 * Why unpack then prefix-sum: the inner loop is two kernels, floe_k_unpack32 (or the local
 * 64-bit unpacker) and floe_k_delta_prefix_u32/_u64 (value_i = value_{i-1} + min delta +
 * delta_i, SIMD in-register prefix sums), run in place on the output array. int32 miniblocks
 * are unpacked whole into the output; int64 ones go through 32-value chunks widened from uint32.
 *
 * Why a local 64-bit unpacker: the floe_k_unpack32 kernel covers widths 0..32, while INT64
 * miniblocks may use up to 64 bits. unpack64_scalar below is a plain scalar loop, used only for
 * widths 33..64, which real writers emit only for wildly varying int64 data.
 */
#include "io/parquet_encoding.h"

#include "io/parquet_encoding_int.h"
#include "kernels/bitunpack.h" /* floe_k_unpack32 */
#include "kernels/decode.h"    /* floe_k_delta_prefix_u32/_u64 */
#include "kernels/memory.h"

#include <stdint.h>
#include <string.h>

/* `count` values of `bit_width` (33..64) bits LSB first from src, which holds at least
 * floe_k_unpack32_bytes(count, bit_width) bytes (checked by the caller). */
static void unpack64_scalar(uint64_t *dst, const uint8_t *src, size_t count, unsigned bit_width)
{
    uint64_t mask = bit_width == 64 ? ~(uint64_t)0 : ((uint64_t)1 << bit_width) - 1;
    for (size_t i = 0; i < count; i++) {
        size_t bit = i * bit_width;
        const uint8_t *at = src + (bit >> 3);
        unsigned shift = (unsigned)(bit & 7);
        unsigned bytes = (shift + bit_width + 7) / 8; /* at most 9, all inside the value's span */
        floe_uint128 accumulator = 0;
        for (unsigned k = 0; k < bytes; k++) accumulator |= (floe_uint128)at[k] << (8 * k);
        dst[i] = (uint64_t)(accumulator >> shift) & mask;
    }
}

static int delta_decode(void *dst, int output64, size_t capacity, const uint8_t *src,
                        size_t src_size, size_t *decoded, size_t *consumed, floe_error *err)
{
    *decoded = 0;
    *consumed = 0;
    const char *name = "DELTA_BINARY_PACKED";
    unsigned max_width = output64 ? 64 : 32;
    size_t position = 0;
    uint64_t block_size, miniblocks, total, first;
    FLOE_RETURN_IF(floe_pq_read_uleb128(src, src_size, &position, &block_size) != 0, FLOE_ECORRUPT,
                   err, "%s: truncated header (block size) at byte %zu", name, position);
    FLOE_RETURN_IF(block_size == 0 || block_size % 128 != 0 || block_size > UINT32_MAX,
                   FLOE_ECORRUPT, err, "%s: block size %llu is not a positive multiple of 128",
                   name, (unsigned long long)block_size);
    FLOE_RETURN_IF(floe_pq_read_uleb128(src, src_size, &position, &miniblocks) != 0, FLOE_ECORRUPT,
                   err, "%s: truncated header (miniblock count) at byte %zu", name, position);
    FLOE_RETURN_IF(miniblocks == 0 || block_size % miniblocks != 0 ||
                       (block_size / miniblocks) % 32 != 0,
                   FLOE_ECORRUPT, err,
                   "%s: %llu miniblocks do not divide a block of %llu into multiples of 32", name,
                   (unsigned long long)miniblocks, (unsigned long long)block_size);
    FLOE_RETURN_IF(floe_pq_read_uleb128(src, src_size, &position, &total) != 0, FLOE_ECORRUPT,
                   err, "%s: truncated header (value count) at byte %zu", name, position);
    FLOE_RETURN_IF(total > capacity, FLOE_ECORRUPT, err,
                   "%s: stream holds %llu values, more than the %zu expected", name,
                   (unsigned long long)total, capacity);
    FLOE_RETURN_IF(floe_pq_read_uleb128(src, src_size, &position, &first) != 0, FLOE_ECORRUPT,
                   err, "%s: truncated header (first value) at byte %zu", name, position);

    int32_t *out32 = dst;
    int64_t *out64 = dst;
    uint64_t last = floe_pq_zigzag_decode(first);
    if (total > 0) {
        if (output64) out64[0] = (int64_t)last;
        else out32[0] = (int32_t)(uint32_t)last;
    }
    size_t done = total > 0 ? 1 : 0;
    size_t per_miniblock = (size_t)(block_size / miniblocks);
    while (done < total) {
        size_t block_at = position;
        uint64_t min_delta_raw;
        FLOE_RETURN_IF(floe_pq_read_uleb128(src, src_size, &position, &min_delta_raw) != 0,
                       FLOE_ECORRUPT, err, "%s: truncated min delta of the block at byte %zu",
                       name, block_at);
        uint64_t min_delta = floe_pq_zigzag_decode(min_delta_raw);
        FLOE_RETURN_IF(src_size - position < miniblocks, FLOE_ECORRUPT, err,
                       "%s: truncated bit widths of the block at byte %zu", name, block_at);
        const uint8_t *widths = src + position;
        position += (size_t)miniblocks;
        for (size_t m = 0; m < miniblocks && done < total; m++) {
            unsigned width = widths[m];
            FLOE_RETURN_IF(width > max_width, FLOE_ECORRUPT, err,
                           "%s: miniblock bit width %u above %u at byte %zu", name, width,
                           max_width, (size_t)(widths + m - src));
            size_t values = total - done < per_miniblock ? (size_t)(total - done) : per_miniblock;
            size_t available = src_size - position;
            FLOE_RETURN_IF(floe_k_unpack32_bytes(values, width) > available, FLOE_ECORRUPT, err,
                           "%s: miniblock at byte %zu truncated (%zu values of %u bits, %zu "
                           "bytes left)",
                           name, position, values, width, available);
            if (!output64) {
                /* The whole miniblock unpacked straight into the output, then the prefix sum
                 * in place: int32 needs only the low 32 bits of the running value. */
                uint32_t *out = (uint32_t *)out32 + done;
                FLOE_RETURN_IF(floe_k_unpack32(out, src + position, available, values, width) != 0,
                               FLOE_ECORRUPT, err, "%s: miniblock at byte %zu truncated", name,
                               position);
                last = floe_k_delta_prefix_u32(out, out, values, (uint32_t)min_delta,
                                               (uint32_t)last);
            } else {
                size_t chunk_at = position;
                for (size_t v = 0; v < values; v += 32) {
                    size_t n = values - v < 32 ? values - v : 32;
                    uint64_t *out = (uint64_t *)out64 + done + v;
                    if (width <= 32) {
                        uint32_t narrow[32];
                        FLOE_RETURN_IF(floe_k_unpack32(narrow, src + chunk_at,
                                                       src_size - chunk_at, n, width) != 0,
                                       FLOE_ECORRUPT, err, "%s: miniblock at byte %zu truncated",
                                       name, chunk_at);
                        for (size_t i = 0; i < n; i++) out[i] = narrow[i];
                    } else {
                        unpack64_scalar(out, src + chunk_at, n, width);
                    }
                    last = floe_k_delta_prefix_u64(out, out, n, min_delta, last);
                    chunk_at += 4 * (size_t)width; /* 32 values of `width` bits */
                }
            }
            size_t full = per_miniblock / 8 * width;
            position += full < available ? full : available;
            done += values;
        }
    }
    *decoded = (size_t)total;
    *consumed = position;
    return FLOE_OK;
}

int floe_pq_delta_binary_packed_int32(int32_t *dst, size_t capacity, const uint8_t *src,
                                      size_t src_size, size_t *decoded, size_t *consumed,
                                      floe_error *err)
{
    return delta_decode(dst, 0, capacity, src, src_size, decoded, consumed, err);
}

int floe_pq_delta_binary_packed_int64(int64_t *dst, size_t capacity, const uint8_t *src,
                                      size_t src_size, size_t *decoded, size_t *consumed,
                                      floe_error *err)
{
    return delta_decode(dst, 1, capacity, src, src_size, decoded, consumed, err);
}

/* Lengths then bytes; the lengths go to `lengths` (capacity entries) and the references to dst. */
static int delta_length_decode(floe_string_ref *dst, int32_t *lengths, size_t capacity,
                               const uint8_t *src, size_t src_size, const char *name,
                               size_t *decoded, size_t *consumed, floe_error *err)
{
    size_t count, position;
    int status = delta_decode(lengths, 0, capacity, src, src_size, &count, &position, err);
    if (status < 0) {
        floe_error_prefix(err, "%s lengths", name);
        return status;
    }
    for (size_t i = 0; i < count; i++) {
        FLOE_RETURN_IF(lengths[i] < 0, FLOE_ECORRUPT, err, "%s: value %zu has negative length %d",
                       name, i, lengths[i]);
        FLOE_RETURN_IF((size_t)lengths[i] > src_size - position, FLOE_ECORRUPT, err,
                       "%s: value %zu of %d bytes at byte %zu exceeds the %zu bytes left", name, i,
                       lengths[i], position, src_size - position);
        dst[i].offset = (uint32_t)position;
        dst[i].length = (uint32_t)lengths[i];
        position += (size_t)lengths[i];
    }
    *decoded = count;
    *consumed = position;
    return FLOE_OK;
}

int floe_pq_delta_length_byte_array(floe_string_ref *dst, size_t capacity, const uint8_t *src,
                                    size_t src_size, size_t *decoded, size_t *consumed,
                                    floe_error *err)
{
    *decoded = 0;
    *consumed = 0;
    FLOE_RETURN_IF(src_size > UINT32_MAX, FLOE_EUNSUPPORTED, err,
                   "DELTA_LENGTH_BYTE_ARRAY: page of %zu bytes is beyond 4 GiB", src_size);
    FLOE_RETURN_IF(capacity > SIZE_MAX / 8, FLOE_EINVAL, err,
                   "DELTA_LENGTH_BYTE_ARRAY: capacity %zu too large", capacity);
    int32_t *lengths = floe_malloc((capacity ? capacity : 1) * sizeof *lengths);
    FLOE_RETURN_IF(lengths == NULL, FLOE_ENOMEM, err,
                   "DELTA_LENGTH_BYTE_ARRAY: out of memory for %zu lengths", capacity);
    int status = delta_length_decode(dst, lengths, capacity, src, src_size,
                                     "DELTA_LENGTH_BYTE_ARRAY", decoded, consumed, err);
    floe_free(lengths);
    return status;
}

int floe_pq_delta_byte_array(floe_string_ref *dst, size_t capacity, const uint8_t *src,
                             size_t src_size, floe_arena *arena, const uint8_t **heap,
                             size_t *decoded, size_t *consumed, floe_error *err)
{
    static const char name[] = "DELTA_BYTE_ARRAY";
    *decoded = 0;
    *consumed = 0;
    *heap = NULL;
    FLOE_RETURN_IF(src_size > UINT32_MAX, FLOE_EUNSUPPORTED, err,
                   "%s: page of %zu bytes is beyond 4 GiB", name, src_size);
    FLOE_RETURN_IF(capacity > SIZE_MAX / 16, FLOE_EINVAL, err, "%s: capacity %zu too large",
                   name, capacity);
    int32_t *prefixes = floe_malloc((capacity ? capacity : 1) * 2 * sizeof *prefixes);
    FLOE_RETURN_IF(prefixes == NULL, FLOE_ENOMEM, err, "%s: out of memory for %zu lengths", name,
                   capacity);
    int32_t *suffix_lengths = prefixes + (capacity ? capacity : 1);
    size_t prefix_count, prefix_bytes, suffix_count, suffix_end;
    int status = delta_decode(prefixes, 0, capacity, src, src_size, &prefix_count, &prefix_bytes,
                              err);
    if (status < 0) {
        floe_error_prefix(err, "%s prefix lengths", name);
        goto done;
    }
    status = delta_length_decode(dst, suffix_lengths, capacity, src + prefix_bytes,
                                 src_size - prefix_bytes, "DELTA_BYTE_ARRAY suffix", &suffix_count,
                                 &suffix_end, err);
    if (status < 0) goto done;
    if (suffix_count != prefix_count) {
        status = floe_error_set(err, FLOE_ECORRUPT, "%s: %zu prefix lengths but %zu suffixes", name,
                                prefix_count, suffix_count);
        goto done;
    }
    /* Validate every prefix against the value before it and size the heap. */
    uint64_t total = 0, previous_length = 0;
    for (size_t i = 0; i < prefix_count; i++) {
        if (prefixes[i] < 0 || (uint64_t)prefixes[i] > previous_length) {
            status = floe_error_set(err, FLOE_ECORRUPT,
                                    "%s: value %zu has prefix length %d but the previous value "
                                    "has %llu bytes",
                                    name, i, prefixes[i], (unsigned long long)previous_length);
            goto done;
        }
        previous_length = (uint64_t)prefixes[i] + dst[i].length;
        total += previous_length;
        if (total > UINT32_MAX) {
            status = floe_error_set(err, FLOE_EUNSUPPORTED,
                                    "%s: values add up to more than 4 GiB", name);
            goto done;
        }
    }
    uint8_t *out = floe_arena_alloc(arena, total ? (size_t)total : 1);
    if (out == NULL) {
        status = floe_error_set(err, FLOE_ENOMEM, "%s: out of memory for %llu bytes of values",
                                name, (unsigned long long)total);
        goto done;
    }
    size_t offset = 0, previous_offset = 0;
    for (size_t i = 0; i < prefix_count; i++) {
        size_t prefix = (size_t)prefixes[i];
        floe_string_ref suffix = dst[i];
        memcpy(out + offset, out + previous_offset, prefix);
        if (suffix.length != 0) {
            memcpy(out + offset + prefix, src + prefix_bytes + suffix.offset, suffix.length);
        }
        dst[i].offset = (uint32_t)offset;
        dst[i].length = (uint32_t)(prefix + suffix.length);
        previous_offset = offset;
        offset += dst[i].length;
    }
    *heap = out;
    *decoded = prefix_count;
    *consumed = prefix_bytes + suffix_end;
    status = FLOE_OK;
done:
    floe_free(prefixes);
    return status;
}
