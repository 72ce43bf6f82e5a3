/* op_one_row: the FROM-less source of `SELECT 1`: one row, no columns.
 * Memory: one empty batch. */
#include "common/mem.h"
#include "exec/exec.h"

typedef struct OneRowState {
    ExecNode base;
    Batch batch;
    bool done;
} OneRowState;

static bool one_row_next(ExecNode *node, Batch **out, Error *err)
{
    OneRowState *s = (OneRowState *)node;
    s->batch.count = s->done ? 0 : 1;
    s->done = true;
    *out = &s->batch;
    return true;
}

static void one_row_close(ExecNode *node)
{
    OneRowState *s = (OneRowState *)node;
    batch_destroy(&s->batch);
    mem_free(s);
}

static const ExecNodeOps one_row_ops = {one_row_next, one_row_close};

ExecNode *op_one_row_create(const PlanNode *plan, ExecContext *ctx, Error *err)
{
    OneRowState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &one_row_ops;
    batch_init_borrowed(&s->batch, 0);
    return &s->base;
}
