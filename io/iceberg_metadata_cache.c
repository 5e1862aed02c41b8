/*
 * iceberg_metadata_cache.c — the process-wide cache of parsed metadata files (contract in
 * iceberg_metadata_cache.h).
 *
 * Why a flat array searched linearly: it holds the metadata of the tables open right now plus
 * at most FLOE_ICE_METADATA_CACHE_UNREFERENCED others, tens of entries in practice, and a
 * lookup compares a size before it compares a path and the bytes. Parsing a metadata file
 * costs far more than scanning the array, and a lookup by the metadata pointer (release) is
 * the same scan with no hashing to keep consistent.
 */
#include "io/iceberg_metadata_cache.h"

#include "kernels/memory.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef struct cache_entry {
    char *path;
    char *bytes; /* the file as stored when it was parsed */
    size_t size;
    floe_ice_table_metadata *metadata;
    size_t references;
    uint64_t released_at; /* cache clock when the last reference went, for eviction */
} cache_entry;

static struct {
    pthread_mutex_t mutex;
    cache_entry *entries;
    size_t count;
    size_t capacity;
    size_t unreferenced;
    uint64_t clock;
    size_t parses;
    size_t hits;
} cache = {.mutex = PTHREAD_MUTEX_INITIALIZER};

/* The entry for `path` holding exactly `bytes`, or NULL. Caller holds the mutex. */
static cache_entry *find(const char *path, const char *bytes, size_t size)
{
    for (size_t i = 0; i < cache.count; i++) {
        cache_entry *entry = &cache.entries[i];
        if (entry->size == size && strcmp(entry->path, path) == 0 &&
            memcmp(entry->bytes, bytes, size) == 0)
            return entry;
    }
    return NULL;
}

/* Takes entry i out of the array (order is not kept) and hands its contents to *removed.
 * Caller holds the mutex and frees *removed after unlocking. */
static void take_out(size_t i, cache_entry *removed)
{
    *removed = cache.entries[i];
    if (removed->references == 0) cache.unreferenced--;
    cache.entries[i] = cache.entries[--cache.count];
}

static void entry_fini(cache_entry *entry)
{
    floe_ice_table_metadata_free(entry->metadata);
    floe_free(entry->bytes);
    floe_free(entry->path);
}

/* Takes out the least recently released unreferenced entry. Caller holds the mutex. */
static bool take_out_oldest_unreferenced(cache_entry *removed)
{
    size_t oldest = cache.count;
    for (size_t i = 0; i < cache.count; i++) {
        const cache_entry *entry = &cache.entries[i];
        if (entry->references == 0 &&
            (oldest == cache.count || entry->released_at < cache.entries[oldest].released_at))
            oldest = i;
    }
    if (oldest == cache.count) return false;
    take_out(oldest, removed);
    return true;
}

/* Takes out an unreferenced entry for `path` that holds other bytes: the file at that path
 * was replaced, and its old parse can never be asked for again. Caller holds the mutex. */
static bool take_out_replaced(const char *path, cache_entry *removed)
{
    for (size_t i = 0; i < cache.count; i++) {
        const cache_entry *entry = &cache.entries[i];
        if (entry->references == 0 && strcmp(entry->path, path) == 0) {
            take_out(i, removed);
            return true;
        }
    }
    return false;
}

static char *copy_string(const char *text)
{
    size_t length = strlen(text);
    char *copy = floe_malloc(length + 1);
    if (copy != NULL) memcpy(copy, text, length + 1);
    return copy;
}

int floe_ice_metadata_cache_acquire(const char *path, const floe_ice_table_metadata **out,
                                    floe_error *err)
{
    *out = NULL;
    cache_entry fresh = {0};
    FLOE_TRY(floe_ice_table_metadata_read_bytes(path, &fresh.bytes, &fresh.size, err));
    pthread_mutex_lock(&cache.mutex);
    cache_entry *hit = find(path, fresh.bytes, fresh.size);
    if (hit != NULL) {
        if (hit->references++ == 0) cache.unreferenced--;
        cache.hits++;
        *out = hit->metadata;
    }
    pthread_mutex_unlock(&cache.mutex);
    if (*out != NULL) {
        entry_fini(&fresh);
        return FLOE_OK;
    }

    int status =
        floe_ice_table_metadata_parse_stored(fresh.bytes, fresh.size, path, &fresh.metadata, err);
    if (status == FLOE_OK) {
        fresh.path = copy_string(path);
        if (fresh.path == NULL)
            status = floe_error_set(err, FLOE_ENOMEM, "%s: out of memory", path);
    }
    if (status != FLOE_OK) {
        entry_fini(&fresh);
        return status;
    }
    fresh.references = 1;

    cache_entry removed = {0};
    pthread_mutex_lock(&cache.mutex);
    cache.parses++;
    hit = find(path, fresh.bytes, fresh.size);
    if (hit != NULL) { /* another thread parsed it meanwhile: keep one */
        if (hit->references++ == 0) cache.unreferenced--;
        *out = hit->metadata;
    } else if (cache.count == cache.capacity) {
        size_t capacity = cache.capacity ? cache.capacity * 2 : 16;
        cache_entry *grown = floe_realloc(cache.entries, capacity * sizeof *grown);
        if (grown != NULL) {
            cache.entries = grown;
            cache.capacity = capacity;
        }
    }
    if (hit == NULL && cache.count < cache.capacity) {
        take_out_replaced(path, &removed);
        cache.entries[cache.count++] = fresh;
        *out = fresh.metadata;
    }
    pthread_mutex_unlock(&cache.mutex);
    entry_fini(&removed);
    if (*out == NULL) {
        entry_fini(&fresh);
        return floe_error_set(err, FLOE_ENOMEM, "%s: out of memory", path);
    }
    if (*out != fresh.metadata) entry_fini(&fresh);
    return FLOE_OK;
}

void floe_ice_metadata_cache_release(const floe_ice_table_metadata *metadata)
{
    if (metadata == NULL) return;
    cache_entry removed = {0};
    pthread_mutex_lock(&cache.mutex);
    for (size_t i = 0; i < cache.count; i++) {
        cache_entry *entry = &cache.entries[i];
        if (entry->metadata != metadata) continue;
        if (--entry->references > 0) break;
        entry->released_at = ++cache.clock;
        if (++cache.unreferenced > FLOE_ICE_METADATA_CACHE_UNREFERENCED)
            take_out_oldest_unreferenced(&removed);
        break;
    }
    pthread_mutex_unlock(&cache.mutex);
    entry_fini(&removed);
}

void floe_ice_metadata_cache_stats_get(floe_ice_metadata_cache_stats *stats)
{
    pthread_mutex_lock(&cache.mutex);
    stats->parses = cache.parses;
    stats->hits = cache.hits;
    stats->entries = cache.count;
    stats->unreferenced = cache.unreferenced;
    pthread_mutex_unlock(&cache.mutex);
}

void floe_ice_metadata_cache_clear(void)
{
    for (;;) {
        cache_entry removed = {0};
        pthread_mutex_lock(&cache.mutex);
        bool found = take_out_oldest_unreferenced(&removed);
        if (cache.count == 0) {
            floe_free(cache.entries);
            cache.entries = NULL;
            cache.capacity = 0;
        }
        pthread_mutex_unlock(&cache.mutex);
        if (!found) return;
        entry_fini(&removed);
    }
}
