/* optimize: column pruning for scans (see optimize.h).
 *
 * For every projection whose input is a chain of filters and limits over a
 * CSV scan, the columns the projection and the filters reference are
 * collected; the scan is told to produce only those, and the column numbers
 * in the expressions above it are renumbered.  Other shapes are left alone. */
#include "sql/optimize.h"

#include <string.h>

#include "exec/csv_scan.h"
#include "exec/morsel.h"
#include "exec/scan_provider.h"

static void mark_columns(const Expr *e, bool *used)
{
    if (e == NULL) return;
    if (e->kind == EXPR_COLUMN) used[e->column] = true;
    for (int i = 0; i < e->nargs; i++) mark_columns(e->args[i], used);
}

static void renumber(Expr *e, const int *map)
{
    if (e == NULL) return;
    if (e->kind == EXPR_COLUMN) e->column = map[e->column];
    for (int i = 0; i < e->nargs; i++) renumber(e->args[i], map);
}

/* Uses of scan column `col`: casts of it to a decimal, and anything else. */
typedef struct CastUses {
    int casts, others;
    LogicalType target;
    bool same_target;
} CastUses;

static void count_uses(const Expr *e, const Expr *parent, int col, CastUses *u)
{
    if (e->kind == EXPR_COLUMN && e->column == col) {
        if (parent && parent->kind == EXPR_CAST && parent->type.id == TYPE_DECIMAL) {
            if (u->casts == 0) u->target = parent->type;
            else if (!type_equal(u->target, parent->type)) u->same_target = false;
            u->casts++;
        } else {
            u->others++;
        }
    }
    for (int i = 0; i < e->nargs; i++) count_uses(e->args[i], e, col, u);
}

static void drop_casts(Expr *e, int col)
{
    for (int i = 0; i < e->nargs; i++) {
        Expr *a = e->args[i];
        if (a->kind == EXPR_CAST && a->args[0]->kind == EXPR_COLUMN && a->args[0]->column == col) {
            Expr *c = a->args[0];
            c->type = a->type;
            e->args[i] = c;
        } else {
            drop_casts(a, col);
        }
    }
}

/* A CSV column read only to be cast to numeric(p,s) is parsed as
 * numeric(p,s) directly: exact (no detour through a double) and much
 * faster.  The cast must be the column's only use. */
static void push_casts_into_csv_scan(PlanNode *project, PlanNode *scan)
{
    CsvScanSpec *spec = scan->csv;
    for (int i = 0; i < scan->ncols; i++) {
        int schema_col = spec->projection[i];
        if (schema_col >= spec->options.ncolumns) continue; /* the file-name column */
        TypeId t = scan->types[i].id;
        if (t != TYPE_DOUBLE && t != TYPE_BIGINT && t != TYPE_INTEGER) continue;
        CastUses u = {0, 0, type_make(TYPE_INVALID), true};
        for (int k = 0; k < project->ncols; k++) count_uses(project->exprs[k], NULL, i, &u);
        for (PlanNode *p = project->child; p != scan; p = p->child)
            if (p->predicate) count_uses(p->predicate, NULL, i, &u);
        if (u.casts == 0 || u.others > 0 || !u.same_target) continue;
        /* a top-level projection expression that is the cast itself */
        for (int k = 0; k < project->ncols; k++) {
            Expr *e = project->exprs[k];
            if (e->kind == EXPR_CAST && e->args[0]->kind == EXPR_COLUMN && e->args[0]->column == i) {
                Expr *c = e->args[0];
                c->type = e->type;
                project->exprs[k] = c;
            } else {
                drop_casts(e, i);
            }
        }
        ((LogicalType *)spec->options.column_types)[schema_col] = u.target;
        for (PlanNode *p = project->child;; p = p->child) {
            p->types[i] = u.target;
            if (p == scan) break;
        }
    }
}

static void prune_projection(Binder *b, PlanNode *project)
{
    PlanNode *scan = project->child;
    while (scan && (scan->kind == PLAN_FILTER || scan->kind == PLAN_LIMIT)) scan = scan->child;
    if (scan == NULL) return;
    bool external = scan->kind == PLAN_EXTERNAL_SCAN && scan->provider->supports_projection;
    if (scan->kind != PLAN_CSV_SCAN && !external) return;
    if (scan->kind == PLAN_CSV_SCAN) push_casts_into_csv_scan(project, scan);
    int n = scan->ncols;
    bool *used = arena_calloc(b->arena, (size_t)n + 1);
    for (int i = 0; i < project->ncols; i++) mark_columns(project->exprs[i], used);
    for (PlanNode *p = project->child; p != scan; p = p->child) mark_columns(p->predicate, used);
    /* a scan still needs one column to count its rows */
    bool any = false;
    for (int i = 0; i < n; i++) any |= used[i];
    if (!any) used[0] = true;
    int *map = arena_calloc(b->arena, sizeof(int) * (size_t)(n + 1));
    int kept = 0;
    for (int i = 0; i < n; i++) map[i] = used[i] ? kept++ : -1;
    if (kept == n) return;
    /* the scan: keep only the used schema columns */
    const int *old_projection = external ? scan->projection : scan->csv->projection;
    int *projection = arena_calloc(b->arena, sizeof(int) * (size_t)(kept + 1));
    LogicalType *types = arena_calloc(b->arena, sizeof(LogicalType) * (size_t)(kept + 1));
    char **names = arena_calloc(b->arena, sizeof(char *) * (size_t)(kept + 1));
    for (int i = 0; i < n; i++) {
        if (map[i] < 0) continue;
        projection[map[i]] = old_projection ? old_projection[i] : i;
        types[map[i]] = scan->types[i];
        names[map[i]] = scan->names[i];
    }
    if (external) {
        scan->projection = projection;
        scan->nprojection = kept;
    } else {
        scan->csv->projection = projection;
        scan->csv->nprojection = kept;
    }
    /* every node between the projection and the scan has the scan's columns */
    for (PlanNode *p = project->child;; p = p->child) {
        p->ncols = kept;
        p->types = types;
        p->names = names;
        if (p == scan) break;
        renumber(p->predicate, map);
    }
    for (int i = 0; i < project->ncols; i++) renumber(project->exprs[i], map);
}

static void prune_all(Binder *b, PlanNode *plan)
{
    if (plan == NULL) return;
    if (plan->kind == PLAN_PROJECT) prune_projection(b, plan);
    prune_all(b, plan->child);
    prune_all(b, plan->right);
}

/* The scan at the bottom of a chain of filters and projections, or NULL. */
static PlanNode *streaming_scan(PlanNode *p)
{
    while (p && (p->kind == PLAN_FILTER || p->kind == PLAN_PROJECT)) p = p->child;
    if (p && (p->kind == PLAN_CSV_SCAN || p->kind == PLAN_TABLE_SCAN)) return p;
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
    return g;
}

/* Split an aggregate over a parallel scan into partial aggregates in the
 * workers and a final one merging their states; false if an aggregate
 * cannot be merged. */
static bool split_aggregate(Binder *b, PlanNode *agg, PlanNode *scan, int threads, int64_t morsel_bytes)
{
    int nstate_cols = 0;
    for (int a = 0; a < agg->naggs; a++) {
        LogicalType st[2];
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
        LogicalType st[2];
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

/* Put the highest streaming chain over each large scan under a GATHER, and
 * aggregate such chains in two phases. */
static void parallelize(Binder *b, PlanNode **slot, int threads, int64_t morsel_bytes)
{
    PlanNode *p = *slot;
    if (p == NULL || p->kind == PLAN_GATHER) return;
    if (p->kind == PLAN_AGGREGATE && !p->agg_partial) {
        PlanNode *scan = streaming_scan(p->child);
        if (scan && morsel_scan_is_large(scan, (uint64_t)morsel_bytes) &&
            split_aggregate(b, p, scan, threads, morsel_bytes))
            return;
    }
    PlanNode *scan = streaming_scan(p);
    if (scan) {
        if (!morsel_scan_is_large(scan, (uint64_t)morsel_bytes)) return;
        *slot = make_gather(b, p, scan, threads, morsel_bytes);
        return;
    }
    parallelize(b, &p->child, threads, morsel_bytes);
    parallelize(b, &p->right, threads, morsel_bytes);
}

PlanNode *optimize_plan(Binder *b, PlanNode *plan, int threads, int64_t morsel_bytes)
{
    prune_all(b, plan);
    if (threads > 1) parallelize(b, &plan, threads, morsel_bytes);
    return plan;
}
