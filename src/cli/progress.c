/* progress: a one-line progress indicator on stderr while a statement runs.
 *
 *   1.2 GiB / 4.0 GiB (30%)  12,345,678 rows  1.5M rows/s  8.1 s
 *
 * Shown only when enabled and stderr is a terminal, only once a statement
 * has run for PROGRESS_DELAY seconds, redrawn at most every
 * PROGRESS_INTERVAL seconds, and erased when the statement ends or before
 * other text is printed.  The engine calls cli_progress_update from its
 * worker threads, so the update takes the lock with trylock (a busy lock
 * means someone else is drawing: skip) and returns at once when it is not
 * time to draw; it never allocates. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

#define PROGRESS_DELAY 0.5
#define PROGRESS_INTERVAL 0.1

static struct {
    pthread_mutex_t lock;
    atomic_bool enabled; /* read without the lock by the fast paths */
    bool drawn;
    int columns;      /* terminal width */
    double started;   /* monotonic seconds when the statement started */
    double last_draw;
} progress = {.lock = PTHREAD_MUTEX_INITIALIZER};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_enable(bool on)
{
    pthread_mutex_lock(&progress.lock);
    progress.enabled = on && isatty(STDERR_FILENO);
    progress.columns = 80;
    struct winsize ws;
    if (progress.enabled && ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10) progress.columns = ws.ws_col;
    pthread_mutex_unlock(&progress.lock);
}

/* Erase the drawn line; the lock is held. */
static void erase_locked(void)
{
    if (progress.drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        progress.drawn = false;
    }
}

void cli_progress_statement_start(void)
{
    pthread_mutex_lock(&progress.lock);
    erase_locked();
    progress.started = now_seconds();
    progress.last_draw = 0;
    pthread_mutex_unlock(&progress.lock);
}

void cli_progress_statement_end(void)
{
    pthread_mutex_lock(&progress.lock);
    erase_locked();
    pthread_mutex_unlock(&progress.lock);
}

void cli_progress_clear(void)
{
    if (!progress.enabled) return;
    pthread_mutex_lock(&progress.lock);
    erase_locked();
    pthread_mutex_unlock(&progress.lock);
}

const char *cli_format_bytes(uint64_t bytes, char *buf, size_t buflen)
{
    static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024.0 && u < 5) {
        v /= 1024.0;
        u++;
    }
    if (u == 0) {
        snprintf(buf, buflen, "%llu B", (unsigned long long)bytes);
    } else {
        snprintf(buf, buflen, "%.1f %s", v, units[u]);
    }
    return buf;
}

/* 12345678 -> "12,345,678" */
static const char *format_count(uint64_t n, char *buf, size_t buflen)
{
    char digits[32];
    int nd = snprintf(digits, sizeof digits, "%llu", (unsigned long long)n);
    size_t o = 0;
    for (int i = 0; i < nd && o + 2 < buflen; i++) {
        if (i > 0 && (nd - i) % 3 == 0) buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

/* 1500000 -> "1.5M" */
static const char *format_rate(double r, char *buf, size_t buflen)
{
    if (r >= 1e9) snprintf(buf, buflen, "%.1fG", r / 1e9);
    else if (r >= 1e6) snprintf(buf, buflen, "%.1fM", r / 1e6);
    else if (r >= 1e3) snprintf(buf, buflen, "%.1fk", r / 1e3);
    else snprintf(buf, buflen, "%.0f", r);
    return buf;
}

static void draw_locked(double now, uint64_t bytes_done, uint64_t bytes_total, uint64_t rows)
{
    double elapsed = now - progress.started;
    char line[256], done[32], total[32], count[32], rate[32];
    int n = 0;
    if (bytes_total > 0) {
        uint64_t shown = bytes_done > bytes_total ? bytes_total : bytes_done;
        n = snprintf(line, sizeof line, "%s / %s (%d%%)  ", cli_format_bytes(shown, done, sizeof done),
                     cli_format_bytes(bytes_total, total, sizeof total),
                     (int)((double)shown * 100.0 / (double)bytes_total));
    } else if (bytes_done > 0) {
        n = snprintf(line, sizeof line, "%s read  ", cli_format_bytes(bytes_done, done, sizeof done));
    }
    if (n < 0) n = 0;
    snprintf(line + n, sizeof line - (size_t)n, "%s rows  %s rows/s  %.1f s", format_count(rows, count, sizeof count),
             format_rate(elapsed > 0 ? (double)rows / elapsed : 0, rate, sizeof rate), elapsed);
    size_t max = (size_t)progress.columns - 1;
    if (max < sizeof line && strlen(line) > max) line[max] = '\0';
    fprintf(stderr, "\r\033[K%s", line);
    fflush(stderr);
    progress.drawn = true;
}

void cli_progress_update(void *ctx, uint64_t bytes_done, uint64_t bytes_total, uint64_t rows)
{
    (void)ctx;
    if (!progress.enabled) return;
    if (pthread_mutex_trylock(&progress.lock) != 0) return;
    double now = now_seconds();
    if (now - progress.started >= PROGRESS_DELAY && now - progress.last_draw >= PROGRESS_INTERVAL) {
        progress.last_draw = now;
        draw_locked(now, bytes_done, bytes_total, rows);
    }
    pthread_mutex_unlock(&progress.lock);
}
