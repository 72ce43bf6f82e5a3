/* op_csv_scan: reads CSV files through formats/csv's streaming reader, one
 * batch at a time, converting only the projected columns.  Progress (bytes
 * read of the total) is reported through the execution context.
 * In a worker of a parallel scan it reads only its morsel's byte range.
 * Memory: the reader's block buffer plus one output batch. */
#include "common/mem.h"
#include "exec/csv_scan.h"
#include "exec/exec.h"
#include "exec/morsel.h"
#include "exec/scan_dataset.h"

typedef struct CsvScanState {
    ExecNode base;
    CsvReader *reader;
    Batch batch;
    uint64_t last_bytes;
    DatasetColumns *partitions;  /* a Hive dataset's columns (scan_dataset.h), NULL = none */
    int morsel_file;             /* in a worker: the morsel's file among the dataset's */
    uint64_t files_counted;      /* of csv_reader_files_opened, added to ctx->files_opened */
} CsvScanState;

static bool csv_scan_next(ExecNode *node, Batch **out, Error *err)
{
    CsvScanState *s = (CsvScanState *)node;
    batch_reset(&s->batch);
    if (!csv_reader_next(s->reader, &s->batch, err)) return false;
    uint64_t bytes = csv_reader_bytes_read(s->reader);
    node->ctx->bytes_done += bytes - s->last_bytes;
    s->last_bytes = bytes;
    node->ctx->rows_read += s->batch.count;
    exec_report_progress(node->ctx);
    *out = &s->batch;
    if (node->ctx->morsel_scan != node->plan) { /* a worker's files are counted by the morsel queue */
        uint64_t opened = csv_reader_files_opened(s->reader);
        __atomic_add_fetch(&node->ctx->files_opened, opened - s->files_counted, __ATOMIC_RELAXED);
        s->files_counted = opened;
    }
    if (s->partitions) {
        int file = s->morsel_file >= 0 ? s->morsel_file : csv_reader_batch_file_index(s->reader);
        *out = dataset_columns_output(s->partitions, node->plan->csv->dataset, file, &s->batch);
    }
    return true;
}

static void csv_scan_close(ExecNode *node)
{
    CsvScanState *s = (CsvScanState *)node;
    batch_destroy(&s->batch);
    csv_reader_close(s->reader);
    if (s->partitions) dataset_columns_destroy(s->partitions);
    mem_free(s->partitions);
    mem_free(s);
}

static const ExecNodeOps csv_scan_ops = {csv_scan_next, csv_scan_close};

ExecNode *op_csv_scan_create(const PlanNode *plan, ExecContext *ctx, Error *err)
{
    const CsvScanSpec *spec = plan->csv;
    const Morsel *m = ctx->morsel_scan == plan ? ctx->morsel : NULL;
    const ScanDataset *ds = spec->dataset; /* files listed (and pruned) before execution */
    if (ds && !m && ds->nfiles == 0) return scan_dataset_empty_node(plan, ctx);
    CsvReader *reader = m    ? csv_reader_open_range(m->path, ctx->morsel_csv_schema, &spec->options, m->start, m->end, err)
                        : ds ? csv_reader_open_files(ds->paths, ds->nfiles, &spec->options, err)
                             : csv_reader_open(spec->pattern, &spec->options, err);
    if (reader == NULL) return NULL;
    if (m) csv_reader_set_first_line(reader, m->first_line); /* line numbers (errors, rejects, lineage) as in the whole file */
    if (csv_reader_schema(reader)->ncols != spec->nschema_cols) {
        csv_reader_close(reader);
        error_set(err, ERR_DATA, "the files of \"%s\" changed while the statement was planned", spec->pattern);
        return NULL;
    }
    CsvScanState *s = mem_calloc(1, sizeof *s);
    s->morsel_file = -1;
    if (ds && ds->nkeys > 0) {
        /* partition columns come from the paths: the reader reads the others */
        s->partitions = mem_alloc(sizeof *s->partitions);
        dataset_columns_init(s->partitions, ds, spec->projection, spec->nprojection);
        csv_reader_project(reader, s->partitions->read, s->partitions->nread);
        if (m) s->morsel_file = scan_dataset_file_index(ds, m->path);
    } else {
        csv_reader_project(reader, spec->projection, spec->nprojection);
    }
    s->base.ops = &csv_scan_ops;
    s->reader = reader;
    csv_reader_init_batch(reader, &s->batch);
    ctx->bytes_total += csv_reader_bytes_total(reader);
    return &s->base;
}
