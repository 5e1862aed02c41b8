/*
 * iceberg_commit.c — one Iceberg snapshot from added and removed files, published with retry
 * (contract in iceberg_commit.h).
 *
 * Why everything is rebuilt per attempt: the manifest list, the rewritten manifests and even
 * the new manifests carry the new snapshot's id and sequence number, and both depend on the
 * version the attempt starts from. Rebuilding them is cheap (one small Avro file per touched
 * manifest) and keeps each attempt a pure function of the version it read, so a retry after a
 * conflict cannot mix state from two versions.
 */
#define _POSIX_C_SOURCE 200809L

#include "io/iceberg_commit.h"

#include "io/catalog_fs.h"
#include "io/fs_util.h"
#include "io/iceberg_locate.h"
#include "kernels/memory.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

enum { PATH_CAPACITY = 4096, DEFAULT_ATTEMPTS = 20 };

static floe_ice_commit_hook test_hook;
static void *test_hook_context;

void floe_ice_commit_set_test_hook(floe_ice_commit_hook hook, void *context)
{
    test_hook = hook;
    test_hook_context = context;
}

static void step(const char *name)
{
    if (test_hook != NULL) test_hook(name, test_hook_context);
}

static int64_t now_ms(void)
{
    struct timeval now;
    gettimeofday(&now, NULL);
    return (int64_t)now.tv_sec * 1000 + now.tv_usec / 1000;
}

/* The schema as Iceberg JSON, for the manifests' "schema" header key (floe_malloc'ed text). */
static int schema_json_text(const floe_ice_schema *schema, char **out, floe_error *err)
{
    json_t *root = json_object();
    json_t *fields = json_array();
    int failed = root == NULL || fields == NULL;
    for (size_t i = 0; !failed && i < schema->field_count; i++) {
        const floe_ice_field *field = &schema->fields[i];
        json_t *type = NULL;
        if (field->nested_json != NULL) type = json_loads(field->nested_json, 0, NULL);
        else type = json_string(field->type_text);
        json_t *object = json_object();
        failed = type == NULL || object == NULL ||
                 json_object_set_new(object, "id", json_integer(field->id)) != 0 ||
                 json_object_set_new(object, "name", json_string(field->name)) != 0 ||
                 json_object_set_new(object, "required", json_boolean(field->required)) != 0 ||
                 json_object_set_new(object, "type", type) != 0 ||
                 json_array_append_new(fields, object) != 0;
        if (failed && object == NULL) json_decref(type);
    }
    if (!failed) {
        failed = json_object_set_new(root, "type", json_string("struct")) != 0 ||
                 json_object_set_new(root, "schema-id", json_integer(schema->schema_id)) != 0 ||
                 json_object_set_new(root, "fields", fields) != 0;
        fields = NULL;
    }
    char *text = failed ? NULL : json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(fields);
    json_decref(root);
    FLOE_RETURN_IF(text == NULL, FLOE_ENOMEM, err, "out of memory writing the schema");
    size_t size = strlen(text);
    *out = floe_malloc(size + 1);
    if (*out != NULL) memcpy(*out, text, size + 1);
    free(text);
    FLOE_RETURN_IF(*out == NULL, FLOE_ENOMEM, err, "out of memory writing the schema");
    return FLOE_OK;
}

/* ---- one attempt ------------------------------------------------------------------------- */

typedef struct attempt {
    const char *directory;
    const floe_ice_commit_request *request;
    int properties_only;                /* floe_ice_commit_properties: no snapshot */
    int lasting_conflict;               /* a FLOE_ECONFLICT that a retry cannot resolve */
    int round;                          /* 1: the first attempt, against what the caller saw */
    floe_ice_table_metadata *metadata;
    char *metadata_path;
    int64_t version;
    floe_ice_manifest_list *base_list;
    floe_ice_manifest_file *entries;    /* the new manifest list's entries */
    size_t entry_count, entry_capacity;
    char **written;                     /* files this attempt wrote (removed on failure) */
    size_t written_count, written_capacity;
    char *schema_json;
    int64_t snapshot_id, sequence_number, parent_id;
    int *removed_found;                 /* per removed path */
    /* summary counts */
    int64_t added_data_files, added_delete_files, added_position_files, added_equality_files;
    int64_t added_records, added_position_deletes, added_equality_deletes, added_size;
    int64_t removed_data_files, removed_delete_files, removed_position_files,
        removed_equality_files;
    int64_t removed_records, removed_position_deletes, removed_equality_deletes, removed_size;
} attempt;

static void attempt_fini(attempt *state, int remove_files)
{
    for (size_t i = 0; i < state->written_count; i++) {
        if (remove_files) unlink(state->written[i]);
        floe_free(state->written[i]);
    }
    floe_free(state->written);
    floe_free(state->entries);
    floe_free(state->schema_json);
    floe_free(state->removed_found);
    floe_ice_manifest_list_free(state->base_list);
    floe_ice_table_metadata_free(state->metadata);
    floe_free(state->metadata_path);
}

static int remember_file(attempt *state, const char *path, floe_error *err)
{
    if (state->written_count == state->written_capacity) {
        size_t capacity = state->written_capacity ? state->written_capacity * 2 : 8;
        char **grown = floe_realloc(state->written, capacity * sizeof *grown);
        FLOE_RETURN_IF(grown == NULL, FLOE_ENOMEM, err, "out of memory");
        state->written = grown;
        state->written_capacity = capacity;
    }
    size_t size = strlen(path) + 1;
    char *copy = floe_malloc(size);
    FLOE_RETURN_IF(copy == NULL, FLOE_ENOMEM, err, "out of memory");
    memcpy(copy, path, size);
    state->written[state->written_count++] = copy;
    return FLOE_OK;
}

static int add_list_entry(attempt *state, const floe_ice_manifest_file *entry, floe_error *err)
{
    if (state->entry_count == state->entry_capacity) {
        size_t capacity = state->entry_capacity ? state->entry_capacity * 2 : 16;
        floe_ice_manifest_file *grown = floe_realloc(state->entries, capacity * sizeof *grown);
        FLOE_RETURN_IF(grown == NULL, FLOE_ENOMEM, err, "out of memory");
        state->entries = grown;
        state->entry_capacity = capacity;
    }
    state->entries[state->entry_count++] = *entry;
    return FLOE_OK;
}

static void count_file(attempt *state, const floe_ice_data_file *file, int added)
{
    int64_t records = file->record_count, size = file->file_size_in_bytes;
    if (added) {
        state->added_size += size;
        if (file->content == FLOE_ICE_CONTENT_DATA) {
            state->added_data_files++;
            state->added_records += records;
        } else {
            state->added_delete_files++;
            if (file->content == FLOE_ICE_CONTENT_POSITION_DELETES) {
                state->added_position_files++;
                state->added_position_deletes += records;
            } else {
                state->added_equality_files++;
                state->added_equality_deletes += records;
            }
        }
    } else {
        state->removed_size += size;
        if (file->content == FLOE_ICE_CONTENT_DATA) {
            state->removed_data_files++;
            state->removed_records += records;
        } else {
            state->removed_delete_files++;
            if (file->content == FLOE_ICE_CONTENT_POSITION_DELETES) {
                state->removed_position_files++;
                state->removed_position_deletes += records;
            } else {
                state->removed_equality_files++;
                state->removed_equality_deletes += records;
            }
        }
    }
}

static long removed_index(const attempt *state, const char *path)
{
    for (size_t i = 0; i < state->request->removed_count; i++)
        if (strcmp(state->request->removed_paths[i], path) == 0) return (long)i;
    return -1;
}

/* Writes a manifest and returns its list entry (counts filled from the entries). */
static int write_manifest(attempt *state, const floe_ice_manifest_write_options *options,
                          const floe_ice_manifest_entry *entries, size_t count,
                          floe_ice_manifest_file *list_entry, floe_error *err)
{
    char path[PATH_CAPACITY];
    FLOE_TRY(floe_io_catalog_new_file_path(state->directory, "metadata", "", "-m0.avro", path,
                                           sizeof path, err));
    int64_t size = 0;
    FLOE_TRY(floe_ice_manifest_write(path, options, entries, count, &size, err));
    FLOE_TRY(remember_file(state, path, err));
    memset(list_entry, 0, sizeof *list_entry);
    list_entry->manifest_path = state->written[state->written_count - 1];
    list_entry->manifest_length = size;
    list_entry->partition_spec_id = options->partition_spec_id;
    list_entry->content = options->content;
    list_entry->sequence_number = state->sequence_number;
    list_entry->min_sequence_number = INT64_MAX;
    list_entry->added_snapshot_id = state->snapshot_id;
    for (size_t i = 0; i < count; i++) {
        const floe_ice_manifest_entry *entry = &entries[i];
        int64_t rows = entry->data_file.record_count;
        if (entry->status == FLOE_ICE_STATUS_ADDED) {
            list_entry->added_files_count++;
            list_entry->added_rows_count += rows;
        } else if (entry->status == FLOE_ICE_STATUS_EXISTING) {
            list_entry->existing_files_count++;
            list_entry->existing_rows_count += rows;
        } else {
            list_entry->deleted_files_count++;
            list_entry->deleted_rows_count += rows;
        }
        if (entry->status != FLOE_ICE_STATUS_DELETED &&
            entry->sequence_number < list_entry->min_sequence_number)
            list_entry->min_sequence_number = entry->sequence_number;
    }
    if (list_entry->min_sequence_number == INT64_MAX)
        list_entry->min_sequence_number = state->sequence_number;
    return FLOE_OK;
}

/* Carries a base manifest over, or rewrites it when it holds removed files. */
static int carry_manifest(attempt *state, const floe_ice_manifest_file *base, floe_error *err)
{
    FLOE_RETURN_IF(base->added_files_count < 0 || base->existing_files_count < 0 ||
                       base->deleted_files_count < 0 || base->added_rows_count < 0 ||
                       base->existing_rows_count < 0 || base->deleted_rows_count < 0,
                   FLOE_EUNSUPPORTED, err,
                   "%s: manifest list entry %s has unknown counts (a v1 table): not supported",
                   state->directory, base->manifest_path);
    /* A manifest without live files holds only entries an earlier snapshot marked DELETED,
     * which matter to that snapshot alone: the new snapshot leaves it out (as Iceberg's own
     * writers do). Otherwise every overwrite would carry, and the next one read, one more
     * manifest per commit for as long as the table lives. */
    if (base->added_files_count == 0 && base->existing_files_count == 0) return FLOE_OK;
    if (state->request->removed_count == 0) return add_list_entry(state, base, err);
    char *resolved = NULL;
    FLOE_TRY(floe_ice_resolve_path(base->manifest_path, state->metadata->location,
                                   state->directory, &resolved, err));
    floe_ice_manifest *manifest = NULL;
    int status = floe_ice_manifest_read(resolved, &manifest, err);
    floe_free(resolved);
    if (status == FLOE_OK) status = floe_ice_manifest_inherit(manifest, base, err);
    if (status < 0) {
        floe_ice_manifest_free(manifest);
        return status;
    }
    size_t hits = 0;
    for (size_t i = 0; i < manifest->count; i++) {
        const floe_ice_manifest_entry *entry = &manifest->entries[i];
        if (entry->status == FLOE_ICE_STATUS_DELETED) continue;
        long index = removed_index(state, entry->data_file.file_path);
        if (index >= 0) {
            hits++;
            state->removed_found[index] = 1;
        }
    }
    if (hits == 0) {
        floe_ice_manifest_free(manifest);
        return add_list_entry(state, base, err);
    }
    floe_ice_manifest_entry *entries = floe_calloc(manifest->count, sizeof *entries);
    if (entries == NULL) {
        floe_ice_manifest_free(manifest);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    size_t count = 0;
    for (size_t i = 0; i < manifest->count; i++) {
        const floe_ice_manifest_entry *entry = &manifest->entries[i];
        if (entry->status == FLOE_ICE_STATUS_DELETED) continue; /* dropped once carried */
        floe_ice_manifest_entry copy = *entry;
        if (removed_index(state, entry->data_file.file_path) >= 0) {
            copy.status = FLOE_ICE_STATUS_DELETED;
            copy.snapshot_id = state->snapshot_id;
            copy.has_snapshot_id = 1;
            count_file(state, &entry->data_file, 0);
        } else {
            copy.status = FLOE_ICE_STATUS_EXISTING;
        }
        copy.has_sequence_number = 1;
        if (!copy.has_file_sequence_number) {
            copy.has_file_sequence_number = 1;
            copy.file_sequence_number = copy.sequence_number;
        }
        entries[count++] = copy;
    }
    floe_ice_manifest_write_options options = {0};
    options.schema_json = manifest->schema_json ? manifest->schema_json : state->schema_json;
    options.schema_id = manifest->schema_id;
    options.partition_spec_json = manifest->partition_spec_json ? manifest->partition_spec_json
                                                                : "[]";
    options.partition_spec_id = base->partition_spec_id;
    options.content = base->content;
    options.partition_fields = manifest->partition_fields;
    options.partition_field_count = manifest->partition_field_count;
    options.codec = FLOE_AVRO_CODEC_DEFLATE;
    floe_ice_manifest_file list_entry;
    status = write_manifest(state, &options, entries, count, &list_entry, err);
    floe_free(entries);
    floe_ice_manifest_free(manifest);
    if (status < 0) return status;
    return add_list_entry(state, &list_entry, err);
}

static int write_added(attempt *state, int32_t content, floe_error *err)
{
    const floe_ice_commit_request *request = state->request;
    size_t count = 0;
    for (size_t i = 0; i < request->added_count; i++) {
        int is_data = request->added_files[i].content == FLOE_ICE_CONTENT_DATA;
        if (is_data == (content == FLOE_ICE_MANIFEST_CONTENT_DATA)) count++;
    }
    if (count == 0) return FLOE_OK;
    floe_ice_manifest_entry *entries = floe_calloc(count, sizeof *entries);
    FLOE_RETURN_IF(entries == NULL, FLOE_ENOMEM, err, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < request->added_count; i++) {
        const floe_ice_data_file *file = &request->added_files[i];
        int is_data = file->content == FLOE_ICE_CONTENT_DATA;
        if (is_data != (content == FLOE_ICE_MANIFEST_CONTENT_DATA)) continue;
        floe_ice_manifest_entry *entry = &entries[n++];
        entry->status = FLOE_ICE_STATUS_ADDED;
        entry->has_snapshot_id = 1;
        entry->snapshot_id = state->snapshot_id;
        entry->has_sequence_number = 1;
        entry->sequence_number = state->sequence_number;
        entry->has_file_sequence_number = 1;
        entry->file_sequence_number = state->sequence_number;
        entry->data_file = *file;
        count_file(state, file, 1);
    }
    const floe_ice_schema *schema = floe_ice_current_schema(state->metadata);
    floe_ice_manifest_write_options options = {0};
    options.schema_json = state->schema_json;
    options.schema_id = schema->schema_id;
    options.partition_spec_json = "[]";
    options.partition_spec_id = state->metadata->default_spec_id;
    options.content = content;
    options.codec = FLOE_AVRO_CODEC_DEFLATE;
    floe_ice_manifest_file list_entry;
    int status = write_manifest(state, &options, entries, count, &list_entry, err);
    floe_free(entries);
    if (status < 0) return status;
    return add_list_entry(state, &list_entry, err);
}

typedef struct summary_builder {
    floe_ice_property entries[48];
    char values[48][24];
    size_t count;
} summary_builder;

static void summary_put(summary_builder *summary, const char *key, int64_t value)
{
    if (summary->count >= 48) return;
    snprintf(summary->values[summary->count], sizeof summary->values[0], "%" PRId64, value);
    summary->entries[summary->count] = (floe_ice_property){key, summary->values[summary->count]};
    summary->count++;
}

static void summary_total(summary_builder *summary, const floe_ice_snapshot *parent,
                          const char *key, int64_t change)
{
    int64_t base = 0;
    if (parent != NULL) {
        const char *text = floe_ice_snapshot_summary(parent, key);
        if (text == NULL) return;
        char *end = NULL;
        long long value = strtoll(text, &end, 10);
        if (end == text || *end != '\0') return;
        base = (int64_t)value;
    }
    summary_put(summary, key, base + change);
}

/* ---- table-level changes ----------------------------------------------------------------- */

/* Removes a property from the loaded metadata (its array lives in the metadata's arena, so the
 * entries after it just move down). */
static void remove_property(floe_ice_table_metadata *metadata, const char *key)
{
    for (size_t i = 0; i < metadata->property_count; i++) {
        if (strcmp(metadata->properties[i].key, key) != 0) continue;
        memmove(&metadata->properties[i], &metadata->properties[i + 1],
                (metadata->property_count - i - 1) * sizeof metadata->properties[i]);
        metadata->property_count--;
        if (strcmp(key, "schema.name-mapping.default") == 0) {
            metadata->name_mapping = NULL;
            metadata->name_mapping_count = 0;
        }
        return;
    }
}

static char *arena_copy(floe_arena *arena, const char *text)
{
    return text == NULL ? NULL : floe_arena_strndup(arena, text, strlen(text));
}

/* Adds a schema built from `columns` (ids 0 numbered after last-column-id) and makes it
 * current. The fields are built by floe_ice_table_metadata_create on a scratch object, which
 * owns the Iceberg type spelling, then copied into the table's arena. */
static int add_current_schema(floe_ice_table_metadata *metadata, const floe_ice_new_column *columns,
                              size_t column_count, floe_error *err)
{
    floe_ice_new_column *numbered = floe_calloc(column_count ? column_count : 1, sizeof *numbered);
    FLOE_RETURN_IF(numbered == NULL, FLOE_ENOMEM, err, "out of memory");
    int32_t next_id = metadata->last_column_id;
    for (size_t i = 0; i < column_count; i++) {
        numbered[i] = columns[i];
        if (numbered[i].id == 0) numbered[i].id = ++next_id;
    }
    floe_ice_table_metadata *scratch = NULL;
    int status = floe_ice_table_metadata_create(metadata->location, numbered, column_count, 0,
                                                &scratch, err);
    floe_free(numbered);
    if (status < 0) return status;
    const floe_ice_schema *built = &scratch->schemas[0];
    floe_arena *arena = &metadata->arena;
    floe_ice_schema *schemas = floe_arena_alloc_zero(arena, (metadata->schema_count + 1) *
                                                                sizeof *schemas);
    floe_ice_field *fields = floe_arena_alloc_zero(arena, (built->field_count ? built->field_count
                                                                               : 1) *
                                                              sizeof *fields);
    status = schemas == NULL || fields == NULL ? FLOE_ENOMEM : FLOE_OK;
    int32_t schema_id = 0, last_column_id = metadata->last_column_id;
    for (size_t i = 0; status == FLOE_OK && i < metadata->schema_count; i++) {
        schemas[i] = metadata->schemas[i];
        if (schemas[i].schema_id >= schema_id) schema_id = schemas[i].schema_id + 1;
    }
    for (size_t i = 0; status == FLOE_OK && i < built->field_count; i++) {
        fields[i] = built->fields[i];
        fields[i].name = arena_copy(arena, built->fields[i].name);
        fields[i].type_text = arena_copy(arena, built->fields[i].type_text);
        fields[i].doc = arena_copy(arena, built->fields[i].doc);
        fields[i].nested_json = NULL;
        if (fields[i].name == NULL || fields[i].type_text == NULL ||
            (built->fields[i].doc != NULL && fields[i].doc == NULL))
            status = FLOE_ENOMEM;
        if (fields[i].id > last_column_id) last_column_id = fields[i].id;
    }
    size_t field_count = built->field_count;
    floe_ice_table_metadata_free(scratch);
    FLOE_RETURN_IF(status < 0, status, err, "out of memory adding a schema");
    schemas[metadata->schema_count] = (floe_ice_schema){.schema_id = schema_id,
                                                        .fields = fields,
                                                        .field_count = field_count};
    metadata->schemas = schemas;
    metadata->schema_count++;
    metadata->current_schema_id = schema_id;
    metadata->last_column_id = last_column_id;
    return FLOE_OK;
}

/* Property and schema changes of the request, applied to the freshly loaded metadata. */
static int apply_table_changes(attempt *state, floe_error *err)
{
    const floe_ice_commit_request *request = state->request;
    floe_ice_table_metadata *metadata = state->metadata;
    for (size_t i = 0; i < request->removed_property_count; i++)
        remove_property(metadata, request->removed_properties[i]);
    for (size_t i = 0; i < request->set_property_count; i++)
        FLOE_TRY(floe_ice_table_metadata_set_property(metadata, request->set_properties[i].key,
                                                      request->set_properties[i].value, err));
    if (request->new_schema_columns != NULL)
        FLOE_TRY(add_current_schema(metadata, request->new_schema_columns,
                                    request->new_schema_column_count, err));
    return FLOE_OK;
}

/* Publishes the loaded (and changed) metadata as the next version, without a snapshot. */
static int publish_properties(attempt *state, floe_ice_commit_result *result, floe_error *err)
{
    floe_ice_table_metadata *metadata = state->metadata;
    int64_t timestamp = now_ms();
    if (timestamp <= metadata->last_updated_ms) timestamp = metadata->last_updated_ms + 1;
    metadata->last_updated_ms = timestamp;
    FLOE_TRY(floe_ice_table_metadata_append_metadata_log(metadata, timestamp,
                                                         state->metadata_path, err));
    char *json = NULL;
    size_t size = 0;
    FLOE_TRY(floe_ice_table_metadata_write_json(metadata, &json, &size, err));
    step("metadata-written");
    int64_t published = 0;
    int status = floe_io_catalog_publish(state->directory, state->version, json, size,
                                         &published, err);
    floe_free(json);
    if (published > 0) {
        if (result != NULL) {
            result->snapshot_id = metadata->current_snapshot_id;
            const floe_ice_snapshot *current = floe_ice_current_snapshot(metadata);
            result->parent_snapshot_id = current != NULL ? current->parent_snapshot_id : -1;
            result->sequence_number = metadata->last_sequence_number;
            result->version = published;
        }
        return 1;
    }
    return status;
}

static int run_attempt(attempt *state, floe_ice_commit_result *result, floe_error *err)
{
    const floe_ice_commit_request *request = state->request;
    FLOE_TRY(floe_io_catalog_current_version(state->directory, &state->version,
                                             &state->metadata_path, err));
    FLOE_TRY(floe_ice_table_metadata_read_file(state->metadata_path, &state->metadata, err));
    floe_ice_table_metadata *metadata = state->metadata;
    const floe_ice_schema *schema = floe_ice_current_schema(metadata);
    FLOE_RETURN_IF(schema == NULL, FLOE_ECORRUPT, err, "%s: no current schema",
                   state->metadata_path);
    if (request->expected_schema_id >= 0 && schema->schema_id != request->expected_schema_id) {
        state->lasting_conflict = 1;
        return floe_error_set(err, FLOE_ECONFLICT,
                              "%s: the schema changed (now %d, the files were checked against %d)",
                              state->directory, (int)schema->schema_id,
                              (int)request->expected_schema_id);
    }
    if (request->expected_snapshot_id != 0 &&
        metadata->current_snapshot_id != request->expected_snapshot_id) {
        state->lasting_conflict = 1;
        if (metadata->current_snapshot_id < 0)
            return floe_error_set(err, FLOE_ECONFLICT,
                                  "%s: the table changed: it has no snapshot, expected %" PRId64,
                                  state->directory, request->expected_snapshot_id);
        if (request->expected_snapshot_id < 0)
            return floe_error_set(err, FLOE_ECONFLICT,
                                  "%s: the table changed: snapshot %" PRId64
                                  " is current, expected none",
                                  state->directory, metadata->current_snapshot_id);
        return floe_error_set(err, FLOE_ECONFLICT,
                              "%s: the table changed: snapshot %" PRId64
                              " is current, expected %" PRId64,
                              state->directory, metadata->current_snapshot_id,
                              request->expected_snapshot_id);
    }
    FLOE_TRY(apply_table_changes(state, err));
    if (state->properties_only) return publish_properties(state, result, err);
    schema = floe_ice_current_schema(metadata);
    const floe_ice_partition_spec *spec = floe_ice_default_partition_spec(metadata);
    FLOE_RETURN_IF(request->added_count > 0 && spec != NULL && spec->field_count > 0,
                   FLOE_EUNSUPPORTED, err,
                   "%s: adding files to a partitioned table is not supported", state->directory);
    FLOE_TRY(schema_json_text(schema, &state->schema_json, err));
    FLOE_TRY(floe_ice_random_snapshot_id(&state->snapshot_id, err));
    state->sequence_number = metadata->last_sequence_number + 1;
    state->parent_id = metadata->current_snapshot_id;
    const floe_ice_snapshot *parent = floe_ice_current_snapshot(metadata);
    state->removed_found = floe_calloc(request->removed_count + 1, sizeof *state->removed_found);
    FLOE_RETURN_IF(state->removed_found == NULL, FLOE_ENOMEM, err, "out of memory");

    if (parent != NULL) {
        FLOE_RETURN_IF(parent->manifest_list == NULL, FLOE_EUNSUPPORTED, err,
                       "%s: snapshot %" PRId64 " lists manifests without a manifest list (v1): "
                       "not supported", state->directory, parent->snapshot_id);
        char *resolved = NULL;
        FLOE_TRY(floe_ice_resolve_path(parent->manifest_list, metadata->location,
                                       state->directory, &resolved, err));
        int status = floe_ice_manifest_list_read(resolved, &state->base_list, err);
        floe_free(resolved);
        if (status < 0) return status;
        for (size_t i = 0; i < state->base_list->count; i++)
            FLOE_TRY(carry_manifest(state, &state->base_list->entries[i], err));
    }
    for (size_t i = 0; i < request->removed_count; i++) {
        if (state->removed_found[i]) continue;
        /* On a retry, a file another writer removed first: the removal cannot be re-applied.
         * On the first attempt the caller named a file the table does not hold. */
        state->lasting_conflict = 1;
        return floe_error_set(err, state->round > 1 ? FLOE_ECONFLICT : FLOE_ENOTFOUND,
                              "%s: %s is no longer in the table", state->directory,
                              request->removed_paths[i]);
    }
    FLOE_TRY(write_added(state, FLOE_ICE_MANIFEST_CONTENT_DATA, err));
    FLOE_TRY(write_added(state, FLOE_ICE_MANIFEST_CONTENT_DELETES, err));
    step("manifests-written");

    char list_path[PATH_CAPACITY], prefix[64];
    snprintf(prefix, sizeof prefix, "snap-%" PRId64 "-1-", state->snapshot_id);
    FLOE_TRY(floe_io_catalog_new_file_path(state->directory, "metadata", prefix, ".avro",
                                           list_path, sizeof list_path, err));
    floe_ice_manifest_list_write_options list_options = {0};
    list_options.snapshot_id = state->snapshot_id;
    list_options.has_parent_snapshot_id = state->parent_id >= 0;
    list_options.parent_snapshot_id = state->parent_id;
    list_options.sequence_number = state->sequence_number;
    list_options.codec = FLOE_AVRO_CODEC_DEFLATE;
    FLOE_TRY(floe_ice_manifest_list_write(list_path, &list_options, state->entries,
                                          state->entry_count, err));
    FLOE_TRY(remember_file(state, list_path, err));
    step("list-written");

    summary_builder summary = {0};
    summary_put(&summary, "added-data-files", state->added_data_files);
    summary_put(&summary, "added-records", state->added_records);
    summary_put(&summary, "added-files-size", state->added_size);
    if (state->added_delete_files > 0) {
        summary_put(&summary, "added-delete-files", state->added_delete_files);
        summary_put(&summary, "added-position-delete-files", state->added_position_files);
        summary_put(&summary, "added-equality-delete-files", state->added_equality_files);
        summary_put(&summary, "added-position-deletes", state->added_position_deletes);
        summary_put(&summary, "added-equality-deletes", state->added_equality_deletes);
    }
    if (request->removed_count > 0) {
        summary_put(&summary, "deleted-data-files", state->removed_data_files);
        summary_put(&summary, "deleted-records", state->removed_records);
        summary_put(&summary, "removed-files-size", state->removed_size);
        summary_put(&summary, "removed-delete-files", state->removed_delete_files);
        summary_put(&summary, "removed-position-deletes", state->removed_position_deletes);
        summary_put(&summary, "removed-equality-deletes", state->removed_equality_deletes);
    }
    summary_total(&summary, parent, "total-records", state->added_records - state->removed_records);
    summary_total(&summary, parent, "total-files-size", state->added_size - state->removed_size);
    summary_total(&summary, parent, "total-data-files",
                  state->added_data_files - state->removed_data_files);
    summary_total(&summary, parent, "total-delete-files",
                  state->added_delete_files - state->removed_delete_files);
    summary_total(&summary, parent, "total-position-deletes",
                  state->added_position_deletes - state->removed_position_deletes);
    summary_total(&summary, parent, "total-equality-deletes",
                  state->added_equality_deletes - state->removed_equality_deletes);
    size_t total = summary.count + request->summary_count;
    floe_ice_property *entries = floe_calloc(total ? total : 1, sizeof *entries);
    FLOE_RETURN_IF(entries == NULL, FLOE_ENOMEM, err, "out of memory");
    memcpy(entries, summary.entries, summary.count * sizeof *entries);
    if (request->summary_count > 0)
        memcpy(entries + summary.count, request->summary,
               request->summary_count * sizeof *entries);
    const char *operation = request->operation;
    if (operation == NULL) {
        operation = request->removed_count == 0 ? "append"
                    : request->added_count == 0 ? "delete"
                                                : "overwrite";
    }
    int64_t timestamp = now_ms();
    if (timestamp <= metadata->last_updated_ms) timestamp = metadata->last_updated_ms + 1;
    floe_ice_new_snapshot snapshot = {
        .snapshot_id = state->snapshot_id,
        .parent_snapshot_id = state->parent_id,
        .sequence_number = state->sequence_number,
        .timestamp_ms = timestamp,
        .manifest_list = list_path,
        .operation = operation,
        .summary = entries,
        .summary_count = total,
    };
    int status = floe_ice_table_metadata_add_snapshot(metadata, &snapshot, err);
    floe_free(entries);
    if (status < 0) return status;
    FLOE_TRY(floe_ice_table_metadata_append_metadata_log(metadata, metadata->last_updated_ms,
                                                         state->metadata_path, err));
    char *json = NULL;
    size_t size = 0;
    FLOE_TRY(floe_ice_table_metadata_write_json(metadata, &json, &size, err));
    step("metadata-written");
    int64_t published = 0;
    status = floe_io_catalog_publish(state->directory, state->version, json, size, &published,
                                     err);
    floe_free(json);
    if (published > 0) {
        if (result != NULL) {
            result->snapshot_id = state->snapshot_id;
            result->parent_snapshot_id = state->parent_id;
            result->sequence_number = state->sequence_number;
            result->version = published;
        }
        return 1; /* committed, even if a later durability step reported an error */
    }
    return status;
}

/* Runs attempts until one publishes, a failure is not a lost race, or attempts run out. */
static int commit_with_retry(const char *table_directory, const floe_ice_commit_request *request,
                             int properties_only, floe_ice_commit_result *result, floe_error *err)
{
    FLOE_RETURN_IF((request->set_property_count > 0 && request->set_properties == NULL) ||
                       (request->removed_property_count > 0 &&
                        request->removed_properties == NULL),
                   FLOE_EINVAL, err, "floe_ice_commit: property changes missing");
    int attempts = request->max_attempts > 0 ? request->max_attempts : DEFAULT_ATTEMPTS;
    int status = FLOE_ECONFLICT;
    for (int round = 1; round <= attempts; round++) {
        attempt state = {0};
        state.directory = table_directory;
        state.request = request;
        state.properties_only = properties_only;
        state.round = round;
        status = run_attempt(&state, result, err);
        int lasting = state.lasting_conflict;
        attempt_fini(&state, status != 1);
        if (status == 1) {
            if (result != NULL) result->attempts = round;
            return FLOE_OK;
        }
        /* A lasting conflict: the caller's work depended on what another writer changed. */
        if (status != FLOE_ECONFLICT || lasting) return status;
        /* Back off a little, randomly, so two writers do not collide in lockstep. */
        unsigned seed = (unsigned)getpid() * 2654435761u + (unsigned)round;
        long pause = 100000L + (long)(rand_r(&seed) % 400) * 1000L * round;
        struct timespec delay = {0, pause};
        nanosleep(&delay, NULL);
    }
    return status;
}

int floe_ice_commit(const char *table_directory, const floe_ice_commit_request *request,
                    floe_ice_commit_result *result, floe_error *err)
{
    FLOE_RETURN_IF(table_directory == NULL || request == NULL || table_directory[0] != '/',
                   FLOE_EINVAL, err, "floe_ice_commit: needs an absolute table directory");
    FLOE_RETURN_IF(request->added_count > 0 && request->added_files == NULL, FLOE_EINVAL, err,
                   "floe_ice_commit: added_files is NULL");
    for (size_t i = 0; i < request->added_count; i++) {
        const floe_ice_data_file *file = &request->added_files[i];
        FLOE_RETURN_IF(file->file_path == NULL || file->file_path[0] != '/' ||
                           file->record_count < 0 || file->file_size_in_bytes < 0 ||
                           file->partition != NULL,
                       FLOE_EINVAL, err,
                       "floe_ice_commit: added file %zu needs an absolute path, counts and no "
                       "partition", i);
    }
    return commit_with_retry(table_directory, request, 0, result, err);
}

int floe_ice_commit_properties(const char *table_directory, const floe_ice_property *set,
                               size_t set_count, const char *const *removed, size_t removed_count,
                               floe_ice_commit_result *result, floe_error *err)
{
    FLOE_RETURN_IF(table_directory == NULL || table_directory[0] != '/', FLOE_EINVAL, err,
                   "floe_ice_commit_properties: needs an absolute table directory");
    FLOE_RETURN_IF((set_count > 0 && set == NULL) || (removed_count > 0 && removed == NULL),
                   FLOE_EINVAL, err, "floe_ice_commit_properties: properties missing");
    floe_ice_commit_request request = {0};
    request.set_properties = set;
    request.set_property_count = set_count;
    request.removed_properties = removed;
    request.removed_property_count = removed_count;
    request.expected_schema_id = -1;
    return commit_with_retry(table_directory, &request, 1, result, err);
}

int floe_ice_commit_schema(const char *table_directory, const floe_ice_new_column *columns,
                           size_t column_count, int32_t expected_schema_id,
                           floe_ice_commit_result *result, floe_error *err)
{
    FLOE_RETURN_IF(table_directory == NULL || table_directory[0] != '/', FLOE_EINVAL, err,
                   "floe_ice_commit_schema: needs an absolute table directory");
    FLOE_RETURN_IF(columns == NULL || column_count == 0, FLOE_EINVAL, err,
                   "floe_ice_commit_schema: no columns");
    floe_ice_commit_request request = {0};
    request.new_schema_columns = columns;
    request.new_schema_column_count = column_count;
    request.expected_schema_id = expected_schema_id;
    return commit_with_retry(table_directory, &request, 1, result, err);
}

int floe_ice_commit_create_table(const char *table_directory, const floe_ice_new_column *columns,
                                 size_t column_count, const floe_ice_property *properties,
                                 size_t property_count, floe_error *err)
{
    FLOE_RETURN_IF(table_directory == NULL || table_directory[0] != '/', FLOE_EINVAL, err,
                   "floe_ice_commit_create_table: needs an absolute table directory");
    floe_ice_table_metadata *metadata = NULL;
    FLOE_TRY(floe_ice_table_metadata_create(table_directory, columns, column_count, now_ms(),
                                            &metadata, err));
    int status = FLOE_OK;
    for (size_t i = 0; i < property_count && status == FLOE_OK; i++)
        status = floe_ice_table_metadata_set_property(metadata, properties[i].key,
                                                      properties[i].value, err);
    char *json = NULL;
    size_t size = 0;
    if (status == FLOE_OK) status = floe_ice_table_metadata_write_json(metadata, &json, &size, err);
    floe_ice_table_metadata_free(metadata);
    if (status < 0) return status;
    int64_t published = 0;
    status = floe_io_catalog_publish(table_directory, 0, json, size, &published, err);
    floe_free(json);
    return published > 0 ? FLOE_OK : status;
}
