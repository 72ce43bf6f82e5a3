/* scheduler_tz: time-zone-aware fire times.  The cron search itself runs on
 * the naive wall clock (cron_next); converting between wall-clock times and
 * instants uses the C library's tz database through TZ + localtime_r.  A
 * wall-clock time maps to the instants L - offset for the offsets in force a
 * day before and after it; the ones whose offset agrees are real (two in a
 * repeated hour), none means a gap, whose end is found by bisection.  See
 * scheduler_tz.h for the rules. */
#include "sched/scheduler_tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/mem.h"
#include "types/datetime.h"

bool sched_zone_load(const char *name, SchedZone *z, Error *err)
{
    memset(z, 0, sizeof *z);
    if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0 || strcmp(name, "GMT") == 0 ||
        strcmp(name, "Etc/GMT") == 0) {
        snprintf(z->name, sizeof z->name, "%s", name);
        z->utc = true;
        return true;
    }
    bool ok = name[0] != '\0' && name[0] != '/' && strlen(name) < sizeof z->name && strstr(name, "..") == NULL;
    for (const char *c = name; ok && *c; c++) {
        ok = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '/' ||
             *c == '_' || *c == '-' || *c == '+';
    }
    if (!ok) return error_set(err, ERR_USAGE, "invalid time zone name \"%s\" (use a tz database name such as Europe/Paris)", name);
    const char *dir = getenv("TZDIR");
    if (dir == NULL || dir[0] == '\0') dir = "/usr/share/zoneinfo";
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    char magic[4] = {0};
    bool is_tzif = f && fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;
    if (f) fclose(f);
    if (!is_tzif) return error_set(err, ERR_USAGE, "unknown time zone \"%s\" (not in the tz database %s)", name, dir);
    snprintf(z->name, sizeof z->name, "%s", name);
    return true;
}

/* TZ is switched to the zone for the span of one public call. */
typedef struct ZoneScope {
    char *saved; /* the previous TZ (mem_strdup), NULL when unset */
    bool active;
} ZoneScope;

static void zone_enter(const SchedZone *z, ZoneScope *scope)
{
    scope->active = !z->utc;
    scope->saved = NULL;
    if (!scope->active) return;
    const char *old = getenv("TZ");
    scope->saved = old ? mem_strdup(old) : NULL; /* setenv below may free the string getenv returned */
    char value[80];
    snprintf(value, sizeof value, ":%s", z->name);
    setenv("TZ", value, 1);
    tzset();
}

static void zone_leave(ZoneScope *scope)
{
    if (!scope->active) return;
    if (scope->saved) setenv("TZ", scope->saved, 1);
    else unsetenv("TZ");
    mem_free(scope->saved);
    tzset();
}

/* Offset at t inside a scope. */
static int offset_at(const SchedZone *z, int64_t t)
{
    if (z->utc) return 0;
    time_t tt = (time_t)t;
    struct tm tm;
    if (localtime_r(&tt, &tm) == NULL) return 0;
    return (int)tm.tm_gmtoff;
}

int sched_zone_offset(const SchedZone *z, int64_t t)
{
    ZoneScope scope;
    zone_enter(z, &scope);
    int off = offset_at(z, t);
    zone_leave(&scope);
    return off;
}

/* The instants (ascending) whose wall-clock time is local; returns how many
 * (0 in a gap: *gap_end is then the first instant after the gap). */
static int local_to_instants(const SchedZone *z, int64_t local, int64_t out[2], int64_t *gap_end)
{
    int before = offset_at(z, local - 86400), after = offset_at(z, local + 86400);
    int n = 0;
    int offsets[2] = {before, after};
    for (int i = 0; i < 2; i++) {
        if (i == 1 && after == before) break;
        int64_t u = local - offsets[i];
        if (offset_at(z, u) == offsets[i]) out[n++] = u;
    }
    if (n == 2 && out[0] > out[1]) {
        int64_t t = out[0];
        out[0] = out[1];
        out[1] = t;
    }
    if (n == 0) {
        /* a gap: the change happens between local - after (old offset) and local - before */
        int64_t lo = local - after, hi = local - before;
        if (lo > hi) {
            int64_t t = lo;
            lo = hi;
            hi = t;
        }
        int lo_offset = offset_at(z, lo);
        while (hi - lo > 1) {
            int64_t mid = lo + (hi - lo) / 2;
            if (offset_at(z, mid) == lo_offset) lo = mid;
            else hi = mid;
        }
        *gap_end = hi;
    }
    return n;
}

/* next fire inside a scope */
static bool next_fire(const CronExpr *c, const SchedZone *z, int64_t after, int64_t *next)
{
    int64_t local = after + offset_at(z, after);
    for (int guard = 0; guard < 100000; guard++) {
        int64_t candidate;
        if (!cron_next(c, local, &candidate)) return false;
        int64_t instants[2], gap_end = 0;
        int n = local_to_instants(z, candidate, instants, &gap_end);
        int64_t u = n > 0 ? instants[0] : gap_end;
        if (u > after) {
            *next = u;
            return true;
        }
        local = candidate; /* already fired (the second pass of a repeated hour) */
    }
    return false;
}

bool sched_next_fire(const CronExpr *c, const SchedZone *z, int64_t after, int64_t *next)
{
    ZoneScope scope;
    zone_enter(z, &scope);
    bool ok = next_fire(c, z, after, next);
    zone_leave(&scope);
    return ok;
}

bool sched_prev_fire(const CronExpr *c, const SchedZone *z, int64_t before, int64_t *prev)
{
    /* look back over growing windows: most schedules find it within the first */
    static const int64_t windows[] = {3600, 86400, 32 * 86400, 367 * 86400, 8 * 367 * 86400};
    ZoneScope scope;
    zone_enter(z, &scope);
    bool found = false;
    for (size_t w = 0; w < sizeof windows / sizeof windows[0] && !found; w++) {
        int64_t t = before - windows[w], f;
        while (next_fire(c, z, t, &f) && f < before) {
            *prev = f;
            found = true;
            t = f;
        }
    }
    zone_leave(&scope);
    return found;
}

static int popcount64(uint64_t v)
{
    int n = 0;
    for (; v; v &= v - 1) n++;
    return n;
}

bool sched_cron_is_daily(const CronExpr *c) { return popcount64(c->minutes) == 1 && popcount64(c->hours) == 1; }

void sched_logical_key(const CronExpr *c, const SchedZone *z, int64_t logical, char *key, char *ds, char *ts)
{
    int64_t local = logical + sched_zone_offset(z, logical);
    int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    int64_t secs = local - days * 86400;
    int y, m, d;
    datetime_civil_from_days(days, &y, &m, &d);
    int hh = (int)(secs / 3600), mm = (int)(secs % 3600 / 60), ss = (int)(secs % 60);
    char text[64];
    snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d", y % 10000, m, d, hh, mm, ss);
    memcpy(ds, text, 10);
    ds[10] = '\0';
    memcpy(ts, text, 19);
    ts[19] = '\0';
    size_t key_len = sched_cron_is_daily(c) ? 10 : 16; /* YYYY-MM-DD or YYYY-MM-DDTHH:MM */
    memcpy(key, text, key_len);
    key[key_len] = '\0';
}

void sched_due_fires(const CronExpr *c, const SchedZone *z, int64_t last, int64_t now, bool catchup,
                     int max_catchup, int64_t *fires, int cap, int *count, int64_t *skipped, int64_t *last_seen)
{
    int keep = catchup ? max_catchup : 1;
    if (keep > cap) keep = cap;
    if (keep < 1) keep = 1;
    /* a ring of the newest `keep` fires */
    int64_t total = 0;
    int64_t t = last, f;
    ZoneScope scope;
    zone_enter(z, &scope);
    while (next_fire(c, z, t, &f) && f <= now) {
        fires[total % keep] = f;
        total++;
        t = f;
    }
    zone_leave(&scope);
    *last_seen = t;
    int n = total < keep ? (int)total : keep;
    *skipped = total - n;
    /* rotate so the oldest kept comes first */
    if (total > keep) {
        int start = (int)(total % keep);
        int64_t tmp[1];
        for (int r = 0; r < start; r++) { /* keep is small (<= cap): a simple rotation */
            tmp[0] = fires[0];
            memmove(fires, fires + 1, sizeof *fires * (size_t)(keep - 1));
            fires[keep - 1] = tmp[0];
        }
    }
    *count = n;
}
