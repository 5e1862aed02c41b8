/*
 * parser.h — SQL text to syntax trees (sql/ast.h), for Floe's dialect (DESIGN.md "SQL").
 *
 * A script is statements separated by ';' (a trailing ';' and empty statements are allowed).
 * floe_sql_parse_script returns them all in one floe_sql_script, which owns an arena holding every
 * node, array and string of every tree; floe_sql_script_free releases it all (NULL is allowed).
 * The text is not referenced after parsing returns (names and literals are copied).
 *
 * Errors (one line, with the 1-based line and column of the offending token in the text):
 *   FLOE_ESYNTAX       "line 1, column 8: expected an expression but found FROM", lexer errors
 *                      ("unterminated string literal"), bad option values, nesting deeper than
 *                      FLOE_SQL_MAX_PARSE_DEPTH ("expression nested too deeply")
 *   FLOE_EUNSUPPORTED  valid SQL outside the dialect, at its position: "UNION without ALL is
 *                      not supported (use UNION ALL)", INTERSECT, EXCEPT, RIGHT / FULL / CROSS
 *                      JOIN, scalar and IN / EXISTS subqueries, INTERVAL literals
 *   FLOE_ENOMEM        out of memory (nothing is leaked)
 * On error *script is NULL.
 *
 * Decisions where DESIGN.md is silent:
 *   - Reserved words (lexer.h's table, flag 1) cannot be unquoted names; every other keyword can
 *     (`day`, `year`, `date`, `status`, `first`, `replace` ... work as columns and aliases).
 *   - A subquery in FROM may omit its alias (the binder names it).
 *   - Plain UNION is rejected rather than parsed as a distinct union: a distinct union is not what
 *     people usually mean on a lake, and UNION ALL plus DISTINCT says it explicitly.
 *   - ORDER BY and LIMIT apply to the whole UNION ALL; LIMIT and OFFSET take integer literals.
 *   - TARGET_LAG accepts '<n> second(s)|minute(s)|hour(s)|day(s)' (case-insensitive, n >= 1) and
 *     is stored in seconds; each CREATE DYNAMIC TABLE option may appear once, in any order.
 *   - REAL and FLOAT are FLOAT32; DOUBLE [PRECISION] is FLOAT64; DECIMAL/NUMERIC without
 *     arguments is DECIMAL(38,0), DECIMAL(p) is DECIMAL(p,0); VARCHAR(n) ignores n.
 *   - An integer literal too large for int64 becomes a DECIMAL literal.
 */
#ifndef FLOE_SQL_PARSER_H
#define FLOE_SQL_PARSER_H

#include "kernels/arena.h"
#include "kernels/status.h"
#include "sql/ast.h"

#include <stddef.h>

/* Recursion through parentheses, NOT / minus chains, function arguments and subqueries. */
enum { FLOE_SQL_MAX_PARSE_DEPTH = 256 };

typedef struct floe_sql_script {
    floe_arena arena;                 /* owns every tree below */
    floe_sql_statement **statements;
    size_t statement_count;
} floe_sql_script;

int floe_sql_parse_script(const char *text, size_t length, floe_sql_script **script,
                          floe_error *err);

/* Like floe_sql_parse_script, but the text must hold exactly one statement (FLOE_ESYNTAX
 * "expected a statement" for none, "expected end of input" for a second one). */
int floe_sql_parse_statement(const char *text, size_t length, floe_sql_script **script,
                             floe_error *err);

void floe_sql_script_free(floe_sql_script *script);

#endif
