/* lake_lock: the writers' lock of a kiln dataset, _kiln/lock.
 *
 * Local datasets: flock(2) on the lock file, so the lock goes away with the
 * process that held it, however it died (no stale locks to clean up).  The
 * holder writes "pid <pid> started <UTC time> run <run id>" into the file so
 * that a writer that gives up can say who holds it.  A second writer polls
 * (every 50 to 200 ms) until timeout_seconds have passed.  flock locks
 * belong to an open file description, so two opens in one process exclude
 * each other like two processes do.
 *
 * Other file systems (S3) have no such lock: lake_lock_acquire succeeds
 * without locking, and the commit point (the exclusive creation of the next
 * commit record) still lets only one of two concurrent runs commit. */
#ifndef KILN_LAKE_LAKE_LOCK_H
#define KILN_LAKE_LAKE_LOCK_H

#include <stdbool.h>

#include "common/error.h"

typedef struct LakeLock LakeLock;

/* Take the lock of the dataset whose _kiln folder is kiln_dir (which must
 * exist), waiting up to timeout_seconds (0: fail at once). */
bool lake_lock_acquire(const char *kiln_dir, const char *run_id, double timeout_seconds, LakeLock **out, Error *err);
/* Release the lock and free it (NULL is fine). */
void lake_lock_release(LakeLock *lock);

#endif
