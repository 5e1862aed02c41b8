/*
 * eval_internal.h — private to engine/expression_eval*.c and engine/eval_*.c: the per-node
 * evaluation state and the helpers the per-concern files share.
 *
 * Every node's value for a batch is a floe_vector indexed by absolute row number (the batch's
 * rows, not the live ones), so children and parents agree on positions whatever the selection.
 * `rows` lists the rows to compute; all others are left as garbage.
 */
#ifndef FLOE_ENGINE_EVAL_INTERNAL_H
#define FLOE_ENGINE_EVAL_INTERNAL_H

#include "engine/expression_eval.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct floe_eng_rows {
    const uint16_t *selection; /* NULL: rows 0..count-1 */
    uint32_t count;
    uint32_t row_count;        /* rows the batch holds (validity words to merge) */
} floe_eng_rows;

/* Runs the statements in __VA_ARGS__ with `r` bound to each row to compute; two loops so the
 * unselected case is a plain counted loop the compiler can vectorize. */
#define FLOE_ENG_FOR_ROWS(rows, r, ...)                                                   \
    do {                                                                                  \
        const floe_eng_rows *floe_rows_ = (rows);                                         \
        if (floe_rows_->selection == NULL) {                                              \
            for (uint32_t r = 0; r < floe_rows_->count; r++) { __VA_ARGS__ }              \
        } else {                                                                          \
            for (uint32_t floe_i_ = 0; floe_i_ < floe_rows_->count; floe_i_++) {          \
                uint32_t r = floe_rows_->selection[floe_i_];                              \
                __VA_ARGS__                                                               \
            }                                                                             \
        }                                                                                 \
    } while (0)

typedef struct floe_eng_node floe_eng_node;
struct floe_eng_node {
    const floe_sql_expression *expression;
    uint32_t child_count;
    floe_eng_node **children;
    const floe_vector **inputs;  /* child_count slots for the children's values */
    floe_vector scratch;         /* this node's value (also a flattened dictionary column) */
    bool is_constant;            /* scratch holds the folded value on every row */
    int parameter;               /* date_trunc unit / extract field, resolved at creation */
    uint16_t *selection_a;       /* AND/OR/CASE/COALESCE: FLOE_BATCH_CAPACITY row buffers */
    uint16_t *selection_b;
};

/* The value of `node` over `rows` (a batch column, a folded constant or the node's scratch). */
int floe_eng_eval_child(floe_eng_node *node, const floe_batch *batch, const floe_eng_rows *rows,
                        const floe_vector **value, floe_error *err);

/* out's validity = AND of the inputs' (NULL when none has NULLs). */
void floe_eng_merge_validity(floe_vector *out, const floe_vector *const *inputs, uint32_t count,
                             const floe_eng_rows *rows);

static inline bool floe_eng_is_valid(const floe_vector *vector, uint32_t row)
{
    return vector->validity == NULL || ((vector->validity[row >> 6] >> (row & 63)) & 1);
}

static inline floe_int128 floe_eng_decimal_get(const floe_vector *vector, uint32_t row)
{
    if (vector->type.precision <= FLOE_DECIMAL64_MAX_PRECISION) {
        return ((const int64_t *)vector->data)[row];
    }
    return ((const floe_int128 *)vector->data)[row];
}

static inline void floe_eng_decimal_set(floe_vector *vector, uint32_t row, floe_int128 value)
{
    if (vector->type.precision <= FLOE_DECIMAL64_MAX_PRECISION) {
        ((int64_t *)vector->data)[row] = (int64_t)value;
    } else {
        ((floe_int128 *)vector->data)[row] = value;
    }
}

/* 10^n for 0 <= n <= 38. */
floe_int128 floe_eng_pow10(unsigned n);
/* value / 10^digits rounded half away from zero. */
floe_int128 floe_eng_decimal_round_down(floe_int128 value, unsigned digits);
/* Whether |value| < 10^precision. */
bool floe_eng_decimal_fits(floe_int128 value, unsigned precision);

/* Per-concern evaluators: inputs are the children's values, out is reset and typed. */
int floe_eng_eval_arithmetic(const floe_eng_node *node, const floe_vector *const *inputs,
                             const floe_eng_rows *rows, floe_vector *out, floe_error *err);
int floe_eng_eval_negate(const floe_eng_node *node, const floe_vector *const *inputs,
                         const floe_eng_rows *rows, floe_vector *out, floe_error *err);
int floe_eng_eval_numeric_function(const floe_eng_node *node, const floe_vector *const *inputs,
                                   const floe_eng_rows *rows, floe_vector *out, floe_error *err);
int floe_eng_eval_compare(const floe_eng_node *node, const floe_vector *const *inputs,
                          const floe_eng_rows *rows, floe_vector *out, floe_error *err);
int floe_eng_eval_logic(const floe_eng_node *node, const floe_vector *const *inputs,
                        const floe_eng_rows *rows, floe_vector *out, floe_error *err);
int floe_eng_eval_in(const floe_eng_node *node, const floe_vector *const *inputs,
                     const floe_eng_rows *rows, floe_vector *out, floe_error *err);
int floe_eng_eval_cast(const floe_vector *input, const floe_eng_rows *rows, floe_vector *out,
                       floe_error *err);
int floe_eng_eval_string_function(const floe_eng_node *node, const floe_vector *const *inputs,
                                  const floe_eng_rows *rows, floe_vector *out, floe_error *err);
int floe_eng_eval_like(const floe_eng_node *node, const floe_vector *const *inputs,
                       const floe_eng_rows *rows, floe_vector *out, floe_error *err);
int floe_eng_eval_concat(const floe_eng_node *node, const floe_vector *const *inputs,
                         const floe_eng_rows *rows, floe_vector *out, floe_error *err);
int floe_eng_eval_datetime_function(const floe_eng_node *node, const floe_vector *const *inputs,
                                    const floe_eng_rows *rows, floe_vector *out, floe_error *err);
/* date_trunc unit / extract field name -> parameter code, or -1. */
int floe_eng_datetime_unit(const char *text, uint32_t length, bool for_extract);

/* Text of one value as DuckDB casts it to VARCHAR; returns the length written (buffer >= 64). */
uint32_t floe_eng_format_value(const floe_vector *vector, uint32_t row, char *buffer,
                               size_t buffer_size);
/* Civil calendar (proleptic Gregorian) for days since 1970-01-01. */
void floe_eng_civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day);
int64_t floe_eng_days_from_civil(int64_t year, unsigned month, unsigned day);

#endif
