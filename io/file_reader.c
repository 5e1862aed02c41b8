/*
 * file_reader.c — batched range reads over io_uring, with pread(2) where io_uring is refused
 * (contract in file_reader.h).
 *
 * Why io_uring: a refresh reads many column chunks scattered over many files; issuing them all at
 * once lets the kernel and the device overlap them, where pread would wait for each in turn.
 * Why a pread path at all: containers and hardened kernels commonly refuse io_uring, and the
 * engine must still work there, with the same results.
 *
 * Both backends share everything but the loop that issues reads: validation, the per-call file
 * table, and the rule that turns a request's outcome into its status. Each request is a cursor
 * (offset + bytes_read); a read asks for min(remaining, max_read_size) at the cursor, a positive
 * result advances it, 0 means end of file. Splitting large ranges and resuming short reads are
 * therefore the same code, and the pread loop is the reference the io_uring loop must match.
 */
#define _GNU_SOURCE /* pread, O_CLOEXEC under -std=c11 */
#include "file_reader.h"

#include "kernels/memory.h" /* floe_malloc, floe_calloc, floe_free */

#include <errno.h>
#include <fcntl.h>
#include <liburing.h> /* io_uring_queue_init, io_uring_prep_read, io_uring_get_probe_ring */
#include <pthread.h>  /* pthread_once: the process-wide io_uring probe */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
    reason_size = 192,
    max_eagain_retries = 100,
};

struct floe_io_reader {
    floe_io_backend backend;      /* URING or PREAD, never AUTO */
    unsigned queue_depth;         /* reads in flight at most */
    uint64_t max_read_size;       /* bytes per read */
    bool ring_initialized;        /* `ring` must be torn down */
    struct io_uring ring;
    char fallback_reason[reason_size]; /* why not io_uring; empty when io_uring is used */
};

/* ---- The process-wide probe: is io_uring usable here at all? -------------------------------- */

static pthread_once_t probe_once = PTHREAD_ONCE_INIT;
static int probe_status;                 /* 0: usable; else the refusal */
static char probe_reason[reason_size];   /* the refusal in words */

static void probe_uring(void)
{
    struct io_uring ring;
    int status = io_uring_queue_init(2, &ring, 0);
    if (status < 0) {
        probe_status = status;
        snprintf(probe_reason, sizeof probe_reason, "io_uring_queue_init: %s", strerror(-status));
        return;
    }
    /* IORING_OP_READ arrived in Linux 5.6, together with the probe interface itself, so a
     * kernel that cannot answer the probe cannot do the read either. */
    struct io_uring_probe *probe = io_uring_get_probe_ring(&ring);
    if (probe == NULL || !io_uring_opcode_supported(probe, IORING_OP_READ)) {
        probe_status = FLOE_EUNSUPPORTED;
        snprintf(probe_reason, sizeof probe_reason,
                 "kernel lacks IORING_OP_READ (needs Linux 5.6 or later)");
    }
    if (probe != NULL) io_uring_free_probe(probe);
    io_uring_queue_exit(&ring);
}

/* ---- Reader lifetime ------------------------------------------------------------------------ */

static int choose_backend(const floe_io_options *options, floe_io_backend *backend,
                          const char **forced_by, floe_error *err)
{
    *forced_by = NULL;
    *backend = options->backend;
    if (*backend == FLOE_IO_BACKEND_URING || *backend == FLOE_IO_BACKEND_PREAD) {
        *forced_by = "forced by the reader's options";
        return FLOE_OK;
    }
    FLOE_RETURN_IF(*backend != FLOE_IO_BACKEND_AUTO, FLOE_EINVAL, err,
                   "io reader: unknown backend %d", (int)*backend);
    const char *environment = getenv("FLOE_IO");
    if (environment == NULL || environment[0] == '\0') return FLOE_OK;
    if (strcmp(environment, "uring") == 0 || strcmp(environment, "io_uring") == 0) {
        *backend = FLOE_IO_BACKEND_URING;
        *forced_by = "forced by FLOE_IO=uring";
    } else if (strcmp(environment, "pread") == 0) {
        *backend = FLOE_IO_BACKEND_PREAD;
        *forced_by = "forced by FLOE_IO=pread";
    } else {
        return floe_error_set(err, FLOE_EINVAL, "FLOE_IO=%s: expected uring or pread",
                              environment);
    }
    return FLOE_OK;
}

int floe_io_reader_create(floe_io_reader **out, const floe_io_options *options, floe_error *err)
{
    FLOE_RETURN_IF(out == NULL, FLOE_EINVAL, err, "io reader: NULL output pointer");
    *out = NULL;
    floe_io_options defaults = {0};
    if (options == NULL) options = &defaults;
    unsigned queue_depth = options->queue_depth ? options->queue_depth : FLOE_IO_DEFAULT_QUEUE_DEPTH;
    FLOE_RETURN_IF(queue_depth > FLOE_IO_MAX_QUEUE_DEPTH, FLOE_EINVAL, err,
                   "io reader: queue depth %u exceeds %u", queue_depth, FLOE_IO_MAX_QUEUE_DEPTH);
    uint64_t max_read_size = options->max_read_size ? options->max_read_size
                                                    : FLOE_IO_DEFAULT_MAX_READ_SIZE;
    FLOE_RETURN_IF(max_read_size > FLOE_IO_DEFAULT_MAX_READ_SIZE, FLOE_EINVAL, err,
                   "io reader: max read size %llu exceeds 1 GiB",
                   (unsigned long long)max_read_size);
    floe_io_backend backend;
    const char *forced_by;
    FLOE_TRY(choose_backend(options, &backend, &forced_by, err));

    floe_io_reader *reader = floe_calloc(1, sizeof *reader);
    FLOE_RETURN_IF(reader == NULL, FLOE_ENOMEM, err, "io reader: out of memory");
    reader->queue_depth = queue_depth;
    reader->max_read_size = max_read_size;

    if (backend == FLOE_IO_BACKEND_PREAD) {
        reader->backend = FLOE_IO_BACKEND_PREAD;
        snprintf(reader->fallback_reason, sizeof reader->fallback_reason, "%s", forced_by);
        *out = reader;
        return FLOE_OK;
    }
    pthread_once(&probe_once, probe_uring);
    int status = probe_status;
    if (status == 0) {
        status = io_uring_queue_init(queue_depth, &reader->ring, 0);
        if (status < 0) {
            snprintf(reader->fallback_reason, sizeof reader->fallback_reason,
                     "io_uring_queue_init(%u entries): %s", queue_depth, strerror(-status));
        }
    } else {
        snprintf(reader->fallback_reason, sizeof reader->fallback_reason, "%s", probe_reason);
    }
    if (status < 0) {
        if (backend == FLOE_IO_BACKEND_URING) {
            floe_error_set(err, FLOE_EUNAVAILABLE, "io_uring (%s) is unavailable: %s", forced_by,
                           reader->fallback_reason);
            floe_free(reader);
            return FLOE_EUNAVAILABLE;
        }
        reader->backend = FLOE_IO_BACKEND_PREAD;
        *out = reader;
        return FLOE_OK;
    }
    reader->ring_initialized = true;
    reader->backend = FLOE_IO_BACKEND_URING;
    *out = reader;
    return FLOE_OK;
}

void floe_io_reader_free(floe_io_reader *reader)
{
    if (reader == NULL) return;
    if (reader->ring_initialized) io_uring_queue_exit(&reader->ring);
    floe_free(reader);
}

const char *floe_io_reader_backend(const floe_io_reader *reader)
{
    return reader->backend == FLOE_IO_BACKEND_URING ? "io_uring" : "pread";
}

const char *floe_io_reader_fallback_reason(const floe_io_reader *reader)
{
    return reader->backend == FLOE_IO_BACKEND_URING ? NULL : reader->fallback_reason;
}

/* ---- Per-call bookkeeping: the file table and each request's progress ----------------------- */

enum { no_file = UINT32_MAX };

typedef struct open_file {
    const char *path;  /* borrowed from the first request naming it */
    int fd;            /* -1 when open_status < 0 */
    int open_status;   /* 0 or -errno from open/fstat */
} open_file;

typedef enum request_state {
    request_waiting = 0, /* has bytes to read, no read in the ring */
    request_in_ring,     /* one read prepared or in flight */
    request_done,        /* status and bytes_read are final */
} request_state;

typedef struct request_progress {
    uint32_t file;        /* index into files, no_file for an invalid request */
    uint8_t state;        /* request_state */
    uint8_t eagain_count; /* EAGAIN results so far */
} request_progress;

typedef struct batch {
    floe_io_request *requests;
    size_t count;
    request_progress *progress; /* one per request */
    open_file *files;           /* distinct paths, in order of first appearance */
    size_t file_count;
    uint32_t *slots;            /* hash of path -> file index + 1, 0 = empty */
    size_t slot_mask;
    void *block;                /* the one allocation behind progress, files and slots */
} batch;

static uint64_t hash_path(const char *path)
{
    uint64_t hash = UINT64_C(14695981039346656037); /* FNV-1a: short keys, no dependency */
    for (const unsigned char *p = (const unsigned char *)path; *p != '\0'; p++) {
        hash = (hash ^ *p) * UINT64_C(1099511628211);
    }
    return hash;
}

static int open_for_reading(const char *path)
{
    int fd;
    do {
        fd = open(path, O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return -errno;
    /* open() accepts a directory for reading; catch it here so both backends report the same
     * -EISDIR at open time rather than whatever the first read says. */
    struct stat info;
    if (fstat(fd, &info) != 0) {
        int status = -errno;
        close(fd);
        return status;
    }
    if (S_ISDIR(info.st_mode)) {
        close(fd);
        return -EISDIR;
    }
    return fd;
}

/* Finds or opens the file of `path`; returns its index. Never fails: an open failure is kept in
 * the table entry so every request on that path shares it. */
static uint32_t file_for_path(batch *b, const char *path)
{
    size_t slot = (size_t)hash_path(path) & b->slot_mask;
    while (b->slots[slot] != 0) {
        uint32_t index = b->slots[slot] - 1;
        if (strcmp(b->files[index].path, path) == 0) return index;
        slot = (slot + 1) & b->slot_mask;
    }
    uint32_t index = (uint32_t)b->file_count++;
    b->slots[slot] = index + 1;
    int fd = open_for_reading(path);
    b->files[index] = (open_file){path, fd < 0 ? -1 : fd, fd < 0 ? fd : 0};
    return index;
}

static bool request_is_valid(const floe_io_request *request)
{
    if (request->path == NULL) return false;
    if (request->length > 0 && request->destination == NULL) return false;
    if (request->offset > (uint64_t)INT64_MAX) return false;
    if (request->length > (uint64_t)INT64_MAX - request->offset) return false;
    if (request->length > SIZE_MAX) return false;
    return true;
}

static int batch_begin(batch *b, floe_io_request *requests, size_t count)
{
    *b = (batch){.requests = requests, .count = count};
    for (size_t i = 0; i < count; i++) {
        requests[i].bytes_read = 0;
        requests[i].status = 0;
    }
    if (count == 0) return FLOE_OK;
    size_t slot_count = 8;
    while (slot_count < count * 2) {
        if (slot_count > SIZE_MAX / 4) goto no_memory;
        slot_count *= 2;
    }
    if (count > UINT32_MAX - 1) goto no_memory; /* file indexes are 32-bit */
    /* One block, laid out widest-alignment first: files, progress, slots. */
    size_t files_size = count * sizeof(open_file);
    size_t progress_size = count * sizeof(request_progress);
    size_t slots_size = slot_count * sizeof(uint32_t);
    if (count > SIZE_MAX / (sizeof(open_file) + sizeof(request_progress)) ||
        slots_size > SIZE_MAX - files_size - progress_size) {
        goto no_memory;
    }
    b->block = floe_malloc(files_size + progress_size + slots_size);
    if (b->block == NULL) goto no_memory;
    b->files = b->block;
    b->progress = (request_progress *)((unsigned char *)b->block + files_size);
    b->slots = (uint32_t *)((unsigned char *)b->block + files_size + progress_size);
    memset(b->slots, 0, slots_size);
    b->slot_mask = slot_count - 1;

    for (size_t i = 0; i < count; i++) {
        floe_io_request *request = &requests[i];
        request_progress *progress = &b->progress[i];
        *progress = (request_progress){.file = no_file, .state = request_done};
        if (!request_is_valid(request)) {
            request->status = FLOE_EINVAL;
            continue;
        }
        progress->file = file_for_path(b, request->path);
        const open_file *file = &b->files[progress->file];
        if (file->open_status < 0) {
            request->status = file->open_status;
        } else if (request->length > 0) {
            progress->state = request_waiting;
        }
    }
    return FLOE_OK;

no_memory:
    for (size_t i = 0; i < count; i++) requests[i].status = FLOE_ENOMEM;
    return FLOE_ENOMEM;
}

static void batch_end(batch *b)
{
    for (size_t i = 0; i < b->file_count; i++) {
        if (b->files[i].fd >= 0) close(b->files[i].fd);
    }
    floe_free(b->block);
    b->block = NULL;
}

/* The status and message of the whole call: the first failed request in array order. */
static int batch_result(const batch *b, floe_error *err)
{
    for (size_t i = 0; i < b->count; i++) {
        const floe_io_request *request = &b->requests[i];
        if (request->status == 0) continue;
        if (request->status == FLOE_EINVAL) {
            return floe_error_set(err, FLOE_EINVAL,
                                  "read request %zu (%s): invalid (NULL path or destination, or "
                                  "offset %llu + length %llu past 2^63 - 1)",
                                  i, request->path ? request->path : "NULL path",
                                  (unsigned long long)request->offset,
                                  (unsigned long long)request->length);
        }
        const open_file *file = &b->files[b->progress[i].file];
        if (file->open_status < 0) {
            return floe_error_set(err, request->status, "open %s: %s", request->path,
                                  floe_status_name(request->status));
        }
        return floe_error_set(err, request->status, "read %s at offset %llu: %s", request->path,
                              (unsigned long long)(request->offset + request->bytes_read),
                              floe_status_name(request->status));
    }
    return FLOE_OK;
}

/* Bytes the next read of `request` asks for. */
static size_t next_read_size(const floe_io_reader *reader, const floe_io_request *request)
{
    uint64_t remaining = request->length - request->bytes_read;
    return (size_t)(remaining < reader->max_read_size ? remaining : reader->max_read_size);
}

static void pause_briefly(void)
{
    struct timespec delay = {0, 1000000}; /* 1 ms: let whatever is short of resources recover */
    nanosleep(&delay, NULL);
}

/* Applies one read's result to its request: the rule both backends share. Returns true when the
 * request needs another read. */
static bool apply_read_result(batch *b, size_t index, long long result)
{
    floe_io_request *request = &b->requests[index];
    request_progress *progress = &b->progress[index];
    if (result == -EINTR) return true;
    if (result == -EAGAIN && progress->eagain_count < max_eagain_retries) {
        progress->eagain_count++;
        pause_briefly();
        return true;
    }
    if (result < 0) {
        request->status = (int)result;
        progress->state = request_done;
        return false;
    }
    if (result == 0) { /* end of file inside the range: a short, successful read */
        progress->state = request_done;
        return false;
    }
    request->bytes_read += (uint64_t)result;
    if (request->bytes_read >= request->length) {
        progress->state = request_done;
        return false;
    }
    return true;
}

/* ---- The pread backend: one read at a time, the reference behaviour ------------------------- */

static void pread_request(const floe_io_reader *reader, batch *b, size_t index)
{
    floe_io_request *request = &b->requests[index];
    int fd = b->files[b->progress[index].file].fd;
    for (;;) {
        ssize_t result = pread(fd, (unsigned char *)request->destination + request->bytes_read,
                               next_read_size(reader, request),
                               (off_t)(request->offset + request->bytes_read));
        if (!apply_read_result(b, index, result < 0 ? -(long long)errno : (long long)result)) {
            return;
        }
    }
}

static void pread_batch(const floe_io_reader *reader, batch *b)
{
    for (size_t i = 0; i < b->count; i++) {
        if (b->progress[i].state != request_done) pread_request(reader, b, i);
    }
}

/* ---- The io_uring backend ------------------------------------------------------------------- */

/* Queues the next read of request `index`; false when no submission entry is free even after
 * handing the queued ones to the kernel (the ring is then unusable). */
static bool uring_queue_read(floe_io_reader *reader, batch *b, size_t index)
{
    struct io_uring_sqe *entry = io_uring_get_sqe(&reader->ring);
    if (entry == NULL) {
        io_uring_submit(&reader->ring);
        entry = io_uring_get_sqe(&reader->ring);
        if (entry == NULL) return false;
    }
    floe_io_request *request = &b->requests[index];
    io_uring_prep_read(entry, b->files[b->progress[index].file].fd,
                       (unsigned char *)request->destination + request->bytes_read,
                       (unsigned)next_read_size(reader, request),
                       request->offset + request->bytes_read);
    io_uring_sqe_set_data64(entry, (uint64_t)index);
    b->progress[index].state = request_in_ring;
    return true;
}

/* The ring failed in a way retrying cannot fix: wait for the reads the kernel already has, leave
 * the rest for pread, and drop the ring for good. Entries queued but never submitted are never
 * consumed, since nothing enters the ring again before it is torn down. */
static void uring_abandon(floe_io_reader *reader, batch *b, unsigned kernel_in_flight, int why)
{
    while (kernel_in_flight > 0) {
        struct io_uring_cqe *completion;
        int status = io_uring_wait_cqe(&reader->ring, &completion);
        if (status == -EINTR) continue;
        if (status < 0) break;
        size_t index = (size_t)io_uring_cqe_get_data64(completion);
        if (index < b->count && apply_read_result(b, index, completion->res)) {
            b->progress[index].state = request_waiting;
        }
        io_uring_cqe_seen(&reader->ring, completion);
        kernel_in_flight--;
    }
    for (size_t i = 0; i < b->count; i++) {
        if (b->progress[i].state == request_in_ring) b->progress[i].state = request_waiting;
    }
    io_uring_queue_exit(&reader->ring);
    reader->ring_initialized = false;
    reader->backend = FLOE_IO_BACKEND_PREAD;
    snprintf(reader->fallback_reason, sizeof reader->fallback_reason,
             "io_uring failed during a batch: %s", strerror(-why));
    pread_batch(reader, b);
}

static void uring_batch(floe_io_reader *reader, batch *b)
{
    size_t next = 0;           /* requests before this one have had their first read queued */
    unsigned in_ring = 0;      /* reads queued or in flight */
    unsigned unsubmitted = 0;  /* of those, not yet handed to the kernel */
    unsigned busy_retries = 0;
    for (;;) {
        while (in_ring < reader->queue_depth && next < b->count) {
            size_t index = next++;
            if (b->progress[index].state != request_waiting) continue;
            if (!uring_queue_read(reader, b, index)) {
                uring_abandon(reader, b, in_ring - unsubmitted, -EBUSY);
                return;
            }
            in_ring++;
            unsubmitted++;
        }
        if (in_ring == 0) return;

        int submitted = io_uring_submit_and_wait(&reader->ring, 1);
        if (submitted >= 0) {
            unsubmitted -= (unsigned)submitted < unsubmitted ? (unsigned)submitted : unsubmitted;
            busy_retries = 0;
        } else if (submitted == -EINTR) {
            continue;
        } else if ((submitted == -EAGAIN || submitted == -EBUSY) &&
                   busy_retries++ < max_eagain_retries) {
            /* The kernel is short of resources or completions are piling up: reap what is
             * there (or pause when nothing is in flight) and try again. */
            if (in_ring == unsubmitted) pause_briefly();
        } else {
            uring_abandon(reader, b, in_ring - unsubmitted, submitted);
            return;
        }

        struct io_uring_cqe *completion;
        while (io_uring_peek_cqe(&reader->ring, &completion) == 0) {
            size_t index = (size_t)io_uring_cqe_get_data64(completion);
            int result = completion->res;
            io_uring_cqe_seen(&reader->ring, completion);
            in_ring--;
            if (index >= b->count) continue; /* not ours: cannot happen with a private ring */
            if (apply_read_result(b, index, result)) {
                if (!uring_queue_read(reader, b, index)) {
                    b->progress[index].state = request_waiting;
                    uring_abandon(reader, b, in_ring - unsubmitted, -EBUSY);
                    return;
                }
                in_ring++;
                unsubmitted++;
            }
        }
    }
}

/* ---- Entry points ----------------------------------------------------------------------------- */

int floe_io_read_batch(floe_io_reader *reader, floe_io_request *requests, size_t count,
                       floe_error *err)
{
    FLOE_RETURN_IF(reader == NULL, FLOE_EINVAL, err, "read batch: NULL reader");
    FLOE_RETURN_IF(requests == NULL && count > 0, FLOE_EINVAL, err, "read batch: NULL requests");
    batch b;
    int status = batch_begin(&b, requests, count);
    FLOE_RETURN_IF(status == FLOE_ENOMEM, FLOE_ENOMEM, err,
                   "read batch of %zu requests: out of memory", count);
    if (reader->backend == FLOE_IO_BACKEND_URING) {
        uring_batch(reader, &b);
    } else {
        pread_batch(reader, &b);
    }
    status = batch_result(&b, err);
    batch_end(&b);
    return status;
}

int floe_io_read_file(const char *path, uint64_t offset, uint64_t length, void *destination,
                      uint64_t *bytes_read, floe_error *err)
{
    FLOE_RETURN_IF(bytes_read == NULL, FLOE_EINVAL, err, "read file: NULL bytes_read");
    *bytes_read = 0;
    /* A one-request batch on the stack: no allocation, the same open, validation, read loop and
     * messages as the batched path. */
    floe_io_request request = {path, offset, length, destination, 0, 0};
    floe_io_reader reader = {.backend = FLOE_IO_BACKEND_PREAD,
                             .queue_depth = 1,
                             .max_read_size = FLOE_IO_DEFAULT_MAX_READ_SIZE};
    open_file file = {path, -1, 0};
    request_progress progress = {.file = no_file, .state = request_done};
    batch b = {.requests = &request, .count = 1, .progress = &progress, .files = &file};
    if (!request_is_valid(&request)) {
        request.status = FLOE_EINVAL;
    } else {
        progress.file = 0;
        b.file_count = 1;
        int fd = open_for_reading(path);
        file.fd = fd < 0 ? -1 : fd;
        file.open_status = fd < 0 ? fd : 0;
        if (fd < 0) {
            request.status = fd;
        } else if (length > 0) {
            progress.state = request_waiting;
            pread_request(&reader, &b, 0);
        }
    }
    int status = batch_result(&b, err);
    if (file.fd >= 0) close(file.fd);
    *bytes_read = request.bytes_read;
    return status;
}

static pthread_once_t summary_once = PTHREAD_ONCE_INIT;
static char summary[reason_size + FLOE_ERROR_MESSAGE_SIZE];

static void build_summary(void)
{
    floe_io_reader *reader = NULL;
    floe_error err;
    floe_error_clear(&err);
    int status = floe_io_reader_create(&reader, NULL, &err);
    if (status < 0) {
        snprintf(summary, sizeof summary, "none (%s)",
                 err.message[0] ? err.message : floe_status_name(status));
    } else if (reader->backend == FLOE_IO_BACKEND_URING) {
        snprintf(summary, sizeof summary, "io_uring");
    } else if (strncmp(reader->fallback_reason, "forced", 6) == 0) {
        snprintf(summary, sizeof summary, "pread (io_uring not used: %s)", reader->fallback_reason);
    } else {
        snprintf(summary, sizeof summary, "pread (io_uring unavailable: %s)",
                 reader->fallback_reason);
    }
    floe_io_reader_free(reader);
}

const char *floe_io_default_backend_summary(void)
{
    pthread_once(&summary_once, build_summary);
    return summary;
}
