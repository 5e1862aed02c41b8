/*
 * lexer.c — SQL text to tokens, one at a time, without allocating.
 *
 * Why a hand-written cursor: the parser needs one token of lookahead (sometimes two, which it
 * gets by copying the lexer, a plain struct) and exact positions for every error message; a
 * table-driven scanner would buy nothing at this size. Positions are tracked while skipping
 * whitespace and comments so that every token knows its line and column without a second pass.
 */
#include "sql/lexer.h"

#include <stdio.h>
#include <string.h>

typedef struct keyword_entry {
    const char *name;
    int reserved;
} keyword_entry;

static const keyword_entry keyword_table[FLOE_SQL_KEYWORD_COUNT_] = {
    {"", 0},
#define KEYWORD_ENTRY_(name, reserved) {#name, reserved},
    FLOE_SQL_KEYWORD_LIST(KEYWORD_ENTRY_)
#undef KEYWORD_ENTRY_
};

static int ascii_upper(int c)
{
    return (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c;
}

static int ascii_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_word_start(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int is_word_part(int c)
{
    return is_word_start(c) || is_digit(c);
}

floe_sql_keyword floe_sql_keyword_lookup(const char *word, size_t length)
{
    char upper[16];
    if (length == 0 || length >= sizeof upper) return FLOE_SQL_KEYWORD_NONE;
    for (size_t i = 0; i < length; i++) upper[i] = (char)ascii_upper((unsigned char)word[i]);
    upper[length] = '\0';
    size_t low = 1, high = FLOE_SQL_KEYWORD_COUNT_;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        int order = strcmp(upper, keyword_table[middle].name);
        if (order == 0) return (floe_sql_keyword)middle;
        if (order < 0)
            high = middle;
        else
            low = middle + 1;
    }
    return FLOE_SQL_KEYWORD_NONE;
}

const char *floe_sql_keyword_name(floe_sql_keyword keyword)
{
    if ((int)keyword <= 0 || (int)keyword >= FLOE_SQL_KEYWORD_COUNT_) return "";
    return keyword_table[keyword].name;
}

int floe_sql_keyword_is_reserved(floe_sql_keyword keyword)
{
    if ((int)keyword <= 0 || (int)keyword >= FLOE_SQL_KEYWORD_COUNT_) return 0;
    return keyword_table[keyword].reserved;
}

const char *floe_sql_token_kind_name(floe_sql_token_kind kind)
{
    switch (kind) {
    case FLOE_SQL_TOKEN_END: return "end of input";
    case FLOE_SQL_TOKEN_WORD: return "a name";
    case FLOE_SQL_TOKEN_QUOTED_IDENTIFIER: return "a quoted name";
    case FLOE_SQL_TOKEN_INTEGER: return "an integer";
    case FLOE_SQL_TOKEN_DECIMAL: return "a decimal number";
    case FLOE_SQL_TOKEN_FLOAT: return "a floating-point number";
    case FLOE_SQL_TOKEN_STRING: return "a string literal";
    case FLOE_SQL_TOKEN_PLUS: return "'+'";
    case FLOE_SQL_TOKEN_MINUS: return "'-'";
    case FLOE_SQL_TOKEN_STAR: return "'*'";
    case FLOE_SQL_TOKEN_SLASH: return "'/'";
    case FLOE_SQL_TOKEN_PERCENT: return "'%'";
    case FLOE_SQL_TOKEN_CONCAT: return "'||'";
    case FLOE_SQL_TOKEN_EQUAL: return "'='";
    case FLOE_SQL_TOKEN_NOT_EQUAL: return "'<>'";
    case FLOE_SQL_TOKEN_LESS: return "'<'";
    case FLOE_SQL_TOKEN_LESS_EQUAL: return "'<='";
    case FLOE_SQL_TOKEN_GREATER: return "'>'";
    case FLOE_SQL_TOKEN_GREATER_EQUAL: return "'>='";
    case FLOE_SQL_TOKEN_LEFT_PAREN: return "'('";
    case FLOE_SQL_TOKEN_RIGHT_PAREN: return "')'";
    case FLOE_SQL_TOKEN_COMMA: return "','";
    case FLOE_SQL_TOKEN_DOT: return "'.'";
    case FLOE_SQL_TOKEN_SEMICOLON: return "';'";
    case FLOE_SQL_TOKEN_DOUBLE_COLON: return "'::'";
    }
    return "a token";
}

void floe_sql_lexer_init(floe_sql_lexer *lexer, const char *text, size_t length)
{
    lexer->text = text;
    lexer->length = length;
    lexer->cursor.line = 1;
    lexer->cursor.column = 1;
    lexer->cursor.offset = 0;
    lexer->failed = 0;
}

/* Moves the cursor over `count` bytes, keeping line and column right. */
static void advance(floe_sql_lexer *lexer, size_t count)
{
    for (size_t i = 0; i < count && lexer->cursor.offset < lexer->length; i++) {
        unsigned char c = (unsigned char)lexer->text[lexer->cursor.offset++];
        if (c == '\n') {
            lexer->cursor.line++;
            lexer->cursor.column = 1;
        } else if ((c & 0xC0) != 0x80) {
            lexer->cursor.column++;
        }
    }
}

static int peek(const floe_sql_lexer *lexer, size_t ahead)
{
    size_t at = lexer->cursor.offset + ahead;
    return at < lexer->length ? (unsigned char)lexer->text[at] : -1;
}

static int fail(floe_sql_lexer *lexer, floe_sql_position at, floe_error *err, const char *what)
{
    lexer->failed = 1;
    return floe_error_set(err, FLOE_ESYNTAX, "line %u, column %u: %s", at.line, at.column, what);
}

/* Skips whitespace and comments; fails on an unterminated block comment. */
static int skip_space(floe_sql_lexer *lexer, floe_error *err)
{
    for (;;) {
        int c = peek(lexer, 0);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            advance(lexer, 1);
        } else if (c == '-' && peek(lexer, 1) == '-') {
            while (peek(lexer, 0) != -1 && peek(lexer, 0) != '\n') advance(lexer, 1);
        } else if (c == '/' && peek(lexer, 1) == '*') {
            floe_sql_position start = lexer->cursor;
            advance(lexer, 2);
            for (;;) {
                int d = peek(lexer, 0);
                if (d == -1) return fail(lexer, start, err, "unterminated comment");
                if (d == '*' && peek(lexer, 1) == '/') {
                    advance(lexer, 2);
                    break;
                }
                advance(lexer, 1);
            }
        } else {
            return FLOE_OK;
        }
    }
}

/* Reads a quoted run ('...' or "...") whose quote doubles as its own escape. */
static int scan_quoted(floe_sql_lexer *lexer, int quote, floe_sql_position start, floe_error *err)
{
    advance(lexer, 1);
    for (;;) {
        int c = peek(lexer, 0);
        if (c == 0) {
            floe_sql_position at = lexer->cursor;
            return fail(lexer, at, err, "unexpected byte 0x00");
        }
        if (c == -1)
            return fail(lexer, start, err,
                        quote == '\'' ? "unterminated string literal" : "unterminated quoted name");
        if (c == quote) {
            if (peek(lexer, 1) == quote) {
                advance(lexer, 2);
                continue;
            }
            advance(lexer, 1);
            return FLOE_OK;
        }
        advance(lexer, 1);
    }
}

static int scan_number(floe_sql_lexer *lexer, floe_sql_token *token, floe_error *err)
{
    floe_sql_position start = lexer->cursor;
    int seen_digit = 0;
    token->kind = FLOE_SQL_TOKEN_INTEGER;
    while (is_digit(peek(lexer, 0))) {
        advance(lexer, 1);
        seen_digit = 1;
    }
    if (peek(lexer, 0) == '.') {
        advance(lexer, 1);
        while (is_digit(peek(lexer, 0))) {
            advance(lexer, 1);
            seen_digit = 1;
        }
        token->kind = FLOE_SQL_TOKEN_DECIMAL;
    }
    if (!seen_digit) return fail(lexer, start, err, "malformed number");
    int c = peek(lexer, 0);
    if (c == 'e' || c == 'E') {
        size_t skip = 1;
        if (peek(lexer, 1) == '+' || peek(lexer, 1) == '-') skip = 2;
        if (!is_digit(peek(lexer, skip)))
            return fail(lexer, start, err, "malformed number: the exponent has no digits");
        advance(lexer, skip);
        while (is_digit(peek(lexer, 0))) advance(lexer, 1);
        token->kind = FLOE_SQL_TOKEN_FLOAT;
    }
    c = peek(lexer, 0);
    if (is_word_part(c) || c == '.')
        return fail(lexer, start, err, "malformed number: it runs into the next character");
    return FLOE_OK;
}

int floe_sql_lexer_next(floe_sql_lexer *lexer, floe_sql_token *token, floe_error *err)
{
    memset(token, 0, sizeof *token);
    if (lexer->failed)
        return floe_error_set(err, FLOE_ESYNTAX, "line %u, column %u: the text could not be read",
                              lexer->cursor.line, lexer->cursor.column);
    FLOE_TRY(skip_space(lexer, err));
    floe_sql_position start = lexer->cursor;
    token->position = start;
    token->text = lexer->text + start.offset;
    int c = peek(lexer, 0);
    int next = peek(lexer, 1);
    int status = FLOE_OK;
    if (c == -1) {
        token->kind = FLOE_SQL_TOKEN_END;
        token->text = lexer->text + lexer->length;
        return FLOE_OK;
    }
    if (is_word_start(c)) {
        while (is_word_part(peek(lexer, 0))) advance(lexer, 1);
        token->kind = FLOE_SQL_TOKEN_WORD;
        token->keyword = floe_sql_keyword_lookup(token->text, lexer->cursor.offset - start.offset);
    } else if (is_digit(c) || (c == '.' && is_digit(next))) {
        status = scan_number(lexer, token, err);
    } else if (c == '\'') {
        token->kind = FLOE_SQL_TOKEN_STRING;
        status = scan_quoted(lexer, '\'', start, err);
    } else if (c == '"') {
        token->kind = FLOE_SQL_TOKEN_QUOTED_IDENTIFIER;
        status = scan_quoted(lexer, '"', start, err);
        if (status == FLOE_OK && lexer->cursor.offset - start.offset == 2)
            status = fail(lexer, start, err, "empty quoted name");
    } else {
        size_t width = 1;
        switch (c) {
        case '+': token->kind = FLOE_SQL_TOKEN_PLUS; break;
        case '-': token->kind = FLOE_SQL_TOKEN_MINUS; break;
        case '*': token->kind = FLOE_SQL_TOKEN_STAR; break;
        case '/': token->kind = FLOE_SQL_TOKEN_SLASH; break;
        case '%': token->kind = FLOE_SQL_TOKEN_PERCENT; break;
        case '=': token->kind = FLOE_SQL_TOKEN_EQUAL; break;
        case '(': token->kind = FLOE_SQL_TOKEN_LEFT_PAREN; break;
        case ')': token->kind = FLOE_SQL_TOKEN_RIGHT_PAREN; break;
        case ',': token->kind = FLOE_SQL_TOKEN_COMMA; break;
        case '.': token->kind = FLOE_SQL_TOKEN_DOT; break;
        case ';': token->kind = FLOE_SQL_TOKEN_SEMICOLON; break;
        case '|':
            if (next != '|') return fail(lexer, start, err, "unexpected character '|' (did you mean '||'?)");
            token->kind = FLOE_SQL_TOKEN_CONCAT;
            width = 2;
            break;
        case ':':
            if (next != ':') return fail(lexer, start, err, "unexpected character ':' (did you mean '::'?)");
            token->kind = FLOE_SQL_TOKEN_DOUBLE_COLON;
            width = 2;
            break;
        case '!':
            if (next != '=') return fail(lexer, start, err, "unexpected character '!' (did you mean '!='?)");
            token->kind = FLOE_SQL_TOKEN_NOT_EQUAL;
            width = 2;
            break;
        case '<':
            token->kind = FLOE_SQL_TOKEN_LESS;
            if (next == '=') {
                token->kind = FLOE_SQL_TOKEN_LESS_EQUAL;
                width = 2;
            } else if (next == '>') {
                token->kind = FLOE_SQL_TOKEN_NOT_EQUAL;
                width = 2;
            }
            break;
        case '>':
            token->kind = FLOE_SQL_TOKEN_GREATER;
            if (next == '=') {
                token->kind = FLOE_SQL_TOKEN_GREATER_EQUAL;
                width = 2;
            }
            break;
        default: {
            char what[64];
            if (c >= 0x21 && c < 0x7F)
                snprintf(what, sizeof what, "unexpected character '%c'", c);
            else
                snprintf(what, sizeof what, "unexpected byte 0x%02x", (unsigned)c);
            return fail(lexer, start, err, what);
        }
        }
        advance(lexer, width);
    }
    if (status < 0) return status;
    token->length = lexer->cursor.offset - start.offset;
    return FLOE_OK;
}

char *floe_sql_token_value(const floe_sql_token *token, floe_arena *arena, size_t *value_length)
{
    const char *text = token->text;
    size_t length = token->length;
    int quote = 0;
    if (token->kind == FLOE_SQL_TOKEN_STRING) quote = '\'';
    if (token->kind == FLOE_SQL_TOKEN_QUOTED_IDENTIFIER) quote = '"';
    if (quote != 0 && length >= 2) {
        text++;
        length -= 2;
    }
    char *value = floe_arena_strndup(arena, text, length);
    if (value == NULL) return NULL;
    size_t out = 0;
    for (size_t i = 0; i < length; i++) {
        char c = text[i];
        if (quote != 0 && c == quote && i + 1 < length && text[i + 1] == quote) i++;
        if (token->kind == FLOE_SQL_TOKEN_WORD) c = (char)ascii_lower((unsigned char)c);
        value[out++] = c;
    }
    value[out] = '\0';
    if (value_length != NULL) *value_length = out;
    return value;
}
