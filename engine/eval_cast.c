/*
 * eval_cast.c — CAST between types, and the text form of every value (DuckDB's VARCHAR casts).
 *
 * Exact numbers (BOOLEAN, integers, decimals) travel as a 128-bit unscaled integer plus a scale,
 * so one rescale-and-range-check path serves every exact-to-exact cast: scaling down rounds half
 * away from zero (DuckDB: 1.255 -> 1.26, -1.5 -> -2 as INTEGER). Floats to integers round half to
 * even (DuckDB uses nearbyint: 2.5 -> 2, 3.5 -> 4); floats to decimals round half away. Text is
 * parsed into the same exact form, so '12.5'::INTEGER is 13 and '1e3'::INTEGER is 1000 as in
 * DuckDB. Not accepted (DuckDB does accept them): hexadecimal '0x10' and '1_000' digit
 * separators; text timestamps with a time zone offset other than a trailing Z.
 */
#include "engine/eval_internal.h"

#include "sql/expression_types.h" /* floe_sql_type_is_* */

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { micros_per_second = 1000000, seconds_per_day = 86400 };
static const int64_t micros_per_day = (int64_t)seconds_per_day * micros_per_second;

void floe_eng_civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
    /* Days to proleptic Gregorian date, the era-based method (400-year cycles). */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *year = yoe + era * 400 + (*month <= 2);
}

int64_t floe_eng_days_from_civil(int64_t year, unsigned month, unsigned day)
{
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    int64_t yoe = year - era * 400;
    int64_t mp = month > 2 ? month - 3 : month + 9;
    int64_t doy = (153 * mp + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static unsigned days_in_month(int64_t year, unsigned month)
{
    static const unsigned days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

/* ---- text of values ---- */

static uint32_t format_int128(floe_int128 value, char *buffer)
{
    char digits[48];
    uint32_t n = 0;
    floe_uint128 magnitude = value < 0 ? (floe_uint128)0 - (floe_uint128)value : (floe_uint128)value;
    do {
        digits[n++] = (char)('0' + (int)(magnitude % 10));
        magnitude /= 10;
    } while (magnitude != 0);
    uint32_t length = 0;
    if (value < 0) buffer[length++] = '-';
    while (n > 0) buffer[length++] = digits[--n];
    buffer[length] = '\0';
    return length;
}

static uint32_t format_decimal(floe_int128 value, unsigned scale, char *buffer)
{
    if (scale == 0) return format_int128(value, buffer);
    char digits[48];
    floe_int128 magnitude = value < 0 ? -value : value;
    uint32_t n = format_int128(magnitude, digits);
    uint32_t length = 0;
    if (value < 0) buffer[length++] = '-';
    if (n <= scale) {
        buffer[length++] = '0';
        buffer[length++] = '.';
        for (uint32_t i = n; i < scale; i++) buffer[length++] = '0';
        memcpy(buffer + length, digits, n);
        length += n;
    } else {
        memcpy(buffer + length, digits, n - scale);
        length += n - scale;
        buffer[length++] = '.';
        memcpy(buffer + length, digits + n - scale, scale);
        length += scale;
    }
    buffer[length] = '\0';
    return length;
}

/* Shortest round-trip digits, laid out as Python's repr does (DuckDB prints doubles this way):
 * fixed for decimal exponents -4..15 with at least one fractional digit, else d.ddde+XX. */
static uint32_t format_float(double value, bool single, char *buffer, size_t size)
{
    if (isnan(value)) return (uint32_t)snprintf(buffer, size, "nan");
    if (isinf(value)) return (uint32_t)snprintf(buffer, size, value < 0 ? "-inf" : "inf");
    char text[40];
    int max_precision = single ? 9 : 17;
    for (int p = 1; p <= max_precision; p++) {
        snprintf(text, sizeof text, "%.*e", p - 1, value);
        if (single ? strtof(text, NULL) == (float)value : strtod(text, NULL) == value) break;
    }
    /* text: [-]d[.ddd]e[+-]XX */
    char digits[24];
    int n = 0;
    const char *c = text;
    bool negative = *c == '-';
    if (negative) c++;
    for (; *c != 'e'; c++) {
        if (*c != '.') digits[n++] = *c;
    }
    int exponent = atoi(c + 1);
    while (n > 1 && digits[n - 1] == '0') n--;
    uint32_t length = 0;
    if (negative) buffer[length++] = '-';
    if (exponent >= -4 && exponent < 16) {
        if (exponent < 0) {
            buffer[length++] = '0';
            buffer[length++] = '.';
            for (int i = -1; i > exponent; i--) buffer[length++] = '0';
            for (int i = 0; i < n; i++) buffer[length++] = digits[i];
        } else {
            for (int i = 0; i <= exponent; i++) buffer[length++] = i < n ? digits[i] : '0';
            buffer[length++] = '.';
            if (n <= exponent + 1) buffer[length++] = '0';
            for (int i = exponent + 1; i < n; i++) buffer[length++] = digits[i];
        }
        buffer[length] = '\0';
        return length;
    }
    buffer[length++] = digits[0];
    if (n > 1) {
        buffer[length++] = '.';
        for (int i = 1; i < n; i++) buffer[length++] = digits[i];
    }
    length += (uint32_t)snprintf(buffer + length, size - length, "e%c%02d", exponent < 0 ? '-' : '+',
                                 exponent < 0 ? -exponent : exponent);
    return length;
}

static uint32_t format_date(int64_t days, char *buffer, size_t size)
{
    int64_t year;
    unsigned month, day;
    floe_eng_civil_from_days(days, &year, &month, &day);
    if (year <= 0) {
        return (uint32_t)snprintf(buffer, size, "%04" PRId64 "-%02u-%02u (BC)", 1 - year, month, day);
    }
    return (uint32_t)snprintf(buffer, size, "%04" PRId64 "-%02u-%02u", year, month, day);
}

static uint32_t format_timestamp(int64_t micros, bool zone, char *buffer, size_t size)
{
    int64_t days = micros / micros_per_day, rest = micros % micros_per_day;
    if (rest < 0) {
        rest += micros_per_day;
        days -= 1;
    }
    int64_t year;
    unsigned month, day;
    floe_eng_civil_from_days(days, &year, &month, &day);
    int64_t seconds = rest / micros_per_second, fraction = rest % micros_per_second;
    uint32_t n = (uint32_t)snprintf(buffer, size, "%04" PRId64 "-%02u-%02u %02d:%02d:%02d",
                                    year <= 0 ? 1 - year : year, month, day, (int)(seconds / 3600),
                                    (int)(seconds / 60 % 60), (int)(seconds % 60));
    if (fraction != 0) {
        char digits[8];
        snprintf(digits, sizeof digits, "%06d", (int)fraction);
        int keep = 6;
        while (keep > 0 && digits[keep - 1] == '0') keep--;
        n += (uint32_t)snprintf(buffer + n, size - n, ".%.*s", keep, digits);
    }
    if (zone) n += (uint32_t)snprintf(buffer + n, size - n, "+00");
    if (year <= 0) n += (uint32_t)snprintf(buffer + n, size - n, " (BC)");
    return n;
}

uint32_t floe_eng_format_value(const floe_vector *vector, uint32_t row, char *buffer, size_t size)
{
    const void *data = vector->data;
    switch ((floe_type_id)vector->type.id) {
    case FLOE_TYPE_BOOLEAN:
        return (uint32_t)snprintf(buffer, size, "%s", ((const uint8_t *)data)[row] ? "true" : "false");
    case FLOE_TYPE_INT32: return (uint32_t)snprintf(buffer, size, "%" PRId32, ((const int32_t *)data)[row]);
    case FLOE_TYPE_INT64: return (uint32_t)snprintf(buffer, size, "%" PRId64, ((const int64_t *)data)[row]);
    case FLOE_TYPE_FLOAT32: return format_float(((const float *)data)[row], true, buffer, size);
    case FLOE_TYPE_FLOAT64: return format_float(((const double *)data)[row], false, buffer, size);
    case FLOE_TYPE_DECIMAL:
        return format_decimal(floe_eng_decimal_get(vector, row), vector->type.scale, buffer);
    case FLOE_TYPE_DATE: return format_date(((const int32_t *)data)[row], buffer, size);
    case FLOE_TYPE_TIMESTAMP:
    case FLOE_TYPE_TIMESTAMPTZ:
        return format_timestamp(((const int64_t *)data)[row],
                                vector->type.id == FLOE_TYPE_TIMESTAMPTZ, buffer, size);
    default: break;
    }
    buffer[0] = '\0';
    return 0;
}

/* ---- parsing text ---- */

static bool is_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static void trim_text(const unsigned char **text, uint32_t *length)
{
    while (*length > 0 && is_space((*text)[0])) (*text)++, (*length)--;
    while (*length > 0 && is_space((*text)[*length - 1])) (*length)--;
}

/* [+-]digits[.digits][e[+-]digits] into an exact value at the smallest fitting scale. */
static bool parse_exact(const unsigned char *s, uint32_t n, floe_int128 *value, int *scale)
{
    uint32_t i = 0;
    bool negative = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
    floe_int128 v = 0;
    int digits = 0, fraction = 0;
    bool any = false, dot = false;
    for (; i < n; i++) {
        if (s[i] == '.' && !dot) {
            dot = true;
            continue;
        }
        if (s[i] < '0' || s[i] > '9') break;
        any = true;
        if (digits >= 38) {
            if (!dot) return false;
            continue; /* ignore digits past 38 significant ones in the fraction */
        }
        v = v * 10 + (s[i] - '0');
        if (v != 0) digits++;
        if (dot) fraction++;
    }
    if (!any) return false;
    int exponent = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool negative_exponent = false;
        if (i < n && (s[i] == '+' || s[i] == '-')) negative_exponent = s[i++] == '-';
        if (i >= n) return false;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            exponent = exponent * 10 + (s[i] - '0');
            if (exponent > 100) return false;
        }
        if (negative_exponent) exponent = -exponent;
    }
    if (i != n) return false;
    int sc = fraction - exponent;
    if (sc < 0) {
        if (!(__builtin_mul_overflow(v, floe_eng_pow10((unsigned)-sc), &v)) && -sc <= 38) sc = 0;
        else return false;
    }
    if (sc > 76) return false;
    *value = negative ? -v : v;
    *scale = sc;
    return true;
}

static bool parse_unsigned(const unsigned char *s, uint32_t n, uint32_t *i, unsigned max_digits,
                           int64_t *value)
{
    unsigned count = 0;
    int64_t v = 0;
    while (*i < n && s[*i] >= '0' && s[*i] <= '9' && count < max_digits) {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        count++;
    }
    *value = v;
    return count > 0;
}

/* [-]Y-M-D[ (BC)] then, for timestamps, [T| ]H:M[:S[.f]][Z]. */
static bool parse_datetime(const unsigned char *s, uint32_t n, bool timestamp, int64_t *out)
{
    uint32_t i = 0;
    bool negative = i < n && s[i] == '-';
    if (negative) i++;
    int64_t year, month, day;
    if (!parse_unsigned(s, n, &i, 7, &year) || i >= n || s[i++] != '-') return false;
    if (!parse_unsigned(s, n, &i, 2, &month) || i >= n || s[i++] != '-') return false;
    if (!parse_unsigned(s, n, &i, 2, &day)) return false;
    if (negative) year = -year;
    if (n - i >= 5 && memcmp(s + n - 5, " (BC)", 5) == 0) {
        year = 1 - year;
        n -= 5;
    }
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, (unsigned)month)) return false;
    int64_t days = floe_eng_days_from_civil(year, (unsigned)month, (unsigned)day);
    int64_t micros = 0;
    if (timestamp && i < n) {
        if (s[i] != ' ' && s[i] != 'T') return false;
        i++;
        int64_t hour, minute, second = 0, fraction = 0;
        if (!parse_unsigned(s, n, &i, 2, &hour) || i >= n || s[i++] != ':') return false;
        if (!parse_unsigned(s, n, &i, 2, &minute)) return false;
        if (i < n && s[i] == ':') {
            i++;
            if (!parse_unsigned(s, n, &i, 2, &second)) return false;
            if (i < n && s[i] == '.') {
                i++;
                int64_t scale = micros_per_second;
                uint32_t start = i;
                while (i < n && s[i] >= '0' && s[i] <= '9') {
                    scale /= 10;
                    fraction += (s[i] - '0') * scale;
                    i++;
                }
                if (i == start) return false;
            }
        }
        if (i < n && s[i] == 'Z') i++;
        if (hour > 23 || minute > 59 || second > 59) return false;
        micros = ((hour * 60 + minute) * 60 + second) * micros_per_second + fraction;
    }
    if (i != n) return false;
    *out = timestamp ? days * micros_per_day + micros : days;
    return true;
}

static bool text_is(const unsigned char *s, uint32_t n, const char *word)
{
    if (strlen(word) != n) return false;
    for (uint32_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)word[i]) return false;
    }
    return true;
}

/* ---- the cast ---- */

static int cast_failed(floe_error *err, const floe_vector *input, uint32_t row, floe_type to,
                       const char *why)
{
    char type[32], value[96];
    if (floe_type_is_variable_width(input->type)) {
        uint32_t length;
        const unsigned char *bytes = floe_vector_string(input, row, &length);
        return floe_error_set(err, FLOE_ERANGE, "could not convert '%.*s' to %s%s",
                              (int)(length > 64 ? 64 : length), (const char *)bytes,
                              floe_type_format(to, type, sizeof type), why);
    }
    floe_eng_format_value(input, row, value, sizeof value);
    return floe_error_set(err, FLOE_ERANGE, "could not convert %s to %s%s", value,
                          floe_type_format(to, type, sizeof type), why);
}

/* An exact value (unscaled, scale) into an exact target; false when out of range. */
static bool store_exact(floe_vector *out, uint32_t r, floe_int128 value, int scale)
{
    int target = out->type.id == FLOE_TYPE_DECIMAL ? out->type.scale : 0;
    if (out->type.id == FLOE_TYPE_BOOLEAN) {
        ((uint8_t *)out->data)[r] = value != 0; /* -0.01 is true, before any rounding */
        return true;
    }
    if (scale > target) {
        value = floe_eng_decimal_round_down(value, (unsigned)(scale - target));
    } else if (scale < target) {
        if (__builtin_mul_overflow(value, floe_eng_pow10((unsigned)(target - scale)), &value)) return false;
    }
    switch ((floe_type_id)out->type.id) {
    case FLOE_TYPE_BOOLEAN: ((uint8_t *)out->data)[r] = value != 0; return true;
    case FLOE_TYPE_INT32:
        if (value < INT32_MIN || value > INT32_MAX) return false;
        ((int32_t *)out->data)[r] = (int32_t)value;
        return true;
    case FLOE_TYPE_INT64:
        if (value < INT64_MIN || value > INT64_MAX) return false;
        ((int64_t *)out->data)[r] = (int64_t)value;
        return true;
    case FLOE_TYPE_DECIMAL:
        if (!floe_eng_decimal_fits(value, out->type.precision)) return false;
        floe_eng_decimal_set(out, r, value);
        return true;
    default: return false;
    }
}

static bool store_float(floe_vector *out, uint32_t r, double value)
{
    switch ((floe_type_id)out->type.id) {
    case FLOE_TYPE_FLOAT32: ((float *)out->data)[r] = (float)value; return true;
    case FLOE_TYPE_FLOAT64: ((double *)out->data)[r] = value; return true;
    case FLOE_TYPE_BOOLEAN: ((uint8_t *)out->data)[r] = value != 0; return true;
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_INT64: {
        if (!isfinite(value)) return false;
        double rounded = nearbyint(value);
        if (rounded < -9223372036854775808.0 || rounded >= 9223372036854775808.0) return false;
        return store_exact(out, r, (floe_int128)rounded, 0);
    }
    case FLOE_TYPE_DECIMAL: {
        if (!isfinite(value)) return false;
        double scaled = round(value * pow(10.0, out->type.scale));
        if (fabs(scaled) >= 1e38) return false;
        return store_exact(out, r, (floe_int128)scaled, out->type.scale);
    }
    default: return false;
    }
}

static bool read_exact(const floe_vector *in, uint32_t r, floe_int128 *value, int *scale)
{
    *scale = 0;
    switch ((floe_type_id)in->type.id) {
    case FLOE_TYPE_BOOLEAN: *value = ((const uint8_t *)in->data)[r]; return true;
    case FLOE_TYPE_INT32: *value = ((const int32_t *)in->data)[r]; return true;
    case FLOE_TYPE_INT64: *value = ((const int64_t *)in->data)[r]; return true;
    case FLOE_TYPE_DECIMAL:
        *value = floe_eng_decimal_get(in, r);
        *scale = in->type.scale;
        return true;
    default: return false;
    }
}

static double exact_to_double(floe_int128 value, int scale)
{
    return scale == 0 ? (double)value : (double)((long double)value / powl(10.0L, scale));
}

static int cast_from_string(const floe_vector *in, uint32_t r, floe_vector *out, floe_error *err)
{
    uint32_t n;
    const unsigned char *s = floe_vector_string(in, r, &n);
    floe_type to = out->type;
    if (to.id == FLOE_TYPE_STRING || to.id == FLOE_TYPE_BINARY) {
        return floe_vector_set_string(out, r, s, n, err);
    }
    trim_text(&s, &n);
    bool ok = false;
    switch ((floe_type_id)to.id) {
    case FLOE_TYPE_BOOLEAN: {
        bool t = text_is(s, n, "true") || text_is(s, n, "t") || text_is(s, n, "yes") ||
                 text_is(s, n, "y") || text_is(s, n, "1");
        bool f = text_is(s, n, "false") || text_is(s, n, "f") || text_is(s, n, "no") ||
                 text_is(s, n, "n") || text_is(s, n, "0");
        ok = t || f;
        ((uint8_t *)out->data)[r] = t;
        break;
    }
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_INT64:
    case FLOE_TYPE_DECIMAL: {
        floe_int128 value;
        int scale;
        ok = parse_exact(s, n, &value, &scale) && store_exact(out, r, value, scale);
        break;
    }
    case FLOE_TYPE_FLOAT32:
    case FLOE_TYPE_FLOAT64: {
        char text[128];
        if (n == 0 || n >= sizeof text) break;
        memcpy(text, s, n);
        text[n] = '\0';
        char *end;
        double value = strtod(text, &end);
        ok = end == text + n && !(text[0] == '0' && (text[1] == 'x' || text[1] == 'X'));
        store_float(out, r, value);
        break;
    }
    case FLOE_TYPE_DATE: {
        int64_t days;
        ok = parse_datetime(s, n, false, &days) && days >= INT32_MIN && days <= INT32_MAX;
        if (ok) ((int32_t *)out->data)[r] = (int32_t)days;
        break;
    }
    case FLOE_TYPE_TIMESTAMP:
    case FLOE_TYPE_TIMESTAMPTZ: ok = parse_datetime(s, n, true, &((int64_t *)out->data)[r]); break;
    default: break;
    }
    return ok ? FLOE_OK : cast_failed(err, in, r, to, "");
}

int floe_eng_eval_cast(const floe_vector *input, const floe_eng_rows *rows, floe_vector *out,
                       floe_error *err)
{
    floe_type from = input->type, to = out->type;
    floe_eng_merge_validity(out, &input, 1, rows);
    char a[32], b[32];
    if (floe_type_equal(from, to) && !floe_type_is_variable_width(to)) {
        size_t width = floe_type_width(to);
        FLOE_ENG_FOR_ROWS(rows, r, {
            memcpy((unsigned char *)out->data + r * width,
                   (const unsigned char *)input->data + r * width, width);
        });
        return FLOE_OK;
    }
    if (floe_type_is_variable_width(from)) {
        FLOE_ENG_FOR_ROWS(rows, r, {
            if (!floe_eng_is_valid(input, r)) continue;
            FLOE_TRY(cast_from_string(input, r, out, err));
        });
        return FLOE_OK;
    }
    if (to.id == FLOE_TYPE_STRING) {
        char text[96];
        FLOE_ENG_FOR_ROWS(rows, r, {
            if (!floe_eng_is_valid(input, r)) continue;
            uint32_t length = floe_eng_format_value(input, r, text, sizeof text);
            FLOE_TRY(floe_vector_set_string(out, r, text, length, err));
        });
        return FLOE_OK;
    }
    if (floe_sql_type_is_temporal(from) && floe_sql_type_is_temporal(to)) {
        if (from.id == FLOE_TYPE_DATE) {
            const int32_t *days = input->data;
            int64_t *o = out->data;
            FLOE_ENG_FOR_ROWS(rows, r, { o[r] = (int64_t)days[r] * micros_per_day; });
        } else if (to.id == FLOE_TYPE_DATE) {
            const int64_t *micros = input->data;
            int32_t *o = out->data;
            FLOE_ENG_FOR_ROWS(rows, r, {
                int64_t m = micros[r], d = m / micros_per_day;
                o[r] = (int32_t)(d - (m % micros_per_day < 0));
            });
        } else {
            memcpy(out->data, input->data, (size_t)rows->row_count * sizeof(int64_t));
        }
        return FLOE_OK;
    }
    bool from_number = floe_sql_type_is_numeric(from) || from.id == FLOE_TYPE_BOOLEAN;
    bool to_number = floe_sql_type_is_numeric(to) || to.id == FLOE_TYPE_BOOLEAN;
    FLOE_RETURN_IF(!from_number || !to_number, FLOE_ETYPE, err, "no cast from %s to %s",
                   floe_type_format(from, a, sizeof a), floe_type_format(to, b, sizeof b));
    if (floe_sql_type_is_float(from)) {
        FLOE_ENG_FOR_ROWS(rows, r, {
            if (!floe_eng_is_valid(input, r)) continue;
            double v = from.id == FLOE_TYPE_FLOAT64 ? ((const double *)input->data)[r]
                                                    : ((const float *)input->data)[r];
            if (!store_float(out, r, v)) return cast_failed(err, input, r, to, ": out of range");
        });
        return FLOE_OK;
    }
    FLOE_ENG_FOR_ROWS(rows, r, {
        if (!floe_eng_is_valid(input, r)) continue;
        floe_int128 value;
        int scale;
        read_exact(input, r, &value, &scale);
        bool ok = floe_sql_type_is_float(to) ? store_float(out, r, exact_to_double(value, scale))
                                             : store_exact(out, r, value, scale);
        if (!ok) return cast_failed(err, input, r, to, ": out of range");
    });
    return FLOE_OK;
}
