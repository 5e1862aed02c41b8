/*
 * expression_eval.c — compiles a bound expression into per-node state and walks it per batch
 * (contract in expression_eval.h). The per-operator loops live in eval_arithmetic.c,
 * eval_compare.c, eval_cast.c, eval_string.c and eval_datetime.c; this file owns the tree walk,
 * constant folding, the control-flow nodes (CASE, COALESCE) whose branches run on sub-selections,
 * and predicate evaluation into selection vectors.
 *
 * Why a tree of scratch vectors rather than bytecode: a batch is 2048 rows, so dispatch costs
 * once per node per batch, not per row; each operator is a flat loop over arrays.
 */
#include "engine/expression_eval.h"

#include "engine/eval_internal.h"
#include "kernels/filter.h"  /* floe_k_filter_* */
#include "kernels/memory.h"  /* floe_calloc, floe_free */

#include <string.h>

struct floe_eng_expression_state {
    floe_eng_node *root;
};

static void node_free(floe_eng_node *node)
{
    if (node == NULL) return;
    for (uint32_t i = 0; i < node->child_count; i++) node_free(node->children[i]);
    floe_free(node->children);
    floe_free(node->inputs);
    floe_free(node->selection_a);
    floe_free(node->selection_b);
    floe_vector_fini(&node->scratch);
    floe_free(node);
}

void floe_eng_merge_validity(floe_vector *out, const floe_vector *const *inputs, uint32_t count,
                             const floe_eng_rows *rows)
{
    out->validity = NULL;
    bool any = false;
    for (uint32_t i = 0; i < count; i++) any |= inputs[i]->validity != NULL;
    if (!any) return;
    uint32_t words = (rows->row_count + 63) / 64;
    uint64_t *validity = out->validity_storage;
    memset(validity, 0xff, words * sizeof *validity);
    for (uint32_t i = 0; i < count; i++) {
        const uint64_t *in = inputs[i]->validity;
        if (in == NULL) continue;
        for (uint32_t w = 0; w < words; w++) validity[w] &= in[w];
    }
    out->validity = validity;
}

/* Copies the listed rows of src (any encoding) into out, values and NULLs. */
static int copy_rows(const floe_vector *src, const floe_eng_rows *rows, floe_vector *out,
                     floe_error *err)
{
    if (src->validity != NULL || out->validity != NULL) {
        if (out->validity == NULL) floe_vector_prepare_validity(out);
        FLOE_ENG_FOR_ROWS(rows, r, {
            if (floe_eng_is_valid(src, r)) floe_vector_set_valid(out, r);
            else floe_vector_set_null(out, r);
        });
    }
    if (floe_type_is_variable_width(out->type)) {
        int status = FLOE_OK;
        FLOE_ENG_FOR_ROWS(rows, r, {
            /* A NULL row's dictionary code may be garbage: never follow it. */
            uint32_t length = 0;
            const unsigned char *bytes = NULL;
            if (floe_eng_is_valid(src, r)) bytes = floe_vector_string(src, r, &length);
            status = floe_vector_set_string(out, r, bytes, length, err);
            if (status != FLOE_OK) return status;
        });
        return status;
    }
    size_t width = floe_type_width(out->type);
    const unsigned char *data = src->data;
    const uint32_t *codes = NULL;
    if (src->encoding == FLOE_VECTOR_DICTIONARY) {
        codes = src->data;
        data = src->dictionary->data;
    }
    unsigned char *target = out->data;
    FLOE_ENG_FOR_ROWS(rows, r, {
        if (codes != NULL && !floe_eng_is_valid(src, r)) {
            memset(target + (size_t)r * width, 0, width); /* garbage code: not followed */
            continue;
        }
        uint32_t from = codes != NULL ? codes[r] : r;
        memcpy(target + (size_t)r * width, data + (size_t)from * width, width);
    });
    return FLOE_OK;
}

/* Fills every row of a folded node's scratch from row 0. */
static void broadcast_row0(floe_vector *vector)
{
    size_t width = floe_type_width(vector->type);
    unsigned char *data = vector->data;
    for (uint32_t r = 1; r < vector->capacity; r++) memcpy(data + r * width, data, width);
    if (vector->validity != NULL && !floe_eng_is_valid(vector, 0)) {
        memset(vector->validity_storage, 0, (vector->capacity + 63) / 64 * 8);
        vector->validity = vector->validity_storage;
    } else {
        vector->validity = NULL;
    }
}

static int set_constant(floe_vector *out, const floe_sql_value *value, floe_error *err)
{
    floe_vector_reset(out);
    if (value->is_null) {
        floe_vector_set_null(out, 0);
        return FLOE_OK;
    }
    switch ((floe_type_id)out->type.id) {
    case FLOE_TYPE_BOOLEAN: ((uint8_t *)out->data)[0] = value->as.boolean; break;
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_DATE: ((int32_t *)out->data)[0] = value->as.int32; break;
    case FLOE_TYPE_INT64:
    case FLOE_TYPE_TIMESTAMP:
    case FLOE_TYPE_TIMESTAMPTZ: ((int64_t *)out->data)[0] = value->as.int64; break;
    case FLOE_TYPE_FLOAT32: ((float *)out->data)[0] = value->as.float32; break;
    case FLOE_TYPE_FLOAT64: ((double *)out->data)[0] = value->as.float64; break;
    case FLOE_TYPE_DECIMAL:
        if (out->type.precision <= FLOE_DECIMAL64_MAX_PRECISION) {
            ((int64_t *)out->data)[0] = value->as.int64;
        } else {
            ((floe_int128 *)out->data)[0] = value->as.int128;
        }
        break;
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY:
        return floe_vector_set_string(out, 0, value->as.string.bytes, value->as.string.length,
                                      err);
    case FLOE_TYPE_INVALID: break;
    }
    return FLOE_OK;
}

static int eval_into(floe_eng_node *node, const floe_batch *batch, const floe_eng_rows *rows,
                     floe_vector *out, floe_error *err);

int floe_eng_eval_child(floe_eng_node *node, const floe_batch *batch, const floe_eng_rows *rows,
                        const floe_vector **value, floe_error *err)
{
    const floe_sql_expression *e = node->expression;
    if (node->is_constant) {
        *value = &node->scratch;
        return FLOE_OK;
    }
    if (e->kind == FLOE_SQL_EXPRESSION_COLUMN) {
        FLOE_RETURN_IF(e->column_index >= batch->column_count, FLOE_EINVAL, err,
                       "column %u is not in a batch of %u columns", e->column_index,
                       batch->column_count);
        const floe_vector *column = &batch->columns[e->column_index];
        /* Strings are read through floe_vector_string, which resolves codes; other types are
         * flattened once so the operators see plain arrays. */
        if (column->encoding == FLOE_VECTOR_DICTIONARY && !floe_type_is_variable_width(column->type)) {
            floe_vector_reset(&node->scratch);
            FLOE_TRY(copy_rows(column, rows, &node->scratch, err));
            *value = &node->scratch;
            return FLOE_OK;
        }
        *value = column;
        return FLOE_OK;
    }
    FLOE_TRY(eval_into(node, batch, rows, &node->scratch, err));
    *value = &node->scratch;
    return FLOE_OK;
}

/* Rows of `rows` where a BOOLEAN vector is TRUE go to `taken`, the others to `rest`. */
static void split_true(const floe_vector *condition, const floe_eng_rows *rows, uint16_t *taken,
                       uint32_t *taken_count, uint16_t *rest, uint32_t *rest_count)
{
    const uint8_t *values = condition->data;
    uint32_t t = 0, o = 0;
    FLOE_ENG_FOR_ROWS(rows, r, {
        bool yes = floe_eng_is_valid(condition, r) && values[r];
        taken[t] = (uint16_t)r;
        rest[o] = (uint16_t)r;
        t += yes;
        o += !yes;
    });
    *taken_count = t;
    *rest_count = o;
}

static int eval_case(floe_eng_node *node, const floe_batch *batch, const floe_eng_rows *rows,
                     floe_vector *out, floe_error *err)
{
    uint32_t pairs = node->child_count / 2;
    bool has_else = node->child_count % 2 == 1;
    /* Rows not yet decided live in selection_a (compacted in place after each WHEN); the rows
     * a WHEN selected go to selection_b and only they evaluate its THEN. */
    floe_eng_rows remaining = *rows;
    if (rows->selection == NULL) {
        for (uint32_t i = 0; i < rows->count; i++) node->selection_a[i] = (uint16_t)i;
    } else {
        memcpy(node->selection_a, rows->selection, rows->count * sizeof(uint16_t));
    }
    remaining.selection = node->selection_a;
    for (uint32_t p = 0; p < pairs && remaining.count > 0; p++) {
        const floe_vector *condition;
        FLOE_TRY(floe_eng_eval_child(node->children[2 * p], batch, &remaining, &condition, err));
        uint32_t taken_count, rest_count;
        /* split writes rest into selection_a in place: entry k is written after it is read. */
        split_true(condition, &remaining, node->selection_b, &taken_count, node->selection_a,
                   &rest_count);
        if (taken_count > 0) {
            floe_eng_rows taken = {node->selection_b, taken_count, rows->row_count};
            const floe_vector *value;
            FLOE_TRY(floe_eng_eval_child(node->children[2 * p + 1], batch, &taken, &value, err));
            FLOE_TRY(copy_rows(value, &taken, out, err));
        }
        remaining.count = rest_count;
    }
    if (remaining.count == 0) return FLOE_OK;
    if (has_else) {
        const floe_vector *value;
        FLOE_TRY(floe_eng_eval_child(node->children[node->child_count - 1], batch, &remaining,
                                     &value, err));
        return copy_rows(value, &remaining, out, err);
    }
    if (out->validity == NULL) floe_vector_prepare_validity(out);
    FLOE_ENG_FOR_ROWS(&remaining, r, { floe_vector_set_null(out, r); });
    return FLOE_OK;
}

static int eval_coalesce(floe_eng_node *node, const floe_batch *batch, const floe_eng_rows *rows,
                         floe_vector *out, floe_error *err)
{
    floe_eng_rows remaining = *rows;
    for (uint32_t c = 0; c < node->child_count && remaining.count > 0; c++) {
        const floe_vector *value;
        FLOE_TRY(floe_eng_eval_child(node->children[c], batch, &remaining, &value, err));
        FLOE_TRY(copy_rows(value, &remaining, out, err));
        if (value->validity == NULL) return FLOE_OK;
        uint32_t still = 0;
        FLOE_ENG_FOR_ROWS(&remaining, r, {
            node->selection_b[still] = (uint16_t)r;
            still += !floe_eng_is_valid(value, r);
        });
        memcpy(node->selection_a, node->selection_b, still * sizeof(uint16_t));
        remaining.selection = node->selection_a;
        remaining.count = still;
    }
    return FLOE_OK;
}

static int eval_is_null(const floe_eng_node *node, const floe_vector *input,
                        const floe_eng_rows *rows, floe_vector *out)
{
    bool want_null = node->expression->kind == FLOE_SQL_EXPRESSION_IS_NULL;
    uint8_t *result = out->data;
    FLOE_ENG_FOR_ROWS(rows, r, { result[r] = (uint8_t)(floe_eng_is_valid(input, r) != want_null); });
    return FLOE_OK;
}

static int eval_into(floe_eng_node *node, const floe_batch *batch, const floe_eng_rows *rows,
                     floe_vector *out, floe_error *err)
{
    const floe_sql_expression *e = node->expression;
    floe_vector_reset(out);
    switch (e->kind) {
    case FLOE_SQL_EXPRESSION_CONSTANT:
        if (!node->is_constant) return set_constant(out, &e->constant, err);
        /* fall through */
    case FLOE_SQL_EXPRESSION_COLUMN: {
        const floe_vector *value;
        FLOE_TRY(floe_eng_eval_child(node, batch, rows, &value, err));
        if (value == out) return FLOE_OK;
        return copy_rows(value, rows, out, err);
    }
    case FLOE_SQL_EXPRESSION_CASE: return eval_case(node, batch, rows, out, err);
    case FLOE_SQL_EXPRESSION_COALESCE: return eval_coalesce(node, batch, rows, out, err);
    default: break;
    }
    for (uint32_t i = 0; i < node->child_count; i++) {
        FLOE_TRY(floe_eng_eval_child(node->children[i], batch, rows, &node->inputs[i], err));
    }
    const floe_vector *const *inputs = node->inputs;
    switch (e->kind) {
    case FLOE_SQL_EXPRESSION_CAST: return floe_eng_eval_cast(inputs[0], rows, out, err);
    case FLOE_SQL_EXPRESSION_UNARY:
        if (e->operator_kind == FLOE_SQL_OPERATOR_NOT) {
            return floe_eng_eval_logic(node, inputs, rows, out, err);
        }
        return floe_eng_eval_negate(node, inputs, rows, out, err);
    case FLOE_SQL_EXPRESSION_BINARY:
        switch (e->operator_kind) {
        case FLOE_SQL_OPERATOR_AND:
        case FLOE_SQL_OPERATOR_OR: return floe_eng_eval_logic(node, inputs, rows, out, err);
        case FLOE_SQL_OPERATOR_CONCAT: return floe_eng_eval_concat(node, inputs, rows, out, err);
        case FLOE_SQL_OPERATOR_EQUAL:
        case FLOE_SQL_OPERATOR_NOT_EQUAL:
        case FLOE_SQL_OPERATOR_LESS:
        case FLOE_SQL_OPERATOR_LESS_EQUAL:
        case FLOE_SQL_OPERATOR_GREATER:
        case FLOE_SQL_OPERATOR_GREATER_EQUAL:
            return floe_eng_eval_compare(node, inputs, rows, out, err);
        default: return floe_eng_eval_arithmetic(node, inputs, rows, out, err);
        }
    case FLOE_SQL_EXPRESSION_IS_NULL:
    case FLOE_SQL_EXPRESSION_IS_NOT_NULL: return eval_is_null(node, inputs[0], rows, out);
    case FLOE_SQL_EXPRESSION_IN: return floe_eng_eval_in(node, inputs, rows, out, err);
    case FLOE_SQL_EXPRESSION_LIKE: return floe_eng_eval_like(node, inputs, rows, out, err);
    case FLOE_SQL_EXPRESSION_FUNCTION:
        switch (e->function) {
        case FLOE_SQL_FUNCTION_ABS:
        case FLOE_SQL_FUNCTION_ROUND:
        case FLOE_SQL_FUNCTION_FLOOR:
        case FLOE_SQL_FUNCTION_CEIL:
            return floe_eng_eval_numeric_function(node, inputs, rows, out, err);
        case FLOE_SQL_FUNCTION_DATE_TRUNC:
        case FLOE_SQL_FUNCTION_EXTRACT:
            return floe_eng_eval_datetime_function(node, inputs, rows, out, err);
        case FLOE_SQL_FUNCTION_CONCAT: return floe_eng_eval_concat(node, inputs, rows, out, err);
        default: return floe_eng_eval_string_function(node, inputs, rows, out, err);
        }
    default: break;
    }
    return floe_error_set(err, FLOE_EUNSUPPORTED, "expression kind %d", (int)e->kind);
}

/* Checks what can be checked once: kinds, operand types the loops need, constant units. */
static int validate(const floe_sql_expression *e, floe_eng_node *node, floe_error *err)
{
    char name[32];
    FLOE_RETURN_IF(!floe_type_is_valid(e->type), FLOE_ETYPE, err, "expression of invalid type");
    FLOE_RETURN_IF(e->kind < FLOE_SQL_EXPRESSION_COLUMN || e->kind > FLOE_SQL_EXPRESSION_FUNCTION,
                   FLOE_EUNSUPPORTED, err, "expression kind %d", (int)e->kind);
    if (e->kind == FLOE_SQL_EXPRESSION_FUNCTION &&
        (e->function == FLOE_SQL_FUNCTION_DATE_TRUNC || e->function == FLOE_SQL_FUNCTION_EXTRACT)) {
        const floe_sql_expression *unit = e->child_count == 2 ? e->children[0] : NULL;
        FLOE_RETURN_IF(unit == NULL || unit->kind != FLOE_SQL_EXPRESSION_CONSTANT ||
                           unit->constant.is_null || unit->constant.type.id != FLOE_TYPE_STRING,
                       FLOE_EUNSUPPORTED, err, "%s needs a constant unit",
                       e->function == FLOE_SQL_FUNCTION_EXTRACT ? "extract" : "date_trunc");
        node->parameter = floe_eng_datetime_unit(unit->constant.as.string.bytes,
                                                 unit->constant.as.string.length,
                                                 e->function == FLOE_SQL_FUNCTION_EXTRACT);
        FLOE_RETURN_IF(node->parameter < 0, FLOE_EUNSUPPORTED, err, "unknown %s unit '%.*s'",
                       e->function == FLOE_SQL_FUNCTION_EXTRACT ? "extract" : "date_trunc",
                       (int)unit->constant.as.string.length, unit->constant.as.string.bytes);
    }
    if (e->kind == FLOE_SQL_EXPRESSION_BINARY || e->kind == FLOE_SQL_EXPRESSION_UNARY ||
        e->kind == FLOE_SQL_EXPRESSION_CAST || e->kind == FLOE_SQL_EXPRESSION_IS_NULL ||
        e->kind == FLOE_SQL_EXPRESSION_IS_NOT_NULL || e->kind == FLOE_SQL_EXPRESSION_LIKE) {
        uint32_t need = e->kind == FLOE_SQL_EXPRESSION_BINARY || e->kind == FLOE_SQL_EXPRESSION_LIKE
                            ? 2 : 1;
        FLOE_RETURN_IF(e->child_count != need, FLOE_EINVAL, err,
                       "%s node with %u children", floe_type_format(e->type, name, sizeof name),
                       e->child_count);
    }
    FLOE_RETURN_IF(e->kind == FLOE_SQL_EXPRESSION_CONSTANT &&
                       !floe_type_equal(e->constant.type, e->type),
                   FLOE_ETYPE, err, "constant of type %s in a node of another type",
                   floe_type_format(e->constant.type, name, sizeof name));
    return FLOE_OK;
}

static int node_create(const floe_sql_expression *e, floe_eng_node **out, floe_error *err)
{
    *out = NULL;
    FLOE_RETURN_IF(e == NULL, FLOE_EINVAL, err, "missing expression");
    floe_eng_node *node = floe_calloc(1, sizeof *node);
    FLOE_RETURN_IF(node == NULL, FLOE_ENOMEM, err, "out of memory for expression state");
    node->expression = e;
    int status = validate(e, node, err);
    if (status != FLOE_OK) {
        floe_free(node);
        return status;
    }
    if (e->child_count > 0) {
        node->children = floe_calloc(e->child_count, sizeof *node->children);
        node->inputs = floe_calloc(e->child_count, sizeof *node->inputs);
        if (node->children == NULL || node->inputs == NULL) {
            node_free(node);
            return floe_error_set(err, FLOE_ENOMEM, "out of memory for expression state");
        }
    }
    node->child_count = e->child_count;
    bool all_constant = e->child_count > 0;
    for (uint32_t i = 0; i < e->child_count; i++) {
        status = node_create(e->children[i], &node->children[i], err);
        if (status != FLOE_OK) {
            node_free(node);
            return status;
        }
        all_constant &= node->children[i]->is_constant;
    }
    status = floe_vector_init(&node->scratch, e->type, FLOE_BATCH_CAPACITY, err);
    if (status == FLOE_OK && (e->kind == FLOE_SQL_EXPRESSION_CASE ||
                              e->kind == FLOE_SQL_EXPRESSION_COALESCE ||
                              e->kind == FLOE_SQL_EXPRESSION_BINARY)) {
        node->selection_a = floe_malloc(FLOE_BATCH_CAPACITY * sizeof(uint16_t));
        node->selection_b = floe_malloc(FLOE_BATCH_CAPACITY * sizeof(uint16_t));
        if (node->selection_a == NULL || node->selection_b == NULL) {
            status = floe_error_set(err, FLOE_ENOMEM, "out of memory for expression state");
        }
    }
    if (status != FLOE_OK) {
        node_free(node);
        return status;
    }
    if (e->kind == FLOE_SQL_EXPRESSION_CONSTANT) {
        status = set_constant(&node->scratch, &e->constant, err);
        if (status != FLOE_OK) {
            node_free(node);
            return status;
        }
        broadcast_row0(&node->scratch);
        node->is_constant = true;
    } else if (all_constant) {
        /* Fold: evaluate one row, then repeat it. A failure (1/0) is left for run time. */
        floe_eng_rows one = {NULL, 1, 1};
        floe_batch empty;
        memset(&empty, 0, sizeof empty);
        if (eval_into(node, &empty, &one, &node->scratch, NULL) == FLOE_OK) {
            broadcast_row0(&node->scratch);
            node->is_constant = true;
        }
    }
    *out = node;
    return FLOE_OK;
}

int floe_eng_expression_state_create(const floe_sql_expression *expression,
                                     floe_eng_expression_state **state, floe_error *err)
{
    *state = NULL;
    floe_eng_expression_state *s = floe_calloc(1, sizeof *s);
    FLOE_RETURN_IF(s == NULL, FLOE_ENOMEM, err, "out of memory for expression state");
    int status = node_create(expression, &s->root, err);
    if (status != FLOE_OK) {
        floe_free(s);
        return status;
    }
    *state = s;
    return FLOE_OK;
}

void floe_eng_expression_state_free(floe_eng_expression_state *state)
{
    if (state == NULL) return;
    node_free(state->root);
    floe_free(state);
}

static floe_eng_rows batch_rows(const floe_batch *batch)
{
    floe_eng_rows rows = {batch->selection, floe_batch_live_count(batch), batch->row_count};
    return rows;
}

int floe_eng_evaluate(floe_eng_expression_state *state, const floe_batch *batch,
                      floe_vector *result, floe_error *err)
{
    char want[32], got[32];
    FLOE_RETURN_IF(!floe_type_equal(result->type, state->root->expression->type), FLOE_ETYPE, err,
                   "result vector is %s, the expression is %s",
                   floe_type_format(result->type, got, sizeof got),
                   floe_type_format(state->root->expression->type, want, sizeof want));
    FLOE_RETURN_IF(result->capacity < batch->row_count, FLOE_EINVAL, err,
                   "result vector holds %u rows, the batch %u", result->capacity, batch->row_count);
    floe_eng_rows rows = batch_rows(batch);
    return eval_into(state->root, batch, &rows, result, err);
}

static floe_k_cmp to_kernel_cmp(floe_sql_operator op, bool flipped)
{
    switch (op) {
    case FLOE_SQL_OPERATOR_EQUAL: return FLOE_K_CMP_EQ;
    case FLOE_SQL_OPERATOR_NOT_EQUAL: return FLOE_K_CMP_NE;
    case FLOE_SQL_OPERATOR_LESS: return flipped ? FLOE_K_CMP_GT : FLOE_K_CMP_LT;
    case FLOE_SQL_OPERATOR_LESS_EQUAL: return flipped ? FLOE_K_CMP_GE : FLOE_K_CMP_LE;
    case FLOE_SQL_OPERATOR_GREATER: return flipped ? FLOE_K_CMP_LT : FLOE_K_CMP_GT;
    default: return flipped ? FLOE_K_CMP_LE : FLOE_K_CMP_GE;
    }
}

/* A flat column compared with a non-NULL constant of the same type: the SIMD filter kernels. */
static bool filter_with_kernel(floe_eng_node *node, const floe_batch *batch,
                               const floe_eng_rows *rows, uint16_t *out, uint32_t *count)
{
    const floe_sql_expression *e = node->expression;
    if (e->kind != FLOE_SQL_EXPRESSION_BINARY || e->operator_kind < FLOE_SQL_OPERATOR_EQUAL ||
        e->operator_kind > FLOE_SQL_OPERATOR_GREATER_EQUAL) {
        return false;
    }
    floe_eng_node *column = node->children[0], *constant = node->children[1];
    bool flipped = false;
    if (column->expression->kind != FLOE_SQL_EXPRESSION_COLUMN) {
        column = node->children[1];
        constant = node->children[0];
        flipped = true;
    }
    if (column->expression->kind != FLOE_SQL_EXPRESSION_COLUMN ||
        constant->expression->kind != FLOE_SQL_EXPRESSION_CONSTANT ||
        constant->expression->constant.is_null ||
        column->expression->column_index >= batch->column_count) {
        return false;
    }
    const floe_vector *v = &batch->columns[column->expression->column_index];
    const floe_sql_value *c = &constant->expression->constant;
    if (v->encoding != FLOE_VECTOR_FLAT || !floe_type_equal(v->type, c->type)) return false;
    floe_k_cmp op = to_kernel_cmp(e->operator_kind, flipped);
    switch ((floe_type_id)v->type.id) {
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_DATE:
        *count = (uint32_t)floe_k_filter_i32(out, v->data, v->validity, op, c->as.int32,
                                             rows->selection, rows->count);
        return true;
    case FLOE_TYPE_INT64:
    case FLOE_TYPE_TIMESTAMP:
    case FLOE_TYPE_TIMESTAMPTZ:
        *count = (uint32_t)floe_k_filter_i64(out, v->data, v->validity, op, c->as.int64,
                                             rows->selection, rows->count);
        return true;
    case FLOE_TYPE_DECIMAL:
        if (v->type.precision <= FLOE_DECIMAL64_MAX_PRECISION) {
            *count = (uint32_t)floe_k_filter_i64(out, v->data, v->validity, op, c->as.int64,
                                                 rows->selection, rows->count);
        } else {
            *count = (uint32_t)floe_k_filter_i128(out, v->data, v->validity, op, c->as.int128,
                                                  rows->selection, rows->count);
        }
        return true;
    case FLOE_TYPE_FLOAT32:
    case FLOE_TYPE_FLOAT64:
        /* The kernels compare as IEEE does; SQL's total order (eval_compare.c) differs only for
         * NaN, which is greater than everything: > and >= and a NaN constant take the general
         * path. */
        if (op == FLOE_K_CMP_GT || op == FLOE_K_CMP_GE ||
            (v->type.id == FLOE_TYPE_FLOAT32 ? c->as.float32 != c->as.float32
                                             : c->as.float64 != c->as.float64))
            return false;
        if (v->type.id == FLOE_TYPE_FLOAT64) {
            *count = (uint32_t)floe_k_filter_f64(out, v->data, v->validity, op, c->as.float64,
                                                 rows->selection, rows->count);
            return true;
        }
        *count = (uint32_t)floe_k_filter_f32(out, v->data, v->validity, op, c->as.float32,
                                             rows->selection, rows->count);
        return true;
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY:
        *count = (uint32_t)floe_k_filter_string(out, v->data, v->heap, v->validity, op,
                                                c->as.string.bytes, c->as.string.length,
                                                rows->selection, rows->count);
        return true;
    default: return false;
    }
}

static int predicate(floe_eng_node *node, const floe_batch *batch, const floe_eng_rows *rows,
                     uint16_t *out, uint32_t *count, floe_error *err)
{
    const floe_sql_expression *e = node->expression;
    if (e->kind == FLOE_SQL_EXPRESSION_BINARY && e->operator_kind == FLOE_SQL_OPERATOR_AND) {
        uint32_t left_count;
        FLOE_TRY(predicate(node->children[0], batch, rows, node->selection_a, &left_count, err));
        floe_eng_rows left = {node->selection_a, left_count, rows->row_count};
        return predicate(node->children[1], batch, &left, out, count, err);
    }
    if (e->kind == FLOE_SQL_EXPRESSION_BINARY && e->operator_kind == FLOE_SQL_OPERATOR_OR) {
        uint32_t a, b;
        FLOE_TRY(predicate(node->children[0], batch, rows, node->selection_a, &a, err));
        FLOE_TRY(predicate(node->children[1], batch, rows, node->selection_b, &b, err));
        *count = (uint32_t)floe_k_selection_or(out, node->selection_a, a, node->selection_b, b);
        return FLOE_OK;
    }
    if (!node->is_constant && filter_with_kernel(node, batch, rows, out, count)) return FLOE_OK;
    const floe_vector *value;
    FLOE_TRY(floe_eng_eval_child(node, batch, rows, &value, err));
    const uint8_t *truth = value->data;
    uint32_t kept = 0;
    FLOE_ENG_FOR_ROWS(rows, r, {
        out[kept] = (uint16_t)r;
        kept += floe_eng_is_valid(value, r) & (truth[r] != 0);
    });
    *count = kept;
    return FLOE_OK;
}

int floe_eng_evaluate_predicate(floe_eng_expression_state *state, const floe_batch *batch,
                                uint16_t *selection_out, uint32_t *count_out, floe_error *err)
{
    *count_out = 0;
    FLOE_RETURN_IF(state->root->expression->type.id != FLOE_TYPE_BOOLEAN, FLOE_ETYPE, err,
                   "a predicate must be BOOLEAN");
    floe_eng_rows rows = batch_rows(batch);
    return predicate(state->root, batch, &rows, selection_out, count_out, err);
}
