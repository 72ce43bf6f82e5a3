/* sqlite_scan: what a SQLite scan plan node (PLAN_EXTERNAL_SCAN with
 * sqlite_scan_provider) carries: the database, the table or query, and the
 * schema settled at bind time. */
#ifndef KILN_EXEC_SQLITE_SCAN_H
#define KILN_EXEC_SQLITE_SCAN_H

#include "connectors/sqlite.h"

typedef struct SqliteScanSpec {
    const char *path;     /* database file */
    const char *source;   /* table name or query */
    SqliteSchema schema;  /* every column of the source (arrays in the binder's arena) */
} SqliteScanSpec;

struct ScanProvider;
/* The provider of SQLite scans (op_sqlite_scan.c). */
extern const struct ScanProvider sqlite_scan_provider;

#endif
