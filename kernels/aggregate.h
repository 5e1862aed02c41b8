/*
 * aggregate.h — aggregate update kernels: fold a batch of rows into per-group accumulators, given
 * each row's group id (hashtable.h) and weight, so one set of kernels applies inserts (+1),
 * retractions (-1) and multiplicities alike (a Z-set delta, DESIGN.md). weights == NULL means
 * every row weighs +1.
 *
 * Rows: 0..count-1 (selection == NULL) or selection[0..count); group_ids, values, validity and
 * weights are indexed by row (as hash.h and hashtable.h index theirs). Accumulator arrays are the
 * caller's, indexed by group id and long enough for every id in group_ids (grow them as the hash
 * table hands out ids; zero new entries). When a group is swap-removed from the table
 * (floe_k_ht_remove), move entry `moved_from` to the removed id in every array.
 *
 *   COUNT(*)  counts[g] += w.                       The group exists while this is non-zero: the
 *             caller removes groups whose COUNT(*) returned to 0 (descending ids).
 *   COUNT(x)  counts[g] += w for non-NULL x.
 *   SUM(x), AVG(x): a sum and a COUNT(x) per group; SUM is NULL when COUNT(x) is 0, AVG is
 *             sum / count.
 *     int64 and DECIMAL(p<=18): sums are floe_int128 (exact for any realistic batch count);
 *       an int128 overflow while accumulating is FLOE_ERANGE; the int64 result of SUM(BIGINT)
 *       outside int64 is FLOE_ERANGE at result time, as a decimal result outside 38 digits is.
 *     DECIMAL(p>18): int128 values times weights, checked with overflow builtins (FLOE_ERANGE).
 *     double: plain double sums. Retractions subtract, so after a retraction the sum can differ
 *       from a recomputation in the last bits (floating-point addition is not associative).
 *   MIN(x), MAX(x) that survive retractions: floe_k_minmax keeps, per group, a multiset of the
 *     values seen with their net counts, as a sorted array of (value, count): an insert adds to
 *     a value's count (or inserts it), a retraction subtracts, a value whose count reaches zero
 *     is removed, so after retracting the current extreme the next one is simply the new first
 *     (MIN) or last (MAX) entry with a positive count. Cost: O(log n) to find a value plus the
 *     memmove of an insert in the middle of a group of n distinct values — fine for groups of
 *     thousands of distinct values; a B-tree would be the next step for groups of millions.
 *     Values: int64 (int32, date, timestamp and decimal64 widen to it), double (total order:
 *     -inf < ... < -0.0 = 0.0 < ... < inf < NaN, as PostgreSQL and DuckDB order NaN), and byte
 *     strings (memcmp order, each distinct value copied with floe_malloc).
 *
 * Errors: FLOE_ERANGE (overflow, with the group named), FLOE_ENOMEM (min/max only). On an error
 * the rows before the failing one are applied.
 *
 * Variants: none. Updating accumulators by group id is a scatter with conflicts (two rows of one
 * group in one vector), which AVX2 has no instruction for and NEON neither; the cost is the
 * random access to the accumulator, not arithmetic, so SIMD would not pay; the insert-only
 * SUM(double) loop (no validity, weights or selection) prefetches the accumulators of rows a few
 * ahead instead, which is what helps once there are millions of groups. The probe that yields
 * the group ids has the SIMD variants (hashtable.h). A group-by whose only aggregate is one
 * SUM(double) (or AVG) can do both in one call, floe_k_ht_find_or_insert_sum_f64 (hashtable.h),
 * defined as the probe followed by floe_k_agg_sum_f64 on these same accumulators.
 */
#ifndef FLOE_KERNELS_AGGREGATE_H
#define FLOE_KERNELS_AGGREGATE_H

#include "status.h"
#include "types.h"  /* floe_int128 */
#include "vector.h" /* floe_string_ref */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void floe_k_agg_count_star(int64_t *counts, const uint32_t *group_ids, const int64_t *weights,
                           const uint16_t *selection, size_t count);
void floe_k_agg_count(int64_t *counts, const uint32_t *group_ids, const uint64_t *validity,
                      const int64_t *weights, const uint16_t *selection, size_t count);

int floe_k_agg_sum_i64(floe_int128 *sums, int64_t *counts, const uint32_t *group_ids,
                       const int64_t *values, const uint64_t *validity, const int64_t *weights,
                       const uint16_t *selection, size_t count, floe_error *err);
int floe_k_agg_sum_i128(floe_int128 *sums, int64_t *counts, const uint32_t *group_ids,
                        const floe_int128 *values, const uint64_t *validity,
                        const int64_t *weights, const uint16_t *selection, size_t count,
                        floe_error *err);
void floe_k_agg_sum_f64(double *sums, int64_t *counts, const uint32_t *group_ids,
                        const double *values, const uint64_t *validity, const int64_t *weights,
                        const uint16_t *selection, size_t count);

/* Insert-only forms for few groups (GROUP BY region): every row +1 (weights NULL), every id below
 * group_count <= FLOE_K_AGG_FEW_GROUPS; SUM's values without NULLs. The same results as the
 * general kernels with weights and validity NULL, faster: with a handful of groups consecutive
 * rows keep hitting the same accumulator, so the general loop waits on a store-to-load chain
 * through memory per row (an int128 add for SUM). These accumulate in four interleaved sets of
 * int64 partials and uint32 tallies on the stack (row i in set i % 4: independent chains)
 * and fold into the caller's arrays once per call. Exactness is kept: a partial that would
 * overflow int64, or a fold that would overflow int128, sends the whole call to the general
 * kernel instead (nothing folded yet), which applies the rows before an int128 overflow and
 * reports it as it always does. */
enum { FLOE_K_AGG_FEW_GROUPS = 64 };

void floe_k_agg_count_star_few(int64_t *counts, const uint32_t *group_ids,
                               const uint16_t *selection, size_t count, uint32_t group_count);
int floe_k_agg_sum_i64_few(floe_int128 *sums, int64_t *counts, const uint32_t *group_ids,
                           const int64_t *values, const uint16_t *selection, size_t count,
                           uint32_t group_count, floe_error *err);

/* Final values. *is_null is set when count == 0 (SUM and AVG over no non-NULL value). */
int floe_k_agg_sum_i64_result(floe_int128 sum, int64_t count, int64_t *out, bool *is_null,
                              floe_error *err);
/* SUM of decimals: FLOE_ERANGE when |sum| >= 10^38 (more than 38 digits). */
int floe_k_agg_sum_decimal_result(floe_int128 sum, int64_t count, floe_int128 *out, bool *is_null,
                                  floe_error *err);
/* AVG as double (of an int128 sum or a double sum). */
void floe_k_agg_avg_result(double sum, int64_t count, double *out, bool *is_null);
double floe_k_int128_to_double(floe_int128 value);

typedef enum floe_k_minmax_kind {
    FLOE_K_MINMAX_I64 = 0,
    FLOE_K_MINMAX_F64 = 1,
    FLOE_K_MINMAX_BYTES = 2,
} floe_k_minmax_kind;

typedef struct floe_k_minmax_entry {
    uint64_t key;          /* numeric kinds: the value mapped to an order-preserving uint64 */
    unsigned char *bytes;  /* BYTES: owned copy */
    uint32_t length;
    int64_t count;         /* net weight; never 0 (such entries are removed) */
} floe_k_minmax_entry;

typedef struct floe_k_minmax_group {
    floe_k_minmax_entry *entries; /* sorted ascending, owned */
    uint32_t length;
    uint32_t capacity;
} floe_k_minmax_group;

typedef struct floe_k_minmax {
    floe_k_minmax_kind kind;
    floe_k_minmax_group *groups; /* [group_capacity], owned */
    size_t group_capacity;
} floe_k_minmax;

void floe_k_minmax_init(floe_k_minmax *state, floe_k_minmax_kind kind);
void floe_k_minmax_fini(floe_k_minmax *state);
/* Makes groups 0..group_count-1 addressable (new ones empty). FLOE_ENOMEM. */
int floe_k_minmax_reserve(floe_k_minmax *state, size_t group_count, floe_error *err);

int floe_k_minmax_update_i64(floe_k_minmax *state, const uint32_t *group_ids,
                             const int64_t *values, const uint64_t *validity,
                             const int64_t *weights, const uint16_t *selection, size_t count,
                             floe_error *err);
int floe_k_minmax_update_i32(floe_k_minmax *state, const uint32_t *group_ids,
                             const int32_t *values, const uint64_t *validity,
                             const int64_t *weights, const uint16_t *selection, size_t count,
                             floe_error *err);
int floe_k_minmax_update_f64(floe_k_minmax *state, const uint32_t *group_ids,
                             const double *values, const uint64_t *validity,
                             const int64_t *weights, const uint16_t *selection, size_t count,
                             floe_error *err);
int floe_k_minmax_update_string(floe_k_minmax *state, const uint32_t *group_ids,
                                const floe_string_ref *refs, const unsigned char *heap,
                                const uint64_t *validity, const int64_t *weights,
                                const uint16_t *selection, size_t count, floe_error *err);

/* The group's minimum / maximum over values with a positive net count; false when there is
 * none (the aggregate is NULL). Strings: pointer into the state, valid until it changes. */
bool floe_k_minmax_get_i64(const floe_k_minmax *state, uint32_t group, bool want_max,
                           int64_t *out);
bool floe_k_minmax_get_f64(const floe_k_minmax *state, uint32_t group, bool want_max,
                           double *out);
bool floe_k_minmax_get_bytes(const floe_k_minmax *state, uint32_t group, bool want_max,
                             const unsigned char **bytes, uint32_t *length);

/* Swap-removal support: frees group `to`'s values and moves `from`'s there (from == to: just
 * frees). */
void floe_k_minmax_move(floe_k_minmax *state, uint32_t from, uint32_t to);

#endif
