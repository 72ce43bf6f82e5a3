/* optimize: rewrites of a bound plan that do not change its result:
 * column pruning, so that a scan converts only the columns the query uses
 * (for CSV, most of the cost of a scan is converting fields), and
 * parallelism, which runs the streaming part of a plan over a large scan on
 * `threads` workers under a GATHER node. */
#ifndef KILN_SQL_OPTIMIZE_H
#define KILN_SQL_OPTIMIZE_H

#include "sql/binder.h"

/* Optimise a plan; returns the new root (the same node unless the root
 * itself was put under a GATHER). Running it twice changes nothing more. */
PlanNode *optimize_plan(Binder *b, PlanNode *plan, int threads, int64_t morsel_bytes);
/* Raise the error of a constant expression that fails, where PostgreSQL's
 * planner would (opt_fold.c); run it on the optimized plan before running it. */
bool optimize_check_constants(Binder *b, const PlanNode *plan, Error *err);

#endif
