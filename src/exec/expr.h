/* expr: bound scalar expressions, as the binder (sql/) produces them and the
 * evaluator (expr_eval.c) computes them a vector at a time.
 *
 * A bound expression is read-only once built and lives in the statement's
 * arena; all per-execution state (scratch vectors) is in ExprState. */
#ifndef KILN_EXEC_EXPR_H
#define KILN_EXEC_EXPR_H

#include <stdbool.h>

#include "exec/function.h"
#include "types/value.h"

typedef enum ExprKind {
    EXPR_CONST,           /* constant */
    EXPR_COLUMN,          /* column `column` of the input batch */
    EXPR_CALL,            /* function or operator: call, args */
    EXPR_CAST,            /* args[0] converted to type */
    EXPR_AND,             /* args[0] AND args[1] ... (three-valued) */
    EXPR_OR,              /* args[0] OR args[1] ... (three-valued) */
    EXPR_NOT,             /* NOT args[0] */
    EXPR_IS_NULL,         /* args[0] IS NULL (negated: IS NOT NULL) */
    EXPR_IS_DISTINCT,     /* args[0] IS DISTINCT FROM args[1] via call "=" (negated: IS NOT DISTINCT) */
    EXPR_BOOL_TEST,       /* args[0] IS TRUE/FALSE/UNKNOWN (bool_test; negated: IS NOT ...) */
    EXPR_CASE,            /* args: when1, then1, when2, then2, ... [else] */
    EXPR_COALESCE,        /* first non-NULL of args, evaluated lazily */
    EXPR_GREATEST,        /* greatest of args ignoring NULLs, via calls ">" */
    EXPR_LEAST,           /* least of args ignoring NULLs, via calls "<" */
    EXPR_IN_LIST,         /* args[0] IN (args[1..] constants of its type), by hash (negated: NOT IN) */
    EXPR_AGG_REF,         /* binder-internal: aggregate number `column`, replaced before planning */
    EXPR_WINDOW_REF,      /* binder-internal: window call number `column` (args: its inputs), replaced before planning */
} ExprKind;

typedef enum BoolTest { BOOL_TEST_TRUE, BOOL_TEST_FALSE, BOOL_TEST_UNKNOWN } BoolTest;

typedef struct Expr {
    ExprKind kind;
    LogicalType type;   /* result type */
    int sql_pos;        /* position in the SQL text, -1 if unknown */
    int nargs;
    struct Expr **args;
    Value constant;     /* EXPR_CONST */
    int column;         /* EXPR_COLUMN */
    FunctionCall *call; /* EXPR_CALL; EXPR_IS_DISTINCT ("="); GREATEST/LEAST (">"/"<") */
    bool negated;       /* IS NOT NULL, IS NOT DISTINCT FROM, IS NOT TRUE... */
    bool has_else;      /* EXPR_CASE */
    BoolTest bool_test; /* EXPR_BOOL_TEST */
    bool untyped_literal; /* a quoted literal whose type the context decides ('2024-01-01') */
} Expr;

/* True if the expression reads no column (a constant-foldable tree). */
bool expr_is_constant(const Expr *e);
/* Release function bind data held by the tree (the nodes live in an arena). */
void expr_release(Expr *e);

#endif
