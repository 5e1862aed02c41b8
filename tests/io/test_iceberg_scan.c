/*
 * Description: the Iceberg scan reader (io/iceberg_scan.h) against independent answers.
 *   - Fixtures (FLOE_TEST_DATA/iceberg): lineitem_iceberg's row counts per snapshot and TPC-H Q6
 *     computed in C from the decoded batches, exact in decimals, equal to what Spark printed
 *     (the fixture's README: 1077536.9101); the equality_deletes tables' rows equal the rows of
 *     their data files, read with the Parquet reader directly, minus the rows matching their
 *     applicable delete files, matched here by the spec's rule (NULL equals NULL).
 *   - Tables this test writes (io/parquet_writer.h + floe_ice_commit) in a temporary directory:
 *     an added column reads NULL in old files, int→long promotion, a renamed column found by
 *     field id, a file without field ids matched through schema.name-mapping.default, position
 *     deletes dropping exactly their rows, equality deletes applied by sequence number,
 *     NULL = NULL, missing data and delete files as errors naming the path, and allocation
 *     failure injection over open and next_batch.
 */
#define _GNU_SOURCE /* mkdtemp, nftw */
#include "io/iceberg_commit.h"
#include "io/iceberg_scan.h"
#include "io/iceberg_table.h"
#include "io/parquet_reader.h"
#include "io/parquet_writer.h"
#include "kernels/memory.h"
#include "kernels/status.h"
#include "kernels/vector.h"

#include <check.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ---------------------------------------------------------------------------- */

static char root[256];

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *ftw)
{
    (void)info, (void)flag, (void)ftw;
    return remove(path);
}

static void setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/floe-scan-XXXXXX", base != NULL ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(root));
}

static void teardown(void)
{
    nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void fixture_path(const char *relative, char *out, size_t size)
{
    const char *data = getenv("FLOE_TEST_DATA");
    snprintf(out, size, "%s/iceberg/%s", data != NULL ? data : "tests/data", relative);
}

/* A value of a fixed-width vector as int64 (integers, dates, decimals of <= 18 digits). */
static int64_t int_at(const floe_vector *vector, uint32_t row)
{
    const floe_vector *values = vector;
    if (vector->encoding == FLOE_VECTOR_DICTIONARY) {
        row = ((const uint32_t *)vector->data)[row];
        values = vector->dictionary;
    }
    switch (floe_type_width(values->type)) {
    case 4: return ((const int32_t *)values->data)[row];
    case 8: return ((const int64_t *)values->data)[row];
    case 1: return ((const uint8_t *)values->data)[row];
    default: ck_abort_msg("unexpected width"); return 0;
    }
}

/* A value as text (for keys): "N" for NULL, "I<int>" or "S<bytes>". */
static void text_at(const floe_vector *vector, uint32_t row, char *out, size_t size)
{
    if (floe_vector_is_null(vector, row)) {
        snprintf(out, size, "N");
    } else if (floe_type_is_variable_width(vector->type)) {
        uint32_t length = 0;
        const unsigned char *bytes = floe_vector_string(vector, row, &length);
        snprintf(out, size, "S%.*s", (int)length, (const char *)bytes);
    } else {
        snprintf(out, size, "I%lld", (long long)int_at(vector, row));
    }
}

static int column_index(const floe_ice_scan_reader *reader, const char *name)
{
    uint32_t count = 0;
    const floe_ice_scan_column *columns = floe_ice_scan_reader_columns(reader, &count);
    for (uint32_t i = 0; i < count; i++)
        if (strcmp(columns[i].name, name) == 0) return (int)i;
    return -1;
}

static floe_ice_table *open_table(const char *directory)
{
    floe_ice_table *table = NULL;
    floe_error err;
    int status = floe_ice_table_open(&table, directory, NULL, &err);
    ck_assert_msg(status == FLOE_OK, "open %s: %s", directory, err.message);
    return table;
}

/* Live rows of a snapshot (-1: current). */
static int64_t count_rows(const floe_ice_table *table, int64_t snapshot_id)
{
    floe_ice_scan_reader_options options = {0};
    options.snapshot_id = snapshot_id;
    floe_ice_scan_reader *reader = NULL;
    floe_error err;
    int status = floe_ice_scan_reader_open(&reader, table, &options, &err);
    ck_assert_msg(status == FLOE_OK, "%s", err.message);
    floe_batch batch;
    ck_assert_int_eq(floe_ice_scan_reader_batch_init(reader, &batch, &err), FLOE_OK);
    int64_t rows = 0;
    for (;;) {
        status = floe_ice_scan_reader_next_batch(reader, &batch, &err);
        ck_assert_msg(status == FLOE_OK, "%s", err.message);
        if (batch.row_count == 0) break;
        ck_assert_uint_gt(floe_batch_live_count(&batch), 0);
        rows += floe_batch_live_count(&batch);
    }
    floe_batch_fini(&batch);
    floe_ice_scan_reader_free(reader);
    return rows;
}

/* ---- fixtures --------------------------------------------------------------------------- */

START_TEST(lineitem_row_counts_per_snapshot)
{
    char path[1024];
    fixture_path("lineitem_iceberg", path, sizeof path);
    floe_ice_table *table = open_table(path);
    ck_assert_int_eq(count_rows(table, -1), 51793);
    /* The first snapshot: the one without a parent. */
    int64_t first = -1;
    for (size_t i = 0; i < table->metadata->snapshot_count; i++)
        if (table->metadata->snapshots[i].parent_snapshot_id == -1)
            first = table->metadata->snapshots[i].snapshot_id;
    ck_assert_int_ne(first, -1);
    ck_assert_int_eq(count_rows(table, first), 60175);
    floe_ice_scan_reader_options options = {0};
    options.snapshot_id = 12345;
    floe_ice_scan_reader *reader = NULL;
    floe_error err;
    ck_assert_int_eq(floe_ice_scan_reader_open(&reader, table, &options, &err), FLOE_ENOTFOUND);
    ck_assert_ptr_null(reader);
    floe_ice_table_free(table);
}
END_TEST

START_TEST(lineitem_q6_exact)
{
    char path[1024];
    fixture_path("lineitem_iceberg", path, sizeof path);
    floe_ice_table *table = open_table(path);
    const char *names[] = {"l_shipdate", "l_discount", "l_quantity", "l_extendedprice"};
    floe_ice_scan_reader_options options = {0};
    options.snapshot_id = -1;
    options.column_names = names;
    options.column_name_count = 4;
    floe_ice_scan_reader *reader = NULL;
    floe_error err;
    ck_assert_msg(floe_ice_scan_reader_open(&reader, table, &options, &err) == FLOE_OK, "%s",
                  err.message);
    uint32_t count = 0;
    const floe_ice_scan_column *columns = floe_ice_scan_reader_columns(reader, &count);
    ck_assert_uint_eq(count, 4);
    ck_assert_int_eq(columns[0].type.id, FLOE_TYPE_DATE);
    for (int c = 1; c < 4; c++) {
        ck_assert_int_eq(columns[c].type.id, FLOE_TYPE_DECIMAL);
        ck_assert_int_eq(columns[c].type.scale, 2);
    }
    floe_batch batch;
    ck_assert_int_eq(floe_ice_scan_reader_batch_init(reader, &batch, &err), FLOE_OK);
    const int64_t from = 8766, to = 9131; /* 1994-01-01 and 1995-01-01 in days since 1970 */
    floe_int128 revenue = 0;            /* scale 4 */
    int64_t rows = 0;
    for (;;) {
        ck_assert_msg(floe_ice_scan_reader_next_batch(reader, &batch, &err) == FLOE_OK, "%s",
                      err.message);
        if (batch.row_count == 0) break;
        for (uint32_t i = 0; i < floe_batch_live_count(&batch); i++) {
            uint32_t row = floe_batch_live_row(&batch, i);
            rows++;
            int64_t shipped = int_at(&batch.columns[0], row);
            int64_t discount = int_at(&batch.columns[1], row);
            int64_t quantity = int_at(&batch.columns[2], row);
            int64_t price = int_at(&batch.columns[3], row);
            if (shipped >= from && shipped < to && discount >= 5 && discount <= 7 &&
                quantity < 2400) {
                revenue += (floe_int128)price * discount;
            }
        }
    }
    ck_assert_int_eq(rows, 51793);
    ck_assert_int_eq((int64_t)revenue, INT64_C(10775369101));
    floe_batch_fini(&batch);
    floe_ice_scan_reader_free(reader);
    floe_ice_table_free(table);
}
END_TEST

/* Rows of one Parquet file as text keys over the named columns ("" columns: the whole row's
 * row number is not needed). */
typedef struct key_set {
    char (*keys)[256];
    size_t count;
} key_set;

static void read_keys(const char *path, const char *const *names, uint32_t name_count,
                      key_set *set)
{
    floe_pq_reader_options options = {0};
    options.column_names = names;
    options.column_name_count = name_count;
    floe_pq_reader *reader = NULL;
    floe_error err;
    ck_assert_msg(floe_pq_reader_open(&reader, path, &options, &err) == FLOE_OK, "%s",
                  err.message);
    floe_batch batch;
    ck_assert_int_eq(floe_pq_reader_batch_init(reader, &batch, &err), FLOE_OK);
    set->keys = NULL;
    set->count = 0;
    for (;;) {
        ck_assert_msg(floe_pq_reader_next_batch(reader, &batch, &err) == FLOE_OK, "%s",
                      err.message);
        if (batch.row_count == 0) break;
        set->keys = realloc(set->keys, (set->count + batch.row_count) * sizeof *set->keys);
        ck_assert_ptr_nonnull(set->keys);
        for (uint32_t row = 0; row < batch.row_count; row++) {
            char *key = set->keys[set->count++];
            key[0] = '\0';
            for (uint32_t c = 0; c < name_count; c++) {
                char part[120];
                text_at(&batch.columns[c], row, part, sizeof part);
                strncat(key, part, 255 - strlen(key));
                strncat(key, "|", 255 - strlen(key));
            }
        }
    }
    floe_batch_fini(&batch);
    floe_pq_reader_free(reader);
}

/* Expected live rows: every planned data file read directly, minus rows whose equality key
 * matches a row of an applicable equality delete file (the plan says which apply). */
static int64_t expected_after_equality_deletes(const floe_ice_table *table)
{
    floe_ice_scan_plan *plan = NULL;
    floe_error err;
    ck_assert_msg(floe_ice_table_plan_scan(table, -1, &plan, &err) == FLOE_OK, "%s",
                  err.message);
    const floe_ice_schema *schema = floe_ice_current_schema(table->metadata);
    int64_t live = 0;
    for (size_t t = 0; t < plan->task_count; t++) {
        const floe_ice_scan_task *task = &plan->tasks[t];
        size_t rows = 0;
        int64_t removed = 0;
        /* Row count of the data file from the file itself. */
        {
            const char *first = schema->fields[0].name;
            key_set all;
            read_keys(task->data.path, &first, 1, &all);
            rows = all.count;
            free(all.keys);
        }
        char *deleted = calloc(rows + 1, 1);
        for (size_t d = 0; d < task->delete_count; d++) {
            const floe_ice_scan_file *file = &plan->delete_files[task->delete_indexes[d]];
            ck_assert_int_eq(file->content, FLOE_ICE_CONTENT_EQUALITY_DELETES);
            const char *names[8];
            uint32_t name_count = (uint32_t)file->file->equality_id_count;
            ck_assert_uint_le(name_count, 8);
            for (uint32_t i = 0; i < name_count; i++) {
                const floe_ice_field *field =
                    floe_ice_field_by_id(schema, file->file->equality_ids[i]);
                ck_assert_ptr_nonnull(field);
                names[i] = field->name;
            }
            key_set data_keys, delete_keys;
            read_keys(task->data.path, names, name_count, &data_keys);
            read_keys(file->path, names, name_count, &delete_keys);
            ck_assert_uint_eq(data_keys.count, rows);
            for (size_t r = 0; r < rows; r++)
                for (size_t k = 0; k < delete_keys.count && !deleted[r]; k++)
                    if (strcmp(data_keys.keys[r], delete_keys.keys[k]) == 0) deleted[r] = 1;
            free(data_keys.keys);
            free(delete_keys.keys);
        }
        for (size_t r = 0; r < rows; r++) removed += deleted[r];
        free(deleted);
        live += (int64_t)rows - removed;
    }
    floe_ice_scan_plan_free(plan);
    return live;
}

START_TEST(equality_delete_fixtures)
{
    const char *tables[] = {"equality_deletes/warehouse/mydb/mytable",
                            "equality_deletes/warehouse/mydb/mytable_partitioned"};
    for (size_t i = 0; i < 2; i++) {
        char path[1024];
        fixture_path(tables[i], path, sizeof path);
        floe_ice_table *table = open_table(path);
        int64_t expected = expected_after_equality_deletes(table);
        int64_t got = count_rows(table, -1);
        ck_assert_msg(got == expected, "%s: %lld rows, expected %lld", tables[i],
                      (long long)got, (long long)expected);
        floe_ice_table_free(table);
    }
}
END_TEST

/* ---- tables written here ---------------------------------------------------------------- */

/* A column to write: integers from ints (NULL entries via nulls) or strings (NULL = NULL). */
typedef struct write_column {
    const char *name;
    floe_type type;
    int32_t field_id;
    const int64_t *ints;
    const char *const *strings;
    const unsigned char *nulls; /* for ints; may be NULL */
} write_column;

static void write_parquet(const char *path, const write_column *columns, uint32_t column_count,
                          uint32_t rows, floe_ice_data_file *file, int32_t content)
{
    floe_pq_write_column schema_columns[8];
    floe_type types[8];
    ck_assert_uint_le(column_count, 8);
    for (uint32_t c = 0; c < column_count; c++) {
        schema_columns[c] = (floe_pq_write_column){columns[c].name, columns[c].type, true,
                                                   columns[c].field_id};
        types[c] = columns[c].type;
    }
    floe_pq_write_schema schema = {schema_columns, column_count, NULL, NULL, 0};
    floe_pq_writer *writer = NULL;
    floe_error err;
    ck_assert_msg(floe_pq_writer_create(&writer, path, &schema, NULL, &err) == FLOE_OK, "%s",
                  err.message);
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, column_count, types, &err), FLOE_OK);
    ck_assert_uint_le(rows, FLOE_BATCH_CAPACITY);
    for (uint32_t c = 0; c < column_count; c++) {
        floe_vector *vector = &batch.columns[c];
        for (uint32_t r = 0; r < rows; r++) {
            if (columns[c].strings != NULL) {
                const char *text = columns[c].strings[r];
                if (text == NULL) floe_vector_set_null(vector, r);
                else ck_assert_int_eq(floe_vector_set_string(vector, r, text,
                                                             (uint32_t)strlen(text), &err),
                                      FLOE_OK);
            } else if (columns[c].nulls != NULL && columns[c].nulls[r]) {
                floe_vector_set_null(vector, r);
            } else if (floe_type_width(vector->type) == 4) {
                ((int32_t *)vector->data)[r] = (int32_t)columns[c].ints[r];
            } else {
                ((int64_t *)vector->data)[r] = columns[c].ints[r];
            }
        }
    }
    batch.row_count = rows;
    ck_assert_msg(floe_pq_writer_write_batch(writer, &batch, &err) == FLOE_OK, "%s",
                  err.message);
    floe_pq_write_result result;
    ck_assert_msg(floe_pq_writer_close(writer, &result, &err) == FLOE_OK, "%s", err.message);
    memset(file, 0, sizeof *file);
    file->content = content;
    file->file_path = strdup(path);
    file->file_format = "parquet";
    file->record_count = (int64_t)result.row_count;
    file->file_size_in_bytes = (int64_t)result.file_size;
    floe_batch_fini(&batch);
    floe_pq_writer_free(writer);
}

static void release_file(floe_ice_data_file *file)
{
    free((char *)(uintptr_t)file->file_path);
    file->file_path = NULL;
}

static void commit_one(const char *table, floe_ice_data_file *file)
{
    floe_ice_commit_request request = {0};
    request.added_files = file;
    request.added_count = 1;
    request.expected_schema_id = -1;
    floe_error err;
    ck_assert_msg(floe_ice_commit(table, &request, NULL, &err) == FLOE_OK, "%s", err.message);
}

static void make_table(const char *name, char *out, size_t size, const floe_ice_new_column *columns,
                       size_t column_count, const floe_ice_property *properties,
                       size_t property_count)
{
    snprintf(out, size, "%s/%s", root, name);
    floe_error err;
    ck_assert_msg(floe_ice_commit_create_table(out, columns, column_count, properties,
                                               property_count, &err) == FLOE_OK,
                  "%s", err.message);
}

static void data_file_path(const char *table, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/data/%s.parquet", table, name);
}

START_TEST(schema_evolution_by_field_id)
{
    /* Today's schema: id long, label string, extra int (added after the old file). */
    floe_ice_new_column table_columns[] = {
        {"id", floe_type_make(FLOE_TYPE_INT64), 0, 1, NULL},
        {"label", floe_type_make(FLOE_TYPE_STRING), 0, 2, NULL},
        {"extra", floe_type_make(FLOE_TYPE_INT32), 0, 3, NULL},
    };
    char table[512], path[1024];
    make_table("evo", table, sizeof table, table_columns, 3, NULL, 0);
    /* The old file: id stored as int (promoted to long), label under its old name, no extra. */
    int64_t old_ids[] = {0, 1, 2, -7};
    const char *old_labels[] = {"a0", "a1", NULL, "a3"};
    write_column old_columns[] = {
        {"id", floe_type_make(FLOE_TYPE_INT32), 1, old_ids, NULL, NULL},
        {"old_label", floe_type_make(FLOE_TYPE_STRING), 2, NULL, old_labels, NULL},
    };
    floe_ice_data_file file;
    data_file_path(table, "old", path, sizeof path);
    write_parquet(path, old_columns, 2, 4, &file, FLOE_ICE_CONTENT_DATA);
    commit_one(table, &file);
    release_file(&file);
    int64_t new_ids[] = {INT64_C(5000000000), 101};
    const char *new_labels[] = {"b0", "b1"};
    int64_t extras[] = {20, 22};
    write_column new_columns[] = {
        {"extra", floe_type_make(FLOE_TYPE_INT32), 3, extras, NULL, NULL},
        {"id", floe_type_make(FLOE_TYPE_INT64), 1, new_ids, NULL, NULL},
        {"label", floe_type_make(FLOE_TYPE_STRING), 2, NULL, new_labels, NULL},
    };
    data_file_path(table, "new", path, sizeof path);
    write_parquet(path, new_columns, 3, 2, &file, FLOE_ICE_CONTENT_DATA);
    commit_one(table, &file);
    release_file(&file);

    floe_ice_table *opened = open_table(table);
    floe_ice_scan_reader *reader = NULL;
    floe_error err;
    ck_assert_msg(floe_ice_scan_reader_open(&reader, opened, NULL, &err) == FLOE_OK, "%s",
                  err.message);
    uint32_t count = 0;
    const floe_ice_scan_column *columns = floe_ice_scan_reader_columns(reader, &count);
    ck_assert_uint_eq(count, 3);
    ck_assert_int_eq(columns[0].type.id, FLOE_TYPE_INT64);
    ck_assert_int_eq(column_index(reader, "label"), 1);
    floe_batch batch;
    ck_assert_int_eq(floe_ice_scan_reader_batch_init(reader, &batch, &err), FLOE_OK);
    char seen[16][128];
    int rows = 0;
    for (;;) {
        ck_assert_msg(floe_ice_scan_reader_next_batch(reader, &batch, &err) == FLOE_OK, "%s",
                      err.message);
        if (batch.row_count == 0) break;
        for (uint32_t i = 0; i < floe_batch_live_count(&batch); i++) {
            uint32_t row = floe_batch_live_row(&batch, i);
            char a[40], b[40], c[40];
            text_at(&batch.columns[0], row, a, sizeof a);
            text_at(&batch.columns[1], row, b, sizeof b);
            text_at(&batch.columns[2], row, c, sizeof c);
            ck_assert_int_lt(rows, 16);
            snprintf(seen[rows++], sizeof seen[0], "%s,%s,%s", a, b, c);
        }
    }
    ck_assert_int_eq(rows, 6);
    const char *expected[] = {"I0,Sa0,N",  "I1,Sa1,N",           "I2,N,N",
                              "I-7,Sa3,N", "I5000000000,Sb0,I20", "I101,Sb1,I22"};
    for (int e = 0; e < 6; e++) {
        int found = 0;
        for (int r = 0; r < rows; r++) found |= strcmp(seen[r], expected[e]) == 0;
        ck_assert_msg(found, "row %s not read", expected[e]);
    }
    floe_batch_fini(&batch);
    floe_ice_scan_reader_free(reader);
    floe_ice_table_free(opened);
}
END_TEST

START_TEST(name_mapping_without_field_ids)
{
    floe_ice_new_column table_columns[] = {
        {"id", floe_type_make(FLOE_TYPE_INT64), 0, 1, NULL},
        {"label", floe_type_make(FLOE_TYPE_STRING), 0, 2, NULL},
    };
    floe_ice_property properties[] = {
        {"schema.name-mapping.default",
         "[{\"field-id\":1,\"names\":[\"legacy_id\"]},{\"field-id\":2,\"names\":[\"tag\"]}]"},
    };
    char table[512], path[1024];
    make_table("mapped", table, sizeof table, table_columns, 2, properties, 1);
    int64_t ids[] = {7, 8, 9};
    const char *tags[] = {"x", "y", "z"};
    const char *ignored[] = {"q", "q", "q"};
    write_column columns[] = {
        {"legacy_id", floe_type_make(FLOE_TYPE_INT64), -1, ids, NULL, NULL},
        {"label", floe_type_make(FLOE_TYPE_STRING), -1, NULL, ignored, NULL},
        {"tag", floe_type_make(FLOE_TYPE_STRING), -1, NULL, tags, NULL},
    };
    floe_ice_data_file file;
    data_file_path(table, "migrated", path, sizeof path);
    write_parquet(path, columns, 3, 3, &file, FLOE_ICE_CONTENT_DATA);
    commit_one(table, &file);
    release_file(&file);
    floe_ice_table *opened = open_table(table);
    floe_ice_scan_reader *reader = NULL;
    floe_error err;
    ck_assert_msg(floe_ice_scan_reader_open(&reader, opened, NULL, &err) == FLOE_OK, "%s",
                  err.message);
    floe_batch batch;
    ck_assert_int_eq(floe_ice_scan_reader_batch_init(reader, &batch, &err), FLOE_OK);
    ck_assert_msg(floe_ice_scan_reader_next_batch(reader, &batch, &err) == FLOE_OK, "%s",
                  err.message);
    ck_assert_uint_eq(floe_batch_live_count(&batch), 3);
    for (uint32_t r = 0; r < 3; r++) {
        char text[40], want[40];
        ck_assert_int_eq(int_at(&batch.columns[0], r), 7 + (int64_t)r);
        text_at(&batch.columns[1], r, text, sizeof text);
        snprintf(want, sizeof want, "S%s", tags[r]);
        ck_assert_str_eq(text, want);
    }
    ck_assert_msg(floe_ice_scan_reader_next_batch(reader, &batch, &err) == FLOE_OK, "%s",
                  err.message);
    ck_assert_uint_eq(batch.row_count, 0);
    floe_batch_fini(&batch);
    floe_ice_scan_reader_free(reader);
    floe_ice_table_free(opened);
}
END_TEST

/* The table of the delete tests: id long, name string. */
static floe_ice_new_column delete_table_columns[] = {
    {"id", {FLOE_TYPE_INT64, 0, 0}, 0, 1, NULL},
    {"name", {FLOE_TYPE_STRING, 0, 0}, 0, 2, NULL},
};

static void write_data(const char *table, const char *name, const int64_t *ids,
                       const char *const *names, uint32_t rows, char *path, size_t size)
{
    write_column columns[] = {
        {"id", floe_type_make(FLOE_TYPE_INT64), 1, ids, NULL, NULL},
        {"name", floe_type_make(FLOE_TYPE_STRING), 2, NULL, names, NULL},
    };
    floe_ice_data_file file;
    data_file_path(table, name, path, size);
    write_parquet(path, columns, 2, rows, &file, FLOE_ICE_CONTENT_DATA);
    commit_one(table, &file);
    release_file(&file);
}

/* Sorted live ids of the current snapshot into ids[], returns their number, or the error. */
static int read_ids(const char *table, int64_t *ids, int capacity, int *count, floe_error *err)
{
    floe_ice_table *opened = open_table(table);
    floe_ice_scan_reader *reader = NULL;
    floe_batch batch = {0};
    int status = floe_ice_scan_reader_open(&reader, opened, NULL, err);
    if (status == FLOE_OK) status = floe_ice_scan_reader_batch_init(reader, &batch, err);
    *count = 0;
    while (status == FLOE_OK) {
        status = floe_ice_scan_reader_next_batch(reader, &batch, err);
        if (status != FLOE_OK || batch.row_count == 0) break;
        for (uint32_t i = 0; i < floe_batch_live_count(&batch); i++) {
            ck_assert_int_lt(*count, capacity);
            ids[(*count)++] = int_at(&batch.columns[0], floe_batch_live_row(&batch, i));
        }
    }
    for (int i = 1; i < *count; i++)
        for (int j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
            int64_t t = ids[j];
            ids[j] = ids[j - 1];
            ids[j - 1] = t;
        }
    floe_batch_fini(&batch);
    floe_ice_scan_reader_free(reader);
    floe_ice_table_free(opened);
    return status;
}

START_TEST(position_deletes_drop_exactly_their_rows)
{
    char table[512], data[1024], path[1024];
    make_table("posdel", table, sizeof table, delete_table_columns, 2, NULL, 0);
    int64_t ids[100];
    const char *names[100];
    for (int i = 0; i < 100; i++) ids[i] = i, names[i] = "n";
    write_data(table, "d", ids, names, 100, data, sizeof data);
    /* Another file whose rows must survive: deletes name a different path. */
    int64_t other_ids[] = {1000, 1001};
    char other[1024];
    write_data(table, "other", other_ids, names, 2, other, sizeof other);
    const char *paths[] = {data, data, data, data};
    int64_t positions[] = {3, 50, 99, 50};
    write_column columns[] = {
        {"file_path", floe_type_make(FLOE_TYPE_STRING), 2147483546, NULL, paths, NULL},
        {"pos", floe_type_make(FLOE_TYPE_INT64), 2147483545, positions, NULL, NULL},
    };
    floe_ice_data_file file;
    data_file_path(table, "pos-deletes", path, sizeof path);
    write_parquet(path, columns, 2, 4, &file, FLOE_ICE_CONTENT_POSITION_DELETES);
    commit_one(table, &file);
    release_file(&file);
    int64_t got[200];
    int count = 0;
    floe_error err;
    ck_assert_msg(read_ids(table, got, 200, &count, &err) == FLOE_OK, "%s", err.message);
    ck_assert_int_eq(count, 99);
    int k = 0;
    for (int i = 0; i < 100; i++) {
        if (i == 3 || i == 50 || i == 99) continue;
        ck_assert_int_eq(got[k++], i);
    }
    ck_assert_int_eq(got[k++], 1000);
    ck_assert_int_eq(got[k++], 1001);

    /* The delete file missing: an error naming it. */
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(read_ids(table, got, 200, &count, &err), FLOE_ENOTFOUND);
    ck_assert_msg(strstr(err.message, "pos-deletes.parquet") != NULL, "%s", err.message);
}
END_TEST

START_TEST(equality_deletes_by_sequence_number_and_null)
{
    char table[512], first[1024], later[1024], path[1024];
    make_table("eqdel", table, sizeof table, delete_table_columns, 2, NULL, 0);
    int64_t ids1[] = {1, 2, 3, 4};
    const char *names1[] = {"a", "b", NULL, "c"};
    write_data(table, "first", ids1, names1, 4, first, sizeof first); /* sequence 1 */
    const char *delete_names[] = {"b", NULL};
    write_column columns[] = {
        {"name", floe_type_make(FLOE_TYPE_STRING), 2, NULL, delete_names, NULL},
    };
    floe_ice_data_file file;
    data_file_path(table, "eq-deletes", path, sizeof path);
    write_parquet(path, columns, 1, 2, &file, FLOE_ICE_CONTENT_EQUALITY_DELETES);
    int32_t equality_ids[] = {2};
    file.has_equality_ids = 1;
    file.equality_id_count = 1;
    file.equality_ids = equality_ids;
    commit_one(table, &file); /* sequence 2: applies to the first file only */
    release_file(&file);
    int64_t ids2[] = {5, 6, 7};
    const char *names2[] = {"b", NULL, "a"};
    write_data(table, "later", ids2, names2, 3, later, sizeof later); /* sequence 3 */
    int64_t got[16];
    int count = 0;
    floe_error err;
    ck_assert_msg(read_ids(table, got, 16, &count, &err) == FLOE_OK, "%s", err.message);
    int64_t expected[] = {1, 4, 5, 6, 7};
    ck_assert_int_eq(count, 5);
    for (int i = 0; i < 5; i++) ck_assert_int_eq(got[i], expected[i]);

    floe_ice_table *opened = open_table(table);
    floe_ice_scan_reader *reader = NULL;
    ck_assert_int_eq(floe_ice_scan_reader_open(&reader, opened, NULL, &err), FLOE_OK);
    floe_batch batch;
    ck_assert_int_eq(floe_ice_scan_reader_batch_init(reader, &batch, &err), FLOE_OK);
    do {
        ck_assert_int_eq(floe_ice_scan_reader_next_batch(reader, &batch, &err), FLOE_OK);
    } while (batch.row_count != 0);
    const floe_ice_scan_reader_stats *stats = floe_ice_scan_reader_stats_get(reader);
    ck_assert_int_eq(stats->rows_read, 7);
    ck_assert_int_eq(stats->rows_equality_deleted, 2);
    ck_assert_int_eq(stats->rows_position_deleted, 0);
    floe_batch_fini(&batch);
    floe_ice_scan_reader_free(reader);
    floe_ice_table_free(opened);

    /* A data file missing: an error naming it. */
    ck_assert_int_eq(unlink(later), 0);
    ck_assert_int_ne(read_ids(table, got, 16, &count, &err), FLOE_OK);
    ck_assert_msg(strstr(err.message, "later.parquet") != NULL, "%s", err.message);
}
END_TEST

START_TEST(allocation_failures_are_clean)
{
    char table[512], data[1024], path[1024];
    make_table("alloc", table, sizeof table, delete_table_columns, 2, NULL, 0);
    int64_t ids[] = {1, 2, 3, 4, 5};
    const char *names[] = {"a", "b", NULL, "c", "b"};
    write_data(table, "d", ids, names, 5, data, sizeof data);
    const char *delete_names[] = {"b"};
    write_column columns[] = {
        {"name", floe_type_make(FLOE_TYPE_STRING), 2, NULL, delete_names, NULL},
    };
    floe_ice_data_file file;
    data_file_path(table, "eq", path, sizeof path);
    write_parquet(path, columns, 1, 1, &file, FLOE_ICE_CONTENT_EQUALITY_DELETES);
    int32_t equality_ids[] = {2};
    file.has_equality_ids = 1;
    file.equality_id_count = 1;
    file.equality_ids = equality_ids;
    commit_one(table, &file);
    release_file(&file);
    const char *positions_paths[] = {data};
    int64_t positions[] = {0};
    write_column position_columns[] = {
        {"file_path", floe_type_make(FLOE_TYPE_STRING), 2147483546, NULL, positions_paths, NULL},
        {"pos", floe_type_make(FLOE_TYPE_INT64), 2147483545, positions, NULL, NULL},
    };
    data_file_path(table, "pos", path, sizeof path);
    write_parquet(path, position_columns, 2, 1, &file, FLOE_ICE_CONTENT_POSITION_DELETES);
    commit_one(table, &file);
    release_file(&file);

    floe_ice_table *opened = open_table(table);
    int succeeded = 0;
    for (long budget = 0; budget < 5000 && !succeeded; budget++) {
        floe_error err;
        floe_ice_scan_reader *reader = NULL;
        floe_batch batch = {0};
        int64_t live = 0;
        floe_set_allocation_failure_after(budget);
        int status = floe_ice_scan_reader_open(&reader, opened, NULL, &err);
        if (status == FLOE_OK) status = floe_ice_scan_reader_batch_init(reader, &batch, &err);
        while (status == FLOE_OK) {
            status = floe_ice_scan_reader_next_batch(reader, &batch, &err);
            if (status != FLOE_OK || batch.row_count == 0) break;
            live += floe_batch_live_count(&batch);
        }
        floe_set_allocation_failure_after(-1);
        if (status == FLOE_OK) {
            ck_assert_int_eq(live, 2); /* ids 3 and 4: 1 by position, 2 and 5 by name */
            succeeded = 1;
        } else {
            ck_assert_msg(status == FLOE_ENOMEM, "budget %ld: %d %s", budget, status,
                          err.message);
            ck_assert(err.message[0] != '\0');
        }
        floe_batch_fini(&batch);
        floe_ice_scan_reader_free(reader);
    }
    ck_assert(succeeded);
    floe_ice_table_free(opened);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("iceberg_scan");
    TCase *fixtures = tcase_create("fixtures");
    tcase_set_timeout(fixtures, 120);
    tcase_add_test(fixtures, lineitem_row_counts_per_snapshot);
    tcase_add_test(fixtures, lineitem_q6_exact);
    tcase_add_test(fixtures, equality_delete_fixtures);
    suite_add_tcase(suite, fixtures);
    TCase *written = tcase_create("written");
    tcase_set_timeout(written, 120);
    tcase_add_checked_fixture(written, setup, teardown);
    tcase_add_test(written, schema_evolution_by_field_id);
    tcase_add_test(written, name_mapping_without_field_ids);
    tcase_add_test(written, position_deletes_drop_exactly_their_rows);
    tcase_add_test(written, equality_deletes_by_sequence_number_and_null);
    tcase_add_test(written, allocation_failures_are_clean);
    suite_add_tcase(suite, written);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
