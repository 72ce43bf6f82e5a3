/* op_mysql_scan: read_mysql(...): a ScanProvider over connectors/mysql's
 * streaming reader.  Projection pushdown: only the plan's columns are named
 * in the SELECT sent to the server.
 *
 * Serial: one connection.  Parallel (partition_column ... num_partitions):
 * one connection per partition condition, all queries started when the
 * node is created (so connection errors come at once), each read by its own
 * thread (exec/reader_scan.c, which also holds the memory story). */
#include "exec/mysql_scan.h"

#include <string.h>

#include "common/mem.h"
#include "connectors/conninfo.h"
#include "exec/reader_scan.h"
#include "exec/scan_provider.h"

static bool my_next(void *reader, Batch *out, Error *err) { return my_reader_next(reader, out, err); }
static void my_close(void *reader) { my_reader_close(reader); }
static const ScanReaderOps my_reader_ops = {my_next, my_close};

/* The schema columns the plan reads (all, or plan->projection). */
static int *scan_columns(const PlanNode *plan)
{
    int *cols = mem_calloc((size_t)plan->ncols + 1, sizeof(int));
    for (int i = 0; i < plan->ncols; i++) cols[i] = plan->projection ? plan->projection[i] : i;
    return cols;
}

static ExecNode *mysql_scan_create(const PlanNode *plan, ExecContext *ctx, Error *err)
{
    (void)ctx;
    const MysqlScanSpec *spec = plan->scan_spec;
    int *cols = scan_columns(plan);
    int n = spec->npartitions > 0 ? spec->npartitions : 1;
    void **readers = mem_calloc((size_t)n, sizeof(void *));
    bool ok = true;
    for (int i = 0; i < n && ok; i++) {
        readers[i] = my_reader_open(spec->url, spec->source, &spec->schema, cols, plan->ncols,
                                    spec->npartitions > 0 ? spec->partitions[i] : NULL, spec->zero_date_error, err);
        ok = readers[i] != NULL;
    }
    mem_free(cols);
    ExecNode *node = NULL;
    if (ok) node = reader_scan_create(&my_reader_ops, readers, n, plan->ncols, plan->types, "a MySQL partition", err);
    else
        for (int i = 0; i < n; i++) my_reader_close(readers[i]);
    mem_free(readers);
    return node;
}

static void mysql_scan_explain(const PlanNode *plan, StrBuf *out)
{
    const MysqlScanSpec *spec = plan->scan_spec;
    int *cols = scan_columns(plan);
    char *sql = my_select_sql(spec->source, &spec->schema, cols, plan->ncols, NULL);
    char *shown = conninfo_redact(spec->url);
    strbuf_printf(out, " %s: %s", shown, sql);
    if (spec->npartitions > 0) {
        strbuf_printf(out, " partitions=%d:", spec->npartitions);
        for (int i = 0; i < spec->npartitions; i++) strbuf_printf(out, "%s (%s)", i ? "," : "", spec->partitions[i]);
    }
    mem_free(shown);
    mem_free(sql);
    mem_free(cols);
}

const ScanProvider mysql_scan_provider = {"READ_MYSQL", true, mysql_scan_create, mysql_scan_explain, false, NULL};
