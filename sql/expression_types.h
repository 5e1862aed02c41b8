/*
 * expression_types.h — the type rules of bound expressions: what the binder asks before it builds
 * a node of sql/expression.h (result type, and the type each operand must be cast to).
 *
 * The rules follow DuckDB 1.5 (checked against it, see tests/interop/expressions.test.mjs):
 *
 *   common type (comparisons, IN, CASE, COALESCE)
 *     same types                        -> that type
 *     INTEGER, BIGINT                   -> BIGINT
 *     integer|decimal, REAL             -> REAL;   any numeric, DOUBLE -> DOUBLE
 *     INTEGER|BIGINT, DECIMAL(p,s)      -> the integer as DECIMAL(10,0)|DECIMAL(19,0), then:
 *     DECIMAL(p1,s1), DECIMAL(p2,s2)    -> DECIMAL(min(38, max(p1-s1,p2-s2) + max(s1,s2)), max(s1,s2))
 *     DATE, TIMESTAMP                   -> TIMESTAMP;  TIMESTAMP, TIMESTAMPTZ -> TIMESTAMPTZ
 *     anything else                     -> FLOE_ETYPE (no implicit string <-> number casts)
 *   + - *  integers, floats             -> the common type (INTEGER + INTEGER is INTEGER)
 *          with a decimal               -> integers become DECIMAL(10|19,0); operands keep their
 *                                          own precision and scale; the result is
 *       + -  DECIMAL(max(p-s) + max(s) + 1, max(s))
 *       *    DECIMAL(p1 + p2, s1 + s2)
 *          capped at 18 when both operands are 18 digits or fewer (DuckDB keeps them in int64
 *          and checks overflow at run time), else at 38; a scale above 38 is FLOE_ETYPE.
 *   /      integers, decimals           -> DOUBLE (both operands cast to DOUBLE: SELECT 7/2 = 3.5)
 *          floats                       -> the common float type
 *   %      integers, floats             -> the common type
 *          decimals                     -> DECIMAL(max(p-s) + max(s), max(s)), operands kept
 *   = <> < <= > >=                      -> BOOLEAN over the common type
 *   AND OR NOT                          -> BOOLEAN over BOOLEAN
 *   ||     any, any                     -> VARCHAR (non-strings cast to VARCHAR)
 *   - (negate)                          -> the operand's numeric type
 *   functions: lower upper trim (VARCHAR) -> VARCHAR; length -> BIGINT; substring(VARCHAR,
 *     BIGINT [, BIGINT]) -> VARCHAR; concat(any...) -> VARCHAR; abs(x) -> x's type;
 *     round(int [, n]) -> the int type; round(float [, n]) -> the float type;
 *     round(DECIMAL(p,s) [, n]) -> DECIMAL(p, clamp(n, 0, s)) (n = 0 without digits);
 *     floor/ceil(int) -> DOUBLE (DuckDB 1.5 does this); floor/ceil(DECIMAL(p,s)) -> DECIMAL(p,0);
 *     floor/ceil(float) -> the float type; date_trunc(unit, DATE|TIMESTAMP) -> TIMESTAMP
 *     (TIMESTAMPTZ stays TZ); extract(field, DATE|TIMESTAMP) -> BIGINT, except epoch -> DOUBLE.
 *
 * Casts (floe_sql_type_can_cast): every type to VARCHAR and from VARCHAR (parsed at run time);
 * numerics and BOOLEAN among themselves; DATE, TIMESTAMP, TIMESTAMPTZ among themselves.
 *
 * Errors: FLOE_ETYPE with one line naming the operator and the types; FLOE_EINVAL for an
 * argument count a function does not take. Nothing allocates.
 */
#ifndef FLOE_SQL_EXPRESSION_TYPES_H
#define FLOE_SQL_EXPRESSION_TYPES_H

#include "kernels/status.h" /* floe_error */
#include "kernels/types.h"  /* floe_type */
#include "sql/expression.h" /* floe_sql_operator, floe_sql_function, floe_sql_value */

#include <stdbool.h>
#include <stdint.h>

/* Types an operator's operands must be cast to (equal to their own type: no cast) and the
 * result type. */
typedef struct floe_sql_signature {
    floe_type operands[2];
    floe_type result;
} floe_sql_signature;

bool floe_sql_type_is_integer(floe_type type);  /* INTEGER, BIGINT */
bool floe_sql_type_is_float(floe_type type);    /* REAL, DOUBLE */
bool floe_sql_type_is_numeric(floe_type type);  /* integers, floats, decimals */
bool floe_sql_type_is_temporal(floe_type type); /* DATE, TIMESTAMP, TIMESTAMPTZ */

/* An integer type as the decimal that holds all its values: INTEGER -> DECIMAL(10,0),
 * BIGINT -> DECIMAL(19,0); a decimal is returned as it is. */
floe_type floe_sql_type_as_decimal(floe_type type);

/* The type two values are compared or unified at (CASE branches, COALESCE, IN lists). */
int floe_sql_type_common(floe_type left, floe_type right, floe_type *common, floe_error *err);

/* Unary NEGATE / NOT. */
int floe_sql_type_unary(floe_sql_operator op, floe_type operand, floe_sql_signature *signature,
                        floe_error *err);

/* Binary operators (arithmetic, comparison, AND/OR, ||). */
int floe_sql_type_binary(floe_sql_operator op, floe_type left, floe_type right,
                         floe_sql_signature *signature, floe_error *err);

/* Whether CAST(from AS to) exists (it may still fail at run time on a value). */
bool floe_sql_type_can_cast(floe_type from, floe_type to);

/* Functions: `arguments` are the argument types; `constants[i]` is the value of argument i when
 * it is a constant, else NULL (constants may be NULL as a whole): round's digits and extract's
 * field decide the result type. Writes the type each argument must be cast to into
 * `argument_targets` (argument_count entries) and the result type. */
int floe_sql_type_function(floe_sql_function function, uint32_t argument_count,
                           const floe_type *arguments, const floe_sql_value *const *constants,
                           floe_type *argument_targets, floe_type *result, floe_error *err);

#endif
