/*
 * Description: opening Iceberg tables and planning the scan of a snapshot, on every fixture
 * table under tests/data/iceberg. Checked independently: (1) the plan's file and record sums
 * equal the totals Spark / pyiceberg wrote into the snapshot summary (total-data-files,
 * total-delete-files, total-records); (2) the live entries counted by Avro C's own reader over
 * the manifest list and its manifests (not our reader); (3) concrete facts read off the Avro
 * files and metadata by hand (which partition directories hold equality deletes, which data
 * file each delete applies to). Also: opening by warehouse name, the known fixture defect (a
 * snapshot whose manifest list is missing → FLOE_ENOTFOUND naming it), unknown snapshot ids.
 */
#define _POSIX_C_SOURCE 200809L

#include "io/iceberg_table.h"

#include <avro.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char data_dir[1024];

static const char *fixture(const char *relative)
{
    static char path[2048];
    snprintf(path, sizeof path, "%s/iceberg/%s", data_dir, relative);
    return path;
}

static floe_ice_table *open_table(const char *relative)
{
    floe_ice_table *table = NULL;
    floe_error err;
    ck_assert_msg(floe_ice_table_open(&table, fixture(relative), NULL, &err) == 0, "%s: %s",
                  relative, err.message);
    return table;
}

static int64_t summary_number(const floe_ice_snapshot *snapshot, const char *key)
{
    for (size_t i = 0; i < snapshot->summary_count; i++)
        if (strcmp(snapshot->summary[i].key, key) == 0) return atoll(snapshot->summary[i].value);
    ck_abort_msg("summary has no %s", key);
    return -1;
}

/* Re-roots a stored path the simple way: the fixtures store "<location>/rest". */
static void reroot(const floe_ice_table *table, const char *stored, char *out, size_t size)
{
    const char *location = table->metadata->location;
    if (strncmp(location, "./", 2) == 0) location += 2;
    const char *rest = strstr(stored, location);
    ck_assert_ptr_nonnull(rest);
    snprintf(out, size, "%s%s", table->directory, rest + strlen(location));
}

/* Avro C's generic reader: live (status != 2) entries of one manifest, by content, and the
 * sum of their record counts for data files. */
static void avro_c_manifest(const floe_ice_table *table, const char *manifest_path,
                            int64_t counts[3], int64_t *records)
{
    char manifest_file[4096];
    reroot(table, manifest_path, manifest_file, sizeof manifest_file);
    avro_file_reader_t reader;
    ck_assert_msg(avro_file_reader(manifest_file, &reader) == 0, "%s", avro_strerror());
    avro_schema_t schema = avro_file_reader_get_writer_schema(reader);
    avro_value_iface_t *iface = avro_generic_class_from_schema(schema);
    avro_value_t value;
    avro_generic_value_new(iface, &value);
    while (avro_file_reader_read_value(reader, &value) == 0) {
        avro_value_t status_field, data_file, content_field, count_field;
        int32_t status, content = 0;
        int64_t record_count;
        ck_assert_int_eq(avro_value_get_by_name(&value, "status", &status_field, NULL), 0);
        ck_assert_int_eq(avro_value_get_int(&status_field, &status), 0);
        ck_assert_int_eq(avro_value_get_by_name(&value, "data_file", &data_file, NULL), 0);
        if (avro_value_get_by_name(&data_file, "content", &content_field, NULL) == 0)
            ck_assert_int_eq(avro_value_get_int(&content_field, &content), 0);
        ck_assert_int_eq(avro_value_get_by_name(&data_file, "record_count", &count_field, NULL), 0);
        ck_assert_int_eq(avro_value_get_long(&count_field, &record_count), 0);
        if (status != 2) {
            ck_assert(content >= 0 && content <= 2);
            counts[content]++;
            if (content == 0) *records += record_count;
        }
    }
    avro_value_decref(&value);
    avro_value_iface_decref(iface);
    avro_schema_decref(schema);
    avro_file_reader_close(reader);
}

/* The same over every manifest of a snapshot: its manifest list read by Avro C, or (v1) its
 * "manifests" array. */
static void avro_c_live(const floe_ice_table *table, const floe_ice_snapshot *snapshot,
                        int64_t counts[3], int64_t *records)
{
    counts[0] = counts[1] = counts[2] = 0;
    *records = 0;
    if (snapshot->manifest_list == NULL) {
        ck_assert_uint_gt(snapshot->manifest_count, 0);
        for (size_t i = 0; i < snapshot->manifest_count; i++)
            avro_c_manifest(table, snapshot->manifests[i], counts, records);
        return;
    }
    char path[4096];
    reroot(table, snapshot->manifest_list, path, sizeof path);
    avro_file_reader_t lists;
    ck_assert_msg(avro_file_reader(path, &lists) == 0, "%s: %s", path, avro_strerror());
    avro_schema_t list_schema = avro_file_reader_get_writer_schema(lists);
    avro_value_iface_t *list_iface = avro_generic_class_from_schema(list_schema);
    avro_value_t list_value;
    avro_generic_value_new(list_iface, &list_value);
    while (avro_file_reader_read_value(lists, &list_value) == 0) {
        avro_value_t field;
        const char *manifest_path;
        size_t size;
        ck_assert_int_eq(avro_value_get_by_name(&list_value, "manifest_path", &field, NULL), 0);
        ck_assert_int_eq(avro_value_get_string(&field, &manifest_path, &size), 0);
        avro_c_manifest(table, manifest_path, counts, records);
    }
    avro_value_decref(&list_value);
    avro_value_iface_decref(list_iface);
    avro_schema_decref(list_schema);
    avro_file_reader_close(lists);
}

typedef struct expected_table {
    const char *directory;
    size_t data_files;      /* read off the metadata summaries by hand */
    size_t delete_files;
    int64_t records;
} expected_table;

static const expected_table tables[] = {
    {"iceberg_v1_deprecated/default/legacy_v1", 2, 0, 3},
    {"column_mapping/warehouse/default.db/my_table", 1, 0, 3},
    {"partition_timestamp/default.db/partition_timestamp", 2, 0, 2},
    {"partition_integer", 2, 0, 2},
    {"equality_deletes/warehouse/mydb/mytable", 2, 4, 6},
    {"equality_deletes/warehouse/mydb/mytable_partitioned", 6, 3, 6},
    {"lineitem_iceberg", 1, 0, 51793},
    {"name_mapping/warehouse_1/mydb/t1", 1, 0, 10000},
};

START_TEST(every_fixture_plan_matches_summary_and_avro_c)
{
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        floe_ice_table *table = open_table(tables[t].directory);
        floe_ice_scan_plan *plan = NULL;
        floe_error err;
        ck_assert_msg(floe_ice_table_plan_scan(table, -1, &plan, &err) == 0, "%s: %s",
                      tables[t].directory, err.message);
        const floe_ice_snapshot *current = floe_ice_current_snapshot(table->metadata);
        ck_assert_ptr_nonnull(current);
        ck_assert_int_eq(plan->snapshot_id, current->snapshot_id);
        /* Spark's / pyiceberg's own totals. */
        ck_assert_int_eq((int64_t)plan->task_count, summary_number(current, "total-data-files"));
        ck_assert_int_eq((int64_t)plan->delete_file_count,
                         summary_number(current, "total-delete-files"));
        ck_assert_int_eq(plan->record_count, summary_number(current, "total-records"));
        /* Numbers read off the files by hand. */
        ck_assert_uint_eq(plan->task_count, tables[t].data_files);
        ck_assert_uint_eq(plan->delete_file_count, tables[t].delete_files);
        ck_assert_int_eq(plan->record_count, tables[t].records);
        /* Avro C's reader, independently. */
        int64_t counts[3], records;
        avro_c_live(table, current, counts, &records);
        ck_assert_int_eq(counts[0], (int64_t)plan->task_count);
        ck_assert_int_eq(counts[1] + counts[2], (int64_t)plan->delete_file_count);
        ck_assert_int_eq(records, plan->record_count);
        int64_t sizes = 0;
        for (size_t i = 0; i < plan->task_count; i++) {
            const floe_ice_scan_file *file = &plan->tasks[i].data;
            /* column_mapping's data file lives outside the table's location (in
             * warehouse/example/); it is found under the moved warehouse root. */
            ck_assert_msg(file->path_found, "%s", file->path);
            ck_assert_int_eq(file->content, FLOE_ICE_CONTENT_DATA);
            ck_assert(file->status != FLOE_ICE_STATUS_DELETED);
            ck_assert(file->data_sequence_number <= plan->sequence_number);
            sizes += file->file_size;
        }
        ck_assert_int_eq(sizes, plan->file_size);
        for (size_t i = 0; i < plan->delete_file_count; i++)
            ck_assert(plan->delete_files[i].path_found);
        floe_ice_scan_plan_free(plan);
        floe_ice_table_free(table);
    }
}
END_TEST

START_TEST(equality_deletes_apply_to_the_right_files)
{
    /* Partitioned by identity(name): the three equality deletes sit in name=b, name=c and
     * name=f (their paths in ff275eec/36f9b154/b096df95-m0.avro); each applies to the one data
     * file of its partition, all written earlier (seq 1 and 4 < delete seq 2, 3, 5). */
    floe_ice_table *table = open_table("equality_deletes/warehouse/mydb/mytable_partitioned");
    floe_ice_scan_plan *plan = NULL;
    floe_error err;
    ck_assert_msg(floe_ice_table_plan_scan(table, -1, &plan, &err) == 0, "%s", err.message);
    ck_assert_int_eq(plan->sequence_number, 5);
    int with_deletes = 0;
    for (size_t i = 0; i < plan->task_count; i++) {
        const floe_ice_scan_task *task = &plan->tasks[i];
        const char *partition = strstr(task->data.path, "/name=");
        ck_assert_ptr_nonnull(partition);
        char directory[16];
        snprintf(directory, sizeof directory, "%.8s", partition); /* "/name=x/" */
        int expected = strcmp(directory, "/name=b/") == 0 || strcmp(directory, "/name=c/") == 0 ||
                       strcmp(directory, "/name=f/") == 0;
        ck_assert_uint_eq(task->delete_count, (size_t)expected);
        if (expected) {
            const floe_ice_scan_file *deletes = &plan->delete_files[task->delete_indexes[0]];
            ck_assert_int_eq(deletes->content, FLOE_ICE_CONTENT_EQUALITY_DELETES);
            ck_assert_ptr_nonnull(strstr(deletes->path, directory));
            ck_assert(deletes->data_sequence_number > task->data.data_sequence_number);
            ck_assert(deletes->file->has_equality_ids && deletes->file->equality_id_count >= 1);
            with_deletes++;
        }
    }
    ck_assert_int_eq(with_deletes, 3);
    floe_ice_scan_plan_free(plan);
    floe_ice_table_free(table);

    /* Unpartitioned: equality deletes are global. The 4-row file (seq 1) gets the deletes of
     * seq 2, 3, 4 and 6; the 2-row file appended at seq 5 only the one of seq 6. */
    table = open_table("equality_deletes/warehouse/mydb/mytable");
    ck_assert_msg(floe_ice_table_plan_scan(table, -1, &plan, &err) == 0, "%s", err.message);
    ck_assert_uint_eq(plan->task_count, 2);
    for (size_t i = 0; i < plan->task_count; i++) {
        const floe_ice_scan_task *task = &plan->tasks[i];
        if (task->data.record_count == 4) {
            ck_assert_int_eq(task->data.data_sequence_number, 1);
            ck_assert_uint_eq(task->delete_count, 4);
        } else {
            ck_assert_int_eq(task->data.record_count, 2);
            ck_assert_int_eq(task->data.data_sequence_number, 5);
            ck_assert_uint_eq(task->delete_count, 1);
            ck_assert_int_eq(plan->delete_files[task->delete_indexes[0]].data_sequence_number, 6);
        }
    }
    int64_t sequences = 0;
    for (size_t i = 0; i < plan->delete_file_count; i++)
        sequences += plan->delete_files[i].data_sequence_number;
    ck_assert_int_eq(sequences, 2 + 3 + 4 + 6);
    floe_ice_scan_plan_free(plan);
    floe_ice_table_free(table);
}
END_TEST

START_TEST(partition_values_and_older_snapshots)
{
    floe_ice_table *table = open_table("partition_integer");
    floe_ice_scan_plan *plan = NULL;
    floe_error err;
    ck_assert_int_eq(floe_ice_table_plan_scan(table, -1, &plan, &err), 0);
    int64_t sum = 0;
    for (size_t i = 0; i < plan->task_count; i++) {
        const floe_ice_scan_file *file = &plan->tasks[i].data;
        ck_assert_uint_eq(file->manifest->partition_field_count, 1);
        ck_assert_int_eq(file->manifest->partition_fields[0].field_id, 1000);
        ck_assert(!file->file->partition[0].is_null);
        sum += file->file->partition[0].as.i32; /* partition_col=42 and =1337 */
        char expected[64];
        snprintf(expected, sizeof expected, "partition_col=%d/", file->file->partition[0].as.i32);
        ck_assert_ptr_nonnull(strstr(file->path, expected));
    }
    ck_assert_int_eq(sum, 42 + 1337);
    floe_ice_scan_plan_free(plan);
    floe_ice_table_free(table);

    /* lineitem's first snapshot, before the copy-on-write delete: 60175 rows in one file. */
    table = open_table("lineitem_iceberg");
    ck_assert_int_eq(floe_ice_table_plan_scan(table, 7817332053627255703LL, &plan, &err), 0);
    ck_assert_uint_eq(plan->task_count, 1);
    ck_assert_int_eq(plan->record_count, 60175);
    ck_assert_ptr_nonnull(strstr(plan->tasks[0].data.path, "00000-1-66fee7c2"));
    floe_ice_scan_plan_free(plan);
    ck_assert_int_eq(floe_ice_table_plan_scan(table, 42, &plan, &err), FLOE_ENOTFOUND);
    ck_assert_ptr_null(plan);
    ck_assert_ptr_nonnull(strstr(err.message, "42"));
    floe_ice_table_free(table);
}
END_TEST

START_TEST(missing_manifest_list_is_not_found)
{
    /* Fixture defect: snapshot 7342794868382145167 names snap-...-1-34f7dec7...avro, which
     * is not in the folder (only a -3- file is). */
    floe_ice_table *table = open_table("equality_deletes/warehouse/mydb/mytable");
    floe_ice_scan_plan *plan = NULL;
    floe_error err;
    ck_assert_int_eq(floe_ice_table_plan_scan(table, 7342794868382145167LL, &plan, &err),
                     FLOE_ENOTFOUND);
    ck_assert_ptr_null(plan);
    ck_assert_msg(strstr(err.message, "snap-7342794868382145167-1-34f7dec7") != NULL, "%s",
                  err.message);
    ck_assert_ptr_nonnull(strstr(err.message, "7342794868382145167: manifest list"));
    floe_ice_table_free(table);
}
END_TEST

START_TEST(open_by_name_and_errors)
{
    floe_ice_table *table = NULL;
    floe_error err;
    ck_assert_msg(floe_ice_table_open(&table, "mydb.mytable", fixture("equality_deletes/warehouse"),
                                      &err) == 0, "%s", err.message);
    ck_assert_int_eq(table->metadata_version, 7);
    ck_assert_int_eq(table->metadata->current_snapshot_id, 1916084761853986166LL);
    floe_ice_table_free(table);
    ck_assert_int_eq(floe_ice_table_open(&table, "mydb.nothing", fixture("equality_deletes/warehouse"),
                                         &err), FLOE_ENOTFOUND);
    ck_assert_ptr_null(table);
    ck_assert_ptr_nonnull(strstr(err.message, "mydb.nothing"));
    ck_assert_int_eq(floe_ice_table_open(&table, "a..b", fixture(""), &err), FLOE_ESYNTAX);
    ck_assert_int_eq(floe_ice_table_open(&table, fixture("nothing/here"), NULL, &err), FLOE_ENOTFOUND);
    /* A table directory given with a trailing slash re-roots the same way. */
    char path[4096];
    snprintf(path, sizeof path, "%s/", fixture("lineitem_iceberg"));
    ck_assert_int_eq(floe_ice_table_open(&table, path, NULL, &err), 0);
    floe_ice_scan_plan *plan = NULL;
    ck_assert_int_eq(floe_ice_table_plan_scan(table, -1, &plan, &err), 0);
    ck_assert(plan->tasks[0].data.path_found);
    ck_assert_ptr_null(strstr(plan->tasks[0].data.path, "//"));
    floe_ice_scan_plan_free(plan);
    floe_ice_table_free(table);
    floe_ice_table_free(NULL);
    floe_ice_scan_plan_free(NULL);
}
END_TEST

int main(void)
{
    const char *data = getenv("FLOE_TEST_DATA");
    if (data == NULL) return 77;
    snprintf(data_dir, sizeof data_dir, "%s", data);
    Suite *suite = suite_create("iceberg_table");
    TCase *planning = tcase_create("planning");
    tcase_set_timeout(planning, 60);
    tcase_add_test(planning, every_fixture_plan_matches_summary_and_avro_c);
    tcase_add_test(planning, equality_deletes_apply_to_the_right_files);
    tcase_add_test(planning, partition_values_and_older_snapshots);
    tcase_add_test(planning, missing_manifest_list_is_not_found);
    tcase_add_test(planning, open_by_name_and_errors);
    suite_add_tcase(suite, planning);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
