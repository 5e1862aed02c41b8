/*
 * eval_datetime.c — date_trunc and EXTRACT over DATE (int32 days) and TIMESTAMP(TZ) (int64
 * microseconds since 1970, UTC). Calendar arithmetic is the proleptic Gregorian calendar on
 * days (eval_cast.c), with floor division so instants before 1970 land on the right day.
 * DuckDB 1.5: date_trunc on a DATE returns a TIMESTAMP; EXTRACT returns BIGINT, epoch DOUBLE;
 * dow counts from Sunday = 0; week truncation starts on Monday.
 */
#include "engine/eval_internal.h"

#include <string.h>

enum unit {
    UNIT_YEAR, UNIT_QUARTER, UNIT_MONTH, UNIT_WEEK, UNIT_DAY, UNIT_HOUR, UNIT_MINUTE, UNIT_SECOND,
    UNIT_DOW, UNIT_DOY, UNIT_EPOCH, UNIT_COUNT
};
static const char *const unit_names[UNIT_COUNT] = {
    "year", "quarter", "month", "week", "day", "hour", "minute", "second", "dow", "doy", "epoch",
};

int floe_eng_datetime_unit(const char *text, uint32_t length, bool for_extract)
{
    int last = for_extract ? UNIT_COUNT : UNIT_DOW;
    for (int unit = 0; unit < last; unit++) {
        if (strlen(unit_names[unit]) != length) continue;
        bool same = true;
        for (uint32_t i = 0; i < length; i++) {
            char c = text[i];
            if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
            same &= c == unit_names[unit][i];
        }
        if (same) return unit == UNIT_WEEK && for_extract ? -1 : unit;
    }
    return -1;
}

static const int64_t micros_per_day = 86400LL * 1000000LL;

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return q - ((a % b != 0) && ((a < 0) != (b < 0)));
}

int floe_eng_eval_datetime_function(const floe_eng_node *node, const floe_vector *const *inputs,
                                    const floe_eng_rows *rows, floe_vector *out, floe_error *err)
{
    (void)err;
    const floe_vector *x = inputs[1];
    bool is_date = x->type.id == FLOE_TYPE_DATE;
    int unit = node->parameter;
    bool extract = node->expression->function == FLOE_SQL_FUNCTION_EXTRACT;
    floe_eng_merge_validity(out, inputs + 1, 1, rows);
    FLOE_ENG_FOR_ROWS(rows, r, {
        int64_t micros = is_date ? ((const int32_t *)x->data)[r] * micros_per_day
                                 : ((const int64_t *)x->data)[r];
        int64_t days = floor_div(micros, micros_per_day);
        int64_t time = micros - days * micros_per_day;
        int64_t year;
        unsigned month, day;
        floe_eng_civil_from_days(days, &year, &month, &day);
        if (extract) {
            int64_t v = 0;
            switch (unit) {
            case UNIT_YEAR: v = year; break;
            case UNIT_QUARTER: v = (month - 1) / 3 + 1; break;
            case UNIT_MONTH: v = month; break;
            case UNIT_DAY: v = day; break;
            case UNIT_HOUR: v = time / 3600000000LL; break;
            case UNIT_MINUTE: v = time / 60000000LL % 60; break;
            case UNIT_SECOND: v = time / 1000000 % 60; break;
            case UNIT_DOW: v = floor_div(days + 4, 7) * -7 + days + 4; break; /* 1970-01-01: Thu */
            case UNIT_DOY: v = days - floe_eng_days_from_civil(year, 1, 1) + 1; break;
            default: break;
            }
            if (unit == UNIT_EPOCH) ((double *)out->data)[r] = (double)micros / 1e6;
            else ((int64_t *)out->data)[r] = v;
            continue;
        }
        int64_t result;
        switch (unit) {
        case UNIT_YEAR: result = floe_eng_days_from_civil(year, 1, 1) * micros_per_day; break;
        case UNIT_QUARTER:
            result = floe_eng_days_from_civil(year, (month - 1) / 3 * 3 + 1, 1) * micros_per_day;
            break;
        case UNIT_MONTH: result = floe_eng_days_from_civil(year, month, 1) * micros_per_day; break;
        case UNIT_WEEK: /* Monday: 1970-01-05 was one, day 4 */
            result = (floor_div(days - 4, 7) * 7 + 4) * micros_per_day;
            break;
        case UNIT_DAY: result = days * micros_per_day; break;
        case UNIT_HOUR: result = floor_div(micros, 3600000000LL) * 3600000000LL; break;
        case UNIT_MINUTE: result = floor_div(micros, 60000000LL) * 60000000LL; break;
        default: result = floor_div(micros, 1000000LL) * 1000000LL; break;
        }
        ((int64_t *)out->data)[r] = result;
    });
    return FLOE_OK;
}
