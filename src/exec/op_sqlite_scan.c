/* op_sqlite_scan: read_sqlite(...): a ScanProvider over connectors/sqlite's
 * reader.  Projection pushdown: only the plan's columns are named in the
 * SELECT sent to SQLite.  One thread, one statement stepped row by row into
 * batches of up to 2048 rows.  Memory: the SQLite connection plus one
 * output batch. */
#include "exec/sqlite_scan.h"

#include "common/mem.h"
#include "exec/reader_scan.h"
#include "exec/scan_provider.h"

typedef struct SqliteScanState {
    ExecNode base;
    SqliteReader *reader;
    Batch batch;
} SqliteScanState;

static bool sqlite_scan_next(ExecNode *node, Batch **out, Error *err)
{
    SqliteScanState *s = (SqliteScanState *)node;
    batch_reset(&s->batch);
    if (!sqlite_reader_next(s->reader, &s->batch, err)) return false;
    *out = &s->batch;
    return true;
}

static void sqlite_scan_close(ExecNode *node)
{
    SqliteScanState *s = (SqliteScanState *)node;
    batch_destroy(&s->batch);
    sqlite_reader_close(s->reader);
    mem_free(s);
}

static const ExecNodeOps sqlite_scan_ops = {sqlite_scan_next, sqlite_scan_close};

static ExecNode *sqlite_scan_create(const PlanNode *plan, ExecContext *ctx, Error *err)
{
    const SqliteScanSpec *spec = plan->scan_spec;
    int *cols = db_scan_columns(plan);
    SqliteReader *reader = sqlite_reader_open(spec->path, spec->source, &spec->schema, cols, plan->ncols, err);
    mem_free(cols);
    if (reader == NULL) return NULL;
    SqliteScanState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &sqlite_scan_ops;
    s->reader = reader;
    batch_init(&s->batch, plan->ncols, plan->types, 0);
    return &s->base;
}

static void sqlite_scan_explain(const PlanNode *plan, StrBuf *out)
{
    const SqliteScanSpec *spec = plan->scan_spec;
    strbuf_printf(out, " %s: SELECT ", spec->path);
    for (int i = 0; i < plan->ncols; i++)
        strbuf_printf(out, "%s%s", i ? ", " : "", spec->schema.names[plan->projection ? plan->projection[i] : i]);
    if (plan->ncols == 0) strbuf_puts(out, "NULL");
    strbuf_printf(out, spec->schema.is_table ? " FROM %s" : " FROM (%s)", spec->source);
}

const ScanProvider sqlite_scan_provider = {"READ_SQLITE", true, sqlite_scan_create, sqlite_scan_explain, false, NULL};
