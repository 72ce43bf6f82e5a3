/* memory_hold: the statement-wide total of operator memory (see memory_hold.h).
 * The total is one counter in the statement's ExecContext, changed with
 * atomic adds of each operator's difference since its last report, so
 * worker threads report into it without a lock. */
#include "exec/memory_hold.h"

/* The context that keeps the statement's total: a gather worker's context
 * points to it, any other context is its own. */
static ExecContext *statement_context(const ExecContext *ctx)
{
    return ctx->statement ? ctx->statement : (ExecContext *)ctx;
}

bool memory_hold_update(ExecContext *ctx, MemoryHold *hold, uint64_t bytes, uint64_t budget)
{
    ExecContext *st = statement_context(ctx);
    uint64_t total;
    if (bytes >= hold->bytes)
        total = __atomic_add_fetch(&st->memory_held, bytes - hold->bytes, __ATOMIC_RELAXED);
    else
        total = __atomic_sub_fetch(&st->memory_held, hold->bytes - bytes, __ATOMIC_RELAXED);
    hold->bytes = bytes;
    if (bytes > budget) return true;
    if (ctx->memory_limit <= 0) return false;
    uint64_t limit = (uint64_t)ctx->memory_limit;
    return total > limit && bytes >= limit / MEMORY_HOLD_MIN_SHARE;
}

void memory_hold_release(ExecContext *ctx, MemoryHold *hold)
{
    if (hold->bytes == 0) return;
    __atomic_sub_fetch(&statement_context(ctx)->memory_held, hold->bytes, __ATOMIC_RELAXED);
    hold->bytes = 0;
}

uint64_t memory_hold_total(const ExecContext *ctx)
{
    return __atomic_load_n(&statement_context(ctx)->memory_held, __ATOMIC_RELAXED);
}
