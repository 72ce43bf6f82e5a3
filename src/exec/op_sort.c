/* op_sort: ORDER BY.  Pulls its whole input into a memtable (deep copy),
 * sorts an array of row references (chunk, row) with the key comparator, then
 * emits rows in order, gathering them into output batches.
 *
 * Memory: the entire input plus 8 bytes per row; spilling to disk for inputs
 * larger than the memory limit is not implemented yet (external sort is part
 * of the operators issue). NULLs sort as PostgreSQL sorts them: last in
 * ascending order, first in descending order, unless NULLS FIRST/LAST says. */
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "exec/exec.h"
#include "exec/sort_compare.h"

typedef struct SortState {
    ExecNode base;
    MemTable table;
    uint64_t *order; /* (chunk << 16) | row */
    uint64_t nrows;
    uint64_t next;
    bool sorted;
    Batch out;
} SortState;

typedef struct SortContext {
    const SortState *state;
    const SortKey *keys;
    int nkeys;
} SortContext;

static int compare_refs(const void *pa, const void *pb, void *arg)
{
    const SortContext *sc = arg;
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    const Batch *ca = &sc->state->table.chunks[a >> 16], *cb = &sc->state->table.chunks[b >> 16];
    uint32_t ra = (uint32_t)(a & 0xffff), rb = (uint32_t)(b & 0xffff);
    for (int k = 0; k < sc->nkeys; k++) {
        const SortKey *key = &sc->keys[k];
        const Vector *va = ca->cols[key->column], *vb = cb->cols[key->column];
        bool na = !vector_is_valid(va, ra), nb = !vector_is_valid(vb, rb);
        if (na || nb) {
            if (na && nb) continue;
            /* a NULL is "first" when nulls_first */
            int c = na ? -1 : 1;
            return key->nulls_first ? c : -c;
        }
        int c = sort_compare_slots(va, ra, vb, rb);
        if (c != 0) return key->descending ? -c : c;
    }
    /* keep input order among equal keys (a stable result is easier to test) */
    return a < b ? -1 : a > b ? 1 : 0;
}

static bool sort_input(SortState *s, Error *err)
{
    ExecNode *node = &s->base;
    for (;;) {
        Batch *in;
        if (!exec_next(node->child, &in, err)) return false;
        if (in->count == 0) break;
        memtable_append(&s->table, in);
    }
    s->nrows = s->table.nrows;
    s->order = mem_alloc(sizeof(uint64_t) * (size_t)(s->nrows ? s->nrows : 1));
    uint64_t k = 0;
    for (int c = 0; c < s->table.nchunks; c++)
        for (uint32_t r = 0; r < s->table.chunks[c].count; r++) s->order[k++] = ((uint64_t)c << 16) | r;
    SortContext sc = {s, node->plan->keys, node->plan->nkeys};
    qsort_r(s->order, s->nrows, sizeof(uint64_t), compare_refs, &sc);
    s->sorted = true;
    return true;
}

static bool sort_next(ExecNode *node, Batch **out, Error *err)
{
    SortState *s = (SortState *)node;
    if (!s->sorted && !sort_input(s, err)) return false;
    batch_reset(&s->out);
    uint32_t n = 0;
    while (s->next < s->nrows && n < VECTOR_CAPACITY) {
        uint64_t ref = s->order[s->next++];
        const Batch *chunk = &s->table.chunks[ref >> 16];
        uint32_t row = (uint32_t)(ref & 0xffff);
        for (int c = 0; c < s->out.ncols; c++) vector_gather(s->out.cols[c], n, chunk->cols[c], &row, 1);
        n++;
    }
    s->out.count = n;
    *out = &s->out;
    return true;
}

static void sort_close(ExecNode *node)
{
    SortState *s = (SortState *)node;
    memtable_destroy(&s->table);
    batch_destroy(&s->out);
    mem_free(s->order);
    mem_free(s);
}

static const ExecNodeOps sort_ops = {sort_next, sort_close};

ExecNode *op_sort_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, Error *err)
{
    SortState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &sort_ops;
    memtable_init(&s->table, plan->ncols, plan->types);
    batch_init(&s->out, plan->ncols, plan->types, VECTOR_CAPACITY);
    return &s->base;
}
