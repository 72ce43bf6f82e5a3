/* run_project: `kiln run --all|--jobs A,B|--tags T --ds DATE [--project
 * kiln.yaml] [--with-upstream] [--with-downstream] [--parallel N]` runs jobs
 * of the project for one logical date (docs/orchestration.md).  Unlike a
 * backfill it always runs what was selected, even if it succeeded before. */
#include <string.h>

#include "cli/cli.h"
#include "common/mem.h"
#include "common/strbuf.h"
#include "sched/logical_date.h"

static const char *const project_options[] = {"--all", "--jobs", "--tags", "--ds", "--project", "--with-upstream",
                                              "--with-downstream", "--parallel"};

bool cli_run_is_project_run(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) return false;
        for (size_t k = 0; k < sizeof project_options / sizeof project_options[0]; k++) {
            size_t n = strlen(project_options[k]);
            if (strncmp(argv[i], project_options[k], n) == 0 && (argv[i][n] == '\0' || argv[i][n] == '=')) return true;
        }
    }
    return false;
}

/* The command line, for the runs table. */
static char *join_args(int argc, char **argv)
{
    StrBuf sb = STRBUF_INIT;
    strbuf_puts(&sb, "kiln");
    for (int i = 0; i < argc; i++) {
        strbuf_putc(&sb, ' ');
        strbuf_puts(&sb, argv[i]);
    }
    return strbuf_take(&sb);
}

int cli_cmd_run_project(int argc, char **argv)
{
    OrchOptions o;
    Error err = ERROR_INIT;
    if (!cli_orch_parse(argc, argv, "project,ds,all,jobs,tags,with-upstream,with-downstream,parallel,quiet,help", &o,
                        &err)) {
        return cli_usage_error("run", "%s", err.message);
    }
    if (o.help) {
        cli_print_usage(stdout, "run");
        return EXIT_OK;
    }
    if (o.ds == NULL) return cli_usage_error("run", "missing --ds DATE (the logical date to run)");
    int64_t day;
    if (!sched_parse_ds(o.ds, "--ds", &day, &err)) return cli_usage_error("run", "%s", err.message);
    Project p;
    Dag dag;
    if (!cli_orch_load(&o, &p, &dag, &err)) {
        cli_report_error(&err, NULL, 0);
        return error_exit_code(&err);
    }
    bool *selected = mem_calloc((size_t)(p.njobs > 0 ? p.njobs : 1), sizeof *selected);
    int code;
    if (!cli_orch_select(&o, &p, &dag, selected, &err)) {
        code = cli_usage_error("run", "%s", err.message);
    } else {
        char *args = join_args(argc, argv);
        code = cli_orch_run_dates(&o, &p, &dag, selected, day, day, "run", false, args);
        mem_free(args);
    }
    mem_free(selected);
    dag_free(&dag);
    project_free(&p);
    return code;
}
