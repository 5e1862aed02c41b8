/*
 * refresh_rows.c — incremental refresh of non-aggregating dynamic tables: filter / project /
 * UNION ALL over scans, and whatever else engine/delta_plan.h compiles (joins), with no
 * AGGREGATE (contract in engine/refresh_incremental.h and engine/refresh_incremental_int.h;
 * DESIGN.md "Keyed state and output": "Output of a non-aggregating table grows by appended
 * files; its retractions are position-delete files; compaction folds them back").
 *
 * One refresh:
 *   1. Per source, both snapshots are PLANNED (metadata only) and their data files compared by
 *      stored path and applicable delete files, as the change reader will: files live only at
 *      `from` are REMOVED, files whose deletes changed are both RETRACTING and INSERTING, files
 *      live only at `to` are INSERTING. Removed + delete-changed files are the only ones whose
 *      rows the delta can retract.
 *   2. The plan's delta (floe_eng_delta_compile) is drained into D, a group state keyed by every
 *      output column with no aggregate call: the row count of a group is the net weight of that
 *      row value, so + and - of equal rows cancel (a copy-on-write DELETE of one row retracts a
 *      whole source file and inserts it again minus that row: only the row survives in D).
 *   3. Rows of positive net count go, count times each, to ONE new output file (the table's
 *      current schema, Iceberg field ids, `_floe_refresh` = this refresh's number).
 *   4. Rows of negative net count must each cancel a live output row of equal values (NULL
 *      equals NULL, -0.0 equals 0.0, NaN equals NaN: D's grouping). Only the output files whose
 *      lineage meets the retracting source files (or whose lineage is unknown) are read, their
 *      existing position deletes applied, and matched rows are recorded; a retraction left
 *      unmatched is FLOE_ECORRUPT (the stored result no longer is what the last refresh wrote).
 *      Matched positions go to ONE position-delete file (file_path, pos; sorted).
 *   5. Compaction, in the same commit: an output file whose deleted rows exceed half its rows is
 *      rewritten without them (a file left with no row is just removed); when more than
 *      MAX_DELETE_FILES position-delete files would be live, every file with deletes is
 *      rewritten. A delete file no live output file lists any more is removed.
 *   6. A new state manifest (engine/state_store.h, set "rows") lists the live output files with
 *      their rows, deleted rows, delete files and lineage.
 * The rebuild (previous_manifest NULL) streams the whole result into output files of about
 * FLOE_ENG_TABLE_WRITER_FILE_ROWS rows each (no D: every weight is +1) and writes a manifest
 * naming them; the caller removes every file the table had.
 *
 * Lineage. Each output file lists the source data files its rows may come from: the inserting
 * files of the refresh that wrote it (a rebuild: every live source file). A refresh that
 * retracts rows widens the lineage of every file it had to consider (those meeting the
 * retracting files): to the union of their lineages (equal rows are interchangeable, so a match
 * may take a row "from" another file than the retraction's) and this refresh's inserting files
 * (a retraction cancelled in D leaves the old output row standing for the new source row), and
 * drops source files no longer live. Only plans whose rows each come from one source row
 * (SCAN, FILTER, PROJECT, UNION ALL) have lineage; for others (joins) every output file's
 * lineage is unknown, and past MAX_LINEAGE source files it becomes unknown too.
 *
 * Counts (floe_eng_incremental_counts, shared with the aggregating path): state_files_read is
 * the number of output files read to match retractions or to compact, bucket_count the live
 * output files after the refresh, buckets_touched the output files written, rewritten or given
 * position deletes; state_bytes is 0 (no state files).
 *
 * Fallbacks as the aggregating path's: the state manifest missing, unreadable or without the
 * "rows" set, an output file it names unreadable or of other columns, a consumed source
 * snapshot no longer in its history, or the change reader's FLOE_ENOTFOUND.
 */
#define _POSIX_C_SOURCE 200809L

#include "engine/refresh_incremental_int.h"

#include "engine/delta_plan.h"   /* the plan's change */
#include "engine/group_state.h"  /* D: net count per row value */
#include "engine/state_store.h"  /* the manifest's "rows" set */
#include "engine/table_writer.h" /* floe_eng_data_file_entry, FLOE_ENG_TABLE_WRITER_FILE_ROWS */
#include "engine/thread_pool.h"  /* draining the delta in partitions */
#include "io/catalog_fs.h"       /* new file names */
#include "io/fs_util.h"          /* directories */
#include "io/parquet_reader.h"   /* output and delete files in */
#include "io/parquet_writer.h"   /* output and delete files out */
#include "kernels/memory.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum {
    MAX_DELETE_FILES = 32, /* more live position-delete files than this: compact them all */
    MAX_LINEAGE = 4096,    /* source files an output file's lineage lists at most */
};

/* ---- shape -------------------------------------------------------------------------------- */

bool floe_eng_incremental_rows_shape(const floe_sql_plan *plan, const char **construct)
{
    *construct = NULL;
    return floe_eng_delta_supported(plan, construct);
}

/* Whether every output row comes from exactly one source row (lineage can be kept). */
static bool one_source_row_each(const floe_sql_plan *plan)
{
    if (plan->kind != FLOE_SQL_PLAN_SCAN && plan->kind != FLOE_SQL_PLAN_FILTER &&
        plan->kind != FLOE_SQL_PLAN_PROJECT && plan->kind != FLOE_SQL_PLAN_UNION_ALL)
        return false;
    for (uint32_t i = 0; i < plan->input_count; i++)
        if (!one_source_row_each(plan->inputs[i])) return false;
    return true;
}

/* ---- sets of paths ------------------------------------------------------------------------ */

/* Owned copies; sorted and without duplicates after path_set_seal. */
typedef struct path_set {
    char **paths;
    size_t count, capacity;
} path_set;

static void path_set_fini(path_set *set)
{
    for (size_t i = 0; i < set->count; i++) floe_free(set->paths[i]);
    floe_free(set->paths);
    memset(set, 0, sizeof *set);
}

static int path_set_add(path_set *set, const char *path, floe_error *err)
{
    return floe_eng_incremental_add_path(&set->paths, &set->count, &set->capacity, path, err);
}

static int compare_paths(const void *left, const void *right)
{
    return strcmp(*(char *const *)left, *(char *const *)right);
}

static void path_set_seal(path_set *set)
{
    if (set->count == 0) return;
    qsort(set->paths, set->count, sizeof *set->paths, compare_paths);
    size_t kept = 1;
    for (size_t i = 1; i < set->count; i++) {
        if (strcmp(set->paths[i], set->paths[kept - 1]) == 0)
            floe_free(set->paths[i]);
        else
            set->paths[kept++] = set->paths[i];
    }
    set->count = kept;
}

static bool path_set_has(const path_set *set, const char *path)
{
    return set->count > 0 &&
           bsearch(&path, set->paths, set->count, sizeof *set->paths, compare_paths) != NULL;
}

/* ---- which source files change (step 1) --------------------------------------------------- */

typedef struct source_files {
    path_set retracting; /* removed, or their deletes changed */
    path_set inserting;  /* added, or their deletes changed */
    path_set removed;    /* live at `from`, not at `to` */
} source_files;

static void source_files_fini(source_files *files)
{
    path_set_fini(&files->retracting);
    path_set_fini(&files->inserting);
    path_set_fini(&files->removed);
}

typedef struct planned_file {
    const char *path;
    const floe_ice_scan_plan *plan;
    const floe_ice_scan_task *task;
} planned_file;

static int compare_planned(const void *left, const void *right)
{
    return strcmp(((const planned_file *)left)->path, ((const planned_file *)right)->path);
}

static planned_file *planned_files(const floe_ice_scan_plan *plan, size_t *count)
{
    *count = plan != NULL ? plan->task_count : 0;
    planned_file *files = floe_calloc(*count + 1, sizeof *files);
    if (files == NULL) return NULL;
    for (size_t i = 0; i < *count; i++)
        files[i] = (planned_file){plan->tasks[i].data.file->file_path, plan, &plan->tasks[i]};
    qsort(files, *count, sizeof *files, compare_planned);
    return files;
}

static const char *delete_path(const planned_file *file, size_t i)
{
    return file->plan->delete_files[file->task->delete_indexes[i]].file->file_path;
}

/* Whether the same delete files (by stored path) apply to the file at both snapshots. */
static bool same_deletes(const planned_file *from, const planned_file *to)
{
    if (from->task->delete_count != to->task->delete_count) return false;
    for (size_t i = 0; i < from->task->delete_count; i++) {
        bool found = false;
        for (size_t j = 0; j < to->task->delete_count && !found; j++)
            found = strcmp(delete_path(from, i), delete_path(to, j)) == 0;
        if (!found) return false;
    }
    return true;
}

/* Compares the source's data files at from_snapshot_id and to_snapshot_id into `files`. */
static int compare_source(floe_eng_database *db, const floe_eng_delta_source *source,
                          source_files *files, floe_error *err)
{
    floe_ice_table *table = NULL;
    FLOE_TRY(floe_ice_table_open(&table, source->identity, floe_eng_database_warehouse(db), err));
    floe_ice_scan_plan *from_plan = NULL, *to_plan = NULL;
    planned_file *from = NULL, *to = NULL;
    size_t from_count = 0, to_count = 0;
    int status = FLOE_OK;
    /* Files in manifests both snapshots share are the same at both: left out of both plans. */
    int64_t unchanged = 0;
    if (source->to_snapshot_id >= 0)
        status = floe_ice_table_plan_change(table, source->from_snapshot_id,
                                            source->to_snapshot_id, &to_plan, &from_plan,
                                            &unchanged, err);
    else if (source->from_snapshot_id >= 0)
        status = floe_ice_table_plan_scan(table, source->from_snapshot_id, &from_plan, err);
    if (status == FLOE_OK) {
        from = planned_files(from_plan, &from_count);
        to = planned_files(to_plan, &to_count);
        if (from == NULL || to == NULL) status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    size_t i = 0, j = 0;
    while (status == FLOE_OK && (i < from_count || j < to_count)) {
        int order = i == from_count ? 1 : j == to_count ? -1 : strcmp(from[i].path, to[j].path);
        if (order < 0) {
            status = path_set_add(&files->removed, from[i].path, err);
            if (status == FLOE_OK) status = path_set_add(&files->retracting, from[i].path, err);
            i++;
        } else if (order > 0) {
            status = path_set_add(&files->inserting, to[j].path, err);
            j++;
        } else {
            if (!same_deletes(&from[i], &to[j])) {
                status = path_set_add(&files->retracting, from[i].path, err);
                if (status == FLOE_OK) status = path_set_add(&files->inserting, to[j].path, err);
            }
            i++, j++;
        }
    }
    floe_free(from);
    floe_free(to);
    floe_ice_scan_plan_free(from_plan);
    floe_ice_scan_plan_free(to_plan);
    floe_ice_table_free(table);
    return status;
}

/* ---- output files ------------------------------------------------------------------------- */

/* The table's current schema: the query's columns, then `_floe_refresh`. */
typedef struct output_layout {
    floe_pq_write_column *columns;
    floe_type *types;
    uint32_t column_count;  /* query columns + 1 */
    uint32_t query_columns;
} output_layout;

static void layout_fini(output_layout *layout)
{
    floe_free(layout->columns);
    floe_free(layout->types);
    memset(layout, 0, sizeof *layout);
}

static int layout_init(output_layout *layout, const floe_ice_table *table,
                       const floe_sql_plan *plan, floe_error *err)
{
    memset(layout, 0, sizeof *layout);
    const floe_ice_schema *current = floe_ice_current_schema(table->metadata);
    FLOE_RETURN_IF(current == NULL, FLOE_ECORRUPT, err, "%s: no current schema", table->directory);
    FLOE_RETURN_IF(current->field_count != (size_t)plan->output.column_count + 1 ||
                       strcmp(current->fields[current->field_count - 1].name, "_floe_refresh") != 0,
                   FLOE_EINVAL, err,
                   "%s: the table's schema is not the query's %u columns and _floe_refresh",
                   table->directory, plan->output.column_count);
    layout->column_count = (uint32_t)current->field_count;
    layout->query_columns = layout->column_count - 1;
    layout->columns = floe_calloc(layout->column_count, sizeof *layout->columns);
    layout->types = floe_calloc(layout->column_count, sizeof *layout->types);
    FLOE_RETURN_IF(layout->columns == NULL || layout->types == NULL, FLOE_ENOMEM, err,
                   "out of memory");
    for (uint32_t i = 0; i < layout->column_count; i++) {
        const floe_ice_field *field = &current->fields[i];
        FLOE_TRY(floe_ice_field_floe_type(field, &layout->types[i], err));
        layout->columns[i] = (floe_pq_write_column){field->name, layout->types[i],
                                                    !field->required, field->id};
    }
    return FLOE_OK;
}

/* A new file in the table's data/ folder, recorded in inc->outputs (so it is deleted unless
 * committed); *index is its place there. */
static int new_output(floe_eng_incremental *inc, const char *prefix,
                      const floe_pq_write_schema *schema, size_t *index, floe_pq_writer **writer,
                      floe_error *err)
{
    *writer = NULL;
    if (inc->output_count == inc->output_capacity) {
        size_t grown = inc->output_capacity ? inc->output_capacity * 2 : 8;
        floe_eng_incremental_output *larger = floe_realloc(inc->outputs, grown * sizeof *larger);
        FLOE_RETURN_IF(larger == NULL, FLOE_ENOMEM, err, "out of memory");
        inc->outputs = larger;
        inc->output_capacity = grown;
    }
    char data[PATH_MAX], path[PATH_MAX];
    FLOE_TRY(floe_io_path_join(data, sizeof data, inc->directory, "data", err));
    FLOE_TRY(floe_io_make_directories(data, err));
    FLOE_TRY(floe_io_catalog_new_file_path(inc->directory, "data", prefix, ".parquet", path,
                                           sizeof path, err));
    floe_eng_incremental_output *file = &inc->outputs[inc->output_count];
    memset(file, 0, sizeof *file);
    file->path = floe_eng_incremental_copy_text(path);
    FLOE_RETURN_IF(file->path == NULL, FLOE_ENOMEM, err, "out of memory");
    *index = inc->output_count++;
    floe_pq_write_options options;
    floe_eng_incremental_output_options(&options);
    return floe_pq_writer_create(writer, path, schema, &options, err);
}

/* Closes output *index; a file with rows gets its manifest entry (`content`), an empty one is
 * deleted and forgotten. *rows: the rows it holds. */
static int end_output(floe_eng_incremental *inc, size_t index, floe_pq_writer *writer,
                      const floe_pq_write_column *columns, int32_t content, int64_t *rows,
                      floe_error *err)
{
    floe_pq_write_result result;
    int status = floe_pq_writer_close(writer, &result, err);
    floe_eng_incremental_output *file = &inc->outputs[index];
    *rows = status == FLOE_OK ? (int64_t)result.row_count : 0;
    if (status == FLOE_OK && *rows > 0) floe_io_start_writeback(file->path); /* the commit syncs */
    if (status == FLOE_OK && *rows > 0)
        status = floe_eng_data_file_entry_build(&file->entry, file->path, columns, &result, err);
    if (status == FLOE_OK) file->entry.data.content = content;
    floe_pq_writer_free(writer);
    if (status == FLOE_OK && *rows == 0 && index + 1 == inc->output_count) {
        inc->output_count--;
        floe_eng_incremental_output_file_fini(file, true);
    }
    return status;
}

/* Writes a batch of the query's columns plus one last column (views): the lineage column of an
 * output file, or the weights of the changelog. */
static int write_rows(floe_pq_writer *writer, const floe_batch *batch, uint32_t query_columns,
                      floe_vector *columns, const floe_vector *last_column, floe_error *err)
{
    FLOE_RETURN_IF(batch->column_count != query_columns, FLOE_ETYPE, err,
                   "a batch of %u columns, expected %u", batch->column_count, query_columns);
    for (uint32_t i = 0; i < query_columns; i++) columns[i] = batch->columns[i];
    columns[query_columns] = *last_column;
    floe_batch view = *batch;
    view.column_count = query_columns + 1;
    view.columns = columns;
    view.weights = NULL;
    return floe_pq_writer_write_batch(writer, &view, err);
}

/* ---- the run ------------------------------------------------------------------------------ */

typedef struct run_state {
    floe_eng_incremental *inc;
    const floe_sql_plan *plan;
    int64_t refresh_number;
    bool lineage;                        /* one_source_row_each(plan) */
    output_layout layout;
    floe_pq_write_schema schema;
    floe_vector refresh_column;          /* refresh_number in every row */
    bool refresh_ready;
    floe_vector *view_columns;           /* query columns + the lineage column */
    source_files changed;
    floe_eng_state_manifest previous;
    const floe_eng_state_set *old_set;
    floe_eng_state_set *new_set;
    floe_eng_context context;
    floe_eng_group_state *delta;         /* D */
    floe_eng_group_state_flat flat;      /* D exported */
    const floe_vector **keys;            /* per query column */
} run_state;

static void run_fini(run_state *run)
{
    layout_fini(&run->layout);
    if (run->refresh_ready) floe_vector_fini(&run->refresh_column);
    floe_free(run->view_columns);
    source_files_fini(&run->changed);
    floe_eng_state_manifest_fini(&run->previous);
    floe_eng_group_state_flat_fini(&run->flat);
    floe_eng_group_state_free(run->delta);
    floe_free(run->keys);
    floe_eng_context_fini(&run->context);
}

static int run_init(run_state *run, const floe_ice_table *table, floe_error *err)
{
    FLOE_TRY(layout_init(&run->layout, table, run->plan, err));
    run->schema = (floe_pq_write_schema){run->layout.columns, run->layout.column_count, NULL,
                                         NULL, 0};
    FLOE_TRY(floe_vector_init(&run->refresh_column, floe_type_make(FLOE_TYPE_INT64),
                              FLOE_BATCH_CAPACITY, err));
    run->refresh_ready = true;
    int64_t *values = run->refresh_column.data;
    for (uint32_t i = 0; i < FLOE_BATCH_CAPACITY; i++) values[i] = run->refresh_number;
    run->view_columns = floe_calloc(run->layout.column_count + 1, sizeof *run->view_columns);
    run->keys = floe_calloc(run->layout.query_columns + 1, sizeof *run->keys);
    FLOE_RETURN_IF(run->view_columns == NULL || run->keys == NULL, FLOE_ENOMEM, err,
                   "out of memory");
    return FLOE_OK;
}

/* The lineage of a file written from this refresh's change (borrowed strings). */
static void fresh_file(const run_state *run, floe_eng_state_output_file *file)
{
    file->sources_known = run->lineage && run->changed.inserting.count <= MAX_LINEAGE;
    file->sources = file->sources_known ? run->changed.inserting.paths : NULL;
    file->source_count = file->sources_known ? (uint32_t)run->changed.inserting.count : 0;
}

/* Records output *index (rows > 0) in the new set with the given lineage. */
static int record_output(run_state *run, size_t index, int64_t rows,
                         const floe_eng_state_output_file *lineage, floe_error *err)
{
    floe_eng_state_output_file file = *lineage;
    file.path = run->inc->outputs[index].path;
    file.rows = rows;
    file.deleted_rows = 0;
    file.deletes = NULL;
    file.delete_count = 0;
    run->inc->counts.rows_written += rows;
    run->inc->counts.buckets_touched++;
    return floe_eng_state_set_add_file(run->new_set, &file, err);
}

/* The rebuild: the delta from the empty tables, all +1, streamed into files of about
 * FLOE_ENG_TABLE_WRITER_FILE_ROWS rows. */
static int drain_rebuild(run_state *run, floe_eng_operator *input, floe_error *err)
{
    floe_eng_state_output_file lineage = {0};
    fresh_file(run, &lineage);
    floe_pq_writer *writer = NULL;
    size_t index = 0;
    int64_t in_file = 0;
    int status = FLOE_OK;
    for (;;) {
        floe_batch *batch = NULL;
        status = floe_eng_operator_next(input, &batch, err);
        if (status != FLOE_OK || batch == NULL) break;
        uint32_t live = floe_batch_live_count(batch);
        for (uint32_t i = 0; batch->weights != NULL && i < live && status == FLOE_OK; i++) {
            int64_t weight = batch->weights[floe_batch_live_row(batch, i)];
            if (weight != 1)
                status = floe_error_set(err, FLOE_ECORRUPT,
                                        "rebuild: the change from the empty table has a row of "
                                        "weight %" PRId64, weight);
        }
        if (status == FLOE_OK && live > 0 && writer == NULL)
            status = new_output(run->inc, "floe-", &run->schema, &index, &writer, err);
        if (status == FLOE_OK && live > 0)
            status = write_rows(writer, batch, run->layout.query_columns, run->view_columns,
                                &run->refresh_column, err);
        if (status != FLOE_OK) break;
        in_file += live;
        if (in_file < FLOE_ENG_TABLE_WRITER_FILE_ROWS) continue;
        int64_t rows = 0;
        status = end_output(run->inc, index, writer, run->layout.columns, FLOE_ICE_CONTENT_DATA,
                            &rows, err);
        writer = NULL;
        in_file = 0;
        if (status == FLOE_OK && rows > 0) status = record_output(run, index, rows, &lineage, err);
        if (status != FLOE_OK) break;
    }
    if (status != FLOE_OK || writer == NULL) {
        floe_pq_writer_free(writer);
        return status;
    }
    int64_t rows = 0;
    FLOE_TRY(end_output(run->inc, index, writer, run->layout.columns, FLOE_ICE_CONTENT_DATA,
                        &rows, err));
    return rows > 0 ? record_output(run, index, rows, &lineage, err) : FLOE_OK;
}

/* Folds the rows of `input` into *state (created here): net count per row value. */
static int fold_rows(const run_state *run, floe_eng_operator *input, floe_eng_context *context,
                     floe_eng_group_state **state, floe_error *err)
{
    uint32_t columns = run->layout.query_columns;
    FLOE_TRY(floe_eng_group_state_create(run->layout.types, columns, NULL, 0, context, state,
                                         err));
    const floe_vector **keys = floe_calloc(columns + 1, sizeof *keys);
    FLOE_RETURN_IF(keys == NULL, FLOE_ENOMEM, err, "out of memory");
    int status = FLOE_OK;
    for (;;) {
        floe_batch *batch = NULL;
        status = floe_eng_operator_next(input, &batch, err);
        if (status != FLOE_OK || batch == NULL) break;
        uint32_t live = floe_batch_live_count(batch);
        if (live == 0) continue;
        if (batch->column_count != columns) {
            status = floe_error_set(err, FLOE_ETYPE, "a batch of %u columns, expected %u",
                                    batch->column_count, columns);
            break;
        }
        for (uint32_t i = 0; i < columns; i++) keys[i] = &batch->columns[i];
        status = floe_eng_group_state_update(*state, keys, NULL, batch->weights,
                                             batch->selection, live, err);
        if (status != FLOE_OK) break;
    }
    floe_free(keys);
    return status;
}

/* The partitions of a parallel drain and the state each folds into. */
typedef struct delta_parts {
    run_state *run;
    floe_eng_operator **inputs;
    floe_eng_group_state **states;
    uint32_t count;
    atomic_uint next;
} delta_parts;

static int fold_parts(void *argument, char *note, floe_error *err)
{
    (void)note;
    delta_parts *parts = argument;
    for (;;) {
        uint32_t p = atomic_fetch_add(&parts->next, 1);
        if (p >= parts->count) return FLOE_OK;
        FLOE_TRY(fold_rows(parts->run, parts->inputs[p], &parts->run->context,
                           &parts->states[p], err));
    }
}

/* Folds the delta into D (step 2). A change of more than FLOE_ENG_PARALLEL_DRAIN_ROWS rows
 * drains on the context's threads: one partition of the delta per thread (delta_plan.h), each
 * into its own state, merged in partition order so D does not depend on which thread was
 * faster. A plan with a join stays on one thread unless its change outweighs the join's build
 * side, which every partition reads whole (floe_eng_incremental_drain_partitions). */
static int drain_delta(floe_eng_database *db, run_state *run,
                       const floe_eng_delta_source *versions, uint32_t source_count,
                       floe_error *err)
{
    uint32_t count = 1;
    FLOE_TRY(floe_eng_incremental_drain_partitions(db, run->plan, versions, source_count,
                                                   run->context.thread_count, &count, err));
    delta_parts parts = {.run = run, .count = count};
    parts.inputs = floe_calloc(count, sizeof *parts.inputs);
    parts.states = floe_calloc(count, sizeof *parts.states);
    int status = parts.inputs != NULL && parts.states != NULL
                     ? FLOE_OK
                     : floe_error_set(err, FLOE_ENOMEM, "out of memory");
    for (uint32_t p = 0; p < count && status == FLOE_OK; p++)
        status = floe_eng_delta_compile_partition(run->plan, versions, source_count,
                                                  &run->context, p, count, &parts.inputs[p], err);
    if (status == FLOE_OK)
        status = floe_eng_run_on_threads(count, fold_parts, &parts, NULL,
                                         FLOE_ENG_FALLBACK_SIZE, err);
    for (uint32_t p = 1; p < count && status == FLOE_OK; p++)
        status = floe_eng_group_state_merge(parts.states[0], parts.states[p], err);
    if (status == FLOE_OK) {
        run->delta = parts.states[0];
        parts.states[0] = NULL;
    }
    for (uint32_t p = 0; p < count && parts.inputs != NULL; p++)
        floe_eng_operator_destroy(parts.inputs[p]);
    for (uint32_t p = 0; p < count && parts.states != NULL; p++)
        floe_eng_group_state_free(parts.states[p]);
    floe_free(parts.inputs);
    floe_free(parts.states);
    FLOE_TRY(status);
    FLOE_TRY(floe_eng_group_state_remove_empty_groups(run->delta, err));
    return floe_eng_group_state_export(run->delta, &run->flat, err);
}

/* Writes D's groups `ids` (a group once per copy) through `rows`. */
static int emit_rows(run_state *run, const uint32_t *ids, uint32_t count, floe_batch *rows,
                     floe_pq_writer *writer, floe_error *err)
{
    FLOE_TRY(floe_eng_group_state_emit_groups(run->delta, ids, count, rows, err));
    return write_rows(writer, rows, run->layout.query_columns, run->view_columns,
                      &run->refresh_column, err);
}

/* Step 3: D's rows of positive count into one new output file. */
static int write_inserts(run_state *run, floe_error *err)
{
    const floe_eng_group_state_flat *flat = &run->flat;
    bool any = false;
    for (uint32_t g = 0; g < flat->group_count && !any; g++) any = flat->row_counts[g] > 0;
    if (!any) return FLOE_OK;
    floe_batch rows;
    FLOE_TRY(floe_batch_init(&rows, run->layout.query_columns, run->layout.types, err));
    floe_pq_writer *writer = NULL;
    size_t index = 0;
    int status = new_output(run->inc, "floe-", &run->schema, &index, &writer, err);
    uint32_t ids[FLOE_BATCH_CAPACITY];
    uint32_t count = 0;
    for (uint32_t g = 0; status == FLOE_OK && g < flat->group_count; g++) {
        for (int64_t copy = 0; copy < flat->row_counts[g] && status == FLOE_OK; copy++) {
            ids[count++] = g;
            if (count == FLOE_BATCH_CAPACITY) {
                status = emit_rows(run, ids, count, &rows, writer, err);
                count = 0;
            }
        }
    }
    if (status == FLOE_OK && count > 0) status = emit_rows(run, ids, count, &rows, writer, err);
    floe_batch_fini(&rows);
    if (status != FLOE_OK) {
        floe_pq_writer_free(writer);
        return status;
    }
    int64_t written = 0;
    FLOE_TRY(end_output(run->inc, index, writer, run->layout.columns, FLOE_ICE_CONTENT_DATA,
                        &written, err));
    floe_eng_state_output_file lineage = {0};
    fresh_file(run, &lineage);
    return written > 0 ? record_output(run, index, written, &lineage, err) : FLOE_OK;
}

/* The changelog (refresh_incremental.h, "Changelog"): D as it is, each row with its net count
 * as weight, since D is exactly the change of the table's rows (`_floe_refresh` aside). Written
 * by every incremental refresh, even with no rows, so a downstream table finds one for every
 * snapshot it walks. */
static int write_changelog(run_state *run, floe_error *err)
{
    const floe_eng_group_state_flat *flat = &run->flat;
    floe_pq_writer *writer = NULL;
    char folder[PATH_MAX];
    int status = floe_eng_incremental_changelog_create(run->inc, run->layout.columns,
                                                       run->layout.query_columns, &writer,
                                                       folder, sizeof folder, err);
    floe_batch rows;
    bool rows_ready = false;
    floe_vector weights;
    bool weights_ready = false;
    /* Its own view of the columns: it runs beside write_inserts, which uses the run's. */
    floe_vector *view_columns = NULL;
    if (status == FLOE_OK) {
        view_columns = floe_calloc(run->layout.query_columns + 1, sizeof *view_columns);
        if (view_columns == NULL) status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    if (status == FLOE_OK) {
        status = floe_batch_init(&rows, run->layout.query_columns, run->layout.types, err);
        rows_ready = status == FLOE_OK;
    }
    if (status == FLOE_OK) {
        status = floe_vector_init(&weights, floe_type_make(FLOE_TYPE_INT64), FLOE_BATCH_CAPACITY,
                                  err);
        weights_ready = status == FLOE_OK;
    }
    uint32_t ids[FLOE_BATCH_CAPACITY];
    uint32_t count = 0;
    int64_t written = 0;
    for (uint32_t g = 0; status == FLOE_OK && g <= flat->group_count; g++) {
        bool last = g == flat->group_count;
        if (!last && flat->row_counts[g] != 0) {
            ((int64_t *)weights.data)[count] = flat->row_counts[g];
            ids[count++] = g;
        }
        if (count == 0 || (count < FLOE_BATCH_CAPACITY && !last)) continue;
        status = floe_eng_group_state_emit_groups(run->delta, ids, count, &rows, err);
        if (status == FLOE_OK)
            status = write_rows(writer, &rows, run->layout.query_columns, view_columns,
                                &weights, err);
        written += count;
        count = 0;
    }
    if (status == FLOE_OK)
        status = floe_eng_incremental_changelog_finish(run->inc, writer, folder, written, err);
    if (weights_ready) floe_vector_fini(&weights);
    if (rows_ready) floe_batch_fini(&rows);
    floe_free(view_columns);
    floe_pq_writer_free(writer);
    return status;
}

/* The two files a refresh writes from D alone, each taken by one thread. */
typedef struct delta_files {
    run_state *run;
    atomic_uint next;
} delta_files;

static int write_delta_file(void *argument, char *note, floe_error *err)
{
    (void)note;
    delta_files *files = argument;
    for (;;) {
        uint32_t file = atomic_fetch_add(&files->next, 1);
        if (file == 0) FLOE_TRY(write_inserts(files->run, err));
        else if (file == 1) FLOE_TRY(write_changelog(files->run, err));
        else return FLOE_OK;
    }
}

/* Steps 3 and the changelog, side by side: both only read D and the run's layout, and touch
 * different parts of inc (its outputs; its changelog path and count), so on two threads they
 * cost the longer of the two, each file's encoding, compression and fsync included. */
static int write_delta_files(run_state *run, floe_error *err)
{
    delta_files files = {.run = run};
    atomic_init(&files.next, 0);
    return floe_eng_run_on_threads(run->context.thread_count > 1 ? 2 : 1, write_delta_file,
                                   &files, NULL, FLOE_ENG_FALLBACK_SIZE, err);
}

/* ---- matching retractions (step 4) -------------------------------------------------------- */

/* D's groups of negative count, found by hash and value. */
typedef struct retraction_index {
    uint32_t *slots;   /* group + 1; 0: empty */
    uint64_t mask;
    int64_t *needed;   /* per group: rows still to retract */
    int64_t outstanding;
} retraction_index;

static void index_fini(retraction_index *index)
{
    floe_free(index->slots);
    floe_free(index->needed);
    memset(index, 0, sizeof *index);
}

static int index_init(retraction_index *index, const floe_eng_group_state_flat *flat,
                      floe_error *err)
{
    memset(index, 0, sizeof *index);
    uint64_t retracted = 0;
    for (uint32_t g = 0; g < flat->group_count; g++) retracted += flat->row_counts[g] < 0;
    if (retracted == 0) return FLOE_OK;
    uint64_t size = 16;
    while (size < 2 * retracted) size *= 2;
    index->mask = size - 1;
    index->slots = floe_calloc(size, sizeof *index->slots);
    index->needed = floe_calloc((size_t)flat->group_count + 1, sizeof *index->needed);
    FLOE_RETURN_IF(index->slots == NULL || index->needed == NULL, FLOE_ENOMEM, err,
                   "out of memory");
    for (uint32_t g = 0; g < flat->group_count; g++) {
        if (flat->row_counts[g] >= 0) continue;
        index->needed[g] = -flat->row_counts[g];
        index->outstanding += index->needed[g];
        uint64_t slot = flat->hashes[g] & index->mask;
        while (index->slots[slot] != 0) slot = (slot + 1) & index->mask;
        index->slots[slot] = g + 1;
    }
    return FLOE_OK;
}

static bool floats_equal(double left, double right)
{
    return left == right || (isnan(left) && isnan(right));
}

/* SQL equality as D groups: NULL equals NULL, -0.0 equals 0.0, every NaN equals every NaN. */
static bool values_equal(const floe_vector *left, uint32_t left_row, const floe_vector *right,
                         uint32_t right_row)
{
    bool left_null = floe_vector_is_null(left, left_row);
    bool right_null = floe_vector_is_null(right, right_row);
    if (left_null || right_null) return left_null && right_null;
    switch (left->type.id) {
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY: {
        uint32_t left_length = 0, right_length = 0;
        const unsigned char *left_bytes = floe_vector_string(left, left_row, &left_length);
        const unsigned char *right_bytes = floe_vector_string(right, right_row, &right_length);
        return left_length == right_length &&
               (left_length == 0 || memcmp(left_bytes, right_bytes, left_length) == 0);
    }
    case FLOE_TYPE_FLOAT32:
        return floats_equal(((const float *)left->data)[left_row],
                            ((const float *)right->data)[right_row]);
    case FLOE_TYPE_FLOAT64:
        return floats_equal(((const double *)left->data)[left_row],
                            ((const double *)right->data)[right_row]);
    default: {
        size_t width = floe_type_width(left->type);
        return memcmp((const char *)left->data + (size_t)left_row * width,
                      (const char *)right->data + (size_t)right_row * width, width) == 0;
    }
    }
}

/* The retracted group equal to row `row` of `columns`, or UINT32_MAX. */
static uint32_t index_find(const retraction_index *index, const floe_eng_group_state_flat *flat,
                           uint32_t column_count, const floe_vector *columns, uint32_t row,
                           uint64_t hash)
{
    for (uint64_t slot = hash & index->mask; index->slots[slot] != 0;
         slot = (slot + 1) & index->mask) {
        uint32_t g = index->slots[slot] - 1;
        if (flat->hashes[g] != hash) continue;
        bool equal = true;
        for (uint32_t c = 0; c < column_count && equal; c++)
            equal = values_equal(&flat->keys[c], g, &columns[c], row);
        if (equal) return g;
    }
    return UINT32_MAX;
}

/* What one refresh does to one old output file. */
typedef struct file_work {
    const floe_eng_state_output_file *old;
    bool considered;       /* its lineage meets the retracting source files (or is unknown) */
    uint8_t *deleted;      /* per row once read: 0 live, 1 deleted before, 2 deleted now */
    int64_t newly_deleted;
    bool gets_deletes;     /* newly deleted rows go to this refresh's delete file */
    bool rewrite;          /* compacted: rewritten without its deleted rows */
    bool dropped;          /* every row deleted: removed */
} file_work;

/* Marks in work->deleted the rows of work->old its position delete files delete. */
static int read_deleted(file_work *work, char *fallback, floe_error *err)
{
    const floe_eng_state_output_file *old = work->old;
    work->deleted = floe_calloc((size_t)old->rows + 1, 1);
    FLOE_RETURN_IF(work->deleted == NULL, FLOE_ENOMEM, err, "out of memory");
    static const char *const delete_columns[] = {"file_path", "pos"};
    floe_pq_reader_options options = {.column_names = delete_columns, .column_name_count = 2};
    size_t path_length = strlen(old->path);
    for (uint32_t d = 0; d < old->delete_count; d++) {
        floe_pq_reader *reader = NULL;
        floe_error file_err;
        floe_error_clear(&file_err);
        int status = floe_pq_reader_open(&reader, old->deletes[d], &options, &file_err);
        floe_batch batch;
        bool batch_ready = false;
        if (status == FLOE_OK) {
            status = floe_pq_reader_batch_init(reader, &batch, &file_err);
            batch_ready = status == FLOE_OK;
        }
        uint32_t count = 0;
        const floe_pq_reader_column *columns =
            status == FLOE_OK ? floe_pq_reader_schema(reader, &count) : NULL;
        if (status == FLOE_OK && (columns[0].type.id != FLOE_TYPE_STRING ||
                                  columns[1].type.id != FLOE_TYPE_INT64))
            status = floe_error_set(&file_err, FLOE_ECORRUPT,
                                    "%s: not a position delete file (file_path, pos)",
                                    old->deletes[d]);
        while (status == FLOE_OK) {
            status = floe_pq_reader_next_batch(reader, &batch, &file_err);
            if (status != FLOE_OK || batch.row_count == 0) break;
            const int64_t *positions = batch.columns[1].data;
            for (uint32_t row = 0; row < batch.row_count && status == FLOE_OK; row++) {
                uint32_t length = 0;
                const unsigned char *path = floe_vector_string(&batch.columns[0], row, &length);
                if (length != path_length || memcmp(path, old->path, length) != 0) continue;
                if (positions[row] < 0 || positions[row] >= old->rows)
                    status = floe_error_set(&file_err, FLOE_ECORRUPT,
                                            "%s: position %" PRId64 " is past the %" PRId64
                                            " rows of %s",
                                            old->deletes[d], positions[row], old->rows, old->path);
                else
                    work->deleted[positions[row]] = 1;
            }
        }
        if (batch_ready) floe_batch_fini(&batch);
        floe_pq_reader_free(reader);
        if (status == FLOE_ENOMEM) return floe_error_set(err, status, "%s", file_err.message);
        if (status != FLOE_OK) {
            floe_eng_incremental_fallback(fallback, "output deletes unusable: %s",
                                          file_err.message);
            return FLOE_OK;
        }
    }
    return FLOE_OK;
}

/* Opens an old output file and checks it has the table's columns; a file that cannot be read
 * or has others sets `fallback`. */
static int open_output(const run_state *run, const floe_eng_state_output_file *old,
                       floe_pq_reader **reader, char *fallback, floe_error *err)
{
    floe_error file_err;
    floe_error_clear(&file_err);
    int status = floe_pq_reader_open(reader, old->path, NULL, &file_err);
    if (status == FLOE_OK) {
        uint32_t count = 0;
        const floe_pq_reader_column *columns = floe_pq_reader_schema(*reader, &count);
        bool same = count == run->layout.column_count;
        for (uint32_t i = 0; same && i < count; i++)
            same = floe_type_equal(columns[i].type, run->layout.types[i]);
        if (!same)
            status = floe_error_set(&file_err, FLOE_ETYPE, "%s: not of the table's columns",
                                    old->path);
    }
    if (status == FLOE_ENOMEM) return floe_error_set(err, status, "%s", file_err.message);
    if (status != FLOE_OK) {
        floe_pq_reader_free(*reader);
        *reader = NULL;
        floe_eng_incremental_fallback(fallback, "output file unusable: %s", file_err.message);
    }
    return FLOE_OK;
}

/* Matches the index's outstanding retractions against the live rows of one old file. */
static int match_file(run_state *run, retraction_index *index, file_work *work, char *fallback,
                      floe_error *err)
{
    FLOE_TRY(read_deleted(work, fallback, err));
    if (fallback[0] != '\0') return FLOE_OK;
    floe_pq_reader *reader = NULL;
    FLOE_TRY(open_output(run, work->old, &reader, fallback, err));
    if (reader == NULL) return FLOE_OK;
    run->inc->counts.state_files_read++;
    uint64_t *hashes = floe_malloc(FLOE_BATCH_CAPACITY * sizeof *hashes);
    floe_batch batch;
    bool batch_ready = false;
    int status = hashes != NULL ? floe_pq_reader_batch_init(reader, &batch, err)
                                : floe_error_set(err, FLOE_ENOMEM, "out of memory");
    batch_ready = status == FLOE_OK && hashes != NULL;
    int64_t position = 0;
    while (status == FLOE_OK && index->outstanding > 0) {
        status = floe_pq_reader_next_batch(reader, &batch, err);
        if (status != FLOE_OK || batch.row_count == 0) break;
        if (position + batch.row_count > work->old->rows) {
            status = floe_error_set(err, FLOE_ECORRUPT, "%s holds more than the %" PRId64
                                    " rows the state manifest says", work->old->path,
                                    work->old->rows);
            break;
        }
        for (uint32_t i = 0; i < run->layout.query_columns; i++) run->keys[i] = &batch.columns[i];
        status = floe_eng_group_state_hash_keys(run->delta, run->keys, NULL, batch.row_count,
                                                hashes, err);
        for (uint32_t row = 0; status == FLOE_OK && row < batch.row_count; row++) {
            if (work->deleted[position + row] != 0) continue;
            uint32_t g = index_find(index, &run->flat, run->layout.query_columns, batch.columns,
                                    row, hashes[row]);
            if (g == UINT32_MAX || index->needed[g] == 0) continue;
            index->needed[g]--;
            index->outstanding--;
            work->deleted[position + row] = 2;
            work->newly_deleted++;
        }
        position += batch.row_count;
    }
    if (batch_ready) floe_batch_fini(&batch);
    floe_free(hashes);
    floe_pq_reader_free(reader);
    return status;
}

/* ---- compaction and the delete file (step 5) ---------------------------------------------- */

/* Rewrites work->old without its deleted rows (keeping each row's _floe_refresh). */
static int rewrite_file(run_state *run, file_work *work, char *fallback, floe_error *err)
{
    if (work->deleted == NULL) {
        FLOE_TRY(read_deleted(work, fallback, err));
        if (fallback[0] != '\0') return FLOE_OK;
    }
    floe_pq_reader *reader = NULL;
    FLOE_TRY(open_output(run, work->old, &reader, fallback, err));
    if (reader == NULL) return FLOE_OK;
    run->inc->counts.state_files_read++;
    floe_pq_writer *writer = NULL;
    size_t index = 0;
    floe_batch batch;
    bool batch_ready = false;
    int status = floe_pq_reader_batch_init(reader, &batch, err);
    batch_ready = status == FLOE_OK;
    if (status == FLOE_OK)
        status = new_output(run->inc, "floe-", &run->schema, &index, &writer, err);
    int64_t position = 0;
    while (status == FLOE_OK) {
        status = floe_pq_reader_next_batch(reader, &batch, err);
        if (status != FLOE_OK || batch.row_count == 0) break;
        if (position + batch.row_count > work->old->rows) {
            status = floe_error_set(err, FLOE_ECORRUPT, "%s holds more than the %" PRId64
                                    " rows the state manifest says", work->old->path,
                                    work->old->rows);
            break;
        }
        uint32_t kept = 0;
        for (uint32_t row = 0; row < batch.row_count; row++)
            if (work->deleted[position + row] == 0) batch.selection_storage[kept++] = (uint16_t)row;
        position += batch.row_count;
        if (kept == 0) continue;
        batch.selection = batch.selection_storage;
        batch.selected_count = kept;
        status = floe_pq_writer_write_batch(writer, &batch, err);
    }
    if (batch_ready) floe_batch_fini(&batch);
    floe_pq_reader_free(reader);
    if (status != FLOE_OK) {
        floe_pq_writer_free(writer);
        return status;
    }
    int64_t rows = 0;
    FLOE_TRY(end_output(run->inc, index, writer, run->layout.columns, FLOE_ICE_CONTENT_DATA,
                        &rows, err));
    if (rows == 0) return FLOE_OK;
    floe_eng_state_output_file file = *work->old;
    file.path = run->inc->outputs[index].path;
    file.rows = rows;
    file.deleted_rows = 0;
    file.deletes = NULL;
    file.delete_count = 0;
    run->inc->counts.rows_written += rows;
    run->inc->counts.buckets_touched++;
    return floe_eng_state_set_add_file(run->new_set, &file, err);
}

typedef struct delete_row {
    const char *path;
    int64_t position;
} delete_row;

static int compare_delete_rows(const void *left, const void *right)
{
    const delete_row *a = left, *b = right;
    int order = strcmp(a->path, b->path);
    if (order != 0) return order;
    return (a->position > b->position) - (a->position < b->position);
}

/* Writes this refresh's position delete file (the rows of every file with gets_deletes, sorted
 * by path then position); *path_out its path (owned by inc->outputs). */
static int write_delete_file(run_state *run, file_work *works, uint32_t work_count,
                             const char **path_out, floe_error *err)
{
    *path_out = NULL;
    size_t total = 0;
    for (uint32_t f = 0; f < work_count; f++)
        if (works[f].gets_deletes) total += (size_t)works[f].newly_deleted;
    if (total == 0) return FLOE_OK;
    delete_row *rows = floe_malloc(total * sizeof *rows);
    FLOE_RETURN_IF(rows == NULL, FLOE_ENOMEM, err, "out of memory");
    size_t count = 0;
    for (uint32_t f = 0; f < work_count; f++) {
        if (!works[f].gets_deletes) continue;
        for (int64_t row = 0; row < works[f].old->rows; row++)
            if (works[f].deleted[row] == 2) rows[count++] = (delete_row){works[f].old->path, row};
    }
    qsort(rows, count, sizeof *rows, compare_delete_rows);
    floe_pq_write_column columns[2];
    floe_eng_incremental_delete_columns(columns);
    floe_type types[2] = {columns[0].type, columns[1].type};
    floe_pq_write_schema schema = {columns, 2, NULL, NULL, 0};
    floe_batch batch;
    int status = floe_batch_init(&batch, 2, types, err);
    if (status != FLOE_OK) {
        floe_free(rows);
        return status;
    }
    floe_pq_writer *writer = NULL;
    size_t index = 0;
    status = new_output(run->inc, "floe-deletes-", &schema, &index, &writer, err);
    for (size_t i = 0; status == FLOE_OK && i < count; i++) {
        uint32_t row = batch.row_count;
        status = floe_vector_set_string(&batch.columns[0], row, rows[i].path,
                                        (uint32_t)strlen(rows[i].path), err);
        ((int64_t *)batch.columns[1].data)[row] = rows[i].position;
        batch.row_count++;
        if (status == FLOE_OK && (batch.row_count == FLOE_BATCH_CAPACITY || i + 1 == count)) {
            status = floe_pq_writer_write_batch(writer, &batch, err);
            floe_batch_reset(&batch);
        }
    }
    floe_batch_fini(&batch);
    floe_free(rows);
    if (status != FLOE_OK) {
        floe_pq_writer_free(writer);
        return status;
    }
    int64_t written = 0;
    FLOE_TRY(end_output(run->inc, index, writer, columns, FLOE_ICE_CONTENT_POSITION_DELETES,
                        &written, err));
    *path_out = run->inc->outputs[index].path;
    return FLOE_OK;
}

/* ---- lineage ------------------------------------------------------------------------------ */

static bool meets(const floe_eng_state_output_file *file, const path_set *set)
{
    if (!file->sources_known) return true;
    for (uint32_t s = 0; s < file->source_count; s++)
        if (path_set_has(set, file->sources[s])) return true;
    return false;
}

/* The lineage every considered file gets (see the header): *known false when unknown. */
static int widened_lineage(const run_state *run, const file_work *works, uint32_t work_count,
                           bool matched, path_set *lineage, bool *known, floe_error *err)
{
    *known = run->lineage;
    for (size_t i = 0; *known && i < run->changed.inserting.count; i++)
        FLOE_TRY(path_set_add(lineage, run->changed.inserting.paths[i], err));
    for (uint32_t f = 0; *known && matched && f < work_count; f++) {
        if (!works[f].considered) continue;
        if (!works[f].old->sources_known) *known = false;
        for (uint32_t s = 0; *known && s < works[f].old->source_count; s++)
            if (!path_set_has(&run->changed.removed, works[f].old->sources[s]))
                FLOE_TRY(path_set_add(lineage, works[f].old->sources[s], err));
    }
    path_set_seal(lineage);
    if (lineage->count > MAX_LINEAGE) *known = false;
    return FLOE_OK;
}

/* The lineage of one considered file: its own (minus removed sources) plus `widened`. */
static int file_lineage(const run_state *run, const floe_eng_state_output_file *old,
                        const path_set *widened, bool widened_known, bool matched,
                        path_set *lineage, bool *known, floe_error *err)
{
    *known = widened_known && old->sources_known;
    for (size_t i = 0; *known && i < widened->count; i++)
        FLOE_TRY(path_set_add(lineage, widened->paths[i], err));
    for (uint32_t s = 0; *known && !matched && s < old->source_count; s++)
        if (!path_set_has(&run->changed.removed, old->sources[s]))
            FLOE_TRY(path_set_add(lineage, old->sources[s], err));
    path_set_seal(lineage);
    if (lineage->count > MAX_LINEAGE) *known = false;
    return FLOE_OK;
}

/* ---- the incremental refresh -------------------------------------------------------------- */

static void works_fini(file_work *works, uint32_t count)
{
    for (uint32_t f = 0; works != NULL && f < count; f++) floe_free(works[f].deleted);
    floe_free(works);
}

/* Which old files keep their rows, get this refresh's deletes, are rewritten or dropped
 * (step 5's rules). */
static int choose_fates(file_work *works, uint32_t work_count, floe_error *err)
{
    bool any_new_deletes = false;
    for (uint32_t f = 0; f < work_count; f++) {
        file_work *work = &works[f];
        int64_t deleted = work->old->deleted_rows + work->newly_deleted;
        work->dropped = deleted >= work->old->rows;
        work->rewrite = !work->dropped && 2 * deleted > work->old->rows;
        work->gets_deletes = !work->dropped && !work->rewrite && work->newly_deleted > 0;
        any_new_deletes |= work->gets_deletes;
    }
    path_set delete_files = {0};
    int status = FLOE_OK;
    for (uint32_t f = 0; status == FLOE_OK && f < work_count; f++)
        for (uint32_t d = 0; !works[f].dropped && !works[f].rewrite &&
                             d < works[f].old->delete_count && status == FLOE_OK; d++)
            status = path_set_add(&delete_files, works[f].old->deletes[d], err);
    path_set_seal(&delete_files);
    size_t live_deletes = delete_files.count + (any_new_deletes ? 1 : 0);
    path_set_fini(&delete_files);
    if (status != FLOE_OK || live_deletes <= MAX_DELETE_FILES) return status;
    for (uint32_t f = 0; f < work_count; f++)
        if (!works[f].dropped && (works[f].old->delete_count > 0 || works[f].gets_deletes)) {
            works[f].rewrite = true;
            works[f].gets_deletes = false;
        }
    return FLOE_OK;
}

/* The old delete files no file of the new set lists any more go with the commit. */
static int remove_unlisted_deletes(run_state *run, const file_work *works, uint32_t work_count,
                                   floe_error *err)
{
    floe_eng_incremental *inc = run->inc;
    path_set kept = {0}, gone = {0};
    int status = FLOE_OK;
    for (uint32_t f = 0; status == FLOE_OK && f < run->new_set->file_count; f++)
        for (uint32_t d = 0; status == FLOE_OK && d < run->new_set->files[f].delete_count; d++)
            status = path_set_add(&kept, run->new_set->files[f].deletes[d], err);
    path_set_seal(&kept);
    for (uint32_t f = 0; status == FLOE_OK && f < work_count; f++)
        for (uint32_t d = 0; status == FLOE_OK && d < works[f].old->delete_count; d++)
            if (!path_set_has(&kept, works[f].old->deletes[d]))
                status = path_set_add(&gone, works[f].old->deletes[d], err);
    path_set_seal(&gone);
    for (size_t i = 0; status == FLOE_OK && i < gone.count; i++)
        status = floe_eng_incremental_add_path(&inc->removed, &inc->removed_count,
                                               &inc->removed_capacity, gone.paths[i], err);
    path_set_fini(&kept);
    path_set_fini(&gone);
    return status;
}

/* Steps 4-6 once D is known. */
static int apply_delta(run_state *run, char *fallback, floe_error *err)
{
    floe_eng_incremental *inc = run->inc;
    const floe_eng_state_set *old_set = run->old_set;
    uint32_t work_count = old_set->file_count;
    file_work *works = floe_calloc((size_t)work_count + 1, sizeof *works);
    FLOE_RETURN_IF(works == NULL, FLOE_ENOMEM, err, "out of memory");
    retraction_index index;
    int status = index_init(&index, &run->flat, err);
    for (uint32_t f = 0; f < work_count; f++) {
        works[f].old = &old_set->files[f];
        works[f].considered = meets(works[f].old, &run->changed.retracting);
    }
    bool matched = index.outstanding > 0;
    /* Only the considered files: a retracted row the lineage does not lead to means the
     * stored output is not what the refreshes wrote. */
    for (uint32_t f = 0; status == FLOE_OK && f < work_count && index.outstanding > 0; f++)
        if (works[f].considered) status = match_file(run, &index, &works[f], fallback, err);
    if (status == FLOE_OK && fallback[0] == '\0' && index.outstanding > 0)
        status = floe_error_set(err, FLOE_ECORRUPT,
                                "%s: refresh %" PRId64 " retracts %" PRId64 " rows that match "
                                "no live row of the output files their sources lead to (the "
                                "table no longer holds what the last refresh wrote)",
                                inc->directory, run->refresh_number, index.outstanding);
    index_fini(&index);
    if (status != FLOE_OK || fallback[0] != '\0') {
        works_fini(works, work_count);
        return status;
    }

    status = choose_fates(works, work_count, err);
    path_set widened = {0};
    bool widened_known = false;
    if (status == FLOE_OK)
        status = widened_lineage(run, works, work_count, matched, &widened, &widened_known, err);
    const char *delete_path_new = NULL;
    if (status == FLOE_OK) status = write_delete_file(run, works, work_count, &delete_path_new, err);
    for (uint32_t f = 0; status == FLOE_OK && fallback[0] == '\0' && f < work_count; f++) {
        file_work *work = &works[f];
        const floe_eng_state_output_file *old = work->old;
        if (work->dropped || work->rewrite)
            status = floe_eng_incremental_add_path(&inc->removed, &inc->removed_count,
                                                   &inc->removed_capacity, old->path, err);
        if (status != FLOE_OK || work->dropped) continue;
        floe_eng_state_output_file file = *old;
        path_set lineage = {0};
        bool known = old->sources_known;
        if (work->considered) {
            status = file_lineage(run, old, &widened, widened_known, matched, &lineage, &known,
                                  err);
            file.sources_known = known;
            file.sources = lineage.paths;
            file.source_count = known ? (uint32_t)lineage.count : 0;
        }
        char **deletes = NULL;
        if (status == FLOE_OK && work->rewrite) {
            /* the rewritten file is recorded with `file`'s (widened) lineage */
            work->old = &file;
            status = rewrite_file(run, work, fallback, err);
            work->old = old;
        } else if (status == FLOE_OK) {
            if (work->gets_deletes) {
                deletes = floe_calloc((size_t)old->delete_count + 2, sizeof *deletes);
                if (deletes != NULL) {
                    memcpy(deletes, old->deletes, old->delete_count * sizeof *deletes);
                    deletes[old->delete_count] = floe_eng_incremental_copy_text(delete_path_new);
                }
                if (deletes == NULL || deletes[old->delete_count] == NULL) {
                    status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
                } else {
                    file.deletes = deletes;
                    file.delete_count = old->delete_count + 1;
                    file.deleted_rows = old->deleted_rows + work->newly_deleted;
                    inc->counts.buckets_touched++;
                }
            }
            if (status == FLOE_OK) status = floe_eng_state_set_add_file(run->new_set, &file, err);
        }
        if (deletes != NULL) floe_free(deletes[old->delete_count]);
        floe_free(deletes);
        path_set_fini(&lineage);
    }
    path_set_fini(&widened);

    if (status == FLOE_OK) status = remove_unlisted_deletes(run, works, work_count, err);
    works_fini(works, work_count);
    return status;
}

/* Reads the previous manifest and checks the sources' history; sets `fallback` when the
 * refresh must rebuild. */
static int load_previous(floe_eng_database *db, run_state *run, const char *previous_manifest,
                         const floe_eng_incremental_source *sources, uint32_t source_count,
                         char *fallback, floe_error *err)
{
    floe_error manifest_err;
    floe_error_clear(&manifest_err);
    int status = floe_eng_state_manifest_read(previous_manifest, &run->previous, &manifest_err);
    if (status == FLOE_ENOMEM) return floe_error_set(err, status, "%s", manifest_err.message);
    if (status != FLOE_OK) {
        floe_eng_incremental_fallback(fallback, "state manifest unusable: %s",
                                      manifest_err.message);
        return FLOE_OK;
    }
    run->old_set = floe_eng_state_manifest_find_set(&run->previous, FLOE_ENG_STATE_SET_ROWS);
    if (run->old_set == NULL) {
        floe_eng_incremental_fallback(fallback, "state manifest %s has no output files of a "
                                      "non-aggregating table", previous_manifest);
        return FLOE_OK;
    }
    for (uint32_t i = 0; i < source_count; i++) {
        bool found = false;
        FLOE_TRY(floe_eng_incremental_in_history(db, sources[i].identity,
                                                 sources[i].from_snapshot_id, &found, err));
        if (!found) {
            floe_eng_incremental_fallback(fallback,
                                          "snapshot %" PRId64 " of %s, read by the last refresh, "
                                          "is no longer in its history",
                                          sources[i].from_snapshot_id, sources[i].identity);
            return FLOE_OK;
        }
    }
    return FLOE_OK;
}

int floe_eng_incremental_rows_run(floe_eng_database *db, floe_eng_incremental *inc,
                                  const floe_ice_table *table, const floe_sql_plan *plan,
                                  const floe_eng_incremental_source *sources,
                                  uint32_t source_count, const char *previous_manifest,
                                  int64_t refresh_number, char *fallback, floe_error *err)
{
    run_state run = {0};
    run.inc = inc;
    run.plan = plan;
    run.refresh_number = refresh_number;
    run.lineage = one_source_row_each(plan);
    floe_eng_state_manifest_init(&run.previous);
    floe_eng_database_context_init(db, &run.context);
    bool rebuild = previous_manifest == NULL;
    int status = run_init(&run, table, err);
    if (status == FLOE_OK && !rebuild)
        status = load_previous(db, &run, previous_manifest, sources, source_count, fallback, err);
    floe_eng_delta_source *versions = floe_calloc(source_count + 1, sizeof *versions);
    if (versions == NULL && status == FLOE_OK)
        status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    for (uint32_t i = 0; versions != NULL && i < source_count; i++) {
        versions[i] = sources[i];
        if (rebuild) versions[i].from_snapshot_id = -1;
    }
    floe_error read_err;
    floe_error_clear(&read_err);
    for (uint32_t i = 0; status == FLOE_OK && fallback[0] == '\0' && i < source_count; i++)
        status = compare_source(db, &versions[i], &run.changed, &read_err);
    path_set_seal(&run.changed.retracting);
    path_set_seal(&run.changed.inserting);
    path_set_seal(&run.changed.removed);
    if (status == FLOE_OK && fallback[0] == '\0') {
        status = floe_eng_state_manifest_add_set(&inc->manifest, FLOE_ENG_STATE_SET_ROWS, 1, 0,
                                                 &run.new_set, err);
        inc->manifest.refresh_number = refresh_number;
    }
    floe_eng_operator *input = NULL;
    if (status == FLOE_OK && fallback[0] == '\0' && rebuild)
        status = floe_eng_delta_compile(plan, versions, source_count, &run.context, &input,
                                        &read_err);
    if (status == FLOE_OK && fallback[0] == '\0')
        status = rebuild ? drain_rebuild(&run, input, &read_err)
                         : drain_delta(db, &run, versions, source_count, &read_err);
    floe_eng_operator_destroy(input);
    floe_free(versions);
    inc->counts.rows_read = (int64_t)atomic_load(&run.context.rows_read);
    inc->counts.files_read = (int64_t)atomic_load(&run.context.files_read);
    inc->counts.bytes_read = (int64_t)atomic_load(&run.context.bytes_read);
    if (status == FLOE_ENOTFOUND && !rebuild) {
        floe_eng_incremental_fallback(fallback, "the sources' changes are unreadable: %s",
                                      read_err.message);
        status = FLOE_OK;
    } else if (status != FLOE_OK && read_err.message[0] != '\0' && err != NULL) {
        *err = read_err;
    }
    if (status == FLOE_OK && fallback[0] == '\0' && !rebuild) {
        status = write_delta_files(&run, err);
        if (status == FLOE_OK) status = apply_delta(&run, fallback, err);
    }
    if (status == FLOE_OK && fallback[0] == '\0') {
        inc->counts.bucket_count = run.new_set->file_count;
        status = floe_eng_state_manifest_write(inc->directory, &inc->manifest,
                                               &inc->manifest_path, err);
    }
    run_fini(&run);
    return status;
}
