/*
 * plan_case_runner.h — the data-file runner shared by test_binder.c and test_planner.c (static
 * functions only: each test program includes it once).
 *
 * The fixed in-memory catalog (unqualified names resolve in namespace "bronze"):
 *   bronze.orders    (id BIGINT NOT NULL, customer_id BIGINT, region VARCHAR,
 *                     amount DECIMAL(12,2), ts TIMESTAMP)
 *   bronze.customers (id BIGINT NOT NULL, name VARCHAR, segment VARCHAR)
 *   bronze.events    (k INTEGER, d DATE, f DOUBLE, r REAL, ok BOOLEAN, big DECIMAL(30,6))
 *   tpch.lineitem, tpch.orders, tpch.customer, tpch.supplier, tpch.nation, tpch.region (TPC-H
 *                     columns; keys and integers INTEGER, money DECIMAL(15,2), dates DATE)
 *   '/lake/raw/clicks' (a path table: user_id BIGINT, url VARCHAR)
 *   read_parquet('/data/x.parquet') (a: INTEGER, b: VARCHAR); any other path is not found.
 * Field ids are 1..n in column order.
 *
 * Case file format (every .sql file in tests/sql/<folder>/):
 *   -- name: what it checks
 *   SQL (one statement, any number of lines)
 *   -- plan:            the optimized plan as printed (floe_sql_plan_statement), lines follow
 *   -- bound:           the binder's plan before optimizing
 *   -- error CODE: msg  the statement fails with FLOE_<CODE> and exactly msg
 * Expected text runs until the next "-- name:" line (blank lines at its end ignored).
 * Statements that are not queries print a header line first (see describe()).
 * With FLOE_PLAN_CASES_SHOW=1 the runner prints what each case produced (for writing cases).
 */
#ifndef FLOE_TESTS_SQL_PLAN_CASE_RUNNER_H
#define FLOE_TESTS_SQL_PLAN_CASE_RUNNER_H

#include "kernels/memory.h"
#include "kernels/status.h"
#include "sql/binder.h"
#include "sql/parser.h"
#include "sql/plan.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T(id) {FLOE_TYPE_##id, 0, 0}
#define DEC(p, s) {FLOE_TYPE_DECIMAL, p, s}

static const floe_sql_table_column orders_columns[] = {
    {"id", T(INT64), false, 1}, {"customer_id", T(INT64), true, 2}, {"region", T(STRING), true, 3},
    {"amount", DEC(12, 2), true, 4}, {"ts", T(TIMESTAMP), true, 5}};
static const floe_sql_table_column customers_columns[] = {
    {"id", T(INT64), false, 1}, {"name", T(STRING), true, 2}, {"segment", T(STRING), true, 3}};
static const floe_sql_table_column events_columns[] = {
    {"k", T(INT32), true, 1}, {"d", T(DATE), true, 2}, {"f", T(FLOAT64), true, 3},
    {"r", T(FLOAT32), true, 4}, {"ok", T(BOOLEAN), true, 5}, {"big", DEC(30, 6), true, 6}};
static const floe_sql_table_column lineitem_columns[] = {
    {"l_orderkey", T(INT32), false, 1}, {"l_partkey", T(INT32), false, 2},
    {"l_suppkey", T(INT32), false, 3}, {"l_linenumber", T(INT32), false, 4},
    {"l_quantity", DEC(15, 2), false, 5}, {"l_extendedprice", DEC(15, 2), false, 6},
    {"l_discount", DEC(15, 2), false, 7}, {"l_tax", DEC(15, 2), false, 8},
    {"l_returnflag", T(STRING), false, 9}, {"l_linestatus", T(STRING), false, 10},
    {"l_shipdate", T(DATE), false, 11}, {"l_commitdate", T(DATE), false, 12},
    {"l_receiptdate", T(DATE), false, 13}, {"l_shipinstruct", T(STRING), false, 14},
    {"l_shipmode", T(STRING), false, 15}, {"l_comment", T(STRING), false, 16}};
static const floe_sql_table_column tpch_orders_columns[] = {
    {"o_orderkey", T(INT32), false, 1}, {"o_custkey", T(INT32), false, 2},
    {"o_orderstatus", T(STRING), false, 3}, {"o_totalprice", DEC(15, 2), false, 4},
    {"o_orderdate", T(DATE), false, 5}, {"o_orderpriority", T(STRING), false, 6},
    {"o_clerk", T(STRING), false, 7}, {"o_shippriority", T(INT32), false, 8},
    {"o_comment", T(STRING), false, 9}};
static const floe_sql_table_column customer_columns[] = {
    {"c_custkey", T(INT32), false, 1}, {"c_name", T(STRING), false, 2},
    {"c_address", T(STRING), false, 3}, {"c_nationkey", T(INT32), false, 4},
    {"c_phone", T(STRING), false, 5}, {"c_acctbal", DEC(15, 2), false, 6},
    {"c_mktsegment", T(STRING), false, 7}, {"c_comment", T(STRING), false, 8}};
static const floe_sql_table_column supplier_columns[] = {
    {"s_suppkey", T(INT32), false, 1}, {"s_name", T(STRING), false, 2},
    {"s_address", T(STRING), false, 3}, {"s_nationkey", T(INT32), false, 4},
    {"s_phone", T(STRING), false, 5}, {"s_acctbal", DEC(15, 2), false, 6},
    {"s_comment", T(STRING), false, 7}};
static const floe_sql_table_column nation_columns[] = {
    {"n_nationkey", T(INT32), false, 1}, {"n_name", T(STRING), false, 2},
    {"n_regionkey", T(INT32), false, 3}, {"n_comment", T(STRING), false, 4}};
static const floe_sql_table_column region_columns[] = {
    {"r_regionkey", T(INT32), false, 1}, {"r_name", T(STRING), false, 2},
    {"r_comment", T(STRING), false, 3}};
static const floe_sql_table_column clicks_columns[] = {
    {"user_id", T(INT64), true, 1}, {"url", T(STRING), true, 2}};
static const floe_sql_table_column parquet_columns[] = {
    {"a", T(INT32), true, -1}, {"b", T(STRING), true, -1}};

typedef struct test_table {
    const char *namespace_name, *name;
    const floe_sql_table_column *columns;
    uint32_t column_count;
} test_table;

#define TABLE(ns, n, cols) {ns, n, cols, sizeof cols / sizeof cols[0]}
static const test_table test_tables[] = {
    TABLE("bronze", "orders", orders_columns),     TABLE("bronze", "customers", customers_columns),
    TABLE("bronze", "events", events_columns),     TABLE("tpch", "lineitem", lineitem_columns),
    TABLE("tpch", "orders", tpch_orders_columns),  TABLE("tpch", "customer", customer_columns),
    TABLE("tpch", "supplier", supplier_columns),   TABLE("tpch", "nation", nation_columns),
    TABLE("tpch", "region", region_columns),
};

static int test_resolve_name(void *context, const char *namespace_name, const char *name,
                             floe_arena *arena, floe_sql_table *table, floe_error *err)
{
    (void)context;
    (void)err;
    const char *ns = namespace_name ? namespace_name : "bronze";
    for (size_t i = 0; i < sizeof test_tables / sizeof test_tables[0]; i++) {
        const test_table *t = &test_tables[i];
        if (strcmp(t->namespace_name, ns) != 0 || strcmp(t->name, name) != 0) continue;
        char identity[128];
        snprintf(identity, sizeof identity, "%s.%s", ns, name);
        table->identity = floe_arena_strndup(arena, identity, strlen(identity));
        if (table->identity == NULL) return FLOE_ENOMEM;
        table->name = table->identity;
        table->columns = t->columns;
        table->column_count = t->column_count;
        return FLOE_OK;
    }
    return FLOE_ENOTFOUND;
}

static int test_resolve_path(void *context, const char *path, floe_arena *arena,
                             floe_sql_table *table, floe_error *err)
{
    (void)context;
    (void)arena;
    (void)err;
    if (strcmp(path, "/lake/raw/clicks") != 0) return FLOE_ENOTFOUND;
    table->identity = "/lake/raw/clicks";
    table->name = "'/lake/raw/clicks'";
    table->columns = clicks_columns;
    table->column_count = 2;
    return FLOE_OK;
}

static int test_resolve_parquet(void *context, const char *path, floe_arena *arena,
                                floe_sql_table *table, floe_error *err)
{
    (void)context;
    (void)arena;
    (void)err;
    if (strcmp(path, "/data/x.parquet") != 0) return FLOE_ENOTFOUND;
    table->identity = "/data/x.parquet";
    table->name = "read_parquet('/data/x.parquet')";
    table->columns = parquet_columns;
    table->column_count = 2;
    return FLOE_OK;
}

static const floe_sql_catalog test_catalog = {NULL, test_resolve_name, test_resolve_path,
                                              test_resolve_parquet, "bronze"};

/* ---- text ---- */

typedef struct case_text {
    char *data;
    size_t length, capacity;
} case_text;

static void text_append(case_text *t, const char *bytes, size_t count)
{
    if (t->length + count + 1 > t->capacity) {
        size_t capacity = t->capacity ? t->capacity : 256;
        while (capacity < t->length + count + 1) capacity *= 2;
        t->data = realloc(t->data, capacity);
        ck_assert_ptr_nonnull(t->data);
        t->capacity = capacity;
    }
    memcpy(t->data + t->length, bytes, count);
    t->length += count;
    t->data[t->length] = '\0';
}

static void text_add(case_text *t, const char *s) { text_append(t, s, strlen(s)); }

static void text_trim(case_text *t)
{
    while (t->length > 0 && (t->data[t->length - 1] == '\n' || t->data[t->length - 1] == ' ')) {
        t->data[--t->length] = '\0';
    }
}

static void describe_plan(case_text *out, const floe_sql_plan *plan)
{
    char *text = NULL;
    ck_assert_int_eq(floe_sql_plan_format(plan, &text, NULL, NULL), 0);
    text_add(out, text);
    floe_free(text);
}

static void describe_table(case_text *out, const floe_sql_table *table)
{
    text_add(out, table->identity);
    text_add(out, " (");
    for (uint32_t i = 0; i < table->column_count; i++) {
        char type[40];
        if (i > 0) text_add(out, ", ");
        text_add(out, table->columns[i].name);
        text_add(out, " ");
        text_add(out, floe_type_format(table->columns[i].type, type, sizeof type));
        if (!table->columns[i].nullable) text_add(out, " NOT NULL");
    }
    text_add(out, ")\n");
}

/* What a bound statement says, as text. */
static void describe(case_text *out, const floe_sql_bound_statement *bound)
{
    switch (bound->kind) {
    case FLOE_SQL_STATEMENT_SELECT: break;
    case FLOE_SQL_STATEMENT_EXPLAIN:
        text_add(out, "EXPLAIN\n");
        describe(out, bound->explained);
        return;
    case FLOE_SQL_STATEMENT_CREATE_DYNAMIC_TABLE:
        text_add(out, "CREATE DYNAMIC TABLE ");
        describe_table(out, &bound->target);
        text_add(out, "sources:");
        for (uint32_t i = 0; i < bound->source_count; i++) {
            text_add(out, " ");
            text_add(out, bound->sources[i]);
        }
        text_add(out, "\n");
        break;
    case FLOE_SQL_STATEMENT_CREATE_TABLE:
        text_add(out, "CREATE TABLE ");
        describe_table(out, &bound->target);
        return;
    case FLOE_SQL_STATEMENT_INSERT:
        text_add(out, "INSERT INTO ");
        text_add(out, bound->target.identity);
        text_add(out, "\n");
        break;
    case FLOE_SQL_STATEMENT_DELETE: {
        text_add(out, "DELETE FROM ");
        text_add(out, bound->target.identity);
        if (bound->delete_predicate != NULL) {
            floe_sql_column columns[64];
            floe_sql_schema schema = {columns, bound->target.column_count};
            for (uint32_t i = 0; i < bound->target.column_count && i < 64; i++) {
                columns[i] = (floe_sql_column){bound->target.columns[i].name,
                                               bound->target.columns[i].type, true};
            }
            char *text = NULL;
            ck_assert_int_eq(floe_sql_expression_format(bound->delete_predicate, &schema, &text,
                                                        NULL, NULL), 0);
            text_add(out, " WHERE ");
            text_add(out, text);
            floe_free(text);
        }
        text_add(out, "\n");
        return;
    }
    default:
        text_add(out, "PASS THROUGH\n");
        return;
    }
    if (bound->plan != NULL) describe_plan(out, bound->plan);
}

static const char *code_word(int code)
{
    switch (code) {
    case FLOE_ENOTFOUND: return "ENOTFOUND";
    case FLOE_ETYPE: return "ETYPE";
    case FLOE_ESYNTAX: return "ESYNTAX";
    case FLOE_EUNSUPPORTED: return "EUNSUPPORTED";
    case FLOE_ENOMEM: return "ENOMEM";
    case FLOE_EINVAL: return "EINVAL";
    case FLOE_OK: return "OK";
    default: return "OTHER";
    }
}

typedef struct case_totals {
    int valid, errors, failures;
} case_totals;

/* Binds one SQL text; fills `out` with the description, or "error CODE: message". */
static void run_sql(const char *sql, bool optimize, case_text *out)
{
    floe_sql_script *script = NULL;
    floe_error err;
    floe_error_clear(&err);
    int status = floe_sql_parse_statement(sql, strlen(sql), &script, &err);
    if (status == FLOE_OK) {
        floe_arena arena;
        floe_arena_init(&arena, 0, 0);
        floe_sql_bound_statement bound;
        status = optimize ? floe_sql_plan_statement(&test_catalog, script->statements[0], &arena,
                                                    &bound, &err)
                          : floe_sql_bind_statement(&test_catalog, script->statements[0], &arena,
                                                    &bound, &err);
        if (status == FLOE_OK) describe(out, &bound);
        floe_arena_fini(&arena);
    }
    floe_sql_script_free(script);
    if (status != FLOE_OK) {
        text_add(out, "error ");
        text_add(out, code_word(status));
        text_add(out, ": ");
        text_add(out, err.message);
    }
    text_trim(out);
}

static void run_case(const char *file, int line, const char *name, const char *sql,
                     const char *directive, const char *expected, case_totals *totals)
{
    bool error_case = strncmp(directive, "error", 5) == 0;
    case_text got = {0};
    text_add(&got, "");
    run_sql(sql, strcmp(directive, "bound") != 0, &got);
    case_text want = {0};
    text_add(&want, "");
    if (error_case) {
        text_add(&want, directive);
        text_add(&want, ": ");
    }
    while (*expected == '\n') expected++;
    text_add(&want, expected);
    text_trim(&want);
    if (error_case) totals->errors++;
    else totals->valid++;
    if (getenv("FLOE_PLAN_CASES_SHOW") != NULL) {
        fprintf(stderr, "-- name: %s\n%s\n-- %s%s\n", name, sql, error_case ? "" : directive,
                error_case ? got.data + 0 : ":");
        if (!error_case) fprintf(stderr, "%s\n\n", got.data);
        else fprintf(stderr, "\n");
    }
    if (strcmp(got.data, want.data) != 0) {
        fprintf(stderr, "%s:%d: case '%s'\n  expected:\n%s\n  got:\n%s\n", file, line, name,
                want.data, got.data);
        totals->failures++;
    }
    free(got.data);
    free(want.data);
}

/* Runs every case of one file. */
static void run_case_file(const char *path, case_totals *totals)
{
    FILE *file = fopen(path, "r");
    ck_assert_msg(file != NULL, "cannot open %s", path);
    char line[4096];
    case_text sql = {0}, expected = {0};
    char name[256] = "", directive[64] = "";
    int case_line = 0, number = 0;
    enum { OUTSIDE, IN_SQL, IN_EXPECTED } state = OUTSIDE;
    for (;;) {
        char *got = fgets(line, sizeof line, file);
        number++;
        bool starts_case = got != NULL && strncmp(line, "-- name:", 8) == 0;
        if (got == NULL || starts_case) {
            if (state == IN_EXPECTED) {
                run_case(path, case_line, name, sql.data, directive, expected.data ? expected.data : "",
                         totals);
            } else if (state == IN_SQL) {
                fprintf(stderr, "%s:%d: case '%s' has no directive\n", path, case_line, name);
                totals->failures++;
            }
            if (got == NULL) break;
            snprintf(name, sizeof name, "%s", line + 8 + (line[8] == ' '));
            name[strcspn(name, "\n")] = '\0';
            sql.length = expected.length = 0;
            text_add(&sql, "");
            text_add(&expected, "");
            case_line = number;
            state = IN_SQL;
            continue;
        }
        if (state == IN_SQL && strncmp(line, "-- ", 3) == 0 &&
            (strncmp(line + 3, "plan:", 5) == 0 || strncmp(line + 3, "bound:", 6) == 0 ||
             strncmp(line + 3, "error ", 6) == 0)) {
            char *colon = strchr(line + 3, ':');
            size_t n = (size_t)(colon - (line + 3));
            snprintf(directive, sizeof directive, "%.*s", (int)n, line + 3);
            const char *rest = colon + 1;
            while (*rest == ' ') rest++;
            text_add(&expected, rest);
            state = IN_EXPECTED;
            continue;
        }
        if (state == IN_SQL) text_add(&sql, line);
        else if (state == IN_EXPECTED) text_add(&expected, line);
    }
    fclose(file);
    free(sql.data);
    free(expected.data);
}

/* Runs every .sql file in $FLOE_TEST_DATA/../sql/<folder>, sorted by name. */
static case_totals run_case_folder(const char *folder)
{
    const char *data = getenv("FLOE_TEST_DATA");
    ck_assert_msg(data != NULL, "FLOE_TEST_DATA is not set");
    char directory[512];
    snprintf(directory, sizeof directory, "%.400s/../sql/%.64s", data, folder);
    DIR *dir = opendir(directory);
    ck_assert_msg(dir != NULL, "cannot open %s", directory);
    char names[64][256];
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL && count < 64) {
        size_t n = strlen(entry->d_name);
        if (n > 4 && strcmp(entry->d_name + n - 4, ".sql") == 0) {
            snprintf(names[count++], sizeof names[0], "%s", entry->d_name);
        }
    }
    closedir(dir);
    qsort(names, (size_t)count, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    case_totals totals = {0, 0, 0};
    for (int i = 0; i < count; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%.500s/%.255s", directory, names[i]);
        run_case_file(path, &totals);
    }
    return totals;
}

/* Binds and plans `sql` with the Nth allocation failing, for every N until it succeeds: each
 * run must succeed or fail with FLOE_ENOMEM (ASan checks nothing leaks). */
static void check_allocation_failures(const char *sql)
{
    floe_sql_script *script = NULL;
    ck_assert_int_eq(floe_sql_parse_statement(sql, strlen(sql), &script, NULL), 0);
    for (long n = 0; n < 100000; n++) {
        floe_arena arena;
        floe_arena_init(&arena, 256, 0);
        floe_sql_bound_statement bound;
        floe_error err;
        floe_set_allocation_failure_after(n);
        int status = floe_sql_plan_statement(&test_catalog, script->statements[0], &arena, &bound, &err);
        char *text = NULL;
        int format_status = status == FLOE_OK && bound.plan != NULL
                                ? floe_sql_plan_format(bound.plan, &text, NULL, NULL) : FLOE_OK;
        floe_set_allocation_failure_after(-1);
        floe_free(text);
        floe_arena_fini(&arena);
        ck_assert_msg(status == FLOE_OK || status == FLOE_ENOMEM, "status %d after %ld allocations",
                      status, n);
        ck_assert(format_status == FLOE_OK || format_status == FLOE_ENOMEM);
        if (status == FLOE_OK && format_status == FLOE_OK) break;
    }
    floe_sql_script_free(script);
}

#endif
