/*
 * parquet_schema.c — Parquet schema tree to Floe columns (contract and type table in
 * parquet_schema.h).
 *
 * Why iterative: the schema list encodes a tree only through child counts, and a hostile file can
 * claim any shape. The walk keeps an explicit stack bounded by FLOE_PQ_MAX_SCHEMA_DEPTH instead
 * of recursing, and paths are capped in length, so the work is linear in the schema's size.
 */
#include "parquet_schema.h"

#include <stdio.h>
#include <string.h>

enum { PATH_CAPACITY = 4096 };

/* What a leaf's annotations say, normalized from either LogicalType or ConvertedType. */
typedef enum annotation_kind {
    ANNOTATION_NONE,
    ANNOTATION_STRING, /* STRING, UTF8, ENUM, JSON */
    ANNOTATION_DECIMAL,
    ANNOTATION_DATE,
    ANNOTATION_TIME,
    ANNOTATION_TIMESTAMP,
    ANNOTATION_INTEGER,
    ANNOTATION_FLOAT16,
} annotation_kind;

typedef struct annotation {
    annotation_kind kind;
    int32_t precision, scale; /* DECIMAL */
    int32_t unit;             /* TIME, TIMESTAMP */
    bool adjusted_to_utc;     /* TIMESTAMP */
    int32_t bit_width;        /* INTEGER */
    bool is_signed;           /* INTEGER */
} annotation;

static annotation annotation_of(const floe_pq_schema_element *element)
{
    annotation result = {.kind = ANNOTATION_NONE};
    const floe_pq_logical_type *logical = &element->logical_type;
    switch (logical->kind) {
    case FLOE_PQ_LT_STRING:
    case FLOE_PQ_LT_ENUM:
    case FLOE_PQ_LT_JSON:
        result.kind = ANNOTATION_STRING;
        return result;
    case FLOE_PQ_LT_DECIMAL:
        result.kind = ANNOTATION_DECIMAL;
        result.precision = logical->decimal_precision;
        result.scale = logical->decimal_scale;
        return result;
    case FLOE_PQ_LT_DATE:
        result.kind = ANNOTATION_DATE;
        return result;
    case FLOE_PQ_LT_TIME:
    case FLOE_PQ_LT_TIMESTAMP:
        result.kind = logical->kind == FLOE_PQ_LT_TIME ? ANNOTATION_TIME : ANNOTATION_TIMESTAMP;
        result.unit = logical->unit;
        result.adjusted_to_utc = logical->is_adjusted_to_utc;
        return result;
    case FLOE_PQ_LT_INTEGER:
        result.kind = ANNOTATION_INTEGER;
        result.bit_width = logical->bit_width;
        result.is_signed = logical->is_signed;
        return result;
    case FLOE_PQ_LT_FLOAT16:
        result.kind = ANNOTATION_FLOAT16;
        return result;
    case FLOE_PQ_LT_NONE:
    case FLOE_PQ_LT_OTHER:
        break; /* a newer writer's type: its ConvertedType, if any, is the compatible reading */
    default:
        return result; /* known but not mapped (UUID, BSON, UNKNOWN…): the physical type */
    }
    if (!element->has_converted_type) return result;
    switch (element->converted_type) {
    case FLOE_PQ_CT_UTF8:
    case FLOE_PQ_CT_ENUM:
    case FLOE_PQ_CT_JSON:
        result.kind = ANNOTATION_STRING;
        break;
    case FLOE_PQ_CT_DECIMAL:
        result.kind = ANNOTATION_DECIMAL;
        result.precision = element->has_precision ? element->precision : 0;
        result.scale = element->has_scale ? element->scale : 0;
        break;
    case FLOE_PQ_CT_DATE:
        result.kind = ANNOTATION_DATE;
        break;
    case FLOE_PQ_CT_TIME_MILLIS:
    case FLOE_PQ_CT_TIME_MICROS:
        result.kind = ANNOTATION_TIME;
        result.unit = element->converted_type == FLOE_PQ_CT_TIME_MILLIS ? FLOE_PQ_UNIT_MILLIS
                                                                        : FLOE_PQ_UNIT_MICROS;
        result.adjusted_to_utc = true;
        break;
    case FLOE_PQ_CT_TIMESTAMP_MILLIS:
    case FLOE_PQ_CT_TIMESTAMP_MICROS:
        result.kind = ANNOTATION_TIMESTAMP;
        result.unit = element->converted_type == FLOE_PQ_CT_TIMESTAMP_MILLIS
                          ? FLOE_PQ_UNIT_MILLIS
                          : FLOE_PQ_UNIT_MICROS;
        result.adjusted_to_utc = true;
        break;
    case FLOE_PQ_CT_UINT_8:
    case FLOE_PQ_CT_UINT_16:
    case FLOE_PQ_CT_UINT_32:
    case FLOE_PQ_CT_UINT_64:
        result.kind = ANNOTATION_INTEGER;
        result.bit_width = 8 << (element->converted_type - FLOE_PQ_CT_UINT_8);
        result.is_signed = false;
        break;
    case FLOE_PQ_CT_INT_8:
    case FLOE_PQ_CT_INT_16:
    case FLOE_PQ_CT_INT_32:
    case FLOE_PQ_CT_INT_64:
        result.kind = ANNOTATION_INTEGER;
        result.bit_width = 8 << (element->converted_type - FLOE_PQ_CT_INT_8);
        result.is_signed = true;
        break;
    default:
        break;
    }
    return result;
}

static int32_t unit_conversion(int32_t unit)
{
    return unit == FLOE_PQ_UNIT_MILLIS  ? FLOE_PQ_CONVERT_MULTIPLY_1000
           : unit == FLOE_PQ_UNIT_NANOS ? FLOE_PQ_CONVERT_DIVIDE_1000
                                        : FLOE_PQ_CONVERT_NONE;
}

/* Sets column->type / conversion from the leaf's physical type and annotations. Returns a
 * reason (in `reason`) when the column cannot be represented, leaving type INVALID. */
static void map_leaf_type(const floe_pq_schema_element *element, floe_pq_column *column,
                          char *reason, size_t reason_size)
{
    annotation note = annotation_of(element);
    column->type = floe_type_make(FLOE_TYPE_INVALID);
    column->conversion = FLOE_PQ_CONVERT_NONE;
    column->time_unit = FLOE_PQ_UNIT_NONE;
    int32_t physical = element->type;

    if (note.kind == ANNOTATION_DECIMAL &&
        (physical == FLOE_PQ_INT32 || physical == FLOE_PQ_INT64 || physical == FLOE_PQ_BYTE_ARRAY ||
         physical == FLOE_PQ_FIXED_LEN_BYTE_ARRAY)) {
        if (note.precision < 1 || note.precision > FLOE_DECIMAL_MAX_PRECISION || note.scale < 0 ||
            note.scale > note.precision) {
            snprintf(reason, reason_size,
                     "column %s: DECIMAL(%d,%d) is outside what Floe supports (precision 1..38, "
                     "scale 0..precision)",
                     column->path, note.precision, note.scale);
            return;
        }
        column->type = floe_type_decimal((unsigned)note.precision, (unsigned)note.scale);
        if (physical == FLOE_PQ_BYTE_ARRAY || physical == FLOE_PQ_FIXED_LEN_BYTE_ARRAY) {
            column->conversion = FLOE_PQ_CONVERT_BIG_ENDIAN_DECIMAL;
        }
        return;
    }

    switch (physical) {
    case FLOE_PQ_BOOLEAN:
        column->type = floe_type_make(FLOE_TYPE_BOOLEAN);
        return;
    case FLOE_PQ_INT32:
        column->type = floe_type_make(FLOE_TYPE_INT32);
        if (note.kind == ANNOTATION_DATE) {
            column->type = floe_type_make(FLOE_TYPE_DATE);
        } else if (note.kind == ANNOTATION_TIME && note.unit == FLOE_PQ_UNIT_MILLIS) {
            column->type = floe_type_make(FLOE_TYPE_INT64);
            column->conversion = FLOE_PQ_CONVERT_MULTIPLY_1000;
            column->time_unit = note.unit;
        } else if (note.kind == ANNOTATION_INTEGER && !note.is_signed && note.bit_width == 32) {
            column->type = floe_type_make(FLOE_TYPE_INT64);
            column->conversion = FLOE_PQ_CONVERT_ZERO_EXTEND;
        }
        return;
    case FLOE_PQ_INT64:
        column->type = floe_type_make(FLOE_TYPE_INT64);
        if (note.kind == ANNOTATION_TIMESTAMP && note.unit != FLOE_PQ_UNIT_NONE) {
            column->type = floe_type_make(note.adjusted_to_utc ? FLOE_TYPE_TIMESTAMPTZ
                                                               : FLOE_TYPE_TIMESTAMP);
            column->conversion = unit_conversion(note.unit);
            column->time_unit = note.unit;
        } else if (note.kind == ANNOTATION_TIME &&
                   (note.unit == FLOE_PQ_UNIT_MICROS || note.unit == FLOE_PQ_UNIT_NANOS)) {
            column->conversion = unit_conversion(note.unit);
            column->time_unit = note.unit;
        } else if (note.kind == ANNOTATION_INTEGER && !note.is_signed && note.bit_width == 64) {
            column->type = floe_type_decimal(20, 0);
            column->conversion = FLOE_PQ_CONVERT_ZERO_EXTEND;
        }
        return;
    case FLOE_PQ_INT96:
        column->type = floe_type_make(FLOE_TYPE_TIMESTAMP);
        column->conversion = FLOE_PQ_CONVERT_INT96_TIMESTAMP;
        column->time_unit = FLOE_PQ_UNIT_NANOS;
        return;
    case FLOE_PQ_FLOAT:
        column->type = floe_type_make(FLOE_TYPE_FLOAT32);
        return;
    case FLOE_PQ_DOUBLE:
        column->type = floe_type_make(FLOE_TYPE_FLOAT64);
        return;
    case FLOE_PQ_BYTE_ARRAY:
        column->type = floe_type_make(note.kind == ANNOTATION_STRING ? FLOE_TYPE_STRING
                                                                     : FLOE_TYPE_BINARY);
        return;
    case FLOE_PQ_FIXED_LEN_BYTE_ARRAY:
        if (note.kind == ANNOTATION_FLOAT16 && column->type_length == 2) {
            column->type = floe_type_make(FLOE_TYPE_FLOAT32);
            column->conversion = FLOE_PQ_CONVERT_FLOAT16;
        } else {
            column->type = floe_type_make(FLOE_TYPE_BINARY);
        }
        return;
    default:
        snprintf(reason, reason_size, "column %s: unknown physical type %d", column->path,
                 physical);
        return;
    }
}

typedef struct walk_frame {
    uint32_t element;       /* schema index of the group */
    int64_t remaining;      /* children not yet seen */
    int definition_level;   /* of the group itself */
    int repetition_level;
    size_t path_length;     /* bytes of the path buffer up to and including this group */
} walk_frame;

static void append_path(char *path, size_t *length, const char *name, bool first)
{
    size_t name_length = strlen(name);
    size_t at = *length;
    if (!first && at + 1 < PATH_CAPACITY) path[at++] = '.';
    if (name_length > PATH_CAPACITY - 1 - at) name_length = PATH_CAPACITY - 1 - at;
    memcpy(path + at, name, name_length);
    at += name_length;
    path[at] = '\0';
    *length = at;
}

int floe_pq_schema_map(floe_pq_file_metadata *metadata, floe_error *err)
{
    metadata->columns = NULL;
    metadata->column_count = 0;
    FLOE_RETURN_IF(metadata->schema_count == 0, FLOE_ECORRUPT, err,
                   "schema is empty (no root element)");
    const floe_pq_schema_element *root = &metadata->schema[0];
    FLOE_RETURN_IF(root->has_type && !root->has_num_children, FLOE_ECORRUPT, err,
                   "schema root '%s' is a primitive, not a group", root->name);

    /* Leaves are at most the elements after the root. */
    uint32_t capacity = metadata->schema_count - 1;
    floe_pq_column *columns = NULL;
    if (capacity > 0) {
        columns = floe_arena_alloc_zero(&metadata->arena, (size_t)capacity * sizeof *columns);
        FLOE_RETURN_IF(columns == NULL, FLOE_ENOMEM, err, "out of memory for %u columns",
                       capacity);
    }
    walk_frame stack[FLOE_PQ_MAX_SCHEMA_DEPTH + 1];
    int depth = 0;
    char path[PATH_CAPACITY];
    path[0] = '\0';
    stack[0] = (walk_frame){.element = 0,
                            .remaining = root->has_num_children ? root->num_children : 0};
    depth = 1;
    uint32_t count = 0;
    uint32_t index = 1;
    for (; index < metadata->schema_count; index++) {
        while (depth > 0 && stack[depth - 1].remaining == 0) depth--;
        FLOE_RETURN_IF(depth == 0, FLOE_ECORRUPT, err,
                       "schema element %u ('%s') is outside the tree the child counts describe",
                       index, metadata->schema[index].name);
        walk_frame *parent = &stack[depth - 1];
        parent->remaining--;
        const floe_pq_schema_element *element = &metadata->schema[index];
        int32_t repetition = element->has_repetition ? element->repetition : FLOE_PQ_OPTIONAL;
        int definition_level = parent->definition_level + (repetition != FLOE_PQ_REQUIRED);
        int repetition_level = parent->repetition_level +
                               (repetition == FLOE_PQ_REPEATED || repetition == FLOE_PQ_VECTOR);
        size_t path_length = parent->path_length;
        path[path_length] = '\0';
        append_path(path, &path_length, element->name, depth == 1);

        if (!element->has_type) {
            FLOE_RETURN_IF(!element->has_num_children, FLOE_ECORRUPT, err,
                           "schema element %u ('%s') has neither a type nor children", index,
                           element->name);
            FLOE_RETURN_IF(depth > FLOE_PQ_MAX_SCHEMA_DEPTH, FLOE_EUNSUPPORTED, err,
                           "schema nested deeper than %d levels at element %u ('%s')",
                           FLOE_PQ_MAX_SCHEMA_DEPTH, index, element->name);
            stack[depth++] = (walk_frame){.element = index,
                                          .remaining = element->num_children,
                                          .definition_level = definition_level,
                                          .repetition_level = repetition_level,
                                          .path_length = path_length};
            continue;
        }
        FLOE_RETURN_IF(element->has_num_children && element->num_children > 0, FLOE_ECORRUPT,
                       err, "schema element %u ('%s') has a type and %d children", index,
                       element->name, element->num_children);
        floe_pq_column *column = &columns[count++];
        column->name = element->name;
        column->path = floe_arena_strndup(&metadata->arena, path, path_length);
        FLOE_RETURN_IF(column->path == NULL, FLOE_ENOMEM, err, "out of memory for column paths");
        column->schema_index = index;
        column->has_field_id = element->has_field_id;
        column->field_id = element->field_id;
        column->repetition = repetition;
        column->max_definition_level = definition_level;
        column->max_repetition_level = repetition_level;
        column->physical_type = element->type;
        column->type_length = element->has_type_length ? element->type_length : 0;
        if (element->type == FLOE_PQ_FIXED_LEN_BYTE_ARRAY) {
            FLOE_RETURN_IF(!element->has_type_length || element->type_length <= 0, FLOE_ECORRUPT,
                           err, "column %s: FIXED_LEN_BYTE_ARRAY without a positive type_length",
                           column->path);
        }
        char reason[PATH_CAPACITY + 128];
        reason[0] = '\0';
        bool nested = depth > 1 || repetition_level > 0;
        if (nested) {
            snprintf(reason, sizeof reason, "unsupported nested column %s", column->path);
            column->type = floe_type_make(FLOE_TYPE_INVALID);
        } else {
            map_leaf_type(element, column, reason, sizeof reason);
        }
        if (reason[0] != '\0') {
            column->type = floe_type_make(FLOE_TYPE_INVALID);
            column->unsupported_reason = floe_arena_strndup(&metadata->arena, reason,
                                                            strlen(reason));
            FLOE_RETURN_IF(column->unsupported_reason == NULL, FLOE_ENOMEM, err,
                           "out of memory for column descriptions");
        }
    }
    while (depth > 0 && stack[depth - 1].remaining == 0) depth--;
    FLOE_RETURN_IF(depth > 0, FLOE_ECORRUPT, err,
                   "schema ends after %u elements but element %u ('%s') expects %lld more "
                   "children",
                   metadata->schema_count, stack[depth - 1].element,
                   metadata->schema[stack[depth - 1].element].name,
                   (long long)stack[depth - 1].remaining);
    metadata->columns = columns;
    metadata->column_count = count;
    return FLOE_OK;
}
