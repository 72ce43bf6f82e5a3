/* bind_setop: UNION [ALL], INTERSECT [ALL] and EXCEPT [ALL] to plans.
 *
 * Each side is bound as a whole SELECT (so it may itself be a set operation,
 * carry DISTINCT, ORDER BY or LIMIT in parentheses, or be VALUES).  As in
 * PostgreSQL the two sides must have the same number of columns; column i
 * gets the common type of both sides' column i (cast_common_type), an
 * untyped literal or NULL on one side taking the other side's type
 * ('a' beside an integer is parsed as an integer), and two untyped literals
 * giving text.  The result's column names are the left side's.
 *
 * Plans: UNION ALL is a PLAN_UNION (concatenation); UNION is a hash
 * aggregation grouping on every column over it (NULLs group together, as
 * duplicates); INTERSECT/EXCEPT [ALL] are a PLAN_SETOP (exec/op_setop.c).
 * ORDER BY / LIMIT of the whole operation are bound by bind_select. */
#include <string.h>

#include "sql/binder.h"
#include "types/cast.h"

static const char *setop_name(PgQuery__SetOperation op)
{
    switch (op) {
    case PG_QUERY__SET_OPERATION__SETOP_UNION: return "UNION";
    case PG_QUERY__SET_OPERATION__SETOP_INTERSECT: return "INTERSECT";
    default: return "EXCEPT";
    }
}

/* Column c of plan p has no type of its own yet: an untyped literal or NULL
 * computed by the top projection. */
static bool column_is_unknown(const PlanNode *p, int c)
{
    if (p->kind != PLAN_PROJECT) return false;
    const Expr *e = p->exprs[c];
    return e->kind == EXPR_CONST && (e->untyped_literal || (e->constant.is_null && e->constant.type.id == TYPE_NULL));
}

/* Convert column c of *plan to type t: in place when it is a constant of the
 * top projection, otherwise through a projection added on top. */
static bool convert_column(Binder *b, PlanNode **plan, int c, LogicalType t, Error *err)
{
    PlanNode *p = *plan;
    if (type_equal(p->types[c], t)) return true;
    if (column_is_unknown(p, c)) {
        Expr *e = bind_coerce(b, p->exprs[c], t, COERCE_IMPLICIT, err);
        if (!e) return false;
        p->exprs[c] = e;
        p->types[c] = t;
        return true;
    }
    Expr **exprs = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(p->ncols + 1));
    for (int i = 0; i < p->ncols; i++) exprs[i] = expr_column(b, i, p->types[i]);
    exprs[c] = bind_coerce(b, exprs[c], t, COERCE_IMPLICIT, err);
    if (!exprs[c]) return false;
    *plan = plan_project(b, p, p->ncols, exprs, p->names);
    return true;
}

bool bind_set_operation(Binder *b, PgQuery__SelectStmt *stmt, PlanNode **out, Error *err)
{
    const char *what = setop_name(stmt->op);
    if (stmt->larg == NULL || stmt->rarg == NULL) return error_set(err, ERR_SQL, "malformed %s", what);
    PlanNode *left, *right;
    if (!bind_select(b, stmt->larg, &left, err) || !bind_select(b, stmt->rarg, &right, err)) return false;
    if (left->ncols != right->ncols)
        return error_set(err, ERR_SQL, "each %s query must have the same number of columns", what);
    for (int c = 0; c < left->ncols; c++) {
        bool lu = column_is_unknown(left, c), ru = column_is_unknown(right, c);
        LogicalType t;
        if (lu && ru) t = type_make(TYPE_VARCHAR);
        else if (lu) t = right->types[c];
        else if (ru) t = left->types[c];
        else if (!cast_common_type(left->types[c], right->types[c], &t)) {
            char x[48], y[48];
            return error_set(err, ERR_SQL, "%s types %s and %s cannot be matched", what,
                             type_name(left->types[c], x, sizeof x), type_name(right->types[c], y, sizeof y));
        }
        if (!convert_column(b, &left, c, t, err) || !convert_column(b, &right, c, t, err)) return false;
    }
    bool all = stmt->all;
    PlanNode *p;
    if (stmt->op == PG_QUERY__SET_OPERATION__SETOP_UNION) {
        p = plan_new(b, PLAN_UNION, left->ncols);
    } else {
        p = plan_new(b, PLAN_SETOP, left->ncols);
        if (stmt->op == PG_QUERY__SET_OPERATION__SETOP_INTERSECT) p->setop = all ? SETOP_INTERSECT_ALL : SETOP_INTERSECT;
        else p->setop = all ? SETOP_EXCEPT_ALL : SETOP_EXCEPT;
    }
    memcpy(p->types, left->types, sizeof(LogicalType) * (size_t)left->ncols);
    memcpy(p->names, left->names, sizeof(char *) * (size_t)left->ncols);
    p->child = left;
    p->right = right;
    if (stmt->op == PG_QUERY__SET_OPERATION__SETOP_UNION && !all) {
        /* UNION removes duplicates: group by every column */
        PlanNode *d = plan_new(b, PLAN_AGGREGATE, p->ncols);
        memcpy(d->types, p->types, sizeof(LogicalType) * (size_t)p->ncols);
        memcpy(d->names, p->names, sizeof(char *) * (size_t)p->ncols);
        d->child = p;
        d->ngroups = p->ncols;
        p = d;
    }
    *out = p;
    return true;
}
