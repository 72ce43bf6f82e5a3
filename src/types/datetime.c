/* datetime: civil calendar, PostgreSQL-compatible text input/output and the
 * arithmetic of DATE, TIMESTAMP and INTERVAL (see datetime.h).
 *
 * Parsing is a hand-written scanner over the bytes (no allocation, no
 * sscanf): dates as Y-M-D / YYYYMMDD / M/D/Y, an optional time after ' ' or
 * 'T', then optional zone and era tokens.  Intervals are read as PostgreSQL's
 * "postgres" style (number-unit pairs, hh:mm:ss, "ago") or ISO 8601
 * ("P1Y2M3DT4H5M6S"); fractional units spill into smaller ones (1.5 months =
 * 1 month 15 days) as PostgreSQL does.  All arithmetic is overflow-checked. */
#include "types/datetime.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- civil calendar --------------------------------------------------- */

int64_t datetime_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void datetime_civil_from_days(int64_t z, int *year, int *month, int *day)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(y + (m <= 2));
    *month = m;
    *day = d;
}

bool datetime_is_leap_year(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int datetime_days_in_month(int64_t year, int month)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12) return 0;
    return month == 2 && datetime_is_leap_year(year) ? 29 : len[month - 1];
}

int datetime_day_of_week(int64_t days)
{
    int64_t w = (days + 4) % 7; /* 1970-01-01 was a Thursday */
    return (int)(w < 0 ? w + 7 : w);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

void datetime_timestamp_to_parts(int64_t ts, DateTimeParts *p)
{
    int64_t days = floor_div(ts, DT_USECS_PER_DAY);
    int64_t t = ts - days * DT_USECS_PER_DAY;
    datetime_civil_from_days(days, &p->year, &p->month, &p->day);
    p->hour = (int)(t / DT_USECS_PER_HOUR);
    t %= DT_USECS_PER_HOUR;
    p->minute = (int)(t / DT_USECS_PER_MINUTE);
    t %= DT_USECS_PER_MINUTE;
    p->second = (int)(t / DT_USECS_PER_SEC);
    p->micros = (int)(t % DT_USECS_PER_SEC);
}

bool datetime_timestamp_from_parts(const DateTimeParts *p, int64_t *out)
{
    if (p->year < -4713 || p->year > 294247) return false;
    int64_t days = datetime_days_from_civil(p->year, p->month, p->day);
    int64_t t = p->hour * DT_USECS_PER_HOUR + p->minute * DT_USECS_PER_MINUTE + p->second * DT_USECS_PER_SEC +
                p->micros;
    if (days < DATE_MIN_DAYS || days > INT64_MAX / DT_USECS_PER_DAY - 1) return false;
    int64_t ts = days * DT_USECS_PER_DAY + t;
    if (!datetime_timestamp_in_range(ts)) return false;
    *out = ts;
    return true;
}

void datetime_iso_week(int64_t days, int *iso_year, int *week)
{
    /* the ISO week belongs to the year of its Thursday */
    int dow = datetime_day_of_week(days);
    int iso_dow = dow == 0 ? 7 : dow;
    int64_t thursday = days - iso_dow + 4;
    int y, m, d;
    datetime_civil_from_days(thursday, &y, &m, &d);
    int64_t jan1 = datetime_days_from_civil(y, 1, 1);
    *iso_year = y;
    *week = (int)((thursday - jan1) / 7 + 1);
}

/* ---- text input --------------------------------------------------------- */

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

typedef enum ParseStatus { PARSE_OK, PARSE_SYNTAX, PARSE_RANGE } ParseStatus;

/* Read a run of digits as a number (saturating at a large value); returns the digit count. */
static int read_number(const char *s, size_t n, size_t *i, int64_t *out)
{
    int64_t v = 0;
    int count = 0;
    while (*i < n && is_digit(s[*i])) {
        if (v < INT64_C(100000000000)) v = v * 10 + (s[*i] - '0');
        (*i)++;
        count++;
    }
    *out = v;
    return count;
}

static bool word_is(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

/* Parse "[date][ |T time][ zone][ BC|AD]" into parts; *has_time tells if a time was given. */
static ParseStatus parse_datetime_text(const char *s, size_t n, DateTimeParts *p)
{
    memset(p, 0, sizeof *p);
    size_t i = 0;
    while (i < n && is_space(s[i])) i++;
    while (n > i && is_space(s[n - 1])) n--;
    if (word_is(s + i, n - i, "epoch")) {
        p->year = 1970;
        p->month = 1;
        p->day = 1;
        return PARSE_OK;
    }
    if (i >= n || !is_digit(s[i])) return PARSE_SYNTAX;
    int64_t f1, f2, f3;
    int len1 = read_number(s, n, &i, &f1);
    int64_t year, month, day;
    bool two_digit_year = false;
    if (i < n && (s[i] == '-' || s[i] == '/' || s[i] == '.')) {
        char sep = s[i++];
        if (i >= n || !is_digit(s[i])) return PARSE_SYNTAX;
        read_number(s, n, &i, &f2);
        if (i >= n || s[i] != sep) return PARSE_SYNTAX;
        i++;
        if (i >= n || !is_digit(s[i])) return PARSE_SYNTAX;
        int len3 = read_number(s, n, &i, &f3);
        if (len1 >= 3) {
            year = f1, month = f2, day = f3;
        } else if (sep == '-' && len3 < 3) {
            return PARSE_RANGE; /* "99-01-05": PostgreSQL wants a 4-digit year first */
        } else {
            /* MDY, PostgreSQL's default DateStyle order */
            month = f1, day = f2, year = f3;
            two_digit_year = len3 <= 2;
        }
    } else if (len1 == 8) {
        year = f1 / 10000, month = f1 / 100 % 100, day = f1 % 100;
    } else {
        return PARSE_SYNTAX;
    }
    if (two_digit_year) year += year < 70 ? 2000 : 1900;
    /* time of day */
    if (i < n && (s[i] == 'T' || s[i] == 't' || is_space(s[i]))) {
        size_t j = i + 1;
        while (j < n && is_space(s[j])) j++;
        if (j < n && is_digit(s[j])) {
            i = j;
            int64_t h, mi = 0, sec = 0;
            int64_t us = 0;
            if (read_number(s, n, &i, &h) > 2) return PARSE_SYNTAX;
            if (i >= n || s[i] != ':') return PARSE_SYNTAX;
            i++;
            if (read_number(s, n, &i, &mi) != 2) return PARSE_SYNTAX;
            if (i < n && s[i] == ':') {
                i++;
                if (read_number(s, n, &i, &sec) != 2) return PARSE_SYNTAX;
                if (i < n && s[i] == '.') {
                    i++;
                    int digits = 0;
                    int64_t scale = 100000;
                    bool round_up = false;
                    while (i < n && is_digit(s[i])) {
                        if (digits < 6) us += (s[i] - '0') * scale;
                        else if (digits == 6) round_up = s[i] >= '5';
                        scale /= 10;
                        digits++;
                        i++;
                    }
                    if (round_up) us++;
                }
            }
            if (h > 24 || mi > 59 || sec > 60 || (h == 24 && (mi != 0 || sec != 0 || us != 0))) return PARSE_RANGE;
            p->hour = (int)h;
            p->minute = (int)mi;
            p->second = (int)sec;
            p->micros = (int)us; /* may be 1000000 after rounding: the caller adds it up */
        }
    }
    /* trailing tokens: a zone (ignored for timestamp without time zone) and an era */
    bool bc = false;
    while (i < n) {
        while (i < n && is_space(s[i])) i++;
        if (i >= n) break;
        if (s[i] == 'Z' || s[i] == 'z') {
            i++;
        } else if (s[i] == '+' || s[i] == '-') {
            i++;
            int64_t zh, zm;
            int len = read_number(s, n, &i, &zh);
            if (len != 1 && len != 2 && len != 4) return PARSE_SYNTAX;
            if (len < 4 && i < n && s[i] == ':') {
                i++;
                if (read_number(s, n, &i, &zm) != 2) return PARSE_SYNTAX;
            }
        } else if (is_alpha(s[i])) {
            size_t start = i;
            while (i < n && is_alpha(s[i])) i++;
            const char *w = s + start;
            size_t wl = i - start;
            if (word_is(w, wl, "bc")) bc = true;
            else if (word_is(w, wl, "ad") || word_is(w, wl, "utc") || word_is(w, wl, "gmt")) continue;
            else return PARSE_SYNTAX;
        } else {
            return PARSE_SYNTAX;
        }
    }
    if (year < 1 && !bc) {
        if (year == 0) return PARSE_RANGE;
    }
    if (bc) {
        if (year < 1) return PARSE_RANGE;
        year = 1 - year;
    }
    if (year > 5874897 || year < -4713) return PARSE_RANGE;
    if (month < 1 || month > 12 || day < 1 || day > datetime_days_in_month(year, (int)month)) return PARSE_RANGE;
    p->year = (int)year;
    p->month = (int)month;
    p->day = (int)day;
    return PARSE_OK;
}

static int clip_len(size_t n) { return (int)(n > 200 ? 200 : n); }

bool datetime_parse_date(const char *s, size_t n, int32_t *out, Error *err)
{
    DateTimeParts p;
    ParseStatus st = parse_datetime_text(s, n, &p);
    if (st == PARSE_SYNTAX) {
        size_t k = 0;
        while (k < n && is_space(s[k])) k++;
        if ((n - k >= 8 && strncasecmp(s + k, "infinity", 8) == 0) || (n - k >= 9 && strncasecmp(s + k, "-infinity", 9) == 0))
            return error_set(err, ERR_DATA, "infinite dates are not supported: \"%.*s\"", clip_len(n), s);
        return error_set(err, ERR_DATA, "invalid input syntax for type date: \"%.*s\"", clip_len(n), s);
    }
    if (st == PARSE_RANGE)
        return error_set(err, ERR_DATA, "date/time field value out of range: \"%.*s\"", clip_len(n), s);
    int64_t days = datetime_days_from_civil(p.year, p.month, p.day);
    if (!datetime_date_in_range(days))
        return error_set(err, ERR_DATA, "date out of range: \"%.*s\"", clip_len(n), s);
    *out = (int32_t)days;
    return true;
}

bool datetime_parse_timestamp(const char *s, size_t n, int64_t *out, Error *err)
{
    DateTimeParts p;
    ParseStatus st = parse_datetime_text(s, n, &p);
    if (st == PARSE_SYNTAX) {
        size_t k = 0;
        while (k < n && is_space(s[k])) k++;
        if ((n - k >= 8 && strncasecmp(s + k, "infinity", 8) == 0) || (n - k >= 9 && strncasecmp(s + k, "-infinity", 9) == 0))
            return error_set(err, ERR_DATA, "infinite timestamps are not supported: \"%.*s\"", clip_len(n), s);
        return error_set(err, ERR_DATA, "invalid input syntax for type timestamp: \"%.*s\"", clip_len(n), s);
    }
    if (st == PARSE_RANGE)
        return error_set(err, ERR_DATA, "date/time field value out of range: \"%.*s\"", clip_len(n), s);
    /* hour 24, second 60 and rounded-up micros all carry over through plain addition */
    int64_t days = datetime_days_from_civil(p.year, p.month, p.day);
    if (days < DATE_MIN_DAYS || days > INT64_MAX / DT_USECS_PER_DAY - 2)
        return error_set(err, ERR_DATA, "timestamp out of range: \"%.*s\"", clip_len(n), s);
    int64_t ts = days * DT_USECS_PER_DAY + p.hour * DT_USECS_PER_HOUR + p.minute * DT_USECS_PER_MINUTE +
                 p.second * DT_USECS_PER_SEC + p.micros;
    if (!datetime_timestamp_in_range(ts))
        return error_set(err, ERR_DATA, "timestamp out of range: \"%.*s\"", clip_len(n), s);
    *out = ts;
    return true;
}

/* ---- interval input ---------------------------------------------------- */

/* Months and days are doubles (exact far beyond the int32 range they are
 * checked against); microseconds are exact integers plus a fraction, since
 * they reach 2^63 where a double would silently round (999999994:05:06). */
typedef struct IntervalAcc {
    double months, days;
    kiln_int128 micros;  /* whole microseconds */
    double micros_frac;  /* fractions of the larger units, in microseconds */
} IntervalAcc;

/* A number of interval text: whole part exact (saturated far beyond any
 * valid interval), fraction in (-1, 1) with the same sign. */
typedef struct IntervalNumber {
    int64_t whole;
    double frac;
} IntervalNumber;

typedef enum IntervalUnit {
    IU_NONE, IU_MICRO, IU_MILLI, IU_SECOND, IU_MINUTE, IU_HOUR, IU_DAY, IU_WEEK, IU_MONTH, IU_YEAR, IU_DECADE,
    IU_CENTURY, IU_MILLENNIUM,
} IntervalUnit;

static IntervalUnit unit_from_word(const char *w, size_t n)
{
    static const struct {
        const char *name;
        IntervalUnit unit;
    } units[] = {
        {"microsecond", IU_MICRO}, {"microseconds", IU_MICRO}, {"us", IU_MICRO}, {"usec", IU_MICRO},
        {"usecs", IU_MICRO}, {"microsecon", IU_MICRO},
        {"millisecond", IU_MILLI}, {"milliseconds", IU_MILLI}, {"ms", IU_MILLI}, {"msec", IU_MILLI},
        {"msecs", IU_MILLI}, {"millisecon", IU_MILLI},
        {"second", IU_SECOND}, {"seconds", IU_SECOND}, {"s", IU_SECOND}, {"sec", IU_SECOND}, {"secs", IU_SECOND},
        {"minute", IU_MINUTE}, {"minutes", IU_MINUTE}, {"m", IU_MINUTE}, {"min", IU_MINUTE}, {"mins", IU_MINUTE},
        {"hour", IU_HOUR}, {"hours", IU_HOUR}, {"h", IU_HOUR}, {"hr", IU_HOUR}, {"hrs", IU_HOUR},
        {"day", IU_DAY}, {"days", IU_DAY}, {"d", IU_DAY},
        {"week", IU_WEEK}, {"weeks", IU_WEEK}, {"w", IU_WEEK},
        {"month", IU_MONTH}, {"months", IU_MONTH}, {"mon", IU_MONTH}, {"mons", IU_MONTH},
        {"year", IU_YEAR}, {"years", IU_YEAR}, {"y", IU_YEAR}, {"yr", IU_YEAR}, {"yrs", IU_YEAR},
        {"decade", IU_DECADE}, {"decades", IU_DECADE}, {"dec", IU_DECADE}, {"decs", IU_DECADE},
        {"century", IU_CENTURY}, {"centuries", IU_CENTURY}, {"c", IU_CENTURY}, {"cent", IU_CENTURY},
        {"millennium", IU_MILLENNIUM}, {"millennia", IU_MILLENNIUM}, {"mil", IU_MILLENNIUM},
        {"mils", IU_MILLENNIUM}, {"millenniums", IU_MILLENNIUM},
    };
    for (size_t k = 0; k < sizeof units / sizeof units[0]; k++)
        if (word_is(w, n, units[k].name)) return units[k].unit;
    return IU_NONE;
}

static void interval_acc_add_micros(IntervalAcc *acc, IntervalNumber v, int64_t micros_per_unit)
{
    acc->micros += (kiln_int128)v.whole * micros_per_unit;
    acc->micros_frac += v.frac * (double)micros_per_unit;
}

/* Add a number of a unit, spilling fractions downward as PostgreSQL does. */
static void interval_acc_add(IntervalAcc *acc, IntervalUnit u, IntervalNumber v)
{
    double ip = (double)v.whole, frac = v.frac;
    switch (u) {
    case IU_MICRO: interval_acc_add_micros(acc, v, 1); break;
    case IU_MILLI: interval_acc_add_micros(acc, v, 1000); break;
    case IU_SECOND: interval_acc_add_micros(acc, v, 1000000); break;
    case IU_MINUTE: interval_acc_add_micros(acc, v, INT64_C(60000000)); break;
    case IU_HOUR: interval_acc_add_micros(acc, v, INT64_C(3600000000)); break;
    case IU_DAY:
        acc->days += ip;
        acc->micros_frac += frac * 8.64e10;
        break;
    case IU_WEEK: {
        double d = frac * 7.0, dip = trunc(d);
        acc->days += ip * 7.0 + dip;
        acc->micros_frac += (d - dip) * 8.64e10;
        break;
    }
    case IU_MONTH: {
        double d = frac * 30.0, dip = trunc(d);
        acc->months += ip;
        acc->days += dip;
        acc->micros_frac += (d - dip) * 8.64e10;
        break;
    }
    case IU_YEAR: acc->months += ip * 12 + rint(frac * 12); break;
    case IU_DECADE: acc->months += ip * 120 + rint(frac * 120); break;
    case IU_CENTURY: acc->months += ip * 1200 + rint(frac * 1200); break;
    case IU_MILLENNIUM: acc->months += ip * 12000 + rint(frac * 12000); break;
    case IU_NONE: break;
    }
}

/* Read a signed decimal number; false if there is none. */
static bool read_signed_decimal(const char *s, size_t n, size_t *i, IntervalNumber *out)
{
    size_t j = *i;
    bool neg = false;
    if (j < n && (s[j] == '+' || s[j] == '-')) neg = s[j++] == '-';
    int64_t whole = 0;
    double frac = 0;
    bool any = false;
    while (j < n && is_digit(s[j])) {
        /* saturate: 10^17 of any unit is out of every interval field's range */
        if (whole < INT64_C(100000000000000000)) whole = whole * 10 + (s[j] - '0');
        j++;
        any = true;
    }
    if (j < n && s[j] == '.') {
        j++;
        double scale = 0.1;
        while (j < n && is_digit(s[j])) {
            frac += (s[j++] - '0') * scale;
            scale /= 10;
            any = true;
        }
    }
    if (!any) return false;
    *i = j;
    out->whole = neg ? -whole : whole;
    out->frac = neg ? -frac : frac;
    return true;
}

/* "[-]H:MM[:SS[.ffffff]]" at s[*i]; adds to acc. */
static bool read_interval_time(const char *s, size_t n, size_t *i, IntervalAcc *acc)
{
    size_t j = *i;
    bool neg = false;
    if (j < n && (s[j] == '+' || s[j] == '-')) neg = s[j++] == '-';
    int64_t h, m, sec = 0;
    if (read_number(s, n, &j, &h) == 0 || j >= n || s[j] != ':') return false;
    j++;
    if (read_number(s, n, &j, &m) == 0 || m > 59) return false;
    double frac = 0;
    if (j < n && s[j] == ':') {
        j++;
        if (read_number(s, n, &j, &sec) == 0 || sec > 60) return false;
        if (j < n && s[j] == '.') {
            double scale = 0.1;
            j++;
            while (j < n && is_digit(s[j])) {
                frac += (s[j++] - '0') * scale;
                scale /= 10;
            }
        }
    }
    kiln_int128 us = (kiln_int128)h * INT64_C(3600000000) + (kiln_int128)m * 60000000 + (kiln_int128)sec * 1000000 +
                     (kiln_int128)rint(frac * 1e6);
    acc->micros += neg ? -us : us;
    *i = j;
    return true;
}

static bool parse_iso8601_interval(const char *s, size_t n, size_t i, IntervalAcc *acc)
{
    bool time_part = false;
    i++; /* 'P' */
    if (i >= n) return false;
    while (i < n) {
        if (s[i] == 'T' || s[i] == 't') {
            if (time_part) return false;
            time_part = true;
            i++;
            continue;
        }
        IntervalNumber v;
        if (!read_signed_decimal(s, n, &i, &v) || i >= n) return false;
        char u = (char)(s[i++] | 0x20);
        IntervalUnit unit;
        if (!time_part) unit = u == 'y' ? IU_YEAR : u == 'm' ? IU_MONTH : u == 'w' ? IU_WEEK : u == 'd' ? IU_DAY : IU_NONE;
        else unit = u == 'h' ? IU_HOUR : u == 'm' ? IU_MINUTE : u == 's' ? IU_SECOND : IU_NONE;
        if (unit == IU_NONE) return false;
        interval_acc_add(acc, unit, v);
    }
    return true;
}

static bool parse_postgres_interval(const char *s, size_t n, size_t i, IntervalAcc *acc)
{
    bool ago = false, any = false;
    while (i < n) {
        while (i < n && is_space(s[i])) i++;
        if (i >= n) break;
        if (s[i] == '@' && !any) {
            i++;
            continue;
        }
        if (is_alpha(s[i])) {
            size_t start = i;
            while (i < n && is_alpha(s[i])) i++;
            if (word_is(s + start, i - start, "ago") && any) {
                ago = true;
                continue;
            }
            return false;
        }
        /* a time "h:mm[:ss]" */
        size_t j = i;
        if (j < n && (s[j] == '+' || s[j] == '-')) j++;
        while (j < n && is_digit(s[j])) j++;
        if (j < n && s[j] == ':') {
            if (!read_interval_time(s, n, &i, acc)) return false;
            any = true;
            continue;
        }
        /* "Y-M" year-month */
        if (j < n && s[j] == '-' && j > i && j + 1 < n && is_digit(s[j + 1])) {
            bool neg = s[i] == '-';
            size_t k = neg || s[i] == '+' ? i + 1 : i;
            int64_t y, m;
            read_number(s, n, &k, &y);
            k++;
            read_number(s, n, &k, &m);
            if (m > 11) return false;
            double months = (double)y * 12 + (double)m;
            acc->months += neg ? -months : months;
            i = k;
            any = true;
            continue;
        }
        IntervalNumber v;
        if (!read_signed_decimal(s, n, &i, &v)) return false;
        while (i < n && is_space(s[i])) i++;
        size_t start = i;
        while (i < n && is_alpha(s[i])) i++;
        IntervalUnit u = IU_SECOND; /* a bare number is seconds */
        if (i > start) {
            u = unit_from_word(s + start, i - start);
            if (u == IU_NONE) {
                if (word_is(s + start, i - start, "ago")) {
                    interval_acc_add(acc, IU_SECOND, v);
                    ago = true;
                    any = true;
                    continue;
                }
                return false;
            }
        }
        interval_acc_add(acc, u, v);
        any = true;
    }
    if (!any) return false;
    if (ago) {
        acc->months = -acc->months;
        acc->days = -acc->days;
        acc->micros = -acc->micros;
        acc->micros_frac = -acc->micros_frac;
    }
    return true;
}

bool datetime_parse_interval(const char *s, size_t n, Interval *out, Error *err)
{
    size_t i = 0;
    while (i < n && is_space(s[i])) i++;
    IntervalAcc acc = {0, 0, 0, 0};
    bool ok = i < n && (s[i] == 'P' || s[i] == 'p') ? parse_iso8601_interval(s, n, i, &acc)
                                                     : parse_postgres_interval(s, n, i, &acc);
    if (!ok) return error_set(err, ERR_DATA, "invalid input syntax for type interval: \"%.*s\"", clip_len(n), s);
    /* the fractions sum to far less than 2^63 unless a field is out of range anyway */
    bool frac_ok = fabs(acc.micros_frac) < 9.2e18;
    kiln_int128 micros = acc.micros + (frac_ok ? (kiln_int128)rint(acc.micros_frac) : 0);
    if (fabs(acc.months) > INT32_MAX || fabs(acc.days) > INT32_MAX || !frac_ok || micros > INT64_MAX ||
        micros < INT64_MIN)
        return error_set(err, ERR_DATA, "interval field value out of range: \"%.*s\"", clip_len(n), s);
    out->months = (int32_t)acc.months;
    out->days = (int32_t)acc.days;
    out->micros = (int64_t)micros;
    return true;
}

/* ---- text output -------------------------------------------------------- */

/* v in decimal with at least width digits (zero-padded); returns the length.
 * Written by hand: snprintf was a third of writing a date column out. */
static size_t put_digits(char *buf, unsigned v, int width)
{
    char tmp[12];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (n < width) tmp[n++] = '0';
    for (int i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
    return (size_t)n;
}

/* "YYYY-MM-DD" part (year of at least 4 digits); bc tells the caller to add " BC". */
static size_t format_ymd(int year, int month, int day, char *buf, bool *bc)
{
    *bc = year <= 0;
    int shown = *bc ? 1 - year : year;
    size_t len = put_digits(buf, (unsigned)shown, 4);
    buf[len++] = '-';
    len += put_digits(buf + len, (unsigned)month, 2);
    buf[len++] = '-';
    len += put_digits(buf + len, (unsigned)day, 2);
    buf[len] = '\0';
    return len;
}

size_t datetime_format_date(int32_t days, char *buf)
{
    int y, m, d;
    bool bc;
    datetime_civil_from_days(days, &y, &m, &d);
    size_t len = format_ymd(y, m, d, buf, &bc);
    if (bc) {
        memcpy(buf + len, " BC", 4);
        len += 3;
    }
    return len;
}

/* Append ".ffffff" without trailing zeros (nothing for 0). */
static size_t format_fraction(int micros, char *buf)
{
    if (micros == 0) {
        buf[0] = '\0';
        return 0;
    }
    char tmp[8];
    put_digits(tmp, (unsigned)micros, 6);
    int len = 6;
    while (len > 0 && tmp[len - 1] == '0') len--;
    buf[0] = '.';
    memcpy(buf + 1, tmp, (size_t)len);
    buf[len + 1] = '\0';
    return (size_t)len + 1;
}

size_t datetime_format_timestamp(int64_t ts, char *buf)
{
    DateTimeParts p;
    bool bc;
    datetime_timestamp_to_parts(ts, &p);
    size_t len = format_ymd(p.year, p.month, p.day, buf, &bc);
    buf[len++] = ' ';
    len += put_digits(buf + len, (unsigned)p.hour, 2);
    buf[len++] = ':';
    len += put_digits(buf + len, (unsigned)p.minute, 2);
    buf[len++] = ':';
    len += put_digits(buf + len, (unsigned)p.second, 2);
    buf[len] = '\0';
    len += format_fraction(p.micros, buf + len);
    if (bc) {
        memcpy(buf + len, " BC", 4);
        len += 3;
    }
    return len;
}

/* One "N unit(s)" part of PostgreSQL's interval output (AddPostgresIntPart). */
static size_t add_int_part(char *buf, size_t len, int64_t value, const char *unit, bool *is_zero, bool *is_before)
{
    if (value == 0) return len;
    len += (size_t)snprintf(buf + len, DATETIME_TEXT_MAX - len, "%s%s%lld %s%s", *is_zero ? "" : " ",
                            (*is_before && value > 0) ? "+" : "", (long long)value, unit, value != 1 ? "s" : "");
    *is_before = value < 0;
    *is_zero = false;
    return len;
}

size_t datetime_format_interval(Interval iv, char *buf)
{
    int64_t years = iv.months / 12, mons = iv.months % 12;
    int64_t t = iv.micros;
    /* magnitude parts with the sign of the time (C truncation, as PostgreSQL's interval2itm) */
    int64_t hour = t / DT_USECS_PER_HOUR;
    t -= hour * DT_USECS_PER_HOUR;
    int64_t min = t / DT_USECS_PER_MINUTE;
    t -= min * DT_USECS_PER_MINUTE;
    int64_t sec = t / DT_USECS_PER_SEC;
    int64_t fsec = t - sec * DT_USECS_PER_SEC;
    bool is_zero = true, is_before = false;
    size_t len = 0;
    buf[0] = '\0';
    len = add_int_part(buf, len, years, "year", &is_zero, &is_before);
    len = add_int_part(buf, len, mons, "mon", &is_zero, &is_before);
    len = add_int_part(buf, len, iv.days, "day", &is_zero, &is_before);
    if (is_zero || hour != 0 || min != 0 || sec != 0 || fsec != 0) {
        bool minus = hour < 0 || min < 0 || sec < 0 || fsec < 0;
        /* |hour| of INT64_MIN micros fits: INT64_MIN / 3.6e9 is far from INT64_MIN */
        len += (size_t)snprintf(buf + len, DATETIME_TEXT_MAX - len, "%s%s%02lld:%02lld:%02lld", is_zero ? "" : " ",
                                minus ? "-" : (is_before ? "+" : ""), (long long)(hour < 0 ? -hour : hour),
                                (long long)(min < 0 ? -min : min), (long long)(sec < 0 ? -sec : sec));
        len += format_fraction((int)(fsec < 0 ? -fsec : fsec), buf + len);
    }
    return len;
}

/* ---- arithmetic ----------------------------------------------------------- */

bool datetime_date_add_days(int32_t date, int64_t days, int32_t *out, Error *err)
{
    int64_t r;
    if (__builtin_add_overflow((int64_t)date, days, &r) || !datetime_date_in_range(r))
        return error_set(err, ERR_DATA, "date out of range");
    *out = (int32_t)r;
    return true;
}

bool datetime_date_to_timestamp(int32_t date, int64_t *out, Error *err)
{
    /* check the day count first: 2^31 days of microseconds do not fit 64 bits */
    if (date < DATE_MIN_DAYS || (int64_t)date >= TIMESTAMP_END_MICROS / DT_USECS_PER_DAY)
        return error_set(err, ERR_DATA, "date out of range for timestamp");
    int64_t ts = (int64_t)date * DT_USECS_PER_DAY;
    *out = ts;
    return true;
}

int32_t datetime_timestamp_to_date(int64_t ts) { return (int32_t)floor_div(ts, DT_USECS_PER_DAY); }

static bool ts_range_error(Error *err) { return error_set(err, ERR_DATA, "timestamp out of range"); }

bool datetime_timestamp_add_interval(int64_t ts, Interval iv, int64_t *out, Error *err)
{
    if (!datetime_timestamp_in_range(ts)) return ts_range_error(err);
    if (iv.months != 0) {
        DateTimeParts p;
        datetime_timestamp_to_parts(ts, &p);
        int64_t month_index = (int64_t)p.year * 12 + (p.month - 1) + iv.months;
        int64_t year = floor_div(month_index, 12);
        int month = (int)(month_index - year * 12) + 1;
        if (year < -4713 || year > 294247) return ts_range_error(err);
        p.year = (int)year;
        p.month = month;
        int dim = datetime_days_in_month(year, month);
        if (p.day > dim) p.day = dim;
        if (!datetime_timestamp_from_parts(&p, &ts)) return ts_range_error(err);
    }
    if (iv.days != 0) {
        int64_t delta;
        if (__builtin_mul_overflow((int64_t)iv.days, DT_USECS_PER_DAY, &delta) ||
            __builtin_add_overflow(ts, delta, &ts) || !datetime_timestamp_in_range(ts))
            return ts_range_error(err);
    }
    if (__builtin_add_overflow(ts, iv.micros, &ts) || !datetime_timestamp_in_range(ts)) return ts_range_error(err);
    *out = ts;
    return true;
}

static bool interval_range_error(Error *err) { return error_set(err, ERR_DATA, "interval out of range"); }

bool datetime_interval_negate(Interval iv, Interval *out, Error *err)
{
    if (iv.months == INT32_MIN || iv.days == INT32_MIN || iv.micros == INT64_MIN) return interval_range_error(err);
    out->months = -iv.months;
    out->days = -iv.days;
    out->micros = -iv.micros;
    return true;
}

bool datetime_interval_add(Interval a, Interval b, Interval *out, Error *err)
{
    Interval r;
    if (__builtin_add_overflow(a.months, b.months, &r.months) || __builtin_add_overflow(a.days, b.days, &r.days) ||
        __builtin_add_overflow(a.micros, b.micros, &r.micros))
        return interval_range_error(err);
    *out = r;
    return true;
}

bool datetime_interval_sub(Interval a, Interval b, Interval *out, Error *err)
{
    Interval r;
    if (__builtin_sub_overflow(a.months, b.months, &r.months) || __builtin_sub_overflow(a.days, b.days, &r.days) ||
        __builtin_sub_overflow(a.micros, b.micros, &r.micros))
        return interval_range_error(err);
    *out = r;
    return true;
}

/* Round to whole microseconds of a day/second quantity, as PostgreSQL's TSROUND. */
static double ts_round(double x) { return rint(x * 1e6) / 1e6; }

bool datetime_interval_mul(Interval iv, double factor, Interval *out, Error *err)
{
    if (isnan(factor)) return interval_range_error(err);
    double months = iv.months * factor;
    if (!(fabs(months) < 2147483648.0)) return interval_range_error(err);
    double days = iv.days * factor;
    if (!(fabs(days) < 2147483648.0)) return interval_range_error(err);
    Interval r;
    r.months = (int32_t)months;
    r.days = (int32_t)days;
    /* fractional months become days (30 per month), fractional days seconds */
    double month_remainder_days = ts_round((months - r.months) * 30.0);
    double sec_remainder =
        ts_round((days - r.days + month_remainder_days - trunc(month_remainder_days)) * 86400.0);
    double extra = 0;
    if (fabs(sec_remainder) >= 86400.0) {
        extra = trunc(sec_remainder / 86400.0);
        sec_remainder -= extra * 86400.0;
    }
    double new_days = (double)r.days + extra + trunc(month_remainder_days);
    if (!(fabs(new_days) < 2147483648.0)) return interval_range_error(err);
    r.days = (int32_t)new_days;
    double micros = rint((double)iv.micros * factor + sec_remainder * 1e6);
    if (!(fabs(micros) < 9.2e18)) return interval_range_error(err);
    r.micros = (int64_t)micros;
    *out = r;
    return true;
}

bool datetime_timestamp_diff(int64_t a, int64_t b, Interval *out, Error *err)
{
    int64_t d;
    if (__builtin_sub_overflow(a, b, &d)) return interval_range_error(err);
    int64_t days = d / DT_USECS_PER_DAY; /* truncation: days and time share the sign */
    out->months = 0;
    out->days = (int32_t)days;
    out->micros = d - days * DT_USECS_PER_DAY;
    return true;
}

kiln_int128 datetime_interval_span(Interval iv)
{
    return (kiln_int128)iv.micros + ((kiln_int128)iv.days + (kiln_int128)iv.months * 30) * DT_USECS_PER_DAY;
}

int datetime_interval_compare(Interval a, Interval b)
{
    kiln_int128 x = datetime_interval_span(a), y = datetime_interval_span(b);
    return x < y ? -1 : x > y ? 1 : 0;
}

/* ---- fields: date_trunc and date_part ------------------------------------- */

DateField datetime_field_from_name(const char *s, size_t n)
{
    static const struct {
        const char *name;
        DateField f;
    } names[] = {
        {"microsecond", DF_MICROSECONDS}, {"microseconds", DF_MICROSECONDS}, {"us", DF_MICROSECONDS},
        {"usec", DF_MICROSECONDS}, {"usecs", DF_MICROSECONDS},
        {"millisecond", DF_MILLISECONDS}, {"milliseconds", DF_MILLISECONDS}, {"ms", DF_MILLISECONDS},
        {"msec", DF_MILLISECONDS}, {"msecs", DF_MILLISECONDS},
        {"second", DF_SECOND}, {"seconds", DF_SECOND}, {"sec", DF_SECOND}, {"secs", DF_SECOND}, {"s", DF_SECOND},
        {"minute", DF_MINUTE}, {"minutes", DF_MINUTE}, {"min", DF_MINUTE}, {"mins", DF_MINUTE}, {"m", DF_MINUTE},
        {"hour", DF_HOUR}, {"hours", DF_HOUR}, {"hr", DF_HOUR}, {"hrs", DF_HOUR}, {"h", DF_HOUR},
        {"day", DF_DAY}, {"days", DF_DAY}, {"d", DF_DAY},
        {"week", DF_WEEK}, {"weeks", DF_WEEK}, {"w", DF_WEEK},
        {"month", DF_MONTH}, {"months", DF_MONTH}, {"mon", DF_MONTH}, {"mons", DF_MONTH},
        {"quarter", DF_QUARTER}, {"qtr", DF_QUARTER},
        {"year", DF_YEAR}, {"years", DF_YEAR}, {"yr", DF_YEAR}, {"yrs", DF_YEAR}, {"y", DF_YEAR},
        {"decade", DF_DECADE}, {"decades", DF_DECADE}, {"dec", DF_DECADE},
        {"century", DF_CENTURY}, {"centuries", DF_CENTURY}, {"cent", DF_CENTURY}, {"c", DF_CENTURY},
        {"millennium", DF_MILLENNIUM}, {"millennia", DF_MILLENNIUM}, {"mil", DF_MILLENNIUM},
        {"millenniums", DF_MILLENNIUM},
        {"dow", DF_DOW}, {"isodow", DF_ISODOW}, {"doy", DF_DOY}, {"epoch", DF_EPOCH}, {"isoyear", DF_ISOYEAR},
        {"julian", DF_JULIAN}, {"j", DF_JULIAN},
    };
    while (n > 0 && is_space(*s)) s++, n--;
    while (n > 0 && is_space(s[n - 1])) n--;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (word_is(s, n, names[k].name)) return names[k].f;
    return DF_INVALID;
}

static const char *field_name(DateField f)
{
    static const char *const names[] = {"invalid", "microseconds", "milliseconds", "second", "minute",
                                        "hour", "day", "week", "month", "quarter", "year", "decade",
                                        "century", "millennium", "dow", "isodow", "doy", "epoch",
                                        "isoyear", "julian"};
    return (unsigned)f < sizeof names / sizeof names[0] ? names[f] : "invalid";
}

bool datetime_trunc(DateField f, int64_t ts, int64_t *out, Error *err)
{
    DateTimeParts p;
    datetime_timestamp_to_parts(ts, &p);
    switch (f) {
    case DF_MICROSECONDS: *out = ts; return true;
    case DF_MILLISECONDS: p.micros = p.micros / 1000 * 1000; break;
    case DF_SECOND: p.micros = 0; break;
    case DF_MINUTE: p.second = p.micros = 0; break;
    case DF_HOUR: p.minute = p.second = p.micros = 0; break;
    case DF_DAY: p.hour = p.minute = p.second = p.micros = 0; break;
    case DF_WEEK: {
        int64_t days = datetime_days_from_civil(p.year, p.month, p.day);
        int dow = datetime_day_of_week(days);
        days -= dow == 0 ? 6 : dow - 1; /* back to Monday */
        *out = days * DT_USECS_PER_DAY;
        if (!datetime_timestamp_in_range(*out)) return ts_range_error(err);
        return true;
    }
    case DF_MONTH: p.day = 1; p.hour = p.minute = p.second = p.micros = 0; break;
    case DF_QUARTER:
        p.month = (p.month - 1) / 3 * 3 + 1;
        p.day = 1;
        p.hour = p.minute = p.second = p.micros = 0;
        break;
    case DF_YEAR:
    case DF_DECADE:
    case DF_CENTURY:
    case DF_MILLENNIUM:
        if (f == DF_MILLENNIUM)
            p.year = p.year > 0 ? ((p.year + 999) / 1000) * 1000 - 999 : -((999 - (p.year - 1)) / 1000) * 1000 + 1;
        else if (f == DF_CENTURY)
            p.year = p.year > 0 ? ((p.year + 99) / 100) * 100 - 99 : -((99 - (p.year - 1)) / 100) * 100 + 1;
        else if (f == DF_DECADE)
            p.year = p.year > 0 ? (p.year / 10) * 10 : -((8 - (p.year - 1)) / 10) * 10;
        p.month = p.day = 1;
        p.hour = p.minute = p.second = p.micros = 0;
        break;
    default:
        return error_set(err, ERR_DATA, "unit \"%s\" not supported for type timestamp", field_name(f));
    }
    if (!datetime_timestamp_from_parts(&p, out)) return ts_range_error(err);
    return true;
}

bool datetime_trunc_interval(DateField f, Interval iv, Interval *out, Error *err)
{
    Interval r = iv;
    int64_t t = iv.micros;
    switch (f) {
    case DF_MILLENNIUM: r.months = iv.months / 12000 * 12000; r.days = 0; r.micros = 0; break;
    case DF_CENTURY: r.months = iv.months / 1200 * 1200; r.days = 0; r.micros = 0; break;
    case DF_DECADE: r.months = iv.months / 120 * 120; r.days = 0; r.micros = 0; break;
    case DF_YEAR: r.months = iv.months / 12 * 12; r.days = 0; r.micros = 0; break;
    case DF_QUARTER: r.months = iv.months / 3 * 3; r.days = 0; r.micros = 0; break;
    case DF_MONTH: r.days = 0; r.micros = 0; break;
    case DF_DAY: r.micros = 0; break;
    case DF_HOUR: r.micros = t / DT_USECS_PER_HOUR * DT_USECS_PER_HOUR; break;
    case DF_MINUTE: r.micros = t / DT_USECS_PER_MINUTE * DT_USECS_PER_MINUTE; break;
    case DF_SECOND: r.micros = t / DT_USECS_PER_SEC * DT_USECS_PER_SEC; break;
    case DF_MILLISECONDS: r.micros = t / 1000 * 1000; break;
    case DF_MICROSECONDS: break;
    default: return error_set(err, ERR_DATA, "unit \"%s\" not supported for type interval", field_name(f));
    }
    *out = r;
    return true;
}

bool datetime_part(DateField f, int64_t ts, double *out, Error *err)
{
    DateTimeParts p;
    datetime_timestamp_to_parts(ts, &p);
    int64_t days = floor_div(ts, DT_USECS_PER_DAY);
    int y = p.year;
    switch (f) {
    case DF_MICROSECONDS: *out = p.second * 1e6 + p.micros; break;
    case DF_MILLISECONDS: *out = p.second * 1e3 + p.micros / 1e3; break;
    case DF_SECOND: *out = p.second + p.micros / 1e6; break;
    case DF_MINUTE: *out = p.minute; break;
    case DF_HOUR: *out = p.hour; break;
    case DF_DAY: *out = p.day; break;
    case DF_MONTH: *out = p.month; break;
    case DF_QUARTER: *out = (p.month - 1) / 3 + 1; break;
    case DF_YEAR: *out = y > 0 ? y : y - 1; break;
    case DF_DECADE: *out = y >= 0 ? y / 10 : -((8 - (y - 1)) / 10); break;
    case DF_CENTURY: *out = y > 0 ? (y + 99) / 100 : -((99 - (y - 1)) / 100); break;
    case DF_MILLENNIUM: *out = y > 0 ? (y + 999) / 1000 : -((999 - (y - 1)) / 1000); break;
    case DF_DOW: *out = datetime_day_of_week(days); break;
    case DF_ISODOW: {
        int dow = datetime_day_of_week(days);
        *out = dow == 0 ? 7 : dow;
        break;
    }
    case DF_DOY: *out = (double)(days - datetime_days_from_civil(y, 1, 1) + 1); break;
    case DF_WEEK:
    case DF_ISOYEAR: {
        int iy, w;
        datetime_iso_week(days, &iy, &w);
        *out = f == DF_WEEK ? w : (iy > 0 ? iy : iy - 1);
        break;
    }
    case DF_EPOCH: *out = (double)ts / 1e6; break;
    case DF_JULIAN:
        *out = (double)(days + 2440588) +
               (double)(ts - days * DT_USECS_PER_DAY) / (double)DT_USECS_PER_DAY;
        break;
    default:
        return error_set(err, ERR_DATA, "unit \"%s\" not supported for type timestamp", field_name(f));
    }
    return true;
}

bool datetime_part_interval(DateField f, Interval iv, double *out, Error *err)
{
    int64_t t = iv.micros;
    int64_t hour = t / DT_USECS_PER_HOUR;
    int64_t rest = t - hour * DT_USECS_PER_HOUR;
    int64_t minute = rest / DT_USECS_PER_MINUTE;
    int64_t sec_us = rest - minute * DT_USECS_PER_MINUTE;
    switch (f) {
    case DF_MICROSECONDS: *out = (double)sec_us; break;
    case DF_MILLISECONDS: *out = (double)sec_us / 1e3; break;
    case DF_SECOND: *out = (double)sec_us / 1e6; break;
    case DF_MINUTE: *out = (double)minute; break;
    case DF_HOUR: *out = (double)hour; break;
    case DF_DAY: *out = iv.days; break;
    case DF_MONTH: *out = iv.months % 12; break;
    case DF_QUARTER: *out = (iv.months % 12) / 3 + 1; break;
    case DF_YEAR: *out = iv.months / 12; break;
    case DF_DECADE: *out = iv.months / 120; break;
    case DF_CENTURY: *out = iv.months / 1200; break;
    case DF_MILLENNIUM: *out = iv.months / 12000; break;
    case DF_EPOCH:
        /* PostgreSQL counts a year as 365.25 days and a month as 30 days here */
        *out = (double)(iv.months / 12) * 365.25 * 86400.0 + (double)(iv.months % 12) * 30.0 * 86400.0 +
               (double)iv.days * 86400.0 + (double)iv.micros / 1e6;
        break;
    default:
        return error_set(err, ERR_DATA, "unit \"%s\" not supported for type interval", field_name(f));
    }
    return true;
}

/* ---- to_char / to_timestamp ------------------------------------------------ */

static const char *const month_names[12] = {"January", "February", "March",     "April",   "May",      "June",
                                            "July",    "August",   "September", "October", "November", "December"};
static const char *const day_names[7] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

/* Pattern keywords, longest first where one is a prefix of another. */
typedef enum FmtKey {
    FK_NONE, FK_AM_DOTS, FK_PM_DOTS, FK_AM, FK_PM, FK_BC_DOTS, FK_AD_DOTS, FK_BC, FK_AD, FK_HH24, FK_HH12, FK_HH,
    FK_MI, FK_SSSS, FK_SS, FK_MS, FK_US, FK_Y_COMMA_YYY, FK_YYYY, FK_YYY, FK_YY, FK_Y, FK_IYYY, FK_IYY, FK_IY,
    FK_MONTH, FK_MON, FK_MM, FK_DAY, FK_DY, FK_DDD, FK_DD, FK_IDDD, FK_ID, FK_D, FK_WW, FK_W, FK_IW, FK_Q, FK_CC,
    FK_J, FK_TZH, FK_TZM, FK_TZ, FK_OF,
} FmtKey;

static const struct {
    const char *text;
    FmtKey key;
} fmt_keys[] = {
    {"A.M.", FK_AM_DOTS}, {"P.M.", FK_PM_DOTS}, {"B.C.", FK_BC_DOTS}, {"A.D.", FK_AD_DOTS}, {"AM", FK_AM},
    {"PM", FK_PM}, {"BC", FK_BC}, {"AD", FK_AD}, {"HH24", FK_HH24}, {"HH12", FK_HH12}, {"HH", FK_HH},
    {"MI", FK_MI}, {"SSSS", FK_SSSS}, {"SS", FK_SS}, {"MS", FK_MS}, {"US", FK_US}, {"Y,YYY", FK_Y_COMMA_YYY},
    {"YYYY", FK_YYYY}, {"YYY", FK_YYY}, {"YY", FK_YY}, {"Y", FK_Y}, {"IYYY", FK_IYYY}, {"IYY", FK_IYY},
    {"IY", FK_IY}, {"MONTH", FK_MONTH}, {"MON", FK_MON}, {"MM", FK_MM}, {"DAY", FK_DAY}, {"DY", FK_DY},
    {"DDD", FK_DDD}, {"DD", FK_DD}, {"IDDD", FK_IDDD}, {"ID", FK_ID}, {"D", FK_D}, {"WW", FK_WW}, {"W", FK_W},
    {"IW", FK_IW}, {"Q", FK_Q}, {"CC", FK_CC}, {"J", FK_J}, {"TZH", FK_TZH}, {"TZM", FK_TZM}, {"TZ", FK_TZ},
    {"OF", FK_OF},
};

/* Letter case of a name pattern: "MONTH" upper, "Month" capitalized, "month" lower. */
typedef enum NameCase { NC_UPPER, NC_CAPITAL, NC_LOWER } NameCase;

/* Match a keyword at fmt[i]; returns its length (0 if none). */
static size_t match_fmt_key(const char *fmt, size_t n, size_t i, FmtKey *key, NameCase *nc)
{
    for (size_t k = 0; k < sizeof fmt_keys / sizeof fmt_keys[0]; k++) {
        size_t len = strlen(fmt_keys[k].text);
        if (i + len <= n && strncasecmp(fmt + i, fmt_keys[k].text, len) == 0) {
            *key = fmt_keys[k].key;
            bool first_upper = fmt[i] >= 'A' && fmt[i] <= 'Z';
            /* the case of the second letter decides between "MONTH" and "Month" ("P.M." has it third) */
            size_t second = len > 1 && fmt[i + 1] == '.' ? 2 : 1;
            bool second_upper = len > second && fmt[i + second] >= 'A' && fmt[i + second] <= 'Z';
            *nc = !first_upper ? NC_LOWER : (len == 1 || second_upper) ? NC_UPPER : NC_CAPITAL;
            return len;
        }
    }
    return 0;
}

static void put_name(StrBuf *out, const char *name, size_t take, NameCase nc, bool pad, size_t width)
{
    size_t len = strlen(name);
    if (take && take < len) len = take;
    for (size_t k = 0; k < len; k++) {
        char c = name[k];
        if (nc == NC_UPPER || (nc == NC_CAPITAL && k == 0)) c = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
        else c = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        strbuf_putc(out, c);
    }
    if (pad)
        for (size_t k = len; k < width; k++) strbuf_putc(out, ' ');
}

static void put_number(StrBuf *out, int64_t v, int width, bool fill_mode)
{
    if (fill_mode) strbuf_printf(out, "%lld", (long long)v);
    else if (v < 0) strbuf_printf(out, "-%0*lld", width, (long long)-v);
    else strbuf_printf(out, "%0*lld", width, (long long)v);
}

static const char *ordinal_suffix(int64_t v)
{
    int64_t t = (v < 0 ? -v : v) % 100;
    if (t >= 11 && t <= 13) return "th";
    switch (t % 10) {
    case 1: return "st";
    case 2: return "nd";
    case 3: return "rd";
    default: return "th";
    }
}

void datetime_to_char(int64_t ts, const char *fmt, size_t n, StrBuf *out)
{
    DateTimeParts p;
    datetime_timestamp_to_parts(ts, &p);
    int64_t days = floor_div(ts, DT_USECS_PER_DAY);
    int dow = datetime_day_of_week(days);
    int doy = (int)(days - datetime_days_from_civil(p.year, 1, 1) + 1);
    int iso_year, iso_week;
    datetime_iso_week(days, &iso_year, &iso_week);
    int shown_year = p.year > 0 ? p.year : 1 - p.year; /* BC years print positive */
    int hour12 = p.hour % 12 == 0 ? 12 : p.hour % 12;
    size_t i = 0;
    while (i < n) {
        bool fill_mode = false;
        if (i + 2 <= n && strncasecmp(fmt + i, "FM", 2) == 0) {
            fill_mode = true;
            i += 2;
        }
        FmtKey key;
        NameCase nc;
        size_t klen = i < n ? match_fmt_key(fmt, n, i, &key, &nc) : 0;
        if (klen == 0) {
            if (fill_mode) continue; /* a lone "FM" prints nothing */
            char c = fmt[i];
            if (c == '"') {
                for (i++; i < n && fmt[i] != '"'; i++) {
                    if (fmt[i] == '\\' && i + 1 < n) i++;
                    strbuf_putc(out, fmt[i]);
                }
                i++;
            } else if (c == '\\' && i + 1 < n && fmt[i + 1] == '"') {
                strbuf_putc(out, '"'); /* only a double quote is escaped, as in PostgreSQL */
                i += 2;
            } else {
                strbuf_putc(out, c);
                i++;
            }
            continue;
        }
        i += klen;
        int64_t num = 0;
        int width = 0;
        bool numeric = true;
        switch (key) {
        case FK_AM: case FK_PM:
            put_name(out, p.hour < 12 ? "am" : "pm", 0, nc, false, 0);
            numeric = false;
            break;
        case FK_AM_DOTS: case FK_PM_DOTS:
            put_name(out, p.hour < 12 ? "a.m." : "p.m.", 0, nc, false, 0);
            numeric = false;
            break;
        case FK_BC: case FK_AD:
            put_name(out, p.year <= 0 ? "bc" : "ad", 0, nc, false, 0);
            numeric = false;
            break;
        case FK_BC_DOTS: case FK_AD_DOTS:
            put_name(out, p.year <= 0 ? "b.c." : "a.d.", 0, nc, false, 0);
            numeric = false;
            break;
        case FK_HH24: num = p.hour, width = 2; break;
        case FK_HH12: case FK_HH: num = hour12, width = 2; break;
        case FK_MI: num = p.minute, width = 2; break;
        case FK_SS: num = p.second, width = 2; break;
        case FK_SSSS: num = p.hour * 3600 + p.minute * 60 + p.second, width = 0; break;
        case FK_MS: num = p.micros / 1000, width = 3; break;
        case FK_US: num = p.micros, width = 6; break;
        case FK_Y_COMMA_YYY:
            strbuf_printf(out, "%d,%03d", shown_year / 1000, shown_year % 1000);
            numeric = false;
            break;
        case FK_YYYY: num = shown_year, width = 4; break;
        case FK_YYY: num = shown_year % 1000, width = 3; break;
        case FK_YY: num = shown_year % 100, width = 2; break;
        case FK_Y: num = shown_year % 10, width = 1; break;
        case FK_IYYY: num = iso_year > 0 ? iso_year : 1 - iso_year, width = 4; break;
        case FK_IYY: num = (iso_year > 0 ? iso_year : 1 - iso_year) % 1000, width = 3; break;
        case FK_IY: num = (iso_year > 0 ? iso_year : 1 - iso_year) % 100, width = 2; break;
        case FK_MONTH:
            put_name(out, month_names[p.month - 1], 0, nc, !fill_mode, 9);
            numeric = false;
            break;
        case FK_MON:
            put_name(out, month_names[p.month - 1], 3, nc, false, 0);
            numeric = false;
            break;
        case FK_MM: num = p.month, width = 2; break;
        case FK_DAY:
            put_name(out, day_names[dow], 0, nc, !fill_mode, 9);
            numeric = false;
            break;
        case FK_DY:
            put_name(out, day_names[dow], 3, nc, false, 0);
            numeric = false;
            break;
        case FK_DDD: num = doy, width = 3; break;
        case FK_DD: num = p.day, width = 2; break;
        case FK_IDDD: {
            int64_t week1 = datetime_days_from_civil(iso_year, 1, 4);
            week1 -= (datetime_day_of_week(week1) + 6) % 7; /* Monday of ISO week 1 */
            num = days - week1 + 1, width = 3;
            break;
        }
        case FK_ID: num = dow == 0 ? 7 : dow, width = 1; break;
        case FK_D: num = dow + 1, width = 1; break;
        case FK_WW: num = (doy - 1) / 7 + 1, width = 2; break;
        case FK_W: num = (p.day - 1) / 7 + 1, width = 1; break;
        case FK_IW: num = iso_week, width = 2; break;
        case FK_Q: num = (p.month - 1) / 3 + 1, width = 1; break;
        case FK_CC: num = p.year > 0 ? (p.year + 99) / 100 : -((99 - (p.year - 1)) / 100), width = 2; break;
        case FK_J: num = days + 2440588, width = 0; break;
        case FK_TZH: case FK_TZM: case FK_TZ: case FK_OF:
            numeric = false; /* timestamp without time zone: no zone to print */
            break;
        case FK_NONE: numeric = false; break;
        }
        if (!numeric) continue;
        put_number(out, num, width, fill_mode);
        /* TH / th ordinal suffix */
        if (i + 2 <= n && (strncmp(fmt + i, "TH", 2) == 0 || strncmp(fmt + i, "th", 2) == 0)) {
            const char *suf = ordinal_suffix(num);
            put_name(out, suf, 0, fmt[i] == 'T' ? NC_UPPER : NC_LOWER, false, 0);
            i += 2;
        }
    }
}

static bool formatted_error(const char *what, const char *value, size_t vlen, const char *s, size_t n,
                            const char *fmt, size_t fn, Error *err)
{
    return error_set(err, ERR_DATA, "invalid value \"%.*s\" for \"%s\" (input \"%.*s\", format \"%.*s\")",
                     clip_len(vlen), value, what, clip_len(n), s, clip_len(fn), fmt);
}

/* Match one of names (full, or its first 3 letters if abbrev) at s[*i], case-insensitively. */
static int match_name(const char *const *names, int count, bool abbrev, const char *s, size_t n, size_t *i)
{
    for (int k = 0; k < count; k++) {
        size_t len = abbrev ? 3 : strlen(names[k]);
        if (*i + len <= n && strncasecmp(s + *i, names[k], len) == 0) {
            *i += len;
            return k;
        }
    }
    return -1;
}

/* Read a time-zone hour field (TZH, or the hours of OF): 'Z' (UTC, an
 * ISO 8601 spelling kiln accepts beyond PostgreSQL), or an optional sign and
 * one or two digits. Sets *sign and *hours; false if nothing matches. */
static bool parse_tz_hours(const char *s, size_t n, size_t *i, int *sign, int64_t *hours)
{
    *sign = 1;
    *hours = 0;
    if (*i < n && (s[*i] == 'Z' || s[*i] == 'z')) {
        (*i)++;
        return true;
    }
    if (*i < n && (s[*i] == '+' || s[*i] == '-')) *sign = s[(*i)++] == '-' ? -1 : 1;
    int digits = 0;
    while (*i < n && is_digit(s[*i]) && digits < 2) *hours = *hours * 10 + (s[(*i)++] - '0'), digits++;
    return digits > 0;
}

/* Read up to two digits of time-zone minutes; false if there are none. */
static bool parse_tz_minutes(const char *s, size_t n, size_t *i, int64_t *minutes)
{
    *minutes = 0;
    int digits = 0;
    while (*i < n && is_digit(s[*i]) && digits < 2) *minutes = *minutes * 10 + (s[(*i)++] - '0'), digits++;
    return digits > 0;
}

/* The parser of datetime_parse_formatted; *tz_offset gets the offset east of
 * UTC in microseconds read by TZH/TZM/OF (0 when the pattern has none). */
static bool parse_formatted(const char *s, size_t n, const char *fmt, size_t fn, int64_t *out, int64_t *tz_offset,
                            Error *err)
{
    int64_t tz_hours = 0, tz_minutes = 0;
    int tz_sign = 1;
    *tz_offset = 0;
    int64_t year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, micros = 0, doy = 0;
    bool have_year = false, pm = false, have_ampm = false, bc = false, hour12 = false;
    int64_t julian = -1, ignored = 0;
    size_t i = 0, f = 0;
    while (f < fn) {
        bool fill_mode = false;
        if (f + 2 <= fn && strncasecmp(fmt + f, "FM", 2) == 0) {
            fill_mode = true;
            f += 2;
        }
        FmtKey key;
        NameCase nc;
        size_t klen = f < fn ? match_fmt_key(fmt, fn, f, &key, &nc) : 0;
        if (klen == 0) {
            if (fill_mode) continue;
            char c = fmt[f];
            if (c == '"') {
                for (f++; f < fn && fmt[f] != '"'; f++)
                    if (i < n) i++;
                f++;
            } else if (is_space(c)) {
                f++;
                while (i < n && is_space(s[i])) i++;
            } else {
                if (c == '\\' && f + 1 < fn) f++;
                f++;
                if (i < n && !is_digit(s[i]) && !is_alpha(s[i])) i++;
                else if (i < n && s[i] == c) i++;
            }
            continue;
        }
        f += klen;
        if (f + 2 <= fn && strncasecmp(fmt + f, "TH", 2) == 0) f += 2; /* suffix: skip its letters below */
        if (i >= n) break;  /* input ended early: remaining fields keep their defaults */
        (void)fill_mode;
        while (i < n && is_space(s[i]) && key != FK_NONE) i++;
        int maxw = 0;
        int64_t *target = NULL;
        switch (key) {
        case FK_AM: case FK_PM: case FK_AM_DOTS: case FK_PM_DOTS: {
            size_t len = (key == FK_AM || key == FK_PM) ? 2 : 4;
            if (i + len > n) return formatted_error("AM/PM", s + i, n - i, s, n, fmt, fn, err);
            char c = (char)(s[i] | 0x20);
            if (c != 'a' && c != 'p') return formatted_error(fmt_keys[0].text, s + i, len, s, n, fmt, fn, err);
            pm = c == 'p';
            have_ampm = true;
            i += len;
            continue;
        }
        case FK_BC: case FK_AD: case FK_BC_DOTS: case FK_AD_DOTS: {
            size_t len = (key == FK_BC || key == FK_AD) ? 2 : 4;
            if (i + len > n) return formatted_error("BC/AD", s + i, n - i, s, n, fmt, fn, err);
            bc = (s[i] | 0x20) == 'b';
            i += len;
            continue;
        }
        case FK_MONTH: case FK_MON: {
            int m = match_name(month_names, 12, key == FK_MON, s, n, &i);
            if (m < 0) {
                size_t e = i;
                while (e < n && is_alpha(s[e])) e++;
                return formatted_error(key == FK_MON ? "MON" : "MONTH", s + i, e - i, s, n, fmt, fn, err);
            }
            month = m + 1;
            continue;
        }
        case FK_DAY: case FK_DY: {
            if (match_name(day_names, 7, key == FK_DY, s, n, &i) < 0) {
                size_t e = i;
                while (e < n && is_alpha(s[e])) e++;
                return formatted_error(key == FK_DY ? "DY" : "DAY", s + i, e - i, s, n, fmt, fn, err);
            }
            continue;
        }
        case FK_TZH:
            if (!parse_tz_hours(s, n, &i, &tz_sign, &tz_hours)) return formatted_error("TZH", s + i, n - i, s, n, fmt, fn, err);
            continue;
        case FK_TZM:
            if (!parse_tz_minutes(s, n, &i, &tz_minutes)) return formatted_error("TZM", s + i, n - i, s, n, fmt, fn, err);
            continue;
        case FK_OF: /* +hh, +hh:mm, +hhmm or Z */
            if (!parse_tz_hours(s, n, &i, &tz_sign, &tz_hours)) return formatted_error("OF", s + i, n - i, s, n, fmt, fn, err);
            if (i < n && s[i] == ':') i++;
            if (i < n && is_digit(s[i]) && !parse_tz_minutes(s, n, &i, &tz_minutes))
                return formatted_error("OF", s + i, n - i, s, n, fmt, fn, err);
            continue;
        case FK_TZ:
            while (i < n && !is_space(s[i])) i++;
            continue;
        case FK_HH24: target = &hour, maxw = 2; break;
        case FK_HH12: case FK_HH: target = &hour, maxw = 2, hour12 = true; break;
        case FK_MI: target = &minute, maxw = 2; break;
        case FK_SS: target = &second, maxw = 2; break;
        case FK_MS: target = &micros, maxw = 3; break;
        case FK_US: target = &micros, maxw = 6; break;
        case FK_YYYY: case FK_IYYY: case FK_Y_COMMA_YYY: target = &year, maxw = 4, have_year = true; break;
        case FK_YYY: case FK_IYY: target = &year, maxw = 3, have_year = true; break;
        case FK_YY: case FK_IY: target = &year, maxw = 2, have_year = true; break;
        case FK_Y: target = &year, maxw = 1, have_year = true; break;
        case FK_MM: target = &month, maxw = 2; break;
        case FK_DD: target = &day, maxw = 2; break;
        case FK_DDD: case FK_IDDD: target = &doy, maxw = 3; break;
        case FK_J: target = &julian, maxw = 9; break;
        default: /* fields without a date meaning (D, ID, WW, W, IW, Q, CC, SSSS): read and ignore */
            target = &ignored;
            maxw = 6;
            break;
        }
        bool neg = false;
        if (i < n && s[i] == '-' && target == &year) {
            neg = true;
            i++;
        }
        size_t start = i;
        int64_t v = 0;
        int digits = 0;
        /* YYYY takes more than 4 digits when the next character is not a digit anyway */
        int limit = (key == FK_YYYY && !(f < fn && (fmt[f] == 'M' || fmt[f] == 'm' || fmt[f] == 'D' ||
                                                   fmt[f] == 'd' || fmt[f] == 'H' || fmt[f] == 'h')))
                        ? 7
                        : maxw;
        if (key == FK_Y_COMMA_YYY && i + 1 < n && s[i + 1] == ',') {
            v = s[i] - '0';
            i += 2;
            limit = 3;
        }
        while (i < n && is_digit(s[i]) && digits < limit) {
            v = v * 10 + (s[i++] - '0');
            digits++;
        }
        if (digits == 0) {
            size_t e = start;
            while (e < n && (is_alpha(s[e]) || is_digit(s[e])) && e - start < 20) e++;
            char what[8];
            snprintf(what, sizeof what, "%.*s", (int)(klen < 7 ? klen : 7), fmt + f - klen);
            return formatted_error(what, s + start, e - start, s, n, fmt, fn, err);
        }
        if (key == FK_MS) {
            for (int k = digits; k < 3; k++) v *= 10; /* ".5" is 500 ms */
            v *= 1000;
        }
        if (key == FK_US) {
            for (int k = digits; k < 6; k++) v *= 10;
        }
        if (key == FK_YY && digits <= 2) v += v < 70 ? 2000 : 1900;
        if (key == FK_YYY && digits <= 3) v += v < 100 ? 2000 : 1000;
        if (key == FK_Y && digits == 1) v += 2020;
        *target = neg ? -v : v;
    }
    if (hour12 || have_ampm) {
        if (hour < 1 || hour > 12) {
            if (hour12) return error_set(err, ERR_DATA, "hour \"%lld\" is invalid for the 12-hour clock (input \"%.*s\", format \"%.*s\")",
                                         (long long)hour, clip_len(n), s, clip_len(fn), fmt);
        } else {
            hour = hour % 12 + (pm ? 12 : 0);
        }
    }
    if (bc && have_year) year = 1 - year;
    if (!have_year) year = 0; /* PostgreSQL's default: 1 BC */
    int64_t date_days;
    if (julian >= 0) {
        date_days = julian - 2440588;
    } else {
        if (doy > 0) {
            date_days = datetime_days_from_civil(year, 1, 1) + doy - 1;
        } else {
            if (month < 1 || month > 12 || day < 1 || day > datetime_days_in_month(year, (int)month) ||
                year < -4713 || year > 294247)
                return error_set(err, ERR_DATA, "date/time field value out of range: \"%.*s\"", clip_len(n), s);
            date_days = datetime_days_from_civil(year, (int)month, (int)day);
        }
    }
    if (hour > 24 || minute > 59 || second > 60)
        return error_set(err, ERR_DATA, "date/time field value out of range: \"%.*s\"", clip_len(n), s);
    if (date_days < DATE_MIN_DAYS || date_days > INT64_MAX / DT_USECS_PER_DAY - 2)
        return error_set(err, ERR_DATA, "timestamp out of range: \"%.*s\"", clip_len(n), s);
    int64_t ts = date_days * DT_USECS_PER_DAY + hour * DT_USECS_PER_HOUR + minute * DT_USECS_PER_MINUTE +
                 second * DT_USECS_PER_SEC + micros;
    if (!datetime_timestamp_in_range(ts))
        return error_set(err, ERR_DATA, "timestamp out of range: \"%.*s\"", clip_len(n), s);
    if (tz_hours > 15 || tz_minutes > 59)
        return error_set(err, ERR_DATA, "time zone displacement out of range: \"%.*s\"", clip_len(n), s);
    *tz_offset = tz_sign * (tz_hours * DT_USECS_PER_HOUR + tz_minutes * DT_USECS_PER_MINUTE);
    *out = ts;
    return true;
}

bool datetime_parse_formatted(const char *s, size_t n, const char *fmt, size_t fn, int64_t *out, Error *err)
{
    int64_t tz_offset;
    return parse_formatted(s, n, fmt, fn, out, &tz_offset, err);
}

bool datetime_parse_formatted_utc(const char *s, size_t n, const char *fmt, size_t fn, int64_t *out, Error *err)
{
    int64_t tz_offset, ts;
    if (!parse_formatted(s, n, fmt, fn, &ts, &tz_offset, err)) return false;
    ts -= tz_offset;
    if (!datetime_timestamp_in_range(ts))
        return error_set(err, ERR_DATA, "timestamp out of range: \"%.*s\"", clip_len(n), s);
    *out = ts;
    return true;
}
