/*
 * parquet_rle.c — the RLE / bit-packing hybrid (contract in parquet_encoding.h).
 *
 * Why a streaming decoder: levels and dictionary codes are consumed a batch at a time (2048 rows)
 * while runs span batches, so the decoder keeps its place inside a run. Bit-packed runs are
 * unpacked straight into the caller's array in whole groups of 8 (always byte-aligned: 8 values of
 * w bits are w bytes) by the floe_k_unpack32 kernel; only a group split by the caller's count
 * goes through the small `group` buffer. RLE runs are a fill loop the compiler vectorizes.
 */
#include "io/parquet_encoding.h"

#include "io/parquet_encoding_int.h"
#include "kernels/bitunpack.h" /* floe_k_unpack32 */

#include <string.h>

enum { max_run_length = 0x7fffffff };

int floe_pq_rle_init(floe_pq_rle_decoder *decoder, const uint8_t *src, size_t src_size,
                     unsigned bit_width, floe_error *err)
{
    memset(decoder, 0, sizeof *decoder);
    FLOE_RETURN_IF(bit_width > 32, FLOE_EINVAL, err, "RLE: bit width %u above 32", bit_width);
    FLOE_RETURN_IF(src == NULL && src_size != 0, FLOE_EINVAL, err, "RLE: NULL buffer");
    decoder->data = src;
    decoder->size = src_size;
    decoder->bit_width = bit_width;
    return FLOE_OK;
}

/* Reads the next run header; returns 1 when a run was started, 0 at the end of the stream. */
static int next_run(floe_pq_rle_decoder *decoder, floe_error *err)
{
    if (decoder->ended || decoder->position >= decoder->size) return 0;
    size_t header_at = decoder->position;
    uint64_t header;
    FLOE_RETURN_IF(floe_pq_read_uleb128(decoder->data, decoder->size, &decoder->position,
                                        &header) != 0,
                   FLOE_ECORRUPT, err, "RLE: truncated or overlong run header at byte %zu",
                   header_at);
    uint64_t length = header >> 1;
    unsigned width = decoder->bit_width;
    if (header & 1) {
        FLOE_RETURN_IF(length == 0 || length > max_run_length / 8, FLOE_ECORRUPT, err,
                       "RLE: bit-packed run of %llu groups at byte %zu (must be 1..%d)",
                       (unsigned long long)length, header_at, max_run_length / 8);
        uint64_t values = length * 8;
        size_t available = decoder->size - decoder->position;
        if (width != 0 && values * width > (uint64_t)available * 8) {
            /* The last run may be cut short: keep the values whose bits are all present. */
            values = (uint64_t)available * 8 / width;
            decoder->ended = 1;
            FLOE_RETURN_IF(values == 0, FLOE_ECORRUPT, err,
                           "RLE: bit-packed run at byte %zu has no data", header_at);
        }
        decoder->packed_left = values;
    } else {
        FLOE_RETURN_IF(length == 0 || length > max_run_length, FLOE_ECORRUPT, err,
                       "RLE: run of length %llu at byte %zu (must be 1..%d)",
                       (unsigned long long)length, header_at, max_run_length);
        size_t value_bytes = (width + 7) / 8;
        FLOE_RETURN_IF(decoder->size - decoder->position < value_bytes, FLOE_ECORRUPT, err,
                       "RLE: truncated run value at byte %zu", decoder->position);
        uint32_t value = 0;
        for (size_t i = 0; i < value_bytes; i++) {
            value |= (uint32_t)decoder->data[decoder->position + i] << (8 * i);
        }
        FLOE_RETURN_IF(width < 32 && (value >> width) != 0, FLOE_ECORRUPT, err,
                       "RLE: run value %u at byte %zu does not fit in %u bits", value,
                       decoder->position, width);
        decoder->position += value_bytes;
        decoder->repeat_value = value;
        decoder->repeat_left = length;
    }
    return 1;
}

int floe_pq_rle_next(floe_pq_rle_decoder *decoder, uint32_t *dst, size_t count, size_t *decoded,
                     floe_error *err)
{
    size_t produced = 0;
    unsigned width = decoder->bit_width;
    while (produced < count) {
        size_t wanted = count - produced;
        if (decoder->group_position < decoder->group_count) {
            size_t n = decoder->group_count - decoder->group_position;
            if (n > wanted) n = wanted;
            memcpy(dst + produced, decoder->group + decoder->group_position, n * sizeof *dst);
            decoder->group_position += (unsigned)n;
            produced += n;
            continue;
        }
        if (decoder->repeat_left > 0) {
            size_t n = decoder->repeat_left < wanted ? (size_t)decoder->repeat_left : wanted;
            uint32_t value = decoder->repeat_value;
            uint32_t *out = dst + produced;
            for (size_t i = 0; i < n; i++) out[i] = value;
            decoder->repeat_left -= n;
            produced += n;
            continue;
        }
        if (decoder->packed_left > 0) {
            size_t n = decoder->packed_left < wanted ? (size_t)decoder->packed_left : wanted;
            size_t whole = n & ~(size_t)7;
            const uint8_t *at = decoder->data + decoder->position;
            size_t left = decoder->size - decoder->position;
            if (whole > 0) {
                FLOE_RETURN_IF(floe_k_unpack32(dst + produced, at, left, whole, width) != 0,
                               FLOE_ECORRUPT, err, "RLE: bit-packed run at byte %zu truncated",
                               decoder->position);
                decoder->position += whole / 8 * width;
                decoder->packed_left -= whole;
                produced += whole;
                continue;
            }
            /* Fewer than 8 wanted, or the short last group of a truncated run: buffer a group. */
            unsigned group = decoder->packed_left < 8 ? (unsigned)decoder->packed_left : 8;
            FLOE_RETURN_IF(floe_k_unpack32(decoder->group, at, left, group, width) != 0,
                           FLOE_ECORRUPT, err, "RLE: bit-packed run at byte %zu truncated",
                           decoder->position);
            decoder->position += floe_k_unpack32_bytes(group, width);
            decoder->packed_left -= group;
            decoder->group_count = group;
            decoder->group_position = 0;
            continue;
        }
        int started = next_run(decoder, err);
        if (started < 0) return started;
        if (started == 0) break;
    }
    *decoded = produced;
    return FLOE_OK;
}

int floe_pq_rle_read(floe_pq_rle_decoder *decoder, uint32_t *dst, size_t count, floe_error *err)
{
    size_t decoded = 0;
    FLOE_TRY(floe_pq_rle_next(decoder, dst, count, &decoded, err));
    FLOE_RETURN_IF(decoded != count, FLOE_ECORRUPT, err,
                   "RLE: stream ended after %zu of %zu values", decoded, count);
    return FLOE_OK;
}

int floe_pq_rle_length_prefixed(const uint8_t *src, size_t src_size, const uint8_t **data,
                                size_t *data_size, size_t *consumed, floe_error *err)
{
    FLOE_RETURN_IF(src_size < 4, FLOE_ECORRUPT, err,
                   "RLE: %zu bytes cannot hold the 4-byte length prefix", src_size);
    uint32_t length = floe_pq_load_le32(src);
    FLOE_RETURN_IF(length > src_size - 4, FLOE_ECORRUPT, err,
                   "RLE: length prefix %u exceeds the %zu bytes that follow it", length,
                   src_size - 4);
    *data = src + 4;
    *data_size = length;
    *consumed = 4 + (size_t)length;
    return FLOE_OK;
}

int floe_pq_rle_booleans(uint8_t *dst, size_t count, const uint8_t *src, size_t src_size,
                         size_t *consumed, floe_error *err)
{
    const uint8_t *data;
    size_t data_size;
    FLOE_TRY(floe_pq_rle_length_prefixed(src, src_size, &data, &data_size, consumed, err));
    floe_pq_rle_decoder decoder;
    FLOE_TRY(floe_pq_rle_init(&decoder, data, data_size, 1, err));
    uint32_t chunk[256];
    for (size_t done = 0; done < count;) {
        size_t n = count - done < 256 ? count - done : 256;
        FLOE_TRY(floe_pq_rle_read(&decoder, chunk, n, err));
        for (size_t i = 0; i < n; i++) dst[done + i] = (uint8_t)chunk[i];
        done += n;
    }
    return FLOE_OK;
}

int floe_pq_dictionary_indices_init(floe_pq_rle_decoder *decoder, const uint8_t *src,
                                    size_t src_size, floe_error *err)
{
    memset(decoder, 0, sizeof *decoder);
    FLOE_RETURN_IF(src_size < 1, FLOE_ECORRUPT, err,
                   "RLE_DICTIONARY: empty page has no bit width byte");
    FLOE_RETURN_IF(src[0] > 32, FLOE_ECORRUPT, err,
                   "RLE_DICTIONARY: bit width %u above 32 at byte 0", src[0]);
    return floe_pq_rle_init(decoder, src + 1, src_size - 1, src[0], err);
}
