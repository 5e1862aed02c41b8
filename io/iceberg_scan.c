/*
 * iceberg_scan.c — reading a snapshot's rows: the Parquet reader per data file, columns matched
 * to the table's schema by field id, promotions, and position / equality deletes applied
 * (contract in iceberg_scan.h).
 *
 * Why a "file cursor" does the column matching for data files AND equality delete files: an
 * equality delete compares values in the table's types, so delete rows must be read through the
 * very same id matching and promotions as data rows, or an int delete key would never equal a
 * long data value after a promotion. Position delete files have a fixed schema (file_path, pos)
 * and are read by name.
 *
 * Why views: a column the file stores in the table's type is handed to the caller as a view into
 * the Parquet reader's vector (no copy); only promoted columns are converted into storage of the
 * cursor's own, and missing columns get an all-NULL validity of their own.
 *
 * Why the cursor tracks row group starts: position deletes name rows by their position in the
 * whole file, so when statistics skip row groups, each batch's first position is taken from the
 * start of the row group it came from (batches never span row groups), not counted from 0.
 *
 * Why one "read item" type serves both modes: a snapshot scan and a change are both a list of
 * data files, each with the delete files that apply to it, tagged with the SIDES (the snapshot
 * `to`, the snapshot `from`) at which each applies. A row's weight then follows from which
 * sides delete it (row_weight), so deletes are loaded, matched and probed by one code path,
 * and a delete file that applies at both sides is loaded once and probed once per row.
 */
#include "io/iceberg_scan.h"

#include "io/iceberg_locate.h" /* floe_ice_resolve_path: changelog paths */
#include "io/parquet_footer.h"
#include "io/parquet_reader.h"
#include "kernels/arena.h"
#include "kernels/memory.h"
#include "kernels/value_text.h" /* floe_text: key buffer */

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Iceberg's reserved field ids of the position delete schema (spec, "Position Delete Files"). */
enum { FIELD_ID_FILE_PATH = 2147483546, FIELD_ID_POS = 2147483545 };

/* ---- file cursor: a Parquet file read as a list of table fields ---------------------------- */

typedef enum source_kind {
    SOURCE_NULL = 0,  /* the file lacks the column */
    SOURCE_VIEW,      /* same storage: a view into the reader's vector */
    SOURCE_CONVERT,   /* promotion into the cursor's own storage */
    SOURCE_CONSTANT,  /* missing, but an identity partition value (a migrated Hive table) */
} source_kind;

typedef struct column_source {
    source_kind kind;
    uint32_t reader_column;   /* index in the reader's projection */
    floe_type file_type;
    floe_ice_value constant;  /* SOURCE_CONSTANT: the partition value (never NULL) */
    floe_type constant_type;  /* its type in the manifest's partition tuple */
} column_source;

typedef struct file_cursor {
    const char *path;
    floe_pq_reader *reader;
    floe_batch file_batch;
    uint32_t field_count;
    floe_type *types;          /* table types, field_count */
    column_source *sources;
    floe_vector *vectors;      /* field_count, table types: conversion and NULL storage */
    uint32_t row_count;        /* rows of the current batch */
    int64_t position;          /* file row position of the current batch's first row */
    int64_t next_position;
    /* When statistics ruled some row groups out: the row groups read, in order, and the file
     * position of every row group's first row, so positions stay those of the whole file. */
    uint32_t *selected_groups; /* NULL: every row group, in order */
    uint32_t selected_group_count;
    uint32_t selected_group_next;
    int64_t *group_starts;     /* row_group_count entries */
    int64_t group_rows_left;   /* rows of the current row group still to come */
} file_cursor;

static void file_cursor_fini(file_cursor *cursor)
{
    if (cursor->file_batch.columns != NULL) floe_batch_fini(&cursor->file_batch);
    floe_pq_reader_free(cursor->reader);
    if (cursor->vectors != NULL) {
        for (uint32_t i = 0; i < cursor->field_count; i++) floe_vector_fini(&cursor->vectors[i]);
    }
    floe_free(cursor->vectors);
    floe_free(cursor->sources);
    floe_free(cursor->types);
    floe_free(cursor->selected_groups);
    floe_free(cursor->group_starts);
    memset(cursor, 0, sizeof *cursor);
}

/* How a file type is read as a table type: SOURCE_VIEW, SOURCE_CONVERT, or -1 (no fit). */
static int type_fit(floe_type file, floe_type table)
{
    if (floe_type_equal(file, table)) return SOURCE_VIEW;
    int file_ts = file.id == FLOE_TYPE_TIMESTAMP || file.id == FLOE_TYPE_TIMESTAMPTZ;
    int table_ts = table.id == FLOE_TYPE_TIMESTAMP || table.id == FLOE_TYPE_TIMESTAMPTZ;
    if (file_ts && table_ts) return SOURCE_VIEW;
    if (floe_type_is_variable_width(file) && floe_type_is_variable_width(table))
        return SOURCE_VIEW;
    if (file.id == FLOE_TYPE_INT32 && table.id == FLOE_TYPE_INT64) return SOURCE_CONVERT;
    if (file.id == FLOE_TYPE_FLOAT32 && table.id == FLOE_TYPE_FLOAT64) return SOURCE_CONVERT;
    if (file.id == FLOE_TYPE_DECIMAL && table.id == FLOE_TYPE_DECIMAL &&
        file.scale == table.scale && file.precision <= table.precision) {
        return floe_type_width(file) == floe_type_width(table) ? SOURCE_VIEW : SOURCE_CONVERT;
    }
    return -1;
}

static int is_top_level(const floe_pq_column *column)
{
    return column->max_repetition_level == 0 && strchr(column->path, '.') == NULL;
}

/* The leaf of `footer` holding table field `field`, or -1. See the header for the rules. */
static int find_leaf(const floe_pq_file_metadata *footer, const floe_ice_table_metadata *metadata,
                     const floe_ice_field *field)
{
    int has_ids = 0;
    for (uint32_t i = 0; i < footer->column_count; i++)
        if (footer->columns[i].has_field_id) has_ids = 1;
    for (uint32_t i = 0; i < footer->column_count; i++) {
        const floe_pq_column *column = &footer->columns[i];
        if (!is_top_level(column)) continue;
        if (has_ids) {
            if (column->has_field_id && column->field_id == field->id) return (int)i;
        } else if (metadata->name_mapping_count > 0) {
            if (floe_ice_name_mapping_lookup(metadata, column->name) == field->id) return (int)i;
        } else if (strcmp(column->name, field->name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* A column missing from a data file reads as its identity partition value when the file's
 * partition holds one (spec, "Column Projection", rule 1: metadata-only Hive migrations). */
static void partition_constant(column_source *source, const floe_ice_table_metadata *metadata,
                               const floe_ice_scan_file *data_file, const floe_ice_field *field)
{
    const floe_ice_partition_spec *spec = floe_ice_partition_spec_by_id(metadata,
                                                                         data_file->spec_id);
    const floe_ice_manifest *manifest = data_file->manifest;
    if (spec == NULL || manifest == NULL || data_file->file->partition == NULL) return;
    for (size_t f = 0; f < spec->field_count; f++) {
        const floe_ice_partition_field *partition = &spec->fields[f];
        if (partition->source_id != field->id ||
            partition->transform != FLOE_ICE_TRANSFORM_IDENTITY)
            continue;
        for (size_t j = 0; j < manifest->partition_field_count; j++) {
            const floe_ice_manifest_partition_field *tuple = &manifest->partition_fields[j];
            if (tuple->field_id != partition->field_id &&
                !(tuple->field_id < 0 && strcmp(tuple->name, partition->name) == 0))
                continue;
            const floe_ice_value *value = &data_file->file->partition[j];
            if (value->is_null) return;
            source->kind = SOURCE_CONSTANT;
            source->constant = *value;
            source->constant_type = tuple->type;
            return;
        }
    }
}

/* Fills `rows` rows of `out` with a partition constant. */
static int fill_constant(floe_vector *out, const column_source *source, uint32_t rows,
                         floe_error *err)
{
    const floe_ice_value *value = &source->constant;
    floe_type from = source->constant_type;
    for (uint32_t r = 0; r < rows; r++) {
        switch (out->type.id) {
        case FLOE_TYPE_BOOLEAN: ((uint8_t *)out->data)[r] = value->as.boolean ? 1 : 0; break;
        case FLOE_TYPE_INT32:
        case FLOE_TYPE_DATE: ((int32_t *)out->data)[r] = value->as.i32; break;
        case FLOE_TYPE_FLOAT32: ((float *)out->data)[r] = value->as.f32; break;
        case FLOE_TYPE_FLOAT64:
            ((double *)out->data)[r] = from.id == FLOE_TYPE_FLOAT32 ? value->as.f32 : value->as.f64;
            break;
        case FLOE_TYPE_STRING:
        case FLOE_TYPE_BINARY:
            FLOE_TRY(floe_vector_set_string(out, r, value->as.bytes.data,
                                            (uint32_t)value->as.bytes.size, err));
            break;
        case FLOE_TYPE_DECIMAL:
            if (floe_type_width(out->type) == 16) {
                ((floe_int128 *)out->data)[r] = floe_type_width(from) == 16 ? value->as.i128
                                                                           : value->as.i64;
                break;
            }
            ((int64_t *)out->data)[r] = value->as.i64;
            break;
        default: /* INT64, TIMESTAMP(TZ) */
            ((int64_t *)out->data)[r] = (from.id == FLOE_TYPE_INT32 || from.id == FLOE_TYPE_DATE)
                                            ? value->as.i32
                                            : value->as.i64;
            break;
        }
    }
    return FLOE_OK;
}

/* ---- row group statistics ------------------------------------------------------------------ */

/* A statistics bound the file stores as `stored`, as a value of `type` (equal or promoted). */
static floe_ice_value bound_value(const floe_pq_bound *bound, floe_type stored, floe_type type)
{
    floe_ice_value value;
    memset(&value, 0, sizeof value);
    switch (type.id) {
    case FLOE_TYPE_BOOLEAN: value.as.boolean = bound->value.boolean; break;
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_DATE: value.as.i32 = bound->value.i32; break;
    case FLOE_TYPE_FLOAT32: value.as.f32 = bound->value.f32; break;
    case FLOE_TYPE_FLOAT64:
        value.as.f64 = stored.id == FLOE_TYPE_FLOAT32 ? bound->value.f32 : bound->value.f64;
        break;
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY: value.as.bytes = (floe_ice_bytes){bound->bytes, bound->size}; break;
    case FLOE_TYPE_DECIMAL:
        if (floe_type_width(type) == 16)
            value.as.i128 = floe_type_width(stored) == 16 ? bound->value.i128 : bound->value.i64;
        else
            value.as.i64 = bound->value.i64;
        break;
    default: /* INT64, TIMESTAMP, TIMESTAMPTZ */
        value.as.i64 = stored.id == FLOE_TYPE_INT32 ? bound->value.i32 : bound->value.i64;
        break;
    }
    return value;
}

#define ORDER(a, b) ((a) < (b) ? -1 : (a) > (b))

/* -1, 0 or 1 as left <, =, > right in `type`; 2 when they do not compare (a NaN). */
static int compare_values(floe_type type, const floe_ice_value *left, const floe_ice_value *right)
{
    switch (type.id) {
    case FLOE_TYPE_BOOLEAN: return ORDER(left->as.boolean != 0, right->as.boolean != 0);
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_DATE: return ORDER(left->as.i32, right->as.i32);
    case FLOE_TYPE_FLOAT32:
        if (left->as.f32 != left->as.f32 || right->as.f32 != right->as.f32) return 2;
        return ORDER(left->as.f32, right->as.f32);
    case FLOE_TYPE_FLOAT64:
        if (left->as.f64 != left->as.f64 || right->as.f64 != right->as.f64) return 2;
        return ORDER(left->as.f64, right->as.f64);
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY: {
        size_t a = left->as.bytes.size, b = right->as.bytes.size;
        int order = a < b ? (a ? memcmp(left->as.bytes.data, right->as.bytes.data, a) : 0)
                          : (b ? memcmp(left->as.bytes.data, right->as.bytes.data, b) : 0);
        if (order != 0) return order < 0 ? -1 : 1;
        return ORDER(a, b);
    }
    case FLOE_TYPE_DECIMAL:
        if (floe_type_width(type) == 16) return ORDER(left->as.i128, right->as.i128);
        return ORDER(left->as.i64, right->as.i64);
    default: return ORDER(left->as.i64, right->as.i64);
    }
}

#undef ORDER

/* Whether a NaN value (missing from min/max statistics) would pass `column op literal`: the
 * engine orders floats totally, NaN above +inf, so NaN passes > and >=. */
static int nan_may_pass(floe_type type, floe_ice_predicate_op op)
{
    return (type.id == FLOE_TYPE_FLOAT32 || type.id == FLOE_TYPE_FLOAT64) &&
           (op == FLOE_ICE_PREDICATE_GT || op == FLOE_ICE_PREDICATE_GE);
}

int floe_ice_row_group_may_match(const floe_pq_column_statistics *statistics, int64_t row_count,
                                 floe_type stored, floe_type type,
                                 const floe_ice_predicate *predicate)
{
    int no_nulls = statistics->has_null_count && statistics->null_count == 0;
    int only_nulls = statistics->has_null_count && statistics->null_count >= row_count;
    if (predicate->op == FLOE_ICE_PREDICATE_IS_NULL) return !no_nulls;
    if (only_nulls) return 0; /* NULL is never NOT NULL and never compares */
    if (predicate->op == FLOE_ICE_PREDICATE_NOT_NULL || !statistics->has_min_max) return 1;
    /* NaN is greater than every number in the engine's order, and statistics leave NaN out. */
    if (nan_may_pass(type, predicate->op)) return 1;
    floe_ice_value min = bound_value(&statistics->min, stored, type);
    floe_ice_value max = bound_value(&statistics->max, stored, type);
    int low = compare_values(type, &min, &predicate->literal);
    int high = compare_values(type, &max, &predicate->literal);
    if (low == 2 || high == 2) return 1;
    switch (predicate->op) {
    case FLOE_ICE_PREDICATE_EQ: return low <= 0 && high >= 0;
    case FLOE_ICE_PREDICATE_LT: return low < 0;
    case FLOE_ICE_PREDICATE_LE: return low <= 0;
    case FLOE_ICE_PREDICATE_GT: return high > 0;
    case FLOE_ICE_PREDICATE_GE: return high >= 0;
    default: return 1;
    }
}

/* Which row groups of a file a partition reads when a change has fewer files than partitions
 * (see "Change mode" in the header): group g of the file numbered `file` belongs to partition
 * (file + g) mod count, so partition file mod count reads the file's first group. */
typedef struct row_group_share {
    uint32_t partition;
    uint32_t count;           /* 1: every row group */
    size_t file;
} row_group_share;

static int owns_row_group(const row_group_share *share, uint32_t group)
{
    return share == NULL || share->count <= 1 ||
           (share->file + group) % share->count == share->partition;
}

/* Restricts the cursor's reader to the row groups of its share (NULL: all) that the predicates
 * cannot rule out; counts the ones of its share they rule out in *pruned. Only columns the
 * file stores (not missing or constant ones) are judged. */
static int file_cursor_select_row_groups(file_cursor *cursor, const floe_ice_field *const *fields,
                                         const floe_ice_predicate *predicates,
                                         size_t predicate_count, const row_group_share *share,
                                         int64_t *pruned, floe_error *err)
{
    uint32_t groups = floe_pq_reader_row_group_count(cursor->reader);
    int split = share != NULL && share->count > 1;
    if (groups == 0 || (predicate_count == 0 && !split)) return FLOE_OK;
    cursor->selected_groups = floe_malloc(groups * sizeof *cursor->selected_groups);
    cursor->group_starts = floe_malloc(groups * sizeof *cursor->group_starts);
    FLOE_RETURN_IF(cursor->selected_groups == NULL || cursor->group_starts == NULL, FLOE_ENOMEM,
                   err, "%s: out of memory", cursor->path);
    int64_t start = 0;
    uint32_t kept = 0;
    for (uint32_t group = 0; group < groups; group++) {
        int64_t rows = floe_pq_reader_row_group_rows(cursor->reader, group);
        cursor->group_starts[group] = start;
        start += rows;
        if (!owns_row_group(share, group)) continue;
        int may_match = 1;
        for (size_t p = 0; p < predicate_count && may_match; p++) {
            for (uint32_t i = 0; i < cursor->field_count; i++) {
                const column_source *source = &cursor->sources[i];
                if (fields[i]->id != predicates[p].field_id ||
                    (source->kind != SOURCE_VIEW && source->kind != SOURCE_CONVERT))
                    continue;
                floe_pq_column_statistics statistics;
                FLOE_TRY(floe_pq_reader_statistics(cursor->reader, group, source->reader_column,
                                                   &statistics, err));
                may_match = floe_ice_row_group_may_match(&statistics, rows, source->file_type,
                                                         cursor->types[i], &predicates[p]);
                break;
            }
        }
        if (may_match) cursor->selected_groups[kept++] = group;
        else (*pruned)++;
    }
    if (kept == groups) {
        floe_free(cursor->selected_groups);
        floe_free(cursor->group_starts);
        cursor->selected_groups = NULL;
        cursor->group_starts = NULL;
        return FLOE_OK;
    }
    cursor->selected_group_count = kept;
    return floe_pq_reader_select_row_groups(cursor->reader, cursor->selected_groups, kept, err);
}

/* The readable leaf with the fewest stored bytes over all row groups, or -1. */
static int cheapest_leaf(const floe_pq_file_metadata *footer)
{
    int cheapest = -1;
    int64_t cheapest_bytes = INT64_MAX;
    for (uint32_t i = 0; i < footer->column_count; i++) {
        if (footer->columns[i].unsupported_reason != NULL) continue;
        int64_t bytes = 0;
        for (uint32_t g = 0; g < footer->row_group_count && bytes < cheapest_bytes; g++) {
            const floe_pq_row_group *group = &footer->row_groups[g];
            const floe_pq_column_metadata *chunk =
                i < group->column_count ? group->columns[i].meta_data : NULL;
            bytes += chunk != NULL ? chunk->total_compressed_size : 0;
        }
        if (bytes < cheapest_bytes) {
            cheapest = (int)i;
            cheapest_bytes = bytes;
        }
    }
    return cheapest;
}

/* Opens `path` to be read as `fields` (table types `types`); data_file (may be NULL) supplies
 * identity partition values for columns the file lacks. Only the row groups of `share` (NULL:
 * all) are read, and of those, the ones `predicates` rule out are skipped (counted in
 * *row_groups_pruned). */
static int file_cursor_open(file_cursor *cursor, const char *path,
                            const floe_ice_scan_file *data_file,
                            const floe_ice_table_metadata *metadata,
                            const floe_ice_field *const *fields, const floe_type *types,
                            uint32_t field_count, const floe_ice_predicate *predicates,
                            size_t predicate_count, const row_group_share *share,
                            int64_t *row_groups_pruned, floe_io_backend backend,
                            floe_error *err)
{
    memset(cursor, 0, sizeof *cursor);
    cursor->path = path;
    cursor->field_count = field_count;
    floe_pq_file_metadata *footer = NULL;
    int status = floe_pq_file_metadata_open(path, &footer, err);
    if (status < 0) return status;
    size_t slots = field_count ? field_count : 1;
    cursor->types = floe_calloc(slots, sizeof *cursor->types);
    cursor->sources = floe_calloc(slots, sizeof *cursor->sources);
    cursor->vectors = floe_calloc(slots, sizeof *cursor->vectors);
    uint32_t *leaves = floe_calloc(slots, sizeof *leaves);
    if (cursor->types == NULL || cursor->sources == NULL || cursor->vectors == NULL ||
        leaves == NULL) {
        status = floe_error_set(err, FLOE_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    uint32_t leaf_count = 0;
    for (uint32_t i = 0; i < field_count; i++) {
        cursor->types[i] = types[i];
        status = floe_vector_init(&cursor->vectors[i], types[i], FLOE_BATCH_CAPACITY, err);
        if (status < 0) goto done;
        int leaf = find_leaf(footer, metadata, fields[i]);
        if (leaf < 0) {
            cursor->sources[i].kind = SOURCE_NULL;
            if (data_file != NULL) partition_constant(&cursor->sources[i], metadata, data_file,
                                                      fields[i]);
            continue;
        }
        const floe_pq_column *column = &footer->columns[leaf];
        status = floe_pq_column_require(column, err);
        if (status < 0) {
            floe_error_prefix(err, "%s", path);
            goto done;
        }
        int fit = type_fit(column->type, types[i]);
        if (fit < 0) {
            char have[64], want[64];
            status = floe_error_set(err, FLOE_ETYPE,
                                    "%s: column '%s' (field id %d) is %s in the file, which "
                                    "cannot be read as the table's %s",
                                    path, column->name, (int)fields[i]->id,
                                    floe_type_format(column->type, have, sizeof have),
                                    floe_type_format(types[i], want, sizeof want));
            goto done;
        }
        cursor->sources[i].kind = (source_kind)fit;
        cursor->sources[i].reader_column = leaf_count;
        cursor->sources[i].file_type = column->type;
        leaves[leaf_count++] = (uint32_t)leaf;
    }
    if (leaf_count == 0) {
        /* No projected column is in this file (or none is projected: COUNT(*)): read one
         * readable leaf just for row counts, the one with the fewest bytes to read. */
        int cheapest = cheapest_leaf(footer);
        if (cheapest >= 0) leaves[leaf_count++] = (uint32_t)cheapest;
        if (leaf_count == 0) {
            status = floe_error_set(err, FLOE_EUNSUPPORTED,
                                    "%s: no column of the file can be read", path);
            goto done;
        }
    }
    floe_pq_reader_options options = {0};
    options.column_indexes = leaves;
    options.column_index_count = leaf_count;
    options.io_backend = backend;
    /* Dictionary pages reach the operators as codes into the page's dictionary: strings are not
     * copied per row, and a GROUP BY or join resolves each distinct value once per batch. */
    options.dictionary_as_codes = true;
    status = floe_pq_reader_open(&cursor->reader, path, &options, err);
    if (status < 0) goto done;
    status = file_cursor_select_row_groups(cursor, fields, predicates, predicate_count, share,
                                           row_groups_pruned, err);
    if (status < 0) goto done;
    status = floe_pq_reader_batch_init(cursor->reader, &cursor->file_batch, err);
done:
    floe_free(leaves);
    floe_pq_file_metadata_free(footer);
    return status;
}

static void convert_column(floe_vector *out, const floe_vector *in, floe_type file_type,
                           uint32_t rows)
{
    out->validity = in->validity; /* a view: only the values change */
    for (uint32_t r = 0; r < rows; r++) {
        if (floe_vector_is_null(in, r)) continue;
        if (file_type.id == FLOE_TYPE_INT32) {
            ((int64_t *)out->data)[r] = ((const int32_t *)in->data)[r];
        } else if (file_type.id == FLOE_TYPE_FLOAT32) {
            ((double *)out->data)[r] = ((const float *)in->data)[r];
        } else { /* decimal int64 → int128 */
            ((floe_int128 *)out->data)[r] = ((const int64_t *)in->data)[r];
        }
    }
}

/* Reads the next batch into cursor->vectors; cursor->row_count 0 at the end. */
static int file_cursor_next(file_cursor *cursor, floe_error *err)
{
    int status = floe_pq_reader_next_batch(cursor->reader, &cursor->file_batch, err);
    if (status < 0) return status;
    uint32_t rows = cursor->file_batch.row_count;
    cursor->row_count = rows;
    if (cursor->selected_groups != NULL && rows > 0) {
        /* Batches never span row groups: a new one starts where the last one's rows ran out. */
        while (cursor->group_rows_left == 0 &&
               cursor->selected_group_next < cursor->selected_group_count) {
            uint32_t group = cursor->selected_groups[cursor->selected_group_next++];
            cursor->next_position = cursor->group_starts[group];
            cursor->group_rows_left = floe_pq_reader_row_group_rows(cursor->reader, group);
        }
        FLOE_RETURN_IF(rows > cursor->group_rows_left, FLOE_ECORRUPT, err,
                       "%s: more rows than its row groups hold", cursor->path);
        cursor->group_rows_left -= rows;
    }
    cursor->position = cursor->next_position;
    cursor->next_position += rows;
    for (uint32_t i = 0; i < cursor->field_count; i++) {
        floe_vector *out = &cursor->vectors[i];
        floe_vector_reset(out);
        const column_source *source = &cursor->sources[i];
        if (source->kind == SOURCE_CONSTANT) {
            FLOE_TRY(fill_constant(out, source, rows, err));
            continue;
        }
        if (source->kind == SOURCE_NULL) {
            if (rows == 0) continue;
            floe_vector_prepare_validity(out);
            memset(out->validity, 0, ((rows + 63) / 64) * sizeof(uint64_t));
            memset(out->data, 0, floe_type_width(out->type) * rows);
            continue;
        }
        const floe_vector *in = &cursor->file_batch.columns[source->reader_column];
        if (source->kind == SOURCE_VIEW) {
            out->encoding = in->encoding;
            out->data = in->data;
            out->validity = in->validity;
            out->heap = in->heap;
            out->heap_size = in->heap_size;
            out->dictionary = in->dictionary;
        } else {
            convert_column(out, in, source->file_type, rows);
        }
    }
    return FLOE_OK;
}

/* ---- hash sets of byte keys (equality delete rows) ------------------------------------------ */

typedef struct key_slot {
    uint64_t hash;
    const uint8_t *bytes; /* NULL: empty slot */
    uint32_t size;
} key_slot;

typedef struct key_set {
    floe_arena arena;
    key_slot *slots;
    size_t capacity; /* power of two */
    size_t count;
} key_set;

static uint64_t hash_bytes(const uint8_t *bytes, size_t size)
{
    uint64_t hash = 1469598103934665603ull;
    for (size_t i = 0; i < size; i++) hash = (hash ^ bytes[i]) * 1099511628211ull;
    return hash ^ (hash >> 29);
}

static int key_set_find(const key_set *set, const uint8_t *bytes, uint32_t size, uint64_t hash)
{
    if (set->capacity == 0) return 0;
    for (size_t i = hash & (set->capacity - 1);; i = (i + 1) & (set->capacity - 1)) {
        const key_slot *slot = &set->slots[i];
        if (slot->bytes == NULL) return 0;
        if (slot->hash == hash && slot->size == size && memcmp(slot->bytes, bytes, size) == 0)
            return 1;
    }
}

static int key_set_insert(key_set *set, const uint8_t *bytes, uint32_t size)
{
    uint64_t hash = hash_bytes(bytes, size);
    if (key_set_find(set, bytes, size, hash)) return FLOE_OK;
    if ((set->count + 1) * 2 > set->capacity) {
        size_t capacity = set->capacity ? set->capacity * 2 : 64;
        key_slot *slots = floe_calloc(capacity, sizeof *slots);
        if (slots == NULL) return FLOE_ENOMEM;
        for (size_t i = 0; i < set->capacity; i++) {
            key_slot slot = set->slots[i];
            if (slot.bytes == NULL) continue;
            size_t j = slot.hash & (capacity - 1);
            while (slots[j].bytes != NULL) j = (j + 1) & (capacity - 1);
            slots[j] = slot;
        }
        floe_free(set->slots);
        set->slots = slots;
        set->capacity = capacity;
    }
    uint8_t *copy = floe_arena_alloc(&set->arena, size ? size : 1);
    if (copy == NULL) return FLOE_ENOMEM;
    memcpy(copy, bytes, size);
    size_t j = hash & (set->capacity - 1);
    while (set->slots[j].bytes != NULL) j = (j + 1) & (set->capacity - 1);
    set->slots[j] = (key_slot){hash, copy, size};
    set->count++;
    return FLOE_OK;
}

/* Appends the key of one value (a NULL marker, or the value's bytes) to `key`. */
static int append_value_key(floe_text *key, const floe_vector *vector, uint32_t row)
{
    if (floe_vector_is_null(vector, row)) return floe_text_append_char(key, 0);
    FLOE_TRY(floe_text_append_char(key, 1));
    if (floe_type_is_variable_width(vector->type)) {
        uint32_t length;
        const unsigned char *bytes = floe_vector_string(vector, row, &length);
        FLOE_TRY(floe_text_append(key, &length, sizeof length));
        return floe_text_append(key, bytes, length);
    }
    size_t width = floe_type_width(vector->type);
    const unsigned char *data = (const unsigned char *)vector->data + width * row;
    if (vector->type.id == FLOE_TYPE_FLOAT64 || vector->type.id == FLOE_TYPE_FLOAT32) {
        /* -0.0 equals 0.0 */
        double value = vector->type.id == FLOE_TYPE_FLOAT64 ? *(const double *)(const void *)data
                                                            : *(const float *)(const void *)data;
        if (value == 0) value = 0;
        return floe_text_append(key, &value, sizeof value);
    }
    return floe_text_append(key, data, width);
}

/* ---- delete files -------------------------------------------------------------------------- */

typedef struct position_entry {
    const char *path; /* in the delete set's arena */
    int64_t pos;
} position_entry;

typedef struct delete_file_state {
    int loaded;
    /* position deletes, sorted by (path, pos) */
    position_entry *positions;
    size_t position_count;
    /* equality deletes */
    uint32_t key_field_count;
    uint32_t *key_columns;     /* indexes into reader->internal fields for the data side */
    key_set keys;
} delete_file_state;

/* The snapshots at which a delete file applies to the data file being read: a snapshot scan
 * has only its snapshot (SIDE_TO); change mode compares `to` with `from`. */
enum { SIDE_TO = 1, SIDE_FROM = 2, SIDE_BOTH = SIDE_TO | SIDE_FROM };

typedef struct applied_delete {
    uint32_t index;                         /* into reader->delete_files */
    uint32_t sides;                         /* SIDE_TO and/or SIDE_FROM */
} applied_delete;

/* How the rows of a data file are handed out (see "Change mode" in the header). */
typedef enum read_kind {
    READ_SNAPSHOT,                          /* its live rows, no weights */
    READ_INSERTED,                          /* live only at `to`: rows live at `to` weigh +1 */
    READ_RETRACTED,                         /* live only at `from`: rows live there weigh -1 */
    READ_CHANGED,                           /* live at both with other deletes: a row weighs
                                               live_at_to - live_at_from */
} read_kind;

/* A data file to read, with every delete file that applies to it at either side. */
typedef struct read_item {
    const floe_ice_scan_file *data;
    read_kind kind;
    applied_delete *deletes;                /* by ascending index, in the reader's arena */
    uint32_t delete_count;
    int has_equality;                       /* one of them is an equality delete */
} read_item;

/* The positions deleted from the open data file at one side, sorted; `next` moves forward
 * with the rows. */
typedef struct deleted_positions {
    int64_t *items;
    size_t count;
    size_t capacity;
    size_t next;
} deleted_positions;

struct floe_ice_scan_reader {
    const floe_ice_table *table;
    floe_ice_scan_plan *plan;               /* the snapshot (change mode: `to`); NULL when
                                               nothing had to be planned */
    floe_ice_scan_plan *from_plan;          /* change mode from a snapshot: `from` */
    int64_t snapshot_id;                    /* the snapshot read (change mode: `to`) */
    bool changes;
    floe_io_backend backend;
    floe_arena arena;                       /* paths of position deletes, small arrays */
    floe_ice_scan_column *columns;          /* output columns */
    uint32_t column_count;
    /* internal fields: the output columns, then equality-key columns not projected */
    const floe_ice_field **fields;
    floe_type *types;
    uint32_t field_count;
    uint32_t field_capacity;
    const floe_ice_scan_file **delete_files; /* every delete file an item names, once */
    delete_file_state *deletes;             /* per delete_files entry */
    size_t delete_file_count;
    floe_ice_predicate *predicates;         /* pruning, copied into the arena */
    floe_type *predicate_types;
    size_t predicate_count;
    read_item *items;                       /* every data file to read, before partitions and
                                               pruning */
    size_t item_count;
    size_t *selected_items;                 /* items this reader reads, ascending */
    size_t selected_item_count;
    size_t item_index;                      /* next entry of selected_items to open */
    /* Partitions: this reader's and how many. With row_group_partitions (a change of fewer
     * files than partitions), every partition selects every file (or changelog) and reads
     * the row groups row_group_share gives it. */
    uint32_t partition;
    uint32_t partition_count;
    bool row_group_partitions;
    int cursor_open;
    file_cursor cursor;
    const read_item *item;                  /* the open item; NULL before the first and at
                                               the end */
    deleted_positions positions[2];         /* of the open item: [0] at `to`, [1] at `from` */
    int64_t *weights;                       /* change mode: FLOE_BATCH_CAPACITY, handed out as
                                               batch->weights */
    floe_text key;
    floe_ice_scan_reader_stats stats;
    /* change mode from changelogs (see "Changelogs"): the files of (from, to], oldest first */
    const char **changelogs;                /* resolved paths, in the arena */
    size_t changelog_count;
    size_t *selected_changelogs;            /* this partition's, ascending */
    size_t selected_changelog_count;
    size_t changelog_index;                 /* next entry of selected_changelogs to open */
    const floe_ice_field **changelog_fields; /* the output columns, then the weight */
    floe_type *changelog_types;
};

static int is_parquet(const char *format)
{
    static const char parquet[] = "parquet";
    if (format == NULL) return 1;
    for (size_t i = 0; i < sizeof parquet; i++) {
        char c = format[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != parquet[i]) return 0;
    }
    return 1;
}

static int compare_position(const void *left, const void *right)
{
    const position_entry *a = left, *b = right;
    int order = strcmp(a->path, b->path);
    if (order != 0) return order;
    return (a->pos > b->pos) - (a->pos < b->pos);
}

static int compare_int64(const void *left, const void *right)
{
    int64_t a = *(const int64_t *)left, b = *(const int64_t *)right;
    return (a > b) - (a < b);
}

static int load_position_deletes(floe_ice_scan_reader *reader, const floe_ice_scan_file *file,
                                 delete_file_state *state, floe_error *err)
{
    static const char *const names[] = {"file_path", "pos"};
    floe_pq_reader_options options = {0};
    options.column_names = names;
    options.column_name_count = 2;
    options.io_backend = reader->backend;
    floe_pq_reader *pq = NULL;
    floe_batch batch = {0};
    size_t capacity = 0;
    int status = floe_pq_reader_open(&pq, file->path, &options, err);
    if (status == FLOE_OK) {
        uint32_t count;
        const floe_pq_reader_column *columns = floe_pq_reader_schema(pq, &count);
        if (!floe_type_is_variable_width(columns[0].type) || columns[1].type.id != FLOE_TYPE_INT64)
            status = floe_error_set(err, FLOE_ECORRUPT,
                                    "%s: position delete file: file_path must be a string and "
                                    "pos a long", file->path);
    }
    if (status == FLOE_OK) status = floe_pq_reader_batch_init(pq, &batch, err);
    while (status == FLOE_OK) {
        status = floe_pq_reader_next_batch(pq, &batch, err);
        if (status < 0 || batch.row_count == 0) break;
        for (uint32_t r = 0; r < batch.row_count && status == FLOE_OK; r++) {
            if (floe_vector_is_null(&batch.columns[0], r) ||
                floe_vector_is_null(&batch.columns[1], r)) {
                status = floe_error_set(err, FLOE_ECORRUPT,
                                        "%s: position delete file: NULL file_path or pos",
                                        file->path);
                break;
            }
            if (state->position_count == capacity) {
                capacity = capacity ? capacity * 2 : 1024;
                position_entry *grown =
                    floe_realloc(state->positions, capacity * sizeof *grown);
                if (grown == NULL) {
                    status = floe_error_set(err, FLOE_ENOMEM, "%s: out of memory", file->path);
                    break;
                }
                state->positions = grown;
            }
            uint32_t length;
            const unsigned char *bytes = floe_vector_string(&batch.columns[0], r, &length);
            /* Consecutive rows nearly always name the same file: share the copy. */
            const char *path = NULL;
            if (state->position_count > 0) {
                const char *previous = state->positions[state->position_count - 1].path;
                if (strlen(previous) == length && memcmp(previous, bytes, length) == 0)
                    path = previous;
            }
            if (path == NULL) path = floe_arena_strndup(&reader->arena, (const char *)bytes, length);
            if (path == NULL) {
                status = floe_error_set(err, FLOE_ENOMEM, "%s: out of memory", file->path);
                break;
            }
            state->positions[state->position_count++] =
                (position_entry){path, ((const int64_t *)batch.columns[1].data)[r]};
        }
    }
    if (batch.columns != NULL) floe_batch_fini(&batch);
    floe_pq_reader_free(pq);
    if (status < 0) return status;
    if (state->position_count > 1)
        qsort(state->positions, state->position_count, sizeof *state->positions,
              compare_position);
    return FLOE_OK;
}

/* Index of the internal field with this id, adding it (not projected) when absent. */
static int internal_field(floe_ice_scan_reader *reader, int32_t field_id, const char *file_path,
                          uint32_t *index, floe_error *err)
{
    for (uint32_t i = 0; i < reader->field_count; i++) {
        if (reader->fields[i]->id == field_id) {
            *index = i;
            return FLOE_OK;
        }
    }
    const floe_ice_schema *schema = floe_ice_current_schema(reader->table->metadata);
    const floe_ice_field *field = schema ? floe_ice_field_by_id(schema, field_id) : NULL;
    FLOE_RETURN_IF(field == NULL, FLOE_EUNSUPPORTED, err,
                   "%s: equality delete on field id %d, which is not in the current schema",
                   file_path, (int)field_id);
    floe_type type;
    int status = floe_ice_field_floe_type(field, &type, err);
    if (status < 0) return floe_error_prefix(err, "%s: equality delete", file_path), status;
    FLOE_RETURN_IF(reader->field_count >= reader->field_capacity, FLOE_EUNSUPPORTED, err,
                   "%s: too many equality delete columns", file_path);
    reader->fields[reader->field_count] = field;
    reader->types[reader->field_count] = type;
    *index = reader->field_count++;
    return FLOE_OK;
}

static int load_equality_deletes(floe_ice_scan_reader *reader, const floe_ice_scan_file *file,
                                 delete_file_state *state, floe_error *err)
{
    const floe_ice_data_file *data = file->file;
    FLOE_RETURN_IF(!data->has_equality_ids || data->equality_id_count == 0, FLOE_ECORRUPT, err,
                   "%s: equality delete file without equality_ids", file->path);
    uint32_t count = (uint32_t)data->equality_id_count;
    state->key_field_count = count;
    state->key_columns = floe_arena_alloc(&reader->arena, count * sizeof *state->key_columns);
    const floe_ice_field **fields = floe_arena_alloc(&reader->arena, count * sizeof *fields);
    floe_type *types = floe_arena_alloc(&reader->arena, count * sizeof *types);
    FLOE_RETURN_IF(state->key_columns == NULL || fields == NULL || types == NULL, FLOE_ENOMEM,
                   err, "%s: out of memory", file->path);
    for (uint32_t k = 0; k < count; k++) {
        FLOE_TRY(internal_field(reader, data->equality_ids[k], file->path, &state->key_columns[k],
                                err));
        fields[k] = reader->fields[state->key_columns[k]];
        types[k] = reader->types[state->key_columns[k]];
    }
    file_cursor cursor;
    int status = file_cursor_open(&cursor, file->path, NULL, reader->table->metadata, fields, types,
                                  count, NULL, 0, NULL, NULL, reader->backend, err);
    while (status == FLOE_OK) {
        status = file_cursor_next(&cursor, err);
        if (status < 0 || cursor.row_count == 0) break;
        for (uint32_t r = 0; r < cursor.row_count && status == FLOE_OK; r++) {
            floe_text_reset(&reader->key);
            for (uint32_t k = 0; k < count && status == FLOE_OK; k++)
                status = append_value_key(&reader->key, &cursor.vectors[k], r);
            if (status == FLOE_OK)
                status = key_set_insert(&state->keys, (const uint8_t *)reader->key.data,
                                        (uint32_t)reader->key.size);
            if (status == FLOE_ENOMEM)
                floe_error_set(err, status, "%s: out of memory", file->path);
        }
    }
    file_cursor_fini(&cursor);
    return status;
}

static int load_delete_file(floe_ice_scan_reader *reader, size_t index, floe_error *err)
{
    delete_file_state *state = &reader->deletes[index];
    if (state->loaded) return FLOE_OK;
    const floe_ice_scan_file *file = reader->delete_files[index];
    FLOE_RETURN_IF(!file->path_found, FLOE_ENOTFOUND, err, "delete file %s does not exist",
                   file->path);
    FLOE_RETURN_IF(!is_parquet(file->file->file_format), FLOE_EUNSUPPORTED, err,
                   "%s: delete file format '%s' is not supported (Parquet only)", file->path,
                   file->file->file_format);
    int status = file->content == FLOE_ICE_CONTENT_POSITION_DELETES
                     ? load_position_deletes(reader, file, state, err)
                     : load_equality_deletes(reader, file, state, err);
    if (status < 0) return status;
    state->loaded = 1;
    return FLOE_OK;
}

/* ---- the reader ---------------------------------------------------------------------------- */

void floe_ice_scan_reader_free(floe_ice_scan_reader *reader)
{
    if (reader == NULL) return;
    if (reader->cursor_open) file_cursor_fini(&reader->cursor);
    if (reader->deletes != NULL) {
        for (size_t i = 0; i < reader->delete_file_count; i++) {
            floe_free(reader->deletes[i].positions);
            floe_free(reader->deletes[i].keys.slots);
            floe_arena_fini(&reader->deletes[i].keys.arena);
        }
    }
    floe_free(reader->deletes);
    floe_free(reader->items);
    floe_free(reader->selected_items);
    for (int side = 0; side < 2; side++) floe_free(reader->positions[side].items);
    floe_free(reader->weights);
    floe_free(reader->selected_changelogs);
    floe_free(reader->changelog_fields);
    floe_free(reader->changelog_types);
    floe_free(reader->columns);
    floe_free(reader->fields);
    floe_free(reader->types);
    floe_text_fini(&reader->key);
    floe_ice_scan_plan_free(reader->plan);
    floe_ice_scan_plan_free(reader->from_plan);
    floe_arena_fini(&reader->arena);
    floe_free(reader);
}

/* Copies the pruning predicates into the reader, with their columns' types. */
static int copy_predicates(floe_ice_scan_reader *reader, const floe_ice_schema *schema,
                           const floe_ice_scan_reader_options *options, floe_error *err)
{
    size_t count = options->predicate_count;
    FLOE_RETURN_IF(options->predicates == NULL, FLOE_EINVAL, err,
                   "floe_ice_scan_reader_open: %zu predicates but no array", count);
    reader->predicates = floe_arena_alloc(&reader->arena, count * sizeof *reader->predicates);
    reader->predicate_types = floe_arena_alloc(&reader->arena,
                                               count * sizeof *reader->predicate_types);
    FLOE_RETURN_IF(reader->predicates == NULL || reader->predicate_types == NULL, FLOE_ENOMEM,
                   err, "out of memory");
    for (size_t i = 0; i < count; i++) {
        floe_ice_predicate predicate = options->predicates[i];
        const floe_ice_field *field = floe_ice_field_by_id(schema, predicate.field_id);
        FLOE_RETURN_IF(field == NULL, FLOE_ENOTFOUND, err,
                       "%s: no column with field id %d to prune on", reader->table->directory,
                       (int)predicate.field_id);
        int status = floe_ice_field_floe_type(field, &reader->predicate_types[i], err);
        if (status < 0) return floe_error_prefix(err, "%s", reader->table->directory), status;
        if (floe_type_is_variable_width(reader->predicate_types[i]) &&
            predicate.literal.as.bytes.size > 0) {
            uint8_t *bytes = floe_arena_alloc(&reader->arena, predicate.literal.as.bytes.size);
            FLOE_RETURN_IF(bytes == NULL, FLOE_ENOMEM, err, "out of memory");
            memcpy(bytes, predicate.literal.as.bytes.data, predicate.literal.as.bytes.size);
            predicate.literal.as.bytes.data = bytes;
        }
        reader->predicates[i] = predicate;
    }
    reader->predicate_count = count;
    return FLOE_OK;
}

/* floe_ice_file_may_match, predicate by predicate, leaving out `> / >=` on a float column
 * unless the file's nan_value_counts says it holds no NaN: bounds leave NaN out, and in the
 * engine's order NaN is greater than every number. */
static int file_may_match(const floe_ice_scan_reader *reader, const floe_ice_scan_file *file)
{
    const floe_ice_partition_spec *spec =
        floe_ice_partition_spec_by_id(reader->table->metadata, file->spec_id);
    const floe_ice_counts *nans = &file->file->nan_value_counts;
    for (size_t p = 0; p < reader->predicate_count; p++) {
        const floe_ice_predicate *predicate = &reader->predicates[p];
        if (nan_may_pass(reader->predicate_types[p], predicate->op)) {
            int no_nan = 0;
            for (size_t i = 0; nans->present && i < nans->count; i++)
                if (nans->items[i].key == predicate->field_id) no_nan = nans->items[i].value == 0;
            if (!no_nan) continue;
        }
        if (!floe_ice_file_may_match(file, spec, predicate, &reader->predicate_types[p], 1))
            return 0;
    }
    return 1;
}

static int compare_text_pointers(const void *left, const void *right)
{
    return strcmp(*(const char *const *)left, *(const char *const *)right);
}

/* ---- what to read: a snapshot's files, or the files that changed between two ---------------- */

/* Allocates the item array for `count` data files and the delete file table for `deletes`. */
static int items_reserve(floe_ice_scan_reader *reader, size_t count, size_t deletes,
                         floe_error *err)
{
    reader->items = floe_calloc(count ? count : 1, sizeof *reader->items);
    reader->delete_files = floe_arena_alloc(&reader->arena,
                                            (deletes ? deletes : 1) * sizeof *reader->delete_files);
    FLOE_RETURN_IF(reader->items == NULL || reader->delete_files == NULL, FLOE_ENOMEM, err,
                   "out of memory");
    return FLOE_OK;
}

/* Gives `item` a plan task's delete files, applying at `sides`: `indexes` index the plan's
 * delete files, which are reader->delete_files' first entries, or through `map` (NULL: the
 * same numbering). */
static int item_set_deletes(floe_ice_scan_reader *reader, read_item *item,
                            const size_t *indexes, const uint32_t *map, size_t count,
                            uint32_t sides, floe_error *err)
{
    item->delete_count = (uint32_t)count;
    if (count == 0) return FLOE_OK;
    applied_delete *deletes = floe_arena_alloc(&reader->arena, count * sizeof *deletes);
    FLOE_RETURN_IF(deletes == NULL, FLOE_ENOMEM, err, "out of memory");
    for (size_t d = 0; d < count; d++) {
        uint32_t index = map != NULL ? map[indexes[d]] : (uint32_t)indexes[d];
        deletes[d] = (applied_delete){index, sides};
    }
    item->deletes = deletes;
    return FLOE_OK;
}

static int compare_applied(const void *left, const void *right)
{
    const applied_delete *a = left, *b = right;
    return (a->index > b->index) - (a->index < b->index);
}

/* Marks items holding an equality delete and sorts their deletes by index. */
static void items_finish(floe_ice_scan_reader *reader)
{
    for (size_t i = 0; i < reader->item_count; i++) {
        read_item *item = &reader->items[i];
        if (item->delete_count > 1)
            qsort(item->deletes, item->delete_count, sizeof *item->deletes, compare_applied);
        for (uint32_t d = 0; d < item->delete_count; d++)
            if (reader->delete_files[item->deletes[d].index]->content ==
                FLOE_ICE_CONTENT_EQUALITY_DELETES)
                item->has_equality = 1;
    }
}

/* A snapshot scan: every live data file, its rows as they are. */
static int items_of_snapshot(floe_ice_scan_reader *reader, floe_error *err)
{
    const floe_ice_scan_plan *plan = reader->plan;
    FLOE_TRY(items_reserve(reader, plan->task_count, plan->delete_file_count, err));
    for (size_t i = 0; i < plan->delete_file_count; i++)
        reader->delete_files[i] = &plan->delete_files[i];
    reader->delete_file_count = plan->delete_file_count;
    for (size_t t = 0; t < plan->task_count; t++) {
        const floe_ice_scan_task *task = &plan->tasks[t];
        read_item *item = &reader->items[reader->item_count++];
        item->data = &task->data;
        item->kind = READ_SNAPSHOT;
        FLOE_TRY(item_set_deletes(reader, item, task->delete_indexes, NULL, task->delete_count,
                                  SIDE_TO, err));
    }
    return FLOE_OK;
}

static int compare_files_by_path(const void *left, const void *right)
{
    const floe_ice_scan_file *a = *(const floe_ice_scan_file *const *)left;
    const floe_ice_scan_file *b = *(const floe_ice_scan_file *const *)right;
    return strcmp(a->file->file_path, b->file->file_path);
}

static int compare_tasks_by_path(const void *left, const void *right)
{
    const floe_ice_scan_task *a = *(const floe_ice_scan_task *const *)left;
    const floe_ice_scan_task *b = *(const floe_ice_scan_task *const *)right;
    return strcmp(a->data.file->file_path, b->data.file->file_path);
}

static int compare_uint32(const void *left, const void *right)
{
    uint32_t a = *(const uint32_t *)left, b = *(const uint32_t *)right;
    return (a > b) - (a < b);
}

/* The entry of `sorted` (delete files by stored path) with the path of `file`, or NULL. */
static const floe_ice_scan_file *find_file(const floe_ice_scan_file *const *sorted, size_t count,
                                           const floe_ice_scan_file *file)
{
    const floe_ice_scan_file *const *found =
        count ? bsearch(&file, sorted, count, sizeof *sorted, compare_files_by_path) : NULL;
    return found != NULL ? *found : NULL;
}

/* The entry of `sorted` (tasks by their data file's stored path) with `task`'s path, or NULL. */
static const floe_ice_scan_task *find_task(const floe_ice_scan_task *const *sorted, size_t count,
                                           const floe_ice_scan_task *task)
{
    const floe_ice_scan_task *const *found =
        count ? bsearch(&task, sorted, count, sizeof *sorted, compare_tasks_by_path) : NULL;
    return found != NULL ? *found : NULL;
}

/* A data file live at both snapshots: CHANGED with the union of its deletes at both, or 0
 * items when the deletes are the same (*unchanged = 1). `to_indexes` index delete_files
 * directly; `from_indexes` through `from_map`. */
static int item_of_both(floe_ice_scan_reader *reader, const floe_ice_scan_task *to_task,
                        const floe_ice_scan_task *from_task, const uint32_t *from_map,
                        uint32_t *scratch, int *unchanged, floe_error *err)
{
    size_t to_count = to_task->delete_count, from_count = from_task->delete_count;
    for (size_t d = 0; d < from_count; d++) scratch[d] = from_map[from_task->delete_indexes[d]];
    if (from_count > 1) qsort(scratch, from_count, sizeof *scratch, compare_uint32);
    *unchanged = to_count == from_count;
    for (size_t d = 0; d < to_count && *unchanged; d++)
        *unchanged = (uint32_t)to_task->delete_indexes[d] == scratch[d];
    if (*unchanged) return FLOE_OK;
    applied_delete *deletes =
        floe_arena_alloc(&reader->arena, (to_count + from_count) * sizeof *deletes);
    FLOE_RETURN_IF(deletes == NULL, FLOE_ENOMEM, err, "out of memory");
    size_t count = 0, t = 0, f = 0;
    while (t < to_count || f < from_count) {
        uint32_t at_to = t < to_count ? (uint32_t)to_task->delete_indexes[t] : UINT32_MAX;
        uint32_t at_from = f < from_count ? scratch[f] : UINT32_MAX;
        if (at_to == at_from) {
            deletes[count++] = (applied_delete){at_to, SIDE_BOTH};
            t++, f++;
        } else if (at_to < at_from) {
            deletes[count++] = (applied_delete){at_to, SIDE_TO};
            t++;
        } else {
            deletes[count++] = (applied_delete){at_from, SIDE_FROM};
            f++;
        }
    }
    read_item *item = &reader->items[reader->item_count++];
    item->data = &to_task->data;
    item->kind = READ_CHANGED;
    item->deletes = deletes;
    item->delete_count = (uint32_t)count;
    return FLOE_OK;
}

/* Change mode: matches the data files of `from` and `to` by stored path and keeps those whose
 * rows differ (see "Change mode" in the header). Delete files of both plans are numbered once:
 * `to`'s first, then those only `from` has. */
static int items_of_change(floe_ice_scan_reader *reader, floe_error *err)
{
    const floe_ice_scan_plan *to = reader->plan, *from = reader->from_plan;
    size_t from_tasks = from ? from->task_count : 0;
    size_t from_deletes = from ? from->delete_file_count : 0;
    FLOE_TRY(items_reserve(reader, to->task_count + from_tasks,
                           to->delete_file_count + from_deletes, err));
    const floe_ice_scan_file **sorted_deletes =
        floe_malloc((to->delete_file_count ? to->delete_file_count : 1) * sizeof *sorted_deletes);
    const floe_ice_scan_task **sorted_tasks =
        floe_malloc((from_tasks ? from_tasks : 1) * sizeof *sorted_tasks);
    uint32_t *from_map = floe_malloc((from_deletes ? from_deletes : 1) * sizeof *from_map);
    uint32_t *scratch = floe_malloc((from_deletes ? from_deletes : 1) * sizeof *scratch);
    uint8_t *matched = floe_calloc(from_tasks ? from_tasks : 1, 1);
    int status = FLOE_OK;
    if (sorted_deletes == NULL || sorted_tasks == NULL || from_map == NULL || scratch == NULL ||
        matched == NULL) {
        status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < to->delete_file_count; i++) {
        reader->delete_files[i] = &to->delete_files[i];
        sorted_deletes[i] = &to->delete_files[i];
    }
    reader->delete_file_count = to->delete_file_count;
    qsort(sorted_deletes, to->delete_file_count, sizeof *sorted_deletes, compare_files_by_path);
    for (size_t i = 0; i < from_deletes; i++) {
        const floe_ice_scan_file *same =
            find_file(sorted_deletes, to->delete_file_count, &from->delete_files[i]);
        if (same != NULL) {
            from_map[i] = (uint32_t)(same - to->delete_files);
            continue;
        }
        from_map[i] = (uint32_t)reader->delete_file_count;
        reader->delete_files[reader->delete_file_count++] = &from->delete_files[i];
    }
    for (size_t i = 0; i < from_tasks; i++) sorted_tasks[i] = &from->tasks[i];
    qsort(sorted_tasks, from_tasks, sizeof *sorted_tasks, compare_tasks_by_path);

    for (size_t t = 0; t < to->task_count && status == FLOE_OK; t++) {
        const floe_ice_scan_task *task = &to->tasks[t];
        reader->stats.change_files_compared++;
        const floe_ice_scan_task *from_task = find_task(sorted_tasks, from_tasks, task);
        if (from_task == NULL) {
            read_item *item = &reader->items[reader->item_count++];
            item->data = &task->data;
            item->kind = READ_INSERTED;
            status = item_set_deletes(reader, item, task->delete_indexes, NULL,
                                      task->delete_count, SIDE_TO, err);
            continue;
        }
        matched[from_task - from->tasks] = 1;
        int unchanged;
        status = item_of_both(reader, task, from_task, from_map, scratch, &unchanged, err);
        if (unchanged) reader->stats.change_files_unchanged++;
    }
    for (size_t f = 0; f < from_tasks && status == FLOE_OK; f++) {
        if (matched[f]) continue;
        const floe_ice_scan_task *task = &from->tasks[f];
        reader->stats.change_files_compared++;
        read_item *item = &reader->items[reader->item_count++];
        item->data = &task->data;
        item->kind = READ_RETRACTED;
        status = item_set_deletes(reader, item, task->delete_indexes, from_map,
                                  task->delete_count, SIDE_FROM, err);
    }
done:
    floe_free(sorted_deletes);
    floe_free(sorted_tasks);
    floe_free(from_map);
    floe_free(scratch);
    floe_free(matched);
    return status;
}

/* Whether `from` is an ancestor of `to` with nothing but `replace` snapshots after it. */
static int only_replaces_between(const floe_ice_table_metadata *metadata, int64_t from, int64_t to)
{
    int64_t id = to;
    for (size_t steps = 0; steps <= metadata->snapshot_count && id != from; steps++) {
        const floe_ice_snapshot *snapshot = floe_ice_snapshot_by_id(metadata, id);
        if (snapshot == NULL ||
            floe_ice_operation_from_text(snapshot->operation) != FLOE_ICE_OPERATION_REPLACE)
            return 0;
        id = snapshot->parent_snapshot_id;
    }
    return id == from;
}

/* ---- change mode from changelogs (see "Changelogs" in the header) ---------------------------- */

/* The weight column as a table field, to be matched by field id like the others. */
static const floe_ice_field changelog_weight_field = {
    .id = FLOE_ICE_CHANGELOG_WEIGHT_FIELD_ID,
    .name = FLOE_ICE_CHANGELOG_WEIGHT_COLUMN,
    .required = 1,
    .kind = FLOE_ICE_TYPE_LONG,
    .type_text = "long",
};

/* Whether the changelog at `path` holds every projected field and the weight, by field id. */
static int changelog_has_fields(const char *path, const floe_ice_table_metadata *metadata,
                                const floe_ice_field *const *fields, uint32_t field_count,
                                bool *has, floe_error *err)
{
    floe_pq_file_metadata *footer = NULL;
    FLOE_TRY(floe_pq_file_metadata_open(path, &footer, err));
    *has = find_leaf(footer, metadata, &changelog_weight_field) >= 0;
    for (uint32_t i = 0; *has && i < field_count; i++)
        *has = find_leaf(footer, metadata, fields[i]) >= 0;
    floe_pq_file_metadata_free(footer);
    return FLOE_OK;
}

/* Decides whether the change from `from` to `to` is read from changelogs: `from` an ancestor
 * of `to` (or -1 with `to`'s whole history), every snapshot in (from, to] naming an existing
 * changelog under options->changelog_summary_key that holds the projected columns. When so,
 * *usable is set and reader->changelogs lists the files, oldest first. */
static int plan_changelogs(floe_ice_scan_reader *reader,
                           const floe_ice_scan_reader_options *options, int64_t from, int64_t to,
                           bool *usable, floe_error *err)
{
    *usable = false;
    const floe_ice_table *table = reader->table;
    const floe_ice_table_metadata *metadata = table->metadata;
    const floe_ice_schema *schema = floe_ice_current_schema(metadata);
    size_t capacity = metadata->snapshot_count + 1;
    const char **paths = floe_arena_alloc(&reader->arena, capacity * sizeof *paths);
    uint32_t field_count = (uint32_t)schema->field_count;
    if (options->column_names != NULL) field_count = options->column_name_count;
    const floe_ice_field **fields = floe_calloc(field_count + 1, sizeof *fields);
    if (paths == NULL || fields == NULL) {
        floe_free(fields);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < field_count; i++) {
        fields[i] = options->column_names == NULL ? &schema->fields[i]
                    : options->column_names[i] != NULL
                        ? floe_ice_field_by_name(schema, options->column_names[i])
                        : NULL;
        if (fields[i] == NULL) { /* the projection's error is reported by the open */
            floe_free(fields);
            return FLOE_OK;
        }
    }
    size_t count = 0;
    int64_t id = to;
    int status = FLOE_OK;
    bool complete = false;
    while (status == FLOE_OK && count < capacity) {
        if (id == from) {
            complete = true;
            break;
        }
        const floe_ice_snapshot *snapshot = id >= 0 ? floe_ice_snapshot_by_id(metadata, id) : NULL;
        if (snapshot == NULL) break; /* `from` is not an ancestor (or history is missing) */
        const char *stored = floe_ice_snapshot_summary(snapshot, options->changelog_summary_key);
        if (stored == NULL || stored[0] == '\0') break;
        char *resolved = NULL;
        floe_error ignored;
        int found = floe_ice_resolve_path(stored, metadata->location, table->directory,
                                          &resolved, &ignored);
        if (found == FLOE_ENOMEM) status = floe_error_set(err, found, "out of memory");
        if (found != FLOE_OK) break; /* gone (vacuumed by hand): the data files still tell */
        bool has = false;
        status = changelog_has_fields(resolved, metadata, fields, field_count, &has, err);
        size_t length = strlen(resolved) + 1;
        char *copy = status == FLOE_OK && has ? floe_arena_alloc(&reader->arena, length) : NULL;
        if (copy != NULL) memcpy(copy, resolved, length);
        floe_free(resolved);
        if (status == FLOE_OK && has && copy == NULL)
            status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
        if (status != FLOE_OK || !has) break;
        paths[count++] = copy;
        id = snapshot->parent_snapshot_id;
    }
    floe_free(fields);
    FLOE_TRY(status);
    if (!complete) return FLOE_OK;
    for (size_t i = 0; i < count / 2; i++) { /* oldest first */
        const char *swap = paths[i];
        paths[i] = paths[count - 1 - i];
        paths[count - 1 - i] = swap;
    }
    reader->changelogs = paths;
    reader->changelog_count = count;
    reader->stats.changes_from_changelogs = 1;
    *usable = true;
    return FLOE_OK;
}

/* Chooses this partition's changelogs (file i goes to partition i modulo the count) and the
 * fields their cursor reads: the output columns, then the weight. */
static int select_changelogs(floe_ice_scan_reader *reader,
                             const floe_ice_scan_reader_options *options, floe_error *err)
{
    uint32_t partition_count = options->partition_count > 1 ? options->partition_count : 1;
    uint32_t partition = partition_count > 1 ? options->partition : 0;
    FLOE_RETURN_IF(partition >= partition_count, FLOE_EINVAL, err,
                   "floe_ice_scan_reader_open: partition %u of %u", (unsigned)partition,
                   (unsigned)partition_count);
    reader->selected_changelogs = floe_malloc((reader->changelog_count + 1) *
                                              sizeof *reader->selected_changelogs);
    reader->changelog_fields = floe_calloc(reader->column_count + 1,
                                           sizeof *reader->changelog_fields);
    reader->changelog_types = floe_calloc(reader->column_count + 1,
                                          sizeof *reader->changelog_types);
    FLOE_RETURN_IF(reader->selected_changelogs == NULL || reader->changelog_fields == NULL ||
                       reader->changelog_types == NULL,
                   FLOE_ENOMEM, err, "out of memory");
    reader->partition = partition;
    reader->partition_count = partition_count;
    reader->row_group_partitions = partition_count > 1 && reader->changelog_count < partition_count;
    for (size_t i = 0; i < reader->changelog_count; i++)
        if (reader->row_group_partitions || i % partition_count == partition)
            reader->selected_changelogs[reader->selected_changelog_count++] = i;
    for (uint32_t i = 0; i < reader->column_count; i++) {
        reader->changelog_fields[i] = reader->fields[i];
        reader->changelog_types[i] = reader->types[i];
    }
    reader->changelog_fields[reader->column_count] = &changelog_weight_field;
    reader->changelog_types[reader->column_count] = floe_type_make(FLOE_TYPE_INT64);
    return FLOE_OK;
}

/* The row groups this reader reads of file (or changelog) number `file`, and whether it is
 * the partition that counts the file in its stats (the one reading its first row group). */
static row_group_share share_of(const floe_ice_scan_reader *reader, size_t file, int *counts)
{
    row_group_share share = {reader->partition, reader->row_group_partitions
                                                    ? reader->partition_count : 1, file};
    *counts = !reader->row_group_partitions || file % reader->partition_count == reader->partition;
    return share;
}

/* Whether a partition that does not count the file owns none of its row groups (it then
 * leaves the file alone). */
static int owns_nothing(const file_cursor *cursor, const row_group_share *share, int counts)
{
    if (counts) return 0;
    uint32_t groups = floe_pq_reader_row_group_count(cursor->reader);
    uint32_t first = (uint32_t)((share->partition + share->count - share->file % share->count) %
                                share->count);
    return groups <= first;
}

/* Hands the cursor's vectors out as the batch (views), `live` of its `rows` rows selected. */
static void hand_out(floe_ice_scan_reader *reader, const file_cursor *cursor, floe_batch *batch,
                     uint32_t rows, uint16_t *selection, uint32_t live)
{
    for (uint32_t i = 0; i < reader->column_count; i++) {
        floe_vector *target = &batch->columns[i];
        const floe_vector *source = &cursor->vectors[i];
        target->encoding = source->encoding;
        target->data = source->data;
        target->validity = source->validity;
        target->heap = source->heap;
        target->heap_size = source->heap_size;
        target->dictionary = source->dictionary;
    }
    batch->row_count = rows;
    if (live < rows) {
        batch->selection = selection;
        batch->selected_count = live;
    }
    batch->weights = reader->weights;
}

/* Next batch of a change read from changelogs: the rows with their `_floe_weight` (rows of
 * weight 0 left out through the selection). */
static int next_changelog_batch(floe_ice_scan_reader *reader, floe_batch *batch, floe_error *err)
{
    file_cursor *cursor = &reader->cursor;
    for (;;) {
        if (!reader->cursor_open) {
            if (reader->changelog_index >= reader->selected_changelog_count) return FLOE_OK;
            size_t index = reader->selected_changelogs[reader->changelog_index++];
            int counts;
            row_group_share share = share_of(reader, index, &counts);
            int64_t ignored_pruned = 0;
            int status = file_cursor_open(cursor, reader->changelogs[index], NULL,
                                          reader->table->metadata, reader->changelog_fields,
                                          reader->changelog_types, reader->column_count + 1,
                                          NULL, 0, &share, &ignored_pruned, reader->backend, err);
            if (status < 0 || owns_nothing(cursor, &share, counts)) {
                file_cursor_fini(cursor);
                if (status < 0) return status;
                continue;
            }
            reader->cursor_open = 1;
            if (counts) reader->stats.changelog_files_read++;
        }
        FLOE_TRY(file_cursor_next(cursor, err));
        uint32_t rows = cursor->row_count;
        if (rows == 0) {
            file_cursor_fini(cursor);
            reader->cursor_open = 0;
            continue;
        }
        reader->stats.rows_read += rows;
        const floe_vector *weights = &cursor->vectors[reader->column_count];
        uint16_t *selection = batch->selection_storage;
        uint32_t live = 0;
        for (uint32_t r = 0; r < rows; r++) {
            FLOE_RETURN_IF(floe_vector_is_null(weights, r), FLOE_ECORRUPT, err,
                           "%s: row %" PRId64 " has a NULL %s", cursor->path,
                           cursor->position + r, FLOE_ICE_CHANGELOG_WEIGHT_COLUMN);
            int64_t weight = ((const int64_t *)weights->data)[r];
            reader->weights[r] = weight;
            if (weight == 0) continue;
            if (weight > 0) reader->stats.rows_inserted++;
            else reader->stats.rows_retracted++;
            selection[live++] = (uint16_t)r;
        }
        if (live == 0) continue;
        hand_out(reader, cursor, batch, rows, selection, live);
        return FLOE_OK;
    }
}

/* Plans what the reader reads: the snapshot's files, or in change mode the changed files. */
static int plan_reads(floe_ice_scan_reader *reader, const floe_ice_scan_reader_options *options,
                      floe_error *err)
{
    const floe_ice_table *table = reader->table;
    if (!reader->changes) {
        FLOE_TRY(floe_ice_table_plan_scan(table, reader->snapshot_id, &reader->plan, err));
        return items_of_snapshot(reader, err);
    }
    int64_t from = options->from_snapshot_id, to = reader->snapshot_id;
    FLOE_RETURN_IF(from < -1, FLOE_EINVAL, err,
                   "floe_ice_scan_reader_open: from_snapshot_id %" PRId64, from);
    FLOE_RETURN_IF(from != -1 && floe_ice_snapshot_by_id(table->metadata, from) == NULL,
                   FLOE_ENOTFOUND, err,
                   "%s: snapshot %" PRId64 " is no longer in the table's metadata (expired): "
                   "its changes cannot be read",
                   table->directory, from);
    FLOE_RETURN_IF(to != -1 && floe_ice_snapshot_by_id(table->metadata, to) == NULL,
                   FLOE_ENOTFOUND, err, "%s: no snapshot %" PRId64, table->directory, to);
    if (from == to) return FLOE_OK;
    if (from != -1 && only_replaces_between(table->metadata, from, to)) {
        reader->stats.changes_replace_only = 1;
        return FLOE_OK;
    }
    reader->weights = floe_malloc(FLOE_BATCH_CAPACITY * sizeof *reader->weights);
    FLOE_RETURN_IF(reader->weights == NULL, FLOE_ENOMEM, err, "out of memory");
    if (options->changelog_summary_key != NULL && options->file_paths == NULL) {
        bool usable = false;
        FLOE_TRY(plan_changelogs(reader, options, from, to, &usable, err));
        if (usable) return FLOE_OK;
    }
    int64_t unchanged = 0;
    FLOE_TRY(floe_ice_table_plan_change(table, from, to, &reader->plan, &reader->from_plan,
                                        &unchanged, err));
    reader->stats.change_files_compared += unchanged;
    reader->stats.change_files_unchanged += unchanged;
    return items_of_change(reader, err);
}

/* Chooses the items to read: listed paths, this partition, not pruned (see the header). */
static int select_items(floe_ice_scan_reader *reader, const floe_ice_scan_reader_options *options,
                        floe_error *err)
{
    uint32_t partition_count = options && options->partition_count > 1 ? options->partition_count
                                                                        : 1;
    uint32_t partition = partition_count > 1 ? options->partition : 0;
    FLOE_RETURN_IF(partition >= partition_count, FLOE_EINVAL, err,
                   "floe_ice_scan_reader_open: partition %u of %u", (unsigned)partition,
                   (unsigned)partition_count);
    const char **paths = NULL;
    size_t path_count = 0;
    if (options != NULL && options->file_paths != NULL && options->file_path_count > 0) {
        path_count = options->file_path_count;
        paths = floe_malloc(path_count * sizeof *paths);
        FLOE_RETURN_IF(paths == NULL, FLOE_ENOMEM, err, "out of memory");
        memcpy(paths, options->file_paths, path_count * sizeof *paths);
        qsort(paths, path_count, sizeof *paths, compare_text_pointers);
    }
    int listed_only = options != NULL && options->file_paths != NULL;
    reader->selected_items = floe_malloc((reader->item_count ? reader->item_count : 1) *
                                         sizeof *reader->selected_items);
    if (reader->selected_items == NULL) {
        floe_free(paths);
        return floe_error_set(err, FLOE_ENOMEM, "out of memory");
    }
    reader->partition = partition;
    reader->partition_count = partition_count;
    reader->row_group_partitions = reader->changes && partition_count > 1 &&
                                   reader->item_count < partition_count;
    for (size_t i = 0; i < reader->item_count; i++) {
        int counts = i % partition_count == partition;
        if (!counts && !reader->row_group_partitions) continue;
        const floe_ice_scan_file *file = reader->items[i].data;
        if (listed_only && (path_count == 0 || bsearch(&file->file->file_path, paths, path_count,
                                                       sizeof *paths,
                                                       compare_text_pointers) == NULL))
            continue;
        if (reader->predicate_count > 0 && !file_may_match(reader, file)) {
            if (counts) reader->stats.data_files_pruned++;
            continue;
        }
        reader->selected_items[reader->selected_item_count++] = i;
    }
    floe_free(paths);
    return FLOE_OK;
}

static int positions_push(deleted_positions *side, int64_t position, floe_error *err)
{
    if (side->count == side->capacity) {
        size_t capacity = side->capacity ? side->capacity * 2 : 1024;
        int64_t *grown = floe_realloc(side->items, capacity * sizeof *grown);
        FLOE_RETURN_IF(grown == NULL, FLOE_ENOMEM, err, "out of memory");
        side->items = grown;
        side->capacity = capacity;
    }
    side->items[side->count++] = position;
    return FLOE_OK;
}

/* Finds the positions deleted from the item's data file at each side (sorted). */
static int collect_positions(floe_ice_scan_reader *reader, const read_item *item,
                             floe_error *err)
{
    for (int side = 0; side < 2; side++) {
        reader->positions[side].count = 0;
        reader->positions[side].next = 0;
    }
    const char *stored = item->data->file->file_path;
    for (uint32_t d = 0; d < item->delete_count; d++) {
        const applied_delete *applied = &item->deletes[d];
        if (reader->delete_files[applied->index]->content != FLOE_ICE_CONTENT_POSITION_DELETES)
            continue;
        const delete_file_state *state = &reader->deletes[applied->index];
        /* lower bound of (stored, -inf) */
        size_t low = 0, high = state->position_count;
        while (low < high) {
            size_t middle = low + (high - low) / 2;
            if (strcmp(state->positions[middle].path, stored) < 0) low = middle + 1;
            else high = middle;
        }
        for (size_t i = low; i < state->position_count &&
                             strcmp(state->positions[i].path, stored) == 0;
             i++) {
            for (int side = 0; side < 2; side++)
                if (applied->sides & (1u << side))
                    FLOE_TRY(positions_push(&reader->positions[side], state->positions[i].pos,
                                            err));
        }
    }
    for (int side = 0; side < 2; side++)
        if (reader->positions[side].count > 1)
            qsort(reader->positions[side].items, reader->positions[side].count, sizeof(int64_t),
                  compare_int64);
    return FLOE_OK;
}

/* Whether two sorted lists hold the same positions (repeats aside). */
static int same_positions(const deleted_positions *left, const deleted_positions *right)
{
    size_t l = 0, r = 0;
    while (l < left->count || r < right->count) {
        if (l == left->count || r == right->count || left->items[l] != right->items[r]) return 0;
        int64_t position = left->items[l];
        while (l < left->count && left->items[l] == position) l++;
        while (r < right->count && right->items[r] == position) r++;
    }
    return 1;
}

/* Drops the CHANGED items whose rows are live at `to` exactly where they are live at `from`:
 * those whose differing deletes are position deletes that delete the same rows at both sides
 * (usually none: a position delete file without file_path bounds applies to every older data
 * file of its partition but names the rows of a few). Loads those position delete files, as
 * reading the items would. */
static int drop_unchanged_items(floe_ice_scan_reader *reader, floe_error *err)
{
    size_t kept = 0;
    for (size_t i = 0; i < reader->item_count; i++) {
        const read_item *item = &reader->items[i];
        int unchanged = item->kind == READ_CHANGED;
        for (uint32_t d = 0; d < item->delete_count && unchanged; d++)
            unchanged = item->deletes[d].sides == SIDE_BOTH ||
                        reader->delete_files[item->deletes[d].index]->content ==
                            FLOE_ICE_CONTENT_POSITION_DELETES;
        if (unchanged) {
            for (uint32_t d = 0; d < item->delete_count; d++)
                if (reader->delete_files[item->deletes[d].index]->content ==
                    FLOE_ICE_CONTENT_POSITION_DELETES)
                    FLOE_TRY(load_delete_file(reader, item->deletes[d].index, err));
            FLOE_TRY(collect_positions(reader, item, err));
            unchanged = same_positions(&reader->positions[0], &reader->positions[1]);
        }
        if (unchanged) reader->stats.change_files_unchanged++;
        else reader->items[kept++] = *item;
    }
    reader->item_count = kept;
    return FLOE_OK;
}

int floe_ice_scan_reader_open(floe_ice_scan_reader **out, const floe_ice_table *table,
                              const floe_ice_scan_reader_options *options, floe_error *err)
{
    FLOE_RETURN_IF(out == NULL || table == NULL, FLOE_EINVAL, err,
                   "floe_ice_scan_reader_open: NULL argument");
    *out = NULL;
    const floe_ice_schema *schema = floe_ice_current_schema(table->metadata);
    FLOE_RETURN_IF(schema == NULL, FLOE_ECORRUPT, err, "%s: no current schema",
                   table->metadata_path);
    floe_ice_scan_reader *reader = floe_calloc(1, sizeof *reader);
    FLOE_RETURN_IF(reader == NULL, FLOE_ENOMEM, err, "out of memory");
    reader->table = table;
    reader->backend = options ? options->io_backend : FLOE_IO_BACKEND_AUTO;
    reader->changes = options != NULL && options->changes;
    reader->snapshot_id = options ? options->snapshot_id : -1;
    if (reader->snapshot_id == -1) reader->snapshot_id = table->metadata->current_snapshot_id;
    floe_arena_init(&reader->arena, 0, 0);
    floe_text_init(&reader->key);
    int status = plan_reads(reader, options, err);
    if (status < 0) goto fail;

    uint32_t count = (uint32_t)schema->field_count;
    if (options != NULL && options->column_names != NULL) count = options->column_name_count;
    size_t equality_ids = 0;
    for (size_t i = 0; i < reader->delete_file_count; i++)
        equality_ids += reader->delete_files[i]->file->equality_id_count;
    reader->field_capacity = count + (uint32_t)equality_ids;
    size_t slots = reader->field_capacity ? reader->field_capacity : 1;
    reader->columns = floe_calloc(count ? count : 1, sizeof *reader->columns);
    reader->fields = floe_calloc(slots, sizeof *reader->fields);
    reader->types = floe_calloc(slots, sizeof *reader->types);
    reader->deletes = floe_calloc(reader->delete_file_count + 1, sizeof *reader->deletes);
    if (reader->columns == NULL || reader->fields == NULL || reader->types == NULL ||
        reader->deletes == NULL) {
        status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < reader->delete_file_count; i++)
        floe_arena_init(&reader->deletes[i].keys.arena, 0, 0);
    items_finish(reader);
    if (reader->changes) {
        status = drop_unchanged_items(reader, err);
        if (status < 0) goto fail;
    }
    for (uint32_t i = 0; i < count; i++) {
        const floe_ice_field *field;
        if (options != NULL && options->column_names != NULL) {
            field = options->column_names[i] ? floe_ice_field_by_name(schema, options->column_names[i])
                                             : NULL;
            if (field == NULL) {
                status = floe_error_set(err, FLOE_ENOTFOUND, "%s: no column '%s'",
                                        table->directory,
                                        options->column_names[i] ? options->column_names[i] : "");
                goto fail;
            }
            for (uint32_t j = 0; j < i; j++) {
                if (reader->fields[j] == field) {
                    status = floe_error_set(err, FLOE_EINVAL, "column '%s' is projected twice",
                                            field->name);
                    goto fail;
                }
            }
        } else {
            field = &schema->fields[i];
        }
        floe_type type;
        status = floe_ice_field_floe_type(field, &type, err);
        if (status < 0) {
            floe_error_prefix(err, "%s", table->directory);
            goto fail;
        }
        reader->fields[i] = field;
        reader->types[i] = type;
        reader->columns[i] = (floe_ice_scan_column){field->name, field->id, type};
    }
    reader->field_count = count;
    reader->column_count = count;
    if (options != NULL && options->predicate_count > 0) {
        status = copy_predicates(reader, schema, options, err);
        if (status < 0) goto fail;
    }
    status = reader->changelogs != NULL ? select_changelogs(reader, options, err)
                                        : select_items(reader, options, err);
    if (status < 0) goto fail;
    *out = reader;
    return FLOE_OK;
fail:
    floe_ice_scan_reader_free(reader);
    return status;
}

const floe_ice_scan_column *floe_ice_scan_reader_columns(const floe_ice_scan_reader *reader,
                                                         uint32_t *count)
{
    *count = reader->column_count;
    return reader->columns;
}

int64_t floe_ice_scan_reader_snapshot_id(const floe_ice_scan_reader *reader)
{
    return reader->snapshot_id;
}

const floe_ice_scan_reader_stats *floe_ice_scan_reader_stats_get(
    const floe_ice_scan_reader *reader)
{
    return &reader->stats;
}

const char *floe_ice_scan_reader_current_file(const floe_ice_scan_reader *reader)
{
    return reader->item != NULL ? reader->item->data->file->file_path : NULL;
}

int floe_ice_scan_reader_batch_init(const floe_ice_scan_reader *reader, floe_batch *batch,
                                    floe_error *err)
{
    return floe_batch_init(batch, reader->column_count, reader->types, err);
}

/* ---- reading ------------------------------------------------------------------------------- */

/* Opens the next selected item; leaves reader->cursor_open 0 when this partition has none of
 * its row groups to read. */
static int open_item(floe_ice_scan_reader *reader, floe_error *err)
{
    size_t index = reader->selected_items[reader->item_index++];
    const read_item *item = &reader->items[index];
    const floe_ice_scan_file *data = item->data;
    reader->item = item;
    FLOE_RETURN_IF(!data->path_found, FLOE_ENOTFOUND, err, "data file %s does not exist",
                   data->path);
    FLOE_RETURN_IF(!is_parquet(data->file->file_format), FLOE_EUNSUPPORTED, err,
                   "%s: data file format '%s' is not supported (Parquet only)", data->path,
                   data->file->file_format);
    for (uint32_t d = 0; d < item->delete_count; d++)
        FLOE_TRY(load_delete_file(reader, item->deletes[d].index, err));
    FLOE_TRY(collect_positions(reader, item, err));
    int counts;
    row_group_share share = share_of(reader, index, &counts);
    int status = file_cursor_open(&reader->cursor, data->path, data, reader->table->metadata,
                                  reader->fields, reader->types, reader->field_count,
                                  reader->predicates, reader->predicate_count, &share,
                                  &reader->stats.row_groups_pruned, reader->backend, err);
    if (status < 0 || owns_nothing(&reader->cursor, &share, counts)) {
        file_cursor_fini(&reader->cursor);
        return status < 0 ? status : FLOE_OK;
    }
    reader->cursor_open = 1;
    if (!counts) return FLOE_OK;
    reader->stats.data_files_read++;
    reader->stats.data_bytes_read += data->file_size;
    if (reader->changes) reader->stats.change_files_read++;
    return FLOE_OK;
}

/* Whether `position` is among the side's deleted positions (positions only grow). */
static int position_deleted(deleted_positions *side, int64_t position)
{
    while (side->next < side->count && side->items[side->next] < position) side->next++;
    return side->next < side->count && side->items[side->next] == position;
}

/* Adds to *deleted the sides at which an equality delete removes row r of the cursor's batch;
 * delete files that could only repeat what *deleted already says are not probed. */
static int equality_deleted(floe_ice_scan_reader *reader, uint32_t row, uint32_t *deleted)
{
    const read_item *item = reader->item;
    for (uint32_t d = 0; d < item->delete_count; d++) {
        const applied_delete *applied = &item->deletes[d];
        const delete_file_state *state = &reader->deletes[applied->index];
        if ((applied->sides & ~*deleted) == 0 ||
            reader->delete_files[applied->index]->content != FLOE_ICE_CONTENT_EQUALITY_DELETES ||
            state->keys.count == 0)
            continue;
        floe_text_reset(&reader->key);
        for (uint32_t k = 0; k < state->key_field_count; k++)
            FLOE_TRY(append_value_key(&reader->key, &reader->cursor.vectors[state->key_columns[k]],
                                      row));
        const uint8_t *bytes = (const uint8_t *)reader->key.data;
        uint32_t size = (uint32_t)reader->key.size;
        if (key_set_find(&state->keys, bytes, size, hash_bytes(bytes, size)))
            *deleted |= applied->sides;
    }
    return FLOE_OK;
}

/* The weight of a row the sides in `deleted` delete (0: left out). */
static int64_t row_weight(read_kind kind, uint32_t deleted)
{
    int64_t live_at_to = (deleted & SIDE_TO) == 0, live_at_from = (deleted & SIDE_FROM) == 0;
    switch (kind) {
    case READ_RETRACTED: return -live_at_from;
    case READ_CHANGED: return live_at_to - live_at_from;
    default: return live_at_to; /* READ_SNAPSHOT, READ_INSERTED */
    }
}

int floe_ice_scan_reader_next_batch(floe_ice_scan_reader *reader, floe_batch *batch,
                                    floe_error *err)
{
    floe_batch_reset(batch);
    if (reader->changelogs != NULL) return next_changelog_batch(reader, batch, err);
    for (;;) {
        if (!reader->cursor_open) {
            if (reader->item_index >= reader->selected_item_count) {
                reader->item = NULL;
                return FLOE_OK;
            }
            FLOE_TRY(open_item(reader, err));
            if (!reader->cursor_open) continue;
        }
        file_cursor *cursor = &reader->cursor;
        FLOE_TRY(file_cursor_next(cursor, err));
        uint32_t rows = cursor->row_count;
        if (rows == 0) {
            file_cursor_fini(cursor);
            reader->cursor_open = 0;
            continue;
        }
        reader->stats.rows_read += rows;
        const read_item *item = reader->item;
        /* The sides whose deletes decide the weight, and the one the file is read at. */
        uint32_t needed = item->kind == READ_CHANGED     ? SIDE_BOTH
                          : item->kind == READ_RETRACTED ? SIDE_FROM
                                                         : SIDE_TO;
        uint32_t read_at = item->kind == READ_RETRACTED ? SIDE_FROM : SIDE_TO;
        uint32_t live = 0;
        uint16_t *selection = batch->selection_storage;
        if (item->delete_count == 0) {
            /* Nothing deleted at either side: every row is live with the item's weight. */
            int64_t weight = row_weight(item->kind, 0);
            if (reader->weights != NULL) {
                for (uint32_t r = 0; r < rows; r++) reader->weights[r] = weight;
                if (weight > 0) reader->stats.rows_inserted += rows;
                else reader->stats.rows_retracted += rows;
            }
            live = rows;
        }
        for (uint32_t r = 0; r < rows && item->delete_count > 0; r++) {
            int64_t position = cursor->position + r;
            uint32_t deleted = 0;
            if (position_deleted(&reader->positions[0], position)) deleted |= SIDE_TO;
            if (position_deleted(&reader->positions[1], position)) deleted |= SIDE_FROM;
            uint32_t by_position = deleted;
            if (item->has_equality && (deleted & needed) != needed) {
                int status = equality_deleted(reader, r, &deleted);
                if (status < 0) return floe_error_set(err, status, "out of memory");
            }
            if (deleted & read_at) {
                if (by_position & read_at) reader->stats.rows_position_deleted++;
                else reader->stats.rows_equality_deleted++;
            }
            int64_t weight = row_weight(item->kind, deleted);
            if (weight == 0) continue;
            if (reader->weights != NULL) {
                reader->weights[r] = weight;
                if (weight > 0) reader->stats.rows_inserted++;
                else reader->stats.rows_retracted++;
            }
            selection[live++] = (uint16_t)r;
        }
        if (live == 0) continue;
        hand_out(reader, cursor, batch, rows, selection, live);
        return FLOE_OK;
    }
}
