/* opt_topn_per_key: recognise the "latest row per key" idiom, a filter that
 * keeps only the first N rows of each window partition,
 *
 *     SELECT ... FROM (SELECT ..., row_number() OVER (PARTITION BY k
 *                      ORDER BY ts DESC) AS rn FROM t) WHERE rn = 1
 *
 * and mark the window (WindowSpec.top_per_key = N) so that it runs as the
 * hash-based top-N-per-key operator (exec/op_topn_per_key.c): one pass that
 * keeps N rows per key instead of sorting the whole input.
 *
 * The rule applies to a FILTER directly above a WINDOW whose functions are
 * all row_number() (they share the window's partition and order, so they
 * are equal), when some AND-ed conjunct of the filter bounds one of those
 * results by an integer constant: rn = c, rn <= c, rn < c (and the same
 * with the constant first).  N is the smallest such bound.  The filter
 * stays and still decides; the window only leaves out rows numbered above
 * N, which every such conjunct rejects.  rank() and dense_rank() are left
 * alone: with ties their first N ranks can hold any number of rows.
 *
 * DISTINCT ON (k) ... ORDER BY k, ts DESC is the same idiom: the UNIQUE over
 * a SORT gets, below the sort, a top-1-per-key window partitioned by the
 * DISTINCT ON keys and ordered by the rest of the ORDER BY, so only one row
 * per key is sorted; the UNIQUE then finds nothing more to drop. */
#include <limits.h>
#include <string.h>

#include "exec/window.h"
#include "sql/expr_util.h"
#include "sql/optimize_internal.h"

/* The largest N the rewrite takes: a row entering a key's list moves up to
 * N references, so past this the sort-based window is the safer choice. */
#define TOPN_MAX 1024

/* The integer value of a constant (possibly cast) expression, or false. */
static bool integer_constant(const Expr *e, int64_t *out)
{
    while (e->kind == EXPR_CAST && e->nargs == 1) e = e->args[0];
    if (e->kind != EXPR_CONST || e->constant.is_null) return false;
    switch (e->constant.type.id) {
    case TYPE_INTEGER: *out = e->constant.u.i32; return true;
    case TYPE_BIGINT: *out = e->constant.u.i64; return true;
    default: return false;
    }
}

/* If conjunct e bounds a row_number column (>= first) from above, the
 * largest number it lets through, in *bound. */
static bool row_number_bound(const Expr *e, int first, int64_t *bound)
{
    if (e->kind != EXPR_CALL || e->nargs != 2 || e->call == NULL || e->call->function == NULL) return false;
    const char *op = e->call->function->name;
    const Expr *a = e->args[0], *c = e->args[1];
    bool column_first = true;
    if (a->kind != EXPR_COLUMN) {
        const Expr *t = a;
        a = c;
        c = t;
        column_first = false;
    }
    int64_t v;
    if (a->kind != EXPR_COLUMN || a->column < first || !integer_constant(c, &v)) return false;
    /* normalise to "column OP constant" */
    if (!column_first) {
        if (strcmp(op, "<") == 0) op = ">";
        else if (strcmp(op, ">") == 0) op = "<";
        else if (strcmp(op, "<=") == 0) op = ">=";
        else if (strcmp(op, ">=") == 0) op = "<=";
    }
    if (strcmp(op, "=") == 0 || strcmp(op, "<=") == 0) *bound = v;
    else if (strcmp(op, "<") == 0 && v > INT64_MIN) *bound = v - 1;
    else return false;
    return true;
}

static void try_filter(Binder *b, PlanNode *filter)
{
    PlanNode *win = filter->child;
    if (win == NULL || win->kind != PLAN_WINDOW || win->window == NULL || filter->predicate == NULL) return;
    WindowSpec *w = win->window;
    if (w->nfuncs == 0) return;
    for (int f = 0; f < w->nfuncs; f++)
        if (w->funcs[f].kind != WIN_ROW_NUMBER) return;
    int n = expr_count_conjuncts(filter->predicate);
    Expr **parts = arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
    n = expr_split_conjuncts(filter->predicate, parts);
    int64_t top = INT64_MAX;
    for (int i = 0; i < n; i++) {
        int64_t bound;
        if (row_number_bound(parts[i], win->child->ncols, &bound) && bound < top) top = bound;
    }
    /* a bound below 1 lets nothing through: the window's rows are simply filtered */
    if (top < 1 || top > TOPN_MAX) return;
    if (w->top_per_key == 0 || top < w->top_per_key) w->top_per_key = top;
}

/* True if the first n sort keys are the n columns of keys, in any order. */
static bool leading_keys_are(const PlanNode *sort, const SortKey *keys, int n)
{
    if (sort->nkeys < n) return false;
    for (int i = 0; i < n; i++) {
        bool found = false;
        for (int j = 0; j < n && !found; j++) found = sort->keys[j].column == keys[i].column;
        if (!found) return false;
    }
    return true;
}

static void try_distinct_on(Binder *b, PlanNode *unique)
{
    PlanNode *sort = unique->child;
    if (sort == NULL || sort->kind != PLAN_SORT || unique->nkeys == 0 || !leading_keys_are(sort, unique->keys, unique->nkeys))
        return;
    PlanNode *in = sort->child;
    if (in->kind == PLAN_PROJECT && in->child->kind == PLAN_WINDOW && in->child->window->top_per_key > 0) return; /* done */
    WindowSpec *w = arena_calloc(b->arena, sizeof *w);
    w->npartition = unique->nkeys;
    w->partition = arena_alloc(b->arena, sizeof(int) * (size_t)unique->nkeys);
    for (int k = 0; k < unique->nkeys; k++) w->partition[k] = unique->keys[k].column;
    w->norder = sort->nkeys - unique->nkeys;
    w->order = arena_alloc(b->arena, sizeof(SortKey) * (size_t)(w->norder + 1));
    memcpy(w->order, sort->keys + unique->nkeys, sizeof(SortKey) * (size_t)w->norder);
    w->nfuncs = 1;
    w->funcs = arena_calloc(b->arena, sizeof(WindowFunc));
    w->funcs[0].kind = WIN_ROW_NUMBER;
    w->funcs[0].arg[0] = w->funcs[0].arg[1] = w->funcs[0].arg[2] = -1;
    w->funcs[0].filter = -1;
    w->funcs[0].arg_type = type_make(TYPE_BIGINT);
    w->funcs[0].result_type = type_make(TYPE_BIGINT);
    w->funcs[0].frame.start = FRAME_UNBOUNDED_PRECEDING;
    w->funcs[0].frame.end = FRAME_CURRENT_ROW;
    w->top_per_key = 1;
    PlanNode *win = plan_new(b, PLAN_WINDOW, in->ncols + 1);
    memcpy(win->types, in->types, sizeof(LogicalType) * (size_t)in->ncols);
    memcpy(win->names, in->names, sizeof(char *) * (size_t)in->ncols);
    win->types[in->ncols] = type_make(TYPE_BIGINT);
    win->names[in->ncols] = (char *)window_func_name(&w->funcs[0]);
    win->child = in;
    win->window = w;
    /* the sort reads the input's columns, not the row number */
    Expr **exprs = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(in->ncols + 1));
    for (int i = 0; i < in->ncols; i++) exprs[i] = expr_column(b, i, in->types[i]);
    sort->child = plan_project(b, win, in->ncols, exprs, in->names);
}

static void walk(Binder *b, PlanNode *p)
{
    if (p == NULL) return;
    if (p->kind == PLAN_FILTER) try_filter(b, p);
    if (p->kind == PLAN_UNIQUE) try_distinct_on(b, p);
    walk(b, p->child);
    walk(b, p->right);
}

void opt_topn_per_key(Binder *b, PlanNode *plan) { walk(b, plan); }
