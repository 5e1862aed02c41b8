/*
 * info.c — `floe-engine info`: what this build is, what this machine offers it, and what the
 * warehouse holds. The first thing to run on a new machine, and the body of `make run` until
 * the engine's demo exists.
 */
#include "cli.h"

#include "floe.h"
#include "kernels/dispatch.h" /* floe_k_dispatch_describe */
#include "io/file_reader.h" /* floe_io_default_backend_summary */

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int is_directory(const char *path)
{
    struct stat info;
    return stat(path, &info) == 0 && S_ISDIR(info.st_mode);
}

/* Lists <warehouse>/<namespace>/<table>/ folders that hold a metadata/ folder (DESIGN.md's
 * Hadoop-catalog layout). Returns how many it found. */
static int list_tables(const char *warehouse)
{
    DIR *namespaces = opendir(warehouse);
    if (namespaces == NULL) return 0;
    int found = 0;
    struct dirent *namespace_entry;
    while ((namespace_entry = readdir(namespaces)) != NULL) {
        if (namespace_entry->d_name[0] == '.') continue;
        char namespace_path[4096];
        snprintf(namespace_path, sizeof namespace_path, "%s/%s", warehouse,
                 namespace_entry->d_name);
        DIR *tables = opendir(namespace_path);
        if (tables == NULL) continue;
        struct dirent *table_entry;
        while ((table_entry = readdir(tables)) != NULL) {
            if (table_entry->d_name[0] == '.') continue;
            char metadata_path[8192];
            snprintf(metadata_path, sizeof metadata_path, "%s/%s/metadata", namespace_path,
                     table_entry->d_name);
            if (!is_directory(metadata_path)) continue;
            printf("  %s.%s\n", namespace_entry->d_name, table_entry->d_name);
            found++;
        }
        closedir(tables);
    }
    closedir(namespaces);
    return found;
}

int floe_cli_info(const floe_cli_context *context, int argc, char **argv)
{
    if (argc > 1) return floe_cli_usage_error("info", "takes no arguments (got '%s')", argv[1]);
    printf("floe-engine %s\n", floe_version());
    char simd[256];
    printf("simd: %s\n", floe_k_dispatch_describe(simd, sizeof simd));
    printf("warehouse: %s%s\n", context->warehouse,
           is_directory(context->warehouse) ? "" : " (does not exist yet)");
    printf("io: %s\n", floe_io_default_backend_summary());
    if (is_directory(context->warehouse)) {
        printf("tables:\n");
        if (list_tables(context->warehouse) == 0) printf("  (none)\n");
    }
    return FLOE_EXIT_OK;
}
