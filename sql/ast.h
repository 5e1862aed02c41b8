/*
 * ast.h — the syntax tree of Floe's SQL dialect (DESIGN.md "SQL"), and its printer.
 *
 * Ownership: every node, array and string of a tree lives in one floe_arena owned by the parse
 * result (floe_sql_script in sql/parser.h); nothing in a tree is freed on its own. Strings are
 * NUL-terminated (the lexer refuses NUL bytes, so no value holds one). Names are already decoded:
 * unquoted identifiers folded to lower case, quoted ones as written without the quotes. Every
 * node carries the position of its first token, for the binder's error messages.
 *
 * The tree is syntax only: names are not resolved, types of expressions are not known, function
 * names are not checked (the binder does that). Some surface forms are normalized while parsing:
 *   x::T                      -> CAST node (printed as CAST(x AS T))
 *   EXTRACT(field FROM x)     -> function "extract" with arguments ('field', x), field lower-case
 *   SUBSTRING(s FROM a FOR b) -> function "substring" with arguments (s, a[, b])
 *   ceiling(x)                -> function "ceil"
 *   a, b in FROM              -> a JOIN of kind CROSS (printed back with a comma)
 *   a UNION ALL b UNION ALL c -> one query with three SELECT bodies (flat, so no deep trees)
 *
 * The printer renders a tree as canonical SQL text: keywords upper case, names lower case and
 * unquoted unless they need quotes, function names lower case, single spaces, parentheses only
 * where precedence needs them, every alias with AS. Printing is a fixed point: the printed text
 * parses back to a tree that prints the same (the tests check this for every case). It is what
 * `floe.sql` stores and what EXPLAIN shows.
 */
#ifndef FLOE_SQL_AST_H
#define FLOE_SQL_AST_H

#include "kernels/arena.h"  /* floe_arena: owner of every node */
#include "kernels/status.h" /* floe_error */
#include "kernels/types.h"  /* floe_type for CAST and CREATE TABLE */
#include "sql/lexer.h"      /* floe_sql_position */

#include <stddef.h>
#include <stdint.h>

/* ---- names ---- */

/* A table name: `name` or `ns.name`. */
typedef struct floe_sql_name {
    const char *namespace_name; /* NULL when the name has one part */
    const char *name;
    floe_sql_position position;
} floe_sql_name;

/* ---- expressions ---- */

typedef enum floe_sql_expr_kind {
    FLOE_SQL_EXPR_INTEGER,   /* integer literal that fits int64 (text kept as written) */
    FLOE_SQL_EXPR_DECIMAL,   /* 1.5, .5, and integers too large for int64 */
    FLOE_SQL_EXPR_FLOAT,     /* 1e10, 1.5E-3 */
    FLOE_SQL_EXPR_STRING,
    FLOE_SQL_EXPR_BOOLEAN,
    FLOE_SQL_EXPR_NULL,
    FLOE_SQL_EXPR_DATE,      /* DATE 'yyyy-mm-dd' (text checked for shape and calendar) */
    FLOE_SQL_EXPR_TIMESTAMP, /* TIMESTAMP '...' (text checked by the binder) */
    FLOE_SQL_EXPR_COLUMN,    /* a or t.a */
    FLOE_SQL_EXPR_UNARY,
    FLOE_SQL_EXPR_BINARY,
    FLOE_SQL_EXPR_IS_NULL,   /* x IS [NOT] NULL */
    FLOE_SQL_EXPR_IN_LIST,   /* x [NOT] IN (a, b, ...) */
    FLOE_SQL_EXPR_BETWEEN,   /* x [NOT] BETWEEN low AND high */
    FLOE_SQL_EXPR_LIKE,      /* x [NOT] LIKE pattern */
    FLOE_SQL_EXPR_CASE,
    FLOE_SQL_EXPR_CAST,
    FLOE_SQL_EXPR_FUNCTION,  /* scalar functions and aggregates alike */
} floe_sql_expr_kind;

typedef enum floe_sql_unary_op {
    FLOE_SQL_UNARY_NEGATE, /* -x */
    FLOE_SQL_UNARY_NOT,    /* NOT x */
} floe_sql_unary_op;

typedef enum floe_sql_binary_op {
    FLOE_SQL_BINARY_OR,
    FLOE_SQL_BINARY_AND,
    FLOE_SQL_BINARY_EQUAL,
    FLOE_SQL_BINARY_NOT_EQUAL,
    FLOE_SQL_BINARY_LESS,
    FLOE_SQL_BINARY_LESS_EQUAL,
    FLOE_SQL_BINARY_GREATER,
    FLOE_SQL_BINARY_GREATER_EQUAL,
    FLOE_SQL_BINARY_CONCAT,
    FLOE_SQL_BINARY_ADD,
    FLOE_SQL_BINARY_SUBTRACT,
    FLOE_SQL_BINARY_MULTIPLY,
    FLOE_SQL_BINARY_DIVIDE,
    FLOE_SQL_BINARY_MODULO,
} floe_sql_binary_op;

typedef struct floe_sql_expr floe_sql_expr;
typedef struct floe_sql_query floe_sql_query;

typedef struct floe_sql_when {
    floe_sql_expr *condition; /* or the value compared with the CASE operand */
    floe_sql_expr *result;
} floe_sql_when;

struct floe_sql_expr {
    floe_sql_expr_kind kind;
    floe_sql_position position;
    uint32_t depth; /* 1 + the deepest child's depth; bounded by FLOE_SQL_MAX_EXPRESSION_DEPTH */
    union {
        struct {
            const char *text;  /* as written (numbers), or the decoded string / date / timestamp */
            int64_t integer;   /* INTEGER */
            int boolean;       /* BOOLEAN */
        } literal;
        struct {
            const char *qualifier; /* table or alias, NULL if none */
            const char *name;
        } column;
        struct {
            floe_sql_unary_op op;
            floe_sql_expr *operand;
        } unary;
        struct {
            floe_sql_binary_op op;
            floe_sql_expr *left, *right;
        } binary;
        struct {
            floe_sql_expr *operand;
            int negated;                  /* IS NOT NULL, NOT IN, NOT BETWEEN, NOT LIKE */
            floe_sql_expr **items;        /* IN list */
            size_t item_count;
            floe_sql_expr *low, *high;    /* BETWEEN */
            floe_sql_expr *pattern;       /* LIKE */
        } predicate;
        struct {
            floe_sql_expr *operand;       /* NULL for a searched CASE */
            floe_sql_when *whens;
            size_t when_count;            /* at least 1 */
            floe_sql_expr *otherwise;     /* ELSE, NULL if absent */
        } case_;
        struct {
            floe_sql_expr *operand;
            floe_type type;
        } cast;
        struct {
            const char *name;       /* lower case */
            floe_sql_expr **args;
            size_t arg_count;
            int distinct;           /* f(DISTINCT x) */
            int star;               /* count(*): no arguments */
        } function;
    } u;
};

/* ---- queries ---- */

typedef enum floe_sql_table_ref_kind {
    FLOE_SQL_TABLE_NAMED,    /* ns.name */
    FLOE_SQL_TABLE_PATH,     /* '/path/to/table' (an Iceberg table directory) */
    FLOE_SQL_TABLE_FUNCTION, /* read_parquet('path', ...) */
    FLOE_SQL_TABLE_SUBQUERY, /* (SELECT ...) [AS] alias; the alias is optional */
    FLOE_SQL_TABLE_JOIN,
} floe_sql_table_ref_kind;

typedef enum floe_sql_join_kind {
    FLOE_SQL_JOIN_CROSS, /* a, b */
    FLOE_SQL_JOIN_INNER, /* [INNER] JOIN ... ON */
    FLOE_SQL_JOIN_LEFT,  /* LEFT [OUTER] JOIN ... ON */
} floe_sql_join_kind;

typedef struct floe_sql_table_ref floe_sql_table_ref;
struct floe_sql_table_ref {
    floe_sql_table_ref_kind kind;
    floe_sql_position position;
    const char *alias; /* NULL if none (JOIN never has one) */
    uint32_t depth;    /* joins nested below, bounded by FLOE_SQL_MAX_JOIN_DEPTH */
    union {
        floe_sql_name named;
        const char *path;
        struct {
            const char *name; /* lower case */
            floe_sql_expr **args;
            size_t arg_count;
        } function;
        floe_sql_query *subquery;
        struct {
            floe_sql_join_kind kind;
            floe_sql_table_ref *left, *right;
            floe_sql_expr *condition; /* NULL for CROSS */
        } join;
    } u;
};

typedef struct floe_sql_select_item {
    floe_sql_position position;
    floe_sql_expr *expr;        /* NULL for * and t.* */
    const char *alias;          /* AS alias, NULL if none */
    int star;                   /* * or t.* */
    const char *star_qualifier; /* t of t.*, NULL for a bare * */
} floe_sql_select_item;

/* One SELECT ... [FROM ...] [WHERE ...] [GROUP BY ...] [HAVING ...] body. */
typedef struct floe_sql_select {
    floe_sql_position position;
    int distinct;
    floe_sql_select_item *items;
    size_t item_count;
    floe_sql_table_ref *from;  /* NULL without FROM */
    floe_sql_expr *where;      /* NULL if absent */
    floe_sql_expr **group_by;  /* expressions; an integer literal is an ordinal */
    size_t group_by_count;
    floe_sql_expr *having;
} floe_sql_select;

typedef enum floe_sql_nulls_order {
    FLOE_SQL_NULLS_DEFAULT,
    FLOE_SQL_NULLS_FIRST,
    FLOE_SQL_NULLS_LAST,
} floe_sql_nulls_order;

typedef struct floe_sql_order_item {
    floe_sql_expr *expr; /* an integer literal is an ordinal */
    int descending;
    floe_sql_nulls_order nulls;
} floe_sql_order_item;

/* SELECT bodies joined by UNION ALL, then ORDER BY and LIMIT over the whole. */
struct floe_sql_query {
    floe_sql_position position;
    floe_sql_select **bodies; /* at least 1 */
    size_t body_count;
    floe_sql_order_item *order_by;
    size_t order_by_count;
    int has_limit;
    int64_t limit;  /* >= 0 */
    int has_offset;
    int64_t offset; /* >= 0 */
};

/* ---- statements ---- */

typedef enum floe_sql_statement_kind {
    FLOE_SQL_STATEMENT_SELECT,
    FLOE_SQL_STATEMENT_CREATE_DYNAMIC_TABLE,
    FLOE_SQL_STATEMENT_DROP_DYNAMIC_TABLE,
    FLOE_SQL_STATEMENT_ALTER_DYNAMIC_TABLE,
    FLOE_SQL_STATEMENT_SHOW_DYNAMIC_TABLES,
    FLOE_SQL_STATEMENT_CREATE_TABLE,
    FLOE_SQL_STATEMENT_DROP_TABLE,
    FLOE_SQL_STATEMENT_ALTER_TABLE_ADD_COLUMN,
    FLOE_SQL_STATEMENT_INSERT,
    FLOE_SQL_STATEMENT_DELETE,
    FLOE_SQL_STATEMENT_EXPLAIN_DYNAMIC_TABLE, /* EXPLAIN DYNAMIC TABLE name */
    FLOE_SQL_STATEMENT_EXPLAIN,               /* EXPLAIN CREATE DYNAMIC TABLE ... | EXPLAIN SELECT */
} floe_sql_statement_kind;

typedef enum floe_sql_target_lag_kind {
    FLOE_SQL_TARGET_LAG_UNSET,
    FLOE_SQL_TARGET_LAG_DURATION,
    FLOE_SQL_TARGET_LAG_DOWNSTREAM,
} floe_sql_target_lag_kind;

typedef enum floe_sql_refresh_mode {
    FLOE_SQL_REFRESH_MODE_UNSET,
    FLOE_SQL_REFRESH_MODE_AUTO,
    FLOE_SQL_REFRESH_MODE_FULL,
    FLOE_SQL_REFRESH_MODE_INCREMENTAL,
} floe_sql_refresh_mode;

typedef enum floe_sql_initialize {
    FLOE_SQL_INITIALIZE_UNSET,
    FLOE_SQL_INITIALIZE_ON_CREATE,
    FLOE_SQL_INITIALIZE_ON_SCHEDULE,
} floe_sql_initialize;

typedef enum floe_sql_alter_action {
    FLOE_SQL_ALTER_REFRESH,
    FLOE_SQL_ALTER_SUSPEND,
    FLOE_SQL_ALTER_RESUME,
} floe_sql_alter_action;

typedef struct floe_sql_column_def {
    floe_sql_position position;
    const char *name;
    floe_type type;
    int not_null;
} floe_sql_column_def;

typedef struct floe_sql_statement floe_sql_statement;
struct floe_sql_statement {
    floe_sql_statement_kind kind;
    floe_sql_position position;
    size_t source_offset; /* the statement's text in the script, without the ';' */
    size_t source_length;
    floe_sql_name table;  /* every kind that names a table */
    union {
        floe_sql_query *select; /* SELECT */
        struct {
            int or_replace;
            floe_sql_target_lag_kind target_lag;
            int64_t target_lag_seconds; /* DURATION: > 0 */
            floe_sql_refresh_mode refresh_mode;
            floe_sql_initialize initialize;
            floe_sql_query *query;
        } create_dynamic;
        struct {
            int if_exists;
        } drop; /* DROP DYNAMIC TABLE and DROP TABLE */
        floe_sql_alter_action alter;
        struct {
            int if_not_exists;
            floe_sql_column_def *columns;
            size_t column_count;
        } create_table;
        floe_sql_column_def add_column; /* ALTER TABLE name ADD [COLUMN] ... */
        struct {
            const char **columns; /* NULL/0 when no column list was given */
            size_t column_count;
            floe_sql_expr ***rows; /* VALUES: row_count rows of value_count expressions */
            size_t row_count;
            size_t value_count;
            floe_sql_query *query; /* INSERT ... SELECT; NULL with VALUES */
        } insert;
        struct {
            floe_sql_expr *where; /* NULL deletes every row */
        } delete_;
        floe_sql_statement *explained; /* EXPLAIN: a CREATE DYNAMIC TABLE or SELECT statement */
    } u;
};

/* Nesting limits that keep recursion over a tree (printer, binder) bounded. */
enum {
    FLOE_SQL_MAX_EXPRESSION_DEPTH = 1000,
    FLOE_SQL_MAX_JOIN_DEPTH = 256,
};

/* ---- constructors: zeroed nodes from the arena, NULL when out of memory ---- */

floe_sql_expr *floe_sql_expr_create(floe_arena *arena, floe_sql_expr_kind kind,
                                    floe_sql_position position);
floe_sql_table_ref *floe_sql_table_ref_create(floe_arena *arena, floe_sql_table_ref_kind kind,
                                              floe_sql_position position);
floe_sql_select *floe_sql_select_create(floe_arena *arena, floe_sql_position position);
floe_sql_query *floe_sql_query_create(floe_arena *arena, floe_sql_position position);
floe_sql_statement *floe_sql_statement_create(floe_arena *arena, floe_sql_statement_kind kind,
                                              floe_sql_position position);

/* Recomputes expr->depth from its children (call after setting them). */
void floe_sql_expr_update_depth(floe_sql_expr *expr);

/* ---- printer ---- */

/* Canonical text of a statement / query / expression, NUL-terminated in a buffer from
 * floe_malloc that the caller releases with floe_free; *length (may be NULL) gets its length.
 * Returns 0 or FLOE_ENOMEM. */
int floe_sql_format_statement(const floe_sql_statement *statement, char **text, size_t *length,
                              floe_error *err);
int floe_sql_format_query(const floe_sql_query *query, char **text, size_t *length,
                          floe_error *err);
int floe_sql_format_expr(const floe_sql_expr *expr, char **text, size_t *length, floe_error *err);

/* The canonical spelling of a TARGET_LAG of `seconds` in the largest whole unit ("1 minute",
 * "90 seconds", "2 hours"), written into buffer; returns buffer. */
const char *floe_sql_format_target_lag(int64_t seconds, char *buffer, size_t buffer_size);

#endif
