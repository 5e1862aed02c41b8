/*
 * parser.c — recursive descent over the lexer's tokens, building sql/ast.h trees.
 *
 * Why recursive descent with precedence climbing by hand: the grammar is small, error messages
 * must name what was expected at the exact token ("expected an expression but found FROM"), and
 * non-reserved keywords double as names depending on context — all easier to get right in plain
 * code than in a generated parser. Expression levels, weakest first (the printer in ast.c uses
 * the same ladder):
 *     OR < AND < NOT < comparison, IS, IN, BETWEEN, LIKE < || < + - < * / % < unary - < :: < primary
 * Recursion is bounded twice: p->depth counts nested calls (parentheses, NOT and minus chains,
 * arguments, subqueries) against FLOE_SQL_MAX_PARSE_DEPTH so hostile input cannot exhaust the
 * stack, and every node's depth is checked against FLOE_SQL_MAX_EXPRESSION_DEPTH so that long
 * left-deep chains (a + a + a ...) stay printable and bindable by recursive code.
 *
 * Arrays grow inside the arena (a grown copy abandons the old one): no heap buffer has to be
 * released on an error path, and the whole tree goes with the script.
 */
#include "sql/parser.h"

#include "kernels/memory.h" /* floe_malloc for the script */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
    floe_sql_lexer lexer;
    floe_sql_token current; /* the lookahead token */
    size_t previous_end;    /* byte offset just past the last consumed token */
    floe_arena *arena;
    floe_error *err;
    int depth;
} parser;

/* ---- tokens ---- */

static int next_token(parser *p)
{
    p->previous_end = p->current.position.offset + p->current.length;
    return floe_sql_lexer_next(&p->lexer, &p->current, p->err);
}

/* The token after the lookahead (a copy of the lexer reads it; errors surface later). */
static floe_sql_token peek_token(const parser *p, int ahead)
{
    floe_sql_lexer copy = p->lexer;
    floe_sql_token token;
    memset(&token, 0, sizeof token);
    for (int i = 0; i < ahead; i++)
        if (floe_sql_lexer_next(&copy, &token, NULL) < 0) {
            token.kind = FLOE_SQL_TOKEN_END;
            break;
        }
    return token;
}

static int is_keyword(const floe_sql_token *token, floe_sql_keyword keyword)
{
    return token->kind == FLOE_SQL_TOKEN_WORD && token->keyword == keyword;
}

static int at(const parser *p, floe_sql_token_kind kind)
{
    return p->current.kind == kind;
}

static int at_keyword(const parser *p, floe_sql_keyword keyword)
{
    return is_keyword(&p->current, keyword);
}

/* A token usable as a name: a quoted identifier, or a word that is not a reserved keyword. */
static int is_name(const floe_sql_token *token)
{
    return token->kind == FLOE_SQL_TOKEN_QUOTED_IDENTIFIER ||
           (token->kind == FLOE_SQL_TOKEN_WORD && !floe_sql_keyword_is_reserved(token->keyword));
}

static int error_at(parser *p, floe_sql_position position, int code, const char *what)
{
    return floe_error_set(p->err, code, "line %u, column %u: %s", position.line, position.column,
                          what);
}

/* "expected WHAT but found TOKEN" at the lookahead. */
static int expected(parser *p, const char *what)
{
    const floe_sql_token *token = &p->current;
    if (token->kind == FLOE_SQL_TOKEN_END)
        return floe_error_set(p->err, FLOE_ESYNTAX, "line %u, column %u: expected %s but found end of input",
                              token->position.line, token->position.column, what);
    int shown = token->length > 40 ? 40 : (int)token->length;
    return floe_error_set(p->err, FLOE_ESYNTAX, "line %u, column %u: expected %s but found %.*s%s",
                          token->position.line, token->position.column, what, shown, token->text,
                          token->length > 40 ? "..." : "");
}

static int out_of_memory(parser *p)
{
    return floe_error_set(p->err, FLOE_ENOMEM, "out of memory while parsing SQL");
}

static int expect_kind(parser *p, floe_sql_token_kind kind, const char *what)
{
    if (!at(p, kind)) return expected(p, what);
    return next_token(p);
}

static int expect_keyword(parser *p, floe_sql_keyword keyword)
{
    if (!at_keyword(p, keyword)) return expected(p, floe_sql_keyword_name(keyword));
    return next_token(p);
}

/* Consumes the keyword if it is next; *found tells whether it was. */
static int accept_keyword(parser *p, floe_sql_keyword keyword, int *found)
{
    *found = at_keyword(p, keyword);
    return *found ? next_token(p) : FLOE_OK;
}

static int parse_name(parser *p, const char *what, const char **name)
{
    if (!is_name(&p->current)) return expected(p, what);
    *name = floe_sql_token_value(&p->current, p->arena, NULL);
    if (*name == NULL) return out_of_memory(p);
    return next_token(p);
}

static int parse_table_name(parser *p, floe_sql_name *name)
{
    name->position = p->current.position;
    name->namespace_name = NULL;
    FLOE_TRY(parse_name(p, "a table name", &name->name));
    if (at(p, FLOE_SQL_TOKEN_DOT)) {
        FLOE_TRY(next_token(p));
        name->namespace_name = name->name;
        FLOE_TRY(parse_name(p, "a table name", &name->name));
    }
    return FLOE_OK;
}

static void *grow_array(parser *p, void *items, size_t *capacity, size_t count, size_t size)
{
    if (count < *capacity) return items;
    size_t grown = *capacity ? *capacity * 2 : 4;
    void *copy = floe_arena_alloc(p->arena, grown * size);
    if (copy == NULL) return NULL;
    if (count > 0) memcpy(copy, items, count * size);
    *capacity = grown;
    return copy;
}

static int enter(parser *p, floe_sql_position position)
{
    if (++p->depth > FLOE_SQL_MAX_PARSE_DEPTH)
        return error_at(p, position, FLOE_ESYNTAX, "expression nested too deeply");
    return FLOE_OK;
}

static void leave(parser *p)
{
    p->depth--;
}

/* ---- types ---- */

static int parse_small_integer(parser *p, long minimum, long maximum, const char *what, long *value)
{
    if (!at(p, FLOE_SQL_TOKEN_INTEGER)) return expected(p, "an integer");
    char digits[24];
    if (p->current.length >= sizeof digits) {
        *value = maximum + 1;
    } else {
        memcpy(digits, p->current.text, p->current.length);
        digits[p->current.length] = '\0';
        *value = strtol(digits, NULL, 10);
    }
    if (*value < minimum || *value > maximum) {
        char message[128];
        snprintf(message, sizeof message, "%s must be between %ld and %ld", what, minimum, maximum);
        return error_at(p, p->current.position, FLOE_ESYNTAX, message);
    }
    return next_token(p);
}

static int parse_type(parser *p, floe_type *type)
{
    if (p->current.kind != FLOE_SQL_TOKEN_WORD) return expected(p, "a type name");
    switch (p->current.keyword) {
    case FLOE_SQL_KEYWORD_BOOLEAN: *type = floe_type_make(FLOE_TYPE_BOOLEAN); break;
    case FLOE_SQL_KEYWORD_INT:
    case FLOE_SQL_KEYWORD_INTEGER: *type = floe_type_make(FLOE_TYPE_INT32); break;
    case FLOE_SQL_KEYWORD_BIGINT: *type = floe_type_make(FLOE_TYPE_INT64); break;
    case FLOE_SQL_KEYWORD_REAL:
    case FLOE_SQL_KEYWORD_FLOAT: *type = floe_type_make(FLOE_TYPE_FLOAT32); break;
    case FLOE_SQL_KEYWORD_DOUBLE:
        *type = floe_type_make(FLOE_TYPE_FLOAT64);
        FLOE_TRY(next_token(p));
        if (at_keyword(p, FLOE_SQL_KEYWORD_PRECISION)) FLOE_TRY(next_token(p));
        return FLOE_OK;
    case FLOE_SQL_KEYWORD_DECIMAL:
    case FLOE_SQL_KEYWORD_NUMERIC: {
        long precision = FLOE_DECIMAL_MAX_PRECISION, scale = 0;
        FLOE_TRY(next_token(p));
        if (at(p, FLOE_SQL_TOKEN_LEFT_PAREN)) {
            FLOE_TRY(next_token(p));
            FLOE_TRY(parse_small_integer(p, 1, FLOE_DECIMAL_MAX_PRECISION, "DECIMAL precision",
                                         &precision));
            if (at(p, FLOE_SQL_TOKEN_COMMA)) {
                FLOE_TRY(next_token(p));
                FLOE_TRY(parse_small_integer(p, 0, precision, "DECIMAL scale", &scale));
            }
            FLOE_TRY(expect_kind(p, FLOE_SQL_TOKEN_RIGHT_PAREN, "')'"));
        }
        *type = floe_type_decimal((unsigned)precision, (unsigned)scale);
        return FLOE_OK;
    }
    case FLOE_SQL_KEYWORD_DATE: *type = floe_type_make(FLOE_TYPE_DATE); break;
    case FLOE_SQL_KEYWORD_TIMESTAMP:
        *type = floe_type_make(FLOE_TYPE_TIMESTAMP);
        FLOE_TRY(next_token(p));
        if (at_keyword(p, FLOE_SQL_KEYWORD_WITH)) {
            FLOE_TRY(next_token(p));
            FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_TIME));
            FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_ZONE));
            *type = floe_type_make(FLOE_TYPE_TIMESTAMPTZ);
        }
        return FLOE_OK;
    case FLOE_SQL_KEYWORD_TIMESTAMPTZ: *type = floe_type_make(FLOE_TYPE_TIMESTAMPTZ); break;
    case FLOE_SQL_KEYWORD_VARCHAR: {
        *type = floe_type_make(FLOE_TYPE_STRING);
        FLOE_TRY(next_token(p));
        if (at(p, FLOE_SQL_TOKEN_LEFT_PAREN)) {
            long ignored = 0;
            FLOE_TRY(next_token(p));
            FLOE_TRY(parse_small_integer(p, 1, 1L << 30, "VARCHAR length", &ignored));
            FLOE_TRY(expect_kind(p, FLOE_SQL_TOKEN_RIGHT_PAREN, "')'"));
        }
        return FLOE_OK;
    }
    case FLOE_SQL_KEYWORD_STRING:
    case FLOE_SQL_KEYWORD_TEXT: *type = floe_type_make(FLOE_TYPE_STRING); break;
    case FLOE_SQL_KEYWORD_BINARY:
    case FLOE_SQL_KEYWORD_BLOB:
    case FLOE_SQL_KEYWORD_VARBINARY: *type = floe_type_make(FLOE_TYPE_BINARY); break;
    default: return expected(p, "a type name");
    }
    return next_token(p);
}

/* ---- expressions ---- */

static int parse_expr(parser *p, floe_sql_expr **out);
static int parse_query(parser *p, floe_sql_query **out);

/* Finishes a node whose children are set: computes and bounds its depth. */
static int finish_node(parser *p, floe_sql_expr *expr)
{
    floe_sql_expr_update_depth(expr);
    if (expr->depth > FLOE_SQL_MAX_EXPRESSION_DEPTH)
        return error_at(p, expr->position, FLOE_ESYNTAX, "expression nested too deeply");
    return FLOE_OK;
}

static int new_expr(parser *p, floe_sql_expr_kind kind, floe_sql_position position,
                    floe_sql_expr **out)
{
    *out = floe_sql_expr_create(p->arena, kind, position);
    return *out == NULL ? out_of_memory(p) : FLOE_OK;
}

static int make_binary(parser *p, floe_sql_binary_op op, floe_sql_expr *left, floe_sql_expr *right,
                       floe_sql_position position, floe_sql_expr **out)
{
    FLOE_TRY(new_expr(p, FLOE_SQL_EXPR_BINARY, position, out));
    (*out)->u.binary.op = op;
    (*out)->u.binary.left = left;
    (*out)->u.binary.right = right;
    return finish_node(p, *out);
}

/* Comma-separated expressions up to (not including) the closing token. */
static int parse_expr_list(parser *p, floe_sql_expr ***items, size_t *count)
{
    size_t capacity = 0;
    *items = NULL;
    *count = 0;
    for (;;) {
        floe_sql_expr *item = NULL;
        FLOE_TRY(parse_expr(p, &item));
        floe_sql_expr **grown = grow_array(p, *items, &capacity, *count, sizeof *grown);
        if (grown == NULL) return out_of_memory(p);
        *items = grown;
        (*items)[(*count)++] = item;
        if (!at(p, FLOE_SQL_TOKEN_COMMA)) return FLOE_OK;
        FLOE_TRY(next_token(p));
    }
}

static int is_leap_year(long year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* 'yyyy-mm-dd' with a real calendar day. */
static int date_text_is_valid(const char *text)
{
    if (strlen(text) != 10 || text[4] != '-' || text[7] != '-') return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9')) return 0;
    long year = strtol(text, NULL, 10);
    long month = (text[5] - '0') * 10 + (text[6] - '0');
    long day = (text[8] - '0') * 10 + (text[9] - '0');
    static const int days_in_month[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1) return 0;
    long last = days_in_month[month - 1] + (month == 2 && is_leap_year(year) ? 1 : 0);
    return day <= last;
}

static int parse_typed_literal(parser *p, floe_sql_expr_kind kind, floe_sql_expr **out)
{
    floe_sql_position position = p->current.position;
    FLOE_TRY(next_token(p)); /* DATE or TIMESTAMP */
    FLOE_TRY(new_expr(p, kind, position, out));
    (*out)->u.literal.text = floe_sql_token_value(&p->current, p->arena, NULL);
    if ((*out)->u.literal.text == NULL) return out_of_memory(p);
    if (kind == FLOE_SQL_EXPR_DATE && !date_text_is_valid((*out)->u.literal.text))
        return error_at(p, p->current.position, FLOE_ESYNTAX,
                        "invalid DATE literal: expected 'yyyy-mm-dd'");
    return next_token(p);
}

static const char *const extract_fields[] = {
    "year", "quarter", "month", "week", "day", "dayofweek", "dow", "dayofyear", "doy",
    "hour", "minute", "second", "millisecond", "microsecond", "epoch",
};

static int parse_extract(parser *p, floe_sql_expr *call)
{
    static const char what[] = "a date part (year, month, day, hour, minute, second, ...)";
    if (p->current.kind != FLOE_SQL_TOKEN_WORD) return expected(p, what);
    char *field = floe_sql_token_value(&p->current, p->arena, NULL);
    if (field == NULL) return out_of_memory(p);
    int known = 0;
    for (size_t i = 0; i < sizeof extract_fields / sizeof extract_fields[0]; i++)
        if (strcmp(field, extract_fields[i]) == 0) known = 1;
    if (!known) return expected(p, what);
    floe_sql_expr *field_literal = NULL;
    FLOE_TRY(new_expr(p, FLOE_SQL_EXPR_STRING, p->current.position, &field_literal));
    field_literal->u.literal.text = field;
    FLOE_TRY(next_token(p));
    FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_FROM));
    floe_sql_expr *source = NULL;
    FLOE_TRY(parse_expr(p, &source));
    call->u.function.args = floe_arena_alloc(p->arena, 2 * sizeof *call->u.function.args);
    if (call->u.function.args == NULL) return out_of_memory(p);
    call->u.function.args[0] = field_literal;
    call->u.function.args[1] = source;
    call->u.function.arg_count = 2;
    return FLOE_OK;
}

/* SUBSTRING(s, a[, b]) or SUBSTRING(s FROM a [FOR b]). */
static int parse_substring(parser *p, floe_sql_expr *call)
{
    floe_sql_expr **args = floe_arena_alloc(p->arena, 3 * sizeof *args);
    if (args == NULL) return out_of_memory(p);
    size_t count = 0;
    FLOE_TRY(parse_expr(p, &args[count++]));
    if (at_keyword(p, FLOE_SQL_KEYWORD_FROM)) {
        FLOE_TRY(next_token(p));
        FLOE_TRY(parse_expr(p, &args[count++]));
        if (at_keyword(p, FLOE_SQL_KEYWORD_FOR)) {
            FLOE_TRY(next_token(p));
            FLOE_TRY(parse_expr(p, &args[count++]));
        }
    } else {
        if (!at(p, FLOE_SQL_TOKEN_COMMA)) return expected(p, "',' or FROM");
        FLOE_TRY(next_token(p));
        FLOE_TRY(parse_expr(p, &args[count++]));
        if (at(p, FLOE_SQL_TOKEN_COMMA)) {
            FLOE_TRY(next_token(p));
            FLOE_TRY(parse_expr(p, &args[count++]));
        }
    }
    call->u.function.args = args;
    call->u.function.arg_count = count;
    return FLOE_OK;
}

static int parse_function_call(parser *p, floe_sql_expr **out)
{
    floe_sql_position position = p->current.position;
    floe_sql_keyword keyword = p->current.keyword;
    char *name = floe_sql_token_value(&p->current, p->arena, NULL);
    if (name == NULL) return out_of_memory(p);
    FLOE_TRY(next_token(p)); /* the name */
    FLOE_TRY(next_token(p)); /* ( */
    FLOE_TRY(new_expr(p, FLOE_SQL_EXPR_FUNCTION, position, out));
    floe_sql_expr *call = *out;
    call->u.function.name = strcmp(name, "ceiling") == 0 ? "ceil" : name;
    if (keyword == FLOE_SQL_KEYWORD_EXTRACT) {
        FLOE_TRY(parse_extract(p, call));
    } else if (keyword == FLOE_SQL_KEYWORD_SUBSTRING) {
        FLOE_TRY(parse_substring(p, call));
    } else if (at(p, FLOE_SQL_TOKEN_STAR) && strcmp(name, "count") == 0) {
        call->u.function.star = 1;
        FLOE_TRY(next_token(p));
    } else if (!at(p, FLOE_SQL_TOKEN_RIGHT_PAREN)) {
        int all = 0;
        FLOE_TRY(accept_keyword(p, FLOE_SQL_KEYWORD_DISTINCT, &call->u.function.distinct));
        if (!call->u.function.distinct) FLOE_TRY(accept_keyword(p, FLOE_SQL_KEYWORD_ALL, &all));
        FLOE_TRY(parse_expr_list(p, &call->u.function.args, &call->u.function.arg_count));
    }
    if (!at(p, FLOE_SQL_TOKEN_RIGHT_PAREN))
        return expected(p, call->u.function.arg_count > 0 && keyword != FLOE_SQL_KEYWORD_EXTRACT
                               ? "',' or ')'"
                               : "')'");
    FLOE_TRY(next_token(p));
    return finish_node(p, call);
}

static int parse_case(parser *p, floe_sql_expr **out)
{
    FLOE_TRY(new_expr(p, FLOE_SQL_EXPR_CASE, p->current.position, out));
    floe_sql_expr *node = *out;
    FLOE_TRY(next_token(p)); /* CASE */
    if (!at_keyword(p, FLOE_SQL_KEYWORD_WHEN) && !at_keyword(p, FLOE_SQL_KEYWORD_ELSE) &&
        !at_keyword(p, FLOE_SQL_KEYWORD_END))
        FLOE_TRY(parse_expr(p, &node->u.case_.operand));
    if (!at_keyword(p, FLOE_SQL_KEYWORD_WHEN)) return expected(p, "WHEN");
    size_t capacity = 0;
    while (at_keyword(p, FLOE_SQL_KEYWORD_WHEN)) {
        FLOE_TRY(next_token(p));
        floe_sql_when when = {NULL, NULL};
        FLOE_TRY(parse_expr(p, &when.condition));
        FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_THEN));
        FLOE_TRY(parse_expr(p, &when.result));
        floe_sql_when *grown =
            grow_array(p, node->u.case_.whens, &capacity, node->u.case_.when_count, sizeof *grown);
        if (grown == NULL) return out_of_memory(p);
        node->u.case_.whens = grown;
        node->u.case_.whens[node->u.case_.when_count++] = when;
    }
    if (at_keyword(p, FLOE_SQL_KEYWORD_ELSE)) {
        FLOE_TRY(next_token(p));
        FLOE_TRY(parse_expr(p, &node->u.case_.otherwise));
    }
    if (!at_keyword(p, FLOE_SQL_KEYWORD_END)) return expected(p, "WHEN, ELSE or END");
    FLOE_TRY(next_token(p));
    return finish_node(p, node);
}

static int parse_number(parser *p, floe_sql_expr **out)
{
    floe_sql_token token = p->current;
    floe_sql_expr_kind kind = token.kind == FLOE_SQL_TOKEN_INTEGER ? FLOE_SQL_EXPR_INTEGER
                              : token.kind == FLOE_SQL_TOKEN_DECIMAL ? FLOE_SQL_EXPR_DECIMAL
                                                                     : FLOE_SQL_EXPR_FLOAT;
    FLOE_TRY(new_expr(p, kind, token.position, out));
    char *text = floe_sql_token_value(&token, p->arena, NULL);
    if (text == NULL) return out_of_memory(p);
    (*out)->u.literal.text = text;
    if (kind == FLOE_SQL_EXPR_INTEGER) {
        errno = 0;
        char *end = NULL;
        unsigned long long value = strtoull(text, &end, 10);
        if (errno == ERANGE || value > (unsigned long long)INT64_MAX)
            (*out)->kind = FLOE_SQL_EXPR_DECIMAL;
        else
            (*out)->u.literal.integer = (int64_t)value;
    }
    return next_token(p);
}

static int parse_column_ref(parser *p, floe_sql_expr **out)
{
    FLOE_TRY(new_expr(p, FLOE_SQL_EXPR_COLUMN, p->current.position, out));
    FLOE_TRY(parse_name(p, "a column name", &(*out)->u.column.name));
    if (!at(p, FLOE_SQL_TOKEN_DOT)) return FLOE_OK;
    FLOE_TRY(next_token(p));
    (*out)->u.column.qualifier = (*out)->u.column.name;
    FLOE_TRY(parse_name(p, "a column name", &(*out)->u.column.name));
    if (at(p, FLOE_SQL_TOKEN_DOT))
        return error_at(p, p->current.position, FLOE_ESYNTAX,
                        "a column reference has at most two parts (table.column)");
    return FLOE_OK;
}

static int parse_primary(parser *p, floe_sql_expr **out)
{
    floe_sql_token token = p->current;
    switch (token.kind) {
    case FLOE_SQL_TOKEN_INTEGER:
    case FLOE_SQL_TOKEN_DECIMAL:
    case FLOE_SQL_TOKEN_FLOAT: return parse_number(p, out);
    case FLOE_SQL_TOKEN_STRING:
        FLOE_TRY(new_expr(p, FLOE_SQL_EXPR_STRING, token.position, out));
        (*out)->u.literal.text = floe_sql_token_value(&token, p->arena, NULL);
        if ((*out)->u.literal.text == NULL) return out_of_memory(p);
        return next_token(p);
    case FLOE_SQL_TOKEN_LEFT_PAREN: {
        floe_sql_token inside = peek_token(p, 1);
        if (is_keyword(&inside, FLOE_SQL_KEYWORD_SELECT))
            return error_at(p, token.position, FLOE_EUNSUPPORTED,
                            "scalar subqueries are not supported");
        FLOE_TRY(next_token(p));
        FLOE_TRY(parse_expr(p, out));
        return expect_kind(p, FLOE_SQL_TOKEN_RIGHT_PAREN, "')'");
    }
    case FLOE_SQL_TOKEN_QUOTED_IDENTIFIER: return parse_column_ref(p, out);
    case FLOE_SQL_TOKEN_WORD: break;
    default: return expected(p, "an expression");
    }
    floe_sql_token next = peek_token(p, 1);
    switch (token.keyword) {
    case FLOE_SQL_KEYWORD_TRUE:
    case FLOE_SQL_KEYWORD_FALSE:
        FLOE_TRY(new_expr(p, FLOE_SQL_EXPR_BOOLEAN, token.position, out));
        (*out)->u.literal.boolean = token.keyword == FLOE_SQL_KEYWORD_TRUE;
        return next_token(p);
    case FLOE_SQL_KEYWORD_NULL:
        FLOE_TRY(new_expr(p, FLOE_SQL_EXPR_NULL, token.position, out));
        return next_token(p);
    case FLOE_SQL_KEYWORD_CASE: return parse_case(p, out);
    case FLOE_SQL_KEYWORD_CAST: {
        FLOE_TRY(next_token(p));
        FLOE_TRY(expect_kind(p, FLOE_SQL_TOKEN_LEFT_PAREN, "'('"));
        FLOE_TRY(new_expr(p, FLOE_SQL_EXPR_CAST, token.position, out));
        FLOE_TRY(parse_expr(p, &(*out)->u.cast.operand));
        FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_AS));
        FLOE_TRY(parse_type(p, &(*out)->u.cast.type));
        FLOE_TRY(expect_kind(p, FLOE_SQL_TOKEN_RIGHT_PAREN, "')'"));
        return finish_node(p, *out);
    }
    case FLOE_SQL_KEYWORD_DATE:
        if (next.kind == FLOE_SQL_TOKEN_STRING) return parse_typed_literal(p, FLOE_SQL_EXPR_DATE, out);
        break;
    case FLOE_SQL_KEYWORD_TIMESTAMP:
        if (next.kind == FLOE_SQL_TOKEN_STRING)
            return parse_typed_literal(p, FLOE_SQL_EXPR_TIMESTAMP, out);
        break;
    case FLOE_SQL_KEYWORD_INTERVAL:
        if (next.kind == FLOE_SQL_TOKEN_STRING)
            return error_at(p, token.position, FLOE_EUNSUPPORTED,
                            "INTERVAL literals are not supported");
        break;
    case FLOE_SQL_KEYWORD_EXISTS:
        if (next.kind == FLOE_SQL_TOKEN_LEFT_PAREN)
            return error_at(p, token.position, FLOE_EUNSUPPORTED,
                            "EXISTS subqueries are not supported");
        break;
    default: break;
    }
    if (!is_name(&token)) return expected(p, "an expression");
    if (next.kind == FLOE_SQL_TOKEN_LEFT_PAREN) return parse_function_call(p, out);
    return parse_column_ref(p, out);
}

/* primary { :: type } */
static int parse_postfix(parser *p, floe_sql_expr **out)
{
    FLOE_TRY(parse_primary(p, out));
    while (at(p, FLOE_SQL_TOKEN_DOUBLE_COLON)) {
        floe_sql_position position = p->current.position;
        FLOE_TRY(next_token(p));
        floe_sql_expr *cast = NULL;
        FLOE_TRY(new_expr(p, FLOE_SQL_EXPR_CAST, position, &cast));
        cast->u.cast.operand = *out;
        FLOE_TRY(parse_type(p, &cast->u.cast.type));
        *out = cast;
        FLOE_TRY(finish_node(p, cast));
    }
    return FLOE_OK;
}

static int parse_unary(parser *p, floe_sql_expr **out)
{
    if (!at(p, FLOE_SQL_TOKEN_MINUS) && !at(p, FLOE_SQL_TOKEN_PLUS)) return parse_postfix(p, out);
    floe_sql_position position = p->current.position;
    int negate = at(p, FLOE_SQL_TOKEN_MINUS);
    FLOE_TRY(enter(p, position));
    FLOE_TRY(next_token(p));
    floe_sql_expr *operand = NULL;
    FLOE_TRY(parse_unary(p, &operand));
    leave(p);
    if (!negate) {
        *out = operand; /* unary plus changes nothing */
        return FLOE_OK;
    }
    FLOE_TRY(new_expr(p, FLOE_SQL_EXPR_UNARY, position, out));
    (*out)->u.unary.op = FLOE_SQL_UNARY_NEGATE;
    (*out)->u.unary.operand = operand;
    return finish_node(p, *out);
}

static int parse_multiplicative(parser *p, floe_sql_expr **out)
{
    FLOE_TRY(parse_unary(p, out));
    for (;;) {
        floe_sql_binary_op op;
        if (at(p, FLOE_SQL_TOKEN_STAR)) op = FLOE_SQL_BINARY_MULTIPLY;
        else if (at(p, FLOE_SQL_TOKEN_SLASH)) op = FLOE_SQL_BINARY_DIVIDE;
        else if (at(p, FLOE_SQL_TOKEN_PERCENT)) op = FLOE_SQL_BINARY_MODULO;
        else return FLOE_OK;
        floe_sql_position position = p->current.position;
        FLOE_TRY(next_token(p));
        floe_sql_expr *right = NULL;
        FLOE_TRY(parse_unary(p, &right));
        FLOE_TRY(make_binary(p, op, *out, right, position, out));
    }
}

static int parse_additive(parser *p, floe_sql_expr **out)
{
    FLOE_TRY(parse_multiplicative(p, out));
    for (;;) {
        floe_sql_binary_op op;
        if (at(p, FLOE_SQL_TOKEN_PLUS)) op = FLOE_SQL_BINARY_ADD;
        else if (at(p, FLOE_SQL_TOKEN_MINUS)) op = FLOE_SQL_BINARY_SUBTRACT;
        else return FLOE_OK;
        floe_sql_position position = p->current.position;
        FLOE_TRY(next_token(p));
        floe_sql_expr *right = NULL;
        FLOE_TRY(parse_multiplicative(p, &right));
        FLOE_TRY(make_binary(p, op, *out, right, position, out));
    }
}

static int parse_concat(parser *p, floe_sql_expr **out)
{
    FLOE_TRY(parse_additive(p, out));
    while (at(p, FLOE_SQL_TOKEN_CONCAT)) {
        floe_sql_position position = p->current.position;
        FLOE_TRY(next_token(p));
        floe_sql_expr *right = NULL;
        FLOE_TRY(parse_additive(p, &right));
        FLOE_TRY(make_binary(p, FLOE_SQL_BINARY_CONCAT, *out, right, position, out));
    }
    return FLOE_OK;
}

static int comparison_op(const floe_sql_token *token, floe_sql_binary_op *op)
{
    switch (token->kind) {
    case FLOE_SQL_TOKEN_EQUAL: *op = FLOE_SQL_BINARY_EQUAL; return 1;
    case FLOE_SQL_TOKEN_NOT_EQUAL: *op = FLOE_SQL_BINARY_NOT_EQUAL; return 1;
    case FLOE_SQL_TOKEN_LESS: *op = FLOE_SQL_BINARY_LESS; return 1;
    case FLOE_SQL_TOKEN_LESS_EQUAL: *op = FLOE_SQL_BINARY_LESS_EQUAL; return 1;
    case FLOE_SQL_TOKEN_GREATER: *op = FLOE_SQL_BINARY_GREATER; return 1;
    case FLOE_SQL_TOKEN_GREATER_EQUAL: *op = FLOE_SQL_BINARY_GREATER_EQUAL; return 1;
    default: return 0;
    }
}

/* x [NOT] IN (...), x [NOT] BETWEEN a AND b, x [NOT] LIKE p, after the operand and NOT. */
static int parse_predicate(parser *p, floe_sql_expr *operand, int negated,
                           floe_sql_position position, floe_sql_expr **out)
{
    floe_sql_expr *node = NULL;
    if (at_keyword(p, FLOE_SQL_KEYWORD_IN)) {
        FLOE_TRY(new_expr(p, FLOE_SQL_EXPR_IN_LIST, position, &node));
        FLOE_TRY(next_token(p));
        if (!at(p, FLOE_SQL_TOKEN_LEFT_PAREN)) return expected(p, "'('");
        floe_sql_token inside = peek_token(p, 1);
        if (is_keyword(&inside, FLOE_SQL_KEYWORD_SELECT))
            return error_at(p, p->current.position, FLOE_EUNSUPPORTED,
                            "IN (SELECT ...) subqueries are not supported");
        FLOE_TRY(enter(p, p->current.position));
        FLOE_TRY(next_token(p));
        FLOE_TRY(parse_expr_list(p, &node->u.predicate.items, &node->u.predicate.item_count));
        if (!at(p, FLOE_SQL_TOKEN_RIGHT_PAREN)) return expected(p, "',' or ')'");
        FLOE_TRY(next_token(p));
        leave(p);
    } else if (at_keyword(p, FLOE_SQL_KEYWORD_BETWEEN)) {
        FLOE_TRY(new_expr(p, FLOE_SQL_EXPR_BETWEEN, position, &node));
        FLOE_TRY(next_token(p));
        FLOE_TRY(parse_concat(p, &node->u.predicate.low));
        FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_AND));
        FLOE_TRY(parse_concat(p, &node->u.predicate.high));
    } else if (at_keyword(p, FLOE_SQL_KEYWORD_LIKE)) {
        FLOE_TRY(new_expr(p, FLOE_SQL_EXPR_LIKE, position, &node));
        FLOE_TRY(next_token(p));
        FLOE_TRY(parse_concat(p, &node->u.predicate.pattern));
    } else {
        return expected(p, "IN, BETWEEN or LIKE");
    }
    node->u.predicate.operand = operand;
    node->u.predicate.negated = negated;
    *out = node;
    return finish_node(p, node);
}

static int parse_comparison(parser *p, floe_sql_expr **out)
{
    FLOE_TRY(parse_concat(p, out));
    for (;;) {
        floe_sql_position position = p->current.position;
        floe_sql_binary_op op;
        if (comparison_op(&p->current, &op)) {
            FLOE_TRY(next_token(p));
            floe_sql_expr *right = NULL;
            FLOE_TRY(parse_concat(p, &right));
            FLOE_TRY(make_binary(p, op, *out, right, position, out));
        } else if (at_keyword(p, FLOE_SQL_KEYWORD_IS)) {
            floe_sql_expr *node = NULL;
            FLOE_TRY(new_expr(p, FLOE_SQL_EXPR_IS_NULL, position, &node));
            FLOE_TRY(next_token(p));
            FLOE_TRY(accept_keyword(p, FLOE_SQL_KEYWORD_NOT, &node->u.predicate.negated));
            FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_NULL));
            node->u.predicate.operand = *out;
            *out = node;
            FLOE_TRY(finish_node(p, node));
        } else if (at_keyword(p, FLOE_SQL_KEYWORD_NOT)) {
            FLOE_TRY(next_token(p));
            FLOE_TRY(parse_predicate(p, *out, 1, position, out));
        } else if (at_keyword(p, FLOE_SQL_KEYWORD_IN) || at_keyword(p, FLOE_SQL_KEYWORD_BETWEEN) ||
                   at_keyword(p, FLOE_SQL_KEYWORD_LIKE)) {
            FLOE_TRY(parse_predicate(p, *out, 0, position, out));
        } else {
            return FLOE_OK;
        }
    }
}

static int parse_not(parser *p, floe_sql_expr **out)
{
    if (!at_keyword(p, FLOE_SQL_KEYWORD_NOT)) return parse_comparison(p, out);
    floe_sql_position position = p->current.position;
    FLOE_TRY(enter(p, position));
    FLOE_TRY(next_token(p));
    floe_sql_expr *operand = NULL;
    FLOE_TRY(parse_not(p, &operand));
    leave(p);
    FLOE_TRY(new_expr(p, FLOE_SQL_EXPR_UNARY, position, out));
    (*out)->u.unary.op = FLOE_SQL_UNARY_NOT;
    (*out)->u.unary.operand = operand;
    return finish_node(p, *out);
}

static int parse_and(parser *p, floe_sql_expr **out)
{
    FLOE_TRY(parse_not(p, out));
    while (at_keyword(p, FLOE_SQL_KEYWORD_AND)) {
        floe_sql_position position = p->current.position;
        FLOE_TRY(next_token(p));
        floe_sql_expr *right = NULL;
        FLOE_TRY(parse_not(p, &right));
        FLOE_TRY(make_binary(p, FLOE_SQL_BINARY_AND, *out, right, position, out));
    }
    return FLOE_OK;
}

static int parse_or(parser *p, floe_sql_expr **out)
{
    FLOE_TRY(parse_and(p, out));
    while (at_keyword(p, FLOE_SQL_KEYWORD_OR)) {
        floe_sql_position position = p->current.position;
        FLOE_TRY(next_token(p));
        floe_sql_expr *right = NULL;
        FLOE_TRY(parse_and(p, &right));
        FLOE_TRY(make_binary(p, FLOE_SQL_BINARY_OR, *out, right, position, out));
    }
    return FLOE_OK;
}

static int parse_expr(parser *p, floe_sql_expr **out)
{
    FLOE_TRY(enter(p, p->current.position));
    FLOE_TRY(parse_or(p, out));
    leave(p);
    return FLOE_OK;
}

/* ---- queries ---- */

/* [AS] alias, where the alias is optional. */
static int parse_optional_alias(parser *p, const char **alias)
{
    *alias = NULL;
    if (at_keyword(p, FLOE_SQL_KEYWORD_AS)) {
        FLOE_TRY(next_token(p));
        return parse_name(p, "an alias", alias);
    }
    if (is_name(&p->current)) return parse_name(p, "an alias", alias);
    return FLOE_OK;
}

static int parse_from(parser *p, floe_sql_table_ref **out);

static int parse_table_primary(parser *p, floe_sql_table_ref **out)
{
    floe_sql_token token = p->current;
    floe_sql_table_ref *ref = NULL;
    if (token.kind == FLOE_SQL_TOKEN_STRING) {
        ref = floe_sql_table_ref_create(p->arena, FLOE_SQL_TABLE_PATH, token.position);
        if (ref == NULL) return out_of_memory(p);
        ref->u.path = floe_sql_token_value(&token, p->arena, NULL);
        if (ref->u.path == NULL) return out_of_memory(p);
        FLOE_TRY(next_token(p));
    } else if (token.kind == FLOE_SQL_TOKEN_LEFT_PAREN) {
        ref = floe_sql_table_ref_create(p->arena, FLOE_SQL_TABLE_SUBQUERY, token.position);
        if (ref == NULL) return out_of_memory(p);
        FLOE_TRY(next_token(p));
        if (!at_keyword(p, FLOE_SQL_KEYWORD_SELECT)) return expected(p, "SELECT");
        FLOE_TRY(parse_query(p, &ref->u.subquery));
        FLOE_TRY(expect_kind(p, FLOE_SQL_TOKEN_RIGHT_PAREN, "')'"));
    } else if (token.kind == FLOE_SQL_TOKEN_WORD && is_name(&token) &&
               peek_token(p, 1).kind == FLOE_SQL_TOKEN_LEFT_PAREN) {
        ref = floe_sql_table_ref_create(p->arena, FLOE_SQL_TABLE_FUNCTION, token.position);
        if (ref == NULL) return out_of_memory(p);
        ref->u.function.name = floe_sql_token_value(&token, p->arena, NULL);
        if (ref->u.function.name == NULL) return out_of_memory(p);
        FLOE_TRY(next_token(p));
        FLOE_TRY(next_token(p));
        FLOE_TRY(enter(p, token.position));
        if (!at(p, FLOE_SQL_TOKEN_RIGHT_PAREN))
            FLOE_TRY(parse_expr_list(p, &ref->u.function.args, &ref->u.function.arg_count));
        leave(p);
        if (!at(p, FLOE_SQL_TOKEN_RIGHT_PAREN)) return expected(p, "',' or ')'");
        FLOE_TRY(next_token(p));
    } else if (is_name(&token)) {
        ref = floe_sql_table_ref_create(p->arena, FLOE_SQL_TABLE_NAMED, token.position);
        if (ref == NULL) return out_of_memory(p);
        FLOE_TRY(parse_table_name(p, &ref->u.named));
    } else {
        return expected(p, "a table name");
    }
    FLOE_TRY(parse_optional_alias(p, &ref->alias));
    *out = ref;
    return FLOE_OK;
}

static int make_join(parser *p, floe_sql_join_kind kind, floe_sql_table_ref *left,
                     floe_sql_table_ref *right, floe_sql_position position,
                     floe_sql_table_ref **out)
{
    floe_sql_table_ref *join = floe_sql_table_ref_create(p->arena, FLOE_SQL_TABLE_JOIN, position);
    if (join == NULL) return out_of_memory(p);
    join->u.join.kind = kind;
    join->u.join.left = left;
    join->u.join.right = right;
    join->depth = 1 + (left->depth > right->depth ? left->depth : right->depth);
    if (join->depth > FLOE_SQL_MAX_JOIN_DEPTH)
        return error_at(p, position, FLOE_ESYNTAX, "too many tables joined in one FROM clause");
    *out = join;
    return FLOE_OK;
}

/* table_primary { [INNER] JOIN | LEFT [OUTER] JOIN table_primary ON expr } */
static int parse_joined(parser *p, floe_sql_table_ref **out)
{
    FLOE_TRY(parse_table_primary(p, out));
    for (;;) {
        floe_sql_position position = p->current.position;
        floe_sql_join_kind kind;
        if (at_keyword(p, FLOE_SQL_KEYWORD_JOIN)) {
            kind = FLOE_SQL_JOIN_INNER;
        } else if (at_keyword(p, FLOE_SQL_KEYWORD_INNER)) {
            kind = FLOE_SQL_JOIN_INNER;
            FLOE_TRY(next_token(p));
            if (!at_keyword(p, FLOE_SQL_KEYWORD_JOIN)) return expected(p, "JOIN");
        } else if (at_keyword(p, FLOE_SQL_KEYWORD_LEFT)) {
            kind = FLOE_SQL_JOIN_LEFT;
            FLOE_TRY(next_token(p));
            if (at_keyword(p, FLOE_SQL_KEYWORD_OUTER)) FLOE_TRY(next_token(p));
            if (!at_keyword(p, FLOE_SQL_KEYWORD_JOIN)) return expected(p, "JOIN");
        } else if (at_keyword(p, FLOE_SQL_KEYWORD_RIGHT) || at_keyword(p, FLOE_SQL_KEYWORD_FULL) ||
                   at_keyword(p, FLOE_SQL_KEYWORD_CROSS)) {
            char message[96];
            snprintf(message, sizeof message,
                     "%s JOIN is not supported (only [INNER] JOIN and LEFT JOIN)",
                     floe_sql_keyword_name(p->current.keyword));
            return error_at(p, position, FLOE_EUNSUPPORTED, message);
        } else {
            return FLOE_OK;
        }
        FLOE_TRY(next_token(p)); /* JOIN */
        floe_sql_table_ref *right = NULL;
        FLOE_TRY(parse_table_primary(p, &right));
        FLOE_TRY(make_join(p, kind, *out, right, position, out));
        FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_ON));
        FLOE_TRY(parse_expr(p, &(*out)->u.join.condition));
    }
}

static int parse_from(parser *p, floe_sql_table_ref **out)
{
    FLOE_TRY(parse_joined(p, out));
    while (at(p, FLOE_SQL_TOKEN_COMMA)) {
        floe_sql_position position = p->current.position;
        FLOE_TRY(next_token(p));
        floe_sql_table_ref *right = NULL;
        FLOE_TRY(parse_joined(p, &right));
        FLOE_TRY(make_join(p, FLOE_SQL_JOIN_CROSS, *out, right, position, out));
    }
    return FLOE_OK;
}

static int parse_select_item(parser *p, floe_sql_select_item *item)
{
    memset(item, 0, sizeof *item);
    item->position = p->current.position;
    if (at(p, FLOE_SQL_TOKEN_STAR)) {
        item->star = 1;
        return next_token(p);
    }
    if (is_name(&p->current) && peek_token(p, 1).kind == FLOE_SQL_TOKEN_DOT &&
        peek_token(p, 2).kind == FLOE_SQL_TOKEN_STAR) {
        item->star = 1;
        FLOE_TRY(parse_name(p, "a table name", &item->star_qualifier));
        FLOE_TRY(next_token(p)); /* . */
        return next_token(p);    /* * */
    }
    FLOE_TRY(parse_expr(p, &item->expr));
    return parse_optional_alias(p, &item->alias);
}

static int parse_select(parser *p, floe_sql_select **out)
{
    floe_sql_select *select = floe_sql_select_create(p->arena, p->current.position);
    if (select == NULL) return out_of_memory(p);
    FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_SELECT));
    int all = 0;
    FLOE_TRY(accept_keyword(p, FLOE_SQL_KEYWORD_DISTINCT, &select->distinct));
    if (!select->distinct) FLOE_TRY(accept_keyword(p, FLOE_SQL_KEYWORD_ALL, &all));
    size_t capacity = 0;
    for (;;) {
        floe_sql_select_item *grown =
            grow_array(p, select->items, &capacity, select->item_count, sizeof *grown);
        if (grown == NULL) return out_of_memory(p);
        select->items = grown;
        FLOE_TRY(parse_select_item(p, &select->items[select->item_count]));
        select->item_count++;
        if (!at(p, FLOE_SQL_TOKEN_COMMA)) break;
        FLOE_TRY(next_token(p));
    }
    if (at_keyword(p, FLOE_SQL_KEYWORD_FROM)) {
        FLOE_TRY(next_token(p));
        FLOE_TRY(parse_from(p, &select->from));
    }
    if (at_keyword(p, FLOE_SQL_KEYWORD_WHERE)) {
        FLOE_TRY(next_token(p));
        FLOE_TRY(parse_expr(p, &select->where));
    }
    if (at_keyword(p, FLOE_SQL_KEYWORD_GROUP)) {
        FLOE_TRY(next_token(p));
        FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_BY));
        FLOE_TRY(parse_expr_list(p, &select->group_by, &select->group_by_count));
    }
    if (at_keyword(p, FLOE_SQL_KEYWORD_HAVING)) {
        FLOE_TRY(next_token(p));
        FLOE_TRY(parse_expr(p, &select->having));
    }
    *out = select;
    return FLOE_OK;
}

static int parse_count(parser *p, const char *what, int64_t *value)
{
    if (!at(p, FLOE_SQL_TOKEN_INTEGER)) return expected(p, "an integer");
    errno = 0;
    char digits[32];
    size_t length = p->current.length < sizeof digits - 1 ? p->current.length : sizeof digits - 1;
    memcpy(digits, p->current.text, length);
    digits[length] = '\0';
    unsigned long long parsed = strtoull(digits, NULL, 10);
    if (errno == ERANGE || p->current.length >= sizeof digits - 1 || parsed > (unsigned long long)INT64_MAX) {
        char message[64];
        snprintf(message, sizeof message, "%s is too large", what);
        return error_at(p, p->current.position, FLOE_ESYNTAX, message);
    }
    *value = (int64_t)parsed;
    return next_token(p);
}

static int parse_query(parser *p, floe_sql_query **out)
{
    floe_sql_query *query = floe_sql_query_create(p->arena, p->current.position);
    if (query == NULL) return out_of_memory(p);
    FLOE_TRY(enter(p, p->current.position));
    size_t capacity = 0;
    for (;;) {
        floe_sql_select **grown =
            grow_array(p, query->bodies, &capacity, query->body_count, sizeof *grown);
        if (grown == NULL) return out_of_memory(p);
        query->bodies = grown;
        FLOE_TRY(parse_select(p, &query->bodies[query->body_count]));
        query->body_count++;
        floe_sql_position position = p->current.position;
        if (at_keyword(p, FLOE_SQL_KEYWORD_INTERSECT) || at_keyword(p, FLOE_SQL_KEYWORD_EXCEPT)) {
            char message[64];
            snprintf(message, sizeof message, "%s is not supported",
                     floe_sql_keyword_name(p->current.keyword));
            return error_at(p, position, FLOE_EUNSUPPORTED, message);
        }
        if (!at_keyword(p, FLOE_SQL_KEYWORD_UNION)) break;
        FLOE_TRY(next_token(p));
        if (!at_keyword(p, FLOE_SQL_KEYWORD_ALL))
            return error_at(p, position, FLOE_EUNSUPPORTED,
                            "UNION without ALL is not supported (use UNION ALL)");
        FLOE_TRY(next_token(p));
        if (!at_keyword(p, FLOE_SQL_KEYWORD_SELECT)) return expected(p, "SELECT");
    }
    if (at_keyword(p, FLOE_SQL_KEYWORD_ORDER)) {
        FLOE_TRY(next_token(p));
        FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_BY));
        capacity = 0;
        for (;;) {
            floe_sql_order_item *grown =
                grow_array(p, query->order_by, &capacity, query->order_by_count, sizeof *grown);
            if (grown == NULL) return out_of_memory(p);
            query->order_by = grown;
            floe_sql_order_item *item = &query->order_by[query->order_by_count];
            memset(item, 0, sizeof *item);
            FLOE_TRY(parse_expr(p, &item->expr));
            query->order_by_count++;
            if (at_keyword(p, FLOE_SQL_KEYWORD_ASC)) {
                FLOE_TRY(next_token(p));
            } else if (at_keyword(p, FLOE_SQL_KEYWORD_DESC)) {
                item->descending = 1;
                FLOE_TRY(next_token(p));
            }
            if (at_keyword(p, FLOE_SQL_KEYWORD_NULLS)) {
                FLOE_TRY(next_token(p));
                if (at_keyword(p, FLOE_SQL_KEYWORD_FIRST))
                    item->nulls = FLOE_SQL_NULLS_FIRST;
                else if (at_keyword(p, FLOE_SQL_KEYWORD_LAST))
                    item->nulls = FLOE_SQL_NULLS_LAST;
                else
                    return expected(p, "FIRST or LAST");
                FLOE_TRY(next_token(p));
            }
            if (!at(p, FLOE_SQL_TOKEN_COMMA)) break;
            FLOE_TRY(next_token(p));
        }
    }
    if (at_keyword(p, FLOE_SQL_KEYWORD_LIMIT)) {
        FLOE_TRY(next_token(p));
        query->has_limit = 1;
        FLOE_TRY(parse_count(p, "LIMIT", &query->limit));
    }
    if (at_keyword(p, FLOE_SQL_KEYWORD_OFFSET)) {
        FLOE_TRY(next_token(p));
        query->has_offset = 1;
        FLOE_TRY(parse_count(p, "OFFSET", &query->offset));
    }
    leave(p);
    *out = query;
    return FLOE_OK;
}

/* ---- statements ---- */

static int ascii_equal_ignoring_case(const char *a, size_t a_length, const char *b)
{
    if (a_length != strlen(b)) return 0;
    for (size_t i = 0; i < a_length; i++) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != b[i]) return 0;
    }
    return 1;
}

/* '<n> second(s)|minute(s)|hour(s)|day(s)' into seconds; 0 when malformed. */
static int64_t parse_lag_text(const char *text)
{
    static const struct {
        const char *unit;
        int64_t seconds;
    } units[] = {{"second", 1},    {"seconds", 1}, {"minute", 60},   {"minutes", 60},
                 {"hour", 3600},   {"hours", 3600}, {"day", 86400},  {"days", 86400}};
    const char *c = text;
    while (*c == ' ') c++;
    int64_t count = 0;
    if (*c < '0' || *c > '9') return 0;
    while (*c >= '0' && *c <= '9') {
        count = count * 10 + (*c - '0');
        if (count > 1000000000) return 0;
        c++;
    }
    while (*c == ' ') c++;
    const char *unit = c;
    while (*c && *c != ' ') c++;
    size_t unit_length = (size_t)(c - unit);
    while (*c == ' ') c++;
    if (*c != '\0') return 0;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (ascii_equal_ignoring_case(unit, unit_length, units[i].unit))
            return count * units[i].seconds;
    return 0;
}

static int parse_dynamic_options(parser *p, floe_sql_statement *statement)
{
    for (;;) {
        floe_sql_keyword option = p->current.kind == FLOE_SQL_TOKEN_WORD ? p->current.keyword
                                                                           : FLOE_SQL_KEYWORD_NONE;
        if (option != FLOE_SQL_KEYWORD_TARGET_LAG && option != FLOE_SQL_KEYWORD_REFRESH_MODE &&
            option != FLOE_SQL_KEYWORD_INITIALIZE)
            return FLOE_OK;
        floe_sql_position position = p->current.position;
        int already = option == FLOE_SQL_KEYWORD_TARGET_LAG
                          ? statement->u.create_dynamic.target_lag != FLOE_SQL_TARGET_LAG_UNSET
                      : option == FLOE_SQL_KEYWORD_REFRESH_MODE
                          ? statement->u.create_dynamic.refresh_mode != FLOE_SQL_REFRESH_MODE_UNSET
                          : statement->u.create_dynamic.initialize != FLOE_SQL_INITIALIZE_UNSET;
        if (already) {
            char message[64];
            snprintf(message, sizeof message, "%s is given more than once",
                     floe_sql_keyword_name(option));
            return error_at(p, position, FLOE_ESYNTAX, message);
        }
        FLOE_TRY(next_token(p));
        FLOE_TRY(expect_kind(p, FLOE_SQL_TOKEN_EQUAL, "'='"));
        floe_sql_keyword value = p->current.kind == FLOE_SQL_TOKEN_WORD ? p->current.keyword
                                                                          : FLOE_SQL_KEYWORD_NONE;
        if (option == FLOE_SQL_KEYWORD_TARGET_LAG) {
            if (value == FLOE_SQL_KEYWORD_DOWNSTREAM) {
                statement->u.create_dynamic.target_lag = FLOE_SQL_TARGET_LAG_DOWNSTREAM;
            } else if (p->current.kind == FLOE_SQL_TOKEN_STRING) {
                char *text = floe_sql_token_value(&p->current, p->arena, NULL);
                if (text == NULL) return out_of_memory(p);
                int64_t seconds = parse_lag_text(text);
                if (seconds <= 0)
                    return error_at(p, p->current.position, FLOE_ESYNTAX,
                                    "invalid TARGET_LAG: expected '<n> seconds', '<n> minutes' or "
                                    "'<n> hours' with n at least 1");
                statement->u.create_dynamic.target_lag = FLOE_SQL_TARGET_LAG_DURATION;
                statement->u.create_dynamic.target_lag_seconds = seconds;
            } else {
                return expected(p, "a target lag ('<n> minutes') or DOWNSTREAM");
            }
        } else if (option == FLOE_SQL_KEYWORD_REFRESH_MODE) {
            if (value == FLOE_SQL_KEYWORD_AUTO)
                statement->u.create_dynamic.refresh_mode = FLOE_SQL_REFRESH_MODE_AUTO;
            else if (value == FLOE_SQL_KEYWORD_FULL)
                statement->u.create_dynamic.refresh_mode = FLOE_SQL_REFRESH_MODE_FULL;
            else if (value == FLOE_SQL_KEYWORD_INCREMENTAL)
                statement->u.create_dynamic.refresh_mode = FLOE_SQL_REFRESH_MODE_INCREMENTAL;
            else
                return expected(p, "AUTO, FULL or INCREMENTAL");
        } else {
            if (value == FLOE_SQL_KEYWORD_ON_CREATE)
                statement->u.create_dynamic.initialize = FLOE_SQL_INITIALIZE_ON_CREATE;
            else if (value == FLOE_SQL_KEYWORD_ON_SCHEDULE)
                statement->u.create_dynamic.initialize = FLOE_SQL_INITIALIZE_ON_SCHEDULE;
            else
                return expected(p, "ON_CREATE or ON_SCHEDULE");
        }
        FLOE_TRY(next_token(p));
    }
}

/* After CREATE [OR REPLACE] DYNAMIC TABLE. */
static int parse_create_dynamic(parser *p, floe_sql_statement *statement)
{
    FLOE_TRY(parse_table_name(p, &statement->table));
    FLOE_TRY(parse_dynamic_options(p, statement));
    if (!at_keyword(p, FLOE_SQL_KEYWORD_AS))
        return expected(p, "TARGET_LAG, REFRESH_MODE, INITIALIZE or AS");
    FLOE_TRY(next_token(p));
    if (!at_keyword(p, FLOE_SQL_KEYWORD_SELECT)) return expected(p, "SELECT");
    return parse_query(p, &statement->u.create_dynamic.query);
}

/* name type [NOT NULL | NULL] */
static int parse_column_def(parser *p, floe_sql_column_def *column)
{
    memset(column, 0, sizeof *column);
    column->position = p->current.position;
    FLOE_TRY(parse_name(p, "a column name", &column->name));
    FLOE_TRY(parse_type(p, &column->type));
    if (at_keyword(p, FLOE_SQL_KEYWORD_NOT)) {
        FLOE_TRY(next_token(p));
        FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_NULL));
        column->not_null = 1;
    } else if (at_keyword(p, FLOE_SQL_KEYWORD_NULL)) {
        FLOE_TRY(next_token(p));
    }
    return FLOE_OK;
}

static int parse_create_table(parser *p, floe_sql_statement *statement)
{
    if (at_keyword(p, FLOE_SQL_KEYWORD_IF)) {
        FLOE_TRY(next_token(p));
        FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_NOT));
        FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_EXISTS));
        statement->u.create_table.if_not_exists = 1;
    }
    FLOE_TRY(parse_table_name(p, &statement->table));
    FLOE_TRY(expect_kind(p, FLOE_SQL_TOKEN_LEFT_PAREN, "'('"));
    size_t capacity = 0;
    for (;;) {
        floe_sql_column_def *grown = grow_array(p, statement->u.create_table.columns, &capacity,
                                                statement->u.create_table.column_count,
                                                sizeof *grown);
        if (grown == NULL) return out_of_memory(p);
        statement->u.create_table.columns = grown;
        FLOE_TRY(parse_column_def(p, &grown[statement->u.create_table.column_count]));
        statement->u.create_table.column_count++;
        if (!at(p, FLOE_SQL_TOKEN_COMMA)) break;
        FLOE_TRY(next_token(p));
    }
    return expect_kind(p, FLOE_SQL_TOKEN_RIGHT_PAREN, "',' or ')'");
}

static int parse_if_exists(parser *p, int *if_exists)
{
    *if_exists = 0;
    if (!at_keyword(p, FLOE_SQL_KEYWORD_IF)) return FLOE_OK;
    FLOE_TRY(next_token(p));
    FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_EXISTS));
    *if_exists = 1;
    return FLOE_OK;
}

static int parse_insert(parser *p, floe_sql_statement *statement)
{
    FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_INTO));
    FLOE_TRY(parse_table_name(p, &statement->table));
    size_t capacity = 0;
    if (at(p, FLOE_SQL_TOKEN_LEFT_PAREN)) {
        FLOE_TRY(next_token(p));
        for (;;) {
            const char **grown = grow_array(p, (void *)statement->u.insert.columns, &capacity,
                                            statement->u.insert.column_count, sizeof *grown);
            if (grown == NULL) return out_of_memory(p);
            statement->u.insert.columns = grown;
            FLOE_TRY(parse_name(p, "a column name", &grown[statement->u.insert.column_count]));
            statement->u.insert.column_count++;
            if (!at(p, FLOE_SQL_TOKEN_COMMA)) break;
            FLOE_TRY(next_token(p));
        }
        FLOE_TRY(expect_kind(p, FLOE_SQL_TOKEN_RIGHT_PAREN, "',' or ')'"));
    }
    if (at_keyword(p, FLOE_SQL_KEYWORD_SELECT))
        return parse_query(p, &statement->u.insert.query);
    FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_VALUES));
    capacity = 0;
    for (;;) {
        floe_sql_position position = p->current.position;
        FLOE_TRY(expect_kind(p, FLOE_SQL_TOKEN_LEFT_PAREN, "'('"));
        floe_sql_expr **values = NULL;
        size_t count = 0;
        FLOE_TRY(parse_expr_list(p, &values, &count));
        if (!at(p, FLOE_SQL_TOKEN_RIGHT_PAREN)) return expected(p, "',' or ')'");
        char message[128];
        if (statement->u.insert.row_count == 0 && statement->u.insert.column_count > 0 &&
            count != statement->u.insert.column_count) {
            snprintf(message, sizeof message, "VALUES row has %zu values but %zu columns are named",
                     count, statement->u.insert.column_count);
            return error_at(p, position, FLOE_ESYNTAX, message);
        }
        if (statement->u.insert.row_count > 0 && count != statement->u.insert.value_count) {
            snprintf(message, sizeof message, "VALUES row has %zu values but the first row has %zu",
                     count, statement->u.insert.value_count);
            return error_at(p, position, FLOE_ESYNTAX, message);
        }
        FLOE_TRY(next_token(p));
        floe_sql_expr ***grown = grow_array(p, statement->u.insert.rows, &capacity,
                                            statement->u.insert.row_count, sizeof *grown);
        if (grown == NULL) return out_of_memory(p);
        statement->u.insert.rows = grown;
        grown[statement->u.insert.row_count++] = values;
        statement->u.insert.value_count = count;
        if (!at(p, FLOE_SQL_TOKEN_COMMA)) return FLOE_OK;
        FLOE_TRY(next_token(p));
    }
}

static int parse_statement_body(parser *p, floe_sql_statement **out, int inside_explain);

static int new_statement(parser *p, floe_sql_statement_kind kind, floe_sql_position position,
                         floe_sql_statement **out)
{
    *out = floe_sql_statement_create(p->arena, kind, position);
    return *out == NULL ? out_of_memory(p) : FLOE_OK;
}

static int parse_create(parser *p, floe_sql_position position, floe_sql_statement **out)
{
    FLOE_TRY(next_token(p)); /* CREATE */
    int or_replace = 0;
    if (at_keyword(p, FLOE_SQL_KEYWORD_OR)) {
        FLOE_TRY(next_token(p));
        FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_REPLACE));
        or_replace = 1;
        if (!at_keyword(p, FLOE_SQL_KEYWORD_DYNAMIC)) return expected(p, "DYNAMIC");
    }
    if (at_keyword(p, FLOE_SQL_KEYWORD_DYNAMIC)) {
        FLOE_TRY(next_token(p));
        FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_TABLE));
        FLOE_TRY(new_statement(p, FLOE_SQL_STATEMENT_CREATE_DYNAMIC_TABLE, position, out));
        (*out)->u.create_dynamic.or_replace = or_replace;
        return parse_create_dynamic(p, *out);
    }
    if (!at_keyword(p, FLOE_SQL_KEYWORD_TABLE)) return expected(p, "DYNAMIC or TABLE");
    FLOE_TRY(next_token(p));
    FLOE_TRY(new_statement(p, FLOE_SQL_STATEMENT_CREATE_TABLE, position, out));
    return parse_create_table(p, *out);
}

static int parse_statement_body(parser *p, floe_sql_statement **out, int inside_explain)
{
    floe_sql_position position = p->current.position;
    floe_sql_token token = p->current;
    if (is_keyword(&token, FLOE_SQL_KEYWORD_SELECT)) {
        FLOE_TRY(new_statement(p, FLOE_SQL_STATEMENT_SELECT, position, out));
        return parse_query(p, &(*out)->u.select);
    }
    if (inside_explain) {
        if (!is_keyword(&token, FLOE_SQL_KEYWORD_CREATE))
            return expected(p, "DYNAMIC TABLE, CREATE DYNAMIC TABLE or SELECT");
        floe_sql_token next = peek_token(p, 1);
        floe_sql_token after = peek_token(p, 2);
        if (!is_keyword(&next, FLOE_SQL_KEYWORD_DYNAMIC) &&
            !(is_keyword(&next, FLOE_SQL_KEYWORD_OR) && is_keyword(&after, FLOE_SQL_KEYWORD_REPLACE))) {
            FLOE_TRY(next_token(p));
            return expected(p, "DYNAMIC");
        }
        return parse_create(p, position, out);
    }
    if (token.kind != FLOE_SQL_TOKEN_WORD) return expected(p, "a statement");
    switch (token.keyword) {
    case FLOE_SQL_KEYWORD_CREATE: return parse_create(p, position, out);
    case FLOE_SQL_KEYWORD_DROP: {
        FLOE_TRY(next_token(p));
        floe_sql_statement_kind kind = FLOE_SQL_STATEMENT_DROP_TABLE;
        if (at_keyword(p, FLOE_SQL_KEYWORD_DYNAMIC)) {
            kind = FLOE_SQL_STATEMENT_DROP_DYNAMIC_TABLE;
            FLOE_TRY(next_token(p));
            FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_TABLE));
        } else if (at_keyword(p, FLOE_SQL_KEYWORD_TABLE)) {
            FLOE_TRY(next_token(p));
        } else {
            return expected(p, "DYNAMIC or TABLE");
        }
        FLOE_TRY(new_statement(p, kind, position, out));
        FLOE_TRY(parse_if_exists(p, &(*out)->u.drop.if_exists));
        return parse_table_name(p, &(*out)->table);
    }
    case FLOE_SQL_KEYWORD_ALTER:
        FLOE_TRY(next_token(p));
        if (at_keyword(p, FLOE_SQL_KEYWORD_TABLE)) {
            FLOE_TRY(next_token(p));
            FLOE_TRY(new_statement(p, FLOE_SQL_STATEMENT_ALTER_TABLE_ADD_COLUMN, position, out));
            FLOE_TRY(parse_table_name(p, &(*out)->table));
            FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_ADD));
            if (at_keyword(p, FLOE_SQL_KEYWORD_COLUMN)) FLOE_TRY(next_token(p));
            return parse_column_def(p, &(*out)->u.add_column);
        }
        if (!at_keyword(p, FLOE_SQL_KEYWORD_DYNAMIC)) return expected(p, "DYNAMIC or TABLE");
        FLOE_TRY(next_token(p));
        FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_TABLE));
        FLOE_TRY(new_statement(p, FLOE_SQL_STATEMENT_ALTER_DYNAMIC_TABLE, position, out));
        FLOE_TRY(parse_table_name(p, &(*out)->table));
        if (at_keyword(p, FLOE_SQL_KEYWORD_REFRESH))
            (*out)->u.alter = FLOE_SQL_ALTER_REFRESH;
        else if (at_keyword(p, FLOE_SQL_KEYWORD_SUSPEND))
            (*out)->u.alter = FLOE_SQL_ALTER_SUSPEND;
        else if (at_keyword(p, FLOE_SQL_KEYWORD_RESUME))
            (*out)->u.alter = FLOE_SQL_ALTER_RESUME;
        else
            return expected(p, "REFRESH, SUSPEND or RESUME");
        return next_token(p);
    case FLOE_SQL_KEYWORD_SHOW:
        FLOE_TRY(next_token(p));
        FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_DYNAMIC));
        FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_TABLES));
        return new_statement(p, FLOE_SQL_STATEMENT_SHOW_DYNAMIC_TABLES, position, out);
    case FLOE_SQL_KEYWORD_INSERT:
        FLOE_TRY(next_token(p));
        FLOE_TRY(new_statement(p, FLOE_SQL_STATEMENT_INSERT, position, out));
        return parse_insert(p, *out);
    case FLOE_SQL_KEYWORD_DELETE:
        FLOE_TRY(next_token(p));
        FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_FROM));
        FLOE_TRY(new_statement(p, FLOE_SQL_STATEMENT_DELETE, position, out));
        FLOE_TRY(parse_table_name(p, &(*out)->table));
        if (!at_keyword(p, FLOE_SQL_KEYWORD_WHERE)) return FLOE_OK;
        FLOE_TRY(next_token(p));
        return parse_expr(p, &(*out)->u.delete_.where);
    case FLOE_SQL_KEYWORD_EXPLAIN:
        FLOE_TRY(next_token(p));
        if (at_keyword(p, FLOE_SQL_KEYWORD_DYNAMIC)) {
            FLOE_TRY(next_token(p));
            FLOE_TRY(expect_keyword(p, FLOE_SQL_KEYWORD_TABLE));
            FLOE_TRY(new_statement(p, FLOE_SQL_STATEMENT_EXPLAIN_DYNAMIC_TABLE, position, out));
            return parse_table_name(p, &(*out)->table);
        }
        FLOE_TRY(new_statement(p, FLOE_SQL_STATEMENT_EXPLAIN, position, out));
        FLOE_TRY(parse_statement_body(p, &(*out)->u.explained, 1));
        (*out)->table = (*out)->u.explained->table;
        return FLOE_OK;
    default: return expected(p, "a statement");
    }
}

/* ---- scripts ---- */

void floe_sql_script_free(floe_sql_script *script)
{
    if (script == NULL) return;
    floe_arena_fini(&script->arena);
    floe_free(script);
}

static int parse_all(parser *p, floe_sql_script *script, int exactly_one)
{
    FLOE_TRY(next_token(p));
    size_t capacity = 0;
    for (;;) {
        while (at(p, FLOE_SQL_TOKEN_SEMICOLON)) FLOE_TRY(next_token(p));
        if (at(p, FLOE_SQL_TOKEN_END)) break;
        if (exactly_one && script->statement_count == 1) return expected(p, "end of input");
        size_t start = p->current.position.offset;
        floe_sql_statement *statement = NULL;
        FLOE_TRY(parse_statement_body(p, &statement, 0));
        statement->source_offset = start;
        statement->source_length = p->previous_end - start;
        if (!at(p, FLOE_SQL_TOKEN_SEMICOLON) && !at(p, FLOE_SQL_TOKEN_END))
            return expected(p, "';' or end of input");
        floe_sql_statement **grown = grow_array(p, script->statements, &capacity,
                                                script->statement_count, sizeof *grown);
        if (grown == NULL) return out_of_memory(p);
        script->statements = grown;
        grown[script->statement_count++] = statement;
    }
    if (exactly_one && script->statement_count == 0) return expected(p, "a statement");
    return FLOE_OK;
}

static int parse_text(const char *text, size_t length, floe_sql_script **out, int exactly_one,
                      floe_error *err)
{
    *out = NULL;
    if (text == NULL && length > 0)
        return floe_error_set(err, FLOE_EINVAL, "SQL text is NULL");
    floe_sql_script *script = floe_calloc(1, sizeof *script);
    if (script == NULL) return floe_error_set(err, FLOE_ENOMEM, "out of memory while parsing SQL");
    floe_arena_init(&script->arena, 4096, 0);
    parser p;
    memset(&p, 0, sizeof p);
    floe_sql_lexer_init(&p.lexer, text ? text : "", length);
    p.current.text = text ? text : "";
    p.arena = &script->arena;
    p.err = err;
    int status = parse_all(&p, script, exactly_one);
    if (status < 0) {
        floe_sql_script_free(script);
        return status;
    }
    *out = script;
    return FLOE_OK;
}

int floe_sql_parse_script(const char *text, size_t length, floe_sql_script **script,
                          floe_error *err)
{
    return parse_text(text, length, script, 0, err);
}

int floe_sql_parse_statement(const char *text, size_t length, floe_sql_script **script,
                             floe_error *err)
{
    return parse_text(text, length, script, 1, err);
}
