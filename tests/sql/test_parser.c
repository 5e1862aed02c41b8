/*
 * Description: the SQL parser and printer. Runs every case in the .sql files of tests/sql/cases/ (found as
 * $FLOE_TEST_DATA/../sql/cases): a valid case must print to its expected canonical text, and that
 * text must parse back and print the same (a fixed point); an error case must fail with exactly
 * its message and code. Plus AST field checks, depth limits and allocation-failure injection.
 *
 * Case file format (adding a case is adding lines, adding a file adds a group):
 *
 *   -- name: simple aggregate
 *   SELECT region, SUM(amount)
 *     FROM bronze.orders GROUP BY region;
 *   -- expect: SELECT region, sum(amount) FROM bronze.orders GROUP BY region
 *
 *   -- name: missing expression
 *   SELECT FROM t;
 *   -- error: line 1, column 8: expected an expression but found FROM
 *
 * Every line between "-- name:" and the directive is the case's SQL (other "--" lines included,
 * so comments can be tested); line numbers in messages count from the case's first SQL line.
 * Directives: "-- expect:" (the statements' canonical texts joined by "; "), "-- error:"
 * (FLOE_ESYNTAX) and "-- unsupported:" (FLOE_EUNSUPPORTED). Lines after the directive, up to the
 * next "-- name:", are ignored.
 */
#include "kernels/memory.h"
#include "kernels/status.h"
#include "sql/ast.h"
#include "sql/parser.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the case runner ---- */

typedef struct text_buffer {
    char *data;
    size_t length, capacity;
} text_buffer;

static void buffer_append(text_buffer *buffer, const char *bytes, size_t count)
{
    if (buffer->length + count + 1 > buffer->capacity) {
        size_t capacity = buffer->capacity ? buffer->capacity : 256;
        while (capacity < buffer->length + count + 1) capacity *= 2;
        buffer->data = realloc(buffer->data, capacity);
        ck_assert_ptr_nonnull(buffer->data);
        buffer->capacity = capacity;
    }
    memcpy(buffer->data + buffer->length, bytes, count);
    buffer->length += count;
    buffer->data[buffer->length] = '\0';
}

/* Canonical text of a whole script: statements joined by "; ". Returns a malloc'd string. */
static char *format_script(const floe_sql_script *script)
{
    text_buffer out = {0};
    buffer_append(&out, "", 0);
    for (size_t i = 0; i < script->statement_count; i++) {
        char *text = NULL;
        size_t length = 0;
        ck_assert_int_eq(floe_sql_format_statement(script->statements[i], &text, &length, NULL), 0);
        if (i > 0) buffer_append(&out, "; ", 2);
        buffer_append(&out, text, length);
        floe_free(text);
    }
    return out.data;
}

typedef struct case_totals {
    int valid, errors, failures;
} case_totals;

static void report(case_totals *totals, const char *file, int line, const char *name,
                   const char *what, const char *expected, const char *got)
{
    fprintf(stderr, "%s:%d: case '%s': %s\n  expected: %s\n  got:      %s\n", file, line, name, what,
            expected, got);
    totals->failures++;
}

typedef enum { EXPECT_TEXT, EXPECT_ERROR, EXPECT_UNSUPPORTED } expectation;

static void run_case(case_totals *totals, const char *file, int line, const char *name,
                     const char *sql, expectation kind, const char *expected)
{
    floe_sql_script *script = NULL;
    floe_error err;
    floe_error_clear(&err);
    int status = floe_sql_parse_script(sql, strlen(sql), &script, &err);
    if (kind != EXPECT_TEXT) {
        totals->errors++;
        int code = kind == EXPECT_ERROR ? FLOE_ESYNTAX : FLOE_EUNSUPPORTED;
        if (status == FLOE_OK) {
            char *got = format_script(script);
            report(totals, file, line, name, "parsed but should fail", expected, got);
            free(got);
            floe_sql_script_free(script);
        } else if (status != code || strcmp(err.message, expected) != 0) {
            char got[1200];
            snprintf(got, sizeof got, "[%s] %s", floe_status_name(status), err.message);
            report(totals, file, line, name,
                   status != code ? "wrong error code" : "wrong error message", expected, got);
        }
        return;
    }
    totals->valid++;
    if (status != FLOE_OK) {
        report(totals, file, line, name, "failed to parse", expected, err.message);
        return;
    }
    char *got = format_script(script);
    floe_sql_script_free(script);
    if (strcmp(got, expected) != 0) {
        report(totals, file, line, name, "wrong canonical text", expected, got);
        free(got);
        return;
    }
    /* The canonical text is a fixed point of parse-then-print. */
    status = floe_sql_parse_script(got, strlen(got), &script, &err);
    if (status != FLOE_OK) {
        report(totals, file, line, name, "canonical text does not re-parse", got, err.message);
    } else {
        char *again = format_script(script);
        if (strcmp(again, got) != 0)
            report(totals, file, line, name, "canonical text is not a fixed point", got, again);
        free(again);
        floe_sql_script_free(script);
    }
    free(got);
}

static int starts_with(const char *line, const char *prefix)
{
    return strncmp(line, prefix, strlen(prefix)) == 0;
}

static void run_case_file(case_totals *totals, const char *path, const char *file_name)
{
    FILE *file = fopen(path, "r");
    ck_assert_msg(file != NULL, "cannot open %s", path);
    char line[8192];
    char name[512] = "";
    text_buffer sql = {0};
    int in_case = 0, line_number = 0, case_line = 0;
    while (fgets(line, sizeof line, file) != NULL) {
        line_number++;
        size_t length = strlen(line);
        while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r'))
            line[--length] = '\0';
        if (starts_with(line, "-- name:")) {
            ck_assert_msg(!in_case, "%s:%d: case '%s' has no directive", file_name, line_number, name);
            snprintf(name, sizeof name, "%s", line + 8 + (line[8] == ' '));
            sql.length = 0;
            buffer_append(&sql, "", 0);
            in_case = 1;
            case_line = line_number;
            continue;
        }
        if (!in_case) continue;
        expectation kind;
        const char *rest = NULL;
        if (starts_with(line, "-- expect:")) {
            kind = EXPECT_TEXT;
            rest = line + 10;
        } else if (starts_with(line, "-- error:")) {
            kind = EXPECT_ERROR;
            rest = line + 9;
        } else if (starts_with(line, "-- unsupported:")) {
            kind = EXPECT_UNSUPPORTED;
            rest = line + 15;
        } else {
            buffer_append(&sql, line, length);
            buffer_append(&sql, "\n", 1);
            continue;
        }
        if (*rest == ' ') rest++;
        /* The SQL ends with the newline of its last line; drop that one. */
        if (sql.length > 0 && sql.data[sql.length - 1] == '\n') sql.data[--sql.length] = '\0';
        run_case(totals, file_name, case_line, name, sql.data, kind, rest);
        in_case = 0;
    }
    ck_assert_msg(!in_case, "%s: the last case '%s' has no directive", file_name, name);
    fclose(file);
    free(sql.data);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

START_TEST(case_files)
{
    const char *data = getenv("FLOE_TEST_DATA");
    ck_assert_msg(data != NULL, "FLOE_TEST_DATA is not set");
    char folder[4096];
    snprintf(folder, sizeof folder, "%s/../sql/cases", data);
    DIR *directory = opendir(folder);
    ck_assert_msg(directory != NULL, "cannot open %s", folder);
    char *names[256];
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(directory)) != NULL) {
        size_t length = strlen(entry->d_name);
        if (length > 4 && strcmp(entry->d_name + length - 4, ".sql") == 0 && count < 256)
            {
            names[count] = malloc(length + 1);
            ck_assert_ptr_nonnull(names[count]);
            memcpy(names[count++], entry->d_name, length + 1);
        }
    }
    closedir(directory);
    qsort(names, count, sizeof names[0], compare_names);
    case_totals totals = {0, 0, 0};
    for (size_t i = 0; i < count; i++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", folder, names[i]);
        run_case_file(&totals, path, names[i]);
        free(names[i]);
    }
    fprintf(stderr, "sql cases: %zu files, %d valid, %d error cases, %d failures\n", count,
            totals.valid, totals.errors, totals.failures);
    ck_assert_int_eq(totals.failures, 0);
    ck_assert_int_ge(totals.valid, 120);
    ck_assert_int_ge(totals.errors, 50);
}
END_TEST

/* ---- trees, checked field by field ---- */

static floe_sql_script *parse_ok(const char *sql)
{
    floe_sql_script *script = NULL;
    floe_error err;
    int status = floe_sql_parse_script(sql, strlen(sql), &script, &err);
    ck_assert_msg(status == FLOE_OK, "%s: %s", sql, err.message);
    return script;
}

START_TEST(dynamic_table_options_are_decoded)
{
    floe_sql_script *script = parse_ok(
        "create or replace dynamic table Silver.Daily\n"
        "  initialize = on_schedule refresh_mode = incremental target_lag = ' 2 Hours '\n"
        "as select region, count(*) as n from bronze.orders group by 1");
    ck_assert_uint_eq(script->statement_count, 1);
    const floe_sql_statement *statement = script->statements[0];
    ck_assert_int_eq(statement->kind, FLOE_SQL_STATEMENT_CREATE_DYNAMIC_TABLE);
    ck_assert_str_eq(statement->table.namespace_name, "silver");
    ck_assert_str_eq(statement->table.name, "daily");
    ck_assert_int_eq(statement->u.create_dynamic.or_replace, 1);
    ck_assert_int_eq(statement->u.create_dynamic.target_lag, FLOE_SQL_TARGET_LAG_DURATION);
    ck_assert_int_eq(statement->u.create_dynamic.target_lag_seconds, 7200);
    ck_assert_int_eq(statement->u.create_dynamic.refresh_mode, FLOE_SQL_REFRESH_MODE_INCREMENTAL);
    ck_assert_int_eq(statement->u.create_dynamic.initialize, FLOE_SQL_INITIALIZE_ON_SCHEDULE);
    const floe_sql_select *select = statement->u.create_dynamic.query->bodies[0];
    ck_assert_uint_eq(select->item_count, 2);
    ck_assert_int_eq(select->items[1].expr->kind, FLOE_SQL_EXPR_FUNCTION);
    ck_assert_int_eq(select->items[1].expr->u.function.star, 1);
    ck_assert_str_eq(select->items[1].alias, "n");
    ck_assert_int_eq(select->group_by[0]->kind, FLOE_SQL_EXPR_INTEGER);
    ck_assert_int_eq(select->group_by[0]->u.literal.integer, 1);
    /* Positions: the statement starts at line 1, column 1; the query body at line 3. */
    ck_assert_uint_eq(statement->position.line, 1);
    ck_assert_uint_eq(select->position.line, 3);
    ck_assert_uint_eq(select->position.column, 4);
    ck_assert_uint_eq(select->items[1].expr->position.column, 19);
    floe_sql_script_free(script);
}
END_TEST

START_TEST(types_map_to_floe_types)
{
    floe_sql_script *script = parse_ok(
        "CREATE TABLE t (a BOOLEAN, b INT, c INTEGER, d BIGINT, e REAL, f FLOAT, g DOUBLE,"
        " h DOUBLE PRECISION, i DECIMAL(12, 2), j NUMERIC, k DATE, l TIMESTAMP, m TIMESTAMPTZ,"
        " n TIMESTAMP WITH TIME ZONE, o VARCHAR, p VARCHAR(20), q STRING, r TEXT, s BINARY,"
        " t BLOB, u VARBINARY NOT NULL, v DECIMAL(5))");
    static const struct {
        floe_type_id id;
        unsigned precision, scale;
    } expected[] = {
        {FLOE_TYPE_BOOLEAN, 0, 0},   {FLOE_TYPE_INT32, 0, 0},    {FLOE_TYPE_INT32, 0, 0},
        {FLOE_TYPE_INT64, 0, 0},     {FLOE_TYPE_FLOAT32, 0, 0},  {FLOE_TYPE_FLOAT32, 0, 0},
        {FLOE_TYPE_FLOAT64, 0, 0},   {FLOE_TYPE_FLOAT64, 0, 0},  {FLOE_TYPE_DECIMAL, 12, 2},
        {FLOE_TYPE_DECIMAL, 38, 0},  {FLOE_TYPE_DATE, 0, 0},     {FLOE_TYPE_TIMESTAMP, 0, 0},
        {FLOE_TYPE_TIMESTAMPTZ, 0, 0}, {FLOE_TYPE_TIMESTAMPTZ, 0, 0}, {FLOE_TYPE_STRING, 0, 0},
        {FLOE_TYPE_STRING, 0, 0},    {FLOE_TYPE_STRING, 0, 0},   {FLOE_TYPE_STRING, 0, 0},
        {FLOE_TYPE_BINARY, 0, 0},    {FLOE_TYPE_BINARY, 0, 0},   {FLOE_TYPE_BINARY, 0, 0},
        {FLOE_TYPE_DECIMAL, 5, 0},
    };
    const floe_sql_statement *statement = script->statements[0];
    ck_assert_uint_eq(statement->u.create_table.column_count, sizeof expected / sizeof expected[0]);
    for (size_t i = 0; i < statement->u.create_table.column_count; i++) {
        floe_type type = statement->u.create_table.columns[i].type;
        ck_assert_int_eq(type.id, expected[i].id);
        ck_assert_uint_eq(type.precision, expected[i].precision);
        ck_assert_uint_eq(type.scale, expected[i].scale);
        ck_assert_int_eq(statement->u.create_table.columns[i].not_null, i == 20);
    }
    floe_sql_script_free(script);
}
END_TEST

START_TEST(literals_keep_their_values)
{
    floe_sql_script *script =
        parse_ok("SELECT 9223372036854775807, 9223372036854775808, 'it''s', \"Mixed \"\"Q\"\"\", "
                 "DATE '2024-02-29', x::DECIMAL(4,1) FROM t");
    const floe_sql_select *select = script->statements[0]->u.select->bodies[0];
    ck_assert_int_eq(select->items[0].expr->kind, FLOE_SQL_EXPR_INTEGER);
    ck_assert(select->items[0].expr->u.literal.integer == INT64_MAX);
    ck_assert_int_eq(select->items[1].expr->kind, FLOE_SQL_EXPR_DECIMAL);
    ck_assert_str_eq(select->items[1].expr->u.literal.text, "9223372036854775808");
    ck_assert_str_eq(select->items[2].expr->u.literal.text, "it's");
    ck_assert_int_eq(select->items[3].expr->kind, FLOE_SQL_EXPR_COLUMN);
    ck_assert_str_eq(select->items[3].expr->u.column.name, "Mixed \"Q\"");
    ck_assert_int_eq(select->items[4].expr->kind, FLOE_SQL_EXPR_DATE);
    ck_assert_int_eq(select->items[5].expr->kind, FLOE_SQL_EXPR_CAST);
    ck_assert_uint_eq(select->items[5].expr->u.cast.type.precision, 4);
    floe_sql_script_free(script);
}
END_TEST

START_TEST(statement_source_ranges)
{
    const char *sql = "  SELECT 1 ;\n;; DROP TABLE x -- bye\n";
    floe_sql_script *script = parse_ok(sql);
    ck_assert_uint_eq(script->statement_count, 2);
    ck_assert_uint_eq(script->statements[0]->source_offset, 2);
    ck_assert_uint_eq(script->statements[0]->source_length, 8);
    ck_assert_uint_eq(script->statements[1]->source_offset, 16);
    ck_assert_uint_eq(script->statements[1]->source_length, 12);
    ck_assert_uint_eq(script->statements[1]->position.line, 2);
    ck_assert_uint_eq(script->statements[1]->position.column, 4);
    floe_sql_script_free(script);

    /* An empty script has no statements; parse_statement wants exactly one. */
    script = parse_ok(" -- nothing\n ; ");
    ck_assert_uint_eq(script->statement_count, 0);
    floe_sql_script_free(script);
    floe_error err;
    ck_assert_int_eq(floe_sql_parse_statement("", 0, &script, &err), FLOE_ESYNTAX);
    ck_assert_ptr_null(script);
    ck_assert_str_eq(err.message, "line 1, column 1: expected a statement but found end of input");
    ck_assert_int_eq(floe_sql_parse_statement("SELECT 1; SELECT 2", 18, &script, &err), FLOE_ESYNTAX);
    ck_assert_str_eq(err.message, "line 1, column 11: expected end of input but found SELECT");
    ck_assert_int_eq(floe_sql_parse_statement("SELECT 1;", 9, &script, &err), FLOE_OK);
    ck_assert_uint_eq(script->statement_count, 1);
    floe_sql_script_free(script);
    floe_sql_script_free(NULL);
}
END_TEST

static char *repeat(const char *prefix, const char *unit, size_t count, const char *suffix_unit,
                    size_t suffix_count)
{
    size_t length = strlen(prefix) + strlen(unit) * count + strlen(suffix_unit) * suffix_count;
    char *text = malloc(length + 1);
    ck_assert_ptr_nonnull(text);
    char *at = text;
    at += sprintf(at, "%s", prefix);
    for (size_t i = 0; i < count; i++) at += sprintf(at, "%s", unit);
    for (size_t i = 0; i < suffix_count; i++) at += sprintf(at, "%s", suffix_unit);
    return text;
}

static void expect_depth_error(const char *sql, const char *message)
{
    floe_sql_script *script = NULL;
    floe_error err;
    ck_assert_int_eq(floe_sql_parse_script(sql, strlen(sql), &script, &err), FLOE_ESYNTAX);
    ck_assert_ptr_null(script);
    ck_assert_msg(strstr(err.message, message) != NULL, "%s", err.message);
}

START_TEST(nesting_is_bounded)
{
    /* 200 parentheses are fine, 100000 are refused without exhausting the stack. */
    char *sql = repeat("SELECT ", "(", 200, ")", 0);
    char *fine = repeat(sql, "1", 1, ")", 200);
    floe_sql_script *script = parse_ok(fine);
    floe_sql_script_free(script);
    free(sql);
    free(fine);
    sql = repeat("SELECT ", "(", 100000, "", 0);
    expect_depth_error(sql, "expression nested too deeply");
    free(sql);
    sql = repeat("SELECT ", "- ", 100000, "1", 1);
    expect_depth_error(sql, "expression nested too deeply");
    free(sql);
    sql = repeat("SELECT ", "NOT ", 100000, "1", 1);
    expect_depth_error(sql, "expression nested too deeply");
    free(sql);
    sql = repeat("SELECT 1", " + 1", 5000, "", 0);
    expect_depth_error(sql, "line 1, column 4006: expression nested too deeply");
    free(sql);
    sql = repeat("SELECT * FROM t0", ", t", 300, "", 0);
    expect_depth_error(sql, "too many tables joined in one FROM clause");
    free(sql);
    sql = repeat("SELECT * FROM ", "(SELECT * FROM ", 100000, "", 0);
    expect_depth_error(sql, "expression nested too deeply");
    free(sql);
    /* Long flat lists are not nesting. */
    sql = repeat("SELECT 1 IN (0", ", 1", 20000, ")", 1);
    script = parse_ok(sql);
    floe_sql_script_free(script);
    free(sql);
    sql = repeat("SELECT 1", " UNION ALL SELECT 1", 5000, "", 0);
    script = parse_ok(sql);
    ck_assert_uint_eq(script->statements[0]->u.select->body_count, 5001);
    floe_sql_script_free(script);
    free(sql);
}
END_TEST

/* Every allocation the parser and printer make can fail: each failure is FLOE_ENOMEM, leaks
 * nothing (ASan's leak check), and a later run succeeds. */
START_TEST(allocation_failures_are_reported)
{
    static const char *const scripts[] = {
        "CREATE OR REPLACE DYNAMIC TABLE silver.daily TARGET_LAG = '1 minute' REFRESH_MODE = AUTO "
        "AS SELECT region, CAST(ts AS DATE) AS day, SUM(amount) AS total, COUNT(*) AS orders "
        "FROM bronze.orders o JOIN dim.regions r ON o.region = r.id, (SELECT 1 AS one) s "
        "WHERE o.amount BETWEEN 1 AND 10 AND r.name LIKE 'E%' AND o.k IN (1, 2, 3) "
        "GROUP BY region, CAST(ts AS DATE) HAVING COUNT(*) > 1 "
        "UNION ALL SELECT 'x', DATE '2024-01-01', 0, 0 ORDER BY 1 DESC NULLS LAST LIMIT 5 OFFSET 1",
        "INSERT INTO t (a, b) VALUES (1, 'x'), (2, CASE WHEN y THEN 1 ELSE 2 END); "
        "CREATE TABLE u (a INT NOT NULL, b DECIMAL(10,2)); DELETE FROM t WHERE a IS NOT NULL; "
        "SELECT EXTRACT(year FROM ts), substring(s FROM 2 FOR 3), x::BIGINT FROM read_parquet('f')",
    };
    for (size_t s = 0; s < sizeof scripts / sizeof scripts[0]; s++) {
        const char *sql = scripts[s];
        int succeeded = 0;
        for (long allowed = 0; allowed < 400 && !succeeded; allowed++) {
            floe_sql_script *script = NULL;
            floe_error err;
            floe_set_allocation_failure_after(allowed);
            int status = floe_sql_parse_script(sql, strlen(sql), &script, &err);
            char *text = NULL;
            int format_status = FLOE_OK;
            if (status == FLOE_OK) {
                for (size_t i = 0; i < script->statement_count && format_status == FLOE_OK; i++) {
                    format_status = floe_sql_format_statement(script->statements[i], &text, NULL, &err);
                    if (format_status == FLOE_OK) floe_free(text);
                }
            }
            floe_set_allocation_failure_after(-1);
            if (status != FLOE_OK) {
                ck_assert_int_eq(status, FLOE_ENOMEM);
                ck_assert_ptr_null(script);
                ck_assert_str_eq(err.message, "out of memory while parsing SQL");
                continue;
            }
            if (format_status != FLOE_OK) {
                ck_assert_int_eq(format_status, FLOE_ENOMEM);
            } else {
                succeeded = 1;
            }
            floe_sql_script_free(script);
        }
        ck_assert_msg(succeeded, "script %zu never succeeded", s);
    }
}
END_TEST

static Suite *parser_suite(void)
{
    Suite *suite = suite_create("sql_parser");
    TCase *test_case = tcase_create("parser");
    tcase_set_timeout(test_case, 120);
    tcase_add_test(test_case, case_files);
    tcase_add_test(test_case, dynamic_table_options_are_decoded);
    tcase_add_test(test_case, types_map_to_floe_types);
    tcase_add_test(test_case, literals_keep_their_values);
    tcase_add_test(test_case, statement_source_ranges);
    tcase_add_test(test_case, nesting_is_bounded);
    tcase_add_test(test_case, allocation_failures_are_reported);
    suite_add_tcase(suite, test_case);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(parser_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
