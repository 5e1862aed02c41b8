/*
 * vector.c — column vectors and batches (contract in vector.h).
 */
#include "vector.h"

#include "memory.h"

#include <string.h>

enum { data_alignment = 64 };

static size_t validity_words(uint32_t capacity) { return ((size_t)capacity + 63) / 64; }

int floe_vector_init(floe_vector *vector, floe_type type, uint32_t capacity, floe_error *err)
{
    memset(vector, 0, sizeof *vector);
    FLOE_RETURN_IF(!floe_type_is_valid(type), FLOE_EINVAL, err, "invalid column type id %u",
                   type.id);
    vector->type = type;
    vector->capacity = capacity;
    /* Dictionary codes are 4 bytes wide, so storage is at least that wide for any type. */
    size_t width = floe_type_width(type);
    if (width < sizeof(uint32_t)) width = sizeof(uint32_t);
    vector->data_storage = floe_alloc_aligned(width * (capacity ? capacity : 1), data_alignment);
    vector->validity_storage = floe_malloc(validity_words(capacity ? capacity : 1) * 8);
    if (vector->data_storage == NULL || vector->validity_storage == NULL) {
        floe_vector_fini(vector);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory for a vector of %u rows", capacity);
    }
    floe_vector_reset(vector);
    return FLOE_OK;
}

void floe_vector_fini(floe_vector *vector)
{
    floe_free_aligned(vector->data_storage);
    floe_free(vector->validity_storage);
    floe_free(vector->heap_storage);
    memset(vector, 0, sizeof *vector);
}

void floe_vector_reset(floe_vector *vector)
{
    vector->encoding = FLOE_VECTOR_FLAT;
    vector->data = vector->data_storage;
    vector->validity = NULL;
    vector->heap = vector->heap_storage;
    vector->heap_size = 0;
    vector->dictionary = NULL;
}

void floe_vector_prepare_validity(floe_vector *vector)
{
    memset(vector->validity_storage, 0xff, validity_words(vector->capacity) * 8);
    vector->validity = vector->validity_storage;
}

void floe_vector_set_null(floe_vector *vector, uint32_t row)
{
    if (vector->validity == NULL) floe_vector_prepare_validity(vector);
    vector->validity[row >> 6] &= ~((uint64_t)1 << (row & 63));
}

void floe_vector_set_valid(floe_vector *vector, uint32_t row)
{
    if (vector->validity == NULL) return;
    vector->validity[row >> 6] |= (uint64_t)1 << (row & 63);
}

uint32_t floe_vector_count_nulls(const floe_vector *vector, uint32_t row_count)
{
    if (vector->validity == NULL) return 0;
    uint32_t valid = 0;
    uint32_t full_words = row_count / 64;
    for (uint32_t word = 0; word < full_words; word++) {
        valid += (uint32_t)__builtin_popcountll(vector->validity[word]);
    }
    uint32_t tail = row_count % 64;
    if (tail != 0) {
        uint64_t mask = ((uint64_t)1 << tail) - 1;
        valid += (uint32_t)__builtin_popcountll(vector->validity[full_words] & mask);
    }
    return row_count - valid;
}

int floe_vector_set_string(floe_vector *vector, uint32_t row, const void *bytes, uint32_t length,
                           floe_error *err)
{
    if (vector->heap_size + length > UINT32_MAX) {
        return floe_error_set(err, FLOE_ERANGE, "more than 4 GiB of string bytes in one vector");
    }
    size_t needed = vector->heap_size + length;
    /* Even an empty string gets a heap, so `heap + offset` is never arithmetic on NULL. */
    if (needed > vector->heap_capacity || vector->heap_storage == NULL) {
        size_t capacity = vector->heap_capacity ? vector->heap_capacity * 2 : 4096;
        while (capacity < needed) capacity *= 2;
        unsigned char *grown = floe_realloc(vector->heap_storage, capacity);
        FLOE_RETURN_IF(grown == NULL, FLOE_ENOMEM, err, "out of memory for %zu string bytes",
                       capacity);
        vector->heap_storage = grown;
        vector->heap_capacity = capacity;
        vector->heap = grown;
    }
    if (length != 0) memcpy(vector->heap_storage + vector->heap_size, bytes, length);
    ((floe_string_ref *)vector->data)[row] =
        (floe_string_ref){(uint32_t)vector->heap_size, length};
    vector->heap_size += length;
    return FLOE_OK;
}

int floe_batch_init(floe_batch *batch, uint32_t column_count, const floe_type *types,
                    floe_error *err)
{
    memset(batch, 0, sizeof *batch);
    batch->columns = floe_calloc(column_count ? column_count : 1, sizeof(floe_vector));
    batch->selection_storage = floe_malloc(FLOE_BATCH_CAPACITY * sizeof(uint16_t));
    batch->weight_storage = floe_malloc(FLOE_BATCH_CAPACITY * sizeof(int64_t));
    if (batch->columns == NULL || batch->selection_storage == NULL || batch->weight_storage == NULL) {
        floe_batch_fini(batch);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory for a batch of %u columns",
                              column_count);
    }
    for (uint32_t i = 0; i < column_count; i++) {
        int status = floe_vector_init(&batch->columns[i], types[i], FLOE_BATCH_CAPACITY, err);
        if (status != FLOE_OK) {
            batch->column_count = i;
            floe_batch_fini(batch);
            return status;
        }
    }
    batch->column_count = column_count;
    return FLOE_OK;
}

void floe_batch_fini(floe_batch *batch)
{
    if (batch->columns != NULL) {
        for (uint32_t i = 0; i < batch->column_count; i++) floe_vector_fini(&batch->columns[i]);
    }
    floe_free(batch->columns);
    floe_free(batch->selection_storage);
    floe_free(batch->weight_storage);
    memset(batch, 0, sizeof *batch);
}

void floe_batch_reset(floe_batch *batch)
{
    for (uint32_t i = 0; i < batch->column_count; i++) floe_vector_reset(&batch->columns[i]);
    batch->row_count = 0;
    batch->selection = NULL;
    batch->selected_count = 0;
    batch->weights = NULL;
}

void floe_batch_prepare_weights(floe_batch *batch, int64_t weight)
{
    for (uint32_t i = 0; i < FLOE_BATCH_CAPACITY; i++) batch->weight_storage[i] = weight;
    batch->weights = batch->weight_storage;
}
