/* bind_join: FROM lists and JOINs to hash-join plans.
 *
 * Every join is planned in one shape: the output of a join of L (nl columns)
 * and R (nr columns) is L's columns followed by R's, so conditions bound
 * against that concatenated scope keep their meaning.  Conjuncts of the
 * condition of the form `l_expr = r_expr` (each side reading one input only)
 * become hash keys, converted to a common type so equal values hash
 * equally; other conjuncts are the residual condition.  Key expressions that
 * are not plain columns are computed by a projection under the join, and a
 * projection over it restores the concatenated layout.
 *
 * Comma-separated FROM items are bound together with WHERE: each WHERE
 * conjunct that reads only one item filters that item before the join, and
 * one that reads several is attached to the first join that sees them all,
 * so `FROM a, b WHERE a.id = b.id` is a hash join, not a cross product.
 *
 * USING and NATURAL follow PostgreSQL: the shared columns come first (for
 * FULL joins as COALESCE of both sides), then the other columns of each
 * side; the per-side copies stay reachable qualified (a.id, b.id). */
#include <string.h>

#include "sql/binder.h"
#include "sql/expr_util.h"
#include "types/cast.h"

typedef struct ExprList {
    Expr **items;
    int n, cap;
} ExprList;

static void list_push(Binder *b, ExprList *l, Expr *e)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 8;
        Expr **fresh = arena_alloc(b->arena, sizeof(Expr *) * (size_t)cap);
        if (l->n) memcpy(fresh, l->items, sizeof(Expr *) * (size_t)l->n);
        l->items = fresh;
        l->cap = cap;
    }
    l->items[l->n++] = e;
}

/* Add the AND-ed parts of a condition to a list (a TRUE constant adds nothing). */
static void split_conjuncts(Binder *b, Expr *e, ExprList *out)
{
    int n = expr_count_conjuncts(e);
    Expr **parts = arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
    n = expr_split_conjuncts(e, parts);
    for (int i = 0; i < n; i++) {
        Expr *c = parts[i];
        if (c->kind == EXPR_CONST && !c->constant.is_null && c->constant.u.boolean) continue; /* TRUE */
        list_push(b, out, c);
    }
}

static PlanNode *add_filter(Binder *b, PlanNode *plan, Expr **conds, int n)
{
    if (n == 0) return plan;
    PlanNode *f = plan_new(b, PLAN_FILTER, plan->ncols);
    memcpy(f->types, plan->types, sizeof(LogicalType) * (size_t)plan->ncols);
    memcpy(f->names, plan->names, sizeof(char *) * (size_t)plan->ncols);
    f->child = plan;
    f->predicate = expr_and(b, conds, n);
    return f;
}

/* A projection of all of plan's columns plus extra expressions. */
static PlanNode *project_with_extras(Binder *b, PlanNode *plan, Expr **extras, int nextra)
{
    int n = plan->ncols + nextra;
    Expr **exprs = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(n + 1));
    char **names = arena_calloc(b->arena, sizeof(char *) * (size_t)(n + 1));
    for (int c = 0; c < plan->ncols; c++) {
        exprs[c] = expr_column(b, c, plan->types[c]);
        names[c] = plan->names[c];
    }
    for (int k = 0; k < nextra; k++) {
        exprs[plan->ncols + k] = extras[k];
        names[plan->ncols + k] = arena_sprintf(b->arena, "join_key%d", k);
    }
    return plan_project(b, plan, n, exprs, names);
}

/* Join left and right; conds are bound against left ++ right. The result's
 * columns are left's then right's (left's only for SEMI/ANTI). */
static bool make_join(Binder *b, PlanNode *left, PlanNode *right, JoinType type, ExprList *conds, PlanNode **out,
                      Error *err)
{
    int nl = left->ncols, nr = right->ncols;
    Expr **lkeys = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(conds->n + 1));
    Expr **rkeys = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(conds->n + 1));
    int nkeys = 0;
    ExprList residual = {0};
    for (int i = 0; i < conds->n; i++) {
        Expr *c = conds->items[i];
        bool is_eq = c->kind == EXPR_CALL && c->nargs == 2 && strcmp(c->call->function->name, "=") == 0;
        Expr *l = NULL, *r = NULL;
        if (is_eq && expr_reads_any(c->args[0]) && expr_reads_any(c->args[1])) {
            if (expr_reads_only(c->args[0], 0, nl) && expr_reads_only(c->args[1], nl, nl + nr)) {
                l = c->args[0];
                r = c->args[1];
            } else if (expr_reads_only(c->args[1], 0, nl) && expr_reads_only(c->args[0], nl, nl + nr)) {
                l = c->args[1];
                r = c->args[0];
            }
        }
        LogicalType common;
        if (l && r && cast_common_type(l->type, r->type, &common)) {
            l = bind_coerce(b, l, common, COERCE_IMPLICIT, err);
            r = l ? bind_coerce(b, r, common, COERCE_IMPLICIT, err) : NULL;
            if (!l || !r) return false;
            lkeys[nkeys] = l;
            rkeys[nkeys] = r;
            nkeys++;
        } else {
            list_push(b, &residual, c);
        }
    }
    /* key columns: plain columns are used in place, others are computed below the join */
    int *lcols = arena_calloc(b->arena, sizeof(int) * (size_t)(nkeys + 1));
    int *rcols = arena_calloc(b->arena, sizeof(int) * (size_t)(nkeys + 1));
    Expr **lextra = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(nkeys + 1));
    Expr **rextra = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(nkeys + 1));
    int nle = 0, nre = 0;
    for (int k = 0; k < nkeys; k++) {
        if (lkeys[k]->kind == EXPR_COLUMN) {
            lcols[k] = lkeys[k]->column;
        } else {
            lcols[k] = nl + nle;
            lextra[nle++] = lkeys[k];
        }
        expr_shift_columns(rkeys[k], 0, -nl);
        if (rkeys[k]->kind == EXPR_COLUMN) {
            rcols[k] = rkeys[k]->column;
        } else {
            rcols[k] = nr + nre;
            rextra[nre++] = rkeys[k];
        }
    }
    PlanNode *lp = nle ? project_with_extras(b, left, lextra, nle) : left;
    PlanNode *rp = nre ? project_with_extras(b, right, rextra, nre) : right;
    bool left_only = type == JOIN_SEMI || type == JOIN_ANTI;
    int ncols = lp->ncols + (left_only ? 0 : rp->ncols);
    PlanNode *j = plan_new(b, PLAN_HASH_JOIN, ncols);
    j->child = lp;
    j->right = rp;
    j->join_type = type;
    j->njoin_keys = nkeys;
    j->left_keys = lcols;
    j->right_keys = rcols;
    for (int c = 0; c < lp->ncols; c++) {
        j->types[c] = lp->types[c];
        j->names[c] = lp->names[c];
    }
    if (!left_only)
        for (int c = 0; c < rp->ncols; c++) {
            j->types[lp->ncols + c] = rp->types[c];
            j->names[lp->ncols + c] = rp->names[c];
        }
    if (residual.n > 0) {
        /* the residual reads the join's internal layout: right columns move past the left extras */
        for (int i = 0; i < residual.n; i++) expr_shift_columns(residual.items[i], nl, nle);
        j->predicate = expr_and(b, residual.items, residual.n);
    }
    PlanNode *result = j;
    if (nle || (nre && !left_only)) {
        int n = nl + (left_only ? 0 : nr);
        Expr **exprs = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(n + 1));
        char **names = arena_calloc(b->arena, sizeof(char *) * (size_t)(n + 1));
        for (int c = 0; c < nl; c++) {
            exprs[c] = expr_column(b, c, j->types[c]);
            names[c] = j->names[c];
        }
        if (!left_only)
            for (int c = 0; c < nr; c++) {
                exprs[nl + c] = expr_column(b, lp->ncols + c, j->types[lp->ncols + c]);
                names[nl + c] = j->names[lp->ncols + c];
            }
        result = plan_project(b, j, n, exprs, names);
    }
    *out = result;
    return true;
}

bool bind_make_join(Binder *b, PlanNode *left, PlanNode *right, JoinType type, Expr **conds, int nconds,
                    PlanNode **out, Error *err)
{
    ExprList list = {0};
    for (int i = 0; i < nconds; i++) list_push(b, &list, conds[i]);
    return make_join(b, left, right, type, &list, out, err);
}

/* The scope of left ++ right. */
static Scope concat_scopes(Binder *b, const Scope *l, const Scope *r, int nl)
{
    Scope s;
    s.ncols = l->ncols + r->ncols;
    s.cols = arena_calloc(b->arena, sizeof(ScopeColumn) * (size_t)(s.ncols + 1));
    for (int i = 0; i < l->ncols; i++) s.cols[i] = l->cols[i];
    for (int i = 0; i < r->ncols; i++) {
        s.cols[l->ncols + i] = r->cols[i];
        s.cols[l->ncols + i].index += nl;
    }
    return s;
}

static int find_visible(const Scope *s, const char *name, int from, int to)
{
    int found = -1;
    for (int i = 0; i < s->ncols; i++) {
        const ScopeColumn *c = &s->cols[i];
        if (c->hidden || c->index < from || c->index >= to || strcmp(c->name, name) != 0) continue;
        if (found >= 0) return -2;
        found = i;
    }
    return found;
}

bool bind_join_expr(Binder *b, PgQuery__JoinExpr *je, PlanNode **out, Scope *scope, Error *err)
{
    JoinType type;
    switch (je->jointype) {
    case PG_QUERY__JOIN_TYPE__JOIN_INNER: type = JOIN_INNER; break;
    case PG_QUERY__JOIN_TYPE__JOIN_LEFT: type = JOIN_LEFT; break;
    case PG_QUERY__JOIN_TYPE__JOIN_RIGHT: type = JOIN_RIGHT; break;
    case PG_QUERY__JOIN_TYPE__JOIN_FULL: type = JOIN_FULL; break;
    default: return error_set(err, ERR_SQL, "this kind of join is not supported");
    }
    PlanNode *lp, *rp;
    Scope ls, rs;
    if (!bind_from_item(b, je->larg, &lp, &ls, err) || !bind_from_item(b, je->rarg, &rp, &rs, err)) return false;
    int nl = lp->ncols, nr = rp->ncols;
    Scope both = concat_scopes(b, &ls, &rs, nl);
    ExprList conds = {0};
    /* USING / NATURAL: the shared column names */
    int nusing = 0;
    const char **using_names = NULL;
    if (je->is_natural) {
        using_names = arena_calloc(b->arena, sizeof(char *) * (size_t)(ls.ncols + 1));
        for (int i = 0; i < ls.ncols; i++) {
            if (ls.cols[i].hidden) continue;
            if (find_visible(&rs, ls.cols[i].name, 0, nr) >= 0) using_names[nusing++] = ls.cols[i].name;
        }
    } else if (je->n_using_clause > 0) {
        using_names = arena_calloc(b->arena, sizeof(char *) * (je->n_using_clause + 1));
        for (size_t i = 0; i < je->n_using_clause; i++) using_names[nusing++] = node_string(je->using_clause[i]);
    }
    int *lidx = arena_calloc(b->arena, sizeof(int) * (size_t)(nusing + 1));
    int *ridx = arena_calloc(b->arena, sizeof(int) * (size_t)(nusing + 1));
    for (int u = 0; u < nusing; u++) {
        int li = find_visible(&ls, using_names[u], 0, nl), ri = find_visible(&rs, using_names[u], 0, nr);
        if (li < 0 || ri < 0)
            return error_set(err, ERR_SQL, "column \"%s\" specified in USING clause does not exist in %s table",
                             using_names[u], li < 0 ? "left" : "right");
        lidx[u] = ls.cols[li].index;
        ridx[u] = rs.cols[ri].index;
        Expr *l = expr_column(b, lidx[u], ls.cols[li].type);
        Expr *r = expr_column(b, nl + ridx[u], rs.cols[ri].type);
        LogicalType common;
        if (!cast_common_type(l->type, r->type, &common))
            return error_set(err, ERR_SQL, "JOIN/USING types for column \"%s\" cannot be matched", using_names[u]);
        l = bind_coerce(b, l, common, COERCE_IMPLICIT, err);
        r = l ? bind_coerce(b, r, common, COERCE_IMPLICIT, err) : NULL;
        if (!l || !r) return false;
        Expr *args[2] = {l, r};
        (void)args;
        /* build l = r through the registry */
        const ScalarFunction *eq = function_lookup("=");
        FunctionCall *call = arena_calloc(b->arena, sizeof(FunctionCall));
        binder_track_call(b, call);
        LogicalType ts[2] = {common, common};
        if (!eq || !function_bind(eq, ts, NULL, 2, -1, call, b->arena, err)) return false;
        Expr *e = arena_calloc(b->arena, sizeof(Expr));
        e->kind = EXPR_CALL;
        e->type = call->return_type;
        e->sql_pos = -1;
        e->call = call;
        e->nargs = 2;
        e->args = arena_calloc(b->arena, sizeof(Expr *) * 3);
        e->args[0] = l;
        e->args[1] = r;
        list_push(b, &conds, e);
    }
    if (je->quals) {
        Expr *q = bind_condition(b, je->quals, &both, "JOIN/ON", err);
        if (!q) return false;
        split_conjuncts(b, q, &conds);
    }
    PlanNode *j;
    if (!make_join(b, lp, rp, type, &conds, &j, err)) return false;
    if (nusing == 0) {
        *scope = both;
        *out = j;
    } else {
        /* PostgreSQL's column order: shared columns, then the rest of each side */
        int n = nusing + nl + nr;
        Expr **exprs = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(n + 1));
        char **names = arena_calloc(b->arena, sizeof(char *) * (size_t)(n + 1));
        Scope s;
        s.ncols = n;
        s.cols = arena_calloc(b->arena, sizeof(ScopeColumn) * (size_t)(n + 1));
        for (int u = 0; u < nusing; u++) {
            Expr *l = expr_column(b, lidx[u], j->types[lidx[u]]);
            Expr *r = expr_column(b, nl + ridx[u], j->types[nl + ridx[u]]);
            Expr *e;
            if (type == JOIN_FULL || !type_equal(l->type, r->type)) {
                LogicalType common;
                cast_common_type(l->type, r->type, &common);
                l = bind_coerce(b, l, common, COERCE_IMPLICIT, err);
                r = l ? bind_coerce(b, r, common, COERCE_IMPLICIT, err) : NULL;
                if (!l || !r) return false;
            }
            if (type == JOIN_FULL) {
                e = arena_calloc(b->arena, sizeof(Expr));
                e->kind = EXPR_COALESCE;
                e->type = l->type;
                e->sql_pos = -1;
                e->nargs = 2;
                e->args = arena_calloc(b->arena, sizeof(Expr *) * 3);
                e->args[0] = l;
                e->args[1] = r;
            } else {
                e = type == JOIN_RIGHT ? r : l;
            }
            exprs[u] = e;
            names[u] = (char *)using_names[u];
            s.cols[u] = (ScopeColumn){NULL, using_names[u], e->type, u, false, false};
        }
        for (int c = 0; c < nl + nr; c++) {
            exprs[nusing + c] = expr_column(b, c, j->types[c]);
            names[nusing + c] = j->names[c];
        }
        for (int i = 0; i < both.ncols; i++) {
            ScopeColumn sc = both.cols[i];
            for (int u = 0; u < nusing; u++)
                if ((sc.index == lidx[u] || sc.index == nl + ridx[u]) && strcmp(sc.name, using_names[u]) == 0)
                    sc.hidden = true;
            sc.index += nusing;
            s.cols[nusing + i] = sc;
        }
        s.ncols = nusing + both.ncols;
        *out = plan_project(b, j, n, exprs, names);
        *scope = s;
    }
    if (je->alias) {
        /* (a JOIN b) AS j: every visible column is j.<name> */
        const char *alias = je->alias->aliasname;
        for (int i = 0; i < scope->ncols; i++) scope->cols[i].table = alias;
        for (size_t i = 0; i < je->alias->n_colnames && (int)i < scope->ncols; i++)
            scope->cols[i].name = node_string(je->alias->colnames[i]);
    }
    return true;
}

bool bind_from_where(Binder *b, PgQuery__SelectStmt *stmt, PlanNode **plan, Scope *scope, Error *err)
{
    int nitems = (int)stmt->n_from_clause;
    if (nitems == 0) {
        *plan = plan_new(b, PLAN_ONE_ROW, 0);
        scope->cols = NULL;
        scope->ncols = 0;
        if (!stmt->where_clause) return true;
        Expr *pred = bind_condition(b, stmt->where_clause, scope, "WHERE", err);
        if (!pred) return false;
        *plan = add_filter(b, *plan, &pred, 1);
        return true;
    }
    PlanNode **plans = arena_calloc(b->arena, sizeof(PlanNode *) * (size_t)nitems);
    Scope *scopes = arena_calloc(b->arena, sizeof(Scope) * (size_t)nitems);
    int *base = arena_calloc(b->arena, sizeof(int) * (size_t)(nitems + 1));
    Scope all = {NULL, 0};
    for (int k = 0; k < nitems; k++) {
        if (!bind_from_item(b, stmt->from_clause[k], &plans[k], &scopes[k], err)) return false;
        base[k + 1] = base[k] + plans[k]->ncols;
        all = k == 0 ? scopes[0] : concat_scopes(b, &all, &scopes[k], base[k]);
    }
    /* duplicate table names in one FROM list are ambiguous, as in PostgreSQL */
    for (int k = 1; k < nitems; k++)
        for (int m = 0; m < k; m++) {
            const char *tk = scopes[k].ncols ? scopes[k].cols[0].table : NULL;
            const char *tm = scopes[m].ncols ? scopes[m].cols[0].table : NULL;
            if (tk && tm && strcmp(tk, tm) == 0 && stmt->from_clause[k]->node_case != PG_QUERY__NODE__NODE_JOIN_EXPR &&
                stmt->from_clause[m]->node_case != PG_QUERY__NODE__NODE_JOIN_EXPR)
                return error_set(err, ERR_SQL, "table name \"%s\" specified more than once", tk);
        }
    ExprList where = {0};
    if (stmt->where_clause) {
        Expr *pred = bind_condition(b, stmt->where_clause, &all, "WHERE", err);
        if (!pred) return false;
        split_conjuncts(b, pred, &where);
    }
    bool *used = arena_calloc(b->arena, (size_t)where.n + 1);
    /* conditions on a single item filter it before any join */
    for (int k = 0; k < nitems; k++) {
        ExprList mine = {0};
        for (int i = 0; i < where.n; i++) {
            if (used[i] || !expr_reads_any(where.items[i]) || !expr_reads_only(where.items[i], base[k], base[k + 1])) continue;
            if (nitems == 1) break;
            expr_shift_columns(where.items[i], 0, -base[k]);
            list_push(b, &mine, where.items[i]);
            used[i] = true;
        }
        plans[k] = add_filter(b, plans[k], mine.items, mine.n);
    }
    PlanNode *acc = plans[0];
    for (int k = 1; k < nitems; k++) {
        ExprList conds = {0};
        for (int i = 0; i < where.n; i++) {
            if (used[i] || !expr_reads_only(where.items[i], 0, base[k + 1]) || !expr_reads_any(where.items[i])) continue;
            list_push(b, &conds, where.items[i]);
            used[i] = true;
        }
        if (!make_join(b, acc, plans[k], JOIN_INNER, &conds, &acc, err)) return false;
    }
    ExprList rest = {0};
    for (int i = 0; i < where.n; i++)
        if (!used[i]) list_push(b, &rest, where.items[i]);
    *plan = add_filter(b, acc, rest.items, rest.n);
    *scope = all;
    return true;
}
