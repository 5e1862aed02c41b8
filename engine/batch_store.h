/*
 * batch_store.h — materialized rows: the live rows of many batches appended into growable
 * column storage (strings included), with their Z-set weights, and gathered back by row number
 * into batch vectors. The hash join keeps its build side here, ORDER BY its input; aggregates
 * and the incremental executor's arrangements reuse it.
 *
 * Layout, one floe_eng_stored_column per column, rows numbered 0, 1, 2, ... in append order:
 *   - fixed-width types: `values` is a flat array of row_count values, stored as in a vector
 *     (kernels/types.h: BOOLEAN 1 byte, INT32/DATE/FLOAT32 4, INT64/... 8, DECIMAL(p>18) 16);
 *   - STRING / BINARY: row i is heap[offsets[i] .. offsets[i + 1]): 64-bit offsets, so a store
 *     holds more than the 4 GiB of string bytes a single vector is limited to;
 *   - `validity`: a vector.h bitmap over the rows, NULL while no NULL has been appended;
 *   - `weights` (per store): NULL while every appended row weighed +1.
 * Dictionary-encoded input is decoded on append: a store is always flat.
 *
 * Gather writes rows[i] of a column into row i of a vector (or row positions[i], for operators
 * that keep output rows where their input rows were and mark live ones with a selection).
 * FLOE_ENG_STORE_NULL_ROW in rows[] yields a NULL (a LEFT join's missing right side). Fixed-width
 * values are copied; strings are not: while the column's heap holds at most 4 GiB the output
 * vector's `heap` points into the store (a view, see kernels/vector.h) and only the references are
 * written, otherwise the bytes are copied into the vector's own heap. floe_eng_vector_gather does
 * the same from a batch's vector (the probe side of a join): a dictionary-encoded source stays
 * dictionary-encoded (codes are gathered, the dictionary is shared) and string bytes stay where
 * they are. Either way the output is valid while the source is unchanged: until the store's next
 * append or fini, or the source batch's next call.
 *
 * Memory: the store owns its arrays; growth doubles them. With a context, every byte of capacity
 * the store holds is accounted with floe_eng_context_reserve before it is allocated (so a store
 * past the query's memory limit fails with that limit's FLOE_ENOMEM message and allocates
 * nothing more), and released by fini. Rows are numbered in uint32: at most 2^32-2 rows, since
 * the join kernels number build rows the same way (FLOE_ERANGE past that).
 *
 * Errors: FLOE_ENOMEM (allocation or memory limit), FLOE_ERANGE (row count, or more than 4 GiB of
 * string bytes gathered into one vector), FLOE_EINVAL (a vector of another type than its column).
 * A failed append leaves the store as it was before the call.
 */
#ifndef FLOE_ENGINE_BATCH_STORE_H
#define FLOE_ENGINE_BATCH_STORE_H

#include "engine/operator.h" /* floe_eng_context */
#include "kernels/status.h"  /* floe_error */
#include "kernels/types.h"   /* floe_type */
#include "kernels/vector.h"  /* floe_vector, floe_batch */

#include <stddef.h>
#include <stdint.h>

/* A row number that gathers as NULL (the same value as the join kernels' FLOE_K_JOIN_NO_MATCH). */
#define FLOE_ENG_STORE_NULL_ROW UINT32_C(0xFFFFFFFF)

typedef struct floe_eng_stored_column {
    floe_type type;
    uint32_t width;         /* bytes per entry of `values`; 0 for STRING / BINARY */
    unsigned char *values;  /* fixed-width types: row_capacity entries */
    uint64_t *offsets;      /* STRING / BINARY: row_capacity + 1 byte offsets into heap */
    unsigned char *heap;    /* STRING / BINARY bytes */
    size_t heap_capacity;
    uint64_t *validity;     /* bit set = value present; NULL: no NULL appended so far */
} floe_eng_stored_column;

typedef struct floe_eng_batch_store {
    floe_eng_context *context;        /* accounting; NULL: none */
    uint32_t column_count;
    floe_eng_stored_column *columns;  /* column_count, owned */
    uint32_t row_count;
    uint32_t row_capacity;
    int64_t *weights;                 /* row_capacity weights; NULL: every row +1 */
    size_t reserved_bytes;            /* accounted with context so far */
} floe_eng_batch_store;

/* An empty store of `column_count` columns of `types` (copied). FLOE_EINVAL for an invalid type,
 * FLOE_ENOMEM. The context (may be NULL) must outlive the store. */
int floe_eng_batch_store_init(floe_eng_batch_store *store, uint32_t column_count,
                              const floe_type *types, floe_eng_context *context, floe_error *err);

/* Frees the storage and releases what was accounted; the store is then empty and unusable until
 * init. Safe on a zeroed or already finished store. */
void floe_eng_batch_store_fini(floe_eng_batch_store *store);

/* Makes room for `rows` rows in every per-row array (string bytes excepted), so appending that
 * many moves no array again; accounted like any growth. FLOE_ENOMEM. */
int floe_eng_batch_store_reserve_rows(floe_eng_batch_store *store, size_t rows, floe_error *err);

/* Appends the batch's live rows (selection honoured) with their weights. The batch must have
 * the store's column count and types. */
int floe_eng_batch_store_append(floe_eng_batch_store *store, const floe_batch *batch,
                                floe_error *err);

/* The same from loose vectors: columns[c] (one per store column, any encoding) hold the rows of
 * one batch; selection (NULL: rows 0..count-1) lists the `count` rows to append; weights (NULL:
 * +1) is indexed by row. ORDER BY appends a batch's columns followed by its evaluated sort keys. */
int floe_eng_batch_store_append_vectors(floe_eng_batch_store *store,
                                        const floe_vector *const *columns,
                                        const uint16_t *selection, uint32_t count,
                                        const int64_t *weights, floe_error *err);

/* Writes rows[i] of `column` into row positions[i] (positions NULL: row i) of `out`, for i below
 * count (at most out's capacity). `out` (of the column's type) is reset first, so rows not
 * written hold garbage. */
int floe_eng_batch_store_gather(const floe_eng_batch_store *store, uint32_t column,
                                const uint32_t *rows, const uint32_t *positions, uint32_t count,
                                floe_vector *out, floe_error *err);

/* The weight of a stored row. */
static inline int64_t floe_eng_batch_store_weight(const floe_eng_batch_store *store, uint32_t row)
{
    return store->weights != NULL ? store->weights[row] : 1;
}

static inline int floe_eng_batch_store_is_null(const floe_eng_batch_store *store, uint32_t column,
                                               uint32_t row)
{
    const uint64_t *validity = store->columns[column].validity;
    return validity != NULL && !((validity[row >> 6] >> (row & 63)) & 1);
}

/* Writes rows[i] of `source` (FLAT or DICTIONARY, same type as out) into row i of `out`, reset
 * first; see the header comment for what is shared rather than copied. Cannot fail. */
void floe_eng_vector_gather(const floe_vector *source, const uint32_t *rows, uint32_t count,
                            floe_vector *out);

#endif
