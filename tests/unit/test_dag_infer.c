/* Unit tests of sched/dag_infer: the datasets a job's SQL writes and reads
 * (literal ones only), and the inferred DAG edges with cycles naming their
 * datasets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sched/dag.h"
#include "sched/dag_infer.h"
#include "unit.h"

/* The datasets of sql joined as "w:a,b r:c,d". */
static const char *datasets(const char *sql)
{
    static char buf[1024];
    Arena a;
    arena_init(&a, 0);
    const char **w, **r;
    int nw, nr;
    dag_infer_datasets(sql, "./lake/", "sqlite:./warehouse.db", &a, &w, &nw, &r, &nr);
    size_t o = (size_t)snprintf(buf, sizeof buf, "w:");
    for (int i = 0; i < nw; i++) o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", i ? "," : "", w[i]);
    o += (size_t)snprintf(buf + o, sizeof buf - o, " r:");
    for (int i = 0; i < nr; i++) o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", i ? "," : "", r[i]);
    arena_destroy(&a);
    return buf;
}

TEST(dag_infer_finds_writes_and_reads)
{
    CHECK_EQ_STR(datasets("COPY (SELECT 1 AS x) TO 'lake:orders';"), "w:lake:orders r:");
    CHECK_EQ_STR(datasets("COPY t TO 'out/orders' WITH (FORMAT parquet, PARTITION_BY (day));"), "w:out/orders r:");
    CHECK_EQ_STR(datasets("COPY t TO './lake//sales/' WITH (MODE append);"), "w:lake:sales r:");
    CHECK_EQ_STR(datasets("COPY t TO 'warehouse:Daily_Revenue' WITH (MODE upsert, KEY (d));"),
                 "w:warehouse:daily_revenue r:");
    /* a plain file is not a dataset */
    CHECK_EQ_STR(datasets("COPY t TO 'report.csv';"), "w: r:");
    CHECK_EQ_STR(datasets("SELECT * FROM lake.orders o JOIN read_parquet('lake/customers/*.parquet') c ON true;"),
                 "w: r:lake:orders,lake:customers/*.parquet");
    CHECK_EQ_STR(datasets("SELECT * FROM read_csv(ARRAY['a.csv', './b.csv'], header => true);"), "w: r:a.csv,b.csv");
    CHECK_EQ_STR(datasets("SELECT * FROM read_sqlite('warehouse.db', 'daily_revenue'), read_sqlite('other.db', 't');"),
                 "w: r:warehouse:daily_revenue");
    CHECK_EQ_STR(datasets("COPY t FROM 'in/x.csv';"), "w: r:in/x.csv");
    /* inside subqueries and CTEs too */
    CHECK_EQ_STR(datasets("CREATE TABLE x AS WITH c AS (SELECT * FROM lake.a) SELECT * FROM (SELECT * FROM c) s;"),
                 "w: r:lake:a");
}

TEST(dag_infer_ignores_what_is_not_literal)
{
    CHECK_EQ_STR(datasets("COPY t TO {{ out }} WITH (MODE append);"), "w: r:");
    CHECK_EQ_STR(datasets("COPY t TO 'lake:orders_{{ ds_nodash }}';"), "w: r:");
    CHECK_EQ_STR(datasets("SELECT * FROM read_parquet('lake/' || 'x');"), "w: r:");
    CHECK_EQ_STR(datasets("SELECT * FROM read_parquet('lake/orders/dt={{ ds }}/x.parquet');"), "w: r:");
    /* SQL that does not parse infers nothing (and does not fail) */
    CHECK_EQ_STR(datasets("SELEC nonsense ((("), "w: r:");
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

TEST(dag_infer_edges_and_cycles)
{
    char dir[] = "/tmp/kiln-infer-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256], yaml[256];
    snprintf(path, sizeof path, "%s/load.sql", dir);
    write_file(path, "COPY (SELECT 1 AS x) TO 'lake:orders';");
    snprintf(path, sizeof path, "%s/report.sql", dir);
    write_file(path, "COPY (SELECT count(*) FROM lake.orders) TO 'warehouse:report';");
    snprintf(path, sizeof path, "%s/export.sql", dir);
    write_file(path, "COPY (SELECT * FROM read_sqlite('warehouse.db', 'report')) TO 'export.csv';");
    snprintf(yaml, sizeof yaml, "%s/kiln.yaml", dir);
    const char *text = "jobs:\n  export: {sql: export.sql}\n  report: {sql: report.sql}\n  load: {sql: load.sql}\n";
    Project p;
    Dag dag;
    Error err = ERROR_INIT;
    CHECK(project_load_text(&p, yaml, text, strlen(text), &err));
    CHECK(dag_build(&p, &dag, &err));
    CHECK_EQ_STR(p.jobs[dag.order[0]].name, "load");
    CHECK_EQ_STR(p.jobs[dag.order[1]].name, "report");
    CHECK_EQ_STR(p.jobs[dag.order[2]].name, "export");
    int report = project_find_job(&p, "report");
    CHECK_EQ_INT(dag.up_start[report + 1] - dag.up_start[report], 1);
    CHECK_EQ_STR(dag.up_via[dag.up_start[report]], "lake:orders");
    dag_free(&dag);
    project_free(&p);

    /* infer_dependencies: false keeps the file order */
    const char *off = "infer_dependencies: false\njobs:\n  export: {sql: export.sql}\n  report: {sql: report.sql}\n"
                      "  load: {sql: load.sql}\n";
    CHECK(project_load_text(&p, yaml, off, strlen(off), &err));
    CHECK(dag_build(&p, &dag, &err));
    CHECK_EQ_STR(p.jobs[dag.order[0]].name, "export");
    dag_free(&dag);
    project_free(&p);

    /* a cycle made by inference names the datasets */
    snprintf(path, sizeof path, "%s/load.sql", dir);
    write_file(path, "COPY (SELECT * FROM read_sqlite('./warehouse.db', 'report')) TO 'lake:orders';");
    CHECK(project_load_text(&p, yaml, text, strlen(text), &err));
    Error cycle = ERROR_INIT;
    CHECK(!dag_build(&p, &dag, &cycle));
    CHECK(strstr(cycle.message, "dependency cycle: ") != NULL);
    CHECK(strstr(cycle.message, "report reads lake:orders written by load") != NULL);
    CHECK(strstr(cycle.message, "load reads warehouse:report written by report") != NULL);
    dag_free(&dag);
    project_free(&p);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}
