/* exec: running a plan.  Each plan node gets an ExecNode with its own state;
 * exec_next pulls the next batch of rows from the root (a batch with count 0
 * means the input is exhausted).  A returned batch stays valid until the next
 * call on the same node.  One file per operator: op_<name>.c. */
#ifndef KILN_EXEC_EXEC_H
#define KILN_EXEC_EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "exec/plan.h"
#include "types/batch.h"

typedef void (*ExecProgressFn)(void *ctx, uint64_t bytes_done, uint64_t bytes_total, uint64_t rows);

/* What every operator of one statement's execution shares. */
typedef struct ExecContext {
    ExecProgressFn progress;  /* may be NULL */
    void *progress_ctx;
    uint64_t bytes_done;      /* input bytes read so far (sources add to it) */
    uint64_t bytes_total;     /* input bytes known in total */
    uint64_t rows_produced;   /* rows returned by the root */
    uint64_t rows_read;       /* rows read by the scans (progress) */
    int threads;
    int64_t memory_limit;        /* bytes; operators spill to temp_directory beyond it */
    const char *temp_directory;
    uint64_t spilled_bytes;      /* written to spill files by this statement (atomic adds) */
    /* in a worker of a parallel scan (op_gather): the one morsel its scan reads */
    const struct Morsel *morsel;
    const PlanNode *morsel_scan;        /* the scan node the morsel belongs to */
    const struct CsvSchema *morsel_csv_schema;
} ExecContext;

typedef struct ExecNode ExecNode;

typedef struct ExecNodeOps {
    /* Produce the next batch into *out (count 0 = end). */
    bool (*next)(ExecNode *node, Batch **out, Error *err);
    /* Free the node's state (not its children). */
    void (*close)(ExecNode *node);
} ExecNodeOps;

struct ExecNode {
    const ExecNodeOps *ops;
    const PlanNode *plan;
    ExecNode *child;
    ExecContext *ctx;
};

/* Tell the progress callback (if any) how far the statement's input has
 * been read; sources call it, so long scans under an aggregate or a sort
 * still show progress. */
static inline void exec_report_progress(ExecContext *ctx)
{
    if (ctx->progress)
        ctx->progress(ctx->progress_ctx, ctx->bytes_done, ctx->bytes_total,
                      ctx->rows_read ? ctx->rows_read : ctx->rows_produced);
}

/* Build the execution state tree for a plan. */
ExecNode *exec_build(const PlanNode *plan, ExecContext *ctx, Error *err);
/* Pull the next batch from a node (count 0 = end). */
bool exec_next(ExecNode *node, Batch **out, Error *err);
/* Free a whole execution tree. */
void exec_close(ExecNode *node);

/* Operator constructors, one per op_*.c file. */
ExecNode *op_one_row_create(const PlanNode *plan, ExecContext *ctx, Error *err);
ExecNode *op_values_create(const PlanNode *plan, ExecContext *ctx, Error *err);
ExecNode *op_table_scan_create(const PlanNode *plan, ExecContext *ctx, Error *err);
ExecNode *op_csv_scan_create(const PlanNode *plan, ExecContext *ctx, Error *err);
ExecNode *op_filter_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, Error *err);
ExecNode *op_project_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, Error *err);
ExecNode *op_limit_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, Error *err);
ExecNode *op_hash_aggregate_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, Error *err);
ExecNode *op_hash_join_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, Error *err);
ExecNode *op_gather_create(const PlanNode *plan, ExecContext *ctx, Error *err);
ExecNode *op_sort_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, Error *err);
ExecNode *op_union_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, Error *err);
ExecNode *op_setop_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, Error *err);
ExecNode *op_unique_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, Error *err);
ExecNode *op_window_create(const PlanNode *plan, ExecNode *child, ExecContext *ctx, Error *err);

#endif
