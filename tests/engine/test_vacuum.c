/*
 * Description: vacuum (engine/vacuum.h) on a table with two appends and an overwrite, whose
 * snapshots name a state manifest: the files of an unpublished commit, a stray state file and a
 * temporary file are orphans; every data file of every snapshot (the overwritten one included),
 * every manifest and list, the state manifest and the state files it names are kept; a dry run
 * removes nothing; the age guard protects fresh files; after the vacuum every snapshot still
 * reads its rows; a table whose manifest list is unreadable is not vacuumed at all; a changelog
 * named by any snapshot's `floe.changelog` (not only the current one's) is kept while a stray
 * one in floe/changelog/ is an orphan.
 */
#define _GNU_SOURCE /* mkdtemp, nftw */
#include "engine/state_store.h"
#include "engine/vacuum.h"
#include "io/iceberg_commit.h"
#include "io/iceberg_scan.h"
#include "io/iceberg_table.h"
#include "io/parquet_writer.h"
#include "kernels/memory.h"

#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[256];
static char table[512];

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *ftw)
{
    (void)info, (void)flag, (void)ftw;
    return remove(path);
}

static void setup(void)
{
    snprintf(root, sizeof root, "/tmp/floe-vacuum-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
    snprintf(table, sizeof table, "%s/ns/t", root);
    floe_ice_new_column columns[] = {{"id", {FLOE_TYPE_INT64, 0, 0}, 1, 1, NULL}};
    floe_error err;
    ck_assert_msg(floe_ice_commit_create_table(table, columns, 1, NULL, 0, &err) == FLOE_OK, "%s",
                  err.message);
}

static void teardown(void)
{
    nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_data(const char *name, int64_t first, uint32_t rows, char *path, size_t size,
                       floe_ice_data_file *file)
{
    snprintf(path, size, "%s/data/%s.parquet", table, name);
    floe_pq_write_column column = {"id", {FLOE_TYPE_INT64, 0, 0}, false, 1};
    floe_pq_write_schema schema = {&column, 1, NULL, NULL, 0};
    floe_type type = floe_type_make(FLOE_TYPE_INT64);
    floe_pq_writer *writer = NULL;
    floe_batch batch;
    floe_pq_write_result result;
    floe_error err;
    ck_assert_int_eq(floe_batch_init(&batch, 1, &type, &err), 0);
    for (uint32_t i = 0; i < rows; i++)
        ((int64_t *)batch.columns[0].data)[i] = first + i;
    batch.row_count = rows;
    ck_assert_int_eq(floe_pq_writer_create(&writer, path, &schema, NULL, &err), 0);
    ck_assert_int_eq(floe_pq_writer_write_batch(writer, &batch, &err), 0);
    ck_assert_int_eq(floe_pq_writer_close(writer, &result, &err), 0);
    floe_pq_writer_free(writer);
    floe_batch_fini(&batch);
    memset(file, 0, sizeof *file);
    file->content = FLOE_ICE_CONTENT_DATA;
    file->file_path = path;
    file->file_format = "parquet";
    file->record_count = (int64_t)result.row_count;
    file->file_size_in_bytes = (int64_t)result.file_size;
}

static void touch(const char *relative)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", table, relative);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    char command[1200];
    snprintf(command, sizeof command, "mkdir -p '%s'", path);
    ck_assert_int_eq(system(command), 0);
    *slash = '/';
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "junk", 4), 4);
    close(fd);
}

static bool exists(const char *path)
{
    struct stat info;
    return stat(path, &info) == 0;
}

static int64_t rows_at(int64_t snapshot_id)
{
    floe_ice_table *opened = NULL;
    floe_error err;
    ck_assert_int_eq(floe_ice_table_open(&opened, table, NULL, &err), 0);
    floe_ice_scan_reader_options options = {.snapshot_id = snapshot_id};
    floe_ice_scan_reader *reader = NULL;
    ck_assert_msg(floe_ice_scan_reader_open(&reader, opened, &options, &err) == 0, "%s",
                  err.message);
    floe_batch batch;
    ck_assert_int_eq(floe_ice_scan_reader_batch_init(reader, &batch, &err), 0);
    int64_t rows = 0;
    for (;;) {
        ck_assert_msg(floe_ice_scan_reader_next_batch(reader, &batch, &err) == 0, "%s",
                      err.message);
        if (batch.row_count == 0)
            break;
        rows += floe_batch_live_count(&batch);
    }
    floe_batch_fini(&batch);
    floe_ice_scan_reader_free(reader);
    floe_ice_table_free(opened);
    return rows;
}

/* Builds the history: append a (10 rows), append b (20 rows) with a state manifest naming one
 * state file, overwrite b by c (5 rows). Returns the three snapshot ids. */
static void build_history(int64_t snapshots[3], char *state_file, size_t state_file_size,
                          char *first_data, size_t first_data_size)
{
    char path_b[1024], path_c[1024];
    floe_ice_data_file a, b, c;
    write_data("a", 0, 10, first_data, first_data_size, &a);
    write_data("b", 100, 20, path_b, sizeof path_b, &b);
    write_data("c", 200, 5, path_c, sizeof path_c, &c);

    floe_error err;
    floe_ice_commit_result result;
    floe_ice_commit_request request = {.added_files = &a, .added_count = 1,
                                       .expected_schema_id = -1};
    ck_assert_msg(floe_ice_commit(table, &request, &result, &err) == 0, "%s", err.message);
    snapshots[0] = result.snapshot_id;

    snprintf(state_file, state_file_size, "%s/floe/state/bucket-0-x.parquet", table);
    touch("floe/state/bucket-0-x.parquet");
    floe_eng_state_manifest manifest;
    floe_eng_state_manifest_init(&manifest);
    floe_eng_state_set *set = NULL;
    ck_assert_int_eq(floe_eng_state_manifest_add_set(&manifest, "aggregate", 1, 1, &set, &err), 0);
    ck_assert_int_eq(floe_eng_state_set_bucket(set, 0, state_file, 1, NULL, 0, &err), 0);
    char *manifest_path = NULL;
    ck_assert_int_eq(floe_eng_state_manifest_write(table, &manifest, &manifest_path, &err), 0);
    floe_eng_state_manifest_fini(&manifest);
    floe_ice_property summary = {"floe.state-manifest", manifest_path};
    request = (floe_ice_commit_request){.added_files = &b, .added_count = 1,
                                        .summary = &summary, .summary_count = 1,
                                        .expected_schema_id = -1};
    ck_assert_msg(floe_ice_commit(table, &request, &result, &err) == 0, "%s", err.message);
    snapshots[1] = result.snapshot_id;
    floe_free(manifest_path);

    const char *removed[] = {path_b};
    request = (floe_ice_commit_request){.added_files = &c, .added_count = 1,
                                        .removed_paths = removed, .removed_count = 1,
                                        .expected_schema_id = -1};
    ck_assert_msg(floe_ice_commit(table, &request, &result, &err) == 0, "%s", err.message);
    snapshots[2] = result.snapshot_id;
}

START_TEST(orphans_go_history_stays)
{
    int64_t snapshots[3];
    char state_file[1024], first_data[1024];
    build_history(snapshots, state_file, sizeof state_file, first_data, sizeof first_data);
    touch("data/unpublished.parquet");
    touch("metadata/unpublished-m0.avro");
    touch("floe/state/bucket-0-stale.parquet");
    touch("metadata/.tmp-123.metadata.json");

    floe_eng_vacuum_result result;
    floe_io_string_list orphans;
    floe_error err;
    ck_assert_msg(floe_eng_vacuum_table(NULL, table, 0, true, &result, &orphans, &err) == 0, "%s",
                  err.message);
    ck_assert_uint_eq(result.orphan_files, 4);
    ck_assert_uint_eq(orphans.count, 4);
    ck_assert_int_eq(result.orphan_bytes, 16);
    ck_assert_ptr_nonnull(strstr(orphans.items[0], "data/unpublished.parquet"));
    ck_assert_ptr_nonnull(strstr(orphans.items[1], "floe/state/bucket-0-stale.parquet"));
    /* 3 data files + 3 lists + manifests + state manifest + state file. */
    ck_assert_uint_ge(result.referenced_files, 3 + 3 + 3 + 2);
    for (size_t i = 0; i < orphans.count; i++)
        ck_assert(exists(orphans.items[i])); /* dry run */

    /* The age guard: nothing is a day old. */
    floe_io_string_list_fini(&orphans);
    ck_assert_int_eq(floe_eng_vacuum_table(NULL, table, 86400, false, &result, NULL, &err), 0);
    ck_assert_uint_eq(result.orphan_files, 0);

    ck_assert_int_eq(floe_eng_vacuum_table(NULL, table, 0, false, &result, &orphans, &err), 0);
    ck_assert_uint_eq(result.orphan_files, 4);
    for (size_t i = 0; i < orphans.count; i++)
        ck_assert_msg(!exists(orphans.items[i]), "%s", orphans.items[i]);
    floe_io_string_list_fini(&orphans);
    ck_assert(exists(state_file));
    ck_assert(exists(first_data));

    /* Every snapshot still reads, including the one whose file the overwrite removed. */
    ck_assert_int_eq(rows_at(snapshots[0]), 10);
    ck_assert_int_eq(rows_at(snapshots[1]), 30);
    ck_assert_int_eq(rows_at(snapshots[2]), 15);

    /* A second vacuum finds nothing. */
    ck_assert_int_eq(floe_eng_vacuum_table(NULL, table, 0, false, &result, NULL, &err), 0);
    ck_assert_uint_eq(result.orphan_files, 0);
}
END_TEST

/* Commits one more data file whose snapshot names `changelog` (relative to the table). */
static void commit_with_changelog(const char *data_name, int64_t first, const char *changelog)
{
    char data_path[1024], changelog_path[1024];
    floe_ice_data_file file;
    write_data(data_name, first, 3, data_path, sizeof data_path, &file);
    touch(changelog);
    snprintf(changelog_path, sizeof changelog_path, "%s/%s", table, changelog);
    floe_ice_property summary = {"floe.changelog", changelog_path};
    floe_ice_commit_request request = {.added_files = &file, .added_count = 1,
                                       .summary = &summary, .summary_count = 1,
                                       .expected_schema_id = -1};
    floe_error err;
    floe_ice_commit_result result;
    ck_assert_msg(floe_ice_commit(table, &request, &result, &err) == 0, "%s", err.message);
}

START_TEST(changelogs_of_every_snapshot_are_kept)
{
    int64_t snapshots[3];
    char state_file[1024], first_data[1024];
    build_history(snapshots, state_file, sizeof state_file, first_data, sizeof first_data);
    commit_with_changelog("d", 300, "floe/changelog/changes-1.parquet");
    commit_with_changelog("e", 400, "floe/changelog/changes-2.parquet");
    touch("floe/changelog/changes-stray.parquet");

    floe_eng_vacuum_result result;
    floe_io_string_list orphans;
    floe_error err;
    ck_assert_msg(floe_eng_vacuum_table(NULL, table, 0, false, &result, &orphans, &err) == 0,
                  "%s", err.message);
    ck_assert_uint_eq(result.orphan_files, 1);
    ck_assert_ptr_nonnull(strstr(orphans.items[0], "floe/changelog/changes-stray.parquet"));
    floe_io_string_list_fini(&orphans);
    char path[1024];
    snprintf(path, sizeof path, "%s/floe/changelog/changes-1.parquet", table);
    ck_assert(exists(path)); /* named by a snapshot that is no longer the current one */
    snprintf(path, sizeof path, "%s/floe/changelog/changes-2.parquet", table);
    ck_assert(exists(path));
    ck_assert(exists(state_file));
}
END_TEST

START_TEST(unreadable_metadata_stops_the_vacuum)
{
    int64_t snapshots[3];
    char state_file[1024], first_data[1024];
    build_history(snapshots, state_file, sizeof state_file, first_data, sizeof first_data);
    touch("data/unpublished.parquet");
    /* Corrupt every manifest list: the vacuum cannot know what is referenced. */
    floe_ice_table *opened = NULL;
    floe_error err;
    ck_assert_int_eq(floe_ice_table_open(&opened, table, NULL, &err), 0);
    for (size_t i = 0; i < opened->metadata->snapshot_count; i++) {
        int fd = open(opened->metadata->snapshots[i].manifest_list, O_WRONLY | O_TRUNC);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, "garbage", 7), 7);
        close(fd);
    }
    floe_ice_table_free(opened);
    floe_eng_vacuum_result result;
    int status = floe_eng_vacuum_table(NULL, table, 0, false, &result, NULL, &err);
    ck_assert_int_ne(status, 0);
    ck_assert_msg(strstr(err.message, "vacuum ") != NULL, "%s", err.message);
    char path[1024];
    snprintf(path, sizeof path, "%s/data/unpublished.parquet", table);
    ck_assert(exists(path));
    ck_assert(exists(first_data));
}
END_TEST

START_TEST(missing_table)
{
    floe_eng_vacuum_result result;
    floe_error err;
    ck_assert_int_eq(floe_eng_vacuum_table(root, "ns.nope", 0, false, &result, NULL, &err),
                     FLOE_ENOTFOUND);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("engine_vacuum");
    TCase *tc = tcase_create("vacuum");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, orphans_go_history_stays);
    tcase_add_test(tc, changelogs_of_every_snapshot_are_kept);
    tcase_add_test(tc, unreadable_metadata_stops_the_vacuum);
    tcase_add_test(tc, missing_table);
    suite_add_tcase(suite, tc);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}
