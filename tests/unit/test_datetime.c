/* Unit tests of types/datetime: the civil calendar, text input and output of
 * dates, timestamps and intervals, arithmetic (month-end clamping, leap
 * years, ranges), date_trunc / date_part and to_char / to_timestamp.
 * Expected values were checked against PostgreSQL 15. */
#include <stdio.h>
#include <string.h>

#include "common/strbuf.h"
#include "types/datetime.h"
#include "unit.h"

static char out_buf[4][ERROR_MSG_MAX + 8];
static int out_which;
static char *next_out(void) { return out_buf[out_which++ & 3]; }

static const char *date_text(const char *s)
{
    char *o = next_out();
    int32_t d;
    Error err = ERROR_INIT;
    if (!datetime_parse_date(s, strlen(s), &d, &err)) snprintf(o, ERROR_MSG_MAX + 8, "ERROR: %s", err.message);
    else datetime_format_date(d, o);
    return o;
}

static int64_t ts(const char *s)
{
    int64_t t = 0;
    Error err = ERROR_INIT;
    datetime_parse_timestamp(s, strlen(s), &t, &err);
    return t;
}

static const char *ts_text(const char *s)
{
    char *o = next_out();
    int64_t t;
    Error err = ERROR_INIT;
    if (!datetime_parse_timestamp(s, strlen(s), &t, &err)) snprintf(o, ERROR_MSG_MAX + 8, "ERROR: %s", err.message);
    else datetime_format_timestamp(t, o);
    return o;
}

static const char *fmt_ts(int64_t t)
{
    char *o = next_out();
    datetime_format_timestamp(t, o);
    return o;
}

static Interval iv(const char *s)
{
    Interval v = {0, 0, 0};
    Error err = ERROR_INIT;
    datetime_parse_interval(s, strlen(s), &v, &err);
    return v;
}

static const char *iv_text(const char *s)
{
    char *o = next_out();
    Interval v;
    Error err = ERROR_INIT;
    if (!datetime_parse_interval(s, strlen(s), &v, &err)) snprintf(o, ERROR_MSG_MAX + 8, "ERROR: %s", err.message);
    else datetime_format_interval(v, o);
    return o;
}

static const char *fmt_iv(Interval v)
{
    char *o = next_out();
    datetime_format_interval(v, o);
    return o;
}

TEST(datetime_civil_calendar)
{
    CHECK_EQ_INT(datetime_days_from_civil(1970, 1, 1), 0);
    CHECK_EQ_INT(datetime_days_from_civil(2000, 3, 1), 11017);
    CHECK_EQ_INT(datetime_days_from_civil(1969, 12, 31), -1);
    CHECK_EQ_INT(datetime_days_from_civil(9999, 12, 31), 2932896);
    CHECK_EQ_INT(datetime_days_from_civil(-4713, 11, 24), DATE_MIN_DAYS);
    CHECK_EQ_INT(datetime_days_from_civil(5874897, 12, 31), DATE_MAX_DAYS);
    int y, m, d;
    for (int64_t day = -800000; day < 3000000; day += 997) {
        datetime_civil_from_days(day, &y, &m, &d);
        if (!CHECK_EQ_INT(datetime_days_from_civil(y, m, d), day)) break;
    }
    datetime_civil_from_days(19782, &y, &m, &d); /* 2024-02-29 */
    CHECK(y == 2024 && m == 2 && d == 29);
    CHECK(datetime_is_leap_year(2000) && datetime_is_leap_year(2024) && !datetime_is_leap_year(1900) &&
          !datetime_is_leap_year(2023) && datetime_is_leap_year(0));
    CHECK_EQ_INT(datetime_days_in_month(2024, 2), 29);
    CHECK_EQ_INT(datetime_days_in_month(2100, 2), 28);
    CHECK_EQ_INT(datetime_days_in_month(2023, 4), 30);
    CHECK_EQ_INT(datetime_day_of_week(0), 4);  /* Thursday */
    CHECK_EQ_INT(datetime_day_of_week(-1), 3); /* Wednesday */
    int iy, w;
    datetime_iso_week(datetime_days_from_civil(2021, 1, 1), &iy, &w);
    CHECK(iy == 2020 && w == 53);
    datetime_iso_week(datetime_days_from_civil(2024, 12, 30), &iy, &w);
    CHECK(iy == 2025 && w == 1);
}

TEST(datetime_date_input_output)
{
    CHECK_EQ_STR(date_text("2024-01-31"), "2024-01-31");
    CHECK_EQ_STR(date_text("  2024-01-31  "), "2024-01-31");
    CHECK_EQ_STR(date_text("20240131"), "2024-01-31");
    CHECK_EQ_STR(date_text("1/31/2024"), "2024-01-31");
    CHECK_EQ_STR(date_text("2024-1-5"), "2024-01-05");
    CHECK_EQ_STR(date_text("2024-01-31 12:00"), "2024-01-31");
    CHECK_EQ_STR(date_text("2024-01-31T23:59:59Z"), "2024-01-31");
    CHECK_EQ_STR(date_text("2024-02-29"), "2024-02-29");
    CHECK_EQ_STR(date_text("0099-01-01"), "0099-01-01");
    CHECK_EQ_STR(date_text("0044-03-15 BC"), "0044-03-15 BC");
    CHECK_EQ_STR(date_text("12345-06-07"), "12345-06-07");
    CHECK_EQ_STR(date_text("epoch"), "1970-01-01");
    CHECK_EQ_STR(date_text("2023-02-29"), "ERROR: date/time field value out of range: \"2023-02-29\"");
    CHECK_EQ_STR(date_text("2024-13-01"), "ERROR: date/time field value out of range: \"2024-13-01\"");
    CHECK_EQ_STR(date_text("2024-00-10"), "ERROR: date/time field value out of range: \"2024-00-10\"");
    CHECK_EQ_STR(date_text("99-01-05"), "ERROR: date/time field value out of range: \"99-01-05\"");
    CHECK_EQ_STR(date_text("0000-01-01"), "ERROR: date/time field value out of range: \"0000-01-01\"");
    CHECK_EQ_STR(date_text("x"), "ERROR: invalid input syntax for type date: \"x\"");
    CHECK_EQ_STR(date_text(""), "ERROR: invalid input syntax for type date: \"\"");
    CHECK_EQ_STR(date_text("2024-01-31 junk"), "ERROR: invalid input syntax for type date: \"2024-01-31 junk\"");
    CHECK_EQ_STR(date_text("infinity"), "ERROR: infinite dates are not supported: \"infinity\"");
}

TEST(datetime_timestamp_input_output)
{
    CHECK_EQ_STR(ts_text("2024-01-31 12:34:56"), "2024-01-31 12:34:56");
    CHECK_EQ_STR(ts_text("2024-01-31T12:34:56.5"), "2024-01-31 12:34:56.5");
    CHECK_EQ_STR(ts_text("2024-01-31 12:34:56.123456789"), "2024-01-31 12:34:56.123457");
    CHECK_EQ_STR(ts_text("2024-01-31 12:34:56.9999999"), "2024-01-31 12:34:57");
    CHECK_EQ_STR(ts_text("2024-01-31"), "2024-01-31 00:00:00");
    CHECK_EQ_STR(ts_text("2024-01-31 12:00"), "2024-01-31 12:00:00");
    CHECK_EQ_STR(ts_text("2024-01-31 24:00:00"), "2024-02-01 00:00:00");
    CHECK_EQ_STR(ts_text("2024-01-31 23:59:60"), "2024-02-01 00:00:00");
    CHECK_EQ_STR(ts_text("2024-01-31T12:00:00Z"), "2024-01-31 12:00:00");
    CHECK_EQ_STR(ts_text("2024-01-31 12:00:00+02:00"), "2024-01-31 12:00:00");
    CHECK_EQ_STR(ts_text("2024-01-31 12:00:00-0530"), "2024-01-31 12:00:00");
    CHECK_EQ_STR(ts_text("1969-12-31 23:59:59.999999"), "1969-12-31 23:59:59.999999");
    CHECK_EQ_STR(ts_text("2024-01-31 12:34:56.5 BC"), "2024-01-31 12:34:56.5 BC");
    CHECK_EQ_STR(ts_text("294246-12-31 23:59:59"), "294246-12-31 23:59:59");
    CHECK_EQ_STR(ts_text("294247-01-01"), "ERROR: timestamp out of range: \"294247-01-01\"");
    CHECK_EQ_STR(ts_text("2024-01-31 25:00"), "ERROR: date/time field value out of range: \"2024-01-31 25:00\"");
    CHECK_EQ_STR(ts_text("2024-01-31 12:60"), "ERROR: date/time field value out of range: \"2024-01-31 12:60\"");
    CHECK_EQ_STR(ts_text("2024-01-31 12"), "ERROR: invalid input syntax for type timestamp: \"2024-01-31 12\"");
    CHECK_EQ_STR(ts_text("yesterday-ish"), "ERROR: invalid input syntax for type timestamp: \"yesterday-ish\"");
}

TEST(datetime_interval_input_output)
{
    CHECK_EQ_STR(iv_text("1 year 2 mons 3 days 04:05:06"), "1 year 2 mons 3 days 04:05:06");
    CHECK_EQ_STR(iv_text("1 day"), "1 day");
    CHECK_EQ_STR(iv_text("2 days"), "2 days");
    CHECK_EQ_STR(iv_text("0"), "00:00:00");
    CHECK_EQ_STR(iv_text("100 hours"), "100:00:00");
    CHECK_EQ_STR(iv_text("-1 year 2 mons"), "-10 mons");
    CHECK_EQ_STR(iv_text("-1 day -2 hours"), "-1 days -02:00:00");
    CHECK_EQ_STR(iv_text("1 day -2 hours"), "1 day -02:00:00");
    CHECK_EQ_STR(iv_text("1.5 weeks"), "10 days 12:00:00");
    CHECK_EQ_STR(iv_text("1.5 months"), "1 mon 15 days");
    CHECK_EQ_STR(iv_text("1.5 years"), "1 year 6 mons");
    CHECK_EQ_STR(iv_text("-1.5 days"), "-1 days -12:00:00");
    CHECK_EQ_STR(iv_text("2 weeks 3 hours 1 minute"), "14 days 03:01:00");
    CHECK_EQ_STR(iv_text("1 day ago"), "-1 days");
    CHECK_EQ_STR(iv_text("@ 3 days"), "3 days");
    CHECK_EQ_STR(iv_text("P1Y2M3DT4H5M6S"), "1 year 2 mons 3 days 04:05:06");
    CHECK_EQ_STR(iv_text("P1.5D"), "1 day 12:00:00");
    CHECK_EQ_STR(iv_text("10:30"), "10:30:00");
    CHECK_EQ_STR(iv_text("-1:30"), "-01:30:00");
    CHECK_EQ_STR(iv_text("1.5"), "00:00:01.5");
    CHECK_EQ_STR(iv_text("-00:00:01.5"), "-00:00:01.5");
    CHECK_EQ_STR(iv_text("1-2"), "1 year 2 mons");
    CHECK_EQ_STR(iv_text("3 mons 1 day 1 hour"), "3 mons 1 day 01:00:00");
    CHECK_EQ_STR(iv_text("x"), "ERROR: invalid input syntax for type interval: \"x\"");
    CHECK_EQ_STR(iv_text(""), "ERROR: invalid input syntax for type interval: \"\"");
    CHECK_EQ_STR(iv_text("1 fortnight"), "ERROR: invalid input syntax for type interval: \"1 fortnight\"");
    CHECK_EQ_STR(iv_text("P"), "ERROR: invalid input syntax for type interval: \"P\"");
    CHECK_EQ_STR(iv_text("99999999999 years"),
                 "ERROR: interval field value out of range: \"99999999999 years\"");
}

TEST(datetime_arithmetic)
{
    int64_t r;
    Error err = ERROR_INIT;
    CHECK(datetime_timestamp_add_interval(ts("2024-01-31 10:00"), iv("1 month"), &r, &err));
    CHECK_EQ_STR(fmt_ts(r), "2024-02-29 10:00:00");
    CHECK(datetime_timestamp_add_interval(ts("2023-01-31"), iv("1 month"), &r, &err));
    CHECK_EQ_STR(fmt_ts(r), "2023-02-28 00:00:00");
    CHECK(datetime_timestamp_add_interval(ts("2024-02-29"), iv("1 year"), &r, &err));
    CHECK_EQ_STR(fmt_ts(r), "2025-02-28 00:00:00");
    CHECK(datetime_timestamp_add_interval(ts("2024-03-31"), iv("-1 month"), &r, &err));
    CHECK_EQ_STR(fmt_ts(r), "2024-02-29 00:00:00");
    CHECK(datetime_timestamp_add_interval(ts("2024-01-01"), iv("-1 mon 1 day 1 hour"), &r, &err));
    CHECK_EQ_STR(fmt_ts(r), "2023-12-02 01:00:00");
    CHECK(datetime_timestamp_add_interval(ts("1970-01-01"), iv("-1 microsecond"), &r, &err));
    CHECK_EQ_STR(fmt_ts(r), "1969-12-31 23:59:59.999999");
    CHECK(!datetime_timestamp_add_interval(ts("294246-12-31"), iv("1 year"), &r, &err));
    CHECK_EQ_STR(err.message, "timestamp out of range");
    Interval d;
    CHECK(datetime_timestamp_diff(ts("2024-03-01"), ts("2024-02-28 12:00"), &d, &err));
    CHECK_EQ_STR(fmt_iv(d), "1 day 12:00:00");
    CHECK(datetime_timestamp_diff(ts("2024-01-01"), ts("2024-01-02 01:00"), &d, &err));
    CHECK_EQ_STR(fmt_iv(d), "-1 days -01:00:00");
    int32_t day;
    CHECK(datetime_date_add_days(0, -1, &day, &err) && day == -1);
    CHECK(!datetime_date_add_days(DATE_MAX_DAYS, 1, &day, &err));
    CHECK_EQ_STR(err.message, "date out of range");
    CHECK(!datetime_date_add_days(0, INT64_MAX, &day, &err));
    CHECK_EQ_INT(datetime_timestamp_to_date(ts("1969-12-31 23:00")), -1);
    Interval x;
    CHECK(datetime_interval_mul(iv("1 day"), 1.5, &x, &err));
    CHECK_EQ_STR(fmt_iv(x), "1 day 12:00:00");
    CHECK(datetime_interval_mul(iv("1 mon"), 1.0 / 3.0, &x, &err));
    CHECK_EQ_STR(fmt_iv(x), "10 days");
    CHECK(!datetime_interval_mul(iv("1000000 years"), 1e10, &x, &err));
    CHECK_EQ_STR(err.message, "interval out of range");
    CHECK(datetime_interval_add(iv("1 day"), iv("2 hours"), &x, &err));
    CHECK_EQ_STR(fmt_iv(x), "1 day 02:00:00");
    CHECK(datetime_interval_sub(iv("1 day"), iv("2 hours"), &x, &err));
    CHECK_EQ_STR(fmt_iv(x), "1 day -02:00:00");
    Interval min_iv = {INT32_MIN, 0, 0};
    CHECK(!datetime_interval_negate(min_iv, &x, &err));
    CHECK(!datetime_interval_add(min_iv, min_iv, &x, &err));
    CHECK_EQ_INT(datetime_interval_compare(iv("1 mon"), iv("30 days")), 0);
    CHECK_EQ_INT(datetime_interval_compare(iv("1 day"), iv("23 hours")), 1);
    CHECK_EQ_INT(datetime_interval_compare(iv("-1 day"), iv("1 second")), -1);
}

TEST(datetime_trunc_and_part)
{
    int64_t r;
    double p;
    Error err = ERROR_INIT;
    CHECK(datetime_trunc(DF_WEEK, ts("2024-03-07 12:00"), &r, &err));
    CHECK_EQ_STR(fmt_ts(r), "2024-03-04 00:00:00");
    CHECK(datetime_trunc(DF_QUARTER, ts("2024-05-07 01:02:03"), &r, &err));
    CHECK_EQ_STR(fmt_ts(r), "2024-04-01 00:00:00");
    CHECK(datetime_trunc(DF_HOUR, ts("1969-12-31 23:59:59.5"), &r, &err));
    CHECK_EQ_STR(fmt_ts(r), "1969-12-31 23:00:00");
    CHECK(datetime_trunc(DF_MILLISECONDS, ts("2024-01-01 00:00:00.123456"), &r, &err));
    CHECK_EQ_STR(fmt_ts(r), "2024-01-01 00:00:00.123");
    CHECK(datetime_trunc(DF_CENTURY, ts("2024-05-07"), &r, &err));
    CHECK_EQ_STR(fmt_ts(r), "2001-01-01 00:00:00");
    CHECK(datetime_trunc(DF_DECADE, ts("2024-05-07"), &r, &err));
    CHECK_EQ_STR(fmt_ts(r), "2020-01-01 00:00:00");
    CHECK(!datetime_trunc(DF_DOW, ts("2024-05-07"), &r, &err));
    CHECK(strstr(err.message, "not supported") != NULL);
    CHECK_EQ_INT(datetime_field_from_name("YEARS", 5), DF_YEAR);
    CHECK_EQ_INT(datetime_field_from_name(" mon ", 5), DF_MONTH);
    CHECK_EQ_INT(datetime_field_from_name("fortnight", 9), DF_INVALID);
    CHECK(datetime_part(DF_DOW, ts("2024-03-10"), &p, &err) && p == 0);
    CHECK(datetime_part(DF_ISODOW, ts("2024-03-10"), &p, &err) && p == 7);
    CHECK(datetime_part(DF_WEEK, ts("2021-01-01"), &p, &err) && p == 53);
    CHECK(datetime_part(DF_ISOYEAR, ts("2021-01-01"), &p, &err) && p == 2020);
    CHECK(datetime_part(DF_DOY, ts("2024-12-31"), &p, &err) && p == 366);
    CHECK(datetime_part(DF_EPOCH, ts("2024-01-01 00:00:01.5"), &p, &err) && p == 1704067201.5);
    CHECK(datetime_part(DF_CENTURY, ts("2000-01-01"), &p, &err) && p == 20);
    CHECK(datetime_part(DF_MILLENNIUM, ts("2001-01-01"), &p, &err) && p == 3);
    CHECK(datetime_part(DF_DECADE, ts("2024-01-01"), &p, &err) && p == 202);
    CHECK(datetime_part(DF_YEAR, ts("0044-03-15 BC"), &p, &err) && p == -44);
    CHECK(datetime_part(DF_QUARTER, ts("2024-12-01"), &p, &err) && p == 4);
    CHECK(datetime_part(DF_SECOND, ts("2024-01-01 00:00:07.25"), &p, &err) && p == 7.25);
    CHECK(datetime_part(DF_JULIAN, ts("2024-01-01 12:00"), &p, &err) && p == 2460311.5);
    CHECK(datetime_part_interval(DF_HOUR, iv("1 day 05:30"), &p, &err) && p == 5);
    CHECK(datetime_part_interval(DF_EPOCH, iv("1 day 1 second"), &p, &err) && p == 86401);
    CHECK(datetime_part_interval(DF_MONTH, iv("14 mons"), &p, &err) && p == 2);
}

static const char *to_char(const char *t, const char *pattern)
{
    char *o = next_out();
    StrBuf sb = STRBUF_INIT;
    datetime_to_char(ts(t), pattern, strlen(pattern), &sb);
    snprintf(o, ERROR_MSG_MAX + 8, "%s", strbuf_cstr(&sb));
    strbuf_free(&sb);
    return o;
}

static const char *from_char(const char *s, const char *pattern)
{
    char *o = next_out();
    int64_t t;
    Error err = ERROR_INIT;
    if (!datetime_parse_formatted(s, strlen(s), pattern, strlen(pattern), &t, &err))
        snprintf(o, ERROR_MSG_MAX + 8, "ERROR: %s", err.message);
    else datetime_format_timestamp(t, o);
    return o;
}

TEST(datetime_to_char_patterns)
{
    CHECK_EQ_STR(to_char("2024-03-05 14:07:09.123456",
                         "YYYY-MM-DD HH24:MI:SS.MS.US Day Dy Month Mon DDD D Q WW IW AM HH12 FMDD FMMonth"),
                 "2024-03-05 14:07:09.123.123456 Tuesday   Tue March     Mar 065 3 1 10 10 PM 02 5 March");
    CHECK_EQ_STR(to_char("2024-03-05 14:07:09", "DDth DDTH FMDDth MONTH month am a.m. P.M. FMHH12 SSSS"),
                 "05th 05TH 5th MARCH     march     pm p.m. P.M. 2 50829");
    CHECK_EQ_STR(to_char("2024-03-05", "Y,YYY YYY YY Y IYYY J CC TZ"), "2,024 024 24 4 2024 2460375 21 ");
    CHECK_EQ_STR(to_char("2024-03-05", "\"Year\" YYYY \\\"Q\\\" \\Q"), "Year 2024 \"1\" \\1");
    CHECK_EQ_STR(to_char("0044-03-15 BC", "YYYY-MM-DD BC"), "0044-03-15 BC");
    CHECK_EQ_STR(to_char("2024-01-01 00:00:00", "HH:MI AM"), "12:00 AM");
}

TEST(datetime_to_timestamp_patterns)
{
    CHECK_EQ_STR(from_char("05 Mar 2024 2:07:09 PM", "DD Mon YYYY HH12:MI:SS AM"), "2024-03-05 14:07:09");
    CHECK_EQ_STR(from_char("20240131", "YYYYMMDD"), "2024-01-31 00:00:00");
    CHECK_EQ_STR(from_char("March 5, 2024", "Month DD, YYYY"), "2024-03-05 00:00:00");
    CHECK_EQ_STR(from_char("2024-1-5", "YYYY-MM-DD"), "2024-01-05 00:00:00");
    CHECK_EQ_STR(from_char("2024 jan 5", "YYYY mon DD"), "2024-01-05 00:00:00");
    CHECK_EQ_STR(from_char("2024-01", "YYYY-MM-DD"), "2024-01-01 00:00:00");
    CHECK_EQ_STR(from_char("2024", "YYYY"), "2024-01-01 00:00:00");
    CHECK_EQ_STR(from_char("12:30", "HH24:MI"), "0001-01-01 12:30:00 BC");
    CHECK_EQ_STR(from_char("12:30:05.5", "HH24:MI:SS.MS"), "0001-01-01 12:30:05.5 BC");
    CHECK_EQ_STR(from_char("2024-02-30", "YYYY-MM-DD"), "ERROR: date/time field value out of range: \"2024-02-30\"");
    CHECK_EQ_STR(from_char("xx-01", "MM-DD"),
                 "ERROR: invalid value \"xx\" for \"MM\" (input \"xx-01\", format \"MM-DD\")");
    CHECK_EQ_STR(from_char("2024 Foo 5", "YYYY Mon DD"),
                 "ERROR: invalid value \"Foo\" for \"MON\" (input \"2024 Foo 5\", format \"YYYY Mon DD\")");
    CHECK_EQ_STR(from_char("13:00 PM", "HH12:MI AM"),
                 "ERROR: hour \"13\" is invalid for the 12-hour clock (input \"13:00 PM\", format \"HH12:MI AM\")");
}
