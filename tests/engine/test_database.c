/*
 * Description: SQL statements over a temporary warehouse (engine/database.h, engine/table_writer.h,
 * engine/result_text.h): CREATE TABLE [IF NOT EXISTS] with the schema and field ids it commits,
 * DROP TABLE [IF EXISTS] (and its refusal of a dynamic table), ALTER TABLE ... ADD COLUMN (a new
 * schema, field ids kept, old rows NULL in the new column, its refusals), INSERT ... VALUES with a column
 * list (NULLs for the rest), INSERT ... SELECT, copy-on-write DELETE with file counts checked
 * from snapshot summaries (a partly matching file rewritten, a fully matching file removed
 * without a rewrite, no match = no snapshot, position delete files folded away), errors that
 * must leave the lake unchanged (metadata versions and data/ listings compared before and after:
 * unknown table or column with their positions, run-time division by zero in INSERT ... SELECT,
 * NULL into a NOT NULL column, an existing table), EXPLAIN, the table writer's file roll and
 * metrics, the result text formats, and memory sizes.
 */
#define _GNU_SOURCE /* mkdtemp, nftw */
#include "engine/database.h"
#include "engine/result_text.h"
#include "engine/table_writer.h"
#include "io/catalog_fs.h"
#include "io/iceberg_commit.h"
#include "io/iceberg_scan.h"
#include "io/iceberg_table.h"
#include "io/parquet_writer.h"
#include "kernels/memory.h"
#include "kernels/value_text.h"

#include <check.h>
#include <dirent.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/warehouse_fixture.h"

static void check_summary(const char *name, const char *key, const char *expected)
{
    floe_ice_table *table = open_table(name);
    const floe_ice_snapshot *snapshot = floe_ice_current_snapshot(table->metadata);
    ck_assert_ptr_nonnull(snapshot);
    ck_assert_msg(strcmp(summary_of(snapshot, key), expected) == 0, "%s %s: %s, expected %s",
                  name, key, summary_of(snapshot, key), expected);
    floe_ice_table_free(table);
}

static const char *current_operation(const char *name)
{
    static char operation[32];
    floe_ice_table *table = open_table(name);
    const floe_ice_snapshot *snapshot = floe_ice_current_snapshot(table->metadata);
    snprintf(operation, sizeof operation, "%s", snapshot ? snapshot->operation : "(none)");
    floe_ice_table_free(table);
    return operation;
}

/* Runs a failing statement: status, a message containing `needle`, and nothing changed. */
static void check_error(const char *sql, int code, const char *needle, const char *table)
{
    int64_t version = table ? metadata_version(table) : 0;
    int data = table ? count_files(table, "data") : 0;
    int metadata = table ? count_files(table, "metadata") : 0;
    floe_error err;
    int status = run(sql, &err);
    ck_assert_msg(status == code, "%s: status %d, expected %d (%s)", sql, status, code,
                  err.message);
    ck_assert_msg(strstr(err.message, needle) != NULL, "%s: message '%s' lacks '%s'", sql,
                  err.message, needle);
    ck_assert_msg(strchr(err.message, '\n') == NULL, "%s: message has several lines", sql);
    if (table != NULL) {
        ck_assert_int_eq(metadata_version(table), version);
        ck_assert_int_eq(count_files(table, "data"), data);
        ck_assert_int_eq(count_files(table, "metadata"), metadata);
    }
}

/* ---- DDL --------------------------------------------------------------------------------- */

/* default.dyn: a table whose floe.sql property makes it a dynamic table, made without the
 * engine, for the statements that must refuse one. */
static void create_bare_dynamic_table(void)
{
    char directory[PATH_MAX];
    table_directory("default/dyn", directory, sizeof directory);
    floe_ice_new_column column = {"a", floe_type_make(FLOE_TYPE_INT32), 0, 1, NULL};
    floe_ice_property property = {"floe.sql", "CREATE DYNAMIC TABLE dyn AS SELECT 1 AS a"};
    floe_error err;
    ck_assert_msg(floe_ice_commit_create_table(directory, &column, 1, &property, 1, &err) == 0,
                  "%s", err.message);
}

START_TEST(create_table_commits_the_schema)
{
    run_ok("CREATE TABLE orders (id BIGINT NOT NULL, region VARCHAR, price DECIMAL(10,2), "
           "day DATE)");
    ck_assert_str_eq(messages_text(), "CREATE TABLE\n");
    floe_ice_table *table = open_table("default/orders");
    const floe_ice_schema *schema = floe_ice_current_schema(table->metadata);
    ck_assert_uint_eq(schema->field_count, 4);
    ck_assert_str_eq(schema->fields[0].name, "id");
    ck_assert_int_eq(schema->fields[0].id, 1);
    ck_assert_int_ne(schema->fields[0].required, 0);
    ck_assert_int_eq(schema->fields[1].required, 0);
    ck_assert_str_eq(schema->fields[2].type_text, "decimal(10, 2)");
    ck_assert_int_eq(schema->fields[3].id, 4);
    ck_assert_int_eq(table->metadata->current_snapshot_id, -1);
    floe_ice_table_free(table);
    ck_assert_int_eq(metadata_version("default/orders"), 1);

    check_error("CREATE TABLE orders (x INT)", FLOE_ECONFLICT,
                "line 1, column 14: table default.orders already exists", "default/orders");
    run_ok("CREATE TABLE IF NOT EXISTS orders (x INT)");
    ck_assert_ptr_nonnull(strstr(messages_text(), "already exists"));
    ck_assert_int_eq(metadata_version("default/orders"), 1);

    run_ok("CREATE TABLE sales.items (sku VARCHAR)");
    ck_assert_int_eq(metadata_version("sales/items"), 1);
    check_error("CREATE TABLE t (a INT, a INT)", FLOE_ESYNTAX, "line 1, column 24", NULL);
    check_error("CREATE TABLE \"bad name\" (a INT)", FLOE_ESYNTAX, "line 1, column 14", NULL);
}
END_TEST

START_TEST(drop_table)
{
    run_ok("CREATE TABLE t (a INT); CREATE TABLE keep (a INT)");
    run_ok("DROP TABLE t");
    ck_assert_str_eq(messages_text(), "DROP TABLE\n");
    char directory[PATH_MAX];
    table_directory("default/t", directory, sizeof directory);
    ck_assert_int_ne(access(directory, F_OK), 0);
    /* nothing of it lingers in the namespace, and the other table is intact */
    ck_assert_int_eq(count_files("default", ""), 1);
    ck_assert_int_eq(metadata_version("default/keep"), 1);
    check_error("DROP TABLE t", FLOE_ENOTFOUND, "line 1, column 12: table default.t does not exist",
                NULL);
    run_ok("DROP TABLE IF EXISTS t");
    ck_assert_ptr_nonnull(strstr(messages_text(), "does not exist"));

    /* A dynamic table (property floe.sql) is refused. */
    create_bare_dynamic_table();
    check_error("DROP TABLE dyn", FLOE_ETYPE, "use DROP DYNAMIC TABLE", "default/dyn");
    check_error("INSERT INTO dyn VALUES (1)", FLOE_ETYPE, "is a dynamic table", "default/dyn");
    check_error("DELETE FROM dyn", FLOE_ETYPE, "is a dynamic table", "default/dyn");
}
END_TEST

/* ALTER TABLE ... ADD COLUMN: a new current schema (old field ids kept, the new column the next
 * id), no snapshot; rows written before read NULL in it, rows inserted after carry it; what is
 * refused leaves the table as it was. */
START_TEST(add_column_evolves_the_schema)
{
    run_ok("CREATE TABLE t (id BIGINT NOT NULL, kind VARCHAR); INSERT INTO t VALUES (1, 'a')");
    int64_t before = metadata_version("default/t");
    run_ok("ALTER TABLE t ADD COLUMN weight DOUBLE");
    ck_assert_str_eq(messages_text(), "ALTER TABLE\n");
    ck_assert_int_eq(metadata_version("default/t"), before + 1);
    floe_ice_table *table = open_table("default/t");
    const floe_ice_schema *schema = floe_ice_current_schema(table->metadata);
    ck_assert_int_eq(schema->schema_id, 1);
    ck_assert_uint_eq(schema->field_count, 3);
    ck_assert_int_eq(schema->fields[0].id, 1);
    ck_assert_int_ne(schema->fields[0].required, 0);
    ck_assert_str_eq(schema->fields[2].name, "weight");
    ck_assert_int_eq(schema->fields[2].id, 3);
    ck_assert_int_eq(schema->fields[2].required, 0);
    ck_assert_int_eq(table->metadata->last_column_id, 3);
    ck_assert_uint_eq(table->metadata->snapshot_count, 1); /* the INSERT's only */
    floe_ice_table_free(table);
    run_ok("INSERT INTO t VALUES (2, 'b', 2.5)");
    check_query("SELECT id, kind, weight FROM t ORDER BY id", "id,kind,weight\n1,a,\n2,b,2.5\n");

    int64_t now = metadata_version("default/t");
    check_error("ALTER TABLE t ADD weight INT", FLOE_ECONFLICT,
                "line 1, column 19: table default.t already has a column weight", "default/t");
    check_error("ALTER TABLE t ADD x INT NOT NULL", FLOE_EUNSUPPORTED,
                "an added column cannot be NOT NULL", "default/t");
    check_error("ALTER TABLE t ADD _floe_x INT", FLOE_ESYNTAX, "is reserved", "default/t");
    check_error("ALTER TABLE nope ADD x INT", FLOE_ENOTFOUND,
                "line 1, column 13: table default.nope does not exist", NULL);
    ck_assert_int_eq(metadata_version("default/t"), now);

    create_bare_dynamic_table();
    check_error("ALTER TABLE dyn ADD x INT", FLOE_ETYPE, "its columns are its query's",
                "default/dyn");
}
END_TEST

/* ---- INSERT ------------------------------------------------------------------------------ */

START_TEST(insert_values_and_select)
{
    run_ok("CREATE TABLE t (id BIGINT NOT NULL, name VARCHAR, price DECIMAL(10,2))");
    run_ok("INSERT INTO t VALUES (1, 'a', 1.5), (2, NULL, 2.25)");
    ck_assert_str_eq(messages_text(), "INSERT 2\n");
    ck_assert_str_eq(current_operation("default/t"), "append");
    check_summary("default/t", "added-records", "2");
    run_ok("INSERT INTO t (price, id) VALUES (9.99, 3)");
    ck_assert_str_eq(messages_text(), "INSERT 1\n");
    run_ok("SELECT id, name, price FROM t ORDER BY id");
    ck_assert_str_eq(rows_text(), "id,name,price\n1,a,1.50\n2,,2.25\n3,,9.99\n");

    run_ok("CREATE TABLE copy (id BIGINT, name VARCHAR, price DECIMAL(10,2));"
           "INSERT INTO copy SELECT id * 10, upper(name), price FROM t WHERE id >= 2");
    ck_assert_str_eq(messages_text(), "CREATE TABLE\nINSERT 2\n");
    run_ok("SELECT * FROM default.copy ORDER BY id");
    ck_assert_str_eq(rows_text(), "id,name,price\n20,,2.25\n30,,9.99\n");

    /* zero rows: no snapshot */
    int64_t version = metadata_version("default/copy");
    run_ok("INSERT INTO copy SELECT * FROM t WHERE id > 100");
    ck_assert_str_eq(messages_text(), "INSERT 0\n");
    ck_assert_int_eq(metadata_version("default/copy"), version);

    /* the data file carries field ids and Iceberg metrics */
    floe_ice_table *table = open_table("default/t");
    floe_ice_scan_plan *plan = NULL;
    ck_assert_int_eq(floe_ice_table_plan_scan(table, -1, &plan, NULL), 0);
    ck_assert_uint_eq(plan->task_count, 2);
    for (size_t t = 0; t < plan->task_count; t++) {
        /* rows (1,'a',1.5),(2,NULL,2.25): three columns with bounds; (3,NULL,9.99): two */
        const floe_ice_data_file *file = plan->tasks[t].data.file;
        ck_assert_uint_eq(file->value_counts.count, 3);
        ck_assert_uint_eq(file->lower_bounds.count, file->record_count == 2 ? 3 : 2);
        ck_assert_uint_eq(file->upper_bounds.count, file->record_count == 2 ? 3 : 2);
    }
    floe_ice_scan_plan_free(plan);
    floe_ice_table_free(table);
}
END_TEST

START_TEST(insert_errors_leave_the_table_unchanged)
{
    run_ok("CREATE TABLE t (id BIGINT NOT NULL, name VARCHAR); INSERT INTO t VALUES (1, 'x'), "
           "(2, 'y'), (0, 'z')");
    check_error("INSERT INTO t SELECT 10 / id, name FROM t", FLOE_ERANGE, "division by zero",
                "default/t");
    check_error("INSERT INTO t SELECT NULL::BIGINT, name FROM t", FLOE_ETYPE, "NOT NULL",
                "default/t");
    check_error("INSERT INTO nope VALUES (1)", FLOE_ENOTFOUND,
                "line 1, column 13: table nope does not exist", NULL);
    check_error("INSERT INTO t (id, nope) VALUES (1, 2)", FLOE_ENOTFOUND, "nope", "default/t");
    check_error("INSERT INTO t VALUES (1)", FLOE_ESYNTAX, "2 target columns but 1 values",
                "default/t");
    check_error("INSERT INTO t VALUES ('abc', 'x')", FLOE_ETYPE, "line 1, column 23",
                "default/t");
    check_error("SELECT nme FROM t", FLOE_ENOTFOUND, "line 1, column 8", NULL);
    check_error("SELECT * FROM t WHERE sum(id) > 1", FLOE_ESYNTAX, "line 1, column 23", NULL);
    check_error("SELECT id FROM t GROUP BY name", FLOE_ESYNTAX, "line 1, column 8", NULL);
    check_error("SELECT (1 + 2 FROM t", FLOE_ESYNTAX, "line 1, column", NULL);

    /* a script stops at its first error; what ran before it stays */
    floe_error err;
    ck_assert_int_eq(run("INSERT INTO t VALUES (5, 'e'); SELECT * FROM missing; "
                         "INSERT INTO t VALUES (6, 'f')", &err), FLOE_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(err.message, "line 1, column 46"));
    run_ok("SELECT count(*) AS n FROM t");
    ck_assert_str_eq(rows_text(), "n\n4\n");
}
END_TEST

/* ---- DELETE ------------------------------------------------------------------------------ */

/* A table of three data files: ids 1..10, 11..20, 21..30. */
static void three_files(void)
{
    run_ok("CREATE TABLE t (id BIGINT, grp VARCHAR)");
    for (int file = 0; file < 3; file++) {
        char sql[1024];
        int length = snprintf(sql, sizeof sql, "INSERT INTO t VALUES ");
        for (int i = 1; i <= 10; i++)
            length += snprintf(sql + length, sizeof sql - (size_t)length, "%s(%d, 'g%d')",
                               i > 1 ? ", " : "", file * 10 + i, file);
        run_ok(sql);
    }
}

START_TEST(delete_copy_on_write)
{
    three_files();
    int64_t version = metadata_version("default/t");
    /* no match: no snapshot */
    run_ok("DELETE FROM t WHERE id > 1000");
    ck_assert_str_eq(messages_text(), "DELETE 0\n");
    ck_assert_int_eq(metadata_version("default/t"), version);

    /* a match in one file: that file rewritten, the others untouched */
    run_ok("DELETE FROM t WHERE id = 15 OR id = 16");
    ck_assert_str_eq(messages_text(), "DELETE 2\n");
    ck_assert_int_eq(metadata_version("default/t"), version + 1);
    ck_assert_str_eq(current_operation("default/t"), "overwrite");
    check_summary("default/t", "deleted-data-files", "1");
    check_summary("default/t", "added-data-files", "1");
    check_summary("default/t", "deleted-records", "10");
    check_summary("default/t", "added-records", "8");
    check_summary("default/t", "total-data-files", "3");
    check_summary("default/t", "total-records", "28");

    /* every row of a file: removed, nothing rewritten ("delete") */
    run_ok("DELETE FROM t WHERE grp = 'g2'");
    ck_assert_str_eq(messages_text(), "DELETE 10\n");
    ck_assert_str_eq(current_operation("default/t"), "delete");
    check_summary("default/t", "deleted-data-files", "1");
    check_summary("default/t", "total-data-files", "2");

    /* NULL predicate results keep the row */
    run_ok("INSERT INTO t VALUES (NULL, 'n')");
    run_ok("DELETE FROM t WHERE id < 3");
    ck_assert_str_eq(messages_text(), "DELETE 2\n");
    run_ok("SELECT count(*) AS n, count(id) AS ids, min(id) AS low, max(id) AS high FROM t");
    ck_assert_str_eq(rows_text(), "n,ids,low,high\n17,16,3,20\n");

    /* run-time error: nothing changes */
    check_error("DELETE FROM t WHERE 10 / (id - 5) > 1", FLOE_ERANGE, "division by zero",
                "default/t");
    check_error("DELETE FROM t WHERE nope = 1", FLOE_ENOTFOUND, "line 1, column 21", "default/t");

    /* without WHERE: every file goes */
    run_ok("DELETE FROM t");
    ck_assert_str_eq(messages_text(), "DELETE 17\n");
    check_summary("default/t", "total-data-files", "0");
    check_summary("default/t", "total-records", "0");
    run_ok("DELETE FROM t");
    ck_assert_str_eq(messages_text(), "DELETE 0\n");
}
END_TEST

/* Commits a position delete file naming rows `positions` of data file `target` (stored path);
 * `bounded`: with equal file_path bounds, so it applies to that file only. */
static void add_position_deletes(const char *name, const char *target, const int64_t *positions,
                                 uint32_t count, bool bounded)
{
    char directory[PATH_MAX], path[PATH_MAX + 64];
    table_directory(name, directory, sizeof directory);
    snprintf(path, sizeof path, "%s/data/test-position-deletes-%s.parquet", directory,
             bounded ? "bounded" : "unbounded");
    floe_pq_write_column columns[] = {
        {"file_path", floe_type_make(FLOE_TYPE_STRING), false, 2147483546},
        {"pos", floe_type_make(FLOE_TYPE_INT64), false, 2147483545},
    };
    floe_pq_write_schema schema = {columns, 2, NULL, NULL, 0};
    floe_type types[] = {columns[0].type, columns[1].type};
    floe_batch batch;
    floe_error err;
    ck_assert_int_eq(floe_batch_init(&batch, 2, types, &err), 0);
    for (uint32_t i = 0; i < count; i++) {
        ck_assert_int_eq(floe_vector_set_string(&batch.columns[0], i, target,
                                                (uint32_t)strlen(target), &err), 0);
        ((int64_t *)batch.columns[1].data)[i] = positions[i];
    }
    batch.row_count = count;
    floe_pq_writer *writer = NULL;
    floe_pq_write_result written;
    ck_assert_int_eq(floe_pq_writer_create(&writer, path, &schema, NULL, &err), 0);
    ck_assert_int_eq(floe_pq_writer_write_batch(writer, &batch, &err), 0);
    ck_assert_int_eq(floe_pq_writer_close(writer, &written, &err), 0);
    floe_ice_data_file file = {0};
    file.content = FLOE_ICE_CONTENT_POSITION_DELETES;
    file.file_path = path;
    file.file_format = "PARQUET";
    file.record_count = count;
    file.file_size_in_bytes = (int64_t)written.file_size;
    /* equal file_path bounds name the one data file it applies to, as Spark writes them */
    floe_ice_int_bytes bound = {2147483546, {(const uint8_t *)target, strlen(target)}};
    if (bounded) {
        file.lower_bounds = (floe_ice_bounds){1, 1, &bound};
        file.upper_bounds = (floe_ice_bounds){1, 1, &bound};
    }
    floe_pq_writer_free(writer);
    floe_batch_fini(&batch);
    floe_ice_commit_request request = {0};
    request.added_files = &file;
    request.added_count = 1;
    request.expected_schema_id = -1;
    ck_assert_msg(floe_ice_commit(directory, &request, NULL, &err) == 0, "%s", err.message);
}

START_TEST(delete_folds_position_deletes)
{
    three_files();
    char target[PATH_MAX], first[PATH_MAX];
    /* the file of ids 11..20 (the second insert's), by reading */
    floe_ice_table *table = open_table("default/t");
    floe_ice_scan_reader *reader = NULL;
    ck_assert_int_eq(floe_ice_scan_reader_open(&reader, table, NULL, NULL), 0);
    floe_batch batch;
    ck_assert_int_eq(floe_ice_scan_reader_batch_init(reader, &batch, NULL), 0);
    for (;;) {
        ck_assert_int_eq(floe_ice_scan_reader_next_batch(reader, &batch, NULL), 0);
        if (batch.row_count == 0) break;
        int64_t id = ((const int64_t *)batch.columns[0].data)[0];
        const char *file = floe_ice_scan_reader_current_file(reader);
        if (id == 11) snprintf(target, sizeof target, "%s", file);
        if (id == 1) snprintf(first, sizeof first, "%s", file);
    }
    floe_batch_fini(&batch);
    floe_ice_scan_reader_free(reader);
    floe_ice_table_free(table);
    const int64_t positions[] = {0, 1};
    add_position_deletes("default/t", target, positions, 2, true);
    /* without bounds, a delete file of id 1 applies to all three files as far as planning knows */
    add_position_deletes("default/t", first, positions, 1, false);
    run_ok("SELECT count(*) AS n FROM t");
    ck_assert_str_eq(rows_text(), "n\n27\n");

    /* deleting 13 rewrites that file from its live rows; its bounded delete file goes with it,
     * the unbounded one stays (it still applies to the other two files) */
    run_ok("DELETE FROM t WHERE id = 13");
    ck_assert_str_eq(messages_text(), "DELETE 1\n");
    check_summary("default/t", "deleted-data-files", "1");
    check_summary("default/t", "removed-delete-files", "1");
    check_summary("default/t", "added-records", "7");
    check_summary("default/t", "total-delete-files", "1");
    run_ok("SELECT count(*) AS n, sum(id) AS s FROM t");
    ck_assert_str_eq(rows_text(), "n,s\n26,428\n"); /* 465 - 1 - 11 - 12 - 13 */

    /* without WHERE every file goes, and with them the last delete file */
    run_ok("DELETE FROM t");
    ck_assert_str_eq(messages_text(), "DELETE 26\n");
    check_summary("default/t", "total-delete-files", "0");
    check_summary("default/t", "total-data-files", "0");
}
END_TEST

/* ---- EXPLAIN, output formats, settings --------------------------------------------------- */

START_TEST(explain_select)
{
    run_ok("CREATE TABLE t (id BIGINT, grp VARCHAR); EXPLAIN SELECT grp, count(*) FROM t "
           "WHERE id > 3 GROUP BY grp");
    ck_assert_ptr_nonnull(strstr(rows_text(), "plan\n"));
    ck_assert_ptr_nonnull(strstr(rows_text(), "AGGREGATE"));
    ck_assert_ptr_nonnull(strstr(rows_text(), "SCAN default.t"));
}
END_TEST

static int append_text(void *context, const char *bytes, size_t size, floe_error *err)
{
    (void)err;
    return floe_text_append(context, bytes, size);
}

/* Formats one hand-made batch in `format`. */
static void format_batch(floe_eng_result_format format, floe_text *out)
{
    floe_type types[] = {floe_type_make(FLOE_TYPE_INT64), floe_type_make(FLOE_TYPE_STRING)};
    floe_sql_column columns[] = {{"id", types[0], true}, {"name", types[1], true}};
    floe_sql_schema schema = {columns, 2};
    floe_batch batch;
    floe_error err;
    ck_assert_int_eq(floe_batch_init(&batch, 2, types, &err), 0);
    const char *names[] = {"ab", "x,\"y\"", "tab\there", "é"};
    for (uint32_t i = 0; i < 4; i++) {
        ((int64_t *)batch.columns[0].data)[i] = (int64_t)i * 500;
        ck_assert_int_eq(floe_vector_set_string(&batch.columns[1], i, names[i],
                                                (uint32_t)strlen(names[i]), &err), 0);
    }
    floe_vector_set_null(&batch.columns[0], 3);
    batch.row_count = 4;
    floe_eng_result_text *text = NULL;
    ck_assert_int_eq(floe_eng_result_text_create(&text, format, append_text, out, &err), 0);
    ck_assert_int_eq(floe_eng_result_text_begin_rows(text, &schema, &err), 0);
    ck_assert_int_eq(floe_eng_result_text_rows_of(text, &batch, &err), 0);
    ck_assert_int_eq(floe_eng_result_text_end_rows(text, &err), 0);
    ck_assert_int_eq(floe_eng_result_text_rows(text), 4);
    floe_eng_result_text_free(text);
    floe_batch_fini(&batch);
}

START_TEST(result_formats)
{
    floe_text out;
    floe_text_init(&out);
    format_batch(FLOE_ENG_RESULT_TABLE, &out);
    ck_assert_str_eq(out.data, "  id  |   name\n"
                               "------+-----------\n"
                               "    0 | ab\n"
                               "  500 | x,\"y\"\n"
                               " 1000 | tab\\there\n"
                               " NULL | é\n"
                               "(4 rows)\n\n");
    floe_text_reset(&out);
    format_batch(FLOE_ENG_RESULT_CSV, &out);
    ck_assert_str_eq(out.data, "id,name\n0,ab\n500,\"x,\"\"y\"\"\"\n1000,tab\there\n,é\n");
    floe_text_reset(&out);
    format_batch(FLOE_ENG_RESULT_JSON, &out);
    ck_assert_str_eq(out.data, "{\"id\":0,\"name\":\"ab\"}\n{\"id\":500,\"name\":\"x,\\\"y\\\"\"}\n"
                               "{\"id\":1000,\"name\":\"tab\\there\"}\n"
                               "{\"id\":null,\"name\":\"é\"}\n");
    floe_text_fini(&out);
}
END_TEST

START_TEST(memory_sizes)
{
    size_t bytes = 0;
    ck_assert_int_eq(floe_eng_parse_memory_size("4G", &bytes, NULL), 0);
    ck_assert_uint_eq(bytes, (size_t)4 << 30);
    ck_assert_int_eq(floe_eng_parse_memory_size("512MiB", &bytes, NULL), 0);
    ck_assert_uint_eq(bytes, (size_t)512 << 20);
    ck_assert_int_eq(floe_eng_parse_memory_size("1000", &bytes, NULL), 0);
    ck_assert_uint_eq(bytes, 1000);
    ck_assert_int_eq(floe_eng_parse_memory_size("12kb", &bytes, NULL), 0);
    ck_assert_uint_eq(bytes, 12 << 10);
    const char *bad[] = {"", "G", "0", "4X", "-1", "4 G", "99999999999999999999999T"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_int_eq(floe_eng_parse_memory_size(bad[i], &bytes, NULL), FLOE_ESYNTAX);

    /* environment defaults, and a malformed one refused */
    floe_eng_database *other = NULL;
    floe_eng_options options = {"relative/./lake/../lake2", 0, 0, false};
    setenv("FLOE_THREADS", "3", 1);
    setenv("FLOE_MEMORY_LIMIT", "1G", 1);
    ck_assert_int_eq(floe_eng_database_open(&other, &options, NULL), 0);
    floe_eng_context context;
    floe_eng_database_context_init(other, &context);
    ck_assert_uint_eq(context.thread_count, 3);
    ck_assert_uint_eq(context.memory_limit, (size_t)1 << 30);
    ck_assert_ptr_nonnull(strstr(floe_eng_database_warehouse(other), "/relative/lake2"));
    ck_assert_int_eq(floe_eng_database_warehouse(other)[0], '/');
    floe_eng_context_fini(&context);
    floe_eng_database_close(other);
    setenv("FLOE_MEMORY_LIMIT", "lots", 1);
    floe_error err;
    ck_assert_int_eq(floe_eng_database_open(&other, &options, &err), FLOE_ESYNTAX);
    ck_assert_ptr_nonnull(strstr(err.message, "FLOE_MEMORY_LIMIT"));
    unsetenv("FLOE_THREADS");
    unsetenv("FLOE_MEMORY_LIMIT");
}
END_TEST

/* ---- table writer ------------------------------------------------------------------------ */

START_TEST(table_writer_rolls_files_and_cleans_up)
{
    run_ok("CREATE TABLE w (id BIGINT NOT NULL, score DOUBLE)");
    floe_ice_table *table = open_table("default/w");
    floe_eng_table_writer *writer = NULL;
    floe_error err;
    ck_assert_int_eq(floe_eng_table_writer_open(&writer, table, &err), 0);
    floe_type types[] = {floe_type_make(FLOE_TYPE_INT64), floe_type_make(FLOE_TYPE_FLOAT64)};
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, 2, types, &err), 0);
    int64_t next = 0;
    int64_t total = FLOE_ENG_TABLE_WRITER_FILE_ROWS + 3000;
    while (next < total) {
        uint32_t rows = (uint32_t)(total - next < FLOE_BATCH_CAPACITY ? total - next
                                                                       : FLOE_BATCH_CAPACITY);
        for (uint32_t i = 0; i < rows; i++) {
            ((int64_t *)batch.columns[0].data)[i] = next + i;
            ((double *)batch.columns[1].data)[i] = (next + i) % 7 == 0 ? 0.0 / 0.0 : 0.5 * i;
        }
        batch.row_count = rows;
        ck_assert_int_eq(floe_eng_table_writer_write(writer, &batch, &err), 0);
        next += rows;
    }
    ck_assert_int_eq(floe_eng_table_writer_rows(writer), total);
    ck_assert_uint_eq(floe_eng_table_writer_file_count(writer), 2);
    /* wrong types and NULLs in a required column are refused before anything is written */
    floe_type wrong[] = {floe_type_make(FLOE_TYPE_INT32), floe_type_make(FLOE_TYPE_FLOAT64)};
    floe_batch bad;
    ck_assert_int_eq(floe_batch_init(&bad, 2, wrong, &err), 0);
    bad.row_count = 1;
    ck_assert_int_eq(floe_eng_table_writer_write(writer, &bad, &err), FLOE_ETYPE);
    floe_batch_fini(&bad);
    floe_eng_table_writer_free(writer); /* not committed: its files go */
    ck_assert_int_eq(count_files("default/w", "data"), 0);

    ck_assert_int_eq(floe_eng_table_writer_open(&writer, table, &err), 0);
    batch.row_count = 3;
    floe_vector_set_null(&batch.columns[0], 1);
    ck_assert_int_eq(floe_eng_table_writer_write(writer, &batch, &err), FLOE_ETYPE);
    ck_assert_ptr_nonnull(strstr(err.message, "'id'"));
    floe_eng_table_writer_free(writer);

    ck_assert_int_eq(floe_eng_table_writer_open(&writer, table, &err), 0);
    floe_vector_set_valid(&batch.columns[0], 1);
    for (uint32_t i = 0; i < 3; i++) {
        ((int64_t *)batch.columns[0].data)[i] = i;
        ((double *)batch.columns[1].data)[i] = i == 1 ? 0.0 / 0.0 : 2.5 * i;
    }
    ck_assert_int_eq(floe_eng_table_writer_write(writer, &batch, &err), 0);
    floe_ice_property extra = {"test.key", "value"};
    floe_eng_table_commit commit = {NULL, NULL, 0, &extra, 1, 0};
    floe_ice_commit_result committed;
    ck_assert_msg(floe_eng_table_writer_commit(writer, &commit, &committed, &err) == 0, "%s",
                  err.message);
    ck_assert_int_gt(committed.snapshot_id, 0);
    floe_eng_table_writer_free(writer);
    ck_assert_int_eq(count_files("default/w", "data"), 1);
    check_summary("default/w", "test.key", "value");
    floe_batch_fini(&batch);
    floe_ice_table_free(table);

    /* the manifest entry has NaN counts for the double column and bounds for both */
    table = open_table("default/w");
    floe_ice_scan_plan *plan = NULL;
    ck_assert_int_eq(floe_ice_table_plan_scan(table, -1, &plan, NULL), 0);
    ck_assert_uint_eq(plan->task_count, 1);
    const floe_ice_data_file *file = plan->tasks[0].data.file;
    ck_assert_int_eq(file->record_count, 3);
    ck_assert_uint_eq(file->nan_value_counts.count, 1);
    ck_assert_int_eq(file->nan_value_counts.items[0].value, 1);
    ck_assert_uint_eq(file->lower_bounds.count, 2);
    floe_ice_scan_plan_free(plan);
    floe_ice_table_free(table);
}
END_TEST

static Suite *database_suite(void)
{
    Suite *suite = suite_create("database");
    TCase *tc = tcase_create("statements");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, create_table_commits_the_schema);
    tcase_add_test(tc, drop_table);
    tcase_add_test(tc, add_column_evolves_the_schema);
    tcase_add_test(tc, insert_values_and_select);
    tcase_add_test(tc, insert_errors_leave_the_table_unchanged);
    tcase_add_test(tc, delete_copy_on_write);
    tcase_add_test(tc, delete_folds_position_deletes);
    tcase_add_test(tc, explain_select);
    tcase_add_test(tc, result_formats);
    tcase_add_test(tc, memory_sizes);
    tcase_add_test(tc, table_writer_rolls_files_and_cleans_up);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(database_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
