/*
 * Description: Iceberg table metadata JSON (io/iceberg_metadata.h). Every metadata file under
 * tests/data/iceberg parses, with facts checked against the JSON as read by hand (format
 * version, snapshots, operations, schema fields and types, partition transforms, name
 * mapping); parse → write v2 → parse gives the same model for every one of them, and the
 * written JSON has every field v2 requires; gzip metadata; the builders; malformed input
 * (every prefix of a file, wrong types, missing fields, bad versions, huge numbers, deep
 * nesting) fails with FLOE_ECORRUPT and a message naming the JSON path; allocation failures.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#define _DEFAULT_SOURCE /* mkdtemp */
#include "io/iceberg_metadata.h"
#include "kernels/memory.h"
#include "kernels/status.h"

#include <check.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static const char *data_root(void)
{
    const char *root = getenv("FLOE_TEST_DATA");
    return root != NULL ? root : "tests/data";
}

static char *fixture(const char *relative)
{
    static char paths[8][1024];
    static int next = 0;
    char *path = paths[next++ % 8];
    snprintf(path, 1024, "%s/iceberg/%s", data_root(), relative);
    return path;
}

static floe_ice_table_metadata *load(const char *relative)
{
    floe_error err;
    floe_error_clear(&err);
    floe_ice_table_metadata *metadata = NULL;
    int status = floe_ice_table_metadata_read_file(fixture(relative), &metadata, &err);
    ck_assert_msg(status == FLOE_OK, "%s: %s", relative, err.message);
    return metadata;
}

static char *slurp(const char *path, size_t *size)
{
    FILE *file = fopen(path, "rb");
    ck_assert_msg(file != NULL, "cannot open %s", path);
    fseek(file, 0, SEEK_END);
    long length = ftell(file);
    fseek(file, 0, SEEK_SET);
    char *data = malloc((size_t)length + 1);
    ck_assert_uint_eq(fread(data, 1, (size_t)length, file), (size_t)length);
    data[length] = '\0';
    fclose(file);
    *size = (size_t)length;
    return data;
}

/* ---- facts from the fixtures ------------------------------------------------------------ */

START_TEST(lineitem_v2_facts)
{
    floe_ice_table_metadata *metadata = load("lineitem_iceberg/metadata/v2.metadata.json");
    ck_assert_int_eq(metadata->format_version, 2);
    ck_assert_str_eq(metadata->table_uuid, "cc2317c6-1937-45fc-b29f-935ff34bcf22");
    ck_assert_str_eq(metadata->location, "./lineitem_iceberg");
    ck_assert_int_eq(metadata->last_sequence_number, 2);
    ck_assert_int_eq(metadata->last_column_id, 16);
    ck_assert_int_eq(metadata->current_snapshot_id, 2354745328521181395LL);
    ck_assert_uint_eq(metadata->snapshot_count, 2);
    ck_assert_str_eq(metadata->snapshots[0].operation, "append");
    ck_assert_str_eq(metadata->snapshots[1].operation, "overwrite");
    ck_assert_int_eq(metadata->snapshots[1].parent_snapshot_id, 7817332053627255703LL);
    ck_assert_int_eq(metadata->snapshots[1].sequence_number, 2);
    ck_assert_str_eq(metadata->snapshots[1].manifest_list,
                     "lineitem_iceberg/metadata/snap-2354745328521181395-1-"
                     "179b4fb1-0366-4f7d-ad35-99ee8da0abf5.avro");
    const floe_ice_snapshot *current = floe_ice_current_snapshot(metadata);
    ck_assert_ptr_eq(current, &metadata->snapshots[1]);
    ck_assert_int_eq(current->summary_count, 15);

    const floe_ice_schema *schema = floe_ice_current_schema(metadata);
    ck_assert_ptr_nonnull(schema);
    ck_assert_uint_eq(schema->field_count, 16);
    ck_assert_str_eq(schema->fields[0].name, "l_orderkey");
    ck_assert_int_eq(schema->fields[0].kind, FLOE_ICE_TYPE_LONG);
    const floe_ice_field *quantity = floe_ice_field_by_name(schema, "l_quantity");
    ck_assert_ptr_nonnull(quantity);
    ck_assert_int_eq(quantity->id, 5);
    ck_assert_int_eq(quantity->kind, FLOE_ICE_TYPE_DECIMAL);
    ck_assert_int_eq(quantity->precision, 15);
    ck_assert_int_eq(quantity->scale, 2);
    floe_type type;
    ck_assert_int_eq(floe_ice_field_floe_type(quantity, &type, NULL), FLOE_OK);
    ck_assert(floe_type_equal(type, floe_type_decimal(15, 2)));
    const floe_ice_field *shipdate = floe_ice_field_by_id(schema, 11);
    ck_assert_str_eq(shipdate->name, "l_shipdate");
    ck_assert_int_eq(floe_ice_field_floe_type(shipdate, &type, NULL), FLOE_OK);
    ck_assert_int_eq(type.id, FLOE_TYPE_DATE);
    ck_assert_int_eq(floe_ice_field_by_name(schema, "l_comment")->kind, FLOE_ICE_TYPE_STRING);
    ck_assert_ptr_null(floe_ice_field_by_name(schema, "nope"));

    ck_assert_uint_eq(floe_ice_default_partition_spec(metadata)->field_count, 0);
    ck_assert_int_eq(metadata->last_partition_id, 999);
    ck_assert_str_eq(floe_ice_property_get(metadata, "owner"), "thijs");
    ck_assert_str_eq(floe_ice_property_get(metadata, "write.update.mode"), "merge-on-read");
    const floe_ice_ref *main_ref = floe_ice_ref_by_name(metadata, "main");
    ck_assert_int_eq(main_ref->snapshot_id, 2354745328521181395LL);
    ck_assert_int_eq(main_ref->type, FLOE_ICE_REF_BRANCH);
    ck_assert_uint_eq(metadata->snapshot_log_count, 2);
    ck_assert_uint_eq(metadata->metadata_log_count, 1);
    ck_assert_str_eq(metadata->metadata_log[0].metadata_file,
                     "lineitem_iceberg/metadata/v1.metadata.json");

    ck_assert(floe_ice_snapshot_is_ancestor(metadata, 7817332053627255703LL,
                                            2354745328521181395LL));
    ck_assert(floe_ice_snapshot_is_ancestor(metadata, 2354745328521181395LL,
                                            2354745328521181395LL));
    ck_assert(!floe_ice_snapshot_is_ancestor(metadata, 2354745328521181395LL,
                                             7817332053627255703LL));
    ck_assert(!floe_ice_snapshot_is_ancestor(metadata, 1, 2354745328521181395LL));
    floe_ice_table_metadata_free(metadata);
}
END_TEST

START_TEST(legacy_v1_facts)
{
    floe_ice_table_metadata *metadata =
        load("iceberg_v1_deprecated/default/legacy_v1/metadata/v2.metadata.json");
    ck_assert_int_eq(metadata->format_version, 1);
    ck_assert_int_eq(metadata->last_sequence_number, 0);
    ck_assert_int_eq(metadata->current_snapshot_id, 2456114553637229296LL);
    ck_assert_uint_eq(metadata->snapshot_count, 1);
    const floe_ice_snapshot *snapshot = &metadata->snapshots[0];
    ck_assert_int_eq(snapshot->sequence_number, 0);
    ck_assert_ptr_null(snapshot->manifest_list);
    ck_assert_uint_eq(snapshot->manifest_count, 1);
    ck_assert_str_eq(snapshot->manifests[0], "data/persistent/iceberg_v1_deprecated/default/"
                                             "legacy_v1/metadata/d65f86b0-b799-467f-b1f4-"
                                             "9c697e4c4fc7-m0.avro");
    ck_assert_str_eq(snapshot->operation, "append");
    /* The single deprecated "schema" and "partition-spec". */
    ck_assert_uint_eq(metadata->schema_count, 1);
    const floe_ice_schema *schema = floe_ice_current_schema(metadata);
    ck_assert_uint_eq(schema->field_count, 3);
    ck_assert_str_eq(schema->fields[1].name, "category");
    ck_assert_int_eq(schema->fields[1].kind, FLOE_ICE_TYPE_STRING);
    ck_assert_int_eq(schema->fields[2].kind, FLOE_ICE_TYPE_INT);
    const floe_ice_partition_spec *spec = floe_ice_default_partition_spec(metadata);
    ck_assert_uint_eq(spec->field_count, 1);
    ck_assert_int_eq(spec->fields[0].transform, FLOE_ICE_TRANSFORM_IDENTITY);
    ck_assert_int_eq(spec->fields[0].source_id, 2);
    ck_assert_int_eq(spec->fields[0].field_id, 1000);
    ck_assert_int_eq(metadata->last_partition_id, 1000);
    ck_assert_int_eq(floe_ice_ref_by_name(metadata, "main")->snapshot_id, 2456114553637229296LL);
    floe_ice_table_metadata_free(metadata);

    /* v1 with no snapshot yet, and no refs at all. */
    metadata = load("iceberg_v1_deprecated/default/legacy_v1/metadata/v1.metadata.json");
    ck_assert_int_eq(metadata->current_snapshot_id, -1);
    ck_assert_ptr_null(floe_ice_current_snapshot(metadata));
    ck_assert_uint_eq(metadata->ref_count, 0);
    floe_ice_table_metadata_free(metadata);
}
END_TEST

START_TEST(nested_types_load_and_name_mapping)
{
    floe_ice_table_metadata *metadata = load("column_mapping/warehouse/default.db/my_table/"
                                             "metadata/00001-75643dae-a7a7-46ae-ab30-"
                                             "ea80d3793f3f.metadata.json");
    ck_assert_int_eq(metadata->format_version, 2);
    ck_assert_int_eq(metadata->current_snapshot_id, 6154553663017965981LL);
    const floe_ice_schema *schema = floe_ice_current_schema(metadata);
    ck_assert_uint_eq(schema->field_count, 6);
    const floe_ice_field *attributes = floe_ice_field_by_name(schema, "attributes");
    ck_assert_int_eq(attributes->kind, FLOE_ICE_TYPE_NESTED);
    ck_assert_str_eq(attributes->type_text, "map");
    ck_assert_str_eq(floe_ice_field_by_name(schema, "scores")->type_text, "list");
    const floe_ice_field *profile = floe_ice_field_by_id(schema, 6);
    ck_assert_str_eq(profile->type_text, "struct");
    floe_type type;
    floe_error err;
    ck_assert_int_eq(floe_ice_field_floe_type(profile, &type, &err), FLOE_EUNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err.message, "profile"));
    ck_assert_ptr_nonnull(strstr(err.message, "nested"));
    ck_assert_int_eq(floe_ice_field_floe_type(floe_ice_field_by_name(schema, "age"), &type, &err),
                     FLOE_OK);
    ck_assert_int_eq(type.id, FLOE_TYPE_INT64);

    ck_assert_int_eq(floe_ice_name_mapping_lookup(metadata, "id"), 1);
    ck_assert_int_eq(floe_ice_name_mapping_lookup(metadata, "name"), 2);
    ck_assert_int_eq(floe_ice_name_mapping_lookup(metadata, "attributes"), 4);
    ck_assert_int_eq(floe_ice_name_mapping_lookup(metadata, "profile"), 6);
    ck_assert_int_eq(floe_ice_name_mapping_lookup(metadata, "email"), -1); /* nested: skipped */
    floe_ice_table_metadata_free(metadata);

    /* The table's first version: no current-snapshot-id at all. */
    metadata = load("column_mapping/warehouse/default.db/my_table/metadata/"
                    "00000-5d9111ed-e56c-4ceb-9040-09d3be71926b.metadata.json");
    ck_assert_int_eq(metadata->current_snapshot_id, -1);
    ck_assert_uint_eq(metadata->snapshot_count, 0);
    floe_ice_table_metadata_free(metadata);
}
END_TEST

START_TEST(v1_schemas_list_and_name_mapping)
{
    floe_ice_table_metadata *metadata = load("name_mapping/warehouse_1/mydb/t1/metadata/"
                                             "v7.metadata.json");
    ck_assert_int_eq(metadata->format_version, 1);
    ck_assert_uint_eq(metadata->schema_count, 3);
    ck_assert_int_eq(metadata->current_schema_id, 2);
    const floe_ice_schema *schema = floe_ice_current_schema(metadata);
    ck_assert_uint_eq(schema->field_count, 2);
    ck_assert_str_eq(schema->fields[0].name, "a");
    ck_assert(schema->fields[0].required);
    ck_assert_int_eq(schema->fields[0].kind, FLOE_ICE_TYPE_INT);
    ck_assert_int_eq(schema->fields[1].id, 3);
    ck_assert_int_eq(schema->fields[1].kind, FLOE_ICE_TYPE_LONG);
    ck_assert_uint_eq(floe_ice_schema_by_id(metadata, 1)->field_count, 1);
    ck_assert_ptr_null(floe_ice_schema_by_id(metadata, 3));
    ck_assert_uint_eq(metadata->snapshot_count, 2);
    ck_assert_str_eq(metadata->snapshots[1].operation, "replace");
    ck_assert_int_eq(metadata->snapshots[1].schema_id, 2);
    ck_assert_int_eq(metadata->current_snapshot_id, 2651609110244230974LL);
    ck_assert_ptr_nonnull(metadata->snapshots[0].manifest_list); /* v1 may use manifest-list */
    ck_assert(floe_ice_snapshot_is_ancestor(metadata, 6597550917742534971LL,
                                            2651609110244230974LL));
    ck_assert_int_eq(floe_ice_name_mapping_lookup(metadata, "a"), 1);
    ck_assert_int_eq(floe_ice_name_mapping_lookup(metadata, "b"), 3);
    ck_assert_uint_eq(metadata->metadata_log_count, 6);
    floe_ice_table_metadata_free(metadata);

    /* v1.metadata.json wraps its name mapping as a struct, with several names per field. */
    metadata = load("name_mapping/warehouse_1/mydb/t1/metadata/v1.metadata.json");
    ck_assert_int_eq(floe_ice_name_mapping_lookup(metadata, "col_a"), 1);
    ck_assert_int_eq(floe_ice_name_mapping_lookup(metadata, "B"), 2);
    ck_assert_int_eq(floe_ice_name_mapping_lookup(metadata, "c"), -1);
    floe_ice_table_metadata_free(metadata);
}
END_TEST

START_TEST(partitioned_and_delete_tables)
{
    floe_ice_table_metadata *metadata = load("partition_timestamp/default.db/partition_timestamp/"
                                             "metadata/00001-0c9938a5-103e-4185-b46d-"
                                             "331368ae4db7.metadata.json");
    const floe_ice_schema *schema = floe_ice_current_schema(metadata);
    ck_assert_int_eq(schema->fields[0].kind, FLOE_ICE_TYPE_TIMESTAMP);
    ck_assert(schema->fields[0].required);
    const floe_ice_partition_spec *spec = floe_ice_default_partition_spec(metadata);
    ck_assert_uint_eq(spec->field_count, 1);
    ck_assert_int_eq(spec->fields[0].transform, FLOE_ICE_TRANSFORM_IDENTITY);
    ck_assert_str_eq(spec->fields[0].name, "partition_col");
    ck_assert_int_eq(spec->fields[0].source_id, 1);
    floe_ice_table_metadata_free(metadata);

    metadata = load("partition_integer/metadata/v2.metadata.json");
    ck_assert_int_eq(floe_ice_current_schema(metadata)->fields[0].kind, FLOE_ICE_TYPE_INT);
    ck_assert_int_eq(floe_ice_default_partition_spec(metadata)->fields[0].field_id, 1000);
    ck_assert_int_eq(metadata->current_snapshot_id, 5470601323427916272LL);
    floe_ice_table_metadata_free(metadata);

    metadata = load("equality_deletes/warehouse/mydb/mytable/metadata/v7.metadata.json");
    static const char *const operations[] = {"append", "delete", "delete",
                                             "delete", "append", "delete"};
    ck_assert_uint_eq(metadata->snapshot_count, 6);
    for (size_t i = 0; i < 6; i++) {
        ck_assert_str_eq(metadata->snapshots[i].operation, operations[i]);
        ck_assert_int_eq(metadata->snapshots[i].sequence_number, (int64_t)i + 1);
    }
    ck_assert_int_eq(metadata->current_snapshot_id, 1916084761853986166LL);
    ck_assert(floe_ice_snapshot_is_ancestor(metadata, 853766660775201079LL,
                                            1916084761853986166LL));
    ck_assert_int_eq(floe_ice_current_schema(metadata)->fields[2].kind, FLOE_ICE_TYPE_DATE);
    floe_ice_table_metadata_free(metadata);

    metadata = load("equality_deletes/warehouse/mydb/mytable_partitioned/metadata/"
                    "v1.metadata.json");
    ck_assert_int_eq(metadata->current_snapshot_id, -1);
    ck_assert_uint_eq(metadata->ref_count, 0);
    ck_assert_int_eq(metadata->last_sequence_number, 0);
    floe_ice_table_metadata_free(metadata);
}
END_TEST

/* ---- every file: parse, write, parse again ---------------------------------------------- */

static char found_files[64][1024];
static size_t found_count;

static int collect_metadata(const char *path, const struct stat *info, int kind,
                            struct FTW *walk)
{
    (void)info;
    (void)walk;
    size_t length = strlen(path);
    if (kind == FTW_F && length > 14 && strcmp(path + length - 14, ".metadata.json") == 0 &&
        found_count < 64)
        snprintf(found_files[found_count++], 1024, "%s", path);
    return 0;
}

static void collect_all(void)
{
    found_count = 0;
    char root[1024];
    snprintf(root, sizeof root, "%s/iceberg", data_root());
    ck_assert_int_eq(nftw(root, collect_metadata, 16, FTW_PHYS), 0);
}

static void assert_same_model(const floe_ice_table_metadata *a, const floe_ice_table_metadata *b,
                              const char *name)
{
#define SAME_INT(x) ck_assert_msg((a->x) == (b->x), "%s: %s differs", name, #x)
#define SAME_STR(x)                                                                          \
    ck_assert_msg(((a->x) == NULL && (b->x) == NULL) ||                                      \
                      ((a->x) != NULL && (b->x) != NULL && strcmp((a->x), (b->x)) == 0),     \
                  "%s: %s differs", name, #x)
    SAME_STR(table_uuid);
    SAME_STR(location);
    SAME_INT(last_sequence_number);
    SAME_INT(last_updated_ms);
    SAME_INT(last_column_id);
    SAME_INT(current_schema_id);
    SAME_INT(schema_count);
    for (size_t i = 0; i < a->schema_count; i++) {
        SAME_INT(schemas[i].schema_id);
        SAME_INT(schemas[i].field_count);
        SAME_INT(schemas[i].identifier_field_count);
        for (size_t j = 0; j < a->schemas[i].identifier_field_count; j++)
            SAME_INT(schemas[i].identifier_field_ids[j]);
        for (size_t j = 0; j < a->schemas[i].field_count; j++) {
            SAME_INT(schemas[i].fields[j].id);
            SAME_STR(schemas[i].fields[j].name);
            SAME_INT(schemas[i].fields[j].required);
            SAME_INT(schemas[i].fields[j].kind);
            SAME_INT(schemas[i].fields[j].precision);
            SAME_INT(schemas[i].fields[j].scale);
            SAME_INT(schemas[i].fields[j].length);
            SAME_STR(schemas[i].fields[j].type_text);
            SAME_STR(schemas[i].fields[j].nested_json);
            SAME_STR(schemas[i].fields[j].doc);
        }
    }
    SAME_INT(default_spec_id);
    SAME_INT(last_partition_id);
    SAME_INT(partition_spec_count);
    for (size_t i = 0; i < a->partition_spec_count; i++) {
        SAME_INT(partition_specs[i].spec_id);
        SAME_INT(partition_specs[i].field_count);
        for (size_t j = 0; j < a->partition_specs[i].field_count; j++) {
            SAME_INT(partition_specs[i].fields[j].source_id);
            SAME_INT(partition_specs[i].fields[j].field_id);
            SAME_STR(partition_specs[i].fields[j].name);
            SAME_INT(partition_specs[i].fields[j].transform);
            SAME_INT(partition_specs[i].fields[j].parameter);
            SAME_STR(partition_specs[i].fields[j].transform_text);
        }
    }
    SAME_INT(default_sort_order_id);
    SAME_INT(sort_order_count);
    for (size_t i = 0; i < a->sort_order_count; i++) {
        SAME_INT(sort_orders[i].order_id);
        SAME_INT(sort_orders[i].field_count);
        for (size_t j = 0; j < a->sort_orders[i].field_count; j++) {
            SAME_STR(sort_orders[i].fields[j].transform_text);
            SAME_INT(sort_orders[i].fields[j].source_id);
            SAME_INT(sort_orders[i].fields[j].descending);
            SAME_INT(sort_orders[i].fields[j].nulls_first);
        }
    }
    SAME_INT(property_count);
    for (size_t i = 0; i < a->property_count; i++) {
        SAME_STR(properties[i].key);
        SAME_STR(properties[i].value);
    }
    SAME_INT(current_snapshot_id);
    SAME_INT(snapshot_count);
    for (size_t i = 0; i < a->snapshot_count; i++) {
        SAME_INT(snapshots[i].snapshot_id);
        SAME_INT(snapshots[i].parent_snapshot_id);
        SAME_INT(snapshots[i].sequence_number);
        SAME_INT(snapshots[i].timestamp_ms);
        SAME_STR(snapshots[i].manifest_list);
        SAME_INT(snapshots[i].manifest_count);
        SAME_STR(snapshots[i].operation);
        SAME_INT(snapshots[i].schema_id);
        SAME_INT(snapshots[i].summary_count);
        for (size_t j = 0; j < a->snapshots[i].summary_count; j++) {
            SAME_STR(snapshots[i].summary[j].key);
            SAME_STR(snapshots[i].summary[j].value);
        }
    }
    SAME_INT(ref_count);
    for (size_t i = 0; i < a->ref_count; i++) {
        const floe_ice_ref *other = floe_ice_ref_by_name(b, a->refs[i].name);
        ck_assert_msg(other != NULL, "%s: ref %s lost", name, a->refs[i].name);
        ck_assert_int_eq(other->snapshot_id, a->refs[i].snapshot_id);
        ck_assert_int_eq(other->type, a->refs[i].type);
        ck_assert_int_eq(other->min_snapshots_to_keep, a->refs[i].min_snapshots_to_keep);
        ck_assert_int_eq(other->max_snapshot_age_ms, a->refs[i].max_snapshot_age_ms);
        ck_assert_int_eq(other->max_ref_age_ms, a->refs[i].max_ref_age_ms);
    }
    SAME_INT(snapshot_log_count);
    for (size_t i = 0; i < a->snapshot_log_count; i++) {
        SAME_INT(snapshot_log[i].timestamp_ms);
        SAME_INT(snapshot_log[i].snapshot_id);
    }
    SAME_INT(metadata_log_count);
    for (size_t i = 0; i < a->metadata_log_count; i++) {
        SAME_INT(metadata_log[i].timestamp_ms);
        SAME_STR(metadata_log[i].metadata_file);
    }
    SAME_INT(name_mapping_count);
    for (size_t i = 0; i < a->name_mapping_count; i++) {
        SAME_STR(name_mapping[i].name);
        SAME_INT(name_mapping[i].field_id);
    }
#undef SAME_INT
#undef SAME_STR
}

/* The written document, checked with jansson directly: every field v2 requires is there. */
static void assert_v2_fields(const char *json, size_t size, const char *name)
{
    static const char *const required[] = {
        "format-version", "table-uuid",        "location",         "last-sequence-number",
        "last-updated-ms", "last-column-id",   "schemas",          "current-schema-id",
        "partition-specs", "default-spec-id",  "last-partition-id", "sort-orders",
        "default-sort-order-id", "properties", "current-snapshot-id", "snapshots", "refs",
        "snapshot-log", "metadata-log"};
    json_t *root = json_loadb(json, size, 0, NULL);
    ck_assert_msg(root != NULL, "%s: written JSON does not parse", name);
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        ck_assert_msg(json_object_get(root, required[i]) != NULL, "%s: written JSON lacks %s",
                      name, required[i]);
    ck_assert_int_eq(json_integer_value(json_object_get(root, "format-version")), 2);
    ck_assert_ptr_null(json_object_get(root, "schema"));
    ck_assert_ptr_null(json_object_get(root, "partition-spec"));
    json_t *snapshots = json_object_get(root, "snapshots");
    for (size_t i = 0; i < json_array_size(snapshots); i++) {
        json_t *snapshot = json_array_get(snapshots, i);
        ck_assert(json_is_integer(json_object_get(snapshot, "sequence-number")));
        ck_assert(json_is_string(json_object_get(snapshot, "manifest-list")));
        ck_assert(json_is_string(json_object_get(json_object_get(snapshot, "summary"),
                                                 "operation")));
    }
    json_t *current = json_object_get(root, "current-snapshot-id");
    if (json_integer_value(current) != -1) {
        json_t *main_ref = json_object_get(json_object_get(root, "refs"), "main");
        ck_assert_ptr_nonnull(main_ref);
        ck_assert_int_eq(json_integer_value(json_object_get(main_ref, "snapshot-id")),
                         json_integer_value(current));
    }
    json_decref(root);
}

START_TEST(every_fixture_round_trips_as_v2)
{
    collect_all();
    ck_assert_uint_ge(found_count, 30); /* 34 files at the time of writing */
    size_t round_tripped = 0, v1_manifest_lists = 0;
    for (size_t i = 0; i < found_count; i++) {
        floe_error err;
        floe_ice_table_metadata *first = NULL, *second = NULL;
        ck_assert_msg(floe_ice_table_metadata_read_file(found_files[i], &first, &err) == FLOE_OK,
                      "%s", err.message);
        char *json = NULL;
        size_t size = 0;
        int status = floe_ice_table_metadata_write_json(first, &json, &size, &err);
        if (status == FLOE_EUNSUPPORTED) {
            /* Only a v1 snapshot with a "manifests" list and no manifest list. */
            ck_assert_int_eq(first->format_version, 1);
            ck_assert_ptr_nonnull(strstr(err.message, "manifest list"));
            ck_assert_ptr_nonnull(strstr(found_files[i], "legacy_v1/metadata/v2.metadata.json"));
            v1_manifest_lists++;
            floe_ice_table_metadata_free(first);
            continue;
        }
        ck_assert_msg(status == FLOE_OK, "%s: %s", found_files[i], err.message);
        ck_assert_uint_eq(strlen(json), size);
        assert_v2_fields(json, size, found_files[i]);
        status = floe_ice_table_metadata_parse(json, size, "written", &second, &err);
        ck_assert_msg(status == FLOE_OK, "%s rewritten: %s", found_files[i], err.message);
        ck_assert_int_eq(second->format_version, 2);
        assert_same_model(first, second, found_files[i]);
        /* Writing the re-read model gives the same bytes: the writer is deterministic. */
        char *again = NULL;
        size_t again_size = 0;
        ck_assert_int_eq(floe_ice_table_metadata_write_json(second, &again, &again_size, &err),
                         FLOE_OK);
        ck_assert_uint_eq(again_size, size);
        ck_assert_int_eq(memcmp(again, json, size), 0);
        floe_free(again);
        floe_free(json);
        floe_ice_table_metadata_free(first);
        floe_ice_table_metadata_free(second);
        round_tripped++;
    }
    ck_assert_uint_eq(v1_manifest_lists, 1);
    ck_assert_uint_eq(round_tripped, found_count - 1);
}
END_TEST

/* ---- gzip ------------------------------------------------------------------------------- */

static char temporary_directory[256];

static void make_temporary_directory(void)
{
    snprintf(temporary_directory, sizeof temporary_directory, "/tmp/floe-ice-meta-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(temporary_directory));
}

static int remove_entry(const char *path, const struct stat *info, int kind, struct FTW *walk)
{
    (void)info;
    (void)kind;
    (void)walk;
    return remove(path);
}

static void remove_temporary_directory(void)
{
    nftw(temporary_directory, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_gzip(const char *path, const char *data, size_t size)
{
    gzFile file = gzopen(path, "wb9");
    ck_assert_ptr_nonnull(file);
    ck_assert_int_eq(gzwrite(file, data, (unsigned)size), (int)size);
    ck_assert_int_eq(gzclose(file), Z_OK);
}

START_TEST(gzip_metadata_reads_back)
{
    make_temporary_directory();
    size_t size;
    char *plain = slurp(fixture("lineitem_iceberg/metadata/v2.metadata.json"), &size);
    char path[512];
    snprintf(path, sizeof path, "%s/v2.gz.metadata.json", temporary_directory);
    write_gzip(path, plain, size);

    floe_error err;
    floe_ice_table_metadata *from_gzip = NULL, *from_plain = NULL;
    ck_assert_msg(floe_ice_table_metadata_read_file(path, &from_gzip, &err) == FLOE_OK, "%s",
                  err.message);
    ck_assert_int_eq(floe_ice_table_metadata_parse(plain, size, "plain", &from_plain, &err),
                     FLOE_OK);
    assert_same_model(from_plain, from_gzip, "gzip");
    floe_ice_table_metadata_free(from_gzip);

    /* Truncated gzip: an error, not a crash and not a partial parse. */
    size_t compressed_size;
    char *compressed = slurp(path, &compressed_size);
    char truncated_path[512];
    snprintf(truncated_path, sizeof truncated_path, "%s/cut.metadata.json", temporary_directory);
    for (size_t cut = 1; cut < compressed_size; cut += compressed_size / 17 + 1) {
        FILE *file = fopen(truncated_path, "wb");
        fwrite(compressed, 1, cut, file);
        fclose(file);
        floe_ice_table_metadata *metadata = NULL;
        int status = floe_ice_table_metadata_read_file(truncated_path, &metadata, &err);
        ck_assert_msg(status == FLOE_ECORRUPT, "cut at %zu: %d", cut, status);
        ck_assert_ptr_nonnull(strstr(err.message, "cut.metadata.json"));
        ck_assert_ptr_null(metadata);
    }
    /* A damaged body. */
    compressed[compressed_size / 2] ^= 0x55;
    FILE *file = fopen(truncated_path, "wb");
    fwrite(compressed, 1, compressed_size, file);
    fclose(file);
    floe_ice_table_metadata *metadata = NULL;
    ck_assert_int_eq(floe_ice_table_metadata_read_file(truncated_path, &metadata, &err),
                     FLOE_ECORRUPT);

    /* Missing file: -ENOENT with the path. */
    snprintf(path, sizeof path, "%s/absent.metadata.json", temporary_directory);
    ck_assert_int_eq(floe_ice_table_metadata_read_file(path, &metadata, &err), -2);
    ck_assert_ptr_nonnull(strstr(err.message, "absent.metadata.json"));

    free(compressed);
    free(plain);
    floe_ice_table_metadata_free(from_plain);
    remove_temporary_directory();
}
END_TEST

/* ---- builders --------------------------------------------------------------------------- */

START_TEST(builders_make_a_valid_v2_table)
{
    floe_ice_new_column columns[] = {
        {"id", floe_type_make(FLOE_TYPE_INT64), 1, 0, NULL},
        {"region", floe_type_make(FLOE_TYPE_STRING), 0, 0, "sales region"},
        {"amount", floe_type_decimal(12, 2), 0, 0, NULL},
        {"ts", floe_type_make(FLOE_TYPE_TIMESTAMPTZ), 0, 0, NULL},
        {"day", floe_type_make(FLOE_TYPE_DATE), 0, 0, NULL},
    };
    floe_error err;
    floe_ice_table_metadata *metadata = NULL;
    ck_assert_int_eq(floe_ice_table_metadata_create("/lake/silver/sales", columns, 5,
                                                    1700000000000LL, &metadata, &err),
                     FLOE_OK);
    ck_assert_int_eq(metadata->format_version, 2);
    ck_assert_uint_eq(strlen(metadata->table_uuid), 36);
    ck_assert_int_eq(metadata->table_uuid[14], '4');
    ck_assert_int_eq(metadata->last_column_id, 5);
    ck_assert_int_eq(metadata->current_snapshot_id, -1);

    char *json = NULL;
    size_t size = 0;
    ck_assert_int_eq(floe_ice_table_metadata_write_json(metadata, &json, &size, &err), FLOE_OK);
    assert_v2_fields(json, size, "new table");
    ck_assert_ptr_nonnull(strstr(json, "\"decimal(12, 2)\""));
    ck_assert_ptr_nonnull(strstr(json, "\"timestamptz\""));
    ck_assert_ptr_nonnull(strstr(json, "\"sales region\""));
    floe_free(json);

    floe_ice_property summary[] = {{"added-records", "3"}, {"operation", "ignored"}};
    floe_ice_new_snapshot first = {111, -1, 0, 1700000001000LL, "/lake/silver/sales/metadata/"
                                   "snap-111.avro", "append", summary, 2};
    ck_assert_int_eq(floe_ice_table_metadata_add_snapshot(metadata, &first, &err), FLOE_OK);
    floe_ice_new_snapshot second = {222, 111, 0, 1700000002000LL, "/lake/silver/sales/metadata/"
                                    "snap-222.avro", "overwrite", NULL, 0};
    ck_assert_int_eq(floe_ice_table_metadata_add_snapshot(metadata, &second, &err), FLOE_OK);
    /* Refused: a taken id, a sequence number that does not advance. */
    ck_assert_int_eq(floe_ice_table_metadata_add_snapshot(metadata, &second, &err), FLOE_EINVAL);
    floe_ice_new_snapshot stale = {333, 222, 2, 1700000003000LL, "x.avro", "append", NULL, 0};
    ck_assert_int_eq(floe_ice_table_metadata_add_snapshot(metadata, &stale, &err), FLOE_EINVAL);
    ck_assert_int_eq(floe_ice_table_metadata_set_property(metadata, "floe.sql", "SELECT 1", &err),
                     FLOE_OK);
    ck_assert_int_eq(floe_ice_table_metadata_set_property(metadata, "floe.sql", "SELECT 2", &err),
                     FLOE_OK);
    ck_assert_int_eq(floe_ice_table_metadata_set_property(
                         metadata, "schema.name-mapping.default",
                         "[{\"field-id\": 2, \"names\": [\"region\", \"area\"]}]", &err),
                     FLOE_OK);
    ck_assert_int_eq(floe_ice_table_metadata_set_property(metadata, "schema.name-mapping.default",
                                                          "[{\"names\": 3}]", &err),
                     FLOE_EINVAL);
    ck_assert_int_eq(floe_ice_table_metadata_append_metadata_log(
                         metadata, 1700000001500LL, "/lake/silver/sales/metadata/v1.metadata.json",
                         &err),
                     FLOE_OK);

    ck_assert_int_eq(floe_ice_table_metadata_write_json(metadata, &json, &size, &err), FLOE_OK);
    assert_v2_fields(json, size, "after snapshots");
    floe_ice_table_metadata *reread = NULL;
    ck_assert_msg(floe_ice_table_metadata_parse(json, size, "built", &reread, &err) == FLOE_OK,
                  "%s", err.message);
    assert_same_model(metadata, reread, "built");
    ck_assert_int_eq(reread->current_snapshot_id, 222);
    ck_assert_int_eq(reread->last_sequence_number, 2);
    ck_assert_int_eq(reread->last_updated_ms, 1700000002000LL);
    ck_assert_uint_eq(reread->snapshot_log_count, 2);
    ck_assert_int_eq(floe_ice_ref_by_name(reread, "main")->snapshot_id, 222);
    const floe_ice_snapshot *snapshot = floe_ice_snapshot_by_id(reread, 111);
    ck_assert_str_eq(snapshot->operation, "append");
    ck_assert_uint_eq(snapshot->summary_count, 2);
    ck_assert_str_eq(snapshot->summary[0].key, "operation");
    ck_assert_int_eq(snapshot->sequence_number, 1);
    ck_assert_int_eq(snapshot->schema_id, 0);
    ck_assert(floe_ice_snapshot_is_ancestor(reread, 111, 222));
    ck_assert_str_eq(floe_ice_property_get(reread, "floe.sql"), "SELECT 2");
    ck_assert_int_eq(floe_ice_name_mapping_lookup(reread, "area"), 2);
    const floe_ice_field *amount = floe_ice_field_by_name(floe_ice_current_schema(reread),
                                                          "amount");
    floe_type type;
    ck_assert_int_eq(floe_ice_field_floe_type(amount, &type, &err), FLOE_OK);
    ck_assert(floe_type_equal(type, floe_type_decimal(12, 2)));
    ck_assert_int_eq(floe_ice_field_by_name(floe_ice_current_schema(reread), "id")->required, 1);
    floe_free(json);
    floe_ice_table_metadata_free(reread);
    floe_ice_table_metadata_free(metadata);

    /* Bad columns. */
    floe_ice_new_column duplicate[] = {{"a", floe_type_make(FLOE_TYPE_INT32), 0, 0, NULL},
                                       {"a", floe_type_make(FLOE_TYPE_INT32), 0, 0, NULL}};
    ck_assert_int_eq(floe_ice_table_metadata_create("/x", duplicate, 2, 0, &metadata, &err),
                     FLOE_EINVAL);
    floe_ice_new_column explicit_ids[] = {{"a", floe_type_make(FLOE_TYPE_INT32), 0, 2, NULL},
                                          {"b", floe_type_make(FLOE_TYPE_INT32), 0, 0, NULL},
                                          {"c", floe_type_make(FLOE_TYPE_INT32), 0, 0, NULL}};
    ck_assert_int_eq(floe_ice_table_metadata_create("/x", explicit_ids, 3, 0, &metadata, &err),
                     FLOE_OK);
    ck_assert_int_eq(metadata->schemas[0].fields[1].id, 1);
    ck_assert_int_eq(metadata->schemas[0].fields[2].id, 3);
    ck_assert_int_eq(metadata->last_column_id, 3);
    floe_ice_table_metadata_free(metadata);

    char uuid_a[37], uuid_b[37];
    ck_assert_int_eq(floe_ice_random_uuid(uuid_a, NULL), FLOE_OK);
    ck_assert_int_eq(floe_ice_random_uuid(uuid_b, NULL), FLOE_OK);
    ck_assert_str_ne(uuid_a, uuid_b);
    int64_t id;
    ck_assert_int_eq(floe_ice_random_snapshot_id(&id, NULL), FLOE_OK);
    ck_assert_int_gt(id, 0);
}
END_TEST

/* ---- malformed input -------------------------------------------------------------------- */

static const char base_document[] =
    "{\"format-version\": 2, \"table-uuid\": \"9c12d441-03fe-4693-9a96-a0705ddf69c1\","
    " \"location\": \"/lake/t\", \"last-sequence-number\": 2, \"last-updated-ms\": 1000,"
    " \"last-column-id\": 3, \"current-schema-id\": 0,"
    " \"schemas\": [{\"type\": \"struct\", \"schema-id\": 0, \"fields\": ["
    "   {\"id\": 1, \"name\": \"id\", \"required\": true, \"type\": \"long\"},"
    "   {\"id\": 2, \"name\": \"price\", \"required\": false, \"type\": \"decimal(9,2)\"},"
    "   {\"id\": 3, \"name\": \"ts\", \"required\": false, \"type\": \"timestamptz\"}]}],"
    " \"default-spec-id\": 0, \"partition-specs\": [{\"spec-id\": 0, \"fields\": ["
    "   {\"name\": \"ts_day\", \"transform\": \"day\", \"source-id\": 3, \"field-id\": 1000},"
    "   {\"name\": \"id_bucket\", \"transform\": \"bucket[16]\", \"source-id\": 1,"
    "    \"field-id\": 1001}]}],"
    " \"last-partition-id\": 1001, \"default-sort-order-id\": 0,"
    " \"sort-orders\": [{\"order-id\": 0, \"fields\": []}],"
    " \"properties\": {\"owner\": \"floe\"},"
    " \"current-snapshot-id\": 20,"
    " \"refs\": {\"main\": {\"snapshot-id\": 20, \"type\": \"branch\"},"
    "            \"v1\": {\"snapshot-id\": 10, \"type\": \"tag\", \"max-ref-age-ms\": 5}},"
    " \"snapshots\": ["
    "   {\"sequence-number\": 1, \"snapshot-id\": 10, \"timestamp-ms\": 900,"
    "    \"summary\": {\"operation\": \"append\"}, \"manifest-list\": \"/lake/t/m1.avro\"},"
    "   {\"sequence-number\": 2, \"snapshot-id\": 20, \"parent-snapshot-id\": 10,"
    "    \"timestamp-ms\": 1000, \"summary\": {\"operation\": \"delete\"},"
    "    \"manifest-list\": \"/lake/t/m2.avro\", \"schema-id\": 0}],"
    " \"snapshot-log\": [], \"metadata-log\": []}";

static char *replace_once(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    ck_assert_msg(at != NULL, "test bug: '%s' not in the base document", from);
    size_t before = (size_t)(at - text), from_length = strlen(from), to_length = strlen(to);
    char *result = malloc(strlen(text) - from_length + to_length + 1);
    memcpy(result, text, before);
    memcpy(result + before, to, to_length);
    strcpy(result + before + to_length, at + from_length);
    return result;
}

START_TEST(base_document_parses)
{
    floe_error err;
    floe_ice_table_metadata *metadata = NULL;
    ck_assert_msg(floe_ice_table_metadata_parse(base_document, strlen(base_document), "base",
                                                &metadata, &err) == FLOE_OK,
                  "%s", err.message);
    const floe_ice_partition_spec *spec = floe_ice_default_partition_spec(metadata);
    ck_assert_int_eq(spec->fields[0].transform, FLOE_ICE_TRANSFORM_DAY);
    ck_assert_int_eq(spec->fields[1].transform, FLOE_ICE_TRANSFORM_BUCKET);
    ck_assert_int_eq(spec->fields[1].parameter, 16);
    const floe_ice_ref *tag = floe_ice_ref_by_name(metadata, "v1");
    ck_assert_int_eq(tag->type, FLOE_ICE_REF_TAG);
    ck_assert_int_eq(tag->max_ref_age_ms, 5);
    ck_assert_int_eq(tag->min_snapshots_to_keep, -1);
    ck_assert_int_eq(floe_ice_current_schema(metadata)->fields[1].precision, 9);
    floe_ice_table_metadata_free(metadata);

    /* A schema without columns is valid (found by the fuzzer: qsort of no ids). */
    static const char empty_schema[] =
        "{\"format-version\": 1, \"location\": \"/t\", \"last-updated-ms\": 1,"
        " \"last-column-id\": 0, \"schema\": {\"type\": \"struct\", \"fields\": []},"
        " \"partition-spec\": []}";
    ck_assert_msg(floe_ice_table_metadata_parse(empty_schema, strlen(empty_schema), "empty",
                                                &metadata, &err) == FLOE_OK,
                  "%s", err.message);
    ck_assert_uint_eq(floe_ice_current_schema(metadata)->field_count, 0);
    ck_assert_int_eq(metadata->last_partition_id, 999);
    ck_assert_int_eq(metadata->sort_orders[0].order_id, 0);
    ck_assert_ptr_null(metadata->table_uuid);
    char *json = NULL;
    size_t size = 0;
    ck_assert_int_eq(floe_ice_table_metadata_write_json(metadata, &json, &size, &err),
                     FLOE_EINVAL); /* v2 needs a table-uuid */
    floe_ice_table_metadata_free(metadata);
}
END_TEST

typedef struct bad_case {
    const char *from;
    const char *to;
    int status;
    const char *message; /* must appear in the error */
} bad_case;

static const bad_case bad_cases[] = {
    {"\"format-version\": 2", "\"format-version\": \"2\"", FLOE_ECORRUPT,
     "format-version: expected an integer"},
    {"\"format-version\": 2", "\"format-version\": 7", FLOE_ECORRUPT, "unknown format version 7"},
    {"\"format-version\": 2", "\"format-version\": 0", FLOE_ECORRUPT, "unknown format version"},
    {"\"format-version\": 2", "\"format-version\": 3", FLOE_EUNSUPPORTED, "format-version 3"},
    {"\"format-version\": 2,", "", FLOE_ECORRUPT, "format-version: missing required field"},
    {"\"manifest-list\": \"/lake/t/m2.avro\"", "\"manifest-list\": 5", FLOE_ECORRUPT,
     "snapshots[1].manifest-list: expected a string"},
    {", \"manifest-list\": \"/lake/t/m1.avro\"", "", FLOE_ECORRUPT,
     "snapshots[0].manifest-list: missing required field"},
    {"\"location\": \"/lake/t\",", "", FLOE_ECORRUPT, "location: missing required field"},
    {"\"table-uuid\": \"9c12d441-03fe-4693-9a96-a0705ddf69c1\",", "", FLOE_ECORRUPT,
     "table-uuid: missing required field"},
    {"\"current-snapshot-id\": 20", "\"current-snapshot-id\": 30", FLOE_ECORRUPT,
     "current-snapshot-id: no snapshot has id 30"},
    {"\"snapshot-id\": 20, \"parent", "\"snapshot-id\": 10, \"parent", FLOE_ECORRUPT,
     "snapshot-id 10 is used twice"},
    {"\"id\": 3, \"name\": \"ts\"", "\"id\": 2, \"name\": \"ts\"", FLOE_ECORRUPT,
     "field id 2 is used twice"},
    {"\"name\": \"ts\"", "\"name\": \"id\"", FLOE_ECORRUPT, "column name 'id' is used twice"},
    {"\"snapshot-id\": 10, \"timestamp-ms\"",
     "\"snapshot-id\": 99999999999999999999999999, \"timestamp-ms\"", FLOE_ECORRUPT,
     "invalid JSON"},
    {"\"last-column-id\": 3", "\"last-column-id\": 3000000000", FLOE_ECORRUPT,
     "last-column-id: 3000000000 is out of range"},
    {"\"last-column-id\": 3", "\"last-column-id\": 3.5", FLOE_ECORRUPT,
     "last-column-id: expected an integer"},
    {"\"decimal(9,2)\"", "\"decimal(40,2)\"", FLOE_ECORRUPT,
     "schemas[0].fields[1].type: unknown type 'decimal(40,2)'"},
    {"\"decimal(9,2)\"", "\"decimal(9,12)\"", FLOE_ECORRUPT, "unknown type"},
    {"\"decimal(9,2)\"", "\"varchar\"", FLOE_ECORRUPT, "unknown type 'varchar'"},
    {"\"decimal(9,2)\"", "{\"type\": \"list\", \"element-id\": 1, \"element-required\": true,"
                         " \"element\": \"int\"}",
     FLOE_ECORRUPT, "field id 1 is used twice"},
    {"\"decimal(9,2)\"", "{\"type\": \"set\"}", FLOE_ECORRUPT, "unknown nested type 'set'"},
    {"\"bucket[16]\"", "\"bucket[0]\"", FLOE_ECORRUPT,
     "partition-specs[0].fields[1].transform: bad transform 'bucket[0]'"},
    {"\"source-id\": 3,", "\"source-id\": \"3\",", FLOE_ECORRUPT,
     "partition-specs[0].fields[0].source-id: expected an integer"},
    {"\"default-spec-id\": 0", "\"default-spec-id\": 4", FLOE_ECORRUPT,
     "default-spec-id: no partition spec has id 4"},
    {"\"current-schema-id\": 0", "\"current-schema-id\": 1", FLOE_ECORRUPT,
     "current-schema-id: no schema has id 1"},
    {"\"main\": {\"snapshot-id\": 20", "\"main\": {\"snapshot-id\": 10", FLOE_ECORRUPT,
     "refs.main: snapshot-id 10 differs from current-snapshot-id 20"},
    {"\"type\": \"tag\"", "\"type\": \"label\"", FLOE_ECORRUPT,
     "refs.v1: type must be branch or tag"},
    {"\"v1\": {\"snapshot-id\": 10", "\"v1\": {\"snapshot-id\": 11", FLOE_ECORRUPT,
     "refs.v1: no snapshot has id 11"},
    {"{\"operation\": \"delete\"}", "{\"added-files\": \"1\"}", FLOE_ECORRUPT,
     "snapshots[1].summary: missing required field operation"},
    {"{\"operation\": \"delete\"}", "{\"operation\": 1}", FLOE_ECORRUPT,
     "snapshots[1].summary.operation: expected a string"},
    {"{\"owner\": \"floe\"}", "{\"owner\": null}", FLOE_ECORRUPT,
     "properties.owner: expected a string"},
    {"{\"owner\": \"floe\"}", "{\"schema.name-mapping.default\": \"[{\\\"names\\\": 5}]\"}",
     FLOE_ECORRUPT, "properties.schema.name-mapping.default: [0].names: expected an array"},
    {"{\"owner\": \"floe\"}", "{\"schema.name-mapping.default\": \"[{\"}", FLOE_ECORRUPT,
     "name-mapping.default: column"},
    {"\"snapshot-log\": []", "\"snapshot-log\": [{\"timestamp-ms\": 1}]", FLOE_ECORRUPT,
     "snapshot-log[0].snapshot-id: missing required field"},
    {"\"metadata-log\": []", "\"metadata-log\": {}", FLOE_ECORRUPT,
     "metadata-log: expected an array"},
    {"\"sort-orders\": [{\"order-id\": 0, \"fields\": []}]",
     "\"sort-orders\": [{\"order-id\": 0, \"fields\": [{\"transform\": \"identity\","
     " \"source-id\": 1, \"direction\": \"up\", \"null-order\": \"nulls-last\"}]}]",
     FLOE_ECORRUPT, "sort-orders[0].fields[0]: direction must be asc or desc"},
    {"\"properties\"", "\"location\": \"/again\", \"properties\"", FLOE_ECORRUPT,
     "duplicate object key"},
    {"\"schemas\": [", "\"schemas\": 5, \"x\": [", FLOE_ECORRUPT, "schemas: expected an array"},
};

START_TEST(malformed_documents_are_corrupt)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *bad = &bad_cases[i];
        char *document = replace_once(base_document, bad->from, bad->to);
        floe_error err;
        floe_error_clear(&err);
        floe_ice_table_metadata *metadata = NULL;
        int status = floe_ice_table_metadata_parse(document, strlen(document), "bad.json",
                                                   &metadata, &err);
        ck_assert_msg(status == bad->status, "case %zu (%s): status %d, message '%s'", i,
                      bad->to, status, err.message);
        ck_assert_ptr_null(metadata);
        ck_assert_msg(strstr(err.message, bad->message) != NULL,
                      "case %zu: message '%s' lacks '%s'", i, err.message, bad->message);
        ck_assert_msg(strncmp(err.message, "bad.json: ", 10) == 0, "case %zu: '%s'", i,
                      err.message);
        free(document);
    }
}
END_TEST

START_TEST(other_malformed_inputs)
{
    floe_error err;
    floe_ice_table_metadata *metadata = NULL;
    ck_assert_int_eq(floe_ice_table_metadata_parse("", 0, "empty", &metadata, &err),
                     FLOE_ECORRUPT);
    ck_assert_int_eq(floe_ice_table_metadata_parse("[1, 2]", 6, "array", &metadata, &err),
                     FLOE_ECORRUPT);
    ck_assert_str_eq(err.message, "array: (top level): expected an object");
    ck_assert_int_eq(floe_ice_table_metadata_parse("{\"a\": \"\\u0000\"}", 15, "nul", &metadata,
                                                   &err),
                     FLOE_ECORRUPT);

    /* Deep JSON nesting: jansson's depth limit, reported as corrupt. */
    size_t depth = 100000;
    char *deep = malloc(2 * depth + 1);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    deep[2 * depth] = '\0';
    ck_assert_int_eq(floe_ice_table_metadata_parse(deep, 2 * depth, "deep", &metadata, &err),
                     FLOE_ECORRUPT);
    free(deep);

    /* Deeply nested types (within jansson's limit, past Floe's). */
    char *nested_type = malloc(100 * 200 + 64);
    nested_type[0] = '\0';
    for (int i = 0; i < 200; i++) {
        char piece[80];
        snprintf(piece, sizeof piece, "{\"type\": \"list\", \"element-id\": %d, "
                 "\"element-required\": true, \"element\": ", 100 + i);
        strcat(nested_type, piece);
    }
    strcat(nested_type, "\"int\"");
    for (int i = 0; i < 200; i++) strcat(nested_type, "}");
    char *document = replace_once(base_document, "\"decimal(9,2)\"", nested_type);
    ck_assert_int_eq(floe_ice_table_metadata_parse(document, strlen(document), "nested",
                                                   &metadata, &err),
                     FLOE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "nested deeper"));
    free(document);
    free(nested_type);
}
END_TEST

START_TEST(every_prefix_of_a_file_is_corrupt)
{
    size_t size;
    char *data = slurp(fixture("partition_timestamp/default.db/partition_timestamp/metadata/"
                               "00000-2ab6be45-b073-41d6-b744-e76ba42a2630.metadata.json"),
                       &size);
    for (size_t length = 0; length < size; length++) {
        /* Trailing whitespace is the only prefix that could still be whole. */
        int only_space_left = 1;
        for (size_t i = length; i < size; i++)
            only_space_left &= data[i] == ' ' || data[i] == '\n' || data[i] == '\r';
        if (only_space_left) continue;
        char *copy = malloc(length + 1);
        memcpy(copy, data, length);
        floe_error err;
        floe_error_clear(&err);
        floe_ice_table_metadata *metadata = NULL;
        int status = floe_ice_table_metadata_parse(copy, length, "prefix", &metadata, &err);
        ck_assert_msg(status == FLOE_ECORRUPT, "prefix %zu: status %d", length, status);
        ck_assert_ptr_null(metadata);
        ck_assert(err.message[0] != '\0');
        free(copy);
    }
    floe_ice_table_metadata *metadata = NULL;
    ck_assert_int_eq(floe_ice_table_metadata_parse(data, size, "whole", &metadata, NULL), FLOE_OK);
    floe_ice_table_metadata_free(metadata);
    free(data);
}
END_TEST

/* ---- allocation failures ---------------------------------------------------------------- */

static void parse_under_failures(const char *json, size_t size)
{
    int succeeded = 0;
    for (long budget = 0; budget < 100000 && !succeeded; budget++) {
        floe_ice_table_metadata *metadata = NULL;
        floe_error err;
        floe_set_allocation_failure_after(budget);
        int status = floe_ice_table_metadata_parse(json, size, "alloc", &metadata, &err);
        char *written = NULL;
        size_t written_size = 0;
        int write_status = status == FLOE_OK
                               ? floe_ice_table_metadata_write_json(metadata, &written,
                                                                    &written_size, &err)
                               : status;
        floe_set_allocation_failure_after(-1);
        if (status == FLOE_OK && write_status == FLOE_OK) {
            succeeded = 1;
        } else {
            ck_assert_msg(write_status == FLOE_ENOMEM, "budget %ld: %d %s", budget, write_status,
                          err.message);
            ck_assert_int_eq(err.code, FLOE_ENOMEM);
        }
        floe_free(written);
        floe_ice_table_metadata_free(metadata);
    }
    ck_assert(succeeded);
}

START_TEST(allocation_failures_are_reported)
{
    size_t size;
    char *data = slurp(fixture("column_mapping/warehouse/default.db/my_table/metadata/"
                               "00001-75643dae-a7a7-46ae-ab30-ea80d3793f3f.metadata.json"),
                       &size);
    parse_under_failures(data, size);
    free(data);
    parse_under_failures(base_document, strlen(base_document));

    /* The builders too. */
    floe_ice_new_column columns[] = {{"id", floe_type_make(FLOE_TYPE_INT64), 1, 0, NULL},
                                     {"v", floe_type_decimal(20, 4), 0, 0, "doc"}};
    int succeeded = 0;
    for (long budget = 0; budget < 10000 && !succeeded; budget++) {
        floe_ice_table_metadata *metadata = NULL;
        floe_error err;
        floe_set_allocation_failure_after(budget);
        int status = floe_ice_table_metadata_create("/lake/t", columns, 2, 5, &metadata, &err);
        floe_ice_new_snapshot snapshot = {7, -1, 0, 6, "/lake/t/m.avro", "append", NULL, 0};
        if (status == FLOE_OK) status = floe_ice_table_metadata_add_snapshot(metadata, &snapshot,
                                                                             &err);
        if (status == FLOE_OK)
            status = floe_ice_table_metadata_set_property(metadata, "k", "v", &err);
        if (status == FLOE_OK)
            status = floe_ice_table_metadata_append_metadata_log(metadata, 1, "/v1.json", &err);
        floe_set_allocation_failure_after(-1);
        if (status == FLOE_OK) {
            succeeded = 1;
            ck_assert_int_eq(metadata->current_snapshot_id, 7);
        } else {
            ck_assert_int_eq(status, FLOE_ENOMEM);
        }
        floe_ice_table_metadata_free(metadata);
    }
    ck_assert(succeeded);

    /* Reading a gzip file. */
    make_temporary_directory();
    data = slurp(fixture("lineitem_iceberg/metadata/v1.metadata.json"), &size);
    char path[512];
    snprintf(path, sizeof path, "%s/v1.metadata.json.gz", temporary_directory);
    write_gzip(path, data, size);
    free(data);
    succeeded = 0;
    for (long budget = 0; budget < 100000 && !succeeded; budget++) {
        floe_ice_table_metadata *metadata = NULL;
        floe_error err;
        floe_set_allocation_failure_after(budget);
        int status = floe_ice_table_metadata_read_file(path, &metadata, &err);
        floe_set_allocation_failure_after(-1);
        if (status == FLOE_OK) {
            succeeded = 1;
        } else {
            ck_assert_msg(status == FLOE_ENOMEM, "budget %ld: %s", budget, err.message);
        }
        floe_ice_table_metadata_free(metadata);
    }
    ck_assert(succeeded);
    remove_temporary_directory();
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("iceberg_metadata");
    TCase *facts = tcase_create("fixtures");
    tcase_add_test(facts, lineitem_v2_facts);
    tcase_add_test(facts, legacy_v1_facts);
    tcase_add_test(facts, nested_types_load_and_name_mapping);
    tcase_add_test(facts, v1_schemas_list_and_name_mapping);
    tcase_add_test(facts, partitioned_and_delete_tables);
    tcase_add_test(facts, every_fixture_round_trips_as_v2);
    tcase_add_test(facts, gzip_metadata_reads_back);
    suite_add_tcase(suite, facts);
    TCase *building = tcase_create("builders");
    tcase_add_test(building, builders_make_a_valid_v2_table);
    suite_add_tcase(suite, building);
    TCase *malformed = tcase_create("malformed");
    tcase_set_timeout(malformed, 120);
    tcase_add_test(malformed, base_document_parses);
    tcase_add_test(malformed, malformed_documents_are_corrupt);
    tcase_add_test(malformed, other_malformed_inputs);
    tcase_add_test(malformed, every_prefix_of_a_file_is_corrupt);
    tcase_add_test(malformed, allocation_failures_are_reported);
    suite_add_tcase(suite, malformed);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? 0 : 1;
}
