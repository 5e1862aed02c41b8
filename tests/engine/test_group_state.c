/*
 * test_group_state.c — the key cache of group_state.c (string and composite keys packed and looked
 * up before the hash table) against a naive count per key: strings of every length from 0 to past
 * the packed limit, NULL keys (their dictionary codes garbage), dictionary and flat vectors,
 * selections, retractions that remove groups (the cache goes stale) and more groups than cache
 * slots (conflicts, then the cache turning itself off). And the fused SUM(double) path against
 * the separate passes. And GROUP BY a small dictionary (the direct code map, the few-groups
 * COUNT(*) and SUM(BIGINT) kernels) against naive sums, mixed with batches that take the general
 * paths (NULL keys, selections, retractions, more codes than the direct map holds). And the
 * two-step merge of incremental maintenance (reserve, map_groups, merge_mapped) against merge,
 * and emit_flat against emit_groups.
 */
#include "engine/group_state.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DATE_SPREAD = 13 };
#define NULL_KEY UINT32_C(0xFFFFFFFF)

/* Key `id` as a string: its decimal digits padded with '.' to a length that cycles 0..20. */
static uint32_t key_text(uint32_t id, char *out)
{
    int digits = snprintf(out, 32, "%u", id);
    uint32_t length = id % 21 > (uint32_t)digits ? id % 21 : (uint32_t)digits;
    for (uint32_t i = (uint32_t)digits; i < length; i++) out[i] = '.';
    return length;
}

typedef struct fixture {
    bool composite;   /* (DATE id % 13, STRING id / 13) instead of STRING id */
    bool dictionary;  /* string keys as DICTIONARY vectors */
    uint32_t key_space;
    bool no_nulls;    /* no NULL keys (a dictionary key then takes the direct code map) */
} fixture;

/* Fills one batch of `count` rows of key ids (NULL_KEY: NULL string part) into the vectors; a
 * DICTIONARY text vector's codes are the string ids (`dictionary` holds every key's string). */
static void fill_keys(const fixture *f, const uint32_t *ids, uint32_t count, floe_vector *date,
                      floe_vector *text, const floe_vector *dictionary)
{
    floe_vector_reset(date);
    floe_vector_reset(text);
    uint32_t *codes = malloc(count * sizeof *codes);
    ck_assert_ptr_nonnull(codes);
    for (uint32_t r = 0; r < count; r++) {
        char buffer[32];
        uint32_t string_id = f->composite && ids[r] != NULL_KEY ? ids[r] / DATE_SPREAD : ids[r];
        ((int32_t *)date->data)[r] = ids[r] == NULL_KEY ? 5 : (int32_t)(ids[r] % DATE_SPREAD);
        if (ids[r] == NULL_KEY) {
            floe_vector_set_null(text, r);
            codes[r] = 0xDEADBEEFu; /* never to be followed */
            continue;
        }
        uint32_t length = key_text(string_id, buffer);
        ck_assert_int_eq(floe_vector_set_string(text, r, buffer, length, NULL), FLOE_OK);
        codes[r] = string_id;
    }
    if (f->dictionary) {
        memcpy(text->data, codes, count * sizeof *codes);
        text->encoding = FLOE_VECTOR_DICTIONARY;
        text->dictionary = dictionary;
    }
    free(codes);
}

/* Compares every emitted group's row count with the naive counts (index key_space: NULL). */
static void check_counts(floe_eng_group_state *state, const fixture *f, const int64_t *expected)
{
    uint32_t column_count = floe_eng_group_state_column_count(state);
    floe_batch out;
    ck_assert_int_eq(floe_batch_init(&out, column_count, floe_eng_group_state_column_types(state),
                                     NULL),
                     FLOE_OK);
    int64_t *seen = calloc(f->key_space + 1, sizeof *seen);
    ck_assert_ptr_nonnull(seen);
    uint32_t cursor = 0;
    floe_error err;
    for (;;) {
        ck_assert_int_eq(floe_eng_group_state_emit(state, &cursor, &out, &err), FLOE_OK);
        if (out.row_count == 0) break;
        const floe_vector *text = &out.columns[f->composite ? 1 : 0];
        for (uint32_t r = 0; r < out.row_count; r++) {
            uint32_t id = f->key_space;
            if (!floe_vector_is_null(text, r)) {
                uint32_t length;
                const unsigned char *bytes = floe_vector_string(text, r, &length);
                char buffer[32] = {0};
                memcpy(buffer, bytes, length);
                id = (uint32_t)strtoul(buffer, NULL, 10);
                if (f->composite)
                    id = id * DATE_SPREAD + (uint32_t)((const int32_t *)out.columns[0].data)[r];
                char again[32];
                ck_assert_uint_eq(key_text(f->composite ? id / DATE_SPREAD : id, again), length);
            }
            ck_assert_uint_le(id, f->key_space);
            ck_assert_int_eq(seen[id], 0);
            seen[id] = ((const int64_t *)out.columns[column_count - 1].data)[r];
        }
    }
    for (uint32_t id = 0; id <= f->key_space; id++)
        ck_assert_msg(seen[id] == (expected[id] > 0 ? expected[id] : 0),
                      "key %u: %lld rows, expected %lld", id, (long long)seen[id],
                      (long long)expected[id]);
    free(seen);
    floe_batch_fini(&out);
}

static void run(const fixture *f)
{
    floe_type key_types[2] = {floe_type_make(FLOE_TYPE_DATE), floe_type_make(FLOE_TYPE_STRING)};
    const floe_type *types = f->composite ? key_types : key_types + 1;
    uint32_t key_count = f->composite ? 2 : 1;
    floe_eng_aggregate_spec count_star = {FLOE_SQL_AGGREGATE_COUNT_STAR, false, {0, 0, 0}};
    floe_eng_group_state *state = NULL;
    floe_error err;
    ck_assert_int_eq(floe_eng_group_state_create(types, key_count, &count_star, 1, NULL, &state,
                                                 &err),
                     FLOE_OK);
    floe_vector date, text, dictionary;
    ck_assert_int_eq(floe_vector_init(&date, key_types[0], FLOE_BATCH_CAPACITY, NULL), FLOE_OK);
    ck_assert_int_eq(floe_vector_init(&text, key_types[1], FLOE_BATCH_CAPACITY, NULL), FLOE_OK);
    ck_assert_int_eq(floe_vector_init(&dictionary, key_types[1], f->key_space, NULL), FLOE_OK);
    for (uint32_t id = 0; id < f->key_space; id++) {
        char buffer[32];
        uint32_t length = key_text(id, buffer);
        ck_assert_int_eq(floe_vector_set_string(&dictionary, id, buffer, length, NULL), FLOE_OK);
    }
    int64_t *expected = calloc(f->key_space + 1, sizeof *expected);
    uint32_t *ids = malloc(FLOE_BATCH_CAPACITY * sizeof *ids);
    uint16_t *selection = malloc(FLOE_BATCH_CAPACITY * sizeof *selection);
    int64_t *weights = malloc(FLOE_BATCH_CAPACITY * sizeof *weights);
    ck_assert(expected != NULL && ids != NULL && selection != NULL && weights != NULL);
    srand(7);
    for (uint32_t batch = 0; batch < 60; batch++) {
        uint32_t count = FLOE_BATCH_CAPACITY;
        for (uint32_t r = 0; r < count; r++)
            ids[r] = !f->no_nulls && rand() % 50 == 0 ? NULL_KEY : (uint32_t)rand() % f->key_space;
        fill_keys(f, ids, count, &date, &text, &dictionary);
        uint32_t selected = 0;
        for (uint32_t r = 0; r < count; r++)
            if (batch % 3 != 1 || r % 3 != 0) selection[selected++] = (uint16_t)r;
        /* every fourth batch retracts what it names (groups disappear), the others insert */
        int64_t weight = batch % 4 == 3 ? -1 : 1;
        for (uint32_t r = 0; r < count; r++) weights[r] = weight;
        for (uint32_t i = 0; i < selected; i++) {
            uint32_t id = ids[selection[i]];
            int64_t *slot = &expected[id == NULL_KEY ? f->key_space : id];
            if (weight < 0 && *slot <= 0) weights[selection[i]] = 0; /* keep counts >= 0 */
            *slot += weights[selection[i]];
        }
        const floe_vector *keys[2] = {f->composite ? &date : &text, &text};
        const floe_vector *arguments[1] = {NULL};
        ck_assert_msg(floe_eng_group_state_update(state, keys, arguments, weights,
                                                  batch % 3 == 1 ? selection : NULL,
                                                  batch % 3 == 1 ? selected : count, &err) ==
                          FLOE_OK,
                      "%s", err.message);
        if (batch % 10 == 9) check_counts(state, f, expected);
    }
    check_counts(state, f, expected);
    free(expected);
    free(ids);
    free(selection);
    free(weights);
    floe_vector_fini(&date);
    floe_vector_fini(&text);
    floe_vector_fini(&dictionary);
    floe_eng_group_state_free(state);
}

static const fixture fixtures[] = {
    {false, false, 60, false},    {false, true, 60, false},    {true, false, 300, false},
    {true, true, 300, false},     {false, false, 20000, false}, {false, true, 20000, false},
    {true, true, 20000, false},   {false, true, 60, true},     {false, true, 4000, true},
    {false, true, 20000, true},
};

START_TEST(cached_keys_match_naive_counts)
{
    run(&fixtures[_i]);
}
END_TEST

/* COUNT(*), SUM(double) over one BIGINT key goes through the fused find-or-insert + SUM kernel;
 * adding a COUNT(x) call takes the separate passes. Both must emit the same rows, bit for bit:
 * NULL keys and values, selections, weights, and enough groups to grow the table mid-batch. */
START_TEST(fused_sum_equals_separate_passes)
{
    floe_type key_type = floe_type_make(FLOE_TYPE_INT64);
    floe_type value_type = floe_type_make(FLOE_TYPE_FLOAT64);
    floe_eng_aggregate_spec specs[3] = {{FLOE_SQL_AGGREGATE_COUNT_STAR, false, {0, 0, 0}},
                                        {FLOE_SQL_AGGREGATE_SUM, false, value_type},
                                        {FLOE_SQL_AGGREGATE_COUNT, false, value_type}};
    floe_eng_group_state *fused = NULL, *separate = NULL;
    floe_error err;
    ck_assert_int_eq(floe_eng_group_state_create(&key_type, 1, specs, 2, NULL, &fused, &err),
                     FLOE_OK);
    ck_assert_int_eq(floe_eng_group_state_create(&key_type, 1, specs, 3, NULL, &separate, &err),
                     FLOE_OK);
    floe_vector key, value;
    ck_assert_int_eq(floe_vector_init(&key, key_type, FLOE_BATCH_CAPACITY, NULL), FLOE_OK);
    ck_assert_int_eq(floe_vector_init(&value, value_type, FLOE_BATCH_CAPACITY, NULL), FLOE_OK);
    uint16_t selection[FLOE_BATCH_CAPACITY];
    int64_t weights[FLOE_BATCH_CAPACITY];
    srand(11);
    for (uint32_t batch = 0; batch < 40; batch++) {
        floe_vector_reset(&key);
        floe_vector_reset(&value);
        uint32_t selected = 0;
        for (uint32_t r = 0; r < FLOE_BATCH_CAPACITY; r++) {
            ((int64_t *)key.data)[r] = (int64_t)(rand() % (batch < 20 ? 50 : 30000)) - 7;
            ((double *)value.data)[r] = (double)(rand() % 1000) / 7.0;
            if (rand() % 40 == 0) floe_vector_set_null(&key, r);
            if (rand() % 30 == 0) floe_vector_set_null(&value, r);
            weights[r] = rand() % 5 == 0 ? -1 : 2;
            if (r % 4 != 1) selection[selected++] = (uint16_t)r;
        }
        const floe_vector *keys[1] = {&key};
        const floe_vector *arguments[3] = {NULL, &value, &value};
        const uint16_t *rows = batch % 2 ? selection : NULL;
        uint32_t count = batch % 2 ? selected : FLOE_BATCH_CAPACITY;
        const int64_t *row_weights = batch % 3 == 2 ? weights : NULL;
        ck_assert_int_eq(floe_eng_group_state_update(fused, keys, arguments, row_weights, rows,
                                                     count, &err),
                         FLOE_OK);
        ck_assert_int_eq(floe_eng_group_state_update(separate, keys, arguments, row_weights,
                                                     rows, count, &err),
                         FLOE_OK);
    }
    ck_assert_uint_eq(floe_eng_group_state_group_count(fused),
                      floe_eng_group_state_group_count(separate));
    floe_batch out_fused, out_separate;
    ck_assert_int_eq(floe_batch_init(&out_fused, 3, floe_eng_group_state_column_types(fused), NULL),
                     FLOE_OK);
    ck_assert_int_eq(floe_batch_init(&out_separate, 4,
                                     floe_eng_group_state_column_types(separate), NULL),
                     FLOE_OK);
    uint32_t cursor_fused = 0, cursor_separate = 0, rows_seen = 0;
    for (;;) {
        ck_assert_int_eq(floe_eng_group_state_emit(fused, &cursor_fused, &out_fused, &err), FLOE_OK);
        ck_assert_int_eq(floe_eng_group_state_emit(separate, &cursor_separate, &out_separate, &err),
                         FLOE_OK);
        ck_assert_uint_eq(out_fused.row_count, out_separate.row_count);
        if (out_fused.row_count == 0) break;
        for (uint32_t r = 0; r < out_fused.row_count; r++) {
            for (uint32_t c = 0; c < 3; c++) {
                ck_assert(floe_vector_is_null(&out_fused.columns[c], r) ==
                          floe_vector_is_null(&out_separate.columns[c], r));
                if (floe_vector_is_null(&out_fused.columns[c], r)) continue;
                ck_assert(memcmp((const char *)out_fused.columns[c].data + 8 * r,
                                 (const char *)out_separate.columns[c].data + 8 * r, 8) == 0);
            }
        }
        rows_seen += out_fused.row_count;
    }
    ck_assert_uint_gt(rows_seen, 15000);
    floe_batch_fini(&out_fused);
    floe_batch_fini(&out_separate);
    floe_vector_fini(&key);
    floe_vector_fini(&value);
    floe_eng_group_state_free(fused);
    floe_eng_group_state_free(separate);
}
END_TEST

/* SELECT region, COUNT(*), SUM(amount) over a dictionary of 8 strings: the direct code map and
 * the few-groups kernels, interleaved with batches that must take the general paths (a NULL key,
 * a selection, retractions, NULL amounts), against naive sums per key; amounts near INT64_MAX
 * make the int64 partials overflow, so the exact fallback runs too. */
START_TEST(small_dictionary_sums_match_naive)
{
    enum { KEYS = 8 };
    floe_type key_type = floe_type_make(FLOE_TYPE_STRING);
    floe_type amount_type = floe_type_make(FLOE_TYPE_INT64);
    floe_eng_aggregate_spec specs[2] = {{FLOE_SQL_AGGREGATE_COUNT_STAR, false, {0, 0, 0}},
                                        {FLOE_SQL_AGGREGATE_SUM, false, amount_type}};
    floe_eng_group_state *state = NULL;
    floe_error err;
    ck_assert_int_eq(floe_eng_group_state_create(&key_type, 1, specs, 2, NULL, &state, &err),
                     FLOE_OK);
    floe_vector dictionary, key, amount;
    ck_assert_int_eq(floe_vector_init(&dictionary, key_type, KEYS, NULL), FLOE_OK);
    ck_assert_int_eq(floe_vector_init(&key, key_type, FLOE_BATCH_CAPACITY, NULL), FLOE_OK);
    ck_assert_int_eq(floe_vector_init(&amount, amount_type, FLOE_BATCH_CAPACITY, NULL), FLOE_OK);
    for (uint32_t k = 0; k < KEYS; k++) {
        char name[16];
        int length = snprintf(name, sizeof name, "region-%u", k);
        ck_assert_int_eq(floe_vector_set_string(&dictionary, k, name, (uint32_t)length, NULL),
                         FLOE_OK);
    }
    floe_int128 expected_sum[KEYS + 1] = {0}; /* index KEYS: the NULL key */
    int64_t expected_rows[KEYS + 1] = {0}, expected_non_null[KEYS + 1] = {0};
    uint16_t selection[FLOE_BATCH_CAPACITY];
    int64_t weights[FLOE_BATCH_CAPACITY];
    srand(23);
    for (uint32_t batch = 0; batch < 48; batch++) {
        floe_vector_reset(&key);
        floe_vector_reset(&amount);
        uint32_t count = FLOE_BATCH_CAPACITY - (batch % 5) * 7; /* every length mod 4 */
        /* batch % 6: 0-2 plain inserts (the fast paths), 3 a NULL key, 4 a selection, 5 a
         * retraction of +1 rows with NULL amounts; only codes 1..5 in odd batches (not every
         * code up to the largest appears) */
        bool huge = batch % 8 == 7;
        uint32_t selected = 0;
        uint32_t *codes = key.data;
        for (uint32_t r = 0; r < count; r++) {
            codes[r] = batch % 2 ? 1 + (uint32_t)rand() % 5 : (uint32_t)rand() % KEYS;
            ((int64_t *)amount.data)[r] = huge ? INT64_MAX - rand() % 1000
                                               : (int64_t)(rand() % 400000) - 1000;
            if (batch % 6 == 5 && r % 9 == 0) floe_vector_set_null(&amount, r);
            if (r % 3 != 0) selection[selected++] = (uint16_t)r;
            weights[r] = batch % 6 == 5 ? -1 : 1;
        }
        if (batch % 6 == 3) {
            floe_vector_set_null(&key, 17);
            codes[17] = 0xDEADBEEFu; /* never to be followed */
        }
        key.encoding = FLOE_VECTOR_DICTIONARY;
        key.dictionary = &dictionary;
        const uint16_t *rows = batch % 6 == 4 ? selection : NULL;
        uint32_t live = rows != NULL ? selected : count;
        const int64_t *row_weights = batch % 6 == 5 ? weights : NULL;
        for (uint32_t i = 0; i < live; i++) {
            uint32_t r = rows != NULL ? rows[i] : i;
            uint32_t k = floe_vector_is_null(&key, r) ? KEYS : codes[r];
            int64_t w = row_weights != NULL ? row_weights[r] : 1;
            expected_rows[k] += w;
            if (floe_vector_is_null(&amount, r)) continue;
            expected_non_null[k] += w;
            expected_sum[k] += (floe_int128)((const int64_t *)amount.data)[r] * w;
        }
        const floe_vector *keys[1] = {&key};
        const floe_vector *arguments[2] = {NULL, &amount};
        ck_assert_msg(floe_eng_group_state_update(state, keys, arguments, row_weights, rows, live,
                                                  &err) == FLOE_OK,
                      "%s", err.message);
    }
    floe_batch out;
    ck_assert_int_eq(floe_batch_init(&out, 3, floe_eng_group_state_column_types(state), NULL),
                     FLOE_OK);
    uint32_t cursor = 0, groups = 0;
    for (;;) {
        ck_assert_int_eq(floe_eng_group_state_emit(state, &cursor, &out, &err), FLOE_OK);
        if (out.row_count == 0) break;
        for (uint32_t r = 0; r < out.row_count; r++, groups++) {
            uint32_t k = KEYS;
            if (!floe_vector_is_null(&out.columns[0], r)) {
                uint32_t length;
                const unsigned char *bytes = floe_vector_string(&out.columns[0], r, &length);
                ck_assert_uint_gt(length, 7);
                k = (uint32_t)(bytes[7] - '0');
            }
            ck_assert_uint_le(k, KEYS);
            ck_assert_int_eq(((const int64_t *)out.columns[1].data)[r], expected_rows[k]);
            /* SUM is DECIMAL(38,0) over BIGINT, or NULL without a non-NULL amount */
            ck_assert(floe_vector_is_null(&out.columns[2], r) == (expected_non_null[k] == 0));
            if (expected_non_null[k] == 0) continue;
            ck_assert_msg(((const floe_int128 *)out.columns[2].data)[r] == expected_sum[k],
                          "key %u: wrong sum", k);
        }
    }
    ck_assert_uint_eq(groups, KEYS + 1);
    floe_batch_fini(&out);
    floe_vector_fini(&dictionary);
    floe_vector_fini(&key);
    floe_vector_fini(&amount);
    floe_eng_group_state_free(state);
}
END_TEST

/* The state's rows (key, COUNT(*), SUM, MIN as int64; the sum's int128 narrowed), indexed by key
 * in [0, key_space); rows[key * 4] == 0 when the key has no emitted row. */
static void rows_by_key(floe_eng_group_state *state, uint32_t key_space, int64_t *rows)
{
    memset(rows, 0, (size_t)key_space * 4 * sizeof *rows);
    floe_batch out;
    ck_assert_int_eq(floe_batch_init(&out, 4, floe_eng_group_state_column_types(state), NULL),
                     FLOE_OK);
    uint32_t cursor = 0;
    floe_error err;
    for (;;) {
        ck_assert_int_eq(floe_eng_group_state_emit(state, &cursor, &out, &err), FLOE_OK);
        if (out.row_count == 0) break;
        for (uint32_t r = 0; r < out.row_count; r++) {
            int64_t key = ((const int64_t *)out.columns[0].data)[r];
            ck_assert(key >= 0 && key < (int64_t)key_space);
            int64_t *row = &rows[key * 4];
            ck_assert_int_eq(row[0], 0);
            row[0] = ((const int64_t *)out.columns[1].data)[r];
            row[1] = (int64_t)((const floe_int128 *)out.columns[2].data)[r];
            row[2] = floe_vector_is_null(&out.columns[3], r)
                         ? INT64_MIN
                         : ((const int64_t *)out.columns[3].data)[r];
            row[3] = 1;
        }
    }
    floe_batch_fini(&out);
}

/* Folds keys [first, last) with values key * multiplier and `weight` into state. */
static void fold_range(floe_eng_group_state *state, int64_t first, int64_t last,
                       int64_t multiplier, int64_t weight)
{
    floe_type type = floe_type_make(FLOE_TYPE_INT64);
    floe_vector key, value;
    ck_assert_int_eq(floe_vector_init(&key, type, FLOE_BATCH_CAPACITY, NULL), FLOE_OK);
    ck_assert_int_eq(floe_vector_init(&value, type, FLOE_BATCH_CAPACITY, NULL), FLOE_OK);
    int64_t weights[FLOE_BATCH_CAPACITY];
    floe_error err;
    for (int64_t start = first; start < last; start += FLOE_BATCH_CAPACITY) {
        uint32_t count = (uint32_t)(last - start < FLOE_BATCH_CAPACITY ? last - start
                                                                      : FLOE_BATCH_CAPACITY);
        for (uint32_t r = 0; r < count; r++) {
            ((int64_t *)key.data)[r] = start + r;
            ((int64_t *)value.data)[r] = (start + r) * multiplier;
            weights[r] = weight;
        }
        const floe_vector *keys[1] = {&key};
        const floe_vector *arguments[3] = {NULL, &value, &value};
        ck_assert_msg(floe_eng_group_state_update(state, keys, arguments, weights, NULL, count,
                                                  &err) == FLOE_OK,
                      "%s", err.message);
    }
    floe_vector_fini(&key);
    floe_vector_fini(&value);
}

/* Incremental maintenance's merge in two steps: a state imported after reserve (a presized
 * table), map_groups naming the existing groups of D's keys (as find_groups does) and creating
 * the others empty, merge_mapped adding D there without removing any group, then
 * remove_empty_groups: the same rows as floe_eng_group_state_merge of the same D into the same
 * import. D retracts 1000 groups entirely, changes 4000 and brings 5000 new ones. */
START_TEST(map_then_merge_mapped_equals_merge)
{
    enum { OLD = 20000, KEY_SPACE = 25000 };
    floe_type type = floe_type_make(FLOE_TYPE_INT64);
    floe_eng_aggregate_spec specs[3] = {{FLOE_SQL_AGGREGATE_COUNT_STAR, false, {0, 0, 0}},
                                        {FLOE_SQL_AGGREGATE_SUM, false, type},
                                        {FLOE_SQL_AGGREGATE_MIN, false, type}};
    floe_eng_group_state *old = NULL, *delta = NULL, *mapped = NULL, *merged = NULL;
    floe_error err;
    ck_assert_int_eq(floe_eng_group_state_create(&type, 1, specs, 3, NULL, &old, &err), FLOE_OK);
    ck_assert_int_eq(floe_eng_group_state_create(&type, 1, specs, 3, NULL, &delta, &err), FLOE_OK);
    ck_assert_int_eq(floe_eng_group_state_create(&type, 1, specs, 3, NULL, &mapped, &err),
                     FLOE_OK);
    ck_assert_int_eq(floe_eng_group_state_create(&type, 1, specs, 3, NULL, &merged, &err),
                     FLOE_OK);
    fold_range(old, 0, OLD, 1, 1);
    fold_range(delta, 15000, 16000, 1, -1); /* those groups vanish */
    fold_range(delta, 16000, KEY_SPACE, 3, 1);
    floe_eng_group_state_flat flat;
    ck_assert_int_eq(floe_eng_group_state_export(old, &flat, &err), FLOE_OK);
    ck_assert_int_eq(floe_eng_group_state_reserve(mapped, OLD + 10000, &err), FLOE_OK);
    ck_assert_msg(floe_eng_group_state_import(mapped, &flat, &err) == FLOE_OK, "%s", err.message);
    ck_assert_int_eq(floe_eng_group_state_import(merged, &flat, &err), FLOE_OK);
    floe_eng_group_state_flat_fini(&flat);
    ck_assert_uint_eq(floe_eng_group_state_group_count(mapped), OLD);

    uint32_t delta_groups = floe_eng_group_state_group_count(delta);
    ck_assert_uint_eq(delta_groups, KEY_SPACE - 15000);
    uint32_t *groups = malloc(delta_groups * sizeof *groups);
    ck_assert_ptr_nonnull(groups);
    ck_assert_int_eq(floe_eng_group_state_map_groups(mapped, delta, groups, &err), FLOE_OK);
    ck_assert_uint_eq(floe_eng_group_state_group_count(mapped), KEY_SPACE);
    /* Each of D's groups: its key found where find_groups finds it; new keys empty. */
    floe_batch keys_out;
    ck_assert_int_eq(floe_batch_init(&keys_out, 4, floe_eng_group_state_column_types(delta),
                                     NULL),
                     FLOE_OK);
    for (uint32_t start = 0; start < delta_groups; start += FLOE_BATCH_CAPACITY) {
        uint32_t count = delta_groups - start < FLOE_BATCH_CAPACITY ? delta_groups - start
                                                                    : FLOE_BATCH_CAPACITY;
        uint32_t ids[FLOE_BATCH_CAPACITY], found[FLOE_BATCH_CAPACITY];
        for (uint32_t i = 0; i < count; i++) ids[i] = start + i;
        ck_assert_int_eq(floe_eng_group_state_emit_groups(delta, ids, count, &keys_out, &err),
                         FLOE_OK);
        const floe_vector *keys[1] = {&keys_out.columns[0]};
        ck_assert_int_eq(floe_eng_group_state_find_groups(mapped, keys, count, found, NULL,
                                                          &err),
                         FLOE_OK);
        const int64_t *row_counts = floe_eng_group_state_row_counts(mapped);
        for (uint32_t i = 0; i < count; i++) {
            int64_t key = ((const int64_t *)keys_out.columns[0].data)[i];
            uint32_t group = groups[start + i];
            ck_assert_uint_eq(found[i], group);
            ck_assert_msg((key < OLD) == (group < OLD), "key %lld in group %u", (long long)key,
                          group);
            ck_assert_int_eq(row_counts[group], key < OLD ? 1 : 0);
        }
    }
    floe_batch_fini(&keys_out);
    ck_assert_int_eq(floe_eng_group_state_merge_mapped(mapped, delta, groups, &err), FLOE_OK);
    /* the emptied groups are still there, with no rows, until removed */
    ck_assert_uint_eq(floe_eng_group_state_group_count(mapped), KEY_SPACE);
    ck_assert_int_eq(floe_eng_group_state_row_counts(mapped)[groups[0]] +
                         floe_eng_group_state_row_counts(mapped)[groups[999]],
                     0);
    ck_assert_int_eq(floe_eng_group_state_remove_empty_groups(mapped, &err), FLOE_OK);
    ck_assert_int_eq(floe_eng_group_state_merge(merged, delta, &err), FLOE_OK);
    ck_assert_uint_eq(floe_eng_group_state_group_count(mapped), KEY_SPACE - 1000);
    ck_assert_uint_eq(floe_eng_group_state_group_count(merged), KEY_SPACE - 1000);
    int64_t *want = malloc((size_t)KEY_SPACE * 4 * sizeof *want);
    int64_t *got = malloc((size_t)KEY_SPACE * 4 * sizeof *got);
    ck_assert(want != NULL && got != NULL);
    rows_by_key(merged, KEY_SPACE, want);
    rows_by_key(mapped, KEY_SPACE, got);
    ck_assert(memcmp(want, got, (size_t)KEY_SPACE * 4 * sizeof *got) == 0);
    ck_assert_int_eq(got[15500 * 4], 0);                       /* vanished */
    ck_assert_int_eq(got[17000 * 4 + 1], 17000 + 3 * 17000);   /* old 1 row + delta's */
    ck_assert_int_eq(got[17000 * 4 + 2], 17000);
    ck_assert_int_eq(got[24000 * 4 + 1], 3 * 24000);           /* new */
    /* A mapping that names no group of `into` is refused. */
    groups[0] = KEY_SPACE + 5;
    ck_assert_int_eq(floe_eng_group_state_merge_mapped(mapped, delta, groups, &err), FLOE_EINVAL);
    free(want);
    free(got);
    free(groups);
    floe_eng_group_state_free(old);
    floe_eng_group_state_free(delta);
    floe_eng_group_state_free(mapped);
    floe_eng_group_state_free(merged);
}
END_TEST

/* emit_flat over an exported state writes, for any list of groups, the rows emit_groups
 * writes: COUNT(*), COUNT(x), SUM and AVG of integers (a group whose values are all NULL: SUM
 * NULL), SUM of doubles, AVG of a decimal, string keys with a NULL one. A state with MIN cannot
 * emit from its flat form. */
START_TEST(emit_flat_equals_emit_groups)
{
    floe_type key_type = floe_type_make(FLOE_TYPE_STRING);
    floe_type big = floe_type_make(FLOE_TYPE_INT64), real = floe_type_make(FLOE_TYPE_FLOAT64);
    floe_type money = floe_type_decimal(10, 2);
    floe_eng_aggregate_spec specs[6] = {{FLOE_SQL_AGGREGATE_COUNT_STAR, false, {0, 0, 0}},
                                        {FLOE_SQL_AGGREGATE_COUNT, false, big},
                                        {FLOE_SQL_AGGREGATE_SUM, false, big},
                                        {FLOE_SQL_AGGREGATE_AVG, false, big},
                                        {FLOE_SQL_AGGREGATE_SUM, false, real},
                                        {FLOE_SQL_AGGREGATE_AVG, false, money}};
    floe_eng_group_state *state = NULL;
    floe_error err;
    ck_assert_int_eq(floe_eng_group_state_create(&key_type, 1, specs, 6, NULL, &state, &err),
                     FLOE_OK);
    ck_assert(floe_eng_group_state_flat_emits(state));
    floe_vector key, value, amount, price;
    ck_assert_int_eq(floe_vector_init(&key, key_type, FLOE_BATCH_CAPACITY, NULL), FLOE_OK);
    ck_assert_int_eq(floe_vector_init(&value, big, FLOE_BATCH_CAPACITY, NULL), FLOE_OK);
    ck_assert_int_eq(floe_vector_init(&amount, real, FLOE_BATCH_CAPACITY, NULL), FLOE_OK);
    ck_assert_int_eq(floe_vector_init(&price, money, FLOE_BATCH_CAPACITY, NULL), FLOE_OK);
    srand(5);
    for (uint32_t batch = 0; batch < 6; batch++) {
        floe_vector_reset(&key);
        floe_vector_reset(&value);
        floe_vector_reset(&amount);
        floe_vector_reset(&price);
        for (uint32_t r = 0; r < FLOE_BATCH_CAPACITY; r++) {
            char text[32];
            int id = rand() % 3000;
            uint32_t length = key_text((uint32_t)id, text);
            if (id == 7) floe_vector_set_null(&key, r);
            else
                ck_assert_int_eq(floe_vector_set_string(&key, r, text, length, NULL), FLOE_OK);
            ((int64_t *)value.data)[r] = rand() % 1000 - 500;
            if (id % 10 == 3 || rand() % 9 == 0) floe_vector_set_null(&value, r);
            ((double *)amount.data)[r] = (double)(rand() % 1000) / 8.0;
            ((int64_t *)price.data)[r] = rand() % 100000;
        }
        const floe_vector *keys[1] = {&key};
        const floe_vector *arguments[6] = {NULL, &value, &value, &value, &amount, &price};
        ck_assert_msg(floe_eng_group_state_update(state, keys, arguments, NULL, NULL,
                                                  FLOE_BATCH_CAPACITY, &err) == FLOE_OK,
                      "%s", err.message);
    }
    floe_eng_group_state_flat flat;
    ck_assert_int_eq(floe_eng_group_state_export(state, &flat, &err), FLOE_OK);
    uint32_t groups = floe_eng_group_state_group_count(state);
    ck_assert_uint_gt(groups, 2500);
    floe_batch from_state, from_flat;
    const floe_type *types = floe_eng_group_state_column_types(state);
    ck_assert_int_eq(floe_batch_init(&from_state, 7, types, NULL), FLOE_OK);
    ck_assert_int_eq(floe_batch_init(&from_flat, 7, types, NULL), FLOE_OK);
    uint32_t ids[FLOE_BATCH_CAPACITY];
    for (uint32_t start = 0; start < groups; start += 1000) {
        uint32_t count = groups - start < 1000 ? groups - start : 1000;
        for (uint32_t i = 0; i < count; i++) ids[i] = (start + i * 7919) % groups; /* shuffled */
        ck_assert_int_eq(floe_eng_group_state_emit_groups(state, ids, count, &from_state, &err),
                         FLOE_OK);
        ck_assert_int_eq(floe_eng_group_state_emit_flat(state, &flat, ids, count, &from_flat,
                                                        &err),
                         FLOE_OK);
        ck_assert_uint_eq(from_flat.row_count, count);
        for (uint32_t c = 0; c < 7; c++) {
            const floe_vector *a = &from_state.columns[c], *b = &from_flat.columns[c];
            for (uint32_t r = 0; r < count; r++) {
                ck_assert_msg(floe_vector_is_null(a, r) == floe_vector_is_null(b, r),
                              "column %u row %u: NULL differs", c, r);
                if (floe_vector_is_null(a, r)) continue;
                if (c == 0) {
                    uint32_t la, lb;
                    const unsigned char *sa = floe_vector_string(a, r, &la);
                    const unsigned char *sb = floe_vector_string(b, r, &lb);
                    ck_assert(la == lb && memcmp(sa, sb, la) == 0);
                    continue;
                }
                size_t width = floe_type_width(types[c]);
                ck_assert_msg(memcmp((const char *)a->data + r * width,
                                     (const char *)b->data + r * width, width) == 0,
                              "column %u row %u differs", c, r);
            }
        }
    }
    floe_batch_fini(&from_state);
    floe_batch_fini(&from_flat);
    floe_eng_group_state_flat_fini(&flat);
    floe_vector_fini(&key);
    floe_vector_fini(&value);
    floe_vector_fini(&amount);
    floe_vector_fini(&price);
    floe_eng_group_state_free(state);

    floe_eng_aggregate_spec minimum = {FLOE_SQL_AGGREGATE_MIN, false, big};
    ck_assert_int_eq(floe_eng_group_state_create(&big, 1, &minimum, 1, NULL, &state, &err),
                     FLOE_OK);
    ck_assert(!floe_eng_group_state_flat_emits(state));
    ck_assert_int_eq(floe_eng_group_state_export(state, &flat, &err), FLOE_OK);
    floe_batch out;
    ck_assert_int_eq(floe_batch_init(&out, 2, floe_eng_group_state_column_types(state), NULL),
                     FLOE_OK);
    ck_assert_int_eq(floe_eng_group_state_emit_flat(state, &flat, ids, 0, &out, &err),
                     FLOE_EINVAL);
    floe_batch_fini(&out);
    floe_eng_group_state_flat_fini(&flat);
    floe_eng_group_state_free(state);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("group_state");
    TCase *tc = tcase_create("key cache");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, cached_keys_match_naive_counts, 0,
                        (int)(sizeof fixtures / sizeof fixtures[0]));
    tcase_add_test(tc, fused_sum_equals_separate_passes);
    tcase_add_test(tc, small_dictionary_sums_match_naive);
    tcase_add_test(tc, map_then_merge_mapped_equals_merge);
    tcase_add_test(tc, emit_flat_equals_emit_groups);
    suite_add_tcase(suite, tc);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
