/*
 * group_state.c — keyed aggregate state (contract and decisions in group_state.h).
 *
 * Layout. The hash table (kernels/hashtable.h) maps keys to dense group ids; every per-group
 * quantity is an array indexed by group id (row counts, serials, each call's counts and sums),
 * listed once in `arrays` so growth, zeroing and swap-removal treat them alike. MIN/MAX calls
 * hold a floe_k_minmax per call; DISTINCT calls a second hash table keyed by (serial, value)
 * with a net count per entry.
 *
 * Values reach the kernels in one of four forms, chosen per column from its type: int64 (every
 * integer-like type, widened), double (floats, widened), int128 (wide decimals) and byte strings.
 * A batch's vector is "prepared" into its form: a view when the vector already holds it, else a
 * conversion into per-state scratch (dictionary codes resolved, narrower types widened). Merge
 * and import feed stored values through the same per-form paths as pseudo-rows.
 *
 * Keys to group ids, fastest first: the fused SUM(double) probe; a DICTIONARY string key's
 * per-batch code map (indexed by the code itself when every row is live and the codes are
 * small); the packed-key cache of BYTES-kind tables (why: encoding composite keys and
 * XXH3 per row were most of GROUP BY day, region and GROUP BY region); the table. Every path
 * hands out new ids in row order, so group order does not depend on which one ran. Inserts into
 * at most FLOE_K_AGG_FEW_GROUPS groups (GROUP BY region) use the few-groups COUNT(*) and
 * SUM(int64) kernels, and a SUM without NULLs then also supplies COUNT(*)'s tallies.
 *
 * Why the small per-batch set of touched groups: removing emptied groups and accounting MIN/MAX
 * memory need each touched group once, and a 4096-slot open-addressing set over at most 2048
 * rows costs a few instructions a row, where a per-group stamp array would have to be grown,
 * moved and persisted with the rest.
 */
#include "engine/group_state.h"

#include "kernels/aggregate.h" /* floe_k_agg_*, floe_k_minmax */
#include "kernels/decode.h"    /* floe_k_max_u32, floe_k_dictionary_gather_u32 */
#include "kernels/hash.h"      /* floe_k_hash_* (hash_keys) */
#include "kernels/hashtable.h" /* floe_k_hashtable, floe_k_key_encode */
#include "kernels/memory.h"    /* floe_malloc, floe_free */

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
    ROWS = FLOE_BATCH_CAPACITY,
    TOUCHED_SLOTS = 2 * FLOE_BATCH_CAPACITY, /* power of two, twice the rows: short probes */
    VALUE_WIDTH = 16,                         /* widest fixed-width form (int128) */
    KEY_CACHE_SLOTS = 4096,                   /* power of two: direct-mapped key cache */
    PACKED_DATA_BYTES = 24,                   /* packed key bytes after the descriptor word */
    PACKED_STRING_BYTES = 16,                 /* longest string part a packed key holds */
    PACKED_MAX_PARTS = 8,                     /* presence bits 0..7 of the descriptor */
    PACKED_MAX_STRINGS = 11,                  /* 5-bit lengths at bits 8..62 */
    KEY_CACHE_TRIAL_ROWS = 1 << 16,           /* rows looked up before judging the hit rate */
};

/* A key of a BYTES-kind table packed into four words, exactly (no hashing): word 0 holds a
 * presence bit per key column and each string part's length (5 bits), words 1..3 the parts'
 * values at fixed offsets. Equal packed keys are equal keys. UNPACKABLE marks a row whose key does
 * not fit (a string longer than PACKED_STRING_BYTES): it always goes to the table. */
typedef struct packed_key {
    uint64_t words[4];
} packed_key;

#define UNPACKABLE (UINT64_C(1) << 63)

typedef enum value_form {
    FORM_I64 = 0,  /* int64_t: BOOLEAN, INT32, DATE, INT64, TIMESTAMP(TZ), DECIMAL(p<=18) */
    FORM_F64,      /* double: FLOAT32, FLOAT64 */
    FORM_I128,     /* floe_int128: DECIMAL(p>18) */
    FORM_BYTES,    /* floe_string_ref + heap: STRING, BINARY */
} value_form;

typedef enum accumulator_kind {
    ACCUMULATE_ROWS = 0, /* COUNT(*): the group's row count */
    ACCUMULATE_COUNT,    /* COUNT(x), COUNT(DISTINCT x) */
    ACCUMULATE_SUM,      /* SUM, AVG (DISTINCT too): sum and count */
    ACCUMULATE_MINMAX,   /* MIN, MAX */
} accumulator_kind;

/* One prepared column: values in its form, indexed by row. */
typedef struct column_view {
    const void *values;
    const uint64_t *validity;
    const unsigned char *heap; /* FORM_BYTES */
} column_view;

/* One value in its form, for the row-at-a-time paths (emit, export). */
typedef struct form_value {
    int64_t i64;
    double f64;
    floe_int128 i128;
    const unsigned char *bytes;
    uint32_t length;
} form_value;

typedef struct aggregate_slot {
    floe_eng_aggregate_spec spec;
    floe_type result_type;
    accumulator_kind kind;
    value_form form;            /* of the argument */
    bool distinct;              /* COUNT/SUM/AVG DISTINCT */
    int64_t *counts;            /* COUNT, SUM: per group */
    floe_int128 *sums_int;      /* SUM over FORM_I64 / FORM_I128: per group */
    double *sums_double;        /* SUM over FORM_F64: per group */
    floe_k_minmax minmax;       /* MINMAX */
    size_t minmax_capacity;     /* entries allocated over every group (accounting) */
    size_t minmax_length;       /* entries held over every group */
    size_t minmax_bytes;        /* estimated string bytes held (FORM_BYTES, FORM_I128) */
    floe_k_hashtable *values;   /* distinct: (serial, value) -> entry */
    int64_t *value_counts;      /* distinct: net count per entry */
    size_t value_capacity;
} aggregate_slot;

typedef struct group_array {
    void **data;
    size_t width;
} group_array;

struct floe_eng_group_state {
    uint32_t key_count;
    uint32_t slot_count;
    floe_type *types;            /* key types then result types */
    floe_k_key_kind *key_kinds;  /* per key column */
    aggregate_slot *slots;
    floe_eng_context *context;   /* NULL: no accounting */
    size_t reserved;             /* bytes reserved with the context */
    bool touched;                /* an update, merge or import happened */

    floe_k_hashtable *table;     /* NULL without keys */
    uint32_t group_count;        /* mirrors the table (1 without keys) */
    size_t group_capacity;       /* entries of every per-group array */
    int64_t *row_counts;
    uint64_t *serials;           /* with a DISTINCT call */
    int64_t *value_entries;      /* with a DISTINCT call: the group's live distinct entries */
    uint64_t next_serial;
    group_array *arrays;         /* row counts, serials, entries, then up to 2 per call */
    uint32_t array_count;
    bool has_minmax;

    /* per-batch scratch, indexed by row */
    uint32_t *group_ids;                 /* all zero without keys */
    unsigned char *key_scratch;          /* key_count * ROWS * VALUE_WIDTH */
    floe_k_keys *key_parts;              /* composite keys: one per column */
    floe_k_key_buffer key_buffer;        /* composite keys */
    floe_string_ref *key_refs;
    unsigned char *argument_scratch;     /* ROWS * VALUE_WIDTH */
    unsigned char *wide_scratch;         /* ROWS * VALUE_WIDTH: int128 as ordered bytes */
    floe_string_ref *argument_refs;
    floe_string_ref *wide_refs;
    floe_k_key_buffer distinct_buffer;   /* BYTES distinct keys */
    floe_int128 *distinct_keys;          /* I128 distinct keys */
    floe_string_ref *distinct_refs;
    uint32_t *entry_ids;
    uint16_t *valid_rows;                /* DISTINCT: rows with a value and a weight */
    uint16_t *transition_rows;
    int64_t *transition_weights;
    int64_t *pseudo_weights;             /* merge and import: weights of pseudo-rows */
    uint64_t *zeroed_entries;            /* entry << 32 | group */
    uint32_t *touched_slots;             /* TOUCHED_SLOTS, FLOE_K_NO_GROUP when free */
    uint32_t *touched_list;
    uint32_t touched_count;
    uint32_t *before;                    /* per touched group: capacity before an update */
    uint32_t *before_length;

    /* BYTES-kind tables (string and composite keys) whose parts fit a packed_key: a direct-mapped
     * cache packed key -> group id in front of the table, so a row of a key already seen costs a
     * pack and a 32-byte compare instead of encoding, XXH3 and a probe. Group ids move only on
     * removal, which marks the cache stale. */
    uint32_t *packed_offsets;            /* per key column: offset in the packed data; NULL: off */
    packed_key *packed_rows;             /* ROWS */
    packed_key *cache_keys;              /* KEY_CACHE_SLOTS */
    uint32_t *cache_groups;              /* KEY_CACHE_SLOTS, FLOE_K_NO_GROUP when empty */
    uint16_t *miss_rows;                 /* ROWS: rows the cache did not answer */
    bool cache_stale;
    bool cache_off;                      /* the hit rate was too low to pay for the packing */
    uint64_t cache_lookups;
    uint64_t cache_hits;

    /* A single string key arriving as a DICTIONARY vector: within one update, dictionary code ->
     * group id in a direct-mapped map, so only a code's first row in the batch resolves its
     * string. Entries carry the update's stamp: the dictionary may change between batches. */
    uint32_t *code_keys;                 /* KEY_CACHE_SLOTS */
    uint32_t *code_groups;               /* KEY_CACHE_SLOTS */
    uint32_t *code_stamps;               /* KEY_CACHE_SLOTS: 0 never matches */
    uint32_t code_stamp;
    uint16_t *code_miss_rows;            /* ROWS */

    /* A single fixed-width key whose only call besides COUNT(*) is a SUM/AVG over floats: that
     * call is folded inside the probe loop (floe_k_ht_find_or_insert_sum_f64). NULL otherwise. */
    aggregate_slot *fused_sum;
};

/* Runs the statement after `row` for each row (variadic: the statement may hold commas). */
#define FOR_ROWS(selection, count, row, ...)                                            \
    do {                                                                                \
        for (uint32_t for_rows_i_ = 0; for_rows_i_ < (count); for_rows_i_++) {          \
            uint32_t row = (selection) != NULL ? (selection)[for_rows_i_] : for_rows_i_; \
            __VA_ARGS__                                                                 \
        }                                                                               \
    } while (0)

static inline bool bit_is_set(const uint64_t *validity, uint32_t row)
{
    return validity == NULL || ((validity[row >> 6] >> (row & 63)) & 1);
}

/* ---- types, forms and kinds ---- */

static bool is_decimal128(floe_type type)
{
    return type.id == FLOE_TYPE_DECIMAL && type.precision > FLOE_DECIMAL64_MAX_PRECISION;
}

static value_form form_of(floe_type type)
{
    switch ((floe_type_id)type.id) {
    case FLOE_TYPE_FLOAT32:
    case FLOE_TYPE_FLOAT64: return FORM_F64;
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY: return FORM_BYTES;
    case FLOE_TYPE_DECIMAL: return is_decimal128(type) ? FORM_I128 : FORM_I64;
    default: return FORM_I64;
    }
}

static floe_k_key_kind key_kind_of(floe_type type)
{
    switch ((floe_type_id)type.id) {
    case FLOE_TYPE_BOOLEAN:
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_DATE:
    case FLOE_TYPE_FLOAT32: return FLOE_K_KEY_I32;
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY: return FLOE_K_KEY_BYTES;
    case FLOE_TYPE_DECIMAL: return is_decimal128(type) ? FLOE_K_KEY_I128 : FLOE_K_KEY_I64;
    default: return FLOE_K_KEY_I64;
    }
}

static size_t key_width(floe_k_key_kind kind)
{
    switch (kind) {
    case FLOE_K_KEY_I32: return 4;
    case FLOE_K_KEY_I64: return 8;
    case FLOE_K_KEY_I128: return 16;
    default: return sizeof(floe_string_ref);
    }
}

static const char *function_name(floe_sql_aggregate_function function)
{
    switch (function) {
    case FLOE_SQL_AGGREGATE_COUNT_STAR:
    case FLOE_SQL_AGGREGATE_COUNT: return "COUNT";
    case FLOE_SQL_AGGREGATE_SUM: return "SUM";
    case FLOE_SQL_AGGREGATE_AVG: return "AVG";
    case FLOE_SQL_AGGREGATE_MIN: return "MIN";
    case FLOE_SQL_AGGREGATE_MAX: return "MAX";
    }
    return "?";
}

int floe_eng_aggregate_result_type(const floe_eng_aggregate_spec *spec, floe_type *type,
                                   floe_error *err)
{
    floe_type argument = spec->argument_type;
    char name[40];
    switch (spec->function) {
    case FLOE_SQL_AGGREGATE_COUNT_STAR:
        *type = floe_type_make(FLOE_TYPE_INT64);
        return FLOE_OK;
    case FLOE_SQL_AGGREGATE_COUNT:
    case FLOE_SQL_AGGREGATE_MIN:
    case FLOE_SQL_AGGREGATE_MAX:
        FLOE_RETURN_IF(!floe_type_is_valid(argument), FLOE_EUNSUPPORTED, err,
                       "%s over an argument of invalid type", function_name(spec->function));
        *type = spec->function == FLOE_SQL_AGGREGATE_COUNT ? floe_type_make(FLOE_TYPE_INT64)
                                                           : argument;
        return FLOE_OK;
    case FLOE_SQL_AGGREGATE_SUM:
    case FLOE_SQL_AGGREGATE_AVG:
        switch ((floe_type_id)argument.id) {
        case FLOE_TYPE_INT32:
        case FLOE_TYPE_INT64:
            *type = spec->function == FLOE_SQL_AGGREGATE_SUM ? floe_type_decimal(38, 0)
                                                             : floe_type_make(FLOE_TYPE_FLOAT64);
            return FLOE_OK;
        case FLOE_TYPE_DECIMAL:
            FLOE_RETURN_IF(!floe_type_is_valid(argument), FLOE_EUNSUPPORTED, err,
                           "%s over an invalid decimal", function_name(spec->function));
            *type = spec->function == FLOE_SQL_AGGREGATE_SUM
                        ? floe_type_decimal(38, argument.scale)
                        : floe_type_make(FLOE_TYPE_FLOAT64);
            return FLOE_OK;
        case FLOE_TYPE_FLOAT32:
        case FLOE_TYPE_FLOAT64: *type = floe_type_make(FLOE_TYPE_FLOAT64); return FLOE_OK;
        default: break;
        }
        return floe_error_set(err, FLOE_EUNSUPPORTED, "%s(%s) is not supported",
                              function_name(spec->function),
                              floe_type_format(argument, name, sizeof name));
    }
    return floe_error_set(err, FLOE_EUNSUPPORTED, "aggregate function %d is not supported",
                          (int)spec->function);
}

/* ---- float normalization: SQL equality folds -0.0 into 0.0 and NaNs into one ---- */

static inline uint32_t float_key_bits(float value)
{
    if (isnan(value)) value = (float)NAN;
    if (value == 0.0f) value = 0.0f;
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    return bits;
}

static inline uint64_t double_key_bits(double value)
{
    if (isnan(value)) value = NAN;
    if (value == 0.0) value = 0.0;
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    return bits;
}

static inline double double_of_bits(uint64_t bits)
{
    double value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

static inline float float_of_bits(uint32_t bits)
{
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

/* int128 as 16 bytes whose memcmp order is the numeric order (sign bit flipped, big-endian): how
 * MIN/MAX of wide decimals use the kernels' byte-string multisets. */
static inline void int128_to_ordered(floe_int128 value, unsigned char *bytes)
{
    floe_uint128 bits = (floe_uint128)value ^ ((floe_uint128)1 << 127);
    for (int k = 15; k >= 0; k--) {
        bytes[k] = (unsigned char)bits;
        bits >>= 8;
    }
}

static inline floe_int128 int128_of_ordered(const unsigned char *bytes)
{
    floe_uint128 bits = 0;
    for (int k = 0; k < 16; k++) bits = bits << 8 | bytes[k];
    return (floe_int128)(bits ^ ((floe_uint128)1 << 127));
}

/* The inverse of the kernels' order-preserving uint64 keys (floe_k_minmax_entry.key):
 * aggregate_scalar.c maps int64 v to v ^ 2^63 and a double's bits b to ~b when negative, else
 * b | 2^63. Export and merge read multisets back through these; the round-trip tests in
 * tests/engine/test_aggregate.c fail if the two ever disagree. */
static inline int64_t minmax_key_to_i64(uint64_t key)
{
    return (int64_t)(key ^ (UINT64_C(1) << 63));
}

static inline double minmax_key_to_f64(uint64_t key)
{
    uint64_t bits = (key >> 63) ? key & ~(UINT64_C(1) << 63) : ~key;
    return double_of_bits(bits);
}

/* ---- preparing input vectors ---- */

/* Address of row's value in a vector of fixed width, through the dictionary if any; NULL for a
 * NULL row, whose dictionary code need not index the dictionary. */
static inline const unsigned char *value_at(const floe_vector *vector, uint32_t row, size_t width)
{
    if (!bit_is_set(vector->validity, row)) return NULL;
    if (vector->encoding == FLOE_VECTOR_DICTIONARY) {
        uint32_t code = ((const uint32_t *)vector->data)[row];
        return (const unsigned char *)vector->dictionary->data + (size_t)code * width;
    }
    return (const unsigned char *)vector->data + (size_t)row * width;
}

/* A string vector's refs and heap as a view (dictionary refs gathered into `refs`). */
static void prepare_strings(const floe_vector *vector, const uint16_t *selection, uint32_t count,
                            floe_string_ref *refs, column_view *view)
{
    view->validity = vector->validity;
    if (vector->encoding == FLOE_VECTOR_DICTIONARY) {
        const uint32_t *codes = vector->data;
        const floe_string_ref *dictionary = vector->dictionary->data;
        FOR_ROWS(selection, count, row, {
            refs[row] = bit_is_set(vector->validity, row) ? dictionary[codes[row]]
                                                          : (floe_string_ref){0, 0};
        });
        view->values = refs;
        view->heap = vector->dictionary->heap;
    } else {
        view->values = vector->data;
        view->heap = vector->heap;
    }
}

/* A fixed-width vector as a view of its values when it holds `width`-byte values flat, else
 * gathered through the dictionary into scratch (NULL rows zeroed). */
static void prepare_fixed(const floe_vector *vector, size_t width, const uint16_t *selection,
                          uint32_t count, unsigned char *scratch, column_view *view)
{
    view->validity = vector->validity;
    view->heap = NULL;
    if (vector->encoding != FLOE_VECTOR_DICTIONARY) {
        view->values = vector->data;
        return;
    }
    FOR_ROWS(selection, count, row, {
        const unsigned char *value = value_at(vector, row, width);
        if (value != NULL) memcpy(scratch + (size_t)row * width, value, width);
        else memset(scratch + (size_t)row * width, 0, width);
    });
    view->values = scratch;
}

/* Reads a 1-, 4- or 8-byte value as what conversions need (0 for NULL rows). */
static inline int32_t read_i32(const floe_vector *vector, uint32_t row)
{
    const unsigned char *value = value_at(vector, row, 4);
    int32_t out = 0;
    if (value != NULL) memcpy(&out, value, 4);
    return out;
}

static inline float read_f32(const floe_vector *vector, uint32_t row)
{
    const unsigned char *value = value_at(vector, row, 4);
    float out = 0;
    if (value != NULL) memcpy(&out, value, 4);
    return out;
}

static inline double read_f64(const floe_vector *vector, uint32_t row)
{
    const unsigned char *value = value_at(vector, row, 8);
    double out = 0;
    if (value != NULL) memcpy(&out, value, 8);
    return out;
}

static inline int32_t read_boolean(const floe_vector *vector, uint32_t row)
{
    const unsigned char *value = value_at(vector, row, 1);
    return value != NULL && *value != 0;
}

/* A key column in its key kind. */
static void prepare_key(const floe_vector *vector, const uint16_t *selection, uint32_t count,
                        unsigned char *scratch, floe_string_ref *refs, floe_k_keys *keys)
{
    column_view view = {NULL, vector->validity, NULL};
    switch ((floe_type_id)vector->type.id) {
    case FLOE_TYPE_BOOLEAN: {
        int32_t *out = (int32_t *)scratch;
        FOR_ROWS(selection, count, row, { out[row] = read_boolean(vector, row); });
        view.values = out;
        break;
    }
    case FLOE_TYPE_FLOAT32: {
        uint32_t *out = (uint32_t *)scratch;
        FOR_ROWS(selection, count, row, { out[row] = float_key_bits(read_f32(vector, row)); });
        view.values = out;
        break;
    }
    case FLOE_TYPE_FLOAT64: {
        uint64_t *out = (uint64_t *)scratch;
        FOR_ROWS(selection, count, row, { out[row] = double_key_bits(read_f64(vector, row)); });
        view.values = out;
        break;
    }
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY: prepare_strings(vector, selection, count, refs, &view); break;
    default:
        prepare_fixed(vector, floe_type_width(vector->type), selection, count, scratch, &view);
        break;
    }
    keys->kind = key_kind_of(vector->type);
    keys->values = view.values;
    keys->heap = view.heap;
    keys->validity = view.validity;
}

/* An argument column in its value form. */
static void prepare_argument(const floe_vector *vector, value_form form,
                             const uint16_t *selection, uint32_t count, unsigned char *scratch,
                             floe_string_ref *refs, column_view *view)
{
    view->validity = vector->validity;
    view->heap = NULL;
    switch (form) {
    case FORM_I64: {
        if (floe_type_width(vector->type) == 8) {
            prepare_fixed(vector, 8, selection, count, scratch, view);
            return;
        }
        int64_t *out = (int64_t *)scratch;
        if (vector->type.id == FLOE_TYPE_BOOLEAN)
            FOR_ROWS(selection, count, row, { out[row] = read_boolean(vector, row); });
        else
            FOR_ROWS(selection, count, row, { out[row] = read_i32(vector, row); });
        view->values = out;
        return;
    }
    case FORM_F64: {
        if (vector->type.id == FLOE_TYPE_FLOAT64) {
            prepare_fixed(vector, 8, selection, count, scratch, view);
            return;
        }
        double *out = (double *)scratch;
        FOR_ROWS(selection, count, row, { out[row] = read_f32(vector, row); });
        view->values = out;
        return;
    }
    case FORM_I128: prepare_fixed(vector, 16, selection, count, scratch, view); return;
    case FORM_BYTES: prepare_strings(vector, selection, count, refs, view); return;
    }
}

/* ---- per-group arrays ---- */

static void add_array(floe_eng_group_state *state, void **data, size_t width)
{
    state->arrays[state->array_count++] = (group_array){data, width};
}

/* Makes every per-group array (and MIN/MAX state) hold `groups` entries. */
static int reserve_groups(floe_eng_group_state *state, size_t groups, floe_error *err)
{
    if (groups > state->group_capacity) {
        size_t capacity = state->group_capacity < 64 ? 64 : state->group_capacity * 2;
        while (capacity < groups) capacity *= 2;
        for (uint32_t a = 0; a < state->array_count; a++) {
            void *grown = floe_realloc(*state->arrays[a].data, capacity * state->arrays[a].width);
            FLOE_RETURN_IF(grown == NULL, FLOE_ENOMEM, err,
                           "out of memory for the accumulators of %zu groups", capacity);
            *state->arrays[a].data = grown;
        }
        state->group_capacity = capacity;
    }
    for (uint32_t s = 0; s < state->slot_count; s++)
        if (state->slots[s].kind == ACCUMULATE_MINMAX)
            FLOE_TRY(floe_k_minmax_reserve(&state->slots[s].minmax, groups, err));
    return FLOE_OK;
}

/* Zeroes the accumulators of new groups [first, last) and gives them serials. */
static void initialize_groups(floe_eng_group_state *state, uint32_t first, uint32_t last)
{
    if (first >= last) return;
    for (uint32_t a = 0; a < state->array_count; a++)
        memset((unsigned char *)*state->arrays[a].data + (size_t)first * state->arrays[a].width,
               0, (size_t)(last - first) * state->arrays[a].width);
    if (state->serials != NULL)
        for (uint32_t g = first; g < last; g++) state->serials[g] = state->next_serial++;
}

/* Drops groups [first, group_count) of the table again (after a failure part-way through making
 * room for them), so every array keeps covering every group. */
static void drop_new_groups(floe_eng_group_state *state, uint32_t first)
{
    uint32_t count = floe_k_ht_group_count(state->table);
    while (count > first) {
        uint32_t moved;
        (void)floe_k_ht_remove(state->table, count - 1, &moved, NULL);
        count--;
    }
    state->group_count = first;
    state->cache_stale = true;
}

/* After the table handed out ids [before, table count): room and zeroed accumulators. */
static int adopt_new_groups(floe_eng_group_state *state, uint32_t before, floe_error *err)
{
    uint32_t after = floe_k_ht_group_count(state->table);
    if (after == before) return FLOE_OK;
    int status = reserve_groups(state, after, err);
    if (status != FLOE_OK) {
        drop_new_groups(state, before);
        return status;
    }
    initialize_groups(state, before, after);
    state->group_count = after;
    return FLOE_OK;
}

/* Swap-removes `group` from the table and every per-group array. */
static int remove_group(floe_eng_group_state *state, uint32_t group, floe_error *err)
{
    for (uint32_t s = 0; s < state->slot_count; s++) {
        aggregate_slot *slot = &state->slots[s];
        if (slot->kind != ACCUMULATE_MINMAX) continue;
        const floe_k_minmax_group *values = &slot->minmax.groups[group];
        if (slot->minmax_length > 0)
            slot->minmax_bytes -= slot->minmax_bytes / slot->minmax_length * values->length;
        slot->minmax_capacity -= values->capacity;
        slot->minmax_length -= values->length;
    }
    uint32_t moved;
    FLOE_TRY(floe_k_ht_remove(state->table, group, &moved, err));
    state->cache_stale = true;
    if (moved != group) {
        for (uint32_t a = 0; a < state->array_count; a++) {
            unsigned char *data = *state->arrays[a].data;
            size_t width = state->arrays[a].width;
            memcpy(data + (size_t)group * width, data + (size_t)moved * width, width);
        }
    }
    for (uint32_t s = 0; s < state->slot_count; s++)
        if (state->slots[s].kind == ACCUMULATE_MINMAX)
            floe_k_minmax_move(&state->slots[s].minmax, moved, group);
    state->group_count--;
    return FLOE_OK;
}

static int compare_descending(const void *left, const void *right)
{
    uint32_t a = *(const uint32_t *)left, b = *(const uint32_t *)right;
    return (a < b) - (a > b);
}

static int compare_descending_64(const void *left, const void *right)
{
    uint64_t a = *(const uint64_t *)left, b = *(const uint64_t *)right;
    return (a < b) - (a > b);
}

/* ---- memory accounting ---- */

static size_t table_bytes(const floe_k_hashtable *table, size_t group_capacity)
{
    if (table == NULL) return 0;
    floe_k_ht_flat flat;
    floe_k_ht_view(table, &flat);
    static const size_t entry_width[] = {8, 16, 32, 4}; /* hashtable_int.h's slot entries */
    return floe_k_ht_capacity(table) * (1 + entry_width[flat.kind]) +
           group_capacity * (key_width(flat.kind) + sizeof(uint64_t)) + flat.heap_size;
}

static size_t estimate_bytes(const floe_eng_group_state *state)
{
    size_t bytes = table_bytes(state->table, state->group_capacity);
    for (uint32_t a = 0; a < state->array_count; a++)
        bytes += state->group_capacity * state->arrays[a].width;
    for (uint32_t s = 0; s < state->slot_count; s++) {
        const aggregate_slot *slot = &state->slots[s];
        if (slot->kind == ACCUMULATE_MINMAX) {
            bytes += slot->minmax.group_capacity * sizeof(floe_k_minmax_group) +
                     slot->minmax_capacity * sizeof(floe_k_minmax_entry) + slot->minmax_bytes;
            /* each string value is an allocation of its own: count the allocator's header */
            if (slot->form == FORM_BYTES || slot->form == FORM_I128)
                bytes += slot->minmax_length * 16;
        }
        if (slot->values != NULL)
            bytes += table_bytes(slot->values, slot->value_capacity) +
                     slot->value_capacity * sizeof(int64_t);
    }
    return bytes;
}

/* Brings the context's reservation to the state's estimate. */
static int account(floe_eng_group_state *state, floe_error *err)
{
    if (state->context == NULL) return FLOE_OK;
    size_t estimate = estimate_bytes(state);
    if (estimate > state->reserved) {
        FLOE_TRY(floe_eng_context_reserve(state->context, estimate - state->reserved, err));
    } else if (estimate < state->reserved) {
        floe_eng_context_release(state->context, state->reserved - estimate);
    }
    state->reserved = estimate;
    return FLOE_OK;
}

/* ---- creation ---- */

static int configure_slot(floe_eng_group_state *state, aggregate_slot *slot,
                          const floe_eng_aggregate_spec *spec, floe_error *err)
{
    slot->spec = *spec;
    FLOE_TRY(floe_eng_aggregate_result_type(spec, &slot->result_type, err));
    slot->form = form_of(spec->argument_type);
    switch (spec->function) {
    case FLOE_SQL_AGGREGATE_COUNT_STAR: slot->kind = ACCUMULATE_ROWS; break;
    case FLOE_SQL_AGGREGATE_COUNT: slot->kind = ACCUMULATE_COUNT; break;
    case FLOE_SQL_AGGREGATE_SUM:
    case FLOE_SQL_AGGREGATE_AVG: slot->kind = ACCUMULATE_SUM; break;
    case FLOE_SQL_AGGREGATE_MIN:
    case FLOE_SQL_AGGREGATE_MAX: slot->kind = ACCUMULATE_MINMAX; break;
    }
    slot->distinct = spec->distinct && (slot->kind == ACCUMULATE_COUNT ||
                                        slot->kind == ACCUMULATE_SUM);
    if (slot->kind == ACCUMULATE_COUNT || slot->kind == ACCUMULATE_SUM)
        add_array(state, (void **)&slot->counts, sizeof(int64_t));
    if (slot->kind == ACCUMULATE_SUM) {
        if (slot->form == FORM_F64)
            add_array(state, (void **)&slot->sums_double, sizeof(double));
        else
            add_array(state, (void **)&slot->sums_int, sizeof(floe_int128));
    }
    if (slot->kind == ACCUMULATE_MINMAX) {
        floe_k_minmax_kind kind = slot->form == FORM_I64   ? FLOE_K_MINMAX_I64
                                  : slot->form == FORM_F64 ? FLOE_K_MINMAX_F64
                                                           : FLOE_K_MINMAX_BYTES;
        floe_k_minmax_init(&slot->minmax, kind);
        state->has_minmax = true;
    }
    if (slot->distinct) {
        /* Values of up to 8 bytes share an int128 key with the serial; wider ones are bytes. */
        floe_k_key_kind kind = slot->form == FORM_I64 || slot->form == FORM_F64 ? FLOE_K_KEY_I128
                                                                                : FLOE_K_KEY_BYTES;
        FLOE_TRY(floe_k_ht_create(kind, 0, &slot->values, err));
    }
    return FLOE_OK;
}

static void *allocate_scratch(size_t size, bool *failed)
{
    void *block = floe_calloc(1, size);
    if (block == NULL) *failed = true;
    return block;
}

/* The call a fused find-or-insert + SUM(double) serves: the one call that is not COUNT(*) when it
 * is a plain SUM/AVG over floats; NULL when there is none or another call needs its own pass. */
static aggregate_slot *fused_sum_slot(floe_eng_group_state *state)
{
    aggregate_slot *found = NULL;
    for (uint32_t s = 0; s < state->slot_count; s++) {
        aggregate_slot *slot = &state->slots[s];
        if (slot->kind == ACCUMULATE_ROWS) continue;
        if (found != NULL || slot->kind != ACCUMULATE_SUM || slot->form != FORM_F64 ||
            slot->distinct)
            return NULL;
        found = slot;
    }
    return found;
}

/* Lays the key columns out in a packed_key when they fit and allocates the cache; leaves
 * packed_offsets NULL (no cache) when they do not. */
static int create_key_cache(floe_eng_group_state *state, floe_error *err)
{
    if (state->key_count > PACKED_MAX_PARTS) return FLOE_OK;
    uint32_t offsets[PACKED_MAX_PARTS];
    uint32_t used = 0, strings = 0;
    for (uint32_t k = 0; k < state->key_count; k++) {
        floe_k_key_kind kind = state->key_kinds[k];
        uint32_t width = kind == FLOE_K_KEY_BYTES ? PACKED_STRING_BYTES : (uint32_t)key_width(kind);
        strings += kind == FLOE_K_KEY_BYTES;
        offsets[k] = used;
        used += width;
    }
    if (used > PACKED_DATA_BYTES || strings > PACKED_MAX_STRINGS) return FLOE_OK;
    bool failed = false;
    state->packed_offsets = allocate_scratch(state->key_count * sizeof(uint32_t), &failed);
    state->packed_rows = allocate_scratch(ROWS * sizeof(packed_key), &failed);
    state->cache_keys = allocate_scratch(KEY_CACHE_SLOTS * sizeof(packed_key), &failed);
    state->cache_groups = allocate_scratch(KEY_CACHE_SLOTS * sizeof(uint32_t), &failed);
    state->miss_rows = allocate_scratch(ROWS * sizeof(uint16_t), &failed);
    if (state->key_count == 1) {
        state->code_keys = allocate_scratch(KEY_CACHE_SLOTS * sizeof(uint32_t), &failed);
        state->code_groups = allocate_scratch(KEY_CACHE_SLOTS * sizeof(uint32_t), &failed);
        state->code_stamps = allocate_scratch(KEY_CACHE_SLOTS * sizeof(uint32_t), &failed);
        state->code_miss_rows = allocate_scratch(ROWS * sizeof(uint16_t), &failed);
    }
    FLOE_RETURN_IF(failed, FLOE_ENOMEM, err, "out of memory for an aggregate state");
    memcpy(state->packed_offsets, offsets, state->key_count * sizeof(uint32_t));
    if (state->code_stamps != NULL)
        memset(state->code_stamps, 0, KEY_CACHE_SLOTS * sizeof(uint32_t));
    state->cache_stale = true;
    return FLOE_OK;
}

int floe_eng_group_state_create(const floe_type *key_types, uint32_t key_count,
                                const floe_eng_aggregate_spec *specs, uint32_t spec_count,
                                floe_eng_context *context, floe_eng_group_state **out,
                                floe_error *err)
{
    *out = NULL;
    for (uint32_t k = 0; k < key_count; k++) {
        char name[40];
        FLOE_RETURN_IF(!floe_type_is_valid(key_types[k]), FLOE_EINVAL, err,
                       "GROUP BY key %u has an invalid type %s", k,
                       floe_type_format(key_types[k], name, sizeof name));
    }
    floe_eng_group_state *state = floe_calloc(1, sizeof *state);
    FLOE_RETURN_IF(state == NULL, FLOE_ENOMEM, err, "out of memory for an aggregate state");
    state->key_count = key_count;
    state->slot_count = spec_count;
    state->context = context;
    bool failed = false;
    state->types = allocate_scratch((key_count + spec_count + 1) * sizeof(floe_type), &failed);
    state->key_kinds = allocate_scratch((key_count + 1) * sizeof(floe_k_key_kind), &failed);
    state->slots = allocate_scratch((spec_count + 1) * sizeof(aggregate_slot), &failed);
    state->arrays = allocate_scratch((3 + 2 * (size_t)spec_count) * sizeof(group_array), &failed);
    state->key_parts = allocate_scratch((key_count + 1) * sizeof(floe_k_keys), &failed);
    state->group_ids = allocate_scratch(ROWS * sizeof(uint32_t), &failed);
    state->key_scratch = allocate_scratch((key_count + 1) * (size_t)ROWS * VALUE_WIDTH, &failed);
    state->key_refs = allocate_scratch(ROWS * sizeof(floe_string_ref), &failed);
    state->argument_scratch = allocate_scratch((size_t)ROWS * VALUE_WIDTH, &failed);
    state->wide_scratch = allocate_scratch((size_t)ROWS * VALUE_WIDTH, &failed);
    state->argument_refs = allocate_scratch(ROWS * sizeof(floe_string_ref), &failed);
    state->wide_refs = allocate_scratch(ROWS * sizeof(floe_string_ref), &failed);
    state->distinct_keys = allocate_scratch(ROWS * sizeof(floe_int128), &failed);
    state->distinct_refs = allocate_scratch(ROWS * sizeof(floe_string_ref), &failed);
    state->entry_ids = allocate_scratch(ROWS * sizeof(uint32_t), &failed);
    state->valid_rows = allocate_scratch(ROWS * sizeof(uint16_t), &failed);
    state->transition_rows = allocate_scratch(ROWS * sizeof(uint16_t), &failed);
    state->transition_weights = allocate_scratch(ROWS * sizeof(int64_t), &failed);
    state->pseudo_weights = allocate_scratch(ROWS * sizeof(int64_t), &failed);
    state->zeroed_entries = allocate_scratch(ROWS * sizeof(uint64_t), &failed);
    state->touched_slots = allocate_scratch(TOUCHED_SLOTS * sizeof(uint32_t), &failed);
    state->touched_list = allocate_scratch(ROWS * sizeof(uint32_t), &failed);
    state->before = allocate_scratch(ROWS * sizeof(uint32_t), &failed);
    state->before_length = allocate_scratch(ROWS * sizeof(uint32_t), &failed);
    if (failed) {
        floe_eng_group_state_free(state);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory for an aggregate state");
    }
    memset(state->touched_slots, 0xff, TOUCHED_SLOTS * sizeof(uint32_t));
    for (uint32_t k = 0; k < key_count; k++) {
        state->types[k] = key_types[k];
        state->key_kinds[k] = key_kind_of(key_types[k]);
    }
    add_array(state, (void **)&state->row_counts, sizeof(int64_t));
    bool has_distinct = false;
    for (uint32_t s = 0; s < spec_count; s++)
        has_distinct |= specs[s].distinct && specs[s].function != FLOE_SQL_AGGREGATE_MIN &&
                        specs[s].function != FLOE_SQL_AGGREGATE_MAX &&
                        specs[s].function != FLOE_SQL_AGGREGATE_COUNT_STAR;
    if (has_distinct) {
        add_array(state, (void **)&state->serials, sizeof(uint64_t));
        add_array(state, (void **)&state->value_entries, sizeof(int64_t));
    }
    int status = FLOE_OK;
    for (uint32_t s = 0; s < spec_count && status == FLOE_OK; s++) {
        status = configure_slot(state, &state->slots[s], &specs[s], err);
        state->types[key_count + s] = state->slots[s].result_type;
    }
    if (status == FLOE_OK && key_count > 0) {
        floe_k_key_kind kind = key_count == 1 ? state->key_kinds[0] : FLOE_K_KEY_BYTES;
        status = floe_k_ht_create(kind, 0, &state->table, err);
        if (status == FLOE_OK && kind == FLOE_K_KEY_BYTES) status = create_key_cache(state, err);
    }
    if (status == FLOE_OK) status = reserve_groups(state, 1, err);
    if (status == FLOE_OK && key_count == 1 && state->key_kinds[0] != FLOE_K_KEY_BYTES)
        state->fused_sum = fused_sum_slot(state);
    if (status == FLOE_OK && key_count == 0) {
        initialize_groups(state, 0, 1);
        state->group_count = 1;
    }
    if (status == FLOE_OK) status = account(state, err);
    if (status != FLOE_OK) {
        floe_eng_group_state_free(state);
        return status;
    }
    *out = state;
    return FLOE_OK;
}

void floe_eng_group_state_free(floe_eng_group_state *state)
{
    if (state == NULL) return;
    if (state->context != NULL && state->reserved > 0)
        floe_eng_context_release(state->context, state->reserved);
    for (uint32_t s = 0; state->slots != NULL && s < state->slot_count; s++) {
        aggregate_slot *slot = &state->slots[s];
        if (slot->kind == ACCUMULATE_MINMAX) floe_k_minmax_fini(&slot->minmax);
        floe_k_ht_free(slot->values);
        floe_free(slot->value_counts);
    }
    for (uint32_t a = 0; a < state->array_count; a++) floe_free(*state->arrays[a].data);
    floe_free(state->arrays);
    floe_free(state->key_parts);
    floe_k_ht_free(state->table);
    floe_k_key_buffer_fini(&state->key_buffer);
    floe_k_key_buffer_fini(&state->distinct_buffer);
    floe_free(state->types);
    floe_free(state->key_kinds);
    floe_free(state->slots);
    floe_free(state->group_ids);
    floe_free(state->key_scratch);
    floe_free(state->key_refs);
    floe_free(state->argument_scratch);
    floe_free(state->wide_scratch);
    floe_free(state->argument_refs);
    floe_free(state->wide_refs);
    floe_free(state->distinct_keys);
    floe_free(state->distinct_refs);
    floe_free(state->entry_ids);
    floe_free(state->valid_rows);
    floe_free(state->transition_rows);
    floe_free(state->transition_weights);
    floe_free(state->pseudo_weights);
    floe_free(state->zeroed_entries);
    floe_free(state->touched_slots);
    floe_free(state->touched_list);
    floe_free(state->before);
    floe_free(state->before_length);
    floe_free(state->packed_offsets);
    floe_free(state->packed_rows);
    floe_free(state->cache_keys);
    floe_free(state->cache_groups);
    floe_free(state->miss_rows);
    floe_free(state->code_keys);
    floe_free(state->code_groups);
    floe_free(state->code_stamps);
    floe_free(state->code_miss_rows);
    floe_free(state);
}

uint32_t floe_eng_group_state_group_count(const floe_eng_group_state *state)
{
    return state->group_count;
}

int floe_eng_group_state_reserve(floe_eng_group_state *state, uint32_t groups, floe_error *err)
{
    if (state->key_count == 0) return FLOE_OK;
    /* The kernel table takes its size hint only at creation: an empty one is replaced by a
     * presized one (nothing refers to it yet); a table holding groups grows as it must. */
    if (state->group_count == 0 && floe_k_ht_capacity(state->table) / 8 * 7 <= groups) {
        floe_k_hashtable *sized = NULL;
        FLOE_TRY(floe_k_ht_create(floe_k_ht_kind(state->table), groups, &sized, err));
        floe_k_ht_free(state->table);
        state->table = sized;
        state->cache_stale = true;
    }
    FLOE_TRY(reserve_groups(state, groups, err));
    return account(state, err);
}

uint32_t floe_eng_group_state_column_count(const floe_eng_group_state *state)
{
    return state->key_count + state->slot_count;
}

const floe_type *floe_eng_group_state_column_types(const floe_eng_group_state *state)
{
    return state->types;
}

/* ---- keys to group ids ---- */

/* The rows' keys as one floe_k_keys of the table's kind (composite keys encoded). */
static int prepare_keys(floe_eng_group_state *state, const floe_vector *const *keys,
                        const uint16_t *selection, uint32_t count, floe_k_keys *view,
                        floe_error *err)
{
    if (state->key_count == 1) {
        prepare_key(keys[0], selection, count, state->key_scratch, state->key_refs, view);
        return FLOE_OK;
    }
    floe_k_keys *parts = state->key_parts;
    for (uint32_t k = 0; k < state->key_count; k++) {
        /* String parts share key_refs only when one is a dictionary; give each its own refs in
         * its scratch block (VALUE_WIDTH bytes a row hold a floe_string_ref). */
        unsigned char *scratch = state->key_scratch + (size_t)k * ROWS * VALUE_WIDTH;
        prepare_key(keys[k], selection, count, scratch, (floe_string_ref *)scratch, &parts[k]);
    }
    FLOE_TRY(floe_k_key_encode(&state->key_buffer, parts, state->key_count, selection, count,
                               state->key_refs, err));
    *view = (floe_k_keys){FLOE_K_KEY_BYTES, state->key_refs, state->key_buffer.bytes, NULL};
    return FLOE_OK;
}

/* group_ids[row] for the rows, creating groups for new keys. */
static int assign_groups(floe_eng_group_state *state, const floe_k_keys *view,
                         const uint64_t *hashes, const uint16_t *selection, uint32_t count,
                         floe_error *err)
{
    uint32_t before = state->group_count;
    int status = floe_k_ht_find_or_insert(state->table, view, hashes, selection, count,
                                          state->group_ids, err);
    int adopted = adopt_new_groups(state, before, err);
    return status != FLOE_OK ? status : adopted;
}

/* Copies a string of at most PACKED_STRING_BYTES into 16 zeroed bytes without reading past it:
 * the first and the last 8 (or 4) bytes, overlapping. With the length stored beside it, the
 * result is still injective. */
static inline void pack_string(unsigned char *out, const unsigned char *bytes, uint32_t length)
{
    if (length >= 8) {
        memcpy(out, bytes, 8);
        memcpy(out + 8, bytes + length - 8, 8);
    } else if (length >= 4) {
        memcpy(out, bytes, 4);
        memcpy(out + 4, bytes + length - 4, 4);
    } else {
        for (uint32_t i = 0; i < length; i++) out[i] = bytes[i];
    }
}

/* packed_rows[row] for the rows, a key column at a time. */
static void pack_keys(floe_eng_group_state *state, const floe_k_keys *parts,
                      const uint16_t *selection, uint32_t count)
{
    packed_key *packed = state->packed_rows;
    FOR_ROWS(selection, count, row, { packed[row] = (packed_key){{0, 0, 0, 0}}; });
    unsigned length_shift = PACKED_MAX_PARTS;
    for (uint32_t k = 0; k < state->key_count; k++) {
        const floe_k_keys *part = &parts[k];
        const uint64_t present = UINT64_C(1) << k;
        const size_t offset = sizeof(uint64_t) + state->packed_offsets[k];
        const uint64_t *validity = part->validity;
        switch (part->kind) {
        case FLOE_K_KEY_I32: {
            const int32_t *values = part->values;
            FOR_ROWS(selection, count, row, {
                if (!bit_is_set(validity, row)) continue;
                packed[row].words[0] |= present;
                memcpy((unsigned char *)&packed[row] + offset, &values[row], 4);
            });
            break;
        }
        case FLOE_K_KEY_I64: {
            const int64_t *values = part->values;
            FOR_ROWS(selection, count, row, {
                if (!bit_is_set(validity, row)) continue;
                packed[row].words[0] |= present;
                memcpy((unsigned char *)&packed[row] + offset, &values[row], 8);
            });
            break;
        }
        case FLOE_K_KEY_I128: {
            const floe_int128 *values = part->values;
            FOR_ROWS(selection, count, row, {
                if (!bit_is_set(validity, row)) continue;
                packed[row].words[0] |= present;
                memcpy((unsigned char *)&packed[row] + offset, &values[row], 16);
            });
            break;
        }
        case FLOE_K_KEY_BYTES: {
            const floe_string_ref *refs = part->values;
            const unsigned shift = length_shift;
            length_shift += 5;
            FOR_ROWS(selection, count, row, {
                if (!bit_is_set(validity, row)) continue;
                floe_string_ref ref = refs[row];
                if (ref.length > PACKED_STRING_BYTES) {
                    packed[row].words[0] |= UNPACKABLE;
                    continue;
                }
                packed[row].words[0] |= present | (uint64_t)ref.length << shift;
                pack_string((unsigned char *)&packed[row] + offset, part->heap + ref.offset,
                            ref.length);
            });
            break;
        }
        }
    }
}

static inline uint32_t cache_slot_of(const packed_key *key)
{
    uint64_t mixed = key->words[0] * 0x9E3779B97F4A7C15ull ^ key->words[1] * 0xC2B2AE3D27D4EB4Full ^
                     key->words[2] * 0x165667B19E3779F9ull ^ key->words[3] * 0xD6E8FEB86659FD93ull;
    mixed = (mixed ^ (mixed >> 32)) * 0x9E3779B97F4A7C15ull;
    return (uint32_t)(mixed >> 52) & (KEY_CACHE_SLOTS - 1);
}

static inline bool packed_equal(const packed_key *a, const packed_key *b)
{
    return ((a->words[0] ^ b->words[0]) | (a->words[1] ^ b->words[1]) |
            (a->words[2] ^ b->words[2]) | (a->words[3] ^ b->words[3])) == 0;
}

/* assign_groups for a BYTES-kind table through the key cache: rows whose packed key is cached
 * take its group; the others go to the table (composite keys encoded for them only) and refill
 * the cache. New groups get ids in row order as without the cache: a row finds its key in the
 * cache only when the group already existed before the batch. */
static int assign_groups_cached(floe_eng_group_state *state, const floe_vector *const *keys,
                                const uint16_t *selection, uint32_t count, floe_error *err)
{
    floe_k_keys *parts = state->key_parts;
    for (uint32_t k = 0; k < state->key_count; k++) {
        unsigned char *scratch = state->key_scratch + (size_t)k * ROWS * VALUE_WIDTH;
        prepare_key(keys[k], selection, count, scratch, (floe_string_ref *)scratch, &parts[k]);
    }
    pack_keys(state, parts, selection, count);
    if (state->cache_stale) {
        memset(state->cache_groups, 0xff, KEY_CACHE_SLOTS * sizeof(uint32_t));
        state->cache_stale = false;
    }
    const packed_key *packed = state->packed_rows;
    uint32_t *group_ids = state->group_ids;
    uint32_t misses = 0;
    FOR_ROWS(selection, count, row, {
        uint32_t slot = cache_slot_of(&packed[row]);
        uint32_t group = state->cache_groups[slot];
        if (group != FLOE_K_NO_GROUP && packed_equal(&state->cache_keys[slot], &packed[row]))
            group_ids[row] = group;
        else
            state->miss_rows[misses++] = (uint16_t)row;
    });
    state->cache_lookups += count;
    state->cache_hits += count - misses;
    if (state->cache_lookups >= KEY_CACHE_TRIAL_ROWS && state->cache_hits < state->cache_lookups / 2)
        state->cache_off = true;
    if (misses == 0) return FLOE_OK;
    floe_k_keys view = parts[0];
    if (state->key_count > 1) {
        FLOE_TRY(floe_k_key_encode(&state->key_buffer, parts, state->key_count, state->miss_rows,
                                   misses, state->key_refs, err));
        view = (floe_k_keys){FLOE_K_KEY_BYTES, state->key_refs, state->key_buffer.bytes, NULL};
    }
    FLOE_TRY(assign_groups(state, &view, NULL, state->miss_rows, misses, err));
    for (uint32_t i = 0; i < misses; i++) {
        uint32_t row = state->miss_rows[i];
        if (packed[row].words[0] & UNPACKABLE) continue;
        uint32_t slot = cache_slot_of(&packed[row]);
        state->cache_keys[slot] = packed[row];
        state->cache_groups[slot] = group_ids[row];
    }
    return FLOE_OK;
}

/* group_ids for the rows of keys (the cache, or the table when the cache is off or absent). */
static int assign_keys(floe_eng_group_state *state, const floe_vector *const *keys,
                       const uint16_t *selection, uint32_t count, floe_error *err)
{
    if (state->packed_offsets != NULL && !state->cache_off)
        return assign_groups_cached(state, keys, selection, count, err);
    floe_k_keys view;
    FLOE_TRY(prepare_keys(state, keys, selection, count, &view, err));
    return assign_groups(state, &view, NULL, selection, count, err);
}

/* The common form of assign_groups_dictionary (every row live, no NULL, codes below
 * KEY_CACHE_SLOTS, as a dictionary page of a low-cardinality column gives): code_groups is indexed
 * by the code itself, reset for codes 0..max_code, so a row costs a gather instead of a hashed,
 * stamped probe. One pass finds each code's first row, assign_keys resolves those in row order,
 * the gather kernel copies the groups out. Sharing code_groups with the stamped map is safe:
 * that map trusts only entries written under the current update's stamp, i.e. in the same call. */
static int assign_groups_dictionary_direct(floe_eng_group_state *state, const floe_vector *key,
                                           uint32_t count, uint32_t max_code, floe_error *err)
{
    const uint32_t pending = FLOE_K_NO_GROUP - 1; /* a first row found, its group not known yet */
    uint32_t *map = state->code_groups;
    const uint32_t *codes = key->data;
    for (uint32_t code = 0; code <= max_code; code++) map[code] = FLOE_K_NO_GROUP;
    uint16_t *rows = state->code_miss_rows;
    uint32_t first_rows = 0;
    /* Once every code up to max_code has its first row, no later row can bring a new one: with
     * a small dictionary the scan stops after a few dozen rows. */
    for (uint32_t row = 0; row < count && first_rows <= max_code; row++) {
        uint32_t code = codes[row];
        if (map[code] == FLOE_K_NO_GROUP) {
            map[code] = pending;
            rows[first_rows++] = (uint16_t)row;
        }
    }
    const floe_vector *keys[1] = {key};
    FLOE_TRY(assign_keys(state, keys, rows, first_rows, err));
    uint32_t *group_ids = state->group_ids;
    for (uint32_t i = 0; i < first_rows; i++) map[codes[rows[i]]] = group_ids[rows[i]];
    floe_k_dictionary_gather_u32(group_ids, map, codes, count);
    return FLOE_OK;
}

/* assign_keys for a single string key in a DICTIONARY vector: only the first row of each code in
 * the batch (and NULL rows, whose code is not to be followed) goes through assign_keys; the other
 * rows take the group their code resolved to. A code evicted from the map by a colliding one
 * goes through assign_keys again (its group exists by then). */
static int assign_groups_dictionary(floe_eng_group_state *state, const floe_vector *key,
                                    const uint16_t *selection, uint32_t count, floe_error *err)
{
    if (selection == NULL && key->validity == NULL) {
        uint32_t max_code = floe_k_max_u32(key->data, count);
        if (max_code < KEY_CACHE_SLOTS)
            return assign_groups_dictionary_direct(state, key, count, max_code, err);
    }
    if (++state->code_stamp == 0) {
        memset(state->code_stamps, 0, KEY_CACHE_SLOTS * sizeof(uint32_t));
        state->code_stamp = 1;
    }
    const uint32_t stamp = state->code_stamp;
    const uint32_t *codes = key->data;
    const uint64_t *validity = key->validity;
    const floe_vector *keys[1] = {key};
    uint32_t *group_ids = state->group_ids;
    uint16_t *rows = state->code_miss_rows;
    uint32_t first_rows = 0;
    FOR_ROWS(selection, count, row, {
        if (!bit_is_set(validity, row)) {
            rows[first_rows++] = (uint16_t)row;
            continue;
        }
        uint32_t code = codes[row];
        uint32_t slot = (code * 0x9E3779B1u) >> 20 & (KEY_CACHE_SLOTS - 1);
        if (state->code_stamps[slot] != stamp || state->code_keys[slot] != code) {
            state->code_stamps[slot] = stamp;
            state->code_keys[slot] = code;
            state->code_groups[slot] = FLOE_K_NO_GROUP;
            rows[first_rows++] = (uint16_t)row;
        }
    });
    if (first_rows > 0) FLOE_TRY(assign_keys(state, keys, rows, first_rows, err));
    for (uint32_t i = 0; i < first_rows; i++) {
        uint32_t row = rows[i];
        if (!bit_is_set(validity, row)) continue;
        uint32_t code = codes[row];
        uint32_t slot = (code * 0x9E3779B1u) >> 20 & (KEY_CACHE_SLOTS - 1);
        if (state->code_keys[slot] == code) state->code_groups[slot] = group_ids[row];
    }
    uint32_t evicted = 0;
    FOR_ROWS(selection, count, row, {
        if (!bit_is_set(validity, row)) continue;
        uint32_t code = codes[row];
        uint32_t slot = (code * 0x9E3779B1u) >> 20 & (KEY_CACHE_SLOTS - 1);
        uint32_t group = state->code_groups[slot];
        if (state->code_keys[slot] == code && group != FLOE_K_NO_GROUP) group_ids[row] = group;
        else rows[evicted++] = (uint16_t)row;
    });
    if (evicted > 0) FLOE_TRY(assign_keys(state, keys, rows, evicted, err));
    return FLOE_OK;
}

/* assign_groups and the fused SUM(double) call's accumulation in one pass. Room for every id the
 * batch can hand out is made (and zeroed) first, as the kernel wants. */
static int assign_groups_fused_sum(floe_eng_group_state *state, const floe_vector *key,
                                   const floe_vector *argument, const int64_t *weights,
                                   const uint16_t *selection, uint32_t count, floe_error *err)
{
    uint32_t before = state->group_count;
    FLOE_TRY(reserve_groups(state, (size_t)before + count, err));
    initialize_groups(state, before, before + count);
    floe_k_keys view;
    prepare_key(key, selection, count, state->key_scratch, state->key_refs, &view);
    column_view values;
    prepare_argument(argument, FORM_F64, selection, count, state->argument_scratch,
                     state->argument_refs, &values);
    aggregate_slot *slot = state->fused_sum;
    int status = floe_k_ht_find_or_insert_sum_f64(state->table, &view, NULL, values.values,
                                                  values.validity, weights, selection, count,
                                                  state->group_ids, slot->sums_double,
                                                  slot->counts, err);
    /* on an error the rows before the failing one have groups, zeroed above and summed */
    state->group_count = floe_k_ht_group_count(state->table);
    return status;
}

/* ---- the per-batch set of touched groups ---- */

static void collect_touched(floe_eng_group_state *state, const uint16_t *selection,
                            uint32_t count)
{
    uint32_t *slots = state->touched_slots;
    uint32_t touched = 0;
    FOR_ROWS(selection, count, row, {
        uint32_t group = state->group_ids[row];
        uint32_t position = (group * 0x9E3779B1u) >> 20 & (TOUCHED_SLOTS - 1);
        while (slots[position] != group && slots[position] != FLOE_K_NO_GROUP)
            position = (position + 1) & (TOUCHED_SLOTS - 1);
        if (slots[position] == FLOE_K_NO_GROUP) {
            slots[position] = group;
            state->touched_list[touched++] = group;
        }
    });
    /* Empty the set for the next batch through the list: O(touched), not O(slots). A probe
     * that runs until it meets its own group still finds it after slots before it emptied. */
    for (uint32_t i = 0; i < touched; i++) {
        uint32_t group = state->touched_list[i];
        uint32_t position = (group * 0x9E3779B1u) >> 20 & (TOUCHED_SLOTS - 1);
        while (slots[position] != group) position = (position + 1) & (TOUCHED_SLOTS - 1);
        slots[position] = FLOE_K_NO_GROUP;
    }
    state->touched_count = touched;
}

/* Whether a group holds nothing at all: removing it loses nothing, whatever comes later. The
 * sums of DISTINCT calls follow their entries (rounding may leave a double residue there) and
 * are not looked at. */
static bool group_is_empty(const floe_eng_group_state *state, uint32_t group)
{
    if (state->row_counts[group] != 0) return false;
    if (state->value_entries != NULL && state->value_entries[group] != 0) return false;
    for (uint32_t s = 0; s < state->slot_count; s++) {
        const aggregate_slot *slot = &state->slots[s];
        if (slot->counts != NULL && slot->counts[group] != 0) return false;
        if (slot->distinct) continue;
        if (slot->sums_int != NULL && slot->sums_int[group] != 0) return false;
        if (slot->sums_double != NULL && slot->sums_double[group] != 0.0) return false;
        if (slot->kind == ACCUMULATE_MINMAX && slot->minmax.groups[group].length != 0)
            return false;
    }
    return true;
}

/* Removes the listed keyed groups that hold nothing, highest id first (see hashtable.h). The
 * list is reordered. */
static int remove_groups_if_empty(floe_eng_group_state *state, uint32_t *groups, uint32_t count,
                                  floe_error *err)
{
    if (state->key_count == 0) return FLOE_OK;
    uint32_t emptied = 0;
    for (uint32_t i = 0; i < count; i++)
        if (group_is_empty(state, groups[i])) groups[emptied++] = groups[i];
    if (emptied == 0) return FLOE_OK;
    qsort(groups, emptied, sizeof(uint32_t), compare_descending);
    for (uint32_t i = 0; i < emptied; i++) {
        if (i > 0 && groups[i] == groups[i - 1]) continue;
        FLOE_TRY(remove_group(state, groups[i], err));
    }
    return FLOE_OK;
}

int floe_eng_group_state_remove_empty_groups(floe_eng_group_state *state, floe_error *err)
{
    if (state->key_count == 0) return FLOE_OK;
    for (uint32_t g = state->group_count; g-- > 0;)
        if (state->row_counts[g] == 0) FLOE_TRY(remove_group(state, g, err));
    return account(state, err);
}

/* ---- accumulating one call ---- */

static int sum_overflow(const aggregate_slot *slot, floe_error *err)
{
    return floe_error_set(err, FLOE_ERANGE, "SUM overflow: the sum in %s(%s...) passes 128 bits",
                          function_name(slot->spec.function), slot->distinct ? "DISTINCT " : "");
}

/* Folds rows of a prepared argument into a SUM/AVG call's sums and counts. */
static int accumulate_sum(aggregate_slot *slot, const uint32_t *group_ids, const column_view *view,
                          const uint64_t *validity, const int64_t *weights,
                          const uint16_t *selection, uint32_t count, floe_error *err)
{
    int status = FLOE_OK;
    switch (slot->form) {
    case FORM_I64:
        status = floe_k_agg_sum_i64(slot->sums_int, slot->counts, group_ids, view->values,
                                    validity, weights, selection, count, NULL);
        break;
    case FORM_I128:
        status = floe_k_agg_sum_i128(slot->sums_int, slot->counts, group_ids, view->values,
                                     validity, weights, selection, count, NULL);
        break;
    case FORM_F64:
        floe_k_agg_sum_f64(slot->sums_double, slot->counts, group_ids, view->values, validity,
                           weights, selection, count);
        break;
    case FORM_BYTES: break; /* SUM of strings is refused at creation */
    }
    return status == FLOE_ERANGE ? sum_overflow(slot, err) : status;
}

/* Folds rows into a MIN/MAX multiset, keeping the slot's entry accounting current. */
static int accumulate_minmax(floe_eng_group_state *state, aggregate_slot *slot,
                             const column_view *view, const int64_t *weights,
                             const uint16_t *selection, uint32_t count, floe_error *err)
{
    const uint32_t *group_ids = state->group_ids;
    floe_k_minmax_group *groups = slot->minmax.groups;
    for (uint32_t i = 0; i < state->touched_count; i++) {
        state->before[i] = groups[state->touched_list[i]].capacity;
        state->before_length[i] = groups[state->touched_list[i]].length;
    }
    int status = FLOE_OK;
    uint64_t value_bytes = 0, value_count = 0;
    switch (slot->form) {
    case FORM_I64:
        status = floe_k_minmax_update_i64(&slot->minmax, group_ids, view->values, view->validity,
                                          weights, selection, count, err);
        break;
    case FORM_F64:
        status = floe_k_minmax_update_f64(&slot->minmax, group_ids, view->values, view->validity,
                                          weights, selection, count, err);
        break;
    case FORM_I128: {
        const floe_int128 *values = view->values;
        FOR_ROWS(selection, count, row, {
            if (bit_is_set(view->validity, row))
                int128_to_ordered(values[row], state->wide_scratch + (size_t)row * 16);
            state->wide_refs[row] = (floe_string_ref){row * 16, 16};
        });
        value_bytes = 16;
        value_count = 1;
        status = floe_k_minmax_update_string(&slot->minmax, group_ids, state->wide_refs,
                                             state->wide_scratch, view->validity, weights,
                                             selection, count, err);
        break;
    }
    case FORM_BYTES: {
        const floe_string_ref *refs = view->values;
        FOR_ROWS(selection, count, row, {
            if (bit_is_set(view->validity, row)) {
                value_bytes += refs[row].length;
                value_count++;
            }
        });
        status = floe_k_minmax_update_string(&slot->minmax, group_ids, refs, view->heap,
                                             view->validity, weights, selection, count, err);
        break;
    }
    }
    /* Entries and their capacity change only in touched groups; string bytes are estimated
     * from the batch's mean value length as entries come and the held mean as they go. */
    size_t grown = 0, shrunk = 0;
    groups = slot->minmax.groups;
    for (uint32_t i = 0; i < state->touched_count; i++) {
        const floe_k_minmax_group *group = &groups[state->touched_list[i]];
        slot->minmax_capacity += group->capacity - state->before[i];
        if (group->length >= state->before_length[i])
            grown += group->length - state->before_length[i];
        else
            shrunk += state->before_length[i] - group->length;
    }
    if (value_count > 0 || shrunk > 0) {
        size_t held_mean = slot->minmax_length > 0 ? slot->minmax_bytes / slot->minmax_length : 0;
        size_t freed = shrunk * held_mean;
        slot->minmax_bytes = slot->minmax_bytes > freed ? slot->minmax_bytes - freed : 0;
        slot->minmax_bytes += grown * (value_count > 0 ? value_bytes / value_count : 0);
    }
    slot->minmax_length = slot->minmax_length + grown - shrunk;
    return status;
}

static int reserve_entries(aggregate_slot *slot, size_t entries, floe_error *err)
{
    if (entries <= slot->value_capacity) return FLOE_OK;
    size_t capacity = slot->value_capacity < 64 ? 64 : slot->value_capacity * 2;
    while (capacity < entries) capacity *= 2;
    int64_t *grown = floe_realloc(slot->value_counts, capacity * sizeof *grown);
    FLOE_RETURN_IF(grown == NULL, FLOE_ENOMEM, err,
                   "out of memory for the distinct values of an aggregate (%zu)", capacity);
    slot->value_counts = grown;
    slot->value_capacity = capacity;
    return FLOE_OK;
}

/* Folds rows into a DISTINCT call: each non-NULL (group, value) pair's net count moves by the
 * row's weight, and the call's count and sum move only when a pair's count crosses zero. */
static int accumulate_distinct(floe_eng_group_state *state, aggregate_slot *slot,
                               const column_view *view, const int64_t *weights,
                               const uint16_t *selection, uint32_t count, floe_error *err)
{
    const uint32_t *group_ids = state->group_ids;
    uint16_t *valid_rows = state->valid_rows;
    uint32_t valid = 0;
    FOR_ROWS(selection, count, row, {
        if (bit_is_set(view->validity, row) && (weights == NULL || weights[row] != 0))
            valid_rows[valid++] = (uint16_t)row;
    });
    if (valid == 0) return FLOE_OK;

    floe_k_keys keys;
    if (floe_k_ht_kind(slot->values) == FLOE_K_KEY_I128) {
        for (uint32_t i = 0; i < valid; i++) {
            uint32_t row = valid_rows[i];
            uint64_t bits = slot->form == FORM_F64
                                ? double_key_bits(((const double *)view->values)[row])
                                : (uint64_t)((const int64_t *)view->values)[row];
            state->distinct_keys[row] =
                (floe_int128)((floe_uint128)state->serials[group_ids[row]] << 64 | bits);
        }
        keys = (floe_k_keys){FLOE_K_KEY_I128, state->distinct_keys, NULL, NULL};
    } else {
        /* serial (8 bytes, little-endian) then the value's bytes: int128 or the string. */
        floe_k_key_buffer *buffer = &state->distinct_buffer;
        buffer->size = 0;
        for (uint32_t i = 0; i < valid; i++) {
            uint32_t row = valid_rows[i];
            const unsigned char *bytes;
            uint32_t length;
            if (slot->form == FORM_I128) {
                bytes = (const unsigned char *)&((const floe_int128 *)view->values)[row];
                length = 16;
            } else {
                floe_string_ref ref = ((const floe_string_ref *)view->values)[row];
                bytes = view->heap + ref.offset;
                length = ref.length;
            }
            size_t needed = buffer->size + 8 + length;
            FLOE_RETURN_IF(needed > UINT32_MAX, FLOE_ERANGE, err,
                           "more than 4 GiB of distinct values in one batch");
            if (needed > buffer->capacity) {
                size_t capacity = buffer->capacity < 4096 ? 4096 : buffer->capacity * 2;
                while (capacity < needed) capacity *= 2;
                unsigned char *grown = floe_realloc(buffer->bytes, capacity);
                FLOE_RETURN_IF(grown == NULL, FLOE_ENOMEM, err,
                               "out of memory for distinct values");
                buffer->bytes = grown;
                buffer->capacity = capacity;
            }
            uint64_t serial = state->serials[group_ids[row]];
            for (int b = 0; b < 8; b++)
                buffer->bytes[buffer->size + b] = (unsigned char)(serial >> (8 * b));
            if (length > 0) memcpy(buffer->bytes + buffer->size + 8, bytes, length);
            state->distinct_refs[row] = (floe_string_ref){(uint32_t)buffer->size, 8 + length};
            buffer->size = needed;
        }
        keys = (floe_k_keys){FLOE_K_KEY_BYTES, state->distinct_refs, buffer->bytes, NULL};
    }

    uint32_t before = floe_k_ht_group_count(slot->values);
    int status = floe_k_ht_find_or_insert(slot->values, &keys, NULL, valid_rows, valid,
                                          state->entry_ids, err);
    uint32_t after = floe_k_ht_group_count(slot->values);
    int reserved = reserve_entries(slot, after, err);
    if (reserved != FLOE_OK) {
        for (uint32_t count_now = after; count_now > before; count_now--) {
            uint32_t moved;
            (void)floe_k_ht_remove(slot->values, count_now - 1, &moved, NULL);
        }
        return reserved;
    }
    if (after > before) memset(slot->value_counts + before, 0, (after - before) * sizeof(int64_t));
    FLOE_TRY(status);

    int64_t *value_counts = slot->value_counts;
    uint32_t transitions = 0, zeroed = 0;
    uint32_t next_new = before; /* new entries appear in row order (hashtable.h) */
    for (uint32_t i = 0; i < valid; i++) {
        uint32_t row = valid_rows[i];
        uint32_t entry = state->entry_ids[row];
        if (entry == next_new) {
            state->value_entries[group_ids[row]]++;
            next_new++;
        }
        int64_t old_count = value_counts[entry];
        int64_t new_count;
        FLOE_RETURN_IF(__builtin_add_overflow(old_count, weights != NULL ? weights[row] : 1,
                                              &new_count),
                       FLOE_ERANGE, err, "%s(DISTINCT ...): a value's count overflows",
                       function_name(slot->spec.function));
        value_counts[entry] = new_count;
        int transition = (new_count > 0) - (old_count > 0);
        if (transition != 0) {
            state->transition_rows[transitions++] = (uint16_t)row;
            state->transition_weights[row] = transition;
        }
        if (new_count == 0)
            state->zeroed_entries[zeroed++] = (uint64_t)entry << 32 | group_ids[row];
    }
    if (transitions > 0) {
        if (slot->kind == ACCUMULATE_COUNT) {
            floe_k_agg_count(slot->counts, group_ids, NULL, state->transition_weights,
                             state->transition_rows, transitions);
        } else {
            FLOE_TRY(accumulate_sum(slot, group_ids, view, NULL, state->transition_weights,
                                    state->transition_rows, transitions, err));
        }
    }
    /* Entries whose count ended at zero go, highest id first; one entry may be listed twice. */
    qsort(state->zeroed_entries, zeroed, sizeof(uint64_t), compare_descending_64);
    for (uint32_t i = 0; i < zeroed; i++) {
        uint32_t entry = (uint32_t)(state->zeroed_entries[i] >> 32);
        if (i > 0 && entry == (uint32_t)(state->zeroed_entries[i - 1] >> 32)) continue;
        if (value_counts[entry] != 0) continue;
        uint32_t moved;
        FLOE_TRY(floe_k_ht_remove(slot->values, entry, &moved, err));
        value_counts[entry] = value_counts[moved];
        state->value_entries[(uint32_t)state->zeroed_entries[i]]--;
    }
    return FLOE_OK;
}

/* Folds prepared rows (group_ids already assigned) into one call. */
static int accumulate_prepared(floe_eng_group_state *state, aggregate_slot *slot,
                               const column_view *view, const int64_t *weights,
                               const uint16_t *selection, uint32_t count, floe_error *err)
{
    if (slot->distinct)
        return accumulate_distinct(state, slot, view, weights, selection, count, err);
    switch (slot->kind) {
    case ACCUMULATE_ROWS: return FLOE_OK;
    case ACCUMULATE_COUNT:
        floe_k_agg_count(slot->counts, state->group_ids, view->validity, weights, selection,
                         count);
        return FLOE_OK;
    case ACCUMULATE_SUM:
        if (slot->form == FORM_I64 && weights == NULL && view->validity == NULL &&
            state->group_count <= FLOE_K_AGG_FEW_GROUPS) {
            int status = floe_k_agg_sum_i64_few(slot->sums_int, slot->counts, state->group_ids,
                                                view->values, selection, count,
                                                state->group_count, NULL);
            return status == FLOE_ERANGE ? sum_overflow(slot, err) : status;
        }
        return accumulate_sum(slot, state->group_ids, view, view->validity, weights, selection,
                              count, err);
    case ACCUMULATE_MINMAX:
        return accumulate_minmax(state, slot, view, weights, selection, count, err);
    }
    return FLOE_OK;
}

/* The first SUM/AVG slot that floe_k_agg_sum_i64_few feeds, on every row of this update, when
 * inserting (its counts then grow exactly as COUNT(*) does); NULL when none. */
static aggregate_slot *sum_counting_every_row(floe_eng_group_state *state,
                                              const floe_vector *const *arguments,
                                              uint32_t fused_index)
{
    for (uint32_t s = 0; s < state->slot_count; s++) {
        aggregate_slot *slot = &state->slots[s];
        if (slot->kind == ACCUMULATE_SUM && !slot->distinct && slot->form == FORM_I64 &&
            s != fused_index && arguments[s]->validity == NULL)
            return slot;
    }
    return NULL;
}

static int check_vector(const floe_vector *vector, floe_type expected, const char *what,
                        uint32_t index, floe_error *err)
{
    char have[40], want[40];
    FLOE_RETURN_IF(vector == NULL, FLOE_EINVAL, err, "aggregate state: %s %u is missing", what,
                   index);
    FLOE_RETURN_IF(!floe_type_equal(vector->type, expected), FLOE_EINVAL, err,
                   "aggregate state: %s %u is %s, expected %s", what, index,
                   floe_type_format(vector->type, have, sizeof have),
                   floe_type_format(expected, want, sizeof want));
    return FLOE_OK;
}

int floe_eng_group_state_update(floe_eng_group_state *state, const floe_vector *const *keys,
                                const floe_vector *const *arguments, const int64_t *weights,
                                const uint16_t *selection, uint32_t count, floe_error *err)
{
    FLOE_RETURN_IF(count > ROWS, FLOE_EINVAL, err, "aggregate state: %u rows in one update",
                   count);
    for (uint32_t k = 0; k < state->key_count; k++)
        FLOE_TRY(check_vector(keys[k], state->types[k], "key", k, err));
    for (uint32_t s = 0; s < state->slot_count; s++)
        if (state->slots[s].kind != ACCUMULATE_ROWS)
            FLOE_TRY(check_vector(arguments[s], state->slots[s].spec.argument_type, "argument",
                                  s, err));
    if (count == 0) return FLOE_OK;
    state->touched = true;
    uint32_t fused_index = UINT32_MAX;
    if (state->fused_sum != NULL) {
        fused_index = (uint32_t)(state->fused_sum - state->slots);
        FLOE_TRY(assign_groups_fused_sum(state, keys[0], arguments[fused_index], weights,
                                         selection, count, err));
    } else if (state->code_stamps != NULL && keys[0]->encoding == FLOE_VECTOR_DICTIONARY)
        FLOE_TRY(assign_groups_dictionary(state, keys[0], selection, count, err));
    else if (state->key_count > 0)
        FLOE_TRY(assign_keys(state, keys, selection, count, err));
    /* Insert-only with few groups, a SUM over int64 values without NULLs counts exactly the
     * rows COUNT(*) counts: its tallies are added to the row counts afterwards instead of
     * counting every row twice. */
    aggregate_slot *counting_sum = NULL;
    int64_t counted_before[FLOE_K_AGG_FEW_GROUPS];
    if (weights == NULL && state->group_count <= FLOE_K_AGG_FEW_GROUPS)
        counting_sum = sum_counting_every_row(state, arguments, fused_index);
    if (counting_sum != NULL)
        memcpy(counted_before, counting_sum->counts, state->group_count * sizeof(int64_t));
    else if (weights == NULL)
        floe_k_agg_count_star_few(state->row_counts, state->group_ids, selection, count,
                                  state->group_count);
    else
        floe_k_agg_count_star(state->row_counts, state->group_ids, weights, selection, count);
    if (weights != NULL || state->has_minmax) collect_touched(state, selection, count);
    for (uint32_t s = 0; s < state->slot_count; s++) {
        aggregate_slot *slot = &state->slots[s];
        if (slot->kind == ACCUMULATE_ROWS || s == fused_index) continue;
        column_view view;
        if (slot->kind == ACCUMULATE_COUNT && !slot->distinct)
            view = (column_view){NULL, arguments[s]->validity, NULL};
        else
            prepare_argument(arguments[s], slot->form, selection, count, state->argument_scratch,
                             state->argument_refs, &view);
        FLOE_TRY(accumulate_prepared(state, slot, &view, weights, selection, count, err));
    }
    for (uint32_t g = 0; counting_sum != NULL && g < state->group_count; g++)
        state->row_counts[g] += counting_sum->counts[g] - counted_before[g];
    if (weights != NULL)
        FLOE_TRY(remove_groups_if_empty(state, state->touched_list, state->touched_count, err));
    return account(state, err);
}

int floe_eng_group_state_hash_keys(floe_eng_group_state *state, const floe_vector *const *keys,
                                   const uint16_t *selection, uint32_t count, uint64_t *hashes,
                                   floe_error *err)
{
    FLOE_RETURN_IF(count > ROWS, FLOE_EINVAL, err, "aggregate state: %u rows to hash", count);
    if (state->key_count == 0) {
        FOR_ROWS(selection, count, row, { hashes[row] = 0; });
        return FLOE_OK;
    }
    for (uint32_t k = 0; k < state->key_count; k++)
        FLOE_TRY(check_vector(keys[k], state->types[k], "key", k, err));
    floe_k_keys view;
    FLOE_TRY(prepare_keys(state, keys, selection, count, &view, err));
    switch (view.kind) {
    case FLOE_K_KEY_I32:
        floe_k_hash_i32(hashes, view.values, view.validity, selection, count, 0);
        break;
    case FLOE_K_KEY_I64:
        floe_k_hash_i64(hashes, view.values, view.validity, selection, count, 0);
        break;
    case FLOE_K_KEY_I128:
        floe_k_hash_i128(hashes, view.values, view.validity, selection, count, 0);
        break;
    case FLOE_K_KEY_BYTES:
        floe_k_hash_string(hashes, view.values, view.heap, view.validity, selection, count, 0);
        break;
    }
    return FLOE_OK;
}

/* ---- reading values back: keys, multisets and distinct entries ---- */

/* Stores a value of `vector`'s type, taken from its form, at `row`. */
static int store_value(floe_vector *vector, uint32_t row, const form_value *value,
                       floe_error *err)
{
    unsigned char *data = vector->data;
    switch ((floe_type_id)vector->type.id) {
    case FLOE_TYPE_BOOLEAN: data[row] = value->i64 != 0; break;
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_DATE: ((int32_t *)data)[row] = (int32_t)value->i64; break;
    case FLOE_TYPE_FLOAT32: ((float *)data)[row] = (float)value->f64; break;
    case FLOE_TYPE_FLOAT64: ((double *)data)[row] = value->f64; break;
    case FLOE_TYPE_DECIMAL:
        if (is_decimal128(vector->type))
            ((floe_int128 *)data)[row] = value->i128;
        else
            ((int64_t *)data)[row] = value->i64;
        break;
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY:
        return floe_vector_set_string(vector, row, value->bytes, value->length, err);
    case FLOE_TYPE_INVALID: break;
    default: ((int64_t *)data)[row] = value->i64; break;
    }
    return FLOE_OK;
}

/* A key part of `type` stored as `kind` at raw (fixed-width) or bytes (BYTES) to its form. */
static form_value key_part_value(floe_type type, floe_k_key_kind kind, const unsigned char *raw,
                                 const unsigned char *bytes, uint32_t length)
{
    form_value value = {0};
    switch (kind) {
    case FLOE_K_KEY_I32: {
        int32_t part;
        memcpy(&part, raw, 4);
        if (type.id == FLOE_TYPE_FLOAT32) value.f64 = float_of_bits((uint32_t)part);
        value.i64 = part;
        break;
    }
    case FLOE_K_KEY_I64: {
        int64_t part;
        memcpy(&part, raw, 8);
        if (type.id == FLOE_TYPE_FLOAT64) value.f64 = double_of_bits((uint64_t)part);
        value.i64 = part;
        break;
    }
    case FLOE_K_KEY_I128: memcpy(&value.i128, raw, 16); break;
    case FLOE_K_KEY_BYTES:
        value.bytes = bytes;
        value.length = length;
        break;
    }
    return value;
}

/* Writes group `group`'s key into key_count vectors at `row`. */
static int write_key(const floe_eng_group_state *state, uint32_t group, floe_vector *vectors,
                     uint32_t row, floe_error *err)
{
    const floe_k_hashtable *table = state->table;
    if (state->key_count == 1) {
        if (group == floe_k_ht_null_group(table)) {
            floe_vector_set_null(&vectors[0], row);
            return FLOE_OK;
        }
        floe_k_ht_flat flat;
        floe_k_ht_view(table, &flat);
        const unsigned char *raw =
            (const unsigned char *)flat.keys + (size_t)group * key_width(flat.kind);
        uint32_t length = 0;
        const unsigned char *bytes = NULL;
        if (flat.kind == FLOE_K_KEY_BYTES) bytes = floe_k_ht_key_bytes(table, group, &length);
        form_value value = key_part_value(state->types[0], flat.kind, raw, bytes, length);
        return store_value(&vectors[0], row, &value, err);
    }
    /* Composite: floe_k_key_encode's layout, a flag byte per part then its bytes. */
    uint32_t length;
    const unsigned char *key = floe_k_ht_key_bytes(table, group, &length);
    const unsigned char *end = key + length;
    for (uint32_t k = 0; k < state->key_count; k++) {
        FLOE_RETURN_IF(key >= end, FLOE_ECORRUPT, err, "aggregate state: group %u: short key",
                       group);
        if (*key++ == 0) {
            floe_vector_set_null(&vectors[k], row);
            continue;
        }
        floe_k_key_kind kind = state->key_kinds[k];
        form_value value;
        if (kind == FLOE_K_KEY_BYTES) {
            uint32_t part_length = (uint32_t)key[0] | (uint32_t)key[1] << 8 |
                                   (uint32_t)key[2] << 16 | (uint32_t)key[3] << 24;
            value = key_part_value(state->types[k], kind, NULL, key + 4, part_length);
            key += 4 + part_length;
        } else {
            value = key_part_value(state->types[k], kind, key, NULL, 0);
            key += key_width(kind);
        }
        FLOE_TRY(store_value(&vectors[k], row, &value, err));
    }
    return FLOE_OK;
}

/* A multiset entry's value in the slot's form. */
static form_value minmax_entry_value(const aggregate_slot *slot, const floe_k_minmax_entry *entry)
{
    form_value value = {0};
    switch (slot->form) {
    case FORM_I64: value.i64 = minmax_key_to_i64(entry->key); break;
    case FORM_F64: value.f64 = minmax_key_to_f64(entry->key); break;
    case FORM_I128: value.i128 = int128_of_ordered(entry->bytes); break;
    case FORM_BYTES:
        value.bytes = entry->bytes;
        value.length = entry->length;
        break;
    }
    return value;
}

/* A distinct entry's serial and value. */
static form_value distinct_entry_value(const aggregate_slot *slot, uint32_t entry,
                                       uint64_t *serial)
{
    form_value value = {0};
    if (floe_k_ht_kind(slot->values) == FLOE_K_KEY_I128) {
        floe_uint128 key = (floe_uint128)floe_k_ht_key_i128(slot->values, entry);
        *serial = (uint64_t)(key >> 64);
        uint64_t bits = (uint64_t)key;
        value.i64 = (int64_t)bits;
        value.f64 = double_of_bits(bits);
        return value;
    }
    uint32_t length;
    const unsigned char *bytes = floe_k_ht_key_bytes(slot->values, entry, &length);
    uint64_t number = 0;
    for (int b = 7; b >= 0; b--) number = number << 8 | bytes[b];
    *serial = number;
    if (slot->form == FORM_I128) {
        memcpy(&value.i128, bytes + 8, 16);
    } else {
        value.bytes = bytes + 8;
        value.length = length - 8;
    }
    return value;
}

/* ---- emitting results ---- */

static double power_of_ten(unsigned exponent)
{
    double value = 1.0;
    for (unsigned k = 0; k < exponent; k++) value *= 10.0;
    return value;
}

static int write_result(const floe_eng_group_state *state, const aggregate_slot *slot,
                        uint32_t group, floe_vector *vector, uint32_t row, floe_error *err)
{
    bool is_null = false;
    switch (slot->kind) {
    case ACCUMULATE_ROWS: ((int64_t *)vector->data)[row] = state->row_counts[group]; return FLOE_OK;
    case ACCUMULATE_COUNT: ((int64_t *)vector->data)[row] = slot->counts[group]; return FLOE_OK;
    case ACCUMULATE_SUM: {
        int64_t count = slot->counts[group];
        if (slot->spec.function == FLOE_SQL_AGGREGATE_AVG) {
            double sum = slot->form == FORM_F64 ? slot->sums_double[group]
                                                : floe_k_int128_to_double(slot->sums_int[group]);
            if (slot->spec.argument_type.id == FLOE_TYPE_DECIMAL)
                sum /= power_of_ten(slot->spec.argument_type.scale);
            floe_k_agg_avg_result(sum, count, &((double *)vector->data)[row], &is_null);
        } else if (slot->form == FORM_F64) {
            is_null = count == 0;
            ((double *)vector->data)[row] = slot->sums_double[group];
        } else if (floe_k_agg_sum_decimal_result(slot->sums_int[group], count,
                                                 &((floe_int128 *)vector->data)[row], &is_null,
                                                 NULL) != FLOE_OK) {
            return floe_error_set(err, FLOE_ERANGE,
                                  "SUM overflow: the sum in SUM(%s...) needs more than 38 digits",
                                  slot->distinct ? "DISTINCT " : "");
        }
        break;
    }
    case ACCUMULATE_MINMAX: {
        bool want_max = slot->spec.function == FLOE_SQL_AGGREGATE_MAX;
        form_value value = {0};
        switch (slot->form) {
        case FORM_I64:
            is_null = !floe_k_minmax_get_i64(&slot->minmax, group, want_max, &value.i64);
            break;
        case FORM_F64:
            is_null = !floe_k_minmax_get_f64(&slot->minmax, group, want_max, &value.f64);
            break;
        case FORM_I128:
        case FORM_BYTES:
            is_null = !floe_k_minmax_get_bytes(&slot->minmax, group, want_max, &value.bytes,
                                               &value.length);
            if (!is_null && slot->form == FORM_I128) value.i128 = int128_of_ordered(value.bytes);
            break;
        }
        if (!is_null) FLOE_TRY(store_value(vector, row, &value, err));
        break;
    }
    }
    if (is_null) floe_vector_set_null(vector, row);
    return FLOE_OK;
}

static int check_output(const floe_eng_group_state *state, const floe_batch *out, floe_error *err)
{
    uint32_t columns = state->key_count + state->slot_count;
    FLOE_RETURN_IF(out->column_count != columns, FLOE_EINVAL, err,
                   "aggregate state: output batch has %u columns, expected %u", out->column_count,
                   columns);
    for (uint32_t c = 0; c < columns; c++)
        FLOE_TRY(check_vector(&out->columns[c], state->types[c], "output column", c, err));
    return FLOE_OK;
}

static int write_row(const floe_eng_group_state *state, uint32_t group, floe_batch *out,
                     uint32_t row, floe_error *err)
{
    if (state->key_count > 0) FLOE_TRY(write_key(state, group, out->columns, row, err));
    for (uint32_t s = 0; s < state->slot_count; s++)
        FLOE_TRY(write_result(state, &state->slots[s], group,
                              &out->columns[state->key_count + s], row, err));
    return FLOE_OK;
}

int floe_eng_group_state_emit(const floe_eng_group_state *state, uint32_t *cursor, floe_batch *out,
                              floe_error *err)
{
    FLOE_TRY(check_output(state, out, err));
    floe_batch_reset(out);
    uint32_t row = 0;
    while (*cursor < state->group_count && row < ROWS) {
        uint32_t group = (*cursor)++;
        if (state->key_count > 0 && state->row_counts[group] <= 0) continue;
        FLOE_TRY(write_row(state, group, out, row, err));
        out->row_count = ++row;
    }
    return FLOE_OK;
}

int floe_eng_group_state_emit_groups(const floe_eng_group_state *state, const uint32_t *groups,
                                     uint32_t count, floe_batch *out, floe_error *err)
{
    FLOE_TRY(check_output(state, out, err));
    FLOE_RETURN_IF(count > ROWS, FLOE_EINVAL, err, "aggregate state: %u groups in one batch",
                   count);
    floe_batch_reset(out);
    for (uint32_t i = 0; i < count; i++) {
        FLOE_RETURN_IF(groups[i] >= state->group_count, FLOE_EINVAL, err,
                       "aggregate state: group %u of %u", groups[i], state->group_count);
        FLOE_TRY(write_row(state, groups[i], out, i, err));
        out->row_count = i + 1;
    }
    return FLOE_OK;
}

bool floe_eng_group_state_flat_emits(const floe_eng_group_state *state)
{
    for (uint32_t s = 0; s < state->slot_count; s++)
        if (state->slots[s].kind == ACCUMULATE_MINMAX || state->slots[s].distinct) return false;
    return true;
}

/* Writes `count` values of one call's result for flat groups rows[] into `vector`. */
static int write_flat_results(const aggregate_slot *slot, const floe_eng_group_state_flat *flat,
                              const floe_eng_aggregate_flat *call, const uint32_t *rows,
                              uint32_t count, floe_vector *vector, floe_error *err)
{
    switch (slot->kind) {
    case ACCUMULATE_ROWS:
        for (uint32_t i = 0; i < count; i++)
            ((int64_t *)vector->data)[i] = flat->row_counts[rows[i]];
        return FLOE_OK;
    case ACCUMULATE_COUNT:
        for (uint32_t i = 0; i < count; i++) ((int64_t *)vector->data)[i] = call->counts[rows[i]];
        return FLOE_OK;
    case ACCUMULATE_SUM: break;
    case ACCUMULATE_MINMAX:
        return floe_error_set(err, FLOE_EINVAL, "aggregate state: MIN/MAX from the flat form");
    }
    bool avg = slot->spec.function == FLOE_SQL_AGGREGATE_AVG;
    double scale = slot->spec.argument_type.id == FLOE_TYPE_DECIMAL
                       ? power_of_ten(slot->spec.argument_type.scale)
                       : 1.0;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t group = rows[i];
        int64_t group_count = call->counts[group];
        bool is_null = false;
        if (avg) {
            double sum = slot->form == FORM_F64 ? call->sums_double[group]
                                                : floe_k_int128_to_double(call->sums_int[group]);
            if (slot->spec.argument_type.id == FLOE_TYPE_DECIMAL) sum /= scale;
            floe_k_agg_avg_result(sum, group_count, &((double *)vector->data)[i], &is_null);
        } else if (slot->form == FORM_F64) {
            is_null = group_count == 0;
            ((double *)vector->data)[i] = call->sums_double[group];
        } else if (floe_k_agg_sum_decimal_result(call->sums_int[group], group_count,
                                                 &((floe_int128 *)vector->data)[i], &is_null,
                                                 NULL) != FLOE_OK) {
            return floe_error_set(err, FLOE_ERANGE,
                                  "SUM overflow: the sum in SUM(...) needs more than 38 digits");
        }
        if (is_null) floe_vector_set_null(vector, i);
    }
    return FLOE_OK;
}

int floe_eng_group_state_emit_flat(const floe_eng_group_state *state,
                                   const floe_eng_group_state_flat *flat, const uint32_t *rows,
                                   uint32_t count, floe_batch *out, floe_error *err)
{
    FLOE_TRY(check_output(state, out, err));
    FLOE_RETURN_IF(count > ROWS, FLOE_EINVAL, err, "aggregate state: %u groups in one batch",
                   count);
    FLOE_RETURN_IF(!floe_eng_group_state_flat_emits(state) ||
                       flat->key_count != state->key_count ||
                       flat->call_count != state->slot_count,
                   FLOE_EINVAL, err, "aggregate state: rows of another state's flat form");
    floe_batch_reset(out);
    for (uint32_t i = 0; i < count; i++)
        FLOE_RETURN_IF(rows[i] >= flat->group_count, FLOE_EINVAL, err,
                       "aggregate state: flat group %u of %u", rows[i], flat->group_count);
    for (uint32_t k = 0; k < state->key_count; k++) {
        const floe_vector *from = &flat->keys[k];
        floe_vector *to = &out->columns[k];
        if (from->type.id == FLOE_TYPE_STRING || from->type.id == FLOE_TYPE_BINARY) {
            for (uint32_t i = 0; i < count; i++) {
                if (floe_vector_is_null(from, rows[i])) {
                    floe_vector_set_null(to, i);
                    ((floe_string_ref *)to->data)[i] = (floe_string_ref){0, 0};
                    continue;
                }
                uint32_t length = 0;
                const unsigned char *bytes = floe_vector_string(from, rows[i], &length);
                FLOE_TRY(floe_vector_set_string(to, i, bytes, length, err));
            }
            continue;
        }
        size_t width = floe_type_width(from->type);
        if (width == 8) {
            for (uint32_t i = 0; i < count; i++)
                ((uint64_t *)to->data)[i] = ((const uint64_t *)from->data)[rows[i]];
        } else if (width == 4) {
            for (uint32_t i = 0; i < count; i++)
                ((uint32_t *)to->data)[i] = ((const uint32_t *)from->data)[rows[i]];
        } else {
            for (uint32_t i = 0; i < count; i++)
                memcpy((char *)to->data + i * width, (const char *)from->data + rows[i] * width,
                       width);
        }
        for (uint32_t i = 0; from->validity != NULL && i < count; i++)
            if (floe_vector_is_null(from, rows[i])) floe_vector_set_null(to, i);
    }
    for (uint32_t s = 0; s < state->slot_count; s++)
        FLOE_TRY(write_flat_results(&state->slots[s], flat, &flat->calls[s], rows, count,
                                    &out->columns[state->key_count + s], err));
    out->row_count = count;
    return FLOE_OK;
}

/* ---- merge ---- */

static bool same_shape(const floe_eng_group_state *a, const floe_eng_group_state *b)
{
    if (a->key_count != b->key_count || a->slot_count != b->slot_count) return false;
    for (uint32_t c = 0; c < a->key_count; c++)
        if (!floe_type_equal(a->types[c], b->types[c])) return false;
    for (uint32_t s = 0; s < a->slot_count; s++) {
        const floe_eng_aggregate_spec *x = &a->slots[s].spec, *y = &b->slots[s].spec;
        if (x->function != y->function || x->distinct != y->distinct) return false;
        if (x->function != FLOE_SQL_AGGREGATE_COUNT_STAR &&
            !floe_type_equal(x->argument_type, y->argument_type))
            return false;
    }
    return true;
}

/* serial -> group id of `state` as a hash table whose group ids are the state's (serials are
 * unique and inserted in group order, so the table numbers them 0, 1, 2, ...). */
static int index_serials(const floe_eng_group_state *state, floe_k_hashtable **index,
                         floe_error *err)
{
    FLOE_TRY(floe_k_ht_create(FLOE_K_KEY_I64, state->group_count, index, err));
    uint32_t *ids = floe_malloc(ROWS * sizeof *ids);
    int status = ids == NULL ? floe_error_set(err, FLOE_ENOMEM, "out of memory merging states")
                             : FLOE_OK;
    for (uint32_t start = 0; status == FLOE_OK && start < state->group_count; start += ROWS) {
        uint32_t count = state->group_count - start < ROWS ? state->group_count - start : ROWS;
        floe_k_keys keys = {FLOE_K_KEY_I64, state->serials + start, NULL, NULL};
        status = floe_k_ht_find_or_insert(*index, &keys, NULL, NULL, count, ids, err);
    }
    floe_free(ids);
    if (status != FLOE_OK) {
        floe_k_ht_free(*index);
        *index = NULL;
    }
    return status;
}

static uint32_t group_of_serial(const floe_k_hashtable *index, uint64_t serial)
{
    uint32_t group;
    int64_t key = (int64_t)serial;
    floe_k_keys keys = {FLOE_K_KEY_I64, &key, NULL, NULL};
    floe_k_ht_find(index, &keys, NULL, NULL, 1, &group);
    return group;
}

/* Stages pseudo-row i (group, value, weight) for a call: the value lands in the slot's form in
 * the argument scratch, strings by reference into memory that outlives the flush. */
static void stage_value(floe_eng_group_state *state, const aggregate_slot *slot, uint32_t i,
                        const form_value *value)
{
    switch (slot->form) {
    case FORM_I64: ((int64_t *)state->argument_scratch)[i] = value->i64; break;
    case FORM_F64: ((double *)state->argument_scratch)[i] = value->f64; break;
    case FORM_I128: ((floe_int128 *)state->argument_scratch)[i] = value->i128; break;
    case FORM_BYTES: break; /* staged by stage_bytes */
    }
}

/* Folds `count` staged pseudo-rows (group_ids, argument scratch, pseudo_weights) into a call.
 * heap: the base that string refs point into (FORM_BYTES). */
static int flush_staged(floe_eng_group_state *state, aggregate_slot *slot, uint32_t count,
                        const unsigned char *heap, floe_error *err)
{
    if (count == 0) return FLOE_OK;
    column_view view = {slot->form == FORM_BYTES ? (const void *)state->argument_refs
                                                 : (const void *)state->argument_scratch,
                        NULL, heap};
    if (slot->kind == ACCUMULATE_MINMAX) {
        /* The touched set feeds the MIN/MAX accounting. */
        collect_touched(state, NULL, count);
    }
    return accumulate_prepared(state, slot, &view, state->pseudo_weights, NULL, count, err);
}

/* Byte-string pseudo-rows point into one contiguous buffer per flush: the staging buffer. */
static int stage_bytes(floe_eng_group_state *state, uint32_t i, const form_value *value,
                       floe_k_key_buffer *buffer, floe_error *err)
{
    size_t needed = buffer->size + value->length;
    FLOE_RETURN_IF(needed > UINT32_MAX, FLOE_ERANGE, err, "more than 4 GiB of staged values");
    if (needed > buffer->capacity) {
        size_t capacity = buffer->capacity < 4096 ? 4096 : buffer->capacity * 2;
        while (capacity < needed) capacity *= 2;
        unsigned char *grown = floe_realloc(buffer->bytes, capacity);
        FLOE_RETURN_IF(grown == NULL, FLOE_ENOMEM, err, "out of memory staging values");
        buffer->bytes = grown;
        buffer->capacity = capacity;
    }
    if (value->length > 0) memcpy(buffer->bytes + buffer->size, value->bytes, value->length);
    state->argument_refs[i] = (floe_string_ref){(uint32_t)buffer->size, value->length};
    buffer->size = needed;
    return FLOE_OK;
}

/* A writer of pseudo-rows into one call, flushing every ROWS rows. */
typedef struct stager {
    floe_eng_group_state *state;
    aggregate_slot *slot;
    floe_k_key_buffer bytes;
    uint32_t count;
} stager;

static int stager_add(stager *stage, uint32_t group, const form_value *value, int64_t weight,
                      floe_error *err)
{
    floe_eng_group_state *state = stage->state;
    uint32_t i = stage->count;
    state->group_ids[i] = group;
    state->pseudo_weights[i] = weight;
    if (stage->slot->form == FORM_BYTES)
        FLOE_TRY(stage_bytes(state, i, value, &stage->bytes, err));
    else
        stage_value(state, stage->slot, i, value);
    if (++stage->count < ROWS) return FLOE_OK;
    stage->count = 0;
    int status = flush_staged(state, stage->slot, ROWS, stage->bytes.bytes, err);
    stage->bytes.size = 0;
    return status;
}

static int stager_finish(stager *stage, floe_error *err)
{
    int status = flush_staged(stage->state, stage->slot, stage->count, stage->bytes.bytes, err);
    stage->count = 0;
    floe_k_key_buffer_fini(&stage->bytes);
    return status;
}

/* Adds from's MIN/MAX multisets and DISTINCT entries of call s into `into`, group g of `from`
 * going to target[g]. */
static int merge_entries(floe_eng_group_state *into, const floe_eng_group_state *from,
                         uint32_t s, const uint32_t *target, const floe_k_hashtable *serial_index,
                         floe_error *err)
{
    aggregate_slot *slot = &into->slots[s];
    const aggregate_slot *source = &from->slots[s];
    stager stage = {into, slot, {NULL, 0, 0}, 0};
    int status = FLOE_OK;
    if (slot->kind == ACCUMULATE_MINMAX) {
        for (uint32_t g = 0; g < from->group_count && status == FLOE_OK; g++) {
            const floe_k_minmax_group *group = &source->minmax.groups[g];
            for (uint32_t e = 0; e < group->length && status == FLOE_OK; e++) {
                form_value value = minmax_entry_value(source, &group->entries[e]);
                status = stager_add(&stage, target[g], &value, group->entries[e].count, err);
            }
        }
    } else {
        uint32_t entries = floe_k_ht_group_count(source->values);
        for (uint32_t e = 0; e < entries && status == FLOE_OK; e++) {
            uint64_t serial;
            form_value value = distinct_entry_value(source, e, &serial);
            uint32_t group = group_of_serial(serial_index, serial);
            if (group == FLOE_K_NO_GROUP) continue; /* left behind by an emptied group */
            status = stager_add(&stage, target[group], &value, source->value_counts[e], err);
        }
    }
    int finished = stager_finish(&stage, err);
    return status != FLOE_OK ? status : finished;
}

/* Maps from's groups to into's (creating missing ones) in target[]. */
static int merge_groups(floe_eng_group_state *into, const floe_eng_group_state *from,
                        uint32_t *target, floe_error *err)
{
    if (into->key_count == 0) {
        target[0] = 0;
        return FLOE_OK;
    }
    floe_k_ht_flat flat;
    floe_k_ht_view(from->table, &flat);
    size_t width = key_width(flat.kind);
    uint64_t validity[ROWS / 64];
    for (uint32_t start = 0; start < from->group_count; start += ROWS) {
        uint32_t count = from->group_count - start < ROWS ? from->group_count - start : ROWS;
        floe_k_keys keys = {flat.kind, (const unsigned char *)flat.keys + start * width,
                            flat.heap, NULL};
        if (flat.null_group != FLOE_K_NO_GROUP && flat.null_group >= start &&
            flat.null_group < start + count) {
            memset(validity, 0xff, sizeof validity);
            uint32_t bit = flat.null_group - start;
            validity[bit >> 6] &= ~(UINT64_C(1) << (bit & 63));
            keys.validity = validity;
        }
        FLOE_TRY(assign_groups(into, &keys, flat.hashes + start, NULL, count, err));
        memcpy(target + start, into->group_ids, count * sizeof *target);
    }
    return FLOE_OK;
}

static int merge_accumulators(floe_eng_group_state *into, const floe_eng_group_state *from,
                              const uint32_t *target, floe_error *err)
{
    for (uint32_t g = 0; g < from->group_count; g++)
        FLOE_RETURN_IF(__builtin_add_overflow(into->row_counts[target[g]], from->row_counts[g],
                                              &into->row_counts[target[g]]),
                       FLOE_ERANGE, err, "aggregate state merge: a group's row count overflows");
    for (uint32_t s = 0; s < into->slot_count; s++) {
        aggregate_slot *slot = &into->slots[s];
        const aggregate_slot *source = &from->slots[s];
        if (slot->distinct || slot->counts == NULL) continue;
        for (uint32_t g = 0; g < from->group_count; g++)
            FLOE_RETURN_IF(__builtin_add_overflow(slot->counts[target[g]], source->counts[g],
                                                  &slot->counts[target[g]]),
                           FLOE_ERANGE, err, "aggregate state merge: a group's count overflows");
        if (slot->sums_double != NULL)
            for (uint32_t g = 0; g < from->group_count; g++)
                slot->sums_double[target[g]] += source->sums_double[g];
        if (slot->sums_int != NULL)
            for (uint32_t g = 0; g < from->group_count; g++)
                if (__builtin_add_overflow(slot->sums_int[target[g]], source->sums_int[g],
                                           &slot->sums_int[target[g]]))
                    return sum_overflow(slot, err);
    }
    return FLOE_OK;
}

static int check_merge(const floe_eng_group_state *into, const floe_eng_group_state *from,
                       floe_error *err)
{
    FLOE_RETURN_IF(into == from, FLOE_EINVAL, err, "aggregate state merge: a state into itself");
    FLOE_RETURN_IF(!same_shape(into, from), FLOE_EINVAL, err,
                   "aggregate state merge: the states have different keys or calls");
    return FLOE_OK;
}

/* Adds every call's accumulators, multisets and distinct entries of from's groups into
 * into's target[] groups. */
static int merge_into_targets(floe_eng_group_state *into, const floe_eng_group_state *from,
                              const uint32_t *target, floe_error *err)
{
    floe_k_hashtable *serial_index = NULL;
    int status = merge_accumulators(into, from, target, err);
    if (status == FLOE_OK && from->serials != NULL)
        status = index_serials(from, &serial_index, err);
    for (uint32_t s = 0; s < into->slot_count && status == FLOE_OK; s++)
        if (into->slots[s].kind == ACCUMULATE_MINMAX || into->slots[s].distinct)
            status = merge_entries(into, from, s, target, serial_index, err);
    floe_k_ht_free(serial_index);
    return status;
}

int floe_eng_group_state_merge(floe_eng_group_state *into, const floe_eng_group_state *from,
                               floe_error *err)
{
    FLOE_TRY(check_merge(into, from, err));
    into->touched = true;
    uint32_t *target = floe_malloc((from->group_count + 1) * sizeof *target);
    FLOE_RETURN_IF(target == NULL, FLOE_ENOMEM, err, "out of memory merging aggregate states");
    int status = merge_groups(into, from, target, err);
    if (status == FLOE_OK) status = merge_into_targets(into, from, target, err);
    /* Groups emptied by the merge (a partial's retractions cancelling another's inserts) go
     * last: ids in target[] stay valid until every call is merged. */
    if (status == FLOE_OK) status = remove_groups_if_empty(into, target, from->group_count, err);
    floe_free(target);
    int accounted = account(into, err);
    return status != FLOE_OK ? status : accounted;
}

int floe_eng_group_state_map_groups(floe_eng_group_state *into, const floe_eng_group_state *from,
                                    uint32_t *groups, floe_error *err)
{
    FLOE_TRY(check_merge(into, from, err));
    into->touched = true;
    int status = merge_groups(into, from, groups, err);
    int accounted = account(into, err);
    return status != FLOE_OK ? status : accounted;
}

int floe_eng_group_state_merge_mapped(floe_eng_group_state *into,
                                      const floe_eng_group_state *from, const uint32_t *groups,
                                      floe_error *err)
{
    FLOE_TRY(check_merge(into, from, err));
    for (uint32_t g = 0; g < from->group_count; g++)
        FLOE_RETURN_IF(groups[g] >= into->group_count, FLOE_EINVAL, err,
                       "aggregate state merge: group %u mapped to %u of %u", g, groups[g],
                       into->group_count);
    into->touched = true;
    int status = merge_into_targets(into, from, groups, err);
    int accounted = account(into, err);
    return status != FLOE_OK ? status : accounted;
}

const int64_t *floe_eng_group_state_row_counts(const floe_eng_group_state *state)
{
    return state->row_counts;
}

/* ---- the flat form ---- */

void floe_eng_group_state_flat_fini(floe_eng_group_state_flat *flat)
{
    if (flat == NULL) return;
    for (uint32_t k = 0; flat->keys != NULL && k < flat->key_count; k++)
        floe_vector_fini(&flat->keys[k]);
    floe_free(flat->keys);
    floe_free(flat->hashes);
    floe_free(flat->row_counts);
    for (uint32_t c = 0; flat->calls != NULL && c < flat->call_count; c++) {
        floe_eng_aggregate_flat *call = &flat->calls[c];
        floe_free(call->counts);
        floe_free(call->sums_int);
        floe_free(call->sums_double);
        floe_free(call->entries.groups);
        floe_free(call->entries.counts);
        floe_vector_fini(&call->entries.values);
    }
    floe_free(flat->calls);
    memset(flat, 0, sizeof *flat);
}

static void *copy_array(const void *source, size_t count, size_t width, bool *failed)
{
    void *copy = floe_malloc(count * width + 1);
    if (copy == NULL) {
        *failed = true;
        return NULL;
    }
    if (count > 0) memcpy(copy, source, count * width);
    return copy;
}

static int allocate_entries(floe_eng_group_entries *entries, floe_type type, size_t count,
                            floe_error *err)
{
    FLOE_RETURN_IF(count > UINT32_MAX - 1, FLOE_ERANGE, err,
                   "aggregate state: %zu entries do not fit one flat vector", count);
    entries->groups = floe_malloc((count + 1) * sizeof *entries->groups);
    entries->counts = floe_malloc((count + 1) * sizeof *entries->counts);
    FLOE_RETURN_IF(entries->groups == NULL || entries->counts == NULL, FLOE_ENOMEM, err,
                   "out of memory exporting %zu aggregate entries", count);
    return floe_vector_init(&entries->values, type, (uint32_t)(count > 0 ? count : 1), err);
}

static int export_entries(const floe_eng_group_state *state, const aggregate_slot *slot,
                          const floe_k_hashtable *serial_index, floe_eng_group_entries *entries,
                          floe_error *err)
{
    if (slot->kind == ACCUMULATE_MINMAX) {
        size_t total = 0;
        for (uint32_t g = 0; g < state->group_count; g++) total += slot->minmax.groups[g].length;
        FLOE_TRY(allocate_entries(entries, slot->spec.argument_type, total, err));
        for (uint32_t g = 0; g < state->group_count; g++) {
            const floe_k_minmax_group *group = &slot->minmax.groups[g];
            for (uint32_t e = 0; e < group->length; e++) {
                form_value value = minmax_entry_value(slot, &group->entries[e]);
                FLOE_TRY(store_value(&entries->values, entries->count, &value, err));
                entries->groups[entries->count] = g;
                entries->counts[entries->count++] = group->entries[e].count;
            }
        }
        return FLOE_OK;
    }
    uint32_t total = floe_k_ht_group_count(slot->values);
    FLOE_TRY(allocate_entries(entries, slot->spec.argument_type, total, err));
    for (uint32_t e = 0; e < total; e++) {
        uint64_t serial;
        form_value value = distinct_entry_value(slot, e, &serial);
        uint32_t group = group_of_serial(serial_index, serial);
        if (group == FLOE_K_NO_GROUP) continue; /* left behind by an emptied group */
        FLOE_TRY(store_value(&entries->values, entries->count, &value, err));
        entries->groups[entries->count] = group;
        entries->counts[entries->count++] = slot->value_counts[e];
    }
    return FLOE_OK;
}

static int export_into(const floe_eng_group_state *state, floe_eng_group_state_flat *flat,
                       floe_error *err)
{
    uint32_t groups = state->group_count;
    flat->group_count = groups;
    flat->keys = floe_calloc(state->key_count + 1, sizeof *flat->keys);
    flat->calls = floe_calloc(state->slot_count + 1, sizeof *flat->calls);
    bool failed = flat->keys == NULL || flat->calls == NULL;
    flat->row_counts = copy_array(state->row_counts, groups, sizeof(int64_t), &failed);
    flat->hashes = floe_calloc(groups + 1, sizeof *flat->hashes);
    failed |= flat->hashes == NULL;
    FLOE_RETURN_IF(failed, FLOE_ENOMEM, err, "out of memory exporting an aggregate state");
    flat->key_count = state->key_count;
    flat->call_count = state->slot_count;
    for (uint32_t k = 0; k < state->key_count; k++)
        FLOE_TRY(floe_vector_init(&flat->keys[k], state->types[k], groups > 0 ? groups : 1, err));
    if (state->key_count > 0) {
        floe_k_ht_flat table;
        floe_k_ht_view(state->table, &table);
        if (groups > 0) memcpy(flat->hashes, table.hashes, groups * sizeof *flat->hashes);
        for (uint32_t g = 0; g < groups; g++) FLOE_TRY(write_key(state, g, flat->keys, g, err));
    }
    for (uint32_t s = 0; s < state->slot_count; s++) {
        const aggregate_slot *slot = &state->slots[s];
        floe_eng_aggregate_flat *call = &flat->calls[s];
        if (slot->kind == ACCUMULATE_MINMAX || slot->distinct) continue;
        if (slot->counts != NULL) call->counts = copy_array(slot->counts, groups, 8, &failed);
        if (slot->sums_int != NULL)
            call->sums_int = copy_array(slot->sums_int, groups, sizeof(floe_int128), &failed);
        if (slot->sums_double != NULL)
            call->sums_double = copy_array(slot->sums_double, groups, sizeof(double), &failed);
    }
    FLOE_RETURN_IF(failed, FLOE_ENOMEM, err, "out of memory exporting an aggregate state");
    floe_k_hashtable *serial_index = NULL;
    if (state->serials != NULL) FLOE_TRY(index_serials(state, &serial_index, err));
    int status = FLOE_OK;
    for (uint32_t s = 0; s < state->slot_count && status == FLOE_OK; s++)
        if (state->slots[s].kind == ACCUMULATE_MINMAX || state->slots[s].distinct)
            status = export_entries(state, &state->slots[s], serial_index,
                                    &flat->calls[s].entries, err);
    floe_k_ht_free(serial_index);
    return status;
}

int floe_eng_group_state_export(const floe_eng_group_state *state, floe_eng_group_state_flat *flat,
                                floe_error *err)
{
    memset(flat, 0, sizeof *flat);
    int status = export_into(state, flat, err);
    if (status != FLOE_OK) floe_eng_group_state_flat_fini(flat);
    return status;
}

/* A view of rows [start, start + count) of a flat vector as a batch-sized vector (start is a
 * multiple of 64, so validity words line up). */
static void window_of(const floe_vector *vector, uint32_t start, floe_vector *window)
{
    *window = *vector;
    window->data = (unsigned char *)vector->data + (size_t)start * floe_type_width(vector->type);
    window->validity = vector->validity != NULL ? vector->validity + start / 64 : NULL;
}

static int check_flat(const floe_eng_group_state *state, const floe_eng_group_state_flat *flat,
                      floe_error *err)
{
    FLOE_RETURN_IF(flat->key_count != state->key_count || flat->call_count != state->slot_count,
                   FLOE_EINVAL, err,
                   "aggregate state import: %u keys and %u calls, the state has %u and %u",
                   flat->key_count, flat->call_count, state->key_count, state->slot_count);
    FLOE_RETURN_IF(state->touched, FLOE_EINVAL, err,
                   "aggregate state import: the state is not empty");
    FLOE_RETURN_IF(flat->group_count > 0 && flat->row_counts == NULL, FLOE_ECORRUPT, err,
                   "aggregate state import: %u groups without row counts", flat->group_count);
    FLOE_RETURN_IF(flat->key_count > 0 && flat->keys == NULL, FLOE_ECORRUPT, err,
                   "aggregate state import: key columns missing");
    FLOE_RETURN_IF(flat->call_count > 0 && flat->calls == NULL, FLOE_ECORRUPT, err,
                   "aggregate state import: call accumulators missing");
    FLOE_RETURN_IF(state->key_count == 0 && flat->group_count != 1, FLOE_ECORRUPT, err,
                   "aggregate state import: %u groups for an aggregate without GROUP BY",
                   flat->group_count);
    for (uint32_t k = 0; k < flat->key_count; k++) {
        FLOE_TRY(check_vector(&flat->keys[k], state->types[k], "imported key", k, err));
        FLOE_RETURN_IF(flat->keys[k].capacity < flat->group_count ||
                           flat->keys[k].encoding != FLOE_VECTOR_FLAT,
                       FLOE_ECORRUPT, err,
                       "aggregate state import: key %u holds %u flat rows, not %u", k,
                       flat->keys[k].capacity, flat->group_count);
    }
    for (uint32_t s = 0; s < state->slot_count; s++) {
        const aggregate_slot *slot = &state->slots[s];
        const floe_eng_aggregate_flat *call = &flat->calls[s];
        if (slot->kind == ACCUMULATE_MINMAX || slot->distinct) {
            const floe_eng_group_entries *entries = &call->entries;
            if (entries->count == 0) continue;
            FLOE_TRY(check_vector(&entries->values, slot->spec.argument_type,
                                  "imported entries of call", s, err));
            FLOE_RETURN_IF(entries->values.capacity < entries->count ||
                               entries->values.encoding != FLOE_VECTOR_FLAT ||
                               entries->groups == NULL || entries->counts == NULL,
                           FLOE_ECORRUPT, err,
                           "aggregate state import: call %u: %u entries without their arrays",
                           s, entries->count);
            for (uint32_t e = 0; e < entries->count; e++) {
                FLOE_RETURN_IF(entries->groups[e] >= flat->group_count, FLOE_ECORRUPT, err,
                               "aggregate state import: call %u: entry %u names group %u of %u",
                               s, e, entries->groups[e], flat->group_count);
                FLOE_RETURN_IF(entries->counts[e] == 0, FLOE_ECORRUPT, err,
                               "aggregate state import: call %u: entry %u has count 0", s, e);
                FLOE_RETURN_IF(entries->values.validity != NULL &&
                                   !bit_is_set(entries->values.validity, e),
                               FLOE_ECORRUPT, err,
                               "aggregate state import: call %u: entry %u is NULL", s, e);
            }
        } else if (slot->kind != ACCUMULATE_ROWS) {
            FLOE_RETURN_IF(call->counts == NULL ||
                               (slot->sums_int != NULL && call->sums_int == NULL) ||
                               (slot->sums_double != NULL && call->sums_double == NULL),
                           FLOE_ECORRUPT, err,
                           "aggregate state import: call %u lacks its accumulators", s);
        }
    }
    return FLOE_OK;
}

/* Inserts the flat keys; they must be new and distinct, so group i is flat group i. */
static int import_keys(floe_eng_group_state *state, const floe_eng_group_state_flat *flat,
                       floe_error *err)
{
    floe_vector *windows = floe_malloc((state->key_count + 1) * sizeof *windows);
    const floe_vector **columns = floe_malloc((state->key_count + 1) * sizeof *columns);
    int status = windows == NULL || columns == NULL
                     ? floe_error_set(err, FLOE_ENOMEM, "out of memory importing keys")
                     : FLOE_OK;
    for (uint32_t start = 0; status == FLOE_OK && start < flat->group_count; start += ROWS) {
        uint32_t count = flat->group_count - start < ROWS ? flat->group_count - start : ROWS;
        for (uint32_t k = 0; k < state->key_count; k++) {
            window_of(&flat->keys[k], start, &windows[k]);
            columns[k] = &windows[k];
        }
        floe_k_keys view;
        status = prepare_keys(state, columns, NULL, count, &view, err);
        if (status == FLOE_OK) status = assign_groups(state, &view, NULL, NULL, count, err);
        if (status == FLOE_OK && state->group_count != start + count)
            status = floe_error_set(err, FLOE_ECORRUPT,
                                    "aggregate state import: a key repeats among groups %u..%u",
                                    start, start + count - 1);
    }
    floe_free(windows);
    floe_free(columns);
    return status;
}

static int import_entries(floe_eng_group_state *state, aggregate_slot *slot,
                          const floe_eng_group_entries *entries, floe_error *err)
{
    for (uint32_t start = 0; start < entries->count; start += ROWS) {
        uint32_t count = entries->count - start < ROWS ? entries->count - start : ROWS;
        floe_vector window;
        window_of(&entries->values, start, &window);
        memcpy(state->group_ids, entries->groups + start, count * sizeof(uint32_t));
        memcpy(state->pseudo_weights, entries->counts + start, count * sizeof(int64_t));
        column_view view;
        prepare_argument(&window, slot->form, NULL, count, state->argument_scratch,
                         state->argument_refs, &view);
        view.validity = NULL;
        if (slot->kind == ACCUMULATE_MINMAX) collect_touched(state, NULL, count);
        FLOE_TRY(accumulate_prepared(state, slot, &view, state->pseudo_weights, NULL, count, err));
    }
    return FLOE_OK;
}

static int import_from(floe_eng_group_state *state, const floe_eng_group_state_flat *flat,
                       floe_error *err)
{
    uint32_t groups = flat->group_count;
    FLOE_TRY(floe_eng_group_state_reserve(state, groups, err));
    if (state->key_count > 0) FLOE_TRY(import_keys(state, flat, err));
    if (groups > 0) memcpy(state->row_counts, flat->row_counts, groups * sizeof(int64_t));
    for (uint32_t s = 0; s < state->slot_count; s++) {
        aggregate_slot *slot = &state->slots[s];
        const floe_eng_aggregate_flat *call = &flat->calls[s];
        if (slot->kind == ACCUMULATE_MINMAX || slot->distinct) {
            FLOE_TRY(import_entries(state, slot, &call->entries, err));
            continue;
        }
        if (slot->counts != NULL && groups > 0)
            memcpy(slot->counts, call->counts, groups * sizeof(int64_t));
        if (slot->sums_int != NULL && groups > 0)
            memcpy(slot->sums_int, call->sums_int, groups * sizeof(floe_int128));
        if (slot->sums_double != NULL && groups > 0)
            memcpy(slot->sums_double, call->sums_double, groups * sizeof(double));
    }
    return account(state, err);
}

/* Back to the empty state after a failed import. */
static void empty_state(floe_eng_group_state *state)
{
    if (state->key_count > 0) {
        while (state->group_count > 0) (void)remove_group(state, state->group_count - 1, NULL);
    } else {
        initialize_groups(state, 0, 1);
        for (uint32_t s = 0; s < state->slot_count; s++)
            if (state->slots[s].kind == ACCUMULATE_MINMAX)
                floe_k_minmax_move(&state->slots[s].minmax, 0, 0);
    }
    for (uint32_t s = 0; s < state->slot_count; s++) {
        aggregate_slot *slot = &state->slots[s];
        if (slot->values != NULL) floe_k_ht_clear(slot->values);
        slot->minmax_capacity = slot->minmax_length = slot->minmax_bytes = 0;
    }
}

int floe_eng_group_state_import(floe_eng_group_state *state, const floe_eng_group_state_flat *flat,
                                floe_error *err)
{
    FLOE_TRY(check_flat(state, flat, err));
    state->touched = true;
    int status = import_from(state, flat, err);
    if (status != FLOE_OK) {
        empty_state(state);
        state->touched = false;
        (void)account(state, NULL);
    }
    return status;
}

/* ---- looking groups up ---- */

int floe_eng_group_state_find_groups(floe_eng_group_state *state, const floe_vector *const *keys,
                                     uint32_t count, uint32_t *groups, int64_t *row_counts,
                                     floe_error *err)
{
    FLOE_RETURN_IF(count > ROWS, FLOE_EINVAL, err, "aggregate state: %u keys to look up", count);
    if (state->key_count == 0) {
        for (uint32_t row = 0; row < count; row++) groups[row] = 0;
    } else {
        for (uint32_t k = 0; k < state->key_count; k++)
            FLOE_TRY(check_vector(keys[k], state->types[k], "key", k, err));
        floe_k_keys view;
        FLOE_TRY(prepare_keys(state, keys, NULL, count, &view, err));
        floe_k_ht_find(state->table, &view, NULL, NULL, count, groups);
    }
    for (uint32_t row = 0; row < count && row_counts != NULL; row++)
        row_counts[row] = groups[row] == FLOE_K_NO_GROUP ? 0 : state->row_counts[groups[row]];
    return FLOE_OK;
}
