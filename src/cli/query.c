/* query: `kiln query [--format F] [--param k=v] SQL` runs one or more
 * statements in a fresh session (session_execute_last) and prints the
 * result of the last one, streaming, in the chosen format.  SQL "-" reads
 * the text from standard input.  When the last statement returns no rows,
 * the table format prints its command tag ("CREATE TABLE") like psql does;
 * csv, json and jsonl print nothing. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/strbuf.h"

/* Read all of standard input into sb. */
static bool read_stdin(StrBuf *sb, Error *err)
{
    char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) strbuf_append(sb, buf, n);
    if (ferror(stdin)) return error_set(err, ERR_IO, "could not read standard input: %s", strerror(errno));
    return true;
}

int cli_cmd_query(int argc, char **argv)
{
    CliOptions opts;
    Error err = ERROR_INIT;
    if (!cli_parse_options(argc, argv, &opts, &err)) {
        cli_options_free(&opts);
        return cli_usage_error("query", "%s", err.message);
    }
    if (opts.help) {
        cli_options_free(&opts);
        cli_print_usage(stdout, "query");
        return EXIT_OK;
    }
    if (opts.npositional != 1) {
        cli_options_free(&opts);
        return cli_usage_error("query", opts.npositional == 0 ? "missing SQL text"
                                                              : "too many arguments (quote the SQL as one argument)");
    }
    const char *sql = opts.positional[0];
    StrBuf input = STRBUF_INIT;
    bool from_stdin = strcmp(sql, "-") == 0;
    if (from_stdin) {
        if (!read_stdin(&input, &err)) {
            cli_report_error(&err, NULL, 0);
            strbuf_free(&input);
            cli_options_free(&opts);
            return error_exit_code(&err);
        }
        sql = strbuf_cstr(&input);
    }
    size_t sql_len = from_stdin ? input.len : strlen(sql);

    Job job;
    if (!job_load_text(&job, from_stdin ? "<stdin>" : "<query>", sql, sql_len, &opts.params, &err)) {
        cli_report_error(&err, job.source, job.source_len);
        job_free(&job);
        strbuf_free(&input);
        cli_options_free(&opts);
        return error_exit_code(&err);
    }
    strbuf_free(&input);

    Session *session = session_open();
    if (session == NULL) {
        error_set(&err, ERR_INTERNAL, "could not open a session");
        cli_report_error(&err, NULL, 0);
        job_free(&job);
        cli_options_free(&opts);
        return error_exit_code(&err);
    }
    if (!cli_apply_session_options(session, &opts, NULL, &err)) {
        cli_report_error(&err, NULL, 0);
        session_close(session);
        job_free(&job);
        cli_options_free(&opts);
        return error_exit_code(&err);
    }
    cli_progress_enable(!opts.quiet);
    session_set_progress(session, cli_progress_update, NULL);

    OutputSink *output = cli_output_open(opts.format, stdout);
    bool ok = true;
    if (job_statement_count(&job) > 0) {
        cli_progress_statement_start();
        ok = session_execute_last(session, job.sql.text, cli_output_sink(output), &err);
        cli_progress_statement_end();
        if (!ok && !error_failed(&err)) error_set(&err, ERR_INTERNAL, "statement failed without an error message");
        if (!ok) job_map_error_position(&job, 0, &err);
        if (ok && !cli_output_started(output) && opts.format == OUTPUT_TABLE) {
            const char *status = session_last_status(session);
            if (status && status[0]) printf("%s\n", status);
        }
        /* what a COPY into a dataset wrote, as kiln run's status lines show it */
        const char *detail = session_last_detail(session);
        if (ok && detail[0] && !opts.quiet && (opts.verbose || isatty(STDERR_FILENO))) fprintf(stderr, "%s\n", detail);
    }
    if (ok && fflush(stdout) != 0) ok = error_set(&err, ERR_IO, "could not write output: %s", strerror(errno));
    if (!ok) cli_report_error(&err, job.source, job.source_len);
    cli_output_close(output);
    cli_progress_enable(false);
    session_close(session);
    job_free(&job);
    cli_options_free(&opts);
    return ok ? EXIT_OK : error_exit_code(&err);
}
