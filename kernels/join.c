/*
 * join.c — hash-join build and probe (join.h) over the keyed-state hash table. The probe's key
 * lookups run through the dispatched SIMD probe for the whole vector first; emitting pairs is a
 * walk of row chains that stops whenever the output is full and resumes where it stopped.
 */
#include "join.h"

#include "memory.h"

#include <string.h>

#define CURSOR_START UINT32_C(0xFFFFFFFE) /* the current probe row has not been looked at */

int floe_k_join_init(floe_k_join_table *table, floe_k_key_kind kind, size_t expected_rows,
                     floe_error *err)
{
    memset(table, 0, sizeof *table);
    table->unique_keys = true;
    table->rows_are_groups = true;
    return floe_k_ht_create(kind, expected_rows, &table->keys, err);
}

void floe_k_join_fini(floe_k_join_table *table)
{
    if (table == NULL) return;
    floe_k_ht_free(table->keys);
    floe_free(table->first_row);
    floe_free(table->last_row);
    floe_free(table->next_row);
    floe_free(table->scratch_ids);
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

int floe_k_join_build(floe_k_join_table *table, const floe_k_keys *keys, const uint64_t *hashes,
                      const uint16_t *selection, size_t count, floe_error *err)
{
    FLOE_RETURN_IF((uint64_t)table->row_count + count > 0xFFFFFFFDu, FLOE_ERANGE, err,
                   "join build: more than 2^32-2 build rows");
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
    FLOE_TRY(grow_u32(&probe->group_ids, &probe->group_capacity, rows_spanned(selection, count),
                      err));
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
