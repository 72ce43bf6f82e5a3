/* runner: runs the selected jobs of a project's DAG for one logical date.
 *
 * Each attempt of a job is a child process: the kiln binary itself, as
 * `kiln run SQLFILE --verbose --param ds=... --param try_number=N ...`,
 * started in its own process group with the project folder as working
 * directory and its stdout and stderr in .kiln/logs/DS/JOB.N.log.  Processes
 * (not threads) so that a job that crashes, leaks or is killed cannot take
 * the others or the runner down, and a timeout can stop it cleanly:
 * SIGTERM to its process group, SIGKILL after a grace period.
 *
 * One loop in the calling thread starts jobs whose upstream jobs all
 * succeeded, up to `parallel` at a time, in topological order; reaps
 * children (polling every 20 ms); retries a failed attempt after
 * retry_delay * retry_backoff^(n-1) seconds while retries remain; and marks
 * the jobs downstream of a final failure upstream_failed without running
 * them.  Every attempt is recorded in the state database as it starts and
 * ends.  After runner_request_stop (e.g. from a SIGINT handler) no new
 * attempt starts and running ones are stopped like a timeout.
 *
 * Memory: per-job bookkeeping arrays of the project's size. */
#ifndef KILN_SCHED_RUNNER_H
#define KILN_SCHED_RUNNER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"
#include "sched/dag.h"
#include "sched/logical_date.h"
#include "sched/project.h"
#include "sched/state.h"

typedef enum TaskStatus {
    TASK_NOT_SELECTED = 0,
    TASK_PENDING,
    TASK_WAITING_RETRY,
    TASK_RUNNING,
    TASK_SUCCESS,
    TASK_FAILED,
    TASK_UPSTREAM_FAILED,
    TASK_SKIPPED,      /* already succeeded for this date in an earlier run */
    TASK_BUSY,         /* another live kiln process is running it */
    TASK_INTERRUPTED,  /* stopped by runner_request_stop */
} TaskStatus;

typedef struct TaskResult {
    TaskStatus status;
    int attempts;
    double seconds;     /* of all attempts together */
    int64_t rows;       /* count of the last statement that reports one (INSERT/COPY/...), -1 unknown */
    char error[512];    /* the last attempt's error line */
} TaskResult;

typedef struct RunnerOptions {
    const char *kiln_exe;   /* the kiln binary to start for each attempt */
    int parallel;           /* at most this many jobs at once (>= 1) */
    bool skip_succeeded;    /* do not rerun (job, ds) pairs that already succeeded */
    double kill_grace;      /* seconds between SIGTERM and SIGKILL on timeout */
    FILE *progress;         /* a line per attempt start and end, or NULL */
} RunnerOptions;

/* The name of a status ("success", "upstream_failed", ...). */
const char *runner_status_name(TaskStatus s);
/* Ask a running runner_run_date to stop (async-signal-safe). */
void runner_request_stop(void);
/* True once a stop was requested. */
bool runner_stop_requested(void);
/* Run the jobs with selected[i] for the logical date ds_days; results[i]
 * gets each job's outcome (array of p->njobs).  *all_ok is true when every
 * selected job succeeded or was skipped as already done.  Returns false only
 * when the runner itself fails (state database, fork); jobs failing is not
 * an error. */
bool runner_run_date(const Project *p, const Dag *dag, const bool *selected, int64_t ds_days, StateDb *state,
                     int64_t run_id, const RunnerOptions *opts, TaskResult *results, bool *all_ok, Error *err);
/* The same for a logical date built by the caller (the scheduler: its ts
 * and run key may be a time of day); the state and logs use ld->key. */
bool runner_run_logical(const Project *p, const Dag *dag, const bool *selected, const LogicalDate *ld,
                        StateDb *state, int64_t run_id, const RunnerOptions *opts, TaskResult *results, bool *all_ok,
                        Error *err);

#endif
