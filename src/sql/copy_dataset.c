/* copy_dataset: COPY ... TO a dataset (see copy_dataset.h for the syntax).
 *
 * The statement's options are split into the dataset's own (PARTITION_BY,
 * MODE, FILE_SIZE_BYTES, ROWS_PER_FILE, LOCK_TIMEOUT, FORMAT) and the
 * format's, which the format's usual option parser checks.  Then a lake
 * transaction is begun (lake_txn_begin: lock, recovery, the mode's check),
 * the query's rows stream into a PartitionWriter whose files are the
 * transaction's staged files, and the run commits, or aborts on any error
 * (the previous version of the dataset stays as it was).
 *
 * Defaults, chosen for a nightly job: MODE error_if_exists (as Spark's
 * errorifexists and DuckDB's refusal to write into a non-empty folder: a
 * rerun never duplicates or drops data silently; say append, overwrite or
 * overwrite_partitions); FORMAT parquet; FILE_SIZE_BYTES 256MB; CSV files
 * with a header line (each file describes itself, as DuckDB writes them).
 *
 * Memory: the writer's budget is half the session's memory_limit (at most
 * 1 GiB), the other half being left to the query that produces the rows. */
#include "sql/copy_dataset.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "lake/lake_txn.h"
#include "lake/partition_writer.h"
#include "sql/copy_formats.h"

#define LAKE_PREFIX "lake:"
#define DEFAULT_FILE_SIZE ((int64_t)256 << 20)
#define MAX_WRITER_BUDGET ((int64_t)1 << 30)
#define DEFAULT_LOCK_TIMEOUT 60.0

static bool is_lake_name(const char *target)
{
    return target && strncmp(target, LAKE_PREFIX, strlen(LAKE_PREFIX)) == 0;
}

bool copy_dataset_is_target(const char *target, const SqlOption *opts, int nopts)
{
    if (is_lake_name(target)) return true;
    for (int i = 0; i < nopts; i++)
        if (!strcmp(opts[i].name, "partition_by") || !strcmp(opts[i].name, "mode")) return true;
    return false;
}

/* A size: bytes, or a number with kB/MB/GB (1024-based, as PostgreSQL's); 0 allowed when zero_ok. */
static bool parse_size(const SqlOption *o, bool zero_ok, int64_t *out, Error *err)
{
    if (!o->has_value) return error_set_at(err, ERR_SQL, o->pos, "%s requires a value", o->name);
    char *end;
    double v = strtod(o->text, &end);
    while (*end == ' ') end++;
    double mult = 0;
    if (!*end || !strcasecmp(end, "b")) mult = 1;
    else if (!strcasecmp(end, "kb")) mult = 1024.0;
    else if (!strcasecmp(end, "mb")) mult = 1024.0 * 1024;
    else if (!strcasecmp(end, "gb")) mult = 1024.0 * 1024 * 1024;
    double bytes = v * mult;
    if (mult == 0 || o->text[0] == '\0' || !(bytes >= (zero_ok ? 0 : 1)) || bytes > 9e18 || (bytes > 0 && bytes < 1))
        return error_set_at(err, ERR_SQL, o->pos, "invalid value for %s: \"%s\"", o->name, o->text);
    *out = (int64_t)bytes;
    return true;
}

/* A count of rows: a positive integer. */
static bool parse_rows(const SqlOption *o, int64_t *out, Error *err)
{
    char *end = NULL;
    long long v = o->has_value ? strtoll(o->text, &end, 10) : 0;
    if (!o->has_value || end == o->text || *end || v < 1)
        return error_set_at(err, ERR_SQL, o->pos, "invalid value for %s: \"%s\" (a positive number of rows)", o->name,
                            o->has_value ? o->text : "");
    *out = v;
    return true;
}

/* Seconds, with an optional unit (ms, s, min). */
static bool parse_seconds(const char *text, double *out)
{
    char *end;
    double v = strtod(text, &end);
    while (*end == ' ') end++;
    if (end == text || !(v >= 0)) return false;
    if (!strcasecmp(end, "ms")) v /= 1000;
    else if (!strcasecmp(end, "min")) v *= 60;
    else if (*end && strcasecmp(end, "s")) return false;
    *out = v;
    return true;
}

/* PARTITION_BY's text "a,b" into names in the arena; refuses names that
 * Hive readers would skip as folders (leading '_' or '.'). */
static bool parse_partition_by(Binder *b, const SqlOption *o, const char ***names, int *n, Error *err)
{
    if (!o->has_value || o->text[0] == '\0')
        return error_set_at(err, ERR_SQL, o->pos, "PARTITION_BY needs a list of columns: PARTITION_BY (col, ...)");
    int count = 1;
    for (const char *p = o->text; *p; p++) count += *p == ',';
    const char **out = arena_calloc(b->arena, sizeof(char *) * (size_t)(count + 1));
    char *text = arena_strdup(b->arena, o->text);
    int k = 0;
    for (char *save = NULL, *item = strtok_r(text, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        if (item[0] == '_' || item[0] == '.')
            return error_set_at(err, ERR_SQL, o->pos,
                                "cannot partition by \"%s\": folders starting with '_' or '.' are hidden from readers",
                                item);
        out[k++] = item;
    }
    if (k != count) return error_set_at(err, ERR_SQL, o->pos, "PARTITION_BY has an empty column name");
    *names = out;
    *n = k;
    return true;
}

/* The folder of target: <lake_root>/<name> for 'lake:<name>' (name made of
 * folder names, no "." or ".." or leading '/'), else target itself. */
static bool resolve_root(StmtContext *sc, const char *target, char **out, Error *err)
{
    if (target == NULL || target[0] == '\0') return error_set(err, ERR_SQL, "COPY TO STDOUT cannot write a dataset; give a folder");
    if (!is_lake_name(target)) {
        *out = arena_strdup(sc->binder.arena, target);
        return true;
    }
    const char *name = target + strlen(LAKE_PREFIX);
    bool ok = name[0] != '\0' && name[0] != '/';
    for (const char *seg = name; ok && *seg;) {
        size_t n = strcspn(seg, "/");
        if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.') || seg[0] == '_')
            ok = false;
        seg += n;
        if (*seg == '/') seg++;
    }
    if (!ok)
        return error_set(err, ERR_SQL,
                         "invalid dataset name \"%s\": use lake:<name> with folder names, such as lake:sales/orders", target);
    const char *root = sc->session->settings.lake_root;
    size_t len = strlen(root);
    while (len > 1 && root[len - 1] == '/') len--;
    *out = arena_sprintf(sc->binder.arena, "%.*s/%s", (int)len, root, name);
    return true;
}

/* ---- the lake transaction as the partition writer's file sink ---- */

static void *lake_sink_open(void *ctx, const char *dir, const char *extension, FsWriter **out, Error *err)
{
    LakeFile *f = lake_txn_open_file(ctx, dir, extension, err);
    if (f) *out = lake_file_writer(f);
    return f;
}

static bool lake_sink_close(void *ctx, void *file, uint64_t rows, Error *err)
{
    (void)ctx;
    return lake_file_close(file, rows, err);
}

static void lake_sink_abort(void *ctx, void *file)
{
    (void)ctx;
    lake_file_abort(file);
}

/* ---- the statement ---- */

typedef struct DatasetSink {
    ResultSink sink;
    PartitionWriter *writer;
} DatasetSink;

static bool dataset_begin(ResultSink *sink, int ncols, char *const *names, const LogicalType *types, Error *err)
{
    return partition_writer_begin(((DatasetSink *)sink)->writer, ncols, names, types, err);
}

static bool dataset_batch(ResultSink *sink, const Batch *b, Error *err)
{
    return partition_writer_write(((DatasetSink *)sink)->writer, b, err);
}

static bool dataset_end(ResultSink *sink, Error *err)
{
    return partition_writer_finish(((DatasetSink *)sink)->writer, err);
}

/* The dataset's options into o, mode and timeout; the format's options go to its own parser. */
static bool parse_options(StmtContext *sc, const SqlOption *opts, int nopts, PartitionWriterOptions *o,
                          LakeWriteMode *mode, double *lock_timeout, Error *err)
{
    Binder *b = &sc->binder;
    SqlOption *format_opts = arena_calloc(b->arena, sizeof(SqlOption) * (size_t)(nopts + 1));
    int nformat = 0;
    const char *format = "parquet";
    for (int i = 0; i < nopts; i++) {
        const SqlOption *opt = &opts[i];
        const char *n = opt->name;
        if (!strcmp(n, "partition_by")) {
            const char **names = NULL;
            if (!parse_partition_by(b, opt, &names, &o->npartition_by, err)) return false;
            o->partition_by = names;
        } else if (!strcmp(n, "mode")) {
            if (!opt->has_value || !lake_write_mode_parse(opt->text, mode, err))
                return error_set_at(err, ERR_SQL, opt->pos,
                                    "MODE must be one of error_if_exists, append, overwrite, overwrite_partitions, not \"%s\"",
                                    opt->has_value ? opt->text : "");
        } else if (!strcmp(n, "file_size_bytes")) {
            if (!parse_size(opt, true, &o->file_size_bytes, err)) return false;
        } else if (!strcmp(n, "rows_per_file")) {
            if (!parse_rows(opt, &o->rows_per_file, err)) return false;
        } else if (!strcmp(n, "lock_timeout")) {
            if (!opt->has_value || !parse_seconds(opt->text, lock_timeout))
                return error_set_at(err, ERR_SQL, opt->pos, "invalid value for LOCK_TIMEOUT: \"%s\" (seconds, such as '30s')",
                                    opt->has_value ? opt->text : "");
        } else if (!strcmp(n, "format")) {
            if (!opt->has_value) return error_set_at(err, ERR_SQL, opt->pos, "FORMAT needs a value");
            format = opt->text;
        } else {
            format_opts[nformat++] = *opt;
        }
    }
    if (!strcasecmp(format, "parquet")) {
        o->format = PARTITION_FORMAT_PARQUET;
        return copy_parquet_write_options(b, format_opts, nformat, &o->parquet, err);
    }
    if (!strcasecmp(format, "csv")) {
        o->format = PARTITION_FORMAT_CSV;
        for (int i = 0; i < nformat; i++)
            if (!csv_write_option_apply(b, &o->csv, &format_opts[i], err)) return false;
        if (o->csv.compression != COMPRESSION_AUTO && o->csv.compression != COMPRESSION_NONE)
            return error_set(err, ERR_SQL, "COMPRESSION is not supported yet for CSV datasets (write FORMAT parquet)");
        return true;
    }
    if (!strcasecmp(format, "json")) {
        o->format = PARTITION_FORMAT_JSON;
        if (nformat > 0)
            return error_set_at(err, ERR_SQL, format_opts[0].pos, "option \"%s\" not recognized for a JSON dataset",
                                format_opts[0].name);
        return true;
    }
    return error_set(err, ERR_SQL, "COPY format \"%s\" cannot write a dataset (parquet, csv, json)", format);
}

/* The lake_lock_timeout setting when the session has one. */
static double setting_lock_timeout(Settings *s)
{
    char *text = NULL;
    Error ignored = ERROR_INIT;
    double v = DEFAULT_LOCK_TIMEOUT;
    if (settings_show(s, "lake_lock_timeout", &text, &ignored) && text && !parse_seconds(text, &v)) v = DEFAULT_LOCK_TIMEOUT;
    mem_free(text);
    return v;
}

/* The CLI's line on a commit: "dataset lake/orders v7: 84 files in 84
 * partitions, 1000 rows, 1.2 MB" (bytes in 1024-based units, as the size options). */
static void describe_commit(char *out, size_t n, const char *root, const LakeCommitSummary *c, uint64_t rows)
{
    static const char *const units[] = {"bytes", "kB", "MB", "GB", "TB"};
    double size = (double)c->bytes_added;
    int unit = 0;
    while (size >= 1024 && unit < 4) {
        size /= 1024;
        unit++;
    }
    char bytes[32];
    if (unit == 0) snprintf(bytes, sizeof bytes, "%" PRId64 " bytes", c->bytes_added);
    else snprintf(bytes, sizeof bytes, "%.1f %s", size, units[unit]);
    snprintf(out, n, "dataset %s v%" PRId64 ": %" PRId64 " file%s in %" PRId64 " partition%s, %" PRIu64 " row%s, %s",
             root, c->version, c->files_added, c->files_added == 1 ? "" : "s", c->partitions_written,
             c->partitions_written == 1 ? "" : "s", rows, rows == 1 ? "" : "s", bytes);
    if (c->files_removed > 0) {
        size_t len = strlen(out);
        snprintf(out + len, n - len, "; %" PRId64 " file%s replaced", c->files_removed, c->files_removed == 1 ? "" : "s");
    }
}

bool copy_dataset_write(StmtContext *sc, PlanNode *plan, const char *target, const SqlOption *opts, int nopts,
                        Error *err)
{
    Session *s = sc->session;
    PartitionWriterOptions o;
    partition_writer_options_init(&o);
    o.file_size_bytes = DEFAULT_FILE_SIZE;
    o.csv.header = true;
    LakeWriteMode mode = LAKE_MODE_ERROR_IF_EXISTS;
    double lock_timeout = setting_lock_timeout(&s->settings);
    char *root = NULL;
    if (!resolve_root(sc, target, &root, err) || !parse_options(sc, opts, nopts, &o, &mode, &lock_timeout, err))
        return false;
    int64_t budget = s->settings.memory_limit / 2;
    o.memory_budget = budget > MAX_WRITER_BUDGET ? MAX_WRITER_BUDGET : budget;
    o.temp_directory = s->settings.temp_directory;

    const RunContext *run = &s->run;
    LakeRunInfo info = {run->job, run->params_json, run->logical_date, lock_timeout};
    LakeTxn *txn;
    if (!lake_txn_begin(root, mode, &info, &txn, err)) return false;
    PartitionFileSink files = {txn, lake_sink_open, lake_sink_close, lake_sink_abort};
    DatasetSink sink = {{dataset_begin, dataset_batch, dataset_end}, partition_writer_new(&o, &files)};
    uint64_t rows = 0;
    bool ok = session_run_plan(sc, plan, &sink.sink, &rows, err);
    partition_writer_free(sink.writer); /* after finish: nothing left open; after an error: aborts the open files */
    LakeCommitSummary summary;
    if (ok) ok = lake_txn_commit(txn, &summary, err);
    else lake_txn_abort(txn);
    if (ok) {
        snprintf(s->status, sizeof s->status, "COPY %" PRIu64, rows);
        describe_commit(s->detail, sizeof s->detail, root, &summary, rows);
    }
    return ok;
}
