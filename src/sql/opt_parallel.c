/* opt_parallel: morsel-driven parallelism.  The highest chain of filters and
 * projections over a large scan is put under a GATHER, which runs copies of
 * it on worker threads, one morsel at a time, and returns rows in input
 * order.  An aggregate over such a chain is split in two: partial
 * aggregates in the workers, a combining aggregate above the GATHER.
 *
 * The chain may pass through hash joins (INNER, LEFT, SEMI, ANTI with
 * equality keys) on their probe side: such a join is marked as a shared
 * build, so the gather builds its hash table once and the workers probe it
 * (scan -> filter -> probe -> partial aggregate all run in the workers).
 * RIGHT and FULL joins stay above the gather: their unmatched build rows
 * would need matched flags merged across workers.  The build side itself
 * is parallelized on its own. */
#include <string.h>

#include "exec/morsel.h"
#include "exec/scan_provider.h"
#include "exec/window.h"
#include "sql/optimize_internal.h"

/* A join whose probe side can run in a gather's workers against a shared table. */
static bool can_share_build(const PlanNode *p)
{
    return p->kind == PLAN_HASH_JOIN && p->njoin_keys > 0 &&
           (p->join_type == JOIN_INNER || p->join_type == JOIN_LEFT || p->join_type == JOIN_SEMI ||
            p->join_type == JOIN_ANTI);
}

static PlanNode *streaming_scan(PlanNode *p)
{
    while (p && (p->kind == PLAN_FILTER || p->kind == PLAN_PROJECT || can_share_build(p))) p = p->child;
    if (p && (p->kind == PLAN_CSV_SCAN || p->kind == PLAN_TABLE_SCAN)) return p;
    if (p && p->kind == PLAN_EXTERNAL_SCAN && p->provider->morsels) return p;
    return NULL;
}

static PlanNode *make_gather(Binder *b, PlanNode *sub, PlanNode *scan, int threads, int64_t morsel_bytes)
{
    PlanNode *g = plan_new(b, PLAN_GATHER, sub->ncols);
    memcpy(g->types, sub->types, sizeof(LogicalType) * (size_t)sub->ncols);
    memcpy(g->names, sub->names, sizeof(char *) * (size_t)sub->ncols);
    g->child = sub;
    g->scan = scan;
    g->workers = threads;
    g->morsel_bytes = morsel_bytes;
    scan->morsel_bytes = morsel_bytes; /* for an external scan whose morsel source splits by size (JSON) */
    for (PlanNode *p = sub; p != scan; p = p->child)
        if (p->kind == PLAN_HASH_JOIN) {
            p->join_shared_build = true;
            opt_parallelize(b, &p->right, threads, morsel_bytes);
        }
    return g;
}

/* Split an aggregate over a parallel scan into partial aggregates in the
 * workers and a final one merging their states; false if an aggregate
 * cannot be merged. */
static bool split_aggregate(Binder *b, PlanNode *agg, PlanNode *scan, int threads, int64_t morsel_bytes)
{
    int nstate_cols = 0;
    for (int a = 0; a < agg->naggs; a++) {
        LogicalType st[AGG_MAX_STATE_COLS];
        int n = aggregate_state_types(&agg->aggs[a], st);
        if (n == 0) return false;
        nstate_cols += n;
    }
    PlanNode *partial = plan_new(b, PLAN_AGGREGATE, agg->ngroups + nstate_cols);
    partial->child = agg->child;
    partial->ngroups = agg->ngroups;
    partial->aggs = agg->aggs;
    partial->naggs = agg->naggs;
    partial->agg_partial = true;
    for (int k = 0; k < agg->ngroups; k++) {
        partial->types[k] = agg->types[k];
        partial->names[k] = agg->names[k];
    }
    AggregateSpec *final_specs = arena_calloc(b->arena, sizeof(AggregateSpec) * (size_t)(agg->naggs + 1));
    int col = agg->ngroups;
    for (int a = 0; a < agg->naggs; a++) {
        LogicalType st[AGG_MAX_STATE_COLS];
        int n = aggregate_state_types(&agg->aggs[a], st);
        final_specs[a] = agg->aggs[a];
        final_specs[a].combine = true;
        final_specs[a].filter = -1;
        final_specs[a].input = col;
        final_specs[a].input2 = n > 1 ? col + 1 : -1;
        for (int j = 0; j < n; j++) {
            partial->types[col + j] = st[j];
            partial->names[col + j] = arena_sprintf(b->arena, "state%d_%d", a, j);
        }
        col += n;
    }
    agg->child = make_gather(b, partial, scan, threads, morsel_bytes);
    agg->aggs = final_specs;
    return true;
}

/* A top-N-per-key window over a parallel scan in two phases, as an
 * aggregate: a partial top-N per key per morsel in the workers (its input
 * columns only), the window itself above the GATHER (exec/op_topn_per_key.c). */
static void split_topn_per_key(Binder *b, PlanNode *win, PlanNode *scan, int threads, int64_t morsel_bytes)
{
    PlanNode *partial = plan_new(b, PLAN_WINDOW, win->child->ncols);
    memcpy(partial->types, win->child->types, sizeof(LogicalType) * (size_t)win->child->ncols);
    memcpy(partial->names, win->child->names, sizeof(char *) * (size_t)win->child->ncols);
    partial->child = win->child;
    partial->window = arena_alloc(b->arena, sizeof(WindowSpec));
    *partial->window = *win->window;
    partial->window->top_partial = true;
    win->child = make_gather(b, partial, scan, threads, morsel_bytes);
}

/* Put the highest streaming chain over each large scan under a GATHER, and
 * aggregate such chains in two phases. */
void opt_parallelize(Binder *b, PlanNode **slot, int threads, int64_t morsel_bytes)
{
    PlanNode *p = *slot;
    if (p == NULL || p->kind == PLAN_GATHER) return;
    if (p->kind == PLAN_AGGREGATE && !p->agg_partial) {
        PlanNode *scan = streaming_scan(p->child);
        if (scan && morsel_scan_is_large(scan, (uint64_t)morsel_bytes) &&
            split_aggregate(b, p, scan, threads, morsel_bytes))
            return;
    }
    if (p->kind == PLAN_WINDOW && p->window->top_per_key > 0 && !p->window->top_partial) {
        PlanNode *scan = streaming_scan(p->child);
        if (scan && morsel_scan_is_large(scan, (uint64_t)morsel_bytes)) {
            split_topn_per_key(b, p, scan, threads, morsel_bytes);
            return;
        }
    }
    PlanNode *scan = streaming_scan(p);
    if (scan) {
        if (!morsel_scan_is_large(scan, (uint64_t)morsel_bytes)) {
            /* the probe side stays serial; the build sides may still be large */
            for (; p != scan; p = p->child)
                if (p->kind == PLAN_HASH_JOIN) opt_parallelize(b, &p->right, threads, morsel_bytes);
            return;
        }
        *slot = make_gather(b, p, scan, threads, morsel_bytes);
        return;
    }
    opt_parallelize(b, &p->child, threads, morsel_bytes);
    opt_parallelize(b, &p->right, threads, morsel_bytes);
}

