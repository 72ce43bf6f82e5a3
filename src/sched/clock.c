/* clock: real time from CLOCK_REALTIME, or a fake time: the anchor time
 * plus the real seconds since the anchor times the speed, or the time
 * written in a file.  See clock.h. */
#include "sched/clock.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "types/datetime.h"

static struct {
    bool fake;
    int64_t fake_at_anchor;  /* fake time at the anchor */
    double anchor;           /* real time of the anchor; < 0 = the first read */
    double speed;
    char file[1024];         /* the file clock, "" when none */
} clock_state = {false, 0, -1, 1, ""};

static double real_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool sched_parse_utc(const char *text, int64_t *t)
{
    size_t len = strlen(text);
    while (len > 0 && isspace((unsigned char)text[len - 1])) len--;
    if (len > 0 && (text[len - 1] == 'Z' || text[len - 1] == 'z')) len--;
    if (len != 16 && len != 19) return false;
    if (text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != ' ') || text[13] != ':') return false;
    if (len == 19 && text[16] != ':') return false;
    int y = digits(text, 4), mo = digits(text + 5, 2), d = digits(text + 8, 2);
    int h = digits(text + 11, 2), mi = digits(text + 14, 2), s = len == 19 ? digits(text + 17, 2) : 0;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > datetime_days_in_month(y, mo) || h < 0 || h > 23 || mi < 0 ||
        mi > 59 || s < 0 || s > 59) {
        return false;
    }
    *t = datetime_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    return true;
}

void sched_format_utc(int64_t t, char *buf)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    int y, m, d;
    datetime_civil_from_days(days, &y, &m, &d);
    char text[64];
    snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02dZ", y % 10000, m, d, (int)(secs / 3600),
             (int)(secs % 3600 / 60), (int)(secs % 60));
    memcpy(buf, text, 20);
    buf[20] = '\0';
}

bool sched_clock_configure(const char *fake_now, const char *speed, const char *epoch, Error *err)
{
    clock_state.fake = false;
    clock_state.anchor = -1;
    clock_state.speed = 1;
    clock_state.file[0] = '\0';
    if (fake_now == NULL || fake_now[0] == '\0') return true;
    if (fake_now[0] == '@') {
        if (strlen(fake_now + 1) >= sizeof clock_state.file || fake_now[1] == '\0') {
            return error_set(err, ERR_USAGE, "KILN_FAKE_NOW: expected @FILE with a file name");
        }
        snprintf(clock_state.file, sizeof clock_state.file, "%s", fake_now + 1);
        clock_state.fake = true;
        return true;
    }
    if (!sched_parse_utc(fake_now, &clock_state.fake_at_anchor)) {
        return error_set(err, ERR_USAGE, "KILN_FAKE_NOW: expected a UTC time such as 2026-03-29T00:59:00Z, got \"%s\"",
                         fake_now);
    }
    if (speed && speed[0]) {
        char *end;
        errno = 0;
        double v = strtod(speed, &end);
        if (end == speed || *end != '\0' || errno != 0 || !isfinite(v) || v <= 0 || v > 1e7) {
            return error_set(err, ERR_USAGE, "KILN_FAKE_SPEED: expected a number > 0, got \"%s\"", speed);
        }
        clock_state.speed = v;
    }
    if (epoch && epoch[0]) {
        char *end;
        errno = 0;
        double v = strtod(epoch, &end);
        if (end == epoch || *end != '\0' || errno != 0 || !isfinite(v) || v < 0) {
            return error_set(err, ERR_USAGE, "KILN_FAKE_EPOCH: expected Unix seconds, got \"%s\"", epoch);
        }
        clock_state.anchor = v;
    }
    clock_state.fake = true;
    return true;
}

bool sched_clock_init(Error *err)
{
    return sched_clock_configure(getenv("KILN_FAKE_NOW"), getenv("KILN_FAKE_SPEED"), getenv("KILN_FAKE_EPOCH"), err);
}

bool sched_clock_is_fake(void) { return clock_state.fake; }

int64_t sched_clock_now(void)
{
    double real = real_now();
    if (!clock_state.fake) return (int64_t)floor(real);
    if (clock_state.file[0]) {
        /* the file clock: a file that cannot be read (being rewritten) keeps the last time */
        static int64_t last = 0;
        FILE *f = fopen(clock_state.file, "r");
        if (f) {
            char line[64];
            int64_t t;
            if (fgets(line, sizeof line, f) && sched_parse_utc(line, &t)) last = t;
            fclose(f);
        }
        return last;
    }
    if (clock_state.anchor < 0) clock_state.anchor = real;
    double elapsed = real - clock_state.anchor;
    return clock_state.fake_at_anchor + (int64_t)floor(elapsed * clock_state.speed);
}

double sched_clock_real_seconds(double fake_seconds)
{
    if (!clock_state.fake) return fake_seconds;
    if (clock_state.file[0]) return 0.05;
    return fake_seconds / clock_state.speed;
}
