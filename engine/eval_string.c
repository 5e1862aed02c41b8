/*
 * eval_string.c — || and concat(), LIKE, lower, upper, trim, substring, length.
 *
 * Results are appended to the output vector's own heap (floe_vector_set_string), which grows on
 * the first batches and is then reused, so steady-state evaluation does not allocate. Inputs may
 * be DICTIONARY vectors: every read goes through floe_vector_string. Characters are UTF-8 code
 * points for length, substring and LIKE's _; lower/upper change ASCII letters only (DuckDB maps
 * all of Unicode; documented in expression_eval.h).
 */
#include "engine/eval_internal.h"

#include <string.h>

static bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

static int64_t count_code_points(const unsigned char *s, uint32_t n)
{
    int64_t count = 0;
    for (uint32_t i = 0; i < n; i++) count += !is_continuation(s[i]);
    return count;
}

/* Byte offset of code point `index` (or n past the end). */
static uint32_t byte_offset(const unsigned char *s, uint32_t n, int64_t index)
{
    uint32_t i = 0;
    for (int64_t seen = 0; i < n; i++) {
        if (!is_continuation(s[i])) {
            if (seen == index) return i;
            seen++;
        }
    }
    return n;
}

/* DuckDB's substring bounds: 1-based offset, negative from the end, 0 eats one of the length,
 * negative length takes the characters before the start. */
static bool substring_bounds(int64_t size, int64_t offset, int64_t length, int64_t *start,
                             int64_t *end)
{
    if (length == 0) return false;
    if (offset > 0) {
        *start = offset - 1 < size ? offset - 1 : size;
    } else if (offset < 0) {
        *start = size + offset; /* may be before the string: clamped below */
    } else {
        *start = 0;
        length--;
        if (length <= 0) return false;
    }
    if (length > 0) {
        *end = length > size - *start ? size : *start + length;
    } else {
        *end = *start;
        *start = *start + length;
    }
    if (*start < 0) *start = 0;
    if (*end < 0) *end = 0;
    return *start < *end;
}

int floe_eng_eval_string_function(const floe_eng_node *node, const floe_vector *const *inputs,
                                  const floe_eng_rows *rows, floe_vector *out, floe_error *err)
{
    floe_sql_function function = node->expression->function;
    const floe_vector *x = inputs[0];
    floe_eng_merge_validity(out, inputs, node->child_count, rows);
    switch (function) {
    case FLOE_SQL_FUNCTION_LENGTH: {
        int64_t *o = out->data;
        FLOE_ENG_FOR_ROWS(rows, r, {
            if (!floe_eng_is_valid(out, r)) continue;
            uint32_t n;
            const unsigned char *s = floe_vector_string(x, r, &n);
            o[r] = count_code_points(s, n);
        });
        return FLOE_OK;
    }
    case FLOE_SQL_FUNCTION_LOWER:
    case FLOE_SQL_FUNCTION_UPPER: {
        bool upper = function == FLOE_SQL_FUNCTION_UPPER;
        FLOE_ENG_FOR_ROWS(rows, r, {
            if (!floe_eng_is_valid(out, r)) continue;
            uint32_t n;
            const unsigned char *s = floe_vector_string(x, r, &n);
            FLOE_TRY(floe_vector_set_string(out, r, s, n, err));
            unsigned char *t = out->heap_storage + ((floe_string_ref *)out->data)[r].offset;
            for (uint32_t i = 0; i < n; i++) {
                unsigned char c = t[i];
                if (upper && c >= 'a' && c <= 'z') t[i] = (unsigned char)(c - 32);
                if (!upper && c >= 'A' && c <= 'Z') t[i] = (unsigned char)(c + 32);
            }
        });
        return FLOE_OK;
    }
    case FLOE_SQL_FUNCTION_TRIM:
        FLOE_ENG_FOR_ROWS(rows, r, {
            if (!floe_eng_is_valid(out, r)) continue;
            uint32_t n;
            const unsigned char *s = floe_vector_string(x, r, &n);
            while (n > 0 && s[0] == ' ') s++, n--;
            while (n > 0 && s[n - 1] == ' ') n--;
            FLOE_TRY(floe_vector_set_string(out, r, s, n, err));
        });
        return FLOE_OK;
    case FLOE_SQL_FUNCTION_SUBSTRING: {
        const int64_t *offsets = inputs[1]->data;
        const int64_t *lengths = node->child_count > 2 ? inputs[2]->data : NULL;
        FLOE_ENG_FOR_ROWS(rows, r, {
            if (!floe_eng_is_valid(out, r)) continue;
            uint32_t n;
            const unsigned char *s = floe_vector_string(x, r, &n);
            int64_t size = count_code_points(s, n), start = 0, end = 0;
            int64_t length = lengths != NULL ? lengths[r] : (int64_t)UINT32_MAX;
            uint32_t from = 0, to = 0;
            if (substring_bounds(size, offsets[r], length, &start, &end)) {
                from = byte_offset(s, n, start);
                to = byte_offset(s, n, end);
            }
            FLOE_TRY(floe_vector_set_string(out, r, s + from, to - from, err));
        });
        return FLOE_OK;
    }
    default: break;
    }
    return floe_error_set(err, FLOE_EUNSUPPORTED, "function %d", (int)function);
}

int floe_eng_eval_concat(const floe_eng_node *node, const floe_vector *const *inputs,
                         const floe_eng_rows *rows, floe_vector *out, floe_error *err)
{
    /* The || operator is NULL when an operand is; concat() skips NULL arguments. */
    bool skip_nulls = node->expression->kind == FLOE_SQL_EXPRESSION_FUNCTION;
    uint32_t count = node->child_count;
    if (skip_nulls) out->validity = NULL;
    else floe_eng_merge_validity(out, inputs, count, rows);
    FLOE_ENG_FOR_ROWS(rows, r, {
        if (!floe_eng_is_valid(out, r)) continue;
        size_t start = out->heap_size;
        uint32_t total = 0;
        for (uint32_t k = 0; k < count; k++) {
            if (!floe_eng_is_valid(inputs[k], r)) continue;
            uint32_t n;
            const unsigned char *s = floe_vector_string(inputs[k], r, &n);
            /* Appends piecewise: each call extends the heap; the ref is rewritten below. */
            FLOE_TRY(floe_vector_set_string(out, r, s, n, err));
            total += n;
        }
        ((floe_string_ref *)out->data)[r] = (floe_string_ref){(uint32_t)start, total};
    });
    return FLOE_OK;
}

static uint32_t utf8_next(const unsigned char *s, uint32_t n, uint32_t i)
{
    i++;
    while (i < n && is_continuation(s[i])) i++;
    return i;
}

/* % matches any run of code points, _ exactly one; everything else itself, byte for byte.
 * Greedy with one backtrack point (the last %), which is complete for these two wildcards. */
static bool like_match(const unsigned char *s, uint32_t n, const unsigned char *p, uint32_t m)
{
    uint32_t i = 0, j = 0, star_p = UINT32_MAX, star_s = 0;
    while (i < n) {
        if (j < m && p[j] == '%') {
            star_p = ++j;
            star_s = i;
        } else if (j < m && p[j] == '_') {
            i = utf8_next(s, n, i);
            j++;
        } else if (j < m && p[j] == s[i]) {
            i++;
            j++;
        } else if (star_p != UINT32_MAX) {
            star_s = utf8_next(s, n, star_s);
            i = star_s;
            j = star_p;
        } else {
            return false;
        }
    }
    while (j < m && p[j] == '%') j++;
    return j == m;
}

int floe_eng_eval_like(const floe_eng_node *node, const floe_vector *const *inputs,
                       const floe_eng_rows *rows, floe_vector *out, floe_error *err)
{
    (void)node;
    (void)err;
    uint8_t *o = out->data;
    floe_eng_merge_validity(out, inputs, 2, rows);
    FLOE_ENG_FOR_ROWS(rows, r, {
        if (!floe_eng_is_valid(out, r)) continue;
        uint32_t n, m;
        const unsigned char *s = floe_vector_string(inputs[0], r, &n);
        const unsigned char *p = floe_vector_string(inputs[1], r, &m);
        o[r] = like_match(s, n, p, m);
    });
    return FLOE_OK;
}
