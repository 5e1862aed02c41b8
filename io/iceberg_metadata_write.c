/*
 * iceberg_metadata_write.c — floe_ice_table_metadata → Iceberg format v2 metadata JSON.
 *
 * Floe writes v2 only (DESIGN.md, "The lake"), so a table read as v1 comes out upgraded: the
 * deprecated single "schema" and "partition-spec" are dropped for "schemas" / "partition-specs"
 * with their ids, and every field the spec's "Writing v2 metadata" list requires is present.
 * Fields follow the order the Java reference implementation writes, so files diff cleanly
 * against Spark's. A JSON tree is built with jansson and then serialised; every jansson call
 * can fail for memory, which one flag collects so the code reads as the document it builds.
 */
#include "io/iceberg_metadata.h"
#include "io/iceberg_metadata_int.h"
#include "kernels/memory.h" /* floe_malloc */

#include <jansson.h>
#include <string.h>

typedef struct json_writer {
    int failed; /* a jansson allocation failed somewhere */
} json_writer;

/* Sets object[key] = value (taking value); returns value, or NULL when anything failed. */
static json_t *put(json_writer *writer, json_t *object, const char *key, json_t *value)
{
    if (json_object_set_new(object, key, value) != 0) {
        writer->failed = 1;
        return NULL;
    }
    return value;
}

static json_t *append(json_writer *writer, json_t *array, json_t *value)
{
    if (json_array_append_new(array, value) != 0) {
        writer->failed = 1;
        return NULL;
    }
    return value;
}

static json_t *string_map(json_writer *writer, const floe_ice_property *entries, size_t count)
{
    json_t *object = json_object();
    for (size_t i = 0; i < count; i++)
        put(writer, object, entries[i].key, json_string(entries[i].value));
    return object;
}

static json_t *schema_json(json_writer *writer, const floe_ice_schema *schema)
{
    json_t *object = json_object();
    put(writer, object, "type", json_string("struct"));
    put(writer, object, "schema-id", json_integer(schema->schema_id));
    if (schema->identifier_field_count != 0) {
        json_t *ids = put(writer, object, "identifier-field-ids", json_array());
        for (size_t i = 0; i < schema->identifier_field_count; i++)
            append(writer, ids, json_integer(schema->identifier_field_ids[i]));
    }
    json_t *fields = put(writer, object, "fields", json_array());
    for (size_t i = 0; i < schema->field_count; i++) {
        const floe_ice_field *field = &schema->fields[i];
        json_t *entry = append(writer, fields, json_object());
        put(writer, entry, "id", json_integer(field->id));
        put(writer, entry, "name", json_string(field->name));
        put(writer, entry, "required", json_boolean(field->required));
        if (field->kind == FLOE_ICE_TYPE_NESTED && field->nested_json != NULL) {
            put(writer, entry, "type", json_loads(field->nested_json, 0, NULL));
        } else {
            put(writer, entry, "type", json_string(field->type_text));
        }
        if (field->doc != NULL) put(writer, entry, "doc", json_string(field->doc));
    }
    return object;
}

static json_t *partition_spec_json(json_writer *writer, const floe_ice_partition_spec *spec)
{
    json_t *object = json_object();
    put(writer, object, "spec-id", json_integer(spec->spec_id));
    json_t *fields = put(writer, object, "fields", json_array());
    for (size_t i = 0; i < spec->field_count; i++) {
        const floe_ice_partition_field *field = &spec->fields[i];
        json_t *entry = append(writer, fields, json_object());
        put(writer, entry, "name", json_string(field->name));
        put(writer, entry, "transform", json_string(field->transform_text));
        put(writer, entry, "source-id", json_integer(field->source_id));
        put(writer, entry, "field-id", json_integer(field->field_id));
    }
    return object;
}

static json_t *sort_order_json(json_writer *writer, const floe_ice_sort_order *order)
{
    json_t *object = json_object();
    put(writer, object, "order-id", json_integer(order->order_id));
    json_t *fields = put(writer, object, "fields", json_array());
    for (size_t i = 0; i < order->field_count; i++) {
        const floe_ice_sort_field *field = &order->fields[i];
        json_t *entry = append(writer, fields, json_object());
        put(writer, entry, "transform", json_string(field->transform_text));
        put(writer, entry, "source-id", json_integer(field->source_id));
        put(writer, entry, "direction", json_string(field->descending ? "desc" : "asc"));
        put(writer, entry, "null-order",
            json_string(field->nulls_first ? "nulls-first" : "nulls-last"));
    }
    return object;
}

static json_t *snapshot_json(json_writer *writer, const floe_ice_snapshot *snapshot)
{
    json_t *object = json_object();
    put(writer, object, "sequence-number", json_integer(snapshot->sequence_number));
    put(writer, object, "snapshot-id", json_integer(snapshot->snapshot_id));
    if (snapshot->parent_snapshot_id != -1)
        put(writer, object, "parent-snapshot-id", json_integer(snapshot->parent_snapshot_id));
    put(writer, object, "timestamp-ms", json_integer(snapshot->timestamp_ms));
    put(writer, object, "summary", string_map(writer, snapshot->summary, snapshot->summary_count));
    put(writer, object, "manifest-list", json_string(snapshot->manifest_list));
    if (snapshot->schema_id != -1)
        put(writer, object, "schema-id", json_integer(snapshot->schema_id));
    return object;
}

static json_t *ref_json(json_writer *writer, const floe_ice_ref *ref)
{
    json_t *object = json_object();
    put(writer, object, "snapshot-id", json_integer(ref->snapshot_id));
    put(writer, object, "type", json_string(ref->type == FLOE_ICE_REF_TAG ? "tag" : "branch"));
    if (ref->min_snapshots_to_keep != -1)
        put(writer, object, "min-snapshots-to-keep", json_integer(ref->min_snapshots_to_keep));
    if (ref->max_snapshot_age_ms != -1)
        put(writer, object, "max-snapshot-age-ms", json_integer(ref->max_snapshot_age_ms));
    if (ref->max_ref_age_ms != -1)
        put(writer, object, "max-ref-age-ms", json_integer(ref->max_ref_age_ms));
    return object;
}

static json_t *metadata_json(json_writer *writer, const floe_ice_table_metadata *metadata)
{
    json_t *root = json_object();
    put(writer, root, "format-version", json_integer(2));
    put(writer, root, "table-uuid", json_string(metadata->table_uuid));
    put(writer, root, "location", json_string(metadata->location));
    put(writer, root, "last-sequence-number", json_integer(metadata->last_sequence_number));
    put(writer, root, "last-updated-ms", json_integer(metadata->last_updated_ms));
    put(writer, root, "last-column-id", json_integer(metadata->last_column_id));
    put(writer, root, "current-schema-id", json_integer(metadata->current_schema_id));
    json_t *list = put(writer, root, "schemas", json_array());
    for (size_t i = 0; i < metadata->schema_count; i++)
        append(writer, list, schema_json(writer, &metadata->schemas[i]));
    put(writer, root, "default-spec-id", json_integer(metadata->default_spec_id));
    list = put(writer, root, "partition-specs", json_array());
    for (size_t i = 0; i < metadata->partition_spec_count; i++)
        append(writer, list, partition_spec_json(writer, &metadata->partition_specs[i]));
    put(writer, root, "last-partition-id", json_integer(metadata->last_partition_id));
    put(writer, root, "default-sort-order-id", json_integer(metadata->default_sort_order_id));
    list = put(writer, root, "sort-orders", json_array());
    for (size_t i = 0; i < metadata->sort_order_count; i++)
        append(writer, list, sort_order_json(writer, &metadata->sort_orders[i]));
    put(writer, root, "properties",
        string_map(writer, metadata->properties, metadata->property_count));
    put(writer, root, "current-snapshot-id", json_integer(metadata->current_snapshot_id));
    json_t *refs = put(writer, root, "refs", json_object());
    for (size_t i = 0; i < metadata->ref_count; i++)
        put(writer, refs, metadata->refs[i].name, ref_json(writer, &metadata->refs[i]));
    list = put(writer, root, "snapshots", json_array());
    for (size_t i = 0; i < metadata->snapshot_count; i++)
        append(writer, list, snapshot_json(writer, &metadata->snapshots[i]));
    list = put(writer, root, "snapshot-log", json_array());
    for (size_t i = 0; i < metadata->snapshot_log_count; i++) {
        json_t *entry = append(writer, list, json_object());
        put(writer, entry, "timestamp-ms", json_integer(metadata->snapshot_log[i].timestamp_ms));
        put(writer, entry, "snapshot-id", json_integer(metadata->snapshot_log[i].snapshot_id));
    }
    list = put(writer, root, "metadata-log", json_array());
    for (size_t i = 0; i < metadata->metadata_log_count; i++) {
        json_t *entry = append(writer, list, json_object());
        put(writer, entry, "timestamp-ms", json_integer(metadata->metadata_log[i].timestamp_ms));
        put(writer, entry, "metadata-file", json_string(metadata->metadata_log[i].metadata_file));
    }
    return root;
}

int floe_ice_table_metadata_write_json(const floe_ice_table_metadata *metadata, char **json,
                                       size_t *size, floe_error *err)
{
    *json = NULL;
    *size = 0;
    FLOE_RETURN_IF(metadata->table_uuid == NULL, FLOE_EINVAL, err,
                   "table metadata has no table-uuid, which format v2 requires");
    FLOE_RETURN_IF(metadata->location == NULL, FLOE_EINVAL, err, "table metadata has no location");
    for (size_t i = 0; i < metadata->snapshot_count; i++) {
        const floe_ice_snapshot *snapshot = &metadata->snapshots[i];
        FLOE_RETURN_IF(snapshot->manifest_list == NULL, FLOE_EUNSUPPORTED, err,
                       "snapshot %lld lists manifests without a manifest list; format v2 "
                       "needs a manifest list, which must be written first",
                       (long long)snapshot->snapshot_id);
        FLOE_RETURN_IF(snapshot->operation == NULL, FLOE_EUNSUPPORTED, err,
                       "snapshot %lld has no summary operation, which format v2 requires",
                       (long long)snapshot->snapshot_id);
    }
    floe_ice_json_use_floe_allocator();
    json_writer writer = {0};
    json_t *root = metadata_json(&writer, metadata);
    size_t needed = writer.failed || root == NULL ? 0 : json_dumpb(root, NULL, 0, JSON_INDENT(2));
    char *buffer = needed == 0 ? NULL : floe_malloc(needed + 2);
    if (buffer == NULL || json_dumpb(root, buffer, needed, JSON_INDENT(2)) != needed) {
        floe_free(buffer);
        json_decref(root);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory writing table metadata JSON");
    }
    json_decref(root);
    buffer[needed] = '\n';
    buffer[needed + 1] = '\0';
    *json = buffer;
    *size = needed + 1;
    return FLOE_OK;
}
