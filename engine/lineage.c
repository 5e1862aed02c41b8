/*
 * lineage.c — rows of a dynamic table traced to their refresh, source snapshots and source
 * files (contract and decisions in engine/lineage.h).
 *
 * Steps: bind the table's definition (floe_eng_refresh_prepare, as a refresh would), find the
 * source snapshots the table's current state reflects, run the user's SELECT over the table to
 * get the rows (their key tuples encoded as text), then run the contributing part of the
 * definition once over every source through trace_scan leaves, adding each matching source
 * row's file to the rows whose key tuple it equals.
 */
#define _XOPEN_SOURCE 700

#include "engine/lineage.h"

#include "engine/dynamic_table_int.h"  /* floe_eng_refresh_prepare, qualify, property names */
#include "engine/expression_eval.h"    /* the scans' pushed-down filters */
#include "engine/operator.h"           /* the engine's FILTER / PROJECT / UNION ALL operators */
#include "io/iceberg_scan.h"           /* the reader that names each batch's file */
#include "kernels/memory.h"
#include "kernels/value_text.h"        /* values as text, for comparing and showing */
#include "sql/parser.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- summaries ------------------------------------------------------------------------------- */

static int64_t consumed_snapshot(const floe_ice_snapshot *snapshot, const char *identity)
{
    char key[PATH_MAX + 64];
    snprintf(key, sizeof key, "floe.source.%s.snapshot-id", identity);
    return floe_ice_snapshot_summary_int(snapshot, key, -2);
}

/* The snapshot of the current ancestry recording refresh `number` (any refresh when number is
 * -1: the newest), or NULL. */
static const floe_ice_snapshot *refresh_snapshot(const floe_ice_table_metadata *metadata,
                                                 int64_t number)
{
    const floe_ice_snapshot *snapshot = floe_ice_current_snapshot(metadata);
    for (size_t steps = 0; snapshot != NULL && steps <= metadata->snapshot_count; steps++) {
        int64_t recorded = floe_ice_snapshot_summary_int(snapshot, "floe.refresh-number", -1);
        if (recorded >= 0 && (number < 0 || recorded == number)) return snapshot;
        if (snapshot->parent_snapshot_id < 0) return NULL;
        snapshot = floe_ice_snapshot_by_id(metadata, snapshot->parent_snapshot_id);
    }
    return NULL;
}

static const char *arena_copy(floe_arena *arena, const char *text)
{
    return text != NULL ? floe_arena_strndup(arena, text, strlen(text)) : NULL;
}

static const char *arena_copy_text(floe_arena *arena, const floe_text *text)
{
    return floe_arena_strndup(arena, text->size > 0 ? text->data : "", text->size);
}

/* ---- the shape of the definition ------------------------------------------------------------- */

static bool is_linear(const floe_sql_plan *node)
{
    switch (node->kind) {
    case FLOE_SQL_PLAN_SCAN: return true;
    case FLOE_SQL_PLAN_FILTER:
    case FLOE_SQL_PLAN_PROJECT:
    case FLOE_SQL_PLAN_UNION_ALL:
        for (uint32_t i = 0; i < node->input_count; i++)
            if (!is_linear(node->inputs[i])) return false;
        return true;
    default: return false;
    }
}

static bool holds_join(const floe_sql_plan *node)
{
    if (node->kind == FLOE_SQL_PLAN_JOIN) return true;
    for (uint32_t i = 0; i < node->input_count; i++)
        if (holds_join(node->inputs[i])) return true;
    return false;
}

/* What is run over the sources and which output columns it is compared with. */
typedef struct trace_shape {
    const floe_sql_plan *pipeline;   /* NULL: not narrowed */
    const char *not_narrowed;        /* why, when pipeline is NULL */
    uint32_t *key_columns;           /* per pipeline column: the table column it must equal */
    uint32_t key_count;
} trace_shape;

static int shape_of(floe_arena *arena, const floe_sql_plan *root, trace_shape *shape,
                    floe_error *err)
{
    memset(shape, 0, sizeof *shape);
    uint32_t columns = root->output.column_count;
    if (is_linear(root)) {
        shape->pipeline = root;
        shape->key_columns = floe_arena_alloc_zero(arena, (columns + 1) * sizeof(uint32_t));
        FLOE_RETURN_IF(shape->key_columns == NULL, FLOE_ENOMEM, err, "out of memory");
        for (uint32_t j = 0; j < columns; j++) shape->key_columns[j] = j;
        shape->key_count = columns;
        return FLOE_OK;
    }
    /* map[j]: the column of `node` that table column j is, or -1 once it is computed. */
    int64_t *map = floe_arena_alloc_zero(arena, (columns + 1) * sizeof *map);
    FLOE_RETURN_IF(map == NULL, FLOE_ENOMEM, err, "out of memory");
    for (uint32_t j = 0; j < columns; j++) map[j] = j;
    const floe_sql_plan *node = root;
    while (node->kind == FLOE_SQL_PLAN_PROJECT || node->kind == FLOE_SQL_PLAN_FILTER) {
        if (node->kind == FLOE_SQL_PLAN_PROJECT) {
            for (uint32_t j = 0; j < columns; j++) {
                if (map[j] < 0) continue;
                const floe_sql_expression *expression = node->u.project.expressions[map[j]];
                map[j] = expression->kind == FLOE_SQL_EXPRESSION_COLUMN
                             ? (int64_t)expression->column_index
                             : -1;
            }
        }
        node = node->inputs[0];
    }
    if (node->kind != FLOE_SQL_PLAN_AGGREGATE || !is_linear(node->inputs[0])) {
        shape->not_narrowed = holds_join(root) ? "no row predicate is derived through a join"
                                               : "no row predicate is derived for this shape "
                                                 "of definition";
        return FLOE_OK;
    }
    uint32_t group_count = node->u.aggregate.group_count;
    floe_sql_expression **keys = floe_arena_alloc_zero(arena, (group_count + 1) * sizeof *keys);
    shape->key_columns = floe_arena_alloc_zero(arena, (group_count + 1) * sizeof(uint32_t));
    FLOE_RETURN_IF(keys == NULL || shape->key_columns == NULL, FLOE_ENOMEM, err, "out of memory");
    for (uint32_t k = 0; k < group_count; k++) {
        for (uint32_t j = 0; j < columns; j++) {
            if (map[j] != (int64_t)k) continue;
            keys[shape->key_count] = node->u.aggregate.groups[k];
            shape->key_columns[shape->key_count++] = j;
            break;
        }
    }
    if (group_count > 0 && shape->key_count == 0) {
        shape->not_narrowed = "the table shows none of its GROUP BY keys";
        return FLOE_OK;
    }
    /* The aggregate's input, projected to the keys the table shows. */
    floe_sql_plan *project = floe_sql_plan_create(arena, FLOE_SQL_PLAN_PROJECT, 1,
                                                  shape->key_count);
    FLOE_RETURN_IF(project == NULL, FLOE_ENOMEM, err, "out of memory");
    project->inputs[0] = node->inputs[0];
    project->u.project.expressions = keys;
    for (uint32_t i = 0; i < shape->key_count; i++)
        project->output.columns[i] = (floe_sql_column){"key", keys[i]->type, true};
    shape->pipeline = project;
    return FLOE_OK;
}

/* ---- the trace ------------------------------------------------------------------------------- */

typedef struct file_list {
    const char **paths;   /* arena strings; the array is floe_realloc'ed */
    size_t count, capacity;
} file_list;

typedef struct tracer {
    floe_eng_database *db;
    floe_eng_lineage *lineage;
    const floe_sql_bound_statement *bound;
    trace_shape shape;
    char **row_keys;             /* per traced row: its key tuple, encoded */
    size_t *row_key_sizes;
    struct keyed_row *rows_by_key; /* the traced rows sorted by key (trace_files) */
    file_list *files;            /* row r, source s: files[r * source_count + s] */
    /* Where the batch the pipeline handed out last came from (set by the leaf that read it). */
    const char *current_file;
    uint32_t current_source;
} tracer;

/* Appends one value so that tuples compare equal exactly when every value's text does. */
static int encode_value(floe_text *text, const floe_vector *vector, uint32_t row)
{
    if (floe_vector_is_null(vector, row)) return floe_text_append(text, "N;", 2);
    floe_text value;
    floe_text_init(&value);
    int status = floe_k_value_text_append(&value, vector, row);
    char prefix[32];
    int length = snprintf(prefix, sizeof prefix, "V%zu:", value.size);
    if (status == FLOE_OK) status = floe_text_append(text, prefix, (size_t)length);
    if (status == FLOE_OK && value.size > 0)
        status = floe_text_append(text, value.data, value.size);
    floe_text_fini(&value);
    return status;
}

static int add_file(tracer *trace, size_t row, const char *path, floe_error *err)
{
    file_list *list = &trace->files[row * trace->lineage->source_count + trace->current_source];
    for (size_t i = 0; i < list->count; i++)
        if (strcmp(list->paths[i], path) == 0) return FLOE_OK;
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? 2 * list->capacity : 8;
        const char **grown = floe_realloc(list->paths, capacity * sizeof *grown);
        FLOE_RETURN_IF(grown == NULL, FLOE_ENOMEM, err, "out of memory");
        list->paths = grown;
        list->capacity = capacity;
    }
    list->paths[list->count] = arena_copy(&trace->lineage->arena, path);
    FLOE_RETURN_IF(list->paths[list->count] == NULL, FLOE_ENOMEM, err, "out of memory");
    list->count++;
    return FLOE_OK;
}

/* A leaf of the pipeline: one source read at the snapshot the table's state reflects, its
 * pushed-down filters applied, telling the tracer which file each batch came from. (Sources
 * are Iceberg tables: a dynamic table cannot read read_parquet().) */
typedef struct trace_scan {
    floe_eng_operator base;
    tracer *trace;
    const floe_sql_plan *node;
    uint32_t source;
    floe_type *types;
    floe_eng_expression_state **filters;
    uint32_t filter_count;
    floe_ice_table *table;
    floe_ice_scan_reader *reader;    /* NULL: no rows (the source had no snapshot) */
    floe_batch batch;
    bool batch_ready;
} trace_scan;

static void trace_scan_destroy(floe_eng_operator *op)
{
    trace_scan *scan = (trace_scan *)op;
    for (uint32_t i = 0; i < scan->filter_count; i++)
        floe_eng_expression_state_free(scan->filters[i]);
    floe_free(scan->filters);
    if (scan->batch_ready) floe_batch_fini(&scan->batch);
    floe_ice_scan_reader_free(scan->reader);
    floe_ice_table_free(scan->table);
    floe_free(scan->types);
    floe_free(scan);
}

static int trace_scan_next(floe_eng_operator *op, floe_batch **out, floe_error *err)
{
    trace_scan *scan = (trace_scan *)op;
    *out = NULL;
    if (scan->reader == NULL) return FLOE_OK;
    for (;;) {
        floe_batch *batch = &scan->batch;
        FLOE_TRY(floe_ice_scan_reader_next_batch(scan->reader, batch, err));
        if (batch->row_count == 0) return FLOE_OK;
        uint32_t live = floe_batch_live_count(batch);
        for (uint32_t i = 0; i < scan->filter_count && live > 0; i++) {
            FLOE_TRY(floe_eng_evaluate_predicate(scan->filters[i], batch,
                                                 batch->selection_storage, &live, err));
            batch->selection = batch->selection_storage;
            batch->selected_count = live;
        }
        if (live == 0) continue;
        scan->trace->current_file = floe_ice_scan_reader_current_file(scan->reader);
        scan->trace->current_source = scan->source;
        *out = batch;
        return FLOE_OK;
    }
}

static const floe_eng_operator_vtable trace_scan_vtable = {"lineage scan", trace_scan_next,
                                                           trace_scan_destroy};

static long source_index(const floe_sql_bound_statement *bound, const char *identity)
{
    for (uint32_t i = 0; i < bound->source_count; i++)
        if (strcmp(bound->sources[i], identity) == 0) return (long)i;
    return -1;
}

static int open_trace_scan(trace_scan *scan, floe_eng_context *context, floe_error *err)
{
    const floe_sql_plan *node = scan->node;
    const floe_sql_table *table = &node->u.scan.table;
    uint32_t column_count = node->output.column_count;
    for (uint32_t i = 0; i < node->u.scan.filter_count; i++) {
        FLOE_TRY(floe_eng_expression_state_create(node->u.scan.filters[i], &scan->filters[i],
                                                  err));
        scan->filter_count++;
    }
    int64_t snapshot_id = scan->trace->lineage->state_sources[scan->source].snapshot_id;
    if (snapshot_id < 0) return FLOE_OK;
    const char *warehouse = table->kind == FLOE_SQL_TABLE_KIND_NAMED ? context->warehouse : NULL;
    FLOE_TRY(floe_ice_table_open(&scan->table, table->identity, warehouse, err));
    const char **names = floe_calloc(column_count + 1, sizeof *names);
    FLOE_RETURN_IF(names == NULL, FLOE_ENOMEM, err, "out of memory");
    for (uint32_t i = 0; i < column_count; i++)
        names[i] = table->columns[node->u.scan.columns[i].table_column].name;
    floe_ice_scan_reader_options options;
    memset(&options, 0, sizeof options);
    options.snapshot_id = snapshot_id;
    options.column_names = names;
    options.column_name_count = column_count;
    int status = floe_ice_scan_reader_open(&scan->reader, scan->table, &options, err);
    floe_free(names);
    FLOE_TRY(status);
    uint32_t count = 0;
    const floe_ice_scan_column *columns = floe_ice_scan_reader_columns(scan->reader, &count);
    for (uint32_t i = 0; i < column_count; i++)
        FLOE_RETURN_IF(!floe_type_equal(columns[i].type, scan->types[i]), FLOE_ETYPE, err,
                       "source %s: column %s changed type since the definition was bound",
                       table->name, columns[i].name);
    FLOE_TRY(floe_ice_scan_reader_batch_init(scan->reader, &scan->batch, err));
    scan->batch_ready = true;
    return FLOE_OK;
}

static int trace_scan_create(tracer *trace, const floe_sql_plan *node, floe_eng_context *context,
                             floe_eng_operator **out, floe_error *err)
{
    *out = NULL;
    long source = source_index(trace->bound, node->u.scan.table.identity);
    FLOE_RETURN_IF(source < 0, FLOE_ECORRUPT, err, "lineage: %s is not a source of the table",
                   node->u.scan.table.name);
    trace_scan *scan = floe_calloc(1, sizeof *scan);
    FLOE_RETURN_IF(scan == NULL, FLOE_ENOMEM, err, "out of memory");
    uint32_t column_count = node->output.column_count;
    scan->base.vtable = &trace_scan_vtable;
    scan->base.context = context;
    scan->base.column_count = column_count;
    scan->trace = trace;
    scan->node = node;
    scan->source = (uint32_t)source;
    scan->types = floe_calloc(column_count + 1, sizeof *scan->types);
    scan->filters = floe_calloc(node->u.scan.filter_count + 1, sizeof *scan->filters);
    int status = FLOE_OK;
    if (scan->types == NULL || scan->filters == NULL)
        status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    for (uint32_t i = 0; status == FLOE_OK && i < column_count; i++)
        scan->types[i] = node->output.columns[i].type;
    scan->base.types = scan->types;
    if (status == FLOE_OK) status = open_trace_scan(scan, context, err);
    if (status != FLOE_OK) {
        trace_scan_destroy(&scan->base);
        return status;
    }
    *out = &scan->base;
    return FLOE_OK;
}

/* Builds the pipeline: trace_scan leaves under the engine's linear operators. */
static int compile(tracer *trace, const floe_sql_plan *node, floe_eng_context *context,
                   floe_eng_operator **out, floe_error *err)
{
    *out = NULL;
    if (node->kind == FLOE_SQL_PLAN_SCAN) return trace_scan_create(trace, node, context, out, err);
    floe_eng_operator **inputs = floe_calloc(node->input_count + 1, sizeof *inputs);
    FLOE_RETURN_IF(inputs == NULL, FLOE_ENOMEM, err, "out of memory");
    int status = FLOE_OK;
    for (uint32_t i = 0; status == FLOE_OK && i < node->input_count; i++)
        status = compile(trace, node->inputs[i], context, &inputs[i], err);
    if (status != FLOE_OK) {
        for (uint32_t i = 0; i < node->input_count; i++) floe_eng_operator_destroy(inputs[i]);
        floe_free(inputs);
        return status;
    }
    /* The constructors own `inputs` from here on, even when they fail. */
    switch (node->kind) {
    case FLOE_SQL_PLAN_FILTER:
        status = floe_eng_filter_create(node, inputs, context, 0, 1, out, err);
        break;
    case FLOE_SQL_PLAN_PROJECT:
        status = floe_eng_project_create(node, inputs, context, 0, 1, out, err);
        break;
    default:
        status = floe_eng_union_all_create(node, inputs, context, 0, 1, out, err);
        break;
    }
    floe_free(inputs);
    return status;
}

/* A traced row's key, for finding the rows a source row matches by binary search. */
typedef struct keyed_row {
    const char *key;
    size_t size;
    size_t row;
} keyed_row;

/* Size first, then bytes: any total order does. */
static int compare_key(const keyed_row *entry, const char *key, size_t size)
{
    if (entry->size != size) return entry->size < size ? -1 : 1;
    return size > 0 ? memcmp(entry->key, key, size) : 0;
}

static int compare_keyed_rows(const void *left, const void *right)
{
    const keyed_row *a = left, *b = right;
    int order = compare_key(a, b->key, b->size);
    return order != 0 ? order : (a->row > b->row) - (a->row < b->row);
}

/* The first position in rows_by_key whose key is not below `key`. */
static size_t first_row_with_key(const tracer *trace, const char *key, size_t size)
{
    size_t low = 0, high = trace->lineage->row_count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (compare_key(&trace->rows_by_key[middle], key, size) < 0) low = middle + 1;
        else high = middle;
    }
    return low;
}

/* Runs the pipeline once over every source, adding each matching row's file. The traced rows
 * are sorted by key, so each source row costs one binary search, not a pass over the rows. */
static int trace_files(tracer *trace, floe_error *err)
{
    size_t row_total = trace->lineage->row_count;
    trace->rows_by_key = floe_calloc(row_total + 1, sizeof *trace->rows_by_key);
    FLOE_RETURN_IF(trace->rows_by_key == NULL, FLOE_ENOMEM, err, "out of memory");
    for (size_t r = 0; r < row_total; r++)
        trace->rows_by_key[r] = (keyed_row){trace->row_keys[r], trace->row_key_sizes[r], r};
    qsort(trace->rows_by_key, row_total, sizeof *trace->rows_by_key, compare_keyed_rows);

    floe_eng_context context;
    floe_eng_database_context_init(trace->db, &context);
    floe_eng_operator *root = NULL;
    int status = compile(trace, trace->shape.pipeline, &context, &root, err);
    floe_text key;
    floe_text_init(&key);
    size_t row_count = trace->lineage->row_count;
    while (status == FLOE_OK) {
        floe_batch *batch = NULL;
        status = floe_eng_operator_next(root, &batch, err);
        if (status != FLOE_OK || batch == NULL) break;
        uint32_t live = floe_batch_live_count(batch);
        for (uint32_t i = 0; status == FLOE_OK && i < live; i++) {
            uint32_t row = floe_batch_live_row(batch, i);
            floe_text_reset(&key);
            for (uint32_t c = 0; status == FLOE_OK && c < batch->column_count; c++)
                status = encode_value(&key, &batch->columns[c], row);
            if (status < 0) status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
            size_t first = first_row_with_key(trace, key.data, key.size);
            for (size_t at = first; status == FLOE_OK && at < row_count; at++) {
                if (compare_key(&trace->rows_by_key[at], key.data, key.size) != 0) break;
                status = add_file(trace, trace->rows_by_key[at].row, trace->current_file, err);
            }
        }
    }
    floe_text_fini(&key);
    floe_eng_operator_destroy(root);
    floe_eng_context_fini(&context);
    return status;
}

/* Every live data file of a source at the snapshot the state reflects (not narrowed). */
static int all_files(tracer *trace, uint32_t source, floe_error *err)
{
    const floe_sql_bound_statement *bound = trace->bound;
    const floe_eng_lineage *lineage = trace->lineage;
    const char *identity = bound->sources[source];
    int64_t snapshot_id = lineage->state_sources[source].snapshot_id;
    trace->current_source = source;
    if (snapshot_id < 0) return FLOE_OK;
    floe_ice_table *table = NULL;
    FLOE_TRY(floe_ice_table_open(&table, identity, floe_eng_database_warehouse(trace->db), err));
    floe_ice_scan_plan *plan = NULL;
    int status = floe_ice_table_plan_scan(table, snapshot_id, &plan, err);
    for (size_t i = 0; status == FLOE_OK && i < plan->task_count; i++)
        for (size_t r = 0; status == FLOE_OK && r < lineage->row_count; r++)
            status = add_file(trace, r, plan->tasks[i].data.file->file_path, err);
    floe_ice_scan_plan_free(plan);
    floe_ice_table_free(table);
    return status;
}

/* ---- the rows -------------------------------------------------------------------------------- */

typedef struct row_sink {
    tracer *trace;
    size_t capacity;
    int status;
} row_sink;

static int sink_begin(void *context, const floe_sql_schema *schema, floe_error *err)
{
    row_sink *sink = context;
    floe_eng_lineage *lineage = sink->trace->lineage;
    FLOE_RETURN_IF(schema->column_count != lineage->column_count, FLOE_ETYPE, err,
                   "%s: the query gave %u columns, the table has %u", lineage->table,
                   (unsigned)schema->column_count, (unsigned)lineage->column_count);
    return FLOE_OK;
}

static int grow_rows(row_sink *sink, floe_error *err)
{
    tracer *trace = sink->trace;
    size_t capacity = sink->capacity ? 2 * sink->capacity : 16;
    floe_eng_lineage_row *rows = floe_realloc(trace->lineage->rows, capacity * sizeof *rows);
    if (rows != NULL) trace->lineage->rows = rows;
    char **keys = floe_realloc(trace->row_keys, capacity * sizeof *keys);
    if (keys != NULL) trace->row_keys = keys;
    size_t *sizes = floe_realloc(trace->row_key_sizes, capacity * sizeof *sizes);
    if (sizes != NULL) trace->row_key_sizes = sizes;
    FLOE_RETURN_IF(rows == NULL || keys == NULL || sizes == NULL, FLOE_ENOMEM, err,
                   "out of memory");
    sink->capacity = capacity;
    return FLOE_OK;
}

static int sink_row(row_sink *sink, const floe_batch *batch, uint32_t row, floe_text *text,
                    floe_error *err)
{
    tracer *trace = sink->trace;
    floe_eng_lineage *lineage = trace->lineage;
    floe_arena *arena = &lineage->arena;
    if (lineage->row_count == sink->capacity) FLOE_TRY(grow_rows(sink, err));
    size_t index = lineage->row_count;
    floe_eng_lineage_row *out = &lineage->rows[index];
    memset(out, 0, sizeof *out);
    trace->row_keys[index] = NULL;
    trace->row_key_sizes[index] = 0;
    lineage->row_count++;
    out->values = floe_arena_alloc_zero(arena, lineage->column_count * sizeof *out->values);
    FLOE_RETURN_IF(out->values == NULL, FLOE_ENOMEM, err, "out of memory");
    int status = FLOE_OK;
    for (uint32_t c = 0; status == FLOE_OK && c < lineage->column_count; c++) {
        const floe_vector *vector = &batch->columns[c];
        if (!floe_vector_is_null(vector, row)) {
            floe_text_reset(text);
            status = floe_k_value_text_append(text, vector, row);
            if (status == FLOE_OK) {
                out->values[c].text = arena_copy_text(arena, text);
                if (out->values[c].text == NULL) status = FLOE_ENOMEM;
            }
        }
        floe_text_reset(text);
        if (status == FLOE_OK) status = floe_k_json_value_append(text, vector, row);
        if (status == FLOE_OK) {
            out->values[c].json = arena_copy_text(arena, text);
            if (out->values[c].json == NULL) status = FLOE_ENOMEM;
        }
    }
    FLOE_RETURN_IF(status < 0, FLOE_ENOMEM, err, "out of memory");
    const floe_vector *refresh = &batch->columns[lineage->column_count - 1];
    out->refresh_number = floe_vector_is_null(refresh, row) ? -1
                                                            : ((const int64_t *)refresh->data)[row];
    if (trace->shape.pipeline == NULL) return FLOE_OK;
    floe_text_reset(text);
    for (uint32_t k = 0; status == FLOE_OK && k < trace->shape.key_count; k++)
        status = encode_value(text, &batch->columns[trace->shape.key_columns[k]], row);
    FLOE_RETURN_IF(status < 0, FLOE_ENOMEM, err, "out of memory");
    trace->row_keys[index] = floe_malloc(text->size + 1);
    FLOE_RETURN_IF(trace->row_keys[index] == NULL, FLOE_ENOMEM, err, "out of memory");
    if (text->size > 0) memcpy(trace->row_keys[index], text->data, text->size);
    trace->row_key_sizes[index] = text->size;
    return FLOE_OK;
}

static int sink_rows(void *context, const floe_batch *batch, floe_error *err)
{
    row_sink *sink = context;
    floe_text text;
    floe_text_init(&text);
    int status = FLOE_OK;
    uint32_t live = floe_batch_live_count(batch);
    for (uint32_t i = 0; status == FLOE_OK && i < live; i++)
        status = sink_row(sink, batch, floe_batch_live_row(batch, i), &text, err);
    floe_text_fini(&text);
    return status;
}

/* "line 2, column C: ..." of the composed query is column C of `where`. */
static int where_error(floe_error *err, int status, unsigned where_line)
{
    if (err == NULL) return status;
    unsigned line = 0, column = 0;
    int consumed = 0;
    if (sscanf(err->message, "line %u, column %u: %n", &line, &column, &consumed) != 2 ||
        consumed == 0 || line < where_line)
        return status;
    char rest[FLOE_ERROR_MESSAGE_SIZE];
    snprintf(rest, sizeof rest, "%s", err->message + consumed);
    if (line == where_line)
        return floe_error_set(err, status, "--where column %u: %s", column, rest);
    return floe_error_set(err, status, "--where line %u, column %u: %s",
                          line - where_line + 1, column, rest);
}

static int select_rows(tracer *trace, const char *where, int64_t limit, floe_error *err)
{
    floe_eng_lineage *lineage = trace->lineage;
    size_t size = strlen(lineage->table) + (where != NULL ? strlen(where) : 0) + 96;
    char *sql = floe_malloc(size);
    FLOE_RETURN_IF(sql == NULL, FLOE_ENOMEM, err, "out of memory");
    /* `where` on a line of its own, so the parser's positions in it are its own columns. */
    if (where != NULL)
        snprintf(sql, size, "SELECT * FROM %s WHERE\n%s\nLIMIT %" PRId64, lineage->table, where,
                 limit);
    else
        snprintf(sql, size, "SELECT * FROM %s LIMIT %" PRId64, lineage->table, limit);
    floe_sql_script *script = NULL;
    floe_arena arena;
    floe_arena_init(&arena, 0, 0);
    floe_sql_bound_statement bound;
    int status = floe_sql_parse_statement(sql, strlen(sql), &script, err);
    if (status == FLOE_OK && script->statements[0]->kind != FLOE_SQL_STATEMENT_SELECT)
        status = floe_error_set(err, FLOE_ESYNTAX, "--where: not an expression");
    if (status == FLOE_OK) {
        floe_sql_catalog catalog;
        floe_eng_database_catalog(trace->db, &catalog);
        status = floe_sql_plan_statement(&catalog, script->statements[0], &arena, &bound, err);
    }
    if (status < 0) status = where_error(err, status, 2);
    floe_eng_context context;
    floe_eng_database_context_init(trace->db, &context);
    if (status == FLOE_OK)
        status = floe_eng_context_pin(&context, lineage->table, lineage->table_snapshot_id, err);
    row_sink sink = {.trace = trace};
    if (status == FLOE_OK) {
        floe_eng_output output = {.context = &sink, .begin_rows = sink_begin, .rows = sink_rows};
        status = floe_eng_run_plan(trace->db, bound.plan, &context, &output, err);
    }
    floe_eng_context_fini(&context);
    floe_arena_fini(&arena);
    floe_sql_script_free(script);
    floe_free(sql);
    return status;
}

/* ---- refreshes ------------------------------------------------------------------------------- */

static int describe_refresh(tracer *trace, const floe_ice_table *table, floe_eng_lineage_row *row,
                            floe_error *err)
{
    floe_eng_lineage *lineage = trace->lineage;
    floe_arena *arena = &lineage->arena;
    floe_eng_lineage_refresh *refresh = &row->refresh;
    refresh->number = row->refresh_number;
    refresh->rows_read = refresh->files_read = refresh->duration_ms = -1;
    const floe_ice_snapshot *snapshot =
        row->refresh_number >= 0 ? refresh_snapshot(table->metadata, row->refresh_number) : NULL;
    row->sources = floe_arena_alloc_zero(arena, (lineage->source_count + 1) * sizeof *row->sources);
    FLOE_RETURN_IF(row->sources == NULL, FLOE_ENOMEM, err, "out of memory");
    if (snapshot != NULL) {
        refresh->found = true;
        refresh->snapshot_id = snapshot->snapshot_id;
        refresh->committed_ms = snapshot->timestamp_ms;
        refresh->mode = arena_copy(arena, floe_ice_snapshot_summary(snapshot, "floe.refresh-mode"));
        refresh->reason = arena_copy(arena, floe_ice_snapshot_summary(snapshot, "floe.refresh-reason"));
        refresh->rows_read = floe_ice_snapshot_summary_int(snapshot, "floe.rows-read", -1);
        refresh->files_read = floe_ice_snapshot_summary_int(snapshot, "floe.files-read", -1);
        refresh->duration_ms = floe_ice_snapshot_summary_int(snapshot, "floe.duration-ms", -1);
    }
    for (uint32_t s = 0; s < lineage->source_count; s++) {
        floe_eng_lineage_source *source = &row->sources[s];
        source->identity = lineage->state_sources[s].identity;
        source->consumed_snapshot_id =
            snapshot != NULL ? consumed_snapshot(snapshot, source->identity) : -2;
        source->narrowed = trace->shape.pipeline != NULL;
        source->not_narrowed_reason = trace->shape.not_narrowed;
    }
    return FLOE_OK;
}

static int compare_paths(const void *left, const void *right)
{
    return strcmp(*(const char *const *)left, *(const char *const *)right);
}

/* Moves the collected file lists into the rows (sorted, arena-owned). */
static int finish_files(tracer *trace, floe_error *err)
{
    floe_eng_lineage *lineage = trace->lineage;
    for (size_t r = 0; r < lineage->row_count; r++) {
        for (uint32_t s = 0; s < lineage->source_count; s++) {
            file_list *list = &trace->files[r * lineage->source_count + s];
            floe_eng_lineage_source *source = &lineage->rows[r].sources[s];
            source->files = floe_arena_alloc_zero(&lineage->arena,
                                                  (list->count + 1) * sizeof *source->files);
            FLOE_RETURN_IF(source->files == NULL, FLOE_ENOMEM, err, "out of memory");
            if (list->count > 0) memcpy(source->files, list->paths, list->count * sizeof(char *));
            qsort(source->files, list->count, sizeof *source->files, compare_paths);
            source->file_count = list->count;
        }
    }
    return FLOE_OK;
}

/* ---- entry ----------------------------------------------------------------------------------- */

static void tracer_fini(tracer *trace)
{
    size_t rows = trace->lineage != NULL ? trace->lineage->row_count : 0;
    size_t sources = trace->lineage != NULL ? trace->lineage->source_count : 0;
    if (trace->files != NULL)
        for (size_t i = 0; i < rows * sources; i++) floe_free(trace->files[i].paths);
    floe_free(trace->files);
    if (trace->row_keys != NULL)
        for (size_t r = 0; r < rows; r++) floe_free(trace->row_keys[r]);
    floe_free(trace->row_keys);
    floe_free(trace->row_key_sizes);
    floe_free(trace->rows_by_key);
}

void floe_eng_lineage_free(floe_eng_lineage *lineage)
{
    if (lineage == NULL) return;
    floe_free(lineage->rows);
    floe_arena_fini(&lineage->arena);
    floe_free(lineage);
}

/* Fills the lineage's table description and state sources from the prepared definition. */
static int describe_table(floe_eng_lineage *lineage, const floe_ice_table *table,
                          const floe_eng_refresh_plan *plan, floe_error *err)
{
    floe_arena *arena = &lineage->arena;
    const floe_ice_schema *schema = floe_ice_current_schema(table->metadata);
    lineage->table_snapshot_id = table->metadata->current_snapshot_id;
    lineage->column_count = (uint32_t)schema->field_count;
    lineage->column_names =
        floe_arena_alloc_zero(arena, (schema->field_count + 1) * sizeof(char *));
    FLOE_RETURN_IF(lineage->column_names == NULL, FLOE_ENOMEM, err, "out of memory");
    for (size_t i = 0; i < schema->field_count; i++) {
        lineage->column_names[i] = arena_copy(arena, schema->fields[i].name);
        FLOE_RETURN_IF(lineage->column_names[i] == NULL, FLOE_ENOMEM, err, "out of memory");
    }
    const floe_sql_bound_statement *bound = &plan->bound;
    lineage->source_count = bound->source_count;
    lineage->state_sources =
        floe_arena_alloc_zero(arena, (bound->source_count + 1) * sizeof *lineage->state_sources);
    FLOE_RETURN_IF(lineage->state_sources == NULL, FLOE_ENOMEM, err, "out of memory");
    const floe_ice_snapshot *newest = refresh_snapshot(table->metadata, -1);
    for (uint32_t s = 0; s < bound->source_count; s++) {
        floe_eng_lineage_state_source *source = &lineage->state_sources[s];
        source->identity = arena_copy(arena, bound->sources[s]);
        FLOE_RETURN_IF(source->identity == NULL, FLOE_ENOMEM, err, "out of memory");
        source->snapshot_id = newest != NULL ? consumed_snapshot(newest, bound->sources[s]) : -2;
        if (source->snapshot_id == -2) {
            source->snapshot_id = plan->current_ids[s];
            source->files_at_current = true;
        }
    }
    return FLOE_OK;
}

int floe_eng_lineage_trace(floe_eng_database *db, const char *name, const char *where,
                           int64_t limit, floe_eng_lineage **out, floe_error *err)
{
    *out = NULL;
    FLOE_RETURN_IF(db == NULL || name == NULL || limit < 0, FLOE_EINVAL, err,
                   "floe_eng_lineage_trace: bad argument");
    char qualified[FLOE_ENG_TABLE_NAME_SIZE];
    FLOE_TRY(floe_eng_dynamic_qualify(name, qualified, err));
    floe_ice_table *table = NULL;
    FLOE_TRY(floe_ice_table_open(&table, qualified, floe_eng_database_warehouse(db), err));
    if (floe_ice_property_get(table->metadata, FLOE_ENG_PROPERTY_SQL) == NULL) {
        floe_ice_table_free(table);
        return floe_error_set(err, FLOE_ENOTFOUND, "%s is not a dynamic table", qualified);
    }
    floe_eng_lineage *lineage = floe_calloc(1, sizeof *lineage);
    if (lineage == NULL) {
        floe_ice_table_free(table);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    floe_arena_init(&lineage->arena, 0, 0);
    lineage->table = arena_copy(&lineage->arena, qualified);
    tracer trace = {.db = db, .lineage = lineage};
    floe_eng_refresh_plan plan;
    int status = floe_eng_refresh_prepare(db, qualified, table, false, &plan, err);
    trace.bound = &plan.bound;
    if (status == FLOE_OK && lineage->table == NULL)
        status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    if (status == FLOE_OK) status = describe_table(lineage, table, &plan, err);
    if (status == FLOE_OK) status = shape_of(&lineage->arena, plan.bound.plan, &trace.shape, err);
    if (status == FLOE_OK) status = select_rows(&trace, where, limit, err);
    for (size_t r = 0; status == FLOE_OK && r < lineage->row_count; r++)
        status = describe_refresh(&trace, table, &lineage->rows[r], err);
    if (status == FLOE_OK && lineage->row_count > 0) {
        trace.files = floe_calloc(lineage->row_count * lineage->source_count + 1,
                                  sizeof *trace.files);
        if (trace.files == NULL) status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    if (status == FLOE_OK && lineage->row_count > 0) {
        if (trace.shape.pipeline != NULL) {
            status = trace_files(&trace, err);
        } else {
            for (uint32_t s = 0; status == FLOE_OK && s < lineage->source_count; s++)
                status = all_files(&trace, s, err);
        }
    }
    if (status == FLOE_OK && lineage->row_count > 0) status = finish_files(&trace, err);
    tracer_fini(&trace);
    floe_eng_refresh_plan_fini(&plan); /* also after a failed prepare: it frees what it took */
    floe_ice_table_free(table);
    if (status < 0) {
        floe_eng_lineage_free(lineage);
        if (err != NULL && strncmp(err->message, qualified, strlen(qualified)) != 0)
            floe_error_prefix(err, "%s", qualified);
        return status;
    }
    *out = lineage;
    return FLOE_OK;
}
