/* op_topn_per_key: a window of row_number() functions whose result only a
 * filter `rn <= N` (or `rn = 1` ...) above reads, as the optimizer marks it
 * (WindowSpec.top_per_key, sql/opt_topn_per_key.c): the "latest row per
 * key" idiom.  Only the rows that can pass the filter are produced, each
 * with its correct row_number; the filter above still runs.
 *
 * Algorithm.  One pass over the input with a hash table on the PARTITION BY
 * keys.  Each key (group) keeps the references of its best rows so far, at
 * most N, in ORDER BY order (best first).  An input row that enters its
 * group's list (the group has fewer than N rows, or the row sorts strictly
 * before the group's worst) is a candidate: it is copied into the candidate
 * table; rows that cannot enter are never copied.  Rows that were entered and
 * later pushed out stay in the table as garbage (with rows in random order
 * within a key about half the input is copied for N = 1).  At the end each
 * surviving row gets its rank, and the table is walked in input order,
 * gathering the ranked rows a column at a time; the row_number columns are
 * the ranks.  Ties in the ORDER BY keys keep the earlier input row first,
 * as the sort-based window does (rows of equal keys are numbered in input
 * order), so with one thread both give the same rows.
 *
 * Memory: the candidate rows, 48 to 64 bytes per key (its entry and hash slots)
 * plus 8 bytes per kept row when N > 1, and 4 bytes per candidate row for
 * the ranks at the end.
 *
 * Over memory_limit's spill budget the table is first compacted (the rows
 * pushed out are dropped, input order kept) when they are more than half
 * of it; if that does not bring it under, the operator falls back to the
 * sort-based window (op_window.c), which spills by partition: it reads the
 * candidate rows, then the rest of the input.  That is exact: a row that was
 * not copied had N rows of its key before it that sort no later, and every
 * row ever entered is still in the table, so the rows whose row_number can
 * be <= N are all among those the window sees, with the same numbers.
 *
 * Parallel plans run the operator in two phases (WindowSpec.top_partial,
 * sql/opt_parallel.c): a partial one per morsel inside the GATHER's
 * pipeline, producing the morsel's best N rows per key in input order
 * without numbering them, and a final one above the GATHER over those rows.
 * That is exact, ties included: a row among the best N of its key overall
 * (ties: earlier input first) has fewer than N rows of its key before it in
 * its morsel too, so its morsel keeps it, and the GATHER returns the kept
 * rows in input order, so the final phase ranks them as one thread would.
 * Over the budget the partial phase does not sort: it stops reducing and
 * passes its candidate rows, then the rest of its input, through to the
 * final phase, which alone falls back to the sort-based window. */
#include <string.h>

#include "common/mem.h"
#include "exec/exec.h"
#include "exec/hash.h"
#include "exec/sort_compare.h"
#include "exec/spill_partition.h"
#include "exec/window.h"

typedef struct TopGroup {
    uint64_t hash;  /* of the partition keys */
    uint32_t count; /* rows kept (<= N) */
    uint32_t cap;   /* room in many (0: the one row is in `one`) */
    uint64_t one;   /* N = 1: the kept row */
    uint64_t *many; /* N > 1: kept rows, best first */
} TopGroup;

/* Replays the candidate rows, then the rest of the input (fallback). */
typedef struct ReplayState {
    ExecNode base;
    MemTable table;
    int next_chunk;
} ReplayState;

typedef struct TopNState {
    ExecNode base;
    const WindowSpec *spec;
    int ninput;
    uint32_t top;            /* N */
    MemTable table;          /* candidate rows, in input order */
    uint64_t table_sealed;   /* spill_memtable_bytes' cache */
    int table_sealed_chunks;
    TopGroup *groups;
    uint32_t ngroups, cap_groups;
    uint64_t *slots;         /* open addressing: slot_entry(hash, group), 0 = empty */
    uint32_t last_group;     /* group index + 1 of the previous row, 0 = none */
    uint32_t slot_mask;
    uint64_t list_bytes;     /* the `many` arrays */
    uint64_t kept_rows;      /* sum of the groups' counts */
    /* the batch being read: rows >= pending_base are its rows pend_slot[] */
    const Batch *batch;
    uint64_t pending_base;
    uint32_t pend_slot[VECTOR_CAPACITY];
    uint64_t hashes[VECTOR_CAPACITY];
    bool computed;
    /* output */
    uint32_t *rank;          /* per candidate row: its row_number, 0 = not produced */
    int emit_chunk;
    uint32_t emit_slot;
    Batch out;
    Vector *gathered;        /* ninput vectors */
    Vector *numbers;         /* the row_number values */
    ExecNode *fallback;      /* the sort-based window, after going over the budget (partial:
                                the replay of the candidates and the rest of the input) */
    bool partial;            /* WindowSpec.top_partial: output the input columns only */
} TopNState;

static inline const Vector *row_cell(const TopNState *s, uint64_t row, int column, uint32_t *slot)
{
    if (row >= s->pending_base) {
        *slot = s->pend_slot[row - s->pending_base];
        return s->batch->cols[column];
    }
    *slot = (uint32_t)(row % VECTOR_CAPACITY);
    return s->table.chunks[row / VECTOR_CAPACITY].cols[column];
}

static inline uint64_t *group_rows(TopGroup *g) { return g->cap > 0 ? g->many : &g->one; }

/* True if the input row at slot r of the current batch has group g's keys. */
static bool same_keys(const TopNState *s, uint32_t r, TopGroup *g)
{
    const WindowSpec *w = s->spec;
    uint64_t other = group_rows(g)[0];
    for (int k = 0; k < w->npartition; k++) {
        uint32_t os;
        const Vector *ov = row_cell(s, other, w->partition[k], &os);
        if (!hash_values_equal(s->batch->cols[w->partition[k]], r, ov, os)) return false;
    }
    return true;
}

/* <0 if slot r of the current batch sorts before kept row `other` by the ORDER BY keys. */
static int compare_order(const TopNState *s, uint32_t r, uint64_t other)
{
    const WindowSpec *w = s->spec;
    for (int k = 0; k < w->norder; k++) {
        const SortKey *key = &w->order[k];
        const Vector *a = s->batch->cols[key->column];
        uint32_t os;
        const Vector *b = row_cell(s, other, key->column, &os);
        bool na = !vector_is_valid(a, r), nb = !vector_is_valid(b, os);
        int c;
        if (na || nb) {
            if (na && nb) continue;
            c = na ? -1 : 1;
            c = key->nulls_first ? c : -c;
        } else {
            c = sort_compare_slots(a, r, b, os);
            if (key->descending) c = -c;
        }
        if (c != 0) return c;
    }
    return 0;
}

/* A hash slot: the hash's upper half as a tag, and group index + 1 (0: empty). */
static inline uint64_t slot_entry(uint64_t hash, uint32_t group) { return (hash & 0xffffffff00000000ULL) | (group + 1); }

static void grow_slots(TopNState *s)
{
    uint32_t cap = s->slot_mask ? (s->slot_mask + 1) * 2 : 4096;
    mem_free(s->slots);
    s->slots = mem_calloc(cap, sizeof(uint64_t));
    s->slot_mask = cap - 1;
    for (uint32_t g = 0; g < s->ngroups; g++) {
        uint32_t i = (uint32_t)s->groups[g].hash & s->slot_mask;
        while (s->slots[i]) i = (i + 1) & s->slot_mask;
        s->slots[i] = slot_entry(s->groups[g].hash, g);
    }
}

/* A new group holding only `row`. */
static void new_group(TopNState *s, uint32_t slot, uint64_t h, uint64_t row)
{
    if (s->ngroups == s->cap_groups) {
        s->cap_groups = s->cap_groups ? s->cap_groups * 2 : 1024;
        s->groups = mem_realloc(s->groups, sizeof(TopGroup) * s->cap_groups);
    }
    TopGroup *g = &s->groups[s->ngroups];
    memset(g, 0, sizeof *g);
    g->hash = h;
    g->count = 1;
    s->kept_rows++;
    if (s->top > 1) {
        g->cap = 2 < s->top ? 2 : s->top;
        g->many = mem_alloc(sizeof(uint64_t) * g->cap);
        s->list_bytes += sizeof(uint64_t) * g->cap;
        g->many[0] = row;
    } else {
        g->one = row;
    }
    s->slots[slot] = slot_entry(h, s->ngroups);
    s->last_group = ++s->ngroups;
    if ((uint64_t)s->ngroups * 2 > s->slot_mask) grow_slots(s);
}

/* Offer slot r of the current batch to group g; true if it was kept. */
static bool offer_to_group(TopNState *s, TopGroup *g, uint32_t r, uint64_t row)
{
    uint64_t *rows = group_rows(g);
    if (g->count == s->top && compare_order(s, r, rows[g->count - 1]) >= 0) return false;
    if (s->top == 1) {
        g->one = row;
        return true;
    }
    /* insert after the kept rows that sort no later (ties: earlier input first):
     * a binary search for the first kept row the new one sorts before */
    uint32_t lo = 0, hi = g->count < s->top ? g->count : s->top - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (compare_order(s, r, rows[mid]) < 0) hi = mid;
        else lo = mid + 1;
    }
    uint32_t pos = lo;
    if (g->count < s->top) {
        if (g->count == g->cap) {
            uint32_t cap = g->cap * 2 < s->top ? g->cap * 2 : s->top;
            g->many = mem_realloc(g->many, sizeof(uint64_t) * cap);
            s->list_bytes += sizeof(uint64_t) * (cap - g->cap);
            g->cap = cap;
            rows = g->many;
        }
        g->count++;
        s->kept_rows++;
    }
    memmove(rows + pos + 1, rows + pos, sizeof(uint64_t) * (g->count - 1 - pos));
    rows[pos] = row;
    return true;
}

/* Offer slot r of the current batch (partition hash h) to its group; true if it was kept. */
static bool offer_row(TopNState *s, uint32_t r, uint64_t h, uint64_t row)
{
    /* input often comes clustered by key (files written in key order): try the last key first */
    if (s->last_group) {
        TopGroup *g = &s->groups[s->last_group - 1];
        if (g->hash == h && same_keys(s, r, g)) return offer_to_group(s, g, r, row);
    }
    uint64_t tag = h & 0xffffffff00000000ULL;
    uint32_t i = (uint32_t)h & s->slot_mask;
    for (; s->slots[i]; i = (i + 1) & s->slot_mask) {
        if ((s->slots[i] & 0xffffffff00000000ULL) != tag) continue;
        uint32_t gi = (uint32_t)(s->slots[i] & 0xffffffff) - 1;
        TopGroup *g = &s->groups[gi];
        if (g->hash != h || !same_keys(s, r, g)) continue;
        s->last_group = gi + 1;
        return offer_to_group(s, g, r, row);
    }
    new_group(s, i, h, row);
    return true;
}

/* Offer every row of b; copy the kept ones into the candidate table. */
static void consume(TopNState *s, const Batch *b)
{
    const WindowSpec *w = s->spec;
    uint32_t physical = b->count;
    if (b->sel) {
        physical = 0;
        for (uint32_t i = 0; i < b->count; i++)
            if (b->sel[i] + 1 > physical) physical = b->sel[i] + 1;
    }
    if (w->npartition == 0) memset(s->hashes, 0, sizeof(uint64_t) * physical);
    for (int p = 0; p < w->npartition; p++) hash_vector(b->cols[w->partition[p]], physical, s->hashes, p > 0);
    s->batch = b;
    s->pending_base = s->table.nrows;
    uint32_t kept = 0;
    for (uint32_t i = 0; i < b->count; i++) {
        uint32_t r = batch_row(b, i);
        s->pend_slot[kept] = r; /* visible while offered: its row number is pending_base + kept */
        if (offer_row(s, r, s->hashes[r], s->pending_base + kept)) kept++;
    }
    Batch view = *b;
    view.sel = s->pend_slot;
    view.count = kept;
    view.owned = NULL;
    memtable_append(&s->table, &view);
    s->pending_base = UINT64_MAX;
    s->batch = NULL;
}

static uint64_t state_bytes(TopNState *s)
{
    return spill_memtable_bytes(&s->table, &s->table_sealed, &s->table_sealed_chunks) +
           (uint64_t)s->cap_groups * sizeof(TopGroup) + ((uint64_t)s->slot_mask + 1) * sizeof(uint64_t) +
           s->list_bytes + s->table.nrows * sizeof(uint32_t);
}

/* Drop the rows no group keeps any more from the candidate table, keeping
 * input order; group references are renumbered. */
static void compact(TopNState *s)
{
    uint64_t *renumber = mem_alloc(sizeof(uint64_t) * (size_t)(s->table.nrows + 1));
    for (uint64_t r = 0; r < s->table.nrows; r++) renumber[r] = UINT64_MAX;
    for (uint32_t g = 0; g < s->ngroups; g++) {
        uint64_t *rows = group_rows(&s->groups[g]);
        for (uint32_t k = 0; k < s->groups[g].count; k++) renumber[rows[k]] = 0;
    }
    MemTable kept;
    memtable_init(&kept, s->ninput, s->base.plan->child->types);
    uint32_t sel[VECTOR_CAPACITY];
    for (int c = 0; c < s->table.nchunks; c++) {
        Batch view = s->table.chunks[c];
        const uint64_t *mark = renumber + (uint64_t)c * VECTOR_CAPACITY;
        uint32_t n = 0;
        for (uint32_t r = 0; r < view.count; r++)
            if (mark[r] == 0) sel[n++] = r;
        for (uint32_t k = 0; k < n; k++) renumber[(uint64_t)c * VECTOR_CAPACITY + sel[k]] = kept.nrows + k;
        view.sel = sel;
        view.count = n;
        view.owned = NULL;
        memtable_append(&kept, &view);
    }
    for (uint32_t g = 0; g < s->ngroups; g++) {
        uint64_t *rows = group_rows(&s->groups[g]);
        for (uint32_t k = 0; k < s->groups[g].count; k++) rows[k] = renumber[rows[k]];
    }
    mem_free(renumber);
    memtable_destroy(&s->table);
    s->table = kept;
    s->table_sealed = 0;
    s->table_sealed_chunks = 0;
}

/* ---- fallback to the sort-based window ---- */

static bool replay_next(ExecNode *node, Batch **out, Error *err)
{
    ReplayState *r = (ReplayState *)node;
    if (r->next_chunk < r->table.nchunks) {
        *out = &r->table.chunks[r->next_chunk++];
        return true;
    }
    return exec_next(node->child, out, err);
}

static void replay_close(ExecNode *node)
{
    ReplayState *r = (ReplayState *)node;
    memtable_destroy(&r->table);
    mem_free(r);
}

static const ExecNodeOps replay_ops = {replay_next, replay_close};

/* Hand the candidate rows and the rest of the input to a sort-based window
 * (partial phase: straight to the output, which the final phase reduces). */
static void fall_back(TopNState *s)
{
    ReplayState *r = mem_calloc(1, sizeof *r);
    r->base.ops = &replay_ops;
    r->base.plan = s->base.plan->child;
    r->base.child = s->base.child;
    r->base.ctx = s->base.ctx;
    r->table = s->table; /* moved */
    memtable_init(&s->table, s->ninput, s->base.plan->child->types);
    s->base.child = NULL; /* now closed through the fallback */
    s->fallback = s->partial ? &r->base : op_window_sorted_create(s->base.plan, &r->base, s->base.ctx);
}

/* ---- output ---- */

static void rank_rows(TopNState *s)
{
    s->rank = mem_calloc(s->table.nrows + 1, sizeof(uint32_t));
    for (uint32_t g = 0; g < s->ngroups; g++) {
        uint64_t *rows = group_rows(&s->groups[g]);
        for (uint32_t k = 0; k < s->groups[g].count; k++) s->rank[rows[k]] = k + 1;
    }
}

static bool compute(TopNState *s, Error *err)
{
    ExecNode *node = &s->base;
    uint64_t budget = spill_budget(node->ctx);
    for (;;) {
        Batch *in;
        if (!exec_next(node->child, &in, err)) return false;
        if (in->count == 0) break;
        consume(s, in);
        uint64_t bytes = state_bytes(s);
        exec_note_memory(node, bytes);
        if (node->ctx->memory_limit > 0 && bytes > budget && s->table.nrows > 2 * s->kept_rows) {
            compact(s);
            bytes = state_bytes(s);
        }
        if (node->ctx->memory_limit > 0 && bytes > budget) {
            fall_back(s);
            s->computed = true;
            return true;
        }
    }
    rank_rows(s);
    s->computed = true;
    return true;
}

static bool topn_next(ExecNode *node, Batch **out, Error *err)
{
    TopNState *s = (TopNState *)node;
    if (!s->computed && !compute(s, err)) return false;
    if (s->fallback) return exec_next(s->fallback, out, err);
    uint32_t n = 0;
    for (int c = 0; c < s->ninput; c++) {
        vector_reset(&s->gathered[c]);
        s->out.cols[c] = &s->gathered[c];
    }
    vector_reset(s->numbers);
    int64_t *numbers = VEC_DATA(s->numbers, int64_t);
    uint32_t picked[VECTOR_CAPACITY];
    while (n < VECTOR_CAPACITY && s->emit_chunk < s->table.nchunks) {
        const Batch *chunk = &s->table.chunks[s->emit_chunk];
        const uint32_t *rank = s->rank + (uint64_t)s->emit_chunk * VECTOR_CAPACITY;
        uint32_t k = 0;
        uint32_t slot = s->emit_slot;
        for (; slot < chunk->count && n + k < VECTOR_CAPACITY; slot++)
            if (rank[slot]) {
                numbers[n + k] = rank[slot];
                picked[k++] = slot;
            }
        for (int c = 0; c < s->ninput; c++) vector_gather(&s->gathered[c], n, chunk->cols[c], picked, k);
        n += k;
        if (slot == chunk->count) {
            s->emit_chunk++;
            s->emit_slot = 0;
        } else {
            s->emit_slot = slot;
        }
    }
    if (!s->partial)
        for (int f = 0; f < s->spec->nfuncs; f++) s->out.cols[s->ninput + f] = s->numbers;
    s->out.count = n;
    s->out.sel = NULL;
    *out = &s->out;
    return true;
}

static void topn_close(ExecNode *node)
{
    TopNState *s = (TopNState *)node;
    exec_close(s->fallback);
    for (uint32_t g = 0; g < s->ngroups; g++) mem_free(s->groups[g].many);
    mem_free(s->groups);
    mem_free(s->slots);
    mem_free(s->rank);
    memtable_destroy(&s->table);
    for (int c = 0; c < s->ninput; c++) vector_destroy(&s->gathered[c]);
    mem_free(s->gathered);
    vector_free(s->numbers);
    batch_destroy(&s->out);
    mem_free(s);
}

static const ExecNodeOps topn_ops = {topn_next, topn_close};

ExecNode *op_topn_per_key_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx)
{
    TopNState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &topn_ops;
    s->base.plan = plan;
    s->base.child = child;
    s->base.ctx = ctx;
    s->spec = plan->window;
    s->ninput = plan->child->ncols;
    s->top = (uint32_t)plan->window->top_per_key;
    s->partial = plan->window->top_partial;
    s->pending_base = UINT64_MAX;
    memtable_init(&s->table, s->ninput, plan->child->types);
    grow_slots(s);
    s->gathered = mem_calloc((size_t)s->ninput + 1, sizeof(Vector));
    for (int c = 0; c < s->ninput; c++) vector_init(&s->gathered[c], plan->child->types[c], VECTOR_CAPACITY);
    s->numbers = vector_new(type_make(TYPE_BIGINT), VECTOR_CAPACITY);
    batch_init_borrowed(&s->out, plan->ncols);
    return &s->base;
}
