/* op_limit: OFFSET and LIMIT.  Trims batches with a selection vector and
 * stops pulling from its input once the limit is reached.  Memory: one
 * selection vector. */
#include "common/mem.h"
#include "exec/exec.h"

typedef struct LimitState {
    ExecNode base;
    int64_t skipped;
    int64_t returned;
    Batch out;
    uint32_t sel[VECTOR_CAPACITY];
} LimitState;

static bool limit_next(ExecNode *node, Batch **out, Error *err)
{
    LimitState *s = (LimitState *)node;
    const PlanNode *p = node->plan;
    for (;;) {
        if (p->limit >= 0 && s->returned >= p->limit) {
            s->out.count = 0;
            *out = &s->out;
            return true;
        }
        Batch *in;
        if (!exec_next(node->child, &in, err)) return false;
        if (in->count == 0) {
            *out = in;
            return true;
        }
        uint32_t start = 0;
        if (s->skipped < p->offset) {
            int64_t skip = p->offset - s->skipped;
            if (skip >= in->count) {
                s->skipped += in->count;
                continue;
            }
            start = (uint32_t)skip;
            s->skipped = p->offset;
        }
        uint32_t n = in->count - start;
        if (p->limit >= 0 && (int64_t)n > p->limit - s->returned) n = (uint32_t)(p->limit - s->returned);
        if (start == 0 && n == in->count) {
            s->returned += n;
            *out = in;
            return true;
        }
        for (uint32_t k = 0; k < n; k++) s->sel[k] = batch_row(in, start + k);
        s->out.ncols = in->ncols;
        s->out.cols = in->cols;
        s->out.count = n;
        s->out.sel = s->sel;
        s->returned += n;
        *out = &s->out;
        return true;
    }
}

static void limit_close(ExecNode *node) { mem_free(node); }

static const ExecNodeOps limit_ops = {limit_next, limit_close};

ExecNode *op_limit_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, Error *err)
{
    LimitState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &limit_ops;
    return &s->base;
}
