/*
 * bench_parquet — single-thread decode throughput of Floe's Parquet reader per column type and
 * codec, on files bench/run-parquet.sh has DuckDB write (10M rows; int64, double, a
 * low-cardinality dictionary string, timestamp, decimal(18,2)).
 *
 * usage: bench_parquet DIR [REPEATS [CODEC [COLUMN]]]   (reads DIR/bench_<codec>.parquet; CODEC
 * and COLUMN restrict the run to one codec / column, for profiling one case)
 * For each codec and column: open with that column projected (only its chunks are read),
 * decode every batch, best of REPEATS (default 3) wall times. The string column is read with
 * dictionary_as_codes (codes + dictionary, the form engine operators consume). Output: one JSON
 * object per line {"codec","column","rows","seconds","values_per_second","gb_per_second",
 * "in_memory_seconds","in_memory_gb_per_second"}, where GB/s counts decoded output bytes (the
 * Floe storage width: 8 per value, 4 per code). The in_memory figures decode the same file from
 * an image already in memory (floe_pq_reader_open_memory): decoding alone, without the copy
 * from the page cache into the reader's chunk buffers, so the two show what bounds a scan.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "io/parquet_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* One full scan of `column`: from the file, or from `image` when it is not NULL. Returns the
 * wall time, or a negative value after printing the error. */
static double scan(const char *path, const uint8_t *image, size_t image_size, const char *column,
                   uint64_t *rows, size_t *width)
{
    floe_error err;
    floe_pq_reader_options options = {.column_names = &column,
                                      .column_name_count = 1,
                                      .dictionary_as_codes = true};
    floe_pq_reader *reader = NULL;
    double start = now();
    int status = image != NULL
                     ? floe_pq_reader_open_memory(&reader, image, image_size, path, &options, &err)
                     : floe_pq_reader_open(&reader, path, &options, &err);
    if (status < 0) {
        fprintf(stderr, "bench_parquet: %s\n", err.message);
        return -1;
    }
    floe_batch batch;
    if (floe_pq_reader_batch_init(reader, &batch, &err) < 0) {
        fprintf(stderr, "bench_parquet: %s\n", err.message);
        floe_pq_reader_free(reader);
        return -1;
    }
    *rows = 0;
    for (;;) {
        if (floe_pq_reader_next_batch(reader, &batch, &err) < 0) {
            fprintf(stderr, "bench_parquet: %s\n", err.message);
            floe_batch_fini(&batch);
            floe_pq_reader_free(reader);
            return -1;
        }
        if (batch.row_count == 0) break;
        *rows += batch.row_count;
        if (batch.columns[0].encoding == FLOE_VECTOR_DICTIONARY) *width = 4;
    }
    double seconds = now() - start;
    floe_batch_fini(&batch);
    floe_pq_reader_free(reader);
    return seconds;
}

/* The whole file in memory (malloc), or NULL after printing why. */
static uint8_t *load_file(const char *path, size_t *size)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        fprintf(stderr, "bench_parquet: cannot open %s\n", path);
        return NULL;
    }
    uint8_t *bytes = NULL;
    long length = -1;
    if (fseek(file, 0, SEEK_END) == 0) length = ftell(file);
    if (length >= 0 && fseek(file, 0, SEEK_SET) == 0) bytes = malloc((size_t)length + 1);
    if (bytes != NULL && fread(bytes, 1, (size_t)length, file) != (size_t)length) {
        free(bytes);
        bytes = NULL;
    }
    fclose(file);
    if (bytes == NULL) fprintf(stderr, "bench_parquet: cannot read %s\n", path);
    *size = length > 0 ? (size_t)length : 0;
    return bytes;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_parquet DIR [REPEATS [CODEC [COLUMN]]]\n");
        return 2;
    }
    int repeats = argc > 2 ? atoi(argv[2]) : 3;
    if (repeats < 1) repeats = 1;
    static const char *const codecs[] = {"uncompressed", "snappy", "zstd"};
    static const char *const columns[] = {"i64", "f64", "dict_str", "ts", "dec"};
    const char *only_codec = argc > 3 ? argv[3] : NULL;
    const char *only_column = argc > 4 ? argv[4] : NULL;
    for (int k = 0; k < 3; k++) {
        if (only_codec != NULL && strcmp(only_codec, codecs[k]) != 0) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/bench_%s.parquet", argv[1], codecs[k]);
        size_t image_size = 0;
        uint8_t *image = load_file(path, &image_size);
        if (image == NULL) return 1;
        for (int c = 0; c < 5; c++) {
            if (only_column != NULL && strcmp(only_column, columns[c]) != 0) continue;
            double best = 1e30, best_memory = 1e30;
            uint64_t rows = 0;
            size_t width = 8;
            for (int r = 0; r < repeats; r++) {
                double seconds = scan(path, NULL, 0, columns[c], &rows, &width);
                double memory = scan(path, image, image_size, columns[c], &rows, &width);
                if (seconds < 0 || memory < 0) {
                    free(image);
                    return 1;
                }
                if (seconds < best) best = seconds;
                if (memory < best_memory) best_memory = memory;
            }
            printf("{\"codec\":\"%s\",\"column\":\"%s\",\"rows\":%llu,\"seconds\":%.6f,"
                   "\"values_per_second\":%.0f,\"gb_per_second\":%.3f,"
                   "\"in_memory_seconds\":%.6f,\"in_memory_gb_per_second\":%.3f}\n",
                   codecs[k], columns[c], (unsigned long long)rows, best, (double)rows / best,
                   (double)rows * (double)width / best / 1e9, best_memory,
                   (double)rows * (double)width / best_memory / 1e9);
            fflush(stdout);
        }
        free(image);
    }
    return 0;
}
