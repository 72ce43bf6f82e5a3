/* op_project: computes the select list.  Each output column is the vector an
 * expression evaluates to; a plain column of an unselected batch is passed
 * through without a copy.  Memory: the expressions' result vectors. */
#include "common/mem.h"
#include "exec/exec.h"
#include "exec/expr_eval.h"

typedef struct ProjectState {
    ExecNode base;
    ExprState **exprs;
    Batch out;
} ProjectState;

static bool project_next(ExecNode *node, Batch **out, Error *err)
{
    ProjectState *s = (ProjectState *)node;
    Batch *in;
    if (!exec_next(node->child, &in, err)) return false;
    s->out.count = in->count;
    s->out.sel = NULL;
    if (in->count > 0) {
        for (int c = 0; c < node->plan->ncols; c++) {
            s->out.cols[c] = expr_eval(s->exprs[c], in, err);
            if (s->out.cols[c] == NULL) return false;
        }
    }
    *out = &s->out;
    return true;
}

static void project_close(ExecNode *node)
{
    ProjectState *s = (ProjectState *)node;
    for (int c = 0; c < node->plan->ncols; c++) expr_state_free(s->exprs[c]);
    mem_free(s->exprs);
    batch_destroy(&s->out);
    mem_free(s);
}

static const ExecNodeOps project_ops = {project_next, project_close};

ExecNode *op_project_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, Error *err)
{
    ProjectState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &project_ops;
    s->base.plan = plan;
    s->exprs = mem_calloc((size_t)plan->ncols + 1, sizeof(ExprState *));
    for (int c = 0; c < plan->ncols; c++) s->exprs[c] = expr_state_build(plan->exprs[c]);
    batch_init_borrowed(&s->out, plan->ncols);
    return &s->base;
}
