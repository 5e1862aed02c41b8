/*
 * parquet_byte_stream_split.c — BYTE_STREAM_SPLIT (contract in parquet_encoding.h).
 *
 * The page holds `width` streams of `count` bytes: byte k of value i is at src[k * count + i].
 * Decoding is a transpose. The 4- and 8-byte widths (FLOAT, DOUBLE, INT32, INT64), nearly every
 * real use, get fixed-width loops the compiler unrolls; other widths (FIXED_LEN_BYTE_ARRAY) a
 * generic one. A SIMD transpose is future work for kernels/.
 */
#include "io/parquet_encoding.h"

#include <string.h>

int floe_pq_byte_stream_split(void *dst, size_t count, size_t width, const uint8_t *src,
                              size_t src_size, floe_error *err)
{
    FLOE_RETURN_IF(width == 0, FLOE_EINVAL, err, "BYTE_STREAM_SPLIT: value width 0");
    FLOE_RETURN_IF(count > src_size / width || count * width != src_size, FLOE_ECORRUPT, err,
                   "BYTE_STREAM_SPLIT: page of %zu bytes is not %zu values of %zu bytes",
                   src_size, count, width);
    uint8_t *out = dst;
    if (width == 4) {
        const uint8_t *s0 = src, *s1 = src + count, *s2 = src + 2 * count, *s3 = src + 3 * count;
        for (size_t i = 0; i < count; i++) {
            uint8_t value[4] = {s0[i], s1[i], s2[i], s3[i]};
            memcpy(out + 4 * i, value, 4);
        }
    } else if (width == 8) {
        for (size_t i = 0; i < count; i++) {
            uint8_t value[8];
            for (size_t k = 0; k < 8; k++) value[k] = src[k * count + i];
            memcpy(out + 8 * i, value, 8);
        }
    } else {
        for (size_t k = 0; k < width; k++) {
            const uint8_t *stream = src + k * count;
            for (size_t i = 0; i < count; i++) out[i * width + k] = stream[i];
        }
    }
    return FLOE_OK;
}
