/*
 * lineage.h — traces rows of a dynamic table back to the refresh that wrote them, the source
 * snapshots that refresh consumed and the source data files that contributed to them
 * (DESIGN.md, "Lineage"; `floe-engine lineage TABLE [--where EXPR] [--limit N]`).
 *
 * What is traced, per output row (the table read at its current snapshot):
 *   - the row (every column, `_floe_refresh` included) and its refresh number r;
 *   - refresh r: the snapshot of the table whose summary has floe.refresh-number = r (searched
 *     in the current snapshot's ancestry), its commit time, mode and reason, rows and files
 *     read, duration (-1 for a count the summary lacks; `found` false when no snapshot of the
 *     ancestry records r, e.g. expired);
 *   - per source of the definition: the snapshot refresh r consumed (its summary's
 *     floe.source.<identity>.snapshot-id), and the source data files holding the rows the
 *     output row is made of. Files are those live at the snapshot the table's CURRENT state
 *     reflects: the snapshot the newest refresh consumed (current_snapshot_id below). A row
 *     written by an older refresh still describes the sources at that snapshot (its group was
 *     not touched since), and only then do file paths name what a reader can open.
 *
 * Which files contributed (decisions; correct before clever):
 *   - An aggregating table (the definition is a chain of PROJECT / FILTER over ONE AGGREGATE
 *     whose input holds only SCAN, FILTER, PROJECT and UNION ALL): the aggregate's input is
 *     run over every source (WHERE filters included) and a source row contributes when its
 *     group key values equal the output row's. Only keys the output shows (a PROJECT column
 *     that is the group expression itself) can be compared; a key the table does not show is
 *     left out of the comparison (more files, never fewer). A table whose keys are all
 *     hidden is "not narrowed". A global aggregate (no GROUP BY): every row passing the
 *     filters contributes.
 *   - A non-aggregating table (SCAN, FILTER, PROJECT, UNION ALL only): a source row
 *     contributes when the query's output for it equals the output row (every query column).
 *   - Anything else (joins, aggregates over aggregates, VALUES, ORDER / LIMIT): no
 *     predicate is derived; every live data file of each source is listed, narrowed = false
 *     with the reason.
 *   Values are compared in their text form (kernels/value_text.h), NULL equal to NULL as
 *   GROUP BY groups it; so -0.0 and 0.0 keys, which GROUP BY merges, are told apart here.
 *   The file of a source row is known because the input is run through this module's own scan
 *   (io/iceberg_scan.h's reader, which names the file of each batch) under the engine's
 *   FILTER / PROJECT / UNION ALL operators, which hand out each batch in the same pull that
 *   read it. Deletes are applied, so a file whose matching rows were all deleted is not named.
 *   The cost is one read of every source per call (all traced rows at once; each source row
 *   is looked up among the traced rows' keys by binary search).
 *
 * The rows are found by running `SELECT * FROM <table> WHERE <where> LIMIT <limit>` through
 * the engine with the table pinned at the snapshot traced; `where` is SQL text over the
 * table's columns (NULL: every row). A syntax or binding error in it is FLOE_ESYNTAX /
 * FLOE_ENOTFOUND / FLOE_ETYPE with "--where column C: ..." (C counted in `where`).
 *
 * Memory: a floe_eng_lineage owns everything it points to (one arena); floe_eng_lineage_free
 * accepts NULL. Errors (one line naming the table): FLOE_ENOTFOUND (no such table, or "ns.t
 * is not a dynamic table"), FLOE_ESYNTAX (a bad name or `where`), FLOE_EINVAL (limit < 0),
 * those of binding the definition and reading the sources, FLOE_ENOMEM.
 */
#ifndef FLOE_ENGINE_LINEAGE_H
#define FLOE_ENGINE_LINEAGE_H

#include "engine/database.h" /* floe_eng_database */
#include "kernels/arena.h"
#include "kernels/status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One value of a traced row in both text forms (kernels/value_text.h). */
typedef struct floe_eng_lineage_value {
    const char *text;  /* NULL for a NULL value */
    const char *json;  /* a JSON value: null, a number, true/false or a string literal */
} floe_eng_lineage_value;

typedef struct floe_eng_lineage_refresh {
    bool found;                 /* a snapshot of the ancestry records this refresh */
    int64_t number;
    int64_t snapshot_id;
    int64_t committed_ms;       /* the snapshot's timestamp-ms */
    const char *mode;           /* "incremental" / "full"; NULL when absent */
    const char *reason;         /* NULL when absent */
    int64_t rows_read, files_read, duration_ms; /* -1 when absent */
} floe_eng_lineage_refresh;

typedef struct floe_eng_lineage_source {
    const char *identity;           /* "ns.name" or a path, as the definition reads it */
    int64_t consumed_snapshot_id;   /* by the row's refresh; -1: none; -2: not recorded */
    bool narrowed;                  /* files narrowed to the row's contributors */
    const char *not_narrowed_reason;/* when !narrowed */
    const char **files;             /* stored paths, sorted */
    size_t file_count;
} floe_eng_lineage_source;

typedef struct floe_eng_lineage_row {
    floe_eng_lineage_value *values; /* column_count */
    int64_t refresh_number;
    floe_eng_lineage_refresh refresh;
    floe_eng_lineage_source *sources; /* source_count, in the order of floe_eng_lineage */
} floe_eng_lineage_row;

/* Where the files were looked up: a source and the snapshot the table's current state
 * reflects (the newest refresh's record; -1: none; -2: not recorded, then the source's
 * current snapshot was read and `files_at_current` is true). */
typedef struct floe_eng_lineage_state_source {
    const char *identity;
    int64_t snapshot_id;
    bool files_at_current;
} floe_eng_lineage_state_source;

typedef struct floe_eng_lineage {
    floe_arena arena;                  /* owns everything below */
    const char *table;                 /* "ns.name" */
    int64_t table_snapshot_id;         /* the snapshot traced (-1: the table has none) */
    const char **column_names;         /* the table's columns, _floe_refresh last */
    uint32_t column_count;
    floe_eng_lineage_state_source *state_sources;
    uint32_t source_count;
    floe_eng_lineage_row *rows;
    size_t row_count;
} floe_eng_lineage;

/* Traces at most `limit` rows of dynamic table `name` ("ns.name" or "name") satisfying
 * `where` (NULL: all). *out is NULL on failure. */
int floe_eng_lineage_trace(floe_eng_database *db, const char *name, const char *where,
                           int64_t limit, floe_eng_lineage **out, floe_error *err);
void floe_eng_lineage_free(floe_eng_lineage *lineage);

#endif
