/* reader_scan: the execution node of a database scan, over one or more
 * readers that each fill batches (a connection each: PostgreSQL's binary
 * COPY, MySQL's streamed result).  One reader is read in the calling
 * thread; several (a parallel extraction split into partitions) are read
 * each by its own thread into a bounded queue that the node drains. */
#ifndef KILN_EXEC_READER_SCAN_H
#define KILN_EXEC_READER_SCAN_H

#include "common/strbuf.h"
#include "exec/exec.h"

typedef struct ScanReaderOps {
    /* Fill out (owned vectors of the scan's types) with the next rows; count 0 = end. */
    bool (*next)(void *reader, Batch *out, Error *err);
    /* Close the reader, stopping an unfinished read on the server. */
    void (*close)(void *reader);
} ScanReaderOps;

/* The node reading readers[0..nreaders) (all opened already, all closed by
 * the node, or here on failure); what names the source in errors
 * ("a PostgreSQL partition"). */
ExecNode *reader_scan_create(const ScanReaderOps *ops, void **readers, int nreaders, int ncols,
                             const LogicalType *types, const char *what, Error *err);

/* A database source (read_postgres, read_mysql) over reader_scan: how its
 * readers open, and the SQL they send (EXPLAIN). */
typedef struct DbScanOps {
    ScanReaderOps reader;
    /* Open a reader of schema columns cols[0..ncols) of the plan's source
     * keeping the rows where `where` holds (an SQL condition, NULL = all). */
    void *(*open)(const PlanNode *plan, const int *cols, int ncols, const char *where, Error *err);
    /* The SELECT such a reader sends (caller frees). */
    char *(*select_sql)(const PlanNode *plan, const int *cols, int ncols, const char *where);
    /* The plan's filter hints the server evaluates, as a condition (caller
     * frees), or NULL (connectors/remote_sql.h). */
    char *(*pushed_where)(const PlanNode *plan);
    const char *what; /* names a reader in errors: "a PostgreSQL partition" */
} DbScanOps;

/* The schema columns a plan reads: all, or plan->projection (caller frees). */
int *db_scan_columns(const PlanNode *plan);
/* The scan node of a database source: one reader, or one per partition
 * condition (each ANDed with the pushed-down filter), opened now so that
 * connection errors come at once. */
ExecNode *db_scan_create(const PlanNode *plan, const DbScanOps *ops, const char *const *partitions, int npartitions,
                         Error *err);
/* EXPLAIN of such a scan: the connection without its password, the SELECT
 * sent (with its pushed-down WHERE) and each partition's condition. */
void db_scan_explain(const PlanNode *plan, const DbScanOps *ops, const char *connection,
                     const char *const *partitions, int npartitions, StrBuf *out);

#endif
