/*
 * op_union_all.c — the UNION ALL operator: its inputs' batches, input after input, in order
 * (contract in engine/operator.h).
 *
 * Each input's batch is handed out as it is (columns, selection, weights: DBSP's union is a
 * sum of Z-sets, so nothing changes). The binder gives every input the same output types; they
 * are checked once here, so a batch's types never depend on which input it came from.
 */
#include "engine/operator.h"

#include "kernels/memory.h"

typedef struct union_all_operator {
    floe_eng_operator base;
    floe_type *types;                /* output types, base.types */
    floe_eng_operator **inputs;
    uint32_t input_count;
    uint32_t current;                /* the input being read; input_count at the end */
} union_all_operator;

static int union_all_next(floe_eng_operator *op, floe_batch **out, floe_error *err)
{
    union_all_operator *union_all = (union_all_operator *)op;
    while (union_all->current < union_all->input_count) {
        floe_batch *batch;
        FLOE_TRY(floe_eng_operator_next(union_all->inputs[union_all->current], &batch, err));
        if (batch == NULL) {
            union_all->current++;
            continue;
        }
        if (floe_batch_live_count(batch) == 0) continue;
        *out = batch;
        return FLOE_OK;
    }
    *out = NULL;
    return FLOE_OK;
}

static void union_all_destroy(floe_eng_operator *op)
{
    union_all_operator *union_all = (union_all_operator *)op;
    for (uint32_t i = 0; i < union_all->input_count; i++)
        floe_eng_operator_destroy(union_all->inputs[i]);
    floe_free(union_all->inputs);
    floe_free(union_all->types);
    floe_free(union_all);
}

static const floe_eng_operator_vtable union_all_vtable = {"union all", union_all_next,
                                                          union_all_destroy};

/* FLOE_ETYPE unless input `index` produces exactly the node's output types. */
static int check_input(const union_all_operator *union_all, const floe_sql_plan *node,
                       uint32_t index, floe_error *err)
{
    const floe_eng_operator *input = union_all->inputs[index];
    FLOE_RETURN_IF(input->column_count != union_all->base.column_count, FLOE_ETYPE, err,
                   "UNION ALL input %u has %u columns, the union %u", (unsigned)index + 1,
                   (unsigned)input->column_count, (unsigned)union_all->base.column_count);
    for (uint32_t c = 0; c < input->column_count; c++) {
        if (floe_type_equal(input->types[c], union_all->types[c])) continue;
        char have[64], want[64];
        return floe_error_set(err, FLOE_ETYPE, "UNION ALL input %u: column %s is %s, not %s",
                              (unsigned)index + 1, node->output.columns[c].name,
                              floe_type_format(input->types[c], have, sizeof have),
                              floe_type_format(union_all->types[c], want, sizeof want));
    }
    return FLOE_OK;
}

int floe_eng_union_all_create(const floe_sql_plan *node, floe_eng_operator **inputs,
                              floe_eng_context *context, uint32_t partition,
                              uint32_t partition_count, floe_eng_operator **out, floe_error *err)
{
    (void)partition;
    (void)partition_count;
    *out = NULL;
    union_all_operator *union_all = floe_calloc(1, sizeof *union_all);
    uint32_t count = node->output.column_count;
    if (union_all != NULL) {
        union_all->types = floe_calloc(count ? count : 1, sizeof *union_all->types);
        union_all->inputs = floe_calloc(node->input_count ? node->input_count : 1,
                                        sizeof *union_all->inputs);
    }
    if (union_all == NULL || union_all->types == NULL || union_all->inputs == NULL) {
        for (uint32_t i = 0; i < node->input_count; i++) floe_eng_operator_destroy(inputs[i]);
        if (union_all != NULL) union_all_destroy(&union_all->base);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory creating a UNION ALL");
    }
    union_all->base.vtable = &union_all_vtable;
    union_all->base.context = context;
    union_all->base.column_count = count;
    union_all->base.types = union_all->types;
    for (uint32_t c = 0; c < count; c++) union_all->types[c] = node->output.columns[c].type;
    for (uint32_t i = 0; i < node->input_count; i++) union_all->inputs[i] = inputs[i];
    union_all->input_count = node->input_count;
    for (uint32_t i = 0; i < union_all->input_count; i++) {
        int status = check_input(union_all, node, i, err);
        if (status != FLOE_OK) {
            union_all_destroy(&union_all->base);
            return status;
        }
    }
    *out = &union_all->base;
    return FLOE_OK;
}
