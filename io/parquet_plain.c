/*
 * parquet_plain.c — the PLAIN encoding (contract in parquet_encoding.h).
 *
 * Why so little code: PLAIN fixed-width values are little-endian, as are x86-64 and aarch64, so
 * a page of INT64 or DOUBLE is one memcpy after one bounds check. Byte arrays cannot be located
 * without walking their length prefixes, but their bytes are never copied here: the references
 * point into the page buffer and the column reader decides whether to copy.
 */
#include "io/parquet_encoding.h"

#include "io/parquet_encoding_int.h"

#include <stdint.h>
#include <string.h>

int floe_pq_plain_fixed(void *dst, size_t count, size_t width, const uint8_t *src,
                        size_t src_size, size_t *consumed, floe_error *err)
{
    *consumed = 0;
    FLOE_RETURN_IF(width == 0, FLOE_EINVAL, err, "PLAIN: value width 0");
    FLOE_RETURN_IF(count > src_size / width, FLOE_ECORRUPT, err,
                   "PLAIN: %zu values of %zu bytes need more than the page's %zu bytes", count,
                   width, src_size);
    size_t bytes = count * width;
    if (bytes != 0) memcpy(dst, src, bytes);
    *consumed = bytes;
    return FLOE_OK;
}

int floe_pq_plain_booleans(uint8_t *dst, size_t count, const uint8_t *src, size_t src_size,
                           size_t first_bit, floe_error *err)
{
    FLOE_RETURN_IF(src_size > SIZE_MAX / 8, FLOE_EUNSUPPORTED, err,
                   "PLAIN: boolean page of %zu bytes is too large", src_size);
    FLOE_RETURN_IF(first_bit > src_size * 8 || count > src_size * 8 - first_bit, FLOE_ECORRUPT,
                   err, "PLAIN: %zu booleans from bit %zu need more than the page's %zu bytes",
                   count, first_bit, src_size);
    size_t bit = first_bit, i = 0;
    /* Head up to a byte boundary, then whole bytes 8 at a time, then the tail. */
    for (; i < count && (bit & 7) != 0; i++, bit++) dst[i] = (src[bit >> 3] >> (bit & 7)) & 1;
    for (; count - i >= 8; i += 8, bit += 8) {
        uint8_t byte = src[bit >> 3];
        for (unsigned k = 0; k < 8; k++) dst[i + k] = (byte >> k) & 1;
    }
    for (; i < count; i++, bit++) dst[i] = (src[bit >> 3] >> (bit & 7)) & 1;
    return FLOE_OK;
}

int floe_pq_int96_to_micros(int64_t *dst, size_t count, const uint8_t *src, size_t src_size,
                            size_t *consumed, floe_error *err)
{
    *consumed = 0;
    FLOE_RETURN_IF(count > src_size / 12, FLOE_ECORRUPT, err,
                   "PLAIN: %zu INT96 values need more than the page's %zu bytes", count, src_size);
    const int64_t micros_per_day = INT64_C(86400000000);
    for (size_t i = 0; i < count; i++) {
        const uint8_t *value = src + 12 * i;
        int64_t nanos;
        int32_t julian_day;
        memcpy(&nanos, value, 8);
        memcpy(&julian_day, value + 8, 4);
        int64_t micros = nanos / 1000 - (nanos % 1000 < 0);   /* floor */
        int64_t day_micros, total;
        if (__builtin_mul_overflow((int64_t)julian_day - FLOE_PQ_JULIAN_DAY_OF_UNIX_EPOCH,
                                   micros_per_day, &day_micros) ||
            __builtin_add_overflow(day_micros, micros, &total)) {
            return floe_error_set(err, FLOE_ERANGE,
                                  "PLAIN: INT96 timestamp at byte %zu (Julian day %d) is outside "
                                  "the int64 microsecond range",
                                  12 * i, (int)julian_day);
        }
        dst[i] = total;
    }
    *consumed = 12 * count;
    return FLOE_OK;
}

int floe_pq_plain_byte_array(floe_string_ref *dst, size_t count, const uint8_t *src,
                             size_t src_size, size_t *consumed, floe_error *err)
{
    *consumed = 0;
    FLOE_RETURN_IF(src_size > UINT32_MAX, FLOE_EUNSUPPORTED, err,
                   "PLAIN: BYTE_ARRAY page of %zu bytes is beyond 4 GiB", src_size);
    size_t position = 0;
    for (size_t i = 0; i < count; i++) {
        FLOE_RETURN_IF(src_size - position < 4, FLOE_ECORRUPT, err,
                       "PLAIN: BYTE_ARRAY value %zu: truncated length at byte %zu", i, position);
        uint32_t length = floe_pq_load_le32(src + position);
        position += 4;
        FLOE_RETURN_IF(length > src_size - position, FLOE_ECORRUPT, err,
                       "PLAIN: BYTE_ARRAY value %zu: length %u at byte %zu exceeds the %zu bytes "
                       "left",
                       i, length, position - 4, src_size - position);
        dst[i].offset = (uint32_t)position;
        dst[i].length = length;
        position += length;
    }
    *consumed = position;
    return FLOE_OK;
}

int floe_pq_strings_copy_to_vector(floe_vector *vector, uint32_t first_row, const uint8_t *base,
                                   const floe_string_ref *refs, size_t count, floe_error *err)
{
    FLOE_RETURN_IF(first_row > vector->capacity || count > vector->capacity - first_row,
                   FLOE_EINVAL, err, "%zu strings from row %u exceed the vector's %u rows", count,
                   first_row, vector->capacity);
    for (size_t i = 0; i < count; i++) {
        FLOE_TRY(floe_vector_set_string(vector, first_row + (uint32_t)i, base + refs[i].offset,
                                        refs[i].length, err));
    }
    return FLOE_OK;
}
