/* op_project: computes the select list.  Each output column is the vector an
 * expression evaluates to; a plain column of an unselected batch is passed
 * through without a copy.
 *
 * Over a batch with a selection (a FILTER below), every column reference
 * gathers its column's selected rows into a dense vector of its own; when
 * the list reads some column more than once (`a * b`, `a * b * c`, `a`), the
 * columns it reads are gathered once instead, into a dense batch that all
 * the expressions then read without copying.  Memory: the expressions'
 * result vectors, and then one dense vector per column read. */
#include "common/mem.h"
#include "exec/exec.h"
#include "exec/expr_eval.h"

typedef struct ProjectState {
    ExecNode base;
    ExprState **exprs;
    Batch out;
    /* gathering once: dense[c] for each column c the list reads (dense_cols, ndense) */
    Vector *dense;
    int *dense_cols;
    int ndense;
    Batch dense_in;
} ProjectState;

/* The batch the expressions read: in itself, or its read columns gathered densely. */
static const Batch *input_for_exprs(ProjectState *s, const Batch *in)
{
    if (in->sel == NULL || s->ndense == 0 || in->ncols != s->dense_in.ncols) return in;
    for (int k = 0; k < s->ndense; k++)
        if (!type_equal(s->dense[k].type, in->cols[s->dense_cols[k]]->type)) return in;
    for (int c = 0; c < in->ncols; c++) s->dense_in.cols[c] = in->cols[c];
    for (int k = 0; k < s->ndense; k++) {
        int c = s->dense_cols[k];
        Vector *v = &s->dense[k];
        vector_reset(v);
        vector_gather(v, 0, in->cols[c], in->sel, in->count);
        s->dense_in.cols[c] = v;
    }
    s->dense_in.count = in->count;
    s->dense_in.sel = NULL;
    return &s->dense_in;
}

static bool project_next(ExecNode *node, Batch **out, Error *err)
{
    ProjectState *s = (ProjectState *)node;
    Batch *in;
    if (!exec_next(node->child, &in, err)) return false;
    s->out.count = in->count;
    s->out.sel = NULL;
    if (in->count > 0) {
        const Batch *src = input_for_exprs(s, in);
        for (int c = 0; c < node->plan->ncols; c++) {
            s->out.cols[c] = expr_eval(s->exprs[c], src, err);
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
    for (int k = 0; k < s->ndense; k++) vector_destroy(&s->dense[k]);
    mem_free(s->dense);
    mem_free(s->dense_cols);
    batch_destroy(&s->dense_in);
    batch_destroy(&s->out);
    mem_free(s);
}

static const ExecNodeOps project_ops = {project_next, project_close};

/* Count the references to each input column (reads has ninput entries). */
static void count_reads(const Expr *e, int *reads, int ninput)
{
    if (e->kind == EXPR_COLUMN && e->column >= 0 && e->column < ninput) reads[e->column]++;
    for (int i = 0; i < e->nargs; i++) count_reads(e->args[i], reads, ninput);
}

/* Gather the read columns once per batch when some column is read more than once. */
static void plan_dense_input(ProjectState *s, const PlanNode *plan)
{
    const PlanNode *child = plan->child;
    int ninput = child ? child->ncols : 0;
    if (ninput == 0) return;
    int *reads = mem_calloc((size_t)ninput, sizeof(int));
    for (int c = 0; c < plan->ncols; c++) count_reads(plan->exprs[c], reads, ninput);
    int nread = 0;
    bool repeated = false;
    for (int c = 0; c < ninput; c++) {
        nread += reads[c] > 0;
        repeated |= reads[c] > 1;
    }
    if (repeated) {
        s->dense = mem_calloc((size_t)nread, sizeof(Vector));
        s->dense_cols = mem_calloc((size_t)nread, sizeof(int));
        for (int c = 0; c < ninput; c++) {
            if (reads[c] == 0) continue;
            vector_init(&s->dense[s->ndense], child->types[c], VECTOR_CAPACITY);
            s->dense_cols[s->ndense++] = c;
        }
        batch_init_borrowed(&s->dense_in, ninput);
    }
    mem_free(reads);
}

ExecNode *op_project_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, Error *err)
{
    ProjectState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &project_ops;
    s->base.plan = plan;
    s->exprs = mem_calloc((size_t)plan->ncols + 1, sizeof(ExprState *));
    for (int c = 0; c < plan->ncols; c++) s->exprs[c] = expr_state_build(plan->exprs[c]);
    batch_init_borrowed(&s->out, plan->ncols);
    plan_dense_input(s, plan);
    return &s->base;
}
