/*
 * Description: crash safety of the file-system commit protocol (io/catalog_fs.h). A forked child
 * commits in a loop — a data file under a unique name, then metadata naming it, published as the
 * next version — and is killed with SIGKILL, 300 times:
 *   - first, deterministically, at each step of the protocol (the child kills itself from the
 *     test hook at the k-th occurrence of a step), with the exact outcome each step implies
 *     (not yet published / published with a stale hint / hint exact, which residue is left);
 *   - then at random moments, the child sleeping a random few microseconds between steps so
 *     that kills land inside the protocol as well as between commits.
 * After every kill: the table opens (our current_version and the Iceberg locator), the current
 * version only moves forward, every version is complete (each metadata file ends with a
 * checksum line) and built on its predecessor, every data file a version names exists, the hint
 * is digits only and never ahead of a published file, the only residue is .tmp-* files and
 * unreferenced data files, and the orphan listing finds exactly those. Every 25 kills the
 * orphans are removed and the table is checked again.
 */
#define _GNU_SOURCE /* mkdtemp, nftw, usleep */
#include "io/catalog_fs.h"
#include "io/fs_util.h"
#include "io/iceberg_locate.h"
#include "kernels/memory.h"
#include "kernels/status.h"

#include <check.h>
#include <dirent.h>
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

#define KILLS 300
#define MAX_VERSIONS 20000

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
    snprintf(root, sizeof root, "%s/floe-crash-XXXXXX", base != NULL ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(root));
    ck_assert_int_eq(floe_io_catalog_table_directory(root, "ns.crashy", table, sizeof table,
                                                     NULL), FLOE_OK);
}

static void teardown(void)
{
    nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static uint64_t fnv1a(const char *bytes, size_t size)
{
    uint64_t hash = 1469598103934665603ull;
    for (size_t i = 0; i < size; i++) {
        hash ^= (unsigned char)bytes[i];
        hash *= 1099511628211ull;
    }
    return hash;
}

/* "expected=N data=<relative path> pad=<random>\n" then "end=<16 hex of fnv1a(before)>\n". */
static char *make_metadata(int64_t expected, const char *data_relative, size_t *size)
{
    size_t pad = (size_t)(rand() % 20000);
    size_t capacity = pad + 1024;
    char *text = malloc(capacity);
    if (text == NULL) return NULL;
    int length = snprintf(text, capacity, "expected=%lld data=%s pad=", (long long)expected,
                          data_relative);
    for (size_t i = 0; i < pad; i++) text[length + (int)i] = (char)('a' + rand() % 26);
    length += (int)pad;
    text[length++] = '\n';
    uint64_t hash = fnv1a(text, (size_t)length);
    length += snprintf(text + length, capacity - (size_t)length, "end=%016llx\n",
                       (unsigned long long)hash);
    *size = (size_t)length;
    return text;
}

/* ---- the child ------------------------------------------------------------------------- */

typedef struct child_plan {
    const char *kill_step; /* NULL: random sleeps instead */
    int kill_occurrence;
    int seen;
} child_plan;

static void on_step(const char *step, void *context)
{
    child_plan *plan = context;
    if (plan->kill_step != NULL) {
        if (strcmp(step, plan->kill_step) == 0 && ++plan->seen == plan->kill_occurrence) {
            raise(SIGKILL);
        }
    } else if (rand() % 2 == 0) {
        usleep((useconds_t)(rand() % 400));
    }
}

static void committer(child_plan *plan)
{
    floe_io_catalog_test_hooks hooks = {on_step, plan, 0};
    floe_io_catalog_set_test_hooks(&hooks);
    for (;;) {
        char data_path[1024];
        floe_error err;
        if (floe_io_catalog_new_file_path(table, "data", "00000-", ".parquet", data_path,
                                          sizeof data_path, &err) != FLOE_OK) {
            _exit(20);
        }
        char data[64];
        int data_length = snprintf(data, sizeof data, "rows of %s", strrchr(data_path, '/') + 1);
        if (floe_io_write_file_durable(data_path, data, (size_t)data_length, &err) != FLOE_OK) {
            _exit(21);
        }
        int64_t current = 0;
        if (floe_io_catalog_current_version(table, &current, NULL, &err) != FLOE_OK) _exit(22);
        size_t size = 0;
        char *metadata = make_metadata(current, data_path + strlen(table) + 1, &size);
        if (metadata == NULL) _exit(23);
        int status = floe_io_catalog_publish(table, current, metadata, size, NULL, &err);
        free(metadata);
        if (status != FLOE_OK && status != FLOE_ECONFLICT) _exit(24);
    }
}

/* ---- the checks ------------------------------------------------------------------------ */

typedef struct table_state {
    int64_t version;              /* newest version verified so far */
    char *data[MAX_VERSIONS + 1]; /* data[v]: the data file v names, relative to the table */
} table_state;

/* Verifies versions state->version + 1 .. current and records their data files. */
static void verify_versions(table_state *state, int64_t current)
{
    ck_assert_msg(current >= state->version, "current version went back from %lld to %lld",
                  (long long)state->version, (long long)current);
    ck_assert_int_le(current, MAX_VERSIONS);
    for (int64_t v = state->version + 1; v <= current; v++) {
        char path[1024];
        ck_assert_int_eq(floe_io_catalog_metadata_path(table, v, path, sizeof path, NULL),
                         FLOE_OK);
        char *text = NULL;
        size_t size = 0;
        ck_assert_int_eq(floe_io_read_small_file(path, 1 << 20, &text, &size, NULL), FLOE_OK);
        ck_assert_msg(size > 21 && strncmp(text + size - 21, "end=", 4) == 0,
                      "v%lld: incomplete (%zu bytes, no end line)", (long long)v, size);
        unsigned long long stored = strtoull(text + size - 17, NULL, 16);
        ck_assert_msg(stored == fnv1a(text, size - 21), "v%lld: checksum mismatch", (long long)v);
        long long expected = -1;
        char data[256];
        ck_assert_int_eq(sscanf(text, "expected=%lld data=%255s", &expected, data), 2);
        ck_assert_int_eq(expected, v - 1);
        char *pad = strstr(data, " pad=");
        if (pad != NULL) *pad = '\0';
        state->data[v] = strcmp(data, "none") == 0 ? NULL : strdup(data);
        floe_free(text);
    }
    state->version = current;
    /* Every published version's data file exists (vacuum must never have taken one). */
    for (int64_t v = 1; v <= current; v++) {
        if (state->data[v] == NULL) continue; /* version 1 was made by the parent */
        char path[1024];
        ck_assert_int_eq(floe_io_path_join(path, sizeof path, table, state->data[v], NULL),
                         FLOE_OK);
        ck_assert_msg(access(path, F_OK) == 0, "v%lld names missing %s", (long long)v, path);
    }
}

static int compare_strings(const void *left, const void *right)
{
    return strcmp(*(const char *const *)left, *(const char *const *)right);
}

typedef struct residue {
    int metadata_temporaries; /* .tmp-*.metadata.json */
    int hint_temporaries;     /* .tmp-*.version-hint.text */
    int orphan_data;          /* data files no version names */
    int64_t hint;             /* -1 when there is no hint */
} residue;

/* Checks the whole table after a kill and returns what was left behind. */
static residue check_table(table_state *state)
{
    residue found = {0, 0, 0, -1};
    floe_error err;
    int64_t current = 0;
    int status = floe_io_catalog_current_version(table, &current, NULL, &err);
    ck_assert_msg(status == FLOE_OK, "table does not open: %s", err.message);
    verify_versions(state, current);
    char *located = NULL;
    int64_t located_version = 0;
    status = floe_ice_locate_metadata(table, &located, &located_version, &err);
    ck_assert_msg(status == FLOE_OK, "locator: %s", err.message);
    ck_assert_int_le(located_version, current);
    floe_free(located);

    /* The data files the versions name, sorted for lookups. */
    const char **referenced = malloc(((size_t)current + 1) * sizeof *referenced);
    ck_assert_ptr_nonnull(referenced);
    size_t referenced_count = 0;
    for (int64_t v = 1; v <= current; v++) {
        if (state->data[v] != NULL) referenced[referenced_count++] = state->data[v];
    }
    qsort(referenced, referenced_count, sizeof *referenced, compare_strings);

    /* Independent listing: what is in metadata/ and data/, and what should be an orphan. */
    size_t expected_count = 0, expected_capacity = 64;
    char **expected = malloc(expected_capacity * sizeof *expected);
    ck_assert_ptr_nonnull(expected);
    static const char *const folders[] = {"metadata", "data"};
    for (int f = 0; f < 2; f++) {
        char folder[1024];
        ck_assert_int_eq(floe_io_path_join(folder, sizeof folder, table, folders[f], NULL),
                         FLOE_OK);
        DIR *directory = opendir(folder);
        ck_assert_ptr_nonnull(directory);
        struct dirent *entry;
        while ((entry = readdir(directory)) != NULL) {
            const char *name = entry->d_name;
            if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
            int orphan = 0;
            if (strncmp(name, ".tmp-", 5) == 0) {
                ck_assert_int_eq(f, 0);
                if (strstr(name, ".version-hint.text") != NULL) {
                    found.hint_temporaries++;
                } else {
                    ck_assert_msg(strstr(name, ".metadata.json") != NULL, "odd temp %s", name);
                    found.metadata_temporaries++;
                }
                orphan = 1;
            } else if (f == 0 && strcmp(name, "version-hint.text") == 0) {
                char path[1024];
                ck_assert_int_eq(floe_io_path_join(path, sizeof path, folder, name, NULL),
                                 FLOE_OK);
                char *text = NULL;
                size_t size = 0;
                ck_assert_int_eq(floe_io_read_small_file(path, 64, &text, &size, NULL), FLOE_OK);
                ck_assert_msg(size > 0 && strspn(text, "0123456789") == size,
                              "hint is not a number: '%s'", text);
                found.hint = strtoll(text, NULL, 10);
                floe_free(text);
                ck_assert_msg(found.hint >= 1 && found.hint <= current,
                              "hint %lld ahead of the newest version %lld",
                              (long long)found.hint, (long long)current);
            } else if (f == 0) {
                long long v = -1;
                int consumed = 0;
                ck_assert_msg(sscanf(name, "v%lld.metadata.json%n", &v, &consumed) == 1 &&
                              (size_t)consumed == strlen(name) && v >= 1 && v <= current,
                              "unexpected metadata file %s (current %lld)", name,
                              (long long)current);
            } else {
                char relative[512];
                snprintf(relative, sizeof relative, "data/%s", name);
                const char *key = relative;
                orphan = bsearch(&key, referenced, referenced_count, sizeof *referenced,
                                 compare_strings) == NULL;
                found.orphan_data += orphan;
            }
            if (orphan) {
                if (expected_count == expected_capacity) {
                    expected_capacity *= 2;
                    expected = realloc(expected, expected_capacity * sizeof *expected);
                    ck_assert_ptr_nonnull(expected);
                }
                char path[1024];
                ck_assert_int_eq(floe_io_path_join(path, sizeof path, folder, name, NULL),
                                 FLOE_OK);
                expected[expected_count++] = strdup(path);
            }
        }
        closedir(directory);
    }

    /* The library's orphan listing must find exactly those files. */
    floe_io_string_list orphans;
    floe_io_string_list_init(&orphans);
    ck_assert_int_eq(floe_io_catalog_list_orphans(table, referenced, referenced_count, 0,
                                                  &orphans, &err), FLOE_OK);
    qsort(expected, expected_count, sizeof *expected, compare_strings);
    ck_assert_uint_eq(orphans.count, expected_count);
    for (size_t i = 0; i < expected_count; i++) {
        ck_assert_str_eq(orphans.items[i], expected[i]);
        free(expected[i]);
    }
    free(expected);
    free(referenced);
    floe_io_string_list_fini(&orphans);
    return found;
}

static void vacuum(table_state *state)
{
    const char **referenced = malloc(((size_t)state->version + 1) * sizeof *referenced);
    ck_assert_ptr_nonnull(referenced);
    size_t count = 0;
    for (int64_t v = 1; v <= state->version; v++) {
        if (state->data[v] != NULL) referenced[count++] = state->data[v];
    }
    floe_io_string_list orphans;
    floe_io_string_list_init(&orphans);
    floe_error err;
    ck_assert_int_eq(floe_io_catalog_list_orphans(table, referenced, count, 0, &orphans, &err),
                     FLOE_OK);
    size_t removed = 0;
    ck_assert_int_eq(floe_io_catalog_remove_files(table, &orphans, &removed, &err), FLOE_OK);
    ck_assert_uint_eq(removed, orphans.count);
    floe_io_string_list_fini(&orphans);
    free(referenced);
    residue left = check_table(state);
    ck_assert_int_eq(left.metadata_temporaries + left.hint_temporaries + left.orphan_data, 0);
}

static pid_t start_child(child_plan *plan, unsigned seed)
{
    fflush(NULL);
    pid_t child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        srand(seed);
        committer(plan);
    }
    return child;
}

static void reap(pid_t child)
{
    int wait_status = 0;
    ck_assert_int_eq(waitpid(child, &wait_status, 0), child);
    ck_assert_msg(WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL,
                  "child ended otherwise than killed (status %d)", wait_status);
}

START_TEST(killed_committers_leave_old_or_new_never_a_mix)
{
    static table_state state; /* large: not on the stack */
    memset(&state, 0, sizeof state);
    size_t size = 0;
    srand(12345);
    char *first = make_metadata(0, "none", &size);
    ck_assert_int_eq(floe_io_catalog_publish(table, 0, first, size, NULL, NULL), FLOE_OK);
    free(first);
    residue start = check_table(&state);
    ck_assert_int_eq(state.version, 1);
    ck_assert_int_eq(start.hint, 1);

    /* Deterministic kills at every step, at its 1st, 2nd and 3rd occurrence. */
    static const char *const steps[] = {"temp-written", "directories-synced", "published",
                                        "temp-removed", "hint-temp-written", "hint-renamed"};
    int kills = 0;
    for (int s = 0; s < 6; s++) {
        for (int occurrence = 1; occurrence <= 3; occurrence++) {
            child_plan plan = {steps[s], occurrence, 0};
            int64_t before = state.version;
            residue previous = check_table(&state);
            reap(start_child(&plan, (unsigned)kills + 1));
            kills++;
            residue after = check_table(&state);
            int published = s >= 2; /* killed at or after the commit point */
            ck_assert_msg(state.version == before + (occurrence - 1) + published,
                          "killed at %s #%d: version %lld, expected %lld", steps[s], occurrence,
                          (long long)state.version,
                          (long long)(before + (occurrence - 1) + published));
            /* Which residue each step leaves, beyond what was there before. */
            int new_temporaries = after.metadata_temporaries - previous.metadata_temporaries;
            ck_assert_int_eq(new_temporaries, s <= 2 ? 1 : 0); /* link keeps it until removed */
            ck_assert_int_eq(after.hint_temporaries - previous.hint_temporaries, s == 4 ? 1 : 0);
            ck_assert_int_eq(after.orphan_data - previous.orphan_data, published ? 0 : 1);
            /* The hint: exact once this child renamed it; otherwise what the previous commit
             * (of this child, or of the child before) left. */
            int hint_behind = s >= 2 && s <= 4; /* published, hint not yet renamed */
            if (s == 5) {
                ck_assert_int_eq(after.hint, state.version);
            } else if (occurrence > 1) {
                ck_assert_int_eq(after.hint, state.version - hint_behind);
            } else {
                ck_assert_int_eq(after.hint, previous.hint);
            }
        }
    }
    vacuum(&state);

    /* Random kills: the child sleeps a little between steps, the parent kills at random. */
    int stale_hints = 0, new_temporaries = 0, unpublished = 0;
    residue previous = check_table(&state);
    while (kills < KILLS) {
        child_plan plan = {NULL, 0, 0};
        pid_t child = start_child(&plan, (unsigned)kills * 7919u + 17u);
        usleep((useconds_t)(rand() % 6000));
        ck_assert_int_eq(kill(child, SIGKILL), 0);
        reap(child);
        kills++;
        residue after = check_table(&state);
        stale_hints += after.hint < state.version;
        new_temporaries += after.metadata_temporaries + after.hint_temporaries >
                           previous.metadata_temporaries + previous.hint_temporaries;
        unpublished += after.orphan_data > previous.orphan_data;
        previous = after;
        if (kills % 25 == 0) {
            vacuum(&state);
            previous = check_table(&state);
        }
    }
    fprintf(stderr, "%d kills (18 at chosen steps), %lld versions; of the random kills, %d left "
            "a stale hint, %d a new temporary file, %d an unpublished data file\n", kills,
            (long long)state.version, stale_hints, new_temporaries, unpublished);
    /* The random phase must have reached inside the protocol at least sometimes. */
    ck_assert_int_gt(new_temporaries + stale_hints, 0);
    for (int64_t v = 0; v <= state.version; v++) free(state.data[v]);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("commit_crash");
    TCase *crashes = tcase_create("crashes");
    tcase_add_checked_fixture(crashes, setup, teardown);
    tcase_set_timeout(crashes, 240);
    tcase_add_test(crashes, killed_committers_leave_old_or_new_never_a_mix);
    suite_add_tcase(suite, crashes);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}
