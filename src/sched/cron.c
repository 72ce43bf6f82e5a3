/* cron: parsing of five-field cron expressions into bitmasks, and the next
 * fire time by walking the calendar forward: a month that does not match
 * jumps to the next month's first day, a day to the next day, an hour to the
 * next hour, so a search costs at most a few thousand steps per year.  See
 * cron.h for the syntax and the day-of-month/day-of-week rule. */
#include "sched/cron.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "types/datetime.h"

typedef struct CronField {
    const char *name;
    int min, max;
    const char *const *names; /* names for values min.., or NULL */
} CronField;

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                          "jul", "aug", "sep", "oct", "nov", "dec"};
static const char *const weekday_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

static const CronField fields[5] = {
    {"minute", 0, 59, NULL},
    {"hour", 0, 23, NULL},
    {"day-of-month", 1, 31, NULL},
    {"month", 1, 12, month_names},
    {"day-of-week", 0, 7, weekday_names},
};

/* Parse a number or a name at *p; advances *p. */
static bool parse_value(const CronField *f, const char **p, int *out)
{
    const char *s = *p;
    if (isdigit((unsigned char)*s)) {
        long v = 0;
        while (isdigit((unsigned char)*s)) {
            v = v * 10 + (*s - '0');
            if (v > 1000) return false;
            s++;
        }
        *p = s;
        *out = (int)v;
        return true;
    }
    if (f->names && isalpha((unsigned char)s[0]) && isalpha((unsigned char)s[1]) && isalpha((unsigned char)s[2])) {
        int count = f->max - f->min + 1 - (f->max == 7 ? 1 : 0);
        for (int i = 0; i < count; i++) {
            if (strncasecmp(s, f->names[i], 3) == 0 && !isalpha((unsigned char)s[3])) {
                *p = s + 3;
                *out = f->min + i;
                return true;
            }
        }
    }
    return false;
}

/* Parse one field text[0, len) into a bitmask. */
static bool parse_field(const CronField *f, const char *text, size_t len, uint64_t *mask, Error *err)
{
    char buf[256];
    if (len == 0 || len >= sizeof buf) return error_set(err, ERR_USAGE, "cron %s field is empty or too long", f->name);
    memcpy(buf, text, len);
    buf[len] = '\0';
    *mask = 0;
    char *save = NULL;
    for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        const char *p = item;
        int lo, hi, step = 1;
        bool bad = false;
        if (*p == '*') {
            lo = f->min;
            hi = f->max == 7 ? 6 : f->max;
            p++;
        } else {
            bad = !parse_value(f, &p, &lo);
            hi = lo;
            if (!bad && *p == '-') {
                p++;
                bad = !parse_value(f, &p, &hi);
            } else if (!bad && *p == '/') {
                hi = f->max == 7 ? 6 : f->max; /* N/STEP: from N to the end */
            }
        }
        if (!bad && *p == '/') {
            p++;
            const char *digits = p;
            long v = 0;
            while (isdigit((unsigned char)*p) && v <= 1000) v = v * 10 + (*p++ - '0');
            bad = p == digits || v == 0 || v > 1000;
            step = (int)v;
        }
        if (bad || *p != '\0') return error_set(err, ERR_USAGE, "invalid cron %s item \"%s\"", f->name, item);
        if (lo < f->min || lo > f->max || hi < f->min || hi > f->max) {
            return error_set(err, ERR_USAGE, "cron %s item \"%s\" is out of range %d-%d", f->name, item, f->min,
                             f->max);
        }
        if (lo > hi) return error_set(err, ERR_USAGE, "cron %s range \"%s\" is backwards", f->name, item);
        for (int v = lo; v <= hi; v += step) {
            int bit = (f->max == 7 && v == 7) ? 0 : v; /* 7 is Sunday too */
            *mask |= UINT64_C(1) << bit;
        }
    }
    if (*mask == 0) return error_set(err, ERR_USAGE, "cron %s field \"%s\" is empty", f->name, text);
    return true;
}

static const struct {
    const char *macro;
    const char *expansion;
} macros[] = {
    {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"}, {"@weekly", "0 0 * * 0"},
    {"@daily", "0 0 * * *"},  {"@midnight", "0 0 * * *"}, {"@hourly", "0 * * * *"},
};

bool cron_parse(const char *text, CronExpr *out, Error *err)
{
    memset(out, 0, sizeof *out);
    while (isspace((unsigned char)*text)) text++;
    if (text[0] == '@') {
        size_t n = strlen(text);
        while (n > 0 && isspace((unsigned char)text[n - 1])) n--;
        for (size_t i = 0; i < sizeof macros / sizeof macros[0]; i++) {
            if (strlen(macros[i].macro) == n && strncasecmp(text, macros[i].macro, n) == 0) {
                return cron_parse(macros[i].expansion, out, err);
            }
        }
        return error_set(err, ERR_USAGE, "unknown cron macro \"%.*s\"", (int)n, text);
    }
    const char *start[5];
    size_t len[5];
    int n = 0;
    const char *p = text;
    while (*p) {
        while (isspace((unsigned char)*p)) p++;
        if (*p == '\0') break;
        if (n == 5) return error_set(err, ERR_USAGE, "cron expression \"%s\" has more than 5 fields", text);
        start[n] = p;
        while (*p && !isspace((unsigned char)*p)) p++;
        len[n] = (size_t)(p - start[n]);
        n++;
    }
    if (n != 5) {
        return error_set(err, ERR_USAGE,
                         "cron expression \"%s\" has %d field%s; expected 5 (minute hour day-of-month month "
                         "day-of-week)",
                         text, n, n == 1 ? "" : "s");
    }
    uint64_t masks[5];
    for (int i = 0; i < 5; i++) {
        if (!parse_field(&fields[i], start[i], len[i], &masks[i], err)) return false;
    }
    out->minutes = masks[0];
    out->hours = (uint32_t)masks[1];
    out->days = (uint32_t)masks[2];
    out->months = (uint16_t)masks[3];
    out->weekdays = (uint8_t)masks[4];
    out->days_star = start[2][0] == '*';
    out->weekdays_star = start[4][0] == '*';
    int64_t next;
    if (!cron_next(out, 0, &next)) return error_set(err, ERR_USAGE, "cron expression \"%s\" never fires", text);
    return true;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static bool day_matches(const CronExpr *c, int64_t days, int mday)
{
    bool dom = (c->days >> mday) & 1;
    bool dow = (c->weekdays >> datetime_day_of_week(days)) & 1;
    if (c->days_star || c->weekdays_star) return dom && dow;
    return dom || dow;
}

bool cron_matches(const CronExpr *c, int64_t t)
{
    int64_t days = floor_div(t, 86400);
    int64_t secs = t - days * 86400;
    int y, m, d;
    datetime_civil_from_days(days, &y, &m, &d);
    return ((c->months >> m) & 1) && day_matches(c, days, d) && ((c->hours >> (secs / 3600)) & 1) &&
           ((c->minutes >> ((secs % 3600) / 60)) & 1);
}

bool cron_next(const CronExpr *c, int64_t t, int64_t *next)
{
    int64_t cur = floor_div(t, 60) * 60 + 60;
    int64_t limit = cur + INT64_C(400) * 366 * 86400;
    while (cur <= limit) {
        int64_t days = floor_div(cur, 86400);
        int64_t secs = cur - days * 86400;
        int y, m, d;
        datetime_civil_from_days(days, &y, &m, &d);
        if (!((c->months >> m) & 1)) {
            cur = datetime_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) * 86400;
            continue;
        }
        if (!day_matches(c, days, d)) {
            cur = (days + 1) * 86400;
            continue;
        }
        int hour = (int)(secs / 3600);
        if (!((c->hours >> hour) & 1)) {
            cur = days * 86400 + (int64_t)(hour + 1) * 3600;
            continue;
        }
        if (!((c->minutes >> ((secs % 3600) / 60)) & 1)) {
            cur += 60;
            continue;
        }
        *next = cur;
        return true;
    }
    return false;
}
