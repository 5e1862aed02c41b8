/*
 * cli.h — what the floe-engine subcommands share.
 *
 * main.c parses the global options (DESIGN.md, "The CLI contract") into a floe_cli_context and
 * hands the remaining arguments to one subcommand. A subcommand returns the process exit status:
 * FLOE_EXIT_OK, FLOE_EXIT_USER_ERROR (bad SQL, missing table, bad input file: one line on stderr)
 * or FLOE_EXIT_USAGE (the command line itself is wrong). Only tools/ prints; the library returns
 * statuses and floe_error messages, which floe_cli_report turns into the one stderr line.
 */
#ifndef FLOE_TOOLS_CLI_H
#define FLOE_TOOLS_CLI_H

#include "kernels/status.h"

#include <stdbool.h>
#include <stdint.h>

enum { FLOE_EXIT_OK = 0, FLOE_EXIT_USER_ERROR = 1, FLOE_EXIT_USAGE = 2 };

typedef struct floe_cli_context {
    const char *warehouse; /* --warehouse, else $FLOE_WAREHOUSE, else "./lake" */
    bool verbose;          /* -v / --verbose */
    bool json;             /* --json: reports as JSON */
} floe_cli_context;

typedef int (*floe_cli_command_fn)(const floe_cli_context *context, int argc, char **argv);

/* Prints "floe-engine: <command>: <message>" for a failed status and returns the exit status
 * it maps to (FLOE_EXIT_USER_ERROR; FLOE_EXIT_USAGE for FLOE_EINVAL from argument checks). */
int floe_cli_report(const char *command, int status, const floe_error *err);

/* Prints "floe-engine: <command>: <message>" and a hint to --help; returns FLOE_EXIT_USAGE. */
int floe_cli_usage_error(const char *command, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Splits a --columns value "a,b" into names. *storage and *names are allocated (the caller frees
 * both with free); returns FLOE_EXIT_OK, or, after printing why, the exit status to return
 * (an empty name is a usage error). */
int floe_cli_split_column_list(const char *command, const char *list, char **storage,
                               const char ***names, uint32_t *count);

/* Subcommands implemented so far (one file each in tools/cli/). */
int floe_cli_info(const floe_cli_context *context, int argc, char **argv);
int floe_cli_parquet(const floe_cli_context *context, int argc, char **argv);
int floe_cli_table(const floe_cli_context *context, int argc, char **argv);
int floe_cli_ingest(const floe_cli_context *context, int argc, char **argv);
int floe_cli_sql(const floe_cli_context *context, int argc, char **argv);
int floe_cli_query(const floe_cli_context *context, int argc, char **argv);
int floe_cli_refresh(const floe_cli_context *context, int argc, char **argv);
int floe_cli_status(const floe_cli_context *context, int argc, char **argv);
int floe_cli_vacuum(const floe_cli_context *context, int argc, char **argv);
int floe_cli_run(const floe_cli_context *context, int argc, char **argv);
int floe_cli_lineage(const floe_cli_context *context, int argc, char **argv);

#endif
