/* bind_db_source: arguments and partition split of database sources (see
 * bind_db_source.h).
 *
 * The split is Spark JDBC's: n strides of (upper - lower) / n; the first
 * partition also takes the rows below lower and the NULLs, the last those
 * above upper, so the bounds only set the stride and no row is lost. */
#include "sql/bind_db_source.h"

#include <string.h>

#include "common/mem.h"
#include "sql/connections.h"
#include "sql/table_functions.h"
#include "types/cast.h"

/* The text of a constant argument node (non-NULL), in the arena. */
static bool text_arg(Binder *b, PgQuery__Node *a, const char *what, char **out, Error *err)
{
    if (!bind_constant_text(b, a, out, err)) return false;
    if (*out == NULL) return error_set_at(err, ERR_SQL, bind_pos(b, node_location(a)), "the %s must not be NULL", what);
    return true;
}

bool db_source_args(Binder *b, PgQuery__FuncCall *fc, const char *fname, size_t ncoldefs,
                    const char *const *extra_names, int nextra, DbSourceArgs *out, Error *err)
{
    memset(out, 0, sizeof *out);
    int pos = bind_pos(b, fc->location);
    out->pos = pos;
    if (ncoldefs > 0)
        return error_set_at(err, ERR_SQL, pos, "%s takes its columns from the server; cast them in the query instead", fname);
    const char *names[8] = {"partition_column", "lower_bound", "upper_bound", "num_partitions"};
    int nnames = DB_NPARTITION_OPTIONS;
    for (int i = 0; i < nextra && nnames < 8; i++) names[nnames++] = extra_names[i];
    char *positional[2] = {NULL, NULL};
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
        for (int o = 0; o < nnames; o++)
            if (strcmp(a->named_arg_expr->name, names[o]) == 0) k = o;
        int apos = bind_pos(b, node_location(a));
        if (k < 0) return error_set_at(err, ERR_SQL, apos, "%s: option \"%s\" not recognized", fname, a->named_arg_expr->name);
        if (!text_arg(b, (PgQuery__Node *)a->named_arg_expr->arg, names[k], &out->options[k], err)) return false;
    }
    if (npositional != 2)
        return error_set_at(err, ERR_SQL, pos, "%s needs two arguments: a connection string (or connection name) and a table name or query", fname);
    int nnamed = 0;
    for (int o = 0; o < DB_NPARTITION_OPTIONS; o++) nnamed += out->options[o] != NULL;
    if (nnamed != 0 && nnamed != DB_NPARTITION_OPTIONS)
        return error_set_at(err, ERR_SQL, pos, "a parallel read needs partition_column, lower_bound, upper_bound and num_partitions");
    out->source = positional[1];
    char *url = NULL;
    if (!connections_resolve(b->connections, positional[0], &url, err)) {
        if (err->sql_pos < 0) err->sql_pos = bind_pos(b, node_location(fc->args[0]));
        return false;
    }
    out->connection = arena_strdup(b->arena, url);
    mem_free(url);
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
static const char *bound_literal(Binder *b, LogicalType t, const char *date_literal, int64_t x)
{
    if (t.id != TYPE_DATE) return arena_sprintf(b->arena, "%lld", (long long)x);
    Vector v;
    vector_init(&v, t, 1);
    VEC_DATA(&v, int32_t)[0] = (int32_t)x;
    StrBuf text = STRBUF_INIT;
    cast_format_value(&v, 0, &text);
    StrBuf lit = STRBUF_INIT;
    for (const char *p = date_literal; *p; p++) {
        if (p[0] == '%' && p[1] == 's') {
            strbuf_puts(&lit, strbuf_cstr(&text));
            p++;
        } else {
            strbuf_putc(&lit, *p);
        }
    }
    const char *out = arena_strdup(b->arena, strbuf_cstr(&lit));
    strbuf_free(&lit);
    strbuf_free(&text);
    vector_destroy(&v);
    return out;
}

bool db_source_partitions(Binder *b, const DbSourceArgs *args, int ncols, char *const *names,
                          const LogicalType *types, DbQuoteIdent quote, const char *date_literal,
                          const char ***conds, int *nconds, Error *err)
{
    *conds = NULL;
    *nconds = 0;
    const char *column = args->options[DB_PARTITION_COLUMN];
    if (column == NULL) return true;
    int pos = args->pos;
    int col = -1;
    for (int c = 0; c < ncols; c++)
        if (strcmp(names[c], column) == 0) col = c;
    if (col < 0) return error_set_at(err, ERR_SQL, pos, "partition_column \"%s\" is not a column of the source", column);
    LogicalType t = types[col];
    if (t.id != TYPE_INTEGER && t.id != TYPE_BIGINT && t.id != TYPE_DATE)
        return error_set_at(err, ERR_SQL, pos, "partition_column \"%s\" must be an integer or a date column", column);
    int64_t lower, upper, n;
    if (!parse_bound(args->options[DB_LOWER_BOUND], t, pos, "lower_bound", &lower, err) ||
        !parse_bound(args->options[DB_UPPER_BOUND], t, pos, "upper_bound", &upper, err) ||
        !parse_bound(args->options[DB_NUM_PARTITIONS], type_make(TYPE_BIGINT), pos, "num_partitions", &n, err))
        return false;
    if (n < 1 || n > 64) return error_set_at(err, ERR_SQL, pos, "num_partitions must be between 1 and 64");
    if (lower >= upper) return error_set_at(err, ERR_SQL, pos, "lower_bound must be less than upper_bound");
    if ((uint64_t)upper - (uint64_t)lower < (uint64_t)n) n = upper - lower;
    if (n == 1) return true; /* one partition: a plain serial read */
    int64_t stride = (int64_t)(((uint64_t)upper - (uint64_t)lower) / (uint64_t)n);
    StrBuf quoted = STRBUF_INIT;
    quote(&quoted, column);
    const char *q = arena_strdup(b->arena, strbuf_cstr(&quoted));
    strbuf_free(&quoted);
    const char **out = arena_calloc(b->arena, sizeof(char *) * (size_t)n);
    for (int64_t i = 0; i < n; i++) {
        const char *lo = bound_literal(b, t, date_literal, lower + i * stride);
        const char *hi = bound_literal(b, t, date_literal, lower + (i + 1) * stride);
        if (i == 0) out[i] = arena_sprintf(b->arena, "%s < %s OR %s IS NULL", q, hi, q);
        else if (i == n - 1) out[i] = arena_sprintf(b->arena, "%s >= %s", q, lo);
        else out[i] = arena_sprintf(b->arena, "%s >= %s AND %s < %s", q, lo, q, hi);
    }
    *conds = out;
    *nconds = (int)n;
    return true;
}
