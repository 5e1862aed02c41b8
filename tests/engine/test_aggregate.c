/*
 * Description: the hash aggregate operator (engine/op_aggregate.c) and its keyed aggregate state
 * (engine/group_state.h), fed by a fake source operator defined here that hands out batches built
 * from a table of random rows. Every aggregate (COUNT(*), COUNT, SUM, AVG, MIN, MAX, and COUNT /
 * SUM / AVG DISTINCT) is checked against a naive recomputation over the same rows, with NULLs,
 * duplicates, skewed keys, strings, booleans, dates, doubles with -0.0 and NaN keys, int64 and
 * int128 decimals, selection vectors, dictionary-encoded columns and an evaluated argument
 * (v + 1); single, composite and no GROUP BY keys. Then: weights -1 bringing groups to zero (they
 * disappear) and multiplicities; MIN/MAX after retracting the extreme; DISTINCT counts crossing
 * zero; retractions before their inserts (a group goes only when it holds nothing; emit_groups
 * shows it meanwhile); one row on empty input without groups (COUNT 0, SUM NULL); SUM overflow
 * of 128 bits and of 38 digits; the memory limit and the accounting of MIN/MAX values; 2
 * parallel pipelines equal to one, with a retraction and its insert in different pipelines, and
 * a failing pipeline's error winning; refused plans and contract breaches; flat export / import
 * round trip and corrupt flat forms; key hashes equal to the persisted ones; allocation failure
 * at every allocation of create, merge, export and emit without leaks.
 */
#include "engine/group_state.h"
#include "engine/operator.h"
#include "kernels/arena.h"
#include "kernels/memory.h"
#include "kernels/vector.h"
#include "sql/expression.h"
#include "sql/plan.h"

#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- random numbers ---- */

static uint64_t rng_state;

static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint32_t below(uint32_t n) { return (uint32_t)(next_random() % n); }
static bool chance(uint32_t percent) { return below(100) < percent; }

/* ---- the test table's columns ---- */

enum {
    K_INT, /* INT64 key, skewed */
    K_STR,
    K_BOOL,
    K_DATE,
    K_DEC,  /* DECIMAL(10,2) */
    K_WIDE, /* DECIMAL(30,4) */
    K_DBL,  /* DOUBLE with -0.0 and NaN */
    V_INT,
    V_BIG,
    V_DBL,
    V_FLT,
    V_DEC,  /* DECIMAL(12,2) */
    V_WIDE, /* DECIMAL(30,4) */
    V_STR,
    V_DATE,
    COLUMN_COUNT,
};

static floe_type column_type(uint32_t column)
{
    switch (column) {
    case K_INT: case V_BIG: return floe_type_make(FLOE_TYPE_INT64);
    case K_STR: case V_STR: return floe_type_make(FLOE_TYPE_STRING);
    case K_BOOL: return floe_type_make(FLOE_TYPE_BOOLEAN);
    case K_DATE: case V_DATE: return floe_type_make(FLOE_TYPE_DATE);
    case K_DEC: return floe_type_decimal(10, 2);
    case V_DEC: return floe_type_decimal(12, 2);
    case K_WIDE: case V_WIDE: return floe_type_decimal(30, 4);
    case K_DBL: case V_DBL: return floe_type_make(FLOE_TYPE_FLOAT64);
    case V_FLT: return floe_type_make(FLOE_TYPE_FLOAT32);
    case V_INT: return floe_type_make(FLOE_TYPE_INT32);
    }
    return floe_type_make(FLOE_TYPE_INVALID);
}

static floe_type column_types[COLUMN_COUNT];

/* ---- cells: one value of any type as the naive model holds it ---- */

typedef struct cell {
    bool null;
    int64_t i;     /* BOOLEAN, INT32, DATE, INT64, DECIMAL(p<=18) */
    double f;      /* FLOAT32, FLOAT64 */
    floe_int128 w; /* DECIMAL(p>18) */
    char s[40];
    uint32_t length;
} cell;

static bool is_wide(floe_type type)
{
    return type.id == FLOE_TYPE_DECIMAL && type.precision > 18;
}

static bool is_float(floe_type type)
{
    return type.id == FLOE_TYPE_FLOAT32 || type.id == FLOE_TYPE_FLOAT64;
}

static bool is_text(floe_type type)
{
    return type.id == FLOE_TYPE_STRING || type.id == FLOE_TYPE_BINARY;
}

/* SQL grouping order: NULL first; floats with -0.0 = 0.0 and NaN above everything. */
static int cell_compare(floe_type type, const cell *a, const cell *b)
{
    if (a->null || b->null) return (int)b->null - (int)a->null;
    if (is_text(type)) {
        uint32_t common = a->length < b->length ? a->length : b->length;
        int order = memcmp(a->s, b->s, common);
        if (order != 0) return order;
        return (a->length > b->length) - (a->length < b->length);
    }
    if (is_float(type)) {
        bool an = isnan(a->f), bn = isnan(b->f);
        if (an || bn) return (int)an - (int)bn;
        return (a->f > b->f) - (a->f < b->f);
    }
    if (is_wide(type)) return (a->w > b->w) - (a->w < b->w);
    return (a->i > b->i) - (a->i < b->i);
}

static cell read_cell(const floe_vector *vector, uint32_t row)
{
    cell c;
    memset(&c, 0, sizeof c);
    if (floe_vector_is_null(vector, row)) {
        c.null = true;
        return c;
    }
    floe_type type = vector->type;
    if (is_text(type)) {
        const unsigned char *bytes = floe_vector_string(vector, row, &c.length);
        ck_assert_uint_le(c.length, sizeof c.s);
        if (c.length > 0) memcpy(c.s, bytes, c.length);
        return c;
    }
    size_t width = floe_type_width(type);
    const unsigned char *data = vector->data;
    uint32_t index = row;
    if (vector->encoding == FLOE_VECTOR_DICTIONARY) {
        index = ((const uint32_t *)vector->data)[row];
        data = vector->dictionary->data;
    }
    const unsigned char *value = data + (size_t)index * width;
    switch ((floe_type_id)type.id) {
    case FLOE_TYPE_BOOLEAN: c.i = *value; break;
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_DATE: {
        int32_t v;
        memcpy(&v, value, 4);
        c.i = v;
        break;
    }
    case FLOE_TYPE_FLOAT32: {
        float v;
        memcpy(&v, value, 4);
        c.f = v;
        break;
    }
    case FLOE_TYPE_FLOAT64: memcpy(&c.f, value, 8); break;
    case FLOE_TYPE_DECIMAL:
        if (is_wide(type)) memcpy(&c.w, value, 16);
        else memcpy(&c.i, value, 8);
        break;
    default: memcpy(&c.i, value, 8); break;
    }
    return c;
}

static void write_cell(floe_vector *vector, uint32_t row, const cell *c)
{
    floe_type type = vector->type;
    if (c->null) {
        floe_vector_set_null(vector, row);
        /* keep the data defined: a NULL row's value is never read, but it is hashed */
        if (!is_text(type)) memset((unsigned char *)vector->data + row * floe_type_width(type), 0,
                                   floe_type_width(type));
        else ck_assert_int_eq(floe_vector_set_string(vector, row, "", 0, NULL), FLOE_OK);
        return;
    }
    floe_vector_set_valid(vector, row);
    unsigned char *value = (unsigned char *)vector->data + (size_t)row * floe_type_width(type);
    switch ((floe_type_id)type.id) {
    case FLOE_TYPE_BOOLEAN: *value = (unsigned char)c->i; break;
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_DATE: {
        int32_t v = (int32_t)c->i;
        memcpy(value, &v, 4);
        break;
    }
    case FLOE_TYPE_FLOAT32: {
        float v = (float)c->f;
        memcpy(value, &v, 4);
        break;
    }
    case FLOE_TYPE_FLOAT64: memcpy(value, &c->f, 8); break;
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY:
        ck_assert_int_eq(floe_vector_set_string(vector, row, c->s, c->length, NULL), FLOE_OK);
        break;
    case FLOE_TYPE_DECIMAL:
        if (is_wide(type)) memcpy(value, &c->w, 16);
        else memcpy(value, &c->i, 8);
        break;
    default: memcpy(value, &c->i, 8); break;
    }
}

static floe_int128 pow10_128(int n)
{
    floe_int128 v = 1;
    while (n-- > 0) v *= 10;
    return v;
}

/* A random value for a column; `cardinality` bounds the distinct keys. */
static cell random_cell(uint32_t column, uint32_t cardinality, uint32_t null_percent)
{
    cell c;
    memset(&c, 0, sizeof c);
    if (chance(null_percent)) {
        c.null = true;
        return c;
    }
    /* skew: half the rows share the first few keys */
    uint32_t key = chance(50) ? below(3) : below(cardinality);
    switch (column) {
    case K_INT: c.i = key == 7 ? INT64_MIN : (int64_t)key * 1000003 - 5000; break;
    case K_STR:
        c.length = key == 0 ? 0 : (uint32_t)snprintf(c.s, sizeof c.s, "key-%u%s", key,
                                                     key % 5 == 0 ? "-a-longer-suffix" : "");
        break;
    case K_BOOL: c.i = key & 1; break;
    case K_DATE: c.i = (int64_t)key * 37 - 800; break;
    case K_DEC: c.i = (int64_t)key * 125 - 999; break;
    case K_WIDE: c.w = (floe_int128)key * pow10_128(25) - 7; break;
    case K_DBL: {
        static const double values[] = {0.0, -0.0, 1.5, -2.25, 1e300};
        c.f = key % 6 == 5 ? NAN : values[key % 6 % 5];
        if (key >= 6) c.f = (double)key / 4;
        break;
    }
    case V_INT:
        c.i = (int64_t)below(2000000001) - 1000000000;
        if (chance(20)) c.i = below(5);
        break;
    case V_BIG: c.i = (int64_t)(next_random() % 2000000000000001ull) - 1000000000000000; break;
    case V_DBL: c.f = (double)((int64_t)below(4001) - 2000) / 4; break;
    case V_FLT: c.f = (double)((int32_t)below(201) - 100) / 2; break;
    case V_DEC:
        c.i = (int64_t)below(200000001) - 100000000;
        if (chance(30)) c.i = below(4) * 25;
        break;
    case V_WIDE:
        c.w = ((floe_int128)(int64_t)below(2000001) - 1000000) * pow10_128(20) + below(10000);
        if (chance(30)) c.w = below(3);
        break;
    case V_STR: {
        static const char *const pool[] = {"", "a", "b", "ab", "zebra", "a\x01z",
                                           "a-long-string-past-sixteen-bytes", "\xff"};
        const char *s = pool[below(8)];
        c.length = (uint32_t)strlen(s);
        memcpy(c.s, s, c.length);
        if (chance(20)) c.length = (uint32_t)snprintf(c.s, sizeof c.s, "v%u", below(50));
        break;
    }
    case V_DATE: c.i = (int64_t)below(40000) - 20000; break;
    }
    return c;
}

/* ---- the table: rows of cells with weights ---- */

typedef struct table {
    cell *cells; /* rows * COLUMN_COUNT */
    int64_t *weights;
    uint32_t rows;
    uint32_t capacity;
} table;

static cell *table_row(const table *t, uint32_t row)
{
    return &t->cells[(size_t)row * COLUMN_COUNT];
}

static void table_add(table *t, const cell *row, int64_t weight)
{
    if (t->rows == t->capacity) {
        t->capacity = t->capacity ? t->capacity * 2 : 1024;
        t->cells = realloc(t->cells, (size_t)t->capacity * COLUMN_COUNT * sizeof(cell));
        t->weights = realloc(t->weights, t->capacity * sizeof(int64_t));
        ck_assert(t->cells != NULL && t->weights != NULL);
    }
    memcpy(table_row(t, t->rows), row, COLUMN_COUNT * sizeof(cell));
    t->weights[t->rows++] = weight;
}

static void table_free(table *t)
{
    free(t->cells);
    free(t->weights);
    memset(t, 0, sizeof *t);
}

static void table_random(table *t, uint32_t rows, uint32_t cardinality)
{
    for (uint32_t r = 0; r < rows; r++) {
        cell row[COLUMN_COUNT];
        for (uint32_t c = 0; c < COLUMN_COUNT; c++)
            row[c] = random_cell(c, cardinality, c == K_BOOL ? 5 : 10);
        table_add(t, row, 1);
    }
}

/* Retractions of random earlier rows, and of every row of the groups whose K_INT key is one of
 * the first few, so those groups' counts return to exactly zero. */
static void table_retract(table *t, uint32_t count)
{
    uint32_t rows = t->rows;
    for (uint32_t n = 0; n < count; n++) {
        uint32_t r = below(rows);
        if (t->weights[r] <= 0) continue;
        cell copy[COLUMN_COUNT];
        memcpy(copy, table_row(t, r), sizeof copy);
        table_add(t, copy, -1);
        t->weights[r] = 0; /* not picked twice: the retraction stays net -1 + 1 */
    }
    for (uint32_t r = 0; r < rows; r++) {
        const cell *key = &table_row(t, r)[K_INT];
        if (!key->null && key->i == 1000003 - 5000 && t->weights[r] == 1) {
            cell copy[COLUMN_COUNT];
            memcpy(copy, table_row(t, r), sizeof copy);
            table_add(t, copy, -1);
        }
    }
    /* the weights zeroed above stand for rows that were inserted: restore them */
    for (uint32_t r = 0; r < rows; r++)
        if (t->weights[r] == 0) t->weights[r] = 1;
}

/* ---- the fake source operator ---- */

typedef struct fake_source {
    floe_eng_operator base;
    floe_batch *batches;
    uint32_t batch_count;
    uint32_t batch_capacity;
    uint32_t next;
    floe_vector **dictionaries; /* each allocated on its own: batches point at them */
    uint32_t dictionary_count;
    uint32_t dictionary_capacity;
    int fail_at;               /* batch index whose next() fails; -1: none */
    int *destroyed;            /* incremented on destroy, when set */
} fake_source;

static int fake_next(floe_eng_operator *op, floe_batch **batch, floe_error *err)
{
    fake_source *source = (fake_source *)op;
    if (source->fail_at >= 0 && source->next == (uint32_t)source->fail_at)
        return floe_error_set(err, FLOE_ECORRUPT, "fake.parquet: page 3: crc mismatch");
    *batch = source->next < source->batch_count ? &source->batches[source->next++] : NULL;
    return FLOE_OK;
}

static void fake_destroy(floe_eng_operator *op)
{
    fake_source *source = (fake_source *)op;
    for (uint32_t b = 0; b < source->batch_count; b++) floe_batch_fini(&source->batches[b]);
    for (uint32_t d = 0; d < source->dictionary_count; d++) {
        floe_vector_fini(source->dictionaries[d]);
        free(source->dictionaries[d]);
    }
    if (source->destroyed != NULL) (*source->destroyed)++;
    free(source->batches);
    free(source->dictionaries);
    free(source);
}

static const floe_eng_operator_vtable fake_vtable = {"fake", fake_next, fake_destroy};

typedef struct batch_options {
    bool selections;   /* junk rows interleaved and excluded by a selection vector */
    bool dictionaries; /* some columns dictionary-encoded */
    bool weights;      /* carry the table's weights (else the rows must all weigh +1) */
} batch_options;

/* Dictionary-encodes column c of batch b: distinct values into the dictionary, codes in data. */
static void encode_dictionary(fake_source *source, uint32_t b, uint32_t c)
{
    floe_batch *batch = &source->batches[b];
    floe_vector *column = &batch->columns[c];
    if (source->dictionary_count == source->dictionary_capacity) {
        source->dictionary_capacity = source->dictionary_capacity * 2 + 16;
        source->dictionaries = realloc(source->dictionaries,
                                       source->dictionary_capacity * sizeof(floe_vector *));
        ck_assert_ptr_nonnull(source->dictionaries);
    }
    floe_vector *dictionary = calloc(1, sizeof *dictionary);
    ck_assert_ptr_nonnull(dictionary);
    source->dictionaries[source->dictionary_count++] = dictionary;
    ck_assert_int_eq(floe_vector_init(dictionary, column->type, FLOE_BATCH_CAPACITY, NULL),
                     FLOE_OK);
    uint32_t *codes = malloc(batch->row_count * sizeof *codes);
    uint32_t entries = 0;
    for (uint32_t r = 0; r < batch->row_count; r++) {
        cell value = read_cell(column, r);
        value.null = false;
        uint32_t e = 0;
        while (e < entries) {
            cell known = read_cell(dictionary, e);
            if (cell_compare(column->type, &known, &value) == 0 &&
                (!is_float(column->type) || signbit(known.f) == signbit(value.f)))
                break;
            e++;
        }
        if (e == entries) write_cell(dictionary, entries++, &value);
        codes[r] = e;
    }
    memcpy(column->data, codes, batch->row_count * sizeof *codes);
    column->encoding = FLOE_VECTOR_DICTIONARY;
    column->dictionary = dictionary;
    free(codes);
}

static fake_source *fake_create(const table *t, uint32_t first, uint32_t last,
                                batch_options options)
{
    fake_source *source = calloc(1, sizeof *source);
    ck_assert_ptr_nonnull(source);
    source->base.vtable = &fake_vtable;
    source->base.column_count = COLUMN_COUNT;
    source->base.types = column_types;
    source->fail_at = -1;
    uint32_t row = first;
    while (row < last || source->batch_count == 0) {
        if (source->batch_count == source->batch_capacity) {
            source->batch_capacity = source->batch_capacity * 2 + 8;
            source->batches = realloc(source->batches,
                                      source->batch_capacity * sizeof *source->batches);
            ck_assert_ptr_nonnull(source->batches);
        }
        uint32_t b = source->batch_count++;
        floe_batch *batch = &source->batches[b];
        ck_assert_int_eq(floe_batch_init(batch, COLUMN_COUNT, column_types, NULL), FLOE_OK);
        /* sizes from 0 to a full batch; an empty batch now and then */
        uint32_t size = chance(10) ? 0 : 1 + below(chance(50) ? 64 : FLOE_BATCH_CAPACITY);
        bool junk = options.selections && chance(50);
        uint32_t live = 0, r = 0;
        while (r < FLOE_BATCH_CAPACITY && live < size && row < last) {
            bool is_junk = junk && chance(30);
            cell values[COLUMN_COUNT];
            if (is_junk) {
                for (uint32_t c = 0; c < COLUMN_COUNT; c++) values[c] = random_cell(c, 1000, 0);
            } else {
                memcpy(values, table_row(t, row), sizeof values);
            }
            for (uint32_t c = 0; c < COLUMN_COUNT; c++)
                write_cell(&batch->columns[c], r, &values[c]);
            batch->weight_storage[r] = is_junk ? 99 : t->weights[row];
            if (!is_junk) {
                ck_assert(options.weights || t->weights[row] == 1);
                batch->selection_storage[live++] = (uint16_t)r;
                row++;
            }
            r++;
        }
        batch->row_count = r;
        if (junk) {
            batch->selection = batch->selection_storage;
            batch->selected_count = live;
        }
        if (options.weights) batch->weights = batch->weight_storage;
        if (options.dictionaries && r > 0)
            for (uint32_t c = 0; c < COLUMN_COUNT; c++)
                if ((c == K_STR || c == V_STR || c == K_INT || c == V_DEC || c == K_WIDE) &&
                    chance(40))
                    encode_dictionary(source, b, c);
        if (row >= last) break;
    }
    return source;
}

/* ---- plans ---- */

static floe_arena arena;

typedef struct call_spec {
    floe_sql_aggregate_function function;
    bool distinct;
    uint32_t column;   /* argument column (unused for COUNT(*)) */
    bool plus_one;     /* the argument is column + 1 (an evaluated expression, V_BIG only) */
} call_spec;

static floe_type result_type_of(const call_spec *call)
{
    floe_type argument = column_type(call->column);
    switch (call->function) {
    case FLOE_SQL_AGGREGATE_COUNT_STAR:
    case FLOE_SQL_AGGREGATE_COUNT: return floe_type_make(FLOE_TYPE_INT64);
    case FLOE_SQL_AGGREGATE_AVG: return floe_type_make(FLOE_TYPE_FLOAT64);
    case FLOE_SQL_AGGREGATE_SUM:
        if (is_float(argument)) return floe_type_make(FLOE_TYPE_FLOAT64);
        return floe_type_decimal(38, argument.id == FLOE_TYPE_DECIMAL ? argument.scale : 0);
    default: return argument;
    }
}

static floe_sql_plan *aggregate_plan(const uint32_t *keys, uint32_t key_count,
                                     const call_spec *calls, uint32_t call_count)
{
    floe_sql_plan *input = floe_sql_plan_create(&arena, FLOE_SQL_PLAN_VALUES, 0, COLUMN_COUNT);
    floe_sql_plan *node =
        floe_sql_plan_create(&arena, FLOE_SQL_PLAN_AGGREGATE, 1, key_count + call_count);
    ck_assert(input != NULL && node != NULL);
    node->inputs[0] = input;
    node->u.aggregate.group_count = key_count;
    node->u.aggregate.call_count = call_count;
    node->u.aggregate.groups = floe_arena_alloc_zero(&arena, (key_count + 1) * sizeof(void *));
    node->u.aggregate.calls =
        floe_arena_alloc_zero(&arena, (call_count + 1) * sizeof(floe_sql_aggregate_call));
    for (uint32_t k = 0; k < key_count; k++) {
        node->u.aggregate.groups[k] =
            floe_sql_expression_column(&arena, keys[k], column_type(keys[k]), true);
        node->output.columns[k] = (floe_sql_column){"key", column_type(keys[k]), true};
    }
    for (uint32_t c = 0; c < call_count; c++) {
        floe_sql_aggregate_call *call = &node->u.aggregate.calls[c];
        call->function = calls[c].function;
        call->distinct = calls[c].distinct;
        call->type = result_type_of(&calls[c]);
        call->nullable = calls[c].function != FLOE_SQL_AGGREGATE_COUNT &&
                         calls[c].function != FLOE_SQL_AGGREGATE_COUNT_STAR;
        if (calls[c].function != FLOE_SQL_AGGREGATE_COUNT_STAR) {
            floe_type type = column_type(calls[c].column);
            floe_sql_expression *argument =
                floe_sql_expression_column(&arena, calls[c].column, type, true);
            if (calls[c].plus_one) {
                floe_sql_expression *one =
                    floe_sql_expression_constant(&arena, floe_sql_value_int64(1));
                floe_sql_expression *children[2] = {argument, one};
                argument = floe_sql_expression_node(&arena, FLOE_SQL_EXPRESSION_BINARY, type, true,
                                                    2, children);
                argument->operator_kind = FLOE_SQL_OPERATOR_ADD;
            }
            call->argument = argument;
        }
        node->output.columns[key_count + c] = (floe_sql_column){"call", call->type, call->nullable};
    }
    return node;
}

/* ---- the naive recomputation ---- */

typedef struct result_rows {
    cell *cells; /* rows * width */
    uint32_t width;
    uint32_t rows;
    uint32_t capacity;
    const floe_type *types;
    uint32_t key_count;
} result_rows;

static void result_add(result_rows *result, const cell *row)
{
    if (result->rows == result->capacity) {
        result->capacity = result->capacity ? result->capacity * 2 : 64;
        result->cells =
            realloc(result->cells, (size_t)result->capacity * result->width * sizeof(cell));
        ck_assert_ptr_nonnull(result->cells);
    }
    memcpy(&result->cells[(size_t)result->rows++ * result->width], row,
           result->width * sizeof(cell));
}

static const result_rows *sorting;

static int compare_result_rows(const void *left, const void *right)
{
    const cell *a = left, *b = right;
    for (uint32_t k = 0; k < sorting->key_count; k++) {
        int order = cell_compare(sorting->types[k], &a[k], &b[k]);
        if (order != 0) return order;
    }
    return 0;
}

static void result_sort(result_rows *result)
{
    sorting = result;
    qsort(result->cells, result->rows, result->width * sizeof(cell), compare_result_rows);
}

/* A value with its net weight, for MIN/MAX and DISTINCT. */
typedef struct weighted_value {
    cell value;
    int64_t weight;
} weighted_value;

static cell argument_of(const cell *row, const call_spec *call)
{
    cell value = row[call->column];
    if (call->plus_one && !value.null) value.i += 1;
    return value;
}

static floe_type sorting_type;

static int compare_weighted(const void *left, const void *right)
{
    return cell_compare(sorting_type, &((const weighted_value *)left)->value,
                        &((const weighted_value *)right)->value);
}

/* Values of one call over a group's rows, merged by equality, with net weights. */
static uint32_t net_values(const table *t, const uint32_t *rows, uint32_t row_count,
                           const call_spec *call, weighted_value *out)
{
    uint32_t count = 0;
    for (uint32_t i = 0; i < row_count; i++) {
        cell value = argument_of(table_row(t, rows[i]), call);
        if (!value.null) out[count++] = (weighted_value){value, t->weights[rows[i]]};
    }
    sorting_type = column_type(call->column);
    qsort(out, count, sizeof *out, compare_weighted);
    uint32_t merged = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (merged > 0 && compare_weighted(&out[merged - 1], &out[i]) == 0)
            out[merged - 1].weight += out[i].weight;
        else
            out[merged++] = out[i];
    }
    return merged;
}

static double power10(unsigned n)
{
    double v = 1.0;
    while (n-- > 0) v *= 10.0;
    return v;
}

static cell naive_call(const table *t, const uint32_t *rows, uint32_t row_count,
                       const call_spec *call, weighted_value *scratch)
{
    cell result;
    memset(&result, 0, sizeof result);
    floe_type type = column_type(call->column);
    if (call->function == FLOE_SQL_AGGREGATE_COUNT_STAR) {
        for (uint32_t i = 0; i < row_count; i++) result.i += t->weights[rows[i]];
        return result;
    }
    uint32_t values = net_values(t, rows, row_count, call, scratch);
    bool distinct = call->distinct;
    if (call->function == FLOE_SQL_AGGREGATE_MIN || call->function == FLOE_SQL_AGGREGATE_MAX) {
        result.null = true;
        for (uint32_t e = 0; e < values; e++) {
            if (scratch[e].weight <= 0) continue;
            int order = result.null ? 0 : cell_compare(type, &scratch[e].value, &result);
            if (result.null || (call->function == FLOE_SQL_AGGREGATE_MIN ? order < 0 : order > 0))
                result = scratch[e].value;
        }
        /* MIN/MAX of -0.0 and 0.0 (equal): compare as numbers only */
        return result;
    }
    int64_t count = 0;
    floe_int128 sum = 0;
    double sum_double = 0;
    for (uint32_t e = 0; e < values; e++) {
        int64_t weight = scratch[e].weight;
        if (distinct) {
            if (weight <= 0) continue;
            weight = 1;
        }
        count += weight;
        const cell *v = &scratch[e].value;
        if (is_float(type)) sum_double += v->f * (double)weight;
        else if (is_wide(type)) sum += v->w * weight;
        else sum += (floe_int128)v->i * weight;
    }
    switch (call->function) {
    case FLOE_SQL_AGGREGATE_COUNT: result.i = count; break;
    case FLOE_SQL_AGGREGATE_SUM:
        result.null = count == 0;
        if (is_float(type)) result.f = sum_double;
        else result.w = sum;
        break;
    case FLOE_SQL_AGGREGATE_AVG: {
        result.null = count == 0;
        double total = is_float(type) ? sum_double : (double)sum;
        if (type.id == FLOE_TYPE_DECIMAL) total /= power10(type.scale);
        result.f = count == 0 ? 0 : total / (double)count;
        break;
    }
    default: break;
    }
    return result;
}

static const table *sorting_table;
static const uint32_t *sorting_keys;
static uint32_t sorting_key_count;

static int compare_rows_by_key(const void *left, const void *right)
{
    uint32_t a = *(const uint32_t *)left, b = *(const uint32_t *)right;
    for (uint32_t k = 0; k < sorting_key_count; k++) {
        uint32_t column = sorting_keys[k];
        int order = cell_compare(column_types[column], &table_row(sorting_table, a)[column],
                                 &table_row(sorting_table, b)[column]);
        if (order != 0) return order;
    }
    return (a > b) - (a < b);
}

/* The expected rows of the aggregate over every row of t. */
static void naive_aggregate(const table *t, const uint32_t *keys, uint32_t key_count,
                            const call_spec *calls, uint32_t call_count, const floe_type *types,
                            result_rows *out)
{
    memset(out, 0, sizeof *out);
    out->width = key_count + call_count;
    out->types = types;
    out->key_count = key_count;
    /* group rows by key: sort row indexes by key, then walk runs */
    uint32_t *order = malloc((t->rows + 1) * sizeof *order);
    for (uint32_t r = 0; r < t->rows; r++) order[r] = r;
    sorting_table = t;
    sorting_keys = keys;
    sorting_key_count = key_count;
    qsort(order, t->rows, sizeof *order, compare_rows_by_key);
    weighted_value *scratch = malloc((t->rows + 1) * sizeof *scratch);
    cell *row = malloc((out->width + 1) * sizeof *row);
    uint32_t start = 0;
    while (start < t->rows || (key_count == 0 && start == 0)) {
        uint32_t end = start + 1;
        if (key_count == 0) end = t->rows;
        while (end < t->rows) {
            int cmp = 0;
            for (uint32_t k = 0; k < key_count && cmp == 0; k++)
                cmp = cell_compare(column_types[keys[k]], &table_row(t, order[start])[keys[k]],
                                   &table_row(t, order[end])[keys[k]]);
            if (cmp != 0) break;
            end++;
        }
        int64_t row_count = 0;
        for (uint32_t i = start; i < end; i++) row_count += t->weights[order[i]];
        if (key_count == 0 || row_count > 0) {
            for (uint32_t k = 0; k < key_count; k++) row[k] = table_row(t, order[start])[keys[k]];
            for (uint32_t c = 0; c < call_count; c++)
                row[key_count + c] = naive_call(t, order + start, end - start, &calls[c], scratch);
            result_add(out, row);
        }
        start = end;
        if (key_count == 0) break;
    }
    free(order);
    free(scratch);
    free(row);
    result_sort(out);
}

static void collect_batch(const floe_batch *batch, result_rows *out)
{
    cell *row = malloc((out->width + 1) * sizeof *row);
    ck_assert_uint_eq(batch->column_count, out->width);
    ck_assert_ptr_null(batch->selection);
    for (uint32_t r = 0; r < batch->row_count; r++) {
        for (uint32_t c = 0; c < out->width; c++) row[c] = read_cell(&batch->columns[c], r);
        result_add(out, row);
    }
    free(row);
}

/* Every batch of the operator. */
static int run_operator(floe_eng_operator *op, result_rows *out, floe_error *err)
{
    floe_batch *batch;
    int status;
    while ((status = floe_eng_operator_next(op, &batch, err)) == FLOE_OK && batch != NULL)
        collect_batch(batch, out);
    result_sort(out);
    return status;
}

static bool near(double a, double b)
{
    if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
    return fabs(a - b) <= 1e-9 * fmax(1.0, fmax(fabs(a), fabs(b)));
}

static void format_cell(floe_type type, const cell *c, char *text, size_t size)
{
    if (c->null) snprintf(text, size, "NULL");
    else if (is_text(type)) snprintf(text, size, "'%.*s'", (int)c->length, c->s);
    else if (is_float(type)) snprintf(text, size, "%.17g", c->f);
    else if (is_wide(type)) snprintf(text, size, "%lld*2^64+%llu", (long long)(c->w >> 64),
                                     (unsigned long long)(uint64_t)c->w);
    else snprintf(text, size, "%lld", (long long)c->i);
}

static void expect_equal_results(const result_rows *expected, const result_rows *actual,
                                 const char *what)
{
    ck_assert_msg(expected->rows == actual->rows, "%s: %u rows expected, %u emitted", what,
                  expected->rows, actual->rows);
    for (uint32_t r = 0; r < expected->rows; r++) {
        const cell *e = &expected->cells[(size_t)r * expected->width];
        const cell *a = &actual->cells[(size_t)r * actual->width];
        for (uint32_t c = 0; c < expected->width; c++) {
            floe_type type = actual->types[c];
            bool same = e[c].null == a[c].null;
            if (same && !e[c].null) {
                if (is_float(type)) same = near(e[c].f, a[c].f);
                else same = cell_compare(type, &e[c], &a[c]) == 0;
            }
            if (!same) {
                char want[96], got[96];
                format_cell(type, &e[c], want, sizeof want);
                format_cell(type, &a[c], got, sizeof got);
                ck_abort_msg("%s: row %u column %u: expected %s, got %s", what, r, c, want, got);
            }
        }
    }
}

static void result_free(result_rows *result)
{
    free(result->cells);
    memset(result, 0, sizeof *result);
}

/* ---- fixtures ---- */

static void setup(void)
{
    floe_arena_init(&arena, 1 << 16, 0);
    for (uint32_t c = 0; c < COLUMN_COUNT; c++) column_types[c] = column_type(c);
    rng_state = 0x9E3779B97F4A7C15ull;
}

static void teardown(void) { floe_arena_fini(&arena); }

/* Every aggregate over every value column, a few DISTINCT, and an evaluated argument. */
static const call_spec every_call[] = {
    {FLOE_SQL_AGGREGATE_COUNT_STAR, false, 0, false},
    {FLOE_SQL_AGGREGATE_COUNT, false, V_STR, false},
    {FLOE_SQL_AGGREGATE_COUNT, false, V_DBL, false},
    {FLOE_SQL_AGGREGATE_SUM, false, V_INT, false},
    {FLOE_SQL_AGGREGATE_SUM, false, V_BIG, false},
    {FLOE_SQL_AGGREGATE_SUM, false, V_BIG, true},
    {FLOE_SQL_AGGREGATE_SUM, false, V_DBL, false},
    {FLOE_SQL_AGGREGATE_SUM, false, V_FLT, false},
    {FLOE_SQL_AGGREGATE_SUM, false, V_DEC, false},
    {FLOE_SQL_AGGREGATE_SUM, false, V_WIDE, false},
    {FLOE_SQL_AGGREGATE_AVG, false, V_INT, false},
    {FLOE_SQL_AGGREGATE_AVG, false, V_DBL, false},
    {FLOE_SQL_AGGREGATE_AVG, false, V_DEC, false},
    {FLOE_SQL_AGGREGATE_AVG, false, V_WIDE, false},
    {FLOE_SQL_AGGREGATE_MIN, false, V_INT, false},
    {FLOE_SQL_AGGREGATE_MAX, false, V_BIG, false},
    {FLOE_SQL_AGGREGATE_MIN, false, V_DBL, false},
    {FLOE_SQL_AGGREGATE_MAX, false, V_FLT, false},
    {FLOE_SQL_AGGREGATE_MIN, false, V_DEC, false},
    {FLOE_SQL_AGGREGATE_MAX, false, V_WIDE, false},
    {FLOE_SQL_AGGREGATE_MIN, false, V_WIDE, false},
    {FLOE_SQL_AGGREGATE_MIN, false, V_STR, false},
    {FLOE_SQL_AGGREGATE_MAX, false, V_STR, false},
    {FLOE_SQL_AGGREGATE_MAX, false, V_DATE, false},
    {FLOE_SQL_AGGREGATE_MIN, false, K_BOOL, false},
    {FLOE_SQL_AGGREGATE_COUNT, true, V_STR, false},
    {FLOE_SQL_AGGREGATE_COUNT, true, V_DEC, false},
    {FLOE_SQL_AGGREGATE_COUNT, true, V_DBL, false},
    {FLOE_SQL_AGGREGATE_SUM, true, V_DEC, false},
    {FLOE_SQL_AGGREGATE_SUM, true, V_WIDE, false},
    {FLOE_SQL_AGGREGATE_AVG, true, V_FLT, false},
    {FLOE_SQL_AGGREGATE_COUNT, true, V_WIDE, false},
    {FLOE_SQL_AGGREGATE_MAX, true, V_STR, false},
};
enum { EVERY_CALL = sizeof every_call / sizeof every_call[0] };

typedef struct key_set {
    uint32_t keys[4];
    uint32_t count;
    uint32_t cardinality;
} key_set;

static const key_set key_sets[] = {
    {{K_INT}, 1, 40},
    {{K_STR}, 1, 30},
    {{K_INT, K_STR, K_BOOL}, 3, 6},
    {{K_DEC, K_DATE}, 2, 8},
    {{K_WIDE}, 1, 25},
    {{K_DBL}, 1, 9},
    {{K_BOOL}, 1, 2},
    {{K_DATE}, 1, 3000}, /* mostly one row a group */
    {{0}, 0, 10},         /* no GROUP BY */
};
enum { KEY_SETS = sizeof key_sets / sizeof key_sets[0] };

/* Builds the operator over a fake source (or two, parallel) of t's rows. */
static floe_eng_operator *make_operator(const floe_sql_plan *plan, const table *t,
                                        batch_options options, uint32_t pipelines,
                                        floe_eng_context *context)
{
    floe_eng_operator *op = NULL;
    floe_error err;
    if (pipelines == 1) {
        floe_eng_operator *inputs[1] = {&fake_create(t, 0, t->rows, options)->base};
        ck_assert_msg(floe_eng_aggregate_create(plan, inputs, context, 0, 1, &op, &err) == FLOE_OK,
                      "%s", err.message);
        return op;
    }
    floe_eng_operator *inputs[4];
    /* uneven split: the pipelines see different groups and different halves of the deltas */
    uint32_t cut = t->rows / 3;
    inputs[0] = &fake_create(t, 0, cut, options)->base;
    inputs[1] = &fake_create(t, cut, t->rows, options)->base;
    int status = floe_eng_aggregate_create_parallel(plan, inputs, 2, context, &op, &err);
    ck_assert_msg(status == FLOE_OK, "%s", err.message);
    return op;
}

static void check_against_naive(const table *t, const key_set *keys, batch_options options,
                                uint32_t pipelines, const char *what)
{
    floe_sql_plan *plan = aggregate_plan(keys->keys, keys->count, every_call, EVERY_CALL);
    floe_type types[64];
    for (uint32_t c = 0; c < plan->output.column_count; c++)
        types[c] = plan->output.columns[c].type;
    result_rows expected, actual;
    naive_aggregate(t, keys->keys, keys->count, every_call, EVERY_CALL, types, &expected);
    memset(&actual, 0, sizeof actual);
    actual.width = expected.width;
    actual.types = types;
    actual.key_count = keys->count;

    floe_eng_context context;
    floe_eng_context_init(&context, ".");
    floe_eng_operator *op = make_operator(plan, t, options, pipelines, &context);
    ck_assert_uint_eq(op->column_count, expected.width);
    floe_error err;
    int status = run_operator(op, &actual, &err);
    ck_assert_msg(status == FLOE_OK, "%s: %s", what, err.message);
    expect_equal_results(&expected, &actual, what);
    ck_assert_uint_gt(atomic_load(&context.memory_used), 0);
    floe_eng_operator_destroy(op);
    ck_assert_uint_eq(atomic_load(&context.memory_used), 0);
    floe_eng_context_fini(&context);
    result_free(&expected);
    result_free(&actual);
}

/* ---- tests ---- */

START_TEST(random_rows_match_naive_recomputation)
{
    rng_state += (uint64_t)_i * 7919;
    const key_set *keys = &key_sets[_i % KEY_SETS];
    table t = {0};
    table_random(&t, 1500 + below(3000), keys->cardinality);
    char what[64];
    snprintf(what, sizeof what, "key set %d", _i % KEY_SETS);
    batch_options options = {.selections = true, .dictionaries = _i >= KEY_SETS};
    check_against_naive(&t, keys, options, 1, what);
    table_free(&t);
}
END_TEST

START_TEST(retractions_and_multiplicities_match_naive)
{
    rng_state += (uint64_t)_i * 104729;
    const key_set *keys = &key_sets[_i % KEY_SETS];
    table t = {0};
    table_random(&t, 1000 + below(2000), keys->cardinality);
    table_retract(&t, t.rows / 3);
    /* multiplicities: some rows weigh 2 or 3 and one retraction takes them all */
    for (uint32_t n = 0; n < 50; n++) {
        cell row[COLUMN_COUNT];
        memcpy(row, table_row(&t, below(t.rows)), sizeof row);
        int64_t weight = 2 + below(2);
        table_add(&t, row, weight);
        if (chance(50)) table_add(&t, row, -weight);
    }
    char what[64];
    snprintf(what, sizeof what, "weighted key set %d", _i % KEY_SETS);
    batch_options options = {.selections = true, .dictionaries = true, .weights = true};
    check_against_naive(&t, keys, options, 1, what);
    snprintf(what, sizeof what, "weighted key set %d, 2 pipelines", _i % KEY_SETS);
    check_against_naive(&t, keys, options, 2, what);
    table_free(&t);
}
END_TEST

START_TEST(parallel_pipelines_equal_serial)
{
    rng_state += (uint64_t)_i * 31;
    const key_set *keys = &key_sets[_i % KEY_SETS];
    table t = {0};
    table_random(&t, 3000 + below(3000), keys->cardinality * 4);
    char what[64];
    snprintf(what, sizeof what, "key set %d, 2 pipelines", _i % KEY_SETS);
    batch_options options = {.selections = true, .dictionaries = true};
    check_against_naive(&t, keys, options, 2, what);
    table_free(&t);
}
END_TEST

/* ---- the group state directly ---- */

static floe_vector vectors[COLUMN_COUNT];

static void vectors_init(void)
{
    for (uint32_t c = 0; c < COLUMN_COUNT; c++)
        ck_assert_int_eq(floe_vector_init(&vectors[c], column_types[c], FLOE_BATCH_CAPACITY, NULL),
                         FLOE_OK);
}

static void vectors_fini(void)
{
    for (uint32_t c = 0; c < COLUMN_COUNT; c++) floe_vector_fini(&vectors[c]);
}

static cell int_cell(int64_t v) { cell c; memset(&c, 0, sizeof c); c.i = v; return c; }
static cell null_cell(void) { cell c; memset(&c, 0, sizeof c); c.null = true; return c; }
static cell wide_cell(floe_int128 v) { cell c; memset(&c, 0, sizeof c); c.w = v; return c; }
static cell text_cell(const char *s)
{
    cell c;
    memset(&c, 0, sizeof c);
    c.length = (uint32_t)strlen(s);
    memcpy(c.s, s, c.length);
    return c;
}

/* One update of `count` rows: key K_INT, values in V_INT, V_STR and V_WIDE, all weight w. */
static void update_rows(floe_eng_group_state *state, const int64_t *keys, const int64_t *values,
                        const char *const *strings, const floe_int128 *wides, uint32_t count,
                        int64_t weight)
{
    int64_t weights[FLOE_BATCH_CAPACITY];
    for (uint32_t c = 0; c < COLUMN_COUNT; c++) floe_vector_reset(&vectors[c]);
    for (uint32_t r = 0; r < count; r++) {
        cell k = int_cell(keys[r]), v = int_cell(values[r]);
        cell s = strings != NULL && strings[r] != NULL ? text_cell(strings[r]) : null_cell();
        cell w = wides != NULL ? wide_cell(wides[r]) : null_cell();
        write_cell(&vectors[K_INT], r, &k);
        write_cell(&vectors[V_INT], r, &v);
        write_cell(&vectors[V_STR], r, &s);
        write_cell(&vectors[V_WIDE], r, &w);
        weights[r] = weight;
    }
    const floe_vector *key_columns[1] = {&vectors[K_INT]};
    const floe_vector *arguments[8] = {NULL,          &vectors[V_INT], &vectors[V_INT],
                                       &vectors[V_STR], &vectors[V_STR], &vectors[V_WIDE],
                                       &vectors[V_WIDE], &vectors[V_INT]};
    floe_error err;
    ck_assert_msg(floe_eng_group_state_update(state, key_columns, arguments, weights, NULL, count,
                                              &err) == FLOE_OK,
                  "%s", err.message);
}

static const floe_eng_aggregate_spec extreme_specs[] = {
    {FLOE_SQL_AGGREGATE_COUNT_STAR, false, {0, 0, 0}},
    {FLOE_SQL_AGGREGATE_MIN, false, {FLOE_TYPE_INT32, 0, 0}},
    {FLOE_SQL_AGGREGATE_MAX, false, {FLOE_TYPE_INT32, 0, 0}},
    {FLOE_SQL_AGGREGATE_MIN, false, {FLOE_TYPE_STRING, 0, 0}},
    {FLOE_SQL_AGGREGATE_MAX, false, {FLOE_TYPE_STRING, 0, 0}},
    {FLOE_SQL_AGGREGATE_MIN, false, {FLOE_TYPE_DECIMAL, 30, 4}},
    {FLOE_SQL_AGGREGATE_MAX, false, {FLOE_TYPE_DECIMAL, 30, 4}},
    {FLOE_SQL_AGGREGATE_COUNT, true, {FLOE_TYPE_INT32, 0, 0}},
};

static floe_eng_group_state *extreme_state(floe_eng_context *context)
{
    floe_type key = column_type(K_INT);
    floe_eng_group_state *state;
    floe_error err;
    ck_assert_msg(floe_eng_group_state_create(&key, 1, extreme_specs, 8, context, &state, &err) ==
                      FLOE_OK,
                  "%s", err.message);
    return state;
}

/* The emitted rows of a state, sorted by key. */
static void emitted(const floe_eng_group_state *state, result_rows *out)
{
    uint32_t columns = floe_eng_group_state_column_count(state);
    memset(out, 0, sizeof *out);
    out->width = columns;
    out->types = floe_eng_group_state_column_types(state);
    out->key_count = 0; /* callers that sort set it */
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, columns, out->types, NULL), FLOE_OK);
    uint32_t cursor = 0;
    floe_error err;
    for (;;) {
        ck_assert_msg(floe_eng_group_state_emit(state, &cursor, &batch, &err) == FLOE_OK, "%s",
                      err.message);
        if (batch.row_count == 0) break;
        collect_batch(&batch, out);
    }
    floe_batch_fini(&batch);
}

static const cell *row_of_key(const result_rows *rows, int64_t key)
{
    for (uint32_t r = 0; r < rows->rows; r++) {
        const cell *row = &rows->cells[(size_t)r * rows->width];
        if (!row[0].null && row[0].i == key) return row;
    }
    return NULL;
}

START_TEST(min_max_survive_retracting_the_extreme)
{
    vectors_init();
    floe_eng_group_state *state = extreme_state(NULL);
    const int64_t keys[] = {1, 1, 1, 1, 2};
    const int64_t values[] = {5, 3, 9, 9, 7};
    const char *const strings[] = {"m", "a", "z", "zz", "q"};
    const floe_int128 wides[] = {50, -pow10_128(29), pow10_128(29), 30, 1};
    update_rows(state, keys, values, strings, wides, 5, 1);

    result_rows rows;
    emitted(state, &rows);
    const cell *g1 = row_of_key(&rows, 1);
    ck_assert_ptr_nonnull(g1);
    ck_assert_int_eq(g1[1].i, 4);
    ck_assert_int_eq(g1[2].i, 3);
    ck_assert_int_eq(g1[3].i, 9);
    ck_assert(g1[4].length == 1 && g1[4].s[0] == 'a');
    ck_assert(g1[5].length == 2 && memcmp(g1[5].s, "zz", 2) == 0);
    ck_assert(g1[6].w == -pow10_128(29));
    ck_assert(g1[7].w == pow10_128(29));
    ck_assert_int_eq(g1[8].i, 3); /* COUNT(DISTINCT): 5, 3, 9 */
    result_free(&rows);

    /* retract one of the two 9s: MAX stays 9; then the other: MAX falls back to 5 */
    const int64_t k1[] = {1};
    const int64_t nine[] = {9};
    const char *const zz[] = {"zz"};
    const floe_int128 top[] = {pow10_128(29)};
    update_rows(state, k1, nine, zz, top, 1, -1);
    emitted(state, &rows);
    g1 = row_of_key(&rows, 1);
    ck_assert_int_eq(g1[3].i, 9);
    ck_assert(g1[5].length == 1 && g1[5].s[0] == 'z');
    ck_assert(g1[7].w == 50);
    ck_assert_int_eq(g1[8].i, 3);
    result_free(&rows);

    const char *const z[] = {"z"};
    const floe_int128 fifty[] = {50};
    update_rows(state, k1, nine, z, fifty, 1, -1);
    emitted(state, &rows);
    g1 = row_of_key(&rows, 1);
    ck_assert_int_eq(g1[1].i, 2);
    ck_assert_int_eq(g1[2].i, 3);
    ck_assert_int_eq(g1[3].i, 5);
    ck_assert(g1[5].length == 1 && g1[5].s[0] == 'm');
    ck_assert(g1[7].w == 30);
    ck_assert_int_eq(g1[8].i, 2); /* 9 left the distinct set */
    result_free(&rows);

    /* retract the minimum: MIN moves up */
    const int64_t three[] = {3};
    const char *const a[] = {"a"};
    const floe_int128 low[] = {-pow10_128(29)};
    update_rows(state, k1, three, a, low, 1, -1);
    emitted(state, &rows);
    g1 = row_of_key(&rows, 1);
    ck_assert_int_eq(g1[2].i, 5);
    ck_assert(g1[4].length == 1 && g1[4].s[0] == 'm');
    ck_assert(g1[6].w == 30);
    result_free(&rows);

    /* retract the last row of group 1: the group disappears, group 2 stays */
    const int64_t five[] = {5};
    const char *const m[] = {"m"};
    const floe_int128 thirty[] = {30};
    ck_assert_uint_eq(floe_eng_group_state_group_count(state), 2);
    update_rows(state, k1, five, m, thirty, 1, -1);
    ck_assert_uint_eq(floe_eng_group_state_group_count(state), 1);
    emitted(state, &rows);
    ck_assert_uint_eq(rows.rows, 1);
    ck_assert_ptr_null(row_of_key(&rows, 1));
    ck_assert_ptr_nonnull(row_of_key(&rows, 2));
    result_free(&rows);

    /* the group comes back fresh: nothing of its old values survives */
    const int64_t eleven[] = {11};
    update_rows(state, k1, eleven, NULL, NULL, 1, 1);
    emitted(state, &rows);
    g1 = row_of_key(&rows, 1);
    ck_assert_int_eq(g1[1].i, 1);
    ck_assert_int_eq(g1[2].i, 11);
    ck_assert_int_eq(g1[3].i, 11);
    ck_assert(g1[4].null && g1[5].null && g1[6].null);
    ck_assert_int_eq(g1[8].i, 1);
    result_free(&rows);

    floe_eng_group_state_free(state);
    vectors_fini();
}
END_TEST

/* Retractions before their inserts (a partial state sees such orders): a group whose row count
 * passes through 0 keeps what it still holds; remove_empty_groups drops what an inconsistent
 * delta leaves behind. */
START_TEST(groups_go_only_when_empty)
{
    vectors_init();
    floe_eng_group_state *state = extreme_state(NULL);
    const int64_t k1[] = {1}, k2[] = {2};
    const int64_t v5[] = {5}, v6[] = {6};
    const char *const a[] = {"a"};
    update_rows(state, k1, v5, NULL, NULL, 1, 1);   /* (1, 5, NULL) */
    update_rows(state, k1, v6, a, NULL, 1, -1);     /* retract (1, 6, 'a') before its insert */
    ck_assert_uint_eq(floe_eng_group_state_group_count(state), 1); /* row count 0, kept */
    result_rows rows;
    emitted(state, &rows);
    ck_assert_uint_eq(rows.rows, 0); /* and not emitted */
    result_free(&rows);
    /* ... unless asked for by id: COUNT(*) 0, MIN 5 (6 is at -1), MAX 5, no string */
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, 9, floe_eng_group_state_column_types(state), NULL),
                     FLOE_OK);
    uint32_t ids[2] = {0, 1};
    floe_error err;
    ck_assert_int_eq(floe_eng_group_state_emit_groups(state, ids, 1, &batch, &err), FLOE_OK);
    ck_assert_uint_eq(batch.row_count, 1);
    ck_assert_int_eq(read_cell(&batch.columns[0], 0).i, 1);
    ck_assert_int_eq(read_cell(&batch.columns[1], 0).i, 0);
    ck_assert_int_eq(read_cell(&batch.columns[2], 0).i, 5);
    ck_assert_int_eq(read_cell(&batch.columns[3], 0).i, 5);
    ck_assert(read_cell(&batch.columns[4], 0).null);
    ck_assert_int_eq(floe_eng_group_state_emit_groups(state, ids, 2, &batch, &err), FLOE_EINVAL);
    ck_assert_str_eq(err.message, "aggregate state: group 1 of 1");
    floe_batch_fini(&batch);
    update_rows(state, k1, v6, a, NULL, 1, 1);      /* the insert arrives */
    emitted(state, &rows);
    const cell *g1 = row_of_key(&rows, 1);
    ck_assert_int_eq(g1[1].i, 1);
    ck_assert_int_eq(g1[2].i, 5);
    ck_assert_int_eq(g1[3].i, 5);
    ck_assert(g1[4].null);
    ck_assert_int_eq(g1[8].i, 1);
    result_free(&rows);
    update_rows(state, k1, v5, NULL, NULL, 1, -1);  /* the last row goes: the group goes */
    ck_assert_uint_eq(floe_eng_group_state_group_count(state), 0);

    /* an inconsistent delta: row count 0, a MIN/MAX value and a DISTINCT value still held */
    update_rows(state, k2, v5, NULL, NULL, 1, 1);
    update_rows(state, k2, v6, a, NULL, 1, -1);
    update_rows(state, k1, v5, NULL, NULL, 1, 1);
    ck_assert_uint_eq(floe_eng_group_state_group_count(state), 2);
    ck_assert_int_eq(floe_eng_group_state_remove_empty_groups(state, NULL), FLOE_OK);
    ck_assert_uint_eq(floe_eng_group_state_group_count(state), 1);
    emitted(state, &rows);
    ck_assert_uint_eq(rows.rows, 1);
    ck_assert_ptr_nonnull(row_of_key(&rows, 1));
    result_free(&rows);
    /* the distinct value left behind under group 2's serial is not exported */
    floe_eng_group_state_flat flat;
    ck_assert_int_eq(floe_eng_group_state_export(state, &flat, NULL), FLOE_OK);
    ck_assert_uint_eq(flat.calls[7].entries.count, 1);
    ck_assert_uint_eq(flat.calls[7].entries.groups[0], 0);
    floe_eng_group_state_flat_fini(&flat);
    floe_eng_group_state_free(state);

    /* only a MIN value still held: (7, 5, +1), (7, 6, -1), then (7, 6, +1) gives MIN 5 */
    static const floe_eng_aggregate_spec min_only[] = {
        {FLOE_SQL_AGGREGATE_COUNT_STAR, false, {0, 0, 0}},
        {FLOE_SQL_AGGREGATE_MIN, false, {FLOE_TYPE_INT32, 0, 0}},
    };
    floe_type key = column_type(K_INT);
    ck_assert_int_eq(floe_eng_group_state_create(&key, 1, min_only, 2, NULL, &state, NULL),
                     FLOE_OK);
    const floe_vector *key_columns[1] = {&vectors[K_INT]};
    const floe_vector *arguments[2] = {NULL, &vectors[V_INT]};
    const int64_t sequence[3][2] = {{5, 1}, {6, -1}, {6, 1}};
    for (uint32_t step = 0; step < 3; step++) {
        floe_vector_reset(&vectors[K_INT]);
        floe_vector_reset(&vectors[V_INT]);
        cell k = int_cell(7), v = int_cell(sequence[step][0]);
        write_cell(&vectors[K_INT], 0, &k);
        write_cell(&vectors[V_INT], 0, &v);
        ck_assert_int_eq(floe_eng_group_state_update(state, key_columns, arguments,
                                                     &sequence[step][1], NULL, 1, NULL),
                         FLOE_OK);
    }
    emitted(state, &rows);
    ck_assert_uint_eq(rows.rows, 1);
    ck_assert_int_eq(rows.cells[1].i, 1);
    ck_assert_int_eq(rows.cells[2].i, 5);
    result_free(&rows);
    floe_eng_group_state_free(state);

    /* only DISTINCT values still held (both retracted first, no count crossed zero), then
     * (5, +1), (6, +2), (NULL, -1): 5 nets to 0, 6 to +1, so COUNT(DISTINCT) is 1 */
    static const floe_eng_aggregate_spec distinct_only[] = {
        {FLOE_SQL_AGGREGATE_COUNT, true, {FLOE_TYPE_INT32, 0, 0}},
    };
    ck_assert_int_eq(floe_eng_group_state_create(&key, 1, distinct_only, 1, NULL, &state, NULL),
                     FLOE_OK);
    const int64_t rows_in[6][2] = {{5, -1}, {6, -1}, {-1, 2}, {5, 1}, {6, 2}, {-1, -1}};
    for (uint32_t step = 0; step < 6; step++) {
        floe_vector_reset(&vectors[K_INT]);
        floe_vector_reset(&vectors[V_INT]);
        cell k = int_cell(7), v = rows_in[step][0] < 0 ? null_cell() : int_cell(rows_in[step][0]);
        write_cell(&vectors[K_INT], 0, &k);
        write_cell(&vectors[V_INT], 0, &v);
        ck_assert_int_eq(floe_eng_group_state_update(state, key_columns, &arguments[1],
                                                     &rows_in[step][1], NULL, 1, NULL),
                         FLOE_OK);
        ck_assert_uint_eq(floe_eng_group_state_group_count(state), 1);
    }
    emitted(state, &rows);
    ck_assert_uint_eq(rows.rows, 1);
    ck_assert_int_eq(rows.cells[1].i, 1);
    result_free(&rows);
    floe_eng_group_state_free(state);
    vectors_fini();
}
END_TEST

/* The context sees MIN/MAX values as they come (their entries are most of such a state). */
START_TEST(memory_accounting_follows_min_max_values)
{
    vectors_init();
    static const floe_eng_aggregate_spec specs[] = {
        {FLOE_SQL_AGGREGATE_MAX, false, {FLOE_TYPE_STRING, 0, 0}},
        {FLOE_SQL_AGGREGATE_MIN, false, {FLOE_TYPE_INT32, 0, 0}},
    };
    floe_eng_context context;
    floe_eng_context_init(&context, ".");
    floe_eng_group_state *state;
    ck_assert_int_eq(floe_eng_group_state_create(NULL, 0, specs, 2, &context, &state, NULL),
                     FLOE_OK);
    size_t empty = atomic_load(&context.memory_used);
    const floe_vector *arguments[2] = {&vectors[V_STR], &vectors[V_INT]};
    for (uint32_t start = 0; start < 100000; start += FLOE_BATCH_CAPACITY) {
        floe_vector_reset(&vectors[V_STR]);
        floe_vector_reset(&vectors[V_INT]);
        for (uint32_t r = 0; r < FLOE_BATCH_CAPACITY; r++) {
            cell text;
            memset(&text, 0, sizeof text);
            text.length = (uint32_t)snprintf(text.s, sizeof text.s, "value number %08u", start + r);
            cell number = int_cell(start + r);
            write_cell(&vectors[V_STR], r, &text);
            write_cell(&vectors[V_INT], r, &number);
        }
        ck_assert_int_eq(floe_eng_group_state_update(state, NULL, arguments, NULL, NULL,
                                                     FLOE_BATCH_CAPACITY, NULL),
                         FLOE_OK);
    }
    /* 100k entries of 32 bytes in each multiset, plus 21-byte strings */
    size_t held = atomic_load(&context.memory_used) - empty;
    ck_assert_msg(held >= 100000 * (2 * 32 + 21), "%zu bytes accounted", held);
    ck_assert_msg(held <= 100000 * (2 * 64 + 21 + 16) * 2, "%zu bytes accounted", held);
    floe_eng_group_state_free(state);
    ck_assert_uint_eq(atomic_load(&context.memory_used), 0);
    floe_eng_context_fini(&context);
    vectors_fini();
}
END_TEST

START_TEST(distinct_counts_cross_zero)
{
    vectors_init();
    static const floe_eng_aggregate_spec specs[] = {
        {FLOE_SQL_AGGREGATE_COUNT, true, {FLOE_TYPE_INT32, 0, 0}},
        {FLOE_SQL_AGGREGATE_SUM, true, {FLOE_TYPE_INT32, 0, 0}},
        {FLOE_SQL_AGGREGATE_AVG, true, {FLOE_TYPE_INT32, 0, 0}},
        {FLOE_SQL_AGGREGATE_SUM, false, {FLOE_TYPE_INT32, 0, 0}},
    };
    floe_eng_group_state *state;
    ck_assert_int_eq(floe_eng_group_state_create(NULL, 0, specs, 4, NULL, &state, NULL), FLOE_OK);
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, 4, floe_eng_group_state_column_types(state), NULL),
                     FLOE_OK);
    const floe_vector *arguments[4] = {&vectors[V_INT], &vectors[V_INT], &vectors[V_INT],
                                       &vectors[V_INT]};
    /* 4, 4, 4, 6, NULL then retract one 4, then the 6 with weight -1 and a 4 with weight +2 */
    const int64_t values[] = {4, 4, 4, 6, 0};
    floe_vector_reset(&vectors[V_INT]);
    for (uint32_t r = 0; r < 5; r++) {
        cell v = r == 4 ? null_cell() : int_cell(values[r]);
        write_cell(&vectors[V_INT], r, &v);
    }
    ck_assert_int_eq(floe_eng_group_state_update(state, NULL, arguments, NULL, NULL, 5, NULL),
                     FLOE_OK);
    uint32_t cursor = 0;
    ck_assert_int_eq(floe_eng_group_state_emit(state, &cursor, &batch, NULL), FLOE_OK);
    ck_assert_uint_eq(batch.row_count, 1);
    ck_assert_int_eq(read_cell(&batch.columns[0], 0).i, 2);
    ck_assert(read_cell(&batch.columns[1], 0).w == 10);
    ck_assert(read_cell(&batch.columns[2], 0).f == 5.0);
    ck_assert(read_cell(&batch.columns[3], 0).w == 18);

    int64_t weights[3] = {-1, -1, 2};
    const int64_t changes[] = {4, 6, 4};
    floe_vector_reset(&vectors[V_INT]);
    for (uint32_t r = 0; r < 3; r++) {
        cell v = int_cell(changes[r]);
        write_cell(&vectors[V_INT], r, &v);
    }
    ck_assert_int_eq(floe_eng_group_state_update(state, NULL, arguments, weights, NULL, 3, NULL),
                     FLOE_OK);
    cursor = 0;
    ck_assert_int_eq(floe_eng_group_state_emit(state, &cursor, &batch, NULL), FLOE_OK);
    ck_assert_int_eq(read_cell(&batch.columns[0], 0).i, 1);
    ck_assert(read_cell(&batch.columns[1], 0).w == 4);
    ck_assert(read_cell(&batch.columns[2], 0).f == 4.0);
    ck_assert(read_cell(&batch.columns[3], 0).w == 16);

    /* retract every 4: the distinct set is empty, SUM(DISTINCT) and AVG are NULL */
    weights[0] = -4;
    ck_assert_int_eq(floe_eng_group_state_update(state, NULL, arguments, weights, NULL, 1, NULL),
                     FLOE_OK);
    cursor = 0;
    ck_assert_int_eq(floe_eng_group_state_emit(state, &cursor, &batch, NULL), FLOE_OK);
    ck_assert_uint_eq(batch.row_count, 1);
    ck_assert_int_eq(read_cell(&batch.columns[0], 0).i, 0);
    ck_assert(read_cell(&batch.columns[1], 0).null);
    ck_assert(read_cell(&batch.columns[2], 0).null);
    ck_assert(read_cell(&batch.columns[3], 0).null);
    floe_batch_fini(&batch);
    floe_eng_group_state_free(state);
    vectors_fini();
}
END_TEST

START_TEST(no_groups_on_empty_input_yield_one_row)
{
    static const call_spec calls[] = {
        {FLOE_SQL_AGGREGATE_COUNT_STAR, false, 0, false},
        {FLOE_SQL_AGGREGATE_COUNT, false, V_INT, false},
        {FLOE_SQL_AGGREGATE_SUM, false, V_INT, false},
        {FLOE_SQL_AGGREGATE_SUM, false, V_DBL, false},
        {FLOE_SQL_AGGREGATE_AVG, false, V_DEC, false},
        {FLOE_SQL_AGGREGATE_MIN, false, V_STR, false},
        {FLOE_SQL_AGGREGATE_COUNT, true, V_STR, false},
    };
    floe_sql_plan *plan = aggregate_plan(NULL, 0, calls, 7);
    table empty = {0};
    floe_eng_operator *op = make_operator(plan, &empty, (batch_options){0}, 1, NULL);
    floe_batch *batch;
    floe_error err;
    ck_assert_int_eq(floe_eng_operator_next(op, &batch, &err), FLOE_OK);
    ck_assert_ptr_nonnull(batch);
    ck_assert_uint_eq(batch->row_count, 1);
    ck_assert_int_eq(read_cell(&batch->columns[0], 0).i, 0);
    ck_assert(!read_cell(&batch->columns[0], 0).null);
    ck_assert_int_eq(read_cell(&batch->columns[1], 0).i, 0);
    for (uint32_t c = 2; c < 6; c++) ck_assert(read_cell(&batch->columns[c], 0).null);
    ck_assert_int_eq(read_cell(&batch->columns[6], 0).i, 0);
    ck_assert_int_eq(floe_eng_operator_next(op, &batch, &err), FLOE_OK);
    ck_assert_ptr_null(batch);
    ck_assert_int_eq(op->rows_out, 1);
    floe_eng_operator_destroy(op);

    /* with GROUP BY, empty input yields nothing; DISTINCT (no calls) too */
    uint32_t key = K_STR;
    plan = aggregate_plan(&key, 1, calls, 7);
    op = make_operator(plan, &empty, (batch_options){0}, 2, NULL);
    ck_assert_int_eq(floe_eng_operator_next(op, &batch, &err), FLOE_OK);
    ck_assert_ptr_null(batch);
    floe_eng_operator_destroy(op);
}
END_TEST

START_TEST(distinct_without_calls_lists_each_key_once)
{
    uint32_t keys[2] = {K_BOOL, K_STR};
    floe_sql_plan *plan = aggregate_plan(keys, 2, NULL, 0);
    table t = {0};
    table_random(&t, 3000, 5);
    result_rows expected, actual;
    floe_type types[2] = {column_type(K_BOOL), column_type(K_STR)};
    naive_aggregate(&t, keys, 2, NULL, 0, types, &expected);
    memset(&actual, 0, sizeof actual);
    actual.width = 2;
    actual.types = types;
    actual.key_count = 2;
    floe_eng_operator *op = make_operator(plan, &t, (batch_options){.selections = true}, 1, NULL);
    floe_error err;
    ck_assert_int_eq(run_operator(op, &actual, &err), FLOE_OK);
    expect_equal_results(&expected, &actual, "DISTINCT");
    ck_assert_uint_le(actual.rows, 3 * 7);
    floe_eng_operator_destroy(op);
    result_free(&expected);
    result_free(&actual);
    table_free(&t);
}
END_TEST

/* SUM overflow: of 128 bits while accumulating (a sum, a product by a weight) and of 38 digits
 * at emit, directly on a DECIMAL(38,0) state and through the operator. */
START_TEST(sum_overflow_is_an_error)
{
    floe_type wide = floe_type_decimal(38, 0);
    floe_eng_aggregate_spec spec = {FLOE_SQL_AGGREGATE_SUM, false, wide};
    floe_type key = floe_type_make(FLOE_TYPE_INT64);
    floe_vector keys, values;
    ck_assert_int_eq(floe_vector_init(&keys, key, FLOE_BATCH_CAPACITY, NULL), FLOE_OK);
    ck_assert_int_eq(floe_vector_init(&values, wide, FLOE_BATCH_CAPACITY, NULL), FLOE_OK);
    const floe_vector *key_columns[1] = {&keys};
    const floe_vector *arguments[1] = {&values};
    floe_int128 nines = pow10_128(38) - 1; /* the largest DECIMAL(38,0) */
    for (uint32_t r = 0; r < 2; r++) {
        ((int64_t *)keys.data)[r] = 1;
        ((floe_int128 *)values.data)[r] = nines;
    }
    floe_error err;
    floe_eng_group_state *state;

    /* two of them pass 2^127: the accumulation overflows */
    ck_assert_int_eq(floe_eng_group_state_create(&key, 1, &spec, 1, NULL, &state, NULL), FLOE_OK);
    ck_assert_int_eq(floe_eng_group_state_update(state, key_columns, arguments, NULL, NULL, 2,
                                                 &err),
                     FLOE_ERANGE);
    ck_assert_msg(strncmp(err.message, "SUM overflow", 12) == 0, "%s", err.message);
    floe_eng_group_state_free(state);

    /* 0.6e38 twice fits 128 bits but not 38 digits: the result overflows at emit */
    floe_int128 big = pow10_128(37) * 6;
    ((floe_int128 *)values.data)[0] = big;
    ((floe_int128 *)values.data)[1] = big;
    ck_assert_int_eq(floe_eng_group_state_create(&key, 1, &spec, 1, NULL, &state, NULL), FLOE_OK);
    ck_assert_int_eq(floe_eng_group_state_update(state, key_columns, arguments, NULL, NULL, 2,
                                                 &err),
                     FLOE_OK);
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, 2, floe_eng_group_state_column_types(state), NULL),
                     FLOE_OK);
    uint32_t cursor = 0;
    ck_assert_int_eq(floe_eng_group_state_emit(state, &cursor, &batch, &err), FLOE_ERANGE);
    ck_assert_msg(strncmp(err.message, "SUM overflow", 12) == 0, "%s", err.message);
    /* a retraction brings it back into range */
    int64_t weight = -1;
    ck_assert_int_eq(floe_eng_group_state_update(state, key_columns, arguments, &weight, NULL, 1,
                                                 &err),
                     FLOE_OK);
    cursor = 0;
    ck_assert_int_eq(floe_eng_group_state_emit(state, &cursor, &batch, &err), FLOE_OK);
    ck_assert(read_cell(&batch.columns[1], 0).w == big);
    floe_batch_fini(&batch);
    floe_eng_group_state_free(state);

    /* a wide value times a large weight passes 128 bits in the product */
    ck_assert_int_eq(floe_eng_group_state_create(&key, 1, &spec, 1, NULL, &state, NULL), FLOE_OK);
    weight = INT64_C(1) << 62;
    ck_assert_int_eq(floe_eng_group_state_update(state, key_columns, arguments, &weight, NULL, 1,
                                                 &err),
                     FLOE_ERANGE);
    ck_assert_msg(strncmp(err.message, "SUM overflow", 12) == 0, "%s", err.message);
    floe_eng_group_state_free(state);
    floe_vector_fini(&keys);
    floe_vector_fini(&values);

    /* through the operator: the error reaches next() with the operator named */
    static const call_spec calls[] = {{FLOE_SQL_AGGREGATE_SUM, false, V_WIDE, false}};
    floe_sql_plan *plan = aggregate_plan(NULL, 0, calls, 1);
    table t = {0};
    cell row[COLUMN_COUNT];
    for (uint32_t c = 0; c < COLUMN_COUNT; c++) row[c] = null_cell();
    row[V_WIDE] = wide_cell(pow10_128(30) - 1);
    table_add(&t, row, INT64_C(1) << 40);
    table_add(&t, row, INT64_C(1) << 40);
    floe_eng_operator *op = make_operator(plan, &t, (batch_options){.weights = true}, 1, NULL);
    floe_batch *out;
    ck_assert_int_eq(floe_eng_operator_next(op, &out, &err), FLOE_ERANGE);
    ck_assert_msg(strstr(err.message, "aggregate: SUM overflow") != NULL, "%s", err.message);
    floe_eng_operator_destroy(op);
    table_free(&t);
}
END_TEST

START_TEST(memory_limit_fails_cleanly)
{
    /* 100k distinct keys need several MiB; allow 1 MiB */
    static const call_spec calls[] = {{FLOE_SQL_AGGREGATE_COUNT_STAR, false, 0, false},
                                      {FLOE_SQL_AGGREGATE_MAX, false, V_STR, false}};
    uint32_t key = K_DATE;
    floe_sql_plan *plan = aggregate_plan(&key, 1, calls, 2);
    table t = {0};
    for (uint32_t r = 0; r < 100000; r++) {
        cell row[COLUMN_COUNT];
        for (uint32_t c = 0; c < COLUMN_COUNT; c++) row[c] = null_cell();
        row[K_DATE] = int_cell(r);
        row[V_STR] = text_cell("some string value");
        table_add(&t, row, 1);
    }
    for (uint32_t pipelines = 1; pipelines <= 2; pipelines++) {
        floe_eng_context context;
        floe_eng_context_init(&context, ".");
        context.memory_limit = 1 << 20;
        floe_eng_operator *op = make_operator(plan, &t, (batch_options){0}, pipelines, &context);
        floe_batch *out;
        floe_error err;
        ck_assert_int_eq(floe_eng_operator_next(op, &out, &err), FLOE_ENOMEM);
        ck_assert_msg(strstr(err.message, "aggregate: query needs more than 1 MiB of memory") !=
                          NULL,
                      "%s", err.message);
        ck_assert_uint_le(atomic_load(&context.memory_used), context.memory_limit);
        floe_eng_operator_destroy(op);
        ck_assert_uint_eq(atomic_load(&context.memory_used), 0);

        /* the same query under a sufficient limit runs, and reports its peak */
        context.memory_limit = 256u << 20;
        op = make_operator(plan, &t, (batch_options){0}, pipelines, &context);
        uint64_t rows = 0;
        while (floe_eng_operator_next(op, &out, &err) == FLOE_OK && out != NULL)
            rows += out->row_count;
        ck_assert_uint_eq(rows, 100000);
        ck_assert_uint_gt(atomic_load(&context.memory_peak), 4u << 20);
        floe_eng_operator_destroy(op);
        ck_assert_uint_eq(atomic_load(&context.memory_used), 0);
        floe_eng_context_fini(&context);
    }
    table_free(&t);
}
END_TEST

START_TEST(a_failing_pipeline_wins)
{
    static const call_spec calls[] = {{FLOE_SQL_AGGREGATE_COUNT_STAR, false, 0, false}};
    uint32_t key = K_INT;
    floe_sql_plan *plan = aggregate_plan(&key, 1, calls, 1);
    table t = {0};
    table_random(&t, 20000, 100);
    for (int failing = 0; failing < 2; failing++) {
        int destroyed = 0;
        fake_source *sources[2] = {fake_create(&t, 0, 10000, (batch_options){0}),
                                   fake_create(&t, 10000, 20000, (batch_options){0})};
        sources[failing]->fail_at = 3;
        sources[0]->destroyed = sources[1]->destroyed = &destroyed;
        floe_eng_operator *inputs[2] = {&sources[0]->base, &sources[1]->base};
        floe_eng_operator *op;
        floe_error err;
        ck_assert_int_eq(floe_eng_aggregate_create_parallel(plan, inputs, 2, NULL, &op, &err),
                         FLOE_OK);
        floe_batch *out;
        ck_assert_int_eq(floe_eng_operator_next(op, &out, &err), FLOE_ECORRUPT);
        ck_assert_str_eq(err.message, "fake.parquet: page 3: crc mismatch");
        floe_eng_operator_destroy(op);
        ck_assert_int_eq(destroyed, 2);
    }
    table_free(&t);
}
END_TEST

START_TEST(bad_plans_are_refused_and_inputs_freed)
{
    static const call_spec calls[] = {{FLOE_SQL_AGGREGATE_SUM, false, V_STR, false}};
    floe_sql_plan *plan = aggregate_plan(NULL, 0, calls, 1);
    plan->u.aggregate.calls[0].type = column_type(V_STR);
    table empty = {0};
    int destroyed = 0;
    fake_source *source = fake_create(&empty, 0, 0, (batch_options){0});
    source->destroyed = &destroyed;
    floe_eng_operator *inputs[1] = {&source->base};
    floe_eng_operator *op;
    floe_error err;
    ck_assert_int_eq(floe_eng_aggregate_create(plan, inputs, NULL, 0, 1, &op, &err),
                     FLOE_EUNSUPPORTED);
    ck_assert_str_eq(err.message, "SUM(VARCHAR) is not supported");
    ck_assert_ptr_null(op);
    ck_assert_int_eq(destroyed, 1);

    /* a plan whose result type disagrees with the rules */
    static const call_spec sums[] = {{FLOE_SQL_AGGREGATE_SUM, false, V_INT, false}};
    plan = aggregate_plan(NULL, 0, sums, 1);
    plan->u.aggregate.calls[0].type = floe_type_make(FLOE_TYPE_INT64);
    source = fake_create(&empty, 0, 0, (batch_options){0});
    source->destroyed = &destroyed;
    inputs[0] = &source->base;
    ck_assert_int_eq(floe_eng_aggregate_create(plan, inputs, NULL, 0, 1, &op, &err), FLOE_ETYPE);
    ck_assert_msg(strstr(err.message, "planned as BIGINT but yields DECIMAL(38,0)") != NULL, "%s",
                  err.message);
    ck_assert_int_eq(destroyed, 2);
}
END_TEST

START_TEST(contract_breaches_are_refused)
{
    vectors_init();
    floe_eng_group_state *state = extreme_state(NULL);
    floe_error err;
    /* a key vector of the wrong type */
    const floe_vector *keys[1] = {&vectors[K_STR]};
    const floe_vector *arguments[8] = {NULL,           &vectors[V_INT],  &vectors[V_INT],
                                       &vectors[V_STR], &vectors[V_STR],  &vectors[V_WIDE],
                                       &vectors[V_WIDE], &vectors[V_INT]};
    ck_assert_int_eq(floe_eng_group_state_update(state, keys, arguments, NULL, NULL, 1, &err),
                     FLOE_EINVAL);
    ck_assert_str_eq(err.message, "aggregate state: key 0 is VARCHAR, expected BIGINT");
    /* an argument missing, more rows than a batch */
    keys[0] = &vectors[K_INT];
    arguments[3] = NULL;
    ck_assert_int_eq(floe_eng_group_state_update(state, keys, arguments, NULL, NULL, 1, &err),
                     FLOE_EINVAL);
    ck_assert_str_eq(err.message, "aggregate state: argument 3 is missing");
    ck_assert_int_eq(floe_eng_group_state_update(state, keys, arguments, NULL, NULL,
                                                 FLOE_BATCH_CAPACITY + 1, &err),
                     FLOE_EINVAL);
    /* merging into itself, or states of different shapes */
    ck_assert_int_eq(floe_eng_group_state_merge(state, state, &err), FLOE_EINVAL);
    floe_eng_group_state *other;
    ck_assert_int_eq(floe_eng_group_state_create(NULL, 0, extreme_specs, 8, NULL, &other, NULL),
                     FLOE_OK);
    ck_assert_int_eq(floe_eng_group_state_merge(state, other, &err), FLOE_EINVAL);
    ck_assert_str_eq(err.message,
                     "aggregate state merge: the states have different keys or calls");
    /* an output batch of other types */
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, 8, floe_eng_group_state_column_types(other), NULL),
                     FLOE_OK);
    uint32_t cursor = 0;
    ck_assert_int_eq(floe_eng_group_state_emit(state, &cursor, &batch, &err), FLOE_EINVAL);
    ck_assert_str_eq(err.message, "aggregate state: output batch has 8 columns, expected 9");
    floe_batch_fini(&batch);
    floe_eng_group_state_free(other);
    floe_eng_group_state_free(state);
    vectors_fini();
}
END_TEST

/* ---- flat form ---- */

static floe_eng_aggregate_spec spec_of(const call_spec *call)
{
    return (floe_eng_aggregate_spec){call->function, call->distinct, column_type(call->column)};
}

/* A state over t's rows grouped by `keys`, with every call (no evaluated argument). */
static floe_eng_group_state *state_of_table(const table *t, const key_set *keys,
                                            floe_eng_context *context)
{
    floe_eng_aggregate_spec specs[EVERY_CALL];
    for (uint32_t c = 0; c < EVERY_CALL; c++) specs[c] = spec_of(&every_call[c]);
    floe_type key_types[4];
    for (uint32_t k = 0; k < keys->count; k++) key_types[k] = column_type(keys->keys[k]);
    floe_eng_group_state *state;
    floe_error err;
    ck_assert_int_eq(floe_eng_group_state_create(key_types, keys->count, specs, EVERY_CALL,
                                                 context, &state, &err),
                     FLOE_OK);
    fake_source *source = fake_create(t, 0, t->rows, (batch_options){.weights = true,
                                                                       .dictionaries = true});
    for (uint32_t b = 0; b < source->batch_count; b++) {
        floe_batch *batch = &source->batches[b];
        const floe_vector *key_columns[4], *arguments[EVERY_CALL];
        for (uint32_t k = 0; k < keys->count; k++) key_columns[k] = &batch->columns[keys->keys[k]];
        for (uint32_t c = 0; c < EVERY_CALL; c++)
            arguments[c] = every_call[c].function == FLOE_SQL_AGGREGATE_COUNT_STAR
                               ? NULL
                               : &batch->columns[every_call[c].column];
        ck_assert_msg(floe_eng_group_state_update(state, key_columns, arguments, batch->weights,
                                                  batch->selection,
                                                  floe_batch_live_count(batch), &err) == FLOE_OK,
                      "%s", err.message);
    }
    fake_destroy(&source->base);
    return state;
}

static void expect_same_state(const floe_eng_group_state *a, const floe_eng_group_state *b,
                              const char *what)
{
    result_rows left, right;
    emitted(a, &left);
    emitted(b, &right);
    left.key_count = right.key_count = floe_eng_group_state_column_count(a) - EVERY_CALL;
    result_sort(&left);
    result_sort(&right);
    expect_equal_results(&left, &right, what);
    result_free(&left);
    result_free(&right);
}

START_TEST(flat_export_import_round_trip)
{
    rng_state += (uint64_t)_i * 65537;
    const key_set *keys = &key_sets[_i % KEY_SETS];
    table t = {0};
    table_random(&t, 2000 + below(2000), keys->cardinality);
    table_retract(&t, t.rows / 4);
    floe_eng_context context;
    floe_eng_context_init(&context, ".");
    floe_eng_group_state *state = state_of_table(&t, keys, &context);

    floe_eng_group_state_flat flat;
    floe_error err;
    ck_assert_msg(floe_eng_group_state_export(state, &flat, &err) == FLOE_OK, "%s", err.message);
    ck_assert_uint_eq(flat.group_count, floe_eng_group_state_group_count(state));
    ck_assert_uint_eq(flat.call_count, EVERY_CALL);

    /* the exported hashes are the hashes of the exported keys */
    if (keys->count > 0) {
        uint64_t hashes[FLOE_BATCH_CAPACITY];
        for (uint32_t start = 0; start < flat.group_count; start += FLOE_BATCH_CAPACITY) {
            uint32_t count = flat.group_count - start;
            if (count > FLOE_BATCH_CAPACITY) count = FLOE_BATCH_CAPACITY;
            floe_vector windows[4];
            const floe_vector *columns[4];
            for (uint32_t k = 0; k < keys->count; k++) {
                windows[k] = flat.keys[k];
                windows[k].data = (unsigned char *)flat.keys[k].data +
                                  (size_t)start * floe_type_width(flat.keys[k].type);
                if (windows[k].validity != NULL) windows[k].validity += start / 64;
                columns[k] = &windows[k];
            }
            ck_assert_int_eq(floe_eng_group_state_hash_keys(state, columns, NULL, count, hashes,
                                                            &err),
                             FLOE_OK);
            for (uint32_t g = 0; g < count; g++)
                ck_assert_msg(hashes[g] == flat.hashes[start + g], "group %u: hash differs",
                              start + g);
        }
    }

    floe_eng_group_state *copy = NULL;
    floe_type key_types[4];
    for (uint32_t k = 0; k < keys->count; k++) key_types[k] = column_type(keys->keys[k]);
    floe_eng_aggregate_spec specs[EVERY_CALL];
    for (uint32_t c = 0; c < EVERY_CALL; c++) specs[c] = spec_of(&every_call[c]);
    ck_assert_int_eq(floe_eng_group_state_create(key_types, keys->count, specs, EVERY_CALL,
                                                 &context, &copy, &err),
                     FLOE_OK);
    ck_assert_msg(floe_eng_group_state_import(copy, &flat, &err) == FLOE_OK, "%s", err.message);
    expect_same_state(state, copy, "imported");

    /* exporting the copy gives the same flat form (groups in the same order) */
    floe_eng_group_state_flat again;
    ck_assert_int_eq(floe_eng_group_state_export(copy, &again, &err), FLOE_OK);
    ck_assert_uint_eq(again.group_count, flat.group_count);
    ck_assert(memcmp(again.row_counts, flat.row_counts, flat.group_count * 8) == 0);
    ck_assert(memcmp(again.hashes, flat.hashes, flat.group_count * 8) == 0);
    for (uint32_t c = 0; c < EVERY_CALL; c++) {
        ck_assert_uint_eq(again.calls[c].entries.count, flat.calls[c].entries.count);
        if (flat.calls[c].counts != NULL)
            ck_assert(memcmp(again.calls[c].counts, flat.calls[c].counts,
                             flat.group_count * 8) == 0);
        if (flat.calls[c].sums_int != NULL)
            ck_assert(memcmp(again.calls[c].sums_int, flat.calls[c].sums_int,
                             flat.group_count * 16) == 0);
    }
    floe_eng_group_state_flat_fini(&again);

    /* the copy keeps working: applying the same rows again to both gives equal states */
    floe_eng_group_state *original = state_of_table(&t, keys, NULL);
    floe_eng_group_state *more = state_of_table(&t, keys, NULL);
    ck_assert_int_eq(floe_eng_group_state_merge(state, more, &err), FLOE_OK);
    ck_assert_int_eq(floe_eng_group_state_merge(copy, more, &err), FLOE_OK);
    expect_same_state(state, copy, "merged after import");
    floe_eng_group_state_free(more);

    /* importing into a state that is not empty is refused */
    ck_assert_int_eq(floe_eng_group_state_import(copy, &flat, &err), FLOE_EINVAL);
    floe_eng_group_state_free(copy);

    /* corrupt forms: an entry naming a group past the end; a zero count; a repeated key */
    for (uint32_t c = 0; c < EVERY_CALL; c++) {
        floe_eng_group_entries *entries = &flat.calls[c].entries;
        if (entries->count == 0) continue;
        for (int damage = 0; damage < 2; damage++) {
            ck_assert_int_eq(floe_eng_group_state_create(key_types, keys->count, specs,
                                                         EVERY_CALL, &context, &copy, NULL),
                             FLOE_OK);
            uint32_t saved_group = entries->groups[0];
            int64_t saved_count = entries->counts[0];
            if (damage == 0) entries->groups[0] = flat.group_count;
            else entries->counts[0] = 0;
            ck_assert_int_eq(floe_eng_group_state_import(copy, &flat, &err), FLOE_ECORRUPT);
            ck_assert_msg(strstr(err.message, damage == 0 ? "names group" : "count 0") != NULL,
                          "%s", err.message);
            entries->groups[0] = saved_group;
            entries->counts[0] = saved_count;
            floe_eng_group_state_free(copy);
        }
        break;
    }
    /* two non-NULL keys made equal (for strings: the same bytes referenced twice) */
    uint32_t first_key = 0, second_key = 0;
    if (keys->count == 1) {
        while (first_key < flat.group_count && floe_vector_is_null(&flat.keys[0], first_key))
            first_key++;
        second_key = first_key + 1;
        while (second_key < flat.group_count && floe_vector_is_null(&flat.keys[0], second_key))
            second_key++;
    }
    if (keys->count == 1 && second_key < flat.group_count) {
        ck_assert_int_eq(floe_eng_group_state_create(key_types, keys->count, specs, EVERY_CALL,
                                                     &context, &copy, NULL),
                         FLOE_OK);
        size_t width = floe_type_width(flat.keys[0].type);
        unsigned char saved[16];
        unsigned char *second = (unsigned char *)flat.keys[0].data + second_key * width;
        memcpy(saved, second, width);
        memcpy(second, (unsigned char *)flat.keys[0].data + first_key * width, width);
        ck_assert_int_eq(floe_eng_group_state_import(copy, &flat, &err), FLOE_ECORRUPT);
        ck_assert_msg(strstr(err.message, "a key repeats") != NULL, "%s", err.message);
        ck_assert_uint_eq(floe_eng_group_state_group_count(copy), 0);
        memcpy(second, saved, width);
        /* emptied by the failure: a correct import now succeeds */
        ck_assert_int_eq(floe_eng_group_state_import(copy, &flat, &err), FLOE_OK);
        expect_same_state(original, copy, "imported after a refused import");
        floe_eng_group_state_free(copy);
    }

    floe_eng_group_state_flat_fini(&flat);
    floe_eng_group_state_free(state);
    floe_eng_group_state_free(original);
    ck_assert_uint_eq(atomic_load(&context.memory_used), 0);
    floe_eng_context_fini(&context);
    table_free(&t);
}
END_TEST

/* ---- allocation failures ---- */

static long live_allocations;

static void *counting_allocate(size_t size, void *context)
{
    (void)context;
    void *p = malloc(size);
    if (p != NULL) live_allocations++;
    return p;
}

static void *counting_reallocate(void *pointer, size_t size, void *context)
{
    (void)context;
    void *p = realloc(pointer, size);
    if (p != NULL && pointer == NULL) live_allocations++;
    return p;
}

static void counting_release(void *pointer, void *context)
{
    (void)context;
    if (pointer != NULL) live_allocations--;
    free(pointer);
}

START_TEST(allocation_failures_leak_nothing)
{
    const key_set *keys = &key_sets[_i];
    table t = {0};
    table_random(&t, 700, keys->cardinality);
    table_retract(&t, 200);
    floe_eng_group_state *reference = state_of_table(&t, keys, NULL);
    floe_eng_group_state *half = state_of_table(&t, keys, NULL);

    static const floe_allocator counting = {counting_allocate, counting_reallocate,
                                            counting_release, NULL};
    floe_set_allocator(&counting);
    long failures = 0;
    bool succeeded = false;
    for (long n = 0; n < 100000 && !succeeded; n += 1 + n / 64) {
        live_allocations = 0;
        floe_set_allocation_failure_after(n);
        floe_error err;
        floe_eng_group_state *state = NULL;
        floe_eng_group_state_flat flat;
        memset(&flat, 0, sizeof flat);
        floe_eng_aggregate_spec specs[EVERY_CALL];
        for (uint32_t c = 0; c < EVERY_CALL; c++) specs[c] = spec_of(&every_call[c]);
        floe_type key_types[4];
        for (uint32_t k = 0; k < keys->count; k++) key_types[k] = column_type(keys->keys[k]);
        int status = floe_eng_group_state_create(key_types, keys->count, specs, EVERY_CALL, NULL,
                                                 &state, &err);
        if (status == FLOE_OK) status = floe_eng_group_state_merge(state, half, &err);
        if (status == FLOE_OK) status = floe_eng_group_state_export(state, &flat, &err);
        floe_batch batch;
        memset(&batch, 0, sizeof batch);
        if (status == FLOE_OK)
            status = floe_batch_init(&batch, floe_eng_group_state_column_count(state),
                                     floe_eng_group_state_column_types(state), &err);
        uint32_t cursor = 0;
        while (status == FLOE_OK) {
            status = floe_eng_group_state_emit(state, &cursor, &batch, &err);
            if (batch.row_count == 0) break;
        }
        floe_set_allocation_failure_after(-1);
        if (status == FLOE_OK) {
            succeeded = true;
            expect_same_state(reference, state, "after allocation failures");
        } else {
            failures++;
            ck_assert_msg(status == FLOE_ENOMEM, "failure after %ld allocations: %d (%s)", n,
                          status, err.message);
        }
        floe_batch_fini(&batch);
        floe_eng_group_state_flat_fini(&flat);
        floe_eng_group_state_free(state);
        ck_assert_msg(live_allocations == 0, "%ld allocations leaked (failure after %ld)",
                      live_allocations, n);
    }
    floe_set_allocator(NULL);
    ck_assert(succeeded);
    ck_assert_int_gt(failures, 10);
    floe_eng_group_state_free(reference);
    floe_eng_group_state_free(half);
    table_free(&t);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("aggregate");
    TCase *tc = tcase_create("aggregate");
    tcase_set_timeout(tc, 600);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, random_rows_match_naive_recomputation, 0, 2 * KEY_SETS);
    tcase_add_loop_test(tc, retractions_and_multiplicities_match_naive, 0, KEY_SETS);
    tcase_add_loop_test(tc, parallel_pipelines_equal_serial, 0, KEY_SETS);
    tcase_add_test(tc, min_max_survive_retracting_the_extreme);
    tcase_add_test(tc, distinct_counts_cross_zero);
    tcase_add_test(tc, groups_go_only_when_empty);
    tcase_add_test(tc, no_groups_on_empty_input_yield_one_row);
    tcase_add_test(tc, distinct_without_calls_lists_each_key_once);
    tcase_add_test(tc, sum_overflow_is_an_error);
    tcase_add_test(tc, memory_limit_fails_cleanly);
    tcase_add_test(tc, memory_accounting_follows_min_max_values);
    tcase_add_test(tc, a_failing_pipeline_wins);
    tcase_add_test(tc, bad_plans_are_refused_and_inputs_freed);
    tcase_add_test(tc, contract_breaches_are_refused);
    tcase_add_loop_test(tc, flat_export_import_round_trip, 0, KEY_SETS);
    tcase_add_loop_test(tc, allocation_failures_leak_nothing, 0, 3);
    suite_add_tcase(suite, tc);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
