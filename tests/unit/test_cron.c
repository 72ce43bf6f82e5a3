/* Unit tests of sched/cron: parsing (ranges, steps, lists, names, macros,
 * errors) and next fire times across month ends, leap years and the
 * day-of-month/day-of-week OR rule. */
#include <stdio.h>

#include "sched/cron.h"
#include "types/datetime.h"
#include "unit.h"

/* Epoch seconds of a civil UTC time. */
static int64_t at(int y, int mo, int d, int h, int mi)
{
    return datetime_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

/* "YYYY-MM-DD HH:MM" of the next fire after t, or "none". */
static const char *next_str(const char *expr, int64_t t)
{
    static char buf[32];
    CronExpr c;
    static Error err;
    error_clear(&err);
    if (!cron_parse(expr, &c, &err)) return err.message;
    int64_t n;
    if (!cron_next(&c, t, &n)) return "none";
    int64_t days = n / 86400;
    int y, m, d;
    datetime_civil_from_days(days, &y, &m, &d);
    int secs = (int)(n - days * 86400);
    snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d", y, m, d, secs / 3600, secs % 3600 / 60);
    return buf;
}

TEST(cron_next_basic)
{
    CHECK_EQ_STR(next_str("0 3 * * *", at(2026, 11, 24, 2, 59)), "2026-11-24 03:00");
    CHECK_EQ_STR(next_str("0 3 * * *", at(2026, 11, 24, 3, 0)), "2026-11-25 03:00"); /* strictly after */
    CHECK_EQ_STR(next_str("*/15 * * * *", at(2026, 1, 1, 10, 7)), "2026-01-01 10:15");
    CHECK_EQ_STR(next_str("5-10/2 * * * *", at(2026, 1, 1, 10, 7)), "2026-01-01 10:09");
    CHECK_EQ_STR(next_str("1,30,59 23 * * *", at(2026, 12, 31, 23, 59)), "2027-01-01 23:01");
    CHECK_EQ_STR(next_str("30/10 * * * *", at(2026, 1, 1, 10, 55)), "2026-01-01 11:30");
}

TEST(cron_month_ends_and_leap_years)
{
    CHECK_EQ_STR(next_str("0 0 31 * *", at(2026, 4, 1, 0, 0)), "2026-05-31 00:00");
    CHECK_EQ_STR(next_str("0 0 29 2 *", at(2026, 3, 1, 0, 0)), "2028-02-29 00:00");
    CHECK_EQ_STR(next_str("0 0 29 2 *", at(2096, 3, 1, 0, 0)), "2104-02-29 00:00"); /* 2100 is no leap year */
    CHECK_EQ_STR(next_str("0 0 1 * *", at(2026, 12, 15, 0, 0)), "2027-01-01 00:00");
    CHECK_EQ_STR(next_str("59 23 28-31 2 *", at(2024, 2, 28, 23, 59)), "2024-02-29 23:59");
}

TEST(cron_names_and_weekdays)
{
    /* 2026-11-24 is a Tuesday */
    CHECK_EQ_STR(next_str("0 9 * * mon-fri", at(2026, 11, 28, 0, 0)), "2026-11-30 09:00");
    CHECK_EQ_STR(next_str("0 9 * * 7", at(2026, 11, 24, 0, 0)), "2026-11-29 09:00"); /* 7 = Sunday */
    CHECK_EQ_STR(next_str("0 0 1 jan,JUL *", at(2026, 2, 1, 0, 0)), "2026-07-01 00:00");
    CHECK_EQ_STR(next_str("@weekly", at(2026, 11, 24, 0, 0)), "2026-11-29 00:00");
    CHECK_EQ_STR(next_str("@monthly", at(2026, 11, 24, 0, 0)), "2026-12-01 00:00");
    CHECK_EQ_STR(next_str("@hourly", at(2026, 11, 24, 5, 30)), "2026-11-24 06:00");
}

TEST(cron_day_of_month_or_day_of_week)
{
    /* both restricted: the 13th OR a Friday (Vixie cron) */
    CHECK_EQ_STR(next_str("0 0 13 * fri", at(2026, 11, 24, 0, 0)), "2026-11-27 00:00");
    CHECK_EQ_STR(next_str("0 0 13 * fri", at(2026, 11, 28, 0, 0)), "2026-12-04 00:00");
    CHECK_EQ_STR(next_str("0 0 1 * mon", at(2026, 11, 24, 0, 0)), "2026-11-30 00:00");
    /* one field starts with a star: both must match (an odd day and a Monday) */
    CHECK_EQ_STR(next_str("0 0 */2 * mon", at(2026, 11, 24, 0, 0)), "2026-12-07 00:00");
    CronExpr c;
    Error err = ERROR_INIT;
    CHECK(cron_parse("0 0 13 * fri", &c, &err));
    CHECK(cron_matches(&c, at(2026, 2, 13, 0, 0)));
    CHECK(!cron_matches(&c, at(2026, 2, 14, 0, 0)));
}

TEST(cron_errors)
{
    CHECK_EQ_STR(next_str("61 * * * *", 0), "cron minute item \"61\" is out of range 0-59");
    CHECK_EQ_STR(next_str("* * * *", 0),
                 "cron expression \"* * * *\" has 4 fields; expected 5 (minute hour day-of-month month day-of-week)");
    CHECK_EQ_STR(next_str("* * * * * *", 0), "cron expression \"* * * * * *\" has more than 5 fields");
    CHECK_EQ_STR(next_str("*/0 * * * *", 0), "invalid cron minute item \"*/0\"");
    CHECK_EQ_STR(next_str("5-1 * * * *", 0), "cron minute range \"5-1\" is backwards");
    CHECK_EQ_STR(next_str("0 0 * foo *", 0), "invalid cron month item \"foo\"");
    CHECK_EQ_STR(next_str("0 0 30 2 *", 0), "cron expression \"0 0 30 2 *\" never fires");
    CHECK_EQ_STR(next_str("@often", 0), "unknown cron macro \"@often\"");
    CHECK_EQ_STR(next_str("0 0 0 * *", 0), "cron day-of-month item \"0\" is out of range 1-31");
}
