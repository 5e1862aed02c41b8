/*
 * join.h — hash-join kernels: a build side arranged by key (DESIGN.md's "arrangement": join key ->
 * rows) and a resumable probe that emits (probe row, build row) pairs.
 *
 * Build: the hash table (hashtable.h) maps each distinct key to a group; a group keeps its build
 * rows as a chain (first_row[group], next_row[build row]) in insertion order, so duplicates cost
 * 4 bytes per row and no per-key allocation. Build rows are numbered in the order they are added
 * across calls: the i-th row consumed by a floe_k_join_build call gets number row_count + i
 * (row_count before the call); the caller keeps the build side's payload columns in that order.
 * Rows with a NULL key are numbered but never linked: NULL never equals anything (SQL), so they
 * never match. Composite keys: encode them to BYTES with floe_k_key_encode (hashtable.h); as a
 * key with any NULL part must not match either, give the encoded view a validity bitmap that
 * clears the rows with a NULL part (on both sides).
 *
 * Probe: floe_k_join_probe_begin looks up a vector of keys (all rows at once, with the dispatched
 * SIMD probe); then each floe_k_join_probe_next call writes up to `capacity` pairs and returns how
 * many, 0 when the vector is exhausted. The state remembers the probe row and the position in its
 * chain, so a key with 1000 build rows fills as many outputs as it needs, never more than
 * capacity at once. INNER emits only matches; LEFT also emits (row, FLOE_K_JOIN_NO_MATCH) for a
 * probe row without match (NULL keys included). Pairs come in probe-row order, and for one probe
 * row in build order.
 *
 * Unique build keys (the common primary-key join) take a fast path: while no build key repeats,
 * the table says so (unique_keys), and a probe emits at most one pair per probe row in a
 * branch-free loop (the pair is written, and the output position advances by "matched"); when
 * moreover every build row created the next group (rows_are_groups: no NULL and no repeated
 * build key so far), the group id is the build row and first_row is not even read. The output is
 * the same as the general chain walk's.
 *
 * Integer keys (I32, I64) are only collected while building; floe_k_join_build_finish, called
 * once after the last build call and before the first probe, indexes them. When the non-NULL
 * keys are distinct and span at most 2 x their count + 4096 values (surrogate ids, the usual
 * primary key), the index is an array by key - min: a probe is one load, and building it costs
 * no hashing at all (a million customers: about a tenth of the hash table's build). Otherwise
 * they go into the hash table, sized once for the row count now known. Other kinds are hashed
 * as they come, and finish only marks the table ready. Either way the pairs are the same.
 *
 * The table must not change while a probe of it is in progress. Errors: FLOE_ENOMEM,
 * FLOE_ERANGE (more than 2^32-2 build rows), FLOE_EINVAL (key kind mismatch; building after
 * finish, or probing before it).
 */
#ifndef FLOE_KERNELS_JOIN_H
#define FLOE_KERNELS_JOIN_H

#include "hashtable.h"
#include "status.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FLOE_K_JOIN_NO_MATCH UINT32_C(0xFFFFFFFF)

typedef enum floe_k_join_type {
    FLOE_K_JOIN_INNER = 0,
    FLOE_K_JOIN_LEFT = 1,
} floe_k_join_type;

typedef struct floe_k_join_table {
    floe_k_hashtable *keys;   /* distinct key -> group */
    uint32_t *first_row;      /* [group] first build row, FLOE_K_JOIN_NO_MATCH if none */
    uint32_t *last_row;       /* [group] last build row (append in order) */
    uint32_t *next_row;       /* [build row] next row with the same key */
    size_t group_capacity;
    size_t row_capacity;
    uint32_t row_count;       /* build rows numbered so far */
    uint32_t *scratch_ids;    /* group ids of the batch being built */
    size_t scratch_capacity;
    bool unique_keys;         /* no group has more than one build row: a match is first_row[g] */
    bool rows_are_groups;     /* moreover build row r is group r (every row had a new, non-NULL
                                 key): a match is the group id itself */
    bool finished;            /* floe_k_join_build_finish was called */
    /* Integer keys before finish: key of build row r at r (the kind's width), and a bit per row
     * set when the key is not NULL; their range and count. */
    unsigned char *pending_keys;
    uint64_t *pending_validity;
    size_t pending_capacity;  /* rows */
    int64_t pending_min, pending_max;
    uint32_t pending_valid_count;
    /* The dense index, when finish chose it: dense_rows[key - dense_min] is the key's build row
     * (FLOE_K_JOIN_NO_MATCH: none), for key - dense_min below dense_span. */
    uint32_t *dense_rows;
    uint64_t dense_span;
    int64_t dense_min;
} floe_k_join_table;

int floe_k_join_init(floe_k_join_table *table, floe_k_key_kind kind, size_t expected_rows,
                     floe_error *err);
void floe_k_join_fini(floe_k_join_table *table);

/* Adds build rows (see the header comment for their numbers). `hashes` may be NULL; integer
 * keys ignore them (they are hashed, if at all, by finish). */
int floe_k_join_build(floe_k_join_table *table, const floe_k_keys *keys, const uint64_t *hashes,
                      const uint16_t *selection, size_t count, floe_error *err);

/* Indexes the build side (see above); call once, after the last floe_k_join_build. */
int floe_k_join_build_finish(floe_k_join_table *table, floe_error *err);

typedef struct floe_k_join_probe {
    const floe_k_join_table *table;
    floe_k_join_type type;
    const uint16_t *selection; /* the caller's, kept alive until the probe ends */
    const uint64_t *validity;  /* probe key validity */
    size_t count;
    size_t position;           /* next entry of the selection (or row) to emit for */
    uint32_t cursor;           /* next build row of the current probe row's chain */
    uint32_t *group_ids;       /* [row] owned */
    size_t group_capacity;
} floe_k_join_probe;

void floe_k_join_probe_init(floe_k_join_probe *probe);
void floe_k_join_probe_fini(floe_k_join_probe *probe);

int floe_k_join_probe_begin(floe_k_join_probe *probe, const floe_k_join_table *table,
                            floe_k_join_type type, const floe_k_keys *keys,
                            const uint64_t *hashes, const uint16_t *selection, size_t count,
                            floe_error *err);

/* The same with a given lookup variant (floe_k_ht_find_scalar, _avx2, _neon), for tests and
 * benchmarks that compare variants; floe_k_join_probe_begin uses the dispatched one. */
int floe_k_join_probe_begin_variant(floe_k_join_probe *probe, const floe_k_join_table *table,
                                    floe_k_join_type type, const floe_k_keys *keys,
                                    const uint64_t *hashes, const uint16_t *selection,
                                    size_t count, floe_k_ht_find_fn find, floe_error *err);

size_t floe_k_join_probe_next(floe_k_join_probe *probe, uint32_t *probe_rows,
                              uint32_t *build_rows, size_t capacity);

#endif
