/*
 * binder.c — statements, FROM clauses and SELECT bodies to logical plans (contract in binder.h;
 * expressions are bound in bind_expression.c).
 *
 * A SELECT body becomes, bottom-up: the FROM tree (SCANs and JOINs, a one-row VALUES without
 * FROM), FILTER (WHERE), AGGREGATE + FILTER (HAVING) when grouped, PROJECT (select list plus
 * hidden ORDER BY keys), AGGREGATE with no calls for DISTINCT; the query adds UNION ALL (inputs
 * cast to unified types), ORDER, a PROJECT dropping hidden keys, and LIMIT. The plan is the
 * literal translation: push-down is the planner's job (planner.c), so the binder stays simple.
 */
#include "binder_int.h"

#include "sql/expression_types.h"

#include <stdio.h>
#include <string.h>

static int out_of_memory(floe_sql_binder *binder)
{
    return floe_error_set(binder->err, FLOE_ENOMEM, "out of memory while binding");
}

static void *arena_array(floe_sql_binder *binder, size_t count, size_t size)
{
    return floe_arena_alloc_zero(binder->arena, (count ? count : 1) * size);
}

static int new_plan(floe_sql_binder *binder, floe_sql_plan_kind kind, uint32_t inputs,
                    uint32_t columns, floe_sql_plan **plan)
{
    *plan = floe_sql_plan_create(binder->arena, kind, inputs, columns);
    return *plan == NULL ? out_of_memory(binder) : FLOE_OK;
}

static int add_source(floe_sql_binder *binder, const char *identity)
{
    for (uint32_t i = 0; i < binder->source_count; i++) {
        if (strcmp(binder->sources[i], identity) == 0) return FLOE_OK;
    }
    if (binder->source_count == binder->source_capacity) {
        uint32_t grown = binder->source_capacity ? binder->source_capacity * 2 : 4;
        const char **sources = floe_arena_alloc(binder->arena, grown * sizeof *sources);
        if (sources == NULL) return out_of_memory(binder);
        if (binder->source_count) memcpy(sources, binder->sources, binder->source_count * sizeof *sources);
        binder->sources = sources;
        binder->source_capacity = grown;
    }
    binder->sources[binder->source_count++] = identity;
    return FLOE_OK;
}

static const char *copy_text(floe_sql_binder *binder, const char *text)
{
    return text == NULL ? NULL : floe_arena_strndup(binder->arena, text, strlen(text));
}

/* Copies a catalog table into the arena (the catalog's memory may not outlive the call). */
static int copy_table(floe_sql_binder *binder, const floe_sql_table *from, floe_sql_table *to,
                      floe_sql_position position)
{
    *to = *from;
    to->identity = copy_text(binder, from->identity);
    to->name = copy_text(binder, from->name ? from->name : from->identity);
    floe_sql_table_column *columns = arena_array(binder, from->column_count, sizeof *columns);
    if (to->identity == NULL || to->name == NULL || columns == NULL) return out_of_memory(binder);
    for (uint32_t i = 0; i < from->column_count; i++) {
        columns[i] = from->columns[i];
        columns[i].name = copy_text(binder, from->columns[i].name);
        if (columns[i].name == NULL) return out_of_memory(binder);
        if (!floe_type_is_valid(columns[i].type)) {
            return floe_sql_bind_error(binder, position, FLOE_EUNSUPPORTED,
                                       "table %s: column %s has a type Floe does not support",
                                       to->name, columns[i].name);
        }
    }
    to->columns = columns;
    return FLOE_OK;
}

static int resolve_table(floe_sql_binder *binder, const floe_sql_table_ref *ref, floe_sql_table *table)
{
    const floe_sql_catalog *catalog = binder->catalog;
    floe_sql_table found;
    memset(&found, 0, sizeof found);
    int status;
    const char *shown;
    char shown_buffer[512];
    if (ref->kind == FLOE_SQL_TABLE_NAMED) {
        const floe_sql_name *name = &ref->u.named;
        snprintf(shown_buffer, sizeof shown_buffer, "%s%s%s", name->namespace_name ? name->namespace_name : "",
                 name->namespace_name ? "." : "", name->name);
        shown = shown_buffer;
        if (catalog == NULL || catalog->resolve_name == NULL) {
            return floe_sql_bind_error(binder, ref->position, FLOE_EUNSUPPORTED,
                                       "no catalog to look up table %s", shown);
        }
        status = catalog->resolve_name(catalog->context, name->namespace_name, name->name,
                                       binder->arena, &found, binder->err);
        found.kind = FLOE_SQL_TABLE_KIND_NAMED;
    } else {
        bool parquet = ref->kind == FLOE_SQL_TABLE_FUNCTION;
        const char *path = ref->u.path;
        if (parquet) {
            if (strcmp(ref->u.function.name, "read_parquet") != 0) {
                return floe_sql_bind_error(binder, ref->position, FLOE_ENOTFOUND,
                                           "table function %s does not exist", ref->u.function.name);
            }
            if (ref->u.function.arg_count != 1 || ref->u.function.args[0]->kind != FLOE_SQL_EXPR_STRING) {
                return floe_sql_bind_error(binder, ref->position, FLOE_ETYPE,
                                           "read_parquet takes one string literal (a file path)");
            }
            path = ref->u.function.args[0]->u.literal.text;
            binder->read_parquet_used = true;
        }
        shown = path;
        int (*resolve)(void *, const char *, floe_arena *, floe_sql_table *, floe_error *) =
            catalog == NULL ? NULL : parquet ? catalog->resolve_parquet : catalog->resolve_path;
        if (resolve == NULL) {
            return floe_sql_bind_error(binder, ref->position, FLOE_EUNSUPPORTED,
                                       "%s tables are not available here",
                                       parquet ? "read_parquet" : "path");
        }
        status = resolve(catalog->context, path, binder->arena, &found, binder->err);
        found.kind = parquet ? FLOE_SQL_TABLE_KIND_PARQUET : FLOE_SQL_TABLE_KIND_PATH;
    }
    if (status == FLOE_ENOTFOUND) {
        return floe_sql_bind_error(binder, ref->position, FLOE_ENOTFOUND, "table %s does not exist",
                                   shown);
    }
    if (status < 0) {
        floe_error_prefix(binder->err, "line %u, column %u: table %s", (unsigned)ref->position.line,
                          (unsigned)ref->position.column, shown);
        return status;
    }
    FLOE_TRY(copy_table(binder, &found, table, ref->position));
    return add_source(binder, table->identity);
}

/* ---- scopes ---- */

static int scope_add_qualifier(floe_sql_binder *binder, bind_scope *scope, const char *qualifier,
                               floe_sql_position position)
{
    if (qualifier == NULL) return FLOE_OK;
    for (uint32_t i = 0; i < scope->qualifier_count; i++) {
        if (strcmp(scope->qualifiers[i], qualifier) == 0) {
            return floe_sql_bind_error(binder, position, FLOE_ESYNTAX,
                                       "table name \"%s\" specified more than once", qualifier);
        }
    }
    const char **grown = arena_array(binder, scope->qualifier_count + 1, sizeof *grown);
    if (grown == NULL) return out_of_memory(binder);
    if (scope->qualifier_count) memcpy(grown, scope->qualifiers, scope->qualifier_count * sizeof *grown);
    grown[scope->qualifier_count++] = qualifier;
    scope->qualifiers = grown;
    return FLOE_OK;
}

static int bind_query(floe_sql_binder *binder, const floe_sql_query *query, floe_sql_plan **plan);

static int bind_from(floe_sql_binder *binder, const floe_sql_table_ref *ref, floe_sql_plan **plan,
                     bind_scope *scope)
{
    memset(scope, 0, sizeof *scope);
    if (ref->kind == FLOE_SQL_TABLE_JOIN) {
        floe_sql_plan *left, *right;
        bind_scope left_scope, right_scope;
        FLOE_TRY(bind_from(binder, ref->u.join.left, &left, &left_scope));
        FLOE_TRY(bind_from(binder, ref->u.join.right, &right, &right_scope));
        bool outer = ref->u.join.kind == FLOE_SQL_JOIN_LEFT;
        uint32_t n = left_scope.column_count + right_scope.column_count;
        scope->columns = arena_array(binder, n, sizeof *scope->columns);
        if (scope->columns == NULL) return out_of_memory(binder);
        scope->column_count = n;
        if (left_scope.column_count) {
            memcpy(scope->columns, left_scope.columns, left_scope.column_count * sizeof *scope->columns);
        }
        for (uint32_t i = 0; i < right_scope.column_count; i++) {
            scope->columns[left_scope.column_count + i] = right_scope.columns[i];
            if (outer) scope->columns[left_scope.column_count + i].nullable = true;
        }
        scope->qualifiers = left_scope.qualifiers;
        scope->qualifier_count = left_scope.qualifier_count;
        for (uint32_t i = 0; i < right_scope.qualifier_count; i++) {
            FLOE_TRY(scope_add_qualifier(binder, scope, right_scope.qualifiers[i], ref->u.join.right->position));
        }
        floe_sql_plan *join;
        FLOE_TRY(new_plan(binder, FLOE_SQL_PLAN_JOIN, 2, n, &join));
        join->inputs[0] = left;
        join->inputs[1] = right;
        join->u.join.kind = outer ? FLOE_SQL_PLAN_JOIN_LEFT : FLOE_SQL_PLAN_JOIN_INNER;
        for (uint32_t i = 0; i < n; i++) {
            join->output.columns[i] = (floe_sql_column){scope->columns[i].name, scope->columns[i].type,
                                                        scope->columns[i].nullable};
        }
        if (ref->u.join.condition != NULL) {
            bind_context context;
            memset(&context, 0, sizeof context);
            context.binder = binder;
            context.scope = scope;
            context.clause = "JOIN conditions";
            FLOE_TRY(floe_sql_bind_predicate(&context, ref->u.join.condition, "JOIN condition",
                                             &join->u.join.residual));
        }
        *plan = join;
        return FLOE_OK;
    }
    floe_sql_plan *input;
    const char *qualifier = ref->alias;
    if (ref->kind == FLOE_SQL_TABLE_SUBQUERY) {
        FLOE_TRY(bind_query(binder, ref->u.subquery, &input));
    } else {
        floe_sql_table table;
        FLOE_TRY(resolve_table(binder, ref, &table));
        FLOE_TRY(new_plan(binder, FLOE_SQL_PLAN_SCAN, 0, table.column_count, &input));
        input->u.scan.table = table;
        input->u.scan.alias = copy_text(binder, ref->alias);
        input->u.scan.columns = arena_array(binder, table.column_count, sizeof *input->u.scan.columns);
        if (input->u.scan.columns == NULL) return out_of_memory(binder);
        for (uint32_t i = 0; i < table.column_count; i++) {
            input->output.columns[i] = (floe_sql_column){table.columns[i].name, table.columns[i].type,
                                                         table.columns[i].nullable};
            input->u.scan.columns[i] = (floe_sql_scan_column){i, table.columns[i].field_id};
        }
        if (qualifier == NULL && ref->kind == FLOE_SQL_TABLE_NAMED) qualifier = ref->u.named.name;
    }
    scope->column_count = input->output.column_count;
    scope->columns = arena_array(binder, scope->column_count, sizeof *scope->columns);
    if (scope->columns == NULL) return out_of_memory(binder);
    for (uint32_t i = 0; i < scope->column_count; i++) {
        const floe_sql_column *c = &input->output.columns[i];
        scope->columns[i] = (bind_scope_column){qualifier, c->name, c->type, c->nullable};
    }
    FLOE_TRY(scope_add_qualifier(binder, scope, qualifier, ref->position));
    *plan = input;
    return FLOE_OK;
}

/* ---- SELECT bodies ---- */

/* One output column of a body before it is projected. */
typedef struct bound_item {
    floe_sql_expression *expression;
    const char *name;
} bound_item;

typedef struct bound_body {
    floe_sql_plan *plan;          /* PROJECT (or DISTINCT above it) */
    uint32_t visible;             /* select-list columns; hidden ORDER BY keys follow */
    floe_sql_sort_key *keys;      /* ORDER BY over plan's output (single-body queries) */
    uint32_t key_count;
} bound_body;

static bool is_ordinal(const floe_sql_expr *ast) { return ast->kind == FLOE_SQL_EXPR_INTEGER; }

static int ordinal_index(floe_sql_binder *binder, const floe_sql_expr *ast, uint32_t count,
                         const char *clause, uint32_t *index)
{
    if (ast->u.literal.integer < 1 || (uint64_t)ast->u.literal.integer > count) {
        return floe_sql_bind_error(binder, ast->position, FLOE_ESYNTAX,
                                   "%s term out of range - should be between 1 and %u", clause,
                                   (unsigned)count);
    }
    *index = (uint32_t)(ast->u.literal.integer - 1);
    return FLOE_OK;
}

/* Expands the select list (stars included) into items bound in `context`. */
static int bind_select_list(bind_context *context, const floe_sql_select *select,
                            const bind_scope *scope, bound_item **items, uint32_t *count)
{
    floe_sql_binder *binder = context->binder;
    uint32_t total = 0;
    for (size_t i = 0; i < select->item_count; i++) {
        const floe_sql_select_item *item = &select->items[i];
        if (!item->star) {
            total++;
            continue;
        }
        uint32_t matched = 0;
        for (uint32_t c = 0; c < scope->column_count; c++) {
            const char *q = scope->columns[c].qualifier;
            if (item->star_qualifier == NULL || (q != NULL && strcmp(q, item->star_qualifier) == 0)) {
                matched++;
            }
        }
        if (item->star_qualifier != NULL && matched == 0) {
            return floe_sql_bind_error(binder, item->position, FLOE_ENOTFOUND,
                                       "table \"%s\" is not in the FROM clause", item->star_qualifier);
        }
        if (item->star_qualifier == NULL && scope->column_count == 0) {
            return floe_sql_bind_error(binder, item->position, FLOE_ESYNTAX,
                                       "SELECT * with no tables specified");
        }
        total += matched;
    }
    *items = arena_array(binder, total, sizeof **items);
    if (*items == NULL) return out_of_memory(binder);
    uint32_t n = 0;
    for (size_t i = 0; i < select->item_count; i++) {
        const floe_sql_select_item *item = &select->items[i];
        if (!item->star) {
            FLOE_TRY(floe_sql_bind_expression(context, item->expr, &(*items)[n].expression));
            if (item->alias != NULL) (*items)[n].name = item->alias;
            else FLOE_TRY(floe_sql_bind_output_name(binder, item->expr, &(*items)[n].name));
            n++;
            continue;
        }
        for (uint32_t c = 0; c < scope->column_count; c++) {
            const bind_scope_column *column = &scope->columns[c];
            const char *q = column->qualifier;
            if (item->star_qualifier != NULL && (q == NULL || strcmp(q, item->star_qualifier) != 0)) {
                continue;
            }
            /* Bound as a column reference so grouped queries check it like any other. */
            floe_sql_expr reference;
            memset(&reference, 0, sizeof reference);
            reference.kind = FLOE_SQL_EXPR_COLUMN;
            reference.position = item->position;
            reference.u.column.name = column->name;
            if (context->aggregated) {
                reference.u.column.qualifier = q;
                FLOE_TRY(floe_sql_bind_expression(context, &reference, &(*items)[n].expression));
            } else {
                (*items)[n].expression = floe_sql_expression_column(binder->arena, c, column->type,
                                                                    column->nullable);
                if ((*items)[n].expression == NULL) return out_of_memory(binder);
            }
            (*items)[n].name = column->name;
            n++;
        }
    }
    *count = n;
    return FLOE_OK;
}

static bool select_is_aggregated(const floe_sql_select *select, const floe_sql_query *query)
{
    if (select->group_by_count > 0 || select->having != NULL) return true;
    for (size_t i = 0; i < select->item_count; i++) {
        if (floe_sql_ast_has_aggregate(select->items[i].expr)) return true;
    }
    if (query != NULL) {
        for (size_t i = 0; i < query->order_by_count; i++) {
            if (floe_sql_ast_has_aggregate(query->order_by[i].expr)) return true;
        }
    }
    return false;
}

/* An ORDER BY key that names an output column (bare name or ordinal); UINT32_MAX if not. */
static int order_output_column(floe_sql_binder *binder, const floe_sql_expr *ast,
                               const floe_sql_schema *output, uint32_t visible, uint32_t *index)
{
    *index = UINT32_MAX;
    if (is_ordinal(ast)) return ordinal_index(binder, ast, visible, "ORDER", index);
    if (ast->kind == FLOE_SQL_EXPR_COLUMN && ast->u.column.qualifier == NULL) {
        for (uint32_t i = 0; i < visible; i++) {
            if (strcmp(output->columns[i].name, ast->u.column.name) == 0) {
                *index = i;
                return FLOE_OK;
            }
        }
    }
    return FLOE_OK;
}

static bool nulls_first(const floe_sql_order_item *item)
{
    return item->nulls == FLOE_SQL_NULLS_FIRST;
}

/* `query` is given when this body is the only one (its ORDER BY may use hidden columns). */
static int bind_body(floe_sql_binder *binder, const floe_sql_select *select,
                     const floe_sql_query *query, bound_body *body)
{
    memset(body, 0, sizeof *body);
    floe_sql_plan *plan;
    bind_scope scope;
    memset(&scope, 0, sizeof scope);
    if (select->from != NULL) {
        FLOE_TRY(bind_from(binder, select->from, &plan, &scope));
    } else {
        FLOE_TRY(new_plan(binder, FLOE_SQL_PLAN_VALUES, 0, 0, &plan));
        plan->u.values.row_count = 1;
        plan->u.values.rows = arena_array(binder, 1, sizeof *plan->u.values.rows);
        if (plan->u.values.rows == NULL) return out_of_memory(binder);
    }
    bind_context base;
    memset(&base, 0, sizeof base);
    base.binder = binder;
    base.scope = &scope;
    base.select = select;
    if (select->where != NULL) {
        bind_context where = base;
        where.clause = "WHERE";
        floe_sql_plan *filter;
        FLOE_TRY(new_plan(binder, FLOE_SQL_PLAN_FILTER, 1, 0, &filter));
        FLOE_TRY(floe_sql_bind_predicate(&where, select->where, "WHERE clause", &filter->u.filter.predicate));
        filter->inputs[0] = plan;
        filter->output = plan->output;
        plan = filter;
    }
    bool aggregated = select_is_aggregated(select, query);
    bind_context context = base;
    context.clause = NULL;
    if (aggregated) {
        /* GROUP BY: ordinals and names of select items; FROM columns win over aliases. */
        context.groups = arena_array(binder, select->group_by_count, sizeof *context.groups);
        if (context.groups == NULL) return out_of_memory(binder);
        bind_context group_context = base;
        group_context.clause = "GROUP BY";
        for (size_t i = 0; i < select->group_by_count; i++) {
            const floe_sql_expr *ast = select->group_by[i];
            if (is_ordinal(ast)) {
                uint32_t index = 0;
                FLOE_TRY(ordinal_index(binder, ast, (uint32_t)select->item_count, "GROUP BY", &index));
                const floe_sql_select_item *item = &select->items[index];
                if (item->star) {
                    return floe_sql_bind_error(binder, ast->position, FLOE_ESYNTAX,
                                               "GROUP BY ordinal %u refers to *", index + 1);
                }
                ast = item->expr;
                if (floe_sql_ast_has_aggregate(ast)) {
                    return floe_sql_bind_error(binder, select->group_by[i]->position, FLOE_ESYNTAX,
                                               "GROUP BY ordinal %u refers to an aggregate", index + 1);
                }
            }
            floe_sql_expression *group;
            FLOE_TRY(floe_sql_bind_expression(&group_context, ast, &group));
            bool duplicate = false;
            for (uint32_t g = 0; g < context.group_count; g++) {
                if (floe_sql_expression_equal(group, context.groups[g])) duplicate = true;
            }
            if (!duplicate) context.groups[context.group_count++] = group;
        }
        context.aggregated = true;
    } else {
        context.clause = "this context";
    }
    bound_item *items = NULL;
    uint32_t item_count = 0;
    FLOE_TRY(bind_select_list(&context, select, &scope, &items, &item_count));
    floe_sql_expression *having = NULL;
    if (select->having != NULL) {
        FLOE_TRY(floe_sql_bind_predicate(&context, select->having, "HAVING clause", &having));
    }
    /* ORDER BY of a single-body query: output columns, or hidden expressions. */
    uint32_t hidden = 0;
    floe_sql_expression **hidden_expressions = NULL;
    if (query != NULL && query->order_by_count > 0) {
        body->keys = arena_array(binder, query->order_by_count, sizeof *body->keys);
        hidden_expressions = arena_array(binder, query->order_by_count, sizeof *hidden_expressions);
        if (body->keys == NULL || hidden_expressions == NULL) return out_of_memory(binder);
        for (size_t i = 0; i < query->order_by_count; i++) {
            const floe_sql_order_item *order = &query->order_by[i];
            uint32_t index = UINT32_MAX;
            if (is_ordinal(order->expr)) {
                FLOE_TRY(ordinal_index(binder, order->expr, item_count, "ORDER", &index));
            } else if (order->expr->kind == FLOE_SQL_EXPR_COLUMN && order->expr->u.column.qualifier == NULL) {
                for (uint32_t c = 0; c < item_count && index == UINT32_MAX; c++) {
                    if (strcmp(items[c].name, order->expr->u.column.name) == 0) index = c;
                }
            }
            if (index == UINT32_MAX) {
                floe_sql_expression *key;
                FLOE_TRY(floe_sql_bind_expression(&context, order->expr, &key));
                for (uint32_t c = 0; c < item_count && index == UINT32_MAX; c++) {
                    if (floe_sql_expression_equal(key, items[c].expression)) index = c;
                }
                for (uint32_t h = 0; h < hidden && index == UINT32_MAX; h++) {
                    if (floe_sql_expression_equal(key, hidden_expressions[h])) index = item_count + h;
                }
                if (index == UINT32_MAX) {
                    if (select->distinct) {
                        return floe_sql_bind_error(binder, order->expr->position, FLOE_ESYNTAX,
                                                   "for SELECT DISTINCT, ORDER BY expressions must "
                                                   "appear in the select list");
                    }
                    hidden_expressions[hidden] = key;
                    index = item_count + hidden++;
                }
            }
            body->keys[i].descending = order->descending != 0;
            body->keys[i].nulls_first = nulls_first(order);
            body->keys[i].expression = (floe_sql_expression *)(uintptr_t)index; /* patched below */
        }
        body->key_count = (uint32_t)query->order_by_count;
    }
    if (aggregated) {
        floe_sql_plan *aggregate;
        FLOE_TRY(new_plan(binder, FLOE_SQL_PLAN_AGGREGATE, 1, context.group_count + context.call_count,
                          &aggregate));
        aggregate->inputs[0] = plan;
        aggregate->u.aggregate.groups = context.groups;
        aggregate->u.aggregate.group_count = context.group_count;
        aggregate->u.aggregate.calls = context.calls;
        aggregate->u.aggregate.call_count = context.call_count;
        for (uint32_t g = 0; g < context.group_count; g++) {
            const char *name = "group";
            if (context.groups[g]->kind == FLOE_SQL_EXPRESSION_COLUMN) {
                name = scope.columns[context.groups[g]->column_index].name;
            }
            aggregate->output.columns[g] = (floe_sql_column){name, context.groups[g]->type,
                                                             context.groups[g]->nullable};
        }
        static const char *const call_names[] = {"", "count_star", "count", "sum", "avg", "min", "max"};
        for (uint32_t c = 0; c < context.call_count; c++) {
            const floe_sql_aggregate_call *call = &context.calls[c];
            aggregate->output.columns[context.group_count + c] =
                (floe_sql_column){call_names[call->function], call->type, call->nullable};
        }
        plan = aggregate;
        if (having != NULL) {
            floe_sql_plan *filter;
            FLOE_TRY(new_plan(binder, FLOE_SQL_PLAN_FILTER, 1, 0, &filter));
            filter->inputs[0] = plan;
            filter->output = plan->output;
            filter->u.filter.predicate = having;
            plan = filter;
        }
    }
    floe_sql_plan *project;
    FLOE_TRY(new_plan(binder, FLOE_SQL_PLAN_PROJECT, 1, item_count + hidden, &project));
    project->inputs[0] = plan;
    project->u.project.expressions = arena_array(binder, item_count + hidden, sizeof(floe_sql_expression *));
    if (project->u.project.expressions == NULL) return out_of_memory(binder);
    for (uint32_t i = 0; i < item_count + hidden; i++) {
        floe_sql_expression *e = i < item_count ? items[i].expression : hidden_expressions[i - item_count];
        project->u.project.expressions[i] = e;
        project->output.columns[i] = (floe_sql_column){i < item_count ? items[i].name : "_order_key",
                                                       e->type, e->nullable};
    }
    plan = project;
    for (uint32_t k = 0; k < body->key_count; k++) {
        uint32_t index = (uint32_t)(uintptr_t)body->keys[k].expression;
        const floe_sql_column *c = &project->output.columns[index];
        body->keys[k].expression = floe_sql_expression_column(binder->arena, index, c->type, c->nullable);
        if (body->keys[k].expression == NULL) return out_of_memory(binder);
    }
    if (select->distinct) {
        floe_sql_plan *distinct;
        FLOE_TRY(new_plan(binder, FLOE_SQL_PLAN_AGGREGATE, 1, item_count, &distinct));
        distinct->inputs[0] = plan;
        distinct->u.aggregate.group_count = item_count;
        distinct->u.aggregate.groups = arena_array(binder, item_count, sizeof(floe_sql_expression *));
        if (distinct->u.aggregate.groups == NULL) return out_of_memory(binder);
        for (uint32_t i = 0; i < item_count; i++) {
            const floe_sql_column *c = &project->output.columns[i];
            distinct->u.aggregate.groups[i] = floe_sql_expression_column(binder->arena, i, c->type, c->nullable);
            if (distinct->u.aggregate.groups[i] == NULL) return out_of_memory(binder);
            distinct->output.columns[i] = *c;
        }
        plan = distinct;
    }
    body->plan = plan;
    body->visible = item_count;
    return FLOE_OK;
}

/* Whether column c of a body is a bare NULL literal (it takes the other inputs' type). */
static bool is_untyped_null(const floe_sql_plan *body, uint32_t c)
{
    if (body->kind != FLOE_SQL_PLAN_PROJECT) return false;
    const floe_sql_expression *e = body->u.project.expressions[c];
    return e->kind == FLOE_SQL_EXPRESSION_CONSTANT && e->constant.is_null &&
           e->type.id == FLOE_TYPE_INT32;
}

static int bind_query(floe_sql_binder *binder, const floe_sql_query *query, floe_sql_plan **out)
{
    bool single = query->body_count == 1;
    bound_body *bodies = arena_array(binder, query->body_count, sizeof *bodies);
    if (bodies == NULL) return out_of_memory(binder);
    for (size_t i = 0; i < query->body_count; i++) {
        FLOE_TRY(bind_body(binder, query->bodies[i], single ? query : NULL, &bodies[i]));
    }
    floe_sql_plan *plan = bodies[0].plan;
    uint32_t visible = bodies[0].visible;
    if (!single) {
        /* UNION ALL: unify column types, cast inputs that differ. */
        floe_sql_column *columns = arena_array(binder, visible, sizeof *columns);
        if (columns == NULL) return out_of_memory(binder);
        memcpy(columns, plan->output.columns, visible * sizeof *columns);
        bool *typed = arena_array(binder, visible, sizeof *typed);
        if (typed == NULL) return out_of_memory(binder);
        for (uint32_t c = 0; c < visible; c++) typed[c] = !is_untyped_null(plan, c);
        for (size_t b = 1; b < query->body_count; b++) {
            if (bodies[b].visible != visible) {
                return floe_sql_bind_error(binder, query->bodies[b]->position, FLOE_ESYNTAX,
                                           "UNION ALL inputs have %u and %u columns", visible,
                                           bodies[b].visible);
            }
            for (uint32_t c = 0; c < visible; c++) {
                const floe_sql_column *other = &bodies[b].plan->output.columns[c];
                if (is_untyped_null(bodies[b].plan, c)) {
                    columns[c].nullable = true;
                    continue;
                }
                if (is_untyped_null(bodies[0].plan, c) && !typed[c]) {
                    columns[c].type = other->type;
                    typed[c] = true;
                    continue;
                }
                char l[40], r[40];
                if (floe_sql_type_common(columns[c].type, other->type, &columns[c].type, NULL) < 0) {
                    return floe_sql_bind_error(binder, query->bodies[b]->position, FLOE_ETYPE,
                                               "UNION ALL column %u: cannot unify %s and %s", c + 1,
                                               floe_type_format(columns[c].type, l, sizeof l),
                                               floe_type_format(other->type, r, sizeof r));
                }
                columns[c].nullable = columns[c].nullable || other->nullable;
            }
        }
        floe_sql_plan *union_all;
        FLOE_TRY(new_plan(binder, FLOE_SQL_PLAN_UNION_ALL, (uint32_t)query->body_count, visible, &union_all));
        memcpy(union_all->output.columns, columns, visible * sizeof *columns);
        for (size_t b = 0; b < query->body_count; b++) {
            floe_sql_plan *input = bodies[b].plan;
            bool same = true;
            for (uint32_t c = 0; c < visible; c++) {
                if (!floe_type_equal(input->output.columns[c].type, columns[c].type)) same = false;
            }
            if (!same) {
                floe_sql_plan *cast;
                FLOE_TRY(new_plan(binder, FLOE_SQL_PLAN_PROJECT, 1, visible, &cast));
                cast->inputs[0] = input;
                cast->u.project.expressions = arena_array(binder, visible, sizeof(floe_sql_expression *));
                if (cast->u.project.expressions == NULL) return out_of_memory(binder);
                for (uint32_t c = 0; c < visible; c++) {
                    const floe_sql_column *from = &input->output.columns[c];
                    floe_sql_expression *e = floe_sql_expression_column(binder->arena, c, from->type, from->nullable);
                    if (e == NULL) return out_of_memory(binder);
                    if (is_untyped_null(input, c)) {
                        e = floe_sql_expression_constant(binder->arena, floe_sql_value_null(columns[c].type));
                        if (e == NULL) return out_of_memory(binder);
                    }
                    FLOE_TRY(floe_sql_bind_cast(binder, e, NULL, columns[c].type, NULL, &cast->u.project.expressions[c]));
                    cast->output.columns[c] = (floe_sql_column){from->name, columns[c].type, from->nullable};
                }
                input = cast;
            }
            union_all->inputs[b] = input;
        }
        plan = union_all;
        if (query->order_by_count > 0) {
            bodies[0].keys = arena_array(binder, query->order_by_count, sizeof *bodies[0].keys);
            if (bodies[0].keys == NULL) return out_of_memory(binder);
            for (size_t i = 0; i < query->order_by_count; i++) {
                const floe_sql_order_item *order = &query->order_by[i];
                uint32_t index;
                FLOE_TRY(order_output_column(binder, order->expr, &plan->output, visible, &index));
                if (index == UINT32_MAX) {
                    return floe_sql_bind_error(binder, order->expr->position, FLOE_ESYNTAX,
                                               "ORDER BY of a UNION ALL must name an output column "
                                               "or give its number");
                }
                const floe_sql_column *c = &plan->output.columns[index];
                bodies[0].keys[i].expression = floe_sql_expression_column(binder->arena, index, c->type, c->nullable);
                if (bodies[0].keys[i].expression == NULL) return out_of_memory(binder);
                bodies[0].keys[i].descending = order->descending != 0;
                bodies[0].keys[i].nulls_first = nulls_first(order);
            }
            bodies[0].key_count = (uint32_t)query->order_by_count;
        }
    }
    if (bodies[0].key_count > 0) {
        floe_sql_plan *order;
        FLOE_TRY(new_plan(binder, FLOE_SQL_PLAN_ORDER, 1, 0, &order));
        order->inputs[0] = plan;
        order->output = plan->output;
        order->u.order.keys = bodies[0].keys;
        order->u.order.key_count = bodies[0].key_count;
        plan = order;
        if (plan->output.column_count > visible) {
            floe_sql_plan *trim;
            FLOE_TRY(new_plan(binder, FLOE_SQL_PLAN_PROJECT, 1, visible, &trim));
            trim->inputs[0] = plan;
            trim->u.project.expressions = arena_array(binder, visible, sizeof(floe_sql_expression *));
            if (trim->u.project.expressions == NULL) return out_of_memory(binder);
            for (uint32_t c = 0; c < visible; c++) {
                const floe_sql_column *column = &plan->output.columns[c];
                trim->output.columns[c] = *column;
                trim->u.project.expressions[c] =
                    floe_sql_expression_column(binder->arena, c, column->type, column->nullable);
                if (trim->u.project.expressions[c] == NULL) return out_of_memory(binder);
            }
            plan = trim;
        }
    }
    if (query->has_limit || query->has_offset) {
        floe_sql_plan *limit;
        FLOE_TRY(new_plan(binder, FLOE_SQL_PLAN_LIMIT, 1, 0, &limit));
        limit->inputs[0] = plan;
        limit->output = plan->output;
        limit->u.limit.has_limit = query->has_limit != 0;
        limit->u.limit.limit = query->limit;
        limit->u.limit.offset = query->has_offset ? query->offset : 0;
        plan = limit;
    }
    *out = plan;
    return FLOE_OK;
}

/* ---- statements ---- */

static int resolve_named(floe_sql_binder *binder, const floe_sql_name *name, floe_sql_table *table)
{
    floe_sql_table_ref ref;
    memset(&ref, 0, sizeof ref);
    ref.kind = FLOE_SQL_TABLE_NAMED;
    ref.position = name->position;
    ref.u.named = *name;
    return resolve_table(binder, &ref, table);
}

static int bind_insert(floe_sql_binder *binder, const floe_sql_statement *statement,
                       floe_sql_bound_statement *bound)
{
    floe_sql_table *table = &bound->target;
    FLOE_TRY(resolve_named(binder, &statement->table, table));
    uint32_t width = table->column_count;
    /* source_of[c]: which source column fills table column c, or UINT32_MAX for NULL. */
    uint32_t *source_of = arena_array(binder, width, sizeof *source_of);
    if (source_of == NULL) return out_of_memory(binder);
    uint32_t listed = statement->u.insert.column_count ? (uint32_t)statement->u.insert.column_count : width;
    for (uint32_t c = 0; c < width; c++) source_of[c] = statement->u.insert.column_count ? UINT32_MAX : c;
    for (uint32_t i = 0; i < statement->u.insert.column_count; i++) {
        const char *name = statement->u.insert.columns[i];
        uint32_t c = 0;
        while (c < width && strcmp(table->columns[c].name, name) != 0) c++;
        if (c == width) {
            return floe_sql_bind_error(binder, statement->table.position, FLOE_ENOTFOUND,
                                       "table %s has no column \"%s\"", table->name, name);
        }
        if (source_of[c] != UINT32_MAX) {
            return floe_sql_bind_error(binder, statement->table.position, FLOE_ESYNTAX,
                                       "column \"%s\" is listed twice", name);
        }
        source_of[c] = i;
    }
    for (uint32_t c = 0; c < width; c++) {
        if (source_of[c] == UINT32_MAX && !table->columns[c].nullable) {
            return floe_sql_bind_error(binder, statement->table.position, FLOE_ESYNTAX,
                                       "column \"%s\" is NOT NULL and gets no value",
                                       table->columns[c].name);
        }
    }
    char what[160];
    floe_sql_plan *plan;
    if (statement->u.insert.query == NULL) {
        FLOE_TRY(new_plan(binder, FLOE_SQL_PLAN_VALUES, 0, width, &plan));
        uint32_t rows = (uint32_t)statement->u.insert.row_count;
        plan->u.values.row_count = rows;
        plan->u.values.rows = arena_array(binder, rows, sizeof *plan->u.values.rows);
        if (plan->u.values.rows == NULL) return out_of_memory(binder);
        bind_scope empty;
        memset(&empty, 0, sizeof empty);
        bind_context context;
        memset(&context, 0, sizeof context);
        context.binder = binder;
        context.scope = &empty;
        context.clause = "VALUES";
        if (statement->u.insert.value_count != listed) {
            const floe_sql_expr *first = statement->u.insert.rows[0][0];
            return floe_sql_bind_error(binder, first->position, FLOE_ESYNTAX,
                                       "INSERT has %u target columns but %zu values", listed,
                                       statement->u.insert.value_count);
        }
        for (uint32_t c = 0; c < width; c++) {
            plan->output.columns[c] = (floe_sql_column){table->columns[c].name, table->columns[c].type,
                                                        table->columns[c].nullable};
        }
        for (uint32_t r = 0; r < rows; r++) {
            floe_sql_expression **row = arena_array(binder, width, sizeof *row);
            if (row == NULL) return out_of_memory(binder);
            plan->u.values.rows[r] = row;
            for (uint32_t c = 0; c < width; c++) {
                const floe_sql_table_column *column = &table->columns[c];
                if (source_of[c] == UINT32_MAX) {
                    row[c] = floe_sql_expression_constant(binder->arena, floe_sql_value_null(column->type));
                    if (row[c] == NULL) return out_of_memory(binder);
                    continue;
                }
                const floe_sql_expr *ast = statement->u.insert.rows[r][source_of[c]];
                floe_sql_expression *value;
                FLOE_TRY(floe_sql_bind_expression(&context, ast, &value));
                snprintf(what, sizeof what, "column %s", column->name);
                if (ast->kind == FLOE_SQL_EXPR_NULL) {
                    if (!column->nullable) {
                        return floe_sql_bind_error(binder, ast->position, FLOE_ETYPE,
                                                   "NULL for NOT NULL column %s", column->name);
                    }
                    value = floe_sql_expression_constant(binder->arena, floe_sql_value_null(column->type));
                    if (value == NULL) return out_of_memory(binder);
                } else {
                    FLOE_TRY(floe_sql_bind_cast(binder, value, ast, column->type, what, &value));
                }
                row[c] = value;
            }
        }
    } else {
        floe_sql_plan *source;
        FLOE_TRY(bind_query(binder, statement->u.insert.query, &source));
        if (source->output.column_count != listed) {
            return floe_sql_bind_error(binder, statement->u.insert.query->position, FLOE_ESYNTAX,
                                       "INSERT has %u target columns but the query gives %u", listed,
                                       source->output.column_count);
        }
        FLOE_TRY(new_plan(binder, FLOE_SQL_PLAN_PROJECT, 1, width, &plan));
        plan->inputs[0] = source;
        plan->u.project.expressions = arena_array(binder, width, sizeof(floe_sql_expression *));
        if (plan->u.project.expressions == NULL) return out_of_memory(binder);
        for (uint32_t c = 0; c < width; c++) {
            const floe_sql_table_column *column = &table->columns[c];
            floe_sql_expression *e;
            if (source_of[c] == UINT32_MAX) {
                e = floe_sql_expression_constant(binder->arena, floe_sql_value_null(column->type));
                if (e == NULL) return out_of_memory(binder);
            } else {
                const floe_sql_column *from = &source->output.columns[source_of[c]];
                e = floe_sql_expression_column(binder->arena, source_of[c], from->type, from->nullable);
                if (e == NULL) return out_of_memory(binder);
                snprintf(what, sizeof what, "column %s", column->name);
                if (!floe_type_equal(from->type, column->type) &&
                    !floe_sql_type_can_cast(from->type, column->type)) {
                    char l[40], r[40];
                    return floe_sql_bind_error(binder, statement->u.insert.query->position, FLOE_ETYPE,
                                               "cannot insert %s into column %s %s",
                                               floe_type_format(from->type, l, sizeof l), column->name,
                                               floe_type_format(column->type, r, sizeof r));
                }
                FLOE_TRY(floe_sql_bind_cast(binder, e, NULL, column->type, what, &e));
            }
            plan->u.project.expressions[c] = e;
            plan->output.columns[c] = (floe_sql_column){column->name, column->type, e->nullable};
        }
    }
    bound->plan = plan;
    return FLOE_OK;
}

static int bind_delete(floe_sql_binder *binder, const floe_sql_statement *statement,
                       floe_sql_bound_statement *bound)
{
    FLOE_TRY(resolve_named(binder, &statement->table, &bound->target));
    if (statement->u.delete_.where == NULL) return FLOE_OK;
    const floe_sql_table *table = &bound->target;
    bind_scope scope;
    memset(&scope, 0, sizeof scope);
    scope.columns = arena_array(binder, table->column_count, sizeof *scope.columns);
    if (scope.columns == NULL) return out_of_memory(binder);
    scope.column_count = table->column_count;
    for (uint32_t i = 0; i < table->column_count; i++) {
        scope.columns[i] = (bind_scope_column){statement->table.name, table->columns[i].name,
                                               table->columns[i].type, table->columns[i].nullable};
    }
    FLOE_TRY(scope_add_qualifier(binder, &scope, statement->table.name, statement->table.position));
    bind_context context;
    memset(&context, 0, sizeof context);
    context.binder = binder;
    context.scope = &scope;
    context.clause = "WHERE";
    return floe_sql_bind_predicate(&context, statement->u.delete_.where, "WHERE clause",
                                   &bound->delete_predicate);
}

static int table_identity(floe_sql_binder *binder, const floe_sql_name *name, const char **identity)
{
    const char *namespace_name = name->namespace_name;
    if (namespace_name == NULL) namespace_name = binder->catalog->default_namespace;
    size_t n = (namespace_name ? strlen(namespace_name) + 1 : 0) + strlen(name->name);
    char *text = floe_arena_alloc(binder->arena, n + 1);
    if (text == NULL) return out_of_memory(binder);
    snprintf(text, n + 1, "%s%s%s", namespace_name ? namespace_name : "",
             namespace_name ? "." : "", name->name);
    *identity = text;
    return FLOE_OK;
}

static int schema_to_table(floe_sql_binder *binder, const floe_sql_name *name,
                           const floe_sql_schema *schema, floe_sql_table *table)
{
    memset(table, 0, sizeof *table);
    table->kind = FLOE_SQL_TABLE_KIND_NAMED;
    FLOE_TRY(table_identity(binder, name, &table->identity));
    table->name = table->identity;
    floe_sql_table_column *columns = arena_array(binder, schema->column_count, sizeof *columns);
    if (columns == NULL) return out_of_memory(binder);
    for (uint32_t i = 0; i < schema->column_count; i++) {
        columns[i] = (floe_sql_table_column){schema->columns[i].name, schema->columns[i].type,
                                             schema->columns[i].nullable, (int32_t)i + 1};
    }
    table->columns = columns;
    table->column_count = schema->column_count;
    return FLOE_OK;
}

static int bind_create_dynamic(floe_sql_binder *binder, const floe_sql_statement *statement,
                               floe_sql_bound_statement *bound)
{
    const floe_sql_query *query = statement->u.create_dynamic.query;
    if (query->order_by_count > 0 || query->has_limit || query->has_offset) {
        return floe_sql_bind_error(binder, query->position, FLOE_ESYNTAX,
                                   "a dynamic table's query cannot have ORDER BY, LIMIT or OFFSET");
    }
    FLOE_TRY(bind_query(binder, query, &bound->plan));
    if (binder->read_parquet_used) {
        return floe_sql_bind_error(binder, query->position, FLOE_ESYNTAX,
                                   "a dynamic table cannot read read_parquet(): ingest the files "
                                   "into a table first");
    }
    FLOE_TRY(schema_to_table(binder, &statement->table, &bound->plan->output, &bound->target));
    for (uint32_t i = 0; i < binder->source_count; i++) {
        if (strcmp(binder->sources[i], bound->target.identity) == 0) {
            return floe_sql_bind_error(binder, statement->table.position, FLOE_ESYNTAX,
                                       "dynamic table %s cannot read itself", bound->target.identity);
        }
    }
    const floe_sql_schema *output = &bound->plan->output;
    for (uint32_t i = 0; i < output->column_count; i++) {
        if (strncmp(output->columns[i].name, "_floe_", 6) == 0) {
            return floe_sql_bind_error(binder, query->position, FLOE_ESYNTAX,
                                       "column name %s is reserved (the _floe_ prefix is Floe's)",
                                       output->columns[i].name);
        }
        for (uint32_t j = 0; j < i; j++) {
            if (strcmp(output->columns[i].name, output->columns[j].name) == 0) {
                return floe_sql_bind_error(binder, query->position, FLOE_ESYNTAX,
                                           "the query has two columns named %s (name them with AS)",
                                           output->columns[i].name);
            }
        }
    }
    bound->sources = binder->sources;
    bound->source_count = binder->source_count;
    return FLOE_OK;
}

static int bind_create_table(floe_sql_binder *binder, const floe_sql_statement *statement,
                             floe_sql_bound_statement *bound)
{
    size_t n = statement->u.create_table.column_count;
    floe_sql_schema schema = {arena_array(binder, n, sizeof(floe_sql_column)), (uint32_t)n};
    if (schema.columns == NULL) return out_of_memory(binder);
    for (size_t i = 0; i < n; i++) {
        const floe_sql_column_def *def = &statement->u.create_table.columns[i];
        for (size_t j = 0; j < i; j++) {
            if (strcmp(statement->u.create_table.columns[j].name, def->name) == 0) {
                return floe_sql_bind_error(binder, def->position, FLOE_ESYNTAX,
                                           "column \"%s\" is defined twice", def->name);
            }
        }
        if (strncmp(def->name, "_floe_", 6) == 0) {
            return floe_sql_bind_error(binder, def->position, FLOE_ESYNTAX,
                                       "column name %s is reserved (the _floe_ prefix is Floe's)",
                                       def->name);
        }
        schema.columns[i] = (floe_sql_column){def->name, def->type, !def->not_null};
    }
    return schema_to_table(binder, &statement->table, &schema, &bound->target);
}

/* What a new column may be, before any table is looked at: not one of Floe's own, and nullable,
 * since the table's rows have no value for it. */
static int bind_add_column(floe_sql_binder *binder, const floe_sql_statement *statement)
{
    const floe_sql_column_def *def = &statement->u.add_column;
    if (strncmp(def->name, "_floe_", 6) == 0)
        return floe_sql_bind_error(binder, def->position, FLOE_ESYNTAX,
                                   "column name %s is reserved (the _floe_ prefix is Floe's)",
                                   def->name);
    if (def->not_null)
        return floe_sql_bind_error(binder, def->position, FLOE_EUNSUPPORTED,
                                   "an added column cannot be NOT NULL: the table's rows have no "
                                   "value for %s",
                                   def->name);
    return FLOE_OK;
}

int floe_sql_bind_statement(const floe_sql_catalog *catalog, const floe_sql_statement *statement,
                            floe_arena *arena, floe_sql_bound_statement *bound, floe_error *err)
{
    memset(bound, 0, sizeof *bound);
    bound->kind = statement->kind;
    bound->statement = statement;
    floe_sql_binder binder;
    memset(&binder, 0, sizeof binder);
    binder.catalog = catalog;
    binder.arena = arena;
    binder.err = err;
    switch (statement->kind) {
    case FLOE_SQL_STATEMENT_SELECT: return bind_query(&binder, statement->u.select, &bound->plan);
    case FLOE_SQL_STATEMENT_CREATE_DYNAMIC_TABLE: return bind_create_dynamic(&binder, statement, bound);
    case FLOE_SQL_STATEMENT_CREATE_TABLE: return bind_create_table(&binder, statement, bound);
    case FLOE_SQL_STATEMENT_ALTER_TABLE_ADD_COLUMN: return bind_add_column(&binder, statement);
    case FLOE_SQL_STATEMENT_INSERT: return bind_insert(&binder, statement, bound);
    case FLOE_SQL_STATEMENT_DELETE: return bind_delete(&binder, statement, bound);
    case FLOE_SQL_STATEMENT_EXPLAIN: {
        bound->explained = floe_arena_alloc_zero(arena, sizeof *bound->explained);
        if (bound->explained == NULL) return out_of_memory(&binder);
        return floe_sql_bind_statement(catalog, statement->u.explained, arena, bound->explained, err);
    }
    default: return FLOE_OK; /* descriptors: the AST says everything */
    }
}

int floe_sql_plan_statement(const floe_sql_catalog *catalog, const floe_sql_statement *statement,
                            floe_arena *arena, floe_sql_bound_statement *bound, floe_error *err)
{
    FLOE_TRY(floe_sql_bind_statement(catalog, statement, arena, bound, err));
    for (floe_sql_bound_statement *b = bound; b != NULL; b = b->explained) {
        if (b->plan != NULL) FLOE_TRY(floe_sql_plan_optimize(arena, b->plan, &b->plan, err));
    }
    return FLOE_OK;
}
