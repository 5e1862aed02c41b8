/*
 * Description: the SQL binder (sql/binder.h). Runs every case in tests/sql/bind_cases/ (every .sql file) (format
 * and the in-memory catalog in plan_case_runner.h): valid statements must print their plan (names,
 * types, implicit casts, lowerings), error cases must fail with exactly their code and
 * "line L, column C: ..." message. Plus counts of cases, API checks and allocation-failure
 * injection.
 */
#include "plan_case_runner.h"

START_TEST(bind_cases)
{
    case_totals totals = run_case_folder("bind_cases");
    fprintf(stderr, "bind cases: %d valid, %d errors, %d failed\n", totals.valid, totals.errors,
            totals.failures);
    ck_assert_int_eq(totals.failures, 0);
    ck_assert_int_ge(totals.valid, 80);
    ck_assert_int_ge(totals.errors, 50);
}
END_TEST

START_TEST(bound_statement_fields)
{
    const char *sql = "CREATE DYNAMIC TABLE silver.s AS SELECT o.region, c.segment, count(*) AS n "
                      "FROM orders o JOIN customers c ON o.customer_id = c.id, orders o2 "
                      "GROUP BY 1, 2";
    floe_sql_script *script = NULL;
    ck_assert_int_eq(floe_sql_parse_statement(sql, strlen(sql), &script, NULL), 0);
    floe_arena arena;
    floe_arena_init(&arena, 0, 0);
    floe_sql_bound_statement bound;
    ck_assert_int_eq(floe_sql_bind_statement(&test_catalog, script->statements[0], &arena, &bound, NULL), 0);
    ck_assert_uint_eq(bound.source_count, 2);
    ck_assert_str_eq(bound.sources[0], "bronze.orders");
    ck_assert_str_eq(bound.sources[1], "bronze.customers");
    ck_assert_str_eq(bound.target.identity, "silver.s");
    ck_assert_uint_eq(bound.target.column_count, 3);
    ck_assert_int_eq(bound.target.columns[2].field_id, 3);
    ck_assert(!bound.target.columns[2].nullable);
    ck_assert_int_eq(bound.plan->kind, FLOE_SQL_PLAN_PROJECT);
    floe_arena_fini(&arena);
    floe_sql_script_free(script);
}
END_TEST

START_TEST(no_catalog_callbacks)
{
    const char *sql = "SELECT * FROM '/lake/raw/clicks'";
    floe_sql_script *script = NULL;
    ck_assert_int_eq(floe_sql_parse_statement(sql, strlen(sql), &script, NULL), 0);
    floe_arena arena;
    floe_arena_init(&arena, 0, 0);
    floe_sql_catalog names_only = {NULL, test_resolve_name, NULL, NULL, "bronze"};
    floe_sql_bound_statement bound;
    floe_error err;
    ck_assert_int_eq(floe_sql_bind_statement(&names_only, script->statements[0], &arena, &bound, &err),
                     FLOE_EUNSUPPORTED);
    ck_assert_str_eq(err.message, "line 1, column 15: path tables are not available here");
    floe_arena_fini(&arena);
    floe_sql_script_free(script);
}
END_TEST

START_TEST(allocation_failures)
{
    check_allocation_failures("SELECT region, sum(amount) AS total, count(DISTINCT customer_id) "
                              "FROM orders WHERE amount BETWEEN 1 AND 10 AND region IN ('a', 'b') "
                              "GROUP BY region HAVING count(*) > 1 ORDER BY total DESC LIMIT 5");
    check_allocation_failures("INSERT INTO orders (id, region) VALUES (1, 'x'), (2, NULL)");
    check_allocation_failures("CREATE DYNAMIC TABLE s.t AS SELECT c.name, o.amount FROM orders o "
                              "LEFT JOIN customers c ON o.customer_id = c.id "
                              "UNION ALL SELECT 'x', 1.5");
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("sql_binder");
    TCase *tc = tcase_create("binder");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, bind_cases);
    tcase_add_test(tc, bound_statement_fields);
    tcase_add_test(tc, no_catalog_callbacks);
    tcase_add_test(tc, allocation_failures);
    suite_add_tcase(suite, tc);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}
