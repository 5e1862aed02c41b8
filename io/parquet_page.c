/*
 * parquet_page.c — one Parquet page body, decompressed, to values in Floe storage.
 *
 * Why a separate step from the encodings (io/parquet_encoding.h): those turn bytes into the
 * PHYSICAL values (int32, int64, INT96, byte arrays...), while a Floe vector wants the LOGICAL
 * value in Floe storage (micros, int128 decimals, zero-extended unsigned...). This file chooses
 * the decoder for the page's encoding, decodes definition levels, and applies the column's
 * conversion (parquet_footer.h floe_pq_conversion). When the stored value already is the Floe
 * value (PLAIN int64 → BIGINT, ...) the page's values are used in place, without a copy.
 *
 * Every count comes from the file, so every one is checked before it sizes anything: a page's
 * value count against FLOE_PQ_MAX_PAGE_VALUES and the chunk's remaining values (the caller),
 * the dictionary size against the bytes that can hold it, decoded counts against the non-NULL
 * count the levels gave.
 */
#include "io/parquet_reader_int.h"

#include "io/parquet_encoding.h"
#include "kernels/decode.h"
#include "kernels/memory.h"

#include <string.h>

int floe_pq_scratch_reserve(uint8_t **buffer, size_t *capacity, size_t size, floe_error *err)
{
    if (size <= *capacity && *buffer != NULL) return FLOE_OK;
    size_t grown = *capacity ? *capacity : 256;
    while (grown < size) grown *= 2;
    /* Contents need not survive, so free + malloc instead of realloc (no copy). */
    floe_free(*buffer);
    *buffer = floe_malloc(grown + 16); /* a little slack: decoders may read a word at the end */
    if (*buffer == NULL) {
        *capacity = 0;
        return floe_error_set(err, FLOE_ENOMEM, "out of memory for a %zu-byte page buffer", size);
    }
    *capacity = grown;
    return FLOE_OK;
}

size_t floe_pq_physical_width(const floe_pq_column *column)
{
    switch (column->physical_type) {
    case FLOE_PQ_BOOLEAN: return 1;
    case FLOE_PQ_INT32: return 4;
    case FLOE_PQ_INT64: return 8;
    case FLOE_PQ_INT96: return 12;
    case FLOE_PQ_FLOAT: return 4;
    case FLOE_PQ_DOUBLE: return 8;
    case FLOE_PQ_FIXED_LEN_BYTE_ARRAY: return column->type_length > 0 ? (size_t)column->type_length : 0;
    default: return 0;
    }
}

static float half_to_float(uint16_t half)
{
    uint32_t sign = (uint32_t)(half >> 15) << 31;
    uint32_t exponent = (half >> 10) & 0x1f;
    uint32_t mantissa = half & 0x3ff;
    uint32_t bits;
    if (exponent == 0x1f) {
        bits = sign | 0x7f800000u | (mantissa << 13);
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        bits = sign;
    } else { /* subnormal half: normalize */
        int shift = 0;
        while (!(mantissa & 0x400)) {
            mantissa <<= 1;
            shift++;
        }
        mantissa &= 0x3ff;
        bits = sign | ((uint32_t)(113 - shift) << 23) | (mantissa << 13);
    }
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

/* A big-endian two's complement integer of `size` bytes; wider than 16 bytes only when the
 * extra leading bytes are sign extension. */
static int big_endian_decimal(const uint8_t *bytes, size_t size, floe_int128 *out,
                              floe_error *err)
{
    FLOE_RETURN_IF(size == 0, FLOE_ECORRUPT, err, "empty decimal value");
    size_t skip = size > 16 ? size - 16 : 0;
    uint8_t sign_byte = (bytes[0] & 0x80) ? 0xff : 0x00;
    for (size_t i = 0; i < skip; i++) {
        FLOE_RETURN_IF(bytes[i] != sign_byte, FLOE_ECORRUPT, err,
                       "decimal value of %zu bytes does not fit 128 bits", size);
    }
    FLOE_RETURN_IF(skip > 0 && (bytes[skip] & 0x80) != (sign_byte & 0x80), FLOE_ECORRUPT, err,
                   "decimal value of %zu bytes does not fit 128 bits", size);
    floe_uint128 value = sign_byte ? ~(floe_uint128)0 : 0;
    for (size_t i = skip; i < size; i++) value = (value << 8) | bytes[i];
    *out = (floe_int128)value;
    return FLOE_OK;
}

static int store_decimal(void *dst, size_t index, size_t width, floe_int128 value,
                         floe_error *err)
{
    if (width == 8) {
        FLOE_RETURN_IF(value < INT64_MIN || value > INT64_MAX, FLOE_ECORRUPT, err,
                       "decimal value does not fit its precision");
        ((int64_t *)dst)[index] = (int64_t)value;
    } else {
        memcpy((uint8_t *)dst + index * 16, &value, 16);
    }
    return FLOE_OK;
}

int floe_pq_convert_values(const floe_pq_column *column, void *dst, const uint8_t *fixed,
                           const floe_string_ref *refs, const uint8_t *base, size_t count,
                           floe_error *err)
{
    size_t width = floe_type_width(column->type);
    int conversion = column->conversion;
    switch (column->physical_type) {
    case FLOE_PQ_BOOLEAN:
    case FLOE_PQ_FLOAT:
    case FLOE_PQ_DOUBLE:
        memcpy(dst, fixed, count * width);
        return FLOE_OK;
    case FLOE_PQ_INT32:
    case FLOE_PQ_INT64: {
        size_t in_width = column->physical_type == FLOE_PQ_INT32 ? 4 : 8;
        if (in_width == width && conversion == FLOE_PQ_CONVERT_NONE) {
            memcpy(dst, fixed, count * width);
            return FLOE_OK;
        }
        for (size_t i = 0; i < count; i++) {
            int64_t value;
            uint64_t unsigned_value;
            if (in_width == 4) {
                uint32_t raw;
                memcpy(&raw, fixed + i * 4, 4);
                unsigned_value = raw;
                value = (int32_t)raw;
            } else {
                memcpy(&unsigned_value, fixed + i * 8, 8);
                value = (int64_t)unsigned_value;
            }
            floe_int128 wide;
            switch (conversion) {
            case FLOE_PQ_CONVERT_MULTIPLY_1000:
                wide = (int64_t)((uint64_t)value * 1000u);
                break;
            case FLOE_PQ_CONVERT_DIVIDE_1000: {
                int64_t quotient = value / 1000;
                if (value % 1000 != 0 && value < 0) quotient--;
                wide = quotient;
                break;
            }
            case FLOE_PQ_CONVERT_ZERO_EXTEND: wide = (floe_int128)unsigned_value; break;
            default: wide = value; break;
            }
            if (width == 4) {
                ((int32_t *)dst)[i] = (int32_t)wide;
            } else if (width == 8) {
                ((int64_t *)dst)[i] = (int64_t)wide;
            } else {
                memcpy((uint8_t *)dst + i * 16, &wide, 16);
            }
        }
        return FLOE_OK;
    }
    case FLOE_PQ_INT96: {
        size_t consumed;
        return floe_pq_int96_to_micros(dst, count, fixed, count * 12, &consumed, err);
    }
    case FLOE_PQ_FIXED_LEN_BYTE_ARRAY:
    case FLOE_PQ_BYTE_ARRAY: {
        size_t length = floe_pq_physical_width(column);
        for (size_t i = 0; i < count; i++) {
            const uint8_t *bytes;
            size_t size;
            if (refs != NULL) {
                bytes = base + refs[i].offset;
                size = refs[i].length;
                FLOE_RETURN_IF(column->physical_type == FLOE_PQ_FIXED_LEN_BYTE_ARRAY &&
                                   size != length,
                               FLOE_ECORRUPT, err,
                               "value %zu has %zu bytes, the fixed length is %zu", i, size, length);
            } else {
                bytes = fixed + i * length;
                size = length;
            }
            if (conversion == FLOE_PQ_CONVERT_FLOAT16) {
                FLOE_RETURN_IF(size != 2, FLOE_ECORRUPT, err, "float16 value of %zu bytes", size);
                ((float *)dst)[i] = half_to_float((uint16_t)(bytes[0] | bytes[1] << 8));
            } else if (conversion == FLOE_PQ_CONVERT_BIG_ENDIAN_DECIMAL) {
                floe_int128 value = 0;
                FLOE_TRY(big_endian_decimal(bytes, size, &value, err));
                FLOE_TRY(store_decimal(dst, i, width, value, err));
            } else {
                return floe_error_set(err, FLOE_EUNSUPPORTED, "no conversion of %s to %u",
                                      floe_pq_physical_type_name(column->physical_type),
                                      column->type.id);
            }
        }
        return FLOE_OK;
    }
    default:
        return floe_error_set(err, FLOE_EUNSUPPORTED, "unknown physical type %d",
                              column->physical_type);
    }
}

/* Physical values (fixed bytes or refs) → the page state for the column's Floe type. */
static int finish_values(floe_pq_column_cursor *cursor, const uint8_t *fixed,
                         const floe_string_ref *refs, const uint8_t *base, size_t count,
                         floe_error *err)
{
    const floe_pq_column *column = cursor->column;
    if (floe_type_is_variable_width(cursor->type)) {
        if (refs == NULL) { /* FIXED_LEN_BYTE_ARRAY as BINARY: references into the fixed run */
            size_t length = floe_pq_physical_width(column);
            FLOE_RETURN_IF(count * length > UINT32_MAX, FLOE_EUNSUPPORTED, err,
                           "page body over 4 GiB");
            FLOE_TRY(floe_pq_scratch_reserve(&cursor->value_buffer, &cursor->value_buffer_capacity,
                                            count * sizeof(floe_string_ref), err));
            floe_string_ref *out = (floe_string_ref *)cursor->value_buffer;
            for (size_t i = 0; i < count; i++) {
                out[i] = (floe_string_ref){(uint32_t)(i * length), (uint32_t)length};
            }
            refs = out;
            base = fixed;
        } else if (column->physical_type == FLOE_PQ_FIXED_LEN_BYTE_ARRAY) {
            size_t length = floe_pq_physical_width(column);
            for (size_t i = 0; i < count; i++) {
                FLOE_RETURN_IF(refs[i].length != length, FLOE_ECORRUPT, err,
                               "value %zu has %u bytes, the fixed length is %zu", i,
                               refs[i].length, length);
            }
        }
        cursor->page_kind = FLOE_PQ_PAGE_REFS;
        cursor->values = refs;
        cursor->string_base = base;
        return FLOE_OK;
    }
    cursor->page_kind = FLOE_PQ_PAGE_VALUES;
    size_t in_width = column->physical_type == FLOE_PQ_INT32 ? 4 : 8;
    if (fixed != NULL && column->conversion == FLOE_PQ_CONVERT_NONE &&
        (column->physical_type == FLOE_PQ_INT32 || column->physical_type == FLOE_PQ_INT64) &&
        in_width == cursor->width) {
        cursor->values = fixed; /* already the Floe value: use it in place */
        return FLOE_OK;
    }
    if (fixed != NULL && (column->physical_type == FLOE_PQ_FLOAT ||
                          column->physical_type == FLOE_PQ_DOUBLE ||
                          column->physical_type == FLOE_PQ_BOOLEAN)) {
        cursor->values = fixed;
        return FLOE_OK;
    }
    /* value_buffer may hold the refs being converted: convert into raw space then swap. */
    uint8_t *target;
    if (refs != NULL && (const uint8_t *)refs == cursor->value_buffer) {
        FLOE_TRY(floe_pq_scratch_reserve(&cursor->raw_buffer, &cursor->raw_buffer_capacity,
                                        count * cursor->width, err));
        target = cursor->raw_buffer;
    } else {
        FLOE_TRY(floe_pq_scratch_reserve(&cursor->value_buffer, &cursor->value_buffer_capacity,
                                        count * cursor->width, err));
        target = cursor->value_buffer;
    }
    FLOE_TRY(floe_pq_convert_values(column, target, fixed, refs, base, count, err));
    cursor->values = target;
    return FLOE_OK;
}

int floe_pq_page_decode_dictionary(floe_pq_column_cursor *cursor, const uint8_t *body,
                                   size_t body_size, uint32_t count, floe_error *err)
{
    const floe_pq_column *column = cursor->column;
    size_t physical = floe_pq_physical_width(column);
    size_t smallest = column->physical_type == FLOE_PQ_BYTE_ARRAY ? 4 : physical;
    /* A dictionary value takes at least `smallest` bytes (booleans are not dictionary-encoded
     * by any writer, but are allowed: a bit each). */
    size_t limit = column->physical_type == FLOE_PQ_BOOLEAN ? body_size * 8
                   : smallest ? body_size / smallest : 0;
    FLOE_RETURN_IF(count > limit, FLOE_ECORRUPT, err,
                   "dictionary page claims %u values in %zu bytes", count, body_size);
    floe_vector_fini(&cursor->dictionary);
    cursor->has_dictionary = false;
    FLOE_TRY(floe_vector_init(&cursor->dictionary, cursor->type, count, err));
    floe_vector *dictionary = &cursor->dictionary;
    if (column->physical_type == FLOE_PQ_BYTE_ARRAY) {
        FLOE_TRY(floe_pq_scratch_reserve(&cursor->raw_buffer, &cursor->raw_buffer_capacity,
                                        (size_t)count * sizeof(floe_string_ref), err));
        floe_string_ref *refs = (floe_string_ref *)cursor->raw_buffer;
        size_t consumed;
        FLOE_TRY(floe_pq_plain_byte_array(refs, count, body, body_size, &consumed, err));
        if (floe_type_is_variable_width(cursor->type)) {
            FLOE_TRY(floe_pq_strings_copy_to_vector(dictionary, 0, body, refs, count, err));
        } else {
            FLOE_TRY(floe_pq_convert_values(column, dictionary->data, NULL, refs, body, count,
                                            err));
        }
    } else {
        const uint8_t *fixed = body;
        if (column->physical_type == FLOE_PQ_BOOLEAN) {
            FLOE_TRY(floe_pq_scratch_reserve(&cursor->raw_buffer, &cursor->raw_buffer_capacity,
                                            count, err));
            FLOE_TRY(floe_pq_plain_booleans(cursor->raw_buffer, count, body, body_size, 0, err));
            fixed = cursor->raw_buffer;
        } else {
            FLOE_RETURN_IF((size_t)count * physical > body_size, FLOE_ECORRUPT, err,
                           "dictionary page of %u values of %zu bytes holds only %zu bytes",
                           count, physical, body_size);
        }
        if (floe_type_is_variable_width(cursor->type)) {
            for (uint32_t i = 0; i < count; i++) {
                FLOE_TRY(floe_vector_set_string(dictionary, i, fixed + (size_t)i * physical,
                                                (uint32_t)physical, err));
            }
        } else {
            FLOE_TRY(floe_pq_convert_values(column, dictionary->data, fixed, NULL, NULL, count,
                                            err));
        }
    }
    cursor->dictionary_count = count;
    cursor->has_dictionary = true;
    return FLOE_OK;
}

/* Legacy BIT_PACKED levels (deprecated): values packed from the most significant bit. */
static int bit_packed_levels(uint32_t *dst, size_t count, unsigned bit_width, const uint8_t *src,
                             size_t src_size, size_t *consumed, floe_error *err)
{
    size_t bytes = (count * bit_width + 7) / 8;
    FLOE_RETURN_IF(bytes > src_size, FLOE_ECORRUPT, err,
                   "BIT_PACKED levels need %zu bytes, the page has %zu", bytes, src_size);
    size_t bit = 0;
    for (size_t i = 0; i < count; i++) {
        uint32_t value = 0;
        for (unsigned b = 0; b < bit_width; b++, bit++) {
            value = value << 1 | ((src[bit >> 3] >> (7 - (bit & 7))) & 1);
        }
        dst[i] = value;
    }
    *consumed = bytes;
    return FLOE_OK;
}

/* RLE/bit-packed definition levels (bit width 1) straight to validity bits. An RLE run — a page
 * without NULLs is usually one run — becomes a word fill instead of one uint32 per row; the
 * values of bit-packed runs are unpacked by the decoder into `levels` and turned into bits by
 * the kernel. The run state read here is the decoder's public state (parquet_encoding.h); every
 * byte is still parsed and checked by floe_pq_rle_next. */
static int rle_levels_to_validity(floe_pq_rle_decoder *decoder, uint64_t *validity,
                                  uint32_t *levels, uint32_t rows, uint32_t *non_null,
                                  uint32_t *maximum, floe_error *err)
{
    size_t produced = 0, valid = 0;
    uint32_t largest = 0;
    while (produced < rows) {
        size_t wanted = rows - produced;
        if (decoder->repeat_left > 0 && decoder->group_position >= decoder->group_count) {
            size_t n = decoder->repeat_left < wanted ? (size_t)decoder->repeat_left : wanted;
            uint32_t value = decoder->repeat_value;
            floe_k_validity_fill(validity, produced, n, value == 1);
            if (value == 1) valid += n;
            if (value > largest) largest = value;
            decoder->repeat_left -= n;
            produced += n;
            continue;
        }
        /* The buffered group and the rest of a bit-packed run, or (nothing pending) one value,
         * which makes the decoder start its next run. */
        uint64_t pending = (uint64_t)(decoder->group_count - decoder->group_position) +
                           decoder->packed_left;
        size_t n = pending == 0 ? 1 : (pending < wanted ? (size_t)pending : wanted);
        size_t decoded = 0;
        FLOE_TRY(floe_pq_rle_next(decoder, levels, n, &decoded, err));
        if (decoded == 0) break;
        uint32_t top = floe_k_max_u32(levels, decoded);
        if (top > largest) largest = top;
        valid += floe_k_levels_to_validity(validity, produced, levels, decoded, 1);
        produced += decoded;
        if (decoded < n) break;
    }
    FLOE_RETURN_IF(produced != rows, FLOE_ECORRUPT, err,
                   "RLE: stream ended after %zu of %zu values", produced, (size_t)rows);
    *non_null = (uint32_t)valid;
    *maximum = largest;
    return FLOE_OK;
}

/* Definition levels → cursor->defined (validity bits; NULL when none is NULL) and
 * page_non_null. */
static int decode_definition_levels(floe_pq_column_cursor *cursor, int encoding,
                                    const uint8_t *src, size_t src_size, bool length_prefixed,
                                    size_t *consumed, floe_error *err)
{
    uint32_t rows = cursor->page_rows;
    *consumed = 0;
    cursor->defined = NULL;
    cursor->page_non_null = rows;
    if (cursor->column->max_definition_level == 0) return FLOE_OK;
    FLOE_TRY(floe_pq_scratch_reserve(&cursor->level_buffer, &cursor->level_buffer_capacity,
                                    ((size_t)rows + 63) / 64 * sizeof(uint64_t), err));
    uint64_t *defined = (uint64_t *)(void *)cursor->level_buffer;
    uint32_t non_null = 0;
    uint32_t maximum = 0;
    if (encoding == FLOE_PQ_BIT_PACKED) {
        FLOE_TRY(floe_pq_scratch_reserve((uint8_t **)&cursor->code_buffer,
                                        &cursor->code_buffer_capacity, (size_t)rows * 4, err));
        uint32_t *levels = cursor->code_buffer;
        FLOE_TRY(bit_packed_levels(levels, rows, 1, src, src_size, consumed, err));
        maximum = floe_k_max_u32(levels, rows);
        non_null = (uint32_t)floe_k_levels_to_validity(defined, 0, levels, rows, 1);
    } else if (encoding == FLOE_PQ_RLE) {
        const uint8_t *data = src;
        size_t data_size = src_size;
        if (length_prefixed) {
            FLOE_TRY(floe_pq_rle_length_prefixed(src, src_size, &data, &data_size, consumed,
                                                 err));
        } else {
            *consumed = src_size;
        }
        /* Bit-packed runs are unpacked in place before becoming bits: at most a page of them. */
        FLOE_TRY(floe_pq_scratch_reserve((uint8_t **)&cursor->code_buffer,
                                        &cursor->code_buffer_capacity, (size_t)rows * 4, err));
        floe_pq_rle_decoder decoder;
        FLOE_TRY(floe_pq_rle_init(&decoder, data, data_size, 1, err));
        int status = rle_levels_to_validity(&decoder, defined, cursor->code_buffer, rows,
                                            &non_null, &maximum, err);
        if (status < 0) {
            if (err != NULL) floe_error_prefix(err, "definition levels");
            return status;
        }
    } else {
        return floe_error_set(err, FLOE_EUNSUPPORTED, "definition levels encoded as %s",
                              floe_pq_encoding_name(encoding));
    }
    FLOE_RETURN_IF(maximum > 1, FLOE_ECORRUPT, err, "definition level above the maximum 1");
    cursor->page_non_null = non_null;
    if (non_null != rows) cursor->defined = defined;
    return FLOE_OK;
}

static int decode_values(floe_pq_column_cursor *cursor, int encoding, const uint8_t *src,
                         size_t size, floe_error *err)
{
    const floe_pq_column *column = cursor->column;
    size_t count = cursor->page_non_null;
    size_t physical = floe_pq_physical_width(column);
    size_t consumed = 0, decoded = 0;
    int type = column->physical_type;
    switch (encoding) {
    case FLOE_PQ_PLAIN:
        if (type == FLOE_PQ_BOOLEAN) {
            FLOE_TRY(floe_pq_scratch_reserve(&cursor->raw_buffer, &cursor->raw_buffer_capacity,
                                            count, err));
            FLOE_TRY(floe_pq_plain_booleans(cursor->raw_buffer, count, src, size, 0, err));
            return finish_values(cursor, cursor->raw_buffer, NULL, NULL, count, err);
        }
        if (type == FLOE_PQ_BYTE_ARRAY) {
            FLOE_TRY(floe_pq_scratch_reserve(&cursor->value_buffer, &cursor->value_buffer_capacity,
                                            count * sizeof(floe_string_ref), err));
            floe_string_ref *refs = (floe_string_ref *)cursor->value_buffer;
            FLOE_TRY(floe_pq_plain_byte_array(refs, count, src, size, &consumed, err));
            return finish_values(cursor, NULL, refs, src, count, err);
        }
        FLOE_RETURN_IF(count * physical > size, FLOE_ECORRUPT, err,
                       "PLAIN page of %zu values of %zu bytes holds only %zu bytes", count,
                       physical, size);
        return finish_values(cursor, src, NULL, NULL, count, err);
    case FLOE_PQ_RLE:
        FLOE_RETURN_IF(type != FLOE_PQ_BOOLEAN, FLOE_ECORRUPT, err,
                       "RLE values for a %s column", floe_pq_physical_type_name(type));
        FLOE_TRY(floe_pq_scratch_reserve(&cursor->raw_buffer, &cursor->raw_buffer_capacity, count,
                                        err));
        FLOE_TRY(floe_pq_rle_booleans(cursor->raw_buffer, count, src, size, &consumed, err));
        return finish_values(cursor, cursor->raw_buffer, NULL, NULL, count, err);
    case FLOE_PQ_PLAIN_DICTIONARY:
    case FLOE_PQ_RLE_DICTIONARY: {
        FLOE_RETURN_IF(!cursor->has_dictionary, FLOE_ECORRUPT, err,
                       "dictionary-encoded page without a dictionary page");
        floe_pq_rle_decoder decoder;
        if (count > 0) FLOE_TRY(floe_pq_dictionary_indices_init(&decoder, src, size, err));
        if (cursor->keep_codes && cursor->defined == NULL && count > 0) {
            cursor->code_decoder = decoder;
            cursor->codes_streaming = true;
            cursor->page_kind = FLOE_PQ_PAGE_CODES;
            cursor->values = NULL;
            return FLOE_OK;
        }
        FLOE_TRY(floe_pq_scratch_reserve((uint8_t **)&cursor->code_buffer,
                                        &cursor->code_buffer_capacity, count * 4, err));
        uint32_t *codes = cursor->code_buffer;
        if (count > 0) FLOE_TRY(floe_pq_rle_read(&decoder, codes, count, err));
        const floe_vector *dictionary = &cursor->dictionary;
        if (cursor->keep_codes) {
            FLOE_TRY(floe_pq_dictionary_check(codes, count, cursor->dictionary_count, err));
            cursor->page_kind = FLOE_PQ_PAGE_CODES;
            cursor->values = codes;
            return FLOE_OK;
        }
        if (floe_type_is_variable_width(cursor->type)) {
            FLOE_TRY(floe_pq_scratch_reserve(&cursor->value_buffer, &cursor->value_buffer_capacity,
                                            count * sizeof(floe_string_ref), err));
            FLOE_TRY(floe_pq_dictionary_gather_strings((floe_string_ref *)cursor->value_buffer,
                                                       dictionary->data, cursor->dictionary_count,
                                                       codes, count, err));
            cursor->page_kind = FLOE_PQ_PAGE_REFS;
            cursor->values = cursor->value_buffer;
            cursor->string_base = dictionary->heap;
            return FLOE_OK;
        }
        FLOE_TRY(floe_pq_scratch_reserve(&cursor->value_buffer, &cursor->value_buffer_capacity,
                                        count * cursor->width, err));
        FLOE_TRY(floe_pq_dictionary_gather_fixed(cursor->value_buffer, dictionary->data,
                                                 cursor->dictionary_count, cursor->width, codes,
                                                 count, err));
        cursor->page_kind = FLOE_PQ_PAGE_VALUES;
        cursor->values = cursor->value_buffer;
        return FLOE_OK;
    }
    case FLOE_PQ_DELTA_BINARY_PACKED: {
        FLOE_RETURN_IF(type != FLOE_PQ_INT32 && type != FLOE_PQ_INT64, FLOE_ECORRUPT, err,
                       "DELTA_BINARY_PACKED values for a %s column",
                       floe_pq_physical_type_name(type));
        FLOE_TRY(floe_pq_scratch_reserve(&cursor->raw_buffer, &cursor->raw_buffer_capacity,
                                        count * physical, err));
        if (type == FLOE_PQ_INT32) {
            /* Decoded as int64 and wrapped: writers that compute int32 deltas in 64 bits
             * (DuckDB) emit miniblocks 33 bits wide, which the int32 decoder refuses; modulo
             * 2^32 the values are the same. */
            FLOE_TRY(floe_pq_scratch_reserve(&cursor->value_buffer, &cursor->value_buffer_capacity,
                                             count * 8, err));
            int64_t *wide = (int64_t *)cursor->value_buffer;
            FLOE_TRY(floe_pq_delta_binary_packed_int64(wide, count, src, size, &decoded, &consumed,
                                                       err));
            int32_t *narrow = (int32_t *)cursor->raw_buffer;
            for (size_t i = 0; i < decoded; i++) narrow[i] = (int32_t)(uint32_t)(uint64_t)wide[i];
        } else {
            FLOE_TRY(floe_pq_delta_binary_packed_int64((int64_t *)cursor->raw_buffer, count, src,
                                                       size, &decoded, &consumed, err));
        }
        FLOE_RETURN_IF(decoded != count, FLOE_ECORRUPT, err,
                       "DELTA_BINARY_PACKED holds %zu values, the levels say %zu", decoded, count);
        return finish_values(cursor, cursor->raw_buffer, NULL, NULL, count, err);
    }
    case FLOE_PQ_DELTA_LENGTH_BYTE_ARRAY:
    case FLOE_PQ_DELTA_BYTE_ARRAY: {
        FLOE_RETURN_IF(type != FLOE_PQ_BYTE_ARRAY && type != FLOE_PQ_FIXED_LEN_BYTE_ARRAY,
                       FLOE_ECORRUPT, err, "%s values for a %s column",
                       floe_pq_encoding_name(encoding), floe_pq_physical_type_name(type));
        FLOE_TRY(floe_pq_scratch_reserve(&cursor->value_buffer, &cursor->value_buffer_capacity,
                                        count * sizeof(floe_string_ref), err));
        floe_string_ref *refs = (floe_string_ref *)cursor->value_buffer;
        const uint8_t *base = src;
        if (encoding == FLOE_PQ_DELTA_LENGTH_BYTE_ARRAY) {
            FLOE_TRY(floe_pq_delta_length_byte_array(refs, count, src, size, &decoded, &consumed,
                                                     err));
        } else {
            floe_arena_reset(&cursor->string_arena);
            FLOE_TRY(floe_pq_delta_byte_array(refs, count, src, size, &cursor->string_arena,
                                              &base, &decoded, &consumed, err));
        }
        FLOE_RETURN_IF(decoded != count, FLOE_ECORRUPT, err, "%s holds %zu values, the levels say %zu",
                       floe_pq_encoding_name(encoding), decoded, count);
        return finish_values(cursor, NULL, refs, base, count, err);
    }
    case FLOE_PQ_BYTE_STREAM_SPLIT: {
        FLOE_RETURN_IF(physical == 0 || type == FLOE_PQ_BOOLEAN || type == FLOE_PQ_INT96,
                       FLOE_ECORRUPT, err, "BYTE_STREAM_SPLIT values for a %s column",
                       floe_pq_physical_type_name(type));
        FLOE_TRY(floe_pq_scratch_reserve(&cursor->raw_buffer, &cursor->raw_buffer_capacity,
                                        count * physical, err));
        FLOE_TRY(floe_pq_byte_stream_split(cursor->raw_buffer, count, physical, src, size, err));
        return finish_values(cursor, cursor->raw_buffer, NULL, NULL, count, err);
    }
    default:
        return floe_error_set(err, FLOE_EUNSUPPORTED, "unsupported encoding %s (%d)",
                              floe_pq_encoding_name(encoding), encoding);
    }
}

int floe_pq_page_decode_data(floe_pq_column_cursor *cursor, const floe_pq_page_header *header,
                             const uint8_t *levels, size_t levels_size, const uint8_t *body,
                             size_t body_size, floe_error *err)
{
    bool v2 = header->type == FLOE_PQ_DATA_PAGE_V2;
    int encoding = v2 ? header->data_page_header_v2.encoding : header->data_page_header.encoding;
    size_t consumed = 0;
    cursor->page_row = 0;
    cursor->page_value = 0;
    cursor->codes_streaming = false;
    if (v2) {
        /* Repetition levels are absent for flat columns (max level 0); skip whatever is there. */
        size_t repetition = (size_t)header->data_page_header_v2.repetition_levels_byte_length;
        FLOE_RETURN_IF(repetition > levels_size, FLOE_ECORRUPT, err,
                       "repetition levels beyond the page");
        FLOE_TRY(decode_definition_levels(cursor, FLOE_PQ_RLE, levels + repetition,
                                          levels_size - repetition, false, &consumed, err));
    } else {
        FLOE_TRY(decode_definition_levels(cursor, header->data_page_header.definition_level_encoding,
                                          body, body_size, true, &consumed, err));
        body += consumed;
        body_size -= consumed;
    }
    return decode_values(cursor, encoding, body, body_size, err);
}

int floe_pq_page_read_codes(floe_pq_column_cursor *cursor, uint32_t *dst, uint32_t count,
                            floe_error *err)
{
    FLOE_TRY(floe_pq_rle_read(&cursor->code_decoder, dst, count, err));
    if (count == 0 || floe_k_max_u32(dst, count) < cursor->dictionary_count) return FLOE_OK;
    uint32_t bad = 0;
    while (dst[bad] < cursor->dictionary_count) bad++;
    return floe_error_set(err, FLOE_ECORRUPT,
                          "dictionary index %u out of range (dictionary has %zu entries) at "
                          "value %zu",
                          dst[bad], (size_t)cursor->dictionary_count,
                          (size_t)cursor->page_value + bad);
}
