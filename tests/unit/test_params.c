/* Unit tests of job parameters: {{ name }} substitution in every lexical
 * context, injection safety (checked with PostgreSQL's own parser), error
 * positions, the position map and statement splitting. */
#include <pg_query.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "job/job.h"
#include "job/params.h"
#include "unit.h"

/* Substitute src with the given name/value pairs; returns the new text
 * (mem_free it) or NULL with err filled. */
static char *subst(const char *src, Error *err, int npairs, ...)
{
    JobParams params;
    job_params_init(&params);
    va_list ap;
    va_start(ap, npairs);
    for (int i = 0; i < npairs; i++) {
        const char *name = va_arg(ap, const char *);
        const char *value = va_arg(ap, const char *);
        job_params_set(&params, name, value, err);
    }
    va_end(ap);
    JobSql sql;
    char *out = NULL;
    if (job_sql_prepare(src, strlen(src), &params, &sql, err)) {
        out = mem_strdup(sql.text);
        job_sql_free(&sql);
    }
    job_params_free(&params);
    return out;
}

static void check_subst(const char *src, const char *name, const char *value, const char *expected)
{
    Error err = ERROR_INIT;
    char *out = subst(src, &err, 1, name, value);
    CHECK_EQ_STR(out, expected);
    mem_free(out);
}

/* The number of statements PostgreSQL's parser finds in sql and whether it
 * parsed at all; with one SELECT of one constant, *constants is 1. */
static int pg_statement_count(const char *sql, int *constants)
{
    PgQueryParseResult r = pg_query_parse(sql);
    int count = -1;
    *constants = 0;
    if (r.error == NULL) {
        count = 0;
        for (const char *p = r.parse_tree; (p = strstr(p, "\"stmt\":")) != NULL; p++) count++;
        for (const char *p = r.parse_tree; (p = strstr(p, "\"A_Const\"")) != NULL; p++) (*constants)++;
    }
    pg_query_free_parse_result(r);
    return count;
}

TEST(params_in_code_become_literals)
{
    check_subst("SELECT {{ ds }}", "ds", "2024-01-31", "SELECT '2024-01-31'");
    check_subst("SELECT {{ds}}", "ds", "x", "SELECT 'x'");
    check_subst("SELECT {{  ds\t}}::date", "ds", "2024-01-31", "SELECT '2024-01-31'::date");
    check_subst("SELECT DATE {{ ds }}", "ds", "2024-01-31", "SELECT DATE '2024-01-31'");
    check_subst("SELECT {{ v }}", "v", "O'Brien", "SELECT 'O''Brien'");
    check_subst("SELECT {{ v }}", "v", "", "SELECT ''");
}

TEST(params_inside_string_literals_double_quotes)
{
    check_subst("SELECT 'dt={{ ds }}/x.csv'", "ds", "2024-01-31", "SELECT 'dt=2024-01-31/x.csv'");
    check_subst("SELECT 'a''{{v}}'", "v", "it's", "SELECT 'a''it''s'");
    /* standard strings: a backslash is an ordinary character */
    check_subst("SELECT '{{v}}'", "v", "a\\b", "SELECT 'a\\b'");
    check_subst("SELECT N'{{v}}'", "v", "'", "SELECT N''''");
}

TEST(params_inside_escape_strings_double_backslashes)
{
    check_subst("SELECT E'{{v}}'", "v", "\\'", "SELECT E'\\\\'''");
    check_subst("SELECT e'x{{v}}'", "v", "\\", "SELECT e'x\\\\'");
    /* an escaped brace is not a placeholder */
    check_subst("SELECT E'\\{{v}}'", "v", "zzz", "SELECT E'\\{{v}}'");
    check_subst("SELECT U&'{{v}}'", "v", "\\0041'", "SELECT U&'\\\\0041'''");
}

TEST(params_inside_identifiers_double_double_quotes)
{
    check_subst("SELECT 1 AS \"{{c}}\"", "c", "a\"b", "SELECT 1 AS \"a\"\"b\"");
    check_subst("SELECT * FROM \"t_{{ds}}\"", "ds", "x'y", "SELECT * FROM \"t_x'y\"");
}

TEST(params_inside_dollar_quotes)
{
    check_subst("SELECT $$a {{v}} b$$", "v", "it's", "SELECT $$a it's b$$");
    check_subst("SELECT $fn$ {{v}} $fn$", "v", "$$", "SELECT $fn$ $$ $fn$");
    Error err = ERROR_INIT;
    char *out = subst("SELECT $$ {{ v }} $$", &err, 1, "v", "$$; DROP TABLE t; --");
    CHECK(out == NULL);
    CHECK_EQ_INT(err.kind, ERR_SQL);
    CHECK_EQ_INT(err.sql_pos, 10);
    mem_free(out);
    /* a value ending in part of the delimiter that the text completes */
    error_clear(&err);
    out = subst("SELECT $ab$x{{v}}b$ yy$ab$", &err, 1, "v", "$a");
    CHECK(out == NULL);
    CHECK_EQ_INT(err.kind, ERR_SQL);
    mem_free(out);
    /* unterminated dollar quote: the value must not close it */
    error_clear(&err);
    out = subst("SELECT $$ {{v}}", &err, 1, "v", "$$ DROP");
    CHECK(out == NULL);
    mem_free(out);
}

TEST(params_in_comments_are_left_alone)
{
    Error err = ERROR_INIT;
    char *out = subst("-- {{ nope }}\nSELECT 1 /* {{nope}} /* nested */ {{ nope }} */ + {{v}}", &err, 1, "v", "2");
    CHECK_EQ_STR(out, "-- {{ nope }}\nSELECT 1 /* {{nope}} /* nested */ {{ nope }} */ + '2'");
    mem_free(out);
}

TEST(params_not_placeholders_are_left_alone)
{
    check_subst("SELECT '{{ 1x }}', '{x}', '{{'", "v", "z", "SELECT '{{ 1x }}', '{x}', '{{'");
    check_subst("SELECT '{{ v }'", "v", "z", "SELECT '{{ v }'");
}

TEST(params_glue_is_prevented)
{
    /* E followed by a literal would make an escape string */
    check_subst("SELECT E{{v}}", "v", "x", "SELECT E 'x'");
    check_subst("SELECT U&{{v}}", "v", "x", "SELECT U& 'x'");
    /* two literals in a row would merge into one */
    Error err = ERROR_INIT;
    char *out = subst("SELECT {{a}}{{b}}", &err, 2, "a", "x", "b", "y");
    CHECK_EQ_STR(out, "SELECT 'x' 'y'");
    mem_free(out);
    check_subst("SELECT {{v}}'z'", "v", "x", "SELECT 'x' 'z'");
    /* $$ inside an identifier is not a dollar quote */
    check_subst("SELECT a$$, {{v}}, $$", "v", "x", "SELECT a$$, 'x', $$");
    /* $1 is a parameter reference, then a real dollar quote */
    check_subst("SELECT $1$${{v}}$$", "v", "x", "SELECT $1$$x$$");
}

TEST(params_injection_attempts_stay_one_constant)
{
    static const char *values[] = {
        "'; DROP TABLE t; --", "\\'; DROP TABLE t; --", "' OR '1'='1", "$$; DROP TABLE t; $$",
        "*/ DROP TABLE t; /*", "\n; DROP TABLE t;", "\"; DROP TABLE t; --", "\\", "''''", "{{ v }}",
    };
    static const char *templates[] = {
        "SELECT {{v}}", "SELECT E{{v}}", "SELECT '{{v}}'", "SELECT E'{{v}}'", "SELECT e'\\{{v}}'",
        "SELECT U&'{{v}}'", "SELECT {{v}}{{v}}", "SELECT 1 AS \"{{v}}\"", "SELECT $q${{v}}$q$",
    };
    for (size_t t = 0; t < sizeof templates / sizeof templates[0]; t++) {
        for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
            Error err = ERROR_INIT;
            char *out = subst(templates[t], &err, 1, "v", values[v]);
            if (out == NULL) {
                /* refusing is safe; only the dollar-quote case may refuse */
                CHECK(strchr(templates[t], '$') != NULL);
                continue;
            }
            int constants;
            int statements = pg_statement_count(out, &constants);
            if (!CHECK(statements == 1 || statements == -1)) fprintf(stderr, "  injected: %s\n", out);
            mem_free(out);
        }
    }
}

TEST(params_unknown_parameter_error_position)
{
    Error err = ERROR_INIT;
    const char *src = "SELECT 1;\n  SELECT {{ missing }} AS x";
    char *out = subst(src, &err, 1, "v", "1");
    CHECK(out == NULL);
    CHECK_EQ_INT(err.kind, ERR_SQL);
    CHECK(strstr(err.message, "\"missing\"") != NULL);
    CHECK_EQ_INT(err.sql_pos, 19);
    int line, column;
    job_line_column(src, strlen(src), (size_t)err.sql_pos, &line, &column);
    CHECK_EQ_INT(line, 2);
    CHECK_EQ_INT(column, 10);
    mem_free(out);
    /* inside a literal too */
    error_clear(&err);
    out = subst("SELECT '{{nope}}'", &err, 0);
    CHECK(out == NULL);
    CHECK_EQ_INT(err.sql_pos, 8);
    mem_free(out);
}

TEST(params_position_map_points_into_the_original)
{
    JobParams params;
    job_params_init(&params);
    Error err = ERROR_INIT;
    CHECK(job_params_set(&params, "v", "a much longer value", &err));
    const char *src = "SELECT {{ v }}, 'x{{v}}y', bad FROM t";
    JobSql sql;
    CHECK(job_sql_prepare(src, strlen(src), &params, &sql, &err));
    const char *bad_out = strstr(sql.text, "bad");
    const char *bad_in = strstr(src, "bad");
    CHECK(bad_out != NULL);
    CHECK_EQ_INT(job_sql_original_offset(&sql, (size_t)(bad_out - sql.text)), bad_in - src);
    /* an offset inside a replacement maps to the placeholder */
    const char *in_value = strstr(sql.text, "longer");
    CHECK_EQ_INT(job_sql_original_offset(&sql, (size_t)(in_value - sql.text)), 7);
    /* before any replacement nothing moves; the end maps to the end */
    CHECK_EQ_INT(job_sql_original_offset(&sql, 3), 3);
    CHECK_EQ_INT(job_sql_original_offset(&sql, sql.len), strlen(src));
    job_sql_free(&sql);
    job_params_free(&params);
}

TEST(params_statements_are_split_at_top_level_semicolons)
{
    const char *src = "-- header\nSELECT ';' AS a; /* ; */\n;\nSELECT $$;$$, \"a;b\" -- ;\n ; SELECT 3 -- tail";
    JobSql sql;
    Error err = ERROR_INIT;
    CHECK(job_sql_prepare(src, strlen(src), NULL, &sql, &err));
    CHECK_EQ_INT(sql.nstatements, 3);
    if (sql.nstatements == 3) {
        CHECK_EQ_INT(sql.statements[0].start, strstr(src, "SELECT ';'") - src);
        CHECK_EQ_INT(sql.statements[0].end, strstr(src, "; /*") + 1 - src);
        char *third = mem_strndup(sql.text + sql.statements[2].start, sql.statements[2].end - sql.statements[2].start);
        CHECK_EQ_STR(third, "SELECT 3");
        mem_free(third);
    }
    job_sql_free(&sql);
    CHECK(job_sql_prepare("  -- only a comment\n", 20, NULL, &sql, &err));
    CHECK_EQ_INT(sql.nstatements, 0);
    job_sql_free(&sql);
}

TEST(params_assignments_are_validated)
{
    JobParams p;
    job_params_init(&p);
    Error err = ERROR_INIT;
    CHECK(job_params_set_assignment(&p, "ds=2024-01-01", &err));
    CHECK(job_params_set_assignment(&p, "expr=a=b", &err));
    CHECK_EQ_STR(job_params_get(&p, "expr"), "a=b");
    CHECK(job_params_set_assignment(&p, "ds=2024-02-02", &err));
    CHECK_EQ_STR(job_params_get(&p, "ds"), "2024-02-02");
    CHECK_EQ_INT(p.count, 2);
    CHECK(!job_params_set_assignment(&p, "novalue", &err));
    CHECK_EQ_INT(err.kind, ERR_USAGE);
    CHECK(!job_params_set_assignment(&p, "1a=b", &err));
    CHECK(!job_params_set_assignment(&p, "=b", &err));
    CHECK(!job_params_set_assignment(&p, "a-b=c", &err));
    CHECK(job_params_get(&p, "missing") == NULL);
    job_params_free(&p);
}

TEST(params_line_column_counts_characters)
{
    const char *text = "SELECT 'é'\n\tFORM";
    int line, column;
    job_line_column(text, strlen(text), (size_t)(strstr(text, "FORM") - text), &line, &column);
    CHECK_EQ_INT(line, 2);
    CHECK_EQ_INT(column, 2);
    job_line_column(text, strlen(text), 11, &line, &column);
    CHECK_EQ_INT(line, 1);
    CHECK_EQ_INT(column, 11);
    job_line_column(text, strlen(text), 1000, &line, &column);
    CHECK_EQ_INT(line, 2);
}

TEST(params_to_json_sorts_keys_and_escapes)
{
    JobParams p;
    job_params_init(&p);
    CHECK(job_params_to_json(&p) == NULL);
    Error err = ERROR_INIT;
    CHECK(job_params_set(&p, "region", "eu \"west\"", &err));
    CHECK(job_params_set(&p, "ds", "2026-11-24", &err));
    char *json = job_params_to_json(&p);
    CHECK_EQ_STR(json, "{\"ds\": \"2026-11-24\", \"region\": \"eu \\\"west\\\"\"}");
    mem_free(json);
    job_params_free(&p);
}
