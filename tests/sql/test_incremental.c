/*
 * Description: the incrementalizer (sql/incremental.h): delta rules per node, the constructs that
 * cannot be maintained (named), aggregating vs appended output, and the delta-plan text. Queries
 * are bound and optimized against plan_case_runner.h's in-memory catalog.
 */
/* The shared runner is static functions; this program uses its catalog only. */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "plan_case_runner.h"

#include "sql/incremental.h"

typedef struct analysed {
    floe_sql_script *script;
    floe_arena arena;
    floe_sql_bound_statement bound;
    floe_sql_incremental_analysis analysis;
} analysed;

static void analyse(analysed *a, const char *sql)
{
    memset(a, 0, sizeof *a);
    ck_assert_int_eq(floe_sql_parse_statement(sql, strlen(sql), &a->script, NULL), 0);
    floe_arena_init(&a->arena, 0, 0);
    floe_error err;
    floe_error_clear(&err);
    int status = floe_sql_plan_statement(&test_catalog, a->script->statements[0], &a->arena,
                                         &a->bound, &err);
    ck_assert_msg(status == 0, "%s: %s", sql, err.message);
    ck_assert_int_eq(floe_sql_incremental_analyze(&a->arena, a->bound.plan, &a->analysis, &err), 0);
}

static void release(analysed *a)
{
    floe_arena_fini(&a->arena);
    floe_sql_script_free(a->script);
}

static const floe_sql_delta_node *find_rule(const floe_sql_incremental_analysis *analysis,
                                            floe_sql_delta_rule rule)
{
    for (uint32_t i = 0; i < analysis->node_count; i++)
        if (analysis->nodes[i].rule == rule)
            return &analysis->nodes[i];
    return NULL;
}

START_TEST(group_by_is_keyed)
{
    analysed a;
    analyse(&a, "SELECT region, sum(amount) AS total, count(*) AS n FROM bronze.orders "
                "GROUP BY region HAVING count(*) > 1");
    ck_assert(a.analysis.maintainable);
    ck_assert(a.analysis.aggregating);
    ck_assert_ptr_null(a.analysis.reason);
    const floe_sql_delta_node *aggregate = find_rule(&a.analysis, FLOE_SQL_DELTA_AGGREGATE);
    ck_assert_ptr_nonnull(aggregate);
    ck_assert_str_eq(aggregate->state, "per group: row count and accumulators");
    ck_assert_ptr_nonnull(find_rule(&a.analysis, FLOE_SQL_DELTA_SOURCE));
    ck_assert_uint_eq(a.analysis.nodes[0].depth, 0);
    release(&a);
}
END_TEST

START_TEST(extremes_and_distinct_keep_more_state)
{
    analysed a;
    analyse(&a, "SELECT region, min(amount), count(DISTINCT customer_id) FROM bronze.orders "
                "GROUP BY region");
    const floe_sql_delta_node *aggregate = find_rule(&a.analysis, FLOE_SQL_DELTA_AGGREGATE);
    ck_assert_ptr_nonnull(aggregate);
    ck_assert_ptr_nonnull(strstr(aggregate->state, "multisets for MIN/MAX"));
    ck_assert_ptr_nonnull(strstr(aggregate->state, "(group, value) for DISTINCT"));
    release(&a);

    analyse(&a, "SELECT DISTINCT region FROM bronze.orders");
    aggregate = find_rule(&a.analysis, FLOE_SQL_DELTA_AGGREGATE);
    ck_assert_ptr_nonnull(aggregate);
    ck_assert_str_eq(aggregate->state, "count per distinct row");
    release(&a);
}
END_TEST

START_TEST(filter_project_appends)
{
    analysed a;
    analyse(&a, "SELECT id, amount * 2 AS doubled FROM bronze.orders WHERE region = 'EU' "
                "UNION ALL SELECT id, amount FROM bronze.orders WHERE amount > 100");
    ck_assert(a.analysis.maintainable);
    ck_assert(!a.analysis.aggregating);
    ck_assert_ptr_null(find_rule(&a.analysis, FLOE_SQL_DELTA_AGGREGATE));
    ck_assert_ptr_nonnull(find_rule(&a.analysis, FLOE_SQL_DELTA_LINEAR));
    release(&a);
}
END_TEST

START_TEST(equi_joins_are_maintained)
{
    analysed a;
    analyse(&a, "SELECT c.segment, sum(o.amount) FROM bronze.orders o "
                "LEFT JOIN bronze.customers c ON o.customer_id = c.id GROUP BY c.segment");
    ck_assert(a.analysis.maintainable);
    const floe_sql_delta_node *join = find_rule(&a.analysis, FLOE_SQL_DELTA_JOIN);
    ck_assert_ptr_nonnull(join);
    ck_assert_ptr_nonnull(strstr(join->state, "right matches per left key"));
    release(&a);
}
END_TEST

START_TEST(unmaintainable_constructs_are_named)
{
    analysed a;
    analyse(&a, "SELECT o.id, c.name FROM bronze.orders o, bronze.customers c");
    ck_assert(!a.analysis.maintainable);
    ck_assert_str_eq(a.analysis.reason, "a join without an equality condition (cross product)");
    ck_assert_int_eq(a.analysis.blocking_node->kind, FLOE_SQL_PLAN_JOIN);
    release(&a);

    analyse(&a, "SELECT region, count(*) FROM (SELECT region FROM bronze.orders ORDER BY id "
                "LIMIT 10) t GROUP BY region");
    ck_assert(!a.analysis.maintainable);
    ck_assert_str_eq(a.analysis.reason, "LIMIT / OFFSET inside the query");
    release(&a);
}
END_TEST

START_TEST(format_shows_rules_per_line)
{
    analysed a;
    analyse(&a, "SELECT region, sum(amount) AS total FROM bronze.orders GROUP BY region");
    char *text = NULL;
    size_t length = 0;
    ck_assert_int_eq(floe_sql_incremental_format(&a.analysis, &text, &length, NULL), 0);
    ck_assert_uint_eq(strlen(text), length);
    ck_assert_ptr_nonnull(strstr(text, "AGGREGATE [per group: row count and accumulators]"));
    ck_assert_ptr_nonnull(strstr(text, "SCAN [source: "));
    ck_assert_ptr_nonnull(strstr(text, "incremental: yes (keyed, bucketed output)\n"));
    /* One line per node plus the verdict. */
    uint32_t lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    ck_assert_uint_eq(lines, a.analysis.node_count + 1);
    floe_free(text);
    release(&a);

    analyse(&a, "SELECT o.id FROM bronze.orders o JOIN bronze.customers c ON o.amount > 5");
    ck_assert_int_eq(floe_sql_incremental_format(&a.analysis, &text, NULL, NULL), 0);
    ck_assert_msg(strstr(text, "JOIN [not maintainable]") != NULL, "%s", text);
    ck_assert_ptr_nonnull(
        strstr(text, "incremental: no (a join without an equality condition (cross product))"));
    floe_free(text);
    release(&a);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("sql_incremental");
    TCase *tc = tcase_create("incremental");
    tcase_add_test(tc, group_by_is_keyed);
    tcase_add_test(tc, extremes_and_distinct_keep_more_state);
    tcase_add_test(tc, filter_project_appends);
    tcase_add_test(tc, equi_joins_are_maintained);
    tcase_add_test(tc, unmaintainable_constructs_are_named);
    tcase_add_test(tc, format_shows_rules_per_line);
    suite_add_tcase(suite, tc);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}
