/* opt_distinct_aggregate: DISTINCT aggregates in two aggregation steps.
 *
 * A DISTINCT aggregate keeps a set of each group's distinct values.  That
 * set grows inside the group, so it can neither move to disk (without
 * GROUP BY there is one group: `count(DISTINCT customer)` over a large
 * input failed past memory_limit) nor be merged across worker threads (the
 * aggregate ran serially).  When every DISTINCT aggregate of an aggregation
 * takes the same argument x, without FILTER, the query equals
 *
 *   inner: GROUP BY g..., x   the other aggregates' partial states
 *   outer: GROUP BY g...      the DISTINCT aggregates without DISTINCT over
 *                             x, and the other aggregates merging states
 *
 * because each distinct (g, x) is one row of the inner.  The inner is an
 * ordinary hash aggregate over groups, so it spills past memory_limit; with
 * no other aggregates it is a plain GROUP BY that also runs in two phases
 * on worker threads (opt_parallel.c); with others it emits their partial
 * states (aggregate_state_types) and spills rather than handing groups up
 * early (agg_partial_spills), since the outer must see each (g, x) once.
 * A NULL x is a group of the inner like any value, and the outer
 * aggregates skip it as DISTINCT aggregates skip NULLs; the other
 * aggregates' states of that group still count (count(*) sees its rows).
 *
 * (min, max, bool_and and bool_or ignore DISTINCT: their states merge.)
 * Left as they are: string_agg (PostgreSQL returns DISTINCT values in
 * sorted order, the split would change it), aggregates whose states cannot
 * be merged (string_agg, percentiles), DISTINCT over different arguments.
 *
 * The split is chosen only when the input may not fit: in memory a
 * DISTINCT set is cheaper than a GROUP BY (measured on TPC-H SF1 lineitem,
 * count(DISTINCT l_orderkey) GROUP BY l_returnflag: 1.2 s of CPU and 124 MB
 * as sets, 1.7 s and 165 MB split, even with the split's GROUP BY on two
 * threads).  So the aggregate is split when its input, every row distinct,
 * would take more than the share of memory_limit that growing states get
 * (an eighth), by the optimizer's rough row estimate (opt_join_order.c).
 *
 * Memory: the inner holds the distinct (g, x) pairs (bounded by spilling),
 * the outer one state per group.  Runs after filter pushdown and before
 * column pruning and parallelization, which see the final shape. */
#include <string.h>

#include "sql/optimize_internal.h"

/* A DISTINCT aggregate whose states cannot be merged: min, max, bool_and
 * and bool_or ignore DISTINCT and merge like the others. */
static bool needs_split(const AggregateSpec *sp)
{
    LogicalType st[AGG_MAX_STATE_COLS];
    return sp->distinct && aggregate_state_types(sp, st) == 0;
}

/* The column of the DISTINCT aggregates' shared argument, or -1 if p is
 * not an aggregation this pass can split. */
static int shared_distinct_argument(const PlanNode *p)
{
    if (p->kind != PLAN_AGGREGATE || p->agg_partial || p->naggs == 0) return -1;
    int x = -1;
    for (int a = 0; a < p->naggs; a++) {
        const AggregateSpec *sp = &p->aggs[a];
        if (sp->combine || sp->kind == AGG_STRING_AGG) return -1;
        if (!needs_split(sp)) {
            LogicalType st[AGG_MAX_STATE_COLS];
            if (aggregate_state_types(sp, st) == 0) return -1;
            continue;
        }
        if (sp->filter >= 0 || sp->input < 0 || sp->input2 >= 0) return -1;
        if (x >= 0 && sp->input != x) return -1;
        x = sp->input;
    }
    return x;
}

/* The inner aggregate's input: the keys, then x, then the child's columns
 * (which the other aggregates read, shifted by ngroups + 1). */
static PlanNode *keys_then_argument(Binder *b, PlanNode *child, int ngroups, int x)
{
    int n = ngroups + 1 + child->ncols;
    Expr **exprs = arena_calloc(b->arena, sizeof(Expr *) * (size_t)n);
    char **names = arena_calloc(b->arena, sizeof(char *) * (size_t)n);
    for (int i = 0; i < n; i++) {
        int c = i < ngroups ? i : i == ngroups ? x : i - ngroups - 1;
        exprs[i] = expr_column(b, c, child->types[c]);
        names[i] = child->names[c];
    }
    return plan_project(b, child, n, exprs, names);
}

/* Whether p's input might not fit in memory as DISTINCT sets: the
 * estimated input rows, each a distinct value with its keys and the set's
 * per-value overhead, against the eighth of memory_limit that an
 * aggregate's growing states get (op_hash_aggregate.c). */
static bool may_outgrow_memory(const Binder *b, const PlanNode *p, int x)
{
    if (b->memory_limit <= 0) return false;
    double width = 28; /* a DistinctSet's overhead per value (exec/distinct_set.h) */
    for (int k = 0; k <= p->ngroups; k++) {
        LogicalType t = p->child->types[k < p->ngroups ? k : x];
        width += t.id == TYPE_VARCHAR ? 32 : 16;
    }
    return opt_estimate_rows(p->child) * width > (double)b->memory_limit / 8;
}

static void split(Binder *b, PlanNode *p, int x)
{
    int g = p->ngroups, nplain = 0, nstate_cols = 0;
    for (int a = 0; a < p->naggs; a++) {
        if (needs_split(&p->aggs[a])) continue;
        LogicalType st[AGG_MAX_STATE_COLS];
        nstate_cols += aggregate_state_types(&p->aggs[a], st);
        nplain++;
    }
    /* the inner's keys must be its first input columns */
    PlanNode *input = p->child;
    int shift = 0;
    if (x != g) {
        input = keys_then_argument(b, p->child, g, x);
        shift = g + 1;
    }
    PlanNode *inner = plan_new(b, PLAN_AGGREGATE, g + 1 + nstate_cols);
    inner->child = input;
    inner->ngroups = g + 1;
    for (int k = 0; k <= g; k++) {
        inner->types[k] = input->types[k];
        inner->names[k] = input->names[k];
    }
    AggregateSpec *plain = arena_calloc(b->arena, sizeof(AggregateSpec) * (size_t)(nplain + 1));
    AggregateSpec *outer = arena_calloc(b->arena, sizeof(AggregateSpec) * (size_t)(p->naggs + 1));
    int np = 0, col = g + 1;
    for (int a = 0; a < p->naggs; a++) {
        AggregateSpec sp = p->aggs[a];
        if (needs_split(&sp)) {
            sp.distinct = false;
            sp.input = g; /* x, once per group of the outer */
            outer[a] = sp;
            continue;
        }
        if (sp.input >= 0) sp.input += shift;
        if (sp.input2 >= 0) sp.input2 += shift;
        if (sp.filter >= 0) sp.filter += shift;
        plain[np++] = sp;
        LogicalType st[AGG_MAX_STATE_COLS];
        int n = aggregate_state_types(&sp, st);
        for (int j = 0; j < n; j++) {
            inner->types[col + j] = st[j];
            inner->names[col + j] = arena_sprintf(b->arena, "state%d_%d", a, j);
        }
        outer[a] = p->aggs[a];
        outer[a].combine = true;
        outer[a].filter = -1;
        outer[a].input = col;
        outer[a].input2 = n > 1 ? col + 1 : -1;
        col += n;
    }
    inner->aggs = plain;
    inner->naggs = np;
    inner->agg_partial = np > 0;
    inner->agg_partial_spills = np > 0;
    p->child = inner;
    p->aggs = outer;
}

void opt_split_distinct_aggregates(Binder *b, PlanNode *plan)
{
    if (plan == NULL) return;
    opt_split_distinct_aggregates(b, plan->child);
    opt_split_distinct_aggregates(b, plan->right);
    int x = shared_distinct_argument(plan);
    if (x >= 0 && may_outgrow_memory(b, plan, x)) split(b, plan, x);
}
