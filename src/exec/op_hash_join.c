/* op_hash_join: joins its child (the probe side, "left") with `right` (the
 * build side) on equal keys, as PostgreSQL's nodeHashjoin does.
 *
 * Build: the whole right input is copied into a memtable, or, when it is a
 * GATHER, the chunks its workers collected are taken over (no second copy;
 * gather_absorb_returned).  A row's id is chunk * VECTOR_CAPACITY + slot, so
 * a taken chunk that is only partly filled leaves a hole of unused ids.
 * Rows whose keys are all non-NULL are chained into a bucket array (per
 * bucket one 64-bit word: the chain's first row and a 32-bit tag with one bit
 * per row's hash, bucket_tag_bit; next per row, the full hash kept per row).
 * A large build side is indexed on several threads (index_table).  Probe:
 * each left batch is hashed a key column at a time; its rows' bucket words
 * are read with prefetches running ahead (find_first_candidates), and a row
 * whose tag bit is not in its bucket's word is rejected there, with one
 * cache miss (most probe rows find no match); otherwise the bucket chain
 * yields candidate right rows, which are compared on hash and keys.
 * Candidate pairs are gathered into an output batch of up to
 * VECTOR_CAPACITY pairs (left columns by one gather per column, right
 * columns row by row from the memtable); the residual condition, if any, is
 * evaluated on that batch and the passing pairs are selected, never copied
 * again.  A left row producing more pairs
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
 * ANTI: left only).  Memory: the right input (deep copy, or the gather's
 * chunks), 12 bytes of chain and hash per row id, 8 per bucket (1 to 2
 * buckets per row), a flag per row id for outer joins, and one output batch.
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
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include "common/mem.h"
#include "exec/exec.h"
#include "exec/hash_join_shared.h"
#include "exec/expr_eval.h"
#include "exec/hash.h"
#include "exec/memory_hold.h"
#include "exec/spill_partition.h"

#define NO_ROW UINT32_MAX
#define INDEX_MAX_THREADS 16
#define PREFETCH_AHEAD 16 /* rows between a bucket's prefetch and its read, in the index and the probe */
#define BUCKET_EMPTY ((uint64_t)NO_ROW) /* no row, no tag bits */

/* The tag bit of a hash in its bucket's word: one of 32, from hash bits
 * 32-36 (the bucket number comes from the low bits, at most 32 of them; a
 * Grace partition's rows share their top bits, spill_partition_of).  A probe
 * whose bit is not set in its bucket cannot match, and is rejected with the
 * one cache miss of the bucket; a bucket of one row lets 1 in 32 others through. */
static inline uint64_t bucket_tag_bit(uint64_t hash) { return (uint64_t)1 << (32 + ((hash >> 32) & 31)); }

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
    uint32_t nbuild;         /* rows */
    uint32_t nids;           /* row ids: chunk * VECTOR_CAPACITY + slot; ids past a chunk's count are
                                holes (chunks taken over from a gather may be partly filled) */
    uint64_t *heads;         /* per bucket: the chain's first row id (low 32 bits, NO_ROW: empty) and a
                                32-bit tag of its rows' hashes (high bits: bucket_tag_bit of each) */
    uint32_t *next;          /* next row of each row's chain */
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
    uint32_t lfirst[VECTOR_CAPACITY]; /* each left row's first candidate (NO_ROW: NULL key, or the bucket's tag rules a match out) */
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

/* Add a batch of the right input to t's rows: taken over when right is a
 * gather that can give its chunk (no second copy), copied otherwise. */
static bool add_build_batch(JoinTable *t, ExecNode *right, const Batch *in, Error *err)
{
    /* a batch lands in at most two chunks; row ids must stay below NO_ROW */
    if ((uint64_t)(t->build.nchunks + 2) * VECTOR_CAPACITY > UINT32_MAX - 1)
        return error_set(err, ERR_DATA, "the build side of a join has more than 4 billion rows");
    if (!gather_absorb_returned(right, &t->build)) memtable_append(&t->build, in);
    return true;
}

/* What t's rows hold in memory, with the index to come (12 bytes per row id,
 * 8 per bucket, 1 to 2 buckets per row): the memory_hold figure. */
static uint64_t build_bytes(const JoinTable *t, uint64_t *sealed, int *sealed_chunks)
{
    return spill_memtable_bytes(&t->build, sealed, sealed_chunks) + 12 * (uint64_t)t->build.nchunks * VECTOR_CAPACITY +
           12 * t->build.nrows;
}

/* Index building, split over threads for large build sides (index_table):
 * part p of n hashes the chunks c with c % n == p (and notes which rows have
 * a NULL key), then, once all hashes are there, chains the rows whose
 * bucket lies in its own range of buckets.  Each thread walks every row in
 * reverse input order, so each chain lists its rows in input order whatever
 * the thread count, and no two threads write the same bucket or row. */
typedef struct IndexPart {
    JoinTable *t;
    int nkeys;
    const int *rkeys;
    uint8_t *has_key;        /* per row id: all keys non-NULL */
    int part, nparts;
    bool chain;              /* the second phase */
} IndexPart;

#define INDEX_ROWS_PER_THREAD 65536 /* below this many rows per thread, starting one costs more than it saves */

static void index_hash_chunks(IndexPart *j)
{
    JoinTable *t = j->t;
    for (int c = j->part; c < t->build.nchunks; c += j->nparts) {
        Batch *chunk = &t->build.chunks[c];
        size_t base = (size_t)c * VECTOR_CAPACITY;
        for (int k = 0; k < j->nkeys; k++) hash_vector(chunk->cols[j->rkeys[k]], chunk->count, t->row_hash + base, k > 0);
        memset(j->has_key + base, 1, chunk->count);
        for (int k = 0; k < j->nkeys; k++) {
            const Vector *v = chunk->cols[j->rkeys[k]];
            if (v->validity == NULL) continue;
            for (uint32_t r = 0; r < chunk->count; r++)
                if (!vector_is_valid(v, r)) j->has_key[base + r] = 0;
        }
    }
}

static void index_chain_buckets(IndexPart *j)
{
    JoinTable *t = j->t;
    uint64_t lo = t->nbuckets * (uint64_t)j->part / (uint64_t)j->nparts;
    uint64_t hi = t->nbuckets * (uint64_t)(j->part + 1) / (uint64_t)j->nparts;
    for (uint64_t b = lo; b < hi; b++) t->heads[b] = BUCKET_EMPTY;
    uint64_t mask = t->nbuckets - 1;
    for (int c = t->build.nchunks; c-- > 0;) {
        uint32_t base = (uint32_t)c * VECTOR_CAPACITY;
        for (uint32_t r = t->build.chunks[c].count; r-- > 0;) {
            uint32_t id = base + r;
            if (r >= PREFETCH_AHEAD) {
                /* the bucket of a row PREFETCH_AHEAD on, requested while this one waits for its own */
                uint64_t ahead = t->row_hash[id - PREFETCH_AHEAD] & mask;
                if (ahead >= lo && ahead < hi) __builtin_prefetch(&t->heads[ahead], 1);
            }
            uint64_t b = t->row_hash[id] & mask;
            if (b < lo || b >= hi || !j->has_key[id]) continue;
            t->next[id] = (uint32_t)t->heads[b];
            t->heads[b] = (t->heads[b] & ~(uint64_t)UINT32_MAX) | bucket_tag_bit(t->row_hash[id]) | id;
        }
    }
}

static void *index_part_main(void *arg)
{
    IndexPart *j = arg;
    if (j->chain) index_chain_buckets(j);
    else index_hash_chunks(j);
    return NULL;
}

/* Run one phase over the parts: parts 1.. on threads, part 0 here (and any
 * part whose thread could not start). */
static void index_run_phase(IndexPart *parts, int nparts, bool chain)
{
    pthread_t threads[INDEX_MAX_THREADS];
    bool started[INDEX_MAX_THREADS];
    for (int p = 0; p < nparts; p++) parts[p].chain = chain;
    for (int p = 1; p < nparts; p++) started[p] = pthread_create(&threads[p], NULL, index_part_main, &parts[p]) == 0;
    index_part_main(&parts[0]);
    for (int p = 1; p < nparts; p++) {
        if (started[p]) pthread_join(threads[p], NULL);
        else index_part_main(&parts[p]);
    }
}

/* An index array of bytes: for large ones the kernel is asked for huge pages
 * (a transparent-huge-page hint), since touching a fresh 4 kB page costs a
 * page fault and the index arrays of a large build side span thousands. */
static void *index_alloc(size_t bytes)
{
    void *p = mem_alloc(bytes ? bytes : 1);
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (bytes >= 2 * huge) {
        uintptr_t from = ((uintptr_t)p + huge - 1) & ~(huge - 1), to = ((uintptr_t)p + bytes) & ~(huge - 1);
        if (to > from) (void)madvise((void *)from, to - from, MADV_HUGEPAGE); /* only a hint: failure is fine */
    }
#endif
    return p;
}

/* Chain the rows of t->build into a bucket array by the hash of their keys
 * (rows with a NULL key are left out: they never match), on up to threads
 * threads. */
static void index_table(JoinTable *t, int nkeys, const int *rkeys, int threads)
{
    t->nbuild = (uint32_t)t->build.nrows;
    t->nids = (uint32_t)t->build.nchunks * VECTOR_CAPACITY;
    t->nbuckets = 1024;
    while (t->nbuckets < (uint64_t)t->nbuild) t->nbuckets *= 2; /* chains under 1 row long on average */
    t->heads = index_alloc(sizeof(uint64_t) * t->nbuckets);
    t->next = index_alloc(sizeof(uint32_t) * t->nids);
    t->row_hash = index_alloc(sizeof(uint64_t) * t->nids);
    if (nkeys == 0) return; /* a nested loop: no chains */
    int nparts = threads < 1 ? 1 : threads > INDEX_MAX_THREADS ? INDEX_MAX_THREADS : threads;
    while (nparts > 1 && t->nbuild / (uint32_t)nparts < INDEX_ROWS_PER_THREAD) nparts--;
    uint8_t *has_key = mem_alloc(t->nids ? t->nids : 1);
    IndexPart parts[INDEX_MAX_THREADS];
    for (int p = 0; p < nparts; p++) parts[p] = (IndexPart){t, nkeys, rkeys, has_key, p, nparts, false};
    index_run_phase(parts, nparts, false);
    index_run_phase(parts, nparts, true);
    mem_free(has_key);
}

static bool build_side(HashJoinState *s, Error *err)
{
    int64_t limit = s->base.ctx->memory_limit;
    for (;;) {
        Batch *in;
        if (!exec_next(s->right, &in, err)) return false;
        if (in->count == 0) break;
        if (!add_build_batch(s->t, s->right, in, err)) return false;
        if (limit <= 0) continue;
        uint64_t bytes = build_bytes(s->t, &s->build_sealed, &s->build_sealed_chunks);
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
    index_table(s->t, s->nkeys, s->rkeys, s->base.ctx->threads);
    if (s->type == JOIN_RIGHT || s->type == JOIN_FULL) s->right_matched = mem_calloc(s->t->nids ? s->t->nids : 1, 1);
    s->built = true;
    return true;
}

static inline const Batch *build_chunk(const HashJoinState *s, uint32_t id) { return &s->t->build.chunks[id / VECTOR_CAPACITY]; }

/* The first row id from id on that is a row (not a hole), or t->nids. */
static uint32_t skip_holes(const JoinTable *t, uint32_t id)
{
    while (id < t->nids && id % VECTOR_CAPACITY >= t->build.chunks[id / VECTOR_CAPACITY].count)
        id = (id / VECTOR_CAPACITY + 1) * VECTOR_CAPACITY;
    return id;
}

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
        uint32_t id = skip_holes(s->t, s->chain_started ? s->cur_right : 0);
        s->chain_started = true;
        if (id >= s->t->nids) return NO_ROW;
        s->cur_right = id + 1;
        return id;
    }
    uint32_t id = s->chain_started ? s->cur_right : s->lfirst[i];
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
        /* vector_gather's copy (strings keep pointing into the build side's
         * heaps), a row at a time since each pair's row has its own chunk */
        size_t size = type_physical_size(dst->type);
        unsigned char *d = dst->data;
        for (uint32_t k = 0; k < n; k++) {
            uint32_t id = s->pair_right[k];
            uint32_t r = id % VECTOR_CAPACITY;
            const Vector *src = build_chunk(s, id)->cols[c];
            const unsigned char *from = (const unsigned char *)src->data + (size_t)r * size;
            switch (size) {
            case 4: memcpy(d + (size_t)k * 4, from, 4); break;
            case 8: memcpy(d + (size_t)k * 8, from, 8); break;
            case 16: memcpy(d + (size_t)k * 16, from, 16); break;
            default: memcpy(d + (size_t)k * size, from, size);
            }
            if (src->validity != NULL) vector_set_validity(dst, k, vector_is_valid(src, r));
            else if (dst->validity != NULL) vector_set_valid(dst, k);
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
        if (s->nkeys > 0 && !s->chain_started) {
            /* step over the rows without a candidate (most of them) in one tight loop */
            while (s->cur_left < s->lbatch.count && s->lfirst[s->cur_left] == NO_ROW) s->cur_left++;
            if (s->cur_left == s->lbatch.count) break;
        }
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

/* lfirst[i] for the rows of a left batch whose hashes are in lhash: one
 * read of the bucket word per row (the cache miss of a probe), with the
 * buckets of the rows PREFETCH_AHEAD further on requested meanwhile. */
static void find_first_candidates(HashJoinState *s, uint32_t n)
{
    const uint64_t *heads = s->t->heads;
    uint64_t mask = s->t->nbuckets - 1;
    for (uint32_t i = 0; i < n && i < PREFETCH_AHEAD; i++) __builtin_prefetch(&heads[s->lhash[i] & mask]);
    for (uint32_t i = 0; i < n; i++) {
        if (i + PREFETCH_AHEAD < n) __builtin_prefetch(&heads[s->lhash[i + PREFETCH_AHEAD] & mask]);
        uint64_t word = heads[s->lhash[i] & mask];
        uint32_t id = (word & bucket_tag_bit(s->lhash[i])) ? (uint32_t)word : NO_ROW;
        s->lfirst[i] = id;
        if (id != NO_ROW) {
            /* what keys_match reads next: requested now, read after the batch's other buckets */
            __builtin_prefetch(&s->t->row_hash[id]);
            const Vector *key = build_chunk(s, id)->cols[s->rkeys[0]];
            __builtin_prefetch((const char *)key->data + (size_t)(id % VECTOR_CAPACITY) * type_physical_size(key->type));
        }
    }
    for (int k = 0; k < s->nkeys; k++) {
        const Vector *v = s->lkey[k];
        if (v->validity == NULL) continue;
        for (uint32_t i = 0; i < n; i++)
            if (!vector_is_valid(v, i)) s->lfirst[i] = NO_ROW; /* NULL keys never match */
    }
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
        find_first_candidates(s, in->count);
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
            while (n < VECTOR_CAPACITY && (s->right_rest_next = skip_holes(s->t, s->right_rest_next)) < s->t->nids) {
                uint32_t id = s->right_rest_next++; /* right_matched is set: RIGHT/FULL */
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
        if (!add_build_batch(t, right, in, err)) {
            ok = false;
            break;
        }
        if (ctx->memory_limit <= 0) continue;
        uint64_t bytes = build_bytes(t, &sealed, &sealed_chunks);
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
    index_table(t, join->njoin_keys, join->right_keys, ctx->threads);
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
