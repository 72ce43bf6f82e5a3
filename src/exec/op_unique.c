/* op_unique: keeps the first row of each run of rows whose key columns
 * (plan->keys[].column) are equal, NULLs comparing equal.  Over input sorted
 * on the keys this is DISTINCT ON: the first row of each key group, which is
 * the one the rest of the ORDER BY puts first.
 *
 * Each row is compared with the row before it (in the same batch, or the
 * last row of the previous batch, whose key values are kept in a one-row
 * copy); kept rows are selected, never copied.  Memory: one row of keys and
 * one selection vector. */
#include "common/mem.h"
#include "exec/exec.h"
#include "exec/hash.h"

typedef struct UniqueState {
    ExecNode base;
    Batch prev;       /* key values of the last row seen (one row) */
    bool have_prev;
    Batch out;        /* view over the input with a narrower selection */
    uint32_t sel[VECTOR_CAPACITY];
} UniqueState;

static bool same_keys(const UniqueState *s, const Batch *a, uint32_t ra, const Batch *b, uint32_t rb, bool b_is_prev)
{
    const PlanNode *p = s->base.plan;
    for (int k = 0; k < p->nkeys; k++) {
        const Vector *vb = b_is_prev ? b->cols[k] : b->cols[p->keys[k].column];
        if (!hash_values_equal(a->cols[p->keys[k].column], ra, vb, rb)) return false;
    }
    return true;
}

static bool unique_next(ExecNode *node, Batch **out, Error *err)
{
    UniqueState *s = (UniqueState *)node;
    const PlanNode *p = node->plan;
    for (;;) {
        Batch *in;
        if (!exec_next(node->child, &in, err)) return false;
        if (in->count == 0) {
            *out = in;
            return true;
        }
        uint32_t n = 0;
        for (uint32_t i = 0; i < in->count; i++) {
            uint32_t row = batch_row(in, i);
            bool first;
            if (i > 0) first = !same_keys(s, in, row, in, batch_row(in, i - 1), false);
            else first = !s->have_prev || !same_keys(s, in, row, &s->prev, 0, true);
            if (first) s->sel[n++] = row;
        }
        /* remember the last row's keys for the next batch */
        uint32_t last = batch_row(in, in->count - 1);
        batch_reset(&s->prev);
        for (int k = 0; k < p->nkeys; k++) vector_gather(s->prev.cols[k], 0, in->cols[p->keys[k].column], &last, 1);
        s->prev.count = 1;
        s->have_prev = true;
        if (n == 0) continue;
        s->out.ncols = in->ncols;
        s->out.cols = in->cols;
        s->out.count = n;
        s->out.sel = s->sel;
        *out = &s->out;
        return true;
    }
}

static void unique_close(ExecNode *node)
{
    UniqueState *s = (UniqueState *)node;
    batch_destroy(&s->prev);
    mem_free(s);
}

static const ExecNodeOps unique_ops = {unique_next, unique_close};

ExecNode *op_unique_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, Error *err)
{
    (void)child;
    (void)ctx;
    (void)err;
    UniqueState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &unique_ops;
    LogicalType *types = mem_alloc(sizeof(LogicalType) * (size_t)(plan->nkeys + 1));
    for (int k = 0; k < plan->nkeys; k++) types[k] = plan->types[plan->keys[k].column];
    batch_init(&s->prev, plan->nkeys, types, 1);
    mem_free(types);
    return &s->base;
}
