/* op_filter: keeps the rows whose predicate is true (not false, not NULL).
 * It never copies rows: it writes a selection vector that composes with the
 * input's and passes the input's columns upward.  Batches that end up empty
 * are skipped.  Memory: one selection vector. */
#include "common/mem.h"
#include "exec/exec.h"
#include "exec/expr_eval.h"

typedef struct FilterState {
    ExecNode base;
    ExprState *predicate;
    Batch out;
    uint32_t sel[VECTOR_CAPACITY];
} FilterState;

static bool filter_next(ExecNode *node, Batch **out, Error *err)
{
    FilterState *s = (FilterState *)node;
    for (;;) {
        Batch *in;
        if (!exec_next(node->child, &in, err)) return false;
        if (in->count == 0) {
            *out = in;
            return true;
        }
        Vector *v = expr_eval(s->predicate, in, err);
        if (v == NULL) return false;
        const uint8_t *keep = VEC_DATA(v, uint8_t);
        uint32_t n = 0;
        if (v->validity == NULL) {
            for (uint32_t i = 0; i < in->count; i++) {
                s->sel[n] = batch_row(in, i);
                n += keep[i] != 0;
            }
        } else {
            for (uint32_t i = 0; i < in->count; i++) {
                s->sel[n] = batch_row(in, i);
                n += (keep[i] != 0) & vector_is_valid(v, i);
            }
        }
        if (n == 0) continue;
        s->out.ncols = in->ncols;
        s->out.cols = in->cols;
        s->out.count = n;
        s->out.sel = (n == in->count) ? in->sel : s->sel;
        *out = &s->out;
        return true;
    }
}

static void filter_close(ExecNode *node)
{
    FilterState *s = (FilterState *)node;
    expr_state_free(s->predicate);
    mem_free(s);
}

static const ExecNodeOps filter_ops = {filter_next, filter_close};

ExecNode *op_filter_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, Error *err)
{
    FilterState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &filter_ops;
    s->predicate = expr_state_build(plan->predicate);
    return &s->base;
}
