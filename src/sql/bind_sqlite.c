/* bind_sqlite: read_sqlite(...) in FROM.
 *
 *   SELECT * FROM read_sqlite('shop.db', 'customers');
 *   SELECT * FROM read_sqlite('shop.db', 'SELECT id, total FROM orders WHERE total > 10');
 *
 * The first argument is the database file, the second a table (or view)
 * name or a read-only query.  The schema is read from the database now,
 * when the statement is bound, with the type mapping of connectors/sqlite.h;
 * execution selects only the columns the query uses. */
#include <string.h>

#include "common/mem.h"
#include "exec/scan_provider.h"
#include "exec/sqlite_scan.h"
#include "sql/table_functions.h"
#include "types/cast.h"

/* The text of constant argument i (non-NULL), in the arena. */
static bool text_arg(Binder *b, PgQuery__FuncCall *fc, size_t i, const char *what, char **out, Error *err)
{
    PgQuery__Node *a = fc->args[i];
    if (a->node_case == PG_QUERY__NODE__NODE_NAMED_ARG_EXPR)
        return error_set_at(err, ERR_SQL, bind_pos(b, node_location(a)), "read_sqlite takes no named options");
    if (!bind_constant_text(b, a, out, err)) return false;
    if (*out == NULL) return error_set_at(err, ERR_SQL, bind_pos(b, node_location(a)), "the %s must not be NULL", what);
    return true;
}

bool bind_read_sqlite(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                      Error *err)
{
    int pos = bind_pos(b, fc->location);
    if (fc->n_args != 2)
        return error_set_at(err, ERR_SQL, pos, "read_sqlite needs two arguments: the database file and a table name or query");
    if (ncoldefs > 0)
        return error_set_at(err, ERR_SQL, pos, "read_sqlite takes its columns from the database; cast them in the query instead");
    SqliteScanSpec *spec = arena_calloc(b->arena, sizeof *spec);
    char *path, *source;
    if (!text_arg(b, fc, 0, "database file", &path, err) || !text_arg(b, fc, 1, "table or query", &source, err))
        return false;
    SqliteSchema schema;
    if (!sqlite_describe(path, source, &schema, err)) {
        if (err->sql_pos < 0) err->sql_pos = pos;
        return false;
    }
    spec->path = path;
    spec->source = source;
    spec->schema.ncols = schema.ncols;
    spec->schema.is_table = schema.is_table;
    spec->schema.names = arena_calloc(b->arena, sizeof(char *) * (size_t)(schema.ncols + 1));
    spec->schema.types = arena_calloc(b->arena, sizeof(LogicalType) * (size_t)(schema.ncols + 1));
    PlanNode *p = plan_new(b, PLAN_EXTERNAL_SCAN, schema.ncols);
    for (int i = 0; i < schema.ncols; i++) {
        spec->schema.names[i] = arena_strdup(b->arena, schema.names[i]);
        spec->schema.types[i] = schema.types[i];
        p->names[i] = spec->schema.names[i];
        p->types[i] = schema.types[i];
    }
    sqlite_schema_free(&schema);
    p->provider = &sqlite_scan_provider;
    p->scan_spec = spec;
    *out = p;
    return true;
}
