/* state: the run history of a project in SQLite (.kiln/state.db beside
 * kiln.yaml).
 *
 * Tables:
 *   runs      one row per `kiln run`/`kiln backfill` invocation: kind, the
 *             runner's pid, start, end, status (running, success, failed,
 *             interrupted)
 *   attempts  one row per job attempt: run, job, ds, attempt number, status
 *             (running, success, failed, upstream_failed, interrupted), start,
 *             end, seconds, exit code, rows, error, log file
 *   tasks     the latest state of each (job, ds): status, attempts, run
 *   quality_reports  the quality report (JSON, quality/report.h) of each
 *             attempt that wrote one; the baseline of the next runs' checks
 *
 * The database is in WAL mode with a busy timeout, so a second kiln process
 * (a backfill while `kiln status` reads, two runs) waits instead of failing.
 * A run whose process died (kill -9, power loss) is found by its pid when
 * the next run opens the state, and marked interrupted with its attempts,
 * so its (job, ds) pairs run again.  state_claim_task refuses a (job, ds)
 * that a live run is executing, so a pair never runs twice at once.
 *
 * Memory: the sqlite3 handle and its statements; rows passed to callbacks
 * are valid only during the call. */
#ifndef KILN_SCHED_STATE_H
#define KILN_SCHED_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

typedef struct StateDb StateDb;

/* One attempt as stored. Strings are never NULL ("" when unknown). */
typedef struct StateAttempt {
    int64_t run_id;
    const char *job;
    const char *ds;
    int attempt;        /* 0 for a job that never started (upstream_failed) */
    const char *status;
    const char *started_at; /* UTC, 2026-11-24T03:00:00Z */
    const char *ended_at;
    double seconds;
    int exit_code;      /* -1 when none */
    int64_t rows;       /* -1 when unknown */
    const char *error;
    const char *log_path;
} StateAttempt;

/* Open (creating the folder and schema) the state database at path. */
bool state_open(const char *path, StateDb **out, Error *err);
/* Close it (NULL is fine). */
void state_close(StateDb *db);
/* Mark runs whose process is gone as interrupted (with their running
 * attempts and tasks); returns how many through *count (may be NULL). */
bool state_recover(StateDb *db, int *count, Error *err);
/* Record the start of a run of this process. */
bool state_begin_run(StateDb *db, const char *kind, const char *args, int64_t *run_id, Error *err);
/* Record its end with status. */
bool state_end_run(StateDb *db, int64_t run_id, const char *status, Error *err);
/* Latest status of (job, ds) into status (size >= 32; "" when never run). */
bool state_task_status(StateDb *db, const char *job, const char *ds, char *status, Error *err);
/* Mark (job, ds) running for run_id. *claimed is false when another live
 * run is executing it. */
bool state_claim_task(StateDb *db, int64_t run_id, const char *job, const char *ds, bool *claimed, Error *err);
/* Insert an attempt row (status running); its id in *attempt_id. */
bool state_attempt_start(StateDb *db, int64_t run_id, const char *job, const char *ds, int attempt,
                         const char *log_path, int64_t *attempt_id, Error *err);
/* Finish an attempt; the task's latest state follows when final is true (no retry follows). */
bool state_attempt_end(StateDb *db, int64_t attempt_id, const char *status, int exit_code, int64_t rows,
                       const char *error, bool final, Error *err);
/* Record a job that did not run for ds because an upstream job failed. */
bool state_task_upstream_failed(StateDb *db, int64_t run_id, const char *job, const char *ds, const char *upstream,
                                Error *err);
/* Keep the quality report (JSON) an attempt wrote. */
bool state_quality_save(StateDb *db, int64_t attempt_id, const char *job, const char *ds, bool success,
                        const char *report, Error *err);
/* The baseline of a run of job for ds: the report of the latest successful
 * attempt of the job for an earlier logical date (so reruns and backfills
 * compare with the day before, whatever the order they run in); *report is
 * mem_alloc'ed, NULL when there is none. */
bool state_quality_baseline(StateDb *db, const char *job, const char *ds, char **report, Error *err);
/* The report of the latest attempt of (job, ds); *report NULL when none. */
bool state_quality_report(StateDb *db, const char *job, const char *ds, char **report, Error *err);
/* Call fn for attempts, newest first; job and ds filter when not NULL; limit <= 0 = all. */
bool state_list_attempts(StateDb *db, const char *job, const char *ds, int limit,
                         void (*fn)(void *ctx, const StateAttempt *a), void *ctx, Error *err);
/* Call fn for the latest attempt of each job for ds (in job name order). */
bool state_list_latest(StateDb *db, const char *ds, void (*fn)(void *ctx, const StateAttempt *a), void *ctx,
                       Error *err);

#endif
