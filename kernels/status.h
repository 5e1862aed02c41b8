/*
 * status.h — how every Floe function reports failure.
 *
 * One integer status: 0 is success, negative is failure. Failures of the operating system are
 * returned as -errno (as liburing does; errno itself is never relied on). Failures of Floe's own
 * are the FLOE_E* codes below, all far below -4095 so they can never collide with -errno.
 *
 * Alongside the code, a caller may pass a floe_error to receive one line of text naming what
 * failed and where ("data/f1.parquet: column 'price': page 3: crc mismatch"). Every function that
 * takes a floe_error * accepts NULL. Messages are built innermost-first and callers add context
 * in front with floe_error_prefix, so the final line reads outermost to innermost.
 *
 * The library never prints, exits or aborts on bad input; only tools/ prints.
 */
#ifndef FLOE_KERNELS_STATUS_H
#define FLOE_KERNELS_STATUS_H

#include <stddef.h>

enum {
    FLOE_OK = 0,
    FLOE_EINVAL = -10001,      /* a caller broke a function's contract (bad argument) */
    FLOE_ENOMEM = -10002,      /* an allocation failed or a limit on memory was reached */
    FLOE_ECORRUPT = -10003,    /* bytes read from a file are not what the format allows */
    FLOE_ENOTFOUND = -10004,   /* a named table, column, file or snapshot does not exist */
    FLOE_EUNSUPPORTED = -10005,/* valid input that Floe does not handle (yet) */
    FLOE_ECONFLICT = -10006,   /* an optimistic commit lost to another writer */
    FLOE_ESYNTAX = -10007,     /* malformed SQL or command-line input */
    FLOE_ETYPE = -10008,       /* a type mismatch found while binding or evaluating */
    FLOE_ERANGE = -10009,      /* arithmetic overflow, division by zero, value out of range */
    FLOE_EUNAVAILABLE = -10010,/* a facility is missing here (e.g. io_uring refused by the kernel) */
};

#define FLOE_ERROR_MESSAGE_SIZE 1024

typedef struct floe_error {
    int code;                              /* the status last set, FLOE_OK if none */
    char message[FLOE_ERROR_MESSAGE_SIZE]; /* NUL-terminated, truncated if too long */
} floe_error;

/* Clears err (no-op on NULL). */
void floe_error_clear(floe_error *err);

/* Sets err's code and formats its message; returns code so it can end a `return` statement.
 * With err == NULL it only returns code. */
int floe_error_set(floe_error *err, int code, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Puts "<formatted>: " in front of the existing message (context from an outer layer).
 * Returns err->code (or FLOE_EINVAL with err == NULL, which callers only use on error paths). */
int floe_error_prefix(floe_error *err, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* A short, static, human name for a status code: "corrupt input", "No such file or directory"… */
const char *floe_status_name(int code);

/* Returns from the calling function with `code` and a message when `condition` holds. */
#define FLOE_RETURN_IF(condition, code, err, ...)                   \
    do {                                                            \
        if (condition) return floe_error_set((err), (code), __VA_ARGS__); \
    } while (0)

/* Evaluates a status expression and returns it from the caller when it failed. */
#define FLOE_TRY(expression)                 \
    do {                                     \
        int floe_try_status_ = (expression); \
        if (floe_try_status_ < 0) return floe_try_status_; \
    } while (0)

#endif
