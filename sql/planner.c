/*
 * planner.c — rewrites a bound logical plan into the one the engine runs (contract at
 * floe_sql_plan_optimize in plan.h): predicate push-down, join key extraction, projection
 * push-down, cheap constant folding.
 *
 * Two passes over an immutable tree, each building new nodes from the arena:
 *   1. push: carries a list of conjuncts down from the FILTERs that produced them, rewriting
 *      their column references at every node (substituting PROJECT and GROUP BY expressions,
 *      shifting right-side indexes of a JOIN), and drops what cannot go further into a FILTER
 *      at that point. Every bound expression is deterministic (Floe has no random() or now()),
 *      so substitution never changes results.
 *   2. prune: carries the set of columns needed from above and returns each node's mapping
 *      from old to new output positions; SCANs keep only needed columns.
 * Outer-join rule: a conjunct above a LEFT join goes below it only when it uses left columns
 * alone; an ON conjunct over the right side alone filters the right input; ON conjuncts over
 * the left side alone stay in the residual (they decide matching, not which left rows appear).
 */
#include "plan.h"

#include "kernels/memory.h"

#include <string.h>

typedef struct planner {
    floe_arena *arena;
    floe_error *err;
} planner;

typedef struct conjunct_list {
    floe_sql_expression **items;
    uint32_t count, capacity;
} conjunct_list;

static int out_of_memory(planner *p)
{
    return floe_error_set(p->err, FLOE_ENOMEM, "out of memory while planning");
}

static int list_add(planner *p, conjunct_list *list, floe_sql_expression *e)
{
    if (list->count == list->capacity) {
        uint32_t grown = list->capacity ? list->capacity * 2 : 8;
        floe_sql_expression **items = floe_arena_alloc(p->arena, grown * sizeof *items);
        if (items == NULL) return out_of_memory(p);
        if (list->count) memcpy(items, list->items, list->count * sizeof *items);
        list->items = items;
        list->capacity = grown;
    }
    list->items[list->count++] = e;
    return FLOE_OK;
}

/* ---- expression helpers ---- */

static void column_range(const floe_sql_expression *e, uint32_t *low, uint32_t *high, bool *any)
{
    if (e->kind == FLOE_SQL_EXPRESSION_COLUMN) {
        if (!*any || e->column_index < *low) *low = e->column_index;
        if (!*any || e->column_index > *high) *high = e->column_index;
        *any = true;
    }
    for (uint32_t i = 0; i < e->child_count; i++) column_range(e->children[i], low, high, any);
}

static void mark_used(const floe_sql_expression *e, bool *used)
{
    if (e == NULL) return;
    if (e->kind == FLOE_SQL_EXPRESSION_COLUMN) used[e->column_index] = true;
    for (uint32_t i = 0; i < e->child_count; i++) mark_used(e->children[i], used);
}

/* A copy of e with COLUMN i replaced by map[i] (substitute) or by COLUMN mapping[i]. */
static floe_sql_expression *rewrite(planner *p, floe_sql_expression *e,
                                    floe_sql_expression *const *map, const uint32_t *mapping,
                                    int64_t shift)
{
    if (e->kind == FLOE_SQL_EXPRESSION_COLUMN) {
        if (map != NULL) return map[e->column_index];
        uint32_t index = mapping != NULL ? mapping[e->column_index]
                                         : (uint32_t)((int64_t)e->column_index + shift);
        return floe_sql_expression_column(p->arena, index, e->type, e->nullable);
    }
    if (e->child_count == 0) return e;
    floe_sql_expression *children[64];
    floe_sql_expression **kids = children;
    if (e->child_count > 64) {
        kids = floe_arena_alloc(p->arena, e->child_count * sizeof *kids);
        if (kids == NULL) return NULL;
    }
    for (uint32_t i = 0; i < e->child_count; i++) {
        kids[i] = rewrite(p, e->children[i], map, mapping, shift);
        if (kids[i] == NULL) return NULL;
    }
    floe_sql_expression *copy = floe_sql_expression_node(p->arena, e->kind, e->type, e->nullable,
                                                         e->child_count, kids);
    if (copy == NULL) return NULL;
    copy->operator_kind = e->operator_kind;
    copy->function = e->function;
    copy->constant = e->constant;
    return copy;
}

static bool is_bool_constant(const floe_sql_expression *e, bool value)
{
    return e->kind == FLOE_SQL_EXPRESSION_CONSTANT && e->type.id == FLOE_TYPE_BOOLEAN &&
           !e->constant.is_null && e->constant.as.boolean == value;
}

/* Cheap folding of boolean logic over constants. */
static floe_sql_expression *fold(planner *p, floe_sql_expression *e)
{
    if (e->kind == FLOE_SQL_EXPRESSION_UNARY && e->operator_kind == FLOE_SQL_OPERATOR_NOT) {
        floe_sql_expression *child = fold(p, e->children[0]);
        if (child == NULL) return NULL;
        if (child->kind == FLOE_SQL_EXPRESSION_CONSTANT && child->type.id == FLOE_TYPE_BOOLEAN) {
            if (child->constant.is_null) return child;
            return floe_sql_expression_constant(p->arena, floe_sql_value_boolean(!child->constant.as.boolean));
        }
        if (child == e->children[0]) return e;
        floe_sql_expression *copy = floe_sql_expression_node(p->arena, e->kind, e->type, e->nullable, 1, &child);
        if (copy != NULL) copy->operator_kind = e->operator_kind;
        return copy;
    }
    if (e->kind == FLOE_SQL_EXPRESSION_BINARY &&
        (e->operator_kind == FLOE_SQL_OPERATOR_AND || e->operator_kind == FLOE_SQL_OPERATOR_OR)) {
        bool is_and = e->operator_kind == FLOE_SQL_OPERATOR_AND;
        floe_sql_expression *l = fold(p, e->children[0]), *r = fold(p, e->children[1]);
        if (l == NULL || r == NULL) return NULL;
        if (is_bool_constant(l, !is_and) || is_bool_constant(r, !is_and)) {
            return floe_sql_expression_constant(p->arena, floe_sql_value_boolean(!is_and));
        }
        if (is_bool_constant(l, is_and)) return r;
        if (is_bool_constant(r, is_and)) return l;
        if (l == e->children[0] && r == e->children[1]) return e;
        floe_sql_expression *kids[2] = {l, r};
        floe_sql_expression *copy = floe_sql_expression_node(p->arena, e->kind, e->type,
                                                             l->nullable || r->nullable, 2, kids);
        if (copy != NULL) copy->operator_kind = e->operator_kind;
        return copy;
    }
    return e;
}

static int add_conjuncts(planner *p, conjunct_list *list, floe_sql_expression *predicate)
{
    if (predicate == NULL) return FLOE_OK;
    predicate = fold(p, predicate);
    if (predicate == NULL) return out_of_memory(p);
    if (predicate->kind == FLOE_SQL_EXPRESSION_BINARY &&
        predicate->operator_kind == FLOE_SQL_OPERATOR_AND) {
        FLOE_TRY(add_conjuncts(p, list, predicate->children[0]));
        return add_conjuncts(p, list, predicate->children[1]);
    }
    if (is_bool_constant(predicate, true)) return FLOE_OK;
    return list_add(p, list, predicate);
}

static floe_sql_expression *conjunction(planner *p, const conjunct_list *list)
{
    if (list->count == 0) return NULL;
    floe_sql_expression *result = list->items[0];
    for (uint32_t i = 1; i < list->count && result != NULL; i++) {
        floe_sql_expression *kids[2] = {result, list->items[i]};
        result = floe_sql_expression_node(p->arena, FLOE_SQL_EXPRESSION_BINARY,
                                          floe_type_make(FLOE_TYPE_BOOLEAN),
                                          kids[0]->nullable || kids[1]->nullable, 2, kids);
        if (result != NULL) result->operator_kind = FLOE_SQL_OPERATOR_AND;
    }
    return result;
}

static floe_sql_plan *copy_node(planner *p, const floe_sql_plan *plan)
{
    floe_sql_plan *copy = floe_arena_alloc(p->arena, sizeof *copy);
    if (copy == NULL) return NULL;
    *copy = *plan;
    if (plan->input_count > 0) {
        copy->inputs = floe_arena_alloc(p->arena, plan->input_count * sizeof *copy->inputs);
        if (copy->inputs == NULL) return NULL;
        memcpy(copy->inputs, plan->inputs, plan->input_count * sizeof *copy->inputs);
    }
    return copy;
}

static int filter_above(planner *p, floe_sql_plan *plan, const conjunct_list *list, floe_sql_plan **out)
{
    if (list->count == 0) {
        *out = plan;
        return FLOE_OK;
    }
    floe_sql_plan *filter = floe_sql_plan_create(p->arena, FLOE_SQL_PLAN_FILTER, 1, 0);
    if (filter == NULL) return out_of_memory(p);
    filter->inputs[0] = plan;
    filter->output = plan->output;
    filter->u.filter.predicate = conjunction(p, list);
    if (filter->u.filter.predicate == NULL) return out_of_memory(p);
    *out = filter;
    return FLOE_OK;
}

/* ---- pass 1: predicates down ---- */

static int push(planner *p, floe_sql_plan *plan, const conjunct_list *incoming, floe_sql_plan **out);

static int push_scan(planner *p, floe_sql_plan *plan, const conjunct_list *incoming, floe_sql_plan **out)
{
    if (incoming->count == 0) {
        *out = plan;
        return FLOE_OK;
    }
    floe_sql_plan *scan = copy_node(p, plan);
    if (scan == NULL) return out_of_memory(p);
    uint32_t total = plan->u.scan.filter_count + incoming->count;
    scan->u.scan.filters = floe_arena_alloc(p->arena, total * sizeof *scan->u.scan.filters);
    scan->u.scan.checks = floe_arena_alloc(p->arena, (plan->u.scan.check_count + incoming->count) *
                                                         sizeof *scan->u.scan.checks);
    if (scan->u.scan.filters == NULL || scan->u.scan.checks == NULL) return out_of_memory(p);
    if (plan->u.scan.filter_count) {
        memcpy(scan->u.scan.filters, plan->u.scan.filters, plan->u.scan.filter_count * sizeof *scan->u.scan.filters);
    }
    if (plan->u.scan.check_count) {
        memcpy(scan->u.scan.checks, plan->u.scan.checks, plan->u.scan.check_count * sizeof *scan->u.scan.checks);
    }
    scan->u.scan.filter_count = plan->u.scan.filter_count;
    scan->u.scan.check_count = plan->u.scan.check_count;
    for (uint32_t i = 0; i < incoming->count; i++) {
        floe_sql_expression *e = incoming->items[i];
        scan->u.scan.filters[scan->u.scan.filter_count++] = e;
        floe_sql_scan_check check;
        memset(&check, 0, sizeof check);
        bool usable = false;
        if ((e->kind == FLOE_SQL_EXPRESSION_IS_NULL || e->kind == FLOE_SQL_EXPRESSION_IS_NOT_NULL) &&
            e->children[0]->kind == FLOE_SQL_EXPRESSION_COLUMN) {
            check.kind = e->kind == FLOE_SQL_EXPRESSION_IS_NULL ? FLOE_SQL_CHECK_IS_NULL
                                                                : FLOE_SQL_CHECK_IS_NOT_NULL;
            check.column = e->children[0]->column_index;
            usable = true;
        } else if (e->kind == FLOE_SQL_EXPRESSION_BINARY && e->operator_kind >= FLOE_SQL_OPERATOR_EQUAL &&
                   e->operator_kind <= FLOE_SQL_OPERATOR_GREATER_EQUAL) {
            const floe_sql_expression *a = e->children[0], *b = e->children[1];
            floe_sql_operator op = e->operator_kind;
            if (a->kind == FLOE_SQL_EXPRESSION_CONSTANT && b->kind == FLOE_SQL_EXPRESSION_COLUMN) {
                const floe_sql_expression *t = a;
                a = b;
                b = t;
                switch (op) { /* c < x  is  x > c */
                case FLOE_SQL_OPERATOR_LESS: op = FLOE_SQL_OPERATOR_GREATER; break;
                case FLOE_SQL_OPERATOR_LESS_EQUAL: op = FLOE_SQL_OPERATOR_GREATER_EQUAL; break;
                case FLOE_SQL_OPERATOR_GREATER: op = FLOE_SQL_OPERATOR_LESS; break;
                case FLOE_SQL_OPERATOR_GREATER_EQUAL: op = FLOE_SQL_OPERATOR_LESS_EQUAL; break;
                default: break;
                }
            }
            if (a->kind == FLOE_SQL_EXPRESSION_COLUMN && b->kind == FLOE_SQL_EXPRESSION_CONSTANT &&
                !b->constant.is_null && floe_type_equal(a->type, b->type)) {
                check.kind = FLOE_SQL_CHECK_COMPARE;
                check.column = a->column_index;
                check.op = op;
                check.value = b->constant;
                usable = true;
            }
        }
        if (usable) scan->u.scan.checks[scan->u.scan.check_count++] = check;
    }
    *out = scan;
    return FLOE_OK;
}

static bool is_equality_between(const floe_sql_expression *e, uint32_t left_width,
                                floe_sql_expression **left, floe_sql_expression **right)
{
    if (e->kind != FLOE_SQL_EXPRESSION_BINARY || e->operator_kind != FLOE_SQL_OPERATOR_EQUAL) return false;
    for (int flip = 0; flip < 2; flip++) {
        floe_sql_expression *a = e->children[flip], *b = e->children[1 - flip];
        uint32_t alo = 0, ahi = 0, blo = 0, bhi = 0;
        bool aany = false, bany = false;
        column_range(a, &alo, &ahi, &aany);
        column_range(b, &blo, &bhi, &bany);
        if (aany && bany && ahi < left_width && blo >= left_width) {
            *left = a;
            *right = b;
            return true;
        }
    }
    return false;
}

static int push_join(planner *p, floe_sql_plan *plan, const conjunct_list *incoming, floe_sql_plan **out)
{
    uint32_t width = plan->inputs[0]->output.column_count;
    bool outer = plan->u.join.kind == FLOE_SQL_PLAN_JOIN_LEFT;
    conjunct_list left = {0}, right = {0}, residual = {0}, above = {0}, on = {0};
    conjunct_list keys_left = {0}, keys_right = {0};
    for (uint32_t i = 0; i < plan->u.join.key_count; i++) {
        FLOE_TRY(list_add(p, &keys_left, plan->u.join.left_keys[i]));
        FLOE_TRY(list_add(p, &keys_right, plan->u.join.right_keys[i]));
    }
    FLOE_TRY(add_conjuncts(p, &on, plan->u.join.residual));
    for (int source = 0; source < 2; source++) {
        const conjunct_list *list = source == 0 ? incoming : &on;
        bool from_on = source == 1;
        for (uint32_t i = 0; i < list->count; i++) {
            floe_sql_expression *e = list->items[i];
            uint32_t lo = 0, hi = 0;
            bool any = false;
            column_range(e, &lo, &hi, &any);
            bool left_only = !any || hi < width, right_only = any && lo >= width;
            floe_sql_expression *lk, *rk;
            if (left_only && !(outer && from_on)) {
                FLOE_TRY(list_add(p, &left, e));
                continue;
            }
            if (outer && !from_on) { /* above a LEFT join: only left-side conjuncts go down */
                FLOE_TRY(list_add(p, &above, e));
                continue;
            }
            if (right_only) {
                floe_sql_expression *shifted = rewrite(p, e, NULL, NULL, -(int64_t)width);
                if (shifted == NULL) return out_of_memory(p);
                FLOE_TRY(list_add(p, &right, shifted));
                continue;
            }
            if (is_equality_between(e, width, &lk, &rk)) {
                floe_sql_expression *shifted = rewrite(p, rk, NULL, NULL, -(int64_t)width);
                if (shifted == NULL) return out_of_memory(p);
                FLOE_TRY(list_add(p, &keys_left, lk));
                FLOE_TRY(list_add(p, &keys_right, shifted));
                continue;
            }
            FLOE_TRY(list_add(p, &residual, e));
        }
    }
    floe_sql_plan *join = copy_node(p, plan);
    if (join == NULL) return out_of_memory(p);
    FLOE_TRY(push(p, plan->inputs[0], &left, &join->inputs[0]));
    FLOE_TRY(push(p, plan->inputs[1], &right, &join->inputs[1]));
    join->u.join.key_count = keys_left.count;
    join->u.join.left_keys = keys_left.items;
    join->u.join.right_keys = keys_right.items;
    join->u.join.residual = conjunction(p, &residual);
    if (residual.count > 0 && join->u.join.residual == NULL) return out_of_memory(p);
    return filter_above(p, join, &above, out);
}

static int push(planner *p, floe_sql_plan *plan, const conjunct_list *incoming, floe_sql_plan **out)
{
    conjunct_list none = {0};
    switch (plan->kind) {
    case FLOE_SQL_PLAN_FILTER: {
        conjunct_list all = {0};
        for (uint32_t i = 0; i < incoming->count; i++) FLOE_TRY(list_add(p, &all, incoming->items[i]));
        FLOE_TRY(add_conjuncts(p, &all, plan->u.filter.predicate));
        return push(p, plan->inputs[0], &all, out);
    }
    case FLOE_SQL_PLAN_PROJECT: {
        conjunct_list below = {0};
        for (uint32_t i = 0; i < incoming->count; i++) {
            floe_sql_expression *e = rewrite(p, incoming->items[i], plan->u.project.expressions, NULL, 0);
            if (e == NULL) return out_of_memory(p);
            FLOE_TRY(list_add(p, &below, e));
        }
        floe_sql_plan *copy = copy_node(p, plan);
        if (copy == NULL) return out_of_memory(p);
        FLOE_TRY(push(p, plan->inputs[0], &below, &copy->inputs[0]));
        *out = copy;
        return FLOE_OK;
    }
    case FLOE_SQL_PLAN_AGGREGATE: {
        conjunct_list below = {0}, stay = {0};
        uint32_t groups = plan->u.aggregate.group_count;
        for (uint32_t i = 0; i < incoming->count; i++) {
            floe_sql_expression *e = incoming->items[i];
            uint32_t lo = 0, hi = 0;
            bool any = false;
            column_range(e, &lo, &hi, &any);
            if (groups > 0 && (!any || hi < groups)) {
                e = rewrite(p, e, plan->u.aggregate.groups, NULL, 0);
                if (e == NULL) return out_of_memory(p);
                FLOE_TRY(list_add(p, &below, e));
            } else {
                FLOE_TRY(list_add(p, &stay, e));
            }
        }
        floe_sql_plan *copy = copy_node(p, plan);
        if (copy == NULL) return out_of_memory(p);
        FLOE_TRY(push(p, plan->inputs[0], &below, &copy->inputs[0]));
        return filter_above(p, copy, &stay, out);
    }
    case FLOE_SQL_PLAN_JOIN: return push_join(p, plan, incoming, out);
    case FLOE_SQL_PLAN_UNION_ALL:
    case FLOE_SQL_PLAN_ORDER: {
        floe_sql_plan *copy = copy_node(p, plan);
        if (copy == NULL) return out_of_memory(p);
        for (uint32_t i = 0; i < plan->input_count; i++) {
            FLOE_TRY(push(p, plan->inputs[i], incoming, &copy->inputs[i]));
        }
        *out = copy;
        return FLOE_OK;
    }
    case FLOE_SQL_PLAN_LIMIT: {
        floe_sql_plan *copy = copy_node(p, plan);
        if (copy == NULL) return out_of_memory(p);
        FLOE_TRY(push(p, plan->inputs[0], &none, &copy->inputs[0]));
        return filter_above(p, copy, incoming, out);
    }
    case FLOE_SQL_PLAN_SCAN: return push_scan(p, plan, incoming, out);
    case FLOE_SQL_PLAN_VALUES: return filter_above(p, plan, incoming, out);
    }
    return floe_error_set(p->err, FLOE_EINVAL, "unknown plan node %d", (int)plan->kind);
}

/* ---- pass 2: columns down ---- */

static bool *used_array(planner *p, uint32_t width)
{
    return floe_arena_alloc_zero(p->arena, (width ? width : 1) * sizeof(bool));
}

static uint32_t *mapping_array(planner *p, uint32_t width)
{
    uint32_t *mapping = floe_arena_alloc(p->arena, (width ? width : 1) * sizeof *mapping);
    if (mapping != NULL) {
        for (uint32_t i = 0; i < width; i++) mapping[i] = UINT32_MAX;
    }
    return mapping;
}

static int prune(planner *p, floe_sql_plan *plan, const bool *required, floe_sql_plan **out,
                 uint32_t **mapping);

/* Makes a pruned input give exactly the required columns in their old order (UNION ALL inputs
 * must line up). */
static int exact(planner *p, floe_sql_plan *plan, const uint32_t *mapping, const bool *required,
                 uint32_t width, floe_sql_plan **out)
{
    uint32_t count = 0;
    bool identity = true;
    for (uint32_t i = 0; i < width; i++) {
        if (!required[i]) continue;
        if (mapping[i] != count) identity = false;
        count++;
    }
    if (identity && count == plan->output.column_count) {
        *out = plan;
        return FLOE_OK;
    }
    floe_sql_plan *project = floe_sql_plan_create(p->arena, FLOE_SQL_PLAN_PROJECT, 1, count);
    if (project == NULL) return out_of_memory(p);
    project->inputs[0] = plan;
    project->u.project.expressions = floe_arena_alloc(p->arena, (count ? count : 1) * sizeof(floe_sql_expression *));
    if (project->u.project.expressions == NULL) return out_of_memory(p);
    uint32_t n = 0;
    for (uint32_t i = 0; i < width; i++) {
        if (!required[i]) continue;
        const floe_sql_column *c = &plan->output.columns[mapping[i]];
        project->output.columns[n] = *c;
        project->u.project.expressions[n] = floe_sql_expression_column(p->arena, mapping[i], c->type, c->nullable);
        if (project->u.project.expressions[n] == NULL) return out_of_memory(p);
        n++;
    }
    *out = project;
    return FLOE_OK;
}

static int prune(planner *p, floe_sql_plan *plan, const bool *required, floe_sql_plan **out,
                 uint32_t **mapping)
{
    uint32_t width = plan->output.column_count;
    *mapping = mapping_array(p, width);
    if (*mapping == NULL) return out_of_memory(p);
    switch (plan->kind) {
    case FLOE_SQL_PLAN_SCAN: {
        bool *keep = used_array(p, width);
        if (keep == NULL) return out_of_memory(p);
        for (uint32_t i = 0; i < width; i++) keep[i] = required[i];
        for (uint32_t i = 0; i < plan->u.scan.filter_count; i++) mark_used(plan->u.scan.filters[i], keep);
        uint32_t count = 0;
        for (uint32_t i = 0; i < width; i++) {
            if (keep[i]) (*mapping)[i] = count++;
        }
        floe_sql_plan *scan = floe_sql_plan_create(p->arena, FLOE_SQL_PLAN_SCAN, 0, count);
        if (scan == NULL) return out_of_memory(p);
        scan->u.scan = plan->u.scan;
        scan->u.scan.columns = floe_arena_alloc(p->arena, (count ? count : 1) * sizeof *scan->u.scan.columns);
        scan->u.scan.filters = floe_arena_alloc(p->arena, (plan->u.scan.filter_count + 1) * sizeof(floe_sql_expression *));
        scan->u.scan.checks = floe_arena_alloc(p->arena, (plan->u.scan.check_count + 1) * sizeof(floe_sql_scan_check));
        if (scan->u.scan.columns == NULL || scan->u.scan.filters == NULL || scan->u.scan.checks == NULL) {
            return out_of_memory(p);
        }
        for (uint32_t i = 0; i < width; i++) {
            if (!keep[i]) continue;
            scan->output.columns[(*mapping)[i]] = plan->output.columns[i];
            scan->u.scan.columns[(*mapping)[i]] = plan->u.scan.columns[i];
        }
        for (uint32_t i = 0; i < plan->u.scan.filter_count; i++) {
            scan->u.scan.filters[i] = rewrite(p, plan->u.scan.filters[i], NULL, *mapping, 0);
            if (scan->u.scan.filters[i] == NULL) return out_of_memory(p);
        }
        for (uint32_t i = 0; i < plan->u.scan.check_count; i++) {
            scan->u.scan.checks[i] = plan->u.scan.checks[i];
            scan->u.scan.checks[i].column = (*mapping)[plan->u.scan.checks[i].column];
        }
        *out = scan;
        return FLOE_OK;
    }
    case FLOE_SQL_PLAN_FILTER:
    case FLOE_SQL_PLAN_ORDER:
    case FLOE_SQL_PLAN_LIMIT: {
        bool *need = used_array(p, width);
        if (need == NULL) return out_of_memory(p);
        for (uint32_t i = 0; i < width; i++) need[i] = required[i];
        if (plan->kind == FLOE_SQL_PLAN_FILTER) mark_used(plan->u.filter.predicate, need);
        if (plan->kind == FLOE_SQL_PLAN_ORDER) {
            for (uint32_t i = 0; i < plan->u.order.key_count; i++) mark_used(plan->u.order.keys[i].expression, need);
        }
        floe_sql_plan *child;
        FLOE_TRY(prune(p, plan->inputs[0], need, &child, mapping));
        floe_sql_plan *copy = copy_node(p, plan);
        if (copy == NULL) return out_of_memory(p);
        copy->inputs[0] = child;
        copy->output = child->output;
        if (plan->kind == FLOE_SQL_PLAN_FILTER) {
            copy->u.filter.predicate = rewrite(p, plan->u.filter.predicate, NULL, *mapping, 0);
            if (copy->u.filter.predicate == NULL) return out_of_memory(p);
        }
        if (plan->kind == FLOE_SQL_PLAN_ORDER) {
            copy->u.order.keys = floe_arena_alloc(p->arena, plan->u.order.key_count * sizeof *copy->u.order.keys);
            if (copy->u.order.keys == NULL) return out_of_memory(p);
            for (uint32_t i = 0; i < plan->u.order.key_count; i++) {
                copy->u.order.keys[i] = plan->u.order.keys[i];
                copy->u.order.keys[i].expression = rewrite(p, plan->u.order.keys[i].expression, NULL, *mapping, 0);
                if (copy->u.order.keys[i].expression == NULL) return out_of_memory(p);
            }
        }
        *out = copy;
        return FLOE_OK;
    }
    case FLOE_SQL_PLAN_PROJECT: {
        uint32_t input_width = plan->inputs[0]->output.column_count;
        bool *need = used_array(p, input_width);
        if (need == NULL) return out_of_memory(p);
        uint32_t count = 0;
        for (uint32_t i = 0; i < width; i++) {
            if (!required[i]) continue;
            mark_used(plan->u.project.expressions[i], need);
            (*mapping)[i] = count++;
        }
        floe_sql_plan *child;
        uint32_t *child_mapping;
        FLOE_TRY(prune(p, plan->inputs[0], need, &child, &child_mapping));
        floe_sql_plan *project = floe_sql_plan_create(p->arena, FLOE_SQL_PLAN_PROJECT, 1, count);
        if (project == NULL) return out_of_memory(p);
        project->inputs[0] = child;
        project->u.project.expressions = floe_arena_alloc(p->arena, (count ? count : 1) * sizeof(floe_sql_expression *));
        if (project->u.project.expressions == NULL) return out_of_memory(p);
        for (uint32_t i = 0; i < width; i++) {
            if (!required[i]) continue;
            uint32_t n = (*mapping)[i];
            project->output.columns[n] = plan->output.columns[i];
            project->u.project.expressions[n] = rewrite(p, plan->u.project.expressions[i], NULL, child_mapping, 0);
            if (project->u.project.expressions[n] == NULL) return out_of_memory(p);
        }
        *out = project;
        return FLOE_OK;
    }
    case FLOE_SQL_PLAN_AGGREGATE: {
        uint32_t groups = plan->u.aggregate.group_count, input_width = plan->inputs[0]->output.column_count;
        bool *need = used_array(p, input_width);
        if (need == NULL) return out_of_memory(p);
        uint32_t count = 0;
        for (uint32_t i = 0; i < width; i++) {
            if (i < groups || required[i]) {
                (*mapping)[i] = count++;
                if (i < groups) mark_used(plan->u.aggregate.groups[i], need);
                else mark_used(plan->u.aggregate.calls[i - groups].argument, need);
            }
        }
        floe_sql_plan *child;
        uint32_t *child_mapping;
        FLOE_TRY(prune(p, plan->inputs[0], need, &child, &child_mapping));
        floe_sql_plan *aggregate = floe_sql_plan_create(p->arena, FLOE_SQL_PLAN_AGGREGATE, 1, count);
        if (aggregate == NULL) return out_of_memory(p);
        aggregate->inputs[0] = child;
        aggregate->u.aggregate.group_count = groups;
        aggregate->u.aggregate.groups = floe_arena_alloc(p->arena, (groups ? groups : 1) * sizeof(floe_sql_expression *));
        aggregate->u.aggregate.calls = floe_arena_alloc(p->arena, (count - groups + 1) * sizeof(floe_sql_aggregate_call));
        if (aggregate->u.aggregate.groups == NULL || aggregate->u.aggregate.calls == NULL) return out_of_memory(p);
        for (uint32_t i = 0; i < width; i++) {
            if ((*mapping)[i] == UINT32_MAX) continue;
            uint32_t n = (*mapping)[i];
            aggregate->output.columns[n] = plan->output.columns[i];
            if (i < groups) {
                aggregate->u.aggregate.groups[n] = rewrite(p, plan->u.aggregate.groups[i], NULL, child_mapping, 0);
                if (aggregate->u.aggregate.groups[n] == NULL) return out_of_memory(p);
            } else {
                floe_sql_aggregate_call call = plan->u.aggregate.calls[i - groups];
                if (call.argument != NULL) {
                    call.argument = rewrite(p, call.argument, NULL, child_mapping, 0);
                    if (call.argument == NULL) return out_of_memory(p);
                }
                aggregate->u.aggregate.calls[aggregate->u.aggregate.call_count++] = call;
            }
        }
        *out = aggregate;
        return FLOE_OK;
    }
    case FLOE_SQL_PLAN_JOIN: {
        uint32_t lw = plan->inputs[0]->output.column_count, rw = plan->inputs[1]->output.column_count;
        bool *need = used_array(p, lw + rw);
        if (need == NULL) return out_of_memory(p);
        for (uint32_t i = 0; i < width; i++) need[i] = required[i];
        mark_used(plan->u.join.residual, need);
        for (uint32_t i = 0; i < plan->u.join.key_count; i++) {
            mark_used(plan->u.join.left_keys[i], need);
            bool *right_need = need + lw;
            mark_used(plan->u.join.right_keys[i], right_need);
        }
        floe_sql_plan *left, *right;
        uint32_t *left_mapping, *right_mapping;
        FLOE_TRY(prune(p, plan->inputs[0], need, &left, &left_mapping));
        FLOE_TRY(prune(p, plan->inputs[1], need + lw, &right, &right_mapping));
        uint32_t new_left = left->output.column_count, count = new_left + right->output.column_count;
        for (uint32_t i = 0; i < lw; i++) (*mapping)[i] = left_mapping[i];
        for (uint32_t i = 0; i < rw; i++) {
            (*mapping)[lw + i] = right_mapping[i] == UINT32_MAX ? UINT32_MAX : new_left + right_mapping[i];
        }
        floe_sql_plan *join = floe_sql_plan_create(p->arena, FLOE_SQL_PLAN_JOIN, 2, count);
        if (join == NULL) return out_of_memory(p);
        join->inputs[0] = left;
        join->inputs[1] = right;
        join->u.join = plan->u.join;
        for (uint32_t i = 0; i < lw + rw; i++) {
            if ((*mapping)[i] != UINT32_MAX) join->output.columns[(*mapping)[i]] = plan->output.columns[i];
        }
        uint32_t keys = plan->u.join.key_count;
        join->u.join.left_keys = floe_arena_alloc(p->arena, (keys ? keys : 1) * sizeof(floe_sql_expression *));
        join->u.join.right_keys = floe_arena_alloc(p->arena, (keys ? keys : 1) * sizeof(floe_sql_expression *));
        if (join->u.join.left_keys == NULL || join->u.join.right_keys == NULL) return out_of_memory(p);
        for (uint32_t i = 0; i < keys; i++) {
            join->u.join.left_keys[i] = rewrite(p, plan->u.join.left_keys[i], NULL, left_mapping, 0);
            join->u.join.right_keys[i] = rewrite(p, plan->u.join.right_keys[i], NULL, right_mapping, 0);
            if (join->u.join.left_keys[i] == NULL || join->u.join.right_keys[i] == NULL) return out_of_memory(p);
        }
        if (plan->u.join.residual != NULL) {
            join->u.join.residual = rewrite(p, plan->u.join.residual, NULL, *mapping, 0);
            if (join->u.join.residual == NULL) return out_of_memory(p);
        }
        *out = join;
        return FLOE_OK;
    }
    case FLOE_SQL_PLAN_UNION_ALL: {
        uint32_t count = 0;
        for (uint32_t i = 0; i < width; i++) {
            if (required[i]) (*mapping)[i] = count++;
        }
        floe_sql_plan *union_all = floe_sql_plan_create(p->arena, FLOE_SQL_PLAN_UNION_ALL, plan->input_count, count);
        if (union_all == NULL) return out_of_memory(p);
        for (uint32_t i = 0; i < width; i++) {
            if (required[i]) union_all->output.columns[(*mapping)[i]] = plan->output.columns[i];
        }
        for (uint32_t b = 0; b < plan->input_count; b++) {
            floe_sql_plan *input;
            uint32_t *input_mapping;
            FLOE_TRY(prune(p, plan->inputs[b], required, &input, &input_mapping));
            FLOE_TRY(exact(p, input, input_mapping, required, width, &union_all->inputs[b]));
        }
        *out = union_all;
        return FLOE_OK;
    }
    case FLOE_SQL_PLAN_VALUES:
        for (uint32_t i = 0; i < width; i++) (*mapping)[i] = i;
        *out = plan;
        return FLOE_OK;
    }
    return floe_error_set(p->err, FLOE_EINVAL, "unknown plan node %d", (int)plan->kind);
}

int floe_sql_plan_optimize(floe_arena *arena, floe_sql_plan *plan, floe_sql_plan **optimized,
                           floe_error *err)
{
    planner p = {arena, err};
    conjunct_list none = {0};
    floe_sql_plan *pushed;
    FLOE_TRY(push(&p, plan, &none, &pushed));
    uint32_t width = pushed->output.column_count;
    bool *all = used_array(&p, width);
    if (all == NULL) return out_of_memory(&p);
    for (uint32_t i = 0; i < width; i++) all[i] = true;
    floe_sql_plan *pruned;
    uint32_t *mapping;
    FLOE_TRY(prune(&p, pushed, all, &pruned, &mapping));
    return exact(&p, pruned, mapping, all, width, optimized);
}
