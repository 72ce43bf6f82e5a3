/* expr_util: small operations on bound expressions that the binder and the
 * optimizer share: which columns an expression reads, renumbering them, and
 * taking a condition apart into its AND-ed conjuncts and back. */
#ifndef KILN_SQL_EXPR_UTIL_H
#define KILN_SQL_EXPR_UTIL_H

#include "sql/binder.h"

/* Lowest and highest column e reads, widening the range in lo and hi (start them at INT_MAX and -1). */
void expr_column_range(const Expr *e, int *lo, int *hi);
/* True if e reads at least one column. */
bool expr_reads_any(const Expr *e);
/* True if every column e reads is in [from, to) (also when it reads none). */
bool expr_reads_only(const Expr *e, int from, int to);
/* Add delta to every column number >= from. */
void expr_shift_columns(Expr *e, int from, int delta);
/* Number of AND-ed conjuncts of e (1 for anything but an AND). */
int expr_count_conjuncts(const Expr *e);
/* Store the AND-ed conjuncts of e in out (room for expr_count_conjuncts); returns how many. */
int expr_split_conjuncts(Expr *e, Expr **out);
/* The AND of n conditions (the condition itself when n == 1). */
Expr *expr_and(Binder *b, Expr *const *parts, int n);

#endif
