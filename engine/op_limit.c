/*
 * op_limit.c — the LIMIT operator: the live rows after the first `offset`, at most `limit` of
 * them (contract in engine/operator.h).
 *
 * It counts live rows (selection honoured), not weights: LIMIT belongs to ad-hoc queries, not
 * to maintained ones. Batches are handed out as they came, the first and last ones trimmed by
 * rewriting their selection in place (the weights of the kept rows stay as they were). Once the
 * limit is reached the input is not pulled again, so a `LIMIT 10` over a large scan reads one
 * batch, and `LIMIT 0` reads nothing.
 */
#include "engine/operator.h"

#include "kernels/memory.h"

#include <stdbool.h>

typedef struct limit_operator {
    floe_eng_operator base;
    floe_eng_operator *input;
    int64_t to_skip;    /* live rows of the offset still to skip */
    bool unlimited;     /* no LIMIT, only OFFSET */
    int64_t remaining;  /* rows still to hand out (when limited) */
} limit_operator;

static int limit_next(floe_eng_operator *op, floe_batch **out, floe_error *err)
{
    limit_operator *limit = (limit_operator *)op;
    *out = NULL;
    while (limit->unlimited || limit->remaining > 0) {
        floe_batch *batch;
        FLOE_TRY(floe_eng_operator_next(limit->input, &batch, err));
        if (batch == NULL) return FLOE_OK;
        uint32_t live = floe_batch_live_count(batch);
        if (limit->to_skip >= live) {
            limit->to_skip -= live;
            continue;
        }
        uint32_t first = (uint32_t)limit->to_skip;
        limit->to_skip = 0;
        uint32_t take = live - first;
        if (!limit->unlimited && limit->remaining < take) take = (uint32_t)limit->remaining;
        if (!limit->unlimited) limit->remaining -= take;
        if (take < live) {
            /* Entry k is written after entry first + k >= k was read: safe in place. */
            for (uint32_t k = 0; k < take; k++)
                batch->selection_storage[k] = (uint16_t)floe_batch_live_row(batch, first + k);
            batch->selection = batch->selection_storage;
            batch->selected_count = take;
        }
        *out = batch;
        return FLOE_OK;
    }
    return FLOE_OK;
}

static void limit_destroy(floe_eng_operator *op)
{
    limit_operator *limit = (limit_operator *)op;
    floe_eng_operator_destroy(limit->input);
    floe_free(limit);
}

static const floe_eng_operator_vtable limit_vtable = {"limit", limit_next, limit_destroy};

int floe_eng_limit_create(const floe_sql_plan *node, floe_eng_operator **inputs,
                          floe_eng_context *context, uint32_t partition, uint32_t partition_count,
                          floe_eng_operator **out, floe_error *err)
{
    (void)partition;
    (void)partition_count;
    *out = NULL;
    floe_eng_operator *input = inputs[0];
    if (node->u.limit.offset < 0 || (node->u.limit.has_limit && node->u.limit.limit < 0)) {
        floe_eng_operator_destroy(input);
        return floe_error_set(err, FLOE_EINVAL, "LIMIT %lld OFFSET %lld: negative",
                              (long long)node->u.limit.limit, (long long)node->u.limit.offset);
    }
    limit_operator *limit = floe_calloc(1, sizeof *limit);
    if (limit == NULL) {
        floe_eng_operator_destroy(input);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory creating a LIMIT");
    }
    limit->base.vtable = &limit_vtable;
    limit->base.context = context;
    limit->base.column_count = input->column_count;
    limit->base.types = input->types;
    limit->input = input;
    limit->to_skip = node->u.limit.offset;
    limit->unlimited = !node->u.limit.has_limit;
    limit->remaining = node->u.limit.has_limit ? node->u.limit.limit : 0;
    *out = &limit->base;
    return FLOE_OK;
}
