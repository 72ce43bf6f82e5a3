/* binder: turns parse trees into bound, typed plans.
 *
 * Names are resolved against a Scope (the columns visible from the FROM
 * clause), types are checked and casts inserted as PostgreSQL would, and
 * constant subexpressions are folded.  The result is a PlanNode tree
 * (exec/plan.h) allocated in the binder's arena. */
#ifndef KILN_SQL_BINDER_H
#define KILN_SQL_BINDER_H

#include <stdbool.h>

#include "common/arena.h"
#include "common/error.h"
#include "exec/plan.h"
#include "sql/catalog.h"
#include "sql/parser.h"

typedef struct ScopeColumn {
    const char *table; /* alias or table name qualifying the column, may be NULL */
    const char *name;
    LogicalType type;
    int index;         /* column of the input batch */
    bool hidden;       /* only reachable qualified (the right copy of a USING column) */
    bool outer;        /* of an enclosing query (a decorrelated subquery): matched only if no inner column is */
} ScopeColumn;

typedef struct Scope {
    ScopeColumn *cols;
    int ncols;
} Scope;

/* Aggregates found while binding a select list, HAVING or ORDER BY. */
typedef struct AggBinding {
    AggKind kind;
    LogicalType result_type;
    int nargs;
    Expr *args[2];
    Expr *filter;      /* FILTER (WHERE ...) or NULL */
    bool distinct;     /* name(DISTINCT ...) */
    bool order_desc;   /* ordered-set aggregates: WITHIN GROUP (ORDER BY x DESC) */
    bool fraction_null; /* percentile_*: the fraction is NULL */
    double fraction;   /* percentile_*: the constant fraction */
} AggBinding;

typedef struct AggBindContext {
    bool active;       /* aggregate calls allowed here */
    AggBinding *aggs;
    int naggs, cap;
} AggBindContext;

typedef struct Binder {
    Catalog *catalog;
    Arena *arena;          /* everything bound lives here */
    const char *sql;       /* text the positions refer to */
    bool positions_valid;  /* false while binding a view's stored text */
    int depth;             /* view nesting, to stop runaway recursion */
    FunctionCall ***calls; /* every bound call, released by binder_release (shared with nested binders) */
    int *ncalls, *cap_calls;
    AggBindContext *agg;   /* where aggregate calls go; NULL = not allowed */
    struct WindowBindContext *win; /* where window calls go (sql/bind_window.h); NULL = not allowed */
    const Scope *outer_scope; /* while binding a subquery expression: the enclosing query's columns */
    int outer_refs;        /* references to outer_scope seen (each one an error: correlation unsupported there) */
    const char *lake_root; /* folder of the datasets named lake.<name> (setting lake_root; NULL = "lake") */
    const struct ConnectionSet *connections; /* the session's named connections (sql/connections.h; NULL = none) */
    int threads;           /* the session's threads setting (writers that encode in parallel; 0 = unknown) */
    int64_t memory_limit;  /* the session's memory_limit (plans that trade speed for spilling; 0 = unknown) */
    bool no_remote_filter_pushdown; /* SET remote_filter_pushdown = false: database sources get no WHERE */
} Binder;

/* Initialise a binder for one statement (arena and catalog are borrowed). */
void binder_init(Binder *b, Catalog *catalog, Arena *arena, const char *sql);
/* Remember a bound call so its bind data is freed by binder_release. */
void binder_track_call(Binder *b, FunctionCall *call);
/* Free the bind data of every call bound (the plan is unusable afterwards). */
void binder_release(Binder *b);

/* Where a coercion happens decides which casts are allowed (cast.h). */
typedef enum CoerceContext { COERCE_IMPLICIT, COERCE_ASSIGNMENT, COERCE_EXPLICIT } CoerceContext;

/* Bind a SELECT (or VALUES) into a plan whose output columns carry names. */
bool bind_select(Binder *b, PgQuery__SelectStmt *stmt, PlanNode **out, Error *err);
/* Bind a scalar expression against a scope. */
Expr *bind_expr(Binder *b, PgQuery__Node *node, const Scope *scope, Error *err);
/* Convert e to type `to` under the rules of the context, folding constants;
 * untyped string literals are parsed as the target type. */
Expr *bind_coerce(Binder *b, Expr *e, LogicalType to, CoerceContext ctx, Error *err);
/* Bind a boolean condition (WHERE, HAVING, ON): error if not boolean. */
Expr *bind_condition(Binder *b, PgQuery__Node *node, const Scope *scope, const char *clause, Error *err);
/* The text form of a constant expression (options, table-function
 * arguments), in the arena; *out is NULL for SQL NULL. */
bool bind_constant_text(Binder *b, PgQuery__Node *node, char **out, Error *err);
/* Resolve a parse-tree TypeName to a kiln type. */
bool bind_type_name(Binder *b, PgQuery__TypeName *tn, LogicalType *out, Error *err);
/* Evaluate a constant expression node (LIMIT, options, SET) to a Value. */
bool bind_constant_value(Binder *b, PgQuery__Node *node, Value *out, Error *err);
/* Position to report for a node (-1 when positions are not valid). */
int bind_pos(const Binder *b, int location);
/* The text of a String node (identifiers, operator names), NULL for other nodes. */
const char *node_string(const PgQuery__Node *n);
/* The location field of any expression node, -1 if it has none. */
int node_location(const PgQuery__Node *node);
/* A plan node of the given kind with ncols output columns allocated. */
PlanNode *plan_new(Binder *b, PlanKind kind, int ncols);
/* Wrap a plan in a projection of the given expressions and names. */
PlanNode *plan_project(Binder *b, PlanNode *child, int n, Expr **exprs, char **names);
/* A column-reference expression. */
Expr *expr_column(Binder *b, int column, LogicalType type);
/* A deep copy of a bound expression (function calls are shared: they are
 * read-only). Each use of an operand gets its own tree, because the
 * optimizer and the aggregate binder rewrite trees in place. */
Expr *expr_copy(Binder *b, const Expr *e);
/* A constant expression. */
Expr *expr_const(Binder *b, Value v, int sql_pos);
/* Bind an aggregate call (count, sum ...) into the current AggBindContext. */
Expr *bind_aggregate_call(Binder *b, PgQuery__FuncCall *fc, const char *name, const Scope *scope, Error *err);
/* Build the aggregation for a query: bind GROUP BY against the FROM scope
 * (ordinals and output names resolve to select-list expressions), put a
 * projection of keys and aggregate arguments under a PLAN_AGGREGATE, and
 * rewrite the select-list, HAVING and ORDER BY expressions to read its
 * output. */
bool bind_aggregation(Binder *b, PgQuery__SelectStmt *stmt, const Scope *scope, PlanNode **plan, Expr **targets,
                      int ntargets, int nvisible, Expr **having, Error *err);
/* Bind one FROM item (table, view, subquery, table function, or a JOIN tree). */
bool bind_from_item(Binder *b, PgQuery__Node *item, PlanNode **out, Scope *scope, Error *err);
/* Bind JOIN ... ON / USING / NATURAL. */
bool bind_join_expr(Binder *b, PgQuery__JoinExpr *je, PlanNode **out, Scope *scope, Error *err);
/* Bind a whole FROM list together with WHERE: comma-separated items become
 * inner joins, WHERE conditions between items become their join keys, and
 * conditions on one item are applied under the join. */
bool bind_from_where(Binder *b, PgQuery__SelectStmt *stmt, PlanNode **plan, Scope *scope, Error *err);
/* Bind UNION / INTERSECT / EXCEPT [ALL] (without its ORDER BY / LIMIT) into a plan (bind_setop.c). */
bool bind_set_operation(Binder *b, PgQuery__SelectStmt *stmt, PlanNode **out, Error *err);
/* A subquery used as an expression: scalar, EXISTS, IN / op ANY / op ALL;
 * uncorrelated ones are run once, here, and become constants (bind_subquery.c). */
Expr *bind_sublink(Binder *b, PgQuery__SubLink *sl, const Scope *scope, Error *err);
/* bind_from_where, with WHERE's [NOT] EXISTS and [NOT] IN (subquery)
 * conjuncts turned into SEMI / ANTI joins (bind_subquery.c). */
bool bind_from_where_subqueries(Binder *b, PgQuery__SelectStmt *stmt, PlanNode **plan, Scope *scope, Error *err);
/* Join two plans on conds bound against left ++ right (see bind_join.c). */
bool bind_make_join(Binder *b, PlanNode *left, PlanNode *right, JoinType type, Expr **conds, int nconds,
                    PlanNode **out, Error *err);
/* A call of a binary operator ("=", "<" ...) with PostgreSQL's operand typing. */
Expr *bind_operator(Binder *b, const char *name, Expr *l, Expr *r, int pos, Error *err);
/* Bind a table function in FROM (read_csv ...) into a scan plan. */
bool bind_table_function(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                         Error *err);

#endif
