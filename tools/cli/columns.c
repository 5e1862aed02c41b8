/*
 * columns.c — the --columns a,b option shared by the dump commands (contract in cli.h).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int floe_cli_split_column_list(const char *command, const char *list, char **storage,
                               const char ***names, uint32_t *count)
{
    size_t length = strlen(list);
    *count = 0;
    *storage = malloc(length + 1);
    *names = malloc((length + 1) * sizeof **names);
    if (*storage == NULL || *names == NULL) {
        free(*storage);
        free(*names);
        *storage = NULL;
        *names = NULL;
        fprintf(stderr, "floe-engine: %s: out of memory\n", command);
        return FLOE_EXIT_USER_ERROR;
    }
    memcpy(*storage, list, length + 1);
    for (char *start = *storage;;) {
        char *comma = strchr(start, ',');
        if (comma != NULL) *comma = '\0';
        if (*start == '\0') {
            free(*storage);
            free(*names);
            *storage = NULL;
            *names = NULL;
            return floe_cli_usage_error(command, "--columns has an empty name");
        }
        (*names)[(*count)++] = start;
        if (comma == NULL) break;
        start = comma + 1;
    }
    return FLOE_EXIT_OK;
}
