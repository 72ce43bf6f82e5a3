/* op_json_scan: the JSON files scan (read_json, read_ndjson, COPY FROM a
 * JSON file): a ScanProvider over formats/json's streaming reader, one
 * batch at a time, converting only the projected columns (keys of other
 * columns are scanned for syntax and skipped).  The schema was settled when
 * the statement was bound and is declared to the reader, so execution reads
 * exactly the plan's columns and types.  Files are read one after the
 * other by one reader; progress reports bytes of the files.
 * Memory: the reader's buffer plus one output batch. */
#include "exec/json_scan.h"

#include "common/mem.h"
#include "exec/scan_provider.h"

typedef struct JsonScanState {
    ExecNode base;
    JsonReader *reader;
    Batch batch;
    uint64_t last_bytes;
} JsonScanState;

static bool json_scan_next(ExecNode *node, Batch **out, Error *err)
{
    JsonScanState *s = (JsonScanState *)node;
    batch_reset(&s->batch);
    if (!json_reader_next(s->reader, &s->batch, err)) return false;
    uint64_t bytes = json_reader_bytes_read(s->reader);
    node->ctx->bytes_done += bytes - s->last_bytes;
    s->last_bytes = bytes;
    *out = &s->batch;
    return true;
}

static void json_scan_close(ExecNode *node)
{
    JsonScanState *s = (JsonScanState *)node;
    batch_destroy(&s->batch);
    json_reader_close(s->reader);
    mem_free(s);
}

static const ExecNodeOps json_scan_ops = {json_scan_next, json_scan_close};

static ExecNode *json_scan_create(const PlanNode *plan, ExecContext *ctx, Error *err)
{
    const JsonScanSpec *spec = plan->scan_spec;
    JsonReader *reader = json_reader_open(spec->pattern, &spec->options, err);
    if (reader == NULL) return NULL;
    if (json_reader_schema(reader)->ncols != spec->nschema_cols) {
        json_reader_close(reader);
        error_set(err, ERR_INTERNAL, "the JSON scan of \"%s\" does not have the planned columns", spec->pattern);
        return NULL;
    }
    if (plan->projection) json_reader_project(reader, plan->projection, plan->nprojection);
    JsonScanState *s = mem_calloc(1, sizeof *s);
    s->base.ops = &json_scan_ops;
    s->reader = reader;
    json_reader_init_batch(reader, &s->batch);
    ctx->bytes_total += json_reader_bytes_total(reader);
    return &s->base;
}

static void json_scan_explain(const PlanNode *plan, StrBuf *out)
{
    const JsonScanSpec *spec = plan->scan_spec;
    strbuf_printf(out, " %s", spec->pattern);
}

const ScanProvider json_scan_provider = {"READ_JSON", true, json_scan_create, json_scan_explain, false};
