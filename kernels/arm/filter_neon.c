/*
 * filter_neon.c — numeric column-vs-constant filters for aarch64 NEON (filter.h). Eight rows per
 * step: compare in 128-bit registers, narrow the lane masks (vmovn) down to eight 0xFF/0x00
 * bytes, AND with {1, 2, ..., 128} and add across (vaddv) for an 8-bit mask — NEON has no
 * movemask — then compress exactly as the AVX2 version does: the table entry's byte positions
 * widened to uint16 (vmovl) plus the block's first row, stored 8 at a time. With an input
 * selection the scalar loop runs.
 */
#include "kernels/filter.h"

#include <arm_neon.h>

static const uint8_t bit_weights[8] = {1, 2, 4, 8, 16, 32, 64, 128};

static inline unsigned bytes_to_mask(uint8x8_t bytes)
{
    return vaddv_u8(vand_u8(bytes, vld1_u8(bit_weights)));
}

static inline size_t emit(uint16_t *out, size_t n, unsigned mask, size_t base)
{
    uint16x8_t positions = vmovl_u8(vcreate_u8(floe_k_filter_compress_table[mask]));
    vst1q_u16(out + n, vaddq_u16(positions, vdupq_n_u16((uint16_t)base)));
    return n + (size_t)__builtin_popcount(mask);
}

static inline unsigned validity_byte(const uint64_t *validity, size_t base)
{
    return validity == NULL ? 0xFFu : (unsigned)(validity[base >> 6] >> (base & 63)) & 0xFFu;
}

static inline int valid_at(const uint64_t *validity, size_t row)
{
    return validity == NULL || ((validity[row >> 6] >> (row & 63)) & 1);
}

static inline uint8x8_t narrow64(uint64x2_t a, uint64x2_t b, uint64x2_t c, uint64x2_t d)
{
    uint32x4_t low = vcombine_u32(vmovn_u64(a), vmovn_u64(b));
    uint32x4_t high = vcombine_u32(vmovn_u64(c), vmovn_u64(d));
    return vmovn_u16(vcombine_u16(vmovn_u32(low), vmovn_u32(high)));
}

static inline uint8x8_t narrow32(uint32x4_t a, uint32x4_t b)
{
    return vmovn_u16(vcombine_u16(vmovn_u32(a), vmovn_u32(b)));
}

/* Lane masks of x OP c for one register; NE is the complement of EQ (so NaN passes it). */
#define LANE_COMPARE(RESULT, OP, X, C, CEQ, CLT, CLE, CGT, CGE, NOT) \
    do {                                                            \
        switch (OP) {                                               \
        case FLOE_K_CMP_EQ: RESULT = CEQ(X, C); break;              \
        case FLOE_K_CMP_NE: RESULT = NOT(CEQ(X, C)); break;         \
        case FLOE_K_CMP_LT: RESULT = CLT(X, C); break;              \
        case FLOE_K_CMP_LE: RESULT = CLE(X, C); break;              \
        case FLOE_K_CMP_GT: RESULT = CGT(X, C); break;              \
        default: RESULT = CGE(X, C); break;                         \
        }                                                           \
    } while (0)

static inline uint64x2_t not_u64(uint64x2_t x)
{
    return vreinterpretq_u64_u32(vmvnq_u32(vreinterpretq_u32_u64(x)));
}

#define SCALAR_PASS(OP, X, C)                                                           \
    ((OP) == FLOE_K_CMP_EQ   ? (X) == (C)                                               \
     : (OP) == FLOE_K_CMP_NE ? (X) != (C)                                               \
     : (OP) == FLOE_K_CMP_LT ? (X) < (C)                                                \
     : (OP) == FLOE_K_CMP_LE ? (X) <= (C)                                               \
     : (OP) == FLOE_K_CMP_GT ? (X) > (C)                                                \
                             : (X) >= (C))

#define TAIL(TYPE)                                                                       \
    for (; base < count; base++) {                                                       \
        TYPE x = values[base];                                                           \
        out[n] = (uint16_t)base;                                                         \
        n += (size_t)(SCALAR_PASS(op, x, constant) && valid_at(validity, base));         \
    }

static inline __attribute__((always_inline)) size_t filter_i64_op(
    uint16_t *out, const int64_t *values, const uint64_t *validity, floe_k_cmp op,
    int64_t constant, size_t count)
{
    int64x2_t c = vdupq_n_s64(constant);
    size_t n = 0, base = 0;
    for (; base + 8 <= count; base += 8) {
        uint64x2_t m[4];
        for (int k = 0; k < 4; k++) {
            int64x2_t x = vld1q_s64(values + base + 2 * k);
            LANE_COMPARE(m[k], op, x, c, vceqq_s64, vcltq_s64, vcleq_s64, vcgtq_s64, vcgeq_s64,
                         not_u64);
        }
        unsigned mask = bytes_to_mask(narrow64(m[0], m[1], m[2], m[3]));
        n = emit(out, n, mask & validity_byte(validity, base), base);
    }
    TAIL(int64_t)
    return n;
}

static inline __attribute__((always_inline)) size_t filter_f64_op(
    uint16_t *out, const double *values, const uint64_t *validity, floe_k_cmp op,
    double constant, size_t count)
{
    float64x2_t c = vdupq_n_f64(constant);
    size_t n = 0, base = 0;
    for (; base + 8 <= count; base += 8) {
        uint64x2_t m[4];
        for (int k = 0; k < 4; k++) {
            float64x2_t x = vld1q_f64(values + base + 2 * k);
            LANE_COMPARE(m[k], op, x, c, vceqq_f64, vcltq_f64, vcleq_f64, vcgtq_f64, vcgeq_f64,
                         not_u64);
        }
        unsigned mask = bytes_to_mask(narrow64(m[0], m[1], m[2], m[3]));
        n = emit(out, n, mask & validity_byte(validity, base), base);
    }
    TAIL(double)
    return n;
}

static inline __attribute__((always_inline)) size_t filter_i32_op(
    uint16_t *out, const int32_t *values, const uint64_t *validity, floe_k_cmp op,
    int32_t constant, size_t count)
{
    int32x4_t c = vdupq_n_s32(constant);
    size_t n = 0, base = 0;
    for (; base + 8 <= count; base += 8) {
        uint32x4_t m[2];
        for (int k = 0; k < 2; k++) {
            int32x4_t x = vld1q_s32(values + base + 4 * k);
            LANE_COMPARE(m[k], op, x, c, vceqq_s32, vcltq_s32, vcleq_s32, vcgtq_s32, vcgeq_s32,
                         vmvnq_u32);
        }
        unsigned mask = bytes_to_mask(narrow32(m[0], m[1]));
        n = emit(out, n, mask & validity_byte(validity, base), base);
    }
    TAIL(int32_t)
    return n;
}

static inline __attribute__((always_inline)) size_t filter_f32_op(
    uint16_t *out, const float *values, const uint64_t *validity, floe_k_cmp op, float constant,
    size_t count)
{
    float32x4_t c = vdupq_n_f32(constant);
    size_t n = 0, base = 0;
    for (; base + 8 <= count; base += 8) {
        uint32x4_t m[2];
        for (int k = 0; k < 2; k++) {
            float32x4_t x = vld1q_f32(values + base + 4 * k);
            LANE_COMPARE(m[k], op, x, c, vceqq_f32, vcltq_f32, vcleq_f32, vcgtq_f32, vcgeq_f32,
                         vmvnq_u32);
        }
        unsigned mask = bytes_to_mask(narrow32(m[0], m[1]));
        n = emit(out, n, mask & validity_byte(validity, base), base);
    }
    TAIL(float)
    return n;
}

#define DISPATCH_OPS(FUNCTION)                                                                  \
    switch (op) {                                                                               \
    case FLOE_K_CMP_EQ: return FUNCTION(out, values, validity, FLOE_K_CMP_EQ, constant, count); \
    case FLOE_K_CMP_NE: return FUNCTION(out, values, validity, FLOE_K_CMP_NE, constant, count); \
    case FLOE_K_CMP_LT: return FUNCTION(out, values, validity, FLOE_K_CMP_LT, constant, count); \
    case FLOE_K_CMP_LE: return FUNCTION(out, values, validity, FLOE_K_CMP_LE, constant, count); \
    case FLOE_K_CMP_GT: return FUNCTION(out, values, validity, FLOE_K_CMP_GT, constant, count); \
    default: return FUNCTION(out, values, validity, FLOE_K_CMP_GE, constant, count);            \
    }

size_t floe_k_filter_i64_neon(uint16_t *out, const int64_t *values, const uint64_t *validity,
                              floe_k_cmp op, int64_t constant, const uint16_t *selection,
                              size_t count)
{
    if (selection != NULL)
        return floe_k_filter_i64_scalar(out, values, validity, op, constant, selection, count);
    DISPATCH_OPS(filter_i64_op)
}

size_t floe_k_filter_f64_neon(uint16_t *out, const double *values, const uint64_t *validity,
                              floe_k_cmp op, double constant, const uint16_t *selection,
                              size_t count)
{
    if (selection != NULL)
        return floe_k_filter_f64_scalar(out, values, validity, op, constant, selection, count);
    DISPATCH_OPS(filter_f64_op)
}

size_t floe_k_filter_i32_neon(uint16_t *out, const int32_t *values, const uint64_t *validity,
                              floe_k_cmp op, int32_t constant, const uint16_t *selection,
                              size_t count)
{
    if (selection != NULL)
        return floe_k_filter_i32_scalar(out, values, validity, op, constant, selection, count);
    DISPATCH_OPS(filter_i32_op)
}

size_t floe_k_filter_f32_neon(uint16_t *out, const float *values, const uint64_t *validity,
                              floe_k_cmp op, float constant, const uint16_t *selection,
                              size_t count)
{
    if (selection != NULL)
        return floe_k_filter_f32_scalar(out, values, validity, op, constant, selection, count);
    DISPATCH_OPS(filter_f32_op)
}
