/*
 * delta_plan.c — the change of a plan subtree (contract and rules in engine/delta_plan.h).
 *
 * Every node is compiled at one of three versions: OLD (each scan under it reading its source's
 * `from` snapshot), NEW (the `to` snapshot) or DELTA (the change between them). The operators
 * are built with the engine/operator.h constructors directly rather than through the executor,
 * because one plan node is instantiated several times (a join's left input at DELTA in one term
 * and at OLD in the next), and each scan operator gets its version from a per-node pin
 * (floe_eng_context_pin_scan) set just before it is created: pins are read at creation only,
 * so re-pinning the node for the next instance does not disturb the ones already open.
 *
 * A DELTA over a subtree none of whose sources changed is the empty stream, and so is an OLD or
 * NEW version that cannot hold rows (every source under it without a snapshot at that version):
 * the join terms over such inputs are left out instead of being read for nothing (a rebuild,
 * every `from` -1, reads each side once).
 *
 * The terms of a join's delta are concatenated by a small operator here, which flips the
 * weights of the terms that are subtracted (the left join's OLD-right term); another one
 * consolidates the DELTA right side of OLD L JOIN DELTA R before the join builds it (see
 * "consolidation of a delta" below).
 */
#include "engine/delta_plan.h"

#include "engine/batch_store.h" /* consolidation: the delta's rows */
#include "kernels/hash.h"        /* consolidation: row hashes */
#include "kernels/memory.h"

#include <string.h>

typedef enum version { VERSION_OLD, VERSION_NEW, VERSION_DELTA } version;

typedef struct compiler {
    const floe_eng_delta_source *sources;
    uint32_t source_count;
    floe_eng_context *context;
} compiler;

/* Which share of the rows a subtree's scans read (operator.h's partitions). */
typedef struct split {
    uint32_t partition, partition_count;
} split;

static const split WHOLE = {0, 1};

bool floe_eng_delta_supported(const floe_sql_plan *plan, const char **construct)
{
    switch (plan->kind) {
    case FLOE_SQL_PLAN_SCAN:
    case FLOE_SQL_PLAN_FILTER:
    case FLOE_SQL_PLAN_PROJECT:
    case FLOE_SQL_PLAN_UNION_ALL: break;
    case FLOE_SQL_PLAN_JOIN:
        if (plan->u.join.key_count == 0) {
            *construct = "joins without an equality condition (cross products)";
            return false;
        }
        break;
    case FLOE_SQL_PLAN_AGGREGATE: *construct = "aggregates under other operators"; return false;
    case FLOE_SQL_PLAN_VALUES: *construct = "constant rows (VALUES)"; return false;
    case FLOE_SQL_PLAN_ORDER:
    case FLOE_SQL_PLAN_LIMIT: *construct = "ORDER BY / LIMIT in a subquery"; return false;
    default: *construct = "this plan node"; return false;
    }
    for (uint32_t i = 0; i < plan->input_count; i++)
        if (!floe_eng_delta_supported(plan->inputs[i], construct)) return false;
    return true;
}

static const floe_eng_delta_source *source_of(const compiler *c, const floe_sql_plan *scan)
{
    const char *identity = scan->u.scan.table.identity;
    for (uint32_t i = 0; i < c->source_count; i++)
        if (strcmp(c->sources[i].identity, identity) == 0) return &c->sources[i];
    return NULL;
}

/* FLOE_EINVAL when a scan under `plan` reads a source not in `sources`. */
static int check_sources(const compiler *c, const floe_sql_plan *plan, floe_error *err)
{
    FLOE_RETURN_IF(plan->kind == FLOE_SQL_PLAN_SCAN && source_of(c, plan) == NULL, FLOE_EINVAL,
                   err, "delta plan: source %s has no versions to compare",
                   plan->u.scan.table.identity);
    for (uint32_t i = 0; i < plan->input_count; i++)
        FLOE_TRY(check_sources(c, plan->inputs[i], err));
    return FLOE_OK;
}

/* Whether `node` at version `at` certainly yields no rows: a DELTA whose sources all stayed
 * put, or an OLD / NEW read of sources without a snapshot at that version. */
static bool is_empty(const compiler *c, const floe_sql_plan *node, version at)
{
    switch (node->kind) {
    case FLOE_SQL_PLAN_SCAN: {
        const floe_eng_delta_source *source = source_of(c, node);
        if (at == VERSION_DELTA) return source->from_snapshot_id == source->to_snapshot_id;
        return (at == VERSION_OLD ? source->from_snapshot_id : source->to_snapshot_id) == -1;
    }
    case FLOE_SQL_PLAN_JOIN:
        if (at != VERSION_DELTA) {
            bool left = is_empty(c, node->inputs[0], at);
            if (node->u.join.kind == FLOE_SQL_PLAN_JOIN_LEFT) return left;
            return left || is_empty(c, node->inputs[1], at);
        }
        break; /* a join's delta is empty when neither side changed */
    default: break;
    }
    for (uint32_t i = 0; i < node->input_count; i++)
        if (!is_empty(c, node->inputs[i], at)) return false;
    return true;
}

/* ---- the sum of a join's delta terms ------------------------------------------------------- */

typedef struct term_sum_operator {
    floe_eng_operator base;
    floe_type *types;           /* the plan node's output types, base.types */
    floe_eng_operator **terms;
    bool *negated;              /* [term] its rows count with the opposite weight */
    uint32_t term_count;
    uint32_t current;           /* the term being read; term_count at the end */
    floe_batch negated_batch;   /* a negated term's batch: its vectors, `weights` below */
    int64_t *weights;           /* FLOE_BATCH_CAPACITY */
} term_sum_operator;

static int term_sum_next(floe_eng_operator *op, floe_batch **out, floe_error *err)
{
    term_sum_operator *sum = (term_sum_operator *)op;
    while (sum->current < sum->term_count) {
        floe_batch *batch;
        FLOE_TRY(floe_eng_operator_next(sum->terms[sum->current], &batch, err));
        if (batch == NULL) {
            /* A drained join term still holds its build side: free it before the next builds. */
            floe_eng_operator_destroy(sum->terms[sum->current]);
            sum->terms[sum->current++] = NULL;
            continue;
        }
        uint32_t live = floe_batch_live_count(batch);
        if (live == 0) continue;
        if (!sum->negated[sum->current]) {
            *out = batch;
            return FLOE_OK;
        }
        /* The term's batch is not ours to change beyond its weights pointer, and the term may
         * rely on that pointer: a shallow copy carries the flipped weights instead. */
        sum->negated_batch = *batch;
        for (uint32_t i = 0; i < live; i++) {
            uint32_t row = floe_batch_live_row(batch, i);
            sum->weights[row] = -floe_batch_weight(batch, row);
        }
        sum->negated_batch.weights = sum->weights;
        *out = &sum->negated_batch;
        return FLOE_OK;
    }
    *out = NULL;
    return FLOE_OK;
}

static void term_sum_destroy(floe_eng_operator *op)
{
    term_sum_operator *sum = (term_sum_operator *)op;
    for (uint32_t i = 0; i < sum->term_count; i++) floe_eng_operator_destroy(sum->terms[i]);
    floe_free(sum->terms);
    floe_free(sum->negated);
    floe_free(sum->weights);
    floe_free(sum->types);
    floe_free(sum);
}

static const floe_eng_operator_vtable term_sum_vtable = {"delta terms", term_sum_next,
                                                         term_sum_destroy};

/* The rows of `count` terms of `node`'s shape, the negated ones with flipped weights; no terms:
 * the empty stream. The terms pass to the new operator even when this fails. */
static int term_sum_create(const floe_sql_plan *node, floe_eng_operator **terms,
                           const bool *negated, uint32_t count, floe_eng_context *context,
                           floe_eng_operator **out, floe_error *err)
{
    *out = NULL;
    term_sum_operator *sum = floe_calloc(1, sizeof *sum);
    uint32_t column_count = node->output.column_count;
    if (sum != NULL) {
        sum->types = floe_calloc(column_count ? column_count : 1, sizeof *sum->types);
        sum->terms = floe_calloc(count ? count : 1, sizeof *sum->terms);
        sum->negated = floe_calloc(count ? count : 1, sizeof *sum->negated);
        sum->weights = floe_malloc(FLOE_BATCH_CAPACITY * sizeof *sum->weights);
    }
    if (sum == NULL || sum->types == NULL || sum->terms == NULL || sum->negated == NULL ||
        sum->weights == NULL) {
        for (uint32_t i = 0; i < count; i++) floe_eng_operator_destroy(terms[i]);
        if (sum != NULL) term_sum_destroy(&sum->base);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory compiling a delta plan");
    }
    for (uint32_t i = 0; i < column_count; i++) sum->types[i] = node->output.columns[i].type;
    for (uint32_t i = 0; i < count; i++) {
        sum->terms[i] = terms[i];
        sum->negated[i] = negated[i];
    }
    sum->term_count = count;
    sum->base.vtable = &term_sum_vtable;
    sum->base.context = context;
    sum->base.column_count = column_count;
    sum->base.types = sum->types;
    for (uint32_t i = 0; i < count; i++) {
        if (terms[i]->column_count == column_count) continue;
        int status = floe_error_set(err, FLOE_EINVAL,
                                    "delta plan: a join term gives %u columns, the join %u",
                                    terms[i]->column_count, column_count);
        term_sum_destroy(&sum->base);
        return status;
    }
    *out = &sum->base;
    return FLOE_OK;
}

/* ---- consolidation of a delta -------------------------------------------------------------- */

/* A copy-on-write DELETE or UPDATE rewrites whole data files: the change reader then yields every
 * surviving row of a rewritten file twice, -1 and +1. Harmless for linear operators, but as the
 * build side of OLD L JOIN DELTA R each such pair meets every matching old left row twice (a
 * one-row DELETE in a customers file re-joined every order). So that input is consolidated first:
 * materialized, equal rows (bit for bit, NULLs equal) merged with their weights summed, the rows
 * whose weights cancel dropped. It is materialized there anyway (the join builds it). */
typedef struct consolidate_operator {
    floe_eng_operator base;
    floe_eng_operator *input;     /* NULL once drained */
    floe_type *types;             /* the input's types, base.types */
    floe_eng_batch_store store;   /* the input's rows */
    uint32_t *survivors;          /* first rows of each set of equal rows, net weight not 0 */
    int64_t *net;                 /* [stored row] net weight of its set (first rows only) */
    uint32_t survivor_count;
    uint32_t next;                /* next survivor to hand out */
    size_t reserved;              /* bytes of survivors, net and the table accounted */
    bool ready;
    floe_batch output;
} consolidate_operator;

static uint64_t row_hash(const floe_eng_batch_store *store, uint32_t row)
{
    uint64_t hash = 0;
    for (uint32_t c = 0; c < store->column_count; c++) {
        const floe_eng_stored_column *column = &store->columns[c];
        if (floe_eng_batch_store_is_null(store, c, row)) {
            hash = floe_k_hash_null(hash);
        } else if (column->width == 0) {
            uint64_t begin = column->offsets[row], end = column->offsets[row + 1];
            hash = floe_k_hash_bytes_value(column->heap + begin, (size_t)(end - begin), hash);
        } else {
            hash = floe_k_hash_bytes_value(column->values + (size_t)row * column->width,
                                           column->width, hash);
        }
    }
    return hash;
}

static bool rows_equal(const floe_eng_batch_store *store, uint32_t a, uint32_t b)
{
    for (uint32_t c = 0; c < store->column_count; c++) {
        const floe_eng_stored_column *column = &store->columns[c];
        int null_a = floe_eng_batch_store_is_null(store, c, a);
        if (null_a != floe_eng_batch_store_is_null(store, c, b)) return false;
        if (null_a) continue;
        if (column->width == 0) {
            uint64_t length = column->offsets[a + 1] - column->offsets[a];
            if (length != column->offsets[b + 1] - column->offsets[b] ||
                memcmp(column->heap + column->offsets[a], column->heap + column->offsets[b],
                       (size_t)length) != 0)
                return false;
        } else if (memcmp(column->values + (size_t)a * column->width,
                          column->values + (size_t)b * column->width, column->width) != 0) {
            return false;
        }
    }
    return true;
}

/* Drains the input and finds the surviving rows (open addressing over stored row numbers). */
static int consolidate_prepare(consolidate_operator *op, floe_error *err)
{
    op->ready = true;
    for (;;) {
        floe_batch *batch;
        FLOE_TRY(floe_eng_operator_next(op->input, &batch, err));
        if (batch == NULL) break;
        if (floe_batch_live_count(batch) > 0)
            FLOE_TRY(floe_eng_batch_store_append(&op->store, batch, err));
    }
    floe_eng_operator_destroy(op->input);
    op->input = NULL;
    uint32_t rows = op->store.row_count;
    if (rows == 0) return FLOE_OK;
    size_t slots = 16;
    while (slots < (size_t)rows * 2) slots *= 2;
    size_t bytes = slots * sizeof(uint32_t) + (size_t)rows * (sizeof(uint32_t) + sizeof(int64_t));
    FLOE_TRY(floe_eng_context_reserve(op->base.context, bytes, err));
    op->reserved = bytes;
    uint32_t *table = floe_malloc(slots * sizeof *table);
    op->survivors = floe_malloc((size_t)rows * sizeof *op->survivors);
    op->net = floe_malloc((size_t)rows * sizeof *op->net);
    if (table == NULL || op->survivors == NULL || op->net == NULL) {
        floe_free(table);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory consolidating a delta");
    }
    memset(table, 0xff, slots * sizeof *table);
    uint32_t firsts = 0;
    for (uint32_t row = 0; row < rows; row++) {
        size_t slot = (size_t)row_hash(&op->store, row) & (slots - 1);
        while (table[slot] != UINT32_MAX && !rows_equal(&op->store, table[slot], row))
            slot = (slot + 1) & (slots - 1);
        if (table[slot] == UINT32_MAX) {
            table[slot] = row;
            op->net[row] = 0;
            op->survivors[firsts++] = row;
        }
        op->net[table[slot]] += floe_eng_batch_store_weight(&op->store, row);
    }
    floe_free(table);
    for (uint32_t i = 0; i < firsts; i++)
        if (op->net[op->survivors[i]] != 0) op->survivors[op->survivor_count++] = op->survivors[i];
    return FLOE_OK;
}

static int consolidate_next(floe_eng_operator *base, floe_batch **out, floe_error *err)
{
    consolidate_operator *op = (consolidate_operator *)base;
    if (!op->ready) FLOE_TRY(consolidate_prepare(op, err));
    *out = NULL;
    if (op->next == op->survivor_count) return FLOE_OK;
    uint32_t count = op->survivor_count - op->next;
    if (count > FLOE_BATCH_CAPACITY) count = FLOE_BATCH_CAPACITY;
    const uint32_t *rows = op->survivors + op->next;
    floe_batch_reset(&op->output);
    for (uint32_t c = 0; c < op->store.column_count; c++)
        FLOE_TRY(floe_eng_batch_store_gather(&op->store, c, rows, NULL, count,
                                             &op->output.columns[c], err));
    for (uint32_t i = 0; i < count; i++) op->output.weight_storage[i] = op->net[rows[i]];
    op->output.weights = op->output.weight_storage;
    op->output.row_count = count;
    op->next += count;
    *out = &op->output;
    return FLOE_OK;
}

static void consolidate_destroy(floe_eng_operator *base)
{
    consolidate_operator *op = (consolidate_operator *)base;
    floe_eng_operator_destroy(op->input);
    floe_eng_batch_store_fini(&op->store);
    if (op->reserved != 0) floe_eng_context_release(op->base.context, op->reserved);
    floe_free(op->survivors);
    floe_free(op->net);
    if (op->output.columns != NULL) floe_batch_fini(&op->output);
    floe_free(op->types);
    floe_free(op);
}

static const floe_eng_operator_vtable consolidate_vtable = {"consolidate", consolidate_next,
                                                            consolidate_destroy};

/* `input` consolidated; it passes to the new operator even when this fails. */
static int consolidate_create(floe_eng_operator *input, floe_eng_context *context,
                              floe_eng_operator **out, floe_error *err)
{
    *out = NULL;
    consolidate_operator *op = floe_calloc(1, sizeof *op);
    if (op == NULL) {
        floe_eng_operator_destroy(input);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory consolidating a delta");
    }
    uint32_t column_count = input->column_count;
    op->base.vtable = &consolidate_vtable;
    op->base.context = context;
    op->base.column_count = column_count;
    op->input = input;
    op->types = floe_malloc((column_count ? column_count : 1) * sizeof *op->types);
    int status = FLOE_OK;
    if (op->types == NULL) {
        status = floe_error_set(err, FLOE_ENOMEM, "out of memory consolidating a delta");
    } else {
        memcpy(op->types, input->types, column_count * sizeof *op->types);
        op->base.types = op->types;
        status = floe_eng_batch_store_init(&op->store, column_count, op->types, context, err);
    }
    if (status == FLOE_OK) status = floe_batch_init(&op->output, column_count, op->types, err);
    if (status != FLOE_OK) {
        consolidate_destroy(&op->base);
        return status;
    }
    *out = &op->base;
    return FLOE_OK;
}

/* ---- compiling ----------------------------------------------------------------------------- */

static int compile(const compiler *c, const floe_sql_plan *node, version at, split share,
                   floe_eng_operator **out, floe_error *err);

static floe_eng_operator_create_fn constructor_of(floe_sql_plan_kind kind)
{
    switch (kind) {
    case FLOE_SQL_PLAN_SCAN: return floe_eng_scan_create;
    case FLOE_SQL_PLAN_FILTER: return floe_eng_filter_create;
    case FLOE_SQL_PLAN_PROJECT: return floe_eng_project_create;
    case FLOE_SQL_PLAN_JOIN: return floe_eng_join_create;
    case FLOE_SQL_PLAN_UNION_ALL: return floe_eng_union_all_create;
    default: return NULL; /* floe_eng_delta_supported refused the plan before */
    }
}

/* `node`'s operator over its inputs compiled at versions `at[i]`, reading `share` of its rows.
 * A join reads the share of its left (probe) input against its whole right (build) input: its
 * output is linear in the left input, so the shares' outputs add up to the whole. */
static int compile_over(const compiler *c, const floe_sql_plan *node, const version *at,
                        split share, floe_eng_operator **out, floe_error *err)
{
    *out = NULL;
    floe_eng_operator_create_fn create = constructor_of(node->kind);
    FLOE_RETURN_IF(create == NULL, FLOE_EUNSUPPORTED, err,
                   "delta plan: plan node kind %d has no rule", (int)node->kind);
    floe_eng_operator *inputs[2] = {NULL, NULL};
    floe_eng_operator **compiled = inputs;
    if (node->input_count > 2) {
        compiled = floe_calloc(node->input_count, sizeof *compiled);
        FLOE_RETURN_IF(compiled == NULL, FLOE_ENOMEM, err, "out of memory compiling a delta plan");
    }
    int status = FLOE_OK;
    for (uint32_t i = 0; i < node->input_count && status == FLOE_OK; i++) {
        bool build_side = node->kind == FLOE_SQL_PLAN_JOIN && i == 1;
        status = compile(c, node->inputs[i], at[i], build_side ? WHOLE : share, &compiled[i],
                         err);
    }
    /* Only the OLD L JOIN DELTA R term has a DELTA right side: the join's build side. */
    if (status == FLOE_OK && node->kind == FLOE_SQL_PLAN_JOIN && at[1] == VERSION_DELTA) {
        floe_eng_operator *delta = compiled[1];
        compiled[1] = NULL;
        status = consolidate_create(delta, c->context, &compiled[1], err);
    }
    if (status == FLOE_OK) {
        status = create(node, compiled, c->context, 0, 1, out, err);
    } else {
        for (uint32_t i = 0; i < node->input_count; i++) floe_eng_operator_destroy(compiled[i]);
    }
    if (compiled != inputs) floe_free(compiled);
    return status;
}

/* One term of a join's delta: the join over its left input at `left` and right at `right`. */
typedef struct join_term {
    version left, right;
    bool negated;
} join_term;

/* DELTA of a JOIN (delta_plan.h's rules): the terms that can hold rows, summed. */
static int compile_join_delta(const compiler *c, const floe_sql_plan *node, split share,
                              floe_eng_operator **out, floe_error *err)
{
    const floe_sql_plan *left = node->inputs[0], *right = node->inputs[1];
    bool left_changed = !is_empty(c, left, VERSION_DELTA);
    bool right_changed = !is_empty(c, right, VERSION_DELTA);
    join_term terms[3];
    uint32_t term_count = 0;
    if (node->u.join.kind == FLOE_SQL_PLAN_JOIN_LEFT) {
        /* A left row's output depends on the right side only: linear in the left input. */
        if (left_changed) terms[term_count++] = (join_term){VERSION_DELTA, VERSION_NEW, false};
        if (right_changed && !is_empty(c, left, VERSION_OLD)) {
            terms[term_count++] = (join_term){VERSION_OLD, VERSION_NEW, false};
            terms[term_count++] = (join_term){VERSION_OLD, VERSION_OLD, true};
        }
    } else {
        if (left_changed && !is_empty(c, right, VERSION_NEW))
            terms[term_count++] = (join_term){VERSION_DELTA, VERSION_NEW, false};
        if (right_changed && !is_empty(c, left, VERSION_OLD))
            terms[term_count++] = (join_term){VERSION_OLD, VERSION_DELTA, false};
    }
    floe_eng_operator *compiled[3] = {NULL, NULL, NULL};
    bool negated[3] = {false, false, false};
    for (uint32_t i = 0; i < term_count; i++) {
        version at[2] = {terms[i].left, terms[i].right};
        negated[i] = terms[i].negated;
        int status = compile_over(c, node, at, share, &compiled[i], err);
        if (status != FLOE_OK) {
            for (uint32_t k = 0; k < i; k++) floe_eng_operator_destroy(compiled[k]);
            return status;
        }
    }
    return term_sum_create(node, compiled, negated, term_count, c->context, out, err);
}

static int compile(const compiler *c, const floe_sql_plan *node, version at, split share,
                   floe_eng_operator **out, floe_error *err)
{
    *out = NULL;
    if (at == VERSION_DELTA && is_empty(c, node, VERSION_DELTA))
        return term_sum_create(node, NULL, NULL, 0, c->context, out, err);
    if (node->kind == FLOE_SQL_PLAN_SCAN) {
        const floe_eng_delta_source *source = source_of(c, node);
        int64_t snapshot_id =
            at == VERSION_OLD ? source->from_snapshot_id : source->to_snapshot_id;
        FLOE_TRY(floe_eng_context_pin_scan(c->context, node, snapshot_id, at == VERSION_DELTA,
                                           source->from_snapshot_id, err));
        return floe_eng_scan_create(node, NULL, c->context, share.partition,
                                    share.partition_count, out, err);
    }
    if (node->kind == FLOE_SQL_PLAN_JOIN && at == VERSION_DELTA)
        return compile_join_delta(c, node, share, out, err);
    /* Linear nodes map a delta directly, and every node at OLD / NEW is itself over its
     * inputs at that version. */
    version inputs_at[2] = {at, at};
    if (node->input_count <= 2) return compile_over(c, node, inputs_at, share, out, err);
    version *many = floe_malloc(node->input_count * sizeof *many);
    FLOE_RETURN_IF(many == NULL, FLOE_ENOMEM, err, "out of memory compiling a delta plan");
    for (uint32_t i = 0; i < node->input_count; i++) many[i] = at;
    int status = compile_over(c, node, many, share, out, err);
    floe_free(many);
    return status;
}

int floe_eng_delta_compile(const floe_sql_plan *plan, const floe_eng_delta_source *sources,
                           uint32_t source_count, floe_eng_context *context,
                           floe_eng_operator **out, floe_error *err)
{
    return floe_eng_delta_compile_partition(plan, sources, source_count, context, 0, 1, out, err);
}

int floe_eng_delta_compile_partition(const floe_sql_plan *plan,
                                     const floe_eng_delta_source *sources, uint32_t source_count,
                                     floe_eng_context *context, uint32_t partition,
                                     uint32_t partition_count, floe_eng_operator **out,
                                     floe_error *err)
{
    *out = NULL;
    FLOE_RETURN_IF(partition_count == 0 || partition >= partition_count, FLOE_EINVAL, err,
                   "delta plan: partition %u of %u", (unsigned)partition,
                   (unsigned)partition_count);
    const char *construct = NULL;
    FLOE_RETURN_IF(!floe_eng_delta_supported(plan, &construct), FLOE_EUNSUPPORTED, err,
                   "incremental maintenance of %s is not built yet", construct);
    compiler c = {sources, source_count, context};
    FLOE_TRY(check_sources(&c, plan, err));
    /* The table pins say what the plan reads as a whole (context->sources); each scan reads
     * the version its own pin gives. */
    for (uint32_t i = 0; i < source_count; i++)
        FLOE_TRY(floe_eng_context_pin_delta(context, sources[i].identity,
                                            sources[i].from_snapshot_id,
                                            sources[i].to_snapshot_id, err));
    split share = {partition, partition_count};
    return compile(&c, plan, VERSION_DELTA, share, out, err);
}
