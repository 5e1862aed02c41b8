/*
 * op_aggregate.c — the hash aggregate operator (engine/operator.h) over keyed aggregate state
 * (engine/group_state.h).
 *
 * The first next() drains the input: each batch's group expressions and call arguments are
 * evaluated (a plain column is read in place, not copied) and folded into the group state with
 * the batch's selection and weights; then every call hands out up to FLOE_BATCH_CAPACITY groups
 * until the state is exhausted. An AGGREGATE without groups yields its one row even on empty
 * input (the state's keyless group); DISTINCT is an AGGREGATE without calls; HAVING is a FILTER
 * above this operator.
 *
 * Parallel form: each of the n pipelines (partition i of n of the same input subtree, compiled by
 * the executor) is drained into a state of its own, pipeline 0 on the calling thread and the
 * others on threads started for the purpose; the partial states are then merged into the first,
 * each freed as soon as it is merged, so the peak is the partials plus the growing result. The
 * first error of any pipeline wins: it is kept, the other pipelines stop at their next batch, and
 * next() returns it once every thread has been joined. A thread that cannot be started leaves its
 * pipeline to the calling thread, after pipeline 0.
 *
 * Memory: the states account what they hold with the context (group_state.h), so a GROUP BY over
 * too many groups fails with the context's FLOE_ENOMEM message, prefixed with "aggregate: ".
 */
#include "engine/operator.h"

#include "engine/expression_eval.h" /* floe_eng_evaluate */
#include "engine/group_state.h"     /* floe_eng_group_state */
#include "kernels/memory.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

/* One pipeline's evaluation state and its partial aggregate: owned by one thread while the
 * input is drained. */
typedef struct pipeline {
    floe_eng_operator *input;
    floe_eng_group_state *state;
    floe_eng_expression_state **expressions; /* groups then arguments; NULL: column or none */
    floe_vector *values;                     /* one result vector per evaluated expression */
    const floe_vector **columns;             /* per batch: groups then arguments */
} pipeline;

typedef struct aggregate_operator {
    floe_eng_operator base;
    const floe_sql_plan *node;
    uint32_t group_count;
    uint32_t call_count;
    pipeline *pipelines;
    uint32_t pipeline_count;
    bool drained;
    uint32_t cursor;
    floe_batch output;
    bool output_ready;

    /* first error among the pipelines */
    pthread_mutex_t lock;
    bool lock_ready;
    atomic_bool stop;
    int first_status;
    floe_error first_error;
} aggregate_operator;

typedef struct worker {
    aggregate_operator *op;
    pipeline *pipe;
    pthread_t thread;
    bool started;
} worker;

/* The expression behind input column `index` of the pipeline (groups then call arguments). */
static const floe_sql_expression *expression_at(const aggregate_operator *op, uint32_t index)
{
    if (index < op->group_count) return op->node->u.aggregate.groups[index];
    return op->node->u.aggregate.calls[index - op->group_count].argument;
}

static void pipeline_fini(aggregate_operator *op, pipeline *pipe)
{
    uint32_t count = op->group_count + op->call_count;
    floe_eng_operator_destroy(pipe->input);
    floe_eng_group_state_free(pipe->state);
    for (uint32_t i = 0; pipe->expressions != NULL && i < count; i++)
        floe_eng_expression_state_free(pipe->expressions[i]);
    for (uint32_t i = 0; pipe->values != NULL && i < count; i++) floe_vector_fini(&pipe->values[i]);
    floe_free(pipe->expressions);
    floe_free(pipe->values);
    floe_free(pipe->columns);
    memset(pipe, 0, sizeof *pipe);
}

static void aggregate_destroy(floe_eng_operator *base)
{
    aggregate_operator *op = (aggregate_operator *)base;
    for (uint32_t i = 0; op->pipelines != NULL && i < op->pipeline_count; i++)
        pipeline_fini(op, &op->pipelines[i]);
    floe_free(op->pipelines);
    if (op->output_ready) floe_batch_fini(&op->output);
    if (op->lock_ready) pthread_mutex_destroy(&op->lock);
    floe_free(op);
}

/* Evaluation state for every group expression and argument of one pipeline, and its state. */
static int pipeline_init(aggregate_operator *op, pipeline *pipe,
                         const floe_eng_aggregate_spec *specs, floe_error *err)
{
    uint32_t count = op->group_count + op->call_count;
    pipe->expressions = floe_calloc(count + 1, sizeof *pipe->expressions);
    pipe->values = floe_calloc(count + 1, sizeof *pipe->values);
    pipe->columns = floe_calloc(count + 1, sizeof *pipe->columns);
    FLOE_RETURN_IF(pipe->expressions == NULL || pipe->values == NULL || pipe->columns == NULL,
                   FLOE_ENOMEM, err, "aggregate: out of memory");
    for (uint32_t i = 0; i < count; i++) {
        const floe_sql_expression *expression = expression_at(op, i);
        if (expression == NULL || expression->kind == FLOE_SQL_EXPRESSION_COLUMN) continue;
        FLOE_TRY(floe_eng_expression_state_create(expression, &pipe->expressions[i], err));
        FLOE_TRY(floe_vector_init(&pipe->values[i], expression->type, FLOE_BATCH_CAPACITY, err));
    }
    floe_type *key_types = floe_malloc((op->group_count + 1) * sizeof *key_types);
    FLOE_RETURN_IF(key_types == NULL, FLOE_ENOMEM, err, "aggregate: out of memory");
    for (uint32_t k = 0; k < op->group_count; k++) key_types[k] = expression_at(op, k)->type;
    int status = floe_eng_group_state_create(key_types, op->group_count, specs, op->call_count,
                                             op->base.context, &pipe->state, err);
    floe_free(key_types);
    return status;
}

/* Points columns[i] at each expression's values for this batch. */
static int evaluate(aggregate_operator *op, pipeline *pipe, const floe_batch *batch,
                    floe_error *err)
{
    for (uint32_t i = 0; i < op->group_count + op->call_count; i++) {
        const floe_sql_expression *expression = expression_at(op, i);
        if (expression == NULL) {
            pipe->columns[i] = NULL;
        } else if (expression->kind == FLOE_SQL_EXPRESSION_COLUMN) {
            FLOE_RETURN_IF(expression->column_index >= batch->column_count, FLOE_EINVAL, err,
                           "aggregate: column %u is not in a batch of %u columns",
                           expression->column_index, batch->column_count);
            pipe->columns[i] = &batch->columns[expression->column_index];
        } else {
            FLOE_TRY(floe_eng_evaluate(pipe->expressions[i], batch, &pipe->values[i], err));
            pipe->columns[i] = &pipe->values[i];
        }
    }
    return FLOE_OK;
}

/* Puts "aggregate: " in front of a failure's message (err may be NULL). */
static int prefixed(int status, floe_error *err)
{
    if (err != NULL) floe_error_prefix(err, "aggregate");
    return status;
}

/* Folds the pipeline's whole input into its state. */
static int drain(aggregate_operator *op, pipeline *pipe, floe_error *err)
{
    for (;;) {
        if (atomic_load_explicit(&op->stop, memory_order_relaxed)) return FLOE_OK;
        floe_batch *batch;
        FLOE_TRY(floe_eng_operator_next(pipe->input, &batch, err));
        if (batch == NULL) return FLOE_OK;
        uint32_t live = floe_batch_live_count(batch);
        if (live == 0) continue;
        FLOE_TRY(evaluate(op, pipe, batch, err));
        int status = floe_eng_group_state_update(pipe->state, pipe->columns,
                                                 pipe->columns + op->group_count, batch->weights,
                                                 batch->selection, live, err);
        if (status != FLOE_OK) return prefixed(status, err);
    }
}

/* Keeps the first failure of any pipeline and tells the others to stop. */
static void record_failure(aggregate_operator *op, int status, const floe_error *error)
{
    pthread_mutex_lock(&op->lock);
    if (op->first_status == FLOE_OK) {
        op->first_status = status;
        op->first_error = *error;
    }
    pthread_mutex_unlock(&op->lock);
    atomic_store(&op->stop, true);
}

static void run_worker(worker *work)
{
    floe_error error;
    floe_error_clear(&error);
    int status = drain(work->op, work->pipe, &error);
    if (status != FLOE_OK) record_failure(work->op, status, &error);
}

static void *worker_main(void *argument)
{
    run_worker(argument);
    return NULL;
}

static int drain_parallel(aggregate_operator *op, floe_error *err)
{
    worker *workers = floe_calloc(op->pipeline_count, sizeof *workers);
    FLOE_RETURN_IF(workers == NULL, FLOE_ENOMEM, err, "aggregate: out of memory for threads");
    for (uint32_t i = 0; i < op->pipeline_count; i++) {
        workers[i].op = op;
        workers[i].pipe = &op->pipelines[i];
    }
    for (uint32_t i = 1; i < op->pipeline_count; i++)
        workers[i].started =
            pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) == 0;
    run_worker(&workers[0]);
    for (uint32_t i = 1; i < op->pipeline_count; i++)
        if (!workers[i].started) run_worker(&workers[i]);
    for (uint32_t i = 1; i < op->pipeline_count; i++)
        if (workers[i].started) pthread_join(workers[i].thread, NULL);
    floe_free(workers);
    if (op->first_status != FLOE_OK) {
        if (err != NULL) *err = op->first_error;
        return op->first_status;
    }
    /* Merge the partials into the first, freeing each at once. */
    for (uint32_t i = 1; i < op->pipeline_count; i++) {
        int status = floe_eng_group_state_merge(op->pipelines[0].state, op->pipelines[i].state,
                                                err);
        floe_eng_group_state_free(op->pipelines[i].state);
        op->pipelines[i].state = NULL;
        if (status != FLOE_OK) return prefixed(status, err);
    }
    return FLOE_OK;
}

static int aggregate_next(floe_eng_operator *base, floe_batch **batch, floe_error *err)
{
    aggregate_operator *op = (aggregate_operator *)base;
    if (!op->drained) {
        int status = op->pipeline_count == 1 ? drain(op, &op->pipelines[0], err)
                                             : drain_parallel(op, err);
        if (status != FLOE_OK) return status;
        op->drained = true;
    }
    int status = floe_eng_group_state_emit(op->pipelines[0].state, &op->cursor, &op->output, err);
    if (status != FLOE_OK) return prefixed(status, err);
    *batch = op->output.row_count > 0 ? &op->output : NULL;
    return FLOE_OK;
}

static const floe_eng_operator_vtable aggregate_vtable = {
    .name = "aggregate",
    .next = aggregate_next,
    .destroy = aggregate_destroy,
};

/* The calls as the state takes them; checks that the plan's result types are the state's. */
static int build_specs(const floe_sql_plan *node, floe_eng_aggregate_spec *specs, floe_error *err)
{
    for (uint32_t c = 0; c < node->u.aggregate.call_count; c++) {
        const floe_sql_aggregate_call *call = &node->u.aggregate.calls[c];
        FLOE_RETURN_IF(call->argument == NULL && call->function != FLOE_SQL_AGGREGATE_COUNT_STAR,
                       FLOE_EINVAL, err, "aggregate: call %u has no argument", c);
        specs[c] = (floe_eng_aggregate_spec){
            .function = call->function,
            .distinct = call->distinct,
            .argument_type = call->argument != NULL ? call->argument->type
                                                    : floe_type_make(FLOE_TYPE_INVALID),
        };
        floe_type result;
        FLOE_TRY(floe_eng_aggregate_result_type(&specs[c], &result, err));
        char planned[40], computed[40];
        FLOE_RETURN_IF(!floe_type_equal(result, call->type), FLOE_ETYPE, err,
                       "aggregate: call %u is planned as %s but yields %s", c,
                       floe_type_format(call->type, planned, sizeof planned),
                       floe_type_format(result, computed, sizeof computed));
    }
    return FLOE_OK;
}

/* Builds the operator over `inputs` (taken even on failure). */
static int create(const floe_sql_plan *node, floe_eng_operator **inputs, uint32_t input_count,
                  floe_eng_context *context, floe_eng_operator **out, floe_error *err)
{
    *out = NULL;
    aggregate_operator *op = floe_calloc(1, sizeof *op);
    pipeline *pipelines = floe_calloc(input_count, sizeof *pipelines);
    if (op == NULL || pipelines == NULL) {
        floe_free(op);
        floe_free(pipelines);
        for (uint32_t i = 0; i < input_count; i++) floe_eng_operator_destroy(inputs[i]);
        return floe_error_set(err, FLOE_ENOMEM, "aggregate: out of memory");
    }
    op->pipelines = pipelines;
    op->pipeline_count = input_count;
    for (uint32_t i = 0; i < input_count; i++) pipelines[i].input = inputs[i];
    op->base.vtable = &aggregate_vtable;
    op->base.context = context;
    op->node = node;
    op->group_count = node->u.aggregate.group_count;
    op->call_count = node->u.aggregate.call_count;
    atomic_init(&op->stop, false);

    int status = FLOE_OK;
    if (node->kind != FLOE_SQL_PLAN_AGGREGATE ||
        node->output.column_count != op->group_count + op->call_count)
        status = floe_error_set(err, FLOE_EINVAL,
                                "aggregate: plan node is not an aggregate of %u columns",
                                node->output.column_count);
    if (status == FLOE_OK && pthread_mutex_init(&op->lock, NULL) != 0)
        status = floe_error_set(err, FLOE_ENOMEM, "aggregate: cannot create a mutex");
    op->lock_ready = status == FLOE_OK;
    floe_eng_aggregate_spec *specs = NULL;
    if (status == FLOE_OK) {
        specs = floe_calloc(op->call_count + 1, sizeof *specs);
        if (specs == NULL) status = floe_error_set(err, FLOE_ENOMEM, "aggregate: out of memory");
    }
    if (status == FLOE_OK) status = build_specs(node, specs, err);
    for (uint32_t i = 0; i < input_count && status == FLOE_OK; i++)
        status = pipeline_init(op, &pipelines[i], specs, err);
    floe_free(specs);
    if (status == FLOE_OK) {
        const floe_type *types = floe_eng_group_state_column_types(pipelines[0].state);
        for (uint32_t c = 0; c < node->output.column_count && status == FLOE_OK; c++) {
            char planned[40], computed[40];
            if (!floe_type_equal(types[c], node->output.columns[c].type))
                status = floe_error_set(err, FLOE_ETYPE,
                                        "aggregate: output column %u is planned as %s but is %s",
                                        c,
                                        floe_type_format(node->output.columns[c].type, planned,
                                                         sizeof planned),
                                        floe_type_format(types[c], computed, sizeof computed));
        }
        op->base.column_count = node->output.column_count;
        op->base.types = types;
    }
    if (status == FLOE_OK) {
        status = floe_batch_init(&op->output, op->base.column_count, op->base.types, err);
        op->output_ready = status == FLOE_OK;
    }
    if (status != FLOE_OK) {
        aggregate_destroy(&op->base);
        return status;
    }
    *out = &op->base;
    return FLOE_OK;
}

int floe_eng_aggregate_create(const floe_sql_plan *node, floe_eng_operator **inputs,
                              floe_eng_context *context, uint32_t partition,
                              uint32_t partition_count, floe_eng_operator **out, floe_error *err)
{
    (void)partition;
    (void)partition_count;
    if (node->input_count != 1) {
        for (uint32_t i = 0; i < node->input_count; i++) floe_eng_operator_destroy(inputs[i]);
        *out = NULL;
        return floe_error_set(err, FLOE_EINVAL, "aggregate: %u inputs, expected 1",
                              node->input_count);
    }
    return create(node, inputs, 1, context, out, err);
}

int floe_eng_aggregate_create_parallel(const floe_sql_plan *node, floe_eng_operator **pipelines,
                                       uint32_t pipeline_count, floe_eng_context *context,
                                       floe_eng_operator **out, floe_error *err)
{
    if (pipeline_count == 0) {
        *out = NULL;
        return floe_error_set(err, FLOE_EINVAL, "aggregate: no pipelines");
    }
    return create(node, pipelines, pipeline_count, context, out, err);
}
