/*
 * bench_parquet — single-thread decode throughput of Floe's Parquet reader per column type and
 * codec, on files bench/run-parquet.sh has DuckDB write (10M rows; int64, double, a
 * low-cardinality dictionary string, timestamp, decimal(18,2)).
 *
 * usage: bench_parquet DIR [REPEATS]   (reads DIR/bench_<codec>.parquet)
 * For each codec and column: open with that column projected (only its chunks are read),
 * decode every batch, best of REPEATS (default 3) wall times. The string column is read with
 * dictionary_as_codes (codes + dictionary, the form engine operators consume). Output: one JSON
 * object per line {"codec","column","rows","seconds","values_per_second","gb_per_second"},
 * where GB/s counts decoded output bytes (the Floe storage width: 8 per value, 4 per code).
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

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_parquet DIR [REPEATS]\n");
        return 2;
    }
    int repeats = argc > 2 ? atoi(argv[2]) : 3;
    if (repeats < 1) repeats = 1;
    static const char *const codecs[] = {"uncompressed", "snappy", "zstd"};
    static const char *const columns[] = {"i64", "f64", "dict_str", "ts", "dec"};
    for (int k = 0; k < 3; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/bench_%s.parquet", argv[1], codecs[k]);
        for (int c = 0; c < 5; c++) {
            double best = 1e30;
            uint64_t rows = 0;
            size_t width = 8;
            for (int r = 0; r < repeats; r++) {
                floe_error err;
                floe_pq_reader_options options = {.column_names = &columns[c],
                                                  .column_name_count = 1,
                                                  .dictionary_as_codes = true};
                floe_pq_reader *reader = NULL;
                double start = now();
                if (floe_pq_reader_open(&reader, path, &options, &err) < 0) {
                    fprintf(stderr, "bench_parquet: %s\n", err.message);
                    return 1;
                }
                floe_batch batch;
                if (floe_pq_reader_batch_init(reader, &batch, &err) < 0) return 1;
                rows = 0;
                for (;;) {
                    if (floe_pq_reader_next_batch(reader, &batch, &err) < 0) {
                        fprintf(stderr, "bench_parquet: %s\n", err.message);
                        return 1;
                    }
                    if (batch.row_count == 0) break;
                    rows += batch.row_count;
                    if (batch.columns[0].encoding == FLOE_VECTOR_DICTIONARY) width = 4;
                }
                double seconds = now() - start;
                if (seconds < best) best = seconds;
                floe_batch_fini(&batch);
                floe_pq_reader_free(reader);
            }
            printf("{\"codec\":\"%s\",\"column\":\"%s\",\"rows\":%llu,\"seconds\":%.6f,"
                   "\"values_per_second\":%.0f,\"gb_per_second\":%.3f}\n",
                   codecs[k], columns[c], (unsigned long long)rows, best, (double)rows / best,
                   (double)rows * (double)width / best / 1e9);
            fflush(stdout);
        }
    }
    return 0;
}
