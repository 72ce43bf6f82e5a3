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

/* EXPLAIN ANALYZE: what one plan node did, summed over every execution
 * tree built for it (the workers of a GATHER build one per morsel).  All
 * fields are updated with atomic adds, as workers share them. */
typedef struct ExecNodeStats {
    const PlanNode *plan;
    uint64_t rows;         /* rows returned */
    uint64_t batches;      /* non-empty batches returned */
    uint64_t nanos;        /* inclusive time spent in next() (summed over threads) */
    uint64_t peak_memory;  /* the largest state the operator reported (exec_note_memory) */
    uint64_t instances;    /* execution trees built for the node */
    struct ExecNodeStats *next_stats;
} ExecNodeStats;

/* The per-node statistics of one statement run under EXPLAIN ANALYZE
 * (exec_profile.c); exec_build looks a node's entry up by its plan. */
typedef struct ExecProfile ExecProfile;

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
    uint64_t row_groups_pruned;  /* Parquet row groups skipped from their statistics (atomic adds) */
    uint64_t files_opened;       /* data files opened by the scans (atomic adds; SHOW files_opened) */
    /* in a worker of a parallel scan (op_gather): the one morsel its scan reads */
    const struct Morsel *morsel;
    const PlanNode *morsel_scan;        /* the scan node the morsel belongs to */
    const struct CsvSchema *morsel_csv_schema;
    ExecProfile *profile;               /* EXPLAIN ANALYZE: count rows and time per node (else NULL) */
    uint64_t memory_held;               /* bytes the statement's operators hold (exec/memory_hold.h; atomic) */
    struct ExecContext *statement;      /* in a gather worker: the statement's context, where memory_held
                                           is counted (NULL: this context is the statement's) */
    const struct SharedJoinTables *shared_joins; /* in a gather worker: the hash tables its joins probe
                                                    (exec/hash_join_shared.h), or NULL */
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
    ExecNodeStats *stats;     /* EXPLAIN ANALYZE only (else NULL): exec_next counts rows and time here */
};

/* Tell EXPLAIN ANALYZE how many bytes the operator's state holds now (hash
 * table, sort buffer); it keeps the peak.  Cheap when not analyzing. */
static inline void exec_note_memory(ExecNode *node, uint64_t bytes)
{
    ExecNodeStats *st = node->stats;
    if (st == NULL) return;
    uint64_t seen = __atomic_load_n(&st->peak_memory, __ATOMIC_RELAXED);
    while (bytes > seen &&
           !__atomic_compare_exchange_n(&st->peak_memory, &seen, bytes, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
}

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

/* A new, empty profile for EXPLAIN ANALYZE. */
ExecProfile *exec_profile_new(void);
/* The statistics entry of a plan node, created on first use (thread-safe). */
ExecNodeStats *exec_profile_node(ExecProfile *profile, const PlanNode *plan);
/* The entry of a plan node if any execution tree was built for it, else NULL. */
const ExecNodeStats *exec_profile_find(const ExecProfile *profile, const PlanNode *plan);
/* Free a profile (NULL is fine). */
void exec_profile_free(ExecProfile *profile);
/* exec_next with counting and timing into node->stats (exec_profile.c). */
bool exec_next_profiled(ExecNode *node, Batch **out, Error *err);
/* What EXPLAIN shows besides the plan's shape. */
typedef struct ExplainOptions {
    const ExecProfile *profile; /* ANALYZE: a finished run's statistics (NULL: none) */
    bool timing;                /* ANALYZE: times, loops and memory besides rows */
    bool verbose;               /* conditions of filters and joins, scan hints */
} ExplainOptions;
/* plan_explain with options: with a profile, each node's rows, and with
 * timing its inclusive and self time, loops and peak memory. */
struct StrBuf;
void plan_explain_with(const PlanNode *plan, const ExplainOptions *opts, struct StrBuf *out);

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
