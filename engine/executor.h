/*
 * executor.h — compiles a logical plan (sql/plan.h) into a tree of vectorized operators
 * (engine/operator.h) and runs it.
 *
 * floe_eng_plan_compile builds one operator per plan node, bottom up. When the context allows
 * more than one thread, an AGGREGATE whose input subtree holds only SCAN, FILTER, PROJECT,
 * UNION ALL and JOINs is compiled as `thread_count` copies of that subtree, copy i scanning files
 * i, i+n, ... (a file is the unit of parallel work; for read_parquet's one file, a row group),
 * aggregated on their own threads and merged (floe_eng_aggregate_create_parallel). A JOIN is
 * split by its left (probe) input and every copy builds the whole right side: the build runs in
 * parallel, its memory is taken once per thread, and its rows and files are read (and counted in
 * the context's counters) once per thread. Everything else runs on the calling thread.
 * Scans pin their table's snapshot in the context when created (engine/operator.h), so after
 * compiling, context->sources lists every table the query reads and the snapshot it reads.
 *
 * Ownership: *root is the caller's (floe_eng_operator_destroy); the plan and the context must
 * outlive it. Errors: those of the constructors (FLOE_ENOTFOUND for a table gone since binding,
 * FLOE_EUNSUPPORTED, FLOE_ENOMEM), with *root NULL.
 */
#ifndef FLOE_ENGINE_EXECUTOR_H
#define FLOE_ENGINE_EXECUTOR_H

#include "engine/operator.h"

int floe_eng_plan_compile(const floe_sql_plan *plan, floe_eng_context *context,
                          floe_eng_operator **root, floe_error *err);

#endif
