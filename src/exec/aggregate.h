/* aggregate: the aggregate functions kiln computes (count, sum, avg, min,
 * max, bool_and, bool_or, string_agg) and their result types, as PostgreSQL
 * defines them:
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
 * Sums are exact (128-bit accumulators for integers and decimals) and
 * overflow is an error, never a wrong value. */
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
} AggKind;

typedef struct AggregateSpec {
    AggKind kind;
    int input;               /* input column of the argument (-1 for count(*)) */
    int input2;              /* string_agg's delimiter column; with combine, the partial count column; else -1 */
    int filter;              /* boolean input column of FILTER (WHERE ...), else -1 */
    LogicalType input_type;  /* type of the argument (also with combine: the original argument's) */
    LogicalType result_type;
    bool combine;            /* inputs are partial states (aggregate_state_types) to merge */
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
 * Returns the number of state columns (at most 2), or 0 when the aggregate
 * cannot be merged (string_agg: its order across morsels). */
int aggregate_state_types(const AggregateSpec *spec, LogicalType out[2]);

/* True if name is an aggregate function kiln knows. */
bool aggregate_is_known(const char *name);
/* Choose the aggregate and its result type for name(arg of type input);
 * count_star for count(*). Errors name the function and the type. */
bool aggregate_resolve(const char *name, bool count_star, int nargs, LogicalType input, AggKind *kind,
                       LogicalType *result, Error *err);
/* Display name of an aggregate kind (EXPLAIN). */
const char *aggregate_name(AggKind kind);

#endif
