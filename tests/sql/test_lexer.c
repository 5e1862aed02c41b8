/*
 * Description: the SQL lexer — every token kind, keyword lookup and reservation, decoded values
 * (case folding, quote escapes), positions across lines and multi-byte characters, and every
 * lexer error with its position.
 */
#include "kernels/arena.h"
#include "kernels/status.h"
#include "sql/lexer.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

typedef struct expected_token {
    floe_sql_token_kind kind;
    const char *text;
    unsigned line, column;
} expected_token;

static void expect_tokens(const char *sql, const expected_token *expected, size_t count)
{
    floe_sql_lexer lexer;
    floe_sql_lexer_init(&lexer, sql, strlen(sql));
    for (size_t i = 0; i < count; i++) {
        floe_sql_token token;
        floe_error err;
        int status = floe_sql_lexer_next(&lexer, &token, &err);
        ck_assert_msg(status == FLOE_OK, "token %zu of %s: %s", i, sql, err.message);
        ck_assert_msg(token.kind == expected[i].kind, "token %zu of '%s': kind %d, expected %d", i,
                      sql, token.kind, expected[i].kind);
        ck_assert_uint_eq(token.length, strlen(expected[i].text));
        ck_assert_msg(memcmp(token.text, expected[i].text, token.length) == 0,
                      "token %zu text '%.*s'", i, (int)token.length, token.text);
        ck_assert_msg(token.position.line == expected[i].line &&
                          token.position.column == expected[i].column,
                      "token %zu '%s' at %u:%u, expected %u:%u", i, expected[i].text,
                      token.position.line, token.position.column, expected[i].line,
                      expected[i].column);
        ck_assert_uint_eq(token.position.offset, (size_t)(token.text - sql));
    }
    /* END repeats. */
    floe_sql_token token;
    ck_assert_int_eq(floe_sql_lexer_next(&lexer, &token, NULL), FLOE_OK);
    ck_assert_int_eq(token.kind, FLOE_SQL_TOKEN_END);
}

START_TEST(every_operator)
{
    static const expected_token tokens[] = {
        {FLOE_SQL_TOKEN_PLUS, "+", 1, 1},           {FLOE_SQL_TOKEN_MINUS, "-", 1, 2},
        {FLOE_SQL_TOKEN_STAR, "*", 1, 3},           {FLOE_SQL_TOKEN_SLASH, "/", 1, 4},
        {FLOE_SQL_TOKEN_PERCENT, "%", 1, 5},        {FLOE_SQL_TOKEN_CONCAT, "||", 1, 6},
        {FLOE_SQL_TOKEN_EQUAL, "=", 1, 8},          {FLOE_SQL_TOKEN_NOT_EQUAL, "<>", 1, 9},
        {FLOE_SQL_TOKEN_NOT_EQUAL, "!=", 1, 11},    {FLOE_SQL_TOKEN_LESS, "<", 1, 13},
        {FLOE_SQL_TOKEN_LESS_EQUAL, "<=", 1, 15},   {FLOE_SQL_TOKEN_GREATER, ">", 1, 18},
        {FLOE_SQL_TOKEN_GREATER_EQUAL, ">=", 1, 20}, {FLOE_SQL_TOKEN_LEFT_PAREN, "(", 1, 22},
        {FLOE_SQL_TOKEN_RIGHT_PAREN, ")", 1, 23},   {FLOE_SQL_TOKEN_COMMA, ",", 1, 24},
        {FLOE_SQL_TOKEN_DOT, ".", 1, 25},           {FLOE_SQL_TOKEN_SEMICOLON, ";", 1, 26},
        {FLOE_SQL_TOKEN_DOUBLE_COLON, "::", 1, 27},
    };
    expect_tokens("+-*/%||=<>!=< <= > >=(),.;::", tokens, sizeof tokens / sizeof tokens[0]);
}
END_TEST

START_TEST(words_numbers_and_strings)
{
    static const expected_token numbers[] = {
        {FLOE_SQL_TOKEN_INTEGER, "1", 1, 1},      {FLOE_SQL_TOKEN_DECIMAL, "1.5", 1, 3},
        {FLOE_SQL_TOKEN_DECIMAL, ".5", 1, 7},     {FLOE_SQL_TOKEN_DECIMAL, "5.", 1, 10},
        {FLOE_SQL_TOKEN_FLOAT, "1e10", 1, 13},    {FLOE_SQL_TOKEN_FLOAT, "1.5E-3", 1, 18},
        {FLOE_SQL_TOKEN_FLOAT, "2e+4", 1, 25},    {FLOE_SQL_TOKEN_FLOAT, ".5e1", 1, 30},
        {FLOE_SQL_TOKEN_INTEGER, "007", 1, 35},
    };
    expect_tokens("1 1.5 .5 5. 1e10 1.5E-3 2e+4 .5e1 007", numbers,
                  sizeof numbers / sizeof numbers[0]);
    static const expected_token words[] = {
        {FLOE_SQL_TOKEN_WORD, "SELECT", 1, 1},
        {FLOE_SQL_TOKEN_WORD, "_a1", 1, 8},
        {FLOE_SQL_TOKEN_QUOTED_IDENTIFIER, "\"Mixed \"\"Case\"\"\"", 1, 12},
        {FLOE_SQL_TOKEN_STRING, "'it''s'", 1, 29},
        {FLOE_SQL_TOKEN_STRING, "''", 1, 37},
        {FLOE_SQL_TOKEN_WORD, "t", 1, 40},
        {FLOE_SQL_TOKEN_DOT, ".", 1, 41},
        {FLOE_SQL_TOKEN_WORD, "x", 1, 42},
    };
    expect_tokens("SELECT _a1 \"Mixed \"\"Case\"\"\" 'it''s' '' t.x", words,
                  sizeof words / sizeof words[0]);
}
END_TEST

START_TEST(keywords_are_classified)
{
    ck_assert_int_eq(floe_sql_keyword_lookup("select", 6), FLOE_SQL_KEYWORD_SELECT);
    ck_assert_int_eq(floe_sql_keyword_lookup("SeLeCt", 6), FLOE_SQL_KEYWORD_SELECT);
    ck_assert_int_eq(floe_sql_keyword_lookup("target_lag", 10), FLOE_SQL_KEYWORD_TARGET_LAG);
    ck_assert_int_eq(floe_sql_keyword_lookup("region", 6), FLOE_SQL_KEYWORD_NONE);
    ck_assert_int_eq(floe_sql_keyword_lookup("selects", 7), FLOE_SQL_KEYWORD_NONE);
    ck_assert_int_eq(floe_sql_keyword_lookup("a_very_long_word_indeed", 23), FLOE_SQL_KEYWORD_NONE);
    ck_assert_int_eq(floe_sql_keyword_lookup("", 0), FLOE_SQL_KEYWORD_NONE);
    ck_assert(floe_sql_keyword_is_reserved(FLOE_SQL_KEYWORD_FROM));
    ck_assert(!floe_sql_keyword_is_reserved(FLOE_SQL_KEYWORD_DATE));
    ck_assert(!floe_sql_keyword_is_reserved(FLOE_SQL_KEYWORD_NONE));
    ck_assert_str_eq(floe_sql_keyword_name(FLOE_SQL_KEYWORD_ON_SCHEDULE), "ON_SCHEDULE");
    ck_assert_str_eq(floe_sql_keyword_name(FLOE_SQL_KEYWORD_NONE), "");
    /* The table is sorted (the lookup bisects it) and every name finds itself. */
    for (int k = 1; k < FLOE_SQL_KEYWORD_COUNT_; k++) {
        const char *name = floe_sql_keyword_name((floe_sql_keyword)k);
        if (k > 1) ck_assert_msg(strcmp(floe_sql_keyword_name((floe_sql_keyword)(k - 1)), name) < 0,
                                 "keyword table out of order at %s", name);
        ck_assert_int_eq(floe_sql_keyword_lookup(name, strlen(name)), k);
    }
    floe_sql_lexer lexer;
    floe_sql_token token;
    floe_sql_lexer_init(&lexer, "from Region", 11);
    ck_assert_int_eq(floe_sql_lexer_next(&lexer, &token, NULL), FLOE_OK);
    ck_assert_int_eq(token.keyword, FLOE_SQL_KEYWORD_FROM);
    ck_assert_int_eq(floe_sql_lexer_next(&lexer, &token, NULL), FLOE_OK);
    ck_assert_int_eq(token.keyword, FLOE_SQL_KEYWORD_NONE);
}
END_TEST

START_TEST(values_are_decoded)
{
    const char *sql = "Region \"Mixed \"\"Q\"\"\" 'it''s' '' 1.5E3";
    floe_arena arena;
    floe_arena_init(&arena, 0, 0);
    floe_sql_lexer lexer;
    floe_sql_lexer_init(&lexer, sql, strlen(sql));
    static const char *const values[] = {"region", "Mixed \"Q\"", "it's", "", "1.5E3"};
    for (size_t i = 0; i < 5; i++) {
        floe_sql_token token;
        ck_assert_int_eq(floe_sql_lexer_next(&lexer, &token, NULL), FLOE_OK);
        size_t length = 99;
        char *value = floe_sql_token_value(&token, &arena, &length);
        ck_assert_ptr_nonnull(value);
        ck_assert_str_eq(value, values[i]);
        ck_assert_uint_eq(length, strlen(values[i]));
    }
    floe_arena_fini(&arena);
}
END_TEST

START_TEST(positions_across_lines)
{
    /* Comments, CRLF, tabs and a multi-byte character (one column) before tokens. */
    const char *sql = "SELECT -- first\r\n\ta,\n  /* block\n comment */ \"é\" é\n\n'x\ny' z";
    static const expected_token tokens[] = {
        {FLOE_SQL_TOKEN_WORD, "SELECT", 1, 1},
        {FLOE_SQL_TOKEN_WORD, "a", 2, 2},
        {FLOE_SQL_TOKEN_COMMA, ",", 2, 3},
        {FLOE_SQL_TOKEN_QUOTED_IDENTIFIER, "\"é\"", 4, 13},
        {FLOE_SQL_TOKEN_WORD, "é", 4, 17},
        {FLOE_SQL_TOKEN_STRING, "'x\ny'", 6, 1},
        {FLOE_SQL_TOKEN_WORD, "z", 7, 4},
    };
    expect_tokens(sql, tokens, sizeof tokens / sizeof tokens[0]);
    /* A comment running to the end of the text is fine. */
    static const expected_token one[] = {{FLOE_SQL_TOKEN_WORD, "a", 1, 1}};
    expect_tokens("a -- no newline", one, 1);
    expect_tokens("a /**/", one, 1);
}
END_TEST

static void expect_lex_error(const char *sql, size_t length, const char *message)
{
    floe_sql_lexer lexer;
    floe_sql_lexer_init(&lexer, sql, length);
    floe_sql_token token;
    floe_error err;
    floe_error_clear(&err);
    int status;
    do {
        status = floe_sql_lexer_next(&lexer, &token, &err);
    } while (status == FLOE_OK && token.kind != FLOE_SQL_TOKEN_END);
    ck_assert_msg(status == FLOE_ESYNTAX, "'%s' lexed without error", sql);
    ck_assert_str_eq(err.message, message);
    /* The lexer stays failed. */
    ck_assert_int_eq(floe_sql_lexer_next(&lexer, &token, NULL), FLOE_ESYNTAX);
}

START_TEST(every_lexer_error)
{
    expect_lex_error("SELECT 'abc", 11, "line 1, column 8: unterminated string literal");
    expect_lex_error("a\n  'it''s", 10, "line 2, column 3: unterminated string literal");
    expect_lex_error("\"abc", 4, "line 1, column 1: unterminated quoted name");
    expect_lex_error("x \"\"", 4, "line 1, column 3: empty quoted name");
    expect_lex_error("a /* b\n c", 9, "line 1, column 3: unterminated comment");
    expect_lex_error("a /* b *", 8, "line 1, column 3: unterminated comment");
    expect_lex_error("1e", 2, "line 1, column 1: malformed number: the exponent has no digits");
    expect_lex_error("1.5e+", 5, "line 1, column 1: malformed number: the exponent has no digits");
    expect_lex_error(" 12abc", 6, "line 1, column 2: malformed number: it runs into the next character");
    expect_lex_error("1.2.3", 5, "line 1, column 1: malformed number: it runs into the next character");
    expect_lex_error("a # b", 5, "line 1, column 3: unexpected character '#'");
    expect_lex_error("a | b", 5, "line 1, column 3: unexpected character '|' (did you mean '||'?)");
    expect_lex_error("a : b", 5, "line 1, column 3: unexpected character ':' (did you mean '::'?)");
    expect_lex_error("a ! b", 5, "line 1, column 3: unexpected character '!' (did you mean '!='?)");
    expect_lex_error("a \x01", 3, "line 1, column 3: unexpected byte 0x01");
    expect_lex_error("a\0b", 3, "line 1, column 2: unexpected byte 0x00");
    expect_lex_error("'a\0b'", 5, "line 1, column 3: unexpected byte 0x00");
    expect_lex_error("é ?", 4, "line 1, column 3: unexpected character '?'");
}
END_TEST

START_TEST(token_kind_names)
{
    ck_assert_str_eq(floe_sql_token_kind_name(FLOE_SQL_TOKEN_END), "end of input");
    ck_assert_str_eq(floe_sql_token_kind_name(FLOE_SQL_TOKEN_DOUBLE_COLON), "'::'");
    ck_assert_str_eq(floe_sql_token_kind_name(FLOE_SQL_TOKEN_STRING), "a string literal");
}
END_TEST

static Suite *lexer_suite(void)
{
    Suite *suite = suite_create("sql_lexer");
    TCase *test_case = tcase_create("lexer");
    tcase_add_test(test_case, every_operator);
    tcase_add_test(test_case, words_numbers_and_strings);
    tcase_add_test(test_case, keywords_are_classified);
    tcase_add_test(test_case, values_are_decoded);
    tcase_add_test(test_case, positions_across_lines);
    tcase_add_test(test_case, every_lexer_error);
    tcase_add_test(test_case, token_kind_names);
    suite_add_tcase(suite, test_case);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(lexer_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
