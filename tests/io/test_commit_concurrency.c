/*
 * Description: concurrent writers on one file-system table (io/catalog_fs.h). Several forked
 * processes, released together, each make a fixed number of commits in the optimistic loop
 * (read the current version N, publish N + 1, on FLOE_ECONFLICT reload and retry), starting
 * from a table that does not exist yet (so the creators race too). Each metadata file names its
 * writer, commit and attempt, and each process logs the version every successful commit got.
 * Afterwards: versions 1..total exist with no gap and nothing beyond, every version's content
 * names exactly the commit that logged it (so no version was overwritten), every logged commit
 * appears exactly once, every version was built on its predecessor (history is linear), the
 * hint is exact once writers are idle, no temporary file is left, and conflicts did happen.
 */
#define _GNU_SOURCE /* mkdtemp, nftw */
#include "io/catalog_fs.h"
#include "io/fs_util.h"
#include "kernels/memory.h"
#include "kernels/status.h"

#include <check.h>
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
    snprintf(root, sizeof root, "%s/floe-concurrency-XXXXXX", base != NULL ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(root));
}

static void teardown(void)
{
    nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* One writer process: `commits` successful commits, logged as "commit version" lines. */
static void writer(int index, int commits, const char *table, int release_fd)
{
    char byte;
    if (read(release_fd, &byte, 1) < 0) _exit(10); /* blocks until the parent closes it */
    char log_path[512];
    snprintf(log_path, sizeof log_path, "%s/log-%d", root, index);
    FILE *log = fopen(log_path, "w");
    if (log == NULL) _exit(11);
    long conflicts = 0;
    for (int commit = 0; commit < commits; commit++) {
        for (int attempt = 0;; attempt++) {
            floe_error err;
            int64_t current = 0;
            int status = floe_io_catalog_current_version(table, &current, NULL, &err);
            if (status == FLOE_ENOTFOUND) {
                current = 0;
            } else if (status != FLOE_OK) {
                fprintf(log, "error current %d %s\n", status, err.message);
                fclose(log);
                _exit(12);
            }
            char content[256];
            int length = snprintf(content, sizeof content,
                                  "writer=%d commit=%d attempt=%d expected=%lld\n", index,
                                  commit, attempt, (long long)current);
            int64_t published = 0;
            status = floe_io_catalog_publish(table, current, content, (size_t)length, &published,
                                             &err);
            if (status == FLOE_OK) {
                fprintf(log, "%d %lld\n", commit, (long long)published);
                break;
            }
            if (status != FLOE_ECONFLICT || published != 0) {
                fprintf(log, "error publish %d %s\n", status, err.message);
                fclose(log);
                _exit(13);
            }
            conflicts++;
        }
    }
    fprintf(log, "conflicts %ld\n", conflicts);
    fclose(log);
    _exit(0);
}

static void run_writers(int writers, int commits, int force_rename)
{
    floe_io_catalog_test_hooks hooks = {NULL, NULL, force_rename};
    floe_io_catalog_set_test_hooks(&hooks);
    char table[512];
    ck_assert_int_eq(floe_io_catalog_table_directory(root, "ns.contended", table, sizeof table,
                                                     NULL), FLOE_OK);
    int release[2];
    ck_assert_int_eq(pipe(release), 0);
    pid_t children[8];
    for (int i = 0; i < writers; i++) {
        children[i] = fork();
        ck_assert_int_ge(children[i], 0);
        if (children[i] == 0) {
            close(release[1]);
            writer(i, commits, table, release[0]);
        }
    }
    close(release[0]);
    close(release[1]); /* every writer starts now */
    for (int i = 0; i < writers; i++) {
        int wait_status = 0;
        ck_assert_int_eq(waitpid(children[i], &wait_status, 0), children[i]);
        ck_assert_msg(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0,
                      "writer %d failed (status %d); see %s/log-%d", i, wait_status, root, i);
    }

    int64_t total = (int64_t)writers * commits;
    /* owner[v] = writer * commits + commit + 1 of the commit that logged version v. */
    long *owner = calloc((size_t)total + 2, sizeof *owner);
    ck_assert_ptr_nonnull(owner);
    long conflicts = 0;
    for (int i = 0; i < writers; i++) {
        char log_path[512];
        snprintf(log_path, sizeof log_path, "%s/log-%d", root, i);
        FILE *log = fopen(log_path, "r");
        ck_assert_ptr_nonnull(log);
        int expected_commit = 0;
        char line[1024];
        while (fgets(line, sizeof line, log) != NULL) {
            long count = 0;
            if (sscanf(line, "conflicts %ld", &count) == 1) {
                conflicts += count;
                continue;
            }
            int commit = -1;
            long long version = -1;
            ck_assert_msg(sscanf(line, "%d %lld", &commit, &version) == 2, "log: %s", line);
            ck_assert_int_eq(commit, expected_commit++);
            ck_assert_msg(version >= 1 && version <= total, "version %lld out of 1..%lld",
                          version, (long long)total);
            ck_assert_msg(owner[version] == 0, "version %lld logged twice", version);
            owner[version] = (long)i * commits + commit + 1;
        }
        fclose(log);
        ck_assert_int_eq(expected_commit, commits);
    }
    for (int64_t version = 1; version <= total; version++) {
        ck_assert_msg(owner[version] != 0, "no commit logged version %lld", (long long)version);
        char path[512];
        ck_assert_int_eq(floe_io_catalog_metadata_path(table, version, path, sizeof path, NULL),
                         FLOE_OK);
        char *content = NULL;
        size_t size = 0;
        ck_assert_int_eq(floe_io_read_small_file(path, 4096, &content, &size, NULL), FLOE_OK);
        int writer_index = -1, commit = -1, attempt = -1;
        long long expected = -1;
        ck_assert_int_eq(sscanf(content, "writer=%d commit=%d attempt=%d expected=%lld",
                                &writer_index, &commit, &attempt, &expected), 4);
        ck_assert_msg((long)writer_index * commits + commit + 1 == owner[version],
                      "v%lld holds writer %d commit %d, but another commit logged it",
                      (long long)version, writer_index, commit);
        ck_assert_int_eq(expected, version - 1); /* built on its predecessor: linear */
        floe_free(content);
    }
    char path[512];
    ck_assert_int_eq(floe_io_catalog_metadata_path(table, total + 1, path, sizeof path, NULL),
                     FLOE_OK);
    ck_assert_int_ne(access(path, F_OK), 0);
    int64_t current = 0;
    ck_assert_int_eq(floe_io_catalog_current_version(table, &current, NULL, NULL), FLOE_OK);
    ck_assert_int_eq(current, total);
    ck_assert_int_eq(floe_io_path_join(path, sizeof path, table, "metadata/version-hint.text",
                                       NULL), FLOE_OK);
    char *hint = NULL;
    size_t size = 0;
    ck_assert_int_eq(floe_io_read_small_file(path, 64, &hint, &size, NULL), FLOE_OK);
    ck_assert_int_eq(strtoll(hint, NULL, 10), total);
    floe_free(hint);
    floe_io_string_list orphans;
    floe_io_string_list_init(&orphans);
    ck_assert_int_eq(floe_io_catalog_list_orphans(table, NULL, 0, 0, &orphans, NULL), FLOE_OK);
    ck_assert_msg(orphans.count == 0, "left over: %s", orphans.count ? orphans.items[0] : "");
    floe_io_string_list_fini(&orphans);
    /* With writers released together, losing races is certain; a run without a single
     * conflict would mean the loop never exercised the protocol's arbitration. */
    ck_assert_int_gt(conflicts, 0);
    fprintf(stderr, "%d writers x %d commits (%s): %lld versions, %ld conflicts retried\n",
            writers, commits, force_rename ? "renameat2" : "link", (long long)total, conflicts);
    free(owner);
    floe_io_catalog_set_test_hooks(NULL);
}

START_TEST(four_writers_with_link)
{
    run_writers(4, 200, 0);
}
END_TEST

START_TEST(two_writers_with_renameat2)
{
    run_writers(2, 150, 1);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("commit_concurrency");
    TCase *writers = tcase_create("writers");
    tcase_add_checked_fixture(writers, setup, teardown);
    tcase_set_timeout(writers, 240);
    tcase_add_test(writers, four_writers_with_link);
    tcase_add_test(writers, two_writers_with_renameat2);
    suite_add_tcase(suite, writers);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}
