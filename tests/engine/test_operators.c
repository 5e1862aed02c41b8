/*
 * Description: the streaming operators (engine/op_scan.c, op_filter.c, op_project.c,
 * op_union_all.c, op_limit.c, op_values.c) run on plans built by the real front end
 * (floe_sql_parse_statement + floe_sql_plan_statement, with a catalog that opens Iceberg tables
 * and Parquet footers) and compiled by floe_eng_plan_compile.
 *   - Fixtures (FLOE_TEST_DATA): lineitem_iceberg's row count, sums and a TPC-H Q6-style
 *     filtered scan (823 rows, revenue 1077536.9101: Spark's Q6, and DuckDB 1.5 over the data
 *     file), a LIKE filter (3579 rows, DuckDB), a scan of no columns, identity-partition
 *     pruning on partition_integer, read_parquet of alltypes_plain (DuckDB's rows).
 *   - Tables written here (one commit of several Parquet files with Iceberg bounds, row groups
 *     of 250 rows): file and row group pruning counters, a position delete inside a pruned file
 *     (row positions must survive skipped row groups), partitions 0/2 + 1/2 (and 0..2/3 of a
 *     Parquet file's row groups) reading everything exactly once, pinned snapshots, a table
 *     without a snapshot, LIMIT/OFFSET edges (and that LIMIT stops pulling), VALUES of more
 *     than one batch, UNION ALL order, errors (missing data file, missing Parquet file, a
 *     division by zero in a filter).
 *   - The Iceberg reader's options for copy-on-write DELETE: a list of stored file paths, and
 *     floe_ice_scan_reader_current_file naming each batch's file.
 *   - A table pinned as a delta: the scan hands out the change as weighted rows (+1 for an
 *     appended file's rows, -1 for rows a position delete removed), filtered with the weights
 *     kept aligned, reading only the changed files; an expired `from` fails the scan.
 *   - Weights pass through FILTER, PROJECT, UNION ALL and LIMIT, fed by a hand-made source.
 *   - Allocation failure injection while compiling and running a plan: clean errors, no leaks.
 * Expected numbers come from formulas over the generated rows or from DuckDB (quoted).
 */
#define _GNU_SOURCE /* mkdtemp, nftw, strdup */
#include "engine/executor.h"
#include "engine/operator.h"
#include "io/iceberg_commit.h"
#include "io/iceberg_scan.h"
#include "io/iceberg_table.h"
#include "io/parquet_footer.h"
#include "io/parquet_reader.h"
#include "io/parquet_writer.h"
#include "kernels/arena.h"
#include "kernels/memory.h"
#include "kernels/value_text.h"
#include "sql/binder.h"
#include "sql/parser.h"
#include "sql/plan.h"

#include <check.h>
#include <ftw.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- directories ----------------------------------------------------------------------------- */

static char root[256];     /* temporary warehouse of the tables written here */
static char fixtures[512]; /* FLOE_TEST_DATA: warehouse of iceberg.<fixture> */

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *ftw)
{
    (void)info, (void)flag, (void)ftw;
    return remove(path);
}

static void setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/floe-operators-XXXXXX", base != NULL ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(root));
    const char *data = getenv("FLOE_TEST_DATA");
    snprintf(fixtures, sizeof fixtures, "%s", data != NULL ? data : "tests/data");
}

static void teardown(void)
{
    nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- the catalog: Iceberg tables by name or path, Parquet files by their footer -------------- */

typedef struct test_catalog {
    const char *warehouse;
} test_catalog;

static int describe_iceberg(const char *identity, const char *warehouse, floe_arena *arena,
                            floe_sql_table *table, floe_error *err)
{
    floe_ice_table *opened = NULL;
    int status = floe_ice_table_open(&opened, identity, warehouse, err);
    if (status != FLOE_OK) return status;
    const floe_ice_schema *schema = floe_ice_current_schema(opened->metadata);
    floe_sql_table_column *columns =
        floe_arena_alloc_zero(arena, (schema->field_count + 1) * sizeof *columns);
    ck_assert_ptr_nonnull(columns);
    for (size_t i = 0; i < schema->field_count; i++) {
        const floe_ice_field *field = &schema->fields[i];
        columns[i].name = floe_arena_strndup(arena, field->name, strlen(field->name));
        status = floe_ice_field_floe_type(field, &columns[i].type, err);
        if (status != FLOE_OK) break;
        columns[i].nullable = !field->required;
        columns[i].field_id = field->id;
    }
    table->identity = floe_arena_strndup(arena, identity, strlen(identity));
    table->name = table->identity;
    table->columns = columns;
    table->column_count = (uint32_t)schema->field_count;
    floe_ice_table_free(opened);
    return status;
}

static int resolve_name(void *context, const char *namespace_name, const char *name,
                        floe_arena *arena, floe_sql_table *table, floe_error *err)
{
    const test_catalog *catalog = context;
    if (namespace_name == NULL) return FLOE_ENOTFOUND;
    char identity[256];
    snprintf(identity, sizeof identity, "%s.%s", namespace_name, name);
    char directory[1024];
    snprintf(directory, sizeof directory, "%s/%s/%s", catalog->warehouse, namespace_name, name);
    struct stat info;
    if (stat(directory, &info) != 0) return FLOE_ENOTFOUND;
    return describe_iceberg(identity, catalog->warehouse, arena, table, err);
}

static int resolve_path(void *context, const char *path, floe_arena *arena,
                        floe_sql_table *table, floe_error *err)
{
    (void)context;
    struct stat info;
    if (stat(path, &info) != 0) return FLOE_ENOTFOUND;
    return describe_iceberg(path, NULL, arena, table, err);
}

/* The types are the Parquet footer's mapping, which the Parquet reader uses too. */
static int resolve_parquet(void *context, const char *path, floe_arena *arena,
                           floe_sql_table *table, floe_error *err)
{
    (void)context;
    struct stat info;
    if (stat(path, &info) != 0) return FLOE_ENOTFOUND;
    floe_pq_file_metadata *footer = NULL;
    FLOE_TRY(floe_pq_file_metadata_open(path, &footer, err));
    floe_sql_table_column *columns =
        floe_arena_alloc_zero(arena, (footer->column_count + 1) * sizeof *columns);
    ck_assert_ptr_nonnull(columns);
    uint32_t count = 0;
    for (uint32_t i = 0; i < footer->column_count; i++) {
        const floe_pq_column *column = &footer->columns[i];
        if (column->unsupported_reason != NULL || strchr(column->path, '.') != NULL) continue;
        columns[count].name = floe_arena_strndup(arena, column->name, strlen(column->name));
        columns[count].type = column->type;
        columns[count].nullable = column->max_definition_level > 0;
        columns[count].field_id = -1;
        count++;
    }
    floe_pq_file_metadata_free(footer);
    table->identity = floe_arena_strndup(arena, path, strlen(path));
    table->name = table->identity;
    table->columns = columns;
    table->column_count = count;
    return FLOE_OK;
}

/* ---- queries --------------------------------------------------------------------------------- */

typedef struct query {
    test_catalog catalog;
    floe_sql_script *script;
    floe_arena arena;
    floe_sql_bound_statement bound;
    floe_eng_context context;
    floe_eng_operator *root;
} query;

/* Parses and plans `sql` against `warehouse` (asserting success) and prepares a context. */
static void query_plan(query *q, const char *sql, const char *warehouse)
{
    memset(q, 0, sizeof *q);
    q->catalog.warehouse = warehouse;
    floe_sql_catalog catalog = {.context = &q->catalog,
                                .resolve_name = resolve_name,
                                .resolve_path = resolve_path,
                                .resolve_parquet = resolve_parquet};
    floe_error err;
    ck_assert_msg(floe_sql_parse_statement(sql, strlen(sql), &q->script, &err) == FLOE_OK,
                  "%s: %s", sql, err.message);
    floe_arena_init(&q->arena, 0, 0);
    ck_assert_msg(floe_sql_plan_statement(&catalog, q->script->statements[0], &q->arena,
                                          &q->bound, &err) == FLOE_OK,
                  "%s: %s", sql, err.message);
    ck_assert_ptr_nonnull(q->bound.plan);
    floe_eng_context_init(&q->context, warehouse);
}

static int query_compile(query *q, floe_error *err)
{
    return floe_eng_plan_compile(q->bound.plan, &q->context, &q->root, err);
}

static void query_free(query *q)
{
    floe_eng_operator_destroy(q->root);
    q->root = NULL;
    floe_eng_context_fini(&q->context);
    floe_arena_fini(&q->arena);
    floe_sql_script_free(q->script);
}

/* What an operator produced: every live row as a CSV line, and per column the sum of its
 * integer, date or decimal values (unscaled), each row counted weight times. */
typedef struct result {
    floe_text rows;
    int64_t row_count;
    int64_t weight_sum;
    int64_t batch_count;
    floe_int128 sums[16];
} result;

static floe_int128 number_at(const floe_vector *vector, uint32_t row)
{
    const floe_vector *values = vector;
    if (vector->encoding == FLOE_VECTOR_DICTIONARY) {
        row = ((const uint32_t *)vector->data)[row];
        values = vector->dictionary;
    }
    switch (floe_type_width(values->type)) {
    case 1: return ((const uint8_t *)values->data)[row];
    case 4: return ((const int32_t *)values->data)[row];
    case 8: return ((const int64_t *)values->data)[row];
    case 16: return ((const floe_int128 *)values->data)[row];
    default: return 0;
    }
}

/* Off while allocations are made to fail: the rows' text would need allocations too. */
static int drain_keeps_text = 1;

/* Pulls op to its end into r; returns the first error. Checks the contract on every batch. */
static int drain(floe_eng_operator *op, result *r, floe_error *err)
{
    memset(r, 0, sizeof *r);
    floe_text_init(&r->rows);
    for (;;) {
        floe_batch *batch;
        int status = floe_eng_operator_next(op, &batch, err);
        if (status != FLOE_OK) return status;
        if (batch == NULL) return FLOE_OK;
        r->batch_count++;
        ck_assert_uint_eq(batch->column_count, op->column_count);
        ck_assert_uint_le(batch->row_count, FLOE_BATCH_CAPACITY);
        uint32_t live = floe_batch_live_count(batch);
        ck_assert_uint_gt(live, 0); /* these operators never hand out an empty batch */
        for (uint32_t c = 0; c < batch->column_count; c++)
            ck_assert(floe_type_equal(batch->columns[c].type, op->types[c]));
        for (uint32_t i = 0; i < live; i++) {
            uint32_t row = floe_batch_live_row(batch, i);
            if (i > 0) ck_assert_uint_gt(row, floe_batch_live_row(batch, i - 1));
            ck_assert_uint_lt(row, batch->row_count);
            int64_t weight = floe_batch_weight(batch, row);
            r->row_count++;
            r->weight_sum += weight;
            for (uint32_t c = 0; c < batch->column_count; c++) {
                const floe_vector *vector = &batch->columns[c];
                if (drain_keeps_text && c > 0)
                    ck_assert_int_eq(floe_text_append_char(&r->rows, ','), FLOE_OK);
                if (drain_keeps_text)
                    ck_assert_int_eq(floe_k_csv_field_append(&r->rows, vector, row), FLOE_OK);
                if (c < 16 && !floe_type_is_variable_width(vector->type) &&
                    vector->type.id != FLOE_TYPE_FLOAT32 && vector->type.id != FLOE_TYPE_FLOAT64 &&
                    !floe_vector_is_null(vector, row))
                    r->sums[c] += number_at(vector, row) * weight;
            }
            if (drain_keeps_text)
                ck_assert_int_eq(floe_text_append_char(&r->rows, '\n'), FLOE_OK);
        }
    }
}

static void result_free(result *r)
{
    floe_text_fini(&r->rows);
}

/* Plans, compiles and drains `sql`, asserting success. */
static void run(query *q, result *r, const char *sql, const char *warehouse)
{
    query_plan(q, sql, warehouse);
    floe_error err;
    ck_assert_msg(query_compile(q, &err) == FLOE_OK, "%s: %s", sql, err.message);
    ck_assert_msg(drain(q->root, r, &err) == FLOE_OK, "%s: %s", sql, err.message);
}

/* Rows as text, for one-off comparisons. */
static void assert_rows(const char *sql, const char *warehouse, const char *expected)
{
    query q;
    result r;
    run(&q, &r, sql, warehouse);
    ck_assert_msg(strcmp(r.rows.data ? r.rows.data : "", expected) == 0, "%s:\n%s\nexpected:\n%s",
                  sql, r.rows.data ? r.rows.data : "", expected);
    result_free(&r);
    query_free(&q);
}

static int64_t count_rows(const char *sql, const char *warehouse)
{
    query q;
    result r;
    run(&q, &r, sql, warehouse);
    int64_t rows = r.row_count;
    result_free(&r);
    query_free(&q);
    return rows;
}

/* ---- tables written here --------------------------------------------------------------------- */

/* Generated rows: id = i, name = "n<i mod 7>", score = i mod 10 (NULL when i mod 13 = 0). */
static const floe_ice_new_column event_columns[] = {
    {"id", {FLOE_TYPE_INT64, 0, 0}, 1, 1, NULL},
    {"name", {FLOE_TYPE_STRING, 0, 0}, 0, 2, NULL},
    {"score", {FLOE_TYPE_INT32, 0, 0}, 0, 3, NULL},
};

/* Where a data file's Iceberg metrics live until it is committed (up to 3 columns). */
typedef struct file_metrics {
    floe_ice_int_long counts[4][3]; /* values, nulls, sizes, NaNs */
    floe_ice_int_bytes bounds[2][3]; /* lower, upper */
    uint8_t bound_bytes[2][3][FLOE_PQ_BOUND_MAX_SIZE];
} file_metrics;

/* Describes a file the Parquet writer wrote in *file, with the Iceberg metrics it computed
 * (stored in *metrics); file_path is strdup'ed. */
static void describe_written(floe_ice_data_file *file, file_metrics *metrics, const char *path,
                             const floe_pq_write_result *written)
{
    ck_assert_uint_le(written->column_count, 3);
    memset(file, 0, sizeof *file);
    file->content = FLOE_ICE_CONTENT_DATA;
    file->file_path = strdup(path);
    file->file_format = "parquet";
    file->record_count = (int64_t)written->row_count;
    file->file_size_in_bytes = (int64_t)written->file_size;
    size_t bound_count[2] = {0, 0};
    for (uint32_t c = 0; c < written->column_count; c++) {
        const floe_pq_column_result *column = &written->columns[c];
        metrics->counts[0][c] = (floe_ice_int_long){column->field_id, (int64_t)column->value_count};
        metrics->counts[1][c] = (floe_ice_int_long){column->field_id, (int64_t)column->null_count};
        metrics->counts[2][c] = (floe_ice_int_long){column->field_id, (int64_t)column->column_size};
        metrics->counts[3][c] = (floe_ice_int_long){column->field_id, (int64_t)column->nan_count};
        if (column->has_lower_bound) {
            memcpy(metrics->bound_bytes[0][c], column->lower_bound, column->lower_bound_size);
            metrics->bounds[0][bound_count[0]++] = (floe_ice_int_bytes){
                column->field_id, {metrics->bound_bytes[0][c], column->lower_bound_size}};
        }
        if (column->has_upper_bound) {
            memcpy(metrics->bound_bytes[1][c], column->upper_bound, column->upper_bound_size);
            metrics->bounds[1][bound_count[1]++] = (floe_ice_int_bytes){
                column->field_id, {metrics->bound_bytes[1][c], column->upper_bound_size}};
        }
    }
    size_t columns = written->column_count;
    file->value_counts = (floe_ice_counts){columns, 1, metrics->counts[0]};
    file->null_value_counts = (floe_ice_counts){columns, 1, metrics->counts[1]};
    file->column_sizes = (floe_ice_counts){columns, 1, metrics->counts[2]};
    file->nan_value_counts = (floe_ice_counts){columns, 1, metrics->counts[3]};
    file->lower_bounds = (floe_ice_bounds){bound_count[0], 1, metrics->bounds[0]};
    file->upper_bounds = (floe_ice_bounds){bound_count[1], 1, metrics->bounds[1]};
}

/* Writes ids [first, first + rows) to `path` in row groups of `group_rows` and describes the
 * file in *file (see describe_written). */
static void write_events(const char *path, int64_t first, uint32_t rows, uint32_t group_rows,
                         floe_ice_data_file *file, file_metrics *metrics)
{
    floe_pq_write_column columns[3];
    floe_type types[3];
    for (int c = 0; c < 3; c++) {
        columns[c] = (floe_pq_write_column){event_columns[c].name, event_columns[c].type,
                                            !event_columns[c].required, event_columns[c].id};
        types[c] = event_columns[c].type;
    }
    floe_pq_write_schema schema = {columns, 3, NULL, NULL, 0};
    floe_pq_write_options options;
    floe_pq_write_options_default(&options);
    options.row_group_rows = group_rows;
    floe_pq_writer *writer = NULL;
    floe_error err;
    ck_assert_msg(floe_pq_writer_create(&writer, path, &schema, &options, &err) == FLOE_OK, "%s",
                  err.message);
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, 3, types, &err), FLOE_OK);
    for (uint32_t done = 0; done < rows;) {
        floe_batch_reset(&batch);
        uint32_t n = rows - done < FLOE_BATCH_CAPACITY ? rows - done : FLOE_BATCH_CAPACITY;
        for (uint32_t r = 0; r < n; r++) {
            int64_t id = first + done + r;
            ((int64_t *)batch.columns[0].data)[r] = id;
            char name[16];
            int length = snprintf(name, sizeof name, "n%d", (int)(id % 7));
            ck_assert_int_eq(floe_vector_set_string(&batch.columns[1], r, name, (uint32_t)length,
                                                    &err),
                             FLOE_OK);
            if (id % 13 == 0) floe_vector_set_null(&batch.columns[2], r);
            else ((int32_t *)batch.columns[2].data)[r] = (int32_t)(id % 10);
        }
        batch.row_count = n;
        ck_assert_msg(floe_pq_writer_write_batch(writer, &batch, &err) == FLOE_OK, "%s",
                      err.message);
        done += n;
    }
    floe_pq_write_result written;
    ck_assert_msg(floe_pq_writer_close(writer, &written, &err) == FLOE_OK, "%s", err.message);
    describe_written(file, metrics, path, &written);
    floe_batch_fini(&batch);
    floe_pq_writer_free(writer);
}

/* Commits `files` as one append to the table at `table`, then frees their paths. */
static void commit_files(const char *table, floe_ice_data_file *files, size_t count)
{
    floe_ice_commit_request request;
    memset(&request, 0, sizeof request);
    request.added_files = files;
    request.added_count = count;
    request.expected_schema_id = -1;
    floe_error err;
    ck_assert_msg(floe_ice_commit(table, &request, NULL, &err) == FLOE_OK, "%s", err.message);
    for (size_t f = 0; f < count; f++) free((char *)(uintptr_t)files[f].file_path);
}

enum { MAX_FILES = 8 };

/* Creates test.<name> in the temporary warehouse: `files` data files of `rows_per_file`
 * consecutive ids from 0, one commit. *table receives its directory. */
static void make_events(const char *name, int files, uint32_t rows_per_file, char *table,
                        size_t size)
{
    ck_assert_int_le(files, MAX_FILES);
    snprintf(table, size, "%s/test/%s", root, name);
    floe_error err;
    ck_assert_msg(floe_ice_commit_create_table(table, event_columns, 3, NULL, 0, &err) ==
                      FLOE_OK,
                  "%s", err.message);
    if (files == 0) return;
    floe_ice_data_file data[MAX_FILES];
    static file_metrics metrics[MAX_FILES];
    for (int f = 0; f < files; f++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/data/part-%d.parquet", table, f);
        write_events(path, (int64_t)f * rows_per_file, rows_per_file, 250, &data[f],
                     &metrics[f]);
    }
    commit_files(table, data, (size_t)files);
}

/* Creates test.<name> with one DOUBLE column d (field id 1): one data file holding `values`
 * in row groups of `group_rows`. */
static void make_doubles(const char *name, const double *values, uint32_t count,
                         uint32_t group_rows, char *table, size_t size)
{
    static const floe_ice_new_column columns[] = {{"d", {FLOE_TYPE_FLOAT64, 0, 0}, 0, 1, NULL}};
    snprintf(table, size, "%s/test/%s", root, name);
    floe_error err;
    ck_assert_msg(floe_ice_commit_create_table(table, columns, 1, NULL, 0, &err) == FLOE_OK, "%s",
                  err.message);
    char path[1024];
    snprintf(path, sizeof path, "%s/data/doubles.parquet", table);
    floe_pq_write_column column = {"d", columns[0].type, true, 1};
    floe_pq_write_schema schema = {&column, 1, NULL, NULL, 0};
    floe_pq_write_options options;
    floe_pq_write_options_default(&options);
    options.row_group_rows = group_rows;
    floe_pq_writer *writer = NULL;
    ck_assert_int_eq(floe_pq_writer_create(&writer, path, &schema, &options, &err), FLOE_OK);
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, 1, &column.type, &err), FLOE_OK);
    memcpy(batch.columns[0].data, values, count * sizeof *values);
    batch.row_count = count;
    ck_assert_int_eq(floe_pq_writer_write_batch(writer, &batch, &err), FLOE_OK);
    floe_pq_write_result written;
    ck_assert_int_eq(floe_pq_writer_close(writer, &written, &err), FLOE_OK);
    floe_ice_data_file file;
    static file_metrics metrics;
    describe_written(&file, &metrics, path, &written);
    commit_files(table, &file, 1);
    floe_batch_fini(&batch);
    floe_pq_writer_free(writer);
}

/* Commits a position delete file removing `positions` of the data file stored as `data_path`. */
static void delete_positions(const char *table, const char *data_path, const int64_t *positions,
                             uint32_t count)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/data/deletes.parquet", table);
    floe_pq_write_column columns[] = {
        {"file_path", floe_type_make(FLOE_TYPE_STRING), false, 2147483546},
        {"pos", floe_type_make(FLOE_TYPE_INT64), false, 2147483545},
    };
    floe_type types[] = {columns[0].type, columns[1].type};
    floe_pq_write_schema schema = {columns, 2, NULL, NULL, 0};
    floe_pq_writer *writer = NULL;
    floe_error err;
    ck_assert_msg(floe_pq_writer_create(&writer, path, &schema, NULL, &err) == FLOE_OK, "%s",
                  err.message);
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, 2, types, &err), FLOE_OK);
    for (uint32_t r = 0; r < count; r++) {
        ck_assert_int_eq(floe_vector_set_string(&batch.columns[0], r, data_path,
                                                (uint32_t)strlen(data_path), &err),
                         FLOE_OK);
        ((int64_t *)batch.columns[1].data)[r] = positions[r];
    }
    batch.row_count = count;
    ck_assert_int_eq(floe_pq_writer_write_batch(writer, &batch, &err), FLOE_OK);
    floe_pq_write_result written;
    ck_assert_int_eq(floe_pq_writer_close(writer, &written, &err), FLOE_OK);
    floe_ice_data_file file;
    memset(&file, 0, sizeof file);
    file.content = FLOE_ICE_CONTENT_POSITION_DELETES;
    file.file_path = path;
    file.file_format = "parquet";
    file.record_count = (int64_t)written.row_count;
    file.file_size_in_bytes = (int64_t)written.file_size;
    floe_ice_commit_request request;
    memset(&request, 0, sizeof request);
    request.added_files = &file;
    request.added_count = 1;
    request.expected_schema_id = -1;
    ck_assert_msg(floe_ice_commit(table, &request, NULL, &err) == FLOE_OK, "%s", err.message);
    floe_batch_fini(&batch);
    floe_pq_writer_free(writer);
}

/* The expected sum of score over ids [first, last]. */
static int64_t score_sum(int64_t first, int64_t last)
{
    int64_t sum = 0;
    for (int64_t id = first; id <= last; id++)
        if (id % 13 != 0) sum += id % 10;
    return sum;
}

/* ---- fixtures -------------------------------------------------------------------------------- */

START_TEST(lineitem_scan_counts_and_sums)
{
    /* DuckDB 1.5 over the current snapshot's only data file (a copy-on-write table):
     * SELECT count(*), sum(l_quantity), sum(l_orderkey) -> 51793, 1500900.00, 1553321902 */
    query q;
    result r;
    run(&q, &r, "SELECT l_quantity, l_orderkey FROM iceberg.lineitem_iceberg", fixtures);
    ck_assert_int_eq(r.row_count, 51793);
    ck_assert(r.sums[0] == 150090000); /* DECIMAL(15,2) unscaled */
    ck_assert(r.sums[1] == 1553321902);
    ck_assert_uint_eq(q.root->types[0].id, FLOE_TYPE_DECIMAL);
    ck_assert_int_eq(atomic_load(&q.context.files_read), 1);
    ck_assert_int_eq(atomic_load(&q.context.files_pruned), 0);
    ck_assert_int_eq(atomic_load(&q.context.rows_read), 51793);
    ck_assert_int_eq(atomic_load(&q.context.bytes_read), 1225526);
    /* The scan pinned the current snapshot. */
    ck_assert_uint_eq(q.context.source_count, 1);
    ck_assert_str_eq(q.context.sources[0].identity, "iceberg.lineitem_iceberg");
    ck_assert(q.context.sources[0].snapshot_id == 2354745328521181395LL);
    ck_assert_int_eq(q.root->rows_out, 51793);
    result_free(&r);
    query_free(&q);

    /* A scan of no columns still yields every row. */
    run(&q, &r, "SELECT 1 FROM iceberg.lineitem_iceberg", fixtures);
    ck_assert_int_eq(r.row_count, 51793);
    ck_assert(r.sums[0] == 51793);
    ck_assert_int_eq(q.bound.plan->inputs[0]->kind, FLOE_SQL_PLAN_SCAN);
    ck_assert_uint_eq(q.bound.plan->inputs[0]->output.column_count, 0);
    result_free(&r);
    query_free(&q);
}
END_TEST

START_TEST(lineitem_q6_filtered_scan)
{
    /* TPC-H Q6's WHERE, pushed into the scan; the revenue summed here over its output.
     * Spark (the fixture's README) and DuckDB: 1077536.9101 over 823 rows. */
    query q;
    result r;
    run(&q, &r,
        "SELECT l_extendedprice * l_discount AS revenue FROM iceberg.lineitem_iceberg "
        "WHERE l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' "
        "AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24",
        fixtures);
    ck_assert_int_eq(q.bound.plan->kind, FLOE_SQL_PLAN_PROJECT);
    const floe_sql_plan *scan = q.bound.plan->inputs[0];
    ck_assert_int_eq(scan->kind, FLOE_SQL_PLAN_SCAN);
    ck_assert_uint_ge(scan->u.scan.filter_count, 4);
    ck_assert_uint_ge(scan->u.scan.check_count, 4);
    ck_assert_int_eq(r.row_count, 823);
    ck_assert_uint_eq(q.root->types[0].scale, 4);
    ck_assert(r.sums[0] == (floe_int128)10775369101LL);
    result_free(&r);
    query_free(&q);

    /* DuckDB: count(*) WHERE l_returnflag = 'R' AND l_shipmode LIKE '%AIR%' -> 3579 */
    ck_assert_int_eq(count_rows("SELECT l_orderkey FROM iceberg.lineitem_iceberg "
                                "WHERE l_returnflag = 'R' AND l_shipmode LIKE '%AIR%'",
                                fixtures),
                     3579);
    /* A date range outside the data (1992-01-04 .. 1998-11-29) is pruned from the bounds. */
    run(&q, &r,
        "SELECT l_orderkey FROM iceberg.lineitem_iceberg WHERE l_shipdate > DATE '1999-01-01'",
        fixtures);
    ck_assert_int_eq(r.row_count, 0);
    ck_assert_int_eq(atomic_load(&q.context.files_pruned), 1);
    ck_assert_int_eq(atomic_load(&q.context.files_read), 0);
    ck_assert_int_eq(atomic_load(&q.context.rows_read), 0);
    result_free(&r);
    query_free(&q);
}
END_TEST

START_TEST(identity_partitions_pruned)
{
    /* partition_integer: two files, partition_col = 42 and 1337, one row each. */
    char path[1024];
    snprintf(path, sizeof path, "%s/iceberg/partition_integer", fixtures);
    char sql[1400];
    snprintf(sql, sizeof sql, "SELECT partition_col, user_id FROM '%s' WHERE partition_col = 42",
             path);
    query q;
    result r;
    run(&q, &r, sql, NULL);
    ck_assert_int_eq(r.row_count, 1);
    ck_assert(r.sums[0] == 42);
    ck_assert_int_eq(atomic_load(&q.context.files_pruned), 1);
    ck_assert_int_eq(atomic_load(&q.context.files_read), 1);
    ck_assert_str_eq(q.context.sources[0].identity, path);
    result_free(&r);
    query_free(&q);
    snprintf(sql, sizeof sql, "SELECT event_type FROM '%s'", path);
    ck_assert_int_eq(count_rows(sql, NULL), 2);
}
END_TEST

START_TEST(read_parquet_rows)
{
    /* DuckDB: SELECT * FROM alltypes_plain.parquet gives ids 4 5 6 7 2 3 0 1;
     * count(*), sum(id) WHERE bool_col -> 4, 12. */
    char sql[1200];
    snprintf(sql, sizeof sql,
             "SELECT id, bool_col, string_col "
             "FROM read_parquet('%s/parquet/alltypes_plain.parquet')",
             fixtures);
    query q;
    result r;
    run(&q, &r, sql, NULL);
    /* string_col has no UTF-8 annotation: BINARY, written as \x escapes. */
    ck_assert_str_eq(r.rows.data, "4,true,\\x30\n5,false,\\x31\n6,true,\\x30\n7,false,\\x31\n"
                                  "2,true,\\x30\n3,false,\\x31\n0,true,\\x30\n1,false,\\x31\n");
    ck_assert_int_eq(atomic_load(&q.context.files_read), 1);
    ck_assert_int_eq(atomic_load(&q.context.rows_read), 8);
    ck_assert_uint_eq(q.context.source_count, 0); /* files have no snapshots to pin */
    result_free(&r);
    query_free(&q);
    snprintf(sql, sizeof sql,
             "SELECT id FROM read_parquet('%s/parquet/alltypes_plain.parquet') WHERE bool_col",
             fixtures);
    run(&q, &r, sql, NULL);
    ck_assert_int_eq(r.row_count, 4);
    ck_assert(r.sums[0] == 12);
    result_free(&r);
    query_free(&q);
    /* No columns: counted from the footer. */
    snprintf(sql, sizeof sql, "SELECT 7 FROM read_parquet('%s/parquet/alltypes_plain.parquet')",
             fixtures);
    ck_assert_int_eq(count_rows(sql, NULL), 8);
}
END_TEST

START_TEST(nan_is_never_pruned_away)
{
    /* nan_in_stats.parquet: x DOUBLE = 1, NaN; statistics min 1, max NaN (parquet-cpp 1.3).
     * In the engine's order (DuckDB's) NaN is above every number: x > 1 keeps the NaN row,
     * whatever the bounds say. */
    char file[1024], sql[1400];
    snprintf(file, sizeof file, "%s/parquet/nan_in_stats.parquet", fixtures);
    snprintf(sql, sizeof sql, "SELECT x FROM read_parquet('%s') WHERE x > 1", file);
    assert_rows(sql, NULL, "nan\n");
    snprintf(sql, sizeof sql, "SELECT x FROM read_parquet('%s') WHERE x >= 2.5", file);
    assert_rows(sql, NULL, "nan\n");
    snprintf(sql, sizeof sql, "SELECT x FROM read_parquet('%s') WHERE x <= 1", file);
    assert_rows(sql, NULL, "1\n");
    snprintf(sql, sizeof sql, "SELECT x FROM read_parquet('%s') WHERE x < 0.5", file);
    ck_assert_int_eq(count_rows(sql, NULL), 0);
}
END_TEST

START_TEST(nan_rows_survive_bounds)
{
    /* Floe's writer leaves NaN out of min/max, as Parquet and Iceberg ask: the first row group
     * (1, NaN, 2) has max 2 and the file's Iceberg upper bound is 6, yet NaN > 7 is TRUE. */
    const double values[] = {1, NAN, 2, 5, 6, 4};
    char table[512];
    make_doubles("doubles", values, 6, 3, table, sizeof table);
    assert_rows("SELECT d FROM test.doubles WHERE d > 7", root, "nan\n");
    assert_rows("SELECT d FROM test.doubles WHERE d >= 3", root, "nan\n5\n6\n4\n");
    char sql[1200];
    snprintf(sql, sizeof sql,
             "SELECT d FROM read_parquet('%s/data/doubles.parquet') WHERE d > 2.5", table);
    assert_rows(sql, NULL, "nan\n5\n6\n4\n");
    /* < and = still prune: NaN never passes them. (DOUBLE literals: the planner makes pruning
     * checks only of constants of the column's type, and leaves CAST(0.5 AS DOUBLE) unfolded.) */
    query q;
    result r;
    run(&q, &r, "SELECT d FROM test.doubles WHERE d < 5e-1", root);
    ck_assert_int_eq(r.row_count, 0);
    ck_assert_int_eq(atomic_load(&q.context.files_pruned), 1);
    result_free(&r);
    query_free(&q);
    run(&q, &r, "SELECT d FROM test.doubles WHERE d = 5e0", root);
    ck_assert_str_eq(r.rows.data, "5\n");
    ck_assert_int_eq(atomic_load(&q.context.rows_read), 3);
    result_free(&r);
    query_free(&q);
}
END_TEST

/* ---- pruning, deletes, partitions ------------------------------------------------------------ */

START_TEST(file_and_row_group_pruning)
{
    char table[512];
    make_events("events", 4, 1000, table, sizeof table);
    /* Files hold ids [0,1000) [1000,2000) [2000,3000) [3000,4000) in row groups of 250. */
    query q;
    result r;
    run(&q, &r, "SELECT id, score FROM test.events WHERE id >= 2600", root);
    ck_assert_int_eq(r.row_count, 1400);
    ck_assert(r.sums[0] == (floe_int128)(2600 + 3999) * 1400 / 2);
    ck_assert(r.sums[1] == score_sum(2600, 3999));
    ck_assert_int_eq(atomic_load(&q.context.files_pruned), 2);
    ck_assert_int_eq(atomic_load(&q.context.files_read), 2);
    /* Of file 3, row groups [2000,2250) and [2250,2500) are skipped by their statistics. */
    ck_assert_int_eq(atomic_load(&q.context.rows_read), 1500);
    result_free(&r);
    query_free(&q);

    /* IS NULL prunes nothing here (every row group has NULL scores), = prunes to one group. */
    run(&q, &r, "SELECT id FROM test.events WHERE score IS NULL AND id = 1300", root);
    ck_assert_str_eq(r.rows.data, "1300\n");
    ck_assert_int_eq(atomic_load(&q.context.files_read), 1);
    ck_assert_int_eq(atomic_load(&q.context.rows_read), 250);
    result_free(&r);
    query_free(&q);

    /* A string filter with a pruning check that keeps everything still filters exactly. */
    ck_assert_int_eq(count_rows("SELECT id FROM test.events WHERE name = 'n3'", root),
                     4000 / 7 + (4000 % 7 > 3));
}
END_TEST

START_TEST(position_deletes_with_pruned_row_groups)
{
    char table[512];
    make_events("deleted", 4, 1000, table, sizeof table);
    char data_path[1024];
    snprintf(data_path, sizeof data_path, "%s/data/part-2.parquet", table);
    /* Positions 600 and 700 of file 3 hold ids 2600 and 2700: in its third and fourth row
     * groups, read after the first two were skipped. */
    const int64_t positions[] = {600, 700};
    delete_positions(table, data_path, positions, 2);
    query q;
    result r;
    run(&q, &r, "SELECT id FROM test.deleted WHERE id >= 2550 AND id < 2800", root);
    ck_assert_int_eq(r.row_count, 248);
    ck_assert(r.sums[0] == (floe_int128)(2550 + 2799) * 250 / 2 - 2600 - 2700);
    ck_assert_ptr_null(strstr(r.rows.data, "\n2600\n"));
    ck_assert_ptr_nonnull(strstr(r.rows.data, "\n2601\n"));
    ck_assert_ptr_nonnull(strstr(r.rows.data, "\n2599\n"));
    ck_assert_int_eq(atomic_load(&q.context.rows_read), 500);
    result_free(&r);
    query_free(&q);
    /* Without a filter: 4000 - 2 rows. */
    ck_assert_int_eq(count_rows("SELECT name FROM test.deleted", root), 3998);
    ck_assert_int_eq(count_rows("SELECT 1 FROM test.deleted", root), 3998);
}
END_TEST

/* The plan's SCAN node (the root or below a chain of single-input nodes). */
static const floe_sql_plan *find_scan(const floe_sql_plan *plan)
{
    while (plan->kind != FLOE_SQL_PLAN_SCAN) {
        ck_assert_uint_eq(plan->input_count, 1);
        plan = plan->inputs[0];
    }
    return plan;
}

/* Reads `partitions` partitions of the query's scan; every id must come exactly once. */
static void read_partitions(const char *sql, const char *warehouse, uint32_t partitions,
                            int64_t id_count, int64_t expected_rows, int64_t files_read,
                            int64_t files_pruned)
{
    query q;
    query_plan(&q, sql, warehouse);
    const floe_sql_plan *scan = find_scan(q.bound.plan);
    unsigned char *seen = calloc((size_t)id_count, 1);
    ck_assert_ptr_nonnull(seen);
    int64_t rows = 0;
    for (uint32_t p = 0; p < partitions; p++) {
        floe_eng_operator *op = NULL;
        floe_error err;
        ck_assert_msg(floe_eng_scan_create(scan, NULL, &q.context, p, partitions, &op, &err) ==
                          FLOE_OK,
                      "%s", err.message);
        for (;;) {
            floe_batch *batch;
            ck_assert_msg(floe_eng_operator_next(op, &batch, &err) == FLOE_OK, "%s", err.message);
            if (batch == NULL) break;
            for (uint32_t i = 0; i < floe_batch_live_count(batch); i++) {
                int64_t id = (int64_t)number_at(&batch->columns[0], floe_batch_live_row(batch, i));
                ck_assert(id >= 0 && id < id_count);
                ck_assert_msg(!seen[id], "id %lld read twice", (long long)id);
                seen[id] = 1;
                rows++;
            }
        }
        floe_eng_operator_destroy(op);
    }
    ck_assert_int_eq(rows, expected_rows);
    ck_assert_int_eq(atomic_load(&q.context.files_read), files_read);
    ck_assert_int_eq(atomic_load(&q.context.files_pruned), files_pruned);
    free(seen);
    query_free(&q);
}

START_TEST(partitions_read_every_file_once)
{
    char table[512];
    make_events("five", 5, 1000, table, sizeof table);
    read_partitions("SELECT id FROM test.five", root, 2, 5000, 5000, 5, 0);
    read_partitions("SELECT id FROM test.five", root, 3, 5000, 5000, 5, 0);
    read_partitions("SELECT id FROM test.five", root, 1, 5000, 5000, 5, 0);
    /* With pruning, each pruned file is counted once, by the partition it belongs to. */
    read_partitions("SELECT id FROM test.five WHERE id >= 2600", root, 2, 5000, 2400, 3, 2);
    read_partitions("SELECT id FROM test.five WHERE id < 1500", root, 4, 5000, 1500, 2, 3);

    /* One Parquet file of 4 row groups split by row groups across 3 partitions. */
    char sql[1200];
    snprintf(sql, sizeof sql, "SELECT id FROM read_parquet('%s/data/part-1.parquet')", table);
    read_partitions(sql, NULL, 3, 5000, 1000, 1, 0);
    snprintf(sql, sizeof sql,
             "SELECT id FROM read_parquet('%s/data/part-1.parquet') WHERE id > 1600", table);
    read_partitions(sql, NULL, 2, 5000, 399, 1, 0);
    snprintf(sql, sizeof sql,
             "SELECT id FROM read_parquet('%s/data/part-1.parquet') WHERE id > 5000", table);
    read_partitions(sql, NULL, 2, 5000, 0, 0, 1);
}
END_TEST

START_TEST(parquet_row_groups_pruned)
{
    char table[512];
    make_events("rowgroups", 1, 1000, table, sizeof table);
    char sql[1200];
    snprintf(sql, sizeof sql,
             "SELECT id, name FROM read_parquet('%s/data/part-0.parquet') WHERE id BETWEEN 260 AND "
             "270",
             table);
    query q;
    result r;
    run(&q, &r, sql, NULL);
    ck_assert_int_eq(r.row_count, 11);
    ck_assert(r.sums[0] == (260 + 270) * 11 / 2);
    ck_assert_int_eq(atomic_load(&q.context.rows_read), 250);
    ck_assert_int_eq(atomic_load(&q.context.files_read), 1);
    ck_assert_ptr_nonnull(strstr(r.rows.data, "265,n6\n"));
    result_free(&r);
    query_free(&q);
}
END_TEST

START_TEST(snapshots_pinned_and_empty_tables)
{
    char table[512];
    make_events("empty", 0, 0, table, sizeof table);
    query q;
    result r;
    run(&q, &r, "SELECT id, name FROM test.empty", root);
    ck_assert_int_eq(r.row_count, 0);
    ck_assert_uint_eq(q.context.source_count, 1);
    ck_assert(q.context.sources[0].snapshot_id == -1);
    result_free(&r);
    query_free(&q);

    /* Pinned before compiling: the scan reads that snapshot, not the current one. */
    make_events("grown", 1, 100, table, sizeof table);
    floe_ice_table *opened = NULL;
    floe_error err;
    ck_assert_int_eq(floe_ice_table_open(&opened, table, NULL, &err), FLOE_OK);
    int64_t first = opened->metadata->current_snapshot_id;
    floe_ice_table_free(opened);
    const int64_t positions[] = {0, 1, 2};
    char data_path[1024];
    snprintf(data_path, sizeof data_path, "%s/data/part-0.parquet", table);
    delete_positions(table, data_path, positions, 3);
    ck_assert_int_eq(count_rows("SELECT id FROM test.grown", root), 97);
    query_plan(&q, "SELECT id FROM test.grown UNION ALL SELECT id FROM test.grown", root);
    ck_assert_int_eq(floe_eng_context_pin(&q.context, "test.grown", first, &err), FLOE_OK);
    ck_assert_int_eq(query_compile(&q, &err), FLOE_OK);
    ck_assert_int_eq(drain(q.root, &r, &err), FLOE_OK);
    ck_assert_int_eq(r.row_count, 200);
    ck_assert_uint_eq(q.context.source_count, 1);
    result_free(&r);
    query_free(&q);

    /* Both scans of a self-union read the snapshot the first one pinned. */
    query_plan(&q, "SELECT id FROM test.grown UNION ALL SELECT id FROM test.grown", root);
    ck_assert_int_eq(query_compile(&q, &err), FLOE_OK);
    ck_assert_uint_eq(q.context.source_count, 1);
    ck_assert_int_eq(drain(q.root, &r, &err), FLOE_OK);
    ck_assert_int_eq(r.row_count, 194);
    result_free(&r);
    query_free(&q);
}
END_TEST

/* A table pinned as a delta: the scan hands out the change (io/iceberg_scan.h's change mode)
 * as weighted rows; the pushed-down filter refines the selection and the weights stay with
 * their rows; only the changed files are read. */
START_TEST(delta_pinned_scan_yields_weights)
{
    char table[512];
    make_events("delta", 2, 1000, table, sizeof table); /* ids 0..1999 in part-0, part-1 */
    floe_ice_table *opened = NULL;
    floe_error err;
    ck_assert_int_eq(floe_ice_table_open(&opened, table, NULL, &err), FLOE_OK);
    int64_t first = opened->metadata->current_snapshot_id;
    floe_ice_table_free(opened);
    /* Retract rows 15 and 27 of part-0 (ids 15 and 27: scores 5 and 7) and 30 (score 0). */
    char data_path[1024];
    snprintf(data_path, sizeof data_path, "%s/data/part-0.parquet", table);
    delete_positions(table, data_path, (const int64_t[]){15, 27, 30}, 3);
    /* Insert ids 2000..2499. */
    char path[1024];
    snprintf(path, sizeof path, "%s/data/part-2.parquet", table);
    floe_ice_data_file file;
    static file_metrics metrics;
    write_events(path, 2000, 500, 250, &file, &metrics);
    commit_files(table, &file, 1);
    ck_assert_int_eq(floe_ice_table_open(&opened, table, NULL, &err), FLOE_OK);
    int64_t last = opened->metadata->current_snapshot_id;
    floe_ice_table_free(opened);

    int64_t inserted = 0, inserted_ids = 0, inserted_scores = 0;
    for (int64_t id = 2000; id < 2500; id++) {
        if (id % 13 == 0 || id % 10 < 5) continue;
        inserted++;
        inserted_ids += id;
        inserted_scores += id % 10;
    }
    query q;
    result r;
    query_plan(&q, "SELECT id, score FROM test.delta WHERE score >= 5", root);
    ck_assert_int_eq(floe_eng_context_pin_delta(&q.context, "test.delta", first, last, &err),
                     FLOE_OK);
    ck_assert_msg(query_compile(&q, &err) == FLOE_OK, "%s", err.message);
    ck_assert_msg(drain(q.root, &r, &err) == FLOE_OK, "%s", err.message);
    ck_assert_int_eq(r.row_count, inserted + 2);
    ck_assert_int_eq(r.weight_sum, inserted - 2);
    ck_assert(r.sums[0] == inserted_ids - 15 - 27);
    ck_assert(r.sums[1] == inserted_scores - 5 - 7);
    ck_assert_int_eq(atomic_load(&q.context.files_read), 2); /* part-0 and part-2, not part-1 */
    result_free(&r);
    query_free(&q);

    /* The same query pinned at `last` as a snapshot: every row +1 (no weights). */
    query_plan(&q, "SELECT id, score FROM test.delta WHERE score >= 5", root);
    ck_assert_int_eq(floe_eng_context_pin(&q.context, "test.delta", last, &err), FLOE_OK);
    ck_assert_int_eq(query_compile(&q, &err), FLOE_OK);
    ck_assert_int_eq(drain(q.root, &r, &err), FLOE_OK);
    ck_assert_int_eq(r.weight_sum, r.row_count);
    result_free(&r);
    query_free(&q);

    /* An expired `from`: creating the scan fails naming the snapshot. */
    query_plan(&q, "SELECT id FROM test.delta", root);
    ck_assert_int_eq(floe_eng_context_pin_delta(&q.context, "test.delta", 4242, last, &err),
                     FLOE_OK);
    ck_assert_int_eq(query_compile(&q, &err), FLOE_ENOTFOUND);
    ck_assert_msg(strstr(err.message, "4242") != NULL, "%s", err.message);
    query_free(&q);
}
END_TEST

/* The reader options the scan does not use, for the DELETE statement's copy-on-write rewrite:
 * only listed files, and the stored path of the file each batch came from. */
START_TEST(reader_file_list_and_current_file)
{
    char table[512];
    make_events("listed", 3, 600, table, sizeof table);
    floe_ice_table *opened = NULL;
    floe_error err;
    ck_assert_int_eq(floe_ice_table_open(&opened, table, NULL, &err), FLOE_OK);
    char stored[2][1024];
    snprintf(stored[0], sizeof stored[0], "%s/data/part-2.parquet", table);
    snprintf(stored[1], sizeof stored[1], "%s/data/part-0.parquet", table);
    const char *paths[] = {stored[0], stored[1], "/not/in/the/snapshot.parquet"};
    const char *names[] = {"id"};
    floe_ice_scan_reader_options options;
    memset(&options, 0, sizeof options);
    options.snapshot_id = -1;
    options.column_names = names;
    options.column_name_count = 1;
    options.file_paths = paths;
    options.file_path_count = 3;
    floe_ice_scan_reader *reader = NULL;
    ck_assert_msg(floe_ice_scan_reader_open(&reader, opened, &options, &err) == FLOE_OK, "%s",
                  err.message);
    ck_assert_ptr_null(floe_ice_scan_reader_current_file(reader));
    floe_batch batch;
    ck_assert_int_eq(floe_ice_scan_reader_batch_init(reader, &batch, &err), FLOE_OK);
    int64_t rows[2] = {0, 0};
    for (;;) {
        ck_assert_int_eq(floe_ice_scan_reader_next_batch(reader, &batch, &err), FLOE_OK);
        if (batch.row_count == 0) break;
        const char *file = floe_ice_scan_reader_current_file(reader);
        ck_assert_ptr_nonnull(file);
        int which = strcmp(file, stored[1]) == 0 ? 1 : 0;
        ck_assert_str_eq(file, stored[which]);
        for (uint32_t i = 0; i < floe_batch_live_count(&batch); i++) {
            int64_t id = (int64_t)number_at(&batch.columns[0], floe_batch_live_row(&batch, i));
            ck_assert_int_eq(id / 600, which ? 0 : 2); /* the batch's rows are that file's */
            rows[which]++;
        }
    }
    ck_assert_ptr_null(floe_ice_scan_reader_current_file(reader));
    ck_assert_int_eq(rows[0], 600);
    ck_assert_int_eq(rows[1], 600);
    ck_assert_int_eq(floe_ice_scan_reader_stats_get(reader)->data_files_read, 2);
    floe_batch_fini(&batch);
    floe_ice_scan_reader_free(reader);

    /* An empty list reads nothing; a bad partition and an unknown predicate column fail. */
    options.file_path_count = 0;
    ck_assert_int_eq(floe_ice_scan_reader_open(&reader, opened, &options, &err), FLOE_OK);
    ck_assert_int_eq(floe_ice_scan_reader_batch_init(reader, &batch, &err), FLOE_OK);
    ck_assert_int_eq(floe_ice_scan_reader_next_batch(reader, &batch, &err), FLOE_OK);
    ck_assert_uint_eq(batch.row_count, 0);
    floe_batch_fini(&batch);
    floe_ice_scan_reader_free(reader);
    options.file_paths = NULL;
    options.partition = 2;
    options.partition_count = 2;
    ck_assert_int_eq(floe_ice_scan_reader_open(&reader, opened, &options, &err), FLOE_EINVAL);
    ck_assert_ptr_null(reader);
    options.partition = 0;
    floe_ice_predicate predicate;
    memset(&predicate, 0, sizeof predicate);
    predicate.field_id = 99;
    predicate.op = FLOE_ICE_PREDICATE_IS_NULL;
    options.predicates = &predicate;
    options.predicate_count = 1;
    ck_assert_int_eq(floe_ice_scan_reader_open(&reader, opened, &options, &err), FLOE_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(err.message, "field id 99"));
    floe_ice_table_free(opened);
}
END_TEST

/* ---- project, limit, union all, values ------------------------------------------------------- */

START_TEST(projection_views_and_computed_columns)
{
    char table[512];
    make_events("projected", 2, 1000, table, sizeof table);
    assert_rows("SELECT score, id * 2 AS twice, name, upper(name) AS big FROM test.projected "
                "WHERE id IN (12, 13, 1999)",
                root, "2,24,n5,N5\n,26,n6,N6\n9,3998,n4,N4\n");
    /* Over a selection left by a filter, with a column used twice. */
    assert_rows("SELECT id, id, score + 1 FROM test.projected WHERE id % 500 = 499", root,
                "499,499,10\n999,999,10\n1499,1499,10\n1999,1999,10\n");
    /* A computed column that fails on a live row fails the query. */
    query q;
    query_plan(&q, "SELECT 10 / (score - score) FROM test.projected WHERE id = 5", root);
    floe_error err;
    ck_assert_int_eq(query_compile(&q, &err), FLOE_OK);
    result r;
    ck_assert_int_eq(drain(q.root, &r, &err), FLOE_ERANGE);
    ck_assert_ptr_nonnull(strstr(err.message, "division by zero"));
    result_free(&r);
    query_free(&q);
}
END_TEST

START_TEST(limit_and_offset_edges)
{
    char table[512];
    make_events("limited", 2, 2000, table, sizeof table);
    ck_assert_int_eq(count_rows("SELECT id FROM test.limited LIMIT 0", root), 0);
    assert_rows("SELECT id FROM test.limited LIMIT 3", root, "0\n1\n2\n");
    /* Across a batch boundary (batches end with row groups of 250 rows). */
    assert_rows("SELECT id FROM test.limited LIMIT 4 OFFSET 248", root, "248\n249\n250\n251\n");
    assert_rows("SELECT id FROM test.limited OFFSET 3997", root, "3997\n3998\n3999\n");
    ck_assert_int_eq(count_rows("SELECT id FROM test.limited OFFSET 4000", root), 0);
    ck_assert_int_eq(count_rows("SELECT id FROM test.limited LIMIT 5000 OFFSET 1", root), 3999);
    ck_assert_int_eq(count_rows("SELECT id FROM test.limited LIMIT 4000", root), 4000);
    /* Over a filter's selection: live rows are counted, not stored rows. */
    assert_rows("SELECT id FROM test.limited WHERE id % 100 = 7 LIMIT 3 OFFSET 2", root,
                "207\n307\n407\n");
    assert_rows("SELECT id FROM (SELECT id FROM test.limited LIMIT 10) t WHERE id > 7", root,
                "8\n9\n");

    /* LIMIT stops pulling: one batch (one row group) read, the scan's files never all opened. */
    query q;
    result r;
    run(&q, &r, "SELECT id FROM test.limited LIMIT 5", root);
    ck_assert_int_eq(atomic_load(&q.context.rows_read), 250);
    ck_assert_int_eq(atomic_load(&q.context.files_read), 1);
    ck_assert_int_eq(r.batch_count, 1);
    result_free(&r);
    query_free(&q);
    run(&q, &r, "SELECT id FROM test.limited LIMIT 0", root);
    ck_assert_int_eq(atomic_load(&q.context.rows_read), 0);
    result_free(&r);
    query_free(&q);
}
END_TEST

START_TEST(union_all_in_order)
{
    char table[512];
    make_events("united", 1, 100, table, sizeof table);
    assert_rows("SELECT id, name FROM test.united WHERE id < 2 UNION ALL SELECT 50, 'fifty' "
                "UNION ALL SELECT id, name FROM test.united WHERE id >= 98",
                root, "0,n0\n1,n1\n50,fifty\n98,n0\n99,n1\n");
    /* A union over inputs of no rows yields none. */
    ck_assert_int_eq(count_rows("SELECT id FROM test.united WHERE id > 1000 UNION ALL "
                                "SELECT id FROM test.united WHERE id < 0",
                                root),
                     0);
    assert_rows("SELECT id FROM test.united WHERE id = 1 UNION ALL SELECT id FROM test.united "
                "WHERE id = 1 LIMIT 3",
                root, "1\n1\n");
}
END_TEST

START_TEST(values_rows)
{
    assert_rows("SELECT 1 AS a, 'x' AS b, 2.50 AS c, NULL AS d, 1 + 2 AS e, lower('ABC') AS f",
                NULL, "1,x,2.50,,3,abc\n");
    char table[512];
    make_events("inserted", 0, 0, table, sizeof table);
    /* INSERT ... VALUES plans to a VALUES node in the table's types, casts included. */
    assert_rows("INSERT INTO test.inserted VALUES (1, 'a', 7), (2, NULL, NULL), "
                "(3 * 5, upper('b'), CAST('12' AS INTEGER))",
                root, "1,a,7\n2,,\n15,B,12\n");
    /* More rows than one batch. */
    floe_text sql;
    floe_text_init(&sql);
    const char *head = "INSERT INTO test.inserted (id, name) VALUES ";
    ck_assert_int_eq(floe_text_append(&sql, head, strlen(head)), FLOE_OK);
    for (int i = 0; i < 5000; i++) {
        char row[64];
        int length = snprintf(row, sizeof row, "%s(%d, 'r%d')", i ? ", " : "", i, i % 3);
        ck_assert_int_eq(floe_text_append(&sql, row, (size_t)length), FLOE_OK);
    }
    query q;
    result r;
    run(&q, &r, sql.data, root);
    ck_assert_int_eq(q.bound.plan->kind, FLOE_SQL_PLAN_VALUES);
    ck_assert_int_eq(r.row_count, 5000);
    ck_assert_int_eq(r.batch_count, 3);
    ck_assert(r.sums[0] == (floe_int128)4999 * 5000 / 2);
    ck_assert_ptr_nonnull(strstr(r.rows.data, "\n4999,r1,\n"));
    result_free(&r);
    query_free(&q);
    floe_text_fini(&sql);
}
END_TEST

/* ---- errors ---------------------------------------------------------------------------------- */

START_TEST(missing_files_are_errors)
{
    char table[512];
    make_events("broken", 2, 100, table, sizeof table);
    char path[1024];
    snprintf(path, sizeof path, "%s/data/part-1.parquet", table);
    ck_assert_int_eq(unlink(path), 0);
    query q;
    query_plan(&q, "SELECT id FROM test.broken", root);
    floe_error err;
    ck_assert_int_eq(query_compile(&q, &err), FLOE_OK);
    result r;
    ck_assert_int_eq(drain(q.root, &r, &err), FLOE_ENOTFOUND);
    ck_assert_int_eq(r.row_count, 100); /* the first file's rows came before the error */
    ck_assert_msg(strstr(err.message, "part-1.parquet") != NULL, "%s", err.message);
    result_free(&r);
    query_free(&q);

    /* A pruned missing file is never opened. */
    ck_assert_int_eq(count_rows("SELECT id FROM test.broken WHERE id < 50", root), 50);

    /* A Parquet file gone between planning and running. */
    char sql[1200];
    snprintf(path, sizeof path, "%s/data/part-0.parquet", table);
    snprintf(sql, sizeof sql, "SELECT id FROM read_parquet('%s')", path);
    query_plan(&q, sql, NULL);
    ck_assert_int_eq(unlink(path), 0);
    int status = query_compile(&q, &err);
    ck_assert_int_lt(status, 0);
    ck_assert_ptr_null(q.root);
    ck_assert_msg(strstr(err.message, "part-0.parquet") != NULL, "%s", err.message);
    query_free(&q);

    /* A table gone between planning and running. */
    query_plan(&q, "SELECT id FROM test.broken", root);
    char moved[1024];
    snprintf(moved, sizeof moved, "%s-moved", table);
    ck_assert_int_eq(rename(table, moved), 0);
    ck_assert_int_eq(query_compile(&q, &err), FLOE_ENOTFOUND);
    ck_assert_ptr_null(q.root);
    query_free(&q);
}
END_TEST

START_TEST(filter_errors_surface)
{
    char table[512];
    make_events("errors", 1, 100, table, sizeof table);
    query q;
    query_plan(&q, "SELECT id FROM test.errors WHERE 100 / (id - 50) > 1", root);
    floe_error err;
    ck_assert_int_eq(query_compile(&q, &err), FLOE_OK);
    result r;
    ck_assert_int_eq(drain(q.root, &r, &err), FLOE_ERANGE);
    ck_assert_msg(strstr(err.message, "division by zero") != NULL, "%s", err.message);
    result_free(&r);
    query_free(&q);
}
END_TEST

/* ---- weights, with a hand-made source -------------------------------------------------------- */

/* Emits `batches` batches of one BIGINT column: row i holds i and weighs (i % 3) - 1, so
 * weights are -1, 0 and +1; with `selected`, only even rows are live. */
typedef struct weighted_source {
    floe_eng_operator base;
    floe_type type;
    floe_batch batch;
    int remaining;
    int selected;
} weighted_source;

static int weighted_next(floe_eng_operator *op, floe_batch **out, floe_error *err)
{
    (void)err;
    weighted_source *source = (weighted_source *)op;
    *out = NULL;
    if (source->remaining == 0) return FLOE_OK;
    source->remaining--;
    floe_batch_reset(&source->batch);
    floe_batch *batch = &source->batch;
    batch->row_count = 100;
    floe_batch_prepare_weights(batch, 0);
    for (uint32_t i = 0; i < 100; i++) {
        ((int64_t *)batch->columns[0].data)[i] = i;
        batch->weights[i] = (int64_t)(i % 3) - 1;
    }
    if (source->selected) {
        for (uint32_t i = 0; i < 50; i++) batch->selection_storage[i] = (uint16_t)(2 * i);
        batch->selection = batch->selection_storage;
        batch->selected_count = 50;
    }
    *out = batch;
    return FLOE_OK;
}

static void weighted_destroy(floe_eng_operator *op)
{
    weighted_source *source = (weighted_source *)op;
    floe_batch_fini(&source->batch);
    free(source);
}

static const floe_eng_operator_vtable weighted_vtable = {"weighted", weighted_next,
                                                         weighted_destroy};

static floe_eng_operator *weighted(floe_eng_context *context, int batches, int selected)
{
    weighted_source *source = calloc(1, sizeof *source);
    ck_assert_ptr_nonnull(source);
    source->type = floe_type_make(FLOE_TYPE_INT64);
    ck_assert_int_eq(floe_batch_init(&source->batch, 1, &source->type, NULL), FLOE_OK);
    source->base = (floe_eng_operator){&weighted_vtable, context, 1, &source->type, 0, 0};
    source->remaining = batches;
    source->selected = selected;
    return &source->base;
}

/* Plan node of `kind` with one BIGINT output column "v". */
static floe_sql_plan *node_of(floe_arena *arena, floe_sql_plan_kind kind, uint32_t inputs)
{
    floe_sql_plan *node = floe_sql_plan_create(arena, kind, inputs, 1);
    ck_assert_ptr_nonnull(node);
    node->output.columns[0] = (floe_sql_column){"v", floe_type_make(FLOE_TYPE_INT64), false};
    return node;
}

START_TEST(weights_pass_through)
{
    floe_arena arena;
    floe_arena_init(&arena, 0, 0);
    floe_eng_context context;
    floe_eng_context_init(&context, NULL);
    floe_error err;
    floe_type big = floe_type_make(FLOE_TYPE_INT64);
    floe_sql_expression *column = floe_sql_expression_column(&arena, 0, big, false);
    floe_sql_expression *ten = floe_sql_expression_constant(&arena, floe_sql_value_int64(10));
    floe_sql_expression *operands[] = {column, ten};
    floe_sql_expression *less = floe_sql_expression_node(
        &arena, FLOE_SQL_EXPRESSION_BINARY, floe_type_make(FLOE_TYPE_BOOLEAN), false, 2, operands);
    less->operator_kind = FLOE_SQL_OPERATOR_LESS;
    floe_sql_expression *plus = floe_sql_expression_node(&arena, FLOE_SQL_EXPRESSION_BINARY, big,
                                                         false, 2, operands);
    plus->operator_kind = FLOE_SQL_OPERATOR_ADD;

    /* FILTER v < 10 over rows 0..99 with weights -1, 0, 1, ...: rows 0..9 keep theirs. */
    floe_sql_plan *filter = node_of(&arena, FLOE_SQL_PLAN_FILTER, 1);
    filter->u.filter.predicate = less;
    floe_eng_operator *inputs[2] = {weighted(&context, 2, 0), NULL};
    floe_eng_operator *op = NULL;
    ck_assert_int_eq(floe_eng_filter_create(filter, inputs, &context, 0, 1, &op, &err), FLOE_OK);
    result r;
    ck_assert_int_eq(drain(op, &r, &err), FLOE_OK);
    ck_assert_int_eq(r.row_count, 20);
    ck_assert_int_eq(r.weight_sum, 2 * (-1 + 0 + 1 - 1 + 0 + 1 - 1 + 0 + 1 - 1));
    ck_assert(r.sums[0] == 2 * (0 * -1 + 2 + 5 - 3 + 8 - 6 - 9));
    result_free(&r);
    floe_eng_operator_destroy(op);

    /* PROJECT v + 10, v over a selection: weights and selection pass through. */
    floe_sql_plan *project = floe_sql_plan_create(&arena, FLOE_SQL_PLAN_PROJECT, 1, 2);
    project->output.columns[0] = (floe_sql_column){"w", big, false};
    project->output.columns[1] = (floe_sql_column){"v", big, false};
    floe_sql_expression *expressions[] = {plus, column};
    project->u.project.expressions = expressions;
    inputs[0] = weighted(&context, 1, 1);
    ck_assert_int_eq(floe_eng_project_create(project, inputs, &context, 0, 1, &op, &err), FLOE_OK);
    ck_assert_int_eq(drain(op, &r, &err), FLOE_OK);
    ck_assert_int_eq(r.row_count, 50);
    int64_t weights = 0, weighted_values = 0;
    for (int i = 0; i < 100; i += 2) {
        weights += i % 3 - 1;
        weighted_values += (int64_t)i * (i % 3 - 1);
    }
    ck_assert_int_eq(r.weight_sum, weights);
    ck_assert(r.sums[1] == weighted_values);
    ck_assert(r.sums[0] == weighted_values + 10 * weights);
    result_free(&r);
    floe_eng_operator_destroy(op);

    /* UNION ALL of two sources, then LIMIT 150 OFFSET 20 over 200 rows: rows 20..99 of the
     * first batch and 0..69 of the second, with their own weights. */
    floe_sql_plan *union_all = node_of(&arena, FLOE_SQL_PLAN_UNION_ALL, 2);
    inputs[0] = weighted(&context, 1, 0);
    inputs[1] = weighted(&context, 1, 0);
    floe_eng_operator *united = NULL;
    ck_assert_int_eq(floe_eng_union_all_create(union_all, inputs, &context, 0, 1, &united, &err),
                     FLOE_OK);
    floe_sql_plan *limit = node_of(&arena, FLOE_SQL_PLAN_LIMIT, 1);
    limit->u.limit.has_limit = true;
    limit->u.limit.limit = 150;
    limit->u.limit.offset = 20;
    inputs[0] = united;
    ck_assert_int_eq(floe_eng_limit_create(limit, inputs, &context, 0, 1, &op, &err), FLOE_OK);
    ck_assert_int_eq(drain(op, &r, &err), FLOE_OK);
    ck_assert_int_eq(r.row_count, 150);
    weights = 0;
    for (int i = 20; i < 100; i++) weights += i % 3 - 1;
    for (int i = 0; i < 70; i++) weights += i % 3 - 1;
    ck_assert_int_eq(r.weight_sum, weights);
    result_free(&r);
    floe_eng_operator_destroy(op);

    /* A UNION ALL whose inputs disagree on types is refused, and destroys its inputs. */
    floe_sql_plan *wrong = floe_sql_plan_create(&arena, FLOE_SQL_PLAN_UNION_ALL, 2, 1);
    wrong->output.columns[0] = (floe_sql_column){"v", floe_type_make(FLOE_TYPE_INT32), false};
    inputs[0] = weighted(&context, 1, 0);
    inputs[1] = weighted(&context, 1, 0);
    ck_assert_int_eq(floe_eng_union_all_create(wrong, inputs, &context, 0, 1, &op, &err),
                     FLOE_ETYPE);
    ck_assert_ptr_null(op);
    ck_assert_ptr_nonnull(strstr(err.message, "UNION ALL input 1"));

    floe_eng_context_fini(&context);
    floe_arena_fini(&arena);
}
END_TEST

/* ---- allocation failures --------------------------------------------------------------------- */

static long live_allocations;

static void *counting_allocate(size_t size, void *context)
{
    (void)context;
    void *pointer = malloc(size);
    if (pointer != NULL) live_allocations++;
    return pointer;
}

static void *counting_reallocate(void *pointer, size_t size, void *context)
{
    (void)context;
    void *grown = realloc(pointer, size);
    if (grown != NULL && pointer == NULL) live_allocations++;
    return grown;
}

static void counting_release(void *pointer, void *context)
{
    (void)context;
    if (pointer != NULL) live_allocations--;
    free(pointer);
}

START_TEST(allocation_failures_are_clean)
{
    char table[512];
    make_events("failing", 2, 300, table, sizeof table);
    const char *queries[] = {
        "SELECT id, upper(name) FROM test.failing WHERE score > 3 LIMIT 400 OFFSET 5",
        "SELECT id FROM test.failing WHERE id < 10 UNION ALL SELECT 7",
        "INSERT INTO test.failing VALUES (1, 'a', 2), (3, lower('B'), NULL)",
    };
    for (size_t k = 0; k < sizeof queries / sizeof *queries; k++) {
        int succeeded = 0, failures = 0;
        for (long n = 0; !succeeded && n < 5000; n++) {
            query q;
            query_plan(&q, queries[k], root);
            floe_allocator counting = {counting_allocate, counting_reallocate, counting_release,
                                       NULL};
            floe_set_allocator(&counting);
            live_allocations = 0;
            drain_keeps_text = 0;
            floe_set_allocation_failure_after(n);
            floe_error err;
            int status = query_compile(&q, &err);
            result r;
            memset(&r, 0, sizeof r);
            if (status == FLOE_OK) status = drain(q.root, &r, &err);
            floe_eng_operator_destroy(q.root);
            q.root = NULL;
            floe_set_allocation_failure_after(-1);
            drain_keeps_text = 1;
            if (status == FLOE_OK) {
                succeeded = 1;
            } else {
                failures++;
                ck_assert_msg(status == FLOE_ENOMEM, "%s: failure after %ld allocations: %d (%s)",
                              queries[k], n, status, err.message);
            }
            /* The context's pins are the context's: release them before counting leaks. */
            floe_eng_context_fini(&q.context);
            floe_text_fini(&r.rows);
            ck_assert_msg(live_allocations == 0, "%s: %ld allocations leaked (failure after %ld)",
                          queries[k], live_allocations, n);
            floe_set_allocator(NULL);
            floe_arena_fini(&q.arena);
            floe_sql_script_free(q.script);
        }
        ck_assert_msg(succeeded, "%s never succeeded", queries[k]);
        ck_assert_int_gt(failures, 5);
    }
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("operators");
    TCase *fixtures_case = tcase_create("fixtures");
    tcase_add_checked_fixture(fixtures_case, setup, teardown);
    tcase_set_timeout(fixtures_case, 120);
    tcase_add_test(fixtures_case, lineitem_scan_counts_and_sums);
    tcase_add_test(fixtures_case, lineitem_q6_filtered_scan);
    tcase_add_test(fixtures_case, identity_partitions_pruned);
    tcase_add_test(fixtures_case, read_parquet_rows);
    tcase_add_test(fixtures_case, nan_is_never_pruned_away);
    suite_add_tcase(suite, fixtures_case);

    TCase *tables = tcase_create("tables");
    tcase_add_checked_fixture(tables, setup, teardown);
    tcase_set_timeout(tables, 300);
    tcase_add_test(tables, file_and_row_group_pruning);
    tcase_add_test(tables, position_deletes_with_pruned_row_groups);
    tcase_add_test(tables, partitions_read_every_file_once);
    tcase_add_test(tables, parquet_row_groups_pruned);
    tcase_add_test(tables, nan_rows_survive_bounds);
    tcase_add_test(tables, snapshots_pinned_and_empty_tables);
    tcase_add_test(tables, delta_pinned_scan_yields_weights);
    tcase_add_test(tables, reader_file_list_and_current_file);
    tcase_add_test(tables, projection_views_and_computed_columns);
    tcase_add_test(tables, limit_and_offset_edges);
    tcase_add_test(tables, union_all_in_order);
    tcase_add_test(tables, values_rows);
    tcase_add_test(tables, missing_files_are_errors);
    tcase_add_test(tables, filter_errors_surface);
    tcase_add_test(tables, weights_pass_through);
    tcase_add_test(tables, allocation_failures_are_clean);
    suite_add_tcase(suite, tables);

    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
