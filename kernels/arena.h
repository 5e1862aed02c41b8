/*
 * arena.h — bump allocation with one lifetime for everything allocated from it.
 *
 * Floe keeps memory in arenas of clear lifetime, as PostgreSQL keeps memory contexts: a per-batch
 * arena reset after every batch, a long-lived one for keyed state, one per statement. Allocation
 * is a pointer bump inside the current block; a block that is too small is chained to a new one
 * of at least double the size. Individual allocations are never freed: floe_arena_reset keeps the
 * first block for reuse and releases the rest, floe_arena_fini releases everything.
 *
 * A limit (bytes obtained from the heap, 0 = none) makes runaway inputs fail with NULL rather than
 * exhaust the machine; callers turn NULL into FLOE_ENOMEM.
 */
#ifndef FLOE_KERNELS_ARENA_H
#define FLOE_KERNELS_ARENA_H

#include <stddef.h>

typedef struct floe_arena_block floe_arena_block;

typedef struct floe_arena {
    floe_arena_block *current;   /* block being bumped; its `previous` chain holds older ones */
    size_t first_block_size;     /* size of the first block, reused across resets */
    size_t bytes_reserved;       /* heap bytes held by all blocks */
    size_t limit;                /* maximum bytes_reserved, 0 for no limit */
} floe_arena;

/* first_block_size 0 picks 64 KiB. Never fails: no memory is taken until the first allocation. */
void floe_arena_init(floe_arena *arena, size_t first_block_size, size_t limit);
void floe_arena_fini(floe_arena *arena);
void floe_arena_reset(floe_arena *arena);

/* Returns `size` bytes aligned to 16 (or `alignment`, a power of two up to 4096); NULL when out
 * of memory or past the limit. The _zero form clears them. */
void *floe_arena_alloc(floe_arena *arena, size_t size);
void *floe_arena_alloc_aligned(floe_arena *arena, size_t size, size_t alignment);
void *floe_arena_alloc_zero(floe_arena *arena, size_t size);

/* Copies `size` bytes (a string need not be NUL-terminated; a NUL is appended). */
char *floe_arena_strndup(floe_arena *arena, const char *text, size_t size);

#endif
