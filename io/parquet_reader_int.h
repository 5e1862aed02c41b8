/*
 * parquet_reader_int.h — private to the Parquet reader: the column chunk cursor
 * (io/parquet_column.c) and the page decoder (io/parquet_page.c).
 *
 * A cursor walks one column chunk held in memory: page header, optional crc check,
 * decompression, definition levels, values. A data page is decoded whole into the cursor's
 * page state (a validity bitmap, vector.h layout, bit set = defined, then the non-NULL values
 * densely in Floe storage, or as string references relative to `string_base`, or as dictionary
 * codes), and the batch filler copies rows out of that state with the decode kernels
 * (kernels/decode.h: bit ranges, spread), so a page may span any number of batches. A PLAIN
 * page whose stored values already are Floe storage is used in place (no decode copy).
 *
 * Page layout reminders (parquet-format):
 *   data page v1  body (all of it compressed): [rep levels][def levels][values]; RLE levels are
 *                 prefixed by a 4-byte little-endian length, BIT_PACKED levels take
 *                 ceil(n * bit_width / 8) bytes, MSB first
 *   data page v2  [rep levels][def levels] uncompressed (lengths in the header, no prefix), then
 *                 the values, compressed only when is_compressed
 *   dictionary    PLAIN values, at most one per chunk, before the data pages
 *   crc           CRC-32 of the page bytes after the header, exactly as stored (compressed)
 */
#ifndef FLOE_IO_PARQUET_READER_INT_H
#define FLOE_IO_PARQUET_READER_INT_H

#include "io/parquet_codec.h"
#include "io/parquet_encoding.h" /* floe_pq_rle_decoder */
#include "io/parquet_footer.h"
#include "io/parquet_reader.h"
#include "kernels/arena.h"
#include "kernels/vector.h"

typedef enum floe_pq_page_kind {
    FLOE_PQ_PAGE_VALUES = 0,  /* values: fixed-width Floe storage */
    FLOE_PQ_PAGE_REFS = 1,    /* values: floe_string_ref relative to string_base */
    FLOE_PQ_PAGE_CODES = 2,   /* values: uint32 codes into the cursor's dictionary */
} floe_pq_page_kind;

typedef struct floe_pq_column_cursor {
    /* Identity, for decoding and messages. */
    const char *file_name;
    const floe_pq_column *column;
    floe_type type;              /* Floe type (column->type) */
    size_t width;                /* floe_type_width(type) */
    bool keep_codes;             /* dictionary_as_codes and a STRING/BINARY column */
    floe_pq_codec_context *codec_context; /* shared, owned by the reader */

    /* The chunk of the current row group. */
    uint32_t row_group;
    int codec;
    const uint8_t *chunk;        /* bytes of the chunk (reader-owned) */
    size_t chunk_size;
    uint64_t chunk_offset;       /* file offset of chunk[0] */
    size_t position;             /* next page header in chunk */
    int64_t chunk_values;        /* num_values the chunk metadata claims */
    int64_t values_read;         /* values of the data pages loaded so far */
    int64_t total_uncompressed;  /* chunk's total_uncompressed_size (a bound for pages) */
    uint32_t page_number;        /* pages started in this chunk; the current page is number-1 */

    /* The chunk's dictionary, decoded once, in Floe storage (strings in its own heap). */
    bool has_dictionary;
    floe_vector dictionary;
    uint32_t dictionary_count;

    /* The current data page. */
    uint32_t page_rows;          /* rows (level entries) in the page */
    uint32_t page_row;           /* next row to hand out */
    uint32_t page_value;         /* next non-NULL value to hand out */
    uint32_t page_non_null;      /* non-NULL values in the page */
    int page_kind;               /* floe_pq_page_kind */
    const uint64_t *defined;     /* page_rows validity bits; NULL when no row is NULL */
    const void *values;          /* page_non_null values (see page_kind) */
    const uint8_t *string_base;  /* base of REFS */
    /* CODES of a page without NULLs are decoded batch by batch, straight into the vector's
     * codes (no page-sized code array to write and read back): `values` is NULL and this
     * decoder, over the page body, hands out the next page_value.. codes. A bad code or a
     * short code stream is then reported by the batch that reaches it (same message, same page
     * context), not when the page is loaded. */
    bool codes_streaming;
    floe_pq_rle_decoder code_decoder;

    /* Reusable buffers (floe_malloc). */
    uint8_t *page_buffer;   size_t page_buffer_capacity;   /* decompressed body */
    uint8_t *level_buffer;  size_t level_buffer_capacity;  /* defined bits (uint64 words) */
    uint8_t *value_buffer;  size_t value_buffer_capacity;  /* decoded values / refs / codes */
    uint8_t *raw_buffer;    size_t raw_buffer_capacity;    /* physical values before conversion */
    uint32_t *code_buffer;  size_t code_buffer_capacity;   /* levels as uint32, codes */
    uint8_t *align_buffer;  size_t align_buffer_capacity;  /* a batch's values, realigned */
    floe_arena string_arena;                               /* DELTA_BYTE_ARRAY heaps, per page */
} floe_pq_column_cursor;

/* ---- parquet_column.c ---------------------------------------------------------------------- */

void floe_pq_cursor_init(floe_pq_column_cursor *cursor, const char *file_name,
                         const floe_pq_column *column, bool dictionary_as_codes,
                         floe_pq_codec_context *codec_context);
void floe_pq_cursor_fini(floe_pq_column_cursor *cursor);

/* Starts a new chunk (forgets the previous chunk's dictionary and page). */
void floe_pq_cursor_start_chunk(floe_pq_column_cursor *cursor, uint32_t row_group,
                                const floe_pq_column_metadata *meta, const uint8_t *chunk,
                                size_t chunk_size, uint64_t chunk_offset);

/* Appends `count` rows of the chunk to vector rows first_row.. . */
int floe_pq_cursor_read(floe_pq_column_cursor *cursor, floe_vector *vector, uint32_t first_row,
                        uint32_t count, floe_error *err);

/* After the row group's last row: FLOE_ECORRUPT when the chunk holds more values. */
int floe_pq_cursor_finish_chunk(floe_pq_column_cursor *cursor, floe_error *err);

/* ---- parquet_page.c ------------------------------------------------------------------------ */

/* Grows *buffer to at least `size` bytes (contents not kept). */
int floe_pq_scratch_reserve(uint8_t **buffer, size_t *capacity, size_t size, floe_error *err);

/* Decodes the dictionary page body (PLAIN, `count` values) into cursor->dictionary. */
int floe_pq_page_decode_dictionary(floe_pq_column_cursor *cursor, const uint8_t *body,
                                   size_t body_size, uint32_t count, floe_error *err);

/* Decodes one data page whose header is `header`; `levels` / `levels_size` are the v2 level
 * bytes (NULL for v1, where they lead `body`), body the decompressed rest. Fills the cursor's
 * page state. */
int floe_pq_page_decode_data(floe_pq_column_cursor *cursor, const floe_pq_page_header *header,
                             const uint8_t *levels, size_t levels_size, const uint8_t *body,
                             size_t body_size, floe_error *err);

/* Reads the next `count` codes of a streaming CODES page into dst and checks them against the
 * dictionary (the messages of floe_pq_rle_read and floe_pq_dictionary_check, value numbers
 * counted from the page's first value). */
int floe_pq_page_read_codes(floe_pq_column_cursor *cursor, uint32_t *dst, uint32_t count,
                            floe_error *err);

/* Converts `count` physical values (fixed: `fixed`, width physical; or BYTE_ARRAY refs into
 * base) into Floe storage at dst for fixed-width Floe types. Used for pages and statistics. */
int floe_pq_convert_values(const floe_pq_column *column, void *dst, const uint8_t *fixed,
                           const floe_string_ref *refs, const uint8_t *base, size_t count,
                           floe_error *err);

/* Bytes one stored value of the column's physical type takes (BYTE_ARRAY: 0). */
size_t floe_pq_physical_width(const floe_pq_column *column);

#endif
