/*
 * eval_arithmetic.c — + - * / %, negation, abs, round, floor, ceil over column vectors.
 *
 * Integer loops compute every listed row with the overflow builtins and only OR the overflow
 * flags together, so the common case is one branch-free pass without looking at NULLs; when a
 * flag is set, a second pass over the valid rows finds the culprit (a NULL row may hold garbage
 * that "overflows") and names it. Decimals are computed in 128 bits whatever their storage, then
 * checked against the result precision.
 */
#include "engine/eval_internal.h"

#include <inttypes.h>
#include <math.h>

floe_int128 floe_eng_pow10(unsigned n)
{
    floe_int128 value = 1;
    for (unsigned i = 0; i < n && i < 38; i++) value *= 10;
    return value;
}

floe_int128 floe_eng_decimal_round_down(floe_int128 value, unsigned digits)
{
    if (digits == 0) return value;
    if (digits > 38) return 0;
    floe_int128 divisor = floe_eng_pow10(digits);
    floe_int128 quotient = value / divisor, remainder = value % divisor;
    floe_int128 twice = remainder < 0 ? -remainder * 2 : remainder * 2;
    if (twice >= divisor) quotient += value < 0 ? -1 : 1;
    return quotient;
}

bool floe_eng_decimal_fits(floe_int128 value, unsigned precision)
{
    floe_int128 limit = floe_eng_pow10(precision);
    return value < limit && value > -limit;
}

static const char *operator_symbol(floe_sql_operator op)
{
    switch (op) {
    case FLOE_SQL_OPERATOR_ADD: return "+";
    case FLOE_SQL_OPERATOR_SUBTRACT: return "-";
    case FLOE_SQL_OPERATOR_MULTIPLY: return "*";
    case FLOE_SQL_OPERATOR_DIVIDE: return "/";
    case FLOE_SQL_OPERATOR_MODULO: return "%";
    default: return "?";
    }
}

static bool both_valid(const floe_vector *const *inputs, uint32_t r)
{
    return floe_eng_is_valid(inputs[0], r) && floe_eng_is_valid(inputs[1], r);
}

/* One integer type: + - * with overflow flags, / % with zero and MIN / -1 handling. */
#define INTEGER_ARITHMETIC(T, T_MIN, FMT)                                                     \
    do {                                                                                      \
        const T *a = inputs[0]->data, *b = inputs[1]->data;                                   \
        T *o = out->data;                                                                     \
        bool bad = false;                                                                     \
        switch (op) {                                                                         \
        case FLOE_SQL_OPERATOR_ADD:                                                           \
            FLOE_ENG_FOR_ROWS(rows, r, { bad |= __builtin_add_overflow(a[r], b[r], &o[r]); }); \
            break;                                                                            \
        case FLOE_SQL_OPERATOR_SUBTRACT:                                                      \
            FLOE_ENG_FOR_ROWS(rows, r, { bad |= __builtin_sub_overflow(a[r], b[r], &o[r]); }); \
            break;                                                                            \
        case FLOE_SQL_OPERATOR_MULTIPLY:                                                      \
            FLOE_ENG_FOR_ROWS(rows, r, { bad |= __builtin_mul_overflow(a[r], b[r], &o[r]); }); \
            break;                                                                            \
        case FLOE_SQL_OPERATOR_DIVIDE:                                                        \
            FLOE_ENG_FOR_ROWS(rows, r, {                                                      \
                T d = b[r];                                                                   \
                bool special = d == 0 || (d == -1 && a[r] == T_MIN);                          \
                bad |= special;                                                               \
                o[r] = special ? 0 : (T)(a[r] / d);                                           \
            });                                                                               \
            break;                                                                            \
        default:                                                                              \
            FLOE_ENG_FOR_ROWS(rows, r, {                                                      \
                T d = b[r];                                                                   \
                bad |= d == 0;                                                                \
                o[r] = (d == 0 || d == -1) ? 0 : (T)(a[r] % d);                               \
            });                                                                               \
            break;                                                                            \
        }                                                                                     \
        if (!bad) return FLOE_OK;                                                             \
        FLOE_ENG_FOR_ROWS(rows, r, {                                                          \
            if (!both_valid(inputs, r)) continue;                                             \
            T x = a[r], y = b[r], z;                                                          \
            bool overflow = false;                                                            \
            if (op == FLOE_SQL_OPERATOR_ADD) overflow = __builtin_add_overflow(x, y, &z);     \
            else if (op == FLOE_SQL_OPERATOR_SUBTRACT) overflow = __builtin_sub_overflow(x, y, &z); \
            else if (op == FLOE_SQL_OPERATOR_MULTIPLY) overflow = __builtin_mul_overflow(x, y, &z); \
            else if (y == 0) return floe_error_set(err, FLOE_ERANGE, "division by zero");     \
            else overflow = op == FLOE_SQL_OPERATOR_DIVIDE && y == -1 && x == T_MIN;          \
            (void)z;                                                                          \
            if (overflow) {                                                                   \
                return floe_error_set(err, FLOE_ERANGE, "integer overflow in %s (%" FMT " %s %" FMT ")", \
                                      operator_symbol(op), x, operator_symbol(op), y);        \
            }                                                                                 \
        });                                                                                   \
        return FLOE_OK;                                                                       \
    } while (0)

#define FLOAT_ARITHMETIC(T, MOD)                                                              \
    do {                                                                                      \
        const T *a = inputs[0]->data, *b = inputs[1]->data;                                   \
        T *o = out->data;                                                                     \
        switch (op) {                                                                         \
        case FLOE_SQL_OPERATOR_ADD: FLOE_ENG_FOR_ROWS(rows, r, { o[r] = a[r] + b[r]; }); break; \
        case FLOE_SQL_OPERATOR_SUBTRACT: FLOE_ENG_FOR_ROWS(rows, r, { o[r] = a[r] - b[r]; }); break; \
        case FLOE_SQL_OPERATOR_MULTIPLY: FLOE_ENG_FOR_ROWS(rows, r, { o[r] = a[r] * b[r]; }); break; \
        default: {                                                                            \
            bool zero = false;                                                                \
            FLOE_ENG_FOR_ROWS(rows, r, { zero |= b[r] == 0 && both_valid(inputs, r); });      \
            if (zero) return floe_error_set(err, FLOE_ERANGE, "division by zero");            \
            if (op == FLOE_SQL_OPERATOR_DIVIDE) FLOE_ENG_FOR_ROWS(rows, r, { o[r] = a[r] / b[r]; }); \
            else FLOE_ENG_FOR_ROWS(rows, r, { o[r] = MOD(a[r], b[r]); });                     \
            break;                                                                            \
        }                                                                                     \
        }                                                                                     \
        return FLOE_OK;                                                                       \
    } while (0)

static int decimal_error(floe_error *err, const char *what, const floe_vector *out)
{
    char name[32];
    return floe_error_set(err, FLOE_ERANGE, "decimal overflow in %s: the result does not fit %s",
                          what, floe_type_format(out->type, name, sizeof name));
}

/* Scales `value` up by 10^digits; false on overflow. */
static bool scale_up(floe_int128 value, unsigned digits, floe_int128 *result)
{
    if (digits == 0) {
        *result = value;
        return true;
    }
    return !__builtin_mul_overflow(value, floe_eng_pow10(digits), result);
}

static int decimal_arithmetic(floe_sql_operator op, const floe_vector *const *inputs,
                              const floe_eng_rows *rows, floe_vector *out, floe_error *err)
{
    const floe_vector *a = inputs[0], *b = inputs[1];
    FLOE_RETURN_IF(a->type.id != FLOE_TYPE_DECIMAL || b->type.id != FLOE_TYPE_DECIMAL, FLOE_ETYPE,
                   err, "decimal %s over non-decimal operands", operator_symbol(op));
    FLOE_RETURN_IF(op == FLOE_SQL_OPERATOR_DIVIDE, FLOE_EUNSUPPORTED, err,
                   "decimal / is computed in DOUBLE (cast the operands)");
    unsigned s = out->type.scale, p = out->type.precision;
    unsigned sa = a->type.scale, sb = b->type.scale;
    bool multiply = op == FLOE_SQL_OPERATOR_MULTIPLY;
    FLOE_RETURN_IF(!multiply && (sa > s || sb > s), FLOE_ETYPE, err,
                   "decimal %s result scale %u below an operand's", operator_symbol(op), s);
    FLOE_ENG_FOR_ROWS(rows, r, {
        if (!both_valid(inputs, r)) continue;
        floe_int128 x = floe_eng_decimal_get(a, r), y = floe_eng_decimal_get(b, r), z = 0;
        bool overflow = false;
        if (multiply) {
            overflow = __builtin_mul_overflow(x, y, &z);
            if (!overflow && sa + sb > s) z = floe_eng_decimal_round_down(z, sa + sb - s);
            else if (!overflow && sa + sb < s) overflow = !scale_up(z, s - sa - sb, &z);
        } else {
            overflow = !scale_up(x, s - sa, &x) || !scale_up(y, s - sb, &y);
            if (!overflow) {
                if (op == FLOE_SQL_OPERATOR_ADD) overflow = __builtin_add_overflow(x, y, &z);
                else if (op == FLOE_SQL_OPERATOR_SUBTRACT) overflow = __builtin_sub_overflow(x, y, &z);
                else if (y == 0) return floe_error_set(err, FLOE_ERANGE, "division by zero");
                else z = x % y;
            }
        }
        if (overflow || !floe_eng_decimal_fits(z, p)) {
            return decimal_error(err, operator_symbol(op), out);
        }
        floe_eng_decimal_set(out, r, z);
    });
    return FLOE_OK;
}

int floe_eng_eval_arithmetic(const floe_eng_node *node, const floe_vector *const *inputs,
                             const floe_eng_rows *rows, floe_vector *out, floe_error *err)
{
    floe_sql_operator op = node->expression->operator_kind;
    floe_eng_merge_validity(out, inputs, 2, rows);
    if (out->type.id == FLOE_TYPE_DECIMAL) return decimal_arithmetic(op, inputs, rows, out, err);
    char name[32];
    FLOE_RETURN_IF(!floe_type_equal(inputs[0]->type, out->type) ||
                       !floe_type_equal(inputs[1]->type, out->type),
                   FLOE_ETYPE, err, "%s over operands not of its type %s", operator_symbol(op),
                   floe_type_format(out->type, name, sizeof name));
    switch ((floe_type_id)out->type.id) {
    case FLOE_TYPE_INT32: INTEGER_ARITHMETIC(int32_t, INT32_MIN, PRId32);
    case FLOE_TYPE_INT64: INTEGER_ARITHMETIC(int64_t, INT64_MIN, PRId64);
    case FLOE_TYPE_FLOAT32: FLOAT_ARITHMETIC(float, fmodf);
    case FLOE_TYPE_FLOAT64: FLOAT_ARITHMETIC(double, fmod);
    default: break;
    }
    return floe_error_set(err, FLOE_ETYPE, "%s over %s", operator_symbol(op),
                          floe_type_format(out->type, name, sizeof name));
}

int floe_eng_eval_negate(const floe_eng_node *node, const floe_vector *const *inputs,
                         const floe_eng_rows *rows, floe_vector *out, floe_error *err)
{
    (void)node;
    const floe_vector *x = inputs[0];
    floe_eng_merge_validity(out, inputs, 1, rows);
    switch ((floe_type_id)out->type.id) {
    case FLOE_TYPE_INT32: {
        const int32_t *a = x->data;
        int32_t *o = out->data;
        bool bad = false;
        FLOE_ENG_FOR_ROWS(rows, r, { bad |= __builtin_sub_overflow(0, a[r], &o[r]); });
        if (bad) FLOE_ENG_FOR_ROWS(rows, r, {
            if (floe_eng_is_valid(x, r) && a[r] == INT32_MIN) {
                return floe_error_set(err, FLOE_ERANGE, "integer overflow in - (-(%" PRId32 "))", a[r]);
            }
        });
        return FLOE_OK;
    }
    case FLOE_TYPE_INT64: {
        const int64_t *a = x->data;
        int64_t *o = out->data;
        bool bad = false;
        FLOE_ENG_FOR_ROWS(rows, r, { bad |= __builtin_sub_overflow(0, a[r], &o[r]); });
        if (bad) FLOE_ENG_FOR_ROWS(rows, r, {
            if (floe_eng_is_valid(x, r) && a[r] == INT64_MIN) {
                return floe_error_set(err, FLOE_ERANGE, "integer overflow in - (-(%" PRId64 "))", a[r]);
            }
        });
        return FLOE_OK;
    }
    case FLOE_TYPE_FLOAT32: {
        const float *a = x->data;
        float *o = out->data;
        FLOE_ENG_FOR_ROWS(rows, r, { o[r] = -a[r]; });
        return FLOE_OK;
    }
    case FLOE_TYPE_FLOAT64: {
        const double *a = x->data;
        double *o = out->data;
        FLOE_ENG_FOR_ROWS(rows, r, { o[r] = -a[r]; });
        return FLOE_OK;
    }
    case FLOE_TYPE_DECIMAL:
        FLOE_ENG_FOR_ROWS(rows, r, { floe_eng_decimal_set(out, r, -floe_eng_decimal_get(x, r)); });
        return FLOE_OK;
    default: break;
    }
    return floe_error_set(err, FLOE_ETYPE, "cannot negate this type");
}

static double round_double(double x, int32_t digits)
{
    if (digits >= 0) {
        double m = pow(10.0, digits), scaled = x * m;
        if (isinf(scaled) || isnan(scaled)) return x;
        return round(scaled) / m;
    }
    double m = pow(10.0, -digits);
    return round(x / m) * m;
}

static int32_t digits_at(const floe_vector *const *inputs, uint32_t count, uint32_t r)
{
    return count > 1 ? ((const int32_t *)inputs[1]->data)[r] : 0;
}

/* round(integer, n < 0): half away from zero at 10^-n. */
static bool round_integer(int64_t x, int32_t digits, int64_t *result)
{
    if (digits >= 0) {
        *result = x;
        return true;
    }
    if (digits < -18) {
        *result = 0;
        return true;
    }
    floe_int128 rounded = floe_eng_decimal_round_down(x, (unsigned)-digits) *
                          floe_eng_pow10((unsigned)-digits);
    *result = (int64_t)rounded;
    return rounded == (floe_int128)*result;
}

int floe_eng_eval_numeric_function(const floe_eng_node *node, const floe_vector *const *inputs,
                                   const floe_eng_rows *rows, floe_vector *out, floe_error *err)
{
    floe_sql_function function = node->expression->function;
    const floe_vector *x = inputs[0];
    uint32_t count = node->child_count;
    floe_eng_merge_validity(out, inputs, count, rows);
    floe_type_id id = (floe_type_id)x->type.id;
    if (id == FLOE_TYPE_FLOAT64 || id == FLOE_TYPE_FLOAT32) {
        FLOE_ENG_FOR_ROWS(rows, r, {
            double v = id == FLOE_TYPE_FLOAT64 ? ((const double *)x->data)[r]
                                               : ((const float *)x->data)[r];
            double result = function == FLOE_SQL_FUNCTION_ABS     ? fabs(v)
                            : function == FLOE_SQL_FUNCTION_FLOOR ? floor(v)
                            : function == FLOE_SQL_FUNCTION_CEIL  ? ceil(v)
                                                                  : round_double(v, digits_at(inputs, count, r));
            if (id == FLOE_TYPE_FLOAT64) ((double *)out->data)[r] = result;
            else ((float *)out->data)[r] = (float)result;
        });
        return FLOE_OK;
    }
    if (id == FLOE_TYPE_INT32 || id == FLOE_TYPE_INT64) {
        FLOE_ENG_FOR_ROWS(rows, r, {
            if (!floe_eng_is_valid(out, r)) continue;
            int64_t v = id == FLOE_TYPE_INT64 ? ((const int64_t *)x->data)[r]
                                              : ((const int32_t *)x->data)[r];
            int64_t result = v;
            bool ok = true;
            if (function == FLOE_SQL_FUNCTION_ABS) {
                ok = v != INT64_MIN && (id == FLOE_TYPE_INT64 || v != INT32_MIN);
                if (ok) result = v < 0 ? -v : v; /* -INT64_MIN would be undefined behaviour */
            } else if (function == FLOE_SQL_FUNCTION_ROUND) {
                ok = round_integer(v, digits_at(inputs, count, r), &result);
                if (id == FLOE_TYPE_INT32) ok &= result >= INT32_MIN && result <= INT32_MAX;
            }
            if (!ok) {
                return floe_error_set(err, FLOE_ERANGE, "integer overflow in %s(%" PRId64 ")",
                                      function == FLOE_SQL_FUNCTION_ABS ? "abs" : "round", v);
            }
            if (id == FLOE_TYPE_INT64) ((int64_t *)out->data)[r] = result;
            else ((int32_t *)out->data)[r] = (int32_t)result;
        });
        return FLOE_OK;
    }
    if (id == FLOE_TYPE_DECIMAL && out->type.id == FLOE_TYPE_DECIMAL) {
        unsigned s = x->type.scale, out_scale = out->type.scale;
        FLOE_ENG_FOR_ROWS(rows, r, {
            if (!floe_eng_is_valid(out, r)) continue;
            floe_int128 v = floe_eng_decimal_get(x, r), result = v;
            if (function == FLOE_SQL_FUNCTION_ABS) {
                result = v < 0 ? -v : v;
            } else if (function == FLOE_SQL_FUNCTION_ROUND) {
                int32_t digits = digits_at(inputs, count, r);
                if (digits < 0) {
                    unsigned drop = s + (unsigned)-digits;
                    result = drop > 38 ? 0 : floe_eng_decimal_round_down(v, drop) *
                                                 floe_eng_pow10((unsigned)-digits);
                    if (out_scale > 0) result *= floe_eng_pow10(out_scale);
                } else {
                    result = floe_eng_decimal_round_down(v, s - out_scale);
                }
            } else {
                floe_int128 divisor = floe_eng_pow10(s);
                floe_int128 q = v / divisor, rem = v % divisor;
                if (function == FLOE_SQL_FUNCTION_FLOOR && rem < 0) q -= 1;
                if (function == FLOE_SQL_FUNCTION_CEIL && rem > 0) q += 1;
                result = q;
            }
            if (!floe_eng_decimal_fits(result, out->type.precision)) {
                return decimal_error(err, "round", out);
            }
            floe_eng_decimal_set(out, r, result);
        });
        return FLOE_OK;
    }
    return floe_error_set(err, FLOE_ETYPE, "numeric function over an unsupported type");
}
