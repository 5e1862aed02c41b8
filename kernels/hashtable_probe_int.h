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
 * and gets floe_k_ht_find_or_insert_<isa>, floe_k_ht_find_<isa> and
 * floe_k_ht_find_or_insert_sum_f64_<isa> (hashtable.h).
 */
#include "aggregate.h" /* floe_k_agg_sum_f64, the fused SUM's definition */
#include "hash.h"      /* the persisted hash of keys inserted without caller hashes */
#include "hashtable_int.h"

#include <string.h>

/* Which loop runs, by the index's size (control bytes and entries), as measured on a Zen 5 with
 * 2 MiB of L2 (int64 keys, 16k to 256k groups, 20M rows):
 *   - up to FLOE_HT_FUSED_BYTES the fused SUM updates accumulators inside the probe loop (at
 *     0.5 MiB it is 10% faster than probe-then-sum, at 1.1 MiB 13% slower: the longer loop
 *     body keeps fewer rows' misses in flight);
 *   - up to FLOE_HT_PREFETCH_BYTES the probe is one pass per row (floe_ht_probe_direct): at
 *     2.2 MiB it beats the staged loop by 15%, at 4.4 MiB it loses by 25%;
 *   - past that the staged, prefetching loop (floe_ht_probe_batch). */
enum {
    FLOE_HT_FUSED_BYTES = 768 * 1024,
    FLOE_HT_PREFETCH_BYTES = 3 * 1024 * 1024,
};

static inline size_t floe_ht_index_bytes(const floe_k_hashtable *table)
{
    return table->capacity * (1 + (size_t)table->entry_width);
}

/* Fixed-width kinds: whether `entry` holds row's key; *id is the entry's group id either way. */
static inline __attribute__((always_inline)) int floe_ht_entry_holds(
    floe_k_key_kind kind, const unsigned char *entry, const floe_k_keys *keys, size_t row,
    uint32_t *id)
{
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
    default: {
        floe_int128 stored;
        memcpy(&stored, entry, sizeof stored);
        equal = stored == ((const floe_int128 *)keys->values)[row];
        break;
    }
    }
    memcpy(id, entry + floe_k_ht_id_offset_of(kind), sizeof *id);
    return equal;
}

/* Whether slot's entry holds row's key (BYTES: its group's stored hash equals `hash`, then its
 * bytes); *id is the entry's group id either way. entries is table->entries, passed apart so
 * that loops can keep it in a register. */
static inline __attribute__((always_inline)) int floe_ht_key_equal(
    const floe_k_hashtable *table, const unsigned char *entries, floe_k_key_kind kind,
    const floe_k_keys *keys, size_t row, size_t slot, uint64_t hash, uint32_t *id)
{
    const unsigned char *entry = entries + slot * floe_k_ht_entry_width_of(kind);
    if (kind != FLOE_K_KEY_BYTES) return floe_ht_entry_holds(kind, entry, keys, row, id);
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

/* A find of a fixed-width key settles without branching on the outcome: the candidate entry
 * (the home group's first tag match) is read whether or not there is one, from this stand-in
 * when there is none, and the result is selected. Half-matching join probes would otherwise
 * mispredict about every other row. */
static const unsigned char floe_ht_no_entry[32] __attribute__((aligned(32)));

/* The candidate entry, or the stand-in when there is none, selected with masks: compilers turn a
 * conditional expression here back into the branch this avoids. */
static inline __attribute__((always_inline)) const unsigned char *floe_ht_candidate(
    const unsigned char *entry, int has_candidate)
{
    uintptr_t keep = (uintptr_t)0 - (uintptr_t)(has_candidate != 0);
    return (const unsigned char *)(((uintptr_t)entry & keep) |
                                   ((uintptr_t)floe_ht_no_entry & ~keep));
}

/* hit ? id : FLOE_K_NO_GROUP, without a branch (hit is 0 or 1). */
static inline __attribute__((always_inline)) uint32_t floe_ht_hit_id(uint32_t id, int hit)
{
    return id | ((uint32_t)hit - 1u);
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

/* Inserts row's key, known to be absent, at free_slot (EMPTY or DELETED, on its probe sequence;
 * an EMPTY one only while growth_left > 0) under index hash `hash`. */
static __attribute__((noinline)) int floe_ht_insert_at(floe_k_hashtable *table,
                                                       const floe_k_keys *keys,
                                                       const uint64_t *hashes, size_t row,
                                                       uint64_t hash, size_t free_slot,
                                                       uint32_t *out, floe_error *err)
{
    const floe_k_key_kind kind = table->kind;
    uint32_t found;
    uint64_t stored =
        kind == FLOE_K_KEY_BYTES ? hash : floe_ht_row_stored_hash(kind, keys, hashes, row, 0);
    int status = floe_k_ht_append_key_int(table, keys, row, stored, 0, &found, err);
    if (status < 0) return status;
    if (table->ctrl[free_slot] == FLOE_HT_EMPTY)
        table->growth_left--;
    else
        table->tombstones--;
    table->ctrl[free_slot] = floe_k_ht_tag(hash);
    floe_k_ht_fill_entry(table, free_slot, found);
    *out = found;
    return FLOE_OK;
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
    size_t home = floe_k_ht_home_slot(table, hash);
    size_t free_slot = SIZE_MAX;
    const unsigned char *entries = table->entries;
    for (size_t step = 1;; step++) {
        const uint8_t *ctrl = table->ctrl + home;
        uint64_t match = FLOE_HT_MATCH(ctrl, tag);
        while (match != 0) {
            size_t slot = home + ((size_t)__builtin_ctzll(match) >> FLOE_HT_MASK_SHIFT);
            uint32_t id;
            int equal;
            switch (kind) {
            case FLOE_K_KEY_I32:
                equal = floe_ht_key_equal(table, entries, FLOE_K_KEY_I32, keys, row, slot, hash,
                                          &id);
                break;
            case FLOE_K_KEY_I64:
                equal = floe_ht_key_equal(table, entries, FLOE_K_KEY_I64, keys, row, slot, hash,
                                          &id);
                break;
            case FLOE_K_KEY_I128:
                equal = floe_ht_key_equal(table, entries, FLOE_K_KEY_I128, keys, row, slot, hash,
                                          &id);
                break;
            default:
                equal = floe_ht_key_equal(table, entries, FLOE_K_KEY_BYTES, keys, row, slot, hash,
                                          &id);
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
                free_slot = home + ((size_t)__builtin_ctzll(free_mask) >> FLOE_HT_MASK_SHIFT);
        }
        if (FLOE_HT_MATCH_EMPTY(ctrl) != 0) break;
        home = floe_k_ht_next_slot(table, home, step);
    }
    *out = FLOE_K_NO_GROUP;
    if (!insert) return FLOE_OK;
    if (table->ctrl[free_slot] == FLOE_HT_EMPTY && table->growth_left == 0) {
        int status = floe_k_ht_grow_int(table, err);
        if (status < 0) return status;
        free_slot = floe_k_ht_free_slot_int(table, hash);
    }
    return floe_ht_insert_at(table, keys, hashes, row, hash, free_slot, out, err);
}

/* The batch loop for an index larger than cache, software-pipelined over chunks of FLOE_HT_CHUNK
 * rows (group prefetching), three chunks in flight:
 *   stage 0, every row of chunk c + 2: the index hash (kept in a ring) and a prefetch of its
 *            home control group;
 *   stage 1, every row of chunk c + 1: home group tag match; the slot of the first tag match
 *            (or none) is kept, with whether a find that misses it is settled, and that entry
 *            is prefetched (on an insert without a match, the entry of the group's first free
 *            slot, where a new key goes);
 *   stage 2, every row of chunk c: compare the key with the kept slot's entry (one load) and
 *            write the group id; a find of a fixed-width key selects hit or miss without a
 *            branch; an insert whose home group still has no match and an EMPTY slot inserts
 *            there. Any other row (a tag collision, an overflowing group, a NULL key) takes
 *            the full probe (floe_ht_probe_row), which may insert.
 * Each stage is a short loop with short dependency chains, so the core overlaps many rows, and a
 * whole chunk of work separates each prefetch from its use (FLOE_HT_CHUNK: 128 measured 10%
 * better than 64 or 32 on the 1M-group aggregation, the same on the join). Inserts only fill
 * EMPTY or DELETED slots, so a slot kept by stage 1 still holds the key it held and a settled
 * miss stays one (finds do not insert); only growth moves entries, and then stage 1 is redone
 * from the next row. */
enum { FLOE_HT_CHUNK = 128, FLOE_HT_RING = 4 * FLOE_HT_CHUNK /* > 3 chunks, a power of two */ };
/* Stage 1's word per row: the candidate slot (the first tag match; slots need up to 34 bits),
 * and two flags. */
#define FLOE_HT_NO_MATCH (1ull << 63)    /* no tag match in the home group */
#define FLOE_HT_MISS_SETTLED (1ull << 62) /* a find that misses the candidate misses for good: no
                                            other tag match and an EMPTY slot in the group */
#define FLOE_HT_SLOT_BITS (FLOE_HT_MISS_SETTLED - 1)
/* OR-ed into a mask before ctz so an empty mask yields the group's last slot, not 64. */
#define FLOE_HT_LAST_SLOT_BIT (1ull << (15u << FLOE_HT_MASK_SHIFT))

static inline __attribute__((always_inline)) void floe_ht_stage0(
    const floe_k_hashtable *table, floe_k_key_kind kind, const floe_k_keys *keys,
    const uint64_t *hashes, const uint16_t *selection, size_t begin, size_t end,
    uint64_t *index_hashes)
{
    const uint8_t *ctrl_base = table->ctrl;
    for (size_t i = begin; i < end; i++) {
        uint64_t hash = floe_ht_row_index_hash(kind, keys, hashes,
                                               selection != NULL ? selection[i] : i);
        index_hashes[i % FLOE_HT_RING] = hash;
        __builtin_prefetch(ctrl_base + floe_k_ht_home_slot(table, hash));
    }
}

static inline __attribute__((always_inline)) void floe_ht_stage1(
    const floe_k_hashtable *table, floe_k_key_kind kind, size_t begin, size_t end, int insert,
    const uint64_t *index_hashes, uint64_t *slots)
{
    const uint8_t *ctrl_base = table->ctrl;
    for (size_t i = begin; i < end; i++) {
        uint64_t hash = index_hashes[i % FLOE_HT_RING];
        size_t home = floe_k_ht_home_slot(table, hash);
        const uint8_t *ctrl = ctrl_base + home;
        uint64_t match = FLOE_HT_MATCH(ctrl, floe_k_ht_tag(hash));
        uint64_t slot = home + ((size_t)__builtin_ctzll(match | FLOE_HT_LAST_SLOT_BIT) >>
                                FLOE_HT_MASK_SHIFT);
        uint64_t word = slot | (match == 0 ? FLOE_HT_NO_MATCH : 0);
        if (!insert && FLOE_HT_MATCH_EMPTY(ctrl) != 0 && (match & (match - 1)) == 0)
            word |= FLOE_HT_MISS_SETTLED;
        slots[i % FLOE_HT_RING] = word;
        if (insert) {
            /* No tag match on an insert: the key is most likely new and goes to the group's
             * first free slot, whose entry is written soon. */
            size_t target = slot;
            if (match == 0)
                target = home + ((size_t)__builtin_ctzll(FLOE_HT_MATCH_FREE(ctrl) |
                                                           FLOE_HT_LAST_SLOT_BIT) >>
                                 FLOE_HT_MASK_SHIFT);
            __builtin_prefetch(table->entries + target * floe_k_ht_entry_width_of(kind), 1);
        } else {
            /* What stage 2 reads: the candidate, or the stand-in when there is none. */
            __builtin_prefetch(floe_ht_candidate(
                table->entries + slot * floe_k_ht_entry_width_of(kind), match != 0));
        }
    }
}

/* What floe_k_ht_find_or_insert_sum_f64 folds into each row's group once it is known: SUM(x)
 * and COUNT(x) exactly as floe_k_agg_sum_f64 (aggregate.h) would, row by row in the same order,
 * so the sums are bitwise the same. */
typedef struct floe_ht_sum_f64 {
    const double *values;
    const uint64_t *validity; /* of values; NULL: none is NULL */
    const int64_t *weights;   /* NULL: every row weighs +1 */
    double *sums;
    int64_t *counts;
} floe_ht_sum_f64;

/* A cache-resident index: nothing to hide, so one pass per row (hash, home-group match, key
 * compare, and with `sum` the accumulator update) with no staging arrays in between. */
static inline __attribute__((always_inline)) int floe_ht_probe_direct(
    floe_k_hashtable *table, floe_k_key_kind kind, const floe_k_keys *keys,
    const uint64_t *hashes, const uint16_t *selection, size_t count, uint32_t *group_ids,
    int insert, const uint64_t *validity, const floe_ht_sum_f64 *sum, size_t *failed_at,
    floe_error *err)
{
    /* Locals, refreshed after the out-of-line probe (which may grow the index), so the fast
     * path keeps them in registers. */
    const floe_k_keys view = *keys;
    const uint8_t *ctrl_base = table->ctrl;
    const unsigned char *entries = table->entries;
    size_t home_mask = table->home_mask;
    unsigned home_shift = table->home_shift;
    for (size_t i = 0; i < count; i++) {
        size_t row = selection != NULL ? selection[i] : i;
        uint32_t id;
        if (validity == NULL || ((validity[row >> 6] >> (row & 63)) & 1)) {
            uint64_t hash = floe_ht_row_index_hash(kind, &view, hashes, row);
            size_t home = (size_t)(hash >> home_shift) & home_mask;
            const uint8_t *ctrl = ctrl_base + home;
            uint64_t match = FLOE_HT_MATCH(ctrl, floe_k_ht_tag(hash));
            if (!insert && kind != FLOE_K_KEY_BYTES) {
                size_t slot = home + ((size_t)__builtin_ctzll(match | FLOE_HT_LAST_SLOT_BIT) >>
                                      FLOE_HT_MASK_SHIFT);
                const unsigned char *entry = floe_ht_candidate(
                    entries + slot * floe_k_ht_entry_width_of(kind), match != 0);
                uint32_t candidate;
                int hit = floe_ht_entry_holds(kind, entry, &view, row, &candidate) & (match != 0);
                int settled =
                    hit | ((FLOE_HT_MATCH_EMPTY(ctrl) != 0) & ((match & (match - 1)) == 0));
                if (__builtin_expect(settled, 1)) {
                    id = floe_ht_hit_id(candidate, hit);
                    goto settled;
                }
            } else if (__builtin_expect(match != 0, 1)) {
                size_t slot = home + ((size_t)__builtin_ctzll(match) >> FLOE_HT_MASK_SHIFT);
                if (__builtin_expect(
                        floe_ht_key_equal(table, entries, kind, &view, row, slot, hash, &id), 1))
                    goto settled;
                if (!insert && FLOE_HT_MATCH_EMPTY(ctrl) != 0 && (match & (match - 1)) == 0) {
                    id = FLOE_K_NO_GROUP;
                    goto settled;
                }
            } else if (!insert && FLOE_HT_MATCH_EMPTY(ctrl) != 0) {
                id = FLOE_K_NO_GROUP;
                goto settled;
            }
        }
        {
            uint32_t found;
            int status = floe_ht_probe_row(table, keys, hashes, row, insert, &found, err);
            if (status < 0) {
                *failed_at = i;
                return status;
            }
            id = found;
            ctrl_base = table->ctrl;
            entries = table->entries;
            home_mask = table->home_mask;
            home_shift = table->home_shift;
        }
    settled:
        group_ids[row] = id;
        if (sum != NULL && (sum->validity == NULL ||
                            ((sum->validity[row >> 6] >> (row & 63)) & 1))) {
            if (sum->weights == NULL) {
                sum->sums[id] += sum->values[row];
                sum->counts[id] += 1;
            } else {
                sum->sums[id] += sum->values[row] * (double)sum->weights[row];
                sum->counts[id] += sum->weights[row];
            }
        }
    }
    return FLOE_OK;
}

static inline __attribute__((always_inline)) int floe_ht_probe_batch(
    floe_k_hashtable *table, floe_k_key_kind kind, const floe_k_keys *keys,
    const uint64_t *hashes, const uint16_t *selection, size_t count, uint32_t *group_ids,
    int insert, int prefetch, int dense, size_t *failed_at, floe_error *err)
{
    const uint64_t *validity = keys->validity;
    if (dense) { /* known at compile time: no per-row selection or NULL tests */
        selection = NULL;
        validity = NULL;
    }
    if (!prefetch)
        return floe_ht_probe_direct(table, kind, keys, hashes, selection, count, group_ids,
                                    insert, validity, NULL, failed_at, err);
    uint64_t index_hashes[FLOE_HT_RING]; /* stage 0's, by row position; BYTES keys reuse them */
    uint64_t slots[FLOE_HT_RING];
    size_t hashed = 0, matched = 0; /* positions below these are through stage 0, stage 1 */
    for (size_t begin = 0; begin < count;) {
        size_t end = count - begin < FLOE_HT_CHUNK ? count : begin + FLOE_HT_CHUNK;
        size_t match_end = count - end < FLOE_HT_CHUNK ? count : end + FLOE_HT_CHUNK;
        size_t hash_end = count - match_end < FLOE_HT_CHUNK ? count : match_end + FLOE_HT_CHUNK;
        floe_ht_stage0(table, kind, keys, hashes, selection, hashed, hash_end, index_hashes);
        hashed = hash_end;
        floe_ht_stage1(table, kind, matched, match_end, insert, index_hashes, slots);
        matched = match_end;
        const unsigned char *entries = table->entries;
        size_t i = begin;
        for (; i < end; i++) {
            size_t row = selection != NULL ? selection[i] : i;
            uint64_t word = slots[i % FLOE_HT_RING];
            size_t slot = (size_t)(word & FLOE_HT_SLOT_BITS);
            int present = validity == NULL || ((validity[row >> 6] >> (row & 63)) & 1);
            if (!insert && kind != FLOE_K_KEY_BYTES) {
                int has_candidate = !(word & FLOE_HT_NO_MATCH);
                const unsigned char *entry = floe_ht_candidate(
                    entries + slot * floe_k_ht_entry_width_of(kind), has_candidate);
                uint32_t id;
                int hit = floe_ht_entry_holds(kind, entry, keys, row, &id) & has_candidate;
                if (__builtin_expect((hit | ((word & FLOE_HT_MISS_SETTLED) != 0)) & present, 1)) {
                    group_ids[row] = floe_ht_hit_id(id, hit);
                    continue;
                }
            } else if (present) {
                uint32_t id;
                uint64_t hash = index_hashes[i % FLOE_HT_RING]; /* BYTES compare it first */
                if (__builtin_expect(!(word & FLOE_HT_NO_MATCH), 1) &&
                    floe_ht_key_equal(table, entries, kind, keys, row, slot, hash, &id)) {
                    group_ids[row] = id;
                    continue;
                }
                if (word & FLOE_HT_MISS_SETTLED) {
                    group_ids[row] = FLOE_K_NO_GROUP;
                    continue;
                }
                if (insert && (word & FLOE_HT_NO_MATCH)) {
                    /* Most likely a new key. Its home group, in cache since stage 1, may have
                     * gained keys since: if it still has no tag match and an EMPTY slot, the key
                     * is nowhere else and goes to the group's first free slot. */
                    size_t home = slot & ~(size_t)(FLOE_HT_GROUP_WIDTH - 1);
                    const uint8_t *ctrl = table->ctrl + home;
                    size_t free_slot = home + ((size_t)__builtin_ctzll(FLOE_HT_MATCH_FREE(ctrl) |
                                                                       FLOE_HT_LAST_SLOT_BIT) >>
                                               FLOE_HT_MASK_SHIFT);
                    if (FLOE_HT_MATCH(ctrl, floe_k_ht_tag(hash)) == 0 &&
                        FLOE_HT_MATCH_EMPTY(ctrl) != 0 &&
                        (table->ctrl[free_slot] != FLOE_HT_EMPTY || table->growth_left > 0)) {
                        int status = floe_ht_insert_at(table, keys, hashes, row, hash, free_slot,
                                                       &id, err);
                        if (status < 0) {
                            *failed_at = i;
                            return status;
                        }
                        group_ids[row] = id;
                        continue;
                    }
                }
            }
            uint32_t found;
            int status = floe_ht_probe_row(table, keys, hashes, row, insert, &found, err);
            if (status < 0) {
                *failed_at = i;
                return status;
            }
            group_ids[row] = found;
            if (table->entries != entries) { /* grown: stage 1 again from the next row */
                i++;
                matched = i;
                break;
            }
        }
        begin = i;
    }
    return FLOE_OK;
}

/* Whether the staged, prefetching loop pays: an index larger than cache, and keys whose index
 * hash is cheap to compute ahead (a BYTES key without caller hashes would be hashed twice). */
static inline int floe_ht_wants_prefetch(const floe_k_hashtable *table, const uint64_t *hashes)
{
    return floe_ht_index_bytes(table) > FLOE_HT_PREFETCH_BYTES &&
           (hashes != NULL || table->kind != FLOE_K_KEY_BYTES);
}

/* One instantiation per (kind, prefetch, dense) so all are compile-time constants in the loop. */
static inline __attribute__((always_inline)) int floe_ht_probe_kind(
    floe_k_hashtable *table, const floe_k_keys *keys, const uint64_t *hashes,
    const uint16_t *selection, size_t count, uint32_t *group_ids, int insert, size_t *failed_at,
    floe_error *err)
{
    int prefetch = floe_ht_wants_prefetch(table, hashes);
    /* Dense batches (no selection, no validity: the common insert-only vector) get their own
     * instantiation without the per-row tests. */
    int dense = selection == NULL && keys->validity == NULL;
#define FLOE_HT_CALL(kind_, prefetch_, dense_)                                                  \
    floe_ht_probe_batch(table, kind_, keys, hashes, selection, count, group_ids, insert,        \
                        prefetch_, dense_, failed_at, err)
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
    size_t failed_at;
    return floe_ht_probe_kind(table, keys, hashes, selection, count, group_ids, 1, &failed_at,
                              err);
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
    size_t failed_at; /* a find cannot fail */
    (void)floe_ht_probe_kind(shared, keys, hashes, selection, count, group_ids, 0, &failed_at,
                             NULL);
}

/* The fused group-by SUM (hashtable.h): an index that fits in L2 with room to spare folds each
 * row into its group's accumulators inside the probe loop itself; a larger one runs the probe
 * over the batch and then floe_k_agg_sum_f64, as its misses are what costs there. */
int FLOE_HT_VARIANT(floe_k_ht_find_or_insert_sum_f64)(
    floe_k_hashtable *table, const floe_k_keys *keys, const uint64_t *hashes,
    const double *values, const uint64_t *value_validity, const int64_t *weights,
    const uint16_t *selection, size_t count, uint32_t *group_ids, double *sums, int64_t *counts,
    floe_error *err)
{
    if (keys->kind != table->kind)
        return floe_error_set(err, FLOE_EINVAL, "hash table: key kind %d, table holds kind %d",
                              (int)keys->kind, (int)table->kind);
    size_t failed_at;
    if (floe_ht_index_bytes(table) <= FLOE_HT_FUSED_BYTES) {
        if (selection == NULL && keys->validity == NULL && value_validity == NULL &&
            weights == NULL) {
            const floe_ht_sum_f64 dense = {values, NULL, NULL, sums, counts};
#define FLOE_HT_SUM_CASE(kind_)                                                                 \
    case kind_:                                                                                 \
        return floe_ht_probe_direct(table, kind_, keys, hashes, NULL, count, group_ids, 1, NULL, \
                                    &dense, &failed_at, err);
            switch (table->kind) {
                FLOE_HT_SUM_CASE(FLOE_K_KEY_I32)
                FLOE_HT_SUM_CASE(FLOE_K_KEY_I64)
                FLOE_HT_SUM_CASE(FLOE_K_KEY_I128)
            default:
                FLOE_HT_SUM_CASE(FLOE_K_KEY_BYTES)
            }
#undef FLOE_HT_SUM_CASE
        }
        /* Selections, NULLs and weights: one generic loop (the per-row tests cost more than
         * the kind switch would save). */
        const floe_ht_sum_f64 sum = {values, value_validity, weights, sums, counts};
        return floe_ht_probe_direct(table, table->kind, keys, hashes, selection, count,
                                    group_ids, 1, keys->validity, &sum, &failed_at, err);
    }
    int status = floe_ht_probe_kind(table, keys, hashes, selection, count, group_ids, 1,
                                    &failed_at, err);
    floe_k_agg_sum_f64(sums, counts, group_ids, values, value_validity, weights, selection,
                       status < 0 ? failed_at : count);
    return status;
}
