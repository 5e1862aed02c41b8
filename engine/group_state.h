/*
 * group_state.h — keyed aggregate state: per group of GROUP BY keys, the accumulators of every
 * aggregate call, updated with Z-set deltas. The hash aggregate operator (op_aggregate.c) fills
 * one per thread and merges them; incremental maintenance keeps one per state bucket, applies
 * deltas to it and persists it through the flat form below.
 *
 * Model. A state holds groups; a group is a key (one value per key column; NULL is a value of its
 * own, so NULL keys form their own group) with
 *   - its row count: the sum of the weights of the rows that reached it (+1 insert, -1 retract,
 *     n a multiplicity). Only groups with a positive row count are emitted;
 *   - per aggregate call, what its result needs (kernels/aggregate.h's kernels do the folding):
 *       COUNT(*)            the row count itself (no storage of its own)
 *       COUNT(x)            count of non-NULL x
 *       SUM(x), AVG(x)      sum and count of non-NULL x: int128 for integers and decimals
 *                           (overflow of 128 bits is FLOE_ERANGE "SUM overflow"), double for
 *                           floats; SUM is NULL while the count is 0
 *       MIN(x), MAX(x)      the multiset of x's values with net counts (floe_k_minmax), so
 *                           retracting the current extreme yields the next one; DISTINCT is
 *                           meaningless for them and ignored
 *       COUNT/SUM/AVG(DISTINCT x)  a net count per (group, value) in a hash table of its own;
 *                           a value counts once while its net count is positive, so the call's
 *                           count and sum change only when a value's count crosses zero.
 * With no key columns there is exactly one group, always (it exists on empty input and never
 * disappears): SQL's aggregate without GROUP BY yields one row.
 *
 * Groups disappearing. A keyed group is removed by the update or merge that leaves it holding
 * nothing at all: row count, every count and sum, MIN/MAX values and DISTINCT values all back to
 * zero. That loses nothing whatever the order of rows, so a partial state of a parallel run (its
 * retraction may meet the insert only in another partial) and a delta whose retractions come
 * before their inserts are both safe. Once a whole delta is applied (every partial merged),
 * floe_eng_group_state_remove_empty_groups also removes groups whose row count is 0 while
 * something else is not: only an inconsistent delta leaves that, or a double sum's rounding
 * residue (x + y - x - y need not be 0.0).
 *
 * Keys. One key column of a 4- or 8-byte integer-like type (INT32, DATE, BOOLEAN, FLOAT32 widened
 * to 4 bytes; INT64, TIMESTAMP(TZ), DECIMAL(p<=18), FLOAT64) or a DECIMAL(p>18) uses the hash
 * table's fixed-width kinds (key and group id in the slot, no hashing pass: the fast path of
 * GROUP BY customer_id). Floats are grouped by their bits after folding -0.0 into 0.0 and every
 * NaN into one, as SQL equality wants. A single STRING/BINARY key, and any composite key
 * (floe_k_key_encode's injective encoding of every part), use the BYTES kind.
 * Dictionary-encoded input vectors are resolved through their dictionary.
 * Speed paths, none of which changes a group id, a hash or the table's contents: BYTES-kind keys
 * whose parts fit 24 bytes (strings of up to 16 bytes) are packed exactly and looked up in a
 * 4096-slot direct-mapped cache of group ids before the table, so only new keys and cache misses
 * are encoded and hashed (the cache turns itself off for a state after 64k rows below a 50% hit
 * rate, and is cleared when groups are removed); a single string key in a DICTIONARY vector
 * resolves each code once per batch; a single fixed-width key whose only call besides COUNT(*)
 * is SUM/AVG over floats folds it inside the probe (floe_k_ht_find_or_insert_sum_f64).
 *
 * Hashes. Each group keeps the hash table's persisted hash of its key (hashtable.h: XXH3-64 with
 * seed 0 of the key as the table holds it (booleans as 4-byte 0/1, floats as their folded bits),
 * of the string's bytes, or of the composite encoding; NULL's is floe_k_hash_null(0)).
 * floe_eng_group_state_hash_keys computes the same hash for input rows, so a caller can bucket
 * delta rows and stored groups alike.
 *
 * Distinct values are keyed by (group serial, value), where a serial is a number given to a group
 * when it is created and never reused; group ids are not stable (removal moves the last group into
 * the hole) but serials are. Should remove_empty_groups drop a group whose distinct values do not
 * net to zero (an inconsistent delta), those values stay behind under a serial no group carries:
 * they are never counted again, and merge and export leave them out.
 *
 * Results (plan.h's types): COUNT -> BIGINT; SUM(INT32|INT64) -> DECIMAL(38,0) and
 * SUM(DECIMAL(p,s)) -> DECIMAL(38,s), both int128, FLOE_ERANGE "SUM overflow" past 38 digits;
 * SUM(FLOAT32|FLOAT64) -> DOUBLE; AVG -> DOUBLE (a decimal's sum divided by count * 10^scale);
 * MIN/MAX -> the argument's type. Double sums follow kernels/aggregate.h: a retraction subtracts,
 * so the last bits can differ from a recomputation.
 *
 * Memory. The state owns everything it allocates. With a context, it keeps
 * floe_eng_context_reserve'd exactly its estimate of the bytes it holds (hash tables: slots,
 * keys, hashes and key bytes; per-group arrays by capacity; MIN/MAX entries by capacity, their
 * string bytes estimated from the batch's mean length), reserving after each update, merge or
 * import and releasing on free. A state that passes the limit fails with FLOE_ENOMEM (the
 * context's message) after applying the whole batch: it stays consistent and may be freed or,
 * with a higher limit, used on. The check follows the allocations, so the process may hold what
 * one batch made the arrays grow by (a doubling) beyond the limit before the error.
 *
 * Errors: FLOE_ENOMEM (allocation or the context's limit), FLOE_ERANGE (SUM overflow, more than
 * 2^32-2 groups, 4 GiB of key bytes), FLOE_EUNSUPPORTED (an aggregate over a type it does not take:
 * SUM(VARCHAR)), FLOE_EINVAL (a contract breach: mismatched states or vectors),
 * FLOE_ECORRUPT (import of a flat form that is not self-consistent). After any other error from
 * update or merge than the memory limit's, the state's values are unspecified (a batch may be
 * applied to some calls and not to others) but its structure is sound: it can be emitted,
 * exported or freed.
 *
 * Threads: a state is used by one thread at a time; several states may share a context.
 */
#ifndef FLOE_ENGINE_GROUP_STATE_H
#define FLOE_ENGINE_GROUP_STATE_H

#include "engine/operator.h" /* floe_eng_context */
#include "kernels/status.h"  /* floe_error */
#include "kernels/types.h"   /* floe_type, floe_int128 */
#include "kernels/vector.h"  /* floe_vector, floe_batch */
#include "sql/plan.h"        /* floe_sql_aggregate_function */

#include <stdbool.h>
#include <stdint.h>

/* One aggregate call as the state sees it. */
typedef struct floe_eng_aggregate_spec {
    floe_sql_aggregate_function function;
    bool distinct;
    floe_type argument_type; /* ignored for COUNT(*) */
} floe_eng_aggregate_spec;

/* The call's result type (above); FLOE_EUNSUPPORTED naming the call when the argument type is
 * not one it takes. */
int floe_eng_aggregate_result_type(const floe_eng_aggregate_spec *spec, floe_type *type,
                                   floe_error *err);

typedef struct floe_eng_group_state floe_eng_group_state;

/* An empty state (one group when key_count == 0). key_types and specs are copied. context may
 * be NULL (memory not accounted). */
int floe_eng_group_state_create(const floe_type *key_types, uint32_t key_count,
                                const floe_eng_aggregate_spec *specs, uint32_t spec_count,
                                floe_eng_context *context, floe_eng_group_state **out,
                                floe_error *err);
void floe_eng_group_state_free(floe_eng_group_state *state);

/* Groups held, including those emit skips (row count <= 0). */
uint32_t floe_eng_group_state_group_count(const floe_eng_group_state *state);

/* Makes room for `groups` groups in all (keys and accumulators), so that reaching that many
 * neither grows nor rehashes anything: an import presizes itself from the flat form's group
 * count, and a caller that will merge more groups in after the import (incremental maintenance:
 * a bucket's file, then the delta's groups of that bucket) reserves their sum first. The hash
 * table is presized only while the state holds no keyed group. FLOE_ENOMEM, FLOE_ERANGE. */
int floe_eng_group_state_reserve(floe_eng_group_state *state, uint32_t groups, floe_error *err);

/* The emitted row's columns: the key types, then each call's result type. */
uint32_t floe_eng_group_state_column_count(const floe_eng_group_state *state);
const floe_type *floe_eng_group_state_column_types(const floe_eng_group_state *state);

/* Folds rows into the state: rows 0..count-1 (selection == NULL) or selection[0..count), each
 * of weight weights[row] (weights == NULL: +1). keys: key_count vectors; arguments: one per call
 * (NULL for COUNT(*)), of the types given at creation. Row indexes are below
 * FLOE_BATCH_CAPACITY. */
int floe_eng_group_state_update(floe_eng_group_state *state, const floe_vector *const *keys,
                                const floe_vector *const *arguments, const int64_t *weights,
                                const uint16_t *selection, uint32_t count, floe_error *err);

/* Removes every keyed group whose row count is 0 (see "Groups disappearing"). */
int floe_eng_group_state_remove_empty_groups(floe_eng_group_state *state, floe_error *err);

/* Adds every group of `from` into `into` (same key types and calls, FLOE_EINVAL otherwise), as if
 * from's rows had been folded into `into`. `from` is not changed. */
int floe_eng_group_state_merge(floe_eng_group_state *into, const floe_eng_group_state *from,
                               floe_error *err);

/* The same in two steps, for a caller that wants each of from's groups' rows in `into` before
 * and after (incremental maintenance's changelog, which so looks no key up twice):
 * map_groups sets groups[g] (from's group count entries) to the group of `into` holding from's
 * group g's key, creating the missing ones empty (row count 0; they are the ids at or past
 * into's group count before the call); merge_mapped then adds from's groups into those groups.
 * Unlike merge, merge_mapped removes no group, so the ids stay valid until the caller removes
 * the groups left empty (remove_empty_groups). Between the two steps `into` may be read but
 * not changed. Errors as merge; FLOE_EINVAL also for a group id out of range. */
int floe_eng_group_state_map_groups(floe_eng_group_state *into, const floe_eng_group_state *from,
                                    uint32_t *groups, floe_error *err);
int floe_eng_group_state_merge_mapped(floe_eng_group_state *into,
                                      const floe_eng_group_state *from, const uint32_t *groups,
                                      floe_error *err);

/* Per group, its row count (group_count entries; valid until the state next changes). */
const int64_t *floe_eng_group_state_row_counts(const floe_eng_group_state *state);

/* Writes result rows into `out`, a batch initialized with the state's column types: from group
 * *cursor on, up to FLOE_BATCH_CAPACITY rows, skipping groups whose row count is not positive
 * (the keyless group is always written), and advances *cursor. out->row_count == 0 means every
 * group has been written. out is reset first (no selection, no weights). */
int floe_eng_group_state_emit(const floe_eng_group_state *state, uint32_t *cursor, floe_batch *out,
                              floe_error *err);

/* The result rows of the listed groups (ids below the group count, at most FLOE_BATCH_CAPACITY of
 * them), in order, whatever their row count. */
int floe_eng_group_state_emit_groups(const floe_eng_group_state *state, const uint32_t *groups,
                                     uint32_t count, floe_batch *out, floe_error *err);

/* hashes[row] = the persisted hash (above) of each row's key, for the rows update would take.
 * With no key columns every hash is 0. */
int floe_eng_group_state_hash_keys(floe_eng_group_state *state, const floe_vector *const *keys,
                                   const uint16_t *selection, uint32_t count, uint64_t *hashes,
                                   floe_error *err);

/*
 * The flat form: the whole state as column vectors and arrays, what incremental maintenance
 * writes to a state file and reads back. Groups are numbered 0..group_count-1; entries refer to
 * groups by that number.
 *
 *   keys[k]          group_count rows of key type k (NULL keys as NULL)
 *   hashes[g]        the persisted hash of group g's key (export only; import recomputes it)
 *   row_counts[g]    the group's row count
 *   per call c (calls[c]), by kind:
 *     COUNT(*)                    nothing (the row count)
 *     COUNT(x)                    counts[g]
 *     SUM(x), AVG(x)              counts[g] (non-NULL values) and sums_int[g] (integers and
 *                                 decimals, in the argument's scale) or sums_double[g] (floats)
 *     MIN(x), MAX(x)              entries: the multiset, (group, value, net count) per entry
 *     COUNT/SUM/AVG(DISTINCT x)   entries: (group, value, net count) per distinct value; the
 *                                 call's count and sum are derived from them on import
 *   entry values are a vector of the argument's type without NULLs; counts are never 0.
 *
 * Export allocates everything (floe_eng_group_state_flat_fini frees it). Import fills an EMPTY
 * state (no group, or only the keyless group untouched) created with the same types and calls,
 * checking what a file could get wrong: vector types and lengths, entry groups in range, zero
 * counts, NULL entry values, the same key twice (FLOE_ECORRUPT). A failed import leaves the
 * state empty again, nothing half-imported.
 */
typedef struct floe_eng_group_entries {
    uint32_t count;
    uint32_t *groups;   /* [count] */
    floe_vector values; /* count rows (capacity at least 1) */
    int64_t *counts;    /* [count] */
} floe_eng_group_entries;

typedef struct floe_eng_aggregate_flat {
    int64_t *counts;           /* COUNT(x), SUM, AVG (not DISTINCT); else NULL */
    floe_int128 *sums_int;     /* SUM, AVG of integers/decimals (not DISTINCT); else NULL */
    double *sums_double;       /* SUM, AVG of floats (not DISTINCT); else NULL */
    floe_eng_group_entries entries; /* MIN, MAX, DISTINCT; else count 0 */
} floe_eng_aggregate_flat;

typedef struct floe_eng_group_state_flat {
    uint32_t group_count;
    uint32_t key_count;
    floe_vector *keys;        /* [key_count], each group_count rows */
    uint64_t *hashes;         /* [group_count] */
    int64_t *row_counts;      /* [group_count] */
    uint32_t call_count;
    floe_eng_aggregate_flat *calls; /* [call_count] */
} floe_eng_group_state_flat;

int floe_eng_group_state_export(const floe_eng_group_state *state, floe_eng_group_state_flat *flat,
                                floe_error *err);
int floe_eng_group_state_import(floe_eng_group_state *state, const floe_eng_group_state_flat *flat,
                                floe_error *err);
void floe_eng_group_state_flat_fini(floe_eng_group_state_flat *flat);

/* Whether emit_flat can write this state's rows: no call keeps entries (MIN, MAX, DISTINCT),
 * so every result is a function of the flat form's per-group arrays. */
bool floe_eng_group_state_flat_emits(const floe_eng_group_state *state);

/* The result rows, as emit_groups writes them, of groups rows[0..count) (at most
 * FLOE_BATCH_CAPACITY, whatever their row count) of `flat`, a flat form of this state's key
 * types and calls (exported, read back from a file, or patched by the caller): a column at a
 * time, without a hash table. `state` gives only the types and calls. FLOE_EINVAL when
 * flat_emits is false or the flat form is not of this shape, FLOE_ERANGE (SUM overflow). */
int floe_eng_group_state_emit_flat(const floe_eng_group_state *state,
                                   const floe_eng_group_state_flat *flat, const uint32_t *rows,
                                   uint32_t count, floe_batch *out, floe_error *err);

/* Looks up `count` keys (key_count vectors of the key types, rows 0..count-1, at most
 * FLOE_BATCH_CAPACITY) without inserting: groups[row] is the group holding that key, or
 * FLOE_K_NO_GROUP (kernels/hashtable.h) when there is none; with no key columns, the one group.
 * row_counts (may be NULL) receives each found group's row count, 0 for a missing one. Ids are
 * those emit_groups takes, valid until the state next changes. FLOE_EINVAL for mismatched
 * vectors, FLOE_ENOMEM (composite keys are encoded first). */
int floe_eng_group_state_find_groups(floe_eng_group_state *state, const floe_vector *const *keys,
                                     uint32_t count, uint32_t *groups, int64_t *row_counts,
                                     floe_error *err);

#endif
