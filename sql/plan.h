/*
 * plan.h — Floe's logical plan: the binder's output (sql/binder.h), the planner's input and output
 * (push-down, below), the incrementalizer's and engine/'s input, and what EXPLAIN prints.
 *
 * A plan is a tree of floe_sql_plan nodes. Every node knows its output schema (names, types,
 * nullability); expressions in a node are bound expressions (sql/expression.h) whose COLUMN
 * indexes refer to the node's input: for a JOIN, the left input's columns followed by the right
 * input's. Nodes hold no execution state and no weights: the same plan describes a full run and
 * a delta run (DBSP: every operator here maps Z-set deltas — SCAN of changed files, FILTER,
 * PROJECT and UNION ALL linearly, AGGREGATE and JOIN through keyed state kept in engine/).
 *
 * Ownership: nodes, arrays, names and expressions live in a floe_arena owned by whoever built
 * the plan (the bound statement's arena). Plans are immutable once built: the planner builds new
 * nodes instead of editing (and may share unchanged subtrees).
 *
 * Nodes:
 *   SCAN       a table (stable identity from the catalog) reading `columns` (table column index and
 *              Iceberg field id each). `filters` are conjuncts pushed down into the scan, bound
 *              over the scan's output; the scan must apply them exactly. `checks` are the subset of
 *              the form `column op constant` (or IS [NOT] NULL), with the constant of the column's
 *              own type, so a reader can skip row groups, files or partitions by statistics.
 *   FILTER     keeps rows where `predicate` is TRUE; output = input.
 *   PROJECT    `expressions`, output named by the schema.
 *   AGGREGATE  output = group expressions, then aggregate calls. DISTINCT is an AGGREGATE with no
 *              calls; HAVING is a FILTER above. With no groups it yields exactly one row.
 *   JOIN       INNER or LEFT; `left_keys[i] = right_keys[i]` are the equi-join keys (each bound
 *              over its own input, cast to a common type), `residual` (NULL if none) is checked
 *              over the joined row. An INNER join without keys or residual is a cross product.
 *              For a LEFT join the right side's columns are nullable in the output.
 *   UNION_ALL  `input_count` inputs with identical output types.
 *   ORDER      sort keys (expression, descending, nulls first); output = input.
 *   LIMIT      `limit` rows (`has_limit`) after skipping `offset`.
 *   VALUES     `row_count` rows of constant (or constant-foldable) expressions with no input.
 *
 * Aggregate result types (following DuckDB 1.5 where Floe has a type for it, checked):
 *   COUNT(*), COUNT(x), COUNT(DISTINCT x) -> BIGINT NOT NULL
 *   SUM(INTEGER|BIGINT)  -> DECIMAL(38,0): DuckDB returns HUGEINT, which Floe lacks; DECIMAL(38,0)
 *                           is stored as int128 too, so sums overflow only past 38 digits (an
 *                           engine error, not a wrap), and Iceberg can store it.
 *   SUM(DECIMAL(p,s))    -> DECIMAL(38,s)      SUM(REAL|DOUBLE) -> DOUBLE
 *   AVG(numeric)         -> DOUBLE             MIN, MAX(x)      -> x's type
 */
#ifndef FLOE_SQL_PLAN_H
#define FLOE_SQL_PLAN_H

#include "kernels/arena.h"  /* floe_arena: owner of every node */
#include "kernels/status.h" /* floe_error */
#include "kernels/types.h"  /* floe_type */
#include "sql/expression.h" /* floe_sql_expression, floe_sql_value, floe_sql_operator */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct floe_sql_column {
    const char *name;
    floe_type type;
    bool nullable;
} floe_sql_column;

typedef struct floe_sql_schema {
    floe_sql_column *columns;
    uint32_t column_count;
} floe_sql_schema;

typedef enum floe_sql_plan_kind {
    FLOE_SQL_PLAN_SCAN = 1,
    FLOE_SQL_PLAN_FILTER,
    FLOE_SQL_PLAN_PROJECT,
    FLOE_SQL_PLAN_AGGREGATE,
    FLOE_SQL_PLAN_JOIN,
    FLOE_SQL_PLAN_UNION_ALL,
    FLOE_SQL_PLAN_ORDER,
    FLOE_SQL_PLAN_LIMIT,
    FLOE_SQL_PLAN_VALUES,
} floe_sql_plan_kind;

/* How a table was named in SQL. */
typedef enum floe_sql_table_kind {
    FLOE_SQL_TABLE_KIND_NAMED = 1, /* ns.name or name */
    FLOE_SQL_TABLE_KIND_PATH,      /* '/path/to/iceberg/table' */
    FLOE_SQL_TABLE_KIND_PARQUET,   /* read_parquet('file') */
} floe_sql_table_kind;

/* One column of a catalog table. */
typedef struct floe_sql_table_column {
    const char *name;
    floe_type type;
    bool nullable;
    int32_t field_id; /* Iceberg field id; -1 when the source has none (plain Parquet) */
} floe_sql_table_column;

/* A table as the catalog describes it. */
typedef struct floe_sql_table {
    floe_sql_table_kind kind;
    const char *identity;       /* stable identity: "ns.name", or the resolved path */
    const char *name;           /* how to show it (EXPLAIN, errors) */
    const floe_sql_table_column *columns;
    uint32_t column_count;
} floe_sql_table;

typedef struct floe_sql_scan_column {
    uint32_t table_column; /* index in the table's column list */
    int32_t field_id;
} floe_sql_scan_column;

typedef enum floe_sql_check_kind {
    FLOE_SQL_CHECK_COMPARE = 1, /* column `op` value (= <> < <= > >=) */
    FLOE_SQL_CHECK_IS_NULL,
    FLOE_SQL_CHECK_IS_NOT_NULL,
} floe_sql_check_kind;

/* A pushed-down conjunct a reader can test against min/max/null-count statistics. */
typedef struct floe_sql_scan_check {
    floe_sql_check_kind kind;
    uint32_t column;       /* index into the scan's output columns */
    floe_sql_operator op;  /* COMPARE only */
    floe_sql_value value;  /* COMPARE only: non-NULL, of the column's type */
} floe_sql_scan_check;

typedef enum floe_sql_aggregate_function {
    FLOE_SQL_AGGREGATE_COUNT_STAR = 1,
    FLOE_SQL_AGGREGATE_COUNT,
    FLOE_SQL_AGGREGATE_SUM,
    FLOE_SQL_AGGREGATE_AVG,
    FLOE_SQL_AGGREGATE_MIN,
    FLOE_SQL_AGGREGATE_MAX,
} floe_sql_aggregate_function;

typedef struct floe_sql_aggregate_call {
    floe_sql_aggregate_function function;
    bool distinct;                  /* COUNT(DISTINCT x) etc. */
    floe_sql_expression *argument;  /* over the AGGREGATE's input; NULL for COUNT(*) */
    floe_type type;                 /* result type (rules above) */
    bool nullable;                  /* false for COUNT */
} floe_sql_aggregate_call;

typedef enum floe_sql_plan_join_kind {
    FLOE_SQL_PLAN_JOIN_INNER = 1,
    FLOE_SQL_PLAN_JOIN_LEFT,
} floe_sql_plan_join_kind;

typedef struct floe_sql_sort_key {
    floe_sql_expression *expression;
    bool descending;
    bool nulls_first; /* resolved: DuckDB's default is NULLS LAST for both directions */
} floe_sql_sort_key;

typedef struct floe_sql_plan floe_sql_plan;
struct floe_sql_plan {
    floe_sql_plan_kind kind;
    floe_sql_schema output;
    floe_sql_plan **inputs; /* JOIN: [left, right]; UNION_ALL: n; SCAN, VALUES: none; else 1 */
    uint32_t input_count;
    union {
        struct {
            floe_sql_table table; /* copied into the plan's arena */
            const char *alias;    /* as written in FROM, NULL if none */
            floe_sql_scan_column *columns; /* output.column_count entries */
            floe_sql_expression **filters;
            uint32_t filter_count;
            floe_sql_scan_check *checks;
            uint32_t check_count;
        } scan;
        struct {
            floe_sql_expression *predicate;
        } filter;
        struct {
            floe_sql_expression **expressions; /* output.column_count */
        } project;
        struct {
            floe_sql_expression **groups;
            uint32_t group_count;
            floe_sql_aggregate_call *calls;
            uint32_t call_count;
        } aggregate;
        struct {
            floe_sql_plan_join_kind kind;
            floe_sql_expression **left_keys, **right_keys;
            uint32_t key_count;
            floe_sql_expression *residual;
        } join;
        struct {
            floe_sql_sort_key *keys;
            uint32_t key_count;
        } order;
        struct {
            bool has_limit;
            int64_t limit;
            int64_t offset;
        } limit;
        struct {
            floe_sql_expression ***rows; /* row_count rows of output.column_count */
            uint32_t row_count;
        } values;
    } u;
};

/* A zeroed node with room for `input_count` inputs and `column_count` output columns; NULL when
 * the arena is exhausted. */
floe_sql_plan *floe_sql_plan_create(floe_arena *arena, floe_sql_plan_kind kind,
                                    uint32_t input_count, uint32_t column_count);

/* Conjuncts of a predicate (AND trees flattened) appended to *items (arena array grown by
 * doubling); FLOE_ENOMEM when exhausted. */
int floe_sql_expression_conjuncts(floe_arena *arena, floe_sql_expression *predicate,
                                  floe_sql_expression ***items, uint32_t *count,
                                  uint32_t *capacity);

/* Structural equality of two bound expressions (same kinds, types, operators, columns,
 * constants, children). */
bool floe_sql_expression_equal(const floe_sql_expression *left, const floe_sql_expression *right);

/* Text of an expression, column i shown as "name#i" from `input` (may be NULL: "#i"), appended
 * to a floe_malloc'd buffer the caller frees; FLOE_ENOMEM. */
int floe_sql_expression_format(const floe_sql_expression *expression, const floe_sql_schema *input,
                               char **text, size_t *length, floe_error *err);

/* The plan as an indented tree, one node per line, two spaces per level:
 *   AGGREGATE groups: [region#0] calls: [sum(amount#1)] -> (region VARCHAR, total DECIMAL(38,2))
 *     SCAN bronze.orders columns: [region, amount] -> (...)
 * NUL-terminated in a floe_malloc'd buffer the caller frees; FLOE_ENOMEM. */
int floe_sql_plan_format(const floe_sql_plan *plan, char **text, size_t *length, floe_error *err);

/* The planner (sql/planner.c): returns an equivalent plan built in `arena` with
 *   - FILTER conjuncts pushed through PROJECT (by substitution), AGGREGATE (conjuncts over group
 *     keys only), ORDER, UNION ALL (into every input) and JOIN into SCAN filters; for a LEFT
 *     join only conjuncts over the left side go below it, and ON conjuncts over the right side
 *     alone filter the right input; everything else stays where it is;
 *   - equalities between the two sides (from ON and from WHERE) turned into join keys, so comma
 *     joins with WHERE equalities become keyed INNER joins;
 *   - SCANs reading only the columns used above them, unused PROJECT columns and aggregate
 *     calls removed;
 *   - cheap constant folding: TRUE conjuncts dropped, NOT/AND/OR over boolean constants,
 *     comparisons and arithmetic-free casts of constants left to the engine.
 * The input plan is not modified. FLOE_ENOMEM when the arena is exhausted. */
int floe_sql_plan_optimize(floe_arena *arena, floe_sql_plan *plan, floe_sql_plan **optimized,
                           floe_error *err);

#endif
