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

typedef struct CliOptions {
    OutputFormat format;
    JobParams params;
    bool verbose;    /* per-statement status lines even when stderr is not a terminal */
    bool quiet;      /* no status lines and no progress */
    bool help;       /* --help was given */
    const char *positional[CLI_MAX_POSITIONAL];
    int npositional;
} CliOptions;

/* Parse the options of a subcommand (argv[0] is its name). Fills o (free it
 * with cli_options_free even on failure); ERR_USAGE on a bad option. */
bool cli_parse_options(int argc, char **argv, CliOptions *o, Error *err);
/* Free the parameters held by o. */
void cli_options_free(CliOptions *o);
/* Parse a format name (table, csv, json, jsonl). */
bool cli_output_format_from_name(const char *name, OutputFormat *out);

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

#endif
