/* executor.c — plan to operator tree (engine/executor.h). */
#include "engine/executor.h"

#include "kernels/memory.h"

#include <stdbool.h>

static int compile_node(const floe_sql_plan *node, floe_eng_context *context, uint32_t partition,
                        uint32_t partition_count, floe_eng_operator **out, floe_error *err);

static bool is_partitionable(const floe_sql_plan *node);

/* Whether a subtree can be read in full by each of several pipelines and give each the same
 * rows: no operator that keeps state across rows or starts threads of its own (AGGREGATE would
 * start a nested parallel aggregate, ORDER and LIMIT are not worth the copies). */
static bool is_replicable(const floe_sql_plan *node)
{
    switch (node->kind) {
    case FLOE_SQL_PLAN_SCAN:
    case FLOE_SQL_PLAN_VALUES:
        return true;
    case FLOE_SQL_PLAN_FILTER:
    case FLOE_SQL_PLAN_PROJECT:
    case FLOE_SQL_PLAN_UNION_ALL:
    case FLOE_SQL_PLAN_JOIN:
        for (uint32_t i = 0; i < node->input_count; i++)
            if (!is_replicable(node->inputs[i]))
                return false;
        return true;
    default:
        return false;
    }
}

/* Whether a subtree can be split by files across threads: only operators that map each input
 * row on its own (no state across rows) may run in several copies. A JOIN maps each left (probe)
 * row on its own against the whole right (build) side, so it is split by its left input while
 * every pipeline builds the whole right side: the build is repeated per thread (its time runs in
 * parallel, its memory is taken once per thread) and the probe, the larger part when the left
 * side is the fact table, is divided. */
static bool is_partitionable(const floe_sql_plan *node)
{
    switch (node->kind) {
    case FLOE_SQL_PLAN_SCAN:
        return true;
    case FLOE_SQL_PLAN_FILTER:
    case FLOE_SQL_PLAN_PROJECT:
    case FLOE_SQL_PLAN_UNION_ALL:
        for (uint32_t i = 0; i < node->input_count; i++)
            if (!is_partitionable(node->inputs[i]))
                return false;
        return true;
    case FLOE_SQL_PLAN_JOIN:
        return node->input_count == 2 && is_partitionable(node->inputs[0]) &&
               is_replicable(node->inputs[1]);
    default:
        return false;
    }
}

static floe_eng_operator_create_fn constructor_of(floe_sql_plan_kind kind)
{
    switch (kind) {
    case FLOE_SQL_PLAN_SCAN: return floe_eng_scan_create;
    case FLOE_SQL_PLAN_FILTER: return floe_eng_filter_create;
    case FLOE_SQL_PLAN_PROJECT: return floe_eng_project_create;
    case FLOE_SQL_PLAN_AGGREGATE: return floe_eng_aggregate_create;
    case FLOE_SQL_PLAN_JOIN: return floe_eng_join_create;
    case FLOE_SQL_PLAN_UNION_ALL: return floe_eng_union_all_create;
    case FLOE_SQL_PLAN_ORDER: return floe_eng_order_create;
    case FLOE_SQL_PLAN_LIMIT: return floe_eng_limit_create;
    case FLOE_SQL_PLAN_VALUES: return floe_eng_values_create;
    }
    return NULL;
}

static void destroy_all(floe_eng_operator **operators, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++)
        floe_eng_operator_destroy(operators[i]);
}

static int compile_parallel_aggregate(const floe_sql_plan *node, floe_eng_context *context,
                                      floe_eng_operator **out, floe_error *err)
{
    uint32_t count = context->thread_count;
    floe_eng_operator **pipelines = floe_calloc(count, sizeof *pipelines);
    if (pipelines == NULL)
        return floe_error_set(err, FLOE_ENOMEM, "out of memory compiling the plan");
    for (uint32_t i = 0; i < count; i++) {
        int status = compile_node(node->inputs[0], context, i, count, &pipelines[i], err);
        if (status != FLOE_OK) {
            destroy_all(pipelines, i);
            floe_free(pipelines);
            return status;
        }
    }
    /* The constructor takes the pipelines (it destroys them on failure); the array is ours. */
    int status = floe_eng_aggregate_create_parallel(node, pipelines, count, context, out, err);
    floe_free(pipelines);
    return status;
}

static int compile_node(const floe_sql_plan *node, floe_eng_context *context, uint32_t partition,
                        uint32_t partition_count, floe_eng_operator **out, floe_error *err)
{
    *out = NULL;
    if (node->kind == FLOE_SQL_PLAN_AGGREGATE && partition_count == 1 &&
        context->thread_count > 1 && is_partitionable(node->inputs[0]))
        return compile_parallel_aggregate(node, context, out, err);

    floe_eng_operator_create_fn create = constructor_of(node->kind);
    if (create == NULL)
        return floe_error_set(err, FLOE_EUNSUPPORTED, "plan node kind %d has no operator",
                              (int)node->kind);
    floe_eng_operator **inputs = NULL;
    if (node->input_count > 0) {
        inputs = floe_calloc(node->input_count, sizeof *inputs);
        if (inputs == NULL)
            return floe_error_set(err, FLOE_ENOMEM, "out of memory compiling the plan");
    }
    for (uint32_t i = 0; i < node->input_count; i++) {
        /* A split JOIN reads all of its right (build) side in every partition. */
        bool whole = node->kind == FLOE_SQL_PLAN_JOIN && i == 1;
        int status = compile_node(node->inputs[i], context, whole ? 0 : partition,
                                  whole ? 1 : partition_count, &inputs[i], err);
        if (status != FLOE_OK) {
            destroy_all(inputs, i);
            floe_free(inputs);
            return status;
        }
    }
    int status = create(node, inputs, context, partition, partition_count, out, err);
    floe_free(inputs);
    return status;
}

int floe_eng_plan_compile(const floe_sql_plan *plan, floe_eng_context *context,
                          floe_eng_operator **root, floe_error *err)
{
    return compile_node(plan, context, 0, 1, root, err);
}
