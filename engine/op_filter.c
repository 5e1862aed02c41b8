/*
 * op_filter.c — the FILTER operator: keeps the rows where the predicate is TRUE (contract in
 * engine/operator.h).
 *
 * It refines the input batch's selection in place (the contract lets a consumer write the
 * batch's selection storage) and hands out the input's own batch: columns and weights pass
 * through untouched, so a Z-set delta stays one (DBSP: filter is linear). Batches left with no
 * live row are skipped rather than handed out.
 */
#include "engine/operator.h"

#include "engine/expression_eval.h"
#include "kernels/memory.h"

typedef struct filter_operator {
    floe_eng_operator base;
    floe_eng_operator *input;
    floe_eng_expression_state *predicate;
} filter_operator;

static int filter_next(floe_eng_operator *op, floe_batch **out, floe_error *err)
{
    filter_operator *filter = (filter_operator *)op;
    for (;;) {
        floe_batch *batch;
        FLOE_TRY(floe_eng_operator_next(filter->input, &batch, err));
        if (batch == NULL) {
            *out = NULL;
            return FLOE_OK;
        }
        if (floe_batch_live_count(batch) == 0) continue;
        uint32_t live;
        FLOE_TRY(floe_eng_evaluate_predicate(filter->predicate, batch, batch->selection_storage,
                                             &live, err));
        batch->selection = batch->selection_storage;
        batch->selected_count = live;
        if (live > 0) {
            *out = batch;
            return FLOE_OK;
        }
    }
}

static void filter_destroy(floe_eng_operator *op)
{
    filter_operator *filter = (filter_operator *)op;
    floe_eng_operator_destroy(filter->input);
    floe_eng_expression_state_free(filter->predicate);
    floe_free(filter);
}

static const floe_eng_operator_vtable filter_vtable = {"filter", filter_next, filter_destroy};

int floe_eng_filter_create(const floe_sql_plan *node, floe_eng_operator **inputs,
                           floe_eng_context *context, uint32_t partition, uint32_t partition_count,
                           floe_eng_operator **out, floe_error *err)
{
    (void)partition;
    (void)partition_count;
    *out = NULL;
    floe_eng_operator *input = inputs[0];
    if (node->u.filter.predicate->type.id != FLOE_TYPE_BOOLEAN) {
        floe_eng_operator_destroy(input);
        return floe_error_set(err, FLOE_ETYPE, "a filter's predicate must be BOOLEAN");
    }
    filter_operator *filter = floe_calloc(1, sizeof *filter);
    if (filter == NULL) {
        floe_eng_operator_destroy(input);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory creating a filter");
    }
    filter->base.vtable = &filter_vtable;
    filter->base.context = context;
    /* Output = input: the same columns, described by the input's own type array. */
    filter->base.column_count = input->column_count;
    filter->base.types = input->types;
    filter->input = input;
    int status =
        floe_eng_expression_state_create(node->u.filter.predicate, &filter->predicate, err);
    if (status != FLOE_OK) {
        filter_destroy(&filter->base);
        return status;
    }
    *out = &filter->base;
    return FLOE_OK;
}
