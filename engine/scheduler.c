/*
 * scheduler.c — the loop of `floe-engine run`: passes over the dynamic tables, the refresh
 * policy, inotify push, stopping (contract and policy in engine/scheduler.h).
 *
 * Everything a pass decides is read from the lake at that pass (the set of tables, their
 * snapshots, their last-error files): the loop itself keeps no state but its inotify watches,
 * so a scheduler killed at any point and started again simply carries on, and two schedulers
 * on one warehouse agree on what is due.
 */
#define _GNU_SOURCE /* inotify IN_CLOEXEC / IN_NONBLOCK */

#include "engine/scheduler.h"

#include "kernels/memory.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

/* ---- policy ------------------------------------------------------------------------------ */

int64_t floe_eng_scheduler_backoff_ms(int64_t failures)
{
    if (failures <= 0) return 0;
    int64_t delay = FLOE_ENG_SCHEDULER_BACKOFF_FIRST_MS;
    for (int64_t i = 1; i < failures && delay < FLOE_ENG_SCHEDULER_BACKOFF_MAX_MS; i++)
        delay *= 2;
    return delay < FLOE_ENG_SCHEDULER_BACKOFF_MAX_MS ? delay : FLOE_ENG_SCHEDULER_BACKOFF_MAX_MS;
}

floe_eng_schedule_decision floe_eng_scheduler_decide(const floe_eng_dynamic_lag *lag,
                                                     bool suspended, int64_t now_ms,
                                                     int64_t interval_ms, bool pushed, bool once,
                                                     int64_t *retry_at_ms)
{
    if (suspended) return FLOE_ENG_SCHEDULE_SUSPENDED;
    if (!lag->pending) return FLOE_ENG_SCHEDULE_UP_TO_DATE;
    if (lag->failures > 0 && !once) {
        int64_t retry_at = lag->last_failure_ms + floe_eng_scheduler_backoff_ms(lag->failures);
        if (now_ms < retry_at) {
            if (retry_at_ms != NULL) *retry_at_ms = retry_at;
            return FLOE_ENG_SCHEDULE_BACKING_OFF;
        }
    }
    if (once) return FLOE_ENG_SCHEDULE_DUE;
    if (lag->target_lag_ms == FLOE_ENG_TARGET_LAG_DOWNSTREAM) return FLOE_ENG_SCHEDULE_DOWNSTREAM;
    if (pushed && lag->target_lag_ms < FLOE_ENG_SCHEDULER_PUSH_TARGET_MS)
        return FLOE_ENG_SCHEDULE_DUE;
    if (!lag->refreshed) return FLOE_ENG_SCHEDULE_DUE; /* INITIALIZE = ON_SCHEDULE: now */
    int64_t at_next_chance = lag->lag_ms + lag->last_duration_ms + interval_ms;
    return at_next_chance >= lag->target_lag_ms / 2 ? FLOE_ENG_SCHEDULE_DUE
                                                    : FLOE_ENG_SCHEDULE_WAIT;
}

/* ---- the loop's state -------------------------------------------------------------------- */

typedef struct watcher {
    int fd;                          /* inotify, -1 when none */
    bool unavailable;                /* inotify failed once: poll only from then on */
    char **folders;                  /* watched metadata/ folders, sorted */
    size_t folder_count;
} watcher;

typedef struct scheduler {
    floe_eng_database *db;
    const floe_eng_scheduler_options *options;
    floe_eng_scheduler_result result;
    watcher watch;
    int64_t next_retry_ms;           /* the soonest retry of a backing-off table, or 0 */
    bool stop;
} scheduler;

static void notice(scheduler *s, const char *event, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void notice(scheduler *s, const char *event, const char *format, ...)
{
    if (s->options->on_notice == NULL) return;
    char line[FLOE_ERROR_MESSAGE_SIZE + 256];
    va_list args;
    va_start(args, format);
    vsnprintf(line, sizeof line, format, args);
    va_end(args);
    s->options->on_notice(s->options->context, event, line);
}

static void forward_warning(void *context, const char *line)
{
    scheduler *s = context;
    if (s->options->on_notice != NULL) s->options->on_notice(s->options->context, "warning", line);
}

static bool stop_requested(scheduler *s)
{
    if (s->stop) return true;
    if (s->options->stop_fd < 0) return false;
    struct pollfd descriptor = {.fd = s->options->stop_fd, .events = POLLIN};
    if (poll(&descriptor, 1, 0) > 0) s->stop = true;
    return s->stop;
}

/* ---- inotify ------------------------------------------------------------------------------ */

static void folders_free(char **folders, size_t count)
{
    for (size_t i = 0; i < count; i++) floe_free(folders[i]);
    floe_free(folders);
}

static int compare_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The metadata/ folders of every source of every table, sorted, each once. */
static int source_folders(scheduler *s, const floe_eng_dynamic_set *set, char ***out,
                          size_t *out_count, floe_error *err)
{
    *out = NULL;
    *out_count = 0;
    size_t capacity = 0;
    for (size_t i = 0; i < set->count; i++) capacity += set->entries[i].sources.count;
    char **folders = floe_calloc(capacity + 1, sizeof *folders);
    FLOE_RETURN_IF(folders == NULL, FLOE_ENOMEM, err, "out of memory");
    size_t count = 0;
    const char *warehouse = floe_eng_database_warehouse(s->db);
    for (size_t i = 0; i < set->count; i++) {
        const floe_io_string_list *sources = &set->entries[i].sources;
        for (size_t k = 0; k < sources->count; k++) {
            char directory[PATH_MAX], folder[PATH_MAX + 16];
            const char *identity = sources->items[k];
            if (identity[0] == '/')
                snprintf(directory, sizeof directory, "%s", identity);
            else if (floe_io_catalog_table_directory(warehouse, identity, directory,
                                                     sizeof directory, NULL) != FLOE_OK)
                continue; /* a bad name: its table's refresh reports it */
            int length = snprintf(folder, sizeof folder, "%s/metadata", directory);
            if (length < 0 || (size_t)length >= sizeof folder) continue;
            folders[count] = floe_malloc((size_t)length + 1);
            if (folders[count] == NULL) {
                folders_free(folders, count);
                return floe_error_set(err, FLOE_ENOMEM, "out of memory");
            }
            memcpy(folders[count++], folder, (size_t)length + 1);
        }
    }
    qsort(folders, count, sizeof *folders, compare_text);
    size_t unique = 0;
    for (size_t i = 0; i < count; i++) {
        if (unique > 0 && strcmp(folders[unique - 1], folders[i]) == 0) {
            floe_free(folders[i]);
            continue;
        }
        folders[unique++] = folders[i];
    }
    *out = folders;
    *out_count = unique;
    return FLOE_OK;
}

static bool same_folders(const watcher *watch, char **folders, size_t count)
{
    if (watch->folder_count != count) return false;
    for (size_t i = 0; i < count; i++)
        if (strcmp(watch->folders[i], folders[i]) != 0) return false;
    return true;
}

static void watcher_fini(watcher *watch)
{
    if (watch->fd >= 0) close(watch->fd);
    watch->fd = -1;
    folders_free(watch->folders, watch->folder_count);
    watch->folders = NULL;
    watch->folder_count = 0;
}

/* Watches the source folders of `set`, re-arming only when they changed. A folder that does
 * not exist yet (a source not created, or dropped) is not watched: the pass that refreshes its
 * table says what is wrong, and a later pass re-arms if it appears. */
static int watcher_update(scheduler *s, const floe_eng_dynamic_set *set, floe_error *err)
{
    watcher *watch = &s->watch;
    if (watch->unavailable) return FLOE_OK;
    char **folders = NULL;
    size_t count = 0;
    FLOE_TRY(source_folders(s, set, &folders, &count, err));
    if (watch->fd >= 0 && same_folders(watch, folders, count)) {
        folders_free(folders, count);
        return FLOE_OK;
    }
    watcher_fini(watch);
    watch->folders = folders;
    watch->folder_count = count;
    watch->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (watch->fd < 0) {
        watch->unavailable = true;
        notice(s, "watch", "inotify unavailable (%s): polling every %lld ms only",
               strerror(errno), (long long)s->options->interval_ms);
        return FLOE_OK;
    }
    for (size_t i = 0; i < count; i++) {
        if (inotify_add_watch(watch->fd, folders[i], IN_MOVED_TO | IN_CREATE | IN_CLOSE_WRITE) >= 0)
            continue;
        if (errno == ENOENT || errno == ENOTDIR) {
            /* Forget it so that the next pass, finding it back, re-arms. */
            floe_free(folders[i]);
            folders[i] = NULL;
            continue;
        }
        int code = errno;
        watcher_fini(watch);
        watch->unavailable = true;
        notice(s, "watch", "inotify watch on %s failed (%s): polling every %lld ms only",
               folders[i] == NULL ? "?" : folders[i], strerror(code),
               (long long)s->options->interval_ms);
        return FLOE_OK;
    }
    size_t kept = 0;
    for (size_t i = 0; i < count; i++)
        if (folders[i] != NULL) folders[kept++] = folders[i];
    watch->folder_count = kept;
    return FLOE_OK;
}

/* Reads every queued event; true when one names a file a commit publishes (not a temporary). */
static bool watcher_drain(watcher *watch)
{
    bool relevant = false;
    char buffer[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t size = read(watch->fd, buffer, sizeof buffer);
        if (size <= 0) break;
        for (ssize_t offset = 0; offset < size;) {
            const struct inotify_event *event = (const struct inotify_event *)(buffer + offset);
            if (event->mask & IN_Q_OVERFLOW) relevant = true;
            if (event->len > 0 && event->name[0] != '.') relevant = true;
            offset += (ssize_t)(sizeof *event + event->len);
        }
    }
    return relevant;
}

/* Waits up to timeout_ms for a stop or a relevant commit event. *pushed: woken by a commit. */
static int wait_for_work(scheduler *s, int64_t timeout_ms, bool *pushed, floe_error *err)
{
    *pushed = false;
    int64_t deadline = floe_eng_dynamic_now_ms() + timeout_ms;
    for (;;) {
        struct pollfd descriptors[2];
        nfds_t count = 0;
        if (s->options->stop_fd >= 0)
            descriptors[count++] = (struct pollfd){.fd = s->options->stop_fd, .events = POLLIN};
        int watch_index = -1;
        if (s->watch.fd >= 0) {
            watch_index = (int)count;
            descriptors[count++] = (struct pollfd){.fd = s->watch.fd, .events = POLLIN};
        }
        int64_t left = deadline - floe_eng_dynamic_now_ms();
        if (left < 0) left = 0; /* still look once: a stop or a commit may be waiting */
        int ready = poll(descriptors, count, left > INT_MAX ? INT_MAX : (int)left);
        if (ready < 0) {
            if (errno == EINTR) continue; /* a signal: its handler wrote stop_fd if it matters */
            return floe_error_set(err, -errno, "scheduler: poll: %s", strerror(errno));
        }
        if (ready == 0) return FLOE_OK;
        if (s->options->stop_fd >= 0 && (descriptors[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            s->stop = true;
            return FLOE_OK;
        }
        if (watch_index >= 0 && (descriptors[watch_index].revents & POLLIN) &&
            watcher_drain(&s->watch)) {
            *pushed = true;
            return FLOE_OK;
        }
    }
}

/* ---- a pass ------------------------------------------------------------------------------ */

enum { NOT_WANTED = 0, WANTED };
enum { UNVISITED = 0, VISITING, ORDERED };

typedef struct pass {
    const floe_eng_dynamic_set *set;
    floe_eng_dynamic_lag *lags;      /* per entry */
    bool *lag_ok;                    /* per entry: its lag could be read */
    floe_eng_schedule_decision *decisions; /* per entry with lag_ok */
    unsigned char *wanted, *colour;
    size_t *order, order_count;
    bool *failed;                    /* per entry, in this pass */
    int64_t next_retry_ms;           /* the soonest retry of a backing-off table, or 0 */
} pass;

static void pass_fini(pass *p)
{
    floe_free(p->lags);
    floe_free(p->lag_ok);
    floe_free(p->decisions);
    floe_free(p->wanted);
    floe_free(p->colour);
    floe_free(p->order);
    floe_free(p->failed);
}

/* Wants a due table's pending upstreams (unless suspended or backing off), then orders it
 * after them. A cycle (CREATE refuses them; racing creators can still make one) stops the
 * descent: the refresh itself then fails with the cycle's error. */
static void visit(pass *p, size_t index)
{
    if (p->colour[index] != UNVISITED) return;
    p->colour[index] = VISITING;
    const floe_eng_dynamic_entry *entry = &p->set->entries[index];
    for (size_t i = 0; i < entry->sources.count; i++) {
        long upstream = floe_eng_dynamic_set_find(p->set, entry->sources.items[i]);
        if (upstream < 0 || (size_t)upstream == index) continue;
        floe_eng_schedule_decision decision = p->decisions[upstream];
        bool refreshable = p->lag_ok[upstream] && (decision == FLOE_ENG_SCHEDULE_DUE ||
                                                   decision == FLOE_ENG_SCHEDULE_WAIT ||
                                                   decision == FLOE_ENG_SCHEDULE_DOWNSTREAM);
        if (refreshable) p->wanted[upstream] = WANTED;
        if (p->wanted[upstream] == WANTED) visit(p, (size_t)upstream);
    }
    p->colour[index] = ORDERED;
    p->order[p->order_count++] = index;
}

/* A table is as stale as the data it reads: one that reads a dynamic table with pending
 * changes has them pending too (refreshing it refreshes that upstream first), and its lag is
 * at least the upstream's. This is what lets a DOWNSTREAM table, never due on its own, be
 * refreshed when its reader's target asks for it. An upstream that is suspended or waiting
 * out a backoff passes nothing on: refreshing the reader would not refresh it. Repeated until
 * stable, for chains. */
static void inherit_upstream_lag(pass *p, int64_t now_ms)
{
    for (size_t round = 0, changed = 1; changed && round <= p->set->count; round++) {
        changed = 0;
        for (size_t i = 0; i < p->set->count; i++) {
            const floe_eng_dynamic_entry *entry = &p->set->entries[i];
            floe_eng_dynamic_lag *lag = &p->lags[i];
            for (size_t k = 0; p->lag_ok[i] && k < entry->sources.count; k++) {
                long u = floe_eng_dynamic_set_find(p->set, entry->sources.items[k]);
                if (u < 0 || (size_t)u == i || !p->lag_ok[u] || p->set->entries[u].suspended)
                    continue;
                const floe_eng_dynamic_lag *upstream = &p->lags[u];
                if (!upstream->pending ||
                    now_ms < upstream->last_failure_ms +
                                 floe_eng_scheduler_backoff_ms(upstream->failures))
                    continue;
                if (!lag->pending || lag->lag_ms < upstream->lag_ms) {
                    lag->pending = true;
                    if (lag->lag_ms < upstream->lag_ms) lag->lag_ms = upstream->lag_ms;
                    changed = 1;
                }
            }
        }
    }
}

/* --once: a table that reads a table refreshed in this pass will have changes pending by then,
 * so it joins the pass (unless suspended or unreadable); repeated until nothing is added. */
static void want_readers(pass *p)
{
    for (bool added = true; added;) {
        added = false;
        for (size_t i = 0; i < p->set->count; i++) {
            const floe_eng_dynamic_entry *entry = &p->set->entries[i];
            if (p->wanted[i] == WANTED || entry->suspended || !p->lag_ok[i]) continue;
            for (size_t k = 0; k < entry->sources.count; k++) {
                long upstream = floe_eng_dynamic_set_find(p->set, entry->sources.items[k]);
                if (upstream < 0 || (size_t)upstream == i || p->wanted[upstream] != WANTED)
                    continue;
                p->wanted[i] = WANTED;
                added = true;
                break;
            }
        }
    }
}

static void emit(scheduler *s, floe_eng_scheduler_event *event)
{
    event->time_ms = floe_eng_dynamic_now_ms();
    if (s->options->on_refresh != NULL) s->options->on_refresh(s->options->context, event);
}

/* The first dynamic upstream of `index` that failed in this pass, or NULL. */
static const char *failed_upstream(const pass *p, size_t index)
{
    const floe_eng_dynamic_entry *entry = &p->set->entries[index];
    for (size_t i = 0; i < entry->sources.count; i++) {
        long upstream = floe_eng_dynamic_set_find(p->set, entry->sources.items[i]);
        if (upstream >= 0 && (size_t)upstream != index && p->failed[upstream])
            return p->set->entries[upstream].name;
    }
    return NULL;
}

static int refresh_one(scheduler *s, pass *p, size_t index, floe_error *err)
{
    const floe_eng_dynamic_entry *entry = &p->set->entries[index];
    const floe_eng_dynamic_lag *lag = &p->lags[index];
    floe_eng_scheduler_event event = {.table = entry->name, .mode = "none",
                                      .refresh_number = lag->refresh_number,
                                      .lag_ms = lag->lag_ms};
    char reason[FLOE_ENG_TABLE_NAME_SIZE + 64];
    const char *upstream = failed_upstream(p, index);
    if (upstream != NULL) {
        snprintf(reason, sizeof reason, "its upstream %s failed", upstream);
        event.reason = reason;
        event.status = "skipped";
        p->failed[index] = true; /* and so are the tables that read it */
        s->result.skipped++;
        emit(s, &event);
        return FLOE_OK;
    }
    floe_eng_output output = {.context = s, .warning = forward_warning};
    floe_eng_refresh_report report;
    floe_error table_err;
    floe_error_clear(&table_err);
    int status = floe_eng_refresh_table_report(s->db, entry->name, false, false, &output, &report,
                                               &table_err);
    if (status == FLOE_ENOMEM) return floe_error_set(err, FLOE_ENOMEM, "%s", table_err.message);
    event.rows_read = report.rows_read;
    event.files_read = report.files_read;
    event.rows_written = report.rows_written;
    event.duration_ms = report.duration_ms;
    if (status < 0) {
        event.status = "error";
        event.error = table_err.message;
        event.mode = report.mode != NULL ? report.mode : "none";
        event.reason = report.reason[0] != '\0' ? report.reason : NULL;
        event.refresh_number = lag->refresh_number + 1;
        event.retry_in_ms = floe_eng_scheduler_backoff_ms(lag->failures + 1);
        p->failed[index] = true;
        s->result.failures++;
    } else if (report.locked) {
        event.status = "skipped";
        event.reason = "another refresh holds the table's lock";
        s->result.skipped++;
    } else if (!report.refreshed) {
        event.status = "ok";
        event.reason = "up to date";
        event.refresh_number = report.refresh_number;
    } else {
        event.status = "ok";
        event.mode = report.mode;
        event.reason = report.reason;
        event.refresh_number = report.refresh_number;
        s->result.refreshes++;
    }
    emit(s, &event);
    return FLOE_OK;
}

static int run_pass(scheduler *s, bool pushed, floe_error *err)
{
    const floe_eng_scheduler_options *options = s->options;
    floe_eng_output output = {.context = s, .warning = forward_warning};
    floe_eng_dynamic_set set;
    FLOE_TRY(floe_eng_dynamic_set_load(s->db, &output, &set, err));
    s->result.passes++;
    size_t n = set.count + 1;
    pass p = {.set = &set};
    p.lags = floe_calloc(n, sizeof *p.lags);
    p.lag_ok = floe_calloc(n, sizeof *p.lag_ok);
    p.decisions = floe_calloc(n, sizeof *p.decisions);
    p.wanted = floe_calloc(n, 1);
    p.colour = floe_calloc(n, 1);
    p.order = floe_calloc(n, sizeof *p.order);
    p.failed = floe_calloc(n, sizeof *p.failed);
    int status = FLOE_OK;
    if (p.lags == NULL || p.lag_ok == NULL || p.decisions == NULL || p.wanted == NULL ||
        p.colour == NULL || p.order == NULL || p.failed == NULL)
        status = floe_error_set(err, FLOE_ENOMEM, "out of memory");
    if (status == FLOE_OK) status = watcher_update(s, &set, err);

    int64_t now = floe_eng_dynamic_now_ms();
    for (size_t i = 0; status == FLOE_OK && i < set.count; i++) {
        floe_error lag_err;
        floe_error_clear(&lag_err);
        int lag_status = floe_eng_dynamic_lag_read(s->db, &set.entries[i], now, &p.lags[i],
                                                   &lag_err);
        if (lag_status == FLOE_ENOMEM) {
            status = floe_error_set(err, FLOE_ENOMEM, "%s", lag_err.message);
            break;
        }
        if (lag_status < 0) {
            /* Unreadable bookkeeping (a bad target lag, an unreadable last-error file): the
             * table is left alone this pass, and said so once a pass. */
            notice(s, "warning", "%s: not scheduled: %s", set.entries[i].name, lag_err.message);
            continue;
        }
        p.lag_ok[i] = true;
    }
    if (status == FLOE_OK) inherit_upstream_lag(&p, now);
    for (size_t i = 0; status == FLOE_OK && i < set.count; i++) {
        if (!p.lag_ok[i]) continue;
        int64_t retry_at = 0;
        p.decisions[i] = floe_eng_scheduler_decide(&p.lags[i], set.entries[i].suspended, now,
                                                   options->interval_ms, pushed, options->once,
                                                   &retry_at);
        if (p.decisions[i] == FLOE_ENG_SCHEDULE_BACKING_OFF &&
            (p.next_retry_ms == 0 || retry_at < p.next_retry_ms))
            p.next_retry_ms = retry_at;
    }
    for (size_t i = 0; status == FLOE_OK && i < set.count; i++)
        if (p.decisions[i] == FLOE_ENG_SCHEDULE_DUE) p.wanted[i] = WANTED;
    if (status == FLOE_OK && options->once) want_readers(&p);
    for (size_t i = 0; status == FLOE_OK && i < set.count; i++)
        if (p.wanted[i] == WANTED) visit(&p, i);
    for (size_t k = 0; status == FLOE_OK && k < p.order_count; k++) {
        if (stop_requested(s)) break;
        status = refresh_one(s, &p, p.order[k], err);
    }
    int64_t next_retry = p.next_retry_ms;
    pass_fini(&p);
    floe_eng_dynamic_set_fini(&set);
    s->next_retry_ms = next_retry;
    return status;
}

int floe_eng_scheduler_run(floe_eng_database *db, const floe_eng_scheduler_options *options,
                           floe_eng_scheduler_result *result, floe_error *err)
{
    if (result != NULL) memset(result, 0, sizeof *result);
    FLOE_RETURN_IF(db == NULL || options == NULL, FLOE_EINVAL, err,
                   "floe_eng_scheduler_run: NULL argument");
    FLOE_RETURN_IF(options->interval_ms <= 0, FLOE_EINVAL, err,
                   "scheduler: the interval must be positive (got %lld ms)",
                   (long long)options->interval_ms);
    scheduler s = {.db = db, .options = options, .watch = {.fd = -1}};
    /* one pass: nothing to wait for */
    if (options->once || options->polling_only) s.watch.unavailable = true;
    if (options->once)
        notice(&s, "start", "warehouse %s: one pass", floe_eng_database_warehouse(db));
    else
        notice(&s, "start", "warehouse %s: a pass every %lld ms or at a source's commit",
               floe_eng_database_warehouse(db), (long long)options->interval_ms);
    int status = FLOE_OK;
    bool pushed = false;
    while (status == FLOE_OK && !stop_requested(&s)) {
        size_t committed = s.result.refreshes;
        status = run_pass(&s, pushed, err);
        if (status < 0 || options->once) break;
        /* A commit in this pass may have made a reader pending: look again at once. */
        int64_t timeout = s.result.refreshes > committed ? 0 : options->interval_ms;
        if (s.next_retry_ms > 0) {
            int64_t until_retry = s.next_retry_ms - floe_eng_dynamic_now_ms();
            if (until_retry < timeout) timeout = until_retry > 0 ? until_retry : 0;
        }
        status = wait_for_work(&s, timeout, &pushed, err);
    }
    notice(&s, "stop", "%zu passes, %zu refreshes, %zu failures, %zu skipped", s.result.passes,
           s.result.refreshes, s.result.failures, s.result.skipped);
    watcher_fini(&s.watch);
    if (result != NULL) *result = s.result;
    return status;
}
