/* fuzz_sql: libFuzzer target for the whole SQL path: job text (parameters,
 * statement splitting) -> parser -> binder -> optimizer -> executor -> the
 * command line's result printers.
 *
 *   scripts/fuzz.sh 60 sql
 *
 * Each input is the text of a job file run in a fresh session that holds a
 * small table `t` (one column of every type, NULLs included), a view `v`,
 * and two small CSV files `data.csv` and `dir/more.csv` (served from memory
 * by fuzz_memfs.h, which also catches every write, so COPY ... TO cannot
 * touch a real file).  Parameters ds and name are set.  The result goes to
 * one of the CLI's printers (table, csv, json, jsonl; picked by the input's
 * length) writing to /dev/null.  Inputs over 4 KB are refused to keep each
 * run short; the tables are tiny for the same reason.
 *
 * Checks: no crash, leak or sanitizer report; an error always has a kind
 * and a message, and its SQL position (if any) lies within the text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/error.h"
#include "fuzz_memfs.h"
#include "job/job.h"
#include "job/params.h"
#include "sql/session.h"

#define FUZZ_SQL_MAX_BYTES 4096

static const char setup_sql[] =
    "CREATE TABLE t (a integer, b text, c numeric(10,2), d date, e double precision, f boolean,"
    " g timestamp, h interval, i bigint);"
    "INSERT INTO t VALUES"
    " (1, 'one', 1.50, '2024-01-31', 0.5, true, '2024-01-31 10:00:00', '1 day 02:00:00', 10),"
    " (2, 'två', -2.25, '2000-02-29', -1e300, false, '1999-12-31 23:59:59.999999', '-3 mons', -9223372036854775808),"
    " (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
    " (3, '', 0, '1970-01-01', 'NaN', true, '1970-01-01 00:00:00', '0', 9223372036854775807);"
    "CREATE VIEW v AS SELECT a, b, c FROM t WHERE a IS NOT NULL;";

static const char data_csv[] = "id,name,amount,day\n1,ada,1.50,2024-01-01\n2,\"b,ob\",,2024-02-29\n3,cy,-0.25,\n";
static const char more_csv[] = "id;note\n1;\"multi\nline\"\n2;x\n";

static void fuzz_init(void)
{
    static bool done;
    if (done) return;
    done = true;
    memfs_install();
    memfs_put("data.csv", data_csv, sizeof data_csv - 1);
    memfs_put("dir/more.csv", more_csv, sizeof more_csv - 1);
    /* COPY ... TO STDOUT writes to stdout: keep the fuzzer's log readable. */
    if (freopen("/dev/null", "w", stdout) == NULL) abort();
}

static void check_error(const Error *err, size_t len)
{
    if (!error_failed(err) || err->message[0] == '\0') {
        fprintf(stderr, "failure without an error kind or message (kind %d)\n", (int)err->kind);
        abort();
    }
    if (err->sql_pos < -1 || (err->sql_pos >= 0 && (size_t)err->sql_pos > len)) {
        fprintf(stderr, "error position %d outside the text (%zu bytes): %s\n", err->sql_pos, len, err->message);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_SQL_MAX_BYTES) return -1; /* -1: not added to the corpus */
    fuzz_init();
    memfs_reset();

    Session *s = session_open();
    Error err = ERROR_INIT;
    if (!session_execute(s, setup_sql, NULL, &err)) {
        fprintf(stderr, "setup failed: %s\n", err.message);
        abort();
    }
    JobParams params;
    job_params_init(&params);
    if (!job_params_set(&params, "ds", "2024-11-24", &err) || !job_params_set(&params, "name", "o'h\\\"x$$", &err))
        abort();

    static const OutputFormat formats[] = {OUTPUT_TABLE, OUTPUT_CSV, OUTPUT_JSON, OUTPUT_JSONL};
    FILE *null_out = fopen("/dev/null", "w");
    if (null_out == NULL) abort();
    OutputSink *out = cli_output_open(formats[size % 4], null_out);

    Job job;
    error_clear(&err);
    if (job_load_text(&job, "<fuzz>", (const char *)data, size, &params, &err)) {
        if (!job_run(&job, s, cli_output_sink(out), NULL, &err)) {
            check_error(&err, size);
            int line, column;
            job_line_column(job.source, job.source_len, err.sql_pos < 0 ? 0 : (size_t)err.sql_pos, &line, &column);
        }
    } else {
        check_error(&err, size);
    }
    job_free(&job);
    cli_output_close(out);
    fclose(null_out);
    job_params_free(&params);
    session_close(s);
    return 0;
}
