/*
 * Description: the batched file reader (io/file_reader.h) on both backends — random ranges over
 * many files compared byte for byte with the generated contents, end-of-file cases, short reads
 * (ranges split into many pieces), more requests than the queue depth, a range over 1 GiB, open
 * failures (missing, directory, unreadable), malformed requests, FLOE_IO, and allocation failure.
 *
 * Every case runs once per backend (Check loop index 0 = pread, 1 = io_uring); io_uring cases
 * are skipped with a message when the kernel refuses io_uring here. The expected bytes come from
 * the generator in this file, not from the reader.
 */
#define _GNU_SOURCE /* mkdtemp, setenv, syscall */
#include "io/file_reader.h"
#include "kernels/memory.h"
#include "kernels/status.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h> /* dropping CAP_DAC_OVERRIDE so root can see EACCES */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { file_count = 50, sentinel = 0xA5 };

static char directory[64];               /* the mkdtemp directory, removed at the end */
static char paths[file_count][128];
static unsigned char *contents[file_count];
static size_t sizes[file_count];

/* ---- Fixtures ----------------------------------------------------------------------------- */

static uint64_t random_state = UINT64_C(0x9E3779B97F4A7C15);

static uint64_t next_random(void)
{
    random_state ^= random_state << 13; /* xorshift64: reproducible, good enough for ranges */
    random_state ^= random_state >> 7;
    random_state ^= random_state << 17;
    return random_state;
}

static void write_file(const char *path, const unsigned char *data, size_t size)
{
    FILE *file = fopen(path, "wb");
    if (file == NULL || (size > 0 && fwrite(data, 1, size, file) != size) || fclose(file) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(EXIT_FAILURE);
    }
}

static void make_files(void)
{
    if (mkdtemp(strcpy(directory, "/tmp/floe-io-test-XXXXXX")) == NULL) {
        perror("mkdtemp");
        exit(EXIT_FAILURE);
    }
    /* Sizes around the edges that matter (empty, one byte, page boundaries), then random ones. */
    static const size_t fixed_sizes[] = {0, 1, 4095, 4096, 4097, 65536, 1 << 20};
    for (int i = 0; i < file_count; i++) {
        sizes[i] = i < 7 ? fixed_sizes[i] : (size_t)(next_random() % (300 * 1024));
        contents[i] = malloc(sizes[i] + 1);
        for (size_t j = 0; j < sizes[i]; j++) contents[i][j] = (unsigned char)(next_random() >> 24);
        snprintf(paths[i], sizeof paths[i], "%s/file-%02d.bin", directory, i);
        write_file(paths[i], contents[i], sizes[i]);
    }
}

static void remove_files(void)
{
    DIR *folder = opendir(directory);
    if (folder != NULL) {
        struct dirent *entry;
        while ((entry = readdir(folder)) != NULL) {
            if (entry->d_name[0] == '.') continue;
            char path[sizeof directory + sizeof entry->d_name + 1];
            snprintf(path, sizeof path, "%s/%s", directory, entry->d_name);
            chmod(path, 0700);
            if (unlink(path) != 0) rmdir(path);
        }
        closedir(folder);
    }
    rmdir(directory);
    for (int i = 0; i < file_count; i++) free(contents[i]);
}

static int open_descriptor_count(void)
{
    DIR *folder = opendir("/proc/self/fd");
    if (folder == NULL) return -1;
    int count = 0;
    while (readdir(folder) != NULL) count++;
    closedir(folder);
    return count;
}

/* Creates a reader forced to the backend of loop index `which`; false (with a message) when
 * io_uring is refused here, so the caller skips. */
static bool make_reader(int which, unsigned queue_depth, uint64_t max_read_size,
                        floe_io_reader **reader)
{
    floe_io_options options = {queue_depth,
                               which == 0 ? FLOE_IO_BACKEND_PREAD : FLOE_IO_BACKEND_URING,
                               max_read_size};
    floe_error err;
    int status = floe_io_reader_create(reader, &options, &err);
    if (which == 1 && status == FLOE_EUNAVAILABLE) {
        fprintf(stderr, "SKIP io_uring case: %s\n", err.message);
        return false;
    }
    ck_assert_msg(status == FLOE_OK, "create: %s", err.message);
    ck_assert_str_eq(floe_io_reader_backend(*reader), which == 0 ? "pread" : "io_uring");
    return true;
}

/* Checks one finished request against the generated file it names. */
static void check_request(const floe_io_request *request, int file)
{
    uint64_t size = sizes[file];
    uint64_t expected = request->offset >= size ? 0 : size - request->offset;
    if (expected > request->length) expected = request->length;
    ck_assert_int_eq(request->status, 0);
    ck_assert_uint_eq(request->bytes_read, expected);
    const unsigned char *bytes = request->destination;
    if (expected > 0) {
        ck_assert_msg(memcmp(bytes, contents[file] + request->offset, expected) == 0,
                      "bytes differ: %s offset %llu length %llu", request->path,
                      (unsigned long long)request->offset, (unsigned long long)request->length);
    }
    /* One assertion per request, not per byte: Check records every assertion it passes. */
    uint64_t untouched = expected;
    while (untouched < request->length && bytes[untouched] == sentinel) untouched++;
    ck_assert_msg(untouched == request->length, "byte %llu past bytes_read was written",
                  (unsigned long long)untouched);
}

/* Fills `requests` with random ranges: inside, crossing the end, empty, at and past the end. */
static void random_requests(floe_io_request *requests, int *files, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        int file = (int)(next_random() % file_count);
        uint64_t size = sizes[file];
        uint64_t offset, length;
        switch (next_random() % 8) {
        case 0: offset = size; length = next_random() % 5000; break;           /* at EOF */
        case 1: offset = size + 1 + next_random() % 5000; length = 100; break; /* past EOF */
        case 2: offset = size ? next_random() % size : 0; length = 0; break;   /* empty */
        case 3: /* crossing EOF */
            offset = size ? next_random() % size : 0;
            length = size - offset + 1 + next_random() % 9000;
            break;
        default:
            offset = size ? next_random() % size : 0;
            length = next_random() % (size - offset + 1);
            break;
        }
        files[i] = file;
        requests[i] = (floe_io_request){paths[file], offset, length, malloc(length + 1), 77, 77};
        memset(requests[i].destination, sentinel, length + 1);
    }
}

static void free_requests(floe_io_request *requests, size_t count)
{
    for (size_t i = 0; i < count; i++) free(requests[i].destination);
}

/* ---- Cases -------------------------------------------------------------------------------- */

static void run_random_batch(int which, unsigned queue_depth, uint64_t max_read_size,
                             size_t count)
{
    floe_io_reader *reader;
    if (!make_reader(which, queue_depth, max_read_size, &reader)) return;
    floe_io_request *requests = malloc(count * sizeof *requests);
    int *files = malloc(count * sizeof *files);
    random_requests(requests, files, count);
    int descriptors_before = open_descriptor_count();
    floe_error err;
    floe_error_clear(&err);
    ck_assert_msg(floe_io_read_batch(reader, requests, count, &err) == FLOE_OK, "%s",
                  err.message);
    ck_assert_int_eq(open_descriptor_count(), descriptors_before);
    for (size_t i = 0; i < count; i++) check_request(&requests[i], files[i]);
    free_requests(requests, count);
    free(requests);
    free(files);
    floe_io_reader_free(reader);
}

START_TEST(many_files_random_ranges)
{
    run_random_batch(_i, 0, 0, 600);
}
END_TEST

/* A read size of 1000 bytes (not a page multiple) makes every range above 1000 bytes take
 * several reads, each continuing where the previous one stopped: the short-read path. */
START_TEST(short_reads_resume_where_they_stopped)
{
    run_random_batch(_i, 0, 1000, 300);
    run_random_batch(_i, 3, 4096, 100);
}
END_TEST

START_TEST(more_requests_than_queue_depth)
{
    run_random_batch(_i, 1, 0, 50);
    run_random_batch(_i, 4, 4096, 400);
}
END_TEST

START_TEST(end_of_file_cases)
{
    floe_io_reader *reader;
    if (!make_reader(_i, 0, 0, &reader)) return;
    int file = 4; /* 4097 bytes */
    uint64_t size = sizes[file];
    unsigned char buffers[7][8192];
    memset(buffers, sentinel, sizeof buffers);
    floe_io_request requests[] = {
        {paths[file], size - 10, 100, buffers[0], 0, 0}, /* crosses EOF: 10 bytes */
        {paths[file], 5, 0, buffers[1], 0, 0},           /* zero length */
        {paths[file], size, 50, buffers[2], 0, 0},       /* starts at EOF */
        {paths[file], size + 4096, 50, buffers[3], 0, 0},/* starts past EOF */
        {paths[0], 0, 10, buffers[4], 0, 0},             /* empty file */
        {paths[file], 0, size, buffers[5], 0, 0},        /* exactly the file */
        {paths[file], 0, 0, NULL, 0, 0},                 /* zero length, no destination */
    };
    size_t count = sizeof requests / sizeof requests[0];
    ck_assert_int_eq(floe_io_read_batch(reader, requests, count, NULL), FLOE_OK);
    ck_assert_uint_eq(requests[0].bytes_read, 10);
    ck_assert_uint_eq(requests[1].bytes_read, 0);
    ck_assert_uint_eq(requests[2].bytes_read, 0);
    ck_assert_uint_eq(requests[3].bytes_read, 0);
    ck_assert_uint_eq(requests[4].bytes_read, 0);
    ck_assert_uint_eq(requests[5].bytes_read, size);
    ck_assert_uint_eq(requests[6].bytes_read, 0);
    for (size_t i = 0; i < count - 2; i++) check_request(&requests[i], i == 4 ? 0 : file);
    ck_assert_int_eq(requests[6].status, 0);
    /* An empty batch is fine. */
    ck_assert_int_eq(floe_io_read_batch(reader, NULL, 0, NULL), FLOE_OK);
    floe_io_reader_free(reader);
}
END_TEST

/* Clears CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the effective set, so that even root is
 * refused a mode-000 file. Returns false when the kernel will not let us. The test runs in
 * Check's forked child, and the capabilities are restored afterwards anyway. */
static bool set_permission_bypass(bool enabled)
{
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &header, data) != 0) return false;
    uint32_t bits = (1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH);
    if (enabled) {
        data[0].effective |= bits & data[0].permitted;
    } else {
        data[0].effective &= ~bits;
    }
    return syscall(SYS_capset, &header, data) == 0;
}

START_TEST(open_failures_are_per_request)
{
    floe_io_reader *reader;
    if (!make_reader(_i, 2, 0, &reader)) return;
    char missing[160], unreadable[160];
    snprintf(missing, sizeof missing, "%s/no-such.parquet", directory);
    snprintf(unreadable, sizeof unreadable, "%s/unreadable-%d.bin", directory, _i);
    write_file(unreadable, (const unsigned char *)"secret", 6);
    ck_assert_int_eq(chmod(unreadable, 0), 0);
    bool dropped = false;
    int probe = open(unreadable, O_RDONLY);
    if (probe >= 0) { /* root: permissions are bypassed unless we give up the capability */
        close(probe);
        dropped = set_permission_bypass(false);
        probe = open(unreadable, O_RDONLY);
        if (probe >= 0) {
            close(probe);
            fprintf(stderr, "SKIP EACCES check: running as root and cannot drop "
                            "CAP_DAC_OVERRIDE; the file is readable\n");
        }
    }
    bool expect_eacces = probe < 0;

    unsigned char buffers[6][4096];
    memset(buffers, sentinel, sizeof buffers);
    floe_io_request requests[] = {
        {paths[3], 0, 4096, buffers[0], 0, 0},
        {missing, 0, 10, buffers[1], 0, 0},
        {paths[2], 100, 3000, buffers[2], 0, 0},
        {directory, 0, 10, buffers[3], 0, 0},
        {unreadable, 0, 6, buffers[4], 0, 0},
        {missing, 0, 0, buffers[5], 0, 0}, /* zero length still reports the missing file */
    };
    floe_error err;
    floe_error_clear(&err);
    int status = floe_io_read_batch(reader, requests, 6, &err);
    if (dropped) set_permission_bypass(true);
    ck_assert_int_eq(status, -ENOENT);
    char expected[256];
    snprintf(expected, sizeof expected, "open %s: No such file or directory", missing);
    ck_assert_str_eq(err.message, expected);
    check_request(&requests[0], 3);
    check_request(&requests[2], 2);
    ck_assert_int_eq(requests[1].status, -ENOENT);
    ck_assert_uint_eq(requests[1].bytes_read, 0);
    ck_assert_int_eq(requests[3].status, -EISDIR);
    ck_assert_int_eq(requests[5].status, -ENOENT);
    ck_assert_uint_eq(buffers[1][0], sentinel);
    if (expect_eacces) {
        ck_assert_int_eq(requests[4].status, -EACCES);
    } else {
        ck_assert_int_eq(requests[4].status, 0);
        ck_assert_uint_eq(requests[4].bytes_read, 6);
    }

    /* The directory alone: its own message. */
    floe_error_clear(&err);
    ck_assert_int_eq(floe_io_read_batch(reader, &requests[3], 1, &err), -EISDIR);
    snprintf(expected, sizeof expected, "open %s: Is a directory", directory);
    ck_assert_str_eq(err.message, expected);
    floe_io_reader_free(reader);
    unlink(unreadable);
}
END_TEST

START_TEST(malformed_requests_are_invalid)
{
    floe_io_reader *reader;
    if (!make_reader(_i, 0, 0, &reader)) return;
    unsigned char buffer[64];
    floe_io_request requests[] = {
        {paths[5], 0, 64, buffer, 0, 0},
        {NULL, 0, 10, buffer, 0, 0},
        {paths[5], 0, 10, NULL, 0, 0},
        {paths[5], UINT64_MAX - 5, 10, buffer, 0, 0},
        {paths[5], (uint64_t)INT64_MAX, 1, buffer, 0, 0},
    };
    floe_error err;
    ck_assert_int_eq(floe_io_read_batch(reader, requests, 5, &err), FLOE_EINVAL);
    ck_assert_msg(strstr(err.message, "read request 1") != NULL, "%s", err.message);
    check_request(&requests[0], 5);
    for (int i = 1; i < 5; i++) ck_assert_int_eq(requests[i].status, FLOE_EINVAL);
    floe_io_reader_free(reader);
}
END_TEST

/* One range over 1 GiB in a sparse file: the default 1 GiB read size splits it, and the bytes
 * on both sides of the split land where they belong. The file is made once and shared by both
 * backends: the first read of its holes fills the page cache, which is the slow part. */
START_TEST(range_over_one_gibibyte)
{
    floe_io_reader *reader;
    if (!make_reader(_i, 0, 0, &reader)) return;
    char path[160];
    snprintf(path, sizeof path, "%s/sparse.bin", directory);
    const uint64_t gib = UINT64_C(1) << 30, size = gib + 8192;
    const uint64_t marks[] = {0, gib - 3, gib, gib + 1, size - 1};
    struct stat info;
    if (stat(path, &info) != 0) {
        int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(ftruncate(fd, (off_t)size), 0);
        for (int i = 0; i < 5; i++) {
            unsigned char value = (unsigned char)(0x11 * (i + 1));
            ck_assert_int_eq(pwrite(fd, &value, 1, (off_t)marks[i]), 1);
        }
        close(fd);
    }
    uint64_t length = size + 1000; /* also crosses EOF */
    unsigned char *buffer = malloc(length);
    ck_assert_ptr_nonnull(buffer);
    memset(buffer + size, sentinel, 1000);
    floe_io_request request = {path, 0, length, buffer, 0, 0};
    ck_assert_int_eq(floe_io_read_batch(reader, &request, 1, NULL), FLOE_OK);
    ck_assert_uint_eq(request.bytes_read, size);
    for (int i = 0; i < 5; i++) ck_assert_uint_eq(buffer[marks[i]], 0x11 * (i + 1));
    ck_assert_uint_eq(buffer[1], 0);
    ck_assert_uint_eq(buffer[gib - 1], 0);
    ck_assert_uint_eq(buffer[gib + 2], 0);
    ck_assert_uint_eq(buffer[size], sentinel);
    free(buffer);
    floe_io_reader_free(reader);
}
END_TEST

START_TEST(allocation_failure_is_clean)
{
    int descriptors_before = open_descriptor_count();
    int creates_failed = 0, batches_failed = 0, succeeded = 0;
    for (long fail_at = 0; fail_at < 8; fail_at++) {
        unsigned char buffers[3][128];
        memset(buffers, sentinel, sizeof buffers);
        floe_io_request requests[] = {
            {paths[6], 10, 128, buffers[0], 0, 0},
            {paths[7], 0, 128, buffers[1], 0, 0},
            {paths[6], 500, 128, buffers[2], 0, 0},
        };
        floe_io_options options = {0, _i == 0 ? FLOE_IO_BACKEND_PREAD : FLOE_IO_BACKEND_URING, 0};
        floe_io_reader *reader = NULL;
        floe_error err;
        floe_set_allocation_failure_after(fail_at);
        int status = floe_io_reader_create(&reader, &options, &err);
        if (status == FLOE_OK) status = floe_io_read_batch(reader, requests, 3, &err);
        floe_set_allocation_failure_after(-1);
        if (status == FLOE_EUNAVAILABLE) {
            fprintf(stderr, "SKIP io_uring case: %s\n", err.message);
            return;
        }
        if (reader == NULL) {
            ck_assert_int_eq(status, FLOE_ENOMEM);
            ck_assert_ptr_null(reader);
            creates_failed++;
        } else if (status == FLOE_ENOMEM) {
            for (int i = 0; i < 3; i++) ck_assert_int_eq(requests[i].status, FLOE_ENOMEM);
            ck_assert_uint_eq(buffers[0][0], sentinel); /* no I/O happened */
            batches_failed++;
        } else {
            ck_assert_int_eq(status, FLOE_OK);
            check_request(&requests[0], 6);
            check_request(&requests[1], 7);
            check_request(&requests[2], 6);
            succeeded++;
        }
        floe_io_reader_free(reader);
    }
    ck_assert_int_eq(creates_failed, 1);
    ck_assert_int_eq(batches_failed, 1);
    ck_assert_int_gt(succeeded, 0);
    ck_assert_int_eq(open_descriptor_count(), descriptors_before);
}
END_TEST

/* The same random batch through both backends gives identical statuses, counts and bytes. */
START_TEST(backends_agree)
{
    floe_io_reader *pread_reader, *uring_reader;
    make_reader(0, 0, 0, &pread_reader);
    if (!make_reader(1, 8, 3000, &uring_reader)) {
        floe_io_reader_free(pread_reader);
        return;
    }
    enum { count = 200 };
    floe_io_request first[count + 1], second[count + 1];
    int files[count];
    random_requests(first, files, count);
    first[count] = (floe_io_request){"/nonexistent/floe/x.parquet", 0, 4, first[0].destination, 0,
                                     0};
    for (size_t i = 0; i < count; i++) {
        second[i] = first[i];
        second[i].destination = malloc(first[i].length + 1);
        memset(second[i].destination, sentinel, first[i].length + 1);
    }
    second[count] = first[count];
    second[count].destination = second[0].destination;
    floe_error err_pread, err_uring;
    int status_pread = floe_io_read_batch(pread_reader, first, count + 1, &err_pread);
    int status_uring = floe_io_read_batch(uring_reader, second, count + 1, &err_uring);
    ck_assert_int_eq(status_pread, -ENOENT);
    ck_assert_int_eq(status_uring, status_pread);
    ck_assert_str_eq(err_uring.message, err_pread.message);
    for (size_t i = 0; i <= count; i++) {
        ck_assert_int_eq(first[i].status, second[i].status);
        ck_assert_uint_eq(first[i].bytes_read, second[i].bytes_read);
        ck_assert(memcmp(first[i].destination, second[i].destination, first[i].length) == 0);
    }
    free_requests(first, count);
    free_requests(second, count);
    floe_io_reader_free(pread_reader);
    floe_io_reader_free(uring_reader);
}
END_TEST

START_TEST(environment_chooses_backend)
{
    floe_io_reader *reader = NULL;
    floe_error err;
    setenv("FLOE_IO", "pread", 1);
    ck_assert_int_eq(floe_io_reader_create(&reader, NULL, &err), FLOE_OK);
    ck_assert_str_eq(floe_io_reader_backend(reader), "pread");
    ck_assert_str_eq(floe_io_reader_fallback_reason(reader), "forced by FLOE_IO=pread");
    floe_io_reader_free(reader);

    setenv("FLOE_IO", "bogus", 1);
    ck_assert_int_eq(floe_io_reader_create(&reader, NULL, &err), FLOE_EINVAL);
    ck_assert_ptr_null(reader);
    ck_assert_str_eq(err.message, "FLOE_IO=bogus: expected uring or pread");

    setenv("FLOE_IO", "uring", 1);
    int status = floe_io_reader_create(&reader, NULL, &err);
    if (status == FLOE_OK) {
        ck_assert_str_eq(floe_io_reader_backend(reader), "io_uring");
        ck_assert_ptr_null(floe_io_reader_fallback_reason(reader));
    } else {
        ck_assert_int_eq(status, FLOE_EUNAVAILABLE);
        ck_assert_msg(strstr(err.message, "FLOE_IO=uring") != NULL, "%s", err.message);
        fprintf(stderr, "note: io_uring refused here: %s\n", err.message);
    }
    floe_io_reader_free(reader);
    unsetenv("FLOE_IO");

    /* An explicit option wins over the environment. */
    setenv("FLOE_IO", "uring", 1);
    floe_io_options options = {0, FLOE_IO_BACKEND_PREAD, 0};
    ck_assert_int_eq(floe_io_reader_create(&reader, &options, &err), FLOE_OK);
    ck_assert_str_eq(floe_io_reader_backend(reader), "pread");
    floe_io_reader_free(reader);
    unsetenv("FLOE_IO");

    options = (floe_io_options){FLOE_IO_MAX_QUEUE_DEPTH + 1, FLOE_IO_BACKEND_AUTO, 0};
    ck_assert_int_eq(floe_io_reader_create(&reader, &options, &err), FLOE_EINVAL);
    options = (floe_io_options){0, FLOE_IO_BACKEND_AUTO, FLOE_IO_DEFAULT_MAX_READ_SIZE + 1};
    ck_assert_int_eq(floe_io_reader_create(&reader, &options, &err), FLOE_EINVAL);
}
END_TEST

START_TEST(read_file_single_range)
{
    unsigned char buffer[5000];
    memset(buffer, sentinel, sizeof buffer);
    uint64_t bytes_read = 99;
    floe_error err;
    ck_assert_int_eq(floe_io_read_file(paths[4], 4000, 200, buffer, &bytes_read, &err), FLOE_OK);
    ck_assert_uint_eq(bytes_read, 97);
    ck_assert(memcmp(buffer, contents[4] + 4000, 97) == 0);
    ck_assert_uint_eq(buffer[97], sentinel);
    char missing[160];
    snprintf(missing, sizeof missing, "%s/gone.parquet", directory);
    ck_assert_int_eq(floe_io_read_file(missing, 0, 10, buffer, &bytes_read, &err), -ENOENT);
    ck_assert_uint_eq(bytes_read, 0);
    char expected[256];
    snprintf(expected, sizeof expected, "open %s: No such file or directory", missing);
    ck_assert_str_eq(err.message, expected);
    ck_assert_int_eq(floe_io_read_file(directory, 0, 10, buffer, &bytes_read, &err), -EISDIR);
    ck_assert_int_eq(floe_io_read_file(paths[4], 0, 10, NULL, &bytes_read, &err), FLOE_EINVAL);
    ck_assert_int_eq(floe_io_read_file(paths[3], 0, sizeof buffer, buffer, &bytes_read, NULL),
                     FLOE_OK);
    ck_assert_uint_eq(bytes_read, sizes[3]);
    ck_assert(memcmp(buffer, contents[3], sizes[3]) == 0);
}
END_TEST

int main(void)
{
    make_files();
    Suite *suite = suite_create("file_reader");
    TCase *both = tcase_create("both_backends"); /* loop index 0 = pread, 1 = io_uring */
    tcase_set_timeout(both, 120);
    tcase_add_loop_test(both, many_files_random_ranges, 0, 2);
    tcase_add_loop_test(both, short_reads_resume_where_they_stopped, 0, 2);
    tcase_add_loop_test(both, more_requests_than_queue_depth, 0, 2);
    tcase_add_loop_test(both, end_of_file_cases, 0, 2);
    tcase_add_loop_test(both, open_failures_are_per_request, 0, 2);
    tcase_add_loop_test(both, malformed_requests_are_invalid, 0, 2);
    tcase_add_loop_test(both, range_over_one_gibibyte, 0, 2);
    tcase_add_loop_test(both, allocation_failure_is_clean, 0, 2);
    suite_add_tcase(suite, both);
    TCase *other = tcase_create("other");
    tcase_add_test(other, backends_agree);
    tcase_add_test(other, environment_chooses_backend);
    tcase_add_test(other, read_file_single_range);
    suite_add_tcase(suite, other);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    remove_files();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
