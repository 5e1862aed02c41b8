/*
 * lexer.h — splits SQL text into tokens for sql/parser.c.
 *
 * The lexer is a cursor over the caller's text: it never allocates and never copies; a token is
 * a view (pointer and length into the text) plus its kind and position. The text must outlive
 * the tokens. floe_sql_token_value decodes a token's value into an arena when one is needed.
 *
 * Tokens (DESIGN.md "SQL" fixes the dialect):
 *   words           unquoted identifiers and keywords: [A-Za-z_ or any byte >= 0x80] followed by
 *                   those and digits. A word that spells a keyword carries its keyword id (the
 *                   parser decides whether a non-reserved keyword is used as a name). The value of
 *                   an unquoted identifier is folded to lower case (ASCII letters only).
 *   "quoted"        identifiers keep their case; "" inside stands for one ". Empty "" is an error.
 *   numbers         INTEGER (digits), DECIMAL (digits with one '.': 1.5, .5, 5.) and FLOAT (with an
 *                   exponent: 1e10, 1.5E-3). A number running straight into a letter ("1abc") or
 *                   an exponent without digits ("1e") is an error.
 *   'strings'       '' inside stands for one '. Newlines are allowed inside.
 *   operators       + - * / % || = <> != < <= > >= ( ) , . ; ::
 *   comments        -- to the end of the line, and slash-star ... star-slash (not nested); skipped.
 *
 * Positions: every token carries its 1-based line and column and its byte offset. Columns count
 * characters (UTF-8 continuation bytes do not advance the column); a tab counts as one column.
 *
 * Errors: FLOE_ESYNTAX with one line, "line L, column C: unterminated string literal", pointing
 * at where the offending token starts. NUL bytes and other characters outside the dialect
 * ("unexpected character '#'") are errors. Once an error is returned the lexer stays on it.
 */
#ifndef FLOE_SQL_LEXER_H
#define FLOE_SQL_LEXER_H

#include "kernels/arena.h"  /* floe_arena for decoded values */
#include "kernels/status.h" /* floe_error */

#include <stddef.h>
#include <stdint.h>

typedef struct floe_sql_position {
    uint32_t line;   /* 1-based */
    uint32_t column; /* 1-based, in characters */
    size_t offset;   /* byte offset into the text */
} floe_sql_position;

typedef enum floe_sql_token_kind {
    FLOE_SQL_TOKEN_END = 0,          /* end of the text */
    FLOE_SQL_TOKEN_WORD,             /* unquoted identifier or keyword (see keyword) */
    FLOE_SQL_TOKEN_QUOTED_IDENTIFIER,
    FLOE_SQL_TOKEN_INTEGER,
    FLOE_SQL_TOKEN_DECIMAL,
    FLOE_SQL_TOKEN_FLOAT,
    FLOE_SQL_TOKEN_STRING,
    FLOE_SQL_TOKEN_PLUS,             /* + */
    FLOE_SQL_TOKEN_MINUS,            /* - */
    FLOE_SQL_TOKEN_STAR,             /* * */
    FLOE_SQL_TOKEN_SLASH,            /* / */
    FLOE_SQL_TOKEN_PERCENT,          /* % */
    FLOE_SQL_TOKEN_CONCAT,           /* || */
    FLOE_SQL_TOKEN_EQUAL,            /* = */
    FLOE_SQL_TOKEN_NOT_EQUAL,        /* <> or != */
    FLOE_SQL_TOKEN_LESS,             /* < */
    FLOE_SQL_TOKEN_LESS_EQUAL,       /* <= */
    FLOE_SQL_TOKEN_GREATER,          /* > */
    FLOE_SQL_TOKEN_GREATER_EQUAL,    /* >= */
    FLOE_SQL_TOKEN_LEFT_PAREN,       /* ( */
    FLOE_SQL_TOKEN_RIGHT_PAREN,      /* ) */
    FLOE_SQL_TOKEN_COMMA,            /* , */
    FLOE_SQL_TOKEN_DOT,              /* . */
    FLOE_SQL_TOKEN_SEMICOLON,        /* ; */
    FLOE_SQL_TOKEN_DOUBLE_COLON,     /* :: */
} floe_sql_token_kind;

/* Keywords, in alphabetical order of their spelling (the lexer searches the table by bisection).
 * FLOE_SQL_KEYWORD_NONE for a word that is no keyword. */
#define FLOE_SQL_KEYWORD_LIST(X)                                                                  \
    X(ADD, 0) X(ALL, 1) X(ALTER, 0) X(AND, 1) X(AS, 1) X(ASC, 1) X(AUTO, 0) X(BETWEEN, 1)         \
    X(BIGINT, 0) X(BINARY, 0) X(BLOB, 0) X(BOOLEAN, 0) X(BY, 1) X(CASE, 1) X(CAST, 1) X(CEIL, 0)  \
    X(CEILING, 0) X(COLUMN, 0) X(CREATE, 1) X(CROSS, 1) X(DATE, 0) X(DECIMAL, 0) X(DELETE, 0)     \
    X(DESC, 1) X(DISTINCT, 1) X(DOUBLE, 0) X(DOWNSTREAM, 0) X(DROP, 0) X(DYNAMIC, 0) X(ELSE, 1)   \
    X(END, 1) X(EXCEPT, 1) X(EXISTS, 0) X(EXPLAIN, 0) X(EXTRACT, 0) X(FALSE, 1) X(FIRST, 0)       \
    X(FLOAT, 0) X(FOR, 1) X(FROM, 1) X(FULL, 1) X(GROUP, 1) X(HAVING, 1) X(IF, 0) X(IN, 1)        \
    X(INCREMENTAL, 0) X(INITIALIZE, 0) X(INNER, 1) X(INSERT, 0) X(INT, 0) X(INTEGER, 0)           \
    X(INTERSECT, 1) X(INTERVAL, 0) X(INTO, 1) X(IS, 1) X(JOIN, 1) X(LAST, 0) X(LEFT, 1)           \
    X(LIKE, 1) X(LIMIT, 1) X(NOT, 1) X(NULL, 1) X(NULLS, 0) X(NUMERIC, 0) X(OFFSET, 1) X(ON, 1)   \
    X(ON_CREATE, 0) X(ON_SCHEDULE, 0) X(OR, 1) X(ORDER, 1) X(OUTER, 1) X(PRECISION, 0)            \
    X(REAL, 0) X(REFRESH, 0) X(REFRESH_MODE, 0) X(REPLACE, 0) X(RESUME, 0) X(RIGHT, 1)            \
    X(SELECT, 1) X(SHOW, 0) X(STRING, 0) X(SUBSTRING, 0) X(SUSPEND, 0) X(TABLE, 1) X(TABLES, 0)   \
    X(TARGET_LAG, 0) X(TEXT, 0) X(THEN, 1) X(TIME, 0) X(TIMESTAMP, 0) X(TIMESTAMPTZ, 0)           \
    X(TRUE, 1) X(UNION, 1) X(VALUES, 1) X(VARBINARY, 0) X(VARCHAR, 0) X(WHEN, 1) X(WHERE, 1)      \
    X(WITH, 1) X(ZONE, 0)

typedef enum floe_sql_keyword {
    FLOE_SQL_KEYWORD_NONE = 0,
#define FLOE_SQL_KEYWORD_ENUM_(name, reserved) FLOE_SQL_KEYWORD_##name,
    FLOE_SQL_KEYWORD_LIST(FLOE_SQL_KEYWORD_ENUM_)
#undef FLOE_SQL_KEYWORD_ENUM_
    FLOE_SQL_KEYWORD_COUNT_
} floe_sql_keyword;

typedef struct floe_sql_token {
    floe_sql_token_kind kind;
    floe_sql_keyword keyword;   /* WORD only: its keyword, or FLOE_SQL_KEYWORD_NONE */
    const char *text;           /* the token as written (quotes included), into the source */
    size_t length;              /* bytes of text */
    floe_sql_position position; /* where text starts */
} floe_sql_token;

typedef struct floe_sql_lexer {
    const char *text;
    size_t length;
    floe_sql_position cursor; /* where the next token's search starts */
    int failed;               /* set after an error: every later call repeats FLOE_ESYNTAX */
} floe_sql_lexer;

void floe_sql_lexer_init(floe_sql_lexer *lexer, const char *text, size_t length);

/* Reads the next token (kind END at the end of the text, repeatedly). Returns 0 or FLOE_ESYNTAX. */
int floe_sql_lexer_next(floe_sql_lexer *lexer, floe_sql_token *token, floe_error *err);

/* The keyword a word spells (case-insensitive), FLOE_SQL_KEYWORD_NONE if none. */
floe_sql_keyword floe_sql_keyword_lookup(const char *word, size_t length);

/* The keyword's upper-case spelling ("SELECT"); "" for NONE or an unknown value. */
const char *floe_sql_keyword_name(floe_sql_keyword keyword);

/* Non-zero when the keyword cannot be used as an unquoted name (column, table, alias). */
int floe_sql_keyword_is_reserved(floe_sql_keyword keyword);

/* The decoded value of a WORD (folded to lower case), QUOTED_IDENTIFIER or STRING ("" and ''
 * unescaped), copied NUL-terminated into the arena; *value_length (may be NULL) receives its
 * length. Other kinds are copied as written. Returns NULL when the arena is out of memory. */
char *floe_sql_token_value(const floe_sql_token *token, floe_arena *arena, size_t *value_length);

/* A short name for a token kind, for messages ("a string literal", "','"). */
const char *floe_sql_token_kind_name(floe_sql_token_kind kind);

#endif
