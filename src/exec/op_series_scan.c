/* op_series_scan: generate_series(start, stop[, step]) and range(...) as a
 * FROM source.  Values are produced a batch at a time: integers as
 * start + k * step with overflow checks (the series ends where the next
 * value would overflow, as in PostgreSQL), timestamps by adding the interval
 * step to the previous value (so months keep PostgreSQL's calendar
 * arithmetic: Jan 31 + 1 month = Feb 28, then Mar 28).
 * Memory: one output batch. */
#include "exec/series_scan.h"

#include "common/mem.h"
#include "exec/scan_provider.h"
#include "types/datetime.h"

typedef struct SeriesScanState {
    ExecNode base;
    const SeriesScanSpec *spec;
    Batch batch;
    int64_t next;  /* the next value to produce */
    bool done;
} SeriesScanState;

/* Whether value v is still inside the series. */
static bool in_series(const SeriesScanSpec *spec, int64_t v, bool ascending)
{
    if (spec->exclusive) return ascending ? v < spec->stop : v > spec->stop;
    return ascending ? v <= spec->stop : v >= spec->stop;
}

static bool series_next(ExecNode *node, Batch **out, Error *err)
{
    SeriesScanState *s = (SeriesScanState *)node;
    const SeriesScanSpec *spec = s->spec;
    Vector *col = s->batch.cols[0];
    uint32_t n = 0;
    bool timestamp = spec->type.id == TYPE_TIMESTAMP;
    bool ascending = timestamp ? datetime_interval_span(spec->interval_step) > 0 : spec->step > 0;
    while (!s->done && n < VECTOR_CAPACITY) {
        int64_t v = s->next;
        if (!in_series(spec, v, ascending)) {
            s->done = true;
            break;
        }
        if (spec->type.id == TYPE_INTEGER) ((int32_t *)col->data)[n] = (int32_t)v;
        else ((int64_t *)col->data)[n] = v;
        n++;
        int64_t following;
        if (timestamp) {
            Error ignored = ERROR_INIT;
            /* past the last representable timestamp the series ends, as PostgreSQL's does */
            if (!datetime_timestamp_add_interval(v, spec->interval_step, &following, &ignored)) s->done = true;
        } else if (__builtin_add_overflow(v, spec->step, &following) ||
                   (spec->type.id == TYPE_INTEGER && (following > INT32_MAX || following < INT32_MIN))) {
            s->done = true;
        }
        s->next = following;
    }
    s->batch.count = n;
    *out = &s->batch;
    return true;
}

static void series_close(ExecNode *node)
{
    SeriesScanState *s = (SeriesScanState *)node;
    batch_destroy(&s->batch);
    mem_free(s);
}

static const ExecNodeOps series_ops = {series_next, series_close};

static ExecNode *series_create(const PlanNode *plan, ExecContext *ctx, Error *err)
{
    SeriesScanState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &series_ops;
    s->spec = plan->scan_spec;
    batch_init(&s->batch, 1, &s->spec->type, VECTOR_CAPACITY);
    s->next = s->spec->start;
    s->done = s->spec->empty;
    return &s->base;
}

static void series_explain(const PlanNode *plan, StrBuf *out)
{
    const SeriesScanSpec *spec = plan->scan_spec;
    if (spec->type.id != TYPE_TIMESTAMP && !spec->empty)
        strbuf_printf(out, " start=%lld stop=%lld step=%lld", (long long)spec->start, (long long)spec->stop,
                      (long long)spec->step);
}

const ScanProvider series_scan_provider = {"SERIES", false, series_create, series_explain, false, NULL};
