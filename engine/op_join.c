/*
 * op_join.c — the JOIN operator (engine/operator.h, sql/plan.h): INNER and LEFT joins by hash on
 * the equi-join keys, by nested loop without keys, with an optional residual predicate over the
 * joined row. Output columns: the left input's, then the right input's.
 *
 * Build. The first next() drains the RIGHT input: its live rows go to a batch store (row i of the
 * store is build row i of the join kernels, kernels/join.h), its keys to the kernels' join table.
 * The right input is destroyed as soon as it is drained (its buffers are not needed any more).
 * An INNER join with an empty right side ends without reading its left input.
 *
 * Keys. Each key is evaluated per batch (a plain column is read in place; a dictionary-encoded
 * column is decoded for the lookup only); one key is looked up by its own kind (BOOLEAN widened
 * to INT32, floats as the bits of a canonical value: -0.0 as 0.0 and every NaN as one NaN, since
 * SQL and DuckDB treat those as equal), several are serialized into one BYTES key
 * (floe_k_key_encode) whose validity is cleared when any part is NULL: a NULL key never matches.
 * Both sides' keys are already of one type (the binder casts them).
 *
 * Probe, two output shapes:
 *   - positioned: when no build key repeats (the common primary-key join) every left row has at
 *     most one match, so output row r IS left row r: the left columns are views of the left
 *     batch's vectors (no copy, dictionary encoding kept), the right columns are gathered at the
 *     matched rows' positions, and a selection lists the live output rows (INNER: matched rows;
 *     LEFT: every live left row, unmatched ones with NULL right columns). Used for INNER joins
 *     and for LEFT joins without residual.
 *   - pairs: otherwise, (left row, build row) pairs from the kernel's resumable probe (or the
 *     nested loop) fill compacted output batches of at most 2048 rows; a left row with 10,000
 *     matches continues over several next() calls. Left values are gathered from the left batch
 *     (codes and string references, not bytes), right values from the store. The residual then
 *     refines the batch's selection. A LEFT join remembers which left rows of the current batch
 *     had a pair pass the keys and the residual, and once the batch's pairs are done emits the
 *     others with NULL right columns.
 * Rows come in left-batch order; within a left batch, positioned output keeps left-row order,
 * pairs output gives matched pairs in left-row order and the LEFT join's unmatched rows after
 * them. In an INNER join, a right column that is a plain key equal to a plain left key column
 * holds the same value as that column on every output row, so it is taken from the left batch
 * (a view, or a gather from cache) instead of from the store (a cache miss a row on a large
 * build side); not for floats, whose equal values may differ in bits (-0.0 and 0.0).
 *
 * Weights: an output row weighs left weight * right weight (Z-set product); an unmatched LEFT row
 * weighs its left weight. A LEFT row counts as matched when some build row passes the keys and
 * the residual, whatever that row's weight (the incremental executor, not this operator, turns
 * LEFT joins of deltas into matched/unmatched changes).
 *
 * Memory: the build store and the join table are accounted with floe_eng_context_reserve as they
 * grow (FLOE_ENOMEM with the memory-limit message past the limit); the probe side holds one left
 * batch and fixed buffers.
 */
#include "engine/batch_store.h"     /* build side rows */
#include "engine/expression_eval.h" /* keys and residual */
#include "engine/operator.h"
#include "kernels/join.h"           /* floe_k_join_* */
#include "kernels/memory.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

_Static_assert(FLOE_K_JOIN_NO_MATCH == FLOE_ENG_STORE_NULL_ROW,
               "a probe's missing match must gather as NULL");

enum { CAPACITY = FLOE_BATCH_CAPACITY };

/* One side of one equi-join key. */
typedef struct key_part {
    floe_eng_expression_state *state; /* NULL: the key is input column `column` */
    uint32_t column;
    floe_type type;
    floe_vector value;                /* the evaluated key, or a dictionary column decoded */
    void *converted;                  /* BOOLEAN as int32, floats canonical: CAPACITY x 8 bytes */
} key_part;

/* All keys of one side, and the kernel view of a batch's keys. */
typedef struct key_side {
    uint32_t count;
    key_part *parts;
    floe_k_keys *part_keys;   /* per part, for the composite encoding */
    floe_string_ref *refs;    /* composite: encoded keys, CAPACITY */
    floe_k_key_buffer buffer; /* composite: their bytes */
    uint64_t *validity;       /* composite: AND of the parts' validity, CAPACITY bits */
    floe_k_keys keys;         /* what the kernels get for the current batch */
} key_side;

typedef struct join_operator {
    floe_eng_operator base;
    floe_eng_operator *left, *right;
    floe_type *types;
    uint32_t left_columns, right_columns;
    bool is_left_join;
    bool keyed;
    floe_eng_expression_state *residual; /* NULL: none */
    int32_t *right_from_left;  /* [right column] INNER: the left column equal to it on every
                                  output row (both sides of a plain key), or -1 */

    /* The build side: filled by the first next(), read-only after. */
    key_side right_keys;
    floe_eng_batch_store build;
    floe_k_join_table table;
    bool table_ready;
    size_t table_reserved;     /* bytes of the join table accounted */
    bool built;
    bool positioned;           /* output shape, decided after the build */

    /* The probe side. */
    bool done;
    key_side left_keys;
    floe_batch *probe_batch;   /* the left batch being joined; NULL: fetch the next */
    bool pairs_done;           /* its pairs are all emitted (a LEFT join's tail may remain) */
    floe_k_join_probe probe;
    uint32_t cross_position;   /* nested loop: live position in the left batch */
    uint32_t cross_row;        /* nested loop: next build row */
    uint32_t tail_position;    /* LEFT: next live position checked for "unmatched" */
    uint8_t *matched;          /* LEFT: [left row] some pair passed, CAPACITY */
    uint32_t *probe_rows;      /* CAPACITY */
    uint32_t *build_rows;      /* CAPACITY */
    uint32_t *row_index;       /* positioned LEFT: [left row] build row or NO_MATCH, CAPACITY */
    floe_batch output;
} join_operator;

/* ---- keys ---- */

static floe_k_key_kind key_kind_of(floe_type type)
{
    switch ((floe_type_id)type.id) {
    case FLOE_TYPE_BOOLEAN:
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_DATE:
    case FLOE_TYPE_FLOAT32: return FLOE_K_KEY_I32;
    case FLOE_TYPE_INT64:
    case FLOE_TYPE_TIMESTAMP:
    case FLOE_TYPE_TIMESTAMPTZ:
    case FLOE_TYPE_FLOAT64: return FLOE_K_KEY_I64;
    case FLOE_TYPE_DECIMAL:
        return type.precision <= FLOE_DECIMAL64_MAX_PRECISION ? FLOE_K_KEY_I64 : FLOE_K_KEY_I128;
    default: return FLOE_K_KEY_BYTES;
    }
}

static int key_part_init(key_part *part, const floe_sql_expression *expression,
                         uint32_t input_columns, const char *side, uint32_t index, floe_error *err)
{
    part->type = expression->type;
    if (expression->kind == FLOE_SQL_EXPRESSION_COLUMN) {
        FLOE_RETURN_IF(expression->column_index >= input_columns, FLOE_EINVAL, err,
                       "join: %s key %u reads column %u of %u", side, index + 1,
                       expression->column_index, input_columns);
        part->column = expression->column_index;
    } else {
        FLOE_TRY(floe_eng_expression_state_create(expression, &part->state, err));
    }
    FLOE_TRY(floe_vector_init(&part->value, part->type, CAPACITY, err));
    floe_type_id id = (floe_type_id)part->type.id;
    if (id == FLOE_TYPE_BOOLEAN || id == FLOE_TYPE_FLOAT32 || id == FLOE_TYPE_FLOAT64) {
        part->converted = floe_malloc(CAPACITY * sizeof(int64_t));
        FLOE_RETURN_IF(part->converted == NULL, FLOE_ENOMEM, err, "out of memory for join keys");
    }
    return FLOE_OK;
}

static int key_side_init(key_side *side, floe_sql_expression *const *expressions, uint32_t count,
                         uint32_t input_columns, const char *name, floe_error *err)
{
    side->count = count;
    side->parts = floe_calloc(count, sizeof *side->parts);
    side->part_keys = floe_calloc(count, sizeof *side->part_keys);
    FLOE_RETURN_IF(side->parts == NULL || side->part_keys == NULL, FLOE_ENOMEM, err,
                   "out of memory for join keys");
    for (uint32_t i = 0; i < count; i++)
        FLOE_TRY(key_part_init(&side->parts[i], expressions[i], input_columns, name, i, err));
    if (count > 1) {
        side->refs = floe_malloc(CAPACITY * sizeof *side->refs);
        side->validity = floe_malloc(CAPACITY / 64 * sizeof *side->validity);
        FLOE_RETURN_IF(side->refs == NULL || side->validity == NULL, FLOE_ENOMEM, err,
                       "out of memory for join keys");
    }
    return FLOE_OK;
}

static void key_side_fini(key_side *side)
{
    for (uint32_t i = 0; side->parts != NULL && i < side->count; i++) {
        floe_eng_expression_state_free(side->parts[i].state);
        floe_vector_fini(&side->parts[i].value);
        floe_free(side->parts[i].converted);
    }
    floe_free(side->parts);
    floe_free(side->part_keys);
    floe_free(side->refs);
    floe_free(side->validity);
    floe_k_key_buffer_fini(&side->buffer);
}

/* A dictionary-encoded column's live rows decoded into `out` (strings: references into the
 * dictionary's heap, not copies); NULL rows are left as garbage. */
static void decode_dictionary(const floe_vector *source, const floe_batch *batch,
                              floe_vector *out)
{
    floe_vector_reset(out);
    const uint32_t *codes = source->data;
    const unsigned char *values = source->dictionary->data;
    unsigned char *dst = out->data;
    size_t width = floe_type_width(source->type);
    uint32_t live = floe_batch_live_count(batch);
    for (uint32_t i = 0; i < live; i++) {
        uint32_t row = floe_batch_live_row(batch, i);
        /* A NULL row's code need not index the dictionary. */
        if (!floe_vector_is_null(source, row))
            memcpy(dst + row * width, values + (size_t)codes[row] * width, width);
    }
    if (floe_type_is_variable_width(source->type)) out->heap = source->dictionary->heap;
    out->validity = source->validity;
}

static uint32_t canonical_float_bits(float value)
{
    if (isnan(value)) value = NAN;
    if (value == 0.0f) value = 0.0f;
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    return bits;
}

static uint64_t canonical_double_bits(double value)
{
    if (isnan(value)) value = (double)NAN;
    if (value == 0.0) value = 0.0;
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    return bits;
}

/* The kernel view of one key part's value for the batch's live rows. */
static floe_k_keys part_keys_of(key_part *part, const floe_vector *value, const floe_batch *batch)
{
    floe_k_keys keys = {key_kind_of(part->type), value->data, value->heap, value->validity};
    uint32_t live = floe_batch_live_count(batch);
    switch ((floe_type_id)part->type.id) {
    case FLOE_TYPE_BOOLEAN: {
        const uint8_t *in = value->data;
        int32_t *out = part->converted;
        for (uint32_t i = 0; i < live; i++) {
            uint32_t row = floe_batch_live_row(batch, i);
            out[row] = in[row];
        }
        keys.values = out;
        break;
    }
    case FLOE_TYPE_FLOAT32: {
        const float *in = value->data;
        uint32_t *out = part->converted;
        for (uint32_t i = 0; i < live; i++) {
            uint32_t row = floe_batch_live_row(batch, i);
            out[row] = canonical_float_bits(in[row]);
        }
        keys.values = out;
        break;
    }
    case FLOE_TYPE_FLOAT64: {
        const double *in = value->data;
        uint64_t *out = part->converted;
        for (uint32_t i = 0; i < live; i++) {
            uint32_t row = floe_batch_live_row(batch, i);
            out[row] = canonical_double_bits(in[row]);
        }
        keys.values = out;
        break;
    }
    default: break;
    }
    return keys;
}

/* side->keys = the batch's keys, ready for floe_k_join_build / probe. */
static int key_side_compute(key_side *side, const floe_batch *batch, floe_error *err)
{
    uint32_t live = floe_batch_live_count(batch);
    bool any_validity = false;
    for (uint32_t i = 0; i < side->count; i++) {
        key_part *part = &side->parts[i];
        const floe_vector *value;
        if (part->state == NULL) {
            value = &batch->columns[part->column];
            if (value->encoding == FLOE_VECTOR_DICTIONARY) {
                decode_dictionary(value, batch, &part->value);
                value = &part->value;
            }
        } else {
            FLOE_TRY(floe_eng_evaluate(part->state, batch, &part->value, err));
            value = &part->value;
        }
        side->part_keys[i] = part_keys_of(part, value, batch);
        any_validity |= value->validity != NULL;
    }
    if (side->count == 1) {
        side->keys = side->part_keys[0];
        return FLOE_OK;
    }
    FLOE_TRY(floe_k_key_encode(&side->buffer, side->part_keys, side->count, batch->selection,
                               live, side->refs, err));
    side->keys = (floe_k_keys){FLOE_K_KEY_BYTES, side->refs, side->buffer.bytes, NULL};
    if (any_validity) {
        uint32_t words = (batch->row_count + 63) / 64;
        memset(side->validity, 0xff, words * sizeof *side->validity);
        for (uint32_t i = 0; i < side->count; i++) {
            const uint64_t *validity = side->part_keys[i].validity;
            if (validity == NULL) continue;
            for (uint32_t w = 0; w < words; w++) side->validity[w] &= validity[w];
        }
        side->keys.validity = side->validity;
    }
    return FLOE_OK;
}

/* ---- build ---- */

/* What the join table holds, as hashtable_int.h lays it out (an estimate for accounting). */
static size_t join_table_bytes(const floe_k_join_table *table)
{
    floe_k_ht_flat flat;
    floe_k_ht_view(table->keys, &flat);
    static const size_t key_width[] = {4, 8, 16, sizeof(floe_string_ref)};
    static const size_t entry_width[] = {8, 16, 32, 4};
    return floe_k_ht_capacity(table->keys) * (1 + entry_width[flat.kind]) +
           (size_t)flat.group_count * (key_width[flat.kind] + sizeof(uint64_t)) + flat.heap_size +
           (table->group_capacity * 2 + table->row_capacity + table->scratch_capacity) *
               sizeof(uint32_t) +
           table->pending_capacity * (key_width[flat.kind] + 1) + table->dense_span * sizeof(uint32_t);
}

static int account_table(join_operator *join, floe_error *err)
{
    size_t bytes = join_table_bytes(&join->table);
    if (bytes <= join->table_reserved) return FLOE_OK;
    FLOE_TRY(floe_eng_context_reserve(join->base.context, bytes - join->table_reserved, err));
    join->table_reserved = bytes;
    return FLOE_OK;
}

static int build(join_operator *join, floe_error *err)
{
    join->built = true;
    for (;;) {
        floe_batch *batch;
        FLOE_TRY(floe_eng_operator_next(join->right, &batch, err));
        if (batch == NULL) break;
        uint32_t live = floe_batch_live_count(batch);
        if (live == 0) continue;
        FLOE_TRY(floe_eng_batch_store_append(&join->build, batch, err));
        if (!join->keyed) continue;
        FLOE_TRY(key_side_compute(&join->right_keys, batch, err));
        FLOE_TRY(floe_k_join_build(&join->table, &join->right_keys.keys, NULL, batch->selection,
                                   live, err));
        FLOE_TRY(account_table(join, err));
    }
    if (join->keyed) {
        FLOE_TRY(floe_k_join_build_finish(&join->table, err));
        FLOE_TRY(account_table(join, err));
    }
    floe_eng_operator_destroy(join->right);
    join->right = NULL;
    join->positioned = join->keyed && join->table.unique_keys &&
                       (!join->is_left_join || join->residual == NULL);
    if (join->build.row_count == 0 && !join->is_left_join) join->done = true;
    return FLOE_OK;
}

/* ---- probe ---- */

static int next_probe_batch(join_operator *join, floe_error *err)
{
    floe_batch *batch;
    FLOE_TRY(floe_eng_operator_next(join->left, &batch, err));
    if (batch == NULL) {
        join->done = true;
        return FLOE_OK;
    }
    uint32_t live = floe_batch_live_count(batch);
    if (live == 0) return FLOE_OK;
    if (join->keyed) {
        FLOE_TRY(key_side_compute(&join->left_keys, batch, err));
        FLOE_TRY(floe_k_join_probe_begin(&join->probe, &join->table, FLOE_K_JOIN_INNER,
                                         &join->left_keys.keys, NULL, batch->selection, live,
                                         err));
    }
    join->probe_batch = batch;
    join->pairs_done = false;
    join->cross_position = join->cross_row = 0;
    join->tail_position = 0;
    if (join->is_left_join) memset(join->matched, 0, batch->row_count);
    return FLOE_OK;
}

/* Output row r shows left row r: the left columns are the left batch's vectors themselves. */
static void view_vector(const floe_vector *source, floe_vector *out)
{
    out->encoding = source->encoding;
    out->data = source->data;
    out->validity = source->validity;
    out->heap = source->heap;
    out->dictionary = source->dictionary;
}

static int emit_positioned(join_operator *join, floe_error *err)
{
    floe_batch *batch = join->probe_batch, *out = &join->output;
    /* At most one pair per live left row, and at most CAPACITY live rows: one call gets all. */
    uint32_t n = (uint32_t)floe_k_join_probe_next(&join->probe, join->probe_rows,
                                                  join->build_rows, CAPACITY);
    out->row_count = batch->row_count;
    for (uint32_t c = 0; c < join->left_columns; c++)
        view_vector(&batch->columns[c], &out->columns[c]);
    const floe_eng_batch_store *build = &join->build;
    if (!join->is_left_join) {
        for (uint32_t c = 0; c < join->right_columns; c++) {
            floe_vector *column = &out->columns[join->left_columns + c];
            if (join->right_from_left[c] >= 0)
                view_vector(&batch->columns[join->right_from_left[c]], column);
            else
                FLOE_TRY(floe_eng_batch_store_gather(build, c, join->build_rows, join->probe_rows,
                                                     n, column, err));
        }
        for (uint32_t i = 0; i < n; i++) out->selection_storage[i] = (uint16_t)join->probe_rows[i];
        out->selection = out->selection_storage;
        out->selected_count = n;
        if (build->weights == NULL) {
            out->weights = batch->weights;
        } else {
            for (uint32_t i = 0; i < n; i++) {
                uint32_t row = join->probe_rows[i];
                out->weight_storage[row] = floe_batch_weight(batch, row) *
                                           build->weights[join->build_rows[i]];
            }
            out->weights = out->weight_storage;
        }
        if (join->residual != NULL) {
            uint32_t kept;
            FLOE_TRY(floe_eng_evaluate_predicate(join->residual, out, out->selection_storage,
                                                 &kept, err));
            out->selected_count = kept;
        }
        return FLOE_OK;
    }
    /* LEFT without residual: every live left row, NULL right columns where nothing matched. */
    uint32_t *index = join->row_index;
    for (uint32_t r = 0; r < batch->row_count; r++) index[r] = FLOE_K_JOIN_NO_MATCH;
    for (uint32_t i = 0; i < n; i++) index[join->probe_rows[i]] = join->build_rows[i];
    for (uint32_t c = 0; c < join->right_columns; c++)
        FLOE_TRY(floe_eng_batch_store_gather(build, c, index, NULL, batch->row_count,
                                             &out->columns[join->left_columns + c], err));
    out->selection = batch->selection;
    out->selected_count = batch->selected_count;
    if (build->weights == NULL) {
        out->weights = batch->weights;
    } else {
        uint32_t live = floe_batch_live_count(batch);
        for (uint32_t i = 0; i < live; i++) {
            uint32_t row = floe_batch_live_row(batch, i);
            int64_t right = index[row] == FLOE_K_JOIN_NO_MATCH ? 1 : build->weights[index[row]];
            out->weight_storage[row] = floe_batch_weight(batch, row) * right;
        }
        out->weights = out->weight_storage;
    }
    return FLOE_OK;
}

/* Up to CAPACITY (left row, build row) pairs of the current left batch; 0 when it has no more. */
static uint32_t next_pairs(join_operator *join)
{
    if (join->keyed)
        return (uint32_t)floe_k_join_probe_next(&join->probe, join->probe_rows, join->build_rows,
                                                CAPACITY);
    const floe_batch *batch = join->probe_batch;
    uint32_t live = floe_batch_live_count(batch), build_rows = join->build.row_count, n = 0;
    while (n < CAPACITY && join->cross_position < live) {
        uint32_t row = floe_batch_live_row(batch, join->cross_position);
        uint32_t take = build_rows - join->cross_row;
        if (take > CAPACITY - n) take = CAPACITY - n;
        for (uint32_t k = 0; k < take; k++) {
            join->probe_rows[n + k] = row;
            join->build_rows[n + k] = join->cross_row + k;
        }
        n += take;
        join->cross_row += take;
        if (join->cross_row == build_rows) {
            join->cross_row = 0;
            join->cross_position++;
        }
    }
    return n;
}

/* Output = the n pairs in probe_rows / build_rows (a build row of NO_MATCH gives NULLs). */
static int fill_pairs(join_operator *join, uint32_t n, bool apply_residual, floe_error *err)
{
    const floe_batch *batch = join->probe_batch;
    floe_batch *out = &join->output;
    for (uint32_t c = 0; c < join->left_columns; c++)
        floe_eng_vector_gather(&batch->columns[c], join->probe_rows, n, &out->columns[c]);
    for (uint32_t c = 0; c < join->right_columns; c++) {
        floe_vector *column = &out->columns[join->left_columns + c];
        if (join->right_from_left[c] >= 0)
            floe_eng_vector_gather(&batch->columns[join->right_from_left[c]], join->probe_rows, n,
                                   column);
        else
            FLOE_TRY(floe_eng_batch_store_gather(&join->build, c, join->build_rows, NULL, n,
                                                 column, err));
    }
    out->row_count = n;
    if (batch->weights != NULL || join->build.weights != NULL) {
        for (uint32_t i = 0; i < n; i++) {
            uint32_t build_row = join->build_rows[i];
            int64_t right = build_row == FLOE_K_JOIN_NO_MATCH
                                ? 1
                                : floe_eng_batch_store_weight(&join->build, build_row);
            out->weight_storage[i] = floe_batch_weight(batch, join->probe_rows[i]) * right;
        }
        out->weights = out->weight_storage;
    }
    if (apply_residual && join->residual != NULL) {
        uint32_t kept;
        FLOE_TRY(floe_eng_evaluate_predicate(join->residual, out, out->selection_storage, &kept,
                                             err));
        out->selection = out->selection_storage;
        out->selected_count = kept;
    }
    if (apply_residual && join->is_left_join) {
        uint32_t live = floe_batch_live_count(out);
        for (uint32_t i = 0; i < live; i++)
            join->matched[join->probe_rows[floe_batch_live_row(out, i)]] = 1;
    }
    return FLOE_OK;
}

/* LEFT: the current batch's next unmatched live rows, paired with NO_MATCH. */
static uint32_t next_unmatched(join_operator *join)
{
    const floe_batch *batch = join->probe_batch;
    uint32_t live = floe_batch_live_count(batch), n = 0;
    while (n < CAPACITY && join->tail_position < live) {
        uint32_t row = floe_batch_live_row(batch, join->tail_position++);
        join->probe_rows[n] = row;
        join->build_rows[n] = FLOE_K_JOIN_NO_MATCH;
        n += !join->matched[row];
    }
    return n;
}

static int emit_pairs(join_operator *join, floe_error *err)
{
    if (!join->pairs_done) {
        uint32_t n = next_pairs(join);
        if (n > 0) return fill_pairs(join, n, true, err);
        join->pairs_done = true;
    }
    if (join->is_left_join) {
        uint32_t n = next_unmatched(join);
        if (n > 0) return fill_pairs(join, n, false, err);
    }
    join->probe_batch = NULL;
    return FLOE_OK;
}

static int join_next(floe_eng_operator *op, floe_batch **out, floe_error *err)
{
    join_operator *join = (join_operator *)op;
    if (!join->built) FLOE_TRY(build(join, err));
    while (!join->done) {
        if (join->probe_batch == NULL) {
            FLOE_TRY(next_probe_batch(join, err));
            continue;
        }
        floe_batch_reset(&join->output);
        if (join->positioned) {
            FLOE_TRY(emit_positioned(join, err));
            join->probe_batch = NULL;
        } else {
            FLOE_TRY(emit_pairs(join, err));
        }
        if (floe_batch_live_count(&join->output) > 0) {
            *out = &join->output;
            return FLOE_OK;
        }
    }
    *out = NULL;
    return FLOE_OK;
}

static void join_destroy(floe_eng_operator *op)
{
    join_operator *join = (join_operator *)op;
    floe_eng_operator_destroy(join->left);
    floe_eng_operator_destroy(join->right);
    floe_eng_expression_state_free(join->residual);
    key_side_fini(&join->left_keys);
    key_side_fini(&join->right_keys);
    floe_eng_batch_store_fini(&join->build);
    if (join->table_ready) floe_k_join_fini(&join->table);
    if (join->table_reserved != 0)
        floe_eng_context_release(join->base.context, join->table_reserved);
    floe_k_join_probe_fini(&join->probe);
    floe_free(join->matched);
    floe_free(join->probe_rows);
    floe_free(join->build_rows);
    floe_free(join->row_index);
    floe_free(join->right_from_left);
    floe_batch_fini(&join->output);
    floe_free(join->types);
    floe_free(join);
}

static const floe_eng_operator_vtable join_vtable = {"join", join_next, join_destroy};

/* Rows to presize the build side for: growing a hash table of a million keys by doubling
 * rehashed it about twenty times and cost more than the inserts themselves. Capped, since the
 * estimate ignores deletes and a wrong one only costs memory. */
static size_t build_rows_expected(const join_operator *join)
{
    const uint64_t cap = (uint64_t)1 << 24;
    uint64_t rows = join->right->rows_expected;
    return (size_t)(rows < cap ? rows : cap);
}

static int join_setup(join_operator *join, const floe_sql_plan *node, floe_error *err)
{
    join->left_columns = join->left->column_count;
    join->right_columns = join->right->column_count;
    uint32_t column_count = join->left_columns + join->right_columns;
    FLOE_RETURN_IF(column_count != node->output.column_count, FLOE_EINVAL, err,
                   "join: inputs give %u columns, the plan expects %u", column_count,
                   node->output.column_count);
    join->types = floe_malloc((column_count ? column_count : 1) * sizeof *join->types);
    FLOE_RETURN_IF(join->types == NULL, FLOE_ENOMEM, err, "out of memory for a join");
    memcpy(join->types, join->left->types, join->left_columns * sizeof *join->types);
    memcpy(join->types + join->left_columns, join->right->types,
           join->right_columns * sizeof *join->types);
    join->base.column_count = column_count;
    join->base.types = join->types;
    join->is_left_join = node->u.join.kind == FLOE_SQL_PLAN_JOIN_LEFT;

    uint32_t key_count = node->u.join.key_count;
    join->keyed = key_count > 0;
    for (uint32_t i = 0; i < key_count; i++) {
        floe_type left = node->u.join.left_keys[i]->type, right = node->u.join.right_keys[i]->type;
        char left_name[32], right_name[32];
        FLOE_RETURN_IF(!floe_type_equal(left, right), FLOE_ETYPE, err,
                       "join key %u: the left side is %s, the right side %s", i + 1,
                       floe_type_format(left, left_name, sizeof left_name),
                       floe_type_format(right, right_name, sizeof right_name));
    }
    join->right_from_left = floe_malloc((join->right_columns + 1) * sizeof(int32_t));
    FLOE_RETURN_IF(join->right_from_left == NULL, FLOE_ENOMEM, err, "out of memory for a join");
    for (uint32_t c = 0; c < join->right_columns; c++) join->right_from_left[c] = -1;
    for (uint32_t i = 0; i < key_count && !join->is_left_join; i++) {
        const floe_sql_expression *left = node->u.join.left_keys[i];
        const floe_sql_expression *right = node->u.join.right_keys[i];
        if (left->kind != FLOE_SQL_EXPRESSION_COLUMN || right->kind != FLOE_SQL_EXPRESSION_COLUMN ||
            left->column_index >= join->left_columns ||
            right->column_index >= join->right_columns)
            continue;
        floe_type type = join->types[left->column_index];
        /* Equal floats may differ in bits (-0.0 and 0.0, NaNs): those are gathered. */
        if (type.id == FLOE_TYPE_FLOAT32 || type.id == FLOE_TYPE_FLOAT64 ||
            !floe_type_equal(type, join->types[join->left_columns + right->column_index]))
            continue;
        join->right_from_left[right->column_index] = (int32_t)left->column_index;
    }
    if (join->keyed) {
        FLOE_TRY(key_side_init(&join->left_keys, node->u.join.left_keys, key_count,
                               join->left_columns, "left", err));
        FLOE_TRY(key_side_init(&join->right_keys, node->u.join.right_keys, key_count,
                               join->right_columns, "right", err));
        floe_k_key_kind kind =
            key_count == 1 ? key_kind_of(node->u.join.left_keys[0]->type) : FLOE_K_KEY_BYTES;
        FLOE_TRY(floe_k_join_init(&join->table, kind, build_rows_expected(join), err));
        join->table_ready = true;
    }
    if (node->u.join.residual != NULL) {
        FLOE_RETURN_IF(node->u.join.residual->type.id != FLOE_TYPE_BOOLEAN, FLOE_ETYPE, err,
                       "join: the ON condition is not BOOLEAN");
        FLOE_TRY(floe_eng_expression_state_create(node->u.join.residual, &join->residual, err));
    }
    FLOE_TRY(floe_eng_batch_store_init(&join->build, join->right_columns, join->right->types,
                                       join->base.context, err));
    FLOE_TRY(floe_eng_batch_store_reserve_rows(&join->build, build_rows_expected(join), err));
    floe_k_join_probe_init(&join->probe);
    join->matched = floe_malloc(CAPACITY);
    join->probe_rows = floe_malloc(CAPACITY * sizeof *join->probe_rows);
    join->build_rows = floe_malloc(CAPACITY * sizeof *join->build_rows);
    join->row_index = floe_malloc(CAPACITY * sizeof *join->row_index);
    FLOE_RETURN_IF(join->matched == NULL || join->probe_rows == NULL || join->build_rows == NULL ||
                       join->row_index == NULL,
                   FLOE_ENOMEM, err, "out of memory for a join");
    return floe_batch_init(&join->output, column_count, join->types, err);
}

int floe_eng_join_create(const floe_sql_plan *node, floe_eng_operator **inputs,
                         floe_eng_context *context, uint32_t partition, uint32_t partition_count,
                         floe_eng_operator **out, floe_error *err)
{
    (void)partition;
    (void)partition_count;
    *out = NULL;
    if (node->kind != FLOE_SQL_PLAN_JOIN || node->input_count != 2) {
        for (uint32_t i = 0; i < node->input_count; i++) floe_eng_operator_destroy(inputs[i]);
        return floe_error_set(err, FLOE_EINVAL, "join: a plan node of kind %d with %u inputs",
                              (int)node->kind, node->input_count);
    }
    join_operator *join = floe_calloc(1, sizeof *join);
    if (join == NULL) {
        floe_eng_operator_destroy(inputs[0]);
        floe_eng_operator_destroy(inputs[1]);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory for a join");
    }
    join->base.vtable = &join_vtable;
    join->base.context = context;
    join->left = inputs[0];
    join->right = inputs[1];
    int status = join_setup(join, node, err);
    if (status != FLOE_OK) {
        join_destroy(&join->base);
        return status;
    }
    *out = &join->base;
    return FLOE_OK;
}
