/* bind_mysql: read_mysql(...) in FROM.
 *
 *   SELECT * FROM read_mysql('mysql://etl@crm:3306/crm', 'customers');
 *   SELECT * FROM read_mysql('crm', 'SELECT id, total FROM orders WHERE day = ''2024-01-31''');
 *
 * The first argument is a mysql:// URL or the name of a connection
 * (sql/connections.h), the second a table name (optionally database-
 * qualified) or a query.  The columns are learned from the server now, when
 * the statement is bound (connectors/mysql.h has the type mapping);
 * execution reads only the columns the query uses.
 *
 * Options: the parallel split of read_postgres (partition_column,
 * lower_bound, upper_bound, num_partitions: sql/bind_db_source.c), and
 * zero_date => 'null' (default) or 'error'. */
#include <string.h>
#include <strings.h>

#include "exec/mysql_scan.h"
#include "exec/scan_provider.h"
#include "sql/bind_db_source.h"
#include "sql/table_functions.h"

bool bind_read_mysql(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                     Error *err)
{
    static const char *const extra[] = {"zero_date"};
    DbSourceArgs args;
    if (!db_source_args(b, fc, "read_mysql", ncoldefs, extra, 1, &args, err)) return false;
    int pos = args.pos;
    const char *zero_date = args.options[DB_NPARTITION_OPTIONS];
    if (zero_date && strcasecmp(zero_date, "null") != 0 && strcasecmp(zero_date, "error") != 0)
        return error_set_at(err, ERR_SQL, pos, "zero_date must be 'null' or 'error', not \"%s\"", zero_date);
    if (!my_is_url(args.connection))
        return error_set_at(err, ERR_SQL, pos, "read_mysql needs a mysql:// URL or the name of a MySQL connection");
    MySchema schema;
    if (!my_describe(args.connection, args.source, &schema, err)) {
        if (err->sql_pos < 0) err->sql_pos = pos;
        return false;
    }
    MysqlScanSpec *spec = arena_calloc(b->arena, sizeof *spec);
    spec->url = args.connection;
    spec->source = args.source;
    spec->zero_date_error = zero_date && strcasecmp(zero_date, "error") == 0;
    spec->filter_pushdown = !b->no_remote_filter_pushdown;
    int n = schema.ncols;
    spec->schema.ncols = n;
    spec->schema.is_table = schema.is_table;
    spec->schema.names = arena_calloc(b->arena, sizeof(char *) * (size_t)(n + 1));
    spec->schema.types = arena_calloc(b->arena, sizeof(LogicalType) * (size_t)(n + 1));
    spec->schema.kinds = arena_calloc(b->arena, sizeof(MyKind) * (size_t)(n + 1));
    spec->schema.json = arena_calloc(b->arena, sizeof(bool) * (size_t)(n + 1));
    PlanNode *p = plan_new(b, PLAN_EXTERNAL_SCAN, n);
    for (int i = 0; i < n; i++) {
        spec->schema.names[i] = arena_strdup(b->arena, schema.names[i]);
        spec->schema.types[i] = schema.types[i];
        spec->schema.kinds[i] = schema.kinds[i];
        spec->schema.json[i] = schema.json[i];
        p->names[i] = spec->schema.names[i];
        p->types[i] = schema.types[i];
    }
    my_schema_free(&schema);
    if (!db_source_partitions(b, &args, n, spec->schema.names, spec->schema.types, my_quote_ident, "DATE '%s'",
                              &spec->partitions, &spec->npartitions, err))
        return false;
    p->provider = &mysql_scan_provider;
    p->scan_spec = spec;
    *out = p;
    return true;
}
