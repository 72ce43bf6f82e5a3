/* scheduler_tz: cron schedules in a time zone: the next and previous fire
 * times, the logical date of a fire, and the intervals missed while the
 * scheduler was down (catch-up).
 *
 * A cron expression is read on the zone's wall clock (Europe/Paris, from
 * the system's tz database, /usr/share/zoneinfo).  Around daylight-saving
 * changes each wall-clock time fires at most once:
 *   - a local time that does not exist (the hour skipped in spring) fires
 *     once, at the first instant after the gap (02:30 in Paris on the last
 *     Sunday of March fires at 03:00 CEST; several skipped times collapse
 *     into that one fire);
 *   - a local time that happens twice (the hour repeated in autumn) fires
 *     once, at its first occurrence (summer time).
 *
 * The logical date of a fire is the start of the interval that just ended
 * (Airflow's data interval start): the fire before it.  A schedule that
 * fires at most once a day (one minute and one hour) runs per logical day,
 * keyed YYYY-MM-DD like `kiln run --ds`; a more frequent one per logical
 * time, keyed YYYY-MM-DDTHH:MM (local).
 *
 * The zone is applied by setting TZ around each computation (restored
 * after), so these functions are not thread-safe.  Nothing is allocated. */
#ifndef KILN_SCHED_SCHEDULER_TZ_H
#define KILN_SCHED_SCHEDULER_TZ_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "sched/cron.h"

typedef struct SchedZone {
    char name[64]; /* "UTC", "Europe/Paris", ... */
    bool utc;      /* no tz database needed */
} SchedZone;

/* Check name against the tz database and fill z. ERR_USAGE for an unknown zone. */
bool sched_zone_load(const char *name, SchedZone *z, Error *err);
/* The zone's offset from UTC at instant t, in seconds east. */
int sched_zone_offset(const SchedZone *z, int64_t t);
/* The first fire strictly after instant `after` (UTC seconds); false if none. */
bool sched_next_fire(const CronExpr *c, const SchedZone *z, int64_t after, int64_t *next);
/* The last fire strictly before instant `before`; false if none within 8 years. */
bool sched_prev_fire(const CronExpr *c, const SchedZone *z, int64_t before, int64_t *prev);
/* True when c fires at most once per day (then runs are keyed by day). */
bool sched_cron_is_daily(const CronExpr *c);
/* The run key of the interval starting at logical (UTC): YYYY-MM-DD for a
 * daily schedule, else YYYY-MM-DDTHH:MM; also the local date (ds, 11
 * bytes) and time (ts, YYYY-MM-DDTHH:MM:SS, 20 bytes). key needs 20 bytes. */
void sched_logical_key(const CronExpr *c, const SchedZone *z, int64_t logical, char *key, char *ds, char *ts);
/* The fires in (last, now], oldest first, into fires[cap]: all of them
 * with catchup (but at most max_catchup, the newest), only the newest
 * without.  *count = how many were stored, *skipped = how many older ones
 * were dropped.  Also *last_seen = the newest fire (or last when none). */
void sched_due_fires(const CronExpr *c, const SchedZone *z, int64_t last, int64_t now, bool catchup,
                     int max_catchup, int64_t *fires, int cap, int *count, int64_t *skipped, int64_t *last_seen);

#endif
