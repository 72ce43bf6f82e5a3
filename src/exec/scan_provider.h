/* scan_provider: how a data source outside the core (Parquet files, JSON
 * files, database tables ...) plugs into plans and execution without
 * exec.c or plan.h knowing it.  A PLAN_EXTERNAL_SCAN node carries a provider
 * and the provider's own bind-time description of the scan (`scan_spec`).
 *
 * Column pruning: if the provider supports it, the optimizer narrows
 * plan->ncols/types/names and sets plan->projection (for output column i,
 * the index into the provider's full schema); create() must honour it.
 *
 * Filter hints: if the provider asks for them, the optimizer copies the
 * conditions of the filters above the scan into plan->scan_filters
 * (sql/opt_scan_hints.c), so that the provider can skip partitions, files or
 * row groups that no row of could pass. */
#ifndef KILN_EXEC_SCAN_PROVIDER_H
#define KILN_EXEC_SCAN_PROVIDER_H

#include <stdbool.h>

#include "common/strbuf.h"
#include "exec/exec.h"

struct Morsel;

/* Optional morsel-driven parallelism of an external scan (exec/morsel.c,
 * op_gather.c): the provider splits its input into morsels, and its scan,
 * built in a worker with ctx->morsel_scan == plan, reads only ctx->morsel. */
typedef struct ScanMorselOps {
    /* Whether the input is big enough to be worth several morsels. */
    bool (*is_large)(const PlanNode *plan, uint64_t morsel_bytes);
    /* Start splitting; ctx is the statement's (for its counters). */
    void *(*open)(const PlanNode *plan, ExecContext *ctx, Error *err);
    /* The next morsel in input order (the queue numbers it; called under the
     * queue's lock); *have false at the end. */
    bool (*next)(void *source, struct Morsel *out, bool *have, Error *err);
    /* Total input bytes, for progress. */
    uint64_t (*total_bytes)(void *source);
    void (*free)(void *source);
} ScanMorselOps;

typedef struct ScanProvider {
    const char *name;          /* in EXPLAIN: "READ_PARQUET" */
    bool supports_projection;  /* create() honours plan->projection */
    /* Build the execution node of a PLAN_EXTERNAL_SCAN node. */
    ExecNode *(*create)(const PlanNode *plan, ExecContext *ctx, Error *err);
    /* Optional: append details of the scan to EXPLAIN (after the name). */
    void (*explain)(const PlanNode *plan, StrBuf *out);
    /* The optimizer fills plan->scan_filters: conditions every output row
     * must pass, which the provider may use to skip data that cannot match
     * (never to drop rows on its own: the filter above still runs). */
    bool supports_filter_hints;
    /* NULL: the scan always runs in one thread. */
    const ScanMorselOps *morsels;
} ScanProvider;

#endif
