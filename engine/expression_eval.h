/*
 * expression_eval.h — vectorized evaluation of bound expressions (sql/expression.h) over column
 * batches (kernels/vector.h).
 *
 * floe_eng_expression_state_create compiles an expression tree into per-node state: one scratch
 * vector of FLOE_BATCH_CAPACITY rows per inner node, allocated once, so evaluating a batch never
 * allocates (string results grow their vector's heap the first batches, then reuse it). One state
 * per thread; the tree is shared read-only. Constant subtrees are folded once at creation (x + 1
 * evaluates 1 once; lower('ABC') once); a constant subtree whose folding fails (1/0) is left to
 * fail when a batch is evaluated, so errors are reported at the same point either way.
 *
 * floe_eng_evaluate computes the expression for the batch's live rows (selection honoured) into
 * `result`, a vector of the expression's type that the caller owns (initialised with
 * floe_vector_init for at least FLOE_BATCH_CAPACITY rows). Rows the selection leaves out hold
 * garbage (values and validity bits) in `result`. The result is reset first: FLAT, its own heap.
 *
 * floe_eng_evaluate_predicate keeps the live rows where a BOOLEAN expression is TRUE (neither
 * FALSE nor NULL) and writes them, ascending, to selection_out (room for FLOE_BATCH_CAPACITY
 * entries; it may be the batch's own selection storage). AND is evaluated as a chain of
 * refinements, so its right side only sees rows the left side kept, and a column-vs-constant
 * comparison runs the SIMD filters of kernels/filter.h.
 *
 * Semantics: DuckDB 1.5's (verified by tests/interop/expressions.test.mjs), with these
 * deliberate departures and limits:
 *   - integer overflow in + - * negate abs, and decimal results beyond their precision:
 *     FLOE_ERANGE "integer overflow in +" / "decimal overflow in *" (DuckDB errors too);
 *   - division and modulo by zero, for every numeric type including DOUBLE: FLOE_ERANGE
 *     "division by zero" (DuckDB returns NULL or Infinity; we follow PostgreSQL and the standard);
 *   - a DIVIDE node of integer type truncates (DuckDB's //); the binder turns SQL / over
 *     integers into DOUBLE division (sql/expression_types.h);
 *   - lower/upper map ASCII letters only and pass every other byte through (DuckDB maps Unicode);
 *     trim removes ASCII spaces only;
 *   - LIKE has no ESCAPE; % and _ match code points;
 *   - CASE evaluates a THEN branch only on the rows its WHEN selected and COALESCE evaluates an
 *     argument only on rows still NULL, so CASE WHEN x <> 0 THEN 1 / x END does not fail;
 *   - floats compare in SQL's total order (DuckDB, PostgreSQL): NaN = NaN is TRUE and NaN is
 *     greater than every other value, +inf included; -0.0 = 0.0 — the order ORDER BY, GROUP BY
 *     and joins use too;
 *   - TIMESTAMPTZ is handled as UTC microseconds (no session time zone);
 *   - EXTRACT(week ...) (ISO week) is not implemented yet: FLOE_EUNSUPPORTED at creation.
 * Failed casts name the value: "could not convert 'abc' to INTEGER" (FLOE_ERANGE).
 *
 * Errors: FLOE_ENOMEM (creation, string heaps), FLOE_ERANGE (overflow, division by zero, cast
 * failures), FLOE_ETYPE / FLOE_EUNSUPPORTED (a node this evaluator does not handle, at creation),
 * FLOE_EINVAL (a column index outside the batch).
 */
#ifndef FLOE_ENGINE_EXPRESSION_EVAL_H
#define FLOE_ENGINE_EXPRESSION_EVAL_H

#include "kernels/status.h" /* floe_error */
#include "kernels/vector.h" /* floe_vector, floe_batch */
#include "sql/expression.h" /* floe_sql_expression */

#include <stdint.h>

typedef struct floe_eng_expression_state floe_eng_expression_state;

/* Compiles `expression` (which must outlive the state). *state is NULL on failure. */
int floe_eng_expression_state_create(const floe_sql_expression *expression,
                                     floe_eng_expression_state **state, floe_error *err);
void floe_eng_expression_state_free(floe_eng_expression_state *state);

int floe_eng_evaluate(floe_eng_expression_state *state, const floe_batch *batch,
                      floe_vector *result, floe_error *err);

int floe_eng_evaluate_predicate(floe_eng_expression_state *state, const floe_batch *batch,
                                uint16_t *selection_out, uint32_t *count_out, floe_error *err);

#endif
