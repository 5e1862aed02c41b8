/*
 * file_reader.h — read many byte ranges of local files in one batch: io_uring where the kernel
 * allows it, plain pread(2) where it does not.
 *
 * The engine hands the reader "these byte ranges (column chunks) of these files". The reader
 * opens each distinct path once for the call, keeps up to queue_depth reads in flight, continues
 * short reads from where they stopped until the range is full or the file ends, and returns when
 * every request has finished. Both backends produce identical results (bytes, bytes_read, status).
 *
 * Choosing the backend, once, at floe_io_reader_create:
 *   - options->backend FLOE_IO_BACKEND_URING / _PREAD forces one (tests use this);
 *   - otherwise (AUTO) the environment variable FLOE_IO=uring|io_uring|pread forces one, and any
 *     other non-empty value is FLOE_EINVAL;
 *   - otherwise io_uring if the kernel accepts a ring and supports IORING_OP_READ, else pread.
 *     Containers often refuse io_uring (io_uring_queue_init fails with EPERM, ENOSYS or ENOMEM);
 *     the first refusal is remembered for the whole process so later readers do not ask again,
 *     and floe_io_reader_fallback_reason says why.
 *   Forcing io_uring where it is unavailable fails with FLOE_EUNAVAILABLE and the kernel's reason.
 *
 * Results, per request (status and bytes_read are always set, whatever the call returns):
 *   - status 0, bytes_read == length: the whole range was read.
 *   - status 0, bytes_read < length: the file ended inside the range (a range starting at or past
 *     the end reads 0 bytes). This is NOT an error here: whether a short column chunk is
 *     corruption is for the caller (the Parquet decoder) to decide.
 *   - status -errno: the file could not be opened (-ENOENT, -EACCES, -EISDIR for a directory...)
 *     or a read failed; bytes_read says how much was read before the failure.
 *   - status FLOE_EINVAL: the request itself is malformed (NULL path, NULL destination with a
 *     non-zero length, offset + length beyond 2^63 - 1).
 *   A zero-length request reads nothing but still opens its file, so a missing file is reported.
 *   Bytes of destination past bytes_read are left untouched.
 *
 * floe_io_read_batch returns 0 when every request has status 0, else the status of the first
 * failed request in array order, with a message naming it ("open /x/y.parquet: No such file or
 * directory", "read /x/y.parquet at offset 4096: Input/output error"); the other requests are
 * still completed. It returns FLOE_ENOMEM, before any I/O and with every status set to
 * FLOE_ENOMEM, when its per-call bookkeeping (one allocation) cannot be made.
 *
 * Limits, chosen for simplicity: one read per request is in flight at a time (parallelism comes
 * from many requests); a single read asks for at most max_read_size bytes (1 GiB by default,
 * below the kernel's ~2 GiB per-read cap and io_uring's 32-bit length), so larger ranges are
 * read in pieces; every distinct path of a batch is held open for the duration of the call, so
 * one batch should not name more files than the process may open (EMFILE is reported per file).
 * EINTR is always retried and EAGAIN up to 100 times per request.
 *
 * Memory: the caller owns the requests, their paths and destinations; they must stay valid until
 * the call returns. The reader owns its ring. A reader is used by one thread at a time.
 */
#ifndef FLOE_IO_FILE_READER_H
#define FLOE_IO_FILE_READER_H

#include "kernels/status.h" /* floe_error */

#include <stddef.h>
#include <stdint.h>

typedef enum floe_io_backend {
    FLOE_IO_BACKEND_AUTO = 0,  /* FLOE_IO if set, else io_uring if available, else pread */
    FLOE_IO_BACKEND_URING = 1, /* io_uring or FLOE_EUNAVAILABLE */
    FLOE_IO_BACKEND_PREAD = 2, /* plain pread(2), one read at a time */
} floe_io_backend;

#define FLOE_IO_DEFAULT_QUEUE_DEPTH 64u
#define FLOE_IO_MAX_QUEUE_DEPTH 4096u
#define FLOE_IO_DEFAULT_MAX_READ_SIZE (UINT64_C(1) << 30)

typedef struct floe_io_options {
    unsigned queue_depth;    /* reads in flight at once; 0 = 64, at most 4096 */
    floe_io_backend backend; /* see "Choosing the backend" above */
    uint64_t max_read_size;  /* bytes per read syscall/submission; 0 = 1 GiB. Smaller values
                                split every range into pieces (tests use it to drive the
                                short-read path); must be >= 1 and <= 1 GiB */
} floe_io_options;

typedef struct floe_io_request {
    const char *path;    /* in: the file */
    uint64_t offset;     /* in: first byte of the range */
    uint64_t length;     /* in: bytes wanted */
    void *destination;   /* in: caller-owned, at least `length` bytes */
    uint64_t bytes_read; /* out: bytes placed at destination */
    int status;          /* out: 0 or a negative status, see above */
} floe_io_request;

typedef struct floe_io_reader floe_io_reader;

/* Creates a reader; options NULL means defaults. Errors: FLOE_EINVAL (bad options or FLOE_IO
 * value), FLOE_EUNAVAILABLE (io_uring forced but refused), FLOE_ENOMEM. *out is NULL on error. */
int floe_io_reader_create(floe_io_reader **out, const floe_io_options *options, floe_error *err);
void floe_io_reader_free(floe_io_reader *reader);

/* "io_uring" or "pread" (static strings). A reader whose ring fails mid-batch in a way that
 * cannot be retried finishes that batch with pread and stays on pread from then on. */
const char *floe_io_reader_backend(const floe_io_reader *reader);

/* Why this reader is not using io_uring ("io_uring_queue_init: Operation not permitted",
 * "forced by FLOE_IO=pread"); NULL when it is. Valid as long as the reader. */
const char *floe_io_reader_fallback_reason(const floe_io_reader *reader);

/* Reads every request; see the contract above. count 0 is allowed; requests may be NULL then. */
int floe_io_read_batch(floe_io_reader *reader, floe_io_request *requests, size_t count,
                       floe_error *err);

/* One range of one file with pread, no reader needed (footers, small metadata files). Same
 * results and messages as a one-request batch: returns that request's status and stores its
 * bytes_read in *bytes_read (required, not NULL). */
int floe_io_read_file(const char *path, uint64_t offset, uint64_t length, void *destination,
                      uint64_t *bytes_read, floe_error *err);

/* One line for `floe-engine info`: "io_uring", "pread (io_uring unavailable: <reason>)", or the
 * error that creating a default reader gives. Computed once per process (FLOE_IO is read then). */
const char *floe_io_default_backend_summary(void);

#endif
