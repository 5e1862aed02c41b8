/*
 * memory.h — every heap allocation in libfloe goes through these functions.
 *
 * Why a layer over malloc: tests inject allocation failures (fail the Nth allocation) to prove
 * that every error path frees what it took and reports FLOE_ENOMEM, and an embedding program can
 * route Floe's memory to its own allocator. The hooks are process-wide and must be set before
 * any other Floe call; they are not meant to change while Floe runs.
 *
 * floe_alloc_aligned returns memory aligned to `alignment` (a power of two, at least
 * sizeof(void *)), released with floe_free_aligned. Every free function accepts NULL. Blocks
 * of 4 MiB or more that libc serves are advised to use transparent huge pages (memory.c).
 */
#ifndef FLOE_KERNELS_MEMORY_H
#define FLOE_KERNELS_MEMORY_H

#include <stddef.h>

typedef struct floe_allocator {
    void *(*allocate)(size_t size, void *context);
    void *(*reallocate)(void *pointer, size_t size, void *context);
    void (*release)(void *pointer, void *context);
    void *context;
} floe_allocator;

/* Installs an allocator (NULL restores libc's). */
void floe_set_allocator(const floe_allocator *allocator);

/* Test hook: the next `count` allocations succeed, every one after fails, until reset with -1. */
void floe_set_allocation_failure_after(long count);

void *floe_malloc(size_t size);
void *floe_calloc(size_t count, size_t size);     /* zeroed; NULL on overflow of count*size */
void *floe_realloc(void *pointer, size_t size);
void floe_free(void *pointer);

void *floe_alloc_aligned(size_t size, size_t alignment);
void floe_free_aligned(void *pointer);

#endif
