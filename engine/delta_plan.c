/*
 * delta_plan.c — the change of a plan subtree (contract in engine/delta_plan.h).
 *
 * A subtree of SCAN, FILTER, PROJECT and UNION ALL is linear in its sources: its delta is the
 * subtree itself with every source pinned as a delta, so it compiles through the ordinary
 * executor.
 */
#include "engine/delta_plan.h"

#include "engine/executor.h"

#include <string.h>

bool floe_eng_delta_supported(const floe_sql_plan *plan, const char **construct)
{
    switch (plan->kind) {
    case FLOE_SQL_PLAN_SCAN:
    case FLOE_SQL_PLAN_FILTER:
    case FLOE_SQL_PLAN_PROJECT:
    case FLOE_SQL_PLAN_UNION_ALL: break;
    case FLOE_SQL_PLAN_JOIN: *construct = "joins"; return false;
    case FLOE_SQL_PLAN_AGGREGATE: *construct = "aggregates under other operators"; return false;
    case FLOE_SQL_PLAN_VALUES: *construct = "constant rows (VALUES)"; return false;
    case FLOE_SQL_PLAN_ORDER:
    case FLOE_SQL_PLAN_LIMIT: *construct = "ORDER BY / LIMIT in a subquery"; return false;
    default: *construct = "this plan node"; return false;
    }
    for (uint32_t i = 0; i < plan->input_count; i++)
        if (!floe_eng_delta_supported(plan->inputs[i], construct)) return false;
    return true;
}

/* FLOE_EINVAL when a scan under `plan` reads a source not in `sources`. */
static int check_sources(const floe_sql_plan *plan, const floe_eng_delta_source *sources,
                         uint32_t source_count, floe_error *err)
{
    if (plan->kind == FLOE_SQL_PLAN_SCAN) {
        const char *identity = plan->u.scan.table.identity;
        bool listed = false;
        for (uint32_t i = 0; i < source_count && !listed; i++)
            listed = strcmp(sources[i].identity, identity) == 0;
        FLOE_RETURN_IF(!listed, FLOE_EINVAL, err,
                       "delta plan: source %s has no versions to compare", identity);
    }
    for (uint32_t i = 0; i < plan->input_count; i++)
        FLOE_TRY(check_sources(plan->inputs[i], sources, source_count, err));
    return FLOE_OK;
}

int floe_eng_delta_compile(const floe_sql_plan *plan, const floe_eng_delta_source *sources,
                           uint32_t source_count, floe_eng_context *context,
                           floe_eng_operator **out, floe_error *err)
{
    *out = NULL;
    const char *construct = NULL;
    FLOE_RETURN_IF(!floe_eng_delta_supported(plan, &construct), FLOE_EUNSUPPORTED, err,
                   "incremental maintenance of %s is not built yet", construct);
    FLOE_TRY(check_sources(plan, sources, source_count, err));
    for (uint32_t i = 0; i < source_count; i++)
        FLOE_TRY(floe_eng_context_pin_delta(context, sources[i].identity,
                                            sources[i].from_snapshot_id,
                                            sources[i].to_snapshot_id, err));
    return floe_eng_plan_compile(plan, context, out, err);
}
