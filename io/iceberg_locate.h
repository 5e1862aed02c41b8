/*
 * iceberg_locate.h — finding a file-system Iceberg table's current metadata file, and turning
 * the paths stored in its metadata into paths that exist on this machine.
 *
 * Locating (DESIGN.md, "The lake": the Hadoop-catalog layout). Given a table directory:
 *   1. metadata/version-hint.text holds N (surrounding whitespace and newlines allowed): the
 *      current file is metadata/vN.metadata.json, or the gzip forms vN.gz.metadata.json and
 *      vN.metadata.json.gz — or a later vM.metadata.json when v(N+1), v(N+2)... exist: a writer
 *      that crashed between publishing and rewriting the hint leaves it stale (DESIGN.md's
 *      commit protocol), and published versions are what count.
 *   2. Without a hint, or with one that is not a number or names a missing file (a hint is only
 *      a hint, as for Spark's HadoopTableOperations), the newest metadata file in metadata/: the
 *      highest N among
 *      vN.metadata.json and NNNNN-<anything>.metadata.json (pyiceberg, SQL and REST catalogs
 *      name them so), with the gzip forms too. Names like v3.1.metadata.json (not a version)
 *      are ignored. Two files with the same N (two writers raced without a catalog to arbitrate):
 *      the lexically greatest name wins, so the choice is at least deterministic.
 * Errors: no metadata folder or no metadata file → FLOE_ENOTFOUND with the path; other
 * file-system failures → -errno.
 *
 * Resolving. Paths in metadata may be absolute, `file:` / `file://` URIs or relative, and the
 * table may have been moved since they were written (or, as for the fixtures in
 * tests/data/iceberg, written relative to another project's root). floe_ice_resolve_path
 * tries, in order, and returns the first candidate that exists:
 *   1. the path itself, after dropping a file: scheme, when it is absolute;
 *   2. re-rooting: when the path (both sides without a file: scheme and a leading "./")
 *      starts with the table's stored `location` followed by '/', that prefix replaced by the
 *      table's real directory (a moved table);
 *   3. a moved warehouse: when the stored location and the real directory end in the same path
 *      components (".../warehouse/db/t" and "/lake/warehouse/db/t"), what precedes them is the
 *      old and the new root, and a path under the old root is re-rooted onto the new one (a data
 *      file outside the table's own folder, as pyiceberg writes when told to add files);
 *   4. a relative path joined to the real directory.
 * None exists → FLOE_ENOTFOUND naming the stored path and the last candidate tried. Other
 * URI schemes (s3:, hdfs:...) can only succeed through re-rooting.
 *
 * Memory: returned paths are allocated with floe_malloc; release them with floe_free.
 */
#ifndef FLOE_IO_ICEBERG_LOCATE_H
#define FLOE_IO_ICEBERG_LOCATE_H

#include "kernels/status.h" /* floe_error */

#include <stdint.h>

/* Finds the current metadata file of the table in `table_directory`. *version receives N
 * (may be NULL). */
int floe_ice_locate_metadata(const char *table_directory, char **metadata_path, int64_t *version,
                             floe_error *err);

/* The version N of a metadata file name (vN or NNNNN-<anything>, each with .metadata.json,
 * .gz.metadata.json or .metadata.json.gz), or -1 when the name is not a metadata file. */
int64_t floe_ice_metadata_file_version(const char *name);

/* Maps a path stored in metadata onto an existing file (see above). `stored_location` may be
 * NULL (no re-rooting). */
int floe_ice_resolve_path(const char *stored_path, const char *stored_location,
                          const char *table_directory, char **resolved, floe_error *err);

#endif
