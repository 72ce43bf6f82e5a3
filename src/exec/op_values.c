/* op_values: VALUES (...), (...).  Each row's expressions are evaluated on a
 * one-row empty batch and copied into the output; rows are emitted in batches
 * of VECTOR_CAPACITY.  Memory: one output batch. */
#include "common/mem.h"
#include "exec/exec.h"
#include "exec/expr_eval.h"

typedef struct ValuesState {
    ExecNode base;
    Batch batch;
    Batch one;      /* empty one-row input for evaluating each expression */
    int64_t next_row;
} ValuesState;

static bool values_next(ExecNode *node, Batch **out, Error *err)
{
    ValuesState *s = (ValuesState *)node;
    const PlanNode *p = node->plan;
    batch_reset(&s->batch);
    while (s->next_row < p->nrows && s->batch.count < VECTOR_CAPACITY) {
        Expr **row = p->rows[s->next_row];
        for (int c = 0; c < p->ncols; c++) {
            ExprState *es = expr_state_build(row[c]);
            Vector *v = expr_eval(es, &s->one, err);
            if (v == NULL) {
                expr_state_free(es);
                return false;
            }
            vector_copy(s->batch.cols[c], s->batch.count, v, NULL, 1);
            expr_state_free(es);
        }
        s->batch.count++;
        s->next_row++;
    }
    *out = &s->batch;
    return true;
}

static void values_close(ExecNode *node)
{
    ValuesState *s = (ValuesState *)node;
    batch_destroy(&s->batch);
    batch_destroy(&s->one);
    mem_free(s);
}

static const ExecNodeOps values_ops = {values_next, values_close};

ExecNode *op_values_create(const PlanNode *plan, ExecContext *ctx, Error *err)
{
    ValuesState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &values_ops;
    batch_init(&s->batch, plan->ncols, plan->types, VECTOR_CAPACITY);
    batch_init_borrowed(&s->one, 0);
    s->one.count = 1;
    return &s->base;
}
