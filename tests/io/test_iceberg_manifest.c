/*
 * Description: Iceberg manifest lists and manifests in Avro — every fixture under
 * tests/data/iceberg reads (v1 and v2; counts and file paths compared with Avro C's own file
 * reader), known facts of the partitioned and equality-delete tables, sequence number
 * inheritance, v2 write/read round trips (checked by Avro C's file reader too, and for field ids
 * in the header), hostile input (every prefix, flipped bytes, lying block counts and sizes,
 * wrong magic, missing schema) and allocation failure.
 */
#define _POSIX_C_SOURCE 200809L

#include "io/avro_container.h"
#include "io/iceberg_manifest.h"
#include "kernels/memory.h"

#include <avro.h>
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char data_dir[1024];

static const char *fixture(const char *relative)
{
    static char path[2048];
    snprintf(path, sizeof path, "%s/iceberg/%s", data_dir, relative);
    return path;
}

static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *file = fopen(path, "rb");
    ck_assert_ptr_nonnull(file);
    fseek(file, 0, SEEK_END);
    long length = ftell(file);
    fseek(file, 0, SEEK_SET);
    uint8_t *bytes = malloc((size_t)length + 1);
    ck_assert_uint_eq(fread(bytes, 1, (size_t)length, file), (size_t)length);
    fclose(file);
    *size = (size_t)length;
    return bytes;
}

/* The independent reference: Avro C's own file reader, generic values, fields by name. Returns
 * the record count and copies each record's `path_field` (nested in data_file for manifests). */
static int avro_c_paths(const char *path, int is_list, char paths[][512], int max)
{
    avro_file_reader_t reader;
    ck_assert_msg(avro_file_reader(path, &reader) == 0, "%s: %s", path, avro_strerror());
    avro_schema_t schema = avro_file_reader_get_writer_schema(reader);
    avro_value_iface_t *iface = avro_generic_class_from_schema(schema);
    avro_value_t value;
    avro_generic_value_new(iface, &value);
    int count = 0;
    while (avro_file_reader_read_value(reader, &value) == 0) {
        avro_value_t field, inner;
        const char *text;
        size_t size;
        if (is_list) {
            ck_assert_int_eq(avro_value_get_by_name(&value, "manifest_path", &field, NULL), 0);
        } else {
            ck_assert_int_eq(avro_value_get_by_name(&value, "data_file", &inner, NULL), 0);
            ck_assert_int_eq(avro_value_get_by_name(&inner, "file_path", &field, NULL), 0);
        }
        ck_assert_int_eq(avro_value_get_string(&field, &text, &size), 0);
        if (count < max) snprintf(paths[count], 512, "%s", text);
        count++;
    }
    avro_value_decref(&value);
    avro_value_iface_decref(iface);
    avro_schema_decref(schema);
    avro_file_reader_close(reader);
    return count;
}

static int contains(const uint8_t *haystack, size_t size, const char *needle)
{
    size_t length = strlen(needle);
    for (size_t i = 0; i + length <= size; i++)
        if (memcmp(haystack + i, needle, length) == 0) return 1;
    return 0;
}

static int fixtures_checked;

static void check_fixture(const char *path)
{
    const char *base = strrchr(path, '/') + 1;
    int is_list = strncmp(base, "snap-", 5) == 0;
    char expected[64][512];
    int expected_count = avro_c_paths(path, is_list, expected, 64);
    floe_error err;
    if (is_list) {
        floe_ice_manifest_list *list = NULL;
        ck_assert_msg(floe_ice_manifest_list_read(path, &list, &err) == 0, "%s", err.message);
        ck_assert_int_eq((int)list->count, expected_count);
        for (size_t i = 0; i < list->count; i++)
            ck_assert_str_eq(list->entries[i].manifest_path, expected[i]);
        floe_ice_manifest_list_free(list);
    } else {
        floe_ice_manifest *manifest = NULL;
        ck_assert_msg(floe_ice_manifest_read(path, &manifest, &err) == 0, "%s", err.message);
        ck_assert_int_eq((int)manifest->count, expected_count);
        for (size_t i = 0; i < manifest->count; i++)
            ck_assert_str_eq(manifest->entries[i].data_file.file_path, expected[i]);
        floe_ice_manifest_free(manifest);
    }
    fixtures_checked++;
}

static void walk(const char *directory)
{
    DIR *dir = opendir(directory);
    if (dir == NULL) return;
    struct dirent *item;
    while ((item = readdir(dir)) != NULL) {
        if (item->d_name[0] == '.') continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", directory, item->d_name);
        struct stat info;
        if (stat(path, &info) != 0) continue;
        if (S_ISDIR(info.st_mode)) {
            walk(path);
        } else {
            size_t length = strlen(path);
            if (length > 5 && strcmp(path + length - 5, ".avro") == 0) check_fixture(path);
        }
    }
    closedir(dir);
}

START_TEST(every_fixture_reads_like_avro_c)
{
    fixtures_checked = 0;
    walk(fixture(""));
    ck_assert_int_eq(fixtures_checked, 41);
}
END_TEST

#define PARTITION_INTEGER_MANIFEST "partition_integer/metadata/b1dda674-423f-4f23-b00d-92b608b07a38-m0.avro"
#define PARTITION_INTEGER_LIST \
    "partition_integer/metadata/snap-5470601323427916272-1-b1dda674-423f-4f23-b00d-92b608b07a38.avro"

START_TEST(partition_integer_values_and_inheritance)
{
    floe_error err;
    floe_ice_manifest *manifest = NULL;
    floe_ice_manifest_list *list = NULL;
    ck_assert_msg(floe_ice_manifest_read(fixture(PARTITION_INTEGER_MANIFEST), &manifest, &err) == 0,
                  "%s", err.message);
    ck_assert_int_eq(manifest->format_version, 2);
    ck_assert_int_eq(manifest->content, FLOE_ICE_MANIFEST_CONTENT_DATA);
    ck_assert_uint_eq(manifest->partition_field_count, 1);
    ck_assert_str_eq(manifest->partition_fields[0].name, "partition_col");
    ck_assert_int_eq(manifest->partition_fields[0].field_id, 1000);
    ck_assert_int_eq(manifest->partition_fields[0].type.id, FLOE_TYPE_INT32);
    ck_assert_uint_eq(manifest->count, 2);
    const floe_ice_manifest_entry *first = &manifest->entries[0];
    ck_assert_int_eq(first->status, FLOE_ICE_STATUS_ADDED);
    ck_assert(first->has_snapshot_id && first->snapshot_id == 5470601323427916272LL);
    ck_assert(!first->has_sequence_number && !first->has_file_sequence_number);
    ck_assert_int_eq(first->data_file.partition[0].as.i32, 1337);
    ck_assert_int_eq(manifest->entries[1].data_file.partition[0].as.i32, 42);
    ck_assert_int_eq(first->data_file.record_count, 1);
    ck_assert_int_eq(first->data_file.file_size_in_bytes, 950);
    ck_assert_str_eq(first->data_file.file_format, "PARQUET");
    ck_assert(first->data_file.column_sizes.present && first->data_file.column_sizes.count > 0);

    ck_assert_msg(floe_ice_manifest_list_read(fixture(PARTITION_INTEGER_LIST), &list, &err) == 0,
                  "%s", err.message);
    ck_assert_int_eq(list->format_version, 2);
    ck_assert_int_eq(list->snapshot_id, 5470601323427916272LL);
    ck_assert_uint_eq(list->count, 1);
    const floe_ice_manifest_file *file = &list->entries[0];
    ck_assert_int_eq(file->manifest_length, 7032); /* the manifest's size on disk */
    ck_assert_int_eq(file->added_files_count, 2);
    ck_assert(file->has_partitions && file->partition_count == 1);
    /* Inheritance: null sequence numbers of ADDED entries take the manifest's. */
    ck_assert_int_eq(floe_ice_manifest_inherit(manifest, file, &err), 0);
    ck_assert(first->has_sequence_number && first->sequence_number == file->sequence_number);
    ck_assert_int_eq(first->file_sequence_number, file->sequence_number);
    floe_ice_manifest_free(manifest);
    floe_ice_manifest_list_free(list);
}
END_TEST

START_TEST(partition_timestamp_and_equality_deletes)
{
    floe_error err;
    floe_ice_manifest *manifest = NULL;
    ck_assert_int_eq(floe_ice_manifest_read(fixture("partition_timestamp/default.db/partition_timestamp/"
                                                    "metadata/6b55fc2b-ce03-407e-9585-336c4675e611-m0.avro"),
                                            &manifest, &err), 0);
    ck_assert_int_eq(manifest->partition_fields[0].type.id, FLOE_TYPE_TIMESTAMP);
    ck_assert_int_eq(manifest->entries[0].data_file.partition[0].as.i64, 1684161045000000LL);
    ck_assert_int_eq(manifest->entries[1].data_file.partition[0].as.i64, 1692695720000000LL);
    floe_ice_manifest_free(manifest);

    ck_assert_int_eq(floe_ice_manifest_read(fixture("equality_deletes/warehouse/mydb/mytable/metadata/"
                                                    "34f7dec7-90c5-4cd5-b158-5782b73fc010-m0.avro"),
                                            &manifest, &err), 0);
    ck_assert_int_eq(manifest->content, FLOE_ICE_MANIFEST_CONTENT_DELETES);
    ck_assert_uint_eq(manifest->count, 1);
    const floe_ice_data_file *file = &manifest->entries[0].data_file;
    ck_assert_int_eq(file->content, FLOE_ICE_CONTENT_EQUALITY_DELETES);
    ck_assert(file->has_equality_ids && file->equality_id_count == 1 && file->equality_ids[0] == 2);
    ck_assert(strstr(file->file_path, "delete-93d19556") != NULL);
    floe_ice_manifest_free(manifest);

    floe_ice_manifest_list *list = NULL;
    ck_assert_int_eq(floe_ice_manifest_list_read(fixture("equality_deletes/warehouse/mydb/mytable/metadata/"
                                                         "snap-7342794868382145167-3-34f7dec7-90c5-4cd5-b158-5782b73fc010.avro"),
                                                 &list, &err), 0);
    ck_assert_uint_eq(list->count, 4);
    ck_assert_int_eq(list->entries[0].content, 0);
    ck_assert_int_eq(list->entries[0].sequence_number, 1);
    ck_assert_int_eq(list->entries[1].content, 1);
    ck_assert_int_eq(list->entries[1].sequence_number, 4);
    ck_assert_int_eq(list->entries[1].added_snapshot_id, 7342794868382145167LL);
    floe_ice_manifest_list_free(list);
}
END_TEST

START_TEST(v1_table_gets_v1_defaults)
{
    floe_error err;
    floe_ice_manifest_list *list = NULL;
    ck_assert_msg(floe_ice_manifest_list_read(fixture("iceberg_v1_deprecated/default/legacy_v1/metadata/"
                                                      "snap-2456114553637229296-1-d65f86b0-b799-467f-b1f4-9c697e4c4fc7.avro"),
                                              &list, &err) == 0, "%s", err.message);
    ck_assert_int_eq(list->format_version, 1);
    ck_assert_uint_eq(list->count, 1);
    const floe_ice_manifest_file *file = &list->entries[0];
    ck_assert_int_eq(file->content, 0);
    ck_assert_int_eq(file->sequence_number, 0);
    ck_assert_int_eq(file->manifest_length, 6147);
    ck_assert_int_eq(file->added_files_count, 2);
    ck_assert_int_eq(file->added_rows_count, 3);
    ck_assert(file->has_partitions && file->partition_count == 1);
    ck_assert_int_eq(file->partitions[0].contains_null, 0);
    ck_assert_int_eq(file->partitions[0].contains_nan, 0);
    ck_assert(file->partitions[0].lower_bound.size == 5 &&
              memcmp(file->partitions[0].lower_bound.data, "alpha", 5) == 0);
    ck_assert(file->partitions[0].upper_bound.size == 4 &&
              memcmp(file->partitions[0].upper_bound.data, "beta", 4) == 0);

    floe_ice_manifest *manifest = NULL;
    ck_assert_int_eq(floe_ice_manifest_read(fixture("iceberg_v1_deprecated/default/legacy_v1/metadata/"
                                                    "d65f86b0-b799-467f-b1f4-9c697e4c4fc7-m0.avro"),
                                            &manifest, &err), 0);
    ck_assert_int_eq(manifest->format_version, 1);
    ck_assert_uint_eq(manifest->count, 2);
    ck_assert_int_eq(manifest->partition_fields[0].type.id, FLOE_TYPE_STRING);
    ck_assert_str_eq(manifest->partition_fields[0].name, "category");
    ck_assert_int_eq(manifest->entries[0].data_file.content, 0);
    ck_assert_int_eq(floe_ice_manifest_inherit(manifest, file, &err), 0);
    ck_assert_int_eq(manifest->entries[0].sequence_number, 0);
    ck_assert_int_eq(manifest->entries[0].snapshot_id, 2456114553637229296LL);
    floe_ice_manifest_free(manifest);
    floe_ice_manifest_list_free(list);
}
END_TEST

START_TEST(inheritance_refuses_existing_without_sequence_number)
{
    floe_ice_manifest_entry entry;
    memset(&entry, 0, sizeof entry);
    entry.status = FLOE_ICE_STATUS_EXISTING;
    entry.data_file.file_path = "f.parquet";
    floe_ice_manifest_file list_entry;
    memset(&list_entry, 0, sizeof list_entry);
    list_entry.manifest_path = "m.avro";
    list_entry.sequence_number = 9;
    list_entry.added_snapshot_id = 77;
    floe_error err;
    ck_assert_int_eq(floe_ice_manifest_entry_inherit(&entry, 2, &list_entry, &err), FLOE_ECORRUPT);
    ck_assert(strstr(err.message, "m.avro") != NULL);
    entry.status = FLOE_ICE_STATUS_ADDED;
    entry.has_sequence_number = 0;
    ck_assert_int_eq(floe_ice_manifest_entry_inherit(&entry, 2, &list_entry, &err), 0);
    ck_assert_int_eq(entry.sequence_number, 9);
    ck_assert_int_eq(entry.snapshot_id, 77);
    /* An explicit sequence number is kept. */
    entry.sequence_number = 3;
    entry.has_file_sequence_number = 0;
    ck_assert_int_eq(floe_ice_manifest_entry_inherit(&entry, 2, &list_entry, &err), 0);
    ck_assert_int_eq(entry.sequence_number, 3);
    ck_assert_int_eq(entry.file_sequence_number, 9);
}
END_TEST

/* ---- round trips ---- */

static const floe_ice_partition_field partition_fields[] = {
    {"region", 1000, {FLOE_TYPE_STRING, 0, 0}, 0},
    {"day", 1001, {FLOE_TYPE_DATE, 0, 0}, 0},
    {"ts_hour", 1002, {FLOE_TYPE_TIMESTAMPTZ, 0, 0}, 0},
    {"amount", 1003, {FLOE_TYPE_DECIMAL, 9, 2}, 0},
    {"big", 1004, {FLOE_TYPE_DECIMAL, 30, 3}, 0},
    {"flag", 1005, {FLOE_TYPE_BOOLEAN, 0, 0}, 0},
    {"n", 1006, {FLOE_TYPE_INT64, 0, 0}, 0},
    {"blob", 1007, {FLOE_TYPE_BINARY, 0, 0}, 0},
    {"uuid", 1008, {FLOE_TYPE_BINARY, 0, 0}, 16},
};
enum { PARTITION_FIELDS = sizeof partition_fields / sizeof partition_fields[0] };

static char temp_dir[] = "/tmp/floe-manifest-XXXXXX";

static void write_and_check_avro_c(const uint8_t *bytes, size_t size, const char *name,
                                   int is_list, int expected_count)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", temp_dir, name);
    FILE *file = fopen(path, "wb");
    fwrite(bytes, 1, size, file);
    fclose(file);
    char paths[8][512];
    ck_assert_int_eq(avro_c_paths(path, is_list, paths, 8), expected_count);
    unlink(path);
}

static int header_schema_has_field_ids(const uint8_t *bytes, size_t size)
{
    floe_avro_container container;
    ck_assert_int_eq(floe_avro_container_open(&container, bytes, size, NULL), 0);
    size_t schema_size;
    const uint8_t *schema = floe_avro_container_metadata(&container, "avro.schema", &schema_size);
    char *text = strndup((const char *)schema, schema_size);
    int found = strstr(text, "\"field-id\":102") != NULL && strstr(text, "\"field-id\":1003") != NULL;
    if (strstr(text, "r102") == NULL) found = 0;
    free(text);
    floe_avro_container_fini(&container);
    return found;
}

START_TEST(manifest_round_trip_partitioned_data_and_deletes)
{
    floe_ice_value values[2][PARTITION_FIELDS];
    memset(values, 0, sizeof values);
    values[0][0].as.bytes = (floe_ice_bytes){(const uint8_t *)"emea", 4};
    values[0][1].as.i32 = 19500;
    values[0][2].as.i64 = 1684161045000000LL;
    values[0][3].as.i64 = -12345;
    values[0][4].as.i128 = -((floe_int128)1 << 90);
    values[0][5].as.boolean = 1;
    values[0][6].as.i64 = -7;
    values[0][7].as.bytes = (floe_ice_bytes){(const uint8_t *)"\x00\x01\x02", 3};
    values[0][8].as.bytes = (floe_ice_bytes){(const uint8_t *)"0123456789abcdef", 16};
    for (int i = 0; i < PARTITION_FIELDS; i++) values[1][i].is_null = 1;
    floe_ice_int_long sizes[] = {{1, 100}, {2, 200}};
    floe_ice_int_bytes lower[] = {{1, {(const uint8_t *)"\x01\x00\x00\x00", 4}}};
    int64_t splits[] = {4, 1000};
    floe_ice_manifest_entry entries[2];
    memset(entries, 0, sizeof entries);
    entries[0].status = FLOE_ICE_STATUS_ADDED;
    entries[0].data_file.file_path = "/lake/t/data/a.parquet";
    entries[0].data_file.file_format = "PARQUET";
    entries[0].data_file.partition = values[0];
    entries[0].data_file.record_count = 10;
    entries[0].data_file.file_size_in_bytes = 1234;
    entries[0].data_file.column_sizes = (floe_ice_counts){2, 1, sizes};
    entries[0].data_file.lower_bounds = (floe_ice_bounds){1, 1, lower};
    entries[0].data_file.has_split_offsets = 1;
    entries[0].data_file.split_offset_count = 2;
    entries[0].data_file.split_offsets = splits;
    entries[0].data_file.has_sort_order_id = 1;
    entries[1].status = FLOE_ICE_STATUS_EXISTING;
    entries[1].has_snapshot_id = 1;
    entries[1].snapshot_id = 42;
    entries[1].has_sequence_number = entries[1].has_file_sequence_number = 1;
    entries[1].sequence_number = 3;
    entries[1].file_sequence_number = 4;
    entries[1].data_file.file_path = "/lake/t/data/b.parquet";
    entries[1].data_file.file_format = "PARQUET";
    entries[1].data_file.partition = values[1];
    entries[1].data_file.record_count = 5;
    entries[1].data_file.file_size_in_bytes = 99;
    floe_ice_manifest_write_options options = {
        "{\"type\":\"struct\",\"schema-id\":0,\"fields\":[]}", 0, "[]", 3,
        FLOE_ICE_MANIFEST_CONTENT_DATA, partition_fields, PARTITION_FIELDS, FLOE_AVRO_CODEC_DEFLATE};
    for (int codec = 0; codec < 2; codec++) {
        options.codec = codec ? FLOE_AVRO_CODEC_DEFLATE : FLOE_AVRO_CODEC_NULL;
        uint8_t *bytes;
        size_t size;
        floe_error err;
        ck_assert_msg(floe_ice_manifest_write_memory(&options, entries, 2, &bytes, &size, &err) == 0,
                      "%s", err.message);
        ck_assert(header_schema_has_field_ids(bytes, size));
        write_and_check_avro_c(bytes, size, "m.avro", 0, 2);
        floe_ice_manifest *manifest = NULL;
        ck_assert_msg(floe_ice_manifest_read_memory(bytes, size, "mem", &manifest, &err) == 0, "%s",
                      err.message);
        ck_assert_int_eq(manifest->format_version, 2);
        ck_assert_int_eq(manifest->partition_spec_id, 3);
        ck_assert_int_eq(manifest->schema_id, 0);
        ck_assert_str_eq(manifest->partition_spec_json, "[]");
        ck_assert_uint_eq(manifest->partition_field_count, PARTITION_FIELDS);
        for (int i = 0; i < PARTITION_FIELDS; i++) {
            ck_assert_str_eq(manifest->partition_fields[i].name, partition_fields[i].name);
            ck_assert_int_eq(manifest->partition_fields[i].field_id, partition_fields[i].field_id);
            ck_assert(floe_type_equal(manifest->partition_fields[i].type, partition_fields[i].type));
        }
        ck_assert_uint_eq(manifest->count, 2);
        const floe_ice_manifest_entry *a = &manifest->entries[0];
        const floe_ice_value *p = a->data_file.partition;
        ck_assert(!a->has_snapshot_id && !a->has_sequence_number);
        ck_assert(p[0].as.bytes.size == 4 && memcmp(p[0].as.bytes.data, "emea", 4) == 0);
        ck_assert_int_eq(p[1].as.i32, 19500);
        ck_assert_int_eq(p[2].as.i64, 1684161045000000LL);
        ck_assert_int_eq(p[3].as.i64, -12345);
        ck_assert(p[4].as.i128 == -((floe_int128)1 << 90));
        ck_assert_int_eq(p[5].as.boolean, 1);
        ck_assert_int_eq(p[6].as.i64, -7);
        ck_assert(p[7].as.bytes.size == 3 && memcmp(p[7].as.bytes.data, "\x00\x01\x02", 3) == 0);
        ck_assert(p[8].as.bytes.size == 16 && memcmp(p[8].as.bytes.data, "0123456789abcdef", 16) == 0);
        ck_assert(a->data_file.column_sizes.present && a->data_file.column_sizes.count == 2);
        ck_assert_int_eq(a->data_file.column_sizes.items[1].value, 200);
        ck_assert(!a->data_file.value_counts.present);
        ck_assert(a->data_file.lower_bounds.count == 1 && a->data_file.lower_bounds.items[0].value.size == 4);
        ck_assert(a->data_file.split_offset_count == 2 && a->data_file.split_offsets[1] == 1000);
        ck_assert(a->data_file.has_sort_order_id && a->data_file.sort_order_id == 0);
        const floe_ice_manifest_entry *b = &manifest->entries[1];
        ck_assert_str_eq(b->data_file.file_path, "/lake/t/data/b.parquet");
        for (int i = 0; i < PARTITION_FIELDS; i++) ck_assert(b->data_file.partition[i].is_null);
        ck_assert(b->has_snapshot_id && b->snapshot_id == 42 && b->sequence_number == 3 &&
                  b->file_sequence_number == 4);
        floe_ice_manifest_free(manifest);
        free(bytes); /* floe_free is free with the default allocator */
    }

    /* A delete manifest of an unpartitioned table: equality and position deletes. */
    int32_t equality_ids[] = {2, 5};
    floe_ice_manifest_entry deletes[2];
    memset(deletes, 0, sizeof deletes);
    for (int i = 0; i < 2; i++) {
        deletes[i].status = FLOE_ICE_STATUS_ADDED;
        deletes[i].data_file.file_format = "PARQUET";
        deletes[i].data_file.record_count = 1 + i;
        deletes[i].data_file.file_size_in_bytes = 10;
    }
    deletes[0].data_file.content = FLOE_ICE_CONTENT_EQUALITY_DELETES;
    deletes[0].data_file.file_path = "/lake/t/data/eq.parquet";
    deletes[0].data_file.has_equality_ids = 1;
    deletes[0].data_file.equality_id_count = 2;
    deletes[0].data_file.equality_ids = equality_ids;
    deletes[1].data_file.content = FLOE_ICE_CONTENT_POSITION_DELETES;
    deletes[1].data_file.file_path = "/lake/t/data/pos.parquet";
    floe_ice_manifest_write_options delete_options = {
        "{\"type\":\"struct\",\"schema-id\":0,\"fields\":[]}", 0, "[]", 0,
        FLOE_ICE_MANIFEST_CONTENT_DELETES, NULL, 0, FLOE_AVRO_CODEC_DEFLATE};
    char path[256];
    snprintf(path, sizeof path, "%s/deletes.avro", temp_dir);
    floe_error err;
    int64_t length = 0;
    ck_assert_msg(floe_ice_manifest_write(path, &delete_options, deletes, 2, &length, &err) == 0,
                  "%s", err.message);
    struct stat info;
    ck_assert_int_eq(stat(path, &info), 0);
    ck_assert_int_eq(length, info.st_size);
    /* Never overwrites. */
    ck_assert_int_lt(floe_ice_manifest_write(path, &delete_options, deletes, 2, NULL, &err), 0);
    char paths[4][512];
    ck_assert_int_eq(avro_c_paths(path, 0, paths, 4), 2);
    floe_ice_manifest *manifest = NULL;
    ck_assert_int_eq(floe_ice_manifest_read(path, &manifest, &err), 0);
    ck_assert_int_eq(manifest->content, FLOE_ICE_MANIFEST_CONTENT_DELETES);
    ck_assert_uint_eq(manifest->partition_field_count, 0);
    ck_assert_int_eq(manifest->entries[0].data_file.content, FLOE_ICE_CONTENT_EQUALITY_DELETES);
    ck_assert(manifest->entries[0].data_file.equality_id_count == 2 &&
              manifest->entries[0].data_file.equality_ids[1] == 5);
    ck_assert_int_eq(manifest->entries[1].data_file.content, FLOE_ICE_CONTENT_POSITION_DELETES);
    ck_assert(!manifest->entries[1].data_file.has_equality_ids);
    floe_ice_manifest_free(manifest);
    unlink(path);

    /* A data file in a delete manifest breaks the caller's contract. */
    ck_assert_int_eq(floe_ice_manifest_write_memory(&delete_options, entries, 1, &(uint8_t *){0},
                                                    &(size_t){0}, &err), FLOE_EINVAL);
}
END_TEST

START_TEST(manifest_list_round_trip)
{
    floe_ice_field_summary summaries[2] = {
        {0, -1, 1, 1, {(const uint8_t *)"a", 1}, {(const uint8_t *)"z", 1}},
        {1, 0, 0, 0, {NULL, 0}, {NULL, 0}},
    };
    floe_ice_manifest_file files[3];
    memset(files, 0, sizeof files);
    for (int i = 0; i < 3; i++) {
        files[i].manifest_length = 1000 + i;
        files[i].partition_spec_id = i;
        files[i].sequence_number = 7;
        files[i].min_sequence_number = 5 + i;
        files[i].added_snapshot_id = 123456789012345LL + i;
        files[i].added_files_count = i;
        files[i].added_rows_count = 10 * i;
    }
    files[0].manifest_path = "/lake/t/metadata/m0.avro";
    files[1].manifest_path = "/lake/t/metadata/m1.avro";
    files[1].content = FLOE_ICE_MANIFEST_CONTENT_DELETES;
    files[1].has_partitions = 1;
    files[1].partition_count = 2;
    files[1].partitions = summaries;
    files[2].manifest_path = "/lake/t/metadata/m2.avro";
    files[2].has_partitions = 1; /* present but empty */
    floe_ice_manifest_list_write_options options = {99, 1, 98, 7, FLOE_AVRO_CODEC_DEFLATE};
    char path[256];
    snprintf(path, sizeof path, "%s/snap-99.avro", temp_dir);
    floe_error err;
    ck_assert_msg(floe_ice_manifest_list_write(path, &options, files, 3, &err) == 0, "%s", err.message);
    char paths[4][512];
    ck_assert_int_eq(avro_c_paths(path, 1, paths, 4), 3);
    ck_assert_str_eq(paths[2], "/lake/t/metadata/m2.avro");
    floe_ice_manifest_list *list = NULL;
    ck_assert_int_eq(floe_ice_manifest_list_read(path, &list, &err), 0);
    ck_assert_int_eq(list->format_version, 2);
    ck_assert_int_eq(list->snapshot_id, 99);
    ck_assert_int_eq(list->parent_snapshot_id, 98);
    ck_assert_int_eq(list->sequence_number, 7);
    ck_assert_uint_eq(list->count, 3);
    ck_assert_int_eq(list->entries[1].content, 1);
    ck_assert_int_eq(list->entries[1].min_sequence_number, 6);
    ck_assert_int_eq(list->entries[2].added_snapshot_id, 123456789012347LL);
    ck_assert_int_eq(list->entries[2].added_rows_count, 20);
    ck_assert(!list->entries[0].has_partitions);
    ck_assert(list->entries[2].has_partitions && list->entries[2].partition_count == 0);
    const floe_ice_field_summary *s = list->entries[1].partitions;
    ck_assert(s[0].contains_null == 0 && s[0].contains_nan == -1 && s[0].has_lower_bound &&
              s[0].lower_bound.data[0] == 'a' && s[0].upper_bound.data[0] == 'z');
    ck_assert(s[1].contains_null == 1 && s[1].contains_nan == 0 && !s[1].has_lower_bound);
    floe_ice_manifest_list_free(list);
    /* Header text: the spec's schema with field ids, not Avro C's rewrite. */
    size_t size;
    uint8_t *bytes = slurp(path, &size);
    floe_avro_container container;
    ck_assert_int_eq(floe_avro_container_open(&container, bytes, size, NULL), 0);
    size_t schema_size;
    const uint8_t *schema = floe_avro_container_metadata(&container, "avro.schema", &schema_size);
    ck_assert(contains(schema, schema_size, "\"field-id\":517"));
    ck_assert(contains(schema, schema_size, "\"element-id\":508"));
    floe_avro_container_fini(&container);
    free(bytes);
    unlink(path);
    /* v2 requires the counts. */
    files[0].added_files_count = -1;
    ck_assert_int_eq(floe_ice_manifest_list_write_memory(&options, files, 1, &(uint8_t *){0},
                                                         &(size_t){0}, &err), FLOE_EINVAL);
}
END_TEST

/* ---- hostile input ---- */

static size_t records_read;

static int read_any(const uint8_t *bytes, size_t size, int as_list, floe_error *err)
{
    records_read = 0;
    if (as_list) {
        floe_ice_manifest_list *list = NULL;
        int status = floe_ice_manifest_list_read_memory(bytes, size, "hostile.avro", &list, err);
        if (list) records_read = list->count;
        floe_ice_manifest_list_free(list);
        return status;
    }
    floe_ice_manifest *manifest = NULL;
    int status = floe_ice_manifest_read_memory(bytes, size, "hostile.avro", &manifest, err);
    if (manifest) records_read = manifest->count;
    floe_ice_manifest_free(manifest);
    return status;
}

START_TEST(every_prefix_and_flipped_byte_fails_cleanly)
{
    const char *files[] = {PARTITION_INTEGER_MANIFEST, PARTITION_INTEGER_LIST};
    for (int which = 0; which < 2; which++) {
        size_t size;
        uint8_t *bytes = slurp(fixture(files[which]), &size);
        floe_error err;
        ck_assert_int_eq(read_any(bytes, size, which, &err), 0);
        size_t full_count = records_read;
        int cut_at_block_boundary = 0;
        for (size_t prefix = 0; prefix < size; prefix++) {
            uint8_t *copy = malloc(prefix ? prefix : 1); /* exact size: ASan sees any overread */
            memcpy(copy, bytes, prefix);
            int status = read_any(copy, prefix, which, &err);
            if (status == 0) {
                /* Cut exactly after a block: a valid container with fewer records. */
                ck_assert_uint_lt(records_read, full_count);
                cut_at_block_boundary++;
            } else {
                ck_assert_msg(status == FLOE_ECORRUPT, "prefix %zu: %d %s", prefix, status,
                              err.message);
                ck_assert(strstr(err.message, "hostile.avro") != NULL);
            }
            free(copy);
        }
        ck_assert_int_le(cut_at_block_boundary, 2);
        srand(7);
        for (int round = 0; round < 3000; round++) {
            uint8_t *copy = malloc(size);
            memcpy(copy, bytes, size);
            for (int flips = 1 + rand() % 3; flips > 0; flips--)
                copy[(size_t)rand() % size] ^= (uint8_t)(1u << (rand() % 8));
            int status = read_any(copy, size, which, &err);
            ck_assert(status == 0 || status == FLOE_ECORRUPT || status == FLOE_EUNSUPPORTED);
            free(copy);
        }
        free(bytes);
    }
}
END_TEST

/* A header (schema, null codec) followed by hand-made block bytes. */
static uint8_t *craft(const char *schema, const uint8_t *tail, size_t tail_size, size_t *size,
                      uint8_t sync[16])
{
    floe_avro_writer writer;
    ck_assert_int_eq(floe_avro_writer_init(&writer, schema, FLOE_AVRO_CODEC_NULL, NULL, 0, NULL), 0);
    memcpy(sync, writer.sync, 16);
    uint8_t *header;
    size_t header_size;
    ck_assert_int_eq(floe_avro_writer_finish(&writer, &header, &header_size, NULL), 0);
    uint8_t *bytes = malloc(header_size + tail_size);
    memcpy(bytes, header, header_size);
    if (tail_size) memcpy(bytes + header_size, tail, tail_size);
    free(header);
    *size = header_size + tail_size;
    return bytes;
}

START_TEST(lying_framing_is_corrupt)
{
    const char *schema =
        "{\"type\":\"record\",\"name\":\"manifest_file\",\"fields\":[{\"name\":\"manifest_path\","
        "\"type\":\"string\"},{\"name\":\"xs\",\"type\":{\"type\":\"array\",\"items\":\"long\"}}]}";
    uint8_t sync[16];
    size_t size;
    floe_error err;
    /* Huge object count, huge byte size, negative count, a string longer than the block, an
     * array count of 2^31 (Avro C would allocate it), a bad sync marker. */
    const uint8_t huge_count[] = {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x02, 0x00};
    const uint8_t huge_size[] = {0x02, 0xfe, 0xff, 0xff, 0xff, 0x0f, 0x00};
    const uint8_t negative[] = {0x01, 0x02, 0x00};
    const uint8_t long_string[] = {0x02, 0x06, 0x7e, 'a', 'b'};
    const uint8_t huge_array[] = {0x02, 0x0e, 0x02, 'a', 0x80, 0x80, 0x80, 0x80, 0x10, 0x02, 0x00};
    const struct {
        const uint8_t *bytes;
        size_t size;
        int with_sync;
    } cases[] = {{huge_count, sizeof huge_count, 1}, {huge_size, sizeof huge_size, 1},
                 {negative, sizeof negative, 1},     {long_string, sizeof long_string, 1},
                 {huge_array, sizeof huge_array, 1}, {long_string, 3, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t tail[64];
        memcpy(tail, cases[i].bytes, cases[i].size);
        size_t tail_size = cases[i].size;
        uint8_t *bytes = craft(schema, tail, tail_size, &size, sync);
        if (cases[i].with_sync) {
            bytes = realloc(bytes, size + 16);
            memcpy(bytes + size, sync, 16);
            size += 16;
        }
        int status = read_any(bytes, size, 1, &err);
        ck_assert_msg(status == FLOE_ECORRUPT, "case %zu: %d %s", i, status, err.message);
        ck_assert(strstr(err.message, "hostile.avro") != NULL);
        free(bytes);
    }
    /* Wrong magic; no avro.schema; a schema that is not JSON; an unknown codec. */
    const uint8_t wrong_magic[] = {'O', 'b', 'j', 2, 0};
    ck_assert_int_eq(read_any(wrong_magic, sizeof wrong_magic, 0, &err), FLOE_ECORRUPT);
    ck_assert(strstr(err.message, "hostile.avro") && strstr(err.message, "magic"));
    uint8_t no_schema[4 + 1 + 16] = {'O', 'b', 'j', 1, 0};
    ck_assert_int_eq(read_any(no_schema, sizeof no_schema, 0, &err), FLOE_ECORRUPT);
    ck_assert(strstr(err.message, "avro.schema") != NULL);
    uint8_t *bytes = craft("{not json", NULL, 0, &size, sync);
    ck_assert_int_eq(read_any(bytes, size, 0, &err), FLOE_ECORRUPT);
    free(bytes);
    /* A recursive schema must be refused before Avro C builds a value for it. */
    bytes = craft("{\"type\":\"record\",\"name\":\"a\",\"fields\":[{\"name\":\"x\",\"type\":\"a\"}]}",
                  NULL, 0, &size, sync);
    ck_assert_int_lt(read_any(bytes, size, 1, &err), 0);
    free(bytes);
    /* A manifest whose schema has no data_file.partition. */
    bytes = craft(schema, NULL, 0, &size, sync);
    ck_assert_int_eq(read_any(bytes, size, 0, &err), FLOE_ECORRUPT);
    ck_assert(strstr(err.message, "partition") != NULL);
    free(bytes);
    /* A file that does not exist. */
    floe_ice_manifest *manifest = NULL;
    ck_assert_int_eq(floe_ice_manifest_read("/nonexistent/m.avro", &manifest, &err), -2);
    ck_assert(strstr(err.message, "/nonexistent/m.avro") != NULL);
}
END_TEST

START_TEST(allocation_failures_are_clean)
{
    size_t size;
    uint8_t *bytes = slurp(fixture(PARTITION_INTEGER_MANIFEST), &size);
    int failures = 0;
    for (long fail_at = 0; fail_at < 500; fail_at++) {
        floe_error err;
        floe_set_allocation_failure_after(fail_at);
        floe_ice_manifest *manifest = NULL;
        int status = floe_ice_manifest_read_memory(bytes, size, "m", &manifest, &err);
        floe_set_allocation_failure_after(-1);
        floe_ice_manifest_free(manifest);
        if (status == 0) break;
        ck_assert_msg(status == FLOE_ENOMEM, "%ld: %d %s", fail_at, status, err.message);
        failures++;
    }
    ck_assert_int_ge(failures, 3);
    free(bytes);
    floe_ice_manifest_file file;
    memset(&file, 0, sizeof file);
    file.manifest_path = "/x.avro";
    failures = 0;
    floe_ice_manifest_list_write_options options = {1, 0, 0, 1, FLOE_AVRO_CODEC_DEFLATE};
    for (long fail_at = 0; fail_at < 500; fail_at++) {
        floe_error err;
        uint8_t *out = NULL;
        size_t out_size = 0;
        floe_set_allocation_failure_after(fail_at);
        int status = floe_ice_manifest_list_write_memory(&options, &file, 1, &out, &out_size, &err);
        floe_set_allocation_failure_after(-1);
        free(out);
        if (status == 0) break;
        ck_assert_msg(status == FLOE_ENOMEM, "%ld: %d %s", fail_at, status, err.message);
        failures++;
    }
    ck_assert_int_ge(failures, 2);
}
END_TEST

START_TEST(avro_c_drops_field_ids_which_is_why_we_frame_ourselves)
{
    /* The premise of io/avro_container.c, kept as a test so an Avro C upgrade that fixes it is
     * noticed. */
    const char *text = "{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"a\",\"type\":"
                       "[\"null\",\"long\"],\"default\":null,\"field-id\":1}]}";
    avro_schema_t schema;
    ck_assert_int_eq(avro_schema_from_json_length(text, strlen(text), &schema), 0);
    char buffer[1024] = {0};
    avro_writer_t writer = avro_writer_memory(buffer, sizeof buffer - 1);
    ck_assert_int_eq(avro_schema_to_json(schema, writer), 0);
    avro_writer_free(writer);
    avro_schema_decref(schema);
    ck_assert(strstr(buffer, "field-id") == NULL);
}
END_TEST

int main(void)
{
    const char *data = getenv("FLOE_TEST_DATA");
    if (data == NULL) return 77;
    snprintf(data_dir, sizeof data_dir, "%s", data);
    if (mkdtemp(temp_dir) == NULL) return 1;
    Suite *suite = suite_create("iceberg_manifest");
    TCase *reading = tcase_create("reading");
    tcase_set_timeout(reading, 120);
    tcase_add_test(reading, every_fixture_reads_like_avro_c);
    tcase_add_test(reading, partition_integer_values_and_inheritance);
    tcase_add_test(reading, partition_timestamp_and_equality_deletes);
    tcase_add_test(reading, v1_table_gets_v1_defaults);
    tcase_add_test(reading, inheritance_refuses_existing_without_sequence_number);
    suite_add_tcase(suite, reading);
    TCase *writing = tcase_create("writing");
    tcase_add_test(writing, manifest_round_trip_partitioned_data_and_deletes);
    tcase_add_test(writing, manifest_list_round_trip);
    tcase_add_test(writing, avro_c_drops_field_ids_which_is_why_we_frame_ourselves);
    suite_add_tcase(suite, writing);
    TCase *hostile = tcase_create("hostile");
    tcase_set_timeout(hostile, 300);
    tcase_add_test(hostile, every_prefix_and_flipped_byte_fails_cleanly);
    tcase_add_test(hostile, lying_framing_is_corrupt);
    tcase_add_test(hostile, allocation_failures_are_clean);
    suite_add_tcase(suite, hostile);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    rmdir(temp_dir);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
