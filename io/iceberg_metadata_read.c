/*
 * iceberg_metadata_read.c — Iceberg table metadata JSON → floe_ice_table_metadata.
 *
 * Metadata files come from other engines (Spark, pyiceberg, Trino, DuckDB) and from disk, so
 * every value is checked for its JSON type and range before it is used, and an error names
 * the JSON path where it was found ("snapshots[3].manifest-list: expected a string"). The
 * JSON path is kept in a small buffer that each level appends to and truncates back, so no
 * allocation is needed to report where a problem is. jansson parses; this file only walks.
 * The rules (which fields v1 and v2 require, defaults for v1) are in iceberg_metadata.h.
 */
#define _DEFAULT_SOURCE /* O_CLOEXEC, ssize_t under -std=c11 */
#include "io/iceberg_metadata.h"
#include "io/iceberg_metadata_int.h"
#include "kernels/memory.h" /* floe_malloc, floe_realloc, floe_free */

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

enum {
    PATH_CAPACITY = 512,
    MAX_TYPE_DEPTH = 64, /* nesting of struct/list/map types and of name mappings */
};

typedef struct parse_context {
    floe_ice_table_metadata *metadata;
    floe_error *err;
    char path[PATH_CAPACITY]; /* the JSON path being read, "snapshots[3].summary" */
    size_t path_length;
    int32_t *field_ids;       /* every field id of the schema being read, to find duplicates */
    size_t field_id_count;
    size_t field_id_capacity;
} parse_context;

/* ---- the JSON path ---------------------------------------------------------------------- */

static size_t path_push_key(parse_context *context, const char *key)
{
    size_t saved = context->path_length;
    int written = snprintf(context->path + saved, PATH_CAPACITY - saved, "%s%s",
                           saved == 0 ? "" : ".", key);
    if (written > 0) {
        size_t added = (size_t)written;
        context->path_length = saved + added < PATH_CAPACITY ? saved + added : PATH_CAPACITY - 1;
    }
    return saved;
}

static size_t path_push_index(parse_context *context, size_t index)
{
    size_t saved = context->path_length;
    int written = snprintf(context->path + saved, PATH_CAPACITY - saved, "[%zu]", index);
    if (written > 0) {
        size_t added = (size_t)written;
        context->path_length = saved + added < PATH_CAPACITY ? saved + added : PATH_CAPACITY - 1;
    }
    return saved;
}

static void path_pop(parse_context *context, size_t saved)
{
    context->path_length = saved;
    context->path[saved] = '\0';
}

__attribute__((format(printf, 2, 3)))
static int corrupt(parse_context *context, const char *format, ...)
{
    char message[512];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, sizeof message, format, arguments);
    va_end(arguments);
    return floe_error_set(context->err, FLOE_ECORRUPT, "%s: %s",
                          context->path_length == 0 ? "(top level)" : context->path, message);
}

static int out_of_memory(parse_context *context)
{
    return floe_error_set(context->err, FLOE_ENOMEM, "%s: out of memory",
                          context->path_length == 0 ? "(top level)" : context->path);
}

static void *arena_array(parse_context *context, size_t count, size_t element_size)
{
    if (count == 0) return NULL;
    if (element_size != 0 && count > SIZE_MAX / element_size) return NULL;
    return floe_arena_alloc_zero(&context->metadata->arena, count * element_size);
}

/* ---- typed members: each pushes the key for its error and pops it ----------------------- */

/* Looks up `key`; absent (or null, which writers use for "absent") gives *value = NULL. */
static int member(parse_context *context, const json_t *object, const char *key, int required,
                  json_t **value)
{
    *value = json_object_get(object, key);
    if (*value != NULL && json_is_null(*value)) *value = NULL;
    if (*value == NULL && required) {
        size_t saved = path_push_key(context, key);
        int status = corrupt(context, "missing required field");
        path_pop(context, saved);
        return status;
    }
    return FLOE_OK;
}

static int copy_string(parse_context *context, const json_t *value, const char **out)
{
    if (!json_is_string(value)) return corrupt(context, "expected a string");
    char *copy = floe_arena_strndup(&context->metadata->arena, json_string_value(value),
                                    json_string_length(value));
    if (copy == NULL) return out_of_memory(context);
    *out = copy;
    return FLOE_OK;
}

static int read_string(parse_context *context, const json_t *object, const char *key,
                       int required, const char **out)
{
    json_t *value;
    FLOE_TRY(member(context, object, key, required, &value));
    if (value == NULL) return FLOE_OK;
    size_t saved = path_push_key(context, key);
    int status = copy_string(context, value, out);
    path_pop(context, saved);
    return status;
}

static int read_int64(parse_context *context, const json_t *object, const char *key,
                      int required, int64_t *out)
{
    json_t *value;
    FLOE_TRY(member(context, object, key, required, &value));
    if (value == NULL) return FLOE_OK;
    if (!json_is_integer(value)) {
        size_t saved = path_push_key(context, key);
        int status = corrupt(context, "expected an integer");
        path_pop(context, saved);
        return status;
    }
    *out = (int64_t)json_integer_value(value);
    return FLOE_OK;
}

static int read_int32(parse_context *context, const json_t *object, const char *key,
                      int required, int32_t *out)
{
    json_t *value;
    FLOE_TRY(member(context, object, key, required, &value));
    if (value == NULL) return FLOE_OK;
    size_t saved = path_push_key(context, key);
    int status = FLOE_OK;
    if (!json_is_integer(value)) {
        status = corrupt(context, "expected an integer");
    } else if (json_integer_value(value) < INT32_MIN || json_integer_value(value) > INT32_MAX) {
        status = corrupt(context, "%lld is out of range for an int",
                         (long long)json_integer_value(value));
    } else {
        *out = (int32_t)json_integer_value(value);
    }
    path_pop(context, saved);
    return status;
}

static int read_bool(parse_context *context, const json_t *object, const char *key, int required,
                     int *out)
{
    json_t *value;
    FLOE_TRY(member(context, object, key, required, &value));
    if (value == NULL) return FLOE_OK;
    if (!json_is_boolean(value)) {
        size_t saved = path_push_key(context, key);
        int status = corrupt(context, "expected true or false");
        path_pop(context, saved);
        return status;
    }
    *out = json_is_true(value);
    return FLOE_OK;
}

/* Gets an array member (NULL when absent and optional). */
static int read_array(parse_context *context, const json_t *object, const char *key,
                      int required, json_t **out)
{
    FLOE_TRY(member(context, object, key, required, out));
    if (*out != NULL && !json_is_array(*out)) {
        size_t saved = path_push_key(context, key);
        int status = corrupt(context, "expected an array");
        path_pop(context, saved);
        return status;
    }
    return FLOE_OK;
}

static int read_object(parse_context *context, const json_t *object, const char *key,
                       int required, json_t **out)
{
    FLOE_TRY(member(context, object, key, required, out));
    if (*out != NULL && !json_is_object(*out)) {
        size_t saved = path_push_key(context, key);
        int status = corrupt(context, "expected an object");
        path_pop(context, saved);
        return status;
    }
    return FLOE_OK;
}

static int expect_object(parse_context *context, const json_t *value)
{
    return json_is_object(value) ? FLOE_OK : corrupt(context, "expected an object");
}

/* A JSON object whose values are all strings, into an arena array of properties. */
static int read_string_map(parse_context *context, const json_t *object,
                           floe_ice_property **out, size_t *count)
{
    *count = 0;
    *out = arena_array(context, json_object_size(object), sizeof **out);
    if (json_object_size(object) != 0 && *out == NULL) return out_of_memory(context);
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)(uintptr_t)object, key, value) {
        size_t saved = path_push_key(context, key);
        floe_ice_property *property = &(*out)[*count];
        property->key = floe_ice_arena_strdup(&context->metadata->arena, key);
        if (property->key == NULL) return out_of_memory(context);
        FLOE_TRY(copy_string(context, value, &property->value));
        path_pop(context, saved);
        (*count)++;
    }
    return FLOE_OK;
}

/* ---- schemas ---------------------------------------------------------------------------- */

static int remember_field_id(parse_context *context, int32_t id)
{
    if (context->field_id_count == context->field_id_capacity) {
        size_t capacity = context->field_id_capacity == 0 ? 64 : context->field_id_capacity * 2;
        int32_t *grown = floe_realloc(context->field_ids, capacity * sizeof *grown);
        if (grown == NULL) return out_of_memory(context);
        context->field_ids = grown;
        context->field_id_capacity = capacity;
    }
    context->field_ids[context->field_id_count++] = id;
    return FLOE_OK;
}

static int compare_int32(const void *left, const void *right)
{
    int32_t a = *(const int32_t *)left, b = *(const int32_t *)right;
    return (a > b) - (a < b);
}

static int check_type(parse_context *context, const json_t *type, int depth);

/* One field of a struct: id, name, required, type, doc. Nested fields are only checked. */
static int check_nested_field(parse_context *context, const json_t *field, int depth)
{
    FLOE_TRY(expect_object(context, field));
    int32_t id = 0;
    const char *name = NULL;
    int required = 0;
    json_t *type;
    FLOE_TRY(read_int32(context, field, "id", 1, &id));
    FLOE_TRY(read_string(context, field, "name", 1, &name));
    FLOE_TRY(read_bool(context, field, "required", 1, &required));
    FLOE_TRY(member(context, field, "type", 1, &type));
    FLOE_TRY(remember_field_id(context, id));
    size_t saved = path_push_key(context, "type");
    int status = check_type(context, type, depth + 1);
    if (status == FLOE_OK) path_pop(context, saved);
    return status;
}

/* Checks a type: a known primitive string, or a struct/list/map object with valid ids. */
static int check_type(parse_context *context, const json_t *type, int depth)
{
    if (depth > MAX_TYPE_DEPTH) return corrupt(context, "types nested deeper than %d", MAX_TYPE_DEPTH);
    if (json_is_string(type)) {
        floe_ice_field scratch;
        memset(&scratch, 0, sizeof scratch);
        if (floe_ice_parse_primitive_type(json_string_value(type), &scratch) != 0)
            return corrupt(context, "unknown type '%s'", json_string_value(type));
        return FLOE_OK;
    }
    if (!json_is_object(type)) return corrupt(context, "expected a type name or object");
    const char *kind = NULL;
    FLOE_TRY(read_string(context, type, "type", 1, &kind));
    if (strcmp(kind, "struct") == 0) {
        json_t *fields;
        FLOE_TRY(read_array(context, type, "fields", 1, &fields));
        size_t saved = path_push_key(context, "fields");
        for (size_t i = 0; i < json_array_size(fields); i++) {
            size_t saved_index = path_push_index(context, i);
            FLOE_TRY(check_nested_field(context, json_array_get(fields, i), depth));
            path_pop(context, saved_index);
        }
        path_pop(context, saved);
        return FLOE_OK;
    }
    if (strcmp(kind, "list") == 0) {
        int32_t id = 0;
        int required = 0;
        json_t *element;
        FLOE_TRY(read_int32(context, type, "element-id", 1, &id));
        FLOE_TRY(read_bool(context, type, "element-required", 1, &required));
        FLOE_TRY(member(context, type, "element", 1, &element));
        FLOE_TRY(remember_field_id(context, id));
        size_t saved = path_push_key(context, "element");
        FLOE_TRY(check_type(context, element, depth + 1));
        path_pop(context, saved);
        return FLOE_OK;
    }
    if (strcmp(kind, "map") == 0) {
        int32_t key_id = 0, value_id = 0;
        int required = 0;
        json_t *key, *value;
        FLOE_TRY(read_int32(context, type, "key-id", 1, &key_id));
        FLOE_TRY(read_int32(context, type, "value-id", 1, &value_id));
        FLOE_TRY(read_bool(context, type, "value-required", 1, &required));
        FLOE_TRY(member(context, type, "key", 1, &key));
        FLOE_TRY(member(context, type, "value", 1, &value));
        FLOE_TRY(remember_field_id(context, key_id));
        FLOE_TRY(remember_field_id(context, value_id));
        size_t saved = path_push_key(context, "key");
        FLOE_TRY(check_type(context, key, depth + 1));
        path_pop(context, saved);
        saved = path_push_key(context, "value");
        FLOE_TRY(check_type(context, value, depth + 1));
        path_pop(context, saved);
        return FLOE_OK;
    }
    size_t saved = path_push_key(context, "type");
    int status = corrupt(context, "unknown nested type '%s'", kind);
    path_pop(context, saved);
    return status;
}

/* Keeps a nested type's JSON text so the writer can reproduce it exactly. */
static int keep_nested_json(parse_context *context, const json_t *type, const char **out)
{
    size_t size = json_dumpb(type, NULL, 0, JSON_COMPACT);
    if (size == 0) return out_of_memory(context);
    char *text = floe_arena_alloc(&context->metadata->arena, size + 1);
    if (text == NULL) return out_of_memory(context);
    if (json_dumpb(type, text, size, JSON_COMPACT) != size) return out_of_memory(context);
    text[size] = '\0';
    *out = text;
    return FLOE_OK;
}

static int parse_top_field(parse_context *context, const json_t *object, floe_ice_field *field)
{
    FLOE_TRY(expect_object(context, object));
    json_t *type;
    FLOE_TRY(read_int32(context, object, "id", 1, &field->id));
    FLOE_TRY(read_string(context, object, "name", 1, &field->name));
    FLOE_TRY(read_bool(context, object, "required", 1, &field->required));
    FLOE_TRY(read_string(context, object, "doc", 0, &field->doc));
    FLOE_TRY(member(context, object, "type", 1, &type));
    FLOE_TRY(remember_field_id(context, field->id));
    size_t saved = path_push_key(context, "type");
    FLOE_TRY(check_type(context, type, 0));
    if (json_is_string(type)) {
        FLOE_TRY(copy_string(context, type, &field->type_text));
        floe_ice_parse_primitive_type(field->type_text, field);
    } else {
        field->kind = FLOE_ICE_TYPE_NESTED;
        field->type_text = floe_ice_arena_strdup(&context->metadata->arena,
                                                 json_string_value(json_object_get(type, "type")));
        if (field->type_text == NULL) return out_of_memory(context);
        FLOE_TRY(keep_nested_json(context, type, &field->nested_json));
    }
    path_pop(context, saved);
    return FLOE_OK;
}

static int parse_schema(parse_context *context, const json_t *object, int32_t default_id,
                        floe_ice_schema *schema)
{
    FLOE_TRY(expect_object(context, object));
    const char *type = NULL;
    FLOE_TRY(read_string(context, object, "type", 0, &type));
    if (type != NULL && strcmp(type, "struct") != 0) {
        size_t saved = path_push_key(context, "type");
        int status = corrupt(context, "a schema must be a struct, not '%s'", type);
        path_pop(context, saved);
        return status;
    }
    schema->schema_id = default_id;
    FLOE_TRY(read_int32(context, object, "schema-id",
                        context->metadata->format_version >= 2, &schema->schema_id));
    json_t *fields, *identifiers;
    FLOE_TRY(read_array(context, object, "fields", 1, &fields));
    FLOE_TRY(read_array(context, object, "identifier-field-ids", 0, &identifiers));

    context->field_id_count = 0;
    schema->field_count = json_array_size(fields);
    schema->fields = arena_array(context, schema->field_count, sizeof *schema->fields);
    if (schema->field_count != 0 && schema->fields == NULL) return out_of_memory(context);
    size_t saved = path_push_key(context, "fields");
    for (size_t i = 0; i < schema->field_count; i++) {
        size_t saved_index = path_push_index(context, i);
        FLOE_TRY(parse_top_field(context, json_array_get(fields, i), &schema->fields[i]));
        path_pop(context, saved_index);
    }
    path_pop(context, saved);
    if (context->field_id_count > 1) /* an empty schema has no id array at all */
        qsort(context->field_ids, context->field_id_count, sizeof *context->field_ids,
              compare_int32);
    for (size_t i = 1; i < context->field_id_count; i++) {
        if (context->field_ids[i] == context->field_ids[i - 1])
            return corrupt(context, "schema %d: field id %d is used twice", schema->schema_id,
                           context->field_ids[i]);
    }
    for (size_t i = 0; i < schema->field_count; i++) {
        for (size_t j = 0; j < i; j++) {
            if (strcmp(schema->fields[i].name, schema->fields[j].name) == 0)
                return corrupt(context, "schema %d: column name '%s' is used twice",
                               schema->schema_id, schema->fields[i].name);
        }
    }

    if (identifiers != NULL) {
        schema->identifier_field_count = json_array_size(identifiers);
        schema->identifier_field_ids =
            arena_array(context, schema->identifier_field_count, sizeof(int32_t));
        if (schema->identifier_field_count != 0 && schema->identifier_field_ids == NULL)
            return out_of_memory(context);
        saved = path_push_key(context, "identifier-field-ids");
        for (size_t i = 0; i < schema->identifier_field_count; i++) {
            json_t *value = json_array_get(identifiers, i);
            size_t saved_index = path_push_index(context, i);
            if (!json_is_integer(value) || json_integer_value(value) < INT32_MIN ||
                json_integer_value(value) > INT32_MAX)
                return corrupt(context, "expected an int field id");
            schema->identifier_field_ids[i] = (int32_t)json_integer_value(value);
            path_pop(context, saved_index);
        }
        path_pop(context, saved);
    }
    return FLOE_OK;
}

static int parse_schemas(parse_context *context, const json_t *root)
{
    floe_ice_table_metadata *metadata = context->metadata;
    int v2 = metadata->format_version >= 2;
    json_t *schemas, *single;
    FLOE_TRY(read_array(context, root, "schemas", v2, &schemas));
    FLOE_TRY(member(context, root, "schema", 0, &single));
    if (schemas == NULL && single == NULL)
        return corrupt(context, "missing required field: schemas (or schema)");

    int has_current = json_object_get(root, "current-schema-id") != NULL &&
                      !json_is_null(json_object_get(root, "current-schema-id"));
    FLOE_TRY(read_int32(context, root, "current-schema-id", v2, &metadata->current_schema_id));
    if (schemas != NULL) {
        metadata->schema_count = json_array_size(schemas);
        if (metadata->schema_count == 0) {
            size_t saved = path_push_key(context, "schemas");
            int status = corrupt(context, "a table needs at least one schema");
            path_pop(context, saved);
            return status;
        }
        metadata->schemas = arena_array(context, metadata->schema_count, sizeof(floe_ice_schema));
        if (metadata->schemas == NULL) return out_of_memory(context);
        size_t saved = path_push_key(context, "schemas");
        for (size_t i = 0; i < metadata->schema_count; i++) {
            size_t saved_index = path_push_index(context, i);
            FLOE_TRY(parse_schema(context, json_array_get(schemas, i), 0, &metadata->schemas[i]));
            for (size_t j = 0; j < i; j++) {
                if (metadata->schemas[j].schema_id == metadata->schemas[i].schema_id)
                    return corrupt(context, "schema-id %d is used twice",
                                   metadata->schemas[i].schema_id);
            }
            path_pop(context, saved_index);
        }
        path_pop(context, saved);
        if (!has_current) {
            /* v1 with both forms but no current-schema-id: the single schema is current. */
            metadata->current_schema_id = metadata->schemas[metadata->schema_count - 1].schema_id;
            if (single != NULL && json_is_object(single)) {
                json_t *id = json_object_get(single, "schema-id");
                if (json_is_integer(id) && json_integer_value(id) >= INT32_MIN &&
                    json_integer_value(id) <= INT32_MAX)
                    metadata->current_schema_id = (int32_t)json_integer_value(id);
            }
        }
    } else {
        metadata->schema_count = 1;
        metadata->schemas = arena_array(context, 1, sizeof(floe_ice_schema));
        if (metadata->schemas == NULL) return out_of_memory(context);
        size_t saved = path_push_key(context, "schema");
        FLOE_TRY(parse_schema(context, single, 0, &metadata->schemas[0]));
        path_pop(context, saved);
        if (!has_current) metadata->current_schema_id = metadata->schemas[0].schema_id;
    }
    if (floe_ice_current_schema(metadata) == NULL) {
        size_t saved = path_push_key(context, "current-schema-id");
        int status = corrupt(context, "no schema has id %d", metadata->current_schema_id);
        path_pop(context, saved);
        return status;
    }
    return FLOE_OK;
}

/* ---- partition specs and sort orders ---------------------------------------------------- */

static int parse_partition_fields(parse_context *context, const json_t *fields,
                                  floe_ice_partition_spec *spec)
{
    int v2 = context->metadata->format_version >= 2;
    spec->field_count = json_array_size(fields);
    spec->fields = arena_array(context, spec->field_count, sizeof *spec->fields);
    if (spec->field_count != 0 && spec->fields == NULL) return out_of_memory(context);
    for (size_t i = 0; i < spec->field_count; i++) {
        const json_t *object = json_array_get(fields, i);
        floe_ice_partition_field *field = &spec->fields[i];
        size_t saved_index = path_push_index(context, i);
        FLOE_TRY(expect_object(context, object));
        field->field_id = (int32_t)(1000 + i); /* v1: ids were implied, from 1000 */
        FLOE_TRY(read_int32(context, object, "source-id", 1, &field->source_id));
        FLOE_TRY(read_int32(context, object, "field-id", v2, &field->field_id));
        FLOE_TRY(read_string(context, object, "name", 1, &field->name));
        FLOE_TRY(read_string(context, object, "transform", 1, &field->transform_text));
        if (floe_ice_parse_transform(field->transform_text, &field->transform,
                                     &field->parameter) != 0) {
            path_push_key(context, "transform");
            return corrupt(context, "bad transform '%s'", field->transform_text);
        }
        for (size_t j = 0; j < i; j++) {
            if (spec->fields[j].field_id == field->field_id)
                return corrupt(context, "partition field-id %d is used twice", field->field_id);
        }
        path_pop(context, saved_index);
    }
    return FLOE_OK;
}

static int parse_partition_specs(parse_context *context, const json_t *root)
{
    floe_ice_table_metadata *metadata = context->metadata;
    int v2 = metadata->format_version >= 2;
    json_t *specs, *single;
    FLOE_TRY(read_array(context, root, "partition-specs", v2, &specs));
    FLOE_TRY(read_array(context, root, "partition-spec", 0, &single));
    if (specs == NULL && single == NULL)
        return corrupt(context, "missing required field: partition-specs (or partition-spec)");
    FLOE_TRY(read_int32(context, root, "default-spec-id", v2, &metadata->default_spec_id));
    if (specs != NULL) {
        metadata->partition_spec_count = json_array_size(specs);
        if (metadata->partition_spec_count == 0) {
            size_t saved = path_push_key(context, "partition-specs");
            int status = corrupt(context, "a table needs at least one partition spec");
            path_pop(context, saved);
            return status;
        }
        metadata->partition_specs =
            arena_array(context, metadata->partition_spec_count, sizeof(floe_ice_partition_spec));
        if (metadata->partition_specs == NULL) return out_of_memory(context);
        size_t saved = path_push_key(context, "partition-specs");
        for (size_t i = 0; i < metadata->partition_spec_count; i++) {
            const json_t *object = json_array_get(specs, i);
            floe_ice_partition_spec *spec = &metadata->partition_specs[i];
            size_t saved_index = path_push_index(context, i);
            FLOE_TRY(expect_object(context, object));
            FLOE_TRY(read_int32(context, object, "spec-id", 1, &spec->spec_id));
            json_t *fields;
            FLOE_TRY(read_array(context, object, "fields", 1, &fields));
            size_t saved_fields = path_push_key(context, "fields");
            FLOE_TRY(parse_partition_fields(context, fields, spec));
            path_pop(context, saved_fields);
            for (size_t j = 0; j < i; j++) {
                if (metadata->partition_specs[j].spec_id == spec->spec_id)
                    return corrupt(context, "spec-id %d is used twice", spec->spec_id);
            }
            path_pop(context, saved_index);
        }
        path_pop(context, saved);
    } else {
        metadata->partition_spec_count = 1;
        metadata->partition_specs = arena_array(context, 1, sizeof(floe_ice_partition_spec));
        if (metadata->partition_specs == NULL) return out_of_memory(context);
        metadata->partition_specs[0].spec_id = metadata->default_spec_id;
        size_t saved = path_push_key(context, "partition-spec");
        FLOE_TRY(parse_partition_fields(context, single, &metadata->partition_specs[0]));
        path_pop(context, saved);
    }
    if (floe_ice_default_partition_spec(metadata) == NULL) {
        size_t saved = path_push_key(context, "default-spec-id");
        int status = corrupt(context, "no partition spec has id %d", metadata->default_spec_id);
        path_pop(context, saved);
        return status;
    }

    /* v1 may omit last-partition-id: the highest id in use (999 when there is none). */
    int32_t highest = 999;
    for (size_t i = 0; i < metadata->partition_spec_count; i++) {
        for (size_t j = 0; j < metadata->partition_specs[i].field_count; j++) {
            if (metadata->partition_specs[i].fields[j].field_id > highest)
                highest = metadata->partition_specs[i].fields[j].field_id;
        }
    }
    metadata->last_partition_id = highest;
    FLOE_TRY(read_int32(context, root, "last-partition-id", v2, &metadata->last_partition_id));
    return FLOE_OK;
}

static int parse_sort_orders(parse_context *context, const json_t *root)
{
    floe_ice_table_metadata *metadata = context->metadata;
    json_t *orders;
    FLOE_TRY(read_array(context, root, "sort-orders", 0, &orders));
    metadata->default_sort_order_id = 0;
    FLOE_TRY(read_int32(context, root, "default-sort-order-id", 0,
                        &metadata->default_sort_order_id));
    if (orders == NULL || json_array_size(orders) == 0) {
        /* Absent: the unsorted order 0 (see the header). */
        metadata->sort_order_count = 1;
        metadata->sort_orders = arena_array(context, 1, sizeof(floe_ice_sort_order));
        if (metadata->sort_orders == NULL) return out_of_memory(context);
        metadata->default_sort_order_id = 0;
        return FLOE_OK;
    }
    metadata->sort_order_count = json_array_size(orders);
    metadata->sort_orders = arena_array(context, metadata->sort_order_count,
                                        sizeof(floe_ice_sort_order));
    if (metadata->sort_orders == NULL) return out_of_memory(context);
    size_t saved = path_push_key(context, "sort-orders");
    int default_found = 0;
    for (size_t i = 0; i < metadata->sort_order_count; i++) {
        const json_t *object = json_array_get(orders, i);
        floe_ice_sort_order *order = &metadata->sort_orders[i];
        size_t saved_index = path_push_index(context, i);
        FLOE_TRY(expect_object(context, object));
        FLOE_TRY(read_int32(context, object, "order-id", 1, &order->order_id));
        for (size_t j = 0; j < i; j++) {
            if (metadata->sort_orders[j].order_id == order->order_id)
                return corrupt(context, "order-id %d is used twice", order->order_id);
        }
        if (order->order_id == metadata->default_sort_order_id) default_found = 1;
        json_t *fields;
        FLOE_TRY(read_array(context, object, "fields", 1, &fields));
        order->field_count = json_array_size(fields);
        order->fields = arena_array(context, order->field_count, sizeof *order->fields);
        if (order->field_count != 0 && order->fields == NULL) return out_of_memory(context);
        size_t saved_fields = path_push_key(context, "fields");
        for (size_t j = 0; j < order->field_count; j++) {
            const json_t *field_object = json_array_get(fields, j);
            floe_ice_sort_field *field = &order->fields[j];
            const char *direction = NULL, *null_order = NULL;
            size_t saved_field = path_push_index(context, j);
            FLOE_TRY(expect_object(context, field_object));
            FLOE_TRY(read_string(context, field_object, "transform", 1, &field->transform_text));
            FLOE_TRY(read_int32(context, field_object, "source-id", 1, &field->source_id));
            FLOE_TRY(read_string(context, field_object, "direction", 1, &direction));
            FLOE_TRY(read_string(context, field_object, "null-order", 1, &null_order));
            if (strcmp(direction, "asc") != 0 && strcmp(direction, "desc") != 0)
                return corrupt(context, "direction must be asc or desc, not '%s'", direction);
            if (strcmp(null_order, "nulls-first") != 0 && strcmp(null_order, "nulls-last") != 0)
                return corrupt(context, "null-order must be nulls-first or nulls-last, not '%s'",
                               null_order);
            field->descending = strcmp(direction, "desc") == 0;
            field->nulls_first = strcmp(null_order, "nulls-first") == 0;
            path_pop(context, saved_field);
        }
        path_pop(context, saved_fields);
        path_pop(context, saved_index);
    }
    path_pop(context, saved);
    if (!default_found) {
        saved = path_push_key(context, "default-sort-order-id");
        int status = corrupt(context, "no sort order has id %d", metadata->default_sort_order_id);
        path_pop(context, saved);
        return status;
    }
    return FLOE_OK;
}

/* ---- snapshots, refs and logs ----------------------------------------------------------- */

static int parse_snapshot(parse_context *context, const json_t *object, floe_ice_snapshot *snapshot)
{
    int v2 = context->metadata->format_version >= 2;
    FLOE_TRY(expect_object(context, object));
    snapshot->parent_snapshot_id = -1;
    snapshot->schema_id = -1;
    FLOE_TRY(read_int64(context, object, "snapshot-id", 1, &snapshot->snapshot_id));
    FLOE_TRY(read_int64(context, object, "parent-snapshot-id", 0, &snapshot->parent_snapshot_id));
    FLOE_TRY(read_int64(context, object, "sequence-number", v2, &snapshot->sequence_number));
    FLOE_TRY(read_int64(context, object, "timestamp-ms", 1, &snapshot->timestamp_ms));
    FLOE_TRY(read_int32(context, object, "schema-id", 0, &snapshot->schema_id));
    FLOE_TRY(read_string(context, object, "manifest-list", v2, &snapshot->manifest_list));
    json_t *manifests, *summary;
    FLOE_TRY(read_array(context, object, "manifests", 0, &manifests));
    if (snapshot->manifest_list == NULL) {
        if (manifests == NULL)
            return corrupt(context, "snapshot %lld has neither manifest-list nor manifests",
                           (long long)snapshot->snapshot_id);
        snapshot->manifest_count = json_array_size(manifests);
        snapshot->manifests = arena_array(context, snapshot->manifest_count, sizeof(char *));
        if (snapshot->manifest_count != 0 && snapshot->manifests == NULL)
            return out_of_memory(context);
        size_t saved = path_push_key(context, "manifests");
        for (size_t i = 0; i < snapshot->manifest_count; i++) {
            size_t saved_index = path_push_index(context, i);
            FLOE_TRY(copy_string(context, json_array_get(manifests, i), &snapshot->manifests[i]));
            path_pop(context, saved_index);
        }
        path_pop(context, saved);
    }
    FLOE_TRY(read_object(context, object, "summary", v2, &summary));
    if (summary != NULL) {
        size_t saved = path_push_key(context, "summary");
        FLOE_TRY(read_string_map(context, summary, &snapshot->summary, &snapshot->summary_count));
        for (size_t i = 0; i < snapshot->summary_count; i++) {
            if (strcmp(snapshot->summary[i].key, "operation") == 0)
                snapshot->operation = snapshot->summary[i].value;
        }
        if (snapshot->operation == NULL) {
            int status = corrupt(context, "missing required field operation");
            path_pop(context, saved);
            return status;
        }
        path_pop(context, saved);
    }
    return FLOE_OK;
}

static int parse_snapshots(parse_context *context, const json_t *root)
{
    floe_ice_table_metadata *metadata = context->metadata;
    json_t *snapshots;
    FLOE_TRY(read_array(context, root, "snapshots", 0, &snapshots));
    metadata->snapshot_count = json_array_size(snapshots);
    metadata->snapshots = arena_array(context, metadata->snapshot_count, sizeof(floe_ice_snapshot));
    if (metadata->snapshot_count != 0 && metadata->snapshots == NULL) return out_of_memory(context);
    size_t saved = path_push_key(context, "snapshots");
    for (size_t i = 0; i < metadata->snapshot_count; i++) {
        size_t saved_index = path_push_index(context, i);
        FLOE_TRY(parse_snapshot(context, json_array_get(snapshots, i), &metadata->snapshots[i]));
        for (size_t j = 0; j < i; j++) {
            if (metadata->snapshots[j].snapshot_id == metadata->snapshots[i].snapshot_id)
                return corrupt(context, "snapshot-id %lld is used twice",
                               (long long)metadata->snapshots[i].snapshot_id);
        }
        path_pop(context, saved_index);
    }
    path_pop(context, saved);

    metadata->current_snapshot_id = -1;
    FLOE_TRY(read_int64(context, root, "current-snapshot-id", 0, &metadata->current_snapshot_id));
    if (metadata->current_snapshot_id != -1 && floe_ice_current_snapshot(metadata) == NULL) {
        saved = path_push_key(context, "current-snapshot-id");
        int status = corrupt(context, "no snapshot has id %lld",
                             (long long)metadata->current_snapshot_id);
        path_pop(context, saved);
        return status;
    }
    return FLOE_OK;
}

static int parse_refs(parse_context *context, const json_t *root)
{
    floe_ice_table_metadata *metadata = context->metadata;
    json_t *refs;
    FLOE_TRY(read_object(context, root, "refs", 0, &refs));
    size_t count = json_object_size(refs);
    /* One spare slot for a `main` branch the file leaves implicit. */
    metadata->refs = arena_array(context, count + 1, sizeof(floe_ice_ref));
    if (metadata->refs == NULL) return out_of_memory(context);
    metadata->ref_count = 0;
    size_t saved = path_push_key(context, "refs");
    const char *name;
    json_t *value;
    json_object_foreach(refs, name, value) {
        floe_ice_ref *ref = &metadata->refs[metadata->ref_count];
        size_t saved_name = path_push_key(context, name);
        const char *type = NULL;
        FLOE_TRY(expect_object(context, value));
        ref->name = floe_ice_arena_strdup(&metadata->arena, name);
        if (ref->name == NULL) return out_of_memory(context);
        ref->min_snapshots_to_keep = ref->max_snapshot_age_ms = ref->max_ref_age_ms = -1;
        FLOE_TRY(read_int64(context, value, "snapshot-id", 1, &ref->snapshot_id));
        FLOE_TRY(read_string(context, value, "type", 1, &type));
        FLOE_TRY(read_int64(context, value, "min-snapshots-to-keep", 0, &ref->min_snapshots_to_keep));
        FLOE_TRY(read_int64(context, value, "max-snapshot-age-ms", 0, &ref->max_snapshot_age_ms));
        FLOE_TRY(read_int64(context, value, "max-ref-age-ms", 0, &ref->max_ref_age_ms));
        if (strcmp(type, "branch") == 0) {
            ref->type = FLOE_ICE_REF_BRANCH;
        } else if (strcmp(type, "tag") == 0) {
            ref->type = FLOE_ICE_REF_TAG;
        } else {
            return corrupt(context, "type must be branch or tag, not '%s'", type);
        }
        if (floe_ice_snapshot_by_id(metadata, ref->snapshot_id) == NULL)
            return corrupt(context, "no snapshot has id %lld", (long long)ref->snapshot_id);
        if (strcmp(name, "main") == 0) {
            if (ref->type != FLOE_ICE_REF_BRANCH) return corrupt(context, "main must be a branch");
            if (ref->snapshot_id != metadata->current_snapshot_id)
                return corrupt(context, "snapshot-id %lld differs from current-snapshot-id %lld",
                               (long long)ref->snapshot_id,
                               (long long)metadata->current_snapshot_id);
        }
        path_pop(context, saved_name);
        metadata->ref_count++;
    }
    path_pop(context, saved);
    if (metadata->current_snapshot_id != -1 && floe_ice_ref_by_name(metadata, "main") == NULL) {
        floe_ice_ref *main_ref = &metadata->refs[metadata->ref_count++];
        main_ref->name = "main";
        main_ref->snapshot_id = metadata->current_snapshot_id;
        main_ref->type = FLOE_ICE_REF_BRANCH;
        main_ref->min_snapshots_to_keep = main_ref->max_snapshot_age_ms = -1;
        main_ref->max_ref_age_ms = -1;
    }
    return FLOE_OK;
}

static int parse_logs(parse_context *context, const json_t *root)
{
    floe_ice_table_metadata *metadata = context->metadata;
    json_t *log;
    FLOE_TRY(read_array(context, root, "snapshot-log", 0, &log));
    metadata->snapshot_log_count = json_array_size(log);
    metadata->snapshot_log = arena_array(context, metadata->snapshot_log_count,
                                         sizeof(floe_ice_snapshot_log_entry));
    if (metadata->snapshot_log_count != 0 && metadata->snapshot_log == NULL)
        return out_of_memory(context);
    size_t saved = path_push_key(context, "snapshot-log");
    for (size_t i = 0; i < metadata->snapshot_log_count; i++) {
        const json_t *entry = json_array_get(log, i);
        size_t saved_index = path_push_index(context, i);
        FLOE_TRY(expect_object(context, entry));
        FLOE_TRY(read_int64(context, entry, "timestamp-ms", 1, &metadata->snapshot_log[i].timestamp_ms));
        FLOE_TRY(read_int64(context, entry, "snapshot-id", 1, &metadata->snapshot_log[i].snapshot_id));
        path_pop(context, saved_index);
    }
    path_pop(context, saved);

    FLOE_TRY(read_array(context, root, "metadata-log", 0, &log));
    metadata->metadata_log_count = json_array_size(log);
    metadata->metadata_log = arena_array(context, metadata->metadata_log_count,
                                         sizeof(floe_ice_metadata_log_entry));
    if (metadata->metadata_log_count != 0 && metadata->metadata_log == NULL)
        return out_of_memory(context);
    saved = path_push_key(context, "metadata-log");
    for (size_t i = 0; i < metadata->metadata_log_count; i++) {
        const json_t *entry = json_array_get(log, i);
        size_t saved_index = path_push_index(context, i);
        FLOE_TRY(expect_object(context, entry));
        FLOE_TRY(read_int64(context, entry, "timestamp-ms", 1, &metadata->metadata_log[i].timestamp_ms));
        FLOE_TRY(read_string(context, entry, "metadata-file", 1,
                             &metadata->metadata_log[i].metadata_file));
        path_pop(context, saved_index);
    }
    path_pop(context, saved);
    return FLOE_OK;
}

/* ---- the whole document ----------------------------------------------------------------- */

static int parse_root(parse_context *context, const json_t *root)
{
    floe_ice_table_metadata *metadata = context->metadata;
    FLOE_TRY(expect_object(context, root));
    json_t *version;
    FLOE_TRY(member(context, root, "format-version", 1, &version));
    if (!json_is_integer(version)) {
        size_t saved = path_push_key(context, "format-version");
        int status = corrupt(context, "expected an integer");
        path_pop(context, saved);
        return status;
    }
    json_int_t number = json_integer_value(version);
    if (number == 3 || number == 4)
        return floe_error_set(context->err, FLOE_EUNSUPPORTED,
                              "format-version %lld is not supported (Floe reads 1 and 2)",
                              (long long)number);
    if (number != 1 && number != 2) {
        size_t saved = path_push_key(context, "format-version");
        int status = corrupt(context, "unknown format version %lld", (long long)number);
        path_pop(context, saved);
        return status;
    }
    metadata->format_version = (int)number;
    int v2 = number >= 2;

    FLOE_TRY(read_string(context, root, "table-uuid", v2, &metadata->table_uuid));
    FLOE_TRY(read_string(context, root, "location", 1, &metadata->location));
    FLOE_TRY(read_int64(context, root, "last-sequence-number", v2, &metadata->last_sequence_number));
    FLOE_TRY(read_int64(context, root, "last-updated-ms", 1, &metadata->last_updated_ms));
    FLOE_TRY(read_int32(context, root, "last-column-id", 1, &metadata->last_column_id));
    FLOE_TRY(parse_schemas(context, root));
    FLOE_TRY(parse_partition_specs(context, root));
    FLOE_TRY(parse_sort_orders(context, root));

    json_t *properties;
    FLOE_TRY(read_object(context, root, "properties", 0, &properties));
    if (properties != NULL) {
        size_t saved = path_push_key(context, "properties");
        FLOE_TRY(read_string_map(context, properties, &metadata->properties,
                                 &metadata->property_count));
        path_pop(context, saved);
    }
    FLOE_TRY(parse_snapshots(context, root));
    FLOE_TRY(parse_refs(context, root));
    FLOE_TRY(parse_logs(context, root));

    const char *mapping = floe_ice_property_get(metadata, "schema.name-mapping.default");
    if (mapping != NULL) {
        int status = floe_ice_parse_name_mapping(metadata, mapping, context->err);
        if (status < 0) {
            if (status == FLOE_ECORRUPT)
                floe_error_prefix(context->err, "properties.schema.name-mapping.default");
            return status;
        }
    }
    return FLOE_OK;
}

int floe_ice_table_metadata_parse(const char *json, size_t size, const char *source_name,
                                  floe_ice_table_metadata **out, floe_error *err)
{
    *out = NULL;
    if (source_name == NULL) source_name = "metadata";
    floe_ice_json_use_floe_allocator();
    json_error_t json_error;
    floe_ice_json_take_allocation_failure();
    json_t *root = json_loadb(json, size, JSON_REJECT_DUPLICATES, &json_error);
    if (root == NULL) {
        if (floe_ice_json_take_allocation_failure() ||
            json_error_code(&json_error) == json_error_out_of_memory)
            return floe_error_set(err, FLOE_ENOMEM, "%s: out of memory parsing JSON", source_name);
        return floe_error_set(err, FLOE_ECORRUPT, "%s: line %d, column %d: invalid JSON: %s",
                              source_name, json_error.line, json_error.column, json_error.text);
    }
    floe_ice_table_metadata *metadata = floe_ice_table_metadata_new();
    if (metadata == NULL) {
        json_decref(root);
        return floe_error_set(err, FLOE_ENOMEM, "%s: out of memory", source_name);
    }
    parse_context context;
    memset(&context, 0, sizeof context);
    context.metadata = metadata;
    context.err = err;
    int status = parse_root(&context, root);
    floe_free(context.field_ids);
    json_decref(root);
    if (status < 0) {
        floe_ice_table_metadata_free(metadata);
        floe_error_prefix(err, "%s", source_name);
        return status;
    }
    *out = metadata;
    return FLOE_OK;
}

/* ---- name mapping ----------------------------------------------------------------------- */

static int check_name_mappings(parse_context *context, const json_t *list, int depth,
                               int keep)
{
    if (depth > MAX_TYPE_DEPTH)
        return corrupt(context, "name mappings nested deeper than %d", MAX_TYPE_DEPTH);
    if (!json_is_array(list)) return corrupt(context, "expected an array");
    floe_ice_table_metadata *metadata = context->metadata;
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *entry = json_array_get(list, i);
        size_t saved_index = path_push_index(context, i);
        FLOE_TRY(expect_object(context, entry));
        int32_t field_id = -1;
        json_t *names, *fields;
        FLOE_TRY(read_int32(context, entry, "field-id", 0, &field_id));
        FLOE_TRY(read_array(context, entry, "names", 1, &names));
        FLOE_TRY(member(context, entry, "fields", 0, &fields));
        size_t saved = path_push_key(context, "names");
        for (size_t j = 0; j < json_array_size(names); j++) {
            const json_t *name = json_array_get(names, j);
            size_t saved_name = path_push_index(context, j);
            if (!json_is_string(name)) return corrupt(context, "expected a string");
            if (keep && field_id >= 0) {
                floe_ice_name_mapping_entry *slot =
                    &metadata->name_mapping[metadata->name_mapping_count++];
                FLOE_TRY(copy_string(context, name, &slot->name));
                slot->field_id = field_id;
            }
            path_pop(context, saved_name);
        }
        path_pop(context, saved);
        if (fields != NULL) {
            saved = path_push_key(context, "fields");
            FLOE_TRY(check_name_mappings(context, fields, depth + 1, 0));
            path_pop(context, saved);
        }
        path_pop(context, saved_index);
    }
    return FLOE_OK;
}

int floe_ice_parse_name_mapping(floe_ice_table_metadata *metadata, const char *text,
                                floe_error *err)
{
    floe_ice_json_use_floe_allocator();
    json_error_t json_error;
    floe_ice_json_take_allocation_failure();
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &json_error);
    if (root == NULL) {
        if (floe_ice_json_take_allocation_failure() ||
            json_error_code(&json_error) == json_error_out_of_memory)
            return floe_error_set(err, FLOE_ENOMEM, "out of memory parsing the name mapping");
        return floe_error_set(err, FLOE_ECORRUPT, "column %d: invalid JSON: %s",
                              json_error.column, json_error.text);
    }
    parse_context context;
    memset(&context, 0, sizeof context);
    context.metadata = metadata;
    context.err = err;
    /* The spec's form is a list of mappings. Some writers wrap it as a struct,
     * {"type": "struct", "fields": [...]} (tests/data/iceberg/name_mapping v1 and v2); reading
     * that as its list costs nothing and keeps such tables readable. */
    const json_t *list = root;
    if (json_is_object(root) && json_is_array(json_object_get(root, "fields"))) {
        list = json_object_get(root, "fields");
        path_push_key(&context, "fields");
    }
    size_t names = 0;
    if (json_is_array(list)) {
        for (size_t i = 0; i < json_array_size(list); i++)
            names += json_array_size(json_object_get(json_array_get(list, i), "names"));
    }
    metadata->name_mapping_count = 0;
    metadata->name_mapping = arena_array(&context, names, sizeof(floe_ice_name_mapping_entry));
    int status = FLOE_OK;
    if (names != 0 && metadata->name_mapping == NULL) {
        status = out_of_memory(&context);
    } else {
        status = check_name_mappings(&context, list, 0, 1);
    }
    json_decref(root);
    if (status < 0) {
        metadata->name_mapping = NULL;
        metadata->name_mapping_count = 0;
    }
    return status;
}

/* ---- files ------------------------------------------------------------------------------ */

static voidpf zlib_allocate(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return floe_calloc(items, size);
}

static void zlib_release(voidpf opaque, voidpf pointer)
{
    (void)opaque;
    floe_free(pointer);
}

/* Inflates a gzip stream (members may be concatenated) into a new floe_malloc buffer. */
static int gunzip(const unsigned char *input, size_t input_size, const char *path,
                  char **output, size_t *output_size, floe_error *err)
{
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    stream.zalloc = zlib_allocate;
    stream.zfree = zlib_release;
    if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK)
        return floe_error_set(err, FLOE_ENOMEM, "%s: cannot start gzip decompression", path);
    size_t capacity = input_size * 4 + 4096, size = 0;
    if (capacity > FLOE_ICE_METADATA_MAX_BYTES + 1) capacity = FLOE_ICE_METADATA_MAX_BYTES + 1;
    char *buffer = floe_malloc(capacity);
    int status = FLOE_OK;
    if (buffer == NULL) status = floe_error_set(err, FLOE_ENOMEM, "%s: out of memory", path);
    size_t consumed = 0;
    while (status == FLOE_OK) {
        if (size == capacity) {
            if (capacity > FLOE_ICE_METADATA_MAX_BYTES) {
                status = floe_error_set(err, FLOE_ECORRUPT,
                                        "%s: gzip metadata inflates past %zu MiB", path,
                                        FLOE_ICE_METADATA_MAX_BYTES >> 20);
                break;
            }
            size_t grown_capacity = capacity * 2;
            if (grown_capacity > FLOE_ICE_METADATA_MAX_BYTES + 1)
                grown_capacity = FLOE_ICE_METADATA_MAX_BYTES + 1;
            char *grown = floe_realloc(buffer, grown_capacity);
            if (grown == NULL) {
                status = floe_error_set(err, FLOE_ENOMEM, "%s: out of memory", path);
                break;
            }
            buffer = grown;
            capacity = grown_capacity;
        }
        size_t input_left = input_size - consumed;
        size_t output_left = capacity - size;
        stream.next_in = (Bytef *)(uintptr_t)(input + consumed);
        stream.avail_in = input_left > UINT32_MAX ? UINT32_MAX : (uInt)input_left;
        stream.next_out = (Bytef *)(buffer + size);
        stream.avail_out = output_left > UINT32_MAX ? UINT32_MAX : (uInt)output_left;
        uInt in_before = stream.avail_in, out_before = stream.avail_out;
        int result = inflate(&stream, Z_NO_FLUSH);
        consumed += in_before - stream.avail_in;
        size += out_before - stream.avail_out;
        if (result == Z_STREAM_END) {
            if (consumed == input_size) break;
            /* Another gzip member follows (concatenated streams are valid gzip). */
            if (inflateReset(&stream) != Z_OK)
                status = floe_error_set(err, FLOE_ECORRUPT, "%s: bad gzip member", path);
            continue;
        }
        if (result == Z_MEM_ERROR) {
            status = floe_error_set(err, FLOE_ENOMEM, "%s: out of memory in zlib", path);
        } else if (result == Z_BUF_ERROR && consumed == input_size && stream.avail_out != 0) {
            status = floe_error_set(err, FLOE_ECORRUPT, "%s: truncated gzip data", path);
        } else if (result != Z_OK && result != Z_BUF_ERROR) {
            status = floe_error_set(err, FLOE_ECORRUPT, "%s: bad gzip data: %s", path,
                                    stream.msg != NULL ? stream.msg : "inflate failed");
        }
    }
    inflateEnd(&stream);
    if (status < 0) {
        floe_free(buffer);
        return status;
    }
    *output = buffer;
    *output_size = size;
    return FLOE_OK;
}

static int read_whole_file(const char *path, char **data, size_t *size, floe_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int code = -errno;
        return floe_error_set(err, code, "%s: cannot open: %s", path, floe_status_name(code));
    }
    struct stat info;
    if (fstat(fd, &info) != 0) {
        int code = -errno;
        close(fd);
        return floe_error_set(err, code, "%s: cannot stat: %s", path, floe_status_name(code));
    }
    if (info.st_size < 0 || (uint64_t)info.st_size > FLOE_ICE_METADATA_MAX_BYTES) {
        close(fd);
        return floe_error_set(err, FLOE_ECORRUPT, "%s: metadata file larger than %zu MiB",
                              path, FLOE_ICE_METADATA_MAX_BYTES >> 20);
    }
    size_t capacity = (size_t)info.st_size;
    char *buffer = floe_malloc(capacity + 1);
    if (buffer == NULL) {
        close(fd);
        return floe_error_set(err, FLOE_ENOMEM, "%s: out of memory", path);
    }
    size_t total = 0;
    while (total < capacity) {
        ssize_t got = read(fd, buffer + total, capacity - total);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            int code = -errno;
            close(fd);
            floe_free(buffer);
            return floe_error_set(err, code, "%s: read failed: %s", path, floe_status_name(code));
        }
        if (got == 0) break; /* the file shrank: parse what is there */
        total += (size_t)got;
    }
    close(fd);
    buffer[total] = '\0';
    *data = buffer;
    *size = total;
    return FLOE_OK;
}

int floe_ice_table_metadata_read_bytes(const char *path, char **data, size_t *size,
                                       floe_error *err)
{
    *data = NULL;
    *size = 0;
    return read_whole_file(path, data, size, err);
}

int floe_ice_table_metadata_parse_stored(const char *data, size_t size, const char *path,
                                         floe_ice_table_metadata **out, floe_error *err)
{
    *out = NULL;
    if (size < 2 || (unsigned char)data[0] != 0x1f || (unsigned char)data[1] != 0x8b)
        return floe_ice_table_metadata_parse(data, size, path, out, err);
    char *inflated = NULL;
    size_t inflated_size = 0;
    FLOE_TRY(gunzip((const unsigned char *)data, size, path, &inflated, &inflated_size, err));
    int status = floe_ice_table_metadata_parse(inflated, inflated_size, path, out, err);
    floe_free(inflated);
    return status;
}

int floe_ice_table_metadata_read_file(const char *path, floe_ice_table_metadata **out,
                                      floe_error *err)
{
    *out = NULL;
    char *data = NULL;
    size_t size = 0;
    FLOE_TRY(floe_ice_table_metadata_read_bytes(path, &data, &size, err));
    int status = floe_ice_table_metadata_parse_stored(data, size, path, out, err);
    floe_free(data);
    return status;
}
