/*
 * binder_int.h — the binder's private state, shared by sql/binder.c (statements, FROM, SELECT
 * bodies) and sql/bind_expression.c (expressions, literals, aggregates). Not a public API.
 *
 * A scope is the list of columns visible to an expression: each with the qualifier it can be
 * named by (table alias or name, NULL for an unaliased subquery), its name, type and
 * nullability; a column's index in the scope is its index in the input plan's output.
 */
#ifndef FLOE_SQL_BINDER_INT_H
#define FLOE_SQL_BINDER_INT_H

#include "sql/binder.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct bind_scope_column {
    const char *qualifier;
    const char *name;
    floe_type type;
    bool nullable;
} bind_scope_column;

typedef struct bind_scope {
    bind_scope_column *columns;
    uint32_t column_count;
    const char **qualifiers; /* the names tables can be referred to by */
    uint32_t qualifier_count;
} bind_scope;

typedef struct floe_sql_binder {
    const floe_sql_catalog *catalog;
    floe_arena *arena;
    floe_error *err;
    const char **sources; /* distinct table identities read */
    uint32_t source_count, source_capacity;
    bool read_parquet_used;
} floe_sql_binder;

/* What an expression is being bound for. */
typedef struct bind_context {
    floe_sql_binder *binder;
    const bind_scope *scope;
    const char *clause;         /* where aggregates are refused ("WHERE"), NULL when allowed */
    const floe_sql_select *select; /* select-list aliases usable as a fallback, or NULL */
    unsigned alias_depth;       /* guards alias-to-alias recursion */
    bool aggregated;            /* binding over the result of GROUP BY / aggregates */
    bool in_aggregate;          /* inside an aggregate call's argument */
    floe_sql_expression **groups; /* aggregated: the bound GROUP BY expressions */
    uint32_t group_count;
    floe_sql_aggregate_call *calls; /* aggregated: calls collected so far */
    uint32_t call_count, call_capacity;
} bind_context;

/* Sets err to "line L, column C: <message>" with `code`; returns code. */
int floe_sql_bind_error(floe_sql_binder *binder, floe_sql_position position, int code,
                        const char *format, ...) __attribute__((format(printf, 4, 5)));

/* Binds an AST expression in a context (sql/bind_expression.c). */
int floe_sql_bind_expression(bind_context *context, const floe_sql_expr *ast,
                             floe_sql_expression **bound);

/* Binds a predicate and checks that it is BOOLEAN (or a NULL literal). */
int floe_sql_bind_predicate(bind_context *context, const floe_sql_expr *ast, const char *clause,
                            floe_sql_expression **bound);

/* `expression` as `type`: itself when equal, a folded constant when cheap, else a CAST node.
 * `ast` (may be NULL) lets string and NULL literals convert at bind time; FLOE_ETYPE when the
 * cast does not exist (with `what` naming the context, e.g. "column id"). */
int floe_sql_bind_cast(floe_sql_binder *binder, floe_sql_expression *expression,
                       const floe_sql_expr *ast, floe_type type, const char *what,
                       floe_sql_expression **cast);

/* Whether an AST node (may be NULL) is a literal of `kind`: string and NULL literals adopt the
 * type of what they meet. */
bool floe_sql_bind_is_literal_of(const floe_sql_expr *ast, floe_sql_expr_kind kind);

/* Whether the AST has an aggregate call outside any subquery. */
bool floe_sql_ast_has_aggregate(const floe_sql_expr *ast);
bool floe_sql_is_aggregate_name(const char *name);

/* The name a select item's output column gets without an alias; arena-owned. */
int floe_sql_bind_output_name(floe_sql_binder *binder, const floe_sql_expr *ast, const char **name);

#endif
