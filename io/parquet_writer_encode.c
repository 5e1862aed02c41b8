/*
 * parquet_writer_encode.c — the writer's value encoders: byte buffers, the RLE/bit-packing
 * hybrid, PLAIN booleans, the dictionary hash set and bound truncation (parquet_writer_int.h).
 *
 * Why they are separate from parquet_writer.c: they are pure functions over memory, the parts a
 * test can check byte by byte against the decoders of io/parquet_encoding.h, while the writer is
 * a state machine over pages, chunks, row groups and a file.
 */
#include "io/parquet_writer_int.h"

#include "kernels/memory.h" /* floe_realloc, floe_free */

#define XXH_INLINE_ALL
#include <xxhash.h> /* XXH3_64bits: the dictionary's hash */

#include <string.h>

void floe_pq_buffer_fini(floe_pq_buffer *buffer)
{
    floe_free(buffer->data);
    memset(buffer, 0, sizeof *buffer);
}

int floe_pq_buffer_reserve(floe_pq_buffer *buffer, size_t extra, floe_error *err)
{
    if (extra <= buffer->capacity - buffer->size) return FLOE_OK;
    size_t capacity = buffer->capacity < 4096 ? 4096 : buffer->capacity;
    while (capacity - buffer->size < extra) {
        FLOE_RETURN_IF(capacity > SIZE_MAX / 2, FLOE_ENOMEM, err, "buffer of %zu bytes too large",
                       buffer->size + extra);
        capacity *= 2;
    }
    uint8_t *data = floe_realloc(buffer->data, capacity);
    FLOE_RETURN_IF(data == NULL, FLOE_ENOMEM, err, "out of memory growing a buffer to %zu bytes",
                   capacity);
    buffer->data = data;
    buffer->capacity = capacity;
    return FLOE_OK;
}

int floe_pq_buffer_append(floe_pq_buffer *buffer, const void *bytes, size_t length,
                          floe_error *err)
{
    FLOE_TRY(floe_pq_buffer_reserve(buffer, length, err));
    if (length != 0) memcpy(buffer->data + buffer->size, bytes, length);
    buffer->size += length;
    return FLOE_OK;
}

unsigned floe_pq_bit_width(uint32_t max_value)
{
    unsigned width = 0;
    while (max_value != 0) {
        width++;
        max_value >>= 1;
    }
    return width;
}

static size_t put_uleb128(uint8_t *out, uint64_t value)
{
    size_t length = 0;
    while (value >= 0x80) {
        out[length++] = (uint8_t)(value | 0x80);
        value >>= 7;
    }
    out[length++] = (uint8_t)value;
    return length;
}

static size_t run_length(const uint32_t *values, size_t count, size_t start)
{
    size_t end = start + 1;
    while (end < count && values[end] == values[start]) end++;
    return end - start;
}

static int emit_repeat(floe_pq_buffer *out, uint32_t value, size_t repeat, unsigned bit_width,
                       floe_error *err)
{
    FLOE_TRY(floe_pq_buffer_reserve(out, 10 + 4, err));
    uint8_t *at = out->data + out->size;
    size_t length = put_uleb128(at, (uint64_t)repeat << 1);
    for (unsigned byte = 0; byte < (bit_width + 7) / 8; byte++) {
        at[length++] = (uint8_t)(value >> (8 * byte));
    }
    out->size += length;
    return FLOE_OK;
}

/* values[start..end) bit-packed, padded with zeros to whole groups of 8. */
static int emit_packed(floe_pq_buffer *out, const uint32_t *values, size_t start, size_t end,
                       unsigned bit_width, floe_error *err)
{
    size_t groups = (end - start + 7) / 8;
    FLOE_TRY(floe_pq_buffer_reserve(out, 10 + groups * bit_width, err));
    uint8_t *at = out->data + out->size;
    size_t length = put_uleb128(at, (uint64_t)groups << 1 | 1);
    uint64_t bits = 0;
    unsigned bit_count = 0;
    uint64_t mask = bit_width == 32 ? 0xFFFFFFFFu : (((uint64_t)1 << bit_width) - 1);
    for (size_t i = start; i < start + groups * 8; i++) {
        uint64_t value = i < end ? (values[i] & mask) : 0;
        bits |= value << bit_count;
        bit_count += bit_width;
        while (bit_count >= 8) {
            at[length++] = (uint8_t)bits;
            bits >>= 8;
            bit_count -= 8;
        }
    }
    /* groups of 8 values always end on a byte boundary: bit_count is 0 here. */
    out->size += length;
    return FLOE_OK;
}

int floe_pq_rle_encode(floe_pq_buffer *out, const uint32_t *values, size_t count,
                       unsigned bit_width, floe_error *err)
{
    FLOE_RETURN_IF(bit_width > 32, FLOE_EINVAL, err, "rle encoder: bit width %u over 32",
                   bit_width);
    size_t position = 0;
    while (position < count) {
        size_t repeat = run_length(values, count, position);
        if (repeat >= 8) {
            FLOE_TRY(emit_repeat(out, values[position], repeat, bit_width, err));
            position += repeat;
            continue;
        }
        /* Bit-packed groups until a group boundary where a long repeat begins. */
        size_t start = position;
        do {
            position += 8;
        } while (position < count && run_length(values, count, position) < 8);
        if (position > count) position = count;
        if (bit_width == 0) {
            FLOE_TRY(emit_repeat(out, 0, position - start, 0, err));
        } else {
            FLOE_TRY(emit_packed(out, values, start, position, bit_width, err));
        }
    }
    return FLOE_OK;
}

enum { DELTA_BLOCK = 128, DELTA_MINIBLOCKS = 4, DELTA_PER_MINIBLOCK = 32 };

static uint64_t zigzag(int64_t value)
{
    return ((uint64_t)value << 1) ^ (uint64_t)(value >> 63);
}

static unsigned bit_width64(uint64_t value)
{
    return value == 0 ? 0 : 64 - (unsigned)__builtin_clzll(value);
}

/* 32 values of `width` bits (1..64) LSB first: 4 * width bytes at `at`. */
static void pack_miniblock(uint8_t *at, const uint64_t *values, unsigned width)
{
    uint64_t word = 0;
    unsigned filled = 0;
    for (unsigned i = 0; i < DELTA_PER_MINIBLOCK; i++) {
        uint64_t value = values[i];
        word |= value << filled; /* filled < 64 here */
        if (filled + width >= 64) {
            memcpy(at, &word, 8);
            at += 8;
            unsigned spill = filled + width - 64;
            word = spill == 0 ? 0 : value >> (width - spill);
            filled = spill;
        } else {
            filled += width;
        }
    }
    /* 32 * width bits is a whole number of bytes: what is left is 0 or 4 of them. */
    memcpy(at, &word, filled / 8);
}

int floe_pq_delta_encode(floe_pq_buffer *out, const void *values, size_t count, bool is_int64,
                         floe_error *err)
{
    const int64_t *values64 = values;
    const int32_t *values32 = values;
    /* header: 4 ULEB128s of at most 10 bytes; per block: min delta, widths, 64-bit miniblocks */
    size_t blocks = count > 1 ? (count - 1 + DELTA_BLOCK - 1) / DELTA_BLOCK : 0;
    FLOE_TRY(floe_pq_buffer_reserve(out, 40 + blocks * (10 + DELTA_MINIBLOCKS + 8 * DELTA_BLOCK),
                                    err));
    uint8_t *at = out->data + out->size;
    at += put_uleb128(at, DELTA_BLOCK);
    at += put_uleb128(at, DELTA_MINIBLOCKS);
    at += put_uleb128(at, count);
    int64_t first = count == 0 ? 0 : is_int64 ? values64[0] : values32[0];
    at += put_uleb128(at, zigzag(first));
    for (size_t start = 1; start < count; start += DELTA_BLOCK) {
        size_t deltas = count - start < DELTA_BLOCK ? count - start : DELTA_BLOCK;
        uint64_t block[DELTA_BLOCK];
        int64_t min_delta = INT64_MAX;
        for (size_t i = 0; i < deltas; i++) {
            size_t v = start + i;
            int64_t delta = is_int64
                                ? (int64_t)((uint64_t)values64[v] - (uint64_t)values64[v - 1])
                                : (int64_t)(int32_t)((uint32_t)values32[v] -
                                                     (uint32_t)values32[v - 1]);
            block[i] = (uint64_t)delta;
            min_delta = delta < min_delta ? delta : min_delta;
        }
        uint64_t mask = is_int64 ? ~(uint64_t)0 : 0xFFFFFFFFu;
        for (size_t i = 0; i < deltas; i++) block[i] = (block[i] - (uint64_t)min_delta) & mask;
        for (size_t i = deltas; i < DELTA_BLOCK; i++) block[i] = 0; /* the last miniblock's pad */
        at += put_uleb128(at, zigzag(min_delta));
        uint8_t *widths = at;
        at += DELTA_MINIBLOCKS;
        for (unsigned m = 0; m < DELTA_MINIBLOCKS; m++) {
            widths[m] = 0;
            if ((size_t)m * DELTA_PER_MINIBLOCK >= deltas) continue; /* unused: no bytes */
            uint64_t any = 0;
            for (unsigned i = 0; i < DELTA_PER_MINIBLOCK; i++)
                any |= block[m * DELTA_PER_MINIBLOCK + i];
            unsigned width = bit_width64(any);
            widths[m] = (uint8_t)width;
            if (width == 0) continue;
            pack_miniblock(at, block + m * DELTA_PER_MINIBLOCK, width);
            at += 4 * (size_t)width;
        }
    }
    out->size = (size_t)(at - out->data);
    return FLOE_OK;
}

/* Bytes at the start of two `width`-byte values that are equal. */
static size_t common_prefix(const uint8_t *left, const uint8_t *right, size_t width)
{
    size_t same = 0;
    while (same + 8 <= width) {
        uint64_t a, b;
        memcpy(&a, left + same, 8);
        memcpy(&b, right + same, 8);
        uint64_t differ = a ^ b;
        /* Memory order is the little-endian word's low bytes first. */
        if (differ != 0) return same + (size_t)__builtin_ctzll(differ) / 8;
        same += 8;
    }
    while (same < width && left[same] == right[same]) same++;
    return same;
}

int floe_pq_delta_byte_array_encode_fixed(floe_pq_buffer *out, const uint8_t *values,
                                          size_t count, size_t width, floe_pq_buffer *scratch,
                                          floe_error *err)
{
    FLOE_RETURN_IF(width == 0 || width > INT32_MAX, FLOE_EINVAL, err,
                   "DELTA_BYTE_ARRAY: value width %zu", width);
    scratch->size = 0;
    FLOE_TRY(floe_pq_buffer_reserve(scratch, count * 2 * sizeof(int32_t), err));
    int32_t *prefixes = (int32_t *)(void *)scratch->data;
    int32_t *suffixes = prefixes + count;
    size_t suffix_bytes = 0;
    for (size_t i = 0; i < count; i++) {
        size_t prefix = i == 0 ? 0 : common_prefix(values + (i - 1) * width, values + i * width,
                                                   width);
        prefixes[i] = (int32_t)prefix;
        suffixes[i] = (int32_t)(width - prefix);
        suffix_bytes += width - prefix;
    }
    FLOE_TRY(floe_pq_delta_encode(out, prefixes, count, false, err));
    FLOE_TRY(floe_pq_delta_encode(out, suffixes, count, false, err));
    FLOE_TRY(floe_pq_buffer_reserve(out, suffix_bytes, err));
    uint8_t *at = out->data + out->size;
    for (size_t i = 0; i < count; i++) {
        size_t prefix = (size_t)prefixes[i];
        memcpy(at, values + i * width + prefix, width - prefix);
        at += width - prefix;
    }
    out->size = (size_t)(at - out->data);
    return FLOE_OK;
}

int floe_pq_plain_encode_booleans(floe_pq_buffer *out, const uint8_t *values, size_t count,
                                  floe_error *err)
{
    FLOE_TRY(floe_pq_buffer_reserve(out, (count + 7) / 8, err));
    uint8_t *at = out->data + out->size;
    memset(at, 0, (count + 7) / 8);
    for (size_t i = 0; i < count; i++) {
        if (values[i]) at[i >> 3] |= (uint8_t)(1u << (i & 7));
    }
    out->size += (count + 7) / 8;
    return FLOE_OK;
}

/* ---- dictionary ---------------------------------------------------------------------------- */

void floe_pq_dictionary_init(floe_pq_dictionary *dictionary, uint32_t width)
{
    memset(dictionary, 0, sizeof *dictionary);
    dictionary->width = width;
}

void floe_pq_dictionary_fini(floe_pq_dictionary *dictionary)
{
    floe_free(dictionary->slots);
    floe_free(dictionary->offsets);
    floe_pq_buffer_fini(&dictionary->plain);
    memset(dictionary, 0, sizeof *dictionary);
}

void floe_pq_dictionary_clear(floe_pq_dictionary *dictionary)
{
    dictionary->count = 0;
    dictionary->plain.size = 0;
    for (uint32_t i = 0; i < dictionary->slot_count; i++) dictionary->slots[i].index = UINT32_MAX;
}

const uint8_t *floe_pq_dictionary_entry(const floe_pq_dictionary *dictionary, uint32_t index,
                                        size_t *size)
{
    if (dictionary->width != 0) {
        *size = dictionary->width;
        return dictionary->plain.data + (size_t)index * dictionary->width;
    }
    const uint8_t *at = dictionary->plain.data + dictionary->offsets[index];
    uint32_t length;
    memcpy(&length, at, 4);
    *size = 4 + (size_t)length;
    return at;
}

static bool entry_equals(const floe_pq_dictionary *dictionary, uint32_t index, const void *value,
                         uint32_t length)
{
    size_t size;
    const uint8_t *entry = floe_pq_dictionary_entry(dictionary, index, &size);
    if (dictionary->width != 0) return memcmp(entry, value, dictionary->width) == 0;
    return size - 4 == length && (length == 0 || memcmp(entry + 4, value, length) == 0);
}

static int grow_slots(floe_pq_dictionary *dictionary, floe_error *err)
{
    uint32_t slot_count = dictionary->slot_count == 0 ? 1024 : dictionary->slot_count * 2;
    FLOE_RETURN_IF(slot_count == 0, FLOE_ENOMEM, err, "dictionary too large");
    floe_pq_dictionary_slot *slots = floe_malloc((size_t)slot_count * sizeof *slots);
    FLOE_RETURN_IF(slots == NULL, FLOE_ENOMEM, err, "out of memory for a dictionary of %u slots",
                   slot_count);
    for (uint32_t i = 0; i < slot_count; i++) slots[i].index = UINT32_MAX;
    for (uint32_t i = 0; i < dictionary->slot_count; i++) {
        floe_pq_dictionary_slot slot = dictionary->slots[i];
        if (slot.index == UINT32_MAX) continue;
        uint32_t at = (uint32_t)slot.hash & (slot_count - 1);
        while (slots[at].index != UINT32_MAX) at = (at + 1) & (slot_count - 1);
        slots[at] = slot;
    }
    floe_free(dictionary->slots);
    dictionary->slots = slots;
    dictionary->slot_count = slot_count;
    return FLOE_OK;
}

int floe_pq_dictionary_insert(floe_pq_dictionary *dictionary, const void *value, uint32_t length,
                              uint32_t max_entries, size_t max_bytes, uint32_t *index,
                              bool *full, floe_error *err)
{
    *full = false;
    size_t size = dictionary->width != 0 ? dictionary->width : length;
    if ((size_t)dictionary->count * 2 >= dictionary->slot_count) FLOE_TRY(grow_slots(dictionary, err));
    uint64_t hash = XXH3_64bits(value, size);
    uint32_t mask = dictionary->slot_count - 1;
    uint32_t at = (uint32_t)hash & mask;
    for (;;) {
        floe_pq_dictionary_slot *slot = &dictionary->slots[at];
        if (slot->index == UINT32_MAX) break;
        if (slot->hash == hash && entry_equals(dictionary, slot->index, value, length)) {
            *index = slot->index;
            return FLOE_OK;
        }
        at = (at + 1) & mask;
    }
    size_t plain_size = dictionary->width != 0 ? size : 4 + size;
    if (dictionary->count + 1 > max_entries || dictionary->plain.size + plain_size > max_bytes ||
        dictionary->plain.size + plain_size > UINT32_MAX) {
        *full = true;
        return FLOE_OK;
    }
    if (dictionary->width == 0 && dictionary->count == dictionary->offsets_capacity) {
        uint32_t capacity = dictionary->offsets_capacity == 0 ? 256 : dictionary->offsets_capacity * 2;
        uint32_t *offsets = floe_realloc(dictionary->offsets, (size_t)capacity * sizeof *offsets);
        FLOE_RETURN_IF(offsets == NULL, FLOE_ENOMEM, err, "out of memory for dictionary offsets");
        dictionary->offsets = offsets;
        dictionary->offsets_capacity = capacity;
    }
    FLOE_TRY(floe_pq_buffer_reserve(&dictionary->plain, plain_size, err));
    if (dictionary->width == 0) {
        dictionary->offsets[dictionary->count] = (uint32_t)dictionary->plain.size;
        uint32_t little = length; /* hosts are little-endian (parquet_encoding.h) */
        memcpy(dictionary->plain.data + dictionary->plain.size, &little, 4);
        dictionary->plain.size += 4;
    }
    if (size != 0) memcpy(dictionary->plain.data + dictionary->plain.size, value, size);
    dictionary->plain.size += size;
    dictionary->slots[at].hash = hash;
    dictionary->slots[at].index = dictionary->count;
    *index = dictionary->count++;
    return FLOE_OK;
}

/* ---- bound truncation ---------------------------------------------------------------------- */

/* Bytes of the UTF-8 sequence led by `lead` (1 for a stray byte, so invalid input still moves). */
static size_t utf8_sequence_length(uint8_t lead)
{
    if (lead < 0x80) return 1;
    if ((lead & 0xE0) == 0xC0) return 2;
    if ((lead & 0xF0) == 0xE0) return 3;
    if ((lead & 0xF8) == 0xF0) return 4;
    return 1;
}

size_t floe_pq_truncate_lower(const uint8_t *value, size_t size, size_t max_size,
                              size_t max_code_points, bool utf8)
{
    if (!utf8) {
        size_t limit = max_size;
        if (max_code_points > 0 && max_code_points < limit) limit = max_code_points;
        return size < limit ? size : limit;
    }
    size_t position = 0, points = 0;
    while (position < size) {
        size_t step = utf8_sequence_length(value[position]);
        if (position + step > size) step = size - position;
        if (position + step > max_size) break;
        if (max_code_points > 0 && points == max_code_points) break;
        position += step;
        points++;
    }
    return position;
}

static size_t utf8_encode(uint8_t *out, uint32_t code_point)
{
    if (code_point < 0x80) {
        out[0] = (uint8_t)code_point;
        return 1;
    }
    if (code_point < 0x800) {
        out[0] = (uint8_t)(0xC0 | code_point >> 6);
        out[1] = (uint8_t)(0x80 | (code_point & 0x3F));
        return 2;
    }
    if (code_point < 0x10000) {
        out[0] = (uint8_t)(0xE0 | code_point >> 12);
        out[1] = (uint8_t)(0x80 | ((code_point >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (code_point & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | code_point >> 18);
    out[1] = (uint8_t)(0x80 | ((code_point >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((code_point >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (code_point & 0x3F));
    return 4;
}

long floe_pq_truncate_upper(uint8_t *out, const uint8_t *value, size_t size, size_t max_size,
                            size_t max_code_points, bool utf8)
{
    size_t keep = floe_pq_truncate_lower(value, size, max_size, max_code_points, utf8);
    if (keep == size) {
        if (size != 0) memcpy(out, value, size);
        return (long)size;
    }
    if (!utf8) {
        for (size_t i = keep; i-- > 0;) {
            if (value[i] != 0xFF) {
                memcpy(out, value, i);
                out[i] = (uint8_t)(value[i] + 1);
                return (long)(i + 1);
            }
        }
        return -1;
    }
    /* Walk the kept code points backwards; the first that can be incremented ends the bound. */
    size_t end = keep;
    while (end > 0) {
        size_t start = end - 1;
        while (start > 0 && (value[start] & 0xC0) == 0x80 && end - start < 4) start--;
        size_t length = end - start;
        uint32_t code_point;
        if (length == 1 || utf8_sequence_length(value[start]) != length) {
            /* A stray byte: treat it as one unit. */
            start = end - 1;
            code_point = value[start];
            if (code_point >= 0x80) {
                if (code_point == 0xFF) {
                    end = start;
                    continue;
                }
                memcpy(out, value, start);
                out[start] = (uint8_t)(code_point + 1);
                return (long)(start + 1);
            }
        } else {
            code_point = value[start] & (0xFFu >> (length + 1));
            for (size_t i = start + 1; i < end; i++) code_point = code_point << 6 | (value[i] & 0x3F);
        }
        uint32_t next = code_point + 1;
        if (next >= 0xD800 && next <= 0xDFFF) next = 0xE000;
        if (next > 0x10FFFF) {
            end = start;
            continue;
        }
        memcpy(out, value, start);
        return (long)(start + utf8_encode(out + start, next));
    }
    return -1;
}
