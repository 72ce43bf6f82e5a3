/* session: the engine's front door.  A session holds the catalog (tables,
 * views), the settings (SET/SHOW) and the job parameters, and runs SQL text
 * statement by statement: parse -> bind -> plan -> execute.  Job parameters
 * ({{ name }}) are substituted before the text reaches the session (job/).
 *
 * Results stream to a ResultSink batch by batch, so printing or writing a
 * large result never holds it all in memory; QueryResult is a sink that does
 * keep everything (tests, small outputs). */
#ifndef KILN_SQL_SESSION_H
#define KILN_SQL_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "types/batch.h"

typedef struct Session Session;

/* Receives the rows of a statement that returns rows. */
typedef struct ResultSink {
    /* Called once before any batch with the result's column names and types. */
    bool (*begin)(struct ResultSink *sink, int ncols, char *const *names, const LogicalType *types, Error *err);
    /* Called for each non-empty batch (valid only during the call). */
    bool (*batch)(struct ResultSink *sink, const Batch *batch, Error *err);
    /* Called once after the last batch. */
    bool (*end)(struct ResultSink *sink, Error *err);
} ResultSink;

/* A fully materialised result (a ResultSink that keeps every row). */
typedef struct QueryResult {
    ResultSink sink;      /* first member: pass &result->sink to session_execute */
    bool has_rows;        /* the last statement returned rows (SELECT, VALUES, SHOW, EXPLAIN...) */
    int ncols;
    char **names;
    LogicalType *types;
    Batch *batches;       /* owned deep copies */
    int nbatches;
    int cap_batches;
    uint64_t nrows;
    char status[128];     /* command tag of the last statement: "SELECT 3", "INSERT 0 5", "CREATE TABLE" */
} QueryResult;

/* Open a session with the default settings and an empty catalog. */
Session *session_open(void);
/* Close a session and free its catalog. */
void session_close(Session *s);
/* Run every statement of sql in order. Rows of row-returning statements go to
 * sink (only the last statement's rows when only_last_rows is set and the
 * sink is NULL for the others); sink may be NULL. Stops at the first error,
 * which carries the position in sql. */
bool session_execute(Session *s, const char *sql, ResultSink *sink, Error *err);
/* Like session_execute but only the last statement's rows reach sink. */
bool session_execute_last(Session *s, const char *sql, ResultSink *sink, Error *err);
/* Command tag of the last statement run ("SELECT 3", "CREATE TABLE"...). */
const char *session_last_status(const Session *s);
/* A line on what the last statement wrote beyond its tag ("dataset lake/orders
 * v7: 84 files in 84 partitions, 1.2 GB"), "" if none. */
const char *session_last_detail(const Session *s);
/* Called while statements run to report progress (bytes of input read of the
 * total, rows produced); NULL to switch off. */
typedef void (*ProgressFn)(void *ctx, uint64_t bytes_done, uint64_t bytes_total, uint64_t rows);
void session_set_progress(Session *s, ProgressFn fn, void *ctx);

/* Who is running the statements: the job, its parameters and logical date.
 * The lake's commit records and the quality report carry it; an ad-hoc
 * query has no job (NULL fields). */
typedef struct RunContext {
    char *job;          /* job name ("orders_daily"), NULL for ad-hoc statements */
    char *params_json;  /* the job's parameters as a JSON object with sorted keys, NULL if none */
    char *logical_date; /* the job's `ds` parameter, NULL if none */
} RunContext;
/* Set the run context (strings copied; NULL clears a field). */
void session_set_run_context(Session *s, const char *job, const char *params_json, const char *logical_date);
/* The run context (fields NULL when not set). */
const RunContext *session_run_context(const Session *s);
/* The session's settings (SET/SHOW), for callers that apply options such as --set. */
struct Settings *session_settings(Session *s);
/* The quality report of the statements run so far (quality/report.h). */
struct QualityReport *session_quality_report(Session *s);

/* Initialise an empty QueryResult to collect rows. */
void query_result_init(QueryResult *r);
/* Free a QueryResult's rows and names. */
void query_result_free(QueryResult *r);
/* Append the PostgreSQL text form of (row, col) to out; returns false for NULL. */
bool query_result_value_text(const QueryResult *r, uint64_t row, int col, StrBuf *out);

#endif
