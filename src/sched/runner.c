/* runner: the process-per-attempt job runner of one logical date.  See
 * runner.h for the model; this file is the event loop (start, reap, time
 * out, retry, skip downstream) and the reading of an attempt's log for its
 * rows and error line. */
#include "sched/runner.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "sched/logical_date.h"
#include "sql/connections.h"
#include "sql/settings.h"

static volatile sig_atomic_t stop_flag = 0;

void runner_request_stop(void) { stop_flag = 1; }

bool runner_stop_requested(void) { return stop_flag != 0; }

const char *runner_status_name(TaskStatus s)
{
    switch (s) {
    case TASK_NOT_SELECTED: return "not_selected";
    case TASK_PENDING: return "pending";
    case TASK_WAITING_RETRY: return "up_for_retry";
    case TASK_RUNNING: return "running";
    case TASK_SUCCESS: return "success";
    case TASK_FAILED: return "failed";
    case TASK_UPSTREAM_FAILED: return "upstream_failed";
    case TASK_SKIPPED: return "skipped";
    case TASK_BUSY: return "busy";
    case TASK_INTERRUPTED: return "interrupted";
    }
    return "?";
}

/* Bookkeeping of one job during the run. */
typedef struct Task {
    pid_t pid;           /* of the running attempt, 0 when none */
    double started;      /* monotonic seconds of the running attempt */
    double retry_at;     /* when WAITING_RETRY may start again */
    double term_sent;    /* when SIGTERM went to the group (0 = not yet) */
    bool timed_out;
    int64_t attempt_id;
    char log_path[4096];
    char report_path[4096]; /* the attempt's quality report (kiln run --report) */
} Task;

static double monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {0, (long)ms * 1000000L};
    nanosleep(&ts, NULL);
}

static bool make_dirs(const char *dir, Error *err)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
            return error_set(err, ERR_IO, "could not create folder \"%s\": %s", buf, strerror(errno));
        }
        *p = saved;
        if (saved == '\0') break;
    }
    return true;
}

/* Read an attempt's log: the row count of the last status line that has
 * one ("[2/3] INSERT 0 5  (0.01 s)", COPY n, SELECT n, UPDATE n, DELETE n)
 * and the first "kiln: " error line. */
static void read_log(const char *path, int64_t *rows, char *error, size_t error_size)
{
    *rows = -1;
    error[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL) return;
    char line[2048];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (error[0] == '\0' && strncmp(line, "kiln: ", 6) == 0) {
            size_t len = strlen(line + 6);
            if (len >= error_size) len = error_size - 1;
            memcpy(error, line + 6, len);
            error[len] = '\0';
            continue;
        }
        if (line[0] != '[') continue;
        const char *tag = strstr(line, "] ");
        if (tag == NULL) continue;
        tag += 2;
        long long a = 0, b = 0;
        int64_t n = -1;
        if (sscanf(tag, "INSERT %lld %lld", &a, &b) == 2) n = b;
        else if (sscanf(tag, "COPY %lld", &a) == 1) n = a;
        else if (sscanf(tag, "SELECT %lld", &a) == 1) n = a; /* CREATE TABLE AS */
        else if (sscanf(tag, "UPDATE %lld", &a) == 1 || sscanf(tag, "DELETE %lld", &a) == 1) n = a;
        if (n >= 0) *rows = n; /* the last statement with a count wins: usually the final load */
    }
    fclose(f);
}

/* path made absolute against the current directory (the runner's), as a
 * mem_alloc'ed string. */
static char *realpath_or_copy(const char *path)
{
    if (path[0] == '/') return mem_strdup(path);
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd) == NULL) return mem_strdup(path);
    return mem_printf("%s/%s", cwd, path);
}

/* Store the quality report the attempt wrote (none if it died before). */
static bool keep_quality_report(const Task *task, const char *job, const char *ds, bool success, StateDb *state,
                                Error *err)
{
    FILE *f = fopen(task->report_path, "r");
    if (f == NULL) return true;
    StrBuf text = STRBUF_INIT;
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) strbuf_append(&text, buf, n);
    fclose(f);
    bool ok = state_quality_save(state, task->attempt_id, job, ds, success, strbuf_cstr(&text), err);
    strbuf_free(&text);
    return ok;
}

/* The project's named connections reach each job through the environment
 * (KILN_CONNECTIONS_ENV), not its command line, which any user can read;
 * ${NAME} references stay unexpanded for the job to resolve.  A connection
 * without a url setting is not passed. */
static bool pass_connections(const Project *p, Error *err)
{
    if (p->nconnections == 0) return true;
    NamedConnection *items = mem_calloc((size_t)p->nconnections, sizeof *items);
    int n = 0;
    for (int i = 0; i < p->nconnections; i++) {
        const ProjectConnection *c = &p->connections[i];
        NamedConnection nc = {(char *)c->name, NULL, NULL};
        for (int k = 0; k < c->nsettings; k++) {
            if (strcmp(c->settings[k].key, "url") == 0) nc.url = (char *)c->settings[k].value;
            if (strcmp(c->settings[k].key, "password") == 0) nc.password = (char *)c->settings[k].value;
        }
        if (nc.url) items[n++] = nc;
    }
    char *value = connections_env_value(items, n);
    mem_free(items);
    bool ok = setenv(KILN_CONNECTIONS_ENV, value, 1) == 0 ||
              error_set(err, ERR_IO, "could not pass the project's connections to its jobs: %s", strerror(errno));
    mem_free(value);
    return ok;
}

/* Start attempt number `attempt` of job j. */
static bool start_attempt(const Project *p, int j, const LogicalDate *ld, int attempt, const RunnerOptions *opts,
                          Task *task, StateDb *state, int64_t run_id, Error *err)
{
    const ProjectJob *job = &p->jobs[j];
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/.kiln/logs/%s", p->dir, ld->key);
    if (!make_dirs(dir, err)) return false;
    int w = snprintf(task->log_path, sizeof task->log_path, "%s/%s.%d.log", dir, job->name, attempt);
    if (w < 0 || (size_t)w >= sizeof task->log_path) return error_set(err, ERR_IO, "log path too long in \"%s\"", dir);
    w = snprintf(task->report_path, sizeof task->report_path, "%s/%s.%d.quality.json", dir, job->name, attempt);
    if (w < 0 || (size_t)w >= sizeof task->report_path) return error_set(err, ERR_IO, "log path too long in \"%s\"", dir);
    unlink(task->report_path); /* a report left by an earlier run of this attempt number is not this one's */

    /* Everything the child needs is built before fork. */
    StrBuf values = STRBUF_INIT;
    int nparams = 6 + job->nparams;
    char **param_args = mem_calloc((size_t)nparams, sizeof *param_args);
    const char *builtin[5][2] = {{"ds", ld->ds}, {"ds_nodash", ld->ds_nodash}, {"prev_ds", ld->prev_ds},
                                 {"next_ds", ld->next_ds}, {"ts", ld->ts}};
    int k = 0;
    for (int i = 0; i < 5; i++) {
        strbuf_clear(&values);
        strbuf_printf(&values, "%s=%s", builtin[i][0], builtin[i][1]);
        param_args[k++] = mem_strdup(strbuf_cstr(&values));
    }
    strbuf_clear(&values);
    strbuf_printf(&values, "try_number=%d", attempt);
    param_args[k++] = mem_strdup(strbuf_cstr(&values));
    bool ok = true;
    for (int i = 0; i < job->nparams && ok; i++) {
        strbuf_clear(&values);
        strbuf_printf(&values, "%s=", job->params[i].key);
        char what[256];
        snprintf(what, sizeof what, "jobs.%s.params.%s", job->name, job->params[i].key);
        ok = sched_expand_template(job->params[i].value, ld, what, &values, err);
        if (ok) param_args[k++] = mem_strdup(strbuf_cstr(&values));
    }
    strbuf_free(&values);
    int fd = -1;
    if (ok) {
        fd = open(task->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (fd < 0) ok = error_set(err, ERR_IO, "could not create log file \"%s\": %s", task->log_path, strerror(errno));
    }
    /* the quality report: the child writes it, attempt_ended keeps it in the
     * state; the baseline of its checks is the job's last good report */
    char *baseline = NULL, *baseline_path = NULL;
    if (ok) ok = state_quality_baseline(state, job->name, ld->key, &baseline, err);
    if (ok && baseline) {
        char *relative = mem_printf("%s/%s.%d.baseline.json", dir, job->name, attempt);
        baseline_path = realpath_or_copy(relative);
        mem_free(relative);
        FILE *f = fopen(baseline_path, "w");
        if (f == NULL || fputs(baseline, f) < 0) ok = error_set(err, ERR_IO, "could not write \"%s\": %s", baseline_path, strerror(errno));
        if (f && fclose(f) != 0 && ok) ok = error_set(err, ERR_IO, "could not write \"%s\": %s", baseline_path, strerror(errno));
    }
    mem_free(baseline);
    int argc = 0;
    char **argv = mem_calloc((size_t)(15 + 2 * k + 1), sizeof *argv);
    /* The project's lake reaches the job as a setting, its warehouse through
     * the environment (a URL may hold a password, and any user can read a
     * command line), and its name as the run's job (lake commit records,
     * quality reports). */
    char *lake_setting = mem_printf("lake_root=%s", p->lake);
    argv[argc++] = (char *)opts->kiln_exe;
    argv[argc++] = "run";
    argv[argc++] = (char *)job->sql;
    argv[argc++] = "--verbose";
    argv[argc++] = "--job";
    argv[argc++] = (char *)job->name;
    argv[argc++] = "--set";
    argv[argc++] = lake_setting;
    /* absolute paths: the child runs in the project folder */
    char *report_arg = realpath_or_copy(task->report_path);
    argv[argc++] = "--report";
    argv[argc++] = report_arg;
    if (baseline_path) {
        argv[argc++] = "--baseline";
        argv[argc++] = baseline_path;
    }
    for (int i = 0; i < k; i++) {
        argv[argc++] = "--param";
        argv[argc++] = param_args[i];
    }
    argv[argc] = NULL;
    if (ok) ok = state_attempt_start(state, run_id, job->name, ld->key, attempt, task->log_path, &task->attempt_id, err);
    pid_t pid = -1;
    pid_t runner_pid = getpid();
    if (ok) ok = pass_connections(p, err);
    if (ok && setenv(KILN_WAREHOUSE_ENV, p->warehouse, 1) != 0)
        ok = error_set(err, ERR_IO, "could not pass the project's warehouse to its jobs: %s", strerror(errno));
    if (ok) {
        fflush(NULL);
        pid = fork();
        if (pid < 0) ok = error_set(err, ERR_IO, "could not start a process for job \"%s\": %s", job->name, strerror(errno));
    }
    if (pid == 0) {
        /* child: own process group, cwd = project folder, output to the log */
        setpgid(0, 0);
        /* the job dies with its runner: after a kill -9 of the runner the
         * attempt is recovered as interrupted and rerun, never run twice */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != runner_pid) _exit(128 + SIGKILL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (chdir(p->dir) != 0) {
            dprintf(STDERR_FILENO, "kiln: could not enter project folder \"%s\": %s\n", p->dir, strerror(errno));
            _exit(EXIT_IO);
        }
        execv(opts->kiln_exe, argv);
        dprintf(STDERR_FILENO, "kiln: could not start \"%s\": %s\n", opts->kiln_exe, strerror(errno));
        _exit(127);
    }
    if (pid > 0) setpgid(pid, pid); /* also here: no race with a kill before the child ran */
    if (fd >= 0) close(fd);
    for (int i = 0; i < k; i++) mem_free(param_args[i]);
    mem_free(param_args);
    mem_free(lake_setting);
    mem_free(report_arg);
    mem_free(baseline_path);
    mem_free(argv);
    if (!ok) return false;
    task->pid = pid;
    task->started = monotonic();
    task->term_sent = 0;
    task->timed_out = false;
    if (opts->progress) {
        fprintf(opts->progress, "[%s] %s: attempt %d started\n", ld->key, job->name, attempt);
        fflush(opts->progress);
    }
    return true;
}

/* Mark every job downstream of j (transitively) that has not started upstream_failed. */
static bool fail_downstream(const Project *p, const Dag *dag, int j, TaskResult *results, StateDb *state,
                            int64_t run_id, const LogicalDate *ld, const RunnerOptions *opts, Error *err)
{
    for (int k = dag->down_start[j]; k < dag->down_start[j + 1]; k++) {
        int d = dag->down[k];
        if (results[d].status != TASK_PENDING) continue;
        results[d].status = TASK_UPSTREAM_FAILED;
        snprintf(results[d].error, sizeof results[d].error, "not run: upstream job \"%s\" failed", p->jobs[j].name);
        if (!state_task_upstream_failed(state, run_id, p->jobs[d].name, ld->key, p->jobs[j].name, err)) return false;
        if (opts->progress) fprintf(opts->progress, "[%s] %s: upstream_failed (%s)\n", ld->key, p->jobs[d].name, p->jobs[j].name);
        if (!fail_downstream(p, dag, d, results, state, run_id, ld, opts, err)) return false;
    }
    return true;
}

/* A child ended with wait status: success, retry or final failure. */
static bool attempt_ended(const Project *p, const Dag *dag, int j, int wstatus, Task *tasks, TaskResult *results,
                          StateDb *state, int64_t run_id, const LogicalDate *ld, const RunnerOptions *opts,
                          Error *err)
{
    Task *task = &tasks[j];
    TaskResult *r = &results[j];
    const ProjectJob *job = &p->jobs[j];
    double seconds = monotonic() - task->started;
    r->seconds += seconds;
    task->pid = 0;
    int exit_code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + (WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0);
    read_log(task->log_path, &r->rows, r->error, sizeof r->error);
    bool success = WIFEXITED(wstatus) && exit_code == 0 && !task->timed_out;
    if (!keep_quality_report(task, job->name, ld->key, success, state, err)) return false;
    if (task->timed_out) {
        snprintf(r->error, sizeof r->error, "timed out after %g s", job->policy.timeout);
    } else if (stop_flag && !success) {
        snprintf(r->error, sizeof r->error, "interrupted");
    } else if (!success && r->error[0] == '\0') {
        if (WIFSIGNALED(wstatus)) snprintf(r->error, sizeof r->error, "killed by signal %d", WTERMSIG(wstatus));
        else snprintf(r->error, sizeof r->error, "exit code %d", exit_code);
    }
    if (success) r->error[0] = '\0';
    bool retry = !success && !stop_flag && r->attempts <= job->policy.retries;
    const char *status = success ? "success" : stop_flag ? "interrupted" : "failed";
    if (!state_attempt_end(state, task->attempt_id, status, exit_code, success ? r->rows : -1, r->error, !retry, err)) {
        return false;
    }
    if (opts->progress) {
        fprintf(opts->progress, "[%s] %s: attempt %d %s (%.2f s)%s%s\n", ld->key, job->name, r->attempts, status,
                seconds, r->error[0] ? ": " : "", r->error);
        fflush(opts->progress);
    }
    if (success) {
        r->status = TASK_SUCCESS;
        return true;
    }
    if (!success) r->rows = -1;
    if (retry) {
        double delay = job->policy.retry_delay * pow(job->policy.retry_backoff, r->attempts - 1);
        task->retry_at = monotonic() + delay;
        r->status = TASK_WAITING_RETRY;
        return true;
    }
    r->status = stop_flag ? TASK_INTERRUPTED : TASK_FAILED;
    return fail_downstream(p, dag, j, results, state, run_id, ld, opts, err);
}

bool runner_run_date(const Project *p, const Dag *dag, const bool *selected, int64_t ds_days, StateDb *state,
                     int64_t run_id, const RunnerOptions *opts, TaskResult *results, bool *all_ok, Error *err)
{
    LogicalDate ld;
    sched_logical_date(ds_days, &ld);
    return runner_run_logical(p, dag, selected, &ld, state, run_id, opts, results, all_ok, err);
}

bool runner_run_logical(const Project *p, const Dag *dag, const bool *selected, const LogicalDate *ld,
                        StateDb *state, int64_t run_id, const RunnerOptions *opts, TaskResult *results, bool *all_ok,
                        Error *err)
{
    int n = p->njobs;
    Task *tasks = mem_calloc((size_t)(n > 0 ? n : 1), sizeof *tasks);
    *all_ok = false;
    bool ok = true;
    for (int i = 0; i < n; i++) {
        memset(&results[i], 0, sizeof results[i]);
        results[i].rows = -1;
        results[i].status = selected[i] ? TASK_PENDING : TASK_NOT_SELECTED;
    }
    for (int i = 0; i < n && ok; i++) {
        if (!selected[i] || !opts->skip_succeeded) continue;
        char status[32];
        ok = state_task_status(state, p->jobs[i].name, ld->key, status, err);
        if (ok && strcmp(status, "success") == 0) {
            results[i].status = TASK_SKIPPED;
            if (opts->progress) fprintf(opts->progress, "[%s] %s: skipped (succeeded earlier)\n", ld->key, p->jobs[i].name);
        }
    }
    int running = 0;
    int parallel = opts->parallel > 0 ? opts->parallel : 1;
    while (ok) {
        double now = monotonic();
        /* start what is ready, in topological order */
        for (int k = 0; k < n && ok && !stop_flag; k++) {
            int j = dag->order[k];
            TaskResult *r = &results[j];
            bool ready = r->status == TASK_PENDING || (r->status == TASK_WAITING_RETRY && now >= tasks[j].retry_at);
            if (!ready || running >= parallel) continue;
            bool upstream_ok = true;
            for (int e = dag->up_start[j]; e < dag->up_start[j + 1]; e++) {
                TaskStatus us = results[dag->up[e]].status;
                /* an unselected upstream job is the caller's choice: not waited for */
                if (us != TASK_SUCCESS && us != TASK_SKIPPED && us != TASK_NOT_SELECTED) upstream_ok = false;
            }
            if (!upstream_ok) continue;
            if (r->status == TASK_PENDING) {
                bool claimed;
                ok = state_claim_task(state, run_id, p->jobs[j].name, ld->key, &claimed, err);
                if (!ok) break;
                if (!claimed) {
                    r->status = TASK_BUSY;
                    snprintf(r->error, sizeof r->error, "already running in another kiln process");
                    continue;
                }
            }
            r->attempts++;
            ok = start_attempt(p, j, ld, r->attempts, opts, &tasks[j], state, run_id, err);
            if (ok) {
                r->status = TASK_RUNNING;
                running++;
            }
        }
        if (!ok) break;
        /* reap children */
        for (int j = 0; j < n && ok; j++) {
            if (results[j].status != TASK_RUNNING) continue;
            int wstatus;
            pid_t got = waitpid(tasks[j].pid, &wstatus, WNOHANG);
            if (got == tasks[j].pid) {
                running--;
                ok = attempt_ended(p, dag, j, wstatus, tasks, results, state, run_id, ld, opts, err);
                continue;
            }
            /* timeouts and stop requests: TERM the group, KILL after the grace period */
            double timeout = p->jobs[j].policy.timeout;
            bool expired = timeout > 0 && now - tasks[j].started >= timeout;
            if ((expired || stop_flag) && tasks[j].term_sent == 0) {
                tasks[j].timed_out = expired;
                tasks[j].term_sent = now;
                kill(-tasks[j].pid, SIGTERM);
            } else if (tasks[j].term_sent > 0 && now - tasks[j].term_sent >= opts->kill_grace) {
                kill(-tasks[j].pid, SIGKILL);
            }
        }
        if (!ok) break;
        bool waiting = false;
        for (int j = 0; j < n; j++) {
            TaskStatus s = results[j].status;
            if (s == TASK_RUNNING) waiting = true;
            if (!stop_flag && (s == TASK_PENDING || s == TASK_WAITING_RETRY)) waiting = true;
        }
        if (!waiting) break;
        sleep_ms(20);
    }
    if (!ok) {
        /* the runner failed: stop what still runs, so no orphan keeps going */
        for (int j = 0; j < n; j++) {
            if (results[j].status != TASK_RUNNING || tasks[j].pid <= 0) continue;
            kill(-tasks[j].pid, SIGKILL);
            waitpid(tasks[j].pid, NULL, 0);
        }
    }
    bool everything = ok;
    for (int j = 0; j < n; j++) {
        TaskStatus s = results[j].status;
        if (s == TASK_PENDING || s == TASK_WAITING_RETRY) results[j].status = TASK_INTERRUPTED;
        s = results[j].status;
        if (s != TASK_NOT_SELECTED && s != TASK_SUCCESS && s != TASK_SKIPPED) everything = false;
    }
    *all_ok = everything;
    mem_free(tasks);
    return ok;
}
