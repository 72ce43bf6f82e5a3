/* scheduler: `kiln scheduler [--project FILE] [--once] [--until TIME]
 * [--parallel N] [--grace SECONDS]` runs the project's scheduler service
 * (sched/scheduler.h) in the foreground, logging to stderr.  SIGTERM and
 * SIGINT stop it gracefully (exit 0). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "sched/clock.h"
#include "sched/scheduler.h"

static void on_stop_signal(int sig)
{
    (void)sig;
    scheduler_request_stop();
}

/* The value of option name at argv[*i] ("--name V" or "--name=V"); NULL if argv[*i] is not it. */
static const char *option_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
    size_t n = strlen(name);
    const char *arg = argv[*i];
    if (strncmp(arg, name, n) != 0) return NULL;
    if (arg[n] == '=') return arg + n + 1;
    if (arg[n] != '\0') return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

int cli_cmd_scheduler(int argc, char **argv)
{
    OrchOptions orch;
    memset(&orch, 0, sizeof orch);
    orch.project = "kiln.yaml";
    SchedulerOptions so = {.parallel = 4, .job_parallel = 4, .grace = 60, .log = stderr};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        bool missing = false;
        const char *v;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            cli_print_usage(stdout, "scheduler");
            return EXIT_OK;
        } else if (strcmp(arg, "--once") == 0) {
            so.once = true;
        } else if ((v = option_value(argc, argv, &i, "--project", &missing))) {
            orch.project = v;
        } else if ((v = option_value(argc, argv, &i, "--until", &missing))) {
            if (!sched_parse_utc(v, &so.until)) {
                return cli_usage_error("scheduler", "--until: expected a UTC time such as 2026-03-29T06:00:00Z, got \"%s\"", v);
            }
            so.has_until = true;
        } else if ((v = option_value(argc, argv, &i, "--parallel", &missing))) {
            char *end;
            errno = 0;
            long n = strtol(v, &end, 10);
            if (end == v || *end != '\0' || errno != 0 || n < 1 || n > 1000) {
                return cli_usage_error("scheduler", "--parallel: expected a whole number from 1 to 1000, got \"%s\"", v);
            }
            so.parallel = (int)n;
        } else if ((v = option_value(argc, argv, &i, "--grace", &missing))) {
            char *end;
            errno = 0;
            double g = strtod(v, &end);
            if (end == v || *end != '\0' || errno != 0 || !isfinite(g) || g < 0 || g > 86400) {
                return cli_usage_error("scheduler", "--grace: expected seconds from 0 to 86400, got \"%s\"", v);
            }
            so.grace = g;
        } else if (missing) {
            return cli_usage_error("scheduler", "option %s needs a value", arg);
        } else {
            return cli_usage_error("scheduler", "unknown option \"%s\"", arg);
        }
    }
    Error err = ERROR_INIT;
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0 || (size_t)len >= sizeof exe - 1) {
        error_set(&err, ERR_INTERNAL, "could not find the kiln binary (/proc/self/exe)");
        cli_report_error(&err, NULL, 0);
        return error_exit_code(&err);
    }
    exe[len] = '\0';
    so.kiln_exe = exe;
    Project p;
    Dag dag;
    if (!cli_orch_load(&orch, &p, &dag, &err)) {
        cli_report_error(&err, NULL, 0);
        return error_exit_code(&err);
    }
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int failed = 0;
    bool ok = scheduler_run(&p, &dag, &so, &failed, &err);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    dag_free(&dag);
    project_free(&p);
    if (!ok) {
        cli_report_error(&err, NULL, 0);
        return error_exit_code(&err);
    }
    /* --once answers whether what it ran succeeded; a service stopped by a signal exits 0 */
    return so.once && failed > 0 ? EXIT_JOBS_FAILED : EXIT_OK;
}
