/*
 * dynamic_table.c — the dynamic-table statements, the set of dynamic tables a warehouse holds
 * and their dependencies (contract in engine/dynamic_table.h; one refresh, the refresh run and
 * status are in engine/refresh.c).
 *
 * Dependencies are read from each table's floe.sql by walking its syntax tree (FROM names and
 * quoted paths) rather than by binding it: binding needs every source to exist with a
 * compatible schema, and the order of a refresh run (or a cycle check) must not depend on
 * whether some unrelated source is broken right now.
 */
#define _XOPEN_SOURCE 700 /* nftw, realpath */

#include "engine/dynamic_table_int.h"

#include "io/fs_util.h"        /* floe_io_random_uuid, floe_io_fsync_directory */
#include "io/iceberg_commit.h" /* create, replace, property commits */
#include "kernels/memory.h"
#include "engine/refresh_incremental.h" /* which maintainable shapes are built */
#include "sql/incremental.h"   /* whether INCREMENTAL is possible, for CREATE and EXPLAIN */

#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- names and output ------------------------------------------------------------------- */

int floe_eng_dynamic_qualify(const char *name, char buffer[FLOE_ENG_TABLE_NAME_SIZE],
                             floe_error *err)
{
    FLOE_RETURN_IF(name == NULL || name[0] == '\0', FLOE_ESYNTAX, err, "empty table name");
    const char *dot = strchr(name, '.');
    char namespace_name[FLOE_IO_CATALOG_MAX_IDENTIFIER + 1] = "default";
    const char *table = name;
    if (dot != NULL) {
        size_t length = (size_t)(dot - name);
        FLOE_RETURN_IF(length > FLOE_IO_CATALOG_MAX_IDENTIFIER, FLOE_ESYNTAX, err,
                       "table name '%.200s': namespace too long", name);
        memcpy(namespace_name, name, length);
        namespace_name[length] = '\0';
        table = dot + 1;
    }
    int status = floe_io_catalog_check_identifier(namespace_name, err);
    if (status == FLOE_OK) status = floe_io_catalog_check_identifier(table, err);
    if (status < 0) return floe_error_prefix(err, "table name '%.200s'", name);
    snprintf(buffer, FLOE_ENG_TABLE_NAME_SIZE, "%s.%s", namespace_name, table);
    return FLOE_OK;
}

static void output_line(const floe_eng_output *output, bool warning, const char *format,
                        va_list args)
{
    if (output == NULL) return;
    void (*emit)(void *, const char *) = warning ? output->warning : output->message;
    if (emit == NULL) return;
    char line[2048];
    vsnprintf(line, sizeof line, format, args);
    emit(output->context, line);
}

void floe_eng_dynamic_message(const floe_eng_output *output, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    output_line(output, false, format, args);
    va_end(args);
}

void floe_eng_dynamic_warning(const floe_eng_output *output, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    output_line(output, true, format, args);
    va_end(args);
}

int64_t floe_eng_dynamic_now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* ---- string lists ------------------------------------------------------------------------ */

/* Inserts a copy of `text` in sorted position unless present. */
static int list_add_sorted(floe_io_string_list *list, const char *text, floe_error *err)
{
    size_t position = 0;
    while (position < list->count) {
        int order = strcmp(list->items[position], text);
        if (order == 0) return FLOE_OK;
        if (order > 0) break;
        position++;
    }
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 8;
        char **grown = floe_realloc(list->items, capacity * sizeof *grown);
        FLOE_RETURN_IF(grown == NULL, FLOE_ENOMEM, err, "out of memory");
        list->items = grown;
        list->capacity = capacity;
    }
    size_t size = strlen(text) + 1;
    char *copy = floe_malloc(size);
    FLOE_RETURN_IF(copy == NULL, FLOE_ENOMEM, err, "out of memory");
    memcpy(copy, text, size);
    memmove(&list->items[position + 1], &list->items[position],
            (list->count - position) * sizeof *list->items);
    list->items[position] = copy;
    list->count++;
    return FLOE_OK;
}

/* ---- sources of a definition ------------------------------------------------------------- */

static int query_sources(const floe_sql_query *query, floe_io_string_list *sources,
                         floe_error *err);

static int table_ref_sources(const floe_sql_table_ref *ref, floe_io_string_list *sources,
                             floe_error *err)
{
    if (ref == NULL) return FLOE_OK;
    switch (ref->kind) {
    case FLOE_SQL_TABLE_NAMED: {
        char name[FLOE_ENG_TABLE_NAME_SIZE];
        snprintf(name, sizeof name, "%s.%s",
                 ref->u.named.namespace_name ? ref->u.named.namespace_name : "default",
                 ref->u.named.name);
        return list_add_sorted(sources, name, err);
    }
    case FLOE_SQL_TABLE_PATH: {
        char real[PATH_MAX];
        return list_add_sorted(sources, realpath(ref->u.path, real) ? real : ref->u.path, err);
    }
    case FLOE_SQL_TABLE_FUNCTION: return FLOE_OK; /* read_parquet: refused by the binder */
    case FLOE_SQL_TABLE_SUBQUERY: return query_sources(ref->u.subquery, sources, err);
    case FLOE_SQL_TABLE_JOIN:
        FLOE_TRY(table_ref_sources(ref->u.join.left, sources, err));
        return table_ref_sources(ref->u.join.right, sources, err);
    }
    return FLOE_OK;
}

static int query_sources(const floe_sql_query *query, floe_io_string_list *sources,
                         floe_error *err)
{
    for (size_t i = 0; i < query->body_count; i++)
        FLOE_TRY(table_ref_sources(query->bodies[i]->from, sources, err));
    return FLOE_OK;
}

int floe_eng_dynamic_sql_sources(const char *sql, floe_io_string_list *sources, floe_error *err)
{
    floe_sql_script *script = NULL;
    FLOE_TRY(floe_sql_parse_statement(sql, strlen(sql), &script, err));
    int status = FLOE_OK;
    const floe_sql_statement *statement = script->statements[0];
    if (statement->kind != FLOE_SQL_STATEMENT_CREATE_DYNAMIC_TABLE)
        status = floe_error_set(err, FLOE_ECORRUPT, "floe.sql is not a CREATE DYNAMIC TABLE");
    else
        status = query_sources(statement->u.create_dynamic.query, sources, err);
    floe_sql_script_free(script);
    return status;
}

/* ---- the set ----------------------------------------------------------------------------- */

static void entry_fini(floe_eng_dynamic_entry *entry)
{
    floe_free(entry->directory);
    floe_ice_table_free(entry->table);
    floe_io_string_list_fini(&entry->sources);
}

void floe_eng_dynamic_set_fini(floe_eng_dynamic_set *set)
{
    for (size_t i = 0; i < set->count; i++) entry_fini(&set->entries[i]);
    floe_free(set->entries);
    set->entries = NULL;
    set->count = 0;
}

/* Opens `name` and fills *entry when it is a dynamic table: 1; an ordinary table: 0. */
static int load_entry(const char *warehouse, const char *name, floe_eng_dynamic_entry *entry,
                      floe_error *err)
{
    memset(entry, 0, sizeof *entry);
    floe_io_string_list_init(&entry->sources);
    snprintf(entry->name, sizeof entry->name, "%s", name);
    char directory[PATH_MAX];
    FLOE_TRY(floe_io_catalog_table_directory(warehouse, name, directory, sizeof directory, err));
    int status = floe_ice_table_open(&entry->table, directory, NULL, err);
    if (status < 0) return status;
    entry->sql = floe_ice_property_get(entry->table->metadata, FLOE_ENG_PROPERTY_SQL);
    if (entry->sql == NULL) {
        entry_fini(entry);
        return 0;
    }
    const char *suspended =
        floe_ice_property_get(entry->table->metadata, FLOE_ENG_PROPERTY_SUSPENDED);
    entry->suspended = suspended != NULL && strcmp(suspended, "true") == 0;
    entry->directory = floe_malloc(strlen(directory) + 1);
    if (entry->directory == NULL) {
        entry_fini(entry);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    memcpy(entry->directory, directory, strlen(directory) + 1);
    status = floe_eng_dynamic_sql_sources(entry->sql, &entry->sources, err);
    if (status < 0) {
        floe_error_prefix(err, "%s: floe.sql", name);
        entry_fini(entry);
        return status;
    }
    return 1;
}

int floe_eng_dynamic_set_load(floe_eng_database *db, const floe_eng_output *output,
                              floe_eng_dynamic_set *set, floe_error *err)
{
    set->entries = NULL;
    set->count = 0;
    const char *warehouse = floe_eng_database_warehouse(db);
    floe_io_string_list tables;
    floe_io_string_list_init(&tables);
    int status = floe_io_catalog_list_tables(warehouse, NULL, &tables, err);
    if (status == FLOE_ENOTFOUND) { /* no warehouse yet: no tables */
        floe_error_clear(err);
        return FLOE_OK;
    }
    if (status < 0) return status;
    set->entries = floe_calloc(tables.count ? tables.count : 1, sizeof *set->entries);
    if (set->entries == NULL) {
        floe_io_string_list_fini(&tables);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < tables.count; i++) {
        floe_error entry_err;
        floe_error_clear(&entry_err);
        int loaded = load_entry(warehouse, tables.items[i], &set->entries[set->count], &entry_err);
        if (loaded == 1) {
            set->count++;
        } else if (loaded == FLOE_ENOMEM) {
            status = floe_error_set(err, FLOE_ENOMEM, "%s", entry_err.message);
            break;
        } else if (loaded < 0 && loaded != FLOE_ENOTFOUND) {
            /* One unreadable table must not hide the others; it is named, not skipped quietly. */
            floe_eng_dynamic_warning(output, "%s: skipped: %s", tables.items[i],
                                     entry_err.message);
        }
    }
    floe_io_string_list_fini(&tables);
    if (status < 0) floe_eng_dynamic_set_fini(set);
    return status;
}

/* The catalog name ("ns.name") a source identity stands for: itself, or the table whose
 * directory a path source names, as floe_eng_dynamic_set_find matches it. 0 when the identity
 * names no table of the warehouse. */
static int source_table_name(const char *warehouse, const char *identity,
                             char name[FLOE_ENG_TABLE_NAME_SIZE])
{
    if (strchr(identity, '/') == NULL) {
        snprintf(name, FLOE_ENG_TABLE_NAME_SIZE, "%s", identity);
        return 1;
    }
    size_t warehouse_length = strlen(warehouse);
    while (warehouse_length > 1 && warehouse[warehouse_length - 1] == '/') warehouse_length--;
    if (strncmp(identity, warehouse, warehouse_length) != 0 || identity[warehouse_length] != '/')
        return 0;
    const char *namespace_name = identity + warehouse_length + 1;
    const char *slash = strchr(namespace_name, '/');
    if (slash == NULL || slash == namespace_name || strchr(slash + 1, '/') != NULL ||
        slash[1] == '\0')
        return 0;
    int length = snprintf(name, FLOE_ENG_TABLE_NAME_SIZE, "%.*s.%s",
                          (int)(slash - namespace_name), namespace_name, slash + 1);
    return length > 0 && length < FLOE_ENG_TABLE_NAME_SIZE;
}

static int compare_entries(const void *a, const void *b)
{
    return strcmp(((const floe_eng_dynamic_entry *)a)->name,
                  ((const floe_eng_dynamic_entry *)b)->name);
}

int floe_eng_dynamic_set_load_upstream(floe_eng_database *db, const char *const *names,
                                       size_t count, const floe_eng_output *output,
                                       floe_eng_dynamic_set *set, floe_error *err)
{
    set->entries = NULL;
    set->count = 0;
    const char *warehouse = floe_eng_database_warehouse(db);
    /* Every name met so far (so each table is opened once), and those not opened yet. */
    floe_io_string_list tried;
    floe_io_string_list_init(&tried);
    size_t capacity = 0;
    int status = FLOE_OK;
    for (size_t i = 0; status == FLOE_OK && i < count; i++) {
        char qualified[FLOE_ENG_TABLE_NAME_SIZE];
        if (floe_eng_dynamic_qualify(names[i], qualified, NULL) == FLOE_OK)
            status = list_add_sorted(&tried, qualified, err);
    }
    floe_io_string_list pending;
    floe_io_string_list_init(&pending);
    for (size_t i = 0; status == FLOE_OK && i < tried.count; i++)
        status = list_add_sorted(&pending, tried.items[i], err);
    while (status == FLOE_OK && pending.count > 0) {
        char name[FLOE_ENG_TABLE_NAME_SIZE];
        snprintf(name, sizeof name, "%s", pending.items[pending.count - 1]);
        floe_free(pending.items[--pending.count]);
        if (set->count == capacity) {
            size_t grown_capacity = capacity ? capacity * 2 : 4;
            floe_eng_dynamic_entry *grown =
                floe_realloc(set->entries, grown_capacity * sizeof *grown);
            if (grown == NULL) {
                status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
                break;
            }
            set->entries = grown;
            capacity = grown_capacity;
        }
        floe_error entry_err;
        floe_error_clear(&entry_err);
        int loaded = load_entry(warehouse, name, &set->entries[set->count], &entry_err);
        if (loaded == FLOE_ENOMEM) {
            status = floe_error_set(err, FLOE_ENOMEM, "%s", entry_err.message);
        } else if (loaded < 0 && loaded != FLOE_ENOTFOUND) {
            floe_eng_dynamic_warning(output, "%s: skipped: %s", name, entry_err.message);
        } else if (loaded == 1) {
            const floe_eng_dynamic_entry *entry = &set->entries[set->count++];
            for (size_t i = 0; status == FLOE_OK && i < entry->sources.count; i++) {
                char source[FLOE_ENG_TABLE_NAME_SIZE];
                if (!source_table_name(warehouse, entry->sources.items[i], source)) continue;
                size_t before = tried.count;
                status = list_add_sorted(&tried, source, err);
                if (status == FLOE_OK && tried.count > before)
                    status = list_add_sorted(&pending, source, err);
            }
        }
    }
    floe_io_string_list_fini(&pending);
    floe_io_string_list_fini(&tried);
    if (status < 0) {
        floe_eng_dynamic_set_fini(set);
        return status;
    }
    if (set->count > 1) qsort(set->entries, set->count, sizeof *set->entries, compare_entries);
    return FLOE_OK;
}

long floe_eng_dynamic_set_find(const floe_eng_dynamic_set *set, const char *identity)
{
    for (size_t i = 0; i < set->count; i++) {
        if (strcmp(set->entries[i].name, identity) == 0 ||
            strcmp(set->entries[i].directory, identity) == 0)
            return (long)i;
    }
    return -1;
}

/* ---- cycles ------------------------------------------------------------------------------ */

typedef struct cycle_search {
    const floe_eng_dynamic_set *set;
    const char *target;
    unsigned char *visited; /* per entry */
    const char **path;      /* names from the first source down */
    size_t depth;
} cycle_search;

/* 1 when `identity` reaches the target; path[0..depth) then holds the way. */
static int reaches(cycle_search *search, const char *identity)
{
    if (strcmp(identity, search->target) == 0) return 1;
    long index = floe_eng_dynamic_set_find(search->set, identity);
    if (index < 0) return 0;
    const floe_eng_dynamic_entry *entry = &search->set->entries[index];
    if (strcmp(entry->name, search->target) == 0) return 1; /* a path naming the target */
    if (search->visited[index]) return 0;
    search->visited[index] = 1;
    search->path[search->depth++] = entry->name;
    for (size_t i = 0; i < entry->sources.count; i++)
        if (reaches(search, entry->sources.items[i])) return 1;
    search->depth--;
    return 0;
}

int floe_eng_dynamic_check_cycle(const floe_eng_dynamic_set *set, const char *name,
                                 const char *const *sources, size_t source_count,
                                 floe_error *err)
{
    cycle_search search = {set, name, NULL, NULL, 0};
    search.visited = floe_calloc(set->count + 1, 1);
    search.path = floe_calloc(set->count + 1, sizeof *search.path);
    int status = FLOE_OK;
    if (search.visited == NULL || search.path == NULL)
        status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    long self = floe_eng_dynamic_set_find(set, name);
    if (self >= 0 && search.visited != NULL) search.visited[self] = 1;
    for (size_t i = 0; status == FLOE_OK && i < source_count; i++) {
        search.depth = 0;
        if (!reaches(&search, sources[i])) continue;
        char text[FLOE_ERROR_MESSAGE_SIZE];
        size_t used = (size_t)snprintf(text, sizeof text, "%s", name);
        for (size_t j = 0; j < search.depth && used < sizeof text; j++)
            used += (size_t)snprintf(text + used, sizeof text - used, " -> %s", search.path[j]);
        if (used < sizeof text) snprintf(text + used, sizeof text - used, " -> %s", name);
        status = floe_error_set(err, FLOE_ESYNTAX,
                                "dynamic table %s would make a cycle: %s (each reads the next)",
                                name, text);
    }
    floe_free(search.visited);
    floe_free(search.path);
    return status;
}

/* ---- shared statement helpers ------------------------------------------------------------ */

/* "line L, column C: " of a statement's table name, for errors found here. */
static int at_name(floe_error *err, const floe_sql_statement *statement)
{
    return floe_error_prefix(err, "line %u, column %u", (unsigned)statement->table.position.line,
                             (unsigned)statement->table.position.column);
}

static void statement_name(const floe_sql_statement *statement,
                           char buffer[FLOE_ENG_TABLE_NAME_SIZE])
{
    snprintf(buffer, FLOE_ENG_TABLE_NAME_SIZE, "%s.%s",
             statement->table.namespace_name ? statement->table.namespace_name : "default",
             statement->table.name);
}

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *ftw)
{
    (void)info, (void)flag, (void)ftw;
    return remove(path) == 0 ? 0 : errno;
}

/* Drops a table directory: renamed to <ns>/.dropped-<name>-<uuid> (the atomic step: the
 * catalog never lists a dot name), then removed. */
static int drop_directory(const char *directory, const floe_eng_output *output, floe_error *err)
{
    char uuid[FLOE_IO_UUID_LENGTH + 1], hidden[PATH_MAX], parent[PATH_MAX];
    FLOE_TRY(floe_io_random_uuid(uuid, err));
    snprintf(parent, sizeof parent, "%s", directory);
    char *slash = strrchr(parent, '/');
    FLOE_RETURN_IF(slash == NULL, FLOE_EINVAL, err, "%s: not an absolute directory", directory);
    *slash = '\0';
    int written = snprintf(hidden, sizeof hidden, "%s/.dropped-%s-%s", parent, slash + 1, uuid);
    FLOE_RETURN_IF(written < 0 || (size_t)written >= sizeof hidden, FLOE_ERANGE, err,
                   "%s: path too long", directory);
    if (rename(directory, hidden) != 0)
        return floe_error_set(err, -errno, "%s: cannot drop: %s", directory, strerror(errno));
    FLOE_TRY(floe_io_fsync_directory(parent, err));
    if (nftw(hidden, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        floe_eng_dynamic_warning(output, "could not remove every file of %s", hidden);
    return FLOE_OK;
}

static const char *mode_name(floe_sql_refresh_mode mode)
{
    switch (mode) {
    case FLOE_SQL_REFRESH_MODE_FULL: return "FULL";
    case FLOE_SQL_REFRESH_MODE_INCREMENTAL: return "INCREMENTAL";
    default: return "AUTO";
    }
}

/* Whether the incrementalizer could maintain `plan`: *reason NULL when it could. */
static int incremental_reason(const floe_sql_plan *plan, floe_arena *arena, const char **reason,
                              floe_error *err)
{
    floe_sql_incremental_analysis analysis;
    FLOE_TRY(floe_sql_incremental_analyze(arena, plan, &analysis, err));
    *reason = analysis.maintainable ? NULL : analysis.reason;
    return FLOE_OK;
}

/* ---- CREATE [OR REPLACE] DYNAMIC TABLE --------------------------------------------------- */

/* Every live data and delete file of the table's current snapshot, as stored. */
static int live_files(const floe_ice_table *table, floe_ice_scan_plan **scan, const char ***paths,
                      size_t *count, floe_error *err)
{
    *scan = NULL;
    *paths = NULL;
    *count = 0;
    if (table->metadata->current_snapshot_id < 0) return FLOE_OK;
    FLOE_TRY(floe_ice_table_plan_scan(table, -1, scan, err));
    size_t total = (*scan)->task_count + (*scan)->delete_file_count;
    *paths = floe_calloc(total ? total : 1, sizeof **paths);
    FLOE_RETURN_IF(*paths == NULL, FLOE_ENOMEM, err, "out of memory");
    for (size_t i = 0; i < (*scan)->task_count; i++)
        (*paths)[(*count)++] = (*scan)->tasks[i].data.file->file_path;
    for (size_t i = 0; i < (*scan)->delete_file_count; i++)
        (*paths)[(*count)++] = (*scan)->delete_files[i].file->file_path;
    return FLOE_OK;
}

/* Replaces a dynamic table's definition in one commit: new schema, new properties (the old
 * floe.* ones that are not set again removed), every live file removed. */
static int replace_table(const char *directory, const floe_ice_table *table,
                         const floe_ice_new_column *columns, size_t column_count,
                         const floe_ice_property *properties, size_t property_count,
                         floe_error *err)
{
    floe_ice_scan_plan *scan = NULL;
    const char **removed = NULL;
    size_t removed_count = 0;
    const floe_ice_table_metadata *metadata = table->metadata;
    const char **stale = floe_calloc(metadata->property_count + 1, sizeof *stale);
    size_t stale_count = 0;
    int status = stale == NULL ? floe_error_set(err, FLOE_ENOMEM, "out of memory") : FLOE_OK;
    for (size_t i = 0; status == FLOE_OK && i < metadata->property_count; i++) {
        const char *key = metadata->properties[i].key;
        if (strncmp(key, "floe.", 5) != 0) continue;
        bool kept = false;
        for (size_t j = 0; j < property_count; j++) kept |= strcmp(properties[j].key, key) == 0;
        if (!kept) stale[stale_count++] = key;
    }
    if (status == FLOE_OK) status = live_files(table, &scan, &removed, &removed_count, err);
    if (status == FLOE_OK) {
        const floe_ice_property summary[] = {{"floe.definition-replaced", "true"}};
        floe_ice_commit_request request = {0};
        request.operation = "delete";
        request.removed_paths = removed;
        request.removed_count = removed_count;
        request.summary = summary;
        request.summary_count = 1;
        request.expected_schema_id = floe_ice_current_schema(metadata)->schema_id;
        request.expected_snapshot_id =
            metadata->current_snapshot_id >= 0 ? metadata->current_snapshot_id : -1;
        request.set_properties = properties;
        request.set_property_count = property_count;
        request.removed_properties = stale;
        request.removed_property_count = stale_count;
        request.new_schema_columns = columns;
        request.new_schema_column_count = column_count;
        status = floe_ice_commit(directory, &request, NULL, err);
    }
    floe_free(stale);
    floe_free(removed);
    floe_ice_scan_plan_free(scan);
    return status;
}

/* What CREATE checks before it writes anything: the table does not read itself, INCREMENTAL is
 * possible when asked for, an existing table may be replaced, and no cycle arises. *existing
 * is the table being replaced (NULL for a new one). */
static int check_create(floe_eng_database *db, const floe_sql_bound_statement *bound,
                        const char *name, const char *directory, floe_sql_refresh_mode mode,
                        floe_ice_table **existing, floe_error *err)
{
    const floe_sql_statement *statement = bound->statement;
    *existing = NULL;
    /* The binder compares the name as written; sources are qualified ("default.t"). */
    for (uint32_t i = 0; i < bound->source_count; i++) {
        if (strcmp(bound->sources[i], name) == 0 || strcmp(bound->sources[i], directory) == 0) {
            floe_error_set(err, FLOE_ESYNTAX, "dynamic table %s cannot read itself", name);
            return at_name(err, statement);
        }
    }
    if (mode == FLOE_SQL_REFRESH_MODE_INCREMENTAL) {
        floe_arena scratch;
        floe_arena_init(&scratch, 0, 0);
        const char *blocked = NULL;
        int status = incremental_reason(bound->plan, &scratch, &blocked, err);
        const floe_sql_position at = statement->u.create_dynamic.query->position;
        if (status == FLOE_OK && blocked != NULL)
            status = floe_error_set(err, FLOE_EUNSUPPORTED,
                                    "line %u, column %u: REFRESH_MODE = INCREMENTAL: the query "
                                    "cannot be maintained incrementally: %s (use AUTO or FULL)",
                                    (unsigned)at.line, (unsigned)at.column, blocked);
        floe_arena_fini(&scratch);
        FLOE_TRY(status);
    }
    int status = floe_ice_table_open(existing, directory, NULL, err);
    if (status == FLOE_ENOTFOUND) {
        floe_error_clear(err);
        status = FLOE_OK;
    }
    FLOE_TRY(status);
    if (*existing != NULL) {
        bool dynamic = floe_ice_property_get((*existing)->metadata, FLOE_ENG_PROPERTY_SQL) != NULL;
        if (!statement->u.create_dynamic.or_replace || !dynamic) {
            floe_ice_table_free(*existing);
            *existing = NULL;
            floe_error_set(err, FLOE_ECONFLICT,
                           dynamic ? "dynamic table %s already exists (CREATE OR REPLACE replaces "
                                     "it)"
                                   : "%s is an ordinary table: a dynamic table cannot replace it",
                           name);
            return at_name(err, statement);
        }
    }
    floe_eng_dynamic_set set;
    status = floe_eng_dynamic_set_load(db, NULL, &set, err);
    if (status == FLOE_OK) {
        status = floe_eng_dynamic_check_cycle(&set, name, bound->sources, bound->source_count, err);
        if (status < 0) at_name(err, statement);
        floe_eng_dynamic_set_fini(&set);
    }
    if (status < 0) {
        floe_ice_table_free(*existing);
        *existing = NULL;
    }
    return status;
}

/* The stored definition: qualified name, every option resolved, no OR REPLACE; and the
 * properties that hold it (values point into *sql and lag, which the caller keeps). */
static int definition(const floe_sql_statement *statement, floe_sql_refresh_mode mode,
                      char **sql, char lag[64], bool *on_create, floe_error *err)
{
    floe_sql_statement canonical = *statement;
    if (canonical.table.namespace_name == NULL) canonical.table.namespace_name = "default";
    canonical.u.create_dynamic.or_replace = 0;
    canonical.u.create_dynamic.refresh_mode = mode;
    if (canonical.u.create_dynamic.target_lag == FLOE_SQL_TARGET_LAG_UNSET) {
        canonical.u.create_dynamic.target_lag = FLOE_SQL_TARGET_LAG_DURATION;
        canonical.u.create_dynamic.target_lag_seconds = 60;
    }
    if (canonical.u.create_dynamic.initialize == FLOE_SQL_INITIALIZE_UNSET)
        canonical.u.create_dynamic.initialize = FLOE_SQL_INITIALIZE_ON_CREATE;
    if (canonical.u.create_dynamic.target_lag == FLOE_SQL_TARGET_LAG_DOWNSTREAM)
        snprintf(lag, 64, "DOWNSTREAM");
    else
        floe_sql_format_target_lag(canonical.u.create_dynamic.target_lag_seconds, lag, 64);
    *on_create = canonical.u.create_dynamic.initialize == FLOE_SQL_INITIALIZE_ON_CREATE;
    return floe_sql_format_statement(&canonical, sql, NULL, err);
}

static int execute_create(floe_eng_database *db, const floe_sql_bound_statement *bound,
                          const floe_eng_output *output, floe_error *err)
{
    const floe_sql_statement *statement = bound->statement;
    char name[FLOE_ENG_TABLE_NAME_SIZE], directory[PATH_MAX];
    statement_name(statement, name);
    int status = floe_eng_database_table_directory(db, statement->table.namespace_name,
                                                   statement->table.name, directory,
                                                   sizeof directory, err);
    if (status < 0) return at_name(err, statement);
    floe_sql_refresh_mode mode = statement->u.create_dynamic.refresh_mode;
    if (mode == FLOE_SQL_REFRESH_MODE_UNSET) mode = FLOE_SQL_REFRESH_MODE_AUTO;
    floe_ice_table *existing = NULL;
    FLOE_TRY(check_create(db, bound, name, directory, mode, &existing, err));
    bool replacing = existing != NULL, on_create = true;

    char *sql = NULL, lag[64];
    uint32_t count = bound->target.column_count;
    floe_ice_new_column *columns = floe_calloc(count + 1, sizeof *columns);
    status = columns == NULL ? floe_error_set(err, FLOE_ENOMEM, "out of memory")
                             : definition(statement, mode, &sql, lag, &on_create, err);
    for (uint32_t i = 0; status == FLOE_OK && i <= count; i++) {
        /* Replacing: ids 0 are numbered after the table's last column id (never reused). */
        int32_t id = replacing ? 0 : (int32_t)i + 1;
        if (i < count)
            columns[i] = (floe_ice_new_column){bound->target.columns[i].name,
                                               bound->target.columns[i].type, 0, id, NULL};
        else
            columns[i] = (floe_ice_new_column){FLOE_ENG_REFRESH_COLUMN,
                                               floe_type_make(FLOE_TYPE_INT64), 1, id,
                                               "the refresh that wrote the row"};
    }
    floe_ice_property properties[] = {
        {FLOE_ENG_PROPERTY_SQL, sql},
        {FLOE_ENG_PROPERTY_REFRESH_MODE, mode_name(mode)},
        {FLOE_ENG_PROPERTY_TARGET_LAG, lag},
        {FLOE_ENG_PROPERTY_INITIALIZE, on_create ? "ON_CREATE" : "ON_SCHEDULE"},
    };
    size_t property_count = sizeof properties / sizeof properties[0];
    if (status == FLOE_OK && replacing) {
        status = replace_table(directory, existing, columns, count + 1, properties,
                               property_count, err);
    } else if (status == FLOE_OK) {
        status = floe_ice_commit_create_table(directory, columns, count + 1, properties,
                                              property_count, err);
        if (status == FLOE_ECONFLICT) { /* another creator won since the check */
            floe_error_set(err, FLOE_ECONFLICT, "table %s already exists", name);
            at_name(err, statement);
        }
    }
    floe_free(columns);
    floe_free(sql);
    floe_ice_table_free(existing);
    FLOE_TRY(status);

    const char *construct = NULL;
    if (mode != FLOE_SQL_REFRESH_MODE_FULL && !floe_eng_incremental_shape(bound->plan, &construct))
        floe_eng_dynamic_warning(output,
                                 "%s: REFRESH_MODE = %s: incremental maintenance of %s is not "
                                 "built yet; refreshes run FULL",
                                 name, mode_name(mode), construct);
    if (on_create) {
        status = floe_eng_refresh_table(db, name, false, output, NULL, err);
        if (status < 0 && !replacing) {
            /* The CREATE did not happen: the empty table goes again, the error stays. */
            drop_directory(directory, output, NULL);
            return status;
        }
        FLOE_TRY(status);
    }
    floe_eng_dynamic_message(output, "CREATE DYNAMIC TABLE");
    return FLOE_OK;
}

/* ---- DROP, ALTER ------------------------------------------------------------------------- */

/* Opens the statement's table and checks it is dynamic; *table NULL when it does not exist. */
static int open_dynamic(floe_eng_database *db, const floe_sql_statement *statement,
                        char name[FLOE_ENG_TABLE_NAME_SIZE], char *directory, size_t capacity,
                        floe_ice_table **table, floe_error *err)
{
    *table = NULL;
    statement_name(statement, name);
    int status = floe_eng_database_table_directory(db, statement->table.namespace_name,
                                                   statement->table.name, directory, capacity,
                                                   err);
    if (status < 0) return at_name(err, statement);
    status = floe_ice_table_open(table, directory, NULL, err);
    if (status == FLOE_ENOTFOUND) {
        floe_error_clear(err);
        return FLOE_OK;
    }
    FLOE_TRY(status);
    if (floe_ice_property_get((*table)->metadata, FLOE_ENG_PROPERTY_SQL) == NULL) {
        floe_ice_table_free(*table);
        *table = NULL;
        floe_error_set(err, FLOE_ETYPE, "%s is not a dynamic table%s", name,
                       statement->kind == FLOE_SQL_STATEMENT_DROP_DYNAMIC_TABLE
                           ? ": use DROP TABLE"
                           : "");
        return at_name(err, statement);
    }
    return FLOE_OK;
}

static int execute_drop(floe_eng_database *db, const floe_sql_bound_statement *bound,
                        const floe_eng_output *output, floe_error *err)
{
    const floe_sql_statement *statement = bound->statement;
    char name[FLOE_ENG_TABLE_NAME_SIZE], directory[PATH_MAX];
    floe_ice_table *table = NULL;
    FLOE_TRY(open_dynamic(db, statement, name, directory, sizeof directory, &table, err));
    if (table == NULL) {
        if (statement->u.drop.if_exists) {
            floe_eng_dynamic_message(output, "NOTICE: dynamic table %s does not exist, skipping",
                                     name);
            floe_eng_dynamic_message(output, "DROP DYNAMIC TABLE");
            return FLOE_OK;
        }
        floe_error_set(err, FLOE_ENOTFOUND, "dynamic table %s does not exist", name);
        return at_name(err, statement);
    }
    floe_ice_table_free(table);
    FLOE_TRY(drop_directory(directory, output, err));
    /* Readers are told, not refused: dropping and re-creating an upstream is a normal step. */
    floe_eng_dynamic_set set;
    if (floe_eng_dynamic_set_load(db, NULL, &set, NULL) == FLOE_OK) {
        for (size_t i = 0; i < set.count; i++) {
            const floe_eng_dynamic_entry *entry = &set.entries[i];
            for (size_t j = 0; j < entry->sources.count; j++) {
                if (strcmp(entry->sources.items[j], name) == 0 ||
                    strcmp(entry->sources.items[j], directory) == 0)
                    floe_eng_dynamic_warning(output,
                                             "%s reads %s: its refreshes fail until %s exists "
                                             "again", entry->name, name, name);
            }
        }
        floe_eng_dynamic_set_fini(&set);
    }
    floe_eng_dynamic_message(output, "DROP DYNAMIC TABLE");
    return FLOE_OK;
}

static int execute_alter(floe_eng_database *db, const floe_sql_bound_statement *bound,
                         const floe_eng_output *output, floe_error *err)
{
    const floe_sql_statement *statement = bound->statement;
    char name[FLOE_ENG_TABLE_NAME_SIZE], directory[PATH_MAX];
    floe_ice_table *table = NULL;
    FLOE_TRY(open_dynamic(db, statement, name, directory, sizeof directory, &table, err));
    if (table == NULL) {
        floe_error_set(err, FLOE_ENOTFOUND, "dynamic table %s does not exist", name);
        return at_name(err, statement);
    }
    floe_ice_table_free(table);
    int status = FLOE_OK;
    if (statement->u.alter == FLOE_SQL_ALTER_REFRESH) {
        const char *names[] = {name};
        status = floe_eng_refresh(db, names, 1, false, output, err);
    } else if (statement->u.alter == FLOE_SQL_ALTER_SUSPEND) {
        const floe_ice_property suspended[] = {{FLOE_ENG_PROPERTY_SUSPENDED, "true"}};
        status = floe_ice_commit_properties(directory, suspended, 1, NULL, 0, NULL, err);
    } else {
        const char *const removed[] = {FLOE_ENG_PROPERTY_SUSPENDED};
        status = floe_ice_commit_properties(directory, NULL, 0, removed, 1, NULL, err);
    }
    FLOE_TRY(status);
    floe_eng_dynamic_message(output, "ALTER DYNAMIC TABLE");
    return FLOE_OK;
}

/* ---- SHOW -------------------------------------------------------------------------------- */

enum show_column {
    SHOW_NAME, SHOW_TARGET_LAG, SHOW_REFRESH_MODE, SHOW_INITIALIZE, SHOW_SUSPENDED,
    SHOW_SOURCES, SHOW_LAST_REFRESH_TIME, SHOW_LAST_MODE, SHOW_LAST_REASON, SHOW_ROWS_WRITTEN,
    SHOW_REFRESHES, SHOW_DEFINITION, SHOW_COLUMN_COUNT
};

static int show_row(floe_eng_row_writer *rows, const floe_eng_dynamic_entry *entry,
                    const floe_eng_dynamic_status *status, floe_error *err)
{
    char sources[4096];
    size_t used = 0;
    sources[0] = '\0';
    for (size_t i = 0; i < entry->sources.count && used < sizeof sources; i++)
        used += (size_t)snprintf(sources + used, sizeof sources - used, "%s%s", i ? ", " : "",
                                 entry->sources.items[i]);
    FLOE_TRY(floe_eng_row_writer_text(rows, SHOW_NAME, entry->name, err));
    FLOE_TRY(floe_eng_row_writer_text(rows, SHOW_TARGET_LAG, status->target_lag, err));
    FLOE_TRY(floe_eng_row_writer_text(rows, SHOW_REFRESH_MODE, status->refresh_mode, err));
    FLOE_TRY(floe_eng_row_writer_text(rows, SHOW_INITIALIZE, status->initialize, err));
    floe_eng_row_writer_bool(rows, SHOW_SUSPENDED, entry->suspended);
    FLOE_TRY(floe_eng_row_writer_text(rows, SHOW_SOURCES, sources, err));
    if (status->refreshed) {
        floe_eng_row_writer_int64(rows, SHOW_LAST_REFRESH_TIME, status->last_refresh_ms * 1000);
        FLOE_TRY(floe_eng_row_writer_text(rows, SHOW_LAST_MODE, status->last_mode, err));
        FLOE_TRY(floe_eng_row_writer_text(rows, SHOW_LAST_REASON, status->last_reason, err));
        floe_eng_row_writer_int64(rows, SHOW_ROWS_WRITTEN, status->rows_written);
    } else {
        floe_eng_row_writer_null(rows, SHOW_LAST_REFRESH_TIME);
        floe_eng_row_writer_null(rows, SHOW_LAST_MODE);
        floe_eng_row_writer_null(rows, SHOW_LAST_REASON);
        floe_eng_row_writer_null(rows, SHOW_ROWS_WRITTEN);
    }
    floe_eng_row_writer_int64(rows, SHOW_REFRESHES, status->refreshes);
    FLOE_TRY(floe_eng_row_writer_text(rows, SHOW_DEFINITION, entry->sql, err));
    return floe_eng_row_writer_next(rows, err);
}

static int execute_show(floe_eng_database *db, const floe_eng_output *output, floe_error *err)
{
    floe_type text = floe_type_make(FLOE_TYPE_STRING), number = floe_type_make(FLOE_TYPE_INT64);
    floe_sql_column columns[SHOW_COLUMN_COUNT] = {
        {"name", text, false},
        {"target_lag", text, true},
        {"refresh_mode", text, true},
        {"initialize", text, true},
        {"suspended", floe_type_make(FLOE_TYPE_BOOLEAN), false},
        {"sources", text, false},
        {"last_refresh_time", floe_type_make(FLOE_TYPE_TIMESTAMPTZ), true},
        {"last_mode", text, true},
        {"last_reason", text, true},
        {"rows_written", number, true},
        {"refreshes", number, false},
        {"definition", text, false},
    };
    floe_eng_dynamic_set set;
    FLOE_TRY(floe_eng_dynamic_set_load(db, output, &set, err));
    floe_eng_row_writer rows;
    int status = floe_eng_row_writer_init(&rows, output, columns, SHOW_COLUMN_COUNT, err);
    int64_t now = floe_eng_dynamic_now_ms();
    for (size_t i = 0; status == FLOE_OK && i < set.count; i++) {
        floe_eng_dynamic_status table_status;
        status = floe_eng_dynamic_status_read(db, &set.entries[i], now, &table_status, err);
        if (status == FLOE_OK) status = show_row(&rows, &set.entries[i], &table_status, err);
        floe_eng_dynamic_status_fini(&table_status);
    }
    if (status == FLOE_OK) status = floe_eng_row_writer_finish(&rows, err);
    floe_eng_row_writer_fini(&rows);
    floe_eng_dynamic_set_fini(&set);
    return status;
}

/* ---- EXPLAIN ----------------------------------------------------------------------------- */

/* Emits text (lines split at '\n') as rows of the "plan" column. */
static int explain_lines(floe_eng_row_writer *rows, const char *text, const char *indent,
                         floe_error *err)
{
    const char *line = text;
    while (*line != '\0') {
        const char *end = strchr(line, '\n');
        size_t length = end != NULL ? (size_t)(end - line) : strlen(line);
        char *copy = floe_malloc(strlen(indent) + length + 1);
        FLOE_RETURN_IF(copy == NULL, FLOE_ENOMEM, err, "out of memory");
        snprintf(copy, strlen(indent) + length + 1, "%s%.*s", indent, (int)length, line);
        int status = floe_eng_row_writer_text(rows, 0, copy, err);
        floe_free(copy);
        FLOE_TRY(status);
        FLOE_TRY(floe_eng_row_writer_next(rows, err));
        if (end == NULL) break;
        line = end + 1;
    }
    return FLOE_OK;
}

static int explain_line(floe_eng_row_writer *rows, floe_error *err, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static int explain_line(floe_eng_row_writer *rows, floe_error *err, const char *format, ...)
{
    char line[4096];
    va_list args;
    va_start(args, format);
    vsnprintf(line, sizeof line, format, args);
    va_end(args);
    return explain_lines(rows, line, "", err);
}

/* What the next refresh reads of each source (EXPLAIN): its change since the snapshot the last
 * refresh consumed (an incremental refresh), or the whole current snapshot (a full one).
 * Planned from manifests only; no data file is opened. */
typedef enum explain_reads {
    EXPLAIN_READS_NOTHING = 0,    /* up to date */
    EXPLAIN_READS_CHANGES,        /* from consumed_ids to current_ids */
    EXPLAIN_READS_ALL,            /* the current snapshot */
} explain_reads;

/* Files, rows (before deletes) and bytes of a list of data files. */
typedef struct file_totals {
    int64_t files, rows, bytes;
} file_totals;

static void totals_add(file_totals *totals, const floe_ice_scan_file *file)
{
    totals->files++;
    totals->rows += file->record_count;
    totals->bytes += file->file_size;
}

static int compare_text(const void *left, const void *right)
{
    return strcmp(*(const char *const *)left, *(const char *const *)right);
}

/* The stored paths of a plan's data files (data: true) or delete files, sorted. */
static int plan_paths(const floe_ice_scan_plan *plan, bool data, const char ***paths,
                      size_t *count, floe_error *err)
{
    size_t total = plan == NULL ? 0 : data ? plan->task_count : plan->delete_file_count;
    *count = total;
    *paths = floe_calloc(total + 1, sizeof **paths);
    FLOE_RETURN_IF(*paths == NULL, FLOE_ENOMEM, err, "out of memory");
    for (size_t i = 0; i < total; i++)
        (*paths)[i] = data ? plan->tasks[i].data.file->file_path
                           : plan->delete_files[i].file->file_path;
    qsort(*paths, total, sizeof **paths, compare_text);
    return FLOE_OK;
}

static bool path_listed(const char *const *paths, size_t count, const char *path)
{
    return count > 0 && bsearch(&path, paths, count, sizeof *paths, compare_text) != NULL;
}

/* Data files live only at `to` (added) and only at `from` (removed); delete files live at `to`
 * but not at `from`, by kind. The change reader compares the two snapshots the same way. */
static int diff_plans(const floe_ice_scan_plan *from, const floe_ice_scan_plan *to,
                      file_totals *added, file_totals *removed, file_totals *position_deletes,
                      file_totals *equality_deletes, floe_error *err)
{
    const char **from_data = NULL, **to_data = NULL, **from_deletes = NULL;
    size_t from_data_count = 0, to_data_count = 0, from_delete_count = 0;
    int status = plan_paths(from, true, &from_data, &from_data_count, err);
    if (status == FLOE_OK) status = plan_paths(to, true, &to_data, &to_data_count, err);
    if (status == FLOE_OK)
        status = plan_paths(from, false, &from_deletes, &from_delete_count, err);
    for (size_t i = 0; status == FLOE_OK && to != NULL && i < to->task_count; i++) {
        const floe_ice_scan_file *file = &to->tasks[i].data;
        if (!path_listed(from_data, from_data_count, file->file->file_path))
            totals_add(added, file);
    }
    for (size_t i = 0; status == FLOE_OK && from != NULL && i < from->task_count; i++) {
        const floe_ice_scan_file *file = &from->tasks[i].data;
        if (!path_listed(to_data, to_data_count, file->file->file_path))
            totals_add(removed, file);
    }
    for (size_t i = 0; status == FLOE_OK && to != NULL && i < to->delete_file_count; i++) {
        const floe_ice_scan_file *file = &to->delete_files[i];
        if (path_listed(from_deletes, from_delete_count, file->file->file_path)) continue;
        totals_add(file->content == FLOE_ICE_CONTENT_EQUALITY_DELETES ? equality_deletes
                                                                       : position_deletes,
                   file);
    }
    floe_free(from_data);
    floe_free(to_data);
    floe_free(from_deletes);
    return status;
}

/* Whether every snapshot after `from` up to `to` is a `replace` (compaction): then the change
 * reader reads nothing. False when `from` is not an ancestor of `to`. */
static bool replace_only(const floe_ice_table_metadata *metadata, int64_t from, int64_t to)
{
    const floe_ice_snapshot *snapshot = floe_ice_snapshot_by_id(metadata, to);
    bool any = false;
    for (size_t steps = 0; snapshot != NULL && steps <= metadata->snapshot_count; steps++) {
        if (snapshot->snapshot_id == from) return any;
        if (snapshot->operation == NULL || strcmp(snapshot->operation, "replace") != 0)
            return false;
        any = true;
        snapshot = snapshot->parent_snapshot_id >= 0
                       ? floe_ice_snapshot_by_id(metadata, snapshot->parent_snapshot_id)
                       : NULL;
    }
    return false;
}

static void format_totals(char *buffer, size_t size, const char *what, const file_totals *totals)
{
    snprintf(buffer, size, "%" PRId64 " %s (%" PRId64 " rows, %" PRId64 " bytes)", totals->files,
             what, totals->rows, totals->bytes);
}

/* "all N data files (R rows, B bytes), D delete files" of the snapshot `plan` lists. */
static void format_whole(char *buffer, size_t size, const floe_ice_scan_plan *plan)
{
    file_totals data = {0}, deletes = {0};
    for (size_t i = 0; plan != NULL && i < plan->task_count; i++)
        totals_add(&data, &plan->tasks[i].data);
    for (size_t i = 0; plan != NULL && i < plan->delete_file_count; i++)
        totals_add(&deletes, &plan->delete_files[i]);
    snprintf(buffer, size,
             "all %" PRId64 " data files (%" PRId64 " rows, %" PRId64 " bytes), %" PRId64
             " delete files",
             data.files, data.rows, data.bytes, deletes.files);
}

/* The estimate line of one source, e.g. "    next refresh reads: 1 data files added (...)". */
static int explain_source_reads(floe_eng_row_writer *rows, floe_eng_database *db,
                                const char *identity, explain_reads reads, const char *label,
                                int64_t consumed, int64_t current, floe_error *err)
{
    floe_ice_table *table = NULL;
    FLOE_TRY(floe_ice_table_open(&table, identity, floe_eng_database_warehouse(db), err));
    const floe_ice_table_metadata *metadata = table->metadata;
    floe_ice_scan_plan *from = NULL, *to = NULL;
    char line[1024];
    int status = FLOE_OK;
    bool changes = reads == EXPLAIN_READS_CHANGES;
    if (changes && consumed >= 0 && floe_ice_snapshot_by_id(metadata, consumed) == NULL) {
        /* The change reader cannot diff from an expired snapshot: the refresh rebuilds. */
        changes = false;
        snprintf(line, sizeof line, "    %s: snapshot %" PRId64 " is no longer in the history, "
                 "so a full refresh: ", label, consumed);
    } else {
        snprintf(line, sizeof line, "    %s: ", label);
    }
    size_t used = strlen(line);
    if (current >= 0 && (!changes || consumed != current))
        status = floe_ice_table_plan_scan(table, current, &to, err);
    if (!changes) {
        format_whole(line + used, sizeof line - used, to);
    } else if (consumed == current) {
        snprintf(line + used, sizeof line - used, "nothing (no new snapshot)");
    } else if (consumed >= 0 && replace_only(metadata, consumed, current)) {
        snprintf(line + used, sizeof line - used,
                 "nothing (only replace snapshots since %" PRId64 ": the same rows)", consumed);
    } else {
        if (status == FLOE_OK && consumed >= 0)
            status = floe_ice_table_plan_scan(table, consumed, &from, err);
        file_totals added = {0}, removed = {0}, position_deletes = {0}, equality_deletes = {0};
        if (status == FLOE_OK)
            status = diff_plans(from, to, &added, &removed, &position_deletes, &equality_deletes,
                                err);
        char added_text[160], removed_text[160];
        format_totals(added_text, sizeof added_text, "data files added", &added);
        format_totals(removed_text, sizeof removed_text, "removed", &removed);
        snprintf(line + used, sizeof line - used,
                 "%s, %s, %" PRId64 " position delete files and %" PRId64
                 " equality delete files added",
                 added_text, removed_text, position_deletes.files, equality_deletes.files);
    }
    if (status == FLOE_OK) status = explain_lines(rows, line, "", err);
    floe_ice_scan_plan_free(from);
    floe_ice_scan_plan_free(to);
    floe_ice_table_free(table);
    if (status < 0 && err != NULL && strstr(err->message, identity) == NULL)
        floe_error_prefix(err, "source %s", identity);
    return status;
}

/* The body both EXPLAIN forms share: definition, plan, maintainability, sources, refresh. */
static int explain_body(floe_eng_row_writer *rows, floe_eng_database *db, const char *definition,
                        const floe_sql_bound_statement *create, const int64_t *current_ids,
                        const int64_t *consumed_ids, explain_reads reads,
                        const char *reads_label, const char *refresh_line, floe_error *err)
{
    FLOE_TRY(explain_line(rows, err, "definition: %s", definition));
    char *plan = NULL;
    FLOE_TRY(floe_sql_plan_format(create->plan, &plan, NULL, err));
    int status = explain_line(rows, err, "plan:");
    if (status == FLOE_OK) status = explain_lines(rows, plan, "  ", err);
    floe_free(plan);
    FLOE_TRY(status);
    floe_arena scratch;
    floe_arena_init(&scratch, 0, 0);
    floe_sql_incremental_analysis analysis;
    const char *construct = NULL;
    char *delta = NULL;
    status = floe_sql_incremental_analyze(&scratch, create->plan, &analysis, err);
    if (status == FLOE_OK && analysis.maintainable)
        status = floe_sql_incremental_format(&analysis, &delta, NULL, err);
    if (status == FLOE_OK && delta != NULL) status = explain_line(rows, err, "delta plan:");
    if (status == FLOE_OK && delta != NULL) {
        /* The formatter's last line is its own verdict; ours, with what is built, follows. */
        char *verdict = strstr(delta, "\nincremental:");
        if (verdict != NULL) *verdict = '\0';
        status = explain_lines(rows, delta, "  ", err);
    }
    floe_free(delta);
    if (status == FLOE_OK && !analysis.maintainable)
        status = explain_line(rows, err, "incremental: no (%s)", analysis.reason);
    else if (status == FLOE_OK && !floe_eng_incremental_shape(create->plan, &construct))
        status = explain_line(rows, err,
                              "incremental: maintainable, but incremental maintenance of %s is "
                              "not built yet (refreshes run FULL)",
                              construct);
    else if (status == FLOE_OK)
        status = explain_line(rows, err, "incremental: yes (%s)",
                              analysis.aggregating
                                  ? "bucketed aggregate state, merged output"
                                  : "appended output files, retractions as position deletes");
    floe_arena_fini(&scratch);
    FLOE_TRY(status);
    FLOE_TRY(explain_line(rows, err, "sources:"));
    for (uint32_t i = 0; i < create->source_count; i++) {
        char current[32] = "none", consumed[64] = "";
        if (current_ids[i] >= 0) snprintf(current, sizeof current, "%" PRId64, current_ids[i]);
        if (consumed_ids != NULL && consumed_ids[i] >= 0)
            snprintf(consumed, sizeof consumed, ", last refresh read %" PRId64, consumed_ids[i]);
        else if (consumed_ids != NULL && consumed_ids[i] == -1)
            snprintf(consumed, sizeof consumed, ", last refresh read none");
        FLOE_TRY(explain_line(rows, err, "  %s: current snapshot %s%s", create->sources[i],
                              current, consumed));
        if (reads == EXPLAIN_READS_NOTHING) continue;
        explain_reads source_reads = reads;
        /* Not recorded: the refresh cannot start from it and rebuilds (refresh.c). */
        if (consumed_ids == NULL || consumed_ids[i] < -1) source_reads = EXPLAIN_READS_ALL;
        FLOE_TRY(explain_source_reads(rows, db, create->sources[i], source_reads, reads_label,
                                      consumed_ids != NULL ? consumed_ids[i] : -1,
                                      current_ids[i], err));
    }
    return explain_line(rows, err, "%s", refresh_line);
}

static int explain_begin(floe_eng_row_writer *rows, const floe_eng_output *output,
                         floe_sql_column *column, floe_error *err)
{
    *column = (floe_sql_column){"plan", floe_type_make(FLOE_TYPE_STRING), false};
    return floe_eng_row_writer_init(rows, output, column, 1, err);
}

static int execute_explain_table(floe_eng_database *db, const floe_sql_bound_statement *bound,
                                 const floe_eng_output *output, floe_error *err)
{
    const floe_sql_statement *statement = bound->statement;
    char name[FLOE_ENG_TABLE_NAME_SIZE], directory[PATH_MAX];
    floe_ice_table *table = NULL;
    FLOE_TRY(open_dynamic(db, statement, name, directory, sizeof directory, &table, err));
    if (table == NULL) {
        floe_error_set(err, FLOE_ENOTFOUND, "dynamic table %s does not exist", name);
        return at_name(err, statement);
    }
    floe_eng_refresh_plan plan;
    int status = floe_eng_refresh_prepare(db, name, table, false, &plan, err);
    floe_eng_row_writer rows;
    floe_sql_column column;
    if (status == FLOE_OK) {
        status = explain_begin(&rows, output, &column, err);
        explain_reads reads = EXPLAIN_READS_ALL;
        if (plan.up_to_date) {
            reads = EXPLAIN_READS_NOTHING;
        } else if (floe_eng_refresh_plan_incremental(&plan)) {
            reads = EXPLAIN_READS_CHANGES;
            /* A source the last refresh did not record makes the refresh rebuild (refresh.c). */
            for (uint32_t i = 0; i < plan.bound.source_count; i++)
                if (plan.consumed_ids[i] < -1) reads = EXPLAIN_READS_ALL;
        }
        char refresh[512];
        if (plan.up_to_date)
            snprintf(refresh, sizeof refresh,
                     "next refresh: none, up to date (refresh %" PRId64 "; a forced one runs "
                     "FULL)",
                     plan.previous_number);
        else if (floe_eng_refresh_plan_incremental(&plan))
            snprintf(refresh, sizeof refresh,
                     "next refresh: INCREMENTAL (%s), unless it must fall back", plan.reason);
        else if (floe_eng_refresh_plan_keeps_state(&plan))
            snprintf(refresh, sizeof refresh, "next refresh: FULL (%s), building the state; "
                     "then INCREMENTAL", plan.reason);
        else
            snprintf(refresh, sizeof refresh, "next refresh: FULL (%s)", plan.reason);
        const char *definition =
            floe_ice_property_get(table->metadata, FLOE_ENG_PROPERTY_SQL);
        if (status == FLOE_OK)
            status = explain_body(&rows, db, definition, &plan.bound, plan.current_ids,
                                  plan.consumed_ids, reads, "next refresh reads", refresh, err);
        if (status == FLOE_OK) status = floe_eng_row_writer_finish(&rows, err);
        floe_eng_row_writer_fini(&rows);
        floe_eng_refresh_plan_fini(&plan);
    }
    floe_ice_table_free(table);
    return status;
}

/* EXPLAIN CREATE DYNAMIC TABLE: what CREATE would store and its first refresh would read. */
static int execute_explain_create(floe_eng_database *db, const floe_sql_bound_statement *bound,
                                  const floe_eng_output *output, floe_error *err)
{
    const floe_sql_bound_statement *create = bound->explained;
    const floe_sql_statement *statement = create->statement;
    floe_sql_refresh_mode mode = statement->u.create_dynamic.refresh_mode;
    int64_t *current = floe_calloc(create->source_count + 1, sizeof *current);
    FLOE_RETURN_IF(current == NULL, FLOE_ENOMEM, err, "out of memory");
    int status = FLOE_OK;
    for (uint32_t i = 0; status == FLOE_OK && i < create->source_count; i++) {
        floe_ice_table *source = NULL;
        status = floe_ice_table_open(&source, create->sources[i], floe_eng_database_warehouse(db),
                                     err);
        if (status == FLOE_OK) current[i] = source->metadata->current_snapshot_id;
        floe_ice_table_free(source);
    }
    char *definition = NULL;
    if (status == FLOE_OK) status = floe_sql_format_statement(statement, &definition, NULL, err);
    floe_eng_row_writer rows;
    floe_sql_column column;
    if (status == FLOE_OK) {
        status = explain_begin(&rows, output, &column, err);
        const char *construct = NULL;
        char built[256];
        if (floe_eng_incremental_shape(create->plan, &construct))
            snprintf(built, sizeof built,
                     "first refresh: FULL (initial refresh, building the state); then "
                     "INCREMENTAL");
        else
            snprintf(built, sizeof built,
                     "first refresh: FULL (initial refresh; incremental maintenance of %s is "
                     "not built yet)",
                     construct);
        const char *line =
            mode == FLOE_SQL_REFRESH_MODE_FULL ? "first refresh: FULL (REFRESH_MODE = FULL)"
                                               : built;
        if (statement->u.create_dynamic.initialize == FLOE_SQL_INITIALIZE_ON_SCHEDULE)
            line = "first refresh: none at CREATE (INITIALIZE = ON_SCHEDULE); then FULL";
        if (status == FLOE_OK)
            status = explain_body(&rows, db, definition, create, current, NULL,
                                  EXPLAIN_READS_ALL, "a first refresh would read", line, err);
        if (status == FLOE_OK) status = floe_eng_row_writer_finish(&rows, err);
        floe_eng_row_writer_fini(&rows);
    }
    floe_free(definition);
    floe_free(current);
    return status;
}

/* ---- dispatch ---------------------------------------------------------------------------- */

int floe_eng_dynamic_execute(floe_eng_database *db, const floe_sql_bound_statement *bound,
                             const floe_eng_output *output, floe_error *err)
{
    FLOE_RETURN_IF(db == NULL || bound == NULL || bound->statement == NULL, FLOE_EINVAL, err,
                   "floe_eng_dynamic_execute: NULL argument");
    switch (bound->kind) {
    case FLOE_SQL_STATEMENT_CREATE_DYNAMIC_TABLE: return execute_create(db, bound, output, err);
    case FLOE_SQL_STATEMENT_DROP_DYNAMIC_TABLE: return execute_drop(db, bound, output, err);
    case FLOE_SQL_STATEMENT_ALTER_DYNAMIC_TABLE: return execute_alter(db, bound, output, err);
    case FLOE_SQL_STATEMENT_SHOW_DYNAMIC_TABLES: return execute_show(db, output, err);
    case FLOE_SQL_STATEMENT_EXPLAIN_DYNAMIC_TABLE:
        return execute_explain_table(db, bound, output, err);
    case FLOE_SQL_STATEMENT_EXPLAIN:
        if (bound->explained != NULL &&
            bound->explained->kind == FLOE_SQL_STATEMENT_CREATE_DYNAMIC_TABLE)
            return execute_explain_create(db, bound, output, err);
        break;
    default: break;
    }
    return floe_error_set(err, FLOE_EINVAL, "floe_eng_dynamic_execute: not a dynamic table "
                          "statement (kind %d)", (int)bound->kind);
}
