/* parquet_encode_pool: a FIFO task queue served by pthreads (see the
 * header).  One mutex guards the queue and every group's counters; workers
 * wait on `work` for tasks, waiters on `done`, which is broadcast whenever
 * a task finishes (groups are few and tasks coarse: a whole column chunk,
 * so the broadcast costs nothing measurable). */
#include "formats/parquet/parquet_encode_pool.h"

#include <pthread.h>
#include <string.h>

#include "common/mem.h"

typedef struct PqTask {
    PqTaskFn fn;
    void *arg;
    PqTaskGroup *group;
    int index;            /* within the group */
    struct PqTask *next;
} PqTask;

struct PqEncodePool {
    pthread_mutex_t lock;
    pthread_cond_t work;  /* a task was queued, or stop */
    pthread_cond_t done;  /* a task finished */
    PqTask *head, *tail;
    bool stop;
    int nthreads;
    pthread_t *threads;
};

static void *worker_main(void *arg)
{
    PqEncodePool *pool = arg;
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        while (pool->head == NULL && !pool->stop) pthread_cond_wait(&pool->work, &pool->lock);
        if (pool->head == NULL) break; /* stop, and nothing left */
        PqTask *t = pool->head;
        pool->head = t->next;
        if (pool->head == NULL) pool->tail = NULL;
        pthread_mutex_unlock(&pool->lock);
        Error err;
        error_clear(&err);
        bool ok = t->fn(t->arg, &err);
        pthread_mutex_lock(&pool->lock);
        PqTaskGroup *g = t->group;
        if (!ok && (g->failed_index < 0 || t->index < g->failed_index)) {
            g->failed_index = t->index;
            g->error = err;
        }
        g->pending--;
        pthread_cond_broadcast(&pool->done);
        mem_free(t);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

PqEncodePool *pq_encode_pool_new(int threads)
{
    if (threads < 1) threads = 1;
    PqEncodePool *pool = mem_calloc(1, sizeof *pool);
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->work, NULL);
    pthread_cond_init(&pool->done, NULL);
    pool->threads = mem_calloc((size_t)threads, sizeof *pool->threads);
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&pool->threads[i], NULL, worker_main, pool) != 0) break;
        pool->nthreads++;
    }
    /* no thread at all (the system refused): tasks then run in the caller (see submit) */
    return pool;
}

void pq_encode_pool_free(PqEncodePool *pool)
{
    if (pool == NULL) return;
    pthread_mutex_lock(&pool->lock);
    pool->stop = true;
    pthread_cond_broadcast(&pool->work);
    pthread_mutex_unlock(&pool->lock);
    for (int i = 0; i < pool->nthreads; i++) pthread_join(pool->threads[i], NULL);
    pthread_cond_destroy(&pool->done);
    pthread_cond_destroy(&pool->work);
    pthread_mutex_destroy(&pool->lock);
    mem_free(pool->threads);
    mem_free(pool);
}

int pq_encode_pool_threads(const PqEncodePool *pool)
{
    return pool->nthreads;
}

void pq_task_group_init(PqTaskGroup *g)
{
    memset(g, 0, sizeof *g);
    g->failed_index = -1;
}

void pq_encode_pool_submit(PqEncodePool *pool, PqTaskGroup *g, PqTaskFn fn, void *arg)
{
    int index = g->ntasks++;
    if (pool->nthreads == 0) {
        Error err;
        error_clear(&err);
        if (!fn(arg, &err) && g->failed_index < 0) g->failed_index = index, g->error = err;
        return;
    }
    PqTask *t = mem_alloc(sizeof *t);
    t->fn = fn;
    t->arg = arg;
    t->group = g;
    t->index = index;
    t->next = NULL;
    pthread_mutex_lock(&pool->lock);
    g->pending++;
    if (pool->tail) pool->tail->next = t;
    else pool->head = t;
    pool->tail = t;
    pthread_cond_signal(&pool->work);
    pthread_mutex_unlock(&pool->lock);
}

bool pq_task_group_finished(PqEncodePool *pool, PqTaskGroup *g)
{
    pthread_mutex_lock(&pool->lock);
    bool finished = g->pending == 0;
    pthread_mutex_unlock(&pool->lock);
    return finished;
}

bool pq_task_group_wait(PqEncodePool *pool, PqTaskGroup *g, Error *err)
{
    pthread_mutex_lock(&pool->lock);
    while (g->pending > 0) pthread_cond_wait(&pool->done, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
    if (g->failed_index >= 0) {
        if (err) *err = g->error;
        return false;
    }
    return true;
}

void pq_task_group_cancel(PqEncodePool *pool, PqTaskGroup *g)
{
    pthread_mutex_lock(&pool->lock);
    PqTask **link = &pool->head;
    pool->tail = NULL;
    while (*link) {
        PqTask *t = *link;
        if (t->group == g) {
            *link = t->next;
            g->pending--;
            mem_free(t);
        } else {
            pool->tail = t;
            link = &t->next;
        }
    }
    while (g->pending > 0) pthread_cond_wait(&pool->done, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
}
