/*
 * parquet_column.c — a cursor over one column chunk: pages one after another, rows handed out
 * in whatever slices the batches want.
 *
 * Why a cursor: batches are 2048 rows, pages hold any number of rows, so a page is decoded once
 * (io/parquet_page.c) and its rows are copied out across as many batches as it spans. The
 * cursor also owns the chunk's dictionary (decoded once per chunk) and is where the page-level
 * checks live: page sizes against the chunk, the page crc, value counts against the chunk's
 * num_values, decompression limits. Every error leaves here prefixed with
 * "FILE: column 'C': row group R: page P" (P counts the chunk's pages from 0, dictionary page
 * included).
 */
#include "io/parquet_reader_int.h"

#include "io/parquet_encoding.h"
#include "io/snappy.h" /* floe_io_snappy_decompress: faster than libsnappy */
#include "kernels/decode.h"
#include "kernels/memory.h"

#include <string.h>
#include <zlib.h> /* crc32 */

void floe_pq_cursor_init(floe_pq_column_cursor *cursor, const char *file_name,
                         const floe_pq_column *column, bool dictionary_as_codes,
                         floe_pq_codec_context *codec_context)
{
    memset(cursor, 0, sizeof *cursor);
    cursor->file_name = file_name;
    cursor->column = column;
    cursor->type = column->type;
    cursor->width = floe_type_width(column->type);
    cursor->keep_codes = dictionary_as_codes && floe_type_is_variable_width(column->type);
    cursor->codec_context = codec_context;
    /* DELTA_BYTE_ARRAY rebuilds every value of a page: bounded like a page. */
    floe_arena_init(&cursor->string_arena, 0, (size_t)FLOE_PQ_MAX_PAGE_SIZE * 2);
}

void floe_pq_cursor_fini(floe_pq_column_cursor *cursor)
{
    if (cursor == NULL) return;
    floe_vector_fini(&cursor->dictionary);
    floe_free(cursor->page_buffer);
    floe_free(cursor->level_buffer);
    floe_free(cursor->value_buffer);
    floe_free(cursor->raw_buffer);
    floe_free(cursor->code_buffer);
    floe_free(cursor->align_buffer);
    floe_arena_fini(&cursor->string_arena);
    memset(cursor, 0, sizeof *cursor);
}

void floe_pq_cursor_start_chunk(floe_pq_column_cursor *cursor, uint32_t row_group,
                                const floe_pq_column_metadata *meta, const uint8_t *chunk,
                                size_t chunk_size, uint64_t chunk_offset)
{
    cursor->row_group = row_group;
    cursor->codec = meta->codec;
    cursor->chunk = chunk;
    cursor->chunk_size = chunk_size;
    cursor->chunk_offset = chunk_offset;
    cursor->position = 0;
    cursor->chunk_values = meta->num_values;
    cursor->values_read = 0;
    cursor->total_uncompressed = meta->total_uncompressed_size;
    cursor->page_number = 0;
    cursor->has_dictionary = false;
    cursor->dictionary_count = 0;
    cursor->page_rows = cursor->page_row = cursor->page_value = cursor->page_non_null = 0;
    cursor->defined = NULL;
    cursor->values = NULL;
    cursor->codes_streaming = false;
}

static int error_context(const floe_pq_column_cursor *cursor, int status, floe_error *err)
{
    if (err != NULL) {
        floe_error_prefix(err, "%s: column '%s': row group %u: page %u", cursor->file_name,
                          cursor->column->path, cursor->row_group,
                          cursor->page_number ? cursor->page_number - 1 : 0);
    }
    return status;
}

/* Decompresses src into the page buffer (or uses src as is when not compressed). */
static int page_body(floe_pq_column_cursor *cursor, bool compressed, const uint8_t *src,
                     size_t src_size, size_t size, const uint8_t **body, floe_error *err)
{
    if (!compressed) {
        FLOE_RETURN_IF(src_size != size, FLOE_ECORRUPT, err,
                       "uncompressed page stores %zu bytes but claims %zu", src_size, size);
        *body = src;
        return FLOE_OK;
    }
    FLOE_RETURN_IF(cursor->total_uncompressed > 0 && (int64_t)size > cursor->total_uncompressed,
                   FLOE_ECORRUPT, err,
                   "page claims %zu uncompressed bytes, more than the column chunk's %lld", size,
                   (long long)cursor->total_uncompressed);
    FLOE_TRY(floe_pq_scratch_reserve(&cursor->page_buffer, &cursor->page_buffer_capacity, size,
                                    err));
    size_t written = 0;
    if (size == 0 && src_size == 0) {
        *body = cursor->page_buffer;
        return FLOE_OK;
    }
    if (cursor->codec == FLOE_PQ_CODEC_SNAPPY) {
        FLOE_TRY(floe_io_snappy_decompress(cursor->page_buffer, size, src, src_size, &written,
                                           err));
    } else {
        FLOE_TRY(floe_pq_decompress(cursor->codec_context, cursor->codec, cursor->page_buffer,
                                    size, src, src_size, &written, err));
    }
    FLOE_RETURN_IF(written != size, FLOE_ECORRUPT, err,
                   "page decompressed to %zu bytes, its header says %zu", written, size);
    *body = cursor->page_buffer;
    return FLOE_OK;
}

/* Moves to the next data page holding at least one value. */
static int load_page(floe_pq_column_cursor *cursor, floe_error *err)
{
    for (;;) {
        FLOE_RETURN_IF(cursor->position >= cursor->chunk_size, FLOE_ECORRUPT, err,
                       "column chunk ends after %lld values, the row group has more rows",
                       (long long)cursor->values_read);
        cursor->page_number++;
        floe_pq_page_header header;
        size_t header_size = 0;
        const uint8_t *start = cursor->chunk + cursor->position;
        size_t left = cursor->chunk_size - cursor->position;
        FLOE_TRY(floe_pq_page_header_parse(start, left, cursor->chunk_offset + cursor->position,
                                           &header, &header_size, err));
        left -= header_size;
        size_t stored = (size_t)header.compressed_page_size;
        FLOE_RETURN_IF(stored > left, FLOE_ECORRUPT, err,
                       "page of %zu bytes runs past the end of the column chunk (%zu bytes left)",
                       stored, left);
        FLOE_RETURN_IF(header.uncompressed_page_size > FLOE_PQ_MAX_PAGE_SIZE, FLOE_ECORRUPT, err,
                       "page claims %d uncompressed bytes (limit %d)",
                       header.uncompressed_page_size, FLOE_PQ_MAX_PAGE_SIZE);
        const uint8_t *src = start + header_size;
        if (header.has_crc) {
            uLong crc = crc32(0L, Z_NULL, 0);
            crc = crc32(crc, src, (uInt)stored);
            FLOE_RETURN_IF((uint32_t)crc != header.crc, FLOE_ECORRUPT, err, "crc mismatch");
        }
        cursor->position += header_size + stored;
        size_t size = (size_t)header.uncompressed_page_size;
        bool compressed = cursor->codec != FLOE_PQ_CODEC_UNCOMPRESSED;
        if (header.type == FLOE_PQ_DICTIONARY_PAGE) {
            FLOE_RETURN_IF(cursor->has_dictionary, FLOE_ECORRUPT, err, "a second dictionary page");
            FLOE_RETURN_IF(cursor->values_read > 0, FLOE_ECORRUPT, err,
                           "dictionary page after data pages");
            int encoding = header.dictionary_page_header.encoding;
            FLOE_RETURN_IF(encoding != FLOE_PQ_PLAIN && encoding != FLOE_PQ_PLAIN_DICTIONARY,
                           FLOE_EUNSUPPORTED, err, "dictionary page encoded as %s",
                           floe_pq_encoding_name(encoding));
            const uint8_t *body;
            FLOE_TRY(page_body(cursor, compressed, src, stored, size, &body, err));
            int32_t count = header.dictionary_page_header.num_values;
            FLOE_RETURN_IF(count < 0, FLOE_ECORRUPT, err, "dictionary page claims %d values",
                           count);
            FLOE_TRY(floe_pq_page_decode_dictionary(cursor, body, size, (uint32_t)count, err));
            continue;
        }
        if (header.type != FLOE_PQ_DATA_PAGE && header.type != FLOE_PQ_DATA_PAGE_V2) {
            continue; /* index pages and unknown kinds carry no values */
        }
        bool v2 = header.type == FLOE_PQ_DATA_PAGE_V2;
        int32_t values = v2 ? header.data_page_header_v2.num_values
                            : header.data_page_header.num_values;
        FLOE_RETURN_IF(values < 0, FLOE_ECORRUPT, err, "page claims %d values", values);
        FLOE_RETURN_IF(values > FLOE_PQ_MAX_PAGE_VALUES, FLOE_EUNSUPPORTED, err,
                       "page of %d values (limit %d)", values, FLOE_PQ_MAX_PAGE_VALUES);
        FLOE_RETURN_IF((int64_t)values > cursor->chunk_values - cursor->values_read,
                       FLOE_ECORRUPT, err,
                       "page holds %d values but the column chunk has only %lld left of %lld",
                       values, (long long)(cursor->chunk_values - cursor->values_read),
                       (long long)cursor->chunk_values);
        if (values == 0) continue;
        const uint8_t *levels = NULL;
        size_t levels_size = 0;
        if (v2) {
            levels_size = (size_t)header.data_page_header_v2.repetition_levels_byte_length +
                          (size_t)header.data_page_header_v2.definition_levels_byte_length;
            FLOE_RETURN_IF(levels_size > stored || levels_size > size, FLOE_ECORRUPT, err,
                           "levels of %zu bytes exceed the page", levels_size);
            levels = src;
            src += levels_size;
            stored -= levels_size;
            size -= levels_size;
            compressed = compressed && header.data_page_header_v2.is_compressed;
        }
        const uint8_t *body;
        FLOE_TRY(page_body(cursor, compressed, src, stored, size, &body, err));
        cursor->page_rows = (uint32_t)values;
        FLOE_TRY(floe_pq_page_decode_data(cursor, &header, levels, levels_size, body, size, err));
        cursor->values_read += values;
        return FLOE_OK;
    }
}

/* Bit `bit` of a validity bitmap. */
static bool bit_is_set(const uint64_t *validity, size_t bit)
{
    return (validity[bit >> 6] >> (bit & 63)) & 1;
}

/* Copies page validity bits [from, from + count) to the vector's rows row.. (64 at a time). */
static void copy_validity(uint64_t *to, uint32_t row, const uint64_t *from, uint32_t first,
                          uint32_t count)
{
    uint32_t done = 0;
    while (done < count) {
        unsigned n = count - done < 64 ? count - done : 64;
        floe_k_bits_store(to, (size_t)row + done, floe_k_bits_load(from, (size_t)first + done, n),
                          n);
        done += n;
    }
}

/* Rows with a value among bits [first, first + count) of `defined`. */
static uint32_t count_defined(const uint64_t *defined, uint32_t first, uint32_t count)
{
    uint32_t total = 0;
    for (uint32_t done = 0; done < count; done += 64) {
        unsigned n = count - done < 64 ? count - done : 64;
        total += (uint32_t)__builtin_popcountll(floe_k_bits_load(defined, (size_t)first + done, n));
    }
    return total;
}

/* Spreads the page's dense values over rows with NULLs (zero in NULL rows); *consumed = the
 * values used. Widths 4 and 8 use the SIMD kernel, which wants aligned values: a PLAIN page used
 * in place usually leaves them unaligned (they follow the levels), so this batch's values are
 * first moved to aligned scratch with one memcpy. */
static int spread_values(floe_pq_column_cursor *cursor, void *dst, const uint8_t *values,
                         size_t width, const uint64_t *defined, uint32_t first, uint32_t count,
                         uint32_t *consumed, floe_error *err)
{
    if ((width == 8 || width == 4) && ((uintptr_t)values & (width - 1)) != 0) {
        size_t needed = count_defined(defined, first, count);
        FLOE_TRY(floe_pq_scratch_reserve(&cursor->align_buffer, &cursor->align_buffer_capacity,
                                        needed * width, err));
        memcpy(cursor->align_buffer, values, needed * width);
        values = cursor->align_buffer;
    }
    if (width == 8) {
        *consumed = (uint32_t)floe_k_spread_u64(dst, (const uint64_t *)(const void *)values,
                                                defined, first, count);
        return FLOE_OK;
    }
    if (width == 4) {
        *consumed = (uint32_t)floe_k_spread_u32(dst, (const uint32_t *)(const void *)values,
                                                defined, first, count);
        return FLOE_OK;
    }
    uint8_t *out = dst;
    uint32_t next = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (bit_is_set(defined, (size_t)first + i)) {
            memcpy(out + (size_t)i * width, values + (size_t)next * width, width);
            next++;
        } else {
            memset(out + (size_t)i * width, 0, width);
        }
    }
    *consumed = next;
    return FLOE_OK;
}

/* A DICTIONARY vector whose batch meets a page of plain values: its rows so far become flat. */
static int materialize(floe_pq_column_cursor *cursor, floe_vector *vector, uint32_t rows,
                       floe_error *err)
{
    uint32_t *codes = floe_malloc(((size_t)rows + 1) * sizeof *codes);
    FLOE_RETURN_IF(codes == NULL, FLOE_ENOMEM, err, "out of memory materializing a dictionary");
    memcpy(codes, vector->data, (size_t)rows * sizeof *codes);
    vector->encoding = FLOE_VECTOR_FLAT;
    vector->dictionary = NULL;
    const floe_string_ref *entries = cursor->dictionary.data;
    int status = FLOE_OK;
    for (uint32_t i = 0; i < rows && status == FLOE_OK; i++) {
        if (floe_vector_is_null(vector, i)) {
            ((floe_string_ref *)vector->data)[i] = (floe_string_ref){0, 0};
            continue;
        }
        floe_string_ref entry = entries[codes[i]];
        status = floe_vector_set_string(vector, i, cursor->dictionary.heap + entry.offset,
                                        entry.length, err);
    }
    floe_free(codes);
    return status;
}

/* Copies `take` rows of the current page to vector rows row.. . */
static int copy_rows(floe_pq_column_cursor *cursor, floe_vector *vector, uint32_t row,
                     uint32_t take, floe_error *err)
{
    const uint64_t *defined = cursor->defined;
    uint32_t first = cursor->page_row; /* bit of `defined` for vector row `row` */
    uint32_t value = cursor->page_value;
    if (defined != NULL) {
        if (vector->validity == NULL) floe_vector_prepare_validity(vector);
        copy_validity(vector->validity, row, defined, first, take);
    }
    if (row == 0 && cursor->page_kind == FLOE_PQ_PAGE_CODES) {
        vector->encoding = FLOE_VECTOR_DICTIONARY;
        vector->dictionary = &cursor->dictionary;
    }
    if (vector->encoding == FLOE_VECTOR_DICTIONARY && cursor->page_kind != FLOE_PQ_PAGE_CODES) {
        FLOE_TRY(materialize(cursor, vector, row, err));
    }
    size_t width = cursor->width;
    switch (cursor->page_kind) {
    case FLOE_PQ_PAGE_VALUES: {
        const uint8_t *values = cursor->values;
        uint8_t *data = (uint8_t *)vector->data + (size_t)row * width;
        if (defined == NULL) {
            memcpy(data, values + (size_t)value * width, (size_t)take * width);
            value += take;
            break;
        }
        uint32_t consumed = 0;
        FLOE_TRY(spread_values(cursor, data, values + (size_t)value * width, width, defined, first,
                               take, &consumed, err));
        value += consumed;
        break;
    }
    case FLOE_PQ_PAGE_REFS: {
        const floe_string_ref *refs = cursor->values;
        for (uint32_t i = 0; i < take; i++) {
            if (defined != NULL && !bit_is_set(defined, (size_t)first + i)) {
                ((floe_string_ref *)vector->data)[row + i] = (floe_string_ref){0, 0};
                continue;
            }
            floe_string_ref ref = refs[value++];
            /* A page of only empty strings has no byte buffer: NULL + 0 is undefined in C. */
            static const uint8_t no_bytes[1];
            const uint8_t *bytes = ref.length > 0 ? cursor->string_base + ref.offset : no_bytes;
            FLOE_TRY(floe_vector_set_string(vector, row + i, bytes, ref.length, err));
        }
        break;
    }
    case FLOE_PQ_PAGE_CODES: {
        /* The codes of these rows start at codes[0]. */
        const uint32_t *codes;
        if (cursor->codes_streaming) { /* no NULLs: one code per row */
            uint32_t *target;
            if (vector->encoding == FLOE_VECTOR_DICTIONARY) {
                target = (uint32_t *)vector->data + row;
            } else {
                FLOE_TRY(floe_pq_scratch_reserve((uint8_t **)&cursor->code_buffer,
                                                &cursor->code_buffer_capacity,
                                                (size_t)take * sizeof *target, err));
                target = cursor->code_buffer;
            }
            FLOE_TRY(floe_pq_page_read_codes(cursor, target, take, err));
            codes = target;
        } else {
            codes = (const uint32_t *)cursor->values + value;
        }
        if (vector->encoding == FLOE_VECTOR_DICTIONARY) {
            uint32_t *out = (uint32_t *)vector->data + row;
            if (defined == NULL) {
                if (codes != out) memcpy(out, codes, (size_t)take * sizeof *codes);
                value += take;
            } else {
                value += (uint32_t)floe_k_spread_u32(out, codes, defined, first, take);
            }
            break;
        }
        const floe_string_ref *entries = cursor->dictionary.data;
        uint32_t next = 0;
        for (uint32_t i = 0; i < take; i++) {
            if (defined != NULL && !bit_is_set(defined, (size_t)first + i)) {
                ((floe_string_ref *)vector->data)[row + i] = (floe_string_ref){0, 0};
                continue;
            }
            value++;
            floe_string_ref entry = entries[codes[next++]];
            FLOE_TRY(floe_vector_set_string(vector, row + i,
                                            cursor->dictionary.heap + entry.offset, entry.length,
                                            err));
        }
        break;
    }
    default:
        return floe_error_set(err, FLOE_EINVAL, "page state lost");
    }
    cursor->page_row += take;
    cursor->page_value = value;
    return FLOE_OK;
}

int floe_pq_cursor_read(floe_pq_column_cursor *cursor, floe_vector *vector, uint32_t first_row,
                        uint32_t count, floe_error *err)
{
    uint32_t filled = 0;
    while (filled < count) {
        int status = FLOE_OK;
        if (cursor->page_row >= cursor->page_rows) status = load_page(cursor, err);
        if (status < 0) return error_context(cursor, status, err);
        uint32_t available = cursor->page_rows - cursor->page_row;
        uint32_t take = count - filled < available ? count - filled : available;
        status = copy_rows(cursor, vector, first_row + filled, take, err);
        if (status < 0) return error_context(cursor, status, err);
        filled += take;
    }
    return FLOE_OK;
}

int floe_pq_cursor_finish_chunk(floe_pq_column_cursor *cursor, floe_error *err)
{
    if (cursor->page_row < cursor->page_rows || cursor->values_read < cursor->chunk_values) {
        floe_error_set(err, FLOE_ECORRUPT,
                       "column chunk holds more values (%lld) than the row group has rows",
                       (long long)cursor->chunk_values);
        return error_context(cursor, FLOE_ECORRUPT, err);
    }
    return FLOE_OK;
}
