/*
 * parquet_reader.c — a Parquet file as column batches: projection, row group selection,
 * statistics, and the one batched read per row group (contract in parquet_reader.h).
 *
 * Why one read batch per row group: the projected chunks of a row group are independent byte
 * ranges, so io/file_reader.h can have them all in flight at once (io_uring) and decoding then
 * runs from memory. Each chunk's range is checked against the file before anything is read: a
 * footer is just bytes, and a range outside the file is corruption, not an I/O error.
 */
#include "io/parquet_reader.h"

#include "io/parquet_reader_int.h"
#include "kernels/memory.h"

#include <string.h>

struct floe_pq_reader {
    char *name;                      /* path, or the caller's name for an in-memory image */
    const uint8_t *image;            /* whole file in memory (open_memory), else NULL */
    size_t image_size;
    floe_pq_file_metadata *metadata;
    floe_io_reader *io;              /* NULL for images */
    floe_pq_codec_context *codec;
    uint32_t column_count;           /* projected */
    floe_pq_reader_column *columns;
    floe_pq_column_cursor *cursors;
    uint8_t **chunk_buffers;         /* per projected column, the current chunk's bytes */
    size_t *chunk_capacities;
    floe_io_request *requests;
    uint32_t *row_groups;            /* selected, in reading order */
    uint32_t row_group_count;
    uint32_t next_row_group;         /* index into row_groups */
    bool started;                    /* next_batch was called */
    bool in_row_group;
    int64_t rows_left;               /* in the current row group */
};

static char *duplicate(const char *text)
{
    size_t size = strlen(text) + 1;
    char *copy = floe_malloc(size);
    if (copy != NULL) memcpy(copy, text, size);
    return copy;
}

void floe_pq_reader_free(floe_pq_reader *reader)
{
    if (reader == NULL) return;
    for (uint32_t i = 0; i < reader->column_count; i++) {
        if (reader->cursors != NULL) floe_pq_cursor_fini(&reader->cursors[i]);
        if (reader->chunk_buffers != NULL) floe_free(reader->chunk_buffers[i]);
    }
    floe_free(reader->cursors);
    floe_free(reader->chunk_buffers);
    floe_free(reader->chunk_capacities);
    floe_free(reader->requests);
    floe_free(reader->columns);
    floe_free(reader->row_groups);
    floe_pq_codec_context_free(reader->codec);
    floe_io_reader_free(reader->io);
    floe_pq_file_metadata_free(reader->metadata);
    floe_free(reader->name);
    floe_free(reader);
}

static int project(floe_pq_reader *reader, const floe_pq_reader_options *options,
                   floe_error *err)
{
    const floe_pq_file_metadata *metadata = reader->metadata;
    uint32_t count = metadata->column_count;
    if (options != NULL && options->column_names != NULL) {
        count = options->column_name_count;
    } else if (options != NULL && options->column_indexes != NULL) {
        count = options->column_index_count;
    }
    size_t slots = count ? count : 1;
    reader->columns = floe_calloc(slots, sizeof *reader->columns);
    reader->cursors = floe_calloc(slots, sizeof *reader->cursors);
    reader->chunk_buffers = floe_calloc(slots, sizeof *reader->chunk_buffers);
    reader->chunk_capacities = floe_calloc(slots, sizeof *reader->chunk_capacities);
    reader->requests = floe_calloc(slots, sizeof *reader->requests);
    FLOE_RETURN_IF(reader->columns == NULL || reader->cursors == NULL ||
                       reader->chunk_buffers == NULL || reader->chunk_capacities == NULL ||
                       reader->requests == NULL,
                   FLOE_ENOMEM, err, "%s: out of memory for %u columns", reader->name, count);
    bool codes = options != NULL && options->dictionary_as_codes;
    for (uint32_t i = 0; i < count; i++) {
        const floe_pq_column *column;
        if (options != NULL && options->column_names != NULL) {
            const char *name = options->column_names[i];
            FLOE_RETURN_IF(name == NULL, FLOE_EINVAL, err, "%s: column name %u is NULL",
                           reader->name, i);
            column = floe_pq_file_metadata_find_column(metadata, name);
            FLOE_RETURN_IF(column == NULL, FLOE_ENOTFOUND, err, "%s: no column '%s'",
                           reader->name, name);
        } else if (options != NULL && options->column_indexes != NULL) {
            uint32_t index = options->column_indexes[i];
            FLOE_RETURN_IF(index >= metadata->column_count, FLOE_ENOTFOUND, err,
                           "%s: no column %u (the file has %u)", reader->name, index,
                           metadata->column_count);
            column = &metadata->columns[index];
        } else {
            column = &metadata->columns[i];
        }
        int status = floe_pq_column_require(column, err);
        if (status < 0) {
            if (err != NULL) floe_error_prefix(err, "%s", reader->name);
            return status;
        }
        reader->columns[i] = (floe_pq_reader_column){column->name, column->type,
                                                     (uint32_t)(column - metadata->columns)};
        floe_pq_cursor_init(&reader->cursors[i], reader->name, column, codes, reader->codec);
        reader->column_count = i + 1;
    }
    return FLOE_OK;
}

static int open_common(floe_pq_reader **out, const char *name, const uint8_t *image,
                       size_t image_size, const floe_pq_reader_options *options, floe_error *err)
{
    *out = NULL;
    FLOE_RETURN_IF(name == NULL, FLOE_EINVAL, err, "parquet reader: no file name");
    floe_pq_reader *reader = floe_calloc(1, sizeof *reader);
    FLOE_RETURN_IF(reader == NULL, FLOE_ENOMEM, err, "%s: out of memory", name);
    int status = FLOE_OK;
    reader->name = duplicate(name);
    reader->codec = floe_pq_codec_context_create();
    if (reader->name == NULL || reader->codec == NULL) {
        status = floe_error_set(err, FLOE_ENOMEM, "%s: out of memory", name);
        goto fail;
    }
    reader->image = image;
    reader->image_size = image_size;
    if (image != NULL) {
        status = floe_pq_file_metadata_parse(image, image_size, &reader->metadata, err);
        if (status < 0) {
            if (err != NULL) floe_error_prefix(err, "%s", name);
            goto fail;
        }
    } else {
        status = floe_pq_file_metadata_open(name, &reader->metadata, err);
        if (status < 0) goto fail;
        floe_io_options io_options = {0, options ? options->io_backend : FLOE_IO_BACKEND_AUTO, 0};
        status = floe_io_reader_create(&reader->io, &io_options, err);
        if (status < 0) goto fail;
    }
    status = project(reader, options, err);
    if (status < 0) goto fail;
    uint32_t groups = reader->metadata->row_group_count;
    reader->row_groups = floe_calloc(groups ? groups : 1, sizeof *reader->row_groups);
    if (reader->row_groups == NULL) {
        status = floe_error_set(err, FLOE_ENOMEM, "%s: out of memory", name);
        goto fail;
    }
    for (uint32_t g = 0; g < groups; g++) reader->row_groups[g] = g;
    reader->row_group_count = groups;
    *out = reader;
    return FLOE_OK;
fail:
    floe_pq_reader_free(reader);
    return status;
}

int floe_pq_reader_open(floe_pq_reader **out, const char *path,
                        const floe_pq_reader_options *options, floe_error *err)
{
    return open_common(out, path, NULL, 0, options, err);
}

int floe_pq_reader_open_memory(floe_pq_reader **out, const void *bytes, size_t size,
                               const char *name, const floe_pq_reader_options *options,
                               floe_error *err)
{
    if (out != NULL) *out = NULL;
    FLOE_RETURN_IF(out == NULL || (bytes == NULL && size > 0), FLOE_EINVAL, err,
                   "parquet reader: bad arguments");
    static const uint8_t empty[1];
    return open_common(out, name, bytes ? bytes : empty, size, options, err);
}

const floe_pq_reader_column *floe_pq_reader_schema(const floe_pq_reader *reader, uint32_t *count)
{
    *count = reader->column_count;
    return reader->columns;
}

const floe_pq_file_metadata *floe_pq_reader_metadata(const floe_pq_reader *reader)
{
    return reader->metadata;
}

uint32_t floe_pq_reader_row_group_count(const floe_pq_reader *reader)
{
    return reader->metadata->row_group_count;
}

int64_t floe_pq_reader_row_group_rows(const floe_pq_reader *reader, uint32_t row_group)
{
    if (row_group >= reader->metadata->row_group_count) return -1;
    return reader->metadata->row_groups[row_group].num_rows;
}

int floe_pq_reader_select_row_groups(floe_pq_reader *reader, const uint32_t *row_groups,
                                     uint32_t count, floe_error *err)
{
    FLOE_RETURN_IF(reader->started, FLOE_EINVAL, err,
                   "%s: row groups must be chosen before reading", reader->name);
    FLOE_RETURN_IF(count > 0 && row_groups == NULL, FLOE_EINVAL, err, "no row groups given");
    uint32_t *chosen = floe_calloc(count ? count : 1, sizeof *chosen);
    FLOE_RETURN_IF(chosen == NULL, FLOE_ENOMEM, err, "out of memory");
    for (uint32_t i = 0; i < count; i++) {
        if (row_groups[i] >= reader->metadata->row_group_count) {
            floe_free(chosen);
            return floe_error_set(err, FLOE_EINVAL, "%s: no row group %u (the file has %u)",
                                  reader->name, row_groups[i], reader->metadata->row_group_count);
        }
        chosen[i] = row_groups[i];
    }
    floe_free(reader->row_groups);
    reader->row_groups = chosen;
    reader->row_group_count = count;
    return FLOE_OK;
}

int floe_pq_reader_batch_init(const floe_pq_reader *reader, floe_batch *batch, floe_error *err)
{
    floe_type types[1] = {{0, 0, 0}};
    floe_type *list = types;
    uint32_t count = reader->column_count;
    if (count > 1) {
        list = floe_malloc(count * sizeof *list);
        FLOE_RETURN_IF(list == NULL, FLOE_ENOMEM, err, "out of memory");
    }
    for (uint32_t i = 0; i < count; i++) list[i] = reader->columns[i].type;
    int status = floe_batch_init(batch, count, list, err);
    if (list != types) floe_free(list);
    return status;
}

/* Reads the projected chunks of row group `group` and points the cursors at them. */
static int load_row_group(floe_pq_reader *reader, uint32_t group, floe_error *err)
{
    const floe_pq_file_metadata *metadata = reader->metadata;
    const floe_pq_row_group *row_group = &metadata->row_groups[group];
    FLOE_RETURN_IF(row_group->num_rows < 0, FLOE_ECORRUPT, err, "%s: row group %u: %lld rows",
                   reader->name, group, (long long)row_group->num_rows);
    uint64_t end_of_data = metadata->footer_offset;
    for (uint32_t c = 0; c < reader->column_count; c++) {
        const floe_pq_column *column = &metadata->columns[reader->columns[c].leaf_index];
        FLOE_RETURN_IF(reader->columns[c].leaf_index >= row_group->column_count, FLOE_ECORRUPT,
                       err, "%s: row group %u has no chunk for column '%s'", reader->name, group,
                       column->path);
        const floe_pq_column_chunk *chunk = &row_group->columns[reader->columns[c].leaf_index];
        const floe_pq_column_metadata *meta = chunk->meta_data;
        FLOE_RETURN_IF(meta == NULL, FLOE_ECORRUPT, err,
                       "%s: column '%s': row group %u: no column metadata", reader->name,
                       column->path, group);
        FLOE_RETURN_IF(chunk->file_path != NULL, FLOE_EUNSUPPORTED, err,
                       "%s: column '%s': row group %u: chunk stored in another file (%s)",
                       reader->name, column->path, group, chunk->file_path);
        FLOE_RETURN_IF(meta->type != column->physical_type, FLOE_ECORRUPT, err,
                       "%s: column '%s': row group %u: chunk type %s, schema says %s",
                       reader->name, column->path, group, floe_pq_physical_type_name(meta->type),
                       floe_pq_physical_type_name(column->physical_type));
        int64_t start = meta->data_page_offset;
        if (meta->has_dictionary_page_offset && meta->dictionary_page_offset > 0 &&
            meta->dictionary_page_offset < start) {
            start = meta->dictionary_page_offset;
        }
        int64_t length = meta->total_compressed_size;
        FLOE_RETURN_IF(start < 4 || length < 0 || (uint64_t)start > end_of_data ||
                           (uint64_t)length > end_of_data - (uint64_t)start,
                       FLOE_ECORRUPT, err,
                       "%s: column '%s': row group %u: column chunk at offset %lld of %lld bytes "
                       "lies outside the file's data (%llu bytes)",
                       reader->name, column->path, group, (long long)start, (long long)length,
                       (unsigned long long)end_of_data);
        floe_io_request *request = &reader->requests[c];
        *request = (floe_io_request){reader->name, (uint64_t)start, (uint64_t)length, NULL, 0, 0};
        if (reader->image == NULL) {
            FLOE_TRY(floe_pq_scratch_reserve(&reader->chunk_buffers[c],
                                            &reader->chunk_capacities[c], (size_t)length, err));
            request->destination = reader->chunk_buffers[c];
        }
    }
    if (reader->image == NULL && reader->column_count > 0) {
        FLOE_TRY(floe_io_read_batch(reader->io, reader->requests, reader->column_count, err));
    }
    for (uint32_t c = 0; c < reader->column_count; c++) {
        const floe_pq_column *column = &metadata->columns[reader->columns[c].leaf_index];
        const floe_pq_column_metadata *meta =
            row_group->columns[reader->columns[c].leaf_index].meta_data;
        const floe_io_request *request = &reader->requests[c];
        const uint8_t *bytes;
        if (reader->image != NULL) {
            FLOE_RETURN_IF(request->offset + request->length > reader->image_size, FLOE_ECORRUPT, err,
                           "%s: column '%s': row group %u: column chunk beyond the file",
                           reader->name, column->path, group);
            bytes = reader->image + request->offset;
        } else {
            FLOE_RETURN_IF(request->bytes_read != request->length, FLOE_ECORRUPT, err,
                           "%s: column '%s': row group %u: file ends inside the column chunk",
                           reader->name, column->path, group);
            bytes = reader->chunk_buffers[c];
        }
        floe_pq_cursor_start_chunk(&reader->cursors[c], group, meta, bytes,
                                   (size_t)request->length, request->offset);
    }
    reader->rows_left = row_group->num_rows;
    reader->in_row_group = true;
    return FLOE_OK;
}

int floe_pq_reader_next_batch(floe_pq_reader *reader, floe_batch *batch, floe_error *err)
{
    FLOE_RETURN_IF(batch->column_count != reader->column_count, FLOE_EINVAL, err,
                   "%s: batch has %u columns, the reader projects %u", reader->name,
                   batch->column_count, reader->column_count);
    reader->started = true;
    floe_batch_reset(batch);
    batch->row_count = 0;
    while (reader->rows_left == 0) {
        if (reader->in_row_group) {
            for (uint32_t c = 0; c < reader->column_count; c++) {
                FLOE_TRY(floe_pq_cursor_finish_chunk(&reader->cursors[c], err));
            }
            reader->in_row_group = false;
        }
        if (reader->next_row_group >= reader->row_group_count) return FLOE_OK;
        FLOE_TRY(load_row_group(reader, reader->row_groups[reader->next_row_group++], err));
    }
    uint32_t rows = reader->rows_left < FLOE_BATCH_CAPACITY ? (uint32_t)reader->rows_left
                                                             : FLOE_BATCH_CAPACITY;
    for (uint32_t c = 0; c < reader->column_count; c++) {
        FLOE_TRY(floe_pq_cursor_read(&reader->cursors[c], &batch->columns[c], 0, rows, err));
    }
    reader->rows_left -= rows;
    batch->row_count = rows;
    return FLOE_OK;
}

/* ---- statistics ----------------------------------------------------------------------------- */

static bool decode_bound(const floe_pq_column *column, floe_pq_bytes bytes, floe_pq_bound *bound)
{
    memset(bound, 0, sizeof *bound);
    if (bytes.data == NULL) return false;
    if (floe_type_is_variable_width(column->type)) {
        bound->bytes = bytes.data;
        bound->size = bytes.size;
        return true;
    }
    int physical = column->physical_type;
    if (physical == FLOE_PQ_INT96 || column->conversion == FLOE_PQ_CONVERT_FLOAT16) return false;
    size_t width = floe_pq_physical_width(column);
    floe_string_ref ref = {0, (uint32_t)bytes.size};
    if (physical == FLOE_PQ_BYTE_ARRAY) {
        if (floe_pq_convert_values(column, &bound->value, NULL, &ref, bytes.data, 1, NULL) < 0) {
            return false;
        }
    } else {
        if (bytes.size != width) return false;
        uint8_t fixed[16];
        memcpy(fixed, bytes.data, width <= sizeof fixed ? width : 0);
        if (physical == FLOE_PQ_BOOLEAN) fixed[0] = fixed[0] ? 1 : 0;
        if (width > sizeof fixed) {
            if (floe_pq_convert_values(column, &bound->value, NULL, &ref, bytes.data, 1, NULL) <
                0) {
                return false;
            }
        } else if (floe_pq_convert_values(column, &bound->value, fixed, NULL, NULL, 1, NULL) < 0) {
            return false;
        }
    }
    if (column->type.id == FLOE_TYPE_FLOAT32 && bound->value.f32 != bound->value.f32) return false;
    if (column->type.id == FLOE_TYPE_FLOAT64 && bound->value.f64 != bound->value.f64) return false;
    return true;
}

int floe_pq_reader_statistics(const floe_pq_reader *reader, uint32_t row_group, uint32_t column,
                              floe_pq_column_statistics *statistics, floe_error *err)
{
    memset(statistics, 0, sizeof *statistics);
    const floe_pq_file_metadata *metadata = reader->metadata;
    FLOE_RETURN_IF(row_group >= metadata->row_group_count || column >= reader->column_count,
                   FLOE_EINVAL, err, "%s: no row group %u / column %u", reader->name, row_group,
                   column);
    uint32_t leaf = reader->columns[column].leaf_index;
    const floe_pq_row_group *group = &metadata->row_groups[row_group];
    if (leaf >= group->column_count || group->columns[leaf].meta_data == NULL) return FLOE_OK;
    const floe_pq_statistics *stats = group->columns[leaf].meta_data->statistics;
    if (stats == NULL) return FLOE_OK;
    const floe_pq_column *info = &metadata->columns[leaf];
    statistics->has_null_count = stats->has_null_count;
    statistics->null_count = stats->null_count;
    floe_pq_bytes min = stats->min_value, max = stats->max_value;
    if (min.data == NULL || max.data == NULL) {
        /* The legacy fields used signed, byte-wise order: trusted only where that is the
         * column's order. */
        int physical = info->physical_type;
        bool signed_order = (physical == FLOE_PQ_INT32 || physical == FLOE_PQ_INT64 ||
                             physical == FLOE_PQ_FLOAT || physical == FLOE_PQ_DOUBLE ||
                             physical == FLOE_PQ_BOOLEAN) &&
                            info->conversion != FLOE_PQ_CONVERT_ZERO_EXTEND;
        if (!signed_order) return FLOE_OK;
        min = stats->min;
        max = stats->max;
    }
    statistics->has_min_max = decode_bound(info, min, &statistics->min) &&
                              decode_bound(info, max, &statistics->max);
    return FLOE_OK;
}
