/*
 * Description: change detection between Iceberg snapshots on the fixture tables, checked
 * against the summaries Spark wrote: lineitem's copy-on-write DELETE (an overwrite snapshot)
 * removes and adds exactly deleted-data-files / added-data-files with their record counts;
 * name_mapping's compaction (replace); the equality-delete tables' added delete files per
 * snapshot; from == to gives nothing; a `from` that is not an ancestor (or no longer exists)
 * sets the flag with a reason instead of failing; reading every manifest list gives the same
 * answer as the shortcut through `to`'s list, except on the fixture whose list is missing,
 * where it is FLOE_ENOTFOUND naming the file.
 */
#define _POSIX_C_SOURCE 200809L

#include "io/iceberg_table.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char data_dir[1024];

static floe_ice_table *open_table(const char *relative)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/iceberg/%s", data_dir, relative);
    floe_ice_table *table = NULL;
    floe_error err;
    ck_assert_msg(floe_ice_table_open(&table, path, NULL, &err) == 0, "%s", err.message);
    return table;
}

static int64_t summary_number(const floe_ice_snapshot *snapshot, const char *key)
{
    for (size_t i = 0; i < snapshot->summary_count; i++)
        if (strcmp(snapshot->summary[i].key, key) == 0) return atoll(snapshot->summary[i].value);
    return 0;
}

static int64_t records(const floe_ice_scan_file *files, size_t count)
{
    int64_t sum = 0;
    for (size_t i = 0; i < count; i++) sum += files[i].record_count;
    return sum;
}

/* Every snapshot's changes agree with its summary. */
static void check_against_summaries(const floe_ice_changes *changes)
{
    for (size_t i = 0; i < changes->snapshot_count; i++) {
        const floe_ice_snapshot_changes *step = &changes->snapshots[i];
        const floe_ice_snapshot *s = step->snapshot;
        ck_assert_int_eq((int64_t)step->added_data_file_count, summary_number(s, "added-data-files"));
        ck_assert_int_eq((int64_t)step->removed_data_file_count,
                         summary_number(s, "deleted-data-files"));
        ck_assert_int_eq((int64_t)step->added_delete_file_count,
                         summary_number(s, "added-delete-files"));
        ck_assert_int_eq(records(step->added_data_files, step->added_data_file_count),
                         summary_number(s, "added-records"));
        ck_assert_int_eq(records(step->removed_data_files, step->removed_data_file_count),
                         summary_number(s, "deleted-records"));
        ck_assert_int_eq(step->operation, floe_ice_operation_from_text(s->operation));
        for (size_t f = 0; f < step->added_data_file_count; f++) {
            ck_assert_int_eq(step->added_data_files[f].status, FLOE_ICE_STATUS_ADDED);
            ck_assert_int_eq(step->added_data_files[f].snapshot_id, s->snapshot_id);
        }
        for (size_t f = 0; f < step->removed_data_file_count; f++)
            ck_assert_int_eq(step->removed_data_files[f].status, FLOE_ICE_STATUS_DELETED);
    }
}

static floe_ice_changes *changes_of(const floe_ice_table *table, int64_t from, int64_t to,
                                    unsigned flags)
{
    floe_ice_changes *changes = NULL;
    floe_error err;
    ck_assert_msg(floe_ice_table_changes_with(table, from, to, flags, &changes, &err) == 0, "%s",
                  err.message);
    return changes;
}

START_TEST(lineitem_copy_on_write_delete)
{
    floe_ice_table *table = open_table("lineitem_iceberg");
    for (unsigned flags = 0; flags <= FLOE_ICE_CHANGES_READ_EVERY_LIST; flags++) {
        floe_ice_changes *changes = changes_of(table, 7817332053627255703LL, -1, flags);
        ck_assert(changes->from_is_ancestor);
        ck_assert_uint_eq(changes->snapshot_count, 1);
        const floe_ice_snapshot_changes *step = &changes->snapshots[0];
        ck_assert_int_eq(step->snapshot->snapshot_id, 2354745328521181395LL);
        ck_assert_int_eq(step->operation, FLOE_ICE_OPERATION_OVERWRITE);
        /* Summary: added-data-files 1, deleted-data-files 1, 51793 added, 60175 deleted. */
        ck_assert_uint_eq(step->removed_data_file_count, 1);
        ck_assert_uint_eq(step->added_data_file_count, 1);
        ck_assert_int_eq(step->removed_data_files[0].record_count, 60175);
        ck_assert_int_eq(step->added_data_files[0].record_count, 51793);
        ck_assert_ptr_nonnull(strstr(step->removed_data_files[0].path, "00000-1-66fee7c2"));
        ck_assert_ptr_nonnull(strstr(step->added_data_files[0].path, "00000-5-dad9988f"));
        ck_assert_uint_eq(step->added_delete_file_count, 0);
        check_against_summaries(changes);
        floe_ice_changes_free(changes);
    }
    /* From the beginning: the append, then the overwrite. */
    floe_ice_changes *changes = changes_of(table, -1, -1, 0);
    ck_assert(changes->from_is_ancestor);
    ck_assert_uint_eq(changes->snapshot_count, 2);
    ck_assert_int_eq(changes->snapshots[0].operation, FLOE_ICE_OPERATION_APPEND);
    ck_assert_int_eq(changes->snapshots[0].added_data_files[0].record_count, 60175);
    check_against_summaries(changes);
    floe_ice_changes_free(changes);
    /* from == to: nothing changed. */
    changes = changes_of(table, 2354745328521181395LL, 2354745328521181395LL, 0);
    ck_assert(changes->from_is_ancestor);
    ck_assert_uint_eq(changes->snapshot_count, 0);
    floe_ice_changes_free(changes);
    floe_ice_table_free(table);
}
END_TEST

START_TEST(replace_and_equality_delete_histories)
{
    floe_ice_table *table = open_table("name_mapping/warehouse_1/mydb/t1");
    floe_ice_changes *changes = changes_of(table, 6597550917742534971LL, -1, 0);
    ck_assert_uint_eq(changes->snapshot_count, 1);
    ck_assert_int_eq(changes->snapshots[0].operation, FLOE_ICE_OPERATION_REPLACE);
    ck_assert_uint_eq(changes->snapshots[0].removed_data_file_count, 1);
    ck_assert_uint_eq(changes->snapshots[0].added_data_file_count, 1);
    check_against_summaries(changes);
    floe_ice_changes_free(changes);
    floe_ice_table_free(table);

    table = open_table("equality_deletes/warehouse/mydb/mytable_partitioned");
    for (unsigned flags = 0; flags <= FLOE_ICE_CHANGES_READ_EVERY_LIST; flags++) {
        changes = changes_of(table, -1, -1, flags);
        ck_assert_uint_eq(changes->snapshot_count, 5);
        check_against_summaries(changes);
        /* Deletes of seq 2, 3, 5 (snapshots 2, 3, 5), each an equality delete. */
        for (size_t i = 0; i < 5; i++) {
            size_t expected = (i == 1 || i == 2 || i == 4) ? 1 : 0;
            ck_assert_uint_eq(changes->snapshots[i].added_delete_file_count, expected);
            if (expected)
                ck_assert_int_eq(changes->snapshots[i].added_delete_files[0].content,
                                 FLOE_ICE_CONTENT_EQUALITY_DELETES);
        }
        floe_ice_changes_free(changes);
    }
    floe_ice_table_free(table);

    /* mytable: the shortcut through the current list does not need the missing list of
     * snapshot 7342794868382145167; reading every list does, and fails naming it. */
    table = open_table("equality_deletes/warehouse/mydb/mytable");
    changes = changes_of(table, -1, -1, 0);
    ck_assert_uint_eq(changes->snapshot_count, 6);
    check_against_summaries(changes);
    ck_assert_int_eq(changes->snapshots[1].snapshot->snapshot_id, 7342794868382145167LL);
    ck_assert_uint_eq(changes->snapshots[1].added_delete_file_count, 1);
    ck_assert_uint_eq(changes->manifest_lists_read, 1);
    floe_ice_changes_free(changes);
    floe_error err;
    changes = NULL;
    ck_assert_int_eq(floe_ice_table_changes_with(table, -1, -1, FLOE_ICE_CHANGES_READ_EVERY_LIST,
                                                 &changes, &err), FLOE_ENOTFOUND);
    ck_assert_ptr_null(changes);
    ck_assert_msg(strstr(err.message, "snap-7342794868382145167-1-34f7dec7") != NULL, "%s",
                  err.message);
    /* After that snapshot, every list exists: both ways agree. */
    for (unsigned flags = 0; flags <= FLOE_ICE_CHANGES_READ_EVERY_LIST; flags++) {
        changes = changes_of(table, 7342794868382145167LL, -1, flags);
        ck_assert_uint_eq(changes->snapshot_count, 4);
        check_against_summaries(changes);
        floe_ice_changes_free(changes);
    }
    floe_ice_table_free(table);
}
END_TEST

START_TEST(not_an_ancestor_is_a_flag)
{
    floe_ice_table *table = open_table("equality_deletes/warehouse/mydb/mytable_partitioned");
    /* Newer → older: the current snapshot is not an ancestor of the first. */
    floe_ice_changes *changes = changes_of(table, 3138177759849079112LL, 6447922032991303611LL, 0);
    ck_assert(!changes->from_is_ancestor);
    ck_assert_uint_eq(changes->snapshot_count, 0);
    ck_assert_ptr_nonnull(strstr(changes->reason, "not an ancestor"));
    floe_ice_changes_free(changes);
    /* An id the metadata no longer has (expired). */
    changes = changes_of(table, 12345, -1, 0);
    ck_assert(!changes->from_is_ancestor);
    ck_assert_ptr_nonnull(strstr(changes->reason, "12345"));
    floe_ice_changes_free(changes);
    /* An unknown `to` is an error. */
    floe_error err;
    ck_assert_int_eq(floe_ice_table_changes(table, -1, 999, &changes, &err), FLOE_ENOTFOUND);
    ck_assert_ptr_null(changes);
    floe_ice_changes_free(NULL);
    floe_ice_table_free(table);
}
END_TEST

int main(void)
{
    const char *data = getenv("FLOE_TEST_DATA");
    if (data == NULL) return 77;
    snprintf(data_dir, sizeof data_dir, "%s", data);
    Suite *suite = suite_create("iceberg_changes");
    TCase *fixtures = tcase_create("fixtures");
    tcase_set_timeout(fixtures, 60);
    tcase_add_test(fixtures, lineitem_copy_on_write_delete);
    tcase_add_test(fixtures, replace_and_equality_delete_histories);
    tcase_add_test(fixtures, not_an_ancestor_is_a_flag);
    suite_add_tcase(suite, fixtures);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
