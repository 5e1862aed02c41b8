/*
 * ingest.c — `floe-engine ingest TABLE FILE.parquet ...`: append Parquet files to an Iceberg
 * table of the warehouse as ONE `append` snapshot (io/iceberg_commit.h).
 *
 * Decisions:
 *   - The files are COPIED into the table's data/ folder under new unique names: paths in
 *     metadata are absolute (DESIGN.md), and a table that only points at files elsewhere breaks
 *     when they move or are deleted; copying keeps the lake self-contained. The bytes are copied
 *     as they are (no re-encoding), fsync'ed, and committed.
 *   - A table that does not exist is created from the first file's schema: its columns in file
 *     order, field ids 1..n, every column optional (so later files may leave columns out), types
 *     by Floe's reading of the Parquet schema mapped to Iceberg's (INT32→int, INT64→long,
 *     DECIMAL→decimal, TIMESTAMP→timestamp, STRING→string...). Since copied files carry no
 *     Iceberg field ids, the table gets a `schema.name-mapping.default` property (name → id), as
 *     Iceberg's own add_files/migrate procedures do, so every engine can map the files' columns.
 *   - Every file must fit the table's current schema: each of its columns is a table column of
 *     the same name and type (or an allowed promotion: int→long, float→double, decimal
 *     widening), and the table columns it lacks are optional. Nested columns are refused.
 *     Any file that does not fit stops the command before anything is copied or committed.
 *   - Manifest entries carry record counts, file sizes and column metrics from the footer:
 *     column sizes, value and null counts, lower/upper bounds in Iceberg's single-value binary
 *     form (strings and binaries only when their bound is at most 16 bytes: a longer one would
 *     need truncation rules, and leaving a bound out is always valid).
 * Output: one line "TABLE: snapshot ID: N files, M rows". Errors: one line, exit 1; files
 * copied by a failed run are removed (a crash leaves them as orphans for vacuum).
 */
#define _XOPEN_SOURCE 700

#include "cli.h"

#include "io/catalog_fs.h"
#include "io/fs_util.h"
#include "io/iceberg_commit.h"
#include "io/parquet_footer.h"
#include "io/parquet_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MAX_BOUND_BYTES = 16 };

typedef struct input_file {
    const char *path;
    floe_pq_file_metadata *footer;
    char copy_path[PATH_MAX + 256];
    int copied;
    floe_ice_data_file data;
    floe_ice_int_long *counts;     /* 3 x columns: sizes, values, nulls */
    floe_ice_int_bytes *bounds;    /* 2 x columns: lower, upper */
    uint8_t *bound_bytes;          /* 2 x columns x 16 */
} input_file;

static void input_fini(input_file *input)
{
    floe_pq_file_metadata_free(input->footer);
    free(input->counts);
    free(input->bounds);
    free(input->bound_bytes);
}

/* Copies `source` to a new file `target` (O_EXCL) and fsyncs it. */
static int copy_file(const char *source, const char *target, int64_t *size, floe_error *err)
{
    int in = open(source, O_RDONLY | O_CLOEXEC);
    if (in < 0) return floe_error_set(err, -errno, "%s: %s", source, strerror(errno));
    int out = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (out < 0) {
        int code = errno;
        close(in);
        return floe_error_set(err, -code, "%s: %s", target, strerror(code));
    }
    static char buffer[1 << 20];
    int status = FLOE_OK;
    int64_t total = 0;
    for (;;) {
        ssize_t got = read(in, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            status = floe_error_set(err, -errno, "%s: %s", source, strerror(errno));
            break;
        }
        if (got == 0) break;
        for (ssize_t done = 0; done < got;) {
            ssize_t put = write(out, buffer + done, (size_t)(got - done));
            if (put < 0 && errno == EINTR) continue;
            if (put < 0) {
                status = floe_error_set(err, -errno, "%s: %s", target, strerror(errno));
                break;
            }
            done += put;
        }
        if (status < 0) break;
        total += got;
    }
    if (status == FLOE_OK && fsync(out) != 0)
        status = floe_error_set(err, -errno, "%s: fsync: %s", target, strerror(errno));
    close(in);
    if (close(out) != 0 && status == FLOE_OK)
        status = floe_error_set(err, -errno, "%s: %s", target, strerror(errno));
    if (status < 0) unlink(target);
    *size = total;
    return status;
}

/* Whether a file column of type `file` may be stored under a table column of type `table`. */
static int type_fits(floe_type file, floe_type table)
{
    if (floe_type_equal(file, table)) return 1;
    if (file.id == FLOE_TYPE_INT32 && table.id == FLOE_TYPE_INT64) return 1;
    if (file.id == FLOE_TYPE_FLOAT32 && table.id == FLOE_TYPE_FLOAT64) return 1;
    return file.id == FLOE_TYPE_DECIMAL && table.id == FLOE_TYPE_DECIMAL &&
           file.scale == table.scale && file.precision <= table.precision;
}

static int check_columns(const char *path, const floe_pq_file_metadata *footer, floe_error *err)
{
    FLOE_RETURN_IF(footer->column_count == 0, FLOE_EUNSUPPORTED, err, "%s: the file has no columns",
                   path);
    for (uint32_t i = 0; i < footer->column_count; i++) {
        const floe_pq_column *column = &footer->columns[i];
        FLOE_RETURN_IF(column->unsupported_reason != NULL || strchr(column->path, '.') != NULL,
                       FLOE_EUNSUPPORTED, err, "%s: column '%s': %s", path, column->path,
                       column->unsupported_reason ? column->unsupported_reason
                                                  : "nested columns are not supported");
    }
    return FLOE_OK;
}

static int check_fit(const char *path, const floe_pq_file_metadata *footer,
                     const floe_ice_schema *schema, floe_error *err)
{
    for (uint32_t i = 0; i < footer->column_count; i++) {
        const floe_pq_column *column = &footer->columns[i];
        const floe_ice_field *field = floe_ice_field_by_name(schema, column->name);
        FLOE_RETURN_IF(field == NULL, FLOE_ETYPE, err,
                       "%s: column '%s' is not in the table's schema", path, column->name);
        floe_type type;
        int status = floe_ice_field_floe_type(field, &type, err);
        if (status < 0) return status;
        char have[64], want[64];
        FLOE_RETURN_IF(!type_fits(column->type, type), FLOE_ETYPE, err,
                       "%s: column '%s' is %s but the table's column is %s", path, column->name,
                       floe_type_format(column->type, have, sizeof have),
                       floe_type_format(type, want, sizeof want));
        FLOE_RETURN_IF(column->has_field_id && column->field_id != field->id, FLOE_ETYPE, err,
                       "%s: column '%s' has field id %d but the table's column has %d", path,
                       column->name, (int)column->field_id, (int)field->id);
    }
    for (size_t f = 0; f < schema->field_count; f++) {
        const floe_ice_field *field = &schema->fields[f];
        FLOE_RETURN_IF(field->required && floe_pq_file_metadata_find_column(footer, field->name) == NULL,
                       FLOE_ETYPE, err, "%s: lacks column '%s', which the table requires", path,
                       field->name);
    }
    return FLOE_OK;
}

/* Iceberg's single-value binary form of a statistics bound, in the table column's type. */
static int bound_bytes(floe_type file, floe_type table, const floe_pq_bound *bound, uint8_t *out)
{
    uint64_t bits = 0;
    size_t width = 0;
    switch (table.id) {
    case FLOE_TYPE_BOOLEAN: out[0] = bound->value.boolean ? 1 : 0; return 1;
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_DATE: bits = (uint32_t)bound->value.i32; width = 4; break;
    case FLOE_TYPE_INT64:
    case FLOE_TYPE_TIMESTAMP:
    case FLOE_TYPE_TIMESTAMPTZ:
        bits = file.id == FLOE_TYPE_INT32 ? (uint64_t)(int64_t)bound->value.i32
                                          : (uint64_t)bound->value.i64;
        width = 8;
        break;
    case FLOE_TYPE_FLOAT32: memcpy(&bits, &bound->value.f32, 4); width = 4; break;
    case FLOE_TYPE_FLOAT64: {
        double value = file.id == FLOE_TYPE_FLOAT32 ? bound->value.f32 : bound->value.f64;
        memcpy(&bits, &value, 8);
        width = 8;
        break;
    }
    case FLOE_TYPE_DECIMAL: {
        floe_int128 value = floe_type_width(file) == 16 ? bound->value.i128 : bound->value.i64;
        uint8_t big[16];
        for (int i = 0; i < 16; i++) big[15 - i] = (uint8_t)((floe_uint128)value >> (8 * i));
        int start = 0; /* fewest bytes that keep the sign */
        while (start < 15 && ((big[start] == 0x00 && !(big[start + 1] & 0x80)) ||
                              (big[start] == 0xFF && (big[start + 1] & 0x80))))
            start++;
        memcpy(out, big + start, (size_t)(16 - start));
        return 16 - start;
    }
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY:
        if (bound->size > MAX_BOUND_BYTES) return -1;
        memcpy(out, bound->bytes, bound->size);
        return (int)bound->size;
    default: return -1;
    }
    for (size_t i = 0; i < width; i++) out[i] = (uint8_t)(bits >> (8 * i));
    return (int)width;
}

/* -1, 0, 1 comparing two bounds of a file column's type. */
static int compare_bounds(floe_type type, const floe_pq_bound *a, const floe_pq_bound *b)
{
    switch (type.id) {
    case FLOE_TYPE_BOOLEAN: return (a->value.boolean > b->value.boolean) - (a->value.boolean < b->value.boolean);
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_DATE: return (a->value.i32 > b->value.i32) - (a->value.i32 < b->value.i32);
    case FLOE_TYPE_FLOAT32: return (a->value.f32 > b->value.f32) - (a->value.f32 < b->value.f32);
    case FLOE_TYPE_FLOAT64: return (a->value.f64 > b->value.f64) - (a->value.f64 < b->value.f64);
    case FLOE_TYPE_DECIMAL:
        if (floe_type_width(type) == 16)
            return (a->value.i128 > b->value.i128) - (a->value.i128 < b->value.i128);
        return (a->value.i64 > b->value.i64) - (a->value.i64 < b->value.i64);
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY: {
        size_t n = a->size < b->size ? a->size : b->size;
        int order = n ? memcmp(a->bytes, b->bytes, n) : 0;
        if (order != 0) return order < 0 ? -1 : 1;
        return (a->size > b->size) - (a->size < b->size);
    }
    default: return (a->value.i64 > b->value.i64) - (a->value.i64 < b->value.i64);
    }
}

/* Fills input->data's counts and bounds from the footer statistics. */
static int collect_metrics(input_file *input, const floe_ice_schema *schema, floe_error *err)
{
    const floe_pq_file_metadata *footer = input->footer;
    uint32_t columns = footer->column_count;
    input->counts = calloc(3 * (size_t)columns, sizeof *input->counts);
    input->bounds = calloc(2 * (size_t)columns, sizeof *input->bounds);
    input->bound_bytes = calloc(2 * (size_t)columns, MAX_BOUND_BYTES);
    uint32_t *indexes = calloc(columns, sizeof *indexes);
    if (input->counts == NULL || input->bounds == NULL || input->bound_bytes == NULL ||
        indexes == NULL) {
        free(indexes);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < columns; i++) indexes[i] = i;
    floe_pq_reader_options options = {0};
    options.column_indexes = indexes;
    options.column_index_count = columns;
    floe_pq_reader *reader = NULL;
    int status = floe_pq_reader_open(&reader, input->path, &options, err);
    free(indexes);
    if (status < 0) return status;
    floe_ice_int_long *sizes = input->counts, *values = input->counts + columns,
                      *nulls = input->counts + 2 * columns;
    floe_ice_int_bytes *lowers = input->bounds, *uppers = input->bounds + columns;
    size_t bound_count = 0;
    uint32_t row_groups = floe_pq_reader_row_group_count(reader);
    for (uint32_t c = 0; c < columns && status == FLOE_OK; c++) {
        const floe_pq_column *column = &footer->columns[c];
        const floe_ice_field *field = floe_ice_field_by_name(schema, column->name);
        floe_type table_type;
        status = floe_ice_field_floe_type(field, &table_type, err);
        if (status < 0) break;
        int64_t column_size = 0, null_count = 0;
        int null_known = 1, bounds_known = row_groups > 0;
        for (uint32_t g = 0; g < row_groups; g++) {
            const floe_pq_column_chunk *chunk = &footer->row_groups[g].columns[c];
            if (chunk->meta_data != NULL) column_size += chunk->meta_data->total_compressed_size;
            floe_pq_column_statistics statistics;
            status = floe_pq_reader_statistics(reader, g, c, &statistics, err);
            if (status < 0) break;
            if (statistics.has_null_count) null_count += statistics.null_count;
            else null_known = 0;
            int64_t rows = floe_pq_reader_row_group_rows(reader, g);
            int all_null = statistics.has_null_count && statistics.null_count == rows;
            if (all_null) continue; /* contributes no bound */
            if (!statistics.has_min_max) bounds_known = 0;
        }
        if (status < 0) break;
        int32_t id = field->id;
        sizes[c] = (floe_ice_int_long){id, column_size};
        values[c] = (floe_ice_int_long){id, footer->num_rows};
        nulls[c] = (floe_ice_int_long){id, null_known ? null_count : -1};
        /* Bounds only when every row group with values has them (all-NULL groups have none). */
        int have_bound = 0;
        floe_pq_bound best_low = {0}, best_high = {0};
        for (uint32_t g = 0; bounds_known && g < row_groups; g++) {
            floe_pq_column_statistics statistics;
            status = floe_pq_reader_statistics(reader, g, c, &statistics, err);
            if (status < 0) break;
            if (!statistics.has_min_max) continue;
            if (!have_bound || compare_bounds(column->type, &statistics.min, &best_low) < 0)
                best_low = statistics.min;
            if (!have_bound || compare_bounds(column->type, &statistics.max, &best_high) > 0)
                best_high = statistics.max;
            have_bound = 1;
        }
        if (status < 0) break;
        if (bounds_known && have_bound) {
            uint8_t *low_out = input->bound_bytes + (2 * c) * MAX_BOUND_BYTES;
            uint8_t *high_out = input->bound_bytes + (2 * c + 1) * MAX_BOUND_BYTES;
            int low_size = bound_bytes(column->type, table_type, &best_low, low_out);
            int high_size = bound_bytes(column->type, table_type, &best_high, high_out);
            if (low_size >= 0 && high_size >= 0) {
                lowers[bound_count] = (floe_ice_int_bytes){id, {low_out, (size_t)low_size}};
                uppers[bound_count] = (floe_ice_int_bytes){id, {high_out, (size_t)high_size}};
                bound_count++;
            }
        }
    }
    floe_pq_reader_free(reader);
    if (status < 0) return status;
    /* Null counts unknown for some column: leave that column out (compact the array). */
    size_t null_entries = 0;
    for (uint32_t c = 0; c < columns; c++)
        if (nulls[c].value >= 0) nulls[null_entries++] = nulls[c];
    floe_ice_data_file *data = &input->data;
    data->column_sizes = (floe_ice_counts){columns, 1, sizes};
    data->value_counts = (floe_ice_counts){columns, 1, values};
    data->null_value_counts = (floe_ice_counts){null_entries, 1, nulls};
    data->lower_bounds = (floe_ice_bounds){bound_count, 1, lowers};
    data->upper_bounds = (floe_ice_bounds){bound_count, 1, uppers};
    return FLOE_OK;
}

/* Creates the table from the first file's schema (FLOE_OK also when another writer just did). */
static int create_table(const char *directory, const floe_pq_file_metadata *footer,
                        floe_error *err)
{
    uint32_t count = footer->column_count;
    floe_ice_new_column *columns = calloc(count, sizeof *columns);
    json_t *mapping = json_array();
    if (columns == NULL || mapping == NULL) {
        free(columns);
        json_decref(mapping);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < count; i++) {
        columns[i] = (floe_ice_new_column){footer->columns[i].name, footer->columns[i].type, 0,
                                           (int32_t)i + 1, NULL};
        json_array_append_new(mapping, json_pack("{s:i, s:[s]}", "field-id", (int)i + 1,
                                                 "names", footer->columns[i].name));
    }
    char *text = json_dumps(mapping, JSON_COMPACT);
    json_decref(mapping);
    int status;
    if (text == NULL) {
        status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    } else {
        floe_ice_property property = {"schema.name-mapping.default", text};
        status = floe_ice_commit_create_table(directory, columns, count, &property, 1, err);
        if (status == FLOE_ECONFLICT) status = FLOE_OK; /* created meanwhile by another writer */
    }
    free(text);
    free(columns);
    return status;
}

static int ingest(const floe_cli_context *context, const char *table_name, int file_count,
                  char **paths, floe_error *err)
{
    char table_directory[PATH_MAX + 64], warehouse[PATH_MAX];
    int status = floe_io_catalog_table_directory(".", table_name, table_directory,
                                                 sizeof table_directory, err);
    if (status < 0) return status;
    input_file *inputs = calloc((size_t)file_count, sizeof *inputs);
    if (inputs == NULL) return floe_error_set(err, FLOE_ENOMEM, "out of memory");
    floe_ice_table *table = NULL;
    int committed = 0;
    for (int i = 0; i < file_count && status == FLOE_OK; i++) {
        inputs[i].path = paths[i];
        status = floe_pq_file_metadata_open(paths[i], &inputs[i].footer, err);
        if (status < 0) break;
        status = check_columns(paths[i], inputs[i].footer, err);
    }
    if (status == FLOE_OK) {
        status = floe_io_make_directories(context->warehouse, err);
        if (status == FLOE_OK && realpath(context->warehouse, warehouse) == NULL)
            status = floe_error_set(err, -errno, "%s: %s", context->warehouse, strerror(errno));
    }
    if (status == FLOE_OK)
        status = floe_io_catalog_table_directory(warehouse, table_name, table_directory,
                                                 sizeof table_directory, err);
    if (status == FLOE_OK) {
        int64_t version = 0;
        status = floe_io_catalog_current_version(table_directory, &version, NULL, err);
        if (status == FLOE_ENOTFOUND) {
            floe_error_clear(err);
            status = create_table(table_directory, inputs[0].footer, err);
        }
    }
    if (status == FLOE_OK) status = floe_ice_table_open(&table, table_directory, NULL, err);
    const floe_ice_schema *schema = table ? floe_ice_current_schema(table->metadata) : NULL;
    if (status == FLOE_OK && schema == NULL)
        status = floe_error_set(err, FLOE_ECORRUPT, "%s: no current schema", table_directory);
    for (int i = 0; i < file_count && status == FLOE_OK; i++)
        status = check_fit(paths[i], inputs[i].footer, schema, err);
    for (int i = 0; i < file_count && status == FLOE_OK; i++)
        status = collect_metrics(&inputs[i], schema, err);
    if (status == FLOE_OK) {
        char data_directory[PATH_MAX + 128];
        snprintf(data_directory, sizeof data_directory, "%s/data", table_directory);
        status = floe_io_make_directories(data_directory, err);
    }
    int64_t rows = 0;
    floe_ice_data_file *files = calloc((size_t)file_count, sizeof *files);
    if (files == NULL && status == FLOE_OK) status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    for (int i = 0; i < file_count && status == FLOE_OK; i++) {
        input_file *input = &inputs[i];
        status = floe_io_catalog_new_file_path(table_directory, "data", "ingest-", ".parquet",
                                               input->copy_path, sizeof input->copy_path, err);
        int64_t size = 0;
        if (status == FLOE_OK) status = copy_file(input->path, input->copy_path, &size, err);
        if (status < 0) break;
        input->copied = 1;
        if ((uint64_t)size != input->footer->file_size) {
            status = floe_error_set(err, FLOE_ECONFLICT, "%s: changed while being copied",
                                    input->path);
            break;
        }
        input->data.content = FLOE_ICE_CONTENT_DATA;
        input->data.file_path = input->copy_path;
        input->data.file_format = "PARQUET";
        input->data.record_count = input->footer->num_rows;
        input->data.file_size_in_bytes = size;
        files[i] = input->data;
        rows += input->footer->num_rows;
    }
    floe_ice_commit_result result = {0};
    if (status == FLOE_OK) {
        floe_ice_commit_request request = {0};
        request.added_files = files;
        request.added_count = (size_t)file_count;
        request.expected_schema_id = schema->schema_id;
        status = floe_ice_commit(table_directory, &request, &result, err);
        if (status == FLOE_OK) committed = 1;
    }
    if (committed) {
        printf("%s: snapshot %" PRId64 ": %d file%s, %" PRId64 " rows\n", table_name,
               result.snapshot_id, file_count, file_count == 1 ? "" : "s", rows);
    }
    for (int i = 0; i < file_count; i++) {
        if (inputs[i].copied && !committed) unlink(inputs[i].copy_path);
        input_fini(&inputs[i]);
    }
    free(files);
    free(inputs);
    floe_ice_table_free(table);
    return status;
}

int floe_cli_ingest(const floe_cli_context *context, int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        printf("usage: floe-engine [--warehouse DIR] ingest TABLE FILE.parquet ...\n"
               "\n"
               "Appends the Parquet files to the Iceberg table TABLE (ns.name) as one snapshot.\n"
               "The files are COPIED into the table's data/ folder under new names, so the lake\n"
               "stays self-contained (metadata stores absolute paths; the originals may then be\n"
               "moved or deleted). A missing table is created from the first file's schema;\n"
               "every file must fit the table's schema (same names and types, missing columns\n"
               "optional), else nothing is committed.\n");
        return FLOE_EXIT_OK;
    }
    if (argc < 3) return floe_cli_usage_error("ingest", "needs a TABLE (ns.name) and FILE.parquet ...");
    for (int i = 1; i < argc; i++)
        if (argv[i][0] == '-' && argv[i][1] != '\0')
            return floe_cli_usage_error("ingest", "unknown option '%s'", argv[i]);
    floe_error err;
    floe_error_clear(&err);
    int status = ingest(context, argv[1], argc - 2, argv + 2, &err);
    if (status == FLOE_OK) {
        if (fflush(stdout) != 0) {
            fprintf(stderr, "floe-engine: ingest: writing output failed\n");
            return FLOE_EXIT_USER_ERROR;
        }
        return FLOE_EXIT_OK;
    }
    int exit_status = floe_cli_report("ingest", status, &err);
    return exit_status == FLOE_EXIT_USAGE ? FLOE_EXIT_USER_ERROR : exit_status;
}
