/* bind_window: window function calls (f(...) OVER (...)) and WINDOW clauses.
 *
 * While a select list and ORDER BY are bound, each window call becomes an
 * EXPR_WINDOW_REF placeholder whose args are the call's inputs (arguments,
 * FILTER, PARTITION BY, ORDER BY, RANGE bound values), so aggregation
 * rewrites them like any other expression.  bind_windows then plans
 *
 *     WINDOW ... <- WINDOW <- PROJECT(used columns, window inputs) <- input
 *
 * (one WINDOW node per distinct PARTITION BY / ORDER BY) and rewrites the
 * select list to read the window results. */
#ifndef KILN_SQL_BIND_WINDOW_H
#define KILN_SQL_BIND_WINDOW_H

#include "exec/window.h"
#include "sql/binder.h"

typedef struct WindowCallBinding {
    WindowFunc func;       /* argument columns are filled in by bind_windows */
    int nargs;             /* placeholder args: nargs arguments, */
    bool has_filter;       /*   [FILTER], */
    int npartition;        /*   PARTITION BY keys, */
    int norder;            /*   ORDER BY keys, */
    int nbounds;           /*   RANGE offset: range key, [start bound], [end bound] */
    bool start_bound, end_bound;
    SortKey *order;        /* direction of each ORDER BY key (column unused) */
} WindowCallBinding;

typedef struct WindowBindContext {
    bool active;           /* window calls allowed here */
    const char *clause;    /* where they are not: "WHERE", "HAVING" ... */
    bool in_window;        /* binding a window call's inputs */
    PgQuery__SelectStmt *stmt; /* for its WINDOW clause */
    WindowCallBinding *calls;
    int ncalls, cap;
} WindowBindContext;

/* Start a query's window context (not yet allowed: `clause` names where we are);
 * binder's previous context is restored by the caller. */
void bind_window_begin(Binder *b, WindowBindContext *ctx, PgQuery__SelectStmt *stmt, const char *clause);
/* Allow window calls (clause NULL) or forbid them in `clause`. */
void bind_window_allow(Binder *b, const char *clause);
/* Bind name(...) OVER (...) into a placeholder of the current context. */
Expr *bind_window_call(Binder *b, PgQuery__FuncCall *fc, const char *name, const Scope *scope, Error *err);
/* Error if a GROUP BY ordinal or output name refers to a select-list entry with a window call. */
bool bind_window_check_group_by(Binder *b, PgQuery__SelectStmt *stmt, Expr **targets, int nvisible, Error *err);
/* Plan the collected window calls over *plan and rewrite targets to read their results. */
bool bind_windows(Binder *b, PlanNode **plan, Expr **targets, int ntargets, Error *err);

#endif
