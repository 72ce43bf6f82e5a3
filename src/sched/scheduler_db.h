/* scheduler_db: the scheduler's own tables in the project's state database
 * (.kiln/state.db, beside the runs and attempts of state.h), through a
 * connection of its own:
 *
 *   scheduler_jobs    per scheduled job: the last fire time already queued
 *                     (so a restart knows which intervals it missed)
 *   scheduler_fires   one row per (job, run key): the fire time, the logical
 *                     time, status (queued, running, success, failed,
 *                     interrupted), tries, and the pid of the process
 *                     running it; the primary key makes a second fire of the
 *                     same job and key impossible
 *   scheduler_events  the scheduler's log, one row per event
 *
 * Every write is one statement or a short BEGIN IMMEDIATE transaction (busy
 * timeout 10 s), so two processes never see half an update.
 *
 * Memory: the sqlite3 handle; sched_db_fires returns a mem_alloc'ed array. */
#ifndef KILN_SCHED_SCHEDULER_DB_H
#define KILN_SCHED_SCHEDULER_DB_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

typedef struct SchedDb SchedDb;

typedef struct SchedFire {
    char job[132];
    char key[20];
    char status[16];
    int64_t fire_at, logical_at; /* Unix seconds */
    int tries;                   /* how many times a run of it started */
    int64_t pid;                 /* of the process running it, 0 when none */
} SchedFire;

/* Open (creating the tables) the state database at path. */
bool sched_db_open(const char *path, SchedDb **out, Error *err);
/* Close it (NULL is fine). */
void sched_db_close(SchedDb *db);
/* Record an event (at: the scheduler's clock). */
bool sched_db_event(SchedDb *db, int64_t at, const char *event, const char *job, const char *key, const char *message,
                    Error *err);
/* The last fire queued for job; *found false when the job was never scheduled. */
bool sched_db_last_fire(SchedDb *db, const char *job, int64_t *last, bool *found, Error *err);
/* Set the last fire of job (without queueing anything). */
bool sched_db_set_last_fire(SchedDb *db, const char *job, int64_t last, Error *err);
/* In one transaction: queue (job, key) unless it exists, and move the job's
 * last fire to fire_at. *queued false when the pair was already there. */
bool sched_db_queue(SchedDb *db, const char *job, const char *key, int64_t fire_at, int64_t logical_at, bool *queued,
                    Error *err);
/* The fires with status (oldest fire first, then job name); *fires mem_alloc'ed. */
bool sched_db_fires(SchedDb *db, const char *status, SchedFire **fires, int *count, Error *err);
/* Set the status, tries and pid of (job, key). */
bool sched_db_update(SchedDb *db, const char *job, const char *key, const char *status, int tries, int64_t pid,
                     Error *err);

#endif
