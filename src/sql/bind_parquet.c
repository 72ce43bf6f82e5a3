/* bind_parquet: binds the Parquet table functions.
 *
 * read_parquet expands its glob and reads the first file's footer now, so
 * the plan is typed with that file's columns; execution (op_parquet_scan.c)
 * reads every file.  The metadata functions read the footers at bind time
 * and return their rows as a VALUES plan of constants. */
#include "sql/bind_parquet.h"

#include <stdio.h>
#include <string.h>

#include "exec/parquet_scan.h"
#include "formats/parquet/parquet_reader.h"
#include "io/fs.h"
#include "sql/bind_dataset.h"
#include "types/cast.h"
#include "types/value.h"

/* The files of a pattern, copied into the arena. */
static bool expand(Binder *b, const char *pattern, int pos, const char ***paths, int *npaths, Error *err)
{
    FsPathList list;
    memset(&list, 0, sizeof list);
    if (!fs_glob(pattern, &list, err)) {
        if (err->sql_pos < 0) err->sql_pos = pos;
        return false;
    }
    *paths = arena_calloc(b->arena, sizeof(char *) * ((size_t)list.count + 1));
    for (int i = 0; i < list.count; i++) (*paths)[i] = arena_strdup(b->arena, list.paths[i]);
    *npaths = list.count;
    fs_path_list_free(&list);
    return true;
}

static bool no_options(const char *fname, const SqlOption *opts, int nopts, Error *err)
{
    if (nopts > 0) return error_set_at(err, ERR_SQL, opts[0].pos, "%s: option \"%s\" not recognized", fname, opts[0].name);
    return true;
}

/* A scan of these files, typed with the first file's columns. */
static bool plan_files(Binder *b, const char **paths, int npaths, int pos, PlanNode **out, Error *err)
{
    ParquetFile *pf = parquet_file_open(paths[0], err);
    if (pf == NULL) return false;
    ParquetScanSpec *spec = arena_calloc(b->arena, sizeof *spec);
    spec->paths = paths;
    spec->npaths = npaths;
    spec->ncols = pf->ncols;
    const char **names = arena_calloc(b->arena, sizeof(char *) * ((size_t)pf->ncols + 1));
    LogicalType *types = arena_calloc(b->arena, sizeof(LogicalType) * ((size_t)pf->ncols + 1));
    PlanNode *p = plan_new(b, PLAN_EXTERNAL_SCAN, pf->ncols);
    for (int i = 0; i < pf->ncols; i++) {
        names[i] = arena_strdup(b->arena, pf->cols[i].name);
        types[i] = pf->cols[i].type;
        p->names[i] = (char *)names[i];
        p->types[i] = types[i];
    }
    spec->names = names;
    spec->types = types;
    p->provider = &parquet_scan_provider;
    p->scan_spec = spec;
    parquet_file_close(pf);
    if (p->ncols == 0) return error_set_at(err, ERR_DATA, pos, "Parquet file \"%s\" has no columns", paths[0]);
    *out = p;
    return true;
}

bool parquet_scan_plan(Binder *b, const char *pattern, int pos, PlanNode **out, Error *err)
{
    const char **paths;
    int npaths;
    if (!expand(b, pattern, pos, &paths, &npaths, err)) return false;
    return plan_files(b, paths, npaths, pos, out, err);
}

bool parquet_dataset_plan(Binder *b, const Dataset *d, int pos, PlanNode **out, Error *err)
{
    if (!plan_files(b, d->paths, d->nfiles, pos, out, err)) return false;
    ParquetScanSpec *spec = (*out)->scan_spec;
    if (d->nkeys == 0) return true;
    /* the schema grows by the partition columns, which the scan fills */
    spec->dataset = bind_scan_dataset(b, *out, d);
    spec->ncols = (*out)->ncols;
    spec->names = (const char **)(*out)->names;
    spec->types = (*out)->types;
    return true;
}

bool bind_read_parquet(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                       Error *err)
{
    char *pattern;
    SqlOption *opts;
    int nopts;
    if (!table_function_args(b, fc, "read_parquet", &pattern, &opts, &nopts, err)) return false;
    DatasetOptions dataset_opts;
    memset(&dataset_opts, 0, sizeof dataset_opts);
    dataset_opts.extensions = dataset_parquet_extensions;
    for (int i = 0; i < nopts; i++) {
        bool taken;
        if (!dataset_option_apply(b, &dataset_opts, &opts[i], &taken, err)) return false;
        if (!taken) return no_options("read_parquet", &opts[i], 1, err);
    }
    if (ncoldefs > 0)
        return error_set_at(err, ERR_SQL, bind_pos(b, fc->location), "read_parquet does not take a column definition list");
    Dataset d;
    if (!bind_dataset_list(b, pattern, &dataset_opts, bind_pos(b, fc->location), &d, err)) return false;
    return parquet_dataset_plan(b, &d, bind_pos(b, fc->location), out, err);
}

/* ---- metadata functions: rows of constants ---- */

typedef struct RowBuilder {
    Binder *b;
    PlanNode *plan;
    int ncols;
    Expr ***rows;
    int64_t nrows, cap;
    int col;
} RowBuilder;

static void rows_init(RowBuilder *rb, Binder *b, int ncols, const char *const *names, const LogicalType *types)
{
    memset(rb, 0, sizeof *rb);
    rb->b = b;
    rb->ncols = ncols;
    rb->plan = plan_new(b, PLAN_VALUES, ncols);
    for (int i = 0; i < ncols; i++) {
        rb->plan->names[i] = arena_strdup(b->arena, names[i]);
        rb->plan->types[i] = types[i];
    }
}

static void row_begin(RowBuilder *rb)
{
    if (rb->nrows == rb->cap) {
        int64_t cap = rb->cap ? rb->cap * 2 : 16;
        Expr ***rows = arena_calloc(rb->b->arena, sizeof(Expr **) * (size_t)(cap + 1));
        if (rb->nrows) memcpy(rows, rb->rows, sizeof(Expr **) * (size_t)rb->nrows);
        rb->rows = rows;
        rb->cap = cap;
    }
    rb->rows[rb->nrows++] = arena_calloc(rb->b->arena, sizeof(Expr *) * ((size_t)rb->ncols + 1));
    rb->col = 0;
}

static void put_value(RowBuilder *rb, Value v)
{
    rb->rows[rb->nrows - 1][rb->col] = expr_const(rb->b, v, -1);
    rb->col++;
}

static void put_text(RowBuilder *rb, const char *s)
{
    if (s == NULL) {
        put_value(rb, value_null(type_make(TYPE_VARCHAR)));
        return;
    }
    const char *copy = arena_strdup(rb->b->arena, s);
    put_value(rb, value_varchar(copy, (uint32_t)strlen(copy)));
}

static void put_bigint(RowBuilder *rb, bool present, int64_t v)
{
    put_value(rb, present ? value_bigint(v) : value_null(type_make(TYPE_BIGINT)));
}

static PlanNode *rows_finish(RowBuilder *rb)
{
    rb->plan->rows = rb->rows ? rb->rows : arena_calloc(rb->b->arena, sizeof(Expr **));
    rb->plan->nrows = rb->nrows;
    return rb->plan;
}

static bool metadata_args(Binder *b, PgQuery__FuncCall *fc, const char *fname, const char ***paths, int *npaths,
                          Error *err)
{
    char *pattern;
    SqlOption *opts;
    int nopts;
    if (!table_function_args(b, fc, fname, &pattern, &opts, &nopts, err)) return false;
    if (!no_options(fname, opts, nopts, err)) return false;
    return expand(b, pattern, bind_pos(b, fc->location), paths, npaths, err);
}

static const char *repetition_name(int r)
{
    return r == PQ_REQUIRED ? "REQUIRED" : r == PQ_OPTIONAL ? "OPTIONAL" : r == PQ_REPEATED ? "REPEATED" : NULL;
}

bool bind_parquet_schema(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                         Error *err)
{
    const char **paths;
    int npaths;
    if (!metadata_args(b, fc, "parquet_schema", &paths, &npaths, err)) return false;
    static const char *const names[] = {"file_name", "name", "type", "type_length", "repetition_type",
                                        "num_children", "converted_type", "scale", "precision", "field_id",
                                        "logical_type", "kiln_type"};
    LogicalType types[12];
    for (int i = 0; i < 12; i++) types[i] = type_make(TYPE_VARCHAR);
    types[3] = types[5] = types[7] = types[8] = types[9] = type_make(TYPE_BIGINT);
    RowBuilder rb;
    rows_init(&rb, b, 12, names, types);
    for (int f = 0; f < npaths; f++) {
        ParquetFile *pf = parquet_file_open(paths[f], err);
        if (pf == NULL) return false;
        for (uint32_t i = 0; i < pf->meta.nschema; i++) {
            const PqSchemaElement *e = &pf->meta.schema[i];
            char buf[160];
            row_begin(&rb);
            put_text(&rb, paths[f]);
            put_text(&rb, e->name);
            put_text(&rb, e->type >= 0 ? pq_type_name(e->type) : NULL);
            put_bigint(&rb, e->type == PQ_FIXED, e->type_length);
            put_text(&rb, repetition_name(e->repetition));
            put_bigint(&rb, e->num_children > 0, e->num_children);
            put_text(&rb, e->converted_type >= 0 ? pq_converted_type_name(e->converted_type) : NULL);
            put_bigint(&rb, e->converted_type == PQ_CT_DECIMAL || e->logical.kind == PQ_LT_DECIMAL,
                       e->logical.kind == PQ_LT_DECIMAL ? e->logical.scale : e->scale);
            put_bigint(&rb, e->converted_type == PQ_CT_DECIMAL || e->logical.kind == PQ_LT_DECIMAL,
                       e->logical.kind == PQ_LT_DECIMAL ? e->logical.precision : e->precision);
            put_bigint(&rb, e->has_field_id, e->field_id);
            parquet_logical_type_text(e, buf, sizeof buf);
            put_text(&rb, buf[0] ? buf : NULL);
            /* the kiln column a top-level field becomes */
            const char *kiln = NULL;
            for (int c = 0; c < pf->ncols; c++) {
                if (pf->cols[c].element != e) continue;
                if (pf->cols[c].unsupported) {
                    snprintf(buf, sizeof buf, "unsupported: %s", pf->cols[c].unsupported);
                } else {
                    type_name(pf->cols[c].type, buf, sizeof buf);
                }
                kiln = buf;
            }
            put_text(&rb, kiln);
        }
        parquet_file_close(pf);
    }
    *out = rows_finish(&rb);
    return true;
}

/* A statistic as text in the column's kiln type, or NULL. */
static const char *stat_text(Binder *b, const ParquetColumn *col, const PqBytes *v)
{
    if (col == NULL || v->data == NULL) return NULL;
    Vector tmp;
    vector_init(&tmp, col->type, 1);
    const char *s = NULL;
    if (parquet_statistic_value(col, v->data, v->len, &tmp, 0)) {
        StrBuf sb = STRBUF_INIT;
        cast_format_value(&tmp, 0, &sb);
        s = arena_strdup(b->arena, strbuf_cstr(&sb));
        strbuf_free(&sb);
    }
    vector_destroy(&tmp);
    return s;
}

bool bind_parquet_metadata(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs,
                           PlanNode **out, Error *err)
{
    const char **paths;
    int npaths;
    if (!metadata_args(b, fc, "parquet_metadata", &paths, &npaths, err)) return false;
    static const char *const names[] = {
        "file_name", "row_group_id", "row_group_num_rows", "row_group_num_columns", "row_group_bytes",
        "column_id", "file_offset", "num_values", "path_in_schema", "type", "stats_min", "stats_max",
        "stats_null_count", "stats_distinct_count", "stats_min_value", "stats_max_value", "compression",
        "encodings", "dictionary_page_offset", "data_page_offset", "total_compressed_size",
        "total_uncompressed_size"};
    enum { N = 22 };
    LogicalType types[N];
    for (int i = 0; i < N; i++) types[i] = type_make(TYPE_BIGINT);
    types[0] = types[8] = types[9] = types[10] = types[11] = types[14] = types[15] = types[16] = types[17] =
        type_make(TYPE_VARCHAR);
    RowBuilder rb;
    rows_init(&rb, b, N, names, types);
    for (int f = 0; f < npaths; f++) {
        ParquetFile *pf = parquet_file_open(paths[f], err);
        if (pf == NULL) return false;
        /* the top-level column of each leaf, for decoding statistics */
        const ParquetColumn **leaf_col = arena_calloc(b->arena, sizeof(ParquetColumn *) * ((size_t)pf->nleaves + 1));
        for (int c = 0; c < pf->ncols; c++)
            if (pf->cols[c].leaf >= 0 && pf->cols[c].leaf < pf->nleaves) leaf_col[pf->cols[c].leaf] = &pf->cols[c];
        for (uint32_t g = 0; g < pf->meta.nrow_groups; g++) {
            const PqRowGroup *rg = &pf->meta.row_groups[g];
            for (uint32_t c = 0; c < rg->ncolumns; c++) {
                const PqColumnChunk *cc = &rg->columns[c];
                const PqColumnMeta *m = &cc->meta;
                const ParquetColumn *col = leaf_col[c];
                const PqStatistics *st = &m->statistics;
                row_begin(&rb);
                put_text(&rb, paths[f]);
                put_bigint(&rb, true, g);
                put_bigint(&rb, true, rg->num_rows);
                put_bigint(&rb, true, rg->ncolumns);
                put_bigint(&rb, true, rg->total_byte_size);
                put_bigint(&rb, true, c);
                put_bigint(&rb, true, cc->file_offset);
                put_bigint(&rb, cc->has_meta, m->num_values);
                StrBuf sb = STRBUF_INIT;
                for (uint32_t k = 0; k < m->npath; k++) {
                    if (k) strbuf_putc(&sb, '.');
                    strbuf_puts(&sb, m->path[k]);
                }
                put_text(&rb, strbuf_cstr(&sb));
                strbuf_free(&sb);
                put_text(&rb, cc->has_meta ? pq_type_name(m->type) : NULL);
                put_text(&rb, m->has_statistics ? stat_text(b, col, &st->min) : NULL);
                put_text(&rb, m->has_statistics ? stat_text(b, col, &st->max) : NULL);
                put_bigint(&rb, m->has_statistics && st->has_null_count, st->null_count);
                put_bigint(&rb, m->has_statistics && st->has_distinct_count, st->distinct_count);
                put_text(&rb, m->has_statistics ? stat_text(b, col, &st->min_value) : NULL);
                put_text(&rb, m->has_statistics ? stat_text(b, col, &st->max_value) : NULL);
                put_text(&rb, cc->has_meta ? pq_codec_name(m->codec) : NULL);
                for (uint32_t k = 0; k < m->nencodings; k++) {
                    if (k) strbuf_puts(&sb, ", ");
                    strbuf_puts(&sb, pq_encoding_name(m->encodings[k]));
                }
                put_text(&rb, strbuf_cstr(&sb));
                strbuf_free(&sb);
                put_bigint(&rb, m->has_dictionary_page_offset, m->dictionary_page_offset);
                put_bigint(&rb, cc->has_meta, m->data_page_offset);
                put_bigint(&rb, cc->has_meta, m->total_compressed_size);
                put_bigint(&rb, cc->has_meta, m->total_uncompressed_size);
            }
        }
        parquet_file_close(pf);
    }
    *out = rows_finish(&rb);
    return true;
}

bool bind_parquet_kv_metadata(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs,
                              PlanNode **out, Error *err)
{
    const char **paths;
    int npaths;
    if (!metadata_args(b, fc, "parquet_kv_metadata", &paths, &npaths, err)) return false;
    static const char *const names[] = {"file_name", "key", "value"};
    LogicalType types[3] = {type_make(TYPE_VARCHAR), type_make(TYPE_VARCHAR), type_make(TYPE_VARCHAR)};
    RowBuilder rb;
    rows_init(&rb, b, 3, names, types);
    for (int f = 0; f < npaths; f++) {
        ParquetFile *pf = parquet_file_open(paths[f], err);
        if (pf == NULL) return false;
        for (uint32_t i = 0; i < pf->meta.nkv; i++) {
            row_begin(&rb);
            put_text(&rb, paths[f]);
            put_text(&rb, pf->meta.kv[i].key);
            put_text(&rb, pf->meta.kv[i].value);
        }
        parquet_file_close(pf);
    }
    *out = rows_finish(&rb);
    return true;
}
