/* expr_equal: structural equality of bound expressions and a hash that
 * agrees with it, so an optimizer pass can find the subexpressions a plan
 * computes more than once (sql/opt_cse.c). */
#ifndef KILN_EXEC_EXPR_EQUAL_H
#define KILN_EXEC_EXPR_EQUAL_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/expr.h"

/* True if a and b compute the same thing on the same input: same node kind,
 * result type and flags, same bound function overload, equal arguments in
 * order, constants equal by type and value (a NULL equals a NULL of the same
 * type), columns by number.  SQL positions are ignored.  Cannot fail. */
bool expr_equal(const Expr *a, const Expr *b);
/* A hash of e: expr_equal(a, b) implies expr_hash(a) == expr_hash(b).  Cannot fail. */
uint64_t expr_hash(const Expr *e);
/* expr_equal without the arguments: kind, type, flags, function, constant
 * and column of the two nodes, and their argument counts.  For callers that
 * compare the arguments themselves (hash-consing bottom-up).  Cannot fail. */
bool expr_equal_node(const Expr *a, const Expr *b);
/* The hash of what expr_equal_node compares; expr_hash(e) combines it with
 * the arguments' expr_hash in order (expr_hash_combine).  Cannot fail. */
uint64_t expr_hash_node(const Expr *e);
/* Mix the hash of one more argument into a node's hash, as expr_hash does. */
uint64_t expr_hash_combine(uint64_t node_hash, uint64_t arg_hash);
/* True if two constants are the same value of the same type (NULL equals NULL;
 * doubles by their bits, so -0.0 differs from 0.0 and a NaN equals itself). */
bool expr_value_equal(const Value *a, const Value *b);

#endif
