/*
 * aggregate_scalar.c — the aggregate update kernels (aggregate.h). Scalar on every ISA: the work
 * is a conflicting scatter by group id (see aggregate.h for why SIMD does not pay). Sums of
 * integers accumulate in int128 with overflow builtins, so overflow is detected, never wrapped
 * (the few-groups forms add checked int64 partials first and fold them into int128 per call).
 */
#include "aggregate.h"

#include "memory.h"

#include <math.h>
#include <string.h>

enum {
    AGG_PREFETCH_AHEAD = 16,
    LANES = 4, /* interleaved partial sets of the few-groups kernels (unrolled by hand) */
};

static inline int row_valid(const uint64_t *validity, size_t row)
{
    return validity == NULL || ((validity[row >> 6] >> (row & 63)) & 1);
}

void floe_k_agg_count_star(int64_t *counts, const uint32_t *group_ids, const int64_t *weights,
                           const uint16_t *selection, size_t count)
{
    /* The common case, every row +1, without the per-row tests (-O2 does not unswitch loops). */
    if (weights == NULL && selection == NULL) {
        for (size_t row = 0; row < count; row++) counts[group_ids[row]]++;
        return;
    }
    if (weights == NULL) {
        for (size_t i = 0; i < count; i++) counts[group_ids[selection[i]]]++;
        return;
    }
    for (size_t i = 0; i < count; i++) {
        size_t row = selection != NULL ? selection[i] : i;
        counts[group_ids[row]] += weights != NULL ? weights[row] : 1;
    }
}

void floe_k_agg_count(int64_t *counts, const uint32_t *group_ids, const uint64_t *validity,
                      const int64_t *weights, const uint16_t *selection, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        size_t row = selection != NULL ? selection[i] : i;
        if (row_valid(validity, row)) counts[group_ids[row]] += weights != NULL ? weights[row] : 1;
    }
}

int floe_k_agg_sum_i64(floe_int128 *sums, int64_t *counts, const uint32_t *group_ids,
                       const int64_t *values, const uint64_t *validity, const int64_t *weights,
                       const uint16_t *selection, size_t count, floe_error *err)
{
    /* The common case, every row +1 and none NULL, without the per-row tests. */
    if (weights == NULL && validity == NULL) {
        for (size_t i = 0; i < count; i++) {
            size_t row = selection != NULL ? selection[i] : i;
            uint32_t group = group_ids[row];
            FLOE_RETURN_IF(__builtin_add_overflow(sums[group], (floe_int128)values[row],
                                                  &sums[group]),
                           FLOE_ERANGE, err, "SUM: group %u: the sum overflows 128 bits", group);
            counts[group]++;
        }
        return FLOE_OK;
    }
    for (size_t i = 0; i < count; i++) {
        size_t row = selection != NULL ? selection[i] : i;
        if (!row_valid(validity, row)) continue;
        int64_t weight = weights != NULL ? weights[row] : 1;
        uint32_t group = group_ids[row];
        /* |value * weight| < 2^126: the product cannot overflow, only the sum. */
        floe_int128 term = (floe_int128)values[row] * weight;
        FLOE_RETURN_IF(__builtin_add_overflow(sums[group], term, &sums[group]), FLOE_ERANGE, err,
                       "SUM: group %u: the sum overflows 128 bits", group);
        counts[group] += weight;
    }
    return FLOE_OK;
}

/* One row into a lane of the few-groups kernels; true when the int64 partial overflowed. */
static inline bool add_to_lane(int64_t *partials, uint32_t *tallies, uint32_t group,
                               int64_t value)
{
    tallies[group]++;
    return __builtin_add_overflow(partials[group], value, &partials[group]);
}

void floe_k_agg_count_star_few(int64_t *counts, const uint32_t *group_ids,
                               const uint16_t *selection, size_t count, uint32_t group_count)
{
    if (group_count > FLOE_K_AGG_FEW_GROUPS || count > UINT32_MAX) {
        floe_k_agg_count_star(counts, group_ids, NULL, selection, count);
        return;
    }
    /* count < 2^32 rows: a uint32 tally cannot overflow. */
    uint32_t tallies[LANES][FLOE_K_AGG_FEW_GROUPS];
    for (size_t lane = 0; lane < LANES; lane++)
        memset(tallies[lane], 0, group_count * sizeof tallies[lane][0]);
    size_t i = 0;
    if (selection == NULL) {
        for (; i + LANES <= count; i += LANES) {
            tallies[0][group_ids[i]]++;
            tallies[1][group_ids[i + 1]]++;
            tallies[2][group_ids[i + 2]]++;
            tallies[3][group_ids[i + 3]]++;
        }
        for (; i < count; i++) tallies[0][group_ids[i]]++;
    } else {
        for (; i + LANES <= count; i += LANES) {
            tallies[0][group_ids[selection[i]]]++;
            tallies[1][group_ids[selection[i + 1]]]++;
            tallies[2][group_ids[selection[i + 2]]]++;
            tallies[3][group_ids[selection[i + 3]]]++;
        }
        for (; i < count; i++) tallies[0][group_ids[selection[i]]]++;
    }
    for (uint32_t g = 0; g < group_count; g++)
        counts[g] += (int64_t)tallies[0][g] + tallies[1][g] + tallies[2][g] + tallies[3][g];
}

int floe_k_agg_sum_i64_few(floe_int128 *sums, int64_t *counts, const uint32_t *group_ids,
                           const int64_t *values, const uint16_t *selection, size_t count,
                           uint32_t group_count, floe_error *err)
{
    if (group_count > FLOE_K_AGG_FEW_GROUPS || count > UINT32_MAX)
        return floe_k_agg_sum_i64(sums, counts, group_ids, values, NULL, NULL, selection, count,
                                  err);
    int64_t partials[LANES][FLOE_K_AGG_FEW_GROUPS];
    uint32_t tallies[LANES][FLOE_K_AGG_FEW_GROUPS];
    for (size_t lane = 0; lane < LANES; lane++) {
        memset(partials[lane], 0, group_count * sizeof partials[lane][0]);
        memset(tallies[lane], 0, group_count * sizeof tallies[lane][0]);
    }
    /* The overflow flags are or-ed, not branched on: overflow is the rare case. */
    bool overflow = false;
    size_t i = 0;
    if (selection == NULL) {
        for (; i + LANES <= count; i += LANES) {
            overflow |= add_to_lane(partials[0], tallies[0], group_ids[i], values[i]);
            overflow |= add_to_lane(partials[1], tallies[1], group_ids[i + 1], values[i + 1]);
            overflow |= add_to_lane(partials[2], tallies[2], group_ids[i + 2], values[i + 2]);
            overflow |= add_to_lane(partials[3], tallies[3], group_ids[i + 3], values[i + 3]);
        }
        for (; i < count; i++)
            overflow |= add_to_lane(partials[0], tallies[0], group_ids[i], values[i]);
    } else {
        for (; i < count; i++) {
            size_t row = selection[i];
            overflow |= add_to_lane(partials[i % LANES], tallies[i % LANES],
                                    group_ids[row], values[row]);
        }
    }
    /* Fold into new totals first, so that an int128 overflow leaves the sums as they were for
     * the general kernel to replay row by row. */
    floe_int128 totals[FLOE_K_AGG_FEW_GROUPS];
    for (uint32_t g = 0; g < group_count && !overflow; g++) {
        floe_int128 total = sums[g];
        for (size_t lane = 0; lane < LANES; lane++)
            overflow |= __builtin_add_overflow(total, (floe_int128)partials[lane][g], &total);
        totals[g] = total;
    }
    if (overflow)
        return floe_k_agg_sum_i64(sums, counts, group_ids, values, NULL, NULL, selection, count,
                                  err);
    for (uint32_t g = 0; g < group_count; g++) {
        sums[g] = totals[g];
        counts[g] += (int64_t)tallies[0][g] + tallies[1][g] + tallies[2][g] + tallies[3][g];
    }
    return FLOE_OK;
}

int floe_k_agg_sum_i128(floe_int128 *sums, int64_t *counts, const uint32_t *group_ids,
                        const floe_int128 *values, const uint64_t *validity,
                        const int64_t *weights, const uint16_t *selection, size_t count,
                        floe_error *err)
{
    for (size_t i = 0; i < count; i++) {
        size_t row = selection != NULL ? selection[i] : i;
        if (!row_valid(validity, row)) continue;
        int64_t weight = weights != NULL ? weights[row] : 1;
        uint32_t group = group_ids[row];
        floe_int128 term;
        FLOE_RETURN_IF(__builtin_mul_overflow(values[row], (floe_int128)weight, &term) ||
                           __builtin_add_overflow(sums[group], term, &sums[group]),
                       FLOE_ERANGE, err, "SUM: group %u: the decimal sum overflows 128 bits",
                       group);
        counts[group] += weight;
    }
    return FLOE_OK;
}

void floe_k_agg_sum_f64(double *sums, int64_t *counts, const uint32_t *group_ids,
                        const double *values, const uint64_t *validity, const int64_t *weights,
                        const uint16_t *selection, size_t count)
{
    if (validity == NULL && weights == NULL && selection == NULL) {
        /* The common insert-only case, without the per-row tests: a double add and an integer
         * increment per row. The accumulators of rows AGG_PREFETCH_AHEAD ahead are prefetched:
         * with millions of groups each row's two updates are cache misses, and the loop body is
         * too short for the core to run far enough ahead on its own. */
        size_t row = 0;
        for (; row + AGG_PREFETCH_AHEAD < count; row++) {
            uint32_t ahead = group_ids[row + AGG_PREFETCH_AHEAD];
            __builtin_prefetch(&sums[ahead], 1);
            __builtin_prefetch(&counts[ahead], 1);
            sums[group_ids[row]] += values[row];
            counts[group_ids[row]] += 1;
        }
        for (; row < count; row++) {
            sums[group_ids[row]] += values[row];
            counts[group_ids[row]] += 1;
        }
        return;
    }
    for (size_t i = 0; i < count; i++) {
        size_t row = selection != NULL ? selection[i] : i;
        if (!row_valid(validity, row)) continue;
        int64_t weight = weights != NULL ? weights[row] : 1;
        sums[group_ids[row]] += values[row] * (double)weight;
        counts[group_ids[row]] += weight;
    }
}

int floe_k_agg_sum_i64_result(floe_int128 sum, int64_t count, int64_t *out, bool *is_null,
                              floe_error *err)
{
    *is_null = count == 0;
    *out = 0;
    if (count == 0) return FLOE_OK;
    FLOE_RETURN_IF(sum > INT64_MAX || sum < INT64_MIN, FLOE_ERANGE, err,
                   "SUM(BIGINT): the result is out of the BIGINT range");
    *out = (int64_t)sum;
    return FLOE_OK;
}

int floe_k_agg_sum_decimal_result(floe_int128 sum, int64_t count, floe_int128 *out, bool *is_null,
                                  floe_error *err)
{
    *is_null = count == 0;
    *out = 0;
    if (count == 0) return FLOE_OK;
    /* 10^38, as a constant: this runs once per group of every SUM(DECIMAL) result, and the
     * loop that computed it was a twentieth of a refresh that rewrites a million groups. */
    static const floe_int128 limit =
        (floe_int128)10000000000000000000ULL * (floe_int128)10000000000000000000ULL;
    FLOE_RETURN_IF(sum >= limit || sum <= -limit, FLOE_ERANGE, err,
                   "SUM(DECIMAL): the result needs more than 38 digits");
    *out = sum;
    return FLOE_OK;
}

double floe_k_int128_to_double(floe_int128 value)
{
    return (double)value;
}

void floe_k_agg_avg_result(double sum, int64_t count, double *out, bool *is_null)
{
    *is_null = count == 0;
    *out = count == 0 ? 0.0 : sum / (double)count;
}

/* MIN / MAX multisets. */

void floe_k_minmax_init(floe_k_minmax *state, floe_k_minmax_kind kind)
{
    state->kind = kind;
    state->groups = NULL;
    state->group_capacity = 0;
}

static void group_release(floe_k_minmax_group *group)
{
    for (uint32_t k = 0; k < group->length; k++) floe_free(group->entries[k].bytes);
    floe_free(group->entries);
    group->entries = NULL;
    group->length = group->capacity = 0;
}

void floe_k_minmax_fini(floe_k_minmax *state)
{
    if (state == NULL) return;
    for (size_t g = 0; g < state->group_capacity; g++) group_release(&state->groups[g]);
    floe_free(state->groups);
    state->groups = NULL;
    state->group_capacity = 0;
}

int floe_k_minmax_reserve(floe_k_minmax *state, size_t group_count, floe_error *err)
{
    if (group_count <= state->group_capacity) return FLOE_OK;
    size_t capacity = state->group_capacity < 64 ? 64 : state->group_capacity * 2;
    while (capacity < group_count) capacity *= 2;
    floe_k_minmax_group *groups = floe_realloc(state->groups, capacity * sizeof *groups);
    FLOE_RETURN_IF(groups == NULL, FLOE_ENOMEM, err, "MIN/MAX: cannot grow to %zu groups",
                   capacity);
    memset(groups + state->group_capacity, 0,
           (capacity - state->group_capacity) * sizeof *groups);
    state->groups = groups;
    state->group_capacity = capacity;
    return FLOE_OK;
}

static inline int compare_entry(const floe_k_minmax_entry *entry, uint64_t key,
                                const unsigned char *bytes, uint32_t length, int is_bytes)
{
    if (!is_bytes) return (entry->key > key) - (entry->key < key);
    uint32_t common = entry->length < length ? entry->length : length;
    int order = common > 0 ? memcmp(entry->bytes, bytes, common) : 0;
    if (order != 0) return order;
    return (entry->length > length) - (entry->length < length);
}

/* Adds weight to the value's count in the group's sorted array. */
static int multiset_add(floe_k_minmax *state, uint32_t group_id, uint64_t key,
                        const unsigned char *bytes, uint32_t length, int64_t weight,
                        floe_error *err)
{
    FLOE_RETURN_IF(group_id >= state->group_capacity, FLOE_EINVAL, err,
                   "MIN/MAX: group %u past the %zu reserved", group_id, state->group_capacity);
    if (weight == 0) return FLOE_OK;
    floe_k_minmax_group *group = &state->groups[group_id];
    int is_bytes = state->kind == FLOE_K_MINMAX_BYTES;
    uint32_t low = 0, high = group->length;
    /* Appending in order (ascending keys, as timestamps arrive) is the common case: check the
     * end first. */
    if (high > 0 && compare_entry(&group->entries[high - 1], key, bytes, length, is_bytes) < 0) {
        low = high;
    } else {
        while (low < high) {
            uint32_t middle = low + (high - low) / 2;
            if (compare_entry(&group->entries[middle], key, bytes, length, is_bytes) < 0)
                low = middle + 1;
            else
                high = middle;
        }
    }
    if (low < group->length &&
        compare_entry(&group->entries[low], key, bytes, length, is_bytes) == 0) {
        floe_k_minmax_entry *entry = &group->entries[low];
        FLOE_RETURN_IF(__builtin_add_overflow(entry->count, weight, &entry->count), FLOE_ERANGE,
                       err, "MIN/MAX: group %u: a value's count overflows", group_id);
        if (entry->count == 0) {
            floe_free(entry->bytes);
            memmove(entry, entry + 1, (group->length - low - 1) * sizeof *entry);
            group->length--;
        }
        return FLOE_OK;
    }
    if (group->length == group->capacity) {
        uint32_t capacity = group->capacity < 4 ? 4 : group->capacity * 2;
        floe_k_minmax_entry *entries =
            floe_realloc(group->entries, (size_t)capacity * sizeof *entries);
        FLOE_RETURN_IF(entries == NULL, FLOE_ENOMEM, err, "MIN/MAX: group %u: out of memory",
                       group_id);
        group->entries = entries;
        group->capacity = capacity;
    }
    floe_k_minmax_entry entry = {key, NULL, length, weight};
    if (is_bytes) {
        entry.bytes = floe_malloc(length > 0 ? length : 1);
        FLOE_RETURN_IF(entry.bytes == NULL, FLOE_ENOMEM, err,
                       "MIN/MAX: group %u: out of memory for a %u-byte value", group_id, length);
        if (length > 0) memcpy(entry.bytes, bytes, length);
    }
    memmove(&group->entries[low + 1], &group->entries[low],
            (group->length - low) * sizeof entry);
    group->entries[low] = entry;
    group->length++;
    return FLOE_OK;
}

static inline uint64_t key_of_i64(int64_t value)
{
    return (uint64_t)value ^ (1ull << 63);
}

static inline int64_t i64_of_key(uint64_t key)
{
    return (int64_t)(key ^ (1ull << 63));
}

static inline uint64_t key_of_f64(double value)
{
    if (isnan(value)) value = NAN; /* one NaN, positive: greater than +inf */
    if (value == 0.0) value = 0.0; /* -0.0 equals 0.0 */
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    return (bits >> 63) ? ~bits : bits | (1ull << 63);
}

static inline double f64_of_key(uint64_t key)
{
    uint64_t bits = (key >> 63) ? key & ~(1ull << 63) : ~key;
    double value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

#define MINMAX_LOOP(KEY_EXPRESSION, BYTES, LENGTH)                                           \
    do {                                                                                     \
        for (size_t i = 0; i < count; i++) {                                                 \
            size_t row = selection != NULL ? selection[i] : i;                               \
            if (!row_valid(validity, row)) continue;                                         \
            FLOE_TRY(multiset_add(state, group_ids[row], (KEY_EXPRESSION), (BYTES), (LENGTH), \
                                  weights != NULL ? weights[row] : 1, err));                 \
        }                                                                                    \
    } while (0)

int floe_k_minmax_update_i64(floe_k_minmax *state, const uint32_t *group_ids,
                             const int64_t *values, const uint64_t *validity,
                             const int64_t *weights, const uint16_t *selection, size_t count,
                             floe_error *err)
{
    MINMAX_LOOP(key_of_i64(values[row]), NULL, 0);
    return FLOE_OK;
}

int floe_k_minmax_update_i32(floe_k_minmax *state, const uint32_t *group_ids,
                             const int32_t *values, const uint64_t *validity,
                             const int64_t *weights, const uint16_t *selection, size_t count,
                             floe_error *err)
{
    MINMAX_LOOP(key_of_i64(values[row]), NULL, 0);
    return FLOE_OK;
}

int floe_k_minmax_update_f64(floe_k_minmax *state, const uint32_t *group_ids,
                             const double *values, const uint64_t *validity,
                             const int64_t *weights, const uint16_t *selection, size_t count,
                             floe_error *err)
{
    MINMAX_LOOP(key_of_f64(values[row]), NULL, 0);
    return FLOE_OK;
}

int floe_k_minmax_update_string(floe_k_minmax *state, const uint32_t *group_ids,
                                const floe_string_ref *refs, const unsigned char *heap,
                                const uint64_t *validity, const int64_t *weights,
                                const uint16_t *selection, size_t count, floe_error *err)
{
    MINMAX_LOOP(0, heap + refs[row].offset, refs[row].length);
    return FLOE_OK;
}

static const floe_k_minmax_entry *extreme(const floe_k_minmax *state, uint32_t group_id,
                                          bool want_max)
{
    if (group_id >= state->group_capacity) return NULL;
    const floe_k_minmax_group *group = &state->groups[group_id];
    /* Values with a negative net count (a retraction seen before its insert) are skipped. */
    if (want_max) {
        for (uint32_t k = group->length; k-- > 0;)
            if (group->entries[k].count > 0) return &group->entries[k];
    } else {
        for (uint32_t k = 0; k < group->length; k++)
            if (group->entries[k].count > 0) return &group->entries[k];
    }
    return NULL;
}

bool floe_k_minmax_get_i64(const floe_k_minmax *state, uint32_t group, bool want_max,
                           int64_t *out)
{
    const floe_k_minmax_entry *entry = extreme(state, group, want_max);
    if (entry != NULL) *out = i64_of_key(entry->key);
    return entry != NULL;
}

bool floe_k_minmax_get_f64(const floe_k_minmax *state, uint32_t group, bool want_max,
                           double *out)
{
    const floe_k_minmax_entry *entry = extreme(state, group, want_max);
    if (entry != NULL) *out = f64_of_key(entry->key);
    return entry != NULL;
}

bool floe_k_minmax_get_bytes(const floe_k_minmax *state, uint32_t group, bool want_max,
                             const unsigned char **bytes, uint32_t *length)
{
    const floe_k_minmax_entry *entry = extreme(state, group, want_max);
    if (entry != NULL) {
        *bytes = entry->bytes;
        *length = entry->length;
    }
    return entry != NULL;
}

void floe_k_minmax_move(floe_k_minmax *state, uint32_t from, uint32_t to)
{
    if (to >= state->group_capacity) return;
    group_release(&state->groups[to]);
    if (from == to || from >= state->group_capacity) return;
    state->groups[to] = state->groups[from];
    memset(&state->groups[from], 0, sizeof state->groups[from]);
}
