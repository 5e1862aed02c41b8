/*
 * parquet_reader.h — a Parquet file as a stream of Floe column batches.
 *
 * What it does: opens a file (its footer: io/parquet_footer.h), projects a set of flat leaf
 * columns, and for each selected row group reads exactly the projected column chunks' byte
 * ranges in ONE batch of io/file_reader.h requests, then decodes their pages (io/parquet_page.c,
 * io/parquet_column.c) into floe_batch vectors of up to FLOE_BATCH_CAPACITY rows.
 *
 * Batches never span row groups: a batch holds rows of one row group only (the last batch of a
 * row group may be short). That keeps one dictionary per column per batch, and lets callers
 * prune by row group statistics.
 *
 * Types: each projected column's Floe type is the footer's mapping (parquet_schema.h), with its
 * conversion applied while decoding (millis ×1000, nanos ÷1000 rounding down, INT96 → micros,
 * unsigned zero-extension, decimals to int64/int128, FLOAT16 → float32).
 *
 * Strings and binaries are copied into each vector's own heap, unless options.dictionary_as_codes
 * is set: then a STRING/BINARY column whose pages are dictionary-encoded comes out as a
 * DICTIONARY vector (uint32 codes into a flat dictionary vector owned by the reader). If a chunk
 * falls back from dictionary to plain pages inside a batch, that batch's vector is materialized
 * as a FLAT vector instead. A dictionary vector stays valid until the next call of
 * floe_pq_reader_next_batch or floe_pq_reader_free.
 *
 * Memory: the reader owns its footer, one buffer per projected column chunk (the raw chunk
 * bytes of the current row group), the decoded dictionaries and page scratch buffers. The caller
 * owns the floe_batch (create it with floe_pq_reader_batch_init, which uses the projected types).
 * Pages are decoded whole (a page with more than FLOE_PQ_MAX_PAGE_VALUES values or more than
 * FLOE_PQ_MAX_PAGE_SIZE uncompressed bytes is refused), so memory is bounded by the largest page
 * plus the column chunks of one row group.
 *
 * Errors: one line naming the file, and where it applies the column, row group and page:
 *   "x.parquet: column 'a': row group 2: page 5: crc mismatch"
 *   FLOE_ECORRUPT  anything in the file that the format forbids or that does not add up (chunk
 *                  range outside the file, page sizes beyond the chunk, dictionary index out of
 *                  range, more or fewer values than the chunk/row group claims, bad levels,
 *                  corrupt compressed data, crc mismatch...)
 *   FLOE_EUNSUPPORTED  a nested column requested ("unsupported nested column <path>"), an
 *                  unknown encoding or codec, page limits above exceeded
 *   FLOE_ENOTFOUND a projected column name that is not in the file; FLOE_EINVAL bad arguments
 *   FLOE_ENOMEM, -errno from the file reader.
 * After an error from next_batch the reader is unusable (call free).
 */
#ifndef FLOE_IO_PARQUET_READER_H
#define FLOE_IO_PARQUET_READER_H

#include "io/file_reader.h"    /* floe_io_backend */
#include "io/parquet_footer.h" /* floe_pq_file_metadata */
#include "kernels/status.h"
#include "kernels/types.h"
#include "kernels/vector.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits against hostile page headers (real pages are kilobytes to a few MiB). */
#define FLOE_PQ_MAX_PAGE_SIZE ((int32_t)1 << 30)
#define FLOE_PQ_MAX_PAGE_VALUES ((int32_t)1 << 24)

typedef struct floe_pq_reader floe_pq_reader;

typedef struct floe_pq_reader_options {
    /* Projection by name (top-level name or dotted path), in output order; NULL = see below. */
    const char *const *column_names;
    uint32_t column_name_count;
    /* Or by leaf index (floe_pq_file_metadata.columns), used when column_names is NULL.
     * Neither given: every leaf column (a nested one then fails opening). */
    const uint32_t *column_indexes;
    uint32_t column_index_count;
    bool dictionary_as_codes;  /* STRING/BINARY dictionary pages as DICTIONARY vectors */
    floe_io_backend io_backend;/* AUTO (default), URING or PREAD */
} floe_pq_reader_options;

/* One projected column. */
typedef struct floe_pq_reader_column {
    const char *name;          /* the leaf's name (owned by the reader's footer) */
    floe_type type;            /* Floe type of the vector */
    uint32_t leaf_index;       /* index into floe_pq_file_metadata.columns */
} floe_pq_reader_column;

/* Opens `path` (options may be NULL: every column, AUTO backend). *out is NULL on error. */
int floe_pq_reader_open(floe_pq_reader **out, const char *path,
                        const floe_pq_reader_options *options, floe_error *err);

/* The same over a whole file image in memory (bytes must outlive the reader); `name` is used in
 * messages. Nothing is read from disk. For tests and fuzzing. */
int floe_pq_reader_open_memory(floe_pq_reader **out, const void *bytes, size_t size,
                               const char *name, const floe_pq_reader_options *options,
                               floe_error *err);

void floe_pq_reader_free(floe_pq_reader *reader);

/* The projected columns, in output order; *count receives their number. */
const floe_pq_reader_column *floe_pq_reader_schema(const floe_pq_reader *reader, uint32_t *count);

/* The decoded footer (owned by the reader). */
const floe_pq_file_metadata *floe_pq_reader_metadata(const floe_pq_reader *reader);

uint32_t floe_pq_reader_row_group_count(const floe_pq_reader *reader);
int64_t floe_pq_reader_row_group_rows(const floe_pq_reader *reader, uint32_t row_group);

/* A statistics bound decoded into the column's Floe storage (types.h): `value` holds fixed-width
 * values (int32, int64, float, double, int128, a boolean byte); STRING/BINARY bounds are
 * `bytes`/`size`, a view into the reader's footer. */
typedef struct floe_pq_bound {
    union {
        uint8_t boolean;
        int32_t i32;
        int64_t i64;
        float f32;
        double f64;
        floe_int128 i128;
    } value;
    const uint8_t *bytes;
    size_t size;
} floe_pq_bound;

typedef struct floe_pq_column_statistics {
    bool has_null_count;
    int64_t null_count;
    bool has_min_max;       /* both bounds present and decodable in the column's order */
    floe_pq_bound min, max;
} floe_pq_column_statistics;

/* Statistics of projected column `column` (0-based, output order) in `row_group`. Bounds are
 * only reported when their meaning is certain: min_value/max_value, or the legacy min/max for
 * signed integer, float and boolean columns; never for INT96, unsigned 64-bit or float16, and
 * not when a float bound is NaN. FLOE_EINVAL for indexes out of range. */
int floe_pq_reader_statistics(const floe_pq_reader *reader, uint32_t row_group, uint32_t column,
                              floe_pq_column_statistics *statistics, floe_error *err);

/* Reads only these row groups, in this order (indexes must be valid and the call must come
 * before the first next_batch). count 0 reads nothing. */
int floe_pq_reader_select_row_groups(floe_pq_reader *reader, const uint32_t *row_groups,
                                     uint32_t count, floe_error *err);

/* Prepares a batch with one vector per projected column, of the projected types. */
int floe_pq_reader_batch_init(const floe_pq_reader *reader, floe_batch *batch, floe_error *err);

/* Fills batch (reset first) with the next up to FLOE_BATCH_CAPACITY rows. Returns FLOE_OK with
 * row_count > 0, or FLOE_OK with row_count 0 at the end; a negative status on error. */
int floe_pq_reader_next_batch(floe_pq_reader *reader, floe_batch *batch, floe_error *err);

#endif
