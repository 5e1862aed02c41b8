/*
 * eval_compare.c — comparisons, AND / OR / NOT in three-valued logic, and IN lists.
 *
 * Operands of a comparison have one type (the binder casts them to the common type); decimals
 * may still differ in scale and are compared in 128 bits at the larger scale. Strings compare
 * bytewise (UTF-8 byte order is code point order, as DuckDB orders VARCHAR).
 */
#include "engine/eval_internal.h"

#include <string.h>

#define COMPARE_LOOP(T, A, B)                                                                 \
    do {                                                                                      \
        const T *a = (const T *)(A)->data, *b = (const T *)(B)->data;                         \
        switch (op) {                                                                         \
        case FLOE_SQL_OPERATOR_EQUAL: FLOE_ENG_FOR_ROWS(rows, r, { o[r] = a[r] == b[r]; }); break; \
        case FLOE_SQL_OPERATOR_NOT_EQUAL: FLOE_ENG_FOR_ROWS(rows, r, { o[r] = a[r] != b[r]; }); break; \
        case FLOE_SQL_OPERATOR_LESS: FLOE_ENG_FOR_ROWS(rows, r, { o[r] = a[r] < b[r]; }); break; \
        case FLOE_SQL_OPERATOR_LESS_EQUAL: FLOE_ENG_FOR_ROWS(rows, r, { o[r] = a[r] <= b[r]; }); break; \
        case FLOE_SQL_OPERATOR_GREATER: FLOE_ENG_FOR_ROWS(rows, r, { o[r] = a[r] > b[r]; }); break; \
        default: FLOE_ENG_FOR_ROWS(rows, r, { o[r] = a[r] >= b[r]; }); break;                 \
        }                                                                                     \
    } while (0)

/* Floats compare in SQL's total order, as DuckDB and PostgreSQL do and as Floe's ORDER BY,
 * GROUP BY, DISTINCT and joins already do: NaN equals NaN and is greater than every other value
 * (+inf included); -0.0 equals 0.0. IEEE comparison would make `f = f` false for NaN rows while
 * GROUP BY f puts them in one group. */
#define FLOAT_ORDER(x, y) \
    ((x) != (x) || (y) != (y) ? ((x) != (x)) - ((y) != (y)) : ((x) > (y)) - ((x) < (y)))

#define FLOAT_COMPARE_LOOP(T, A, B)                                                           \
    do {                                                                                      \
        const T *a = (const T *)(A)->data, *b = (const T *)(B)->data;                         \
        FLOE_ENG_FOR_ROWS(rows, r, { o[r] = from_order(op, FLOAT_ORDER(a[r], b[r])); });      \
    } while (0)

static uint8_t from_order(floe_sql_operator op, int order)
{
    switch (op) {
    case FLOE_SQL_OPERATOR_EQUAL: return order == 0;
    case FLOE_SQL_OPERATOR_NOT_EQUAL: return order != 0;
    case FLOE_SQL_OPERATOR_LESS: return order < 0;
    case FLOE_SQL_OPERATOR_LESS_EQUAL: return order <= 0;
    case FLOE_SQL_OPERATOR_GREATER: return order > 0;
    default: return order >= 0;
    }
}

static int compare_strings(const floe_vector *a, uint32_t ra, const floe_vector *b, uint32_t rb)
{
    uint32_t la, lb;
    const unsigned char *x = floe_vector_string(a, ra, &la);
    const unsigned char *y = floe_vector_string(b, rb, &lb);
    uint32_t n = la < lb ? la : lb;
    int c = n ? memcmp(x, y, n) : 0;
    if (c != 0) return c;
    return la < lb ? -1 : la > lb;
}

int floe_eng_eval_compare(const floe_eng_node *node, const floe_vector *const *inputs,
                          const floe_eng_rows *rows, floe_vector *out, floe_error *err)
{
    floe_sql_operator op = node->expression->operator_kind;
    const floe_vector *left = inputs[0], *right = inputs[1];
    uint8_t *o = out->data;
    floe_eng_merge_validity(out, inputs, 2, rows);
    char l[32], rname[32];
    bool decimals = left->type.id == FLOE_TYPE_DECIMAL && right->type.id == FLOE_TYPE_DECIMAL;
    FLOE_RETURN_IF(!decimals && !floe_type_equal(left->type, right->type), FLOE_ETYPE, err,
                   "cannot compare %s with %s", floe_type_format(left->type, l, sizeof l),
                   floe_type_format(right->type, rname, sizeof rname));
    switch ((floe_type_id)left->type.id) {
    case FLOE_TYPE_BOOLEAN: COMPARE_LOOP(uint8_t, left, right); return FLOE_OK;
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_DATE: COMPARE_LOOP(int32_t, left, right); return FLOE_OK;
    case FLOE_TYPE_INT64:
    case FLOE_TYPE_TIMESTAMP:
    case FLOE_TYPE_TIMESTAMPTZ: COMPARE_LOOP(int64_t, left, right); return FLOE_OK;
    case FLOE_TYPE_FLOAT32: FLOAT_COMPARE_LOOP(float, left, right); return FLOE_OK;
    case FLOE_TYPE_FLOAT64: FLOAT_COMPARE_LOOP(double, left, right); return FLOE_OK;
    case FLOE_TYPE_DECIMAL:
        if (left->type.scale == right->type.scale &&
            left->type.precision <= FLOE_DECIMAL64_MAX_PRECISION &&
            right->type.precision <= FLOE_DECIMAL64_MAX_PRECISION) {
            COMPARE_LOOP(int64_t, left, right);
            return FLOE_OK;
        } else {
            unsigned scale = left->type.scale > right->type.scale ? left->type.scale
                                                                  : right->type.scale;
            floe_int128 ml = floe_eng_pow10(scale - left->type.scale);
            floe_int128 mr = floe_eng_pow10(scale - right->type.scale);
            FLOE_ENG_FOR_ROWS(rows, r, {
                floe_int128 x = floe_eng_decimal_get(left, r), y = floe_eng_decimal_get(right, r);
                /* Both fit 38 digits after the rescale unless the operands are extreme; the
                 * overflowing case orders by sign, which is what the true values do. */
                floe_int128 sx, sy;
                bool ox = __builtin_mul_overflow(x, ml, &sx), oy = __builtin_mul_overflow(y, mr, &sy);
                int order;
                if (ox || oy) order = ox ? (x < 0 ? -1 : 1) : (y < 0 ? 1 : -1);
                else order = sx < sy ? -1 : sx > sy;
                o[r] = from_order(op, order);
            });
            return FLOE_OK;
        }
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY:
        FLOE_ENG_FOR_ROWS(rows, r, {
            if (!floe_eng_is_valid(out, r)) continue;
            o[r] = from_order(op, compare_strings(left, r, right, r));
        });
        return FLOE_OK;
    default: break;
    }
    return floe_error_set(err, FLOE_ETYPE, "cannot compare %s",
                          floe_type_format(left->type, l, sizeof l));
}

int floe_eng_eval_logic(const floe_eng_node *node, const floe_vector *const *inputs,
                        const floe_eng_rows *rows, floe_vector *out, floe_error *err)
{
    floe_sql_operator op = node->expression->operator_kind;
    uint8_t *o = out->data;
    const uint8_t *a = inputs[0]->data;
    FLOE_RETURN_IF(inputs[0]->type.id != FLOE_TYPE_BOOLEAN, FLOE_ETYPE, err,
                   "logical operator over a non-BOOLEAN");
    if (op == FLOE_SQL_OPERATOR_NOT) {
        floe_eng_merge_validity(out, inputs, 1, rows);
        FLOE_ENG_FOR_ROWS(rows, r, { o[r] = !a[r]; });
        return FLOE_OK;
    }
    const uint8_t *b = inputs[1]->data;
    bool is_and = op == FLOE_SQL_OPERATOR_AND;
    if (inputs[0]->validity == NULL && inputs[1]->validity == NULL) {
        out->validity = NULL;
        if (is_and) FLOE_ENG_FOR_ROWS(rows, r, { o[r] = a[r] & b[r]; });
        else FLOE_ENG_FOR_ROWS(rows, r, { o[r] = a[r] | b[r]; });
        return FLOE_OK;
    }
    floe_vector_prepare_validity(out);
    FLOE_ENG_FOR_ROWS(rows, r, {
        bool av = floe_eng_is_valid(inputs[0], r), bv = floe_eng_is_valid(inputs[1], r);
        bool at = av && a[r], bt = bv && b[r];
        bool af = av && !a[r], bf = bv && !b[r];
        /* AND: false wins over NULL; OR: true wins over NULL. */
        bool decided = is_and ? (af || bf || (at && bt)) : (at || bt || (af && bf));
        o[r] = is_and ? (at && bt) : (at || bt);
        if (decided) floe_vector_set_valid(out, r);
        else floe_vector_set_null(out, r);
    });
    return FLOE_OK;
}

#define IN_LOOP(T)                                                                            \
    do {                                                                                      \
        const T *x = (const T *)value->data, *y = (const T *)item->data;                      \
        FLOE_ENG_FOR_ROWS(rows, r, { o[r] |= x[r] == y[r] && floe_eng_is_valid(item, r); }); \
    } while (0)

#define FLOAT_IN_LOOP(T)                                                                      \
    do {                                                                                      \
        const T *x = (const T *)value->data, *y = (const T *)item->data;                      \
        FLOE_ENG_FOR_ROWS(rows, r,                                                            \
                          { o[r] |= FLOAT_ORDER(x[r], y[r]) == 0 && floe_eng_is_valid(item, r); }); \
    } while (0)

int floe_eng_eval_in(const floe_eng_node *node, const floe_vector *const *inputs,
                     const floe_eng_rows *rows, floe_vector *out, floe_error *err)
{
    const floe_vector *value = inputs[0];
    uint8_t *o = out->data;
    uint8_t saw_null[FLOE_BATCH_CAPACITY];
    bool any_null_item = false;
    FLOE_ENG_FOR_ROWS(rows, r, { o[r] = 0; saw_null[r] = 0; });
    for (uint32_t k = 1; k < node->child_count; k++) {
        const floe_vector *item = inputs[k];
        char a[32], b[32];
        FLOE_RETURN_IF(!floe_type_equal(item->type, value->type), FLOE_ETYPE, err,
                       "IN list item of type %s for a %s", floe_type_format(item->type, a, sizeof a),
                       floe_type_format(value->type, b, sizeof b));
        if (item->validity != NULL) {
            any_null_item = true;
            FLOE_ENG_FOR_ROWS(rows, r, { saw_null[r] |= !floe_eng_is_valid(item, r); });
        }
        switch ((floe_type_id)value->type.id) {
        case FLOE_TYPE_BOOLEAN: IN_LOOP(uint8_t); break;
        case FLOE_TYPE_INT32:
        case FLOE_TYPE_DATE: IN_LOOP(int32_t); break;
        case FLOE_TYPE_INT64:
        case FLOE_TYPE_TIMESTAMP:
        case FLOE_TYPE_TIMESTAMPTZ: IN_LOOP(int64_t); break;
        case FLOE_TYPE_FLOAT32: FLOAT_IN_LOOP(float); break;
        case FLOE_TYPE_FLOAT64: FLOAT_IN_LOOP(double); break;
        case FLOE_TYPE_DECIMAL:
            if (value->type.precision <= FLOE_DECIMAL64_MAX_PRECISION) IN_LOOP(int64_t);
            else IN_LOOP(floe_int128);
            break;
        case FLOE_TYPE_STRING:
        case FLOE_TYPE_BINARY:
            FLOE_ENG_FOR_ROWS(rows, r, {
                if (!o[r] && floe_eng_is_valid(item, r) && floe_eng_is_valid(value, r)) {
                    o[r] = compare_strings(value, r, item, r) == 0;
                }
            });
            break;
        default: return floe_error_set(err, FLOE_ETYPE, "IN over an unsupported type");
        }
    }
    floe_eng_merge_validity(out, inputs, 1, rows);
    if (any_null_item) {
        if (out->validity == NULL) floe_vector_prepare_validity(out);
        FLOE_ENG_FOR_ROWS(rows, r, {
            if (!o[r] && saw_null[r]) floe_vector_set_null(out, r);
        });
    }
    return FLOE_OK;
}
