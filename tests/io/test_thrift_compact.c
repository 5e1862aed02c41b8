/*
 * Description: the Thrift compact protocol reader — varints, zigzag, binary, field headers with
 * deltas and long ids, bools in headers and lists, lists (short and long form), maps, doubles,
 * nested structs, skipping every type — and every malformed form: truncation, over-long varints,
 * out-of-range values, negative/huge lengths, counts larger than the bytes left, nesting bombs,
 * unknown type codes. Byte sequences are written by hand from the specification
 * (apache/thrift doc/specs/thrift-compact-protocol.md).
 */
#include "io/thrift_compact.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define READER(name, ...)                                      \
    static const uint8_t name##_bytes[] = {__VA_ARGS__};       \
    floe_thrift_reader name;                                   \
    floe_thrift_reader_init(&name, name##_bytes, sizeof name##_bytes, 1000)

START_TEST(varint_example_from_the_specification)
{
    READER(reader, 0xDF, 0x89, 0x03);
    uint64_t value = 0;
    ck_assert_int_eq(floe_thrift_read_varint(&reader, &value, NULL), FLOE_OK);
    ck_assert_uint_eq(value, 50399);
    ck_assert_uint_eq(reader.position, 3);
}
END_TEST

START_TEST(zigzag_maps_small_numbers_to_signed)
{
    /* 0, 1, 2, 3, 4 on the wire are 0, -1, 1, -2, 2. */
    READER(reader, 0, 1, 2, 3, 4);
    const int32_t expected[] = {0, -1, 1, -2, 2};
    for (int i = 0; i < 5; i++) {
        int32_t value;
        ck_assert_int_eq(floe_thrift_read_i32(&reader, &value, NULL), FLOE_OK);
        ck_assert_int_eq(value, expected[i]);
    }
    /* INT64_MIN is zigzag 2^64-1: ten bytes 0xff x9, 0x01. */
    READER(extreme, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
    int64_t wide;
    ck_assert_int_eq(floe_thrift_read_i64(&extreme, &wide, NULL), FLOE_OK);
    ck_assert(wide == INT64_MIN);
}
END_TEST

START_TEST(malformed_varints_fail_with_offsets)
{
    floe_error err;
    uint64_t value;
    READER(truncated, 0x80, 0x80);
    ck_assert_int_eq(floe_thrift_read_varint(&truncated, &value, &err), FLOE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "truncated varint at byte 1000"));
    READER(too_long, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x81, 0x00);
    ck_assert_int_eq(floe_thrift_read_varint(&too_long, &value, &err), FLOE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "longer than 10 bytes"));
    READER(overflow, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02);
    ck_assert_int_eq(floe_thrift_read_varint(&overflow, &value, &err), FLOE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "overflows 64 bits"));
    /* 2^32 as zigzag is out of range for an i32 (and 70000 for an i16). */
    READER(big, 0x80, 0x80, 0x80, 0x80, 0x20);
    int32_t narrow;
    ck_assert_int_eq(floe_thrift_read_i32(&big, &narrow, &err), FLOE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "i32 at byte 1000 out of range"));
    READER(big16, 0xE0, 0xA2, 0x08); /* zigzag(70000) = 140000 */
    int16_t small;
    ck_assert_int_eq(floe_thrift_read_i16(&big16, &small, &err), FLOE_ECORRUPT);
    floe_thrift_reader empty;
    floe_thrift_reader_init(&empty, NULL, 0, 0);
    int8_t tiny;
    ck_assert_int_eq(floe_thrift_read_i8(&empty, &tiny, &err), FLOE_ECORRUPT);
}
END_TEST

START_TEST(binary_views_and_bad_lengths)
{
    floe_error err;
    READER(reader, 3, 'a', 'b', 'c', 0);
    const uint8_t *bytes;
    size_t length;
    ck_assert_int_eq(floe_thrift_read_binary(&reader, &bytes, &length, NULL), FLOE_OK);
    ck_assert_uint_eq(length, 3);
    ck_assert(memcmp(bytes, "abc", 3) == 0);
    ck_assert_ptr_eq(bytes, reader_bytes + 1); /* a view, not a copy */
    ck_assert_int_eq(floe_thrift_read_binary(&reader, &bytes, &length, NULL), FLOE_OK);
    ck_assert_uint_eq(length, 0);
    /* Length past the end. */
    READER(past, 5, 'a', 'b');
    ck_assert_int_eq(floe_thrift_read_binary(&past, &bytes, &length, &err), FLOE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "runs past the end"));
    /* A "negative" i32 length (varint of 0xffffffff). */
    READER(negative, 0xff, 0xff, 0xff, 0xff, 0x0f, 'x');
    ck_assert_int_eq(floe_thrift_read_binary(&negative, &bytes, &length, &err), FLOE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "negative or huge"));
    /* A huge 64-bit length. */
    READER(huge, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f);
    ck_assert_int_eq(floe_thrift_read_binary(&huge, &bytes, &length, &err), FLOE_ECORRUPT);
}
END_TEST

START_TEST(double_is_little_endian)
{
    READER(reader, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F, 1, 2);
    double value;
    ck_assert_int_eq(floe_thrift_read_double(&reader, &value, NULL), FLOE_OK);
    ck_assert(value == 1.5);
    ck_assert_int_eq(floe_thrift_read_double(&reader, &value, NULL), FLOE_ECORRUPT);
}
END_TEST

START_TEST(field_headers_deltas_long_ids_and_bools)
{
    /* field 1 i32 = 5 (zigzag 10); field 3 bool true; field 4 bool false; long form field 300
     * i64 = -1; then field 301 (delta 1) binary "x"; stop. */
    READER(reader, 0x15, 10, 0x21, 0x12, 0x06, 0xD8, 0x04, 0x01, 0x18, 1, 'x', 0x00);
    int16_t last_id = 0;
    floe_thrift_field field;
    ck_assert_int_eq(floe_thrift_struct_begin(&reader, NULL), FLOE_OK);
    ck_assert_int_eq(floe_thrift_read_field_header(&reader, &last_id, &field, NULL), FLOE_OK);
    ck_assert_int_eq(field.id, 1);
    ck_assert_int_eq(field.type, FLOE_THRIFT_I32);
    int64_t value;
    ck_assert_int_eq(floe_thrift_read_integer(&reader, field.type, &value, NULL), FLOE_OK);
    ck_assert_int_eq(value, 5);
    ck_assert_int_eq(floe_thrift_read_field_header(&reader, &last_id, &field, NULL), FLOE_OK);
    ck_assert_int_eq(field.id, 3);
    ck_assert(field.bool_value);
    ck_assert_int_eq(floe_thrift_read_field_header(&reader, &last_id, &field, NULL), FLOE_OK);
    ck_assert_int_eq(field.id, 4);
    ck_assert(!field.bool_value);
    ck_assert_int_eq(field.type, FLOE_THRIFT_BOOL_FALSE);
    ck_assert_int_eq(floe_thrift_read_field_header(&reader, &last_id, &field, NULL), FLOE_OK);
    ck_assert_int_eq(field.id, 300);
    ck_assert_int_eq(field.type, FLOE_THRIFT_I64);
    ck_assert_int_eq(floe_thrift_read_integer(&reader, field.type, &value, NULL), FLOE_OK);
    ck_assert_int_eq(value, -1);
    ck_assert_int_eq(floe_thrift_read_field_header(&reader, &last_id, &field, NULL), FLOE_OK);
    ck_assert_int_eq(field.id, 301);
    ck_assert_int_eq(floe_thrift_skip(&reader, field.type, NULL), FLOE_OK);
    ck_assert_int_eq(floe_thrift_read_field_header(&reader, &last_id, &field, NULL), FLOE_OK);
    ck_assert_int_eq(field.type, FLOE_THRIFT_STOP);
    floe_thrift_struct_end(&reader);
    ck_assert_int_eq(reader.depth, 0);
    ck_assert_uint_eq(floe_thrift_remaining(&reader), 0);
}
END_TEST

START_TEST(bad_field_headers)
{
    floe_error err;
    int16_t last_id = 0;
    floe_thrift_field field;
    READER(unknown, 0x1E); /* type 14 does not exist */
    ck_assert_int_eq(floe_thrift_read_field_header(&unknown, &last_id, &field, &err),
                     FLOE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "unknown field type 14 at byte 1000"));
    READER(no_stop, 0x15, 2);
    ck_assert_int_eq(floe_thrift_skip(&no_stop, FLOE_THRIFT_STRUCT, &err), FLOE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "truncated"));
    /* Long-form id that is not an i16. */
    READER(long_id, 0x05, 0xff, 0xff, 0x0f, 0);
    ck_assert_int_eq(floe_thrift_read_field_header(&long_id, &last_id, &field, &err),
                     FLOE_ECORRUPT);
    /* Deltas that push the id past INT16_MAX. */
    last_id = INT16_MAX - 2;
    READER(overflow, 0xF5, 0);
    ck_assert_int_eq(floe_thrift_read_field_header(&overflow, &last_id, &field, &err),
                     FLOE_ECORRUPT);
    /* Integer reads of a non-integer type. */
    int64_t value;
    READER(some, 1);
    ck_assert_int_eq(floe_thrift_read_integer(&some, FLOE_THRIFT_BINARY, &value, &err),
                     FLOE_ECORRUPT);
}
END_TEST

START_TEST(lists_short_and_long_form)
{
    /* short: 3 x i32 (1, 2, 3); long: 15 x i8; bools: 1 (true) 0 and 2 (false). */
    uint8_t bytes[64];
    size_t n = 0;
    bytes[n++] = 0x35;
    bytes[n++] = 2;
    bytes[n++] = 4;
    bytes[n++] = 6;
    bytes[n++] = 0xF3;
    bytes[n++] = 15;
    for (int i = 0; i < 15; i++) bytes[n++] = (uint8_t)i;
    bytes[n++] = 0x31; /* element type 1: bool written by the Java library */
    bytes[n++] = 1;
    bytes[n++] = 0;
    bytes[n++] = 2;
    floe_thrift_reader reader;
    floe_thrift_reader_init(&reader, bytes, n, 0);
    uint8_t type;
    uint32_t count;
    ck_assert_int_eq(floe_thrift_read_list_header(&reader, &type, &count, NULL), FLOE_OK);
    ck_assert_int_eq(type, FLOE_THRIFT_I32);
    ck_assert_uint_eq(count, 3);
    for (int32_t i = 1; i <= 3; i++) {
        int32_t value;
        ck_assert_int_eq(floe_thrift_read_i32(&reader, &value, NULL), FLOE_OK);
        ck_assert_int_eq(value, i);
    }
    ck_assert_int_eq(floe_thrift_read_list_header(&reader, &type, &count, NULL), FLOE_OK);
    ck_assert_int_eq(type, FLOE_THRIFT_I8);
    ck_assert_uint_eq(count, 15);
    for (uint32_t i = 0; i < count; i++) {
        int8_t value;
        ck_assert_int_eq(floe_thrift_read_i8(&reader, &value, NULL), FLOE_OK);
        ck_assert_int_eq(value, (int)i);
    }
    ck_assert_int_eq(floe_thrift_read_list_header(&reader, &type, &count, NULL), FLOE_OK);
    ck_assert_uint_eq(count, 3);
    bool flag;
    ck_assert_int_eq(floe_thrift_read_bool_element(&reader, &flag, NULL), FLOE_OK);
    ck_assert(flag);
    ck_assert_int_eq(floe_thrift_read_bool_element(&reader, &flag, NULL), FLOE_OK);
    ck_assert(!flag);
    ck_assert_int_eq(floe_thrift_read_bool_element(&reader, &flag, NULL), FLOE_OK);
    ck_assert(!flag);
    ck_assert_uint_eq(floe_thrift_remaining(&reader), 0);
    /* The whole sequence can also be skipped as three lists. */
    floe_thrift_reader_init(&reader, bytes, n, 0);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(floe_thrift_skip(&reader, FLOE_THRIFT_LIST, NULL), FLOE_OK);
    }
    ck_assert_uint_eq(floe_thrift_remaining(&reader), 0);
}
END_TEST

START_TEST(bad_lists_and_maps)
{
    floe_error err;
    uint8_t type, key_type, value_type;
    uint32_t count;
    /* 4 elements claimed, 2 bytes left. */
    READER(short_list, 0x45, 2, 4);
    ck_assert_int_eq(floe_thrift_read_list_header(&short_list, &type, &count, &err),
                     FLOE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "cannot fit"));
    /* Long form claiming 2^31-1 elements in 1 byte: refused before any allocation. */
    READER(huge_list, 0xFC, 0xff, 0xff, 0xff, 0xff, 0x07, 0);
    ck_assert_int_eq(floe_thrift_read_list_header(&huge_list, &type, &count, &err),
                     FLOE_ECORRUPT);
    READER(negative_list, 0xFC, 0xff, 0xff, 0xff, 0xff, 0x0f, 0);
    ck_assert_int_eq(floe_thrift_read_list_header(&negative_list, &type, &count, &err),
                     FLOE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "negative or huge"));
    READER(bad_element, 0x1E, 0);
    ck_assert_int_eq(floe_thrift_read_list_header(&bad_element, &type, &count, &err),
                     FLOE_ECORRUPT);
    READER(stop_element, 0x10, 0);
    ck_assert_int_eq(floe_thrift_read_list_header(&stop_element, &type, &count, &err),
                     FLOE_ECORRUPT);
    READER(bad_bool, 0x12, 7);
    ck_assert_int_eq(floe_thrift_skip(&bad_bool, FLOE_THRIFT_LIST, &err), FLOE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "bad bool byte"));
    /* Maps: empty, one i32 -> binary entry, and a count larger than the bytes left. */
    READER(maps, 0x00, 0x01, 0x58, 4, 1, 'z', 0x05, 0x58, 2);
    ck_assert_int_eq(floe_thrift_read_map_header(&maps, &key_type, &value_type, &count, NULL),
                     FLOE_OK);
    ck_assert_uint_eq(count, 0);
    ck_assert_int_eq(floe_thrift_read_map_header(&maps, &key_type, &value_type, &count, NULL),
                     FLOE_OK);
    ck_assert_uint_eq(count, 1);
    ck_assert_int_eq(key_type, FLOE_THRIFT_I32);
    ck_assert_int_eq(value_type, FLOE_THRIFT_BINARY);
    maps.position = 1;
    ck_assert_int_eq(floe_thrift_skip(&maps, FLOE_THRIFT_MAP, NULL), FLOE_OK);
    ck_assert_int_eq(floe_thrift_skip(&maps, FLOE_THRIFT_MAP, &err), FLOE_ECORRUPT);
    READER(bad_map_types, 0x01, 0xE5, 0, 0);
    ck_assert_int_eq(floe_thrift_read_map_header(&bad_map_types, &key_type, &value_type, &count,
                                                 &err),
                     FLOE_ECORRUPT);
    READER(map_no_types, 0x01);
    ck_assert_int_eq(floe_thrift_read_map_header(&map_no_types, &key_type, &value_type, &count,
                                                 &err),
                     FLOE_ECORRUPT);
}
END_TEST

START_TEST(skip_every_type)
{
    /* A struct holding one field of every type, then a trailing marker byte. */
    static const uint8_t bytes[] = {
        0x11,                                     /* 1: bool true */
        0x13, 0x7f,                               /* 2: i8 */
        0x14, 0x03,                               /* 3: i16 */
        0x15, 0x80, 0x01,                         /* 4: i32 */
        0x16, 0x02,                               /* 5: i64 */
        0x17, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f,       /* 6: double */
        0x18, 2, 'h', 'i',                        /* 7: binary */
        0x19, 0x18, 1, 2,                         /* 8: list<binary>: one value, "\x02" */
        0x1A, 0x15, 6,                            /* 9: set<i32> */
        0x1B, 0x01, 0x88, 0, 0,                   /* 10: map<binary,binary> one entry */
        0x1C, 0x11, 0x00,                         /* 11: struct { bool } */
        0x1D, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, /* 12: uuid */
        0x00, 0xAB};
    floe_thrift_reader reader;
    floe_error err;
    floe_thrift_reader_init(&reader, bytes, sizeof bytes, 0);
    ck_assert_int_eq(floe_thrift_skip(&reader, FLOE_THRIFT_STRUCT, &err), FLOE_OK);
    ck_assert_uint_eq(reader.position, sizeof bytes - 1);
    ck_assert_int_eq(bytes[reader.position], 0xAB);
    ck_assert_int_eq(reader.depth, 0);
    /* Unknown type codes cannot be skipped. */
    ck_assert_int_eq(floe_thrift_skip(&reader, 14, &err), FLOE_ECORRUPT);
    ck_assert_int_eq(floe_thrift_skip(&reader, FLOE_THRIFT_STOP, &err), FLOE_ECORRUPT);
    /* Every prefix of the struct fails cleanly. */
    for (size_t cut = 0; cut < sizeof bytes - 1; cut++) {
        floe_thrift_reader_init(&reader, bytes, cut, 0);
        ck_assert_int_eq(floe_thrift_skip(&reader, FLOE_THRIFT_STRUCT, &err), FLOE_ECORRUPT);
    }
}
END_TEST

START_TEST(nesting_bombs_are_refused)
{
    /* 100000 nested structs (field 1 of type struct, over and over). */
    enum { depth = 100000 };
    uint8_t *bytes = malloc(depth);
    ck_assert_ptr_nonnull(bytes);
    memset(bytes, 0x1C, depth);
    floe_thrift_reader reader;
    floe_error err;
    floe_thrift_reader_init(&reader, bytes, depth, 0);
    ck_assert_int_eq(floe_thrift_skip(&reader, FLOE_THRIFT_STRUCT, &err), FLOE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "nesting deeper than 64"));
    /* Lists of lists: 0x19 (list of 1 list) repeated. */
    memset(bytes, 0x19, depth);
    floe_thrift_reader_init(&reader, bytes, depth, 0);
    ck_assert_int_eq(floe_thrift_skip(&reader, FLOE_THRIFT_LIST, &err), FLOE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "nesting deeper than 64"));
    /* Exactly at the limit is fine: 63 nested structs inside the outer one, then stops. */
    size_t n = 0;
    for (int i = 0; i < FLOE_THRIFT_MAX_DEPTH - 1; i++) bytes[n++] = 0x1C;
    for (int i = 0; i < FLOE_THRIFT_MAX_DEPTH; i++) bytes[n++] = 0x00;
    floe_thrift_reader_init(&reader, bytes, n, 0);
    ck_assert_int_eq(floe_thrift_skip(&reader, FLOE_THRIFT_STRUCT, &err), FLOE_OK);
    ck_assert_uint_eq(reader.position, n);
    free(bytes);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("thrift_compact");
    TCase *primitives = tcase_create("primitives");
    tcase_add_test(primitives, varint_example_from_the_specification);
    tcase_add_test(primitives, zigzag_maps_small_numbers_to_signed);
    tcase_add_test(primitives, malformed_varints_fail_with_offsets);
    tcase_add_test(primitives, binary_views_and_bad_lengths);
    tcase_add_test(primitives, double_is_little_endian);
    suite_add_tcase(suite, primitives);
    TCase *structure = tcase_create("structure");
    tcase_add_test(structure, field_headers_deltas_long_ids_and_bools);
    tcase_add_test(structure, bad_field_headers);
    tcase_add_test(structure, lists_short_and_long_form);
    tcase_add_test(structure, bad_lists_and_maps);
    tcase_add_test(structure, skip_every_type);
    tcase_add_test(structure, nesting_bombs_are_refused);
    suite_add_tcase(suite, structure);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
