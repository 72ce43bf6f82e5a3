/* op_setop: INTERSECT, INTERSECT ALL, EXCEPT and EXCEPT ALL of its child
 * (the left input) and `right`, comparing whole rows with NULLs equal, as
 * PostgreSQL's hashed SetOp does.
 *
 * Build: every row of the right input is looked up in a hash table of
 * distinct rows (chained buckets over a row store of full batches); a new
 * row is copied into the store with count 1, a known one has its count
 * incremented.  Probe: each left batch is hashed a column at a time and each
 * row looked up in order; the rows to emit are selected in the left batch,
 * never copied:
 *   INTERSECT      emit if count > 0, then count = 0 (once per distinct row)
 *   INTERSECT ALL  emit if count > 0, then count-- (min(left, right) copies)
 *   EXCEPT ALL     if count > 0 then count-- else emit (left - right copies)
 *   EXCEPT         emit if the row is unknown, and add it with count -1 so
 *                  that its duplicates are not emitted again
 * Output order is the left input's.  Memory: the distinct right rows (and
 * for EXCEPT the distinct emitted left rows), 24 bytes per stored row for
 * hash, count and chain, and the bucket array.  No spilling yet. */
#include <string.h>

#include "common/mem.h"
#include "exec/exec.h"
#include "exec/hash.h"

#define NO_ROW UINT32_MAX

typedef struct SetOpState {
    ExecNode base;
    ExecNode *right;
    int ncols;
    LogicalType *types;
    /* row store: chunks of VECTOR_CAPACITY rows, row id = chunk * capacity + slot */
    Batch *chunks;
    int nchunks, cap_chunks;
    uint32_t nrows;
    uint64_t *row_hash;
    int64_t *count;
    uint32_t *next;
    uint32_t cap_rows;
    uint32_t *heads;
    uint64_t nbuckets;
    bool built;
    /* probe */
    Vector *flat;            /* a selected input batch is flattened here first */
    Batch view;
    uint64_t hashes[VECTOR_CAPACITY];
    uint32_t sel[VECTOR_CAPACITY];
} SetOpState;

static const Batch *chunk_of(const SetOpState *s, uint32_t id) { return &s->chunks[id / VECTOR_CAPACITY]; }

static void rehash(SetOpState *s, uint64_t nbuckets)
{
    mem_free(s->heads);
    s->nbuckets = nbuckets;
    s->heads = mem_alloc(sizeof(uint32_t) * nbuckets);
    memset(s->heads, 0xff, sizeof(uint32_t) * nbuckets);
    for (uint32_t id = 0; id < s->nrows; id++) {
        uint64_t bucket = s->row_hash[id] & (nbuckets - 1);
        s->next[id] = s->heads[bucket];
        s->heads[bucket] = id;
    }
}

/* The stored row equal to row r of b (hash h), or NO_ROW. */
static uint32_t find_row(const SetOpState *s, const Batch *b, uint32_t r, uint64_t h)
{
    for (uint32_t id = s->heads[h & (s->nbuckets - 1)]; id != NO_ROW; id = s->next[id]) {
        if (s->row_hash[id] != h) continue;
        const Batch *chunk = chunk_of(s, id);
        uint32_t slot = id % VECTOR_CAPACITY;
        bool equal = true;
        for (int c = 0; c < s->ncols && equal; c++) equal = hash_values_equal(b->cols[c], r, chunk->cols[c], slot);
        if (equal) return id;
    }
    return NO_ROW;
}

/* Copy row r of b into the store with the given count; returns its id. */
static uint32_t add_row(SetOpState *s, const Batch *b, uint32_t r, uint64_t h, int64_t count)
{
    uint32_t id = s->nrows;
    if (id % VECTOR_CAPACITY == 0) {
        if (s->nchunks == s->cap_chunks) {
            s->cap_chunks = s->cap_chunks ? s->cap_chunks * 2 : 4;
            s->chunks = mem_realloc(s->chunks, sizeof(Batch) * (size_t)s->cap_chunks);
        }
        batch_init(&s->chunks[s->nchunks++], s->ncols, s->types, VECTOR_CAPACITY);
    }
    if (id == s->cap_rows) {
        s->cap_rows = s->cap_rows ? s->cap_rows * 2 : 1024;
        s->row_hash = mem_realloc(s->row_hash, sizeof(uint64_t) * s->cap_rows);
        s->count = mem_realloc(s->count, sizeof(int64_t) * s->cap_rows);
        s->next = mem_realloc(s->next, sizeof(uint32_t) * s->cap_rows);
    }
    Batch *chunk = &s->chunks[id / VECTOR_CAPACITY];
    uint32_t slot = id % VECTOR_CAPACITY;
    for (int c = 0; c < s->ncols; c++) vector_gather(chunk->cols[c], slot, b->cols[c], &r, 1);
    chunk->count = slot + 1;
    s->row_hash[id] = h;
    s->count[id] = count;
    uint64_t bucket = h & (s->nbuckets - 1);
    s->next[id] = s->heads[bucket];
    s->heads[bucket] = id;
    s->nrows++;
    if ((uint64_t)s->nrows * 2 > s->nbuckets) rehash(s, s->nbuckets * 2);
    return id;
}

/* A view of in's logical rows as physical rows 0..count-1, hashed into s->hashes. */
static const Batch *prepare(SetOpState *s, const Batch *in)
{
    const Batch *b = in;
    if (in->sel) {
        for (int c = 0; c < s->ncols; c++) {
            vector_reset(&s->flat[c]);
            vector_gather(&s->flat[c], 0, in->cols[c], in->sel, in->count);
            s->view.cols[c] = &s->flat[c];
        }
        s->view.count = in->count;
        s->view.sel = NULL;
        b = &s->view;
    }
    for (int c = 0; c < s->ncols; c++) hash_vector(b->cols[c], b->count, s->hashes, c > 0);
    if (s->ncols == 0) memset(s->hashes, 0, sizeof(uint64_t) * b->count);
    return b;
}

static bool build(SetOpState *s, Error *err)
{
    for (;;) {
        Batch *in;
        if (!exec_next(s->right, &in, err)) return false;
        if (in->count == 0) break;
        const Batch *b = prepare(s, in);
        for (uint32_t r = 0; r < b->count; r++) {
            uint32_t id = find_row(s, b, r, s->hashes[r]);
            if (id == NO_ROW) {
                if (s->nrows == UINT32_MAX - 1)
                    return error_set(err, ERR_DATA, "INTERSECT/EXCEPT input has more than 4 billion distinct rows");
                add_row(s, b, r, s->hashes[r], 1);
            } else {
                s->count[id]++;
            }
        }
    }
    s->built = true;
    return true;
}

static bool setop_next(ExecNode *node, Batch **out, Error *err)
{
    SetOpState *s = (SetOpState *)node;
    if (!s->built && !build(s, err)) return false;
    SetOpKind kind = node->plan->setop;
    for (;;) {
        Batch *in;
        if (!exec_next(node->child, &in, err)) return false;
        if (in->count == 0) {
            *out = in;
            return true;
        }
        const Batch *b = prepare(s, in);
        uint32_t n = 0;
        for (uint32_t r = 0; r < b->count; r++) {
            uint32_t id = find_row(s, b, r, s->hashes[r]);
            bool emit = false;
            switch (kind) {
            case SETOP_INTERSECT:
                if (id != NO_ROW && s->count[id] > 0) {
                    emit = true;
                    s->count[id] = 0;
                }
                break;
            case SETOP_INTERSECT_ALL:
                if (id != NO_ROW && s->count[id] > 0) {
                    emit = true;
                    s->count[id]--;
                }
                break;
            case SETOP_EXCEPT_ALL:
                if (id != NO_ROW && s->count[id] > 0) s->count[id]--;
                else emit = true;
                break;
            case SETOP_EXCEPT:
                if (id == NO_ROW) {
                    if (s->nrows == UINT32_MAX - 1)
                        return error_set(err, ERR_DATA, "EXCEPT input has more than 4 billion distinct rows");
                    emit = true;
                    add_row(s, b, r, s->hashes[r], -1);
                }
                break;
            }
            if (emit) s->sel[n++] = r;
        }
        if (n == 0) continue;
        /* the emitted rows of b, by selection */
        if (b != &s->view)
            for (int c = 0; c < s->ncols; c++) s->view.cols[c] = b->cols[c];
        s->view.count = n;
        s->view.sel = s->sel;
        *out = &s->view;
        return true;
    }
}

static void setop_close(ExecNode *node)
{
    SetOpState *s = (SetOpState *)node;
    exec_close(s->right);
    for (int i = 0; i < s->nchunks; i++) batch_destroy(&s->chunks[i]);
    mem_free(s->chunks);
    mem_free(s->row_hash);
    mem_free(s->count);
    mem_free(s->next);
    mem_free(s->heads);
    for (int c = 0; c < s->ncols; c++) vector_destroy(&s->flat[c]);
    mem_free(s->flat);
    batch_destroy(&s->view);
    mem_free(s->types);
    mem_free(s);
}

static const ExecNodeOps setop_ops = {setop_next, setop_close};

ExecNode *op_setop_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, Error *err)
{
    (void)child;
    ExecNode *right = exec_build(plan->right, ctx, err);
    if (right == NULL) return NULL;
    SetOpState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &setop_ops;
    s->right = right;
    s->ncols = plan->ncols;
    s->types = mem_alloc(sizeof(LogicalType) * (size_t)(plan->ncols + 1));
    memcpy(s->types, plan->types, sizeof(LogicalType) * (size_t)plan->ncols);
    s->flat = mem_calloc((size_t)plan->ncols + 1, sizeof(Vector));
    for (int c = 0; c < plan->ncols; c++) vector_init(&s->flat[c], plan->types[c], VECTOR_CAPACITY);
    batch_init_borrowed(&s->view, plan->ncols);
    rehash(s, 1024);
    return &s->base;
}
