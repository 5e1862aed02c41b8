/*
 * refresh.c — one refresh of a dynamic table, a refresh run in dependency order, and status
 * (contract in engine/dynamic_table.h).
 *
 * The refresh protocol: everything a refresh decides is taken from the table's current
 * snapshot (the last refresh's summary) and the sources' current snapshots, pinned before the
 * query runs, and everything it produces becomes visible in ONE commit that also records what it
 * consumed. So a crash before the commit changes nothing visible, a crash after it leaves a
 * complete refresh, and the next refresh (or a reader tracing lineage) knows exactly which
 * source versions the rows came from.
 *
 * Which refresh runs. REFRESH_MODE = FULL tables, and AUTO / INCREMENTAL tables whose plan is
 * maintainable but of a shape not built yet (constant rows, aggregates over aggregates: the
 * reason says "incremental maintenance of <construct> is not built yet" and a warning line
 * repeats it), run the query and replace every file (run_refresh). Other AUTO / INCREMENTAL
 * tables keep state (engine/refresh_incremental.h): their refresh is incremental when the last
 * refresh was theirs and recorded a state manifest (floe.state-manifest) and every source's
 * consumed snapshot; otherwise, or when the incremental attempt finds the state or a source's
 * history unusable, it rebuilds the state from every source row (mode "full", the reason
 * recorded and, past the initial refresh, warned). Their summaries add floe.state-manifest,
 * floe.buckets-touched, floe.bucket-count, floe.state-files-read and floe.state-bytes, and an
 * incremental refresh that wrote a changelog adds floe.changelog and floe.changelog-rows.
 */
#define _XOPEN_SOURCE 700

#include "engine/dynamic_table_int.h"

#include "engine/refresh_incremental.h" /* aggregating tables: bucketed state, merged output */
#include "engine/table_writer.h" /* new data files + the one commit */
#include "io/fs_util.h"          /* durable writes, directories */
#include "io/iceberg_commit.h"   /* the commit of an empty refresh */
#include "sql/incremental.h"     /* whether a plan is maintainable */
#include "kernels/memory.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h> /* flock */
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { SUMMARY_VALUE_SIZE = PATH_MAX + 256 }; /* numbers, reasons, the state manifest path */

/* ---- rows to an output ------------------------------------------------------------------- */

int floe_eng_row_writer_init(floe_eng_row_writer *writer, const floe_eng_output *output,
                             floe_sql_column *columns, uint32_t column_count, floe_error *err)
{
    memset(writer, 0, sizeof *writer);
    writer->output = output;
    writer->schema = (floe_sql_schema){columns, column_count};
    floe_type types[32];
    FLOE_RETURN_IF(column_count > 32, FLOE_EINVAL, err, "row writer: too many columns");
    for (uint32_t i = 0; i < column_count; i++) types[i] = columns[i].type;
    FLOE_TRY(floe_batch_init(&writer->batch, column_count, types, err));
    writer->initialised = true;
    return FLOE_OK;
}

int floe_eng_row_writer_text(floe_eng_row_writer *writer, uint32_t column, const char *text,
                             floe_error *err)
{
    floe_vector *vector = &writer->batch.columns[column];
    uint32_t row = writer->batch.row_count;
    if (text == NULL) {
        floe_vector_set_null(vector, row);
        return FLOE_OK;
    }
    return floe_vector_set_string(vector, row, text, (uint32_t)strlen(text), err);
}

void floe_eng_row_writer_int64(floe_eng_row_writer *writer, uint32_t column, int64_t value)
{
    ((int64_t *)writer->batch.columns[column].data)[writer->batch.row_count] = value;
}

void floe_eng_row_writer_bool(floe_eng_row_writer *writer, uint32_t column, bool value)
{
    ((uint8_t *)writer->batch.columns[column].data)[writer->batch.row_count] = value ? 1 : 0;
}

void floe_eng_row_writer_null(floe_eng_row_writer *writer, uint32_t column)
{
    floe_vector *vector = &writer->batch.columns[column];
    size_t width = floe_type_width(vector->type);
    memset((char *)vector->data + (size_t)writer->batch.row_count * width, 0, width);
    floe_vector_set_null(vector, writer->batch.row_count);
}

static int row_writer_begin(floe_eng_row_writer *writer, floe_error *err)
{
    if (writer->begun) return FLOE_OK;
    writer->begun = true;
    const floe_eng_output *output = writer->output;
    if (output == NULL || output->begin_rows == NULL) return FLOE_OK;
    return output->begin_rows(output->context, &writer->schema, err);
}

static int row_writer_flush(floe_eng_row_writer *writer, floe_error *err)
{
    FLOE_TRY(row_writer_begin(writer, err));
    const floe_eng_output *output = writer->output;
    int status = FLOE_OK;
    if (writer->batch.row_count > 0 && output != NULL && output->rows != NULL)
        status = output->rows(output->context, &writer->batch, err);
    floe_batch_reset(&writer->batch);
    return status;
}

int floe_eng_row_writer_next(floe_eng_row_writer *writer, floe_error *err)
{
    writer->batch.row_count++;
    if (writer->batch.row_count < FLOE_BATCH_CAPACITY) return FLOE_OK;
    return row_writer_flush(writer, err);
}

int floe_eng_row_writer_finish(floe_eng_row_writer *writer, floe_error *err)
{
    FLOE_TRY(row_writer_flush(writer, err));
    const floe_eng_output *output = writer->output;
    if (output == NULL || output->end_rows == NULL) return FLOE_OK;
    return output->end_rows(output->context, err);
}

void floe_eng_row_writer_fini(floe_eng_row_writer *writer)
{
    if (writer->initialised) floe_batch_fini(&writer->batch);
    writer->initialised = false;
}

/* ---- snapshots and summaries ------------------------------------------------------------- */

/* The newest snapshot in the current snapshot's ancestry that is a refresh, or NULL. */
static const floe_ice_snapshot *newest_refresh(const floe_ice_table_metadata *metadata)
{
    const floe_ice_snapshot *snapshot = floe_ice_current_snapshot(metadata);
    size_t steps = 0;
    while (snapshot != NULL && steps++ <= metadata->snapshot_count) {
        if (floe_ice_snapshot_summary(snapshot, "floe.refresh-number") != NULL) return snapshot;
        if (snapshot->parent_snapshot_id < 0) return NULL;
        snapshot = floe_ice_snapshot_by_id(metadata, snapshot->parent_snapshot_id);
    }
    return NULL;
}

static void source_key(const char *identity, char *buffer, size_t size)
{
    snprintf(buffer, size, "floe.source.%s.snapshot-id", identity);
}

/* ---- last-error file --------------------------------------------------------------------- */

static int last_error_path(const char *directory, char *buffer, size_t size, floe_error *err)
{
    int written = snprintf(buffer, size, "%s/floe/last-error", directory);
    FLOE_RETURN_IF(written < 0 || (size_t)written >= size, FLOE_ERANGE, err,
                   "%s: path too long", directory);
    return FLOE_OK;
}

/* The recorded failure; count 0 and message NULL when the file is absent. Line 1 is
 * "<ms> <refresh number> [<consecutive failures>]" (a file without the count is one failure). */
int floe_eng_dynamic_failure_read(const char *directory, floe_eng_dynamic_failure *failure,
                                  floe_error *err)
{
    memset(failure, 0, sizeof *failure);
    char path[PATH_MAX];
    FLOE_TRY(last_error_path(directory, path, sizeof path, err));
    char *bytes = NULL;
    size_t size = 0;
    int status = floe_io_read_small_file(path, 64 * 1024, &bytes, &size, err);
    if (status == -ENOENT) {
        floe_error_clear(err);
        return FLOE_OK;
    }
    FLOE_TRY(status);
    long long time_ms = 0, number = 0, count = 1;
    int fields = sscanf(bytes, "%lld %lld %lld", &time_ms, &number, &count);
    failure->time_ms = fields >= 1 ? (int64_t)time_ms : 0;
    failure->refresh_number = fields >= 2 ? (int64_t)number : 0;
    failure->count = fields >= 3 && count > 0 ? (int64_t)count : 1;
    char *line = strchr(bytes, '\n');
    const char *text = line != NULL ? line + 1 : "";
    size_t length = strcspn(text, "\n");
    failure->message = floe_malloc(length + 1);
    if (failure->message != NULL) {
        memcpy(failure->message, text, length);
        failure->message[length] = '\0';
    }
    floe_free(bytes);
    FLOE_RETURN_IF(failure->message == NULL, FLOE_ENOMEM, err, "out of memory");
    return FLOE_OK;
}

void floe_eng_dynamic_failure_fini(floe_eng_dynamic_failure *failure)
{
    floe_free(failure->message);
    failure->message = NULL;
}

/* Replaces the last-error file (temporary name, then rename: readers see one or the other),
 * counting one more consecutive failure than it held. Two processes failing the same table at
 * once may count one failure for two: the count paces retries, it is not an audit. */
static int record_error(const char *directory, int64_t refresh_number, const char *message,
                        floe_error *err)
{
    char folder[PATH_MAX], temporary[PATH_MAX], path[PATH_MAX];
    FLOE_TRY(last_error_path(directory, path, sizeof path, err));
    floe_eng_dynamic_failure previous;
    int64_t count = 1;
    if (floe_eng_dynamic_failure_read(directory, &previous, NULL) == FLOE_OK) {
        count = previous.count + 1;
        floe_eng_dynamic_failure_fini(&previous);
    }
    snprintf(folder, sizeof folder, "%s/floe", directory);
    FLOE_TRY(floe_io_make_directories(folder, err));
    FLOE_TRY(floe_io_catalog_new_file_path(directory, "floe", ".tmp-", ".last-error", temporary,
                                           sizeof temporary, err));
    char text[FLOE_ERROR_MESSAGE_SIZE + 96];
    int length = snprintf(text, sizeof text, "%" PRId64 " %" PRId64 " %" PRId64 "\n",
                          floe_eng_dynamic_now_ms(), refresh_number, count);
    for (const char *c = message; *c != '\0' && (size_t)length < sizeof text - 2; c++)
        text[length++] = (*c == '\n' || *c == '\r') ? ' ' : *c; /* one line, always */
    text[length++] = '\n';
    FLOE_TRY(floe_io_write_file_durable(temporary, text, (size_t)length, err));
    if (rename(temporary, path) != 0) {
        int code = -errno;
        unlink(temporary);
        return floe_error_set(err, code, "%s: %s", path, strerror(-code));
    }
    return floe_io_fsync_directory(folder, err);
}

static void clear_error(const char *directory)
{
    char path[PATH_MAX];
    if (last_error_path(directory, path, sizeof path, NULL) == FLOE_OK) unlink(path);
}

/* ---- the refresh lock -------------------------------------------------------------------- */

/* Takes the table's refresh lock: flock(LOCK_EX) on <directory>/floe/refresh.lock, held until
 * *fd is closed. An advisory lock dies with its process, so a killed refresh never leaves the
 * table locked. Floe's refreshes never remove the file; should something remove it while we
 * wait (our lock would then be on a file nobody else can open), the inode behind the path is
 * compared with the locked one and the lock taken again. Removing it under a holder lets a
 * second refresher in beside it: exclusion then falls back to the commit protocol (one of the
 * two commits fails with FLOE_ECONFLICT, nothing is corrupted), which is why vacuum must keep
 * the file. *fd is -1 when `wait` is false and another refresh holds it. */
static int take_refresh_lock(const char *directory, bool wait, int *fd, floe_error *err)
{
    *fd = -1;
    char folder[PATH_MAX], path[PATH_MAX];
    int written = snprintf(folder, sizeof folder, "%s/floe", directory);
    FLOE_RETURN_IF(written < 0 || (size_t)written >= sizeof folder, FLOE_ERANGE, err,
                   "%s: path too long", directory);
    FLOE_TRY(floe_io_path_join(path, sizeof path, folder, "refresh.lock", err));
    FLOE_TRY(floe_io_make_directories(folder, err));
    for (int attempt = 0; attempt < 8; attempt++) {
        int lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (lock < 0) return floe_error_set(err, -errno, "%s: %s", path, strerror(errno));
        int result;
        do {
            result = flock(lock, LOCK_EX | (wait ? 0 : LOCK_NB));
        } while (result != 0 && errno == EINTR);
        if (result != 0) {
            int code = errno;
            close(lock);
            if (code == EWOULDBLOCK) return FLOE_OK;
            return floe_error_set(err, -code, "%s: lock: %s", path, strerror(code));
        }
        struct stat locked, named;
        if (fstat(lock, &locked) == 0 && stat(path, &named) == 0 &&
            locked.st_ino == named.st_ino && locked.st_dev == named.st_dev) {
            *fd = lock;
            return FLOE_OK;
        }
        close(lock); /* removed or replaced meanwhile: lock what the path names now */
    }
    return floe_error_set(err, FLOE_ECONFLICT, "%s: the lock file keeps being replaced", path);
}

/* ---- the version hint after a crash ------------------------------------------------------ */

/* A refresh killed between publishing its version and rewriting version-hint.text leaves the
 * hint one version behind; the catalog repairs it at the next commit, but an up-to-date
 * refresh commits nothing, and readers that trust the hint (DuckDB's and icebird's
 * version-hint readers) would keep seeing the version before the refresh. So an up-to-date
 * refresh rewrites a stale hint (temporary file, rename, as the catalog does; again if a newer
 * version appears meanwhile). Best effort: a failure leaves the hint as the catalog would. */
static void repair_version_hint(const char *directory)
{
    for (int attempt = 0; attempt < 4; attempt++) {
        int64_t version = 0;
        if (floe_io_catalog_current_version(directory, &version, NULL, NULL) != FLOE_OK) return;
        char metadata[PATH_MAX], hint[PATH_MAX], temporary[PATH_MAX];
        if (floe_io_path_join(metadata, sizeof metadata, directory, "metadata", NULL) != FLOE_OK ||
            floe_io_path_join(hint, sizeof hint, metadata, "version-hint.text", NULL) != FLOE_OK)
            return;
        char *bytes = NULL;
        size_t size = 0;
        if (floe_io_read_small_file(hint, 64, &bytes, &size, NULL) == FLOE_OK) {
            bool exact = size > 0 && strtoll(bytes, NULL, 10) == version;
            floe_free(bytes);
            if (exact) return;
        }
        if (floe_io_catalog_new_file_path(directory, "metadata", ".tmp-", ".version-hint.text",
                                          temporary, sizeof temporary, NULL) != FLOE_OK)
            return;
        char text[32];
        int length = snprintf(text, sizeof text, "%" PRId64, version);
        if (floe_io_write_file_durable(temporary, text, (size_t)length, NULL) != FLOE_OK) return;
        if (rename(temporary, hint) != 0) {
            unlink(temporary);
            return;
        }
        floe_io_fsync_directory(metadata, NULL);
    }
}

/* ---- what a refresh would do ------------------------------------------------------------- */

void floe_eng_refresh_plan_fini(floe_eng_refresh_plan *plan)
{
    floe_sql_script_free(plan->script);
    floe_free(plan->current_ids);
    floe_free(plan->consumed_ids);
    floe_arena_fini(&plan->arena);
    memset(plan, 0, sizeof *plan);
}

/* The query's columns must still be the table's (minus the lineage column at the end). */
static int check_columns(const char *name, const floe_ice_table *table,
                         const floe_sql_table *query, floe_error *err)
{
    const floe_ice_schema *schema = floe_ice_current_schema(table->metadata);
    FLOE_RETURN_IF(schema == NULL, FLOE_ECORRUPT, err, "%s: no current schema", name);
    FLOE_RETURN_IF(schema->field_count != (size_t)query->column_count + 1 ||
                       strcmp(schema->fields[schema->field_count - 1].name,
                              FLOE_ENG_REFRESH_COLUMN) != 0,
                   FLOE_ETYPE, err,
                   "%s: its query now gives %u columns, the table has %zu besides %s (a source's "
                   "schema changed? CREATE OR REPLACE the dynamic table)",
                   name, (unsigned)query->column_count,
                   schema->field_count > 0 ? schema->field_count - 1 : 0,
                   FLOE_ENG_REFRESH_COLUMN);
    for (uint32_t i = 0; i < query->column_count; i++) {
        const floe_ice_field *field = &schema->fields[i];
        floe_type type;
        FLOE_TRY(floe_ice_field_floe_type(field, &type, err));
        char want[48], have[48];
        FLOE_RETURN_IF(strcmp(field->name, query->columns[i].name) != 0 ||
                           !floe_type_equal(type, query->columns[i].type),
                       FLOE_ETYPE, err,
                       "%s: its query's column %u is now %s %s, the table has %s %s (a source's "
                       "schema changed? CREATE OR REPLACE the dynamic table)",
                       name, (unsigned)i + 1, query->columns[i].name,
                       floe_type_format(query->columns[i].type, want, sizeof want), field->name,
                       floe_type_format(type, have, sizeof have));
    }
    return FLOE_OK;
}

int floe_eng_refresh_prepare(floe_eng_database *db, const char *name, const floe_ice_table *table,
                             bool full, floe_eng_refresh_plan *plan, floe_error *err)
{
    memset(plan, 0, sizeof *plan);
    floe_arena_init(&plan->arena, 0, 0);
    const floe_ice_table_metadata *metadata = table->metadata;
    const char *sql = floe_ice_property_get(metadata, FLOE_ENG_PROPERTY_SQL);
    FLOE_RETURN_IF(sql == NULL, FLOE_ENOTFOUND, err, "%s is not a dynamic table", name);
    /* First, so that a refresh failing below still knows which number it was to be. */
    const floe_ice_snapshot *current = floe_ice_current_snapshot(metadata);
    const floe_ice_snapshot *last = newest_refresh(metadata);
    plan->last_is_refresh = last != NULL && last == current;
    plan->previous_number = last != NULL ? floe_ice_snapshot_summary_int(last, "floe.refresh-number", 0) : 0;
    int status = floe_sql_parse_statement(sql, strlen(sql), &plan->script, err);
    if (status == FLOE_OK &&
        plan->script->statements[0]->kind != FLOE_SQL_STATEMENT_CREATE_DYNAMIC_TABLE)
        status = floe_error_set(err, FLOE_ECORRUPT, "not a CREATE DYNAMIC TABLE statement");
    if (status == FLOE_OK) {
        floe_sql_catalog catalog;
        floe_eng_database_catalog(db, &catalog);
        status = floe_sql_plan_statement(&catalog, plan->script->statements[0], &plan->arena,
                                         &plan->bound, err);
    }
    if (status < 0) return floe_error_prefix(err, "%s: its definition (floe.sql)", name);
    FLOE_TRY(check_columns(name, table, &plan->bound.target, err));

    uint32_t count = plan->bound.source_count;
    plan->current_ids = floe_calloc(count + 1, sizeof *plan->current_ids);
    plan->consumed_ids = floe_calloc(count + 1, sizeof *plan->consumed_ids);
    FLOE_RETURN_IF(plan->current_ids == NULL || plan->consumed_ids == NULL, FLOE_ENOMEM, err,
                   "out of memory");
    const char *warehouse = floe_eng_database_warehouse(db);
    for (uint32_t i = 0; i < count; i++) {
        floe_ice_table *source = NULL;
        status = floe_ice_table_open(&source, plan->bound.sources[i], warehouse, err);
        if (status < 0)
            return floe_error_prefix(err, "%s: source %s", name, plan->bound.sources[i]);
        plan->current_ids[i] = source->metadata->current_snapshot_id;
        floe_ice_table_free(source);
    }

    plan->up_to_date = plan->last_is_refresh && !full;
    for (uint32_t i = 0; i < count; i++) {
        char key[PATH_MAX + 64];
        source_key(plan->bound.sources[i], key, sizeof key);
        plan->consumed_ids[i] = plan->last_is_refresh ? floe_ice_snapshot_summary_int(current, key, -2) : -2;
        if (plan->consumed_ids[i] != plan->current_ids[i]) plan->up_to_date = false;
    }
    plan->mode = floe_ice_property_get(metadata, FLOE_ENG_PROPERTY_REFRESH_MODE);
    if (plan->mode == NULL) plan->mode = "AUTO";
    if (full)
        plan->reason = "full refresh requested";
    else if (strcmp(plan->mode, "FULL") == 0)
        plan->reason = "REFRESH_MODE = FULL";
    else if (last == NULL)
        plan->reason = "initial refresh";
    else if (!plan->last_is_refresh && floe_ice_snapshot_summary(current, "floe.definition-replaced") != NULL)
        plan->reason = "definition replaced";
    else if (!plan->last_is_refresh)
        plan->reason = "the table was written outside a refresh";
    else if (floe_ice_snapshot_summary(current, FLOE_ENG_SUMMARY_STATE_MANIFEST) == NULL)
        plan->reason = "the last refresh kept no state";
    else
        plan->reason = FLOE_ENG_REFRESH_INCREMENTAL_REASON;
    if (strcmp(plan->mode, "FULL") == 0 || full) return FLOE_OK;
    /* AUTO / INCREMENTAL: a table whose refresh would be incremental if its shape were built
     * says why it is not, at every refresh after the first. */
    if (strcmp(plan->reason, FLOE_ENG_REFRESH_INCREMENTAL_REASON) != 0 &&
        strcmp(plan->reason, "the last refresh kept no state") != 0)
        return FLOE_OK;
    floe_sql_incremental_analysis analysis;
    FLOE_TRY(floe_sql_incremental_analyze(&plan->arena, plan->bound.plan, &analysis, err));
    const char *construct = NULL;
    char text[SUMMARY_VALUE_SIZE];
    if (!analysis.maintainable)
        snprintf(text, sizeof text, "not incrementally maintainable: %s", analysis.reason);
    else if (!floe_eng_incremental_shape(plan->bound.plan, &construct))
        snprintf(text, sizeof text, "incremental maintenance of %s is not built yet", construct);
    else
        return FLOE_OK;
    char *reason = floe_arena_strndup(&plan->arena, text, strlen(text));
    FLOE_RETURN_IF(reason == NULL, FLOE_ENOMEM, err, "out of memory");
    plan->reason = reason;
    return FLOE_OK;
}

bool floe_eng_refresh_plan_incremental(const floe_eng_refresh_plan *plan)
{
    return plan->reason != NULL && strcmp(plan->reason, FLOE_ENG_REFRESH_INCREMENTAL_REASON) == 0;
}

bool floe_eng_refresh_plan_keeps_state(const floe_eng_refresh_plan *plan)
{
    const char *construct = NULL;
    if (plan->mode == NULL || strcmp(plan->mode, "FULL") == 0) return false;
    if (!floe_eng_incremental_shape(plan->bound.plan, &construct)) return false;
    floe_arena scratch;
    floe_arena_init(&scratch, 0, 0);
    floe_sql_incremental_analysis analysis;
    bool maintainable = floe_sql_incremental_analyze(&scratch, plan->bound.plan, &analysis,
                                                     NULL) == FLOE_OK &&
                        analysis.maintainable;
    floe_arena_fini(&scratch);
    return maintainable;
}

/* ---- one refresh ------------------------------------------------------------------------- */

/* Receives the query's batches and writes them with the lineage column appended. */
typedef struct refresh_sink {
    floe_eng_table_writer *writer;
    uint32_t query_columns;
    floe_vector *columns;          /* query_columns views + the lineage column */
    floe_vector refresh_column;    /* the refresh number in every row */
    bool refresh_column_ready;
} refresh_sink;

static int sink_begin(void *context, const floe_sql_schema *schema, floe_error *err)
{
    refresh_sink *sink = context;
    FLOE_RETURN_IF(schema->column_count != sink->query_columns, FLOE_ETYPE, err,
                   "the query gives %u columns, expected %u", (unsigned)schema->column_count,
                   (unsigned)sink->query_columns);
    return FLOE_OK;
}

static int sink_rows(void *context, const floe_batch *batch, floe_error *err)
{
    refresh_sink *sink = context;
    FLOE_RETURN_IF(batch->column_count != sink->query_columns, FLOE_ETYPE, err,
                   "a batch of %u columns, expected %u", (unsigned)batch->column_count,
                   (unsigned)sink->query_columns);
    /* A view: the query's vectors are borrowed for this call, only the lineage column is ours. */
    for (uint32_t i = 0; i < batch->column_count; i++) sink->columns[i] = batch->columns[i];
    sink->columns[batch->column_count] = sink->refresh_column;
    floe_batch view = *batch;
    view.column_count = batch->column_count + 1;
    view.columns = sink->columns;
    return floe_eng_table_writer_write(sink->writer, &view, err);
}

static void sink_fini(refresh_sink *sink)
{
    floe_eng_table_writer_free(sink->writer);
    floe_free(sink->columns);
    if (sink->refresh_column_ready) floe_vector_fini(&sink->refresh_column);
}

static int sink_init(refresh_sink *sink, const floe_ice_table *table, uint32_t query_columns,
                     int64_t number, floe_error *err)
{
    memset(sink, 0, sizeof *sink);
    sink->query_columns = query_columns;
    sink->columns = floe_calloc(query_columns + 1, sizeof *sink->columns);
    FLOE_RETURN_IF(sink->columns == NULL, FLOE_ENOMEM, err, "out of memory");
    FLOE_TRY(floe_vector_init(&sink->refresh_column, floe_type_make(FLOE_TYPE_INT64),
                              FLOE_BATCH_CAPACITY, err));
    sink->refresh_column_ready = true;
    int64_t *values = sink->refresh_column.data;
    for (uint32_t i = 0; i < FLOE_BATCH_CAPACITY; i++) values[i] = number;
    return floe_eng_table_writer_open(&sink->writer, table, err);
}

typedef struct summary_list {
    floe_ice_property *entries;
    char (*values)[SUMMARY_VALUE_SIZE];
    char **keys;                   /* owned copies of the per-source keys */
    size_t count, capacity;
} summary_list;

static void summary_fini(summary_list *summary)
{
    for (size_t i = 0; i < summary->count; i++) floe_free(summary->keys[i]);
    floe_free(summary->keys);
    floe_free(summary->entries);
    floe_free(summary->values);
}

static int summary_init(summary_list *summary, size_t capacity, floe_error *err)
{
    memset(summary, 0, sizeof *summary);
    summary->entries = floe_calloc(capacity, sizeof *summary->entries);
    summary->values = floe_calloc(capacity, sizeof *summary->values);
    summary->keys = floe_calloc(capacity, sizeof *summary->keys);
    summary->capacity = capacity;
    FLOE_RETURN_IF(summary->entries == NULL || summary->values == NULL || summary->keys == NULL,
                   FLOE_ENOMEM, err, "out of memory");
    return FLOE_OK;
}

/* Adds key = value (value copied; the key copied when `copy_key`). */
static int summary_put(summary_list *summary, const char *key, bool copy_key, const char *value,
                       floe_error *err)
{
    FLOE_RETURN_IF(summary->count == summary->capacity, FLOE_EINVAL, err, "summary too long");
    size_t i = summary->count;
    if (copy_key) {
        summary->keys[i] = floe_malloc(strlen(key) + 1);
        FLOE_RETURN_IF(summary->keys[i] == NULL, FLOE_ENOMEM, err, "out of memory");
        memcpy(summary->keys[i], key, strlen(key) + 1);
        key = summary->keys[i];
    }
    snprintf(summary->values[i], SUMMARY_VALUE_SIZE, "%s", value);
    summary->entries[i] = (floe_ice_property){key, summary->values[i]};
    summary->count++;
    return FLOE_OK;
}

static int summary_put_int(summary_list *summary, const char *key, int64_t value, floe_error *err)
{
    char text[SUMMARY_VALUE_SIZE];
    snprintf(text, sizeof text, "%" PRId64, value);
    return summary_put(summary, key, false, text, err);
}

static int64_t monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* What a refresh counted, for its summary and its message line. */
typedef struct refresh_counts {
    int64_t rows_read, files_read, bytes_read, rows_written, duration_ms;
} refresh_counts;

/* The refresh's snapshot summary (dynamic_table.h lists the keys). */
static int build_summary(summary_list *summary, const floe_eng_refresh_plan *plan,
                         const char *mode, const char *reason, const refresh_counts *counts,
                         floe_error *err)
{
    const floe_sql_bound_statement *bound = &plan->bound;
    FLOE_TRY(summary_init(summary, 24 + bound->source_count, err));
    FLOE_TRY(summary_put_int(summary, "floe.refresh-number", plan->previous_number + 1, err));
    FLOE_TRY(summary_put(summary, "floe.refresh-mode", false, mode, err));
    FLOE_TRY(summary_put(summary, "floe.refresh-reason", false, reason, err));
    for (uint32_t i = 0; i < bound->source_count; i++) {
        char key[PATH_MAX + 64], value[SUMMARY_VALUE_SIZE];
        source_key(bound->sources[i], key, sizeof key);
        snprintf(value, sizeof value, "%" PRId64, plan->current_ids[i]);
        FLOE_TRY(summary_put(summary, key, true, value, err));
    }
    FLOE_TRY(summary_put_int(summary, "floe.rows-read", counts->rows_read, err));
    FLOE_TRY(summary_put_int(summary, "floe.files-read", counts->files_read, err));
    FLOE_TRY(summary_put_int(summary, "floe.bytes-read", counts->bytes_read, err));
    FLOE_TRY(summary_put_int(summary, "floe.rows-written", counts->rows_written, err));
    FLOE_TRY(summary_put_int(summary, "floe.duration-ms", counts->duration_ms, err));
    return summary_put_int(summary, "floe.refreshed-at", floe_eng_dynamic_now_ms(), err);
}

/* Every data and delete file the table holds at the version the refresh started from: the
 * commit removes them all (if another writer removed one meanwhile, the commit fails). */
static int files_to_remove(const floe_ice_table *table, floe_ice_scan_plan **scan,
                           const char ***paths, size_t *count, floe_error *err)
{
    *scan = NULL;
    *paths = NULL;
    *count = 0;
    if (table->metadata->current_snapshot_id < 0) return FLOE_OK;
    FLOE_TRY(floe_ice_table_plan_scan(table, -1, scan, err));
    *paths = floe_calloc((*scan)->task_count + (*scan)->delete_file_count + 1, sizeof **paths);
    FLOE_RETURN_IF(*paths == NULL, FLOE_ENOMEM, err, "out of memory");
    for (size_t i = 0; i < (*scan)->task_count; i++)
        (*paths)[(*count)++] = (*scan)->tasks[i].data.file->file_path;
    for (size_t i = 0; i < (*scan)->delete_file_count; i++)
        (*paths)[(*count)++] = (*scan)->delete_files[i].file->file_path;
    return FLOE_OK;
}

/* Runs the query with the sources pinned and commits its rows as the next refresh. */
static int run_refresh(floe_eng_database *db, const char *directory, const floe_ice_table *table,
                       const floe_eng_refresh_plan *plan, int64_t started_ms,
                       refresh_counts *counts, floe_error *err)
{
    const floe_sql_bound_statement *bound = &plan->bound;
    floe_eng_context context;
    floe_eng_database_context_init(db, &context);
    refresh_sink sink;
    summary_list summary = {0};
    floe_ice_scan_plan *scan = NULL;
    const char **removed = NULL;
    size_t removed_count = 0;
    int status = sink_init(&sink, table, bound->target.column_count, plan->previous_number + 1,
                           err);
    for (uint32_t i = 0; status == FLOE_OK && i < bound->source_count; i++)
        status = floe_eng_context_pin(&context, bound->sources[i], plan->current_ids[i], err);
    if (status == FLOE_OK) {
        floe_eng_output output = {.context = &sink, .begin_rows = sink_begin,
                                  .rows = sink_rows};
        status = floe_eng_run_plan(db, bound->plan, &context, &output, err);
    }
    if (status == FLOE_OK) status = files_to_remove(table, &scan, &removed, &removed_count, err);
    counts->rows_read = (int64_t)atomic_load(&context.rows_read);
    counts->files_read = (int64_t)atomic_load(&context.files_read);
    counts->bytes_read = (int64_t)atomic_load(&context.bytes_read);
    counts->rows_written = sink.writer != NULL ? floe_eng_table_writer_rows(sink.writer) : 0;
    counts->duration_ms = monotonic_ms() - started_ms;
    if (status == FLOE_OK)
        status = build_summary(&summary, plan, "full", plan->reason, counts, err);

    const floe_ice_table_metadata *metadata = table->metadata;
    if (status == FLOE_OK && counts->rows_written == 0 && removed_count == 0) {
        /* Nothing to add or remove: the table writer would publish nothing, but the refresh
         * and what it consumed must still be recorded. */
        floe_ice_commit_request request = {0};
        request.operation = "overwrite";
        request.summary = summary.entries;
        request.summary_count = summary.count;
        request.expected_schema_id = floe_ice_current_schema(metadata)->schema_id;
        request.expected_snapshot_id =
            metadata->current_snapshot_id >= 0 ? metadata->current_snapshot_id : -1;
        status = floe_ice_commit(directory, &request, NULL, err);
    } else if (status == FLOE_OK) {
        floe_eng_table_commit commit = {
            .operation = "overwrite",
            .removed_paths = removed,
            .removed_count = removed_count,
            .summary = summary.entries,
            .summary_count = summary.count,
            .expected_snapshot_id =
                metadata->current_snapshot_id >= 0 ? metadata->current_snapshot_id : -1,
        };
        status = floe_eng_table_writer_commit(sink.writer, &commit, NULL, err);
    }
    sink_fini(&sink); /* deletes the files unless committed */
    floe_free(removed);
    floe_ice_scan_plan_free(scan);
    summary_fini(&summary);
    floe_eng_context_fini(&context);
    return status;
}

/* A refresh of a table that keeps state (refresh_incremental.h): incremental from the last
 * refresh's state when the plan says so, else (or when that falls back) a rebuild that reads
 * everything, removes every file the table had and builds the state anew. `reason` receives
 * why it was not incremental (FLOE_ENG_FALLBACK_SIZE + more). */
static int run_stateful(floe_eng_database *db, const floe_ice_table *table,
                        const floe_eng_refresh_plan *plan, int64_t started_ms,
                        refresh_counts *counts, bool *incremental, char *reason,
                        size_t reason_size, floe_eng_incremental_counts *state_counts,
                        floe_error *err)
{
    const floe_sql_bound_statement *bound = &plan->bound;
    const floe_ice_table_metadata *metadata = table->metadata;
    *incremental = floe_eng_refresh_plan_incremental(plan);
    snprintf(reason, reason_size, "%s", plan->reason);
    floe_eng_incremental_source *sources =
        floe_calloc(bound->source_count + 1, sizeof *sources);
    FLOE_RETURN_IF(sources == NULL, FLOE_ENOMEM, err, "out of memory");
    for (uint32_t i = 0; i < bound->source_count; i++) {
        sources[i] = (floe_eng_incremental_source){bound->sources[i], plan->consumed_ids[i],
                                                   plan->current_ids[i]};
        if (*incremental && plan->consumed_ids[i] == -2) {
            snprintf(reason, reason_size, "the last refresh did not record source %s",
                     bound->sources[i]);
            *incremental = false;
        }
    }
    const char *manifest = floe_ice_snapshot_summary(floe_ice_current_snapshot(metadata),
                                       FLOE_ENG_SUMMARY_STATE_MANIFEST);
    floe_eng_incremental *inc = NULL;
    char fallback[FLOE_ENG_FALLBACK_SIZE];
    int status = floe_eng_incremental_run(db, table, bound->plan, sources, bound->source_count,
                                          *incremental ? manifest : NULL,
                                          plan->previous_number + 1, &inc, fallback, err);
    if (status == FLOE_OK && inc == NULL) { /* cannot go on incrementally: rebuild */
        *incremental = false;
        snprintf(reason, reason_size, "%s", fallback);
        status = floe_eng_incremental_run(db, table, bound->plan, sources, bound->source_count,
                                          NULL, plan->previous_number + 1, &inc, fallback, err);
    }
    floe_free(sources);
    floe_ice_scan_plan *scan = NULL;
    const char **removed = NULL;
    size_t removed_count = 0;
    if (status == FLOE_OK && !*incremental)
        status = files_to_remove(table, &scan, &removed, &removed_count, err);
    summary_list summary = {0};
    if (status == FLOE_OK) {
        *state_counts = *floe_eng_incremental_counts_of(inc);
        counts->rows_read = state_counts->rows_read;
        counts->files_read = state_counts->files_read;
        counts->bytes_read = state_counts->bytes_read;
        counts->rows_written = state_counts->rows_written;
        counts->duration_ms = monotonic_ms() - started_ms;
        status = build_summary(&summary, plan, *incremental ? "incremental" : "full", reason,
                               counts, err);
    }
    if (status == FLOE_OK)
        status = summary_put(&summary, FLOE_ENG_SUMMARY_STATE_MANIFEST, false,
                             floe_eng_incremental_manifest_path(inc), err);
    if (status == FLOE_OK)
        status = summary_put_int(&summary, "floe.buckets-touched", state_counts->buckets_touched,
                                 err);
    if (status == FLOE_OK)
        status = summary_put_int(&summary, "floe.bucket-count", state_counts->bucket_count, err);
    if (status == FLOE_OK)
        status = summary_put_int(&summary, "floe.state-files-read",
                                 state_counts->state_files_read, err);
    if (status == FLOE_OK)
        status = summary_put_int(&summary, "floe.state-bytes", state_counts->state_bytes, err);
    const char *changelog = status == FLOE_OK ? floe_eng_incremental_changelog_path(inc) : NULL;
    if (changelog != NULL)
        status = summary_put(&summary, FLOE_ENG_SUMMARY_CHANGELOG, false, changelog, err);
    if (status == FLOE_OK && changelog != NULL)
        status = summary_put_int(&summary, FLOE_ENG_SUMMARY_CHANGELOG_ROWS,
                                 state_counts->changelog_rows, err);
    if (status == FLOE_OK)
        status = floe_eng_incremental_commit(
            inc, removed, removed_count, summary.entries, summary.count,
            metadata->current_snapshot_id >= 0 ? metadata->current_snapshot_id : -1, err);
    floe_eng_incremental_free(inc); /* deletes the files unless committed */
    floe_free(removed);
    floe_ice_scan_plan_free(scan);
    summary_fini(&summary);
    return status;
}

int floe_eng_refresh_table_report(floe_eng_database *db, const char *name, bool full,
                                  bool wait_for_lock, const floe_eng_output *output,
                                  floe_eng_refresh_report *report, floe_error *err)
{
    memset(report, 0, sizeof *report);
    int64_t started = monotonic_ms();
    char qualified[FLOE_ENG_TABLE_NAME_SIZE], directory[PATH_MAX];
    FLOE_TRY(floe_eng_dynamic_qualify(name, qualified, err));
    FLOE_TRY(floe_io_catalog_table_directory(floe_eng_database_warehouse(db), qualified, directory,
                                             sizeof directory, err));
    floe_ice_table *table = NULL;
    int status = floe_ice_table_open(&table, directory, NULL, err);
    FLOE_RETURN_IF(status == FLOE_ENOTFOUND, FLOE_ENOTFOUND, err,
                   "dynamic table %s does not exist", qualified);
    if (status < 0) return floe_error_prefix(err, "%s", qualified);
    if (floe_ice_property_get(table->metadata, FLOE_ENG_PROPERTY_SQL) == NULL) {
        floe_ice_table_free(table);
        return floe_error_set(err, FLOE_ENOTFOUND, "%s is not a dynamic table", qualified);
    }
    /* The lock first, the table's version after: what a refresh starts from is then what the
     * previous holder committed, so two refreshers never compute the same refresh twice. */
    int lock = -1;
    status = take_refresh_lock(directory, wait_for_lock, &lock, err);
    if (status == FLOE_OK && lock < 0) {
        report->locked = true;
        floe_ice_table_free(table);
        return FLOE_OK;
    }
    if (status == FLOE_OK) {
        floe_ice_table_free(table);
        table = NULL;
        status = floe_ice_table_open(&table, directory, NULL, err);
        if (status < 0) floe_error_prefix(err, "%s", qualified);
    }
    if (status < 0) {
        if (lock >= 0) close(lock);
        floe_ice_table_free(table);
        return status;
    }
    floe_eng_refresh_plan plan;
    status = floe_eng_refresh_prepare(db, qualified, table, full, &plan, err);
    int64_t number = plan.previous_number + 1;
    report->refresh_number = plan.previous_number;
    if (status == FLOE_OK && plan.up_to_date) {
        clear_error(directory);
        repair_version_hint(directory);
        floe_eng_dynamic_message(output, "%s: up to date (refresh %" PRId64 ")", qualified,
                                 plan.previous_number);
    } else if (status == FLOE_OK) {
        refresh_counts counts = {0};
        floe_eng_incremental_counts state_counts = {0};
        bool incremental = false, keeps_state = floe_eng_refresh_plan_keeps_state(&plan);
        char *reason = report->reason;
        snprintf(reason, sizeof report->reason, "%s", plan.reason);
        if (keeps_state)
            status = run_stateful(db, table, &plan, started, &counts, &incremental, reason,
                                  sizeof report->reason, &state_counts, err);
        else
            status = run_refresh(db, directory, table, &plan, started, &counts, err);
        report->mode = incremental ? "incremental" : "full";
        report->rows_read = counts.rows_read;
        report->files_read = counts.files_read;
        report->bytes_read = counts.bytes_read;
        report->rows_written = counts.rows_written;
        report->duration_ms = counts.duration_ms;
        if (status == FLOE_OK) {
            clear_error(directory);
            report->refreshed = true;
            report->refresh_number = number;
            if (incremental)
                floe_eng_dynamic_message(output,
                                         "%s: refresh %" PRId64 ", incremental: %" PRId64
                                         " rows read from %" PRId64 " files, %u of %u buckets "
                                         "touched, %" PRId64 " rows written, %" PRId64 " ms",
                                         qualified, number, counts.rows_read, counts.files_read,
                                         state_counts.buckets_touched, state_counts.bucket_count,
                                         counts.rows_written, counts.duration_ms);
            else
                floe_eng_dynamic_message(output,
                                         "%s: refresh %" PRId64 ", full (%s): %" PRId64
                                         " rows read from %" PRId64 " files, %" PRId64
                                         " rows written, %" PRId64 " ms",
                                         qualified, number, reason, counts.rows_read,
                                         counts.files_read, counts.rows_written,
                                         counts.duration_ms);
            if (!incremental && strcmp(plan.mode, "FULL") != 0 && !full &&
                strcmp(reason, "initial refresh") != 0 &&
                strcmp(reason, "definition replaced") != 0)
                floe_eng_dynamic_warning(output, "%s: REFRESH_MODE = %s, but refresh %" PRId64
                                         " ran FULL: %s", qualified, plan.mode, number, reason);
        } else if (err != NULL && strncmp(err->message, qualified, strlen(qualified)) != 0) {
            floe_error_prefix(err, "%s", qualified);
        }
    }
    if (status < 0) {
        /* The failure is recorded for status; if even that fails, the refresh's error wins. */
        record_error(directory, number, err != NULL ? err->message : floe_status_name(status),
                     NULL);
        report->duration_ms = monotonic_ms() - started; /* what the attempt cost */
    }
    floe_eng_refresh_plan_fini(&plan);
    floe_ice_table_free(table);
    close(lock);
    return status;
}

int floe_eng_refresh_table(floe_eng_database *db, const char *name, bool full,
                           const floe_eng_output *output, int *refreshed, floe_error *err)
{
    floe_eng_refresh_report report;
    int status = floe_eng_refresh_table_report(db, name, full, true, output, &report, err);
    if (refreshed != NULL) *refreshed = status == FLOE_OK && report.refreshed;
    return status;
}

/* ---- a refresh run ----------------------------------------------------------------------- */

enum { NOT_WANTED = 0, WANTED_UPSTREAM, WANTED_NAMED };
enum { UNVISITED = 0, VISITING, ORDERED };

typedef struct refresh_run {
    const floe_eng_dynamic_set *set;
    unsigned char *wanted;      /* per entry */
    unsigned char *state;       /* per entry: depth-first search colour */
    size_t *order;              /* entries, upstream first */
    size_t order_count;
    char **failures;            /* per entry: the error, floe_malloc'ed; NULL when fine */
    int *codes;
    int first_code;
    size_t failure_count;
    char *extra_failure;        /* why a named table is not in the set (the first such) */
    char extra_name[FLOE_ENG_TABLE_NAME_SIZE];
    int extra_code;
} refresh_run;

static void fail(refresh_run *run, size_t index, int code, const char *message)
{
    if (run->failures[index] != NULL) return;
    size_t size = strlen(message) + 1;
    run->failures[index] = floe_malloc(size);
    if (run->failures[index] != NULL) memcpy(run->failures[index], message, size);
    run->codes[index] = code;
    if (run->failure_count++ == 0) run->first_code = code;
}

/* Depth-first: upstream dynamic tables are ordered before the tables that read them. A cycle
 * fails its tables (CREATE refuses cycles; two racing creators can still make one). */
static void visit(refresh_run *run, size_t index, bool include_upstream)
{
    if (run->state[index] == ORDERED) return;
    const floe_eng_dynamic_entry *entry = &run->set->entries[index];
    if (run->state[index] == VISITING) {
        char message[FLOE_ERROR_MESSAGE_SIZE];
        snprintf(message, sizeof message, "%s: dynamic tables read each other in a cycle "
                 "through %s", entry->name, entry->name);
        fail(run, index, FLOE_ESYNTAX, message);
        return;
    }
    run->state[index] = VISITING;
    for (size_t i = 0; i < entry->sources.count; i++) {
        long upstream = floe_eng_dynamic_set_find(run->set, entry->sources.items[i]);
        if (upstream < 0 || (size_t)upstream == index) continue;
        if (include_upstream && run->wanted[upstream] == NOT_WANTED)
            run->wanted[upstream] = WANTED_UPSTREAM;
        if (run->wanted[upstream] != NOT_WANTED) visit(run, (size_t)upstream, include_upstream);
    }
    run->state[index] = ORDERED;
    run->order[run->order_count++] = index;
}

/* The first source of entry `index` that failed in this run, or NULL. */
static const char *failed_upstream(const refresh_run *run, size_t index)
{
    const floe_eng_dynamic_entry *entry = &run->set->entries[index];
    for (size_t i = 0; i < entry->sources.count; i++) {
        long upstream = floe_eng_dynamic_set_find(run->set, entry->sources.items[i]);
        if (upstream >= 0 && (size_t)upstream != index && run->failures[upstream] != NULL)
            return run->set->entries[upstream].name;
    }
    return NULL;
}

static void run_fini(refresh_run *run)
{
    for (size_t i = 0; run->failures != NULL && i < run->set->count; i++)
        floe_free(run->failures[i]);
    floe_free(run->failures);
    floe_free(run->codes);
    floe_free(run->wanted);
    floe_free(run->state);
    floe_free(run->order);
    floe_free(run->extra_failure);
}

/* Why a named table is not in the set: missing, or ordinary. */
static int not_dynamic(floe_eng_database *db, const char *qualified, floe_error *err)
{
    char directory[PATH_MAX];
    int64_t version = 0;
    if (floe_io_catalog_table_directory(floe_eng_database_warehouse(db), qualified, directory,
                                        sizeof directory, NULL) == FLOE_OK &&
        floe_io_catalog_current_version(directory, &version, NULL, NULL) == FLOE_OK)
        return floe_error_set(err, FLOE_ENOTFOUND, "%s is not a dynamic table", qualified);
    return floe_error_set(err, FLOE_ENOTFOUND, "dynamic table %s does not exist", qualified);
}

/* The run's end: OK, the one failure as it was, or a count after one warning per failure. */
static int finish_run(refresh_run *run, const floe_eng_output *output, size_t attempted,
                      floe_error *err)
{
    size_t failures = run->failure_count + (run->extra_failure != NULL);
    if (failures == 0) return FLOE_OK;
    if (failures == 1) {
        if (run->extra_failure != NULL)
            return floe_error_set(err, run->extra_code, "%s", run->extra_failure);
        for (size_t i = 0; i < run->set->count; i++)
            if (run->failures[i] != NULL)
                return floe_error_set(err, run->codes[i], "%s", run->failures[i]);
    }
    char names[FLOE_ERROR_MESSAGE_SIZE];
    size_t used = 0;
    names[0] = '\0';
    if (run->extra_failure != NULL) {
        floe_eng_dynamic_warning(output, "%s", run->extra_failure);
        used += (size_t)snprintf(names, sizeof names, "%s", run->extra_name);
    }
    for (size_t k = 0; k < run->order_count; k++) {
        size_t i = run->order[k];
        if (run->failures[i] == NULL) continue;
        floe_eng_dynamic_warning(output, "%s", run->failures[i]);
        if (used < sizeof names)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "",
                                     run->set->entries[i].name);
    }
    int code = run->extra_failure != NULL ? run->extra_code : run->first_code;
    return floe_error_set(err, code, "%zu of %zu dynamic tables failed to refresh: %s", failures,
                          attempted + (run->extra_failure != NULL), names);
}

int floe_eng_refresh(floe_eng_database *db, const char *const *names, size_t count, bool full,
                     const floe_eng_output *output, floe_error *err)
{
    FLOE_RETURN_IF(db == NULL || (count > 0 && names == NULL), FLOE_EINVAL, err,
                   "floe_eng_refresh: NULL argument");
    floe_eng_dynamic_set set;
    /* Named tables need only themselves and what they read; opening the whole warehouse would
     * make every refresh cost the number of tables in it. */
    FLOE_TRY(count > 0 ? floe_eng_dynamic_set_load_upstream(db, names, count, output, &set, err)
                       : floe_eng_dynamic_set_load(db, output, &set, err));
    refresh_run run = {.set = &set};
    size_t n = set.count + 1;
    run.wanted = floe_calloc(n, 1);
    run.state = floe_calloc(n, 1);
    run.order = floe_calloc(n, sizeof *run.order);
    run.failures = floe_calloc(n, sizeof *run.failures);
    run.codes = floe_calloc(n, sizeof *run.codes);
    int status = FLOE_OK;
    if (run.wanted == NULL || run.state == NULL || run.order == NULL || run.failures == NULL ||
        run.codes == NULL)
        status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    for (size_t i = 0; status == FLOE_OK && i < count; i++) {
        char qualified[FLOE_ENG_TABLE_NAME_SIZE];
        floe_error name_err;
        floe_error_clear(&name_err);
        int name_status = floe_eng_dynamic_qualify(names[i], qualified, &name_err);
        long index = name_status == FLOE_OK ? floe_eng_dynamic_set_find(&set, qualified) : -1;
        if (index >= 0) {
            run.wanted[index] = WANTED_NAMED;
            continue;
        }
        if (name_status == FLOE_OK) name_status = not_dynamic(db, qualified, &name_err);
        if (run.extra_failure == NULL) {
            run.extra_failure = floe_malloc(strlen(name_err.message) + 1);
            if (run.extra_failure == NULL) {
                status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
                break;
            }
            memcpy(run.extra_failure, name_err.message, strlen(name_err.message) + 1);
            snprintf(run.extra_name, sizeof run.extra_name, "%s", names[i]);
            run.extra_code = name_status;
        }
    }
    if (status == FLOE_OK && count == 0)
        for (size_t i = 0; i < set.count; i++) run.wanted[i] = WANTED_UPSTREAM;
    for (size_t i = 0; status == FLOE_OK && i < set.count; i++)
        if (run.wanted[i] != NOT_WANTED) visit(&run, i, count > 0);

    size_t attempted = 0;
    for (size_t k = 0; status == FLOE_OK && k < run.order_count; k++) {
        size_t i = run.order[k];
        const floe_eng_dynamic_entry *entry = &set.entries[i];
        if (run.failures[i] != NULL) { /* a cycle, found while ordering */
            attempted++;
            continue;
        }
        if (entry->suspended && run.wanted[i] != WANTED_NAMED) {
            floe_eng_dynamic_message(output, "%s: suspended, skipped", entry->name);
            continue;
        }
        attempted++;
        const char *upstream = failed_upstream(&run, i);
        floe_error table_err;
        floe_error_clear(&table_err);
        int table_status;
        if (upstream != NULL) {
            table_status = floe_error_set(&table_err, FLOE_ECONFLICT,
                                          "%s: not refreshed: its upstream %s failed",
                                          entry->name, upstream);
            record_error(entry->directory, 0, table_err.message, NULL);
        } else {
            table_status = floe_eng_refresh_table(db, entry->name, full, output, NULL, &table_err);
        }
        if (table_status == FLOE_ENOMEM) { /* the run itself cannot go on */
            status = floe_error_set(err, FLOE_ENOMEM, "%s", table_err.message);
            break;
        }
        if (table_status < 0) fail(&run, i, table_status, table_err.message);
    }
    if (status == FLOE_OK) status = finish_run(&run, output, attempted, err);
    run_fini(&run);
    floe_eng_dynamic_set_fini(&set);
    return status;
}

/* ---- lag ---------------------------------------------------------------------------------- */

/* The commit time of the oldest snapshot of `identity` after `consumed` (-2: from its first
 * snapshot), or -1 when it has none. *readable is false when the source cannot be opened. */
static int64_t oldest_unconsumed_ms(const char *warehouse, const char *identity, int64_t consumed,
                                    bool *readable)
{
    floe_ice_table *source = NULL;
    *readable = floe_ice_table_open(&source, identity, warehouse, NULL) == FLOE_OK;
    if (!*readable) return -1;
    const floe_ice_table_metadata *metadata = source->metadata;
    const floe_ice_snapshot *snapshot = floe_ice_current_snapshot(metadata);
    int64_t oldest = -1;
    size_t steps = 0;
    while (snapshot != NULL && snapshot->snapshot_id != consumed &&
           steps++ <= metadata->snapshot_count) {
        oldest = snapshot->timestamp_ms;
        if (snapshot->parent_snapshot_id < 0) break;
        snapshot = floe_ice_snapshot_by_id(metadata, snapshot->parent_snapshot_id);
    }
    floe_ice_table_free(source);
    return oldest;
}

int64_t floe_eng_dynamic_parse_target_lag(const char *text)
{
    if (text == NULL) return 60000; /* dynamic_table.h: the default is one minute */
    if (strcmp(text, "DOWNSTREAM") == 0) return FLOE_ENG_TARGET_LAG_DOWNSTREAM;
    static const struct {
        const char *unit;
        int64_t ms;
    } units[] = {{"second", 1000}, {"minute", 60000}, {"hour", 3600000}, {"day", 86400000}};
    char *end = NULL;
    errno = 0;
    long long count = strtoll(text, &end, 10);
    if (errno != 0 || end == text || count <= 0) return -1;
    while (*end == ' ') end++;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        size_t length = strlen(units[i].unit);
        if (strncmp(end, units[i].unit, length) != 0) continue;
        const char *rest = end + length;
        if (*rest == 's') rest++;
        if (*rest != '\0' || count > INT64_MAX / units[i].ms) return -1;
        return (int64_t)count * units[i].ms;
    }
    return -1;
}

int floe_eng_dynamic_lag_read(floe_eng_database *db, const floe_eng_dynamic_entry *entry,
                              int64_t now_ms, floe_eng_dynamic_lag *lag, floe_error *err)
{
    memset(lag, 0, sizeof *lag);
    const floe_ice_table_metadata *metadata = entry->table->metadata;
    const char *target = floe_ice_property_get(metadata, FLOE_ENG_PROPERTY_TARGET_LAG);
    lag->target_lag_ms = floe_eng_dynamic_parse_target_lag(target);
    FLOE_RETURN_IF(lag->target_lag_ms == -1, FLOE_ECORRUPT, err,
                   "%s: bad %s property \"%s\"", entry->name, FLOE_ENG_PROPERTY_TARGET_LAG,
                   target);
    const floe_ice_snapshot *current = floe_ice_current_snapshot(metadata);
    const floe_ice_snapshot *last = newest_refresh(metadata);
    bool recorded = current != NULL && last == current;
    if (last != NULL) {
        lag->refreshed = true;
        lag->last_refresh_ms = floe_ice_snapshot_summary_int(last, "floe.refreshed-at", last->timestamp_ms);
        lag->last_duration_ms = floe_ice_snapshot_summary_int(last, "floe.duration-ms", 0);
        lag->refresh_number = floe_ice_snapshot_summary_int(last, "floe.refresh-number", 0);
    }
    /* Written outside a refresh, replaced, or never refreshed: only a refresh settles it. */
    lag->pending = !recorded;
    const char *warehouse = floe_eng_database_warehouse(db);
    int64_t oldest = -1;
    for (size_t i = 0; i < entry->sources.count; i++) {
        char key[PATH_MAX + 64];
        source_key(entry->sources.items[i], key, sizeof key);
        int64_t consumed = recorded ? floe_ice_snapshot_summary_int(current, key, -2) : -2;
        bool readable = true;
        int64_t time = oldest_unconsumed_ms(warehouse, entry->sources.items[i], consumed,
                                            &readable);
        if (!readable) lag->pending = true; /* the refresh will say what is wrong */
        if (time >= 0) lag->pending = true;
        if (time >= 0 && (oldest < 0 || time < oldest)) oldest = time;
    }
    lag->lag_ms = oldest >= 0 && now_ms > oldest ? now_ms - oldest : 0;
    floe_eng_dynamic_failure failure;
    FLOE_TRY(floe_eng_dynamic_failure_read(entry->directory, &failure, err));
    lag->failures = failure.count;
    lag->last_failure_ms = failure.time_ms;
    floe_eng_dynamic_failure_fini(&failure);
    return FLOE_OK;
}

/* ---- status ------------------------------------------------------------------------------ */

void floe_eng_dynamic_status_fini(floe_eng_dynamic_status *status)
{
    floe_eng_dynamic_failure_fini(&status->failure);
}

int floe_eng_dynamic_status_read(floe_eng_database *db, const floe_eng_dynamic_entry *entry,
                                 int64_t now_ms, floe_eng_dynamic_status *status,
                                 floe_error *err)
{
    memset(status, 0, sizeof *status);
    const floe_ice_table_metadata *metadata = entry->table->metadata;
    status->target_lag = floe_ice_property_get(metadata, FLOE_ENG_PROPERTY_TARGET_LAG);
    status->refresh_mode = floe_ice_property_get(metadata, FLOE_ENG_PROPERTY_REFRESH_MODE);
    status->initialize = floe_ice_property_get(metadata, FLOE_ENG_PROPERTY_INITIALIZE);
    const floe_ice_snapshot *last = newest_refresh(metadata);
    if (last != NULL) {
        status->refreshed = true;
        status->last_refresh_ms = floe_ice_snapshot_summary_int(last, "floe.refreshed-at", last->timestamp_ms);
        status->last_mode = floe_ice_snapshot_summary(last, "floe.refresh-mode");
        status->last_reason = floe_ice_snapshot_summary(last, "floe.refresh-reason");
        status->rows_read = floe_ice_snapshot_summary_int(last, "floe.rows-read", 0);
        status->rows_written = floe_ice_snapshot_summary_int(last, "floe.rows-written", 0);
        status->duration_ms = floe_ice_snapshot_summary_int(last, "floe.duration-ms", 0);
        status->refreshes = floe_ice_snapshot_summary_int(last, "floe.refresh-number", 0);
        status->state_bytes = floe_ice_snapshot_summary_int(last, "floe.state-bytes", 0);
    }
    floe_eng_dynamic_lag lag;
    FLOE_TRY(floe_eng_dynamic_lag_read(db, entry, now_ms, &lag, err));
    status->lag_seconds = lag.lag_ms / 1000;
    return floe_eng_dynamic_failure_read(entry->directory, &status->failure, err);
}

enum status_column {
    STATUS_NAME, STATUS_TARGET_LAG, STATUS_REFRESH_MODE, STATUS_SUSPENDED, STATUS_LAG_SECONDS,
    STATUS_LAST_REFRESH_TIME, STATUS_LAST_MODE, STATUS_LAST_REASON, STATUS_ROWS_READ,
    STATUS_ROWS_WRITTEN, STATUS_DURATION_MS, STATUS_REFRESHES, STATUS_STATE_BYTES,
    STATUS_LAST_ERROR, STATUS_LAST_ERROR_TIME, STATUS_FAILURES, STATUS_COLUMN_COUNT
};

static int status_row(floe_eng_row_writer *rows, const floe_eng_dynamic_entry *entry,
                      const floe_eng_dynamic_status *status, floe_error *err)
{
    FLOE_TRY(floe_eng_row_writer_text(rows, STATUS_NAME, entry->name, err));
    FLOE_TRY(floe_eng_row_writer_text(rows, STATUS_TARGET_LAG, status->target_lag, err));
    FLOE_TRY(floe_eng_row_writer_text(rows, STATUS_REFRESH_MODE, status->refresh_mode, err));
    floe_eng_row_writer_bool(rows, STATUS_SUSPENDED, entry->suspended);
    floe_eng_row_writer_int64(rows, STATUS_LAG_SECONDS, status->lag_seconds);
    if (status->refreshed) {
        floe_eng_row_writer_int64(rows, STATUS_LAST_REFRESH_TIME, status->last_refresh_ms * 1000);
        FLOE_TRY(floe_eng_row_writer_text(rows, STATUS_LAST_MODE, status->last_mode, err));
        FLOE_TRY(floe_eng_row_writer_text(rows, STATUS_LAST_REASON, status->last_reason, err));
        floe_eng_row_writer_int64(rows, STATUS_ROWS_READ, status->rows_read);
        floe_eng_row_writer_int64(rows, STATUS_ROWS_WRITTEN, status->rows_written);
        floe_eng_row_writer_int64(rows, STATUS_DURATION_MS, status->duration_ms);
    } else {
        floe_eng_row_writer_null(rows, STATUS_LAST_REFRESH_TIME);
        floe_eng_row_writer_null(rows, STATUS_LAST_MODE);
        floe_eng_row_writer_null(rows, STATUS_LAST_REASON);
        floe_eng_row_writer_null(rows, STATUS_ROWS_READ);
        floe_eng_row_writer_null(rows, STATUS_ROWS_WRITTEN);
        floe_eng_row_writer_null(rows, STATUS_DURATION_MS);
    }
    floe_eng_row_writer_int64(rows, STATUS_REFRESHES, status->refreshes);
    floe_eng_row_writer_int64(rows, STATUS_STATE_BYTES, status->state_bytes);
    const floe_eng_dynamic_failure *failure = &status->failure;
    FLOE_TRY(floe_eng_row_writer_text(rows, STATUS_LAST_ERROR, failure->message, err));
    if (failure->message != NULL)
        floe_eng_row_writer_int64(rows, STATUS_LAST_ERROR_TIME, failure->time_ms * 1000);
    else
        floe_eng_row_writer_null(rows, STATUS_LAST_ERROR_TIME);
    floe_eng_row_writer_int64(rows, STATUS_FAILURES, failure->count);
    return floe_eng_row_writer_next(rows, err);
}

int floe_eng_status(floe_eng_database *db, const char *name, const floe_eng_output *output,
                    floe_error *err)
{
    FLOE_RETURN_IF(db == NULL, FLOE_EINVAL, err, "floe_eng_status: NULL database");
    char qualified[FLOE_ENG_TABLE_NAME_SIZE];
    if (name != NULL) FLOE_TRY(floe_eng_dynamic_qualify(name, qualified, err));
    floe_eng_dynamic_set set;
    FLOE_TRY(floe_eng_dynamic_set_load(db, output, &set, err));
    long only = name != NULL ? floe_eng_dynamic_set_find(&set, qualified) : -1;
    if (name != NULL && only < 0) {
        floe_eng_dynamic_set_fini(&set);
        return not_dynamic(db, qualified, err);
    }
    floe_type text = floe_type_make(FLOE_TYPE_STRING), number = floe_type_make(FLOE_TYPE_INT64);
    floe_type timestamp = floe_type_make(FLOE_TYPE_TIMESTAMPTZ);
    floe_sql_column columns[STATUS_COLUMN_COUNT] = {
        {"name", text, false},
        {"target_lag", text, true},
        {"refresh_mode", text, true},
        {"suspended", floe_type_make(FLOE_TYPE_BOOLEAN), false},
        {"lag_seconds", number, false},
        {"last_refresh_time", timestamp, true},
        {"last_mode", text, true},
        {"last_reason", text, true},
        {"rows_read", number, true},
        {"rows_written", number, true},
        {"duration_ms", number, true},
        {"refreshes", number, false},
        {"state_bytes", number, false},
        {"last_error", text, true},
        {"last_error_time", timestamp, true},
        {"failures", number, false},
    };
    floe_eng_row_writer rows;
    int status = floe_eng_row_writer_init(&rows, output, columns, STATUS_COLUMN_COUNT, err);
    int64_t now = floe_eng_dynamic_now_ms();
    for (size_t i = 0; status == FLOE_OK && i < set.count; i++) {
        if (only >= 0 && (size_t)only != i) continue;
        floe_eng_dynamic_status table_status;
        status = floe_eng_dynamic_status_read(db, &set.entries[i], now, &table_status, err);
        if (status == FLOE_OK) status = status_row(&rows, &set.entries[i], &table_status, err);
        floe_eng_dynamic_status_fini(&table_status);
    }
    if (status == FLOE_OK) status = floe_eng_row_writer_finish(&rows, err);
    floe_eng_row_writer_fini(&rows);
    floe_eng_dynamic_set_fini(&set);
    return status;
}

/* ---- refresh history --------------------------------------------------------------------- */

enum history_column {
    HISTORY_REFRESH, HISTORY_TIME, HISTORY_MODE, HISTORY_REASON, HISTORY_ROWS_READ,
    HISTORY_FILES_READ, HISTORY_ROWS_WRITTEN, HISTORY_DURATION_MS, HISTORY_SNAPSHOT_ID,
    HISTORY_COLUMN_COUNT
};

static int history_row(floe_eng_row_writer *rows, const floe_ice_snapshot *snapshot,
                       floe_error *err)
{
    floe_eng_row_writer_int64(rows, HISTORY_REFRESH,
                              floe_ice_snapshot_summary_int(snapshot, "floe.refresh-number", 0));
    floe_eng_row_writer_int64(
        rows, HISTORY_TIME, floe_ice_snapshot_summary_int(snapshot, "floe.refreshed-at", snapshot->timestamp_ms) * 1000);
    FLOE_TRY(floe_eng_row_writer_text(rows, HISTORY_MODE,
                                      floe_ice_snapshot_summary(snapshot, "floe.refresh-mode"), err));
    FLOE_TRY(floe_eng_row_writer_text(rows, HISTORY_REASON,
                                      floe_ice_snapshot_summary(snapshot, "floe.refresh-reason"), err));
    static const struct {
        enum history_column column;
        const char *key;
    } counts[] = {{HISTORY_ROWS_READ, "floe.rows-read"},
                  {HISTORY_FILES_READ, "floe.files-read"},
                  {HISTORY_ROWS_WRITTEN, "floe.rows-written"},
                  {HISTORY_DURATION_MS, "floe.duration-ms"}};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        int64_t value = floe_ice_snapshot_summary_int(snapshot, counts[i].key, -1);
        if (value < 0) floe_eng_row_writer_null(rows, counts[i].column);
        else floe_eng_row_writer_int64(rows, counts[i].column, value);
    }
    floe_eng_row_writer_int64(rows, HISTORY_SNAPSHOT_ID, snapshot->snapshot_id);
    return floe_eng_row_writer_next(rows, err);
}

int floe_eng_status_history(floe_eng_database *db, const char *name, size_t limit,
                            const floe_eng_output *output, floe_error *err)
{
    FLOE_RETURN_IF(db == NULL || name == NULL, FLOE_EINVAL, err,
                   "floe_eng_status_history: NULL argument");
    char qualified[FLOE_ENG_TABLE_NAME_SIZE], directory[PATH_MAX];
    FLOE_TRY(floe_eng_dynamic_qualify(name, qualified, err));
    FLOE_TRY(floe_io_catalog_table_directory(floe_eng_database_warehouse(db), qualified, directory,
                                             sizeof directory, err));
    floe_ice_table *table = NULL;
    int status = floe_ice_table_open(&table, directory, NULL, err);
    if (status == FLOE_ENOTFOUND)
        return floe_error_set(err, FLOE_ENOTFOUND, "dynamic table %s does not exist", qualified);
    if (status < 0) return floe_error_prefix(err, "%s", qualified);
    const floe_ice_table_metadata *metadata = table->metadata;
    if (floe_ice_property_get(metadata, FLOE_ENG_PROPERTY_SQL) == NULL) {
        floe_ice_table_free(table);
        return floe_error_set(err, FLOE_ENOTFOUND, "%s is not a dynamic table", qualified);
    }
    floe_type text = floe_type_make(FLOE_TYPE_STRING), number = floe_type_make(FLOE_TYPE_INT64);
    floe_sql_column columns[HISTORY_COLUMN_COUNT] = {
        {"refresh", number, false},
        {"time", floe_type_make(FLOE_TYPE_TIMESTAMPTZ), false},
        {"mode", text, true},
        {"reason", text, true},
        {"rows_read", number, true},
        {"files_read", number, true},
        {"rows_written", number, true},
        {"duration_ms", number, true},
        {"snapshot_id", number, false},
    };
    floe_eng_row_writer rows;
    status = floe_eng_row_writer_init(&rows, output, columns, HISTORY_COLUMN_COUNT, err);
    /* Newest first along the current snapshot's ancestry: the refreshes that made what readers
     * see now (a replaced definition keeps its history; a rolled-back branch is not shown). */
    const floe_ice_snapshot *snapshot = floe_ice_current_snapshot(metadata);
    size_t steps = 0, shown = 0;
    while (status == FLOE_OK && snapshot != NULL && steps++ <= metadata->snapshot_count &&
           (limit == 0 || shown < limit)) {
        if (floe_ice_snapshot_summary(snapshot, "floe.refresh-number") != NULL) {
            status = history_row(&rows, snapshot, err);
            shown++;
        }
        if (snapshot->parent_snapshot_id < 0) break;
        snapshot = floe_ice_snapshot_by_id(metadata, snapshot->parent_snapshot_id);
    }
    if (status == FLOE_OK) status = floe_eng_row_writer_finish(&rows, err);
    floe_eng_row_writer_fini(&rows);
    floe_ice_table_free(table);
    return status;
}
