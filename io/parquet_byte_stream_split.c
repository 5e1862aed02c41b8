/*
 * parquet_byte_stream_split.c — BYTE_STREAM_SPLIT (contract in parquet_encoding.h).
 *
 * The page holds `width` streams of `count` bytes: byte k of value i is at src[k * count + i].
 * Decoding is a transpose: the floe_k_byte_stream_split kernel, SIMD for the 4- and 8-byte widths
 * (FLOAT, DOUBLE, INT32, INT64: nearly every real use), a scalar loop for the others
 * (FIXED_LEN_BYTE_ARRAY). This file only checks the page's size against the values expected.
 */
#include "io/parquet_encoding.h"

#include "kernels/decode.h" /* floe_k_byte_stream_split */

int floe_pq_byte_stream_split(void *dst, size_t count, size_t width, const uint8_t *src,
                              size_t src_size, floe_error *err)
{
    FLOE_RETURN_IF(width == 0, FLOE_EINVAL, err, "BYTE_STREAM_SPLIT: value width 0");
    FLOE_RETURN_IF(count > src_size / width || count * width != src_size, FLOE_ECORRUPT, err,
                   "BYTE_STREAM_SPLIT: page of %zu bytes is not %zu values of %zu bytes",
                   src_size, count, width);
    floe_k_byte_stream_split(dst, src, count, width);
    return FLOE_OK;
}
