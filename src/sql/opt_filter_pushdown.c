/* opt_filter_pushdown: a filter above a join is split into its AND-ed
 * conditions, and each condition that reads only one input of the join is
 * moved onto that input, where it shrinks the join's work (and, under a
 * parallel scan, runs in the workers).  Which side may take a condition
 * depends on the join: both for INNER, the preserved side only for LEFT and
 * RIGHT (a condition on the NULL-extended side must see the NULLs), none for
 * FULL, the left for SEMI and ANTI. */
#include <limits.h>
#include <string.h>

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

void opt_push_down_filters(Binder *b, PlanNode **slot)
{
    PlanNode *p = *slot;
    if (p == NULL) return;
    if (p->kind == PLAN_FILTER && p->child && p->child->kind == PLAN_HASH_JOIN) push_into_join(b, slot);
    p = *slot;
    opt_push_down_filters(b, &p->child);
    opt_push_down_filters(b, &p->right);
}
