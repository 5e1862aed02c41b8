/* database.c — the warehouse, its catalog for the binder, and statement scripts run in order
 * (contract in engine/database.h; INSERT and DELETE live in engine/statement_dml.c). */
#define _XOPEN_SOURCE 700 /* nftw, realpath */

#include "engine/database.h"

#include "engine/dynamic_table.h"  /* floe_eng_dynamic_execute */
#include "engine/executor.h"       /* floe_eng_plan_compile */
#include "io/catalog_fs.h"         /* table directories, current version */
#include "io/fs_util.h"            /* floe_io_fsync_directory, floe_io_random_uuid */
#include "io/iceberg_commit.h"     /* floe_ice_commit_create_table */
#include "io/iceberg_table.h"
#include "io/parquet_footer.h"     /* read_parquet schemas */
#include "kernels/memory.h"
#include "sql/parser.h"

#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct floe_eng_database {
    char *warehouse;        /* absolute, without a trailing '/' */
    uint32_t thread_count;  /* >= 1 */
    size_t memory_limit;    /* bytes, > 0 */
    bool verbose;
};

enum { MAX_THREADS = 1024 };

/* ---- settings ---------------------------------------------------------------------------- */

int floe_eng_parse_memory_size(const char *text, size_t *bytes, floe_error *err)
{
    FLOE_RETURN_IF(text == NULL || bytes == NULL, FLOE_EINVAL, err,
                   "floe_eng_parse_memory_size: NULL argument");
    const char *p = text;
    unsigned long long value = 0;
    bool digits = false, overflow = false;
    while (*p >= '0' && *p <= '9') {
        unsigned digit = (unsigned)(*p - '0');
        if (value > (ULLONG_MAX - digit) / 10) overflow = true;
        else value = value * 10 + digit;
        digits = true;
        p++;
    }
    unsigned shift = 0;
    switch (toupper((unsigned char)*p)) {
    case 'K': shift = 10; p++; break;
    case 'M': shift = 20; p++; break;
    case 'G': shift = 30; p++; break;
    case 'T': shift = 40; p++; break;
    default: break;
    }
    if (shift != 0 && toupper((unsigned char)p[0]) == 'I' && toupper((unsigned char)p[1]) == 'B')
        p += 2;
    else if (toupper((unsigned char)*p) == 'B')
        p++;
    FLOE_RETURN_IF(!digits || *p != '\0', FLOE_ESYNTAX, err,
                   "memory size '%.100s': expected a number with an optional K, M, G or T suffix",
                   text);
    FLOE_RETURN_IF(value == 0, FLOE_ESYNTAX, err, "memory size '%.100s': must be above zero", text);
    FLOE_RETURN_IF(overflow || value > (SIZE_MAX >> shift), FLOE_ESYNTAX, err,
                   "memory size '%.100s': too large", text);
    *bytes = (size_t)value << shift;
    return FLOE_OK;
}

static int default_threads(uint32_t *threads, floe_error *err)
{
    const char *text = getenv("FLOE_THREADS");
    if (text != NULL && text[0] != '\0') {
        char *end = NULL;
        errno = 0;
        long value = strtol(text, &end, 10);
        FLOE_RETURN_IF(errno != 0 || end == text || *end != '\0' || value < 1 ||
                           value > MAX_THREADS,
                       FLOE_ESYNTAX, err, "FLOE_THREADS='%.100s': expected a number of threads "
                       "from 1 to %d", text, MAX_THREADS);
        *threads = (uint32_t)value;
        return FLOE_OK;
    }
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    *threads = online >= 2 ? 2 : 1;
    return FLOE_OK;
}

static int default_memory_limit(size_t *limit, floe_error *err)
{
    const char *text = getenv("FLOE_MEMORY_LIMIT");
    if (text != NULL && text[0] != '\0') {
        int status = floe_eng_parse_memory_size(text, limit, err);
        if (status < 0) floe_error_prefix(err, "FLOE_MEMORY_LIMIT");
        return status;
    }
    long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page_size <= 0) {
        *limit = (size_t)4 << 30; /* unknown machine size: a modest bound rather than none */
        return FLOE_OK;
    }
    double bytes = (double)pages * (double)page_size * 0.75;
    *limit = bytes >= (double)SIZE_MAX ? SIZE_MAX : (size_t)bytes;
    return FLOE_OK;
}

/* An absolute form of `path` without "." and ".." components or repeated '/', worked out on
 * the text alone: the warehouse may not exist yet ("created on first write"). */
static int absolute_path(const char *path, char **out, floe_error *err)
{
    char resolved[PATH_MAX];
    if (realpath(path, resolved) != NULL) {
        *out = floe_malloc(strlen(resolved) + 1);
        FLOE_RETURN_IF(*out == NULL, FLOE_ENOMEM, err, "out of memory");
        memcpy(*out, resolved, strlen(resolved) + 1);
        return FLOE_OK;
    }
    char cwd[PATH_MAX];
    if (path[0] != '/' && getcwd(cwd, sizeof cwd) == NULL)
        return floe_error_set(err, -errno, "warehouse %s: cannot find the current directory: %s",
                              path, strerror(errno));
    size_t capacity = (path[0] == '/' ? 0 : strlen(cwd)) + strlen(path) + 2;
    char *result = floe_malloc(capacity);
    FLOE_RETURN_IF(result == NULL, FLOE_ENOMEM, err, "out of memory");
    size_t length = 0;
    if (path[0] != '/') {
        length = strlen(cwd);
        memcpy(result, cwd, length);
        if (length == 1) length = 0; /* cwd "/" */
    }
    const char *p = path;
    while (*p != '\0') {
        while (*p == '/') p++;
        const char *start = p;
        while (*p != '\0' && *p != '/') p++;
        size_t part = (size_t)(p - start);
        if (part == 0 || (part == 1 && start[0] == '.')) continue;
        if (part == 2 && start[0] == '.' && start[1] == '.') {
            while (length > 0 && result[length - 1] != '/') length--;
            if (length > 0) length--; /* the '/' before the dropped part */
            continue;
        }
        result[length++] = '/';
        memcpy(result + length, start, part);
        length += part;
    }
    if (length == 0) result[length++] = '/';
    result[length] = '\0';
    *out = result;
    return FLOE_OK;
}

int floe_eng_database_open(floe_eng_database **out, const floe_eng_options *options,
                           floe_error *err)
{
    FLOE_RETURN_IF(out == NULL || options == NULL || options->warehouse == NULL ||
                       options->warehouse[0] == '\0',
                   FLOE_EINVAL, err, "floe_eng_database_open: needs a warehouse directory");
    *out = NULL;
    floe_eng_database *db = floe_calloc(1, sizeof *db);
    FLOE_RETURN_IF(db == NULL, FLOE_ENOMEM, err, "out of memory");
    db->verbose = options->verbose;
    db->thread_count = options->thread_count;
    db->memory_limit = options->memory_limit;
    int status = absolute_path(options->warehouse, &db->warehouse, err);
    if (status == FLOE_OK && db->thread_count == 0)
        status = default_threads(&db->thread_count, err);
    if (status == FLOE_OK && db->thread_count > MAX_THREADS)
        status = floe_error_set(err, FLOE_ESYNTAX, "%u threads: at most %d", db->thread_count,
                                MAX_THREADS);
    if (status == FLOE_OK && db->memory_limit == 0)
        status = default_memory_limit(&db->memory_limit, err);
    if (status < 0) {
        floe_eng_database_close(db);
        return status;
    }
    *out = db;
    return FLOE_OK;
}

void floe_eng_database_close(floe_eng_database *db)
{
    if (db == NULL) return;
    floe_free(db->warehouse);
    floe_free(db);
}

const char *floe_eng_database_warehouse(const floe_eng_database *db) { return db->warehouse; }

bool floe_eng_database_verbose(const floe_eng_database *db) { return db->verbose; }

void floe_eng_database_context_init(floe_eng_database *db, floe_eng_context *context)
{
    floe_eng_context_init(context, db->warehouse);
    context->thread_count = db->thread_count;
    context->memory_limit = db->memory_limit;
}

int floe_eng_database_table_directory(const floe_eng_database *db, const char *namespace_name,
                                      const char *name, char *buffer, size_t capacity,
                                      floe_error *err)
{
    if (namespace_name == NULL) namespace_name = "default";
    FLOE_TRY(floe_io_catalog_check_identifier(namespace_name, err));
    FLOE_TRY(floe_io_catalog_check_identifier(name, err));
    char qualified[2 * FLOE_IO_CATALOG_MAX_IDENTIFIER + 2];
    snprintf(qualified, sizeof qualified, "%s.%s", namespace_name, name);
    return floe_io_catalog_table_directory(db->warehouse, qualified, buffer, capacity, err);
}

/* ---- the catalog ------------------------------------------------------------------------- */

static char *arena_copy(floe_arena *arena, const char *text)
{
    return floe_arena_strndup(arena, text, strlen(text));
}

/* The binder's view of an Iceberg table: its current schema minus unreadable columns. */
static int describe_iceberg(const floe_ice_table *opened, const char *identity, const char *shown,
                            floe_arena *arena, floe_sql_table *table, floe_error *err)
{
    const floe_ice_schema *schema = floe_ice_current_schema(opened->metadata);
    FLOE_RETURN_IF(schema == NULL, FLOE_ECORRUPT, err, "%s: no current schema",
                   opened->metadata_path);
    floe_sql_table_column *columns =
        floe_arena_alloc(arena, (schema->field_count ? schema->field_count : 1) * sizeof *columns);
    table->identity = arena_copy(arena, identity);
    table->name = arena_copy(arena, shown);
    FLOE_RETURN_IF(columns == NULL || table->identity == NULL || table->name == NULL, FLOE_ENOMEM,
                   err, "out of memory");
    uint32_t count = 0;
    for (size_t i = 0; i < schema->field_count; i++) {
        const floe_ice_field *field = &schema->fields[i];
        floe_type type;
        if (floe_ice_field_floe_type(field, &type, NULL) != FLOE_OK) continue; /* nested, v3 */
        columns[count].name = arena_copy(arena, field->name);
        FLOE_RETURN_IF(columns[count].name == NULL, FLOE_ENOMEM, err, "out of memory");
        columns[count].type = type;
        columns[count].nullable = !field->required;
        columns[count].field_id = field->id;
        count++;
    }
    table->columns = columns;
    table->column_count = count;
    return FLOE_OK;
}

static int resolve_name(void *context, const char *namespace_name, const char *name,
                        floe_arena *arena, floe_sql_table *table, floe_error *err)
{
    floe_eng_database *db = context;
    char directory[PATH_MAX];
    int status = floe_eng_database_table_directory(db, namespace_name, name, directory,
                                                   sizeof directory, err);
    if (status == FLOE_ESYNTAX) {
        floe_error_clear(err);
        return FLOE_ENOTFOUND; /* no table can have that name */
    }
    FLOE_TRY(status);
    floe_ice_table *opened = NULL;
    status = floe_ice_table_open(&opened, directory, NULL, err);
    if (status == FLOE_ENOTFOUND) {
        floe_error_clear(err);
        return FLOE_ENOTFOUND;
    }
    FLOE_TRY(status);
    char identity[2 * FLOE_IO_CATALOG_MAX_IDENTIFIER + 2];
    snprintf(identity, sizeof identity, "%s.%s", namespace_name ? namespace_name : "default", name);
    status = describe_iceberg(opened, identity, identity, arena, table, err);
    floe_ice_table_free(opened);
    return status;
}

static int resolve_path(void *context, const char *path, floe_arena *arena, floe_sql_table *table,
                        floe_error *err)
{
    (void)context;
    char real[PATH_MAX];
    if (realpath(path, real) == NULL) {
        if (errno == ENOENT || errno == ENOTDIR) return FLOE_ENOTFOUND;
        return floe_error_set(err, -errno, "%s: %s", path, strerror(errno));
    }
    floe_ice_table *opened = NULL;
    int status = floe_ice_table_open(&opened, real, NULL, err);
    if (status == FLOE_ENOTFOUND) {
        floe_error_clear(err);
        return FLOE_ENOTFOUND;
    }
    FLOE_TRY(status);
    status = describe_iceberg(opened, real, path, arena, table, err);
    floe_ice_table_free(opened);
    return status;
}

/* A Parquet file as a table: its top-level columns Floe can read, matched by name (field_id -1:
 * plain Parquet has no table schema to give ids meaning). */
static int resolve_parquet(void *context, const char *path, floe_arena *arena,
                           floe_sql_table *table, floe_error *err)
{
    (void)context;
    char real[PATH_MAX];
    if (realpath(path, real) == NULL) {
        if (errno == ENOENT || errno == ENOTDIR) return FLOE_ENOTFOUND;
        return floe_error_set(err, -errno, "%s: %s", path, strerror(errno));
    }
    floe_pq_file_metadata *footer = NULL;
    FLOE_TRY(floe_pq_file_metadata_open(real, &footer, err));
    size_t capacity = footer->column_count ? footer->column_count : 1;
    floe_sql_table_column *columns = floe_arena_alloc(arena, capacity * sizeof *columns);
    table->identity = arena_copy(arena, real);
    table->name = arena_copy(arena, path);
    int status = FLOE_OK;
    if (columns == NULL || table->identity == NULL || table->name == NULL)
        status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    uint32_t count = 0;
    for (uint32_t i = 0; status == FLOE_OK && i < footer->column_count; i++) {
        const floe_pq_column *column = &footer->columns[i];
        if (column->unsupported_reason != NULL || strchr(column->path, '.') != NULL ||
            !floe_type_is_valid(column->type))
            continue;
        columns[count].name = arena_copy(arena, column->name);
        if (columns[count].name == NULL) {
            status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
            break;
        }
        columns[count].type = column->type;
        columns[count].nullable = column->max_definition_level > 0;
        columns[count].field_id = -1;
        count++;
    }
    if (status == FLOE_OK && count == 0)
        status = floe_error_set(err, FLOE_EUNSUPPORTED, "%s: no column Floe can read", path);
    floe_pq_file_metadata_free(footer);
    table->columns = columns;
    table->column_count = count;
    return status;
}

void floe_eng_database_catalog(floe_eng_database *db, floe_sql_catalog *catalog)
{
    catalog->context = db;
    catalog->resolve_name = resolve_name;
    catalog->resolve_path = resolve_path;
    catalog->resolve_parquet = resolve_parquet;
    catalog->default_namespace = "default";
}

/* ---- running plans ----------------------------------------------------------------------- */

int floe_eng_run_plan(floe_eng_database *db, const floe_sql_plan *plan, floe_eng_context *context,
                      const floe_eng_output *output, floe_error *err)
{
    (void)db;
    floe_eng_operator *root = NULL;
    FLOE_TRY(floe_eng_plan_compile(plan, context, &root, err));
    int status = FLOE_OK;
    if (output != NULL && output->begin_rows != NULL)
        status = output->begin_rows(output->context, &plan->output, err);
    while (status == FLOE_OK) {
        floe_batch *batch = NULL;
        status = floe_eng_operator_next(root, &batch, err);
        if (status != FLOE_OK || batch == NULL) break;
        if (floe_batch_live_count(batch) == 0 || output == NULL || output->rows == NULL) continue;
        status = output->rows(output->context, batch, err);
    }
    if (status == FLOE_OK && output != NULL && output->end_rows != NULL)
        status = output->end_rows(output->context, err);
    floe_eng_operator_destroy(root);
    return status;
}

/* ---- statements -------------------------------------------------------------------------- */

static void message(const floe_eng_output *output, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void message(const floe_eng_output *output, const char *format, ...)
{
    if (output == NULL || output->message == NULL) return;
    char line[512];
    va_list args;
    va_start(args, format);
    vsnprintf(line, sizeof line, format, args);
    va_end(args);
    output->message(output->context, line);
}

/* "ns.name" of a statement's table name, for messages. */
static void shown_name(const floe_sql_name *name, char *buffer, size_t size)
{
    snprintf(buffer, size, "%s.%s", name->namespace_name ? name->namespace_name : "default",
             name->name);
}

/* The table directory of a statement's table, errors positioned at the name. */
static int statement_directory(floe_eng_database *db, const floe_sql_statement *statement,
                               char *buffer, size_t capacity, floe_error *err)
{
    const floe_sql_name *name = &statement->table;
    int status = floe_eng_database_table_directory(db, name->namespace_name, name->name, buffer,
                                                   capacity, err);
    if (status < 0)
        floe_error_prefix(err, "line %u, column %u", (unsigned)name->position.line,
                          (unsigned)name->position.column);
    return status;
}

/* Opens the statement's table into *table; FLOE_ENOTFOUND when it does not exist (err is
 * then cleared, for the caller's own message). *dynamic: it is a dynamic table (floe.sql). */
static int open_statement_table(floe_eng_database *db, const floe_sql_statement *statement,
                                char *directory, size_t capacity, floe_ice_table **table,
                                bool *dynamic, floe_error *err)
{
    *table = NULL;
    *dynamic = false;
    FLOE_TRY(statement_directory(db, statement, directory, capacity, err));
    int status = floe_ice_table_open(table, directory, NULL, err);
    if (status == FLOE_ENOTFOUND) floe_error_clear(err);
    if (status < 0) return status;
    *dynamic = floe_ice_property_get((*table)->metadata, "floe.sql") != NULL;
    return FLOE_OK;
}

static int execute_create_table(floe_eng_database *db, const floe_sql_bound_statement *bound,
                                const floe_eng_output *output, floe_error *err)
{
    const floe_sql_statement *statement = bound->statement;
    const floe_sql_name *name = &statement->table;
    char directory[PATH_MAX], shown[2 * FLOE_IO_CATALOG_MAX_IDENTIFIER + 2];
    FLOE_TRY(statement_directory(db, statement, directory, sizeof directory, err));
    shown_name(name, shown, sizeof shown);
    uint32_t count = bound->target.column_count;
    floe_ice_new_column *columns = floe_calloc(count ? count : 1, sizeof *columns);
    FLOE_RETURN_IF(columns == NULL, FLOE_ENOMEM, err, "out of memory");
    for (uint32_t i = 0; i < count; i++) {
        const floe_sql_table_column *column = &bound->target.columns[i];
        columns[i] = (floe_ice_new_column){column->name, column->type, !column->nullable,
                                           (int32_t)i + 1, NULL};
    }
    int64_t version = 0;
    int status = floe_io_catalog_current_version(directory, &version, NULL, err);
    if (status == FLOE_ENOTFOUND) {
        floe_error_clear(err);
        status = floe_ice_commit_create_table(directory, columns, count, NULL, 0, err);
    } else if (status == FLOE_OK) {
        status = FLOE_ECONFLICT; /* it exists */
    }
    floe_free(columns);
    if (status == FLOE_ECONFLICT) {
        if (statement->u.create_table.if_not_exists) {
            floe_error_clear(err);
            message(output, "NOTICE: table %s already exists, skipping", shown);
            message(output, "CREATE TABLE");
            return FLOE_OK;
        }
        return floe_error_set(err, FLOE_ECONFLICT, "line %u, column %u: table %s already exists",
                              (unsigned)name->position.line, (unsigned)name->position.column,
                              shown);
    }
    FLOE_TRY(status);
    message(output, "CREATE TABLE");
    return FLOE_OK;
}

/* ALTER TABLE name ADD [COLUMN] c type: a new current schema, the table's columns (their field
 * ids kept) and c with a fresh id, published without a snapshot. Data files written before
 * lack c's field id, so readers give NULL there (Iceberg schema evolution); the binder has
 * already refused NOT NULL and Floe's own names. */
static int execute_add_column(floe_eng_database *db, const floe_sql_bound_statement *bound,
                              const floe_eng_output *output, floe_error *err)
{
    const floe_sql_statement *statement = bound->statement;
    const floe_sql_name *name = &statement->table;
    const floe_sql_column_def *added = &statement->u.add_column;
    unsigned line = (unsigned)name->position.line, column = (unsigned)name->position.column;
    char directory[PATH_MAX], shown[2 * FLOE_IO_CATALOG_MAX_IDENTIFIER + 2];
    shown_name(name, shown, sizeof shown);
    floe_ice_table *table = NULL;
    bool dynamic = false;
    int status = open_statement_table(db, statement, directory, sizeof directory, &table,
                                      &dynamic, err);
    if (status == FLOE_ENOTFOUND)
        return floe_error_set(err, FLOE_ENOTFOUND, "line %u, column %u: table %s does not exist",
                              line, column, shown);
    FLOE_TRY(status);
    const floe_ice_schema *schema = floe_ice_current_schema(table->metadata);
    if (dynamic)
        status = floe_error_set(err, FLOE_ETYPE,
                                "line %u, column %u: %s is a dynamic table: its columns are its "
                                "query's (CREATE OR REPLACE DYNAMIC TABLE)",
                                line, column, shown);
    else if (schema == NULL)
        status = floe_error_set(err, FLOE_ECORRUPT, "%s: no current schema", directory);
    floe_ice_new_column *columns = NULL;
    size_t count = status == FLOE_OK ? schema->field_count : 0;
    if (status == FLOE_OK) {
        columns = floe_calloc(count + 1, sizeof *columns);
        if (columns == NULL) status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    for (size_t i = 0; status == FLOE_OK && i < count; i++) {
        const floe_ice_field *field = &schema->fields[i];
        if (strcmp(field->name, added->name) == 0) {
            status = floe_error_set(err, FLOE_ECONFLICT,
                                    "line %u, column %u: table %s already has a column %s",
                                    (unsigned)added->position.line,
                                    (unsigned)added->position.column, shown, added->name);
            break;
        }
        floe_type type;
        status = floe_ice_field_floe_type(field, &type, err);
        if (status == FLOE_OK)
            columns[i] = (floe_ice_new_column){field->name, type, field->required, field->id,
                                               field->doc};
        else
            floe_error_prefix(err, "ALTER TABLE %s: column %s", shown, field->name);
    }
    if (status == FLOE_OK) {
        columns[count] = (floe_ice_new_column){added->name, added->type, 0, 0, NULL};
        status = floe_ice_commit_schema(directory, columns, count + 1, schema->schema_id, NULL,
                                        err);
    }
    floe_free(columns);
    floe_ice_table_free(table);
    FLOE_TRY(status);
    message(output, "ALTER TABLE");
    return FLOE_OK;
}

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *ftw)
{
    (void)info, (void)flag, (void)ftw;
    return remove(path) == 0 ? 0 : errno;
}

static int execute_drop_table(floe_eng_database *db, const floe_sql_bound_statement *bound,
                              const floe_eng_output *output, floe_error *err)
{
    const floe_sql_statement *statement = bound->statement;
    const floe_sql_name *name = &statement->table;
    unsigned line = (unsigned)name->position.line, column = (unsigned)name->position.column;
    char directory[PATH_MAX], shown[2 * FLOE_IO_CATALOG_MAX_IDENTIFIER + 2];
    shown_name(name, shown, sizeof shown);
    floe_ice_table *table = NULL;
    bool dynamic = false;
    int status = open_statement_table(db, statement, directory, sizeof directory, &table,
                                      &dynamic, err);
    if (status == FLOE_ENOTFOUND) {
        if (statement->u.drop.if_exists) {
            message(output, "NOTICE: table %s does not exist, skipping", shown);
            message(output, "DROP TABLE");
            return FLOE_OK;
        }
        return floe_error_set(err, FLOE_ENOTFOUND, "line %u, column %u: table %s does not exist",
                              line, column, shown);
    }
    FLOE_TRY(status);
    floe_ice_table_free(table);
    FLOE_RETURN_IF(dynamic, FLOE_ETYPE, err,
                   "line %u, column %u: %s is a dynamic table: use DROP DYNAMIC TABLE", line,
                   column, shown);
    /* Renaming is the atomic step: a dot name is no table to the catalog (io/catalog_fs.h). */
    char uuid[FLOE_IO_UUID_LENGTH + 1], hidden[PATH_MAX], parent[PATH_MAX];
    FLOE_TRY(floe_io_random_uuid(uuid, err));
    snprintf(parent, sizeof parent, "%s", directory);
    char *slash = strrchr(parent, '/');
    if (slash != NULL) *slash = '\0';
    int written = snprintf(hidden, sizeof hidden, "%s/.dropped-%s-%s", parent, name->name, uuid);
    FLOE_RETURN_IF(written < 0 || (size_t)written >= sizeof hidden, FLOE_ERANGE, err,
                   "%s: path too long", directory);
    if (rename(directory, hidden) != 0)
        return floe_error_set(err, -errno, "dropping %s: %s: %s", shown, directory,
                              strerror(errno));
    FLOE_TRY(floe_io_fsync_directory(parent, err));
    int removed = nftw(hidden, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    message(output, "DROP TABLE");
    if (removed != 0) {
        /* The table is dropped; only its files linger, under a name vacuum can clear. */
        if (output != NULL && output->warning != NULL) {
            char line_text[PATH_MAX + 64];
            snprintf(line_text, sizeof line_text, "could not remove every file of %s", hidden);
            output->warning(output->context, line_text);
        }
    }
    return FLOE_OK;
}

/* EXPLAIN SELECT: the plan's lines as rows of one STRING column "plan". */
static int execute_explain(const floe_sql_bound_statement *bound, const floe_eng_output *output,
                           floe_error *err)
{
    char *text = NULL;
    size_t length = 0;
    FLOE_TRY(floe_sql_plan_format(bound->explained->plan, &text, &length, err));
    floe_type type = floe_type_make(FLOE_TYPE_STRING);
    floe_sql_column column = {"plan", type, false};
    floe_sql_schema schema = {&column, 1};
    floe_batch batch;
    int status = floe_batch_init(&batch, 1, &type, err);
    if (status < 0) {
        floe_free(text);
        return status;
    }
    if (output != NULL && output->begin_rows != NULL)
        status = output->begin_rows(output->context, &schema, err);
    const char *line = text;
    while (status == FLOE_OK && line < text + length) {
        const char *end = memchr(line, '\n', (size_t)(text + length - line));
        if (end == NULL) end = text + length;
        status = floe_vector_set_string(&batch.columns[0], batch.row_count, line,
                                        (uint32_t)(end - line), err);
        if (status == FLOE_OK) batch.row_count++;
        line = end + 1;
        bool last = line >= text + length;
        if (status == FLOE_OK && (batch.row_count == FLOE_BATCH_CAPACITY || last) &&
            batch.row_count > 0) {
            if (output != NULL && output->rows != NULL)
                status = output->rows(output->context, &batch, err);
            floe_batch_reset(&batch);
        }
    }
    if (status == FLOE_OK && output != NULL && output->end_rows != NULL)
        status = output->end_rows(output->context, err);
    floe_batch_fini(&batch);
    floe_free(text);
    return status;
}

static int execute_select(floe_eng_database *db, const floe_sql_bound_statement *bound,
                          const floe_eng_output *output, floe_error *err)
{
    floe_eng_context context;
    floe_eng_database_context_init(db, &context);
    int status = floe_eng_run_plan(db, bound->plan, &context, output, err);
    floe_eng_context_fini(&context);
    return status;
}

static bool is_dynamic_statement(const floe_sql_statement *statement)
{
    switch (statement->kind) {
    case FLOE_SQL_STATEMENT_CREATE_DYNAMIC_TABLE:
    case FLOE_SQL_STATEMENT_DROP_DYNAMIC_TABLE:
    case FLOE_SQL_STATEMENT_ALTER_DYNAMIC_TABLE:
    case FLOE_SQL_STATEMENT_SHOW_DYNAMIC_TABLES:
    case FLOE_SQL_STATEMENT_EXPLAIN_DYNAMIC_TABLE:
        return true;
    case FLOE_SQL_STATEMENT_EXPLAIN:
        return statement->u.explained->kind != FLOE_SQL_STATEMENT_SELECT;
    default:
        return false;
    }
}

static int execute_bound(floe_eng_database *db, const floe_sql_bound_statement *bound,
                         const floe_eng_output *output, floe_error *err)
{
    const floe_sql_statement *statement = bound->statement;
    if (is_dynamic_statement(statement)) return floe_eng_dynamic_execute(db, bound, output, err);
    switch (statement->kind) {
    case FLOE_SQL_STATEMENT_SELECT: return execute_select(db, bound, output, err);
    case FLOE_SQL_STATEMENT_EXPLAIN: return execute_explain(bound, output, err);
    case FLOE_SQL_STATEMENT_CREATE_TABLE: return execute_create_table(db, bound, output, err);
    case FLOE_SQL_STATEMENT_DROP_TABLE: return execute_drop_table(db, bound, output, err);
    case FLOE_SQL_STATEMENT_ALTER_TABLE_ADD_COLUMN:
        return execute_add_column(db, bound, output, err);
    case FLOE_SQL_STATEMENT_INSERT: return floe_eng_execute_insert(db, bound, output, err);
    case FLOE_SQL_STATEMENT_DELETE: return floe_eng_execute_delete(db, bound, output, err);
    default:
        return floe_error_set(err, FLOE_EUNSUPPORTED, "line %u, column %u: statement kind %d "
                              "cannot run here", (unsigned)statement->position.line,
                              (unsigned)statement->position.column, (int)statement->kind);
    }
}

int floe_eng_database_execute(floe_eng_database *db, const char *script, size_t length,
                              const floe_eng_output *output, floe_error *err)
{
    FLOE_RETURN_IF(db == NULL || (script == NULL && length > 0), FLOE_EINVAL, err,
                   "floe_eng_database_execute: NULL argument");
    floe_sql_script *parsed = NULL;
    FLOE_TRY(floe_sql_parse_script(script != NULL ? script : "", length, &parsed, err));
    floe_sql_catalog catalog;
    floe_eng_database_catalog(db, &catalog);
    int status = FLOE_OK;
    for (size_t i = 0; i < parsed->statement_count && status == FLOE_OK; i++) {
        floe_arena arena;
        floe_arena_init(&arena, 0, 0);
        floe_sql_bound_statement bound;
        status = floe_sql_plan_statement(&catalog, parsed->statements[i], &arena, &bound, err);
        if (status == FLOE_OK) status = execute_bound(db, &bound, output, err);
        floe_arena_fini(&arena);
    }
    floe_sql_script_free(parsed);
    return status;
}
