/*
 * process_timer.c — floe-process-timer: runs one command and reports how long its process took
 * and its peak memory, for the refresh benchmark (bench/refresh_bench.mjs).
 *
 *   floe-process-timer COMMAND [ARGUMENTS...]
 *
 * The command inherits stdin, stdout and stderr. When it has been reaped, one line goes to
 * stderr:
 *
 *   FLOE_BENCH_PROCESS wall_ns=<fork to reap, CLOCK_MONOTONIC> maxrss_kb=<ru_maxrss>
 *
 * and the timer exits with the command's status (128 + signal when a signal ended it; 127 when
 * it could not be started, with a message). The wall time is the command's whole process: fork,
 * exec, its run, its exit. It leaves out what the caller spends starting this timer, which for
 * a Node.js caller (spawnSync) was about 2 ms a process, as much as a small refresh's commit,
 * and GNU time's own start, which the benchmark used before for the peak RSS.
 */
#define _GNU_SOURCE /* wait4 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long monotonic_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: floe-process-timer COMMAND [ARGUMENTS...]\n");
        return 2;
    }
    long long started = monotonic_ns();
    pid_t child = fork();
    if (child < 0) {
        fprintf(stderr, "floe-process-timer: fork: %s\n", strerror(errno));
        return 127;
    }
    if (child == 0) {
        execvp(argv[1], argv + 1);
        fprintf(stderr, "floe-process-timer: %s: %s\n", argv[1], strerror(errno));
        _exit(127);
    }
    int status = 0;
    struct rusage usage;
    pid_t reaped;
    do {
        reaped = wait4(child, &status, 0, &usage);
    } while (reaped < 0 && errno == EINTR);
    long long ended = monotonic_ns();
    if (reaped < 0) {
        fprintf(stderr, "floe-process-timer: wait4: %s\n", strerror(errno));
        return 127;
    }
    fprintf(stderr, "FLOE_BENCH_PROCESS wall_ns=%lld maxrss_kb=%ld\n", ended - started,
            usage.ru_maxrss);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}
