/* Unit tests of sched/project (kiln.yaml): defaults, inheritance, both job
 * forms, and errors that name the line and key; and of logical dates. */
#include <string.h>

#include "sched/logical_date.h"
#include "sched/project.h"
#include "unit.h"

static bool load(Project *p, const char *yaml, Error *err)
{
    return project_load_text(p, "proj/kiln.yaml", yaml, strlen(yaml), err);
}

TEST(project_defaults_and_jobs)
{
    Project p;
    Error err = ERROR_INIT;
    CHECK(load(&p,
               "name: shop\ndefaults: {retries: 2, timeout: 5m}\nconnections:\n  pg: postgres://x/y\n"
               "  my: {url: 'mysql://etl@db:3306/crm', password: '${CRM_PASSWORD}'}\njobs:\n  a:\n    tags: [daily, x]\n    retry_delay: 500ms\n"
               "  b:\n    sql: sql/b.sql\n    depends_on: a\n    retries: 0\n    retry_backoff: 3\n"
               "    schedule: '@daily'\n    params: {region: eu, f: 'x_{{ ds }}'}\n",
               &err));
    CHECK_EQ_STR(err.message, "");
    CHECK_EQ_STR(p.name, "shop");
    CHECK_EQ_STR(p.dir, "proj");
    CHECK_EQ_STR(p.lake, "./lake");
    CHECK_EQ_STR(p.warehouse, "sqlite:./warehouse.db");
    CHECK_EQ_INT(p.nconnections, 2);
    CHECK_EQ_STR(p.connections[0].settings[0].key, "url");
    CHECK_EQ_STR(p.connections[1].settings[1].value, "${CRM_PASSWORD}");
    CHECK_EQ_INT(p.njobs, 2);
    CHECK_EQ_STR(p.jobs[0].sql, "jobs/a.sql");
    CHECK_EQ_INT(p.jobs[0].policy.retries, 2);
    CHECK(p.jobs[0].policy.timeout == 300 && p.jobs[0].policy.retry_delay == 0.5 && p.jobs[0].policy.retry_backoff == 2);
    CHECK(project_job_has_tag(&p.jobs[0], "x") && !project_job_has_tag(&p.jobs[0], "y"));
    CHECK_EQ_STR(p.jobs[1].sql, "sql/b.sql");
    CHECK_EQ_INT(p.jobs[1].policy.retries, 0);
    CHECK(p.jobs[1].policy.retry_backoff == 3);
    CHECK_EQ_STR(p.jobs[1].depends_on[0], "a");
    CHECK_EQ_STR(p.jobs[1].params[1].value, "x_{{ ds }}");
    CHECK(p.jobs[1].schedule != NULL);
    project_free(&p);
}

TEST(project_list_form_and_empty)
{
    Project p;
    Error err = ERROR_INIT;
    CHECK(load(&p, "jobs:\n  - name: one\n  - name: two\n    depends_on: [one]\n", &err));
    CHECK_EQ_INT(p.njobs, 2);
    CHECK_EQ_STR(p.jobs[1].name, "two");
    project_free(&p);
    CHECK(load(&p, "", &err));
    CHECK_EQ_INT(p.njobs, 0);
    project_free(&p);
}

/* The error message of loading yaml. */
static const char *load_error(const char *yaml)
{
    static Error err;
    error_clear(&err);
    Project p;
    if (load(&p, yaml, &err)) strcpy(err.message, "(loaded)");
    project_free(&p);
    return err.message;
}

TEST(project_errors_name_line_and_key)
{
    CHECK_EQ_STR(load_error("jobs:\n  a:\n    retries: many\n"),
                 "proj/kiln.yaml:3:14: jobs.a.retries: expected a whole number from 0 to 1000, got \"many\"");
    CHECK_EQ_STR(load_error("lake: x\nwarehous: y\n"),
                 "proj/kiln.yaml:2:1: unknown key \"warehous\" (known: name, lake, warehouse, defaults, connections, jobs, timezone, catchup, max_catchup, "
                 "infer_dependencies)");
    CHECK_EQ_STR(load_error("jobs:\n  a: {timeout: soon}\n"),
                 "proj/kiln.yaml:2:16: jobs.a.timeout: expected a duration such as 30, 30s, 500ms, 5m or 2h, got \"soon\"");
    CHECK_EQ_STR(load_error("jobs:\n  a: {depends_on: zz}\n"), "proj/kiln.yaml:2: jobs.a.depends_on: unknown job \"zz\"");
    CHECK_EQ_STR(load_error("jobs:\n  a: {}\n  a: {}\n"),
                 "proj/kiln.yaml:3: jobs: job \"a\" is declared twice (first at line 2)");
    CHECK_EQ_STR(load_error("jobs:\n  a: {params: {ds: x}}\n"),
                 "proj/kiln.yaml:2:15: jobs.a.params: \"ds\" is a built-in parameter and cannot be set here");
    CHECK_EQ_STR(load_error("jobs:\n  'bad name': {}\n"),
                 "proj/kiln.yaml:2:3: jobs: invalid job name \"bad name\" (use letters, digits, _ - and .)");
    CHECK_EQ_STR(load_error("jobs: [\n"), "proj/kiln.yaml:2:1: invalid YAML: did not find expected node content while parsing a flow node");
    CHECK_EQ_STR(load_error("connections:\n  pg: {url: 'postgresql://h/x', pasword: secret}\n"),
                 "proj/kiln.yaml:2:33: connections.pg: unknown key \"pasword\" (known: url, password)");
    CHECK_EQ_STR(load_error("connections:\n  pg: {password: secret}\n"),
                 "proj/kiln.yaml:2:7: connections.pg: a connection needs a url");
    CHECK_EQ_STR(load_error("defaults: {retry_backoff: 0.5}\n"),
                 "proj/kiln.yaml:1:27: defaults.retry_backoff: expected a number from 1 to 100, got \"0.5\"");
}

TEST(logical_date_templates)
{
    int64_t days;
    Error err = ERROR_INIT;
    CHECK(sched_parse_ds("2024-03-01", "--ds", &days, &err));
    LogicalDate ld;
    sched_logical_date(days, &ld);
    CHECK_EQ_STR(ld.prev_ds, "2024-02-29");
    CHECK_EQ_STR(ld.next_ds, "2024-03-02");
    CHECK_EQ_STR(ld.ds_nodash, "20240301");
    CHECK_EQ_STR(ld.ts, "2024-03-01T00:00:00");
    StrBuf sb = STRBUF_INIT;
    CHECK(sched_expand_template("raw/{{ds_nodash}}/{{ ds }}.csv {x}", &ld, "p", &sb, &err));
    CHECK_EQ_STR(strbuf_cstr(&sb), "raw/20240301/2024-03-01.csv {x}");
    strbuf_clear(&sb);
    CHECK(!sched_expand_template("{{ region }}", &ld, "jobs.a.params.f", &sb, &err));
    CHECK_EQ_STR(err.message,
                 "jobs.a.params.f: unknown template variable \"region\" (known: ds, ds_nodash, prev_ds, next_ds, ts)");
    strbuf_free(&sb);
    CHECK(!sched_parse_ds("2023-02-29", "--ds", &days, &err));
    CHECK_EQ_STR(err.message, "--ds: \"2023-02-29\" is not a valid date");
    CHECK(!sched_parse_ds("2023-2-1", "--from", &days, &err));
    CHECK_EQ_STR(err.message, "--from: expected a date as YYYY-MM-DD, got \"2023-2-1\"");
}
