/*
 * run.c — `floe-engine run [--interval SECONDS] [--once] [--no-watch] [--json]`: the scheduler
 * (engine/scheduler.h decides and refreshes; this file parses arguments, turns SIGINT/SIGTERM
 * into a stop, and prints one line per event).
 *
 * Output, one line per event on stdout, flushed at once (a log collector reads a pipe):
 *   time=2026-11-23T16:00:00.123Z table=default.x refresh=7 mode=incremental reason="..."
 *   rows_read=N files_read=N rows_written=N duration_ms=N lag_ms=N status=ok
 * (status=error adds error="..." retry_in_ms=N; status=skipped says why in reason), and
 *   time=... event=start|stop|watch|warning message="..."
 * for the scheduler's notices. logfmt: a value is quoted when it is empty or holds a space,
 * '=' or '"' (backslash escapes inside quotes). With --json (global or after the command) each
 * line is one JSON object with the same keys; numbers are numbers.
 *
 * Stopping: SIGINT and SIGTERM write a byte to a self-pipe whose read end the scheduler
 * polls, so its wait wakes at once; a refresh in flight runs to its end (its commit is
 * atomic) and the command exits 0. The handlers use SA_RESTART so that a signal arriving
 * during a refresh does not fail the refresh's own I/O with EINTR. A second signal changes
 * nothing; SIGKILL is always safe too (the lake is crash-safe at every step). The handlers are
 * in place before the start line is printed: a supervisor that waits for it can stop the
 * scheduler cleanly from then on.
 *
 * Exit status: 0 (stopped, or --once with every refresh succeeding), 1 (--once with a failed
 * refresh; the warehouse cannot be opened), 2 (bad usage).
 */
#define _GNU_SOURCE /* pipe2 */

#include "cli.h"

#include "engine/database.h"
#include "engine/scheduler.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- stopping ---------------------------------------------------------------------------- */

static int stop_pipe[2] = {-1, -1};

static void request_stop(int signal_number)
{
    (void)signal_number;
    int saved = errno;
    char byte = 1;
    ssize_t ignored = write(stop_pipe[1], &byte, 1); /* full pipe: a stop is already queued */
    (void)ignored;
    errno = saved;
}

static int install_stop_handlers(void)
{
    if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return -errno;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = request_stop;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGINT, &action, NULL) != 0 || sigaction(SIGTERM, &action, NULL) != 0)
        return -errno;
    return 0;
}

static void remove_stop_handlers(void)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    for (int i = 0; i < 2; i++) {
        if (stop_pipe[i] >= 0) close(stop_pipe[i]);
        stop_pipe[i] = -1;
    }
}

/* ---- lines ------------------------------------------------------------------------------- */

typedef struct line_printer {
    bool json;
    char buffer[8192];
    size_t used;
} line_printer;

static void put(line_printer *line, const char *text, size_t length)
{
    if (line->used + length >= sizeof line->buffer) length = sizeof line->buffer - 1 - line->used;
    memcpy(line->buffer + line->used, text, length);
    line->used += length;
}

static void put_char(line_printer *line, char c)
{
    put(line, &c, 1);
}

static void put_key(line_printer *line, const char *key)
{
    if (line->json) {
        put(line, line->used == 0 ? "{\"" : ", \"", line->used == 0 ? 2 : 3);
        put(line, key, strlen(key));
        put(line, "\": ", 3);
    } else {
        if (line->used > 0) put_char(line, ' ');
        put(line, key, strlen(key));
        put_char(line, '=');
    }
}

static void put_string(line_printer *line, const char *key, const char *value)
{
    put_key(line, key);
    bool quote = line->json || value[0] == '\0' || strpbrk(value, " =\"\\\t") != NULL;
    if (quote) put_char(line, '"');
    for (const unsigned char *c = (const unsigned char *)value; *c != '\0'; c++) {
        if (*c == '"' || *c == '\\') {
            put_char(line, '\\');
            put_char(line, (char)*c);
        } else if (*c < 0x20) {
            char escaped[8];
            snprintf(escaped, sizeof escaped, line->json ? "\\u%04x" : "\\x%02x", *c);
            put(line, escaped, strlen(escaped));
        } else {
            put_char(line, (char)*c);
        }
    }
    if (quote) put_char(line, '"');
}

static void put_number(line_printer *line, const char *key, int64_t value)
{
    put_key(line, key);
    char text[32];
    snprintf(text, sizeof text, "%" PRId64, value);
    put(line, text, strlen(text));
}

static void put_time(line_printer *line, int64_t ms)
{
    time_t seconds = (time_t)(ms / 1000);
    struct tm utc;
    gmtime_r(&seconds, &utc);
    char text[64];
    snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
             utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, (int)(ms % 1000));
    put_string(line, "time", text);
}

static void finish(line_printer *line)
{
    if (line->json) put_char(line, '}');
    put_char(line, '\n');
    fwrite(line->buffer, 1, line->used, stdout);
    fflush(stdout);
    line->used = 0;
}

static int64_t now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void print_refresh(void *context, const floe_eng_scheduler_event *event)
{
    line_printer *line = context;
    put_time(line, event->time_ms);
    put_string(line, "table", event->table);
    put_number(line, "refresh", event->refresh_number);
    put_string(line, "mode", event->mode);
    put_string(line, "reason", event->reason != NULL ? event->reason : "");
    put_number(line, "rows_read", event->rows_read);
    put_number(line, "files_read", event->files_read);
    put_number(line, "rows_written", event->rows_written);
    put_number(line, "duration_ms", event->duration_ms);
    put_number(line, "lag_ms", event->lag_ms);
    put_string(line, "status", event->status);
    if (event->error != NULL) {
        put_string(line, "error", event->error);
        put_number(line, "retry_in_ms", event->retry_in_ms);
    }
    finish(line);
}

static void print_notice(void *context, const char *event, const char *message)
{
    line_printer *line = context;
    put_time(line, now_ms());
    put_string(line, "event", event);
    put_string(line, "message", message);
    finish(line);
}

/* ---- the command ------------------------------------------------------------------------- */

/* SECONDS as milliseconds: a positive number, fractions allowed, at most a day. */
static int parse_interval(const char *text, int64_t *interval_ms)
{
    char *end = NULL;
    errno = 0;
    double seconds = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !isfinite(seconds) || seconds <= 0 ||
        seconds > 86400)
        return floe_cli_usage_error("run", "--interval wants seconds, more than 0 and at most "
                                           "86400 (got \"%s\")", text);
    *interval_ms = (int64_t)(seconds * 1000 + 0.5);
    if (*interval_ms < 1) *interval_ms = 1;
    return FLOE_EXIT_OK;
}

int floe_cli_run(const floe_cli_context *context, int argc, char **argv)
{
    floe_eng_scheduler_options options = {.interval_ms = FLOE_ENG_SCHEDULER_DEFAULT_INTERVAL_MS,
                                          .stop_fd = -1};
    bool json = context->json;
    for (int i = 1; i < argc; i++) {
        const char *value = NULL;
        if (strcmp(argv[i], "--once") == 0) {
            options.once = true;
        } else if (strcmp(argv[i], "--no-watch") == 0) {
            options.polling_only = true;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--interval") == 0) {
            if (i + 1 >= argc) return floe_cli_usage_error("run", "--interval needs seconds");
            value = argv[++i];
        } else if (strncmp(argv[i], "--interval=", 11) == 0) {
            value = argv[i] + 11;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("usage: floe-engine run [--interval SECONDS] [--once] [--no-watch] [--json]\n"
                   "keeps every dynamic table within its target lag: a pass every interval\n"
                   "(default 5 s, fractions allowed) or at once when a source commits; one\n"
                   "line per refresh; SIGINT/SIGTERM stop after the refresh in flight.\n"
                   "--once: refresh every table with pending changes once, then exit (1 if\n"
                   "any failed)\n"
                   "--no-watch: do not watch the sources' folders (inotify): poll only\n");
            return FLOE_EXIT_OK;
        } else {
            return floe_cli_usage_error("run", "%s %s", argv[i][0] == '-' ? "unknown option"
                                                                          : "unexpected argument",
                                        argv[i]);
        }
        if (value != NULL) {
            int exit_status = parse_interval(value, &options.interval_ms);
            if (exit_status != FLOE_EXIT_OK) return exit_status;
        }
    }
    floe_eng_options database_options = {.warehouse = context->warehouse,
                                         .verbose = context->verbose};
    floe_eng_database *db = NULL;
    floe_error err;
    floe_error_clear(&err);
    int status = floe_eng_database_open(&db, &database_options, &err);
    if (status < 0) return floe_cli_report("run", status, &err);
    if (!options.once) {
        int code = install_stop_handlers();
        if (code < 0) {
            remove_stop_handlers();
            floe_eng_database_close(db);
            fprintf(stderr, "floe-engine: run: cannot catch SIGINT/SIGTERM: %s\n",
                    strerror(-code));
            return FLOE_EXIT_USER_ERROR;
        }
        options.stop_fd = stop_pipe[0];
    }
    line_printer printer = {.json = json};
    options.context = &printer;
    options.on_refresh = print_refresh;
    options.on_notice = print_notice;
    floe_eng_scheduler_result result;
    status = floe_eng_scheduler_run(db, &options, &result, &err);
    remove_stop_handlers();
    floe_eng_database_close(db);
    if (status < 0) return floe_cli_report("run", status, &err);
    return options.once && result.failures > 0 ? FLOE_EXIT_USER_ERROR : FLOE_EXIT_OK;
}
