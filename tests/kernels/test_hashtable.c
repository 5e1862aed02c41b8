/*
 * Description: the keyed-state hash table (kernels/hashtable.h). Every variant this build and CPU
 * can run (floe_k_dispatch_for) against an independent reference written here (a plain
 * linear-probing map of int64 keys to first-appearance ids): the 16-byte control matchers against
 * a byte loop; random int64 keys with NULLs across batches and selections; crafted collisions
 * (every key the same hash: same tag, same group); growth from 1 to 150k groups through many
 * resizes; swap-removal keeping ids dense, removed keys gone, tombstone churn; int32, int128,
 * strings with embedded NULs and empty strings, composite keys with NULL parts; the flat
 * serialization round trip and corrupt flat input; allocation failures; every kind with
 * hashes == NULL (the table hashes keys itself) against the reference and hash.h's values;
 * finds mixing hits and misses and crowded string hashes with a small index (the one-pass loop)
 * and one sized past every cache (the pipelined loop); the fused group-by SUM against
 * find-or-insert followed by floe_k_agg_sum_f64 (bit for bit, every kind, selections, NULLs,
 * weights, all three loops) and its state after allocation failures.
 */
#include "kernels/aggregate.h"
#include "kernels/dispatch.h"
#include "kernels/hash.h"
#include "kernels/hashtable.h"
#include "kernels/memory.h"
#include "kernels/status.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Check writes a record per passing assertion (a system call each); per-element checks in loops
 * only call into Check when they fail. */
#define EXPECT_UEQ(a, b)                                  \
    do {                                                  \
        if ((uint64_t)(a) != (uint64_t)(b)) ck_assert_uint_eq(a, b); \
    } while (0)
#define EXPECT_IEQ(a, b)                                  \
    do {                                                  \
        if ((int64_t)(a) != (int64_t)(b)) ck_assert_int_eq(a, b); \
    } while (0)

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Reference: key -> id in a linear-probing map with its own mixer (not the table's design). */
typedef struct reference {
    int64_t *keys;
    uint32_t *ids;
    uint8_t *used;
    size_t capacity;
    uint32_t count;
} reference;

static void reference_init(reference *r, size_t capacity)
{
    r->capacity = capacity;
    r->keys = calloc(capacity, sizeof *r->keys);
    r->ids = calloc(capacity, sizeof *r->ids);
    r->used = calloc(capacity, 1);
    r->count = 0;
}

static void reference_fini(reference *r)
{
    free(r->keys);
    free(r->ids);
    free(r->used);
}

static size_t reference_slot(const reference *r, int64_t key)
{
    size_t slot = (size_t)(((uint64_t)key * 0xD6E8FEB86659FD93ull) >> 20) % r->capacity;
    while (r->used[slot] && r->keys[slot] != key) slot = (slot + 1) % r->capacity;
    return slot;
}

static uint32_t reference_get(reference *r, int64_t key)
{
    size_t slot = reference_slot(r, key);
    if (!r->used[slot]) {
        r->used[slot] = 1;
        r->keys[slot] = key;
        r->ids[slot] = r->count++;
    }
    return r->ids[slot];
}

static int variants(const floe_k_dispatch **tables)
{
    int n = 0;
    for (int isa = 0; isa < FLOE_K_ISA_COUNT; isa++)
        if (floe_k_dispatch_for((floe_k_isa)isa, &tables[n]) == FLOE_OK) n++;
    return n;
}

START_TEST(matchers_agree_with_byte_loop)
{
    uint8_t ctrl[16] __attribute__((aligned(16)));
    for (int round = 0; round < 20000; round++) {
        uint8_t tag = (uint8_t)(next_random() & 0x7F);
        for (int k = 0; k < 16; k++) {
            uint64_t r = next_random() % 5;
            ctrl[k] = r == 0 ? tag : r == 1 ? 0x80 : r == 2 ? 0xFE : (uint8_t)(next_random() & 0x7F);
        }
        uint8_t probe = round % 3 == 0 ? 0x80 : tag;
        uint32_t expected = 0;
        for (int k = 0; k < 16; k++)
            if (ctrl[k] == probe) expected |= 1u << k;
        EXPECT_UEQ(floe_k_ht_match16_scalar(ctrl, probe), expected);
#if defined(__x86_64__)
        const floe_k_dispatch *avx2;
        if (floe_k_dispatch_for(FLOE_K_ISA_AVX2, &avx2) == FLOE_OK)
            EXPECT_UEQ(floe_k_ht_match16_avx2(ctrl, probe), expected);
#endif
#if defined(__aarch64__)
        EXPECT_UEQ(floe_k_ht_match16_neon(ctrl, probe), expected);
#endif
    }
}
END_TEST

enum { BATCH = 2048 };

/* A size hint that makes the index of any kind larger than every cache, so the pipelined
 * (prefetching) probe loop runs however few keys the table holds. */
#define LARGE_HINT ((size_t)1 << 19)

/* Inserts `batches` random batches of int64 keys drawn from `key_range` (NULL about 1 in 16
 * rows when with_nulls) and checks each id against the reference. */
static void run_i64(const floe_k_dispatch *table_fns, uint64_t key_range, int batches,
                    int with_nulls, int use_selection, size_t hint)
{
    floe_k_hashtable *table;
    EXPECT_IEQ(floe_k_ht_create(FLOE_K_KEY_I64, hint, &table, NULL), FLOE_OK);
    reference ref;
    size_t rows = (size_t)batches * BATCH;
    reference_init(&ref, (key_range < rows ? (size_t)key_range : rows) * 2 + 16);
    uint32_t null_id = FLOE_K_NO_GROUP;
    int64_t keys[BATCH];
    uint64_t validity[BATCH / 64];
    uint64_t hashes[BATCH];
    uint32_t ids[BATCH];
    uint16_t selection[BATCH];
    for (int b = 0; b < batches; b++) {
        for (int i = 0; i < BATCH; i++) keys[i] = (int64_t)(next_random() % key_range) - 7;
        for (int w = 0; w < BATCH / 64; w++)
            validity[w] = with_nulls ? ~(next_random() & next_random() & next_random() &
                                         next_random())
                                     : ~0ull;
        size_t count = BATCH;
        if (use_selection) {
            count = 0;
            for (int i = 0; i < BATCH; i++)
                if (next_random() & 1) selection[count++] = (uint16_t)i;
        }
        memset(ids, 0xAB, sizeof ids);
        table_fns->hash_i64(hashes, keys, validity, use_selection ? selection : NULL, count, 42,
                            false);
        floe_k_keys view = {FLOE_K_KEY_I64, keys, NULL, validity};
        EXPECT_IEQ(table_fns->ht_find_or_insert(table, &view, hashes,
                                                      use_selection ? selection : NULL, count,
                                                      ids, NULL),
                         FLOE_OK);
        for (size_t i = 0; i < count; i++) {
            size_t row = use_selection ? selection[i] : i;
            int is_null = !((validity[row >> 6] >> (row & 63)) & 1);
            uint32_t expected;
            if (is_null) {
                if (null_id == FLOE_K_NO_GROUP) null_id = ref.count++;
                expected = null_id;
            } else {
                expected = reference_get(&ref, keys[row]);
            }
            EXPECT_UEQ(ids[row], expected);
            if (!is_null) EXPECT_IEQ(floe_k_ht_key_i64(table, ids[row]), keys[row]);
        }
        if (use_selection && count < BATCH) {
            /* Unselected rows untouched. */
            size_t k = 0;
            for (size_t row = 0; row < BATCH; row++) {
                if (k < count && selection[k] == row) {
                    k++;
                    continue;
                }
                EXPECT_UEQ(ids[row], 0xABABABABu);
            }
        }
        /* Lookup without insert agrees. */
        uint32_t found[BATCH];
        table_fns->ht_find(table, &view, hashes, use_selection ? selection : NULL, count, found);
        for (size_t i = 0; i < count; i++) {
            size_t row = use_selection ? selection[i] : i;
            EXPECT_UEQ(found[row], ids[row]);
        }
        /* About half the keys made absent (the sign bit flipped takes a key out of the drawn
         * range): hits and misses interleaved at random, as a join probe sees them. */
        int64_t mixed[BATCH];
        uint64_t mixed_hashes[BATCH];
        int absent[BATCH];
        for (int i = 0; i < BATCH; i++) {
            absent[i] = (int)(next_random() & 1);
            mixed[i] = absent[i] ? (int64_t)((uint64_t)keys[i] ^ (1ull << 63)) : keys[i];
        }
        table_fns->hash_i64(mixed_hashes, mixed, validity, NULL, BATCH, 42, false);
        floe_k_keys mixed_view = {FLOE_K_KEY_I64, mixed, NULL, validity};
        table_fns->ht_find(table, &mixed_view, b % 2 == 0 ? mixed_hashes : NULL,
                           use_selection ? selection : NULL, count, found);
        for (size_t i = 0; i < count; i++) {
            size_t row = use_selection ? selection[i] : i;
            int is_null = !((validity[row >> 6] >> (row & 63)) & 1);
            EXPECT_UEQ(found[row], is_null || !absent[row] ? ids[row] : FLOE_K_NO_GROUP);
        }
    }
    EXPECT_UEQ(floe_k_ht_group_count(table), ref.count);
    EXPECT_UEQ(floe_k_ht_null_group(table), null_id);
    ck_assert_uint_le(floe_k_ht_group_count(table), floe_k_ht_capacity(table) / 8 * 7);
    floe_k_ht_free(table);
    reference_fini(&ref);
}

START_TEST(random_int64_keys_every_variant)
{
    const floe_k_dispatch *tables[FLOE_K_ISA_COUNT];
    int n = variants(tables);
    /* Each once with a small index (the one-pass loop) and once with an index sized for 2^19
     * groups (past any cache: the pipelined loop). */
    for (int v = 0; v < n; v++) {
        for (size_t hint = 0; hint <= LARGE_HINT; hint += LARGE_HINT) {
            rng_state = 0x1234567ull;
            run_i64(tables[v], 10, 3, 1, 0, hint);         /* mostly duplicates */
            run_i64(tables[v], 3000, 8, 1, 1, hint);       /* selections, NULLs */
            run_i64(tables[v], 1ull << 62, 4, 0, 0, hint); /* all distinct */
            run_i64(tables[v], 1, 2, 1, 0, hint);          /* one key and NULL */
        }
    }
}
END_TEST

START_TEST(empty_and_one_row)
{
    floe_k_hashtable *table;
    EXPECT_IEQ(floe_k_ht_create(FLOE_K_KEY_I64, 0, &table, NULL), FLOE_OK);
    int64_t key = 5;
    uint64_t hash = floe_k_hash_i64_value(5, 0);
    uint32_t id = 99;
    floe_k_keys view = {FLOE_K_KEY_I64, &key, NULL, NULL};
    EXPECT_IEQ(floe_k_ht_find_or_insert(table, &view, &hash, NULL, 0, &id, NULL), FLOE_OK);
    EXPECT_UEQ(id, 99);
    EXPECT_UEQ(floe_k_ht_group_count(table), 0);
    floe_k_ht_find(table, &view, &hash, NULL, 1, &id);
    EXPECT_UEQ(id, FLOE_K_NO_GROUP);
    EXPECT_IEQ(floe_k_ht_find_or_insert(table, &view, &hash, NULL, 1, &id, NULL), FLOE_OK);
    EXPECT_UEQ(id, 0);
    /* All NULL: one group. */
    uint64_t none[1] = {0};
    int64_t nulls[3] = {1, 2, 3};
    uint64_t hashes[3] = {1, 2, 3};
    uint32_t ids[3];
    floe_k_keys null_view = {FLOE_K_KEY_I64, nulls, NULL, none};
    EXPECT_IEQ(floe_k_ht_find_or_insert(table, &null_view, hashes, NULL, 3, ids, NULL),
                     FLOE_OK);
    EXPECT_UEQ(ids[0], 1);
    EXPECT_UEQ(ids[1], 1);
    EXPECT_UEQ(ids[2], 1);
    EXPECT_UEQ(floe_k_ht_null_group(table), 1);
    /* Wrong kind. */
    floe_k_keys wrong = {FLOE_K_KEY_I32, nulls, NULL, NULL};
    floe_error err;
    EXPECT_IEQ(floe_k_ht_find_or_insert(table, &wrong, hashes, NULL, 1, ids, &err),
                     FLOE_EINVAL);
    floe_k_ht_free(table);
    floe_k_ht_free(NULL);
}
END_TEST

START_TEST(colliding_hashes)
{
    /* Every key comes with the same caller hash. Fixed-width keys are placed by the table's own
     * mix, so the ids must not depend on it (the crowded probe sequence of equal hashes is
     * colliding_string_hashes_small_and_large_index, with BYTES keys). Also removal. */
    const floe_k_dispatch *tables[FLOE_K_ISA_COUNT];
    int n = variants(tables);
    for (int v = 0; v < n; v++) {
        floe_k_hashtable *table;
        EXPECT_IEQ(floe_k_ht_create(FLOE_K_KEY_I64, 0, &table, NULL), FLOE_OK);
        enum { KEYS = 300 };
        int64_t keys[KEYS];
        uint64_t hashes[KEYS];
        uint32_t ids[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = i * 1000003LL;
            hashes[i] = 0x5A5A5A5A12345678ull;
        }
        floe_k_keys view = {FLOE_K_KEY_I64, keys, NULL, NULL};
        EXPECT_IEQ(tables[v]->ht_find_or_insert(table, &view, hashes, NULL, KEYS, ids, NULL),
                         FLOE_OK);
        for (int i = 0; i < KEYS; i++) EXPECT_UEQ(ids[i], (uint32_t)i);
        EXPECT_IEQ(tables[v]->ht_find_or_insert(table, &view, hashes, NULL, KEYS, ids, NULL),
                         FLOE_OK);
        for (int i = 0; i < KEYS; i++) EXPECT_UEQ(ids[i], (uint32_t)i);
        uint32_t moved;
        EXPECT_IEQ(floe_k_ht_remove(table, 10, &moved, NULL), FLOE_OK);
        EXPECT_UEQ(moved, KEYS - 1);
        tables[v]->ht_find(table, &view, hashes, NULL, KEYS, ids);
        for (int i = 0; i < KEYS; i++) {
            uint32_t expected = i == 10 ? FLOE_K_NO_GROUP : i == KEYS - 1 ? 10u : (uint32_t)i;
            EXPECT_UEQ(ids[i], expected);
        }
        floe_k_ht_free(table);
    }
}
END_TEST

START_TEST(colliding_string_hashes_small_and_large_index)
{
    /* BYTES keys probe by the caller's hash: 200 keys sharing one hash crowd one probe sequence
     * (the same tag in every slot they take), and 200 absent keys with that hash must miss,
     * through the one-pass loop and the pipelined one. */
    enum { KEYS = 200 };
    static unsigned char heap[2 * KEYS * 8];
    floe_string_ref refs[2 * KEYS];
    uint64_t hashes[2 * KEYS];
    uint32_t ids[2 * KEYS];
    for (int i = 0; i < 2 * KEYS; i++) {
        int length = snprintf((char *)heap + i * 8, 8, "c%d", i);
        refs[i] = (floe_string_ref){(uint32_t)(i * 8), (uint32_t)length};
        hashes[i] = 0x0123456789ABCDEFull;
    }
    const floe_k_dispatch *tables[FLOE_K_ISA_COUNT];
    int n = variants(tables);
    for (int v = 0; v < n; v++) {
        for (size_t hint = 0; hint <= LARGE_HINT; hint += LARGE_HINT) {
            floe_k_hashtable *table;
            EXPECT_IEQ(floe_k_ht_create(FLOE_K_KEY_BYTES, hint, &table, NULL), FLOE_OK);
            floe_k_keys view = {FLOE_K_KEY_BYTES, refs, heap, NULL};
            EXPECT_IEQ(tables[v]->ht_find_or_insert(table, &view, hashes, NULL, KEYS, ids, NULL),
                       FLOE_OK);
            for (int i = 0; i < KEYS; i++) EXPECT_UEQ(ids[i], (uint32_t)i);
            tables[v]->ht_find(table, &view, hashes, NULL, 2 * KEYS, ids);
            for (int i = 0; i < 2 * KEYS; i++)
                EXPECT_UEQ(ids[i], i < KEYS ? (uint32_t)i : FLOE_K_NO_GROUP);
            EXPECT_IEQ(tables[v]->ht_find_or_insert(table, &view, hashes, NULL, 2 * KEYS, ids,
                                                    NULL),
                       FLOE_OK);
            for (int i = 0; i < 2 * KEYS; i++) EXPECT_UEQ(ids[i], (uint32_t)i);
            floe_k_ht_free(table);
        }
    }
}
END_TEST

START_TEST(growth_through_many_resizes)
{
    const floe_k_dispatch *tables[FLOE_K_ISA_COUNT];
    int n = variants(tables);
    enum { TOTAL = 150000 };
    int64_t *keys = malloc(TOTAL * sizeof *keys);
    uint64_t *hashes = malloc(TOTAL * sizeof *hashes);
    uint32_t *ids = malloc(TOTAL * sizeof *ids);
    for (int i = 0; i < TOTAL; i++) keys[i] = (int64_t)(next_random() >> 1) ^ i;
    floe_k_hash_i64(hashes, keys, NULL, NULL, TOTAL, 7);
    floe_k_keys view = {FLOE_K_KEY_I64, keys, NULL, NULL};
    for (int v = 0; v < n; v++) {
        floe_k_hashtable *table;
        EXPECT_IEQ(floe_k_ht_create(FLOE_K_KEY_I64, 0, &table, NULL), FLOE_OK);
        size_t done = 0, resizes = 0, capacity = floe_k_ht_capacity(table);
        while (done < TOTAL) {
            size_t step = done < 100 ? 1 : BATCH;
            if (done + step > TOTAL) step = TOTAL - done;
            floe_k_keys part = view;
            part.values = keys + done;
            EXPECT_IEQ(tables[v]->ht_find_or_insert(table, &part, hashes + done, NULL, step,
                                                          ids + done, NULL),
                             FLOE_OK);
            done += step;
            if (floe_k_ht_capacity(table) != capacity) resizes++;
            capacity = floe_k_ht_capacity(table);
        }
        ck_assert_uint_ge(resizes, 10); /* calls that saw the index grow; 16 -> 256Ki slots in all */
        ck_assert_uint_ge(floe_k_ht_capacity(table), (size_t)1 << 18);
        for (int i = 0; i < TOTAL; i++) EXPECT_UEQ(ids[i], (uint32_t)i);
        tables[v]->ht_find(table, &view, hashes, NULL, TOTAL > 60000 ? 60000 : TOTAL, ids);
        for (int i = 0; i < 60000; i++) EXPECT_UEQ(ids[i], (uint32_t)i);
        EXPECT_UEQ(floe_k_ht_group_count(table), TOTAL);
        floe_k_ht_free(table);
    }
    free(keys);
    free(hashes);
    free(ids);
}
END_TEST

START_TEST(removal_keeps_ids_dense)
{
    enum { KEYS = 5000 };
    int64_t keys[KEYS];
    uint64_t hashes[KEYS];
    uint32_t ids[KEYS];
    for (int i = 0; i < KEYS; i++) keys[i] = i * 7 + 1;
    floe_k_hash_i64(hashes, keys, NULL, NULL, KEYS, 0);
    floe_k_keys view = {FLOE_K_KEY_I64, keys, NULL, NULL};
    floe_k_hashtable *table;
    EXPECT_IEQ(floe_k_ht_create(FLOE_K_KEY_I64, 10, &table, NULL), FLOE_OK);
    /* Churn: insert all, remove all from the top, many times; tombstones must not pile up. */
    for (int round = 0; round < 20; round++) {
        EXPECT_IEQ(floe_k_ht_find_or_insert(table, &view, hashes, NULL, KEYS, ids, NULL),
                         FLOE_OK);
        for (int i = 0; i < KEYS; i++) EXPECT_UEQ(ids[i], (uint32_t)i);
        for (uint32_t g = KEYS; g-- > 0;) {
            uint32_t moved;
            EXPECT_IEQ(floe_k_ht_remove(table, g, &moved, NULL), FLOE_OK);
            EXPECT_UEQ(moved, g);
        }
        EXPECT_UEQ(floe_k_ht_group_count(table), 0);
    }
    ck_assert_uint_le(floe_k_ht_capacity(table), 16384);
    /* Random removals: model the owner of group -> key. */
    EXPECT_IEQ(floe_k_ht_find_or_insert(table, &view, hashes, NULL, KEYS, ids, NULL),
                     FLOE_OK);
    int64_t owner[KEYS];
    for (int i = 0; i < KEYS; i++) owner[i] = keys[i];
    uint32_t count = KEYS;
    char removed[KEYS] = {0};
    for (int r = 0; r < KEYS / 2; r++) {
        uint32_t g = (uint32_t)(next_random() % count);
        removed[(owner[g] - 1) / 7] = 1;
        uint32_t moved;
        EXPECT_IEQ(floe_k_ht_remove(table, g, &moved, NULL), FLOE_OK);
        EXPECT_UEQ(moved, count - 1);
        owner[g] = owner[count - 1];
        count--;
    }
    floe_error err;
    uint32_t moved;
    EXPECT_IEQ(floe_k_ht_remove(table, count, &moved, &err), FLOE_EINVAL);
    floe_k_ht_find(table, &view, hashes, NULL, KEYS, ids);
    for (int i = 0; i < KEYS; i++) {
        if (removed[i]) {
            EXPECT_UEQ(ids[i], FLOE_K_NO_GROUP);
        } else {
            ck_assert_uint_lt(ids[i], count);
            EXPECT_IEQ(owner[ids[i]], keys[i]);
            EXPECT_IEQ(floe_k_ht_key_i64(table, ids[i]), keys[i]);
        }
    }
    /* Reinsert: removed keys get new ids after the live ones. */
    EXPECT_IEQ(floe_k_ht_find_or_insert(table, &view, hashes, NULL, KEYS, ids, NULL),
                     FLOE_OK);
    EXPECT_UEQ(floe_k_ht_group_count(table), KEYS);
    for (int i = 0, next = (int)count; i < KEYS; i++)
        if (removed[i]) EXPECT_UEQ(ids[i], (uint32_t)next++);
    floe_k_ht_free(table);
}
END_TEST

START_TEST(other_fixed_kinds)
{
    const floe_k_dispatch *tables[FLOE_K_ISA_COUNT];
    int n = variants(tables);
    for (int v = 0; v < n; v++) {
        int32_t small[6] = {3, -3, 3, 0, 0, -3};
        uint64_t hashes[6];
        uint32_t ids[6];
        floe_k_hash_i32(hashes, small, NULL, NULL, 6, 1);
        floe_k_hashtable *table;
        EXPECT_IEQ(floe_k_ht_create(FLOE_K_KEY_I32, 0, &table, NULL), FLOE_OK);
        floe_k_keys view = {FLOE_K_KEY_I32, small, NULL, NULL};
        EXPECT_IEQ(tables[v]->ht_find_or_insert(table, &view, hashes, NULL, 6, ids, NULL),
                         FLOE_OK);
        const uint32_t expected32[6] = {0, 1, 0, 2, 2, 1};
        for (int i = 0; i < 6; i++) EXPECT_UEQ(ids[i], expected32[i]);
        EXPECT_IEQ(floe_k_ht_key_i32(table, 1), -3);
        floe_k_ht_free(table);

        /* int128 keys that differ only in the high half. */
        floe_int128 wide[4] = {1, (floe_int128)1 << 100 | 1, 1, -((floe_int128)1 << 100)};
        floe_k_hash_i128(hashes, wide, NULL, NULL, 4, 1);
        EXPECT_IEQ(floe_k_ht_create(FLOE_K_KEY_I128, 0, &table, NULL), FLOE_OK);
        floe_k_keys wide_view = {FLOE_K_KEY_I128, wide, NULL, NULL};
        EXPECT_IEQ(
            tables[v]->ht_find_or_insert(table, &wide_view, hashes, NULL, 4, ids, NULL), FLOE_OK);
        EXPECT_UEQ(ids[0], 0);
        EXPECT_UEQ(ids[1], 1);
        EXPECT_UEQ(ids[2], 0);
        EXPECT_UEQ(ids[3], 2);
        ck_assert(floe_k_ht_key_i128(table, 1) == wide[1]);
        floe_k_ht_free(table);
    }
}
END_TEST

/* hashes == NULL: the table mixes fixed-width keys itself and computes the persisted hash (XXH3,
 * seed 0, hash.h) of each key it inserts. Every kind, with NULL keys and a selection, through
 * growth, and large enough (60k groups) that the prefetching loop instantiation runs: ids must be
 * the reference's first-appearance ids, stored hashes hash.h's values, and find must agree. */
static int64_t reference_key_of(floe_k_key_kind kind, const void *values, size_t row)
{
    switch (kind) {
    case FLOE_K_KEY_I32: return ((const int32_t *)values)[row];
    case FLOE_K_KEY_I64: return ((const int64_t *)values)[row];
    case FLOE_K_KEY_I128: {
        floe_int128 v = ((const floe_int128 *)values)[row];
        return (int64_t)(v >> 100) * 1000000 + (int64_t)(v & 0xFFFFF);
    }
    default: return -1; /* strings: set by the caller */
    }
}

START_TEST(tables_without_caller_hashes)
{
    enum { ROWS = 2048, BATCHES = 60, GROUPS = 60000 };
    static int64_t keys64[ROWS];
    static int32_t keys32[ROWS];
    static floe_int128 keys128[ROWS];
    static floe_string_ref refs[ROWS];
    static unsigned char heap[ROWS * 12];
    static int64_t numbers[ROWS];
    static uint32_t ids[ROWS], found[ROWS];
    static uint16_t selection[ROWS];
    uint64_t validity[ROWS / 64];
    const floe_k_dispatch *tables[FLOE_K_ISA_COUNT];
    int n = variants(tables);
    const floe_k_key_kind kinds[4] = {FLOE_K_KEY_I32, FLOE_K_KEY_I64, FLOE_K_KEY_I128,
                                      FLOE_K_KEY_BYTES};
    for (int v = 0; v < n; v++) {
        for (int k = 0; k < 4; k++) {
            floe_k_key_kind kind = kinds[k];
            floe_k_hashtable *table;
            EXPECT_IEQ(floe_k_ht_create(kind, 0, &table, NULL), FLOE_OK);
            reference r;
            reference_init(&r, 4 * GROUPS);
            int64_t null_reference_id = -1;
            for (int b = 0; b < BATCHES; b++) {
                size_t heap_size = 0;
                for (size_t i = 0; i < ROWS; i++) {
                    int64_t x = (int64_t)(next_random() % GROUPS) - GROUPS / 2;
                    numbers[i] = x;
                    keys64[i] = x * 0x100000001ll; /* high and low halves both vary */
                    keys32[i] = (int32_t)x;
                    keys128[i] = ((floe_int128)(x & 0xFF) << 100) |
                                 (floe_int128)((x + GROUPS) & 0xFFFFF);
                    int length = snprintf((char *)heap + heap_size, 12, "k%lld", (long long)x);
                    refs[i] = (floe_string_ref){(uint32_t)heap_size, (uint32_t)length};
                    heap_size += (size_t)length;
                }
                for (size_t w = 0; w < ROWS / 64; w++)
                    validity[w] = ~(next_random() & next_random() & next_random() & next_random());
                const void *values = kind == FLOE_K_KEY_I32   ? (const void *)keys32
                                     : kind == FLOE_K_KEY_I64 ? (const void *)keys64
                                     : kind == FLOE_K_KEY_I128 ? (const void *)keys128
                                                               : (const void *)refs;
                floe_k_keys view = {kind, values, heap, validity};
                /* Odd batches go through a selection of every third row. */
                size_t count = ROWS;
                const uint16_t *sel = NULL;
                if (b % 2 == 1) {
                    count = 0;
                    for (size_t i = 0; i < ROWS; i += 3) selection[count++] = (uint16_t)i;
                    sel = selection;
                }
                EXPECT_IEQ(tables[v]->ht_find_or_insert(table, &view, NULL, sel, count, ids, NULL),
                           FLOE_OK);
                tables[v]->ht_find(table, &view, NULL, sel, count, found);
                for (size_t j = 0; j < count; j++) {
                    size_t row = sel != NULL ? sel[j] : j;
                    int present = (validity[row >> 6] >> (row & 63)) & 1;
                    uint32_t expected;
                    if (!present) {
                        if (null_reference_id < 0) null_reference_id = reference_get(&r, INT64_MIN);
                        expected = (uint32_t)null_reference_id;
                    } else {
                        int64_t key = kind == FLOE_K_KEY_BYTES
                                          ? numbers[row]
                                          : reference_key_of(kind, values, row);
                        expected = reference_get(&r, key);
                    }
                    EXPECT_UEQ(ids[row], expected);
                    EXPECT_UEQ(found[row], expected);
                }
            }
            EXPECT_UEQ(floe_k_ht_group_count(table), r.count);
            /* Every stored hash is hash.h's with seed 0. */
            for (uint32_t g = 0; g < floe_k_ht_group_count(table); g++) {
                uint64_t want;
                if (g == floe_k_ht_null_group(table)) {
                    want = floe_k_hash_null(0);
                } else if (kind == FLOE_K_KEY_I32) {
                    want = floe_k_hash_i32_value(floe_k_ht_key_i32(table, g), 0);
                } else if (kind == FLOE_K_KEY_I64) {
                    want = floe_k_hash_i64_value(floe_k_ht_key_i64(table, g), 0);
                } else if (kind == FLOE_K_KEY_I128) {
                    want = floe_k_hash_i128_value(floe_k_ht_key_i128(table, g), 0);
                } else {
                    uint32_t length;
                    const unsigned char *bytes = floe_k_ht_key_bytes(table, g, &length);
                    want = floe_k_hash_bytes_value(bytes, length, 0);
                }
                EXPECT_UEQ(floe_k_ht_hash(table, g), want);
            }
            /* A key that is absent is not found, with and without caller hashes. */
            keys64[0] = INT64_MAX;
            keys32[0] = INT32_MAX;
            keys128[0] = (floe_int128)1 << 120;
            refs[0] = (floe_string_ref){0, 0};
            validity[0] |= 1;
            uint64_t hash0[1] = {0};
            const void *values = kind == FLOE_K_KEY_I32   ? (const void *)keys32
                                 : kind == FLOE_K_KEY_I64 ? (const void *)keys64
                                 : kind == FLOE_K_KEY_I128 ? (const void *)keys128
                                                           : (const void *)refs;
            floe_k_keys absent = {kind, values, heap, NULL};
            tables[v]->ht_find(table, &absent, NULL, NULL, 1, found);
            EXPECT_UEQ(found[0], FLOE_K_NO_GROUP);
            if (kind == FLOE_K_KEY_BYTES) hash0[0] = floe_k_hash_bytes_value(heap, 0, 0);
            tables[v]->ht_find(table, &absent, hash0, NULL, 1, found);
            EXPECT_UEQ(found[0], FLOE_K_NO_GROUP);
            reference_fini(&r);
            floe_k_ht_free(table);
        }
    }
}
END_TEST

START_TEST(string_keys_with_nuls_and_nulls)
{
    const floe_k_dispatch *tables[FLOE_K_ISA_COUNT];
    int n = variants(tables);
    /* "a\0b", "a\0c", "a", "", NULL, "a\0b", "", "a" */
    const unsigned char heap[] = {'a', 0, 'b', 'a', 0, 'c', 'a'};
    floe_string_ref refs[8] = {{0, 3}, {3, 3}, {0, 1}, {0, 0}, {0, 0}, {0, 3}, {5, 0}, {6, 1}};
    uint64_t validity[1] = {~(1ull << 4)};
    uint64_t hashes[8];
    uint32_t ids[8];
    const uint32_t expected[8] = {0, 1, 2, 3, 4, 0, 3, 2};
    for (int v = 0; v < n; v++) {
        tables[v]->hash_string(hashes, refs, heap, validity, NULL, 8, 3, false);
        floe_k_hashtable *table;
        EXPECT_IEQ(floe_k_ht_create(FLOE_K_KEY_BYTES, 0, &table, NULL), FLOE_OK);
        floe_k_keys view = {FLOE_K_KEY_BYTES, refs, heap, validity};
        EXPECT_IEQ(tables[v]->ht_find_or_insert(table, &view, hashes, NULL, 8, ids, NULL),
                         FLOE_OK);
        for (int i = 0; i < 8; i++) EXPECT_UEQ(ids[i], expected[i]);
        uint32_t length;
        const unsigned char *bytes = floe_k_ht_key_bytes(table, 1, &length);
        EXPECT_UEQ(length, 3);
        EXPECT_IEQ(memcmp(bytes, "a\0c", 3), 0);
        EXPECT_UEQ(floe_k_ht_null_group(table), 4);
        /* Many removals and reinsertions of long strings exercise heap compaction. */
        enum { LONG = 400 };
        static unsigned char big_heap[LONG * 64];
        floe_string_ref big_refs[LONG];
        uint64_t big_hashes[LONG];
        uint32_t big_ids[LONG];
        for (int i = 0; i < LONG; i++) {
            memset(big_heap + i * 64, 'x', 64);
            memcpy(big_heap + i * 64, &i, sizeof i);
            big_refs[i] = (floe_string_ref){(uint32_t)(i * 64), 64};
        }
        tables[v]->hash_string(big_hashes, big_refs, big_heap, NULL, NULL, LONG, 3, false);
        floe_k_keys big = {FLOE_K_KEY_BYTES, big_refs, big_heap, NULL};
        for (int round = 0; round < 3; round++) {
            EXPECT_IEQ(
                tables[v]->ht_find_or_insert(table, &big, big_hashes, NULL, LONG, big_ids, NULL),
                FLOE_OK);
            for (int i = 0; i < LONG; i++) EXPECT_UEQ(big_ids[i], (uint32_t)(5 + i));
            for (uint32_t g = 5 + LONG; g-- > 5;) {
                uint32_t moved;
                EXPECT_IEQ(floe_k_ht_remove(table, g, &moved, NULL), FLOE_OK);
            }
        }
        EXPECT_IEQ(tables[v]->ht_find_or_insert(table, &view, hashes, NULL, 8, ids, NULL),
                         FLOE_OK);
        for (int i = 0; i < 8; i++) EXPECT_UEQ(ids[i], expected[i]);
        bytes = floe_k_ht_key_bytes(table, 0, &length);
        EXPECT_UEQ(length, 3);
        EXPECT_IEQ(memcmp(bytes, "a\0b", 3), 0);
        floe_k_ht_free(table);
    }
}
END_TEST

START_TEST(composite_keys_with_null_parts)
{
    /* (a BIGINT, s STRING): rows (1,"x") (NULL,"x") (1,NULL) (NULL,NULL) (1,"x") (NULL,NULL)
     * (NULL,"x") (1,"") — 5 groups; ("", NULL) differs from (NULL, ""). */
    int64_t a[8] = {1, 0, 1, 0, 1, 0, 0, 1};
    uint64_t a_valid[1] = {0x1 | 0x4 | 0x10 | 0x80};
    const unsigned char heap[] = "x";
    floe_string_ref s[8] = {{0, 1}, {0, 1}, {0, 0}, {0, 0}, {0, 1}, {0, 0}, {0, 1}, {0, 0}};
    uint64_t s_valid[1] = {0x1 | 0x2 | 0x10 | 0x40 | 0x80};
    floe_k_keys columns[2] = {{FLOE_K_KEY_I64, a, NULL, a_valid},
                              {FLOE_K_KEY_BYTES, s, heap, s_valid}};
    floe_k_key_buffer buffer = {0};
    floe_string_ref refs[8];
    EXPECT_IEQ(floe_k_key_encode(&buffer, columns, 2, NULL, 8, refs, NULL), FLOE_OK);
    uint64_t hashes[8];
    floe_k_hash_i64(hashes, a, a_valid, NULL, 8, 9);
    floe_k_hash_combine_string(hashes, s, heap, s_valid, NULL, 8);
    const floe_k_dispatch *tables[FLOE_K_ISA_COUNT];
    int n = variants(tables);
    const uint32_t expected[8] = {0, 1, 2, 3, 0, 3, 1, 4};
    for (int v = 0; v < n; v++) {
        floe_k_hashtable *table;
        EXPECT_IEQ(floe_k_ht_create(FLOE_K_KEY_BYTES, 0, &table, NULL), FLOE_OK);
        floe_k_keys view = {FLOE_K_KEY_BYTES, refs, buffer.bytes, NULL};
        uint32_t ids[8];
        EXPECT_IEQ(tables[v]->ht_find_or_insert(table, &view, hashes, NULL, 8, ids, NULL),
                         FLOE_OK);
        for (int i = 0; i < 8; i++) EXPECT_UEQ(ids[i], expected[i]);
        floe_k_ht_free(table);
    }
    /* Injectivity across column boundaries: ("ab","c") != ("a","bc"). */
    const unsigned char text[] = "abcabc";
    floe_string_ref left[2] = {{0, 2}, {3, 1}}, right[2] = {{2, 1}, {4, 2}};
    floe_k_keys pair[2] = {{FLOE_K_KEY_BYTES, left, text, NULL},
                           {FLOE_K_KEY_BYTES, right, text, NULL}};
    EXPECT_IEQ(floe_k_key_encode(&buffer, pair, 2, NULL, 2, refs, NULL), FLOE_OK);
    ck_assert(refs[0].length != refs[1].length ||
              memcmp(buffer.bytes + refs[0].offset, buffer.bytes + refs[1].offset,
                     refs[0].length) != 0);
    floe_k_key_buffer_fini(&buffer);
}
END_TEST

START_TEST(serialization_round_trip)
{
    enum { KEYS = 3000 };
    floe_k_hashtable *table, *copy;
    EXPECT_IEQ(floe_k_ht_create(FLOE_K_KEY_BYTES, 0, &table, NULL), FLOE_OK);
    EXPECT_IEQ(floe_k_ht_create(FLOE_K_KEY_BYTES, 0, &copy, NULL), FLOE_OK);
    static unsigned char heap[KEYS * 8];
    floe_string_ref refs[KEYS];
    uint64_t validity[(KEYS + 63) / 64];
    memset(validity, 0xFF, sizeof validity);
    validity[1] &= ~1ull; /* row 64 NULL */
    for (int i = 0; i < KEYS; i++) {
        int length = snprintf((char *)heap + i * 8, 8, "k%d", i % 2500);
        refs[i] = (floe_string_ref){(uint32_t)(i * 8), (uint32_t)length};
    }
    uint64_t hashes[KEYS];
    uint32_t ids[KEYS], again[KEYS];
    floe_k_hash_string(hashes, refs, heap, validity, NULL, KEYS, 0);
    floe_k_keys view = {FLOE_K_KEY_BYTES, refs, heap, validity};
    EXPECT_IEQ(floe_k_ht_find_or_insert(table, &view, hashes, NULL, KEYS, ids, NULL),
                     FLOE_OK);
    uint32_t moved;
    EXPECT_IEQ(floe_k_ht_remove(table, 7, &moved, NULL), FLOE_OK);
    floe_k_ht_flat flat;
    floe_k_ht_view(table, &flat);
    EXPECT_IEQ(floe_k_ht_load(copy, &flat, NULL), FLOE_OK);
    EXPECT_UEQ(floe_k_ht_group_count(copy), floe_k_ht_group_count(table));
    EXPECT_UEQ(floe_k_ht_null_group(copy), floe_k_ht_null_group(table));
    floe_k_ht_find(table, &view, hashes, NULL, KEYS, ids);
    floe_k_ht_find(copy, &view, hashes, NULL, KEYS, again);
    for (int i = 0; i < KEYS; i++) EXPECT_UEQ(ids[i], again[i]);

    /* Corrupt flat forms. */
    floe_error err;
    floe_string_ref bad_refs[2] = {{0, 2}, {1, 9}};
    uint64_t bad_hashes[2] = {1, 2};
    floe_k_ht_flat bad = {FLOE_K_KEY_BYTES, 2, FLOE_K_NO_GROUP, bad_refs,
                          (const unsigned char *)"abcd", 4, bad_hashes};
    EXPECT_IEQ(floe_k_ht_load(copy, &bad, &err), FLOE_ECORRUPT);
    EXPECT_UEQ(floe_k_ht_group_count(copy), 0);
    bad_refs[1] = (floe_string_ref){2, 2};
    bad.null_group = 2;
    EXPECT_IEQ(floe_k_ht_load(copy, &bad, &err), FLOE_ECORRUPT);
    bad.null_group = FLOE_K_NO_GROUP;
    EXPECT_IEQ(floe_k_ht_load(copy, &bad, &err), FLOE_OK);
    bad_refs[1] = (floe_string_ref){0, 2};
    bad_hashes[1] = 1; /* same key twice */
    EXPECT_IEQ(floe_k_ht_load(copy, &bad, &err), FLOE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "repeats"));
    bad.kind = FLOE_K_KEY_I64;
    EXPECT_IEQ(floe_k_ht_load(copy, &bad, &err), FLOE_EINVAL);
    floe_k_ht_free(table);
    floe_k_ht_free(copy);
}
END_TEST

/* The fused group-by SUM of one ISA (hashtable.h has no dispatch entry for it). */
static floe_k_ht_find_or_insert_sum_f64_fn fused_sum_of(floe_k_isa isa)
{
    switch (isa) {
#if defined(__x86_64__)
    case FLOE_K_ISA_AVX2: return floe_k_ht_find_or_insert_sum_f64_avx2;
#endif
#if defined(__aarch64__)
    case FLOE_K_ISA_NEON: return floe_k_ht_find_or_insert_sum_f64_neon;
#endif
    default: return floe_k_ht_find_or_insert_sum_f64_scalar;
    }
}

/* Keys of every kind from one number, as tables_without_caller_hashes builds them. */
static void fill_keys(floe_k_key_kind kind, const int64_t *numbers, size_t rows, void *values,
                      floe_string_ref *refs, unsigned char *heap)
{
    size_t heap_size = 0;
    for (size_t i = 0; i < rows; i++) {
        int64_t x = numbers[i];
        switch (kind) {
        case FLOE_K_KEY_I32: ((int32_t *)values)[i] = (int32_t)x; break;
        case FLOE_K_KEY_I64: ((int64_t *)values)[i] = x * 0x100000001ll; break;
        case FLOE_K_KEY_I128:
            ((floe_int128 *)values)[i] = (floe_int128)x * ((floe_int128)1 << 70) + (x & 0xFFFF);
            break;
        default: {
            int length = snprintf((char *)heap + heap_size, 12, "k%lld", (long long)x);
            refs[i] = (floe_string_ref){(uint32_t)heap_size, (uint32_t)length};
            heap_size += (size_t)length;
        }
        }
    }
}

/* A size hint whose index comes out between 0.57 and 1.14 times `bytes` (hashtable_int.h: a
 * slot is a control byte and an 8, 16, 32 or 4-byte entry; the index keeps 1/8 of it free and
 * has a power-of-two slot count). */
static size_t hint_for_index_bytes(floe_k_key_kind kind, size_t bytes)
{
    size_t slot_bytes = kind == FLOE_K_KEY_I32    ? 9
                        : kind == FLOE_K_KEY_I64  ? 17
                        : kind == FLOE_K_KEY_I128 ? 33
                                                  : 5;
    return bytes / slot_bytes / 2;
}

START_TEST(group_by_sum_matches_probe_then_sum)
{
    /* floe_k_ht_find_or_insert_sum_f64 of every variant against its definition, the scalar
     * find-or-insert followed by floe_k_agg_sum_f64 on a twin table: the same ids, bitwise the
     * same sums and counts, accumulators past the group count untouched. Every kind; dense
     * batches and batches with a selection, NULL keys, NULL values and weights; with and
     * without caller hashes; with each of the three loops: a small index (sums inside the
     * probe loop), one of about 1.5 MB (one-pass probe, then the sums) and one past every
     * cache (pipelined probe, then the sums). */
    enum { ROWS = 2048, BATCHES = 24, GROUPS = 40000 };
    static int64_t numbers[ROWS], weights[ROWS];
    static floe_int128 values[ROWS]; /* room for any kind */
    static floe_string_ref refs[ROWS];
    static unsigned char heap[ROWS * 12];
    static double amounts[ROWS];
    static uint64_t key_valid[ROWS / 64], amount_valid[ROWS / 64], hashes[ROWS];
    static uint16_t selection[ROWS];
    static uint32_t ids[ROWS], expected_ids[ROWS];
    size_t accumulators = (size_t)ROWS * BATCHES + 1;
    double *sums = calloc(accumulators, sizeof *sums);
    double *expected_sums = calloc(accumulators, sizeof *expected_sums);
    int64_t *counts = calloc(accumulators, sizeof *counts);
    int64_t *expected_counts = calloc(accumulators, sizeof *expected_counts);
    const floe_k_dispatch *scalar;
    ck_assert_int_eq(floe_k_dispatch_for(FLOE_K_ISA_SCALAR, &scalar), FLOE_OK);
    const floe_k_dispatch *tables[FLOE_K_ISA_COUNT];
    int n = variants(tables);
    const floe_k_key_kind kinds[4] = {FLOE_K_KEY_I32, FLOE_K_KEY_I64, FLOE_K_KEY_I128,
                                      FLOE_K_KEY_BYTES};
    for (int v = 0; v < n; v++) {
        floe_k_ht_find_or_insert_sum_f64_fn fused = fused_sum_of(tables[v]->isa);
        for (int config = 0; config < 4 * 3 * 2 * 2; config++) {
            floe_k_key_kind kind = kinds[config % 4];
            int size = (config / 4) % 3;
            size_t hint = size == 0 ? 0 : size == 1 ? hint_for_index_bytes(kind, 1536 * 1024)
                                                    : LARGE_HINT;
            int general = (config / 12) % 2; /* selection, NULLs, weights */
            int with_hashes = (config / 24) % 2;
            floe_k_hashtable *table, *twin;
            EXPECT_IEQ(floe_k_ht_create(kind, hint, &table, NULL), FLOE_OK);
            EXPECT_IEQ(floe_k_ht_create(kind, hint, &twin, NULL), FLOE_OK);
            memset(sums, 0, accumulators * sizeof *sums);
            memset(expected_sums, 0, accumulators * sizeof *expected_sums);
            memset(counts, 0, accumulators * sizeof *counts);
            memset(expected_counts, 0, accumulators * sizeof *expected_counts);
            for (int b = 0; b < BATCHES; b++) {
                for (size_t i = 0; i < ROWS; i++) {
                    numbers[i] = (int64_t)(next_random() % GROUPS) - GROUPS / 3;
                    amounts[i] = (double)(int64_t)(next_random() >> 20) * 0x1p-20 - 1e6;
                    weights[i] = (int64_t)(next_random() % 5) - 2;
                }
                for (size_t w = 0; w < ROWS / 64; w++) {
                    key_valid[w] = ~(next_random() & next_random() & next_random());
                    amount_valid[w] = ~(next_random() & next_random() & next_random());
                }
                fill_keys(kind, numbers, ROWS, values, refs, heap);
                floe_k_keys view = {kind, kind == FLOE_K_KEY_BYTES ? (const void *)refs
                                                                   : (const void *)values,
                                    heap, general ? key_valid : NULL};
                size_t count = ROWS;
                const uint16_t *sel = NULL;
                if (general && b % 3 != 0) {
                    count = 0;
                    for (size_t i = 0; i < ROWS; i++)
                        if (next_random() % 4 != 0) selection[count++] = (uint16_t)i;
                    sel = selection;
                }
                const uint64_t *row_hashes = NULL;
                if (with_hashes) {
                    switch (kind) {
                    case FLOE_K_KEY_I32:
                        floe_k_hash_i32(hashes, (const int32_t *)(const void *)values,
                                        view.validity, NULL, ROWS, 0);
                        break;
                    case FLOE_K_KEY_I64:
                        floe_k_hash_i64(hashes, (const int64_t *)(const void *)values,
                                        view.validity, NULL, ROWS, 0);
                        break;
                    case FLOE_K_KEY_I128:
                        floe_k_hash_i128(hashes, values, view.validity, NULL, ROWS, 0);
                        break;
                    default:
                        floe_k_hash_string(hashes, refs, heap, view.validity, NULL, ROWS, 0);
                        break;
                    }
                    row_hashes = hashes;
                }
                const uint64_t *value_validity = general ? amount_valid : NULL;
                const int64_t *row_weights = general && b % 2 == 0 ? weights : NULL;
                memset(ids, 0xCD, sizeof ids);
                EXPECT_IEQ(fused(table, &view, row_hashes, amounts, value_validity, row_weights,
                                 sel, count, ids, sums, counts, NULL),
                           FLOE_OK);
                EXPECT_IEQ(scalar->ht_find_or_insert(twin, &view, row_hashes, sel, count,
                                                     expected_ids, NULL),
                           FLOE_OK);
                floe_k_agg_sum_f64(expected_sums, expected_counts, expected_ids, amounts,
                                   value_validity, row_weights, sel, count);
                for (size_t i = 0; i < count; i++) {
                    size_t row = sel != NULL ? sel[i] : i;
                    EXPECT_UEQ(ids[row], expected_ids[row]);
                }
            }
            EXPECT_UEQ(floe_k_ht_group_count(table), floe_k_ht_group_count(twin));
            EXPECT_UEQ(floe_k_ht_null_group(table), floe_k_ht_null_group(twin));
            ck_assert_int_eq(memcmp(sums, expected_sums, accumulators * sizeof *sums), 0);
            ck_assert_int_eq(memcmp(counts, expected_counts, accumulators * sizeof *counts), 0);
            floe_k_ht_free(table);
            floe_k_ht_free(twin);
        }
    }
    /* The plain entry point (the ISA in use) and a kind mismatch. */
    floe_k_hashtable *table;
    EXPECT_IEQ(floe_k_ht_create(FLOE_K_KEY_I64, 0, &table, NULL), FLOE_OK);
    int64_t keys[4] = {7, 8, 7, 7};
    double amounts4[4] = {1.5, 2.0, 0.25, 4.0};
    uint32_t ids4[4];
    memset(sums, 0, 8 * sizeof *sums);
    memset(counts, 0, 8 * sizeof *counts);
    floe_k_keys view = {FLOE_K_KEY_I64, keys, NULL, NULL};
    EXPECT_IEQ(floe_k_ht_find_or_insert_sum_f64(table, &view, NULL, amounts4, NULL, NULL, NULL, 4,
                                                ids4, sums, counts, NULL),
               FLOE_OK);
    ck_assert(sums[0] == 5.75 && sums[1] == 2.0 && counts[0] == 3 && counts[1] == 1);
    EXPECT_UEQ(ids4[2], 0);
    floe_k_keys wrong = {FLOE_K_KEY_I32, keys, NULL, NULL};
    floe_error err;
    EXPECT_IEQ(floe_k_ht_find_or_insert_sum_f64(table, &wrong, NULL, amounts4, NULL, NULL, NULL, 4,
                                                ids4, sums, counts, &err),
               FLOE_EINVAL);
    floe_k_ht_free(table);
    free(sums);
    free(expected_sums);
    free(counts);
    free(expected_counts);
}
END_TEST

/* After a failed fused call: the rows before the first row whose key has no group are summed
 * into their groups, nothing else is (amounts are row + 1, so every sum names its rows). */
static void expect_prefix_summed(const floe_k_hashtable *table, const int64_t *keys,
                                 size_t rows, const double *sums, const int64_t *counts,
                                 const double *before_sums, const int64_t *before_counts,
                                 size_t accumulators)
{
    uint32_t *found = malloc(rows * sizeof *found);
    double *want_sums = malloc(accumulators * sizeof *want_sums);
    int64_t *want_counts = malloc(accumulators * sizeof *want_counts);
    memcpy(want_sums, before_sums, accumulators * sizeof *want_sums);
    memcpy(want_counts, before_counts, accumulators * sizeof *want_counts);
    floe_k_keys view = {FLOE_K_KEY_I64, keys, NULL, NULL};
    for (size_t base = 0; base < rows; base += BATCH) {
        size_t count = rows - base < BATCH ? rows - base : BATCH;
        view.values = keys + base;
        floe_k_ht_find(table, &view, NULL, NULL, count, found + base);
    }
    size_t prefix = 0;
    while (prefix < rows && found[prefix] != FLOE_K_NO_GROUP) prefix++;
    ck_assert_uint_lt(prefix, rows); /* the call failed, so some row has no group */
    for (size_t row = 0; row < prefix; row++) {
        want_sums[found[row]] += (double)(row + 1);
        want_counts[found[row]] += 1;
    }
    ck_assert_int_eq(memcmp(sums, want_sums, accumulators * sizeof *sums), 0);
    ck_assert_int_eq(memcmp(counts, want_counts, accumulators * sizeof *counts), 0);
    free(found);
    free(want_sums);
    free(want_counts);
}

START_TEST(group_by_sum_allocation_failures)
{
    /* Small index (the fused loop): every allocation budget through creation and a 5000-row
     * batch of 3000 keys. */
    enum { KEYS = 5000 };
    static int64_t keys[KEYS];
    static double amounts[KEYS];
    static uint32_t ids[KEYS];
    static double sums[KEYS + 1], zero_sums[KEYS + 1];
    static int64_t counts[KEYS + 1], zero_counts[KEYS + 1];
    for (int i = 0; i < KEYS; i++) {
        keys[i] = (i * 7919) % 3000;
        amounts[i] = (double)(i + 1);
    }
    floe_k_keys view = {FLOE_K_KEY_I64, keys, NULL, NULL};
    const floe_k_dispatch *tables[FLOE_K_ISA_COUNT];
    int n = variants(tables);
    for (int v = 0; v < n; v++) {
        int saw_failure = 0, saw_success = 0;
        for (long budget = 0; budget < 40; budget++) {
            memset(sums, 0, sizeof sums);
            memset(counts, 0, sizeof counts);
            floe_set_allocation_failure_after(budget);
            floe_k_hashtable *table = NULL;
            floe_error err;
            int status = floe_k_ht_create(FLOE_K_KEY_I64, 0, &table, &err);
            if (status == FLOE_OK)
                status = fused_sum_of(tables[v]->isa)(table, &view, NULL, amounts, NULL, NULL,
                                                      NULL, KEYS, ids, sums, counts, &err);
            floe_set_allocation_failure_after(-1);
            if (status == FLOE_OK) {
                saw_success = 1;
                EXPECT_UEQ(floe_k_ht_group_count(table), 3000);
            } else {
                EXPECT_IEQ(status, FLOE_ENOMEM);
                saw_failure = 1;
                if (table != NULL)
                    expect_prefix_summed(table, keys, KEYS, sums, counts, zero_sums, zero_counts,
                                         KEYS + 1);
            }
            floe_k_ht_free(table);
        }
        ck_assert(saw_failure && saw_success);
    }
}
END_TEST

START_TEST(group_by_sum_failure_in_a_large_index)
{
    /* A large index (the probe-then-sum path) filled to its last free slot, then a batch of new
     * keys whose growth cannot allocate: the rows before the failing one are summed. */
    enum { FILL = 229000, MORE = 2 * BATCH };
    size_t rows = FILL + MORE;
    int64_t *keys = malloc(rows * sizeof *keys);
    double *amounts = malloc(rows * sizeof *amounts);
    double *sums = calloc(rows + 1, sizeof *sums), *before_sums = malloc((rows + 1) * 8);
    int64_t *counts = calloc(rows + 1, sizeof *counts), *before_counts = malloc((rows + 1) * 8);
    uint32_t ids[BATCH];
    for (size_t i = 0; i < rows; i++) {
        keys[i] = (int64_t)(i * 2654435761u);
        amounts[i] = (double)(i + 1);
    }
    const floe_k_dispatch *tables[FLOE_K_ISA_COUNT];
    int n = variants(tables);
    for (int v = 0; v < n; v++) {
        floe_k_ht_find_or_insert_sum_f64_fn fused = fused_sum_of(tables[v]->isa);
        memset(sums, 0, (rows + 1) * sizeof *sums);
        memset(counts, 0, (rows + 1) * sizeof *counts);
        floe_k_hashtable *table;
        /* 200k groups: 256Ki slots (room for 229376 keys), 4.4 MB of index. */
        EXPECT_IEQ(floe_k_ht_create(FLOE_K_KEY_I64, 200000, &table, NULL), FLOE_OK);
        size_t capacity = floe_k_ht_capacity(table);
        floe_k_keys view = {FLOE_K_KEY_I64, keys, NULL, NULL};
        for (size_t base = 0; base < FILL; base += BATCH) {
            size_t count = FILL - base < BATCH ? FILL - base : BATCH;
            view.values = keys + base;
            EXPECT_IEQ(fused(table, &view, NULL, amounts + base, NULL, NULL, NULL, count, ids,
                             sums, counts, NULL),
                       FLOE_OK);
        }
        EXPECT_UEQ(floe_k_ht_capacity(table), capacity);
        memcpy(before_sums, sums, (rows + 1) * sizeof *sums);
        memcpy(before_counts, counts, (rows + 1) * sizeof *counts);
        /* The failing call's amounts are its own row numbers + 1, so give it a view of them. */
        double *tail_amounts = malloc(MORE * sizeof *tail_amounts);
        for (size_t i = 0; i < MORE; i++) tail_amounts[i] = (double)(i + 1);
        floe_error err;
        floe_set_allocation_failure_after(0);
        view.values = keys + FILL;
        int status = fused(table, &view, NULL, tail_amounts, NULL, NULL, NULL, BATCH, ids, sums,
                           counts, &err);
        floe_set_allocation_failure_after(-1);
        EXPECT_IEQ(status, FLOE_ENOMEM);
        EXPECT_UEQ(floe_k_ht_capacity(table), capacity);
        expect_prefix_summed(table, keys + FILL, BATCH, sums, counts, before_sums, before_counts,
                             rows + 1);
        free(tail_amounts);
        floe_k_ht_free(table);
    }
    free(keys);
    free(amounts);
    free(sums);
    free(before_sums);
    free(counts);
    free(before_counts);
}
END_TEST

START_TEST(allocation_failures)
{
    enum { KEYS = 5000 };
    static int64_t keys[KEYS];
    static uint64_t hashes[KEYS];
    static uint32_t ids[KEYS];
    for (int i = 0; i < KEYS; i++) keys[i] = i;
    floe_k_hash_i64(hashes, keys, NULL, NULL, KEYS, 0);
    floe_k_keys view = {FLOE_K_KEY_I64, keys, NULL, NULL};
    int saw_failure = 0, saw_success = 0;
    for (long budget = 0; budget < 40; budget++) {
        floe_set_allocation_failure_after(budget);
        floe_k_hashtable *table = NULL;
        floe_error err;
        int status = floe_k_ht_create(FLOE_K_KEY_I64, 0, &table, &err);
        if (status == FLOE_OK)
            status = floe_k_ht_find_or_insert(table, &view, hashes, NULL, KEYS, ids, &err);
        floe_set_allocation_failure_after(-1);
        if (status == FLOE_OK) {
            saw_success = 1;
            for (int i = 0; i < KEYS; i++) EXPECT_UEQ(ids[i], (uint32_t)i);
        } else {
            EXPECT_IEQ(status, FLOE_ENOMEM);
            saw_failure = 1;
            /* Still consistent: the groups it has are findable and complete. */
            if (table != NULL) {
                floe_k_ht_find(table, &view, hashes, NULL, KEYS, ids);
                for (uint32_t i = 0; i < floe_k_ht_group_count(table); i++)
                    EXPECT_UEQ(ids[i], i);
            }
        }
        floe_k_ht_free(table);
    }
    ck_assert(saw_failure && saw_success);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("hashtable");
    TCase *cases = tcase_create("hashtable");
    tcase_set_timeout(cases, 300);
    tcase_add_test(cases, matchers_agree_with_byte_loop);
    tcase_add_test(cases, random_int64_keys_every_variant);
    tcase_add_test(cases, empty_and_one_row);
    tcase_add_test(cases, colliding_hashes);
    tcase_add_test(cases, colliding_string_hashes_small_and_large_index);
    tcase_add_test(cases, growth_through_many_resizes);
    tcase_add_test(cases, removal_keeps_ids_dense);
    tcase_add_test(cases, other_fixed_kinds);
    tcase_add_test(cases, tables_without_caller_hashes);
    tcase_add_test(cases, string_keys_with_nuls_and_nulls);
    tcase_add_test(cases, composite_keys_with_null_parts);
    tcase_add_test(cases, serialization_round_trip);
    tcase_add_test(cases, allocation_failures);
    tcase_add_test(cases, group_by_sum_matches_probe_then_sum);
    tcase_add_test(cases, group_by_sum_allocation_failures);
    tcase_add_test(cases, group_by_sum_failure_in_a_large_index);
    suite_add_tcase(suite, cases);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
