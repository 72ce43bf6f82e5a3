/* op_union: UNION ALL.  Streams every batch of its child, then every batch
 * of `right`, unchanged (the binder has converted both inputs to the same
 * column types).  UNION without ALL is this operator under a hash
 * aggregation on all columns.  Memory: none beyond the two inputs' own. */
#include "common/mem.h"
#include "exec/exec.h"

typedef struct UnionState {
    ExecNode base;
    ExecNode *right;
    bool left_done;
} UnionState;

static bool union_next(ExecNode *node, Batch **out, Error *err)
{
    UnionState *s = (UnionState *)node;
    if (!s->left_done) {
        if (!exec_next(node->child, out, err)) return false;
        if ((*out)->count > 0) return true;
        s->left_done = true;
    }
    return exec_next(s->right, out, err);
}

static void union_close(ExecNode *node)
{
    UnionState *s = (UnionState *)node;
    exec_close(s->right);
    mem_free(s);
}

static const ExecNodeOps union_ops = {union_next, union_close};

ExecNode *op_union_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, Error *err)
{
    (void)child;
    ExecNode *right = exec_build(plan->right, ctx, err);
    if (right == NULL) return NULL;
    UnionState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &union_ops;
    s->right = right;
    return &s->base;
}
