/*
 * Description: bit-unpacking (kernels/bitunpack.h). The scalar reference against a bit-by-bit
 * oracle written from Parquet's Encodings.md and the spec's own worked example, then every
 * variant this build and CPU can run (floe_k_dispatch_for) against the scalar one: every width
 * 0..32, counts around the 8-value group size, random and all-ones data, src ending exactly at a
 * PROT_NONE guard page (any read past floe_k_unpack32_bytes faults), unaligned src and dst, and
 * no write past dst[count).
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include "kernels/bitunpack.h"
#include "kernels/dispatch.h"
#include "kernels/status.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const size_t test_counts[] = {0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 64, 127, 1000, 2048 + 5};

static uint64_t rng_state = 0x853c49e6748fea9bull;

static uint32_t next_random(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 32);
}

/* The definition, bit by bit: bit j of value i is stream bit i*w + j, which is bit (k % 8) of
 * byte k / 8. */
static uint32_t oracle_value(const uint8_t *src, size_t i, unsigned width)
{
    uint32_t value = 0;
    for (unsigned j = 0; j < width; j++) {
        size_t k = i * width + j;
        value |= (uint32_t)((src[k / 8] >> (k % 8)) & 1) << j;
    }
    return value;
}

/* A buffer whose last `size` bytes end exactly where a PROT_NONE page begins. */
typedef struct guarded {
    uint8_t *mapping;
    size_t mapping_size;
    uint8_t *bytes; /* the caller's `size` bytes */
} guarded;

static void guarded_init(guarded *g, size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t data_pages = (size + page - 1) / page + 1;
    g->mapping_size = (data_pages + 1) * page;
    void *mapping = mmap(NULL, g->mapping_size, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(mapping, MAP_FAILED);
    g->mapping = mapping;
    ck_assert_int_eq(mprotect(g->mapping + data_pages * page, page, PROT_NONE), 0);
    g->bytes = g->mapping + data_pages * page - size;
}

static void guarded_fini(guarded *g)
{
    munmap(g->mapping, g->mapping_size);
}

START_TEST(parquet_spec_example)
{
    /* Encodings.md: values 0..7 with bit width 3 pack to 10001000 11000110 11111010. */
    const uint8_t packed[3] = {0x88, 0xC6, 0xFA};
    uint32_t values[8];
    ck_assert_int_eq(floe_k_unpack32_scalar(values, packed, sizeof packed, 8, 3), FLOE_OK);
    for (uint32_t i = 0; i < 8; i++) ck_assert_uint_eq(values[i], i);
    for (int isa = 0; isa < FLOE_K_ISA_COUNT; isa++) {
        const floe_k_dispatch *table;
        if (floe_k_dispatch_for((floe_k_isa)isa, &table) != FLOE_OK) continue;
        memset(values, 0xAB, sizeof values);
        ck_assert_int_eq(table->unpack32(values, packed, sizeof packed, 8, 3), FLOE_OK);
        for (uint32_t i = 0; i < 8; i++) ck_assert_uint_eq(values[i], i);
    }
    /* And through the dispatched entry point. */
    memset(values, 0, sizeof values);
    ck_assert_int_eq(floe_k_unpack32(values, packed, sizeof packed, 8, 3), FLOE_OK);
    for (uint32_t i = 0; i < 8; i++) ck_assert_uint_eq(values[i], i);
}
END_TEST

START_TEST(scalar_matches_oracle)
{
    enum { COUNT = 300 };
    uint8_t src[COUNT * 4 + 8];
    uint32_t dst[COUNT];
    for (unsigned width = 0; width <= 32; width++) {
        for (size_t c = 0; c < sizeof test_counts / sizeof test_counts[0]; c++) {
            size_t count = test_counts[c] > COUNT ? COUNT : test_counts[c];
            size_t size = floe_k_unpack32_bytes(count, width);
            for (size_t b = 0; b < size; b++) src[b] = (uint8_t)next_random();
            ck_assert_int_eq(floe_k_unpack32_scalar(dst, src, size, count, width), FLOE_OK);
            for (size_t i = 0; i < count; i++)
                ck_assert_msg(dst[i] == oracle_value(src, i, width),
                              "width %u count %zu value %zu: %u, oracle %u", width, count, i,
                              dst[i], oracle_value(src, i, width));
        }
    }
}
END_TEST

/* Runs one variant on data placed at the end of a guarded buffer, dst offset by
 * `dst_offset` values from a 64-byte boundary; compares with the scalar reference. */
static void check_variant(const floe_k_dispatch *table, unsigned width, size_t count,
                          size_t dst_offset, int all_ones)
{
    size_t size = floe_k_unpack32_bytes(count, width);
    guarded src;
    guarded_init(&src, size);
    for (size_t b = 0; b < size; b++) src.bytes[b] = all_ones ? 0xFF : (uint8_t)next_random();

    uint32_t *expected = malloc((count + 1) * sizeof *expected);
    size_t storage_size = ((count + dst_offset + 1) * sizeof(uint32_t) + 63) / 64 * 64;
    uint32_t *storage = aligned_alloc(64, storage_size);
    ck_assert(expected != NULL && storage != NULL);
    uint32_t *dst = storage + dst_offset;
    ck_assert_int_eq(floe_k_unpack32_scalar(expected, src.bytes, size, count, width), FLOE_OK);
    for (size_t i = 0; i < count + 1; i++) dst[i] = 0xDEADBEEFu;
    ck_assert_int_eq(table->unpack32(dst, src.bytes, size, count, width), FLOE_OK);
    for (size_t i = 0; i < count; i++)
        ck_assert_msg(dst[i] == expected[i], "%s: width %u count %zu value %zu: %u, expected %u",
                      table->name, width, count, i, dst[i], expected[i]);
    ck_assert_msg(dst[count] == 0xDEADBEEFu, "%s: width %u count %zu wrote past the end",
                  table->name, width, count);
    if (all_ones && width > 0)
        for (size_t i = 0; i < count; i++)
            ck_assert_uint_eq(dst[i], width == 32 ? 0xFFFFFFFFu : (1u << width) - 1);
    free(expected);
    free(storage);
    guarded_fini(&src);
}

START_TEST(every_variant_matches_scalar)
{
    int variants = 0;
    for (int isa = 0; isa < FLOE_K_ISA_COUNT; isa++) {
        const floe_k_dispatch *table;
        if (floe_k_dispatch_for((floe_k_isa)isa, &table) != FLOE_OK) continue;
        variants++;
        for (unsigned width = 0; width <= 32; width++)
            for (size_t c = 0; c < sizeof test_counts / sizeof test_counts[0]; c++) {
                check_variant(table, width, test_counts[c], c % 3, 0);
                if (c % 4 == 0) check_variant(table, width, test_counts[c], 1, 1);
            }
    }
    ck_assert_int_ge(variants, 1);
}
END_TEST

START_TEST(unaligned_src_in_the_middle)
{
    /* A stream starting at every byte offset of a larger buffer (src not at a page end). */
    enum { COUNT = 203 };
    uint8_t buffer[COUNT * 4 + 64];
    uint32_t expected[COUNT], actual[COUNT];
    for (size_t b = 0; b < sizeof buffer; b++) buffer[b] = (uint8_t)next_random();
    for (int isa = 0; isa < FLOE_K_ISA_COUNT; isa++) {
        const floe_k_dispatch *table;
        if (floe_k_dispatch_for((floe_k_isa)isa, &table) != FLOE_OK) continue;
        for (unsigned width = 1; width <= 32; width++)
            for (size_t offset = 0; offset < 33; offset += 5) {
                size_t size = floe_k_unpack32_bytes(COUNT, width);
                floe_k_unpack32_scalar(expected, buffer + offset, size, COUNT, width);
                ck_assert_int_eq(table->unpack32(actual, buffer + offset, size, COUNT, width),
                                 FLOE_OK);
                ck_assert_mem_eq(actual, expected, sizeof expected);
            }
    }
}
END_TEST

START_TEST(contract_errors)
{
    uint8_t src[8] = {0};
    uint32_t dst[8] = {7, 7, 7, 7, 7, 7, 7, 7};
    for (int isa = 0; isa < FLOE_K_ISA_COUNT; isa++) {
        const floe_k_dispatch *table;
        if (floe_k_dispatch_for((floe_k_isa)isa, &table) != FLOE_OK) continue;
        ck_assert_int_eq(table->unpack32(dst, src, sizeof src, 8, 33), FLOE_EINVAL);
        /* 8 values of 9 bits need 9 bytes. */
        ck_assert_int_eq(table->unpack32(dst, src, 8, 8, 9), FLOE_ECORRUPT);
        for (int i = 0; i < 8; i++) ck_assert_uint_eq(dst[i], 7);
        ck_assert_int_eq(table->unpack32(dst, NULL, 0, 0, 17), FLOE_OK);
        /* Width 0 reads nothing. */
        ck_assert_int_eq(table->unpack32(dst, NULL, 0, 8, 0), FLOE_OK);
        for (int i = 0; i < 8; i++) ck_assert_uint_eq(dst[i], 0);
        for (int i = 0; i < 8; i++) dst[i] = 7;
    }
    ck_assert_uint_eq(floe_k_unpack32_bytes(9, 3), 4);
    ck_assert_uint_eq(floe_k_unpack32_bytes(0, 32), 0);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("bitunpack");
    TCase *cases = tcase_create("unpack32");
    tcase_set_timeout(cases, 120);
    tcase_add_test(cases, parquet_spec_example);
    tcase_add_test(cases, scalar_matches_oracle);
    tcase_add_test(cases, every_variant_matches_scalar);
    tcase_add_test(cases, unaligned_src_in_the_middle);
    tcase_add_test(cases, contract_errors);
    suite_add_tcase(suite, cases);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
