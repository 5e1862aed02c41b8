/*
 * filter.h — predicates over column vectors that produce selection vectors (vector.h: ascending
 * uint16 row indices), so operators pass the survivors on instead of compacting.
 *
 * Every kernel reads rows 0..count-1 (selection == NULL) or the rows selection[0..count), writes
 * the rows that pass to out (ascending) and returns how many passed. out needs room for count
 * entries; out may be the same array as selection (refining a selection in place: entry k is
 * written only after entry k was read). count is at most 65536 (uint16 row indices).
 *
 * Comparisons: column OP constant or column OP column, OP one of = <> < <= > >=. A NULL operand
 * (validity bit clear) never passes, whatever OP (SQL three-valued logic: the result is unknown,
 * and WHERE keeps only true). Orders: integers and decimals numerically (int128 for
 * DECIMAL(p>18); both sides at the same scale — rescaling is the caller's job), booleans false <
 * true, strings and binaries bytewise as memcmp with the shorter prefix first (UTF-8 byte order =
 * code point order), floats as C compares them: NaN is unordered, so it fails every comparison
 * except <>, which it passes (IEEE 754; every variant agrees).
 *
 * Set operations on selections (all ascending): AND is the intersection, OR the union, NOT the
 * complement within 0..row_count-1 or within a parent selection (rows of the parent not in the
 * child). IS NULL / IS NOT NULL read validity only.
 *
 * Nothing allocates or fails: the caller owns every buffer.
 *
 * Variants: the numeric column-vs-constant kernels without an input selection have AVX2 and NEON
 * versions (compare 8 rows, movemask, AND the validity byte, then compress the passing row
 * indices with a 256-entry table of packed byte indices widened to uint16); with an input
 * selection they run the scalar loop (gathering 8 selected rows costs more than it saves).
 * The plain names dispatch (dispatch.h).
 */
#ifndef FLOE_KERNELS_FILTER_H
#define FLOE_KERNELS_FILTER_H

#include "types.h"  /* floe_int128 */
#include "vector.h" /* floe_string_ref */

#include <stddef.h>
#include <stdint.h>

typedef enum floe_k_cmp {
    FLOE_K_CMP_EQ = 0,
    FLOE_K_CMP_NE,
    FLOE_K_CMP_LT,
    FLOE_K_CMP_LE,
    FLOE_K_CMP_GT,
    FLOE_K_CMP_GE,
} floe_k_cmp;

/* Column OP constant, numeric (dispatched). */
typedef size_t (*floe_k_filter_i32_fn)(uint16_t *out, const int32_t *values,
                                       const uint64_t *validity, floe_k_cmp op, int32_t constant,
                                       const uint16_t *selection, size_t count);
typedef size_t (*floe_k_filter_i64_fn)(uint16_t *out, const int64_t *values,
                                       const uint64_t *validity, floe_k_cmp op, int64_t constant,
                                       const uint16_t *selection, size_t count);
typedef size_t (*floe_k_filter_f32_fn)(uint16_t *out, const float *values,
                                       const uint64_t *validity, floe_k_cmp op, float constant,
                                       const uint16_t *selection, size_t count);
typedef size_t (*floe_k_filter_f64_fn)(uint16_t *out, const double *values,
                                       const uint64_t *validity, floe_k_cmp op, double constant,
                                       const uint16_t *selection, size_t count);

size_t floe_k_filter_i32(uint16_t *out, const int32_t *values, const uint64_t *validity,
                         floe_k_cmp op, int32_t constant, const uint16_t *selection, size_t count);
size_t floe_k_filter_i64(uint16_t *out, const int64_t *values, const uint64_t *validity,
                         floe_k_cmp op, int64_t constant, const uint16_t *selection, size_t count);
size_t floe_k_filter_f32(uint16_t *out, const float *values, const uint64_t *validity,
                         floe_k_cmp op, float constant, const uint16_t *selection, size_t count);
size_t floe_k_filter_f64(uint16_t *out, const double *values, const uint64_t *validity,
                         floe_k_cmp op, double constant, const uint16_t *selection, size_t count);

/* Column OP constant, other types (scalar on every ISA). */
size_t floe_k_filter_i128(uint16_t *out, const floe_int128 *values, const uint64_t *validity,
                          floe_k_cmp op, floe_int128 constant, const uint16_t *selection,
                          size_t count);
size_t floe_k_filter_bool(uint16_t *out, const uint8_t *values, const uint64_t *validity,
                          floe_k_cmp op, uint8_t constant, const uint16_t *selection, size_t count);
size_t floe_k_filter_string(uint16_t *out, const floe_string_ref *refs, const unsigned char *heap,
                            const uint64_t *validity, floe_k_cmp op, const void *constant,
                            size_t constant_length, const uint16_t *selection, size_t count);

/* Column OP column: both columns of the same storage type. */
typedef enum floe_k_filter_type {
    FLOE_K_FILTER_I32 = 0,  /* INT32, DATE */
    FLOE_K_FILTER_I64,      /* INT64, TIMESTAMP(TZ), DECIMAL(p<=18) */
    FLOE_K_FILTER_F32,
    FLOE_K_FILTER_F64,
    FLOE_K_FILTER_I128,     /* DECIMAL(p>18) */
    FLOE_K_FILTER_BOOL,
    FLOE_K_FILTER_STRING,   /* STRING, BINARY: floe_string_ref into the heaps */
} floe_k_filter_type;

typedef struct floe_k_filter_column {
    const void *values;
    const uint64_t *validity;
    const unsigned char *heap; /* STRING only */
} floe_k_filter_column;

size_t floe_k_filter_columns(uint16_t *out, floe_k_filter_type type,
                             const floe_k_filter_column *left, floe_k_cmp op,
                             const floe_k_filter_column *right, const uint16_t *selection,
                             size_t count);

/* IS NULL (want_null != 0) / IS NOT NULL. validity NULL: no row is NULL. */
size_t floe_k_filter_is_null(uint16_t *out, const uint64_t *validity, int want_null,
                             const uint16_t *selection, size_t count);

/* Set operations on ascending selections. out needs room for a_count (AND), a_count + b_count
 * (OR), and row_count or parent_count (NOT); out must not alias the inputs. */
size_t floe_k_selection_and(uint16_t *out, const uint16_t *a, size_t a_count, const uint16_t *b,
                            size_t b_count);
size_t floe_k_selection_or(uint16_t *out, const uint16_t *a, size_t a_count, const uint16_t *b,
                           size_t b_count);
/* Rows of the parent (selection parent[0..parent_count), or 0..row_count-1 when parent is
 * NULL) that are not in child. */
size_t floe_k_selection_not(uint16_t *out, const uint16_t *child, size_t child_count,
                            const uint16_t *parent, size_t parent_count, size_t row_count);

/* Variants. */
size_t floe_k_filter_i32_scalar(uint16_t *out, const int32_t *values, const uint64_t *validity,
                                floe_k_cmp op, int32_t constant, const uint16_t *selection,
                                size_t count);
size_t floe_k_filter_i64_scalar(uint16_t *out, const int64_t *values, const uint64_t *validity,
                                floe_k_cmp op, int64_t constant, const uint16_t *selection,
                                size_t count);
size_t floe_k_filter_f32_scalar(uint16_t *out, const float *values, const uint64_t *validity,
                                floe_k_cmp op, float constant, const uint16_t *selection,
                                size_t count);
size_t floe_k_filter_f64_scalar(uint16_t *out, const double *values, const uint64_t *validity,
                                floe_k_cmp op, double constant, const uint16_t *selection,
                                size_t count);
size_t floe_k_filter_i32_avx2(uint16_t *out, const int32_t *values, const uint64_t *validity,
                              floe_k_cmp op, int32_t constant, const uint16_t *selection,
                              size_t count);
size_t floe_k_filter_i64_avx2(uint16_t *out, const int64_t *values, const uint64_t *validity,
                              floe_k_cmp op, int64_t constant, const uint16_t *selection,
                              size_t count);
size_t floe_k_filter_f32_avx2(uint16_t *out, const float *values, const uint64_t *validity,
                              floe_k_cmp op, float constant, const uint16_t *selection,
                              size_t count);
size_t floe_k_filter_f64_avx2(uint16_t *out, const double *values, const uint64_t *validity,
                              floe_k_cmp op, double constant, const uint16_t *selection,
                              size_t count);
size_t floe_k_filter_i32_neon(uint16_t *out, const int32_t *values, const uint64_t *validity,
                              floe_k_cmp op, int32_t constant, const uint16_t *selection,
                              size_t count);
size_t floe_k_filter_i64_neon(uint16_t *out, const int64_t *values, const uint64_t *validity,
                              floe_k_cmp op, int64_t constant, const uint16_t *selection,
                              size_t count);
size_t floe_k_filter_f32_neon(uint16_t *out, const float *values, const uint64_t *validity,
                              floe_k_cmp op, float constant, const uint16_t *selection,
                              size_t count);
size_t floe_k_filter_f64_neon(uint16_t *out, const double *values, const uint64_t *validity,
                              floe_k_cmp op, double constant, const uint16_t *selection,
                              size_t count);

/* Internal to the variants: entry m holds, in its low bytes, the positions (0..7) of the set bits
 * of m in ascending order. */
extern const uint64_t floe_k_filter_compress_table[256];

#endif
