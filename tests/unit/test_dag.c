/* Unit tests of sched/dag: topological order (file order kept among
 * independent jobs), cycles named, upstream and downstream closures. */
#include <string.h>

#include "sched/dag.h"
#include "unit.h"

static bool load(Project *p, const char *yaml, Error *err)
{
    return project_load_text(p, "kiln.yaml", yaml, strlen(yaml), err);
}

TEST(dag_topological_order)
{
    Project p;
    Dag dag;
    Error err = ERROR_INIT;
    CHECK(load(&p,
               "jobs:\n  report: {depends_on: [orders, customers]}\n  orders: {depends_on: customers}\n"
               "  customers: {}\n  other: {}\n",
               &err));
    CHECK(dag_build(&p, &dag, &err));
    const char *names[4];
    for (int i = 0; i < 4; i++) names[i] = p.jobs[dag.order[i]].name;
    CHECK_EQ_STR(names[0], "customers");
    CHECK_EQ_STR(names[1], "orders");
    CHECK_EQ_STR(names[2], "report");
    CHECK_EQ_STR(names[3], "other");
    bool sel[4] = {false, true, false, false}; /* orders */
    dag_add_upstream(&dag, sel);
    CHECK(sel[2] && !sel[0] && !sel[3]);
    bool down[4] = {false, false, true, false}; /* customers */
    dag_add_downstream(&dag, down);
    CHECK(down[0] && down[1] && !down[3]);
    dag_free(&dag);
    project_free(&p);
}

TEST(dag_cycle_named)
{
    Project p;
    Dag dag;
    Error err = ERROR_INIT;
    CHECK(load(&p, "jobs:\n  a: {depends_on: c}\n  b: {depends_on: a}\n  c: {depends_on: b}\n  d: {}\n", &err));
    CHECK(!dag_build(&p, &dag, &err));
    CHECK_EQ_STR(err.message, "kiln.yaml: dependency cycle: b -> c -> a -> b");
    dag_free(&dag);
    project_free(&p);
}

TEST(dag_self_dependency)
{
    Project p;
    Error err = ERROR_INIT;
    CHECK(!load(&p, "jobs:\n  a: {depends_on: a}\n", &err));
    CHECK_EQ_STR(err.message, "kiln.yaml:2: jobs.a.depends_on: dependency cycle: a -> a");
    project_free(&p);
}
