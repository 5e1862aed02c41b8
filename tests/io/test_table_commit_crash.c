/*
 * Description: crash safety of the table-level commit (io/iceberg_commit.h). A forked child
 * appends in a loop — a Parquet data file of 1..5 rows, then floe_ice_commit — and is killed
 * with SIGKILL, 210 times:
 *   - one kill in three deterministically from inside: the child kills itself at the first
 *     occurrence of one step, cycling over the commit's steps ("manifests-written",
 *     "list-written", "metadata-written") and the catalog's publish steps;
 *   - the others at random moments from the parent, the child sleeping a random few
 *     microseconds at each step so that kills land inside every step as well as between.
 * After every kill: the table opens; the parent chain is linear (every snapshot on it, sequence
 * numbers consecutive); the current snapshot's total-records equals the sum of its files' record
 * counts, and every file it lists exists and holds that many rows (its footer, read once per
 * file); every other file on disk is either referenced by the metadata or reported by
 * floe_io_catalog_list_orphans, and nothing referenced is. Every 20 kills the orphans are
 * removed, and the table is checked again, including a full scan whose row count must equal
 * total-records.
 */
#define _GNU_SOURCE /* mkdtemp, nftw, usleep, strdup */
#include "io/catalog_fs.h"
#include "io/iceberg_commit.h"
#include "io/iceberg_manifest.h"
#include "io/iceberg_scan.h"
#include "io/iceberg_table.h"
#include "io/parquet_reader.h"
#include "io/parquet_writer.h"
#include "kernels/status.h"
#include "kernels/vector.h"

#include <check.h>
#include <ftw.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KILLS 210
#define CLEAN_EVERY 20

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
    snprintf(root, sizeof root, "%s/floe-tcrash-XXXXXX", base != NULL ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(root));
    snprintf(table, sizeof table, "%s/ns/crashy", root);
    floe_ice_new_column columns[] = {{"id", {FLOE_TYPE_INT64, 0, 0}, 1, 1, NULL}};
    floe_error err;
    ck_assert_msg(floe_ice_commit_create_table(table, columns, 1, NULL, 0, &err) == FLOE_OK,
                  "%s", err.message);
}

static void teardown(void)
{
    nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- the child ------------------------------------------------------------------------- */

static const char *const steps[] = {
    "manifests-written", "list-written",      "metadata-written", "temp-written",
    "directories-synced", "published",        "temp-removed",     "hint-temp-written",
    "hint-renamed",
};
enum { STEP_COUNT = sizeof steps / sizeof steps[0] };

typedef struct child_plan {
    const char *kill_step; /* NULL: random sleeps */
    int kill_occurrence;
    int seen;
} child_plan;

static child_plan plan;

static void on_step(const char *step, void *context)
{
    (void)context;
    if (plan.kill_step != NULL) {
        if (strcmp(step, plan.kill_step) == 0 && ++plan.seen == plan.kill_occurrence)
            raise(SIGKILL);
    } else if (rand() % 3 == 0) {
        usleep((useconds_t)(rand() % 250));
    }
}

static void on_catalog_step(const char *step, void *context)
{
    on_step(step, context);
}

static int write_data(const char *path, uint32_t rows, floe_ice_data_file *file)
{
    floe_pq_write_column column = {"id", {FLOE_TYPE_INT64, 0, 0}, false, 1};
    floe_pq_write_schema schema = {&column, 1, NULL, NULL, 0};
    floe_type type = floe_type_make(FLOE_TYPE_INT64);
    floe_pq_writer *writer = NULL;
    floe_batch batch;
    floe_pq_write_result result;
    floe_error err;
    int status = floe_batch_init(&batch, 1, &type, &err);
    if (status != FLOE_OK) return status;
    for (uint32_t i = 0; i < rows; i++) ((int64_t *)batch.columns[0].data)[i] = (int64_t)i;
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

static void appender(void)
{
    floe_ice_commit_set_test_hook(on_step, NULL);
    floe_io_catalog_test_hooks hooks = {on_catalog_step, NULL, 0};
    floe_io_catalog_set_test_hooks(&hooks);
    for (;;) {
        char path[1024];
        floe_error err;
        if (floe_io_catalog_new_file_path(table, "data", "00000-", ".parquet", path, sizeof path,
                                          &err) != FLOE_OK)
            _exit(20);
        floe_ice_data_file file;
        if (write_data(path, (uint32_t)(rand() % 5 + 1), &file) != FLOE_OK) _exit(21);
        floe_ice_commit_request request = {0};
        request.added_files = &file;
        request.added_count = 1;
        request.expected_schema_id = -1;
        if (floe_ice_commit(table, &request, NULL, &err) != FLOE_OK) {
            fprintf(stderr, "child: %s\n", err.message);
            _exit(22);
        }
    }
}

/* ---- the checks ------------------------------------------------------------------------ */

/* A set of strings (open addressing), for referenced paths and footers already verified. */
typedef struct string_set {
    char **slots;
    size_t capacity, count;
} string_set;

static uint64_t hash_text(const char *text)
{
    uint64_t hash = 1469598103934665603ull;
    for (; *text; text++) hash = (hash ^ (unsigned char)*text) * 1099511628211ull;
    return hash;
}

static int string_set_contains(const string_set *set, const char *text)
{
    if (set->capacity == 0) return 0;
    for (size_t i = hash_text(text) & (set->capacity - 1);; i = (i + 1) & (set->capacity - 1)) {
        if (set->slots[i] == NULL) return 0;
        if (strcmp(set->slots[i], text) == 0) return 1;
    }
}

static void string_set_add(string_set *set, const char *text)
{
    if (string_set_contains(set, text)) return;
    if ((set->count + 1) * 2 > set->capacity) {
        string_set bigger = {calloc(set->capacity ? set->capacity * 2 : 256, sizeof(char *)),
                             set->capacity ? set->capacity * 2 : 256, 0};
        ck_assert_ptr_nonnull(bigger.slots);
        for (size_t i = 0; i < set->capacity; i++)
            if (set->slots[i] != NULL) {
                size_t j = hash_text(set->slots[i]) & (bigger.capacity - 1);
                while (bigger.slots[j] != NULL) j = (j + 1) & (bigger.capacity - 1);
                bigger.slots[j] = set->slots[i];
                bigger.count++;
            }
        free(set->slots);
        *set = bigger;
    }
    size_t i = hash_text(text) & (set->capacity - 1);
    while (set->slots[i] != NULL) i = (i + 1) & (set->capacity - 1);
    set->slots[i] = strdup(text);
    ck_assert_ptr_nonnull(set->slots[i]);
    set->count++;
}

static void string_set_free(string_set *set)
{
    for (size_t i = 0; i < set->capacity; i++) free(set->slots[i]);
    free(set->slots);
    memset(set, 0, sizeof *set);
}

static string_set footers_checked; /* data files whose row count was read from the file */

static const char *summary(const floe_ice_snapshot *snapshot, const char *key)
{
    for (size_t i = 0; i < snapshot->summary_count; i++)
        if (strcmp(snapshot->summary[i].key, key) == 0) return snapshot->summary[i].value;
    return NULL;
}

/* Every file on disk, for comparing with the referenced and orphan sets. */
static string_set on_disk;

static int collect_file(const char *path, const struct stat *info, int flag, struct FTW *ftw)
{
    (void)info, (void)ftw;
    if (flag == FTW_F) string_set_add(&on_disk, path);
    return 0;
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

/* Checks the table; returns its snapshot count. With `clean`, removes the orphans and checks
 * that they were all that was not referenced. */
static size_t check_table(int kill_number, int clean, int full_scan)
{
    floe_ice_table *opened = NULL;
    floe_error err;
    ck_assert_msg(floe_ice_table_open(&opened, table, NULL, &err) == FLOE_OK,
                  "kill %d: %s", kill_number, err.message);
    const floe_ice_table_metadata *metadata = opened->metadata;
    string_set referenced = {0};

    /* A linear history holding every snapshot. */
    size_t length = 0;
    int64_t sequence = -1;
    for (const floe_ice_snapshot *snapshot = floe_ice_current_snapshot(metadata);
         snapshot != NULL;) {
        length++;
        ck_assert_uint_le(length, metadata->snapshot_count);
        if (sequence != -1) ck_assert_int_eq(snapshot->sequence_number, sequence - 1);
        sequence = snapshot->sequence_number;
        if (snapshot->parent_snapshot_id == -1) break;
        snapshot = floe_ice_snapshot_by_id(metadata, snapshot->parent_snapshot_id);
        ck_assert_msg(snapshot != NULL, "kill %d: a parent is missing", kill_number);
    }
    ck_assert_uint_eq(length, metadata->snapshot_count);
    if (length > 0) ck_assert_int_eq(sequence, 1);

    for (size_t s = 0; s < metadata->snapshot_count; s++)
        string_set_add(&referenced, metadata->snapshots[s].manifest_list);

    /* The current snapshot: its files (appends only, so its manifests are all manifests). */
    int64_t records = 0;
    const floe_ice_snapshot *current = floe_ice_current_snapshot(metadata);
    if (current != NULL) {
        floe_ice_manifest_list *list = NULL;
        ck_assert_msg(floe_ice_manifest_list_read(current->manifest_list, &list, &err) ==
                          FLOE_OK,
                      "kill %d: %s", kill_number, err.message);
        size_t files = 0;
        for (size_t m = 0; m < list->count; m++) {
            string_set_add(&referenced, list->entries[m].manifest_path);
            floe_ice_manifest *manifest = NULL;
            ck_assert_msg(floe_ice_manifest_read(list->entries[m].manifest_path, &manifest,
                                                 &err) == FLOE_OK,
                          "kill %d: %s", kill_number, err.message);
            for (size_t e = 0; e < manifest->count; e++) {
                const floe_ice_data_file *file = &manifest->entries[e].data_file;
                ck_assert_int_ne(manifest->entries[e].status, FLOE_ICE_STATUS_DELETED);
                ck_assert_int_ge(file->record_count, 1);
                ck_assert_int_le(file->record_count, 5);
                records += file->record_count;
                files++;
                string_set_add(&referenced, file->file_path);
                struct stat info;
                ck_assert_msg(stat(file->file_path, &info) == 0, "kill %d: %s is missing",
                              kill_number, file->file_path);
                ck_assert_int_eq(info.st_size, file->file_size_in_bytes);
                if (!string_set_contains(&footers_checked, file->file_path)) {
                    floe_pq_reader *reader = NULL;
                    ck_assert_msg(floe_pq_reader_open(&reader, file->file_path, NULL, &err) ==
                                      FLOE_OK,
                                  "kill %d: %s", kill_number, err.message);
                    ck_assert_int_eq(floe_pq_reader_metadata(reader)->num_rows,
                                     file->record_count);
                    floe_pq_reader_free(reader);
                    string_set_add(&footers_checked, file->file_path);
                }
            }
            floe_ice_manifest_free(manifest);
        }
        floe_ice_manifest_list_free(list);
        ck_assert_uint_eq(files, length); /* one whole append per snapshot */
        char text[32];
        snprintf(text, sizeof text, "%lld", (long long)records);
        const char *total = summary(current, "total-records");
        ck_assert_msg(total != NULL && strcmp(total, text) == 0,
                      "kill %d: total-records %s, files hold %s", kill_number,
                      total ? total : "(none)", text);
        if (full_scan) ck_assert_int_eq(scan_rows(opened), records);
    }

    /* Everything on disk: referenced, a metadata JSON or the hint, or an orphan. */
    char **paths = malloc((referenced.count + 1) * sizeof *paths);
    ck_assert_ptr_nonnull(paths);
    size_t path_count = 0;
    for (size_t i = 0; i < referenced.capacity; i++)
        if (referenced.slots[i] != NULL) paths[path_count++] = referenced.slots[i];
    floe_io_string_list orphans;
    floe_io_string_list_init(&orphans);
    ck_assert_msg(floe_io_catalog_list_orphans(table, (const char *const *)paths, path_count, 0,
                                               &orphans, &err) == FLOE_OK,
                  "kill %d: %s", kill_number, err.message);
    string_set orphan_set = {0};
    for (size_t i = 0; i < orphans.count; i++) {
        ck_assert_msg(!string_set_contains(&referenced, orphans.items[i]),
                      "kill %d: referenced %s listed as an orphan", kill_number,
                      orphans.items[i]);
        string_set_add(&orphan_set, orphans.items[i]);
    }
    nftw(table, collect_file, 16, FTW_PHYS);
    for (size_t i = 0; i < on_disk.capacity; i++) {
        const char *path = on_disk.slots[i];
        if (path == NULL) continue;
        const char *name = strrchr(path, '/') + 1;
        int metadata_file = name[0] == 'v' && strstr(name, ".metadata.json") != NULL;
        ck_assert_msg(string_set_contains(&referenced, path) ||
                          string_set_contains(&orphan_set, path) || metadata_file ||
                          strcmp(name, "version-hint.text") == 0,
                      "kill %d: %s is neither referenced nor an orphan", kill_number, path);
    }
    string_set_free(&on_disk);
    if (clean) {
        size_t removed = 0;
        ck_assert_int_eq(floe_io_catalog_remove_files(table, &orphans, &removed, &err), FLOE_OK);
        ck_assert_uint_eq(removed, orphans.count);
    }
    string_set_free(&orphan_set);
    floe_io_string_list_fini(&orphans);
    free(paths);
    string_set_free(&referenced);
    floe_ice_table_free(opened);
    return length;
}

START_TEST(sigkill_during_appends)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    srand((unsigned)time(NULL));
    size_t snapshots = 0;
    int self_kills = 0;
    for (int kill_number = 1; kill_number <= KILLS; kill_number++) {
        int from_inside = kill_number % 3 == 0;
        memset(&plan, 0, sizeof plan);
        if (from_inside) {
            plan.kill_step = steps[(kill_number / 3) % STEP_COUNT];
            plan.kill_occurrence = 1;
        }
        unsigned seed = (unsigned)rand();
        pid_t child = fork();
        ck_assert_int_ge(child, 0);
        if (child == 0) {
            srand(seed);
            appender();
        }
        int status = 0;
        pid_t waited = 0;
        if (!from_inside) {
            /* Short delays land in the first commit's steps, longer ones in later commits. */
            usleep((useconds_t)(rand() % (kill_number % 2 == 0 ? 3000 : 12000)));
        } else {
            /* Up to 0.5 s for the child to reach its step and kill itself. */
            for (int i = 0; i < 500 && waited == 0; i++) {
                waited = waitpid(child, &status, WNOHANG);
                if (waited == 0) usleep(1000);
            }
            self_kills += waited == child;
        }
        if (waited == 0) {
            kill(child, SIGKILL);
            waited = waitpid(child, &status, 0);
        }
        ck_assert_int_eq(waited, child);
        ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                      "kill %d: the child exited by itself (status %d)", kill_number,
                      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        int clean = kill_number % CLEAN_EVERY == 0;
        size_t now_snapshots = check_table(kill_number, clean, clean);
        ck_assert_uint_ge(now_snapshots, snapshots);
        snapshots = now_snapshots;
        if (clean) {
            size_t again = check_table(kill_number, 0, 1);
            ck_assert_uint_eq(again, snapshots);
        }
    }
    string_set_free(&footers_checked);
    clock_gettime(CLOCK_MONOTONIC, &now);
    double seconds =
        (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
    fprintf(stderr, "%d kills (%d by the child at its chosen step), %zu snapshots, %.1f s\n", KILLS, self_kills,
            snapshots, seconds);
    ck_assert_uint_gt(snapshots, 0);
    ck_assert_int_ge(self_kills, KILLS / 3 / 2); /* most chosen steps were reached */
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("table_commit_crash");
    TCase *crash = tcase_create("crash");
    tcase_set_timeout(crash, 120);
    tcase_add_checked_fixture(crash, setup, teardown);
    tcase_add_test(crash, sigkill_during_appends);
    suite_add_tcase(suite, crash);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
