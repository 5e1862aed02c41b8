/*
 * expression_types.c — type rules for bound expressions (contract and the rule table in
 * expression_types.h). Kept apart from the binder so that the evaluator's tests and the DuckDB
 * differential test exercise exactly the rules the binder will apply.
 */
#include "expression_types.h"

#include <string.h>

bool floe_sql_type_is_integer(floe_type type)
{
    return type.id == FLOE_TYPE_INT32 || type.id == FLOE_TYPE_INT64;
}

bool floe_sql_type_is_float(floe_type type)
{
    return type.id == FLOE_TYPE_FLOAT32 || type.id == FLOE_TYPE_FLOAT64;
}

bool floe_sql_type_is_numeric(floe_type type)
{
    return floe_sql_type_is_integer(type) || floe_sql_type_is_float(type) ||
           type.id == FLOE_TYPE_DECIMAL;
}

bool floe_sql_type_is_temporal(floe_type type)
{
    return type.id == FLOE_TYPE_DATE || type.id == FLOE_TYPE_TIMESTAMP ||
           type.id == FLOE_TYPE_TIMESTAMPTZ;
}

floe_type floe_sql_type_as_decimal(floe_type type)
{
    if (type.id == FLOE_TYPE_INT32) return floe_type_decimal(10, 0);
    if (type.id == FLOE_TYPE_INT64) return floe_type_decimal(19, 0);
    return type;
}

static unsigned max_unsigned(unsigned a, unsigned b) { return a > b ? a : b; }

static int type_error(floe_error *err, const char *what, floe_type left, floe_type right)
{
    char l[32], r[32];
    return floe_error_set(err, FLOE_ETYPE, "%s: no rule for %s and %s", what,
                          floe_type_format(left, l, sizeof l), floe_type_format(right, r, sizeof r));
}

int floe_sql_type_common(floe_type left, floe_type right, floe_type *common, floe_error *err)
{
    if (left.id == FLOE_TYPE_DECIMAL || right.id == FLOE_TYPE_DECIMAL) {
        if (floe_sql_type_is_float(left) || floe_sql_type_is_float(right)) {
            *common = floe_type_make(left.id == FLOE_TYPE_FLOAT64 || right.id == FLOE_TYPE_FLOAT64
                                         ? FLOE_TYPE_FLOAT64 : FLOE_TYPE_FLOAT32);
            return FLOE_OK;
        }
        if (!floe_sql_type_is_numeric(left) || !floe_sql_type_is_numeric(right)) {
            return type_error(err, "common type", left, right);
        }
        floe_type a = floe_sql_type_as_decimal(left), b = floe_sql_type_as_decimal(right);
        unsigned scale = max_unsigned(a.scale, b.scale);
        unsigned digits = max_unsigned(a.precision - a.scale, b.precision - b.scale);
        unsigned precision = digits + scale;
        if (precision > FLOE_DECIMAL_MAX_PRECISION) precision = FLOE_DECIMAL_MAX_PRECISION;
        *common = floe_type_decimal(precision, scale);
        return FLOE_OK;
    }
    if (floe_type_equal(left, right)) {
        *common = left;
        return FLOE_OK;
    }
    if (floe_sql_type_is_numeric(left) && floe_sql_type_is_numeric(right)) {
        floe_type_id id = FLOE_TYPE_INT64;
        if (left.id == FLOE_TYPE_FLOAT64 || right.id == FLOE_TYPE_FLOAT64) id = FLOE_TYPE_FLOAT64;
        else if (left.id == FLOE_TYPE_FLOAT32 || right.id == FLOE_TYPE_FLOAT32) id = FLOE_TYPE_FLOAT32;
        *common = floe_type_make(id);
        return FLOE_OK;
    }
    if (floe_sql_type_is_temporal(left) && floe_sql_type_is_temporal(right)) {
        *common = floe_type_make(left.id == FLOE_TYPE_TIMESTAMPTZ || right.id == FLOE_TYPE_TIMESTAMPTZ
                                     ? FLOE_TYPE_TIMESTAMPTZ : FLOE_TYPE_TIMESTAMP);
        return FLOE_OK;
    }
    return type_error(err, "common type", left, right);
}

int floe_sql_type_unary(floe_sql_operator op, floe_type operand, floe_sql_signature *signature,
                        floe_error *err)
{
    memset(signature, 0, sizeof *signature);
    signature->operands[0] = operand;
    signature->result = operand;
    char name[32];
    if (op == FLOE_SQL_OPERATOR_NEGATE) {
        FLOE_RETURN_IF(!floe_sql_type_is_numeric(operand), FLOE_ETYPE, err,
                       "cannot negate a %s", floe_type_format(operand, name, sizeof name));
        return FLOE_OK;
    }
    if (op == FLOE_SQL_OPERATOR_NOT) {
        FLOE_RETURN_IF(operand.id != FLOE_TYPE_BOOLEAN, FLOE_ETYPE, err,
                       "NOT needs a BOOLEAN, not a %s", floe_type_format(operand, name, sizeof name));
        return FLOE_OK;
    }
    return floe_error_set(err, FLOE_EINVAL, "operator %d is not unary", (int)op);
}

static const char *operator_name(floe_sql_operator op)
{
    switch (op) {
    case FLOE_SQL_OPERATOR_ADD: return "+";
    case FLOE_SQL_OPERATOR_SUBTRACT: return "-";
    case FLOE_SQL_OPERATOR_MULTIPLY: return "*";
    case FLOE_SQL_OPERATOR_DIVIDE: return "/";
    case FLOE_SQL_OPERATOR_MODULO: return "%";
    case FLOE_SQL_OPERATOR_EQUAL: return "=";
    case FLOE_SQL_OPERATOR_NOT_EQUAL: return "<>";
    case FLOE_SQL_OPERATOR_LESS: return "<";
    case FLOE_SQL_OPERATOR_LESS_EQUAL: return "<=";
    case FLOE_SQL_OPERATOR_GREATER: return ">";
    case FLOE_SQL_OPERATOR_GREATER_EQUAL: return ">=";
    case FLOE_SQL_OPERATOR_AND: return "AND";
    case FLOE_SQL_OPERATOR_OR: return "OR";
    case FLOE_SQL_OPERATOR_CONCAT: return "||";
    default: return "?";
    }
}

/* Decimal + - * % result types (DuckDB's BindDecimal* rules, see the header's table). */
static int decimal_arithmetic(floe_sql_operator op, floe_type a, floe_type b, floe_type *result,
                              floe_error *err)
{
    unsigned scale, precision;
    if (op == FLOE_SQL_OPERATOR_MULTIPLY) {
        scale = (unsigned)a.scale + b.scale;
        precision = (unsigned)a.precision + b.precision;
    } else {
        scale = max_unsigned(a.scale, b.scale);
        precision = max_unsigned(a.precision - a.scale, b.precision - b.scale) + scale +
                    (op == FLOE_SQL_OPERATOR_MODULO ? 0 : 1);
    }
    FLOE_RETURN_IF(scale > FLOE_DECIMAL_MAX_PRECISION, FLOE_ETYPE, err,
                   "decimal %s: result scale %u exceeds 38", operator_name(op), scale);
    bool both_small = a.precision <= FLOE_DECIMAL64_MAX_PRECISION &&
                      b.precision <= FLOE_DECIMAL64_MAX_PRECISION;
    if (precision > FLOE_DECIMAL64_MAX_PRECISION && both_small &&
        scale <= FLOE_DECIMAL64_MAX_PRECISION) {
        precision = FLOE_DECIMAL64_MAX_PRECISION;
    }
    if (precision > FLOE_DECIMAL_MAX_PRECISION) precision = FLOE_DECIMAL_MAX_PRECISION;
    if (precision < scale) precision = scale;
    *result = floe_type_decimal(precision, scale);
    return FLOE_OK;
}

int floe_sql_type_binary(floe_sql_operator op, floe_type left, floe_type right,
                         floe_sql_signature *signature, floe_error *err)
{
    memset(signature, 0, sizeof *signature);
    const floe_type boolean = floe_type_make(FLOE_TYPE_BOOLEAN);
    switch (op) {
    case FLOE_SQL_OPERATOR_AND:
    case FLOE_SQL_OPERATOR_OR:
        if (left.id != FLOE_TYPE_BOOLEAN || right.id != FLOE_TYPE_BOOLEAN) {
            return type_error(err, operator_name(op), left, right);
        }
        signature->operands[0] = signature->operands[1] = signature->result = boolean;
        return FLOE_OK;
    case FLOE_SQL_OPERATOR_CONCAT:
        signature->operands[0] = signature->operands[1] = signature->result =
            floe_type_make(FLOE_TYPE_STRING);
        return FLOE_OK;
    case FLOE_SQL_OPERATOR_EQUAL:
    case FLOE_SQL_OPERATOR_NOT_EQUAL:
    case FLOE_SQL_OPERATOR_LESS:
    case FLOE_SQL_OPERATOR_LESS_EQUAL:
    case FLOE_SQL_OPERATOR_GREATER:
    case FLOE_SQL_OPERATOR_GREATER_EQUAL: {
        floe_type common;
        if (floe_sql_type_common(left, right, &common, NULL) != FLOE_OK) {
            return type_error(err, operator_name(op), left, right);
        }
        signature->operands[0] = signature->operands[1] = common;
        signature->result = boolean;
        return FLOE_OK;
    }
    case FLOE_SQL_OPERATOR_ADD:
    case FLOE_SQL_OPERATOR_SUBTRACT:
    case FLOE_SQL_OPERATOR_MULTIPLY:
    case FLOE_SQL_OPERATOR_DIVIDE:
    case FLOE_SQL_OPERATOR_MODULO: {
        if (!floe_sql_type_is_numeric(left) || !floe_sql_type_is_numeric(right)) {
            return type_error(err, operator_name(op), left, right);
        }
        floe_type common;
        FLOE_TRY(floe_sql_type_common(left, right, &common, err));
        if (op == FLOE_SQL_OPERATOR_DIVIDE && !floe_sql_type_is_float(common)) {
            common = floe_type_make(FLOE_TYPE_FLOAT64);
        }
        if (common.id != FLOE_TYPE_DECIMAL) {
            signature->operands[0] = signature->operands[1] = signature->result = common;
            return FLOE_OK;
        }
        /* Decimal operands keep their own precision and scale; integers become decimals. */
        signature->operands[0] = floe_sql_type_as_decimal(left);
        signature->operands[1] = floe_sql_type_as_decimal(right);
        return decimal_arithmetic(op, signature->operands[0], signature->operands[1],
                                  &signature->result, err);
    }
    default:
        return floe_error_set(err, FLOE_EINVAL, "operator %d is not binary", (int)op);
    }
}

bool floe_sql_type_can_cast(floe_type from, floe_type to)
{
    if (!floe_type_is_valid(from) || !floe_type_is_valid(to)) return false;
    if (floe_type_equal(from, to)) return true;
    if (to.id == FLOE_TYPE_STRING || from.id == FLOE_TYPE_STRING) return true;
    bool from_number = floe_sql_type_is_numeric(from) || from.id == FLOE_TYPE_BOOLEAN;
    bool to_number = floe_sql_type_is_numeric(to) || to.id == FLOE_TYPE_BOOLEAN;
    if (from_number && to_number) return true;
    return floe_sql_type_is_temporal(from) && floe_sql_type_is_temporal(to);
}

static bool constant_int(const floe_sql_value *const *constants, uint32_t index, int64_t *value)
{
    if (constants == NULL || constants[index] == NULL || constants[index]->is_null) return false;
    const floe_sql_value *v = constants[index];
    if (v->type.id == FLOE_TYPE_INT32) *value = v->as.int32;
    else if (v->type.id == FLOE_TYPE_INT64) *value = v->as.int64;
    else return false;
    return true;
}

static bool constant_text_is(const floe_sql_value *const *constants, uint32_t index,
                             const char *word)
{
    if (constants == NULL || constants[index] == NULL || constants[index]->is_null) return false;
    const floe_sql_value *v = constants[index];
    size_t n = strlen(word);
    if (v->type.id != FLOE_TYPE_STRING || v->as.string.length != n) return false;
    for (size_t i = 0; i < n; i++) {
        char c = v->as.string.bytes[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != word[i]) return false;
    }
    return true;
}

int floe_sql_type_function(floe_sql_function function, uint32_t argument_count,
                           const floe_type *arguments, const floe_sql_value *const *constants,
                           floe_type *argument_targets, floe_type *result, floe_error *err)
{
    const floe_type string = floe_type_make(FLOE_TYPE_STRING);
    const floe_type bigint = floe_type_make(FLOE_TYPE_INT64);
    char name[32];
    for (uint32_t i = 0; i < argument_count; i++) argument_targets[i] = arguments[i];
    switch (function) {
    case FLOE_SQL_FUNCTION_LOWER:
    case FLOE_SQL_FUNCTION_UPPER:
    case FLOE_SQL_FUNCTION_TRIM:
    case FLOE_SQL_FUNCTION_LENGTH:
        FLOE_RETURN_IF(argument_count != 1, FLOE_EINVAL, err, "string function takes 1 argument");
        FLOE_RETURN_IF(arguments[0].id != FLOE_TYPE_STRING, FLOE_ETYPE, err,
                       "string function over a %s", floe_type_format(arguments[0], name, sizeof name));
        *result = function == FLOE_SQL_FUNCTION_LENGTH ? bigint : string;
        return FLOE_OK;
    case FLOE_SQL_FUNCTION_SUBSTRING:
        FLOE_RETURN_IF(argument_count < 2 || argument_count > 3, FLOE_EINVAL, err,
                       "substring takes 2 or 3 arguments");
        FLOE_RETURN_IF(arguments[0].id != FLOE_TYPE_STRING, FLOE_ETYPE, err,
                       "substring over a %s", floe_type_format(arguments[0], name, sizeof name));
        for (uint32_t i = 1; i < argument_count; i++) {
            FLOE_RETURN_IF(!floe_sql_type_is_integer(arguments[i]), FLOE_ETYPE, err,
                           "substring position must be an integer");
            argument_targets[i] = bigint;
        }
        *result = string;
        return FLOE_OK;
    case FLOE_SQL_FUNCTION_CONCAT:
        for (uint32_t i = 0; i < argument_count; i++) argument_targets[i] = string;
        *result = string;
        return FLOE_OK;
    case FLOE_SQL_FUNCTION_ABS:
    case FLOE_SQL_FUNCTION_FLOOR:
    case FLOE_SQL_FUNCTION_CEIL:
    case FLOE_SQL_FUNCTION_ROUND: {
        uint32_t most = function == FLOE_SQL_FUNCTION_ROUND ? 2 : 1;
        FLOE_RETURN_IF(argument_count < 1 || argument_count > most, FLOE_EINVAL, err,
                       "numeric function takes at most %u arguments", most);
        floe_type x = arguments[0];
        FLOE_RETURN_IF(!floe_sql_type_is_numeric(x), FLOE_ETYPE, err, "numeric function over a %s",
                       floe_type_format(x, name, sizeof name));
        *result = x;
        if (function == FLOE_SQL_FUNCTION_ABS) return FLOE_OK;
        if (function != FLOE_SQL_FUNCTION_ROUND) {
            if (floe_sql_type_is_integer(x)) {
                *result = argument_targets[0] = floe_type_make(FLOE_TYPE_FLOAT64);
            } else if (x.id == FLOE_TYPE_DECIMAL) {
                *result = floe_type_decimal(x.precision, 0);
            }
            return FLOE_OK;
        }
        int64_t digits = 0;
        if (argument_count == 2) {
            FLOE_RETURN_IF(!floe_sql_type_is_integer(arguments[1]), FLOE_ETYPE, err,
                           "round digits must be an integer");
            argument_targets[1] = floe_type_make(FLOE_TYPE_INT32);
            if (!constant_int(constants, 1, &digits)) {
                FLOE_RETURN_IF(x.id == FLOE_TYPE_DECIMAL, FLOE_EUNSUPPORTED, err,
                               "round of a decimal needs constant digits");
            }
        }
        if (x.id == FLOE_TYPE_DECIMAL) {
            int64_t scale = digits < 0 ? 0 : digits > x.scale ? x.scale : digits;
            *result = floe_type_decimal(x.precision, (unsigned)scale);
        }
        return FLOE_OK;
    }
    case FLOE_SQL_FUNCTION_DATE_TRUNC:
    case FLOE_SQL_FUNCTION_EXTRACT:
        FLOE_RETURN_IF(argument_count != 2, FLOE_EINVAL, err, "date function takes 2 arguments");
        FLOE_RETURN_IF(arguments[0].id != FLOE_TYPE_STRING || !floe_sql_type_is_temporal(arguments[1]),
                       FLOE_ETYPE, err, "date function over a %s",
                       floe_type_format(arguments[1], name, sizeof name));
        if (function == FLOE_SQL_FUNCTION_EXTRACT) {
            *result = constant_text_is(constants, 0, "epoch") ? floe_type_make(FLOE_TYPE_FLOAT64)
                                                              : bigint;
        } else {
            *result = floe_type_make(arguments[1].id == FLOE_TYPE_TIMESTAMPTZ ? FLOE_TYPE_TIMESTAMPTZ
                                                                              : FLOE_TYPE_TIMESTAMP);
        }
        return FLOE_OK;
    default:
        return floe_error_set(err, FLOE_EINVAL, "unknown function %d", (int)function);
    }
}
