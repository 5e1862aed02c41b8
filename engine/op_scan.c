/*
 * op_scan.c — the SCAN operator: a table's rows as batches, the scan's pushed-down filters
 * applied exactly (contract in engine/operator.h).
 *
 * Sources (floe_sql_table_kind):
 *   NAMED / PATH  an Iceberg table, opened by name in the context's warehouse or by directory,
 *                 read at the snapshot pinned in the context (pinned here, at creation, when the
 *                 query has not pinned that table yet, so every scan of one table in a query
 *                 reads one snapshot) with io/iceberg_scan.h, deletes applied;
 *   PARQUET       one Parquet file (read_parquet), read with io/parquet_reader.h.
 *
 * Versions: a scan node the context pins on its own (floe_eng_context_pin_scan: a delta plan
 * reading one table at several versions) reads that; any other reads its table's pin.
 *
 * Deltas: a table the context pins as a delta (floe_eng_context_pin_delta) is read in the
 * reader's change mode: its batches hold the change from the pin's `from` to its snapshot, with
 * batch->weights (+1 inserted, -1 retracted) set by the reader and handed out as they are; the
 * filters only refine the selection, so the weights stay aligned with the rows. An expired
 * `from` is the reader's FLOE_ENOTFOUND, raised when the scan is created.
 *
 * Pruning: the plan's `checks` become floe_ice_predicates. The Iceberg reader drops data files
 * by partition values and column bounds and row groups by their statistics; a Parquet file
 * drops row groups by statistics. Pruning only skips what cannot match: the `filters` are still
 * evaluated over every batch read, refining the selection the reader's deletes left.
 *
 * Parallel partitions: an Iceberg scan reads the data files whose index in the snapshot's file
 * list is `partition` modulo `partition_count` (io/iceberg_scan.h). A Parquet file is a single
 * file, so it is split the same way by row groups (group g belongs to partition g mod n):
 * otherwise a parallel aggregation over read_parquet would run on one thread.
 *
 * Batches are the reader's own: vectors are views into the reader's buffers, valid until the
 * next call, which is exactly the operator contract, so nothing is copied. Batches whose rows
 * the filters all drop are not handed out. A scan of no columns (COUNT(*)) hands out batches of
 * row counts only; over a Parquet file they come from the footer, without decoding a column.
 *
 * Counters (context): files_read and bytes_read (the file's size) when a data file is opened
 * (for a delta: only the changed files the reader opens), files_pruned when pruning rules a
 * whole file out, rows_read as rows are decoded. A Parquet
 * file is counted once, by partition 0: as read, or as pruned when statistics rule out every
 * row group.
 *
 * Types: output vectors have the plan's types. A table whose column changed type or field id
 * since the query was bound is refused (FLOE_ETYPE naming the column) rather than read as
 * something the plan does not expect.
 */
#include "engine/operator.h"

#include "engine/expression_eval.h" /* filters */
#include "engine/refresh_incremental.h" /* FLOE_ENG_SUMMARY_CHANGELOG: delta pins read changelogs */
#include "io/iceberg_scan.h"        /* floe_ice_scan_reader, floe_ice_predicate */
#include "io/iceberg_table.h"       /* floe_ice_table_open */
#include "io/parquet_footer.h"      /* row group sizes for a scan of no columns */
#include "io/parquet_reader.h"
#include "kernels/memory.h"

#include <stdbool.h>
#include <string.h>

typedef struct scan_operator {
    floe_eng_operator base;
    const floe_sql_plan *node;
    floe_type *types;                       /* output types, base.types */
    floe_batch batch;                       /* what next hands out */
    floe_eng_expression_state **filters;    /* one per pushed-down conjunct */
    uint32_t filter_count;
    /* pruning: checks as predicates; for Parquet, the output column each one tests */
    floe_ice_predicate *predicates;
    uint32_t *predicate_columns;
    uint32_t predicate_count;
    bool done;

    /* Iceberg */
    floe_ice_table *table;
    floe_ice_scan_reader *reader;           /* NULL when the snapshot has no rows to read */
    floe_ice_scan_reader_stats counted;     /* reader counters already added to the context */

    /* Parquet */
    floe_pq_reader *parquet;                /* NULL for a scan of no columns */
    floe_pq_file_metadata *footer;          /* a scan of no columns: row group sizes */
    uint32_t *row_groups;                   /* this partition's row groups to read */
    uint32_t row_group_count;
    uint32_t row_group_next;                /* no columns: next row group to count */
    int64_t rows_left;                      /* no columns: rows of the current row group */
} scan_operator;

static void scan_destroy(floe_eng_operator *op)
{
    scan_operator *scan = (scan_operator *)op;
    for (uint32_t i = 0; i < scan->filter_count; i++)
        floe_eng_expression_state_free(scan->filters[i]);
    floe_free(scan->filters);
    if (scan->batch.columns != NULL) floe_batch_fini(&scan->batch);
    floe_ice_scan_reader_free(scan->reader);
    floe_ice_table_free(scan->table);
    floe_pq_reader_free(scan->parquet);
    floe_pq_file_metadata_free(scan->footer);
    floe_free(scan->row_groups);
    floe_free(scan->predicates);
    floe_free(scan->predicate_columns);
    floe_free(scan->types);
    floe_free(scan);
}

/* Keeps the live rows where every filter is TRUE; *live receives how many remain. */
static int apply_filters(scan_operator *scan, uint32_t *live, floe_error *err)
{
    floe_batch *batch = &scan->batch;
    *live = floe_batch_live_count(batch);
    for (uint32_t i = 0; i < scan->filter_count && *live > 0; i++) {
        FLOE_TRY(floe_eng_evaluate_predicate(scan->filters[i], batch, batch->selection_storage,
                                             live, err));
        batch->selection = batch->selection_storage;
        batch->selected_count = *live;
    }
    return FLOE_OK;
}

/* Adds what the Iceberg reader read since the last call to the context's counters. */
static void count_reader(scan_operator *scan)
{
    const floe_ice_scan_reader_stats *now = floe_ice_scan_reader_stats_get(scan->reader);
    floe_eng_context *context = scan->base.context;
    atomic_fetch_add(&context->files_read,
                     now->data_files_read - scan->counted.data_files_read +
                         now->changelog_files_read - scan->counted.changelog_files_read);
    atomic_fetch_add(&context->bytes_read, now->data_bytes_read - scan->counted.data_bytes_read);
    atomic_fetch_add(&context->rows_read, now->rows_read - scan->counted.rows_read);
    scan->counted = *now;
}

static int iceberg_next(floe_eng_operator *op, floe_batch **out, floe_error *err)
{
    scan_operator *scan = (scan_operator *)op;
    while (!scan->done) {
        int status = floe_ice_scan_reader_next_batch(scan->reader, &scan->batch, err);
        count_reader(scan);
        FLOE_TRY(status);
        if (scan->batch.row_count == 0) {
            scan->done = true;
            break;
        }
        uint32_t live;
        FLOE_TRY(apply_filters(scan, &live, err));
        if (live > 0) {
            *out = &scan->batch;
            return FLOE_OK;
        }
    }
    *out = NULL;
    return FLOE_OK;
}

static int parquet_next(floe_eng_operator *op, floe_batch **out, floe_error *err)
{
    scan_operator *scan = (scan_operator *)op;
    while (!scan->done) {
        FLOE_TRY(floe_pq_reader_next_batch(scan->parquet, &scan->batch, err));
        atomic_fetch_add(&scan->base.context->rows_read, (int_fast64_t)scan->batch.row_count);
        if (scan->batch.row_count == 0) {
            scan->done = true;
            break;
        }
        uint32_t live;
        FLOE_TRY(apply_filters(scan, &live, err));
        if (live > 0) {
            *out = &scan->batch;
            return FLOE_OK;
        }
    }
    *out = NULL;
    return FLOE_OK;
}

/* A Parquet scan of no columns: batches of row counts, row group by row group. */
static int parquet_count_next(floe_eng_operator *op, floe_batch **out, floe_error *err)
{
    scan_operator *scan = (scan_operator *)op;
    while (!scan->done) {
        while (scan->rows_left == 0 && scan->row_group_next < scan->row_group_count) {
            uint32_t group = scan->row_groups[scan->row_group_next++];
            scan->rows_left = scan->footer->row_groups[group].num_rows;
        }
        if (scan->rows_left <= 0) {
            scan->done = true;
            break;
        }
        uint32_t rows = scan->rows_left < FLOE_BATCH_CAPACITY ? (uint32_t)scan->rows_left
                                                              : FLOE_BATCH_CAPACITY;
        scan->rows_left -= rows;
        floe_batch_reset(&scan->batch);
        scan->batch.row_count = rows;
        atomic_fetch_add(&scan->base.context->rows_read, (int_fast64_t)rows);
        uint32_t live;
        FLOE_TRY(apply_filters(scan, &live, err));
        if (live > 0) {
            *out = &scan->batch;
            return FLOE_OK;
        }
    }
    *out = NULL;
    return FLOE_OK;
}

/* A scan whose table has no snapshot, or none of whose files this partition reads. */
static int empty_next(floe_eng_operator *op, floe_batch **out, floe_error *err)
{
    (void)op;
    (void)err;
    *out = NULL;
    return FLOE_OK;
}

static const floe_eng_operator_vtable iceberg_vtable = {"scan", iceberg_next, scan_destroy};
static const floe_eng_operator_vtable parquet_vtable = {"scan", parquet_next, scan_destroy};
static const floe_eng_operator_vtable parquet_count_vtable = {"scan", parquet_count_next,
                                                              scan_destroy};
static const floe_eng_operator_vtable empty_vtable = {"scan", empty_next, scan_destroy};

/* ---- creation ------------------------------------------------------------------------------ */

static const char *column_name(const floe_sql_plan *node, uint32_t column)
{
    return node->u.scan.table.columns[node->u.scan.columns[column].table_column].name;
}

/* The plan's constant as the Iceberg value of the same type. */
static floe_ice_value ice_value(const floe_sql_value *value)
{
    floe_ice_value out;
    memset(&out, 0, sizeof out);
    switch (value->type.id) {
    case FLOE_TYPE_BOOLEAN: out.as.boolean = value->as.boolean; break;
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_DATE: out.as.i32 = value->as.int32; break;
    case FLOE_TYPE_FLOAT32: out.as.f32 = value->as.float32; break;
    case FLOE_TYPE_FLOAT64: out.as.f64 = value->as.float64; break;
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY:
        out.as.bytes = (floe_ice_bytes){(const uint8_t *)value->as.string.bytes,
                                        value->as.string.length};
        break;
    case FLOE_TYPE_DECIMAL:
        if (floe_type_width(value->type) == 16) out.as.i128 = value->as.int128;
        else out.as.i64 = value->as.int64;
        break;
    default: out.as.i64 = value->as.int64; break; /* INT64, TIMESTAMP, TIMESTAMPTZ */
    }
    return out;
}

/* The checks a reader can prune with. `<>` prunes nothing and is left out, as is a check whose
 * constant is not of its column's type (the planner promises it is; pruning must never guess). */
static int build_predicates(scan_operator *scan, floe_error *err)
{
    const floe_sql_plan *node = scan->node;
    uint32_t count = node->u.scan.check_count;
    if (count == 0) return FLOE_OK;
    scan->predicates = floe_calloc(count, sizeof *scan->predicates);
    scan->predicate_columns = floe_calloc(count, sizeof *scan->predicate_columns);
    FLOE_RETURN_IF(scan->predicates == NULL || scan->predicate_columns == NULL, FLOE_ENOMEM, err,
                   "out of memory planning the scan of %s", node->u.scan.table.name);
    for (uint32_t i = 0; i < count; i++) {
        const floe_sql_scan_check *check = &node->u.scan.checks[i];
        if (check->column >= node->output.column_count) continue;
        floe_ice_predicate predicate;
        memset(&predicate, 0, sizeof predicate);
        predicate.field_id = node->u.scan.columns[check->column].field_id;
        if (predicate.field_id < 0 && node->u.scan.table.kind != FLOE_SQL_TABLE_KIND_PARQUET)
            continue; /* an Iceberg column the plan knows no field id of: nothing to match */
        if (check->kind == FLOE_SQL_CHECK_IS_NULL) {
            predicate.op = FLOE_ICE_PREDICATE_IS_NULL;
        } else if (check->kind == FLOE_SQL_CHECK_IS_NOT_NULL) {
            predicate.op = FLOE_ICE_PREDICATE_NOT_NULL;
        } else {
            if (check->value.is_null ||
                !floe_type_equal(check->value.type, node->output.columns[check->column].type))
                continue;
            switch (check->op) {
            case FLOE_SQL_OPERATOR_EQUAL: predicate.op = FLOE_ICE_PREDICATE_EQ; break;
            case FLOE_SQL_OPERATOR_LESS: predicate.op = FLOE_ICE_PREDICATE_LT; break;
            case FLOE_SQL_OPERATOR_LESS_EQUAL: predicate.op = FLOE_ICE_PREDICATE_LE; break;
            case FLOE_SQL_OPERATOR_GREATER: predicate.op = FLOE_ICE_PREDICATE_GT; break;
            case FLOE_SQL_OPERATOR_GREATER_EQUAL: predicate.op = FLOE_ICE_PREDICATE_GE; break;
            default: continue;
            }
            predicate.literal = ice_value(&check->value);
        }
        scan->predicates[scan->predicate_count] = predicate;
        scan->predicate_columns[scan->predicate_count++] = check->column;
    }
    return FLOE_OK;
}

static int open_iceberg(scan_operator *scan, uint32_t partition, uint32_t partition_count,
                        floe_error *err)
{
    const floe_sql_plan *node = scan->node;
    const floe_sql_table *table = &node->u.scan.table;
    floe_eng_context *context = scan->base.context;
    const char *warehouse = table->kind == FLOE_SQL_TABLE_KIND_NAMED ? context->warehouse : NULL;
    FLOE_TRY(floe_ice_table_open(&scan->table, table->identity, warehouse, err));
    int64_t snapshot_id, from_snapshot_id;
    bool delta;
    const floe_eng_scan_pin *override = floe_eng_context_scan_pin(context, node);
    if (override != NULL) {
        snapshot_id = override->snapshot_id;
        delta = override->delta;
        from_snapshot_id = override->from_snapshot_id;
    } else {
        if (!floe_eng_context_pinned(context, table->identity, &snapshot_id)) {
            snapshot_id = scan->table->metadata->current_snapshot_id;
            FLOE_TRY(floe_eng_context_pin(context, table->identity, snapshot_id, err));
        }
        const floe_eng_source_snapshot *source =
            floe_eng_context_source(context, table->identity);
        delta = source->delta;
        from_snapshot_id = source->from_snapshot_id;
    }
    if (snapshot_id == -1) {
        /* No snapshot when the query started: no rows (and no change), even if one was
         * committed since. */
        scan->base.vtable = &empty_vtable;
        return FLOE_OK;
    }

    uint32_t column_count = node->output.column_count;
    const char **names = floe_calloc(column_count ? column_count : 1, sizeof *names);
    FLOE_RETURN_IF(names == NULL, FLOE_ENOMEM, err, "out of memory opening %s", table->name);
    for (uint32_t i = 0; i < column_count; i++) names[i] = column_name(node, i);
    floe_ice_scan_reader_options options;
    memset(&options, 0, sizeof options);
    options.snapshot_id = snapshot_id;
    options.column_names = names;
    options.column_name_count = column_count;
    options.predicates = scan->predicates;
    options.predicate_count = scan->predicate_count;
    options.partition = partition;
    options.partition_count = partition_count;
    options.changes = delta;
    options.from_snapshot_id = from_snapshot_id;
    options.changelog_summary_key = delta ? FLOE_ENG_SUMMARY_CHANGELOG : NULL;
    int status = floe_ice_scan_reader_open(&scan->reader, scan->table, &options, err);
    floe_free(names);
    FLOE_TRY(status);
    atomic_fetch_add(&context->files_pruned,
                     floe_ice_scan_reader_stats_get(scan->reader)->data_files_pruned);

    uint32_t count = 0;
    const floe_ice_scan_column *columns = floe_ice_scan_reader_columns(scan->reader, &count);
    for (uint32_t i = 0; i < column_count; i++) {
        int32_t field_id = node->u.scan.columns[i].field_id;
        if (floe_type_equal(columns[i].type, scan->types[i]) &&
            (field_id < 0 || field_id == columns[i].field_id))
            continue;
        char now[64], planned[64];
        return floe_error_set(err, FLOE_ETYPE,
                              "table %s changed since the query was planned: column %s is %s "
                              "(field id %d), the plan expects %s (field id %d)",
                              table->name, columns[i].name,
                              floe_type_format(columns[i].type, now, sizeof now),
                              (int)columns[i].field_id,
                              floe_type_format(scan->types[i], planned, sizeof planned),
                              (int)field_id);
    }
    if (!delta) {
        /* total-records is optional in a summary (spec, "Snapshot Summary"): without it the
         * estimate stays unknown. Predicates may prune: an overestimate, as documented. */
        int64_t records = floe_ice_snapshot_summary_int(
            floe_ice_snapshot_by_id(scan->table->metadata, snapshot_id), "total-records", 0);
        uint32_t partitions = partition_count > 1 ? partition_count : 1;
        if (records > 0) scan->base.rows_expected = ((uint64_t)records + partitions - 1) / partitions;
    }
    scan->base.vtable = &iceberg_vtable;
    return floe_ice_scan_reader_batch_init(scan->reader, &scan->batch, err);
}

/* Whether row group `group` may hold rows passing the checks (statistics of output columns). */
static int parquet_group_may_match(const scan_operator *scan, uint32_t group, int64_t rows,
                                   int *may_match, floe_error *err)
{
    *may_match = 1;
    for (uint32_t p = 0; p < scan->predicate_count && *may_match; p++) {
        uint32_t column = scan->predicate_columns[p];
        floe_pq_column_statistics statistics;
        FLOE_TRY(floe_pq_reader_statistics(scan->parquet, group, column, &statistics, err));
        *may_match = floe_ice_row_group_may_match(&statistics, rows, scan->types[column],
                                                  scan->types[column], &scan->predicates[p]);
    }
    return FLOE_OK;
}

static int open_parquet(scan_operator *scan, uint32_t partition, uint32_t partition_count,
                        floe_error *err)
{
    const floe_sql_plan *node = scan->node;
    const char *path = node->u.scan.table.identity;
    floe_eng_context *context = scan->base.context;
    uint32_t column_count = node->output.column_count;
    const floe_pq_file_metadata *footer;
    if (column_count == 0) {
        FLOE_TRY(floe_pq_file_metadata_open(path, &scan->footer, err));
        footer = scan->footer;
    } else {
        const char **names = floe_calloc(column_count, sizeof *names);
        FLOE_RETURN_IF(names == NULL, FLOE_ENOMEM, err, "out of memory opening %s", path);
        for (uint32_t i = 0; i < column_count; i++) names[i] = column_name(node, i);
        floe_pq_reader_options options;
        memset(&options, 0, sizeof options);
        options.column_names = names;
        options.column_name_count = column_count;
        int status = floe_pq_reader_open(&scan->parquet, path, &options, err);
        floe_free(names);
        FLOE_TRY(status);
        uint32_t count = 0;
        const floe_pq_reader_column *columns = floe_pq_reader_schema(scan->parquet, &count);
        for (uint32_t i = 0; i < column_count; i++) {
            if (floe_type_equal(columns[i].type, scan->types[i])) continue;
            char now[64], planned[64];
            return floe_error_set(err, FLOE_ETYPE,
                                  "%s changed since the query was planned: column %s is %s, the "
                                  "plan expects %s",
                                  path, columns[i].name,
                                  floe_type_format(columns[i].type, now, sizeof now),
                                  floe_type_format(scan->types[i], planned, sizeof planned));
        }
        footer = floe_pq_reader_metadata(scan->parquet);
    }

    uint32_t groups = footer->row_group_count;
    scan->row_groups = floe_malloc((groups ? groups : 1) * sizeof *scan->row_groups);
    FLOE_RETURN_IF(scan->row_groups == NULL, FLOE_ENOMEM, err, "out of memory opening %s", path);
    uint32_t partitions = partition_count > 1 ? partition_count : 1;
    uint32_t matching = 0;
    for (uint32_t group = 0; group < groups; group++) {
        int may_match = 1;
        if (scan->parquet != NULL)
            FLOE_TRY(parquet_group_may_match(scan, group, footer->row_groups[group].num_rows,
                                             &may_match, err));
        if (!may_match) continue;
        matching++;
        if (group % partitions == partition % partitions) {
            scan->row_groups[scan->row_group_count++] = group;
            scan->base.rows_expected += (uint64_t)footer->row_groups[group].num_rows;
        }
    }
    if (partition % partitions == 0) {
        if (groups > 0 && matching == 0) {
            atomic_fetch_add(&context->files_pruned, 1);
        } else {
            atomic_fetch_add(&context->files_read, 1);
            atomic_fetch_add(&context->bytes_read, (int_fast64_t)footer->file_size);
        }
    }
    FLOE_TRY(floe_batch_init(&scan->batch, column_count, scan->types, err));
    if (scan->parquet == NULL) {
        scan->base.vtable = &parquet_count_vtable;
        return FLOE_OK;
    }
    scan->base.vtable = &parquet_vtable;
    if (scan->row_group_count == groups) return FLOE_OK;
    return floe_pq_reader_select_row_groups(scan->parquet, scan->row_groups,
                                            scan->row_group_count, err);
}

int floe_eng_scan_create(const floe_sql_plan *node, floe_eng_operator **inputs,
                         floe_eng_context *context, uint32_t partition, uint32_t partition_count,
                         floe_eng_operator **out, floe_error *err)
{
    *out = NULL;
    for (uint32_t i = 0; i < node->input_count; i++) floe_eng_operator_destroy(inputs[i]);
    scan_operator *scan = floe_calloc(1, sizeof *scan);
    FLOE_RETURN_IF(scan == NULL, FLOE_ENOMEM, err, "out of memory creating a scan");
    uint32_t column_count = node->output.column_count;
    scan->node = node;
    scan->base.vtable = &empty_vtable;
    scan->base.context = context;
    scan->base.column_count = column_count;
    scan->types = floe_calloc(column_count ? column_count : 1, sizeof *scan->types);
    scan->filters = floe_calloc(node->u.scan.filter_count ? node->u.scan.filter_count : 1,
                                sizeof *scan->filters);
    int status = FLOE_OK;
    if (scan->types == NULL || scan->filters == NULL)
        status = floe_error_set(err, FLOE_ENOMEM, "out of memory creating a scan");
    for (uint32_t i = 0; status == FLOE_OK && i < column_count; i++)
        scan->types[i] = node->output.columns[i].type;
    scan->base.types = scan->types;
    for (uint32_t i = 0; status == FLOE_OK && i < node->u.scan.filter_count; i++) {
        status = floe_eng_expression_state_create(node->u.scan.filters[i], &scan->filters[i], err);
        if (status == FLOE_OK) scan->filter_count++;
    }
    if (status == FLOE_OK) status = build_predicates(scan, err);
    if (status == FLOE_OK) {
        status = node->u.scan.table.kind == FLOE_SQL_TABLE_KIND_PARQUET
                     ? open_parquet(scan, partition, partition_count, err)
                     : open_iceberg(scan, partition, partition_count, err);
    }
    if (status != FLOE_OK) {
        scan_destroy(&scan->base);
        return status;
    }
    *out = &scan->base;
    return FLOE_OK;
}
