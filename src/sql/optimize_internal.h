/* optimize_internal: the passes of the optimizer, run in this order by
 * optimize_plan (optimize.c). */
#ifndef KILN_SQL_OPTIMIZE_INTERNAL_H
#define KILN_SQL_OPTIMIZE_INTERNAL_H

#include "sql/binder.h"

/* Move filter conditions below joins, onto the input they read (opt_filter_pushdown.c). */
void opt_push_down_filters(Binder *b, PlanNode **slot);
/* Make the smaller input of each INNER hash join its build side (opt_join_order.c). */
void opt_choose_build_sides(Binder *b, PlanNode **slot);
/* Run row_number windows that a filter cuts to rn <= N as top-N per key (opt_topn_per_key.c). */
void opt_topn_per_key(Binder *b, PlanNode *plan);
/* Run DISTINCT aggregates of one argument as GROUP BY keys, x then GROUP BY keys (opt_distinct_aggregate.c). */
void opt_split_distinct_aggregates(Binder *b, PlanNode *plan);
/* Copy the filters above external scans into them as skipping hints (opt_scan_hints.c). */
void opt_hint_scan_filters(Binder *b, PlanNode *plan);
/* Drop the files of Hive datasets whose partitions the hints rule out (opt_partitions.c). */
void opt_prune_partitions(Binder *b, PlanNode *plan);
/* Parse CSV columns that are only cast to numeric as numeric (opt_prune.c). */
void opt_push_casts_into_scans(PlanNode *plan);
/* Compute subexpressions a select list repeats once, in a projection below (opt_cse.c). */
void opt_share_subexpressions(Binder *b, PlanNode *plan);
/* Remove the columns no one reads, down to the scans (opt_prune.c). */
void opt_prune_columns(Binder *b, PlanNode *root);
/* Run streaming pipelines over large scans on worker threads (opt_parallel.c). */
void opt_parallelize(Binder *b, PlanNode **slot, int threads, int64_t morsel_bytes);

/* A rough row count of a plan's output: only tells small from large (opt_join_order.c). */
double opt_estimate_rows(const PlanNode *p);

/* Helpers shared by the passes (opt_prune.c). */
void opt_mark_columns(const Expr *e, bool *used);
void opt_renumber_columns(Expr *e, const int *map);

#endif
