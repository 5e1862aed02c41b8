/*
 * thread_pool.c — one body on several threads (contract in thread_pool.h).
 */
#include "engine/thread_pool.h"

#include "kernels/memory.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

typedef struct pool_thread {
    floe_eng_pool_body body;
    void *shared;
    pthread_t thread;
    bool started;
    int status;
    floe_error err;
    char *note; /* note_size bytes, within the pool's one allocation */
} pool_thread;

static void *pool_thread_main(void *argument)
{
    pool_thread *self = argument;
    self->status = self->body(self->shared, self->note, &self->err);
    return NULL;
}

int floe_eng_run_on_threads(uint32_t thread_count, floe_eng_pool_body body, void *shared,
                            char *note, size_t note_size, floe_error *err)
{
    if (thread_count == 0) return FLOE_OK;
    size_t note_bytes = note_size > 0 ? note_size : 1;
    pool_thread *threads = floe_calloc(thread_count, sizeof *threads);
    char *notes = floe_calloc(thread_count, note_bytes);
    if (threads == NULL || notes == NULL) {
        floe_free(threads);
        floe_free(notes);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory starting %u threads",
                              (unsigned)thread_count);
    }
    for (uint32_t i = 0; i < thread_count; i++) {
        threads[i].body = body;
        threads[i].shared = shared;
        threads[i].note = notes + (size_t)i * note_bytes;
        floe_error_clear(&threads[i].err);
    }
    for (uint32_t i = 1; i < thread_count; i++)
        threads[i].started =
            pthread_create(&threads[i].thread, NULL, pool_thread_main, &threads[i]) == 0;
    pool_thread_main(&threads[0]);
    for (uint32_t i = 1; i < thread_count; i++)
        if (threads[i].started) pthread_join(threads[i].thread, NULL);
    int status = FLOE_OK;
    for (uint32_t i = 0; i < thread_count && status == FLOE_OK; i++) {
        status = threads[i].status;
        if (status != FLOE_OK && err != NULL) *err = threads[i].err;
    }
    for (uint32_t i = 0; i < thread_count && status == FLOE_OK && note != NULL; i++)
        if (threads[i].note[0] != '\0') {
            memcpy(note, threads[i].note, note_size);
            break;
        }
    floe_free(threads);
    floe_free(notes);
    return status;
}
