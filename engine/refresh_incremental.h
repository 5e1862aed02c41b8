/*
 * refresh_incremental.h — the incremental refresh of a dynamic table: the change of its sources
 * folded into keyed state, only what the change touches rewritten, all of it published by ONE
 * Iceberg commit (DESIGN.md, "Incremental maintenance", "Keyed state and output", "Lineage").
 * refresh.c decides when to use it (dynamic_table.h).
 *
 * Shapes handled (floe_eng_incremental_shape):
 *   - aggregating: the root is a chain of PROJECT / FILTER (HAVING) nodes over ONE AGGREGATE
 *     whose input engine/delta_plan.h can differentiate (SCAN, FILTER, PROJECT, UNION ALL and
 *     inner / left equi-JOINs, any number of sources): bucketed state, merged output, below;
 *   - non-aggregating: a plan without AGGREGATE that delta_plan.h can differentiate: appended
 *     output files and position deletes (engine/refresh_rows.c, refresh_incremental_int.h).
 * Other maintainable plans are named by *construct ("aggregates over aggregates", "aggregates
 * under other operators", "constant rows (VALUES)") and run FULL.
 *
 * The rest of this header describes the aggregating path.
 *
 * One refresh (floe_eng_incremental_run, then _commit):
 *   1. the change of the aggregate's input from the snapshots the last refresh consumed to the
 *      sources' current ones (a rebuild: from -1, the empty table) is compiled
 *      (engine/delta_plan.h) and drained into a delta state D (engine/group_state.h: keys and
 *      arguments evaluated, rows folded with their weights);
 *   2. D's group hashes name the touched buckets (floe_eng_state_bucket_of). For a keyed table
 *      each touched bucket is then refreshed on its own, on the context's threads (results
 *      recorded in bucket order, so the files do not depend on timing): its state file is read
 *      and D's groups of that bucket are merged in, groups left empty removed. When every
 *      aggregate is COUNT, COUNT(*), SUM or AVG the bucket is streamed: a hash table is built
 *      on D's part only, the file's rows are patched in place where their key matches and D's
 *      new groups appended; otherwise (MIN, MAX, DISTINCT keep values per group) the file is
 *      imported into a keyed state, presized for the file plus D's part;
 *      buckets no change reaches are never opened. A rebuild has nothing to load: S = D, and
 *      the bucket count B is chosen now from the group count (the smallest power of two giving
 *      at most 65536 groups a bucket, 1 for small tables). Growth: when the touched buckets show
 *      more than twice 65536 groups a bucket on average, every bucket is loaded into one state,
 *      merged and re-bucketed at the new count in that refresh (every output file replaced), as
 *      an array doubles; a keyless table (one group) also uses one state;
 *   3. per touched bucket: a new state file and a new output file (the groups' result rows
 *      through the PROJECT / FILTER chain, plus `_floe_refresh` = this refresh's number, so
 *      every row of a written file was written by this refresh); a bucket left without
 *      groups gets neither, a bucket whose groups all fail HAVING gets a state file only.
 *      Overlays: a streamed bucket of a table without HAVING (so row r of its state file is
 *      row r of its output file) whose changed groups, those of its overlay so far and D's,
 *      are at most a quarter of its state file's keeps its two files and gets a new overlay
 *      instead (state_store.h, "Overlays"): a state file of just those groups (a group the
 *      bucket's state file holds and the change emptied as a row of count 0), an output file
 *      of their rows, and a position delete file deleting their rows from the bucket's output
 *      file. A change then writes in proportion to the groups it touches, not to the bucket's,
 *      while the bucket's files are still read whole; the overlay is rewritten by each change
 *      of the bucket until a change passes the quarter, which rewrites the bucket whole and
 *      drops it (so a bucket holds at most one overlay, its deletes at most a quarter of its
 *      output rows). The quarter: at 5% of 1M groups (a 50K-row change of GROUP BY
 *      customer_id) an overlay refresh took 57 ms where the rewrite took 98 ms;
 *   4. a new state manifest (engine/state_store.h): the old one with the touched buckets
 *      replaced (a rebuild: a new one), set "aggregate";
 *   5. floe_eng_incremental_commit: ONE `overwrite` snapshot that adds the new output files
 *      (and overlays' delete files) and removes the touched buckets' old ones (an overlay's
 *      old output and delete files go with it; plus whatever the caller lists: a rebuild
 *      removes every file the table had), with the caller's summary, expected_snapshot_id
 *      and the schema the files were written with.
 *
 * State file layout (Parquet, <table>/floe/state/bucket-<uuid>.parquet, columns in order; one
 * file holds a bucket's groups and, after them, the entries of its MIN / MAX / DISTINCT calls as
 * rows of their own, so a bucket is one file the manifest names):
 *   _floe_kind   INT32 NOT NULL   0: a group row; c + 1: an entry of call c
 *   _floe_group  INT64 NOT NULL   group row: its number in the file (0, 1, ...); entry: the
 *                                 number of the group it belongs to
 *   _floe_count  INT64 NOT NULL   group row: the group's row count; entry: its net count
 *   key_<k>      key type k       group rows: the key (NULL keys as NULL); entries: NULL
 *   per call c, by kind (group_state.h's flat form):
 *     COUNT(x)                    call_<c>_count INT64
 *     SUM(x), AVG(x)              call_<c>_count INT64, then for integers and decimals
 *                                 call_<c>_sum INT64 and call_<c>_sum_high INT64: the low and
 *                                 the high 64 bits of the int128 sum in the argument's scale;
 *                                 for floats call_<c>_sum DOUBLE
 *     MIN, MAX, DISTINCT calls    call_<c>_value of the argument's type (entry rows only)
 *     COUNT(*)                    nothing (the row count)
 *   _floe_base_row INT64 NOT NULL in an overlay's state file only, last: the row of the
 *                                 bucket's state file holding the same key (which this row
 *                                 replaces), or -1 for a key the state file lacks
 * Integer columns are DELTA_BINARY_PACKED and the file has no codec (refresh_incremental.c,
 * write_options_init). Reading checks names and types against the query: a state written for
 * other types (a source's schema changed, or an older Floe's layout) is a fallback, not an
 * error.
 *
 * Changelog (DESIGN.md: each refresh stores its own delta). An INCREMENTAL refresh (not a
 * rebuild, which writes none: a downstream table then diffs files) also writes ONE Parquet file
 * <table>/floe/changelog/changes-<uuid>.parquet holding the change of the table's rows: for
 * every group the delta D touched, its old result row with weight -1 if it existed and passed
 * the PROJECT / FILTER chain (HAVING) before the refresh, and its new row with weight +1 if it
 * exists and passes after; an old row identical to its new row (value by value, NULL equal to
 * NULL) is left out with it. So a group that disappears or stops passing HAVING has only its
 * -1, a new one (or one that starts passing) only its +1, and the file's rows applied to the
 * table's previous rows give exactly its new rows (as a Z-set, `_floe_refresh` aside).
 * Columns: the table's current-schema columns except `_floe_refresh` (same names, types and
 * Iceberg field ids as the output files), then `_floe_weight` INT64 NOT NULL, field id
 * FLOE_ICE_CHANGELOG_WEIGHT_FIELD_ID (io/iceberg_scan.h: 2147482646, in Iceberg's reserved
 * range below its metadata columns, so no table column can collide with it). The rows of a
 * touched group are found by key, not by reading old output files: D's groups are mapped once
 * into their bucket's state (floe_eng_group_state_map_groups, or matched in D's part when the
 * bucket is streamed), and their rows read before and after D is added. The file (Snappy, no
 * dictionary: only downstream dynamic tables read it) is written, possibly with no rows, by
 * every incremental refresh, listed among the refresh's files (deleted when it is not
 * committed), and its path
 * and row count are what refresh.c records in the snapshot summary (FLOE_ENG_SUMMARY_CHANGELOG,
 * FLOE_ENG_SUMMARY_CHANGELOG_ROWS), which the change reader of a downstream table follows
 * (io/iceberg_scan.h, changelog_summary_key) and vacuum keeps (engine/vacuum.h). A
 * non-aggregating table's incremental refresh writes one too, in the same layout: its folded
 * change, each distinct row once with its net count as weight.
 *
 * Output files are written here with the Parquet writer (Iceberg field ids of the table's
 * current schema, the writer's Iceberg metrics in the manifest entries), not with
 * table_writer.h: the manifest must name each bucket's file before the commit, and the table
 * writer neither ends a file on demand nor tells its paths.
 *
 * Fallbacks. floe_eng_incremental_run returns FLOE_OK with *out NULL and a reason in `fallback`
 * when the refresh cannot be incremental and must rebuild: the state manifest or a state file
 * is missing or unreadable or of other types, a source's consumed snapshot is no longer in its
 * history (or the change reader says FLOE_ENOTFOUND). A rebuild (previous_manifest NULL) never
 * falls back.
 *
 * Ownership: a floe_eng_incremental owns every file it wrote; floe_eng_incremental_free deletes
 * them unless they were committed (an attempt killed before the commit leaves orphans for
 * vacuum). Errors: those of reading the sources and running the query, of the Parquet writer
 * and the commit (FLOE_ECONFLICT when the table changed since it was read), FLOE_ENOMEM.
 */
#ifndef FLOE_ENGINE_REFRESH_INCREMENTAL_H
#define FLOE_ENGINE_REFRESH_INCREMENTAL_H

#include "engine/database.h"   /* floe_eng_database */
#include "engine/delta_plan.h" /* floe_eng_delta_source */
#include "io/iceberg_table.h"  /* floe_ice_table, floe_ice_property */
#include "kernels/status.h"
#include "sql/plan.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- used by refresh.c and dynamic_table.c (EXPLAIN, CREATE) ---- */

/* The refresh reason floe_eng_refresh_prepare gives when the next refresh is incremental, and
 * the summary key of the state manifest. */
#define FLOE_ENG_REFRESH_INCREMENTAL_REASON "source changes since the last refresh"
#define FLOE_ENG_SUMMARY_STATE_MANIFEST "floe.state-manifest"

/* The summary keys of an incremental refresh's changelog (above): its path, its row count. */
#define FLOE_ENG_SUMMARY_CHANGELOG "floe.changelog"
#define FLOE_ENG_SUMMARY_CHANGELOG_ROWS "floe.changelog-rows"

struct floe_eng_refresh_plan; /* engine/dynamic_table_int.h */

/* Whether the refresh prepared in `plan` runs incrementally (from the state the last refresh
 * kept), and whether it keeps state at all (an AUTO / INCREMENTAL table of the shape below:
 * its full refreshes build the state the next incremental one starts from). */
bool floe_eng_refresh_plan_incremental(const struct floe_eng_refresh_plan *plan);
bool floe_eng_refresh_plan_keeps_state(const struct floe_eng_refresh_plan *plan);

/* The name of the state set an aggregating table keeps. */
#define FLOE_ENG_STATE_SET_AGGREGATE "aggregate"

/* Whether `plan` has the shape built here (above); when not, *construct names what is not
 * built yet (a phrase for "incremental maintenance of <construct> is not built yet"). */
bool floe_eng_incremental_shape(const floe_sql_plan *plan, const char **construct);

/* A source of the table: from_snapshot_id is the snapshot the last refresh consumed (-1: the
 * empty table), to_snapshot_id its current one (-1: none). */
typedef floe_eng_delta_source floe_eng_incremental_source;

typedef struct floe_eng_incremental_counts {
    int64_t rows_read, files_read, bytes_read; /* the sources' scans */
    int64_t rows_written;                      /* rows of the new output files */
    int64_t state_files_read, state_bytes;     /* state files loaded; bytes of the new manifest's
                                                  state files (all buckets) */
    uint32_t bucket_count, buckets_touched;
    int64_t changelog_rows;                    /* rows of the changelog (0 when none) */
} floe_eng_incremental_counts;

typedef struct floe_eng_incremental floe_eng_incremental;

enum { FLOE_ENG_FALLBACK_SIZE = 256 };

/* Steps 1-4 for `table` (opened at the version the refresh read) and `plan` (the shape above).
 * previous_manifest: the state manifest the last refresh recorded, or NULL to rebuild.
 * Returns OK with *out set, or OK with *out NULL and `fallback` (FLOE_ENG_FALLBACK_SIZE bytes)
 * saying why an incremental refresh must rebuild. */
int floe_eng_incremental_run(floe_eng_database *db, const floe_ice_table *table,
                             const floe_sql_plan *plan, const floe_eng_incremental_source *sources,
                             uint32_t source_count, const char *previous_manifest,
                             int64_t refresh_number, floe_eng_incremental **out, char *fallback,
                             floe_error *err);

const floe_eng_incremental_counts *floe_eng_incremental_counts_of(const floe_eng_incremental *inc);
/* The new state manifest's path (for floe.state-manifest). */
const char *floe_eng_incremental_manifest_path(const floe_eng_incremental *inc);
/* The changelog's path (for floe.changelog); NULL when the refresh wrote none (a rebuild, a
 * non-aggregating table). */
const char *floe_eng_incremental_changelog_path(const floe_eng_incremental *inc);

/* Step 5. also_removed: more files to remove (a rebuild: every file the table had; paths as
 * stored). expected_snapshot_id as io/iceberg_commit.h. After success the files are the
 * table's. */
int floe_eng_incremental_commit(floe_eng_incremental *inc, const char *const *also_removed,
                                size_t also_removed_count, const floe_ice_property *summary,
                                size_t summary_count, int64_t expected_snapshot_id,
                                floe_error *err);

/* Frees; files not committed are deleted. NULL is a no-op. */
void floe_eng_incremental_free(floe_eng_incremental *inc);

#endif
