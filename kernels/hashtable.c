/*
 * hashtable.c — everything about the hash table except the per-row probe loop: creation, growth
 * by rehashing from the stored hashes, key storage, swap-removal, persistence and composite key
 * encoding. The probe loop is per ISA (hashtable_probe_int.h); this file is ISA-neutral: its
 * loops run once per resize, removal or load, so portable SWAR over the control bytes suffices.
 * Growth reinserts every group from the group-ordered keys[] and hashes[] (sequential reads) into
 * a fresh index, a tight loop that prefetches the home group of the group a few ahead; a fresh
 * index has no tombstones and no key to compare, so each insert is "first free slot from home".
 * Large index arrays ask the kernel for transparent huge pages: a probe of a 1 GiB index touches a
 * random page per row, and 2 MiB pages turn most of those TLB misses into hits.
 */
#define _DEFAULT_SOURCE /* madvise */
#include "hashtable.h"

#include "dispatch.h"
#include "hashtable_int.h"
#include "memory.h"

#include <string.h>
#if defined(__linux__)
#include <sys/mman.h> /* madvise, MADV_HUGEPAGE */
#endif

enum { HUGE_PAGE = 2 * 1024 * 1024, PREFETCH_AHEAD = 16 };

static size_t key_width_of(floe_k_key_kind kind)
{
    switch (kind) {
    case FLOE_K_KEY_I32: return sizeof(int32_t);
    case FLOE_K_KEY_I64: return sizeof(int64_t);
    case FLOE_K_KEY_I128: return sizeof(floe_int128);
    default: return sizeof(floe_string_ref);
    }
}

/* Slots for `groups` live groups at a load factor of at most 7/8 (power of two, >= 16). */
static size_t capacity_for(size_t groups)
{
    size_t capacity = FLOE_HT_GROUP_WIDTH;
    while (capacity / 8 * 7 < groups + 1) capacity *= 2;
    return capacity;
}

/* Index arrays of several huge pages are aligned to one and advised to use them (a hint: without
 * transparent huge pages nothing changes). */
static void *allocate_index_array(size_t size)
{
    if (size < (size_t)HUGE_PAGE) return floe_alloc_aligned(size, 64);
    void *block = floe_alloc_aligned(size, HUGE_PAGE);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (block != NULL) (void)madvise(block, size, MADV_HUGEPAGE);
#endif
    return block;
}

static int allocate_index(floe_k_hashtable *table, size_t capacity, floe_error *err)
{
    uint8_t *ctrl = allocate_index_array(capacity);
    unsigned char *entries = allocate_index_array(capacity * table->entry_width);
    if (ctrl == NULL || entries == NULL) {
        floe_free_aligned(ctrl);
        floe_free_aligned(entries);
        return floe_error_set(err, FLOE_ENOMEM, "hash table: cannot allocate %zu slots", capacity);
    }
    memset(ctrl, FLOE_HT_EMPTY, capacity);
    floe_free_aligned(table->ctrl);
    floe_free_aligned(table->entries);
    table->ctrl = ctrl;
    table->entries = entries;
    table->capacity = capacity;
    table->home_mask = capacity - FLOE_HT_GROUP_WIDTH;
    table->home_shift = 57 - 4 - (unsigned)__builtin_ctzll(capacity / FLOE_HT_GROUP_WIDTH);
    table->growth_left = capacity / 8 * 7;
    table->tombstones = 0;
    return FLOE_OK;
}

int floe_k_ht_create(floe_k_key_kind kind, size_t expected_groups, floe_k_hashtable **out,
                     floe_error *err)
{
    *out = NULL;
    FLOE_RETURN_IF((int)kind < FLOE_K_KEY_I32 || kind > FLOE_K_KEY_BYTES, FLOE_EINVAL, err,
                   "hash table: unknown key kind %d", (int)kind);
    FLOE_RETURN_IF(expected_groups > 0xFFFFFFF0u, FLOE_ERANGE, err,
                   "hash table: %zu groups is past the 2^32 limit", expected_groups);
    floe_k_hashtable *table = floe_calloc(1, sizeof *table);
    FLOE_RETURN_IF(table == NULL, FLOE_ENOMEM, err, "hash table: out of memory");
    table->kind = kind;
    table->key_width = (uint32_t)key_width_of(kind);
    table->entry_width = (uint32_t)floe_k_ht_entry_width_of(kind);
    table->id_offset = (uint32_t)floe_k_ht_id_offset_of(kind);
    table->null_group = FLOE_K_NO_GROUP;
    int status = allocate_index(table, capacity_for(expected_groups), err);
    /* The hint sizes the group-ordered arrays too, so the expected groups never copy them. */
    if (status == FLOE_OK && expected_groups > 0)
        status = floe_k_ht_reserve_groups_int(table, expected_groups, err);
    if (status < 0) {
        floe_free_aligned(table->ctrl);
        floe_free_aligned(table->entries);
        floe_free(table->keys);
        floe_free(table->hashes);
        floe_free(table);
        return status;
    }
    *out = table;
    return FLOE_OK;
}

void floe_k_ht_free(floe_k_hashtable *table)
{
    if (table == NULL) return;
    floe_free_aligned(table->ctrl);
    floe_free_aligned(table->entries);
    floe_free(table->keys);
    floe_free(table->hashes);
    floe_free(table->heap);
    floe_free(table);
}

floe_k_key_kind floe_k_ht_kind(const floe_k_hashtable *table) { return table->kind; }
uint32_t floe_k_ht_group_count(const floe_k_hashtable *table) { return table->group_count; }
uint32_t floe_k_ht_null_group(const floe_k_hashtable *table) { return table->null_group; }
size_t floe_k_ht_capacity(const floe_k_hashtable *table) { return table->capacity; }

static inline uint64_t load_le64(const uint8_t *bytes)
{
    uint64_t word;
    memcpy(&word, bytes, sizeof word);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    word = __builtin_bswap64(word);
#endif
    return word;
}

/* The first slot of a 16-byte control group whose byte has its high bit set (EMPTY or DELETED),
 * or -1: one bit per byte from two words, lowest byte first. */
static inline int first_free_in_group(const uint8_t *ctrl)
{
    uint64_t low = load_le64(ctrl) & 0x8080808080808080ull;
    if (low != 0) return __builtin_ctzll(low) >> 3;
    uint64_t high = load_le64(ctrl + 8) & 0x8080808080808080ull;
    if (high != 0) return 8 + (__builtin_ctzll(high) >> 3);
    return -1;
}

size_t floe_k_ht_free_slot_int(const floe_k_hashtable *table, uint64_t hash)
{
    size_t home = floe_k_ht_home_slot(table, hash);
    for (size_t step = 1;; step++) {
        int k = first_free_in_group(table->ctrl + home);
        if (k >= 0) return home + (size_t)k;
        home = floe_k_ht_next_slot(table, home, step);
    }
}

/* The slot holding `group` (which is in the index). */
static size_t slot_of(const floe_k_hashtable *table, uint32_t group)
{
    uint64_t hash = floe_k_ht_index_hash(table, group);
    uint8_t tag = floe_k_ht_tag(hash);
    size_t home = floe_k_ht_home_slot(table, hash);
    for (size_t step = 1;; step++) {
        for (size_t slot = home; slot < home + FLOE_HT_GROUP_WIDTH; slot++)
            if (table->ctrl[slot] == tag && floe_k_ht_entry_id(table, slot) == group) return slot;
        home = floe_k_ht_next_slot(table, home, step);
    }
}

static int rehash(floe_k_hashtable *table, size_t capacity, floe_error *err)
{
    FLOE_TRY(allocate_index(table, capacity, err));
    uint32_t count = table->group_count;
    uint32_t null_group = table->null_group;
    /* Index hashes a few groups ahead, so their home groups are prefetched before use. */
    uint64_t ahead[PREFETCH_AHEAD];
    for (uint32_t k = 0; k < PREFETCH_AHEAD && k < count; k++)
        ahead[k] = k == null_group ? 0 : floe_k_ht_index_hash(table, k);
    for (uint32_t group = 0; group < count; group++) {
        uint64_t hash = ahead[group % PREFETCH_AHEAD];
        uint32_t next = group + PREFETCH_AHEAD;
        if (next < count) {
            uint64_t next_hash = next == null_group ? 0 : floe_k_ht_index_hash(table, next);
            ahead[group % PREFETCH_AHEAD] = next_hash;
            size_t home = floe_k_ht_home_slot(table, next_hash);
            __builtin_prefetch(table->ctrl + home, 1);
            __builtin_prefetch(table->entries + home * table->entry_width, 1);
        }
        if (group == null_group) continue;
        size_t slot = floe_k_ht_free_slot_int(table, hash);
        table->ctrl[slot] = floe_k_ht_tag(hash);
        floe_k_ht_fill_entry(table, slot, group);
    }
    table->growth_left -= count - (null_group != FLOE_K_NO_GROUP);
    return FLOE_OK;
}

int floe_k_ht_grow_int(floe_k_hashtable *table, floe_error *err)
{
    size_t live = table->group_count + 1;
    /* Tombstones, not live groups, filled the table: clean them out at the same size. */
    size_t capacity = live <= table->capacity / 16 * 7 ? table->capacity : table->capacity * 2;
    FLOE_RETURN_IF(capacity > ((size_t)1 << 34), FLOE_ERANGE, err,
                   "hash table: index past 2^34 slots");
    return rehash(table, capacity_for(live) > capacity ? capacity_for(live) : capacity, err);
}

static int reserve_heap(floe_k_hashtable *table, size_t more, floe_error *err)
{
    if (table->heap_size + more <= table->heap_capacity) return FLOE_OK;
    FLOE_RETURN_IF(table->heap_size + more > 0xFFFFFFFFu, FLOE_ERANGE, err,
                   "hash table: key bytes past 4 GiB");
    size_t capacity = table->heap_capacity < 4096 ? 4096 : table->heap_capacity * 2;
    while (capacity < table->heap_size + more) capacity *= 2;
    if (capacity > 0xFFFFFFFFu) capacity = 0xFFFFFFFFu;
    unsigned char *heap = floe_realloc(table->heap, capacity);
    FLOE_RETURN_IF(heap == NULL, FLOE_ENOMEM, err, "hash table: cannot grow key heap to %zu bytes",
                   capacity);
    table->heap = heap;
    table->heap_capacity = capacity;
    return FLOE_OK;
}

int floe_k_ht_reserve_groups_int(floe_k_hashtable *table, size_t groups, floe_error *err)
{
    if (groups <= table->group_capacity) return FLOE_OK;
    FLOE_RETURN_IF(groups > 0xFFFFFFFEu, FLOE_ERANGE, err,
                   "hash table: more than 2^32-2 groups");
    size_t capacity = table->group_capacity < 64 ? 64 : (size_t)table->group_capacity * 2;
    while (capacity < groups) capacity *= 2;
    if (capacity > 0xFFFFFFFEu) capacity = 0xFFFFFFFEu;
    void *keys = floe_realloc(table->keys, capacity * table->key_width);
    if (keys != NULL) table->keys = keys;
    uint64_t *hashes = floe_realloc(table->hashes, capacity * sizeof(uint64_t));
    if (hashes != NULL) table->hashes = hashes;
    FLOE_RETURN_IF(keys == NULL || hashes == NULL, FLOE_ENOMEM, err,
                   "hash table: cannot grow key arrays to %zu groups", capacity);
    table->group_capacity = (uint32_t)capacity;
    return FLOE_OK;
}

int floe_k_ht_append_key_int(floe_k_hashtable *table, const floe_k_keys *keys, size_t row,
                             uint64_t hash, int is_null, uint32_t *id, floe_error *err)
{
    FLOE_TRY(floe_k_ht_reserve_groups_int(table, (size_t)table->group_count + 1, err));
    uint32_t group = table->group_count;
    unsigned char *key = (unsigned char *)table->keys + (size_t)group * table->key_width;
    if (is_null) {
        memset(key, 0, table->key_width);
    } else if (table->kind == FLOE_K_KEY_BYTES) {
        floe_string_ref probe = ((const floe_string_ref *)keys->values)[row];
        FLOE_TRY(reserve_heap(table, probe.length, err));
        floe_string_ref stored = {(uint32_t)table->heap_size, probe.length};
        if (probe.length > 0) memcpy(table->heap + table->heap_size, keys->heap + probe.offset,
                                     probe.length);
        table->heap_size += probe.length;
        memcpy(key, &stored, sizeof stored);
    } else {
        /* Constant sizes, so each copy is one move rather than a call. */
        const unsigned char *source = (const unsigned char *)keys->values + row * table->key_width;
        switch (table->kind) {
        case FLOE_K_KEY_I32: memcpy(key, source, 4); break;
        case FLOE_K_KEY_I64: memcpy(key, source, 8); break;
        default: memcpy(key, source, 16); break;
        }
    }
    table->hashes[group] = hash;
    table->group_count = group + 1;
    *id = group;
    return FLOE_OK;
}

/* Rewrites the heap with only live keys' bytes, in group order. */
static void compact_heap(floe_k_hashtable *table)
{
    unsigned char *heap = floe_malloc(table->heap_size - table->heap_garbage + 1);
    if (heap == NULL) return; /* keep the garbage; correctness does not depend on compaction */
    floe_string_ref *refs = table->keys;
    size_t size = 0;
    for (uint32_t group = 0; group < table->group_count; group++) {
        if (refs[group].length > 0)
            memcpy(heap + size, table->heap + refs[group].offset, refs[group].length);
        refs[group].offset = (uint32_t)size;
        size += refs[group].length;
    }
    floe_free(table->heap);
    table->heap = heap;
    table->heap_size = size;
    table->heap_capacity = size + 1;
    table->heap_garbage = 0;
}

int floe_k_ht_remove(floe_k_hashtable *table, uint32_t group, uint32_t *moved_from,
                     floe_error *err)
{
    FLOE_RETURN_IF(group >= table->group_count, FLOE_EINVAL, err,
                   "hash table: remove group %u of %u", group, table->group_count);
    if (group == table->null_group) {
        table->null_group = FLOE_K_NO_GROUP;
    } else {
        size_t slot = slot_of(table, group);
        table->ctrl[slot] = FLOE_HT_DELETED;
        table->tombstones++;
    }
    if (table->kind == FLOE_K_KEY_BYTES)
        table->heap_garbage += ((const floe_string_ref *)table->keys)[group].length;
    uint32_t last = table->group_count - 1;
    if (group != last) {
        if (last == table->null_group)
            table->null_group = group;
        else
            floe_k_ht_set_entry_id(table, slot_of(table, last), group);
        memcpy((unsigned char *)table->keys + (size_t)group * table->key_width,
               (const unsigned char *)table->keys + (size_t)last * table->key_width,
               table->key_width);
        table->hashes[group] = table->hashes[last];
    }
    table->group_count = last;
    *moved_from = last;
    if (table->kind == FLOE_K_KEY_BYTES && table->heap_garbage > 4096 &&
        table->heap_garbage > table->heap_size / 2)
        compact_heap(table);
    return FLOE_OK;
}

void floe_k_ht_clear(floe_k_hashtable *table)
{
    memset(table->ctrl, FLOE_HT_EMPTY, table->capacity);
    table->growth_left = table->capacity / 8 * 7;
    table->tombstones = 0;
    table->group_count = 0;
    table->null_group = FLOE_K_NO_GROUP;
    table->heap_size = 0;
    table->heap_garbage = 0;
}

int32_t floe_k_ht_key_i32(const floe_k_hashtable *table, uint32_t group)
{
    return ((const int32_t *)table->keys)[group];
}

int64_t floe_k_ht_key_i64(const floe_k_hashtable *table, uint32_t group)
{
    return ((const int64_t *)table->keys)[group];
}

floe_int128 floe_k_ht_key_i128(const floe_k_hashtable *table, uint32_t group)
{
    return ((const floe_int128 *)table->keys)[group];
}

const unsigned char *floe_k_ht_key_bytes(const floe_k_hashtable *table, uint32_t group,
                                         uint32_t *length)
{
    floe_string_ref ref = ((const floe_string_ref *)table->keys)[group];
    *length = ref.length;
    return table->heap != NULL ? table->heap + ref.offset : (const unsigned char *)"";
}

uint64_t floe_k_ht_hash(const floe_k_hashtable *table, uint32_t group)
{
    return table->hashes[group];
}

void floe_k_ht_view(const floe_k_hashtable *table, floe_k_ht_flat *flat)
{
    flat->kind = table->kind;
    flat->group_count = table->group_count;
    flat->null_group = table->null_group;
    flat->keys = table->keys;
    flat->heap = table->heap;
    flat->heap_size = table->heap_size;
    flat->hashes = table->hashes;
}

int floe_k_ht_load(floe_k_hashtable *table, const floe_k_ht_flat *flat, floe_error *err)
{
    FLOE_RETURN_IF(flat->kind != table->kind, FLOE_EINVAL, err,
                   "hash table load: key kind %d, table holds kind %d", (int)flat->kind,
                   (int)table->kind);
    floe_k_ht_clear(table);
    FLOE_RETURN_IF(flat->group_count > 0xFFFFFFF0u, FLOE_ECORRUPT, err,
                   "hash table load: %u groups", flat->group_count);
    FLOE_RETURN_IF(flat->null_group != FLOE_K_NO_GROUP && flat->null_group >= flat->group_count,
                   FLOE_ECORRUPT, err, "hash table load: NULL group %u of %u groups",
                   flat->null_group, flat->group_count);
    if (flat->kind == FLOE_K_KEY_BYTES) {
        const floe_string_ref *refs = flat->keys;
        for (uint32_t group = 0; group < flat->group_count; group++)
            FLOE_RETURN_IF((uint64_t)refs[group].offset + refs[group].length > flat->heap_size,
                           FLOE_ECORRUPT, err,
                           "hash table load: group %u: key bytes [%u, +%u) outside the %zu-byte "
                           "heap",
                           group, refs[group].offset, refs[group].length, flat->heap_size);
    }
    int status = floe_k_ht_reserve_groups_int(table, flat->group_count, err);
    if (status == FLOE_OK && capacity_for(flat->group_count) > table->capacity)
        status = allocate_index(table, capacity_for(flat->group_count), err);
    if (status < 0) return status;
    floe_k_keys keys = {flat->kind, flat->keys, flat->heap, NULL};
    const floe_k_dispatch *dispatch = floe_k_dispatch_get();
    for (uint32_t group = 0; group < flat->group_count; group++) {
        uint32_t id = FLOE_K_NO_GROUP;
        if (group == flat->null_group) {
            status = floe_k_ht_append_key_int(table, &keys, group, flat->hashes[group], 1, &id,
                                              err);
            table->null_group = id;
        } else {
            /* One key at a time through the ISA's loop, the view pointed at this group's key
             * so that it is row 0 (a selection could not index past 65535 groups). */
            uint32_t before = table->group_count;
            uint32_t ids[1];
            floe_k_keys one = keys;
            one.values = (const unsigned char *)flat->keys + (size_t)group * table->key_width;
            status = dispatch->ht_find_or_insert(table, &one, flat->hashes + group, NULL, 1, ids,
                                                 err);
            if (status == FLOE_OK && table->group_count == before) {
                floe_k_ht_clear(table);
                return floe_error_set(err, FLOE_ECORRUPT,
                                      "hash table load: group %u repeats the key of group %u",
                                      group, ids[0]);
            }
        }
        if (status < 0) {
            floe_k_ht_clear(table);
            return status;
        }
    }
    return FLOE_OK;
}

void floe_k_key_buffer_fini(floe_k_key_buffer *buffer)
{
    if (buffer == NULL) return;
    floe_free(buffer->bytes);
    buffer->bytes = NULL;
    buffer->size = buffer->capacity = 0;
}

static int buffer_reserve(floe_k_key_buffer *buffer, size_t more, floe_error *err)
{
    if (buffer->size + more <= buffer->capacity) return FLOE_OK;
    FLOE_RETURN_IF(buffer->size + more > 0xFFFFFFFFu, FLOE_ERANGE, err,
                   "composite keys: past 4 GiB of key bytes in one batch");
    size_t capacity = buffer->capacity < 4096 ? 4096 : buffer->capacity * 2;
    while (capacity < buffer->size + more) capacity *= 2;
    unsigned char *bytes = floe_realloc(buffer->bytes, capacity);
    FLOE_RETURN_IF(bytes == NULL, FLOE_ENOMEM, err, "composite keys: out of memory");
    buffer->bytes = bytes;
    buffer->capacity = capacity;
    return FLOE_OK;
}

int floe_k_key_encode(floe_k_key_buffer *buffer, const floe_k_keys *columns, size_t column_count,
                      const uint16_t *selection, size_t count, floe_string_ref *refs,
                      floe_error *err)
{
    buffer->size = 0;
    for (size_t i = 0; i < count; i++) {
        size_t row = selection != NULL ? selection[i] : i;
        size_t start = buffer->size;
        for (size_t c = 0; c < column_count; c++) {
            const floe_k_keys *column = &columns[c];
            int present = column->validity == NULL ||
                          ((column->validity[row >> 6] >> (row & 63)) & 1);
            const void *source;
            size_t width;
            uint32_t length = 0;
            if (column->kind == FLOE_K_KEY_BYTES) {
                floe_string_ref ref = ((const floe_string_ref *)column->values)[row];
                source = column->heap + ref.offset;
                length = ref.length;
                width = ref.length;
            } else {
                width = key_width_of(column->kind);
                source = (const unsigned char *)column->values + row * width;
            }
            FLOE_TRY(buffer_reserve(buffer, 1 + (present ? 4 + width : 0), err));
            buffer->bytes[buffer->size++] = (unsigned char)present;
            if (!present) continue;
            if (column->kind == FLOE_K_KEY_BYTES) {
                unsigned char prefix[4] = {(unsigned char)length, (unsigned char)(length >> 8),
                                           (unsigned char)(length >> 16),
                                           (unsigned char)(length >> 24)};
                memcpy(buffer->bytes + buffer->size, prefix, 4);
                buffer->size += 4;
            }
            if (width > 0) memcpy(buffer->bytes + buffer->size, source, width);
            buffer->size += width;
        }
        refs[row] = (floe_string_ref){(uint32_t)start, (uint32_t)(buffer->size - start)};
    }
    return FLOE_OK;
}

/* The plain entry points. */

int floe_k_ht_find_or_insert(floe_k_hashtable *table, const floe_k_keys *keys,
                             const uint64_t *hashes, const uint16_t *selection, size_t count,
                             uint32_t *group_ids, floe_error *err)
{
    return floe_k_dispatch_get()->ht_find_or_insert(table, keys, hashes, selection, count,
                                                    group_ids, err);
}

int floe_k_ht_find_or_insert_sum_f64(floe_k_hashtable *table, const floe_k_keys *keys,
                                     const uint64_t *hashes, const double *values,
                                     const uint64_t *value_validity, const int64_t *weights,
                                     const uint16_t *selection, size_t count, uint32_t *group_ids,
                                     double *sums, int64_t *counts, floe_error *err)
{
    return floe_k_dispatch_get()->ht_find_or_insert_sum_f64(table, keys, hashes, values,
                                                            value_validity, weights, selection,
                                                            count, group_ids, sums, counts, err);
}

void floe_k_ht_find(const floe_k_hashtable *table, const floe_k_keys *keys, const uint64_t *hashes,
                    const uint16_t *selection, size_t count, uint32_t *group_ids)
{
    floe_k_dispatch_get()->ht_find(table, keys, hashes, selection, count, group_ids);
}
