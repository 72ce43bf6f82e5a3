/* Unit tests of the scheduler's time: fire times in time zones across DST
 * changes (Europe/Paris, America/New_York), month ends and Feb 29, logical
 * keys, catch-up counts, and the fake clock (sched/scheduler_tz.h, clock.h). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sched/clock.h"
#include "sched/scheduler_tz.h"
#include "unit.h"

static int64_t utc(const char *text)
{
    int64_t t = -1;
    CHECK(sched_parse_utc(text, &t));
    return t;
}

/* The next fire after `after` formatted as UTC text ("none" when none). */
static const char *next_of(const char *cron, const char *zone, const char *after)
{
    static char buf[32];
    CronExpr c;
    SchedZone z;
    Error err = ERROR_INIT;
    CHECK(cron_parse(cron, &c, &err));
    CHECK(sched_zone_load(zone, &z, &err));
    int64_t next;
    if (!sched_next_fire(&c, &z, utc(after), &next)) return "none";
    sched_format_utc(next, buf);
    return buf;
}

TEST(tz_paris_spring_gap_fires_once_after_gap)
{
    /* 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00 UTC) */
    CHECK_EQ_STR(next_of("30 2 * * *", "Europe/Paris", "2026-03-28T12:00:00Z"), "2026-03-29T01:00:00Z");
    CHECK_EQ_STR(next_of("30 2 * * *", "Europe/Paris", "2026-03-29T01:00:00Z"), "2026-03-30T00:30:00Z");
    /* every minute: 01:59 CET, then 03:00 CEST once (not 60 skipped minutes) */
    CHECK_EQ_STR(next_of("* * * * *", "Europe/Paris", "2026-03-29T00:58:00Z"), "2026-03-29T00:59:00Z");
    CHECK_EQ_STR(next_of("* * * * *", "Europe/Paris", "2026-03-29T00:59:00Z"), "2026-03-29T01:00:00Z");
    CHECK_EQ_STR(next_of("* * * * *", "Europe/Paris", "2026-03-29T01:00:00Z"), "2026-03-29T01:01:00Z");
    /* a daily 03:00 job is not disturbed */
    CHECK_EQ_STR(next_of("0 3 * * *", "Europe/Paris", "2026-03-28T12:00:00Z"), "2026-03-29T01:00:00Z");
}

TEST(tz_paris_autumn_repeat_fires_once)
{
    /* 2026-10-25: 03:00 CEST goes back to 02:00 CET (01:00 UTC); 02:30 happens twice */
    CHECK_EQ_STR(next_of("30 2 * * *", "Europe/Paris", "2026-10-24T12:00:00Z"), "2026-10-25T00:30:00Z");
    CHECK_EQ_STR(next_of("30 2 * * *", "Europe/Paris", "2026-10-25T00:30:00Z"), "2026-10-26T01:30:00Z");
    /* the second pass of 02:00-02:59 is skipped: after 02:45 CEST comes 03:00 CET */
    CHECK_EQ_STR(next_of("*/30 * * * *", "Europe/Paris", "2026-10-25T00:45:00Z"), "2026-10-25T02:00:00Z");
    /* from inside the second pass too */
    CHECK_EQ_STR(next_of("*/30 * * * *", "Europe/Paris", "2026-10-25T01:10:00Z"), "2026-10-25T02:00:00Z");
}

TEST(tz_new_york_transitions)
{
    /* 2026-03-08: 02:00 EST -> 03:00 EDT (07:00 UTC) */
    CHECK_EQ_STR(next_of("0 2 * * *", "America/New_York", "2026-03-07T12:00:00Z"), "2026-03-08T07:00:00Z");
    CHECK_EQ_STR(next_of("0 2 * * *", "America/New_York", "2026-03-08T07:00:00Z"), "2026-03-09T06:00:00Z");
    /* 2026-11-01: 02:00 EDT -> 01:00 EST (06:00 UTC); 01:30 fires once, in EDT */
    CHECK_EQ_STR(next_of("30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z"), "2026-11-01T05:30:00Z");
    CHECK_EQ_STR(next_of("30 1 * * *", "America/New_York", "2026-11-01T05:30:00Z"), "2026-11-02T06:30:00Z");
    CHECK_EQ_STR(next_of("0 9 * * 1-5", "America/New_York", "2026-11-01T00:00:00Z"), "2026-11-02T14:00:00Z");
}

TEST(tz_month_ends_and_feb_29)
{
    CHECK_EQ_STR(next_of("0 0 31 * *", "UTC", "2026-01-31T00:00:00Z"), "2026-03-31T00:00:00Z");
    CHECK_EQ_STR(next_of("0 0 31 * *", "UTC", "2026-03-31T00:00:00Z"), "2026-05-31T00:00:00Z");
    CHECK_EQ_STR(next_of("0 0 31 * *", "Europe/Paris", "2026-01-31T00:00:00Z"), "2026-03-30T22:00:00Z");
    CHECK_EQ_STR(next_of("0 12 29 2 *", "UTC", "2026-01-01T00:00:00Z"), "2028-02-29T12:00:00Z");
    CronExpr c;
    SchedZone z;
    Error err = ERROR_INIT;
    CHECK(cron_parse("0 12 29 2 *", &c, &err) && sched_zone_load("UTC", &z, &err));
    int64_t prev = 0;
    CHECK(sched_prev_fire(&c, &z, utc("2031-01-01T00:00:00Z"), &prev));
    CHECK_EQ_INT(prev, utc("2028-02-29T12:00:00Z"));
}

TEST(tz_unknown_zone_is_an_error)
{
    SchedZone z;
    Error err = ERROR_INIT;
    CHECK(!sched_zone_load("Europe/Atlantis", &z, &err));
    CHECK(strstr(err.message, "unknown time zone \"Europe/Atlantis\"") != NULL);
    Error err2 = ERROR_INIT;
    CHECK(!sched_zone_load("../etc/passwd", &z, &err2));
    CHECK_EQ_INT(sched_zone_offset(&(SchedZone){"UTC", true}, 0), 0);
    CHECK(sched_zone_load("Europe/Paris", &z, &err));
    CHECK_EQ_INT(sched_zone_offset(&z, utc("2026-07-01T00:00:00Z")), 7200);
    CHECK_EQ_INT(sched_zone_offset(&z, utc("2026-01-01T00:00:00Z")), 3600);
}

TEST(tz_logical_keys)
{
    CronExpr daily, minutely;
    SchedZone paris;
    Error err = ERROR_INIT;
    CHECK(cron_parse("0 3 * * *", &daily, &err) && cron_parse("*/1 * * * *", &minutely, &err));
    CHECK(sched_zone_load("Europe/Paris", &paris, &err));
    char key[20], ds[11], ts[20];
    /* the fire of 2026-03-29 03:00 CEST is for the interval that started 2026-03-28 03:00 CET */
    int64_t logical;
    CHECK(sched_prev_fire(&daily, &paris, utc("2026-03-29T01:00:00Z"), &logical));
    CHECK_EQ_INT(logical, utc("2026-03-28T02:00:00Z"));
    sched_logical_key(&daily, &paris, logical, key, ds, ts);
    CHECK_EQ_STR(key, "2026-03-28");
    CHECK_EQ_STR(ts, "2026-03-28T03:00:00");
    CHECK(sched_prev_fire(&minutely, &paris, utc("2026-03-29T01:05:00Z"), &logical));
    sched_logical_key(&minutely, &paris, logical, key, ds, ts);
    CHECK_EQ_STR(key, "2026-03-29T03:04");
    CHECK_EQ_STR(ds, "2026-03-29");
    CHECK(sched_cron_is_daily(&daily));
    CHECK(!sched_cron_is_daily(&minutely));
}

TEST(tz_catch_up_counts)
{
    CronExpr c;
    SchedZone z;
    Error err = ERROR_INIT;
    CHECK(cron_parse("*/1 * * * *", &c, &err) && sched_zone_load("UTC", &z, &err));
    int64_t fires[16], skipped, seen;
    int n;
    int64_t start = utc("2026-03-29T00:00:00Z");
    sched_due_fires(&c, &z, start, start + 600, true, 100, fires, 16, &n, &skipped, &seen);
    CHECK_EQ_INT(n, 10);
    CHECK_EQ_INT(skipped, 0);
    CHECK_EQ_INT(fires[0], start + 60);
    CHECK_EQ_INT(fires[9], start + 600);
    CHECK_EQ_INT(seen, start + 600);
    /* at most 3: the newest three, oldest first */
    sched_due_fires(&c, &z, start, start + 600, true, 3, fires, 16, &n, &skipped, &seen);
    CHECK_EQ_INT(n, 3);
    CHECK_EQ_INT(skipped, 7);
    CHECK_EQ_INT(fires[0], start + 480);
    CHECK_EQ_INT(fires[2], start + 600);
    /* no catch-up: only the newest */
    sched_due_fires(&c, &z, start, start + 630, false, 100, fires, 16, &n, &skipped, &seen);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(skipped, 9);
    CHECK_EQ_INT(fires[0], start + 600);
    /* nothing due yet */
    sched_due_fires(&c, &z, start, start + 59, true, 100, fires, 16, &n, &skipped, &seen);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(seen, start);
}

TEST(clock_fake_and_real)
{
    Error err = ERROR_INIT;
    CHECK(sched_clock_configure(NULL, NULL, NULL, &err));
    CHECK(!sched_clock_is_fake());
    int64_t real = sched_clock_now();
    CHECK(real > utc("2024-01-01T00:00:00Z"));
    /* anchored 10 real seconds ago at speed 60: 600 fake seconds later */
    char epoch[32];
    snprintf(epoch, sizeof epoch, "%lld", (long long)real - 10);
    CHECK(sched_clock_configure("2026-03-29T00:59:00Z", "60", epoch, &err));
    int64_t now = sched_clock_now();
    CHECK(now >= utc("2026-03-29T01:09:00Z") && now <= utc("2026-03-29T01:11:00Z"));
    CHECK(sched_clock_real_seconds(60) > 0.99 && sched_clock_real_seconds(60) < 1.01);
    /* the file clock */
    char path[] = "/tmp/kiln-clock-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(write(fd, "2026-10-25T01:30:00Z\n", 21) == 21);
    close(fd);
    char spec[64];
    snprintf(spec, sizeof spec, "@%s", path);
    CHECK(sched_clock_configure(spec, NULL, NULL, &err));
    CHECK_EQ_INT(sched_clock_now(), utc("2026-10-25T01:30:00Z"));
    unlink(path);
    /* malformed values name the variable */
    Error bad = ERROR_INIT;
    CHECK(!sched_clock_configure("yesterday", NULL, NULL, &bad));
    CHECK(strstr(bad.message, "KILN_FAKE_NOW") != NULL);
    Error bad2 = ERROR_INIT;
    CHECK(!sched_clock_configure("2026-03-29T00:59:00Z", "-1", NULL, &bad2));
    CHECK(strstr(bad2.message, "KILN_FAKE_SPEED") != NULL);
    CHECK(sched_clock_configure(NULL, NULL, NULL, &err));
    char buf[32];
    sched_format_utc(utc("2028-02-29T23:59:59Z"), buf);
    CHECK_EQ_STR(buf, "2028-02-29T23:59:59Z");
}
