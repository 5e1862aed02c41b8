/*
 * Description: change detection between Iceberg snapshots, and the change reader.
 *   - floe_ice_table_changes on the fixture tables, checked against the summaries Spark wrote:
 *     lineitem's copy-on-write DELETE (an overwrite snapshot) removes and adds exactly
 *     deleted-data-files / added-data-files with their record counts; name_mapping's compaction
 *     (replace); the equality-delete tables' added delete files per snapshot; from == to gives
 *     nothing; a `from` that is not an ancestor (or no longer exists) sets the flag with a
 *     reason instead of failing; reading every manifest list gives the same answer as the
 *     shortcut through `to`'s list, except on the fixture whose list is missing, where it is
 *     FLOE_ENOTFOUND naming the file.
 *   - The scan reader's change mode (io/iceberg_scan.h) against brute force: the rows the
 *     snapshot reader reads at `to` (+1) and at `from` (-1) summed as a multiset, compared with
 *     the weighted rows the change reader hands out. On tables written here (Parquet files
 *     committed with io/iceberg_commit.h): appends, an overwrite that rewrites a file, a delete
 *     of a whole file, position deletes added (scoped to one file by file_path bounds, and not:
 *     files they name no row of are not read), an equality delete, a replace-only range
 *     (nothing planned or read) and a range mixing a replace with an append, from = -1,
 *     from == to, `from` after `to` (a rollback: not an ancestor), an expired `from`
 *     (FLOE_ENOTFOUND naming it), projection, pruning predicates (pruned files not read, the
 *     rows that pass the filter exact), partitions 0..n-1 adding up to the whole change with
 *     each file read once. On the fixtures: every pair of snapshots of both equality-delete
 *     tables, and lineitem's copy-on-write delete. Batches are checked on the way: at least one
 *     live row, weights set and +1 or -1 on every live row, counters equal to the rows seen.
 *     Allocation failure injection over opening and reading a change.
 */
#define _GNU_SOURCE /* mkdtemp, nftw, strdup */

#include "io/iceberg_commit.h"
#include "io/iceberg_scan.h"
#include "io/iceberg_table.h"
#include "io/parquet_writer.h"
#include "kernels/memory.h" /* floe_set_allocation_failure_after */
#include "kernels/value_text.h"

#include <check.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* ---- the change reader: helpers ------------------------------------------------------------ */

/* A multiset of rows with weights (a Z-set): rows as CSV text. */
typedef struct zset {
    char **rows;
    int64_t *weights;
    size_t count;
    size_t capacity;
} zset;

static void zset_add(zset *set, const char *row, int64_t weight)
{
    if (set->count == set->capacity) {
        set->capacity = set->capacity ? set->capacity * 2 : 256;
        set->rows = realloc(set->rows, set->capacity * sizeof *set->rows);
        set->weights = realloc(set->weights, set->capacity * sizeof *set->weights);
        ck_assert(set->rows != NULL && set->weights != NULL);
    }
    set->rows[set->count] = strdup(row);
    ck_assert_ptr_nonnull(set->rows[set->count]);
    set->weights[set->count++] = weight;
}

static void zset_free(zset *set)
{
    for (size_t i = 0; i < set->count; i++) free(set->rows[i]);
    free(set->rows);
    free(set->weights);
    memset(set, 0, sizeof *set);
}

static const zset *sort_set; /* qsort has no context argument */

static int compare_rows(const void *left, const void *right)
{
    size_t a = *(const size_t *)left, b = *(const size_t *)right;
    return strcmp(sort_set->rows[a], sort_set->rows[b]);
}

/* Sorts by row, sums the weights of equal rows and drops rows of weight 0. */
static void zset_normalize(zset *set)
{
    size_t *order = malloc((set->count + 1) * sizeof *order);
    ck_assert_ptr_nonnull(order);
    for (size_t i = 0; i < set->count; i++) order[i] = i;
    sort_set = set;
    qsort(order, set->count, sizeof *order, compare_rows);
    zset out = {0};
    for (size_t i = 0; i < set->count;) {
        int64_t weight = 0;
        size_t j = i;
        while (j < set->count && strcmp(set->rows[order[j]], set->rows[order[i]]) == 0)
            weight += set->weights[order[j++]];
        if (weight != 0) zset_add(&out, set->rows[order[i]], weight);
        i = j;
    }
    free(order);
    zset_free(set);
    *set = out;
}

static void assert_zset_equal(const zset *expected, const zset *actual, const char *what)
{
    for (size_t i = 0; i < expected->count && i < actual->count; i++) {
        ck_assert_msg(strcmp(expected->rows[i], actual->rows[i]) == 0 &&
                          expected->weights[i] == actual->weights[i],
                      "%s: row %zu is %s (weight %lld), expected %s (weight %lld)", what, i,
                      actual->rows[i], (long long)actual->weights[i], expected->rows[i],
                      (long long)expected->weights[i]);
    }
    ck_assert_msg(expected->count == actual->count, "%s: %zu distinct rows, expected %zu", what,
                  actual->count, expected->count);
}

/* What to read: a projection, pruning predicates, a partition, and the rows the caller's
 * filter keeps (column `filter_column` >= filter_min, an int64 column; -1: every row). */
typedef struct read_spec {
    const char *const *columns;
    uint32_t column_count;
    const floe_ice_predicate *predicates;
    size_t predicate_count;
    uint32_t partition;
    uint32_t partition_count;
    int filter_column;
    int64_t filter_min;
    const char *changelog_key;          /* options.changelog_summary_key */
} read_spec;

static const read_spec every_row = {NULL, 0, NULL, 0, 0, 0, -1, 0, NULL};

/* Adds the live rows of an open reader to `set` (weight `weight`, or the batch's own in change
 * mode), checking every batch on the way; returns the rows handed out before filtering. */
static int64_t drain_into(floe_ice_scan_reader *reader, const read_spec *spec, int changes,
                          int64_t weight, zset *set)
{
    floe_batch batch;
    floe_error err;
    ck_assert_int_eq(floe_ice_scan_reader_batch_init(reader, &batch, &err), FLOE_OK);
    floe_text row;
    floe_text_init(&row);
    int64_t handed_out = 0;
    for (;;) {
        ck_assert_msg(floe_ice_scan_reader_next_batch(reader, &batch, &err) == FLOE_OK, "%s",
                      err.message);
        if (batch.row_count == 0) break;
        uint32_t live = floe_batch_live_count(&batch);
        ck_assert_uint_gt(live, 0);
        if (changes) ck_assert_ptr_nonnull(batch.weights);
        else ck_assert_ptr_null(batch.weights);
        for (uint32_t i = 0; i < live; i++) {
            uint32_t r = floe_batch_live_row(&batch, i);
            int64_t row_weight = changes ? batch.weights[r] : weight;
            ck_assert_msg(row_weight == 1 || row_weight == -1, "weight %lld",
                          (long long)row_weight);
            handed_out++;
            if (spec->filter_column >= 0 &&
                ((const int64_t *)batch.columns[spec->filter_column].data)[r] < spec->filter_min)
                continue;
            floe_text_reset(&row);
            for (uint32_t c = 0; c < batch.column_count; c++) {
                if (c > 0) ck_assert_int_eq(floe_text_append_char(&row, ','), FLOE_OK);
                ck_assert_int_eq(floe_k_csv_field_append(&row, &batch.columns[c], r), FLOE_OK);
            }
            zset_add(set, row.size ? row.data : "", row_weight);
        }
    }
    floe_text_fini(&row);
    floe_batch_fini(&batch);
    return handed_out;
}

static void spec_options(const read_spec *spec, floe_ice_scan_reader_options *options)
{
    memset(options, 0, sizeof *options);
    options->column_names = spec->columns;
    options->column_name_count = spec->column_count;
}

/* Brute force: the rows at `to` (-1: the current snapshot) minus the rows at `from` (-1: none),
 * read by the snapshot reader (no pruning: every row, then the caller's filter). */
static void expected_change(const floe_ice_table *table, int64_t from, int64_t to,
                            const read_spec *spec, zset *set)
{
    int64_t snapshots[2] = {to == -1 ? table->metadata->current_snapshot_id : to, from};
    for (int side = 0; side < 2; side++) {
        if (snapshots[side] == -1) continue;
        floe_ice_scan_reader_options options;
        spec_options(spec, &options);
        options.snapshot_id = snapshots[side];
        floe_ice_scan_reader *reader = NULL;
        floe_error err;
        ck_assert_msg(floe_ice_scan_reader_open(&reader, table, &options, &err) == FLOE_OK, "%s",
                      err.message);
        drain_into(reader, spec, 0, side == 0 ? 1 : -1, set);
        floe_ice_scan_reader_free(reader);
    }
    zset_normalize(set);
}

/* The change reader's rows (one partition of the spec), with its counters in *stats. */
static void actual_change(const floe_ice_table *table, int64_t from, int64_t to,
                          const read_spec *spec, zset *set, floe_ice_scan_reader_stats *stats)
{
    floe_ice_scan_reader_options options;
    spec_options(spec, &options);
    options.snapshot_id = to;
    options.changes = true;
    options.from_snapshot_id = from;
    options.predicates = spec->predicates;
    options.predicate_count = spec->predicate_count;
    options.partition = spec->partition;
    options.partition_count = spec->partition_count;
    options.changelog_summary_key = spec->changelog_key;
    floe_ice_scan_reader *reader = NULL;
    floe_error err;
    ck_assert_msg(floe_ice_scan_reader_open(&reader, table, &options, &err) == FLOE_OK, "%s",
                  err.message);
    ck_assert_int_eq(floe_ice_scan_reader_snapshot_id(reader),
                     to == -1 ? table->metadata->current_snapshot_id : to);
    int64_t handed_out = drain_into(reader, spec, 1, 0, set);
    *stats = *floe_ice_scan_reader_stats_get(reader);
    ck_assert_int_eq(stats->rows_inserted + stats->rows_retracted, handed_out);
    ck_assert_int_eq(stats->change_files_read, stats->data_files_read);
    ck_assert_ptr_null(floe_ice_scan_reader_current_file(reader));
    floe_ice_scan_reader_free(reader);
}

/* Asserts that the change reader's change from `from` to `to` equals brute force; returns the
 * reader's counters. */
static floe_ice_scan_reader_stats check_change(const floe_ice_table *table, int64_t from,
                                               int64_t to, const read_spec *spec)
{
    char what[128];
    snprintf(what, sizeof what, "change %lld -> %lld", (long long)from, (long long)to);
    zset expected = {0}, actual = {0};
    expected_change(table, from, to, spec, &expected);
    floe_ice_scan_reader_stats stats;
    actual_change(table, from, to, spec, &actual, &stats);
    zset_normalize(&actual);
    assert_zset_equal(&expected, &actual, what);
    zset_free(&expected);
    zset_free(&actual);
    return stats;
}

/* ---- tables written here ------------------------------------------------------------------- */

static char root[256];
static char table_dir[512];

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *ftw)
{
    (void)info, (void)flag, (void)ftw;
    return remove(path);
}

/* Rows: id (long, required), name "n<id mod 7>", score id mod 10 (int, NULL when id mod 13 = 0). */
static const floe_ice_new_column row_columns[] = {
    {"id", {FLOE_TYPE_INT64, 0, 0}, 1, 1, NULL},
    {"name", {FLOE_TYPE_STRING, 0, 0}, 0, 2, NULL},
    {"score", {FLOE_TYPE_INT32, 0, 0}, 0, 3, NULL},
};

static void setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/floe-changes-XXXXXX", base != NULL ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(root));
    snprintf(table_dir, sizeof table_dir, "%s/ns/t", root);
    floe_error err;
    ck_assert_msg(floe_ice_commit_create_table(table_dir, row_columns, 3, NULL, 0, &err) ==
                      FLOE_OK,
                  "%s", err.message);
}

static void teardown(void)
{
    nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A file to commit with the storage its description points into. */
typedef struct written_file {
    floe_ice_data_file file;
    char path[1024];
    floe_ice_int_long counts[3];
    floe_ice_int_bytes bounds[2][3];
    uint8_t bound_bytes[2][3][FLOE_PQ_BOUND_MAX_SIZE];
    int32_t equality_id;
} written_file;

/* Fills file->file's metrics (value and null counts, bounds: what pruning reads). */
static void describe(written_file *file, int32_t content, const floe_pq_write_result *written)
{
    floe_ice_data_file *data = &file->file;
    memset(data, 0, sizeof *data);
    data->content = content;
    data->file_path = file->path;
    data->file_format = "parquet";
    data->record_count = (int64_t)written->row_count;
    data->file_size_in_bytes = (int64_t)written->file_size;
    size_t bounds[2] = {0, 0};
    for (uint32_t c = 0; c < written->column_count && c < 3; c++) {
        const floe_pq_column_result *column = &written->columns[c];
        file->counts[c] = (floe_ice_int_long){column->field_id, (int64_t)column->null_count};
        const uint8_t *bytes[2] = {column->lower_bound, column->upper_bound};
        uint32_t sizes[2] = {column->lower_bound_size, column->upper_bound_size};
        bool present[2] = {column->has_lower_bound, column->has_upper_bound};
        for (int side = 0; side < 2; side++) {
            if (!present[side]) continue;
            memcpy(file->bound_bytes[side][c], bytes[side], sizes[side]);
            file->bounds[side][bounds[side]++] = (floe_ice_int_bytes){
                column->field_id, {file->bound_bytes[side][c], sizes[side]}};
        }
    }
    data->null_value_counts = (floe_ice_counts){written->column_count, 1, file->counts};
    data->lower_bounds = (floe_ice_bounds){bounds[0], 1, file->bounds[0]};
    data->upper_bounds = (floe_ice_bounds){bounds[1], 1, file->bounds[1]};
}

/* Writes data/<name>.parquet with the rows of `ids` (in row groups of 100). */
static void write_rows(written_file *file, const char *name, const int64_t *ids, uint32_t count)
{
    snprintf(file->path, sizeof file->path, "%s/data/%s.parquet", table_dir, name);
    floe_pq_write_column columns[3];
    floe_type types[3];
    for (int c = 0; c < 3; c++) {
        columns[c] = (floe_pq_write_column){row_columns[c].name, row_columns[c].type,
                                            !row_columns[c].required, row_columns[c].id};
        types[c] = row_columns[c].type;
    }
    floe_pq_write_schema schema = {columns, 3, NULL, NULL, 0};
    floe_pq_write_options options;
    floe_pq_write_options_default(&options);
    options.row_group_rows = 100;
    floe_pq_writer *writer = NULL;
    floe_error err;
    ck_assert_msg(floe_pq_writer_create(&writer, file->path, &schema, &options, &err) == FLOE_OK,
                  "%s", err.message);
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, 3, types, &err), FLOE_OK);
    for (uint32_t done = 0; done < count;) {
        floe_batch_reset(&batch);
        uint32_t n = count - done < FLOE_BATCH_CAPACITY ? count - done : FLOE_BATCH_CAPACITY;
        for (uint32_t r = 0; r < n; r++) {
            int64_t id = ids[done + r];
            ((int64_t *)batch.columns[0].data)[r] = id;
            char text[16];
            int length = snprintf(text, sizeof text, "n%d", (int)(id % 7));
            ck_assert_int_eq(floe_vector_set_string(&batch.columns[1], r, text, (uint32_t)length,
                                                    &err),
                             FLOE_OK);
            if (id % 13 == 0) floe_vector_set_null(&batch.columns[2], r);
            else ((int32_t *)batch.columns[2].data)[r] = (int32_t)(id % 10);
        }
        batch.row_count = n;
        ck_assert_msg(floe_pq_writer_write_batch(writer, &batch, &err) == FLOE_OK, "%s",
                      err.message);
        done += n;
    }
    floe_pq_write_result written;
    ck_assert_msg(floe_pq_writer_close(writer, &written, &err) == FLOE_OK, "%s", err.message);
    describe(file, FLOE_ICE_CONTENT_DATA, &written);
    floe_batch_fini(&batch);
    floe_pq_writer_free(writer);
}

/* Ids first, first + 1, ... (count of them) in data/<name>.parquet. */
static void write_range(written_file *file, const char *name, int64_t first, uint32_t count)
{
    int64_t *ids = malloc(count * sizeof *ids);
    ck_assert_ptr_nonnull(ids);
    for (uint32_t i = 0; i < count; i++) ids[i] = first + i;
    write_rows(file, name, ids, count);
    free(ids);
}

/* A position delete file naming (paths[i], positions[i]); with `scoped` (every path the same)
 * its file_path bounds name that one data file. */
static void write_position_deletes(written_file *file, const char *name,
                                   const char *const *paths, const int64_t *positions,
                                   uint32_t count, int scoped)
{
    snprintf(file->path, sizeof file->path, "%s/data/%s.parquet", table_dir, name);
    floe_pq_write_column columns[] = {
        {"file_path", floe_type_make(FLOE_TYPE_STRING), false, 2147483546},
        {"pos", floe_type_make(FLOE_TYPE_INT64), false, 2147483545},
    };
    floe_type types[] = {columns[0].type, columns[1].type};
    floe_pq_write_schema schema = {columns, 2, NULL, NULL, 0};
    floe_pq_writer *writer = NULL;
    floe_error err;
    ck_assert_int_eq(floe_pq_writer_create(&writer, file->path, &schema, NULL, &err), FLOE_OK);
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, 2, types, &err), FLOE_OK);
    for (uint32_t r = 0; r < count; r++) {
        ck_assert_int_eq(floe_vector_set_string(&batch.columns[0], r, paths[r],
                                                (uint32_t)strlen(paths[r]), &err),
                         FLOE_OK);
        ((int64_t *)batch.columns[1].data)[r] = positions[r];
    }
    batch.row_count = count;
    ck_assert_int_eq(floe_pq_writer_write_batch(writer, &batch, &err), FLOE_OK);
    floe_pq_write_result written;
    ck_assert_int_eq(floe_pq_writer_close(writer, &written, &err), FLOE_OK);
    memset(&file->file, 0, sizeof file->file);
    file->file.content = FLOE_ICE_CONTENT_POSITION_DELETES;
    file->file.file_path = file->path;
    file->file.file_format = "parquet";
    file->file.record_count = (int64_t)written.row_count;
    file->file.file_size_in_bytes = (int64_t)written.file_size;
    if (scoped) {
        size_t length = strlen(paths[0]);
        ck_assert_uint_le(length, FLOE_PQ_BOUND_MAX_SIZE);
        memcpy(file->bound_bytes[0][0], paths[0], length);
        for (int side = 0; side < 2; side++)
            file->bounds[side][0] = (floe_ice_int_bytes){2147483546, {file->bound_bytes[0][0],
                                                                      length}};
        file->file.lower_bounds = (floe_ice_bounds){1, 1, file->bounds[0]};
        file->file.upper_bounds = (floe_ice_bounds){1, 1, file->bounds[1]};
    }
    floe_batch_fini(&batch);
    floe_pq_writer_free(writer);
}

/* An equality delete file on `id` (field 1) removing the rows with these ids. */
static void write_equality_deletes(written_file *file, const char *name, const int64_t *ids,
                                   uint32_t count)
{
    snprintf(file->path, sizeof file->path, "%s/data/%s.parquet", table_dir, name);
    floe_pq_write_column column = {"id", floe_type_make(FLOE_TYPE_INT64), false, 1};
    floe_pq_write_schema schema = {&column, 1, NULL, NULL, 0};
    floe_pq_writer *writer = NULL;
    floe_error err;
    ck_assert_int_eq(floe_pq_writer_create(&writer, file->path, &schema, NULL, &err), FLOE_OK);
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, 1, &column.type, &err), FLOE_OK);
    memcpy(batch.columns[0].data, ids, count * sizeof *ids);
    batch.row_count = count;
    ck_assert_int_eq(floe_pq_writer_write_batch(writer, &batch, &err), FLOE_OK);
    floe_pq_write_result written;
    ck_assert_int_eq(floe_pq_writer_close(writer, &written, &err), FLOE_OK);
    describe(file, FLOE_ICE_CONTENT_EQUALITY_DELETES, &written);
    file->equality_id = 1;
    file->file.has_equality_ids = 1;
    file->file.equality_id_count = 1;
    file->file.equality_ids = &file->equality_id;
    floe_batch_fini(&batch);
    floe_pq_writer_free(writer);
}

/* Commits one snapshot (operation NULL: the commit's default) and returns its id. */
static int64_t commit(const char *operation, written_file *const *added, size_t added_count,
                      const char *const *removed, size_t removed_count)
{
    floe_ice_data_file files[8];
    ck_assert_uint_le(added_count, 8);
    for (size_t i = 0; i < added_count; i++) files[i] = added[i]->file;
    floe_ice_commit_request request;
    memset(&request, 0, sizeof request);
    request.operation = operation;
    request.added_files = files;
    request.added_count = added_count;
    request.removed_paths = removed;
    request.removed_count = removed_count;
    request.expected_schema_id = -1;
    floe_ice_commit_result result;
    floe_error err;
    ck_assert_msg(floe_ice_commit(table_dir, &request, &result, &err) == FLOE_OK, "%s",
                  err.message);
    return result.snapshot_id;
}

static floe_ice_table *open_written(void)
{
    floe_ice_table *table = NULL;
    floe_error err;
    ck_assert_msg(floe_ice_table_open(&table, table_dir, NULL, &err) == FLOE_OK, "%s",
                  err.message);
    return table;
}

/* ---- the change reader: tests -------------------------------------------------------------- */

/* Appends, a copy-on-write rewrite of a file, a whole file deleted; from = -1 and from == to. */
START_TEST(appends_overwrites_and_deletes)
{
    static written_file a, b, c, a2;
    write_range(&a, "a", 0, 300);
    write_range(&b, "b", 300, 250);
    int64_t s1 = commit(NULL, (written_file *[]){&a}, 1, NULL, 0);
    int64_t s2 = commit(NULL, (written_file *[]){&b}, 1, NULL, 0);
    write_range(&c, "c", 550, 3000); /* more than one batch */
    int64_t s3 = commit(NULL, (written_file *[]){&c}, 1, NULL, 0);
    /* Rewrite a: ids 0..299 without the multiples of 4, plus 1000..1009 (again: duplicates). */
    int64_t ids[300];
    uint32_t count = 0;
    for (int64_t id = 0; id < 300; id++)
        if (id % 4 != 0) ids[count++] = id;
    for (int64_t id = 1000; id < 1010; id++) ids[count++] = id;
    write_rows(&a2, "a2", ids, count);
    int64_t s4 = commit(NULL, (written_file *[]){&a2}, 1, (const char *[]){a.path}, 1);
    int64_t s5 = commit(NULL, NULL, 0, (const char *[]){b.path}, 1);
    floe_ice_table *table = open_written();
    ck_assert_str_eq(floe_ice_snapshot_by_id(table->metadata, s4)->operation, "overwrite");
    ck_assert_str_eq(floe_ice_snapshot_by_id(table->metadata, s5)->operation, "delete");

    /* One append: only its file is read; the other is compared and found unchanged. */
    floe_ice_scan_reader_stats stats = check_change(table, s1, s2, &every_row);
    ck_assert_int_eq(stats.data_files_read, 1);
    ck_assert_int_eq(stats.change_files_compared, 2);
    ck_assert_int_eq(stats.change_files_unchanged, 1);
    ck_assert_int_eq(stats.rows_inserted, 250);
    ck_assert_int_eq(stats.rows_retracted, 0);
    ck_assert_int_eq(stats.changes_replace_only, 0);
    stats = check_change(table, s1, s3, &every_row);
    ck_assert_int_eq(stats.data_files_read, 2);
    ck_assert_int_eq(stats.rows_inserted, 3250);
    /* The rewrite: the old file retracted whole, the new one inserted whole. */
    stats = check_change(table, s3, s4, &every_row);
    ck_assert_int_eq(stats.data_files_read, 2);
    ck_assert_int_eq(stats.rows_retracted, 300);
    ck_assert_int_eq(stats.rows_inserted, (int64_t)count);
    ck_assert_int_eq(stats.change_files_unchanged, 2);
    /* A whole file deleted. */
    stats = check_change(table, s4, s5, &every_row);
    ck_assert_int_eq(stats.data_files_read, 1);
    ck_assert_int_eq(stats.rows_retracted, 250);
    ck_assert_int_eq(stats.rows_inserted, 0);
    /* From the empty table: every row +1. */
    stats = check_change(table, -1, s5, &every_row);
    ck_assert_int_eq(stats.rows_inserted, (int64_t)count + 3000);
    ck_assert_int_eq(stats.rows_retracted, 0);
    check_change(table, -1, s1, &every_row);
    /* Several snapshots at once, and to = -1 (the current one). */
    check_change(table, s1, s5, &every_row);
    check_change(table, s2, -1, &every_row);
    /* from == to: nothing, nothing read. */
    stats = check_change(table, s3, s3, &every_row);
    ck_assert_int_eq(stats.data_files_read, 0);
    ck_assert_int_eq(stats.rows_inserted + stats.rows_retracted, 0);
    ck_assert_int_eq(stats.changes_replace_only, 0);
    floe_ice_table_free(table);
}
END_TEST

/* Position deletes: scoped to one file (only it is read), unscoped (applying to every older
 * file, read only where it names rows), and added on top of an earlier one; equality deletes. */
START_TEST(position_and_equality_deletes)
{
    static written_file a, b, c, d1, d2, d3, e1;
    write_range(&a, "a", 0, 500);
    write_range(&b, "b", 500, 500);
    write_range(&c, "c", 1000, 500);
    int64_t s1 = commit(NULL, (written_file *[]){&a, &b, &c}, 3, NULL, 0);
    /* Rows 3, 250 and 499 of a (row groups of 100: in the first, third and last). */
    const char *a_paths[] = {a.path, a.path, a.path};
    write_position_deletes(&d1, "d1", a_paths, (const int64_t[]){3, 250, 499}, 3, 1);
    int64_t s2 = commit("delete", (written_file *[]){&d1}, 1, NULL, 0);
    /* Unscoped: rows of a (one already deleted) and b; c is older too but named nowhere. */
    const char *ab_paths[] = {a.path, a.path, b.path};
    write_position_deletes(&d2, "d2", ab_paths, (const int64_t[]){250, 251, 0}, 3, 0);
    int64_t s3 = commit("delete", (written_file *[]){&d2}, 1, NULL, 0);
    /* An unscoped one that names none of the live files' rows. */
    const char *gone[] = {"/nowhere/x.parquet"};
    write_position_deletes(&d3, "d3", gone, (const int64_t[]){1}, 1, 0);
    int64_t s4 = commit("delete", (written_file *[]){&d3}, 1, NULL, 0);
    /* Equality delete of ids 7 (live), 250 (position-deleted already) and 1200 (in c). */
    write_equality_deletes(&e1, "e1", (const int64_t[]){7, 250, 1200}, 3);
    int64_t s5 = commit("delete", (written_file *[]){&e1}, 1, NULL, 0);
    floe_ice_table *table = open_written();

    floe_ice_scan_reader_stats stats = check_change(table, s1, s2, &every_row);
    ck_assert_int_eq(stats.data_files_read, 1);
    ck_assert_int_eq(stats.rows_retracted, 3);
    ck_assert_int_eq(stats.rows_inserted, 0);
    ck_assert_int_eq(stats.change_files_unchanged, 2);
    stats = check_change(table, s2, s3, &every_row);
    ck_assert_int_eq(stats.data_files_read, 2); /* a and b; c not */
    ck_assert_int_eq(stats.change_files_unchanged, 1);
    ck_assert_int_eq(stats.rows_retracted, 2); /* 251 of a, 0 of b: 250 went at s2 */
    stats = check_change(table, s3, s4, &every_row);
    ck_assert_int_eq(stats.data_files_read, 0);
    ck_assert_int_eq(stats.change_files_unchanged, 3);
    stats = check_change(table, s4, s5, &every_row);
    ck_assert_int_eq(stats.rows_retracted, 2); /* 7 and 1200 */
    ck_assert_int_eq(stats.rows_inserted, 0);
    stats = check_change(table, s1, s5, &every_row);
    ck_assert_int_eq(stats.rows_retracted, 3 + 2 + 2);
    /* Backwards (a rollback from s5 to s1): the deleted rows come back. */
    stats = check_change(table, s5, s1, &every_row);
    ck_assert_int_eq(stats.rows_inserted, 7);
    ck_assert_int_eq(stats.rows_retracted, 0);
    check_change(table, -1, s5, &every_row);
    for (int64_t from_index = 0; from_index < 5; from_index++) {
        int64_t snapshots[] = {s1, s2, s3, s4, s5};
        for (int64_t to_index = 0; to_index < 5; to_index++)
            check_change(table, snapshots[from_index], snapshots[to_index], &every_row);
    }
    floe_ice_table_free(table);
}
END_TEST

/* A replace (compaction): nothing read when it is all that happened; diffed when mixed with
 * an append. */
START_TEST(replace_only_ranges)
{
    static written_file a, b, ab, c;
    write_range(&a, "a", 0, 200);
    write_range(&b, "b", 200, 200);
    commit(NULL, (written_file *[]){&a}, 1, NULL, 0);
    int64_t s2 = commit(NULL, (written_file *[]){&b}, 1, NULL, 0);
    write_range(&ab, "ab", 0, 400);
    int64_t s3 = commit("replace", (written_file *[]){&ab}, 1, (const char *[]){a.path, b.path},
                        2);
    write_range(&c, "c", 400, 10);
    int64_t s4 = commit(NULL, (written_file *[]){&c}, 1, NULL, 0);
    floe_ice_table *table = open_written();
    floe_ice_scan_reader_stats stats = check_change(table, s2, s3, &every_row);
    ck_assert_int_eq(stats.changes_replace_only, 1);
    ck_assert_int_eq(stats.data_files_read, 0);
    ck_assert_int_eq(stats.change_files_compared, 0);
    ck_assert_int_eq(stats.rows_inserted + stats.rows_retracted, 0);
    /* A replace and an append: the compaction is diffed away exactly. */
    stats = check_change(table, s2, s4, &every_row);
    ck_assert_int_eq(stats.changes_replace_only, 0);
    ck_assert_int_eq(stats.rows_inserted, 410);
    ck_assert_int_eq(stats.rows_retracted, 400);
    stats = check_change(table, s3, s4, &every_row);
    ck_assert_int_eq(stats.rows_inserted, 10);
    /* Backwards over the replace: not an ancestor, diffed. */
    stats = check_change(table, s3, s2, &every_row);
    ck_assert_int_eq(stats.changes_replace_only, 0);
    ck_assert_int_eq(stats.rows_inserted, 400);
    ck_assert_int_eq(stats.rows_retracted, 400);
    floe_ice_table_free(table);
}
END_TEST

/* An expired `from` is FLOE_ENOTFOUND naming it; an unknown `to` too. */
START_TEST(expired_from_is_not_found)
{
    static written_file a;
    write_range(&a, "a", 0, 10);
    commit(NULL, (written_file *[]){&a}, 1, NULL, 0);
    floe_ice_table *table = open_written();
    floe_ice_scan_reader_options options;
    memset(&options, 0, sizeof options);
    options.snapshot_id = -1;
    options.changes = true;
    options.from_snapshot_id = 12345;
    floe_ice_scan_reader *reader = NULL;
    floe_error err;
    ck_assert_int_eq(floe_ice_scan_reader_open(&reader, table, &options, &err), FLOE_ENOTFOUND);
    ck_assert_ptr_null(reader);
    ck_assert_msg(strstr(err.message, "snapshot 12345") != NULL &&
                      strstr(err.message, "expired") != NULL,
                  "%s", err.message);
    options.from_snapshot_id = -1;
    options.snapshot_id = 999;
    ck_assert_int_eq(floe_ice_scan_reader_open(&reader, table, &options, &err), FLOE_ENOTFOUND);
    ck_assert_msg(strstr(err.message, "999") != NULL, "%s", err.message);
    floe_ice_table_free(table);
}
END_TEST

/* Projection, pruning predicates and partitions in change mode. */
START_TEST(projection_predicates_partitions)
{
    static written_file files[5], deletes;
    int64_t snapshots[3];
    write_range(&files[0], "f0", 0, 400);
    write_range(&files[1], "f1", 400, 400);
    snapshots[0] = commit(NULL, (written_file *[]){&files[0], &files[1]}, 2, NULL, 0);
    write_range(&files[2], "f2", 800, 400);
    write_range(&files[3], "f3", 1200, 400);
    write_range(&files[4], "f4", 1600, 400);
    snapshots[1] = commit(NULL, (written_file *[]){&files[2], &files[3], &files[4]}, 3, NULL, 0);
    const char *paths[] = {files[0].path, files[3].path};
    write_position_deletes(&deletes, "d", paths, (const int64_t[]){5, 6}, 2, 0);
    snapshots[2] = commit("delete", (written_file *[]){&deletes}, 1,
                          (const char *[]){files[1].path}, 1);
    floe_ice_table *table = open_written();

    /* Projection: score and id, in that order. */
    static const char *const projection[] = {"score", "id"};
    read_spec spec = every_row;
    spec.columns = projection;
    spec.column_count = 2;
    check_change(table, snapshots[0], snapshots[2], &spec);
    /* No column at all (COUNT(*)): rows still weighed. */
    spec.column_count = 0;
    floe_ice_scan_reader_stats stats = check_change(table, snapshots[0], snapshots[2], &spec);
    ck_assert_int_eq(stats.rows_inserted, 1200 - 1);
    ck_assert_int_eq(stats.rows_retracted, 400 + 1);

    /* id >= 1300: f0 and f1 (and f2) are pruned, the rows that pass the filter are exact. */
    static const char *const id_only[] = {"id", "name"};
    floe_ice_predicate predicate;
    memset(&predicate, 0, sizeof predicate);
    predicate.field_id = 1;
    predicate.op = FLOE_ICE_PREDICATE_GE;
    predicate.literal.as.i64 = 1300;
    spec = every_row;
    spec.columns = id_only;
    spec.column_count = 2;
    spec.predicates = &predicate;
    spec.predicate_count = 1;
    spec.filter_column = 0;
    spec.filter_min = 1300;
    stats = check_change(table, snapshots[0], snapshots[2], &spec);
    ck_assert_int_eq(stats.data_files_pruned, 3); /* f1 (retracted), f2, f0 (changed) */
    ck_assert_int_eq(stats.data_files_read, 2);   /* f3, f4 */
    ck_assert_int_gt(stats.row_groups_pruned, 0); /* f3's first row groups */
    check_change(table, -1, snapshots[2], &spec);

    /* Partitions: together they hand out the whole change, each file read once. */
    for (uint32_t partition_count = 2; partition_count <= 3; partition_count++) {
        zset expected = {0}, actual = {0};
        expected_change(table, snapshots[0], snapshots[2], &every_row, &expected);
        int64_t files_read = 0;
        for (uint32_t partition = 0; partition < partition_count; partition++) {
            read_spec part = every_row;
            part.partition = partition;
            part.partition_count = partition_count;
            actual_change(table, snapshots[0], snapshots[2], &part, &actual, &stats);
            files_read += stats.data_files_read;
            ck_assert_int_eq(stats.change_files_compared, 5);
        }
        ck_assert_int_eq(files_read, 5); /* f0 (changed), f1 (retracted), f2..f4 (inserted) */
        zset_normalize(&actual);
        assert_zset_equal(&expected, &actual, "partitions");
        zset_free(&expected);
        zset_free(&actual);
    }
    floe_ice_scan_reader_options options;
    memset(&options, 0, sizeof options);
    options.changes = true;
    options.snapshot_id = snapshots[2];
    options.from_snapshot_id = snapshots[0];
    options.partition = 2;
    options.partition_count = 2;
    floe_ice_scan_reader *reader = NULL;
    floe_error err;
    ck_assert_int_eq(floe_ice_scan_reader_open(&reader, table, &options, &err), FLOE_EINVAL);
    floe_ice_table_free(table);
}
END_TEST

/* Every pair of snapshots of the equality-delete fixtures (partitioned and not), and lineitem's
 * copy-on-write delete. */
START_TEST(fixture_changes)
{
    static const char *const tables[] = {"equality_deletes/warehouse/mydb/mytable_partitioned",
                                         "equality_deletes/warehouse/mydb/mytable"};
    for (size_t t = 0; t < 2; t++) {
        floe_ice_table *table = open_table(tables[t]);
        const floe_ice_table_metadata *metadata = table->metadata;
        for (size_t to = 0; to < metadata->snapshot_count; to++) {
            int64_t to_id = metadata->snapshots[to].snapshot_id;
            /* mytable's second snapshot has lost its manifest list: it cannot be planned. */
            if (to_id == 7342794868382145167LL) continue;
            check_change(table, -1, to_id, &every_row);
            for (size_t from = 0; from < metadata->snapshot_count; from++) {
                int64_t from_id = metadata->snapshots[from].snapshot_id;
                if (from_id == 7342794868382145167LL) continue;
                check_change(table, from_id, to_id, &every_row);
            }
        }
        floe_ice_table_free(table);
    }
    /* The equality delete of snapshot 2 of mytable_partitioned removes one row. */
    floe_ice_table *table = open_table(tables[0]);
    floe_ice_scan_reader_stats stats =
        check_change(table, 6447922032991303611LL, 4416477559988274704LL, &every_row);
    ck_assert_int_eq(stats.rows_retracted, 1);
    ck_assert_int_eq(stats.rows_inserted, 0);
    floe_ice_table_free(table);

    /* lineitem: the overwrite removes a file of 60175 rows and adds one of 51793. */
    table = open_table("lineitem_iceberg");
    static const char *const columns[] = {"l_orderkey", "l_linenumber", "l_quantity"};
    read_spec spec = every_row;
    spec.columns = columns;
    spec.column_count = 3;
    stats = check_change(table, 7817332053627255703LL, 2354745328521181395LL, &spec);
    ck_assert_int_eq(stats.rows_retracted, 60175);
    ck_assert_int_eq(stats.rows_inserted, 51793);
    ck_assert_int_eq(stats.data_files_read, 2);
    floe_ice_table_free(table);
}
END_TEST

/* The manifests of both snapshots and the files compared (plan_change) and the plain plans. */
static void plan_both(const floe_ice_table *table, int64_t from, int64_t to,
                      floe_ice_scan_plan **to_plan, floe_ice_scan_plan **from_plan,
                      int64_t *unchanged)
{
    floe_error err;
    ck_assert_msg(floe_ice_table_plan_change(table, from, to, to_plan, from_plan, unchanged,
                                             &err) == FLOE_OK,
                  "%s", err.message);
}

/* Only the data manifests that differ are read when the delete manifests are the same at both
 * snapshots; the counters stay those of a whole comparison; and the change stays exact (every
 * pair of snapshots against two whole scans, and against a change read with partitions). */
START_TEST(only_differing_manifests_are_read)
{
    static written_file files[6], deletes, rewritten;
    int64_t snapshots[9];
    size_t count = 0;
    for (int i = 0; i < 4; i++) {
        char name[8];
        snprintf(name, sizeof name, "f%d", i);
        write_range(&files[i], name, 100 * i, 100);
        snapshots[count++] = commit(NULL, (written_file *[]){&files[i]}, 1, NULL, 0);
    }
    floe_ice_table *table = open_written();
    floe_ice_scan_plan *to_plan = NULL, *from_plan = NULL;
    int64_t unchanged = -1;
    /* One append after three: one manifest read, none of `from`'s. */
    plan_both(table, snapshots[2], snapshots[3], &to_plan, &from_plan, &unchanged);
    ck_assert_uint_eq(to_plan->manifests_read, 1);
    ck_assert_uint_eq(from_plan->manifests_read, 0);
    ck_assert_uint_eq(to_plan->task_count, 1);
    ck_assert_uint_eq(from_plan->task_count, 0);
    ck_assert_int_eq(unchanged, 3);
    floe_ice_scan_plan_free(to_plan);
    floe_ice_scan_plan_free(from_plan);
    floe_ice_scan_reader_stats stats = check_change(table, snapshots[0], snapshots[3], &every_row);
    ck_assert_int_eq(stats.change_files_compared, 4);
    ck_assert_int_eq(stats.change_files_unchanged, 1);
    ck_assert_int_eq(stats.rows_inserted, 300);
    /* From the empty table: `to` whole, no `from` plan. */
    plan_both(table, -1, snapshots[3], &to_plan, &from_plan, &unchanged);
    ck_assert_uint_eq(to_plan->task_count, 4);
    ck_assert_ptr_null(from_plan);
    ck_assert_int_eq(unchanged, 0);
    floe_ice_scan_plan_free(to_plan);
    floe_ice_table_free(table);

    /* A delete manifest added: the delete manifests differ, both snapshots read whole. */
    const char *paths[] = {files[1].path};
    write_position_deletes(&deletes, "d", paths, (const int64_t[]){4}, 1, 0);
    snapshots[count++] = commit("delete", (written_file *[]){&deletes}, 1, NULL, 0);
    /* Appends after it: the same delete manifest at both, the data manifests shared again. */
    write_range(&files[4], "f4", 400, 100);
    snapshots[count++] = commit(NULL, (written_file *[]){&files[4]}, 1, NULL, 0);
    write_range(&files[5], "f5", 500, 100);
    snapshots[count++] = commit(NULL, (written_file *[]){&files[5]}, 1, NULL, 0);
    /* A copy-on-write rewrite of f2: its manifest rewritten, the file retracted. */
    write_range(&rewritten, "f2b", 200, 50);
    snapshots[count++] = commit(NULL, (written_file *[]){&rewritten}, 1,
                                (const char *[]){files[2].path}, 1);
    table = open_written();
    plan_both(table, snapshots[3], snapshots[4], &to_plan, &from_plan, &unchanged);
    ck_assert_int_eq(unchanged, 0);
    ck_assert_uint_eq(to_plan->task_count, 4);
    ck_assert_uint_eq(from_plan->task_count, 4);
    ck_assert_uint_eq(to_plan->delete_file_count, 1);
    floe_ice_scan_plan_free(to_plan);
    floe_ice_scan_plan_free(from_plan);
    plan_both(table, snapshots[4], snapshots[6], &to_plan, &from_plan, &unchanged);
    ck_assert_uint_eq(from_plan->task_count, 0);
    ck_assert_uint_eq(to_plan->task_count, 2);            /* f4, f5 */
    ck_assert_uint_eq(to_plan->delete_file_count, 1);      /* still known to apply */
    ck_assert_uint_eq(from_plan->delete_file_count, 1);
    ck_assert_int_eq(unchanged, 4);
    floe_ice_scan_plan_free(to_plan);
    floe_ice_scan_plan_free(from_plan);
    stats = check_change(table, snapshots[4], snapshots[6], &every_row);
    ck_assert_int_eq(stats.change_files_compared, 6);
    ck_assert_int_eq(stats.change_files_unchanged, 4);
    ck_assert_int_eq(stats.data_files_read, 2);
    ck_assert_int_eq(stats.rows_inserted, 200);
    stats = check_change(table, snapshots[6], snapshots[7], &every_row);
    ck_assert_int_eq(stats.change_files_compared, 7);
    ck_assert_int_eq(stats.change_files_unchanged, 5);
    ck_assert_int_eq(stats.rows_inserted, 50);
    ck_assert_int_eq(stats.rows_retracted, 100);
    for (size_t from = 0; from < count; from++)
        for (size_t to = 0; to < count; to++)
            check_change(table, snapshots[from], snapshots[to], &every_row);
    for (uint32_t partition_count = 2; partition_count <= 3; partition_count++) {
        zset expected = {0}, actual = {0};
        expected_change(table, snapshots[2], snapshots[7], &every_row, &expected);
        for (uint32_t partition = 0; partition < partition_count; partition++) {
            read_spec part = every_row;
            part.partition = partition;
            part.partition_count = partition_count;
            actual_change(table, snapshots[2], snapshots[7], &part, &actual, &stats);
        }
        zset_normalize(&actual);
        assert_zset_equal(&expected, &actual, "partitions");
        zset_free(&expected);
        zset_free(&actual);
    }
    floe_ice_table_free(table);
}
END_TEST

/* Sums of the counters of every partition of one change, checking that the union of the
 * partitions is the whole change and that each partition got rows (when it can). */
static floe_ice_scan_reader_stats partitioned_change(const floe_ice_table *table, int64_t from,
                                                     int64_t to, const read_spec *spec,
                                                     uint32_t partition_count,
                                                     uint32_t *partitions_with_rows)
{
    char what[128];
    snprintf(what, sizeof what, "change %lld -> %lld in %u partitions", (long long)from,
             (long long)to, (unsigned)partition_count);
    zset expected = {0}, actual = {0};
    expected_change(table, from, to, spec, &expected);
    floe_ice_scan_reader_stats sum;
    memset(&sum, 0, sizeof sum);
    *partitions_with_rows = 0;
    for (uint32_t partition = 0; partition < partition_count; partition++) {
        read_spec part = *spec;
        part.partition = partition;
        part.partition_count = partition_count;
        floe_ice_scan_reader_stats stats;
        actual_change(table, from, to, &part, &actual, &stats);
        if (stats.rows_inserted + stats.rows_retracted > 0) (*partitions_with_rows)++;
        sum.data_files_read += stats.data_files_read;
        sum.data_files_pruned += stats.data_files_pruned;
        sum.row_groups_pruned += stats.row_groups_pruned;
        sum.rows_read += stats.rows_read;
        sum.rows_inserted += stats.rows_inserted;
        sum.rows_retracted += stats.rows_retracted;
        sum.rows_position_deleted += stats.rows_position_deleted;
        sum.rows_equality_deleted += stats.rows_equality_deleted;
        sum.changelog_files_read += stats.changelog_files_read;
        sum.changes_from_changelogs = stats.changes_from_changelogs;
        sum.change_files_compared = stats.change_files_compared;
        sum.change_files_unchanged = stats.change_files_unchanged;
    }
    zset_normalize(&actual);
    assert_zset_equal(&expected, &actual, what);
    zset_free(&expected);
    zset_free(&actual);
    return sum;
}

/* A change of fewer files than partitions is split by row groups: every partition reads some
 * (when there are enough row groups), together exactly the change, each file and each row
 * counted once, position and equality deletes and row group pruning still right. */
START_TEST(row_group_partitions)
{
    static written_file a, b, positions, equality;
    write_range(&a, "a", 0, 1000); /* row groups of 100 rows */
    int64_t s1 = commit(NULL, (written_file *[]){&a}, 1, NULL, 0);
    write_range(&b, "b", 1000, 1000);
    int64_t s2 = commit(NULL, (written_file *[]){&b}, 1, NULL, 0);
    const char *b_paths[] = {b.path, b.path, b.path};
    write_position_deletes(&positions, "p", b_paths, (const int64_t[]){5, 150, 999}, 3, 1);
    write_equality_deletes(&equality, "e", (const int64_t[]){1003, 1500}, 2);
    int64_t s3 = commit("delete", (written_file *[]){&positions, &equality}, 2, NULL, 0);
    floe_ice_table *table = open_written();
    uint32_t with_rows;
    for (uint32_t partition_count = 3; partition_count <= 13; partition_count += 5) {
        /* One appended file, ten row groups. */
        floe_ice_scan_reader_stats sum =
            partitioned_change(table, s1, s2, &every_row, partition_count, &with_rows);
        ck_assert_uint_eq(with_rows, partition_count < 10 ? partition_count : 10);
        ck_assert_int_eq(sum.data_files_read, 1);
        ck_assert_int_eq(sum.rows_read, 1000);
        ck_assert_int_eq(sum.rows_inserted, 1000);
        ck_assert_int_eq(sum.change_files_compared, 2);
        ck_assert_int_eq(sum.change_files_unchanged, 1);
        /* Two changed files (the equality delete applies to a too): three rows of b gone by
         * position, two by equality. */
        sum = partitioned_change(table, s2, s3, &every_row, partition_count, &with_rows);
        ck_assert_int_eq(sum.data_files_read, 2);
        ck_assert_int_eq(sum.rows_retracted, 5);
        ck_assert_int_eq(sum.rows_inserted, 0);
        ck_assert_int_eq(sum.rows_position_deleted, 3);
        ck_assert_int_eq(sum.rows_equality_deleted, 2);
        /* Two files from the empty table, fewer than the partitions too. */
        sum = partitioned_change(table, -1, s3, &every_row, partition_count, &with_rows);
        ck_assert_int_eq(sum.data_files_read, 2);
        ck_assert_int_eq(sum.rows_inserted, 2000 - 5);
        ck_assert_int_eq(sum.rows_position_deleted + sum.rows_equality_deleted, 5);
    }
    /* Pruning: id >= 1500 rules out a whole and b's first five row groups, each counted once. */
    floe_ice_predicate predicate;
    memset(&predicate, 0, sizeof predicate);
    predicate.field_id = 1;
    predicate.op = FLOE_ICE_PREDICATE_GE;
    predicate.literal.as.i64 = 1500;
    read_spec spec = every_row;
    spec.predicates = &predicate;
    spec.predicate_count = 1;
    spec.filter_column = 0;
    spec.filter_min = 1500;
    floe_ice_scan_reader_stats sum = partitioned_change(table, -1, s3, &spec, 3, &with_rows);
    ck_assert_int_eq(sum.data_files_pruned, 1);
    ck_assert_int_eq(sum.data_files_read, 1);
    ck_assert_int_eq(sum.row_groups_pruned, 5);
    ck_assert_int_eq(sum.rows_read, 500);
    /* As many files as partitions: split by file, as before. */
    sum = partitioned_change(table, -1, s3, &every_row, 2, &with_rows);
    ck_assert_int_eq(sum.data_files_read, 2);
    ck_assert_uint_eq(with_rows, 2);
    floe_ice_table_free(table);
}
END_TEST

/* A changelog (io/iceberg_scan.h, "Changelogs") of ids first.. (count of them), each of
 * weight +1, in row groups of 100, at <table>/floe/<name>.parquet (path into `path`). */
static void write_changelog(char *path, size_t size, const char *name, int64_t first,
                            uint32_t count)
{
    char folder[1100];
    snprintf(folder, sizeof folder, "%s/floe", table_dir);
    mkdir(folder, 0755);
    snprintf(path, size, "%s/%s.parquet", folder, name);
    floe_pq_write_column columns[] = {
        {"id", floe_type_make(FLOE_TYPE_INT64), false, 1},
        {FLOE_ICE_CHANGELOG_WEIGHT_COLUMN, floe_type_make(FLOE_TYPE_INT64), false,
         FLOE_ICE_CHANGELOG_WEIGHT_FIELD_ID},
    };
    floe_type types[] = {columns[0].type, columns[1].type};
    floe_pq_write_schema schema = {columns, 2, NULL, NULL, 0};
    floe_pq_write_options options;
    floe_pq_write_options_default(&options);
    options.row_group_rows = 100;
    floe_pq_writer *writer = NULL;
    floe_error err;
    ck_assert_int_eq(floe_pq_writer_create(&writer, path, &schema, &options, &err), FLOE_OK);
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, 2, types, &err), FLOE_OK);
    for (uint32_t r = 0; r < count; r++) {
        ((int64_t *)batch.columns[0].data)[r] = first + r;
        ((int64_t *)batch.columns[1].data)[r] = 1;
    }
    batch.row_count = count;
    ck_assert_int_eq(floe_pq_writer_write_batch(writer, &batch, &err), FLOE_OK);
    floe_pq_write_result written;
    ck_assert_int_eq(floe_pq_writer_close(writer, &written, &err), FLOE_OK);
    floe_batch_fini(&batch);
    floe_pq_writer_free(writer);
}

/* Fewer changelogs than partitions: their row groups are split as data files' are. */
START_TEST(changelog_row_group_partitions)
{
    static written_file a;
    write_range(&a, "a", 0, 1000);
    char changelog[1200];
    write_changelog(changelog, sizeof changelog, "changes-a", 0, 1000);
    floe_ice_property summary = {"floe.changelog", changelog};
    floe_ice_commit_request request;
    memset(&request, 0, sizeof request);
    request.added_files = &a.file;
    request.added_count = 1;
    request.summary = &summary;
    request.summary_count = 1;
    request.expected_schema_id = -1;
    floe_ice_commit_result result;
    floe_error err;
    ck_assert_msg(floe_ice_commit(table_dir, &request, &result, &err) == FLOE_OK, "%s",
                  err.message);
    floe_ice_table *table = open_written();
    static const char *const id_only[] = {"id"};
    read_spec spec = every_row;
    spec.columns = id_only;
    spec.column_count = 1;
    spec.changelog_key = "floe.changelog";
    for (uint32_t partition_count = 3; partition_count <= 13; partition_count += 10) {
        uint32_t with_rows;
        floe_ice_scan_reader_stats sum =
            partitioned_change(table, -1, result.snapshot_id, &spec, partition_count, &with_rows);
        ck_assert_int_eq(sum.changes_from_changelogs, 1);
        ck_assert_uint_eq(with_rows, partition_count < 10 ? partition_count : 10);
        ck_assert_int_eq(sum.changelog_files_read, 1);
        ck_assert_int_eq(sum.data_files_read, 0);
        ck_assert_int_eq(sum.rows_read, 1000);
        ck_assert_int_eq(sum.rows_inserted, 1000);
    }
    floe_ice_table_free(table);
}
END_TEST

/* Allocation failures anywhere in opening or reading a change: FLOE_ENOMEM, nothing leaked
 * (the sanitizer build checks), and with enough memory the right change. */
START_TEST(allocation_failures_are_clean)
{
    static written_file a, b, c, positions, equality;
    write_range(&a, "a", 0, 50);
    write_range(&b, "b", 50, 50);
    int64_t s1 = commit(NULL, (written_file *[]){&a, &b}, 2, NULL, 0);
    const char *paths[] = {a.path, a.path};
    write_position_deletes(&positions, "p", paths, (const int64_t[]){1, 2}, 2, 0);
    write_equality_deletes(&equality, "e", (const int64_t[]){60}, 1);
    write_range(&c, "c", 100, 10);
    int64_t s2 = commit("overwrite", (written_file *[]){&positions, &equality, &c}, 3,
                        (const char *[]){b.path}, 1);
    floe_ice_table *table = open_written();
    int succeeded = 0;
    for (long budget = 0; budget < 20000 && !succeeded; budget++) {
        floe_ice_scan_reader_options options;
        memset(&options, 0, sizeof options);
        options.snapshot_id = s2;
        options.changes = true;
        options.from_snapshot_id = s1;
        floe_ice_scan_reader *reader = NULL;
        floe_batch batch = {0};
        floe_error err;
        int64_t weight = 0;
        floe_set_allocation_failure_after(budget);
        int status = floe_ice_scan_reader_open(&reader, table, &options, &err);
        if (status == FLOE_OK) status = floe_ice_scan_reader_batch_init(reader, &batch, &err);
        while (status == FLOE_OK) {
            status = floe_ice_scan_reader_next_batch(reader, &batch, &err);
            if (status != FLOE_OK || batch.row_count == 0) break;
            for (uint32_t i = 0; i < floe_batch_live_count(&batch); i++)
                weight += batch.weights[floe_batch_live_row(&batch, i)];
        }
        floe_set_allocation_failure_after(-1);
        if (status == FLOE_OK) {
            ck_assert_int_eq(weight, 10 - 2 - 50); /* c in; rows 1, 2 of a and all of b out */
            succeeded = 1;
        } else {
            ck_assert_msg(status == FLOE_ENOMEM, "budget %ld: %d %s", budget, status,
                          err.message);
        }
        if (batch.columns != NULL) floe_batch_fini(&batch);
        floe_ice_scan_reader_free(reader);
    }
    ck_assert(succeeded);
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
    tcase_add_test(fixtures, fixture_changes);
    suite_add_tcase(suite, fixtures);
    TCase *reader = tcase_create("change_reader");
    tcase_set_timeout(reader, 120);
    tcase_add_checked_fixture(reader, setup, teardown);
    tcase_add_test(reader, appends_overwrites_and_deletes);
    tcase_add_test(reader, position_and_equality_deletes);
    tcase_add_test(reader, replace_only_ranges);
    tcase_add_test(reader, expired_from_is_not_found);
    tcase_add_test(reader, projection_predicates_partitions);
    tcase_add_test(reader, only_differing_manifests_are_read);
    tcase_add_test(reader, row_group_partitions);
    tcase_add_test(reader, changelog_row_group_partitions);
    tcase_add_test(reader, allocation_failures_are_clean);
    suite_add_tcase(suite, reader);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
