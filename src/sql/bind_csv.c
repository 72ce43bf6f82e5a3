/* bind_csv: read_csv(...) in FROM, and the CSV options of COPY.
 *
 *   SELECT * FROM read_csv('data/part-*.csv', header => true, delim => ';');
 *   SELECT * FROM read_csv('x.csv') AS t(id bigint, name text);   -- declared columns
 *   SELECT * FROM read_csv('x.csv', columns => 'id bigint, name text');
 *
 *   SELECT * FROM read_csv('x.csv', on_error => 'quarantine', rejects => 'bad_x');
 *
 * The schema (dialect, header, names, types) is settled here, when the
 * statement is bound, and handed to execution as declared columns, so the
 * files are sniffed once and the plan's types cannot drift. */
#include "sql/bind_csv.h"
#include "sql/table_functions.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "quality/rejects.h"
#include "sql/bind_dataset.h"
#include "types/cast.h"

bool sql_option_bool(const SqlOption *opt, bool *out, Error *err)
{
    if (!opt->has_value) {
        *out = true;
        return true;
    }
    const char *t = opt->text;
    if (!strcasecmp(t, "true") || !strcasecmp(t, "on") || !strcmp(t, "1") || !strcasecmp(t, "yes") || !strcasecmp(t, "t")) {
        *out = true;
        return true;
    }
    if (!strcasecmp(t, "false") || !strcasecmp(t, "off") || !strcmp(t, "0") || !strcasecmp(t, "no") || !strcasecmp(t, "f")) {
        *out = false;
        return true;
    }
    return error_set_at(err, ERR_SQL, opt->pos, "%s requires a Boolean value, not \"%s\"", opt->name, t);
}

static bool option_int(const SqlOption *opt, int64_t *out, Error *err)
{
    char *end;
    errno = 0;
    long long v = opt->has_value ? strtoll(opt->text, &end, 10) : 0;
    if (!opt->has_value || errno || *end || end == opt->text)
        return error_set_at(err, ERR_SQL, opt->pos, "%s requires an integer value", opt->name);
    *out = v;
    return true;
}

static bool option_char(const SqlOption *opt, char *out, Error *err)
{
    if (!opt->has_value) return error_set_at(err, ERR_SQL, opt->pos, "%s requires a value", opt->name);
    const char *t = opt->text;
    if (strcmp(t, "\\t") == 0) t = "\t";
    if (strlen(t) != 1)
        return error_set_at(err, ERR_SQL, opt->pos, "%s must be a single one-byte character, not \"%s\"", opt->name, opt->text);
    *out = t[0];
    return true;
}

bool sql_options_from_defelems(Binder *b, PgQuery__Node **elems, size_t n, SqlOption **out, int *nout, Error *err)
{
    SqlOption *opts = arena_calloc(b->arena, sizeof(SqlOption) * (n + 1));
    for (size_t i = 0; i < n; i++) {
        if (elems[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) return error_set(err, ERR_SQL, "malformed option list");
        PgQuery__DefElem *d = elems[i]->def_elem;
        opts[i].name = d->defname;
        opts[i].pos = bind_pos(b, d->location);
        PgQuery__Node *a = d->arg;
        if (a == NULL) continue;
        opts[i].has_value = true;
        switch (a->node_case) {
        case PG_QUERY__NODE__NODE_STRING: opts[i].text = a->string->sval; break;
        case PG_QUERY__NODE__NODE_INTEGER: opts[i].text = arena_sprintf(b->arena, "%d", a->integer->ival); break;
        case PG_QUERY__NODE__NODE_FLOAT: opts[i].text = a->float_->fval; break;
        case PG_QUERY__NODE__NODE_BOOLEAN: opts[i].text = a->boolean->boolval ? "true" : "false"; break;
        case PG_QUERY__NODE__NODE_A_STAR: opts[i].text = "*"; break;
        case PG_QUERY__NODE__NODE_LIST: {
            /* FORCE_QUOTE (a, b), PARTITION_BY (a, b): names joined by commas */
            StrBuf sb = STRBUF_INIT;
            for (size_t k = 0; k < a->list->n_items; k++) {
                PgQuery__Node *it = a->list->items[k];
                if (k) strbuf_putc(&sb, ',');
                if (it->node_case == PG_QUERY__NODE__NODE_STRING) strbuf_puts(&sb, it->string->sval);
            }
            opts[i].text = arena_strdup(b->arena, strbuf_cstr(&sb));
            strbuf_free(&sb);
            break;
        }
        default: return error_set_at(err, ERR_SQL, opts[i].pos, "unsupported value for option %s", d->defname);
        }
    }
    *out = opts;
    *nout = (int)n;
    return true;
}

/* "id bigint, name text" -> declared columns, parsed by PostgreSQL's grammar. */
static bool parse_columns_text(Binder *b, CsvOptions *o, const char *text, int pos, Error *err)
{
    char *sql = arena_sprintf(b->arena, "CREATE TABLE kiln_columns (%s)", text);
    ParsedScript script;
    Error perr = ERROR_INIT;
    if (!sql_parse(sql, &script, &perr))
        return error_set_at(err, ERR_SQL, pos, "invalid columns => '%s': %s", text, perr.message);
    bool ok = true;
    PgQuery__Node *st = script.tree->stmts[0]->stmt;
    if (st->node_case != PG_QUERY__NODE__NODE_CREATE_STMT) {
        ok = error_set_at(err, ERR_SQL, pos, "invalid columns => '%s'", text);
    } else {
        PgQuery__CreateStmt *cs = st->create_stmt;
        int n = (int)cs->n_table_elts;
        const char **names = arena_calloc(b->arena, sizeof(char *) * (size_t)(n + 1));
        LogicalType *types = arena_calloc(b->arena, sizeof(LogicalType) * (size_t)(n + 1));
        Binder inner = *b;
        inner.positions_valid = false;
        for (int i = 0; i < n && ok; i++) {
            PgQuery__Node *el = cs->table_elts[i];
            if (el->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF) {
                ok = error_set_at(err, ERR_SQL, pos, "columns => expects \"name type, ...\"");
                break;
            }
            names[i] = arena_strdup(b->arena, el->column_def->colname);
            if (!bind_type_name(&inner, el->column_def->type_name, &types[i], err)) {
                err->sql_pos = pos;
                ok = false;
            }
        }
        o->ncolumns = n;
        o->column_names = names;
        o->column_types = types;
    }
    sql_parse_free(&script);
    return ok;
}

/* A rejected record goes to its rejects set (quality/rejects.h; thread-safe). */
static void store_reject(void *ctx, const CsvReject *r)
{
    rejects_add(ctx, r->path, r->line, r->byte_offset, r->message, r->raw, r->raw_len);
}

/* on_error => 'fail' (default) | 'skip' (or 'ignore', as COPY's ON_ERROR) |
 * 'quarantine'; rejects => 'name' (implies quarantine): where quarantined
 * records go, read back with rejects('name').  A reader quarantines exactly
 * when *reject_ctx ends up set. */
bool reject_option_apply(Binder *b, const SqlOption *opt, const char *default_rejects, bool *ignore_errors,
                         void **reject_ctx, Error *err)
{
    if (!opt->has_value || opt->text[0] == '\0') return error_set_at(err, ERR_SQL, opt->pos, "%s requires a value", opt->name);
    if (!strcmp(opt->name, "rejects")) {
        if (*ignore_errors) return error_set_at(err, ERR_SQL, opt->pos, "rejects => needs on_error => 'quarantine', not 'skip'");
        *reject_ctx = catalog_rejects(b->catalog, opt->text, true);
        return true;
    }
    const char *v = opt->text;
    if (!strcasecmp(v, "fail") || !strcasecmp(v, "stop")) {
        *ignore_errors = false;
        *reject_ctx = NULL;
    } else if (!strcasecmp(v, "skip") || !strcasecmp(v, "ignore")) {
        if (*reject_ctx) return error_set_at(err, ERR_SQL, opt->pos, "rejects => needs on_error => 'quarantine', not 'skip'");
        *ignore_errors = true;
    } else if (!strcasecmp(v, "quarantine")) {
        if (*reject_ctx == NULL) *reject_ctx = catalog_rejects(b->catalog, default_rejects, true);
    } else {
        return error_set_at(err, ERR_SQL, opt->pos, "on_error must be fail, skip or quarantine, not \"%s\"", v);
    }
    return true;
}

static bool csv_reject_option_apply(Binder *b, CsvOptions *o, const SqlOption *opt, Error *err)
{
    if (!reject_option_apply(b, opt, "read_csv", &o->ignore_errors, &o->reject_ctx, err)) return false;
    o->on_reject = o->reject_ctx ? store_reject : NULL;
    return true;
}

bool csv_read_option_apply(Binder *b, CsvOptions *o, const SqlOption *opt, Error *err)
{
    const char *n = opt->name;
    if (!strcmp(n, "header")) {
        bool v;
        if (!sql_option_bool(opt, &v, err)) return false;
        o->header = v ? CSV_HEADER_YES : CSV_HEADER_NO;
        return true;
    }
    if (!strcmp(n, "delim") || !strcmp(n, "sep") || !strcmp(n, "delimiter")) return option_char(opt, &o->delim, err);
    if (!strcmp(n, "quote")) {
        if (opt->has_value && opt->text[0] == '\0') {
            o->quote = CSV_NO_QUOTE;
            return true;
        }
        char c;
        if (!option_char(opt, &c, err)) return false;
        o->quote = (unsigned char)c;
        return true;
    }
    if (!strcmp(n, "escape")) return option_char(opt, &o->escape, err);
    if (!strcmp(n, "nullstr") || !strcmp(n, "null")) {
        if (!opt->has_value) return error_set_at(err, ERR_SQL, opt->pos, "%s requires a value", n);
        o->nullstr = arena_strdup(b->arena, opt->text);
        return true;
    }
    if (!strcmp(n, "skip")) {
        int64_t v;
        if (!option_int(opt, &v, err)) return false;
        if (v < 0) return error_set_at(err, ERR_SQL, opt->pos, "skip must not be negative");
        o->skip = v;
        return true;
    }
    if (!strcmp(n, "sample_size")) {
        int64_t v;
        if (!option_int(opt, &v, err)) return false;
        if (v == 0 || v < -1) return error_set_at(err, ERR_SQL, opt->pos, "sample_size must be positive or -1 (the whole file)");
        o->sample_size = v;
        return true;
    }
    if (!strcmp(n, "all_varchar")) return sql_option_bool(opt, &o->all_varchar, err);
    if (!strcmp(n, "ignore_errors")) return sql_option_bool(opt, &o->ignore_errors, err);
    if (!strcmp(n, "on_error") || !strcmp(n, "rejects")) return csv_reject_option_apply(b, o, opt, err);
    if (!strcmp(n, "filename")) {
        bool v = true;
        if (opt->has_value && sql_option_bool(opt, &v, NULL)) {
            o->filename = v ? "filename" : NULL;
        } else if (opt->has_value) {
            o->filename = arena_strdup(b->arena, opt->text); /* the column's name */
        } else {
            o->filename = "filename";
        }
        return true;
    }
    if (!strcmp(n, "columns")) {
        if (!opt->has_value) return error_set_at(err, ERR_SQL, opt->pos, "columns requires a value");
        return parse_columns_text(b, o, opt->text, opt->pos, err);
    }
    if (!strcmp(n, "compression")) return sql_option_compression(opt, &o->compression, err);
    if (!strcmp(n, "format")) {
        if (opt->has_value && strcasecmp(opt->text, "csv") != 0)
            return error_set_at(err, ERR_SQL, opt->pos, "COPY format \"%s\" is not supported yet (csv is)", opt->text);
        return true;
    }
    return error_set_at(err, ERR_SQL, opt->pos, "option \"%s\" not recognized", n);
}

bool csv_write_option_apply(Binder *b, CsvWriteOptions *o, const SqlOption *opt, Error *err)
{
    const char *n = opt->name;
    if (!strcmp(n, "header")) return sql_option_bool(opt, &o->header, err);
    if (!strcmp(n, "delim") || !strcmp(n, "sep") || !strcmp(n, "delimiter")) return option_char(opt, &o->delim, err);
    if (!strcmp(n, "quote")) return option_char(opt, &o->quote, err);
    if (!strcmp(n, "escape")) return option_char(opt, &o->escape, err);
    if (!strcmp(n, "null") || !strcmp(n, "nullstr")) {
        if (!opt->has_value) return error_set_at(err, ERR_SQL, opt->pos, "%s requires a value", n);
        o->nullstr = arena_strdup(b->arena, opt->text);
        return true;
    }
    if (!strcmp(n, "compression")) return sql_option_compression(opt, &o->compression, err);
    if (!strcmp(n, "format")) {
        if (opt->has_value && strcasecmp(opt->text, "csv") != 0)
            return error_set_at(err, ERR_SQL, opt->pos, "COPY format \"%s\" is not supported yet (csv is)", opt->text);
        return true;
    }
    return error_set_at(err, ERR_SQL, opt->pos, "option \"%s\" not recognized", n);
}

bool sql_option_compression(const SqlOption *opt, Compression *out, Error *err)
{
    if (opt->has_value && compression_parse(opt->text, out)) return true;
    return error_set_at(err, ERR_SQL, opt->pos,
                        "compression must be one of auto, none, gzip, zstd, bzip2, lz4, not \"%s\"",
                        opt->has_value ? opt->text : "");
}

/* The scan plan of an open reader (which it closes), typed with its schema. */
static bool plan_from_reader(Binder *b, CsvReader *r, const char *pattern, const CsvOptions *opts, PlanNode **out);

bool csv_scan_plan(Binder *b, const char *pattern, const CsvOptions *opts, int pos, PlanNode **out, Error *err)
{
    CsvReader *r = csv_reader_open(pattern, opts, err);
    if (r == NULL) {
        if (err->sql_pos < 0) err->sql_pos = pos;
        return false;
    }
    return plan_from_reader(b, r, pattern, opts, out);
}

bool csv_dataset_plan(Binder *b, const char *path, const Dataset *d, const CsvOptions *opts, int pos, PlanNode **out,
                      Error *err)
{
    CsvReader *r = csv_reader_open_files(d->paths, d->nfiles, opts, err);
    if (r == NULL) {
        if (err->sql_pos < 0) err->sql_pos = pos;
        return false;
    }
    if (!plan_from_reader(b, r, path ? path : d->paths[0], opts, out)) return false;
    CsvScanSpec *spec = (*out)->csv;
    spec->dataset = bind_scan_dataset(b, *out, d);
    /* the projection covers the partition columns too (numbered after the reader's) */
    spec->nprojection = (*out)->ncols;
    spec->projection = arena_calloc(b->arena, sizeof(int) * ((size_t)spec->nprojection + 1));
    for (int i = 0; i < spec->nprojection; i++) spec->projection[i] = i;
    return true;
}

static bool plan_from_reader(Binder *b, CsvReader *r, const char *pattern, const CsvOptions *opts, PlanNode **out)
{
    const CsvSchema *schema = csv_reader_schema(r);
    CsvScanSpec *spec = arena_calloc(b->arena, sizeof *spec);
    spec->pattern = arena_strdup(b->arena, pattern);
    spec->options = *opts;
    /* execution reads with the schema found now: dialect, header and types */
    spec->options.delim = schema->delim;
    spec->options.quote = schema->quote;
    if (schema->escape != CSV_NO_QUOTE && schema->escape != schema->quote) spec->options.escape = (char)schema->escape;
    spec->options.header = schema->header ? CSV_HEADER_YES : CSV_HEADER_NO;
    spec->options.ncolumns = schema->nfile_cols;
    const char **names = arena_calloc(b->arena, sizeof(char *) * (size_t)(schema->ncols + 1));
    LogicalType *types = arena_calloc(b->arena, sizeof(LogicalType) * (size_t)(schema->ncols + 1));
    for (int i = 0; i < schema->ncols; i++) {
        names[i] = arena_strdup(b->arena, schema->names[i]);
        types[i] = schema->types[i];
    }
    spec->options.column_names = names;
    spec->options.column_types = types;
    spec->options.all_varchar = false;
    spec->nschema_cols = schema->ncols;
    spec->nprojection = schema->ncols;
    spec->projection = arena_calloc(b->arena, sizeof(int) * (size_t)(schema->ncols + 1));
    PlanNode *p = plan_new(b, PLAN_CSV_SCAN, schema->ncols);
    for (int i = 0; i < schema->ncols; i++) {
        spec->projection[i] = i;
        p->types[i] = types[i];
        p->names[i] = (char *)names[i];
    }
    p->csv = spec;
    csv_reader_close(r);
    *out = p;
    return true;
}

bool bind_read_csv(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                   Error *err)
{
    int pos = bind_pos(b, fc->location);
    CsvOptions opts;
    csv_options_init(&opts);
    char *pattern;
    SqlOption *options;
    int noptions;
    if (!table_function_args(b, fc, "read_csv", &pattern, &options, &noptions, err)) return false;
    DatasetOptions dataset_opts;
    memset(&dataset_opts, 0, sizeof dataset_opts);
    dataset_opts.extensions = dataset_csv_extensions;
    for (int i = 0; i < noptions; i++) {
        bool taken;
        if (!dataset_option_apply(b, &dataset_opts, &options[i], &taken, err)) return false;
        if (!taken && !csv_read_option_apply(b, &opts, &options[i], err)) return false;
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
    return csv_dataset_plan(b, pattern, &d, &opts, pos, out, err);
}
