/*
 * hashtable_int.h — the hash table's private layout, shared by hashtable.c (lifetime, growth,
 * removal, persistence) and the per-ISA probe loops (hashtable_probe_int.h). Not for other
 * modules: they use hashtable.h.
 *
 *   ctrl[capacity]      control bytes: EMPTY 0x80, DELETED 0xFE, FULL = hash >> 57 (0..0x7F)
 *   slots[capacity]     group id of each FULL slot
 *   keys[group_capacity]   int32/int64/int128 or floe_string_ref, in group-id order
 *   hashes[group_capacity] the 64-bit hash of each group's key
 *   heap                BYTES key bytes (refs point here); heap_garbage bytes belong to removed keys
 *
 * The first group probed for hash h is floe_k_ht_home(h) & group_mask: the low bits folded with
 * the high ones, so keyed state bucketed by the low bits of the same hash (DESIGN.md) still
 * spreads over every group of a bucket's table.
 */
#ifndef FLOE_KERNELS_HASHTABLE_INT_H
#define FLOE_KERNELS_HASHTABLE_INT_H

#include "hashtable.h"

#include <stdint.h>
#include <string.h>

enum {
    FLOE_HT_EMPTY = 0x80,
    FLOE_HT_DELETED = 0xFE,
    FLOE_HT_GROUP_WIDTH = 16,
};

struct floe_k_hashtable {
    floe_k_key_kind kind;
    uint32_t key_width;        /* bytes per keys[] entry */
    uint8_t *ctrl;             /* capacity bytes, 64-byte aligned */
    uint32_t *slots;           /* capacity entries */
    size_t capacity;           /* slots, a power of two >= 16 */
    size_t group_mask;         /* capacity / 16 - 1 */
    size_t growth_left;        /* EMPTY slots that may still become FULL before a rehash */
    size_t tombstones;         /* DELETED slots */
    uint32_t group_count;
    uint32_t group_capacity;   /* entries of keys[] and hashes[] */
    uint32_t null_group;       /* FLOE_K_NO_GROUP if none */
    void *keys;
    uint64_t *hashes;
    unsigned char *heap;
    size_t heap_size;
    size_t heap_capacity;
    size_t heap_garbage;
};

static inline uint8_t floe_k_ht_tag(uint64_t hash)
{
    return (uint8_t)(hash >> 57);
}

static inline size_t floe_k_ht_home(uint64_t hash)
{
    return (size_t)(hash ^ (hash >> 29));
}

/* Makes room for one more FULL slot (rehash, growing when live groups need it). */
int floe_k_ht_grow_int(floe_k_hashtable *table, floe_error *err);

/* The first EMPTY or DELETED slot on h's probe sequence (there always is one). */
size_t floe_k_ht_free_slot_int(const floe_k_hashtable *table, uint64_t hash);

/* Appends row's key (or a zero key for the NULL group when is_null) with its hash; *id is the new
 * group's id. */
int floe_k_ht_append_key_int(floe_k_hashtable *table, const floe_k_keys *keys, size_t row,
                             uint64_t hash, int is_null, uint32_t *id, floe_error *err);

#endif
