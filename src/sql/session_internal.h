/* session_internal: what the statement executors (stmt_*.c) share with
 * session.c; not part of the engine's public interface. */
#ifndef KILN_SQL_SESSION_INTERNAL_H
#define KILN_SQL_SESSION_INTERNAL_H

#include "exec/exec.h"
#include "quality/report.h"
#include "sql/binder.h"
#include "sql/catalog.h"
#include "sql/connections.h"
#include "sql/session.h"
#include "sql/settings.h"

struct Session {
    Catalog catalog;
    Settings settings;
    ProgressFn progress;
    void *progress_ctx;
    char status[128];
    char detail[256];         /* what the last statement wrote, for the CLI ("" if nothing to add) */
    uint64_t spilled_bytes;   /* written to spill files by this session's statements */
    uint64_t row_groups_pruned; /* Parquet row groups the last plan skipped from statistics */
    uint64_t files_opened;      /* data files the last plan's scans opened (partition pruning tests) */
    RunContext run;           /* job, parameters, logical date (owned strings) */
    QualityReport quality;    /* this run's quality report (quality/report.h) */
    ConnectionSet connections; /* CREATE SERVER's named connections (sql/connections.h) */
};

/* One statement being run: its text, its arena and binder. */
typedef struct StmtContext {
    Session *session;
    const char *sql;       /* whole script text (positions are offsets into it) */
    Arena arena;
    Binder binder;
    ResultSink *sink;      /* where rows go, NULL to discard */
    struct ExecProfile *profile; /* EXPLAIN ANALYZE: session_run_plan counts rows and time per node here */
} StmtContext;

/* Run a plan to completion, passing each batch to sink (may be NULL); *rows
 * gets the number of rows produced. */
bool session_run_plan(StmtContext *sc, PlanNode *plan, ResultSink *sink, uint64_t *rows, Error *err);
/* A sink that appends rows to a memtable. */
typedef struct MemTableSink {
    ResultSink sink;
    MemTable *table;
} MemTableSink;
void memtable_sink_init(MemTableSink *s, MemTable *table);

/* COPY ... FROM / TO (stmt_copy.c). */
bool stmt_copy(StmtContext *sc, PgQuery__CopyStmt *stmt, Error *err);
/* CALL kiln_check(...) (quality/checks_stmt.c). */
bool stmt_call(StmtContext *sc, PgQuery__CallStmt *stmt, Error *err);
/* INSERT (stmt_insert.c). */
bool stmt_insert(StmtContext *sc, PgQuery__InsertStmt *stmt, Error *err);
/* Append staged rows to a table after checking its NOT NULL columns; the
 * rows stored are folded into the table's profile in the session's quality
 * report (quality/report.h). */
bool stmt_store_rows(StmtContext *sc, CatalogTable *t, MemTable *rows, Error *err);

#endif
