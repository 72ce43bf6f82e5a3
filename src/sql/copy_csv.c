/* copy_csv: COPY's CSV format: the writer (formats/csv/csv_writer.c behind
 * the CopyWriter protocol) and the reader (a CSV scan with the table's
 * columns declared). */
#include <string.h>

#include "common/mem.h"
#include "sql/copy_formats.h"

typedef struct CsvCopyWriter {
    CopyWriter base;
    CsvWriter *writer;
} CsvCopyWriter;

static bool csv_sink_begin(ResultSink *sink, int ncols, char *const *names, const LogicalType *types, Error *err)
{
    return csv_writer_begin(((CsvCopyWriter *)sink)->writer, ncols, (const char *const *)names, err);
}

static bool csv_sink_batch(ResultSink *sink, const Batch *b, Error *err)
{
    return csv_writer_write_batch(((CsvCopyWriter *)sink)->writer, b, err);
}

static bool csv_commit(CopyWriter *w, Error *err)
{
    CsvCopyWriter *cw = (CsvCopyWriter *)w;
    bool ok = csv_writer_close(cw->writer, err);
    mem_free(cw);
    return ok;
}

static void csv_abort(CopyWriter *w)
{
    CsvCopyWriter *cw = (CsvCopyWriter *)w;
    csv_writer_abort(cw->writer);
    mem_free(cw);
}

static bool csv_open_writer(Binder *b, const char *path, const SqlOption *opts, int nopts, CopyWriter **out, Error *err)
{
    CsvWriteOptions wo;
    csv_write_options_init(&wo);
    wo.header = false; /* PostgreSQL's default */
    for (int i = 0; i < nopts; i++)
        if (!csv_write_option_apply(b, &wo, &opts[i], err)) return false;
    CsvWriter *w = path ? csv_writer_open(path, &wo, err) : csv_writer_open_stream(stdout, &wo, err);
    if (w == NULL) return false;
    CsvCopyWriter *cw = mem_calloc(1, sizeof *cw);
    cw->base.sink.begin = csv_sink_begin;
    cw->base.sink.batch = csv_sink_batch;
    cw->base.commit = csv_commit;
    cw->base.abort = csv_abort;
    cw->writer = w;
    *out = &cw->base;
    return true;
}

static bool csv_bind_reader(Binder *b, const char *path, const SqlOption *opts, int nopts, int ncols, const char **names,
                            const LogicalType *types, PlanNode **out, Error *err)
{
    CsvOptions ro;
    csv_options_init(&ro);
    ro.header = CSV_HEADER_NO; /* PostgreSQL's default */
    for (int i = 0; i < nopts; i++)
        if (!csv_read_option_apply(b, &ro, &opts[i], err)) return false;
    if (ro.filename) return error_set(err, ERR_SQL, "COPY FROM does not take the FILENAME option");
    ro.ncolumns = ncols;
    ro.column_names = names;
    ro.column_types = types;
    return csv_scan_plan(b, path, &ro, -1, out, err);
}

static const char *const csv_extensions[] = {".csv", ".tsv", ".txt", NULL};

const CopyFormat copy_format_csv = {"csv", csv_extensions, csv_open_writer, csv_bind_reader};
