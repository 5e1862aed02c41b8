/*
 * Description: Parquet page codecs (io/parquet_codec.h) — round trips through each library's
 * compressor, concatenated gzip members, the Hadoop LZ4 framing built by hand and its raw-block
 * fallback, size mismatches, decompression bombs (snappy and zstd headers claiming more than the
 * page) rejected before decoding, every truncation of every stream, unsupported codecs, and
 * allocation failure in zlib.
 */
#include "io/parquet_codec.h"

#include "kernels/memory.h"

#include <check.h>
#include <lz4.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const int codecs[] = {FLOE_PQ_CODEC_UNCOMPRESSED, FLOE_PQ_CODEC_SNAPPY, FLOE_PQ_CODEC_GZIP,
                             FLOE_PQ_CODEC_ZSTD, FLOE_PQ_CODEC_LZ4_RAW};

/* Compressible but not trivial: text-like runs with noise. */
static uint8_t *make_page(size_t size)
{
    uint8_t *page = malloc(size ? size : 1);
    uint32_t state = 12345;
    for (size_t i = 0; i < size; i++) {
        state = state * 1103515245u + 12345u;
        page[i] = (state >> 16) % 7 == 0 ? (uint8_t)(state >> 8) : (uint8_t)('a' + i % 13);
    }
    return page;
}

static uint8_t *compress_page(floe_pq_codec_context *context, int codec, const uint8_t *page,
                              size_t size, size_t *compressed_size)
{
    size_t bound = floe_pq_compress_bound(codec, size);
    ck_assert_uint_gt(bound + (size == 0), 0);
    uint8_t *out = malloc(bound + 1);
    floe_error err;
    ck_assert_int_eq(floe_pq_compress(context, codec, 0, out, bound, page, size, compressed_size,
                                      &err), FLOE_OK);
    return out;
}

START_TEST(round_trip_every_codec)
{
    floe_pq_codec_context *context = floe_pq_codec_context_create();
    ck_assert_ptr_nonnull(context);
    const size_t sizes[] = {0, 1, 100, 65536, 300000};
    for (size_t c = 0; c < sizeof codecs / sizeof codecs[0]; c++) {
        for (size_t s = 0; s < 5; s++) {
            uint8_t *page = make_page(sizes[s]);
            size_t compressed_size;
            uint8_t *compressed = compress_page(context, codecs[c], page, sizes[s],
                                                &compressed_size);
            uint8_t *out = malloc(sizes[s] + 1);
            size_t written;
            floe_error err;
            /* With and without a reused context. */
            for (int use_context = 0; use_context < 2; use_context++) {
                int status = floe_pq_decompress(use_context ? context : NULL, codecs[c], out,
                                                sizes[s], compressed, compressed_size, &written,
                                                &err);
                ck_assert_msg(status == FLOE_OK, "%s size %zu: %s",
                              floe_pq_codec_name(codecs[c]), sizes[s], err.message);
                ck_assert_uint_eq(written, sizes[s]);
                if (sizes[s]) ck_assert_mem_eq(out, page, sizes[s]);
            }
            /* The page header saying one byte more or less is corrupt. */
            if (sizes[s] > 0) {
                floe_error_clear(&err);
                ck_assert_int_eq(floe_pq_decompress(context, codecs[c], out, sizes[s] - 1,
                                                    compressed, compressed_size, &written, &err),
                                 FLOE_ECORRUPT);
                ck_assert_int_gt((int)strlen(err.message), 0);
            }
            uint8_t *bigger = malloc(sizes[s] + 1);
            ck_assert_int_eq(floe_pq_decompress(context, codecs[c], bigger, sizes[s] + 1,
                                                compressed, compressed_size, &written, &err),
                             FLOE_ECORRUPT);
            free(bigger);
            free(out);
            free(compressed);
            free(page);
        }
    }
    floe_pq_codec_context_free(context);
    floe_pq_codec_context_free(NULL);
}
END_TEST

START_TEST(every_truncation_is_corrupt)
{
    const size_t size = 5000;
    uint8_t *page = make_page(size);
    uint8_t *out = malloc(size);
    for (size_t c = 0; c < sizeof codecs / sizeof codecs[0]; c++) {
        size_t compressed_size, written;
        uint8_t *compressed = compress_page(NULL, codecs[c], page, size, &compressed_size);
        for (size_t cut = 0; cut < compressed_size; cut++) {
            floe_error err;
            floe_error_clear(&err);
            /* A heap copy of exactly `cut` bytes so ASan sees any read past it. */
            uint8_t *prefix = malloc(cut ? cut : 1);
            memcpy(prefix, compressed, cut);
            int status = floe_pq_decompress(NULL, codecs[c], out, size, prefix, cut, &written,
                                            &err);
            ck_assert_msg(status == FLOE_ECORRUPT, "%s cut %zu: %d",
                          floe_pq_codec_name(codecs[c]), cut, status);
            ck_assert_int_gt((int)strlen(err.message), 0);
            free(prefix);
        }
        /* Flipped bytes: any status but a crash; success only with the right size. */
        for (size_t i = 0; i < compressed_size; i += 7) {
            compressed[i] ^= 0x5a;
            int status = floe_pq_decompress(NULL, codecs[c], out, size, compressed,
                                            compressed_size, &written, NULL);
            ck_assert(status == FLOE_OK || status == FLOE_ECORRUPT);
            if (status == FLOE_OK) ck_assert_uint_eq(written, size);
            compressed[i] ^= 0x5a;
        }
        free(compressed);
    }
    free(out);
    free(page);
}
END_TEST

START_TEST(gzip_concatenated_members)
{
    const size_t size = 20000;
    uint8_t *page = make_page(size);
    size_t first_size, second_size, written;
    uint8_t *first = compress_page(NULL, FLOE_PQ_CODEC_GZIP, page, 7000, &first_size);
    uint8_t *second = compress_page(NULL, FLOE_PQ_CODEC_GZIP, page + 7000, size - 7000,
                                    &second_size);
    uint8_t *both = malloc(first_size + second_size);
    memcpy(both, first, first_size);
    memcpy(both + first_size, second, second_size);
    uint8_t *out = malloc(size);
    floe_error err;
    ck_assert_int_eq(floe_pq_decompress(NULL, FLOE_PQ_CODEC_GZIP, out, size, both,
                                        first_size + second_size, &written, &err), FLOE_OK);
    ck_assert_mem_eq(out, page, size);
    /* Trailing garbage after the members is corrupt. */
    both[first_size] = 0x00;
    ck_assert_int_eq(floe_pq_decompress(NULL, FLOE_PQ_CODEC_GZIP, out, size, both,
                                        first_size + second_size, &written, &err),
                     FLOE_ECORRUPT);
    /* zlib's allocations go through floe_malloc: a failure is FLOE_ENOMEM. */
    floe_set_allocation_failure_after(0);
    int status = floe_pq_decompress(NULL, FLOE_PQ_CODEC_GZIP, out, 7000, first, first_size,
                                    &written, &err);
    floe_set_allocation_failure_after(-1);
    ck_assert_int_eq(status, FLOE_ENOMEM);
    free(out);
    free(both);
    free(first);
    free(second);
    free(page);
}
END_TEST

static void put_big_endian32(uint8_t *p, uint32_t value)
{
    p[0] = (uint8_t)(value >> 24);
    p[1] = (uint8_t)(value >> 16);
    p[2] = (uint8_t)(value >> 8);
    p[3] = (uint8_t)value;
}

/* Appends one LZ4 block of src (with its 4-byte big-endian compressed length) at out. */
static size_t put_lz4_chunk(uint8_t *out, const uint8_t *src, size_t size)
{
    int produced = LZ4_compress_default((const char *)src, (char *)out + 4, (int)size,
                                        LZ4_compressBound((int)size));
    ck_assert_int_gt(produced, 0);
    put_big_endian32(out, (uint32_t)produced);
    return 4 + (size_t)produced;
}

START_TEST(lz4_hadoop_framing_and_raw_fallback)
{
    const size_t size = 30000;
    uint8_t *page = make_page(size);
    uint8_t *framed = malloc(2 * (size_t)LZ4_compressBound((int)size) + 64);
    /* Block 1: 12000 bytes in two chunks (5000 + 7000); block 2: the remaining 18000 in one. */
    size_t at = 0;
    put_big_endian32(framed + at, 12000);
    at += 4;
    at += put_lz4_chunk(framed + at, page, 5000);
    at += put_lz4_chunk(framed + at, page + 5000, 7000);
    put_big_endian32(framed + at, 18000);
    at += 4;
    at += put_lz4_chunk(framed + at, page + 12000, 18000);
    uint8_t *out = malloc(size);
    size_t written;
    floe_error err;
    ck_assert_int_eq(floe_pq_decompress(NULL, FLOE_PQ_CODEC_LZ4, out, size, framed, at, &written,
                                        &err), FLOE_OK);
    ck_assert_mem_eq(out, page, size);
    /* Every truncation fails (neither framing nor a raw block of the right size). */
    for (size_t cut = 0; cut < at; cut += 3) {
        uint8_t *prefix = malloc(cut ? cut : 1);
        memcpy(prefix, framed, cut);
        ck_assert_int_eq(floe_pq_decompress(NULL, FLOE_PQ_CODEC_LZ4, out, size, prefix, cut,
                                            &written, &err), FLOE_ECORRUPT);
        free(prefix);
    }
    /* A block claiming more than the page header allows fails the framing, then the fallback. */
    put_big_endian32(framed, 0x7fffffff);
    ck_assert_int_eq(floe_pq_decompress(NULL, FLOE_PQ_CODEC_LZ4, out, size, framed, at, &written,
                                        &err), FLOE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "lz4"));
    /* A raw LZ4 block under the legacy codec decodes through the fallback. */
    int raw = LZ4_compress_default((const char *)page, (char *)framed, (int)size,
                                   LZ4_compressBound((int)size));
    ck_assert_int_eq(floe_pq_decompress(NULL, FLOE_PQ_CODEC_LZ4, out, size, framed, (size_t)raw,
                                        &written, &err), FLOE_OK);
    ck_assert_mem_eq(out, page, size);
    free(out);
    free(framed);
    free(page);
}
END_TEST

START_TEST(bombs_are_rejected_before_decoding)
{
    floe_error err;
    size_t written;
    uint8_t out[100];
    /* Snappy: the preamble is the uncompressed length as a varint; 0xff 0xff 0xff 0xff 0x0f is
     * 4 GiB - 1, the most a snappy stream can declare. No allocation may happen (the hook fails
     * every one). */
    const uint8_t snappy_bomb[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x61};
    floe_set_allocation_failure_after(0);
    int status = floe_pq_decompress(NULL, FLOE_PQ_CODEC_SNAPPY, out, sizeof out, snappy_bomb,
                                    sizeof snappy_bomb, &written, &err);
    floe_set_allocation_failure_after(-1);
    ck_assert_int_eq(status, FLOE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "snappy: stream declares 4294967295 bytes"));
    /* 4 GiB exactly does not fit snappy's 32-bit length at all. */
    const uint8_t snappy_over[] = {0x80, 0x80, 0x80, 0x80, 0x10, 0x00, 0x61};
    ck_assert_int_eq(floe_pq_decompress(NULL, FLOE_PQ_CODEC_SNAPPY, out, sizeof out, snappy_over,
                                        sizeof snappy_over, &written, &err), FLOE_ECORRUPT);

    /* Zstd: a frame that declares 1 MiB for a 100-byte page. */
    size_t big = 1 << 20, compressed_size;
    uint8_t *page = make_page(big);
    uint8_t *compressed = compress_page(NULL, FLOE_PQ_CODEC_ZSTD, page, big, &compressed_size);
    ck_assert_int_eq(floe_pq_decompress(NULL, FLOE_PQ_CODEC_ZSTD, out, sizeof out, compressed,
                                        compressed_size, &written, &err), FLOE_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(err.message, "zstd: frames declare more than"));
    /* Two frames concatenated decode to their sum. */
    size_t half_size;
    uint8_t *half = compress_page(NULL, FLOE_PQ_CODEC_ZSTD, page, big / 2, &half_size);
    uint8_t *two = malloc(2 * half_size);
    memcpy(two, half, half_size);
    memcpy(two + half_size, half, half_size);
    uint8_t *result = malloc(big);
    ck_assert_int_eq(floe_pq_decompress(NULL, FLOE_PQ_CODEC_ZSTD, result, big, two, 2 * half_size,
                                        &written, &err), FLOE_OK);
    ck_assert_mem_eq(result, page, big / 2);
    ck_assert_mem_eq(result + big / 2, page, big / 2);
    free(result);
    free(two);
    free(half);
    free(compressed);
    free(page);
}
END_TEST

START_TEST(unsupported_codecs_say_so)
{
    floe_error err;
    size_t written;
    uint8_t byte = 0, out[4];
    ck_assert_int_eq(floe_pq_decompress(NULL, FLOE_PQ_CODEC_BROTLI, out, 4, &byte, 1, &written,
                                        &err), FLOE_EUNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err.message, "BROTLI"));
    ck_assert_int_eq(floe_pq_decompress(NULL, FLOE_PQ_CODEC_LZO, out, 4, &byte, 1, &written, &err),
                     FLOE_EUNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err.message, "LZO"));
    ck_assert_int_eq(floe_pq_decompress(NULL, 42, out, 4, &byte, 1, &written, &err),
                     FLOE_EUNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err.message, "42"));
    ck_assert_int_eq(floe_pq_compress(NULL, FLOE_PQ_CODEC_LZ4, 0, out, 4, &byte, 1, &written, &err),
                     FLOE_EUNSUPPORTED);
    ck_assert_uint_eq(floe_pq_compress_bound(FLOE_PQ_CODEC_BROTLI, 10), 0);
    /* A capacity below the bound is the caller's error. */
    ck_assert_int_eq(floe_pq_compress(NULL, FLOE_PQ_CODEC_ZSTD, 0, out, 4, &byte, 1, &written,
                                      &err), FLOE_EINVAL);
    ck_assert_str_eq(floe_pq_codec_name(FLOE_PQ_CODEC_LZ4_RAW), "LZ4_RAW");
}
END_TEST

static Suite *codec_suite(void)
{
    Suite *suite = suite_create("parquet_codec");
    TCase *core = tcase_create("core");
    tcase_set_timeout(core, 120);
    tcase_add_test(core, round_trip_every_codec);
    tcase_add_test(core, every_truncation_is_corrupt);
    tcase_add_test(core, gzip_concatenated_members);
    tcase_add_test(core, lz4_hadoop_framing_and_raw_fallback);
    tcase_add_test(core, bombs_are_rejected_before_decoding);
    tcase_add_test(core, unsupported_codecs_say_so);
    suite_add_tcase(suite, core);
    return suite;
}

int main(void)
{
    SRunner *runner = srunner_create(codec_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
