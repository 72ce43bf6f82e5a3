/* reader_scan: one or several database readers as an execution node (see
 * reader_scan.h).
 *
 * Serial (one reader): rows are decoded straight into one batch.
 * Parallel: each reader runs in its own thread, decoding into freshly
 * allocated batches that go through a bounded queue (2 per reader) to the
 * consumer; batches of different readers interleave, so rows come in no
 * particular order.  The first error of any reader stops the others and is
 * returned.  Closing early (LIMIT) stops each worker after the batch it is
 * decoding; closing a reader stops its read on the server.
 * Memory: serial, one batch; parallel, per reader the batch being decoded
 * and up to two queued batches.
 *
 * db_scan_create / db_scan_explain: what read_postgres and read_mysql share
 * on top of that: one reader per partition condition, each ANDed with the
 * filter pushed down into the remote query, and the EXPLAIN line (the
 * connection without its password, the SELECT sent, the partitions). */
#include "exec/reader_scan.h"

#include <pthread.h>
#include <string.h>

#include "common/mem.h"
#include "connectors/conninfo.h"

typedef struct ReaderScanState ReaderScanState;

typedef struct ReaderWorker {
    ReaderScanState *scan;
    void *reader;
    pthread_t thread;
    bool started;
} ReaderWorker;

struct ReaderScanState {
    ExecNode base;
    const ScanReaderOps *ops;
    int ncols;
    const LogicalType *types;
    /* serial */
    void *reader;
    Batch batch;
    /* parallel */
    int nworkers;
    ReaderWorker *workers;
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    Batch **queue; /* ring of cap batches */
    int head, count, cap;
    int running;   /* workers not finished */
    bool stop, failed;
    Error first_error;
    Batch *current; /* the batch last returned (freed on the next pull) */
    Batch empty;
};

static void batch_free(Batch *b)
{
    if (b == NULL) return;
    batch_destroy(b);
    mem_free(b);
}

static void *worker_main(void *arg)
{
    ReaderWorker *w = arg;
    ReaderScanState *s = w->scan;
    for (;;) {
        Batch *b = mem_calloc(1, sizeof *b);
        batch_init(b, s->ncols, s->types, 0);
        Error err = ERROR_INIT;
        bool ok = s->ops->next(w->reader, b, &err);
        pthread_mutex_lock(&s->mu);
        if (!ok && !s->failed) {
            s->failed = true;
            s->first_error = err;
        }
        if (!ok || b->count == 0 || s->stop) {
            if (!ok) s->stop = true;
            pthread_mutex_unlock(&s->mu);
            batch_free(b);
            break;
        }
        while (s->count == s->cap && !s->stop) pthread_cond_wait(&s->not_full, &s->mu);
        if (s->stop) {
            pthread_mutex_unlock(&s->mu);
            batch_free(b);
            break;
        }
        s->queue[(s->head + s->count) % s->cap] = b;
        s->count++;
        pthread_cond_signal(&s->not_empty);
        pthread_mutex_unlock(&s->mu);
    }
    pthread_mutex_lock(&s->mu);
    s->running--;
    pthread_cond_broadcast(&s->not_empty);
    pthread_cond_broadcast(&s->not_full);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static bool reader_scan_next(ExecNode *node, Batch **out, Error *err)
{
    ReaderScanState *s = (ReaderScanState *)node;
    if (s->nworkers == 0) {
        batch_reset(&s->batch);
        if (!s->ops->next(s->reader, &s->batch, err)) return false;
        *out = &s->batch;
        return true;
    }
    batch_free(s->current);
    s->current = NULL;
    pthread_mutex_lock(&s->mu);
    while (s->count == 0 && s->running > 0 && !s->failed) pthread_cond_wait(&s->not_empty, &s->mu);
    if (s->failed) {
        *err = s->first_error;
        pthread_mutex_unlock(&s->mu);
        return false;
    }
    if (s->count == 0) { /* every reader is done */
        pthread_mutex_unlock(&s->mu);
        *out = &s->empty;
        return true;
    }
    s->current = s->queue[s->head];
    s->head = (s->head + 1) % s->cap;
    s->count--;
    pthread_cond_signal(&s->not_full);
    pthread_mutex_unlock(&s->mu);
    *out = s->current;
    return true;
}

static void reader_scan_close(ExecNode *node)
{
    ReaderScanState *s = (ReaderScanState *)node;
    if (s->nworkers == 0) {
        batch_destroy(&s->batch);
        s->ops->close(s->reader);
        mem_free(s);
        return;
    }
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_cond_broadcast(&s->not_full);
    pthread_mutex_unlock(&s->mu);
    for (int i = 0; i < s->nworkers; i++)
        if (s->workers[i].started) pthread_join(s->workers[i].thread, NULL);
    for (int i = 0; i < s->nworkers; i++) s->ops->close(s->workers[i].reader);
    for (int k = 0; k < s->count; k++) batch_free(s->queue[(s->head + k) % s->cap]);
    batch_free(s->current);
    batch_destroy(&s->empty);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->not_empty);
    pthread_cond_destroy(&s->not_full);
    mem_free(s->queue);
    mem_free(s->workers);
    mem_free(s);
}

static const ExecNodeOps reader_scan_ops = {reader_scan_next, reader_scan_close};

ExecNode *reader_scan_create(const ScanReaderOps *ops, void **readers, int nreaders, int ncols,
                             const LogicalType *types, const char *what, Error *err)
{
    ReaderScanState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &reader_scan_ops;
    s->ops = ops;
    s->ncols = ncols;
    s->types = types;
    if (nreaders == 1) {
        s->reader = readers[0];
        batch_init(&s->batch, ncols, types, 0);
        return &s->base;
    }
    s->nworkers = nreaders;
    s->workers = mem_calloc((size_t)nreaders, sizeof(ReaderWorker));
    s->cap = 2 * nreaders;
    s->queue = mem_calloc((size_t)s->cap, sizeof(Batch *));
    batch_init(&s->empty, ncols, types, 1);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->not_empty, NULL);
    pthread_cond_init(&s->not_full, NULL);
    for (int i = 0; i < nreaders; i++) {
        s->workers[i].scan = s;
        s->workers[i].reader = readers[i];
    }
    bool ok = true;
    for (int i = 0; i < nreaders && ok; i++) {
        pthread_mutex_lock(&s->mu);
        s->running++;
        pthread_mutex_unlock(&s->mu);
        if (pthread_create(&s->workers[i].thread, NULL, worker_main, &s->workers[i]) != 0) {
            pthread_mutex_lock(&s->mu);
            s->running--;
            pthread_mutex_unlock(&s->mu);
            ok = error_set(err, ERR_INTERNAL, "could not start a thread for %s", what);
        } else {
            s->workers[i].started = true;
        }
    }
    if (!ok) {
        reader_scan_close(&s->base);
        return NULL;
    }
    return &s->base;
}

/* ---- database sources: readers per partition, EXPLAIN ---- */

int *db_scan_columns(const PlanNode *plan)
{
    int *cols = mem_calloc((size_t)plan->ncols + 1, sizeof(int));
    for (int i = 0; i < plan->ncols; i++) cols[i] = plan->projection ? plan->projection[i] : i;
    return cols;
}

/* A partition's condition ANDed with the pushed-down filter (caller frees; NULL = no condition). */
static char *reader_where(const char *partition, const char *pushed)
{
    if (partition == NULL) return pushed ? mem_strdup(pushed) : NULL;
    StrBuf sb = STRBUF_INIT;
    if (pushed) strbuf_printf(&sb, "(%s) AND %s", partition, pushed);
    else strbuf_puts(&sb, partition);
    return strbuf_take(&sb);
}

ExecNode *db_scan_create(const PlanNode *plan, const DbScanOps *ops, const char *const *partitions, int npartitions,
                         Error *err)
{
    int *cols = db_scan_columns(plan);
    char *pushed = ops->pushed_where(plan);
    int n = npartitions > 0 ? npartitions : 1;
    void **readers = mem_calloc((size_t)n, sizeof(void *));
    bool ok = true;
    for (int i = 0; i < n && ok; i++) {
        char *where = reader_where(npartitions > 0 ? partitions[i] : NULL, pushed);
        readers[i] = ops->open(plan, cols, plan->ncols, where, err);
        mem_free(where);
        ok = readers[i] != NULL;
    }
    mem_free(pushed);
    mem_free(cols);
    ExecNode *node = NULL;
    if (ok) node = reader_scan_create(&ops->reader, readers, n, plan->ncols, plan->types, ops->what, err);
    else
        for (int i = 0; i < n; i++) ops->reader.close(readers[i]);
    mem_free(readers);
    return node;
}

void db_scan_explain(const PlanNode *plan, const DbScanOps *ops, const char *connection,
                     const char *const *partitions, int npartitions, StrBuf *out)
{
    int *cols = db_scan_columns(plan);
    char *pushed = ops->pushed_where(plan);
    char *sql = ops->select_sql(plan, cols, plan->ncols, pushed);
    char *shown = conninfo_redact(connection);
    strbuf_printf(out, " %s: %s", shown, sql);
    if (npartitions > 0) {
        strbuf_printf(out, " partitions=%d:", npartitions);
        for (int i = 0; i < npartitions; i++) strbuf_printf(out, "%s (%s)", i ? "," : "", partitions[i]);
    }
    mem_free(shown);
    mem_free(sql);
    mem_free(pushed);
    mem_free(cols);
}
