/* parquet_stats_filter: row-group pruning from column statistics (see the
 * header for the shapes and the trust rules).
 *
 * The hints are analysed once into a tree of predicates (AND, OR, a
 * comparison of an operand with constants, IS [NOT] NULL, or "unknown").
 * For a row group each leaf asks: could some value v in the chunk, i.e. a
 * value with min <= v <= max (plus NaN for a DOUBLE column, which writers
 * leave out of min/max), or a NULL, make it TRUE?  The operand is evaluated
 * on a two-row batch holding min and max with the ordinary expression
 * evaluator, so casts give exactly the values the filter will see; the
 * comparisons use kiln's sort order (sort_compare_slots), the one the
 * comparison operators follow.  A leaf that cannot decide says "may match":
 * pruning is only ever an optimisation, the filter above the scan still
 * runs. */
#include "formats/parquet/parquet_stats_filter.h"

#include <math.h>
#include <string.h>

#include "common/mem.h"
#include "exec/compare_op.h"
#include "exec/expr_eval.h"
#include "exec/sort_compare.h"
#include "types/cast.h"
#include "types/decimal.h"

typedef enum { PRED_UNKNOWN, PRED_AND, PRED_OR, PRED_COMPARE, PRED_IS_NULL, PRED_NOT_NULL } PredKind;

typedef struct Pred {
    PredKind kind;
    struct Pred **kids; /* AND, OR */
    int nkids;
    CompareOp op;       /* COMPARE: operand op constant (any of the constants for IN) */
    int column;         /* COMPARE, IS [NOT] NULL: schema column */
    ExprState *operand; /* COMPARE: the column or its monotone casts */
    bool nan_possible;  /* COMPARE: the operand is a DOUBLE column itself */
    LogicalType type;   /* COMPARE: the type compared in (a common decimal when the two differ) */
    Vector consts;      /* COMPARE: the constants, in that type */
    Vector scratch;     /* COMPARE: min and max of the operand cast to that type */
    int nconsts;
} Pred;

struct ParquetStatsFilter {
    Pred **preds;
    int npreds;
    int ncols;
    const char **names;         /* copied; NULL: a column the files' statistics do not describe */
    const LogicalType *types;
    Batch bounds;       /* row 0 = min, row 1 = max of one column; others unused */
    Vector nan;         /* one DOUBLE NaN */
};

/* ---- analysis ---- */

static bool is_numeric_id(TypeId id) { return id == TYPE_INTEGER || id == TYPE_BIGINT || id == TYPE_DECIMAL || id == TYPE_DOUBLE; }

/* A cast that never reverses the order of two values (it may merge them). */
static bool monotone_cast(LogicalType from, LogicalType to)
{
    if (type_equal(from, to)) return true;
    /* from DOUBLE only to DOUBLE: NaN has no integer or decimal image */
    if (is_numeric_id(from.id) && is_numeric_id(to.id)) return from.id != TYPE_DOUBLE;
    return from.id == TYPE_DATE && to.id == TYPE_TIMESTAMP;
}

/* The column under an operand (a column under monotone casts), or -1. */
static int operand_column(const Expr *e)
{
    while (e->kind == EXPR_CAST && e->nargs == 1 && monotone_cast(e->args[0]->type, e->type)) e = e->args[0];
    return e->kind == EXPR_COLUMN ? e->column : -1;
}

/* A literal, possibly cast (no calls: they might be volatile). */
static bool is_literal(const Expr *e)
{
    while (e->kind == EXPR_CAST && e->nargs == 1) e = e->args[0];
    return e->kind == EXPR_CONST;
}

static Pred *pred_new(PredKind kind)
{
    Pred *p = mem_calloc(1, sizeof *p);
    p->kind = kind;
    return p;
}

static void pred_free(Pred *p)
{
    if (p == NULL) return;
    for (int i = 0; i < p->nkids; i++) pred_free(p->kids[i]);
    mem_free(p->kids);
    if (p->operand) expr_state_free(p->operand);
    if (p->kind == PRED_COMPARE) {
        vector_destroy(&p->consts);
        vector_destroy(&p->scratch);
    }
    mem_free(p);
}

/* Cast one value (slot 0 of a one-slot vector) into slot row of dst. */
static bool cast_into(const Vector *src, Vector *dst, uint32_t row)
{
    Vector tmp;
    vector_init(&tmp, dst->type, 1);
    Error err = ERROR_INIT;
    bool ok = cast_vector(src, &tmp, 1, &err);
    if (ok) {
        Value v = value_from_vector(&tmp, 0);
        value_to_vector(&v, dst, row);
    }
    vector_destroy(&tmp);
    return ok;
}

/* A comparison leaf of operand with n constants, compared in type; UNKNOWN
 * if a constant does not evaluate. */
static Pred *compare_pred(const ParquetStatsFilter *f, const Expr *operand, CompareOp op, Expr *const *consts, int n,
                          LogicalType type)
{
    int col = operand_column(operand);
    if (col < 0 || col >= f->ncols || f->names[col] == NULL) return pred_new(PRED_UNKNOWN);
    Pred *p = pred_new(PRED_COMPARE);
    p->op = op;
    p->column = col;
    p->nan_possible = f->types[col].id == TYPE_DOUBLE;
    if (p->nan_possible && operand->kind != EXPR_COLUMN) {
        p->kind = PRED_UNKNOWN;
        return p;
    }
    p->type = type;
    vector_init(&p->consts, type, (uint32_t)n + 1);
    vector_init(&p->scratch, type, 2);
    Arena arena;
    arena_init(&arena, 0);
    bool ok = true;
    for (int i = 0; i < n && ok; i++) {
        Value v;
        Error err = ERROR_INIT;
        ok = is_literal(consts[i]) && expr_eval_constant(consts[i], &arena, &v, &err);
        if (!ok) break;
        if (v.is_null || type_equal(consts[i]->type, type)) {
            if (v.is_null) vector_set_null(&p->consts, (uint32_t)i);
            else value_to_vector(&v, &p->consts, (uint32_t)i); /* copies strings into the vector */
        } else {
            Vector one;
            vector_init(&one, consts[i]->type, 1);
            value_to_vector(&v, &one, 0);
            ok = cast_into(&one, &p->consts, (uint32_t)i);
            vector_destroy(&one);
        }
    }
    arena_destroy(&arena);
    if (!ok) {
        vector_destroy(&p->consts);
        vector_destroy(&p->scratch);
        p->kind = PRED_UNKNOWN;
        return p;
    }
    p->nconsts = n;
    p->operand = expr_state_build(operand);
    return p;
}



/* The type two compared sides meet in: theirs, or for decimals of
 * different scales (compared exactly, without casts) a decimal holding
 * both exactly. */
static bool compare_type(LogicalType a, LogicalType b, LogicalType *out)
{
    if (type_equal(a, b)) {
        *out = a;
        return true;
    }
    if (a.id != TYPE_DECIMAL || b.id != TYPE_DECIMAL) return false;
    int scale = a.scale > b.scale ? a.scale : b.scale;
    int ia = a.precision - a.scale, ib = b.precision - b.scale;
    int digits = (ia > ib ? ia : ib) + scale;
    if (digits > DECIMAL_MAX_PRECISION) return false;
    *out = type_decimal(digits, scale);
    return true;
}

static Pred *analyse(const ParquetStatsFilter *f, Expr *e)
{
    if (e == NULL) return pred_new(PRED_UNKNOWN);
    switch (e->kind) {
    case EXPR_AND:
    case EXPR_OR: {
        Pred *p = pred_new(e->kind == EXPR_AND ? PRED_AND : PRED_OR);
        p->kids = mem_calloc((size_t)e->nargs + 1, sizeof *p->kids);
        for (int i = 0; i < e->nargs; i++) p->kids[p->nkids++] = analyse(f, e->args[i]);
        return p;
    }
    case EXPR_CALL: {
        CompareOp op;
        if (e->nargs != 2 || e->call == NULL || e->call->function == NULL || !compare_op_of(e->call->function->name, &op))
            return pred_new(PRED_UNKNOWN);
        LogicalType type;
        if (!compare_type(e->args[0]->type, e->args[1]->type, &type)) return pred_new(PRED_UNKNOWN);
        if (operand_column(e->args[0]) >= 0 && is_literal(e->args[1]))
            return compare_pred(f, e->args[0], op, &e->args[1], 1, type);
        if (operand_column(e->args[1]) >= 0 && is_literal(e->args[0]))
            return compare_pred(f, e->args[1], compare_op_flip(op), &e->args[0], 1, type);
        return pred_new(PRED_UNKNOWN);
    }
    case EXPR_IN_LIST:
        if (e->negated || e->nargs < 2) return pred_new(PRED_UNKNOWN);
        for (int i = 1; i < e->nargs; i++)
            if (!type_equal(e->args[i]->type, e->args[0]->type)) return pred_new(PRED_UNKNOWN);
        return compare_pred(f, e->args[0], OP_EQ, &e->args[1], e->nargs - 1, e->args[0]->type);
    case EXPR_IS_NULL: {
        int col = e->nargs == 1 ? operand_column(e->args[0]) : -1;
        if (col < 0 || col >= f->ncols || f->names[col] == NULL) return pred_new(PRED_UNKNOWN);
        Pred *p = pred_new(e->negated ? PRED_NOT_NULL : PRED_IS_NULL);
        p->column = col;
        return p;
    }
    case EXPR_COLUMN:
    case EXPR_NOT: {
        /* a boolean column is `col = true`, NOT col is `col = false` */
        bool negated = e->kind == EXPR_NOT;
        Expr *col = negated ? (e->nargs == 1 ? e->args[0] : NULL) : e;
        if (col == NULL || col->kind != EXPR_COLUMN || col->type.id != TYPE_BOOLEAN) return pred_new(PRED_UNKNOWN);
        Expr lit;
        memset(&lit, 0, sizeof lit);
        lit.kind = EXPR_CONST;
        lit.type = col->type;
        lit.sql_pos = -1;
        lit.constant = value_boolean(!negated);
        Expr *consts[1] = {&lit};
        return compare_pred(f, col, OP_EQ, consts, 1, col->type);
    }
    default: return pred_new(PRED_UNKNOWN);
    }
}

/* True if p can never prune anything. */
static bool pred_is_unknown(const Pred *p)
{
    switch (p->kind) {
    case PRED_UNKNOWN: return true;
    case PRED_AND:
        for (int i = 0; i < p->nkids; i++)
            if (!pred_is_unknown(p->kids[i])) return false;
        return true;
    case PRED_OR:
        for (int i = 0; i < p->nkids; i++)
            if (pred_is_unknown(p->kids[i])) return true;
        return p->nkids == 0;
    default: return false;
    }
}

ParquetStatsFilter *parquet_stats_filter_create(Expr *const *conds, int nconds, int ncols, const char *const *names,
                                                const LogicalType *types)
{
    if (nconds <= 0 || ncols <= 0) return NULL;
    ParquetStatsFilter *f = mem_calloc(1, sizeof *f);
    f->ncols = ncols;
    f->names = mem_calloc((size_t)ncols, sizeof *f->names);
    memcpy(f->names, names, sizeof *f->names * (size_t)ncols);
    f->types = types;
    f->preds = mem_calloc((size_t)nconds, sizeof *f->preds);
    for (int i = 0; i < nconds; i++) {
        Pred *p = analyse(f, conds[i]);
        if (pred_is_unknown(p)) pred_free(p);
        else f->preds[f->npreds++] = p;
    }
    if (f->npreds == 0) {
        parquet_stats_filter_free(f);
        return NULL;
    }
    batch_init(&f->bounds, ncols, types, 2);
    vector_init(&f->nan, type_make(TYPE_DOUBLE), 1);
    VEC_DATA(&f->nan, double)[0] = NAN;
    return f;
}

void parquet_stats_filter_free(ParquetStatsFilter *f)
{
    if (f == NULL) return;
    for (int i = 0; i < f->npreds; i++) pred_free(f->preds[i]);
    mem_free(f->preds);
    mem_free(f->names);
    if (f->bounds.cols) {
        batch_destroy(&f->bounds);
        vector_destroy(&f->nan);
    }
    mem_free(f);
}

/* ---- statistics ---- */

/* Unsigned integers (logical or converted) order differently from their
 * physical INT32/INT64. */
static bool is_unsigned(const PqSchemaElement *e)
{
    if (e->logical.kind == PQ_LT_INTEGER && !e->logical.is_signed) return true;
    int ct = e->converted_type;
    return ct == PQ_CT_UINT_8 || ct == PQ_CT_UINT_16 || ct == PQ_CT_UINT_32 || ct == PQ_CT_UINT_64;
}

/* The column's type order is the signed order of its physical values. */
static bool signed_order(const PqSchemaElement *e)
{
    switch (e->type) {
    case PQ_BOOLEAN:
    case PQ_FLOAT:
    case PQ_DOUBLE: return true;
    case PQ_INT32:
    case PQ_INT64: return !is_unsigned(e);
    default: return false; /* BYTE_ARRAY, FIXED: unsigned bytes or two's complement; INT96: undefined */
    }
}

bool parquet_stats_bounds(const ParquetFile *pf, const ParquetColumn *col, const PqColumnMeta *m, PqBytes *min,
                          PqBytes *max)
{
    if (!m->has_statistics || col->element == NULL || col->element->type == PQ_INT96) return false;
    const PqStatistics *st = &m->statistics;
    bool typed = signed_order(col->element);
    if (st->min_value.data && st->max_value.data && (pf->meta.has_column_orders || typed)) {
        *min = st->min_value;
        *max = st->max_value;
        return true;
    }
    if (st->min.data && st->max.data && typed) {
        *min = st->min;
        *max = st->max;
        return true;
    }
    return false;
}

/* What a row group says of one column. */
typedef struct ChunkFacts {
    int64_t rows;
    bool nulls_known;
    int64_t nulls;
    const ParquetColumn *col;   /* NULL: not found with the scan's type */
    const PqColumnMeta *meta;
} ChunkFacts;

static void chunk_facts(const ParquetStatsFilter *f, const ParquetFile *pf, int rg, int column, ChunkFacts *out)
{
    memset(out, 0, sizeof *out);
    const PqRowGroup *g = &pf->meta.row_groups[rg];
    out->rows = g->num_rows;
    for (int c = 0; c < pf->ncols; c++) {
        const ParquetColumn *pc = &pf->cols[c];
        if (strcmp(pc->name, f->names[column]) != 0) continue;
        if (pc->unsupported || pc->leaf < 0 || (uint32_t)pc->leaf >= g->ncolumns ||
            !type_equal(pc->type, f->types[column]) || !g->columns[pc->leaf].has_meta)
            return;
        out->col = pc;
        out->meta = &g->columns[pc->leaf].meta;
        if (pc->max_def == 0) {
            out->nulls_known = true; /* REQUIRED */
        } else if (out->meta->has_statistics && out->meta->statistics.has_null_count) {
            out->nulls_known = true;
            out->nulls = out->meta->statistics.null_count;
        }
        return;
    }
}

static bool satisfies(CompareOp op, int cmp)
{
    switch (op) {
    case OP_EQ: return cmp == 0;
    case OP_NE: return cmp != 0;
    case OP_LT: return cmp < 0;
    case OP_LE: return cmp <= 0;
    case OP_GT: return cmp > 0;
    default: return cmp >= 0;
    }
}

/* Could a value between lo and hi (lo <= hi) compare to c as op says? */
static bool range_may(CompareOp op, int lo_vs_c, int hi_vs_c)
{
    switch (op) {
    case OP_EQ: return lo_vs_c <= 0 && hi_vs_c >= 0;
    case OP_NE: return !(lo_vs_c == 0 && hi_vs_c == 0);
    case OP_LT: return lo_vs_c < 0;
    case OP_LE: return lo_vs_c <= 0;
    case OP_GT: return hi_vs_c > 0;
    default: return hi_vs_c >= 0;
    }
}

static bool is_nan_slot(const Vector *v, uint32_t i) { return v->type.id == TYPE_DOUBLE && isnan(VEC_DATA(v, double)[i]); }

static bool bounds_may(ParquetStatsFilter *f, Pred *p);

static bool compare_may(ParquetStatsFilter *f, Pred *p, const ParquetFile *pf, const ChunkFacts *facts)
{
    /* a NaN the statistics leave out */
    if (p->nan_possible)
        for (int k = 0; k < p->nconsts; k++)
            if (vector_is_valid(&p->consts, (uint32_t)k) &&
                satisfies(p->op, sort_compare_slots(&f->nan, 0, &p->consts, (uint32_t)k)))
                return true;
    PqBytes min, max;
    if (!parquet_stats_bounds(pf, facts->col, facts->meta, &min, &max)) return true;
    Vector *v = f->bounds.cols[p->column];
    vector_reset(v);
    if (!parquet_statistic_value(facts->col, min.data, min.len, v, 0) ||
        !parquet_statistic_value(facts->col, max.data, max.len, v, 1))
        return true;
    return bounds_may(f, p);
}

/* Could a value between the bounds in slots 0 (min) and 1 (max) of
 * f->bounds' column p->column pass comparison p? */
static bool bounds_may(ParquetStatsFilter *f, Pred *p)
{
    Vector *v = f->bounds.cols[p->column];
    if (is_nan_slot(v, 0) || is_nan_slot(v, 1) || sort_compare_slots(v, 0, v, 1) > 0) return true;
    f->bounds.count = 2;
    Error err = ERROR_INIT;
    Vector *r = expr_eval(p->operand, &f->bounds, &err);
    if (r == NULL || !vector_is_valid(r, 0) || !vector_is_valid(r, 1)) return true;
    if (!type_equal(r->type, p->type)) {
        vector_reset(&p->scratch);
        if (!cast_vector(r, &p->scratch, 2, &err)) return true;
        r = &p->scratch;
    }
    for (int k = 0; k < p->nconsts; k++) {
        /* a NULL constant makes the comparison NULL for every row */
        if (!vector_is_valid(&p->consts, (uint32_t)k)) continue;
        int lo = sort_compare_slots(r, 0, &p->consts, (uint32_t)k);
        int hi = sort_compare_slots(r, 1, &p->consts, (uint32_t)k);
        if (range_may(p->op, lo, hi)) return true;
    }
    return false;
}

static bool pred_may(ParquetStatsFilter *f, Pred *p, const ParquetFile *pf, int rg)
{
    switch (p->kind) {
    case PRED_AND:
        for (int i = 0; i < p->nkids; i++)
            if (!pred_may(f, p->kids[i], pf, rg)) return false;
        return true;
    case PRED_OR:
        for (int i = 0; i < p->nkids; i++)
            if (pred_may(f, p->kids[i], pf, rg)) return true;
        return p->nkids == 0;
    case PRED_UNKNOWN: return true;
    default: break;
    }
    ChunkFacts facts;
    chunk_facts(f, pf, rg, p->column, &facts);
    if (facts.col == NULL) return true;
    if (facts.rows <= 0) return true; /* nothing to skip */
    bool all_null = facts.nulls_known && facts.nulls >= facts.rows;
    switch (p->kind) {
    case PRED_IS_NULL: return !(facts.nulls_known && facts.nulls == 0);
    case PRED_NOT_NULL: return !all_null;
    default: return !all_null && compare_may(f, p, pf, &facts);
    }
}

bool parquet_stats_filter_may_match(ParquetStatsFilter *f, const ParquetFile *pf, int rg)
{
    if (f == NULL || rg < 0 || (uint32_t)rg >= pf->meta.nrow_groups) return true;
    for (int i = 0; i < f->npreds; i++)
        if (!pred_may(f, f->preds[i], pf, rg)) return false;
    return true;
}

/* ---- the values of a batch ----
 *
 * The same decision for some rows already read: a scan reads the hint
 * columns of a batch first, and skips the other columns' rows when their
 * minimum and maximum rule the batch out (a file sorted on the filtered
 * column has long stretches of such rows inside a row group that may
 * match).  Bounds are taken only for the fixed-width integer
 * representations (INTEGER, DATE, BIGINT, decimals up to 18 digits), in one
 * pass; other types are assumed to match. */

/* Min and max of the valid rows of v[0..n) into slots 0 and 1 of out (v's
 * type); false for a type this does not bound or when no row is valid. */
static bool vector_bounds(const Vector *v, uint32_t n, Vector *out)
{
    TypeId id = v->type.id;
    bool i32 = id == TYPE_INTEGER || id == TYPE_DATE;
    bool i64 = id == TYPE_BIGINT || (id == TYPE_DECIMAL && !type_is_decimal128(v->type));
    if (!i32 && !i64) return false;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    bool any = false;
    if (v->validity == NULL && n > 0) {
        /* no NULLs: branch-free loops the compiler vectorises */
        any = true;
        if (i32) {
            const int32_t *x = VEC_DATA(v, int32_t);
            int32_t l = x[0], h = x[0];
            for (uint32_t i = 1; i < n; i++) {
                l = x[i] < l ? x[i] : l;
                h = x[i] > h ? x[i] : h;
            }
            lo = l;
            hi = h;
        } else {
            const int64_t *x = VEC_DATA(v, int64_t);
            for (uint32_t i = 0; i < n; i++) {
                lo = x[i] < lo ? x[i] : lo;
                hi = x[i] > hi ? x[i] : hi;
            }
        }
    } else {
        for (uint32_t i = 0; i < n; i++) {
            if (!vector_is_valid(v, i)) continue;
            int64_t x = i32 ? VEC_DATA(v, int32_t)[i] : VEC_DATA(v, int64_t)[i];
            lo = x < lo ? x : lo;
            hi = x > hi ? x : hi;
            any = true;
        }
    }
    if (!any) return false;
    vector_reset(out);
    if (i32) {
        VEC_DATA(out, int32_t)[0] = (int32_t)lo;
        VEC_DATA(out, int32_t)[1] = (int32_t)hi;
    } else {
        VEC_DATA(out, int64_t)[0] = lo;
        VEC_DATA(out, int64_t)[1] = hi;
    }
    return true;
}

static uint32_t valid_rows(const Vector *v, uint32_t n)
{
    if (v->validity == NULL) return n;
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) k += vector_is_valid(v, i);
    return k;
}

static bool rows_pred_may(ParquetStatsFilter *f, Pred *p, Vector *const *values, uint32_t n)
{
    switch (p->kind) {
    case PRED_AND:
        for (int i = 0; i < p->nkids; i++)
            if (!rows_pred_may(f, p->kids[i], values, n)) return false;
        return true;
    case PRED_OR:
        for (int i = 0; i < p->nkids; i++)
            if (rows_pred_may(f, p->kids[i], values, n)) return true;
        return p->nkids == 0;
    case PRED_UNKNOWN: return true;
    default: break;
    }
    const Vector *v = values[p->column];
    if (v == NULL || n == 0 || !type_equal(v->type, f->types[p->column])) return true;
    uint32_t nvalid = valid_rows(v, n);
    switch (p->kind) {
    case PRED_IS_NULL: return nvalid < n;
    case PRED_NOT_NULL: return nvalid > 0;
    default: break;
    }
    if (nvalid == 0) return false; /* every comparison is NULL */
    if (!vector_bounds(v, n, f->bounds.cols[p->column])) return true;
    return bounds_may(f, p);
}

bool parquet_stats_filter_rows_may_match(ParquetStatsFilter *f, Vector *const *values, uint32_t n)
{
    if (f == NULL) return true;
    for (int i = 0; i < f->npreds; i++)
        if (!rows_pred_may(f, f->preds[i], values, n)) return false;
    return true;
}

static void pred_columns(const Pred *p, bool *used)
{
    for (int i = 0; i < p->nkids; i++) pred_columns(p->kids[i], used);
    if (p->kind == PRED_COMPARE || p->kind == PRED_IS_NULL || p->kind == PRED_NOT_NULL) used[p->column] = true;
}

void parquet_stats_filter_columns(const ParquetStatsFilter *f, bool *used)
{
    for (int i = 0; f && i < f->npreds; i++) pred_columns(f->preds[i], used);
}
