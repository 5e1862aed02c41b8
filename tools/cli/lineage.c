/*
 * lineage.c — `floe-engine lineage TABLE [--where EXPR] [--json] [--limit N]`: the rows of a
 * dynamic table traced to the refresh that wrote them, the source snapshots it consumed and
 * the source data files that contributed (engine/lineage.h does the work; this file parses
 * arguments and prints).
 *
 * Text: one block per row, an empty line between blocks:
 *   row 1: region = EU, total = 12.50, _floe_refresh = 2
 *     refresh 2: snapshot 512..., committed 2026-11-23 15:50:01.123, incremental (source
 *       changes since the last refresh), 3 rows read from 1 file, 4 ms
 *     source default.orders: refresh 2 consumed snapshot 77...
 *       files at snapshot 78... holding rows of this row's key (1):
 *         /lake/default/orders/data/....parquet
 * JSON (--json, global or after the command): one object per row and line:
 *   {"row": {...}, "refresh": {"number", "snapshot_id", "committed_at", "mode", "reason",
 *    "rows_read", "files_read", "duration_ms"} (null when no snapshot records it),
 *    "sources": [{"identity", "consumed_snapshot_id", "files_snapshot_id", "narrowed",
 *    "not_narrowed_reason", "files": [...]}]}
 * Snapshot ids -1 ("none": the source had no snapshot) print as such; a source the refresh
 * did not record prints "not recorded" / null. No rows print nothing (exit 0).
 * Exit: 0; 1 for an unknown table, a table that is not dynamic, a bad --where (one line);
 * 2 for bad usage.
 */
#include "cli.h"

#include "engine/lineage.h"
#include "kernels/value_text.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int floe_cli_lineage(const floe_cli_context *context, int argc, char **argv);

enum { DEFAULT_LIMIT = 20 };

static void print_usage(FILE *out)
{
    fprintf(out, "usage: floe-engine lineage TABLE [--where EXPR] [--json] [--limit N]\n"
                 "trace the rows of dynamic table TABLE that satisfy EXPR (SQL over its\n"
                 "columns; default all, at most N rows, default %d) to the refresh that wrote\n"
                 "them, the source snapshots it consumed and the source files they come from\n",
            DEFAULT_LIMIT);
}

static void format_time(int64_t ms, char *buffer)
{
    size_t length = floe_k_format_timestamp(ms * 1000, buffer);
    buffer[length] = '\0';
}

static void format_snapshot(int64_t id, char *buffer, size_t size)
{
    if (id == -1) snprintf(buffer, size, "none");
    else if (id < 0) snprintf(buffer, size, "not recorded");
    else snprintf(buffer, size, "%" PRId64, id);
}

static void print_text_row(const floe_eng_lineage *lineage, size_t index)
{
    const floe_eng_lineage_row *row = &lineage->rows[index];
    printf("row %zu:", index + 1);
    for (uint32_t c = 0; c < lineage->column_count; c++)
        printf("%s %s = %s", c > 0 ? "," : "", lineage->column_names[c],
               row->values[c].text != NULL ? row->values[c].text : "NULL");
    printf("\n");
    const floe_eng_lineage_refresh *refresh = &row->refresh;
    if (!refresh->found) {
        printf("  refresh %" PRId64 ": no snapshot of the table's history records it\n",
               row->refresh_number);
    } else {
        char time[FLOE_K_NUMBER_TEXT_SIZE];
        format_time(refresh->committed_ms, time);
        printf("  refresh %" PRId64 ": snapshot %" PRId64 ", committed %s UTC, %s", refresh->number,
               refresh->snapshot_id, time, refresh->mode != NULL ? refresh->mode : "mode unknown");
        if (refresh->reason != NULL) printf(" (%s)", refresh->reason);
        if (refresh->rows_read >= 0 && refresh->files_read >= 0)
            printf(", %" PRId64 " rows read from %" PRId64 " file%s", refresh->rows_read,
                   refresh->files_read, refresh->files_read == 1 ? "" : "s");
        if (refresh->duration_ms >= 0) printf(", %" PRId64 " ms", refresh->duration_ms);
        printf("\n");
    }
    for (uint32_t s = 0; s < lineage->source_count; s++) {
        const floe_eng_lineage_source *source = &row->sources[s];
        const floe_eng_lineage_state_source *state = &lineage->state_sources[s];
        char consumed[32], at[32];
        format_snapshot(source->consumed_snapshot_id, consumed, sizeof consumed);
        format_snapshot(state->snapshot_id, at, sizeof at);
        printf("  source %s: refresh %" PRId64 " consumed snapshot %s\n", source->identity,
               row->refresh_number, consumed);
        const char *where = state->files_at_current ? " (its current one: the table's refreshes "
                                                      "did not record this source)"
                                                    : "";
        if (source->narrowed)
            printf("    files at snapshot %s%s holding rows of this row (%zu):\n", at, where,
                   source->file_count);
        else
            printf("    not narrowed (%s): every data file at snapshot %s%s (%zu):\n",
                   source->not_narrowed_reason, at, where, source->file_count);
        for (size_t f = 0; f < source->file_count; f++) printf("      %s\n", source->files[f]);
    }
}

/* JSON text of a string (escaped) or null. */
static int json_string(floe_text *text, const char *value)
{
    if (value == NULL) return floe_text_append(text, "null", 4);
    return floe_k_json_string_append(text, value, strlen(value));
}

static int json_format(floe_text *text, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static int json_format(floe_text *text, const char *format, ...)
{
    char buffer[128];
    va_list args;
    va_start(args, format);
    int length = vsnprintf(buffer, sizeof buffer, format, args);
    va_end(args);
    if (length < 0) return FLOE_EINVAL;
    return floe_text_append(text, buffer, (size_t)length < sizeof buffer ? (size_t)length
                                                                         : sizeof buffer - 1);
}

static int json_snapshot(floe_text *text, int64_t id)
{
    if (id < -1) return floe_text_append(text, "null", 4);
    return json_format(text, "%" PRId64, id);
}

static int json_count(floe_text *text, int64_t value)
{
    return value < 0 ? floe_text_append(text, "null", 4) : json_format(text, "%" PRId64, value);
}

static int json_row(floe_text *text, const floe_eng_lineage *lineage, size_t index)
{
    const floe_eng_lineage_row *row = &lineage->rows[index];
    int status = json_format(text, "{\"table\": ");
    if (status == FLOE_OK) status = json_string(text, lineage->table);
    if (status == FLOE_OK) status = json_format(text, ", \"row\": {");
    for (uint32_t c = 0; status == FLOE_OK && c < lineage->column_count; c++) {
        if (c > 0) status = json_format(text, ", ");
        if (status == FLOE_OK) status = json_string(text, lineage->column_names[c]);
        if (status == FLOE_OK) status = json_format(text, ": ");
        if (status == FLOE_OK)
            status = floe_text_append(text, row->values[c].json, strlen(row->values[c].json));
    }
    if (status == FLOE_OK) status = json_format(text, "}, \"refresh\": ");
    const floe_eng_lineage_refresh *refresh = &row->refresh;
    if (status == FLOE_OK && !refresh->found) status = json_format(text, "null");
    if (status == FLOE_OK && refresh->found) {
        char time[FLOE_K_NUMBER_TEXT_SIZE];
        format_time(refresh->committed_ms, time);
        status = json_format(text, "{\"number\": %" PRId64 ", \"snapshot_id\": %" PRId64
                             ", \"committed_at\": \"%s\", \"mode\": ",
                             refresh->number, refresh->snapshot_id, time);
        if (status == FLOE_OK) status = json_string(text, refresh->mode);
        if (status == FLOE_OK) status = json_format(text, ", \"reason\": ");
        if (status == FLOE_OK) status = json_string(text, refresh->reason);
        if (status == FLOE_OK) status = json_format(text, ", \"rows_read\": ");
        if (status == FLOE_OK) status = json_count(text, refresh->rows_read);
        if (status == FLOE_OK) status = json_format(text, ", \"files_read\": ");
        if (status == FLOE_OK) status = json_count(text, refresh->files_read);
        if (status == FLOE_OK) status = json_format(text, ", \"duration_ms\": ");
        if (status == FLOE_OK) status = json_count(text, refresh->duration_ms);
        if (status == FLOE_OK) status = json_format(text, "}");
    }
    if (status == FLOE_OK) status = json_format(text, ", \"sources\": [");
    for (uint32_t s = 0; status == FLOE_OK && s < lineage->source_count; s++) {
        const floe_eng_lineage_source *source = &row->sources[s];
        if (s > 0) status = json_format(text, ", ");
        if (status == FLOE_OK) status = json_format(text, "{\"identity\": ");
        if (status == FLOE_OK) status = json_string(text, source->identity);
        if (status == FLOE_OK) status = json_format(text, ", \"consumed_snapshot_id\": ");
        if (status == FLOE_OK) status = json_snapshot(text, source->consumed_snapshot_id);
        if (status == FLOE_OK) status = json_format(text, ", \"files_snapshot_id\": ");
        if (status == FLOE_OK) status = json_snapshot(text, lineage->state_sources[s].snapshot_id);
        if (status == FLOE_OK)
            status = json_format(text, ", \"narrowed\": %s, \"not_narrowed_reason\": ",
                                 source->narrowed ? "true" : "false");
        if (status == FLOE_OK)
            status = json_string(text, source->narrowed ? NULL : source->not_narrowed_reason);
        if (status == FLOE_OK) status = json_format(text, ", \"files\": [");
        for (size_t f = 0; status == FLOE_OK && f < source->file_count; f++) {
            if (f > 0) status = json_format(text, ", ");
            if (status == FLOE_OK) status = json_string(text, source->files[f]);
        }
        if (status == FLOE_OK) status = json_format(text, "]}");
    }
    if (status == FLOE_OK) status = json_format(text, "]}\n");
    return status;
}

/* A --limit value: a whole number >= 0. */
static int parse_limit(const char *text, int64_t *limit)
{
    char *end = NULL;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < 0)
        return floe_cli_usage_error("lineage", "--limit needs a whole number >= 0, not '%s'",
                                    text);
    *limit = (int64_t)value;
    return FLOE_EXIT_OK;
}

int floe_cli_lineage(const floe_cli_context *context, int argc, char **argv)
{
    const char *name = NULL, *where = NULL;
    bool json = context->json;
    int64_t limit = DEFAULT_LIMIT;
    for (int i = 1; i < argc; i++) {
        const char *argument = argv[i];
        if (strcmp(argument, "--json") == 0) {
            json = true;
        } else if (strcmp(argument, "-h") == 0 || strcmp(argument, "--help") == 0) {
            print_usage(stdout);
            return FLOE_EXIT_OK;
        } else if (strcmp(argument, "--where") == 0 || strcmp(argument, "--limit") == 0) {
            if (i + 1 >= argc)
                return floe_cli_usage_error("lineage", "%s needs a value", argument);
            const char *value = argv[++i];
            if (argument[2] == 'w') {
                where = value;
            } else {
                int exit_status = parse_limit(value, &limit);
                if (exit_status != FLOE_EXIT_OK) return exit_status;
            }
        } else if (strncmp(argument, "--where=", 8) == 0) {
            where = argument + 8;
        } else if (strncmp(argument, "--limit=", 8) == 0) {
            int exit_status = parse_limit(argument + 8, &limit);
            if (exit_status != FLOE_EXIT_OK) return exit_status;
        } else if (argument[0] == '-') {
            return floe_cli_usage_error("lineage", "unknown option %s", argument);
        } else if (name != NULL) {
            return floe_cli_usage_error("lineage", "one table only");
        } else {
            name = argument;
        }
    }
    if (name == NULL) return floe_cli_usage_error("lineage", "which table? (lineage TABLE)");
    if (where != NULL && where[strspn(where, " \t\r\n")] == '\0')
        return floe_cli_usage_error("lineage", "--where needs an expression");

    floe_eng_options options = {.warehouse = context->warehouse, .verbose = context->verbose};
    floe_error err;
    floe_error_clear(&err);
    floe_eng_database *db = NULL;
    int status = floe_eng_database_open(&db, &options, &err);
    if (status < 0) return floe_cli_report("lineage", status, &err);
    floe_eng_lineage *lineage = NULL;
    status = floe_eng_lineage_trace(db, name, where, limit, &lineage, &err);
    int exit_status = FLOE_EXIT_OK;
    if (status < 0) {
        exit_status = floe_cli_report("lineage", status, &err);
    } else if (json) {
        floe_text text;
        floe_text_init(&text);
        for (size_t r = 0; status == FLOE_OK && r < lineage->row_count; r++) {
            floe_text_reset(&text);
            status = json_row(&text, lineage, r);
            if (status == FLOE_OK) fwrite(text.data, 1, text.size, stdout);
        }
        floe_text_fini(&text);
        if (status < 0) {
            fprintf(stderr, "floe-engine: lineage: out of memory\n");
            exit_status = FLOE_EXIT_USER_ERROR;
        }
    } else {
        for (size_t r = 0; r < lineage->row_count; r++) {
            if (r > 0) printf("\n");
            print_text_row(lineage, r);
        }
    }
    floe_eng_lineage_free(lineage);
    floe_eng_database_close(db);
    return exit_status;
}
