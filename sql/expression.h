/*
 * expression.h — bound scalar expressions: what the binder produces from the parser's AST and
 * what engine/ evaluates over column batches.
 *
 * A bound expression is a tree whose every node knows its result type (kernels/types.h) and
 * whether it can be NULL. Names are gone: a column is an index into the input batch of the
 * operator that evaluates the expression. Constructs with an obvious lowering are lowered by the
 * binder and never appear here:
 *   a BETWEEN b AND c   ->  a >= b AND a <= c
 *   NULLIF(a, b)        ->  CASE WHEN a = b THEN NULL ELSE a END
 *   a NOT IN (...)      ->  NOT (a IN (...))
 *   x::t                ->  CAST(x AS t)
 *   year(x) etc.        ->  EXTRACT(YEAR FROM x)
 * Implicit casts are explicit CAST nodes: the operands of an arithmetic or comparison node have
 * the same type (decimals excepted: they keep their own precision and scale, and the node's type
 * is the result's, following the rules in engine/ that mirror DuckDB's and PostgreSQL's).
 *
 * Plans are immutable (STYLE.md): expressions are built once, from an arena the plan owns, and
 * shared read-only by every thread that evaluates them. Evaluation state lives in engine/.
 */
#ifndef FLOE_SQL_EXPRESSION_H
#define FLOE_SQL_EXPRESSION_H

#include "kernels/arena.h"  /* floe_arena */
#include "kernels/status.h" /* floe_error */
#include "kernels/types.h"  /* floe_type, floe_int128 */

#include <stdbool.h>
#include <stdint.h>

typedef enum floe_sql_expression_kind {
    FLOE_SQL_EXPRESSION_COLUMN = 1,   /* input column `column_index` */
    FLOE_SQL_EXPRESSION_CONSTANT,     /* `constant` (possibly NULL) */
    FLOE_SQL_EXPRESSION_CAST,         /* children[0] converted to `type` */
    FLOE_SQL_EXPRESSION_UNARY,        /* `operator_kind` NEGATE or NOT over children[0] */
    FLOE_SQL_EXPRESSION_BINARY,       /* `operator_kind` over children[0], children[1] */
    FLOE_SQL_EXPRESSION_IS_NULL,      /* children[0] IS NULL (never NULL itself) */
    FLOE_SQL_EXPRESSION_IS_NOT_NULL,  /* children[0] IS NOT NULL */
    FLOE_SQL_EXPRESSION_IN,           /* children[0] IN (children[1..]) */
    FLOE_SQL_EXPRESSION_LIKE,         /* children[0] LIKE children[1] (ESCAPE not supported) */
    FLOE_SQL_EXPRESSION_CASE,         /* WHEN children[2i] THEN children[2i+1] ... [ELSE last] */
    FLOE_SQL_EXPRESSION_COALESCE,     /* first non-NULL of children */
    FLOE_SQL_EXPRESSION_FUNCTION,     /* `function` over children */
} floe_sql_expression_kind;

typedef enum floe_sql_operator {
    FLOE_SQL_OPERATOR_NONE = 0,
    FLOE_SQL_OPERATOR_NEGATE,
    FLOE_SQL_OPERATOR_NOT,
    FLOE_SQL_OPERATOR_ADD,
    FLOE_SQL_OPERATOR_SUBTRACT,
    FLOE_SQL_OPERATOR_MULTIPLY,
    FLOE_SQL_OPERATOR_DIVIDE,
    FLOE_SQL_OPERATOR_MODULO,
    FLOE_SQL_OPERATOR_EQUAL,
    FLOE_SQL_OPERATOR_NOT_EQUAL,
    FLOE_SQL_OPERATOR_LESS,
    FLOE_SQL_OPERATOR_LESS_EQUAL,
    FLOE_SQL_OPERATOR_GREATER,
    FLOE_SQL_OPERATOR_GREATER_EQUAL,
    FLOE_SQL_OPERATOR_AND,
    FLOE_SQL_OPERATOR_OR,
    FLOE_SQL_OPERATOR_CONCAT,
} floe_sql_operator;

typedef enum floe_sql_function {
    FLOE_SQL_FUNCTION_NONE = 0,
    FLOE_SQL_FUNCTION_DATE_TRUNC,  /* (unit constant string, date|timestamp) */
    FLOE_SQL_FUNCTION_EXTRACT,     /* (field constant string, date|timestamp) -> BIGINT */
    FLOE_SQL_FUNCTION_LOWER,
    FLOE_SQL_FUNCTION_UPPER,
    FLOE_SQL_FUNCTION_TRIM,
    FLOE_SQL_FUNCTION_SUBSTRING,   /* (string, start [, length]), 1-based as in SQL */
    FLOE_SQL_FUNCTION_LENGTH,      /* characters (UTF-8 code points) */
    FLOE_SQL_FUNCTION_ABS,
    FLOE_SQL_FUNCTION_ROUND,       /* (x [, digits constant]) */
    FLOE_SQL_FUNCTION_FLOOR,
    FLOE_SQL_FUNCTION_CEIL,
    FLOE_SQL_FUNCTION_CONCAT,      /* (any...): concatenation that skips NULL arguments */
} floe_sql_function;

/* A typed SQL value: a constant in an expression, a literal in a plan, a statistic. */
typedef struct floe_sql_value {
    floe_type type;
    bool is_null;
    union {
        bool boolean;
        int32_t int32;      /* INT32, DATE */
        int64_t int64;      /* INT64, TIMESTAMP(TZ), DECIMAL p <= 18 */
        float float32;
        double float64;
        floe_int128 int128; /* DECIMAL p > 18 */
        struct {
            const char *bytes; /* owned by the plan's arena; not NUL-terminated */
            uint32_t length;
        } string;           /* STRING, BINARY */
    } as;
} floe_sql_value;

typedef struct floe_sql_expression floe_sql_expression;

struct floe_sql_expression {
    floe_sql_expression_kind kind;
    floe_type type;                 /* result type */
    bool nullable;                  /* false when the result can never be NULL */
    floe_sql_operator operator_kind;/* UNARY and BINARY */
    floe_sql_function function;     /* FUNCTION */
    uint32_t column_index;          /* COLUMN */
    floe_sql_value constant;        /* CONSTANT */
    uint32_t child_count;
    floe_sql_expression **children; /* child_count pointers, arena-owned */
};

/* Constructors: nodes and their child arrays come from `arena`; NULL when it is exhausted.
 * They do not type-check (the binder does); they only record what they are given. */
floe_sql_expression *floe_sql_expression_column(floe_arena *arena, uint32_t column_index,
                                                floe_type type, bool nullable);
floe_sql_expression *floe_sql_expression_constant(floe_arena *arena, floe_sql_value value);
floe_sql_expression *floe_sql_expression_node(floe_arena *arena, floe_sql_expression_kind kind,
                                              floe_type type, bool nullable, uint32_t child_count,
                                              floe_sql_expression *const *children);

/* Values. */
floe_sql_value floe_sql_value_null(floe_type type);
floe_sql_value floe_sql_value_boolean(bool value);
floe_sql_value floe_sql_value_int64(int64_t value);
floe_sql_value floe_sql_value_float64(double value);
/* A STRING value whose bytes are copied into `arena`; FLOE_ENOMEM when it is exhausted. */
int floe_sql_value_string(floe_arena *arena, const char *bytes, uint32_t length,
                          floe_sql_value *value);

#endif
