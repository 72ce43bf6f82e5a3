/* bind_postgres: read_postgres(...) in FROM.
 *
 *   SELECT * FROM read_postgres('postgresql://etl@db:5432/shop', 'public.customers');
 *   SELECT * FROM read_postgres('host=db dbname=shop', 'SELECT id, total FROM orders WHERE day = ''2024-01-31''');
 *
 * The first argument is a libpq connection string (URL or key=value) or
 * the name of a connection (sql/connections.h), the second a table name (optionally schema-qualified) or a query.  The
 * columns are learned from the server now, when the statement is bound
 * (connectors/postgres.h has the type mapping); execution reads only the
 * columns the query uses, with binary COPY.
 *
 * Parallel extraction, as Spark's JDBC source: partition_column (an integer
 * or date column), lower_bound, upper_bound and num_partitions (1..64) split
 * the read into that many ranges, each read over its own connection:
 *   read_postgres(url, 'orders', partition_column => 'id', lower_bound => 1,
 *                 upper_bound => 1000000, num_partitions => 4)
 * The bounds only set the stride: rows outside them are read by the first
 * and last partitions (NULLs by the first); the arguments and the split
 * are sql/bind_db_source.c's, shared with read_mysql. */
#include <string.h>

#include "common/mem.h"
#include "exec/postgres_scan.h"
#include "exec/scan_provider.h"
#include "sql/bind_db_source.h"
#include "sql/table_functions.h"

bool bind_read_postgres(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                        Error *err)
{
    DbSourceArgs args;
    if (!db_source_args(b, fc, "read_postgres", ncoldefs, NULL, 0, &args, err)) return false;
    int pos = args.pos;
    char *conninfo = args.connection, *source = args.source;
    PgSchema schema;
    if (!pg_describe(conninfo, source, &schema, err)) {
        if (err->sql_pos < 0) err->sql_pos = pos;
        return false;
    }
    PostgresScanSpec *spec = arena_calloc(b->arena, sizeof *spec);
    spec->conninfo = conninfo;
    spec->source = source;
    spec->filter_pushdown = !b->no_remote_filter_pushdown;
    int n = schema.ncols;
    spec->schema.ncols = n;
    spec->schema.is_table = schema.is_table;
    spec->schema.names = arena_calloc(b->arena, sizeof(char *) * (size_t)(n + 1));
    spec->schema.types = arena_calloc(b->arena, sizeof(LogicalType) * (size_t)(n + 1));
    spec->schema.oids = arena_calloc(b->arena, sizeof(unsigned) * (size_t)(n + 1));
    spec->schema.as_text = arena_calloc(b->arena, sizeof(bool) * (size_t)(n + 1));
    spec->schema.rounded = arena_calloc(b->arena, sizeof(bool) * (size_t)(n + 1));
    PlanNode *p = plan_new(b, PLAN_EXTERNAL_SCAN, n);
    for (int i = 0; i < n; i++) {
        spec->schema.names[i] = arena_strdup(b->arena, schema.names[i]);
        spec->schema.types[i] = schema.types[i];
        spec->schema.oids[i] = schema.oids[i];
        spec->schema.as_text[i] = schema.as_text[i];
        spec->schema.rounded[i] = schema.rounded[i];
        p->names[i] = spec->schema.names[i];
        p->types[i] = schema.types[i];
    }
    pg_schema_free(&schema);
    if (!db_source_partitions(b, &args, n, spec->schema.names, spec->schema.types, pg_quote_ident, "'%s'::date",
                              &spec->partitions, &spec->npartitions, err))
        return false;
    p->provider = &postgres_scan_provider;
    p->scan_spec = spec;
    *out = p;
    return true;
}
