/*
 * Description: value_text — every CSV / JSON text rule of DESIGN.md "CSV output": RFC 4180
 * quoting, NULL vs empty string, booleans, dates (incl. BC and 5-digit years), timestamps
 * (fraction trimmed as DuckDB prints, negative epochs), decimals (scale, negatives, int128),
 * shortest round-trip floats (nan/inf), binary hex, JSON escaping and invalid UTF-8, int64
 * beyond 2^53 as exact JSON numbers, dictionary vectors.
 */
#include "kernels/value_text.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static char out[FLOE_K_NUMBER_TEXT_SIZE];

START_TEST(floats_shortest_round_trip)
{
    floe_k_format_double(0.1, out);
    ck_assert_str_eq(out, "0.1");
    floe_k_format_double(1e20, out);
    ck_assert_str_eq(out, "1e+20");
    floe_k_format_double(-0.0, out);
    ck_assert_str_eq(out, "-0");
    floe_k_format_double(30.299999999999997, out);
    ck_assert_str_eq(out, "30.299999999999997");
    floe_k_format_double(NAN, out);
    ck_assert_str_eq(out, "nan");
    floe_k_format_double(-INFINITY, out);
    ck_assert_str_eq(out, "-inf");
    floe_k_format_double(INFINITY, out);
    ck_assert_str_eq(out, "inf");
    floe_k_format_float(1.1f, out);
    ck_assert_str_eq(out, "1.1");
    floe_k_format_float(16777217.0f, out);
    ck_assert_str_eq(out, "16777216");
    /* Random doubles round-trip and use no more digits than needed. */
    srand(7);
    for (int i = 0; i < 10000; i++) {
        uint64_t bits = ((uint64_t)rand() << 40) ^ ((uint64_t)rand() << 20) ^ (uint64_t)rand();
        double value;
        memcpy(&value, &bits, 8);
        if (!isfinite(value)) continue;
        floe_k_format_double(value, out);
        ck_assert(strtod(out, NULL) == value);
    }
}
END_TEST

START_TEST(dates_and_timestamps)
{
    floe_k_format_date(0, out);
    ck_assert_str_eq(out, "1970-01-01");
    floe_k_format_date(-1, out);
    ck_assert_str_eq(out, "1969-12-31");
    floe_k_format_date(14304, out); /* 2009-03-01 */
    ck_assert_str_eq(out, "2009-03-01");
    floe_k_format_date(-719528, out); /* year 0 = 1 BC, as DuckDB prints */
    ck_assert_str_eq(out, "0001-01-01 (BC)");
    floe_k_format_date(3663555, out); /* 11999-...: all digits */
    ck_assert_int_eq(out[5], '-');
    floe_k_format_timestamp(0, out);
    ck_assert_str_eq(out, "1970-01-01 00:00:00");
    floe_k_format_timestamp(INT64_C(1577840523120000), out);
    ck_assert_str_eq(out, "2020-01-01 01:02:03.12");
    floe_k_format_timestamp(INT64_C(1577840523000001), out);
    ck_assert_str_eq(out, "2020-01-01 01:02:03.000001");
    floe_k_format_timestamp(-1, out);
    ck_assert_str_eq(out, "1969-12-31 23:59:59.999999");
}
END_TEST

START_TEST(decimals)
{
    floe_k_format_decimal(150, 2, out);
    ck_assert_str_eq(out, "1.50");
    floe_k_format_decimal(-5, 2, out);
    ck_assert_str_eq(out, "-0.05");
    floe_k_format_decimal(0, 3, out);
    ck_assert_str_eq(out, "0.000");
    floe_k_format_decimal(42, 0, out);
    ck_assert_str_eq(out, "42");
    floe_int128 big = (floe_int128)INT64_MAX * 1000000 + 123;
    floe_k_format_decimal(-big, 5, out);
    ck_assert_str_eq(out, "-92233720368547758070.00123");
    floe_int128 min = (floe_int128)((floe_uint128)1 << 127);
    floe_k_format_int128(min, out);
    ck_assert_str_eq(out, "-170141183460469231731687303715884105728");
}
END_TEST

static void string_vector(floe_vector *vector, floe_type_id id, const char *const *values,
                          const uint32_t *lengths, int count)
{
    ck_assert_int_eq(floe_vector_init(vector, floe_type_make(id), 16, NULL), FLOE_OK);
    for (int i = 0; i < count; i++) {
        if (values[i] == NULL) {
            floe_vector_set_null(vector, (uint32_t)i);
            ((floe_string_ref *)vector->data)[i] = (floe_string_ref){0, 0};
        } else {
            ck_assert_int_eq(floe_vector_set_string(vector, (uint32_t)i, values[i], lengths[i],
                                                    NULL), FLOE_OK);
        }
    }
}

START_TEST(csv_quoting_and_nulls)
{
    const char *values[] = {"plain", "a,b", "say \"hi\"", "line\nbreak", "cr\r", "", NULL};
    uint32_t lengths[] = {5, 3, 8, 10, 3, 0, 0};
    floe_vector vector;
    string_vector(&vector, FLOE_TYPE_STRING, values, lengths, 7);
    static const char *const expected[] = {"plain", "\"a,b\"", "\"say \"\"hi\"\"\"",
                                           "\"line\nbreak\"", "\"cr\r\"", "\"\"", ""};
    floe_text text;
    floe_text_init(&text);
    for (uint32_t i = 0; i < 7; i++) {
        floe_text_reset(&text);
        ck_assert_int_eq(floe_k_csv_field_append(&text, &vector, i), FLOE_OK);
        ck_assert_str_eq(text.data ? text.data : "", expected[i]);
    }
    floe_vector_fini(&vector);
    /* Binary: every byte escaped, upper-case hex. */
    const char *blobs[] = {"\x00\xff" "a", ""};
    uint32_t blob_lengths[] = {3, 0};
    string_vector(&vector, FLOE_TYPE_BINARY, blobs, blob_lengths, 2);
    floe_text_reset(&text);
    floe_k_csv_field_append(&text, &vector, 0);
    ck_assert_str_eq(text.data, "\\x00\\xFF\\x61");
    floe_text_reset(&text);
    floe_k_json_value_append(&text, &vector, 0);
    ck_assert_str_eq(text.data, "\"\\\\x00\\\\xFF\\\\x61\"");
    floe_text_reset(&text);
    floe_k_csv_field_append(&text, &vector, 1);
    ck_assert_str_eq(text.data, "\"\"");
    floe_vector_fini(&vector);
    floe_text_fini(&text);
}
END_TEST

START_TEST(json_values)
{
    floe_text text;
    floe_text_init(&text);
    /* Strings: escapes, control bytes, valid multi-byte UTF-8 kept, invalid bytes → U+FFFD. */
    const char raw[] = "q\"b\\n\n\t\x01" "\xc3\xa9" "\xff" "\xe2\x82";
    ck_assert_int_eq(floe_k_json_string_append(&text, raw, sizeof raw - 1), FLOE_OK);
    ck_assert_str_eq(text.data, "\"q\\\"b\\\\n\\n\\t\\u0001\xc3\xa9\\ufffd\\ufffd\\ufffd\"");
    /* Integers beyond 2^53 keep every digit; floats nan/inf as strings; NULL null. */
    floe_vector vector;
    ck_assert_int_eq(floe_vector_init(&vector, floe_type_make(FLOE_TYPE_INT64), 4, NULL), 0);
    ((int64_t *)vector.data)[0] = INT64_C(9007199254740993);
    ((int64_t *)vector.data)[1] = INT64_MIN;
    floe_vector_set_null(&vector, 2);
    floe_text_reset(&text);
    floe_k_json_value_append(&text, &vector, 0);
    floe_k_json_value_append(&text, &vector, 1);
    floe_k_json_value_append(&text, &vector, 2);
    ck_assert_str_eq(text.data, "9007199254740993-9223372036854775808null");
    floe_text_reset(&text);
    ck_assert_int_eq(floe_k_csv_field_append(&text, &vector, 2), FLOE_OK);
    ck_assert_uint_eq(text.size, 0);
    floe_vector_fini(&vector);
    ck_assert_int_eq(floe_vector_init(&vector, floe_type_make(FLOE_TYPE_FLOAT64), 4, NULL), 0);
    ((double *)vector.data)[0] = NAN;
    ((double *)vector.data)[1] = -INFINITY;
    ((double *)vector.data)[2] = 2.5;
    floe_text_reset(&text);
    for (uint32_t i = 0; i < 3; i++) floe_k_json_value_append(&text, &vector, i);
    ck_assert_str_eq(text.data, "\"nan\"\"-inf\"2.5");
    floe_vector_fini(&vector);
    /* Booleans, dates, timestamps, decimals. */
    ck_assert_int_eq(floe_vector_init(&vector, floe_type_make(FLOE_TYPE_BOOLEAN), 4, NULL), 0);
    ((uint8_t *)vector.data)[0] = 1;
    ((uint8_t *)vector.data)[1] = 0;
    floe_text_reset(&text);
    floe_k_json_value_append(&text, &vector, 0);
    floe_k_csv_field_append(&text, &vector, 1);
    ck_assert_str_eq(text.data, "truefalse");
    floe_vector_fini(&vector);
    ck_assert_int_eq(floe_vector_init(&vector, floe_type_make(FLOE_TYPE_TIMESTAMPTZ), 4, NULL), 0);
    ((int64_t *)vector.data)[0] = INT64_C(1577840523120000);
    floe_text_reset(&text);
    floe_k_json_value_append(&text, &vector, 0);
    ck_assert_str_eq(text.data, "\"2020-01-01 01:02:03.12\"");
    floe_vector_fini(&vector);
    ck_assert_int_eq(floe_vector_init(&vector, floe_type_decimal(30, 5), 4, NULL), 0);
    floe_int128 value = -123456789;
    memcpy(vector.data, &value, 16);
    floe_text_reset(&text);
    floe_k_json_value_append(&text, &vector, 0);
    floe_k_csv_field_append(&text, &vector, 0);
    ck_assert_str_eq(text.data, "\"-1234.56789\"-1234.56789");
    floe_vector_fini(&vector);
    ck_assert_int_eq(floe_vector_init(&vector, floe_type_decimal(10, 2), 4, NULL), 0);
    ((int64_t *)vector.data)[0] = 150;
    floe_text_reset(&text);
    floe_k_csv_field_append(&text, &vector, 0);
    ck_assert_str_eq(text.data, "1.50");
    floe_vector_fini(&vector);
    floe_text_fini(&text);
}
END_TEST

START_TEST(dictionary_vectors)
{
    const char *values[] = {"x", "y,z"};
    uint32_t lengths[] = {1, 3};
    floe_vector dictionary, vector;
    string_vector(&dictionary, FLOE_TYPE_STRING, values, lengths, 2);
    ck_assert_int_eq(floe_vector_init(&vector, floe_type_make(FLOE_TYPE_STRING), 4, NULL), 0);
    vector.encoding = FLOE_VECTOR_DICTIONARY;
    vector.dictionary = &dictionary;
    ((uint32_t *)vector.data)[0] = 1;
    ((uint32_t *)vector.data)[1] = 0;
    floe_text text;
    floe_text_init(&text);
    floe_k_csv_field_append(&text, &vector, 0);
    floe_k_json_value_append(&text, &vector, 1);
    ck_assert_str_eq(text.data, "\"y,z\"\"x\"");
    floe_text_fini(&text);
    floe_vector_fini(&vector);
    floe_vector_fini(&dictionary);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("value_text");
    TCase *rules = tcase_create("rules");
    tcase_add_test(rules, floats_shortest_round_trip);
    tcase_add_test(rules, dates_and_timestamps);
    tcase_add_test(rules, decimals);
    tcase_add_test(rules, csv_quoting_and_nulls);
    tcase_add_test(rules, json_values);
    tcase_add_test(rules, dictionary_vectors);
    suite_add_tcase(suite, rules);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
