/*
 * fs_util.h — small, careful file-system helpers for the catalog and every writer of table files.
 *
 * What each helper promises:
 *   - floe_io_write_file_durable creates a NEW file (O_EXCL: an existing name is -EEXIST, never
 *     overwritten), writes every byte (short writes and EINTR are continued), fsyncs it and closes
 *     it. On any failure after creating the file it unlinks it, so a failed call leaves no file.
 *     The directory entry is NOT made durable here: callers fsync the directory once after
 *     writing all their files (floe_io_fsync_directory), which is what the commit protocol does.
 *   - floe_io_fsync_directory opens a directory read-only and fsyncs it, so the names created
 *     in it survive a crash.
 *   - floe_io_make_directories is `mkdir -p` (mode 0755): it creates each missing component and
 *     fsyncs the parent of every directory it created. A component that exists but is not a
 *     directory is -ENOTDIR; a path below a regular file is -ENOTDIR too.
 *   - floe_io_random_uuid writes a random (version 4) UUID as 36 lowercase characters plus NUL,
 *     from getrandom(2), or /dev/urandom where getrandom is unavailable.
 *   - floe_io_path_join writes "<first>/<second>" into a caller buffer (one '/' between them,
 *     whatever trailing or leading slashes the parts have); a result that does not fit is
 *     FLOE_ERANGE, never truncated.
 *   - floe_io_read_small_file reads a whole file of at most max_size bytes into a floe_malloc'ed
 *     buffer with a NUL appended (not counted in *size); a larger file is FLOE_ERANGE.
 * Errors: -errno for the operating system's failures, FLOE_EINVAL for bad arguments, FLOE_ERANGE
 * as above, FLOE_ENOMEM; each with one line naming the path. The helpers never print.
 */
#ifndef FLOE_IO_FS_UTIL_H
#define FLOE_IO_FS_UTIL_H

#include "kernels/status.h" /* floe_error */

#include <stddef.h>

/* Length of a UUID's text form, without the NUL. */
#define FLOE_IO_UUID_LENGTH 36

int floe_io_write_file_durable(const char *path, const void *bytes, size_t size, floe_error *err);

int floe_io_fsync_directory(const char *path, floe_error *err);

/* Starts writing `path`'s dirty pages to the device and returns without waiting
 * (sync_file_range(SYNC_FILE_RANGE_WRITE)); a hint only, which durability never rests on: a
 * writer of many files calls it as each is finished, keeps computing while the device writes,
 * and makes them durable with floe_io_fsync_files before it commits. Failures are ignored. */
void floe_io_start_writeback(const char *path);

/* fsyncs each of paths[0..count) (opened read-only); the first failure names its path. */
int floe_io_fsync_files(const char *const *paths, size_t count, floe_error *err);

int floe_io_make_directories(const char *path, floe_error *err);

/* `text` must hold FLOE_IO_UUID_LENGTH + 1 bytes. */
int floe_io_random_uuid(char *text, floe_error *err);

int floe_io_path_join(char *buffer, size_t capacity, const char *first, const char *second,
                      floe_error *err);

/* *bytes receives the content (release with floe_free), *size its length. */
int floe_io_read_small_file(const char *path, size_t max_size, char **bytes, size_t *size,
                            floe_error *err);

#endif
