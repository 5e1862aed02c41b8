/*
 * memory.c — the allocation hooks (contract in memory.h).
 *
 * Aligned blocks keep the address of the underlying allocation just below the aligned pointer,
 * so any allocator with plain malloc semantics can serve them.
 */
#include "memory.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void *libc_allocate(size_t size, void *context) { (void)context; return malloc(size); }
static void *libc_reallocate(void *pointer, size_t size, void *context)
{
    (void)context;
    return realloc(pointer, size);
}
static void libc_release(void *pointer, void *context) { (void)context; free(pointer); }

static floe_allocator active_allocator = {libc_allocate, libc_reallocate, libc_release, NULL};
static long allocations_until_failure = -1; /* -1: never fail */

void floe_set_allocator(const floe_allocator *allocator)
{
    if (allocator == NULL) {
        active_allocator = (floe_allocator){libc_allocate, libc_reallocate, libc_release, NULL};
    } else {
        active_allocator = *allocator;
    }
}

void floe_set_allocation_failure_after(long count) { allocations_until_failure = count; }

static int injected_failure(void)
{
    if (allocations_until_failure < 0) return 0;
    if (allocations_until_failure == 0) return 1;
    allocations_until_failure--;
    return 0;
}

void *floe_malloc(size_t size)
{
    if (injected_failure()) return NULL;
    return active_allocator.allocate(size == 0 ? 1 : size, active_allocator.context);
}

void *floe_calloc(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size) return NULL;
    void *pointer = floe_malloc(count * size);
    if (pointer != NULL) memset(pointer, 0, count * size);
    return pointer;
}

void *floe_realloc(void *pointer, size_t size)
{
    if (injected_failure()) return NULL;
    return active_allocator.reallocate(pointer, size == 0 ? 1 : size, active_allocator.context);
}

void floe_free(void *pointer)
{
    if (pointer != NULL) active_allocator.release(pointer, active_allocator.context);
}

void *floe_alloc_aligned(size_t size, size_t alignment)
{
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return NULL;
    if (size > SIZE_MAX - alignment - sizeof(void *)) return NULL;
    unsigned char *raw = floe_malloc(size + alignment + sizeof(void *));
    if (raw == NULL) return NULL;
    uintptr_t aligned = ((uintptr_t)(raw + sizeof(void *)) + alignment - 1) & ~(uintptr_t)(alignment - 1);
    memcpy((void *)(aligned - sizeof(void *)), &raw, sizeof raw);
    return (void *)aligned;
}

void floe_free_aligned(void *pointer)
{
    if (pointer == NULL) return;
    void *raw;
    memcpy(&raw, (unsigned char *)pointer - sizeof(void *), sizeof raw);
    floe_free(raw);
}
