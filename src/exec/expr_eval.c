/* expr_eval: vectorised expression evaluation (see expr_eval.h).
 *
 * Every node computes all rows of its input batch in one call: a function
 * call evaluates its arguments to dense vectors, then runs the function's
 * vectorised implementation once.  Conditional forms (CASE, COALESCE, AND,
 * OR) keep a list of the rows still undecided and evaluate each further
 * operand on a sub-batch of just those rows, scattering the answers back.
 *
 * Memory: each node owns one result vector of VECTOR_CAPACITY slots and, for
 * conditional forms, three row lists and one selection buffer; nothing is
 * allocated per batch except string heap space for computed strings. */
#include "exec/expr_eval.h"

#include <string.h>

#include "common/mem.h"
#include "exec/hash.h"
#include "types/cast.h"

struct ExprState {
    const Expr *expr;
    Vector result;
    int nchildren;
    ExprState **children;
    Vector *argv[FN_MAX_CALL_ARGS];
    /* conditional forms */
    uint32_t *rows_a, *rows_b, *rows_c, *sel;
    uint8_t *flag_val, *flag_null;
    Vector scratch;     /* IS DISTINCT FROM equality, GREATEST/LEAST comparison */
    bool has_scratch;
    /* EXPR_IN_LIST: the constants (non-NULL ones) in a vector, hashed into an
     * open-addressing table of their positions + 1 */
    Vector set;
    uint32_t nset;
    bool set_has_null;
    uint32_t *table;
    uint64_t table_mask;
    uint64_t *hashes;
};

static void build_in_set(ExprState *s, const Expr *e)
{
    uint32_t n = (uint32_t)(e->nargs - 1);
    vector_init(&s->set, e->args[0]->type, n ? n : 1);
    for (uint32_t i = 0; i < n; i++) {
        const Value *v = &e->args[i + 1]->constant;
        if (v->is_null) {
            s->set_has_null = true;
            continue;
        }
        value_to_vector(v, &s->set, s->nset++);
    }
    uint64_t cap = 16;
    while (cap < (uint64_t)s->nset * 2) cap *= 2;
    s->table = mem_calloc(cap, sizeof(uint32_t));
    s->table_mask = cap - 1;
    uint64_t *h = mem_alloc(sizeof(uint64_t) * (s->nset ? s->nset : 1));
    hash_vector(&s->set, s->nset, h, false);
    for (uint32_t i = 0; i < s->nset; i++) {
        uint64_t slot = h[i] & s->table_mask;
        while (s->table[slot]) slot = (slot + 1) & s->table_mask;
        s->table[slot] = i + 1; /* duplicates are harmless: the first one found answers */
    }
    mem_free(h);
    s->hashes = mem_alloc(sizeof(uint64_t) * VECTOR_CAPACITY);
}

/* x IN (constants): true if found; else NULL if x is NULL or the list holds a NULL; else false. */
static Vector *eval_in_list(ExprState *s, const Batch *in, Error *err)
{
    Vector *res = &s->result;
    Vector *x = expr_eval(s->children[0], in, err);
    if (x == NULL) return NULL;
    uint32_t n = in->count;
    vector_reset(res);
    hash_vector(x, n, s->hashes, false);
    uint8_t *out = VEC_DATA(res, uint8_t);
    bool negated = s->expr->negated;
    for (uint32_t i = 0; i < n; i++) {
        if (!vector_is_valid(x, i)) {
            vector_set_null(res, i);
            continue;
        }
        bool found = false;
        uint64_t slot = s->hashes[i] & s->table_mask;
        for (uint32_t entry; (entry = s->table[slot]) != 0; slot = (slot + 1) & s->table_mask)
            if (hash_values_equal(x, i, &s->set, entry - 1)) {
                found = true;
                break;
            }
        if (!found && s->set_has_null) vector_set_null(res, i);
        else out[i] = (uint8_t)(found != negated);
    }
    return res;
}

ExprState *expr_state_build(const Expr *e)
{
    ExprState *s = mem_calloc(1, sizeof *s);
    s->expr = e;
    LogicalType rt = e->type.id == TYPE_INVALID ? type_make(TYPE_NULL) : e->type;
    vector_init(&s->result, rt, VECTOR_CAPACITY);
    /* an IN list evaluates only its left side; the constants go into a hash table */
    s->nchildren = e->kind == EXPR_IN_LIST ? 1 : e->nargs;
    s->children = mem_calloc((size_t)e->nargs + 1, sizeof(ExprState *));
    for (int i = 0; i < s->nchildren; i++) s->children[i] = expr_state_build(e->args[i]);
    if (e->kind == EXPR_IN_LIST) build_in_set(s, e);
    switch (e->kind) {
    case EXPR_CONST: {
        Vector one;
        vector_init(&one, rt, 1);
        value_to_vector(&e->constant, &one, 0);
        vector_broadcast(&s->result, &one, 0, VECTOR_CAPACITY);
        vector_destroy(&one);
        break;
    }
    case EXPR_CASE:
    case EXPR_COALESCE:
    case EXPR_AND:
    case EXPR_OR:
        s->rows_a = mem_alloc(sizeof(uint32_t) * VECTOR_CAPACITY);
        s->rows_b = mem_alloc(sizeof(uint32_t) * VECTOR_CAPACITY);
        s->rows_c = mem_alloc(sizeof(uint32_t) * VECTOR_CAPACITY);
        s->sel = mem_alloc(sizeof(uint32_t) * VECTOR_CAPACITY);
        s->flag_val = mem_alloc(VECTOR_CAPACITY);
        s->flag_null = mem_alloc(VECTOR_CAPACITY);
        break;
    case EXPR_IS_DISTINCT:
    case EXPR_GREATEST:
    case EXPR_LEAST:
        vector_init(&s->scratch, type_make(TYPE_BOOLEAN), VECTOR_CAPACITY);
        s->has_scratch = true;
        break;
    default:
        break;
    }
    return s;
}

void expr_state_free(ExprState *s)
{
    if (s == NULL) return;
    for (int i = 0; i < s->nchildren; i++) expr_state_free(s->children[i]);
    mem_free(s->children);
    vector_destroy(&s->result);
    if (s->has_scratch) vector_destroy(&s->scratch);
    mem_free(s->rows_a);
    mem_free(s->rows_b);
    mem_free(s->rows_c);
    mem_free(s->sel);
    mem_free(s->flag_val);
    mem_free(s->flag_null);
    if (s->expr->kind == EXPR_IN_LIST) vector_destroy(&s->set);
    mem_free(s->table);
    mem_free(s->hashes);
    mem_free(s);
}

/* A batch of the rows `rows[0..n)` (logical indexes of in), sharing in's columns. */
static void make_sub_batch(Batch *sub, const Batch *in, const uint32_t *rows, uint32_t n, uint32_t *sel_buf)
{
    for (uint32_t k = 0; k < n; k++) sel_buf[k] = batch_row(in, rows[k]);
    sub->ncols = in->ncols;
    sub->cols = in->cols;
    sub->count = n;
    sub->sel = sel_buf;
    sub->owned = NULL;
}

/* result[rows[k]] = src[k] for k < n (strings keep pointing at src's storage). */
static void scatter(Vector *result, const Vector *src, const uint32_t *rows, uint32_t n)
{
    size_t size = type_physical_size(result->type);
    unsigned char *d = result->data;
    const unsigned char *s = src->data;
    for (uint32_t k = 0; k < n; k++) {
        if (vector_is_valid(src, k)) {
            memcpy(d + (size_t)rows[k] * size, s + (size_t)k * size, size);
            vector_set_valid(result, rows[k]);
        } else {
            vector_set_null(result, rows[k]);
        }
    }
}

static void copy_row(Vector *dst, uint32_t i, const Vector *src)
{
    size_t size = type_physical_size(dst->type);
    if (vector_is_valid(src, i)) {
        memcpy((unsigned char *)dst->data + (size_t)i * size, (const unsigned char *)src->data + (size_t)i * size,
               size);
        vector_set_valid(dst, i);
    } else {
        vector_set_null(dst, i);
    }
}

/* Evaluate child c on the rows `rows` of in (all rows when rows == NULL). */
static Vector *eval_on_rows(ExprState *s, int c, const Batch *in, const uint32_t *rows, uint32_t n, Error *err)
{
    if (rows == NULL || n == in->count) {
        /* rows lists are ascending and duplicate-free, so n == count means all rows */
        return expr_eval(s->children[c], in, err);
    }
    Batch sub;
    make_sub_batch(&sub, in, rows, n, s->sel);
    return expr_eval(s->children[c], &sub, err);
}

static Vector *eval_case(ExprState *s, const Batch *in, Error *err)
{
    const Expr *e = s->expr;
    Vector *res = &s->result;
    uint32_t n = in->count;
    uint32_t *remaining = s->rows_a, *still = s->rows_b, *matched = s->rows_c;
    uint32_t nrem = n;
    for (uint32_t i = 0; i < n; i++) remaining[i] = i;
    int nwhen = (e->nargs - (e->has_else ? 1 : 0)) / 2;
    for (int w = 0; w < nwhen && nrem > 0; w++) {
        Vector *cond = eval_on_rows(s, 2 * w, in, remaining, nrem, err);
        if (cond == NULL) return NULL;
        uint32_t nmatch = 0, nstill = 0;
        const uint8_t *cv = VEC_DATA(cond, uint8_t);
        for (uint32_t k = 0; k < nrem; k++) {
            if (vector_is_valid(cond, k) && cv[k]) matched[nmatch++] = remaining[k];
            else still[nstill++] = remaining[k];
        }
        if (nmatch > 0) {
            Vector *val = eval_on_rows(s, 2 * w + 1, in, matched, nmatch, err);
            if (val == NULL) return NULL;
            scatter(res, val, matched, nmatch);
        }
        uint32_t *t = remaining;
        remaining = still;
        still = t;
        nrem = nstill;
    }
    if (nrem > 0) {
        if (e->has_else) {
            Vector *val = eval_on_rows(s, e->nargs - 1, in, remaining, nrem, err);
            if (val == NULL) return NULL;
            scatter(res, val, remaining, nrem);
        } else {
            for (uint32_t k = 0; k < nrem; k++) vector_set_null(res, remaining[k]);
        }
    }
    return res;
}

static Vector *eval_coalesce(ExprState *s, const Batch *in, Error *err)
{
    Vector *res = &s->result;
    uint32_t n = in->count;
    uint32_t *remaining = s->rows_a, *still = s->rows_b;
    uint32_t nrem = n;
    for (uint32_t i = 0; i < n; i++) remaining[i] = i;
    for (int a = 0; a < s->nchildren && nrem > 0; a++) {
        Vector *v = eval_on_rows(s, a, in, remaining, nrem, err);
        if (v == NULL) return NULL;
        uint32_t nstill = 0;
        size_t size = type_physical_size(res->type);
        for (uint32_t k = 0; k < nrem; k++) {
            if (vector_is_valid(v, k)) {
                memcpy((unsigned char *)res->data + (size_t)remaining[k] * size,
                       (const unsigned char *)v->data + (size_t)k * size, size);
                vector_set_valid(res, remaining[k]);
            } else {
                still[nstill++] = remaining[k];
            }
        }
        uint32_t *t = remaining;
        remaining = still;
        still = t;
        nrem = nstill;
    }
    for (uint32_t k = 0; k < nrem; k++) vector_set_null(res, remaining[k]);
    return res;
}

/* AND (is_and) or OR over all children with three-valued logic. */
static Vector *eval_and_or(ExprState *s, const Batch *in, bool is_and, Error *err)
{
    Vector *res = &s->result;
    uint32_t n = in->count;
    uint32_t *remaining = s->rows_a, *still = s->rows_b;
    uint32_t nrem = n;
    /* decisive value: false for AND, true for OR */
    uint8_t decisive = is_and ? 0 : 1;
    for (uint32_t i = 0; i < n; i++) {
        remaining[i] = i;
        s->flag_val[i] = !decisive;
        s->flag_null[i] = 0;
    }
    for (int a = 0; a < s->nchildren && nrem > 0; a++) {
        Vector *v = eval_on_rows(s, a, in, remaining, nrem, err);
        if (v == NULL) return NULL;
        const uint8_t *bv = VEC_DATA(v, uint8_t);
        uint32_t nstill = 0;
        for (uint32_t k = 0; k < nrem; k++) {
            uint32_t row = remaining[k];
            if (!vector_is_valid(v, k)) {
                s->flag_null[row] = 1;
                still[nstill++] = row;
            } else if ((bv[k] != 0) == decisive) {
                s->flag_val[row] = decisive;
                s->flag_null[row] = 0;
            } else {
                still[nstill++] = row;
            }
        }
        uint32_t *t = remaining;
        remaining = still;
        still = t;
        nrem = nstill;
    }
    uint8_t *out = VEC_DATA(res, uint8_t);
    for (uint32_t i = 0; i < n; i++) {
        out[i] = s->flag_val[i];
        if (s->flag_null[i] && s->flag_val[i] != decisive) vector_set_null(res, i);
    }
    return res;
}

static Vector *eval_greatest_least(ExprState *s, const Batch *in, Error *err)
{
    Vector *res = &s->result;
    uint32_t n = in->count;
    Vector *first = expr_eval(s->children[0], in, err);
    if (first == NULL) return NULL;
    vector_gather(res, 0, first, NULL, n);
    for (int a = 1; a < s->nchildren; a++) {
        Vector *v = expr_eval(s->children[a], in, err);
        if (v == NULL) return NULL;
        Vector *args[2] = {v, res};
        vector_reset(&s->scratch);
        if (!s->expr->call->overload->impl(s->expr->call, args, n, &s->scratch, err)) return NULL;
        const uint8_t *better = VEC_DATA(&s->scratch, uint8_t);
        for (uint32_t i = 0; i < n; i++) {
            if (!vector_is_valid(v, i)) continue;
            if (!vector_is_valid(res, i) || (vector_is_valid(&s->scratch, i) && better[i])) copy_row(res, i, v);
        }
    }
    return res;
}

Vector *expr_eval(ExprState *s, const Batch *in, Error *err)
{
    const Expr *e = s->expr;
    uint32_t n = in->count;
    Vector *res = &s->result;
    switch (e->kind) {
    case EXPR_CONST:
        return res;
    case EXPR_COLUMN:
        if (in->sel == NULL) return in->cols[e->column];
        vector_reset(res);
        vector_gather(res, 0, in->cols[e->column], in->sel, n);
        return res;
    case EXPR_CALL: {
        for (int i = 0; i < s->nchildren; i++) {
            s->argv[i] = expr_eval(s->children[i], in, err);
            if (s->argv[i] == NULL) return NULL;
        }
        vector_reset(res);
        if (!e->call->overload->impl(e->call, s->argv, n, res, err)) {
            if (err->sql_pos < 0) err->sql_pos = e->sql_pos;
            return NULL;
        }
        return res;
    }
    case EXPR_CAST: {
        Vector *v = expr_eval(s->children[0], in, err);
        if (v == NULL) return NULL;
        if (type_equal(v->type, e->type)) return v;
        vector_reset(res);
        if (!cast_vector(v, res, n, err)) {
            if (err->sql_pos < 0) err->sql_pos = e->sql_pos;
            return NULL;
        }
        return res;
    }
    case EXPR_AND:
    case EXPR_OR:
        vector_reset(res);
        return eval_and_or(s, in, e->kind == EXPR_AND, err);
    case EXPR_NOT: {
        Vector *v = expr_eval(s->children[0], in, err);
        if (v == NULL) return NULL;
        vector_reset(res);
        const uint8_t *src = VEC_DATA(v, uint8_t);
        uint8_t *dst = VEC_DATA(res, uint8_t);
        for (uint32_t i = 0; i < n; i++) dst[i] = !src[i];
        if (v->validity)
            for (uint32_t i = 0; i < n; i++)
                if (!vector_is_valid(v, i)) vector_set_null(res, i);
        return res;
    }
    case EXPR_IS_NULL: {
        Vector *v = expr_eval(s->children[0], in, err);
        if (v == NULL) return NULL;
        vector_reset(res);
        uint8_t *dst = VEC_DATA(res, uint8_t);
        for (uint32_t i = 0; i < n; i++) dst[i] = (uint8_t)(vector_is_valid(v, i) == e->negated);
        return res;
    }
    case EXPR_BOOL_TEST: {
        Vector *v = expr_eval(s->children[0], in, err);
        if (v == NULL) return NULL;
        vector_reset(res);
        const uint8_t *src = VEC_DATA(v, uint8_t);
        uint8_t *dst = VEC_DATA(res, uint8_t);
        for (uint32_t i = 0; i < n; i++) {
            bool valid = vector_is_valid(v, i);
            bool r = e->bool_test == BOOL_TEST_TRUE    ? (valid && src[i])
                     : e->bool_test == BOOL_TEST_FALSE ? (valid && !src[i])
                                                       : !valid;
            dst[i] = (uint8_t)(r != e->negated);
        }
        return res;
    }
    case EXPR_IS_DISTINCT: {
        Vector *a = expr_eval(s->children[0], in, err);
        if (a == NULL) return NULL;
        Vector *b = expr_eval(s->children[1], in, err);
        if (b == NULL) return NULL;
        Vector *args[2] = {a, b};
        vector_reset(&s->scratch);
        if (!e->call->overload->impl(e->call, args, n, &s->scratch, err)) return NULL;
        vector_reset(res);
        const uint8_t *eq = VEC_DATA(&s->scratch, uint8_t);
        uint8_t *dst = VEC_DATA(res, uint8_t);
        for (uint32_t i = 0; i < n; i++) {
            bool va = vector_is_valid(a, i), vb = vector_is_valid(b, i);
            bool distinct = (va && vb) ? !eq[i] : (va != vb);
            dst[i] = (uint8_t)(distinct != e->negated);
        }
        return res;
    }
    case EXPR_CASE:
        vector_reset(res);
        return eval_case(s, in, err);
    case EXPR_COALESCE:
        vector_reset(res);
        return eval_coalesce(s, in, err);
    case EXPR_GREATEST:
    case EXPR_LEAST:
        vector_reset(res);
        return eval_greatest_least(s, in, err);
    case EXPR_IN_LIST:
        return eval_in_list(s, in, err);
    case EXPR_AGG_REF:
    case EXPR_WINDOW_REF:
        break;
    }
    error_set(err, ERR_INTERNAL, "unknown expression kind %d", (int)e->kind);
    return NULL;
}

bool expr_eval_constant(const Expr *e, Arena *arena, Value *out, Error *err)
{
    ExprState *s = expr_state_build(e);
    Batch one;
    batch_init_borrowed(&one, 0);
    one.count = 1;
    Vector *v = expr_eval(s, &one, err);
    bool ok = v != NULL;
    if (ok) {
        *out = value_from_vector(v, 0);
        out->type = e->type;
        if (!out->is_null && out->type.id == TYPE_VARCHAR)
            out->u.str.data = arena_strndup(arena, out->u.str.data, out->u.str.len);
    }
    batch_destroy(&one);
    expr_state_free(s);
    return ok;
}

bool expr_is_constant(const Expr *e)
{
    if (e->kind == EXPR_COLUMN) return false;
    for (int i = 0; i < e->nargs; i++)
        if (!expr_is_constant(e->args[i])) return false;
    return true;
}

void expr_release(Expr *e)
{
    if (e == NULL) return;
    for (int i = 0; i < e->nargs; i++) expr_release(e->args[i]);
    if (e->call) function_call_release(e->call);
}
