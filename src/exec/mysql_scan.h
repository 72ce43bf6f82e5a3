/* mysql_scan: what a MySQL scan plan node (PLAN_EXTERNAL_SCAN with
 * mysql_scan_provider) carries: the connection URL, the table or query,
 * the schema settled at bind time, the partition conditions of a parallel
 * extraction and the zero-date rule. */
#ifndef KILN_EXEC_MYSQL_SCAN_H
#define KILN_EXEC_MYSQL_SCAN_H

#include "connectors/mysql.h"

typedef struct MysqlScanSpec {
    const char *url;    /* may hold a password: never print it (see conninfo_redact) */
    const char *source; /* table name or query */
    MySchema schema;    /* every column of the source (arrays in the binder's arena) */
    /* parallel extraction: one connection per condition, read concurrently;
     * none = one connection reading everything */
    const char **partitions;
    int npartitions;
    bool zero_date_error; /* zero_date => 'error' */
    bool filter_pushdown; /* filter hints go into the remote WHERE (SET remote_filter_pushdown) */
} MysqlScanSpec;

struct ScanProvider;
/* The provider of MySQL scans (op_mysql_scan.c). */
extern const struct ScanProvider mysql_scan_provider;

#endif
