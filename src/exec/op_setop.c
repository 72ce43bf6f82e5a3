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
 * hash, count and chain, and the bucket array.
 *
 * Spilling: when the distinct right rows outgrow their share of
 * memory_limit, the stored rows (each repeated `count` times, which is the
 * input they came from), the rest of the right input and then the whole
 * left input are split into hash partitions on disk by the hash of the
 * whole row (exec/spill_partition.h); equal rows meet in the same
 * partition, so each pair of partitions is an independent set operation,
 * run by a fresh copy of this operator one level deeper (which may split
 * again).  The output is then partition by partition, not in left order. */
#include <string.h>

#include "common/mem.h"
#include "exec/exec.h"
#include "exec/hash.h"
#include "exec/memory_hold.h"
#include "exec/spill_partition.h"

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
    /* spilling */
    int depth;
    uint64_t budget;
    bool can_spill;
    SpillPartitions *rparts, *lparts;
    int next_partition;
    ExecNode *sub;
    uint32_t all_rows[VECTOR_CAPACITY];
    uint64_t sealed_bytes; /* of the full chunks before the last */
    int sealed_chunks;
    MemoryHold hold;   /* stored_bytes as counted in the statement's total (exec/memory_hold.h) */
} SetOpState;

static ExecNode *setop_create(const PlanNode *plan, ExecNode *left, ExecNode *right, ExecContext *ctx, int depth);

static uint64_t chunk_bytes(const SetOpState *s, int i)
{
    uint64_t bytes = 0;
    for (int c = 0; c < s->ncols; c++) {
        const Vector *v = s->chunks[i].cols[c];
        bytes += (uint64_t)v->capacity * type_physical_size(v->type);
        if (v->heap) bytes += v->heap->bytes_reserved;
    }
    return bytes;
}

/* Bytes of the stored rows and their hash table (full chunks counted once). */
static uint64_t stored_bytes(SetOpState *s)
{
    while (s->sealed_chunks < s->nchunks - 1) s->sealed_bytes += chunk_bytes(s, s->sealed_chunks++);
    uint64_t bytes = s->sealed_bytes + (uint64_t)s->cap_rows * 20 + s->nbuckets * 4;
    if (s->nchunks > 0) bytes += chunk_bytes(s, s->nchunks - 1);
    return bytes;
}

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
    /* a deep copy: the input's long strings live in its batch, which the
     * child may reuse (a Parquet scan does) while the row stays stored */
    for (int c = 0; c < s->ncols; c++) vector_copy(chunk->cols[c], slot, b->cols[c], &r, 1);
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

static const Batch *prepare(SetOpState *s, const Batch *in);

/* The stored rows outgrew the budget: partition them (each as many times
 * as it was seen), the rest of the right input and the whole left input. */
static bool partition_inputs(SetOpState *s, Error *err)
{
    ExecContext *ctx = s->base.ctx;
    s->rparts = spill_partitions_new(ctx->temp_directory, s->depth);
    uint32_t rows[VECTOR_CAPACITY];
    uint64_t hashes[VECTOR_CAPACITY];
    for (int i = 0; i < s->nchunks; i++) {
        const Batch *chunk = &s->chunks[i];
        for (uint32_t r = 0; r < chunk->count; r++) {
            uint32_t id = (uint32_t)i * VECTOR_CAPACITY + r;
            hashes[r] = s->row_hash[id];
            for (int64_t left = s->count[id]; left > 0;) {
                uint32_t n = left > VECTOR_CAPACITY ? VECTOR_CAPACITY : (uint32_t)left;
                for (uint32_t k = 0; k < n; k++) rows[k] = r;
                if (!spill_partitions_write(s->rparts, chunk, rows, n, hashes, err)) return false;
                left -= n;
            }
        }
    }
    for (;;) {
        Batch *in;
        if (!exec_next(s->right, &in, err)) return false;
        if (in->count == 0) break;
        const Batch *b = prepare(s, in);
        if (!spill_partitions_write(s->rparts, b, s->all_rows, b->count, s->hashes, err)) return false;
    }
    if (!spill_partitions_finish(s->rparts, ctx, err)) return false;
    s->lparts = spill_partitions_new(ctx->temp_directory, s->depth);
    for (;;) {
        Batch *in;
        if (!exec_next(s->base.child, &in, err)) return false;
        if (in->count == 0) break;
        const Batch *b = prepare(s, in);
        if (!spill_partitions_write(s->lparts, b, s->all_rows, b->count, s->hashes, err)) return false;
    }
    if (!spill_partitions_finish(s->lparts, ctx, err)) return false;
    s->built = true;
    return true;
}

/* Spilled: the next rows of the partitions' set operations (count 0 at the end). */
static bool next_from_partitions(SetOpState *s, Batch **out, Error *err)
{
    SetOpKind kind = s->base.plan->setop;
    for (;;) {
        if (s->sub) {
            if (!exec_next(s->sub, out, err)) return false;
            if ((*out)->count > 0) return true;
            exec_close(s->sub);
            s->sub = NULL;
        }
        if (s->next_partition >= SPILL_FANOUT) {
            s->view.count = 0;
            s->view.sel = NULL;
            *out = &s->view;
            return true;
        }
        int p = s->next_partition++;
        SpillFile *left = spill_partitions_take(s->lparts, p), *right = spill_partitions_take(s->rparts, p);
        bool intersect = kind == SETOP_INTERSECT || kind == SETOP_INTERSECT_ALL;
        if (left == NULL || (intersect && right == NULL)) {
            spill_close(left);
            spill_close(right);
            continue;
        }
        const PlanNode *plan = s->base.plan;
        ExecNode *lscan = spill_scan_create(left, plan->ncols, plan->types, s->base.ctx);
        ExecNode *rscan = spill_scan_create(right, plan->ncols, plan->types, s->base.ctx);
        s->sub = setop_create(plan, lscan, rscan, s->base.ctx, s->depth + 1);
    }
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
        bool over = memory_hold_update(s->base.ctx, &s->hold, stored_bytes(s), s->budget);
        if (s->can_spill && over) return partition_inputs(s, err);
    }
    s->built = true;
    return true;
}

static bool setop_next(ExecNode *node, Batch **out, Error *err)
{
    SetOpState *s = (SetOpState *)node;
    if (!s->built && !build(s, err)) return false;
    if (s->rparts) return next_from_partitions(s, out, err);
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
        if (kind == SETOP_EXCEPT && node->ctx->memory_limit > 0 &&
            stored_bytes(s) > (uint64_t)node->ctx->memory_limit) {
            char text[32];
            spill_format_size((uint64_t)node->ctx->memory_limit, text, sizeof text);
            return error_set(err, ERR_DATA,
                             "EXCEPT keeps the distinct rows it returns in memory, which needs more than "
                             "memory_limit (%s); raise memory_limit, or use EXCEPT ALL over SELECT DISTINCT",
                             text);
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
    memory_hold_release(node->ctx, &s->hold);
    exec_close(s->sub);
    spill_partitions_free(s->rparts);
    spill_partitions_free(s->lparts);
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
    ExecNode *right = exec_build(plan->right, ctx, err);
    if (right == NULL) return NULL;
    return setop_create(plan, child, right, ctx, 0);
}

/* The operator at recursion level depth (0: the plan's; deeper: one pair
 * of spilled partitions, read by left and right). Cannot fail. */
static ExecNode *setop_create(const PlanNode *plan, ExecNode *left, ExecNode *right, ExecContext *ctx, int depth)
{
    SetOpState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &setop_ops;
    s->base.plan = plan;
    s->base.child = left;
    s->base.ctx = ctx;
    s->depth = depth;
    s->budget = spill_budget(ctx);
    s->can_spill = ctx->memory_limit > 0 && depth < SPILL_MAX_DEPTH;
    for (uint32_t i = 0; i < VECTOR_CAPACITY; i++) s->all_rows[i] = i;
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
