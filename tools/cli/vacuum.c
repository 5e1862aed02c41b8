/*
 * vacuum.c — `floe-engine vacuum [TABLE ...] [--dry-run] [--min-age SECONDS] [--json]`: removes
 * orphan files (engine/vacuum.h) of the named tables, or of every table in the warehouse. One line
 * per table; with --json one JSON object per table. The default age guard is an hour, so files
 * of a refresh in flight are never taken.
 */
#include "cli.h"

#include "engine/vacuum.h"
#include "io/catalog_fs.h"
#include "kernels/value_text.h" /* floe_k_json_string_append */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int vacuum_one(const floe_cli_context *context, const char *table, int64_t min_age,
                      bool dry_run, bool json, bool *failed)
{
    floe_eng_vacuum_result result;
    floe_io_string_list orphans;
    floe_io_string_list_init(&orphans);
    floe_error err;
    floe_error_clear(&err);
    int status = floe_eng_vacuum_table(context->warehouse, table, min_age, dry_run, &result,
                                       context->verbose ? &orphans : NULL, &err);
    if (status != FLOE_OK) {
        *failed = true;
        return floe_cli_report("vacuum", status, &err);
    }
    for (size_t i = 0; i < orphans.count; i++)
        fprintf(stderr, "%s %s\n", dry_run ? "would remove" : "removed", orphans.items[i]);
    floe_io_string_list_fini(&orphans);
    if (json) {
        floe_text name;
        floe_text_init(&name);
        if (floe_k_json_string_append(&name, table, strlen(table)) != FLOE_OK) {
            floe_text_fini(&name);
            *failed = true;
            return floe_cli_report("vacuum", FLOE_ENOMEM, NULL);
        }
        printf("{\"table\":%s,\"referenced_files\":%zu,\"orphan_files\":%zu,"
               "\"orphan_bytes\":%" PRId64 ",\"dry_run\":%s}\n",
               name.data, result.referenced_files, result.orphan_files, result.orphan_bytes,
               dry_run ? "true" : "false");
        floe_text_fini(&name);
    } else {
        printf("%s: %zu orphan file%s (%" PRId64 " bytes) %s, %zu files referenced\n", table,
               result.orphan_files, result.orphan_files == 1 ? "" : "s", result.orphan_bytes,
               dry_run ? "found" : "removed", result.referenced_files);
    }
    return FLOE_EXIT_OK;
}

int floe_cli_vacuum(const floe_cli_context *context, int argc, char **argv)
{
    bool dry_run = false, json = context->json;
    int64_t min_age = 3600;
    const char **tables = calloc((size_t)argc, sizeof *tables);
    if (tables == NULL)
        return floe_cli_report("vacuum", FLOE_ENOMEM, NULL);
    size_t table_count = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dry-run") == 0) {
            dry_run = true;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--min-age") == 0) {
            char *end = NULL;
            errno = 0;
            long long value = i + 1 < argc ? strtoll(argv[i + 1], &end, 10) : -1;
            if (i + 1 >= argc || errno != 0 || *end != '\0' || value < 0) {
                free(tables);
                return floe_cli_usage_error("vacuum", "--min-age needs a number of seconds");
            }
            min_age = value;
            i++;
        } else if (argv[i][0] == '-') {
            free(tables);
            return floe_cli_usage_error("vacuum", "unknown option '%s'", argv[i]);
        } else {
            tables[table_count++] = argv[i];
        }
    }
    bool failed = false;
    int exit_status = FLOE_EXIT_OK;
    if (table_count > 0) {
        for (size_t i = 0; i < table_count; i++)
            vacuum_one(context, tables[i], min_age, dry_run, json, &failed);
    } else {
        floe_io_string_list all;
        floe_io_string_list_init(&all);
        floe_error err;
        int status = floe_io_catalog_list_tables(context->warehouse, NULL, &all, &err);
        if (status != FLOE_OK) {
            exit_status = floe_cli_report("vacuum", status, &err);
        } else {
            for (size_t i = 0; i < all.count; i++)
                vacuum_one(context, all.items[i], min_age, dry_run, json, &failed);
        }
        floe_io_string_list_fini(&all);
    }
    free(tables);
    if (failed)
        return FLOE_EXIT_USER_ERROR;
    return exit_status;
}
