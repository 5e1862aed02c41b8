/*
 * Description: the process-wide cache of parsed metadata files (io/iceberg_metadata_cache.h),
 * through floe_ice_table_open as its users reach it. Tables are created in a temporary folder
 * by the commit protocol. Checked: a file is parsed once however often it is opened (one
 * parse, the same pointer), also right after it was written; a new version is seen at the next
 * open; a file replaced under the same path is read again and the stale parse dropped, even
 * when the new bytes have the old file's inode, size and modification time; unreferenced
 * parses are bounded, least recently released evicted; concurrent opens on threads;
 * allocation failures; a missing file.
 */
#define _GNU_SOURCE /* mkdtemp, nftw */

#include "io/iceberg_commit.h"
#include "io/iceberg_metadata_cache.h"
#include "io/iceberg_table.h"
#include "kernels/memory.h" /* floe_set_allocation_failure_after */

#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static char root[256];

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *ftw)
{
    (void)info, (void)flag, (void)ftw;
    return remove(path);
}

static void setup(void)
{
    snprintf(root, sizeof root, "/tmp/floe_metadata_cache_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
    floe_ice_metadata_cache_clear();
}

static void teardown(void)
{
    nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    floe_ice_metadata_cache_clear();
}

/* Creates table <root>/<name> with one column and property "tag" = tag. */
static void create_table(const char *name, const char *tag, char *directory, size_t size)
{
    snprintf(directory, size, "%s/%s", root, name);
    floe_ice_new_column column = {"id", floe_type_make(FLOE_TYPE_INT64), 1, 0, NULL};
    floe_ice_property property = {"tag", tag};
    floe_error err;
    ck_assert_msg(floe_ice_commit_create_table(directory, &column, 1, &property, 1, &err) ==
                      FLOE_OK,
                  "%s", err.message);
}

static floe_ice_table *open_table(const char *directory)
{
    floe_ice_table *table = NULL;
    floe_error err;
    ck_assert_msg(floe_ice_table_open(&table, directory, NULL, &err) == FLOE_OK, "%s",
                  err.message);
    return table;
}

static floe_ice_metadata_cache_stats stats(void)
{
    floe_ice_metadata_cache_stats now;
    floe_ice_metadata_cache_stats_get(&now);
    return now;
}

START_TEST(file_is_parsed_once)
{
    char directory[512];
    create_table("t", "a", directory, sizeof directory);
    floe_ice_metadata_cache_stats start = stats();
    floe_ice_table *first = open_table(directory);
    floe_ice_table *second = open_table(directory);
    ck_assert_ptr_eq(first->metadata, second->metadata);
    ck_assert_str_eq(floe_ice_property_get(second->metadata, "tag"), "a");
    floe_ice_metadata_cache_stats now = stats();
    ck_assert_uint_eq(now.parses - start.parses, 1);
    ck_assert_uint_eq(now.hits - start.hits, 1);
    ck_assert_uint_eq(now.entries, 1);
    ck_assert_uint_eq(now.unreferenced, 0);
    floe_ice_table_free(first);
    ck_assert_uint_eq(stats().unreferenced, 0); /* `second` still holds it */
    floe_ice_table_free(second);
    ck_assert_uint_eq(stats().unreferenced, 1);
    floe_ice_table *third = open_table(directory); /* kept while unreferenced */
    ck_assert_uint_eq(stats().parses - start.parses, 1);
    ck_assert_uint_eq(stats().unreferenced, 0);
    floe_ice_table_free(third);
}
END_TEST

START_TEST(just_written_file_is_shared)
{
    char directory[512];
    create_table("t", "a", directory, sizeof directory);
    floe_ice_metadata_cache_stats start = stats();
    floe_ice_table *first = open_table(directory);
    floe_ice_table *second = open_table(directory);
    ck_assert_ptr_eq(first->metadata, second->metadata);
    ck_assert_uint_eq(stats().parses - start.parses, 1);
    floe_ice_table_free(first);
    floe_ice_table_free(second);
    ck_assert_uint_eq(stats().unreferenced, 1);
}
END_TEST

/* The bytes decide: the same inode rewritten in place with the same size and its old
 * modification time put back still reads as what it now holds. */
START_TEST(rewritten_bytes_are_parsed_again)
{
    char directory[512], path[600];
    create_table("t", "a", directory, sizeof directory);
    snprintf(path, sizeof path, "%s/metadata/v1.metadata.json", directory);
    struct stat before;
    ck_assert_int_eq(stat(path, &before), 0);
    floe_ice_table_free(open_table(directory));
    FILE *file = fopen(path, "r+");
    ck_assert_ptr_nonnull(file);
    static char text[1 << 16];
    size_t size = fread(text, 1, sizeof text, file);
    ck_assert_uint_lt(size, sizeof text);
    text[size] = '\0';
    char *tag = strstr(text, "\"tag\":\"a\"");
    if (tag == NULL) tag = strstr(text, "\"tag\": \"a\"");
    ck_assert_ptr_nonnull(tag);
    char *value = strchr(tag + 5, 'a');
    *value = 'b';
    ck_assert_int_eq(fseek(file, 0, SEEK_SET), 0);
    ck_assert_uint_eq(fwrite(text, 1, size, file), size);
    ck_assert_int_eq(fclose(file), 0);
    struct timespec times[2] = {before.st_atim, before.st_mtim};
    ck_assert_int_eq(utimensat(AT_FDCWD, path, times, 0), 0);
    struct stat after;
    ck_assert_int_eq(stat(path, &after), 0);
    ck_assert_uint_eq(after.st_ino, before.st_ino);
    ck_assert_int_eq(after.st_size, before.st_size);
    floe_ice_metadata_cache_stats start = stats();
    floe_ice_table *table = open_table(directory);
    ck_assert_str_eq(floe_ice_property_get(table->metadata, "tag"), "b");
    ck_assert_uint_eq(stats().parses - start.parses, 1);
    ck_assert_uint_eq(stats().entries, 1); /* the stale parse is gone */
    floe_ice_table_free(table);
}
END_TEST

START_TEST(new_version_is_seen)
{
    char directory[512];
    create_table("t", "a", directory, sizeof directory);
    floe_ice_table *old = open_table(directory);
    floe_ice_property property = {"tag", "b"};
    floe_error err;
    ck_assert_msg(floe_ice_commit_properties(directory, &property, 1, NULL, 0, NULL, &err) ==
                      FLOE_OK,
                  "%s", err.message);
    floe_ice_metadata_cache_stats start = stats();
    floe_ice_table *current = open_table(directory);
    ck_assert_int_eq(current->metadata_version, 2);
    ck_assert_str_eq(floe_ice_property_get(current->metadata, "tag"), "b");
    ck_assert_str_eq(floe_ice_property_get(old->metadata, "tag"), "a"); /* still valid */
    ck_assert_uint_eq(stats().parses - start.parses, 1);
    floe_ice_table_free(old);
    floe_ice_table_free(current);
    ck_assert_uint_eq(stats().entries, 2);
    ck_assert_uint_eq(stats().unreferenced, 2);
}
END_TEST

START_TEST(replaced_file_is_read_again)
{
    char directory[512], other[512], path[600], replacement[600];
    create_table("t", "a", directory, sizeof directory);
    create_table("u", "z", other, sizeof other); /* same length, another inode */
    floe_ice_table_free(open_table(directory));
    ck_assert_uint_eq(stats().unreferenced, 1);
    snprintf(path, sizeof path, "%s/metadata/v1.metadata.json", directory);
    snprintf(replacement, sizeof replacement, "%s/metadata/v1.metadata.json", other);
    ck_assert_int_eq(rename(replacement, path), 0);
    floe_ice_metadata_cache_stats start = stats();
    floe_ice_table *table = open_table(directory);
    ck_assert_str_eq(floe_ice_property_get(table->metadata, "tag"), "z");
    ck_assert_uint_eq(stats().parses - start.parses, 1);
    ck_assert_uint_eq(stats().entries, 1); /* the stale parse is gone */
    floe_ice_table_free(table);
}
END_TEST

START_TEST(unreferenced_entries_are_bounded)
{
    enum { TABLES = FLOE_ICE_METADATA_CACHE_UNREFERENCED + 8 };
    char directories[TABLES][512];
    for (int i = 0; i < TABLES; i++) {
        char name[32];
        snprintf(name, sizeof name, "t%d", i);
        create_table(name, "a", directories[i], sizeof directories[i]);
        floe_ice_table_free(open_table(directories[i]));
        size_t kept = i + 1 < FLOE_ICE_METADATA_CACHE_UNREFERENCED
                          ? (size_t)i + 1
                          : (size_t)FLOE_ICE_METADATA_CACHE_UNREFERENCED;
        ck_assert_uint_eq(stats().unreferenced, kept);
        ck_assert_uint_eq(stats().entries, kept);
    }
    floe_ice_metadata_cache_stats start = stats();
    floe_ice_table_free(open_table(directories[TABLES - 1])); /* recent: kept */
    ck_assert_uint_eq(stats().parses, start.parses);
    floe_ice_table_free(open_table(directories[0])); /* first released: evicted */
    ck_assert_uint_eq(stats().parses, start.parses + 1);
    ck_assert_uint_eq(stats().entries, FLOE_ICE_METADATA_CACHE_UNREFERENCED);
}
END_TEST

enum { THREADS = 4, OPENS_PER_THREAD = 200 };

static void *open_repeatedly(void *directory)
{
    for (int i = 0; i < OPENS_PER_THREAD; i++) {
        floe_ice_table *table = NULL;
        floe_error err;
        if (floe_ice_table_open(&table, directory, NULL, &err) != FLOE_OK) return directory;
        int ok = strcmp(floe_ice_property_get(table->metadata, "tag"), "a") == 0;
        floe_ice_table_free(table);
        if (!ok) return directory;
    }
    return NULL;
}

START_TEST(concurrent_opens)
{
    char directory[512];
    create_table("t", "a", directory, sizeof directory);
    floe_ice_metadata_cache_stats start = stats();
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++)
        ck_assert_int_eq(pthread_create(&threads[t], NULL, open_repeatedly, directory), 0);
    for (int t = 0; t < THREADS; t++) {
        void *failed = NULL;
        ck_assert_int_eq(pthread_join(threads[t], &failed), 0);
        ck_assert_ptr_null(failed);
    }
    floe_ice_metadata_cache_stats now = stats();
    ck_assert_uint_le(now.parses - start.parses, THREADS); /* at most one racing miss each */
    ck_assert_uint_eq(now.parses - start.parses + now.hits - start.hits,
                      THREADS * OPENS_PER_THREAD);
    ck_assert_uint_eq(now.entries, 1);
    ck_assert_uint_eq(now.unreferenced, 1);
}
END_TEST

START_TEST(allocation_failures_are_clean)
{
    char directory[512];
    create_table("t", "a", directory, sizeof directory);
    int succeeded = 0;
    for (long budget = 0; budget < 20000 && !succeeded; budget++) {
        floe_ice_metadata_cache_clear();
        floe_ice_table *table = NULL;
        floe_error err;
        floe_set_allocation_failure_after(budget);
        int status = floe_ice_table_open(&table, directory, NULL, &err);
        floe_set_allocation_failure_after(-1);
        if (status == FLOE_OK) {
            ck_assert_str_eq(floe_ice_property_get(table->metadata, "tag"), "a");
            succeeded = 1;
        } else {
            ck_assert_msg(status == FLOE_ENOMEM, "budget %ld: %d %s", budget, status,
                          err.message);
            ck_assert_uint_eq(stats().entries, 0);
        }
        floe_ice_table_free(table);
    }
    ck_assert(succeeded);
    ck_assert_uint_eq(stats().entries, 1);
}
END_TEST

START_TEST(missing_file_is_an_error)
{
    char path[512];
    snprintf(path, sizeof path, "%s/v1.metadata.json", root);
    const floe_ice_table_metadata *metadata = NULL;
    floe_error err;
    ck_assert_int_lt(floe_ice_metadata_cache_acquire(path, &metadata, &err), 0);
    ck_assert_ptr_null(metadata);
    ck_assert_ptr_nonnull(strstr(err.message, path));
    ck_assert_uint_eq(stats().entries, 0);
    floe_ice_metadata_cache_release(NULL);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("iceberg_metadata_cache");
    TCase *cache = tcase_create("cache");
    tcase_set_timeout(cache, 120);
    tcase_add_checked_fixture(cache, setup, teardown);
    tcase_add_test(cache, file_is_parsed_once);
    tcase_add_test(cache, just_written_file_is_shared);
    tcase_add_test(cache, rewritten_bytes_are_parsed_again);
    tcase_add_test(cache, new_version_is_seen);
    tcase_add_test(cache, replaced_file_is_read_again);
    tcase_add_test(cache, unreferenced_entries_are_bounded);
    tcase_add_test(cache, concurrent_opens);
    tcase_add_test(cache, allocation_failures_are_clean);
    tcase_add_test(cache, missing_file_is_an_error);
    suite_add_tcase(suite, cache);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
