/* project: the project file kiln.yaml, parsed with libyaml.
 *
 *   name: shop                      # default: the folder's name
 *   lake: ./lake                    # lake root (default ./lake)
 *   warehouse: sqlite:./warehouse.db   (the default)
 *   defaults: {retries: 0, retry_delay: 60s, retry_backoff: 2, timeout: 0}
 *   connections: {...}              # kept as given (name -> key: value)
 *   jobs:
 *     orders:                       # or a list of mappings with "name:"
 *       sql: jobs/orders.sql        # default jobs/<name>.sql; relative to kiln.yaml
 *       depends_on: [customers]     # a name or a list
 *       params: {region: eu, path: "raw/{{ ds_nodash }}.csv"}
 *       schedule: "0 3 * * *"       # cron (cron.h)
 *       retries: 2
 *       retry_delay: 30s            # number = seconds, or 500ms, 30s, 5m, 2h
 *       retry_backoff: 2            # each retry waits delay * backoff^(n-1)
 *       timeout: 10m                # 0 = none
 *       tags: [daily, finance]
 *       timezone: Europe/Paris      # the schedule's zone (default: the project's)
 *       catchup: false              # (default: the project's)
 *   timezone: UTC                   # time zone of schedules (the scheduler)
 *   catchup: true                   # run intervals missed while the scheduler was down
 *   max_catchup: 100                # at most this many per job
 *   infer_dependencies: true        # depend on the jobs that write what a job reads
 *
 * Every error names the file, line and column and the key ("kiln.yaml:7:14:
 * jobs.orders.retries: expected a whole number >= 0").  Unknown keys are
 * errors, so a typo never silently drops a setting.  Dependencies on jobs
 * that do not exist are errors too (checked here; cycles are dag.h's).
 *
 * Memory: one Arena per Project holds every string and array. */
#ifndef KILN_SCHED_PROJECT_H
#define KILN_SCHED_PROJECT_H

#include <stdbool.h>

#include "common/arena.h"
#include "common/error.h"
#include "sched/cron.h"

typedef struct ProjectKeyValue {
    const char *key;
    const char *value;
} ProjectKeyValue;

typedef struct ProjectConnection {
    const char *name;
    ProjectKeyValue *settings;
    int nsettings;
} ProjectConnection;

typedef struct RetryPolicy {
    int retries;          /* extra attempts after the first */
    double retry_delay;   /* seconds before the first retry */
    double retry_backoff; /* factor applied to the delay for each further retry */
    double timeout;       /* seconds per attempt, 0 = none */
} RetryPolicy;

typedef struct ProjectJob {
    const char *name;
    const char *sql;         /* as written (relative to the project folder unless absolute) */
    const char **depends_on; /* names of upstream jobs */
    int ndepends;
    ProjectKeyValue *params; /* values may hold {{ ds }} etc. (sched_expand_template) */
    int nparams;
    const char *schedule;    /* cron text, NULL when unscheduled */
    CronExpr cron;
    RetryPolicy policy;
    const char **tags;
    int ntags;
    const char *timezone;    /* the schedule's time zone, NULL = the project's */
    int catchup;             /* scheduler catch-up: 1 yes, 0 no, -1 the project's */
    int line;                /* where the job is declared */
} ProjectJob;

typedef struct Project {
    Arena arena;
    const char *path;  /* the kiln.yaml given */
    const char *dir;   /* its folder: SQL files, .kiln/ and relative paths live here */
    const char *name;
    const char *lake;
    const char *warehouse;
    RetryPolicy defaults;
    ProjectConnection *connections;
    int nconnections;
    ProjectJob *jobs;  /* in file order */
    int njobs;
    /* the scheduler (sched/scheduler.h) and the DAG's dataset inference (sched/dag_infer.h) */
    const char *timezone;    /* time zone of the schedules (default UTC) */
    bool catchup;            /* run the intervals missed while the scheduler was down (default true) */
    int max_catchup;         /* at most this many of them per job (default 100) */
    bool infer_dependencies; /* add the dependencies read from the jobs' datasets (default true) */
} Project;

/* Parse the project file at path into p (free it with project_free even on
 * failure). ERR_IO when it cannot be read, ERR_USAGE for its contents. */
bool project_load(Project *p, const char *path, Error *err);
/* Parse YAML text (for tests); path names it in errors. */
bool project_load_text(Project *p, const char *path, const char *text, size_t len, Error *err);
/* Index of the job called name, or -1. */
int project_find_job(const Project *p, const char *name);
/* True if job j carries tag. */
bool project_job_has_tag(const ProjectJob *j, const char *tag);
/* Parse a duration: a number of seconds, or a number with ms, s, m, h or d. */
bool project_parse_duration(const char *text, double *seconds);
/* Free everything p holds. */
void project_free(Project *p);

#endif
