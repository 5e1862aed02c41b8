/*
 * vacuum.h — removes what no version of a table needs any more: files of commits that never
 * published (a crash, a lost conflict, a failed refresh), state files that no snapshot's state
 * manifest names, and temporary files (DESIGN.md, "The lake"; the CLI's `vacuum`).
 *
 * What is kept (the "referenced" set), from the table's current metadata, as Iceberg's
 * remove_orphan_files decides reachability:
 *   - every snapshot's manifest list, every manifest in it (v1 snapshots: their manifests), and
 *     every data and delete file those manifests name, whatever the entry's status (a DELETED
 *     entry still names a file that an older snapshot reads);
 *   - for each snapshot whose summary names a state manifest (`floe.state-manifest`) or a
 *     changelog (`floe.changelog`): that file and every file the state manifest lists;
 *   - metadata JSON files and version-hint.text are never removed (io/catalog_fs.h).
 * Everything else under data/, metadata/ and floe/ that is at least min_age_seconds old is an
 * orphan (io/catalog_fs.h floe_io_catalog_list_orphans). The age guard is what keeps a vacuum from
 * deleting the files of a commit in flight: use an age longer than any refresh takes (the CLI's
 * default is one hour).
 *
 * A referenced path that no longer exists is skipped. A manifest, manifest list or state manifest
 * that cannot be read stops the vacuum of that table with the error (removing files while unsure
 * what is referenced could destroy data).
 *
 * Ownership: the result's list (when asked for) is the caller's (floe_io_string_list_fini).
 * Errors: FLOE_ENOTFOUND (no such table), FLOE_ECORRUPT / -errno from reading metadata,
 * FLOE_ENOMEM; one line naming the table and the file.
 */
#ifndef FLOE_ENGINE_VACUUM_H
#define FLOE_ENGINE_VACUUM_H

#include "io/catalog_fs.h" /* floe_io_string_list */
#include "kernels/status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct floe_eng_vacuum_result {
    size_t referenced_files; /* distinct files the table's metadata names */
    size_t orphan_files;     /* orphans found (removed unless dry_run) */
    int64_t orphan_bytes;
} floe_eng_vacuum_result;

/* Vacuums one table (a directory, or "ns.name" in warehouse). `orphans` may be NULL; otherwise it
 * receives the orphans' paths (sorted). */
int floe_eng_vacuum_table(const char *warehouse, const char *table, int64_t min_age_seconds,
                          bool dry_run, floe_eng_vacuum_result *result,
                          floe_io_string_list *orphans, floe_error *err);

#endif
