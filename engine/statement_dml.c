/*
 * statement_dml.c — INSERT and DELETE (contract in engine/database.h).
 *
 * INSERT runs the bound plan (rows already in the table's column order and types) into a table
 * writer and commits one append. DELETE is copy-on-write in two passes over the snapshot the
 * statement read, both through the Iceberg scan reader (deletes applied):
 *   1. evaluate the predicate and count, per data file, its live rows and its matching rows;
 *   2. for the files where some but not all live rows match, write the rows the predicate does
 *      not keep TRUE (FALSE or NULL: SQL deletes only where WHERE is true) into new files.
 * Then one commit adds the new files and removes every file with a match, plus each delete
 * file whose every target file is removed (its rows are gone with them; keeping it would only
 * cost readers). Files where every live row matches are removed without being rewritten, and
 * a DELETE without WHERE on a table without delete files reads nothing at all.
 * Why two passes rather than one: the survivors of a file can only be written once the file is
 * known to hold a match, and buffering a whole file's rows to find out costs memory without
 * bound; reading twice costs time in proportion to the table only when rows are deleted.
 */
#define _POSIX_C_SOURCE 200809L

#include "engine/database.h"

#include "engine/executor.h"        /* floe_eng_plan_compile */
#include "engine/expression_eval.h" /* the DELETE predicate */
#include "engine/table_writer.h"
#include "io/iceberg_scan.h"
#include "kernels/memory.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

static void message(const floe_eng_output *output, const char *text)
{
    if (output != NULL && output->message != NULL) output->message(output->context, text);
}

/* Opens the statement's table at its current version; dynamic tables are refused. */
static int open_target(floe_eng_database *db, const floe_sql_statement *statement,
                       floe_ice_table **out, floe_error *err)
{
    const floe_sql_name *name = &statement->table;
    unsigned line = (unsigned)name->position.line, column = (unsigned)name->position.column;
    const char *namespace_name = name->namespace_name ? name->namespace_name : "default";
    char directory[PATH_MAX];
    int status = floe_eng_database_table_directory(db, name->namespace_name, name->name,
                                                   directory, sizeof directory, err);
    if (status < 0) {
        floe_error_prefix(err, "line %u, column %u", line, column);
        return status;
    }
    status = floe_ice_table_open(out, directory, NULL, err);
    if (status == FLOE_ENOTFOUND) /* dropped since the statement was bound */
        return floe_error_set(err, status, "line %u, column %u: table %s.%s does not exist", line,
                              column, namespace_name, name->name);
    if (status < 0) return status;
    if (floe_ice_property_get((*out)->metadata, "floe.sql") != NULL) {
        floe_ice_table_free(*out);
        *out = NULL;
        return floe_error_set(err, FLOE_ETYPE, "line %u, column %u: %s.%s is a dynamic table: "
                              "its rows come from its query and cannot be changed by %s",
                              line, column, namespace_name, name->name,
                              statement->kind == FLOE_SQL_STATEMENT_INSERT ? "INSERT" : "DELETE");
    }
    return FLOE_OK;
}

/* A writer for the table whose columns are the bound statement's (the table may have changed
 * between binding and now; its commit then checks the schema id once more). */
static int open_writer(const floe_ice_table *table, const floe_sql_statement *statement,
                       uint32_t bound_columns, floe_eng_table_writer **writer, floe_error *err)
{
    const floe_sql_name *name = &statement->table;
    int status = floe_eng_table_writer_open(writer, table, err);
    if (status < 0) {
        floe_error_prefix(err, "line %u, column %u", (unsigned)name->position.line,
                          (unsigned)name->position.column);
        return status;
    }
    const floe_ice_schema *schema = floe_ice_current_schema(table->metadata);
    if (schema->field_count != bound_columns) {
        floe_eng_table_writer_free(*writer);
        *writer = NULL;
        return floe_error_set(err, FLOE_ECONFLICT, "%s: the table's schema changed while the "
                              "statement was planned; run it again", table->directory);
    }
    return FLOE_OK;
}

/* ---- INSERT ------------------------------------------------------------------------------ */

int floe_eng_execute_insert(floe_eng_database *db, const floe_sql_bound_statement *bound,
                            const floe_eng_output *output, floe_error *err)
{
    floe_ice_table *table = NULL;
    FLOE_TRY(open_target(db, bound->statement, &table, err));
    floe_eng_table_writer *writer = NULL;
    int status = open_writer(table, bound->statement, bound->plan->output.column_count, &writer,
                             err);
    floe_eng_context context;
    floe_eng_database_context_init(db, &context);
    floe_eng_operator *root = NULL;
    if (status == FLOE_OK) status = floe_eng_plan_compile(bound->plan, &context, &root, err);
    while (status == FLOE_OK) {
        floe_batch *batch = NULL;
        status = floe_eng_operator_next(root, &batch, err);
        if (status != FLOE_OK || batch == NULL) break;
        status = floe_eng_table_writer_write(writer, batch, err);
    }
    floe_eng_operator_destroy(root);
    int64_t rows = floe_eng_table_writer_rows(writer);
    if (status == FLOE_OK && rows > 0)
        status = floe_eng_table_writer_commit(writer, NULL, NULL, err);
    floe_eng_table_writer_free(writer); /* removes the files unless they were committed */
    floe_eng_context_fini(&context);
    floe_ice_table_free(table);
    if (status == FLOE_OK) {
        char line[64];
        snprintf(line, sizeof line, "INSERT %" PRId64, rows);
        message(output, line);
    }
    return status;
}

/* ---- DELETE ------------------------------------------------------------------------------ */

typedef struct delete_run {
    const floe_ice_table *table;
    const floe_ice_scan_plan *plan;
    const floe_sql_table *target;         /* the bound columns (field ids) */
    floe_sql_expression *predicate;       /* NULL: every row */
    floe_ice_predicate *pruning;          /* conjuncts of the predicate a reader can prune with */
    size_t pruning_count;
    int64_t *matched_rows;                /* per plan task: rows where the predicate is TRUE */
    size_t task_cursor;                   /* where the last batch's file was found */
    uint16_t matched[FLOE_BATCH_CAPACITY];
    uint16_t survivors[FLOE_BATCH_CAPACITY];
} delete_run;

/* ---- pruning: `column op constant` conjuncts as Iceberg scan predicates ---- */

static bool ice_value(const floe_sql_value *value, floe_ice_value *out)
{
    memset(out, 0, sizeof *out);
    switch (value->type.id) {
    case FLOE_TYPE_BOOLEAN: out->as.boolean = value->as.boolean; return true;
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_DATE: out->as.i32 = value->as.int32; return true;
    case FLOE_TYPE_INT64:
    case FLOE_TYPE_TIMESTAMP:
    case FLOE_TYPE_TIMESTAMPTZ: out->as.i64 = value->as.int64; return true;
    case FLOE_TYPE_DECIMAL:
        if (value->type.precision > FLOE_DECIMAL64_MAX_PRECISION) out->as.i128 = value->as.int128;
        else out->as.i64 = value->as.int64;
        return true;
    case FLOE_TYPE_FLOAT32: out->as.f32 = value->as.float32; return true;
    case FLOE_TYPE_FLOAT64: out->as.f64 = value->as.float64; return true;
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY:
        out->as.bytes = (floe_ice_bytes){(const uint8_t *)value->as.string.bytes,
                                         value->as.string.length};
        return true;
    default: return false;
    }
}

/* One conjunct as a predicate, when it has a form the reader prunes with. */
static bool pruning_predicate(const floe_sql_table *target, const floe_sql_expression *conjunct,
                              floe_ice_predicate *out)
{
    const floe_sql_expression *column = NULL;
    if (conjunct->kind == FLOE_SQL_EXPRESSION_IS_NULL ||
        conjunct->kind == FLOE_SQL_EXPRESSION_IS_NOT_NULL) {
        column = conjunct->children[0];
        if (column->kind != FLOE_SQL_EXPRESSION_COLUMN) return false;
        out->op = conjunct->kind == FLOE_SQL_EXPRESSION_IS_NULL ? FLOE_ICE_PREDICATE_IS_NULL
                                                                 : FLOE_ICE_PREDICATE_NOT_NULL;
    } else if (conjunct->kind == FLOE_SQL_EXPRESSION_BINARY && conjunct->child_count == 2) {
        const floe_sql_expression *left = conjunct->children[0], *right = conjunct->children[1];
        bool flipped = left->kind == FLOE_SQL_EXPRESSION_CONSTANT;
        column = flipped ? right : left;
        const floe_sql_expression *constant = flipped ? left : right;
        if (column->kind != FLOE_SQL_EXPRESSION_COLUMN ||
            constant->kind != FLOE_SQL_EXPRESSION_CONSTANT || constant->constant.is_null ||
            !floe_type_equal(constant->type, column->type))
            return false;
        /* constant < column is column > constant */
        switch (conjunct->operator_kind) {
        case FLOE_SQL_OPERATOR_EQUAL:
            out->op = FLOE_ICE_PREDICATE_EQ;
            break;
        case FLOE_SQL_OPERATOR_LESS:
            out->op = flipped ? FLOE_ICE_PREDICATE_GT : FLOE_ICE_PREDICATE_LT;
            break;
        case FLOE_SQL_OPERATOR_LESS_EQUAL:
            out->op = flipped ? FLOE_ICE_PREDICATE_GE : FLOE_ICE_PREDICATE_LE;
            break;
        case FLOE_SQL_OPERATOR_GREATER:
            out->op = flipped ? FLOE_ICE_PREDICATE_LT : FLOE_ICE_PREDICATE_GT;
            break;
        case FLOE_SQL_OPERATOR_GREATER_EQUAL:
            out->op = flipped ? FLOE_ICE_PREDICATE_LE : FLOE_ICE_PREDICATE_GE;
            break;
        default:
            return false;
        }
        if (!ice_value(&constant->constant, &out->literal)) return false;
    } else {
        return false;
    }
    if (column->column_index >= target->column_count) return false;
    out->field_id = target->columns[column->column_index].field_id;
    return out->field_id >= 0;
}

static int build_pruning(delete_run *run, floe_arena *arena, floe_error *err)
{
    if (run->predicate == NULL) return FLOE_OK;
    floe_sql_expression **conjuncts = NULL;
    uint32_t count = 0, capacity = 0;
    FLOE_TRY(floe_sql_expression_conjuncts(arena, run->predicate, &conjuncts, &count, &capacity));
    run->pruning = floe_arena_alloc(arena, (count ? count : 1) * sizeof *run->pruning);
    FLOE_RETURN_IF(run->pruning == NULL, FLOE_ENOMEM, err, "out of memory");
    for (uint32_t i = 0; i < count; i++)
        if (pruning_predicate(run->target, conjuncts[i], &run->pruning[run->pruning_count]))
            run->pruning_count++;
    return FLOE_OK;
}

/* ---- the two passes ---- */

/* The plan task of the file the reader's last batch came from. The reader reads the plan's
 * tasks in order, so the search starts where the previous one ended. */
static int current_task(delete_run *run, const floe_ice_scan_reader *reader, size_t *task,
                        floe_error *err)
{
    const char *path = floe_ice_scan_reader_current_file(reader);
    size_t count = run->plan->task_count;
    for (size_t step = 0; path != NULL && step < count; step++) {
        size_t i = (run->task_cursor + step) % count;
        if (strcmp(run->plan->tasks[i].data.file->file_path, path) == 0) {
            run->task_cursor = i;
            *task = i;
            return FLOE_OK;
        }
    }
    return floe_error_set(err, FLOE_ECORRUPT, "%s: the scan read file %s, which its plan does "
                          "not list", run->table->directory, path != NULL ? path : "(none)");
}

/* The rows of `batch` where the predicate is TRUE, into run->matched. */
static int match_rows(delete_run *run, floe_eng_expression_state *state, const floe_batch *batch,
                      uint32_t *matched, floe_error *err)
{
    if (state == NULL) {
        uint32_t live = floe_batch_live_count(batch);
        for (uint32_t i = 0; i < live; i++)
            run->matched[i] = (uint16_t)floe_batch_live_row(batch, i);
        *matched = live;
        return FLOE_OK;
    }
    return floe_eng_evaluate_predicate(state, batch, run->matched, matched, err);
}

/* A reader of the statement's snapshot; `paths` (NULL: every file) limits the files, and the
 * pruning predicates skip files and row groups without matches (pass 1 only: pass 2 must see
 * every row of the files it rewrites). */
static int open_reader(delete_run *run, const char *const *paths, size_t path_count, bool prune,
                       floe_ice_scan_reader **reader, floe_batch *batch, floe_error *err)
{
    floe_ice_scan_reader_options options;
    memset(&options, 0, sizeof options);
    options.snapshot_id = run->plan->snapshot_id;
    options.file_paths = paths;
    options.file_path_count = path_count;
    if (prune) {
        options.predicates = run->pruning;
        options.predicate_count = run->pruning_count;
    }
    FLOE_TRY(floe_ice_scan_reader_open(reader, run->table, &options, err));
    return floe_ice_scan_reader_batch_init(*reader, batch, err);
}

/* Pass 1: matching rows per file. */
static int count_matches(delete_run *run, floe_error *err)
{
    floe_ice_scan_reader *reader = NULL;
    floe_batch batch = {0};
    floe_eng_expression_state *state = NULL;
    int status = open_reader(run, NULL, 0, true, &reader, &batch, err);
    if (status == FLOE_OK && run->predicate != NULL)
        status = floe_eng_expression_state_create(run->predicate, &state, err);
    while (status == FLOE_OK) {
        status = floe_ice_scan_reader_next_batch(reader, &batch, err);
        if (status != FLOE_OK || batch.row_count == 0) break;
        size_t task = 0;
        uint32_t matched = 0;
        status = current_task(run, reader, &task, err);
        if (status == FLOE_OK) status = match_rows(run, state, &batch, &matched, err);
        if (status != FLOE_OK) break;
        run->matched_rows[task] += matched;
    }
    floe_eng_expression_state_free(state);
    if (batch.columns != NULL) floe_batch_fini(&batch);
    floe_ice_scan_reader_free(reader);
    return status;
}

/* Whether every row of a file with a match goes, so it is removed without being rewritten:
 * without WHERE, or when the matches are all the file's rows (its record count: pass 1 may
 * have skipped row groups, and delete files make the live count unknown without reading). */
static bool wholly_matched(const delete_run *run, size_t task)
{
    const floe_ice_scan_task *file = &run->plan->tasks[task];
    return run->predicate == NULL ||
           (file->delete_count == 0 && run->matched_rows[task] == file->data.record_count);
}

static bool needs_rewrite(const delete_run *run, size_t task)
{
    return run->matched_rows[task] > 0 && !wholly_matched(run, task);
}

/* Pass 2: the survivors of the files to rewrite into the writer; only those files are read.
 * The predicate must match as many rows as in pass 1 (the same snapshot, read again). */
static int write_survivors(delete_run *run, floe_eng_table_writer *writer, floe_error *err)
{
    floe_ice_scan_reader *reader = NULL;
    floe_batch batch = {0};
    floe_eng_expression_state *state = NULL;
    const char **paths = floe_calloc(run->plan->task_count, sizeof *paths);
    FLOE_RETURN_IF(paths == NULL, FLOE_ENOMEM, err, "out of memory");
    size_t path_count = 0;
    int64_t expected = 0, matched_again = 0;
    for (size_t t = 0; t < run->plan->task_count; t++) {
        if (!needs_rewrite(run, t)) continue;
        paths[path_count++] = run->plan->tasks[t].data.file->file_path;
        expected += run->matched_rows[t];
    }
    int status = open_reader(run, paths, path_count, false, &reader, &batch, err);
    if (status == FLOE_OK && run->predicate != NULL)
        status = floe_eng_expression_state_create(run->predicate, &state, err);
    run->task_cursor = 0;
    while (status == FLOE_OK) {
        status = floe_ice_scan_reader_next_batch(reader, &batch, err);
        if (status != FLOE_OK || batch.row_count == 0) break;
        uint32_t matched = 0;
        status = match_rows(run, state, &batch, &matched, err);
        if (status != FLOE_OK) break;
        matched_again += matched;
        uint32_t live = floe_batch_live_count(&batch), kept = 0, next = 0;
        for (uint32_t i = 0; i < live; i++) {
            uint16_t row = (uint16_t)floe_batch_live_row(&batch, i);
            if (next < matched && run->matched[next] == row) {
                next++;
                continue;
            }
            run->survivors[kept++] = row;
        }
        batch.selection = run->survivors;
        batch.selected_count = kept;
        status = floe_eng_table_writer_write(writer, &batch, err);
    }
    if (status == FLOE_OK && matched_again != expected)
        status = floe_error_set(err, FLOE_ECORRUPT, "%s: reading snapshot %" PRId64 " twice "
                                "matched %" PRId64 " rows, then %" PRId64, run->table->directory,
                                run->plan->snapshot_id, expected, matched_again);
    floe_eng_expression_state_free(state);
    if (batch.columns != NULL) floe_batch_fini(&batch);
    floe_ice_scan_reader_free(reader);
    floe_free(paths);
    return status;
}

/* The paths to remove: every data file with a match, and every delete file whose targets are
 * all among them. *paths points into the plan. */
static int removed_paths(const delete_run *run, const char ***paths, size_t *count,
                         floe_error *err)
{
    const floe_ice_scan_plan *plan = run->plan;
    *count = 0;
    *paths = floe_calloc(plan->task_count + plan->delete_file_count + 1, sizeof **paths);
    bool *keeps = floe_calloc(plan->delete_file_count + 1, sizeof *keeps);   /* a kept target */
    bool *targets = floe_calloc(plan->delete_file_count + 1, sizeof *targets); /* any target */
    int status = FLOE_OK;
    if (*paths == NULL || keeps == NULL || targets == NULL) {
        status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    } else {
        for (size_t t = 0; t < plan->task_count; t++) {
            const floe_ice_scan_task *task = &plan->tasks[t];
            bool removed = run->matched_rows[t] > 0;
            if (removed) (*paths)[(*count)++] = task->data.file->file_path;
            for (size_t d = 0; d < task->delete_count; d++) {
                targets[task->delete_indexes[d]] = true;
                if (!removed) keeps[task->delete_indexes[d]] = true;
            }
        }
        for (size_t d = 0; d < plan->delete_file_count; d++)
            if (targets[d] && !keeps[d])
                (*paths)[(*count)++] = plan->delete_files[d].file->file_path;
    }
    floe_free(keeps);
    floe_free(targets);
    if (status < 0) {
        floe_free(*paths);
        *paths = NULL;
    }
    return status;
}

/* Everything after opening: the passes and the commit. *deleted gets the rows deleted. */
static int run_delete(delete_run *run, floe_eng_table_writer *writer, int64_t *deleted,
                      floe_error *err)
{
    const floe_ice_scan_plan *plan = run->plan;
    *deleted = 0;
    if (plan->task_count == 0) return FLOE_OK;
    if (run->predicate == NULL && plan->delete_file_count == 0) {
        /* Every row of every file goes: the manifests already count them. */
        for (size_t t = 0; t < plan->task_count; t++)
            run->matched_rows[t] = plan->tasks[t].data.record_count;
    } else {
        FLOE_TRY(count_matches(run, err));
    }
    bool rewrite = false;
    for (size_t t = 0; t < plan->task_count; t++) {
        *deleted += run->matched_rows[t];
        rewrite = rewrite || needs_rewrite(run, t);
    }
    if (*deleted == 0) return FLOE_OK;
    if (rewrite) FLOE_TRY(write_survivors(run, writer, err));
    const char **paths = NULL;
    size_t path_count = 0;
    FLOE_TRY(removed_paths(run, &paths, &path_count, err));
    floe_eng_table_commit commit = {NULL, paths, path_count, NULL, 0, 0};
    int status = floe_eng_table_writer_commit(writer, &commit, NULL, err);
    floe_free(paths);
    return status;
}

int floe_eng_execute_delete(floe_eng_database *db, const floe_sql_bound_statement *bound,
                            const floe_eng_output *output, floe_error *err)
{
    floe_ice_table *table = NULL;
    FLOE_TRY(open_target(db, bound->statement, &table, err));
    floe_eng_table_writer *writer = NULL;
    floe_ice_scan_plan *plan = NULL;
    delete_run *run = NULL;
    floe_arena arena;
    floe_arena_init(&arena, 0, 0);
    int64_t deleted = 0;
    int status = open_writer(table, bound->statement, bound->target.column_count, &writer, err);
    if (status == FLOE_OK) status = floe_ice_table_plan_scan(table, -1, &plan, err);
    if (status == FLOE_OK) {
        run = floe_calloc(1, sizeof *run);
        if (run != NULL)
            run->matched_rows = floe_calloc(plan->task_count + 1, sizeof *run->matched_rows);
        if (run == NULL || run->matched_rows == NULL)
            status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    if (status == FLOE_OK) {
        run->table = table;
        run->plan = plan;
        run->target = &bound->target;
        run->predicate = bound->delete_predicate;
        status = build_pruning(run, &arena, err);
    }
    if (status == FLOE_OK) status = run_delete(run, writer, &deleted, err);
    if (run != NULL) floe_free(run->matched_rows);
    floe_free(run);
    floe_arena_fini(&arena);
    floe_ice_scan_plan_free(plan);
    floe_eng_table_writer_free(writer);
    floe_ice_table_free(table);
    if (status == FLOE_OK) {
        char line[64];
        snprintf(line, sizeof line, "DELETE %" PRId64, deleted);
        message(output, line);
    }
    return status;
}
