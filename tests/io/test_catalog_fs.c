/*
 * Description: the file-system catalog (io/catalog_fs.h) and its helpers (io/fs_util.h) in one
 * process: table names and paths, listing, a publish sequence 1..50, conflicts on a stale
 * expected version (link and renameat2 paths), stale / garbage / missing version hints, foreign
 * NNNNN-<uuid> tables, orphan listing and removal, file-system errors (ENOTDIR, missing
 * warehouse) and allocation failure at every allocation. Concurrency and crash safety are in
 * test_commit_concurrency.c and test_commit_crash.c.
 */
#define _GNU_SOURCE /* mkdtemp, nftw */
#include "io/catalog_fs.h"
#include "io/fs_util.h"
#include "io/iceberg_locate.h"
#include "kernels/memory.h"
#include "kernels/status.h"

#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char root[256];

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *ftw)
{
    (void)info, (void)flag, (void)ftw;
    return remove(path);
}

static void setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/floe-catalog-XXXXXX", base != NULL ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(root));
}

static void teardown(void)
{
    nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void join(char *buffer, size_t capacity, const char *first, const char *second)
{
    ck_assert_int_eq(floe_io_path_join(buffer, capacity, first, second, NULL), FLOE_OK);
}

static void under_root(char *buffer, size_t capacity, const char *relative)
{
    ck_assert_int_eq(floe_io_path_join(buffer, capacity, root, relative, NULL), FLOE_OK);
}

static void write_text(const char *path, const char *text)
{
    FILE *file = fopen(path, "w");
    ck_assert_ptr_nonnull(file);
    fputs(text, file);
    fclose(file);
}

static char *read_text(const char *path)
{
    char *bytes = NULL;
    size_t size = 0;
    ck_assert_int_eq(floe_io_read_small_file(path, 1 << 20, &bytes, &size, NULL), FLOE_OK);
    return bytes;
}

static int count_temporaries(const char *table)
{
    floe_io_string_list orphans;
    floe_io_string_list_init(&orphans);
    ck_assert_int_eq(floe_io_catalog_list_orphans(table, NULL, 0, 0, &orphans, NULL), FLOE_OK);
    int count = 0;
    for (size_t i = 0; i < orphans.count; i++) {
        if (strstr(orphans.items[i], "/.tmp-") != NULL) count++;
    }
    floe_io_string_list_fini(&orphans);
    return count;
}

static void publish_ok(const char *table, int64_t expected, const char *text)
{
    floe_error err;
    int64_t published = -1;
    int status = floe_io_catalog_publish(table, expected, text, strlen(text), &published, &err);
    ck_assert_msg(status == FLOE_OK, "publish after %lld: %s", (long long)expected, err.message);
    ck_assert_int_eq(published, expected + 1);
}

/* Appends a copy of text to a list the way the library's lists hold it. */
static int list_push_for_test(floe_io_string_list *list, const char *text)
{
    char **items = floe_realloc(list->items, (list->count + 1) * sizeof *items);
    if (items == NULL) return -1;
    list->items = items;
    list->capacity = list->count + 1;
    size_t length = strlen(text);
    list->items[list->count] = floe_malloc(length + 1);
    if (list->items[list->count] == NULL) return -1;
    memcpy(list->items[list->count++], text, length + 1);
    return 0;
}

/* ---- names ----------------------------------------------------------------------------- */

START_TEST(table_names_map_to_directories_and_bad_names_are_refused)
{
    char buffer[512];
    floe_error err;
    ck_assert_int_eq(floe_io_catalog_table_directory("/w/", "sales.orders_2024", buffer,
                                                     sizeof buffer, &err), FLOE_OK);
    ck_assert_str_eq(buffer, "/w/sales/orders_2024");
    ck_assert_int_eq(floe_io_catalog_table_directory("lake", "a-b.C9", buffer, sizeof buffer,
                                                     &err), FLOE_OK);
    ck_assert_str_eq(buffer, "lake/a-b/C9");

    static const struct { const char *name; const char *fragment; } bad[] = {
        {"", "expected namespace.name"},
        {"orders", "expected namespace.name"},
        {"ns.", "empty part"},
        {".orders", "empty part"},
        {"a.b.c", "nested namespaces"},
        {"../x.y", "nested namespaces"},
        {"ns/x.t", "character '/'"},
        {"ns.t$", "character '$'"},
        {"ns.t x", "character ' '"},
        {"ns.\xc3\xa9t", "character '?'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        floe_error_clear(&err);
        int status = floe_io_catalog_table_directory("/w", bad[i].name, buffer, sizeof buffer,
                                                     &err);
        ck_assert_int_eq(status, FLOE_ESYNTAX);
        ck_assert_msg(strstr(err.message, bad[i].fragment) != NULL, "'%s': %s", bad[i].name,
                      err.message);
        ck_assert_msg(strncmp(err.message, "table name '", 12) == 0, "%s", err.message);
    }
    char long_name[300];
    memset(long_name, 'a', sizeof long_name);
    long_name[0] = 'n', long_name[1] = 's', long_name[2] = '.';
    long_name[sizeof long_name - 1] = '\0';
    ck_assert_int_eq(floe_io_catalog_table_directory("/w", long_name, buffer, sizeof buffer,
                                                     &err), FLOE_ESYNTAX);
    ck_assert_ptr_nonnull(strstr(err.message, "longer than 128"));
    /* A result that does not fit is an error, never a truncated path. */
    char small[8];
    ck_assert_int_eq(floe_io_catalog_table_directory("/warehouse", "ns.t", small, sizeof small,
                                                     &err), FLOE_ERANGE);
    ck_assert_int_eq(floe_io_catalog_check_identifier("ok_1-x", NULL), FLOE_OK);
    ck_assert_int_eq(floe_io_catalog_check_identifier("..", NULL), FLOE_ESYNTAX);
    ck_assert_int_eq(floe_io_catalog_table_directory("", "ns.t", buffer, sizeof buffer, &err),
                     FLOE_EINVAL);
}
END_TEST

START_TEST(new_file_paths_are_unique_uuid_names)
{
    char first[512], second[512];
    floe_error err;
    ck_assert_int_eq(floe_io_catalog_new_file_path("/w/ns/t", "data", "00000-", ".parquet", first,
                                                   sizeof first, &err), FLOE_OK);
    ck_assert_int_eq(floe_io_catalog_new_file_path("/w/ns/t", "data", "00000-", ".parquet",
                                                   second, sizeof second, &err), FLOE_OK);
    ck_assert_str_ne(first, second);
    /* /w/ns/t/data/00000-xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx.parquet */
    const char *uuid = first + strlen("/w/ns/t/data/00000-");
    ck_assert_int_eq(strncmp(first, "/w/ns/t/data/00000-", 19), 0);
    ck_assert_uint_eq(strlen(uuid), 36 + strlen(".parquet"));
    ck_assert_str_eq(uuid + 36, ".parquet");
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            ck_assert_int_eq(uuid[i], '-');
        } else {
            ck_assert_ptr_nonnull(strchr("0123456789abcdef", uuid[i]));
        }
    }
    ck_assert_int_eq(uuid[14], '4');
    ck_assert_ptr_nonnull(strchr("89ab", uuid[19]));
    ck_assert_int_eq(floe_io_catalog_new_file_path("t", "metadata", "snap-42-", ".avro", first,
                                                   sizeof first, &err), FLOE_OK);
    ck_assert_int_eq(strncmp(first, "t/metadata/snap-42-", 19), 0);
    ck_assert_int_eq(floe_io_catalog_new_file_path("t", "floe/state", NULL, "-m0.avro", first,
                                                   sizeof first, &err), FLOE_OK);
    ck_assert_int_eq(strncmp(first, "t/floe/state/", 13), 0);

    static const char *const bad_directories[] = {"../x", "/abs", "a//b", "a/./b", "", "a/.."};
    for (size_t i = 0; i < sizeof bad_directories / sizeof bad_directories[0]; i++) {
        ck_assert_int_eq(floe_io_catalog_new_file_path("t", bad_directories[i], "", ".x", first,
                                                       sizeof first, &err), FLOE_EINVAL);
    }
    ck_assert_int_eq(floe_io_catalog_new_file_path("t", "data", "a/", ".x", first, sizeof first,
                                                   &err), FLOE_EINVAL);
    char small[40];
    ck_assert_int_eq(floe_io_catalog_new_file_path("t", "data", "", ".parquet", small,
                                                   sizeof small, &err), FLOE_ERANGE);
}
END_TEST

/* ---- fs_util --------------------------------------------------------------------------- */

START_TEST(file_helpers_refuse_overwrite_and_report_paths)
{
    char path[512], nested[512];
    floe_error err;
    under_root(path, sizeof path, "one.bin");
    ck_assert_int_eq(floe_io_write_file_durable(path, "abc", 3, &err), FLOE_OK);
    ck_assert_int_eq(floe_io_write_file_durable(path, "xyz!", 4, &err), -EEXIST);
    ck_assert_ptr_nonnull(strstr(err.message, path));
    char *bytes = NULL;
    size_t size = 0;
    ck_assert_int_eq(floe_io_read_small_file(path, 3, &bytes, &size, &err), FLOE_OK);
    ck_assert_uint_eq(size, 3);
    ck_assert_str_eq(bytes, "abc");
    floe_free(bytes);
    ck_assert_int_eq(floe_io_read_small_file(path, 2, &bytes, &size, &err), FLOE_ERANGE);
    ck_assert_ptr_null(bytes);
    ck_assert_int_eq(floe_io_write_file_durable(NULL, "a", 1, &err), FLOE_EINVAL);

    /* mkdir -p, idempotent; through a regular file it is ENOTDIR. */
    under_root(nested, sizeof nested, "a/b//c/");
    ck_assert_int_eq(floe_io_make_directories(nested, &err), FLOE_OK);
    ck_assert_int_eq(floe_io_make_directories(nested, &err), FLOE_OK);
    under_root(nested, sizeof nested, "a/b/c");
    struct stat info;
    ck_assert_int_eq(stat(nested, &info), 0);
    ck_assert(S_ISDIR(info.st_mode));
    under_root(nested, sizeof nested, "one.bin/x/y");
    ck_assert_int_eq(floe_io_make_directories(nested, &err), -ENOTDIR);
    ck_assert_ptr_nonnull(strstr(err.message, "one.bin"));
    ck_assert_int_eq(floe_io_make_directories(path, &err), -ENOTDIR);
    ck_assert_int_eq(floe_io_fsync_directory(root, &err), FLOE_OK);
    under_root(nested, sizeof nested, "missing");
    ck_assert_int_eq(floe_io_fsync_directory(nested, &err), -ENOENT);

    /* Writeback is a hint, even for a missing file; fsyncing files names the one that fails. */
    floe_io_start_writeback(path);
    floe_io_start_writeback(nested);
    const char *files[3] = {path, path, nested};
    ck_assert_int_eq(floe_io_fsync_files(files, 2, &err), FLOE_OK);
    ck_assert_int_eq(floe_io_fsync_files(files, 0, &err), FLOE_OK);
    ck_assert_int_eq(floe_io_fsync_files(files, 3, &err), -ENOENT);
    ck_assert_ptr_nonnull(strstr(err.message, "missing"));

    char joined[16];
    ck_assert_int_eq(floe_io_path_join(joined, sizeof joined, "/a/", "/b", &err), FLOE_OK);
    ck_assert_str_eq(joined, "/a/b");
    ck_assert_int_eq(floe_io_path_join(joined, sizeof joined, "/", "b", &err), FLOE_OK);
    ck_assert_str_eq(joined, "/b");
    ck_assert_int_eq(floe_io_path_join(joined, sizeof joined, "/0123456789", "abcd", &err),
                     FLOE_ERANGE);
    ck_assert_int_eq(floe_io_path_join(joined, sizeof joined, "/0123456789", "abc", &err),
                     FLOE_OK);
    ck_assert_str_eq(joined, "/0123456789/abc");
}
END_TEST

/* ---- publishing ------------------------------------------------------------------------ */

static void publish_sequence(int force_rename)
{
    floe_io_catalog_test_hooks hooks = {NULL, NULL, force_rename};
    floe_io_catalog_set_test_hooks(&hooks);
    char table[512], path[512];
    floe_error err;
    ck_assert_int_eq(floe_io_catalog_table_directory(root, "sales.orders", table, sizeof table,
                                                     &err), FLOE_OK);
    int64_t version = -1;
    ck_assert_int_eq(floe_io_catalog_current_version(table, &version, NULL, &err),
                     FLOE_ENOTFOUND);
    for (int64_t expected = 0; expected < 50; expected++) {
        char text[64];
        snprintf(text, sizeof text, "{\"version\": %lld}", (long long)expected + 1);
        publish_ok(table, expected, text);
        join(path, sizeof path, table, "metadata/version-hint.text");
        char *hint = read_text(path);
        char expected_hint[32];
        snprintf(expected_hint, sizeof expected_hint, "%lld", (long long)expected + 1);
        ck_assert_str_eq(hint, expected_hint);
        floe_free(hint);
        char *current_path = NULL;
        ck_assert_int_eq(floe_io_catalog_current_version(table, &version, &current_path, &err),
                         FLOE_OK);
        ck_assert_int_eq(version, expected + 1);
        ck_assert_int_eq(floe_io_catalog_metadata_path(table, version, path, sizeof path, &err),
                         FLOE_OK);
        ck_assert_str_eq(current_path, path);
        floe_free(current_path);
    }
    for (int64_t v = 1; v <= 50; v++) {
        ck_assert_int_eq(floe_io_catalog_metadata_path(table, v, path, sizeof path, NULL),
                         FLOE_OK);
        char *text = read_text(path);
        char expected_text[64];
        snprintf(expected_text, sizeof expected_text, "{\"version\": %lld}", (long long)v);
        ck_assert_str_eq(text, expected_text);
        floe_free(text);
    }
    ck_assert_int_eq(count_temporaries(table), 0);
    join(path, sizeof path, table, "data");
    struct stat info;
    ck_assert_int_eq(stat(path, &info), 0);
    ck_assert(S_ISDIR(info.st_mode));
    /* The other engineer's locator agrees. */
    char *located = NULL;
    ck_assert_int_eq(floe_ice_locate_metadata(table, &located, &version, &err), FLOE_OK);
    ck_assert_int_eq(version, 50);
    floe_free(located);
    floe_io_catalog_set_test_hooks(NULL);
}

START_TEST(publish_sequence_with_link)
{
    publish_sequence(0);
}
END_TEST

START_TEST(publish_sequence_with_renameat2)
{
    publish_sequence(1);
}
END_TEST

static void stale_expected_version_conflicts(int force_rename)
{
    floe_io_catalog_test_hooks hooks = {NULL, NULL, force_rename};
    floe_io_catalog_set_test_hooks(&hooks);
    char table[512], path[512];
    floe_error err;
    under_root(table, sizeof table, "ns/t");
    for (int64_t expected = 0; expected < 5; expected++) publish_ok(table, expected, "first");
    /* Another writer is at 5; this one still believes 3. */
    int64_t published = -1;
    int status = floe_io_catalog_publish(table, 3, "late", 4, &published, &err);
    ck_assert_int_eq(status, FLOE_ECONFLICT);
    ck_assert_int_eq(published, 0);
    ck_assert_msg(strstr(err.message, "version 4 was published by another writer") != NULL,
                  "%s", err.message);
    ck_assert_ptr_nonnull(strstr(err.message, table));
    ck_assert_int_eq(floe_io_catalog_metadata_path(table, 4, path, sizeof path, NULL), FLOE_OK);
    char *text = read_text(path);
    ck_assert_str_eq(text, "first"); /* never overwritten */
    floe_free(text);
    ck_assert_int_eq(count_temporaries(table), 0);
    /* Creating a table that exists conflicts too. */
    ck_assert_int_eq(floe_io_catalog_publish(table, 0, "new", 3, &published, &err),
                     FLOE_ECONFLICT);
    ck_assert_ptr_nonnull(strstr(err.message, "already exists"));
    /* A version from the future is the caller's mistake. */
    ck_assert_int_eq(floe_io_catalog_publish(table, 9, "x", 1, &published, &err), FLOE_EINVAL);
    ck_assert_int_eq(floe_io_catalog_publish(table, -1, "x", 1, &published, &err), FLOE_EINVAL);
    int64_t version = 0;
    ck_assert_int_eq(floe_io_catalog_current_version(table, &version, NULL, &err), FLOE_OK);
    ck_assert_int_eq(version, 5);
    ck_assert_int_eq(count_temporaries(table), 0);
    /* A gzip-named v6 written by another tool is a published version as well. */
    join(path, sizeof path, table, "metadata/v6.gz.metadata.json");
    write_text(path, "gz");
    ck_assert_int_eq(floe_io_catalog_publish(table, 5, "x", 1, &published, &err),
                     FLOE_ECONFLICT);
    ck_assert_int_eq(floe_io_catalog_current_version(table, &version, NULL, &err), FLOE_OK);
    ck_assert_int_eq(version, 6);
    floe_io_catalog_set_test_hooks(NULL);
}

START_TEST(stale_expected_version_conflicts_with_link)
{
    stale_expected_version_conflicts(0);
}
END_TEST

START_TEST(stale_expected_version_conflicts_with_renameat2)
{
    stale_expected_version_conflicts(1);
}
END_TEST

START_TEST(racing_creators_one_wins)
{
    char table[512];
    under_root(table, sizeof table, "ns/new_table");
    int release[2];
    ck_assert_int_eq(pipe(release), 0);
    pid_t children[4];
    for (int i = 0; i < 4; i++) {
        children[i] = fork();
        ck_assert_int_ge(children[i], 0);
        if (children[i] == 0) {
            char byte;
            close(release[1]);
            if (read(release[0], &byte, 1) < 0) _exit(3);
            char text[32];
            snprintf(text, sizeof text, "creator %d", i);
            int status = floe_io_catalog_publish(table, 0, text, strlen(text), NULL, NULL);
            _exit(status == FLOE_OK ? 0 : status == FLOE_ECONFLICT ? 1 : 2);
        }
    }
    close(release[0]);
    close(release[1]);
    int winners = 0, losers = 0, winner = -1;
    for (int i = 0; i < 4; i++) {
        int wait_status = 0;
        ck_assert_int_eq(waitpid(children[i], &wait_status, 0), children[i]);
        ck_assert(WIFEXITED(wait_status));
        ck_assert_int_ne(WEXITSTATUS(wait_status), 2);
        if (WEXITSTATUS(wait_status) == 0) winners++, winner = i;
        if (WEXITSTATUS(wait_status) == 1) losers++;
    }
    ck_assert_int_eq(winners, 1);
    ck_assert_int_eq(losers, 3);
    char path[512], expected[32];
    ck_assert_int_eq(floe_io_catalog_metadata_path(table, 1, path, sizeof path, NULL), FLOE_OK);
    char *text = read_text(path);
    snprintf(expected, sizeof expected, "creator %d", winner);
    ck_assert_str_eq(text, expected);
    floe_free(text);
    ck_assert_int_eq(floe_io_catalog_metadata_path(table, 2, path, sizeof path, NULL), FLOE_OK);
    ck_assert_int_ne(access(path, F_OK), 0);
    ck_assert_int_eq(count_temporaries(table), 0);
}
END_TEST

START_TEST(hint_is_only_a_hint)
{
    char table[512], hint[512];
    floe_error err;
    under_root(table, sizeof table, "ns/t");
    for (int64_t expected = 0; expected < 5; expected++) publish_ok(table, expected, "m");
    join(hint, sizeof hint, table, "metadata/version-hint.text");
    static const char *const hints[] = {"3", "3\n", "garbage", "99", "", "-2", "1x"};
    for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++) {
        unlink(hint);
        write_text(hint, hints[i]);
        int64_t version = 0;
        char *path = NULL;
        ck_assert_int_eq(floe_io_catalog_current_version(table, &version, &path, &err), FLOE_OK);
        ck_assert_msg(version == 5, "hint '%s': version %lld", hints[i], (long long)version);
        ck_assert_ptr_nonnull(strstr(path, "/metadata/v5.metadata.json"));
        floe_free(path);
    }
    unlink(hint);
    int64_t version = 0;
    ck_assert_int_eq(floe_io_catalog_current_version(table, &version, NULL, &err), FLOE_OK);
    ck_assert_int_eq(version, 5);
    /* A stale hint (the crash case): the next publish builds on 5 and repairs the hint. */
    write_text(hint, "2");
    publish_ok(table, 5, "m");
    char *text = read_text(hint);
    ck_assert_str_eq(text, "6");
    floe_free(text);
    /* The hint repair also catches versions published after this writer's own. */
    char path[512];
    ck_assert_int_eq(floe_io_catalog_metadata_path(table, 8, path, sizeof path, NULL), FLOE_OK);
    write_text(path, "from a racing writer");
    ck_assert_int_eq(floe_io_catalog_publish(table, 6, "x", 1, NULL, &err), FLOE_OK);
    text = read_text(hint);
    ck_assert_str_eq(text, "8");
    floe_free(text);
}
END_TEST

START_TEST(foreign_uuid_named_table_continues_with_v_names)
{
    char table[512], path[512];
    floe_error err;
    under_root(table, sizeof table, "ns/foreign/metadata");
    ck_assert_int_eq(floe_io_make_directories(table, &err), FLOE_OK);
    under_root(path, sizeof path,
               "ns/foreign/metadata/00002-5d9111ed-e56c-4ceb-9040-09d3be71926b.metadata.json");
    write_text(path, "two");
    under_root(path, sizeof path,
               "ns/foreign/metadata/00003-75643dae-a7a7-46ae-ab30-ea80d3793f3f.metadata.json");
    write_text(path, "three");
    under_root(table, sizeof table, "ns/foreign");
    int64_t version = 0;
    char *current = NULL;
    ck_assert_int_eq(floe_io_catalog_current_version(table, &version, &current, &err), FLOE_OK);
    ck_assert_int_eq(version, 3);
    ck_assert_str_eq(current, path);
    floe_free(current);
    ck_assert_int_eq(floe_io_catalog_publish(table, 2, "x", 1, NULL, &err), FLOE_ECONFLICT);
    publish_ok(table, 3, "four");
    ck_assert_int_eq(floe_io_catalog_current_version(table, &version, NULL, &err), FLOE_OK);
    ck_assert_int_eq(version, 4);
}
END_TEST

START_TEST(file_system_errors_name_the_path)
{
    char file[512], table[512];
    floe_error err;
    under_root(file, sizeof file, "plain-file");
    write_text(file, "x");
    /* A warehouse below a regular file: ENOTDIR from the directory creation. */
    ck_assert_int_eq(floe_io_catalog_table_directory(file, "ns.t", table, sizeof table, &err),
                     FLOE_OK);
    int64_t published = -1;
    int status = floe_io_catalog_publish(table, 0, "m", 1, &published, &err);
    ck_assert_int_eq(status, -ENOTDIR);
    ck_assert_int_eq(published, 0);
    ck_assert_ptr_nonnull(strstr(err.message, "plain-file"));
    int64_t version = 0;
    ck_assert_int_eq(floe_io_catalog_current_version(table, &version, NULL, &err),
                     FLOE_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(err.message, "not a table"));
    /* Missing warehouse. */
    char missing[512];
    under_root(missing, sizeof missing, "no-such-warehouse");
    floe_io_string_list list;
    floe_io_string_list_init(&list);
    ck_assert_int_eq(floe_io_catalog_list_tables(missing, NULL, &list, &err), FLOE_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(err.message, "no-such-warehouse"));
    ck_assert_int_eq(floe_io_catalog_list_namespaces(missing, &list, &err), FLOE_ENOTFOUND);
    ck_assert_int_eq(floe_io_catalog_list_tables(file, NULL, &list, &err), -ENOTDIR);
    ck_assert_uint_eq(list.count, 0);
    ck_assert_int_eq(floe_io_catalog_list_orphans(missing, NULL, 0, 0, &list, &err),
                     FLOE_ENOTFOUND);
    /* A table directory without metadata/. */
    under_root(table, sizeof table, "ns/empty");
    ck_assert_int_eq(floe_io_make_directories(table, &err), FLOE_OK);
    ck_assert_int_eq(floe_io_catalog_current_version(table, &version, NULL, &err),
                     FLOE_ENOTFOUND);
    floe_io_string_list_fini(&list);
}
END_TEST

START_TEST(listing_namespaces_and_tables)
{
    static const char *const tables[] = {"b.t3", "a.t2", "a.t1", "c-1.x_y"};
    char table[512], path[512];
    floe_error err;
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(floe_io_catalog_table_directory(root, tables[i], table, sizeof table,
                                                         &err), FLOE_OK);
        publish_ok(table, 0, "m");
    }
    /* Noise: an empty namespace, a directory without metadata/, a badly named directory with a
     * table inside, a regular file. */
    under_root(path, sizeof path, "empty");
    ck_assert_int_eq(floe_io_make_directories(path, &err), FLOE_OK);
    under_root(path, sizeof path, "a/not_a_table/data");
    ck_assert_int_eq(floe_io_make_directories(path, &err), FLOE_OK);
    under_root(path, sizeof path, "bad.dir/t/metadata");
    ck_assert_int_eq(floe_io_make_directories(path, &err), FLOE_OK);
    under_root(path, sizeof path, "a/file");
    write_text(path, "x");

    floe_io_string_list list;
    floe_io_string_list_init(&list);
    ck_assert_int_eq(floe_io_catalog_list_namespaces(root, &list, &err), FLOE_OK);
    ck_assert_uint_eq(list.count, 3);
    ck_assert_str_eq(list.items[0], "a");
    ck_assert_str_eq(list.items[1], "b");
    ck_assert_str_eq(list.items[2], "c-1");
    floe_io_string_list_fini(&list);
    ck_assert_int_eq(floe_io_catalog_list_tables(root, NULL, &list, &err), FLOE_OK);
    ck_assert_uint_eq(list.count, 4);
    ck_assert_str_eq(list.items[0], "a.t1");
    ck_assert_str_eq(list.items[1], "a.t2");
    ck_assert_str_eq(list.items[2], "b.t3");
    ck_assert_str_eq(list.items[3], "c-1.x_y");
    floe_io_string_list_fini(&list);
    ck_assert_int_eq(floe_io_catalog_list_tables(root, "a", &list, &err), FLOE_OK);
    ck_assert_uint_eq(list.count, 2);
    ck_assert_str_eq(list.items[1], "a.t2");
    floe_io_string_list_fini(&list);
    ck_assert_int_eq(floe_io_catalog_list_tables(root, "empty", &list, &err), FLOE_OK);
    ck_assert_uint_eq(list.count, 0);
    ck_assert_int_eq(floe_io_catalog_list_tables(root, "zz", &list, &err), FLOE_ENOTFOUND);
    ck_assert_int_eq(floe_io_catalog_list_tables(root, "../a", &list, &err), FLOE_ESYNTAX);
    floe_io_string_list_fini(&list);
    floe_io_string_list_fini(NULL);
}
END_TEST

/* ---- orphans --------------------------------------------------------------------------- */

START_TEST(orphans_are_unreferenced_files_and_temporaries)
{
    char table[512], path[512];
    floe_error err;
    under_root(table, sizeof table, "ns/t");
    publish_ok(table, 0, "m");
    static const char *const files[] = {
        "data/a.parquet",        "data/b.parquet",           "data/part=1/c.parquet",
        "metadata/m1.avro",      "metadata/m2.avro",         "metadata/.tmp-x.metadata.json",
        "floe/state/s1.parquet", "floe/state/s2.parquet",    "data/.tmp-odd",
        "elsewhere.txt",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        ck_assert_int_eq(floe_io_path_join(path, sizeof path, table, files[i], NULL), FLOE_OK);
        char directory[512];
        snprintf(directory, sizeof directory, "%s", path);
        *strrchr(directory, '/') = '\0';
        ck_assert_int_eq(floe_io_make_directories(directory, &err), FLOE_OK);
        write_text(path, "x");
    }
    char absolute[512];
    join(absolute, sizeof absolute, table, "data/part=1/c.parquet");
    const char *referenced[] = {"data/a.parquet", absolute, "./metadata/m1.avro",
                                "floe/state/s2.parquet", "/somewhere/else/x.parquet",
                                "metadata/.tmp-x.metadata.json"};
    floe_io_string_list orphans;
    floe_io_string_list_init(&orphans);
    ck_assert_int_eq(floe_io_catalog_list_orphans(table, referenced, 6, 0, &orphans, &err),
                     FLOE_OK);
    static const char *const expected[] = {"data/.tmp-odd", "data/b.parquet",
                                           "floe/state/s1.parquet",
                                           "metadata/.tmp-x.metadata.json", "metadata/m2.avro"};
    ck_assert_uint_eq(orphans.count, 5);
    for (size_t i = 0; i < 5; i++) {
        ck_assert_int_eq(floe_io_path_join(path, sizeof path, table, expected[i], NULL), FLOE_OK);
        ck_assert_str_eq(orphans.items[i], path);
    }
    /* Young files are left alone (a commit may be in flight). */
    floe_io_string_list young;
    floe_io_string_list_init(&young);
    ck_assert_int_eq(floe_io_catalog_list_orphans(table, referenced, 6, 3600, &young, &err),
                     FLOE_OK);
    ck_assert_uint_eq(young.count, 0);
    floe_io_string_list_fini(&young);

    size_t removed = 0;
    ck_assert_int_eq(floe_io_catalog_remove_files(table, &orphans, &removed, &err), FLOE_OK);
    ck_assert_uint_eq(removed, 5);
    ck_assert_int_eq(floe_io_catalog_remove_files(table, &orphans, &removed, &err), FLOE_OK);
    ck_assert_uint_eq(removed, 0);
    floe_io_string_list_fini(&orphans);
    ck_assert_int_eq(floe_io_catalog_list_orphans(table, referenced, 6, 0, &orphans, &err),
                     FLOE_OK);
    ck_assert_uint_eq(orphans.count, 0);
    int64_t version = 0;
    ck_assert_int_eq(floe_io_catalog_current_version(table, &version, NULL, &err), FLOE_OK);
    ck_assert_int_eq(version, 1);
    join(path, sizeof path, table, "data/a.parquet");
    ck_assert_int_eq(access(path, F_OK), 0);
    join(path, sizeof path, table, "elsewhere.txt");
    ck_assert_int_eq(access(path, F_OK), 0);

    /* Removal refuses paths outside the table, before removing anything. */
    join(path, sizeof path, table, "data/a.parquet");
    ck_assert_int_eq(list_push_for_test(&orphans, path), 0);
    join(path, sizeof path, table, "../t2/x");
    ck_assert_int_eq(list_push_for_test(&orphans, path), 0);
    ck_assert_int_eq(floe_io_catalog_remove_files(table, &orphans, &removed, &err), FLOE_EINVAL);
    join(path, sizeof path, table, "data/a.parquet");
    ck_assert_int_eq(access(path, F_OK), 0);
    floe_io_string_list_fini(&orphans);
}
END_TEST

/* ---- allocation failure ---------------------------------------------------------------- */

START_TEST(every_allocation_failure_is_reported_and_leaks_nothing)
{
    char table[512], path[512];
    floe_error err;
    under_root(table, sizeof table, "ns/t");
    publish_ok(table, 0, "m");
    publish_ok(table, 1, "m");
    under_root(path, sizeof path, "ns/t/data/x.parquet");
    write_text(path, "x");
    const char *referenced[] = {"data/y.parquet"};
    int succeeded = 0;
    for (long budget = 0; budget < 200 && !succeeded; budget++) {
        floe_set_allocation_failure_after(budget);
        int64_t version = 0;
        char *current = NULL;
        floe_io_string_list tables, orphans;
        floe_io_string_list_init(&tables);
        floe_io_string_list_init(&orphans);
        char *bytes = NULL;
        size_t size = 0;
        int status = floe_io_catalog_current_version(table, &version, &current, &err);
        if (status == FLOE_OK) status = floe_io_catalog_list_tables(root, NULL, &tables, &err);
        if (status == FLOE_OK) status = floe_io_catalog_list_namespaces(root, &tables, &err);
        if (status == FLOE_OK) {
            status = floe_io_catalog_list_orphans(table, referenced, 1, 0, &orphans, &err);
        }
        if (status == FLOE_OK) status = floe_io_read_small_file(path, 10, &bytes, &size, &err);
        if (status == FLOE_OK) status = floe_io_make_directories(table, &err);
        if (status == FLOE_OK) status = floe_io_catalog_publish(table, 2, "m", 1, NULL, &err);
        floe_set_allocation_failure_after(-1);
        if (status == FLOE_OK) {
            succeeded = 1;
            ck_assert_int_eq(version, 2);
            ck_assert_uint_eq(tables.count, 2);
            ck_assert_uint_eq(orphans.count, 1);
        } else {
            ck_assert_msg(status == FLOE_ENOMEM, "budget %ld: %s", budget, err.message);
            ck_assert_ptr_nonnull(strstr(err.message, "out of memory"));
        }
        floe_free(current);
        floe_free(bytes);
        floe_io_string_list_fini(&tables);
        floe_io_string_list_fini(&orphans);
    }
    ck_assert(succeeded);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("catalog_fs");
    TCase *names = tcase_create("names");
    tcase_add_checked_fixture(names, setup, teardown);
    tcase_add_test(names, table_names_map_to_directories_and_bad_names_are_refused);
    tcase_add_test(names, new_file_paths_are_unique_uuid_names);
    tcase_add_test(names, file_helpers_refuse_overwrite_and_report_paths);
    suite_add_tcase(suite, names);
    TCase *commits = tcase_create("commits");
    tcase_add_checked_fixture(commits, setup, teardown);
    tcase_set_timeout(commits, 60);
    tcase_add_test(commits, publish_sequence_with_link);
    tcase_add_test(commits, publish_sequence_with_renameat2);
    tcase_add_test(commits, stale_expected_version_conflicts_with_link);
    tcase_add_test(commits, stale_expected_version_conflicts_with_renameat2);
    tcase_add_test(commits, racing_creators_one_wins);
    tcase_add_test(commits, hint_is_only_a_hint);
    tcase_add_test(commits, foreign_uuid_named_table_continues_with_v_names);
    tcase_add_test(commits, file_system_errors_name_the_path);
    suite_add_tcase(suite, commits);
    TCase *catalog = tcase_create("catalog");
    tcase_add_checked_fixture(catalog, setup, teardown);
    tcase_add_test(catalog, listing_namespaces_and_tables);
    tcase_add_test(catalog, orphans_are_unreferenced_files_and_temporaries);
    tcase_add_test(catalog, every_allocation_failure_is_reported_and_leaks_nothing);
    suite_add_tcase(suite, catalog);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}
