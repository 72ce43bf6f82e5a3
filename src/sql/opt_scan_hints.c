/* opt_scan_hints: hand the filters that sit above an external scan down to
 * its provider as hints, so that it can skip data that cannot match:
 * partitions of a dataset whose values fail the filter, Parquet row groups
 * whose statistics rule them out.  A hint never replaces the filter, which
 * stays where it is and still removes every row that fails: a provider may
 * use any subset of the hints (the ones it understands) and must only ever
 * skip data that no row of could pass.
 *
 * The walk goes down from each FILTER through further FILTERs and through
 * PROJECTs that pass columns on unchanged (views add such projections),
 * renumbering the conditions as it goes; any other node stops it (a LIMIT
 * below a filter, for instance, must see the rows the filter would drop).
 * Hint columns are numbered in the provider's full schema, so the column
 * pruning that runs afterwards does not disturb them. */
#include <limits.h>
#include <string.h>

#include "exec/csv_scan.h"
#include "exec/scan_provider.h"
#include "sql/expr_util.h"
#include "sql/optimize_internal.h"

/* Renumber the columns of e through map (map[i] = new number of column i, -1
 * = not available below); false if e reads a column that is not available. */
static bool remap_columns(Expr *e, const int *map, int nmap)
{
    if (e->kind == EXPR_COLUMN) {
        if (e->column < 0 || e->column >= nmap || map[e->column] < 0) return false;
        e->column = map[e->column];
        return true;
    }
    for (int i = 0; i < e->nargs; i++)
        if (e->args[i] && !remap_columns(e->args[i], map, nmap)) return false;
    return true;
}

/* Walk down from node with the conditions found so far (numbered in node's
 * output columns) and attach them to the external scan at the bottom. */
static void push_hints(Binder *b, PlanNode *node, Expr **conds, int n)
{
    while (n > 0 && node) {
        if (node->kind == PLAN_FILTER) {
            int more = expr_count_conjuncts(node->predicate);
            Expr **all = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n + more));
            memcpy(all, conds, sizeof(Expr *) * (size_t)n);
            Expr **mine = arena_alloc(b->arena, sizeof(Expr *) * (size_t)more);
            int got = expr_split_conjuncts(expr_copy(b, node->predicate), mine);
            memcpy(all + n, mine, sizeof(Expr *) * (size_t)got);
            conds = all;
            n += got;
            node = node->child;
        } else if (node->kind == PLAN_PROJECT) {
            int *map = arena_alloc(b->arena, sizeof(int) * (size_t)node->ncols);
            for (int i = 0; i < node->ncols; i++)
                map[i] = node->exprs[i]->kind == EXPR_COLUMN ? node->exprs[i]->column : -1;
            int kept = 0;
            for (int i = 0; i < n; i++)
                if (remap_columns(conds[i], map, node->ncols)) conds[kept++] = conds[i];
            n = kept;
            node = node->child;
        } else if (node->kind == PLAN_EXTERNAL_SCAN || node->kind == PLAN_CSV_SCAN) {
            /* a CSV scan takes them too (Hive partition pruning), numbered in its reader's schema */
            if (node->kind == PLAN_EXTERNAL_SCAN && !node->provider->supports_filter_hints) return;
            const int *proj = node->kind == PLAN_CSV_SCAN ? node->csv->projection : node->projection;
            int nproj = node->kind == PLAN_CSV_SCAN ? node->csv->nprojection : node->nprojection;
            if (nproj > 0) {
                /* a condition on a column the scan does not produce is dropped
                 * (a failed remap leaves it half renumbered) */
                int kept = 0;
                for (int i = 0; i < n; i++)
                    if (remap_columns(conds[i], proj, nproj)) conds[kept++] = conds[i];
                n = kept;
                if (n == 0) return;
            }
            Expr **all = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(node->nscan_filters + n));
            if (node->nscan_filters > 0)
                memcpy(all, node->scan_filters, sizeof(Expr *) * (size_t)node->nscan_filters);
            memcpy(all + node->nscan_filters, conds, sizeof(Expr *) * (size_t)n);
            node->scan_filters = all;
            node->nscan_filters += n;
            return;
        } else {
            return;
        }
    }
}

void opt_hint_scan_filters(Binder *b, PlanNode *plan)
{
    if (plan == NULL) return;
    if (plan->kind == PLAN_FILTER) {
        /* The walk from the topmost filter of a chain collects the ones
         * below it, so the recursion resumes under the chain. */
        int n = expr_count_conjuncts(plan->predicate);
        Expr **conds = arena_alloc(b->arena, sizeof(Expr *) * (size_t)n);
        n = expr_split_conjuncts(expr_copy(b, plan->predicate), conds);
        push_hints(b, plan->child, conds, n);
        PlanNode *below = plan->child;
        while (below && (below->kind == PLAN_FILTER || below->kind == PLAN_PROJECT)) below = below->child;
        opt_hint_scan_filters(b, below);
        return;
    }
    opt_hint_scan_filters(b, plan->child);
    opt_hint_scan_filters(b, plan->right);
}
