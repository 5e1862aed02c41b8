/*
 * Description: a snapshot chain built here, file by file, with the metadata builders, the
 * manifest writer and the catalog's publish step, then read back by scan planning and change
 * detection and checked exactly against what was written:
 *   101 append    +A +B
 *   102 append    +C
 *   103 overwrite +D -A          (A marked DELETED in a rewrite of 101's manifest, B EXISTING)
 *   104 delete    -C             (a manifest of only a DELETED entry)
 *   105 replace   +E -B -D       (compaction: E holds B's and D's rows)
 *   106 overwrite +F, position deletes P1 (bounds name E only) and P2 (no bounds), equality
 *                 delete Q1      (a row-delta commit, as Iceberg labels it)
 *   then a new metadata version rolls the table back to 104, and
 *   108 append    +G             on top of 104: 105 and 106 are off the current branch.
 * Expected results are the chain above, not our own output: every snapshot's plan (which
 * files, which deletes apply to which data file: P1 only E, P2 every data file not newer, Q1
 * only strictly older data), and the changes for every (from, to) pair, with and without
 * FLOE_ICE_CHANGES_READ_EVERY_LIST, including the non-ancestor flag.
 * Also: the pruning predicates of floe_ice_file_may_match on identity partition values and on
 * bounds for int, long, date, timestamp, string and decimal, IS NULL / IS NOT NULL from null
 * counts, files without bounds never pruned; and the manifest reader's schema cache.
 */
#define _POSIX_C_SOURCE 200809L

#include "io/iceberg_table.h"
#include "io/catalog_fs.h"
#include "io/fs_util.h"
#include "kernels/memory.h"

#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char table_dir[512];

/* ---- building the chain ----------------------------------------------------------------- */

enum { FILE_PATH_FIELD_ID = 2147483546 };

typedef struct file_spec {
    char name;           /* 'A'..'G' data, 'P' 'R' position deletes, 'Q' equality delete */
    int32_t content;
    int32_t status;
    int64_t snapshot_id; /* 0: inherit (ADDED) */
    int64_t sequence_number;
    int64_t records;
    char bounds_for;     /* position delete whose file_path bounds name this data file */
} file_spec;

static void data_path(char name, char *out, size_t size)
{
    snprintf(out, size, "%s/data/%c.parquet", table_dir, name);
}

static char file_name(const floe_ice_scan_file *file)
{
    const char *slash = strrchr(file->file->file_path, '/');
    ck_assert_ptr_nonnull(slash);
    return slash[1];
}

static void write_manifest(const char *name, int32_t content, const file_spec *files,
                           size_t count, floe_ice_manifest_file *list_entry,
                           int64_t added_snapshot_id, int64_t sequence_number)
{
    static char paths[64][600];
    static int used;
    ck_assert_int_lt(used, 64);
    char *manifest_path = paths[used++];
    snprintf(manifest_path, 600, "%s/metadata/%s.avro", table_dir, name);
    floe_ice_manifest_entry entries[8];
    char file_paths[8][600];
    uint8_t bound[8][600];
    floe_ice_int_bytes lower[8], upper[8];
    int32_t equality_ids[1] = {1};
    memset(entries, 0, sizeof entries);
    ck_assert_uint_le(count, 8);
    int added = 0, existing = 0, deleted = 0;
    for (size_t i = 0; i < count; i++) {
        floe_ice_manifest_entry *entry = &entries[i];
        data_path(files[i].name, file_paths[i], sizeof file_paths[i]);
        entry->status = files[i].status;
        if (files[i].snapshot_id != 0) {
            entry->has_snapshot_id = 1;
            entry->snapshot_id = files[i].snapshot_id;
            entry->has_sequence_number = entry->has_file_sequence_number = 1;
            entry->sequence_number = entry->file_sequence_number = files[i].sequence_number;
        }
        floe_ice_data_file *file = &entry->data_file;
        file->content = files[i].content;
        file->file_path = file_paths[i];
        file->file_format = "PARQUET";
        file->record_count = files[i].records;
        file->file_size_in_bytes = 100 * files[i].records;
        if (files[i].bounds_for) {
            char target[600];
            data_path(files[i].bounds_for, target, sizeof target);
            size_t length = strlen(target);
            memcpy(bound[i], target, length);
            lower[i] = (floe_ice_int_bytes){FILE_PATH_FIELD_ID, {bound[i], length}};
            upper[i] = lower[i];
            file->lower_bounds = (floe_ice_bounds){1, 1, &lower[i]};
            file->upper_bounds = (floe_ice_bounds){1, 1, &upper[i]};
        }
        if (files[i].content == FLOE_ICE_CONTENT_EQUALITY_DELETES) {
            file->has_equality_ids = 1;
            file->equality_id_count = 1;
            file->equality_ids = equality_ids;
        }
        added += entry->status == FLOE_ICE_STATUS_ADDED;
        existing += entry->status == FLOE_ICE_STATUS_EXISTING;
        deleted += entry->status == FLOE_ICE_STATUS_DELETED;
    }
    floe_ice_manifest_write_options options = {
        "{\"type\":\"struct\",\"schema-id\":0,\"fields\":[{\"id\":1,\"name\":\"id\","
        "\"required\":true,\"type\":\"long\"}]}",
        0, "[]", 0, content, NULL, 0, FLOE_AVRO_CODEC_DEFLATE};
    int64_t length = 0;
    floe_error err;
    ck_assert_msg(floe_ice_manifest_write(manifest_path, &options, entries, count, &length,
                                          &err) == 0,
                  "%s", err.message);
    memset(list_entry, 0, sizeof *list_entry);
    list_entry->manifest_path = manifest_path;
    list_entry->manifest_length = length;
    list_entry->content = content;
    list_entry->sequence_number = sequence_number;
    list_entry->min_sequence_number = sequence_number;
    list_entry->added_snapshot_id = added_snapshot_id;
    list_entry->added_files_count = added;
    list_entry->existing_files_count = existing;
    list_entry->deleted_files_count = deleted;
    list_entry->added_rows_count = 0;
    list_entry->existing_rows_count = 0;
    list_entry->deleted_rows_count = 0;
}

static int64_t version;

static void publish(floe_ice_table_metadata *metadata)
{
    char *json = NULL;
    size_t size = 0;
    floe_error err;
    ck_assert_msg(floe_ice_table_metadata_write_json(metadata, &json, &size, &err) == 0, "%s",
                  err.message);
    int64_t published = 0;
    ck_assert_msg(floe_io_catalog_publish(table_dir, version, json, size, &published, &err) == 0,
                  "%s", err.message);
    ck_assert_int_eq(published, version + 1);
    version = published;
    floe_free(json);
}

static void commit(floe_ice_table_metadata *metadata, int64_t id, int64_t parent, int64_t sequence,
                   const char *operation, const floe_ice_manifest_file *manifests, size_t count,
                   const char *added_data, const char *deleted_data, const char *added_deletes,
                   const char *total_data)
{
    char list_path[600];
    snprintf(list_path, sizeof list_path, "%s/metadata/snap-%" PRId64 ".avro", table_dir, id);
    floe_ice_manifest_list_write_options options = {id, parent != -1, parent, sequence,
                                                    FLOE_AVRO_CODEC_NULL};
    floe_error err;
    ck_assert_msg(floe_ice_manifest_list_write(list_path, &options, manifests, count, &err) == 0,
                  "%s", err.message);
    floe_ice_property summary[] = {{"added-data-files", added_data},
                                   {"deleted-data-files", deleted_data},
                                   {"added-delete-files", added_deletes},
                                   {"total-data-files", total_data}};
    floe_ice_new_snapshot snapshot = {id, parent, sequence, 1700000000000LL + id, list_path,
                                      operation, summary, 4};
    ck_assert_msg(floe_ice_table_metadata_add_snapshot(metadata, &snapshot, &err) == 0, "%s",
                  err.message);
    publish(metadata);
}

#define D FLOE_ICE_CONTENT_DATA
#define POS FLOE_ICE_CONTENT_POSITION_DELETES
#define EQ FLOE_ICE_CONTENT_EQUALITY_DELETES
#define ADD FLOE_ICE_STATUS_ADDED
#define EXIST FLOE_ICE_STATUS_EXISTING
#define DEL FLOE_ICE_STATUS_DELETED

static void build_chain(void)
{
    char path[700];
    snprintf(table_dir, sizeof table_dir, "/tmp/floe-test-chain-%ld", (long)getpid());
    snprintf(path, sizeof path, "%s/metadata", table_dir);
    floe_error err;
    ck_assert_msg(floe_io_make_directories(path, &err) == 0, "%s", err.message);
    version = 0;
    floe_ice_new_column columns[] = {{"id", {FLOE_TYPE_INT64, 0, 0}, 1, 0, NULL}};
    floe_ice_table_metadata *metadata = NULL;
    ck_assert(floe_ice_table_metadata_create(table_dir, columns, 1, 1700000000000LL, &metadata,
                                             &err) == 0);
    publish(metadata); /* v1: no snapshot */

    floe_ice_manifest_file m1, m2, m3a, m3b, m4, m5a, m5b, m6d, m6x, m8;
    const file_spec s1[] = {{'A', D, ADD, 0, 0, 10, 0}, {'B', D, ADD, 0, 0, 20, 0}};
    write_manifest("m1", 0, s1, 2, &m1, 101, 1);
    commit(metadata, 101, -1, 1, "append", (floe_ice_manifest_file[]){m1}, 1, "2", "0", "0",
           "2");
    const file_spec s2[] = {{'C', D, ADD, 0, 0, 5, 0}};
    write_manifest("m2", 0, s2, 1, &m2, 102, 2);
    commit(metadata, 102, 101, 2, "append", (floe_ice_manifest_file[]){m2, m1}, 2, "1", "0", "0",
           "3");
    const file_spec s3a[] = {{'D', D, ADD, 0, 0, 8, 0}};
    const file_spec s3b[] = {{'A', D, DEL, 103, 1, 10, 0}, {'B', D, EXIST, 101, 1, 20, 0}};
    write_manifest("m3a", 0, s3a, 1, &m3a, 103, 3);
    write_manifest("m3b", 0, s3b, 2, &m3b, 103, 3);
    commit(metadata, 103, 102, 3, "overwrite", (floe_ice_manifest_file[]){m3a, m3b, m2}, 3, "1",
           "1", "0", "3");
    const file_spec s4[] = {{'C', D, DEL, 104, 2, 5, 0}};
    write_manifest("m4", 0, s4, 1, &m4, 104, 4);
    commit(metadata, 104, 103, 4, "delete", (floe_ice_manifest_file[]){m4, m3a, m3b}, 3, "0",
           "1", "0", "2");
    const file_spec s5a[] = {{'E', D, ADD, 0, 0, 28, 0}};
    const file_spec s5b[] = {{'B', D, DEL, 105, 1, 20, 0}, {'D', D, DEL, 105, 3, 8, 0}};
    write_manifest("m5a", 0, s5a, 1, &m5a, 105, 5);
    write_manifest("m5b", 0, s5b, 2, &m5b, 105, 5);
    commit(metadata, 105, 104, 5, "replace", (floe_ice_manifest_file[]){m5a, m5b}, 2, "1", "2",
           "0", "1");
    const file_spec s6d[] = {{'F', D, ADD, 0, 0, 7, 0}};
    const file_spec s6x[] = {{'P', POS, ADD, 0, 0, 2, 'E'},
                             {'R', POS, ADD, 0, 0, 3, 0},
                             {'Q', EQ, ADD, 0, 0, 1, 0}};
    write_manifest("m6d", 0, s6d, 1, &m6d, 106, 6);
    write_manifest("m6x", 1, s6x, 3, &m6x, 106, 6);
    commit(metadata, 106, 105, 6, "overwrite", (floe_ice_manifest_file[]){m6d, m6x, m5a}, 3, "1",
           "0", "3", "2");

    /* Roll back to 104 in a new metadata version (the main branch moves with it). */
    metadata->current_snapshot_id = 104;
    for (size_t i = 0; i < metadata->ref_count; i++)
        if (strcmp(metadata->refs[i].name, "main") == 0) metadata->refs[i].snapshot_id = 104;
    publish(metadata);
    floe_ice_table *check = NULL;
    ck_assert_msg(floe_ice_table_open(&check, table_dir, NULL, &err) == 0, "%s", err.message);
    ck_assert_int_eq(check->metadata->current_snapshot_id, 104);
    ck_assert_int_eq(check->metadata_version, version);
    floe_ice_table_free(check);

    const file_spec s8[] = {{'G', D, ADD, 0, 0, 3, 0}};
    write_manifest("m8", 0, s8, 1, &m8, 108, 7);
    commit(metadata, 108, 104, 7, "append", (floe_ice_manifest_file[]){m8, m3a, m3b}, 3, "1", "0",
           "0", "3");
    floe_ice_table_metadata_free(metadata);
}

static void remove_tree(const char *directory)
{
    char command[1200];
    snprintf(command, sizeof command, "rm -rf '%s'", directory);
    ck_assert_int_eq(system(command), 0);
}

/* ---- expectations ----------------------------------------------------------------------- */

typedef struct expected_plan {
    int64_t snapshot_id;
    const char *data;          /* data file names, sorted */
    const char *deletes;       /* delete file names, sorted */
    const char *applies[8];    /* "E:PQR": data file E gets P, Q, R */
} expected_plan;

static const expected_plan plans[] = {
    {101, "AB", "", {NULL}},
    {102, "ABC", "", {NULL}},
    {103, "BCD", "", {NULL}},
    {104, "BD", "", {NULL}},
    {105, "E", "", {NULL}},
    /* P names E by its bounds; R (no bounds) applies to every data file with data sequence
     * number <= 6 (E: 5, F: 6); the equality delete Q only to data strictly older (E). */
    {106, "EF", "PQR", {"E:PQR", "F:R", NULL}},
    {108, "BDG", "", {NULL}},
};

static void sort_chars(char *text)
{
    size_t length = strlen(text);
    for (size_t i = 1; i < length; i++)
        for (size_t j = i; j > 0 && text[j - 1] > text[j]; j--) {
            char swap = text[j];
            text[j] = text[j - 1];
            text[j - 1] = swap;
        }
}

static void names_of(const floe_ice_scan_file *files, size_t count, char *out)
{
    for (size_t i = 0; i < count; i++) out[i] = file_name(&files[i]);
    out[count] = '\0';
    sort_chars(out);
}

static floe_ice_table *open_chain(void)
{
    floe_ice_table *table = NULL;
    floe_error err;
    ck_assert_msg(floe_ice_table_open(&table, table_dir, NULL, &err) == 0, "%s", err.message);
    return table;
}

START_TEST(every_snapshot_plans_exactly)
{
    build_chain();
    floe_ice_table *table = open_chain();
    ck_assert_int_eq(table->metadata->current_snapshot_id, 108);
    ck_assert_uint_eq(table->metadata->snapshot_count, 7);
    for (size_t p = 0; p < sizeof plans / sizeof plans[0]; p++) {
        const expected_plan *expected = &plans[p];
        floe_ice_scan_plan *plan = NULL;
        floe_error err;
        ck_assert_msg(floe_ice_table_plan_scan(table, expected->snapshot_id, &plan, &err) == 0,
                      "%s", err.message);
        char names[16];
        floe_ice_scan_file data[16];
        ck_assert_uint_lt(plan->task_count, 16);
        for (size_t i = 0; i < plan->task_count; i++) data[i] = plan->tasks[i].data;
        names_of(data, plan->task_count, names);
        ck_assert_msg(strcmp(names, expected->data) == 0, "snapshot %" PRId64 ": data %s, not %s",
                      expected->snapshot_id, names, expected->data);
        names_of(plan->delete_files, plan->delete_file_count, names);
        ck_assert_msg(strcmp(names, expected->deletes) == 0, "snapshot %" PRId64 ": deletes %s",
                      expected->snapshot_id, names);
        int64_t records = 0;
        for (size_t i = 0; i < plan->task_count; i++) {
            const floe_ice_scan_task *task = &plan->tasks[i];
            records += task->data.record_count;
            ck_assert(!task->data.path_found); /* no data file was written */
            char applied[16] = "";
            for (size_t d = 0; d < task->delete_count; d++) {
                if (d > 0) ck_assert_uint_gt(task->delete_indexes[d], task->delete_indexes[d - 1]);
                ck_assert_uint_lt(task->delete_indexes[d], plan->delete_file_count);
                applied[d] = file_name(&plan->delete_files[task->delete_indexes[d]]);
            }
            applied[task->delete_count] = '\0';
            sort_chars(applied);
            const char *want = "";
            for (size_t a = 0; expected->applies[a] != NULL; a++)
                if (expected->applies[a][0] == file_name(&task->data)) want = expected->applies[a] + 2;
            ck_assert_msg(strcmp(applied, want) == 0, "snapshot %" PRId64 ": %c gets %s, not %s",
                          expected->snapshot_id, file_name(&task->data), applied, want);
        }
        ck_assert_int_eq(records, plan->record_count);
        /* Data sequence numbers as inherited or stored. */
        for (size_t i = 0; i < plan->task_count; i++) {
            char name = file_name(&plan->tasks[i].data);
            int64_t want = name == 'A' || name == 'B' ? 1 : name == 'C' ? 2 : name == 'D' ? 3
                         : name == 'E' ? 5 : name == 'F' ? 6 : 7;
            ck_assert_int_eq(plan->tasks[i].data.data_sequence_number, want);
        }
        floe_ice_scan_plan_free(plan);
    }
    /* The current snapshot by default, after the rollback and the new branch. */
    floe_ice_scan_plan *plan = NULL;
    ck_assert_int_eq(floe_ice_table_plan_scan(table, -1, &plan, NULL), 0);
    ck_assert_int_eq(plan->snapshot_id, 108);
    ck_assert_uint_eq(plan->task_count, 3);
    floe_ice_scan_plan_free(plan);
    floe_ice_table_free(table);
    remove_tree(table_dir);
}
END_TEST

/* What each snapshot changed: added data, removed data, added deletes (sorted names). */
typedef struct expected_step {
    int64_t snapshot_id;
    int64_t parent;
    floe_ice_operation operation;
    const char *added;
    const char *removed;
    const char *added_deletes;
} expected_step;

static const expected_step steps[] = {
    {101, -1, FLOE_ICE_OPERATION_APPEND, "AB", "", ""},
    {102, 101, FLOE_ICE_OPERATION_APPEND, "C", "", ""},
    {103, 102, FLOE_ICE_OPERATION_OVERWRITE, "D", "A", ""},
    {104, 103, FLOE_ICE_OPERATION_DELETE, "", "C", ""},
    {105, 104, FLOE_ICE_OPERATION_REPLACE, "E", "BD", ""},
    {106, 105, FLOE_ICE_OPERATION_OVERWRITE, "F", "", "PQR"},
    {108, 104, FLOE_ICE_OPERATION_APPEND, "G", "", ""},
};
enum { STEP_COUNT = sizeof steps / sizeof steps[0] };

static const expected_step *step_of(int64_t id)
{
    for (size_t i = 0; i < STEP_COUNT; i++)
        if (steps[i].snapshot_id == id) return &steps[i];
    return NULL;
}

/* The path from `from` (exclusive) to `to`, oldest first, from the table above; -1 entries
 * when `from` is not an ancestor. Returns the length, or -1 for "not an ancestor". */
static int expected_path(int64_t from, int64_t to, int64_t path[8])
{
    int64_t reversed[8];
    int length = 0;
    for (int64_t id = to; id != from; id = step_of(id)->parent) {
        if (id == -1) return -1;
        reversed[length++] = id;
    }
    for (int i = 0; i < length; i++) path[i] = reversed[length - 1 - i];
    return length;
}

START_TEST(changes_between_every_pair)
{
    build_chain();
    floe_ice_table *table = open_chain();
    int64_t ids[STEP_COUNT + 1];
    ids[0] = -1;
    for (size_t i = 0; i < STEP_COUNT; i++) ids[i + 1] = steps[i].snapshot_id;
    size_t pairs = 0, not_ancestor = 0;
    for (unsigned flags = 0; flags <= FLOE_ICE_CHANGES_READ_EVERY_LIST; flags++) {
        for (size_t f = 0; f <= STEP_COUNT; f++) {
            for (size_t t = 1; t <= STEP_COUNT; t++) {
                int64_t from = ids[f], to = ids[t];
                floe_ice_changes *changes = NULL;
                floe_error err;
                ck_assert_msg(floe_ice_table_changes_with(table, from, to, flags, &changes,
                                                          &err) == 0,
                              "%" PRId64 " -> %" PRId64 ": %s", from, to, err.message);
                int64_t path[8];
                int length = expected_path(from, to, path);
                pairs++;
                if (length < 0) {
                    not_ancestor++;
                    ck_assert_msg(!changes->from_is_ancestor, "%" PRId64 " -> %" PRId64, from, to);
                    ck_assert_ptr_nonnull(changes->reason);
                    ck_assert_ptr_nonnull(strstr(changes->reason, "not an ancestor"));
                    ck_assert_uint_eq(changes->snapshot_count, 0);
                    floe_ice_changes_free(changes);
                    continue;
                }
                ck_assert_msg(changes->from_is_ancestor, "%" PRId64 " -> %" PRId64 ": %s", from,
                              to, changes->reason);
                ck_assert_ptr_null(changes->reason);
                ck_assert_uint_eq(changes->snapshot_count, (size_t)length);
                for (int i = 0; i < length; i++) {
                    const floe_ice_snapshot_changes *step = &changes->snapshots[i];
                    const expected_step *want = step_of(path[i]);
                    ck_assert_int_eq(step->snapshot->snapshot_id, want->snapshot_id);
                    ck_assert_int_eq(step->operation, want->operation);
                    char names[16];
                    names_of(step->added_data_files, step->added_data_file_count, names);
                    ck_assert_msg(strcmp(names, want->added) == 0,
                                  "%" PRId64 " -> %" PRId64 " at %" PRId64 ": added %s", from, to,
                                  want->snapshot_id, names);
                    names_of(step->removed_data_files, step->removed_data_file_count, names);
                    ck_assert_msg(strcmp(names, want->removed) == 0,
                                  "%" PRId64 " -> %" PRId64 " at %" PRId64 ": removed %s", from,
                                  to, want->snapshot_id, names);
                    names_of(step->added_delete_files, step->added_delete_file_count, names);
                    ck_assert_str_eq(names, want->added_deletes);
                    ck_assert_uint_eq(step->removed_delete_file_count, 0);
                    for (size_t k = 0; k < step->added_data_file_count; k++) {
                        ck_assert_int_eq(step->added_data_files[k].status, FLOE_ICE_STATUS_ADDED);
                        ck_assert_int_eq(step->added_data_files[k].snapshot_id, want->snapshot_id);
                    }
                    for (size_t k = 0; k < step->removed_data_file_count; k++) {
                        ck_assert_int_eq(step->removed_data_files[k].status,
                                         FLOE_ICE_STATUS_DELETED);
                        ck_assert_int_eq(step->removed_data_files[k].snapshot_id,
                                         want->snapshot_id);
                    }
                    for (size_t k = 0; k < step->added_delete_file_count; k++) {
                        char name = file_name(&step->added_delete_files[k]);
                        ck_assert_int_eq(step->added_delete_files[k].content,
                                         name == 'Q' ? FLOE_ICE_CONTENT_EQUALITY_DELETES
                                                     : FLOE_ICE_CONTENT_POSITION_DELETES);
                    }
                }
                floe_ice_changes_free(changes);
            }
        }
    }
    /* 8 froms x 7 tos x 2 modes. Non-ancestor pairs, counted by hand: to 101..105 from a
     * later snapshot of the chain (5+4+3+2+1 = 15), to 101..106 from 108 (6), to 108 from 105
     * or 106 (2): 23 per mode. */
    ck_assert_uint_eq(pairs, 2 * 8 * 7);
    ck_assert_uint_eq(not_ancestor, 2 * 23);
    floe_ice_table_free(table);
    remove_tree(table_dir);
}
END_TEST

/* The manifest reader parses each distinct schema text once, and reads the same as the plain
 * function. */
START_TEST(manifest_reader_caches_schemas)
{
    build_chain();
    floe_ice_manifest_reader *reader = NULL;
    ck_assert_int_eq(floe_ice_manifest_reader_create(&reader, NULL), 0);
    const char *names[] = {"m1", "m2", "m3a", "m3b", "m4", "m6x", "m1"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[700];
        snprintf(path, sizeof path, "%s/metadata/%s.avro", table_dir, names[i]);
        floe_ice_manifest *cached = NULL, *plain = NULL;
        floe_error err;
        ck_assert_msg(floe_ice_manifest_reader_read(reader, path, &cached, &err) == 0, "%s",
                      err.message);
        ck_assert_int_eq(floe_ice_manifest_read(path, &plain, &err), 0);
        ck_assert_uint_eq(cached->count, plain->count);
        ck_assert_int_eq(cached->content, plain->content);
        ck_assert_uint_eq(cached->partition_field_count, plain->partition_field_count);
        for (size_t e = 0; e < cached->count; e++) {
            ck_assert_str_eq(cached->entries[e].data_file.file_path,
                             plain->entries[e].data_file.file_path);
            ck_assert_int_eq(cached->entries[e].status, plain->entries[e].status);
            ck_assert_int_eq(cached->entries[e].data_file.record_count,
                             plain->entries[e].data_file.record_count);
            ck_assert_uint_eq(cached->entries[e].data_file.lower_bounds.count,
                              plain->entries[e].data_file.lower_bounds.count);
        }
        floe_ice_manifest_free(plain);
        floe_ice_manifest_reader_free(NULL);
        /* The manifest outlives nothing it needs: free the reader later, manifest first. */
        floe_ice_manifest_free(cached);
    }
    /* Data and delete manifests of this table have one schema text between them. */
    ck_assert_uint_eq(floe_ice_manifest_reader_schemas_parsed(reader), 1);
    char list_path[700];
    snprintf(list_path, sizeof list_path, "%s/metadata/snap-106.avro", table_dir);
    floe_ice_manifest_list *list = NULL;
    ck_assert_int_eq(floe_ice_manifest_reader_read_list(reader, list_path, &list, NULL), 0);
    ck_assert_uint_eq(list->count, 3);
    ck_assert_uint_eq(floe_ice_manifest_reader_schemas_parsed(reader), 2);
    /* A manifest read through the reader stays valid after the reader is gone. */
    char path[700];
    snprintf(path, sizeof path, "%s/metadata/m6x.avro", table_dir);
    floe_ice_manifest *kept = NULL;
    ck_assert_int_eq(floe_ice_manifest_reader_read(reader, path, &kept, NULL), 0);
    floe_ice_manifest_reader_free(reader);
    ck_assert_uint_eq(kept->count, 3);
    ck_assert_int_eq(kept->entries[2].data_file.content, FLOE_ICE_CONTENT_EQUALITY_DELETES);
    ck_assert_ptr_nonnull(strstr(kept->entries[0].data_file.file_path, "/data/P.parquet"));
    ck_assert_uint_eq(kept->entries[0].data_file.lower_bounds.count, 1);
    floe_ice_manifest_free(kept);
    floe_ice_manifest_list_free(list);
    remove_tree(table_dir);
}
END_TEST

/* ---- pruning ---------------------------------------------------------------------------- */

/* One data file with a partition tuple and metrics, held in static storage. */
typedef struct prune_file {
    floe_ice_manifest manifest;
    floe_ice_manifest_partition_field partition_fields[1];
    floe_ice_data_file data;
    floe_ice_value partition[1];
    floe_ice_int_long nulls[1], values[1];
    floe_ice_int_bytes lower[1], upper[1];
    uint8_t lower_bytes[16], upper_bytes[16];
    floe_ice_scan_file scan;
} prune_file;

static void prune_file_init(prune_file *file)
{
    memset(file, 0, sizeof *file);
    file->data.partition = file->partition;
    file->manifest.partition_fields = file->partition_fields;
    file->scan.file = &file->data;
    file->scan.manifest = &file->manifest;
    file->scan.content = FLOE_ICE_CONTENT_DATA;
}

static void set_bounds(prune_file *file, int32_t field_id, const void *lower, const void *upper,
                       size_t size)
{
    memcpy(file->lower_bytes, lower, size);
    memcpy(file->upper_bytes, upper, size);
    file->lower[0] = (floe_ice_int_bytes){field_id, {file->lower_bytes, size}};
    file->upper[0] = (floe_ice_int_bytes){field_id, {file->upper_bytes, size}};
    file->data.lower_bounds = (floe_ice_bounds){1, 1, file->lower};
    file->data.upper_bounds = (floe_ice_bounds){1, 1, file->upper};
}

static void set_counts(prune_file *file, int32_t field_id, int64_t values, int64_t nulls)
{
    file->values[0] = (floe_ice_int_long){field_id, values};
    file->nulls[0] = (floe_ice_int_long){field_id, nulls};
    file->data.value_counts = (floe_ice_counts){1, 1, file->values};
    file->data.null_value_counts = (floe_ice_counts){1, 1, file->nulls};
}

static int may_match(const prune_file *file, const floe_ice_partition_spec *spec,
                     floe_ice_predicate_op op, floe_type type, floe_ice_value literal,
                     int32_t field_id)
{
    floe_ice_predicate predicate = {field_id, op, literal};
    return floe_ice_file_may_match(&file->scan, spec, &predicate, &type, 1);
}

static floe_ice_value i64(int64_t value)
{
    floe_ice_value v;
    memset(&v, 0, sizeof v);
    v.as.i64 = value;
    return v;
}

static floe_ice_value i32(int32_t value)
{
    floe_ice_value v;
    memset(&v, 0, sizeof v);
    v.as.i32 = value;
    return v;
}

static floe_ice_value text(const char *value)
{
    floe_ice_value v;
    memset(&v, 0, sizeof v);
    v.as.bytes.data = (const uint8_t *)value;
    v.as.bytes.size = strlen(value);
    return v;
}

/* The five comparison outcomes of a column whose values lie in [low, high], checked against
 * literals below, at, inside and above the range. `lit(k)` gives literal k of 0..4 as
 * below low, low, inside, high, above high. */
static void check_range(const prune_file *file, floe_type type, const floe_ice_value lit[5],
                        int32_t field_id)
{
    /* op:              below  low  inside  high  above */
    static const int eq[5] = {0, 1, 1, 1, 0};
    static const int lt[5] = {0, 0, 1, 1, 1};
    static const int le[5] = {0, 1, 1, 1, 1};
    static const int gt[5] = {1, 1, 1, 0, 0};
    static const int ge[5] = {1, 1, 1, 1, 0};
    for (int k = 0; k < 5; k++) {
        ck_assert_int_eq(may_match(file, NULL, FLOE_ICE_PREDICATE_EQ, type, lit[k], field_id), eq[k]);
        ck_assert_int_eq(may_match(file, NULL, FLOE_ICE_PREDICATE_LT, type, lit[k], field_id), lt[k]);
        ck_assert_int_eq(may_match(file, NULL, FLOE_ICE_PREDICATE_LE, type, lit[k], field_id), le[k]);
        ck_assert_int_eq(may_match(file, NULL, FLOE_ICE_PREDICATE_GT, type, lit[k], field_id), gt[k]);
        ck_assert_int_eq(may_match(file, NULL, FLOE_ICE_PREDICATE_GE, type, lit[k], field_id), ge[k]);
    }
}

static void little_endian(uint8_t *out, uint64_t value, size_t size)
{
    for (size_t i = 0; i < size; i++) out[i] = (uint8_t)(value >> (8 * i));
}

START_TEST(pruning_by_bounds)
{
    static prune_file file;
    uint8_t low[8], high[8];
    /* int: [10, 20] (4-byte little-endian, spec Appendix D). */
    prune_file_init(&file);
    little_endian(low, (uint32_t)10, 4);
    little_endian(high, (uint32_t)20, 4);
    set_bounds(&file, 1, low, high, 4);
    floe_ice_value ints[5] = {i32(9), i32(10), i32(15), i32(20), i32(21)};
    check_range(&file, floe_type_make(FLOE_TYPE_INT32), ints, 1);
    /* A predicate on another column: no bounds for it, never pruned. */
    ck_assert(may_match(&file, NULL, FLOE_ICE_PREDICATE_EQ, floe_type_make(FLOE_TYPE_INT32),
                        i32(1000), 2));
    /* date: the same encoding, days since 1970-01-01: [2024-01-01, 2024-12-31]. */
    little_endian(low, (uint32_t)19723, 4);
    little_endian(high, (uint32_t)20088, 4);
    set_bounds(&file, 1, low, high, 4);
    floe_ice_value days[5] = {i32(19722), i32(19723), i32(19900), i32(20088), i32(20089)};
    check_range(&file, floe_type_make(FLOE_TYPE_DATE), days, 1);
    /* long: [-5, 1e12] (8 bytes). */
    little_endian(low, (uint64_t)-5, 8);
    little_endian(high, (uint64_t)1000000000000LL, 8);
    set_bounds(&file, 1, low, high, 8);
    floe_ice_value longs[5] = {i64(-6), i64(-5), i64(0), i64(1000000000000LL),
                               i64(1000000000001LL)};
    check_range(&file, floe_type_make(FLOE_TYPE_INT64), longs, 1);
    /* timestamp (micros): [2024-01-01T00:00:00, 2024-01-02T00:00:00]. */
    little_endian(low, (uint64_t)1704067200000000LL, 8);
    little_endian(high, (uint64_t)1704153600000000LL, 8);
    set_bounds(&file, 1, low, high, 8);
    floe_ice_value stamps[5] = {i64(1704067199999999LL), i64(1704067200000000LL),
                                i64(1704100000000000LL), i64(1704153600000000LL),
                                i64(1704153600000001LL)};
    check_range(&file, floe_type_make(FLOE_TYPE_TIMESTAMP), stamps, 1);
    check_range(&file, floe_type_make(FLOE_TYPE_TIMESTAMPTZ), stamps, 1);
    /* string: ["apple", "melon"], compared as UTF-8 bytes. */
    set_bounds(&file, 1, "apple", "melon", 5);
    file.upper[0].value.size = 5;
    floe_ice_value strings[5] = {text("aardvark"), text("apple"), text("banana"), text("melon"),
                                 text("melons")};
    check_range(&file, floe_type_make(FLOE_TYPE_STRING), strings, 1);
    /* decimal(9,2): [-1.50, 300.00] as big-endian two's complement of the unscaled value,
     * minimum bytes: -150 = ff 6a, 30000 = 75 30. */
    set_bounds(&file, 1, (const uint8_t[]){0xff, 0x6a}, (const uint8_t[]){0x75, 0x30}, 2);
    floe_ice_value decimals[5] = {i64(-151), i64(-150), i64(0), i64(30000), i64(30001)};
    check_range(&file, floe_type_decimal(9, 2), decimals, 1);
    /* A file with no bounds at all is never pruned. */
    prune_file_init(&file);
    for (int op = FLOE_ICE_PREDICATE_EQ; op <= FLOE_ICE_PREDICATE_NOT_NULL; op++)
        ck_assert(may_match(&file, NULL, (floe_ice_predicate_op)op,
                            floe_type_make(FLOE_TYPE_INT64), i64(42), 1));
}
END_TEST

START_TEST(pruning_by_null_counts)
{
    static prune_file file;
    floe_type type = floe_type_make(FLOE_TYPE_INT64);
    prune_file_init(&file);
    /* No nulls among 10 values: IS NULL prunes, IS NOT NULL keeps. */
    set_counts(&file, 3, 10, 0);
    ck_assert(!may_match(&file, NULL, FLOE_ICE_PREDICATE_IS_NULL, type, i64(0), 3));
    ck_assert(may_match(&file, NULL, FLOE_ICE_PREDICATE_NOT_NULL, type, i64(0), 3));
    /* Some nulls: both keep. */
    set_counts(&file, 3, 10, 4);
    ck_assert(may_match(&file, NULL, FLOE_ICE_PREDICATE_IS_NULL, type, i64(0), 3));
    ck_assert(may_match(&file, NULL, FLOE_ICE_PREDICATE_NOT_NULL, type, i64(0), 3));
    ck_assert(may_match(&file, NULL, FLOE_ICE_PREDICATE_EQ, type, i64(7), 3));
    /* Every value null: IS NOT NULL and every comparison prune, IS NULL keeps. */
    set_counts(&file, 3, 10, 10);
    ck_assert(may_match(&file, NULL, FLOE_ICE_PREDICATE_IS_NULL, type, i64(0), 3));
    ck_assert(!may_match(&file, NULL, FLOE_ICE_PREDICATE_NOT_NULL, type, i64(0), 3));
    ck_assert(!may_match(&file, NULL, FLOE_ICE_PREDICATE_EQ, type, i64(7), 3));
    ck_assert(!may_match(&file, NULL, FLOE_ICE_PREDICATE_GT, type, i64(7), 3));
    /* Counts of another column say nothing about column 3. */
    set_counts(&file, 4, 10, 0);
    ck_assert(may_match(&file, NULL, FLOE_ICE_PREDICATE_IS_NULL, type, i64(0), 3));
}
END_TEST

START_TEST(pruning_by_identity_partition)
{
    static prune_file file;
    /* Partitioned by identity(region) (source column 2, partition field 1000) and
     * bucket[4](id) (source 1, field 1001): only the identity field prunes. */
    floe_ice_partition_field spec_fields[2] = {
        {2, 1000, "region", FLOE_ICE_TRANSFORM_IDENTITY, 0, "identity"},
        {1, 1001, "id_bucket", FLOE_ICE_TRANSFORM_BUCKET, 4, "bucket[4]"}};
    floe_ice_partition_spec spec = {0, spec_fields, 2};
    floe_type string = floe_type_make(FLOE_TYPE_STRING);
    prune_file_init(&file);
    file.manifest.partition_field_count = 1;
    file.partition_fields[0] = (floe_ice_manifest_partition_field){"region", 1000, string, 0};
    file.partition[0] = text("emea");
    ck_assert(may_match(&file, &spec, FLOE_ICE_PREDICATE_EQ, string, text("emea"), 2));
    ck_assert(!may_match(&file, &spec, FLOE_ICE_PREDICATE_EQ, string, text("apac"), 2));
    ck_assert(!may_match(&file, &spec, FLOE_ICE_PREDICATE_LT, string, text("emea"), 2));
    ck_assert(may_match(&file, &spec, FLOE_ICE_PREDICATE_LE, string, text("emea"), 2));
    ck_assert(may_match(&file, &spec, FLOE_ICE_PREDICATE_GT, string, text("americas"), 2));
    ck_assert(!may_match(&file, &spec, FLOE_ICE_PREDICATE_GE, string, text("zz"), 2));
    ck_assert(!may_match(&file, &spec, FLOE_ICE_PREDICATE_IS_NULL, string, text(""), 2));
    ck_assert(may_match(&file, &spec, FLOE_ICE_PREDICATE_NOT_NULL, string, text(""), 2));
    /* Column 1 is only bucketed: no pruning from the partition. */
    floe_type long_type = floe_type_make(FLOE_TYPE_INT64);
    ck_assert(may_match(&file, &spec, FLOE_ICE_PREDICATE_EQ, long_type, i64(5), 1));
    /* A NULL partition value: IS NULL keeps, everything else prunes. */
    file.partition[0].is_null = 1;
    ck_assert(may_match(&file, &spec, FLOE_ICE_PREDICATE_IS_NULL, string, text(""), 2));
    ck_assert(!may_match(&file, &spec, FLOE_ICE_PREDICATE_NOT_NULL, string, text(""), 2));
    ck_assert(!may_match(&file, &spec, FLOE_ICE_PREDICATE_EQ, string, text("emea"), 2));
    /* Without the spec (unknown spec id) nothing is pruned from the partition. */
    ck_assert(may_match(&file, NULL, FLOE_ICE_PREDICATE_EQ, string, text("emea"), 2));
    /* An int identity partition, and two predicates ANDed. */
    floe_type int_type = floe_type_make(FLOE_TYPE_INT32);
    file.partition_fields[0] = (floe_ice_manifest_partition_field){"year", 1000, int_type, 0};
    file.partition[0] = i32(2024);
    floe_ice_predicate both[2] = {{2, FLOE_ICE_PREDICATE_GE, i32(2020)},
                                  {2, FLOE_ICE_PREDICATE_LT, i32(2024)}};
    floe_type types[2] = {int_type, int_type};
    ck_assert(!floe_ice_file_may_match(&file.scan, &spec, both, types, 2));
    both[1].literal = i32(2025);
    ck_assert(floe_ice_file_may_match(&file.scan, &spec, both, types, 2));
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("iceberg_chain");
    TCase *chain = tcase_create("chain");
    tcase_set_timeout(chain, 120);
    tcase_add_test(chain, every_snapshot_plans_exactly);
    tcase_add_test(chain, changes_between_every_pair);
    tcase_add_test(chain, manifest_reader_caches_schemas);
    suite_add_tcase(suite, chain);
    TCase *pruning = tcase_create("pruning");
    tcase_add_test(pruning, pruning_by_bounds);
    tcase_add_test(pruning, pruning_by_null_counts);
    tcase_add_test(pruning, pruning_by_identity_partition);
    suite_add_tcase(suite, pruning);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
