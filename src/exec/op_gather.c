/* op_gather: runs its subtree (a streaming pipeline of filters and
 * projections over one scan) on worker threads and returns the rows in input
 * order, as PostgreSQL's Gather Merge would for an ordered input.
 *
 * The scan's input is split into morsels (exec/morsel.c).  Each worker takes
 * a morsel, builds its own execution tree of the subtree (plans are
 * read-only and shared; all mutable state is per tree), runs it to the end
 * of the morsel, and files the rows, deep-copied into a memtable, under the
 * morsel's sequence number.  next() hands out the memtables in sequence
 * order, chunk by chunk, so a query without ORDER BY still returns rows in
 * file order and the result does not depend on the thread count.  Errors
 * are filed the same way: the error returned is the one a serial scan would
 * have met first (morsels after a failed one are not started).
 *
 * Joins in the subtree (shared build, PlanNode.join_shared_build): the
 * workers run scan -> filter -> probe -> partial aggregate, and only what the
 * subtree returns crosses the gather.  On the first next() and before any
 * worker starts, the gather reads each such join's build side (which may be
 * a parallel scan of its own) into one hash table (exec/hash_join_shared.h)
 * that the workers' joins probe read-only.  A join reading a gather (such a
 * build side, or the right input of a join above the gather) takes the
 * chunks the gather returns over instead of copying them again
 * (gather_absorb_returned).  When a table outgrows the
 * join's memory budget, the gather gives up on parallelism instead: it
 * frees the tables and runs its subtree once, on its own thread, over the
 * whole input, where the join spills as a serial join does (the build side
 * is then read a second time).
 *
 * Memory: at most MAX_AHEAD finished-but-not-returned morsels per worker;
 * a worker that runs too far ahead of the reader waits.  The first error of
 * any worker stops all of them and is returned by next().  The shared join
 * tables count in the statement's memory total until the gather closes. */
#include <string.h>

#include "common/mem.h"
#include "exec/csv_scan.h"
#include "exec/exec.h"
#include "exec/hash_join_shared.h"
#include "exec/morsel.h"
#include "exec/scan_dataset.h"

#define MAX_AHEAD 2

typedef struct GatherState {
    ExecNode base;
    const PlanNode *plan;
    MorselQueue *queue;
    CsvSchema csv_schema;
    bool have_csv_schema;
    pthread_t *threads;
    int nthreads, nstarted;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    MemTable **ring;         /* finished morsels, at seq % ring_size */
    Error *ring_error;       /* a morsel's error, when ring_failed */
    bool *ring_failed;
    uint64_t first_failed;   /* lowest failed morsel (UINT64_MAX: none) */
    int ring_size;
    uint64_t next_seq;       /* next morsel to return */
    int workers_running;
    bool failed, cancelled;
    Error error;
    MemTable *current;       /* morsel being returned */
    int current_chunk;
    Batch *returned;         /* the chunk of current the last next() returned, or NULL */
    Batch empty;
    uint64_t bytes_done;     /* input bytes of finished morsels */
    uint64_t bytes_reported; /* of which already added to the statement's progress */
    int64_t memory_limit;    /* each worker's subtree gets the statement's limit */
    const char *temp_directory;
    ExecProfile *profile;    /* EXPLAIN ANALYZE: the workers' trees count into the statement's profile */
    ExecContext *statement;  /* where the workers' operators count the memory they hold */
    SharedJoinTables shared; /* the tables of the subtree's shared-build joins */
    bool started;            /* workers started (or the serial tree built) */
    bool start_failed;       /* building a shared table failed with error */
    ExecNode *serial;        /* a shared table was too big: the subtree run here over the whole input */
} GatherState;

/* A failure that is not a morsel's (the queue itself): returned at once. */
static void fail(GatherState *s, const Error *err)
{
    pthread_mutex_lock(&s->lock);
    if (!s->failed) {
        s->failed = true;
        s->error = *err;
    }
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

/* Run the subtree over one morsel into a fresh memtable. */
static MemTable *run_morsel(GatherState *s, const Morsel *m, Error *err)
{
    const PlanNode *sub = s->plan->child;
    ExecContext ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.threads = 1;
    ctx.memory_limit = s->memory_limit;
    ctx.statement = s->statement;
    ctx.temp_directory = s->temp_directory;
    ctx.profile = s->profile;
    ctx.morsel = m;
    ctx.morsel_scan = s->plan->scan;
    ctx.morsel_csv_schema = s->have_csv_schema ? &s->csv_schema : NULL;
    ctx.shared_joins = &s->shared;
    ExecNode *tree = exec_build(sub, &ctx, err);
    if (tree == NULL) return NULL;
    MemTable *out = mem_alloc(sizeof *out);
    memtable_init(out, sub->ncols, sub->types);
    for (;;) {
        Batch *b;
        if (!exec_next(tree, &b, err)) {
            exec_close(tree);
            memtable_destroy(out);
            mem_free(out);
            return NULL;
        }
        if (b->count == 0) break;
        memtable_append(out, b);
        if (__atomic_load_n(&s->cancelled, __ATOMIC_RELAXED)) break;
    }
    exec_close(tree);
    return out;
}

static void *worker_main(void *arg)
{
    GatherState *s = arg;
    for (;;) {
        Error err = ERROR_INIT;
        Morsel m;
        bool have;
        if (!morsel_queue_next(s->queue, &m, &have, &err)) {
            fail(s, &err);
            break;
        }
        if (!have) break;
        /* do not run more than the ring holds ahead of the reader */
        pthread_mutex_lock(&s->lock);
        while (!s->failed && !s->cancelled && m.seq >= s->next_seq + (uint64_t)s->ring_size)
            pthread_cond_wait(&s->cond, &s->lock);
        bool stop = s->failed || s->cancelled;
        pthread_mutex_unlock(&s->lock);
        if (stop) break;
        pthread_mutex_lock(&s->lock);
        stop = m.seq > s->first_failed; /* a serial scan would not get this far */
        pthread_mutex_unlock(&s->lock);
        if (stop) break;
        MemTable *rows = run_morsel(s, &m, &err);
        pthread_mutex_lock(&s->lock);
        size_t slot = (size_t)(m.seq % (uint64_t)s->ring_size);
        if (rows == NULL) {
            s->ring_failed[slot] = true;
            s->ring_error[slot] = err;
            if (m.seq < s->first_failed) s->first_failed = m.seq;
        }
        s->ring[slot] = rows;
        s->bytes_done += m.bytes;
        pthread_cond_broadcast(&s->cond);
        pthread_mutex_unlock(&s->lock);
    }
    pthread_mutex_lock(&s->lock);
    s->workers_running--;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static void release_current(GatherState *s)
{
    if (s->current) {
        memtable_destroy(s->current);
        mem_free(s->current);
        s->current = NULL;
    }
}

static bool start(GatherState *s, ExecContext *ctx, Error *err);
static const ExecNodeOps gather_ops;

static bool gather_next(ExecNode *node, Batch **out, Error *err)
{
    GatherState *s = (GatherState *)node;
    s->returned = NULL;
    if (!s->started && !start(s, node->ctx, &s->error)) s->start_failed = true;
    if (s->start_failed) {
        *err = s->error;
        return false;
    }
    if (s->serial) return exec_next(s->serial, out, err);
    for (;;) {
        if (s->current) {
            while (s->current_chunk < s->current->nchunks) {
                Batch *b = &s->current->chunks[s->current_chunk++];
                if (b->count > 0) {
                    s->returned = b;
                    *out = b;
                    return true;
                }
            }
            release_current(s);
        }
        pthread_mutex_lock(&s->lock);
        size_t index = (size_t)(s->next_seq % (uint64_t)s->ring_size);
        MemTable **slot = &s->ring[index];
        while (!s->failed && *slot == NULL && !s->ring_failed[index] && s->workers_running > 0)
            pthread_cond_wait(&s->cond, &s->lock);
        if (s->failed || s->ring_failed[index]) {
            *err = s->failed ? s->error : s->ring_error[index];
            pthread_mutex_unlock(&s->lock);
            return false;
        }
        if (*slot == NULL) {
            /* every worker has finished and nothing is left */
            pthread_mutex_unlock(&s->lock);
            s->empty.count = 0;
            *out = &s->empty;
            return true;
        }
        s->current = *slot;
        *slot = NULL;
        s->current_chunk = 0;
        s->next_seq++;
        /* several gathers (both sides of a join) add to the statement's count */
        node->ctx->bytes_done += s->bytes_done - s->bytes_reported;
        s->bytes_reported = s->bytes_done;
        node->ctx->rows_read += s->current->nrows;
        pthread_cond_broadcast(&s->cond);
        pthread_mutex_unlock(&s->lock);
        exec_report_progress(node->ctx);
    }
}

bool gather_absorb_returned(ExecNode *node, MemTable *t)
{
    if (node->ops != &gather_ops) return false;
    GatherState *s = (GatherState *)node;
    if (s->returned == NULL) return false;
    memtable_absorb(t, s->returned); /* a taken chunk is left empty: release_current skips it */
    s->returned = NULL;
    return true;
}

static void gather_close(ExecNode *node)
{
    GatherState *s = (GatherState *)node;
    pthread_mutex_lock(&s->lock);
    s->cancelled = true;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    for (int i = 0; i < s->nstarted; i++) pthread_join(s->threads[i], NULL);
    exec_close(s->serial);
    if (s->shared.tables)
        for (int i = 0; i < s->shared.n; i++) shared_join_table_free(s->shared.tables[i], s->statement);
    mem_free(s->shared.plans);
    mem_free(s->shared.tables);
    release_current(s);
    for (int i = 0; i < s->ring_size; i++)
        if (s->ring[i]) {
            memtable_destroy(s->ring[i]);
            mem_free(s->ring[i]);
        }
    mem_free(s->ring);
    mem_free(s->ring_error);
    mem_free(s->ring_failed);
    mem_free(s->threads);
    morsel_queue_free(s->queue);
    if (s->have_csv_schema) csv_schema_free(&s->csv_schema);
    batch_destroy(&s->empty);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->lock);
    mem_free(s);
}

static const ExecNodeOps gather_ops = {gather_next, gather_close};

/* Build the shared join tables, then start the workers (or, when a table is
 * too big, build the serial tree); ctx is the statement's.  On failure
 * gather_close still frees what was made. */
static bool start(GatherState *s, ExecContext *ctx, Error *err)
{
    const PlanNode *plan = s->plan, *scan = plan->scan;
    s->started = true;
    if (s->shared.n > 0) {
        s->shared.plans = mem_calloc((size_t)s->shared.n, sizeof(PlanNode *));
        s->shared.tables = mem_calloc((size_t)s->shared.n, sizeof(JoinTable *));
        int n = 0;
        bool too_big = false;
        for (const PlanNode *p = plan->child; p; p = p->child) {
            if (p->kind != PLAN_HASH_JOIN || !p->join_shared_build) continue;
            s->shared.plans[n] = p;
            if (!shared_join_table_build(p, ctx, &s->shared.tables[n], err)) return false;
            if (s->shared.tables[n++] == NULL) {
                too_big = true;
                break;
            }
        }
        if (too_big) {
            for (int i = 0; i < n; i++) {
                shared_join_table_free(s->shared.tables[i], s->statement);
                s->shared.tables[i] = NULL;
            }
            s->shared.n = 0;
            s->serial = exec_build(plan->child, ctx, err);
            return s->serial != NULL;
        }
    }
    s->queue = morsel_queue_create(scan, (uint64_t)plan->morsel_bytes, ctx, err);
    if (s->queue == NULL) return false;
    ctx->bytes_total += morsel_queue_total_bytes(s->queue);
    s->nthreads = plan->workers > 0 ? plan->workers : 1;
    s->ring_size = s->nthreads * MAX_AHEAD;
    s->ring = mem_calloc((size_t)s->ring_size, sizeof(MemTable *));
    s->ring_error = mem_calloc((size_t)s->ring_size, sizeof(Error));
    s->ring_failed = mem_calloc((size_t)s->ring_size, sizeof(bool));
    s->first_failed = UINT64_MAX;
    s->threads = mem_calloc((size_t)s->nthreads, sizeof(pthread_t));
    s->workers_running = s->nthreads;
    for (int i = 0; i < s->nthreads; i++) {
        if (pthread_create(&s->threads[i], NULL, worker_main, s) != 0) {
            pthread_mutex_lock(&s->lock);
            s->workers_running -= s->nthreads - i;
            pthread_mutex_unlock(&s->lock);
            if (i == 0) {
                error_set(err, ERR_INTERNAL, "could not start worker threads");
                return false;
            }
            break;
        }
        s->nstarted++;
    }
    return true;
}

ExecNode *op_gather_create(const PlanNode *plan, ExecContext *ctx, Error *err)
{
    const PlanNode *scan = plan->scan;
    GatherState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &gather_ops;
    s->plan = plan;
    s->memory_limit = ctx->memory_limit;
    s->statement = ctx->statement ? ctx->statement : ctx;
    s->temp_directory = ctx->temp_directory;
    s->profile = ctx->profile;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    batch_init_borrowed(&s->empty, plan->ncols);
    if (scan->kind == PLAN_CSV_SCAN) {
        /* the schema settled at bind time, as every range reader must use it */
        const ScanDataset *ds = scan->csv->dataset; /* a pruned dataset has at least one file here (it is large) */
        CsvReader *r = ds ? csv_reader_open_files(ds->paths, ds->nfiles, &scan->csv->options, err)
                          : csv_reader_open(scan->csv->pattern, &scan->csv->options, err);
        if (r == NULL) {
            gather_close(&s->base);
            return NULL;
        }
        csv_schema_copy(&s->csv_schema, csv_reader_schema(r));
        s->have_csv_schema = true;
        csv_reader_close(r);
    }
    /* the joins whose tables the workers share: on the probe chain, down to the scan */
    for (const PlanNode *p = plan->child; p; p = p->child)
        if (p->kind == PLAN_HASH_JOIN && p->join_shared_build) s->shared.n++;
    if (s->shared.n == 0 && !start(s, ctx, err)) {
        gather_close(&s->base);
        return NULL;
    }
    return &s->base;
}
