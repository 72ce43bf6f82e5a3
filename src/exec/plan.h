/* plan: the physical plan a statement runs, as a tree of read-only nodes
 * built by the planner (sql/) in the statement's arena.  Execution state is
 * kept apart, in ExecNode trees (exec.h), as PostgreSQL keeps Plan and
 * PlanState apart: the same plan could be run by several threads. */
#ifndef KILN_EXEC_PLAN_H
#define KILN_EXEC_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/aggregate.h"
#include "exec/expr.h"
#include "exec/memtable.h"

typedef enum PlanKind {
    PLAN_ONE_ROW,     /* a single row with no columns (SELECT without FROM) */
    PLAN_VALUES,      /* VALUES lists: rows of constant-foldable expressions */
    PLAN_TABLE_SCAN,  /* rows of an in-memory table */
    PLAN_CSV_SCAN,    /* read_csv / COPY FROM */
    PLAN_FILTER,      /* keep rows where predicate is true */
    PLAN_PROJECT,     /* compute exprs */
    PLAN_LIMIT,       /* OFFSET / LIMIT */
    PLAN_SORT,        /* ORDER BY keys (full sort in memory) */
    PLAN_AGGREGATE,   /* GROUP BY: ngroups key columns, then aggregates */
    PLAN_HASH_JOIN,   /* join child (probe) with right (build) on key columns; nested loop without keys */
    PLAN_GATHER,      /* run child (a streaming pipeline over a scan) on worker threads, morsel by morsel */
    PLAN_EXTERNAL_SCAN, /* a source implemented by a ScanProvider (exec/scan_provider.h) */
    PLAN_UNION,       /* UNION ALL: child's rows, then right's (same column types) */
    PLAN_SETOP,       /* INTERSECT / EXCEPT [ALL] of child and right by hashing whole rows (setop) */
    PLAN_UNIQUE,      /* first row of each run of equal keys[].column values (DISTINCT ON over sorted input) */
    PLAN_WINDOW,      /* window functions: input columns, then one result per window->funcs (exec/window.h) */
} PlanKind;

typedef enum SetOpKind { SETOP_INTERSECT, SETOP_INTERSECT_ALL, SETOP_EXCEPT, SETOP_EXCEPT_ALL } SetOpKind;

typedef enum JoinType { JOIN_INNER, JOIN_LEFT, JOIN_RIGHT, JOIN_FULL, JOIN_SEMI, JOIN_ANTI } JoinType;

typedef struct SortKey {
    int column;        /* column of the input to sort on */
    bool descending;
    bool nulls_first;
} SortKey;

struct CsvScanSpec; /* formats/csv binding, defined in exec/csv_scan.h */

typedef struct PlanNode {
    PlanKind kind;
    bool optimized;           /* the root has been through the optimizer */
    int ncols;
    LogicalType *types;
    char **names;
    struct PlanNode *child;

    Expr *predicate;          /* FILTER; HASH_JOIN: residual condition on child ++ right columns */
    Expr **exprs;             /* PROJECT: ncols expressions */
    int64_t limit;            /* LIMIT: -1 = none */
    int64_t offset;           /* LIMIT: 0 = none */
    SortKey *keys;            /* SORT */
    int nkeys;
    MemTable *table;          /* TABLE_SCAN (owned by the catalog) */
    Expr ***rows;             /* VALUES: nrows rows of ncols expressions */
    int64_t nrows;
    struct CsvScanSpec *csv;  /* CSV_SCAN */
    const struct ScanProvider *provider; /* EXTERNAL_SCAN */
    void *scan_spec;          /* EXTERNAL_SCAN: the provider's description of the scan */
    int *projection;          /* EXTERNAL_SCAN: output column i = provider schema column projection[i] */
    int nprojection;          /* EXTERNAL_SCAN: 0 = all columns in schema order */
    Expr **scan_filters;      /* EXTERNAL_SCAN: conditions from filters above, as skipping hints
                                 (columns numbered in the provider's full schema; see opt_scan_hints.c) */
    int nscan_filters;
    bool count_only;          /* CSV/EXTERNAL_SCAN: no output column is read by anyone (count(*)); the one
                                 kept only carries the row count, and its values may be NULL */
    struct PlanNode *right;   /* HASH_JOIN: the build side */
    JoinType join_type;       /* HASH_JOIN */
    int njoin_keys;           /* HASH_JOIN: equal-key pairs (0 = nested loop) */
    int *left_keys;           /* HASH_JOIN: key columns of child */
    int *right_keys;          /* HASH_JOIN: key columns of right */
    bool join_shared_build;   /* HASH_JOIN: runs in a GATHER's workers, probing one table the gather builds
                                 from right before they start (exec/hash_join_shared.h) */
    struct PlanNode *scan;    /* GATHER: the scan under child whose input is split into morsels */
    int workers;              /* GATHER: threads */
    int64_t morsel_bytes;     /* GATHER over CSV: target piece size */
    int ngroups;              /* AGGREGATE: the first ngroups input columns are the keys */
    AggregateSpec *aggs;      /* AGGREGATE */
    bool agg_partial;         /* AGGREGATE: emit partial states (aggregate_state_types) instead of results */
    bool agg_partial_spills;  /* AGGREGATE with agg_partial: past its budget spill like a final aggregate
                                 (each group emitted once) instead of handing groups up early */
    int naggs;
    SetOpKind setop;          /* SETOP */
    struct WindowSpec *window; /* WINDOW: partition and order keys, functions (exec/window.h) */
} PlanNode;

/* Release bind data held by the plan's expressions (nodes live in an arena). */
void plan_release(PlanNode *plan);
/* Append an indented, human-readable description of the plan (EXPLAIN). */
struct StrBuf;
void plan_explain(const PlanNode *plan, struct StrBuf *out);

#endif
