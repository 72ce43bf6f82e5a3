/* checks: declarative quality checks compared with earlier runs of the same
 * job (issue 7, item 7).
 *
 * A job declares a check with a statement that PostgreSQL parses:
 *
 *   CALL kiln_check('row_count_change', 'orders', max_change => '20%', level => 'fail');
 *   CALL kiln_check('null_rate_drift', 'orders.customer_id', max_change => '5%');
 *   CALL kiln_check('distinct_drift', 'orders.customer_id', max_change => '30%', level => 'warn');
 *   CALL kiln_check('freshness', 'orders.ordered_at', max_age => '2 days');
 *
 * The check runs when the statement runs, on the profile of the rows the run
 * has written to the table so far (quality/profile.h; put checks after the
 * statements that load the table and before the ones that publish it):
 *
 *   row_count_change  rows written now vs the baseline's, relative change in %
 *   null_rate_drift   NULL share of the column now vs the baseline's, in
 *                     percentage points (5% = 0.05 of the rows)
 *   distinct_drift    distinct estimate now vs the baseline's, relative change in %
 *   freshness         the newest value of a date/timestamp column must be no
 *                     older than max_age at the end of the logical day (the
 *                     run's `ds` parameter: midnight after it, when the day's
 *                     data is complete), or at the local time now without one
 *
 * A check fires when the change is strictly beyond its limit (equal passes).
 * level 'fail' (the default) stops the job with a data error (exit code 4);
 * 'warn' only reports.  The baseline is the quality report of an earlier run
 * (`kiln run --baseline FILE`; a project run uses the last successful run
 * of the job kept in the project's state); without one, or when the
 * baseline does not know the table, comparing checks pass with the note
 * "first run".  Every verdict goes into the session's quality report. */
#ifndef KILN_QUALITY_CHECKS_H
#define KILN_QUALITY_CHECKS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "quality/report.h"

typedef enum QualityCheckKind {
    QCHECK_ROW_COUNT_CHANGE,
    QCHECK_NULL_RATE_DRIFT,
    QCHECK_DISTINCT_DRIFT,
    QCHECK_FRESHNESS,
} QualityCheckKind;

typedef struct QualityCheckSpec {
    QualityCheckKind kind;
    const char *table;
    const char *column;     /* NULL for row_count_change */
    double max_change;      /* percent (row count, distinct) or percentage points (null rate) */
    int64_t max_age_micros; /* freshness */
    bool fail;              /* level 'fail' (else 'warn') */
} QualityCheckSpec;

/* What a baseline remembers of one column / table (from an earlier report). */
typedef struct BaselineColumn {
    char *name;
    int64_t count, nulls, distinct;
} BaselineColumn;

typedef struct BaselineTable {
    char *name;
    int64_t rows;
    int ncols;
    BaselineColumn *cols;
} BaselineTable;

typedef struct QualityBaseline {
    int ntables;
    BaselineTable *tables;
} QualityBaseline;

/* The kind named by name ("row_count_change" ...); false if unknown. */
bool quality_check_kind_from_name(const char *name, QualityCheckKind *out);
/* Name of a check kind. */
const char *quality_check_kind_name(QualityCheckKind kind);
/* True if the kind needs a column ("table.column"). */
bool quality_check_needs_column(QualityCheckKind kind);
/* Parse a limit in percent: "20%", "20", "2.5 %" -> 20, 20, 2.5; false if malformed or negative. */
bool quality_parse_percent(const char *text, double *out);
/* Parse an interval ("2 days", "36 hours", "1 day 12:00") into microseconds
 * (a month counts 30 days, as PostgreSQL compares intervals); false if malformed or negative. */
bool quality_parse_age(const char *text, int64_t *out);

/* Read the baseline from the JSON text of an earlier quality report
 * (quality_report_to_json). ERR_DATA naming what is wrong if it is not one. */
bool quality_baseline_parse(QualityBaseline *b, const char *json, size_t len, Error *err);
/* Free a baseline's memory. */
void quality_baseline_free(QualityBaseline *b);
/* Parse the JSON of an earlier report and make it the report's baseline
 * (replacing any earlier one); ERR_DATA if it is not a report. */
bool quality_report_set_baseline(QualityReport *r, const char *json, size_t len, Error *err);

/* Run a check against the report's profiles and baseline (NULL = none) at
 * time now (microseconds since 1970, the reference of freshness); record the
 * verdict in the report. Returns false with ERR_DATA when it fires at level
 * fail. */
bool quality_check_run(QualityReport *r, const QualityBaseline *baseline, const QualityCheckSpec *spec, int64_t now,
                       Error *err);

#endif
