/* main: the kiln command-line entry point; dispatches argv[1] to the
 * subcommand in cli/ and returns its exit code (see cli/cli.h). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

typedef int (*CommandFn)(int argc, char **argv);

static const struct {
    const char *name;
    CommandFn fn;
} commands[] = {
    {"run", cli_cmd_run},
    {"query", cli_cmd_query},
    {"backfill", cli_cmd_backfill},
    {"dag", cli_cmd_dag},
    {"history", cli_cmd_history},
    {"status", cli_cmd_status},
    {"scheduler", cli_cmd_scheduler},
    {"version", cli_cmd_version},
    {"help", cli_cmd_help},
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        cli_print_usage(stderr, NULL);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) return cli_cmd_help(argc - 1, argv + 1);
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) return cli_cmd_version(1, argv + 1);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(name, commands[i].name) == 0) return commands[i].fn(argc - 1, argv + 1);
    }
    if (name[0] == '-') return cli_usage_error(NULL, "unknown option \"%s\"", name);
    return cli_usage_error(NULL, "unknown command \"%s\"", name);
}
