/* op_postgres_scan: read_postgres(...): a ScanProvider over
 * connectors/postgres's binary COPY reader.  Projection pushdown: only the
 * plan's columns are named in the COPY's SELECT.  Filter pushdown: the
 * filter hints PostgreSQL can evaluate exactly, or as a superset, become
 * the SELECT's WHERE (connectors/remote_sql.h; the filter above still
 * runs), unless SET remote_filter_pushdown = false.
 *
 * Serial: one connection.  Parallel (partition_column ... num_partitions,
 * as Spark's JDBC source): one connection per partition condition (ANDed
 * with the pushed filter), all COPYs started when the node is created (so
 * connection errors come at once), each read by its own thread
 * (exec/reader_scan.c, which also holds the memory story). */
#include "exec/postgres_scan.h"

#include <string.h>

#include "common/mem.h"
#include "connectors/remote_sql.h"
#include "exec/reader_scan.h"
#include "exec/scan_provider.h"

/* PostgreSQL type OIDs whose comparisons kiln can mirror (pg_type.dat) */
enum {
    OID_BOOL = 16, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_TEXT = 25, OID_FLOAT4 = 700, OID_FLOAT8 = 701,
    OID_VARCHAR = 1043, OID_DATE = 1082, OID_TIMESTAMP = 1114, OID_TIMESTAMPTZ = 1184, OID_NUMERIC = 1700,
};

/* How PostgreSQL compares a column: numbers, dates and booleans as kiln;
 * text and varchar under a collation; others (uuid, json, bpchar with its
 * padding rules, types read as text, numeric without (p,s), which kiln
 * rounds) not at all. */
static RemoteCompare pg_compare(const PgSchema *s, int c)
{
    if (s->as_text[c]) return REMOTE_CMP_NONE;
    switch (s->oids[c]) {
    case OID_BOOL:
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
    case OID_FLOAT4:
    case OID_FLOAT8:
    case OID_DATE:
    case OID_TIMESTAMP: return REMOTE_CMP_EXACT;
    case OID_NUMERIC: return s->rounded && s->rounded[c] ? REMOTE_CMP_NONE : REMOTE_CMP_EXACT;
    case OID_TIMESTAMPTZ: return REMOTE_CMP_TIMESTAMPTZ;
    case OID_TEXT:
    case OID_VARCHAR: return REMOTE_CMP_COLLATED;
    default: return REMOTE_CMP_NONE;
    }
}

static char *pg_pushed_where(const PlanNode *plan)
{
    const PostgresScanSpec *spec = plan->scan_spec;
    if (!spec->filter_pushdown || plan->nscan_filters == 0) return NULL;
    const PgSchema *s = &spec->schema;
    RemoteColumn *cols = mem_calloc((size_t)s->ncols + 1, sizeof *cols);
    for (int c = 0; c < s->ncols; c++)
        cols[c] = (RemoteColumn){s->names[c], s->types[c], pg_compare(s, c), true};
    StrBuf where = STRBUF_INIT;
    int n = remote_sql_where(REMOTE_POSTGRES, cols, s->ncols, plan->scan_filters, plan->nscan_filters, &where);
    mem_free(cols);
    if (n == 0) {
        strbuf_free(&where);
        return NULL;
    }
    return strbuf_take(&where);
}

static void *pg_open(const PlanNode *plan, const int *cols, int ncols, const char *where, Error *err)
{
    const PostgresScanSpec *spec = plan->scan_spec;
    return pg_reader_open(spec->conninfo, spec->source, &spec->schema, cols, ncols, where, err);
}

static char *pg_sql(const PlanNode *plan, const int *cols, int ncols, const char *where)
{
    const PostgresScanSpec *spec = plan->scan_spec;
    return pg_select_sql(spec->source, &spec->schema, cols, ncols, where);
}

static bool pg_next(void *reader, Batch *out, Error *err) { return pg_reader_next(reader, out, err); }
static void pg_close(void *reader) { pg_reader_close(reader); }

static const DbScanOps pg_scan_ops = {{pg_next, pg_close}, pg_open, pg_sql, pg_pushed_where, "a PostgreSQL partition"};

static ExecNode *postgres_scan_create(const PlanNode *plan, ExecContext *ctx, Error *err)
{
    (void)ctx;
    const PostgresScanSpec *spec = plan->scan_spec;
    return db_scan_create(plan, &pg_scan_ops, spec->partitions, spec->npartitions, err);
}

static void postgres_scan_explain(const PlanNode *plan, StrBuf *out)
{
    const PostgresScanSpec *spec = plan->scan_spec;
    db_scan_explain(plan, &pg_scan_ops, spec->conninfo, spec->partitions, spec->npartitions, out);
}

const ScanProvider postgres_scan_provider = {"READ_POSTGRES", true, postgres_scan_create, postgres_scan_explain, true, NULL};
