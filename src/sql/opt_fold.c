/* opt_fold: the errors of constant expressions, raised where PostgreSQL's
 * planner raises them.
 *
 * The binder folds every call and cast whose operands are constants
 * (bind_expr.c: `x > 10 * 1000` becomes `x > 10000`, date arithmetic on
 * literals becomes a literal), but leaves in place one whose evaluation
 * fails, because the binder does not yet know whether PostgreSQL would
 * evaluate it.  PostgreSQL's eval_const_expressions simplifies the whole
 * tree before running anything, so `SELECT 1 / 0 FROM t WHERE false` fails
 * even though no row is read, except in branches it drops while
 * simplifying: a CASE arm whose condition is a constant false or NULL (and
 * every arm after a constant true one), COALESCE arguments after a non-NULL
 * constant, AND operands after a constant false, OR operands after a
 * constant true.  This pass walks the plan's expressions the same way and
 * evaluates each constant call or cast it reaches; the first failure is the
 * statement's error, with the expression's position. */
#include "exec/expr_eval.h"
#include "exec/window.h"
#include "sql/optimize.h"

static bool is_const(const Expr *e) { return e->kind == EXPR_CONST; }

static bool const_true(const Expr *e)
{
    return is_const(e) && !e->constant.is_null && e->type.id == TYPE_BOOLEAN && e->constant.u.boolean;
}

static bool const_false_or_null(const Expr *e)
{
    return is_const(e) && (e->constant.is_null || (e->type.id == TYPE_BOOLEAN && !e->constant.u.boolean));
}

static bool check_expr(Binder *b, const Expr *e, Error *err)
{
    if (e == NULL) return true;
    switch (e->kind) {
    case EXPR_CASE: {
        int npairs = (e->nargs - (e->has_else ? 1 : 0)) / 2;
        for (int i = 0; i < npairs; i++) {
            const Expr *when = e->args[2 * i], *then = e->args[2 * i + 1];
            if (!check_expr(b, when, err)) return false;
            if (const_false_or_null(when)) continue;
            if (!check_expr(b, then, err)) return false;
            if (const_true(when)) return true; /* the rest is unreachable */
        }
        return !e->has_else || check_expr(b, e->args[e->nargs - 1], err);
    }
    case EXPR_COALESCE:
        for (int i = 0; i < e->nargs; i++) {
            if (!check_expr(b, e->args[i], err)) return false;
            if (is_const(e->args[i]) && !e->args[i]->constant.is_null) return true;
        }
        return true;
    case EXPR_AND:
    case EXPR_OR:
        for (int i = 0; i < e->nargs; i++) {
            if (!check_expr(b, e->args[i], err)) return false;
            if (e->kind == EXPR_AND ? const_false_or_null(e->args[i]) && !e->args[i]->constant.is_null
                                    : const_true(e->args[i]))
                return true;
        }
        return true;
    case EXPR_CALL:
    case EXPR_CAST: {
        bool all_const = true;
        for (int i = 0; i < e->nargs; i++) {
            if (!check_expr(b, e->args[i], err)) return false;
            all_const &= is_const(e->args[i]);
        }
        if (!all_const) return true;
        /* a constant call the binder left in place: its evaluation fails */
        Value v;
        if (expr_eval_constant(e, b->arena, &v, err)) return true;
        if (err->sql_pos < 0) err->sql_pos = e->sql_pos;
        return false;
    }
    default:
        for (int i = 0; i < e->nargs; i++)
            if (!check_expr(b, e->args[i], err)) return false;
        return true;
    }
}

bool optimize_check_constants(Binder *b, const PlanNode *p, Error *err)
{
    if (p == NULL) return true;
    if (!check_expr(b, p->predicate, err)) return false;
    for (int i = 0; p->exprs && i < p->ncols; i++)
        if (!check_expr(b, p->exprs[i], err)) return false;
    for (int64_t r = 0; p->rows && r < p->nrows; r++)
        for (int c = 0; c < p->ncols; c++)
            if (!check_expr(b, p->rows[r][c], err)) return false;
    return optimize_check_constants(b, p->child, err) && optimize_check_constants(b, p->right, err);
}
