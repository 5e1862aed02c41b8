/*
 * decode_scalar.c — the reference Parquet decoding kernels (decode.h): the meaning every SIMD
 * variant must match, written as the plain loops the definitions describe.
 *
 * The delta prefix sum runs in unsigned arithmetic because the spec makes it wrap and C defines
 * wrapping only for unsigned types. The level and spread kernels work a 64-bit word of validity
 * at a time (floe_k_bits_load / floe_k_bits_store) so a range may start at any bit.
 */
#include "decode.h"

#include <string.h>

void floe_k_dictionary_gather_u32_scalar(uint32_t *dst, const uint32_t *dictionary,
                                         const uint32_t *codes, size_t count)
{
    for (size_t i = 0; i < count; i++) dst[i] = dictionary[codes[i]];
}

void floe_k_dictionary_gather_u64_scalar(uint64_t *dst, const uint64_t *dictionary,
                                         const uint32_t *codes, size_t count)
{
    for (size_t i = 0; i < count; i++) dst[i] = dictionary[codes[i]];
}

uint32_t floe_k_max_u32_scalar(const uint32_t *values, size_t count)
{
    uint32_t maximum = 0;
    for (size_t i = 0; i < count; i++) maximum = values[i] > maximum ? values[i] : maximum;
    return maximum;
}

void floe_k_byte_stream_split_scalar(void *dst, const uint8_t *src, size_t count, size_t width)
{
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
}

size_t floe_k_levels_to_validity_scalar(uint64_t *validity, size_t first_bit,
                                        const uint32_t *levels, size_t count,
                                        uint32_t defined_level)
{
    size_t valid = 0;
    for (size_t i = 0; i < count; i += 64) {
        unsigned n = count - i < 64 ? (unsigned)(count - i) : 64;
        uint64_t bits = 0;
        for (unsigned j = 0; j < n; j++) bits |= (uint64_t)(levels[i + j] == defined_level) << j;
        floe_k_bits_store(validity, first_bit + i, bits, n);
        valid += (size_t)__builtin_popcountll(bits);
    }
    return valid;
}

void floe_k_validity_fill(uint64_t *validity, size_t first_bit, size_t count, bool valid)
{
    size_t i = 0;
    /* The partial first word, then whole words, then the partial last one. */
    if ((first_bit & 63) != 0 && count > 0) {
        unsigned n = 64 - (unsigned)(first_bit & 63);
        if (n > count) n = (unsigned)count;
        floe_k_bits_store(validity, first_bit, valid ? (~(uint64_t)0 >> (64 - n)) : 0, n);
        i = n;
    }
    for (; i + 64 <= count; i += 64) validity[(first_bit + i) >> 6] = valid ? ~(uint64_t)0 : 0;
    if (i < count) {
        unsigned n = (unsigned)(count - i);
        floe_k_bits_store(validity, first_bit + i, valid ? (~(uint64_t)0 >> (64 - n)) : 0, n);
    }
}

size_t floe_k_spread_u32_scalar(uint32_t *dst, const uint32_t *values, const uint64_t *validity,
                                size_t first_bit, size_t count)
{
    size_t next = 0;
    for (size_t i = 0; i < count; i++) {
        size_t bit = first_bit + i;
        if ((validity[bit >> 6] >> (bit & 63)) & 1) dst[i] = values[next++];
        else dst[i] = 0;
    }
    return next;
}

size_t floe_k_spread_u64_scalar(uint64_t *dst, const uint64_t *values, const uint64_t *validity,
                                size_t first_bit, size_t count)
{
    size_t next = 0;
    for (size_t i = 0; i < count; i++) {
        size_t bit = first_bit + i;
        if ((validity[bit >> 6] >> (bit & 63)) & 1) dst[i] = values[next++];
        else dst[i] = 0;
    }
    return next;
}

uint32_t floe_k_delta_prefix_u32_scalar(uint32_t *dst, const uint32_t *deltas, size_t count,
                                        uint32_t min_delta, uint32_t last)
{
    for (size_t i = 0; i < count; i++) {
        last += min_delta + deltas[i];
        dst[i] = last;
    }
    return last;
}

uint64_t floe_k_delta_prefix_u64_scalar(uint64_t *dst, const uint64_t *deltas, size_t count,
                                        uint64_t min_delta, uint64_t last)
{
    for (size_t i = 0; i < count; i++) {
        last += min_delta + deltas[i];
        dst[i] = last;
    }
    return last;
}
