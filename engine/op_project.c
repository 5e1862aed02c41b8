/*
 * op_project.c — the PROJECT operator: one output column per expression (contract in
 * engine/operator.h).
 *
 * Computed columns are evaluated into vectors the operator owns, for the input's live rows
 * only. A bare column reference is not copied: the output vector becomes a view of the input's
 * vector (data, validity, string heap, dictionary), valid as long as the input batch is, which
 * is until the next call, as the contract asks. The input's row count, selection and weights
 * pass through unchanged (DBSP: projection is linear), so the output has the input's rows.
 */
#include "engine/operator.h"

#include "engine/expression_eval.h"
#include "kernels/memory.h"

#include <stdbool.h>

typedef struct project_operator {
    floe_eng_operator base;
    floe_eng_operator *input;
    floe_type *types;                    /* output types, base.types */
    floe_batch batch;
    uint32_t column_count;
    floe_eng_expression_state **states;  /* per output column; NULL for a view of an input column */
    uint32_t *input_columns;             /* views: the input column shown */
} project_operator;

static void view_of(floe_vector *view, const floe_vector *source)
{
    view->encoding = source->encoding;
    view->data = source->data;
    view->validity = source->validity;
    view->heap = source->heap;
    view->heap_size = source->heap_size;
    view->dictionary = source->dictionary;
}

static int project_next(floe_eng_operator *op, floe_batch **out, floe_error *err)
{
    project_operator *project = (project_operator *)op;
    floe_batch *input;
    do {
        FLOE_TRY(floe_eng_operator_next(project->input, &input, err));
        if (input == NULL) {
            *out = NULL;
            return FLOE_OK;
        }
    } while (floe_batch_live_count(input) == 0);
    floe_batch *batch = &project->batch;
    for (uint32_t i = 0; i < project->column_count; i++) {
        if (project->states[i] == NULL)
            view_of(&batch->columns[i], &input->columns[project->input_columns[i]]);
        else
            FLOE_TRY(floe_eng_evaluate(project->states[i], input, &batch->columns[i], err));
    }
    batch->row_count = input->row_count;
    batch->selection = input->selection;
    batch->selected_count = input->selected_count;
    batch->weights = input->weights;
    *out = batch;
    return FLOE_OK;
}

static void project_destroy(floe_eng_operator *op)
{
    project_operator *project = (project_operator *)op;
    floe_eng_operator_destroy(project->input);
    if (project->states != NULL) {
        for (uint32_t i = 0; i < project->column_count; i++)
            floe_eng_expression_state_free(project->states[i]);
    }
    floe_free(project->states);
    floe_free(project->input_columns);
    if (project->batch.columns != NULL) floe_batch_fini(&project->batch);
    floe_free(project->types);
    floe_free(project);
}

static const floe_eng_operator_vtable project_vtable = {"project", project_next,
                                                        project_destroy};

/* Compiles output column i: a view when the expression is a bare column of the same type. */
static int compile_column(project_operator *project, const floe_sql_plan *node, uint32_t i,
                          floe_error *err)
{
    const floe_sql_expression *expression = node->u.project.expressions[i];
    const floe_eng_operator *input = project->input;
    char have[64], want[64];
    FLOE_RETURN_IF(!floe_type_equal(expression->type, project->types[i]), FLOE_ETYPE, err,
                   "projection column %s: the expression is %s but the column is %s",
                   node->output.columns[i].name,
                   floe_type_format(expression->type, have, sizeof have),
                   floe_type_format(project->types[i], want, sizeof want));
    if (expression->kind == FLOE_SQL_EXPRESSION_COLUMN) {
        uint32_t column = expression->column_index;
        FLOE_RETURN_IF(column >= input->column_count, FLOE_EINVAL, err,
                       "projection column %s: input column %u of %u",
                       node->output.columns[i].name, (unsigned)column,
                       (unsigned)input->column_count);
        if (floe_type_equal(input->types[column], project->types[i])) {
            project->input_columns[i] = column;
            return FLOE_OK;
        }
    }
    return floe_eng_expression_state_create(expression, &project->states[i], err);
}

int floe_eng_project_create(const floe_sql_plan *node, floe_eng_operator **inputs,
                            floe_eng_context *context, uint32_t partition,
                            uint32_t partition_count, floe_eng_operator **out, floe_error *err)
{
    (void)partition;
    (void)partition_count;
    *out = NULL;
    project_operator *project = floe_calloc(1, sizeof *project);
    if (project == NULL) {
        floe_eng_operator_destroy(inputs[0]);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory creating a projection");
    }
    uint32_t count = node->output.column_count;
    size_t slots = count ? count : 1;
    project->base.vtable = &project_vtable;
    project->base.context = context;
    project->base.column_count = count;
    project->input = inputs[0];
    project->base.rows_expected = inputs[0]->rows_expected;
    project->types = floe_calloc(slots, sizeof *project->types);
    project->states = floe_calloc(slots, sizeof *project->states);
    project->input_columns = floe_calloc(slots, sizeof *project->input_columns);
    project->base.types = project->types;
    int status = FLOE_OK;
    if (project->types == NULL || project->states == NULL || project->input_columns == NULL)
        status = floe_error_set(err, FLOE_ENOMEM, "out of memory creating a projection");
    else
        project->column_count = count;
    for (uint32_t i = 0; status == FLOE_OK && i < count; i++)
        project->types[i] = node->output.columns[i].type;
    for (uint32_t i = 0; status == FLOE_OK && i < count; i++)
        status = compile_column(project, node, i, err);
    if (status == FLOE_OK) status = floe_batch_init(&project->batch, count, project->types, err);
    if (status != FLOE_OK) {
        project_destroy(&project->base);
        return status;
    }
    *out = &project->base;
    return FLOE_OK;
}
