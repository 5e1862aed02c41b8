/*
 * bench_io.c — throughput of the batched file reader (io/file_reader.h), io_uring against pread.
 *
 * Why: the refresh path reads column chunks scattered over many Parquet files; this measures
 * what each backend delivers for that shape of work, so a regression or a kernel that makes
 * io_uring pointless shows up as a number. The file set is 16 files of 64 MiB (1 GiB), made once
 * under the directory given as the first argument (default build/bench-io-data) and reused.
 *
 * Patterns, each one floe_io_read_batch call over the whole set:
 *   random-1MiB      1024 ranges of 1 MiB at random (unaligned) offsets of random files, like
 *                    column chunks of a scan that reads a few columns;
 *   sequential-16MiB every file in 16 MiB ranges, in order.
 * Cache states:
 *   cold-ish  posix_fadvise(POSIX_FADV_DONTNEED) on every file first. Without root's
 *             drop_caches (and with a VM's host cache below us) this is only cold-ish;
 *   warm      after a full read of the set, so every byte comes from the page cache.
 * Prints one line per (backend, pattern, cache) and, last, one JSON object with every figure.
 * Usage: bench_io [DATA_DIR]
 */
#define _GNU_SOURCE /* posix_fadvise, clock_gettime */
#include "io/file_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { file_count = 16, random_range_count = 1024 };
#define FILE_SIZE (UINT64_C(64) << 20)
#define RANGE_SIZE (UINT64_C(1) << 20)
#define SEQUENTIAL_RANGE_SIZE (UINT64_C(16) << 20)
#define TOTAL_SIZE (FILE_SIZE * file_count)

static char paths[file_count][4096];

static double now_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

static uint64_t random_state = UINT64_C(0x2545F4914F6CDD1D);
static uint64_t next_random(void)
{
    random_state ^= random_state << 13;
    random_state ^= random_state >> 7;
    random_state ^= random_state << 17;
    return random_state;
}

static int make_directory(const char *path)
{
    char partial[4096];
    snprintf(partial, sizeof partial, "%s", path);
    for (char *p = partial + 1; *p != '\0'; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(partial, 0755) != 0 && errno != EEXIST) return -errno;
        *p = '/';
    }
    if (mkdir(partial, 0755) != 0 && errno != EEXIST) return -errno;
    return 0;
}

/* Writes any file of the set that is missing or of the wrong size. */
static int prepare_files(const char *directory)
{
    int status = make_directory(directory);
    if (status < 0) {
        fprintf(stderr, "bench_io: mkdir %s: %s\n", directory, strerror(-status));
        return -1;
    }
    unsigned char *block = malloc(1 << 20);
    if (block == NULL) return -1;
    int made = 0;
    for (int i = 0; i < file_count; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/chunk-%02d.bin", directory, i);
        struct stat info;
        if (stat(paths[i], &info) == 0 && (uint64_t)info.st_size == FILE_SIZE) continue;
        int fd = open(paths[i], O_CREAT | O_TRUNC | O_WRONLY, 0644);
        if (fd < 0) {
            fprintf(stderr, "bench_io: create %s: %s\n", paths[i], strerror(errno));
            free(block);
            return -1;
        }
        for (uint64_t written = 0; written < FILE_SIZE; written += 1 << 20) {
            for (size_t j = 0; j < (1 << 20) / 8; j++) {
                uint64_t value = next_random();
                memcpy(block + j * 8, &value, 8);
            }
            if (write(fd, block, 1 << 20) != 1 << 20) {
                fprintf(stderr, "bench_io: write %s: %s\n", paths[i], strerror(errno));
                close(fd);
                free(block);
                return -1;
            }
        }
        fdatasync(fd); /* dirty pages would survive POSIX_FADV_DONTNEED */
        close(fd);
        made++;
    }
    free(block);
    if (made > 0) fprintf(stderr, "bench_io: wrote %d files of 64 MiB under %s\n", made, directory);
    return 0;
}

static void drop_from_cache(void)
{
    for (int i = 0; i < file_count; i++) {
        int fd = open(paths[i], O_RDONLY);
        if (fd < 0) continue;
        posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        close(fd);
    }
}

typedef struct pattern {
    const char *name;
    floe_io_request *requests;
    size_t count;
} pattern;

static void make_patterns(pattern *random_pattern, pattern *sequential_pattern,
                          unsigned char *buffer)
{
    random_pattern->name = "random-1MiB";
    random_pattern->count = random_range_count;
    random_pattern->requests = calloc(random_range_count, sizeof(floe_io_request));
    for (size_t i = 0; i < random_range_count; i++) {
        int file = (int)(next_random() % file_count);
        uint64_t offset = next_random() % (FILE_SIZE - RANGE_SIZE + 1);
        random_pattern->requests[i] =
            (floe_io_request){paths[file], offset, RANGE_SIZE, buffer + i * RANGE_SIZE, 0, 0};
    }
    size_t per_file = (size_t)(FILE_SIZE / SEQUENTIAL_RANGE_SIZE);
    sequential_pattern->name = "sequential-16MiB";
    sequential_pattern->count = per_file * file_count;
    sequential_pattern->requests = calloc(sequential_pattern->count, sizeof(floe_io_request));
    for (size_t i = 0; i < sequential_pattern->count; i++) {
        size_t file = i / per_file;
        uint64_t offset = (i % per_file) * SEQUENTIAL_RANGE_SIZE;
        sequential_pattern->requests[i] = (floe_io_request){
            paths[file], offset, SEQUENTIAL_RANGE_SIZE, buffer + i * SEQUENTIAL_RANGE_SIZE, 0, 0};
    }
}

/* Runs one batch; returns GB/s (10^9 bytes per second), or a negative value on failure. */
static double run_batch(floe_io_reader *reader, const pattern *p)
{
    floe_error err;
    double start = now_seconds();
    int status = floe_io_read_batch(reader, p->requests, p->count, &err);
    double seconds = now_seconds() - start;
    if (status != FLOE_OK) {
        fprintf(stderr, "bench_io: %s: %s\n", p->name, err.message);
        return -1;
    }
    uint64_t bytes = 0;
    for (size_t i = 0; i < p->count; i++) bytes += p->requests[i].bytes_read;
    return (double)bytes / seconds / 1e9;
}

int main(int argc, char **argv)
{
    const char *directory = argc > 1 ? argv[1] : "build/bench-io-data";
    if (argc > 2 || (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))) {
        fprintf(stderr, "usage: bench_io [DATA_DIR]  (default build/bench-io-data)\n");
        return 2;
    }
    if (prepare_files(directory) != 0) return 1;
    unsigned char *buffer = malloc(TOTAL_SIZE);
    if (buffer == NULL) {
        fprintf(stderr, "bench_io: cannot allocate 1 GiB of destination\n");
        return 1;
    }
    memset(buffer, 0, TOTAL_SIZE); /* fault the pages in now, not inside the timed reads */
    pattern patterns[2];
    make_patterns(&patterns[0], &patterns[1], buffer);

    static const floe_io_backend backends[] = {FLOE_IO_BACKEND_URING, FLOE_IO_BACKEND_PREAD};
    static const char *const cache_names[] = {"cold-ish", "warm"};
    double figures[2][2][2]; /* [backend][pattern][cache] GB/s, negative when not measured */
    const char *uring_refusal = NULL;
    floe_error refusal;
    int exit_status = 0;
    printf("bench_io: %d files x 64 MiB under %s; queue depth %u; cold-ish = "
           "POSIX_FADV_DONTNEED per file (no root drop_caches, so only cold-ish)\n",
           file_count, directory, FLOE_IO_DEFAULT_QUEUE_DEPTH);
    for (int b = 0; b < 2; b++) {
        floe_io_options options = {0, backends[b], 0};
        floe_io_reader *reader = NULL;
        for (int p = 0; p < 2; p++) figures[b][p][0] = figures[b][p][1] = -1;
        if (floe_io_reader_create(&reader, &options, &refusal) != FLOE_OK) {
            uring_refusal = refusal.message;
            printf("%-9s skipped: %s\n", "io_uring", refusal.message);
            continue;
        }
        for (int p = 0; p < 2; p++) {
            for (int cache = 0; cache < 2; cache++) {
                if (cache == 0) {
                    drop_from_cache();
                } else {
                    run_batch(reader, &patterns[1]); /* the warm-up: the whole set */
                }
                double rate = run_batch(reader, &patterns[p]);
                if (rate < 0) exit_status = 1;
                figures[b][p][cache] = rate;
                printf("%-9s %-17s %-9s %6.2f GB/s\n", floe_io_reader_backend(reader),
                       patterns[p].name, cache_names[cache], rate);
                fflush(stdout);
            }
        }
        floe_io_reader_free(reader);
    }
    printf("{\"bench\":\"io\",\"files\":%d,\"file_bytes\":%llu,\"queue_depth\":%u,"
           "\"unit\":\"GB/s\",\"io_uring_available\":%s",
           file_count, (unsigned long long)FILE_SIZE, FLOE_IO_DEFAULT_QUEUE_DEPTH,
           uring_refusal ? "false" : "true");
    for (int b = 0; b < 2; b++) {
        for (int p = 0; p < 2; p++) {
            for (int cache = 0; cache < 2; cache++) {
                double rate = figures[b][p][cache];
                printf(",\"%s/%s/%s\":", b == 0 ? "io_uring" : "pread", patterns[p].name,
                       cache_names[cache]);
                if (rate < 0) {
                    printf("null");
                } else {
                    printf("%.3f", rate);
                }
            }
        }
    }
    printf("}\n");
    free(patterns[0].requests);
    free(patterns[1].requests);
    free(buffer);
    return exit_status;
}
