/* op_postgres_scan: read_postgres(...): a ScanProvider over
 * connectors/postgres's binary COPY reader.  Projection pushdown: only the
 * plan's columns are named in the COPY's SELECT.
 *
 * Serial: one connection, rows decoded straight into one batch.
 * Parallel (partition_column ... num_partitions, as Spark's JDBC source):
 * one connection per partition condition, all COPYs started when the node
 * is created (so connection errors come at once), each read by its own
 * thread into freshly allocated batches that go through a bounded queue
 * (2 per partition) to the consumer; batches of different partitions
 * interleave, so rows come in no particular order.  The first error of any
 * partition stops the others and is returned.  Closing early (LIMIT) stops
 * each worker after the batch it is decoding; pg_reader_close cancels its
 * COPY on the server.
 * Memory: serial, the connection plus one batch; parallel, per partition a
 * connection, the batch being decoded and up to two queued batches. */
#include "exec/postgres_scan.h"

#include <pthread.h>
#include <string.h>

#include "common/mem.h"
#include "exec/scan_provider.h"

typedef struct PostgresScanState PostgresScanState;

typedef struct PgWorker {
    PostgresScanState *scan;
    PgReader *reader;
    pthread_t thread;
    bool started;
} PgWorker;

struct PostgresScanState {
    ExecNode base;
    int ncols;
    const LogicalType *types;
    /* serial */
    PgReader *reader;
    Batch batch;
    /* parallel */
    int nworkers;
    PgWorker *workers;
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
    PgWorker *w = arg;
    PostgresScanState *s = w->scan;
    for (;;) {
        Batch *b = mem_calloc(1, sizeof *b);
        batch_init(b, s->ncols, s->types, 0);
        Error err = ERROR_INIT;
        bool ok = pg_reader_next(w->reader, b, &err);
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

static bool postgres_scan_next(ExecNode *node, Batch **out, Error *err)
{
    PostgresScanState *s = (PostgresScanState *)node;
    if (s->nworkers == 0) {
        batch_reset(&s->batch);
        if (!pg_reader_next(s->reader, &s->batch, err)) return false;
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
    if (s->count == 0) { /* every partition is done */
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

static void postgres_scan_close(ExecNode *node)
{
    PostgresScanState *s = (PostgresScanState *)node;
    if (s->nworkers == 0) {
        batch_destroy(&s->batch);
        pg_reader_close(s->reader);
        mem_free(s);
        return;
    }
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_cond_broadcast(&s->not_full);
    pthread_mutex_unlock(&s->mu);
    for (int i = 0; i < s->nworkers; i++)
        if (s->workers[i].started) pthread_join(s->workers[i].thread, NULL);
    for (int i = 0; i < s->nworkers; i++) pg_reader_close(s->workers[i].reader);
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

static const ExecNodeOps postgres_scan_ops = {postgres_scan_next, postgres_scan_close};

/* The schema columns the plan reads (all, or plan->projection). */
static int *scan_columns(const PlanNode *plan)
{
    int *cols = mem_calloc((size_t)plan->ncols + 1, sizeof(int));
    for (int i = 0; i < plan->ncols; i++) cols[i] = plan->projection ? plan->projection[i] : i;
    return cols;
}

static ExecNode *postgres_scan_create(const PlanNode *plan, ExecContext *ctx, Error *err)
{
    const PostgresScanSpec *spec = plan->scan_spec;
    int *cols = scan_columns(plan);
    PostgresScanState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &postgres_scan_ops;
    s->ncols = plan->ncols;
    s->types = plan->types;
    if (spec->npartitions == 0) {
        s->reader = pg_reader_open(spec->conninfo, spec->source, &spec->schema, cols, plan->ncols, NULL, err);
        mem_free(cols);
        if (s->reader == NULL) {
            mem_free(s);
            return NULL;
        }
        batch_init(&s->batch, plan->ncols, plan->types, 0);
        return &s->base;
    }
    s->nworkers = spec->npartitions;
    s->workers = mem_calloc((size_t)s->nworkers, sizeof(PgWorker));
    s->cap = 2 * s->nworkers;
    s->queue = mem_calloc((size_t)s->cap, sizeof(Batch *));
    batch_init(&s->empty, plan->ncols, plan->types, 1);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->not_empty, NULL);
    pthread_cond_init(&s->not_full, NULL);
    bool ok = true;
    for (int i = 0; i < s->nworkers && ok; i++) {
        s->workers[i].scan = s;
        s->workers[i].reader =
            pg_reader_open(spec->conninfo, spec->source, &spec->schema, cols, plan->ncols, spec->partitions[i], err);
        ok = s->workers[i].reader != NULL;
    }
    mem_free(cols);
    for (int i = 0; i < s->nworkers && ok; i++) {
        pthread_mutex_lock(&s->mu);
        s->running++;
        pthread_mutex_unlock(&s->mu);
        if (pthread_create(&s->workers[i].thread, NULL, worker_main, &s->workers[i]) != 0) {
            pthread_mutex_lock(&s->mu);
            s->running--;
            pthread_mutex_unlock(&s->mu);
            ok = error_set(err, ERR_INTERNAL, "could not start a thread for a PostgreSQL partition");
        } else {
            s->workers[i].started = true;
        }
    }
    if (!ok) {
        postgres_scan_close(&s->base);
        return NULL;
    }
    return &s->base;
}

static void postgres_scan_explain(const PlanNode *plan, StrBuf *out)
{
    const PostgresScanSpec *spec = plan->scan_spec;
    int *cols = scan_columns(plan);
    char *sql = pg_select_sql(spec->source, &spec->schema, cols, plan->ncols, NULL);
    char *shown = pg_redact_conninfo(spec->conninfo);
    strbuf_printf(out, " %s: %s", shown, sql);
    if (spec->npartitions > 0) {
        strbuf_printf(out, " partitions=%d:", spec->npartitions);
        for (int i = 0; i < spec->npartitions; i++) strbuf_printf(out, "%s (%s)", i ? "," : "", spec->partitions[i]);
    }
    mem_free(shown);
    mem_free(sql);
    mem_free(cols);
}

const ScanProvider postgres_scan_provider = {"READ_POSTGRES", true, postgres_scan_create, postgres_scan_explain, false};
