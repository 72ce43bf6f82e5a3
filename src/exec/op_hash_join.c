/* op_hash_join: joins its child (the probe side, "left") with `right` (the
 * build side) on equal keys, as PostgreSQL's nodeHashjoin does.
 *
 * Build: the whole right input is copied into a memtable; rows whose keys
 * are all non-NULL are chained into a bucket array (head per bucket, next per
 * row, the full hash kept per row).  Probe: each left batch is hashed a key
 * column at a time; for each row the bucket chain yields candidate right
 * rows, which are compared on hash and keys.  Candidate pairs are gathered
 * into an output batch of up to VECTOR_CAPACITY pairs (left columns by one
 * gather per column, right columns row by row from the memtable); the
 * residual condition, if any, is evaluated on that batch and the passing
 * pairs are selected, never copied again.  A left row producing more pairs
 * than fit in one batch resumes where it stopped on the next call.
 *
 * A left batch with a selection (a filter's output) is not copied: only its
 * key columns are flattened for hashing, and the other columns are read
 * through the selection for the rows output.
 *
 * Without keys the join is a nested loop: every right row is a candidate
 * (CROSS JOIN, non-equality conditions).
 *
 * Shared build (PlanNode.join_shared_build, exec/hash_join_shared.h): in a
 * GATHER's workers the operator builds nothing; it probes the table the
 * gather built once (shared_join_table_build below) and never writes to it
 * (no matched flags: RIGHT and FULL joins are never shared).
 *
 * Outer joins: unmatched left rows (LEFT, FULL) are emitted with NULL right
 * columns after each left batch; unmatched right rows (RIGHT, FULL) at the
 * end, from a per-row matched flag.  SEMI emits each left row that has a
 * passing match once, ANTI each left row that has none; both output the
 * left columns only.  NULL keys never match.
 *
 * Output columns: all left child columns, then all right columns (SEMI and
 * ANTI: left only).  Memory: the right input (deep copy), 16 bytes of chain
 * and hash per right row, a flag per right row for outer joins, and one
 * output batch.
 *
 * Spilling (Grace hash join).  When the build side outgrows the operator's
 * share of memory_limit (half), the rows read so far, the rest of the right
 * input and then the whole left input are written to SPILL_FANOUT partition
 * files each by the high bits of their key hash (exec/spill_partition.h).
 * Equal keys meet in the same pair of partitions, so each pair is joined on
 * its own by a fresh copy of this operator one level deeper, which may split
 * again with the next hash bits; every join type and the residual condition
 * work unchanged, since a NULL-keyed row lands in some partition and stays
 * unmatched there.  Pairs that cannot produce rows (an empty side for
 * INNER/SEMI, no left rows for LEFT/ANTI ...) are skipped.  A partition whose
 * build rows all share one hash (one huge key) is joined in memory.  The
 * output is then partition by partition.  The nested loop (no equality keys)
 * keeps the whole right input in memory: past memory_limit it fails with an
 * error naming the limit. */
#include <string.h>

#include "common/mem.h"
#include "exec/exec.h"
#include "exec/hash_join_shared.h"
#include "exec/expr_eval.h"
#include "exec/hash.h"
#include "exec/memory_hold.h"
#include "exec/spill_partition.h"

#define NO_ROW UINT32_MAX

typedef enum JoinPhase {
    PHASE_NEXT_LEFT,
    PHASE_PROBE,
    PHASE_LEFT_REST,
    PHASE_RIGHT_REST,
    PHASE_PARTITIONS, /* Grace: join the spilled partitions one by one */
    PHASE_DONE
} JoinPhase;

/* The build side's rows and their hash index: owned by one join, or built
 * once by a GATHER and probed read-only by all its workers (shared build). */
struct JoinTable {
    MemTable build;
    uint32_t nbuild;
    uint32_t *heads, *next;  /* bucket heads; next row of each row's chain */
    uint64_t *row_hash;
    uint64_t nbuckets;
    MemoryHold hold;         /* shared build only: what it holds, in the statement's total */
};

typedef struct HashJoinState {
    ExecNode base;
    ExecNode *right;         /* NULL with a shared build */
    JoinType type;
    int nleft, nright, nkeys;
    const int *lkeys, *rkeys;
    /* build side */
    JoinTable own;
    JoinTable *t;            /* &own, or the gather's shared table (read-only) */
    uint8_t *right_matched;  /* RIGHT and FULL only */
    bool built;
    /* probe side */
    Vector *lflat;           /* flattened key columns of the left batch (all columns while partitioning) */
    Batch lbatch;            /* the child's columns; count = its logical rows, numbered densely */
    const uint32_t *lsel;    /* the child batch's selection: dense row i is physical row lsel[i] (NULL: same) */
    Vector **lkey;           /* the key columns, dense (flattened through lsel when there is one) */
    uint32_t lrows[VECTOR_CAPACITY]; /* pair_left mapped through lsel */
    uint64_t lhash[VECTOR_CAPACITY];
    uint8_t left_matched[VECTOR_CAPACITY];
    uint8_t left_has_key[VECTOR_CAPACITY];
    uint32_t cur_left;       /* row being probed */
    uint32_t cur_right;      /* next candidate of cur_left (NO_ROW = chain not started) */
    bool chain_started;
    JoinPhase phase;
    uint32_t right_rest_next;
    /* output */
    ExprState *residual;
    Batch out;               /* owned vectors: left columns then right columns */
    uint32_t pair_left[VECTOR_CAPACITY];
    uint32_t pair_right[VECTOR_CAPACITY];
    uint32_t sel[VECTOR_CAPACITY];
    /* spilling (see the header comment) */
    int depth;               /* recursion level: 0 for the plan's own node */
    uint64_t budget;
    bool can_spill;
    uint64_t build_sealed;   /* spill_memtable_bytes' cache */
    int build_sealed_chunks;
    SpillPartitions *rparts, *lparts;
    int next_partition;
    ExecNode *sub;           /* the join of one partition */
    Vector *rflat;           /* flattened right batch while partitioning */
    Vector **route_cols;
    uint64_t route_hash[VECTOR_CAPACITY];
    uint32_t all_rows[VECTOR_CAPACITY];
    MemoryHold hold;          /* the build side, as counted in the statement's total (exec/memory_hold.h) */
} HashJoinState;

static ExecNode *join_create(const PlanNode *plan, ExecNode *left, ExecNode *right, ExecContext *ctx, int depth);

/* Route the logical rows of in to parts by the hash of its key columns. */
static bool route_batch(HashJoinState *s, SpillPartitions *parts, const Batch *in, const int *keys, Vector *flat,
                        Error *err)
{
    Batch view = {in->ncols, in->cols, in->count, NULL, NULL};
    if (in->sel) {
        for (int c = 0; c < in->ncols; c++) {
            vector_reset(&flat[c]);
            vector_gather(&flat[c], 0, in->cols[c], in->sel, in->count);
            s->route_cols[c] = &flat[c];
        }
        view.cols = s->route_cols;
    }
    for (int k = 0; k < s->nkeys; k++) hash_vector(view.cols[keys[k]], view.count, s->route_hash, k > 0);
    return spill_partitions_write(parts, &view, s->all_rows, view.count, s->route_hash, err);
}

/* The build side outgrew the budget: move it, the rest of the right input
 * and then the whole left input into partitions (Grace hash join). */
static bool partition_inputs(HashJoinState *s, Error *err)
{
    ExecContext *ctx = s->base.ctx;
    const PlanNode *plan = s->base.plan;
    s->rflat = mem_calloc((size_t)s->nright + 1, sizeof(Vector));
    for (int c = 0; c < s->nright; c++) vector_init(&s->rflat[c], plan->right->types[c], VECTOR_CAPACITY);
    s->route_cols = mem_calloc((size_t)(s->nleft > s->nright ? s->nleft : s->nright) + 1, sizeof(Vector *));
    s->rparts = spill_partitions_new(ctx->temp_directory, s->depth);
    for (int c = 0; c < s->t->build.nchunks; c++)
        if (!route_batch(s, s->rparts, &s->t->build.chunks[c], s->rkeys, s->rflat, err)) return false;
    memtable_clear(&s->t->build);
    memory_hold_release(ctx, &s->hold); /* the build rows are on disk now */
    for (;;) {
        Batch *in;
        if (!exec_next(s->right, &in, err)) return false;
        if (in->count == 0) break;
        if (!route_batch(s, s->rparts, in, s->rkeys, s->rflat, err)) return false;
    }
    if (!spill_partitions_finish(s->rparts, ctx, err)) return false;
    s->lparts = spill_partitions_new(ctx->temp_directory, s->depth);
    for (;;) {
        Batch *in;
        if (!exec_next(s->base.child, &in, err)) return false;
        if (in->count == 0) break;
        if (!route_batch(s, s->lparts, in, s->lkeys, s->lflat, err)) return false;
    }
    if (!spill_partitions_finish(s->lparts, ctx, err)) return false;
    s->phase = PHASE_PARTITIONS;
    s->built = true;
    return true;
}

/* Grace: the next partition's rows from the join of its two files. */
static bool next_from_partitions(HashJoinState *s, Batch **out, bool *done, Error *err)
{
    for (;;) {
        if (s->sub) {
            if (!exec_next(s->sub, out, err)) return false;
            if ((*out)->count > 0) {
                *done = false;
                return true;
            }
            exec_close(s->sub);
            s->sub = NULL;
        }
        if (s->next_partition >= SPILL_FANOUT) {
            *done = true;
            return true;
        }
        int p = s->next_partition++;
        SpillFile *left = spill_partitions_take(s->lparts, p), *right = spill_partitions_take(s->rparts, p);
        bool needed;
        switch (s->type) {
        case JOIN_LEFT:
        case JOIN_ANTI: needed = left != NULL; break;
        case JOIN_RIGHT: needed = right != NULL; break;
        case JOIN_FULL: needed = left != NULL || right != NULL; break;
        default: needed = left != NULL && right != NULL; break;
        }
        if (!needed) {
            spill_close(left);
            spill_close(right);
            continue;
        }
        const PlanNode *plan = s->base.plan;
        ExecContext *ctx = s->base.ctx;
        ExecNode *lscan = spill_scan_create(left, plan->child->ncols, plan->child->types, ctx);
        ExecNode *rscan = spill_scan_create(right, plan->right->ncols, plan->right->types, ctx);
        s->sub = join_create(plan, lscan, rscan, ctx, s->depth + 1);
        /* every build row has the same key hash (one huge key): splitting
         * again cannot help, so that partition is joined in memory */
        uint64_t total = 0;
        for (int i = 0; i < SPILL_FANOUT; i++) total += s->rparts->rows[i];
        if (s->rparts->rows[p] == total) ((HashJoinState *)s->sub)->can_spill = false;
    }
}

/* Chain the rows of t->build into a bucket array by the hash of their keys
 * (rows with a NULL key are left out: they never match). */
static void index_table(JoinTable *t, int nkeys, const int *rkeys)
{
    t->nbuild = (uint32_t)t->build.nrows;
    t->nbuckets = 1024;
    while (t->nbuckets < (uint64_t)t->nbuild * 2) t->nbuckets *= 2;
    t->heads = mem_alloc(sizeof(uint32_t) * t->nbuckets);
    memset(t->heads, 0xff, sizeof(uint32_t) * t->nbuckets);
    t->next = mem_alloc(sizeof(uint32_t) * (t->nbuild ? t->nbuild : 1));
    t->row_hash = mem_alloc(sizeof(uint64_t) * (t->nbuild ? t->nbuild : 1));
    uint64_t hashes[VECTOR_CAPACITY];
    uint32_t base = 0;
    for (int c = 0; c < t->build.nchunks; c++) {
        Batch *chunk = &t->build.chunks[c];
        if (nkeys > 0)
            for (int k = 0; k < nkeys; k++) hash_vector(chunk->cols[rkeys[k]], chunk->count, hashes, k > 0);
        for (uint32_t r = 0; r < chunk->count; r++) {
            t->next[base + r] = NO_ROW;
            if (nkeys > 0) t->row_hash[base + r] = hashes[r];
        }
        base += chunk->count;
    }
    /* chain the rows, inserting in reverse so that each chain lists rows in input order */
    if (nkeys > 0) {
        memset(t->heads, 0xff, sizeof(uint32_t) * t->nbuckets);
        uint32_t id = t->nbuild;
        for (int c = t->build.nchunks; c-- > 0;) {
            Batch *chunk = &t->build.chunks[c];
            for (uint32_t r = chunk->count; r-- > 0;) {
                id--;
                bool null_key = false;
                for (int k = 0; k < nkeys; k++)
                    if (!vector_is_valid(chunk->cols[rkeys[k]], r)) null_key = true;
                if (null_key) continue;
                uint64_t b = t->row_hash[id] & (t->nbuckets - 1);
                t->next[id] = t->heads[b];
                t->heads[b] = id;
            }
        }
    }
}

static bool build_side(HashJoinState *s, Error *err)
{
    int64_t limit = s->base.ctx->memory_limit;
    for (;;) {
        Batch *in;
        if (!exec_next(s->right, &in, err)) return false;
        if (in->count == 0) break;
        if (s->t->build.nrows + in->count > UINT32_MAX - 1)
            return error_set(err, ERR_DATA, "the build side of a join has more than 4 billion rows");
        memtable_append(&s->t->build, in);
        if (limit <= 0) continue;
        uint64_t bytes = spill_memtable_bytes(&s->t->build, &s->build_sealed, &s->build_sealed_chunks) + 16 * s->t->build.nrows;
        bool over = memory_hold_update(s->base.ctx, &s->hold, bytes, s->budget);
        if (s->can_spill && over) return partition_inputs(s, err);
        if (s->nkeys == 0 && bytes > (uint64_t)limit) {
            char text[32];
            spill_format_size((uint64_t)limit, text, sizeof text);
            return error_set(err, ERR_DATA,
                             "a join without equality conditions keeps its right input in memory, "
                             "which needs more than memory_limit (%s); raise memory_limit",
                             text);
        }
    }
    index_table(s->t, s->nkeys, s->rkeys);
    if (s->type == JOIN_RIGHT || s->type == JOIN_FULL) s->right_matched = mem_calloc(s->t->nbuild ? s->t->nbuild : 1, 1);
    s->built = true;
    return true;
}

static inline const Batch *build_chunk(const HashJoinState *s, uint32_t id) { return &s->t->build.chunks[id / VECTOR_CAPACITY]; }

static bool keys_match(HashJoinState *s, uint32_t left_row, uint32_t id)
{
    if (s->t->row_hash[id] != s->lhash[left_row]) return false;
    const Batch *chunk = build_chunk(s, id);
    uint32_t r = id % VECTOR_CAPACITY;
    for (int k = 0; k < s->nkeys; k++)
        if (!hash_values_equal(s->lkey[k], left_row, chunk->cols[s->rkeys[k]], r)) return false;
    return true;
}

/* Next candidate right row for cur_left, or NO_ROW when its candidates are exhausted. */
static uint32_t next_candidate(HashJoinState *s)
{
    uint32_t i = s->cur_left;
    if (s->nkeys == 0) {
        uint32_t id = s->chain_started ? s->cur_right : 0;
        s->chain_started = true;
        if (id >= s->t->nbuild) return NO_ROW;
        s->cur_right = id + 1;
        return id;
    }
    if (!s->left_has_key[i]) return NO_ROW;
    uint32_t id = s->chain_started ? s->cur_right : s->t->heads[s->lhash[i] & (s->t->nbuckets - 1)];
    s->chain_started = true;
    while (id != NO_ROW && !keys_match(s, i, id)) id = s->t->next[id];
    if (id == NO_ROW) {
        s->cur_right = NO_ROW;
        return NO_ROW;
    }
    s->cur_right = s->t->next[id];
    return id;
}

/* Fill the output's right columns for the pairs (k < n), or NULLs when null_right. */
static void fill_right(HashJoinState *s, uint32_t n, bool null_right)
{
    for (int c = 0; c < s->nright; c++) {
        Vector *dst = s->out.cols[s->nleft + c];
        if (null_right) {
            for (uint32_t k = 0; k < n; k++) vector_set_null(dst, k);
            continue;
        }
        for (uint32_t k = 0; k < n; k++) {
            uint32_t id = s->pair_right[k];
            uint32_t r = id % VECTOR_CAPACITY;
            vector_gather(dst, k, build_chunk(s, id)->cols[c], &r, 1);
        }
    }
}

static void reset_out(HashJoinState *s)
{
    batch_reset(&s->out);
}

/* Probe the current left batch until up to VECTOR_CAPACITY pairs are found;
 * *n = pairs found (0 = the batch is exhausted). */
static void collect_pairs(HashJoinState *s, uint32_t *n)
{
    uint32_t k = 0;
    while (k < VECTOR_CAPACITY && s->cur_left < s->lbatch.count) {
        uint32_t id = next_candidate(s);
        if (id == NO_ROW) {
            s->cur_left++;
            s->chain_started = false;
            continue;
        }
        s->pair_left[k] = s->cur_left;
        s->pair_right[k] = id;
        k++;
    }
    *n = k;
}

/* The child's physical rows of the left rows pair_left[0..n). */
static const uint32_t *left_rows(HashJoinState *s, uint32_t n)
{
    if (s->lsel == NULL) return s->pair_left;
    for (uint32_t k = 0; k < n; k++) s->lrows[k] = s->lsel[s->pair_left[k]];
    return s->lrows;
}

static bool load_left_batch(HashJoinState *s, bool *end, Error *err)
{
    ExecNode *node = &s->base;
    Batch *in;
    if (!exec_next(node->child, &in, err)) return false;
    if (in->count == 0) {
        *end = true;
        return true;
    }
    *end = false;
    s->lbatch.count = in->count;
    s->lbatch.sel = NULL;
    s->lsel = in->sel;
    for (int c = 0; c < s->nleft; c++) s->lbatch.cols[c] = in->cols[c];
    /* only the key columns are flattened: most probe rows find no match
     * (a filter's selection is followed only for the rows output) */
    for (int k = 0; k < s->nkeys; k++) {
        Vector *col = in->cols[s->lkeys[k]];
        if (in->sel) {
            Vector *flat = &s->lflat[s->lkeys[k]];
            vector_reset(flat);
            vector_gather(flat, 0, col, in->sel, in->count);
            col = flat;
        }
        s->lkey[k] = col;
    }
    if (s->nkeys > 0) {
        for (int k = 0; k < s->nkeys; k++) hash_vector(s->lkey[k], in->count, s->lhash, k > 0);
        for (uint32_t i = 0; i < in->count; i++) {
            bool ok = true;
            for (int k = 0; k < s->nkeys; k++)
                if (!vector_is_valid(s->lkey[k], i)) ok = false;
            s->left_has_key[i] = ok;
        }
    }
    memset(s->left_matched, 0, in->count);
    s->cur_left = 0;
    s->chain_started = false;
    return true;
}

static bool hash_join_next(ExecNode *node, Batch **out, Error *err)
{
    HashJoinState *s = (HashJoinState *)node;
    if (!s->built && !build_side(s, err)) return false;
    bool left_only = s->type == JOIN_SEMI || s->type == JOIN_ANTI;
    bool need_right_cols = !left_only || s->residual != NULL;
    for (;;) {
        switch (s->phase) {
        case PHASE_NEXT_LEFT: {
            bool end;
            if (!load_left_batch(s, &end, err)) return false;
            if (end) {
                s->phase = (s->type == JOIN_RIGHT || s->type == JOIN_FULL) ? PHASE_RIGHT_REST : PHASE_DONE;
                s->right_rest_next = 0;
            } else {
                s->phase = PHASE_PROBE;
            }
            continue;
        }
        case PHASE_PROBE: {
            uint32_t n;
            collect_pairs(s, &n);
            if (n == 0) {
                s->phase = PHASE_LEFT_REST;
                continue;
            }
            reset_out(s);
            if (need_right_cols) {
                const uint32_t *rows = left_rows(s, n);
                for (int c = 0; c < s->nleft; c++) vector_gather(s->out.cols[c], 0, s->lbatch.cols[c], rows, n);
                fill_right(s, n, false);
            }
            s->out.count = n;
            s->out.sel = NULL;
            uint32_t npass = 0;
            if (s->residual) {
                Vector *v = expr_eval(s->residual, &s->out, err);
                if (v == NULL) return false;
                const uint8_t *pass = VEC_DATA(v, uint8_t);
                for (uint32_t k = 0; k < n; k++)
                    if (vector_is_valid(v, k) && pass[k]) s->sel[npass++] = k;
            } else {
                for (uint32_t k = 0; k < n; k++) s->sel[k] = k;
                npass = n;
            }
            for (uint32_t p = 0; p < npass; p++) {
                uint32_t k = s->sel[p];
                s->left_matched[s->pair_left[k]] = 1;
                if (s->right_matched) s->right_matched[s->pair_right[k]] = 1;
            }
            if (left_only || npass == 0) continue;
            s->out.count = npass;
            s->out.sel = npass == n ? NULL : s->sel;
            *out = &s->out;
            return true;
        }
        case PHASE_LEFT_REST: {
            s->phase = PHASE_NEXT_LEFT;
            bool want_unmatched = s->type == JOIN_LEFT || s->type == JOIN_FULL || s->type == JOIN_ANTI;
            bool want_matched = s->type == JOIN_SEMI;
            if (!want_unmatched && !want_matched) continue;
            uint32_t n = 0;
            for (uint32_t i = 0; i < s->lbatch.count; i++)
                if ((s->left_matched[i] != 0) == want_matched) s->pair_left[n++] = i;
            if (n == 0) continue;
            if (left_only) {
                /* the left batch itself, narrowed by a selection */
                s->lbatch.sel = left_rows(s, n);
                Batch *view = &s->lbatch;
                view->count = n;
                *out = view;
                return true;
            }
            reset_out(s);
            const uint32_t *rows = left_rows(s, n);
            for (int c = 0; c < s->nleft; c++) vector_gather(s->out.cols[c], 0, s->lbatch.cols[c], rows, n);
            fill_right(s, n, true);
            s->out.count = n;
            s->out.sel = NULL;
            *out = &s->out;
            return true;
        }
        case PHASE_RIGHT_REST: {
            uint32_t n = 0;
            while (n < VECTOR_CAPACITY && s->right_rest_next < s->t->nbuild) { /* right_matched is set: RIGHT/FULL */
                uint32_t id = s->right_rest_next++;
                if (!s->right_matched[id]) s->pair_right[n++] = id;
            }
            if (n == 0) {
                s->phase = PHASE_DONE;
                continue;
            }
            reset_out(s);
            for (int c = 0; c < s->nleft; c++)
                for (uint32_t k = 0; k < n; k++) vector_set_null(s->out.cols[c], k);
            fill_right(s, n, false);
            s->out.count = n;
            s->out.sel = NULL;
            *out = &s->out;
            return true;
        }
        case PHASE_PARTITIONS: {
            bool done;
            if (!next_from_partitions(s, out, &done, err)) return false;
            if (!done) return true;
            s->phase = PHASE_DONE;
            continue;
        }
        case PHASE_DONE:
            s->out.count = 0;
            s->out.sel = NULL;
            *out = &s->out;
            return true;
        }
    }
}

static void hash_join_close(ExecNode *node)
{
    HashJoinState *s = (HashJoinState *)node;
    memory_hold_release(node->ctx, &s->hold);
    exec_close(s->sub);
    spill_partitions_free(s->rparts);
    spill_partitions_free(s->lparts);
    if (s->rflat)
        for (int c = 0; c < s->nright; c++) vector_destroy(&s->rflat[c]);
    mem_free(s->rflat);
    mem_free(s->route_cols);
    exec_close(s->right);
    memtable_destroy(&s->own.build);
    mem_free(s->own.heads);
    mem_free(s->own.next);
    mem_free(s->own.row_hash);
    mem_free(s->right_matched);
    for (int c = 0; c < s->nleft; c++) vector_destroy(&s->lflat[c]);
    mem_free(s->lflat);
    mem_free(s->lkey);
    batch_destroy(&s->lbatch);
    batch_destroy(&s->out);
    expr_state_free(s->residual);
    mem_free(s);
}

static const ExecNodeOps hash_join_ops = {hash_join_next, hash_join_close};

ExecNode *op_hash_join_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, Error *err)
{
    JoinTable *shared = plan->join_shared_build ? shared_join_table_find(ctx->shared_joins, plan) : NULL;
    if (shared) {
        /* in a gather's worker: probe the table the gather built */
        HashJoinState *s = (HashJoinState *)join_create(plan, child, NULL, ctx, 0);
        s->t = shared;
        s->built = true;
        s->can_spill = false;
        return &s->base;
    }
    ExecNode *right = exec_build(plan->right, ctx, err);
    if (right == NULL) return NULL;
    return join_create(plan, child, right, ctx, 0);
}

/* The operator at recursion level depth (0: the plan's; deeper: one pair
 * of spilled partitions, read by left and right). Cannot fail. */
static ExecNode *join_create(const PlanNode *plan, ExecNode *left, ExecNode *right, ExecContext *ctx, int depth)
{
    HashJoinState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &hash_join_ops;
    s->base.plan = plan;
    s->base.child = left;
    s->base.ctx = ctx;
    s->depth = depth;
    s->budget = spill_budget(ctx);
    s->can_spill = plan->njoin_keys > 0 && ctx->memory_limit > 0 && depth < SPILL_MAX_DEPTH;
    s->right = right;
    s->type = plan->join_type;
    s->nleft = plan->child->ncols;
    s->nright = plan->right->ncols;
    s->nkeys = plan->njoin_keys;
    s->lkeys = plan->left_keys;
    s->rkeys = plan->right_keys;
    s->t = &s->own;
    memtable_init(&s->own.build, s->nright, plan->right->types);
    s->lflat = mem_calloc((size_t)s->nleft + 1, sizeof(Vector));
    for (int c = 0; c < s->nleft; c++) vector_init(&s->lflat[c], plan->child->types[c], VECTOR_CAPACITY);
    batch_init_borrowed(&s->lbatch, s->nleft);
    s->lkey = mem_calloc((size_t)s->nkeys + 1, sizeof(Vector *));
    /* the output (and the residual's input) is left ++ right */
    int nout = s->nleft + s->nright;
    LogicalType *types = mem_alloc(sizeof(LogicalType) * (size_t)(nout + 1));
    for (int c = 0; c < s->nleft; c++) types[c] = plan->child->types[c];
    for (int c = 0; c < s->nright; c++) types[s->nleft + c] = plan->right->types[c];
    batch_init(&s->out, nout, types, VECTOR_CAPACITY);
    mem_free(types);
    if (plan->predicate) s->residual = expr_state_build(plan->predicate);
    s->phase = PHASE_NEXT_LEFT;
    for (uint32_t i = 0; i < VECTOR_CAPACITY; i++) s->all_rows[i] = i;
    return &s->base;
}

bool shared_join_table_build(const PlanNode *join, ExecContext *ctx, JoinTable **out, Error *err)
{
    *out = NULL;
    ExecNode *right = exec_build(join->right, ctx, err);
    if (right == NULL) return false;
    JoinTable *t = mem_calloc(1, sizeof *t);
    memtable_init(&t->build, join->right->ncols, join->right->types);
    uint64_t budget = spill_budget(ctx), sealed = 0;
    int sealed_chunks = 0;
    bool ok = true, too_big = false;
    for (;;) {
        Batch *in;
        if (!exec_next(right, &in, err)) {
            ok = false;
            break;
        }
        if (in->count == 0) break;
        if (t->build.nrows + in->count > UINT32_MAX - 1) {
            ok = error_set(err, ERR_DATA, "the build side of a join has more than 4 billion rows");
            break;
        }
        memtable_append(&t->build, in);
        if (ctx->memory_limit <= 0) continue;
        uint64_t bytes = spill_memtable_bytes(&t->build, &sealed, &sealed_chunks) + 16 * t->build.nrows;
        if (memory_hold_update(ctx, &t->hold, bytes, budget)) {
            too_big = true;
            break;
        }
    }
    exec_close(right);
    if (!ok || too_big) {
        shared_join_table_free(t, ctx);
        return ok;
    }
    index_table(t, join->njoin_keys, join->right_keys);
    *out = t;
    return true;
}

JoinTable *shared_join_table_find(const SharedJoinTables *tables, const PlanNode *join)
{
    if (tables == NULL) return NULL;
    for (int i = 0; i < tables->n; i++)
        if (tables->plans[i] == join) return tables->tables[i];
    return NULL;
}

void shared_join_table_free(JoinTable *t, ExecContext *ctx)
{
    if (t == NULL) return;
    memory_hold_release(ctx, &t->hold);
    memtable_destroy(&t->build);
    mem_free(t->heads);
    mem_free(t->next);
    mem_free(t->row_hash);
    mem_free(t);
}
