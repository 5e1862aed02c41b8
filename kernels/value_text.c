/*
 * value_text.c — vector values as CSV / JSON text (rules in value_text.h).
 *
 * Why not printf("%.17g"): 17 significant digits always round-trip but print 0.1 as
 * 0.10000000000000001; users and the differential tests against DuckDB want the shortest form,
 * found here by trying precisions upward until strtod reads the same bits back (at most 17
 * snprintf calls, only for float columns being printed).
 */
#include "value_text.h"

#include "memory.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void floe_text_init(floe_text *text)
{
    text->data = NULL;
    text->size = 0;
    text->capacity = 0;
}

void floe_text_fini(floe_text *text)
{
    floe_free(text->data);
    floe_text_init(text);
}

static int reserve(floe_text *text, size_t extra)
{
    if (text->size + extra + 1 <= text->capacity) return FLOE_OK;
    size_t capacity = text->capacity ? text->capacity : 256;
    while (capacity < text->size + extra + 1) capacity *= 2;
    char *grown = floe_realloc(text->data, capacity);
    if (grown == NULL) return FLOE_ENOMEM;
    text->data = grown;
    text->capacity = capacity;
    return FLOE_OK;
}

int floe_text_append(floe_text *text, const void *bytes, size_t size)
{
    FLOE_TRY(reserve(text, size));
    if (size) memcpy(text->data + text->size, bytes, size);
    text->size += size;
    text->data[text->size] = '\0';
    return FLOE_OK;
}

int floe_text_append_char(floe_text *text, char c)
{
    FLOE_TRY(reserve(text, 1));
    text->data[text->size++] = c;
    text->data[text->size] = '\0';
    return FLOE_OK;
}

size_t floe_k_format_double(double value, char *out)
{
    if (isnan(value)) return (size_t)snprintf(out, FLOE_K_NUMBER_TEXT_SIZE, "nan");
    if (isinf(value)) return (size_t)snprintf(out, FLOE_K_NUMBER_TEXT_SIZE, value < 0 ? "-inf" : "inf");
    int length = 0;
    for (int precision = 1; precision <= 17; precision++) {
        length = snprintf(out, FLOE_K_NUMBER_TEXT_SIZE, "%.*g", precision, value);
        if (strtod(out, NULL) == value) break;
    }
    return (size_t)length;
}

size_t floe_k_format_float(float value, char *out)
{
    if (isnan(value)) return (size_t)snprintf(out, FLOE_K_NUMBER_TEXT_SIZE, "nan");
    if (isinf(value)) return (size_t)snprintf(out, FLOE_K_NUMBER_TEXT_SIZE, value < 0 ? "-inf" : "inf");
    int length = 0;
    for (int precision = 1; precision <= 9; precision++) {
        length = snprintf(out, FLOE_K_NUMBER_TEXT_SIZE, "%.*g", precision, (double)value);
        if (strtof(out, NULL) == value) break;
    }
    return (size_t)length;
}

size_t floe_k_format_int128(floe_int128 value, char *out)
{
    return floe_k_format_decimal(value, 0, out);
}

size_t floe_k_format_decimal(floe_int128 unscaled, unsigned scale, char *out)
{
    char digits[48];
    int count = 0;
    floe_uint128 magnitude = unscaled < 0 ? (floe_uint128)0 - (floe_uint128)unscaled
                                          : (floe_uint128)unscaled;
    do {
        digits[count++] = (char)('0' + (int)(magnitude % 10));
        magnitude /= 10;
    } while (magnitude != 0);
    if (scale > 38) scale = 38;
    while (count <= (int)scale) digits[count++] = '0';
    size_t length = 0;
    if (unscaled < 0) out[length++] = '-';
    for (int i = count - 1; i >= 0; i--) {
        out[length++] = digits[i];
        if (i == (int)scale && scale > 0) out[length++] = '.';
    }
    out[length] = '\0';
    return length;
}

/* Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's civil_from_days). */
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

static size_t format_civil(int64_t days, char *out, const char **suffix)
{
    int64_t year;
    unsigned month, day;
    civil_from_days(days, &year, &month, &day);
    *suffix = "";
    if (year <= 0) { /* astronomical year 0 is 1 BC */
        year = 1 - year;
        *suffix = " (BC)";
    }
    return (size_t)snprintf(out, FLOE_K_NUMBER_TEXT_SIZE, "%04" PRId64 "-%02u-%02u", year, month,
                            day);
}

size_t floe_k_format_date(int32_t days, char *out)
{
    const char *suffix;
    size_t length = format_civil(days, out, &suffix);
    length += (size_t)snprintf(out + length, FLOE_K_NUMBER_TEXT_SIZE - length, "%s", suffix);
    return length;
}

size_t floe_k_format_timestamp(int64_t micros, char *out)
{
    const int64_t per_day = INT64_C(86400000000);
    int64_t days = micros / per_day;
    int64_t in_day = micros % per_day;
    if (in_day < 0) {
        in_day += per_day;
        days--;
    }
    const char *suffix;
    size_t length = format_civil(days, out, &suffix);
    length += (size_t)snprintf(out + length, FLOE_K_NUMBER_TEXT_SIZE - length, " %02u:%02u:%02u",
                               (unsigned)(in_day / INT64_C(3600000000)),
                               (unsigned)(in_day / 60000000 % 60), (unsigned)(in_day / 1000000 % 60));
    unsigned fraction = (unsigned)(in_day % 1000000);
    if (fraction != 0) {
        int digits = 6;
        while (fraction % 10 == 0) {
            fraction /= 10;
            digits--;
        }
        length += (size_t)snprintf(out + length, FLOE_K_NUMBER_TEXT_SIZE - length, ".%0*u",
                                   digits, fraction);
    }
    length += (size_t)snprintf(out + length, FLOE_K_NUMBER_TEXT_SIZE - length, "%s", suffix);
    return length;
}

static const void *value_pointer(const floe_vector *vector, uint32_t row, size_t width)
{
    if (vector->encoding == FLOE_VECTOR_DICTIONARY) {
        uint32_t code = ((const uint32_t *)vector->data)[row];
        return (const uint8_t *)vector->dictionary->data + (size_t)code * width;
    }
    return (const uint8_t *)vector->data + (size_t)row * width;
}

static int append_binary(floe_text *text, const unsigned char *bytes, uint32_t length)
{
    static const char hex[] = "0123456789ABCDEF";
    FLOE_TRY(reserve(text, (size_t)length * 4));
    char *out = text->data + text->size;
    for (uint32_t i = 0; i < length; i++) {
        *out++ = '\\';
        *out++ = 'x';
        *out++ = hex[bytes[i] >> 4];
        *out++ = hex[bytes[i] & 15];
    }
    text->size += (size_t)length * 4;
    text->data[text->size] = '\0';
    return FLOE_OK;
}

/* Fixed-width values into buf; returns the length, or -1 for STRING/BINARY. */
static int fixed_text(const floe_vector *vector, uint32_t row, char *buf)
{
    floe_type type = vector->type;
    const void *p = value_pointer(vector, row, floe_type_width(type));
    switch (type.id) {
    case FLOE_TYPE_BOOLEAN:
        return snprintf(buf, FLOE_K_NUMBER_TEXT_SIZE, "%s", *(const uint8_t *)p ? "true" : "false");
    case FLOE_TYPE_INT32: {
        int32_t v;
        memcpy(&v, p, 4);
        return snprintf(buf, FLOE_K_NUMBER_TEXT_SIZE, "%" PRId32, v);
    }
    case FLOE_TYPE_INT64: {
        int64_t v;
        memcpy(&v, p, 8);
        return snprintf(buf, FLOE_K_NUMBER_TEXT_SIZE, "%" PRId64, v);
    }
    case FLOE_TYPE_FLOAT32: {
        float v;
        memcpy(&v, p, 4);
        return (int)floe_k_format_float(v, buf);
    }
    case FLOE_TYPE_FLOAT64: {
        double v;
        memcpy(&v, p, 8);
        return (int)floe_k_format_double(v, buf);
    }
    case FLOE_TYPE_DECIMAL: {
        floe_int128 v;
        if (type.precision <= FLOE_DECIMAL64_MAX_PRECISION) {
            int64_t narrow;
            memcpy(&narrow, p, 8);
            v = narrow;
        } else {
            memcpy(&v, p, 16);
        }
        return (int)floe_k_format_decimal(v, type.scale, buf);
    }
    case FLOE_TYPE_DATE: {
        int32_t v;
        memcpy(&v, p, 4);
        return (int)floe_k_format_date(v, buf);
    }
    case FLOE_TYPE_TIMESTAMP:
    case FLOE_TYPE_TIMESTAMPTZ: {
        int64_t v;
        memcpy(&v, p, 8);
        return (int)floe_k_format_timestamp(v, buf);
    }
    default:
        return -1;
    }
}

int floe_k_value_text_append(floe_text *text, const floe_vector *vector, uint32_t row)
{
    char buf[FLOE_K_NUMBER_TEXT_SIZE];
    int length = fixed_text(vector, row, buf);
    if (length >= 0) return floe_text_append(text, buf, (size_t)length);
    uint32_t size;
    const unsigned char *bytes = floe_vector_string(vector, row, &size);
    if (vector->type.id == FLOE_TYPE_BINARY) return append_binary(text, bytes, size);
    return floe_text_append(text, bytes, size);
}

int floe_k_csv_text_append(floe_text *text, const char *bytes, size_t size, int force_quotes)
{
    int quote = force_quotes || size == 0;
    for (size_t i = 0; i < size && !quote; i++) {
        char c = bytes[i];
        quote = c == ',' || c == '"' || c == '\r' || c == '\n';
    }
    if (!quote) return floe_text_append(text, bytes, size);
    FLOE_TRY(floe_text_append_char(text, '"'));
    size_t start = 0;
    for (size_t i = 0; i < size; i++) {
        if (bytes[i] == '"') {
            FLOE_TRY(floe_text_append(text, bytes + start, i + 1 - start));
            start = i; /* the quote is written again: doubled */
        }
    }
    FLOE_TRY(floe_text_append(text, bytes + start, size - start));
    return floe_text_append_char(text, '"');
}

int floe_k_csv_field_append(floe_text *text, const floe_vector *vector, uint32_t row)
{
    if (floe_vector_is_null(vector, row)) return FLOE_OK;
    floe_type type = vector->type;
    if (type.id == FLOE_TYPE_STRING) {
        uint32_t size;
        const unsigned char *bytes = floe_vector_string(vector, row, &size);
        return floe_k_csv_text_append(text, (const char *)bytes, size, 0);
    }
    if (type.id == FLOE_TYPE_BINARY) {
        uint32_t size;
        const unsigned char *bytes = floe_vector_string(vector, row, &size);
        if (size == 0) return floe_text_append(text, "\"\"", 2);
        return append_binary(text, bytes, size); /* \xHH never needs quotes */
    }
    return floe_k_value_text_append(text, vector, row);
}

/* Length of the valid UTF-8 sequence at bytes[i] (1..4), or 0 when it is not valid. */
static size_t utf8_sequence(const unsigned char *bytes, size_t size, size_t i)
{
    unsigned char c = bytes[i];
    if (c < 0x80) return 1;
    size_t need;
    uint32_t minimum;
    uint32_t code;
    if (c >= 0xC2 && c <= 0xDF) { need = 2; code = c & 0x1F; minimum = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { need = 3; code = c & 0x0F; minimum = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { need = 4; code = c & 0x07; minimum = 0x10000; }
    else return 0;
    if (size - i < need) return 0;
    for (size_t k = 1; k < need; k++) {
        if ((bytes[i + k] & 0xC0) != 0x80) return 0;
        code = code << 6 | (bytes[i + k] & 0x3F);
    }
    if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
    return need;
}

int floe_k_json_string_append(floe_text *text, const void *data, size_t size)
{
    const unsigned char *bytes = data;
    FLOE_TRY(floe_text_append_char(text, '"'));
    size_t start = 0, i = 0;
    while (i < size) {
        unsigned char c = bytes[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            continue;
        }
        size_t sequence = c >= 0x80 ? utf8_sequence(bytes, size, i) : 1;
        if (c >= 0x80 && sequence > 0) {
            i += sequence;
            continue;
        }
        FLOE_TRY(floe_text_append(text, bytes + start, i - start));
        char escape[8];
        const char *out = escape;
        size_t length = 2;
        switch (c) {
        case '"': out = "\\\""; break;
        case '\\': out = "\\\\"; break;
        case '\n': out = "\\n"; break;
        case '\r': out = "\\r"; break;
        case '\t': out = "\\t"; break;
        case '\b': out = "\\b"; break;
        case '\f': out = "\\f"; break;
        default:
            if (c >= 0x80) {
                out = "\\ufffd";
            } else {
                snprintf(escape, sizeof escape, "\\u%04x", c);
            }
            length = 6;
            break;
        }
        FLOE_TRY(floe_text_append(text, out, length));
        i++;
        start = i;
    }
    FLOE_TRY(floe_text_append(text, bytes + start, size - start));
    return floe_text_append_char(text, '"');
}

int floe_k_json_value_append(floe_text *text, const floe_vector *vector, uint32_t row)
{
    if (floe_vector_is_null(vector, row)) return floe_text_append(text, "null", 4);
    char buf[FLOE_K_NUMBER_TEXT_SIZE];
    switch (vector->type.id) {
    case FLOE_TYPE_BOOLEAN:
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_INT64:
        return floe_k_value_text_append(text, vector, row);
    case FLOE_TYPE_FLOAT32:
    case FLOE_TYPE_FLOAT64: {
        int length = fixed_text(vector, row, buf);
        if (buf[0] == 'n' || buf[0] == 'i' || (buf[0] == '-' && buf[1] == 'i')) {
            return floe_k_json_string_append(text, buf, (size_t)length);
        }
        return floe_text_append(text, buf, (size_t)length);
    }
    case FLOE_TYPE_STRING: {
        uint32_t size;
        const unsigned char *bytes = floe_vector_string(vector, row, &size);
        return floe_k_json_string_append(text, bytes, size);
    }
    case FLOE_TYPE_BINARY: {
        FLOE_TRY(floe_text_append_char(text, '"'));
        uint32_t size;
        const unsigned char *bytes = floe_vector_string(vector, row, &size);
        /* \xHH inside a JSON string: the backslash itself must be escaped. */
        static const char hex[] = "0123456789ABCDEF";
        for (uint32_t i = 0; i < size; i++) {
            char escaped[5] = {'\\', '\\', 'x', hex[bytes[i] >> 4], hex[bytes[i] & 15]};
            FLOE_TRY(floe_text_append(text, escaped, 5));
        }
        return floe_text_append_char(text, '"');
    }
    default: {
        int length = fixed_text(vector, row, buf);
        if (length < 0) return FLOE_EINVAL;
        return floe_k_json_string_append(text, buf, (size_t)length);
    }
    }
}
