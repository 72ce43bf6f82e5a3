/* cron: five-field cron expressions and their next fire time.
 *
 * Fields: minute (0-59) hour (0-23) day-of-month (1-31) month (1-12 or
 * jan-dec) day-of-week (0-7 or sun-sat; 0 and 7 are Sunday).  Each field is
 * a comma list of items: `*`, `N`, `A-B`, each optionally followed by `/STEP`
 * (`N/STEP` means N-max/STEP, as in Vixie cron).  Macros: @yearly (@annually),
 * @monthly, @weekly, @daily (@midnight), @hourly.
 *
 * Day matching follows Vixie cron: when both day-of-month and day-of-week are
 * restricted (neither field starts with `*`), a day matches if EITHER
 * matches; otherwise both must match.
 *
 * Times are minutes on a naive civil clock (seconds since 1970-01-01 with no
 * time zone; the scheduler treats them as UTC).  The expression is a handful
 * of bitmasks; nothing is allocated. */
#ifndef KILN_SCHED_CRON_H
#define KILN_SCHED_CRON_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

typedef struct CronExpr {
    uint64_t minutes;   /* bit m: minute m */
    uint32_t hours;     /* bit h */
    uint32_t days;      /* bit d, 1..31 */
    uint16_t months;    /* bit m, 1..12 */
    uint8_t weekdays;   /* bit w, 0 = Sunday .. 6 */
    bool days_star;     /* day-of-month field starts with '*' */
    bool weekdays_star; /* day-of-week field starts with '*' */
} CronExpr;

/* Parse text into out. ERR_USAGE naming the field and the bad item; an
 * expression that can never fire (0 0 30 2 *) is an error too. */
bool cron_parse(const char *text, CronExpr *out, Error *err);
/* True if the minute that starts at epoch second t matches (seconds ignored). */
bool cron_matches(const CronExpr *c, int64_t t);
/* The first matching minute strictly after epoch second t, in *next
 * (epoch seconds, a multiple of 60). False if none within 400 years. */
bool cron_next(const CronExpr *c, int64_t t, int64_t *next);

#endif
