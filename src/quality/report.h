/* report: the quality report of one run (issue 7, item 6).
 *
 * A session owns one QualityReport (session_quality_report).  While a job
 * runs, the constraint validation (quality/validate*) counts rows in,
 * passed, dropped, quarantined and warned per table and the rows each rule
 * rejected; the table and COPY sinks fold the rows they write into a
 * per-column profile (profile.h); the checks across runs (checks.h) add
 * their verdicts.  At the end `kiln run` prints a short summary and writes
 * the report as JSON (quality_report_to_json) into the run record.
 *
 * Tables are kept in the order they were first reported; counts accumulate
 * over every statement of the run (two INSERTs into one table add up).
 * Memory: a few hundred bytes per table and rule, plus the profiles. */
#ifndef KILN_QUALITY_REPORT_H
#define KILN_QUALITY_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/strbuf.h"
#include "quality/profile.h"

typedef struct QualityRuleCount {
    char *rule;             /* constraint or rule name ("orders_amount_check", "not_null(id)") */
    int64_t rows;           /* rows that broke it */
} QualityRuleCount;

/* What the report knows about one table (or COPY output). */
typedef struct QualityTable {
    char *name;
    bool has_counts;        /* validation reported counts for it */
    int64_t rows_in, passed, dropped, quarantined, warned;
    QualityRuleCount *rules;
    int nrules, cap_rules;
    bool has_profile;
    TableProfile profile;   /* of the rows written (valid when has_profile) */
} QualityTable;

/* The verdict of one check across runs. */
typedef enum QualityCheckStatus {
    QUALITY_CHECK_PASSED,
    QUALITY_CHECK_FIRST_RUN, /* nothing earlier to compare with: passes with a note */
    QUALITY_CHECK_WARNED,
    QUALITY_CHECK_FAILED,
} QualityCheckStatus;

typedef struct QualityCheckResult {
    char *check;            /* "row_count_change", "null_rate_drift", "distinct_drift", "freshness" */
    char *table;
    char *column;           /* "" for table-level checks */
    QualityCheckStatus status;
    char *message;          /* what was compared: "rows 120 vs 100 earlier (+20.0%, limit 10%)" */
} QualityCheckResult;

typedef struct QualityReport {
    QualityTable *tables;
    int ntables, cap_tables;
    QualityCheckResult *checks;
    int nchecks, cap_checks;
    struct QualityBaseline *baseline; /* an earlier run's report to compare with (checks.h), or NULL */
} QualityReport;

/* Initialise an empty report. */
void quality_report_init(QualityReport *r);
/* Free everything the report holds (it is empty and usable again). */
void quality_report_free(QualityReport *r);
/* True if nothing was reported (no tables, no checks). */
bool quality_report_empty(const QualityReport *r);

/* Add a validation pass's counts for a table (accumulating). Cannot fail. */
void quality_report_table_counts(QualityReport *r, const char *table, int64_t rows_in, int64_t passed,
                                 int64_t dropped, int64_t quarantined, int64_t warned);
/* Add n rows that broke rule on table (accumulating per rule). Cannot fail. */
void quality_report_rule_count(QualityReport *r, const char *table, const char *rule, int64_t n);
/* The profile of the rows written to table, created on first use with these
 * columns; started afresh if the table's columns changed (re-created
 * table). The pointer is valid until the next call that adds a table. */
TableProfile *quality_report_profile(QualityReport *r, const char *table, int ncols, char *const *names,
                                     const LogicalType *types);
/* Record the verdict of a check across runs. Cannot fail. */
void quality_report_check(QualityReport *r, const char *check, const char *table, const char *column,
                          QualityCheckStatus status, const char *message);
/* The table's entry, or NULL if nothing was reported for it. */
const QualityTable *quality_report_find(const QualityReport *r, const char *table);
/* True if some check failed (the run must fail). */
bool quality_report_failed(const QualityReport *r);
/* Name of a check status: "passed", "first_run", "warned", "failed". */
const char *quality_check_status_name(QualityCheckStatus status);

/* Append the report as one JSON object:
 *   {"tables":[{"table":"orders","rows_in":10,"passed":8,"dropped":1,
 *     "quarantined":1,"warned":0,"rules":[{"rule":"r","rows":2}],
 *     "profile":[...table_profile_to_json...]}],
 *    "checks":[{"check":"row_count_change","table":"orders","column":null,
 *     "status":"warned","message":"..."}]}
 * Counts are absent for a table that was only profiled. */
void quality_report_to_json(const QualityReport *r, StrBuf *out);
/* Print a short human summary (a few lines per table; nothing when the
 * report is empty). */
void quality_report_print_summary(const QualityReport *r, FILE *out);

#endif
