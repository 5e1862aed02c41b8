/*
 * catalog_fs.c — the file-system catalog and its commit protocol (contract in catalog_fs.h).
 *
 * Why the protocol looks the way it does. A file-system catalog has no server to serialize
 * writers, so the file system's own atomic operations must: link(2) and
 * renameat2(RENAME_NOREPLACE) create a name only if it does not exist, which makes "publish
 * vN+1" a compare-and-swap on the version number. Everything else follows from keeping that one
 * step the commit point: the bytes are complete and durable before they get the name (a crash
 * can only leave a nameless temporary file), and the hint is rewritten after it (a crash can only
 * leave the hint behind, which readers correct by probing forward, as Iceberg's Java
 * HadoopTableOperations does). A plain rename(2) is never used to publish: it would silently
 * overwrite a version another writer just published.
 *
 * Paths are built in PATH_MAX stack buffers: the helpers report FLOE_ERANGE instead of
 * truncating, and the protocol itself allocates nothing (only current_version's returned path,
 * the listings and the orphan walk do).
 */
#define _GNU_SOURCE /* renameat2, RENAME_NOREPLACE, O_DIRECTORY, DT_* under -std=c11 */
#include "io/catalog_fs.h"
#include "io/fs_util.h"        /* durable writes, directory fsync, uuid, path join */
#include "io/iceberg_locate.h" /* floe_ice_locate_metadata */
#include "kernels/memory.h"    /* floe_malloc, floe_free */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

#define HINT_NAME "version-hint.text"
#define TEMP_PREFIX ".tmp-"

static floe_io_catalog_test_hooks test_hooks;

void floe_io_catalog_set_test_hooks(const floe_io_catalog_test_hooks *hooks)
{
    if (hooks == NULL) {
        memset(&test_hooks, 0, sizeof test_hooks);
    } else {
        test_hooks = *hooks;
    }
}

static void step(const char *name)
{
    if (test_hooks.on_step != NULL) test_hooks.on_step(name, test_hooks.context);
}

static int os_error(floe_error *err, const char *what, const char *path)
{
    int code = errno > 0 ? -errno : -EIO;
    return floe_error_set(err, code, "%s %s: %s", what, path, floe_status_name(code));
}

static int path_exists(const char *path)
{
    struct stat info;
    return lstat(path, &info) == 0;
}

static int is_directory(const char *path)
{
    struct stat info;
    return stat(path, &info) == 0 && S_ISDIR(info.st_mode);
}

/* ---- string lists -------------------------------------------------------------------------- */

void floe_io_string_list_init(floe_io_string_list *list)
{
    list->items = NULL;
    list->count = 0;
    list->capacity = 0;
}

void floe_io_string_list_fini(floe_io_string_list *list)
{
    if (list == NULL) return;
    for (size_t i = 0; i < list->count; i++) floe_free(list->items[i]);
    floe_free(list->items);
    floe_io_string_list_init(list);
}

static int list_push(floe_io_string_list *list, const char *text, floe_error *err)
{
    if (list->count == list->capacity) {
        size_t grown = list->capacity == 0 ? 16 : list->capacity * 2;
        char **items = floe_realloc(list->items, grown * sizeof *items);
        FLOE_RETURN_IF(items == NULL, FLOE_ENOMEM, err, "listing: out of memory");
        list->items = items;
        list->capacity = grown;
    }
    size_t length = strlen(text);
    char *copy = floe_malloc(length + 1);
    FLOE_RETURN_IF(copy == NULL, FLOE_ENOMEM, err, "listing: out of memory");
    memcpy(copy, text, length + 1);
    list->items[list->count++] = copy;
    return FLOE_OK;
}

static int compare_strings(const void *left, const void *right)
{
    return strcmp(*(const char *const *)left, *(const char *const *)right);
}

static void list_sort(floe_io_string_list *list)
{
    if (list->count > 1) qsort(list->items, list->count, sizeof *list->items, compare_strings);
}

/* ---- names and paths ----------------------------------------------------------------------- */

static int identifier_character(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

/* Checks `length` bytes of `text` as an identifier; `what` names the whole input for messages. */
static int check_part(const char *text, size_t length, const char *what, floe_error *err)
{
    FLOE_RETURN_IF(length == 0, FLOE_ESYNTAX, err, "table name '%s': empty part", what);
    FLOE_RETURN_IF(length > FLOE_IO_CATALOG_MAX_IDENTIFIER, FLOE_ESYNTAX, err,
                   "table name '%.200s': part longer than %d characters", what,
                   FLOE_IO_CATALOG_MAX_IDENTIFIER);
    for (size_t i = 0; i < length; i++) {
        FLOE_RETURN_IF(!identifier_character(text[i]), FLOE_ESYNTAX, err,
                       "table name '%.200s': character '%c' not allowed in '%.*s' (use letters, "
                       "digits, '_' and '-')", what,
                       (text[i] >= 32 && text[i] < 127) ? text[i] : '?',
                       (int)(length > 200 ? 200 : length), text);
    }
    return FLOE_OK;
}

int floe_io_catalog_check_identifier(const char *identifier, floe_error *err)
{
    FLOE_RETURN_IF(identifier == NULL, FLOE_EINVAL, err, "identifier: NULL");
    return check_part(identifier, strlen(identifier), identifier, err);
}

int floe_io_catalog_table_directory(const char *warehouse, const char *table_name, char *buffer,
                                    size_t capacity, floe_error *err)
{
    FLOE_RETURN_IF(warehouse == NULL || table_name == NULL || buffer == NULL || capacity == 0,
                   FLOE_EINVAL, err, "table directory: NULL argument");
    buffer[0] = '\0';
    FLOE_RETURN_IF(warehouse[0] == '\0', FLOE_EINVAL, err, "table '%.200s': empty warehouse path",
                   table_name);
    const char *dot = strchr(table_name, '.');
    FLOE_RETURN_IF(dot == NULL, FLOE_ESYNTAX, err,
                   "table name '%.200s': expected namespace.name", table_name);
    FLOE_RETURN_IF(strchr(dot + 1, '.') != NULL, FLOE_ESYNTAX, err,
                   "table name '%.200s': expected namespace.name (nested namespaces are not "
                   "supported)", table_name);
    FLOE_TRY(check_part(table_name, (size_t)(dot - table_name), table_name, err));
    FLOE_TRY(check_part(dot + 1, strlen(dot + 1), table_name, err));
    char relative[2 * FLOE_IO_CATALOG_MAX_IDENTIFIER + 2];
    snprintf(relative, sizeof relative, "%.*s/%s", (int)(dot - table_name), table_name, dot + 1);
    return floe_io_path_join(buffer, capacity, warehouse, relative, err);
}

int floe_io_catalog_metadata_path(const char *table_directory, int64_t version, char *buffer,
                                  size_t capacity, floe_error *err)
{
    FLOE_RETURN_IF(table_directory == NULL || buffer == NULL || capacity == 0 || version < 0,
                   FLOE_EINVAL, err, "metadata path: bad argument");
    char relative[64];
    snprintf(relative, sizeof relative, "metadata/v%lld.metadata.json", (long long)version);
    return floe_io_path_join(buffer, capacity, table_directory, relative, err);
}

/* A relative path of plain components: no empty, "." or ".." component, no leading '/'. */
static int relative_path_is_safe(const char *path)
{
    if (path[0] == '\0' || path[0] == '/') return 0;
    const char *component = path;
    for (;;) {
        const char *slash = strchr(component, '/');
        size_t length = slash != NULL ? (size_t)(slash - component) : strlen(component);
        if (length == 0) return 0;
        if (length == 1 && component[0] == '.') return 0;
        if (length == 2 && component[0] == '.' && component[1] == '.') return 0;
        if (slash == NULL) return 1;
        component = slash + 1;
    }
}

int floe_io_catalog_new_file_path(const char *table_directory, const char *subdirectory,
                                  const char *prefix, const char *suffix, char *buffer,
                                  size_t capacity, floe_error *err)
{
    FLOE_RETURN_IF(table_directory == NULL || subdirectory == NULL || buffer == NULL ||
                   capacity == 0, FLOE_EINVAL, err, "new file path: NULL argument");
    buffer[0] = '\0';
    if (prefix == NULL) prefix = "";
    if (suffix == NULL) suffix = "";
    FLOE_RETURN_IF(!relative_path_is_safe(subdirectory), FLOE_EINVAL, err,
                   "new file path: subdirectory '%.200s' must be relative, without '.' or '..'",
                   subdirectory);
    FLOE_RETURN_IF(strchr(prefix, '/') != NULL || strchr(suffix, '/') != NULL, FLOE_EINVAL, err,
                   "new file path: prefix and suffix must not contain '/'");
    FLOE_RETURN_IF(strlen(prefix) + strlen(suffix) > 200, FLOE_EINVAL, err,
                   "new file path: prefix and suffix too long");
    char uuid[FLOE_IO_UUID_LENGTH + 1];
    FLOE_TRY(floe_io_random_uuid(uuid, err));
    char name[FLOE_IO_UUID_LENGTH + 256];
    snprintf(name, sizeof name, "%s%s%s", prefix, uuid, suffix);
    FLOE_TRY(floe_io_path_join(buffer, capacity, table_directory, subdirectory, err));
    return floe_io_path_join(buffer, capacity, buffer, name, err);
}

/* ---- metadata file names ------------------------------------------------------------------- */

/* Whether version N exists under a Hadoop-catalog name (vN, plain or gzip). */
static int version_file(const char *metadata_directory, int64_t version, char *path,
                        size_t capacity)
{
    static const char *const suffixes[] = {".metadata.json", ".gz.metadata.json",
                                           ".metadata.json.gz"};
    for (size_t i = 0; i < 3; i++) {
        int written = snprintf(path, capacity, "%s/v%lld%s", metadata_directory,
                               (long long)version, suffixes[i]);
        if (written > 0 && (size_t)written < capacity && path_exists(path)) return 1;
    }
    return 0;
}

/* ---- current version ----------------------------------------------------------------------- */

/* io/iceberg_locate.h decides what is current (the hint when it is right, published versions
 * past a stale hint, the listing when the hint is garbage), so readers and writers agree. */
static int current_version(const char *table_directory, const char *metadata_directory,
                           int64_t *version, char *path, size_t capacity, floe_error *err)
{
    FLOE_RETURN_IF(!is_directory(metadata_directory), FLOE_ENOTFOUND, err,
                   "%s: no metadata folder: not a table", table_directory);
    char *located = NULL;
    FLOE_TRY(floe_ice_locate_metadata(table_directory, &located, version, err));
    size_t length = strlen(located);
    if (length >= capacity) {
        floe_free(located);
        return floe_error_set(err, FLOE_ERANGE, "%s: metadata path too long", table_directory);
    }
    memcpy(path, located, length + 1);
    floe_free(located);
    return FLOE_OK;
}

int floe_io_catalog_current_version(const char *table_directory, int64_t *version,
                                    char **metadata_path, floe_error *err)
{
    FLOE_RETURN_IF(table_directory == NULL || version == NULL, FLOE_EINVAL, err,
                   "current version: NULL argument");
    if (metadata_path != NULL) *metadata_path = NULL;
    char metadata_directory[PATH_MAX];
    FLOE_TRY(floe_io_path_join(metadata_directory, sizeof metadata_directory, table_directory,
                               "metadata", err));
    char path[PATH_MAX];
    FLOE_TRY(current_version(table_directory, metadata_directory, version, path, sizeof path,
                             err));
    if (metadata_path != NULL) {
        size_t length = strlen(path);
        *metadata_path = floe_malloc(length + 1);
        FLOE_RETURN_IF(*metadata_path == NULL, FLOE_ENOMEM, err, "%s: out of memory",
                       table_directory);
        memcpy(*metadata_path, path, length + 1);
    }
    return FLOE_OK;
}

/* ---- publishing ---------------------------------------------------------------------------- */

/* fsyncs a directory if it exists. */
static int sync_if_present(const char *table_directory, const char *relative, floe_error *err)
{
    char path[PATH_MAX];
    FLOE_TRY(floe_io_path_join(path, sizeof path, table_directory, relative, err));
    if (!is_directory(path)) return FLOE_OK;
    return floe_io_fsync_directory(path, err);
}

/* Gives `temporary` the name `target` only if `target` does not exist. Returns FLOE_OK,
 * FLOE_ECONFLICT (target exists), or an error. *consumed says whether `temporary` is gone
 * (renamed) rather than still linked. */
static int publish_no_replace(const char *temporary, const char *target, int *consumed,
                              floe_error *err)
{
    *consumed = 0;
    if (!test_hooks.force_rename_publish) {
        if (link(temporary, target) == 0) return FLOE_OK;
        if (errno == EEXIST) return FLOE_ECONFLICT;
        /* Hard links unsupported here (vfat, some FUSE and network file systems). */
        if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP && errno != ENOSYS &&
            errno != EMLINK) {
            return os_error(err, "publish (link)", target);
        }
    }
    if (renameat2(AT_FDCWD, temporary, AT_FDCWD, target, RENAME_NOREPLACE) == 0) {
        *consumed = 1;
        return FLOE_OK;
    }
    if (errno == EEXIST) return FLOE_ECONFLICT;
    if (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP || errno == EOPNOTSUPP) {
        return floe_error_set(err, FLOE_EUNSUPPORTED, "publish %s: this file system has neither "
                              "hard links nor renameat2(RENAME_NOREPLACE); cannot commit safely",
                              target);
    }
    return os_error(err, "publish (renameat2)", target);
}

/* Rewrites the hint to `version`, then to any newer version that appeared meanwhile, so that
 * the last writer to rename the hint leaves it exact. */
static int write_hint(const char *metadata_directory, int64_t version, floe_error *err)
{
    char hint[PATH_MAX], temporary[PATH_MAX];
    FLOE_TRY(floe_io_path_join(hint, sizeof hint, metadata_directory, HINT_NAME, err));
    for (int round = 0; round < 1000; round++) {
        char uuid[FLOE_IO_UUID_LENGTH + 1];
        FLOE_TRY(floe_io_random_uuid(uuid, err));
        char name[128];
        snprintf(name, sizeof name, TEMP_PREFIX "%s." HINT_NAME, uuid);
        FLOE_TRY(floe_io_path_join(temporary, sizeof temporary, metadata_directory, name, err));
        char text[32];
        int length = snprintf(text, sizeof text, "%lld", (long long)version);
        FLOE_TRY(floe_io_write_file_durable(temporary, text, (size_t)length, err));
        step("hint-temp-written");
        if (rename(temporary, hint) != 0) {
            int status = os_error(err, "rename", hint);
            unlink(temporary);
            return status;
        }
        step("hint-renamed");
        FLOE_TRY(floe_io_fsync_directory(metadata_directory, err));
        int64_t newest = version;
        char newest_path[PATH_MAX];
        while (newest < INT64_MAX - 1 &&
               version_file(metadata_directory, newest + 1, newest_path, sizeof newest_path)) {
            newest++;
        }
        if (newest == version) return FLOE_OK;
        version = newest;
    }
    return FLOE_OK; /* writers keep committing; the last of them will fix the hint */
}

int floe_io_catalog_publish(const char *table_directory, int64_t expected_version,
                            const void *metadata, size_t size, int64_t *published_version,
                            floe_error *err)
{
    int64_t ignored_version;
    if (published_version == NULL) published_version = &ignored_version;
    *published_version = 0;
    FLOE_RETURN_IF(table_directory == NULL || (metadata == NULL && size > 0), FLOE_EINVAL, err,
                   "publish: NULL argument");
    FLOE_RETURN_IF(expected_version < 0 || expected_version >= INT64_MAX - 1, FLOE_EINVAL, err,
                   "%s: publish: bad expected version %lld", table_directory,
                   (long long)expected_version);
    char metadata_directory[PATH_MAX], path[PATH_MAX];
    FLOE_TRY(floe_io_path_join(metadata_directory, sizeof metadata_directory, table_directory,
                               "metadata", err));
    int64_t next = expected_version + 1;

    if (expected_version == 0) {
        FLOE_TRY(floe_io_make_directories(metadata_directory, err));
        FLOE_TRY(floe_io_path_join(path, sizeof path, table_directory, "data", err));
        FLOE_TRY(floe_io_make_directories(path, err));
        int64_t existing = 0;
        floe_error locate_error;
        int status = current_version(table_directory, metadata_directory, &existing, path,
                                     sizeof path, &locate_error);
        FLOE_RETURN_IF(status == FLOE_OK, FLOE_ECONFLICT, err,
                       "%s: table already exists (version %lld)", table_directory,
                       (long long)existing);
        if (status != FLOE_ENOTFOUND) return floe_error_set(err, status, "%s", locate_error.message);
    } else if (!version_file(metadata_directory, expected_version, path, sizeof path)) {
        /* Not a vN name: a foreign table (NNNNN-<uuid>), a caller's mistake, or a lost race. */
        int64_t current = 0;
        FLOE_TRY(current_version(table_directory, metadata_directory, &current, path,
                                 sizeof path, err));
        FLOE_RETURN_IF(current > expected_version, FLOE_ECONFLICT, err,
                       "%s: version %lld was published by another writer (table is at %lld)",
                       table_directory, (long long)next, (long long)current);
        FLOE_RETURN_IF(current < expected_version, FLOE_EINVAL, err,
                       "%s: publish after version %lld, but the table is at version %lld",
                       table_directory, (long long)expected_version, (long long)current);
    }
    /* A gzip-named v(N+1) from another tool is a published version too (best effort: only
     * the plain name is arbitrated atomically, and only Floe writes it). */
    char target[PATH_MAX];
    FLOE_RETURN_IF(version_file(metadata_directory, next, target, sizeof target),
                   FLOE_ECONFLICT, err, "%s: version %lld was published by another writer",
                   table_directory, (long long)next);
    FLOE_TRY(floe_io_catalog_metadata_path(table_directory, next, target, sizeof target, err));

    char uuid[FLOE_IO_UUID_LENGTH + 1], temporary[PATH_MAX], name[128];
    FLOE_TRY(floe_io_random_uuid(uuid, err));
    snprintf(name, sizeof name, TEMP_PREFIX "%s.metadata.json", uuid);
    FLOE_TRY(floe_io_path_join(temporary, sizeof temporary, metadata_directory, name, err));
    FLOE_TRY(floe_io_write_file_durable(temporary, metadata, size, err));
    step("temp-written");

    int status = floe_io_fsync_directory(metadata_directory, err);
    if (status == FLOE_OK) status = sync_if_present(table_directory, "data", err);
    if (status == FLOE_OK) status = sync_if_present(table_directory, "floe/state", err);
    if (status != FLOE_OK) {
        unlink(temporary);
        return status;
    }
    step("directories-synced");

    int consumed = 0;
    status = publish_no_replace(temporary, target, &consumed, err);
    if (status != FLOE_OK) {
        if (!consumed) unlink(temporary);
        FLOE_RETURN_IF(status == FLOE_ECONFLICT, FLOE_ECONFLICT, err,
                       "%s: version %lld was published by another writer", table_directory,
                       (long long)next);
        return status;
    }
    *published_version = next; /* committed: from here on, errors never undo it */
    step("published");
    status = floe_io_fsync_directory(metadata_directory, err);
    if (!consumed) unlink(temporary); /* a leftover name is an orphan, not a problem */
    step("temp-removed");
    if (status != FLOE_OK) {
        return floe_error_prefix(err, "%s: version %lld published but not confirmed durable",
                                 table_directory, (long long)next);
    }
    status = write_hint(metadata_directory, next, err);
    if (status != FLOE_OK) {
        return floe_error_prefix(err, "%s: version %lld published, version hint not updated",
                                 table_directory, (long long)next);
    }
    return FLOE_OK;
}

/* ---- listing tables ------------------------------------------------------------------------ */

static int open_warehouse(const char *warehouse, DIR **directory, floe_error *err)
{
    FLOE_RETURN_IF(warehouse == NULL || warehouse[0] == '\0', FLOE_EINVAL, err,
                   "warehouse: empty path");
    *directory = opendir(warehouse);
    if (*directory != NULL) return FLOE_OK;
    FLOE_RETURN_IF(errno == ENOENT, FLOE_ENOTFOUND, err, "warehouse %s: no such directory",
                   warehouse);
    return os_error(err, "warehouse", warehouse);
}

/* Adds "ns.name" for each table of namespace `space` (stops after the first when
 * first_only). */
static int collect_tables(const char *warehouse, const char *space, floe_io_string_list *tables,
                          int first_only, int *found, floe_error *err)
{
    char directory_path[PATH_MAX], path[PATH_MAX];
    FLOE_TRY(floe_io_path_join(directory_path, sizeof directory_path, warehouse, space, err));
    DIR *directory = opendir(directory_path);
    if (directory == NULL) return os_error(err, "list", directory_path);
    int status = FLOE_OK;
    struct dirent *entry;
    *found = 0;
    while (status == FLOE_OK && (entry = readdir(directory)) != NULL) {
        if (floe_io_catalog_check_identifier(entry->d_name, NULL) != FLOE_OK) continue;
        char relative[2 * FLOE_IO_CATALOG_MAX_IDENTIFIER + 16];
        snprintf(relative, sizeof relative, "%s/metadata", entry->d_name);
        status = floe_io_path_join(path, sizeof path, directory_path, relative, err);
        if (status != FLOE_OK || !is_directory(path)) continue;
        *found = 1;
        if (first_only) break;
        char name[2 * FLOE_IO_CATALOG_MAX_IDENTIFIER + 2];
        snprintf(name, sizeof name, "%s.%s", space, entry->d_name);
        status = list_push(tables, name, err);
    }
    closedir(directory);
    return status;
}

int floe_io_catalog_list_tables(const char *warehouse, const char *namespace_name,
                                floe_io_string_list *tables, floe_error *err)
{
    FLOE_RETURN_IF(tables == NULL, FLOE_EINVAL, err, "list tables: NULL list");
    if (namespace_name != NULL) {
        FLOE_TRY(floe_io_catalog_check_identifier(namespace_name, err));
        DIR *directory = NULL;
        FLOE_TRY(open_warehouse(warehouse, &directory, err));
        closedir(directory);
        char path[PATH_MAX];
        FLOE_TRY(floe_io_path_join(path, sizeof path, warehouse, namespace_name, err));
        FLOE_RETURN_IF(!is_directory(path), FLOE_ENOTFOUND, err, "namespace %s: not found in %s",
                       namespace_name, warehouse);
        int found = 0;
        int status = collect_tables(warehouse, namespace_name, tables, 0, &found, err);
        list_sort(tables);
        return status;
    }
    DIR *directory = NULL;
    FLOE_TRY(open_warehouse(warehouse, &directory, err));
    int status = FLOE_OK;
    struct dirent *entry;
    while (status == FLOE_OK && (entry = readdir(directory)) != NULL) {
        if (floe_io_catalog_check_identifier(entry->d_name, NULL) != FLOE_OK) continue;
        char path[PATH_MAX];
        status = floe_io_path_join(path, sizeof path, warehouse, entry->d_name, err);
        if (status != FLOE_OK || !is_directory(path)) continue;
        int found = 0;
        status = collect_tables(warehouse, entry->d_name, tables, 0, &found, err);
    }
    closedir(directory);
    list_sort(tables);
    return status;
}

int floe_io_catalog_list_namespaces(const char *warehouse, floe_io_string_list *namespaces,
                                    floe_error *err)
{
    FLOE_RETURN_IF(namespaces == NULL, FLOE_EINVAL, err, "list namespaces: NULL list");
    DIR *directory = NULL;
    FLOE_TRY(open_warehouse(warehouse, &directory, err));
    int status = FLOE_OK;
    struct dirent *entry;
    while (status == FLOE_OK && (entry = readdir(directory)) != NULL) {
        if (floe_io_catalog_check_identifier(entry->d_name, NULL) != FLOE_OK) continue;
        char path[PATH_MAX];
        status = floe_io_path_join(path, sizeof path, warehouse, entry->d_name, err);
        if (status != FLOE_OK || !is_directory(path)) continue;
        int found = 0;
        status = collect_tables(warehouse, entry->d_name, NULL, 1, &found, err);
        if (status == FLOE_OK && found) status = list_push(namespaces, entry->d_name, err);
    }
    closedir(directory);
    list_sort(namespaces);
    return status;
}

/* ---- orphans ------------------------------------------------------------------------------- */

typedef struct orphan_walk {
    const char *table_directory;
    const char **referenced; /* relative paths, sorted */
    size_t referenced_count;
    time_t newest_allowed;   /* files modified after this are too young to be orphans */
    floe_io_string_list *orphans;
    bool check_age;          /* false when every file is old enough (min_age_seconds 0) */
} orphan_walk;

static int is_referenced(const orphan_walk *walk, const char *relative)
{
    return walk->referenced_count > 0 &&
           bsearch(&relative, walk->referenced, walk->referenced_count, sizeof(const char *),
                   compare_strings) != NULL;
}

/* Decides about one file; `relative` is its path from the table directory. */
static int consider_file(orphan_walk *walk, const char *relative, const char *base,
                         const struct stat *info, floe_error *err)
{
    if (walk->check_age && info->st_mtime > walk->newest_allowed) return FLOE_OK;
    int orphan;
    if (strncmp(base, TEMP_PREFIX, strlen(TEMP_PREFIX)) == 0) {
        orphan = 1;
    } else if (strncmp(relative, "metadata/", 9) == 0 && strchr(relative + 9, '/') == NULL &&
               (strcmp(base, HINT_NAME) == 0 || floe_ice_metadata_file_version(base) >= 0)) {
        orphan = 0; /* the versions themselves and the hint */
    } else if (strncmp(relative, "floe/", 5) == 0 && strchr(relative + 5, '/') == NULL) {
        /* The engine's bookkeeping (the refresh lock, the last-error record): deleting the lock
         * while a refresher holds it would let a second one in beside it. */
        orphan = 0;
    } else {
        orphan = !is_referenced(walk, relative);
    }
    if (!orphan) return FLOE_OK;
    char path[PATH_MAX];
    FLOE_TRY(floe_io_path_join(path, sizeof path, walk->table_directory, relative, err));
    return list_push(walk->orphans, path, err);
}

static int walk_directory(orphan_walk *walk, const char *relative, int depth, floe_error *err)
{
    char path[PATH_MAX];
    FLOE_TRY(floe_io_path_join(path, sizeof path, walk->table_directory, relative, err));
    DIR *directory = opendir(path);
    if (directory == NULL) {
        if (errno == ENOENT || errno == ENOTDIR) return FLOE_OK;
        return os_error(err, "list", path);
    }
    int status = FLOE_OK;
    struct dirent *entry;
    while (status == FLOE_OK && (entry = readdir(directory)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
        char child[PATH_MAX], child_path[PATH_MAX];
        status = floe_io_path_join(child, sizeof child, relative, entry->d_name, err);
        if (status == FLOE_OK) {
            status = floe_io_path_join(child_path, sizeof child_path, walk->table_directory,
                                       child, err);
        }
        if (status != FLOE_OK) break;
        struct stat info;
        if (lstat(child_path, &info) != 0) {
            if (errno == ENOENT) continue; /* removed while we looked */
            status = os_error(err, "stat", child_path);
            break;
        }
        if (S_ISDIR(info.st_mode)) {
            FLOE_RETURN_IF(depth >= 32, FLOE_EUNSUPPORTED, err,
                           "%s: directories nested too deeply", child_path);
            status = walk_directory(walk, child, depth + 1, err);
        } else {
            status = consider_file(walk, child, entry->d_name, &info, err);
        }
    }
    closedir(directory);
    return status;
}

/* The part of `path` below the table directory, or NULL when it is outside. */
static const char *relative_to(const char *path, const char *directory, size_t length)
{
    if (length == 0 || strncmp(path, directory, length) != 0) return NULL;
    if (directory[length - 1] == '/') return path + length;
    return path[length] == '/' ? path + length + 1 : NULL;
}

static const char *referenced_relative(const char *path, const char *table_directory,
                                       const char *real_directory)
{
    if (path == NULL) return NULL;
    if (path[0] != '/') {
        while (path[0] == '.' && path[1] == '/') path += 2;
        return path;
    }
    const char *relative = relative_to(path, table_directory, strlen(table_directory));
    if (relative == NULL && real_directory != NULL) {
        relative = relative_to(path, real_directory, strlen(real_directory));
    }
    return relative;
}

int floe_io_catalog_list_orphans(const char *table_directory, const char *const *referenced,
                                 size_t referenced_count, int64_t min_age_seconds,
                                 floe_io_string_list *orphans, floe_error *err)
{
    FLOE_RETURN_IF(table_directory == NULL || orphans == NULL ||
                   (referenced == NULL && referenced_count > 0) || min_age_seconds < 0,
                   FLOE_EINVAL, err, "list orphans: bad argument");
    FLOE_RETURN_IF(!is_directory(table_directory), FLOE_ENOTFOUND, err,
                   "%s: no such table directory", table_directory);
    char real_directory[PATH_MAX];
    const char *real = realpath(table_directory, real_directory) != NULL ? real_directory : NULL;
    /* The fine-grained clock: since Linux 6.13 a file's mtime can come from it (multigrain
     * time stamps) and be a second ahead of time(NULL) at a second's boundary. An age of 0
     * takes every file, whatever its time stamp. */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    orphan_walk walk = {table_directory, NULL, 0, now.tv_sec - (time_t)min_age_seconds, orphans,
                        min_age_seconds > 0};
    if (referenced_count > 0) {
        walk.referenced = floe_malloc(referenced_count * sizeof *walk.referenced);
        FLOE_RETURN_IF(walk.referenced == NULL, FLOE_ENOMEM, err,
                       "%s: list orphans: out of memory", table_directory);
        for (size_t i = 0; i < referenced_count; i++) {
            const char *relative = referenced_relative(referenced[i], table_directory, real);
            if (relative != NULL) walk.referenced[walk.referenced_count++] = relative;
        }
        qsort(walk.referenced, walk.referenced_count, sizeof *walk.referenced, compare_strings);
    }
    static const char *const trees[] = {"metadata", "data", "floe"};
    int status = FLOE_OK;
    for (size_t i = 0; i < 3 && status == FLOE_OK; i++) {
        status = walk_directory(&walk, trees[i], 0, err);
    }
    floe_free(walk.referenced);
    list_sort(orphans);
    return status;
}

static int path_is_inside(const char *path, const char *table_directory)
{
    const char *relative = relative_to(path, table_directory, strlen(table_directory));
    return relative != NULL && relative_path_is_safe(relative);
}

int floe_io_catalog_remove_files(const char *table_directory, const floe_io_string_list *files,
                                 size_t *removed, floe_error *err)
{
    size_t ignored;
    if (removed == NULL) removed = &ignored;
    *removed = 0;
    FLOE_RETURN_IF(table_directory == NULL || files == NULL, FLOE_EINVAL, err,
                   "remove files: NULL argument");
    for (size_t i = 0; i < files->count; i++) {
        FLOE_RETURN_IF(!path_is_inside(files->items[i], table_directory), FLOE_EINVAL, err,
                       "remove %s: not inside table directory %s", files->items[i],
                       table_directory);
    }
    /* Each parent is synced once after the run of removals in it (the list is sorted, so a
     * directory's files are mostly adjacent; a repeated sync is harmless). */
    char pending[PATH_MAX] = "";
    for (size_t i = 0; i < files->count; i++) {
        const char *path = files->items[i];
        size_t length = (size_t)(strrchr(path, '/') - path); /* inside: has a '/' */
        if (length >= sizeof pending) length = sizeof pending - 1;
        if (pending[0] != '\0' && !(strncmp(pending, path, length) == 0 &&
                                     pending[length] == '\0')) {
            FLOE_TRY(floe_io_fsync_directory(pending, err));
            pending[0] = '\0';
        }
        if (unlink(path) != 0) {
            if (errno == ENOENT) continue;
            return os_error(err, "remove", path);
        }
        *removed += 1;
        memcpy(pending, path, length);
        pending[length] = '\0';
    }
    if (pending[0] != '\0') FLOE_TRY(floe_io_fsync_directory(pending, err));
    return FLOE_OK;
}
