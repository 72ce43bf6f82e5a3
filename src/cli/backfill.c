/* backfill: `kiln backfill --from D1 --to D2 [--jobs ...|--tags ...]
 * [--rerun] [--parallel N] [--project kiln.yaml]` runs the selected jobs
 * (all when none is named) for each logical date from D1 to D2 in order.
 * A (job, date) pair that already succeeded is skipped unless --rerun, so
 * running the same backfill again after an interruption (even kill -9)
 * resumes where it stopped.  The backfill stops after the first date on
 * which a job failed.  --parallel-dates N runs up to N dates at once (each
 * date's jobs still in DAG order; --parallel limits the jobs of each date). */
#include <string.h>

#include "cli/cli.h"
#include "common/mem.h"
#include "common/strbuf.h"
#include "sched/logical_date.h"

int cli_cmd_backfill(int argc, char **argv)
{
    OrchOptions o;
    Error err = ERROR_INIT;
    if (!cli_orch_parse(argc, argv, "project,from,to,jobs,tags,with-upstream,with-downstream,parallel,parallel-dates,rerun,quiet,help",
                        &o, &err)) {
        return cli_usage_error("backfill", "%s", err.message);
    }
    if (o.help) {
        cli_print_usage(stdout, "backfill");
        return EXIT_OK;
    }
    if (o.from == NULL || o.to == NULL) return cli_usage_error("backfill", "missing --from DATE and --to DATE");
    int64_t from, to;
    if (!sched_parse_ds(o.from, "--from", &from, &err) || !sched_parse_ds(o.to, "--to", &to, &err)) {
        return cli_usage_error("backfill", "%s", err.message);
    }
    if (to < from) return cli_usage_error("backfill", "--to %s is before --from %s", o.to, o.from);
    if (to - from >= 36600) return cli_usage_error("backfill", "a backfill covers at most 36600 days");
    if (o.jobs == NULL && o.tags == NULL) o.all = true;
    Project p;
    Dag dag;
    if (!cli_orch_load(&o, &p, &dag, &err)) {
        cli_report_error(&err, NULL, 0);
        return error_exit_code(&err);
    }
    bool *selected = mem_calloc((size_t)(p.njobs > 0 ? p.njobs : 1), sizeof *selected);
    int code;
    if (!cli_orch_select(&o, &p, &dag, selected, &err)) {
        code = cli_usage_error("backfill", "%s", err.message);
    } else {
        StrBuf args = STRBUF_INIT;
        strbuf_puts(&args, "kiln");
        for (int i = 0; i < argc; i++) strbuf_printf(&args, " %s", argv[i]);
        code = cli_orch_run_dates(&o, &p, &dag, selected, from, to, "backfill", !o.rerun, strbuf_cstr(&args));
        strbuf_free(&args);
    }
    mem_free(selected);
    dag_free(&dag);
    project_free(&p);
    return code;
}
