/*
 * hashtable_probe_int.h — the batched probe loops of the hash table, written once and compiled
 * once per ISA. Why a template: the loop runs once per row, so the 16-byte group match must be
 * inlined (a function pointer per probe would cost as much as the match), and the loop is the
 * same on every ISA. The including file defines, before including this file:
 *
 *   FLOE_HT_MATCH(ctrl, tag)  uint64_t mask of the slots whose control byte equals tag
 *   FLOE_HT_MATCH_EMPTY(ctrl) mask of EMPTY slots
 *   FLOE_HT_MATCH_FREE(ctrl)  mask of EMPTY or DELETED slots (control byte's high bit set)
 *   FLOE_HT_MASK_SHIFT        slot index within the group = ctz(mask) >> FLOE_HT_MASK_SHIFT
 *                             (masks have exactly one bit per matching slot)
 *   FLOE_HT_VARIANT(name)     name##_scalar / _avx2 / _neon
 *
 * and gets floe_k_ht_find_or_insert_<isa> and floe_k_ht_find_<isa> (hashtable.h).
 */
#include "hash.h" /* the persisted hash of keys inserted without caller hashes */
#include "hashtable_int.h"

#include <string.h>

/* Prefetching (see floe_ht_probe_batch) only pays when the index does not fit in cache: below
 * FLOE_HT_PREFETCH_BYTES of control bytes and entries the loops are instantiated without it. */
enum { FLOE_HT_PREFETCH_BYTES = 256 * 1024 };

static inline __attribute__((always_inline)) int floe_ht_key_equal(
    const floe_k_hashtable *table, floe_k_key_kind kind, const floe_k_keys *keys, size_t row,
    size_t slot, uint64_t hash, uint32_t *id)
{
    const unsigned char *entry = table->entries + slot * floe_k_ht_entry_width_of(kind);
    int equal;
    switch (kind) {
    case FLOE_K_KEY_I32: {
        int32_t stored;
        memcpy(&stored, entry, sizeof stored);
        equal = stored == ((const int32_t *)keys->values)[row];
        break;
    }
    case FLOE_K_KEY_I64: {
        int64_t stored;
        memcpy(&stored, entry, sizeof stored);
        equal = stored == ((const int64_t *)keys->values)[row];
        break;
    }
    case FLOE_K_KEY_I128: {
        floe_int128 stored;
        memcpy(&stored, entry, sizeof stored);
        equal = stored == ((const floe_int128 *)keys->values)[row];
        break;
    }
    default: {
        uint32_t group;
        memcpy(&group, entry, sizeof group);
        *id = group;
        if (table->hashes[group] != hash) return 0;
        floe_string_ref stored = ((const floe_string_ref *)table->keys)[group];
        floe_string_ref probe = ((const floe_string_ref *)keys->values)[row];
        return stored.length == probe.length &&
               (probe.length == 0 ||
                memcmp(table->heap + stored.offset, keys->heap + probe.offset, probe.length) == 0);
    }
    }
    memcpy(id, entry + floe_k_ht_id_offset_of(kind), sizeof *id);
    return equal;
}

/* Row's index hash (hashtable_int.h): the key's mix for fixed-width kinds; the caller's hash,
 * or XXH3 with seed 0 when there is none, for BYTES. */
static inline __attribute__((always_inline)) uint64_t floe_ht_row_index_hash(
    floe_k_key_kind kind, const floe_k_keys *keys, const uint64_t *hashes, size_t row)
{
    if (kind != FLOE_K_KEY_BYTES)
        return floe_k_ht_mix_key(kind, (const unsigned char *)keys->values +
                                           row * floe_k_ht_id_offset_of(kind));
    if (hashes != NULL) return hashes[row];
    floe_string_ref ref = ((const floe_string_ref *)keys->values)[row];
    return floe_k_hash_bytes_value(keys->heap + ref.offset, ref.length, 0);
}

/* The hash persisted for a row's new group: the caller's, else XXH3 with seed 0 (hash.h). */
static uint64_t floe_ht_row_stored_hash(floe_k_key_kind kind, const floe_k_keys *keys,
                                        const uint64_t *hashes, size_t row, int is_null)
{
    if (hashes != NULL) return hashes[row];
    if (is_null) return floe_k_hash_null(0);
    switch (kind) {
    case FLOE_K_KEY_I32: return floe_k_hash_i32_value(((const int32_t *)keys->values)[row], 0);
    case FLOE_K_KEY_I64: return floe_k_hash_i64_value(((const int64_t *)keys->values)[row], 0);
    case FLOE_K_KEY_I128:
        return floe_k_hash_i128_value(((const floe_int128 *)keys->values)[row], 0);
    default: return floe_ht_row_index_hash(kind, keys, NULL, row);
    }
}

/* The full probe of one row: the whole probe sequence, tombstones, insertion, growth and the NULL
 * group. Out of line and generic over the kind, so the batch loop below stays small enough to
 * keep its state in registers; rows reach it only when their home group does not settle them
 * (a new key, a tag collision, an overflowing group: a few percent of rows once groups exist). */
static __attribute__((noinline)) int floe_ht_probe_row(floe_k_hashtable *table,
                                                       const floe_k_keys *keys,
                                                       const uint64_t *hashes, size_t row,
                                                       int insert, uint32_t *out,
                                                       floe_error *err)
{
    const floe_k_key_kind kind = table->kind;
    const uint64_t *validity = keys->validity;
    if (validity != NULL && !((validity[row >> 6] >> (row & 63)) & 1)) {
        if (table->null_group == FLOE_K_NO_GROUP && insert) {
            uint32_t id;
            int status = floe_k_ht_append_key_int(
                table, keys, row, floe_ht_row_stored_hash(kind, keys, hashes, row, 1), 1, &id,
                err);
            if (status < 0) return status;
            table->null_group = id;
        }
        *out = table->null_group;
        return FLOE_OK;
    }
    uint64_t hash;
    switch (kind) {
    case FLOE_K_KEY_I32: hash = floe_ht_row_index_hash(FLOE_K_KEY_I32, keys, hashes, row); break;
    case FLOE_K_KEY_I64: hash = floe_ht_row_index_hash(FLOE_K_KEY_I64, keys, hashes, row); break;
    case FLOE_K_KEY_I128: hash = floe_ht_row_index_hash(FLOE_K_KEY_I128, keys, hashes, row); break;
    default: hash = floe_ht_row_index_hash(FLOE_K_KEY_BYTES, keys, hashes, row); break;
    }
    uint8_t tag = floe_k_ht_tag(hash);
    size_t group = floe_k_ht_home(hash) & table->group_mask;
    size_t free_slot = SIZE_MAX;
    for (size_t step = 1;; step++) {
        const uint8_t *ctrl = table->ctrl + group * FLOE_HT_GROUP_WIDTH;
        uint64_t match = FLOE_HT_MATCH(ctrl, tag);
        while (match != 0) {
            size_t slot = group * FLOE_HT_GROUP_WIDTH +
                          ((size_t)__builtin_ctzll(match) >> FLOE_HT_MASK_SHIFT);
            uint32_t id;
            int equal;
            switch (kind) {
            case FLOE_K_KEY_I32:
                equal = floe_ht_key_equal(table, FLOE_K_KEY_I32, keys, row, slot, hash, &id);
                break;
            case FLOE_K_KEY_I64:
                equal = floe_ht_key_equal(table, FLOE_K_KEY_I64, keys, row, slot, hash, &id);
                break;
            case FLOE_K_KEY_I128:
                equal = floe_ht_key_equal(table, FLOE_K_KEY_I128, keys, row, slot, hash, &id);
                break;
            default:
                equal = floe_ht_key_equal(table, FLOE_K_KEY_BYTES, keys, row, slot, hash, &id);
                break;
            }
            if (equal) {
                *out = id;
                return FLOE_OK;
            }
            match &= match - 1;
        }
        if (insert && free_slot == SIZE_MAX) {
            uint64_t free_mask = FLOE_HT_MATCH_FREE(ctrl);
            if (free_mask != 0)
                free_slot = group * FLOE_HT_GROUP_WIDTH +
                            ((size_t)__builtin_ctzll(free_mask) >> FLOE_HT_MASK_SHIFT);
        }
        if (FLOE_HT_MATCH_EMPTY(ctrl) != 0) break;
        group = (group + step) & table->group_mask;
    }
    *out = FLOE_K_NO_GROUP;
    if (!insert) return FLOE_OK;
    if (table->ctrl[free_slot] == FLOE_HT_EMPTY && table->growth_left == 0) {
        int status = floe_k_ht_grow_int(table, err);
        if (status < 0) return status;
        free_slot = floe_k_ht_free_slot_int(table, hash);
    }
    uint32_t found;
    uint64_t stored =
        kind == FLOE_K_KEY_BYTES ? hash : floe_ht_row_stored_hash(kind, keys, hashes, row, 0);
    int status = floe_k_ht_append_key_int(table, keys, row, stored, 0, &found, err);
    if (status < 0) return status;
    if (table->ctrl[free_slot] == FLOE_HT_EMPTY)
        table->growth_left--;
    else
        table->tombstones--;
    table->ctrl[free_slot] = tag;
    floe_k_ht_fill_entry(table, free_slot, found);
    *out = found;
    return FLOE_OK;
}

/* The batch loop, software-pipelined in chunks of FLOE_HT_CHUNK rows (group prefetching):
 *   stage 0, every row of the chunk: the index hash (kept in a local array) and, for an index
 *            larger than cache, a prefetch of its home control group;
 *   stage 1, every row: home group tag match; the slot of the first tag match (or none) is
 *            kept and, for a large index, that entry is prefetched (on an insert without a
 *            match, the entry of the group's first free slot, where a new key goes);
 *   stage 2, every row: compare the key with the kept slot's entry (one load) and write the
 *            group id. A row stage 2 cannot settle (no tag match, a tag collision, a NULL key)
 *            takes the full probe (floe_ht_probe_row), which may insert.
 * Splitting the stages gives each loop a short dependency chain, so the core overlaps many rows,
 * and puts a whole chunk of rows between an entry's prefetch and its use. Inserts only fill
 * EMPTY or DELETED slots, so a slot kept by stage 1 still holds the key it held; only growth
 * moves entries, and then stage 1 is redone for the rest of the chunk. A find whose home group
 * has no match but an EMPTY slot is a settled miss in stage 2. */
enum { FLOE_HT_CHUNK = 128 };
#define FLOE_HT_NO_SLOT UINT32_C(0xFFFFFFFF)
/* OR-ed into a mask before ctz so an empty mask yields the group's last slot, not 64. */
#define FLOE_HT_LAST_SLOT_BIT (1ull << (15u << FLOE_HT_MASK_SHIFT))

static inline __attribute__((always_inline)) void floe_ht_stage1(
    const floe_k_hashtable *table, floe_k_key_kind kind, const floe_k_keys *keys,
    const uint64_t *hashes, const uint16_t *selection, size_t begin, size_t end, int insert,
    int prefetch, uint64_t *index_hashes, uint32_t *slots)
{
    const uint8_t *ctrl_base = table->ctrl;
    size_t group_mask = table->group_mask;
    /* Stage 0: every row's index hash, and (large index) its home control group prefetched, a
     * whole chunk of misses in flight before stage 1 needs the first. */
    /* (FLOE_HT_CHUNK = 128 measured best on the 1M-key join find: about 21-22 ns a probe at
     * 64 rows, 20 at 128, 23 at 256, on a shared AMD EPYC.) */
    for (size_t i = begin; i < end; i++) {
        uint64_t hash = floe_ht_row_index_hash(kind, keys, hashes,
                                               selection != NULL ? selection[i] : i);
        index_hashes[i - begin] = hash;
        if (prefetch)
            __builtin_prefetch(ctrl_base +
                               (floe_k_ht_home(hash) & group_mask) * FLOE_HT_GROUP_WIDTH);
    }
    for (size_t i = begin; i < end; i++) {
        uint64_t hash = index_hashes[i - begin];
        size_t group = floe_k_ht_home(hash) & group_mask;
        const uint8_t *ctrl = ctrl_base + group * FLOE_HT_GROUP_WIDTH;
        uint64_t match = FLOE_HT_MATCH(ctrl, floe_k_ht_tag(hash));
        uint32_t slot = (uint32_t)(group * FLOE_HT_GROUP_WIDTH +
                                   ((size_t)__builtin_ctzll(match | FLOE_HT_LAST_SLOT_BIT) >>
                                    FLOE_HT_MASK_SHIFT));
        /* A settled miss of a find: FLOE_HT_NO_SLOT - 1. */
        uint32_t none = !insert && FLOE_HT_MATCH_EMPTY(ctrl) != 0 ? FLOE_HT_NO_SLOT - 1
                                                                  : FLOE_HT_NO_SLOT;
        slots[i - begin] = match != 0 ? slot : none;
        if (prefetch) {
            /* No tag match on an insert: the key is most likely new and goes to the group's
             * first free slot, whose entry is written soon. */
            size_t target = slot;
            if (match == 0 && insert)
                target = group * FLOE_HT_GROUP_WIDTH +
                         ((size_t)__builtin_ctzll(FLOE_HT_MATCH_FREE(ctrl) |
                                                    FLOE_HT_LAST_SLOT_BIT) >>
                          FLOE_HT_MASK_SHIFT);
            if (match != 0 || insert)
                __builtin_prefetch(table->entries + target * floe_k_ht_entry_width_of(kind), 1);
        }
    }
}

static inline __attribute__((always_inline)) int floe_ht_probe_batch(
    floe_k_hashtable *table, floe_k_key_kind kind, const floe_k_keys *keys,
    const uint64_t *hashes, const uint16_t *selection, size_t count, uint32_t *group_ids,
    int insert, int prefetch, int dense, floe_error *err)
{
    const uint64_t *validity = keys->validity;
    if (dense) { /* known at compile time: no per-row selection or NULL tests */
        selection = NULL;
        validity = NULL;
    }
    uint64_t index_hashes[FLOE_HT_CHUNK]; /* stage 0's, reused by stage 2 for BYTES keys */
    uint32_t slots[FLOE_HT_CHUNK];
    for (size_t begin = 0; begin < count;) {
        size_t end = count - begin < FLOE_HT_CHUNK ? count : begin + FLOE_HT_CHUNK;
        floe_ht_stage1(table, kind, keys, hashes, selection, begin, end, insert, prefetch,
                       index_hashes, slots);
        const unsigned char *entries = table->entries;
        size_t i = begin;
        for (; i < end; i++) {
            size_t row = selection != NULL ? selection[i] : i;
            uint32_t slot = slots[i - begin];
            int present = validity == NULL || ((validity[row >> 6] >> (row & 63)) & 1);
            if (__builtin_expect(slot < FLOE_HT_NO_SLOT - 1 && present, 1)) {
                uint32_t id;
                uint64_t hash = index_hashes[i - begin]; /* BYTES compare it first */
                if (__builtin_expect(floe_ht_key_equal(table, kind, keys, row, slot, hash, &id),
                                     1)) {
                    group_ids[row] = id;
                    continue;
                }
            } else if (slot == FLOE_HT_NO_SLOT - 1 && present) {
                group_ids[row] = FLOE_K_NO_GROUP;
                continue;
            }
            uint32_t found;
            int status = floe_ht_probe_row(table, keys, hashes, row, insert, &found, err);
            if (status < 0) return status;
            group_ids[row] = found;
            if (table->entries != entries) { /* grown: stage 1 again for the rest */
                i++;
                break;
            }
        }
        begin = i;
    }
    return FLOE_OK;
}

/* One instantiation per (kind, prefetch, dense) so all are compile-time constants in the loop. */
static inline __attribute__((always_inline)) int floe_ht_probe_kind(
    floe_k_hashtable *table, const floe_k_keys *keys, const uint64_t *hashes,
    const uint16_t *selection, size_t count, uint32_t *group_ids, int insert, floe_error *err)
{
    int prefetch = table->capacity * (1 + (size_t)table->entry_width) > FLOE_HT_PREFETCH_BYTES &&
                   (hashes != NULL || table->kind != FLOE_K_KEY_BYTES);
    /* Dense batches (no selection, no validity: the common insert-only vector) get their own
     * instantiation without the per-row tests. */
    int dense = selection == NULL && keys->validity == NULL;
#define FLOE_HT_CALL(kind_, prefetch_, dense_)                                                  \
    floe_ht_probe_batch(table, kind_, keys, hashes, selection, count, group_ids, insert,        \
                        prefetch_, dense_, err)
#define FLOE_HT_CASE(kind_)                                                                     \
    case kind_:                                                                                 \
        if (dense)                                                                              \
            return prefetch ? FLOE_HT_CALL(kind_, 1, 1) : FLOE_HT_CALL(kind_, 0, 1);            \
        return prefetch ? FLOE_HT_CALL(kind_, 1, 0) : FLOE_HT_CALL(kind_, 0, 0);
    switch (table->kind) {
        FLOE_HT_CASE(FLOE_K_KEY_I32)
        FLOE_HT_CASE(FLOE_K_KEY_I64)
        FLOE_HT_CASE(FLOE_K_KEY_I128)
    default:
        FLOE_HT_CASE(FLOE_K_KEY_BYTES)
    }
#undef FLOE_HT_CASE
#undef FLOE_HT_CALL
}

int FLOE_HT_VARIANT(floe_k_ht_find_or_insert)(floe_k_hashtable *table, const floe_k_keys *keys,
                                              const uint64_t *hashes, const uint16_t *selection,
                                              size_t count, uint32_t *group_ids, floe_error *err)
{
    if (keys->kind != table->kind)
        return floe_error_set(err, FLOE_EINVAL, "hash table: key kind %d, table holds kind %d",
                              (int)keys->kind, (int)table->kind);
    /* A batch that grows the index changes the footprint; deciding once per batch is enough
     * (prefetching is a hint: correct either way). */
    return floe_ht_probe_kind(table, keys, hashes, selection, count, group_ids, 1, err);
}

void FLOE_HT_VARIANT(floe_k_ht_find)(const floe_k_hashtable *table, const floe_k_keys *keys,
                                     const uint64_t *hashes, const uint16_t *selection,
                                     size_t count, uint32_t *group_ids)
{
    /* insert == 0 never writes the table; the cast only shares the loop. */
    floe_k_hashtable *shared = (floe_k_hashtable *)(uintptr_t)table;
    if (keys->kind != table->kind) {
        for (size_t i = 0; i < count; i++)
            group_ids[selection != NULL ? selection[i] : i] = FLOE_K_NO_GROUP;
        return;
    }
    (void)floe_ht_probe_kind(shared, keys, hashes, selection, count, group_ids, 0, NULL);
}
