/* lake_lock: the writers' lock of a dataset (see lake_lock.h).
 *
 * The lock file is never removed: removing it would let a waiter that opened
 * the old file and a newcomer that created a new one both "hold" the lock.
 * Memory: one small struct per held lock. */
#include "lake/lake_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "io/fs.h"

struct LakeLock {
    int fd; /* -1 when the file system has no lock (nothing held) */
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The holder's line from the lock file, or a neutral text when it is empty
 * (the holder has just taken the lock and not yet written it). */
static void describe_holder(int fd, char *buf, size_t n)
{
    ssize_t got = pread(fd, buf, n - 1, 0);
    if (got <= 0) {
        snprintf(buf, n, "another kiln process");
        return;
    }
    buf[got] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
}

static void write_holder(int fd, const char *run_id)
{
    char stamp[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S UTC", &tm);
    char line[256];
    int n = snprintf(line, sizeof line, "pid %ld started %s run %s\n", (long)getpid(), stamp, run_id);
    if (n < 0 || (size_t)n >= sizeof line) n = (int)strlen(line);
    /* best effort: the text only serves error messages */
    if (ftruncate(fd, 0) == 0 && pwrite(fd, line, (size_t)n, 0) < 0) return;
}

bool lake_lock_acquire(const char *kiln_dir, const char *run_id, double timeout_seconds, LakeLock **out, Error *err)
{
    *out = NULL;
    LakeLock *lock = mem_calloc(1, sizeof *lock);
    lock->fd = -1;
    if (fs_for_path(kiln_dir) != fs_local()) {
        *out = lock;
        return true;
    }
    StrBuf path = STRBUF_INIT;
    strbuf_printf(&path, "%s/lock", strncmp(kiln_dir, "file://", 7) == 0 ? kiln_dir + 7 : kiln_dir);
    int fd;
    do fd = open(path.data, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        error_set(err, ERR_IO, "could not open lock file \"%s\": %s", path.data, strerror(errno));
        strbuf_free(&path);
        mem_free(lock);
        return false;
    }
    double deadline = now_seconds() + (timeout_seconds > 0 ? timeout_seconds : 0);
    long pause_ms = 50;
    bool failed = false;
    for (;;) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) break;
        if (errno != EWOULDBLOCK && errno != EINTR) {
            error_set(err, ERR_IO, "could not lock file \"%s\": %s", path.data, strerror(errno));
            failed = true;
            break;
        }
        double left = deadline - now_seconds();
        if (left <= 0) {
            char holder[256];
            describe_holder(fd, holder, sizeof holder);
            size_t root_len = strlen(kiln_dir) >= 6 && strcmp(kiln_dir + strlen(kiln_dir) - 6, "/_kiln") == 0
                                  ? strlen(kiln_dir) - 6
                                  : strlen(kiln_dir);
            error_set(err, ERR_IO,
                      "could not lock dataset \"%.*s\": another run is writing it (%s); gave up after %g s "
                      "(SET lake_lock_timeout to wait longer)",
                      (int)root_len, kiln_dir, holder, timeout_seconds > 0 ? timeout_seconds : 0);
            failed = true;
            break;
        }
        double sleep_s = (double)pause_ms / 1000.0 < left ? (double)pause_ms / 1000.0 : left;
        struct timespec ts = {(time_t)sleep_s, (long)((sleep_s - (double)(time_t)sleep_s) * 1e9)};
        nanosleep(&ts, NULL);
        if (pause_ms < 200) pause_ms *= 2;
    }
    if (failed) {
        close(fd);
        strbuf_free(&path);
        mem_free(lock);
        return false;
    }
    write_holder(fd, run_id);
    lock->fd = fd;
    strbuf_free(&path);
    *out = lock;
    return true;
}

void lake_lock_release(LakeLock *lock)
{
    if (lock == NULL) return;
    if (lock->fd >= 0) {
        /* leave the file empty so a stale line never names a finished run */
        if (ftruncate(lock->fd, 0) != 0) { /* harmless: the next holder rewrites it */ }
        flock(lock->fd, LOCK_UN);
        close(lock->fd);
    }
    mem_free(lock);
}
