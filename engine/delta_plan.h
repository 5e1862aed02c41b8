/*
 * delta_plan.h — compiles the CHANGE of a plan subtree between two versions of its sources: an
 * operator tree whose batches are the Z-set delta (weights +1 / -1, engine/operator.h) of the
 * subtree's result from the sources at their `from` snapshots to the sources at their `to`
 * snapshots (DESIGN.md, "Incremental maintenance"; the rules are DBSP's).
 *
 * Versions. Every node is compiled at one of three versions: OLD (each scan under it reads its
 * source's from_snapshot_id, a whole snapshot; -1: no rows), NEW (to_snapshot_id) or DELTA.
 * OLD and NEW of any node are the ordinary operator over its inputs at the same version.
 *
 * Rules for DELTA, per node:
 *   SCAN                the source's change (io/iceberg_scan.h's change mode): a delta pin.
 *   FILTER, PROJECT,    linear: the node over its inputs' deltas.
 *   UNION ALL
 *   INNER JOIN L, R     join(DELTA L, NEW R) + join(OLD L, DELTA R)
 *   LEFT JOIN L, R      leftjoin(DELTA L, NEW R)
 *                       + leftjoin(OLD L, NEW R) - leftjoin(OLD L, OLD R)
 *                       (a left row's output depends only on the right side, so the left join
 *                       is linear in L; the last two terms re-derive the old left rows whose
 *                       matches changed, flipping them between matched and NULL-extended)
 * A term whose DELTA input has no changed source (from == to for every source under it), or
 * whose OLD / NEW input cannot hold rows, is empty and left out; so is the whole delta of a
 * subtree none of whose sources changed. Join output weights are the product of the inputs'
 * (engine/op_join.c), a subtracted term's weights are flipped.
 * Anything else under the subtree (AGGREGATE, ORDER, LIMIT, VALUES, a join without equality
 * keys) is not compiled here: floe_eng_delta_supported names it.
 *
 * Decision (a departure from DESIGN.md's persisted arrangements, deliberate for now): no join
 * state is kept between refreshes. The OLD / NEW inputs are re-read from their snapshots. Cost:
 * a change to the right side of a join reads the left side's whole snapshot (and a LEFT join's
 * right change reads the left side twice and both versions of the right side); a change only
 * to the left (probe) side costs its delta plus one read of the right side. op_join builds its
 * RIGHT input, so the DELTA-left term builds the NEW right side and streams the delta through
 * it, and the DELTA-right term builds the (small) delta and streams the old left side. That
 * delta is consolidated first (equal rows' weights summed, cancelled rows dropped): a
 * copy-on-write DELETE makes every other row of the rewritten file a -1 / +1 pair, which would
 * otherwise meet every matching old left row twice.
 *
 * A source read at several places (a self-join) is pinned per scan node
 * (floe_eng_context_pin_scan), so one scan can read the change while another reads a whole
 * snapshot of the same table; so can two instances of one scan node in different terms.
 *
 * Ownership: *out is the caller's (floe_eng_operator_destroy); the plan, the sources array and
 * the context must outlive it. The context's pins are set by this call: every source's table
 * pin as a delta (an earlier pin of the same identity is replaced) and one pin per scan node.
 * Errors: those of the operator constructors (engine/executor.h; FLOE_ENOTFOUND when a `from`
 * snapshot is no longer in its table's history), FLOE_EUNSUPPORTED for a subtree
 * floe_eng_delta_supported refuses, FLOE_ENOMEM.
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

/* Partition `partition` of `partition_count` of the same delta, for draining it on several
 * threads: the scans that stream rows (every scan outside a join's right input) read their
 * share of the files or row groups (operator.h's partitions), while a join's right (build)
 * input is read whole by every partition. Every term is linear in its left input, so the
 * partitions' deltas add up to the whole delta. Compile all partitions on one thread (this
 * sets the context's pins), then drain them on as many. FLOE_EINVAL for partition >=
 * partition_count. */
int floe_eng_delta_compile_partition(const floe_sql_plan *plan,
                                     const floe_eng_delta_source *sources, uint32_t source_count,
                                     floe_eng_context *context, uint32_t partition,
                                     uint32_t partition_count, floe_eng_operator **out,
                                     floe_error *err);

#endif
