/* help: usage texts of kiln and its subcommands (`kiln help [COMMAND]`,
 * `kiln --help`, `kiln COMMAND --help`), and the usage-error report.
 * docs/cli.md says the same at more length; keep the two in step. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char usage_overview[] =
    "kiln: a batch ETL engine (SQL over CSV and Parquet, PostgreSQL dialect)\n"
    "\n"
    "Usage: kiln COMMAND [OPTIONS] [ARGUMENTS]\n"
    "\n"
    "Commands:\n"
    "  run JOB.sql       run a job file, statement by statement\n"
    "  query SQL         run SQL and print the result of the last statement\n"
    "  run --all --ds D  run the jobs of the project (kiln.yaml) for a logical date\n"
    "  backfill          run the project's jobs for each date of a range\n"
    "  dag               print the project's job graph (text or Graphviz DOT)\n"
    "  history           list the recorded job attempts\n"
    "  status --ds D     the latest state of each job for a date\n"
    "  scheduler         run the project's jobs on their schedules (a service)\n"
    "  version           print the version of kiln and of its SQL parser\n"
    "  help [COMMAND]    print this help, or the help of COMMAND\n"
    "\n"
    "Run 'kiln help COMMAND' or 'kiln COMMAND --help' for the options of a command.\n"
    "\n"
    "Exit codes:\n"
    "  0  success\n"
    "  1  internal error (a bug in kiln)\n"
    "  2  usage error (unknown command or option, missing argument)\n"
    "  3  SQL error (syntax, unknown table or column, type mismatch, unknown parameter)\n"
    "  4  data error (a value that does not convert, malformed input file)\n"
    "  5  I/O error (a file that cannot be read or written)\n";

static const char usage_run[] =
    "Usage: kiln run JOB.sql [OPTIONS]\n"
    "\n"
    "Run the statements of a job file in order, in one session. The job stops at\n"
    "the first statement that fails. Placeholders {{ name }} in the file are\n"
    "replaced by the values given with --param, always as SQL literals (never as\n"
    "SQL text); see docs/jobs.md.\n"
    "\n"
    "Nothing is printed on standard output unless a statement returns rows; then\n"
    "the rows of the last statement that returned rows are printed.\n"
    "When standard error is a terminal (or with --verbose), each statement prints\n"
    "a status line such as \"[3/5] INSERT 0 1000  (0.12 s)\" on standard error.\n"
    "\n"
    "Options:\n"
    "  -p, --param NAME=VALUE  set parameter NAME (repeatable)\n"
    "  --set NAME=VALUE        a setting, as SET NAME = 'VALUE' before the job (repeatable)\n"
    "  --job NAME              the job's name in lake commit records and quality reports\n"
    "                          (default: the file's name without .sql)\n"
    "  --format FORMAT         output format: table (default), csv, json, jsonl\n"
    "  -v, --verbose           status lines even when stderr is not a terminal\n"
    "  -q, --quiet             no status lines and no progress indicator\n"
    "  -h, --help              print this help\n"
    "\n"
    "Examples:\n"
    "  kiln run jobs/orders_daily.sql --param ds=2026-11-24\n"
    "  kiln run report.sql --format csv > report.csv\n"
    "\n"
    "Exit codes: 0 ok, 1 internal error, 2 usage, 3 SQL error, 4 data error, 5 I/O error.\n"
    "\n"
    "Usage: kiln run (--all | --jobs A,B | --tags T) --ds YYYY-MM-DD [OPTIONS]\n"
    "\n"
    "Run jobs of the project kiln.yaml for one logical date, each job in its own\n"
    "process (kiln run FILE --param ds=...), upstream jobs first, with retries and\n"
    "timeouts; jobs downstream of a failure are not run. A summary table is printed\n"
    "at the end; see docs/orchestration.md.\n"
    "\n"
    "Options:\n"
    "  --project FILE          the project file (default kiln.yaml)\n"
    "  --all                   every job\n"
    "  --jobs A,B              these jobs\n"
    "  --tags T,U              the jobs with one of these tags\n"
    "  --with-upstream         also the jobs the selected ones depend on\n"
    "  --with-downstream       also the jobs that depend on the selected ones\n"
    "  --parallel N            at most N jobs at once (default 4)\n"
    "  -q, --quiet             no progress lines on stderr\n"
    "\n"
    "Exit codes: 0 every job succeeded, 2 usage or project file error, 5 I/O error,\n"
    "6 a job failed (or was not run because an upstream job failed), 130 interrupted.\n";

static const char usage_backfill[] =
    "Usage: kiln backfill --from YYYY-MM-DD --to YYYY-MM-DD [OPTIONS]\n"
    "\n"
    "Run the project's jobs (all, or those of --jobs/--tags) for each logical date\n"
    "from --from to --to in order. Jobs that already succeeded for a date are\n"
    "skipped unless --rerun, so the same command resumes an interrupted backfill.\n"
    "Stops after the first date on which a job failed.\n"
    "\n"
    "Options: --project FILE, --jobs A,B, --tags T, --with-upstream,\n"
    "  --with-downstream, --parallel N, --rerun, -q/--quiet (as for kiln run)\n"
    "  --parallel-dates N  run up to N dates at once, each in DAG order (default 1);\n"
    "                      summaries are printed as dates finish\n"
    "\n"
    "Exit codes: as for kiln run --all.\n";

static const char usage_dag[] =
    "Usage: kiln dag [--project FILE] [--format text|dot]\n"
    "\n"
    "Check the project file and print its jobs in the order they run, each with the\n"
    "jobs it depends on, or the graph in Graphviz DOT (kiln dag --format dot | dot -Tsvg).\n";

static const char usage_history[] =
    "Usage: kiln history [--project FILE] [--job NAME] [--ds DATE] [--limit N] [--json]\n"
    "\n"
    "List the recorded job attempts, newest first (50 unless --limit), from the\n"
    "state database .kiln/state.db beside the project file.\n";

static const char usage_status[] =
    "Usage: kiln status --ds DATE [--project FILE] [--json]\n"
    "\n"
    "The latest attempt of each job for the logical date DATE.\n";

static const char usage_scheduler[] =
    "Usage: kiln scheduler [--project FILE] [--once] [--until TIME] [--parallel N] [--grace SECONDS]\n"
    "\n"
    "Run the project's scheduled jobs on their cron schedules (in the project's or\n"
    "the job's timezone), each fire for the interval that just ended, with the jobs\n"
    "downstream that have no schedule. Catches up intervals missed while stopped\n"
    "(catchup, max_catchup in kiln.yaml). One line per event on stderr; runs are\n"
    "recorded in .kiln/state.db. See docs/orchestration.md.\n"
    "\n"
    "Options:\n"
    "  --project FILE   the project file (default kiln.yaml)\n"
    "  --once           run what is due now (with catch-up), then exit\n"
    "  --until TIME     run the fires up to this UTC time (2026-03-29T06:00:00Z), then exit\n"
    "  --parallel N     DAG runs at once (default 4)\n"
    "  --grace SECONDS  on SIGTERM/SIGINT, how long running runs may finish before\n"
    "                   they are stopped (default 60)\n"
    "\n"
    "Exit codes: 0 stopped (SIGTERM/SIGINT, --until) or --once succeeded, 2 usage or\n"
    "project file error, 5 state database or lock error, 6 a run of --once failed.\n";

static const char usage_query[] =
    "Usage: kiln query [OPTIONS] SQL\n"
    "       kiln query [OPTIONS] -        (read the SQL from standard input)\n"
    "\n"
    "Run one or more statements (separated by semicolons) and print the result of\n"
    "the last one. When the last statement returns no rows, the table format\n"
    "prints its command tag (for example \"CREATE TABLE\").\n"
    "\n"
    "Options:\n"
    "  --format FORMAT         table (default; NULL shows as an empty cell),\n"
    "                          csv (header line; NULL is an empty field, \"\" the empty string),\n"
    "                          json (an array of objects), jsonl (one object per line)\n"
    "  -p, --param NAME=VALUE  set parameter NAME for {{ NAME }} placeholders\n"
    "  --set NAME=VALUE        a setting, as SET NAME = 'VALUE' before the statements\n"
    "  -q, --quiet             no progress indicator\n"
    "  -h, --help              print this help\n"
    "\n"
    "Examples:\n"
    "  kiln query \"SELECT 1 AS one, 'x' AS letter\"\n"
    "  kiln query --format csv \"SELECT * FROM read_csv('data/*.csv')\" > all.csv\n"
    "  kiln query --param day=2026-11-24 \"SELECT {{ day }}::date + 1 AS next_day\"\n"
    "\n"
    "Exit codes: 0 ok, 1 internal error, 2 usage, 3 SQL error, 4 data error, 5 I/O error.\n";

static const char usage_version[] =
    "Usage: kiln version\n"
    "       kiln --version\n"
    "\n"
    "Print the version of kiln and the PostgreSQL version of its SQL parser.\n";

static const char usage_help[] =
    "Usage: kiln help [COMMAND]\n"
    "\n"
    "Print the overview of kiln, or the usage of COMMAND (run, query, version, help).\n";

bool cli_print_usage(FILE *out, const char *command)
{
    const char *text = NULL;
    if (command == NULL) text = usage_overview;
    else if (strcmp(command, "run") == 0) text = usage_run;
    else if (strcmp(command, "query") == 0) text = usage_query;
    else if (strcmp(command, "version") == 0) text = usage_version;
    else if (strcmp(command, "help") == 0) text = usage_help;
    else if (strcmp(command, "backfill") == 0) text = usage_backfill;
    else if (strcmp(command, "dag") == 0) text = usage_dag;
    else if (strcmp(command, "history") == 0) text = usage_history;
    else if (strcmp(command, "status") == 0) text = usage_status;
    else if (strcmp(command, "scheduler") == 0) text = usage_scheduler;
    if (text == NULL) return false;
    fputs(text, out);
    return true;
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
    char message[ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    fprintf(stderr, "kiln: %s\n", message);
    if (command) fprintf(stderr, "Try 'kiln %s --help' for more information.\n", command);
    else fprintf(stderr, "Try 'kiln help' for more information.\n");
    return EXIT_USAGE;
}

int cli_cmd_help(int argc, char **argv)
{
    if (argc > 2) return cli_usage_error("help", "too many arguments");
    const char *command = argc == 2 ? argv[1] : NULL;
    if (command && (strcmp(command, "-h") == 0 || strcmp(command, "--help") == 0)) command = "help";
    if (!cli_print_usage(stdout, command)) return cli_usage_error(NULL, "unknown command \"%s\"", command);
    return EXIT_OK;
}
