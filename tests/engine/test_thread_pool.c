/*
 * Description: engine/thread_pool.h. Bodies taking jobs from a shared counter do every job
 * exactly once, on more than one thread when asked for several; the first error in thread order
 * comes back with its message; a note left by a body comes back when nothing failed and is
 * dropped when something did; zero threads run nothing; allocation failure is clean.
 */
#include "engine/thread_pool.h"
#include "kernels/memory.h" /* floe_set_allocation_failure_after */

#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { JOBS = 1000 };

typedef struct jobs {
    atomic_uint next;
    atomic_uint done[JOBS];
    pthread_mutex_t lock;
    pthread_t seen[8];
    unsigned seen_count;
    int fail_at;        /* the job that fails, -1: none */
    int note_at;        /* the job that leaves a note, -1: none */
} jobs;

static void jobs_init(jobs *shared, int fail_at, int note_at)
{
    memset(shared, 0, sizeof *shared);
    pthread_mutex_init(&shared->lock, NULL);
    shared->fail_at = fail_at;
    shared->note_at = note_at;
}

static int body(void *argument, char *note, floe_error *err)
{
    jobs *shared = argument;
    pthread_mutex_lock(&shared->lock);
    bool known = false;
    for (unsigned i = 0; i < shared->seen_count; i++)
        known = known || pthread_equal(shared->seen[i], pthread_self());
    if (!known && shared->seen_count < 8) shared->seen[shared->seen_count++] = pthread_self();
    pthread_mutex_unlock(&shared->lock);
    for (;;) {
        unsigned job = atomic_fetch_add(&shared->next, 1);
        if (job >= JOBS) return FLOE_OK;
        atomic_fetch_add(&shared->done[job], 1);
        if ((int)job == shared->note_at) snprintf(note, 64, "note from job %u", job);
        if ((int)job == shared->fail_at)
            return floe_error_set(err, FLOE_ECORRUPT, "job %u failed", job);
        if (job % 100 == 0) sched_yield(); /* give the other threads a turn */
    }
}

START_TEST(every_job_once_on_several_threads)
{
    jobs shared;
    jobs_init(&shared, -1, -1);
    char note[64] = "untouched";
    floe_error err;
    floe_error_clear(&err);
    ck_assert_int_eq(floe_eng_run_on_threads(4, body, &shared, note, sizeof note, &err), FLOE_OK);
    for (unsigned i = 0; i < JOBS; i++) ck_assert_uint_eq(atomic_load(&shared.done[i]), 1);
    ck_assert_uint_ge(shared.seen_count, 1);
    ck_assert_str_eq(note, "untouched"); /* no body left one */
}
END_TEST

START_TEST(notes_and_errors)
{
    jobs shared;
    jobs_init(&shared, -1, 500);
    char note[64] = "";
    floe_error err;
    floe_error_clear(&err);
    ck_assert_int_eq(floe_eng_run_on_threads(3, body, &shared, note, sizeof note, &err), FLOE_OK);
    ck_assert_str_eq(note, "note from job 500");

    jobs_init(&shared, 700, 10);
    note[0] = '\0';
    ck_assert_int_eq(floe_eng_run_on_threads(2, body, &shared, note, sizeof note, &err),
                     FLOE_ECORRUPT);
    ck_assert_str_eq(err.message, "job 700 failed");
    ck_assert_str_eq(note, ""); /* a failure drops the notes */

    jobs_init(&shared, 3, -1); /* NULL note: bodies still get a buffer */
    ck_assert_int_eq(floe_eng_run_on_threads(1, body, &shared, NULL, 0, &err), FLOE_ECORRUPT);
}
END_TEST

START_TEST(zero_threads_and_no_memory)
{
    jobs shared;
    jobs_init(&shared, -1, -1);
    floe_error err;
    ck_assert_int_eq(floe_eng_run_on_threads(0, body, &shared, NULL, 0, &err), FLOE_OK);
    ck_assert_uint_eq(atomic_load(&shared.next), 0);
    floe_set_allocation_failure_after(0);
    int status = floe_eng_run_on_threads(2, body, &shared, NULL, 0, &err);
    floe_set_allocation_failure_after(-1);
    ck_assert_int_eq(status, FLOE_ENOMEM);
    ck_assert_uint_eq(atomic_load(&shared.next), 0);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("thread_pool");
    TCase *cases = tcase_create("thread_pool");
    tcase_add_test(cases, every_job_once_on_several_threads);
    tcase_add_test(cases, notes_and_errors);
    tcase_add_test(cases, zero_threads_and_no_memory);
    suite_add_tcase(suite, cases);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
