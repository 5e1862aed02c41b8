/* sql.c — placeholder until the commands land. */
#include "cli.h"

#include "floe.h"

#include <stdio.h>

int floe_cli_sql(const floe_cli_context *context, int argc, char **argv)
{
    (void)context;
    (void)argc;
    (void)argv;
    fprintf(stderr, "floe-engine: sql: not yet available in floe-engine %s\n", floe_version());
    return FLOE_EXIT_USER_ERROR;
}

int floe_cli_query(const floe_cli_context *context, int argc, char **argv)
{
    (void)context;
    (void)argc;
    (void)argv;
    fprintf(stderr, "floe-engine: query: not yet available in floe-engine %s\n", floe_version());
    return FLOE_EXIT_USER_ERROR;
}
