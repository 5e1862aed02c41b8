/*
 * parquet.c — `floe-engine parquet meta FILE`: what a Parquet file's footer says, for a person
 * (text) or a script (--json): schema with Floe's reading of each column, row count, writer,
 * key-value metadata, and per row group and column the codec, encodings, sizes and statistics.
 *
 * Statistics are shown decoded for the column's type where that is unambiguous (integers,
 * floats, dates, timestamps, decimals, strings) and as hex otherwise.
 *
 * `floe-engine parquet dump FILE [--format csv|jsonl] [--columns a,b]`: the rows, in file order,
 * through io/parquet_reader.h, as CSV with a header line (default) or JSON lines, in the text
 * forms of kernels/value_text.h (DESIGN.md "CSV output"). A decode error prints one line naming
 * the file, column, row group and page and exits 1; rows already printed stay printed.
 */
#include "cli.h"

#include "io/parquet_codec.h"  /* floe_pq_codec_name */
#include "io/parquet_footer.h"
#include "io/parquet_reader.h"
#include "kernels/value_text.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { KEY_VALUE_PREVIEW = 60, STATISTIC_PREVIEW = 64 };

static uint64_t load_le(const uint8_t *bytes, size_t size)
{
    uint64_t value = 0;
    for (size_t i = size; i-- > 0;) value = value << 8 | bytes[i];
    return value;
}

static void append(char *buffer, size_t size, size_t *used, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static void append(char *buffer, size_t size, size_t *used, const char *format, ...)
{
    if (*used >= size) return;
    va_list args;
    va_start(args, format);
    int written = vsnprintf(buffer + *used, size - *used, format, args);
    va_end(args);
    if (written > 0) *used += (size_t)written < size - *used ? (size_t)written : size - *used - 1;
}

static void format_hex(const uint8_t *bytes, size_t size, char *out, size_t out_size)
{
    size_t used = 0;
    append(out, out_size, &used, "0x");
    size_t shown = size > STATISTIC_PREVIEW / 2 ? STATISTIC_PREVIEW / 2 : size;
    for (size_t i = 0; i < shown; i++) append(out, out_size, &used, "%02x", bytes[i]);
    if (shown < size) append(out, out_size, &used, "...");
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
static void civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned day_of_era = (unsigned)(days - era * 146097);
    unsigned year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    unsigned month_index = (5 * day_of_year + 2) / 153;
    *day = day_of_year - (153 * month_index + 2) / 5 + 1;
    *month = month_index < 10 ? month_index + 3 : month_index - 9;
    *year = (int64_t)year_of_era + era * 400 + (*month <= 2);
}

static int64_t floor_divide(int64_t value, int64_t divisor)
{
    int64_t quotient = value / divisor;
    if ((value % divisor != 0) && ((value < 0) != (divisor < 0))) quotient--;
    return quotient;
}

static void format_timestamp(int64_t micros, bool utc, char *out, size_t out_size)
{
    int64_t days = floor_divide(micros, 86400000000LL);
    int64_t in_day = micros - days * 86400000000LL;
    int64_t year;
    unsigned month, day;
    civil_from_days(days, &year, &month, &day);
    size_t used = 0;
    append(out, out_size, &used, "%04" PRId64 "-%02u-%02u %02u:%02u:%02u", year, month, day,
           (unsigned)(in_day / 3600000000LL), (unsigned)(in_day / 60000000LL % 60),
           (unsigned)(in_day / 1000000LL % 60));
    if (in_day % 1000000LL != 0) append(out, out_size, &used, ".%06u", (unsigned)(in_day % 1000000LL));
    if (utc) append(out, out_size, &used, "+00");
}

static void format_decimal(floe_int128 unscaled, unsigned scale, char *out, size_t out_size)
{
    char digits[64];
    int count = 0;
    bool negative = unscaled < 0;
    floe_uint128 magnitude = negative ? (floe_uint128)0 - (floe_uint128)unscaled
                                      : (floe_uint128)unscaled;
    do {
        digits[count++] = (char)('0' + (int)(magnitude % 10));
        magnitude /= 10;
    } while (magnitude != 0 && count < 60);
    while (count <= (int)scale && count < 60) digits[count++] = '0';
    size_t used = 0;
    if (negative) append(out, out_size, &used, "-");
    for (int i = count - 1; i >= 0; i--) {
        append(out, out_size, &used, "%c", digits[i]);
        if (i == (int)scale && scale > 0) append(out, out_size, &used, ".");
    }
}

static bool is_printable_utf8(const uint8_t *bytes, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        if (bytes[i] < 0x20 || bytes[i] == 0x7f) return false;
    }
    return true;
}

/* Decodes one statistics value of `column` for display. */
static void format_statistic(const floe_pq_column *column, floe_pq_bytes value, char *out,
                             size_t out_size)
{
    const uint8_t *bytes = value.data;
    size_t size = value.size;
    out[0] = '\0';
    floe_type type = column->type;
    switch (column->physical_type) {
    case FLOE_PQ_BOOLEAN:
        if (size == 1) {
            snprintf(out, out_size, "%s", bytes[0] ? "true" : "false");
            return;
        }
        break;
    case FLOE_PQ_INT32:
    case FLOE_PQ_INT64: {
        size_t width = column->physical_type == FLOE_PQ_INT32 ? 4 : 8;
        if (size != width) break;
        uint64_t raw = load_le(bytes, size);
        int64_t signed_value = width == 4 ? (int64_t)(int32_t)(uint32_t)raw : (int64_t)raw;
        if (column->conversion == FLOE_PQ_CONVERT_ZERO_EXTEND) {
            snprintf(out, out_size, "%" PRIu64, raw);
        } else if (type.id == FLOE_TYPE_DATE) {
            int64_t year;
            unsigned month, day;
            civil_from_days(signed_value, &year, &month, &day);
            snprintf(out, out_size, "%04" PRId64 "-%02u-%02u", year, month, day);
        } else if (type.id == FLOE_TYPE_DECIMAL) {
            format_decimal(signed_value, type.scale, out, out_size);
        } else if ((type.id == FLOE_TYPE_TIMESTAMP || type.id == FLOE_TYPE_TIMESTAMPTZ) &&
                   column->conversion != FLOE_PQ_CONVERT_NONE) {
            int64_t micros = column->conversion == FLOE_PQ_CONVERT_MULTIPLY_1000
                                 ? signed_value * 1000
                                 : floor_divide(signed_value, 1000);
            format_timestamp(micros, type.id == FLOE_TYPE_TIMESTAMPTZ, out, out_size);
        } else if (type.id == FLOE_TYPE_TIMESTAMP || type.id == FLOE_TYPE_TIMESTAMPTZ) {
            format_timestamp(signed_value, type.id == FLOE_TYPE_TIMESTAMPTZ, out, out_size);
        } else {
            snprintf(out, out_size, "%" PRId64, signed_value);
        }
        return;
    }
    case FLOE_PQ_INT96:
        if (size == 12) {
            int64_t nanos = (int64_t)load_le(bytes, 8);
            int64_t julian_day = (int32_t)(uint32_t)load_le(bytes + 8, 4);
            int64_t micros = (julian_day - 2440588) * 86400000000LL + floor_divide(nanos, 1000);
            format_timestamp(micros, false, out, out_size);
            return;
        }
        break;
    case FLOE_PQ_FLOAT:
        if (size == 4) {
            uint32_t bits = (uint32_t)load_le(bytes, 4);
            float number;
            memcpy(&number, &bits, sizeof number);
            snprintf(out, out_size, "%.9g", (double)number);
            return;
        }
        break;
    case FLOE_PQ_DOUBLE:
        if (size == 8) {
            uint64_t bits = load_le(bytes, 8);
            double number;
            memcpy(&number, &bits, sizeof number);
            snprintf(out, out_size, "%.17g", number);
            return;
        }
        break;
    case FLOE_PQ_BYTE_ARRAY:
    case FLOE_PQ_FIXED_LEN_BYTE_ARRAY:
        if (type.id == FLOE_TYPE_DECIMAL && size >= 1 && size <= 16) {
            floe_int128 unscaled = (bytes[0] & 0x80) ? -1 : 0;
            for (size_t i = 0; i < size; i++) {
                unscaled = (floe_int128)((floe_uint128)unscaled << 8 | bytes[i]);
            }
            format_decimal(unscaled, type.scale, out, out_size);
            return;
        }
        if (type.id == FLOE_TYPE_STRING && is_printable_utf8(bytes, size)) {
            int shown = size > STATISTIC_PREVIEW ? STATISTIC_PREVIEW : (int)size;
            snprintf(out, out_size, "%.*s%s", shown, (const char *)bytes,
                     (size_t)shown < size ? "..." : "");
            return;
        }
        break;
    default:
        break;
    }
    format_hex(bytes, size, out, out_size);
}

/* The statistics' bounds: min_value/max_value when present, else the deprecated min/max. */
static void statistic_bounds(const floe_pq_statistics *statistics, floe_pq_bytes *min,
                             floe_pq_bytes *max)
{
    *min = statistics->min_value.data != NULL ? statistics->min_value : statistics->min;
    *max = statistics->max_value.data != NULL ? statistics->max_value : statistics->max;
}

static void format_encodings(const floe_pq_column_metadata *meta, char *out, size_t out_size)
{
    size_t used = 0;
    out[0] = '\0';
    for (uint32_t i = 0; i < meta->encoding_count; i++) {
        append(out, out_size, &used, "%s%s", i ? "," : "", floe_pq_encoding_name(meta->encodings[i]));
    }
}

static void format_preview(const char *value, size_t size, char *out, size_t out_size)
{
    size_t used = 0;
    out[0] = '\0';
    size_t shown = size > KEY_VALUE_PREVIEW ? KEY_VALUE_PREVIEW : size;
    for (size_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)value[i];
        if (c < 0x20 || c == 0x7f) {
            append(out, out_size, &used, "\\x%02x", c);
        } else {
            append(out, out_size, &used, "%c", c);
        }
    }
    if (shown < size) append(out, out_size, &used, "... (%zu bytes)", size);
}

static const char *repetition_of(const floe_pq_column *column)
{
    return floe_pq_repetition_name(column->repetition);
}

static void print_text(const char *path, const floe_pq_file_metadata *metadata)
{
    char text[512];
    printf("file: %s\n", path);
    printf("size: %" PRIu64 " bytes (footer: %u bytes at offset %" PRIu64 ")\n",
           metadata->file_size, metadata->footer_size, metadata->footer_offset);
    printf("format version: %d\n", metadata->version);
    printf("created by: %s\n", metadata->created_by ? metadata->created_by : "(unknown)");
    printf("rows: %" PRId64 "\n", metadata->num_rows);
    printf("row groups: %u\n", metadata->row_group_count);
    printf("columns: %u\n", metadata->column_count);
    printf("%-4s %-28s %-20s %-16s %-9s %s\n", "#", "name", "physical", "floe type", "repetition",
           "field id");
    for (uint32_t i = 0; i < metadata->column_count; i++) {
        const floe_pq_column *column = &metadata->columns[i];
        char physical[64];
        if (column->physical_type == FLOE_PQ_FIXED_LEN_BYTE_ARRAY) {
            snprintf(physical, sizeof physical, "FIXED_LEN_BYTE_ARRAY(%d)", column->type_length);
        } else {
            snprintf(physical, sizeof physical, "%s",
                     floe_pq_physical_type_name(column->physical_type));
        }
        char floe_name[64];
        floe_type_format(column->type, floe_name, sizeof floe_name);
        char field_id[16] = "-";
        if (column->has_field_id) snprintf(field_id, sizeof field_id, "%d", column->field_id);
        printf("%-4u %-28s %-20s %-16s %-9s %s%s%s\n", i, column->path, physical,
               column->unsupported_reason ? "(unsupported)" : floe_name, repetition_of(column),
               field_id, column->unsupported_reason ? "  " : "",
               column->unsupported_reason ? column->unsupported_reason : "");
    }
    if (metadata->key_value_count > 0) {
        printf("key-value metadata:\n");
        for (uint32_t i = 0; i < metadata->key_value_count; i++) {
            const floe_pq_key_value *pair = &metadata->key_value_metadata[i];
            if (pair->value == NULL) {
                printf("  %s\n", pair->key);
            } else {
                format_preview(pair->value, pair->value_size, text, sizeof text);
                printf("  %s = %s\n", pair->key, text);
            }
        }
    }
    for (uint32_t g = 0; g < metadata->row_group_count; g++) {
        const floe_pq_row_group *group = &metadata->row_groups[g];
        printf("row group %u: %" PRId64 " rows, %" PRId64 " bytes uncompressed", g,
               group->num_rows, group->total_byte_size);
        if (group->has_total_compressed_size) {
            printf(", %" PRId64 " compressed", group->total_compressed_size);
        }
        printf("\n");
        for (uint32_t c = 0; c < group->column_count; c++) {
            const floe_pq_column *column = &metadata->columns[c];
            const floe_pq_column_metadata *meta = group->columns[c].meta_data;
            if (meta == NULL) {
                printf("  %s: (no column metadata)\n", column->path);
                continue;
            }
            format_encodings(meta, text, sizeof text);
            printf("  %s: %s, encodings %s, %" PRId64 " values, %" PRId64 " bytes compressed, %" PRId64
                   " uncompressed, data page at %" PRId64,
                   column->path, floe_pq_codec_name(meta->codec), text, meta->num_values,
                   meta->total_compressed_size, meta->total_uncompressed_size,
                   meta->data_page_offset);
            if (meta->has_dictionary_page_offset) {
                printf(", dictionary page at %" PRId64, meta->dictionary_page_offset);
            }
            printf("\n");
            const floe_pq_statistics *statistics = meta->statistics;
            if (statistics == NULL) continue;
            floe_pq_bytes min, max;
            statistic_bounds(statistics, &min, &max);
            printf("    statistics:");
            if (min.data != NULL) {
                format_statistic(column, min, text, sizeof text);
                printf(" min %s", text);
            }
            if (max.data != NULL) {
                format_statistic(column, max, text, sizeof text);
                printf(" max %s", text);
            }
            if (statistics->has_null_count) printf(" nulls %" PRId64, statistics->null_count);
            if (statistics->has_distinct_count) {
                printf(" distinct %" PRId64, statistics->distinct_count);
            }
            printf("\n");
        }
    }
}

/* jansson reports allocation failure as NULL and json_object_set_new accepts NULL values
 * (failing), so building can proceed and the final dump reports a problem once. */
static json_t *column_json(const floe_pq_column *column)
{
    char floe_name[64];
    floe_type_format(column->type, floe_name, sizeof floe_name);
    json_t *object = json_object();
    json_object_set_new(object, "name", json_string(column->name));
    json_object_set_new(object, "path", json_string(column->path));
    json_object_set_new(object, "physical_type",
                        json_string(floe_pq_physical_type_name(column->physical_type)));
    if (column->physical_type == FLOE_PQ_FIXED_LEN_BYTE_ARRAY) {
        json_object_set_new(object, "type_length", json_integer(column->type_length));
    }
    json_object_set_new(object, "floe_type",
                        column->unsupported_reason ? json_null() : json_string(floe_name));
    json_object_set_new(object, "repetition", json_string(repetition_of(column)));
    json_object_set_new(object, "field_id",
                        column->has_field_id ? json_integer(column->field_id) : json_null());
    json_object_set_new(object, "max_definition_level",
                        json_integer(column->max_definition_level));
    json_object_set_new(object, "max_repetition_level",
                        json_integer(column->max_repetition_level));
    if (column->unsupported_reason != NULL) {
        json_object_set_new(object, "unsupported", json_string(column->unsupported_reason));
    }
    return object;
}

static json_t *bytes_json(const char *text)
{
    /* Statistics text is ASCII or (for strings) the file's own bytes, which may not be valid
     * UTF-8: json_string refuses those, so fall back to a marker. */
    json_t *value = json_string(text);
    return value != NULL ? value : json_string("(not UTF-8)");
}

static json_t *metadata_json(const char *path, const floe_pq_file_metadata *metadata)
{
    char text[512];
    json_t *root = json_object();
    json_object_set_new(root, "file", json_string(path));
    json_object_set_new(root, "file_size", json_integer((json_int_t)metadata->file_size));
    json_object_set_new(root, "footer_size", json_integer(metadata->footer_size));
    json_object_set_new(root, "version", json_integer(metadata->version));
    json_object_set_new(root, "created_by",
                        metadata->created_by ? bytes_json(metadata->created_by) : json_null());
    json_object_set_new(root, "num_rows", json_integer(metadata->num_rows));
    json_t *schema = json_array();
    for (uint32_t i = 0; i < metadata->column_count; i++) {
        json_array_append_new(schema, column_json(&metadata->columns[i]));
    }
    json_object_set_new(root, "schema", schema);
    json_t *pairs = json_array();
    for (uint32_t i = 0; i < metadata->key_value_count; i++) {
        const floe_pq_key_value *pair = &metadata->key_value_metadata[i];
        json_t *object = json_object();
        json_object_set_new(object, "key", bytes_json(pair->key));
        if (pair->value != NULL) {
            format_preview(pair->value, pair->value_size, text, sizeof text);
            json_object_set_new(object, "value", bytes_json(text));
            json_object_set_new(object, "value_size", json_integer((json_int_t)pair->value_size));
        } else {
            json_object_set_new(object, "value", json_null());
        }
        json_array_append_new(pairs, object);
    }
    json_object_set_new(root, "key_value_metadata", pairs);
    json_t *groups = json_array();
    for (uint32_t g = 0; g < metadata->row_group_count; g++) {
        const floe_pq_row_group *group = &metadata->row_groups[g];
        json_t *group_object = json_object();
        json_object_set_new(group_object, "num_rows", json_integer(group->num_rows));
        json_object_set_new(group_object, "total_byte_size", json_integer(group->total_byte_size));
        if (group->has_total_compressed_size) {
            json_object_set_new(group_object, "total_compressed_size",
                                json_integer(group->total_compressed_size));
        }
        json_t *columns = json_array();
        for (uint32_t c = 0; c < group->column_count; c++) {
            const floe_pq_column *column = &metadata->columns[c];
            const floe_pq_column_metadata *meta = group->columns[c].meta_data;
            json_t *chunk = json_object();
            json_object_set_new(chunk, "path", json_string(column->path));
            if (meta != NULL) {
                json_object_set_new(chunk, "codec", json_string(floe_pq_codec_name(meta->codec)));
                json_t *encodings = json_array();
                for (uint32_t e = 0; e < meta->encoding_count; e++) {
                    json_array_append_new(encodings,
                                          json_string(floe_pq_encoding_name(meta->encodings[e])));
                }
                json_object_set_new(chunk, "encodings", encodings);
                json_object_set_new(chunk, "num_values", json_integer(meta->num_values));
                json_object_set_new(chunk, "total_compressed_size",
                                    json_integer(meta->total_compressed_size));
                json_object_set_new(chunk, "total_uncompressed_size",
                                    json_integer(meta->total_uncompressed_size));
                json_object_set_new(chunk, "data_page_offset",
                                    json_integer(meta->data_page_offset));
                if (meta->has_dictionary_page_offset) {
                    json_object_set_new(chunk, "dictionary_page_offset",
                                        json_integer(meta->dictionary_page_offset));
                }
                if (meta->statistics != NULL) {
                    const floe_pq_statistics *statistics = meta->statistics;
                    json_t *stats = json_object();
                    floe_pq_bytes min, max;
                    statistic_bounds(statistics, &min, &max);
                    if (min.data != NULL) {
                        format_statistic(column, min, text, sizeof text);
                        json_object_set_new(stats, "min", bytes_json(text));
                    }
                    if (max.data != NULL) {
                        format_statistic(column, max, text, sizeof text);
                        json_object_set_new(stats, "max", bytes_json(text));
                    }
                    if (statistics->has_null_count) {
                        json_object_set_new(stats, "null_count",
                                            json_integer(statistics->null_count));
                    }
                    if (statistics->has_distinct_count) {
                        json_object_set_new(stats, "distinct_count",
                                            json_integer(statistics->distinct_count));
                    }
                    json_object_set_new(chunk, "statistics", stats);
                }
            }
            json_array_append_new(columns, chunk);
        }
        json_object_set_new(group_object, "columns", columns);
        json_array_append_new(groups, group_object);
    }
    json_object_set_new(root, "row_groups", groups);
    return root;
}

static int run_meta(const floe_cli_context *context, bool json, const char *path)
{
    floe_error err;
    floe_error_clear(&err);
    floe_pq_file_metadata *metadata = NULL;
    int status = floe_pq_file_metadata_open(path, &metadata, &err);
    if (status < 0) return floe_cli_report("parquet", status, &err);
    int exit_status = FLOE_EXIT_OK;
    if (json || context->json) {
        json_t *document = metadata_json(path, metadata);
        char *text = document ? json_dumps(document, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        if (text == NULL) {
            fprintf(stderr, "floe-engine: parquet: %s: out of memory building JSON\n", path);
            exit_status = FLOE_EXIT_USER_ERROR;
        } else {
            printf("%s\n", text);
            free(text);
        }
        json_decref(document);
    } else {
        print_text(path, metadata);
    }
    floe_pq_file_metadata_free(metadata);
    return exit_status;
}

/* Formats one batch's rows into text (CSV lines or JSON objects). */
static int format_batch(const floe_batch *batch, const floe_pq_reader_column *columns, bool jsonl,
                        floe_text *text)
{
    for (uint32_t row = 0; row < batch->row_count; row++) {
        if (jsonl) FLOE_TRY(floe_text_append_char(text, '{'));
        for (uint32_t c = 0; c < batch->column_count; c++) {
            if (jsonl) {
                if (c > 0) FLOE_TRY(floe_text_append_char(text, ','));
                FLOE_TRY(floe_k_json_string_append(text, columns[c].name, strlen(columns[c].name)));
                FLOE_TRY(floe_text_append_char(text, ':'));
                FLOE_TRY(floe_k_json_value_append(text, &batch->columns[c], row));
            } else {
                if (c > 0) FLOE_TRY(floe_text_append_char(text, ','));
                FLOE_TRY(floe_k_csv_field_append(text, &batch->columns[c], row));
            }
        }
        if (jsonl) FLOE_TRY(floe_text_append_char(text, '}'));
        FLOE_TRY(floe_text_append_char(text, '\n'));
    }
    return FLOE_OK;
}

static int run_dump(int argc, char **argv)
{
    const char *path = NULL, *format = "csv", *column_list = NULL;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--format") == 0 || strcmp(argv[i], "--columns") == 0) {
            if (i + 1 >= argc) return floe_cli_usage_error("parquet dump", "%s needs a value", argv[i]);
            if (argv[i][2] == 'f') format = argv[++i];
            else column_list = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return floe_cli_usage_error("parquet dump", "unknown option '%s'", argv[i]);
        } else if (path == NULL) {
            path = argv[i];
        } else {
            return floe_cli_usage_error("parquet dump", "takes one FILE (got '%s' too)", argv[i]);
        }
    }
    if (path == NULL) return floe_cli_usage_error("parquet dump", "needs a FILE");
    bool jsonl = strcmp(format, "jsonl") == 0;
    if (!jsonl && strcmp(format, "csv") != 0) {
        return floe_cli_usage_error("parquet dump", "--format must be csv or jsonl, not '%s'", format);
    }
    char *names_copy = NULL;
    const char **names = NULL;
    uint32_t name_count = 0;
    if (column_list != NULL) {
        int exit_status = floe_cli_split_column_list("parquet dump", column_list, &names_copy, &names,
                                                     &name_count);
        if (exit_status != FLOE_EXIT_OK) return exit_status;
    }
    floe_error err;
    floe_error_clear(&err);
    floe_pq_reader_options options = {0};
    options.column_names = names;
    options.column_name_count = name_count;
    floe_pq_reader *reader = NULL;
    floe_batch batch = {0};
    floe_text text;
    floe_text_init(&text);
    int status = floe_pq_reader_open(&reader, path, &options, &err);
    if (status >= 0) status = floe_pq_reader_batch_init(reader, &batch, &err);
    uint32_t column_count = 0;
    const floe_pq_reader_column *columns = NULL;
    if (status >= 0) {
        columns = floe_pq_reader_schema(reader, &column_count);
        if (!jsonl) {
            for (uint32_t c = 0; c < column_count && status >= 0; c++) {
                if (c > 0) status = floe_text_append_char(&text, ',');
                if (status >= 0) {
                    status = floe_k_csv_text_append(&text, columns[c].name,
                                                    strlen(columns[c].name), 0);
                }
            }
            if (status >= 0) status = floe_text_append_char(&text, '\n');
        }
    }
    while (status >= 0) {
        status = floe_pq_reader_next_batch(reader, &batch, &err);
        if (status < 0 || batch.row_count == 0) break;
        status = format_batch(&batch, columns, jsonl, &text);
        if (text.size >= (1u << 16) || status < 0) {
            fwrite(text.data, 1, text.size, stdout);
            floe_text_reset(&text);
        }
    }
    if (text.size > 0) fwrite(text.data, 1, text.size, stdout);
    int exit_status = FLOE_EXIT_OK;
    if (status < 0) {
        fflush(stdout);
        if (status == FLOE_ENOMEM && err.message[0] == '\0') {
            floe_error_set(&err, status, "%s: out of memory", path);
        }
        exit_status = floe_cli_report("parquet dump", status, &err);
        if (exit_status == FLOE_EXIT_USAGE) exit_status = FLOE_EXIT_USER_ERROR;
    } else if (fflush(stdout) != 0) {
        fprintf(stderr, "floe-engine: parquet dump: writing output failed\n");
        exit_status = FLOE_EXIT_USER_ERROR;
    }
    floe_text_fini(&text);
    if (batch.columns != NULL) floe_batch_fini(&batch);
    floe_pq_reader_free(reader);
    free(names_copy);
    free(names);
    return exit_status;
}

int floe_cli_parquet(const floe_cli_context *context, int argc, char **argv)
{
    if (argc < 2) return floe_cli_usage_error("parquet", "needs a subcommand: meta FILE | dump FILE");
    const char *subcommand = argv[1];
    if (strcmp(subcommand, "dump") == 0) return run_dump(argc, argv);
    if (strcmp(subcommand, "meta") != 0) {
        return floe_cli_usage_error("parquet", "unknown subcommand '%s' (meta FILE | dump FILE)",
                                    subcommand);
    }
    bool json = false;
    const char *path = NULL;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return floe_cli_usage_error("parquet meta", "unknown option '%s'", argv[i]);
        } else if (path == NULL) {
            path = argv[i];
        } else {
            return floe_cli_usage_error("parquet meta", "takes one FILE (got '%s' too)", argv[i]);
        }
    }
    if (path == NULL) return floe_cli_usage_error("parquet meta", "needs a FILE");
    return run_meta(context, json, path);
}
