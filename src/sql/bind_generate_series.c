/* bind_generate_series: the table functions generate_series(start, stop
 * [, step]) and range(...) (exec/op_series_scan.c).
 *
 * As in PostgreSQL, generate_series includes stop, takes integers (the
 * result is integer, or bigint if an argument is bigint) or timestamps with
 * an interval step (dates are taken as timestamps, as PostgreSQL does; the
 * result is a timestamp), gives no rows when an argument is NULL, and
 * refuses a zero step.  As in DuckDB, range excludes stop and is bigint, and
 * both accept a single argument: generate_series(n) = 0..n, range(n) =
 * 0..n-1.  The arguments must be constants (no LATERAL references). */
#include <string.h>

#include "exec/expr_eval.h"
#include "exec/scan_provider.h"
#include "exec/series_scan.h"
#include "sql/table_functions.h"
#include "types/datetime.h"

/* Bind argument i, coerced to type t (untyped literals are parsed as t), to a constant. */
static bool constant_arg(Binder *b, PgQuery__Node *node, LogicalType t, Value *out, Error *err)
{
    Expr *e = bind_expr(b, node, NULL, err);
    if (e == NULL) return false;
    int pos = bind_pos(b, node_location(node));
    if (!expr_is_constant(e)) return error_set_at(err, ERR_SQL, pos, "the arguments of a table function must be constants");
    Expr *c = bind_coerce(b, e, t, COERCE_IMPLICIT, err);
    if (c == NULL) return false;
    bool ok = expr_eval_constant(c, b->arena, out, err);
    expr_release(c);
    if (!ok && err->sql_pos < 0) err->sql_pos = pos;
    return ok;
}

/* The type of an argument as bound (its literal text decides nothing yet). */
static bool arg_type(Binder *b, PgQuery__Node *node, LogicalType *t, bool *untyped, Error *err)
{
    Expr *e = bind_expr(b, node, NULL, err);
    if (e == NULL) return false;
    *t = e->type;
    *untyped = e->untyped_literal;
    expr_release(e);
    return true;
}

static bool bind_series(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                        Error *err, const char *fname, bool exclusive)
{
    int pos = bind_pos(b, fc->location);
    size_t n = fc->n_args;
    if (n < 1 || n > 3) return error_set_at(err, ERR_SQL, pos, "%s takes one to three arguments (start, stop, step)", fname);
    if (ncoldefs > 0) return error_set_at(err, ERR_SQL, pos, "a column definition list is not allowed for %s", fname);
    for (size_t i = 0; i < n; i++)
        if (fc->args[i]->node_case == PG_QUERY__NODE__NODE_NAMED_ARG_EXPR)
            return error_set_at(err, ERR_SQL, bind_pos(b, node_location(fc->args[i])), "%s takes no named arguments", fname);
    /* the result type: timestamps when a bound or the step is a date/time type */
    bool timestamp = false, bigint = exclusive;
    for (size_t i = 0; i < n; i++) {
        LogicalType t;
        bool untyped;
        if (!arg_type(b, fc->args[i], &t, &untyped, err)) return false;
        if (untyped || t.id == TYPE_NULL) continue;
        if (t.id == TYPE_DATE || t.id == TYPE_TIMESTAMP || t.id == TYPE_INTERVAL) timestamp = true;
        else if (t.id == TYPE_BIGINT) bigint = true;
        else if (t.id != TYPE_INTEGER) {
            char tn[48];
            return error_set_at(err, ERR_SQL, bind_pos(b, node_location(fc->args[i])),
                                "function %s(%s) does not exist: %s takes integers, or timestamps with an interval step",
                                fname, type_name(t, tn, sizeof tn), fname);
        }
    }
    SeriesScanSpec *spec = arena_calloc(b->arena, sizeof *spec);
    spec->exclusive = exclusive;
    spec->type = type_make(timestamp ? TYPE_TIMESTAMP : bigint ? TYPE_BIGINT : TYPE_INTEGER);
    if (timestamp) {
        if (n != 3) return error_set_at(err, ERR_SQL, pos, "%s of timestamps needs an interval step", fname);
        Value start, stop, step;
        if (!constant_arg(b, fc->args[0], spec->type, &start, err) ||
            !constant_arg(b, fc->args[1], spec->type, &stop, err) ||
            !constant_arg(b, fc->args[2], type_make(TYPE_INTERVAL), &step, err))
            return false;
        spec->empty = start.is_null || stop.is_null || step.is_null;
        if (!spec->empty) {
            if (datetime_interval_span(step.u.interval) == 0)
                return error_set_at(err, ERR_SQL, bind_pos(b, node_location(fc->args[2])), "step size cannot equal zero");
            spec->start = start.u.i64;
            spec->stop = stop.u.i64;
            spec->interval_step = step.u.interval;
        }
    } else {
        LogicalType big = type_make(TYPE_BIGINT);
        Value v[3];
        for (size_t i = 0; i < n; i++)
            if (!constant_arg(b, fc->args[i], big, &v[i], err)) return false;
        for (size_t i = 0; i < n; i++) spec->empty |= v[i].is_null;
        if (!spec->empty) {
            spec->start = n == 1 ? 0 : v[0].u.i64;
            spec->stop = n == 1 ? v[0].u.i64 : v[1].u.i64;
            spec->step = n == 3 ? v[2].u.i64 : 1;
            if (spec->step == 0)
                return error_set_at(err, ERR_SQL, bind_pos(b, node_location(fc->args[2])), "step size cannot equal zero");
            if (spec->type.id == TYPE_INTEGER) {
                /* integer arguments were coerced to bigint only to read them */
                for (int i = 0; i < 3; i++) {
                    int64_t x = i == 0 ? spec->start : i == 1 ? spec->stop : spec->step;
                    if (x > INT32_MAX || x < INT32_MIN) return error_set_at(err, ERR_SQL, pos, "integer out of range");
                }
            }
        }
    }
    PlanNode *p = plan_new(b, PLAN_EXTERNAL_SCAN, 1);
    p->names[0] = arena_strdup(b->arena, fname);
    p->types[0] = spec->type;
    p->provider = &series_scan_provider;
    p->scan_spec = spec;
    *out = p;
    return true;
}

bool bind_generate_series(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                          Error *err)
{
    return bind_series(b, fc, coldefs, ncoldefs, out, err, "generate_series", false);
}

bool bind_range(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                Error *err)
{
    return bind_series(b, fc, coldefs, ncoldefs, out, err, "range", true);
}
