/* opt_join_order: the smaller input of an INNER hash join becomes its build
 * side (the one held in a hash table), as every join's right input is.
 *
 * Sizes are estimated bottom-up from the scans: a table's row count, a
 * VALUES list's length, a series' length, Parquet row counts from the files'
 * footers (at most PARQUET_FOOTERS_READ files opened, the rest extrapolated
 * by file count), CSV and JSON file sizes at ESTIMATED_ROW_BYTES bytes a
 * row; a filter keeps FILTER_SELECTIVITY of its input, an aggregate
 * GROUP_SELECTIVITY (one row without keys), a LIMIT at most its count, an
 * INNER join its larger input (the common key/foreign-key join).  Unknown
 * sources count as UNKNOWN_ROWS.  The estimates only need to tell a small
 * input from a large one.
 *
 * Swapping sides exchanges the inputs and their keys, renumbers the
 * residual condition, and puts a projection on top that restores the
 * original column order, so nothing above the join changes.  Runs after
 * filter pushdown (filters have reached the scans) and before column
 * pruning and parallelization (which see the final shape). */
#include <string.h>

#include "exec/json_scan.h"
#include "exec/parquet_scan.h"
#include "exec/scan_dataset.h"
#include "exec/series_scan.h"
#include "exec/csv_scan.h"
#include "formats/parquet/parquet_reader.h"
#include "io/fs.h"
#include "sql/expr_util.h"
#include "sql/optimize_internal.h"
#include "types/datetime.h"

#define FILTER_SELECTIVITY 0.25
#define GROUP_SELECTIVITY 0.1
#define ESTIMATED_ROW_BYTES 100.0
#define UNKNOWN_ROWS 1e6
#define PARQUET_FOOTERS_READ 16

/* Bytes of the files of a pattern or dataset (0 when they cannot be listed). */
static double files_bytes(const char *pattern, const ScanDataset *ds)
{
    FsPathList files = {0};
    Error err = ERROR_INIT;
    if (ds) {
        for (int i = 0; i < ds->nfiles; i++) fs_path_list_add(&files, ds->paths[i]);
    } else if (pattern && fs_has_wildcard(pattern)) {
        if (!fs_glob(pattern, &files, &err)) files.count = 0;
    } else if (pattern) {
        fs_path_list_add(&files, pattern);
    }
    double total = 0;
    for (int i = 0; i < files.count; i++) {
        uint64_t size;
        Error e = ERROR_INIT;
        if (fs_file_size(files.paths[i], &size, &e)) total += (double)size;
    }
    fs_path_list_free(&files);
    return total;
}

static double parquet_rows(const ParquetScanSpec *spec)
{
    if (spec->npaths == 0) return 0;
    double rows = 0;
    int opened = 0;
    for (int i = 0; i < spec->npaths && opened < PARQUET_FOOTERS_READ; i++) {
        Error err = ERROR_INIT;
        ParquetFile *pf = parquet_file_open(spec->paths[i], &err);
        if (pf == NULL) return UNKNOWN_ROWS; /* the scan itself will report it */
        rows += (double)pf->meta.num_rows;
        parquet_file_close(pf);
        opened++;
    }
    return rows * (double)spec->npaths / (double)opened;
}

static double series_rows(const SeriesScanSpec *spec)
{
    if (spec->empty) return 0;
    if (spec->type.id == TYPE_TIMESTAMP) {
        double span = (double)datetime_interval_span(spec->interval_step);
        return span == 0 ? 0 : (double)((spec->stop - spec->start) / span) + 1;
    }
    double n = ((double)spec->stop - (double)spec->start) / (double)spec->step + 1;
    return n < 0 ? 0 : n;
}

double opt_estimate_rows(const PlanNode *p)
{
    switch (p->kind) {
    case PLAN_ONE_ROW: return 1;
    case PLAN_VALUES: return (double)p->nrows;
    case PLAN_TABLE_SCAN: return (double)p->table->nrows;
    case PLAN_CSV_SCAN: return files_bytes(p->csv->pattern, p->csv->dataset) / ESTIMATED_ROW_BYTES;
    case PLAN_EXTERNAL_SCAN: {
        double rows = UNKNOWN_ROWS;
        if (p->provider == &parquet_scan_provider) rows = parquet_rows(p->scan_spec);
        else if (p->provider == &series_scan_provider) rows = series_rows(p->scan_spec);
        else if (p->provider == &json_scan_provider) {
            const JsonScanSpec *js = p->scan_spec;
            rows = files_bytes(js->pattern, js->dataset) / ESTIMATED_ROW_BYTES;
        }
        return p->nscan_filters > 0 ? rows * FILTER_SELECTIVITY : rows;
    }
    case PLAN_FILTER: return opt_estimate_rows(p->child) * FILTER_SELECTIVITY;
    case PLAN_LIMIT: {
        double in = opt_estimate_rows(p->child);
        return p->limit >= 0 && (double)p->limit < in ? (double)p->limit : in;
    }
    case PLAN_AGGREGATE: return p->ngroups == 0 ? 1 : opt_estimate_rows(p->child) * GROUP_SELECTIVITY;
    case PLAN_HASH_JOIN: {
        double l = opt_estimate_rows(p->child);
        if (p->join_type == JOIN_SEMI || p->join_type == JOIN_ANTI) return l * 0.5;
        double r = opt_estimate_rows(p->right);
        if (p->njoin_keys == 0 && p->join_type == JOIN_INNER) return l * r;
        if (p->join_type == JOIN_FULL) return l + r;
        if (p->join_type == JOIN_RIGHT) return r > l ? r : l;
        return l > r ? l : r;
    }
    case PLAN_UNION: return opt_estimate_rows(p->child) + opt_estimate_rows(p->right);
    case PLAN_SETOP: return opt_estimate_rows(p->child);
    case PLAN_UNIQUE: return opt_estimate_rows(p->child) * 0.5;
    case PLAN_PROJECT:
    case PLAN_SORT:
    case PLAN_GATHER:
    case PLAN_WINDOW: return opt_estimate_rows(p->child);
    }
    return UNKNOWN_ROWS;
}

/* Exchange the inputs of the INNER join at *slot and restore its column
 * order with a projection on top. */
static void swap_sides(Binder *b, PlanNode **slot)
{
    PlanNode *join = *slot;
    int nl = join->child->ncols, nr = join->right->ncols, n = join->ncols;
    PlanNode *tmp = join->child;
    join->child = join->right;
    join->right = tmp;
    int *keys = join->left_keys;
    join->left_keys = join->right_keys;
    join->right_keys = keys;
    /* columns were left ++ right; now right ++ left */
    LogicalType *types = arena_alloc(b->arena, sizeof(LogicalType) * (size_t)(n + 1));
    char **names = arena_alloc(b->arena, sizeof(char *) * (size_t)(n + 1));
    int *map = arena_alloc(b->arena, sizeof(int) * (size_t)(n + 1)); /* old column -> new column */
    for (int c = 0; c < n; c++) map[c] = c < nl ? c + nr : c - nl;
    for (int c = 0; c < n; c++) {
        types[map[c]] = join->types[c];
        names[map[c]] = join->names[c];
    }
    if (join->predicate) opt_renumber_columns(join->predicate, map);
    Expr **exprs = arena_alloc(b->arena, sizeof(Expr *) * (size_t)(n + 1));
    char **out_names = arena_alloc(b->arena, sizeof(char *) * (size_t)(n + 1));
    for (int c = 0; c < n; c++) {
        exprs[c] = expr_column(b, map[c], join->types[c]);
        out_names[c] = join->names[c];
    }
    memcpy(join->types, types, sizeof(LogicalType) * (size_t)n);
    memcpy(join->names, names, sizeof(char *) * (size_t)n);
    *slot = plan_project(b, join, n, exprs, out_names);
}

static bool has_null_typed_column(const PlanNode *p)
{
    for (int c = 0; c < p->ncols; c++)
        if (p->types[c].id == TYPE_NULL) return true;
    return false;
}

/* Visit bottom-up: each join decides on its own inputs. */
static void order_joins(Binder *b, PlanNode **slot)
{
    PlanNode *p = *slot;
    if (p == NULL) return;
    order_joins(b, &p->child);
    order_joins(b, &p->right);
    if (p->kind == PLAN_HASH_JOIN && p->join_type == JOIN_INNER && p->child && p->right &&
        p->ncols == p->child->ncols + p->right->ncols && !has_null_typed_column(p) &&
        opt_estimate_rows(p->child) < opt_estimate_rows(p->right))
        swap_sides(b, slot);
}

void opt_choose_build_sides(Binder *b, PlanNode **slot) { order_joins(b, slot); }
