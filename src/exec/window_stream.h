/* window_stream: window functions over a window partition larger than
 * memory (the input without PARTITION BY, or one huge partition), with
 * bounded memory.  op_window.c switches to it when it cannot split its input
 * by PARTITION BY any further; window_stream.c describes the method. */
#ifndef KILN_EXEC_WINDOW_STREAM_H
#define KILN_EXEC_WINDOW_STREAM_H

#include <stdbool.h>

#include "common/error.h"
#include "exec/exec.h"
#include "exec/spill.h"
#include "exec/window.h"
#include "types/decimal.h"

/* NULL if every function of w can be computed by the streaming evaluator,
 * else the first one that cannot (its result would need a whole partition
 * in memory: nth_value over an unbounded start, RANGE frames with offsets
 * or starting at the current row). */
const WindowFunc *window_stream_unsupported(const WindowSpec *w);
/* A node producing plan's window output (input columns, then one column per
 * function; partitions in key order, rows in window order) from the rows of
 * buffered (a rewound spill file, owned) followed by the rest of rest's rows
 * (borrowed: the caller closes rest), in input order.  The first call sorts
 * them externally (op_sort) and counts; later ones stream. Cannot fail. */
ExecNode *window_stream_create(const PlanNode *plan, SpillFile *buffered, ExecNode *rest, ExecContext *ctx);

/* Shared with op_window.c: the exact value (integer, bigint, numeric) of
 * f's argument at slot of v, and the storing of an exact sum or average of
 * count values into out[slot] in f's result type. */
kiln_int128 window_exact_value(const WindowFunc *f, const Vector *v, uint32_t slot);
bool window_store_exact(const WindowFunc *f, Vector *out, uint32_t slot, kiln_int128 sum, int64_t count, Error *err);

#endif
