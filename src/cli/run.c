/* run: `kiln run JOB.sql [--param k=v ...] [--format F]` runs a job file.
 *
 * Statements run one by one (job_run).  Standard output gets only the rows of
 * the LAST statement that returned rows, printed in the chosen format; a job
 * of only DDL/DML prints nothing there.  Because a later statement may still
 * return rows, the result of a row-returning statement that is not the last
 * statement of the job is spooled (already formatted) to an anonymous
 * temporary file in $TMPDIR and printed at the end only if no later result
 * replaces it; the last statement's rows stream straight to stdout.  Memory
 * therefore stays bounded; the spool costs disk only for mid-job SELECTs.
 *
 * On stderr: "[3/5] INSERT 0 1000  (0.12 s)" after each statement when
 * stderr is a terminal or with --verbose (never with --quiet), and the
 * progress line while a statement runs long on a terminal. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/mem.h"

/* Routes each row-returning statement's result to a spool or stdout. */
typedef struct RunOutput {
    ResultSink sink;     /* first member */
    OutputFormat format;
    const Job *job;
    int current;         /* index of the running statement */
    OutputSink *active;  /* printer of the current result */
    FILE *active_file;   /* its spool, NULL when it prints to stdout */
    FILE *kept;          /* spool of the latest complete result not yet printed */
    bool stdout_used;    /* a result went straight to stdout */
} RunOutput;

static void run_output_drop_active(RunOutput *r)
{
    cli_output_close(r->active);
    r->active = NULL;
    if (r->active_file) fclose(r->active_file);
    r->active_file = NULL;
}

/* An anonymous temporary file in $TMPDIR (or /tmp), gone when closed. */
static FILE *open_spool(Error *err)
{
    const char *dir = getenv("TMPDIR");
    if (dir == NULL || dir[0] == '\0') dir = "/tmp";
    char path[4096];
    snprintf(path, sizeof path, "%s/kiln-result-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0) {
        error_set(err, ERR_IO, "could not create a temporary file in \"%s\" for a result: %s", dir, strerror(errno));
        return NULL;
    }
    unlink(path);
    FILE *f = fdopen(fd, "w+");
    if (f == NULL) {
        error_set(err, ERR_IO, "could not open a temporary file for a result: %s", strerror(errno));
        close(fd);
    }
    return f;
}

static bool run_begin(ResultSink *sink, int ncols, char *const *names, const LogicalType *types, Error *err)
{
    RunOutput *r = (RunOutput *)sink;
    run_output_drop_active(r);
    bool last_statement = r->current == job_statement_count(r->job) - 1;
    FILE *out = stdout;
    if (!last_statement) {
        out = open_spool(err);
        if (out == NULL) return false;
        r->active_file = out;
    }
    r->active = cli_output_open(r->format, out);
    return cli_output_sink(r->active)->begin(cli_output_sink(r->active), ncols, names, types, err);
}

static bool run_batch(ResultSink *sink, const Batch *batch, Error *err)
{
    RunOutput *r = (RunOutput *)sink;
    if (r->active == NULL) return error_set(err, ERR_INTERNAL, "rows arrived before the result began");
    return cli_output_sink(r->active)->batch(cli_output_sink(r->active), batch, err);
}

static bool run_end(ResultSink *sink, Error *err)
{
    RunOutput *r = (RunOutput *)sink;
    if (r->active == NULL) return error_set(err, ERR_INTERNAL, "a result ended before it began");
    if (!cli_output_sink(r->active)->end(cli_output_sink(r->active), err)) return false;
    /* This result replaces any earlier one. */
    if (r->kept) fclose(r->kept);
    r->kept = r->active_file;
    if (r->active_file == NULL) r->stdout_used = true;
    r->active_file = NULL;
    cli_output_close(r->active);
    r->active = NULL;
    return true;
}

/* Copy the kept spool to stdout. */
static bool run_output_finish(RunOutput *r, Error *err)
{
    if (r->kept == NULL) return true;
    rewind(r->kept);
    char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, r->kept)) > 0) {
        if (fwrite(buf, 1, n, stdout) != n) {
            return error_set(err, ERR_IO, "could not write output: %s", strerror(errno));
        }
    }
    if (ferror(r->kept)) return error_set(err, ERR_IO, "could not read a spooled result: %s", strerror(errno));
    return true;
}

typedef struct RunHooks {
    RunOutput *output;
    bool status_lines;
    Session *session; /* for what a statement wrote (session_last_detail) */
} RunHooks;

static void hook_start(void *ctx, const Job *job, int index)
{
    RunHooks *h = ctx;
    h->output->current = index;
    cli_progress_statement_start();
}

static void hook_end(void *ctx, const Job *job, int index, bool ok, const char *status, double seconds)
{
    RunHooks *h = ctx;
    cli_progress_statement_end();
    if (h->status_lines && ok) {
        fprintf(stderr, "[%d/%d] %s  (%.2f s)\n", index + 1, job_statement_count(job),
                status && status[0] ? status : "OK", seconds);
        const char *detail = h->session ? session_last_detail(h->session) : "";
        if (detail[0]) fprintf(stderr, "      %s\n", detail);
    }
}

/* A job's default name: its file name without directories and ".sql". */
static char *job_name_from_path(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".sql") == 0) n -= 4;
    return mem_strndup(base, n);
}

int cli_cmd_run(int argc, char **argv)
{
    /* `kiln run --all --ds DATE` and friends run a project (run_project.c) */
    if (cli_run_is_project_run(argc, argv)) return cli_cmd_run_project(argc, argv);
    CliOptions opts;
    Error err = ERROR_INIT;
    if (!cli_parse_options(argc, argv, &opts, &err)) {
        cli_options_free(&opts);
        return cli_usage_error("run", "%s", err.message);
    }
    if (opts.help) {
        cli_options_free(&opts);
        cli_print_usage(stdout, "run");
        return EXIT_OK;
    }
    if (opts.npositional != 1) {
        cli_options_free(&opts);
        return cli_usage_error("run", opts.npositional == 0 ? "missing job file" : "too many arguments");
    }
    const char *path = opts.positional[0];
    Job job;
    if (!job_load_file(&job, path, &opts.params, &err)) {
        cli_report_error(&err, job.source, job.source_len);
        job_free(&job);
        cli_options_free(&opts);
        return error_exit_code(&err);
    }

    Session *session = session_open();
    if (session == NULL) {
        error_set(&err, ERR_INTERNAL, "could not open a session");
        cli_report_error(&err, NULL, 0);
        job_free(&job);
        cli_options_free(&opts);
        return error_exit_code(&err);
    }
    char *job_name = job_name_from_path(path);
    bool applied = cli_apply_session_options(session, &opts, job_name, &err);
    if (applied && opts.baseline_path) applied = cli_quality_load_baseline(session, opts.baseline_path, &err);
    mem_free(job_name);
    if (!applied) {
        cli_report_error(&err, NULL, 0);
        session_close(session);
        job_free(&job);
        cli_options_free(&opts);
        return error_exit_code(&err);
    }
    bool tty = isatty(STDERR_FILENO) != 0;
    cli_progress_enable(!opts.quiet);
    session_set_progress(session, cli_progress_update, NULL);

    RunOutput output = {.sink = {run_begin, run_batch, run_end}, .format = opts.format, .job = &job};
    RunHooks hook_state = {.output = &output, .status_lines = !opts.quiet && (tty || opts.verbose), .session = session};
    JobHooks hooks = {.ctx = &hook_state, .statement_start = hook_start, .statement_end = hook_end};

    bool ok = job_run(&job, session, &output.sink, &hooks, &err);
    if (ok) ok = run_output_finish(&output, &err);
    if (ok && fflush(stdout) != 0) ok = error_set(&err, ERR_IO, "could not write output: %s", strerror(errno));
    if (!ok) {
        cli_report_error(&err, job.source, job.source_len);
        if (job.failed_statement >= 0 && err.sql_pos < 0 && err.file[0] == '\0') {
            int line, column;
            job_line_column(job.source, job.source_len, job_statement_offset(&job, job.failed_statement), &line,
                            &column);
            fprintf(stderr, "kiln: in statement %d of %d of %s (line %d)\n", job.failed_statement + 1,
                    job_statement_count(&job), path, line);
        }
    }
    Error report_err = ERROR_INIT;
    if (!cli_quality_finish(session, opts.report_path, opts.quiet, &report_err)) {
        cli_report_error(&report_err, NULL, 0);
        if (ok) err = report_err;
        ok = false;
    }
    run_output_drop_active(&output);
    if (output.kept) fclose(output.kept);
    cli_progress_enable(false);
    session_close(session);
    job_free(&job);
    cli_options_free(&opts);
    return ok ? EXIT_OK : error_exit_code(&err);
}
