/*
 * Description: the change reader from changelogs (io/iceberg_scan.h, "Changelogs"). A table
 * (k, v, r) written here has four snapshots: s1 an append without a changelog, then s2..s4
 * overwrites whose summaries name a changelog (k, v and the weight, no r; one of them with its
 * columns stored under other names and in another order, found by field id). Checked:
 *   - (s1, s4] with the key: exactly the changelogs' rows, oldest first, with their weights
 *     (a weight-0 row left out), no data file read, the counters;
 *   - (s2, s4]: only the last two; partitions split the changelogs between them;
 *   - the diff instead (rows of data files, whole): without the key, from the empty table
 *     (s1 has no changelog), projecting r (the changelogs lack it), a changelog file gone;
 *   - a NULL weight is FLOE_ECORRUPT naming the file.
 */
#define _GNU_SOURCE /* mkdtemp, nftw */
#include "io/iceberg_commit.h"
#include "io/iceberg_scan.h"
#include "io/iceberg_table.h"
#include "io/parquet_writer.h"
#include "kernels/memory.h"
#include "kernels/status.h"
#include "kernels/vector.h"

#include <check.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[256];
static char table_directory[512];
static int64_t snapshots[5]; /* [1..4]: s1..s4 */
static char changelog_paths[5][1200];

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *ftw)
{
    (void)info, (void)flag, (void)ftw;
    return remove(path);
}

/* A Parquet file of INT64 columns: names[c] with field ids ids[c]; values row-major;
 * null_weight_row >= 0 makes that row's last column NULL (the column is then nullable). */
static void write_file(const char *path, const char *const *names, const int32_t *ids,
                       uint32_t columns, const int64_t *values, uint32_t rows, int null_row,
                       floe_ice_data_file *file)
{
    floe_pq_write_column schema_columns[4];
    floe_type types[4];
    for (uint32_t c = 0; c < columns; c++) {
        types[c] = floe_type_make(FLOE_TYPE_INT64);
        schema_columns[c] = (floe_pq_write_column){names[c], types[c],
                                                   null_row >= 0 && c == columns - 1, ids[c]};
    }
    floe_pq_write_schema schema = {schema_columns, columns, NULL, NULL, 0};
    floe_batch batch;
    floe_error err;
    ck_assert_int_eq(floe_batch_init(&batch, columns, types, &err), 0);
    for (uint32_t r = 0; r < rows; r++)
        for (uint32_t c = 0; c < columns; c++)
            ((int64_t *)batch.columns[c].data)[r] = values[r * columns + c];
    if (null_row >= 0) {
        floe_vector_prepare_validity(&batch.columns[columns - 1]);
        floe_vector_set_null(&batch.columns[columns - 1], (uint32_t)null_row);
    }
    batch.row_count = rows;
    floe_pq_writer *writer = NULL;
    floe_pq_write_result result;
    ck_assert_msg(floe_pq_writer_create(&writer, path, &schema, NULL, &err) == 0, "%s",
                  err.message);
    ck_assert_int_eq(floe_pq_writer_write_batch(writer, &batch, &err), 0);
    ck_assert_int_eq(floe_pq_writer_close(writer, &result, &err), 0);
    floe_pq_writer_free(writer);
    floe_batch_fini(&batch);
    if (file == NULL) return;
    memset(file, 0, sizeof *file);
    file->content = FLOE_ICE_CONTENT_DATA;
    file->file_path = path;
    file->file_format = "parquet";
    file->record_count = (int64_t)result.row_count;
    file->file_size_in_bytes = (int64_t)result.file_size;
}

static const char *const data_names[] = {"k", "v", "r"};
static const int32_t data_ids[] = {1, 2, 3};
static const char *const changelog_names[] = {"k", "v", "_floe_weight"};
static const int32_t changelog_ids[] = {1, 2, FLOE_ICE_CHANGELOG_WEIGHT_FIELD_ID};

/* Commits data file `name` (rows of k, v, r) replacing `removed` (NULL: an append), with a
 * changelog of `changes` (k, v, weight; NULL: no summary key). */
static int64_t commit(const char *name, const int64_t *rows, uint32_t row_count,
                      const char *removed, const int64_t *changes, uint32_t change_count,
                      char *changelog_path, int reorder)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/data/%s.parquet", table_directory, name);
    floe_ice_data_file file;
    write_file(path, data_names, data_ids, 3, rows, row_count, -1, &file);
    floe_ice_property summary = {"floe.changelog", changelog_path};
    if (changes != NULL) {
        char folder[1100];
        snprintf(folder, sizeof folder, "%s/floe", table_directory);
        mkdir(folder, 0755);
        snprintf(folder, sizeof folder, "%s/floe/changelog", table_directory);
        mkdir(folder, 0755);
        snprintf(changelog_path, sizeof changelog_paths[0], "%s/changes-%s.parquet", folder, name);
        if (!reorder) {
            write_file(changelog_path, changelog_names, changelog_ids, 3, changes, change_count,
                       -1, NULL);
        } else { /* weight first, then v under another name, then k under another name */
            const char *names[] = {"w", "old_v", "old_k"};
            const int32_t ids[] = {FLOE_ICE_CHANGELOG_WEIGHT_FIELD_ID, 2, 1};
            int64_t permuted[3 * 8];
            for (uint32_t r = 0; r < change_count; r++) {
                permuted[r * 3 + 0] = changes[r * 3 + 2];
                permuted[r * 3 + 1] = changes[r * 3 + 1];
                permuted[r * 3 + 2] = changes[r * 3 + 0];
            }
            write_file(changelog_path, names, ids, 3, permuted, change_count, -1, NULL);
        }
    }
    const char *removed_paths[1];
    char removed_path[1024];
    if (removed != NULL) {
        snprintf(removed_path, sizeof removed_path, "%s/data/%s.parquet", table_directory,
                 removed);
        removed_paths[0] = removed_path;
    }
    floe_ice_commit_request request = {0};
    request.added_files = &file;
    request.added_count = 1;
    request.removed_paths = removed_paths;
    request.removed_count = removed != NULL ? 1 : 0;
    request.summary = &summary;
    request.summary_count = changes != NULL ? 1 : 0;
    request.expected_schema_id = -1;
    floe_ice_commit_result result;
    floe_error err;
    ck_assert_msg(floe_ice_commit(table_directory, &request, &result, &err) == 0, "%s",
                  err.message);
    return result.snapshot_id;
}

static void setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/floe-changelog-XXXXXX", base != NULL ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(root));
    snprintf(table_directory, sizeof table_directory, "%s/ns/t", root);
    floe_ice_new_column columns[] = {{"k", floe_type_make(FLOE_TYPE_INT64), 0, 1, NULL},
                                     {"v", floe_type_make(FLOE_TYPE_INT64), 0, 2, NULL},
                                     {"r", floe_type_make(FLOE_TYPE_INT64), 0, 3, NULL}};
    floe_error err;
    ck_assert_msg(floe_ice_commit_create_table(table_directory, columns, 3, NULL, 0, &err) == 0,
                  "%s", err.message);
    /* s1: 3 rows, no changelog (a rebuild). */
    const int64_t d1[] = {1, 10, 1, 2, 20, 1, 3, 30, 1};
    snapshots[1] = commit("d1", d1, 3, NULL, NULL, 0, changelog_paths[1], 0);
    /* s2: k 2's v goes 20 -> 21 (and a weight-0 row the reader leaves out). */
    const int64_t d2[] = {1, 10, 1, 2, 21, 2, 3, 30, 1};
    const int64_t c2[] = {2, 20, -1, 2, 21, 1, 9, 99, 0};
    snapshots[2] = commit("d2", d2, 3, "d1", c2, 3, changelog_paths[2], 0);
    /* s3: k 4 appears (columns stored reordered under other names). */
    const int64_t d3[] = {1, 10, 1, 2, 21, 2, 3, 30, 1, 4, 40, 3};
    const int64_t c3[] = {4, 40, 1};
    snapshots[3] = commit("d3", d3, 4, "d2", c3, 1, changelog_paths[3], 1);
    /* s4: k 1 goes. */
    const int64_t d4[] = {2, 21, 2, 3, 30, 1, 4, 40, 3};
    const int64_t c4[] = {1, 10, -1};
    snapshots[4] = commit("d4", d4, 3, "d3", c4, 1, changelog_paths[4], 0);
}

static void teardown(void)
{
    nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Reads the change (from, to] projecting `names` (NULL: k, v), into text lines "k,v,weight"
 * in reading order; *stats receives the counters. Returns the status of open or read. */
static int read_change(int64_t from, int64_t to, const char *key, const char *const *names,
                       uint32_t name_count, uint32_t partition, uint32_t partition_count,
                       char *text, size_t size, floe_ice_scan_reader_stats *stats,
                       floe_error *err)
{
    static const char *const k_v[] = {"k", "v"};
    floe_ice_table *table = NULL;
    ck_assert_int_eq(floe_ice_table_open(&table, table_directory, NULL, err), 0);
    floe_ice_scan_reader_options options = {0};
    options.snapshot_id = to;
    options.changes = true;
    options.from_snapshot_id = from;
    options.changelog_summary_key = key;
    options.column_names = names != NULL ? names : k_v;
    options.column_name_count = names != NULL ? name_count : 2;
    options.partition = partition;
    options.partition_count = partition_count;
    floe_ice_scan_reader *reader = NULL;
    int status = floe_ice_scan_reader_open(&reader, table, &options, err);
    floe_batch batch;
    bool batch_ready = false;
    if (status == 0) {
        status = floe_ice_scan_reader_batch_init(reader, &batch, err);
        batch_ready = status == 0;
    }
    size_t used = 0;
    text[0] = '\0';
    while (status == 0) {
        status = floe_ice_scan_reader_next_batch(reader, &batch, err);
        if (status != 0 || batch.row_count == 0) break;
        ck_assert_ptr_nonnull(batch.weights);
        uint32_t live = floe_batch_live_count(&batch);
        for (uint32_t i = 0; i < live; i++) {
            uint32_t row = batch.selection != NULL ? batch.selection[i] : i;
            used += (size_t)snprintf(text + used, size - used, "%lld,%lld,%lld\n",
                                     (long long)((const int64_t *)batch.columns[0].data)[row],
                                     (long long)((const int64_t *)batch.columns[1].data)[row],
                                     (long long)batch.weights[row]);
            ck_assert_uint_lt(used, size);
        }
    }
    if (reader != NULL) *stats = *floe_ice_scan_reader_stats_get(reader);
    if (batch_ready) floe_batch_fini(&batch);
    floe_ice_scan_reader_free(reader);
    floe_ice_table_free(table);
    return status;
}

START_TEST(changelogs_are_read_instead_of_files)
{
    char text[1024];
    floe_ice_scan_reader_stats stats;
    floe_error err;
    ck_assert_msg(read_change(snapshots[1], snapshots[4], "floe.changelog", NULL, 0, 0, 0, text,
                              sizeof text, &stats, &err) == 0,
                  "%s", err.message);
    ck_assert_str_eq(text, "2,20,-1\n2,21,1\n4,40,1\n1,10,-1\n");
    ck_assert_int_eq(stats.changes_from_changelogs, 1);
    ck_assert_int_eq(stats.changelog_files_read, 3);
    ck_assert_int_eq(stats.data_files_read, 0);
    ck_assert_int_eq(stats.change_files_read, 0);
    ck_assert_int_eq(stats.rows_read, 5); /* the weight-0 row is read, not handed out */
    ck_assert_int_eq(stats.rows_inserted, 2);
    ck_assert_int_eq(stats.rows_retracted, 2);

    ck_assert_int_eq(read_change(snapshots[2], snapshots[4], "floe.changelog", NULL, 0, 0, 0,
                                 text, sizeof text, &stats, &err),
                     0);
    ck_assert_str_eq(text, "4,40,1\n1,10,-1\n");
    ck_assert_int_eq(stats.changelog_files_read, 2);

    /* Two partitions: changelogs 0 and 2 (s2, s4) to the first, 1 (s3) to the second. */
    ck_assert_int_eq(read_change(snapshots[1], snapshots[4], "floe.changelog", NULL, 0, 0, 2,
                                 text, sizeof text, &stats, &err),
                     0);
    ck_assert_str_eq(text, "2,20,-1\n2,21,1\n1,10,-1\n");
    ck_assert_int_eq(read_change(snapshots[1], snapshots[4], "floe.changelog", NULL, 0, 1, 2,
                                 text, sizeof text, &stats, &err),
                     0);
    ck_assert_str_eq(text, "4,40,1\n");
    ck_assert_int_eq(stats.changes_from_changelogs, 1);
}
END_TEST

/* The diff of s1 and s4: d1's 3 rows out, d4's 3 rows in. */
static const char diff_s1_s4[] = "2,21,1\n3,30,1\n4,40,1\n1,10,-1\n2,20,-1\n3,30,-1\n";

START_TEST(otherwise_the_diff)
{
    char text[1024];
    floe_ice_scan_reader_stats stats;
    floe_error err;
    /* No key asked for. */
    ck_assert_int_eq(read_change(snapshots[1], snapshots[4], NULL, NULL, 0, 0, 0, text,
                                 sizeof text, &stats, &err),
                     0);
    ck_assert_str_eq(text, diff_s1_s4);
    ck_assert_int_eq(stats.changes_from_changelogs, 0);
    ck_assert_int_eq(stats.changelog_files_read, 0);
    ck_assert_int_eq(stats.data_files_read, 2);

    /* From the empty table: s1 has no changelog. */
    ck_assert_int_eq(read_change(-1, snapshots[2], "floe.changelog", NULL, 0, 0, 0, text,
                                 sizeof text, &stats, &err),
                     0);
    ck_assert_str_eq(text, "1,10,1\n2,21,1\n3,30,1\n");
    ck_assert_int_eq(stats.changes_from_changelogs, 0);

    /* A key no snapshot has. */
    ck_assert_int_eq(read_change(snapshots[1], snapshots[4], "floe.other", NULL, 0, 0, 0, text,
                                 sizeof text, &stats, &err),
                     0);
    ck_assert_str_eq(text, diff_s1_s4);

    /* Projecting r, which the changelogs lack. */
    const char *names[] = {"k", "r"};
    ck_assert_int_eq(read_change(snapshots[3], snapshots[4], "floe.changelog", names, 2, 0, 0,
                                 text, sizeof text, &stats, &err),
                     0);
    ck_assert_str_eq(text, "2,2,1\n3,1,1\n4,3,1\n1,1,-1\n2,2,-1\n3,1,-1\n4,3,-1\n");
    ck_assert_int_eq(stats.changes_from_changelogs, 0);

    /* A changelog gone from disk. */
    ck_assert_int_eq(unlink(changelog_paths[3]), 0);
    ck_assert_int_eq(read_change(snapshots[1], snapshots[4], "floe.changelog", NULL, 0, 0, 0,
                                 text, sizeof text, &stats, &err),
                     0);
    ck_assert_str_eq(text, diff_s1_s4);
    ck_assert_int_eq(stats.changes_from_changelogs, 0);
    /* ...while the range after it still uses the others. */
    ck_assert_int_eq(read_change(snapshots[3], snapshots[4], "floe.changelog", NULL, 0, 0, 0,
                                 text, sizeof text, &stats, &err),
                     0);
    ck_assert_str_eq(text, "1,10,-1\n");
}
END_TEST

START_TEST(null_weight_is_corrupt)
{
    const int64_t rows[] = {7, 70, 1};
    write_file(changelog_paths[4], changelog_names, changelog_ids, 3, rows, 1, 0, NULL);
    char text[1024];
    floe_ice_scan_reader_stats stats;
    floe_error err;
    ck_assert_int_eq(read_change(snapshots[3], snapshots[4], "floe.changelog", NULL, 0, 0, 0,
                                 text, sizeof text, &stats, &err),
                     FLOE_ECORRUPT);
    ck_assert_msg(strstr(err.message, changelog_paths[4]) != NULL &&
                      strstr(err.message, "_floe_weight") != NULL,
                  "%s", err.message);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("iceberg_changelog");
    TCase *tc = tcase_create("changelog");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, changelogs_are_read_instead_of_files);
    tcase_add_test(tc, otherwise_the_diff);
    tcase_add_test(tc, null_weight_is_corrupt);
    suite_add_tcase(suite, tc);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}
