/* job: load a job (read, substitute parameters, split statements) and run
 * it statement by statement through the session (see job.h).
 *
 * Memory: the original text and the substituted text are both kept for the
 * job's lifetime (errors map positions from one to the other); each
 * statement is copied into a NUL-terminated buffer only while it runs. */
#include "job/job.h"

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "common/mem.h"
#include "io/fs.h"

/* Job files are SQL written by people; anything this large is a mistake. */
#define JOB_FILE_MAX_BYTES ((uint64_t)256 << 20)

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool job_load_text(Job *job, const char *name, const char *text, size_t len, const JobParams *params, Error *err)
{
    memset(job, 0, sizeof *job);
    job->failed_statement = -1;
    job->name = mem_strdup(name);
    job->source = mem_strndup(text, len);
    job->source_len = len;
    const char *nul = memchr(text, '\0', len);
    if (nul != NULL) {
        /* The session takes C strings: a NUL would silently cut the job short. */
        return error_set_at(err, ERR_SQL, (int)(nul - text), "invalid byte sequence for encoding \"UTF8\": 0x00");
    }
    return job_sql_prepare(job->source, len, params, &job->sql, err);
}

bool job_load_file(Job *job, const char *path, const JobParams *params, Error *err)
{
    memset(job, 0, sizeof *job);
    job->failed_statement = -1;
    FsFile *f = fs_open_read(path, err);
    if (f == NULL) return false;
    uint64_t size = fs_file_size_of(f);
    if (size > JOB_FILE_MAX_BYTES) {
        fs_close(f);
        return error_set(err, ERR_IO, "job file \"%s\" is too large (%llu bytes)", path, (unsigned long long)size);
    }
    char *buf = mem_alloc((size_t)size + 1);
    size_t got = 0;
    bool ok = fs_pread(f, buf, (size_t)size, 0, &got, err);
    fs_close(f);
    if (!ok) {
        mem_free(buf);
        return false;
    }
    ok = job_load_text(job, path, buf, got, params, err);
    mem_free(buf);
    return ok;
}

size_t job_statement_offset(const Job *job, int index)
{
    if (index < 0 || index >= job->sql.nstatements) return 0;
    return job_sql_original_offset(&job->sql, job->sql.statements[index].start);
}

void job_map_error_position(const Job *job, size_t base, Error *err)
{
    if (err->sql_pos < 0) return;
    size_t offset = base + (size_t)err->sql_pos;
    if (offset > job->sql.len) offset = job->sql.len;
    size_t original = job_sql_original_offset(&job->sql, offset);
    if (original > job->source_len) original = job->source_len;
    err->sql_pos = (int)original;
}

bool job_run(Job *job, Session *s, ResultSink *sink, const JobHooks *hooks, Error *err)
{
    job->failed_statement = -1;
    for (int i = 0; i < job->sql.nstatements; i++) {
        const JobSqlStatement *st = &job->sql.statements[i];
        char *text = mem_strndup(job->sql.text + st->start, st->end - st->start);
        if (hooks && hooks->statement_start) hooks->statement_start(hooks->ctx, job, i);
        double started = seconds_now();
        bool ok = session_execute(s, text, sink, err);
        double elapsed = seconds_now() - started;
        mem_free(text);
        if (hooks && hooks->statement_end) {
            hooks->statement_end(hooks->ctx, job, i, ok, ok ? session_last_status(s) : "", elapsed);
        }
        if (!ok) {
            if (!error_failed(err)) error_set(err, ERR_INTERNAL, "statement failed without an error message");
            job->failed_statement = i;
            job_map_error_position(job, st->start, err);
            return false;
        }
    }
    return true;
}

void job_free(Job *job)
{
    mem_free(job->name);
    mem_free(job->source);
    job_sql_free(&job->sql);
    memset(job, 0, sizeof *job);
    job->failed_statement = -1;
}

void job_line_column(const char *text, size_t len, size_t offset, int *line, int *column)
{
    if (offset > len) offset = len;
    int ln = 1, col = 1;
    for (size_t i = 0; i < offset; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n') {
            ln++;
            col = 1;
        } else if ((c & 0xC0) != 0x80) {
            /* count characters, not UTF-8 continuation bytes */
            col++;
        }
    }
    *line = ln;
    *column = col;
}
