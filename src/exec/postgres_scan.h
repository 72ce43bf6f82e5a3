/* postgres_scan: what a PostgreSQL scan plan node (PLAN_EXTERNAL_SCAN with
 * postgres_scan_provider) carries: the connection string, the table or
 * query, the schema settled at bind time, and the partition conditions of
 * a parallel extraction. */
#ifndef KILN_EXEC_POSTGRES_SCAN_H
#define KILN_EXEC_POSTGRES_SCAN_H

#include "connectors/postgres.h"

typedef struct PostgresScanSpec {
    const char *conninfo; /* may hold a password: never print it (see pg_redact_conninfo) */
    const char *source;   /* table name or query */
    PgSchema schema;      /* every column of the source (arrays in the binder's arena) */
    /* parallel extraction: one connection per condition ("id >= 10 AND id < 20"),
     * read concurrently; none = one connection reading everything */
    const char **partitions;
    int npartitions;
    bool filter_pushdown; /* filter hints go into the remote WHERE (SET remote_filter_pushdown) */
} PostgresScanSpec;

struct ScanProvider;
/* The provider of PostgreSQL scans (op_postgres_scan.c). */
extern const struct ScanProvider postgres_scan_provider;

#endif
