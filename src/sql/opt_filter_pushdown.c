/* opt_filter_pushdown: moves filter conditions down the plan, as close to
 * the scans as they can go, where they shrink the work of everything above
 * (and, under a parallel scan, run in the workers; over an external scan,
 * become skipping hints).
 *
 * A filter is split into its AND-ed conditions, and each moves on its own:
 *  - below a join, onto the input it reads.  Which side may take a
 *    condition depends on the join: both for INNER, the preserved side only
 *    for LEFT and RIGHT (a condition on the NULL-extended side must see the
 *    NULLs), none for FULL, the left for SEMI and ANTI;
 *  - below a projection (a view's or a subquery's select list), rewritten
 *    with the projection's expressions substituted for its columns.  Every
 *    kiln function is deterministic (now() is fixed per statement), so the
 *    rewritten condition has the same value, on the rows the projection
 *    would have computed anyway (moved further, below a join, it may meet
 *    rows the join would have dropped, and so an error such as a division
 *    by zero on them, as PostgreSQL's pushed-down quals do);
 *  - below a sort without LIMIT (filtering first keeps the order), and into
 *    both inputs of a UNION ALL;
 *  - below a GROUP BY when it reads only grouping keys (it keeps or drops
 *    whole groups; the keys are the aggregate's first input columns), and
 *    below window functions when it reads only PARTITION BY columns (it
 *    keeps or drops whole window partitions).
 * Conditions that read no column stay where they are.  A moved condition
 * keeps moving, so a filter over a view over a join reaches the join's
 * inputs. */
#include <limits.h>
#include <string.h>

#include "exec/window.h"
#include "sql/expr_util.h"
#include "sql/optimize_internal.h"

/* Put conditions (already in the input's numbering) on top of *slot. */
static void add_filter(Binder *b, PlanNode **slot, Expr **conds, int n)
{
    if (n == 0) return;
    PlanNode *in = *slot;
    if (in->kind == PLAN_FILTER) {
        Expr **all = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(n + 1));
        memcpy(all, conds, sizeof(Expr *) * (size_t)n);
        Expr *both[2] = {in->predicate, expr_and(b, all, n)};
        in->predicate = expr_and(b, both, 2);
        return;
    }
    PlanNode *f = plan_new(b, PLAN_FILTER, in->ncols);
    memcpy(f->types, in->types, sizeof(LogicalType) * (size_t)in->ncols);
    memcpy(f->names, in->names, sizeof(char *) * (size_t)in->ncols);
    f->child = in;
    f->predicate = expr_and(b, conds, n);
    *slot = f;
}

static void push_into_join(Binder *b, PlanNode **slot)
{
    PlanNode *filter = *slot;
    PlanNode *join = filter->child;
    JoinType t = join->join_type;
    bool to_left = t == JOIN_INNER || t == JOIN_LEFT || t == JOIN_SEMI || t == JOIN_ANTI;
    bool to_right = t == JOIN_INNER || t == JOIN_RIGHT;
    int nl = join->child->ncols;
    int nr = (t == JOIN_SEMI || t == JOIN_ANTI) ? 0 : join->right->ncols;
    int total = expr_count_conjuncts(filter->predicate);
    Expr **conds = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(4 * total));
    Expr **left = conds + total, **right = left + total, **keep = right + total;
    int n = expr_split_conjuncts(filter->predicate, conds);
    int nleft = 0, nright = 0, nkeep = 0;
    for (int i = 0; i < n; i++) {
        int lo = INT_MAX, hi = -1;
        expr_column_range(conds[i], &lo, &hi);
        if (hi < 0) keep[nkeep++] = conds[i]; /* constant: keep where it is */
        else if (to_left && hi < nl) left[nleft++] = conds[i];
        else if (to_right && lo >= nl && hi < nl + nr) {
            expr_shift_columns(conds[i], 0, -nl);
            right[nright++] = conds[i];
        } else keep[nkeep++] = conds[i];
    }
    if (nleft == 0 && nright == 0) return;
    add_filter(b, &join->child, left, nleft);
    add_filter(b, &join->right, right, nright);
    if (nkeep == 0) *slot = join;
    else filter->predicate = expr_and(b, keep, nkeep);
}

/* An expression whose columns are replaced by copies of exprs[column]. */
static Expr *substitute_columns(Binder *b, Expr *e, Expr *const *exprs)
{
    if (e->kind == EXPR_COLUMN) return expr_copy(b, exprs[e->column]);
    for (int i = 0; i < e->nargs; i++) e->args[i] = substitute_columns(b, e->args[i], exprs);
    return e;
}

/* Whether a projection expression may be copied into a condition below it. */
static bool substitutable(const Expr *e)
{
    if (e->kind == EXPR_AGG_REF || e->kind == EXPR_WINDOW_REF) return false;
    for (int i = 0; i < e->nargs; i++)
        if (!substitutable(e->args[i])) return false;
    return true;
}

/* FILTER over PROJECT: conditions whose columns map to substitutable
 * expressions go below the projection, rewritten. */
static void push_through_project(Binder *b, PlanNode **slot)
{
    PlanNode *filter = *slot;
    PlanNode *proj = filter->child;
    int total = expr_count_conjuncts(filter->predicate);
    Expr **conds = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(3 * total));
    Expr **down = conds + total, **keep = down + total;
    int n = expr_split_conjuncts(filter->predicate, conds);
    int ndown = 0, nkeep = 0;
    bool *used = arena_calloc(b->arena, sizeof(bool) * (size_t)(proj->ncols + 1));
    for (int i = 0; i < n; i++) {
        bool ok = expr_reads_any(conds[i]);
        memset(used, 0, sizeof(bool) * (size_t)proj->ncols);
        opt_mark_columns(conds[i], used);
        for (int c = 0; ok && c < proj->ncols; c++) ok = !used[c] || substitutable(proj->exprs[c]);
        if (ok) down[ndown++] = substitute_columns(b, conds[i], proj->exprs);
        else keep[nkeep++] = conds[i];
    }
    if (ndown == 0) return;
    add_filter(b, &proj->child, down, ndown);
    if (nkeep == 0) *slot = proj;
    else filter->predicate = expr_and(b, keep, nkeep);
}

/* FILTER over SORT (no LIMIT is part of a SORT): swap them. */
static void push_through_sort(PlanNode **slot)
{
    PlanNode *filter = *slot;
    PlanNode *sort = filter->child;
    if (!expr_reads_any(filter->predicate)) return;
    filter->child = sort->child;
    sort->child = filter;
    *slot = sort;
}

/* FILTER over UNION ALL: the same condition on both inputs (same columns). */
static void push_into_union(Binder *b, PlanNode **slot)
{
    PlanNode *filter = *slot;
    PlanNode *u = filter->child;
    if (!expr_reads_any(filter->predicate)) return;
    Expr *left = filter->predicate, *right = expr_copy(b, filter->predicate);
    add_filter(b, &u->child, &left, 1);
    add_filter(b, &u->right, &right, 1);
    *slot = u;
}

/* Whether condition e reads only the columns allowed[c] is true for. */
static bool reads_only(Binder *b, const Expr *e, const bool *allowed, int ncols)
{
    bool *used = arena_calloc(b->arena, sizeof(bool) * (size_t)(ncols + 1));
    opt_mark_columns(e, used);
    for (int c = 0; c < ncols; c++)
        if (used[c] && !allowed[c]) return false;
    return true;
}

/* FILTER over AGGREGATE or WINDOW: the conditions on grouping keys or
 * partition columns go below it, with the same column numbers (the keys are
 * the aggregate's first input columns; a window passes its input columns
 * through first). */
static void push_below_grouping(Binder *b, PlanNode **slot)
{
    PlanNode *filter = *slot;
    PlanNode *node = filter->child;
    int nin = node->child->ncols;
    bool *allowed = arena_calloc(b->arena, sizeof(bool) * (size_t)(node->ncols + 1));
    if (node->kind == PLAN_AGGREGATE) {
        if (node->ngroups == 0 || node->agg_partial) return;
        for (int c = 0; c < node->ngroups; c++) allowed[c] = true;
    } else {
        for (int k = 0; k < node->window->npartition; k++)
            if (node->window->partition[k] < nin) allowed[node->window->partition[k]] = true;
    }
    int total = expr_count_conjuncts(filter->predicate);
    Expr **conds = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(3 * total));
    Expr **down = conds + total, **keep = down + total;
    int n = expr_split_conjuncts(filter->predicate, conds);
    int ndown = 0, nkeep = 0;
    for (int i = 0; i < n; i++) {
        if (expr_reads_any(conds[i]) && reads_only(b, conds[i], allowed, node->ncols)) down[ndown++] = conds[i];
        else keep[nkeep++] = conds[i];
    }
    if (ndown == 0) return;
    add_filter(b, &node->child, down, ndown);
    if (nkeep == 0) *slot = node;
    else filter->predicate = expr_and(b, keep, nkeep);
}

void opt_push_down_filters(Binder *b, PlanNode **slot)
{
    PlanNode *p = *slot;
    if (p == NULL) return;
    if (p->kind == PLAN_FILTER && p->child) {
        switch (p->child->kind) {
        case PLAN_HASH_JOIN: push_into_join(b, slot); break;
        case PLAN_PROJECT: push_through_project(b, slot); break;
        case PLAN_SORT: push_through_sort(slot); break;
        case PLAN_UNION: push_into_union(b, slot); break;
        case PLAN_AGGREGATE:
        case PLAN_WINDOW: push_below_grouping(b, slot); break;
        default: break;
        }
    }
    /* a moved condition sits in a filter further down now: visiting the
     * children moves it on */
    p = *slot;
    opt_push_down_filters(b, &p->child);
    opt_push_down_filters(b, &p->right);
}
