/*
 * parquet_dictionary.c — dictionary gather: codes of an RLE_DICTIONARY page to the values of its
 * column chunk's dictionary page (contract in parquet_encoding.h).
 *
 * Why check first, gather after: the codes come from the file, so each must be below the
 * dictionary size. A maximum over the codes (floe_k_max_u32, a SIMD reduction) is far cheaper
 * than a compare per lookup, and with it the gather (floe_k_dictionary_gather_u32/_u64 for 4-
 * and 8-byte values) needs no check of its own; only a bad page pays for finding which code was
 * out of range.
 */
#include "io/parquet_encoding.h"

#include "kernels/decode.h" /* floe_k_max_u32, floe_k_dictionary_gather_* */

#include <string.h>

int floe_pq_dictionary_check(const uint32_t *codes, size_t count, size_t dictionary_count,
                             floe_error *err)
{
    uint32_t maximum = floe_k_max_u32(codes, count);
    if (count == 0 || maximum < dictionary_count) return FLOE_OK;
    size_t bad = 0;
    while (codes[bad] < dictionary_count) bad++;
    return floe_error_set(err, FLOE_ECORRUPT,
                          "dictionary index %u out of range (dictionary has %zu entries) at "
                          "value %zu",
                          codes[bad], dictionary_count, bad);
}

int floe_pq_dictionary_gather_fixed(void *dst, const void *dictionary, size_t dictionary_count,
                                    size_t width, const uint32_t *codes, size_t count,
                                    floe_error *err)
{
    FLOE_TRY(floe_pq_dictionary_check(codes, count, dictionary_count, err));
    if (width == 4) {
        floe_k_dictionary_gather_u32(dst, dictionary, codes, count);
    } else if (width == 8) {
        floe_k_dictionary_gather_u64(dst, dictionary, codes, count);
    } else if (width == 1) {
        const uint8_t *values = dictionary;
        uint8_t *out = dst;
        for (size_t i = 0; i < count; i++) out[i] = values[codes[i]];
    } else {
        const uint8_t *values = dictionary;
        uint8_t *out = dst;
        for (size_t i = 0; i < count; i++) {
            memcpy(out + i * width, values + (size_t)codes[i] * width, width);
        }
    }
    return FLOE_OK;
}

int floe_pq_dictionary_gather_strings(floe_string_ref *dst, const floe_string_ref *dictionary,
                                      size_t dictionary_count, const uint32_t *codes,
                                      size_t count, floe_error *err)
{
    FLOE_TRY(floe_pq_dictionary_check(codes, count, dictionary_count, err));
    for (size_t i = 0; i < count; i++) dst[i] = dictionary[codes[i]];
    return FLOE_OK;
}
