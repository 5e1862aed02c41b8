/*
 * generate.c — from a gen_table to committed Iceberg data files (datagen.h).
 *
 * The units are cut into parts of units_per_file; `threads` workers take parts in order from a
 * shared counter and write each to data/<part>-<uuid>.parquet (one Parquet writer per part, the
 * batch and its dictionary vectors per worker, fsync'ed on close). The main thread commits:
 * with snapshot_per_file, part i as soon as it is written, strictly in part order (so snapshot
 * order is unit order, as an append-only source grows); otherwise every part in one snapshot
 * once all are written. Manifest metrics (column sizes, value and null counts, lower/upper
 * bounds) come from the writer's result, so readers can prune generated files as they prune
 * Spark's. On the first failure the workers stop taking parts, and every file not committed is
 * removed.
 */
#define _XOPEN_SOURCE 700

#include "datagen.h"

#include "engine/table_writer.h"  /* floe_eng_data_file_entry: a written part's manifest entry */
#include "io/catalog_fs.h"      /* table directories, new file names, current version */
#include "io/fs_util.h"         /* floe_io_make_directories */
#include "io/iceberg_commit.h"  /* floe_ice_commit, floe_ice_commit_create_table */
#include "io/parquet_writer.h"
#include "kernels/memory.h"

#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { PART_PENDING = 0, PART_WRITTEN, PART_FAILED };

typedef struct part {
    uint64_t first_unit, unit_count;
    char path[PATH_MAX];
    bool file_exists;            /* created on disk (removed unless committed) */
    bool committed;
    int state;                   /* PART_*, under run.lock */
    floe_eng_data_file_entry entry; /* the manifest entry, once written */
} part;

typedef struct run {
    const gen_table *table;
    const gen_options *options;
    char table_directory[PATH_MAX];
    floe_pq_write_column *write_columns;
    floe_pq_write_schema schema;
    floe_pq_write_options write_options;
    char *schema_json;
    floe_vector *dictionaries;   /* per column; initialized only where categories are given */
    part *parts;
    size_t part_count;
    atomic_size_t next_part;
    atomic_bool stop;
    atomic_size_t parts_done;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int worker_status;           /* the first worker failure, under lock */
    floe_error worker_error;
} run;

int32_t gen_days_from_civil(int year, unsigned month, unsigned day)
{
    year -= month <= 2;
    int era = (year >= 0 ? year : year - 399) / 400;
    unsigned year_of_era = (unsigned)(year - era * 400);
    unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return (int32_t)(era * 146097 + (int)day_of_era - 719468);
}

/* Iceberg's type name of a column (Iceberg spec, "Schemas and Data Types"). */
static const char *iceberg_type_name(floe_type type, char *buffer, size_t size)
{
    switch (type.id) {
    case FLOE_TYPE_BOOLEAN: return "boolean";
    case FLOE_TYPE_INT32: return "int";
    case FLOE_TYPE_INT64: return "long";
    case FLOE_TYPE_FLOAT32: return "float";
    case FLOE_TYPE_FLOAT64: return "double";
    case FLOE_TYPE_DATE: return "date";
    case FLOE_TYPE_TIMESTAMP: return "timestamp";
    case FLOE_TYPE_TIMESTAMPTZ: return "timestamptz";
    case FLOE_TYPE_STRING: return "string";
    case FLOE_TYPE_BINARY: return "binary";
    case FLOE_TYPE_DECIMAL:
        snprintf(buffer, size, "decimal(%u, %u)", type.precision, type.scale);
        return buffer;
    default: return NULL;
    }
}

/* The schema JSON stored in each file's footer as "iceberg.schema", as Iceberg's writers do. */
static int schema_json(const gen_table *table, char **out, floe_error *err)
{
    json_t *fields = json_array();
    json_t *schema = fields ? json_pack("{s:s, s:i, s:o}", "type", "struct", "schema-id", 0,
                                        "fields", fields)
                            : NULL;
    if (schema == NULL) return floe_error_set(err, FLOE_ENOMEM, "out of memory");
    int status = FLOE_OK;
    for (uint32_t i = 0; i < table->column_count && status == FLOE_OK; i++) {
        char buffer[32];
        const gen_column *column = &table->columns[i];
        const char *type = iceberg_type_name(column->type, buffer, sizeof buffer);
        if (type == NULL) {
            status = floe_error_set(err, FLOE_EINVAL, "%s: column '%s' has no Iceberg type",
                                    table->name, column->name);
            break;
        }
        json_t *field = json_pack("{s:i, s:s, s:b, s:s}", "id", (int)i + 1, "name", column->name,
                                  "required", column->required, "type", type);
        if (field == NULL || json_array_append_new(fields, field) != 0)
            status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    /* Copied out at once: libfloe may switch jansson's allocator later (io/iceberg_metadata.c),
     * so the text is released with the function that allocated it, here. */
    char *text = status == FLOE_OK ? json_dumps(schema, JSON_COMPACT) : NULL;
    if (status == FLOE_OK && text == NULL)
        status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    if (text != NULL) {
        size_t size = strlen(text) + 1;
        *out = floe_malloc(size);
        if (*out != NULL) memcpy(*out, text, size);
        else status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
        json_free_t release = NULL;
        json_get_alloc_funcs(NULL, &release);
        release(text);
    }
    json_decref(schema);
    return status;
}

static void run_fini(run *state)
{
    if (state->dictionaries != NULL) {
        for (uint32_t i = 0; i < state->table->column_count; i++)
            if (state->table->columns[i].categories != NULL)
                floe_vector_fini(&state->dictionaries[i]);
    }
    floe_free(state->dictionaries);
    for (size_t i = 0; state->parts != NULL && i < state->part_count; i++) {
        part *p = &state->parts[i];
        if (p->file_exists && !p->committed) unlink(p->path);
        floe_eng_data_file_entry_fini(&p->entry);
    }
    floe_free(state->parts);
    floe_free(state->write_columns);
    floe_free(state->schema_json);
    pthread_mutex_destroy(&state->lock);
    pthread_cond_destroy(&state->changed);
}

static int run_init(run *state, const gen_options *options, const gen_table *table,
                    floe_error *err)
{
    memset(state, 0, sizeof *state);
    state->table = table;
    state->options = options;
    pthread_mutex_init(&state->lock, NULL);
    pthread_cond_init(&state->changed, NULL);
    atomic_init(&state->next_part, 0);
    atomic_init(&state->stop, false);
    atomic_init(&state->parts_done, 0);
    FLOE_TRY(floe_io_catalog_table_directory(options->warehouse, table->name,
                                             state->table_directory,
                                             sizeof state->table_directory, err));
    FLOE_RETURN_IF(table->units_per_file == 0, FLOE_EINVAL, err, "%s: units per file is 0",
                   table->name);
    state->part_count = (size_t)((table->unit_count + table->units_per_file - 1) /
                                 table->units_per_file);
    uint32_t columns = table->column_count;
    state->parts = floe_calloc(state->part_count ? state->part_count : 1, sizeof *state->parts);
    state->write_columns = floe_calloc(columns, sizeof *state->write_columns);
    state->dictionaries = floe_calloc(columns, sizeof *state->dictionaries);
    if (state->parts == NULL || state->write_columns == NULL || state->dictionaries == NULL)
        return floe_error_set(err, FLOE_ENOMEM, "out of memory");
    for (size_t i = 0; i < state->part_count; i++) {
        part *p = &state->parts[i];
        p->first_unit = table->first_unit + i * table->units_per_file;
        uint64_t end = table->first_unit + table->unit_count;
        p->unit_count = end - p->first_unit < table->units_per_file ? end - p->first_unit
                                                                     : table->units_per_file;
    }
    for (uint32_t i = 0; i < columns; i++) {
        const gen_column *column = &table->columns[i];
        state->write_columns[i] = (floe_pq_write_column){column->name, column->type,
                                                         !column->required, (int32_t)i + 1};
        if (column->categories == NULL) continue;
        floe_vector *dictionary = &state->dictionaries[i];
        FLOE_TRY(floe_vector_init(dictionary, floe_type_make(FLOE_TYPE_STRING),
                                  column->category_count, err));
        for (uint32_t c = 0; c < column->category_count; c++)
            FLOE_TRY(floe_vector_set_string(dictionary, c, column->categories[c],
                                            (uint32_t)strlen(column->categories[c]), err));
    }
    FLOE_TRY(schema_json(table, &state->schema_json, err));
    state->schema = (floe_pq_write_schema){state->write_columns, columns, state->schema_json,
                                           NULL, 0};
    floe_pq_write_options_default(&state->write_options);
    state->write_options.codec = options->codec;
    state->write_options.compression_level = options->compression_level;
    state->write_options.sync_on_close = true;
    state->write_options.row_group_rows = GEN_ROW_GROUP_ROWS;
    return FLOE_OK;
}

/* Points the category columns of a freshly reset batch at their dictionaries. */
static void prepare_batch(const run *state, floe_batch *batch)
{
    floe_batch_reset(batch);
    for (uint32_t i = 0; i < state->table->column_count; i++) {
        if (state->table->columns[i].categories == NULL) continue;
        batch->columns[i].encoding = FLOE_VECTOR_DICTIONARY;
        batch->columns[i].dictionary = &state->dictionaries[i];
    }
}

static int write_part(run *state, size_t index, floe_batch *batch, floe_error *err)
{
    const gen_table *table = state->table;
    part *p = &state->parts[index];
    char prefix[32];
    snprintf(prefix, sizeof prefix, "%05zu-", index);
    FLOE_TRY(floe_io_catalog_new_file_path(state->table_directory, "data", prefix, ".parquet",
                                           p->path, sizeof p->path, err));
    floe_pq_writer *writer = NULL;
    FLOE_TRY(floe_pq_writer_create(&writer, p->path, &state->schema, &state->write_options, err));
    p->file_exists = true;
    int status = FLOE_OK;
    prepare_batch(state, batch);
    uint64_t end = p->first_unit + p->unit_count;
    for (uint64_t unit = p->first_unit; unit < end && status == FLOE_OK; unit++) {
        if (batch->row_count + table->max_rows_per_unit > FLOE_BATCH_CAPACITY) {
            status = floe_pq_writer_write_batch(writer, batch, err);
            prepare_batch(state, batch);
            if (status < 0 || atomic_load(&state->stop)) break;
        }
        status = table->fill(table, unit, batch, err);
    }
    if (status == FLOE_OK && batch->row_count > 0)
        status = floe_pq_writer_write_batch(writer, batch, err);
    floe_pq_write_result result;
    if (status == FLOE_OK && !atomic_load(&state->stop))
        status = floe_pq_writer_close(writer, &result, err);
    if (status == FLOE_OK && !atomic_load(&state->stop))
        status = floe_eng_data_file_entry_build(&p->entry, p->path, state->write_columns,
                                                &result, err);
    floe_pq_writer_free(writer);
    return status;
}

static void *worker_main(void *argument)
{
    run *state = argument;
    floe_batch batch;
    floe_error err;
    floe_error_clear(&err);
    floe_type *types = floe_calloc(state->table->column_count, sizeof *types);
    int status = types == NULL ? floe_error_set(&err, FLOE_ENOMEM, "out of memory") : FLOE_OK;
    for (uint32_t i = 0; types != NULL && i < state->table->column_count; i++)
        types[i] = state->table->columns[i].type;
    bool batch_ready = false;
    if (status == FLOE_OK) {
        status = floe_batch_init(&batch, state->table->column_count, types, &err);
        batch_ready = true;
    }
    floe_free(types);
    for (;;) {
        size_t index = atomic_fetch_add(&state->next_part, 1);
        bool take = status == FLOE_OK && index < state->part_count && !atomic_load(&state->stop);
        if (take) status = write_part(state, index, &batch, &err);
        pthread_mutex_lock(&state->lock);
        if (take) {
            state->parts[index].state = status == FLOE_OK ? PART_WRITTEN : PART_FAILED;
            atomic_fetch_add(&state->parts_done, 1);
        }
        if (status < 0 && state->worker_status == FLOE_OK) {
            state->worker_status = status;
            state->worker_error = err;
            atomic_store(&state->stop, true);
        }
        pthread_cond_broadcast(&state->changed);
        pthread_mutex_unlock(&state->lock);
        if (!take) break;
    }
    if (batch_ready) floe_batch_fini(&batch);
    return NULL;
}

static void show_progress(const run *state, size_t committed)
{
    if (!state->options->progress) return;
    fprintf(stderr, "\r%s: %zu/%zu files written, %zu committed", state->table->name,
            atomic_load(&state->parts_done), state->part_count, committed);
    fflush(stderr);
}

/* Commits parts [first, first + count) as one append snapshot. */
static int commit_parts(run *state, size_t first, size_t count, gen_result *result,
                        floe_error *err)
{
    floe_ice_data_file *files = floe_calloc(count ? count : 1, sizeof *files);
    if (files == NULL) return floe_error_set(err, FLOE_ENOMEM, "out of memory");
    for (size_t i = 0; i < count; i++) files[i] = state->parts[first + i].entry.data;
    uint64_t next_unit = count > 0 ? state->parts[first + count - 1].first_unit +
                                         state->parts[first + count - 1].unit_count
                                   : state->table->first_unit + state->table->unit_count;
    char next_text[32];
    snprintf(next_text, sizeof next_text, "%" PRIu64, next_unit);
    floe_ice_property summary[] = {{GEN_SUMMARY_NEXT_UNIT, next_text}};
    floe_ice_commit_request request = {0};
    request.operation = "append";
    request.added_files = files;
    request.added_count = count;
    request.summary = summary;
    request.summary_count = 1;
    request.expected_schema_id = -1;
    floe_ice_commit_result commit = {0};
    int status = floe_ice_commit(state->table_directory, &request, &commit, err);
    floe_free(files);
    if (status < 0) return status;
    for (size_t i = 0; i < count; i++) {
        part *p = &state->parts[first + i];
        p->committed = true;
        result->rows += (uint64_t)p->entry.data.record_count;
        result->bytes += (uint64_t)p->entry.data.file_size_in_bytes;
    }
    result->files += count;
    result->snapshots++;
    result->last_snapshot_id = commit.snapshot_id;
    return FLOE_OK;
}

/* Waits until part `index` is written (FLOE_OK) or some worker failed (its status). */
static int wait_for_part(run *state, size_t index, floe_error *err)
{
    pthread_mutex_lock(&state->lock);
    while (state->parts[index].state == PART_PENDING && state->worker_status == FLOE_OK)
        pthread_cond_wait(&state->changed, &state->lock);
    int status = state->worker_status;
    if (status < 0 && err != NULL) *err = state->worker_error;
    pthread_mutex_unlock(&state->lock);
    return status;
}

static int create_table(const run *state, floe_error *err)
{
    const gen_table *table = state->table;
    floe_ice_new_column *columns = floe_calloc(table->column_count, sizeof *columns);
    if (columns == NULL) return floe_error_set(err, FLOE_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < table->column_count; i++)
        columns[i] = (floe_ice_new_column){table->columns[i].name, table->columns[i].type,
                                           table->columns[i].required, (int32_t)i + 1, NULL};
    int status = floe_ice_commit_create_table(state->table_directory, columns,
                                              table->column_count, table->properties,
                                              table->property_count, err);
    floe_free(columns);
    if (status == FLOE_ECONFLICT)
        floe_error_set(err, status, "%s: the table already exists (%s)", table->name,
                       state->table_directory);
    return status;
}

int gen_check_absent(const char *warehouse, const char *const *names, size_t count,
                     floe_error *err)
{
    for (size_t i = 0; i < count; i++) {
        char directory[PATH_MAX];
        FLOE_TRY(floe_io_catalog_table_directory(warehouse, names[i], directory, sizeof directory,
                                                 err));
        int64_t version = 0;
        int status = floe_io_catalog_current_version(directory, &version, NULL, err);
        if (status == FLOE_ENOTFOUND) {
            floe_error_clear(err);
            continue;
        }
        if (status < 0) return status;
        return floe_error_set(err, FLOE_ECONFLICT,
                              "%s: the table already exists in %s (generate into a new warehouse)",
                              names[i], warehouse);
    }
    return FLOE_OK;
}

int gen_write_table(const gen_options *options, const gen_table *table, gen_result *result,
                    floe_error *err)
{
    memset(result, 0, sizeof *result);
    result->last_snapshot_id = -1;
    run state;
    int status = run_init(&state, options, table, err);
    if (status == FLOE_OK) {
        char data_directory[PATH_MAX + 8];
        snprintf(data_directory, sizeof data_directory, "%s/data", state.table_directory);
        status = floe_io_make_directories(data_directory, err);
    }
    if (status < 0) {
        run_fini(&state);
        return status;
    }
    int thread_count = options->threads < 1 ? 1 : options->threads;
    if ((size_t)thread_count > state.part_count) thread_count = (int)state.part_count;
    pthread_t threads[64];
    if (thread_count > 64) thread_count = 64;
    int started = 0;
    for (; started < thread_count; started++) {
        int code = pthread_create(&threads[started], NULL, worker_main, &state);
        if (code != 0) {
            status = floe_error_set(err, -code, "%s: cannot start a thread: %s", table->name,
                                    strerror(code));
            atomic_store(&state.stop, true);
            break;
        }
    }
    if (status == FLOE_OK && started == 0 && state.part_count > 0)
        status = floe_error_set(err, FLOE_EINVAL, "%s: no thread to write with", table->name);
    /* A new table is created just before its first commit, so a failure while writing the
     * first files leaves no empty table behind (only its emptied folders). */
    bool exists = options->append;
    size_t committed = 0;
    if (status == FLOE_OK && options->snapshot_per_file) {
        for (size_t i = 0; i < state.part_count && status == FLOE_OK; i++) {
            status = wait_for_part(&state, i, err);
            if (status == FLOE_OK && !exists) status = create_table(&state, err);
            exists = true;
            if (status == FLOE_OK) status = commit_parts(&state, i, 1, result, err);
            if (status == FLOE_OK) show_progress(&state, ++committed);
        }
    } else if (status == FLOE_OK) {
        for (size_t i = 0; i < state.part_count && status == FLOE_OK; i++) {
            status = wait_for_part(&state, i, err);
            show_progress(&state, 0);
        }
        if (status == FLOE_OK && !exists) status = create_table(&state, err);
        if (status == FLOE_OK && state.part_count > 0)
            status = commit_parts(&state, 0, state.part_count, result, err);
        if (status == FLOE_OK) show_progress(&state, state.part_count);
    }
    if (status < 0) atomic_store(&state.stop, true);
    for (int i = 0; i < started; i++) pthread_join(threads[i], NULL);
    if (options->progress) fputs("\r\033[K", stderr);
    run_fini(&state);
    if (status < 0 && !options->append) {
        /* Folders of a table that never got a version; rmdir leaves any non-empty one alone. */
        char data_directory[PATH_MAX + 8];
        snprintf(data_directory, sizeof data_directory, "%s/data", state.table_directory);
        rmdir(data_directory);
        rmdir(state.table_directory);
    }
    if (status < 0 && result->snapshots > 0)
        floe_error_prefix(err, "%s: %" PRIu64 " snapshot(s) committed before the failure",
                          table->name, result->snapshots);
    return status;
}
