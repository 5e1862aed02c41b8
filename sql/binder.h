/*
 * binder.h — names and types: parser AST (sql/ast.h) to a logical plan (sql/plan.h) against a
 * catalog of table schemas.
 *
 * The binder learns schemas only through floe_sql_catalog, a struct of callbacks, so tests give it
 * in-memory tables and the engine plugs in the Iceberg catalog. sql/ stays pure: no I/O here.
 *
 * floe_sql_bind_statement fills a floe_sql_bound_statement whose plans, expressions and copied
 * names live in the caller's arena (the AST is referenced, not copied: keep the script alive as
 * long as the bound statement). The plan is the direct translation of the query (SCANs read every
 * column, WHERE is a FILTER above the FROM tree); floe_sql_plan_optimize (plan.h) pushes
 * predicates and projections down. floe_sql_plan_statement does both.
 *
 * Errors: one line "line L, column C: ..." at the offending node:
 *   FLOE_ENOTFOUND     unknown table, column (with "did you mean" when a name is close) or function
 *   FLOE_ETYPE         "cannot compare VARCHAR and INTEGER", bad operand or argument types, wrong
 *                      argument count, a string literal that does not convert, bad DATE/TIMESTAMP
 *   FLOE_ESYNTAX       ambiguous column, aggregate in WHERE / GROUP BY / JOIN ON, nested
 *                      aggregates, "column x must appear in the GROUP BY clause or be used in an
 *                      aggregate function", ordinal out of range, bad dynamic table options,
 *                      INSERT column count mismatch, duplicate table alias
 *   FLOE_EUNSUPPORTED  a catalog without the needed callback (paths, read_parquet), nested types
 *   FLOE_ENOMEM        the arena is exhausted (or a catalog callback's own failure code)
 *
 * Decisions (DuckDB 1.5 checked with tests/interop's @duckdb/node-api where noted):
 *   - Literals: integers are INTEGER if they fit, else BIGINT, else DECIMAL(p,0) up to 38 digits
 *     (DuckDB: HUGEINT); 1.50 is DECIMAL(3,2) (DuckDB: same); 1e3 is DOUBLE. -2147483648 is
 *     INTEGER (negation folds into the literal). NULL adopts the type of what it meets.
 *   - Implicit casts are those of sql/expression_types.h, plus: a string LITERAL compared with (or
 *     IN, BETWEEN, CASE/COALESCE with) a non-string value is converted to that value's type at
 *     bind time (DuckDB does: `ts >= '2024-01-01'`, `id = '5'`), with FLOE_ETYPE if it does not
 *     convert. A VARCHAR column against a number is FLOE_ETYPE "cannot compare VARCHAR and
 *     INTEGER": DuckDB 1.5 casts the string at run time there (checked: `region = 1` binds), which
 *     fails per row on bad data; Floe, like PostgreSQL, asks for an explicit CAST. UNION ALL of
 *     BIGINT and VARCHAR is likewise FLOE_ETYPE (DuckDB: VARCHAR).
 *   - Names: FROM columns win over select-list aliases in WHERE and GROUP BY (DuckDB: `region AS
 *     id ... GROUP BY id` groups by orders.id, checked); an unknown name in WHERE, GROUP BY or
 *     HAVING falls back to a select alias whose expression has no aggregate (DuckDB allows alias
 *     use in WHERE, checked). ORDER BY a bare name or ordinal means the output column; other
 *     ORDER BY expressions bind like the select list, with aliases usable inside (`ORDER BY r + 1`,
 *     checked). A table given an alias is known only by it (DuckDB: "Referenced table not found").
 *   - GROUP BY n and ORDER BY n are 1-based select-list ordinals ("GROUP BY term out of range").
 *   - With DISTINCT, ORDER BY may only use selected expressions (PostgreSQL's rule; DuckDB is laxer).
 *   - Output names: the alias, else the column name, else the expression's canonical SQL text
 *     (DuckDB writes count_star(); Floe writes count(*)).
 *   - ORDER BY default is ASC NULLS LAST for both directions (DuckDB's default).
 *   - INSERT plans produce one column per target column, in table order, cast to its type (NULL for
 *     unlisted ones); DELETE binds its predicate over the table's columns.
 *   - CREATE DYNAMIC TABLE: the query is bound and `sources` lists each distinct table identity it
 *     reads (first-use order). Validated: no ORDER BY / LIMIT / OFFSET and no read_parquet (DESIGN.md
 *     keeps those to ad-hoc queries), the table does not read itself, output column names are
 *     distinct and none starts with `_floe_` (reserved for lineage columns). The option values
 *     themselves were checked by the parser.
 */
#ifndef FLOE_SQL_BINDER_H
#define FLOE_SQL_BINDER_H

#include "kernels/arena.h"
#include "kernels/status.h"
#include "sql/ast.h"
#include "sql/plan.h"

#include <stdbool.h>
#include <stdint.h>

/* Table lookup. Each callback fills *table (its strings and column array may come from `arena`
 * or outlive the binding; the binder copies what it keeps) and returns 0, FLOE_ENOTFOUND when
 * there is no such table (the binder writes the message), or another status with err set.
 * A NULL callback makes that form of table reference FLOE_EUNSUPPORTED. */
typedef struct floe_sql_catalog {
    void *context;
    int (*resolve_name)(void *context, const char *namespace_name /* NULL if unqualified */,
                        const char *name, floe_arena *arena, floe_sql_table *table,
                        floe_error *err);
    int (*resolve_path)(void *context, const char *path, floe_arena *arena, floe_sql_table *table,
                        floe_error *err);
    int (*resolve_parquet)(void *context, const char *path, floe_arena *arena,
                           floe_sql_table *table, floe_error *err);
    /* The namespace of an unqualified name in a statement's target (CREATE [DYNAMIC] TABLE t):
     * its identity becomes "<default_namespace>.t", as resolve_name qualifies the tables it
     * finds, so "t" and "default.t" are one table. NULL: the name is kept as written. */
    const char *default_namespace;
} floe_sql_catalog;

typedef struct floe_sql_bound_statement floe_sql_bound_statement;
struct floe_sql_bound_statement {
    floe_sql_statement_kind kind;
    const floe_sql_statement *statement; /* the AST: every descriptor field of pass-through kinds */
    floe_sql_plan *plan;   /* SELECT, EXPLAIN SELECT, CREATE DYNAMIC TABLE: the query;
                              INSERT: the rows to append (target table's schema); else NULL */
    floe_sql_table target; /* INSERT, DELETE: the resolved table; CREATE TABLE: the new schema
                              (field ids 1..n); CREATE DYNAMIC TABLE: the query's schema */
    floe_sql_expression *delete_predicate; /* DELETE: over target's columns; NULL = every row */
    const char **sources;  /* CREATE DYNAMIC TABLE: identities of the tables read */
    uint32_t source_count;
    floe_sql_bound_statement *explained; /* EXPLAIN: the bound inner statement */
};

/* Binds one statement. On error, *bound is left partially filled and must not be used; arena
 * memory taken so far is released with the arena. */
int floe_sql_bind_statement(const floe_sql_catalog *catalog, const floe_sql_statement *statement,
                            floe_arena *arena, floe_sql_bound_statement *bound, floe_error *err);

/* floe_sql_bind_statement, then floe_sql_plan_optimize on every plan it holds. */
int floe_sql_plan_statement(const floe_sql_catalog *catalog, const floe_sql_statement *statement,
                            floe_arena *arena, floe_sql_bound_statement *bound, floe_error *err);

#endif
