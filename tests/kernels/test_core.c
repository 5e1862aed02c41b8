/*
 * Description: the column vocabulary — status messages, the allocator hook, arenas, types,
 * vectors and batches (selection, weights, validity, strings) — including allocation failure.
 */
#include "kernels/arena.h"
#include "kernels/memory.h"
#include "kernels/status.h"
#include "kernels/types.h"
#include "kernels/vector.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

START_TEST(error_messages_nest_outermost_first)
{
    floe_error err;
    floe_error_clear(&err);
    ck_assert_int_eq(err.code, FLOE_OK);
    int status = floe_error_set(&err, FLOE_ECORRUPT, "page %d: crc mismatch", 3);
    ck_assert_int_eq(status, FLOE_ECORRUPT);
    floe_error_prefix(&err, "column '%s'", "price");
    floe_error_prefix(&err, "%s", "data/f1.parquet");
    ck_assert_str_eq(err.message, "data/f1.parquet: column 'price': page 3: crc mismatch");
    ck_assert_int_eq(err.code, FLOE_ECORRUPT);
    /* A NULL error buffer is allowed everywhere. */
    ck_assert_int_eq(floe_error_set(NULL, FLOE_ENOMEM, "x"), FLOE_ENOMEM);
    ck_assert_str_eq(floe_status_name(-2), "No such file or directory");
    ck_assert_str_eq(floe_status_name(FLOE_ECONFLICT), "commit conflict");
}
END_TEST

static int check_return_if(int value, floe_error *err)
{
    FLOE_RETURN_IF(value < 0, FLOE_ERANGE, err, "value %d is negative", value);
    return FLOE_OK;
}

static int check_try(int value, floe_error *err)
{
    FLOE_TRY(check_return_if(value, err));
    return 42;
}

START_TEST(error_macros_return_early)
{
    floe_error err;
    floe_error_clear(&err);
    ck_assert_int_eq(check_try(1, &err), 42);
    ck_assert_int_eq(check_try(-5, &err), FLOE_ERANGE);
    ck_assert_str_eq(err.message, "value -5 is negative");
}
END_TEST

START_TEST(message_truncates_without_overflow)
{
    floe_error err;
    char long_text[3000];
    memset(long_text, 'a', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    floe_error_set(&err, FLOE_EINVAL, "%s", long_text);
    ck_assert_uint_eq(strlen(err.message), FLOE_ERROR_MESSAGE_SIZE - 1);
    floe_error_prefix(&err, "%s", long_text);
    ck_assert_uint_eq(strlen(err.message), FLOE_ERROR_MESSAGE_SIZE - 1);
}
END_TEST

START_TEST(arena_aligns_grows_and_resets)
{
    floe_arena arena;
    floe_arena_init(&arena, 128, 0);
    void *small = floe_arena_alloc(&arena, 3);
    ck_assert_ptr_nonnull(small);
    ck_assert_uint_eq((uintptr_t)small % 16, 0);
    void *aligned = floe_arena_alloc_aligned(&arena, 10, 64);
    ck_assert_uint_eq((uintptr_t)aligned % 64, 0);
    /* Larger than any block so far: a new block sized to fit. */
    unsigned char *big = floe_arena_alloc(&arena, 100000);
    ck_assert_ptr_nonnull(big);
    memset(big, 0xab, 100000);
    char *copy = floe_arena_strndup(&arena, "hello world", 5);
    ck_assert_str_eq(copy, "hello");
    size_t reserved_before_reset = arena.bytes_reserved;
    floe_arena_reset(&arena);
    ck_assert_uint_lt(arena.bytes_reserved, reserved_before_reset);
    unsigned char *zero = floe_arena_alloc_zero(&arena, 64);
    for (int i = 0; i < 64; i++) ck_assert_uint_eq(zero[i], 0);
    ck_assert_ptr_null(floe_arena_alloc_aligned(&arena, 8, 3)); /* not a power of two */
    floe_arena_fini(&arena);
    ck_assert_uint_eq(arena.bytes_reserved, 0);
}
END_TEST

START_TEST(arena_limit_refuses_runaway_growth)
{
    floe_arena arena;
    floe_arena_init(&arena, 1024, 64 * 1024);
    int allocations = 0;
    while (floe_arena_alloc(&arena, 1000) != NULL) allocations++;
    ck_assert_int_gt(allocations, 10);
    ck_assert_uint_le(arena.bytes_reserved, 64 * 1024);
    floe_arena_fini(&arena);
}
END_TEST

START_TEST(arena_survives_allocation_failure)
{
    floe_arena arena;
    floe_arena_init(&arena, 256, 0);
    floe_set_allocation_failure_after(0);
    ck_assert_ptr_null(floe_arena_alloc(&arena, 10));
    floe_set_allocation_failure_after(-1);
    ck_assert_ptr_nonnull(floe_arena_alloc(&arena, 10));
    floe_arena_fini(&arena);
}
END_TEST

START_TEST(type_widths_and_names)
{
    char name[32];
    ck_assert_uint_eq(floe_type_width(floe_type_make(FLOE_TYPE_BOOLEAN)), 1);
    ck_assert_uint_eq(floe_type_width(floe_type_make(FLOE_TYPE_DATE)), 4);
    ck_assert_uint_eq(floe_type_width(floe_type_make(FLOE_TYPE_TIMESTAMPTZ)), 8);
    ck_assert_uint_eq(floe_type_width(floe_type_decimal(18, 2)), 8);
    ck_assert_uint_eq(floe_type_width(floe_type_decimal(19, 2)), 16);
    ck_assert_uint_eq(floe_type_width(floe_type_make(FLOE_TYPE_STRING)), sizeof(floe_string_ref));
    ck_assert_str_eq(floe_type_format(floe_type_decimal(12, 2), name, sizeof name),
                     "DECIMAL(12,2)");
    ck_assert_str_eq(floe_type_format(floe_type_make(FLOE_TYPE_INT64), name, sizeof name),
                     "BIGINT");
    ck_assert(!floe_type_is_valid(floe_type_decimal(39, 0)));
    ck_assert(!floe_type_is_valid(floe_type_decimal(5, 6)));
    ck_assert(!floe_type_is_valid(floe_type_make(FLOE_TYPE_INVALID)));
    ck_assert(floe_type_equal(floe_type_decimal(10, 2), floe_type_decimal(10, 2)));
    ck_assert(!floe_type_equal(floe_type_decimal(10, 2), floe_type_decimal(10, 3)));
}
END_TEST

START_TEST(vector_validity_and_strings)
{
    floe_vector vector;
    floe_error err;
    ck_assert_int_eq(floe_vector_init(&vector, floe_type_make(FLOE_TYPE_STRING), 300, &err),
                     FLOE_OK);
    ck_assert_uint_eq((uintptr_t)vector.data % 64, 0);
    ck_assert_ptr_null(vector.validity);
    ck_assert_uint_eq(floe_vector_count_nulls(&vector, 300), 0);
    char text[64];
    for (uint32_t row = 0; row < 300; row++) {
        int length = snprintf(text, sizeof text, "value-%u", row);
        ck_assert_int_eq(floe_vector_set_string(&vector, row, text, (uint32_t)length, &err),
                         FLOE_OK);
    }
    floe_vector_set_null(&vector, 0);
    floe_vector_set_null(&vector, 63);
    floe_vector_set_null(&vector, 64);
    floe_vector_set_null(&vector, 299);
    floe_vector_set_valid(&vector, 63);
    ck_assert(floe_vector_is_null(&vector, 0));
    ck_assert(!floe_vector_is_null(&vector, 63));
    ck_assert(floe_vector_is_null(&vector, 64));
    ck_assert_uint_eq(floe_vector_count_nulls(&vector, 300), 3);
    ck_assert_uint_eq(floe_vector_count_nulls(&vector, 64), 1);
    uint32_t length;
    const unsigned char *bytes = floe_vector_string(&vector, 257, &length);
    ck_assert_uint_eq(length, 9);
    ck_assert_int_eq(memcmp(bytes, "value-257", 9), 0);
    floe_vector_reset(&vector);
    ck_assert_ptr_null(vector.validity);
    ck_assert_uint_eq(vector.heap_size, 0);
    floe_vector_fini(&vector);
}
END_TEST

START_TEST(dictionary_vector_resolves_codes)
{
    floe_vector dictionary, codes;
    ck_assert_int_eq(floe_vector_init(&dictionary, floe_type_make(FLOE_TYPE_STRING), 3, NULL), 0);
    ck_assert_int_eq(floe_vector_init(&codes, floe_type_make(FLOE_TYPE_STRING), 5, NULL), 0);
    const char *words[] = {"east", "west", "north"};
    for (uint32_t i = 0; i < 3; i++) {
        ck_assert_int_eq(floe_vector_set_string(&dictionary, i, words[i],
                                                (uint32_t)strlen(words[i]), NULL), 0);
    }
    codes.encoding = FLOE_VECTOR_DICTIONARY;
    codes.dictionary = &dictionary;
    uint32_t code_values[] = {2, 0, 0, 1, 2};
    memcpy(codes.data, code_values, sizeof code_values);
    uint32_t length;
    const unsigned char *bytes = floe_vector_string(&codes, 0, &length);
    ck_assert_int_eq(memcmp(bytes, "north", length), 0);
    bytes = floe_vector_string(&codes, 3, &length);
    ck_assert_int_eq(memcmp(bytes, "west", length), 0);
    floe_vector_fini(&codes);
    floe_vector_fini(&dictionary);
}
END_TEST

/* Strings that are all empty still leave a heap behind, so `heap + offset` is never arithmetic
 * on NULL (UBSan's "applying zero offset to null pointer", found by fuzz_parquet_file). */
START_TEST(empty_strings_have_a_heap)
{
    floe_vector vector;
    ck_assert_int_eq(floe_vector_init(&vector, floe_type_make(FLOE_TYPE_STRING), 3, NULL), 0);
    for (uint32_t row = 0; row < 3; row++)
        ck_assert_int_eq(floe_vector_set_string(&vector, row, "", 0, NULL), FLOE_OK);
    ck_assert_ptr_nonnull(vector.heap);
    uint32_t length = 7;
    ck_assert_ptr_nonnull(floe_vector_string(&vector, 2, &length));
    ck_assert_uint_eq(length, 0);
    /* A view with no heap at all, as a decoder may hand out for empty values. */
    vector.heap = NULL;
    ck_assert_ptr_nonnull(floe_vector_string(&vector, 1, &length));
    ck_assert_uint_eq(length, 0);
    vector.heap = vector.heap_storage;
    floe_vector_fini(&vector);
}
END_TEST

START_TEST(batch_selection_and_weights)
{
    floe_type types[] = {floe_type_make(FLOE_TYPE_INT64), floe_type_decimal(30, 4)};
    floe_batch batch;
    ck_assert_int_eq(floe_batch_init(&batch, 2, types, NULL), FLOE_OK);
    int64_t *keys = batch.columns[0].data;
    for (uint32_t i = 0; i < FLOE_BATCH_CAPACITY; i++) keys[i] = i * 10;
    batch.row_count = FLOE_BATCH_CAPACITY;
    ck_assert_uint_eq(floe_batch_live_count(&batch), FLOE_BATCH_CAPACITY);
    ck_assert_int_eq(floe_batch_weight(&batch, 7), 1);
    batch.selection_storage[0] = 5;
    batch.selection_storage[1] = 2047;
    batch.selection = batch.selection_storage;
    batch.selected_count = 2;
    ck_assert_uint_eq(floe_batch_live_count(&batch), 2);
    ck_assert_int_eq(keys[floe_batch_live_row(&batch, 1)], 20470);
    floe_batch_prepare_weights(&batch, -1);
    ck_assert_int_eq(floe_batch_weight(&batch, 2047), -1);
    floe_int128 *wide = batch.columns[1].data;
    wide[0] = (floe_int128)INT64_MAX * 1000;
    ck_assert(wide[0] / 1000 == INT64_MAX);
    floe_batch_reset(&batch);
    ck_assert_uint_eq(batch.row_count, 0);
    ck_assert_ptr_null(batch.selection);
    ck_assert_ptr_null(batch.weights);
    floe_batch_fini(&batch);
}
END_TEST

START_TEST(batch_init_fails_cleanly_at_every_allocation)
{
    floe_type types[] = {floe_type_make(FLOE_TYPE_STRING), floe_type_make(FLOE_TYPE_INT32),
                         floe_type_make(FLOE_TYPE_FLOAT64)};
    /* Fail the 1st, 2nd, ... allocation in turn: each must report FLOE_ENOMEM and leak nothing
     * (the sanitizer build's leak checker sees any leak). */
    int failures_seen = 0;
    for (long fail_at = 0; fail_at < 64; fail_at++) {
        floe_batch batch;
        floe_error err;
        floe_set_allocation_failure_after(fail_at);
        int status = floe_batch_init(&batch, 3, types, &err);
        floe_set_allocation_failure_after(-1);
        if (status == FLOE_OK) {
            floe_batch_fini(&batch);
            break;
        }
        ck_assert_int_eq(status, FLOE_ENOMEM);
        ck_assert(strstr(err.message, "out of memory") != NULL);
        failures_seen++;
    }
    ck_assert_int_ge(failures_seen, 5);
}
END_TEST

START_TEST(vector_rejects_invalid_type)
{
    floe_vector vector;
    floe_error err;
    ck_assert_int_eq(floe_vector_init(&vector, floe_type_decimal(40, 1), 10, &err), FLOE_EINVAL);
    ck_assert(strstr(err.message, "invalid column type") != NULL);
    floe_vector_fini(&vector);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("core");
    TCase *errors = tcase_create("errors");
    tcase_add_test(errors, error_messages_nest_outermost_first);
    tcase_add_test(errors, error_macros_return_early);
    tcase_add_test(errors, message_truncates_without_overflow);
    suite_add_tcase(suite, errors);
    TCase *memory = tcase_create("memory");
    tcase_add_test(memory, arena_aligns_grows_and_resets);
    tcase_add_test(memory, arena_limit_refuses_runaway_growth);
    tcase_add_test(memory, arena_survives_allocation_failure);
    suite_add_tcase(suite, memory);
    TCase *columns = tcase_create("columns");
    tcase_add_test(columns, type_widths_and_names);
    tcase_add_test(columns, vector_validity_and_strings);
    tcase_add_test(columns, dictionary_vector_resolves_codes);
    tcase_add_test(columns, empty_strings_have_a_heap);
    tcase_add_test(columns, batch_selection_and_weights);
    tcase_add_test(columns, batch_init_fails_cleanly_at_every_allocation);
    tcase_add_test(columns, vector_rejects_invalid_type);
    suite_add_tcase(suite, columns);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
