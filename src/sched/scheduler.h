/* scheduler: the long-running service behind `kiln scheduler`.
 *
 * It fires each scheduled job of a project on its cron schedule, in the
 * job's time zone (scheduler_tz.h for the DST rule and the logical date),
 * and keeps its bookkeeping in the state database (scheduler_db.h):
 *
 *   - A fire of job J at time F is for the interval that just ended: its
 *     logical time is the fire before F.  Jobs firing at the same instant
 *     for the same run key form one DAG run: those jobs plus every job
 *     downstream of them that has no schedule of its own, in DAG order,
 *     with each job's retries and timeout (runner.h).  Jobs that already
 *     succeeded for that key are skipped, so a retried run resumes.
 *   - Each DAG run is a child process (a fork of the scheduler, in its own
 *     process group, killed if the scheduler dies), so the service keeps
 *     firing while runs go on, up to `parallel` runs at once.
 *   - Catch-up: the fires missed while the scheduler was down are queued
 *     when it starts (catchup: true, the default; at most max_catchup per
 *     job, the newest), or only the newest one (catchup: false).  A job
 *     seen for the first time starts from now.
 *   - Never twice at once: one scheduler per project holds the lock
 *     .kiln/scheduler.lock (a second one waits for it, or with --once
 *     fails); (job, key) is the primary key of the fires table; the runner
 *     claims each (job, key) in the state database before running it.
 *   - Restarts: a fire left running by a scheduler that died (its run's
 *     process gone) is marked interrupted and queued again while the job
 *     has retries left (each such restart counts as a try), else failed.
 *   - Stop (scheduler_request_stop, from SIGTERM/SIGINT): nothing new
 *     starts; running DAG runs get `grace` seconds to finish, then are
 *     stopped (their jobs get SIGTERM, SIGKILL 5 s later), recorded
 *     interrupted, and queued again at the next start without counting a
 *     try.
 *
 * Every event is one line on `log` and one row of scheduler_events.  The
 * time is the clock module's (clock.h), so tests run it fast.
 *
 * Memory: per-job arrays of the project's size; fires lists per loop. */
#ifndef KILN_SCHED_SCHEDULER_H
#define KILN_SCHED_SCHEDULER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"
#include "sched/dag.h"
#include "sched/project.h"

typedef struct SchedulerOptions {
    const char *kiln_exe; /* the binary each job attempt runs */
    bool once;            /* queue what is due now, run it, and return */
    bool has_until;       /* run the fires up to `until`, then return */
    int64_t until;
    int parallel;         /* DAG runs at once (>= 1) */
    int job_parallel;     /* jobs at once inside one DAG run (>= 1) */
    double grace;         /* seconds running DAG runs may finish after a stop request */
    FILE *log;            /* one line per event (stderr) */
} SchedulerOptions;

/* Ask a running scheduler_run to stop (async-signal-safe). */
void scheduler_request_stop(void);
/* Run the scheduler until stopped (or --once / --until is done). *failed
 * counts the fires that ended failed.  False when the scheduler itself
 * fails (state database, lock, fork). */
bool scheduler_run(const Project *p, const Dag *dag, const SchedulerOptions *o, int *failed, Error *err);

#endif
