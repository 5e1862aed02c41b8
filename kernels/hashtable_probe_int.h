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
#include "hashtable_int.h"

#include <string.h>

/* Rows this far ahead get their first index group prefetched; half as far ahead, the key of
 * their first tag match. Two stages because the key's address is known only once the control
 * bytes and slot have arrived. */
enum { FLOE_HT_PREFETCH_AHEAD = 16 };

static inline __attribute__((always_inline)) int floe_ht_key_equal(
    const floe_k_hashtable *table, floe_k_key_kind kind, const floe_k_keys *keys, size_t row,
    uint32_t id, uint64_t hash)
{
    switch (kind) {
    case FLOE_K_KEY_I32:
        return ((const int32_t *)table->keys)[id] == ((const int32_t *)keys->values)[row];
    case FLOE_K_KEY_I64:
        return ((const int64_t *)table->keys)[id] == ((const int64_t *)keys->values)[row];
    case FLOE_K_KEY_I128:
        return ((const floe_int128 *)table->keys)[id] == ((const floe_int128 *)keys->values)[row];
    default: {
        if (table->hashes[id] != hash) return 0;
        floe_string_ref stored = ((const floe_string_ref *)table->keys)[id];
        floe_string_ref probe = ((const floe_string_ref *)keys->values)[row];
        return stored.length == probe.length &&
               (probe.length == 0 ||
                memcmp(table->heap + stored.offset, keys->heap + probe.offset, probe.length) == 0);
    }
    }
}

static inline __attribute__((always_inline)) void floe_ht_prefetch(const floe_k_hashtable *table,
                                                                   floe_k_key_kind kind,
                                                                   const uint64_t *hashes,
                                                                   const uint16_t *selection,
                                                                   size_t count, size_t i)
{
    size_t far = i + FLOE_HT_PREFETCH_AHEAD;
    if (far < count) {
        uint64_t hash = hashes[selection != NULL ? selection[far] : far];
        size_t group = floe_k_ht_home(hash) & table->group_mask;
        __builtin_prefetch(table->ctrl + group * FLOE_HT_GROUP_WIDTH);
        __builtin_prefetch(table->slots + group * FLOE_HT_GROUP_WIDTH);
    }
    size_t near = i + FLOE_HT_PREFETCH_AHEAD / 2;
    if (near < count && kind != FLOE_K_KEY_BYTES) {
        uint64_t hash = hashes[selection != NULL ? selection[near] : near];
        size_t group = floe_k_ht_home(hash) & table->group_mask;
        uint64_t match = FLOE_HT_MATCH(table->ctrl + group * FLOE_HT_GROUP_WIDTH,
                                       floe_k_ht_tag(hash));
        if (match != 0) {
            uint32_t id = table->slots[group * FLOE_HT_GROUP_WIDTH +
                                       ((size_t)__builtin_ctzll(match) >> FLOE_HT_MASK_SHIFT)];
            __builtin_prefetch((const unsigned char *)table->keys + (size_t)id * table->key_width);
        }
    }
}

static inline __attribute__((always_inline)) int floe_ht_probe_batch(
    floe_k_hashtable *table, floe_k_key_kind kind, const floe_k_keys *keys,
    const uint64_t *hashes, const uint16_t *selection, size_t count, uint32_t *group_ids,
    int insert, floe_error *err)
{
    const uint64_t *validity = keys->validity;
    for (size_t i = 0; i < count; i++) {
        floe_ht_prefetch(table, kind, hashes, selection, count, i);
        size_t row = selection != NULL ? selection[i] : i;
        uint64_t hash = hashes[row];
        if (validity != NULL && !((validity[row >> 6] >> (row & 63)) & 1)) {
            if (table->null_group == FLOE_K_NO_GROUP && insert) {
                uint32_t id;
                int status = floe_k_ht_append_key_int(table, keys, row, hash, 1, &id, err);
                if (status < 0) return status;
                table->null_group = id;
            }
            group_ids[row] = table->null_group;
            continue;
        }
        uint8_t tag = floe_k_ht_tag(hash);
        size_t group = floe_k_ht_home(hash) & table->group_mask;
        size_t free_slot = SIZE_MAX;
        uint32_t found = FLOE_K_NO_GROUP;
        for (size_t step = 1;; step++) {
            const uint8_t *ctrl = table->ctrl + group * FLOE_HT_GROUP_WIDTH;
            uint64_t match = FLOE_HT_MATCH(ctrl, tag);
            while (match != 0) {
                size_t slot = group * FLOE_HT_GROUP_WIDTH +
                              ((size_t)__builtin_ctzll(match) >> FLOE_HT_MASK_SHIFT);
                uint32_t id = table->slots[slot];
                if (floe_ht_key_equal(table, kind, keys, row, id, hash)) {
                    found = id;
                    goto done;
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
        if (insert) {
            if (table->ctrl[free_slot] == FLOE_HT_EMPTY && table->growth_left == 0) {
                int status = floe_k_ht_grow_int(table, err);
                if (status < 0) return status;
                free_slot = floe_k_ht_free_slot_int(table, hash);
            }
            int status = floe_k_ht_append_key_int(table, keys, row, hash, 0, &found, err);
            if (status < 0) return status;
            if (table->ctrl[free_slot] == FLOE_HT_EMPTY)
                table->growth_left--;
            else
                table->tombstones--;
            table->ctrl[free_slot] = tag;
            table->slots[free_slot] = found;
        }
    done:
        group_ids[row] = found;
    }
    return FLOE_OK;
}

int FLOE_HT_VARIANT(floe_k_ht_find_or_insert)(floe_k_hashtable *table, const floe_k_keys *keys,
                                              const uint64_t *hashes, const uint16_t *selection,
                                              size_t count, uint32_t *group_ids, floe_error *err)
{
    if (keys->kind != table->kind)
        return floe_error_set(err, FLOE_EINVAL, "hash table: key kind %d, table holds kind %d",
                              (int)keys->kind, (int)table->kind);
    switch (table->kind) {
    case FLOE_K_KEY_I32:
        return floe_ht_probe_batch(table, FLOE_K_KEY_I32, keys, hashes, selection, count,
                                   group_ids, 1, err);
    case FLOE_K_KEY_I64:
        return floe_ht_probe_batch(table, FLOE_K_KEY_I64, keys, hashes, selection, count,
                                   group_ids, 1, err);
    case FLOE_K_KEY_I128:
        return floe_ht_probe_batch(table, FLOE_K_KEY_I128, keys, hashes, selection, count,
                                   group_ids, 1, err);
    default:
        return floe_ht_probe_batch(table, FLOE_K_KEY_BYTES, keys, hashes, selection, count,
                                   group_ids, 1, err);
    }
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
    switch (table->kind) {
    case FLOE_K_KEY_I32:
        (void)floe_ht_probe_batch(shared, FLOE_K_KEY_I32, keys, hashes, selection, count,
                                  group_ids, 0, NULL);
        break;
    case FLOE_K_KEY_I64:
        (void)floe_ht_probe_batch(shared, FLOE_K_KEY_I64, keys, hashes, selection, count,
                                  group_ids, 0, NULL);
        break;
    case FLOE_K_KEY_I128:
        (void)floe_ht_probe_batch(shared, FLOE_K_KEY_I128, keys, hashes, selection, count,
                                  group_ids, 0, NULL);
        break;
    default:
        (void)floe_ht_probe_batch(shared, FLOE_K_KEY_BYTES, keys, hashes, selection, count,
                                  group_ids, 0, NULL);
        break;
    }
}
