/*
 * Description: the ORDER operator (engine/op_order.c) against a reference sort (qsort of row
 * numbers with the row number as the last key, so equal rows keep their input order): a key of
 * every type ascending and descending with NULLS FIRST and LAST (floats with -0.0, NaN and
 * infinities; strings sharing their first 8 bytes; 128-bit decimals), several keys, an evaluated
 * key, weights kept with their rows, the 2048-row output batches, empty input, the memory limit
 * and input errors. Input comes from fake source operators defined here (random batch sizes,
 * dead rows behind selections, dictionary-encoded columns); the expected order of floats and
 * strings is DuckDB 1.5's (NaN above +inf, -0.0 equal to 0.0, bytewise strings).
 */
#include "engine/batch_store.h" /* measuring what the store alone accounts */
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

enum { MAX_COLUMNS = 8, CAPACITY = FLOE_BATCH_CAPACITY };

/* ck_assert records every passing check through a pipe in fork mode; per-row checks use this,
 * which only reports failures. */
#define REQUIRE(condition, ...)                          \
    do {                                                 \
        if (!(condition)) ck_abort_msg(__VA_ARGS__);     \
    } while (0)

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

/* Row for row, in order. */
static void assert_same(const lines *expected, const lines *actual)
{
    for (size_t i = 0; i < expected->count && i < actual->count; i++)
        REQUIRE(strcmp(expected->items[i], actual->items[i]) == 0, "row %zu: expected %s, got %s",
                i, expected->items[i], actual->items[i]);
    ck_assert_uint_eq(expected->count, actual->count);
}

typedef struct run_stats {
    uint32_t batches;
    uint32_t largest;  /* live rows of the largest batch */
} run_stats;

/* Drains op into lines "v|v|...|w=weight" and destroys it; returns the status of the run. */
static int drain(floe_eng_operator *op, lines *out, run_stats *stats, floe_error *err)
{
    run_stats local = {0, 0};
    int status = FLOE_OK;
    for (;;) {
        floe_batch *batch;
        status = floe_eng_operator_next(op, &batch, err);
        if (status != FLOE_OK || batch == NULL) break;
        ck_assert_uint_eq(batch->column_count, op->column_count);
        ck_assert_uint_le(batch->row_count, CAPACITY);
        uint32_t live = floe_batch_live_count(batch);
        local.batches++;
        if (live > local.largest) local.largest = live;
        for (uint32_t i = 0; i < live; i++) {
            uint32_t row = floe_batch_live_row(batch, i);
            REQUIRE(i == 0 || row > floe_batch_live_row(batch, i - 1), "selection not ascending");
            char line[512] = "", text[96];
            for (uint32_t c = 0; c < batch->column_count; c++) {
                REQUIRE(floe_type_equal(batch->columns[c].type, op->types[c]), "column type");
                vector_text(&batch->columns[c], row, text, sizeof text);
                append_text(line, sizeof line, text);
            }
            snprintf(text, sizeof text, "w=%lld", (long long)floe_batch_weight(batch, row));
            append_text(line, sizeof line, text);
            lines_add(out, line);
        }
    }
    floe_eng_operator_destroy(op);
    if (stats != NULL) *stats = local;
    return status;
}

/* ---- the reference sort ---- */

typedef struct order_spec {
    uint32_t key_count;
    uint32_t columns[4];
    bool descending[4];
    bool nulls_first[4];
    bool negate[4]; /* the key is -column (BIGINT): an evaluated key */
} order_spec;

static const order_spec *reference_spec;
static const table *reference_table;

/* DuckDB's order of non-NULL values: NaN above everything, -0.0 equal to 0.0, bytewise strings. */
static int compare_values(const cell *a, const cell *b, floe_type type)
{
    switch ((floe_type_id)type.id) {
    case FLOE_TYPE_FLOAT32:
    case FLOE_TYPE_FLOAT64: {
        double x = type.id == FLOE_TYPE_FLOAT32 ? (double)(float)a->d : a->d;
        double y = type.id == FLOE_TYPE_FLOAT32 ? (double)(float)b->d : b->d;
        if (isnan(x) || isnan(y)) return (int)isnan(x) - (int)isnan(y);
        return (x > y) - (x < y);
    }
    case FLOE_TYPE_STRING:
    case FLOE_TYPE_BINARY: {
        uint32_t a_length = string_length(a), b_length = string_length(b);
        int result = memcmp(a->s, b->s, a_length < b_length ? a_length : b_length);
        if (result == 0) result = (a_length > b_length) - (a_length < b_length);
        return (result > 0) - (result < 0);
    }
    default:
        if (is_wide(type)) return (a->wide > b->wide) - (a->wide < b->wide);
        return (a->i > b->i) - (a->i < b->i);
    }
}

static int compare_reference(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    const order_spec *spec = reference_spec;
    for (uint32_t k = 0; k < spec->key_count; k++) {
        uint32_t c = spec->columns[k];
        cell ca = *at(reference_table, a, c), cb = *at(reference_table, b, c);
        if (spec->negate[k]) ca.i = -ca.i, cb.i = -cb.i;
        if (ca.null || cb.null) {
            if (ca.null && cb.null) continue;
            int result = ca.null ? -1 : 1;
            return spec->nulls_first[k] ? result : -result;
        }
        int result = compare_values(&ca, &cb, reference_table->types[c]);
        if (spec->descending[k]) result = -result;
        if (result != 0) return result;
    }
    return (a > b) - (a < b); /* stability */
}

static void reference_sort(const order_spec *spec, const table *t, lines *out)
{
    uint32_t *rows = malloc((t->row_count + 1) * sizeof *rows);
    ck_assert_ptr_nonnull(rows);
    for (uint32_t r = 0; r < t->row_count; r++) rows[r] = r;
    reference_spec = spec;
    reference_table = t;
    qsort(rows, t->row_count, sizeof *rows, compare_reference);
    for (uint32_t i = 0; i < t->row_count; i++) {
        char line[512] = "", text[96];
        for (uint32_t c = 0; c < t->column_count; c++) {
            cell_text(at(t, rows[i], c), t->types[c], text, sizeof text);
            append_text(line, sizeof line, text);
        }
        snprintf(text, sizeof text, "w=%lld",
                 (long long)(t->weights != NULL ? t->weights[rows[i]] : 1));
        append_text(line, sizeof line, text);
        lines_add(out, line);
    }
    free(rows);
}

/* ---- plans ---- */

static floe_arena arena;
static floe_eng_context context;

static void setup(void)
{
    seed(0);
    floe_arena_init(&arena, 0, 0);
    floe_eng_context_init(&context, ".");
}

static void teardown(void)
{
    ck_assert_uint_eq(atomic_load(&context.memory_used), 0);
    floe_eng_context_fini(&context);
    floe_arena_fini(&arena);
}

static floe_sql_plan *order_plan(const order_spec *spec, const table *t)
{
    floe_sql_plan *plan = floe_sql_plan_create(&arena, FLOE_SQL_PLAN_ORDER, 1, t->column_count);
    ck_assert_ptr_nonnull(plan);
    for (uint32_t c = 0; c < t->column_count; c++) {
        plan->output.columns[c].name = "c";
        plan->output.columns[c].type = t->types[c];
        plan->output.columns[c].nullable = true;
    }
    plan->u.order.key_count = spec->key_count;
    plan->u.order.keys =
        floe_arena_alloc(&arena, (spec->key_count + 1) * sizeof(floe_sql_sort_key));
    ck_assert_ptr_nonnull(plan->u.order.keys);
    for (uint32_t k = 0; k < spec->key_count; k++) {
        floe_type type = t->types[spec->columns[k]];
        floe_sql_expression *e = floe_sql_expression_column(&arena, spec->columns[k], type, true);
        ck_assert_ptr_nonnull(e);
        if (spec->negate[k]) {
            e = floe_sql_expression_node(&arena, FLOE_SQL_EXPRESSION_UNARY, type, true, 1, &e);
            ck_assert_ptr_nonnull(e);
            e->operator_kind = FLOE_SQL_OPERATOR_NEGATE;
        }
        plan->u.order.keys[k] = (floe_sql_sort_key){e, spec->descending[k], spec->nulls_first[k]};
    }
    return plan;
}

static floe_eng_operator *create_order(const order_spec *spec, const table *t,
                                       source_options options)
{
    floe_eng_operator *input = source_create(t, &context, options, NULL);
    floe_eng_operator *order = NULL;
    floe_error err;
    int status = floe_eng_order_create(order_plan(spec, t), &input, &context, 0, 1, &order, &err);
    ck_assert_msg(status == FLOE_OK, "order create: %s", err.message);
    return order;
}

static run_stats check_order(const order_spec *spec, const table *t, source_options options)
{
    lines expected = {0}, actual = {0};
    reference_sort(spec, t, &expected);
    floe_error err;
    run_stats stats;
    int status = drain(create_order(spec, t, options), &actual, &stats, &err);
    ck_assert_msg(status == FLOE_OK, "order: %s", err.message);
    assert_same(&expected, &actual);
    lines_free(&expected);
    lines_free(&actual);
    return stats;
}

#define BIG T(FLOE_TYPE_INT64)
#define STR T(FLOE_TYPE_STRING)

static void add_weights(table *t)
{
    static const int64_t choices[] = {-1, 1, 2, 7};
    t->weights = malloc((t->row_count + 1) * sizeof *t->weights);
    ck_assert_ptr_nonnull(t->weights);
    for (uint32_t r = 0; r < t->row_count; r++) t->weights[r] = choices[below(4)];
}

/* (key, id BIGINT, s VARCHAR): the id makes every row distinct, so stability is visible. */
static void keyed_table(table *t, floe_type key, uint32_t rows, uint32_t domain)
{
    const floe_type types[3] = {key, BIG, STR};
    table_init(t, 3, types, rows);
    for (uint32_t r = 0; r < rows; r++) {
        random_cell(at(t, r, 0), key, domain, 10);
        at(t, r, 1)->i = r;
        random_cell(at(t, r, 2), STR, 100000, 5);
    }
}

static const floe_type_id key_types[] = {
    FLOE_TYPE_BOOLEAN, FLOE_TYPE_INT32,     FLOE_TYPE_INT64,     FLOE_TYPE_FLOAT32,
    FLOE_TYPE_FLOAT64, FLOE_TYPE_DECIMAL,   FLOE_TYPE_DECIMAL,   FLOE_TYPE_DATE,
    FLOE_TYPE_TIMESTAMP, FLOE_TYPE_TIMESTAMPTZ, FLOE_TYPE_STRING, FLOE_TYPE_BINARY,
};
enum { KEY_TYPE_COUNT = sizeof key_types / sizeof key_types[0] };

static floe_type key_type(int index)
{
    if (key_types[index] == FLOE_TYPE_DECIMAL)
        return index == 5 ? floe_type_decimal(10, 2) : floe_type_decimal(30, 2);
    return T(key_types[index]);
}

/* Every type x ASC/DESC x NULLS FIRST/LAST, with duplicates (stability) and weights. */
START_TEST(one_key_of_every_type)
{
    seed((uint64_t)_i + 1);
    table t;
    keyed_table(&t, key_type(_i % KEY_TYPE_COUNT), 3000, 60);
    add_weights(&t);
    order_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.key_count = 1;
    spec.descending[0] = _i / KEY_TYPE_COUNT % 2;
    spec.nulls_first[0] = _i / KEY_TYPE_COUNT / 2 % 2;
    check_order(&spec, &t, mixed_source);
    table_fini(&t);
}
END_TEST

/* Three keys of different types and directions, then a fourth on a string column. */
START_TEST(several_keys)
{
    seed((uint64_t)_i + 100);
    const floe_type types[5] = {T(FLOE_TYPE_INT32), STR, T(FLOE_TYPE_FLOAT64), BIG,
                                floe_type_decimal(30, 0)};
    table t;
    table_init(&t, 5, types, 6000);
    for (uint32_t r = 0; r < t.row_count; r++) {
        random_cell(at(&t, r, 0), types[0], 5, 10);
        random_cell(at(&t, r, 1), types[1], 9, 10);
        random_cell(at(&t, r, 2), types[2], 12, 10);
        at(&t, r, 3)->i = r;
        random_cell(at(&t, r, 4), types[4], 8, 10);
    }
    order_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.key_count = 4;
    uint32_t columns[4] = {0, 1, 2, 4};
    for (uint32_t k = 0; k < 4; k++) {
        spec.columns[k] = _i % 2 ? columns[3 - k] : columns[k];
        spec.descending[k] = (_i + k) % 2;
        spec.nulls_first[k] = (_i / 2 + k) % 2;
    }
    check_order(&spec, &t, mixed_source);
    table_fini(&t);
}
END_TEST

/* ORDER BY -k NULLS FIRST, id DESC: the first key is evaluated per batch and stored. */
START_TEST(evaluated_key)
{
    seed(200);
    table t;
    keyed_table(&t, BIG, 5000, 30);
    order_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.key_count = 2;
    spec.negate[0] = true;
    spec.nulls_first[0] = true;
    spec.columns[1] = 1;
    spec.descending[1] = true;
    check_order(&spec, &t, mixed_source);
    table_fini(&t);
}
END_TEST

/* Input already in order, in reverse order, and all equal. */
START_TEST(presorted_reversed_and_equal_inputs)
{
    table t;
    keyed_table(&t, BIG, 10000, 1);
    for (uint32_t r = 0; r < t.row_count; r++) {
        at(&t, r, 0)->null = false;
        at(&t, r, 0)->i = _i == 0 ? r / 3 : _i == 1 ? -(int64_t)(r / 3) : 42;
    }
    order_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.key_count = 1;
    check_order(&spec, &t, plain_source);
    spec.descending[0] = true;
    check_order(&spec, &t, plain_source);
    table_fini(&t);
}
END_TEST

/* Binary values that differ only by trailing zero bytes, with and without a shared prefix: the
 * prefix's zero padding must not make "ab" equal to "ab\0". */
START_TEST(binary_values_with_zero_bytes)
{
    static const struct {
        const char *bytes;
        uint32_t length;
    } values[] = {{"ab", 2}, {"ab\0", 3}, {"a", 1}, {"ab\0\0", 4}, {"", 0}, {"\0", 1},
                  {"ab\1", 3}, {"abcdefgh", 8}, {"abcdefgh\0", 9}, {"abcdefg", 7}};
    enum { VALUE_COUNT = sizeof values / sizeof values[0] };
    for (int shared = 0; shared < 2; shared++) {
        const floe_type types[2] = {T(FLOE_TYPE_BINARY), BIG};
        table t;
        table_init(&t, 2, types, 400);
        for (uint32_t r = 0; r < t.row_count; r++) {
            uint32_t v = (r * 7) % VALUE_COUNT;
            cell *c = at(&t, r, 0);
            uint32_t offset = shared ? 9 : 0;
            if (shared) memcpy(c->s, "customer#", 9);
            memcpy(c->s + offset, values[v].bytes, values[v].length);
            c->length = offset + values[v].length;
            if (c->length == 0) c->length = 0, c->s[0] = 0;
            at(&t, r, 1)->i = r;
        }
        order_spec spec;
        memset(&spec, 0, sizeof spec);
        spec.key_count = 1;
        for (int descending = 0; descending < 2; descending++) {
            spec.descending[0] = descending;
            check_order(&spec, &t, mixed_source);
        }
        table_fini(&t);
    }
}
END_TEST

START_TEST(output_batches_of_2048)
{
    seed(300);
    table t;
    keyed_table(&t, STR, 5000, 100000);
    order_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.key_count = 1;
    source_options small = {100, false, false, false, -1};
    run_stats stats = check_order(&spec, &t, small);
    ck_assert_uint_eq(stats.batches, 3);
    ck_assert_uint_eq(stats.largest, 2048);
    table_fini(&t);
}
END_TEST

START_TEST(empty_input)
{
    table t;
    keyed_table(&t, BIG, 0, 1);
    order_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.key_count = 1;
    run_stats stats = check_order(&spec, &t, mixed_source);
    ck_assert_uint_eq(stats.batches, 0);
    table_fini(&t);
}
END_TEST

START_TEST(memory_limit_is_an_error)
{
    context.memory_limit = (size_t)1 << 20;
    seed(400);
    table t;
    keyed_table(&t, STR, 60000, 100000);
    order_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.key_count = 1;
    spec.negate[0] = _i == 1; /* also with an evaluated key column */
    if (_i == 1) {
        spec.columns[0] = 1;
    }
    lines actual = {0};
    floe_error err;
    int status = drain(create_order(&spec, &t, plain_source), &actual, NULL, &err);
    ck_assert_int_eq(status, FLOE_ENOMEM);
    ck_assert_msg(strstr(err.message, "--memory-limit") != NULL, "message: %s", err.message);
    ck_assert_uint_eq(actual.count, 0);
    lines_free(&actual);
    table_fini(&t);
}
END_TEST

/* The sort's own entries count too: a limit the rows fit in but not the entries. */
START_TEST(memory_limit_counts_the_sort)
{
    seed(450);
    table t;
    keyed_table(&t, BIG, 50000, 100);
    order_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.key_count = 1;
    /* Measure the store alone, then allow it but not the 36 bytes a row the sort needs. */
    floe_eng_batch_store store;
    floe_error err;
    ck_assert_int_eq(floe_eng_batch_store_init(&store, 3, t.types, &context, &err), FLOE_OK);
    floe_eng_operator *source = source_create(&t, &context, plain_source, NULL);
    floe_batch *batch;
    while (floe_eng_operator_next(source, &batch, &err) == FLOE_OK && batch != NULL)
        ck_assert_int_eq(floe_eng_batch_store_append(&store, batch, &err), FLOE_OK);
    floe_eng_operator_destroy(source);
    size_t store_bytes = store.reserved_bytes;
    floe_eng_batch_store_fini(&store);
    context.memory_limit = store_bytes + 16 * (size_t)t.row_count;
    lines actual = {0};
    ck_assert_int_eq(drain(create_order(&spec, &t, plain_source), &actual, NULL, &err),
                     FLOE_ENOMEM);
    lines_free(&actual);
    context.memory_limit = store_bytes + 36 * (size_t)t.row_count + 4096;
    check_order(&spec, &t, plain_source);
    table_fini(&t);
}
END_TEST

START_TEST(input_errors_propagate)
{
    seed(500);
    table t;
    keyed_table(&t, BIG, 5000, 100);
    order_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.key_count = 1;
    source_options failing = {512, false, false, false, 3};
    lines actual = {0};
    floe_error err;
    ck_assert_int_eq(drain(create_order(&spec, &t, failing), &actual, NULL, &err), FLOE_ECORRUPT);
    ck_assert_str_eq(err.message, "fake source: batch 3 is corrupt");
    lines_free(&actual);
    table_fini(&t);
}
END_TEST

START_TEST(failed_creation_destroys_input)
{
    table t;
    keyed_table(&t, BIG, 10, 100);
    order_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.key_count = 1;
    bool gone;
    floe_error err;
    floe_eng_operator *input = source_create(&t, &context, plain_source, &gone);
    floe_eng_operator *order = input; /* must be reset to NULL */
    floe_sql_plan *plan = order_plan(&spec, &t);
    plan->u.order.keys[0].expression = floe_sql_expression_column(&arena, 7, BIG, true);
    ck_assert_int_eq(floe_eng_order_create(plan, &input, &context, 0, 1, &order, &err),
                     FLOE_EINVAL);
    ck_assert_str_eq(err.message, "order: key 1 reads column 7 of 3");
    ck_assert_ptr_null(order);
    ck_assert(gone);
    for (long budget = 0; budget < 200; budget++) {
        input = source_create(&t, &context, plain_source, &gone);
        spec.negate[0] = true;
        plan = order_plan(&spec, &t);
        floe_set_allocation_failure_after(budget);
        int status = floe_eng_order_create(plan, &input, &context, 0, 1, &order, &err);
        floe_set_allocation_failure_after(-1);
        ck_assert(gone == (status != FLOE_OK));
        if (status == FLOE_OK) {
            floe_eng_operator_destroy(order);
            break;
        }
        ck_assert_int_eq(status, FLOE_ENOMEM);
    }
    table_fini(&t);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("order");
    TCase *tc = tcase_create("order");
    tcase_set_timeout(tc, 600);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, one_key_of_every_type, 0, 4 * KEY_TYPE_COUNT);
    tcase_add_loop_test(tc, several_keys, 0, 4);
    tcase_add_test(tc, evaluated_key);
    tcase_add_loop_test(tc, presorted_reversed_and_equal_inputs, 0, 3);
    tcase_add_test(tc, binary_values_with_zero_bytes);
    tcase_add_test(tc, output_batches_of_2048);
    tcase_add_test(tc, empty_input);
    tcase_add_loop_test(tc, memory_limit_is_an_error, 0, 2);
    tcase_add_test(tc, memory_limit_counts_the_sort);
    tcase_add_test(tc, input_errors_propagate);
    tcase_add_test(tc, failed_creation_destroys_input);
    suite_add_tcase(suite, tc);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
