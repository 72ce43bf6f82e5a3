/* optimize: rewrites of a bound plan that do not change its result.
 * Today: column pruning, so that a scan converts only the columns the query
 * uses (for CSV, most of the cost of a scan is converting fields). */
#ifndef KILN_SQL_OPTIMIZE_H
#define KILN_SQL_OPTIMIZE_H

#include "sql/binder.h"

/* Optimise a plan in place. */
void optimize_plan(Binder *b, PlanNode *plan);

#endif
