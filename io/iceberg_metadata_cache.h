/*
 * iceberg_metadata_cache.h — each Iceberg metadata file parsed once per process, shared
 * read-only by every table opened on it.
 *
 * Why. One refresh opens the same table several times (the catalog listing, the refresh driver,
 * the delta scan, the operators...), and each open used to parse the table's whole metadata
 * JSON again: with a long snapshot history that parse dominated what a small incremental
 * refresh does besides decoding. A metadata file never changes once published (a commit
 * writes vN+1, it does not rewrite vN: DESIGN.md, "The lake"), so a parse can be reused for as
 * long as the same file is on disk.
 *
 * Decisions:
 *   - The key is the path plus the file's bytes as stored: every acquire reads the file (tens
 *     of kilobytes, a small part of what parsing them costs) and compares it with the cached
 *     copy. Equal bytes parse to equal metadata, so a hit is right by construction, whenever
 *     and however the file was written: no reliance on inode numbers or coarse file times,
 *     which a table dropped and created again within one clock tick could repeat.
 *   - Shared by reference count: acquire takes a reference, release drops it. Unreferenced
 *     entries are kept, at most FLOE_ICE_METADATA_CACHE_UNREFERENCED of them, the least
 *     recently released evicted first, so a long-running scheduler does not grow without end.
 *     An unreferenced entry whose path now holds other bytes is dropped when that file is
 *     acquired.
 *   - Thread-safe: one process-wide mutex guards the entries; reading and parsing happen
 *     outside it (two threads missing on the same file may both parse it; one parse is kept).
 *   - The metadata handed out is const: nobody may change it (io/iceberg_commit.c builds a new
 *     version from a copy it parses itself).
 *
 * Errors: as floe_ice_table_metadata_read_file (FLOE_ECORRUPT, FLOE_EUNSUPPORTED, FLOE_ENOMEM,
 * -errno naming the path).
 *
 * Memory: the cache owns every parse; a caller owns one reference per successful acquire and
 * gives it back with release. Entries still cached at exit stay reachable from the cache.
 */
#ifndef FLOE_IO_ICEBERG_METADATA_CACHE_H
#define FLOE_IO_ICEBERG_METADATA_CACHE_H

#include "io/iceberg_metadata.h" /* floe_ice_table_metadata */
#include "kernels/status.h"

#include <stddef.h>

enum { FLOE_ICE_METADATA_CACHE_UNREFERENCED = 32 }; /* unreferenced entries kept */

/* The parsed metadata of the file at `path`, from the cache or parsed now; one reference. */
int floe_ice_metadata_cache_acquire(const char *path, const floe_ice_table_metadata **metadata,
                                    floe_error *err);

/* Drops a reference taken by acquire. NULL is allowed. */
void floe_ice_metadata_cache_release(const floe_ice_table_metadata *metadata);

typedef struct floe_ice_metadata_cache_stats {
    size_t parses;       /* files parsed by acquire since the process started */
    size_t hits;         /* acquires answered without parsing */
    size_t entries;      /* parses held now (referenced or not) */
    size_t unreferenced; /* of those, kept with no reference */
} floe_ice_metadata_cache_stats;

void floe_ice_metadata_cache_stats_get(floe_ice_metadata_cache_stats *stats);

/* Frees every unreferenced entry (tests start from an empty cache with it). */
void floe_ice_metadata_cache_clear(void);

#endif
