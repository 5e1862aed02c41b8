/*
 * catalog_fs.h — the file-system catalog: where tables live in a warehouse directory, which
 * version of a table is current, and the commit protocol that publishes a new version atomically
 * (DESIGN.md, "The lake").
 *
 * This layer is format-agnostic: it moves bytes and names. The table layer above serializes the
 * metadata JSON, and this layer publishes it as the next version.
 *
 * Layout (Hadoop-catalog, what Spark's HadoopCatalog and DuckDB's iceberg_scan read):
 *   <warehouse>/<ns>/<name>/metadata/vN.metadata.json   version N (N >= 1 for Floe's writes)
 *   <warehouse>/<ns>/<name>/metadata/version-hint.text  "N" (a hint, see below)
 *   <warehouse>/<ns>/<name>/data/                       data files
 *   <warehouse>/<ns>/<name>/floe/state/                 keyed-state files
 * Table names are exactly "ns.name" (multi-level namespaces are not supported); each part is
 * 1..128 characters of [A-Za-z0-9_-], so a name can never climb out of the warehouse ("..", '/',
 * empty parts are rejected with FLOE_ESYNTAX naming the bad part).
 *
 * Which version is current. The hint is only a hint: a crash between publishing vN and
 * rewriting the hint leaves it one version behind, and two writers finishing out of order can
 * leave it behind too. The current version is the highest N such that vN exists, found as:
 *   1. floe_ice_locate_metadata (io/iceberg_locate.h): the hint's version when the hint is
 *      valid and its file exists, else the newest metadata file by name;
 *   2. if that fails because of the hint (garbage, or naming a missing file), a directory scan
 *      that ignores the hint (the same name forms as locate: vN, NNNNN-<uuid>, gzip forms);
 *   3. then probing forward: while v(N+1).metadata.json (or a gzip form) exists, N = N + 1 —
 *      what Iceberg's HadoopTableOperations does when it refreshes.
 * Since a version is only published after every version below it (publish(N) needs vN), step 3
 * always reaches the newest version. Every publish rewrites the hint to the newest version it
 * sees after its own rename, so the hint is repaired by the next commit and, without crashes,
 * is exact once writers are idle. The hint is never ahead of a published file: it is written
 * only after the file it names is published.
 *
 * Commit protocol (floe_io_catalog_publish), optimistic, one atomic step:
 *   0. (caller) write data, state and manifest files under new unique names
 *      (floe_io_catalog_new_file_path + floe_io_write_file_durable, which fsyncs each file);
 *   1. write metadata/.tmp-<uuid>.metadata.json with the new metadata bytes, fsync it;
 *   2. fsync the directories metadata/, data/ and floe/state/ (those that exist), so every file
 *      the new version names is durable before it becomes visible. Files in deeper
 *      subdirectories (partition folders) need their directory synced by the caller;
 *   3. publish: link(2) the temporary file to metadata/v(N+1).metadata.json, which fails if that
 *      name exists (on file systems without hard links, renameat2(RENAME_NOREPLACE), same
 *      semantics; never a plain rename, which would overwrite). Then fsync metadata/ and remove
 *      the temporary name. This is the commit point;
 *   4. rewrite version-hint.text: metadata/.tmp-<uuid>.version-hint.text, fsync, rename(2) over
 *      the hint, fsync metadata/; repeated if a newer version appeared meanwhile.
 * If v(N+1) exists, another writer won: FLOE_ECONFLICT ("<dir>: version 8 was published by
 * another writer"), the temporary file is removed and nothing else changed; the caller reloads
 * and retries, or aborts. A crash at any point leaves the old or the new version current, never
 * a mix (the published file is complete before it gets its name); a killed attempt leaves only
 * `.tmp-*` files and its unreferenced data files, which floe_io_catalog_list_orphans finds.
 *
 * Creating a table is publishing version 1 with expected_version 0: publish creates the table
 * directory (mkdir -p, parents fsynced), metadata/ and data/. If the table already has a metadata
 * file, or another creator publishes v1 first, the result is FLOE_ECONFLICT. Limitation: a foreign
 * table whose only metadata file is version 0 (00000-<uuid>.metadata.json) cannot be committed
 * to, since expected_version 0 means "no table yet".
 *
 * Publish results: *published_version is 0 unless the new version became visible. It is set to
 * N+1 as soon as the link succeeds, even if a later step (the directory fsync, the hint) then
 * fails and the call returns an error: a non-zero *published_version means the version IS
 * committed and must not be retried; the error only reports that durability or the hint could
 * not be confirmed.
 *
 * Orphans (for `floe-engine vacuum`): floe_io_catalog_list_orphans lists, under the table
 * directory, every `.tmp-*` file anywhere, and every file under data/, metadata/ and the folders
 * of floe/ (state/, changelog/) that is not in the caller's referenced set — except metadata JSON
 * files (versions are history; expiring them is another decision), version-hint.text and the
 * files directly in floe/ (the engine's refresh lock and last-error record). Only files last
 * modified at least
 * min_age_seconds ago are listed (0: every file), so a vacuum does not delete the files of a
 * commit in flight (Iceberg's remove_orphan_files uses days; tests use 0).
 *
 * Test hook: floe_io_catalog_set_test_hooks installs a callback run between the protocol's steps
 * with the step's name ("temp-written", "directories-synced", "published", "temp-removed",
 * "hint-temp-written", "hint-renamed"), so crash tests can kill a process inside the protocol,
 * and can force the renameat2 path. Process-wide; not for production use; costs one pointer test
 * per step when unset.
 *
 * Paths come out as absolute as the table directory given: pass an absolute table directory
 * when the paths will be stored in metadata (DESIGN.md: paths in metadata are absolute).
 *
 * Memory: path outputs go into caller buffers (FLOE_ERANGE when too small); lists and the
 * metadata path from current_version are floe_malloc'ed and released by the matching free.
 * Errors: FLOE_ESYNTAX (bad table name), FLOE_EINVAL (bad argument), FLOE_ENOTFOUND (no such
 * table or warehouse), FLOE_ECONFLICT, FLOE_EUNSUPPORTED (no atomic no-replace operation on this
 * file system), FLOE_ENOMEM, FLOE_ERANGE, -errno; each with one line naming the path.
 */
#ifndef FLOE_IO_CATALOG_FS_H
#define FLOE_IO_CATALOG_FS_H

#include "kernels/status.h" /* floe_error */

#include <stddef.h>
#include <stdint.h>

/* Longest identifier part accepted in a table name. */
#define FLOE_IO_CATALOG_MAX_IDENTIFIER 128

/* A list of strings (table names or paths), each floe_malloc'ed, sorted by strcmp. */
typedef struct floe_io_string_list {
    char **items;
    size_t count;
    size_t capacity;
} floe_io_string_list;

void floe_io_string_list_init(floe_io_string_list *list);
void floe_io_string_list_fini(floe_io_string_list *list); /* frees items; list reusable after */

/* ---- names and paths --------------------------------------------------------------------- */

/* Checks one identifier (a namespace or a table name part). */
int floe_io_catalog_check_identifier(const char *identifier, floe_error *err);

/* "<warehouse>/<ns>/<name>" for table_name "ns.name". Touches no file. */
int floe_io_catalog_table_directory(const char *warehouse, const char *table_name, char *buffer,
                                    size_t capacity, floe_error *err);

/* "<table_directory>/metadata/v<version>.metadata.json". */
int floe_io_catalog_metadata_path(const char *table_directory, int64_t version, char *buffer,
                                  size_t capacity, floe_error *err);

/* A new unique file name "<table_directory>/<subdirectory>/<prefix><uuid><suffix>", e.g.
 * ("data", "00000-", ".parquet"), ("metadata", "", "-m0.avro"), ("metadata", "snap-42-", ".avro"),
 * ("floe/state", "bucket-3-", ".parquet"). subdirectory is relative, without "." or ".."
 * components; prefix and suffix contain no '/'. Touches no file: create the subdirectory with
 * floe_io_make_directories if needed. */
int floe_io_catalog_new_file_path(const char *table_directory, const char *subdirectory,
                                  const char *prefix, const char *suffix, char *buffer,
                                  size_t capacity, floe_error *err);

/* ---- listing ----------------------------------------------------------------------------- */

/* Namespaces of the warehouse that hold at least one table, sorted. A missing warehouse is
 * FLOE_ENOTFOUND. Directories whose names are not valid identifiers are skipped. */
int floe_io_catalog_list_namespaces(const char *warehouse, floe_io_string_list *namespaces,
                                    floe_error *err);

/* Tables ("ns.name", sorted) of one namespace, or of all when namespace_name is NULL: the
 * directories <warehouse>/<ns>/<name> that hold a metadata/ directory. */
int floe_io_catalog_list_tables(const char *warehouse, const char *namespace_name,
                                floe_io_string_list *tables, floe_error *err);

/* ---- versions and the commit ------------------------------------------------------------- */

/* The current (newest published) version, see above. metadata_path may be NULL; otherwise it
 * receives the current metadata file's path (floe_free it). No metadata/ directory or no
 * metadata file: FLOE_ENOTFOUND. */
int floe_io_catalog_current_version(const char *table_directory, int64_t *version,
                                    char **metadata_path, floe_error *err);

/* Publishes metadata bytes as version expected_version + 1 (see the protocol above). */
int floe_io_catalog_publish(const char *table_directory, int64_t expected_version,
                            const void *metadata, size_t size, int64_t *published_version,
                            floe_error *err);

/* ---- orphans ----------------------------------------------------------------------------- */

/* Lists orphan files (full paths, sorted) of the table. referenced[] are the paths the table's
 * live metadata names, each either relative to the table directory ("data/x.parquet") or
 * absolute and inside it; resolve file: URIs and moved locations first (floe_ice_resolve_path).
 * Other paths in referenced[] are ignored. */
int floe_io_catalog_list_orphans(const char *table_directory, const char *const *referenced,
                                 size_t referenced_count, int64_t min_age_seconds,
                                 floe_io_string_list *orphans, floe_error *err);

/* Removes the listed files, each of which must lie inside table_directory (else FLOE_EINVAL,
 * nothing removed); files already gone are not an error. Directories holding removed files are
 * fsynced. *removed (may be NULL) counts the files unlinked. */
int floe_io_catalog_remove_files(const char *table_directory, const floe_io_string_list *files,
                                 size_t *removed, floe_error *err);

/* ---- test hooks -------------------------------------------------------------------------- */

typedef struct floe_io_catalog_test_hooks {
    void (*on_step)(const char *step, void *context); /* may be NULL */
    void *context;
    int force_rename_publish; /* publish with renameat2(RENAME_NOREPLACE), not link(2) */
} floe_io_catalog_test_hooks;

/* Installs hooks (copied); NULL removes them. */
void floe_io_catalog_set_test_hooks(const floe_io_catalog_test_hooks *hooks);

#endif
