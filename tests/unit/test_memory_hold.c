/* Unit tests of exec/memory_hold: operators' reports add up to one total
 * per statement (a gather worker's context counts into its statement's),
 * an operator is told to spill past its own budget or, when the total
 * passes memory_limit, once it holds a fair part of it; releases give the
 * memory back. */
#include <string.h>

#include "exec/memory_hold.h"
#include "unit.h"

#define MB (1024u * 1024u)

TEST(memory_hold_counts_one_total_per_statement)
{
    ExecContext statement, worker;
    memset(&statement, 0, sizeof statement);
    memset(&worker, 0, sizeof worker);
    statement.memory_limit = 64 * MB;
    worker.memory_limit = 64 * MB;
    worker.statement = &statement;
    uint64_t budget = 32 * MB; /* each operator's own share */
    MemoryHold join = {0}, aggregate = {0}, sort = {0};

    CHECK(!memory_hold_update(&statement, &join, 25 * MB, budget));
    CHECK(!memory_hold_update(&worker, &aggregate, 25 * MB, budget));
    CHECK_EQ_INT((int64_t)memory_hold_total(&worker), 50 * MB);
    CHECK_EQ_INT((int64_t)memory_hold_total(&statement), 50 * MB);
    /* 60 MB together: still under the limit */
    CHECK(!memory_hold_update(&statement, &sort, 10 * MB, budget));
    /* 66 MB: the one that grows is asked to spill, each under its own share */
    CHECK(memory_hold_update(&statement, &sort, 16 * MB, budget));
    CHECK(memory_hold_update(&statement, &join, 25 * MB, budget));
    /* an operator with little memory is not asked: it has nothing worth writing */
    MemoryHold small = {0};
    CHECK(!memory_hold_update(&statement, &small, MB, budget));
    /* its own budget still applies alone */
    CHECK(memory_hold_update(&statement, &small, 40 * MB, budget));
    memory_hold_release(&statement, &small);
    CHECK_EQ_INT((int64_t)small.bytes, 0);

    /* after the sort wrote its rows out and reported what is left */
    CHECK(!memory_hold_update(&statement, &sort, 2 * MB, budget));
    CHECK(!memory_hold_update(&statement, &join, 25 * MB, budget));
    CHECK_EQ_INT((int64_t)memory_hold_total(&statement), 52 * MB);

    memory_hold_release(&worker, &aggregate);
    memory_hold_release(&statement, &join);
    memory_hold_release(&statement, &sort);
    memory_hold_release(&statement, &sort); /* twice: nothing more */
    CHECK_EQ_INT((int64_t)memory_hold_total(&statement), 0);
}

TEST(memory_hold_without_a_limit_only_counts)
{
    ExecContext ctx;
    memset(&ctx, 0, sizeof ctx);
    MemoryHold h = {0};
    CHECK(!memory_hold_update(&ctx, &h, 1000 * MB, UINT64_MAX));
    CHECK_EQ_INT((int64_t)memory_hold_total(&ctx), 1000 * MB);
    memory_hold_release(&ctx, &h);
    CHECK_EQ_INT((int64_t)memory_hold_total(&ctx), 0);
}
