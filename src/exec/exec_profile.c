/* exec_profile: the counters of EXPLAIN ANALYZE (see exec.h).
 *
 * A profile is a list of ExecNodeStats, one per plan node, looked up by the
 * plan pointer when exec_build makes an ExecNode (under a mutex: workers of
 * a GATHER build their own trees of the same plan nodes, one per morsel,
 * and all of them add to the one entry).  exec_next calls
 * exec_next_profiled only for nodes with stats, so a statement that is not
 * analyzed pays one NULL test per batch.  Time is read with
 * clock_gettime(CLOCK_MONOTONIC) around each next(): it is inclusive (the
 * children's next() calls run inside it) and, for nodes run by workers,
 * summed over the threads.
 *
 * Memory: one small entry per plan node, freed with the profile. */
#include <pthread.h>
#include <time.h>

#include "common/mem.h"
#include "exec/exec.h"

struct ExecProfile {
    pthread_mutex_t lock;
    ExecNodeStats *first;
};

ExecProfile *exec_profile_new(void)
{
    ExecProfile *p = mem_calloc(1, sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
    return p;
}

ExecNodeStats *exec_profile_node(ExecProfile *profile, const PlanNode *plan)
{
    pthread_mutex_lock(&profile->lock);
    ExecNodeStats *st = profile->first;
    while (st && st->plan != plan) st = st->next_stats;
    if (st == NULL) {
        st = mem_calloc(1, sizeof *st);
        st->plan = plan;
        st->next_stats = profile->first;
        profile->first = st;
    }
    st->instances++;
    pthread_mutex_unlock(&profile->lock);
    return st;
}

const ExecNodeStats *exec_profile_find(const ExecProfile *profile, const PlanNode *plan)
{
    for (const ExecNodeStats *st = profile->first; st; st = st->next_stats)
        if (st->plan == plan) return st;
    return NULL;
}

void exec_profile_free(ExecProfile *profile)
{
    if (profile == NULL) return;
    ExecNodeStats *st = profile->first;
    while (st) {
        ExecNodeStats *next = st->next_stats;
        mem_free(st);
        st = next;
    }
    pthread_mutex_destroy(&profile->lock);
    mem_free(profile);
}

static uint64_t now_nanos(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool exec_next_profiled(ExecNode *node, Batch **out, Error *err)
{
    ExecNodeStats *st = node->stats;
    uint64_t start = now_nanos();
    bool ok = node->ops->next(node, out, err);
    __atomic_add_fetch(&st->nanos, now_nanos() - start, __ATOMIC_RELAXED);
    if (ok && (*out)->count > 0) {
        __atomic_add_fetch(&st->rows, (*out)->count, __ATOMIC_RELAXED);
        __atomic_add_fetch(&st->batches, 1, __ATOMIC_RELAXED);
    }
    return ok;
}
