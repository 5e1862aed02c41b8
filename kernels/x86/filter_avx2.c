/*
 * filter_avx2.c — numeric column-vs-constant filters for x86-64 AVX2 (filter.h). Eight rows per
 * step: compare (one 256-bit register of int32/float, two of int64/double), movemask to 8 bits,
 * AND with the rows' validity byte, then compress: the table entry for the mask holds the passing
 * positions as bytes, widened to uint16 and offset by the block's first row, stored 8 at a time
 * (the cursor advances by the popcount, so the extra lanes are overwritten by the next step and
 * never pass out[count)). A table rather than pext: pext is microcoded on AMD before Zen 3.
 * With an input selection the scalar loop runs (see filter.h).
 */
#include "kernels/filter.h"

#include <immintrin.h> /* AVX2 */

static inline size_t emit(uint16_t *out, size_t n, unsigned mask, size_t base)
{
    __m128i positions = _mm_cvtepu8_epi16(
        _mm_cvtsi64_si128((long long)floe_k_filter_compress_table[mask]));
    positions = _mm_add_epi16(positions, _mm_set1_epi16((short)base));
    _mm_storeu_si128((__m128i *)(void *)(out + n), positions);
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

static inline int scalar_pass_i64(floe_k_cmp op, int64_t x, int64_t c)
{
    switch (op) {
    case FLOE_K_CMP_EQ: return x == c;
    case FLOE_K_CMP_NE: return x != c;
    case FLOE_K_CMP_LT: return x < c;
    case FLOE_K_CMP_LE: return x <= c;
    case FLOE_K_CMP_GT: return x > c;
    default: return x >= c;
    }
}

static inline unsigned mask_i64x4(floe_k_cmp op, __m256i x, __m256i c)
{
    __m256i m;
    switch (op) {
    case FLOE_K_CMP_EQ: m = _mm256_cmpeq_epi64(x, c); break;
    case FLOE_K_CMP_NE: m = _mm256_xor_si256(_mm256_cmpeq_epi64(x, c), _mm256_set1_epi8(-1)); break;
    case FLOE_K_CMP_LT: m = _mm256_cmpgt_epi64(c, x); break;
    case FLOE_K_CMP_LE: m = _mm256_xor_si256(_mm256_cmpgt_epi64(x, c), _mm256_set1_epi8(-1)); break;
    case FLOE_K_CMP_GT: m = _mm256_cmpgt_epi64(x, c); break;
    default: m = _mm256_xor_si256(_mm256_cmpgt_epi64(c, x), _mm256_set1_epi8(-1)); break;
    }
    return (unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(m));
}

static inline __attribute__((always_inline)) size_t filter_i64_op(
    uint16_t *out, const int64_t *values, const uint64_t *validity, floe_k_cmp op,
    int64_t constant, size_t count)
{
    __m256i c = _mm256_set1_epi64x(constant);
    size_t n = 0, base = 0;
    for (; base + 8 <= count; base += 8) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(values + base));
        __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(values + base + 4));
        unsigned mask = mask_i64x4(op, a, c) | (mask_i64x4(op, b, c) << 4);
        n = emit(out, n, mask & validity_byte(validity, base), base);
    }
    for (; base < count; base++) {
        out[n] = (uint16_t)base;
        n += (size_t)(scalar_pass_i64(op, values[base], constant) && valid_at(validity, base));
    }
    return n;
}

size_t floe_k_filter_i64_avx2(uint16_t *out, const int64_t *values, const uint64_t *validity,
                              floe_k_cmp op, int64_t constant, const uint16_t *selection,
                              size_t count)
{
    if (selection != NULL)
        return floe_k_filter_i64_scalar(out, values, validity, op, constant, selection, count);
    switch (op) {
    case FLOE_K_CMP_EQ: return filter_i64_op(out, values, validity, FLOE_K_CMP_EQ, constant, count);
    case FLOE_K_CMP_NE: return filter_i64_op(out, values, validity, FLOE_K_CMP_NE, constant, count);
    case FLOE_K_CMP_LT: return filter_i64_op(out, values, validity, FLOE_K_CMP_LT, constant, count);
    case FLOE_K_CMP_LE: return filter_i64_op(out, values, validity, FLOE_K_CMP_LE, constant, count);
    case FLOE_K_CMP_GT: return filter_i64_op(out, values, validity, FLOE_K_CMP_GT, constant, count);
    default: return filter_i64_op(out, values, validity, FLOE_K_CMP_GE, constant, count);
    }
}

static inline int scalar_pass_i32(floe_k_cmp op, int32_t x, int32_t c)
{
    return scalar_pass_i64(op, x, c);
}

static inline unsigned mask_i32x8(floe_k_cmp op, __m256i x, __m256i c)
{
    __m256i m;
    switch (op) {
    case FLOE_K_CMP_EQ: m = _mm256_cmpeq_epi32(x, c); break;
    case FLOE_K_CMP_NE: m = _mm256_xor_si256(_mm256_cmpeq_epi32(x, c), _mm256_set1_epi8(-1)); break;
    case FLOE_K_CMP_LT: m = _mm256_cmpgt_epi32(c, x); break;
    case FLOE_K_CMP_LE: m = _mm256_xor_si256(_mm256_cmpgt_epi32(x, c), _mm256_set1_epi8(-1)); break;
    case FLOE_K_CMP_GT: m = _mm256_cmpgt_epi32(x, c); break;
    default: m = _mm256_xor_si256(_mm256_cmpgt_epi32(c, x), _mm256_set1_epi8(-1)); break;
    }
    return (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(m));
}

static inline __attribute__((always_inline)) size_t filter_i32_op(
    uint16_t *out, const int32_t *values, const uint64_t *validity, floe_k_cmp op,
    int32_t constant, size_t count)
{
    __m256i c = _mm256_set1_epi32(constant);
    size_t n = 0, base = 0;
    for (; base + 8 <= count; base += 8) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(values + base));
        n = emit(out, n, mask_i32x8(op, a, c) & validity_byte(validity, base), base);
    }
    for (; base < count; base++) {
        out[n] = (uint16_t)base;
        n += (size_t)(scalar_pass_i32(op, values[base], constant) && valid_at(validity, base));
    }
    return n;
}

size_t floe_k_filter_i32_avx2(uint16_t *out, const int32_t *values, const uint64_t *validity,
                              floe_k_cmp op, int32_t constant, const uint16_t *selection,
                              size_t count)
{
    if (selection != NULL)
        return floe_k_filter_i32_scalar(out, values, validity, op, constant, selection, count);
    switch (op) {
    case FLOE_K_CMP_EQ: return filter_i32_op(out, values, validity, FLOE_K_CMP_EQ, constant, count);
    case FLOE_K_CMP_NE: return filter_i32_op(out, values, validity, FLOE_K_CMP_NE, constant, count);
    case FLOE_K_CMP_LT: return filter_i32_op(out, values, validity, FLOE_K_CMP_LT, constant, count);
    case FLOE_K_CMP_LE: return filter_i32_op(out, values, validity, FLOE_K_CMP_LE, constant, count);
    case FLOE_K_CMP_GT: return filter_i32_op(out, values, validity, FLOE_K_CMP_GT, constant, count);
    default: return filter_i32_op(out, values, validity, FLOE_K_CMP_GE, constant, count);
    }
}

/* Floats: ordered predicates (false on NaN) except <>, which is unordered-or-unequal: exactly C's
 * == < <= > >= and !=. _mm256_cmp_* needs its predicate as a constant, hence one loop per op. */
#define FLOAT_FILTER(NAME, TYPE, LANES, SET1, LOADU, CMP, MOVEMASK)                              \
    static inline __attribute__((always_inline)) size_t NAME##_op(                               \
        uint16_t *out, const TYPE *values, const uint64_t *validity, floe_k_cmp op,             \
        TYPE constant, size_t count)                                                             \
    {                                                                                            \
        size_t n = 0, base = 0;                                                                  \
        for (; base + 8 <= count; base += 8) {                                                   \
            unsigned mask = 0;                                                                   \
            for (size_t lane = 0; lane < 8; lane += LANES) {                                     \
                unsigned part;                                                                   \
                switch (op) {                                                                    \
                case FLOE_K_CMP_EQ:                                                              \
                    part = (unsigned)MOVEMASK(CMP(LOADU(values + base + lane), SET1(constant), _CMP_EQ_OQ)); \
                    break;                                                                       \
                case FLOE_K_CMP_NE:                                                              \
                    part = (unsigned)MOVEMASK(CMP(LOADU(values + base + lane), SET1(constant), _CMP_NEQ_UQ)); \
                    break;                                                                       \
                case FLOE_K_CMP_LT:                                                              \
                    part = (unsigned)MOVEMASK(CMP(LOADU(values + base + lane), SET1(constant), _CMP_LT_OQ)); \
                    break;                                                                       \
                case FLOE_K_CMP_LE:                                                              \
                    part = (unsigned)MOVEMASK(CMP(LOADU(values + base + lane), SET1(constant), _CMP_LE_OQ)); \
                    break;                                                                       \
                case FLOE_K_CMP_GT:                                                              \
                    part = (unsigned)MOVEMASK(CMP(LOADU(values + base + lane), SET1(constant), _CMP_GT_OQ)); \
                    break;                                                                       \
                default:                                                                         \
                    part = (unsigned)MOVEMASK(CMP(LOADU(values + base + lane), SET1(constant), _CMP_GE_OQ)); \
                    break;                                                                       \
                }                                                                                \
                mask |= part << lane;                                                            \
            }                                                                                    \
            n = emit(out, n, mask & validity_byte(validity, base), base);                        \
        }                                                                                        \
        for (; base < count; base++) {                                                           \
            TYPE x = values[base];                                                               \
            int pass = op == FLOE_K_CMP_EQ   ? x == constant                                     \
                       : op == FLOE_K_CMP_NE ? x != constant                                     \
                       : op == FLOE_K_CMP_LT ? x < constant                                      \
                       : op == FLOE_K_CMP_LE ? x <= constant                                     \
                       : op == FLOE_K_CMP_GT ? x > constant                                      \
                                             : x >= constant;                                    \
            out[n] = (uint16_t)base;                                                             \
            n += (size_t)(pass && valid_at(validity, base));                                     \
        }                                                                                        \
        return n;                                                                                \
    }

#define LOADU_PS(p) _mm256_loadu_ps(p)
#define LOADU_PD(p) _mm256_loadu_pd(p)
FLOAT_FILTER(filter_f32, float, 8, _mm256_set1_ps, LOADU_PS, _mm256_cmp_ps, _mm256_movemask_ps)
FLOAT_FILTER(filter_f64, double, 4, _mm256_set1_pd, LOADU_PD, _mm256_cmp_pd, _mm256_movemask_pd)

size_t floe_k_filter_f32_avx2(uint16_t *out, const float *values, const uint64_t *validity,
                              floe_k_cmp op, float constant, const uint16_t *selection,
                              size_t count)
{
    if (selection != NULL)
        return floe_k_filter_f32_scalar(out, values, validity, op, constant, selection, count);
    switch (op) {
    case FLOE_K_CMP_EQ: return filter_f32_op(out, values, validity, FLOE_K_CMP_EQ, constant, count);
    case FLOE_K_CMP_NE: return filter_f32_op(out, values, validity, FLOE_K_CMP_NE, constant, count);
    case FLOE_K_CMP_LT: return filter_f32_op(out, values, validity, FLOE_K_CMP_LT, constant, count);
    case FLOE_K_CMP_LE: return filter_f32_op(out, values, validity, FLOE_K_CMP_LE, constant, count);
    case FLOE_K_CMP_GT: return filter_f32_op(out, values, validity, FLOE_K_CMP_GT, constant, count);
    default: return filter_f32_op(out, values, validity, FLOE_K_CMP_GE, constant, count);
    }
}

size_t floe_k_filter_f64_avx2(uint16_t *out, const double *values, const uint64_t *validity,
                              floe_k_cmp op, double constant, const uint16_t *selection,
                              size_t count)
{
    if (selection != NULL)
        return floe_k_filter_f64_scalar(out, values, validity, op, constant, selection, count);
    switch (op) {
    case FLOE_K_CMP_EQ: return filter_f64_op(out, values, validity, FLOE_K_CMP_EQ, constant, count);
    case FLOE_K_CMP_NE: return filter_f64_op(out, values, validity, FLOE_K_CMP_NE, constant, count);
    case FLOE_K_CMP_LT: return filter_f64_op(out, values, validity, FLOE_K_CMP_LT, constant, count);
    case FLOE_K_CMP_LE: return filter_f64_op(out, values, validity, FLOE_K_CMP_LE, constant, count);
    case FLOE_K_CMP_GT: return filter_f64_op(out, values, validity, FLOE_K_CMP_GT, constant, count);
    default: return filter_f64_op(out, values, validity, FLOE_K_CMP_GE, constant, count);
    }
}
