/* table_writer.c — batches to Parquet data files of an Iceberg table, one commit (contract in
 * engine/table_writer.h). */
#define _POSIX_C_SOURCE 200809L

#include "engine/table_writer.h"

#include "io/catalog_fs.h"     /* floe_io_catalog_new_file_path */
#include "io/fs_util.h"        /* floe_io_make_directories */
#include "io/parquet_writer.h"
#include "kernels/memory.h"
#include "kernels/value_text.h" /* floe_text, JSON string escaping */

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* One data file: its path and, once closed, what the manifest entry says about it. */
typedef struct written_file {
    char *path;
    bool closed;
    floe_eng_data_file_entry entry; /* once closed */
} written_file;

struct floe_eng_table_writer {
    char *directory;              /* absolute table directory */
    int32_t schema_id;
    uint32_t column_count;
    floe_pq_write_column *columns; /* names point into the strings of `names` */
    char *names;                  /* every column name, NUL-separated */
    char *schema_json;            /* "iceberg.schema" */
    floe_pq_writer *open_writer;  /* the file being written, NULL between files */
    int64_t open_rows;
    written_file *files;          /* the last one is the open file when open_writer != NULL */
    size_t file_count, file_capacity;
    int64_t rows;
    bool failed;                  /* a write or commit failed: refuse further use */
    bool committed;               /* the files belong to the table */
};

/* ---- open -------------------------------------------------------------------------------- */

static int append_literal(floe_text *text, const char *literal)
{
    return floe_text_append(text, literal, strlen(literal));
}

static int append_json_string(floe_text *text, const char *value)
{
    return floe_k_json_string_append(text, value, strlen(value));
}

static int append_number(floe_text *text, int32_t value)
{
    char number[16];
    snprintf(number, sizeof number, "%d", (int)value);
    return append_literal(text, number);
}

static int write_schema_json(floe_text *text, const floe_ice_schema *schema)
{
    FLOE_TRY(append_literal(text, "{\"type\":\"struct\",\"schema-id\":"));
    FLOE_TRY(append_number(text, schema->schema_id));
    FLOE_TRY(append_literal(text, ",\"fields\":["));
    for (size_t i = 0; i < schema->field_count; i++) {
        const floe_ice_field *field = &schema->fields[i];
        FLOE_TRY(append_literal(text, i > 0 ? ",{\"id\":" : "{\"id\":"));
        FLOE_TRY(append_number(text, field->id));
        FLOE_TRY(append_literal(text, ",\"name\":"));
        FLOE_TRY(append_json_string(text, field->name));
        FLOE_TRY(append_literal(text, ",\"required\":"));
        FLOE_TRY(append_literal(text, field->required ? "true" : "false"));
        FLOE_TRY(append_literal(text, ",\"type\":"));
        FLOE_TRY(append_json_string(text, field->type_text));
        if (field->doc != NULL) {
            FLOE_TRY(append_literal(text, ",\"doc\":"));
            FLOE_TRY(append_json_string(text, field->doc));
        }
        FLOE_TRY(append_literal(text, "}"));
    }
    return append_literal(text, "]}");
}

/* The schema as Iceberg JSON, as Iceberg's writers store it in "iceberg.schema" (*out is
 * floe_malloc'ed text). */
static int schema_json(const floe_ice_schema *schema, char **out, floe_error *err)
{
    floe_text text;
    floe_text_init(&text);
    if (write_schema_json(&text, schema) < 0) {
        floe_text_fini(&text);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory writing the table schema");
    }
    *out = text.data; /* the buffer came from floe_realloc: the caller floe_frees it */
    return FLOE_OK;
}

static char *copy_string(const char *text)
{
    size_t size = strlen(text) + 1;
    char *copy = floe_malloc(size);
    if (copy != NULL) memcpy(copy, text, size);
    return copy;
}

int floe_eng_table_writer_open(floe_eng_table_writer **out, const floe_ice_table *table,
                               floe_error *err)
{
    FLOE_RETURN_IF(out == NULL || table == NULL, FLOE_EINVAL, err,
                   "floe_eng_table_writer_open: NULL argument");
    *out = NULL;
    FLOE_RETURN_IF(table->directory == NULL || table->directory[0] != '/', FLOE_EINVAL, err,
                   "floe_eng_table_writer_open: the table directory must be absolute");
    const floe_ice_schema *schema = floe_ice_current_schema(table->metadata);
    FLOE_RETURN_IF(schema == NULL, FLOE_ECORRUPT, err, "%s: no current schema",
                   table->metadata_path);
    FLOE_RETURN_IF(schema->field_count == 0, FLOE_EUNSUPPORTED, err,
                   "%s: the table has no columns", table->directory);
    const floe_ice_partition_spec *spec = floe_ice_default_partition_spec(table->metadata);
    FLOE_RETURN_IF(spec != NULL && spec->field_count > 0, FLOE_EUNSUPPORTED, err,
                   "%s: writing to a partitioned table is not supported yet", table->directory);

    floe_eng_table_writer *writer = floe_calloc(1, sizeof *writer);
    FLOE_RETURN_IF(writer == NULL, FLOE_ENOMEM, err, "out of memory");
    int status = FLOE_OK;
    size_t names_size = 0;
    for (size_t i = 0; i < schema->field_count; i++)
        names_size += strlen(schema->fields[i].name) + 1;
    writer->column_count = (uint32_t)schema->field_count;
    writer->schema_id = schema->schema_id;
    writer->directory = copy_string(table->directory);
    writer->columns = floe_calloc(schema->field_count, sizeof *writer->columns);
    writer->names = floe_malloc(names_size);
    if (writer->directory == NULL || writer->columns == NULL || writer->names == NULL) {
        status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
        goto fail;
    }
    char *name = writer->names;
    for (size_t i = 0; i < schema->field_count; i++) {
        const floe_ice_field *field = &schema->fields[i];
        floe_type type;
        status = floe_ice_field_floe_type(field, &type, err);
        if (status < 0) {
            floe_error_prefix(err, "%s: cannot write column '%s'", table->directory, field->name);
            goto fail;
        }
        size_t length = strlen(field->name) + 1;
        memcpy(name, field->name, length);
        writer->columns[i] = (floe_pq_write_column){name, type, !field->required, field->id};
        name += length;
    }
    status = schema_json(schema, &writer->schema_json, err);
    if (status < 0) goto fail;
    *out = writer;
    return FLOE_OK;
fail:
    floe_eng_table_writer_free(writer);
    return status;
}

/* ---- files ------------------------------------------------------------------------------- */

static void written_file_fini(written_file *file, bool remove)
{
    if (remove && file->path != NULL) unlink(file->path);
    floe_free(file->path);
    floe_eng_data_file_entry_fini(&file->entry);
}

static int start_file(floe_eng_table_writer *writer, floe_error *err)
{
    if (writer->file_count == writer->file_capacity) {
        size_t capacity = writer->file_capacity ? writer->file_capacity * 2 : 4;
        written_file *grown = floe_realloc(writer->files, capacity * sizeof *grown);
        FLOE_RETURN_IF(grown == NULL, FLOE_ENOMEM, err, "out of memory");
        writer->files = grown;
        writer->file_capacity = capacity;
    }
    if (writer->file_count == 0) {
        char data[PATH_MAX];
        FLOE_TRY(floe_io_path_join(data, sizeof data, writer->directory, "data", err));
        FLOE_TRY(floe_io_make_directories(data, err));
    }
    char path[PATH_MAX];
    FLOE_TRY(floe_io_catalog_new_file_path(writer->directory, "data", "floe-", ".parquet", path,
                                           sizeof path, err));
    written_file *file = &writer->files[writer->file_count];
    memset(file, 0, sizeof *file);
    file->path = copy_string(path);
    FLOE_RETURN_IF(file->path == NULL, FLOE_ENOMEM, err, "out of memory");
    writer->file_count++; /* from here on the path is ours to remove */
    floe_pq_write_schema schema = {writer->columns, writer->column_count, writer->schema_json,
                                   NULL, 0};
    FLOE_TRY(floe_pq_writer_create(&writer->open_writer, path, &schema, NULL, err));
    writer->open_rows = 0;
    return FLOE_OK;
}

void floe_eng_data_file_entry_fini(floe_eng_data_file_entry *entry)
{
    floe_free(entry->counts);
    floe_free(entry->bounds);
    floe_free(entry->bound_bytes);
    memset(entry, 0, sizeof *entry);
}

int floe_eng_data_file_entry_build(floe_eng_data_file_entry *entry, const char *path,
                                   const floe_pq_write_column *columns,
                                   const floe_pq_write_result *result, floe_error *err)
{
    memset(entry, 0, sizeof *entry);
    uint32_t count = result->column_count;
    size_t room = count > 0 ? count : 1;
    entry->counts = floe_calloc(4 * room, sizeof *entry->counts);
    entry->bounds = floe_calloc(2 * room, sizeof *entry->bounds);
    entry->bound_bytes = floe_malloc(2 * room * FLOE_PQ_BOUND_MAX_SIZE);
    if (entry->counts == NULL || entry->bounds == NULL || entry->bound_bytes == NULL) {
        floe_eng_data_file_entry_fini(entry);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory describing %s", path);
    }
    floe_ice_int_long *sizes = entry->counts, *values = sizes + count, *nulls = values + count,
                      *nans = nulls + count;
    floe_ice_int_bytes *lowers = entry->bounds, *uppers = lowers + count;
    size_t nan_count = 0, lower_count = 0, upper_count = 0;
    for (uint32_t c = 0; c < count; c++) {
        const floe_pq_column_result *column = &result->columns[c];
        int32_t id = column->field_id;
        sizes[c] = (floe_ice_int_long){id, (int64_t)column->column_size};
        values[c] = (floe_ice_int_long){id, (int64_t)column->value_count};
        nulls[c] = (floe_ice_int_long){id, (int64_t)column->null_count};
        floe_type_id type = (floe_type_id)columns[c].type.id;
        if (type == FLOE_TYPE_FLOAT32 || type == FLOE_TYPE_FLOAT64)
            nans[nan_count++] = (floe_ice_int_long){id, (int64_t)column->nan_count};
        uint8_t *low = entry->bound_bytes + (2 * (size_t)c) * FLOE_PQ_BOUND_MAX_SIZE;
        uint8_t *high = low + FLOE_PQ_BOUND_MAX_SIZE;
        if (column->has_lower_bound) {
            memcpy(low, column->lower_bound, column->lower_bound_size);
            lowers[lower_count++] = (floe_ice_int_bytes){id, {low, column->lower_bound_size}};
        }
        if (column->has_upper_bound) {
            memcpy(high, column->upper_bound, column->upper_bound_size);
            uppers[upper_count++] = (floe_ice_int_bytes){id, {high, column->upper_bound_size}};
        }
    }
    floe_ice_data_file *data = &entry->data;
    data->content = FLOE_ICE_CONTENT_DATA;
    data->file_path = path;
    data->file_format = "PARQUET";
    data->record_count = (int64_t)result->row_count;
    data->file_size_in_bytes = (int64_t)result->file_size;
    data->column_sizes = (floe_ice_counts){count, 1, sizes};
    data->value_counts = (floe_ice_counts){count, 1, values};
    data->null_value_counts = (floe_ice_counts){count, 1, nulls};
    data->nan_value_counts = (floe_ice_counts){nan_count, 1, nans};
    data->lower_bounds = (floe_ice_bounds){lower_count, 1, lowers};
    data->upper_bounds = (floe_ice_bounds){upper_count, 1, uppers};
    return FLOE_OK;
}

/* Finishes the open file: footer, fsync, manifest description. */
static int close_file(floe_eng_table_writer *writer, floe_error *err)
{
    written_file *file = &writer->files[writer->file_count - 1];
    floe_pq_write_result result;
    int status = floe_pq_writer_close(writer->open_writer, &result, err);
    if (status == FLOE_OK) status = floe_pq_writer_sync(writer->open_writer, err);
    if (status == FLOE_OK)
        status = floe_eng_data_file_entry_build(&file->entry, file->path, writer->columns,
                                                &result, err);
    floe_pq_writer_free(writer->open_writer);
    writer->open_writer = NULL;
    if (status == FLOE_OK) file->closed = true;
    return status;
}

/* ---- writing ----------------------------------------------------------------------------- */

static int check_batch(const floe_eng_table_writer *writer, const floe_batch *batch,
                       floe_error *err)
{
    FLOE_RETURN_IF(batch->column_count != writer->column_count, FLOE_ETYPE, err,
                   "%s: %u values per row for a table of %u columns", writer->directory,
                   (unsigned)batch->column_count, (unsigned)writer->column_count);
    uint32_t live = floe_batch_live_count(batch);
    for (uint32_t c = 0; c < writer->column_count; c++) {
        const floe_pq_write_column *column = &writer->columns[c];
        const floe_vector *vector = &batch->columns[c];
        if (!floe_type_equal(vector->type, column->type)) {
            char have[48], want[48];
            return floe_error_set(err, FLOE_ETYPE, "%s: column '%s' is %s but the rows give %s",
                                  writer->directory, column->name,
                                  floe_type_format(column->type, want, sizeof want),
                                  floe_type_format(vector->type, have, sizeof have));
        }
        if (column->nullable || vector->validity == NULL) continue;
        for (uint32_t i = 0; i < live; i++) {
            FLOE_RETURN_IF(floe_vector_is_null(vector, floe_batch_live_row(batch, i)), FLOE_ETYPE,
                           err, "NULL value in column '%s', which is NOT NULL", column->name);
        }
    }
    return FLOE_OK;
}

int floe_eng_table_writer_write(floe_eng_table_writer *writer, const floe_batch *batch,
                                floe_error *err)
{
    FLOE_RETURN_IF(writer == NULL || batch == NULL, FLOE_EINVAL, err,
                   "floe_eng_table_writer_write: NULL argument");
    FLOE_RETURN_IF(writer->failed || writer->committed, FLOE_EINVAL, err,
                   "%s: the table writer was used after %s", writer->directory,
                   writer->committed ? "its commit" : "an error");
    FLOE_TRY(check_batch(writer, batch, err));
    uint32_t live = floe_batch_live_count(batch);
    if (live == 0) return FLOE_OK;
    int status = FLOE_OK;
    if (writer->open_writer == NULL) status = start_file(writer, err);
    if (status == FLOE_OK) status = floe_pq_writer_write_batch(writer->open_writer, batch, err);
    if (status == FLOE_OK) {
        writer->open_rows += live;
        writer->rows += live;
        if (writer->open_rows >= FLOE_ENG_TABLE_WRITER_FILE_ROWS) status = close_file(writer, err);
    }
    if (status < 0) writer->failed = true;
    return status;
}

/* ---- commit ------------------------------------------------------------------------------ */

int floe_eng_table_writer_commit(floe_eng_table_writer *writer, const floe_eng_table_commit *commit,
                                 floe_ice_commit_result *result, floe_error *err)
{
    FLOE_RETURN_IF(writer == NULL, FLOE_EINVAL, err, "floe_eng_table_writer_commit: NULL writer");
    FLOE_RETURN_IF(writer->failed || writer->committed, FLOE_EINVAL, err,
                   "%s: the table writer was used after %s", writer->directory,
                   writer->committed ? "its commit" : "an error");
    if (result != NULL) {
        memset(result, 0, sizeof *result);
        result->snapshot_id = -1;
        result->parent_snapshot_id = -1;
    }
    int status = FLOE_OK;
    if (writer->open_writer != NULL) status = close_file(writer, err);
    floe_ice_data_file *added = NULL;
    if (status == FLOE_OK && writer->file_count > 0) {
        added = floe_calloc(writer->file_count, sizeof *added);
        if (added == NULL) status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
        for (size_t i = 0; added != NULL && i < writer->file_count; i++)
            added[i] = writer->files[i].entry.data;
    }
    size_t removed = commit != NULL ? commit->removed_count : 0;
    if (status == FLOE_OK && (writer->file_count > 0 || removed > 0)) {
        floe_ice_commit_request request = {0};
        request.operation = commit != NULL ? commit->operation : NULL;
        request.added_files = added;
        request.added_count = writer->file_count;
        request.removed_paths = commit != NULL ? commit->removed_paths : NULL;
        request.removed_count = removed;
        request.summary = commit != NULL ? commit->summary : NULL;
        request.summary_count = commit != NULL ? commit->summary_count : 0;
        request.expected_schema_id = writer->schema_id;
        request.expected_snapshot_id = commit != NULL ? commit->expected_snapshot_id : 0;
        status = floe_ice_commit(writer->directory, &request, result, err);
    }
    floe_free(added);
    if (status == FLOE_OK) writer->committed = true;
    else writer->failed = true;
    return status;
}

int64_t floe_eng_table_writer_rows(const floe_eng_table_writer *writer)
{
    return writer != NULL ? writer->rows : 0;
}

size_t floe_eng_table_writer_file_count(const floe_eng_table_writer *writer)
{
    return writer != NULL ? writer->file_count : 0;
}

void floe_eng_table_writer_free(floe_eng_table_writer *writer)
{
    if (writer == NULL) return;
    floe_pq_writer_free(writer->open_writer);
    for (size_t i = 0; i < writer->file_count; i++)
        written_file_fini(&writer->files[i], !writer->committed);
    floe_free(writer->files);
    floe_free(writer->schema_json);
    floe_free(writer->names);
    floe_free(writer->columns);
    floe_free(writer->directory);
    floe_free(writer);
}
