/* cli: the kiln command line.  One file per subcommand (run.c, query.c,
 * version.c, help.c) plus the parts they share: option parsing (options.c),
 * result printing (output.c), error reports (report.c) and the progress
 * line (progress.c).  src/main.c dispatches argv[1] to a cli_cmd_* function.
 *
 * Every command returns the process exit code: 0 ok, 1 internal error,
 * 2 usage, 3 SQL error, 4 data error, 5 I/O error (error_exit_code). */
#ifndef KILN_CLI_CLI_H
#define KILN_CLI_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"
#include "job/job.h"
#include "job/params.h"
#include "sql/session.h"

/* ---- commands (argv[0] is the subcommand's name) ---- */

/* kiln run JOB.sql [options]: run a job file. */
int cli_cmd_run(int argc, char **argv);
/* kiln query [options] SQL: run statements, print the last result. */
int cli_cmd_query(int argc, char **argv);
/* kiln version: print kiln's and the SQL parser's versions. */
int cli_cmd_version(int argc, char **argv);
/* kiln help [COMMAND]: print usage. */
int cli_cmd_help(int argc, char **argv);

/* Print the usage text of command (NULL = the overview) to out. Returns
 * false for an unknown command. */
bool cli_print_usage(FILE *out, const char *command);
/* Report a usage error ("kiln: message" and a hint) on stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- options shared by run and query ---- */

typedef enum OutputFormat {
    OUTPUT_TABLE = 0, /* aligned table like psql's */
    OUTPUT_CSV,       /* PostgreSQL CSV with a header line */
    OUTPUT_JSON,      /* one JSON array of row objects */
    OUTPUT_JSONL,     /* one JSON object per line */
} OutputFormat;

#define CLI_MAX_POSITIONAL 8
#define CLI_MAX_SETS 32

typedef struct CliOptions {
    OutputFormat format;
    JobParams params;
    bool verbose;    /* per-statement status lines even when stderr is not a terminal */
    bool quiet;      /* no status lines and no progress */
    bool help;       /* --help was given */
    const char *positional[CLI_MAX_POSITIONAL];
    int npositional;
    const char *sets[CLI_MAX_SETS]; /* --set NAME=VALUE, applied as SET before the statements */
    int nsets;
    const char *job_name;           /* --job NAME: the run's job name (default: the file's name) */
    const char *report_path;        /* --report FILE: write the run's quality report (JSON) there */
    const char *baseline_path;      /* --baseline FILE: an earlier quality report for the checks to compare with */
} CliOptions;

/* Parse the options of a subcommand (argv[0] is its name). Fills o (free it
 * with cli_options_free even on failure); ERR_USAGE on a bad option. */
bool cli_parse_options(int argc, char **argv, CliOptions *o, Error *err);
/* Free the parameters held by o. */
void cli_options_free(CliOptions *o);
/* Apply --set options to the session's settings and record the run context
 * (job name: --job, else default_job; parameters; logical date = the ds
 * parameter). ERR_USAGE on a bad --set. */
bool cli_apply_session_options(Session *s, const CliOptions *o, const char *default_job, Error *err);
/* Parse a format name (table, csv, json, jsonl). */
bool cli_output_format_from_name(const char *name, OutputFormat *out);

/* ---- the quality report of a run (run_quality.c) ---- */

/* Load --baseline FILE (an earlier run's report) into the session's quality
 * report; ERR_IO / ERR_DATA naming the file. */
bool cli_quality_load_baseline(Session *s, const char *path, Error *err);
/* At the end of a run (also a failed one): print the quality summary on
 * stderr unless quiet, and write the JSON report to path (NULL = none). */
bool cli_quality_finish(Session *s, const char *path, bool quiet, Error *err);

/* ---- result printing (output.c) ---- */

/* A ResultSink that prints rows to a FILE in one of the output formats,
 * streaming: csv/json/jsonl write each batch as it comes; table keeps at
 * most CLI_TABLE_CHUNK_ROWS rows to size its columns, then prints them and
 * goes on in chunks of that size (a column may widen between chunks). */
typedef struct OutputSink OutputSink;

#define CLI_TABLE_CHUNK_ROWS 10000

/* Open a printer of format to out (out stays the caller's). */
OutputSink *cli_output_open(OutputFormat format, FILE *out);
/* The ResultSink to pass to the session. */
ResultSink *cli_output_sink(OutputSink *o);
/* True once a result began (the statement returned rows). */
bool cli_output_started(const OutputSink *o);
/* True once the result's end was written. */
bool cli_output_finished(const OutputSink *o);
/* Free the printer (does not close its FILE). */
void cli_output_close(OutputSink *o);

/* Append the JSON string literal of s[0, n) to out: control characters
 * escaped, invalid UTF-8 replaced by \ufffd. */
void cli_json_append_string(StrBuf *out, const char *s, size_t n);
/* Append text made printable on one table line (\n, \t, control characters
 * escaped, invalid UTF-8 replaced by U+FFFD); returns its display width. */
size_t cli_table_append_cell(StrBuf *out, const char *s, size_t n);

/* ---- error reports (report.c) ---- */

/* Print err on stderr: "kiln: SQL error at line L, column C: message" with
 * the offending line of sql (may be NULL) and a caret under the column;
 * "kiln: FILE:LINE:COLUMN: message" for data errors with a file;
 * "kiln: <kind>: message" otherwise. */
void cli_report_error(const Error *err, const char *sql, size_t sql_len);

/* ---- progress line on stderr (progress.c) ---- */

/* Switch the progress line on (only ever shown when stderr is a terminal). */
void cli_progress_enable(bool on);
/* A statement starts: reset the counters and the clock. */
void cli_progress_statement_start(void);
/* A statement ended: erase the line if it was drawn. */
void cli_progress_statement_end(void);
/* Erase the line now (before printing other text to the terminal). */
void cli_progress_clear(void);
/* The session's progress callback (see session_set_progress); cheap. */
void cli_progress_update(void *ctx, uint64_t bytes_done, uint64_t bytes_total, uint64_t rows);
/* Format "1.5 GiB" style sizes into buf (exposed for tests). */
const char *cli_format_bytes(uint64_t bytes, char *buf, size_t buflen);

/* ---- project commands: kiln.yaml, DAG, runs, backfill, state (orchestrate.c) ---- */

#include "sched/dag.h"
#include "sched/project.h"
#include "sched/state.h"

/* Exit codes of the project commands beyond error_exit_code's. */
#define EXIT_JOBS_FAILED 6   /* a job failed, or was not run because an upstream job failed */
#define EXIT_INTERRUPTED 130 /* stopped by SIGINT or SIGTERM */

/* kiln run --all|--jobs|--tags --ds DATE: run jobs of the project (run_project.c). */
int cli_cmd_run_project(int argc, char **argv);
/* True when `kiln run` arguments ask for a project run rather than one file. */
bool cli_run_is_project_run(int argc, char **argv);
/* kiln backfill --from D1 --to D2: run the DAG for each date. */
int cli_cmd_backfill(int argc, char **argv);
/* kiln dag: print the job graph. */
int cli_cmd_dag(int argc, char **argv);
/* kiln history: attempts recorded in the state database. */
int cli_cmd_history(int argc, char **argv);
/* kiln status --ds DATE: the latest state of each job for a date. */
int cli_cmd_status(int argc, char **argv);
/* kiln scheduler: the scheduler service (scheduler.c). */
int cli_cmd_scheduler(int argc, char **argv);

typedef struct OrchOptions {
    const char *project; /* --project, default kiln.yaml */
    const char *ds, *from, *to, *jobs, *tags, *job;
    const char *format;  /* dag: text or dot */
    int parallel;        /* default 4 */
    int parallel_dates;  /* backfill: dates at once, default 1 */
    int limit;           /* history: 0 = default */
    bool all, with_upstream, with_downstream, rerun, json, quiet, help;
} OrchOptions;

/* Parse options; allowed is a comma list of the option names (without
 * dashes) this command takes. ERR_USAGE otherwise. */
bool cli_orch_parse(int argc, char **argv, const char *allowed, OrchOptions *o, Error *err);
/* Load o->project and build its DAG; on failure both are already freed. */
bool cli_orch_load(const OrchOptions *o, Project *p, Dag *dag, Error *err);
/* Fill selected[njobs] from --all, --jobs, --tags and the closures. */
bool cli_orch_select(const OrchOptions *o, const Project *p, const Dag *dag, bool *selected, Error *err);
/* Open the project's state database (.kiln/state.db beside kiln.yaml). */
bool cli_orch_open_state(const Project *p, StateDb **state, Error *err);
/* Run the selected jobs for each date from..to (days), print a summary per
 * date on stdout and progress on stderr; returns the exit code. */
int cli_orch_run_dates(const OrchOptions *o, const Project *p, const Dag *dag, const bool *selected, int64_t from,
                       int64_t to, const char *kind, bool skip_succeeded, const char *args);

#endif
