/* Regression tests for bugs found by the fuzz targets (tests/fuzz/), one
 * test per bug, named after what broke.  Inputs are copied into buffers of
 * their exact length so the ASan build catches any read past the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/error.h"
#include "common/mem.h"
#include "common/strbuf.h"
#include "job/params.h"
#include "types/datetime.h"
#include "unit.h"

/* A heap copy of s without its NUL (mem_free it). */
static char *exact_copy(const char *s)
{
    size_t n = strlen(s);
    char *p = mem_alloc(n ? n : 1);
    memcpy(p, s, n);
    return p;
}

/* fuzz_cast: "-infinit" (8 bytes) made the infinity check compare 9 bytes. */
TEST(fuzz_datetime_short_minus_infinity_is_not_read_past_its_end)
{
    const char *inputs[] = {"-infinit", " -infinit", "infinit"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char *s = exact_copy(inputs[i]);
        size_t n = strlen(inputs[i]);
        Error err = ERROR_INIT;
        int32_t date;
        int64_t ts;
        CHECK(!datetime_parse_date(s, n, &date, &err));
        CHECK(strstr(err.message, "invalid input syntax for type date") != NULL);
        error_clear(&err);
        CHECK(!datetime_parse_timestamp(s, n, &ts, &err));
        CHECK(strstr(err.message, "invalid input syntax for type timestamp") != NULL);
        mem_free(s);
    }
    char *s = exact_copy("-infinity");
    Error err = ERROR_INIT;
    int32_t date;
    CHECK(!datetime_parse_date(s, 9, &date, &err));
    CHECK(strstr(err.message, "infinite dates are not supported") != NULL);
    mem_free(s);
}

/* fuzz_params: an empty job gave a text without its NUL (strbuf_reserve
 * allocated but did not terminate). */
TEST(fuzz_empty_job_text_is_nul_terminated)
{
    StrBuf sb = STRBUF_INIT;
    strbuf_reserve(&sb, 10);
    CHECK_EQ_STR(strbuf_cstr(&sb), "");
    char *taken = strbuf_take(&sb);
    CHECK_EQ_STR(taken, "");
    mem_free(taken);

    JobSql sql;
    Error err = ERROR_INIT;
    CHECK(job_sql_prepare("", 0, NULL, &sql, &err));
    CHECK_EQ_INT(sql.len, 0);
    CHECK_EQ_STR(sql.text, "");
    CHECK_EQ_INT(sql.nstatements, 0);
    job_sql_free(&sql);
}

/* fuzz_params: PostgreSQL ends B'...' and X'...' at any quote (no '' inside),
 * so a doubled quote from a value split the literal in two. */
TEST(fuzz_param_quote_inside_bit_string_is_refused)
{
    JobParams params;
    job_params_init(&params);
    Error err = ERROR_INIT;
    CHECK(job_params_set(&params, "p", "1'0", &err));
    CHECK(job_params_set(&params, "h", "0f", &err));
    JobSql sql;
    const char *bad[] = {"SELECT B'{{p}}'", "SELECT x'{{ p }}'"};
    for (int i = 0; i < 2; i++) {
        error_clear(&err);
        CHECK(!job_sql_prepare(bad[i], strlen(bad[i]), &params, &sql, &err));
        CHECK(strstr(err.message, "cannot contain a quote inside a B'...' or X'...' literal") != NULL);
        CHECK_EQ_INT(err.sql_pos, 9);
    }
    const char *good = "SELECT X'{{h}}', b'1{{h}}', '{{p}}'";
    error_clear(&err);
    CHECK(job_sql_prepare(good, strlen(good), &params, &sql, &err));
    CHECK_EQ_STR(sql.text, "SELECT X'0f', b'10f', '1''0'");
    job_sql_free(&sql);
    job_params_free(&params);
}

/* fuzz_cast: interval microseconds were summed in a double, so values past
 * 2^53 us (about 285 years of hours) came out a few microseconds off. */
TEST(fuzz_interval_input_is_exact_to_the_microsecond)
{
    struct {
        const char *text;
        int64_t micros;
    } cases[] = {
        {"999999994H5M6S", INT64_C(999999994) * 3600000000 + 5 * 60000000 + 6000000},
        {"PT999999994H5M6S", INT64_C(999999994) * 3600000000 + 5 * 60000000 + 6000000},
        {"999999994:05:06", INT64_C(999999994) * 3600000000 + 5 * 60000000 + 6000000},
        {"9007199254740993 us", INT64_C(9007199254740993)},
        {"-9007199254740993 microseconds", -INT64_C(9007199254740993)},
        {"2562047788:00:54.775807", INT64_MAX},
        {"1.5 hours", INT64_C(5400000000)},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Interval iv;
        Error err = ERROR_INIT;
        CHECK(datetime_parse_interval(cases[i].text, strlen(cases[i].text), &iv, &err));
        CHECK_EQ_INT(iv.micros, cases[i].micros);
        char buf[DATETIME_TEXT_MAX];
        size_t n = datetime_format_interval(iv, buf);
        Interval back;
        CHECK(datetime_parse_interval(buf, n, &back, &err));
        CHECK_EQ_INT(back.micros, iv.micros);
    }
    Interval iv;
    Error err = ERROR_INIT;
    CHECK(!datetime_parse_interval("2562047788:00:54.775808", 23, &iv, &err));
    CHECK(strstr(err.message, "interval field value out of range") != NULL);
}

/* fuzz_params: PostgreSQL continues a literal across a newline
 * (E'a'<newline>'b'), keeping E's backslash escapes; the job lexer ended it,
 * so a value with \' inside the continued part broke out of it. */
TEST(fuzz_param_in_continued_escape_string_stays_inside)
{
    JobParams params;
    job_params_init(&params);
    Error err = ERROR_INIT;
    CHECK(job_params_set(&params, "p", "\\'; DROP TABLE t; --", &err));
    JobSql sql;
    const char *src = "SELECT E'a'\n \t'{{p}}'; SELECT 2";
    CHECK(job_sql_prepare(src, strlen(src), &params, &sql, &err));
    CHECK_EQ_STR(sql.text, "SELECT E'a'\n \t'\\\\''; DROP TABLE t; --'; SELECT 2");
    CHECK_EQ_INT(sql.nstatements, 2);
    job_sql_free(&sql);
    /* a comment in between ends the literal (libpg_query's scanner) */
    const char *commented = "SELECT E'a'\n-- note\n'{{p}}'";
    CHECK(job_sql_prepare(commented, strlen(commented), &params, &sql, &err));
    CHECK_EQ_STR(sql.text, "SELECT E'a'\n-- note\n'\\''; DROP TABLE t; --'");
    job_sql_free(&sql);

    /* a placeholder in code there would continue the literal too */
    const char *code = "SELECT E'a'\n{{p}}";
    error_clear(&err);
    CHECK(!job_sql_prepare(code, strlen(code), &params, &sql, &err));
    CHECK(strstr(err.message, "would continue that literal") != NULL);
    CHECK_EQ_INT(err.sql_pos, 12);
    /* on one line there is no continuation: a separate literal */
    const char *same_line = "SELECT E'a' || {{p}}";
    CHECK(job_sql_prepare(same_line, strlen(same_line), &params, &sql, &err));
    CHECK_EQ_STR(sql.text, "SELECT E'a' || '\\''; DROP TABLE t; --'");
    job_sql_free(&sql);
    job_params_free(&params);
}

/* fuzz_params: PostgreSQL ends a -- comment at CR as well as LF; the job
 * lexer read on to the LF, so it saw the rest of the line as comment and got
 * every literal after it wrong (a value in code landed inside a string). */
TEST(fuzz_param_comment_ends_at_carriage_return)
{
    JobParams params;
    job_params_init(&params);
    Error err = ERROR_INIT;
    CHECK(job_params_set(&params, "p", "v", &err));
    JobSql sql;
    const char *src = "SELECT 1 -- note\rSELECT '{{p}}'; -- x'\nSELECT {{p}}";
    CHECK(job_sql_prepare(src, strlen(src), &params, &sql, &err));
    CHECK_EQ_STR(sql.text, "SELECT 1 -- note\rSELECT 'v'; -- x'\nSELECT 'v'");
    CHECK_EQ_INT(sql.nstatements, 2);
    job_sql_free(&sql);
    job_params_free(&params);
}

/* fuzz_sql: "SELECT ;" (no columns, one row) made the table printer index a
 * NULL cell array (UB: offset applied to a null pointer). */
TEST(fuzz_table_printer_takes_rows_without_columns)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    OutputSink *o = cli_output_open(OUTPUT_TABLE, f);
    ResultSink *sink = cli_output_sink(o);
    Batch b;
    batch_init(&b, 0, NULL, 0);
    b.count = 1;
    Error err = ERROR_INIT;
    CHECK(sink->begin(sink, 0, NULL, NULL, &err) && sink->batch(sink, &b, &err) && sink->end(sink, &err));
    batch_destroy(&b);
    cli_output_close(o);
    fclose(f);
    CHECK(strstr(buf, "(1 row)") != NULL);
    free(buf);
}
