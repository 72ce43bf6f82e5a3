/* options: the options that `kiln run` and `kiln query` share.
 *
 *   -p, --param NAME=VALUE   set a job parameter (repeatable; the last wins)
 *   --set NAME=VALUE         a setting, as SET NAME = 'VALUE' before the job (repeatable)
 *   --job NAME               the job's name in lake commit records and reports
 *   --report FILE            write the run's quality report there (JSON; kiln run)
 *   --baseline FILE          an earlier quality report the checks compare with (kiln run)
 *   --format FORMAT          table (default), csv, json, jsonl
 *   -v, --verbose            status line per statement even when stderr is not a terminal
 *   -q, --quiet              no status lines, no progress
 *   -h, --help               usage of the command
 *   --                       everything after it is positional
 *
 * Long options also take their value as --name=value.  A lone "-" is a
 * positional argument (standard input). */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/mem.h"
#include "sql/settings.h"

/* If arg is --name or --name=value, return true and point *inline_value
 * at the value (or NULL). */
static bool long_option(const char *arg, const char *name, const char **inline_value)
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

/* The value of an option: inline (--x=v) or the next argument. */
static const char *option_value(int argc, char **argv, int *i, const char *inline_value, const char *option,
                                Error *err)
{
    if (inline_value) return inline_value;
    if (*i + 1 >= argc) {
        error_set(err, ERR_USAGE, "option %s needs a value", option);
        return NULL;
    }
    (*i)++;
    return argv[*i];
}

bool cli_parse_options(int argc, char **argv, CliOptions *o, Error *err)
{
    memset(o, 0, sizeof *o);
    o->format = OUTPUT_TABLE;
    job_params_init(&o->params);
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *inline_value = NULL;
        if (options_done || arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (o->npositional == CLI_MAX_POSITIONAL) return error_set(err, ERR_USAGE, "too many arguments");
            o->positional[o->npositional++] = arg;
        } else if (strcmp(arg, "--") == 0) {
            options_done = true;
        } else if (strcmp(arg, "-p") == 0 || long_option(arg, "--param", &inline_value)) {
            const char *v = option_value(argc, argv, &i, inline_value, "--param", err);
            if (v == NULL || !job_params_set_assignment(&o->params, v, err)) return false;
        } else if (long_option(arg, "--set", &inline_value)) {
            const char *v = option_value(argc, argv, &i, inline_value, "--set", err);
            if (v == NULL) return false;
            if (strchr(v, '=') == NULL || v[0] == '=')
                return error_set(err, ERR_USAGE, "--set needs NAME=VALUE, got \"%s\"", v);
            if (o->nsets == CLI_MAX_SETS) return error_set(err, ERR_USAGE, "too many --set options");
            o->sets[o->nsets++] = v;
        } else if (long_option(arg, "--job", &inline_value)) {
            const char *v = option_value(argc, argv, &i, inline_value, "--job", err);
            if (v == NULL) return false;
            if (v[0] == '\0') return error_set(err, ERR_USAGE, "--job needs a name");
            o->job_name = v;
        } else if (long_option(arg, "--report", &inline_value) || long_option(arg, "--baseline", &inline_value)) {
            bool report = arg[2] == 'r';
            const char *v = option_value(argc, argv, &i, inline_value, report ? "--report" : "--baseline", err);
            if (v == NULL) return false;
            if (v[0] == '\0') return error_set(err, ERR_USAGE, "%s needs a file name", report ? "--report" : "--baseline");
            if (report) o->report_path = v;
            else o->baseline_path = v;
        } else if (long_option(arg, "--format", &inline_value)) {
            const char *v = option_value(argc, argv, &i, inline_value, "--format", err);
            if (v == NULL) return false;
            if (!cli_output_format_from_name(v, &o->format)) {
                return error_set(err, ERR_USAGE, "unknown output format \"%s\" (use table, csv, json or jsonl)", v);
            }
        } else if (strcmp(arg, "-v") == 0 || strcmp(arg, "--verbose") == 0) {
            o->verbose = true;
        } else if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
            o->quiet = true;
        } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            o->help = true;
        } else {
            return error_set(err, ERR_USAGE, "unknown option \"%s\"", arg);
        }
    }
    return true;
}

void cli_options_free(CliOptions *o) { job_params_free(&o->params); }

bool cli_apply_session_options(Session *s, const CliOptions *o, const char *default_job, Error *err)
{
    /* the runner passes the project's warehouse here, out of the command line */
    const char *warehouse = getenv(KILN_WAREHOUSE_ENV);
    if (warehouse && warehouse[0] && !settings_set(session_settings(s), "warehouse", warehouse, err)) {
        error_prefix(err, "%s", KILN_WAREHOUSE_ENV);
        err->kind = ERR_USAGE;
        return false;
    }
    for (int i = 0; i < o->nsets; i++) {
        const char *eq = strchr(o->sets[i], '=');
        char *name = mem_strndup(o->sets[i], (size_t)(eq - o->sets[i]));
        bool ok = settings_set(session_settings(s), name, eq + 1, err);
        if (!ok) error_prefix(err, "--set %s", name);
        mem_free(name);
        if (!ok) {
            err->kind = ERR_USAGE;
            return false;
        }
    }
    const char *job = o->job_name ? o->job_name : default_job;
    char *params = job_params_to_json(&o->params);
    session_set_run_context(s, job, params, job_params_get(&o->params, "ds"));
    mem_free(params);
    return true;
}
