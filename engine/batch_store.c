/*
 * batch_store.c — materialized rows (contract in batch_store.h).
 *
 * Appends allocate first and write after, so a failure (memory limit, allocation) changes no
 * row. Validity bitmaps keep every bit past row_count set, so appending rows without NULLs
 * writes no bits, and a NULL clears one.
 */
#include "engine/batch_store.h"

#include "kernels/memory.h" /* floe_realloc, floe_free */

#include <string.h>

#define MAX_ROWS UINT32_C(0xFFFFFFFE)

static size_t validity_bytes(uint32_t rows) { return ((size_t)rows + 63) / 64 * 8; }

static int is_valid_bit(const uint64_t *validity, uint32_t row)
{
    return validity == NULL || ((validity[row >> 6] >> (row & 63)) & 1);
}

static int reserve(floe_eng_batch_store *store, size_t bytes, floe_error *err)
{
    if (store->context != NULL) FLOE_TRY(floe_eng_context_reserve(store->context, bytes, err));
    store->reserved_bytes += bytes;
    return FLOE_OK;
}

static void unreserve(floe_eng_batch_store *store, size_t bytes)
{
    if (store->context != NULL) floe_eng_context_release(store->context, bytes);
    store->reserved_bytes -= bytes;
}

/* Grows *array from old_size to new_size bytes, accounting the difference first. */
static int resize(floe_eng_batch_store *store, void **array, size_t old_size, size_t new_size,
                  const char *what, floe_error *err)
{
    if (new_size <= old_size) return FLOE_OK;
    FLOE_TRY(reserve(store, new_size - old_size, err));
    void *grown = floe_realloc(*array, new_size);
    if (grown == NULL) {
        unreserve(store, new_size - old_size);
        return floe_error_set(err, FLOE_ENOMEM,
                              "out of memory materializing rows (%zu bytes of %s)", new_size, what);
    }
    *array = grown;
    return FLOE_OK;
}

int floe_eng_batch_store_init(floe_eng_batch_store *store, uint32_t column_count,
                              const floe_type *types, floe_eng_context *context, floe_error *err)
{
    memset(store, 0, sizeof *store);
    for (uint32_t c = 0; c < column_count; c++)
        FLOE_RETURN_IF(!floe_type_is_valid(types[c]), FLOE_EINVAL, err,
                       "materialized rows: column %u has an invalid type", c);
    store->context = context;
    store->columns = floe_calloc(column_count ? column_count : 1, sizeof *store->columns);
    FLOE_RETURN_IF(store->columns == NULL, FLOE_ENOMEM, err,
                   "out of memory materializing rows (%u columns)", column_count);
    store->column_count = column_count;
    for (uint32_t c = 0; c < column_count; c++) {
        floe_eng_stored_column *column = &store->columns[c];
        column->type = types[c];
        column->width =
            floe_type_is_variable_width(types[c]) ? 0 : (uint32_t)floe_type_width(types[c]);
    }
    return FLOE_OK;
}

void floe_eng_batch_store_fini(floe_eng_batch_store *store)
{
    if (store->columns != NULL) {
        for (uint32_t c = 0; c < store->column_count; c++) {
            floe_free(store->columns[c].values);
            floe_free(store->columns[c].offsets);
            floe_free(store->columns[c].heap);
            floe_free(store->columns[c].validity);
        }
    }
    floe_free(store->columns);
    floe_free(store->weights);
    if (store->context != NULL && store->reserved_bytes != 0)
        floe_eng_context_release(store->context, store->reserved_bytes);
    memset(store, 0, sizeof *store);
}

/* Room for `needed` rows in every per-row array. */
static int grow_rows(floe_eng_batch_store *store, uint32_t needed, floe_error *err)
{
    if (needed <= store->row_capacity) return FLOE_OK;
    uint64_t wanted = store->row_capacity != 0 ? (uint64_t)store->row_capacity * 2
                                               : FLOE_BATCH_CAPACITY;
    while (wanted < needed) wanted *= 2;
    uint32_t old_capacity = store->row_capacity;
    uint32_t capacity = wanted > MAX_ROWS ? MAX_ROWS : (uint32_t)wanted;
    for (uint32_t c = 0; c < store->column_count; c++) {
        floe_eng_stored_column *column = &store->columns[c];
        if (column->width != 0) {
            FLOE_TRY(resize(store, (void **)&column->values, (size_t)column->width * old_capacity,
                            (size_t)column->width * capacity, "column values", err));
        } else {
            size_t old_size = old_capacity != 0 ? ((size_t)old_capacity + 1) * 8 : 0;
            FLOE_TRY(resize(store, (void **)&column->offsets, old_size,
                            ((size_t)capacity + 1) * 8, "string offsets", err));
            if (old_capacity == 0) column->offsets[0] = 0;
            if (column->heap == NULL) {
                FLOE_TRY(resize(store, (void **)&column->heap, 0, 4096, "string bytes", err));
                column->heap_capacity = 4096;
            }
        }
        if (column->validity != NULL) {
            size_t old_size = validity_bytes(old_capacity), new_size = validity_bytes(capacity);
            FLOE_TRY(resize(store, (void **)&column->validity, old_size, new_size, "validity",
                            err));
            memset((unsigned char *)column->validity + old_size, 0xff, new_size - old_size);
        }
    }
    if (store->weights != NULL)
        FLOE_TRY(resize(store, (void **)&store->weights, (size_t)old_capacity * 8,
                        (size_t)capacity * 8, "weights", err));
    store->row_capacity = capacity;
    return FLOE_OK;
}

int floe_eng_batch_store_reserve_rows(floe_eng_batch_store *store, size_t rows, floe_error *err)
{
    if (rows == 0) return FLOE_OK;
    return grow_rows(store, rows > MAX_ROWS ? MAX_ROWS : (uint32_t)rows, err);
}

static uint32_t source_row(const uint16_t *selection, uint32_t i)
{
    return selection != NULL ? selection[i] : i;
}

/* Whether any of the listed rows is NULL in `vector`. */
static int has_null(const floe_vector *vector, const uint16_t *selection, uint32_t count)
{
    if (vector->validity == NULL) return 0;
    for (uint32_t i = 0; i < count; i++)
        if (!is_valid_bit(vector->validity, source_row(selection, i))) return 1;
    return 0;
}

static size_t string_bytes(const floe_vector *vector, const uint16_t *selection, uint32_t count)
{
    size_t total = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t row = source_row(selection, i), length = 0;
        if (!is_valid_bit(vector->validity, row)) continue;
        (void)floe_vector_string(vector, row, &length);
        total += length;
    }
    return total;
}

/* dst[i] = values[code or row of the i-th listed row], one loop per width so each copy is a
 * single load and store. A NULL row's dictionary code need not index the dictionary: such a row
 * is skipped (its value is masked as NULL). */
#define COPY_LISTED(width)                                                              \
    for (uint32_t i = 0; i < count; i++) {                                              \
        uint32_t row = source_row(selection, i);                                        \
        if (codes != NULL) {                                                            \
            if (!is_valid_bit(source->validity, row)) continue;                         \
            row = codes[row];                                                           \
        }                                                                               \
        memcpy(dst + (size_t)i * (width), values + (size_t)row * (width), (width));     \
    }

static void append_fixed(floe_eng_stored_column *column, const floe_vector *source,
                         const uint16_t *selection, uint32_t count, uint32_t start)
{
    const unsigned char *values = source->data;
    const uint32_t *codes = NULL;
    if (source->encoding == FLOE_VECTOR_DICTIONARY) {
        codes = source->data;
        values = source->dictionary->data;
    }
    unsigned char *dst = column->values + (size_t)start * column->width;
    switch (column->width) {
    case 1: COPY_LISTED(1); break;
    case 4: COPY_LISTED(4); break;
    case 8: COPY_LISTED(8); break;
    default: COPY_LISTED(16); break;
    }
}

static void append_strings(floe_eng_stored_column *column, const floe_vector *source,
                           const uint16_t *selection, uint32_t count, uint32_t start)
{
    uint64_t offset = column->offsets[start];
    for (uint32_t i = 0; i < count; i++) {
        uint32_t row = source_row(selection, i), length = 0;
        if (is_valid_bit(source->validity, row)) {
            const unsigned char *bytes = floe_vector_string(source, row, &length);
            if (length != 0) memcpy(column->heap + offset, bytes, length);
        }
        offset += length;
        column->offsets[start + i + 1] = offset;
    }
}

int floe_eng_batch_store_append_vectors(floe_eng_batch_store *store,
                                        const floe_vector *const *columns,
                                        const uint16_t *selection, uint32_t count,
                                        const int64_t *weights, floe_error *err)
{
    if (count == 0) return FLOE_OK;
    FLOE_RETURN_IF((uint64_t)store->row_count + count > MAX_ROWS, FLOE_ERANGE, err,
                   "more than %u rows to materialize", MAX_ROWS);
    for (uint32_t c = 0; c < store->column_count; c++) {
        char want[32], got[32];
        FLOE_RETURN_IF(!floe_type_equal(columns[c]->type, store->columns[c].type), FLOE_EINVAL,
                       err, "materialized rows: column %u is %s, the vector %s", c,
                       floe_type_format(store->columns[c].type, want, sizeof want),
                       floe_type_format(columns[c]->type, got, sizeof got));
    }
    uint32_t start = store->row_count;
    FLOE_TRY(grow_rows(store, start + count, err));

    /* Every allocation before any write. */
    int has_weights = store->weights != NULL;
    if (!has_weights && weights != NULL) {
        for (uint32_t i = 0; i < count && !has_weights; i++)
            has_weights = weights[source_row(selection, i)] != 1;
        if (has_weights) {
            FLOE_TRY(resize(store, (void **)&store->weights, 0, (size_t)store->row_capacity * 8,
                            "weights", err));
            for (uint32_t r = 0; r < start; r++) store->weights[r] = 1;
        }
    }
    for (uint32_t c = 0; c < store->column_count; c++) {
        floe_eng_stored_column *column = &store->columns[c];
        const floe_vector *source = columns[c];
        if (column->validity == NULL && has_null(source, selection, count)) {
            size_t size = validity_bytes(store->row_capacity);
            FLOE_TRY(resize(store, (void **)&column->validity, 0, size, "validity", err));
            memset(column->validity, 0xff, size);
        }
        if (column->width == 0) {
            size_t needed = column->offsets[start] + string_bytes(source, selection, count);
            if (needed > column->heap_capacity) {
                size_t capacity = column->heap_capacity * 2;
                while (capacity < needed) capacity *= 2;
                FLOE_TRY(resize(store, (void **)&column->heap, column->heap_capacity, capacity,
                                "string bytes", err));
                column->heap_capacity = capacity;
            }
        }
    }

    for (uint32_t c = 0; c < store->column_count; c++) {
        floe_eng_stored_column *column = &store->columns[c];
        const floe_vector *source = columns[c];
        if (column->width != 0) append_fixed(column, source, selection, count, start);
        else append_strings(column, source, selection, count, start);
        if (source->validity != NULL) {
            for (uint32_t i = 0; i < count; i++) {
                if (is_valid_bit(source->validity, source_row(selection, i))) continue;
                uint32_t row = start + i;
                column->validity[row >> 6] &= ~((uint64_t)1 << (row & 63));
            }
        }
    }
    if (store->weights != NULL) {
        for (uint32_t i = 0; i < count; i++)
            store->weights[start + i] = weights != NULL ? weights[source_row(selection, i)] : 1;
    }
    store->row_count = start + count;
    return FLOE_OK;
}

int floe_eng_batch_store_append(floe_eng_batch_store *store, const floe_batch *batch,
                                floe_error *err)
{
    FLOE_RETURN_IF(batch->column_count != store->column_count, FLOE_EINVAL, err,
                   "materialized rows: a batch of %u columns for a store of %u",
                   batch->column_count, store->column_count);
    const floe_vector *stack_columns[16];
    const floe_vector **columns = stack_columns;
    if (batch->column_count > 16) {
        columns = floe_malloc(batch->column_count * sizeof *columns);
        FLOE_RETURN_IF(columns == NULL, FLOE_ENOMEM, err, "out of memory materializing rows");
    }
    for (uint32_t c = 0; c < batch->column_count; c++) columns[c] = &batch->columns[c];
    int status = floe_eng_batch_store_append_vectors(store, columns, batch->selection,
                                                     floe_batch_live_count(batch),
                                                     batch->weights, err);
    if (columns != stack_columns) floe_free(columns);
    return status;
}

/* Gathered rows are usually random ones in a store larger than cache: each loop prefetches the
 * row it will read PREFETCH_DISTANCE iterations later, so the misses overlap. */
enum { PREFETCH_DISTANCE = 16 };

static uint32_t row_or_zero(uint32_t row)
{
    return row == FLOE_ENG_STORE_NULL_ROW ? 0 : row;
}

/* out[position(i)] = values[rows[i]]; a NULL row reads row 0 (its value is masked as NULL) so the
 * loop has no branch on it; `missing` records whether there was one. */
#define GATHER_STORED(width)                                                                  \
    for (uint32_t i = 0; i < count; i++) {                                                    \
        if (i + PREFETCH_DISTANCE < count)                                                    \
            __builtin_prefetch(values + (size_t)row_or_zero(rows[i + PREFETCH_DISTANCE]) *    \
                                            (width));                                         \
        uint32_t row = rows[i];                                                               \
        missing |= row == FLOE_ENG_STORE_NULL_ROW;                                            \
        row = row_or_zero(row);                                                               \
        uint32_t at = positions != NULL ? positions[i] : i;                                   \
        memcpy(dst + (size_t)at * (width), values + (size_t)row * (width), (width));          \
    }

int floe_eng_batch_store_gather(const floe_eng_batch_store *store, uint32_t column_index,
                                const uint32_t *rows, const uint32_t *positions, uint32_t count,
                                floe_vector *out, floe_error *err)
{
    FLOE_RETURN_IF(column_index >= store->column_count, FLOE_EINVAL, err,
                   "materialized rows: no column %u", column_index);
    const floe_eng_stored_column *column = &store->columns[column_index];
    FLOE_RETURN_IF(!floe_type_equal(out->type, column->type), FLOE_EINVAL, err,
                   "materialized rows: gathering column %u into a vector of another type",
                   column_index);
    floe_vector_reset(out);
    int missing = 0;
    if (store->row_count == 0) {
        missing = count != 0; /* every row asked for must be a NULL row */
    } else if (column->width != 0) {
        const unsigned char *values = column->values;
        unsigned char *dst = out->data;
        switch (column->width) {
        case 1: GATHER_STORED(1); break;
        case 4: GATHER_STORED(4); break;
        case 8: GATHER_STORED(8); break;
        default: GATHER_STORED(16); break;
        }
    } else if (column->offsets[store->row_count] <= UINT32_MAX) {
        const uint64_t *offsets = column->offsets;
        floe_string_ref *refs = out->data;
        /* Two stages ahead: the offsets of row i + 2D, then the bytes of row i + D (whose offset
         * should have arrived), so the consumer finds the strings in cache too. */
        for (uint32_t i = 0; i < count; i++) {
            if (i + 2 * PREFETCH_DISTANCE < count)
                __builtin_prefetch(offsets + row_or_zero(rows[i + 2 * PREFETCH_DISTANCE]));
            if (i + PREFETCH_DISTANCE < count) {
                uint32_t ahead = row_or_zero(rows[i + PREFETCH_DISTANCE]);
                __builtin_prefetch(column->heap + offsets[ahead]);
            }
            uint32_t row = rows[i];
            missing |= row == FLOE_ENG_STORE_NULL_ROW;
            row = row_or_zero(row);
            uint32_t at = positions != NULL ? positions[i] : i;
            refs[at] = (floe_string_ref){(uint32_t)offsets[row],
                                         (uint32_t)(offsets[row + 1] - offsets[row])};
        }
        out->heap = column->heap;
    } else {
        for (uint32_t i = 0; i < count; i++) {
            uint32_t row = rows[i], at = positions != NULL ? positions[i] : i;
            const unsigned char *bytes = column->heap;
            uint32_t length = 0;
            if (row == FLOE_ENG_STORE_NULL_ROW) {
                missing = 1;
            } else {
                bytes += column->offsets[row];
                length = (uint32_t)(column->offsets[row + 1] - column->offsets[row]);
            }
            FLOE_TRY(floe_vector_set_string(out, at, bytes, length, err));
        }
    }
    if (column->validity == NULL && !missing) return FLOE_OK;
    floe_vector_prepare_validity(out);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t row = rows[i];
        if (row != FLOE_ENG_STORE_NULL_ROW && is_valid_bit(column->validity, row)) continue;
        uint32_t at = positions != NULL ? positions[i] : i;
        out->validity[at >> 6] &= ~((uint64_t)1 << (at & 63));
    }
    return FLOE_OK;
}

#define GATHER_VECTOR(width)                                                            \
    for (uint32_t i = 0; i < count; i++)                                                \
        memcpy(dst + (size_t)i * (width), values + (size_t)rows[i] * (width), (width));

void floe_eng_vector_gather(const floe_vector *source, const uint32_t *rows, uint32_t count,
                            floe_vector *out)
{
    floe_vector_reset(out);
    const unsigned char *values = source->data;
    unsigned char *dst = out->data;
    size_t width;
    if (source->encoding == FLOE_VECTOR_DICTIONARY) {
        out->encoding = FLOE_VECTOR_DICTIONARY;
        out->dictionary = source->dictionary;
        width = sizeof(uint32_t);
    } else {
        width = floe_type_width(source->type);
        if (floe_type_is_variable_width(source->type)) out->heap = source->heap;
    }
    switch (width) {
    case 1: GATHER_VECTOR(1); break;
    case 4: GATHER_VECTOR(4); break;
    case 8: GATHER_VECTOR(8); break;
    default: GATHER_VECTOR(16); break;
    }
    if (source->validity == NULL) return;
    /* Whole words at a time: the output bits are dense. */
    uint64_t *validity = out->validity_storage;
    for (uint32_t base = 0; base < count; base += 64) {
        uint64_t word = 0;
        uint32_t end = count - base < 64 ? count - base : 64;
        for (uint32_t j = 0; j < end; j++)
            word |= (uint64_t)is_valid_bit(source->validity, rows[base + j]) << j;
        validity[base >> 6] = word;
    }
    out->validity = validity;
}
