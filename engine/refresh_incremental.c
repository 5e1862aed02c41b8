/*
 * refresh_incremental.c — incremental refresh of aggregating dynamic tables (contract and state
 * file layout in engine/refresh_incremental.h).
 *
 * Why two states. The delta is aggregated first, into D, before any state is read: D's keys are
 * the only ones the refresh touches, so D tells which buckets to load, and a bucket no change
 * reaches is never opened. Loaded buckets are imported into S and D is merged into it, which is
 * the same fold the parallel aggregate does for its partials (group_state.h: merging is exactly
 * applying D's rows). A rebuild is the degenerate case: nothing to load, S is D.
 *
 * Bucket by bucket. A keyed table's incremental refresh keeps one S per touched bucket rather
 * than one for the table (refresh_by_bucket): the buckets are independent, so each is loaded,
 * merged with its part of D and written on its own, on the context's threads, and no state of
 * every touched group is ever built (merging the buckets into one and exporting it again was
 * a fifth of a refresh that touches every bucket). Growth and keyless tables keep the one S.
 * A rebuild writes its buckets on the threads too. Files of every bucket are recorded in
 * bucket order once the threads are done, so what is written does not depend on timing.
 * Where every call's state is per-group numbers (COUNT, SUM, AVG), a bucket is not even
 * imported: its file's arrays are patched with D's part in place ("streaming a bucket").
 *
 * Files. State files are Floe's own: group rows are written as whole columns of the flat
 * arrays and read back a batch of columns at a time (group_columns, append_groups); output
 * rows come from the flat arrays too (group_state.h's emit_flat) where the calls allow.
 */
#define _POSIX_C_SOURCE 200809L

#include "engine/refresh_incremental.h"
#include "engine/refresh_incremental_int.h"

#include "engine/thread_pool.h" /* buckets and delta partitions on the context's threads */

#include "engine/delta_plan.h"      /* the aggregate's input: its change */
#include "engine/dynamic_table_int.h" /* FLOE_ENG_REFRESH_COLUMN, left out of the changelog */
#include "engine/expression_eval.h" /* keys, arguments, the PROJECT / FILTER chain */
#include "engine/group_state.h"     /* D and S */
#include "engine/state_store.h"     /* the state manifest, bucket_of */
#include "engine/table_writer.h"    /* floe_eng_data_file_entry: the output files' manifest entries */
#include "io/catalog_fs.h"          /* new file names */
#include "io/fs_util.h"             /* directories */
#include "io/iceberg_commit.h"      /* the one commit */
#include "io/iceberg_scan.h"        /* the changelog's weight column */
#include "io/parquet_reader.h"      /* state files in */
#include "io/parquet_writer.h"      /* state and output files out */
#include "kernels/hashtable.h"      /* FLOE_K_NO_GROUP: a key the state does not hold */
#include "kernels/memory.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { GROUPS_PER_BUCKET = 65536 };

/* ---- shared with refresh_rows.c (refresh_incremental_int.h) ------------------------------ */

void floe_eng_incremental_fallback(char *fallback, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(fallback, FLOE_ENG_FALLBACK_SIZE, format, arguments);
    va_end(arguments);
}

char *floe_eng_incremental_copy_text(const char *text)
{
    size_t size = strlen(text) + 1;
    char *copy = floe_malloc(size);
    if (copy != NULL) memcpy(copy, text, size);
    return copy;
}

void floe_eng_incremental_delete_columns(floe_pq_write_column columns[2])
{
    enum { FILE_PATH_FIELD_ID = 2147483546, POS_FIELD_ID = 2147483545 }; /* reserved ids */
    columns[0] = (floe_pq_write_column){"file_path", floe_type_make(FLOE_TYPE_STRING), false,
                                        FILE_PATH_FIELD_ID};
    columns[1] = (floe_pq_write_column){"pos", floe_type_make(FLOE_TYPE_INT64), false,
                                        POS_FIELD_ID};
}

int floe_eng_incremental_add_path(char ***paths, size_t *count, size_t *capacity,
                                  const char *path, floe_error *err)
{
    if (*count == *capacity) {
        size_t grown = *capacity ? *capacity * 2 : 8;
        char **larger = floe_realloc(*paths, grown * sizeof *larger);
        FLOE_RETURN_IF(larger == NULL, FLOE_ENOMEM, err, "out of memory");
        *paths = larger;
        *capacity = grown;
    }
    (*paths)[*count] = floe_eng_incremental_copy_text(path);
    FLOE_RETURN_IF((*paths)[*count] == NULL, FLOE_ENOMEM, err, "out of memory");
    (*count)++;
    return FLOE_OK;
}

int floe_eng_incremental_in_history(floe_eng_database *db, const char *identity,
                                    int64_t snapshot_id, bool *found, floe_error *err)
{
    *found = snapshot_id < 0;
    if (*found) return FLOE_OK;
    floe_ice_table *source = NULL;
    FLOE_TRY(floe_ice_table_open(&source, identity, floe_eng_database_warehouse(db), err));
    const floe_ice_table_metadata *metadata = source->metadata;
    const floe_ice_snapshot *snapshot = floe_ice_current_snapshot(metadata);
    size_t steps = 0;
    while (snapshot != NULL && steps++ <= metadata->snapshot_count) {
        if (snapshot->snapshot_id == snapshot_id) {
            *found = true;
            break;
        }
        if (snapshot->parent_snapshot_id < 0) break;
        snapshot = floe_ice_snapshot_by_id(metadata, snapshot->parent_snapshot_id);
    }
    floe_ice_table_free(source);
    return FLOE_OK;
}

/* ---- shape -------------------------------------------------------------------------------- */

static bool has_kind(const floe_sql_plan *node, floe_sql_plan_kind kind)
{
    if (node->kind == kind) return true;
    for (uint32_t i = 0; i < node->input_count; i++)
        if (has_kind(node->inputs[i], kind)) return true;
    return false;
}

/* Whether the chain from `root` down to `aggregate` has a FILTER (HAVING). */
static bool chain_filters(const floe_sql_plan *root, const floe_sql_plan *aggregate)
{
    for (const floe_sql_plan *node = root; node != aggregate; node = node->inputs[0])
        if (node->kind == FLOE_SQL_PLAN_FILTER) return true;
    return false;
}

/* The AGGREGATE under the root's PROJECT / FILTER chain, or NULL. */
static const floe_sql_plan *aggregate_of(const floe_sql_plan *plan)
{
    const floe_sql_plan *node = plan;
    while (node->kind == FLOE_SQL_PLAN_PROJECT || node->kind == FLOE_SQL_PLAN_FILTER)
        node = node->inputs[0];
    return node->kind == FLOE_SQL_PLAN_AGGREGATE ? node : NULL;
}

bool floe_eng_incremental_shape(const floe_sql_plan *plan, const char **construct)
{
    *construct = NULL;
    const floe_sql_plan *aggregate = aggregate_of(plan);
    if (aggregate == NULL) {
        if (has_kind(plan, FLOE_SQL_PLAN_AGGREGATE)) {
            *construct = "aggregates under other operators";
            return false;
        }
        return floe_eng_incremental_rows_shape(plan, construct);
    }
    if (has_kind(aggregate->inputs[0], FLOE_SQL_PLAN_AGGREGATE)) {
        *construct = "aggregates over aggregates";
        return false;
    }
    return floe_eng_delta_supported(aggregate->inputs[0], construct);
}

/* ---- the prepared refresh ----------------------------------------------------------------- */

void floe_eng_incremental_output_file_fini(floe_eng_incremental_output *file, bool remove)
{
    if (remove && file->path != NULL) unlink(file->path);
    floe_free(file->path);
    floe_eng_data_file_entry_fini(&file->entry);
}

void floe_eng_incremental_free(floe_eng_incremental *inc)
{
    if (inc == NULL) return;
    bool remove = !inc->committed;
    for (size_t i = 0; i < inc->output_count; i++)
        floe_eng_incremental_output_file_fini(&inc->outputs[i], remove);
    for (size_t i = 0; i < inc->state_count; i++) {
        if (remove) unlink(inc->state_paths[i]);
        floe_free(inc->state_paths[i]);
    }
    if (inc->manifest_path != NULL && remove) unlink(inc->manifest_path);
    floe_free(inc->manifest_path);
    if (inc->changelog_path != NULL && remove) unlink(inc->changelog_path);
    floe_free(inc->changelog_path);
    for (size_t i = 0; i < inc->removed_count; i++) floe_free(inc->removed[i]);
    floe_free(inc->removed);
    floe_free(inc->outputs);
    floe_free(inc->state_paths);
    floe_eng_state_manifest_fini(&inc->manifest);
    floe_free(inc->directory);
    floe_free(inc);
}

const floe_eng_incremental_counts *floe_eng_incremental_counts_of(const floe_eng_incremental *inc)
{
    return &inc->counts;
}

const char *floe_eng_incremental_manifest_path(const floe_eng_incremental *inc)
{
    return inc->manifest_path;
}

const char *floe_eng_incremental_changelog_path(const floe_eng_incremental *inc)
{
    return inc->changelog_path;
}

/* ---- the state file layout ---------------------------------------------------------------- */

enum { COLUMN_KIND = 0, COLUMN_GROUP, COLUMN_COUNT, FIRST_KEY_COLUMN };

typedef struct call_columns {
    int32_t count, sum, sum_high, value; /* column index, -1 when the call has none */
    bool entries;              /* MIN / MAX / DISTINCT: entry rows */
    bool sum_double;
} call_columns;

/* column_count columns, then one more in an overlay's state file only: _floe_base_row at
 * index column_count of the arrays. */
typedef struct state_layout {
    uint32_t key_count, call_count, column_count;
    floe_pq_write_column *columns;
    floe_type *types;
    char (*names)[32];
    call_columns *calls;
} state_layout;

static void layout_fini(state_layout *layout)
{
    floe_free(layout->columns);
    floe_free(layout->types);
    floe_free(layout->names);
    floe_free(layout->calls);
    memset(layout, 0, sizeof *layout);
}

static bool is_float(floe_type type)
{
    return type.id == FLOE_TYPE_FLOAT32 || type.id == FLOE_TYPE_FLOAT64;
}

static int layout_init(state_layout *layout, const floe_type *key_types, uint32_t key_count,
                       const floe_eng_aggregate_spec *specs, uint32_t call_count, floe_error *err)
{
    memset(layout, 0, sizeof *layout);
    uint32_t capacity = FIRST_KEY_COLUMN + key_count + 3 * call_count + 1;
    layout->columns = floe_calloc(capacity, sizeof *layout->columns);
    layout->types = floe_calloc(capacity, sizeof *layout->types);
    layout->names = floe_calloc(capacity, sizeof *layout->names);
    layout->calls = floe_calloc(call_count + 1, sizeof *layout->calls);
    FLOE_RETURN_IF(layout->columns == NULL || layout->types == NULL || layout->names == NULL ||
                       layout->calls == NULL,
                   FLOE_ENOMEM, err, "out of memory");
    layout->key_count = key_count;
    layout->call_count = call_count;
    uint32_t n = 0;
#define ADD_COLUMN(type_, nullable_, ...)                                                  \
    do {                                                                                   \
        snprintf(layout->names[n], sizeof layout->names[n], __VA_ARGS__);                  \
        layout->types[n] = (type_);                                                        \
        layout->columns[n] = (floe_pq_write_column){layout->names[n], (type_), (nullable_), \
                                                    (int32_t)n + 1};                       \
        n++;                                                                               \
    } while (0)
    ADD_COLUMN(floe_type_make(FLOE_TYPE_INT32), false, "_floe_kind");
    ADD_COLUMN(floe_type_make(FLOE_TYPE_INT64), false, "_floe_group");
    ADD_COLUMN(floe_type_make(FLOE_TYPE_INT64), false, "_floe_count");
    for (uint32_t k = 0; k < key_count; k++) ADD_COLUMN(key_types[k], true, "key_%u", k);
    for (uint32_t c = 0; c < call_count; c++) {
        const floe_eng_aggregate_spec *spec = &specs[c];
        call_columns *call = &layout->calls[c];
        call->count = call->sum = call->sum_high = call->value = -1;
        bool minmax = spec->function == FLOE_SQL_AGGREGATE_MIN ||
                      spec->function == FLOE_SQL_AGGREGATE_MAX;
        if (spec->function == FLOE_SQL_AGGREGATE_COUNT_STAR) continue;
        if (minmax || spec->distinct) {
            call->entries = true;
            call->value = (int32_t)n;
            ADD_COLUMN(spec->argument_type, true, "call_%u_value", c);
            continue;
        }
        call->count = (int32_t)n;
        ADD_COLUMN(floe_type_make(FLOE_TYPE_INT64), true, "call_%u_count", c);
        if (spec->function == FLOE_SQL_AGGREGATE_COUNT) continue;
        call->sum = (int32_t)n;
        call->sum_double = is_float(spec->argument_type);
        if (call->sum_double) {
            ADD_COLUMN(floe_type_make(FLOE_TYPE_FLOAT64), true, "call_%u_sum", c);
            continue;
        }
        ADD_COLUMN(floe_type_make(FLOE_TYPE_INT64), true, "call_%u_sum", c);
        call->sum_high = (int32_t)n;
        ADD_COLUMN(floe_type_make(FLOE_TYPE_INT64), true, "call_%u_sum_high", c);
    }
    layout->column_count = n;
    ADD_COLUMN(floe_type_make(FLOE_TYPE_INT64), false, "_floe_base_row");
#undef ADD_COLUMN
    return FLOE_OK;
}

/* ---- values ------------------------------------------------------------------------------- */

static int copy_value(floe_vector *to, uint32_t to_row, const floe_vector *from, uint32_t from_row,
                      floe_error *err)
{
    size_t width = floe_type_width(to->type);
    if (floe_vector_is_null(from, from_row)) {
        memset((char *)to->data + (size_t)to_row * width, 0, width);
        floe_vector_set_null(to, to_row);
        return FLOE_OK;
    }
    if (to->validity != NULL) floe_vector_set_valid(to, to_row);
    if (to->type.id == FLOE_TYPE_STRING || to->type.id == FLOE_TYPE_BINARY) {
        uint32_t length = 0;
        const unsigned char *bytes = floe_vector_string(from, from_row, &length);
        return floe_vector_set_string(to, to_row, bytes, length, err);
    }
    memcpy((char *)to->data + (size_t)to_row * width,
           (const char *)from->data + (size_t)from_row * width, width);
    return FLOE_OK;
}

static void set_null(floe_vector *vector, uint32_t row)
{
    size_t width = floe_type_width(vector->type);
    memset((char *)vector->data + (size_t)row * width, 0, width);
    floe_vector_set_null(vector, row);
}

/* ---- writing a state file ----------------------------------------------------------------- */

/* Rows into a Parquet file a batch at a time. */
typedef struct row_file {
    floe_pq_writer *writer;
    floe_batch batch;
    bool batch_ready;
} row_file;

static int row_file_flush(row_file *file, floe_error *err)
{
    if (file->batch.row_count == 0) return FLOE_OK;
    int status = floe_pq_writer_write_batch(file->writer, &file->batch, err);
    floe_batch_reset(&file->batch);
    return status;
}

static int row_file_next(row_file *file, floe_error *err)
{
    if (++file->batch.row_count < FLOE_BATCH_CAPACITY) return FLOE_OK;
    return row_file_flush(file, err);
}

static void row_file_fini(row_file *file)
{
    floe_pq_writer_free(file->writer);
    if (file->batch_ready) floe_batch_fini(&file->batch);
    memset(file, 0, sizeof *file);
}

/* Which groups of the exported S go to which bucket. */
typedef struct bucketing {
    uint32_t bucket_count;
    uint32_t *group_order;   /* groups sorted by bucket */
    uint32_t *group_offsets; /* bucket_count + 1 */
    uint32_t *position;      /* per group: its number inside its bucket's file */
    uint32_t **entry_order;  /* per call with entries: entries sorted by bucket */
    uint32_t **entry_offsets;
} bucketing;

static void bucketing_fini(bucketing *bucketed, uint32_t call_count)
{
    floe_free(bucketed->group_order);
    floe_free(bucketed->group_offsets);
    floe_free(bucketed->position);
    for (uint32_t c = 0; bucketed->entry_order != NULL && c < call_count; c++) {
        floe_free(bucketed->entry_order[c]);
        floe_free(bucketed->entry_offsets[c]);
    }
    floe_free(bucketed->entry_order);
    floe_free(bucketed->entry_offsets);
    memset(bucketed, 0, sizeof *bucketed);
}

/* Counting sort of `count` items by bucket_of_item into order / offsets. */
static int sort_by_bucket(const uint32_t *bucket_of_item, uint32_t count, uint32_t bucket_count,
                          uint32_t **order, uint32_t **offsets, floe_error *err)
{
    *order = floe_malloc(((size_t)count + 1) * sizeof **order);
    *offsets = floe_calloc((size_t)bucket_count + 1, sizeof **offsets);
    FLOE_RETURN_IF(*order == NULL || *offsets == NULL, FLOE_ENOMEM, err, "out of memory");
    for (uint32_t i = 0; i < count; i++) (*offsets)[bucket_of_item[i] + 1]++;
    for (uint32_t b = 0; b < bucket_count; b++) (*offsets)[b + 1] += (*offsets)[b];
    uint32_t *next = floe_malloc(((size_t)bucket_count + 1) * sizeof *next);
    FLOE_RETURN_IF(next == NULL, FLOE_ENOMEM, err, "out of memory");
    memcpy(next, *offsets, (size_t)bucket_count * sizeof *next);
    for (uint32_t i = 0; i < count; i++) (*order)[next[bucket_of_item[i]]++] = i;
    floe_free(next);
    return FLOE_OK;
}

static int bucketing_init(bucketing *bucketed, const floe_eng_group_state_flat *flat,
                          const state_layout *layout, uint32_t bucket_count, floe_error *err)
{
    memset(bucketed, 0, sizeof *bucketed);
    bucketed->bucket_count = bucket_count;
    uint32_t groups = flat->group_count;
    uint32_t *bucket_of_group = floe_malloc(((size_t)groups + 1) * sizeof *bucket_of_group);
    bucketed->position = floe_malloc(((size_t)groups + 1) * sizeof *bucketed->position);
    bucketed->entry_order = floe_calloc(layout->call_count + 1, sizeof *bucketed->entry_order);
    bucketed->entry_offsets = floe_calloc(layout->call_count + 1,
                                          sizeof *bucketed->entry_offsets);
    int status = FLOE_OK;
    if (bucket_of_group == NULL || bucketed->position == NULL || bucketed->entry_order == NULL ||
        bucketed->entry_offsets == NULL)
        status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    for (uint32_t g = 0; status == FLOE_OK && g < groups; g++)
        bucket_of_group[g] = floe_eng_state_bucket_of(flat->hashes[g], bucket_count);
    if (status == FLOE_OK)
        status = sort_by_bucket(bucket_of_group, groups, bucket_count, &bucketed->group_order,
                                &bucketed->group_offsets, err);
    for (uint32_t b = 0; status == FLOE_OK && b < bucket_count; b++)
        for (uint32_t i = bucketed->group_offsets[b]; i < bucketed->group_offsets[b + 1]; i++)
            bucketed->position[bucketed->group_order[i]] = i - bucketed->group_offsets[b];
    for (uint32_t c = 0; status == FLOE_OK && c < layout->call_count; c++) {
        if (!layout->calls[c].entries) continue;
        const floe_eng_group_entries *entries = &flat->calls[c].entries;
        uint32_t *bucket_of_entry = floe_malloc(((size_t)entries->count + 1) * sizeof(uint32_t));
        if (bucket_of_entry == NULL) {
            status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
            break;
        }
        for (uint32_t e = 0; e < entries->count; e++)
            bucket_of_entry[e] = bucket_of_group[entries->groups[e]];
        status = sort_by_bucket(bucket_of_entry, entries->count, bucket_count,
                                &bucketed->entry_order[c], &bucketed->entry_offsets[c], err);
        floe_free(bucket_of_entry);
    }
    floe_free(bucket_of_group);
    return status;
}

/* The group rows of one state file as whole columns (the layout's), for one write_batch:
 * views of the flat form's arrays when the file's groups are the flat form's in order (a
 * bucket refreshed on its own), else gathered in the file's order (a rebuild writing every
 * bucket from one state). Entry rows follow in row_file batches. */
typedef struct group_columns {
    floe_batch batch;            /* row_count rows; columns[] owned, their storage below */
    floe_vector *owned;          /* column_count: vectors this holds storage for */
    bool *owned_ready;
} group_columns;

static void group_columns_fini(group_columns *columns, uint32_t column_count)
{
    for (uint32_t c = 0; columns->owned_ready != NULL && c < column_count; c++)
        if (columns->owned_ready[c]) floe_vector_fini(&columns->owned[c]);
    floe_free(columns->owned);
    floe_free(columns->owned_ready);
    floe_free(columns->batch.columns);
    memset(columns, 0, sizeof *columns);
}

/* A flat vector of `type` viewing `count` values at `data` (no NULLs). */
static floe_vector view_of(floe_type type, void *data, uint32_t count)
{
    floe_vector view;
    memset(&view, 0, sizeof view);
    view.type = type;
    view.encoding = FLOE_VECTOR_FLAT;
    view.capacity = count;
    view.data = data;
    return view;
}

/* Column c as a vector of its own storage for `count` rows. */
static int owned_column(group_columns *columns, const state_layout *layout, uint32_t c,
                        uint32_t count, floe_vector **vector, floe_error *err)
{
    FLOE_TRY(floe_vector_init(&columns->owned[c], layout->types[c], count > 0 ? count : 1, err));
    columns->owned_ready[c] = true;
    *vector = &columns->owned[c];
    return FLOE_OK;
}

/* to[i] = from[order[i]] for fixed-width values of `width` bytes. */
static void gather_fixed(void *to, const void *from, const uint32_t *order, uint32_t count,
                         size_t width)
{
    switch (width) {
    case 4:
        for (uint32_t i = 0; i < count; i++)
            ((uint32_t *)to)[i] = ((const uint32_t *)from)[order[i]];
        return;
    case 8:
        for (uint32_t i = 0; i < count; i++)
            ((uint64_t *)to)[i] = ((const uint64_t *)from)[order[i]];
        return;
    default:
        for (uint32_t i = 0; i < count; i++)
            memcpy((char *)to + i * width, (const char *)from + (size_t)order[i] * width, width);
    }
}

/* An int128 sum is stored as two INT64 columns, its low and its high 64 bits: both delta-pack
 * to a few bits a value (the high half is 0 or -1 for every sum an int64 holds), where the
 * 16-byte DECIMAL(38,0) they replace took a codec's time and still 6 bytes a value. */
static void split_sums(int64_t *low, int64_t *high, const floe_int128 *sums, const uint32_t *order,
                       uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        floe_int128 sum = sums[order != NULL ? order[i] : i];
        low[i] = (int64_t)(uint64_t)sum;
        high[i] = (int64_t)(sum >> 64);
    }
}

static floe_int128 joined_sum(int64_t low, int64_t high)
{
    return (floe_int128)(((floe_uint128)(uint64_t)high << 64) | (uint64_t)low);
}

/* Fills `columns` with the group rows of bucket b (above); with base_rows (an overlay's
 * file, whose rows are those of a bucket's groups where rows below base_rows are its state
 * file's) also _floe_base_row. */
static int group_columns_init(group_columns *columns, const state_layout *layout,
                              const floe_eng_group_state_flat *flat, const bucketing *bucketed,
                              uint32_t b, uint32_t base_rows, floe_error *err)
{
    memset(columns, 0, sizeof *columns);
    uint32_t first = bucketed->group_offsets[b];
    uint32_t count = bucketed->group_offsets[b + 1] - first;
    const uint32_t *order = bucketed->group_order + first;
    bool in_order = count == flat->group_count; /* one bucket: group_order is 0, 1, ... */
    uint32_t column_count = layout->column_count + (base_rows > 0);
    columns->batch.columns = floe_calloc(column_count, sizeof *columns->batch.columns);
    columns->owned = floe_calloc(column_count, sizeof *columns->owned);
    columns->owned_ready = floe_calloc(column_count, sizeof *columns->owned_ready);
    FLOE_RETURN_IF(columns->batch.columns == NULL || columns->owned == NULL ||
                       columns->owned_ready == NULL,
                   FLOE_ENOMEM, err, "out of memory");
    columns->batch.column_count = column_count;
    columns->batch.row_count = count;
    floe_vector *out = columns->batch.columns;
    floe_vector *vector = NULL;
    FLOE_TRY(owned_column(columns, layout, COLUMN_KIND, count, &vector, err));
    memset(vector->data, 0, (size_t)count * sizeof(int32_t));
    out[COLUMN_KIND] = *vector;
    FLOE_TRY(owned_column(columns, layout, COLUMN_GROUP, count, &vector, err));
    for (uint32_t i = 0; i < count; i++) ((int64_t *)vector->data)[i] = i;
    out[COLUMN_GROUP] = *vector;
    if (base_rows > 0) {
        FLOE_TRY(owned_column(columns, layout, layout->column_count, count, &vector, err));
        for (uint32_t i = 0; i < count; i++)
            ((int64_t *)vector->data)[i] = order[i] < base_rows ? (int64_t)order[i] : -1;
        out[layout->column_count] = *vector;
    }
    /* Fixed-width arrays of the flat form: viewed, or gathered. */
#define ARRAY_COLUMN(column_, array_, width_)                                         \
    do {                                                                              \
        if (in_order) {                                                               \
            out[column_] = view_of(layout->types[column_], (void *)(array_), count);  \
        } else {                                                                      \
            FLOE_TRY(owned_column(columns, layout, (column_), count, &vector, err));  \
            gather_fixed(vector->data, (array_), order, count, (width_));             \
            out[column_] = *vector;                                                   \
        }                                                                             \
    } while (0)
    ARRAY_COLUMN(COLUMN_COUNT, flat->row_counts, sizeof(int64_t));
    for (uint32_t k = 0; k < layout->key_count; k++) {
        uint32_t column = FIRST_KEY_COLUMN + k;
        const floe_vector *key = &flat->keys[k];
        if (in_order) {
            out[column] = *key;
            continue;
        }
        FLOE_TRY(owned_column(columns, layout, column, count, &vector, err));
        if (key->type.id == FLOE_TYPE_STRING || key->type.id == FLOE_TYPE_BINARY) {
            for (uint32_t i = 0; i < count; i++)
                FLOE_TRY(copy_value(vector, i, key, order[i], err));
        } else {
            gather_fixed(vector->data, key->data, order, count, floe_type_width(key->type));
            for (uint32_t i = 0; key->validity != NULL && i < count; i++)
                if (floe_vector_is_null(key, order[i])) floe_vector_set_null(vector, i);
        }
        out[column] = *vector;
    }
    for (uint32_t c = 0; c < layout->call_count; c++) {
        const call_columns *call = &layout->calls[c];
        const floe_eng_aggregate_flat *values = &flat->calls[c];
        if (call->value >= 0) { /* an entry call: NULL on group rows */
            FLOE_TRY(owned_column(columns, layout, (uint32_t)call->value, count, &vector, err));
            memset(vector->data, 0, (size_t)count * floe_type_width(vector->type));
            floe_vector_prepare_validity(vector);
            memset(vector->validity, 0, ((size_t)count + 63) / 64 * sizeof(uint64_t));
            out[call->value] = *vector;
        }
        if (call->count >= 0) ARRAY_COLUMN(call->count, values->counts, sizeof(int64_t));
        if (call->sum >= 0 && call->sum_double)
            ARRAY_COLUMN(call->sum, values->sums_double, sizeof(double));
        if (call->sum_high >= 0) {
            floe_vector *low = NULL, *high = NULL;
            FLOE_TRY(owned_column(columns, layout, (uint32_t)call->sum, count, &low, err));
            FLOE_TRY(owned_column(columns, layout, (uint32_t)call->sum_high, count, &high, err));
            split_sums(low->data, high->data, values->sums_int, in_order ? NULL : order, count);
            out[call->sum] = *low;
            out[call->sum_high] = *high;
        }
    }
#undef ARRAY_COLUMN
    return FLOE_OK;
}

/* Appends entry e of call c (its group at `position`). */
static int state_entry_row(row_file *file, const state_layout *layout,
                           const floe_eng_group_entries *entries, uint32_t c, uint32_t e,
                           uint32_t position, floe_error *err)
{
    floe_batch *batch = &file->batch;
    uint32_t row = batch->row_count;
    ((int32_t *)batch->columns[COLUMN_KIND].data)[row] = (int32_t)c + 1;
    ((int64_t *)batch->columns[COLUMN_GROUP].data)[row] = position;
    ((int64_t *)batch->columns[COLUMN_COUNT].data)[row] = entries->counts[e];
    for (uint32_t column = FIRST_KEY_COLUMN; column < layout->column_count; column++)
        if ((int32_t)column != layout->calls[c].value) set_null(&batch->columns[column], row);
    FLOE_TRY(copy_value(&batch->columns[layout->calls[c].value], row, &entries->values, e, err));
    return row_file_next(file, err);
}

/* Writing options (write_options_init). Every file delta-encodes its integer and decimal
 * columns with no codec (io/parquet_writer.h, delta_encoding; standard encodings every reader
 * in use reads): counts, keys, refresh numbers, weights and 16-byte sums shrink to about their
 * significant bits, which made a refresh that rewrites 1M groups 14% faster, then 8% more when
 * the sums joined, and its files smaller. State files are read back only by the next refresh
 * and rewritten by every refresh that touches their bucket, so they favour speed: no codec at
 * all (all their columns are integers), no dictionary (keys and values are mostly distinct;
 * building one cost a third of a refresh). Output files are what other engines read: ZSTD at
 * level 1 for their other columns (level 3 cost a fifth of a refresh for a few percent of
 * size), no dictionary either (one row per key). Changelogs are read back only by the change
 * readers of downstream dynamic tables, once: Snappy for their other columns, no dictionary
 * (ZSTD was a tenth of a refresh that touches every bucket). An overlay's position delete file
 * names one output file on every row: as output files, but with a dictionary for that path
 * (PLAIN, each row's path was copied and compressed again). */
static floe_pq_write_options state_file_options, output_file_options, changelog_file_options,
    delete_file_options;

void floe_eng_incremental_output_options(floe_pq_write_options *options)
{
    floe_pq_write_options_default(options);
    options->disable_dictionary = true;
    options->delta_encoding = true;
    options->compression_level = 1;
}

static void write_options_init(void)
{
    floe_pq_write_options_default(&state_file_options);
    state_file_options.disable_dictionary = true;
    state_file_options.delta_encoding = true;
    state_file_options.codec = FLOE_PQ_CODEC_UNCOMPRESSED;
    floe_eng_incremental_output_options(&output_file_options);
    floe_pq_write_options_default(&changelog_file_options);
    changelog_file_options.disable_dictionary = true;
    changelog_file_options.delta_encoding = true;
    changelog_file_options.codec = FLOE_PQ_CODEC_SNAPPY;
    floe_eng_incremental_output_options(&delete_file_options);
    delete_file_options.disable_dictionary = false;
}

/* Writes bucket b's state file into <directory>/floe/state (which exists); *path receives its
 * name (a floe_malloc'd copy) before the file is created, so that the caller deletes it should
 * anything fail; *rows its rows. Runs on a worker thread: touches nothing shared but reads. */
static int write_state_file(const char *directory, const state_layout *layout,
                            const floe_eng_group_state_flat *flat, const bucketing *bucketed,
                            uint32_t b, uint32_t base_rows, char **path, int64_t *rows,
                            floe_error *err)
{
    char file_path[PATH_MAX];
    FLOE_TRY(floe_io_catalog_new_file_path(directory, "floe/state", "bucket-", ".parquet",
                                           file_path, sizeof file_path, err));
    *path = floe_eng_incremental_copy_text(file_path);
    FLOE_RETURN_IF(*path == NULL, FLOE_ENOMEM, err, "out of memory");
    row_file file = {0};
    /* an overlay's file (base_rows > 0) adds _floe_base_row; it holds no entries */
    uint32_t column_count = layout->column_count + (base_rows > 0);
    floe_pq_write_schema schema = {layout->columns, column_count, NULL, NULL, 0};
    int status = floe_pq_writer_create(&file.writer, file_path, &schema, &state_file_options,
                                       err);
    group_columns groups;
    memset(&groups, 0, sizeof groups);
    if (status == FLOE_OK)
        status = group_columns_init(&groups, layout, flat, bucketed, b, base_rows, err);
    if (status == FLOE_OK && groups.batch.row_count > 0)
        status = floe_pq_writer_write_batch(file.writer, &groups.batch, err);
    group_columns_fini(&groups, column_count);
    if (status == FLOE_OK) status = floe_batch_init(&file.batch, layout->column_count,
                                                    layout->types, err);
    file.batch_ready = status == FLOE_OK;
    for (uint32_t c = 0; status == FLOE_OK && c < layout->call_count; c++) {
        if (!layout->calls[c].entries) continue;
        const floe_eng_group_entries *entries = &flat->calls[c].entries;
        const uint32_t *order = bucketed->entry_order[c], *offsets = bucketed->entry_offsets[c];
        for (uint32_t i = offsets[b]; status == FLOE_OK && i < offsets[b + 1]; i++) {
            uint32_t e = order[i];
            status = state_entry_row(&file, layout, entries, c, e,
                                     bucketed->position[entries->groups[e]], err);
        }
    }
    if (status == FLOE_OK) status = row_file_flush(&file, err);
    floe_pq_write_result result;
    if (status == FLOE_OK) status = floe_pq_writer_close(file.writer, &result, err);
    if (status == FLOE_OK) floe_io_start_writeback(file_path); /* synced by the commit */
    if (status == FLOE_OK) *rows = (int64_t)result.row_count;
    row_file_fini(&file);
    return status;
}

/* ---- reading a state file ----------------------------------------------------------------- */

/* Allocates an empty flat form of this layout with room for `capacity` groups and as many
 * entries per call (flat is zeroed by the caller; floe_eng_group_state_flat_fini frees it). */
static int flat_alloc(floe_eng_group_state_flat *flat, const state_layout *layout,
                      uint32_t capacity, floe_error *err)
{
    flat->key_count = layout->key_count;
    flat->call_count = layout->call_count;
    flat->keys = floe_calloc(layout->key_count + 1, sizeof *flat->keys);
    flat->row_counts = floe_malloc(capacity * sizeof *flat->row_counts);
    flat->calls = floe_calloc(layout->call_count + 1, sizeof *flat->calls);
    FLOE_RETURN_IF(flat->keys == NULL || flat->row_counts == NULL || flat->calls == NULL,
                   FLOE_ENOMEM, err, "out of memory");
    for (uint32_t k = 0; k < layout->key_count; k++)
        FLOE_TRY(floe_vector_init(&flat->keys[k], layout->types[FIRST_KEY_COLUMN + k], capacity,
                                  err));
    for (uint32_t c = 0; c < layout->call_count; c++) {
        const call_columns *call = &layout->calls[c];
        floe_eng_aggregate_flat *values = &flat->calls[c];
        if (call->entries) {
            values->entries.groups = floe_malloc(capacity * sizeof(uint32_t));
            values->entries.counts = floe_malloc(capacity * sizeof(int64_t));
            FLOE_RETURN_IF(values->entries.groups == NULL || values->entries.counts == NULL,
                           FLOE_ENOMEM, err, "out of memory");
            FLOE_TRY(floe_vector_init(&values->entries.values, layout->types[call->value],
                                      capacity, err));
            continue;
        }
        if (call->count >= 0) values->counts = floe_malloc(capacity * sizeof(int64_t));
        if (call->sum >= 0 && call->sum_double)
            values->sums_double = floe_malloc(capacity * sizeof(double));
        if (call->sum >= 0 && !call->sum_double)
            values->sums_int = floe_malloc(capacity * sizeof(floe_int128));
        FLOE_RETURN_IF((call->count >= 0 && values->counts == NULL) ||
                           (call->sum >= 0 && values->sums_double == NULL &&
                            values->sums_int == NULL),
                       FLOE_ENOMEM, err, "out of memory");
    }
    return FLOE_OK;
}

/* Whether every row of a state file's batch is a group row and they are numbered on from
 * `next` (what the writer writes): then append_groups takes the batch a column at a time. */
static bool batch_of_groups(const floe_batch *batch, uint32_t next)
{
    const int32_t *kinds = batch->columns[COLUMN_KIND].data;
    const int64_t *groups = batch->columns[COLUMN_GROUP].data;
    bool regular = true;
    for (uint32_t row = 0; row < batch->row_count; row++)
        regular &= (kinds[row] == 0) & (groups[row] == (int64_t)next + row);
    return regular;
}

/* Appends a batch of group rows to flat (room for them was allocated from the file's row
 * count) column by column. Values of fixed width are copied whole; only NULL keys and
 * strings go row by row. */
static int append_groups(floe_eng_group_state_flat *flat, const state_layout *layout,
                         const floe_batch *batch, int64_t *base_rows, floe_error *err)
{
    uint32_t first = flat->group_count, count = batch->row_count;
    memcpy(flat->row_counts + first, batch->columns[COLUMN_COUNT].data, count * sizeof(int64_t));
    if (base_rows != NULL)
        memcpy(base_rows + first, batch->columns[layout->column_count].data,
               count * sizeof(int64_t));
    for (uint32_t k = 0; k < layout->key_count; k++) {
        const floe_vector *from = &batch->columns[FIRST_KEY_COLUMN + k];
        floe_vector *to = &flat->keys[k];
        if (from->encoding != FLOE_VECTOR_FLAT || to->type.id == FLOE_TYPE_STRING ||
            to->type.id == FLOE_TYPE_BINARY) {
            for (uint32_t row = 0; row < count; row++)
                FLOE_TRY(copy_value(to, first + row, from, row, err));
            continue;
        }
        size_t width = floe_type_width(to->type);
        memcpy((char *)to->data + (size_t)first * width, from->data, (size_t)count * width);
        /* `to` is all valid until a NULL arrives (set_null makes its bitmap all ones first) */
        for (uint32_t row = 0; from->validity != NULL && row < count; row++)
            if (floe_vector_is_null(from, row)) floe_vector_set_null(to, first + row);
    }
    for (uint32_t c = 0; c < layout->call_count; c++) {
        const call_columns *call = &layout->calls[c];
        floe_eng_aggregate_flat *values = &flat->calls[c];
        if (call->count >= 0)
            memcpy(values->counts + first, batch->columns[call->count].data,
                   count * sizeof(int64_t));
        if (call->sum >= 0 && call->sum_double)
            memcpy(values->sums_double + first, batch->columns[call->sum].data,
                   count * sizeof(double));
        if (call->sum_high >= 0) {
            const int64_t *low = batch->columns[call->sum].data;
            const int64_t *high = batch->columns[call->sum_high].data;
            for (uint32_t row = 0; row < count; row++)
                values->sums_int[first + row] = joined_sum(low[row], high[row]);
        }
    }
    flat->group_count += count;
    return FLOE_OK;
}

/* Reads `path` into flat (a flat form of this layout), with room for `extra` more groups.
 * With `base_rows` the file is an overlay's, and *base_rows receives a floe_malloc'd array of
 * each group's _floe_base_row.
 * FLOE_ETYPE when its columns are not the layout's. */
static int read_state_file(const char *path, const state_layout *layout, uint32_t extra,
                           floe_eng_group_state_flat *flat, int64_t **base_rows, floe_error *err)
{
    int64_t *bases = NULL;
    if (base_rows != NULL) *base_rows = NULL;
    memset(flat, 0, sizeof *flat);
    floe_pq_reader *reader = NULL;
    FLOE_TRY(floe_pq_reader_open(&reader, path, NULL, err));
    uint32_t column_count = 0;
    const floe_pq_reader_column *columns = floe_pq_reader_schema(reader, &column_count);
    int status = FLOE_OK;
    uint32_t expected = layout->column_count + (base_rows != NULL);
    if (column_count != expected)
        status = floe_error_set(err, FLOE_ETYPE, "%s: %u columns, the query's state has %u", path,
                                column_count, expected);
    for (uint32_t i = 0; status == FLOE_OK && i < column_count; i++)
        if (strcmp(columns[i].name, layout->names[i]) != 0 ||
            !floe_type_equal(columns[i].type, layout->types[i]))
            status = floe_error_set(err, FLOE_ETYPE,
                                    "%s: column %u is '%s', not the query's state column '%s' "
                                    "of the same type",
                                    path, i, columns[i].name, layout->names[i]);
    uint64_t total = 0;
    for (uint32_t g = 0; status == FLOE_OK && g < floe_pq_reader_row_group_count(reader); g++)
        total += (uint64_t)floe_pq_reader_row_group_rows(reader, g);
    if (status == FLOE_OK && total + extra >= UINT32_MAX)
        status = floe_error_set(err, FLOE_ECORRUPT, "%s: too many rows", path);
    uint32_t capacity = (uint32_t)total + extra + 1;
    if (status == FLOE_OK) status = flat_alloc(flat, layout, capacity, err);
    if (status == FLOE_OK && base_rows != NULL) {
        bases = floe_malloc((size_t)capacity * sizeof *bases);
        if (bases == NULL) status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    floe_batch batch;
    bool batch_ready = false;
    if (status == FLOE_OK) {
        status = floe_pq_reader_batch_init(reader, &batch, err);
        batch_ready = status == FLOE_OK;
    }
    while (status == FLOE_OK) {
        status = floe_pq_reader_next_batch(reader, &batch, err);
        if (status != FLOE_OK || batch.row_count == 0) break;
        const int32_t *kinds = batch.columns[COLUMN_KIND].data;
        const int64_t *groups = batch.columns[COLUMN_GROUP].data;
        const int64_t *counts = batch.columns[COLUMN_COUNT].data;
        if (batch_of_groups(&batch, flat->group_count)) {
            status = append_groups(flat, layout, &batch, bases, err);
            continue;
        }
        for (uint32_t row = 0; status == FLOE_OK && row < batch.row_count; row++) {
            int32_t kind = kinds[row];
            if (kind == 0) {
                uint32_t g = flat->group_count;
                if (groups[row] != (int64_t)g) {
                    status = floe_error_set(err, FLOE_ECORRUPT,
                                            "%s: group row %u is numbered %" PRId64, path, g,
                                            groups[row]);
                    break;
                }
                flat->group_count++;
                flat->row_counts[g] = counts[row];
                if (bases != NULL)
                    bases[g] = ((const int64_t *)batch.columns[layout->column_count].data)[row];
                for (uint32_t k = 0; status == FLOE_OK && k < layout->key_count; k++)
                    status = copy_value(&flat->keys[k], g,
                                        &batch.columns[FIRST_KEY_COLUMN + k], row, err);
                for (uint32_t c = 0; c < layout->call_count; c++) {
                    const call_columns *call = &layout->calls[c];
                    floe_eng_aggregate_flat *values = &flat->calls[c];
                    if (call->count >= 0)
                        values->counts[g] = ((const int64_t *)batch.columns[call->count].data)[row];
                    if (call->sum >= 0 && call->sum_double)
                        values->sums_double[g] =
                            ((const double *)batch.columns[call->sum].data)[row];
                    if (call->sum_high >= 0)
                        values->sums_int[g] = joined_sum(
                            ((const int64_t *)batch.columns[call->sum].data)[row],
                            ((const int64_t *)batch.columns[call->sum_high].data)[row]);
                }
                continue;
            }
            uint32_t c = (uint32_t)kind - 1;
            if (kind < 0 || c >= layout->call_count || !layout->calls[c].entries ||
                groups[row] < 0 || groups[row] >= (int64_t)capacity) {
                status = floe_error_set(err, FLOE_ECORRUPT, "%s: row %u: bad kind %d or group",
                                        path, row, (int)kind);
                break;
            }
            floe_eng_group_entries *entries = &flat->calls[c].entries;
            uint32_t e = entries->count++;
            entries->groups[e] = (uint32_t)groups[row];
            entries->counts[e] = counts[row];
            status = copy_value(&entries->values, e, &batch.columns[layout->calls[c].value], row,
                                err);
        }
    }
    if (batch_ready) floe_batch_fini(&batch);
    floe_pq_reader_free(reader);
    if (status != FLOE_OK) {
        floe_eng_group_state_flat_fini(flat);
        floe_free(bases);
    } else if (base_rows != NULL) {
        *base_rows = bases;
    }
    return status;
}

/* ---- output files ------------------------------------------------------------------------- */

typedef struct output_schema {
    uint32_t column_count;
    floe_pq_write_column *columns;
} output_schema;

static int output_schema_init(output_schema *schema, const floe_ice_table *table, floe_error *err)
{
    memset(schema, 0, sizeof *schema);
    const floe_ice_schema *current = floe_ice_current_schema(table->metadata);
    FLOE_RETURN_IF(current == NULL, FLOE_ECORRUPT, err, "%s: no current schema", table->directory);
    schema->columns = floe_calloc(current->field_count + 1, sizeof *schema->columns);
    FLOE_RETURN_IF(schema->columns == NULL, FLOE_ENOMEM, err, "out of memory");
    schema->column_count = (uint32_t)current->field_count;
    for (size_t i = 0; i < current->field_count; i++) {
        const floe_ice_field *field = &current->fields[i];
        floe_type type;
        FLOE_TRY(floe_ice_field_floe_type(field, &type, err));
        schema->columns[i] = (floe_pq_write_column){field->name, type, !field->required,
                                                    field->id};
    }
    return FLOE_OK;
}

/* The PROJECT / FILTER chain above the aggregate, evaluated over the groups' result rows. */
typedef struct chain_step {
    const floe_sql_plan *node;
    floe_eng_expression_state **states; /* FILTER: 1; PROJECT: one per expression */
    uint32_t state_count;
    floe_batch output;                  /* PROJECT only: the computed columns */
    bool output_ready;
    /* PROJECT only: what the step hands on. A column the projection only names is the input's
     * vector itself, borrowed for the batch, not a copy: copying the groups' keys and sums
     * once more was a twentieth of a refresh that rewrites a million groups. */
    floe_batch handed;
    floe_vector *handed_columns;
} chain_step;

typedef struct output_chain {
    chain_step *steps;                  /* bottom (just above the aggregate) first */
    uint32_t step_count;
    floe_vector refresh_column;
    bool refresh_ready;
    floe_vector *columns;               /* the final row: views + the lineage column */
} output_chain;

static void chain_fini(output_chain *chain)
{
    for (uint32_t s = 0; chain->steps != NULL && s < chain->step_count; s++) {
        chain_step *step = &chain->steps[s];
        for (uint32_t i = 0; step->states != NULL && i < step->state_count; i++)
            floe_eng_expression_state_free(step->states[i]);
        floe_free(step->states);
        if (step->output_ready) floe_batch_fini(&step->output);
        floe_free(step->handed_columns);
    }
    floe_free(chain->steps);
    if (chain->refresh_ready) floe_vector_fini(&chain->refresh_column);
    floe_free(chain->columns);
    memset(chain, 0, sizeof *chain);
}

static int chain_init(output_chain *chain, const floe_sql_plan *root,
                      const floe_sql_plan *aggregate, int64_t refresh_number, floe_error *err)
{
    memset(chain, 0, sizeof *chain);
    for (const floe_sql_plan *node = root; node != aggregate; node = node->inputs[0])
        chain->step_count++;
    chain->steps = floe_calloc(chain->step_count + 1, sizeof *chain->steps);
    chain->columns = floe_calloc(root->output.column_count + 2, sizeof *chain->columns);
    FLOE_RETURN_IF(chain->steps == NULL || chain->columns == NULL, FLOE_ENOMEM, err,
                   "out of memory");
    uint32_t s = chain->step_count;
    for (const floe_sql_plan *node = root; node != aggregate; node = node->inputs[0]) {
        chain_step *step = &chain->steps[--s];
        step->node = node;
        step->state_count = node->kind == FLOE_SQL_PLAN_FILTER ? 1 : node->output.column_count;
        step->states = floe_calloc(step->state_count + 1, sizeof *step->states);
        FLOE_RETURN_IF(step->states == NULL, FLOE_ENOMEM, err, "out of memory");
        for (uint32_t i = 0; i < step->state_count; i++)
            FLOE_TRY(floe_eng_expression_state_create(
                node->kind == FLOE_SQL_PLAN_FILTER ? node->u.filter.predicate
                                                   : node->u.project.expressions[i],
                &step->states[i], err));
        if (node->kind != FLOE_SQL_PLAN_PROJECT) continue;
        floe_type *types = floe_malloc((node->output.column_count + 1) * sizeof *types);
        FLOE_RETURN_IF(types == NULL, FLOE_ENOMEM, err, "out of memory");
        for (uint32_t i = 0; i < node->output.column_count; i++)
            types[i] = node->output.columns[i].type;
        int status = floe_batch_init(&step->output, node->output.column_count, types, err);
        floe_free(types);
        FLOE_TRY(status);
        step->output_ready = true;
        step->handed_columns = floe_calloc(node->output.column_count + 1,
                                           sizeof *step->handed_columns);
        FLOE_RETURN_IF(step->handed_columns == NULL, FLOE_ENOMEM, err, "out of memory");
    }
    FLOE_TRY(floe_vector_init(&chain->refresh_column, floe_type_make(FLOE_TYPE_INT64),
                              FLOE_BATCH_CAPACITY, err));
    chain->refresh_ready = true;
    int64_t *values = chain->refresh_column.data;
    for (uint32_t i = 0; i < FLOE_BATCH_CAPACITY; i++) values[i] = refresh_number;
    return FLOE_OK;
}

/* Runs the chain over `batch` (the aggregate's rows; its selection may be refined): *final
 * receives the last step's batch (or `batch`), its selection naming the rows that pass. */
static int chain_apply(output_chain *chain, floe_batch *batch, floe_batch **final,
                       floe_error *err)
{
    floe_batch *current = batch;
    for (uint32_t s = 0; s < chain->step_count; s++) {
        chain_step *step = &chain->steps[s];
        if (step->node->kind == FLOE_SQL_PLAN_FILTER) {
            uint32_t kept = 0;
            FLOE_TRY(floe_eng_evaluate_predicate(step->states[0], current,
                                                 current->selection_storage, &kept, err));
            current->selection = current->selection_storage;
            current->selected_count = kept;
            continue;
        }
        floe_batch *out = &step->output;
        floe_batch_reset(out);
        for (uint32_t i = 0; i < step->state_count; i++) {
            const floe_sql_expression *expression = step->node->u.project.expressions[i];
            if (expression->kind == FLOE_SQL_EXPRESSION_COLUMN &&
                floe_type_equal(current->columns[expression->column_index].type,
                                out->columns[i].type)) {
                step->handed_columns[i] = current->columns[expression->column_index];
                continue;
            }
            FLOE_TRY(floe_eng_evaluate(step->states[i], current, &out->columns[i], err));
            step->handed_columns[i] = out->columns[i];
        }
        out->row_count = current->row_count;
        out->selection = NULL;
        if (current->selection != NULL) {
            memcpy(out->selection_storage, current->selection,
                   current->selected_count * sizeof *current->selection);
            out->selection = out->selection_storage;
            out->selected_count = current->selected_count;
        }
        step->handed = *out;
        step->handed.columns = step->handed_columns;
        current = &step->handed;
    }
    *final = current;
    return FLOE_OK;
}

/* Runs the chain over `batch` and hands the final rows, lineage column appended, to the
 * writer. */
static int chain_write(output_chain *chain, floe_batch *batch, floe_pq_writer *writer,
                       int64_t *rows, floe_error *err)
{
    floe_batch *current = NULL;
    FLOE_TRY(chain_apply(chain, batch, &current, err));
    uint32_t live = floe_batch_live_count(current);
    if (live == 0) return FLOE_OK;
    for (uint32_t i = 0; i < current->column_count; i++) chain->columns[i] = current->columns[i];
    chain->columns[current->column_count] = chain->refresh_column;
    floe_batch view = *current;
    view.column_count = current->column_count + 1;
    view.columns = chain->columns;
    FLOE_TRY(floe_pq_writer_write_batch(writer, &view, err));
    *rows += live;
    return FLOE_OK;
}

/* Writes bucket b's output file from S into <directory>/data (which exists), filling `file`
 * (zeroed by the caller, whose to delete should anything fail: its path is set before the
 * file is created); no file (path NULL again) when no row survives. Runs on a worker thread:
 * S is only read (emit_groups writes nothing into it), chain and rows_batch are the worker's. */
static int write_output_file(const char *directory, const output_schema *schema,
                             output_chain *chain, const floe_eng_group_state *state,
                             const floe_eng_group_state_flat *flat, const bucketing *bucketed,
                             uint32_t b, floe_batch *rows_batch,
                             floe_eng_incremental_output *file, int64_t *rows, floe_error *err)
{
    *rows = 0;
    char file_path[PATH_MAX];
    FLOE_TRY(floe_io_catalog_new_file_path(directory, "data", "floe-", ".parquet", file_path,
                                           sizeof file_path, err));
    file->path = floe_eng_incremental_copy_text(file_path);
    FLOE_RETURN_IF(file->path == NULL, FLOE_ENOMEM, err, "out of memory");
    floe_pq_writer *writer = NULL;
    floe_pq_write_schema write_schema = {schema->columns, schema->column_count, NULL, NULL, 0};
    int status = floe_pq_writer_create(&writer, file_path, &write_schema, &output_file_options,
                                       err);
    uint32_t ids[FLOE_BATCH_CAPACITY];
    uint32_t count = 0;
    bool keyless = flat->key_count == 0;
    /* Rows from the flat form a column at a time where every call's result is in it (its
     * group numbers are S's). */
    bool flat_emits = floe_eng_group_state_flat_emits(state);
    for (uint32_t i = bucketed->group_offsets[b];
         status == FLOE_OK && i <= bucketed->group_offsets[b + 1]; i++) {
        bool end = i == bucketed->group_offsets[b + 1];
        if (!end) {
            uint32_t g = bucketed->group_order[i];
            if (keyless || flat->row_counts[g] > 0) ids[count++] = g;
        }
        if (count == 0 || (!end && count < FLOE_BATCH_CAPACITY)) continue;
        status = flat_emits ? floe_eng_group_state_emit_flat(state, flat, ids, count,
                                                             rows_batch, err)
                            : floe_eng_group_state_emit_groups(state, ids, count, rows_batch,
                                                               err);
        if (status == FLOE_OK) status = chain_write(chain, rows_batch, writer, rows, err);
        count = 0;
    }
    floe_pq_write_result result;
    if (status == FLOE_OK) status = floe_pq_writer_close(writer, &result, err);
    if (status == FLOE_OK && *rows > 0) floe_io_start_writeback(file->path); /* see commit */
    if (status == FLOE_OK && *rows > 0)
        status = floe_eng_data_file_entry_build(&file->entry, file->path, schema->columns,
                                                &result, err);
    floe_pq_writer_free(writer);
    if (status == FLOE_OK && *rows == 0) { /* nothing survived HAVING: no file */
        floe_eng_incremental_output_file_fini(file, true);
        memset(file, 0, sizeof *file);
    }
    return status;
}

/* Writes a position delete file into <directory>/data deleting the rows of `data_path` at the
 * positions below `base_rows` that `changed` marks (ascending, as the spec wants them), into
 * `file` (zeroed by the caller, whose to delete should anything fail); no file when none is
 * marked. *rows: the rows deleted. Runs on a worker thread. */
static int write_deletes_file(const char *directory, const char *data_path,
                              const uint8_t *changed, uint32_t base_rows,
                              floe_eng_incremental_output *file, int64_t *rows, floe_error *err)
{
    *rows = 0;
    uint32_t marked = 0;
    for (uint32_t r = 0; r < base_rows; r++) marked += changed[r];
    if (marked == 0) return FLOE_OK;
    char file_path[PATH_MAX];
    FLOE_TRY(floe_io_catalog_new_file_path(directory, "data", "floe-deletes-", ".parquet",
                                           file_path, sizeof file_path, err));
    file->path = floe_eng_incremental_copy_text(file_path);
    FLOE_RETURN_IF(file->path == NULL, FLOE_ENOMEM, err, "out of memory");
    floe_pq_write_column columns[2];
    floe_eng_incremental_delete_columns(columns);
    floe_type types[2] = {columns[0].type, columns[1].type};
    floe_pq_write_schema schema = {columns, 2, NULL, NULL, 0};
    /* The path column: codes, all 0, into a one-entry dictionary (the writer then neither
     * copies nor hashes the path per row). */
    floe_vector path_entry;
    FLOE_TRY(floe_vector_init(&path_entry, types[0], 1, err));
    floe_batch batch;
    int status = floe_vector_set_string(&path_entry, 0, data_path, (uint32_t)strlen(data_path),
                                        err);
    bool batch_ready = false;
    if (status == FLOE_OK) {
        status = floe_batch_init(&batch, 2, types, err);
        batch_ready = status == FLOE_OK;
    }
    floe_pq_writer *writer = NULL;
    if (status == FLOE_OK) {
        batch.columns[0].encoding = FLOE_VECTOR_DICTIONARY;
        batch.columns[0].dictionary = &path_entry;
        memset(batch.columns[0].data, 0, FLOE_BATCH_CAPACITY * sizeof(uint32_t));
        status = floe_pq_writer_create(&writer, file_path, &schema, &delete_file_options, err);
    }
    for (uint32_t r = 0; status == FLOE_OK && r < base_rows; r++) {
        if (!changed[r]) continue;
        ((int64_t *)batch.columns[1].data)[batch.row_count++] = r;
        if (batch.row_count == FLOE_BATCH_CAPACITY) {
            status = floe_pq_writer_write_batch(writer, &batch, err);
            batch.row_count = 0;
        }
    }
    if (status == FLOE_OK && batch.row_count > 0)
        status = floe_pq_writer_write_batch(writer, &batch, err);
    if (batch_ready) floe_batch_fini(&batch);
    floe_vector_fini(&path_entry);
    floe_pq_write_result result;
    if (status == FLOE_OK) status = floe_pq_writer_close(writer, &result, err);
    if (status == FLOE_OK) floe_io_start_writeback(file->path); /* see commit */
    if (status == FLOE_OK)
        status = floe_eng_data_file_entry_build(&file->entry, file->path, columns, &result, err);
    if (status == FLOE_OK) file->entry.data.content = FLOE_ICE_CONTENT_POSITION_DELETES;
    floe_pq_writer_free(writer);
    if (status == FLOE_OK) *rows = marked;
    return status;
}

/* ---- the changelog ------------------------------------------------------------------------ */

/* The changelog of an incremental refresh (refresh_incremental.h, "Changelog"). D's groups are
 * the only ones whose rows can change. changelog_merge merges D into S in the two steps of
 * group_state.h: map_groups finds (or creates empty) each of D's groups in S, which is the one
 * key lookup of the refresh; the old rows are read from S at those ids, D's accumulators are
 * added at the same ids (merge_mapped, which removes no group), and the new rows are read again
 * there. Both pass through the PROJECT / FILTER chain the output files go through, so a row
 * HAVING drops is not in the output and not in the changelog. The old rows wait in `old_rows`
 * (one batch per window of FLOE_BATCH_CAPACITY groups of D, row r of window w holding D's group
 * w * FLOE_BATCH_CAPACITY + r), which costs memory in proportion to the change, not the
 * table. */
typedef struct changelog {
    bool active;                     /* an incremental refresh: D's groups are being followed */
    uint32_t group_count;            /* D's groups */
    uint32_t key_count;
    uint32_t *targets;               /* per group of D: its group in S (UINT32_MAX: none) */
    const floe_eng_group_state_flat *flat; /* a streamed bucket: S as a flat form, read with
                                              emit_flat (the state passed gives its shape) */
    output_chain chain;
    bool chain_ready;
    uint32_t column_count;           /* the chain's output columns */
    floe_type *types;                /* column_count, then the weight's INT64 */
    floe_batch emitted;              /* S's rows for a window (the state's column types) */
    bool emitted_ready;
    floe_batch *old_rows;            /* per window: the chain's old rows, by position */
    uint8_t *old_present;            /* per group of D: its old row exists and passes */
    uint32_t window_count, windows_ready;
    floe_batch out;                  /* rows on their way to the file, weight last */
    bool out_ready;
    floe_batch *full;                /* batches of rows filled before the file is written */
    uint32_t full_count, full_capacity;
    int64_t rows;
    uint32_t *found;                 /* scratch of changelog_rows_of: FLOE_BATCH_CAPACITY */
} changelog;

static void changelog_fini(changelog *log)
{
    floe_free(log->targets);
    if (log->chain_ready) chain_fini(&log->chain);
    if (log->emitted_ready) floe_batch_fini(&log->emitted);
    for (uint32_t w = 0; w < log->windows_ready; w++) floe_batch_fini(&log->old_rows[w]);
    floe_free(log->old_rows);
    floe_free(log->old_present);
    floe_free(log->types);
    if (log->out_ready) floe_batch_fini(&log->out);
    for (uint32_t i = 0; i < log->full_count; i++) floe_batch_fini(&log->full[i]);
    floe_free(log->full);
    floe_free(log->found);
    memset(log, 0, sizeof *log);
}

/* Sets up the changelog of an incremental refresh of D's groups: the chain, the batches. */
static int changelog_init(changelog *log, const floe_eng_group_state *delta, uint32_t key_count,
                          const floe_sql_plan *root, const floe_sql_plan *aggregate,
                          int64_t refresh_number, floe_error *err)
{
    memset(log, 0, sizeof *log);
    log->active = true;
    log->group_count = floe_eng_group_state_group_count(delta);
    log->key_count = key_count;
    log->chain_ready = true; /* chain_init leaves whatever it did for chain_fini */
    FLOE_TRY(chain_init(&log->chain, root, aggregate, refresh_number, err));
    log->column_count = root->output.column_count;
    log->types = floe_malloc((log->column_count + 1) * sizeof *log->types);
    FLOE_RETURN_IF(log->types == NULL, FLOE_ENOMEM, err, "out of memory");
    for (uint32_t i = 0; i < log->column_count; i++) log->types[i] = root->output.columns[i].type;
    log->types[log->column_count] = floe_type_make(FLOE_TYPE_INT64);
    FLOE_TRY(floe_batch_init(&log->emitted, floe_eng_group_state_column_count(delta),
                             floe_eng_group_state_column_types(delta), err));
    log->emitted_ready = true;
    FLOE_TRY(floe_batch_init(&log->out, log->column_count + 1, log->types, err));
    log->out_ready = true;
    uint32_t groups = log->group_count;
    log->window_count = (groups + FLOE_BATCH_CAPACITY - 1) / FLOE_BATCH_CAPACITY;
    log->old_rows = floe_calloc(log->window_count + 1, sizeof *log->old_rows);
    log->old_present = floe_calloc((size_t)groups + 1, 1);
    log->targets = floe_malloc(((size_t)groups + 1) * sizeof *log->targets);
    log->found = floe_malloc(FLOE_BATCH_CAPACITY * sizeof *log->found);
    FLOE_RETURN_IF(log->old_rows == NULL || log->old_present == NULL || log->targets == NULL ||
                       log->found == NULL,
                   FLOE_ENOMEM, err, "out of memory");
    return FLOE_OK;
}

/* The result rows, through the chain, of window w of D's groups as S holds them now (at
 * log->targets): *final receives the chain's last batch (its selection: the rows that pass),
 * group_of_row[i] the position in the window of the batch's row i. Keyed groups with no rows
 * (created empty by the mapping, or emptied by the change) have no row; the keyless group
 * always has its row. */
static int changelog_rows_of(changelog *log, const floe_eng_group_state *state, uint32_t w,
                             floe_batch **final, uint16_t *group_of_row, floe_error *err)
{
    uint32_t start = w * FLOE_BATCH_CAPACITY;
    uint32_t count = log->group_count - start;
    if (count > FLOE_BATCH_CAPACITY) count = FLOE_BATCH_CAPACITY;
    const uint32_t *targets = log->targets + start;
    const int64_t *row_counts = log->flat != NULL ? log->flat->row_counts
                                                  : floe_eng_group_state_row_counts(state);
    uint32_t present = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (targets[i] == UINT32_MAX || (log->key_count > 0 && row_counts[targets[i]] <= 0))
            continue;
        group_of_row[present] = (uint16_t)i;
        log->found[present++] = targets[i];
    }
    floe_batch *batch = &log->emitted;
    if (log->flat != NULL)
        FLOE_TRY(floe_eng_group_state_emit_flat(state, log->flat, log->found, present, batch,
                                                err));
    else
        FLOE_TRY(floe_eng_group_state_emit_groups(state, log->found, present, batch, err));
    return chain_apply(&log->chain, batch, final, err);
}

/* Between mapping and merging: keeps the old row of every group of D that has one. */
static int changelog_collect_old(changelog *log, const floe_eng_group_state *state,
                                 floe_error *err)
{
    uint16_t group_of_row[FLOE_BATCH_CAPACITY];
    for (uint32_t w = 0; w < log->window_count; w++) {
        floe_batch *old = &log->old_rows[w];
        FLOE_TRY(floe_batch_init(old, log->column_count, log->types, err));
        log->windows_ready++;
        floe_batch *final = NULL;
        FLOE_TRY(changelog_rows_of(log, state, w, &final, group_of_row, err));
        uint32_t live = floe_batch_live_count(final);
        for (uint32_t i = 0; i < live; i++) {
            uint32_t row = final->selection != NULL ? final->selection[i] : i;
            uint32_t position = group_of_row[row];
            log->old_present[w * FLOE_BATCH_CAPACITY + position] = 1;
            for (uint32_t c = 0; c < log->column_count; c++)
                FLOE_TRY(copy_value(&old->columns[c], position, &final->columns[c], row, err));
        }
    }
    return FLOE_OK;
}

static bool values_equal(const floe_vector *left, uint32_t left_row, const floe_vector *right,
                         uint32_t right_row)
{
    bool left_null = floe_vector_is_null(left, left_row);
    bool right_null = floe_vector_is_null(right, right_row);
    if (left_null || right_null) return left_null && right_null;
    if (left->type.id == FLOE_TYPE_STRING || left->type.id == FLOE_TYPE_BINARY) {
        uint32_t left_length = 0, right_length = 0;
        const unsigned char *left_bytes = floe_vector_string(left, left_row, &left_length);
        const unsigned char *right_bytes = floe_vector_string(right, right_row, &right_length);
        return left_length == right_length &&
               (left_length == 0 || memcmp(left_bytes, right_bytes, left_length) == 0);
    }
    size_t width = floe_type_width(left->type);
    return memcmp((const char *)left->data + (size_t)left_row * width,
                  (const char *)right->data + (size_t)right_row * width, width) == 0;
}

/* Appends row `row` of `from` (the chain's columns) with `weight`. A full batch is kept for
 * changelog_write_file and a fresh one started. */
static int changelog_append(changelog *log, const floe_batch *from, uint32_t row, int64_t weight,
                            floe_error *err)
{
    floe_batch *out = &log->out;
    uint32_t at = out->row_count;
    for (uint32_t c = 0; c < log->column_count; c++)
        FLOE_TRY(copy_value(&out->columns[c], at, &from->columns[c], row, err));
    ((int64_t *)out->columns[log->column_count].data)[at] = weight;
    log->rows++;
    if (++out->row_count < FLOE_BATCH_CAPACITY) return FLOE_OK;
    if (log->full_count == log->full_capacity) {
        uint32_t grown = log->full_capacity ? log->full_capacity * 2 : 4;
        floe_batch *larger = floe_realloc(log->full, grown * sizeof *larger);
        FLOE_RETURN_IF(larger == NULL, FLOE_ENOMEM, err, "out of memory");
        log->full = larger;
        log->full_capacity = grown;
    }
    log->full[log->full_count++] = *out;
    log->out_ready = false;
    FLOE_TRY(floe_batch_init(&log->out, log->column_count + 1, log->types, err));
    log->out_ready = true;
    return FLOE_OK;
}

/* Once D is merged: for each group of D its old row (-1) and its new row (+1), leaving out a
 * pair that is the same row, into the log's batches. */
static int changelog_new_rows(changelog *log, const floe_eng_group_state *state, floe_error *err)
{
    int status = FLOE_OK;
    uint16_t group_of_row[FLOE_BATCH_CAPACITY];
    uint32_t new_row_of[FLOE_BATCH_CAPACITY];
    for (uint32_t w = 0; status == FLOE_OK && w < log->window_count; w++) {
        floe_batch *final = NULL;
        status = changelog_rows_of(log, state, w, &final, group_of_row, err);
        if (status != FLOE_OK) break;
        for (uint32_t i = 0; i < FLOE_BATCH_CAPACITY; i++) new_row_of[i] = UINT32_MAX;
        uint32_t live = floe_batch_live_count(final);
        for (uint32_t i = 0; i < live; i++) {
            uint32_t row = final->selection != NULL ? final->selection[i] : i;
            new_row_of[group_of_row[row]] = row;
        }
        uint32_t start = w * FLOE_BATCH_CAPACITY;
        uint32_t count = log->group_count - start;
        if (count > FLOE_BATCH_CAPACITY) count = FLOE_BATCH_CAPACITY;
        const floe_batch *old = &log->old_rows[w];
        for (uint32_t p = 0; status == FLOE_OK && p < count; p++) {
            bool had = log->old_present[start + p] != 0, has = new_row_of[p] != UINT32_MAX;
            if (had && has) {
                bool same = true;
                for (uint32_t c = 0; same && c < log->column_count; c++)
                    same = values_equal(&old->columns[c], p, &final->columns[c], new_row_of[p]);
                if (same) continue;
            }
            if (had) status = changelog_append(log, old, p, -1, err);
            if (status == FLOE_OK && has)
                status = changelog_append(log, final, new_row_of[p], 1, err);
        }
    }
    return status;
}

/* Merges `delta` (D, or D's part of one bucket) into `state` (S, or that bucket's S) and
 * collects the changelog's rows of D's groups on the way (above). S keeps the groups the
 * change left empty: the caller removes them (remove_empty_groups) before writing. */
static int changelog_merge(changelog *log, floe_eng_group_state *state,
                           const floe_eng_group_state *delta, floe_error *err)
{
    FLOE_TRY(floe_eng_group_state_map_groups(state, delta, log->targets, err));
    FLOE_TRY(changelog_collect_old(log, state, err));
    FLOE_TRY(floe_eng_group_state_merge_mapped(state, delta, log->targets, err));
    return changelog_new_rows(log, state, err);
}

/* <table>/floe/changelog/changes-<uuid>.parquet while it is written: the logs of D's parts go
 * in, in part order, either all at the end or each as soon as it is ready (part_body), so a
 * refresh that touches many buckets compresses its changelog while buckets are still being
 * written. The file is listed among the refresh's files (deleted unless committed) before it
 * is created. */
typedef struct changelog_file {
    floe_pq_writer *writer;      /* NULL until opened, and again once closed */
    char folder[PATH_MAX];
    int64_t rows;
    uint32_t logs_written;       /* logs 0..logs_written-1 are in the file */
} changelog_file;

static int changelog_file_open(changelog_file *file, uint32_t column_count,
                               floe_eng_incremental *inc, const output_schema *schema,
                               floe_error *err)
{
    uint32_t kept = schema->column_count - 1; /* every column but `_floe_refresh`, the last */
    FLOE_RETURN_IF(schema->column_count == 0 || kept != column_count ||
                       strcmp(schema->columns[kept].name, FLOE_ENG_REFRESH_COLUMN) != 0,
                   FLOE_EINVAL, err,
                   "%s: the table's schema is not the query's columns and %s", inc->directory,
                   FLOE_ENG_REFRESH_COLUMN);
    file->rows = 0;
    file->logs_written = 0;
    return floe_eng_incremental_changelog_create(inc, schema->columns, kept, &file->writer,
                                                 file->folder, sizeof file->folder, err);
}

/* Appends the next log's rows. */
static int changelog_file_write(changelog_file *file, const changelog *log, floe_error *err)
{
    for (uint32_t i = 0; i < log->full_count; i++)
        FLOE_TRY(floe_pq_writer_write_batch(file->writer, &log->full[i], err));
    if (log->out.row_count > 0) FLOE_TRY(floe_pq_writer_write_batch(file->writer, &log->out, err));
    file->rows += log->rows;
    file->logs_written++;
    return FLOE_OK;
}

static void changelog_file_fini(changelog_file *file)
{
    floe_pq_writer_free(file->writer);
    file->writer = NULL;
}

/* Opens the file unless it is open, appends the logs not written yet, and closes it. */
static int changelog_write_file(changelog_file *file, changelog *logs, uint32_t log_count,
                                uint32_t column_count, floe_eng_incremental *inc,
                                const output_schema *schema, floe_error *err)
{
    int status = file->writer != NULL
                     ? FLOE_OK
                     : changelog_file_open(file, column_count, inc, schema, err);
    while (status == FLOE_OK && file->logs_written < log_count)
        status = changelog_file_write(file, &logs[file->logs_written], err);
    if (status == FLOE_OK)
        status = floe_eng_incremental_changelog_finish(inc, file->writer, file->folder,
                                                       file->rows, err);
    changelog_file_fini(file);
    return status;
}

int floe_eng_incremental_changelog_create(floe_eng_incremental *inc,
                                          const floe_pq_write_column *columns,
                                          uint32_t column_count, floe_pq_writer **writer,
                                          char *folder, size_t folder_size, floe_error *err)
{
    *writer = NULL;
    floe_pq_write_column *all = floe_calloc(column_count + 1, sizeof *all);
    FLOE_RETURN_IF(all == NULL, FLOE_ENOMEM, err, "out of memory");
    memcpy(all, columns, column_count * sizeof *all);
    all[column_count] = (floe_pq_write_column){FLOE_ICE_CHANGELOG_WEIGHT_COLUMN,
                                               floe_type_make(FLOE_TYPE_INT64), false,
                                               FLOE_ICE_CHANGELOG_WEIGHT_FIELD_ID};
    char path[PATH_MAX];
    int status = floe_io_path_join(folder, folder_size, inc->directory, "floe/changelog", err);
    if (status == FLOE_OK) status = floe_io_make_directories(folder, err);
    if (status == FLOE_OK)
        status = floe_io_catalog_new_file_path(inc->directory, "floe/changelog", "changes-",
                                               ".parquet", path, sizeof path, err);
    if (status == FLOE_OK) {
        inc->changelog_path = floe_eng_incremental_copy_text(path);
        if (inc->changelog_path == NULL)
            status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    floe_pq_write_schema write_schema = {all, column_count + 1, NULL, NULL, 0};
    if (status == FLOE_OK)
        status = floe_pq_writer_create(writer, path, &write_schema, &changelog_file_options,
                                       err);
    floe_free(all);
    return status;
}

int floe_eng_incremental_changelog_finish(floe_eng_incremental *inc, floe_pq_writer *writer,
                                          const char *folder, int64_t rows, floe_error *err)
{
    floe_pq_write_result result;
    FLOE_TRY(floe_pq_writer_close(writer, &result, err));
    floe_io_start_writeback(inc->changelog_path); /* floe_eng_incremental_commit syncs it */
    /* The commit syncs data/ and floe/state/, not this folder: the file's name must be durable
     * before the snapshot that names it is published. */
    FLOE_TRY(floe_io_fsync_directory(folder, err));
    inc->counts.changelog_rows = rows;
    return FLOE_OK;
}

/* ---- the run ------------------------------------------------------------------------------ */

/* One bucket to write and, once written, its files. Owned by write_buckets or a bucket_part;
 * a worker fills the bucket's paths before creating the files, so whatever a failure leaves
 * is found here. */
typedef struct bucket_job {
    uint32_t bucket;
    bool overlay;                         /* the files below are the bucket's new overlay */
    char *state_path;
    int64_t state_rows;
    floe_eng_incremental_output output;   /* path NULL: no output file */
    int64_t output_rows;
    floe_eng_incremental_output deletes;  /* overlay only; path NULL: none */
    int64_t deleted_rows;
} bucket_job;

/* Everything one run holds. */
typedef struct run_state {
    const floe_sql_plan *aggregate;
    uint32_t key_count, call_count;
    floe_type *key_types;
    floe_eng_aggregate_spec *specs;
    state_layout layout;
    floe_eng_group_state *delta;             /* D */
    floe_eng_group_state *state;             /* S (== delta on a rebuild) */
    floe_eng_group_state_flat flat;          /* S exported */
    bucketing bucketed;
    floe_eng_state_manifest previous;
    changelog changes;                       /* incremental refreshes only */
    /* bucket by bucket (refresh_by_bucket) */
    floe_eng_group_state_flat delta_flat;    /* D exported */
    uint32_t *delta_buckets;                 /* per group of D: its bucket */
    uint32_t *delta_order, *delta_offsets;   /* D's groups sorted by bucket (sort_by_bucket) */
    uint32_t part_count;
    bool stream;                             /* parts are streamed (part_stream) */
    struct bucket_part *parts;               /* per touched bucket, in bucket order */
    changelog *logs;                         /* per touched bucket: D's part's changelog */
    changelog_file changes_file;             /* the changelog file, once opened */
} run_state;

/* One touched bucket refreshed on its own: its S (file and D's part merged), its files. */
typedef struct bucket_part {
    uint32_t bucket;
    floe_eng_group_state *state;
    char fallback[FLOE_ENG_FALLBACK_SIZE];
    bucket_job files;
} bucket_part;

static const floe_sql_expression *expression_at(const run_state *run, uint32_t index)
{
    if (index < run->key_count) return run->aggregate->u.aggregate.groups[index];
    return run->aggregate->u.aggregate.calls[index - run->key_count].argument;
}

static void run_fini(run_state *run)
{
    floe_free(run->key_types);
    floe_free(run->specs);
    bucketing_fini(&run->bucketed, run->call_count);
    floe_eng_group_state_flat_fini(&run->flat);
    if (run->state != run->delta) floe_eng_group_state_free(run->state);
    floe_eng_group_state_free(run->delta);
    layout_fini(&run->layout);
    floe_eng_state_manifest_fini(&run->previous);
    changelog_fini(&run->changes);
    floe_eng_group_state_flat_fini(&run->delta_flat);
    floe_free(run->delta_buckets);
    floe_free(run->delta_order);
    floe_free(run->delta_offsets);
    for (uint32_t i = 0; run->parts != NULL && i < run->part_count; i++) {
        bucket_part *part = &run->parts[i];
        floe_eng_group_state_free(part->state);
        if (part->files.state_path != NULL) unlink(part->files.state_path);
        floe_free(part->files.state_path);
        floe_eng_incremental_output_file_fini(&part->files.output, true);
        floe_eng_incremental_output_file_fini(&part->files.deletes, true);
        changelog_fini(&run->logs[i]);
    }
    floe_free(run->parts);
    floe_free(run->logs);
    changelog_file_fini(&run->changes_file);
}

static int run_init(run_state *run, const floe_sql_plan *aggregate, floe_eng_context *context,
                    floe_error *err)
{
    run->aggregate = aggregate;
    run->key_count = aggregate->u.aggregate.group_count;
    run->call_count = aggregate->u.aggregate.call_count;
    run->key_types = floe_calloc(run->key_count + 1, sizeof *run->key_types);
    run->specs = floe_calloc(run->call_count + 1, sizeof *run->specs);
    FLOE_RETURN_IF(run->key_types == NULL || run->specs == NULL, FLOE_ENOMEM, err,
                   "out of memory");
    for (uint32_t k = 0; k < run->key_count; k++) run->key_types[k] = expression_at(run, k)->type;
    for (uint32_t c = 0; c < run->call_count; c++) {
        const floe_sql_aggregate_call *call = &aggregate->u.aggregate.calls[c];
        run->specs[c] = (floe_eng_aggregate_spec){
            .function = call->function,
            .distinct = call->distinct,
            .argument_type = call->argument != NULL ? call->argument->type
                                                    : floe_type_make(FLOE_TYPE_INVALID),
        };
    }
    FLOE_TRY(layout_init(&run->layout, run->key_types, run->key_count, run->specs,
                         run->call_count, err));
    return floe_eng_group_state_create(run->key_types, run->key_count, run->specs,
                                       run->call_count, context, &run->delta, err);
}

/* What draining the aggregate's input takes per thread: the states and result vectors of the
 * key and argument expressions that are not plain columns. */
typedef struct drainer {
    uint32_t count;                          /* keys then arguments */
    floe_eng_expression_state **expressions; /* NULL: a column, or COUNT(*) */
    floe_vector *values;
    const floe_vector **columns;
} drainer;

static void drainer_fini(drainer *drain)
{
    for (uint32_t i = 0; drain->expressions != NULL && i < drain->count; i++)
        floe_eng_expression_state_free(drain->expressions[i]);
    for (uint32_t i = 0; drain->values != NULL && i < drain->count; i++)
        floe_vector_fini(&drain->values[i]);
    floe_free(drain->expressions);
    floe_free(drain->values);
    floe_free(drain->columns);
    memset(drain, 0, sizeof *drain);
}

static int drainer_init(drainer *drain, const run_state *run, floe_error *err)
{
    memset(drain, 0, sizeof *drain);
    uint32_t count = run->key_count + run->call_count;
    drain->expressions = floe_calloc(count + 1, sizeof *drain->expressions);
    drain->values = floe_calloc(count + 1, sizeof *drain->values);
    drain->columns = floe_calloc(count + 1, sizeof *drain->columns);
    FLOE_RETURN_IF(drain->expressions == NULL || drain->values == NULL || drain->columns == NULL,
                   FLOE_ENOMEM, err, "out of memory");
    drain->count = count;
    for (uint32_t i = 0; i < count; i++) {
        const floe_sql_expression *expression = expression_at(run, i);
        if (expression == NULL || expression->kind == FLOE_SQL_EXPRESSION_COLUMN) continue;
        FLOE_TRY(floe_eng_expression_state_create(expression, &drain->expressions[i], err));
        FLOE_TRY(floe_vector_init(&drain->values[i], expression->type, FLOE_BATCH_CAPACITY,
                                  err));
    }
    return FLOE_OK;
}

/* Drains the aggregate's input (over the delta pins), or one partition of it, into `into`. */
static int drain_delta(const run_state *run, drainer *drain, floe_eng_operator *input,
                       floe_eng_group_state *into, floe_error *err)
{
    for (;;) {
        floe_batch *batch;
        FLOE_TRY(floe_eng_operator_next(input, &batch, err));
        if (batch == NULL) return FLOE_OK;
        uint32_t live = floe_batch_live_count(batch);
        if (live == 0) continue;
        for (uint32_t i = 0; i < drain->count; i++) {
            const floe_sql_expression *expression = expression_at(run, i);
            if (expression == NULL) {
                drain->columns[i] = NULL;
            } else if (expression->kind == FLOE_SQL_EXPRESSION_COLUMN) {
                FLOE_RETURN_IF(expression->column_index >= batch->column_count, FLOE_EINVAL, err,
                               "aggregate: column %u is not in a batch of %u columns",
                               expression->column_index, batch->column_count);
                drain->columns[i] = &batch->columns[expression->column_index];
            } else {
                FLOE_TRY(floe_eng_evaluate(drain->expressions[i], batch, &drain->values[i],
                                           err));
                drain->columns[i] = &drain->values[i];
            }
        }
        FLOE_TRY(floe_eng_group_state_update(into, drain->columns,
                                             drain->columns + run->key_count, batch->weights,
                                             batch->selection, live, err));
    }
}

static uint32_t bucket_count_for(uint32_t groups)
{
    uint32_t count = 1;
    while ((uint64_t)count * GROUPS_PER_BUCKET < groups && count < FLOE_ENG_STATE_MAX_BUCKETS)
        count *= 2;
    return count;
}


/* ---- draining the delta on threads ------------------------------------------------------ */

/* A change of more than FLOE_ENG_PARALLEL_DRAIN_ROWS rows is drained on the context's threads:
 * one delta operator per partition (delta_plan.h), each into a state of its own, merged into D
 * in partition order (so D's group numbering does not depend on timing). */

int floe_eng_incremental_change_rows(floe_eng_database *db,
                                     const floe_eng_delta_source *sources, uint32_t source_count,
                                     int64_t *rows, floe_error *err)
{
    *rows = 0;
    for (uint32_t i = 0; i < source_count; i++) {
        if (sources[i].to_snapshot_id < 0 ||
            sources[i].to_snapshot_id == sources[i].from_snapshot_id)
            continue;
        floe_ice_table *source = NULL;
        FLOE_TRY(floe_ice_table_open(&source, sources[i].identity,
                                     floe_eng_database_warehouse(db), err));
        const floe_ice_table_metadata *metadata = source->metadata;
        const floe_ice_snapshot *snapshot =
            floe_ice_snapshot_by_id(metadata, sources[i].to_snapshot_id);
        size_t steps = 0;
        while (snapshot != NULL && snapshot->snapshot_id != sources[i].from_snapshot_id &&
               steps++ <= metadata->snapshot_count) {
            *rows += floe_ice_snapshot_summary_int(snapshot, "added-records", 0) +
                     floe_ice_snapshot_summary_int(snapshot, "deleted-records", 0);
            if (snapshot->parent_snapshot_id < 0) break;
            snapshot = floe_ice_snapshot_by_id(metadata, snapshot->parent_snapshot_id);
        }
        floe_ice_table_free(source);
    }
    return FLOE_OK;
}

/* The total-records of the source scanned by every SCAN under a join's right input of `plan`
 * (a source scanned twice counts twice: each scan builds its own side). */
static int build_side_rows(floe_eng_database *db, const floe_sql_plan *plan, bool under_right,
                           const floe_eng_delta_source *sources, uint32_t source_count,
                           int64_t *rows, floe_error *err)
{
    if (plan->kind == FLOE_SQL_PLAN_SCAN && under_right) {
        for (uint32_t i = 0; i < source_count; i++) {
            if (strcmp(sources[i].identity, plan->u.scan.table.identity) != 0) continue;
            if (sources[i].to_snapshot_id < 0) return FLOE_OK;
            floe_ice_table *source = NULL;
            FLOE_TRY(floe_ice_table_open(&source, sources[i].identity,
                                         floe_eng_database_warehouse(db), err));
            *rows += floe_ice_snapshot_summary_int(
                floe_ice_snapshot_by_id(source->metadata, sources[i].to_snapshot_id),
                "total-records", 0);
            floe_ice_table_free(source);
            return FLOE_OK;
        }
        return FLOE_OK;
    }
    for (uint32_t i = 0; i < plan->input_count; i++)
        FLOE_TRY(build_side_rows(db, plan->inputs[i],
                                 under_right || (plan->kind == FLOE_SQL_PLAN_JOIN && i == 1),
                                 sources, source_count, rows, err));
    return FLOE_OK;
}

static bool plan_has_join(const floe_sql_plan *plan)
{
    if (plan->kind == FLOE_SQL_PLAN_JOIN) return true;
    for (uint32_t i = 0; i < plan->input_count; i++)
        if (plan_has_join(plan->inputs[i])) return true;
    return false;
}

int floe_eng_incremental_drain_partitions(floe_eng_database *db, const floe_sql_plan *plan,
                                          const floe_eng_delta_source *sources,
                                          uint32_t source_count, uint32_t thread_count,
                                          uint32_t *partitions, floe_error *err)
{
    *partitions = 1;
    if (thread_count <= 1) return FLOE_OK;
    int64_t rows = 0;
    FLOE_TRY(floe_eng_incremental_change_rows(db, sources, source_count, &rows, err));
    if (rows <= FLOE_ENG_PARALLEL_DRAIN_ROWS) return FLOE_OK;
    if (plan_has_join(plan)) {
        int64_t build_rows = 0;
        FLOE_TRY(build_side_rows(db, plan, false, sources, source_count, &build_rows, err));
        if (rows <= build_rows) return FLOE_OK;
    }
    *partitions = thread_count;
    return FLOE_OK;
}

/* What the workers of drain_partitions share. */
typedef struct partition_draining {
    const run_state *run;
    floe_eng_operator **inputs;
    floe_eng_group_state **states;
    uint32_t count;
    atomic_uint next;
    atomic_bool failed;
} partition_draining;

static int drain_body(void *argument, char *fallback, floe_error *err)
{
    (void)fallback; /* draining never falls back */
    partition_draining *shared = argument;
    drainer drain;
    int status = drainer_init(&drain, shared->run, err);
    while (status == FLOE_OK && !atomic_load(&shared->failed)) {
        uint32_t index = atomic_fetch_add(&shared->next, 1);
        if (index >= shared->count) break;
        status = drain_delta(shared->run, &drain, shared->inputs[index], shared->states[index],
                             err);
    }
    if (status != FLOE_OK) atomic_store(&shared->failed, true);
    drainer_fini(&drain);
    return status;
}

/* Drains `partition_count` partitions of the change of `input_plan` (the aggregate's input)
 * on as many threads, into D. Errors as the change reader's and the states'. */
static int drain_partitions(run_state *run, floe_eng_context *context,
                            const floe_sql_plan *input_plan,
                            const floe_eng_delta_source *versions, uint32_t source_count,
                            uint32_t partition_count, floe_error *err)
{
    partition_draining shared = {.run = run, .count = partition_count};
    atomic_init(&shared.next, 0);
    atomic_init(&shared.failed, false);
    shared.inputs = floe_calloc(partition_count, sizeof *shared.inputs);
    shared.states = floe_calloc(partition_count, sizeof *shared.states);
    int status = shared.inputs == NULL || shared.states == NULL
                     ? floe_error_set(err, FLOE_ENOMEM, "out of memory")
                     : FLOE_OK;
    for (uint32_t p = 0; status == FLOE_OK && p < partition_count; p++) {
        status = floe_eng_delta_compile_partition(input_plan, versions, source_count, context, p,
                                                  partition_count, &shared.inputs[p], err);
        if (status == FLOE_OK && p == 0) shared.states[0] = run->delta;
        else if (status == FLOE_OK)
            status = floe_eng_group_state_create(run->key_types, run->key_count, run->specs,
                                                 run->call_count, context, &shared.states[p],
                                                 err);
    }
    if (status == FLOE_OK)
        status = floe_eng_run_on_threads(partition_count, drain_body, &shared, NULL,
                                         FLOE_ENG_FALLBACK_SIZE, err);
    for (uint32_t p = 1; status == FLOE_OK && p < partition_count; p++)
        status = floe_eng_group_state_merge(run->delta, shared.states[p], err);
    for (uint32_t p = 0; shared.inputs != NULL && p < partition_count; p++) {
        floe_eng_operator_destroy(shared.inputs[p]);
        if (p > 0) floe_eng_group_state_free(shared.states[p]);
    }
    floe_free(shared.inputs);
    floe_free(shared.states);
    return status;
}

/* What the workers of load_buckets share. Files are read and imported on every worker, but
 * merged into S one at a time and in bucket order (`merged` counts the jobs done; job j waits
 * for merged == j), so S's group numbering, and with it every file written, does not depend on
 * which thread was faster. */
typedef struct bucket_loading {
    run_state *run;
    floe_eng_context *context;
    const floe_eng_state_set *set;
    const uint32_t *buckets;        /* the buckets to load, in order */
    uint32_t job_count;
    atomic_uint next;
    atomic_bool failed;             /* an error or a fallback: the others stop */
    atomic_int files_read;
    pthread_mutex_t lock;
    pthread_cond_t turn;
    uint32_t merged;                /* under lock */
} bucket_loading;

static int read_bucket_state(const run_state *run, const floe_eng_state_bucket *bucket,
                             uint32_t extra, bool keep_places, floe_eng_group_state_flat *flat,
                             uint32_t *base_rows, uint8_t **changed, floe_error *err);

/* Reads bucket b's groups (state file and overlay) into `loaded` (created here). A file that is
 * missing, unreadable or of other types, or whose contents import rejects, sets `fallback`
 * instead of failing. */
static int load_bucket(bucket_loading *shared, uint32_t b, floe_eng_group_state **loaded,
                       char *fallback, floe_error *err)
{
    run_state *run = shared->run;
    *loaded = NULL;
    floe_eng_group_state_flat flat;
    floe_error file_err;
    floe_error_clear(&file_err);
    uint32_t base_rows = 0;
    int status = read_bucket_state(run, &shared->set->buckets[b], 0, false, &flat, &base_rows,
                                   NULL, &file_err);
    bool unusable = status == FLOE_ECORRUPT || status == FLOE_ENOTFOUND ||
                    status == FLOE_ETYPE || status == -ENOENT;
    if (status != FLOE_OK && !unusable) {
        if (err != NULL) *err = file_err;
        return status;
    }
    if (status != FLOE_OK) {
        floe_eng_incremental_fallback(fallback, "state of bucket %u unusable: %s", b,
                                      file_err.message);
        return FLOE_OK;
    }
    atomic_fetch_add(&shared->files_read, 1);
    status = floe_eng_group_state_create(run->key_types, run->key_count, run->specs,
                                         run->call_count, shared->context, loaded, err);
    if (status == FLOE_OK) {
        status = floe_eng_group_state_import(*loaded, &flat, &file_err);
        if (status == FLOE_ECORRUPT) {
            floe_eng_incremental_fallback(fallback, "state of bucket %u unusable: %s", b,
                                          file_err.message);
            status = FLOE_OK;
            floe_eng_group_state_free(*loaded);
            *loaded = NULL;
        } else if (status != FLOE_OK && err != NULL) {
            *err = file_err;
        }
    }
    floe_eng_group_state_flat_fini(&flat);
    return status;
}

static int load_body(void *argument, char *fallback, floe_error *err)
{
    bucket_loading *shared = argument;
    int status = FLOE_OK;
    while (status == FLOE_OK && fallback[0] == '\0' && !atomic_load(&shared->failed)) {
        uint32_t job = atomic_fetch_add(&shared->next, 1);
        if (job >= shared->job_count) break;
        floe_eng_group_state *loaded = NULL;
        status = load_bucket(shared, shared->buckets[job], &loaded, fallback, err);
        if (status != FLOE_OK || fallback[0] != '\0') break;
        pthread_mutex_lock(&shared->lock);
        while (shared->merged != job && !atomic_load(&shared->failed))
            pthread_cond_wait(&shared->turn, &shared->lock);
        if (!atomic_load(&shared->failed)) {
            status = floe_eng_group_state_merge(shared->run->state, loaded, err);
            shared->merged++;
        }
        pthread_cond_broadcast(&shared->turn);
        pthread_mutex_unlock(&shared->lock);
        floe_eng_group_state_free(loaded);
    }
    if (status != FLOE_OK || fallback[0] != '\0') {
        pthread_mutex_lock(&shared->lock);
        atomic_store(&shared->failed, true);
        pthread_cond_broadcast(&shared->turn);
        pthread_mutex_unlock(&shared->lock);
    }
    return status;
}

/* Imports the state files of the buckets with wanted[b] set and merges them into S, on the
 * context's threads (the calling thread the first). A file that is missing, unreadable or of
 * other types sets `fallback` instead of failing. */
static int load_buckets(floe_eng_incremental *inc, run_state *run, floe_eng_context *context,
                        const floe_eng_state_set *set, const uint8_t *wanted, char *fallback,
                        floe_error *err)
{
    if (run->state == NULL)
        FLOE_TRY(floe_eng_group_state_create(run->key_types, run->key_count, run->specs,
                                             run->call_count, context, &run->state, err));
    uint32_t *buckets = floe_malloc(((size_t)set->bucket_count + 1) * sizeof *buckets);
    FLOE_RETURN_IF(buckets == NULL, FLOE_ENOMEM, err, "out of memory");
    uint32_t job_count = 0;
    for (uint32_t b = 0; b < set->bucket_count; b++)
        if (wanted[b] && set->buckets[b].state_path != NULL) buckets[job_count++] = b;
    uint32_t thread_count = context->thread_count < job_count ? context->thread_count : job_count;
    if (thread_count == 0) thread_count = 1;
    bucket_loading shared = {.run = run, .context = context, .set = set, .buckets = buckets,
                             .job_count = job_count};
    atomic_init(&shared.next, 0);
    atomic_init(&shared.failed, false);
    atomic_init(&shared.files_read, 0);
    bool lock_ready = false, turn_ready = false;
    int status = FLOE_OK;
    lock_ready = pthread_mutex_init(&shared.lock, NULL) == 0;
    if (status == FLOE_OK) turn_ready = pthread_cond_init(&shared.turn, NULL) == 0;
    if (status == FLOE_OK && (!lock_ready || !turn_ready))
        status = floe_error_set(err, FLOE_ENOMEM, "cannot create a lock");
    if (status == FLOE_OK) {
        status = floe_eng_run_on_threads(thread_count, load_body, &shared, fallback,
                                         FLOE_ENG_FALLBACK_SIZE, err);
        inc->counts.state_files_read += atomic_load(&shared.files_read);
    }
    if (turn_ready) pthread_cond_destroy(&shared.turn);
    if (lock_ready) pthread_mutex_destroy(&shared.lock);
    floe_free(buckets);
    return status;
}

/* ---- writing the buckets on threads ------------------------------------------------------ */

/* What the workers of write_buckets share: read-only but for `next` and `failed`. */
typedef struct bucket_writing {
    const char *directory;
    const run_state *run;
    const output_schema *schema;
    const floe_sql_plan *root;
    int64_t refresh_number;
    bucket_job *jobs;
    uint32_t job_count;
    atomic_uint next;
    atomic_bool failed;
} bucket_writing;

/* Writes jobs until none is left or some worker failed: each has its own chain (expression
 * states are per thread) and batch; S, its export and the bucketing are only read. */
static int write_body(void *argument, char *fallback, floe_error *err)
{
    (void)fallback; /* writing never falls back */
    bucket_writing *shared = argument;
    const run_state *run = shared->run;
    output_chain chain;
    floe_batch rows_batch;
    bool rows_ready = false;
    int status = chain_init(&chain, shared->root, run->aggregate, shared->refresh_number,
                            err);
    if (status == FLOE_OK) {
        status = floe_batch_init(&rows_batch, floe_eng_group_state_column_count(run->state),
                                 floe_eng_group_state_column_types(run->state), err);
        rows_ready = status == FLOE_OK;
    }
    while (status == FLOE_OK && !atomic_load(&shared->failed)) {
        uint32_t index = atomic_fetch_add(&shared->next, 1);
        if (index >= shared->job_count) break;
        bucket_job *job = &shared->jobs[index];
        status = write_state_file(shared->directory, &run->layout, &run->flat, &run->bucketed,
                                  job->bucket, 0, &job->state_path, &job->state_rows,
                                  err);
        if (status == FLOE_OK)
            status = write_output_file(shared->directory, shared->schema, &chain, run->state,
                                       &run->flat, &run->bucketed, job->bucket, &rows_batch,
                                       &job->output, &job->output_rows, err);
    }
    if (status != FLOE_OK) atomic_store(&shared->failed, true);
    if (rows_ready) floe_batch_fini(&rows_batch);
    chain_fini(&chain);
    return status;
}

/* Hands a job's files to inc (deleted unless committed), or deletes them when that fails. */
/* Moves `file` (when it has a path) into inc->outputs; on failure (or after an earlier one:
 * `status`) the file is deleted instead. */
static int adopt_output(floe_eng_incremental *inc, floe_eng_incremental_output *file,
                        int status, floe_error *err)
{
    if (file->path == NULL) return status;
    if (status == FLOE_OK && inc->output_count == inc->output_capacity) {
        size_t grown = inc->output_capacity ? inc->output_capacity * 2 : 8;
        floe_eng_incremental_output *larger = floe_realloc(inc->outputs, grown * sizeof *larger);
        if (larger == NULL) {
            status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
        } else {
            inc->outputs = larger;
            inc->output_capacity = grown;
        }
    }
    if (status != FLOE_OK) {
        floe_eng_incremental_output_file_fini(file, true);
    } else {
        inc->outputs[inc->output_count++] = *file;
    }
    memset(file, 0, sizeof *file);
    return status;
}

static int adopt_job_files(floe_eng_incremental *inc, bucket_job *job, floe_error *err)
{
    int status = FLOE_OK;
    if (job->state_path != NULL) {
        status = floe_eng_incremental_add_path(&inc->state_paths, &inc->state_count,
                                               &inc->state_capacity, job->state_path, err);
        if (status != FLOE_OK) unlink(job->state_path);
        floe_free(job->state_path);
        job->state_path = NULL;
    }
    status = adopt_output(inc, &job->output, status, err);
    return adopt_output(inc, &job->deletes, status, err);
}

/* Lists for removal the output files of `bucket` a refresh replaces: its overlay's output and
 * delete files, and with `whole` its output file too. */
static int remove_bucket_outputs(floe_eng_incremental *inc, const floe_eng_state_bucket *bucket,
                                 bool whole, floe_error *err)
{
    const char *paths[3] = {whole ? bucket->output_path : NULL, NULL, NULL};
    if (bucket->has_overlay) {
        paths[1] = bucket->overlay.output_path;
        paths[2] = bucket->overlay.deletes_path;
    }
    for (int i = 0; i < 3; i++)
        if (paths[i] != NULL)
            FLOE_TRY(floe_eng_incremental_add_path(&inc->removed, &inc->removed_count,
                                                   &inc->removed_capacity, paths[i], err));
    return FLOE_OK;
}

/* Writes the files of every bucket in `touched` (all buckets when NULL) and sets them in
 * `set`, collecting the old output files to remove. Buckets are independent once S is
 * exported and bucketed, so their files are written on `thread_count` threads; what they
 * produced is recorded in bucket order afterwards, success or not. */
static int write_buckets(floe_eng_incremental *inc, run_state *run, const floe_ice_table *table,
                         const floe_sql_plan *root, int64_t refresh_number,
                         floe_eng_state_set *set, const uint8_t *touched, uint32_t thread_count,
                         floe_error *err)
{
    FLOE_TRY(floe_eng_group_state_remove_empty_groups(run->state, err));
    FLOE_TRY(floe_eng_group_state_export(run->state, &run->flat, err));
    FLOE_TRY(bucketing_init(&run->bucketed, &run->flat, &run->layout, set->bucket_count, err));
    output_schema schema;
    bucket_job *jobs = floe_calloc((size_t)set->bucket_count + 1, sizeof *jobs);
    int status = jobs == NULL ? floe_error_set(err, FLOE_ENOMEM, "out of memory")
                              : output_schema_init(&schema, table, err);
    char folder[PATH_MAX];
    if (status == FLOE_OK)
        status = floe_io_path_join(folder, sizeof folder, inc->directory, "floe/state", err);
    if (status == FLOE_OK) status = floe_io_make_directories(folder, err);
    if (status == FLOE_OK)
        status = floe_io_path_join(folder, sizeof folder, inc->directory, "data", err);
    if (status == FLOE_OK) status = floe_io_make_directories(folder, err);
    uint32_t job_count = 0;
    for (uint32_t b = 0; status == FLOE_OK && b < set->bucket_count; b++) {
        bool has_groups = run->bucketed.group_offsets[b + 1] > run->bucketed.group_offsets[b];
        if (touched != NULL ? !touched[b] : !has_groups) continue;
        inc->counts.buckets_touched++;
        status = remove_bucket_outputs(inc, &set->buckets[b], true, err);
        if (status == FLOE_OK && !has_groups)
            status = floe_eng_state_set_bucket(set, b, NULL, 0, NULL, 0, err);
        else if (status == FLOE_OK)
            jobs[job_count++].bucket = b;
    }
    if (status == FLOE_OK) {
        bucket_writing shared = {
            .directory = inc->directory, .run = run, .schema = &schema, .root = root,
            .refresh_number = refresh_number, .jobs = jobs, .job_count = job_count,
        };
        atomic_init(&shared.next, 0);
        atomic_init(&shared.failed, false);
        uint32_t threads = thread_count < job_count ? thread_count : job_count;
        status = floe_eng_run_on_threads(threads, write_body, &shared, NULL,
                                         FLOE_ENG_FALLBACK_SIZE, err);
    }
    for (uint32_t j = 0; j < job_count; j++) {
        bucket_job *job = &jobs[j];
        const char *state_path = job->state_path, *output_path = job->output.path;
        if (status == FLOE_OK)
            status = floe_eng_state_set_bucket(set, job->bucket, state_path, job->state_rows,
                                               output_path, job->output_rows, err);
        inc->counts.rows_written += job->output_rows;
        int adopted = adopt_job_files(inc, job, err);
        if (status == FLOE_OK) status = adopted;
    }
    floe_free(jobs);
    if (jobs != NULL) floe_free(schema.columns);
    return status;
}

/* ---- refreshing bucket by bucket ---------------------------------------------------------- */

/* Touched buckets are independent: a key lives in one bucket, so bucket b's new state is its
 * file's state with D's groups of bucket b merged in, and its files, its changelog rows and
 * its output depend on nothing else. refresh_by_bucket therefore loads, merges and writes each
 * touched bucket on its own, spread over the context's threads, never building the whole S:
 * no state of every touched group is merged together and exported again, which was most of an
 * incremental refresh whose change reaches every bucket. Only growth (below) needs the whole
 * table: then the buckets' states are merged into S and the refresh goes on as a whole.
 * Keyless tables (one group, one bucket) keep the path of the whole S. */

/* What the workers of a bucket phase share. */
typedef struct part_work {
    run_state *run;
    floe_eng_context *context;
    const floe_eng_state_set *set;
    const floe_sql_plan *root;
    const output_schema *schema;
    const char *directory;
    int64_t refresh_number;
    int (*step)(struct part_work *work, uint32_t index, floe_error *err);
    bool overlays;       /* streamed buckets may take overlays (choose_overlay) */
    atomic_uint next;
    atomic_bool failed;  /* an error or a fallback: the others stop */
    atomic_int files_read;
    /* When the run's changelog file is open while the parts run (streamed parts complete
     * their logs): which logs are complete, and who is appending them. */
    atomic_bool *log_done;              /* per part; NULL: the logs go in at the end */
    pthread_mutex_t changelog_lock;     /* held while appending to run->changes_file */
} part_work;

/* Appends the complete logs that are next in part order, unless another thread is at it (it
 * will take these too, or the end of the run will). Memory of a written log is freed. */
static int append_ready_logs(part_work *work, floe_error *err)
{
    run_state *run = work->run;
    if (pthread_mutex_trylock(&work->changelog_lock) != 0) return FLOE_OK;
    int status = FLOE_OK;
    changelog_file *file = &run->changes_file;
    while (status == FLOE_OK && file->logs_written < run->part_count &&
           atomic_load(&work->log_done[file->logs_written])) {
        changelog *log = &run->logs[file->logs_written];
        status = changelog_file_write(file, log, err);
        if (status == FLOE_OK) changelog_fini(log);
    }
    pthread_mutex_unlock(&work->changelog_lock);
    return status;
}

/* A part's fallback is kept with the part (run_parts reports the first in part order). */
static int part_body(void *argument, char *fallback, floe_error *err)
{
    (void)fallback;
    part_work *work = argument;
    int status = FLOE_OK;
    while (status == FLOE_OK && !atomic_load(&work->failed)) {
        uint32_t index = atomic_fetch_add(&work->next, 1);
        if (index >= work->run->part_count) break;
        status = work->step(work, index, err);
        if (status == FLOE_OK && work->log_done != NULL &&
            work->run->parts[index].fallback[0] == '\0') {
            atomic_store(&work->log_done[index], true);
            status = append_ready_logs(work, err);
        }
        if (status != FLOE_OK || work->run->parts[index].fallback[0] != '\0')
            atomic_store(&work->failed, true);
    }
    return status;
}

/* Runs work->step over every part on `thread_count` threads (the calling thread the first).
 * The first error is returned; a part's fallback stops the others and is copied to
 * `fallback`. */
static int run_parts(part_work *work, uint32_t thread_count, char *fallback, floe_error *err)
{
    run_state *run = work->run;
    if (thread_count > run->part_count) thread_count = run->part_count;
    if (thread_count == 0) return FLOE_OK;
    atomic_init(&work->next, 0);
    atomic_init(&work->failed, false);
    int status = floe_eng_run_on_threads(thread_count, part_body, work, NULL,
                                         FLOE_ENG_FALLBACK_SIZE, err);
    for (uint32_t i = 0; status == FLOE_OK && i < run->part_count; i++)
        if (run->parts[i].fallback[0] != '\0') {
            memcpy(fallback, run->parts[i].fallback, FLOE_ENG_FALLBACK_SIZE);
            break;
        }
    return status;
}

/* The groups of D (exported) in bucket b and their entries, renumbered, as a flat form. */
static int delta_part_of(const run_state *run, uint32_t b, floe_eng_group_state_flat *part,
                         floe_error *err)
{
    const floe_eng_group_state_flat *delta = &run->delta_flat;
    memset(part, 0, sizeof *part);
    const uint32_t *in_bucket = run->delta_order + run->delta_offsets[b];
    uint32_t in_bucket_count = run->delta_offsets[b + 1] - run->delta_offsets[b];
    uint32_t capacity = in_bucket_count;
    /* Entries name their group by D's number: only calls that keep entries need the map from
     * D's numbers to the part's (an array as long as D, written all over, for every bucket). */
    bool any_entries = false;
    for (uint32_t c = 0; c < run->layout.call_count; c++)
        any_entries |= run->layout.calls[c].entries;
    uint32_t *renumbered = NULL;
    if (any_entries) {
        renumbered = floe_malloc(((size_t)delta->group_count + 1) * sizeof *renumbered);
        FLOE_RETURN_IF(renumbered == NULL, FLOE_ENOMEM, err, "out of memory");
        for (uint32_t i = 0; i < in_bucket_count; i++) renumbered[in_bucket[i]] = i;
    }
    for (uint32_t c = 0; c < run->layout.call_count; c++) {
        const floe_eng_group_entries *entries = &delta->calls[c].entries;
        uint32_t count = 0;
        for (uint32_t e = 0; run->layout.calls[c].entries && e < entries->count; e++)
            count += run->delta_buckets[entries->groups[e]] == b;
        if (count > capacity) capacity = count;
    }
    int status = flat_alloc(part, &run->layout, capacity + 1, err);
    /* Group i of the part is D's group in_bucket[i]: each array is gathered whole. */
    if (status == FLOE_OK) {
        gather_fixed(part->row_counts, delta->row_counts, in_bucket, in_bucket_count,
                     sizeof(int64_t));
        for (uint32_t c = 0; c < run->layout.call_count; c++) {
            const floe_eng_aggregate_flat *from = &delta->calls[c];
            floe_eng_aggregate_flat *into = &part->calls[c];
            if (into->counts != NULL)
                gather_fixed(into->counts, from->counts, in_bucket, in_bucket_count,
                             sizeof(int64_t));
            if (into->sums_int != NULL)
                gather_fixed(into->sums_int, from->sums_int, in_bucket, in_bucket_count,
                             sizeof(floe_int128));
            if (into->sums_double != NULL)
                gather_fixed(into->sums_double, from->sums_double, in_bucket, in_bucket_count,
                             sizeof(double));
        }
    }
    for (uint32_t k = 0; status == FLOE_OK && k < delta->key_count; k++) {
        const floe_vector *from = &delta->keys[k];
        floe_vector *to = &part->keys[k];
        if (to->type.id == FLOE_TYPE_STRING || to->type.id == FLOE_TYPE_BINARY) {
            for (uint32_t i = 0; status == FLOE_OK && i < in_bucket_count; i++)
                status = copy_value(to, i, from, in_bucket[i], err);
            continue;
        }
        gather_fixed(to->data, from->data, in_bucket, in_bucket_count,
                     floe_type_width(to->type));
        for (uint32_t i = 0; from->validity != NULL && i < in_bucket_count; i++)
            if (floe_vector_is_null(from, in_bucket[i])) set_null(to, i);
    }
    part->group_count = in_bucket_count;
    for (uint32_t c = 0; status == FLOE_OK && c < run->layout.call_count; c++) {
        if (!run->layout.calls[c].entries) continue;
        const floe_eng_group_entries *from = &delta->calls[c].entries;
        floe_eng_group_entries *into = &part->calls[c].entries;
        for (uint32_t e = 0; status == FLOE_OK && e < from->count; e++) {
            if (run->delta_buckets[from->groups[e]] != b) continue;
            uint32_t to = into->count++;
            into->groups[to] = renumbered[from->groups[e]];
            into->counts[to] = from->counts[e];
            status = copy_value(&into->values, to, &from->values, e, err);
        }
    }
    floe_free(renumbered);
    return status;
}

/* Phase one of a bucket: its file's state (a fallback when the file is unusable), D's part
 * merged in, the changelog's old rows collected in between. The state is sized for the file's
 * groups and D's part together before the import, so neither the import nor the merge grows
 * its hash table. */
static int part_load(part_work *work, uint32_t index, floe_error *err)
{
    run_state *run = work->run;
    bucket_part *part = &run->parts[index];
    uint32_t b = part->bucket;
    FLOE_TRY(floe_eng_group_state_create(run->key_types, run->key_count, run->specs,
                                         run->call_count, work->context, &part->state, err));
    floe_eng_group_state_flat delta_flat;
    int status = delta_part_of(run, b, &delta_flat, err);
    const char *path = work->set->buckets[b].state_path;
    if (status == FLOE_OK && path != NULL) {
        floe_eng_group_state_flat flat;
        floe_error file_err;
        floe_error_clear(&file_err);
        uint32_t base_rows = 0;
        status = read_bucket_state(run, &work->set->buckets[b], 0, false, &flat,
                                   &base_rows, NULL, &file_err);
        bool unusable = status == FLOE_ECORRUPT || status == FLOE_ENOTFOUND ||
                        status == FLOE_ETYPE || status == -ENOENT;
        if (status == FLOE_OK) {
            atomic_fetch_add(&work->files_read, 1);
            status = floe_eng_group_state_reserve(part->state,
                                                  flat.group_count + delta_flat.group_count,
                                                  &file_err);
            if (status == FLOE_OK)
                status = floe_eng_group_state_import(part->state, &flat, &file_err);
            unusable = status == FLOE_ECORRUPT;
            floe_eng_group_state_flat_fini(&flat);
        }
        if (status != FLOE_OK && unusable) {
            floe_eng_incremental_fallback(part->fallback, "state of bucket %u unusable: %s", b,
                                          file_err.message);
            floe_eng_group_state_flat_fini(&delta_flat);
            return FLOE_OK;
        }
        if (status != FLOE_OK && err != NULL) *err = file_err;
    }
    floe_eng_group_state *delta = NULL;
    if (status == FLOE_OK)
        status = floe_eng_group_state_create(run->key_types, run->key_count, run->specs,
                                             run->call_count, work->context, &delta, err);
    if (status == FLOE_OK) status = floe_eng_group_state_import(delta, &delta_flat, err);
    floe_eng_group_state_flat_fini(&delta_flat);
    changelog *log = &run->logs[index];
    if (status == FLOE_OK)
        status = changelog_init(log, delta, run->key_count, work->root, run->aggregate,
                                work->refresh_number, err);
    if (status == FLOE_OK) status = changelog_merge(log, part->state, delta, err);
    floe_eng_group_state_free(delta);
    return status;
}

/* Phase two of a bucket: its state and output files (none when no group is left) and the
 * changelog's new rows. */
static int part_write(part_work *work, uint32_t index, floe_error *err)
{
    run_state *run = work->run;
    bucket_part *part = &run->parts[index];
    FLOE_TRY(floe_eng_group_state_remove_empty_groups(part->state, err));
    floe_eng_group_state_flat flat = {0};
    bucketing bucketed = {0};
    output_chain chain;
    memset(&chain, 0, sizeof chain);
    floe_batch rows_batch;
    bool rows_ready = false;
    int status = floe_eng_group_state_export(part->state, &flat, err);
    if (status == FLOE_OK && flat.group_count > 0) {
        status = bucketing_init(&bucketed, &flat, &run->layout, 1, err);
        if (status == FLOE_OK)
            status = write_state_file(work->directory, &run->layout, &flat, &bucketed, 0, 0,
                                      &part->files.state_path, &part->files.state_rows, err);
        if (status == FLOE_OK)
            status = chain_init(&chain, work->root, run->aggregate, work->refresh_number, err);
        if (status == FLOE_OK) {
            status = floe_batch_init(&rows_batch, floe_eng_group_state_column_count(part->state),
                                     floe_eng_group_state_column_types(part->state), err);
            rows_ready = status == FLOE_OK;
        }
        if (status == FLOE_OK)
            status = write_output_file(work->directory, work->schema, &chain, part->state,
                                       &flat, &bucketed, 0, &rows_batch, &part->files.output,
                                       &part->files.output_rows, err);
    }
    if (rows_ready) floe_batch_fini(&rows_batch);
    chain_fini(&chain);
    bucketing_fini(&bucketed, run->call_count);
    floe_eng_group_state_flat_fini(&flat);
    return status;
}

/* ---- streaming a bucket ------------------------------------------------------------------ */

/* When every call's state is per-group numbers (COUNT, COUNT(*), SUM, AVG: no MIN / MAX /
 * DISTINCT entries), a touched bucket needs no hash table of its own groups: part_stream builds
 * one of D's part only (a few thousand groups where the bucket has tens of thousands), reads
 * the state file's flat columns, looks each of its keys up in D's part, adds D's accumulators
 * into the matched rows in place, appends D's groups the file lacks, and writes the state and
 * output files and the changelog's rows from those arrays; groups whose row count reaches zero
 * are left out of what is written. A file holding one of D's keys twice is found unusable
 * (the refresh falls back to a rebuild), as import finds any repeated key. Growth needs the states of the whole table (refresh_by_bucket),
 * so a refresh that might grow takes part_load and part_write instead. */

/* Whether the parts stream: a keyed aggregate whose every result is in the flat arrays, and
 * no growth possible even if none of D's groups is in its bucket's file already. */
static bool streams(const run_state *run, const floe_eng_state_set *set)
{
    if (run->key_count == 0 || !floe_eng_group_state_flat_emits(run->delta)) return false;
    uint64_t most = run->delta_flat.group_count;
    for (uint32_t i = 0; i < run->part_count; i++) {
        int64_t rows = set->buckets[run->parts[i].bucket].state_rows;
        most += rows > 0 ? (uint64_t)rows : 0;
    }
    return set->bucket_count >= FLOE_ENG_STATE_MAX_BUCKETS || run->part_count == 0 ||
           most * set->bucket_count / run->part_count <=
               2 * (uint64_t)set->bucket_count * GROUPS_PER_BUCKET;
}

/* targets[g] = the row of `file` holding D's group g's key (left as it is when none). */
static int match_file_groups(floe_eng_group_state *delta, const floe_eng_group_state_flat *file,
                             uint32_t *targets, floe_error *err)
{
    floe_vector *windows = floe_calloc(file->key_count + 1, sizeof *windows);
    const floe_vector **keys = floe_calloc(file->key_count + 1, sizeof *keys);
    uint32_t *found = floe_malloc(FLOE_BATCH_CAPACITY * sizeof *found);
    int status = windows == NULL || keys == NULL || found == NULL
                     ? floe_error_set(err, FLOE_ENOMEM, "out of memory")
                     : FLOE_OK;
    for (uint32_t start = 0; status == FLOE_OK && start < file->group_count;
         start += FLOE_BATCH_CAPACITY) {
        uint32_t count = file->group_count - start;
        if (count > FLOE_BATCH_CAPACITY) count = FLOE_BATCH_CAPACITY;
        for (uint32_t k = 0; k < file->key_count; k++) {
            const floe_vector *key = &file->keys[k];
            windows[k] = *key;
            windows[k].data =
                (unsigned char *)key->data + (size_t)start * floe_type_width(key->type);
            windows[k].validity = key->validity != NULL ? key->validity + start / 64 : NULL;
            keys[k] = &windows[k];
        }
        status = floe_eng_group_state_find_groups(delta, keys, count, found, NULL, err);
        for (uint32_t r = 0; status == FLOE_OK && r < count; r++) {
            if (found[r] == FLOE_K_NO_GROUP) continue;
            /* Patching both rows would count the change twice; import refuses such a file. */
            if (targets[found[r]] != UINT32_MAX)
                status = floe_error_set(err, FLOE_ECORRUPT,
                                        "rows %u and %u hold the same key", targets[found[r]],
                                        start + r);
            else
                targets[found[r]] = start + r;
        }
    }
    floe_free(windows);
    floe_free(keys);
    floe_free(found);
    return status;
}

/* Adds group g of `from` into row t of `into` (both flat forms of the layout, no entries). */
static int add_group(floe_eng_group_state_flat *into, uint32_t t,
                     const floe_eng_group_state_flat *from, uint32_t g, const state_layout *layout,
                     floe_error *err)
{
    FLOE_RETURN_IF(__builtin_add_overflow(into->row_counts[t], from->row_counts[g],
                                          &into->row_counts[t]),
                   FLOE_ERANGE, err, "aggregate state merge: a group's row count overflows");
    for (uint32_t c = 0; c < layout->call_count; c++) {
        const call_columns *call = &layout->calls[c];
        floe_eng_aggregate_flat *to = &into->calls[c];
        const floe_eng_aggregate_flat *add = &from->calls[c];
        if (call->count >= 0)
            FLOE_RETURN_IF(__builtin_add_overflow(to->counts[t], add->counts[g], &to->counts[t]),
                           FLOE_ERANGE, err, "aggregate state merge: a group's count overflows");
        if (call->sum >= 0 && call->sum_double)
            to->sums_double[t] += add->sums_double[g];
        else if (call->sum >= 0)
            FLOE_RETURN_IF(__builtin_add_overflow(to->sums_int[t], add->sums_int[g],
                                                  &to->sums_int[t]),
                           FLOE_ERANGE, err, "SUM overflow: the sum in SUM(...) passes 128 bits");
    }
    return FLOE_OK;
}

/* Sets row t of `into` to group g of `from` (both flat forms of the layout, no entries), keys
 * aside: an overlay's whole state of a group replaces its state file's. */
static void put_group(floe_eng_group_state_flat *into, uint32_t t,
                      const floe_eng_group_state_flat *from, uint32_t g, const state_layout *layout)
{
    into->row_counts[t] = from->row_counts[g];
    for (uint32_t c = 0; c < layout->call_count; c++) {
        const call_columns *call = &layout->calls[c];
        if (call->count >= 0) into->calls[c].counts[t] = from->calls[c].counts[g];
        if (call->sum >= 0 && call->sum_double)
            into->calls[c].sums_double[t] = from->calls[c].sums_double[g];
        else if (call->sum >= 0)
            into->calls[c].sums_int[t] = from->calls[c].sums_int[g];
    }
}

/* Appends group g of `from` as a new row of `into` (which has room for it). */
static int append_group(floe_eng_group_state_flat *into, const floe_eng_group_state_flat *from,
                        uint32_t g, const state_layout *layout, floe_error *err)
{
    uint32_t t = into->group_count;
    for (uint32_t k = 0; k < into->key_count; k++)
        FLOE_TRY(copy_value(&into->keys[k], t, &from->keys[k], g, err));
    put_group(into, t, from, g, layout);
    into->group_count++;
    return FLOE_OK;
}

/* ---- a bucket's groups: its state file and its overlay ----------------------------------- */

/* Whether group g of a flat form (no entries) adds nothing: row count, counts and sums 0. */
static bool group_is_zero(const floe_eng_group_state_flat *flat, uint32_t g,
                          const state_layout *layout)
{
    if (flat->row_counts[g] != 0) return false;
    for (uint32_t c = 0; c < layout->call_count; c++) {
        const call_columns *call = &layout->calls[c];
        const floe_eng_aggregate_flat *values = &flat->calls[c];
        if (call->count >= 0 && values->counts[g] != 0) return false;
        if (call->sum >= 0 && call->sum_double && values->sums_double[g] != 0.0) return false;
        if (call->sum >= 0 && !call->sum_double && values->sums_int[g] != 0) return false;
    }
    return true;
}

/* Folds the overlay's groups into `flat` (its state file's rows, *base_rows of them, and room
 * for the overlay's): a group whose _floe_base_row names a row of the state file replaces that
 * row, whose key must be its own; the others (-1) are appended. marks[row] = 1 for every row
 * set. FLOE_ECORRUPT for a base row out of range, of another key, or named twice. */
static int fold_overlay(const run_state *run, const char *path,
                        const floe_eng_group_state_flat *overlay, const int64_t *bases,
                        floe_eng_group_state_flat *flat, uint32_t base_rows, uint8_t *marks,
                        floe_error *err)
{
    for (uint32_t g = 0; g < overlay->group_count; g++) {
        int64_t at = bases[g];
        uint32_t row = flat->group_count;
        if (at >= 0) {
            bool same = at < (int64_t)base_rows && !marks[at];
            for (uint32_t k = 0; same && k < flat->key_count; k++)
                same = values_equal(&flat->keys[k], (uint32_t)at, &overlay->keys[k], g);
            FLOE_RETURN_IF(!same, FLOE_ECORRUPT, err,
                           "%s: group row %u names row %" PRId64 " of the bucket's state file, "
                           "which holds another key (or is named twice)",
                           path, g, at);
            row = (uint32_t)at;
            put_group(flat, row, overlay, g, &run->layout);
        } else {
            FLOE_TRY(append_group(flat, overlay, g, &run->layout, err));
        }
        marks[row] = 1;
    }
    return FLOE_OK;
}

/* Drops the rows of count 0 (groups an overlay removed), keeping the others' order. */
static void drop_empty_rows(floe_eng_group_state_flat *flat, const state_layout *layout)
{
    uint32_t kept = 0;
    for (uint32_t r = 0; r < flat->group_count; r++) {
        if (flat->row_counts[r] == 0) continue;
        if (kept != r) {
            for (uint32_t k = 0; k < flat->key_count; k++) {
                floe_vector *key = &flat->keys[k];
                size_t width = floe_type_width(key->type); /* strings: their references */
                bool is_null = floe_vector_is_null(key, r);
                memcpy((char *)key->data + (size_t)kept * width,
                       (const char *)key->data + (size_t)r * width, width);
                if (is_null) {
                    floe_vector_set_null(key, kept);
                } else if (key->validity != NULL) {
                    floe_vector_set_valid(key, kept);
                }
            }
            put_group(flat, kept, flat, r, layout);
        }
        kept++;
    }
    flat->group_count = kept;
}

/* Reads bucket `bucket`'s groups into `flat` with room for `extra` more: its state file's rows
 * (*base_rows of them, in their places: row r of the file is row r here), then its overlay
 * folded in (state_store.h, "Overlays"). With `changed`, *changed receives a floe_calloc'd
 * array of a byte per row of room, 1 for each row the overlay set. Groups the overlay removed
 * stay as rows of count 0 when `keep_places` (nothing writes them out), else they are dropped.
 * Errors: read_state_file's (FLOE_ETYPE, FLOE_ECORRUPT, -ENOENT: unusable state, the caller's
 * fallback) for either file, fold_overlay's (FLOE_ECORRUPT), FLOE_ENOMEM. */
static int read_bucket_state(const run_state *run, const floe_eng_state_bucket *bucket,
                             uint32_t extra, bool keep_places, floe_eng_group_state_flat *flat,
                             uint32_t *base_rows, uint8_t **changed, floe_error *err)
{
    memset(flat, 0, sizeof *flat);
    *base_rows = 0;
    if (changed != NULL) *changed = NULL;
    floe_eng_group_state_flat overlay;
    memset(&overlay, 0, sizeof overlay);
    int64_t *overlay_bases = NULL;
    int status = FLOE_OK;
    if (bucket->has_overlay)
        status = read_state_file(bucket->overlay.state_path, &run->layout, 0, &overlay,
                                 &overlay_bases, err);
    uint32_t overlay_groups = overlay.group_count;
    if (status == FLOE_OK && overlay_groups >= UINT32_MAX - extra)
        status = floe_error_set(err, FLOE_ECORRUPT, "%s: too many rows",
                                bucket->overlay.state_path);
    if (status == FLOE_OK)
        status = read_state_file(bucket->state_path, &run->layout, extra + overlay_groups, flat,
                                 NULL, err);
    uint8_t *marks = NULL;
    if (status == FLOE_OK) {
        *base_rows = flat->group_count;
        marks = floe_calloc((size_t)flat->group_count + overlay_groups + extra + 1, 1);
        if (marks == NULL) status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    if (status == FLOE_OK && overlay_groups > 0)
        status = fold_overlay(run, bucket->overlay.state_path, &overlay, overlay_bases, flat,
                              *base_rows, marks, err);
    if (status == FLOE_OK && overlay_groups > 0 && !keep_places)
        drop_empty_rows(flat, &run->layout);
    floe_eng_group_state_flat_fini(&overlay);
    floe_free(overlay_bases);
    if (status != FLOE_OK) floe_eng_group_state_flat_fini(flat);
    if (status == FLOE_OK && changed != NULL) {
        *changed = marks;
    } else {
        floe_free(marks);
    }
    return status;
}

/* Whether a streamed bucket's changed groups go to a new overlay (state_store.h, "Overlays")
 * instead of a rewrite of its files: the table allows overlays (work->overlays: keyed, no
 * HAVING, so row r of a bucket's state file is row r of its output file), the bucket's files
 * are such a pair (as many state rows as output rows), and the groups the overlay would hold,
 * its old ones and D's, are at most 1 / OVERLAY_SHARE of the state file's. Past that a rewrite
 * costs little more than the overlay, and it compacts the overlay away. */
enum { OVERLAY_SHARE = 4 };

static bool choose_overlay(const part_work *work, const floe_eng_state_bucket *bucket,
                           const floe_eng_group_state_flat *file, uint32_t base_rows,
                           const uint8_t *changed)
{
    if (!work->overlays || bucket->state_path == NULL || bucket->output_path == NULL ||
        base_rows == 0 || bucket->state_rows != (int64_t)base_rows ||
        bucket->output_rows != (int64_t)base_rows)
        return false;
    uint64_t count = 0;
    for (uint32_t r = 0; r < file->group_count; r++) count += changed[r];
    return count * OVERLAY_SHARE <= base_rows;
}

/* A touched bucket streamed (above): its groups (state file and overlay), D's part folded in,
 * its files and changelog rows written: a new overlay when the overlay's groups are few
 * (choose_overlay), else the bucket's files whole. A file that is missing, unreadable or of
 * other types sets the part's fallback. */
static int part_stream(part_work *work, uint32_t index, floe_error *err)
{
    run_state *run = work->run;
    bucket_part *part = &run->parts[index];
    uint32_t b = part->bucket;
    const floe_eng_state_bucket *bucket = &work->set->buckets[b];
    floe_eng_group_state_flat delta_flat, file;
    memset(&file, 0, sizeof file);
    floe_eng_group_state *delta = NULL;
    bucketing kept;
    memset(&kept, 0, sizeof kept);
    output_chain chain;
    memset(&chain, 0, sizeof chain);
    floe_batch rows_batch;
    bool rows_ready = false, usable = true;
    uint8_t *changed = NULL; /* per row of `file`: set by the overlay or by D */
    uint32_t base_rows = 0;  /* rows of the state file, in their places in `file` */
    int status = delta_part_of(run, b, &delta_flat, err);
    if (status == FLOE_OK)
        status = floe_eng_group_state_create(run->key_types, run->key_count, run->specs,
                                             run->call_count, work->context, &delta, err);
    if (status == FLOE_OK) status = floe_eng_group_state_import(delta, &delta_flat, err);
    uint32_t delta_groups = delta_flat.group_count;
    if (status == FLOE_OK && bucket->state_path != NULL) {
        floe_error file_err;
        floe_error_clear(&file_err);
        status = read_bucket_state(run, bucket, delta_groups, true, &file, &base_rows,
                                   &changed, &file_err);
        if (status == FLOE_OK) {
            atomic_fetch_add(&work->files_read, bucket->has_overlay ? 2 : 1);
        } else if (status == FLOE_ECORRUPT || status == FLOE_ENOTFOUND ||
                   status == FLOE_ETYPE || status == -ENOENT) {
            floe_eng_incremental_fallback(part->fallback, "state of bucket %u unusable: %s", b,
                                          file_err.message);
            usable = false;
            status = FLOE_OK;
        } else if (err != NULL) {
            *err = file_err;
        }
    } else if (status == FLOE_OK) {
        status = flat_alloc(&file, &run->layout, delta_groups + 1, err);
        changed = floe_calloc((size_t)delta_groups + 1, 1);
        if (status == FLOE_OK && changed == NULL)
            status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    changelog *log = &run->logs[index];
    if (status == FLOE_OK && usable)
        status = changelog_init(log, delta, run->key_count, work->root, run->aggregate,
                                work->refresh_number, err);
    if (status == FLOE_OK && usable) {
        for (uint32_t g = 0; g < delta_groups; g++) log->targets[g] = UINT32_MAX;
        log->flat = &file;
        floe_error file_err;
        floe_error_clear(&file_err);
        status = match_file_groups(delta, &file, log->targets, &file_err);
        if (status == FLOE_ECORRUPT) {
            floe_eng_incremental_fallback(part->fallback, "state of bucket %u unusable: %s: %s",
                                          b, bucket->state_path, file_err.message);
            usable = false;
            status = FLOE_OK;
        } else if (status != FLOE_OK && err != NULL) {
            *err = file_err;
        }
    }
    if (status == FLOE_OK && usable) status = changelog_collect_old(log, delta, err);
    for (uint32_t g = 0; status == FLOE_OK && usable && g < delta_groups; g++) {
        if (log->targets[g] != UINT32_MAX) {
            status = add_group(&file, log->targets[g], &delta_flat, g, &run->layout, err);
        } else {
            log->targets[g] = file.group_count;
            status = append_group(&file, &delta_flat, g, &run->layout, err);
        }
        /* A copy-on-write rewrite of a source file retracts and re-adds rows whose groups
         * then come out unchanged: they are not the overlay's. */
        if (!group_is_zero(&delta_flat, g, &run->layout)) changed[log->targets[g]] = 1;
    }
    if (status == FLOE_OK && usable) status = changelog_new_rows(log, delta, err);
    log->flat = NULL; /* the arrays go below */
    bool overlay = status == FLOE_OK && usable &&
                   choose_overlay(work, bucket, &file, base_rows, changed);
    /* What is written: for an overlay, its groups (a removed group of the state file as a row
     * of count 0, to hide it); else the groups left with rows (remove_empty_groups' rule). Both
     * in row order. */
    if (status == FLOE_OK && usable) {
        kept.bucket_count = 1;
        kept.group_order = floe_malloc(((size_t)file.group_count + 1) * sizeof(uint32_t));
        kept.group_offsets = floe_calloc(2, sizeof(uint32_t));
        if (kept.group_order == NULL || kept.group_offsets == NULL)
            status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    if (status == FLOE_OK && usable) {
        uint32_t count = 0;
        for (uint32_t r = 0; r < file.group_count; r++)
            if (overlay ? changed[r] && (file.row_counts[r] != 0 || r < base_rows)
                        : file.row_counts[r] != 0)
                kept.group_order[count++] = r;
        kept.group_offsets[1] = count;
        /* An overlay left with no group (D's new groups all emptied again) writes nothing: the
         * bucket is its files alone. */
        part->files.overlay = overlay;
    }
    if (status == FLOE_OK && usable && kept.group_offsets[1] > 0) {
        status = write_state_file(work->directory, &run->layout, &file, &kept, 0,
                                  part->files.overlay ? base_rows : 0,
                                  &part->files.state_path, &part->files.state_rows, err);
        if (status == FLOE_OK)
            status = chain_init(&chain, work->root, run->aggregate, work->refresh_number, err);
        if (status == FLOE_OK) {
            status = floe_batch_init(&rows_batch, floe_eng_group_state_column_count(delta),
                                     floe_eng_group_state_column_types(delta), err);
            rows_ready = status == FLOE_OK;
        }
        if (status == FLOE_OK)
            status = write_output_file(work->directory, work->schema, &chain, delta, &file,
                                       &kept, 0, &rows_batch, &part->files.output,
                                       &part->files.output_rows, err);
        if (status == FLOE_OK && part->files.overlay)
            status = write_deletes_file(work->directory, bucket->output_path, changed,
                                        base_rows, &part->files.deletes,
                                        &part->files.deleted_rows, err);
    }
    if (rows_ready) floe_batch_fini(&rows_batch);
    chain_fini(&chain);
    bucketing_fini(&kept, run->call_count);
    floe_free(changed);
    floe_eng_group_state_flat_fini(&file);
    floe_eng_group_state_flat_fini(&delta_flat);
    floe_eng_group_state_free(delta);
    return status;
}

/* An incremental refresh of a keyed aggregate, bucket by bucket (above). On return either
 * *written (every touched bucket's files written and set in `set`, the changelog's rows
 * ready in run->logs) or, when the table has grown, S holds the whole table, every bucket is
 * marked touched, and *regrown says whether `set` must be replaced by one of *bucket_count
 * buckets. */
static int refresh_by_bucket(floe_eng_incremental *inc, run_state *run,
                             floe_eng_context *context, const floe_ice_table *table,
                             const floe_sql_plan *root, floe_eng_state_set *set,
                             uint8_t *touched, int64_t refresh_number, bool *written,
                             bool *regrown, uint32_t *bucket_count, char *fallback,
                             floe_error *err)
{
    *written = false;
    *regrown = false;
    *bucket_count = set->bucket_count;
    FLOE_TRY(floe_eng_group_state_export(run->delta, &run->delta_flat, err));
    uint32_t groups = run->delta_flat.group_count;
    run->delta_buckets = floe_malloc(((size_t)groups + 1) * sizeof *run->delta_buckets);
    FLOE_RETURN_IF(run->delta_buckets == NULL, FLOE_ENOMEM, err, "out of memory");
    for (uint32_t g = 0; g < groups; g++) {
        run->delta_buckets[g] =
            floe_eng_state_bucket_of(run->delta_flat.hashes[g], set->bucket_count);
        touched[run->delta_buckets[g]] = 1;
    }
    FLOE_TRY(sort_by_bucket(run->delta_buckets, groups, set->bucket_count, &run->delta_order,
                            &run->delta_offsets, err));
    uint32_t part_count = 0;
    for (uint32_t b = 0; b < set->bucket_count; b++) part_count += touched[b];
    run->parts = floe_calloc((size_t)part_count + 1, sizeof *run->parts);
    run->logs = floe_calloc((size_t)part_count + 1, sizeof *run->logs);
    FLOE_RETURN_IF(run->parts == NULL || run->logs == NULL, FLOE_ENOMEM, err, "out of memory");
    for (uint32_t b = 0; b < set->bucket_count; b++)
        if (touched[b]) run->parts[run->part_count++].bucket = b;

    output_schema schema;
    int status = output_schema_init(&schema, table, err);
    if (status != FLOE_OK) {
        floe_free(schema.columns);
        return status;
    }
    run->stream = streams(run, set);
    part_work work = {.run = run, .context = context, .set = set, .root = root,
                      .schema = &schema, .directory = inc->directory,
                      .refresh_number = refresh_number,
                      .step = run->stream ? part_stream : part_load,
                      .overlays = run->stream && run->key_count > 0 &&
                                  !chain_filters(root, run->aggregate)};
    atomic_init(&work.files_read, 0);
    /* A streamed part's log is complete when the part is: the changelog file takes the logs
     * in order as they complete, on whichever thread finishes one, instead of on one thread
     * after every bucket is written. */
    bool interleave = run->stream && context->thread_count > 1 && run->part_count > 1;
    if (interleave) {
        work.log_done = floe_calloc(run->part_count, sizeof *work.log_done);
        status = work.log_done == NULL ? floe_error_set(err, FLOE_ENOMEM, "out of memory")
                                       : changelog_file_open(&run->changes_file,
                                                             root->output.column_count, inc,
                                                             &schema, err);
        if (status == FLOE_OK && pthread_mutex_init(&work.changelog_lock, NULL) != 0)
            status = floe_error_set(err, FLOE_ENOMEM, "changelog: no mutex");
        if (status != FLOE_OK) {
            floe_free(work.log_done);
            floe_free(schema.columns);
            return status;
        }
        for (uint32_t i = 0; i < run->part_count; i++) atomic_init(&work.log_done[i], false);
    }
    status = run_parts(&work, context->thread_count, fallback, err);
    if (interleave) {
        pthread_mutex_destroy(&work.changelog_lock);
        floe_free(work.log_done);
    }
    inc->counts.state_files_read += atomic_load(&work.files_read);
    uint64_t merged_groups = 0;
    for (uint32_t i = 0; i < run->part_count; i++)
        if (run->parts[i].state != NULL)
            merged_groups += floe_eng_group_state_group_count(run->parts[i].state);
    bool grows = set->bucket_count < FLOE_ENG_STATE_MAX_BUCKETS && run->part_count > 0 &&
                 merged_groups * set->bucket_count / run->part_count >
                     2 * (uint64_t)set->bucket_count * GROUPS_PER_BUCKET;
    if (status == FLOE_OK && fallback[0] == '\0' && grows) {
        /* Growth. B is chosen at the rebuild; when the touched buckets show the table has
         * grown past twice GROUPS_PER_BUCKET groups a bucket on average, every other bucket is
         * loaded too and the state is re-bucketed at the new B: one refresh rewrites
         * everything (state, not sources), as a growing array doubles, so refreshes stay
         * proportional to the change on average. */
        status = floe_eng_group_state_create(run->key_types, run->key_count, run->specs,
                                             run->call_count, context, &run->state, err);
        for (uint32_t i = 0; status == FLOE_OK && i < run->part_count; i++) {
            status = floe_eng_group_state_merge(run->state, run->parts[i].state, err);
            floe_eng_group_state_free(run->parts[i].state);
            run->parts[i].state = NULL;
        }
        for (uint32_t b = 0; b < set->bucket_count; b++) touched[b] = !touched[b];
        if (status == FLOE_OK) status = load_buckets(inc, run, context, set, touched, fallback,
                                                     err);
        memset(touched, 1, set->bucket_count);
        if (status == FLOE_OK && fallback[0] == '\0')
            status = floe_eng_group_state_remove_empty_groups(run->state, err);
        if (status == FLOE_OK && fallback[0] == '\0') {
            *bucket_count = bucket_count_for(floe_eng_group_state_group_count(run->state));
            *regrown = *bucket_count > set->bucket_count;
        }
        floe_free(schema.columns);
        return status;
    }
    if (status == FLOE_OK && fallback[0] == '\0' && !run->stream) {
        work.step = part_write;
        status = run_parts(&work, context->thread_count, fallback, err);
    }
    for (uint32_t i = 0; status == FLOE_OK && fallback[0] == '\0' && i < run->part_count; i++) {
        bucket_part *part = &run->parts[i];
        uint32_t b = part->bucket;
        inc->counts.buckets_touched++;
        status = remove_bucket_outputs(inc, &set->buckets[b], !part->files.overlay, err);
        bucket_job *job = &part->files;
        if (status == FLOE_OK && job->overlay) {
            floe_eng_state_overlay overlay = {job->state_path,  job->state_rows,
                                              job->output.path, job->output_rows,
                                              job->deletes.path, job->deleted_rows};
            status = floe_eng_state_set_overlay(set, b, job->state_path != NULL ? &overlay : NULL,
                                                err);
        } else if (status == FLOE_OK) {
            status = floe_eng_state_set_bucket(set, b, job->state_path, job->state_rows,
                                               job->output.path, job->output_rows, err);
        }
        inc->counts.rows_written += part->files.output_rows;
        int adopted = adopt_job_files(inc, &part->files, err);
        if (status == FLOE_OK) status = adopted;
    }
    floe_free(schema.columns);
    *written = status == FLOE_OK && fallback[0] == '\0';
    return status;
}

/* Bytes of every state file the manifest names (status' state_bytes). */
static int64_t state_bytes_of(const floe_eng_state_manifest *manifest)
{
    int64_t total = 0;
    for (uint32_t s = 0; s < manifest->set_count; s++)
        for (uint32_t b = 0; b < manifest->sets[s].bucket_count; b++) {
            const floe_eng_state_bucket *bucket = &manifest->sets[s].buckets[b];
            const char *paths[2] = {bucket->state_path,
                                    bucket->has_overlay ? bucket->overlay.state_path : NULL};
            for (int i = 0; i < 2; i++) {
                struct stat info;
                if (paths[i] != NULL && stat(paths[i], &info) == 0)
                    total += (int64_t)info.st_size;
            }
        }
    return total;
}

/* The body of floe_eng_incremental_run once inc and run exist. */
static int run_refresh(floe_eng_database *db, floe_eng_incremental *inc, run_state *run,
                       floe_eng_context *context, const floe_ice_table *table,
                       const floe_sql_plan *plan, const floe_eng_incremental_source *sources,
                       uint32_t source_count, const char *previous_manifest,
                       int64_t refresh_number, char *fallback, floe_error *err)
{
    const floe_sql_plan *aggregate = aggregate_of(plan);
    const floe_eng_state_set *old_set = NULL;
    if (previous_manifest != NULL) {
        floe_error manifest_err;
        floe_error_clear(&manifest_err);
        int status = floe_eng_state_manifest_read(previous_manifest, &run->previous,
                                                  &manifest_err);
        if (status == FLOE_ENOMEM) return floe_error_set(err, status, "%s", manifest_err.message);
        if (status != FLOE_OK) {
            floe_eng_incremental_fallback(fallback, "state manifest unusable: %s",
                     manifest_err.message);
            return FLOE_OK;
        }
        old_set = floe_eng_state_manifest_find_set(&run->previous, FLOE_ENG_STATE_SET_AGGREGATE);
        if (old_set == NULL ||
            old_set->key_column_count != aggregate->u.aggregate.group_count) {
            floe_eng_incremental_fallback(fallback,
                     "state manifest %s has no aggregate state of %u key columns",
                     previous_manifest, aggregate->u.aggregate.group_count);
            return FLOE_OK;
        }
        for (uint32_t i = 0; i < source_count; i++) {
            bool found = false;
            FLOE_TRY(floe_eng_incremental_in_history(db, sources[i].identity, sources[i].from_snapshot_id, &found,
                                err));
            if (!found) {
                floe_eng_incremental_fallback(fallback,
                         "snapshot %" PRId64 " of %s, read by the last refresh, is no longer in "
                         "its history",
                         sources[i].from_snapshot_id, sources[i].identity);
                return FLOE_OK;
            }
        }
    }
    FLOE_TRY(run_init(run, aggregate, context, err));
    floe_eng_operator *input = NULL;
    floe_error read_err;
    floe_error_clear(&read_err);
    floe_eng_delta_source *versions = floe_calloc(source_count + 1, sizeof *versions);
    FLOE_RETURN_IF(versions == NULL, FLOE_ENOMEM, err, "out of memory");
    for (uint32_t i = 0; i < source_count; i++) {
        versions[i] = sources[i];
        if (previous_manifest == NULL) versions[i].from_snapshot_id = -1; /* a rebuild */
    }
    uint32_t partitions = 1;
    int status = floe_eng_incremental_drain_partitions(db, aggregate->inputs[0], versions,
                                                       source_count, context->thread_count,
                                                       &partitions, &read_err);
    if (status == FLOE_OK && partitions > 1) {
        status = drain_partitions(run, context, aggregate->inputs[0], versions, source_count,
                                  partitions, &read_err);
    } else if (status == FLOE_OK) {
        drainer drain;
        memset(&drain, 0, sizeof drain);
        status = floe_eng_delta_compile(aggregate->inputs[0], versions, source_count, context,
                                        &input, &read_err);
        if (status == FLOE_OK) status = drainer_init(&drain, run, &read_err);
        if (status == FLOE_OK) status = drain_delta(run, &drain, input, run->delta, &read_err);
        drainer_fini(&drain);
        floe_eng_operator_destroy(input);
    }
    floe_free(versions);
    inc->counts.rows_read = (int64_t)atomic_load(&context->rows_read);
    inc->counts.files_read = (int64_t)atomic_load(&context->files_read);
    inc->counts.bytes_read = (int64_t)atomic_load(&context->bytes_read);
    if (status == FLOE_ENOTFOUND && previous_manifest != NULL) {
        /* The change reader could not walk from the consumed snapshot (expired meanwhile). */
        floe_eng_incremental_fallback(fallback, "the sources' changes are unreadable: %s",
                 read_err.message);
        return FLOE_OK;
    }
    if (status != FLOE_OK) {
        if (err != NULL) *err = read_err;
        return status;
    }

    floe_eng_state_set *set = NULL;
    uint8_t *touched = NULL;
    bool written = false; /* refresh_by_bucket wrote every file */
    if (old_set != NULL) {
        FLOE_TRY(floe_eng_state_manifest_copy(&run->previous, &inc->manifest, err));
        set = floe_eng_state_manifest_find_set(&inc->manifest, FLOE_ENG_STATE_SET_AGGREGATE);
        touched = floe_calloc(set->bucket_count, 1);
        FLOE_RETURN_IF(touched == NULL, FLOE_ENOMEM, err, "out of memory");
        bool regrown = false;
        uint32_t grown_count = set->bucket_count;
        if (run->key_count > 0) {
            status = refresh_by_bucket(inc, run, context, table, plan, set, touched,
                                       refresh_number, &written, &regrown, &grown_count,
                                       fallback, err);
        } else {
            /* A keyless table has one bucket, its one group's (hash 0). */
            touched[0] = 1;
            status = changelog_init(&run->changes, run->delta, run->key_count, plan, aggregate,
                                    refresh_number, err);
            if (status == FLOE_OK)
                status = load_buckets(inc, run, context, set, touched, fallback, err);
            if (status == FLOE_OK && fallback[0] == '\0')
                status = changelog_merge(&run->changes, run->state, run->delta, err);
        }
        if (status == FLOE_OK && fallback[0] == '\0' && regrown) {
            /* Every old output file goes; the new set starts empty with the new count. */
            for (uint32_t b = 0; status == FLOE_OK && b < set->bucket_count; b++)
                status = remove_bucket_outputs(inc, &set->buckets[b], true, err);
            floe_free(touched);
            touched = NULL;
            floe_eng_state_manifest_fini(&inc->manifest);
            floe_eng_state_manifest_init(&inc->manifest);
            if (status == FLOE_OK)
                status = floe_eng_state_manifest_add_set(&inc->manifest,
                                                         FLOE_ENG_STATE_SET_AGGREGATE,
                                                         grown_count, run->key_count, &set, err);
        }
        if (status != FLOE_OK || fallback[0] != '\0') {
            floe_free(touched);
            return status;
        }
    } else {
        FLOE_TRY(floe_eng_group_state_remove_empty_groups(run->delta, err));
        run->state = run->delta;
        uint32_t groups = floe_eng_group_state_group_count(run->delta);
        FLOE_TRY(floe_eng_state_manifest_add_set(&inc->manifest, FLOE_ENG_STATE_SET_AGGREGATE,
                                                 run->key_count > 0 ? bucket_count_for(groups)
                                                                    : 1,
                                                 run->key_count, &set, err));
    }
    inc->manifest.refresh_number = refresh_number;
    inc->counts.bucket_count = set->bucket_count;
    if (!written)
        status = write_buckets(inc, run, table, plan, refresh_number, set, touched,
                               context->thread_count, err);
    floe_free(touched);
    FLOE_TRY(status);
    if (run->changes.active || run->logs != NULL) {
        /* The rows are ready: changelog_merge collected them when D was merged. */
        output_schema schema;
        status = output_schema_init(&schema, table, err);
        if (status == FLOE_OK && run->logs != NULL)
            status = changelog_write_file(&run->changes_file, run->logs, run->part_count,
                                          plan->output.column_count, inc, &schema, err);
        else if (status == FLOE_OK)
            status = changelog_write_file(&run->changes_file, &run->changes, 1,
                                          plan->output.column_count, inc, &schema, err);
        floe_free(schema.columns);
        FLOE_TRY(status);
    }
    inc->counts.state_bytes = state_bytes_of(&inc->manifest);
    return floe_eng_state_manifest_write(inc->directory, &inc->manifest, &inc->manifest_path,
                                         err);
}

int floe_eng_incremental_run(floe_eng_database *db, const floe_ice_table *table,
                             const floe_sql_plan *plan, const floe_eng_incremental_source *sources,
                             uint32_t source_count, const char *previous_manifest,
                             int64_t refresh_number, floe_eng_incremental **out, char *fallback,
                             floe_error *err)
{
    *out = NULL;
    fallback[0] = '\0';
    write_options_init();
    const char *construct = NULL;
    FLOE_RETURN_IF(!floe_eng_incremental_shape(plan, &construct), FLOE_EINVAL, err,
                   "incremental maintenance of %s is not built yet", construct);
    const floe_ice_schema *schema = floe_ice_current_schema(table->metadata);
    FLOE_RETURN_IF(schema == NULL, FLOE_ECORRUPT, err, "%s: no current schema", table->directory);
    floe_eng_incremental *inc = floe_calloc(1, sizeof *inc);
    FLOE_RETURN_IF(inc == NULL, FLOE_ENOMEM, err, "out of memory");
    floe_eng_state_manifest_init(&inc->manifest);
    inc->schema_id = schema->schema_id;
    inc->directory = floe_eng_incremental_copy_text(table->directory);
    if (inc->directory == NULL) {
        floe_eng_incremental_free(inc);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    int status;
    if (aggregate_of(plan) == NULL) {
        status = floe_eng_incremental_rows_run(db, inc, table, plan, sources, source_count,
                                               previous_manifest, refresh_number, fallback, err);
    } else {
        run_state run = {0};
        floe_eng_state_manifest_init(&run.previous);
        floe_eng_context context;
        floe_eng_database_context_init(db, &context);
        status = run_refresh(db, inc, &run, &context, table, plan, sources, source_count,
                             previous_manifest, refresh_number, fallback, err);
        run_fini(&run);
        floe_eng_context_fini(&context);
    }
    if (status != FLOE_OK || fallback[0] != '\0') {
        floe_eng_incremental_free(inc);
        return status;
    }
    *out = inc;
    return FLOE_OK;
}

/* Makes every file this refresh wrote durable before the commit names them. The workers that
 * wrote them only started their writeback (floe_io_start_writeback) and went on: a refresh that
 * rewrites a million groups' 33 files no longer waits on each fsync in turn, and by now most of
 * the bytes are on the device. */
static int sync_written_files(floe_eng_incremental *inc, floe_error *err)
{
    size_t count = inc->state_count + inc->output_count + 1;
    const char **paths = floe_calloc(count, sizeof *paths);
    FLOE_RETURN_IF(paths == NULL, FLOE_ENOMEM, err, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < inc->state_count; i++) paths[n++] = inc->state_paths[i];
    for (size_t i = 0; i < inc->output_count; i++)
        if (inc->outputs[i].path != NULL) paths[n++] = inc->outputs[i].path;
    if (inc->changelog_path != NULL) paths[n++] = inc->changelog_path;
    int status = floe_io_fsync_files(paths, n, err);
    floe_free(paths);
    return status;
}

int floe_eng_incremental_commit(floe_eng_incremental *inc, const char *const *also_removed,
                                size_t also_removed_count, const floe_ice_property *summary,
                                size_t summary_count, int64_t expected_snapshot_id,
                                floe_error *err)
{
    FLOE_RETURN_IF(inc->committed, FLOE_EINVAL, err, "%s: refresh committed twice",
                   inc->directory);
    FLOE_TRY(sync_written_files(inc, err));
    size_t removed_count = inc->removed_count + also_removed_count;
    const char **removed = floe_calloc(removed_count + 1, sizeof *removed);
    floe_ice_data_file *added = floe_calloc(inc->output_count + 1, sizeof *added);
    int status = FLOE_OK;
    if (removed == NULL || added == NULL) {
        status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    } else {
        for (size_t i = 0; i < inc->removed_count; i++) removed[i] = inc->removed[i];
        for (size_t i = 0; i < also_removed_count; i++)
            removed[inc->removed_count + i] = also_removed[i];
        for (size_t i = 0; i < inc->output_count; i++) added[i] = inc->outputs[i].entry.data;
        floe_ice_commit_request request = {0};
        request.operation = "overwrite";
        request.added_files = added;
        request.added_count = inc->output_count;
        request.removed_paths = removed;
        request.removed_count = removed_count;
        request.summary = summary;
        request.summary_count = summary_count;
        request.expected_schema_id = inc->schema_id;
        request.expected_snapshot_id = expected_snapshot_id;
        status = floe_ice_commit(inc->directory, &request, NULL, err);
    }
    if (status == FLOE_OK) inc->committed = true;
    floe_free(removed);
    floe_free(added);
    return status;
}
