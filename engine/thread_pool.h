/*
 * thread_pool.h — runs one body on several threads at once and gathers what they report: the
 * refresh's way to use the context's threads (loading and writing state buckets, draining a
 * delta in partitions).
 *
 * Contract: floe_eng_run_on_threads calls body(shared, note, err) on `thread_count` threads, the
 * calling thread being the first. Bodies share `shared` and take their jobs from it (a counter,
 * usually), so a thread that cannot be started only leaves its share to the others: the pool
 * never fails for want of threads. Each body gets its own `note` buffer of `note_size` bytes
 * (zeroed), where it may leave a message that is not an error (a refresh's reason to fall back
 * to a full rebuild).
 *
 * Returns the first error in thread order, with that thread's message in *err; otherwise
 * FLOE_OK, with the first note a body left copied into `note` (when `note` is not NULL).
 * FLOE_ENOMEM when the per-thread records cannot be allocated. Nothing is kept after return.
 */
#ifndef FLOE_ENGINE_THREAD_POOL_H
#define FLOE_ENGINE_THREAD_POOL_H

#include "kernels/status.h" /* floe_error */

#include <stddef.h>
#include <stdint.h>

typedef int (*floe_eng_pool_body)(void *shared, char *note, floe_error *err);

int floe_eng_run_on_threads(uint32_t thread_count, floe_eng_pool_body body, void *shared,
                            char *note, size_t note_size, floe_error *err);

#endif
