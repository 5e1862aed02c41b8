/*
 * vector.h — column vectors and batches: the unit of work of every operator.
 *
 * A floe_vector holds up to `capacity` values of one type (storage per type: types.h) and a
 * validity bitmap: bit i of `validity` set means row i holds a value; `validity == NULL` means
 * no row is NULL. Strings and binaries are floe_string_ref (offset, length) into `heap`, a
 * contiguous byte buffer, so a string vector is two flat arrays a kernel can stream.
 *
 * A vector is either FLAT (data holds the values) or DICTIONARY (data holds uint32 codes into
 * `dictionary`, a flat vector the consumer does not own: a Parquet decoder hands out a page's
 * dictionary this way so that filters and group-bys can work on codes).
 *
 * Ownership: a vector owns `data_storage`, `validity_storage` and `heap_storage`, allocated at
 * init and reused across batches. `data`, `validity` and `heap` normally point at that storage,
 * but a producer may point them elsewhere (a view into a page buffer it keeps alive for the
 * batch's lifetime); floe_vector_reset points them back. Views never own.
 *
 * A floe_batch is up to FLOE_BATCH_CAPACITY rows across `column_count` vectors, plus
 *   - a selection vector: when `selection != NULL`, only rows selection[0..selected_count) are
 *     live (ascending row indices); operators refine it instead of compacting after a filter;
 *   - weights: when `weights != NULL`, row i carries weights[i] (+1 insert, -1 retract, or a
 *     multiplicity) — a Z-set delta as in DBSP; NULL means every row weighs +1.
 *
 * Errors: init functions return FLOE_ENOMEM (with a message) when allocation fails and leave the
 * struct safe to _fini. Nothing here reads external bytes.
 */
#ifndef FLOE_KERNELS_VECTOR_H
#define FLOE_KERNELS_VECTOR_H

#include "status.h"
#include "types.h"

#include <stdbool.h>
#include <stdint.h>

enum { FLOE_BATCH_CAPACITY = 2048 };

typedef enum floe_vector_encoding {
    FLOE_VECTOR_FLAT = 0,
    FLOE_VECTOR_DICTIONARY = 1,
} floe_vector_encoding;

typedef struct floe_string_ref {
    uint32_t offset; /* into the vector's heap */
    uint32_t length; /* bytes */
} floe_string_ref;

typedef struct floe_vector {
    floe_type type;
    uint8_t encoding;                       /* floe_vector_encoding */
    uint32_t capacity;                      /* rows the storage holds */
    void *data;                             /* values, or uint32 codes when DICTIONARY */
    uint64_t *validity;                     /* NULL: no NULLs */
    const unsigned char *heap;              /* string bytes for floe_string_ref */
    size_t heap_size;                       /* bytes used in heap_storage */
    const struct floe_vector *dictionary;   /* DICTIONARY only; not owned */

    void *data_storage;                     /* owned, 64-byte aligned */
    uint64_t *validity_storage;             /* owned */
    unsigned char *heap_storage;            /* owned, grows as strings are appended */
    size_t heap_capacity;
} floe_vector;

/* Prepares an empty vector of `capacity` rows. */
int floe_vector_init(floe_vector *vector, floe_type type, uint32_t capacity, floe_error *err);
void floe_vector_fini(floe_vector *vector);

/* Forgets the rows: FLAT, no NULLs, empty heap, pointers back at owned storage. */
void floe_vector_reset(floe_vector *vector);

static inline bool floe_vector_is_null(const floe_vector *vector, uint32_t row)
{
    return vector->validity != NULL && !((vector->validity[row >> 6] >> (row & 63)) & 1);
}

/* Makes `validity` point at owned storage with every row valid, so rows can be marked NULL. */
void floe_vector_prepare_validity(floe_vector *vector);

/* Marks a row NULL (preparing validity on first use) or valid. */
void floe_vector_set_null(floe_vector *vector, uint32_t row);
void floe_vector_set_valid(floe_vector *vector, uint32_t row);

/* Number of NULL rows among the first `row_count`. */
uint32_t floe_vector_count_nulls(const floe_vector *vector, uint32_t row_count);

/* Copies `length` bytes into the owned heap and stores the reference at `row`.
 * FLOE_ENOMEM when the heap cannot grow; FLOE_ERANGE past 4 GiB of string bytes per vector.
 * The vector's heap must be its own (not a view) when appending. */
int floe_vector_set_string(floe_vector *vector, uint32_t row, const void *bytes, uint32_t length,
                           floe_error *err);

/* Bytes and length of the string at `row` (FLAT vectors, or resolved through the dictionary). */
static inline const unsigned char *floe_vector_string(const floe_vector *vector, uint32_t row,
                                                      uint32_t *length)
{
    const floe_vector *values = vector;
    if (vector->encoding == FLOE_VECTOR_DICTIONARY) {
        row = ((const uint32_t *)vector->data)[row];
        values = vector->dictionary;
    }
    floe_string_ref ref = ((const floe_string_ref *)values->data)[row];
    *length = ref.length;
    /* A vector whose strings are all empty may have no heap at all. */
    static const unsigned char no_bytes[1] = {0};
    return ref.length > 0 ? values->heap + ref.offset : no_bytes;
}

typedef struct floe_batch {
    uint32_t column_count;
    floe_vector *columns;        /* column_count vectors, owned */
    uint32_t row_count;          /* rows held by the vectors */
    const uint16_t *selection;   /* live rows, ascending; NULL: all row_count rows */
    uint32_t selected_count;     /* entries of selection when it is set */
    int64_t *weights;            /* per-row weight; NULL: every row +1 */

    uint16_t *selection_storage; /* owned, FLOE_BATCH_CAPACITY entries */
    int64_t *weight_storage;     /* owned, FLOE_BATCH_CAPACITY entries */
} floe_batch;

/* A batch of FLOE_BATCH_CAPACITY rows with one column per type. */
int floe_batch_init(floe_batch *batch, uint32_t column_count, const floe_type *types,
                    floe_error *err);
void floe_batch_fini(floe_batch *batch);

/* Empties every column, drops the selection and the weights. */
void floe_batch_reset(floe_batch *batch);

/* Rows an operator must consider: selected_count with a selection, else row_count. */
static inline uint32_t floe_batch_live_count(const floe_batch *batch)
{
    return batch->selection != NULL ? batch->selected_count : batch->row_count;
}

/* Index of the i-th live row. */
static inline uint32_t floe_batch_live_row(const floe_batch *batch, uint32_t i)
{
    return batch->selection != NULL ? batch->selection[i] : i;
}

static inline int64_t floe_batch_weight(const floe_batch *batch, uint32_t row)
{
    return batch->weights != NULL ? batch->weights[row] : 1;
}

/* Makes `weights` point at owned storage with every row weighing `weight`. */
void floe_batch_prepare_weights(floe_batch *batch, int64_t weight);

#endif
