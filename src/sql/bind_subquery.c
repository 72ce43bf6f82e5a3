/* bind_subquery: subqueries in expressions.
 *
 * Two strategies, as PostgreSQL's planner has (InitPlans, and pulling
 * sublinks up into joins):
 *
 * 1. WHERE conditions.  Top-level AND-ed conjuncts of WHERE of the forms
 *      EXISTS (SELECT ...)          NOT EXISTS (SELECT ...)
 *      x IN (SELECT ...)            x = ANY (SELECT ...)
 *      x NOT IN (SELECT ...)
 *    become joins of the FROM plan with the subquery: a SEMI join for
 *    EXISTS / IN, an ANTI join for NOT EXISTS.  A correlated subquery (its
 *    WHERE reads outer columns) must be a plain SELECT ... FROM ... WHERE
 *    (no GROUP BY, aggregate, LIMIT or set operation); its FROM is bound
 *    alone, its WHERE against its own columns followed by the outer query's
 *    (ScopeColumn.outer: inner names win), and the conjuncts that read the
 *    outer query become the join's condition (equalities its hash keys),
 *    the others a filter under the join.  NOT IN has NULL semantics an ANTI
 *    join lacks (x NOT IN (1, NULL) is never true; NULL NOT IN (non-empty)
 *    is NULL): it is an ANTI join followed by a filter on the subquery's
 *    count(*) and count(column), computed by a one-row aggregate joined in;
 *    the subquery runs twice.  Uncorrelated EXISTS is case 2.
 *
 * 2. Anywhere else (select list, HAVING, CASE, OR...), uncorrelated
 *    subqueries are run once, while binding, and replaced by constants: a
 *    scalar subquery by its value (NULL for no row, an error for more than
 *    one), EXISTS by true/false, x IN / op ANY / op ALL (SELECT ...) by the
 *    OR / AND of x op v over the subquery's values (three-valued, exactly
 *    PostgreSQL's semantics; up to MAX_LIST_ROWS values).  A correlated
 *    subquery there is an error that names the construct.
 *
 * Memory: a subquery run while binding keeps its rows in a memtable until
 * they are converted to constants in the statement's arena. */
#include <limits.h>
#include <string.h>

#include "common/mem.h"
#include "exec/exec.h"
#include "sql/binder.h"
#include "sql/expr_util.h"
#include "types/cast.h"

#define MAX_LIST_ROWS 100000

static Expr *new_expr(Binder *b, ExprKind kind, LogicalType type, int pos, int nargs)
{
    Expr *e = arena_calloc(b->arena, sizeof *e);
    e->kind = kind;
    e->type = type;
    e->sql_pos = pos;
    e->nargs = nargs;
    e->args = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(nargs + 1));
    return e;
}

static Expr *make_bool(Binder *b, ExprKind kind, Expr **args, int n, int pos)
{
    if (n == 1 && kind != EXPR_NOT) return args[0];
    Expr *e = new_expr(b, kind, type_make(TYPE_BOOLEAN), pos, n);
    memcpy(e->args, args, sizeof(Expr *) * (size_t)n);
    return e;
}

static PlanNode *add_filter(Binder *b, PlanNode *plan, Expr *pred)
{
    PlanNode *f = plan_new(b, PLAN_FILTER, plan->ncols);
    memcpy(f->types, plan->types, sizeof(LogicalType) * (size_t)plan->ncols);
    memcpy(f->names, plan->names, sizeof(char *) * (size_t)plan->ncols);
    f->child = plan;
    f->predicate = pred;
    return f;
}

/* Bind a subquery's SELECT as a plan of its own, reporting references to
 * the enclosing query's columns (scope) as unsupported correlation. */
static bool bind_uncorrelated(Binder *b, PgQuery__Node *subselect, const Scope *scope, PlanNode **plan, Error *err)
{
    if (subselect == NULL || subselect->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
        return error_set(err, ERR_SQL, "malformed subquery");
    const Scope *saved = b->outer_scope;
    b->outer_scope = scope;
    bool ok = bind_select(b, subselect->select_stmt, plan, err);
    b->outer_scope = saved;
    return ok;
}

/* Run a plan now, keeping up to max_rows rows (and perhaps a few more) in out. */
static bool run_now(PlanNode *plan, MemTable *out, uint64_t max_rows, Error *err)
{
    ExecContext ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.threads = 1;
    ExecNode *root = exec_build(plan, &ctx, err);
    if (root == NULL) return false;
    bool ok = true;
    while (out->nrows < max_rows) {
        Batch *batch;
        if (!exec_next(root, &batch, err)) {
            ok = false;
            break;
        }
        if (batch->count == 0) break;
        memtable_append(out, batch);
    }
    exec_close(root);
    return ok;
}

/* Row r of a memtable's column c as a constant living in the arena. */
static Expr *memtable_const(Binder *b, const MemTable *t, int c, uint64_t r, int pos)
{
    const Vector *v = t->chunks[r / VECTOR_CAPACITY].cols[c];
    Value val = value_from_vector(v, (uint32_t)(r % VECTOR_CAPACITY));
    val.type = t->types[c];
    if (!val.is_null && val.type.id == TYPE_VARCHAR) val.u.str.data = arena_strndup(b->arena, val.u.str.data, val.u.str.len);
    return expr_const(b, val, pos);
}

/* The operator of x op ANY/ALL (subquery); IN has none and means "=". */
static const char *sublink_operator(const PgQuery__SubLink *sl)
{
    const char *op = sl->n_oper_name ? node_string(sl->oper_name[sl->n_oper_name - 1]) : NULL;
    return op ? op : "=";
}

Expr *bind_sublink(Binder *b, PgQuery__SubLink *sl, const Scope *scope, Error *err)
{
    int pos = bind_pos(b, sl->location);
    bool any = sl->sub_link_type == PG_QUERY__SUB_LINK_TYPE__ANY_SUBLINK;
    bool all = sl->sub_link_type == PG_QUERY__SUB_LINK_TYPE__ALL_SUBLINK;
    bool exists = sl->sub_link_type == PG_QUERY__SUB_LINK_TYPE__EXISTS_SUBLINK;
    bool scalar = sl->sub_link_type == PG_QUERY__SUB_LINK_TYPE__EXPR_SUBLINK;
    if (!any && !all && !exists && !scalar) {
        error_set_at(err, ERR_SQL, pos, "this kind of subquery is not supported (ARRAY or row comparison)");
        return NULL;
    }
    Expr *lhs = NULL;
    if (any || all) {
        if (sl->testexpr && sl->testexpr->node_case == PG_QUERY__NODE__NODE_ROW_EXPR) {
            error_set_at(err, ERR_SQL, pos, "row comparisons with subqueries are not supported yet");
            return NULL;
        }
        lhs = bind_expr(b, sl->testexpr, scope, err);
        if (lhs == NULL) return NULL;
    }
    PlanNode *plan;
    if (!bind_uncorrelated(b, sl->subselect, scope, &plan, err)) return NULL;
    if (!exists && plan->ncols != 1) {
        error_set_at(err, ERR_SQL, pos, plan->ncols > 1 ? "subquery has too many columns" : "subquery has too few columns");
        return NULL;
    }
    MemTable rows;
    memtable_init(&rows, plan->ncols, plan->types);
    uint64_t limit = exists ? 1 : scalar ? 2 : MAX_LIST_ROWS + 1;
    if (!run_now(plan, &rows, limit, err)) {
        memtable_destroy(&rows);
        return NULL;
    }
    Expr *result = NULL;
    if (exists) {
        result = expr_const(b, value_boolean(rows.nrows > 0), pos);
    } else if (scalar) {
        if (rows.nrows > 1)
            error_set_at(err, ERR_DATA, pos, "more than one row returned by a subquery used as an expression");
        else if (rows.nrows == 0)
            result = expr_const(b, value_null(plan->types[0]), pos);
        else
            result = memtable_const(b, &rows, 0, 0, pos);
    } else if (rows.nrows > MAX_LIST_ROWS) {
        error_set_at(err, ERR_SQL, pos,
                     "a subquery of IN / ANY / ALL returning more than %d rows is supported only as a WHERE condition "
                     "x [NOT] IN (SELECT ...)", MAX_LIST_ROWS);
    } else {
        /* x op ANY (v1, v2 ...) = x op v1 OR x op v2 ...; ALL: AND; empty: false / true */
        int n = (int)rows.nrows;
        const char *op = sublink_operator(sl);
        Expr **parts = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(n + 1));
        bool ok = true;
        for (int i = 0; i < n && ok; i++) {
            parts[i] = bind_operator(b, op, i == n - 1 ? lhs : expr_copy(b, lhs), memtable_const(b, &rows, 0, (uint64_t)i, pos),
                                     pos, err);
            ok = parts[i] != NULL;
            if (ok && parts[i]->type.id != TYPE_BOOLEAN) {
                error_set_at(err, ERR_SQL, pos, "op ANY/ALL (array) requires operator to yield boolean");
                ok = false;
            }
        }
        if (ok) {
            if (n == 0) {
                /* still check that x op v would bind, as PostgreSQL does */
                Expr *probe = bind_operator(b, op, lhs, expr_const(b, value_null(plan->types[0]), pos), pos, err);
                if (probe) result = expr_const(b, value_boolean(all), pos);
            } else {
                result = make_bool(b, any ? EXPR_OR : EXPR_AND, parts, n, pos);
            }
        }
    }
    memtable_destroy(&rows);
    return result;
}

/* ---- WHERE conjuncts as joins ---- */

typedef enum SubqueryForm { FORM_NONE, FORM_EXISTS, FORM_NOT_EXISTS, FORM_IN, FORM_NOT_IN } SubqueryForm;

static SubqueryForm classify(PgQuery__Node *n, PgQuery__SubLink **out)
{
    bool negated = false;
    if (n->node_case == PG_QUERY__NODE__NODE_BOOL_EXPR && n->bool_expr->boolop == PG_QUERY__BOOL_EXPR_TYPE__NOT_EXPR &&
        n->bool_expr->n_args == 1) {
        negated = true;
        n = n->bool_expr->args[0];
    }
    if (n->node_case != PG_QUERY__NODE__NODE_SUB_LINK) return FORM_NONE;
    PgQuery__SubLink *sl = n->sub_link;
    if (sl->subselect == NULL || sl->subselect->node_case != PG_QUERY__NODE__NODE_SELECT_STMT) return FORM_NONE;
    *out = sl;
    if (sl->sub_link_type == PG_QUERY__SUB_LINK_TYPE__EXISTS_SUBLINK) return negated ? FORM_NOT_EXISTS : FORM_EXISTS;
    if (sl->sub_link_type == PG_QUERY__SUB_LINK_TYPE__ANY_SUBLINK && strcmp(sublink_operator(sl), "=") == 0 &&
        sl->testexpr && sl->testexpr->node_case != PG_QUERY__NODE__NODE_ROW_EXPR)
        return negated ? FORM_NOT_IN : FORM_IN;
    return FORM_NONE;
}

typedef enum Decorrelated { DECOR_DONE, DECOR_UNCORRELATED, DECOR_NOT_SIMPLE, DECOR_ERROR } Decorrelated;

/* Join *plan (columns in scope) with a correlated subquery: SEMI or ANTI,
 * on the subquery's WHERE (and lhs = its one output column for IN). */
static Decorrelated decorrelate(Binder *b, PgQuery__SubLink *sl, JoinType type, PlanNode **plan, const Scope *scope,
                                Error *err)
{
    PgQuery__SelectStmt *sub = sl->subselect->select_stmt;
    bool in = sl->sub_link_type == PG_QUERY__SUB_LINK_TYPE__ANY_SUBLINK;
    bool plain = (sub->op == PG_QUERY__SET_OPERATION__SETOP_NONE || sub->op == PG_QUERY__SET_OPERATION__SET_OPERATION_UNDEFINED) &&
                 sub->n_values_lists == 0 && sub->n_group_clause == 0 && !sub->having_clause && !sub->limit_count &&
                 !sub->limit_offset && !sub->with_clause && sub->n_window_clause == 0 && sub->n_from_clause > 0 &&
                 (sub->n_distinct_clause == 0 ||
                  (sub->n_distinct_clause == 1 && sub->distinct_clause[0]->node_case == PG_QUERY__NODE__NODE__NOT_SET));
    if (!plain || (in && sub->n_target_list != 1)) return DECOR_NOT_SIMPLE;
    /* the subquery's FROM on its own */
    PgQuery__SelectStmt from_only = *sub;
    from_only.where_clause = NULL;
    PlanNode *right;
    Scope rscope;
    const Scope *saved_outer = b->outer_scope;
    b->outer_scope = scope;
    bool ok = bind_from_where(b, &from_only, &right, &rscope, err);
    b->outer_scope = saved_outer;
    if (!ok) return DECOR_ERROR;
    /* its columns (after the outer query's in the join), then the outer query's */
    int nl = (*plan)->ncols;
    Scope both;
    both.ncols = rscope.ncols + scope->ncols;
    both.cols = arena_calloc(b->arena, sizeof(ScopeColumn) * (size_t)(both.ncols + 1));
    for (int i = 0; i < rscope.ncols; i++) {
        both.cols[i] = rscope.cols[i];
        both.cols[i].index += nl;
        both.cols[i].outer = false;
    }
    for (int i = 0; i < scope->ncols; i++) {
        both.cols[rscope.ncols + i] = scope->cols[i];
        both.cols[rscope.ncols + i].outer = true;
    }
    /* an aggregate in the select list makes one row whatever the WHERE: not a join */
    AggBindContext actx;
    memset(&actx, 0, sizeof actx);
    actx.active = true;
    AggBindContext *saved_agg = b->agg;
    b->agg = &actx;
    Expr *target = NULL;
    for (size_t i = 0; i < sub->n_target_list && ok; i++) {
        PgQuery__Node *tn = sub->target_list[i];
        if (tn->node_case != PG_QUERY__NODE__NODE_RES_TARGET || tn->res_target->val == NULL) continue;
        PgQuery__Node *v = tn->res_target->val;
        if (v->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && v->column_ref->n_fields > 0 &&
            v->column_ref->fields[v->column_ref->n_fields - 1]->node_case == PG_QUERY__NODE__NODE_A_STAR) {
            if (in) ok = error_set_at(err, ERR_SQL, bind_pos(b, sl->location), "subquery has too many columns");
            continue;
        }
        target = bind_expr(b, v, &both, err);
        ok = target != NULL;
    }
    b->agg = saved_agg;
    if (!ok) return DECOR_ERROR;
    if (actx.naggs > 0) return DECOR_NOT_SIMPLE;
    Expr *where = NULL;
    if (sub->where_clause) {
        where = bind_condition(b, sub->where_clause, &both, "WHERE", err);
        if (!where) return DECOR_ERROR;
    }
    int ncond = where ? expr_count_conjuncts(where) : 0;
    Expr **conds = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(ncond + 2));
    int n = 0;
    if (where) n = expr_split_conjuncts(where, conds);
    /* conjuncts on the subquery's own columns filter it before the join */
    Expr **inner = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(ncond + 1));
    Expr **join = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(ncond + 2));
    int ninner = 0, njoin = 0;
    for (int i = 0; i < n; i++) {
        int lo = INT_MAX, hi = -1;
        expr_column_range(conds[i], &lo, &hi);
        if (hi < 0 || lo >= nl) {
            expr_shift_columns(conds[i], 0, -nl);
            inner[ninner++] = conds[i];
        } else {
            join[njoin++] = conds[i];
        }
    }
    if (njoin == 0 && !in) return DECOR_UNCORRELATED;
    if (in) {
        Expr *lhs = bind_expr(b, sl->testexpr, scope, err);
        if (!lhs) return DECOR_ERROR;
        Expr *eq = bind_operator(b, "=", lhs, target, bind_pos(b, sl->location), err);
        if (!eq) return DECOR_ERROR;
        join[njoin++] = eq;
    }
    if (ninner > 0) right = add_filter(b, right, make_bool(b, EXPR_AND, inner, ninner, -1));
    return bind_make_join(b, *plan, right, type, join, njoin, plan, err) ? DECOR_DONE : DECOR_ERROR;
}

/* x [NOT] IN (uncorrelated subquery) as a SEMI / ANTI join; *correlated is
 * set (and nothing reported) when the subquery reads the outer query. */
static bool join_in_subquery(Binder *b, PgQuery__SubLink *sl, bool negated, PlanNode **plan, const Scope *scope,
                             bool *correlated, Error *err)
{
    int pos = bind_pos(b, sl->location);
    int refs = b->outer_refs;
    PlanNode *right;
    *correlated = false;
    if (!bind_uncorrelated(b, sl->subselect, scope, &right, err)) {
        if (b->outer_refs != refs) {
            *correlated = true;
            error_clear(err);
        }
        return false;
    }
    if (right->ncols != 1)
        return error_set_at(err, ERR_SQL, pos, right->ncols > 1 ? "subquery has too many columns" : "subquery has too few columns");
    int nl = (*plan)->ncols;
    Expr *lhs = bind_expr(b, sl->testexpr, scope, err);
    if (!lhs) return false;
    Expr *eq = bind_operator(b, "=", lhs, expr_column(b, nl, right->types[0]), pos, err);
    if (!eq) return false;
    if (!negated) return bind_make_join(b, *plan, right, JOIN_SEMI, &eq, 1, plan, err);
    /* NOT IN: rows without an equal value, kept only if the subquery has no
     * NULL and, for a NULL x, only if it is empty */
    Expr *lhs_again = bind_expr(b, sl->testexpr, scope, err);
    PlanNode *counted;
    if (!lhs_again || !bind_uncorrelated(b, sl->subselect, scope, &counted, err)) return false;
    PlanNode *anti;
    if (!bind_make_join(b, *plan, right, JOIN_ANTI, &eq, 1, &anti, err)) return false;
    PlanNode *agg = plan_new(b, PLAN_AGGREGATE, 2);
    agg->child = counted;
    agg->ngroups = 0;
    agg->naggs = 2;
    agg->aggs = arena_calloc(b->arena, sizeof(AggregateSpec) * 2);
    agg->aggs[0] = (AggregateSpec){.kind = AGG_COUNT_STAR, .input = -1, .input2 = -1, .filter = -1,
                                   .input_type = type_make(TYPE_BIGINT), .result_type = type_make(TYPE_BIGINT)};
    agg->aggs[1] = (AggregateSpec){.kind = AGG_COUNT, .input = 0, .input2 = -1, .filter = -1,
                                   .input_type = counted->types[0], .result_type = type_make(TYPE_BIGINT)};
    agg->types[0] = agg->types[1] = type_make(TYPE_BIGINT);
    agg->names[0] = "count";
    agg->names[1] = "count_not_null";
    PlanNode *joined;
    if (!bind_make_join(b, anti, agg, JOIN_INNER, NULL, 0, &joined, err)) return false;
    Expr *total = expr_column(b, nl, type_make(TYPE_BIGINT)), *not_null = expr_column(b, nl + 1, type_make(TYPE_BIGINT));
    Expr *no_nulls = bind_operator(b, "=", not_null, total, pos, err);
    Expr *empty = bind_operator(b, "=", expr_copy(b, total), expr_const(b, value_bigint(0), pos), pos, err);
    if (!no_nulls || !empty) return false;
    Expr *x_not_null = new_expr(b, EXPR_IS_NULL, type_make(TYPE_BOOLEAN), pos, 1);
    x_not_null->args[0] = lhs_again;
    x_not_null->negated = true;
    Expr *either[2] = {x_not_null, empty};
    Expr *both[2] = {no_nulls, make_bool(b, EXPR_OR, either, 2, pos)};
    PlanNode *filtered = add_filter(b, joined, make_bool(b, EXPR_AND, both, 2, pos));
    Expr **exprs = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(nl + 1));
    for (int c = 0; c < nl; c++) exprs[c] = expr_column(b, c, (*plan)->types[c]);
    *plan = plan_project(b, filtered, nl, exprs, (*plan)->names);
    return true;
}

bool bind_from_where_subqueries(Binder *b, PgQuery__SelectStmt *stmt, PlanNode **plan, Scope *scope, Error *err)
{
    PgQuery__Node *where = stmt->where_clause;
    if (where == NULL) return bind_from_where(b, stmt, plan, scope, err);
    PgQuery__Node **items = &stmt->where_clause;
    size_t nitems = 1;
    if (where->node_case == PG_QUERY__NODE__NODE_BOOL_EXPR && where->bool_expr->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR) {
        items = where->bool_expr->args;
        nitems = where->bool_expr->n_args;
    }
    SubqueryForm *forms = arena_calloc(b->arena, sizeof(SubqueryForm) * (nitems + 1));
    PgQuery__SubLink **links = arena_calloc(b->arena, sizeof(PgQuery__SubLink *) * (nitems + 1));
    PgQuery__Node **rest = arena_calloc(b->arena, sizeof(PgQuery__Node *) * (nitems + 1));
    size_t nrest = 0, nforms = 0;
    for (size_t i = 0; i < nitems; i++) {
        forms[i] = classify(items[i], &links[i]);
        if (forms[i] == FORM_NONE) rest[nrest++] = items[i];
        else nforms++;
    }
    if (nforms == 0) return bind_from_where(b, stmt, plan, scope, err);
    /* FROM with the other conjuncts first */
    PgQuery__SelectStmt others = *stmt;
    others.where_clause = NULL;
    if (nrest == 1) {
        others.where_clause = rest[0];
    } else if (nrest > 1) {
        PgQuery__Node *n = arena_calloc(b->arena, sizeof *n);
        n->node_case = PG_QUERY__NODE__NODE_BOOL_EXPR;
        n->bool_expr = arena_calloc(b->arena, sizeof(PgQuery__BoolExpr));
        *n->bool_expr = *where->bool_expr;
        n->bool_expr->args = rest;
        n->bool_expr->n_args = nrest;
        others.where_clause = n;
    }
    if (!bind_from_where(b, &others, plan, scope, err)) return false;
    for (size_t i = 0; i < nitems; i++) {
        if (forms[i] == FORM_NONE) continue;
        bool correlated = true;
        if (forms[i] == FORM_IN || forms[i] == FORM_NOT_IN) {
            if (join_in_subquery(b, links[i], forms[i] == FORM_NOT_IN, plan, scope, &correlated, err)) continue;
            if (!correlated) return false;
        }
        if (forms[i] != FORM_NOT_IN) {
            JoinType type = forms[i] == FORM_NOT_EXISTS ? JOIN_ANTI : JOIN_SEMI;
            Decorrelated d = decorrelate(b, links[i], type, plan, scope, err);
            if (d == DECOR_DONE) continue;
            if (d == DECOR_ERROR) return false;
        }
        /* not a join: the general path (a constant, or the error naming the construct) */
        Expr *cond = bind_condition(b, items[i], scope, "WHERE", err);
        if (!cond) return false;
        *plan = add_filter(b, *plan, cond);
    }
    return true;
}
