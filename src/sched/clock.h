/* clock: the scheduler's "now", real or faked for tests.
 *
 * Everything in the scheduler that asks what time it is asks here, so a
 * test can run a day of schedules in seconds.  The fake clock is set by the
 * environment, read once by sched_clock_init:
 *
 *   KILN_FAKE_NOW=2026-03-29T00:59:00Z   fake time at the anchor
 *   KILN_FAKE_SPEED=60                   fake seconds per real second (default 1)
 *   KILN_FAKE_EPOCH=1767000000           the real Unix time of the anchor
 *                                        (default: when the process first read
 *                                        the clock; give it so that several
 *                                        processes share one fake timeline)
 *   KILN_FAKE_NOW=@/path/to/file         the file holds the fake time, re-read
 *                                        at each call (a test advances it)
 *
 * Without KILN_FAKE_NOW the clock is the real UTC time.  Times are Unix
 * seconds (UTC).  Nothing is allocated. */
#ifndef KILN_SCHED_CLOCK_H
#define KILN_SCHED_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

/* Configure the clock from the environment; ERR_USAGE naming a malformed variable. */
bool sched_clock_init(Error *err);
/* Configure it from these values (NULL = not set), as the variables above. */
bool sched_clock_configure(const char *fake_now, const char *speed, const char *epoch, Error *err);
/* Now, in Unix seconds. */
int64_t sched_clock_now(void);
/* True when the clock is fake. */
bool sched_clock_is_fake(void);
/* Real seconds that pass while the clock advances by fake_seconds (the
 * file clock: a short poll interval, since the test decides). */
double sched_clock_real_seconds(double fake_seconds);
/* Parse UTC time text: YYYY-MM-DDTHH:MM[:SS][Z] (a space instead of T is
 * fine). False when malformed. */
bool sched_parse_utc(const char *text, int64_t *t);
/* Format t as 2026-03-29T00:59:00Z into buf (at least 21 bytes). */
void sched_format_utc(int64_t t, char *buf);

#endif
