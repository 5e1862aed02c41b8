/*
 * iceberg_table_int.h — what iceberg_table.c (opening, scan planning) shares with
 * iceberg_changes.c (change detection): the per-call manifest cache, a snapshot's manifest
 * list, and turning a manifest entry into a floe_ice_scan_file. Not for other callers.
 */
#ifndef FLOE_IO_ICEBERG_TABLE_INT_H
#define FLOE_IO_ICEBERG_TABLE_INT_H

#include "io/iceberg_table.h"

/* The manifests of a snapshot: from its manifest list, or (v1) from the snapshot's own
 * "manifests" array, in which case added_snapshot_id is -1 (unknown) for every entry. */
typedef struct floe_ice_snapshot_manifests {
    floe_ice_manifest_list *list;   /* NULL for a v1 "manifests" snapshot */
    floe_ice_manifest_file *files;  /* list->entries, or an array in the caller's arena */
    size_t count;
} floe_ice_snapshot_manifests;

int floe_ice_manifest_cache_create(floe_ice_manifest_cache **cache, floe_error *err);
void floe_ice_manifest_cache_free(floe_ice_manifest_cache *cache);
size_t floe_ice_manifest_cache_reads(const floe_ice_manifest_cache *cache);

/* The manifest a list entry names, read (and inheritance applied) on first use, then cached. */
int floe_ice_manifest_cache_get(floe_ice_manifest_cache *cache, const floe_ice_table *table,
                                const floe_ice_manifest_file *list_entry,
                                floe_ice_manifest **manifest, floe_error *err);

/* Reads a snapshot's manifest list through the cache's manifest reader (a missing one is FLOE_ENOTFOUND naming the stored path
 * and the snapshot). `arena` holds the v1 array form. Release with _fini. */
int floe_ice_snapshot_manifests_load(const floe_ice_table *table,
                                     const floe_ice_snapshot *snapshot,
                                     floe_ice_manifest_cache *cache, floe_arena *arena,
                                     floe_ice_snapshot_manifests *out, floe_error *err);
void floe_ice_snapshot_manifests_fini(floe_ice_snapshot_manifests *manifests);

/* Fills *out from one (inherited) manifest entry; strings are copied into `arena`. */
int floe_ice_scan_file_fill(const floe_ice_table *table, floe_arena *arena,
                            const floe_ice_manifest *manifest,
                            const floe_ice_manifest_entry *entry, floe_ice_scan_file *out,
                            floe_error *err);

#endif
