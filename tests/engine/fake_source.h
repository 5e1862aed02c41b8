/*
 * fake_source.h — what the operator tests (test_join.c, test_order.c) share: deterministic
 * randomness, tables of cells of every type, vectors filled from cells and printed back, a fake
 * source operator handing a table out in batches (random batch sizes, dead rows behind
 * selections, dictionary-encoded columns, weights, an injected failure) and result lines.
 * Header-only (static functions) because each test is one program of its own; the including
 * file defines MAX_COLUMNS, CAPACITY and REQUIRE first.
 */
#ifndef FLOE_TESTS_ENGINE_FAKE_SOURCE_H
#define FLOE_TESTS_ENGINE_FAKE_SOURCE_H

#include "engine/operator.h"
#include "kernels/vector.h"

#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- deterministic randomness ---- */

static uint64_t random_state;

static void seed(uint64_t value) { random_state = value * 0x9E3779B97F4A7C15ull + 1; }

static uint32_t next_random(void)
{
    random_state ^= random_state << 13;
    random_state ^= random_state >> 7;
    random_state ^= random_state << 17;
    return (uint32_t)(random_state >> 16);
}

static uint32_t below(uint32_t bound) { return bound ? next_random() % bound : 0; }

/* ---- row tables ---- */

typedef struct cell {
    bool null;
    int64_t i;        /* BOOLEAN, INT32, DATE, INT64, TIMESTAMP(TZ), DECIMAL(p<=18) */
    double d;         /* FLOAT32 (exactly representable), FLOAT64 */
    floe_int128 wide; /* DECIMAL(p>18) */
    char s[32];       /* STRING, BINARY */
    uint32_t length;  /* bytes of s when it holds zero bytes; 0: strlen(s) */
} cell;

static uint32_t string_length(const cell *c)
{
    return c->length ? c->length : (uint32_t)strlen(c->s);
}

typedef struct table {
    uint32_t column_count;
    floe_type types[MAX_COLUMNS];
    uint32_t row_count;
    cell *cells;      /* row-major */
    int64_t *weights; /* NULL: every row +1 */
} table;

static floe_type T(floe_type_id id) { return floe_type_make(id); }

static void table_init(table *t, uint32_t column_count, const floe_type *types, uint32_t rows)
{
    memset(t, 0, sizeof *t);
    t->column_count = column_count;
    memcpy(t->types, types, column_count * sizeof *types);
    t->row_count = rows;
    t->cells = calloc((size_t)rows * column_count + 1, sizeof *t->cells);
    ck_assert_ptr_nonnull(t->cells);
}

static void table_fini(table *t)
{
    free(t->cells);
    free(t->weights);
}

static cell *at(const table *t, uint32_t row, uint32_t column)
{
    return &t->cells[(size_t)row * t->column_count + column];
}

static bool is_wide(floe_type type)
{
    return type.id == FLOE_TYPE_DECIMAL && type.precision > FLOE_DECIMAL64_MAX_PRECISION;
}

static const double special_doubles[] = {0.0,       -0.0,      NAN,  -NAN, 1.5,
                                         -INFINITY, INFINITY, -2.25, 1e300};
enum { SPECIAL_COUNT = sizeof special_doubles / sizeof special_doubles[0] };

/* A value drawn from a domain of `domain` values (so small domains repeat), NULL with
 * probability null_percent. */
static void random_cell(cell *c, floe_type type, uint32_t domain, uint32_t null_percent)
{
    memset(c, 0, sizeof *c);
    c->null = below(100) < null_percent;
    uint32_t v = below(domain);
    switch ((floe_type_id)type.id) {
    case FLOE_TYPE_BOOLEAN: c->i = v & 1; break;
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_DATE: c->i = (int32_t)v - (int32_t)(domain / 2); break;
    case FLOE_TYPE_FLOAT32:
    case FLOE_TYPE_FLOAT64:
        c->d = v < SPECIAL_COUNT ? special_doubles[v] : (double)v * 0.5 - 3.0;
        if (type.id == FLOE_TYPE_FLOAT32 && v == SPECIAL_COUNT - 1) c->d = 3e38;
        break;
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY:
        if (v == 0) break; /* the empty string */
        if (v % 3 == 0) snprintf(c->s, sizeof c->s, "shared-prefix-%u", v);
        else snprintf(c->s, sizeof c->s, "k%u\xc3\xa9", v);
        break;
    default:
        /* Some values share their upper 64 bits (small ones), so the sort must look past them. */
        if (is_wide(type) && v % 4 == 0) c->wide = (floe_int128)v - 20;
        else if (is_wide(type)) c->wide = ((floe_int128)v << 70) * (v % 2 ? -1 : 1) + v;
        else c->i = ((int64_t)v - (int64_t)(domain / 2)) * 1000003;
        break;
    }
}

static void append_text(char *buffer, size_t size, const char *text)
{
    size_t used = strlen(buffer);
    snprintf(buffer + used, size - used, "%s|", text);
}

static void cell_text(const cell *c, floe_type type, char *out, size_t size)
{
    if (c->null) {
        snprintf(out, size, "NULL");
        return;
    }
    switch ((floe_type_id)type.id) {
    case FLOE_TYPE_FLOAT32: snprintf(out, size, "%a", (double)(float)c->d); break;
    case FLOE_TYPE_FLOAT64: snprintf(out, size, "%a", c->d); break;
    case FLOE_TYPE_STRING: snprintf(out, size, "'%s'", c->s); break;
    case FLOE_TYPE_BINARY: {
        int used = snprintf(out, size, "x'");
        for (uint32_t i = 0; i < string_length(c); i++)
            used += snprintf(out + used, size - (size_t)used, "%02x", (unsigned char)c->s[i]);
        snprintf(out + used, size - (size_t)used, "'");
        break;
    }
    default:
        if (is_wide(type))
            snprintf(out, size, "%016llx%016llx",
                     (unsigned long long)((floe_uint128)c->wide >> 64),
                     (unsigned long long)c->wide);
        else snprintf(out, size, "%lld", (long long)c->i);
        break;
    }
}

/* ---- vectors from cells and back ---- */

static void write_value(floe_vector *v, uint32_t row, const cell *c)
{
    unsigned char *data = v->data;
    switch ((floe_type_id)v->type.id) {
    case FLOE_TYPE_BOOLEAN: data[row] = (uint8_t)c->i; break;
    case FLOE_TYPE_INT32:
    case FLOE_TYPE_DATE: ((int32_t *)data)[row] = (int32_t)c->i; break;
    case FLOE_TYPE_FLOAT32: ((float *)data)[row] = (float)c->d; break;
    case FLOE_TYPE_FLOAT64: ((double *)data)[row] = c->d; break;
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY:
        REQUIRE(floe_vector_set_string(v, row, c->s, string_length(c), NULL) == FLOE_OK,
                "set_string");
        break;
    default:
        if (is_wide(v->type)) ((floe_int128 *)data)[row] = c->wide;
        else ((int64_t *)data)[row] = c->i;
        break;
    }
}

static void vector_text(const floe_vector *v, uint32_t row, char *out, size_t size)
{
    cell c;
    memset(&c, 0, sizeof c);
    c.null = floe_vector_is_null(v, row);
    if (!c.null) {
        const floe_vector *values = v;
        uint32_t index = row;
        if (v->encoding == FLOE_VECTOR_DICTIONARY) {
            index = ((const uint32_t *)v->data)[row];
            values = v->dictionary;
        }
        const unsigned char *data = values->data;
        switch ((floe_type_id)v->type.id) {
        case FLOE_TYPE_BOOLEAN: c.i = data[index]; break;
        case FLOE_TYPE_INT32:
        case FLOE_TYPE_DATE: c.i = ((const int32_t *)data)[index]; break;
        case FLOE_TYPE_FLOAT32: c.d = ((const float *)data)[index]; break;
        case FLOE_TYPE_FLOAT64: c.d = ((const double *)data)[index]; break;
        case FLOE_TYPE_STRING:
        case FLOE_TYPE_BINARY: {
            uint32_t length;
            const unsigned char *bytes = floe_vector_string(v, row, &length);
            REQUIRE(length < sizeof c.s, "string of %u bytes", length);
            memcpy(c.s, bytes, length);
            c.s[length] = 0;
            c.length = length;
            break;
        }
        default:
            if (is_wide(v->type)) c.wide = ((const floe_int128 *)data)[index];
            else c.i = ((const int64_t *)data)[index];
            break;
        }
    }
    cell_text(&c, v->type, out, size);
}

/* ---- a fake source operator: a table handed out in batches ---- */

typedef struct source_options {
    uint32_t max_batch;  /* live rows per batch at most (1..2048) */
    bool dead_rows;      /* rows outside the selection, holding garbage */
    bool dictionary;     /* some columns of some batches dictionary-encoded */
    bool empty_batches;  /* batches with no live row between the others */
    int fail_at;         /* next() call (0-based) that fails; -1: none */
} source_options;

static const source_options plain_source = {CAPACITY, false, false, false, -1};
static const source_options mixed_source = {CAPACITY, true, true, true, -1};

typedef struct fake_source {
    floe_eng_operator base;
    floe_type types[MAX_COLUMNS];
    floe_batch *batches;
    floe_vector *dictionaries; /* batch_count * column_count, type INVALID when unused */
    uint32_t batch_count;
    uint32_t calls;            /* next() calls so far */
    int fail_at;
    bool *destroyed;           /* set on destroy, when not NULL */
} fake_source;

static void scribble(fake_source *source, uint32_t index)
{
    floe_batch *batch = &source->batches[index];
    for (uint32_t c = 0; c < batch->column_count; c++) {
        floe_vector *v = &batch->columns[c];
        size_t width = floe_type_width(v->type);
        memset(v->data_storage, 0x5a, (width < 4 ? 4 : width) * v->capacity);
        if (v->heap_storage != NULL) memset(v->heap_storage, 0x5a, v->heap_capacity);
        floe_vector *dictionary = &source->dictionaries[(size_t)index * batch->column_count + c];
        if (dictionary->type.id != FLOE_TYPE_INVALID) {
            memset(dictionary->data_storage, 0x5a, (width < 4 ? 4 : width) * dictionary->capacity);
            if (dictionary->heap_storage != NULL)
                memset(dictionary->heap_storage, 0x5a, dictionary->heap_capacity);
        }
    }
    memset(batch->weight_storage, 0x5a, CAPACITY * sizeof(int64_t));
    memset(batch->selection_storage, 0x5a, CAPACITY * sizeof(uint16_t));
}

static int source_next(floe_eng_operator *op, floe_batch **out, floe_error *err)
{
    fake_source *source = (fake_source *)op;
    uint32_t call = source->calls++;
    if (call > 0 && call - 1 < source->batch_count) scribble(source, call - 1);
    if ((int)call == source->fail_at)
        return floe_error_set(err, FLOE_ECORRUPT, "fake source: batch %u is corrupt", call);
    *out = call < source->batch_count ? &source->batches[call] : NULL;
    return FLOE_OK;
}

static void source_destroy(floe_eng_operator *op)
{
    fake_source *source = (fake_source *)op;
    for (uint32_t b = 0; b < source->batch_count; b++) {
        for (uint32_t c = 0; c < source->base.column_count; c++)
            floe_vector_fini(&source->dictionaries[(size_t)b * source->base.column_count + c]);
        floe_batch_fini(&source->batches[b]);
    }
    free(source->batches);
    free(source->dictionaries);
    if (source->destroyed != NULL) *source->destroyed = true;
    free(source);
}

static const floe_eng_operator_vtable source_vtable = {"fake source", source_next,
                                                       source_destroy};

/* Re-encodes column c of a batch as codes into a dictionary holding the values in reverse. */
static void dictionary_encode(floe_vector *column, floe_vector *dictionary, uint32_t rows)
{
    ck_assert_int_eq(floe_vector_init(dictionary, column->type, rows, NULL), FLOE_OK);
    size_t width = floe_type_width(column->type);
    uint32_t *codes = malloc(rows * sizeof *codes);
    ck_assert_ptr_nonnull(codes);
    for (uint32_t r = 0; r < rows; r++) {
        uint32_t code = rows - 1 - r;
        /* A NULL row's code names some other entry (the Parquet reader writes 0): its value must
         * not be taken for the row's. */
        codes[r] = floe_vector_is_null(column, r) ? (code + 1) % rows : code;
        if (floe_type_is_variable_width(column->type)) {
            uint32_t length = 0;
            const unsigned char *bytes = (const unsigned char *)"";
            if (!floe_vector_is_null(column, r)) bytes = floe_vector_string(column, r, &length);
            REQUIRE(floe_vector_set_string(dictionary, code, bytes, length, NULL) == FLOE_OK,
                    "set_string");
        } else {
            memcpy((unsigned char *)dictionary->data + code * width,
                   (unsigned char *)column->data + r * width, width);
        }
    }
    memcpy(column->data, codes, rows * sizeof *codes);
    free(codes);
    column->encoding = FLOE_VECTOR_DICTIONARY;
    column->dictionary = dictionary;
}

static floe_eng_operator *source_create(const table *t, floe_eng_context *context,
                                        source_options options, bool *destroyed)
{
    fake_source *source = calloc(1, sizeof *source);
    ck_assert_ptr_nonnull(source);
    source->base.vtable = &source_vtable;
    source->base.context = context;
    source->base.column_count = t->column_count;
    memcpy(source->types, t->types, t->column_count * sizeof *t->types);
    source->base.types = source->types;
    source->fail_at = options.fail_at;
    source->destroyed = destroyed;
    if (destroyed != NULL) *destroyed = false;
    uint32_t capacity = t->row_count + 8;
    source->batches = calloc(capacity, sizeof *source->batches);
    source->dictionaries = calloc((size_t)capacity * t->column_count + 1, sizeof(floe_vector));
    ck_assert(source->batches != NULL && source->dictionaries != NULL);
    uint32_t next_row = 0;
    while (next_row < t->row_count || (options.empty_batches && source->batch_count == 0)) {
        ck_assert_uint_lt(source->batch_count, capacity);
        uint32_t index = source->batch_count++;
        floe_batch *batch = &source->batches[index];
        ck_assert_int_eq(floe_batch_init(batch, t->column_count, t->types, NULL), FLOE_OK);
        uint32_t live = 0;
        if (!(options.empty_batches && below(5) == 0)) {
            live = 1 + below(options.max_batch);
            if (below(3) == 0) live = options.max_batch;
            if (live > t->row_count - next_row) live = t->row_count - next_row;
        }
        uint32_t total = live;
        if (options.dead_rows && below(2) == 0) total += below(CAPACITY - live + 1);
        bool is_live[CAPACITY];
        memset(is_live, 0, sizeof is_live);
        for (uint32_t r = 0, wanted = live; r < total; r++) {
            /* Selection sampling: exactly `live` of the `total` rows, in order. */
            is_live[r] = below(total - r) < wanted;
            wanted -= is_live[r];
        }
        bool weighted = t->weights != NULL;
        if (weighted) floe_batch_prepare_weights(batch, 99);
        uint32_t selected = 0;
        for (uint32_t r = 0; r < total; r++) {
            for (uint32_t c = 0; c < t->column_count; c++) {
                cell garbage;
                random_cell(&garbage, t->types[c], 1000, 0);
                const cell *value = is_live[r] ? at(t, next_row, c) : &garbage;
                if (value->null) floe_vector_set_null(&batch->columns[c], r);
                else write_value(&batch->columns[c], r, value);
            }
            if (is_live[r]) {
                if (weighted) batch->weights[r] = t->weights[next_row];
                batch->selection_storage[selected++] = (uint16_t)r;
                next_row++;
            }
        }
        batch->row_count = total;
        if (total != live || (options.dead_rows && below(2) == 0)) {
            batch->selection = batch->selection_storage;
            batch->selected_count = selected;
        }
        if (options.dictionary && total > 0) {
            for (uint32_t c = 0; c < t->column_count; c++)
                if (below(2) == 0)
                    dictionary_encode(&batch->columns[c],
                                      &source->dictionaries[(size_t)index * t->column_count + c],
                                      total);
        }
    }
    return &source->base;
}

/* ---- results as sorted lines ---- */

typedef struct lines {
    char **items;
    size_t count, capacity;
} lines;

static void lines_add(lines *l, const char *text)
{
    if (l->count == l->capacity) {
        l->capacity = l->capacity ? l->capacity * 2 : 1024;
        l->items = realloc(l->items, l->capacity * sizeof *l->items);
        ck_assert_ptr_nonnull(l->items);
    }
    size_t length = strlen(text) + 1;
    l->items[l->count] = malloc(length);
    REQUIRE(l->items[l->count] != NULL, "malloc");
    memcpy(l->items[l->count], text, length);
    l->count++;
}

static void lines_free(lines *l)
{
    for (size_t i = 0; i < l->count; i++) free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

#endif
