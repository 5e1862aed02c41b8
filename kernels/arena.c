/*
 * arena.c — chained bump blocks (contract in arena.h).
 */
#include "arena.h"

#include "memory.h"

#include <stdint.h>
#include <string.h>

struct floe_arena_block {
    floe_arena_block *previous;
    size_t capacity;   /* usable bytes after the header */
    size_t used;
    /* Forces the payload that follows the header to a 16-byte boundary. */
    _Alignas(16) unsigned char payload[];
};

enum { default_first_block_size = 64 * 1024 };

void floe_arena_init(floe_arena *arena, size_t first_block_size, size_t limit)
{
    arena->current = NULL;
    arena->first_block_size = first_block_size ? first_block_size : default_first_block_size;
    arena->bytes_reserved = 0;
    arena->limit = limit;
}

static void release_blocks(floe_arena_block *block, floe_arena_block *keep)
{
    while (block != NULL && block != keep) {
        floe_arena_block *previous = block->previous;
        floe_free(block);
        block = previous;
    }
}

void floe_arena_fini(floe_arena *arena)
{
    release_blocks(arena->current, NULL);
    arena->current = NULL;
    arena->bytes_reserved = 0;
}

void floe_arena_reset(floe_arena *arena)
{
    floe_arena_block *first = arena->current;
    while (first != NULL && first->previous != NULL) first = first->previous;
    release_blocks(arena->current, first);
    arena->current = first;
    if (first != NULL) {
        first->used = 0;
        arena->bytes_reserved = sizeof *first + first->capacity;
    } else {
        arena->bytes_reserved = 0;
    }
}

static floe_arena_block *add_block(floe_arena *arena, size_t needed)
{
    size_t capacity = arena->current ? arena->current->capacity * 2 : arena->first_block_size;
    if (capacity < needed) capacity = needed;
    if (capacity > SIZE_MAX - sizeof(floe_arena_block)) return NULL;
    size_t total = sizeof(floe_arena_block) + capacity;
    if (arena->limit != 0 && arena->bytes_reserved + total > arena->limit) {
        /* A doubled block may be what crosses the limit; retry with just what is needed. */
        capacity = needed;
        total = sizeof(floe_arena_block) + capacity;
        if (arena->bytes_reserved + total > arena->limit) return NULL;
    }
    floe_arena_block *block = floe_malloc(total);
    if (block == NULL) return NULL;
    block->previous = arena->current;
    block->capacity = capacity;
    block->used = 0;
    arena->current = block;
    arena->bytes_reserved += total;
    return block;
}

void *floe_arena_alloc_aligned(floe_arena *arena, size_t size, size_t alignment)
{
    if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment > 4096) return NULL;
    floe_arena_block *block = arena->current;
    if (block != NULL) {
        uintptr_t base = (uintptr_t)block->payload;
        uintptr_t start = (base + block->used + alignment - 1) & ~(uintptr_t)(alignment - 1);
        size_t offset = (size_t)(start - base);
        if (offset <= block->capacity && size <= block->capacity - offset) {
            block->used = offset + size;
            return block->payload + offset;
        }
    }
    if (size > SIZE_MAX - alignment) return NULL;
    block = add_block(arena, size + alignment);
    if (block == NULL) return NULL;
    uintptr_t base = (uintptr_t)block->payload;
    uintptr_t start = (base + alignment - 1) & ~(uintptr_t)(alignment - 1);
    block->used = (size_t)(start - base) + size;
    return (void *)start;
}

void *floe_arena_alloc(floe_arena *arena, size_t size)
{
    return floe_arena_alloc_aligned(arena, size, 16);
}

void *floe_arena_alloc_zero(floe_arena *arena, size_t size)
{
    void *pointer = floe_arena_alloc(arena, size);
    if (pointer != NULL) memset(pointer, 0, size);
    return pointer;
}

char *floe_arena_strndup(floe_arena *arena, const char *text, size_t size)
{
    if (size == SIZE_MAX) return NULL;
    char *copy = floe_arena_alloc_aligned(arena, size + 1, 1);
    if (copy == NULL) return NULL;
    memcpy(copy, text, size);
    copy[size] = '\0';
    return copy;
}
