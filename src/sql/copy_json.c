/* copy_json: COPY's JSON format: the writer (formats/json/json_writer.c
 * behind the CopyWriter protocol: JSON Lines, compressed by extension or
 * the COMPRESSION option) and the reader (a JSON scan with the table's
 * columns declared; read_json's options apply). */
#include <string.h>

#include "common/mem.h"
#include "formats/json/json_writer.h"
#include "sql/bind_json.h"
#include "sql/copy_formats.h"

typedef struct JsonCopyWriter {
    CopyWriter base;
    JsonWriter *writer;
} JsonCopyWriter;

static bool json_sink_begin(ResultSink *sink, int ncols, char *const *names, const LogicalType *types, Error *err)
{
    return json_writer_begin(((JsonCopyWriter *)sink)->writer, ncols, (const char *const *)names, err);
}

static bool json_sink_batch(ResultSink *sink, const Batch *b, Error *err)
{
    return json_writer_write_batch(((JsonCopyWriter *)sink)->writer, b, err);
}

static bool json_commit(CopyWriter *w, Error *err)
{
    JsonCopyWriter *jw = (JsonCopyWriter *)w;
    bool ok = json_writer_close(jw->writer, err);
    mem_free(jw);
    return ok;
}

static void json_abort(CopyWriter *w)
{
    JsonCopyWriter *jw = (JsonCopyWriter *)w;
    json_writer_abort(jw->writer);
    mem_free(jw);
}

static bool json_open_writer(Binder *b, const char *path, const SqlOption *opts, int nopts, CopyWriter **out, Error *err)
{
    Compression codec = COMPRESSION_AUTO;
    for (int i = 0; i < nopts; i++) {
        if (!strcmp(opts[i].name, "format")) continue;
        if (!strcmp(opts[i].name, "compression")) {
            if (!sql_option_compression(&opts[i], &codec, err)) return false;
            continue;
        }
        return error_set_at(err, ERR_SQL, opts[i].pos, "option \"%s\" not recognized for COPY TO in JSON format",
                            opts[i].name);
    }
    JsonWriter *w = path ? json_writer_open(path, codec, err) : json_writer_open_stream(stdout, err);
    if (w == NULL) return false;
    JsonCopyWriter *jw = mem_calloc(1, sizeof *jw);
    jw->base.sink.begin = json_sink_begin;
    jw->base.sink.batch = json_sink_batch;
    jw->base.commit = json_commit;
    jw->base.abort = json_abort;
    jw->writer = w;
    *out = &jw->base;
    return true;
}

static bool json_bind_reader(Binder *b, const char *path, const SqlOption *opts, int nopts, int ncols,
                             const char **names, const LogicalType *types, PlanNode **out, Error *err)
{
    JsonOptions ro;
    json_options_init(&ro);
    for (int i = 0; i < nopts; i++)
        if (!json_read_option_apply(b, &ro, &opts[i], err)) return false;
    if (ro.filename) return error_set(err, ERR_SQL, "COPY FROM does not take the FILENAME option");
    ro.ncolumns = ncols;
    ro.column_names = names;
    ro.column_types = types;
    return json_scan_plan(b, path, &ro, -1, out, err);
}

/* The JSON names, also under each codec's extension (".jsonl.gz"). */
static const char *const json_extensions[] = {
    ".json",      ".jsonl",      ".ndjson",      ".json.gz",  ".jsonl.gz",  ".ndjson.gz",
    ".json.zst",  ".jsonl.zst",  ".ndjson.zst",  ".json.bz2", ".jsonl.bz2", ".ndjson.bz2",
    ".json.lz4",  ".jsonl.lz4",  ".ndjson.lz4",  NULL,
};

const CopyFormat copy_format_json = {"json", json_extensions, json_open_writer, json_bind_reader};
