/*
 * result_text.h — query results as text: an aligned table for people, CSV or JSON lines for
 * programs. It plugs into floe_eng_output (engine/database.h) as its begin_rows / rows /
 * end_rows callbacks and hands finished text to a write callback, so the library never prints
 * (tools/ passes one that writes to stdout).
 *
 * Formats (every value's text follows kernels/value_text.h, DESIGN.md "CSV output"):
 *   TABLE  psql's aligned form: a header line of centered column names, a rule of '-' and '+',
 *          one line per row with numbers (integers, floats, decimals) right-aligned and other
 *          values left-aligned, " | " between columns, then "(N rows)" ("(1 row)") and an empty
 *          line. NULL shows as NULL. Widths count UTF-8 code points; control characters in
 *          strings show as \n, \r, \t or \xHH so a row stays one line. Trailing spaces are
 *          trimmed. Every row is held until end_rows (alignment needs the widest value), as
 *          psql does; use CSV or JSON for results larger than memory.
 *   CSV    RFC 4180 with a header line of the column names; rows stream out as they come.
 *   JSON   one object per row, keys = column names in order, values as `table dump --format
 *          jsonl` writes them; rows stream out as they come.
 * Each result set (each SELECT of a script) starts anew: CSV repeats its header.
 *
 * Memory: the formatter owns its buffers (floe_malloc); the write callback receives bytes that
 * are only valid during the call. Errors: FLOE_ENOMEM, FLOE_EINVAL (bad arguments), or the
 * write callback's own status, which stops the query.
 */
#ifndef FLOE_ENGINE_RESULT_TEXT_H
#define FLOE_ENGINE_RESULT_TEXT_H

#include "engine/database.h" /* floe_eng_output */
#include "kernels/status.h"

#include <stddef.h>
#include <stdint.h>

typedef enum floe_eng_result_format {
    FLOE_ENG_RESULT_TABLE = 1,
    FLOE_ENG_RESULT_CSV,
    FLOE_ENG_RESULT_JSON,
} floe_eng_result_format;

/* Returns 0 or a negative status with err set. */
typedef int (*floe_eng_result_write_fn)(void *context, const char *bytes, size_t size,
                                        floe_error *err);

typedef struct floe_eng_result_text floe_eng_result_text;

int floe_eng_result_text_create(floe_eng_result_text **out, floe_eng_result_format format,
                                floe_eng_result_write_fn write, void *write_context,
                                floe_error *err);
void floe_eng_result_text_free(floe_eng_result_text *text);

/* The three row callbacks of floe_eng_output, for a caller whose output context holds the
 * formatter (messages and warnings are the caller's to place). */
int floe_eng_result_text_begin_rows(floe_eng_result_text *text, const floe_sql_schema *schema,
                                    floe_error *err);
int floe_eng_result_text_rows_of(floe_eng_result_text *text, const floe_batch *batch,
                                 floe_error *err);
int floe_eng_result_text_end_rows(floe_eng_result_text *text, floe_error *err);

/* Points output's context, begin_rows, rows and end_rows at the formatter alone; message and
 * warning are left as they were. */
void floe_eng_result_text_output(floe_eng_result_text *text, floe_eng_output *output);

/* Rows printed over every result set so far. */
int64_t floe_eng_result_text_rows(const floe_eng_result_text *text);

/* "csv" / "json" / "table" to a format; -1 for anything else. */
int floe_eng_result_format_from_name(const char *name);

#endif
