/* datetime: DATE, TIMESTAMP and INTERVAL values, as PostgreSQL has them.
 *
 *   DATE       int32_t days since 1970-01-01 (proleptic Gregorian calendar),
 *              from 4714-11-24 BC to 5874897-12-31 as PostgreSQL's
 *   TIMESTAMP  int64_t microseconds since 1970-01-01 00:00:00, no time zone,
 *              from 4714-11-24 BC to 294246-12-31 (PostgreSQL goes to 294276:
 *              kiln counts from 1970 instead of 2000 in the same 64 bits)
 *   INTERVAL   {months, days, micros}, kept apart as PostgreSQL does because
 *              a month and a day have no fixed length
 *
 * Text is read and written as PostgreSQL's ISO DateStyle does:
 * `2024-01-31`, `2024-01-31 12:34:56.5`, `0044-03-15 BC`, and intervals in
 * the default "postgres" IntervalStyle: `1 year 2 mons 3 days 04:05:06`.
 * Input also takes ISO 8601 forms (`2024-01-31T12:00:00Z`, `P1Y2M3DT4H`);
 * a time zone on a timestamp is ignored, as PostgreSQL ignores it for
 * timestamp without time zone.  'infinity' is refused.
 *
 * Civil-date conversion uses Howard Hinnant's days_from_civil algorithm
 * (400-year eras, exact integer arithmetic).  Nothing here allocates. */
#ifndef KILN_TYPES_DATETIME_H
#define KILN_TYPES_DATETIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "types/types.h"

#define DT_USECS_PER_SEC INT64_C(1000000)
#define DT_USECS_PER_MINUTE INT64_C(60000000)
#define DT_USECS_PER_HOUR INT64_C(3600000000)
#define DT_USECS_PER_DAY INT64_C(86400000000)

/* Longest text of a formatted date/timestamp/interval, with its NUL. */
#define DATETIME_TEXT_MAX 128

/* Valid DATE range (days since 1970-01-01), inclusive. */
#define DATE_MIN_DAYS (-2440588)     /* 4714-11-24 BC */
#define DATE_MAX_DAYS 2145042905     /* 5874897-12-31 */
/* Valid TIMESTAMP range (micros since 1970-01-01): [min, end). */
#define TIMESTAMP_MIN_MICROS (INT64_C(-2440588) * DT_USECS_PER_DAY)
#define TIMESTAMP_END_MICROS (INT64_C(106751982) * DT_USECS_PER_DAY) /* 294247-01-01 */

/* A broken-down timestamp. year is astronomical: 0 = 1 BC, -1 = 2 BC. */
typedef struct DateTimeParts {
    int year, month, day;   /* month 1..12, day 1..31 */
    int hour, minute, second;
    int micros;             /* 0..999999 */
} DateTimeParts;

/* Days since 1970-01-01 of a civil date (no range check). */
int64_t datetime_days_from_civil(int64_t year, int month, int day);
/* Civil date of a day number. */
void datetime_civil_from_days(int64_t days, int *year, int *month, int *day);
/* True for Gregorian leap years (astronomical numbering). */
bool datetime_is_leap_year(int64_t year);
/* Number of days in a month of a year. */
int datetime_days_in_month(int64_t year, int month);
/* Day of the week of a day number: 0 = Sunday .. 6 = Saturday. */
int datetime_day_of_week(int64_t days);

/* True if days is within the DATE range. */
static inline bool datetime_date_in_range(int64_t days) { return days >= DATE_MIN_DAYS && days <= DATE_MAX_DAYS; }
/* True if micros is within the TIMESTAMP range. */
static inline bool datetime_timestamp_in_range(int64_t us)
{
    return us >= TIMESTAMP_MIN_MICROS && us < TIMESTAMP_END_MICROS;
}

/* Split a timestamp into civil fields. */
void datetime_timestamp_to_parts(int64_t ts, DateTimeParts *p);
/* Build a timestamp from fields (month and day must be valid; hour may be 24
 * at midnight, second 60 for a leap second); false if out of range. */
bool datetime_timestamp_from_parts(const DateTimeParts *p, int64_t *out);

/* Parse PostgreSQL date input ("2024-01-31", "20240131", "1/31/2024",
 * "2024-01-31 12:00", "0044-03-15 BC", "epoch"). Errors name the text:
 * invalid input syntax for type date: "x"; date/time field value out of range: "x". */
bool datetime_parse_date(const char *s, size_t n, int32_t *out, Error *err);
/* Parse timestamp input (a date, then optionally ' ' or 'T' and
 * HH:MM[:SS[.ffffff]], an ignored zone, " BC"). */
bool datetime_parse_timestamp(const char *s, size_t n, int64_t *out, Error *err);
/* Parse interval input: "1 year 2 mons 3 days 04:05:06", "-1.5 hours",
 * "1 day ago", "@ 3 days", "P1Y2M3DT4H5M6S", "10:30" ... */
bool datetime_parse_interval(const char *s, size_t n, Interval *out, Error *err);

/* Format as PostgreSQL's ISO output into buf (DATETIME_TEXT_MAX bytes); returns the length. */
size_t datetime_format_date(int32_t days, char *buf);
size_t datetime_format_timestamp(int64_t ts, char *buf);
size_t datetime_format_interval(Interval iv, char *buf);

/* date + days, checked against the DATE range ("date out of range"). */
bool datetime_date_add_days(int32_t date, int64_t days, int32_t *out, Error *err);
/* date -> timestamp at midnight ("date out of range for timestamp"). */
bool datetime_date_to_timestamp(int32_t date, int64_t *out, Error *err);
/* timestamp -> date (drops the time of day). */
int32_t datetime_timestamp_to_date(int64_t ts);
/* ts + iv: months first (the day clamped to the end of the month, as
 * PostgreSQL does: 2024-01-31 + 1 month = 2024-02-29), then days, then
 * micros. "timestamp out of range" on overflow. */
bool datetime_timestamp_add_interval(int64_t ts, Interval iv, int64_t *out, Error *err);
/* -iv ("interval out of range" for the most negative values). */
bool datetime_interval_negate(Interval iv, Interval *out, Error *err);
/* a + b and a - b field by field ("interval out of range"). */
bool datetime_interval_add(Interval a, Interval b, Interval *out, Error *err);
bool datetime_interval_sub(Interval a, Interval b, Interval *out, Error *err);
/* iv * factor with PostgreSQL's spill of fractional months into days and of
 * fractional days into micros ("interval out of range"). */
bool datetime_interval_mul(Interval iv, double factor, Interval *out, Error *err);
/* a - b as an interval of days and micros (PostgreSQL's timestamp_mi with
 * justify_hours: whole days, then the time). */
bool datetime_timestamp_diff(int64_t a, int64_t b, Interval *out, Error *err);
/* Total length of an interval in microseconds with PostgreSQL's 30-day
 * months (for comparing intervals; saturating, 128-bit). */
kiln_int128 datetime_interval_span(Interval iv);
/* Compare intervals as PostgreSQL does (by their 30-day-month span). */
int datetime_interval_compare(Interval a, Interval b);

/* Fields of date_trunc / date_part, parsed from their names. */
typedef enum DateField {
    DF_INVALID = 0,
    DF_MICROSECONDS, DF_MILLISECONDS, DF_SECOND, DF_MINUTE, DF_HOUR, DF_DAY, DF_WEEK, DF_MONTH, DF_QUARTER,
    DF_YEAR, DF_DECADE, DF_CENTURY, DF_MILLENNIUM, DF_DOW, DF_ISODOW, DF_DOY, DF_EPOCH, DF_ISOYEAR,
    DF_JULIAN,
} DateField;

/* Field named by text ("year", "years", "yr", "month", "mon", "dow" ...; case-insensitive). */
DateField datetime_field_from_name(const char *s, size_t n);
/* Truncate a timestamp to a field (microseconds .. millennium; week starts on
 * Monday). False with an error for fields that cannot truncate. */
bool datetime_trunc(DateField f, int64_t ts, int64_t *out, Error *err);
/* Truncate an interval to a field, as PostgreSQL's interval date_trunc. */
bool datetime_trunc_interval(DateField f, Interval iv, Interval *out, Error *err);
/* date_part of a timestamp: year, quarter, month, week (ISO), day, dow,
 * isodow, doy, hour, minute, second (with fraction), milliseconds,
 * microseconds, epoch, decade, century, millennium, isoyear, julian. */
bool datetime_part(DateField f, int64_t ts, double *out, Error *err);
/* date_part of an interval (epoch, year, month, day, hour, minute, second ...). */
bool datetime_part_interval(DateField f, Interval iv, double *out, Error *err);

/* ISO 8601 week number (1..53) and ISO year of a day number. */
void datetime_iso_week(int64_t days, int *iso_year, int *week);

#endif

/* ---- to_char / to_date / to_timestamp ------------------------------------ */

/* Append ts formatted with a PostgreSQL to_char pattern (YYYY, MM, Mon,
 * Month, DD, DDD, D, ID, HH, HH12, HH24, MI, SS, MS, US, AM/PM, Day, Dy, Q,
 * WW, IW, IYYY, J, CC, SSSS, TZ (empty), FM prefix, TH suffix, "quoted text",
 * backslash escapes); other characters are copied. */
void datetime_to_char(int64_t ts, const char *fmt, size_t fmt_len, StrBuf *out);
/* Parse text with a to_char pattern, as PostgreSQL's to_timestamp/to_date.
 * Missing fields default to January 1st, 00:00:00, and a missing year to
 * 1 BC as in PostgreSQL; input that ends early leaves the remaining fields at
 * their defaults. Errors name the input and the pattern. */
bool datetime_parse_formatted(const char *s, size_t n, const char *fmt, size_t fmt_len, int64_t *out, Error *err);
/* Like datetime_parse_formatted, and a time-zone offset read by TZH/TZM/OF
 * ('+05', '-03:30', 'Z') is applied: the result is the UTC time, as
 * PostgreSQL's to_timestamp gives it in a session whose TimeZone is UTC.
 * (datetime_parse_formatted, for to_date, reads and ignores the offset.) */
bool datetime_parse_formatted_utc(const char *s, size_t n, const char *fmt, size_t fmt_len, int64_t *out, Error *err);
