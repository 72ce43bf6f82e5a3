/* copy_parquet: COPY's Parquet format.
 *
 *   COPY ... TO 'x.parquet' [WITH (FORMAT parquet, COMPRESSION zstd,
 *        COMPRESSION_LEVEL 3, ROW_GROUP_SIZE 122880, ROW_GROUP_SIZE_BYTES '128MB',
 *        PAGE_SIZE '1MB', DICTIONARY true, KV_METADATA 'key=value;key2=value2')]
 *   COPY t FROM 'x.parquet'   (columns by position, converted as INSERT would)
 *
 * The writer is formats/parquet/parquet_writer.c behind the CopyWriter
 * protocol; the reader is a read_parquet scan under a projection that
 * assigns the file's columns to the table's. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "formats/parquet/parquet_writer.h"
#include "sql/bind_parquet.h"
#include "sql/copy_formats.h"

typedef struct ParquetCopyWriter {
    CopyWriter base;
    ParquetWriter *writer;
} ParquetCopyWriter;

static bool pq_sink_begin(ResultSink *sink, int ncols, char *const *names, const LogicalType *types, Error *err)
{
    return parquet_writer_begin(((ParquetCopyWriter *)sink)->writer, ncols, (const char *const *)names, types, err);
}

static bool pq_sink_batch(ResultSink *sink, const Batch *b, Error *err)
{
    return parquet_writer_write_batch(((ParquetCopyWriter *)sink)->writer, b, err);
}

static bool pq_commit(CopyWriter *w, Error *err)
{
    ParquetCopyWriter *pw = (ParquetCopyWriter *)w;
    bool ok = parquet_writer_close(pw->writer, err);
    mem_free(pw);
    return ok;
}

static void pq_abort(CopyWriter *w)
{
    ParquetCopyWriter *pw = (ParquetCopyWriter *)w;
    parquet_writer_abort(pw->writer);
    mem_free(pw);
}

static bool codec_of(const SqlOption *o, int *codec, Error *err)
{
    static const struct {
        const char *name;
        int codec;
    } codecs[] = {{"uncompressed", PQ_CODEC_UNCOMPRESSED}, {"none", PQ_CODEC_UNCOMPRESSED},
                  {"snappy", PQ_CODEC_SNAPPY},             {"gzip", PQ_CODEC_GZIP},
                  {"zstd", PQ_CODEC_ZSTD},                 {"lz4", PQ_CODEC_LZ4_RAW},
                  {"lz4_raw", PQ_CODEC_LZ4_RAW}};
    if (o->has_value)
        for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++)
            if (strcasecmp(o->text, codecs[i].name) == 0) {
                *codec = codecs[i].codec;
                return true;
            }
    return error_set_at(err, ERR_SQL, o->pos,
                        "COMPRESSION \"%s\" not recognized (uncompressed, snappy, gzip, zstd, lz4_raw)",
                        o->has_value ? o->text : "");
}

/* A positive count, or a size with a unit (kB, MB, GB; 1024-based, as PostgreSQL's). */
static bool size_of(const SqlOption *o, bool allow_units, int64_t *out, Error *err)
{
    if (!o->has_value) return error_set_at(err, ERR_SQL, o->pos, "%s requires a value", o->name);
    char *end;
    double v = strtod(o->text, &end);
    while (*end == ' ') end++;
    double mult = 1;
    if (allow_units && *end) {
        if (!strcasecmp(end, "b")) mult = 1;
        else if (!strcasecmp(end, "kb")) mult = 1024.0;
        else if (!strcasecmp(end, "mb")) mult = 1024.0 * 1024;
        else if (!strcasecmp(end, "gb")) mult = 1024.0 * 1024 * 1024;
        else end = (char *)"x";
    }
    if (end == o->text || (*end && !allow_units) || (*end && mult == 1 && strcasecmp(end, "b")) || !(v * mult >= 1) ||
        v * mult > 9e18)
        return error_set_at(err, ERR_SQL, o->pos, "invalid value for %s: \"%s\"", o->name, o->text);
    *out = (int64_t)(v * mult);
    return true;
}

/* KV_METADATA 'k=v;k2=v2' into key-value pairs in the arena. */
static bool kv_of(Binder *b, const SqlOption *o, ParquetWriteOptions *wo, Error *err)
{
    if (!o->has_value) return error_set_at(err, ERR_SQL, o->pos, "KV_METADATA requires a value");
    int n = 1;
    for (const char *p = o->text; *p; p++) n += *p == ';';
    PqKeyValue *kv = arena_calloc(b->arena, sizeof *kv * (size_t)(n + 1));
    int k = 0;
    char *text = arena_strdup(b->arena, o->text);
    for (char *save = NULL, *item = strtok_r(text, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(item, '=');
        if (eq == NULL) return error_set_at(err, ERR_SQL, o->pos, "KV_METADATA items are key=value, separated by ';'");
        *eq = 0;
        kv[k].key = item;
        kv[k].value = eq + 1;
        k++;
    }
    wo->kv = kv;
    wo->nkv = k;
    return true;
}

bool copy_parquet_write_options(Binder *b, const SqlOption *opts, int nopts, ParquetWriteOptions *out, Error *err)
{
    ParquetWriteOptions wo;
    parquet_write_options_init(&wo);
    wo.threads = b->threads; /* column chunks encoded on this many threads */
    for (int i = 0; i < nopts; i++) {
        const SqlOption *o = &opts[i];
        const char *n = o->name;
        int64_t v;
        if (!strcmp(n, "format")) continue;
        if (!strcmp(n, "compression") || !strcmp(n, "codec")) {
            if (!codec_of(o, &wo.codec, err)) return false;
        } else if (!strcmp(n, "compression_level")) {
            if (!o->has_value) return error_set_at(err, ERR_SQL, o->pos, "COMPRESSION_LEVEL requires a value");
            char *end;
            long lv = strtol(o->text, &end, 10);
            if (*end || end == o->text || lv < -131072 || lv > 22)
                return error_set_at(err, ERR_SQL, o->pos, "invalid value for COMPRESSION_LEVEL: \"%s\"", o->text);
            wo.level = (int)lv;
        } else if (!strcmp(n, "row_group_size")) {
            if (!size_of(o, false, &wo.row_group_rows, err)) return false;
        } else if (!strcmp(n, "row_group_size_bytes")) {
            if (!size_of(o, true, &wo.row_group_bytes, err)) return false;
        } else if (!strcmp(n, "page_size")) {
            if (!size_of(o, true, &v, err)) return false;
            wo.page_bytes = v;
        } else if (!strcmp(n, "dictionary_size_limit")) {
            if (!size_of(o, true, &v, err)) return false;
            wo.dictionary_bytes = v;
        } else if (!strcmp(n, "dictionary")) {
            if (!sql_option_bool(o, &wo.dictionary, err)) return false;
        } else if (!strcmp(n, "kv_metadata")) {
            if (!kv_of(b, o, &wo, err)) return false;
        } else {
            return error_set_at(err, ERR_SQL, o->pos, "option \"%s\" not recognized for FORMAT parquet", n);
        }
    }
    if (wo.codec == PQ_CODEC_GZIP && (wo.level < 0 || wo.level > 9))
        return error_set(err, ERR_SQL, "COMPRESSION_LEVEL for gzip must be between 0 and 9");
    *out = wo;
    return true;
}

static bool pq_open_writer(Binder *b, const char *path, const SqlOption *opts, int nopts, CopyWriter **out, Error *err)
{
    if (path == NULL || path[0] == 0) return error_set(err, ERR_SQL, "COPY TO STDOUT cannot write Parquet; give a file name");
    ParquetWriteOptions wo;
    if (!copy_parquet_write_options(b, opts, nopts, &wo, err)) return false;
    ParquetWriter *w = parquet_writer_open(path, &wo, err);
    if (w == NULL) return false;
    ParquetCopyWriter *pw = mem_calloc(1, sizeof *pw);
    pw->base.sink.begin = pq_sink_begin;
    pw->base.sink.batch = pq_sink_batch;
    pw->base.commit = pq_commit;
    pw->base.abort = pq_abort;
    pw->writer = w;
    *out = &pw->base;
    return true;
}

static bool pq_bind_reader(Binder *b, const char *path, const SqlOption *opts, int nopts, int ncols, const char **names,
                           const LogicalType *types, PlanNode **out, Error *err)
{
    for (int i = 0; i < nopts; i++)
        if (strcmp(opts[i].name, "format") != 0)
            return error_set_at(err, ERR_SQL, opts[i].pos, "option \"%s\" not recognized for COPY FROM a Parquet file",
                                opts[i].name);
    if (path == NULL || path[0] == 0) return error_set(err, ERR_SQL, "COPY FROM STDIN cannot read Parquet; give a file name");
    PlanNode *scan;
    if (!parquet_scan_plan(b, path, -1, &scan, err)) return false;
    if (scan->ncols != ncols)
        return error_set(err, ERR_DATA, "Parquet file \"%s\" has %d columns, COPY expects %d", path, scan->ncols, ncols);
    Expr **exprs = arena_calloc(b->arena, sizeof(Expr *) * ((size_t)ncols + 1));
    char **out_names = arena_calloc(b->arena, sizeof(char *) * ((size_t)ncols + 1));
    for (int i = 0; i < ncols; i++) {
        exprs[i] = bind_coerce(b, expr_column(b, i, scan->types[i]), types[i], COERCE_ASSIGNMENT, err);
        if (exprs[i] == NULL) {
            error_prefix(err, "column \"%s\" of the Parquet file", scan->names[i]);
            return false;
        }
        out_names[i] = (char *)names[i];
    }
    *out = plan_project(b, scan, ncols, exprs, out_names);
    return true;
}

static const char *const parquet_extensions[] = {".parquet", ".pq", NULL};

const CopyFormat copy_format_parquet = {"parquet", parquet_extensions, pq_open_writer, pq_bind_reader};
