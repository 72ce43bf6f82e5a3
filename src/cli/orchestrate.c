/* orchestrate: what the project commands (run --all, backfill, dag, history,
 * status) share: their options, finding and loading kiln.yaml with its DAG,
 * selecting jobs (--jobs, --tags, --with-upstream, --with-downstream),
 * opening the state database, and running the selected jobs for a range of
 * logical dates with a summary table per date (sched/runner.h does the
 * work; with --parallel-dates N, up to N dates at once in child
 * processes).  SIGINT/SIGTERM during a run ask the runner to stop its jobs. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/mem.h"
#include "common/strbuf.h"
#include "sched/logical_date.h"
#include "sched/runner.h"

static bool long_opt(const char *arg, const char *name, const char **inline_value)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0) return false;
    if (arg[n] == '\0') {
        *inline_value = NULL;
        return true;
    }
    if (arg[n] == '=') {
        *inline_value = arg + n + 1;
        return true;
    }
    return false;
}

/* True if option name (without dashes) is in the comma list allowed. */
static bool allowed_option(const char *allowed, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = allowed; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0) return true;
        if (comma == NULL) break;
        p = comma + 1;
    }
    return false;
}

bool cli_orch_parse(int argc, char **argv, const char *allowed, OrchOptions *o, Error *err)
{
    memset(o, 0, sizeof *o);
    o->project = "kiln.yaml";
    o->parallel = 4;
    o->parallel_dates = 1;
    o->format = "text";
    static const char *const valued[] = {"project", "ds", "from", "to", "jobs", "tags", "parallel", "format", "job", "limit",
                                         "parallel-dates"};
    static const char *const flags[] = {"all", "with-upstream", "with-downstream", "rerun", "json", "quiet", "help"};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0) arg = "--help";
        if (strcmp(arg, "-q") == 0) arg = "--quiet";
        if (strncmp(arg, "--", 2) != 0) return error_set(err, ERR_USAGE, "unexpected argument \"%s\"", arg);
        bool matched = false;
        for (size_t k = 0; k < sizeof flags / sizeof flags[0] && !matched; k++) {
            if (strcmp(arg + 2, flags[k]) != 0) continue;
            matched = true;
            if (!allowed_option(allowed, flags[k])) return error_set(err, ERR_USAGE, "unknown option \"%s\"", arg);
            if (k == 0) o->all = true;
            else if (k == 1) o->with_upstream = true;
            else if (k == 2) o->with_downstream = true;
            else if (k == 3) o->rerun = true;
            else if (k == 4) o->json = true;
            else if (k == 5) o->quiet = true;
            else o->help = true;
        }
        for (size_t k = 0; k < sizeof valued / sizeof valued[0] && !matched; k++) {
            char name[32];
            snprintf(name, sizeof name, "--%s", valued[k]);
            const char *v;
            if (!long_opt(arg, name, &v)) continue;
            matched = true;
            if (!allowed_option(allowed, valued[k])) return error_set(err, ERR_USAGE, "unknown option \"%s\"", name);
            if (v == NULL) {
                if (i + 1 >= argc) return error_set(err, ERR_USAGE, "option %s needs a value", name);
                v = argv[++i];
            }
            switch (k) {
            case 0: o->project = v; break;
            case 1: o->ds = v; break;
            case 2: o->from = v; break;
            case 3: o->to = v; break;
            case 4: o->jobs = v; break;
            case 5: o->tags = v; break;
            case 6:
            case 9:
            case 10: {
                char *end;
                errno = 0;
                long n = strtol(v, &end, 10);
                if (end == v || *end != '\0' || errno != 0 || n < 1 || n > 1000000) {
                    return error_set(err, ERR_USAGE, "%s: expected a whole number >= 1, got \"%s\"", name, v);
                }
                if (k == 6) o->parallel = (int)n;
                else if (k == 10) o->parallel_dates = (int)n;
                else o->limit = (int)n;
                break;
            }
            case 7:
                if (strcmp(v, "text") != 0 && strcmp(v, "dot") != 0) {
                    return error_set(err, ERR_USAGE, "--format: expected text or dot, got \"%s\"", v);
                }
                o->format = v;
                break;
            case 8: o->job = v; break;
            }
        }
        if (!matched) return error_set(err, ERR_USAGE, "unknown option \"%s\"", arg);
    }
    return true;
}

bool cli_orch_load(const OrchOptions *o, Project *p, Dag *dag, Error *err)
{
    memset(dag, 0, sizeof *dag);
    if (project_load(p, o->project, err) && dag_build(p, dag, err)) return true;
    /* on failure nothing is left for the caller to free */
    dag_free(dag);
    project_free(p);
    return false;
}

/* Call fn for each item of a comma list; false stops. */
static bool for_each_item(const char *list, bool (*fn)(void *ctx, const char *item, Error *err), void *ctx, Error *err)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", list);
    char *save = NULL;
    for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        while (*item == ' ') item++;
        if (*item == '\0') continue;
        if (!fn(ctx, item, err)) return false;
    }
    return true;
}

typedef struct SelectCtx {
    const Project *p;
    bool *selected;
} SelectCtx;

static bool select_job(void *ctx, const char *item, Error *err)
{
    SelectCtx *s = ctx;
    int j = project_find_job(s->p, item);
    if (j < 0) return error_set(err, ERR_USAGE, "--jobs: no job \"%s\" in %s", item, s->p->path);
    s->selected[j] = true;
    return true;
}

static bool select_tag(void *ctx, const char *item, Error *err)
{
    SelectCtx *s = ctx;
    bool any = false;
    for (int j = 0; j < s->p->njobs; j++) {
        if (project_job_has_tag(&s->p->jobs[j], item)) s->selected[j] = any = true;
    }
    if (!any) return error_set(err, ERR_USAGE, "--tags: no job is tagged \"%s\"", item);
    return true;
}

bool cli_orch_select(const OrchOptions *o, const Project *p, const Dag *dag, bool *selected, Error *err)
{
    for (int j = 0; j < p->njobs; j++) selected[j] = o->all;
    if (!o->all && o->jobs == NULL && o->tags == NULL) {
        return error_set(err, ERR_USAGE, "say which jobs to run: --all, --jobs NAME,... or --tags TAG,...");
    }
    SelectCtx ctx = {p, selected};
    if (o->jobs && !for_each_item(o->jobs, select_job, &ctx, err)) return false;
    if (o->tags && !for_each_item(o->tags, select_tag, &ctx, err)) return false;
    if (o->with_upstream) dag_add_upstream(dag, selected);
    if (o->with_downstream) dag_add_downstream(dag, selected);
    return true;
}

bool cli_orch_open_state(const Project *p, StateDb **state, Error *err)
{
    char path[4096];
    int w = snprintf(path, sizeof path, "%s/.kiln/state.db", p->dir);
    if (w < 0 || (size_t)w >= sizeof path) return error_set(err, ERR_IO, "project folder path is too long");
    return state_open(path, state, err);
}

static void on_stop_signal(int sig)
{
    (void)sig;
    runner_request_stop();
}

static void print_summary(FILE *out, const Project *p, const char *ds, const TaskResult *results)
{
    int width = 3;
    for (int j = 0; j < p->njobs; j++) {
        int len = (int)strlen(p->jobs[j].name);
        if (results[j].status != TASK_NOT_SELECTED && len > width) width = len;
    }
    fprintf(out, "%-*s  %-15s  %8s  %10s  %s\n", width, "job", "status", "attempts", "rows", "duration");
    for (int j = 0; j < p->njobs; j++) {
        const TaskResult *r = &results[j];
        if (r->status == TASK_NOT_SELECTED) continue;
        char rows[32] = "";
        if (r->rows >= 0 && r->status == TASK_SUCCESS) snprintf(rows, sizeof rows, "%lld", (long long)r->rows);
        char duration[48] = "";
        if (r->attempts > 0) snprintf(duration, sizeof duration, "(%.2f s)", r->seconds);
        fprintf(out, "%-*s  %-15s  %8d  %10s  %s\n", width, p->jobs[j].name, runner_status_name(r->status), r->attempts,
                rows, duration);
    }
    for (int j = 0; j < p->njobs; j++) {
        const TaskResult *r = &results[j];
        if (r->error[0] && r->status != TASK_SUCCESS && r->status != TASK_NOT_SELECTED) {
            fprintf(out, "%s %s: %s\n", ds, p->jobs[j].name, r->error);
        }
    }
}

/* The path of the running kiln binary, to start jobs with. */
static bool own_executable(char *buf, size_t size, Error *err)
{
    ssize_t n = readlink("/proc/self/exe", buf, size - 1);
    if (n <= 0 || (size_t)n >= size - 1) return error_set(err, ERR_INTERNAL, "could not find the kiln binary (/proc/self/exe)");
    buf[n] = '\0';
    return true;
}

/* One date of a parallel backfill, in a child process: its own run row,
 * the summary written in one piece; exits with the date's exit code. */
static void run_date_child(const OrchOptions *o, const Project *p, const Dag *dag, const bool *selected, int64_t day,
                           const char *kind, bool skip_succeeded, const char *args, const char *exe, pid_t parent)
{
    setpgid(0, 0); /* the parent forwards a stop; a terminal's Ctrl-C reaches it alone */
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* and a kill -9 of the parent ends this date too */
    if (getppid() != parent) _exit(EXIT_INTERRUPTED);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    char ds[11];
    sched_format_ds(day, ds);
    Error err = ERROR_INIT;
    StateDb *state = NULL; /* the parent's connection must not be used across fork: a new one */
    int64_t run_id = 0;
    char *run_args = mem_printf("%s (date %s)", args, ds);
    bool ok = cli_orch_open_state(p, &state, &err) && state_begin_run(state, kind, run_args, &run_id, &err);
    RunnerOptions ro = {.kiln_exe = exe, .parallel = o->parallel, .skip_succeeded = skip_succeeded,
                        .kill_grace = 5, .progress = o->quiet ? NULL : stderr};
    TaskResult *results = mem_calloc((size_t)(p->njobs > 0 ? p->njobs : 1), sizeof *results);
    bool date_ok = false;
    if (ok) ok = runner_run_date(p, dag, selected, day, state, run_id, &ro, results, &date_ok, &err);
    bool stopped = runner_stop_requested();
    if (state && run_id > 0) {
        Error end_err = ERROR_INIT;
        state_end_run(state, run_id, !ok ? "failed" : stopped ? "interrupted" : date_ok ? "success" : "failed", &end_err);
    }
    if (ok) {
        char *text = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&text, &len); /* one write, so dates do not interleave */
        if (mem) {
            fprintf(mem, "%s\n", ds);
            print_summary(mem, p, ds, results);
            fprintf(mem, "\n");
            fclose(mem);
            fwrite(text, 1, len, stdout);
            fflush(stdout);
            free(text); /* open_memstream's buffer */
        }
    } else {
        cli_report_error(&err, NULL, 0);
    }
    fflush(NULL);
    _exit(!ok ? error_exit_code(&err) : stopped ? EXIT_INTERRUPTED : date_ok ? EXIT_OK : EXIT_JOBS_FAILED);
}

/* A backfill of up to o->parallel_dates dates at once, each in a child
 * process (its DAG order kept by its own runner); no new date starts after
 * one failed or a stop was asked.  Returns the exit code. */
static int run_dates_parallel(const OrchOptions *o, const Project *p, const Dag *dag, const bool *selected, int64_t from,
                              int64_t to, const char *kind, bool skip_succeeded, const char *args, const char *exe)
{
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int slots = o->parallel_dates;
    pid_t *pids = mem_calloc((size_t)slots, sizeof *pids);
    int code = EXIT_OK, active = 0;
    bool stop_sent = false;
    int64_t next = from;
    pid_t parent = getpid();
    for (;;) {
        bool stopping = runner_stop_requested();
        for (int k = 0; k < slots && !stopping && code == EXIT_OK && next <= to; k++) {
            if (pids[k] != 0) continue;
            fflush(NULL);
            pid_t pid = fork();
            if (pid == 0) run_date_child(o, p, dag, selected, next, kind, skip_succeeded, args, exe, parent);
            if (pid < 0) {
                fprintf(stderr, "kiln: could not start a process for a date: %s\n", strerror(errno));
                code = EXIT_IO;
                break;
            }
            pids[k] = pid;
            active++;
            next++;
        }
        if (stopping && !stop_sent) {
            for (int k = 0; k < slots; k++) {
                if (pids[k] > 0) kill(pids[k], SIGTERM);
            }
            stop_sent = true;
        }
        for (int k = 0; k < slots; k++) {
            int wstatus;
            if (pids[k] == 0 || waitpid(pids[k], &wstatus, WNOHANG) != pids[k]) continue;
            int child = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : EXIT_INTERRUPTED;
            if (child != EXIT_OK && (code == EXIT_OK || code == EXIT_INTERRUPTED)) code = child;
            pids[k] = 0;
            active--;
        }
        if (active == 0 && (next > to || code != EXIT_OK || stopping)) break;
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    mem_free(pids);
    if (runner_stop_requested()) return EXIT_INTERRUPTED;
    return code;
}

int cli_orch_run_dates(const OrchOptions *o, const Project *p, const Dag *dag, const bool *selected, int64_t from,
                       int64_t to, const char *kind, bool skip_succeeded, const char *args)
{
    Error err = ERROR_INIT;
    char exe[PATH_MAX];
    StateDb *state = NULL;
    if (!own_executable(exe, sizeof exe, &err) || !cli_orch_open_state(p, &state, &err) ||
        !state_recover(state, NULL, &err)) {
        cli_report_error(&err, NULL, 0);
        state_close(state);
        return error_exit_code(&err);
    }
    if (o->parallel_dates > 1 && from < to) {
        state_close(state); /* each date opens its own connection */
        return run_dates_parallel(o, p, dag, selected, from, to, kind, skip_succeeded, args, exe);
    }
    int64_t run_id;
    if (!state_begin_run(state, kind, args, &run_id, &err)) {
        cli_report_error(&err, NULL, 0);
        state_close(state);
        return error_exit_code(&err);
    }
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    RunnerOptions ro = {.kiln_exe = exe, .parallel = o->parallel, .skip_succeeded = skip_succeeded,
                        .kill_grace = 5, .progress = o->quiet ? NULL : stderr};
    TaskResult *results = mem_calloc((size_t)(p->njobs > 0 ? p->njobs : 1), sizeof *results);
    bool all_ok = true, runner_ok = true;
    for (int64_t day = from; day <= to && runner_ok && !runner_stop_requested(); day++) {
        bool date_ok;
        runner_ok = runner_run_date(p, dag, selected, day, state, run_id, &ro, results, &date_ok, &err);
        if (!runner_ok) break;
        char ds[11];
        sched_format_ds(day, ds);
        if (from != to) printf("%s\n", ds);
        print_summary(stdout, p, ds, results);
        if (from != to && day < to) printf("\n");
        fflush(stdout);
        if (!date_ok) all_ok = false;
        /* a backfill stops at the first date that failed: later dates usually depend on it */
        if (!date_ok) break;
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    const char *status = !runner_ok ? "failed" : runner_stop_requested() ? "interrupted" : all_ok ? "success" : "failed";
    Error end_err = ERROR_INIT;
    if (!state_end_run(state, run_id, status, &end_err) && runner_ok) {
        err = end_err;
        runner_ok = false;
    }
    if (!runner_ok) cli_report_error(&err, NULL, 0);
    mem_free(results);
    state_close(state);
    if (!runner_ok) return error_exit_code(&err);
    if (runner_stop_requested()) return EXIT_INTERRUPTED;
    return all_ok ? EXIT_OK : EXIT_JOBS_FAILED;
}
