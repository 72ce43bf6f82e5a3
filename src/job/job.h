/* job: one job, i.e. one SQL file run statement by statement in a session.
 *
 * A job is loaded (file read, {{ name }} parameters substituted, statements
 * split; see params.h) and then run: each statement goes to session_execute
 * on its own, so the caller can report progress per statement.  Rows of
 * row-returning statements go to the caller's ResultSink.  The first failing
 * statement stops the job; its error's sql_pos is translated to an offset in
 * the ORIGINAL text (before substitution), so line and column point into the
 * file the user wrote.  Both cli/ (kiln run, kiln query) and sched/ use this. */
#ifndef KILN_JOB_JOB_H
#define KILN_JOB_JOB_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "job/params.h"
#include "sql/session.h"

typedef struct Job {
    char *name;        /* file path, or a label such as "<query>" */
    char *source;      /* original text (NUL-terminated) */
    size_t source_len;
    JobSql sql;        /* substituted text and statements */
    int failed_statement; /* index of the statement that failed, -1 if none */
} Job;

/* Called around each statement (any hook may be NULL). */
typedef struct JobHooks {
    void *ctx;
    /* Before statement index (0-based) of job->sql.nstatements starts. */
    void (*statement_start)(void *ctx, const Job *job, int index);
    /* After it ended; status is its command tag ("INSERT 0 5") when ok. */
    void (*statement_end)(void *ctx, const Job *job, int index, bool ok, const char *status, double seconds);
} JobHooks;

/* Read the job file at path and prepare it with params (NULL = none).
 * ERR_IO when it cannot be read; ERR_SQL for an unknown parameter (sql_pos
 * is an offset into the file). On failure job is still safe to job_free. */
bool job_load_file(Job *job, const char *path, const JobParams *params, Error *err);
/* Prepare SQL text (copied) as a job called name. Same errors as job_load_file. */
bool job_load_text(Job *job, const char *name, const char *text, size_t len, const JobParams *params, Error *err);
/* Number of statements (comment-only pieces are not statements). */
static inline int job_statement_count(const Job *job) { return job->sql.nstatements; }
/* Offset in the original text where statement index begins. */
size_t job_statement_offset(const Job *job, int index);
/* Run every statement in order in s; rows of row-returning statements go to
 * sink (may be NULL). Stops at the first error: err->sql_pos (if any) is then
 * an offset into job->source and job->failed_statement says which one. */
bool job_run(Job *job, Session *s, ResultSink *sink, const JobHooks *hooks, Error *err);
/* Map an error position reported for job->sql.text (the whole substituted
 * text) to an offset into job->source; leaves -1 alone. */
void job_map_error_position(const Job *job, size_t base, Error *err);
/* Free what the job holds (a zeroed or failed Job is fine). */
void job_free(Job *job);

/* 1-based line and column (in characters, a tab counts one) of the byte at
 * offset in text[0, len) (offset past the end counts as the end). */
void job_line_column(const char *text, size_t len, size_t offset, int *line, int *column);

#endif
