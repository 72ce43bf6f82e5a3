/* expr_eval: vectorised evaluation of bound expressions.
 *
 * expr_state_build turns an Expr tree into an ExprState tree that owns one
 * result vector per node.  expr_eval computes the expression for every
 * logical row of a batch at once and returns a dense vector of batch->count
 * rows: either a node's own result vector or, for a plain column of an
 * unselected batch, the input vector itself (no copy).  The returned vector
 * is read-only and valid until the next evaluation of the same state.
 *
 * CASE, COALESCE, AND and OR evaluate their later operands only on the rows
 * that need them (a sub-batch with a narrower selection), so
 * `CASE WHEN x <> 0 THEN 1 / x END` never divides by zero, as in PostgreSQL. */
#ifndef KILN_EXEC_EXPR_EVAL_H
#define KILN_EXEC_EXPR_EVAL_H

#include "common/error.h"
#include "exec/expr.h"
#include "types/batch.h"

typedef struct ExprState ExprState;

/* Build the evaluation state of an expression. */
ExprState *expr_state_build(const Expr *e);
/* Free an evaluation state tree. */
void expr_state_free(ExprState *s);
/* Evaluate over every logical row of in; NULL on error. */
Vector *expr_eval(ExprState *s, const Batch *in, Error *err);
/* Evaluate a constant expression (no columns) to a Value; strings point into
 * arena. */
bool expr_eval_constant(const Expr *e, Arena *arena, Value *out, Error *err);

#endif
