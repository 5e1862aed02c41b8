/*
 * join.c — hash-join build and probe (join.h) over the keyed-state hash table. The probe's key
 * lookups run through the dispatched SIMD probe for the whole vector first; emitting pairs is a
 * walk of row chains that stops whenever the output is full and resumes where it stopped.
 */
#include "join.h"

#include "memory.h"

#include <string.h>

#define CURSOR_START UINT32_C(0xFFFFFFFE) /* the current probe row has not been looked at */

/* The dense index's sparsity limit (join.h): a span of at most 2 x keys + this. */
#define DENSE_SLACK 4096u
/* Rows hashed per call when finish moves collected keys into the hash table: a multiple of 64,
 * so each chunk's validity starts on a word. */
#define FINISH_CHUNK ((size_t)1 << 16)

static bool collects_keys(floe_k_key_kind kind)
{
    return kind == FLOE_K_KEY_I32 || kind == FLOE_K_KEY_I64;
}

static size_t key_width(floe_k_key_kind kind)
{
    return kind == FLOE_K_KEY_I32 ? 4 : 8;
}

static int grow_pending(floe_k_join_table *table, size_t needed, floe_error *err)
{
    if (needed <= table->pending_capacity) return FLOE_OK;
    size_t grown = table->pending_capacity < 1024 ? 1024 : table->pending_capacity * 2;
    while (grown < needed) grown *= 2;
    size_t width = key_width(floe_k_ht_kind(table->keys));
    size_t old_words = (table->pending_capacity + 63) / 64, words = (grown + 63) / 64;
    unsigned char *keys = floe_realloc(table->pending_keys, grown * width);
    if (keys != NULL) table->pending_keys = keys;
    uint64_t *validity = keys != NULL ? floe_realloc(table->pending_validity, words * 8) : NULL;
    FLOE_RETURN_IF(validity == NULL, FLOE_ENOMEM, err, "join: out of memory for %zu build keys",
                   grown);
    memset(validity + old_words, 0, (words - old_words) * 8);
    table->pending_validity = validity;
    table->pending_capacity = grown;
    return FLOE_OK;
}

int floe_k_join_init(floe_k_join_table *table, floe_k_key_kind kind, size_t expected_rows,
                     floe_error *err)
{
    memset(table, 0, sizeof *table);
    table->unique_keys = true;
    table->rows_are_groups = true;
    /* Collected keys size the hash table at finish; others size it now. */
    FLOE_TRY(floe_k_ht_create(kind, collects_keys(kind) ? 0 : expected_rows, &table->keys, err));
    return collects_keys(kind) ? grow_pending(table, expected_rows, err) : FLOE_OK;
}

static void free_pending(floe_k_join_table *table)
{
    floe_free(table->pending_keys);
    floe_free(table->pending_validity);
    table->pending_keys = NULL;
    table->pending_validity = NULL;
    table->pending_capacity = 0;
}

void floe_k_join_fini(floe_k_join_table *table)
{
    if (table == NULL) return;
    floe_k_ht_free(table->keys);
    floe_free(table->first_row);
    floe_free(table->last_row);
    floe_free(table->next_row);
    floe_free(table->scratch_ids);
    free_pending(table);
    floe_free(table->dense_rows);
    memset(table, 0, sizeof *table);
}

static int grow_u32(uint32_t **array, size_t *capacity, size_t needed, floe_error *err)
{
    if (needed <= *capacity) return FLOE_OK;
    size_t grown = *capacity < 1024 ? 1024 : *capacity * 2;
    while (grown < needed) grown *= 2;
    uint32_t *bigger = floe_realloc(*array, grown * sizeof *bigger);
    FLOE_RETURN_IF(bigger == NULL, FLOE_ENOMEM, err, "join: out of memory for %zu entries",
                   grown);
    *array = bigger;
    *capacity = grown;
    return FLOE_OK;
}

static size_t rows_spanned(const uint16_t *selection, size_t count)
{
    if (selection == NULL) return count;
    return count == 0 ? 0 : (size_t)selection[count - 1] + 1;
}

/* Appends integer keys to the collection (selected rows, in order). */
static int collect_keys(floe_k_join_table *table, const floe_k_keys *keys,
                        const uint16_t *selection, size_t count, floe_error *err)
{
    FLOE_TRY(grow_pending(table, (size_t)table->row_count + count, err));
    bool wide = keys->kind == FLOE_K_KEY_I64;
    int64_t low = table->pending_min, high = table->pending_max;
    uint32_t valid = table->pending_valid_count;
    for (size_t i = 0; i < count; i++) {
        size_t row = selection != NULL ? selection[i] : i;
        size_t build_row = table->row_count + i;
        int64_t key;
        if (wide) {
            key = ((const int64_t *)keys->values)[row];
            memcpy(table->pending_keys + build_row * 8, &key, 8);
        } else {
            int32_t narrow = ((const int32_t *)keys->values)[row];
            memcpy(table->pending_keys + build_row * 4, &narrow, 4);
            key = narrow;
        }
        if (keys->validity != NULL && !((keys->validity[row >> 6] >> (row & 63)) & 1)) continue;
        table->pending_validity[build_row >> 6] |= UINT64_C(1) << (build_row & 63);
        if (valid == 0 || key < low) low = key;
        if (valid == 0 || key > high) high = key;
        valid++;
    }
    table->pending_min = low;
    table->pending_max = high;
    table->pending_valid_count = valid;
    table->row_count += (uint32_t)count;
    return FLOE_OK;
}

/* Inserts keys into the hash table and links their rows (the general build). */
static int build_hashed(floe_k_join_table *table, const floe_k_keys *keys, const uint64_t *hashes,
                        const uint16_t *selection, size_t count, floe_error *err)
{
    FLOE_TRY(grow_u32(&table->scratch_ids, &table->scratch_capacity,
                      rows_spanned(selection, count), err));
    FLOE_TRY(grow_u32(&table->next_row, &table->row_capacity, table->row_count + count, err));
    FLOE_TRY(floe_k_ht_find_or_insert(table->keys, keys, hashes, selection, count,
                                      table->scratch_ids, err));
    size_t groups = floe_k_ht_group_count(table->keys);
    size_t old_capacity = table->group_capacity;
    if (groups > old_capacity) {
        size_t first_capacity = old_capacity, last_capacity = old_capacity;
        FLOE_TRY(grow_u32(&table->first_row, &first_capacity, groups, err));
        FLOE_TRY(grow_u32(&table->last_row, &last_capacity, first_capacity, err));
        table->group_capacity = first_capacity;
        memset(table->first_row + old_capacity, 0xFF,
               (first_capacity - old_capacity) * sizeof(uint32_t));
    }
    bool unique_keys = table->unique_keys, rows_are_groups = table->rows_are_groups;
    for (size_t i = 0; i < count; i++) {
        size_t row = selection != NULL ? selection[i] : i;
        uint32_t build_row = table->row_count + (uint32_t)i;
        table->next_row[build_row] = FLOE_K_JOIN_NO_MATCH;
        if (keys->validity != NULL && !((keys->validity[row >> 6] >> (row & 63)) & 1)) {
            rows_are_groups = false;
            continue;
        }
        uint32_t group = table->scratch_ids[row];
        rows_are_groups = rows_are_groups && group == build_row;
        if (table->first_row[group] == FLOE_K_JOIN_NO_MATCH) {
            table->first_row[group] = build_row;
        } else {
            table->next_row[table->last_row[group]] = build_row;
            unique_keys = false;
        }
        table->last_row[group] = build_row;
    }
    table->unique_keys = unique_keys;
    table->rows_are_groups = unique_keys && rows_are_groups;
    table->row_count += (uint32_t)count;
    return FLOE_OK;
}

int floe_k_join_build(floe_k_join_table *table, const floe_k_keys *keys, const uint64_t *hashes,
                      const uint16_t *selection, size_t count, floe_error *err)
{
    FLOE_RETURN_IF(table->finished, FLOE_EINVAL, err, "join build: the build side is finished");
    FLOE_RETURN_IF(keys->kind != floe_k_ht_kind(table->keys), FLOE_EINVAL, err,
                   "join build: key kind %d, the table holds kind %d", (int)keys->kind,
                   (int)floe_k_ht_kind(table->keys));
    FLOE_RETURN_IF((uint64_t)table->row_count + count > 0xFFFFFFFDu, FLOE_ERANGE, err,
                   "join build: more than 2^32-2 build rows");
    if (collects_keys(keys->kind)) return collect_keys(table, keys, selection, count, err);
    return build_hashed(table, keys, hashes, selection, count, err);
}

static int64_t pending_key(const floe_k_join_table *table, size_t row)
{
    if (floe_k_ht_kind(table->keys) == FLOE_K_KEY_I32) {
        int32_t narrow;
        memcpy(&narrow, table->pending_keys + row * 4, 4);
        return narrow;
    }
    int64_t key;
    memcpy(&key, table->pending_keys + row * 8, 8);
    return key;
}

static bool pending_valid(const floe_k_join_table *table, size_t row)
{
    return (table->pending_validity[row >> 6] >> (row & 63)) & 1;
}

/* The array index by key - min, or false (and nothing allocated) when two rows share a key. */
static int try_dense(floe_k_join_table *table, bool *built, floe_error *err)
{
    *built = false;
    uint64_t span = (uint64_t)table->pending_max - (uint64_t)table->pending_min + 1;
    if (table->pending_valid_count == 0 ||
        span > 2 * (uint64_t)table->pending_valid_count + DENSE_SLACK)
        return FLOE_OK;
    uint32_t *rows = floe_malloc((size_t)span * sizeof *rows);
    FLOE_RETURN_IF(rows == NULL, FLOE_ENOMEM, err, "join: out of memory for %llu dense slots",
                   (unsigned long long)span);
    memset(rows, 0xFF, (size_t)span * sizeof *rows);
    uint64_t low = (uint64_t)table->pending_min;
    for (size_t row = 0; row < table->row_count; row++) {
        if (!pending_valid(table, row)) continue;
        uint64_t slot = (uint64_t)pending_key(table, row) - low;
        if (rows[slot] != FLOE_K_JOIN_NO_MATCH) { /* a repeated key: chains need the hash table */
            floe_free(rows);
            return FLOE_OK;
        }
        rows[slot] = (uint32_t)row;
    }
    table->dense_rows = rows;
    table->dense_span = span;
    table->dense_min = table->pending_min;
    table->unique_keys = true;
    table->rows_are_groups = true; /* the probe's "group" is the build row itself */
    *built = true;
    return FLOE_OK;
}

/* Moves the collected keys into a hash table sized for them, chunk by chunk. */
static int hash_pending(floe_k_join_table *table, floe_error *err)
{
    floe_k_key_kind kind = floe_k_ht_kind(table->keys);
    floe_k_hashtable *sized = NULL;
    FLOE_TRY(floe_k_ht_create(kind, table->pending_valid_count, &sized, err));
    floe_k_ht_free(table->keys);
    table->keys = sized;
    size_t rows = table->row_count, width = key_width(kind);
    bool any_null = table->pending_valid_count != rows;
    table->row_count = 0;
    for (size_t start = 0; start < rows; start += FINISH_CHUNK) {
        size_t count = rows - start < FINISH_CHUNK ? rows - start : FINISH_CHUNK;
        floe_k_keys chunk = {kind, table->pending_keys + start * width, NULL,
                             any_null ? table->pending_validity + start / 64 : NULL};
        FLOE_TRY(build_hashed(table, &chunk, NULL, NULL, count, err));
    }
    return FLOE_OK;
}

int floe_k_join_build_finish(floe_k_join_table *table, floe_error *err)
{
    FLOE_RETURN_IF(table->finished, FLOE_EINVAL, err, "join build: finished twice");
    table->finished = true;
    if (!collects_keys(floe_k_ht_kind(table->keys))) return FLOE_OK;
    bool dense = false;
    int status = try_dense(table, &dense, err);
    if (status == FLOE_OK && !dense && table->row_count > 0) status = hash_pending(table, err);
    free_pending(table);
    return status;
}

void floe_k_join_probe_init(floe_k_join_probe *probe)
{
    memset(probe, 0, sizeof *probe);
}

void floe_k_join_probe_fini(floe_k_join_probe *probe)
{
    if (probe == NULL) return;
    floe_free(probe->group_ids);
    memset(probe, 0, sizeof *probe);
}

/* The dense index's lookup: the build row of each row's key, or NO_MATCH (as a group id: the
 * table says rows_are_groups). NULL keys match nothing. */
static void dense_find(const floe_k_join_table *table, const floe_k_keys *keys,
                       const uint16_t *selection, size_t count, uint32_t *group_ids)
{
    const uint32_t *rows = table->dense_rows;
    uint64_t low = (uint64_t)table->dense_min, span = table->dense_span;
    bool wide = keys->kind == FLOE_K_KEY_I64;
    for (size_t i = 0; i < count; i++) {
        size_t row = selection != NULL ? selection[i] : i;
        int64_t key = wide ? ((const int64_t *)keys->values)[row]
                           : ((const int32_t *)keys->values)[row];
        uint64_t slot = (uint64_t)key - low;
        uint32_t found = slot < span ? rows[slot] : FLOE_K_JOIN_NO_MATCH;
        if (keys->validity != NULL && !((keys->validity[row >> 6] >> (row & 63)) & 1))
            found = FLOE_K_JOIN_NO_MATCH;
        group_ids[row] = found;
    }
}

int floe_k_join_probe_begin(floe_k_join_probe *probe, const floe_k_join_table *table,
                            floe_k_join_type type, const floe_k_keys *keys,
                            const uint64_t *hashes, const uint16_t *selection, size_t count,
                            floe_error *err)
{
    return floe_k_join_probe_begin_variant(probe, table, type, keys, hashes, selection, count,
                                           floe_k_ht_find, err);
}

int floe_k_join_probe_begin_variant(floe_k_join_probe *probe, const floe_k_join_table *table,
                                    floe_k_join_type type, const floe_k_keys *keys,
                                    const uint64_t *hashes, const uint16_t *selection,
                                    size_t count, floe_k_ht_find_fn find, floe_error *err)
{
    FLOE_RETURN_IF(keys->kind != floe_k_ht_kind(table->keys), FLOE_EINVAL, err,
                   "join probe: key kind %d, build side holds kind %d", (int)keys->kind,
                   (int)floe_k_ht_kind(table->keys));
    FLOE_RETURN_IF(!table->finished, FLOE_EINVAL, err,
                   "join probe: the build side is not finished (floe_k_join_build_finish)");
    FLOE_TRY(grow_u32(&probe->group_ids, &probe->group_capacity, rows_spanned(selection, count),
                      err));
    if (table->dense_rows != NULL)
        dense_find(table, keys, selection, count, probe->group_ids);
    else
        find(table->keys, keys, hashes, selection, count, probe->group_ids);
    probe->table = table;
    probe->type = type;
    probe->selection = selection;
    probe->validity = keys->validity;
    probe->count = count;
    probe->position = 0;
    probe->cursor = CURSOR_START;
    return FLOE_OK;
}

/* Unique build keys: one pair at most per probe row. The pair is always written and the output
 * position advances by whether it is one, so the loop has no data-dependent branch. A NULL probe
 * key finds no group, or the NULL group, whose first_row is NO_MATCH (NULL build rows are never
 * linked), so it never matches without a test of its own. */
static size_t unique_probe_next(floe_k_join_probe *probe, uint32_t *probe_rows,
                                uint32_t *build_rows, size_t capacity)
{
    const floe_k_join_table *table = probe->table;
    const uint32_t *group_ids = probe->group_ids;
    const uint16_t *selection = probe->selection;
    const uint32_t *first_row = table->first_row;
    bool left = probe->type == FLOE_K_JOIN_LEFT;
    bool direct = table->rows_are_groups || first_row == NULL;
    size_t position = probe->position, count = probe->count, n = 0;
    while (position < count && n < capacity) {
        size_t row = selection != NULL ? selection[position] : position;
        uint32_t group = group_ids[row];
        uint32_t build = group;
        if (!direct) build = group == FLOE_K_NO_GROUP ? FLOE_K_JOIN_NO_MATCH : first_row[group];
        probe_rows[n] = (uint32_t)row;
        build_rows[n] = build;
        n += left || build != FLOE_K_JOIN_NO_MATCH;
        position++;
    }
    probe->position = position;
    return n;
}

size_t floe_k_join_probe_next(floe_k_join_probe *probe, uint32_t *probe_rows,
                              uint32_t *build_rows, size_t capacity)
{
    const floe_k_join_table *table = probe->table;
    size_t n = 0;
    if (table->unique_keys && probe->cursor == CURSOR_START)
        return unique_probe_next(probe, probe_rows, build_rows, capacity);
    while (probe->position < probe->count && n < capacity) {
        size_t row = probe->selection != NULL ? probe->selection[probe->position]
                                              : probe->position;
        if (probe->cursor == CURSOR_START) {
            uint32_t group = probe->group_ids[row];
            int is_null = probe->validity != NULL &&
                          !((probe->validity[row >> 6] >> (row & 63)) & 1);
            probe->cursor = group == FLOE_K_NO_GROUP || is_null ? FLOE_K_JOIN_NO_MATCH
                                                                : table->first_row[group];
            if (probe->cursor == FLOE_K_JOIN_NO_MATCH) {
                if (probe->type == FLOE_K_JOIN_LEFT) {
                    probe_rows[n] = (uint32_t)row;
                    build_rows[n] = FLOE_K_JOIN_NO_MATCH;
                    n++;
                }
                probe->position++;
                probe->cursor = CURSOR_START;
                continue;
            }
        }
        while (probe->cursor != FLOE_K_JOIN_NO_MATCH && n < capacity) {
            probe_rows[n] = (uint32_t)row;
            build_rows[n] = probe->cursor;
            n++;
            probe->cursor = table->next_row[probe->cursor];
        }
        if (probe->cursor == FLOE_K_JOIN_NO_MATCH) {
            probe->position++;
            probe->cursor = CURSOR_START;
        }
    }
    return n;
}
