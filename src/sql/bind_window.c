/* bind_window: window calls, named windows and the WINDOW plan nodes (see
 * bind_window.h).
 *
 * A call is checked and typed as PostgreSQL does (row_number, rank,
 * dense_rank, percent_rank, cume_dist, ntile, lag, lead, first_value,
 * last_value, nth_value, and the aggregates count, sum, avg, min, max,
 * bool_and, bool_or with FILTER), its window is resolved (OVER w, OVER (w
 * ORDER BY ...), WINDOW w AS (...)), and its frame is turned into a
 * WindowFrame: ROWS offsets are evaluated here; a RANGE offset becomes two
 * per-row bound expressions (key - offset, key + offset) that the projection
 * under the window computes, so the operator only compares values.
 *
 * bind_windows puts the used input columns and every call's inputs into one
 * projection, groups the calls by their PARTITION BY / ORDER BY columns (one
 * sort per group), stacks one WINDOW node per group, and turns each
 * placeholder into a column reference to its result. */
#include "sql/bind_window.h"

#include <stdio.h>
#include <string.h>

#include "exec/expr_eval.h"
#include "types/cast.h"

/* frame_options bits of PostgreSQL's WindowDef (nodes/parsenodes.h) */
#define FRAMEOPTION_NONDEFAULT 0x00001
#define FRAMEOPTION_RANGE 0x00002
#define FRAMEOPTION_ROWS 0x00004
#define FRAMEOPTION_GROUPS 0x00008
#define FRAMEOPTION_START_UNBOUNDED_PRECEDING 0x00020
#define FRAMEOPTION_END_UNBOUNDED_PRECEDING 0x00040
#define FRAMEOPTION_START_UNBOUNDED_FOLLOWING 0x00080
#define FRAMEOPTION_END_UNBOUNDED_FOLLOWING 0x00100
#define FRAMEOPTION_START_CURRENT_ROW 0x00200
#define FRAMEOPTION_END_CURRENT_ROW 0x00400
#define FRAMEOPTION_START_OFFSET_PRECEDING 0x00800
#define FRAMEOPTION_END_OFFSET_PRECEDING 0x01000
#define FRAMEOPTION_START_OFFSET_FOLLOWING 0x02000
#define FRAMEOPTION_END_OFFSET_FOLLOWING 0x04000
#define FRAMEOPTION_EXCLUSION 0x38000

#define MAX_WINDOW_REFERENCES 64

void bind_window_begin(Binder *b, WindowBindContext *ctx, PgQuery__SelectStmt *stmt, const char *clause)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->stmt = stmt;
    ctx->clause = clause;
    b->win = ctx;
}

void bind_window_allow(Binder *b, const char *clause)
{
    if (b->win == NULL) return;
    b->win->active = clause == NULL;
    b->win->clause = clause;
}

static bool has_text(const char *s) { return s != NULL && s[0] != '\0'; }

/* ---- resolving OVER (...) against the WINDOW clause ---- */

typedef struct ResolvedWindow {
    PgQuery__Node **partition;
    size_t npartition;
    PgQuery__Node **order;
    size_t norder;
    int frame_options;
    PgQuery__Node *start_offset, *end_offset;
} ResolvedWindow;

static PgQuery__WindowDef *find_window(const WindowBindContext *ctx, const char *name)
{
    for (size_t i = 0; ctx->stmt && i < ctx->stmt->n_window_clause; i++) {
        PgQuery__Node *n = ctx->stmt->window_clause[i];
        if (n->node_case == PG_QUERY__NODE__NODE_WINDOW_DEF && strcmp(n->window_def->name, name) == 0)
            return n->window_def;
    }
    return NULL;
}

static bool resolve_definition(Binder *b, PgQuery__WindowDef *wd, ResolvedWindow *r, int depth, Error *err)
{
    int pos = bind_pos(b, wd->location);
    if (depth > MAX_WINDOW_REFERENCES) return error_set_at(err, ERR_SQL, pos, "window references nested too deeply");
    memset(r, 0, sizeof *r);
    if (has_text(wd->refname)) {
        PgQuery__WindowDef *base = find_window(b->win, wd->refname);
        if (base == NULL || base == wd) return error_set_at(err, ERR_SQL, pos, "window \"%s\" does not exist", wd->refname);
        if (!resolve_definition(b, base, r, depth + 1, err)) return false;
        if (wd->n_partition_clause > 0)
            return error_set_at(err, ERR_SQL, pos, "cannot override PARTITION BY clause of window \"%s\"", wd->refname);
        if (wd->n_order_clause > 0 && r->norder > 0)
            return error_set_at(err, ERR_SQL, pos, "cannot override ORDER BY clause of window \"%s\"", wd->refname);
        if (r->frame_options & FRAMEOPTION_NONDEFAULT)
            return error_set_at(err, ERR_SQL, pos, "cannot copy window \"%s\" because it has a frame clause",
                                wd->refname);
    } else {
        r->partition = wd->partition_clause;
        r->npartition = wd->n_partition_clause;
    }
    if (wd->n_order_clause > 0) {
        r->order = wd->order_clause;
        r->norder = wd->n_order_clause;
    }
    r->frame_options = wd->frame_options;
    r->start_offset = wd->start_offset;
    r->end_offset = wd->end_offset;
    return true;
}

static bool resolve_over(Binder *b, PgQuery__WindowDef *over, ResolvedWindow *r, Error *err)
{
    if (has_text(over->name)) {
        /* OVER w: the named window as it is, frame included */
        PgQuery__WindowDef *wd = find_window(b->win, over->name);
        if (wd == NULL)
            return error_set_at(err, ERR_SQL, bind_pos(b, over->location), "window \"%s\" does not exist", over->name);
        return resolve_definition(b, wd, r, 0, err);
    }
    return resolve_definition(b, over, r, 0, err);
}

/* ---- frames ---- */

static bool value_is_negative(const Value *v)
{
    switch (v->type.id) {
    case TYPE_INTEGER: return v->u.i32 < 0;
    case TYPE_BIGINT: return v->u.i64 < 0;
    case TYPE_DOUBLE: return v->u.f64 < 0;
    case TYPE_DECIMAL: return type_is_decimal128(v->type) ? v->u.i128 < 0 : v->u.i64 < 0;
    case TYPE_INTERVAL:
        return (kiln_int128)v->u.interval.months * 30 * 86400000000LL + (kiln_int128)v->u.interval.days * 86400000000LL +
                   v->u.interval.micros <
               0;
    default: return false;
    }
}

/* Bind a frame offset, which must be a constant; a ROWS offset is also
 * evaluated into *value and checked (not NULL, not negative). */
static Expr *bind_frame_offset(Binder *b, PgQuery__Node *node, const Scope *scope, bool rows, bool start, Value *value,
                               Error *err)
{
    int pos = bind_pos(b, node_location(node));
    AggBindContext *saved = b->agg;
    b->agg = NULL;
    Expr *e = bind_expr(b, node, scope, err);
    b->agg = saved;
    if (e == NULL) return NULL;
    if (!expr_is_constant(e)) {
        error_set_at(err, ERR_SQL, pos, "argument of %s must not contain variables", rows ? "ROWS" : "RANGE");
        return NULL;
    }
    if (!rows) return e;
    e = bind_coerce(b, e, type_make(TYPE_BIGINT), COERCE_IMPLICIT, err);
    if (e == NULL || !expr_eval_constant(e, b->arena, value, err)) return NULL;
    if (value->is_null) {
        error_set_at(err, ERR_DATA, pos, "frame %s offset must not be null", start ? "starting" : "ending");
        return NULL;
    }
    if (value_is_negative(value)) {
        error_set_at(err, ERR_DATA, pos, "frame %s offset must not be negative", start ? "starting" : "ending");
        return NULL;
    }
    return e;
}

static FrameBound frame_start_of(int o)
{
    if (o & FRAMEOPTION_START_UNBOUNDED_PRECEDING) return FRAME_UNBOUNDED_PRECEDING;
    if (o & FRAMEOPTION_START_OFFSET_PRECEDING) return FRAME_OFFSET_PRECEDING;
    if (o & FRAMEOPTION_START_OFFSET_FOLLOWING) return FRAME_OFFSET_FOLLOWING;
    if (o & FRAMEOPTION_START_UNBOUNDED_FOLLOWING) return FRAME_UNBOUNDED_FOLLOWING;
    return FRAME_CURRENT_ROW;
}

static FrameBound frame_end_of(int o)
{
    if (o & FRAMEOPTION_END_UNBOUNDED_FOLLOWING) return FRAME_UNBOUNDED_FOLLOWING;
    if (o & FRAMEOPTION_END_OFFSET_PRECEDING) return FRAME_OFFSET_PRECEDING;
    if (o & FRAMEOPTION_END_OFFSET_FOLLOWING) return FRAME_OFFSET_FOLLOWING;
    if (o & FRAMEOPTION_END_UNBOUNDED_PRECEDING) return FRAME_UNBOUNDED_PRECEDING;
    return FRAME_CURRENT_ROW;
}

static bool range_key_supported(LogicalType t)
{
    switch (t.id) {
    case TYPE_INTEGER:
    case TYPE_BIGINT:
    case TYPE_DOUBLE:
    case TYPE_DECIMAL:
    case TYPE_DATE:
    case TYPE_TIMESTAMP:
    case TYPE_INTERVAL: return true;
    default: return false;
    }
}

/* The RANGE bound expression for one offset: key - offset or key + offset. */
static Expr *range_bound(Binder *b, Expr *key, bool descending, FrameBound bound, PgQuery__Node *node,
                         const Scope *scope, bool start, Error *err)
{
    Value v;
    Expr *off = bind_frame_offset(b, node, scope, false, start, &v, err);
    if (off == NULL) return NULL;
    int pos = bind_pos(b, node_location(node));
    /* dates, timestamps and intervals move by an interval; numbers by a number of the key's kind */
    bool temporal = key->type.id == TYPE_DATE || key->type.id == TYPE_TIMESTAMP || key->type.id == TYPE_INTERVAL;
    if (temporal || off->untyped_literal || off->type.id == TYPE_NULL) {
        off = bind_coerce(b, off, temporal ? type_make(TYPE_INTERVAL) : key->type, COERCE_IMPLICIT, err);
        if (off == NULL) return NULL;
    }
    if (!expr_eval_constant(off, b->arena, &v, err)) return NULL;
    if (v.is_null) {
        error_set_at(err, ERR_DATA, pos, "frame %s offset must not be null", start ? "starting" : "ending");
        return NULL;
    }
    if (value_is_negative(&v)) {
        error_set_at(err, ERR_DATA, pos, "invalid preceding or following size in window function");
        return NULL;
    }
    bool subtract = (bound == FRAME_OFFSET_PRECEDING) != descending;
    return bind_operator(b, subtract ? "-" : "+", expr_copy(b, key), off, pos, err);
}

/* ---- the call ---- */

static const struct {
    const char *name;
    WindowFuncKind kind;
    int min_args, max_args;
} window_functions[] = {
    {"row_number", WIN_ROW_NUMBER, 0, 0},   {"rank", WIN_RANK, 0, 0},
    {"dense_rank", WIN_DENSE_RANK, 0, 0},   {"percent_rank", WIN_PERCENT_RANK, 0, 0},
    {"cume_dist", WIN_CUME_DIST, 0, 0},     {"ntile", WIN_NTILE, 1, 1},
    {"lag", WIN_LAG, 1, 3},                 {"lead", WIN_LEAD, 1, 3},
    {"first_value", WIN_FIRST_VALUE, 1, 1}, {"last_value", WIN_LAST_VALUE, 1, 1},
    {"nth_value", WIN_NTH_VALUE, 2, 2},
};

static Expr *text_if_untyped(Binder *b, Expr *e, Error *err)
{
    if (e->untyped_literal || e->type.id == TYPE_NULL) return bind_coerce(b, e, type_make(TYPE_VARCHAR), COERCE_IMPLICIT, err);
    return e;
}

static void no_such_function(Binder *b, int pos, const char *name, Expr **args, int nargs, Error *err)
{
    char list[256] = "";
    size_t used = 0;
    for (int i = 0; i < nargs && used + 60 < sizeof list; i++) {
        char tn[48];
        LogicalType t = args[i]->untyped_literal ? type_make(TYPE_NULL) : args[i]->type;
        const char *n = t.id == TYPE_NULL ? "unknown" : type_name(t, tn, sizeof tn);
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", n);
    }
    error_set_at(err, ERR_SQL, pos, "function %s(%s) does not exist", name, list);
}

/* Type the arguments and result of a window call; fills f. */
static bool type_window_call(Binder *b, PgQuery__FuncCall *fc, const char *name, int kind_index, Expr **args, int nargs,
                             int pos, WindowFunc *f, Error *err)
{
    if (kind_index < 0) {
        /* an aggregate */
        for (int i = 0; i < nargs; i++)
            if (!(args[i] = text_if_untyped(b, args[i], err))) return false;
        if (strcmp(name, "string_agg") == 0) {
            error_set_at(err, ERR_SQL, pos, "string_agg is not supported as a window function yet");
            return false;
        }
        f->kind = WIN_AGGREGATE;
        LogicalType in = nargs ? args[0]->type : type_make(TYPE_NULL);
        if (!aggregate_resolve(name, fc->agg_star, nargs, in, &f->agg, &f->result_type, err)) {
            err->sql_pos = pos;
            return false;
        }
        if (!aggregate_supports_window(f->agg)) {
            error_set_at(err, ERR_SQL, pos, "%s is not supported as a window function yet", name);
            return false;
        }
        f->arg_type = in;
        return true;
    }
    f->kind = window_functions[kind_index].kind;
    if (nargs < window_functions[kind_index].min_args || nargs > window_functions[kind_index].max_args) {
        no_such_function(b, pos, name, args, nargs, err);
        return false;
    }
    switch (f->kind) {
    case WIN_ROW_NUMBER:
    case WIN_RANK:
    case WIN_DENSE_RANK: f->result_type = type_make(TYPE_BIGINT); return true;
    case WIN_PERCENT_RANK:
    case WIN_CUME_DIST: f->result_type = type_make(TYPE_DOUBLE); return true;
    case WIN_NTILE:
        args[0] = bind_coerce(b, args[0], type_make(TYPE_INTEGER), COERCE_IMPLICIT, err);
        f->result_type = type_make(TYPE_INTEGER);
        return args[0] != NULL;
    case WIN_LAG:
    case WIN_LEAD: {
        if (nargs >= 2 && !(args[1] = bind_coerce(b, args[1], type_make(TYPE_INTEGER), COERCE_IMPLICIT, err))) return false;
        /* lag(anycompatible, integer, anycompatible): value and default share a type */
        LogicalType t = type_make(TYPE_NULL);
        bool typed = false;
        for (int i = 0; i < nargs; i += 2) {
            if (args[i]->untyped_literal || args[i]->type.id == TYPE_NULL) continue;
            if (!typed) {
                t = args[i]->type;
                typed = true;
            } else if (!cast_common_type(t, args[i]->type, &t)) {
                no_such_function(b, pos, name, args, nargs, err);
                return false;
            }
        }
        if (!typed) t = type_make(TYPE_VARCHAR);
        for (int i = 0; i < nargs; i += 2)
            if (!(args[i] = bind_coerce(b, args[i], t, COERCE_IMPLICIT, err))) return false;
        f->result_type = t;
        f->arg_type = t;
        return true;
    }
    case WIN_FIRST_VALUE:
    case WIN_LAST_VALUE:
    case WIN_NTH_VALUE:
        if (!(args[0] = text_if_untyped(b, args[0], err))) return false;
        if (f->kind == WIN_NTH_VALUE &&
            !(args[1] = bind_coerce(b, args[1], type_make(TYPE_INTEGER), COERCE_IMPLICIT, err)))
            return false;
        f->result_type = args[0]->type;
        f->arg_type = args[0]->type;
        return true;
    case WIN_AGGREGATE: break;
    }
    return true;
}

Expr *bind_window_call(Binder *b, PgQuery__FuncCall *fc, const char *name, const Scope *scope, Error *err)
{
    int pos = bind_pos(b, fc->location);
    WindowBindContext *ctx = b->win;
    if (ctx && ctx->in_window) {
        error_set_at(err, ERR_SQL, pos, "window function calls cannot be nested");
        return NULL;
    }
    if (b->agg && !b->agg->active && ctx && ctx->active) {
        error_set_at(err, ERR_SQL, pos, "aggregate function calls cannot contain window function calls");
        return NULL;
    }
    if (ctx == NULL || !ctx->active) {
        if (ctx && ctx->clause) error_set_at(err, ERR_SQL, pos, "window functions are not allowed in %s", ctx->clause);
        else error_set_at(err, ERR_SQL, pos, "window functions are not allowed here");
        return NULL;
    }
    if (fc->agg_distinct) {
        error_set_at(err, ERR_SQL, pos, "DISTINCT is not implemented for window functions");
        return NULL;
    }
    if (fc->n_agg_order > 0) {
        error_set_at(err, ERR_SQL, pos, "aggregate ORDER BY is not implemented for window functions");
        return NULL;
    }
    int kind_index = -1;
    for (size_t i = 0; i < sizeof window_functions / sizeof window_functions[0]; i++)
        if (strcmp(window_functions[i].name, name) == 0) kind_index = (int)i;
    if (kind_index < 0 && !fc->agg_star && !aggregate_is_known(name)) {
        if (function_lookup(name) != NULL)
            error_set_at(err, ERR_SQL, pos, "OVER specified, but %s is not a window function nor an aggregate function",
                         name);
        else
            error_set_at(err, ERR_SQL, pos, "window function %s does not exist", name);
        return NULL;
    }
    if (kind_index >= 0 && fc->agg_filter) {
        error_set_at(err, ERR_SQL, pos, "FILTER is not implemented for non-aggregate window functions");
        return NULL;
    }
    ResolvedWindow rw;
    if (!resolve_over(b, fc->over, &rw, err)) return NULL;
    int opts = rw.frame_options;
    if (opts & FRAMEOPTION_GROUPS) {
        error_set_at(err, ERR_SQL, pos, "GROUPS frames are not supported yet");
        return NULL;
    }
    if (opts & FRAMEOPTION_EXCLUSION) {
        error_set_at(err, ERR_SQL, pos, "frame EXCLUDE options are not supported yet");
        return NULL;
    }

    /* the inputs: arguments, FILTER, PARTITION BY, ORDER BY, RANGE bounds */
    int nargs = (int)fc->n_args;
    if (nargs > 3) {
        error_set_at(err, ERR_SQL, pos, "too many arguments for %s", name);
        return NULL;
    }
    int max_inputs = nargs + 1 + (int)rw.npartition + (int)rw.norder + 3;
    Expr **inputs = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(max_inputs + 1));
    WindowCallBinding cb;
    memset(&cb, 0, sizeof cb);
    cb.func.arg[0] = cb.func.arg[1] = cb.func.arg[2] = cb.func.filter = -1;
    cb.nargs = nargs;
    ctx->in_window = true;
    bool ok = true;
    for (int i = 0; i < nargs && ok; i++) {
        if (fc->args[i]->node_case == PG_QUERY__NODE__NODE_NAMED_ARG_EXPR) {
            error_set_at(err, ERR_SQL, bind_pos(b, node_location(fc->args[i])),
                         "named arguments are only supported in table functions");
            ok = false;
            break;
        }
        inputs[i] = bind_expr(b, fc->args[i], scope, err);
        ok = inputs[i] != NULL;
    }
    ok = ok && type_window_call(b, fc, name, kind_index, inputs, nargs, pos, &cb.func, err);
    int n = nargs;
    if (ok && fc->agg_filter) {
        inputs[n] = bind_condition(b, fc->agg_filter, scope, "FILTER", err);
        ok = inputs[n] != NULL;
        n++;
        cb.has_filter = true;
    }
    for (size_t i = 0; ok && i < rw.npartition; i++) {
        inputs[n] = bind_expr(b, rw.partition[i], scope, err);
        ok = inputs[n] != NULL && (inputs[n] = text_if_untyped(b, inputs[n], err)) != NULL;
        n++;
    }
    cb.npartition = (int)rw.npartition;
    cb.norder = (int)rw.norder;
    cb.order = arena_calloc(b->arena, sizeof(SortKey) * (rw.norder + 1));
    int first_order = n;
    for (size_t i = 0; ok && i < rw.norder; i++) {
        PgQuery__Node *sn = rw.order[i];
        if (sn->node_case != PG_QUERY__NODE__NODE_SORT_BY) {
            ok = error_set(err, ERR_SQL, "malformed window ORDER BY");
            break;
        }
        PgQuery__SortBy *sb = sn->sort_by;
        if (sb->n_use_op > 0) {
            ok = error_set_at(err, ERR_SQL, bind_pos(b, sb->location), "ORDER BY USING is not supported");
            break;
        }
        inputs[n] = bind_expr(b, sb->node, scope, err);
        ok = inputs[n] != NULL && (inputs[n] = text_if_untyped(b, inputs[n], err)) != NULL;
        n++;
        SortKey *k = &cb.order[i];
        k->descending = sb->sortby_dir == PG_QUERY__SORT_BY_DIR__SORTBY_DESC;
        if (sb->sortby_nulls == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_FIRST) k->nulls_first = true;
        else if (sb->sortby_nulls == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_LAST) k->nulls_first = false;
        else k->nulls_first = k->descending;
    }

    /* the frame (PostgreSQL's default: RANGE UNBOUNDED PRECEDING .. CURRENT ROW) */
    WindowFrame *fr = &cb.func.frame;
    fr->start_column = fr->end_column = fr->range_key = -1;
    fr->rows = (opts & FRAMEOPTION_ROWS) != 0;
    fr->start = (opts & FRAMEOPTION_NONDEFAULT) ? frame_start_of(opts) : FRAME_UNBOUNDED_PRECEDING;
    fr->end = (opts & FRAMEOPTION_NONDEFAULT) ? frame_end_of(opts) : FRAME_CURRENT_ROW;
    bool start_offset = fr->start == FRAME_OFFSET_PRECEDING || fr->start == FRAME_OFFSET_FOLLOWING;
    bool end_offset = fr->end == FRAME_OFFSET_PRECEDING || fr->end == FRAME_OFFSET_FOLLOWING;
    if (ok && fr->rows) {
        Value v;
        if (start_offset) {
            ok = bind_frame_offset(b, rw.start_offset, scope, true, true, &v, err) != NULL;
            fr->start_rows = ok ? v.u.i64 : 0;
        }
        if (ok && end_offset) {
            ok = bind_frame_offset(b, rw.end_offset, scope, true, false, &v, err) != NULL;
            fr->end_rows = ok ? v.u.i64 : 0;
        }
    } else if (ok && (start_offset || end_offset)) {
        if (rw.norder != 1) {
            error_set_at(err, ERR_SQL, pos, "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column");
            ok = false;
        }
        Expr *key = ok ? inputs[first_order] : NULL;
        if (ok && !range_key_supported(key->type)) {
            char tn[48];
            error_set_at(err, ERR_SQL, pos, "RANGE with offset PRECEDING/FOLLOWING is not supported for column type %s",
                         type_name(key->type, tn, sizeof tn));
            ok = false;
        }
        Expr *sb = NULL, *eb = NULL;
        if (ok && start_offset)
            ok = (sb = range_bound(b, key, cb.order[0].descending, fr->start, rw.start_offset, scope, true, err)) != NULL;
        if (ok && end_offset)
            ok = (eb = range_bound(b, key, cb.order[0].descending, fr->end, rw.end_offset, scope, false, err)) != NULL;
        /* the key and the bounds are compared as one type */
        LogicalType t = sb ? sb->type : eb ? eb->type : type_make(TYPE_NULL);
        if (ok && sb && eb && !cast_common_type(sb->type, eb->type, &t)) {
            error_set_at(err, ERR_SQL, pos, "RANGE offsets of different types");
            ok = false;
        }
        if (ok) {
            inputs[n] = bind_coerce(b, expr_copy(b, key), t, COERCE_IMPLICIT, err);
            ok = inputs[n] != NULL;
            n++;
            cb.nbounds = 1;
        }
        if (ok && sb) {
            inputs[n] = bind_coerce(b, sb, t, COERCE_IMPLICIT, err);
            ok = inputs[n] != NULL;
            n++;
            cb.nbounds++;
            cb.start_bound = true;
        }
        if (ok && eb) {
            inputs[n] = bind_coerce(b, eb, t, COERCE_IMPLICIT, err);
            ok = inputs[n] != NULL;
            n++;
            cb.nbounds++;
            cb.end_bound = true;
        }
    }
    ctx->in_window = false;
    if (!ok) return NULL;

    if (ctx->ncalls == ctx->cap) {
        int cap = ctx->cap ? ctx->cap * 2 : 8;
        WindowCallBinding *fresh = arena_calloc(b->arena, sizeof(WindowCallBinding) * (size_t)cap);
        if (ctx->ncalls) memcpy(fresh, ctx->calls, sizeof(WindowCallBinding) * (size_t)ctx->ncalls);
        ctx->calls = fresh;
        ctx->cap = cap;
    }
    ctx->calls[ctx->ncalls] = cb;
    Expr *ref = arena_calloc(b->arena, sizeof(Expr));
    ref->kind = EXPR_WINDOW_REF;
    ref->type = cb.func.result_type;
    ref->column = ctx->ncalls++;
    ref->sql_pos = pos;
    ref->nargs = n;
    ref->args = inputs;
    return ref;
}

/* ---- GROUP BY check ---- */

static bool contains_window_ref(const Expr *e)
{
    if (e->kind == EXPR_WINDOW_REF) return true;
    for (int i = 0; i < e->nargs; i++)
        if (contains_window_ref(e->args[i])) return true;
    return false;
}

bool bind_window_check_group_by(Binder *b, PgQuery__SelectStmt *stmt, Expr **targets, int nvisible, Error *err)
{
    for (size_t k = 0; k < stmt->n_group_clause; k++) {
        PgQuery__Node *node = stmt->group_clause[k];
        if (node->node_case != PG_QUERY__NODE__NODE_A_CONST || node->a_const->val_case != PG_QUERY__A__CONST__VAL_IVAL)
            continue;
        int ord = node->a_const->ival->ival;
        if (ord >= 1 && ord <= nvisible && contains_window_ref(targets[ord - 1]))
            return error_set_at(err, ERR_SQL, bind_pos(b, node->a_const->location),
                                "window functions are not allowed in GROUP BY");
    }
    return true;
}

/* ---- planning ---- */

typedef struct RefList {
    Expr **refs;
    int n, cap;
} RefList;

/* Find the placeholders and mark the input columns read outside them. */
static void collect(Binder *b, Expr *e, RefList *refs, bool *used)
{
    if (e->kind == EXPR_WINDOW_REF) {
        if (refs->n == refs->cap) {
            int cap = refs->cap ? refs->cap * 2 : 8;
            Expr **fresh = arena_alloc(b->arena, sizeof(Expr *) * (size_t)cap);
            if (refs->n) memcpy(fresh, refs->refs, sizeof(Expr *) * (size_t)refs->n);
            refs->refs = fresh;
            refs->cap = cap;
        }
        refs->refs[refs->n++] = e;
        return;
    }
    if (e->kind == EXPR_COLUMN) used[e->column] = true;
    for (int i = 0; i < e->nargs; i++) collect(b, e->args[i], refs, used);
}

static void renumber_outside_refs(Expr *e, const int *map)
{
    if (e->kind == EXPR_WINDOW_REF) return;
    if (e->kind == EXPR_COLUMN) e->column = map[e->column];
    for (int i = 0; i < e->nargs; i++) renumber_outside_refs(e->args[i], map);
}

typedef struct Projection {
    Expr **exprs;
    char **names;
    int n, cap;
    int *map;      /* input column -> projection column, -1 = not yet */
    const PlanNode *input;
} Projection;

static int project_expr(Binder *b, Projection *p, Expr *e, const char *name)
{
    if (e->kind == EXPR_COLUMN && p->map[e->column] >= 0) return p->map[e->column];
    if (p->n == p->cap) {
        int cap = p->cap ? p->cap * 2 : 16;
        Expr **ne = arena_alloc(b->arena, sizeof(Expr *) * (size_t)cap);
        char **nn = arena_alloc(b->arena, sizeof(char *) * (size_t)cap);
        if (p->n) {
            memcpy(ne, p->exprs, sizeof(Expr *) * (size_t)p->n);
            memcpy(nn, p->names, sizeof(char *) * (size_t)p->n);
        }
        p->exprs = ne;
        p->names = nn;
        p->cap = cap;
    }
    if (e->kind == EXPR_COLUMN) {
        p->map[e->column] = p->n;
        name = p->input->names[e->column];
    }
    p->exprs[p->n] = e;
    p->names[p->n] = (char *)name;
    return p->n++;
}

typedef struct WindowGroup {
    WindowSpec spec;
    Expr **refs;   /* the placeholder of each function */
} WindowGroup;

static bool same_keys(const WindowSpec *a, const WindowSpec *b)
{
    if (a->npartition != b->npartition || a->norder != b->norder) return false;
    for (int i = 0; i < a->npartition; i++)
        if (a->partition[i] != b->partition[i]) return false;
    for (int i = 0; i < a->norder; i++)
        if (a->order[i].column != b->order[i].column || a->order[i].descending != b->order[i].descending ||
            a->order[i].nulls_first != b->order[i].nulls_first)
            return false;
    return true;
}

bool bind_windows(Binder *b, PlanNode **plan, Expr **targets, int ntargets, Error *err)
{
    WindowBindContext *ctx = b->win;
    PlanNode *input = *plan;
    bool *used = arena_calloc(b->arena, (size_t)input->ncols + 1);
    RefList refs = {0};
    for (int i = 0; i < ntargets; i++) collect(b, targets[i], &refs, used);
    if (refs.n == 0) return true;

    Projection proj = {0};
    proj.input = input;
    proj.map = arena_alloc(b->arena, sizeof(int) * (size_t)(input->ncols + 1));
    for (int c = 0; c < input->ncols; c++) proj.map[c] = -1;
    for (int c = 0; c < input->ncols; c++)
        if (used[c]) project_expr(b, &proj, expr_column(b, c, input->types[c]), NULL);

    WindowGroup *groups = arena_calloc(b->arena, sizeof(WindowGroup) * (size_t)(refs.n + 1));
    int ngroups = 0;
    for (int r = 0; r < refs.n; r++) {
        Expr *ref = refs.refs[r];
        const WindowCallBinding *cb = &ctx->calls[ref->column];
        int *cols = arena_alloc(b->arena, sizeof(int) * (size_t)(ref->nargs + 1));
        for (int i = 0; i < ref->nargs; i++)
            cols[i] = project_expr(b, &proj, ref->args[i], arena_sprintf(b->arena, "window%d_in%d", r, i));
        WindowFunc f = cb->func;
        for (int a = 0; a < 3; a++) f.arg[a] = a < cb->nargs ? cols[a] : -1;
        int k = cb->nargs;
        if (cb->has_filter) f.filter = cols[k++];
        WindowSpec key;
        memset(&key, 0, sizeof key);
        key.npartition = cb->npartition;
        key.partition = cols + k;
        k += cb->npartition;
        key.norder = cb->norder;
        key.order = arena_calloc(b->arena, sizeof(SortKey) * (size_t)(cb->norder + 1));
        for (int i = 0; i < cb->norder; i++) {
            key.order[i] = cb->order[i];
            key.order[i].column = cols[k++];
        }
        if (cb->nbounds > 0) {
            f.frame.range_key = cols[k++];
            if (cb->start_bound) f.frame.start_column = cols[k++];
            if (cb->end_bound) f.frame.end_column = cols[k++];
        }
        int g = 0;
        while (g < ngroups && !same_keys(&groups[g].spec, &key)) g++;
        if (g == ngroups) {
            groups[g].spec = key;
            groups[g].spec.funcs = arena_calloc(b->arena, sizeof(WindowFunc) * (size_t)(refs.n + 1));
            groups[g].refs = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(refs.n + 1));
            ngroups++;
        }
        groups[g].refs[groups[g].spec.nfuncs] = ref;
        groups[g].spec.funcs[groups[g].spec.nfuncs++] = f;
    }
    /* a window over no columns at all still needs its rows counted */
    if (proj.n == 0) project_expr(b, &proj, expr_const(b, value_integer(0), -1), "window_row");

    /* the select list reads the projection's columns and the window results */
    for (int i = 0; i < ntargets; i++) renumber_outside_refs(targets[i], proj.map);
    PlanNode *top = plan_project(b, input, proj.n, proj.exprs, proj.names);
    for (int g = 0; g < ngroups; g++) {
        WindowSpec *spec = arena_alloc(b->arena, sizeof *spec);
        *spec = groups[g].spec;
        PlanNode *w = plan_new(b, PLAN_WINDOW, top->ncols + spec->nfuncs);
        memcpy(w->types, top->types, sizeof(LogicalType) * (size_t)top->ncols);
        memcpy(w->names, top->names, sizeof(char *) * (size_t)top->ncols);
        for (int f = 0; f < spec->nfuncs; f++) {
            Expr *ref = groups[g].refs[f];
            int col = top->ncols + f;
            w->types[col] = spec->funcs[f].result_type;
            w->names[col] = (char *)window_func_name(&spec->funcs[f]);
            ref->kind = EXPR_COLUMN;
            ref->column = col;
            ref->nargs = 0;
        }
        w->child = top;
        w->window = spec;
        top = w;
    }
    *plan = top;
    return true;
}
