/*
 * fs_util.c — the few system-call sequences that durability depends on, written once
 * (contract in fs_util.h).
 *
 * Why a module of its own: "write, fsync, close, fsync the directory" is easy to get subtly
 * wrong (a short write taken for success, a close error ignored, a directory never synced),
 * and every writer of table files — data, state, manifests, metadata — needs the same steps.
 */
#define _GNU_SOURCE /* O_CLOEXEC, O_DIRECTORY, getrandom under -std=c11 */
#include "io/fs_util.h"
#include "kernels/memory.h" /* floe_malloc, floe_free */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h> /* getrandom */
#include <sys/stat.h>
#include <unistd.h>

static int os_error(floe_error *err, const char *what, const char *path)
{
    int code = errno > 0 ? -errno : -EIO;
    return floe_error_set(err, code, "%s %s: %s", what, path, floe_status_name(code));
}

int floe_io_write_file_durable(const char *path, const void *bytes, size_t size, floe_error *err)
{
    FLOE_RETURN_IF(path == NULL || (bytes == NULL && size > 0), FLOE_EINVAL, err,
                   "write file: NULL path or bytes");
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return os_error(err, "create", path);
    const unsigned char *cursor = bytes;
    size_t left = size;
    int status = FLOE_OK;
    while (left > 0) {
        ssize_t wrote = write(fd, cursor, left);
        if (wrote < 0 && errno == EINTR) continue;
        if (wrote <= 0) {
            if (wrote == 0) errno = EIO; /* a regular file does not accept 0 bytes forever */
            status = os_error(err, "write", path);
            break;
        }
        cursor += wrote;
        left -= (size_t)wrote;
    }
    if (status == FLOE_OK && fsync(fd) != 0) status = os_error(err, "fsync", path);
    if (close(fd) != 0 && status == FLOE_OK && errno != EINTR) status = os_error(err, "close", path);
    if (status != FLOE_OK) unlink(path);
    return status;
}

void floe_io_start_writeback(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    close(fd);
}

int floe_io_fsync_files(const char *const *paths, size_t count, floe_error *err)
{
    for (size_t i = 0; i < count; i++) {
        int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0) return os_error(err, "open to fsync", paths[i]);
        int status = fsync(fd) != 0 ? os_error(err, "fsync", paths[i]) : FLOE_OK;
        close(fd);
        FLOE_TRY(status);
    }
    return FLOE_OK;
}

int floe_io_fsync_directory(const char *path, floe_error *err)
{
    FLOE_RETURN_IF(path == NULL, FLOE_EINVAL, err, "fsync directory: NULL path");
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return os_error(err, "open directory", path);
    int status = FLOE_OK;
    /* Some file systems refuse fsync on directories (EINVAL); there is nothing more we can do
     * there, and refusing to commit would make them unusable. */
    if (fsync(fd) != 0 && errno != EINVAL) status = os_error(err, "fsync directory", path);
    close(fd);
    return status;
}

int floe_io_make_directories(const char *path, floe_error *err)
{
    FLOE_RETURN_IF(path == NULL || path[0] == '\0', FLOE_EINVAL, err,
                   "make directories: empty path");
    size_t length = strlen(path);
    char *copy = floe_malloc(length + 1);
    FLOE_RETURN_IF(copy == NULL, FLOE_ENOMEM, err, "make directories %s: out of memory", path);
    memcpy(copy, path, length + 1);
    int status = FLOE_OK;
    /* Walk prefixes ending at each '/' and finally the whole path. */
    for (size_t end = 1; end <= length && status == FLOE_OK; end++) {
        if (end < length && copy[end] != '/') continue;
        if (end < length && copy[end - 1] == '/') continue; /* "//" */
        char saved = copy[end];
        copy[end] = '\0';
        if (mkdir(copy, 0755) == 0) {
            /* Make the new entry durable: fsync its parent (the prefix before the last '/'). */
            char *slash = strrchr(copy, '/');
            if (slash == NULL) {
                status = floe_io_fsync_directory(".", err);
            } else if (slash == copy) {
                status = floe_io_fsync_directory("/", err);
            } else {
                *slash = '\0';
                status = floe_io_fsync_directory(copy, err);
                *slash = '/';
            }
        } else if (errno == EEXIST) {
            struct stat info;
            if (stat(copy, &info) != 0) {
                status = os_error(err, "stat", copy);
            } else if (!S_ISDIR(info.st_mode)) {
                status = floe_error_set(err, -ENOTDIR, "mkdir %s: exists and is not a directory",
                                        copy);
            }
        } else {
            status = os_error(err, "mkdir", copy);
        }
        copy[end] = saved;
    }
    floe_free(copy);
    return status;
}

static int read_random(unsigned char *bytes, size_t size, floe_error *err)
{
    size_t filled = 0;
    while (filled < size) {
        ssize_t got = getrandom(bytes + filled, size - filled, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) break;
        filled += (size_t)got;
    }
    if (filled == size) return FLOE_OK;
    /* getrandom missing (old kernel, seccomp): the device gives the same bytes. */
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return os_error(err, "open", "/dev/urandom");
    filled = 0;
    while (filled < size) {
        ssize_t got = read(fd, bytes + filled, size - filled);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            if (got == 0) errno = EIO;
            int status = os_error(err, "read", "/dev/urandom");
            close(fd);
            return status;
        }
        filled += (size_t)got;
    }
    close(fd);
    return FLOE_OK;
}

int floe_io_random_uuid(char *text, floe_error *err)
{
    FLOE_RETURN_IF(text == NULL, FLOE_EINVAL, err, "uuid: NULL buffer");
    unsigned char bytes[16];
    FLOE_TRY(read_random(bytes, sizeof bytes, err));
    bytes[6] = (unsigned char)((bytes[6] & 0x0f) | 0x40); /* version 4 */
    bytes[8] = (unsigned char)((bytes[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    static const char digits[] = "0123456789abcdef";
    size_t position = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) text[position++] = '-';
        text[position++] = digits[bytes[i] >> 4];
        text[position++] = digits[bytes[i] & 15];
    }
    text[position] = '\0';
    return FLOE_OK;
}

int floe_io_path_join(char *buffer, size_t capacity, const char *first, const char *second,
                      floe_error *err)
{
    FLOE_RETURN_IF(buffer == NULL || capacity == 0 || first == NULL || second == NULL,
                   FLOE_EINVAL, err, "path join: NULL argument");
    size_t first_length = strlen(first);
    while (first_length > 1 && first[first_length - 1] == '/') first_length--;
    while (second[0] == '/') second++;
    size_t second_length = strlen(second);
    int separator = first_length > 0 && first[first_length - 1] != '/';
    size_t total = first_length + (size_t)separator + second_length;
    if (total >= capacity) {
        buffer[0] = '\0';
        return floe_error_set(err, FLOE_ERANGE, "path %.*s/%s: longer than %zu bytes",
                              (int)(first_length > 400 ? 400 : first_length), first, second,
                              capacity - 1);
    }
    memmove(buffer, first, first_length); /* first may alias buffer */
    if (separator) buffer[first_length] = '/';
    memcpy(buffer + first_length + (size_t)separator, second, second_length + 1);
    return FLOE_OK;
}

int floe_io_read_small_file(const char *path, size_t max_size, char **bytes, size_t *size,
                            floe_error *err)
{
    FLOE_RETURN_IF(path == NULL || bytes == NULL || size == NULL || max_size >= SIZE_MAX,
                   FLOE_EINVAL, err, "read file: bad argument");
    *bytes = NULL;
    *size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return os_error(err, "open", path);
    struct stat info;
    if (fstat(fd, &info) != 0) {
        int status = os_error(err, "stat", path);
        close(fd);
        return status;
    }
    if (!S_ISREG(info.st_mode)) {
        close(fd);
        return floe_error_set(err, -EISDIR, "read %s: not a regular file", path);
    }
    if ((uint64_t)info.st_size > max_size) {
        close(fd);
        return floe_error_set(err, FLOE_ERANGE, "read %s: %lld bytes, more than the %zu allowed",
                              path, (long long)info.st_size, max_size);
    }
    /* The file may grow between fstat and read: read up to max_size + 1 to notice. */
    size_t capacity = (size_t)info.st_size + 1;
    char *buffer = floe_malloc(capacity + 1);
    if (buffer == NULL) {
        close(fd);
        return floe_error_set(err, FLOE_ENOMEM, "read %s: out of memory", path);
    }
    size_t total = 0;
    int status = FLOE_OK;
    for (;;) {
        if (total == capacity) {
            if (total > max_size) break;
            size_t grown = capacity * 2 > max_size + 1 ? max_size + 1 : capacity * 2;
            char *larger = floe_realloc(buffer, grown + 1);
            if (larger == NULL) {
                status = floe_error_set(err, FLOE_ENOMEM, "read %s: out of memory", path);
                break;
            }
            buffer = larger;
            capacity = grown;
        }
        ssize_t got = read(fd, buffer + total, capacity - total);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            status = os_error(err, "read", path);
            break;
        }
        if (got == 0) break;
        total += (size_t)got;
    }
    close(fd);
    if (status == FLOE_OK && total > max_size) {
        status = floe_error_set(err, FLOE_ERANGE, "read %s: more than the %zu bytes allowed",
                                path, max_size);
    }
    if (status != FLOE_OK) {
        floe_free(buffer);
        return status;
    }
    buffer[total] = '\0';
    *bytes = buffer;
    *size = total;
    return FLOE_OK;
}
