/* parquet_stats_filter: decides from a row group's column statistics (min,
 * max, null count) that no row of it can pass a scan's filter hints, so
 * that the scan skips it without reading its column chunks.
 *
 * Understood hint shapes (anything else is "may match"):
 *   operand op constant, constant op operand (= <> < <= > >=); BETWEEN binds
 *   to two of these; operand IN (constants); operand IS [NOT] NULL; a bare
 *   boolean column and NOT of one; AND and OR of these.
 * The operand is a column, or a column under casts that never reverse the
 * order (integer/decimal widenings and roundings, numbers to double, date
 * to timestamp), so the cast of min and max bound the cast values.
 * Constants are literals (possibly cast), never calls: a volatile function
 * must not be evaluated twice.
 *
 * Which statistics are trusted (parquet-format's rules, see
 * parquet_stats_bounds): min_value/max_value when the file declares
 * ColumnOrder TypeDefinedOrder, or for types whose order is plain signed
 * (BOOLEAN, signed INT32/INT64 with their dates, timestamps and decimals,
 * FLOAT, DOUBLE); the deprecated min/max only for those signed types (they
 * were computed with signed comparisons, wrong for strings, unsigned
 * integers and binary decimals); INT96 never (its order is undefined).
 * Statistics that do not decode, are NaN, or have min > max are not used.
 * NaN is never in a writer's min/max, but kiln sorts NaN above every
 * number (PostgreSQL's rule), so a DOUBLE column's row group may always hold
 * a NaN that passes `x > 1` or `x <> 1`: those are only pruned on NULLs.
 *
 * Memory: the analysed hints and a two-row batch of bounds; one filter is
 * used by one thread at a time. */
#ifndef KILN_FORMATS_PARQUET_PARQUET_STATS_FILTER_H
#define KILN_FORMATS_PARQUET_PARQUET_STATS_FILTER_H

#include <stdbool.h>

#include "exec/expr.h"
#include "formats/parquet/parquet_reader.h"

typedef struct ParquetStatsFilter ParquetStatsFilter;

/* Analyse hints over a schema of ncols columns (names, types; a NULL name
 * is a column whose values do not come from the files, such as a Hive
 * partition key: never pruned on); NULL when none of them can ever prune. */
ParquetStatsFilter *parquet_stats_filter_create(Expr *const *conds, int nconds, int ncols, const char *const *names,
                                                const LogicalType *types);
/* False when no row of row group rg of pf can pass every hint (skip it). */
bool parquet_stats_filter_may_match(ParquetStatsFilter *f, const ParquetFile *pf, int rg);
/* False when no row i < n of some rows already read can pass every hint,
 * judged from the minimum, maximum and NULLs of their hint columns (see
 * parquet_stats_filter.c): values[c] holds schema column c's rows, NULL
 * where not read (assumed to match). */
bool parquet_stats_filter_rows_may_match(ParquetStatsFilter *f, Vector *const *values, uint32_t n);
/* Set used[c] for each schema column c that the hints look at. */
void parquet_stats_filter_columns(const ParquetStatsFilter *f, bool *used);
/* Free a filter (NULL is fine). */
void parquet_stats_filter_free(ParquetStatsFilter *f);

/* The trusted min and max statistics of a column chunk (see above); false
 * if it has none that can be trusted. */
bool parquet_stats_bounds(const ParquetFile *pf, const ParquetColumn *col, const PqColumnMeta *m, PqBytes *min,
                          PqBytes *max);

#endif
