/* aggregate: the aggregate functions kiln computes (count, sum, avg, min,
 * max, bool_and, bool_or, string_agg, the standard deviations and variances,
 * approx_count_distinct, percentile_cont, percentile_disc, median) and their
 * result types, as PostgreSQL defines them:
 *   count(*), count(x)          bigint
 *   sum(integer)                bigint
 *   sum(bigint)                 numeric(38,0)      (PostgreSQL: numeric)
 *   sum(numeric(p,s))           numeric(38,s)
 *   sum(double precision)       double precision
 *   avg(integer|bigint|numeric) numeric(38,max(6,s))  (kiln's fixed-scale division rule, types/decimal.h)
 *   avg(double precision)       double precision
 *   min(x), max(x)              the type of x
 *   bool_and, bool_or           boolean
 *   string_agg(text, text)      text
 *   stddev, stddev_samp,        double precision   (PostgreSQL: numeric for
 *   stddev_pop, variance,         integer and numeric inputs; kiln computes
 *   var_samp, var_pop             in double for every numeric input)
 *   approx_count_distinct(x)    bigint             (DuckDB's; HyperLogLog)
 *   percentile_cont(f) WITHIN GROUP (ORDER BY x)
 *                               double precision   (integers and numeric
 *                                 are ordered as double, as PostgreSQL does
 *                                 for integers; PostgreSQL has no numeric one)
 *   median(x)                   percentile_cont(0.5) (DuckDB's)
 *   percentile_disc(f) WITHIN GROUP (ORDER BY x)
 *                               the type of x (any sortable type)
 * Sums are exact (128-bit accumulators for integers and decimals) and
 * overflow is an error, never a wrong value.
 *
 * Variance and standard deviation use the Youngs-Cramer update PostgreSQL
 * uses for double precision (state N, Sx, Sxx with Sxx += (N*X - Sx)^2 /
 * (N*(N-1))), which is stable for large means, and PostgreSQL's merge of two
 * states for parallel aggregation.  The merge order may change the last bit
 * or two of the result with more than one thread.
 *
 * approx_count_distinct keeps a HyperLogLog sketch of 2^12 one-byte
 * registers per group (exec/hll.h: a list of at most 64 registers while
 * few are set, 4 KB once more are) fed by the 64-bit value hashes of
 * exec/hash.h; small counts use linear counting.  Standard error 1.04/sqrt(4096) = 1.6%: about 95% of estimates
 * are within 3.3% of the true count; counts up to a few dozen are usually
 * exact and counts of a few hundred within a few values.  Sketches merge by register-wise max, so the estimate does
 * not depend on the thread count.
 *
 * DISTINCT (count(DISTINCT x), sum, avg, string_agg, variance ...) keeps one
 * hash set of (group, value) per aggregate; NULLs are ignored.  min, max,
 * bool_and, bool_or and approx_count_distinct ignore DISTINCT (same result).
 *
 * The ordered-set aggregates keep every non-NULL value of every group in
 * memory (a value store plus 8 bytes per value) and sort each group's values
 * when the groups are emitted.  Under a memory limit the hash aggregate
 * spills input rows of new groups, not states (op_hash_aggregate.c), so no
 * state needs a serialised form beyond the partial states above. */
#ifndef KILN_EXEC_AGGREGATE_H
#define KILN_EXEC_AGGREGATE_H

#include <stdbool.h>

#include "common/error.h"
#include "types/types.h"

typedef enum AggKind {
    AGG_COUNT_STAR,
    AGG_COUNT,
    AGG_SUM,
    AGG_AVG,
    AGG_MIN,
    AGG_MAX,
    AGG_BOOL_AND,
    AGG_BOOL_OR,
    AGG_STRING_AGG,
    AGG_VAR_SAMP,
    AGG_VAR_POP,
    AGG_STDDEV_SAMP,
    AGG_STDDEV_POP,
    AGG_APPROX_COUNT_DISTINCT,
    AGG_PERCENTILE_CONT,     /* also median */
    AGG_PERCENTILE_DISC,
} AggKind;

/* Most state columns one aggregate has in parallel aggregation. */
#define AGG_MAX_STATE_COLS 3

typedef struct AggregateSpec {
    AggKind kind;
    int input;               /* input column of the argument (-1 for count(*)) */
    int input2;              /* string_agg's delimiter column; with combine, the partial count column; else -1 */
    int filter;              /* boolean input column of FILTER (WHERE ...), else -1 */
    LogicalType input_type;  /* type of the argument (also with combine: the original argument's) */
    LogicalType result_type;
    bool combine;            /* inputs are partial states (aggregate_state_types) to merge; the
                                state columns are consecutive from input */
    bool distinct;           /* aggregate each distinct (argument, group) once */
    bool order_desc;         /* ordered-set aggregates: WITHIN GROUP (ORDER BY x DESC) */
    bool fraction_null;      /* percentile_*: the fraction is NULL, so is the result */
    double fraction;         /* percentile_*: the fraction, in [0, 1] */
} AggregateSpec;

/* Parallel aggregation runs in two phases: workers aggregate their morsels
 * into partial states, emitted as ordinary columns, and one final aggregate
 * merges them.  The state columns of an aggregate:
 *   count(*), count(x)      bigint count
 *   sum, avg of integers    numeric(38,s) sum, bigint count
 *     and decimals
 *   sum, avg of doubles     double sum, bigint count
 *   min, max                the value
 *   bool_and, bool_or       the value
 *   variance, stddev        bigint N, double Sx, double Sxx
 *   approx_count_distinct   text: the sketch's registers (hll_sketch_encode)
 * Returns the number of state columns (at most AGG_MAX_STATE_COLS), or 0
 * when the aggregate cannot be merged: string_agg (its order across
 * morsels), DISTINCT aggregates (their sets) and the ordered-set aggregates
 * (their values); the optimizer then aggregates serially. */
int aggregate_state_types(const AggregateSpec *spec, LogicalType out[AGG_MAX_STATE_COLS]);

/* True if name is an aggregate function kiln knows. */
bool aggregate_is_known(const char *name);
/* Choose the aggregate and its result type for name(arg of type input);
 * count_star for count(*). Errors name the function and the type. */
bool aggregate_resolve(const char *name, bool count_star, int nargs, LogicalType input, AggKind *kind,
                       LogicalType *result, Error *err);
/* True for ordered-set aggregates, called as name(fraction) WITHIN GROUP (ORDER BY x). */
bool aggregate_is_ordered_set(const char *name);
/* True if the window operator computes this aggregate over frames. */
bool aggregate_supports_window(AggKind kind);
/* Display name of an aggregate kind (EXPLAIN). */
const char *aggregate_name(AggKind kind);

#endif
