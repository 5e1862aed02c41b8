/*
 * Description: the table-level commit (io/iceberg_commit.h). Creating a table (twice: the
 * second is FLOE_ECONFLICT), appends with exact summaries (added/deleted/total counts), a parent
 * chain and increasing sequence numbers, an overwrite whose manifest is rewritten with a DELETED
 * entry, a conflict forced from the commit's own test hook (a rival commit lands between the
 * metadata write and the publish: the first retries and both land), a removal whose file a
 * rival removed first (FLOE_ECONFLICT at once; without a rival, FLOE_ENOTFOUND), max_attempts
 * exhausted (FLOE_ECONFLICT, and nothing of the failed attempts left but what the orphan
 * listing reports), and two forked processes appending 50 times each (100 snapshots, one linear
 * history, right totals).
 */
#define _GNU_SOURCE /* mkdtemp, nftw, strdup */
#include "io/catalog_fs.h"
#include "io/iceberg_commit.h"
#include "io/iceberg_manifest.h"
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
#include <sys/wait.h>
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
    const char *base = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/floe-commit-XXXXXX", base != NULL ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(root));
    snprintf(table, sizeof table, "%s/ns/t", root);
    floe_ice_new_column columns[] = {{"id", {FLOE_TYPE_INT64, 0, 0}, 1, 1, NULL}};
    floe_error err;
    ck_assert_msg(floe_ice_commit_create_table(table, columns, 1, NULL, 0, &err) == FLOE_OK,
                  "%s", err.message);
}

static void teardown(void)
{
    floe_ice_commit_set_test_hook(NULL, NULL);
    nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Writes data/<name>.parquet with ids first..first+rows-1 and describes it in *file
 * (file_path points into path). Returns 0 on success (usable from a child process). */
static int write_data(const char *name, int64_t first, uint32_t rows, char *path, size_t size,
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
    int status = floe_batch_init(&batch, 1, &type, &err);
    if (status != FLOE_OK) return status;
    for (uint32_t i = 0; i < rows; i++) ((int64_t *)batch.columns[0].data)[i] = first + i;
    batch.row_count = rows;
    status = floe_pq_writer_create(&writer, path, &schema, NULL, &err);
    if (status == FLOE_OK) status = floe_pq_writer_write_batch(writer, &batch, &err);
    if (status == FLOE_OK) status = floe_pq_writer_close(writer, &result, &err);
    floe_pq_writer_free(writer);
    floe_batch_fini(&batch);
    if (status != FLOE_OK) return status;
    memset(file, 0, sizeof *file);
    file->content = FLOE_ICE_CONTENT_DATA;
    file->file_path = path;
    file->file_format = "parquet";
    file->record_count = (int64_t)result.row_count;
    file->file_size_in_bytes = (int64_t)result.file_size;
    return FLOE_OK;
}

static int append(const char *name, int64_t first, uint32_t rows, int max_attempts,
                  floe_ice_commit_result *result, floe_error *err)
{
    char path[1024];
    floe_ice_data_file file;
    int status = write_data(name, first, rows, path, sizeof path, &file);
    if (status != FLOE_OK) return status;
    floe_ice_commit_request request = {0};
    request.added_files = &file;
    request.added_count = 1;
    request.expected_schema_id = -1;
    request.max_attempts = max_attempts;
    return floe_ice_commit(table, &request, result, err);
}

static const char *summary(const floe_ice_snapshot *snapshot, const char *key)
{
    for (size_t i = 0; i < snapshot->summary_count; i++)
        if (strcmp(snapshot->summary[i].key, key) == 0) return snapshot->summary[i].value;
    return NULL;
}

static void check_summary(const floe_ice_snapshot *snapshot, const char *key, const char *value)
{
    const char *got = summary(snapshot, key);
    ck_assert_msg(got != NULL && strcmp(got, value) == 0, "snapshot %lld %s: %s, expected %s",
                  (long long)snapshot->snapshot_id, key, got != NULL ? got : "(none)", value);
}

static floe_ice_table *open_table(void)
{
    floe_ice_table *opened = NULL;
    floe_error err;
    ck_assert_msg(floe_ice_table_open(&opened, table, NULL, &err) == FLOE_OK, "%s",
                  err.message);
    return opened;
}

static int64_t scan_rows(const floe_ice_table *opened)
{
    floe_ice_scan_reader *reader = NULL;
    floe_error err;
    ck_assert_msg(floe_ice_scan_reader_open(&reader, opened, NULL, &err) == FLOE_OK, "%s",
                  err.message);
    floe_batch batch;
    ck_assert_int_eq(floe_ice_scan_reader_batch_init(reader, &batch, &err), FLOE_OK);
    int64_t rows = 0;
    for (;;) {
        ck_assert_msg(floe_ice_scan_reader_next_batch(reader, &batch, &err) == FLOE_OK, "%s",
                      err.message);
        if (batch.row_count == 0) break;
        rows += floe_batch_live_count(&batch);
    }
    floe_batch_fini(&batch);
    floe_ice_scan_reader_free(reader);
    return rows;
}

/* Walks the parent chain from the current snapshot: every snapshot of the metadata on it once,
 * sequence numbers count down by one to 1. Returns the chain's length. */
static size_t check_linear_history(const floe_ice_table *opened)
{
    const floe_ice_table_metadata *metadata = opened->metadata;
    const floe_ice_snapshot *snapshot = floe_ice_current_snapshot(metadata);
    size_t length = 0;
    int64_t sequence = -1;
    while (snapshot != NULL) {
        length++;
        ck_assert_uint_le(length, metadata->snapshot_count);
        if (sequence != -1) ck_assert_int_eq(snapshot->sequence_number, sequence - 1);
        sequence = snapshot->sequence_number;
        if (snapshot->parent_snapshot_id == -1) break;
        const floe_ice_snapshot *parent =
            floe_ice_snapshot_by_id(metadata, snapshot->parent_snapshot_id);
        ck_assert_ptr_nonnull(parent);
        snapshot = parent;
    }
    ck_assert_uint_eq(length, metadata->snapshot_count);
    if (length > 0) ck_assert_int_eq(sequence, 1);
    return length;
}

/* Every file the table's metadata names: manifest lists of all snapshots, the manifests of
 * every list, the files of every manifest. */
typedef struct path_set {
    char **items;
    size_t count, capacity;
} path_set;

static void path_set_add(path_set *set, const char *path)
{
    for (size_t i = 0; i < set->count; i++)
        if (strcmp(set->items[i], path) == 0) return;
    if (set->count == set->capacity) {
        set->capacity = set->capacity ? set->capacity * 2 : 64;
        set->items = realloc(set->items, set->capacity * sizeof *set->items);
        ck_assert_ptr_nonnull(set->items);
    }
    set->items[set->count++] = strdup(path);
}

static void path_set_free(path_set *set)
{
    for (size_t i = 0; i < set->count; i++) free(set->items[i]);
    free(set->items);
    memset(set, 0, sizeof *set);
}

static void referenced_files(const floe_ice_table *opened, path_set *set)
{
    floe_error err;
    for (size_t s = 0; s < opened->metadata->snapshot_count; s++) {
        const char *list_path = opened->metadata->snapshots[s].manifest_list;
        path_set_add(set, list_path);
        floe_ice_manifest_list *list = NULL;
        ck_assert_msg(floe_ice_manifest_list_read(list_path, &list, &err) == FLOE_OK, "%s",
                      err.message);
        for (size_t m = 0; m < list->count; m++) {
            path_set_add(set, list->entries[m].manifest_path);
            floe_ice_manifest *manifest = NULL;
            ck_assert_msg(floe_ice_manifest_read(list->entries[m].manifest_path, &manifest,
                                                 &err) == FLOE_OK,
                          "%s", err.message);
            for (size_t e = 0; e < manifest->count; e++)
                path_set_add(set, manifest->entries[e].data_file.file_path);
            floe_ice_manifest_free(manifest);
        }
        floe_ice_manifest_list_free(list);
    }
}

START_TEST(create_append_overwrite)
{
    floe_ice_new_column columns[] = {{"id", {FLOE_TYPE_INT64, 0, 0}, 1, 1, NULL}};
    floe_error err;
    ck_assert_int_eq(floe_ice_commit_create_table(table, columns, 1, NULL, 0, &err),
                     FLOE_ECONFLICT);
    floe_ice_table *opened = open_table();
    ck_assert_int_eq(opened->metadata->snapshot_count, 0);
    ck_assert_int_eq(scan_rows(opened), 0);
    floe_ice_table_free(opened);

    const uint32_t rows[3] = {2, 3, 4};
    const char *names[3] = {"a", "b", "c"};
    floe_ice_commit_result results[3];
    for (int i = 0; i < 3; i++) {
        ck_assert_msg(append(names[i], 100 * i, rows[i], 0, &results[i], &err) == FLOE_OK, "%s",
                      err.message);
        ck_assert_int_eq(results[i].sequence_number, i + 1);
        ck_assert_int_eq(results[i].version, i + 2);
        ck_assert_int_eq(results[i].attempts, 1);
        ck_assert_int_eq(results[i].parent_snapshot_id, i == 0 ? -1 : results[i - 1].snapshot_id);
    }
    opened = open_table();
    ck_assert_int_eq(opened->metadata->current_snapshot_id, results[2].snapshot_id);
    ck_assert_uint_eq(check_linear_history(opened), 3);
    const char *totals[3] = {"2", "5", "9"};
    const char *added[3] = {"2", "3", "4"};
    const char *files[3] = {"1", "2", "3"};
    for (int i = 0; i < 3; i++) {
        const floe_ice_snapshot *snapshot =
            floe_ice_snapshot_by_id(opened->metadata, results[i].snapshot_id);
        ck_assert_ptr_nonnull(snapshot);
        ck_assert_str_eq(snapshot->operation, "append");
        check_summary(snapshot, "added-data-files", "1");
        check_summary(snapshot, "added-records", added[i]);
        check_summary(snapshot, "total-records", totals[i]);
        check_summary(snapshot, "total-data-files", files[i]);
        check_summary(snapshot, "total-delete-files", "0");
    }
    ck_assert_int_eq(scan_rows(opened), 9);
    floe_ice_table_free(opened);

    /* Overwrite: b (3 rows) out, d (10 rows) in. */
    char removed[1024], path[1024];
    snprintf(removed, sizeof removed, "%s/data/b.parquet", table);
    floe_ice_data_file file;
    ck_assert_int_eq(write_data("d", 1000, 10, path, sizeof path, &file), FLOE_OK);
    const char *removed_paths[] = {removed};
    floe_ice_commit_request request = {0};
    request.added_files = &file;
    request.added_count = 1;
    request.removed_paths = removed_paths;
    request.removed_count = 1;
    request.expected_schema_id = -1;
    floe_ice_commit_result result;
    ck_assert_msg(floe_ice_commit(table, &request, &result, &err) == FLOE_OK, "%s",
                  err.message);
    ck_assert_int_eq(result.parent_snapshot_id, results[2].snapshot_id);
    ck_assert_int_eq(result.sequence_number, 4);
    opened = open_table();
    const floe_ice_snapshot *snapshot = floe_ice_current_snapshot(opened->metadata);
    ck_assert_int_eq(snapshot->snapshot_id, result.snapshot_id);
    ck_assert_str_eq(snapshot->operation, "overwrite");
    check_summary(snapshot, "added-data-files", "1");
    check_summary(snapshot, "deleted-data-files", "1");
    check_summary(snapshot, "added-records", "10");
    check_summary(snapshot, "deleted-records", "3");
    check_summary(snapshot, "total-records", "16");
    check_summary(snapshot, "total-data-files", "3");
    ck_assert_int_eq(scan_rows(opened), 16);
    ck_assert_uint_eq(check_linear_history(opened), 4);
    /* The manifest that held b is rewritten: b DELETED by the new snapshot, a EXISTING. */
    floe_ice_manifest_list *list = NULL;
    ck_assert_int_eq(floe_ice_manifest_list_read(snapshot->manifest_list, &list, &err), FLOE_OK);
    int deleted_seen = 0, live_entries = 0;
    for (size_t m = 0; m < list->count; m++) {
        floe_ice_manifest *manifest = NULL;
        ck_assert_int_eq(floe_ice_manifest_read(list->entries[m].manifest_path, &manifest, &err),
                         FLOE_OK);
        for (size_t e = 0; e < manifest->count; e++) {
            const floe_ice_manifest_entry *entry = &manifest->entries[e];
            if (entry->status == FLOE_ICE_STATUS_DELETED) {
                ck_assert_str_eq(entry->data_file.file_path, removed);
                ck_assert_int_eq(entry->snapshot_id, result.snapshot_id);
                deleted_seen++;
            } else {
                ck_assert_str_ne(entry->data_file.file_path, removed);
                live_entries++;
            }
        }
        floe_ice_manifest_free(manifest);
    }
    floe_ice_manifest_list_free(list);
    ck_assert_int_eq(deleted_seen, 1);
    ck_assert_int_eq(live_entries, 3);
    floe_ice_table_free(opened);

    /* Removing it again: not in the table any more. */
    request.added_count = 0;
    ck_assert_int_eq(floe_ice_commit(table, &request, NULL, &err), FLOE_ENOTFOUND);
}
END_TEST

/* The hook that makes rivals win: at "metadata-written", a rival append lands first. */
typedef struct rival_plan {
    int rivals_left;
    int rivals_done;
    int in_rival;
} rival_plan;

static void rival_hook(const char *step, void *context)
{
    rival_plan *plan = context;
    if (strcmp(step, "metadata-written") != 0 || plan->in_rival || plan->rivals_left == 0) return;
    plan->in_rival = 1;
    char name[32];
    snprintf(name, sizeof name, "rival-%d", plan->rivals_done);
    floe_error err;
    int status = append(name, 10000 + 10 * plan->rivals_done, 1, 0, NULL, &err);
    ck_assert_msg(status == FLOE_OK, "%s", err.message);
    plan->rivals_done++;
    plan->rivals_left--;
    plan->in_rival = 0;
}

START_TEST(conflict_retries_and_both_land)
{
    floe_error err;
    ck_assert_int_eq(append("base", 0, 5, 0, NULL, &err), FLOE_OK);
    rival_plan plan = {1, 0, 0};
    floe_ice_commit_set_test_hook(rival_hook, &plan);
    floe_ice_commit_result result;
    ck_assert_msg(append("mine", 100, 7, 0, &result, &err) == FLOE_OK, "%s", err.message);
    floe_ice_commit_set_test_hook(NULL, NULL);
    ck_assert_int_eq(plan.rivals_done, 1);
    ck_assert_int_eq(result.attempts, 2);
    ck_assert_int_eq(result.sequence_number, 3);
    floe_ice_table *opened = open_table();
    ck_assert_uint_eq(check_linear_history(opened), 3);
    const floe_ice_snapshot *snapshot = floe_ice_current_snapshot(opened->metadata);
    ck_assert_int_eq(snapshot->snapshot_id, result.snapshot_id);
    check_summary(snapshot, "total-records", "13");
    check_summary(snapshot, "total-data-files", "3");
    ck_assert_int_eq(scan_rows(opened), 13);
    /* The first attempt's files are gone: nothing is an orphan. */
    path_set referenced = {0};
    referenced_files(opened, &referenced);
    floe_io_string_list orphans;
    floe_io_string_list_init(&orphans);
    ck_assert_int_eq(floe_io_catalog_list_orphans(table, (const char *const *)referenced.items,
                                                  referenced.count, 0, &orphans, &err),
                     FLOE_OK);
    ck_assert_msg(orphans.count == 0, "orphan %s", orphans.count ? orphans.items[0] : "");
    floe_io_string_list_fini(&orphans);
    path_set_free(&referenced);
    floe_ice_table_free(opened);
}
END_TEST

/* A rival that removes the file our commit removes too, landing before our publish. */
static void removing_rival_hook(const char *step, void *context)
{
    int *done = context;
    if (strcmp(step, "metadata-written") != 0 || *done) return;
    *done = 1;
    char victim[1024];
    snprintf(victim, sizeof victim, "%s/data/victim.parquet", table);
    const char *removed_paths[] = {victim};
    floe_ice_commit_request request = {0};
    request.removed_paths = removed_paths;
    request.removed_count = 1;
    request.expected_schema_id = -1;
    floe_error err;
    ck_assert_msg(floe_ice_commit(table, &request, NULL, &err) == FLOE_OK, "%s", err.message);
}

START_TEST(removal_lost_to_a_rival_is_a_conflict)
{
    floe_error err;
    ck_assert_int_eq(append("victim", 0, 5, 0, NULL, &err), FLOE_OK);
    ck_assert_int_eq(append("other", 10, 2, 0, NULL, &err), FLOE_OK);
    char victim[1024];
    snprintf(victim, sizeof victim, "%s/data/victim.parquet", table);
    const char *removed_paths[] = {victim};
    floe_ice_commit_request request = {0};
    request.removed_paths = removed_paths;
    request.removed_count = 1;
    request.expected_schema_id = -1;
    int done = 0;
    floe_ice_commit_set_test_hook(removing_rival_hook, &done);
    ck_assert_int_eq(floe_ice_commit(table, &request, NULL, &err), FLOE_ECONFLICT);
    floe_ice_commit_set_test_hook(NULL, NULL);
    ck_assert_msg(strstr(err.message, "no longer in the table") != NULL, "%s", err.message);
    floe_ice_table *opened = open_table();
    ck_assert_uint_eq(check_linear_history(opened), 3);
    const floe_ice_snapshot *snapshot = floe_ice_current_snapshot(opened->metadata);
    ck_assert_str_eq(snapshot->operation, "delete");
    check_summary(snapshot, "deleted-records", "5");
    check_summary(snapshot, "total-records", "2");
    ck_assert_int_eq(scan_rows(opened), 2);
    floe_ice_table_free(opened);
    /* Without a rival, the same removal names a file the table does not hold. */
    ck_assert_int_eq(floe_ice_commit(table, &request, NULL, &err), FLOE_ENOTFOUND);
}
END_TEST

START_TEST(max_attempts_exhausted)
{
    floe_error err;
    ck_assert_int_eq(append("base", 0, 5, 0, NULL, &err), FLOE_OK);
    rival_plan plan = {1000, 0, 0};
    floe_ice_commit_set_test_hook(rival_hook, &plan);
    ck_assert_int_eq(append("loser", 100, 7, 3, NULL, &err), FLOE_ECONFLICT);
    floe_ice_commit_set_test_hook(NULL, NULL);
    ck_assert_int_eq(plan.rivals_done, 3);
    ck_assert(err.message[0] != '\0');
    floe_ice_table *opened = open_table();
    ck_assert_uint_eq(check_linear_history(opened), 4);
    check_summary(floe_ice_current_snapshot(opened->metadata), "total-records", "8");
    /* The only orphan: the loser's own data file (the caller's to remove). */
    path_set referenced = {0};
    referenced_files(opened, &referenced);
    floe_io_string_list orphans;
    floe_io_string_list_init(&orphans);
    ck_assert_int_eq(floe_io_catalog_list_orphans(table, (const char *const *)referenced.items,
                                                  referenced.count, 0, &orphans, &err),
                     FLOE_OK);
    char loser[1024];
    snprintf(loser, sizeof loser, "%s/data/loser.parquet", table);
    ck_assert_uint_eq(orphans.count, 1);
    ck_assert_str_eq(orphans.items[0], loser);
    floe_io_string_list_fini(&orphans);
    path_set_free(&referenced);
    floe_ice_table_free(opened);
}
END_TEST

START_TEST(two_processes_fifty_appends_each)
{
    pid_t children[2];
    for (int w = 0; w < 2; w++) {
        children[w] = fork();
        ck_assert_int_ge(children[w], 0);
        if (children[w] == 0) {
            for (int i = 0; i < 50; i++) {
                char name[32];
                snprintf(name, sizeof name, "w%d-%02d", w, i);
                floe_error err;
                /* Rows 1..3 by i: the totals are known. */
                if (append(name, w * 1000 + i * 10, (uint32_t)(i % 3 + 1), 1000, NULL, &err) !=
                    FLOE_OK) {
                    fprintf(stderr, "%s\n", err.message);
                    _exit(1);
                }
            }
            _exit(0);
        }
    }
    for (int w = 0; w < 2; w++) {
        int status = 0;
        ck_assert_int_eq(waitpid(children[w], &status, 0), children[w]);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    int64_t expected = 0;
    for (int i = 0; i < 50; i++) expected += 2 * (i % 3 + 1);
    floe_ice_table *opened = open_table();
    ck_assert_uint_eq(check_linear_history(opened), 100);
    const floe_ice_snapshot *snapshot = floe_ice_current_snapshot(opened->metadata);
    char text[32];
    snprintf(text, sizeof text, "%lld", (long long)expected);
    check_summary(snapshot, "total-records", text);
    check_summary(snapshot, "total-data-files", "100");
    ck_assert_int_eq(scan_rows(opened), expected);
    floe_ice_table_free(opened);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("iceberg_commit");
    TCase *commit = tcase_create("commit");
    tcase_set_timeout(commit, 120);
    tcase_add_checked_fixture(commit, setup, teardown);
    tcase_add_test(commit, create_append_overwrite);
    tcase_add_test(commit, conflict_retries_and_both_land);
    tcase_add_test(commit, removal_lost_to_a_rival_is_a_conflict);
    tcase_add_test(commit, max_attempts_exhausted);
    tcase_add_test(commit, two_processes_fifty_appends_each);
    suite_add_tcase(suite, commit);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
