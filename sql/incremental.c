/* incremental.c — delta rules per plan node (sql/incremental.h). */
#include "sql/incremental.h"

#include "kernels/memory.h"

#include <stdio.h>
#include <string.h>

const char *floe_sql_delta_rule_name(floe_sql_delta_rule rule)
{
    switch (rule) {
    case FLOE_SQL_DELTA_NONE: return "not maintainable";
    case FLOE_SQL_DELTA_SOURCE: return "source";
    case FLOE_SQL_DELTA_CONSTANT: return "constant";
    case FLOE_SQL_DELTA_LINEAR: return "linear";
    case FLOE_SQL_DELTA_AGGREGATE: return "aggregate";
    case FLOE_SQL_DELTA_JOIN: return "join";
    }
    return "?";
}

static uint32_t count_nodes(const floe_sql_plan *plan)
{
    uint32_t count = 1;
    for (uint32_t i = 0; i < plan->input_count; i++)
        count += count_nodes(plan->inputs[i]);
    return count;
}

static const char *aggregate_state(const floe_sql_plan *plan)
{
    if (plan->u.aggregate.call_count == 0)
        return "count per distinct row";
    bool has_extreme = false, has_distinct = false;
    for (uint32_t i = 0; i < plan->u.aggregate.call_count; i++) {
        const floe_sql_aggregate_call *call = &plan->u.aggregate.calls[i];
        has_extreme |= call->function == FLOE_SQL_AGGREGATE_MIN ||
                       call->function == FLOE_SQL_AGGREGATE_MAX;
        has_distinct |= call->distinct;
    }
    if (has_extreme && has_distinct)
        return "per group: row count, accumulators, value multisets for MIN/MAX, "
               "counts per (group, value) for DISTINCT";
    if (has_extreme)
        return "per group: row count, accumulators, value multisets for MIN/MAX";
    if (has_distinct)
        return "per group: row count, accumulators, counts per (group, value) for DISTINCT";
    return "per group: row count and accumulators";
}

typedef struct walker {
    floe_sql_incremental_analysis *analysis;
} walker;

static void walk(walker *w, const floe_sql_plan *plan, uint32_t depth)
{
    floe_sql_incremental_analysis *analysis = w->analysis;
    floe_sql_delta_node *node = &analysis->nodes[analysis->node_count++];
    node->plan = plan;
    node->depth = depth;
    node->state = "";
    const char *blocked = NULL;
    switch (plan->kind) {
    case FLOE_SQL_PLAN_SCAN:
        node->rule = FLOE_SQL_DELTA_SOURCE;
        break;
    case FLOE_SQL_PLAN_VALUES:
        node->rule = FLOE_SQL_DELTA_CONSTANT;
        break;
    case FLOE_SQL_PLAN_FILTER:
    case FLOE_SQL_PLAN_PROJECT:
    case FLOE_SQL_PLAN_UNION_ALL:
        node->rule = FLOE_SQL_DELTA_LINEAR;
        break;
    case FLOE_SQL_PLAN_AGGREGATE:
        node->rule = FLOE_SQL_DELTA_AGGREGATE;
        node->state = aggregate_state(plan);
        break;
    case FLOE_SQL_PLAN_JOIN:
        if (plan->u.join.key_count == 0) {
            blocked = "a join without an equality condition (cross product)";
            break;
        }
        node->rule = FLOE_SQL_DELTA_JOIN;
        node->state = plan->u.join.kind == FLOE_SQL_PLAN_JOIN_LEFT
                          ? "no state: dL with new R, and on a right change old L with new R "
                            "minus old L with old R (right matches per left key re-derived)"
                          : "no state: dL with new R plus old L with dR (the other side re-read "
                            "from its snapshot)";
        break;
    case FLOE_SQL_PLAN_ORDER:
        blocked = "ORDER BY inside the query";
        break;
    case FLOE_SQL_PLAN_LIMIT:
        blocked = "LIMIT / OFFSET inside the query";
        break;
    }
    if (blocked != NULL) {
        node->rule = FLOE_SQL_DELTA_NONE;
        /* The first construct met in pre-order is the one reported: the outermost. */
        if (analysis->maintainable) {
            analysis->maintainable = false;
            analysis->reason = blocked;
            analysis->blocking_node = plan;
        }
    }
    for (uint32_t i = 0; i < plan->input_count; i++)
        walk(w, plan->inputs[i], depth + 1);
}

static bool root_is_aggregate(const floe_sql_plan *plan)
{
    while (plan->kind == FLOE_SQL_PLAN_PROJECT || plan->kind == FLOE_SQL_PLAN_FILTER)
        plan = plan->inputs[0];
    return plan->kind == FLOE_SQL_PLAN_AGGREGATE;
}

int floe_sql_incremental_analyze(floe_arena *arena, const floe_sql_plan *plan,
                                 floe_sql_incremental_analysis *analysis, floe_error *err)
{
    memset(analysis, 0, sizeof *analysis);
    uint32_t count = count_nodes(plan);
    analysis->nodes = floe_arena_alloc(arena, (size_t)count * sizeof *analysis->nodes);
    if (analysis->nodes == NULL)
        return floe_error_set(err, FLOE_ENOMEM, "out of memory analysing the plan");
    analysis->maintainable = true;
    walker w = {analysis};
    walk(&w, plan, 0);
    analysis->aggregating = root_is_aggregate(plan);
    return FLOE_OK;
}

static const char *rule_text(const floe_sql_delta_node *node)
{
    switch (node->rule) {
    case FLOE_SQL_DELTA_SOURCE:
        return "source: +rows of added files, -rows of removed files and position deletes";
    case FLOE_SQL_DELTA_CONSTANT:
        return "constant: no delta";
    case FLOE_SQL_DELTA_LINEAR:
        return "linear: delta in, delta out";
    case FLOE_SQL_DELTA_AGGREGATE:
    case FLOE_SQL_DELTA_JOIN:
        return node->state;
    case FLOE_SQL_DELTA_NONE:
        return "not maintainable";
    }
    return "?";
}

int floe_sql_incremental_format(const floe_sql_incremental_analysis *analysis, char **text,
                                size_t *length, floe_error *err)
{
    *text = NULL;
    if (analysis->node_count == 0)
        return floe_error_set(err, FLOE_EINVAL, "empty analysis");
    char *plan_text = NULL;
    size_t plan_length = 0;
    FLOE_TRY(floe_sql_plan_format(analysis->nodes[0].plan, &plan_text, &plan_length, err));

    size_t capacity = plan_length + 256;
    for (uint32_t i = 0; i < analysis->node_count; i++)
        capacity += strlen(rule_text(&analysis->nodes[i])) + 32;
    if (analysis->reason != NULL)
        capacity += strlen(analysis->reason);
    char *out = floe_malloc(capacity);
    if (out == NULL) {
        floe_free(plan_text);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory formatting the delta plan");
    }
    /* floe_sql_plan_format prints one line per node in the same pre-order as the analysis:
     * the rule goes after each line's indentation and node kind. */
    size_t used = 0;
    const char *line = plan_text;
    for (uint32_t i = 0; i < analysis->node_count && *line != '\0'; i++) {
        const char *end = strchr(line, '\n');
        size_t line_length = end != NULL ? (size_t)(end - line) : strlen(line);
        size_t kind_end = 0;
        while (kind_end < line_length && line[kind_end] == ' ')
            kind_end++;
        size_t word_start = kind_end;
        while (kind_end < line_length && line[kind_end] != ' ')
            kind_end++;
        /* Joins print as "INNER JOIN" / "LEFT JOIN": the rule goes after both words. */
        if (analysis->nodes[i].plan->kind == FLOE_SQL_PLAN_JOIN && kind_end < line_length &&
            line[word_start] != 'J') {
            kind_end++;
            while (kind_end < line_length && line[kind_end] != ' ')
                kind_end++;
        }
        memcpy(out + used, line, kind_end);
        used += kind_end;
        used += (size_t)snprintf(out + used, capacity - used, " [%s]",
                                 rule_text(&analysis->nodes[i]));
        memcpy(out + used, line + kind_end, line_length - kind_end);
        used += line_length - kind_end;
        out[used++] = '\n';
        line = end != NULL ? end + 1 : line + line_length;
    }
    if (analysis->maintainable)
        used += (size_t)snprintf(out + used, capacity - used, "incremental: yes (%s output)\n",
                                 analysis->aggregating ? "keyed, bucketed" : "appended");
    else
        used += (size_t)snprintf(out + used, capacity - used, "incremental: no (%s)\n",
                                 analysis->reason);
    floe_free(plan_text);
    *text = out;
    if (length != NULL)
        *length = used;
    return FLOE_OK;
}
