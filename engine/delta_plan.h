/*
 * delta_plan.h — compiles the CHANGE of a plan subtree between two versions of its sources: an
 * operator tree whose batches are the Z-set delta (weights +1 / -1, engine/operator.h) of the
 * subtree's result from the sources at their `from` snapshots to the sources at their `to`
 * snapshots (DESIGN.md, "Incremental maintenance"; the rules are DBSP's).
 *
 * Rules, per node:
 *   SCAN                the source's change (io/iceberg_scan.h's change mode): a delta pin.
 *   FILTER, PROJECT,    linear: the node over its input's delta.
 *   UNION ALL
 *   JOIN (inner, left)  built from its inputs at either version and their deltas (below).
 * Anything else under the subtree (AGGREGATE, ORDER, LIMIT, VALUES) is not compiled here:
 * floe_eng_delta_supported names it.
 *
 * A source read at several places (a self-join) is pinned per scan node, so one scan can read
 * the change while another reads a whole snapshot of the same table.
 *
 * Ownership: *out is the caller's (floe_eng_operator_destroy); the plan, the sources array and
 * the context must outlive it. The context's pins are set by this call (an earlier pin of the
 * same identity is replaced). Errors: those of compiling the plan (engine/executor.h),
 * FLOE_EUNSUPPORTED for a subtree floe_eng_delta_supported refuses, FLOE_ENOMEM.
 */
#ifndef FLOE_ENGINE_DELTA_PLAN_H
#define FLOE_ENGINE_DELTA_PLAN_H

#include "engine/operator.h"

#include <stdbool.h>
#include <stdint.h>

/* One source of the subtree and the two versions whose difference is wanted. */
typedef struct floe_eng_delta_source {
    const char *identity;     /* the bound source identity (floe_sql_table.identity) */
    int64_t from_snapshot_id; /* -1: the empty table (the delta is the whole `to` version) */
    int64_t to_snapshot_id;   /* -1: none (the table has no snapshot yet) */
} floe_eng_delta_source;

/* Whether every node of `plan` has a rule above; when not, *construct names the first that
 * has none, as a phrase for "incremental maintenance of <construct> is not built yet". */
bool floe_eng_delta_supported(const floe_sql_plan *plan, const char **construct);

/* The delta of `plan` from every source's from_snapshot_id to its to_snapshot_id. Every source
 * the plan scans must be listed (FLOE_EINVAL naming the one that is not). */
int floe_eng_delta_compile(const floe_sql_plan *plan, const floe_eng_delta_source *sources,
                           uint32_t source_count, floe_eng_context *context,
                           floe_eng_operator **out, floe_error *err);

#endif
