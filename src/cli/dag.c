/* dag: `kiln dag [--project kiln.yaml] [--format text|dot]` prints the job
 * graph in topological order: text (one job per line with what it depends
 * on, its schedule and tags) or Graphviz DOT (edges from upstream to
 * downstream).  Dependencies inferred from datasets are marked with the
 * dataset ("(inferred: lake:orders)", a dashed labelled edge in DOT).  Loading checks the file and the cycles, so `kiln dag` is
 * also the way to validate a project. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/strbuf.h"

static void print_dot_id(const char *s)
{
    StrBuf sb = STRBUF_INIT;
    cli_json_append_string(&sb, s, strlen(s)); /* a JSON string is a valid DOT quoted id */
    fputs(strbuf_cstr(&sb), stdout);
    strbuf_free(&sb);
}

int cli_cmd_dag(int argc, char **argv)
{
    OrchOptions o;
    Error err = ERROR_INIT;
    if (!cli_orch_parse(argc, argv, "project,format,help", &o, &err)) return cli_usage_error("dag", "%s", err.message);
    if (o.help) {
        cli_print_usage(stdout, "dag");
        return EXIT_OK;
    }
    Project p;
    Dag dag;
    if (!cli_orch_load(&o, &p, &dag, &err)) {
        cli_report_error(&err, NULL, 0);
        return error_exit_code(&err);
    }
    if (strcmp(o.format, "dot") == 0) {
        printf("digraph ");
        print_dot_id(p.name);
        printf(" {\n  rankdir=LR;\n");
        for (int k = 0; k < dag.njobs; k++) {
            int j = dag.order[k];
            printf("  ");
            print_dot_id(p.jobs[j].name);
            printf(";\n");
        }
        for (int k = 0; k < dag.njobs; k++) {
            int j = dag.order[k];
            for (int e = dag.up_start[j]; e < dag.up_start[j + 1]; e++) {
                printf("  ");
                print_dot_id(p.jobs[dag.up[e]].name);
                printf(" -> ");
                print_dot_id(p.jobs[j].name);
                if (dag.up_via[e]) {
                    printf(" [style=dashed, label=");
                    print_dot_id(dag.up_via[e]);
                    printf("]");
                }
                printf(";\n");
            }
        }
        printf("}\n");
    } else {
        printf("project %s: %d job%s\n", p.name, p.njobs, p.njobs == 1 ? "" : "s");
        for (int k = 0; k < dag.njobs; k++) {
            int j = dag.order[k];
            const ProjectJob *job = &p.jobs[j];
            printf("%s", job->name);
            for (int e = dag.up_start[j]; e < dag.up_start[j + 1]; e++) {
                printf("%s%s", e == dag.up_start[j] ? " <- " : ", ", p.jobs[dag.up[e]].name);
                if (dag.up_via[e]) printf(" (inferred: %s)", dag.up_via[e]);
            }
            if (job->schedule) printf("  [schedule: %s]", job->schedule);
            for (int t = 0; t < job->ntags; t++) printf("%s%s%s", t == 0 ? "  [tags: " : ", ", job->tags[t], t == job->ntags - 1 ? "]" : "");
            printf("\n");
        }
    }
    dag_free(&dag);
    project_free(&p);
    return EXIT_OK;
}
