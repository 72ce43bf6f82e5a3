/* profile: a one-pass per-column profile of the rows written to a table or a
 * COPY output, for the quality report (report.h).
 *
 * For each column: rows seen, NULLs, an estimate of the distinct non-NULL
 * values (a HyperLogLog sketch, exec/hll.h: about 1.6% error, at most 4 KB
 * per column), min and max (numbers, decimals, dates, timestamps, booleans,
 * strings by byte order; not intervals), the mean of numbers (a double sum,
 * so huge decimals lose digits in the mean only) and the longest string in
 * characters.  Batches are folded in as they pass (table_profile_add_batch), so a
 * profile never needs a second pass over the data and holds O(columns)
 * memory: the min/max strings are the only copies it keeps. */
#ifndef KILN_QUALITY_PROFILE_H
#define KILN_QUALITY_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "exec/hll.h"
#include "types/batch.h"
#include "types/value.h"

typedef struct ColumnProfile {
    char *name;
    LogicalType type;
    int64_t count;          /* rows seen, NULLs included */
    int64_t nulls;
    HllSketch distinct;     /* non-NULL values */
    bool has_minmax;        /* min/max hold a value (some non-NULL value was seen) */
    Value min, max;         /* VARCHAR values point at min_text/max_text */
    char *min_text, *max_text; /* owned copies of the string min/max */
    double sum;             /* numbers only: sum of the non-NULL values */
    int64_t max_length;     /* VARCHAR only: longest value in characters, -1 if none */
} ColumnProfile;

typedef struct TableProfile {
    int ncols;
    ColumnProfile *cols;
} TableProfile;

/* Initialise an empty profile of ncols columns with these names and types. */
void table_profile_init(TableProfile *p, int ncols, char *const *names, const LogicalType *types);
/* Free the profile's memory (it must be initialised again before reuse). */
void table_profile_free(TableProfile *p);
/* True if the profile has exactly these column names and types. */
bool table_profile_same_schema(const TableProfile *p, int ncols, char *const *names, const LogicalType *types);
/* Fold the logical rows of a batch (columns in the profile's order) into the
 * profile. Cannot fail. */
void table_profile_add_batch(TableProfile *p, const Batch *batch);
/* The estimated number of distinct non-NULL values of a column. */
int64_t table_profile_distinct(const ColumnProfile *c);
/* The mean of a numeric column; false when it has no mean (not a number, or
 * no non-NULL value). */
bool table_profile_mean(const ColumnProfile *c, double *mean);
/* Append the profile as a JSON array of column objects:
 *   [{"column":"id","type":"integer","count":3,"nulls":0,"distinct":3,
 *     "min":1,"max":3,"mean":2}, ...]
 * min/max are JSON numbers for integers, doubles and decimals and strings
 * otherwise (PostgreSQL's text form); mean only for numbers, max_length only
 * for strings; absent keys mean "not applicable or no value". */
void table_profile_to_json(const TableProfile *p, StrBuf *out);

#endif
