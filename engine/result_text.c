/* result_text.c — query results as an aligned table, CSV or JSON lines (engine/result_text.h). */
#include "engine/result_text.h"

#include "kernels/memory.h"
#include "kernels/value_text.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum { FLUSH_BYTES = 1 << 16 };

struct floe_eng_result_text {
    floe_eng_result_format format;
    floe_eng_result_write_fn write;
    void *write_context;
    floe_text out;              /* text not yet handed to write */
    floe_text value;            /* one value's text (TABLE) */
    int64_t total_rows;
    /* the current result set */
    uint32_t column_count;
    char **names;               /* copies of the column names */
    bool *numeric;              /* right-aligned columns */
    int64_t rows;
    /* TABLE: every cell's display text, row-major, in `cells` at `offsets` */
    floe_text cells;
    size_t *offsets;            /* cell i is cells.data[offsets[i] .. offsets[i + 1]) */
    size_t offset_count, offset_capacity;
};

int floe_eng_result_format_from_name(const char *name)
{
    if (strcmp(name, "table") == 0) return FLOE_ENG_RESULT_TABLE;
    if (strcmp(name, "csv") == 0) return FLOE_ENG_RESULT_CSV;
    if (strcmp(name, "json") == 0) return FLOE_ENG_RESULT_JSON;
    return -1;
}

int floe_eng_result_text_create(floe_eng_result_text **out, floe_eng_result_format format,
                                floe_eng_result_write_fn write, void *write_context,
                                floe_error *err)
{
    FLOE_RETURN_IF(out == NULL || write == NULL || format < FLOE_ENG_RESULT_TABLE ||
                       format > FLOE_ENG_RESULT_JSON,
                   FLOE_EINVAL, err, "floe_eng_result_text_create: bad argument");
    floe_eng_result_text *text = floe_calloc(1, sizeof *text);
    FLOE_RETURN_IF(text == NULL, FLOE_ENOMEM, err, "out of memory");
    text->format = format;
    text->write = write;
    text->write_context = write_context;
    floe_text_init(&text->out);
    floe_text_init(&text->value);
    floe_text_init(&text->cells);
    *out = text;
    return FLOE_OK;
}

static void forget_result(floe_eng_result_text *text)
{
    for (uint32_t c = 0; c < text->column_count; c++) floe_free(text->names[c]);
    floe_free(text->names);
    floe_free(text->numeric);
    text->names = NULL;
    text->numeric = NULL;
    text->column_count = 0;
    text->rows = 0;
    floe_text_reset(&text->cells);
    text->offset_count = 0;
}

void floe_eng_result_text_free(floe_eng_result_text *text)
{
    if (text == NULL) return;
    forget_result(text);
    floe_text_fini(&text->out);
    floe_text_fini(&text->value);
    floe_text_fini(&text->cells);
    floe_free(text->offsets);
    floe_free(text);
}

int64_t floe_eng_result_text_rows(const floe_eng_result_text *text) { return text->total_rows; }

static int out_of_memory(floe_error *err)
{
    return floe_error_set(err, FLOE_ENOMEM, "out of memory formatting the result");
}

static int flush(floe_eng_result_text *text, floe_error *err)
{
    if (text->out.size == 0) return FLOE_OK;
    int status = text->write(text->write_context, text->out.data, text->out.size, err);
    floe_text_reset(&text->out);
    return status;
}

static int put(floe_eng_result_text *text, const char *bytes, size_t size, floe_error *err)
{
    if (floe_text_append(&text->out, bytes, size) < 0) return out_of_memory(err);
    return FLOE_OK;
}

/* ---- begin ------------------------------------------------------------------------------- */

static bool is_numeric(floe_type type)
{
    switch (type.id) {
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_INT64:
    case FLOE_TYPE_FLOAT32:
    case FLOE_TYPE_FLOAT64:
    case FLOE_TYPE_DECIMAL:
        return true;
    default:
        return false;
    }
}

static int begin_rows(void *context, const floe_sql_schema *schema, floe_error *err)
{
    floe_eng_result_text *text = context;
    forget_result(text);
    uint32_t count = schema->column_count;
    text->names = floe_calloc(count ? count : 1, sizeof *text->names);
    text->numeric = floe_calloc(count ? count : 1, sizeof *text->numeric);
    if (text->names == NULL || text->numeric == NULL) return out_of_memory(err);
    text->column_count = count;
    for (uint32_t c = 0; c < count; c++) {
        size_t size = strlen(schema->columns[c].name) + 1;
        text->names[c] = floe_malloc(size);
        if (text->names[c] == NULL) return out_of_memory(err);
        memcpy(text->names[c], schema->columns[c].name, size);
        text->numeric[c] = is_numeric(schema->columns[c].type);
    }
    if (text->format != FLOE_ENG_RESULT_CSV) return FLOE_OK;
    for (uint32_t c = 0; c < count; c++) {
        if ((c > 0 && floe_text_append_char(&text->out, ',') < 0) ||
            floe_k_csv_text_append(&text->out, text->names[c], strlen(text->names[c]), 0) < 0)
            return out_of_memory(err);
    }
    return put(text, "\n", 1, err);
}

/* ---- rows -------------------------------------------------------------------------------- */

/* A value's display text for the table: control characters escaped so a row stays a line. */
static int append_display(floe_text *cells, const char *bytes, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t start = 0;
    for (size_t i = 0; i < size; i++) {
        unsigned char c = (unsigned char)bytes[i];
        if (c >= 0x20 && c != 0x7F) continue;
        FLOE_TRY(floe_text_append(cells, bytes + start, i - start));
        char escape[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
        if (c == '\n') FLOE_TRY(floe_text_append(cells, "\\n", 2));
        else if (c == '\r') FLOE_TRY(floe_text_append(cells, "\\r", 2));
        else if (c == '\t') FLOE_TRY(floe_text_append(cells, "\\t", 2));
        else FLOE_TRY(floe_text_append(cells, escape, 4));
        start = i + 1;
    }
    return floe_text_append(cells, bytes + start, size - start);
}

static int table_cell(floe_eng_result_text *text, const floe_vector *vector, uint32_t row)
{
    if (text->offset_count + 2 > text->offset_capacity) {
        size_t capacity = text->offset_capacity ? text->offset_capacity * 2 : 1024;
        size_t *grown = floe_realloc(text->offsets, capacity * sizeof *grown);
        if (grown == NULL) return FLOE_ENOMEM;
        text->offsets = grown;
        text->offset_capacity = capacity;
    }
    if (text->offset_count == 0) text->offsets[text->offset_count++] = 0;
    if (floe_vector_is_null(vector, row)) {
        FLOE_TRY(floe_text_append(&text->cells, "NULL", 4));
    } else {
        floe_text_reset(&text->value);
        FLOE_TRY(floe_k_value_text_append(&text->value, vector, row));
        FLOE_TRY(append_display(&text->cells, text->value.data, text->value.size));
    }
    text->offsets[text->offset_count++] = text->cells.size;
    return FLOE_OK;
}

static int rows(void *context, const floe_batch *batch, floe_error *err)
{
    floe_eng_result_text *text = context;
    FLOE_RETURN_IF(batch->column_count != text->column_count, FLOE_EINVAL, err,
                   "result: a batch of %u columns for a result of %u", batch->column_count,
                   text->column_count);
    uint32_t live = floe_batch_live_count(batch);
    for (uint32_t i = 0; i < live; i++) {
        uint32_t row = floe_batch_live_row(batch, i);
        int status = FLOE_OK;
        if (text->format == FLOE_ENG_RESULT_TABLE) {
            for (uint32_t c = 0; c < batch->column_count && status == FLOE_OK; c++)
                status = table_cell(text, &batch->columns[c], row);
        } else if (text->format == FLOE_ENG_RESULT_CSV) {
            for (uint32_t c = 0; c < batch->column_count && status == FLOE_OK; c++) {
                if (c > 0) status = floe_text_append_char(&text->out, ',');
                if (status == FLOE_OK)
                    status = floe_k_csv_field_append(&text->out, &batch->columns[c], row);
            }
            if (status == FLOE_OK) status = floe_text_append_char(&text->out, '\n');
        } else {
            status = floe_text_append_char(&text->out, '{');
            for (uint32_t c = 0; c < batch->column_count && status == FLOE_OK; c++) {
                if (c > 0) status = floe_text_append_char(&text->out, ',');
                if (status == FLOE_OK)
                    status = floe_k_json_string_append(&text->out, text->names[c],
                                                       strlen(text->names[c]));
                if (status == FLOE_OK) status = floe_text_append_char(&text->out, ':');
                if (status == FLOE_OK)
                    status = floe_k_json_value_append(&text->out, &batch->columns[c], row);
            }
            if (status == FLOE_OK) status = floe_text_append(&text->out, "}\n", 2);
        }
        if (status < 0) return out_of_memory(err);
        text->rows++;
        text->total_rows++;
    }
    if (text->out.size >= FLUSH_BYTES) return flush(text, err);
    return FLOE_OK;
}

/* ---- end --------------------------------------------------------------------------------- */

/* Display width: UTF-8 code points (continuation bytes do not count). */
static size_t display_width(const char *bytes, size_t size)
{
    size_t width = 0;
    for (size_t i = 0; i < size; i++)
        if (((unsigned char)bytes[i] & 0xC0) != 0x80) width++;
    return width;
}

static int pad(floe_text *out, size_t count)
{
    for (size_t i = 0; i < count; i++) FLOE_TRY(floe_text_append_char(out, ' '));
    return FLOE_OK;
}

/* Drops the spaces at the end of the line being built (from `line_start`). */
static void trim_line(floe_text *out, size_t line_start)
{
    while (out->size > line_start && out->data[out->size - 1] == ' ') out->size--;
    out->data[out->size] = '\0';
}

static int print_table(floe_eng_result_text *text)
{
    uint32_t columns = text->column_count;
    size_t *widths = floe_calloc(columns ? columns : 1, sizeof *widths);
    if (widths == NULL) return FLOE_ENOMEM;
    for (uint32_t c = 0; c < columns; c++)
        widths[c] = display_width(text->names[c], strlen(text->names[c]));
    for (int64_t r = 0; r < text->rows; r++) {
        for (uint32_t c = 0; c < columns; c++) {
            size_t cell = (size_t)r * columns + c;
            size_t width = display_width(text->cells.data + text->offsets[cell],
                                         text->offsets[cell + 1] - text->offsets[cell]);
            if (width > widths[c]) widths[c] = width;
        }
    }
    int status = FLOE_OK;
    floe_text *out = &text->out;
    size_t line_start = out->size;
    /* header, names centered */
    for (uint32_t c = 0; c < columns && status == FLOE_OK; c++) {
        size_t width = display_width(text->names[c], strlen(text->names[c]));
        size_t left = (widths[c] - width) / 2;
        if (c > 0) status = floe_text_append_char(out, '|');
        if (status == FLOE_OK) status = pad(out, 1 + left);
        if (status == FLOE_OK)
            status = floe_text_append(out, text->names[c], strlen(text->names[c]));
        if (status == FLOE_OK) status = pad(out, widths[c] - width - left + 1);
    }
    if (status == FLOE_OK) {
        trim_line(out, line_start);
        status = floe_text_append_char(out, '\n');
    }
    for (uint32_t c = 0; c < columns && status == FLOE_OK; c++) {
        if (c > 0) status = floe_text_append_char(out, '+');
        for (size_t i = 0; i < widths[c] + 2 && status == FLOE_OK; i++)
            status = floe_text_append_char(out, '-');
    }
    if (status == FLOE_OK) status = floe_text_append_char(out, '\n');
    for (int64_t r = 0; r < text->rows && status == FLOE_OK; r++) {
        line_start = out->size;
        for (uint32_t c = 0; c < columns && status == FLOE_OK; c++) {
            size_t cell = (size_t)r * columns + c;
            const char *bytes = text->cells.data + text->offsets[cell];
            size_t size = text->offsets[cell + 1] - text->offsets[cell];
            size_t fill = widths[c] - display_width(bytes, size);
            if (c > 0) status = floe_text_append_char(out, '|');
            if (status == FLOE_OK) status = pad(out, 1 + (text->numeric[c] ? fill : 0));
            if (status == FLOE_OK) status = floe_text_append(out, bytes, size);
            if (status == FLOE_OK) status = pad(out, 1 + (text->numeric[c] ? 0 : fill));
        }
        if (status == FLOE_OK) {
            trim_line(out, line_start);
            status = floe_text_append_char(out, '\n');
        }
    }
    if (status == FLOE_OK) {
        char footer[64];
        snprintf(footer, sizeof footer, "(%" PRId64 " row%s)\n\n", text->rows,
                 text->rows == 1 ? "" : "s");
        status = floe_text_append(out, footer, strlen(footer));
    }
    floe_free(widths);
    return status;
}

static int end_rows(void *context, floe_error *err)
{
    floe_eng_result_text *text = context;
    if (text->format == FLOE_ENG_RESULT_TABLE && print_table(text) < 0) return out_of_memory(err);
    int status = flush(text, err);
    forget_result(text);
    return status;
}

int floe_eng_result_text_begin_rows(floe_eng_result_text *text, const floe_sql_schema *schema,
                                    floe_error *err)
{
    return begin_rows(text, schema, err);
}

int floe_eng_result_text_rows_of(floe_eng_result_text *text, const floe_batch *batch,
                                 floe_error *err)
{
    return rows(text, batch, err);
}

int floe_eng_result_text_end_rows(floe_eng_result_text *text, floe_error *err)
{
    return end_rows(text, err);
}

void floe_eng_result_text_output(floe_eng_result_text *text, floe_eng_output *output)
{
    output->context = text;
    output->begin_rows = begin_rows;
    output->rows = rows;
    output->end_rows = end_rows;
}
