/* op_postgres_scan: read_postgres(...): a ScanProvider over
 * connectors/postgres's binary COPY reader.  Projection pushdown: only the
 * plan's columns are named in the COPY's SELECT.
 *
 * Serial: one connection.  Parallel (partition_column ... num_partitions,
 * as Spark's JDBC source): one connection per partition condition, all
 * COPYs started when the node is created (so connection errors come at
 * once), each read by its own thread (exec/reader_scan.c, which also holds
 * the memory story). */
#include "exec/postgres_scan.h"

#include <string.h>

#include "common/mem.h"
#include "exec/reader_scan.h"
#include "exec/scan_provider.h"

static bool pg_next(void *reader, Batch *out, Error *err) { return pg_reader_next(reader, out, err); }
static void pg_close(void *reader) { pg_reader_close(reader); }
static const ScanReaderOps pg_reader_ops = {pg_next, pg_close};

/* The schema columns the plan reads (all, or plan->projection). */
static int *scan_columns(const PlanNode *plan)
{
    int *cols = mem_calloc((size_t)plan->ncols + 1, sizeof(int));
    for (int i = 0; i < plan->ncols; i++) cols[i] = plan->projection ? plan->projection[i] : i;
    return cols;
}

static ExecNode *postgres_scan_create(const PlanNode *plan, ExecContext *ctx, Error *err)
{
    (void)ctx;
    const PostgresScanSpec *spec = plan->scan_spec;
    int *cols = scan_columns(plan);
    int n = spec->npartitions > 0 ? spec->npartitions : 1;
    void **readers = mem_calloc((size_t)n, sizeof(void *));
    bool ok = true;
    for (int i = 0; i < n && ok; i++) {
        readers[i] = pg_reader_open(spec->conninfo, spec->source, &spec->schema, cols, plan->ncols,
                                    spec->npartitions > 0 ? spec->partitions[i] : NULL, err);
        ok = readers[i] != NULL;
    }
    mem_free(cols);
    ExecNode *node = NULL;
    if (ok) node = reader_scan_create(&pg_reader_ops, readers, n, plan->ncols, plan->types, "a PostgreSQL partition", err);
    else
        for (int i = 0; i < n; i++) pg_reader_close(readers[i]);
    mem_free(readers);
    return node;
}

static void postgres_scan_explain(const PlanNode *plan, StrBuf *out)
{
    const PostgresScanSpec *spec = plan->scan_spec;
    int *cols = scan_columns(plan);
    char *sql = pg_select_sql(spec->source, &spec->schema, cols, plan->ncols, NULL);
    char *shown = pg_redact_conninfo(spec->conninfo);
    strbuf_printf(out, " %s: %s", shown, sql);
    if (spec->npartitions > 0) {
        strbuf_printf(out, " partitions=%d:", spec->npartitions);
        for (int i = 0; i < spec->npartitions; i++) strbuf_printf(out, "%s (%s)", i ? "," : "", spec->partitions[i]);
    }
    mem_free(shown);
    mem_free(sql);
    mem_free(cols);
}

const ScanProvider postgres_scan_provider = {"READ_POSTGRES", true, postgres_scan_create, postgres_scan_explain, false, NULL};
