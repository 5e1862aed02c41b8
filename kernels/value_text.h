/*
 * value_text.h — one vector value as text: the CSV and JSON-lines forms of DESIGN.md
 * ("CSV output"), shared by every command that prints rows (parquet dump, table dump, query).
 *
 * Text forms (the same inside CSV fields and inside JSON strings):
 *   BOOLEAN      true / false
 *   INT32/INT64  decimal digits
 *   FLOAT32/64   the shortest decimal that reads back to the same value (%.{p}g with the least
 *                p in 1..9 / 1..17 that round-trips through strtof / strtod): 0.1, 1e+20, -0;
 *                nan, inf, -inf
 *   DECIMAL(p,s) the unscaled integer with s digits after the point: 150 at scale 2 → 1.50,
 *                -5 → -0.05; int128 for p > 18
 *   DATE         YYYY-MM-DD (proleptic Gregorian); years above 9999 with all their digits
 *                (12000-01-01); years before 1 as DuckDB prints them: year 0 is
 *                "0001-01-01 (BC)", year -44 is "0045-..-.. (BC)"
 *   TIMESTAMP    YYYY-MM-DD HH:MM:SS, then when the microseconds are not zero a point and up to
 *                six digits with trailing zeros removed (…:03.12), exactly as DuckDB prints a
 *                TIMESTAMP; dates as above
 *   TIMESTAMPTZ  the same, in UTC, without a zone suffix
 *   STRING       its bytes
 *   BINARY       every byte as \xHH, upper-case hex (\x00\xFF), as DuckDB writes BLOB escapes
 *                (DuckDB leaves printable ASCII bytes unescaped; Floe escapes all, so the text
 *                is unambiguous)
 * CSV (RFC 4180): a field containing a comma, a double quote, CR or LF is quoted with its quotes
 * doubled; NULL is an empty unquoted field; an empty string is "" (quoted, to differ from NULL).
 * JSON: one object per row; INT32/INT64 as JSON numbers with exact digits (even beyond 2^53);
 * floats as numbers in the shortest form, NaN and infinities as the strings "nan", "inf",
 * "-inf"; BOOLEAN true/false; NULL null; DATE, TIMESTAMP(TZ), DECIMAL and BINARY as JSON strings
 * of their text; STRING as a JSON string with ", \ and control characters escaped (\n, \t, \r,
 * \b, \f, else \u00XX) and each byte that is not part of valid UTF-8 replaced by U+FFFD (written
 * as the escape \ufffd), so the output is always valid UTF-8 JSON.
 *
 * Memory: a floe_text is a growable buffer (floe_realloc) the caller owns: _init, append, reset
 * to reuse, _fini. Appends return FLOE_ENOMEM when the buffer cannot grow (the text is then
 * incomplete). Nothing else allocates.
 */
#ifndef FLOE_KERNELS_VALUE_TEXT_H
#define FLOE_KERNELS_VALUE_TEXT_H

#include "status.h"
#include "types.h"
#include "vector.h"

#include <stddef.h>
#include <stdint.h>

typedef struct floe_text {
    char *data;       /* NUL-terminated when size > 0 or after any append */
    size_t size;      /* bytes of text */
    size_t capacity;
} floe_text;

void floe_text_init(floe_text *text);
void floe_text_fini(floe_text *text);
static inline void floe_text_reset(floe_text *text) { text->size = 0; if (text->data) text->data[0] = '\0'; }
int floe_text_append(floe_text *text, const void *bytes, size_t size);
int floe_text_append_char(floe_text *text, char c);

/* Fixed buffers for single values: FLOE_K_NUMBER_TEXT_SIZE holds any number, date or
 * timestamp text. Each returns the length written (no truncation happens at that size). */
enum { FLOE_K_NUMBER_TEXT_SIZE = 64 };
size_t floe_k_format_double(double value, char *out);
size_t floe_k_format_float(float value, char *out);
size_t floe_k_format_decimal(floe_int128 unscaled, unsigned scale, char *out);
size_t floe_k_format_date(int32_t days, char *out);
size_t floe_k_format_timestamp(int64_t micros, char *out);
size_t floe_k_format_int128(floe_int128 value, char *out);

/* The text form of row `row` (not NULL) of `vector` (FLAT or DICTIONARY), unquoted. */
int floe_k_value_text_append(floe_text *text, const floe_vector *vector, uint32_t row);

/* One CSV field: NULL empty, else the text form, quoted when RFC 4180 needs it (and always for
 * the empty string). */
int floe_k_csv_field_append(floe_text *text, const floe_vector *vector, uint32_t row);

/* Raw text as one CSV field (header names). */
int floe_k_csv_text_append(floe_text *text, const char *bytes, size_t size, int force_quotes);

/* One JSON value for row `row` (null, number, true/false or string). */
int floe_k_json_value_append(floe_text *text, const floe_vector *vector, uint32_t row);

/* bytes as a JSON string literal, with the escaping and U+FFFD replacement above. */
int floe_k_json_string_append(floe_text *text, const void *bytes, size_t size);

#endif
