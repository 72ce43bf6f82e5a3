/* compare_op: the six comparison operators under the names the binder gives
 * their calls ("=", "<>", "<", "<=", ">", ">="), for the code that reads
 * filter conditions as hints: Parquet row-group pruning
 * (formats/parquet/parquet_stats_filter.c) and remote WHERE clauses
 * (connectors/remote_sql.c). */
#ifndef KILN_EXEC_COMPARE_OP_H
#define KILN_EXEC_COMPARE_OP_H

#include <stdbool.h>
#include <string.h>

typedef enum CompareOp { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE } CompareOp;

/* The operator's SQL spelling. */
static inline const char *compare_op_text(CompareOp op)
{
    static const char *const text[] = {"=", "<>", "<", "<=", ">", ">="};
    return text[op];
}

/* The operator a call name stands for ("!=" is "<>"); false for any other name. */
static inline bool compare_op_of(const char *name, CompareOp *op)
{
    for (int i = OP_EQ; i <= OP_GE; i++)
        if (strcmp(name, compare_op_text((CompareOp)i)) == 0) {
            *op = (CompareOp)i;
            return true;
        }
    if (strcmp(name, "!=") == 0) {
        *op = OP_NE;
        return true;
    }
    return false;
}

/* The operator with its operands swapped: `c op x` is `x flip(op) c`. */
static inline CompareOp compare_op_flip(CompareOp op)
{
    switch (op) {
    case OP_LT: return OP_GT;
    case OP_LE: return OP_GE;
    case OP_GT: return OP_LT;
    case OP_GE: return OP_LE;
    default: return op;
    }
}

#endif
