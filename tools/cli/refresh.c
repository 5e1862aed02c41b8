/*
 * refresh.c — `floe-engine refresh [TABLE ... | --all] [--full]` and `floe-engine status [TABLE]`
 * (engine/dynamic_table.h does the work; this file parses arguments and prints).
 *
 * refresh: named tables are refreshed with their dynamic upstreams first; --all refreshes every
 * dynamic table of the warehouse except suspended ones; --full forces a full refresh even when
 * the sources did not change. One line per table on stdout ("default.t: refresh 3, full (...)
 * ...", "... up to date", "... suspended, skipped"); errors on stderr, exit 1 when any table
 * failed (the others are still refreshed). Naming no table and no --all is a usage error:
 * refreshing everything should be asked for.
 *
 * status: one block per dynamic table (target lag, mode, suspended, current lag, the last
 * refresh, its rows and duration, state size, failures in a row with the last error and its
 * time), or with --json (global, or after the command) one JSON array of objects with the
 * columns of floe_eng_status, in its text forms (kernels/value_text.h: numbers as numbers,
 * timestamps as "YYYY-MM-DD HH:MM:SS[.fff]" UTC). `status TABLE --history [--limit N]` lists
 * that table's refreshes instead, newest first (floe_eng_status_history; default limit 20,
 * 0 for all): one line each, or the JSON array of its rows.
 */
#include "cli.h"

#include "engine/dynamic_table.h"
#include "kernels/value_text.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_message(void *context, const char *line)
{
    (void)context;
    printf("%s\n", line);
    fflush(stdout);
}

/* Warnings name their table already ("default.t: ..."). */
static void print_warning(void *context, const char *line)
{
    (void)context;
    fprintf(stderr, "floe-engine: %s\n", line);
}

static int open_database(const floe_cli_context *context, const char *command,
                         floe_eng_database **db)
{
    floe_eng_options options = {.warehouse = context->warehouse, .verbose = context->verbose};
    floe_error err;
    floe_error_clear(&err);
    int status = floe_eng_database_open(db, &options, &err);
    if (status < 0) return floe_cli_report(command, status, &err);
    return FLOE_EXIT_OK;
}

int floe_cli_refresh(const floe_cli_context *context, int argc, char **argv)
{
    bool all = false, full = false;
    const char **names = calloc((size_t)argc + 1, sizeof *names);
    if (names == NULL) {
        fprintf(stderr, "floe-engine: refresh: out of memory\n");
        return FLOE_EXIT_USER_ERROR;
    }
    size_t count = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--all") == 0) {
            all = true;
        } else if (strcmp(argv[i], "--full") == 0) {
            full = true;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("usage: floe-engine refresh [TABLE ... | --all] [--full]\n"
                   "refreshes dynamic tables now, upstream tables first; --all takes every\n"
                   "dynamic table but suspended ones; --full recomputes even when no source\n"
                   "changed\n");
            free(names);
            return FLOE_EXIT_OK;
        } else if (argv[i][0] == '-') {
            free(names);
            return floe_cli_usage_error("refresh", "unknown option %s", argv[i]);
        } else {
            names[count++] = argv[i];
        }
    }
    if (all == (count > 0)) {
        free(names);
        return floe_cli_usage_error("refresh", all ? "--all takes no table names"
                                                   : "name the dynamic tables to refresh, or "
                                                     "--all");
    }
    floe_eng_database *db = NULL;
    int exit_status = open_database(context, "refresh", &db);
    if (exit_status == FLOE_EXIT_OK) {
        floe_eng_output output = {.message = print_message, .warning = print_warning};
        floe_error err;
        floe_error_clear(&err);
        int status = floe_eng_refresh(db, names, count, full, &output, &err);
        if (status < 0) exit_status = floe_cli_report("refresh", status, &err);
        floe_eng_database_close(db);
    }
    free(names);
    return exit_status;
}

/* ---- status ------------------------------------------------------------------------------ */

typedef struct status_printer {
    bool json;
    bool history;                 /* rows are floe_eng_status_history's */
    size_t rows;
    const floe_sql_schema *schema;
    floe_text text;
    int failed;                   /* out of memory while formatting */
} status_printer;

static int status_begin(void *context, const floe_sql_schema *schema, floe_error *err)
{
    (void)err;
    status_printer *printer = context;
    printer->schema = schema;
    if (printer->json) printf("[");
    return FLOE_OK;
}

/* Column `name` of `row` as text into printer->text; NULL when the value is NULL. */
static const char *value(status_printer *printer, const floe_batch *batch, uint32_t row,
                         const char *name)
{
    for (uint32_t c = 0; c < printer->schema->column_count; c++) {
        if (strcmp(printer->schema->columns[c].name, name) != 0) continue;
        if (floe_vector_is_null(&batch->columns[c], row)) return NULL;
        floe_text_reset(&printer->text);
        if (floe_k_value_text_append(&printer->text, &batch->columns[c], row) < 0) {
            printer->failed = 1;
            return "?";
        }
        return printer->text.data != NULL ? printer->text.data : "";
    }
    return NULL;
}

/* Column `name` of `row` as text copied into `buffer` (`fallback` when NULL): the printer's text
 * buffer is reused by the next value. */
static void copy_value(status_printer *printer, const floe_batch *batch, uint32_t row,
                       const char *name, const char *fallback, char *buffer, size_t size)
{
    const char *v = value(printer, batch, row, name);
    snprintf(buffer, size, "%s", v != NULL ? v : fallback);
}

#define COPY_VALUE(buffer, column, fallback)                                                   \
    copy_value(printer, batch, row, column, fallback, buffer, sizeof buffer)

static void print_block(status_printer *printer, const floe_batch *batch, uint32_t row)
{
    /* Each value is copied out before the next call reuses the text buffer. */
    char name[300], lag[64], mode[32], suspended[8], lag_seconds[32], refreshes[32];
    const char *v;
    COPY_VALUE(name, "name", "?");
    COPY_VALUE(lag, "target_lag", "-");
    COPY_VALUE(mode, "refresh_mode", "-");
    COPY_VALUE(suspended, "suspended", "false");
    COPY_VALUE(lag_seconds, "lag_seconds", "0");
    COPY_VALUE(refreshes, "refreshes", "0");
    printf("%s\n  target lag %s, refresh mode %s%s, lag %s s, %s refresh%s\n", name, lag, mode,
           strcmp(suspended, "true") == 0 ? ", SUSPENDED" : "", lag_seconds, refreshes,
           strcmp(refreshes, "1") == 0 ? "" : "es");
    char time[64], last_mode[32], reason[256], read[32], written[32], duration[32];
    v = value(printer, batch, row, "last_refresh_time");
    if (v == NULL) {
        printf("  last refresh: none\n");
    } else {
        snprintf(time, sizeof time, "%s", v);
        COPY_VALUE(last_mode, "last_mode", "?");
        COPY_VALUE(reason, "last_reason", "?");
        COPY_VALUE(read, "rows_read", "0");
        COPY_VALUE(written, "rows_written", "0");
        COPY_VALUE(duration, "duration_ms", "0");
        printf("  last refresh: %s UTC, %s (%s): %s rows read, %s rows written, %s ms\n", time,
               last_mode, reason, read, written, duration);
    }
    char state[32], failures[32], error_time[64];
    COPY_VALUE(state, "state_bytes", "0");
    if (strcmp(state, "0") != 0) printf("  state: %s bytes\n", state);
    COPY_VALUE(failures, "failures", "0");
    COPY_VALUE(error_time, "last_error_time", "?");
    v = value(printer, batch, row, "last_error");
    if (v != NULL)
        printf("  last error (%s UTC, %s failed attempt%s in a row): %s\n", error_time, failures,
               strcmp(failures, "1") == 0 ? "" : "s", v);
}

/* One refresh of `status TABLE --history`. */
static void print_history_line(status_printer *printer, const floe_batch *batch, uint32_t row)
{
    char number[32], time[64], mode[32], reason[256], read[32], files[32], written[32],
        duration[32];
    COPY_VALUE(number, "refresh", "?");
    COPY_VALUE(time, "time", "?");
    COPY_VALUE(mode, "mode", "?");
    COPY_VALUE(reason, "reason", "?");
    COPY_VALUE(read, "rows_read", "?");
    COPY_VALUE(files, "files_read", "?");
    COPY_VALUE(written, "rows_written", "?");
    COPY_VALUE(duration, "duration_ms", "?");
    printf("refresh %s  %s UTC  %s (%s): %s rows read from %s files, %s rows written, %s ms\n",
           number, time, mode, reason, read, files, written, duration);
}

static void print_json(status_printer *printer, const floe_batch *batch, uint32_t row)
{
    floe_text *text = &printer->text;
    floe_text_reset(text);
    const char *opening = printer->rows > 0 ? ",\n  {" : "\n  {";
    int status = floe_text_append(text, opening, strlen(opening));
    for (uint32_t c = 0; status == FLOE_OK && c < printer->schema->column_count; c++) {
        const char *name = printer->schema->columns[c].name;
        if (c > 0) status = floe_text_append(text, ", ", 2);
        if (status == FLOE_OK) status = floe_k_json_string_append(text, name, strlen(name));
        if (status == FLOE_OK) status = floe_text_append(text, ": ", 2);
        if (status == FLOE_OK) status = floe_k_json_value_append(text, &batch->columns[c], row);
    }
    if (status == FLOE_OK) status = floe_text_append_char(text, '}');
    if (status < 0) {
        printer->failed = 1;
        return;
    }
    fwrite(text->data, 1, text->size, stdout);
}

static int status_rows(void *context, const floe_batch *batch, floe_error *err)
{
    status_printer *printer = context;
    for (uint32_t i = 0; i < floe_batch_live_count(batch); i++) {
        uint32_t row = floe_batch_live_row(batch, i);
        if (printer->json) print_json(printer, batch, row);
        else if (printer->history) print_history_line(printer, batch, row);
        else print_block(printer, batch, row);
        printer->rows++;
    }
    FLOE_RETURN_IF(printer->failed, FLOE_ENOMEM, err, "out of memory printing the status");
    return FLOE_OK;
}

static int status_end(void *context, floe_error *err)
{
    (void)err;
    status_printer *printer = context;
    if (printer->json) printf(printer->rows > 0 ? "\n]\n" : "]\n");
    else if (printer->rows == 0) printf(printer->history ? "no refreshes\n" : "no dynamic tables\n");
    return FLOE_OK;
}

int floe_cli_status(const floe_cli_context *context, int argc, char **argv)
{
    const char *name = NULL;
    bool json = context->json, history = false, limited = false;
    size_t limit = 20;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--history") == 0) {
            history = true;
        } else if (strcmp(argv[i], "--limit") == 0 || strncmp(argv[i], "--limit=", 8) == 0) {
            const char *text = argv[i][7] == '=' ? argv[i] + 8 : NULL;
            if (text == NULL && i + 1 >= argc)
                return floe_cli_usage_error("status", "--limit needs a number");
            if (text == NULL) text = argv[++i];
            char *end = NULL;
            long long parsed = strtoll(text, &end, 10);
            if (end == text || *end != '\0' || parsed < 0)
                return floe_cli_usage_error("status", "--limit wants a count, 0 for all "
                                                      "(got \"%s\")", text);
            limit = (size_t)parsed;
            limited = true;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("usage: floe-engine status [TABLE] [--json]\n"
                   "       floe-engine status TABLE --history [--limit N] [--json]\n"
                   "dynamic tables: target and current lag, last refresh (mode, reason, rows,\n"
                   "duration), refresh count, state size, suspended, failures and last error;\n"
                   "--history: the table's refreshes, newest first (default the last 20, 0 all)\n");
            return FLOE_EXIT_OK;
        } else if (argv[i][0] == '-') {
            return floe_cli_usage_error("status", "unknown option %s", argv[i]);
        } else if (name != NULL) {
            return floe_cli_usage_error("status", "one table at most (or none for all)");
        } else {
            name = argv[i];
        }
    }
    if (history && name == NULL)
        return floe_cli_usage_error("status", "--history needs a table");
    if (limited && !history) return floe_cli_usage_error("status", "--limit goes with --history");
    floe_eng_database *db = NULL;
    int exit_status = open_database(context, "status", &db);
    if (exit_status != FLOE_EXIT_OK) return exit_status;
    status_printer printer = {.json = json, .history = history};
    floe_text_init(&printer.text);
    floe_eng_output output = {.context = &printer, .begin_rows = status_begin,
                              .rows = status_rows, .end_rows = status_end,
                              .warning = print_warning};
    floe_error err;
    floe_error_clear(&err);
    int status = history ? floe_eng_status_history(db, name, limit, &output, &err)
                         : floe_eng_status(db, name, &output, &err);
    if (status < 0) exit_status = floe_cli_report("status", status, &err);
    floe_text_fini(&printer.text);
    floe_eng_database_close(db);
    return exit_status;
}
