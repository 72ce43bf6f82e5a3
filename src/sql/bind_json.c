/* bind_json: read_json(...) / read_ndjson(...) in FROM, and the JSON read
 * options of COPY FROM.
 *
 *   SELECT * FROM read_json('logs/day-*.jsonl.gz');
 *   SELECT * FROM read_ndjson('x.jsonl', columns => 'id bigint, tags text');
 *   SELECT * FROM read_json('x.json', format => 'array', flatten => 1);
 *   SELECT * FROM read_json('x.jsonl', on_error => 'quarantine', rejects => 'bad_x');
 *
 * Options: format (auto | newline_delimited (nd, ndjson, jsonl) | array),
 * columns, sample_size, flatten (levels, or true for all), infer_dates,
 * ignore_errors, on_error and rejects (as read_csv's), max_depth,
 * maximum_object_size (alias max_line_size), compression, filename,
 * buffer_size.  As for CSV, the schema is settled
 * here, when the statement is bound, and handed to execution declared. */
#include "sql/bind_json.h"
#include "sql/table_functions.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exec/scan_provider.h"
#include "quality/rejects.h"
#include "sql/bind_dataset.h"
#include "formats/json/json_text.h"

static bool option_int(const SqlOption *opt, int64_t min, int64_t *out, Error *err)
{
    char *end;
    errno = 0;
    long long v = opt->has_value ? strtoll(opt->text, &end, 10) : 0;
    if (!opt->has_value || errno || *end || end == opt->text || v < min)
        return error_set_at(err, ERR_SQL, opt->pos, "%s requires an integer value of at least %lld", opt->name,
                            (long long)min);
    *out = v;
    return true;
}

/* A rejected record goes to its rejects set (quality/rejects.h; thread-safe). */
static void store_reject(void *ctx, const JsonReject *r)
{
    rejects_add(ctx, r->path, r->line, r->byte_offset, r->message, r->raw, r->raw_len);
}

/* on_error / rejects: the same options, meanings and messages as
 * read_csv's (reject_option_apply in bind_csv.c); default rejects name
 * 'read_json'. */
static bool json_reject_option_apply(Binder *b, JsonOptions *o, const SqlOption *opt, Error *err)
{
    if (!reject_option_apply(b, opt, "read_json", &o->ignore_errors, &o->reject_ctx, err)) return false;
    o->on_reject = o->reject_ctx ? store_reject : NULL;
    return true;
}

bool json_read_option_apply(Binder *b, JsonOptions *o, const SqlOption *opt, Error *err)
{
    const char *n = opt->name;
    int64_t v;
    if (!strcmp(n, "format")) {
        const char *t = opt->has_value ? opt->text : "";
        if (!strcasecmp(t, "auto") || !strcasecmp(t, "json")) o->format = JSON_FORMAT_AUTO;
        else if (!strcasecmp(t, "newline_delimited") || !strcasecmp(t, "nd") || !strcasecmp(t, "ndjson") ||
                 !strcasecmp(t, "jsonl"))
            o->format = JSON_FORMAT_NEWLINE_DELIMITED;
        else if (!strcasecmp(t, "array")) o->format = JSON_FORMAT_ARRAY;
        else
            return error_set_at(err, ERR_SQL, opt->pos, "format must be auto, newline_delimited or array, not \"%s\"", t);
        return true;
    }
    if (!strcmp(n, "columns")) {
        CsvOptions tmp; /* the CSV binder parses "name type, ..." */
        csv_options_init(&tmp);
        if (!csv_read_option_apply(b, &tmp, opt, err)) return false;
        o->ncolumns = tmp.ncolumns;
        o->column_names = tmp.column_names;
        o->column_types = tmp.column_types;
        return true;
    }
    if (!strcmp(n, "sample_size")) {
        if (!option_int(opt, -1, &v, err)) return false;
        if (v == 0) return error_set_at(err, ERR_SQL, opt->pos, "sample_size must be positive or -1 (the whole file)");
        o->sample_size = v;
        return true;
    }
    if (!strcmp(n, "flatten")) { /* a number of levels, or true (all) / false (none) */
        bool on = true;
        if (opt->has_value && option_int(opt, 0, &v, NULL)) {
            o->flatten_depth = v > JSON_DEPTH_CAP ? JSON_DEPTH_CAP : (int)v;
            return true;
        }
        if (opt->has_value && !sql_option_bool(opt, &on, NULL))
            return error_set_at(err, ERR_SQL, opt->pos, "flatten requires a number of levels or a Boolean value");
        o->flatten_depth = on ? JSON_DEPTH_CAP : 0;
        return true;
    }
    if (!strcmp(n, "infer_dates")) {
        bool on;
        if (!sql_option_bool(opt, &on, err)) return false;
        o->no_infer_dates = !on;
        return true;
    }
    if (!strcmp(n, "ignore_errors")) return sql_option_bool(opt, &o->ignore_errors, err);
    if (!strcmp(n, "on_error") || !strcmp(n, "rejects")) return json_reject_option_apply(b, o, opt, err);
    if (!strcmp(n, "max_depth")) {
        if (!option_int(opt, 1, &v, err)) return false;
        if (v > JSON_DEPTH_CAP) return error_set_at(err, ERR_SQL, opt->pos, "max_depth must be at most %d", JSON_DEPTH_CAP);
        o->max_depth = (int)v;
        return true;
    }
    if (!strcmp(n, "maximum_object_size") || !strcmp(n, "max_line_size")) {
        if (!option_int(opt, 1, &v, err)) return false;
        if (v > (1 << 30)) return error_set_at(err, ERR_SQL, opt->pos, "%s must be at most 1 GiB", n);
        o->max_line_size = (size_t)v;
        return true;
    }
    if (!strcmp(n, "buffer_size")) {
        if (!option_int(opt, 1, &v, err)) return false;
        o->block_size = (size_t)(v > (1 << 30) ? (1 << 30) : v);
        return true;
    }
    if (!strcmp(n, "compression")) return sql_option_compression(opt, &o->compression, err);
    if (!strcmp(n, "filename")) {
        bool on = true;
        if (opt->has_value && sql_option_bool(opt, &on, NULL)) o->filename = on ? "filename" : NULL;
        else if (opt->has_value) o->filename = arena_strdup(b->arena, opt->text);
        else o->filename = "filename";
        return true;
    }
    return error_set_at(err, ERR_SQL, opt->pos, "option \"%s\" not recognized", n);
}

/* The scan plan of an open reader (which it closes), typed with its schema. */
static bool plan_from_reader(Binder *b, JsonReader *r, const char *pattern, const JsonOptions *opts, PlanNode **out);

bool json_scan_plan(Binder *b, const char *pattern, const JsonOptions *opts, int pos, PlanNode **out, Error *err)
{
    JsonReader *r = json_reader_open(pattern, opts, err);
    if (r == NULL) {
        if (err->sql_pos < 0) err->sql_pos = pos;
        return false;
    }
    return plan_from_reader(b, r, pattern, opts, out);
}

bool json_dataset_plan(Binder *b, const char *path, const Dataset *d, const JsonOptions *opts, int pos,
                       PlanNode **out, Error *err)
{
    JsonReader *r = json_reader_open_files(d->paths, d->nfiles, opts, err);
    if (r == NULL) {
        if (err->sql_pos < 0) err->sql_pos = pos;
        return false;
    }
    if (!plan_from_reader(b, r, path ? path : d->paths[0], opts, out)) return false;
    JsonScanSpec *spec = (*out)->scan_spec;
    spec->dataset = bind_scan_dataset(b, *out, d);
    return true;
}

static bool plan_from_reader(Binder *b, JsonReader *r, const char *pattern, const JsonOptions *opts, PlanNode **out)
{
    const JsonSchema *schema = json_reader_schema(r);
    int nfile = schema->ncols - (opts->filename ? 1 : 0);
    JsonScanSpec *spec = arena_calloc(b->arena, sizeof *spec);
    spec->pattern = arena_strdup(b->arena, pattern);
    spec->options = *opts;
    const char **names = arena_calloc(b->arena, sizeof(char *) * (size_t)(schema->ncols + 1));
    LogicalType *types = arena_calloc(b->arena, sizeof(LogicalType) * (size_t)(schema->ncols + 1));
    for (int i = 0; i < schema->ncols; i++) {
        names[i] = arena_strdup(b->arena, schema->names[i]);
        types[i] = schema->types[i];
    }
    spec->options.ncolumns = nfile;
    spec->options.columns_declared = true;
    spec->options.column_names = names;
    spec->options.column_types = types;
    spec->nschema_cols = schema->ncols;
    PlanNode *p = plan_new(b, PLAN_EXTERNAL_SCAN, schema->ncols);
    for (int i = 0; i < schema->ncols; i++) {
        p->types[i] = types[i];
        p->names[i] = (char *)names[i];
    }
    p->provider = &json_scan_provider;
    p->scan_spec = spec;
    json_reader_close(r);
    *out = p;
    return true;
}

static bool bind_json_common(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs,
                             JsonFormat format, const char *fname, PlanNode **out, Error *err)
{
    int pos = bind_pos(b, fc->location);
    JsonOptions opts;
    json_options_init(&opts);
    opts.format = format;
    char *pattern;
    SqlOption *options;
    int noptions;
    if (!table_function_args(b, fc, fname, &pattern, &options, &noptions, err)) return false;
    DatasetOptions dataset_opts;
    memset(&dataset_opts, 0, sizeof dataset_opts);
    dataset_opts.extensions = dataset_json_extensions;
    for (int i = 0; i < noptions; i++) {
        bool taken;
        if (!dataset_option_apply(b, &dataset_opts, &options[i], &taken, err)) return false;
        if (!taken && !json_read_option_apply(b, &opts, &options[i], err)) return false;
    }
    if (ncoldefs > 0) {
        const char **names;
        LogicalType *types;
        if (!table_function_coldefs(b, coldefs, ncoldefs, &names, &types, err)) return false;
        opts.ncolumns = (int)ncoldefs;
        opts.column_names = names;
        opts.column_types = types;
    }
    Dataset d;
    if (!bind_dataset_list(b, pattern, &dataset_opts, pos, &d, err)) return false;
    return json_dataset_plan(b, pattern, &d, &opts, pos, out, err);
}

bool bind_read_json(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                    Error *err)
{
    return bind_json_common(b, fc, coldefs, ncoldefs, JSON_FORMAT_AUTO, "read_json", out, err);
}

bool bind_read_ndjson(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                      Error *err)
{
    return bind_json_common(b, fc, coldefs, ncoldefs, JSON_FORMAT_NEWLINE_DELIMITED, "read_ndjson", out, err);
}
