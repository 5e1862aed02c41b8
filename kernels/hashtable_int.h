/*
 * hashtable_int.h — the hash table's private layout, shared by hashtable.c (lifetime, growth,
 * removal, persistence) and the per-ISA probe loops (hashtable_probe_int.h). Not for other
 * modules: they use hashtable.h.
 *
 *   ctrl[capacity]      control bytes: EMPTY 0x80, DELETED 0xFE, FULL = hash >> 57 (0..0x7F)
 *   entries[capacity]   one entry per slot, indexed like ctrl; what an entry holds depends on the
 *                       key kind, so a hit on a fixed-width key costs the tag match plus ONE
 *                       entry load (key and group id on the same cache line):
 *
 *                         kind    entry bytes  layout
 *                         I32      8           int32 key, uint32 group id
 *                         I64     16           int64 key, uint32 group id, 4 bytes unused
 *                         I128    32           int128 key, uint32 group id, 12 bytes unused
 *                         BYTES    4           uint32 group id (the key is compared through
 *                                              the group's stored hash, then its heap bytes)
 *
 *   keys[group_capacity]   int32/int64/int128 or floe_string_ref, in group-id order (written on
 *                          insert, read by iteration, persistence, removal and rehash)
 *   hashes[group_capacity] the 64-bit hash of each group's key
 *   heap                BYTES key bytes (refs point here); heap_garbage bytes are removed keys
 *
 * The index hash. The position and tag of a key come from its INDEX hash, which is not always
 * the persisted one in hashes[]:
 *   - fixed-width kinds: floe_k_ht_mix_key of the key itself (fold the high half into the low,
 *     one multiply by an odd constant: two bijections, about a cycle a row), so a probe needs no
 *     hash pass and no hashes[] read, and growth rehashes keys[] directly;
 *   - BYTES: the caller's (XXH3) hash, as comparing the stored hash first is what keeps string
 *     compares rare.
 * hashes[] always holds the caller's XXH3 hash (hash.h) for persistence and bucketing; it is
 * written on insert only (computed with seed 0 when the caller passes hashes == NULL).
 *
 *   bits of the index hash h   63..57   56..57-b                 the rest
 *                              tag      home group (b = log2     unused
 *                                       of capacity / 16)
 *
 * A multiply mixes into the high bits, so tag and home both come from there, from disjoint bits
 * (a tag drawn from the home bits would be equal for every key of a group); keyed state bucketed
 * by the low bits of its XXH3 hash still spreads over a bucket's table. The home group's first
 * slot is (h >> home_shift) & home_mask, a shift and a mask. Deterministic: same key, same slot
 * sequence, on every machine.
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
    uint32_t entry_width;      /* bytes per entries[] slot (see the table above) */
    uint32_t id_offset;        /* where the group id sits inside an entry */
    uint8_t *ctrl;             /* capacity bytes, 64-byte aligned */
    unsigned char *entries;    /* capacity * entry_width bytes, 64-byte aligned */
    size_t capacity;           /* slots, a power of two >= 16 */
    size_t home_mask;          /* capacity - 16: home slots are multiples of 16 */
    unsigned home_shift;       /* 53 - log2(capacity / 16): see floe_k_ht_home_slot */
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

/* The first slot of index hash h's home group: the log2(capacity / 16) bits just below the tag,
 * shifted into place as a slot number (a multiple of 16). Tag and home use disjoint bits, the top
 * ones, which a multiply mixes best. */
static inline size_t floe_k_ht_home_slot(const floe_k_hashtable *table, uint64_t hash)
{
    return (size_t)(hash >> table->home_shift) & table->home_mask;
}

/* The probe sequence visits groups home, home + 1, home + 3, home + 6, ... (triangular steps). */
static inline size_t floe_k_ht_next_slot(const floe_k_hashtable *table, size_t slot, size_t step)
{
    return (slot + step * FLOE_HT_GROUP_WIDTH) & table->home_mask;
}

/* The index mix of a 64-bit key: fold the high half into the low (so keys differing only in
 * high bits still differ in what the multiply spreads upward), then one multiply by an odd
 * constant; both steps are bijections. Its top bits are the tag and the home group. */
static inline uint64_t floe_k_ht_mix64(uint64_t x)
{
    return (x ^ (x >> 32)) * 0x9E3779B97F4A7C15ull; /* 2^64 / golden ratio, odd */
}

/* The index hash of a fixed-width key at `key` (kind I32, I64 or I128). */
static inline uint64_t floe_k_ht_mix_key(floe_k_key_kind kind, const void *key)
{
    switch (kind) {
    case FLOE_K_KEY_I32: {
        int32_t value;
        memcpy(&value, key, sizeof value);
        return floe_k_ht_mix64((uint64_t)(int64_t)value);
    }
    case FLOE_K_KEY_I64: {
        uint64_t value;
        memcpy(&value, key, sizeof value);
        return floe_k_ht_mix64(value);
    }
    default: {
        uint64_t half[2];
        memcpy(half, key, sizeof half);
        return floe_k_ht_mix64(half[0] ^ (half[1] * 0xC2B2AE3D27D4EB4Full));
    }
    }
}

/* The index hash of stored group `group` (which is not the NULL group). */
static inline uint64_t floe_k_ht_index_hash(const floe_k_hashtable *table, uint32_t group)
{
    if (table->kind == FLOE_K_KEY_BYTES) return table->hashes[group];
    return floe_k_ht_mix_key(table->kind,
                             (const unsigned char *)table->keys + (size_t)group * table->key_width);
}

/* Entry geometry per kind: constants once the kind is a compile-time constant (the probe loops
 * are instantiated per kind), so entry addressing is a shift. */
static inline size_t floe_k_ht_entry_width_of(floe_k_key_kind kind)
{
    switch (kind) {
    case FLOE_K_KEY_I32: return 8;
    case FLOE_K_KEY_I64: return 16;
    case FLOE_K_KEY_I128: return 32;
    default: return 4;
    }
}

static inline size_t floe_k_ht_id_offset_of(floe_k_key_kind kind)
{
    switch (kind) {
    case FLOE_K_KEY_I32: return 4;
    case FLOE_K_KEY_I64: return 8;
    case FLOE_K_KEY_I128: return 16;
    default: return 0;
    }
}

static inline uint32_t floe_k_ht_entry_id(const floe_k_hashtable *table, size_t slot)
{
    uint32_t id;
    memcpy(&id, table->entries + slot * table->entry_width + table->id_offset, sizeof id);
    return id;
}

static inline void floe_k_ht_set_entry_id(floe_k_hashtable *table, size_t slot, uint32_t id)
{
    memcpy(table->entries + slot * table->entry_width + table->id_offset, &id, sizeof id);
}

/* Fills slot's entry for group `id`, copying its key from the group-ordered keys[] (fixed-width
 * kinds). */
static inline void floe_k_ht_fill_entry(floe_k_hashtable *table, size_t slot, uint32_t id)
{
    unsigned char *entry = table->entries + slot * table->entry_width;
    const unsigned char *key = (const unsigned char *)table->keys + (size_t)id * table->key_width;
    switch (table->kind) { /* constant sizes: moves, not calls */
    case FLOE_K_KEY_I32: memcpy(entry, key, 4); break;
    case FLOE_K_KEY_I64: memcpy(entry, key, 8); break;
    case FLOE_K_KEY_I128: memcpy(entry, key, 16); break;
    default: break;
    }
    memcpy(entry + table->id_offset, &id, sizeof id);
}

/* Makes room for one more FULL slot (rehash, growing when live groups need it). */
int floe_k_ht_grow_int(floe_k_hashtable *table, floe_error *err);

/* The first EMPTY or DELETED slot on index hash h's probe sequence (there always is one). */
size_t floe_k_ht_free_slot_int(const floe_k_hashtable *table, uint64_t hash);

/* Makes keys[] and hashes[] hold at least `groups` entries (growing geometrically). */
int floe_k_ht_reserve_groups_int(floe_k_hashtable *table, size_t groups, floe_error *err);

/* Appends row's key (or a zero key for the NULL group when is_null) with its persisted hash;
 * *id is the new group's id. */
int floe_k_ht_append_key_int(floe_k_hashtable *table, const floe_k_keys *keys, size_t row,
                             uint64_t hash, int is_null, uint32_t *id, floe_error *err);

#endif
