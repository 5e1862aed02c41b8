/*
 * Description: the logical planner (floe_sql_plan_optimize in sql/plan.h). Runs every case in
 * tests/sql/plan_cases/ (every .sql file) (format and catalog in plan_case_runner.h): predicate push-down into
 * scans and through projections, aggregates and joins (LEFT join rules), join keys from ON and
 * WHERE, comma joins, projection push-down, constant folding, and TPC-H Q1, Q3, Q5, Q6, Q10, Q12.
 * Plus a check that optimizing leaves the input plan unchanged, and allocation-failure injection.
 */
#include "plan_case_runner.h"

START_TEST(plan_cases)
{
    case_totals totals = run_case_folder("plan_cases");
    fprintf(stderr, "plan cases: %d valid, %d errors, %d failed\n", totals.valid, totals.errors,
            totals.failures);
    ck_assert_int_eq(totals.failures, 0);
    ck_assert_int_ge(totals.valid, 20);
}
END_TEST

START_TEST(input_plan_unchanged)
{
    const char *sql = "SELECT o.id FROM orders o JOIN customers c ON o.customer_id = c.id "
                      "WHERE c.segment = 'x' AND o.amount > 5";
    floe_sql_script *script = NULL;
    ck_assert_int_eq(floe_sql_parse_statement(sql, strlen(sql), &script, NULL), 0);
    floe_arena arena;
    floe_arena_init(&arena, 0, 0);
    floe_sql_bound_statement bound;
    ck_assert_int_eq(floe_sql_bind_statement(&test_catalog, script->statements[0], &arena, &bound, NULL), 0);
    char *before = NULL, *after = NULL;
    ck_assert_int_eq(floe_sql_plan_format(bound.plan, &before, NULL, NULL), 0);
    floe_sql_plan *optimized = NULL;
    ck_assert_int_eq(floe_sql_plan_optimize(&arena, bound.plan, &optimized, NULL), 0);
    ck_assert_int_eq(floe_sql_plan_format(bound.plan, &after, NULL, NULL), 0);
    ck_assert_str_eq(before, after);
    ck_assert_ptr_ne(optimized, bound.plan);
    /* The scan of customers carries a statistics check: segment = 'x'. */
    const floe_sql_plan *node = optimized;
    while (node->kind != FLOE_SQL_PLAN_JOIN) node = node->inputs[0];
    const floe_sql_plan *right = node->inputs[1];
    ck_assert_int_eq(right->kind, FLOE_SQL_PLAN_SCAN);
    ck_assert_uint_eq(right->u.scan.check_count, 1);
    ck_assert_int_eq(right->u.scan.checks[0].kind, FLOE_SQL_CHECK_COMPARE);
    ck_assert_int_eq(right->u.scan.checks[0].op, FLOE_SQL_OPERATOR_EQUAL);
    ck_assert_int_eq(right->u.scan.columns[right->u.scan.checks[0].column].field_id, 3);
    floe_free(before);
    floe_free(after);
    floe_arena_fini(&arena);
    floe_sql_script_free(script);
}
END_TEST

START_TEST(allocation_failures)
{
    check_allocation_failures(
        "SELECT n_name, sum(l_extendedprice * (1 - l_discount)) AS revenue "
        "FROM tpch.customer, tpch.orders, tpch.lineitem, tpch.supplier, tpch.nation, tpch.region "
        "WHERE c_custkey = o_custkey AND l_orderkey = o_orderkey AND l_suppkey = s_suppkey "
        "AND c_nationkey = s_nationkey AND s_nationkey = n_nationkey AND n_regionkey = r_regionkey "
        "AND r_name = 'ASIA' AND o_orderdate >= DATE '1994-01-01' AND o_orderdate < DATE '1995-01-01' "
        "GROUP BY n_name ORDER BY revenue DESC");
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("sql_planner");
    TCase *tc = tcase_create("planner");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, plan_cases);
    tcase_add_test(tc, input_plan_unchanged);
    tcase_add_test(tc, allocation_failures);
    suite_add_tcase(suite, tc);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}
