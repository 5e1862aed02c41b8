/*
 * iceberg_locate.c — which metadata file is a file-system table's current one, and where the
 * files its metadata names really are (contract and rules in iceberg_locate.h).
 *
 * Why re-rooting exists: Iceberg metadata stores full paths, so a table that was copied,
 * mounted elsewhere or written by a tool running in another directory names files that are
 * not where the metadata says. Replacing the stored `location` prefix with the directory the
 * table was actually opened from is what DuckDB and pyiceberg users do by hand; Floe does it
 * when, and only when, the stored path does not exist.
 */
#define _DEFAULT_SOURCE /* O_CLOEXEC, DIR and struct dirent under -std=c11 */
#include "io/iceberg_locate.h"
#include "kernels/memory.h" /* floe_malloc, floe_free */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *join_path(const char *directory, size_t directory_length, const char *relative)
{
    while (directory_length > 1 && directory[directory_length - 1] == '/') directory_length--;
    while (relative[0] == '/') relative++;
    size_t relative_length = strlen(relative);
    char *joined = floe_malloc(directory_length + 1 + relative_length + 1);
    if (joined == NULL) return NULL;
    memcpy(joined, directory, directory_length);
    size_t position = directory_length;
    if (directory_length == 0 || directory[directory_length - 1] != '/') joined[position++] = '/';
    memcpy(joined + position, relative, relative_length + 1);
    return joined;
}

static int exists(const char *path) { return access(path, F_OK) == 0; }

/* ---- locating --------------------------------------------------------------------------- */

/* The version number in a metadata file name, or -1 when the name is not one. */
int64_t floe_ice_metadata_file_version(const char *name)
{
    static const char *const suffixes[] = {".gz.metadata.json", ".metadata.json.gz",
                                           ".metadata.json"};
    size_t length = strlen(name), stem_length = 0;
    int matched = 0;
    for (size_t i = 0; i < 3 && !matched; i++) {
        size_t suffix_length = strlen(suffixes[i]);
        if (length > suffix_length && strcmp(name + length - suffix_length, suffixes[i]) == 0) {
            stem_length = length - suffix_length;
            matched = 1;
        }
    }
    if (!matched) return -1;
    const char *cursor = name;
    int with_v = name[0] == 'v';
    if (with_v) cursor++;
    int64_t version = 0;
    size_t digits = 0;
    while (cursor < name + stem_length && *cursor >= '0' && *cursor <= '9') {
        if (++digits > 18) return -1; /* no real table has that many versions */
        version = version * 10 + (*cursor - '0');
        cursor++;
    }
    if (digits == 0) return -1;
    if (with_v) return cursor == name + stem_length ? version : -1;
    /* NNNNN-<uuid>: a dash and something after it. */
    return *cursor == '-' && cursor + 1 < name + stem_length ? version : -1;
}

static int read_version_hint(const char *hint_path, int64_t *version, floe_error *err)
{
    int fd = open(hint_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int code = -errno;
        return floe_error_set(err, code, "%s: cannot open: %s", hint_path, floe_status_name(code));
    }
    char text[64];
    size_t total = 0;
    for (;;) {
        ssize_t got = read(fd, text + total, sizeof text - 1 - total);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            int code = -errno;
            close(fd);
            return floe_error_set(err, code, "%s: read failed: %s", hint_path,
                                  floe_status_name(code));
        }
        if (got == 0 || total + (size_t)got == sizeof text - 1) {
            total += (size_t)got;
            break;
        }
        total += (size_t)got;
    }
    close(fd);
    text[total] = '\0';
    const char *cursor = text;
    while (*cursor == ' ' || *cursor == '\t' || *cursor == '\n' || *cursor == '\r') cursor++;
    int64_t value = 0;
    size_t digits = 0;
    while (*cursor >= '0' && *cursor <= '9' && digits < 18) {
        value = value * 10 + (*cursor - '0');
        cursor++;
        digits++;
    }
    while (*cursor == ' ' || *cursor == '\t' || *cursor == '\n' || *cursor == '\r') cursor++;
    FLOE_RETURN_IF(digits == 0 || *cursor != '\0', FLOE_ECORRUPT, err,
                   "%s: expected a version number", hint_path);
    *version = value;
    return FLOE_OK;
}

/* The file of version N under its Hadoop-catalog names (plain or gzip), or NULL when there is
 * none; *status is FLOE_ENOMEM when the path could not be built. */
static char *version_file(const char *metadata_directory, int64_t version, int *status)
{
    static const char *const suffixes[] = {".metadata.json", ".gz.metadata.json",
                                           ".metadata.json.gz"};
    *status = FLOE_OK;
    for (size_t i = 0; i < 3; i++) {
        char name[64];
        snprintf(name, sizeof name, "v%lld%s", (long long)version, suffixes[i]);
        char *candidate = join_path(metadata_directory, strlen(metadata_directory), name);
        if (candidate == NULL) {
            *status = FLOE_ENOMEM;
            return NULL;
        }
        if (exists(candidate)) return candidate;
        floe_free(candidate);
    }
    return NULL;
}

static int locate_from_hint(const char *metadata_directory, const char *hint_path,
                            char **metadata_path, int64_t *version, floe_error *err)
{
    FLOE_TRY(read_version_hint(hint_path, version, err));
    int status;
    *metadata_path = version_file(metadata_directory, *version, &status);
    FLOE_RETURN_IF(status != FLOE_OK, status, err, "out of memory");
    FLOE_RETURN_IF(*metadata_path == NULL, FLOE_ENOTFOUND, err,
                   "%s/v%lld.metadata.json: not found (named by version-hint.text)",
                   metadata_directory, (long long)*version);
    return FLOE_OK;
}

/* A writer that crashed between publishing v(N+1) and rewriting the hint leaves the hint at N
 * (DESIGN.md's commit protocol): published versions are what count, so step forward while the
 * next version exists. */
static int advance_past_stale_hint(const char *metadata_directory, char **metadata_path,
                                   int64_t *version, floe_error *err)
{
    for (;;) {
        int status;
        char *next = version_file(metadata_directory, *version + 1, &status);
        FLOE_RETURN_IF(status != FLOE_OK, status, err, "out of memory");
        if (next == NULL) return FLOE_OK;
        floe_free(*metadata_path);
        *metadata_path = next;
        *version += 1;
    }
}

static int locate_newest(const char *metadata_directory, char **metadata_path, int64_t *version,
                         floe_error *err)
{
    DIR *directory = opendir(metadata_directory);
    if (directory == NULL) {
        int code = -errno;
        return floe_error_set(err, code, "%s: cannot list: %s", metadata_directory,
                              floe_status_name(code));
    }
    char best_name[512];
    int64_t best = -1;
    struct dirent *entry;
    while ((entry = readdir(directory)) != NULL) {
        int64_t found = floe_ice_metadata_file_version(entry->d_name);
        if (found < 0 || strlen(entry->d_name) >= sizeof best_name) continue;
        if (found > best || (found == best && strcmp(entry->d_name, best_name) > 0)) {
            best = found;
            memcpy(best_name, entry->d_name, strlen(entry->d_name) + 1);
        }
    }
    closedir(directory);
    FLOE_RETURN_IF(best < 0, FLOE_ENOTFOUND, err, "%s: no metadata file (vN.metadata.json or "
                   "NNNNN-<uuid>.metadata.json)", metadata_directory);
    *metadata_path = join_path(metadata_directory, strlen(metadata_directory), best_name);
    FLOE_RETURN_IF(*metadata_path == NULL, FLOE_ENOMEM, err, "out of memory");
    *version = best;
    return FLOE_OK;
}

int floe_ice_locate_metadata(const char *table_directory, char **metadata_path, int64_t *version,
                             floe_error *err)
{
    *metadata_path = NULL;
    int64_t ignored;
    if (version == NULL) version = &ignored;
    char *metadata_directory = join_path(table_directory, strlen(table_directory), "metadata");
    FLOE_RETURN_IF(metadata_directory == NULL, FLOE_ENOMEM, err, "out of memory");
    struct stat info;
    if (stat(metadata_directory, &info) != 0 || !S_ISDIR(info.st_mode)) {
        int status = floe_error_set(err, FLOE_ENOTFOUND, "%s: no metadata folder: not an "
                                    "Iceberg table", metadata_directory);
        floe_free(metadata_directory);
        return status;
    }
    char *hint = join_path(metadata_directory, strlen(metadata_directory), "version-hint.text");
    int status = FLOE_ENOTFOUND;
    if (hint == NULL) {
        status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    } else if (exists(hint)) {
        status = locate_from_hint(metadata_directory, hint, metadata_path, version, err);
        if (status == FLOE_OK) {
            status = advance_past_stale_hint(metadata_directory, metadata_path, version, err);
        }
    }
    if (status == FLOE_ECORRUPT || status == FLOE_ENOTFOUND) {
        /* No hint, or one that is garbage or names a missing file: the hint is only a hint
         * (as for Spark's HadoopTableOperations), so the listing decides. */
        floe_error_clear(err);
        status = locate_newest(metadata_directory, metadata_path, version, err);
    }
    if (status != FLOE_OK) {
        floe_free(*metadata_path);
        *metadata_path = NULL;
    }
    floe_free(hint);
    floe_free(metadata_directory);
    return status;
}

/* ---- resolving -------------------------------------------------------------------------- */

/* Drops a local file: scheme ("file:/x", "file:///x", "file://localhost/x"); other URIs are
 * returned unchanged. */
static const char *without_file_scheme(const char *path)
{
    if (strncmp(path, "file://", 7) == 0) {
        const char *rest = path + 7;
        if (rest[0] == '/') return rest;
        if (strncmp(rest, "localhost/", 10) == 0) return rest + 9;
        return path; /* file://otherhost/...: not ours to read */
    }
    if (strncmp(path, "file:", 5) == 0) return path + 5;
    return path;
}

static const char *without_dot_slash(const char *path)
{
    while (path[0] == '.' && path[1] == '/') {
        path += 2;
        while (path[0] == '/') path++;
    }
    return path;
}

/* A URI scheme ("s3:", "hdfs:"): letters, digits, + - . before the first ':' and no '/'. */
static int has_scheme(const char *path)
{
    const char *cursor = path;
    if (!((*cursor >= 'a' && *cursor <= 'z') || (*cursor >= 'A' && *cursor <= 'Z'))) return 0;
    while ((*cursor >= 'a' && *cursor <= 'z') || (*cursor >= 'A' && *cursor <= 'Z') ||
           (*cursor >= '0' && *cursor <= '9') || *cursor == '+' || *cursor == '-' ||
           *cursor == '.')
        cursor++;
    return *cursor == ':';
}

/* The moved root of a table: when the stored location and the real directory end in the same
 * path components ("…/warehouse/db/t" and "/lake/warehouse/db/t"), what precedes those shared
 * components is the old root and the new one. Lengths of both roots (without their trailing '/')
 * go to *old_root_length and *new_root_length; 0 when nothing is shared or either root is empty. */
static void moved_root(const char *location, size_t location_length, const char *directory,
                       size_t directory_length, size_t *old_root_length, size_t *new_root_length)
{
    *old_root_length = 0;
    *new_root_length = 0;
    size_t old_end = location_length, new_end = directory_length;
    int shared = 0;
    for (;;) {
        size_t old_start = old_end, new_start = new_end;
        while (old_start > 0 && location[old_start - 1] != '/') old_start--;
        while (new_start > 0 && directory[new_start - 1] != '/') new_start--;
        size_t old_component = old_end - old_start, new_component = new_end - new_start;
        if (old_start == 0 || new_start == 0 || old_component == 0 ||
            old_component != new_component ||
            memcmp(location + old_start, directory + new_start, old_component) != 0) {
            break;
        }
        shared++;
        old_end = old_start - 1;
        new_end = new_start - 1;
    }
    if (shared == 0 || old_end == 0 || new_end == 0) return;
    *old_root_length = old_end;
    *new_root_length = new_end;
}

int floe_ice_resolve_path(const char *stored_path, const char *stored_location,
                          const char *table_directory, char **resolved, floe_error *err)
{
    *resolved = NULL;
    FLOE_RETURN_IF(stored_path == NULL || stored_path[0] == '\0', FLOE_EINVAL, err,
                   "empty path in table metadata");
    const char *path = without_file_scheme(stored_path);
    char *candidate = NULL;

    if (path[0] == '/' && exists(path)) {
        size_t length = strlen(path);
        candidate = floe_malloc(length + 1);
        FLOE_RETURN_IF(candidate == NULL, FLOE_ENOMEM, err, "out of memory");
        memcpy(candidate, path, length + 1);
        *resolved = candidate;
        return FLOE_OK;
    }

    const char *relative_path = without_dot_slash(path);
    if (stored_location != NULL) {
        const char *location = without_dot_slash(without_file_scheme(stored_location));
        size_t location_length = strlen(location);
        while (location_length > 1 && location[location_length - 1] == '/') location_length--;
        if (location_length != 0 && strncmp(relative_path, location, location_length) == 0 &&
            relative_path[location_length] == '/') {
            candidate = join_path(table_directory, strlen(table_directory),
                                  relative_path + location_length);
            FLOE_RETURN_IF(candidate == NULL, FLOE_ENOMEM, err, "out of memory");
            if (exists(candidate)) {
                *resolved = candidate;
                return FLOE_OK;
            }
        }
    }

    if (stored_location != NULL) {
        /* A moved warehouse: the file lies outside the table's folder (another table's data,
         * a shared folder) but under the same moved root. */
        const char *location = without_dot_slash(without_file_scheme(stored_location));
        size_t location_length = strlen(location), directory_length = strlen(table_directory);
        while (location_length > 1 && location[location_length - 1] == '/') location_length--;
        while (directory_length > 1 && table_directory[directory_length - 1] == '/') {
            directory_length--;
        }
        size_t old_root, new_root;
        moved_root(location, location_length, table_directory, directory_length, &old_root,
                   &new_root);
        if (old_root != 0 && strncmp(relative_path, location, old_root) == 0 &&
            relative_path[old_root] == '/') {
            floe_free(candidate);
            candidate = join_path(table_directory, new_root, relative_path + old_root + 1);
            FLOE_RETURN_IF(candidate == NULL, FLOE_ENOMEM, err, "out of memory");
            if (exists(candidate)) {
                *resolved = candidate;
                return FLOE_OK;
            }
        }
    }

    if (path[0] != '/' && !has_scheme(path)) {
        floe_free(candidate);
        candidate = join_path(table_directory, strlen(table_directory), relative_path);
        FLOE_RETURN_IF(candidate == NULL, FLOE_ENOMEM, err, "out of memory");
        if (exists(candidate)) {
            *resolved = candidate;
            return FLOE_OK;
        }
    }
    int status = candidate != NULL
                     ? floe_error_set(err, FLOE_ENOTFOUND, "%s: not found (nor as %s)",
                                      stored_path, candidate)
                     : floe_error_set(err, FLOE_ENOTFOUND, "%s: not found", stored_path);
    floe_free(candidate);
    return status;
}
