/*
 * hashtable.h — the keyed-state hash table: maps keys to dense uint32 group ids, a vector of keys
 * at a time. Hash aggregation (group id -> accumulators, aggregate.h) and hash joins (group id =
 * distinct build key, join.h) sit on it, and keyed state is persisted from its flat arrays.
 *
 * Layout (Swiss-table style open addressing; hashtable_int.h has the byte layout):
 *   - The index is `capacity` slots (a power of two, at least 16) in groups of 16. Each slot has a
 *     control byte: EMPTY (0x80), DELETED (0xFE, a tombstone) or FULL (0x00..0x7F: the top 7 bits
 *     of the key's index hash), and an entry. For fixed-width keys (I32, I64, I128) the entry
 *     holds the key itself and its group id side by side, so a hit costs the tag match and one
 *     entry load; for BYTES it holds the group id. A probe for index hash h starts at the
 *     group named by the bits of h just below the tag (hashtable_int.h) and visits groups in
 *     triangular order (+1, +2, +3, ...), which reaches every group because the group count is
 *     a power of two. A group's 16 control bytes are matched against the 7-bit tag at once
 *     (SSE2 _mm_cmpeq_epi8 + movemask with AVX2 builds, NEON vceqq_u8 + a narrowing shift on
 *     aarch64, SWAR in the scalar reference); only tag matches compare keys.
 *   - The index hash of a fixed-width key is the table's own mixing of the key (an xor-fold
 *     and one multiply, hashtable_int.h: deterministic, the same on every machine); of a BYTES
 *     key it is the caller's hash. Either way hashes[] below keep the caller's hash.
 *   - Keys and their 64-bit hashes live in flat arrays in group-id order: group g's key is
 *     keys[g] (int32, int64 or int128 kinds) or refs[g] = (offset, length) into a table-owned byte
 *     heap (BYTES kind: strings, binaries and composite keys serialized by floe_k_key_encode).
 *     They are written when a group is created; they are what the engine persists and what
 *     iteration reads; floe_k_ht_load rebuilds the index from them.
 *   - Load factor: at most 7/8 of the slots are FULL or DELETED. An insert that finds no room
 *     rebuilds the index from the flat arrays (a sequential, prefetched pass; fixed-width keys are
 *     re-mixed, BYTES keys reuse their stored hashes): into twice the slots, or into the same
 *     number when tombstones, not live groups, filled the table. floe_k_ht_create's hint sizes the
 *     index and the flat arrays up front, so a table told its group count never grows.
 *   - Large index arrays are allocated on 2 MiB boundaries and advised to use transparent huge
 *     pages (fewer TLB misses on random probes).
 *
 * NULL keys (single-column kinds): every row whose validity bit is clear belongs to one NULL group
 * (SQL GROUP BY semantics). That group is not in the index; its id is floe_k_ht_null_group().
 * Composite keys encode each part's NULL flag in the key bytes, so (NULL, 1) and (NULL, 2) are two
 * groups and (NULL, 1) twice is one.
 *
 * Hashes are the caller's (hash.h, indexed by row as its kernels write them). They must be a
 * function of the key: equal keys, equal hashes. The table trusts them. hashes may be NULL: the
 * table then computes the hash of each key it stores (and, for BYTES, of each key it probes)
 * itself, as hash.h does with seed 0, so a table built without caller hashes persists exactly
 * what floe_k_hash_*(..., seed 0) would have given. Fixed-width kinds never read the hashes of
 * rows whose key is already present, so for them NULL saves the caller a hash pass. Use one
 * convention per table (NULL, or caller hashes with one seed).
 *
 * Removal keeps ids dense by moving the LAST group into the removed id (swap-remove): the index
 * slot of the removed key becomes a tombstone and the last group's slot is repointed. The caller
 * moves its own per-group state the same way (floe_k_ht_remove reports which id moved); to remove
 * several groups, remove them in descending id order so no removed id is ever the one moved.
 * Bytes of removed BYTES keys stay in the heap until garbage exceeds half of it; then the heap is
 * compacted in place of the next removal (refs change, nothing else).
 *
 * Batched find-or-insert: rows 0..count-1 (selection == NULL) or selection[0..count); writes
 * group_ids[row] for exactly those rows. New keys get ids group_count, group_count+1, ... in row
 * order. An index that fits in cache is probed one row at a time in one tight loop; a larger one
 * in a pipeline of chunks (hash and prefetch the home group, match the tag and prefetch the
 * entry, compare the key) so that many rows' cache misses overlap. A find of a fixed-width key
 * selects hit or miss without branching on it (half-matching join probes would mispredict every
 * other row). Returns FLOE_OK or FLOE_ENOMEM (rows before the failing one are inserted and have
 * ids; the table stays consistent), FLOE_ERANGE past 2^32-2 groups or 4 GiB of key bytes.
 *
 * Group-by SUM (floe_k_ht_find_or_insert_sum_f64) is find-or-insert and aggregate.h's SUM in one
 * call: with a small index, each row's accumulators are updated inside the probe loop, which
 * saves a pass over the group ids (a 1k-group SUM runs about 1.2 times as fast as the two
 * calls); with a large one it is the two calls, whose cost is cache misses either way.
 *
 * Ownership: the table owns its index, key arrays and heap; floe_k_ht_view's pointers are valid
 * until the next mutating call. Not thread-safe for writers; concurrent finds on an unchanging
 * table are safe.
 *
 * Variants: the probe loops are compiled per ISA (hashtable_scalar.c, x86/hashtable_avx2.c,
 * arm/hashtable_neon.c) from one template (hashtable_probe_int.h) and chosen by the dispatch
 * table (dispatch.h: ht_find_or_insert, ht_find, ht_find_or_insert_sum_f64); the plain entry
 * points call the chosen one.
 */
#ifndef FLOE_KERNELS_HASHTABLE_H
#define FLOE_KERNELS_HASHTABLE_H

#include "status.h"
#include "types.h"  /* floe_int128 */
#include "vector.h" /* floe_string_ref */

#include <stddef.h>
#include <stdint.h>

/* How a key is stored. DATE and 32-bit decimals use I32; TIMESTAMP(TZ) and DECIMAL(p<=18) I64;
 * DECIMAL(p>18) I128; STRING, BINARY and composite keys BYTES. */
typedef enum floe_k_key_kind {
    FLOE_K_KEY_I32 = 0,
    FLOE_K_KEY_I64 = 1,
    FLOE_K_KEY_I128 = 2,
    FLOE_K_KEY_BYTES = 3,
} floe_k_key_kind;

#define FLOE_K_NO_GROUP UINT32_C(0xFFFFFFFF) /* "no group" in group_ids */

/* One key column of a batch: values are int32_t / int64_t / floe_int128 / floe_string_ref
 * (with heap) per kind; validity is a vector.h bitmap or NULL. A view: owns nothing. */
typedef struct floe_k_keys {
    floe_k_key_kind kind;
    const void *values;
    const unsigned char *heap;  /* BYTES only */
    const uint64_t *validity;   /* NULL: no NULLs */
} floe_k_keys;

typedef struct floe_k_hashtable floe_k_hashtable;

/* An empty table for keys of `kind`, with room for `expected_groups` before the first resize
 * (0 is fine). FLOE_EINVAL for a bad kind, FLOE_ENOMEM. */
int floe_k_ht_create(floe_k_key_kind kind, size_t expected_groups, floe_k_hashtable **out,
                     floe_error *err);
void floe_k_ht_free(floe_k_hashtable *table);

floe_k_key_kind floe_k_ht_kind(const floe_k_hashtable *table);
uint32_t floe_k_ht_group_count(const floe_k_hashtable *table);
uint32_t floe_k_ht_null_group(const floe_k_hashtable *table); /* FLOE_K_NO_GROUP if none */
size_t floe_k_ht_capacity(const floe_k_hashtable *table);     /* index slots */

/* Maps each row's key to its group, inserting new keys (see the header comment).
 * keys->kind must be the table's kind (FLOE_EINVAL otherwise). */
int floe_k_ht_find_or_insert(floe_k_hashtable *table, const floe_k_keys *keys,
                             const uint64_t *hashes, const uint16_t *selection, size_t count,
                             uint32_t *group_ids, floe_error *err);

/* Group-by SUM in one call: exactly floe_k_ht_find_or_insert(table, keys, hashes, selection,
 * count, group_ids) followed by floe_k_agg_sum_f64(sums, counts, group_ids, values,
 * value_validity, weights, selection, count) (aggregate.h), the same group ids and bitwise the
 * same sums and counts, but with a cache-resident index each row's accumulators are updated in
 * the probe loop itself, which saves a pass over the group ids. sums and counts must have room
 * for every id the call can hand out, floe_k_ht_group_count(table) + count entries, those past
 * the current group count zeroed. On an error (as floe_k_ht_find_or_insert's) the rows before
 * the failing one have their groups and are summed; the others are untouched. */
int floe_k_ht_find_or_insert_sum_f64(floe_k_hashtable *table, const floe_k_keys *keys,
                                     const uint64_t *hashes, const double *values,
                                     const uint64_t *value_validity, const int64_t *weights,
                                     const uint16_t *selection, size_t count, uint32_t *group_ids,
                                     double *sums, int64_t *counts, floe_error *err);

/* Looks keys up without inserting: group_ids[row] is the group or FLOE_K_NO_GROUP. A NULL key
 * finds the NULL group when there is one. Cannot fail. */
void floe_k_ht_find(const floe_k_hashtable *table, const floe_k_keys *keys, const uint64_t *hashes,
                    const uint16_t *selection, size_t count, uint32_t *group_ids);

/* Removes `group`; *moved_from receives the id whose key now lives at `group` (the old last id),
 * or `group` itself when it was the last. FLOE_EINVAL for an id out of range. Never allocates
 * except to compact the BYTES heap; a failed compaction is skipped, not reported. */
int floe_k_ht_remove(floe_k_hashtable *table, uint32_t group, uint32_t *moved_from,
                     floe_error *err);

/* Drops every group, keeping the memory. */
void floe_k_ht_clear(floe_k_hashtable *table);

/* The key of one group (iteration is the loop 0..group_count-1). Kind must match; a NULL group's
 * value is 0 / empty. */
int32_t floe_k_ht_key_i32(const floe_k_hashtable *table, uint32_t group);
int64_t floe_k_ht_key_i64(const floe_k_hashtable *table, uint32_t group);
floe_int128 floe_k_ht_key_i128(const floe_k_hashtable *table, uint32_t group);
const unsigned char *floe_k_ht_key_bytes(const floe_k_hashtable *table, uint32_t group,
                                         uint32_t *length);
uint64_t floe_k_ht_hash(const floe_k_hashtable *table, uint32_t group);

/* The flat, persistable form: everything in group-id order. */
typedef struct floe_k_ht_flat {
    floe_k_key_kind kind;
    uint32_t group_count;
    uint32_t null_group;          /* FLOE_K_NO_GROUP if none */
    const void *keys;             /* int32_t/int64_t/floe_int128[group_count], or floe_string_ref */
    const unsigned char *heap;    /* BYTES: key bytes that refs point into */
    size_t heap_size;
    const uint64_t *hashes;       /* [group_count] */
} floe_k_ht_flat;

/* Pointers into the table (valid until it changes). */
void floe_k_ht_view(const floe_k_hashtable *table, floe_k_ht_flat *flat);

/* Replaces the table's contents with `flat` (copied), rebuilding the index. Input may come from a
 * file: a ref outside the heap, a null_group out of range, or the same key twice is
 * FLOE_ECORRUPT (the table is then left empty); FLOE_EINVAL for a kind mismatch; FLOE_ENOMEM. */
int floe_k_ht_load(floe_k_hashtable *table, const floe_k_ht_flat *flat, floe_error *err);

/* Composite keys: serializes row keys of several columns into one BYTES key per row:
 * for each column a flag byte (0 NULL, 1 present) followed, when present, by the value's
 * little-endian bytes (4, 8 or 16) or, for BYTES columns, a 4-byte length and the bytes. The
 * encoding is injective, so equal byte strings mean equal keys (NULL parts equal to each other).
 * Writes refs[row] (selected rows only) into *heap, grown with floe_realloc as needed (the caller
 * owns and frees it; reuse it across batches). FLOE_ENOMEM, FLOE_ERANGE past 4 GiB. */
typedef struct floe_k_key_buffer {
    unsigned char *bytes;
    size_t size;      /* bytes used */
    size_t capacity;
} floe_k_key_buffer;

int floe_k_key_encode(floe_k_key_buffer *buffer, const floe_k_keys *columns, size_t column_count,
                      const uint16_t *selection, size_t count, floe_string_ref *refs,
                      floe_error *err);
void floe_k_key_buffer_fini(floe_k_key_buffer *buffer);

/* Variant signatures (dispatch.h). */
typedef int (*floe_k_ht_find_or_insert_fn)(floe_k_hashtable *table, const floe_k_keys *keys,
                                           const uint64_t *hashes, const uint16_t *selection,
                                           size_t count, uint32_t *group_ids, floe_error *err);
typedef void (*floe_k_ht_find_fn)(const floe_k_hashtable *table, const floe_k_keys *keys,
                                  const uint64_t *hashes, const uint16_t *selection, size_t count,
                                  uint32_t *group_ids);

int floe_k_ht_find_or_insert_scalar(floe_k_hashtable *table, const floe_k_keys *keys,
                                    const uint64_t *hashes, const uint16_t *selection,
                                    size_t count, uint32_t *group_ids, floe_error *err);
void floe_k_ht_find_scalar(const floe_k_hashtable *table, const floe_k_keys *keys,
                           const uint64_t *hashes, const uint16_t *selection, size_t count,
                           uint32_t *group_ids);
int floe_k_ht_find_or_insert_avx2(floe_k_hashtable *table, const floe_k_keys *keys,
                                  const uint64_t *hashes, const uint16_t *selection, size_t count,
                                  uint32_t *group_ids, floe_error *err);
void floe_k_ht_find_avx2(const floe_k_hashtable *table, const floe_k_keys *keys,
                         const uint64_t *hashes, const uint16_t *selection, size_t count,
                         uint32_t *group_ids);
int floe_k_ht_find_or_insert_neon(floe_k_hashtable *table, const floe_k_keys *keys,
                                  const uint64_t *hashes, const uint16_t *selection, size_t count,
                                  uint32_t *group_ids, floe_error *err);
void floe_k_ht_find_neon(const floe_k_hashtable *table, const floe_k_keys *keys,
                         const uint64_t *hashes, const uint16_t *selection, size_t count,
                         uint32_t *group_ids);

typedef int (*floe_k_ht_find_or_insert_sum_f64_fn)(
    floe_k_hashtable *table, const floe_k_keys *keys, const uint64_t *hashes,
    const double *values, const uint64_t *value_validity, const int64_t *weights,
    const uint16_t *selection, size_t count, uint32_t *group_ids, double *sums, int64_t *counts,
    floe_error *err);
int floe_k_ht_find_or_insert_sum_f64_scalar(floe_k_hashtable *table, const floe_k_keys *keys,
                                            const uint64_t *hashes, const double *values,
                                            const uint64_t *value_validity,
                                            const int64_t *weights, const uint16_t *selection,
                                            size_t count, uint32_t *group_ids, double *sums,
                                            int64_t *counts, floe_error *err);
int floe_k_ht_find_or_insert_sum_f64_avx2(floe_k_hashtable *table, const floe_k_keys *keys,
                                          const uint64_t *hashes, const double *values,
                                          const uint64_t *value_validity, const int64_t *weights,
                                          const uint16_t *selection, size_t count,
                                          uint32_t *group_ids, double *sums, int64_t *counts,
                                          floe_error *err);
int floe_k_ht_find_or_insert_sum_f64_neon(floe_k_hashtable *table, const floe_k_keys *keys,
                                          const uint64_t *hashes, const double *values,
                                          const uint64_t *value_validity, const int64_t *weights,
                                          const uint16_t *selection, size_t count,
                                          uint32_t *group_ids, double *sums, int64_t *counts,
                                          floe_error *err);

/* The 16-slot control-byte matcher of each variant, exposed for tests: bit i of the result is
 * set when ctrl[i] == tag. */
uint32_t floe_k_ht_match16_scalar(const uint8_t *ctrl, uint8_t tag);
uint32_t floe_k_ht_match16_avx2(const uint8_t *ctrl, uint8_t tag);
uint32_t floe_k_ht_match16_neon(const uint8_t *ctrl, uint8_t tag);

#endif
