/* optimize: rewrites of a bound plan that do not change its result (see
 * optimize.h).  The passes, in order:
 *   1. filter pushdown through projections, sorts, UNION ALL and below
 *      joins                             (opt_filter_pushdown.c)
 *      the smaller input of INNER joins as the build side (opt_join_order.c)
 *      row_number windows filtered to rn <= N as top-N per key (opt_topn_per_key.c)
 *      DISTINCT aggregates of one argument in two steps (opt_distinct_aggregate.c)
 *   2. filters as hints to external scans (opt_scan_hints.c)
 *      and partition pruning from them     (opt_partitions.c)
 *   3. numeric casts parsed in CSV scans  (opt_prune.c)
 *      repeated subexpressions computed once (opt_cse.c)
 *   4. column pruning down to the scans   (opt_prune.c)
 *   5. parallel scans and aggregation     (opt_parallel.c)
 * Each pass leaves a plan that the next can take; running the whole
 * optimizer twice changes nothing more. */
#include "sql/optimize.h"

#include "sql/optimize_internal.h"

PlanNode *optimize_plan(Binder *b, PlanNode *plan, int threads, int64_t morsel_bytes)
{
    if (plan->optimized) return plan;
    opt_push_down_filters(b, &plan);
    opt_choose_build_sides(b, &plan);
    opt_topn_per_key(b, plan);
    opt_split_distinct_aggregates(b, plan);
    opt_hint_scan_filters(b, plan);
    opt_prune_partitions(b, plan);
    opt_push_casts_into_scans(plan);
    opt_share_subexpressions(b, plan);
    opt_prune_columns(b, plan);
    if (threads > 1) opt_parallelize(b, &plan, threads, morsel_bytes);
    plan->optimized = true;
    return plan;
}
