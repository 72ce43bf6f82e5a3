/* version: `kiln version` / `kiln --version` prints kiln's version and the
 * PostgreSQL version whose grammar libpg_query parses:
 *   kiln 0.1.0
 *   SQL parser: libpg_query (PostgreSQL 15.1) */
#include <pg_query.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/version.h"

int cli_cmd_version(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        cli_print_usage(stdout, "version");
        return EXIT_OK;
    }
    if (argc > 1) return cli_usage_error("version", "unexpected argument \"%s\"", argv[1]);
    printf("kiln %s\n", KILN_VERSION);
    printf("SQL parser: libpg_query (PostgreSQL %s)\n", PG_VERSION);
    return EXIT_OK;
}
