/*
 * operator.h — the vectorized operators a plan (sql/plan.h) is compiled into (engine/executor.h),
 * and the execution context they share.
 *
 * An operator is pulled: floe_eng_operator_next hands out the operator's next batch, or NULL at
 * the end. The batch belongs to the operator and stays valid until the next call to next (or
 * destroy) on that operator. Its vectors may be views into buffers the producer keeps alive for
 * that long (kernels/vector.h). A consumer may refine the batch's selection (writing into
 * batch->selection_storage, which floe_eng_evaluate_predicate allows in place) and replace its
 * weights, but never writes to its column vectors. A batch may have zero live rows; only NULL
 * means the end. Every batch carries the operator's `column_count` columns of `types` in order.
 *
 * Weights: a batch's weights (NULL = every row +1) make it a Z-set delta (DBSP). Linear operators
 * (filter, project, union all) pass weights through; aggregates sum them (COUNT(*) of a row of
 * weight 3 adds 3); a join's output weight is the product of its inputs' weights. The full-run
 * executor sees only +1 rows; the incremental executor feeds the same operators deltas.
 *
 * Ownership: an operator owns its inputs (destroying it destroys them) and everything it
 * allocates. The plan nodes it was built from must outlive it (expressions are referenced).
 * The context is the caller's and must outlive every operator built with it.
 *
 * Errors: next returns 0 or a negative status with err set (one line naming what failed: the
 * file, the expression's error "division by zero", the memory limit). After an error the only
 * valid call is destroy.
 *
 * Memory bound: operators that materialize (aggregate, join build, sort) account the bytes they
 * hold with floe_eng_context_reserve and fail with FLOE_ENOMEM "query needs more than N MiB of
 * memory (limit N MiB, --memory-limit / FLOE_MEMORY_LIMIT)" rather than let the process be killed.
 */
#ifndef FLOE_ENGINE_OPERATOR_H
#define FLOE_ENGINE_OPERATOR_H

#include "kernels/status.h" /* floe_error */
#include "kernels/types.h"  /* floe_type */
#include "kernels/vector.h" /* floe_batch */
#include "sql/plan.h"       /* floe_sql_plan */

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One source table a query read, and the snapshot it read. Scans of the same table identity in
 * one query read the same snapshot (a self-join sees one version of the table). */
typedef struct floe_eng_source_snapshot {
    char *identity;      /* "ns.name" or the resolved path (floe_sql_table.identity); owned */
    int64_t snapshot_id; /* -1: the table has no snapshot yet (reads no rows) */
    /* Delta pins (incremental maintenance): the scan yields the CHANGE from from_snapshot_id
     * to snapshot_id as weighted rows (+1 inserted, -1 retracted; io/iceberg_scan.h's change
     * mode) instead of the rows at snapshot_id. from_snapshot_id -1: from the empty table. */
    bool delta;
    int64_t from_snapshot_id;
} floe_eng_source_snapshot;

/* The version ONE scan node reads, overriding its table's pin (floe_eng_context_pin_scan). */
typedef struct floe_eng_scan_pin {
    const floe_sql_plan *scan; /* the SCAN plan node, by address */
    int64_t snapshot_id;       /* -1: no rows */
    bool delta;                /* read the change from from_snapshot_id, as a delta pin does */
    int64_t from_snapshot_id;
} floe_eng_scan_pin;

typedef struct floe_eng_context {
    const char *warehouse;      /* the warehouse directory names are resolved in */
    uint32_t thread_count;      /* threads a pipeline may use (>= 1) */
    size_t memory_limit;        /* bytes materializing operators may hold together; 0: no limit */
    atomic_size_t memory_used;  /* bytes currently reserved */
    atomic_size_t memory_peak;  /* highest memory_used seen */

    /* Snapshots pinned for this query: a scan first looks its table up here and reads that
     * snapshot; when absent it reads the current snapshot and records it. Pinning happens when
     * operators are created (single-threaded), never while batches flow. */
    floe_eng_source_snapshot *sources;
    uint32_t source_count;
    uint32_t source_capacity;
    /* Per-scan-node overrides, consulted first: a delta plan reads one table at several
     * versions at once (a self-join; a join's old and new sides). Empty for ordinary queries. */
    floe_eng_scan_pin *scan_pins;
    uint32_t scan_pin_count;
    uint32_t scan_pin_capacity;

    /* What the scans read, summed over every scan (atomics: parallel scans add to them). */
    atomic_int_fast64_t files_read;
    atomic_int_fast64_t files_pruned;
    atomic_int_fast64_t rows_read;  /* rows decoded from data files, before deletes and filters */
    atomic_int_fast64_t bytes_read; /* data file bytes of the files read */
} floe_eng_context;

/* A context over `warehouse` (the string must outlive it) with one thread and no memory limit. */
void floe_eng_context_init(floe_eng_context *context, const char *warehouse);
void floe_eng_context_fini(floe_eng_context *context);

/* Pins `identity` at `snapshot_id` (replacing a previous pin). FLOE_ENOMEM. */
int floe_eng_context_pin(floe_eng_context *context, const char *identity, int64_t snapshot_id,
                         floe_error *err);
/* Pins `identity` as a delta: scans of it read the change from from_snapshot_id (-1: the empty
 * table) to to_snapshot_id. FLOE_ENOMEM. */
int floe_eng_context_pin_delta(floe_eng_context *context, const char *identity,
                               int64_t from_snapshot_id, int64_t to_snapshot_id, floe_error *err);
/* The pinned snapshot of `identity`: 1 and *snapshot_id when pinned, else 0. */
int floe_eng_context_pinned(const floe_eng_context *context, const char *identity,
                            int64_t *snapshot_id);
/* The pin of `identity`, or NULL. */
const floe_eng_source_snapshot *floe_eng_context_source(const floe_eng_context *context,
                                                        const char *identity);

/* Makes the scan operators created from plan node `scan` from now on read `snapshot_id` (a
 * delta from from_snapshot_id when `delta`), whatever the pin of their table; replaces an
 * earlier override of the same node, and does not touch the table's pin. Operators already
 * created keep what they opened, so one node can be compiled at several versions by
 * re-pinning it before each creation. FLOE_ENOMEM. */
int floe_eng_context_pin_scan(floe_eng_context *context, const floe_sql_plan *scan,
                              int64_t snapshot_id, bool delta, int64_t from_snapshot_id,
                              floe_error *err);
/* The override of scan node `scan`, or NULL. */
const floe_eng_scan_pin *floe_eng_context_scan_pin(const floe_eng_context *context,
                                                   const floe_sql_plan *scan);

/* Accounts `bytes` more held memory: FLOE_ENOMEM (message above, nothing reserved) when that
 * would pass the limit. Release what you reserved when you free it. Thread-safe. */
int floe_eng_context_reserve(floe_eng_context *context, size_t bytes, floe_error *err);
void floe_eng_context_release(floe_eng_context *context, size_t bytes);

typedef struct floe_eng_operator floe_eng_operator;

typedef struct floe_eng_operator_vtable {
    const char *name; /* "scan", "filter", ... for errors and EXPLAIN ANALYZE-style counters */
    int (*next)(floe_eng_operator *op, floe_batch **batch, floe_error *err);
    void (*destroy)(floe_eng_operator *op); /* frees the operator, its state and its inputs */
} floe_eng_operator_vtable;

struct floe_eng_operator {
    const floe_eng_operator_vtable *vtable;
    floe_eng_context *context;
    uint32_t column_count;
    const floe_type *types; /* column_count output types; owned by the operator or its plan */
    int64_t rows_out;       /* live rows handed out so far (maintained by floe_eng_operator_next) */
    /* About how many rows it will hand out, when known at creation (a scan: its snapshot's
     * records over its partitions; a project: its input's), else 0. For presizing build sides
     * only: an estimate, never a bound to rely on. */
    uint64_t rows_expected;
};

/* The next batch (NULL at the end); see the contract above. */
int floe_eng_operator_next(floe_eng_operator *op, floe_batch **batch, floe_error *err);

/* Destroys op and its inputs; NULL is a no-op. */
void floe_eng_operator_destroy(floe_eng_operator *op);

/* Every operator kind's constructor has this shape. `node` is the plan node (its kind matches
 * the constructor), `inputs` its compiled inputs (node->input_count of them), whose ownership
 * passes to the constructor even when it fails (it destroys them then). `partition` and
 * `partition_count` split a scan's files across parallel pipelines: a SCAN of an Iceberg table
 * reads the data files whose position in the snapshot's file list is `partition` modulo
 * `partition_count`; a read_parquet scan, one file, reads the row groups g with g modulo
 * `partition_count` == `partition` (0 and 1: everything); other kinds ignore them. */
typedef int (*floe_eng_operator_create_fn)(const floe_sql_plan *node, floe_eng_operator **inputs,
                                           floe_eng_context *context, uint32_t partition,
                                           uint32_t partition_count, floe_eng_operator **out,
                                           floe_error *err);

/* The constructors, one per plan kind (each in its engine/op_<kind>.c). */
int floe_eng_scan_create(const floe_sql_plan *node, floe_eng_operator **inputs,
                         floe_eng_context *context, uint32_t partition, uint32_t partition_count,
                         floe_eng_operator **out, floe_error *err);
int floe_eng_filter_create(const floe_sql_plan *node, floe_eng_operator **inputs,
                           floe_eng_context *context, uint32_t partition, uint32_t partition_count,
                           floe_eng_operator **out, floe_error *err);
int floe_eng_project_create(const floe_sql_plan *node, floe_eng_operator **inputs,
                            floe_eng_context *context, uint32_t partition,
                            uint32_t partition_count, floe_eng_operator **out, floe_error *err);
int floe_eng_aggregate_create(const floe_sql_plan *node, floe_eng_operator **inputs,
                              floe_eng_context *context, uint32_t partition,
                              uint32_t partition_count, floe_eng_operator **out, floe_error *err);
int floe_eng_join_create(const floe_sql_plan *node, floe_eng_operator **inputs,
                         floe_eng_context *context, uint32_t partition, uint32_t partition_count,
                         floe_eng_operator **out, floe_error *err);
int floe_eng_union_all_create(const floe_sql_plan *node, floe_eng_operator **inputs,
                              floe_eng_context *context, uint32_t partition,
                              uint32_t partition_count, floe_eng_operator **out, floe_error *err);
int floe_eng_order_create(const floe_sql_plan *node, floe_eng_operator **inputs,
                          floe_eng_context *context, uint32_t partition, uint32_t partition_count,
                          floe_eng_operator **out, floe_error *err);
int floe_eng_limit_create(const floe_sql_plan *node, floe_eng_operator **inputs,
                          floe_eng_context *context, uint32_t partition, uint32_t partition_count,
                          floe_eng_operator **out, floe_error *err);
int floe_eng_values_create(const floe_sql_plan *node, floe_eng_operator **inputs,
                           floe_eng_context *context, uint32_t partition, uint32_t partition_count,
                           floe_eng_operator **out, floe_error *err);

/* Parallel aggregation. The executor compiles an AGGREGATE's input subtree (when it holds only
 * SCAN, FILTER, PROJECT and UNION ALL) once per thread, partition i of n, and hands all n
 * pipelines to this constructor, which aggregates each on its own thread into a thread-local
 * table and merges the partial results. inputs: `pipeline_count` operators. */
int floe_eng_aggregate_create_parallel(const floe_sql_plan *node, floe_eng_operator **pipelines,
                                       uint32_t pipeline_count, floe_eng_context *context,
                                       floe_eng_operator **out, floe_error *err);

#endif
