/*
 * fuzz_sql — arbitrary bytes as a SQL script for sql/lexer.c, sql/parser.c and the printer.
 *
 * The text is the fuzzer's exact buffer (not NUL-terminated), so ASan sees any read past it.
 * A script that parses must print, and its canonical text must parse again and print the same
 * (the printer's fixed point, as tests/sql/test_parser.c checks for every case). A script that
 * fails must fail with FLOE_ESYNTAX or FLOE_EUNSUPPORTED and a message pointing at a line and
 * column ("line L, column C: ...").
 */
#include "kernels/memory.h"
#include "sql/ast.h"
#include "sql/parser.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Canonical text of every statement joined by "; ", malloc'd. */
static char *format_script(const floe_sql_script *script)
{
    size_t length = 0;
    char *joined = malloc(1);
    if (joined == NULL) abort();
    joined[0] = '\0';
    for (size_t i = 0; i < script->statement_count; i++) {
        char *text = NULL;
        size_t text_length = 0;
        if (floe_sql_format_statement(script->statements[i], &text, &text_length, NULL) != FLOE_OK)
            abort();
        if (strlen(text) != text_length) abort();
        joined = realloc(joined, length + text_length + 3);
        if (joined == NULL) abort();
        if (i > 0) {
            memcpy(joined + length, "; ", 2);
            length += 2;
        }
        memcpy(joined + length, text, text_length + 1);
        length += text_length;
        floe_free(text);
    }
    return joined;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 100000) return 0;
    floe_sql_script *script = NULL;
    floe_error err;
    int status = floe_sql_parse_script((const char *)data, size, &script, &err);
    if (status != FLOE_OK) {
        if (script != NULL) abort();
        if (status != FLOE_ESYNTAX && status != FLOE_EUNSUPPORTED) abort();
        if (strncmp(err.message, "line ", 5) != 0) abort();
        return 0;
    }
    char *first = format_script(script);
    floe_sql_script_free(script);
    status = floe_sql_parse_script(first, strlen(first), &script, &err);
    if (status != FLOE_OK) abort(); /* canonical text must re-parse */
    char *second = format_script(script);
    if (strcmp(first, second) != 0) abort(); /* and be a fixed point */
    floe_sql_script_free(script);
    free(first);
    free(second);
    return 0;
}
