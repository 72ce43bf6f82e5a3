/* bind_aggregate: GROUP BY, aggregate calls and HAVING.
 *
 * Aggregate calls met while binding the select list, HAVING and ORDER BY are
 * collected in an AggBindContext and stand in the expression as EXPR_AGG_REF
 * placeholders.  bind_aggregation then builds
 *
 *     AGGREGATE(keys, aggregates) <- PROJECT(keys, aggregate arguments) <- input
 *
 * and rewrites the collected expressions against the aggregate's output:
 * a subexpression equal to a GROUP BY key reads that key, a placeholder reads
 * its aggregate, and any other input column is the PostgreSQL error "must
 * appear in the GROUP BY clause or be used in an aggregate function". */
#include <string.h>

#include "exec/expr_equal.h"
#include "sql/binder.h"
#include "types/cast.h"

/* Aggregates computed in double precision, whose exact numeric arguments are cast to it. */
static bool takes_double(const char *name)
{
    static const char *const names[] = {"stddev",  "stddev_samp", "stddev_pop",      "variance", "var_samp",
                                        "var_pop", "median",      "percentile_cont", NULL};
    for (int i = 0; names[i]; i++)
        if (strcmp(name, names[i]) == 0) return true;
    return false;
}

static bool is_exact_numeric(LogicalType t)
{
    return t.id == TYPE_INTEGER || t.id == TYPE_BIGINT || t.id == TYPE_DECIMAL;
}

/* name(fraction) WITHIN GROUP (ORDER BY x [ASC|DESC]): the fraction must be
 * a constant (kiln's restriction; PostgreSQL allows any expression constant
 * within a group); x becomes the aggregate's one argument. */
static bool bind_ordered_set_args(Binder *b, PgQuery__FuncCall *fc, const char *name, int pos, const Scope *scope,
                                  AggBinding *ab, Error *err)
{
    if (fc->n_args != 1 || fc->n_agg_order != 1) {
        error_set_at(err, ERR_SQL, pos, "%s takes one fraction and one ORDER BY expression: %s(f) WITHIN GROUP (ORDER BY x)",
                     name, name);
        return false;
    }
    Expr *f = bind_expr(b, fc->args[0], scope, err);
    if (!f) return false;
    int fpos = bind_pos(b, node_location(fc->args[0]));
    f = bind_coerce(b, f, type_make(TYPE_DOUBLE), COERCE_IMPLICIT, err);
    if (!f) return false;
    if (f->kind != EXPR_CONST) {
        error_set_at(err, ERR_SQL, fpos, "the fraction of %s must be a constant", name);
        return false;
    }
    if (f->constant.is_null) {
        ab->fraction_null = true;
    } else {
        double x = f->constant.u.f64;
        if (!(x >= 0 && x <= 1)) {
            error_set_at(err, ERR_DATA, fpos, "percentile value %g is not between 0 and 1", x);
            return false;
        }
        ab->fraction = x;
    }
    PgQuery__Node *item = fc->agg_order[0];
    if (item->node_case != PG_QUERY__NODE__NODE_SORT_BY) {
        error_set_at(err, ERR_SQL, pos, "malformed WITHIN GROUP clause");
        return false;
    }
    PgQuery__SortBy *sb = item->sort_by;
    if (sb->n_use_op > 0) {
        error_set_at(err, ERR_SQL, pos, "ORDER BY ... USING is not supported");
        return false;
    }
    ab->order_desc = sb->sortby_dir == PG_QUERY__SORT_BY_DIR__SORTBY_DESC;
    ab->nargs = 1;
    ab->args[0] = bind_expr(b, sb->node, scope, err);
    return ab->args[0] != NULL;
}

Expr *bind_aggregate_call(Binder *b, PgQuery__FuncCall *fc, const char *name, const Scope *scope, Error *err)
{
    int pos = bind_pos(b, fc->location);
    AggBindContext *ctx = b->agg;
    if (ctx == NULL || !ctx->active) {
        error_set_at(err, ERR_SQL, pos, "aggregate functions are not allowed here (%s)", name);
        return NULL;
    }
    bool ordered_set = aggregate_is_ordered_set(name);
    if (fc->agg_within_group && !ordered_set) {
        error_set_at(err, ERR_SQL, pos, "%s is not an ordered-set aggregate, so it cannot have WITHIN GROUP", name);
        return NULL;
    }
    if (ordered_set && !fc->agg_within_group) {
        error_set_at(err, ERR_SQL, pos, "WITHIN GROUP is required for ordered-set aggregate %s", name);
        return NULL;
    }
    if (fc->agg_within_group && fc->agg_distinct) {
        error_set_at(err, ERR_SQL, pos, "cannot use DISTINCT with WITHIN GROUP");
        return NULL;
    }
    if (fc->n_agg_order > 0 && !fc->agg_within_group) {
        error_set_at(err, ERR_SQL, pos, "ORDER BY inside %s(...) is not supported yet", name);
        return NULL;
    }
    AggBinding ab;
    memset(&ab, 0, sizeof ab);
    ab.distinct = fc->agg_distinct;
    ab.nargs = (int)fc->n_args;
    if (ab.nargs > 2) {
        error_set_at(err, ERR_SQL, pos, "too many arguments for aggregate %s", name);
        return NULL;
    }
    /* arguments and FILTER are bound with aggregates switched off: no nesting */
    ctx->active = false;
    bool ok = true;
    if (ordered_set) {
        ok = bind_ordered_set_args(b, fc, name, pos, scope, &ab, err);
    } else {
        for (int i = 0; i < ab.nargs && ok; i++) {
            ab.args[i] = bind_expr(b, fc->args[i], scope, err);
            ok = ab.args[i] != NULL;
        }
    }
    if (ok && fc->agg_filter) {
        ab.filter = bind_condition(b, fc->agg_filter, scope, "FILTER", err);
        ok = ab.filter != NULL;
    }
    ctx->active = true;
    if (!ok) {
        if (strstr(err->message, "aggregate functions are not allowed") != NULL)
            error_set_at(err, ERR_SQL, pos, "aggregate function calls cannot be nested");
        return NULL;
    }
    if (strcmp(name, "string_agg") == 0) {
        for (int i = 0; i < ab.nargs; i++)
            if (ab.args[i]->untyped_literal || ab.args[i]->type.id == TYPE_NULL) {
                ab.args[i] = bind_coerce(b, ab.args[i], type_make(TYPE_VARCHAR), COERCE_IMPLICIT, err);
                if (!ab.args[i]) return NULL;
            }
    } else if (ab.nargs == 1 && (ab.args[0]->untyped_literal || ab.args[0]->type.id == TYPE_NULL) &&
               strcmp(name, "count") != 0) {
        ab.args[0] = bind_coerce(b, ab.args[0], type_make(TYPE_VARCHAR), COERCE_IMPLICIT, err);
        if (!ab.args[0]) return NULL;
    }
    if (strcmp(name, "median") == 0) ab.fraction = 0.5;
    if (ab.nargs == 1 && takes_double(name) && is_exact_numeric(ab.args[0]->type)) {
        /* computed in double precision (see exec/aggregate.h) */
        ab.args[0] = bind_coerce(b, ab.args[0], type_make(TYPE_DOUBLE), COERCE_IMPLICIT, err);
        if (!ab.args[0]) return NULL;
    }
    LogicalType in = ab.nargs ? ab.args[0]->type : type_make(TYPE_NULL);
    if (ab.nargs == 2 && ab.args[1]->type.id != TYPE_VARCHAR) {
        char tn[48];
        error_set_at(err, ERR_SQL, pos, "function %s(%s, %s) does not exist", name, type_name(in, tn, sizeof tn), "...");
        return NULL;
    }
    if (!aggregate_resolve(name, fc->agg_star, ab.nargs, in, &ab.kind, &ab.result_type, err)) {
        err->sql_pos = pos;
        return NULL;
    }
    /* the same aggregate twice (SELECT sum(x) ... HAVING sum(x) > 0) is computed once */
    int k = -1;
    for (int i = 0; i < ctx->naggs && k < 0; i++) {
        AggBinding *o = &ctx->aggs[i];
        if (o->kind == ab.kind && o->nargs == ab.nargs && expr_equal(o->args[0], ab.args[0]) &&
            expr_equal(o->args[1], ab.args[1]) && expr_equal(o->filter, ab.filter) && o->distinct == ab.distinct &&
            o->order_desc == ab.order_desc && o->fraction_null == ab.fraction_null && o->fraction == ab.fraction)
            k = i;
    }
    if (k < 0) {
        if (ctx->naggs == ctx->cap) {
            int cap = ctx->cap ? ctx->cap * 2 : 8;
            AggBinding *fresh = arena_calloc(b->arena, sizeof(AggBinding) * (size_t)cap);
            if (ctx->naggs) memcpy(fresh, ctx->aggs, sizeof(AggBinding) * (size_t)ctx->naggs);
            ctx->aggs = fresh;
            ctx->cap = cap;
        }
        ctx->aggs[ctx->naggs] = ab;
        k = ctx->naggs++;
    }
    Expr *ref = arena_calloc(b->arena, sizeof(Expr));
    ref->kind = EXPR_AGG_REF;
    ref->type = ctx->aggs[k].result_type;
    ref->column = k;
    ref->sql_pos = pos;
    ref->args = arena_calloc(b->arena, sizeof(Expr *));
    return ref;
}

static bool contains_agg_ref(const Expr *e)
{
    if (e->kind == EXPR_AGG_REF) return true;
    for (int i = 0; i < e->nargs; i++)
        if (contains_agg_ref(e->args[i])) return true;
    return false;
}

/* Rewrite e to read the aggregate's output (keys, then aggregates). */
static Expr *rewrite(Binder *b, Expr *e, Expr **keys, int nkeys, const Scope *scope, Error *err)
{
    for (int k = 0; k < nkeys; k++)
        if (e->kind != EXPR_CONST && expr_equal(e, keys[k])) {
            Expr *c = expr_column(b, k, keys[k]->type);
            c->sql_pos = e->sql_pos;
            return c;
        }
    if (e->kind == EXPR_AGG_REF) {
        Expr *c = expr_column(b, nkeys + e->column, e->type);
        c->sql_pos = e->sql_pos;
        return c;
    }
    if (e->kind == EXPR_COLUMN) {
        const char *name = "?";
        const char *table = NULL;
        for (int i = 0; scope && i < scope->ncols; i++)
            if (scope->cols[i].index == e->column) {
                name = scope->cols[i].name;
                table = scope->cols[i].table;
            }
        if (table)
            error_set_at(err, ERR_SQL, e->sql_pos,
                         "column \"%s.%s\" must appear in the GROUP BY clause or be used in an aggregate function", table,
                         name);
        else
            error_set_at(err, ERR_SQL, e->sql_pos,
                         "column \"%s\" must appear in the GROUP BY clause or be used in an aggregate function", name);
        return NULL;
    }
    for (int i = 0; i < e->nargs; i++) {
        e->args[i] = rewrite(b, e->args[i], keys, nkeys, scope, err);
        if (e->args[i] == NULL) return NULL;
    }
    return e;
}

/* Bind one GROUP BY item: an ordinal or an output name refers to the select list. */
static Expr *bind_group_item(Binder *b, PgQuery__Node *node, const Scope *scope, PgQuery__SelectStmt *stmt,
                             Expr **targets, int nvisible, Error *err)
{
    int pos = bind_pos(b, node_location(node));
    if (node->node_case == PG_QUERY__NODE__NODE_GROUPING_SET)
        return error_set_at(err, ERR_SQL, -1, "GROUPING SETS, ROLLUP and CUBE are not supported yet"), NULL;
    if (node->node_case == PG_QUERY__NODE__NODE_A_CONST && node->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL) {
        int ord = node->a_const->ival->ival;
        if (ord < 1 || ord > nvisible) {
            error_set_at(err, ERR_SQL, pos, "GROUP BY position %d is not in select list", ord);
            return NULL;
        }
        if (contains_agg_ref(targets[ord - 1])) {
            error_set_at(err, ERR_SQL, pos, "aggregate functions are not allowed in GROUP BY");
            return NULL;
        }
        return targets[ord - 1];
    }
    Error first = ERROR_INIT;
    Expr *e = bind_expr(b, node, scope, &first);
    if (e) return e;
    /* an output column name, if the input has no such column */
    if (node->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && node->column_ref->n_fields == 1) {
        const char *name = node_string(node->column_ref->fields[0]);
        for (size_t i = 0; name && i < stmt->n_target_list && (int)i < nvisible; i++) {
            PgQuery__ResTarget *rt = stmt->target_list[i]->res_target;
            if (rt->name && strcmp(rt->name, name) == 0) {
                if (contains_agg_ref(targets[i])) {
                    error_set_at(err, ERR_SQL, pos, "aggregate functions are not allowed in GROUP BY");
                    return NULL;
                }
                return targets[i];
            }
        }
    }
    *err = first;
    return NULL;
}

bool bind_aggregation(Binder *b, PgQuery__SelectStmt *stmt, const Scope *scope, PlanNode **plan, Expr **targets,
                      int ntargets, int nvisible, Expr **having, Error *err)
{
    AggBindContext *ctx = b->agg;
    AggBindContext *saved = b->agg;
    b->agg = NULL; /* no aggregates in GROUP BY */
    int nkeys = (int)stmt->n_group_clause;
    Expr **keys = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(nkeys + 1));
    for (int k = 0; k < nkeys; k++) {
        keys[k] = bind_group_item(b, stmt->group_clause[k], scope, stmt, targets, nvisible, err);
        if (keys[k] == NULL) {
            b->agg = saved;
            return false;
        }
        if (keys[k]->type.id == TYPE_NULL || keys[k]->untyped_literal) {
            keys[k] = bind_coerce(b, keys[k], type_make(TYPE_VARCHAR), COERCE_IMPLICIT, err);
            if (!keys[k]) {
                b->agg = saved;
                return false;
            }
        }
    }
    b->agg = saved;
    /* the projection under the aggregate: keys, then each aggregate's inputs */
    int ninputs = nkeys;
    for (int a = 0; a < ctx->naggs; a++) ninputs += ctx->aggs[a].nargs + (ctx->aggs[a].filter ? 1 : 0);
    Expr **inputs = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(ninputs + 1));
    char **names = arena_calloc(b->arena, sizeof(char *) * (size_t)(ninputs + 1));
    int n = 0;
    for (int k = 0; k < nkeys; k++) {
        inputs[n] = keys[k];
        names[n++] = arena_sprintf(b->arena, "key%d", k);
    }
    AggregateSpec *specs = arena_calloc(b->arena, sizeof(AggregateSpec) * (size_t)(ctx->naggs + 1));
    for (int a = 0; a < ctx->naggs; a++) {
        AggBinding *ab = &ctx->aggs[a];
        specs[a].kind = ab->kind;
        specs[a].result_type = ab->result_type;
        specs[a].input = specs[a].input2 = specs[a].filter = -1;
        if (ab->nargs >= 1) {
            specs[a].input_type = ab->args[0]->type;
            /* aggregates of the same column read one input column: the
             * DISTINCT split (opt_distinct_aggregate.c) needs to see that
             * count(DISTINCT x) and sum(DISTINCT x) take the same x */
            for (int o = 0; o < a && specs[a].input < 0; o++)
                if (ab->args[0]->kind == EXPR_COLUMN && ctx->aggs[o].nargs >= 1 && expr_equal(ctx->aggs[o].args[0], ab->args[0]))
                    specs[a].input = specs[o].input;
            if (specs[a].input < 0) {
                specs[a].input = n;
                inputs[n] = ab->args[0];
                names[n++] = arena_sprintf(b->arena, "agg%d_arg", a);
            }
        }
        if (ab->nargs >= 2) {
            specs[a].input2 = n;
            inputs[n] = ab->args[1];
            names[n++] = arena_sprintf(b->arena, "agg%d_arg2", a);
        }
        if (ab->filter) {
            specs[a].filter = n;
            inputs[n] = ab->filter;
            names[n++] = arena_sprintf(b->arena, "agg%d_filter", a);
        }
        specs[a].distinct = ab->distinct;
        specs[a].order_desc = ab->order_desc;
        specs[a].fraction = ab->fraction;
        specs[a].fraction_null = ab->fraction_null;
        if (ab->kind == AGG_COUNT_STAR || ab->kind == AGG_COUNT) specs[a].input_type = ab->nargs ? ab->args[0]->type : type_make(TYPE_NULL);
    }
    PlanNode *pre = plan_project(b, *plan, n, inputs, names);
    PlanNode *agg = plan_new(b, PLAN_AGGREGATE, nkeys + ctx->naggs);
    agg->child = pre;
    agg->ngroups = nkeys;
    agg->aggs = specs;
    agg->naggs = ctx->naggs;
    for (int k = 0; k < nkeys; k++) {
        agg->types[k] = pre->types[k];
        agg->names[k] = names[k];
    }
    for (int a = 0; a < ctx->naggs; a++) {
        agg->types[nkeys + a] = specs[a].result_type;
        agg->names[nkeys + a] = (char *)aggregate_name(specs[a].kind);
    }
    for (int i = 0; i < ntargets; i++) {
        targets[i] = rewrite(b, targets[i], keys, nkeys, scope, err);
        if (targets[i] == NULL) return false;
    }
    PlanNode *top = agg;
    if (having && *having) {
        *having = rewrite(b, *having, keys, nkeys, scope, err);
        if (*having == NULL) return false;
        PlanNode *f = plan_new(b, PLAN_FILTER, agg->ncols);
        memcpy(f->types, agg->types, sizeof(LogicalType) * (size_t)agg->ncols);
        memcpy(f->names, agg->names, sizeof(char *) * (size_t)agg->ncols);
        f->child = agg;
        f->predicate = *having;
        top = f;
    }
    *plan = top;
    return true;
}
