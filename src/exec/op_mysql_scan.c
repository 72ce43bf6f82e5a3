/* op_mysql_scan: read_mysql(...): a ScanProvider over connectors/mysql's
 * streaming reader.  Projection pushdown: only the plan's columns are named
 * in the SELECT sent to the server.  Filter pushdown: the filter hints
 * MySQL can evaluate exactly, or as a superset, become the SELECT's WHERE
 * (connectors/remote_sql.h; the filter above still runs), unless SET
 * remote_filter_pushdown = false.
 *
 * Serial: one connection.  Parallel (partition_column ... num_partitions):
 * one connection per partition condition (ANDed with the pushed filter),
 * all queries started when the node is created (so connection errors come
 * at once), each read by its own thread (exec/reader_scan.c, which also
 * holds the memory story). */
#include "exec/mysql_scan.h"

#include <string.h>

#include "common/mem.h"
#include "connectors/remote_sql.h"
#include "exec/reader_scan.h"
#include "exec/scan_provider.h"

/* How MySQL compares a column: integers, decimals, doubles and temporal
 * types as kiln (given constants of the column's own type); strings under
 * a collation; JSON (compared as JSON values), FLOAT (the range optimizer
 * rounds constants to float), TIME, BIT and NULL columns not at all.  Zero
 * dates, NULL to kiln, are values to MySQL: its NULLs are not kiln's. */
static RemoteColumn my_column(const MySchema *s, int c)
{
    RemoteColumn col = {s->names[c], s->types[c], REMOTE_CMP_NONE, true};
    switch (s->kinds[c]) {
    case MY_INT:
    case MY_BIGINT:
    case MY_UBIGINT:
    case MY_DOUBLE:
    case MY_DECIMAL: col.compare = REMOTE_CMP_EXACT; break;
    case MY_DATE:
    case MY_DATETIME:
        col.compare = REMOTE_CMP_EXACT;
        col.null_exact = false;
        break;
    case MY_STRING: col.compare = s->json && s->json[c] ? REMOTE_CMP_NONE : REMOTE_CMP_COLLATED; break;
    default: break;
    }
    return col;
}

static char *my_pushed_where(const PlanNode *plan)
{
    const MysqlScanSpec *spec = plan->scan_spec;
    if (!spec->filter_pushdown || plan->nscan_filters == 0) return NULL;
    const MySchema *s = &spec->schema;
    RemoteColumn *cols = mem_calloc((size_t)s->ncols + 1, sizeof *cols);
    for (int c = 0; c < s->ncols; c++) cols[c] = my_column(s, c);
    StrBuf where = STRBUF_INIT;
    int n = remote_sql_where(REMOTE_MYSQL, cols, s->ncols, plan->scan_filters, plan->nscan_filters, &where);
    mem_free(cols);
    if (n == 0) {
        strbuf_free(&where);
        return NULL;
    }
    return strbuf_take(&where);
}

static void *my_open(const PlanNode *plan, const int *cols, int ncols, const char *where, Error *err)
{
    const MysqlScanSpec *spec = plan->scan_spec;
    return my_reader_open(spec->url, spec->source, &spec->schema, cols, ncols, where, spec->zero_date_error, err);
}

static char *my_sql(const PlanNode *plan, const int *cols, int ncols, const char *where)
{
    const MysqlScanSpec *spec = plan->scan_spec;
    return my_select_sql(spec->source, &spec->schema, cols, ncols, where);
}

static bool my_next(void *reader, Batch *out, Error *err) { return my_reader_next(reader, out, err); }
static void my_close(void *reader) { my_reader_close(reader); }

static const DbScanOps my_scan_ops = {{my_next, my_close}, my_open, my_sql, my_pushed_where, "a MySQL partition"};

static ExecNode *mysql_scan_create(const PlanNode *plan, ExecContext *ctx, Error *err)
{
    (void)ctx;
    const MysqlScanSpec *spec = plan->scan_spec;
    return db_scan_create(plan, &my_scan_ops, spec->partitions, spec->npartitions, err);
}

static void mysql_scan_explain(const PlanNode *plan, StrBuf *out)
{
    const MysqlScanSpec *spec = plan->scan_spec;
    db_scan_explain(plan, &my_scan_ops, spec->url, spec->partitions, spec->npartitions, out);
}

const ScanProvider mysql_scan_provider = {"READ_MYSQL", true, mysql_scan_create, mysql_scan_explain, true, NULL};
