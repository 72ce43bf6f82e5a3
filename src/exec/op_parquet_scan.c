/* op_parquet_scan: reads the row groups of one or more Parquet files in
 * order and returns batches of the projected columns.
 *
 * Per row group one column reader per projected column is opened (each
 * holds its column chunk's bytes and one decompressed page), then batches of
 * up to VECTOR_CAPACITY rows are filled column by column.  Memory: the
 * projected column chunks of one row group, one page per column, the output
 * batch, and one file's footer. */
#include <string.h>

#include "common/mem.h"
#include "exec/parquet_scan.h"
#include "formats/parquet/parquet_reader.h"

typedef struct ParquetScanState {
    ExecNode base;
    const ParquetScanSpec *spec;
    int nout;
    const int *projection;     /* output column i = schema column projection[i] */
    int next_path;
    ParquetFile *file;
    int *file_cols;            /* output column i = file column file_cols[i] */
    int next_group;
    int64_t group_rows_left;
    ParquetColumnReader **readers;
    Batch batch;
} ParquetScanState;

static void close_group(ParquetScanState *s)
{
    for (int i = 0; i < s->nout; i++) {
        parquet_column_reader_close(s->readers[i]);
        s->readers[i] = NULL;
    }
}

/* Open the next file and map the scan's columns onto it. */
static bool open_file(ParquetScanState *s, Error *err)
{
    const char *path = s->spec->paths[s->next_path++];
    s->file = parquet_file_open(path, err);
    if (s->file == NULL) return false;
    s->next_group = 0;
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
    batch_reset(&s->batch);
    *out = &s->batch;
    while (s->group_rows_left == 0) {
        close_group(s);
        if (s->file && s->next_group < (int)s->file->meta.nrow_groups) {
            int g = s->next_group++;
            s->group_rows_left = s->file->meta.row_groups[g].num_rows;
            for (int i = 0; i < s->nout; i++) {
                s->readers[i] = parquet_column_reader_open(s->file, g, s->file_cols[i], err);
                if (s->readers[i] == NULL) return false;
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
    for (int i = 0; i < s->nout; i++)
        if (!parquet_column_reader_read(s->readers[i], s->batch.cols[i], 0, n, err)) return false;
    s->group_rows_left -= n;
    s->batch.count = n;
    return true;
}

static void parquet_scan_close(ExecNode *node)
{
    ParquetScanState *s = (ParquetScanState *)node;
    close_group(s);
    parquet_file_close(s->file);
    mem_free(s->readers);
    mem_free(s->file_cols);
    batch_destroy(&s->batch);
    mem_free(s);
}

static const ExecNodeOps parquet_scan_ops = {parquet_scan_next, parquet_scan_close};

static ExecNode *parquet_scan_create(const PlanNode *plan, ExecContext *ctx, Error *err)
{
    ParquetScanState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &parquet_scan_ops;
    s->spec = plan->scan_spec;
    s->nout = plan->ncols;
    s->projection = plan->nprojection > 0 ? plan->projection : NULL;
    s->readers = mem_calloc((size_t)s->nout + 1, sizeof *s->readers);
    s->file_cols = mem_calloc((size_t)s->nout + 1, sizeof *s->file_cols);
    batch_init(&s->batch, plan->ncols, plan->types, VECTOR_CAPACITY);
    return &s->base;
}

static void parquet_scan_explain(const PlanNode *plan, StrBuf *out)
{
    const ParquetScanSpec *spec = plan->scan_spec;
    strbuf_printf(out, " %s", spec->npaths > 0 ? spec->paths[0] : "");
    if (spec->npaths > 1) strbuf_printf(out, " (+%d files)", spec->npaths - 1);
}

const ScanProvider parquet_scan_provider = {"READ_PARQUET", true, parquet_scan_create, parquet_scan_explain, false};
