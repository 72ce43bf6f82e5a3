/* Unit tests of EXPLAIN ANALYZE's counters (exec/exec_profile.c): one entry
 * per plan node shared by every tree built for it, rows counted per batch,
 * the peak of the memory operators report, and no counting without a
 * profile. */
#include "common/mem.h"
#include "exec/exec.h"
#include "unit.h"

typedef struct CountingSource {
    ExecNode base;
    Batch batch;
    int left; /* batches still to return */
} CountingSource;

static bool source_next(ExecNode *node, Batch **out, Error *err)
{
    CountingSource *s = (CountingSource *)node;
    s->batch.count = s->left-- > 0 ? 100 : 0;
    *out = &s->batch;
    return true;
}

static void source_close(ExecNode *node) { batch_destroy(&((CountingSource *)node)->batch); }

static const ExecNodeOps source_ops = {source_next, source_close};

static void drain(ExecNode *n)
{
    Batch *b;
    Error err = ERROR_INIT;
    while (exec_next(n, &b, &err) && b->count > 0) {
    }
}

TEST(exec_profile_counts_rows_of_every_tree_of_a_plan_node)
{
    PlanNode plan = {0};
    ExecProfile *profile = exec_profile_new();
    CountingSource a = {0}, b = {0};
    a.base.ops = b.base.ops = &source_ops;
    batch_init_borrowed(&a.batch, 0);
    batch_init_borrowed(&b.batch, 0);
    a.left = 3;
    b.left = 2;
    /* two workers' copies of one plan node */
    a.base.stats = exec_profile_node(profile, &plan);
    b.base.stats = exec_profile_node(profile, &plan);
    CHECK(a.base.stats == b.base.stats);
    drain(&a.base);
    drain(&b.base);
    const ExecNodeStats *st = exec_profile_find(profile, &plan);
    CHECK(st != NULL);
    CHECK_EQ_INT(st->rows, 500);
    CHECK_EQ_INT(st->batches, 5);
    CHECK_EQ_INT(st->instances, 2);
    PlanNode other = {0};
    CHECK(exec_profile_find(profile, &other) == NULL);
    exec_note_memory(&a.base, 1000);
    exec_note_memory(&b.base, 4000);
    exec_note_memory(&a.base, 2000);
    CHECK_EQ_INT(st->peak_memory, 4000);
    source_close(&a.base);
    source_close(&b.base);
    exec_profile_free(profile);
}

TEST(exec_profile_off_counts_nothing)
{
    CountingSource a = {0};
    a.base.ops = &source_ops;
    batch_init_borrowed(&a.batch, 0);
    a.left = 1;
    exec_note_memory(&a.base, 123); /* no stats: nothing to update, no crash */
    drain(&a.base);
    CHECK(a.base.stats == NULL);
    CHECK_EQ_INT(a.left, -1);
    source_close(&a.base);
}
