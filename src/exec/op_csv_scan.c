/* op_csv_scan: reads CSV files through formats/csv's streaming reader, one
 * batch at a time, converting only the projected columns.  Progress (bytes
 * read of the total) is reported through the execution context.
 * In a worker of a parallel scan it reads only its morsel's byte range.
 * Memory: the reader's block buffer plus one output batch. */
#include "common/mem.h"
#include "exec/csv_scan.h"
#include "exec/exec.h"
#include "exec/morsel.h"

typedef struct CsvScanState {
    ExecNode base;
    CsvReader *reader;
    Batch batch;
    uint64_t last_bytes;
} CsvScanState;

static bool csv_scan_next(ExecNode *node, Batch **out, Error *err)
{
    CsvScanState *s = (CsvScanState *)node;
    batch_reset(&s->batch);
    if (!csv_reader_next(s->reader, &s->batch, err)) {
        /* a range reader counts lines from its range's start */
        const Morsel *m = node->ctx->morsel_scan == node->plan ? node->ctx->morsel : NULL;
        if (m && err->line > 0) err->line += m->first_line - 1;
        return false;
    }
    uint64_t bytes = csv_reader_bytes_read(s->reader);
    node->ctx->bytes_done += bytes - s->last_bytes;
    s->last_bytes = bytes;
    node->ctx->rows_read += s->batch.count;
    exec_report_progress(node->ctx);
    *out = &s->batch;
    return true;
}

static void csv_scan_close(ExecNode *node)
{
    CsvScanState *s = (CsvScanState *)node;
    batch_destroy(&s->batch);
    csv_reader_close(s->reader);
    mem_free(s);
}

static const ExecNodeOps csv_scan_ops = {csv_scan_next, csv_scan_close};

ExecNode *op_csv_scan_create(const PlanNode *plan, ExecContext *ctx, Error *err)
{
    const CsvScanSpec *spec = plan->csv;
    const Morsel *m = ctx->morsel_scan == plan ? ctx->morsel : NULL;
    CsvReader *reader = m ? csv_reader_open_range(m->path, ctx->morsel_csv_schema, &spec->options, m->start, m->end, err)
                          : csv_reader_open(spec->pattern, &spec->options, err);
    if (reader == NULL) return NULL;
    if (csv_reader_schema(reader)->ncols != spec->nschema_cols) {
        csv_reader_close(reader);
        error_set(err, ERR_DATA, "the files of \"%s\" changed while the statement was planned", spec->pattern);
        return NULL;
    }
    csv_reader_project(reader, spec->projection, spec->nprojection);
    CsvScanState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &csv_scan_ops;
    s->reader = reader;
    csv_reader_init_batch(reader, &s->batch);
    ctx->bytes_total += csv_reader_bytes_total(reader);
    return &s->base;
}
