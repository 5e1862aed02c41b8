/*
 * warehouse_fixture.h — what the engine tests that run statements share: a database over a
 * fresh temporary warehouse per test (setup / teardown as Check fixtures), the output of each
 * call captured (rows as CSV with headers, messages and warnings, one a line), statements and
 * refreshes that must succeed, and reading back tables, snapshot summaries, properties and
 * folders. Header-only (static inline functions, each test one program of its own); a test may
 * define FIXTURE_MEMORY_LIMIT (bytes) before including it.
 *
 * Names given to table_directory, open_table and the readers below are paths under the
 * warehouse ("default/t").
 */
#ifndef FLOE_TESTS_ENGINE_WAREHOUSE_FIXTURE_H
#define FLOE_TESTS_ENGINE_WAREHOUSE_FIXTURE_H

#include "engine/database.h"
#include "engine/dynamic_table.h"
#include "engine/result_text.h"
#include "io/catalog_fs.h"
#include "io/iceberg_table.h"
#include "kernels/value_text.h"

#include <check.h>
#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef FIXTURE_MEMORY_LIMIT
#define FIXTURE_MEMORY_LIMIT ((size_t)256 << 20)
#endif

static char root[256];
static floe_eng_database *db;

/* What a call produced. */
typedef struct captured {
    floe_text rows;
    floe_text messages;
    floe_text warnings;
    floe_eng_result_text *formatter;
} captured;

static captured result;

static inline int fixture_append_rows(void *context, const char *bytes, size_t size,
                                      floe_error *err)
{
    (void)err;
    return floe_text_append(context, bytes, size);
}

static inline void fixture_append_line(floe_text *text, const char *line)
{
    ck_assert_int_eq(floe_text_append(text, line, strlen(line)), 0);
    ck_assert_int_eq(floe_text_append_char(text, '\n'), 0);
}

static inline void fixture_on_message(void *context, const char *line)
{
    (void)context;
    fixture_append_line(&result.messages, line);
}

static inline void fixture_on_warning(void *context, const char *line)
{
    (void)context;
    fixture_append_line(&result.warnings, line);
}

static inline int fixture_remove_entry(const char *path, const struct stat *info, int flag,
                                       struct FTW *ftw)
{
    (void)info, (void)flag, (void)ftw;
    return remove(path);
}

static inline void setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/floe-test-XXXXXX", base != NULL ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(root));
    char warehouse[300];
    snprintf(warehouse, sizeof warehouse, "%s/lake", root);
    floe_eng_options options = {warehouse, 2, FIXTURE_MEMORY_LIMIT, false};
    floe_error err;
    ck_assert_msg(floe_eng_database_open(&db, &options, &err) == FLOE_OK, "%s", err.message);
    floe_text_init(&result.rows);
    floe_text_init(&result.messages);
    floe_text_init(&result.warnings);
    ck_assert_int_eq(floe_eng_result_text_create(&result.formatter, FLOE_ENG_RESULT_CSV,
                                                 fixture_append_rows, &result.rows, NULL),
                     0);
}

static inline void teardown(void)
{
    floe_eng_result_text_free(result.formatter);
    floe_text_fini(&result.rows);
    floe_text_fini(&result.messages);
    floe_text_fini(&result.warnings);
    floe_eng_database_close(db);
    db = NULL;
    nftw(root, fixture_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* An output that captures into `result` (reset first). */
static inline floe_eng_output capture(void)
{
    floe_text_reset(&result.rows);
    floe_text_reset(&result.messages);
    floe_text_reset(&result.warnings);
    floe_eng_output output = {0};
    floe_eng_result_text_output(result.formatter, &output);
    output.message = fixture_on_message;
    output.warning = fixture_on_warning;
    return output;
}

static inline const char *text_of(const floe_text *text) { return text->data ? text->data : ""; }
static inline const char *rows_text(void) { return text_of(&result.rows); }
static inline const char *messages_text(void) { return text_of(&result.messages); }
static inline const char *warnings_text(void) { return text_of(&result.warnings); }

/* Runs a script; rows, messages and warnings land in `result`. */
static inline int run(const char *sql, floe_error *err)
{
    floe_eng_output output = capture();
    floe_error_clear(err);
    return floe_eng_database_execute(db, sql, strlen(sql), &output, err);
}

static inline void run_ok(const char *sql)
{
    floe_error err;
    int status = run(sql, &err);
    ck_assert_msg(status == FLOE_OK, "%s: %s (%d)", sql, err.message, status);
}

static inline int refresh(const char *const *names, size_t count, bool full, floe_error *err)
{
    floe_eng_output output = capture();
    floe_error_clear(err);
    return floe_eng_refresh(db, names, count, full, &output, err);
}

static inline void refresh_ok(const char *const *names, size_t count, bool full)
{
    floe_error err;
    int status = refresh(names, count, full, &err);
    ck_assert_msg(status == FLOE_OK, "refresh: %s (%d)", err.message, status);
}

/* The CSV of a query. */
static inline const char *query(const char *sql)
{
    run_ok(sql);
    return rows_text();
}

static inline void check_query(const char *sql, const char *expected)
{
    const char *got = query(sql);
    ck_assert_msg(strcmp(got, expected) == 0, "%s:\n%s\nexpected:\n%s", sql, got, expected);
}

static inline void check_contains(const char *text, const char *needle)
{
    ck_assert_msg(strstr(text, needle) != NULL, "'%s' lacks '%s'", text, needle);
}

static inline void table_directory(const char *name, char *buffer, size_t size)
{
    snprintf(buffer, size, "%s/%s", floe_eng_database_warehouse(db), name);
}

static inline floe_ice_table *open_table(const char *name)
{
    char directory[PATH_MAX];
    table_directory(name, directory, sizeof directory);
    floe_ice_table *table = NULL;
    floe_error err;
    ck_assert_msg(floe_ice_table_open(&table, directory, NULL, &err) == FLOE_OK, "%s: %s", name,
                  err.message);
    return table;
}

static inline bool table_exists(const char *name)
{
    char directory[PATH_MAX];
    table_directory(name, directory, sizeof directory);
    int64_t version = 0;
    return floe_io_catalog_current_version(directory, &version, NULL, NULL) == FLOE_OK;
}

static inline int64_t metadata_version(const char *name)
{
    char directory[PATH_MAX];
    table_directory(name, directory, sizeof directory);
    int64_t version = -1;
    ck_assert_int_eq(floe_io_catalog_current_version(directory, &version, NULL, NULL), 0);
    return version;
}

/* Entries of <table>/<sub> (0 when it does not exist). */
static inline int count_files(const char *name, const char *sub)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s/%s", floe_eng_database_warehouse(db), name, sub);
    DIR *dir = opendir(path);
    if (dir == NULL) return 0;
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL)
        if (entry->d_name[0] != '.') count++;
    closedir(dir);
    return count;
}

static inline const char *summary_of(const floe_ice_snapshot *snapshot, const char *key)
{
    for (size_t i = 0; snapshot != NULL && i < snapshot->summary_count; i++)
        if (strcmp(snapshot->summary[i].key, key) == 0) return snapshot->summary[i].value;
    return "(none)";
}

/* A current-snapshot summary value of a table, copied into a static buffer. */
static inline const char *current_summary(const char *name, const char *key)
{
    static char value[PATH_MAX + 64];
    floe_ice_table *table = open_table(name);
    snprintf(value, sizeof value, "%s",
             summary_of(floe_ice_current_snapshot(table->metadata), key));
    floe_ice_table_free(table);
    return value;
}

static inline const char *property(const char *name, const char *key)
{
    static char value[4096];
    floe_ice_table *table = open_table(name);
    const char *found = floe_ice_property_get(table->metadata, key);
    snprintf(value, sizeof value, "%s", found != NULL ? found : "(none)");
    floe_ice_table_free(table);
    return value;
}

static inline int64_t snapshot_count(const char *name)
{
    floe_ice_table *table = open_table(name);
    int64_t count = (int64_t)table->metadata->snapshot_count;
    floe_ice_table_free(table);
    return count;
}

#endif
