/* scheduler: the service loop.  Each turn: read the clock, queue the fires
 * that came due (with catch-up) in the state database, start queued fires
 * as DAG runs in child processes up to the limit, reap the ones that ended,
 * and sleep until the next fire (real seconds scaled by the fake clock's
 * speed, at most 1 s, 50 ms while runs go on).  See scheduler.h for the
 * rules; the state lives in scheduler_db.h's tables so a restart picks up
 * where the last process stopped. */
#include "sched/scheduler.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "sched/clock.h"
#include "sched/logical_date.h"
#include "sched/runner.h"
#include "sched/scheduler_db.h"
#include "sched/scheduler_tz.h"
#include "sched/state.h"

static volatile sig_atomic_t stop_flag = 0;

void scheduler_request_stop(void) { stop_flag = 1; }

/* One DAG run in a child process. */
typedef struct RunSlot {
    pid_t pid;       /* 0 when free */
    SchedFire *fires;
    int nfires;
} RunSlot;

typedef struct Sched {
    const Project *p;
    const Dag *dag;
    const SchedulerOptions *o;
    SchedDb *db;
    char state_path[4096];
    int lock_fd;
    SchedZone *zones;
    int64_t *last, *next; /* per job: the last fire queued, the next one */
    bool *has_next;
    RunSlot *slots;
    int running;
    int failed;
    bool stopping;
} Sched;

static double monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_seconds(double seconds)
{
    struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    nanosleep(&ts, NULL);
}

/* One line on the log and one row in scheduler_events. */
static void log_event(Sched *s, const char *event, const char *job, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void log_event(Sched *s, const char *event, const char *job, const char *key, const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    int64_t now = sched_clock_now();
    char when[32];
    sched_format_utc(now, when);
    if (s->o->log) {
        fprintf(s->o->log, "%s scheduler: %s%s%s%s%s: %s\n", when, event, job ? " " : "", job ? job : "",
                key ? " " : "", key ? key : "", message);
        fflush(s->o->log);
    }
    Error err = ERROR_INIT;
    if (s->db && !sched_db_event(s->db, now, event, job, key, message, &err) && s->o->log) {
        fprintf(s->o->log, "%s scheduler: warning: could not record the event: %s\n", when, err.message);
    }
}

static bool process_alive(int64_t pid)
{
    if (pid <= 0) return false;
    if (kill((pid_t)pid, 0) != 0 && errno != EPERM) return false;
    /* a zombie (dead, not yet reaped: an init that does not reap, as in
     * some containers) is not alive */
    char path[64], stat[256];
    snprintf(path, sizeof path, "/proc/%lld/stat", (long long)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL) return true;
    size_t n = fread(stat, 1, sizeof stat - 1, f);
    fclose(f);
    stat[n] = '\0';
    const char *paren = strrchr(stat, ')');
    return !(paren && paren[1] == ' ' && paren[2] == 'Z');
}

/* Take .kiln/scheduler.lock; *got false when a stop (or --until) came first. */
static bool acquire_lock(Sched *s, bool *got, Error *err)
{
    *got = false;
    char path[4200];
    snprintf(path, sizeof path, "%s/.kiln/scheduler.lock", s->p->dir);
    s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (s->lock_fd < 0) return error_set(err, ERR_IO, "could not open \"%s\": %s", path, strerror(errno));
    bool told = false;
    for (;;) {
        if (flock(s->lock_fd, LOCK_EX | LOCK_NB) == 0) {
            char pid[32];
            int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
            if (ftruncate(s->lock_fd, 0) != 0 || pwrite(s->lock_fd, pid, (size_t)n, 0) != n) {
                return error_set(err, ERR_IO, "could not write \"%s\": %s", path, strerror(errno));
            }
            if (told) log_event(s, "lock", NULL, NULL, "took %s", path);
            *got = true;
            return true;
        }
        if (errno != EWOULDBLOCK && errno != EINTR) {
            return error_set(err, ERR_IO, "could not lock \"%s\": %s", path, strerror(errno));
        }
        char holder[32] = "?";
        ssize_t n = pread(s->lock_fd, holder, sizeof holder - 1, 0);
        holder[n > 0 ? n : 0] = '\0';
        holder[strcspn(holder, "\n")] = '\0';
        if (s->o->once) {
            return error_set(err, ERR_IO, "another scheduler (pid %s) is running for this project (it holds %s)",
                             holder, path);
        }
        if (!told) log_event(s, "waiting", NULL, NULL, "another scheduler (pid %s) holds %s; waiting for it", holder, path);
        told = true;
        if (stop_flag || (s->o->has_until && sched_clock_now() >= s->o->until)) return true;
        sleep_seconds(0.2);
    }
}

/* Fires left behind by an earlier scheduler process. */
static bool recover(Sched *s, Error *err)
{
    SchedFire *fires;
    int n;
    if (!sched_db_fires(s->db, "running", &fires, &n, err)) return false;
    bool ok = true;
    for (int i = 0; i < n && ok; i++) {
        SchedFire *f = &fires[i];
        if (process_alive(f->pid) && f->pid != getpid()) {
            log_event(s, "recover", f->job, f->key, "still running in process %lld; left alone", (long long)f->pid);
            continue;
        }
        int j = project_find_job(s->p, f->job);
        int retries = j >= 0 ? s->p->jobs[j].policy.retries : 0;
        if (f->tries <= retries) {
            ok = sched_db_update(s->db, f->job, f->key, "queued", f->tries, 0, err);
            log_event(s, "recover", f->job, f->key,
                      "interrupted (its scheduler died while it ran); queued again (try %d of %d)", f->tries + 1,
                      retries + 1);
        } else {
            ok = sched_db_update(s->db, f->job, f->key, "failed", f->tries, 0, err);
            log_event(s, "recover", f->job, f->key, "interrupted (its scheduler died while it ran); no retries left");
            s->failed++;
        }
    }
    mem_free(fires);
    if (!ok) return false;
    if (!sched_db_fires(s->db, "interrupted", &fires, &n, err)) return false;
    for (int i = 0; i < n && ok; i++) {
        ok = sched_db_update(s->db, fires[i].job, fires[i].key, "queued", fires[i].tries > 0 ? fires[i].tries - 1 : 0,
                             0, err);
        log_event(s, "recover", fires[i].job, fires[i].key, "stopped by the last shutdown; queued again");
    }
    mem_free(fires);
    return ok;
}

static bool job_catchup(const Project *p, const ProjectJob *job) { return job->catchup >= 0 ? job->catchup == 1 : p->catchup; }

/* Queue the fires of every job that came due by now. */
static bool queue_due(Sched *s, int64_t now, Error *err)
{
    const Project *p = s->p;
    int cap = p->max_catchup > 0 ? p->max_catchup : 1;
    int64_t *fires = mem_alloc(sizeof *fires * (size_t)cap);
    bool ok = true;
    for (int j = 0; j < p->njobs && ok; j++) {
        const ProjectJob *job = &p->jobs[j];
        if (job->schedule == NULL || !s->has_next[j] || s->next[j] > now) continue;
        bool catchup = job_catchup(p, job);
        int n;
        int64_t skipped, seen;
        sched_due_fires(&job->cron, &s->zones[j], s->last[j], now, catchup, p->max_catchup, fires, cap, &n, &skipped,
                        &seen);
        if (skipped > 0) {
            log_event(s, "catchup", job->name, NULL, "skipped %lld older interval%s (%s)", (long long)skipped,
                      skipped == 1 ? "" : "s",
                      catchup ? "max_catchup reached" : "catchup: false runs only the latest");
        }
        for (int k = 0; k < n && ok; k++) {
            int64_t logical;
            if (!sched_prev_fire(&job->cron, &s->zones[j], fires[k], &logical)) logical = fires[k];
            char key[20], ds[11], ts[20], fire_text[32], logical_text[32];
            sched_logical_key(&job->cron, &s->zones[j], logical, key, ds, ts);
            bool queued;
            ok = sched_db_queue(s->db, job->name, key, fires[k], logical, &queued, err);
            if (!ok) break;
            sched_format_utc(fires[k], fire_text);
            sched_format_utc(logical, logical_text);
            if (queued) {
                log_event(s, "queued", job->name, key, "fire %s for the interval from %s (%s, %s)", fire_text,
                          logical_text, ts, s->zones[j].name);
            } else {
                log_event(s, "duplicate", job->name, key, "fire %s: this job and key were queued before; not again",
                          fire_text);
            }
        }
        if (ok && seen > s->last[j]) {
            s->last[j] = seen;
            ok = sched_db_set_last_fire(s->db, job->name, seen, err);
        }
        s->has_next[j] = sched_next_fire(&job->cron, &s->zones[j], s->last[j], &s->next[j]);
    }
    mem_free(fires);
    return ok;
}

static void stop_child(int sig)
{
    (void)sig;
    runner_request_stop();
}

/* The child of one DAG run: runs it and exits with 0 (all succeeded), 6
 * (a job failed), 130 (stopped) or 5 (the runner failed). */
static void run_child(Sched *s, pid_t parent, const bool *selected, const LogicalDate *ld, const char *args)
{
    setpgid(0, 0); /* a Ctrl-C at the terminal reaches the scheduler only; it decides */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(137);
    if (s->lock_fd >= 0) close(s->lock_fd); /* the lock is the scheduler's alone */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = stop_child;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    /* the parent's database connection is not touched here (SQLite forbids
     * using it across fork); the run opens its own */
    StateDb *state = NULL;
    Error err = ERROR_INIT;
    int64_t run_id = 0;
    bool ok = state_open(s->state_path, &state, &err) && state_begin_run(state, "scheduled", args, &run_id, &err);
    TaskResult *results = mem_calloc((size_t)(s->p->njobs > 0 ? s->p->njobs : 1), sizeof *results);
    RunnerOptions ro = {.kiln_exe = s->o->kiln_exe, .parallel = s->o->job_parallel, .skip_succeeded = true,
                        .kill_grace = 5, .progress = s->o->log};
    bool all_ok = false;
    if (ok) ok = runner_run_logical(s->p, s->dag, selected, ld, state, run_id, &ro, results, &all_ok, &err);
    bool stopped = runner_stop_requested();
    if (state && run_id > 0) {
        Error end_err = ERROR_INIT;
        state_end_run(state, run_id, !ok ? "failed" : stopped ? "interrupted" : all_ok ? "success" : "failed", &end_err);
    }
    if (!ok && s->o->log) fprintf(s->o->log, "kiln: %s\n", err.message);
    if (s->o->log) fflush(s->o->log);
    _exit(!ok ? 5 : stopped ? 130 : all_ok ? 0 : 6); /* no atexit: nothing of the parent's is closed here */
}

/* Start one DAG run for fires (same key, same instant). */
static bool start_group(Sched *s, RunSlot *slot, SchedFire *fires, int n, Error *err)
{
    const Project *p = s->p;
    bool *selected = mem_calloc((size_t)(p->njobs + 1), sizeof *selected);
    int *work = mem_alloc(sizeof *work * (size_t)(p->njobs + 1));
    int top = 0, first = -1;
    for (int i = 0; i < n; i++) {
        int j = project_find_job(p, fires[i].job);
        if (j < 0 || selected[j]) continue;
        if (first < 0) first = j;
        selected[j] = true;
        work[top++] = j;
    }
    /* with the unscheduled jobs downstream: they run when their upstream fires */
    while (top > 0) {
        int v = work[--top];
        for (int e = s->dag->down_start[v]; e < s->dag->down_start[v + 1]; e++) {
            int d = s->dag->down[e];
            if (selected[d] || p->jobs[d].schedule != NULL) continue;
            selected[d] = true;
            work[top++] = d;
        }
    }
    mem_free(work);
    LogicalDate ld;
    char key[20], ds[11], ts[20];
    sched_logical_key(&p->jobs[first].cron, &s->zones[first], fires[0].logical_at, key, ds, ts);
    int64_t days = 0;
    Error ignored = ERROR_INIT;
    sched_parse_ds(ds, "logical date", &days, &ignored);
    sched_logical_date(days, &ld);
    memcpy(ld.ts, ts, sizeof ld.ts);
    snprintf(ld.key, sizeof ld.key, "%s", fires[0].key);
    StrBuf jobs = STRBUF_INIT;
    for (int j = 0; j < p->njobs; j++) {
        if (selected[j]) strbuf_printf(&jobs, "%s%s", jobs.len ? "," : "", p->jobs[j].name);
    }
    char *args = mem_printf("kiln scheduler: %s for %s", strbuf_cstr(&jobs), ld.key);
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) run_child(s, parent, selected, &ld, args);
    mem_free(args);
    mem_free(selected);
    if (pid < 0) {
        strbuf_free(&jobs);
        return error_set(err, ERR_IO, "could not start a process for a run: %s", strerror(errno));
    }
    slot->pid = pid;
    slot->nfires = n;
    slot->fires = mem_alloc(sizeof *slot->fires * (size_t)n);
    memcpy(slot->fires, fires, sizeof *fires * (size_t)n);
    s->running++;
    bool ok = true;
    for (int i = 0; i < n && ok; i++) {
        slot->fires[i].tries++;
        ok = sched_db_update(s->db, fires[i].job, fires[i].key, "running", slot->fires[i].tries, pid, err);
    }
    log_event(s, "started", NULL, ld.key, "DAG run in process %ld: %s", (long)pid, strbuf_cstr(&jobs));
    strbuf_free(&jobs);
    return ok;
}

/* Start queued fires while there is room; *waiting = fires still queued. */
static bool start_runs(Sched *s, int *waiting, Error *err)
{
    *waiting = 0;
    SchedFire *fires;
    int n;
    if (!sched_db_fires(s->db, "queued", &fires, &n, err)) return false;
    bool *used = mem_calloc((size_t)(n + 1), sizeof *used);
    SchedFire *group = mem_alloc(sizeof *group * (size_t)(n + 1));
    bool ok = true;
    for (int i = 0; i < n && ok; i++) {
        if (used[i]) continue;
        if (project_find_job(s->p, fires[i].job) < 0) {
            used[i] = true;
            ok = sched_db_update(s->db, fires[i].job, fires[i].key, "failed", fires[i].tries, 0, err);
            log_event(s, "failed", fires[i].job, fires[i].key, "the job is no longer in %s", s->p->path);
            s->failed++;
            continue;
        }
        RunSlot *slot = NULL;
        for (int k = 0; k < s->o->parallel && slot == NULL; k++) {
            if (s->slots[k].pid == 0) slot = &s->slots[k];
        }
        if (slot == NULL) {
            (*waiting)++;
            continue;
        }
        int g = 0;
        for (int k = i; k < n; k++) {
            if (!used[k] && fires[k].fire_at == fires[i].fire_at && strcmp(fires[k].key, fires[i].key) == 0 &&
                project_find_job(s->p, fires[k].job) >= 0) {
                used[k] = true;
                group[g++] = fires[k];
            }
        }
        ok = start_group(s, slot, group, g, err);
    }
    mem_free(group);
    mem_free(used);
    mem_free(fires);
    return ok;
}

/* Record the runs that ended. */
static bool reap_runs(Sched *s, Error *err)
{
    bool ok = true;
    for (int k = 0; k < s->o->parallel && ok; k++) {
        RunSlot *slot = &s->slots[k];
        if (slot->pid == 0) continue;
        int wstatus;
        pid_t got = waitpid(slot->pid, &wstatus, WNOHANG);
        if (got != slot->pid) continue;
        int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + (WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0);
        const char *status = code == 0 ? "success" : code == 130 && s->stopping ? "interrupted" : "failed";
        for (int i = 0; i < slot->nfires && ok; i++) {
            ok = sched_db_update(s->db, slot->fires[i].job, slot->fires[i].key, status, slot->fires[i].tries, 0, err);
        }
        if (strcmp(status, "failed") == 0) s->failed += slot->nfires;
        log_event(s, "finished", NULL, slot->fires[0].key, "DAG run in process %ld: %s%s", (long)slot->pid, status,
                  code == 6   ? " (a job failed; see kiln history)"
                  : code == 0 || code == 130 ? ""
                              : " (the run itself failed)");
        mem_free(slot->fires);
        memset(slot, 0, sizeof *slot);
        s->running--;
    }
    return ok;
}

static bool setup_jobs(Sched *s, int64_t now, Error *err)
{
    const Project *p = s->p;
    int nscheduled = 0;
    for (int j = 0; j < p->njobs; j++) {
        const ProjectJob *job = &p->jobs[j];
        if (job->schedule == NULL) continue;
        nscheduled++;
        if (!sched_zone_load(job->timezone ? job->timezone : p->timezone, &s->zones[j], err)) return false;
        bool found;
        if (!sched_db_last_fire(s->db, job->name, &s->last[j], &found, err)) return false;
        if (!found) {
            s->last[j] = now; /* a new job starts from now, not from the beginning of time */
            if (!sched_db_set_last_fire(s->db, job->name, now, err)) return false;
        }
        s->has_next[j] = sched_next_fire(&job->cron, &s->zones[j], s->last[j], &s->next[j]);
        char next[32] = "never";
        if (s->has_next[j]) sched_format_utc(s->next[j], next);
        log_event(s, "schedule", job->name, NULL, "\"%s\" in %s%s; next fire %s", job->schedule, s->zones[j].name,
                  found ? "" : " (first start: from now)", next);
    }
    if (nscheduled == 0) log_event(s, "schedule", NULL, NULL, "no job of %s has a schedule", p->path);
    return true;
}

/* Real seconds to sleep before the next turn. */
static double nap(const Sched *s, int64_t now)
{
    if (s->running > 0 || s->stopping) return 0.05;
    int64_t earliest = INT64_MAX;
    for (int j = 0; j < s->p->njobs; j++) {
        if (s->p->jobs[j].schedule && s->has_next[j] && s->next[j] < earliest) earliest = s->next[j];
    }
    if (s->o->has_until && s->o->until < earliest) earliest = s->o->until;
    if (earliest == INT64_MAX) return 1.0;
    double wait = sched_clock_real_seconds(earliest > now ? (double)(earliest - now) : 0) + 0.005;
    return wait < 0.01 ? 0.01 : wait > 1.0 ? 1.0 : wait;
}

bool scheduler_run(const Project *p, const Dag *dag, const SchedulerOptions *o, int *failed, Error *err)
{
    *failed = 0;
    Sched s;
    memset(&s, 0, sizeof s);
    s.p = p;
    s.dag = dag;
    s.o = o;
    s.lock_fd = -1;
    int n = p->njobs > 0 ? p->njobs : 1;
    s.zones = mem_calloc((size_t)n, sizeof *s.zones);
    s.last = mem_calloc((size_t)n, sizeof *s.last);
    s.next = mem_calloc((size_t)n, sizeof *s.next);
    s.has_next = mem_calloc((size_t)n, sizeof *s.has_next);
    s.slots = mem_calloc((size_t)o->parallel, sizeof *s.slots);
    snprintf(s.state_path, sizeof s.state_path, "%s/.kiln/state.db", p->dir);
    bool ok = sched_clock_init(err);
    /* state.db first: it creates .kiln/ and marks runs of dead processes interrupted */
    StateDb *state = NULL;
    if (ok) ok = state_open(s.state_path, &state, err) && state_recover(state, NULL, err);
    state_close(state);
    if (ok) ok = sched_db_open(s.state_path, &s.db, err);
    bool locked = false;
    if (ok) ok = acquire_lock(&s, &locked, err);
    int64_t start = sched_clock_now();
    if (ok && locked) {
        log_event(&s, "start", NULL, NULL, "scheduler of %s (pid %ld)%s", p->path, (long)getpid(),
                  sched_clock_is_fake() ? " on a fake clock (KILN_FAKE_NOW)" : "");
        ok = recover(&s, err) && setup_jobs(&s, start, err);
    }
    bool terminated = false;
    double stop_deadline = 0;
    while (ok && locked) {
        int64_t now = sched_clock_now();
        int64_t due = o->once ? start : o->has_until && o->until < now ? o->until : now;
        if (stop_flag && !s.stopping) {
            s.stopping = true;
            stop_deadline = monotonic() + o->grace;
            log_event(&s, "stopping", NULL, NULL, "no new runs; %d running run%s may finish for %g s", s.running,
                      s.running == 1 ? "" : "s", o->grace);
        }
        int waiting = 0;
        if (!s.stopping) ok = queue_due(&s, due, err) && start_runs(&s, &waiting, err);
        if (ok) ok = reap_runs(&s, err);
        if (!ok) break;
        if (s.stopping && s.running > 0 && !terminated && monotonic() >= stop_deadline) {
            terminated = true;
            log_event(&s, "stopping", NULL, NULL, "grace period over: stopping %d run%s", s.running,
                      s.running == 1 ? "" : "s");
            for (int k = 0; k < o->parallel; k++) {
                if (s.slots[k].pid > 0) kill(s.slots[k].pid, SIGTERM);
            }
        }
        if (s.running == 0 && waiting == 0) {
            if (s.stopping || o->once) break;
            if (o->has_until && now >= o->until) break;
        }
        sleep_seconds(nap(&s, now));
    }
    if (!ok) {
        /* the scheduler failed: its runs must not go on unwatched */
        for (int k = 0; k < o->parallel; k++) {
            if (s.slots[k].pid <= 0) continue;
            kill(s.slots[k].pid, SIGTERM);
            waitpid(s.slots[k].pid, NULL, 0);
            mem_free(s.slots[k].fires);
        }
    }
    if (locked && ok) log_event(&s, "stop", NULL, NULL, "scheduler stopped");
    if (s.lock_fd >= 0) close(s.lock_fd);
    sched_db_close(s.db);
    *failed = s.failed;
    mem_free(s.zones);
    mem_free(s.last);
    mem_free(s.next);
    mem_free(s.has_next);
    mem_free(s.slots);
    return ok;
}
