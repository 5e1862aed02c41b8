/*
 * memory.c — the allocation hooks (contract in memory.h).
 *
 * Aligned blocks keep the address of the underlying allocation just below the aligned pointer,
 * so any allocator with plain malloc semantics can serve them.
 *
 * Why large libc blocks are advised to use transparent huge pages: a block of megabytes (a join's
 * build side, a hash table, a column of a million groups) is mapped fresh by malloc and filled
 * once, so a refresh spent a quarter of its time taking one page fault per 4 KiB; with 2 MiB
 * pages the orders-customers join's 1% refresh went from 66 to 59 ms. Only blocks of at least
 * HUGE_PAGE_ADVICE_BYTES are advised: rounding a small block up to 2 MiB of zeroed memory costs
 * more than its faults. Where the kernel has huge pages off, or the advice fails, nothing
 * changes but speed.
 */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include "memory.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

enum { HUGE_PAGE_BYTES = 2 << 20, HUGE_PAGE_ADVICE_BYTES = 4 << 20 };

/* Advises the whole 2 MiB pages inside [pointer, pointer + size). */
static void *advise_huge_pages(void *pointer, size_t size)
{
#ifdef MADV_HUGEPAGE
    if (pointer != NULL && size >= HUGE_PAGE_ADVICE_BYTES) {
        uintptr_t mask = ~(uintptr_t)(HUGE_PAGE_BYTES - 1);
        uintptr_t start = ((uintptr_t)pointer + HUGE_PAGE_BYTES - 1) & mask;
        uintptr_t end = ((uintptr_t)pointer + size) & mask;
        if (end > start) (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
    }
#else
    (void)size;
#endif
    return pointer;
}

static void *libc_allocate(size_t size, void *context)
{
    (void)context;
    return advise_huge_pages(malloc(size), size);
}
static void *libc_reallocate(void *pointer, size_t size, void *context)
{
    (void)context;
    return advise_huge_pages(realloc(pointer, size), size);
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
