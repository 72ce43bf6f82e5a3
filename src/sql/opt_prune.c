/* opt_prune: column pruning, and parsing CSV columns as the numeric type
 * they are cast to.
 *
 * Pruning walks the plan from the root down with the set of columns each
 * node's parent reads.  A node keeps only those (plus what it needs itself:
 * filter and join conditions, join keys, sort keys) and tells its inputs
 * what it reads; on the way back up every column number in expressions,
 * keys and scan projections is renumbered.  A scan then converts only the
 * columns the query uses, which is most of the cost of reading CSV.  Nodes
 * this pass does not know keep all their columns and ask for all of their
 * inputs' columns, so a new operator is always safe. */
#include <string.h>

#include "exec/csv_scan.h"
#include "exec/scan_dataset.h"
#include "exec/scan_provider.h"
#include "sql/optimize_internal.h"

void opt_mark_columns(const Expr *e, bool *used)
{
    if (e == NULL) return;
    if (e->kind == EXPR_COLUMN) used[e->column] = true;
    for (int i = 0; i < e->nargs; i++) opt_mark_columns(e->args[i], used);
}

void opt_renumber_columns(Expr *e, const int *map)
{
    if (e == NULL) return;
    if (e->kind == EXPR_COLUMN) e->column = map[e->column];
    for (int i = 0; i < e->nargs; i++) opt_renumber_columns(e->args[i], map);
}

/* ---- numeric casts into CSV scans ---- */

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
 * numeric(p,s) directly: exact (no detour through a double) and faster.
 * The cast must be the column's only use. */
static void push_casts(PlanNode *project, PlanNode *scan)
{
    CsvScanSpec *spec = scan->csv;
    for (int i = 0; i < scan->ncols; i++) {
        int schema_col = spec->projection[i];
        if (schema_col >= spec->options.ncolumns) continue; /* the file-name column */
        if (spec->dataset && spec->dataset->key_of_column[schema_col] >= 0) continue; /* a partition column */
        TypeId t = scan->types[i].id;
        if (t != TYPE_DOUBLE && t != TYPE_BIGINT && t != TYPE_INTEGER) continue;
        CastUses u = {0, 0, type_make(TYPE_INVALID), true};
        for (int k = 0; k < project->ncols; k++) count_uses(project->exprs[k], NULL, i, &u);
        for (PlanNode *p = project->child; p != scan; p = p->child)
            if (p->predicate) count_uses(p->predicate, NULL, i, &u);
        if (u.casts == 0 || u.others > 0 || !u.same_target) continue;
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
        /* the filters between (pushed below the projection) read the
         * column through the same casts: they must read it as parsed too */
        for (PlanNode *p = project->child; p != scan; p = p->child)
            if (p->predicate) drop_casts(p->predicate, i);
        ((LogicalType *)spec->options.column_types)[schema_col] = u.target;
        for (PlanNode *p = project->child;; p = p->child) {
            p->types[i] = u.target;
            if (p == scan) break;
        }
    }
}

void opt_push_casts_into_scans(PlanNode *p)
{
    if (p == NULL) return;
    if (p->kind == PLAN_PROJECT) {
        PlanNode *scan = p->child;
        while (scan && (scan->kind == PLAN_FILTER || scan->kind == PLAN_LIMIT)) scan = scan->child;
        if (scan && scan->kind == PLAN_CSV_SCAN) push_casts(p, scan);
    }
    opt_push_casts_into_scans(p->child);
    opt_push_casts_into_scans(p->right);
}

/* ---- column pruning ---- */

static bool *all_true(Binder *b, int n)
{
    bool *v = arena_alloc(b->arena, (size_t)n + 1);
    memset(v, 1, (size_t)n + 1);
    return v;
}

static int *identity(Binder *b, int n)
{
    int *m = arena_alloc(b->arena, sizeof(int) * (size_t)(n + 1));
    for (int i = 0; i < n; i++) m[i] = i;
    return m;
}

/* Take over the child's layout (filter, limit, sort pass their input through). */
static void adopt_layout(PlanNode *p, const PlanNode *child)
{
    p->ncols = child->ncols;
    p->types = child->types;
    p->names = child->names;
}

static int *prune(Binder *b, PlanNode *p, const bool *needed);

/* Keep the needed columns of a scan whose schema column for output i is
 * projection[i] (NULL = i); returns the map and the new projection. */
static int *prune_scan(Binder *b, PlanNode *p, const bool *needed, const int *projection, int **new_projection)
{
    int n = p->ncols;
    int kept = 0;
    for (int i = 0; i < n; i++) kept += needed[i];
    bool *keep = arena_alloc(b->arena, (size_t)n + 1);
    memcpy(keep, needed, (size_t)n);
    if (kept == 0 && n > 0) {
        keep[0] = true; /* a scan still needs one column to count its rows */
        kept = 1;
        p->count_only = true;
    }
    int *map = arena_alloc(b->arena, sizeof(int) * (size_t)(n + 1));
    int *proj = arena_alloc(b->arena, sizeof(int) * (size_t)(kept + 1));
    LogicalType *types = arena_alloc(b->arena, sizeof(LogicalType) * (size_t)(kept + 1));
    char **names = arena_alloc(b->arena, sizeof(char *) * (size_t)(kept + 1));
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (!keep[i]) {
            map[i] = -1;
            continue;
        }
        map[i] = k;
        proj[k] = projection ? projection[i] : i;
        types[k] = p->types[i];
        names[k] = p->names[i];
        k++;
    }
    p->ncols = kept;
    p->types = types;
    p->names = names;
    *new_projection = proj;
    return map;
}

static int *prune_project(Binder *b, PlanNode *p, const bool *needed)
{
    int n = p->ncols;
    int nchild = p->child->ncols;
    bool *child_needed = arena_calloc(b->arena, (size_t)nchild + 1);
    int *map = arena_alloc(b->arena, sizeof(int) * (size_t)(n + 1));
    int kept = 0;
    for (int i = 0; i < n; i++) {
        if (!needed[i]) {
            map[i] = -1;
            continue;
        }
        map[i] = kept++;
        opt_mark_columns(p->exprs[i], child_needed);
    }
    int *cmap = prune(b, p->child, child_needed);
    Expr **exprs = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(kept + 1));
    LogicalType *types = arena_alloc(b->arena, sizeof(LogicalType) * (size_t)(kept + 1));
    char **names = arena_alloc(b->arena, sizeof(char *) * (size_t)(kept + 1));
    for (int i = 0; i < n; i++) {
        if (map[i] < 0) continue;
        opt_renumber_columns(p->exprs[i], cmap);
        exprs[map[i]] = p->exprs[i];
        types[map[i]] = p->types[i];
        names[map[i]] = p->names[i];
    }
    p->ncols = kept;
    p->exprs = exprs;
    p->types = types;
    p->names = names;
    return map;
}

static int *prune_join(Binder *b, PlanNode *p, const bool *needed)
{
    bool left_only = p->join_type == JOIN_SEMI || p->join_type == JOIN_ANTI;
    int nl = p->child->ncols, nr = p->right->ncols;
    bool *lneed = arena_calloc(b->arena, (size_t)nl + 1);
    bool *rneed = arena_calloc(b->arena, (size_t)nr + 1);
    for (int i = 0; i < nl; i++) lneed[i] = needed[i];
    if (!left_only)
        for (int j = 0; j < nr; j++) rneed[j] = needed[nl + j];
    for (int k = 0; k < p->njoin_keys; k++) {
        lneed[p->left_keys[k]] = true;
        rneed[p->right_keys[k]] = true;
    }
    if (p->predicate) {
        /* the residual reads left ++ right */
        bool *both = arena_calloc(b->arena, (size_t)(nl + nr) + 1);
        opt_mark_columns(p->predicate, both);
        for (int i = 0; i < nl; i++) lneed[i] |= both[i];
        for (int j = 0; j < nr; j++) rneed[j] |= both[nl + j];
    }
    int *lmap = prune(b, p->child, lneed);
    int *rmap = prune(b, p->right, rneed);
    int new_nl = p->child->ncols, new_nr = p->right->ncols;
    int *both_map = arena_alloc(b->arena, sizeof(int) * (size_t)(nl + nr + 1));
    for (int i = 0; i < nl; i++) both_map[i] = lmap[i];
    for (int j = 0; j < nr; j++) both_map[nl + j] = rmap[j] < 0 ? -1 : new_nl + rmap[j];
    for (int k = 0; k < p->njoin_keys; k++) {
        p->left_keys[k] = lmap[p->left_keys[k]];
        p->right_keys[k] = rmap[p->right_keys[k]];
    }
    opt_renumber_columns(p->predicate, both_map);
    int n = new_nl + (left_only ? 0 : new_nr);
    LogicalType *types = arena_alloc(b->arena, sizeof(LogicalType) * (size_t)(n + 1));
    char **names = arena_alloc(b->arena, sizeof(char *) * (size_t)(n + 1));
    for (int i = 0; i < new_nl; i++) {
        types[i] = p->child->types[i];
        names[i] = p->child->names[i];
    }
    if (!left_only)
        for (int j = 0; j < new_nr; j++) {
            types[new_nl + j] = p->right->types[j];
            names[new_nl + j] = p->right->names[j];
        }
    p->ncols = n;
    p->types = types;
    p->names = names;
    return both_map; /* for SEMI/ANTI only the first nl entries are meaningful */
}

static int *prune(Binder *b, PlanNode *p, const bool *needed)
{
    switch (p->kind) {
    case PLAN_PROJECT: return prune_project(b, p, needed);
    case PLAN_FILTER: {
        bool *child_needed = arena_alloc(b->arena, (size_t)p->ncols + 1);
        memcpy(child_needed, needed, (size_t)p->ncols);
        opt_mark_columns(p->predicate, child_needed);
        int *cmap = prune(b, p->child, child_needed);
        opt_renumber_columns(p->predicate, cmap);
        adopt_layout(p, p->child);
        return cmap;
    }
    case PLAN_LIMIT: {
        int *cmap = prune(b, p->child, needed);
        adopt_layout(p, p->child);
        return cmap;
    }
    case PLAN_SORT: {
        bool *child_needed = arena_alloc(b->arena, (size_t)p->ncols + 1);
        memcpy(child_needed, needed, (size_t)p->ncols);
        for (int k = 0; k < p->nkeys; k++) child_needed[p->keys[k].column] = true;
        int *cmap = prune(b, p->child, child_needed);
        for (int k = 0; k < p->nkeys; k++) p->keys[k].column = cmap[p->keys[k].column];
        adopt_layout(p, p->child);
        return cmap;
    }
    case PLAN_HASH_JOIN: return prune_join(b, p, needed);
    case PLAN_CSV_SCAN: {
        int *proj;
        int *map = prune_scan(b, p, needed, p->csv->projection, &proj);
        p->csv->projection = proj;
        p->csv->nprojection = p->ncols;
        return map;
    }
    case PLAN_EXTERNAL_SCAN:
        if (p->provider->supports_projection) {
            int *proj;
            int *map = prune_scan(b, p, needed, p->projection, &proj);
            p->projection = proj;
            p->nprojection = p->ncols;
            return map;
        }
        break;
    default:
        break;
    }
    /* any other node keeps its columns and reads all of its inputs' */
    if (p->child) {
        int *cmap = prune(b, p->child, all_true(b, p->child->ncols));
        (void)cmap; /* all needed: the child's numbering is unchanged */
    }
    if (p->right) prune(b, p->right, all_true(b, p->right->ncols));
    return identity(b, p->ncols);
}

void opt_prune_columns(Binder *b, PlanNode *root)
{
    prune(b, root, all_true(b, root->ncols));
}
