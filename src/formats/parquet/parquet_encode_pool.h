/* parquet_encode_pool: worker threads that encode and compress Parquet
 * column chunks for one or more writers (parquet_writer.c).
 *
 * A writer hands each complete row group to the pool as a task group: one
 * task per column chunk.  Tasks run in submission order (FIFO) on the
 * pool's threads; a group is finished when all its tasks are.  The group
 * keeps the first error by task index (so the error reported does not
 * depend on which thread ran first).  A cancelled group's queued tasks are
 * dropped and its running ones waited for, so the caller may free what the
 * tasks use as soon as the cancel returns.
 *
 * Memory: one small node per queued task; the threads' stacks. */
#ifndef KILN_FORMATS_PARQUET_PARQUET_ENCODE_POOL_H
#define KILN_FORMATS_PARQUET_PARQUET_ENCODE_POOL_H

#include <stdbool.h>

#include "common/error.h"

typedef struct PqEncodePool PqEncodePool;

/* A task: true on success, else false with err set. */
typedef bool (*PqTaskFn)(void *arg, Error *err);

/* A set of tasks waited for together (owned by the caller; fields private). */
typedef struct PqTaskGroup {
    int ntasks;        /* submitted */
    int pending;       /* submitted and not finished (or dropped) */
    int failed_index;  /* lowest failed task, -1 = none */
    Error error;       /* its error */
} PqTaskGroup;

/* A pool of `threads` workers (at least 1). */
PqEncodePool *pq_encode_pool_new(int threads);
/* Stop and join the workers; no group may be pending (NULL is fine). */
void pq_encode_pool_free(PqEncodePool *pool);
/* The number of workers. */
int pq_encode_pool_threads(const PqEncodePool *pool);

/* An empty group. */
void pq_task_group_init(PqTaskGroup *g);
/* Queue fn(arg) as the group's next task. */
void pq_encode_pool_submit(PqEncodePool *pool, PqTaskGroup *g, PqTaskFn fn, void *arg);
/* True if every task of the group has finished (does not wait). */
bool pq_task_group_finished(PqEncodePool *pool, PqTaskGroup *g);
/* Wait for the group; false with the first failed task's error. */
bool pq_task_group_wait(PqEncodePool *pool, PqTaskGroup *g, Error *err);
/* Drop the group's queued tasks and wait for its running ones. */
void pq_task_group_cancel(PqEncodePool *pool, PqTaskGroup *g);

#endif
