/*
 * incremental.h — the incrementalizer: whether a dynamic table's query can be maintained from its
 * sources' changes, and how each operator of its plan maps a delta (DESIGN.md, "Incremental
 * maintenance"; the rules are DBSP's).
 *
 * floe_sql_incremental_analyze walks an optimized plan (sql/plan.h) and gives every node a delta
 * rule:
 *   SCAN       SOURCE     the source's change: rows of added data files weigh +1, rows of removed
 *                         files and rows named by new position deletes -1
 *   VALUES     CONSTANT   never changes: its delta is empty
 *   FILTER, PROJECT, UNION_ALL
 *              LINEAR     delta in, delta out (weights pass through)
 *   AGGREGATE  AGGREGATE  keyed state per group: the group's row count (a group whose count drops
 *                         to zero disappears) and per call COUNT / SUM / AVG accumulators, MIN/MAX
 *                         value multisets (so retracting the current extreme finds the next one),
 *                         DISTINCT calls a count per (group, value); emits, per touched group, the
 *                         retraction of the old row and the insertion of the new one. A DISTINCT
 *                         (no calls) is a count per row.
 *   JOIN       JOIN       no state between refreshes (engine/delta_plan.h; DESIGN.md's persisted
 *                         arrangements are not built): INNER emits dL.R' + L.dR, with R' the new
 *                         right side and L the old left side re-read from their snapshots; LEFT
 *                         emits dL.R' + (L.R' - L.R), the bracket only when the right side
 *                         changed, which re-derives each old left row's right matches so it
 *                         flips between the NULL-extended and the matched form
 * A plan is maintainable when every node has a rule. What is not, with the construct named in
 * `reason` (what REFRESH_MODE = INCREMENTAL reports at CREATE, and AUTO logs when it falls back):
 *   ORDER BY and LIMIT / OFFSET (the binder refuses them at the top of a dynamic table; inside a
 *   subquery they make the set depend on rows outside the delta), and a JOIN without an equality
 *   condition (a cross product: every change touches every row of the other side).
 *
 * The analysis also says how the output is stored (DESIGN.md, "Keyed state and output"):
 * `aggregating` when the root, looking through PROJECT and FILTER (HAVING), is an AGGREGATE, so
 * output rows are keyed by group and kept in bucketed files that a refresh rewrites; otherwise
 * output rows are appended and retracted with position deletes.
 *
 * Ownership: the node array and strings live in the caller's arena; the plan is referenced and
 * must outlive the analysis. Errors: FLOE_ENOMEM only (an unmaintainable plan is a result, not
 * an error).
 */
#ifndef FLOE_SQL_INCREMENTAL_H
#define FLOE_SQL_INCREMENTAL_H

#include "kernels/arena.h"
#include "kernels/status.h"
#include "sql/plan.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum floe_sql_delta_rule {
    FLOE_SQL_DELTA_NONE = 0, /* not maintainable (see the analysis' reason) */
    FLOE_SQL_DELTA_SOURCE,
    FLOE_SQL_DELTA_CONSTANT,
    FLOE_SQL_DELTA_LINEAR,
    FLOE_SQL_DELTA_AGGREGATE,
    FLOE_SQL_DELTA_JOIN,
} floe_sql_delta_rule;

typedef struct floe_sql_delta_node {
    const floe_sql_plan *plan;
    uint32_t depth;           /* 0 for the root */
    floe_sql_delta_rule rule;
    const char *state;        /* the keyed state the rule keeps ("" when none) */
} floe_sql_delta_node;

typedef struct floe_sql_incremental_analysis {
    bool maintainable;
    const char *reason;                 /* when not maintainable: the construct, one phrase */
    const floe_sql_plan *blocking_node; /* the node that is not maintainable, or NULL */
    bool aggregating;                   /* output keyed by group (see above) */
    floe_sql_delta_node *nodes;         /* every plan node, pre-order (parent before inputs) */
    uint32_t node_count;
} floe_sql_incremental_analysis;

int floe_sql_incremental_analyze(floe_arena *arena, const floe_sql_plan *plan,
                                 floe_sql_incremental_analysis *analysis, floe_error *err);

/* The delta plan as text, one node per line indented two spaces per level:
 *   AGGREGATE [aggregate: per-group count, sum(amount#1)] groups: [region#0] ...
 *     SCAN [source: +added files, -removed files and position deletes] bronze.orders ...
 * then "incremental: yes" or "incremental: no (<reason>)". NUL-terminated, floe_malloc'd,
 * the caller frees. FLOE_ENOMEM. */
int floe_sql_incremental_format(const floe_sql_incremental_analysis *analysis, char **text,
                                size_t *length, floe_error *err);

const char *floe_sql_delta_rule_name(floe_sql_delta_rule rule);

#endif
