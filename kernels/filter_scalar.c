/*
 * filter_scalar.c — the reference filters (filter.h): one branch-free loop per comparison
 * (out[n] = row; n += passes) so the scalar version is already free of mispredictions, and the
 * set operations on selections, which are merges and have no SIMD variant.
 */
#include "filter.h"

#include <string.h>

const uint64_t floe_k_filter_compress_table[256] = {
    0x0000000000000000ull, 0x0000000000000000ull, 0x0000000000000001ull, 0x0000000000000100ull,
    0x0000000000000002ull, 0x0000000000000200ull, 0x0000000000000201ull, 0x0000000000020100ull,
    0x0000000000000003ull, 0x0000000000000300ull, 0x0000000000000301ull, 0x0000000000030100ull,
    0x0000000000000302ull, 0x0000000000030200ull, 0x0000000000030201ull, 0x0000000003020100ull,
    0x0000000000000004ull, 0x0000000000000400ull, 0x0000000000000401ull, 0x0000000000040100ull,
    0x0000000000000402ull, 0x0000000000040200ull, 0x0000000000040201ull, 0x0000000004020100ull,
    0x0000000000000403ull, 0x0000000000040300ull, 0x0000000000040301ull, 0x0000000004030100ull,
    0x0000000000040302ull, 0x0000000004030200ull, 0x0000000004030201ull, 0x0000000403020100ull,
    0x0000000000000005ull, 0x0000000000000500ull, 0x0000000000000501ull, 0x0000000000050100ull,
    0x0000000000000502ull, 0x0000000000050200ull, 0x0000000000050201ull, 0x0000000005020100ull,
    0x0000000000000503ull, 0x0000000000050300ull, 0x0000000000050301ull, 0x0000000005030100ull,
    0x0000000000050302ull, 0x0000000005030200ull, 0x0000000005030201ull, 0x0000000503020100ull,
    0x0000000000000504ull, 0x0000000000050400ull, 0x0000000000050401ull, 0x0000000005040100ull,
    0x0000000000050402ull, 0x0000000005040200ull, 0x0000000005040201ull, 0x0000000504020100ull,
    0x0000000000050403ull, 0x0000000005040300ull, 0x0000000005040301ull, 0x0000000504030100ull,
    0x0000000005040302ull, 0x0000000504030200ull, 0x0000000504030201ull, 0x0000050403020100ull,
    0x0000000000000006ull, 0x0000000000000600ull, 0x0000000000000601ull, 0x0000000000060100ull,
    0x0000000000000602ull, 0x0000000000060200ull, 0x0000000000060201ull, 0x0000000006020100ull,
    0x0000000000000603ull, 0x0000000000060300ull, 0x0000000000060301ull, 0x0000000006030100ull,
    0x0000000000060302ull, 0x0000000006030200ull, 0x0000000006030201ull, 0x0000000603020100ull,
    0x0000000000000604ull, 0x0000000000060400ull, 0x0000000000060401ull, 0x0000000006040100ull,
    0x0000000000060402ull, 0x0000000006040200ull, 0x0000000006040201ull, 0x0000000604020100ull,
    0x0000000000060403ull, 0x0000000006040300ull, 0x0000000006040301ull, 0x0000000604030100ull,
    0x0000000006040302ull, 0x0000000604030200ull, 0x0000000604030201ull, 0x0000060403020100ull,
    0x0000000000000605ull, 0x0000000000060500ull, 0x0000000000060501ull, 0x0000000006050100ull,
    0x0000000000060502ull, 0x0000000006050200ull, 0x0000000006050201ull, 0x0000000605020100ull,
    0x0000000000060503ull, 0x0000000006050300ull, 0x0000000006050301ull, 0x0000000605030100ull,
    0x0000000006050302ull, 0x0000000605030200ull, 0x0000000605030201ull, 0x0000060503020100ull,
    0x0000000000060504ull, 0x0000000006050400ull, 0x0000000006050401ull, 0x0000000605040100ull,
    0x0000000006050402ull, 0x0000000605040200ull, 0x0000000605040201ull, 0x0000060504020100ull,
    0x0000000006050403ull, 0x0000000605040300ull, 0x0000000605040301ull, 0x0000060504030100ull,
    0x0000000605040302ull, 0x0000060504030200ull, 0x0000060504030201ull, 0x0006050403020100ull,
    0x0000000000000007ull, 0x0000000000000700ull, 0x0000000000000701ull, 0x0000000000070100ull,
    0x0000000000000702ull, 0x0000000000070200ull, 0x0000000000070201ull, 0x0000000007020100ull,
    0x0000000000000703ull, 0x0000000000070300ull, 0x0000000000070301ull, 0x0000000007030100ull,
    0x0000000000070302ull, 0x0000000007030200ull, 0x0000000007030201ull, 0x0000000703020100ull,
    0x0000000000000704ull, 0x0000000000070400ull, 0x0000000000070401ull, 0x0000000007040100ull,
    0x0000000000070402ull, 0x0000000007040200ull, 0x0000000007040201ull, 0x0000000704020100ull,
    0x0000000000070403ull, 0x0000000007040300ull, 0x0000000007040301ull, 0x0000000704030100ull,
    0x0000000007040302ull, 0x0000000704030200ull, 0x0000000704030201ull, 0x0000070403020100ull,
    0x0000000000000705ull, 0x0000000000070500ull, 0x0000000000070501ull, 0x0000000007050100ull,
    0x0000000000070502ull, 0x0000000007050200ull, 0x0000000007050201ull, 0x0000000705020100ull,
    0x0000000000070503ull, 0x0000000007050300ull, 0x0000000007050301ull, 0x0000000705030100ull,
    0x0000000007050302ull, 0x0000000705030200ull, 0x0000000705030201ull, 0x0000070503020100ull,
    0x0000000000070504ull, 0x0000000007050400ull, 0x0000000007050401ull, 0x0000000705040100ull,
    0x0000000007050402ull, 0x0000000705040200ull, 0x0000000705040201ull, 0x0000070504020100ull,
    0x0000000007050403ull, 0x0000000705040300ull, 0x0000000705040301ull, 0x0000070504030100ull,
    0x0000000705040302ull, 0x0000070504030200ull, 0x0000070504030201ull, 0x0007050403020100ull,
    0x0000000000000706ull, 0x0000000000070600ull, 0x0000000000070601ull, 0x0000000007060100ull,
    0x0000000000070602ull, 0x0000000007060200ull, 0x0000000007060201ull, 0x0000000706020100ull,
    0x0000000000070603ull, 0x0000000007060300ull, 0x0000000007060301ull, 0x0000000706030100ull,
    0x0000000007060302ull, 0x0000000706030200ull, 0x0000000706030201ull, 0x0000070603020100ull,
    0x0000000000070604ull, 0x0000000007060400ull, 0x0000000007060401ull, 0x0000000706040100ull,
    0x0000000007060402ull, 0x0000000706040200ull, 0x0000000706040201ull, 0x0000070604020100ull,
    0x0000000007060403ull, 0x0000000706040300ull, 0x0000000706040301ull, 0x0000070604030100ull,
    0x0000000706040302ull, 0x0000070604030200ull, 0x0000070604030201ull, 0x0007060403020100ull,
    0x0000000000070605ull, 0x0000000007060500ull, 0x0000000007060501ull, 0x0000000706050100ull,
    0x0000000007060502ull, 0x0000000706050200ull, 0x0000000706050201ull, 0x0000070605020100ull,
    0x0000000007060503ull, 0x0000000706050300ull, 0x0000000706050301ull, 0x0000070605030100ull,
    0x0000000706050302ull, 0x0000070605030200ull, 0x0000070605030201ull, 0x0007060503020100ull,
    0x0000000007060504ull, 0x0000000706050400ull, 0x0000000706050401ull, 0x0000070605040100ull,
    0x0000000706050402ull, 0x0000070605040200ull, 0x0000070605040201ull, 0x0007060504020100ull,
    0x0000000706050403ull, 0x0000070605040300ull, 0x0000070605040301ull, 0x0007060504030100ull,
    0x0000070605040302ull, 0x0007060504030200ull, 0x0007060504030201ull, 0x0706050403020100ull,
};

static inline int row_valid(const uint64_t *validity, size_t row)
{
    return validity == NULL || ((validity[row >> 6] >> (row & 63)) & 1);
}

/* One loop per operator, the comparison inlined: `value(row)` and `constant` are expressions. */
#define FILTER_LOOP(CMP)                                                            \
    do {                                                                            \
        for (size_t i = 0; i < count; i++) {                                        \
            size_t row = selection != NULL ? selection[i] : i;                      \
            out[n] = (uint16_t)row;                                                 \
            n += (size_t)((CMP) && row_valid(validity, row));                       \
        }                                                                           \
    } while (0)

#define FILTER_BY_OP(VALUE, CONSTANT)                                               \
    do {                                                                            \
        switch (op) {                                                               \
        case FLOE_K_CMP_EQ: FILTER_LOOP((VALUE) == (CONSTANT)); break;              \
        case FLOE_K_CMP_NE: FILTER_LOOP((VALUE) != (CONSTANT)); break;              \
        case FLOE_K_CMP_LT: FILTER_LOOP((VALUE) < (CONSTANT)); break;               \
        case FLOE_K_CMP_LE: FILTER_LOOP((VALUE) <= (CONSTANT)); break;              \
        case FLOE_K_CMP_GT: FILTER_LOOP((VALUE) > (CONSTANT)); break;               \
        case FLOE_K_CMP_GE: FILTER_LOOP((VALUE) >= (CONSTANT)); break;              \
        }                                                                           \
    } while (0)

size_t floe_k_filter_i32_scalar(uint16_t *out, const int32_t *values, const uint64_t *validity,
                                floe_k_cmp op, int32_t constant, const uint16_t *selection,
                                size_t count)
{
    size_t n = 0;
    FILTER_BY_OP(values[row], constant);
    return n;
}

size_t floe_k_filter_i64_scalar(uint16_t *out, const int64_t *values, const uint64_t *validity,
                                floe_k_cmp op, int64_t constant, const uint16_t *selection,
                                size_t count)
{
    size_t n = 0;
    FILTER_BY_OP(values[row], constant);
    return n;
}

size_t floe_k_filter_f32_scalar(uint16_t *out, const float *values, const uint64_t *validity,
                                floe_k_cmp op, float constant, const uint16_t *selection,
                                size_t count)
{
    size_t n = 0;
    FILTER_BY_OP(values[row], constant);
    return n;
}

size_t floe_k_filter_f64_scalar(uint16_t *out, const double *values, const uint64_t *validity,
                                floe_k_cmp op, double constant, const uint16_t *selection,
                                size_t count)
{
    size_t n = 0;
    FILTER_BY_OP(values[row], constant);
    return n;
}

size_t floe_k_filter_i128(uint16_t *out, const floe_int128 *values, const uint64_t *validity,
                          floe_k_cmp op, floe_int128 constant, const uint16_t *selection,
                          size_t count)
{
    size_t n = 0;
    FILTER_BY_OP(values[row], constant);
    return n;
}

size_t floe_k_filter_bool(uint16_t *out, const uint8_t *values, const uint64_t *validity,
                          floe_k_cmp op, uint8_t constant, const uint16_t *selection, size_t count)
{
    size_t n = 0;
    int truth = constant != 0;
    FILTER_BY_OP((values[row] != 0), truth);
    return n;
}

/* memcmp order, the shorter string first on a common prefix: <0, 0, >0. */
static inline int compare_bytes(const unsigned char *a, size_t a_length, const unsigned char *b,
                                size_t b_length)
{
    size_t common = a_length < b_length ? a_length : b_length;
    int order = common > 0 ? memcmp(a, b, common) : 0;
    if (order != 0) return order;
    return (a_length > b_length) - (a_length < b_length);
}

size_t floe_k_filter_string(uint16_t *out, const floe_string_ref *refs, const unsigned char *heap,
                            const uint64_t *validity, floe_k_cmp op, const void *constant,
                            size_t constant_length, const uint16_t *selection, size_t count)
{
    size_t n = 0;
    const unsigned char *text = constant;
    FILTER_BY_OP(compare_bytes(heap + refs[row].offset, refs[row].length, text, constant_length),
                 0);
    return n;
}

#define PAIR_LOOP(CMP)                                                               \
    do {                                                                             \
        for (size_t i = 0; i < count; i++) {                                         \
            size_t row = selection != NULL ? selection[i] : i;                       \
            out[n] = (uint16_t)row;                                                  \
            n += (size_t)((CMP) && row_valid(left->validity, row) &&                 \
                          row_valid(right->validity, row));                          \
        }                                                                            \
    } while (0)

#define PAIR_BY_OP(LEFT, RIGHT)                                                      \
    do {                                                                             \
        switch (op) {                                                                \
        case FLOE_K_CMP_EQ: PAIR_LOOP((LEFT) == (RIGHT)); break;                     \
        case FLOE_K_CMP_NE: PAIR_LOOP((LEFT) != (RIGHT)); break;                     \
        case FLOE_K_CMP_LT: PAIR_LOOP((LEFT) < (RIGHT)); break;                      \
        case FLOE_K_CMP_LE: PAIR_LOOP((LEFT) <= (RIGHT)); break;                     \
        case FLOE_K_CMP_GT: PAIR_LOOP((LEFT) > (RIGHT)); break;                      \
        case FLOE_K_CMP_GE: PAIR_LOOP((LEFT) >= (RIGHT)); break;                     \
        }                                                                            \
    } while (0)

size_t floe_k_filter_columns(uint16_t *out, floe_k_filter_type type,
                             const floe_k_filter_column *left, floe_k_cmp op,
                             const floe_k_filter_column *right, const uint16_t *selection,
                             size_t count)
{
    size_t n = 0;
    switch (type) {
    case FLOE_K_FILTER_I32: {
        const int32_t *a = left->values, *b = right->values;
        PAIR_BY_OP(a[row], b[row]);
        break;
    }
    case FLOE_K_FILTER_I64: {
        const int64_t *a = left->values, *b = right->values;
        PAIR_BY_OP(a[row], b[row]);
        break;
    }
    case FLOE_K_FILTER_F32: {
        const float *a = left->values, *b = right->values;
        PAIR_BY_OP(a[row], b[row]);
        break;
    }
    case FLOE_K_FILTER_F64: {
        const double *a = left->values, *b = right->values;
        PAIR_BY_OP(a[row], b[row]);
        break;
    }
    case FLOE_K_FILTER_I128: {
        const floe_int128 *a = left->values, *b = right->values;
        PAIR_BY_OP(a[row], b[row]);
        break;
    }
    case FLOE_K_FILTER_BOOL: {
        const uint8_t *a = left->values, *b = right->values;
        PAIR_BY_OP((a[row] != 0), (b[row] != 0));
        break;
    }
    case FLOE_K_FILTER_STRING: {
        const floe_string_ref *a = left->values, *b = right->values;
        PAIR_BY_OP(compare_bytes(left->heap + a[row].offset, a[row].length,
                                 right->heap + b[row].offset, b[row].length),
                   0);
        break;
    }
    }
    return n;
}

size_t floe_k_filter_is_null(uint16_t *out, const uint64_t *validity, int want_null,
                             const uint16_t *selection, size_t count)
{
    size_t n = 0;
    int wanted_valid = !want_null;
    for (size_t i = 0; i < count; i++) {
        size_t row = selection != NULL ? selection[i] : i;
        out[n] = (uint16_t)row;
        n += (size_t)(row_valid(validity, row) == wanted_valid);
    }
    return n;
}

size_t floe_k_selection_and(uint16_t *out, const uint16_t *a, size_t a_count, const uint16_t *b,
                            size_t b_count)
{
    size_t i = 0, j = 0, n = 0;
    while (i < a_count && j < b_count) {
        if (a[i] < b[j]) {
            i++;
        } else if (a[i] > b[j]) {
            j++;
        } else {
            out[n++] = a[i];
            i++;
            j++;
        }
    }
    return n;
}

size_t floe_k_selection_or(uint16_t *out, const uint16_t *a, size_t a_count, const uint16_t *b,
                           size_t b_count)
{
    size_t i = 0, j = 0, n = 0;
    while (i < a_count || j < b_count) {
        if (j == b_count || (i < a_count && a[i] < b[j])) {
            out[n++] = a[i++];
        } else if (i == a_count || b[j] < a[i]) {
            out[n++] = b[j++];
        } else {
            out[n++] = a[i];
            i++;
            j++;
        }
    }
    return n;
}

size_t floe_k_selection_not(uint16_t *out, const uint16_t *child, size_t child_count,
                            const uint16_t *parent, size_t parent_count, size_t row_count)
{
    size_t total = parent != NULL ? parent_count : row_count;
    size_t j = 0, n = 0;
    for (size_t i = 0; i < total; i++) {
        size_t row = parent != NULL ? parent[i] : i;
        while (j < child_count && child[j] < row) j++;
        if (j < child_count && child[j] == row) continue;
        out[n++] = (uint16_t)row;
    }
    return n;
}

/* The plain entry points. */
#include "dispatch.h"

size_t floe_k_filter_i32(uint16_t *out, const int32_t *values, const uint64_t *validity,
                         floe_k_cmp op, int32_t constant, const uint16_t *selection, size_t count)
{
    return floe_k_dispatch_get()->filter_i32(out, values, validity, op, constant, selection,
                                             count);
}

size_t floe_k_filter_i64(uint16_t *out, const int64_t *values, const uint64_t *validity,
                         floe_k_cmp op, int64_t constant, const uint16_t *selection, size_t count)
{
    return floe_k_dispatch_get()->filter_i64(out, values, validity, op, constant, selection,
                                             count);
}

size_t floe_k_filter_f32(uint16_t *out, const float *values, const uint64_t *validity,
                         floe_k_cmp op, float constant, const uint16_t *selection, size_t count)
{
    return floe_k_dispatch_get()->filter_f32(out, values, validity, op, constant, selection,
                                             count);
}

size_t floe_k_filter_f64(uint16_t *out, const double *values, const uint64_t *validity,
                         floe_k_cmp op, double constant, const uint16_t *selection, size_t count)
{
    return floe_k_dispatch_get()->filter_f64(out, values, validity, op, constant, selection,
                                             count);
}
