/* op_sort: ORDER BY, in memory or, past the memory limit, as an external
 * merge sort.
 *
 * Rows are copied into a memtable.  If the whole input fits (half the
 * statement's memory_limit), an array of row references (chunk, row) is
 * sorted with the key comparator and the rows are gathered out in order.
 * Otherwise, each time the memtable grows past that budget its rows are
 * sorted the same way and written to a spill file as a sorted run; at the
 * end the runs are merged with a binary heap, one batch of each run in
 * memory at a time.  When there are more runs than the budget holds
 * batches of (the fan-in: budget / the bytes of a batch of the widest run,
 * at least 2), merge passes first merge each group of fan-in consecutive
 * runs into one longer run, until few enough are left: input many times
 * the limit is sorted in the same memory, with more passes over the disk.
 * Equal keys keep their input order in both cases (runs are in input
 * order, a pass merges consecutive runs and keeps the groups in order, and
 * the merge breaks ties by run), so the result does not depend on the
 * memory limit.
 *
 * Memory: in memory, the input plus 8 bytes per row; external, the budget
 * while runs are written, then one batch per run merged (at most the
 * fan-in of them, 2048 rows each) and the output batch.  NULLs sort as PostgreSQL sorts
 * them: last in ascending order, first in descending order, unless NULLS
 * FIRST/LAST says. */
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "exec/exec.h"
#include "exec/memory_hold.h"
#include "exec/sort_compare.h"
#include "exec/spill.h"

#define MIN_SORT_BUDGET (1u << 20)

typedef struct SortRun {
    SpillFile *file;
    Batch batch;      /* the run's current batch */
    uint32_t pos;     /* next row of batch */
} SortRun;

typedef struct SortState {
    ExecNode base;
    MemTable table;
    uint64_t *order; /* (chunk << 16) | row */
    uint64_t nrows;
    uint64_t next;
    bool sorted;
    Batch out;
    uint64_t budget;
    SortRun *runs;
    int nruns, cap_runs;
    int *heap;        /* runs with rows left, as a min-heap on their current row */
    int heap_size;
    uint64_t run_row_bytes; /* the most bytes per row of a run's rows in memory (the fan-in's measure) */
    MemoryHold hold;   /* the rows in memory, as counted in the statement's total (exec/memory_hold.h) */
} SortState;

typedef struct SortContext {
    const SortState *state;
    const SortKey *keys;
    int nkeys;
} SortContext;

/* Compare row ra of a with row rb of b on the sort keys. */
static int compare_rows(const SortKey *keys, int nkeys, const Batch *a, uint32_t ra, const Batch *b, uint32_t rb)
{
    for (int k = 0; k < nkeys; k++) {
        const SortKey *key = &keys[k];
        const Vector *va = a->cols[key->column], *vb = b->cols[key->column];
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
    return 0;
}

static int compare_refs(const void *pa, const void *pb, void *arg)
{
    const SortContext *sc = arg;
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    const Batch *ca = &sc->state->table.chunks[a >> 16], *cb = &sc->state->table.chunks[b >> 16];
    int c = compare_rows(sc->keys, sc->nkeys, ca, (uint32_t)(a & 0xffff), cb, (uint32_t)(b & 0xffff));
    if (c != 0) return c;
    /* keep input order among equal keys (a stable result is easier to test) */
    return a < b ? -1 : a > b ? 1 : 0;
}

/* Sort the memtable's rows into s->order. */
static void sort_table(SortState *s)
{
    mem_free(s->order);
    s->nrows = s->table.nrows;
    s->order = mem_alloc(sizeof(uint64_t) * (size_t)(s->nrows ? s->nrows : 1));
    uint64_t k = 0;
    for (int c = 0; c < s->table.nchunks; c++)
        for (uint32_t r = 0; r < s->table.chunks[c].count; r++) s->order[k++] = ((uint64_t)c << 16) | r;
    SortContext sc = {s, s->base.plan->keys, s->base.plan->nkeys};
    qsort_r(s->order, s->nrows, sizeof(uint64_t), compare_refs, &sc);
    s->next = 0;
}

/* Gather the next up to VECTOR_CAPACITY rows of s->order into out. */
static void emit_sorted(SortState *s, Batch *out)
{
    batch_reset(out);
    uint32_t n = 0;
    while (s->next < s->nrows && n < VECTOR_CAPACITY) {
        uint64_t ref = s->order[s->next++];
        const Batch *chunk = &s->table.chunks[ref >> 16];
        uint32_t row = (uint32_t)(ref & 0xffff);
        for (int c = 0; c < out->ncols; c++) vector_gather(out->cols[c], n, chunk->cols[c], &row, 1);
        n++;
    }
    out->count = n;
}

/* Sort what the memtable holds and write it out as one run. */
static bool spill_run(SortState *s, Error *err)
{
    ExecNode *node = &s->base;
    SpillFile *f = spill_create(node->ctx->temp_directory, err);
    if (f == NULL) return false;
    if (s->table.nrows > 0) {
        uint64_t row_bytes = memtable_bytes(&s->table) / s->table.nrows + 1;
        if (row_bytes > s->run_row_bytes) s->run_row_bytes = row_bytes;
    }
    sort_table(s);
    for (;;) {
        emit_sorted(s, &s->out);
        if (s->out.count == 0) break;
        if (!spill_write(f, &s->out, err)) {
            spill_close(f);
            return false;
        }
    }
    __atomic_add_fetch(&node->ctx->spilled_bytes, spill_bytes(f), __ATOMIC_RELAXED);
    if (s->nruns == s->cap_runs) {
        s->cap_runs = s->cap_runs ? s->cap_runs * 2 : 8;
        s->runs = mem_realloc(s->runs, sizeof(SortRun) * (size_t)s->cap_runs);
    }
    SortRun *run = &s->runs[s->nruns++];
    memset(run, 0, sizeof *run);
    run->file = f;
    memtable_clear(&s->table);
    mem_free(s->order);
    s->order = NULL;
    s->nrows = s->next = 0;
    return true;
}

/* Is run a's current row before run b's? (ties: the earlier run, i.e. earlier input) */
static bool run_before(const SortState *s, int a, int b)
{
    const SortRun *ra = &s->runs[a], *rb = &s->runs[b];
    int c = compare_rows(s->base.plan->keys, s->base.plan->nkeys, &ra->batch, ra->pos, &rb->batch, rb->pos);
    return c < 0 || (c == 0 && a < b);
}

static void heap_sift_down(SortState *s, int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < s->heap_size && run_before(s, s->heap[l], s->heap[m])) m = l;
        if (r < s->heap_size && run_before(s, s->heap[r], s->heap[m])) m = r;
        if (m == i) return;
        int t = s->heap[i];
        s->heap[i] = s->heap[m];
        s->heap[m] = t;
        i = m;
    }
}

/* Open runs [lo, hi) for merge_next: each one's first batch read, the
 * runs with rows in the heap. */
static bool start_merge(SortState *s, int lo, int hi, Error *err)
{
    const PlanNode *plan = s->base.plan;
    if (s->heap == NULL) s->heap = mem_alloc(sizeof(int) * (size_t)(s->nruns + 1));
    s->heap_size = 0;
    for (int i = lo; i < hi; i++) {
        SortRun *run = &s->runs[i];
        if (run->batch.cols == NULL) batch_init(&run->batch, plan->ncols, plan->types, VECTOR_CAPACITY);
        if (!spill_rewind(run->file, err) || !spill_read(run->file, &run->batch, err)) return false;
        run->pos = 0;
        if (run->batch.count > 0) s->heap[s->heap_size++] = i;
    }
    for (int i = s->heap_size / 2 - 1; i >= 0; i--) heap_sift_down(s, i);
    return true;
}

static bool merge_next(SortState *s, Error *err)
{
    batch_reset(&s->out);
    uint32_t n = 0;
    while (n < VECTOR_CAPACITY && s->heap_size > 0) {
        int top = s->heap[0];
        SortRun *run = &s->runs[top];
        /* deep copy: the run's batch is overwritten when it reads on */
        for (int c = 0; c < s->out.ncols; c++) vector_copy(s->out.cols[c], n, run->batch.cols[c], &run->pos, 1);
        n++;
        run->pos++;
        if (run->pos >= run->batch.count) {
            if (!spill_read(run->file, &run->batch, err)) return false;
            run->pos = 0;
            if (run->batch.count == 0) s->heap[0] = s->heap[--s->heap_size];
        }
        if (s->heap_size > 0) heap_sift_down(s, 0);
    }
    s->out.count = n;
    return true;
}

/* How many runs one merge may read at once: as many batches of the widest
 * run as the budget holds, less one for the output, at least 2. */
static int merge_fanin(const SortState *s)
{
    uint64_t batch_bytes = (s->run_row_bytes ? s->run_row_bytes : 1) * VECTOR_CAPACITY;
    uint64_t fanin = s->budget / batch_bytes;
    fanin = fanin > 1 ? fanin - 1 : 0;
    if (fanin < 2) fanin = 2;
    if (fanin > (uint64_t)s->nruns) fanin = (uint64_t)s->nruns;
    return (int)fanin;
}

/* A merge pass: each group of fanin consecutive runs merged into one new
 * run, the groups kept in order (ties still go to earlier input).  On
 * error the runs not yet merged stay in s->runs (merged ones are closed
 * and their slots emptied), so sort_close frees everything once. */
static bool merge_pass(SortState *s, int fanin, Error *err)
{
    ExecNode *node = &s->base;
    int nout = 0;
    for (int lo = 0; lo < s->nruns; lo += fanin) {
        int hi = lo + fanin < s->nruns ? lo + fanin : s->nruns;
        if (hi - lo == 1) { /* a last run alone: kept as it is */
            SortRun keep = s->runs[lo];
            memset(&s->runs[lo], 0, sizeof keep);
            s->runs[nout++] = keep;
            continue;
        }
        SpillFile *f = spill_create(node->ctx->temp_directory, err);
        if (f == NULL) return false;
        bool ok = start_merge(s, lo, hi, err);
        while (ok) {
            ok = merge_next(s, err);
            if (!ok || s->out.count == 0) break;
            ok = spill_write(f, &s->out, err);
        }
        if (!ok) {
            spill_close(f);
            return false;
        }
        __atomic_add_fetch(&node->ctx->spilled_bytes, spill_bytes(f), __ATOMIC_RELAXED);
        for (int i = lo; i < hi; i++) {
            spill_close(s->runs[i].file);
            if (s->runs[i].batch.cols) batch_destroy(&s->runs[i].batch);
            memset(&s->runs[i], 0, sizeof s->runs[i]);
        }
        s->runs[nout++] = (SortRun){.file = f};
    }
    s->nruns = nout;
    return true;
}

static bool sort_input(SortState *s, Error *err)
{
    ExecNode *node = &s->base;
    for (;;) {
        Batch *in;
        if (!exec_next(node->child, &in, err)) return false;
        if (in->count == 0) break;
        memtable_append(&s->table, in);
        uint64_t bytes = memtable_bytes(&s->table);
        exec_note_memory(node, bytes); /* EXPLAIN ANALYZE's peak memory */
        if (memory_hold_update(node->ctx, &s->hold, bytes, s->budget)) {
            if (!spill_run(s, err)) return false;
            (void)memory_hold_update(node->ctx, &s->hold, memtable_bytes(&s->table), UINT64_MAX);
        }
    }
    if (s->nruns > 0) {
        if (s->table.nrows > 0 && !spill_run(s, err)) return false;
        memory_hold_release(node->ctx, &s->hold); /* every row is in a run on disk */
        while (s->nruns > merge_fanin(s))
            if (!merge_pass(s, merge_fanin(s), err)) return false;
        if (!start_merge(s, 0, s->nruns, err)) return false;
    } else {
        sort_table(s);
    }
    s->sorted = true;
    return true;
}

static bool sort_next(ExecNode *node, Batch **out, Error *err)
{
    SortState *s = (SortState *)node;
    if (!s->sorted && !sort_input(s, err)) return false;
    if (s->nruns > 0) {
        if (!merge_next(s, err)) return false;
    } else {
        emit_sorted(s, &s->out);
    }
    *out = &s->out;
    return true;
}

static void sort_close(ExecNode *node)
{
    SortState *s = (SortState *)node;
    memory_hold_release(node->ctx, &s->hold);
    memtable_destroy(&s->table);
    batch_destroy(&s->out);
    mem_free(s->order);
    for (int i = 0; i < s->nruns; i++) {
        if (s->runs[i].file) spill_close(s->runs[i].file);
        if (s->runs[i].batch.cols) batch_destroy(&s->runs[i].batch);
    }
    mem_free(s->runs);
    mem_free(s->heap);
    mem_free(s);
}

static const ExecNodeOps sort_ops = {sort_next, sort_close};

ExecNode *op_sort_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, Error *err)
{
    SortState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &sort_ops;
    memtable_init(&s->table, plan->ncols, plan->types);
    batch_init(&s->out, plan->ncols, plan->types, VECTOR_CAPACITY);
    s->budget = ctx->memory_limit > 0 ? (uint64_t)ctx->memory_limit / 2 : UINT64_MAX;
    if (s->budget < MIN_SORT_BUDGET) s->budget = MIN_SORT_BUDGET;
    return &s->base;
}
