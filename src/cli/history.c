/* history: `kiln history [--job J] [--ds DATE] [--limit N] [--json]
 * [--project kiln.yaml]` lists the recorded attempts, newest first (50 by
 * default): a table, or with --json one JSON array of objects for scripts.
 * Also the shared printing of attempts used by `kiln status` (status.c). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/strbuf.h"

typedef struct AttemptPrinter {
    bool json;
    int count;
    int job_width;
} AttemptPrinter;

static void json_field(StrBuf *sb, const char *key, const char *value, bool null_if_empty)
{
    strbuf_printf(sb, "\"%s\": ", key);
    if (null_if_empty && value[0] == '\0') strbuf_puts(sb, "null");
    else cli_json_append_string(sb, value, strlen(value));
}

static void print_attempt(void *ctx, const StateAttempt *a)
{
    AttemptPrinter *pr = ctx;
    if (pr->json) {
        StrBuf sb = STRBUF_INIT;
        strbuf_puts(&sb, pr->count == 0 ? "[\n  {" : ",\n  {");
        strbuf_printf(&sb, "\"run_id\": %lld, ", (long long)a->run_id);
        json_field(&sb, "job", a->job, false);
        strbuf_puts(&sb, ", ");
        json_field(&sb, "ds", a->ds, false);
        strbuf_printf(&sb, ", \"attempt\": %d, ", a->attempt);
        json_field(&sb, "status", a->status, false);
        strbuf_puts(&sb, ", ");
        json_field(&sb, "started_at", a->started_at, true);
        strbuf_puts(&sb, ", ");
        json_field(&sb, "ended_at", a->ended_at, true);
        if (a->ended_at[0]) strbuf_printf(&sb, ", \"seconds\": %.3f", a->seconds);
        else strbuf_puts(&sb, ", \"seconds\": null");
        if (a->exit_code >= 0) strbuf_printf(&sb, ", \"exit_code\": %d", a->exit_code);
        else strbuf_puts(&sb, ", \"exit_code\": null");
        if (a->rows >= 0) strbuf_printf(&sb, ", \"rows\": %lld, ", (long long)a->rows);
        else strbuf_puts(&sb, ", \"rows\": null, ");
        json_field(&sb, "error", a->error, true);
        strbuf_puts(&sb, ", ");
        json_field(&sb, "log", a->log_path, true);
        strbuf_puts(&sb, "}");
        fputs(strbuf_cstr(&sb), stdout);
        strbuf_free(&sb);
    } else {
        if (pr->count == 0) {
            printf("%-10s  %-*s  %7s  %-15s  %10s  %-10s  %s\n", "ds", pr->job_width, "job", "attempt", "status", "rows",
                   "duration", "error");
        }
        char rows[32] = "", duration[32] = "";
        if (a->rows >= 0) snprintf(rows, sizeof rows, "%lld", (long long)a->rows);
        if (a->ended_at[0] && a->attempt > 0) snprintf(duration, sizeof duration, "(%.2f s)", a->seconds);
        printf("%-10s  %-*s  %7d  %-15s  %10s  %-10s  %s\n", a->ds, pr->job_width, a->job, a->attempt, a->status, rows,
               duration, a->error);
    }
    pr->count++;
}

/* Shared by history and status: list attempts (latest per job for status). */
static int list_attempts(const char *command, int argc, char **argv)
{
    bool status = strcmp(command, "status") == 0;
    OrchOptions o;
    Error err = ERROR_INIT;
    if (!cli_orch_parse(argc, argv, status ? "project,ds,json,help" : "project,job,ds,limit,json,help", &o, &err)) {
        return cli_usage_error(command, "%s", err.message);
    }
    if (o.help) {
        cli_print_usage(stdout, command);
        return EXIT_OK;
    }
    if (status && o.ds == NULL) return cli_usage_error(command, "missing --ds DATE");
    Project p;
    StateDb *state = NULL;
    if (!project_load(&p, o.project, &err) || !cli_orch_open_state(&p, &state, &err) ||
        !state_recover(state, NULL, &err)) {
        cli_report_error(&err, NULL, 0);
        state_close(state);
        project_free(&p);
        return error_exit_code(&err);
    }
    AttemptPrinter pr = {.json = o.json, .job_width = 3};
    for (int j = 0; j < p.njobs; j++) {
        int len = (int)strlen(p.jobs[j].name);
        if (len > pr.job_width) pr.job_width = len;
    }
    bool ok = status ? state_list_latest(state, o.ds, print_attempt, &pr, &err)
                     : state_list_attempts(state, o.job, o.ds, o.limit > 0 ? o.limit : 50, print_attempt, &pr, &err);
    if (ok && o.json) fputs(pr.count == 0 ? "[]\n" : "\n]\n", stdout);
    else if (ok && pr.count == 0) printf("no runs recorded%s%s\n", o.ds ? " for " : "", o.ds ? o.ds : "");
    if (!ok) cli_report_error(&err, NULL, 0);
    state_close(state);
    project_free(&p);
    return ok ? EXIT_OK : error_exit_code(&err);
}

int cli_cmd_history(int argc, char **argv) { return list_attempts("history", argc, argv); }

int cli_cmd_status(int argc, char **argv) { return list_attempts("status", argc, argv); }
