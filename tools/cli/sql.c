/*
 * sql.c — `floe-engine sql "STMT; ..."` / `sql -f FILE.sql` (statements in order; a SELECT
 * prints its rows) and `floe-engine query "SELECT ..."` (one query, rows only).
 *
 * Both take --format table|csv|json (engine/result_text.h; default table), --threads N and
 * --memory-limit SIZE, which override $FLOE_THREADS and $FLOE_MEMORY_LIMIT (engine/database.h).
 * Options may come before or after the statement text, as `--opt VALUE` or `--opt=VALUE`.
 *
 * Where text goes: rows to stdout. Statement messages ("CREATE TABLE", "INSERT 5", notices) go
 * to stdout with the table format, like psql's command tags, but to stderr with csv and json,
 * so that stdout stays machine-readable. Warnings go to stderr. An error is one line on stderr
 * ("floe-engine: sql: line 1, column 15: ...") and exit status 1; the statements before it
 * stay done. Bad usage (unknown option, missing statement) is exit status 2.
 */
#define _POSIX_C_SOURCE 200809L

#include "cli.h"

#include "engine/database.h"
#include "engine/result_text.h"
#include "sql/parser.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sql_arguments {
    const char *text;         /* the statements, or NULL with -f */
    const char *file;         /* -f FILE ("-": stdin) */
    floe_eng_result_format format;
    uint32_t threads;         /* 0: the default */
    size_t memory_limit;      /* 0: the default */
} sql_arguments;

typedef struct cli_output {
    floe_eng_result_text *text;
    floe_eng_result_format format;
    const char *command;
} cli_output;

static int write_stdout(void *context, const char *bytes, size_t size, floe_error *err)
{
    (void)context;
    if (fwrite(bytes, 1, size, stdout) != size)
        return floe_error_set(err, -EIO, "writing the result to stdout failed");
    return FLOE_OK;
}

static int begin_rows(void *context, const floe_sql_schema *schema, floe_error *err)
{
    return floe_eng_result_text_begin_rows(((cli_output *)context)->text, schema, err);
}

static int rows(void *context, const floe_batch *batch, floe_error *err)
{
    return floe_eng_result_text_rows_of(((cli_output *)context)->text, batch, err);
}

static int end_rows(void *context, floe_error *err)
{
    return floe_eng_result_text_end_rows(((cli_output *)context)->text, err);
}

static void message(void *context, const char *line)
{
    const cli_output *output = context;
    FILE *stream = output->format == FLOE_ENG_RESULT_TABLE ? stdout : stderr;
    fprintf(stream, "%s\n", line);
}

static void warning(void *context, const char *line)
{
    const cli_output *output = context;
    fflush(stdout);
    fprintf(stderr, "floe-engine: %s: warning: %s\n", output->command, line);
}

/* Parses the options shared by sql and query; returns FLOE_EXIT_OK or the exit status. */
static int parse_arguments(const char *command, int argc, char **argv, bool allow_file,
                           sql_arguments *arguments)
{
    memset(arguments, 0, sizeof *arguments);
    arguments->format = FLOE_ENG_RESULT_TABLE;
    for (int i = 1; i < argc; i++) {
        const char *argument = argv[i];
        const char *value = NULL;
        const char *options[] = {"--format", "--threads", "--memory-limit", "-f"};
        int matched = -1;
        for (int o = 0; o < 4 && matched < 0; o++) {
            size_t length = strlen(options[o]);
            if (o == 3 && !allow_file) continue;
            if (strcmp(argument, options[o]) == 0) {
                if (i + 1 >= argc)
                    return floe_cli_usage_error(command, "%s needs a value", options[o]);
                value = argv[++i];
                matched = o;
            } else if (o < 3 && strncmp(argument, options[o], length) == 0 &&
                       argument[length] == '=') {
                value = argument + length + 1;
                matched = o;
            }
        }
        if (matched == 0) {
            int format = floe_eng_result_format_from_name(value);
            if (format < 0)
                return floe_cli_usage_error(command, "--format must be table, csv or json, not "
                                            "'%s'", value);
            arguments->format = (floe_eng_result_format)format;
        } else if (matched == 1) {
            char *end = NULL;
            errno = 0;
            long threads = strtol(value, &end, 10);
            if (errno != 0 || end == value || *end != '\0' || threads < 1 || threads > 1024)
                return floe_cli_usage_error(command, "--threads needs a number from 1 to 1024, "
                                            "not '%s'", value);
            arguments->threads = (uint32_t)threads;
        } else if (matched == 2) {
            floe_error err;
            if (floe_eng_parse_memory_size(value, &arguments->memory_limit, &err) != FLOE_OK)
                return floe_cli_usage_error(command, "--memory-limit: %s", err.message);
        } else if (matched == 3) {
            if (arguments->file != NULL)
                return floe_cli_usage_error(command, "-f may be given once");
            arguments->file = value;
        } else if (argument[0] == '-' && argument[1] != '\0') {
            return floe_cli_usage_error(command, "unknown option '%s'", argument);
        } else if (arguments->text != NULL) {
            return floe_cli_usage_error(command, "takes the statements as ONE argument (quote "
                                        "them); got '%s' too", argument);
        } else {
            arguments->text = argument;
        }
    }
    if (arguments->text != NULL && arguments->file != NULL)
        return floe_cli_usage_error(command, "give the statements as an argument or with -f, "
                                    "not both");
    if (arguments->text == NULL && arguments->file == NULL)
        return floe_cli_usage_error(command, allow_file ? "needs statements: \"STMT; ...\" or "
                                    "-f FILE.sql" : "needs a query: \"SELECT ...\"");
    return FLOE_EXIT_OK;
}

/* Reads a whole file (or stdin for "-") into a NUL-terminated malloc'ed buffer. */
static int read_script(const char *path, char **text, size_t *length, floe_error *err)
{
    FILE *file = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (file == NULL) return floe_error_set(err, -errno, "%s: %s", path, strerror(errno));
    size_t capacity = 1 << 16, size = 0;
    char *buffer = malloc(capacity);
    int status = buffer == NULL ? floe_error_set(err, FLOE_ENOMEM, "out of memory") : FLOE_OK;
    while (status == FLOE_OK) {
        if (size + 1 >= capacity) {
            char *grown = realloc(buffer, capacity * 2);
            if (grown == NULL) {
                status = floe_error_set(err, FLOE_ENOMEM, "%s: out of memory", path);
                break;
            }
            buffer = grown;
            capacity *= 2;
        }
        size_t got = fread(buffer + size, 1, capacity - size - 1, file);
        size += got;
        if (got == 0) {
            if (ferror(file))
                status = floe_error_set(err, -EIO, "%s: read error", path);
            break;
        }
    }
    if (file != stdin) fclose(file);
    if (status < 0) {
        free(buffer);
        return status;
    }
    buffer[size] = '\0';
    *text = buffer;
    *length = size;
    return FLOE_OK;
}

/* `query` runs exactly one query: SELECT or EXPLAIN SELECT. */
static int check_single_query(const char *text, size_t length, floe_error *err)
{
    floe_sql_script *script = NULL;
    FLOE_TRY(floe_sql_parse_script(text, length, &script, err));
    int status = FLOE_OK;
    if (script->statement_count != 1) {
        status = floe_error_set(err, FLOE_ESYNTAX, "query runs exactly one SELECT (got %zu "
                                "statements; use `floe-engine sql` for scripts)",
                                script->statement_count);
    } else {
        const floe_sql_statement *statement = script->statements[0];
        bool query = statement->kind == FLOE_SQL_STATEMENT_SELECT ||
                     (statement->kind == FLOE_SQL_STATEMENT_EXPLAIN &&
                      statement->u.explained->kind == FLOE_SQL_STATEMENT_SELECT);
        if (!query)
            status = floe_error_set(err, FLOE_ESYNTAX, "line %u, column %u: query runs a SELECT "
                                    "only (use `floe-engine sql` for other statements)",
                                    (unsigned)statement->position.line,
                                    (unsigned)statement->position.column);
    }
    floe_sql_script_free(script);
    return status;
}

static int run(const floe_cli_context *context, const char *command, const sql_arguments *arguments,
               bool single_query)
{
    floe_error err;
    floe_error_clear(&err);
    char *owned = NULL;
    const char *text = arguments->text;
    size_t length = text != NULL ? strlen(text) : 0;
    int status = FLOE_OK;
    if (arguments->file != NULL) {
        status = read_script(arguments->file, &owned, &length, &err);
        text = owned;
    }
    if (status == FLOE_OK && single_query) status = check_single_query(text, length, &err);
    floe_eng_database *db = NULL;
    floe_eng_result_text *result = NULL;
    if (status == FLOE_OK) {
        floe_eng_options options = {context->warehouse, arguments->threads,
                                    arguments->memory_limit, context->verbose};
        status = floe_eng_database_open(&db, &options, &err);
    }
    if (status == FLOE_OK)
        status = floe_eng_result_text_create(&result, arguments->format, write_stdout, NULL, &err);
    if (status == FLOE_OK) {
        cli_output state = {result, arguments->format, command};
        floe_eng_output output = {&state, begin_rows, rows, end_rows, message, warning};
        status = floe_eng_database_execute(db, text, length, &output, &err);
    }
    floe_eng_result_text_free(result);
    floe_eng_database_close(db);
    free(owned);
    if (fflush(stdout) != 0 && status == FLOE_OK)
        status = floe_error_set(&err, -EIO, "writing output failed");
    if (status == FLOE_OK) return FLOE_EXIT_OK;
    if (status == FLOE_ENOMEM && err.message[0] == '\0')
        floe_error_set(&err, status, "out of memory");
    floe_cli_report(command, status, &err);
    return FLOE_EXIT_USER_ERROR; /* library errors are the input's, never the command line's */
}

int floe_cli_sql(const floe_cli_context *context, int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        printf("usage: floe-engine [--warehouse DIR] sql \"STMT; ...\" | -f FILE.sql\n"
               "                   [--format table|csv|json] [--threads N] [--memory-limit SIZE]\n"
               "\n"
               "Runs SQL statements in order, each its own commit; the first error stops the\n"
               "script (statements before it stay done). A SELECT prints its rows. -f - reads\n"
               "the statements from stdin. Statements: SELECT, EXPLAIN SELECT, CREATE TABLE\n"
               "[IF NOT EXISTS], DROP TABLE [IF EXISTS], INSERT INTO ... VALUES | SELECT,\n"
               "DELETE FROM ... [WHERE ...], and the dynamic table statements. A name without\n"
               "namespace means default.name.\n"
               "  --format F          table (default), csv or json (one object per line)\n"
               "  --threads N         threads per query (default $FLOE_THREADS, else 2)\n"
               "  --memory-limit SIZE memory a query may hold, e.g. 4G (default\n"
               "                      $FLOE_MEMORY_LIMIT, else 75%% of RAM)\n");
        return FLOE_EXIT_OK;
    }
    sql_arguments arguments;
    int exit_status = parse_arguments("sql", argc, argv, true, &arguments);
    if (exit_status != FLOE_EXIT_OK) return exit_status;
    return run(context, "sql", &arguments, false);
}

int floe_cli_query(const floe_cli_context *context, int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        printf("usage: floe-engine [--warehouse DIR] query \"SELECT ...\"\n"
               "                   [--format table|csv|json] [--threads N] [--memory-limit SIZE]\n"
               "\n"
               "Runs one ad-hoc query over warehouse tables (ns.name), table directories\n"
               "('/path') and Parquet files (read_parquet('file')), and prints its rows.\n"
               "csv follows RFC 4180 with a header line; json prints one object per row.\n");
        return FLOE_EXIT_OK;
    }
    sql_arguments arguments;
    int exit_status = parse_arguments("query", argc, argv, false, &arguments);
    if (exit_status != FLOE_EXIT_OK) return exit_status;
    return run(context, "query", &arguments, true);
}
