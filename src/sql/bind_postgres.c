/* bind_postgres: read_postgres(...) in FROM.
 *
 *   SELECT * FROM read_postgres('postgresql://etl@db:5432/shop', 'public.customers');
 *   SELECT * FROM read_postgres('host=db dbname=shop', 'SELECT id, total FROM orders WHERE day = ''2024-01-31''');
 *
 * The first argument is a libpq connection string (URL or key=value), the
 * second a table name (optionally schema-qualified) or a query.  The
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
 * and last partitions (NULLs by the first). */
#include <string.h>

#include "common/mem.h"
#include "exec/postgres_scan.h"
#include "exec/scan_provider.h"
#include "sql/table_functions.h"
#include "types/cast.h"

/* The text of a constant argument node (non-NULL), in the arena. */
static bool text_arg(Binder *b, PgQuery__Node *a, const char *what, char **out, Error *err)
{
    if (!bind_constant_text(b, a, out, err)) return false;
    if (*out == NULL) return error_set_at(err, ERR_SQL, bind_pos(b, node_location(a)), "the %s must not be NULL", what);
    return true;
}

/* A partition bound as a number: the integer itself, or a date's day number. */
static bool parse_bound(const char *text, LogicalType t, int pos, const char *name, int64_t *out, Error *err)
{
    Vector v;
    vector_init(&v, t.id == TYPE_DATE ? t : type_make(TYPE_BIGINT), 1);
    Error perr = ERROR_INIT;
    bool ok = cast_parse_text(text, strlen(text), &v, 0, &perr);
    if (ok) *out = t.id == TYPE_DATE ? VEC_DATA(&v, int32_t)[0] : VEC_DATA(&v, int64_t)[0];
    vector_destroy(&v);
    if (!ok) return error_set_at(err, ERR_SQL, pos, "%s: %s", name, perr.message);
    return true;
}

/* A bound as an SQL literal of the partition column's type. */
static const char *bound_literal(Binder *b, LogicalType t, int64_t x)
{
    if (t.id != TYPE_DATE) return arena_sprintf(b->arena, "%lld", (long long)x);
    Vector v;
    vector_init(&v, t, 1);
    VEC_DATA(&v, int32_t)[0] = (int32_t)x;
    StrBuf text = STRBUF_INIT;
    cast_format_value(&v, 0, &text);
    const char *lit = arena_sprintf(b->arena, "'%s'::date", strbuf_cstr(&text));
    strbuf_free(&text);
    vector_destroy(&v);
    return lit;
}

/* Spark JDBC's split: n strides of (upper - lower) / n; the first partition
 * also takes the rows below lower and the NULLs, the last those above upper. */
static bool plan_partitions(Binder *b, PostgresScanSpec *spec, const char *column, const char *lower_text,
                            const char *upper_text, const char *n_text, int pos, Error *err)
{
    int col = -1;
    for (int c = 0; c < spec->schema.ncols; c++)
        if (strcmp(spec->schema.names[c], column) == 0) col = c;
    if (col < 0) return error_set_at(err, ERR_SQL, pos, "partition_column \"%s\" is not a column of the source", column);
    LogicalType t = spec->schema.types[col];
    if (t.id != TYPE_INTEGER && t.id != TYPE_BIGINT && t.id != TYPE_DATE)
        return error_set_at(err, ERR_SQL, pos, "partition_column \"%s\" must be an integer or a date column", column);
    int64_t lower, upper, n;
    if (!parse_bound(lower_text, t, pos, "lower_bound", &lower, err) ||
        !parse_bound(upper_text, t, pos, "upper_bound", &upper, err) ||
        !parse_bound(n_text, type_make(TYPE_BIGINT), pos, "num_partitions", &n, err))
        return false;
    if (n < 1 || n > 64) return error_set_at(err, ERR_SQL, pos, "num_partitions must be between 1 and 64");
    if (lower >= upper) return error_set_at(err, ERR_SQL, pos, "lower_bound must be less than upper_bound");
    if ((uint64_t)upper - (uint64_t)lower < (uint64_t)n) n = upper - lower;
    if (n == 1) return true; /* one partition: a plain serial read */
    int64_t stride = (int64_t)(((uint64_t)upper - (uint64_t)lower) / (uint64_t)n);
    StrBuf quoted = STRBUF_INIT;
    pg_quote_ident(&quoted, column);
    const char *q = arena_strdup(b->arena, strbuf_cstr(&quoted));
    strbuf_free(&quoted);
    spec->partitions = arena_calloc(b->arena, sizeof(char *) * (size_t)n);
    spec->npartitions = (int)n;
    for (int64_t i = 0; i < n; i++) {
        const char *lo = bound_literal(b, t, lower + i * stride), *hi = bound_literal(b, t, lower + (i + 1) * stride);
        if (i == 0) spec->partitions[i] = arena_sprintf(b->arena, "%s < %s OR %s IS NULL", q, hi, q);
        else if (i == n - 1) spec->partitions[i] = arena_sprintf(b->arena, "%s >= %s", q, lo);
        else spec->partitions[i] = arena_sprintf(b->arena, "%s >= %s AND %s < %s", q, lo, q, hi);
    }
    return true;
}

bool bind_read_postgres(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                        Error *err)
{
    int pos = bind_pos(b, fc->location);
    if (ncoldefs > 0)
        return error_set_at(err, ERR_SQL, pos, "read_postgres takes its columns from the server; cast them in the query instead");
    char *positional[2] = {NULL, NULL};
    const char *names[] = {"partition_column", "lower_bound", "upper_bound", "num_partitions"};
    char *named[4] = {NULL, NULL, NULL, NULL};
    int npositional = 0;
    for (size_t i = 0; i < fc->n_args; i++) {
        PgQuery__Node *a = fc->args[i];
        if (a->node_case != PG_QUERY__NODE__NODE_NAMED_ARG_EXPR) {
            if (npositional == 2 || i != (size_t)npositional) {
                npositional = 3;
                break;
            }
            if (!text_arg(b, a, npositional ? "table or query" : "connection string", &positional[npositional], err))
                return false;
            npositional++;
            continue;
        }
        int k = -1;
        for (int o = 0; o < 4; o++)
            if (strcmp(a->named_arg_expr->name, names[o]) == 0) k = o;
        int apos = bind_pos(b, node_location(a));
        if (k < 0) return error_set_at(err, ERR_SQL, apos, "read_postgres: option \"%s\" not recognized", a->named_arg_expr->name);
        if (!text_arg(b, (PgQuery__Node *)a->named_arg_expr->arg, names[k], &named[k], err)) return false;
    }
    if (npositional != 2)
        return error_set_at(err, ERR_SQL, pos, "read_postgres needs two arguments: a connection string and a table name or query");
    int nnamed = (named[0] != NULL) + (named[1] != NULL) + (named[2] != NULL) + (named[3] != NULL);
    if (nnamed != 0 && nnamed != 4)
        return error_set_at(err, ERR_SQL, pos, "a parallel read needs partition_column, lower_bound, upper_bound and num_partitions");
    char *conninfo = positional[0], *source = positional[1];
    PgSchema schema;
    if (!pg_describe(conninfo, source, &schema, err)) {
        if (err->sql_pos < 0) err->sql_pos = pos;
        return false;
    }
    PostgresScanSpec *spec = arena_calloc(b->arena, sizeof *spec);
    spec->conninfo = conninfo;
    spec->source = source;
    int n = schema.ncols;
    spec->schema.ncols = n;
    spec->schema.is_table = schema.is_table;
    spec->schema.names = arena_calloc(b->arena, sizeof(char *) * (size_t)(n + 1));
    spec->schema.types = arena_calloc(b->arena, sizeof(LogicalType) * (size_t)(n + 1));
    spec->schema.oids = arena_calloc(b->arena, sizeof(unsigned) * (size_t)(n + 1));
    spec->schema.as_text = arena_calloc(b->arena, sizeof(bool) * (size_t)(n + 1));
    PlanNode *p = plan_new(b, PLAN_EXTERNAL_SCAN, n);
    for (int i = 0; i < n; i++) {
        spec->schema.names[i] = arena_strdup(b->arena, schema.names[i]);
        spec->schema.types[i] = schema.types[i];
        spec->schema.oids[i] = schema.oids[i];
        spec->schema.as_text[i] = schema.as_text[i];
        p->names[i] = spec->schema.names[i];
        p->types[i] = schema.types[i];
    }
    pg_schema_free(&schema);
    if (nnamed && !plan_partitions(b, spec, named[0], named[1], named[2], named[3], pos, err)) return false;
    p->provider = &postgres_scan_provider;
    p->scan_spec = spec;
    *out = p;
    return true;
}
