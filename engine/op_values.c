/*
 * op_values.c — the VALUES operator: constant rows, in batches of up to FLOE_BATCH_CAPACITY
 * (contract in engine/operator.h).
 *
 * A cell that is a CONSTANT node is written straight from its value. Any other cell (a cast of
 * a constant, `1 + 2`, lower('ABC')) is evaluated by engine/expression_eval.h over a dummy batch
 * of one row and no columns, and its one value copied in. Rows are built batch by batch as they
 * are pulled, so a long INSERT ... VALUES never holds more than one batch of them; an error in
 * a cell (1/0) is reported by the next call that reaches it.
 *
 * A VALUES of no columns (SELECT without FROM) yields its rows as row counts only.
 */
#include "engine/operator.h"

#include "engine/expression_eval.h"
#include "kernels/memory.h"

#include <string.h>

typedef struct values_operator {
    floe_eng_operator base;
    const floe_sql_plan *node;
    floe_type *types;        /* output types, base.types */
    floe_batch batch;
    floe_batch one_row;      /* no columns, one row: what non-constant cells are evaluated over */
    floe_vector *scratch;    /* per column: a non-constant cell's value, in row 0 */
    uint32_t next_row;
} values_operator;

/* Writes a non-NULL value into row `row` of a vector of the value's type. */
static int write_value(floe_vector *vector, uint32_t row, const floe_sql_value *value,
                       floe_error *err)
{
    switch (vector->type.id) {
    case FLOE_TYPE_BOOLEAN: ((uint8_t *)vector->data)[row] = value->as.boolean ? 1 : 0; break;
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_DATE: ((int32_t *)vector->data)[row] = value->as.int32; break;
    case FLOE_TYPE_FLOAT32: ((float *)vector->data)[row] = value->as.float32; break;
    case FLOE_TYPE_FLOAT64: ((double *)vector->data)[row] = value->as.float64; break;
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY:
        return floe_vector_set_string(vector, row, value->as.string.bytes,
                                      value->as.string.length, err);
    case FLOE_TYPE_DECIMAL:
        if (floe_type_width(vector->type) == 16)
            ((floe_int128 *)vector->data)[row] = value->as.int128;
        else
            ((int64_t *)vector->data)[row] = value->as.int64;
        break;
    default: ((int64_t *)vector->data)[row] = value->as.int64; break; /* INT64, TIMESTAMP(TZ) */
    }
    return FLOE_OK;
}

/* Copies row `from` of `source` (same type, flat or dictionary) into row `to` of `target`. */
static int copy_row(floe_vector *target, uint32_t to, const floe_vector *source, uint32_t from,
                    floe_error *err)
{
    if (floe_vector_is_null(source, from)) {
        floe_vector_set_null(target, to);
        return FLOE_OK;
    }
    if (floe_type_is_variable_width(target->type)) {
        uint32_t length;
        const unsigned char *bytes = floe_vector_string(source, from, &length);
        return floe_vector_set_string(target, to, bytes, length, err);
    }
    const floe_vector *values = source;
    if (source->encoding == FLOE_VECTOR_DICTIONARY) {
        from = ((const uint32_t *)source->data)[from];
        values = source->dictionary;
    }
    size_t width = floe_type_width(target->type);
    memcpy((unsigned char *)target->data + (size_t)to * width,
           (const unsigned char *)values->data + (size_t)from * width, width);
    return FLOE_OK;
}

static int write_cell(values_operator *values, uint32_t column, uint32_t row,
                      const floe_sql_expression *cell, floe_error *err)
{
    floe_vector *target = &values->batch.columns[column];
    if (cell->kind == FLOE_SQL_EXPRESSION_CONSTANT) {
        if (cell->constant.is_null) {
            floe_vector_set_null(target, row);
            return FLOE_OK;
        }
        return write_value(target, row, &cell->constant, err);
    }
    floe_eng_expression_state *state = NULL;
    FLOE_TRY(floe_eng_expression_state_create(cell, &state, err));
    int status = floe_eng_evaluate(state, &values->one_row, &values->scratch[column], err);
    if (status == FLOE_OK) status = copy_row(target, row, &values->scratch[column], 0, err);
    floe_eng_expression_state_free(state);
    return status;
}

static int values_next(floe_eng_operator *op, floe_batch **out, floe_error *err)
{
    values_operator *values = (values_operator *)op;
    const floe_sql_plan *node = values->node;
    *out = NULL;
    if (values->next_row >= node->u.values.row_count) return FLOE_OK;
    uint32_t rows = node->u.values.row_count - values->next_row;
    if (rows > FLOE_BATCH_CAPACITY) rows = FLOE_BATCH_CAPACITY;
    floe_batch_reset(&values->batch);
    for (uint32_t r = 0; r < rows; r++) {
        floe_sql_expression *const *cells = node->u.values.rows[values->next_row + r];
        for (uint32_t c = 0; c < values->base.column_count; c++)
            FLOE_TRY(write_cell(values, c, r, cells[c], err));
    }
    values->batch.row_count = rows;
    values->next_row += rows;
    *out = &values->batch;
    return FLOE_OK;
}

static void values_destroy(floe_eng_operator *op)
{
    values_operator *values = (values_operator *)op;
    if (values->scratch != NULL) {
        for (uint32_t c = 0; c < values->base.column_count; c++)
            floe_vector_fini(&values->scratch[c]);
    }
    floe_free(values->scratch);
    if (values->batch.columns != NULL) floe_batch_fini(&values->batch);
    if (values->one_row.columns != NULL) floe_batch_fini(&values->one_row);
    floe_free(values->types);
    floe_free(values);
}

static const floe_eng_operator_vtable values_vtable = {"values", values_next, values_destroy};

/* FLOE_ETYPE unless every cell has its column's type (a NULL constant fits any column). */
static int check_cells(const floe_sql_plan *node, floe_error *err)
{
    uint32_t columns = node->output.column_count;
    for (uint32_t r = 0; r < node->u.values.row_count; r++) {
        for (uint32_t c = 0; c < columns; c++) {
            const floe_sql_expression *cell = node->u.values.rows[r][c];
            FLOE_RETURN_IF(cell == NULL, FLOE_EINVAL, err, "VALUES row %u has no column %u",
                           (unsigned)r + 1, (unsigned)c + 1);
            if (floe_type_equal(cell->type, node->output.columns[c].type)) continue;
            if (cell->kind == FLOE_SQL_EXPRESSION_CONSTANT && cell->constant.is_null) continue;
            char have[64], want[64];
            return floe_error_set(err, FLOE_ETYPE, "VALUES row %u, column %s: %s is not %s",
                                  (unsigned)r + 1, node->output.columns[c].name,
                                  floe_type_format(cell->type, have, sizeof have),
                                  floe_type_format(node->output.columns[c].type, want,
                                                   sizeof want));
        }
    }
    return FLOE_OK;
}

int floe_eng_values_create(const floe_sql_plan *node, floe_eng_operator **inputs,
                           floe_eng_context *context, uint32_t partition, uint32_t partition_count,
                           floe_eng_operator **out, floe_error *err)
{
    (void)inputs; /* VALUES has none */
    (void)partition;
    (void)partition_count;
    *out = NULL;
    FLOE_TRY(check_cells(node, err));
    values_operator *values = floe_calloc(1, sizeof *values);
    FLOE_RETURN_IF(values == NULL, FLOE_ENOMEM, err, "out of memory creating VALUES");
    uint32_t count = node->output.column_count;
    values->node = node;
    values->base.vtable = &values_vtable;
    values->base.context = context;
    values->types = floe_calloc(count ? count : 1, sizeof *values->types);
    values->scratch = floe_calloc(count ? count : 1, sizeof *values->scratch);
    int status = FLOE_OK;
    if (values->types == NULL || values->scratch == NULL) {
        status = floe_error_set(err, FLOE_ENOMEM, "out of memory creating VALUES");
    } else {
        values->base.column_count = count;
        values->base.types = values->types;
        for (uint32_t c = 0; c < count; c++) values->types[c] = node->output.columns[c].type;
        for (uint32_t c = 0; status == FLOE_OK && c < count; c++)
            status = floe_vector_init(&values->scratch[c], values->types[c], FLOE_BATCH_CAPACITY,
                                      err);
    }
    if (status == FLOE_OK) status = floe_batch_init(&values->batch, count, values->types, err);
    if (status == FLOE_OK) status = floe_batch_init(&values->one_row, 0, NULL, err);
    if (status != FLOE_OK) {
        values_destroy(&values->base);
        return status;
    }
    values->one_row.row_count = 1;
    *out = &values->base;
    return FLOE_OK;
}
