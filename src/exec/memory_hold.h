/* memory_hold: one memory_limit for a whole statement.
 *
 * Each operator that holds data in memory (hash aggregate, sort, set
 * operation, hash join, window) already spills past its own budget, a share
 * of memory_limit.  Alone that lets a plan with several such operators hold
 * several shares at once: an aggregate over a join over a sort could take
 * 1.5 times the limit.  So each of them also reports what it holds to a
 * total kept in the statement's ExecContext (shared with the workers of a
 * parallel scan), and spills when the total passes memory_limit and it
 * holds a fair part of it (at least MEMORY_HOLD_MIN_SHARE of the limit: an
 * operator that has just started has nothing worth writing out).
 *
 * What is not counted: the batches in flight between operators, a parallel
 * scan's buffered morsels, and the Parquet writers (which keep their own
 * budget, a share of memory_limit, in the partitioned writer). */
#ifndef KILN_EXEC_MEMORY_HOLD_H
#define KILN_EXEC_MEMORY_HOLD_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/exec.h"

/* An operator's reported bytes; zero-initialised = holds nothing. */
typedef struct MemoryHold {
    uint64_t bytes;
} MemoryHold;

#define MEMORY_HOLD_MIN_SHARE 16 /* an operator may be asked to spill once it holds limit / 16 */

/* Report that the operator now holds bytes; true when it should spill:
 * past its own budget, or when the statement's operators together hold
 * more than memory_limit and this one at least limit / MEMORY_HOLD_MIN_SHARE. */
bool memory_hold_update(ExecContext *ctx, MemoryHold *hold, uint64_t bytes, uint64_t budget);
/* The operator holds nothing any more (its state was freed). */
void memory_hold_release(ExecContext *ctx, MemoryHold *hold);
/* What the statement's operators hold together (bytes). */
uint64_t memory_hold_total(const ExecContext *ctx);

#endif
