/*
 * op_order.c — the ORDER operator (engine/operator.h, sql/plan.h): sorts its whole input by the
 * node's keys and hands it out in batches of up to 2048 rows, weights kept with their rows.
 *
 * The first next() drains the input into a batch store (engine/batch_store.h): the input's
 * columns, followed by the value of every key that is not a plain input column (evaluated per
 * batch), so each key is a stored column. The input is destroyed once drained. Then the row
 * numbers are sorted and gathered back in order; string bytes are not copied (the output
 * vectors' heaps are views into the store).
 *
 * Order, as DuckDB 1.5 sorts (checked with @duckdb/node-api):
 *   - NULLs first or last per key as the plan resolved it, whatever the direction;
 *   - integers, decimals, dates, timestamps by value; BOOLEAN false < true;
 *   - floats by value with -0.0 equal to 0.0, and every NaN equal to every other and above +inf;
 *   - STRING and BINARY bytewise (memcmp, then the shorter first), which for UTF-8 is code-point
 *     order, DuckDB's default collation;
 *   - DESC reverses a key's value order, not its NULL placement;
 *   - rows equal on every key keep their input order (a stable sort).
 *
 * The sort: each row gets a 16-byte entry (its first key as a 64-bit order-preserving prefix, its
 * NULL rank, its row number). A stable LSD radix sort orders the entries by (rank, prefix); for a
 * first key of up to 64 bits the prefix is the whole key, so a single such key is done there.
 * Otherwise each run of entries with equal (rank, prefix) is finished by a stable merge sort
 * (insertion-sorted runs of 32, merges that skip pairs already in order) comparing the stored
 * columns: the rest of the first key (for strings, the prefix is the 8 bytes after the prefix
 * that all the column's strings share, so "customer#000001234" keys are told apart by their
 * digits; for 128-bit decimals, the upper half), then the later keys.
 *
 * Memory: the store and the sort's buffers (36 bytes a row while sorting, then 4) are accounted
 * with floe_eng_context_reserve: past the limit, FLOE_ENOMEM with its message. No top-N shortcut:
 * a LIMIT above still sorts everything.
 */
#include "engine/batch_store.h"     /* the materialized input */
#include "engine/expression_eval.h" /* computed sort keys */
#include "engine/operator.h"
#include "kernels/memory.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

enum { CAPACITY = FLOE_BATCH_CAPACITY, RUN = 32 };

typedef struct sort_key {
    floe_eng_expression_state *state; /* NULL: the key is input column `column` */
    uint32_t column;                  /* the store column holding the key */
    floe_type type;
    bool descending;
    bool nulls_first;
    floe_vector value;                /* computed keys: this batch's values */
} sort_key;

typedef struct sort_entry {
    uint64_t prefix; /* the first key, order-preserving (reversed for DESC); 0 when NULL */
    uint32_t row;
    uint16_t rank;   /* the first key's NULL placement: 0 sorts before 1 */
    uint16_t whole;  /* the prefix holds all of the first key: equal prefixes, equal keys */
} sort_entry;

typedef struct order_operator {
    floe_eng_operator base;
    floe_eng_operator *input;
    uint32_t input_columns;
    floe_type *types;          /* the output's (the input's, copied: the input goes early) */
    uint32_t key_count;
    sort_key *keys;
    bool first_key_exact;      /* the prefix decides the first key alone */
    const floe_vector **append_columns; /* input columns then computed keys, per batch */
    floe_eng_batch_store store;
    uint32_t *sorted_rows;     /* the store's rows in output order */
    size_t entries_reserved;   /* bytes accounted for the sort */
    uint32_t emitted;          /* entries handed out so far */
    bool sorted;
    floe_batch output;
} order_operator;

/* ---- keys as ordered integers ---- */

static uint64_t order_bits_float(float value)
{
    if (isnan(value)) value = NAN;
    if (value == 0.0f) value = 0.0f;
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    bits = (bits & UINT32_C(0x80000000)) ? ~bits : bits | UINT32_C(0x80000000);
    return bits;
}

static uint64_t order_bits_double(double value)
{
    if (isnan(value)) value = (double)NAN;
    if (value == 0.0) value = 0.0;
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    return (bits & UINT64_C(0x8000000000000000)) ? ~bits : bits | UINT64_C(0x8000000000000000);
}

static bool is_wide_decimal(floe_type type)
{
    return type.id == FLOE_TYPE_DECIMAL && type.precision > FLOE_DECIMAL64_MAX_PRECISION;
}

/* Whether order_bits gives the key's whole order. */
static bool is_exact(floe_type type)
{
    return !floe_type_is_variable_width(type) && !is_wide_decimal(type);
}

/* An unsigned integer whose order is the (ascending) order of the non-NULL value at `row`: the
 * whole value for types of up to 64 bits, a prefix otherwise (see is_exact). Strings are read
 * from byte `skip` on, the length of a prefix every compared string shares. */
static uint64_t order_bits(const floe_eng_stored_column *column, uint32_t row, uint64_t skip)
{
    const unsigned char *at = column->values + (size_t)row * column->width;
    switch ((floe_type_id)column->type.id) {
    case FLOE_TYPE_BOOLEAN: return *at;
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_DATE: {
        int32_t value;
        memcpy(&value, at, sizeof value);
        return (uint32_t)value ^ UINT32_C(0x80000000);
    }
    case FLOE_TYPE_FLOAT32: {
        float value;
        memcpy(&value, at, sizeof value);
        return order_bits_float(value);
    }
    case FLOE_TYPE_FLOAT64: {
        double value;
        memcpy(&value, at, sizeof value);
        return order_bits_double(value);
    }
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY: {
        /* 8 bytes, big-endian, zero-padded: a shorter string that is a prefix of a longer one
         * gets a prefix <= the longer one's, and any differing byte decides. */
        uint64_t start = column->offsets[row] + skip;
        uint64_t length = column->offsets[row + 1] - start;
        uint64_t bits = 0;
        for (uint32_t i = 0; i < 8; i++)
            bits = bits << 8 | (i < length ? column->heap[start + i] : 0);
        return bits;
    }
    default:
        if (is_wide_decimal(column->type)) {
            floe_int128 value;
            memcpy(&value, at, sizeof value);
            return (uint64_t)((floe_uint128)value >> 64) ^ UINT64_C(0x8000000000000000);
        }
        {
            int64_t value; /* INT64, TIMESTAMP(TZ), DECIMAL(p<=18) */
            memcpy(&value, at, sizeof value);
            return (uint64_t)value ^ UINT64_C(0x8000000000000000);
        }
    }
}

/* <0, 0, >0 as row a sorts before, with, after row b on one key. */
static int compare_key(const order_operator *order, const sort_key *key, uint32_t a, uint32_t b)
{
    const floe_eng_stored_column *column = &order->store.columns[key->column];
    bool a_null = floe_eng_batch_store_is_null(&order->store, key->column, a);
    bool b_null = floe_eng_batch_store_is_null(&order->store, key->column, b);
    if (a_null || b_null) {
        if (a_null && b_null) return 0;
        return (a_null ? -1 : 1) * (key->nulls_first ? 1 : -1);
    }
    int result;
    if (floe_type_is_variable_width(column->type)) {
        uint64_t a_start = column->offsets[a], b_start = column->offsets[b];
        uint64_t a_length = column->offsets[a + 1] - a_start;
        uint64_t b_length = column->offsets[b + 1] - b_start;
        uint64_t common = a_length < b_length ? a_length : b_length;
        result = common != 0 ? memcmp(column->heap + a_start, column->heap + b_start, common) : 0;
        if (result == 0) result = (a_length > b_length) - (a_length < b_length);
    } else if (is_wide_decimal(column->type)) {
        floe_int128 x, y;
        memcpy(&x, column->values + (size_t)a * 16, sizeof x);
        memcpy(&y, column->values + (size_t)b * 16, sizeof y);
        result = (x > y) - (x < y);
    } else {
        uint64_t x = order_bits(column, a, 0), y = order_bits(column, b, 0);
        result = (x > y) - (x < y);
    }
    return key->descending ? -result : result;
}

static int compare_rows(const order_operator *order, const sort_entry *a, const sort_entry *b)
{
    for (uint32_t k = a->whole & b->whole; k < order->key_count; k++) {
        int result = compare_key(order, &order->keys[k], a->row, b->row);
        if (result != 0) return result;
    }
    return 0;
}

/* Whether entry a must come after entry b. */
static inline bool sorts_after(const order_operator *order, const sort_entry *a,
                               const sort_entry *b)
{
    if (a->rank != b->rank) return a->rank > b->rank;
    if (a->prefix != b->prefix) return a->prefix > b->prefix;
    if (a->whole & b->whole && order->key_count == 1) return false;
    return compare_rows(order, a, b) > 0;
}

static void insertion_sort(const order_operator *order, sort_entry *entries, size_t count)
{
    for (size_t i = 1; i < count; i++) {
        sort_entry entry = entries[i];
        size_t j = i;
        while (j > 0 && sorts_after(order, &entries[j - 1], &entry)) {
            entries[j] = entries[j - 1];
            j--;
        }
        entries[j] = entry;
    }
}

/* Stable: on a tie the left run's entry goes first. */
static void merge(const order_operator *order, const sort_entry *source, size_t low, size_t middle,
                  size_t high, sort_entry *target)
{
    if (!sorts_after(order, &source[middle - 1], &source[middle])) {
        memcpy(target + low, source + low, (high - low) * sizeof *target);
        return;
    }
    size_t i = low, j = middle, k = low;
    while (i < middle && j < high) {
        if (sorts_after(order, &source[i], &source[j])) target[k++] = source[j++];
        else target[k++] = source[i++];
    }
    while (i < middle) target[k++] = source[i++];
    while (j < high) target[k++] = source[j++];
}

static void merge_sort(const order_operator *order, sort_entry *entries, sort_entry *scratch,
                       size_t count)
{
    for (size_t start = 0; start < count; start += RUN)
        insertion_sort(order, entries + start, count - start < RUN ? count - start : RUN);
    sort_entry *source = entries, *target = scratch;
    for (size_t width = RUN; width < count; width *= 2) {
        for (size_t low = 0; low < count; low += 2 * width) {
            size_t middle = low + width < count ? low + width : count;
            size_t high = low + 2 * width < count ? low + 2 * width : count;
            if (middle == high) memcpy(target + low, source + low, (high - low) * sizeof *target);
            else merge(order, source, low, middle, high, target);
        }
        sort_entry *swap = source;
        source = target;
        target = swap;
    }
    if (source != entries) memcpy(entries, source, count * sizeof *entries);
}

/* ---- the operator ---- */

static int account(order_operator *order, size_t bytes, floe_error *err)
{
    FLOE_TRY(floe_eng_context_reserve(order->base.context, bytes, err));
    order->entries_reserved += bytes;
    return FLOE_OK;
}

static int consume_input(order_operator *order, floe_error *err)
{
    for (;;) {
        floe_batch *batch;
        FLOE_TRY(floe_eng_operator_next(order->input, &batch, err));
        if (batch == NULL) break;
        uint32_t live = floe_batch_live_count(batch);
        if (live == 0) continue;
        for (uint32_t c = 0; c < order->input_columns; c++)
            order->append_columns[c] = &batch->columns[c];
        for (uint32_t k = 0; k < order->key_count; k++) {
            sort_key *key = &order->keys[k];
            if (key->state == NULL) continue;
            FLOE_TRY(floe_eng_evaluate(key->state, batch, &key->value, err));
            order->append_columns[key->column] = &key->value;
        }
        FLOE_TRY(floe_eng_batch_store_append_vectors(&order->store, order->append_columns,
                                                     batch->selection, live, batch->weights,
                                                     err));
    }
    floe_eng_operator_destroy(order->input);
    order->input = NULL;
    return FLOE_OK;
}

/* Stable LSD radix sort by (rank, prefix): one counting pass for the nine digits (the prefix's
 * eight bytes, then the rank), then a scatter per digit, skipping digits that are the same in
 * every entry (small integers leave most bytes alone). Returns the buffer holding the result. */
static sort_entry *radix_sort(sort_entry *entries, sort_entry *scratch, size_t count)
{
    size_t counts[9][256];
    memset(counts, 0, sizeof counts);
    for (size_t i = 0; i < count; i++) {
        uint64_t prefix = entries[i].prefix;
        for (unsigned digit = 0; digit < 8; digit++) counts[digit][(prefix >> (8 * digit)) & 255]++;
        counts[8][entries[i].rank]++;
    }
    sort_entry *source = entries, *target = scratch;
    for (unsigned digit = 0; digit < 9; digit++) {
        size_t *bucket_count = counts[digit];
        size_t first = digit < 8 ? (source[0].prefix >> (8 * digit)) & 255 : source[0].rank;
        if (bucket_count[first] == count) continue;
        size_t next[256], sum = 0;
        for (unsigned bucket = 0; bucket < 256; bucket++) {
            next[bucket] = sum;
            sum += bucket_count[bucket];
        }
        for (size_t i = 0; i < count; i++) {
            size_t bucket = digit < 8 ? (source[i].prefix >> (8 * digit)) & 255 : source[i].rank;
            target[next[bucket]++] = source[i];
        }
        sort_entry *swap = source;
        source = target;
        target = swap;
    }
    return source;
}

/* Whether a string's entry prefix holds all its bytes past `skip`: at most 8 of them, none zero
 * (a zero could not be told from the padding, and "ab" < "ab\0"). */
static bool string_is_whole(const floe_eng_stored_column *column, uint32_t row, uint64_t skip)
{
    uint64_t start = column->offsets[row] + skip, end = column->offsets[row + 1];
    if (end - start > 8) return false;
    for (uint64_t i = start; i < end; i++)
        if (column->heap[i] == 0) return false;
    return true;
}

/* The length of the prefix that every non-NULL string of the first key shares, so the entries'
 * 8 bytes are the ones after it ("customer#000001234" keys differ only past byte 9). */
static uint64_t shared_prefix_length(const order_operator *order, uint32_t column_index)
{
    const floe_eng_stored_column *column = &order->store.columns[column_index];
    uint32_t count = order->store.row_count, first = 0;
    while (first < count && floe_eng_batch_store_is_null(&order->store, column_index, first))
        first++;
    if (first == count) return 0;
    const unsigned char *reference = column->heap + column->offsets[first];
    uint64_t shared = column->offsets[first + 1] - column->offsets[first];
    for (uint32_t row = first + 1; row < count && shared > 0; row++) {
        if (floe_eng_batch_store_is_null(&order->store, column_index, row)) continue;
        uint64_t length = column->offsets[row + 1] - column->offsets[row];
        if (length < shared) shared = length;
        const unsigned char *bytes = column->heap + column->offsets[row];
        uint64_t same = 0;
        while (same < shared && bytes[same] == reference[same]) same++;
        shared = same;
    }
    return shared;
}

static int sort_rows(order_operator *order, floe_error *err)
{
    size_t count = order->store.row_count;
    if (count == 0) return FLOE_OK;
    size_t bytes = count * sizeof(sort_entry);
    FLOE_TRY(account(order, 2 * bytes + count * sizeof(uint32_t), err));
    sort_entry *entries = floe_malloc(bytes), *scratch = floe_malloc(bytes);
    order->sorted_rows = floe_malloc(count * sizeof(uint32_t));
    if (entries == NULL || scratch == NULL || order->sorted_rows == NULL) {
        floe_free(entries);
        floe_free(scratch);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory sorting %zu rows", count);
    }
    const sort_key *first = &order->keys[0];
    const floe_eng_stored_column *column = &order->store.columns[first->column];
    bool strings = floe_type_is_variable_width(first->type);
    uint64_t skip = strings ? shared_prefix_length(order, first->column) : 0;
    uint64_t flip = first->descending ? UINT64_MAX : 0;
    uint32_t null_rank = first->nulls_first ? 0 : 1;
    for (uint32_t row = 0; row < count; row++) {
        sort_entry *entry = &entries[row];
        entry->row = row;
        if (floe_eng_batch_store_is_null(&order->store, first->column, row)) {
            entry->prefix = 0;
            entry->rank = (uint16_t)null_rank;
            entry->whole = 1; /* NULL equals NULL */
        } else {
            entry->prefix = order_bits(column, row, skip) ^ flip;
            entry->rank = (uint16_t)(1 - null_rank);
            entry->whole =
                order->first_key_exact || (strings && string_is_whole(column, row, skip));
        }
    }
    sort_entry *sorted = radix_sort(entries, scratch, count);
    sort_entry *spare = sorted == entries ? scratch : entries;
    /* Runs with equal (rank, prefix) are ordered by the rest of the first key and the other
     * keys; the radix sort left each run in input order, so a stable sort of it is the answer.
     * A run whose first keys are all whole is already done when there is no other key. */
    if (!(order->first_key_exact && order->key_count == 1)) {
        for (size_t i = 0; i < count;) {
            size_t j = i + 1;
            bool whole = sorted[i].whole;
            while (j < count && sorted[j].rank == sorted[i].rank &&
                   sorted[j].prefix == sorted[i].prefix)
                whole &= sorted[j++].whole;
            if (j - i > 1 && !(whole && order->key_count == 1))
                merge_sort(order, sorted + i, spare + i, j - i);
            i = j;
        }
    }
    for (size_t i = 0; i < count; i++) order->sorted_rows[i] = sorted[i].row;
    floe_free(entries);
    floe_free(scratch);
    floe_eng_context_release(order->base.context, 2 * bytes);
    order->entries_reserved -= 2 * bytes;
    return FLOE_OK;
}

static int order_next(floe_eng_operator *op, floe_batch **out, floe_error *err)
{
    order_operator *order = (order_operator *)op;
    if (!order->sorted) {
        FLOE_TRY(consume_input(order, err));
        FLOE_TRY(sort_rows(order, err));
        order->sorted = true;
    }
    uint32_t remaining = order->store.row_count - order->emitted;
    if (remaining == 0) {
        *out = NULL;
        return FLOE_OK;
    }
    uint32_t n = remaining < CAPACITY ? remaining : CAPACITY;
    const uint32_t *rows = order->sorted_rows + order->emitted;
    floe_batch *batch = &order->output;
    floe_batch_reset(batch);
    for (uint32_t c = 0; c < order->input_columns; c++)
        FLOE_TRY(floe_eng_batch_store_gather(&order->store, c, rows, NULL, n, &batch->columns[c],
                                             err));
    if (order->store.weights != NULL) {
        for (uint32_t i = 0; i < n; i++) batch->weight_storage[i] = order->store.weights[rows[i]];
        batch->weights = batch->weight_storage;
    }
    batch->row_count = n;
    order->emitted += n;
    *out = batch;
    return FLOE_OK;
}

static void order_destroy(floe_eng_operator *op)
{
    order_operator *order = (order_operator *)op;
    floe_eng_operator_destroy(order->input);
    for (uint32_t k = 0; order->keys != NULL && k < order->key_count; k++) {
        floe_eng_expression_state_free(order->keys[k].state);
        floe_vector_fini(&order->keys[k].value);
    }
    floe_free(order->keys);
    floe_free(order->append_columns);
    floe_eng_batch_store_fini(&order->store);
    floe_free(order->sorted_rows);
    if (order->entries_reserved != 0)
        floe_eng_context_release(order->base.context, order->entries_reserved);
    floe_batch_fini(&order->output);
    floe_free(order->types);
    floe_free(order);
}

static const floe_eng_operator_vtable order_vtable = {"order", order_next, order_destroy};

static int order_setup(order_operator *order, const floe_sql_plan *node, floe_error *err)
{
    const floe_eng_operator *input = order->input;
    order->input_columns = input->column_count;
    order->types = floe_malloc((input->column_count + 1) * sizeof *order->types);
    FLOE_RETURN_IF(order->types == NULL, FLOE_ENOMEM, err, "out of memory for ORDER BY");
    memcpy(order->types, input->types, input->column_count * sizeof *order->types);
    order->base.column_count = input->column_count;
    order->base.types = order->types;
    FLOE_RETURN_IF(node->u.order.key_count == 0, FLOE_EINVAL, err, "order: no sort key");
    order->key_count = node->u.order.key_count;
    order->keys = floe_calloc(order->key_count, sizeof *order->keys);
    FLOE_RETURN_IF(order->keys == NULL, FLOE_ENOMEM, err, "out of memory for ORDER BY");
    uint32_t store_columns = order->input_columns;
    for (uint32_t k = 0; k < order->key_count; k++) {
        const floe_sql_sort_key *plan_key = &node->u.order.keys[k];
        const floe_sql_expression *expression = plan_key->expression;
        sort_key *key = &order->keys[k];
        key->type = expression->type;
        key->descending = plan_key->descending;
        key->nulls_first = plan_key->nulls_first;
        if (expression->kind == FLOE_SQL_EXPRESSION_COLUMN) {
            FLOE_RETURN_IF(expression->column_index >= order->input_columns, FLOE_EINVAL, err,
                           "order: key %u reads column %u of %u", k + 1,
                           expression->column_index, order->input_columns);
            key->column = expression->column_index;
        } else {
            FLOE_TRY(floe_eng_expression_state_create(expression, &key->state, err));
            FLOE_TRY(floe_vector_init(&key->value, key->type, CAPACITY, err));
            key->column = store_columns++;
        }
    }
    order->first_key_exact = is_exact(order->keys[0].type);

    floe_type *types = floe_malloc(store_columns * sizeof *types);
    order->append_columns = floe_calloc(store_columns, sizeof *order->append_columns);
    if (types == NULL || order->append_columns == NULL) {
        floe_free(types);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory for ORDER BY");
    }
    memcpy(types, input->types, order->input_columns * sizeof *types);
    for (uint32_t k = 0; k < order->key_count; k++)
        if (order->keys[k].state != NULL) types[order->keys[k].column] = order->keys[k].type;
    int status = floe_eng_batch_store_init(&order->store, store_columns, types,
                                           order->base.context, err);
    floe_free(types);
    FLOE_TRY(status);
    return floe_batch_init(&order->output, order->input_columns, order->types, err);
}

int floe_eng_order_create(const floe_sql_plan *node, floe_eng_operator **inputs,
                          floe_eng_context *context, uint32_t partition, uint32_t partition_count,
                          floe_eng_operator **out, floe_error *err)
{
    (void)partition;
    (void)partition_count;
    *out = NULL;
    if (node->kind != FLOE_SQL_PLAN_ORDER || node->input_count != 1) {
        for (uint32_t i = 0; i < node->input_count; i++) floe_eng_operator_destroy(inputs[i]);
        return floe_error_set(err, FLOE_EINVAL, "order: a plan node of kind %d with %u inputs",
                              (int)node->kind, node->input_count);
    }
    order_operator *order = floe_calloc(1, sizeof *order);
    if (order == NULL) {
        floe_eng_operator_destroy(inputs[0]);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory for ORDER BY");
    }
    order->base.vtable = &order_vtable;
    order->base.context = context;
    order->input = inputs[0];
    int status = order_setup(order, node, err);
    if (status != FLOE_OK) {
        order_destroy(&order->base);
        return status;
    }
    *out = &order->base;
    return FLOE_OK;
}
