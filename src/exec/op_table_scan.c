/* op_table_scan: returns the chunks of an in-memory table one by one, as
 * views (no copy).  Memory: one borrowed batch header. */
#include "common/mem.h"
#include "exec/exec.h"
#include "exec/morsel.h"

typedef struct TableScanState {
    ExecNode base;
    int next_chunk;
    int end_chunk;
    Batch empty;
} TableScanState;

static bool table_scan_next(ExecNode *node, Batch **out, Error *err)
{
    TableScanState *s = (TableScanState *)node;
    MemTable *t = node->plan->table;
    while (s->next_chunk < s->end_chunk && s->next_chunk < t->nchunks) {
        Batch *b = &t->chunks[s->next_chunk++];
        if (b->count > 0) {
            *out = b;
            return true;
        }
    }
    s->empty.count = 0;
    *out = &s->empty;
    return true;
}

static void table_scan_close(ExecNode *node)
{
    TableScanState *s = (TableScanState *)node;
    batch_destroy(&s->empty);
    mem_free(s);
}

static const ExecNodeOps table_scan_ops = {table_scan_next, table_scan_close};

ExecNode *op_table_scan_create(const PlanNode *plan, ExecContext *ctx, Error *err)
{
    TableScanState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &table_scan_ops;
    batch_init_borrowed(&s->empty, plan->ncols);
    s->end_chunk = plan->table->nchunks;
    if (ctx->morsel_scan == plan && ctx->morsel) {
        /* a worker of a parallel scan reads its morsel's chunks only */
        s->next_chunk = (int)ctx->morsel->start;
        s->end_chunk = (int)ctx->morsel->end;
    }
    return &s->base;
}
