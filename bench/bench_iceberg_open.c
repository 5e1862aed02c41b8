/*
 * bench_iceberg_open.c — how long the metadata side of a refresh takes on a long history.
 *
 * Builds once (in build/bench-iceberg-data/t, or $FLOE_BENCH_ICEBERG_DIR, reused when present)
 * a table with 1,000 append snapshots of 10 data files each (10,000 files): one new manifest
 * per snapshot, and snapshot k's manifest list naming all k manifests, as writers do without
 * manifest merging (the worst case for lists). Then times, median of several runs:
 *   open     locate + parse the current metadata (1,000 snapshots)
 *   plan     the current snapshot's scan: 1 list + 1,000 manifests, 10,000 files resolved
 *   changes  snapshots 500 → 1000: 500 snapshots, 5,000 added files
 * Target (issue 4): open + changes < 100 ms. Prints figures; the last line is one JSON object.
 */
#define _XOPEN_SOURCE 700

#include "io/iceberg_metadata_cache.h" /* floe_ice_metadata_cache_clear */
#include "io/iceberg_table.h"
#include "kernels/memory.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

enum { SNAPSHOTS = 1000, FILES_PER_SNAPSHOT = 10, RUNS = 7 };

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void die(const char *what, const floe_error *err)
{
    fprintf(stderr, "bench_iceberg_open: %s: %s\n", what, err->message);
    exit(1);
}

static void make_directory(const char *path)
{
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "bench_iceberg_open: mkdir %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

static int64_t snapshot_id(int k) { return 1000000 + k; }

static void build_table(const char directory[2048])
{
    char path[4096];
    floe_error err;
    snprintf(path, sizeof path, "%s/metadata", directory);
    make_directory(path);
    floe_ice_new_column columns[] = {{"id", {FLOE_TYPE_INT64, 0, 0}, 1, 0, NULL},
                                      {"amount", {FLOE_TYPE_FLOAT64, 0, 0}, 0, 0, NULL}};
    floe_ice_table_metadata *metadata = NULL;
    if (floe_ice_table_metadata_create(directory, columns, 2, 1700000000000LL, &metadata, &err))
        die("create", &err);
    floe_ice_manifest_file *lists = calloc(SNAPSHOTS, sizeof *lists);
    char (*manifest_paths)[2600] = calloc(SNAPSHOTS, sizeof *manifest_paths);
    char file_paths[FILES_PER_SNAPSHOT][2600];
    for (int k = 1; k <= SNAPSHOTS; k++) {
        floe_ice_manifest_entry entries[FILES_PER_SNAPSHOT];
        memset(entries, 0, sizeof entries);
        for (int f = 0; f < FILES_PER_SNAPSHOT; f++) {
            snprintf(file_paths[f], sizeof file_paths[f], "%s/data/%05d-%02d.parquet", directory, k, f);
            entries[f].status = FLOE_ICE_STATUS_ADDED;
            entries[f].data_file.file_path = file_paths[f];
            entries[f].data_file.file_format = "PARQUET";
            entries[f].data_file.record_count = 1000;
            entries[f].data_file.file_size_in_bytes = 65536;
        }
        floe_ice_manifest_write_options options = {
            "{\"type\":\"struct\",\"schema-id\":0,\"fields\":[]}", 0, "[]", 0,
            FLOE_ICE_MANIFEST_CONTENT_DATA, NULL, 0, FLOE_AVRO_CODEC_DEFLATE};
        snprintf(manifest_paths[k - 1], sizeof manifest_paths[k - 1], "%s/metadata/m%05d.avro",
                 directory, k);
        int64_t length = 0;
        if (floe_ice_manifest_write(manifest_paths[k - 1], &options, entries, FILES_PER_SNAPSHOT,
                                    &length, &err))
            die("manifest", &err);
        floe_ice_manifest_file *file = &lists[k - 1];
        file->manifest_path = manifest_paths[k - 1];
        file->manifest_length = length;
        file->sequence_number = k;
        file->min_sequence_number = k;
        file->added_snapshot_id = snapshot_id(k);
        file->added_files_count = FILES_PER_SNAPSHOT;
        file->added_rows_count = FILES_PER_SNAPSHOT * 1000;
        /* Newest manifest first, as writers order them. */
        floe_ice_manifest_file *ordered = calloc((size_t)k, sizeof *ordered);
        for (int i = 0; i < k; i++) ordered[i] = lists[k - 1 - i];
        char list_path[4096];
        snprintf(list_path, sizeof list_path, "%s/metadata/snap-%" PRId64 ".avro", directory,
                 snapshot_id(k));
        floe_ice_manifest_list_write_options list_options = {
            snapshot_id(k), k > 1, snapshot_id(k - 1), k, FLOE_AVRO_CODEC_DEFLATE};
        if (floe_ice_manifest_list_write(list_path, &list_options, ordered, (size_t)k, &err))
            die("manifest list", &err);
        free(ordered);
        char added[32], total_files[32], total_records[32];
        snprintf(added, sizeof added, "%d", FILES_PER_SNAPSHOT);
        snprintf(total_files, sizeof total_files, "%d", k * FILES_PER_SNAPSHOT);
        snprintf(total_records, sizeof total_records, "%d", k * FILES_PER_SNAPSHOT * 1000);
        floe_ice_property summary[] = {{"added-data-files", added},
                                       {"total-data-files", total_files},
                                       {"total-delete-files", "0"},
                                       {"total-records", total_records}};
        floe_ice_new_snapshot snapshot = {snapshot_id(k), k > 1 ? snapshot_id(k - 1) : -1, k,
                                          1700000000000LL + k, list_path, "append", summary, 4};
        if (floe_ice_table_metadata_add_snapshot(metadata, &snapshot, &err)) die("snapshot", &err);
    }
    char *json = NULL;
    size_t size = 0;
    if (floe_ice_table_metadata_write_json(metadata, &json, &size, &err)) die("json", &err);
    snprintf(path, sizeof path, "%s/metadata/v1.metadata.json", directory);
    FILE *out = fopen(path, "wb");
    fwrite(json, 1, size, out);
    fclose(out);
    snprintf(path, sizeof path, "%s/metadata/version-hint.text", directory);
    out = fopen(path, "wb");
    fputs("1\n", out);
    fclose(out);
    floe_free(json);
    floe_ice_table_metadata_free(metadata);
    free(lists);
    free(manifest_paths);
}

static int compare_doubles(const void *left, const void *right)
{
    double a = *(const double *)left, b = *(const double *)right;
    return (a > b) - (a < b);
}

static double median(double *values, int count)
{
    qsort(values, (size_t)count, sizeof *values, compare_doubles);
    return values[count / 2];
}

int main(void)
{
    const char *base = getenv("FLOE_BENCH_ICEBERG_DIR");
    char directory[2048];
    if (base == NULL) {
        make_directory("build");
        make_directory("build/bench-iceberg-data");
        base = "build/bench-iceberg-data";
    } else {
        make_directory(base);
    }
    char absolute[1024];
    if (realpath(base, absolute) == NULL) {
        perror(base);
        return 1;
    }
    snprintf(directory, sizeof directory, "%s/t", absolute);
    char hint[4096];
    snprintf(hint, sizeof hint, "%s/metadata/version-hint.text", directory);
    struct stat info;
    if (stat(hint, &info) != 0) {
        make_directory(directory);
        double start = now_ms();
        build_table(directory);
        printf("built %s: %d snapshots, %d data files in %.0f ms\n", directory, SNAPSHOTS,
               SNAPSHOTS * FILES_PER_SNAPSHOT, now_ms() - start);
    }
    double open_times[RUNS], plan_times[RUNS], change_times[RUNS];
    size_t files = 0, changed_snapshots = 0, added = 0, lists_read = 0, manifests_read = 0;
    floe_error err;
    for (int run = 0; run < RUNS; run++) {
        double start = now_ms();
        floe_ice_table *table = NULL;
        /* Each run times a parse, not the process-wide cache's hit. */
        floe_ice_metadata_cache_clear();
        if (floe_ice_table_open(&table, directory, NULL, &err)) die("open", &err);
        open_times[run] = now_ms() - start;

        start = now_ms();
        floe_ice_changes *changes = NULL;
        if (floe_ice_table_changes(table, snapshot_id(500), snapshot_id(1000), &changes, &err))
            die("changes", &err);
        change_times[run] = now_ms() - start;
        changed_snapshots = changes->snapshot_count;
        added = 0;
        for (size_t i = 0; i < changes->snapshot_count; i++)
            added += changes->snapshots[i].added_data_file_count;
        lists_read = changes->manifest_lists_read;
        manifests_read = changes->manifests_read;
        floe_ice_changes_free(changes);

        start = now_ms();
        floe_ice_scan_plan *plan = NULL;
        if (floe_ice_table_plan_scan(table, -1, &plan, &err)) die("plan", &err);
        plan_times[run] = now_ms() - start;
        files = plan->task_count;
        floe_ice_scan_plan_free(plan);
        floe_ice_table_free(table);
    }
    if (files != SNAPSHOTS * FILES_PER_SNAPSHOT || changed_snapshots != 500 ||
        added != 500 * FILES_PER_SNAPSHOT) {
        fprintf(stderr, "bench_iceberg_open: wrong result: %zu files, %zu snapshots, %zu added\n",
                files, changed_snapshots, added);
        return 1;
    }
    double open_ms = median(open_times, RUNS), plan_ms = median(plan_times, RUNS),
           changes_ms = median(change_times, RUNS);
    printf("open (1000 snapshots)             %8.2f ms\n", open_ms);
    printf("plan (10000 files, 1000 manifests) %7.2f ms\n", plan_ms);
    printf("changes 500 -> 1000 (%zu lists, %zu manifests read) %8.2f ms\n", lists_read,
           manifests_read, changes_ms);
    printf("open + changes                    %8.2f ms (target < 100 ms: %s)\n",
           open_ms + changes_ms, open_ms + changes_ms < 100 ? "met" : "MISSED");
    printf("{\"bench\":\"iceberg_open\",\"snapshots\":%d,\"data_files\":%d,\"runs\":%d,"
           "\"open_ms\":%.3f,\"plan_ms\":%.3f,\"changes_ms\":%.3f,\"open_plus_changes_ms\":%.3f,"
           "\"changes_manifest_lists_read\":%zu,\"changes_manifests_read\":%zu,\"target_met\":%s}\n",
           SNAPSHOTS, SNAPSHOTS * FILES_PER_SNAPSHOT, RUNS, open_ms, plan_ms, changes_ms,
           open_ms + changes_ms, lists_read, manifests_read,
           open_ms + changes_ms < 100 ? "true" : "false");
    return 0;
}
