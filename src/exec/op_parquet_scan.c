/* op_parquet_scan: reads the row groups of one or more Parquet files in
 * order and returns batches of the projected columns.
 *
 * Per row group one column reader per projected column is pointed at its
 * chunk (each holds the chunk's bytes and one decompressed page, and keeps
 * its buffers from one row group to the next), then batches of
 * up to VECTOR_CAPACITY rows are filled column by column.  Memory: the
 * projected column chunks of one row group, one page per column, the output
 * batch, and one file's footer.
 *
 * Row groups that the filter hints rule out from their statistics
 * (formats/parquet/parquet_stats_filter.h) are skipped before any column
 * chunk is read, and counted in ctx->row_groups_pruned; a file whose every
 * row group is ruled out costs only its footer.  Inside a row group that may
 * match, each batch's hint columns are read first, and when their minimum,
 * maximum and NULLs rule the batch out (parquet_stats_filter_rows_may_match;
 * a file sorted on the filtered column has long such stretches) the other
 * columns' rows are passed over without being converted and the batch is
 * not returned.  A scan with no column (count(*)) reads only row counts
 * from the footers.
 *
 * Parallel scans: the morsel source below hands out one row group at a time
 * (file order, then row-group order, already pruned); the scan built in a
 * worker reads only its morsel's row groups, with column readers taken from
 * a pool the morsel source shares (their buffers outlive one morsel). */
#include <string.h>

#include "common/mem.h"
#include "exec/morsel.h"
#include "exec/parquet_scan.h"
#include "formats/parquet/parquet_reader.h"
#include "exec/scan_dataset.h"
#include "formats/parquet/parquet_stats_filter.h"
#include "io/fs.h"

typedef struct ParquetScanState {
    ExecNode base;
    const ParquetScanSpec *spec;
    int nout;
    const int *projection;     /* output column i = schema column projection[i] */
    int next_path;
    ParquetFile *file;
    int *file_cols;            /* output column i = file column file_cols[i] */
    int next_group;
    int end_group;             /* row groups [next_group, end_group) of the file are left */
    const Morsel *morsel;      /* in a worker: the only row groups to read */
    ParquetStatsFilter *filter; /* NULL: no pruning */
    ParquetStatsFilter *rows_filter; /* NULL: no batch skipping; else the hint columns are read first */
    bool *is_hint;             /* output column i is one the hints look at */
    Vector **hint_values;      /* per schema column: its output vector if a hint looks at it, else NULL */
    bool count_only;           /* no column is read: rows are counted from the footers, values are NULL */
    int64_t group_rows_left;
    ParquetColumnReader **readers;
    ParquetReaderPool *pool;   /* in a worker: readers' buffers shared by the morsels of the scan */
    Batch batch;
    DatasetColumns *partitions; /* Hive partition columns (scan_dataset.h): batch holds only the file's columns */
} ParquetScanState;

/* Free the column readers (between row groups they are kept and pointed at
 * the next chunk, reusing their buffers). */
static void close_readers(ParquetScanState *s)
{
    for (int i = 0; i < s->nout; i++) {
        parquet_column_reader_release(s->pool, s->readers[i]);
        s->readers[i] = NULL;
    }
}

/* Open the next file and map the scan's columns onto it. */
static bool open_file(ParquetScanState *s, Error *err)
{
    const char *path = s->morsel ? s->morsel->path : s->spec->paths[s->next_path];
    s->next_path = s->morsel ? s->spec->npaths : s->next_path + 1;
    s->file = parquet_file_open(path, err);
    if (s->file == NULL) return false;
    if (!s->morsel) __atomic_add_fetch(&s->base.ctx->files_opened, 1, __ATOMIC_RELAXED); /* else: the morsel source's */
    s->next_group = 0;
    s->end_group = (int)s->file->meta.nrow_groups;
    if (s->morsel) {
        if (s->morsel->end > (uint64_t)s->end_group || s->morsel->start > s->morsel->end) {
            error_set(err, ERR_DATA, "Parquet file changed while it was read");
            error_set_location(err, path, 0, 0);
            return false;
        }
        s->next_group = (int)s->morsel->start;
        s->end_group = (int)s->morsel->end;
    }
    for (int i = 0; i < s->nout; i++) {
        int sc = s->projection ? s->projection[i] : i;
        const char *name = s->spec->names[sc];
        int found = -1;
        for (int c = 0; c < s->file->ncols && found < 0; c++)
            if (strcmp(s->file->cols[c].name, name) == 0) found = c;
        if (found < 0) {
            error_set(err, ERR_DATA, "column \"%s\" is missing from this file (read_parquet needs every file to have the first file's columns)", name);
            error_set_location(err, path, 0, 0);
            return false;
        }
        if (!s->file->cols[found].unsupported && !type_equal(s->file->cols[found].type, s->spec->types[sc])) {
            char a[64], b[64];
            error_set(err, ERR_DATA, "column \"%s\" has type %s here but %s in the first file", name,
                      type_name(s->file->cols[found].type, a, sizeof a), type_name(s->spec->types[sc], b, sizeof b));
            error_set_location(err, path, 0, 0);
            return false;
        }
        s->file_cols[i] = found;
    }
    return true;
}

static bool parquet_scan_next(ExecNode *node, Batch **out, Error *err)
{
    ParquetScanState *s = (ParquetScanState *)node;
    for (;;) {
        batch_reset(&s->batch);
        *out = &s->batch;
        while (s->group_rows_left == 0) {
            if (s->file && s->next_group < s->end_group) {
                int g = s->next_group++;
                if (!parquet_stats_filter_may_match(s->filter, s->file, g)) {
                    __atomic_add_fetch(&node->ctx->row_groups_pruned, 1, __ATOMIC_RELAXED);
                    continue;
                }
                s->group_rows_left = s->file->meta.row_groups[g].num_rows;
                /* remote files: this row group's chunks in one batch, the next one's in the background */
                int ahead = s->next_group < s->end_group && parquet_stats_filter_may_match(s->filter, s->file, s->next_group)
                                ? s->next_group : -1;
                if (!s->count_only && !parquet_file_prefetch(s->file, g, ahead, s->file_cols, s->nout, err)) return false;
                for (int i = 0; i < s->nout && !s->count_only; i++) {
                    if (s->readers[i] == NULL) {
                        s->readers[i] = parquet_column_reader_open_pooled(s->pool, s->file, g, s->file_cols[i], err);
                        if (s->readers[i] == NULL) return false;
                    } else if (!parquet_column_reader_reopen(s->readers[i], s->file, g, s->file_cols[i], err)) {
                        return false;
                    }
                    node->ctx->bytes_done += (uint64_t)s->file->meta.row_groups[g].columns[s->file->cols[s->file_cols[i]].leaf].meta.total_compressed_size;
                }
                continue;
            }
            parquet_file_close(s->file);
            s->file = NULL;
            if (s->next_path >= s->spec->npaths) return true; /* count 0: the end */
            if (!open_file(s, err)) return false;
        }
        uint32_t n = s->group_rows_left < VECTOR_CAPACITY ? (uint32_t)s->group_rows_left : VECTOR_CAPACITY;
        if (s->rows_filter && !s->count_only) {
            /* the hint columns first: if their values rule the rows out, the others are only passed over */
            for (int i = 0; i < s->nout; i++)
                if (s->is_hint[i] && !parquet_column_reader_read(s->readers[i], s->batch.cols[i], 0, n, err)) return false;
            if (!parquet_stats_filter_rows_may_match(s->rows_filter, s->hint_values, n)) {
                for (int i = 0; i < s->nout; i++)
                    if (!s->is_hint[i] && !parquet_column_reader_skip(s->readers[i], n, err)) return false;
                s->group_rows_left -= n;
                continue;
            }
        }
        for (int i = 0; i < s->nout; i++) {
            if (s->count_only) {
                for (uint32_t r = 0; r < n; r++) vector_set_null(s->batch.cols[i], r);
            } else if ((s->rows_filter == NULL || !s->is_hint[i]) &&
                       !parquet_column_reader_read(s->readers[i], s->batch.cols[i], 0, n, err)) {
                return false;
            }
        }
        s->group_rows_left -= n;
        s->batch.count = n;
        return true;
    }
}

static void parquet_scan_close(ExecNode *node)
{
    ParquetScanState *s = (ParquetScanState *)node;
    close_readers(s);
    parquet_file_close(s->file);
    parquet_stats_filter_free(s->filter);
    parquet_stats_filter_free(s->rows_filter);
    mem_free(s->is_hint);
    mem_free(s->hint_values);
    mem_free(s->readers);
    mem_free(s->file_cols);
    batch_destroy(&s->batch);
    if (s->partitions) dataset_columns_destroy(s->partitions);
    mem_free(s->partitions);
    mem_free(s);
}

static const ExecNodeOps parquet_scan_ops = {parquet_scan_next, parquet_scan_close};

/* A scan of a Hive layout: the file's columns, then the partition values of
 * the file they came from. */
static bool parquet_dataset_next(ExecNode *node, Batch **out, Error *err)
{
    ParquetScanState *s = (ParquetScanState *)node;
    if (!parquet_scan_next(node, out, err)) return false;
    const ScanDataset *ds = s->spec->dataset;
    int file = s->morsel ? scan_dataset_file_index(ds, s->morsel->path) : s->next_path - 1;
    *out = dataset_columns_output(s->partitions, ds, file, *out);
    return true;
}

static const ExecNodeOps parquet_dataset_ops = {parquet_dataset_next, parquet_scan_close};

/* The row-group filter of a scan's hints; a Hive partition key is left out
 * (its values come from the paths: a file column of the same name, which
 * the key replaces, says nothing about them). */
static ParquetStatsFilter *scan_stats_filter(const PlanNode *plan)
{
    const ParquetScanSpec *spec = plan->scan_spec;
    if (plan->nscan_filters == 0 || spec->ncols <= 0) return NULL;
    const char **names = mem_calloc((size_t)spec->ncols, sizeof *names);
    for (int i = 0; i < spec->ncols; i++) {
        bool key = spec->dataset && spec->dataset->key_of_column && i < spec->dataset->nschema &&
                   spec->dataset->key_of_column[i] >= 0;
        names[i] = key ? NULL : spec->names[i];
    }
    ParquetStatsFilter *f = parquet_stats_filter_create(plan->scan_filters, plan->nscan_filters, spec->ncols, names,
                                                        spec->types);
    mem_free(names);
    return f;
}

/* Batch skipping (parquet_stats_filter_rows_may_match): when every column
 * the hints look at is read, those are read first in each batch. */
static void setup_rows_filter(ParquetScanState *s, const PlanNode *plan)
{
    const ParquetScanSpec *spec = s->spec;
    if (s->count_only) return;
    ParquetStatsFilter *f = scan_stats_filter(plan);
    if (f == NULL) return;
    bool *used = mem_calloc((size_t)spec->ncols + 1, sizeof *used);
    parquet_stats_filter_columns(f, used);
    s->is_hint = mem_calloc((size_t)s->nout + 1, sizeof *s->is_hint);
    s->hint_values = mem_calloc((size_t)spec->ncols + 1, sizeof *s->hint_values);
    int found = 0, wanted = 0;
    for (int c = 0; c < spec->ncols; c++) wanted += used[c];
    for (int i = 0; i < s->nout; i++) {
        int sc = s->projection ? s->projection[i] : i;
        if (!used[sc] || s->hint_values[sc] != NULL) continue;
        s->is_hint[i] = true;
        s->hint_values[sc] = s->batch.cols[i];
        found++;
    }
    mem_free(used);
    if (found < wanted || found == s->nout) {
        /* a hint column is not read (nothing to judge by), or no other column is (nothing to skip) */
        parquet_stats_filter_free(f);
        mem_free(s->is_hint);
        mem_free(s->hint_values);
        s->is_hint = NULL;
        s->hint_values = NULL;
        return;
    }
    s->rows_filter = f;
}

static ExecNode *parquet_scan_create(const PlanNode *plan, ExecContext *ctx, Error *err)
{
    ParquetScanState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &parquet_scan_ops;
    s->spec = plan->scan_spec;
    s->nout = plan->ncols;
    s->projection = plan->nprojection > 0 ? plan->projection : NULL;
    s->readers = mem_calloc((size_t)s->nout + 1, sizeof *s->readers);
    s->file_cols = mem_calloc((size_t)s->nout + 1, sizeof *s->file_cols);
    s->morsel = ctx->morsel_scan == plan ? ctx->morsel : NULL;
    s->pool = s->morsel ? s->morsel->shared : NULL;
    s->count_only = plan->count_only;
    if (s->morsel == NULL) /* a worker's morsel has been pruned already */
        s->filter = scan_stats_filter(plan);
    if (s->spec->dataset && s->spec->dataset->nkeys > 0) {
        /* the partition columns come from the paths: read only the others */
        s->partitions = mem_alloc(sizeof *s->partitions);
        dataset_columns_init(s->partitions, s->spec->dataset, s->projection, plan->ncols);
        s->nout = s->partitions->nread;
        s->projection = s->partitions->read;
        LogicalType *types = mem_calloc((size_t)s->nout + 1, sizeof *types);
        for (int i = 0; i < s->nout; i++) types[i] = s->spec->types[s->projection[i]];
        batch_init(&s->batch, s->nout, types, VECTOR_CAPACITY);
        mem_free(types);
        s->base.ops = &parquet_dataset_ops;
        setup_rows_filter(s, plan);
        return &s->base;
    }
    batch_init(&s->batch, plan->ncols, plan->types, VECTOR_CAPACITY);
    setup_rows_filter(s, plan);
    return &s->base;
}

static void parquet_scan_explain(const PlanNode *plan, StrBuf *out)
{
    const ParquetScanSpec *spec = plan->scan_spec;
    strbuf_printf(out, " %s", spec->npaths > 0 ? spec->paths[0] : "");
    if (spec->npaths > 1) strbuf_printf(out, " (+%d files)", spec->npaths - 1);
}

/* ---- morsels: one row group each ---- */

typedef struct ParquetMorselSource {
    const PlanNode *plan;
    const ParquetScanSpec *spec;
    ExecContext *ctx;
    ParquetStatsFilter *filter;
    ParquetReaderPool *pool;   /* column readers of finished morsels, for the next ones */
    int next_path;
    ParquetFile *file;     /* the file being split (its footer only) */
    int next_group;
    uint64_t total_bytes;
} ParquetMorselSource;

static void morsel_source_free(void *p)
{
    ParquetMorselSource *src = p;
    if (src == NULL) return;
    parquet_file_close(src->file);
    parquet_stats_filter_free(src->filter);
    parquet_reader_pool_free(src->pool);
    mem_free(src);
}

static void *morsel_source_open(const PlanNode *plan, ExecContext *ctx, Error *err)
{
    ParquetMorselSource *src = mem_calloc(1, sizeof *src);
    src->plan = plan;
    src->spec = plan->scan_spec;
    src->ctx = ctx;
    for (int i = 0; i < src->spec->npaths; i++) {
        uint64_t size;
        if (!fs_file_size(src->spec->paths[i], &size, err)) {
            morsel_source_free(src);
            return NULL;
        }
        src->total_bytes += size;
    }
    src->filter = scan_stats_filter(plan);
    src->pool = parquet_reader_pool_new();
    return src;
}

/* The next row group that may match, as a morsel; files are opened one at a
 * time for their footers (column mapping errors are the workers' to find). */
static bool morsel_source_next(void *p, Morsel *out, bool *have, Error *err)
{
    ParquetMorselSource *src = p;
    *have = false;
    for (;;) {
        if (src->file && src->next_group < (int)src->file->meta.nrow_groups) {
            int g = src->next_group++;
            if (!parquet_stats_filter_may_match(src->filter, src->file, g)) {
                __atomic_add_fetch(&src->ctx->row_groups_pruned, 1, __ATOMIC_RELAXED);
                continue;
            }
            const PqRowGroup *rg = &src->file->meta.row_groups[g];
            out->path = src->spec->paths[src->next_path - 1];
            out->start = (uint64_t)g;
            out->end = (uint64_t)g + 1;
            out->first_line = 0;
            out->shared = src->pool;
            out->bytes = rg->has_total_compressed_size && rg->total_compressed_size > 0 ? (uint64_t)rg->total_compressed_size
                         : rg->total_byte_size > 0 ? (uint64_t)rg->total_byte_size : 0;
            *have = true;
            return true;
        }
        parquet_file_close(src->file);
        src->file = NULL;
        if (src->next_path >= src->spec->npaths) return true;
        src->file = parquet_file_open(src->spec->paths[src->next_path++], err);
        if (src->file == NULL) return false;
        __atomic_add_fetch(&src->ctx->files_opened, 1, __ATOMIC_RELAXED);
        src->next_group = 0;
    }
}

static uint64_t morsel_source_total_bytes(void *p) { return ((ParquetMorselSource *)p)->total_bytes; }

/* Worth splitting: more than one file, or one file larger than a morsel of
 * which at least two row groups may match the filter hints (a morsel is one
 * row group: with one left there is nothing to share between workers, and a
 * serial scan streams its rows instead of copying them for a gather; this
 * is the parquet_selective case, one row group of 49 read).  The footer read
 * here is cached for the scan (parquet_file_open). */
static bool morsel_is_large(const PlanNode *plan, uint64_t morsel_bytes)
{
    const ParquetScanSpec *spec = plan->scan_spec;
    if (spec->npaths > 1) return true;
    uint64_t size;
    Error err = ERROR_INIT;
    if (spec->npaths != 1 || !fs_file_size(spec->paths[0], &size, &err) || size <= morsel_bytes) return false;
    ParquetFile *pf = parquet_file_open(spec->paths[0], &err);
    if (pf == NULL) return true; /* the scan reports the error */
    ParquetStatsFilter *filter = scan_stats_filter(plan);
    int may_match = 0;
    for (int g = 0; g < (int)pf->meta.nrow_groups && may_match < 2; g++)
        may_match += parquet_stats_filter_may_match(filter, pf, g);
    parquet_stats_filter_free(filter);
    parquet_file_close(pf);
    return may_match >= 2;
}

static const ScanMorselOps parquet_morsel_ops = {morsel_is_large, morsel_source_open, morsel_source_next,
                                                 morsel_source_total_bytes, morsel_source_free};

const ScanProvider parquet_scan_provider = {"READ_PARQUET", true, parquet_scan_create, parquet_scan_explain, true,
                                            &parquet_morsel_ops};
