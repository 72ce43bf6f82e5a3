/* bind_expr: scalar expressions from the parse tree to typed Expr trees.
 *
 * Follows PostgreSQL's typing: a quoted literal has no type until its context
 * gives one ('2024-01-31' compared with a date is a date), operators and
 * functions are resolved by overload (exec/function.c) with implicit casts,
 * and CASE/COALESCE/IN unify their branches to a common type.  Calls and
 * casts whose arguments are all constants are evaluated once here. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/strbuf.h"
#include "exec/expr_eval.h"
#include "sql/binder.h"
#include "sql/bind_window.h"
#include "types/cast.h"

int bind_pos(const Binder *b, int location) { return b->positions_valid ? location : -1; }

void binder_init(Binder *b, Catalog *catalog, Arena *arena, const char *sql)
{
    memset(b, 0, sizeof *b);
    b->catalog = catalog;
    b->arena = arena;
    b->sql = sql;
    b->positions_valid = true;
    b->calls = arena_calloc(arena, sizeof(FunctionCall **));
    b->ncalls = arena_calloc(arena, sizeof(int));
    b->cap_calls = arena_calloc(arena, sizeof(int));
}

void binder_track_call(Binder *b, FunctionCall *call)
{
    if (*b->ncalls == *b->cap_calls) {
        int cap = *b->cap_calls ? *b->cap_calls * 2 : 32;
        FunctionCall **fresh = arena_alloc(b->arena, sizeof(FunctionCall *) * (size_t)cap);
        if (*b->ncalls) memcpy(fresh, *b->calls, sizeof(FunctionCall *) * (size_t)*b->ncalls);
        *b->calls = fresh;
        *b->cap_calls = cap;
    }
    (*b->calls)[(*b->ncalls)++] = call;
}

void binder_release(Binder *b)
{
    for (int i = 0; i < *b->ncalls; i++) function_call_release((*b->calls)[i]);
    *b->ncalls = 0;
}

static Expr *new_expr(Binder *b, ExprKind kind, LogicalType type, int pos, int nargs)
{
    Expr *e = arena_calloc(b->arena, sizeof *e);
    e->kind = kind;
    e->type = type;
    e->sql_pos = pos;
    e->nargs = nargs;
    e->args = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(nargs + 1));
    return e;
}

Expr *expr_const(Binder *b, Value v, int sql_pos)
{
    Expr *e = new_expr(b, EXPR_CONST, v.type, sql_pos, 0);
    e->constant = v;
    return e;
}

Expr *expr_column(Binder *b, int column, LogicalType type)
{
    Expr *e = new_expr(b, EXPR_COLUMN, type, -1, 0);
    e->column = column;
    return e;
}

Expr *expr_copy(Binder *b, const Expr *e)
{
    Expr *c = arena_alloc(b->arena, sizeof *c);
    *c = *e;
    c->args = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(e->nargs + 1));
    for (int i = 0; i < e->nargs; i++) c->args[i] = expr_copy(b, e->args[i]);
    return c;
}

const char *node_string(const PgQuery__Node *n)
{
    if (n && n->node_case == PG_QUERY__NODE__NODE_STRING) return n->string->sval;
    return NULL;
}

int node_location(const PgQuery__Node *n)
{
    if (n == NULL) return -1;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_COLUMN_REF: return n->column_ref->location;
    case PG_QUERY__NODE__NODE_A_CONST: return n->a_const->location;
    case PG_QUERY__NODE__NODE_A_EXPR: return n->a_expr->location;
    case PG_QUERY__NODE__NODE_FUNC_CALL: return n->func_call->location;
    case PG_QUERY__NODE__NODE_TYPE_CAST: return n->type_cast->location;
    case PG_QUERY__NODE__NODE_BOOL_EXPR: return n->bool_expr->location;
    case PG_QUERY__NODE__NODE_NULL_TEST: return n->null_test->location;
    case PG_QUERY__NODE__NODE_BOOLEAN_TEST: return n->boolean_test->location;
    case PG_QUERY__NODE__NODE_CASE_EXPR: return n->case_expr->location;
    case PG_QUERY__NODE__NODE_COALESCE_EXPR: return n->coalesce_expr->location;
    case PG_QUERY__NODE__NODE_MIN_MAX_EXPR: return n->min_max_expr->location;
    case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION: return n->sqlvalue_function->location;
    case PG_QUERY__NODE__NODE_SUB_LINK: return n->sub_link->location;
    case PG_QUERY__NODE__NODE_PARAM_REF: return n->param_ref->location;
    case PG_QUERY__NODE__NODE_RES_TARGET: return n->res_target->location;
    case PG_QUERY__NODE__NODE_A_ARRAY_EXPR: return n->a_array_expr->location;
    case PG_QUERY__NODE__NODE_NAMED_ARG_EXPR: return n->named_arg_expr->location;
    default: return -1;
    }
}

/* Evaluate a call or cast whose operands are all constants. If evaluation
 * fails the expression is kept: the error will surface only if a row needs it. */
static Expr *fold(Binder *b, Expr *e)
{
    if (e->kind != EXPR_CALL && e->kind != EXPR_CAST) return e;
    for (int i = 0; i < e->nargs; i++)
        if (e->args[i]->kind != EXPR_CONST) return e;
    /* now() and current_date change per run, not per bind; still constant within a statement */
    Error err = ERROR_INIT;
    Value v;
    if (!expr_eval_constant(e, b->arena, &v, &err)) return e;
    Expr *c = expr_const(b, v, e->sql_pos);
    c->type = e->type;
    if (e->kind == EXPR_CALL) function_call_release(e->call);
    return c;
}

Expr *bind_coerce(Binder *b, Expr *e, LogicalType to, CoerceContext ctx, Error *err)
{
    if (type_equal(e->type, to)) return e;
    if (e->kind == EXPR_CONST && (e->constant.is_null || e->type.id == TYPE_NULL)) {
        Expr *c = expr_const(b, value_null(to), e->sql_pos);
        return c;
    }
    if (e->untyped_literal && e->kind == EXPR_CONST) {
        /* parse the literal as the target type now, as PostgreSQL does */
        Vector tmp;
        vector_init(&tmp, to, 1);
        Error perr = ERROR_INIT;
        bool ok = cast_parse_text(e->constant.u.str.data, e->constant.u.str.len, &tmp, 0, &perr);
        if (!ok) {
            vector_destroy(&tmp);
            error_set_at(err, perr.kind == ERR_NONE ? ERR_SQL : perr.kind, e->sql_pos, "%s", perr.message);
            return NULL;
        }
        Value v = value_from_vector(&tmp, 0);
        if (!v.is_null && v.type.id == TYPE_VARCHAR) v.u.str.data = arena_strndup(b->arena, v.u.str.data, v.u.str.len);
        vector_destroy(&tmp);
        return expr_const(b, v, e->sql_pos);
    }
    CastKind kind = cast_kind(e->type, to);
    CastKind need = ctx == COERCE_IMPLICIT ? CAST_IMPLICIT : ctx == COERCE_ASSIGNMENT ? CAST_ASSIGNMENT : CAST_EXPLICIT;
    if (kind == CAST_NONE || kind < need) {
        char f[48], t[48];
        if (kind == CAST_NONE || ctx == COERCE_EXPLICIT)
            error_set_at(err, ERR_SQL, e->sql_pos, "cannot cast type %s to %s", type_name(e->type, f, sizeof f),
                         type_name(to, t, sizeof t));
        else
            error_set_at(err, ERR_SQL, e->sql_pos, "cannot convert type %s to %s implicitly; add an explicit cast",
                         type_name(e->type, f, sizeof f), type_name(to, t, sizeof t));
        return NULL;
    }
    Expr *c = new_expr(b, EXPR_CAST, to, e->sql_pos, 1);
    c->args[0] = e;
    return fold(b, c);
}

/* The type every expression of the list converts to (CASE, COALESCE, IN...). */
static bool unify_types(Binder *b, Expr **exprs, int n, const char *what, LogicalType *out, Error *err)
{
    LogicalType t = type_make(TYPE_NULL);
    bool have_typed = false;
    /* typed expressions decide; untyped literals follow them */
    for (int i = 0; i < n; i++) {
        if (exprs[i]->untyped_literal || exprs[i]->type.id == TYPE_NULL) continue;
        if (!have_typed) {
            t = exprs[i]->type;
            have_typed = true;
            continue;
        }
        LogicalType u;
        if (!cast_common_type(t, exprs[i]->type, &u)) {
            char x[48], y[48];
            return error_set_at(err, ERR_SQL, exprs[i]->sql_pos, "%s types %s and %s cannot be matched", what,
                                type_name(t, x, sizeof x), type_name(exprs[i]->type, y, sizeof y));
        }
        t = u;
    }
    if (!have_typed) {
        bool any_literal = false;
        for (int i = 0; i < n; i++) any_literal |= exprs[i]->untyped_literal;
        t = type_make(any_literal ? TYPE_VARCHAR : TYPE_NULL);
    }
    *out = t;
    return true;
}

static bool coerce_all(Binder *b, Expr **exprs, int n, LogicalType t, Error *err)
{
    for (int i = 0; i < n; i++) {
        exprs[i] = bind_coerce(b, exprs[i], t, COERCE_IMPLICIT, err);
        if (exprs[i] == NULL) return false;
    }
    return true;
}

/* Bind a call of a registered function or operator on bound arguments. */
static Expr *make_call(Binder *b, const char *name, Expr **args, int nargs, int pos, Error *err)
{
    const ScalarFunction *fn = function_lookup(name);
    if (fn == NULL) {
        error_set_at(err, ERR_SQL, pos, "function %s does not exist", name);
        return NULL;
    }
    /* An untyped literal or NULL beside a typed operand takes its type (PostgreSQL's
     * rule for binary operators); when nothing is typed, literals are text. */
    LogicalType typed = type_make(TYPE_NULL);
    bool have_typed = false;
    for (int i = 0; i < nargs; i++)
        if (!args[i]->untyped_literal && args[i]->type.id != TYPE_NULL && !have_typed) {
            typed = args[i]->type;
            have_typed = true;
        }
    bool is_operator = strchr("+-*/%=<>!~|&^#@", name[0]) != NULL;
    for (int i = 0; i < nargs; i++) {
        if (!(args[i]->untyped_literal || args[i]->type.id == TYPE_NULL)) continue;
        LogicalType to = type_make(TYPE_VARCHAR);
        if (is_operator && have_typed && !(name[0] == '|' || name[0] == '~' || name[0] == '!')) to = typed;
        else if (args[i]->type.id == TYPE_NULL && !is_operator) continue; /* NULL matches any overload */
        args[i] = bind_coerce(b, args[i], to, COERCE_IMPLICIT, err);
        if (args[i] == NULL) return NULL;
    }
    LogicalType types[FN_MAX_CALL_ARGS];
    const Value *consts[FN_MAX_CALL_ARGS];
    if (nargs > FN_MAX_CALL_ARGS) {
        error_set_at(err, ERR_SQL, pos, "too many arguments for %s", name);
        return NULL;
    }
    for (int i = 0; i < nargs; i++) {
        types[i] = args[i]->type;
        consts[i] = args[i]->kind == EXPR_CONST ? &args[i]->constant : NULL;
    }
    FunctionCall *call = arena_calloc(b->arena, sizeof *call);
    binder_track_call(b, call);
    if (!function_bind(fn, types, consts, nargs, pos, call, b->arena, err)) return NULL;
    Expr *e = new_expr(b, EXPR_CALL, call->return_type, pos, nargs);
    e->call = call;
    for (int i = 0; i < nargs; i++) {
        e->args[i] = bind_coerce(b, args[i], call->arg_types[i], COERCE_EXPLICIT, err);
        if (e->args[i] == NULL) {
            function_call_release(call);
            return NULL;
        }
    }
    /* the prepare hook must see constants of the parameter types: if a constant
     * argument was converted, bind again with the converted values */
    bool rebind = false;
    for (int i = 0; i < nargs; i++)
        if (consts[i] && !type_equal(consts[i]->type, call->arg_types[i])) rebind = true;
    if (rebind) {
        function_call_release(call);
        for (int i = 0; i < nargs; i++) {
            types[i] = e->args[i]->type;
            consts[i] = e->args[i]->kind == EXPR_CONST ? &e->args[i]->constant : NULL;
        }
        if (!function_bind(fn, types, consts, nargs, pos, call, b->arena, err)) return NULL;
        e->type = call->return_type;
    }
    return fold(b, e);
}

static Expr *make_call2(Binder *b, const char *name, Expr *l, Expr *r, int pos, Error *err)
{
    Expr *args[2] = {l, r};
    return make_call(b, name, args, 2, pos, err);
}

Expr *bind_operator(Binder *b, const char *name, Expr *l, Expr *r, int pos, Error *err)
{
    return make_call2(b, name, l, r, pos, err);
}

static Expr *make_bool(Binder *b, ExprKind kind, Expr **args, int n, int pos)
{
    Expr *e = new_expr(b, kind, type_make(TYPE_BOOLEAN), pos, n);
    for (int i = 0; i < n; i++) e->args[i] = args[i];
    return e;
}

static Expr *require_boolean(Binder *b, Expr *e, const char *what, Error *err)
{
    if (e->type.id == TYPE_BOOLEAN) return e;
    if (e->untyped_literal || e->type.id == TYPE_NULL) return bind_coerce(b, e, type_make(TYPE_BOOLEAN), COERCE_IMPLICIT, err);
    char t[48];
    error_set_at(err, ERR_SQL, e->sql_pos, "argument of %s must be type boolean, not type %s", what,
                 type_name(e->type, t, sizeof t));
    return NULL;
}

/* ---- literals ---- */

static Expr *bind_a_const(Binder *b, PgQuery__AConst *c, Error *err)
{
    int pos = bind_pos(b, c->location);
    if (c->isnull) return expr_const(b, value_null(type_make(TYPE_NULL)), pos);
    switch (c->val_case) {
    case PG_QUERY__A__CONST__VAL_IVAL: return expr_const(b, value_integer(c->ival->ival), pos);
    case PG_QUERY__A__CONST__VAL_BOOLVAL: return expr_const(b, value_boolean(c->boolval->boolval), pos);
    case PG_QUERY__A__CONST__VAL_SVAL: {
        const char *s = c->sval->sval;
        Expr *e = expr_const(b, value_varchar(arena_strdup(b->arena, s), (uint32_t)strlen(s)), pos);
        e->untyped_literal = true;
        return e;
    }
    case PG_QUERY__A__CONST__VAL_FVAL: {
        const char *s = c->fval->fval;
        bool has_point = strchr(s, '.') != NULL, has_exp = strpbrk(s, "eE") != NULL;
        if (!has_point && !has_exp) {
            char *end;
            errno = 0;
            long long v = strtoll(s, &end, 10);
            if (errno == 0 && *end == '\0') return expr_const(b, value_bigint(v), pos);
        }
        if (!has_exp) {
            /* numeric literal: DECIMAL with exactly the digits written */
            int digits = 0, scale = 0;
            bool after = false;
            for (const char *p = s; *p; p++) {
                if (*p == '.') after = true;
                else if (*p >= '0' && *p <= '9') {
                    digits++;
                    if (after) scale++;
                }
            }
            if (digits < 1) digits = 1;
            if (digits <= DECIMAL_MAX_PRECISION) {
                int precision = digits > scale ? digits : scale + 1;
                if (precision > DECIMAL_MAX_PRECISION) precision = DECIMAL_MAX_PRECISION;
                Expr *lit = expr_const(b, value_varchar(arena_strdup(b->arena, s), (uint32_t)strlen(s)), pos);
                lit->untyped_literal = true;
                return bind_coerce(b, lit, type_decimal(precision, scale), COERCE_EXPLICIT, err);
            }
        }
        Expr *lit = expr_const(b, value_varchar(arena_strdup(b->arena, s), (uint32_t)strlen(s)), pos);
        lit->untyped_literal = true;
        return bind_coerce(b, lit, type_make(TYPE_DOUBLE), COERCE_EXPLICIT, err);
    }
    default:
        error_set_at(err, ERR_SQL, pos, "this kind of constant is not supported");
        return NULL;
    }
}

/* ---- names ---- */

static Expr *bind_column_ref(Binder *b, PgQuery__ColumnRef *cr, const Scope *scope, Error *err)
{
    int pos = bind_pos(b, cr->location);
    const char *table = NULL, *name = NULL;
    if (cr->n_fields == 1) {
        name = node_string(cr->fields[0]);
    } else if (cr->n_fields == 2) {
        table = node_string(cr->fields[0]);
        name = node_string(cr->fields[1]);
    } else if (cr->n_fields == 3) {
        table = node_string(cr->fields[1]);
        name = node_string(cr->fields[2]);
    }
    if (name == NULL) {
        error_set_at(err, ERR_SQL, pos, "* is not allowed here");
        return NULL;
    }
    const ScopeColumn *found = NULL;
    bool table_seen = false;
    /* inner columns first; an enclosing query's (outer) only if none matches */
    for (int pass = 0; scope && pass < 2 && !found; pass++)
    for (int i = 0; i < scope->ncols; i++) {
        const ScopeColumn *c = &scope->cols[i];
        if (c->outer != (pass == 1)) continue;
        if (table) {
            if (c->table == NULL || strcmp(c->table, table) != 0) continue;
            table_seen = true;
        } else if (c->hidden) {
            continue;
        }
        if (strcmp(c->name, name) != 0) continue;
        if (found) {
            error_set_at(err, ERR_SQL, pos, "column reference \"%s\" is ambiguous", name);
            return NULL;
        }
        found = c;
    }
    for (int i = 0; found == NULL && b->outer_scope && i < b->outer_scope->ncols; i++) {
        const ScopeColumn *c = &b->outer_scope->cols[i];
        if ((table ? (c->table == NULL || strcmp(c->table, table) != 0) : c->hidden) || strcmp(c->name, name) != 0)
            continue;
        b->outer_refs++;
        error_set_at(err, ERR_SQL, pos,
                     "correlated subqueries are supported only as WHERE [NOT] EXISTS (...) and WHERE ... IN (...) "
                     "conditions (column \"%s\" belongs to the outer query)", name);
        return NULL;
    }
    if (found == NULL) {
        if (table && !table_seen)
            error_set_at(err, ERR_SQL, pos, "missing FROM-clause entry for table \"%s\"", table);
        else if (table)
            error_set_at(err, ERR_SQL, pos, "column %s.%s does not exist", table, name);
        else
            error_set_at(err, ERR_SQL, pos, "column \"%s\" does not exist", name);
        return NULL;
    }
    Expr *e = expr_column(b, found->index, found->type);
    e->sql_pos = pos;
    return e;
}

/* ---- operators ---- */

static Expr *bind_in_list(Binder *b, PgQuery__AExpr *ae, const Scope *scope, bool negated, Error *err)
{
    int pos = bind_pos(b, ae->location);
    if (ae->rexpr == NULL || ae->rexpr->node_case != PG_QUERY__NODE__NODE_LIST) {
        error_set_at(err, ERR_SQL, pos, "IN (subquery) is not supported yet");
        return NULL;
    }
    PgQuery__List *list = ae->rexpr->list;
    int n = (int)list->n_items;
    Expr **all = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(n + 1));
    all[0] = bind_expr(b, ae->lexpr, scope, err);
    if (all[0] == NULL) return NULL;
    for (int i = 0; i < n; i++) {
        all[i + 1] = bind_expr(b, list->items[i], scope, err);
        if (all[i + 1] == NULL) return NULL;
    }
    LogicalType t;
    if (!unify_types(b, all, n + 1, "IN", &t, err) || !coerce_all(b, all, n + 1, t, err)) return NULL;
    /* a list of constants is a hash lookup (as fast for 3 values as for 100000) */
    bool constants = all[0]->type.id != TYPE_NULL;
    for (int i = 1; i <= n && constants; i++) constants = all[i]->kind == EXPR_CONST;
    if (constants) {
        Expr *e = new_expr(b, EXPR_IN_LIST, type_make(TYPE_BOOLEAN), pos, n + 1);
        memcpy(e->args, all, sizeof(Expr *) * (size_t)(n + 1));
        e->negated = negated;
        return e;
    }
    /* otherwise x IN (a, b) is x = a OR x = b, with the same NULL semantics */
    Expr **ors = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(n + 1));
    for (int i = 0; i < n; i++) {
        ors[i] = make_call2(b, "=", i == 0 ? all[0] : expr_copy(b, all[0]), all[i + 1], pos, err);
        if (ors[i] == NULL) return NULL;
    }
    Expr *e = n == 1 ? ors[0] : make_bool(b, EXPR_OR, ors, n, pos);
    if (negated) e = make_bool(b, EXPR_NOT, &e, 1, pos);
    return e;
}

static Expr *bind_between(Binder *b, PgQuery__AExpr *ae, const Scope *scope, Error *err)
{
    int pos = bind_pos(b, ae->location);
    PgQuery__List *bounds = ae->rexpr && ae->rexpr->node_case == PG_QUERY__NODE__NODE_LIST ? ae->rexpr->list : NULL;
    if (bounds == NULL || bounds->n_items != 2) {
        error_set_at(err, ERR_SQL, pos, "malformed BETWEEN");
        return NULL;
    }
    Expr *x[3];
    x[0] = bind_expr(b, ae->lexpr, scope, err);
    if (!x[0]) return NULL;
    x[1] = bind_expr(b, bounds->items[0], scope, err);
    if (!x[1]) return NULL;
    x[2] = bind_expr(b, bounds->items[1], scope, err);
    if (!x[2]) return NULL;
    LogicalType t;
    if (!unify_types(b, x, 3, "BETWEEN", &t, err) || !coerce_all(b, x, 3, t, err)) return NULL;
    bool negated = ae->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN ||
                   ae->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN_SYM;
    bool symmetric = ae->kind == PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN_SYM ||
                     ae->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN_SYM;
    /* every use of an operand is its own copy: later passes rewrite trees in place */
    Expr *parts[2];
    if (!negated) {
        parts[0] = make_call2(b, ">=", expr_copy(b, x[0]), expr_copy(b, x[1]), pos, err);
        parts[1] = parts[0] ? make_call2(b, "<=", expr_copy(b, x[0]), expr_copy(b, x[2]), pos, err) : NULL;
    } else {
        parts[0] = make_call2(b, "<", expr_copy(b, x[0]), expr_copy(b, x[1]), pos, err);
        parts[1] = parts[0] ? make_call2(b, ">", expr_copy(b, x[0]), expr_copy(b, x[2]), pos, err) : NULL;
    }
    if (!parts[0] || !parts[1]) return NULL;
    Expr *e = make_bool(b, negated ? EXPR_OR : EXPR_AND, parts, 2, pos);
    if (symmetric) {
        /* also try with the bounds swapped */
        Expr *sw[2];
        if (!negated) {
            sw[0] = make_call2(b, ">=", expr_copy(b, x[0]), expr_copy(b, x[2]), pos, err);
            sw[1] = sw[0] ? make_call2(b, "<=", expr_copy(b, x[0]), expr_copy(b, x[1]), pos, err) : NULL;
        } else {
            sw[0] = make_call2(b, "<", expr_copy(b, x[0]), expr_copy(b, x[2]), pos, err);
            sw[1] = sw[0] ? make_call2(b, ">", expr_copy(b, x[0]), expr_copy(b, x[1]), pos, err) : NULL;
        }
        if (!sw[0] || !sw[1]) return NULL;
        Expr *alt = make_bool(b, negated ? EXPR_OR : EXPR_AND, sw, 2, pos);
        Expr *both[2] = {e, alt};
        e = make_bool(b, negated ? EXPR_AND : EXPR_OR, both, 2, pos);
    }
    return e;
}

static Expr *bind_a_expr(Binder *b, PgQuery__AExpr *ae, const Scope *scope, Error *err)
{
    int pos = bind_pos(b, ae->location);
    const char *op = ae->n_name > 0 ? node_string(ae->name[ae->n_name - 1]) : NULL;
    switch (ae->kind) {
    case PG_QUERY__A__EXPR__KIND__AEXPR_IN:
        return bind_in_list(b, ae, scope, op && strcmp(op, "<>") == 0, err);
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN:
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN_SYM:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN_SYM:
        return bind_between(b, ae, scope, err);
    default:
        break;
    }
    Expr *l = NULL, *r = NULL;
    if (ae->lexpr) {
        l = bind_expr(b, ae->lexpr, scope, err);
        if (!l) return NULL;
    }
    if (ae->rexpr) {
        r = bind_expr(b, ae->rexpr, scope, err);
        if (!r) return NULL;
    }
    switch (ae->kind) {
    case PG_QUERY__A__EXPR__KIND__AEXPR_OP:
    case PG_QUERY__A__EXPR__KIND__AEXPR_LIKE:
    case PG_QUERY__A__EXPR__KIND__AEXPR_ILIKE:
        if (op == NULL) break;
        if (l == NULL) {
            /* prefix operator: -x, +x */
            if (strcmp(op, "+") == 0) return r;
            return make_call(b, op, &r, 1, pos, err);
        }
        return make_call2(b, op, l, r, pos, err);
    case PG_QUERY__A__EXPR__KIND__AEXPR_DISTINCT:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_DISTINCT: {
        Expr *x[2] = {l, r};
        LogicalType t;
        if (!unify_types(b, x, 2, "IS DISTINCT FROM", &t, err) || !coerce_all(b, x, 2, t, err)) return NULL;
        Expr *eq = make_call2(b, "=", x[0], x[1], pos, err);
        if (eq == NULL) return NULL;
        if (eq->kind != EXPR_CALL) {
            /* both constant: keep the comparison call unfolded for the distinct logic */
            eq = NULL;
        }
        Expr *e = new_expr(b, EXPR_IS_DISTINCT, type_make(TYPE_BOOLEAN), pos, 2);
        e->args[0] = x[0];
        e->args[1] = x[1];
        e->negated = ae->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_DISTINCT;
        if (eq) {
            e->call = eq->call;
            e->args[0] = eq->args[0];
            e->args[1] = eq->args[1];
        } else {
            const ScalarFunction *fn = function_lookup("=");
            LogicalType ts[2] = {x[0]->type, x[1]->type};
            if (ts[0].id == TYPE_NULL) ts[0] = ts[1].id == TYPE_NULL ? type_make(TYPE_VARCHAR) : ts[1];
            if (ts[1].id == TYPE_NULL) ts[1] = ts[0];
            for (int i = 0; i < 2; i++) {
                e->args[i] = bind_coerce(b, x[i], ts[i], COERCE_IMPLICIT, err);
                if (!e->args[i]) return NULL;
            }
            e->call = arena_calloc(b->arena, sizeof(FunctionCall));
            binder_track_call(b, e->call);
            if (!fn || !function_bind(fn, ts, NULL, 2, pos, e->call, b->arena, err)) return NULL;
            for (int i = 0; i < 2; i++) {
                e->args[i] = bind_coerce(b, e->args[i], e->call->arg_types[i], COERCE_IMPLICIT, err);
                if (!e->args[i]) return NULL;
            }
        }
        return e;
    }
    case PG_QUERY__A__EXPR__KIND__AEXPR_NULLIF: {
        /* NULLIF(a, b) = CASE WHEN a = b THEN NULL ELSE a END */
        Expr *x[2] = {l, r};
        LogicalType t;
        if (!unify_types(b, x, 2, "NULLIF", &t, err) || !coerce_all(b, x, 2, t, err)) return NULL;
        Expr *eq = make_call2(b, "=", expr_copy(b, x[0]), x[1], pos, err);
        if (!eq) return NULL;
        Expr *e = new_expr(b, EXPR_CASE, x[0]->type, pos, 3);
        e->args[0] = eq;
        e->args[1] = expr_const(b, value_null(x[0]->type), pos);
        e->args[2] = x[0];
        e->has_else = true;
        return e;
    }
    default:
        break;
    }
    error_set_at(err, ERR_SQL, pos, "this operator form is not supported yet");
    return NULL;
}

/* ---- conditional forms ---- */

static Expr *bind_case(Binder *b, PgQuery__CaseExpr *ce, const Scope *scope, Error *err)
{
    int pos = bind_pos(b, ce->location);
    int nwhen = (int)ce->n_args;
    bool has_else = ce->defresult != NULL;
    Expr *e = new_expr(b, EXPR_CASE, type_make(TYPE_NULL), pos, 2 * nwhen + (has_else ? 1 : 0));
    e->has_else = has_else;
    Expr *subject = NULL;
    if (ce->arg) {
        subject = bind_expr(b, ce->arg, scope, err);
        if (!subject) return NULL;
    }
    Expr **results = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(nwhen + 2));
    for (int i = 0; i < nwhen; i++) {
        PgQuery__CaseWhen *w = ce->args[i]->case_when;
        Expr *cond = bind_expr(b, w->expr, scope, err);
        if (!cond) return NULL;
        if (subject) {
            Expr *x[2] = {i == 0 ? subject : expr_copy(b, subject), cond};
            LogicalType t;
            if (!unify_types(b, x, 2, "CASE", &t, err) || !coerce_all(b, x, 2, t, err)) return NULL;
            cond = make_call2(b, "=", x[0], x[1], bind_pos(b, w->location), err);
            if (!cond) return NULL;
        } else {
            cond = require_boolean(b, cond, "CASE/WHEN", err);
            if (!cond) return NULL;
        }
        e->args[2 * i] = cond;
        results[i] = bind_expr(b, w->result, scope, err);
        if (!results[i]) return NULL;
    }
    int nres = nwhen;
    if (has_else) {
        results[nres] = bind_expr(b, ce->defresult, scope, err);
        if (!results[nres]) return NULL;
        nres++;
    }
    LogicalType t;
    if (!unify_types(b, results, nres, "CASE", &t, err) || !coerce_all(b, results, nres, t, err)) return NULL;
    for (int i = 0; i < nwhen; i++) e->args[2 * i + 1] = results[i];
    if (has_else) e->args[2 * nwhen] = results[nwhen];
    e->type = t;
    return e;
}

static Expr *bind_list_form(Binder *b, ExprKind kind, PgQuery__Node **items, size_t n, int pos, const char *what,
                            const Scope *scope, Error *err)
{
    Expr *e = new_expr(b, kind, type_make(TYPE_NULL), pos, (int)n);
    for (size_t i = 0; i < n; i++) {
        e->args[i] = bind_expr(b, items[i], scope, err);
        if (!e->args[i]) return NULL;
    }
    LogicalType t;
    if (!unify_types(b, e->args, (int)n, what, &t, err) || !coerce_all(b, e->args, (int)n, t, err)) return NULL;
    e->type = t;
    if (kind == EXPR_GREATEST || kind == EXPR_LEAST) {
        const ScalarFunction *fn = function_lookup(kind == EXPR_GREATEST ? ">" : "<");
        LogicalType ts[2] = {t, t};
        e->call = arena_calloc(b->arena, sizeof(FunctionCall));
        binder_track_call(b, e->call);
        if (!fn || !function_bind(fn, ts, NULL, 2, pos, e->call, b->arena, err)) return NULL;
    }
    return e;
}

/* ---- function calls ---- */

static Expr *bind_func_call(Binder *b, PgQuery__FuncCall *fc, const Scope *scope, Error *err)
{
    int pos = bind_pos(b, fc->location);
    const char *name = fc->n_funcname > 0 ? node_string(fc->funcname[fc->n_funcname - 1]) : NULL;
    if (name == NULL) {
        error_set_at(err, ERR_SQL, pos, "malformed function call");
        return NULL;
    }
    if (fc->over) return bind_window_call(b, fc, name, scope, err);
    if (fc->agg_star || aggregate_is_known(name)) return bind_aggregate_call(b, fc, name, scope, err);
    static const char *const later[] = {"array_agg", NULL}; /* needs an array type */
    for (int i = 0; later[i]; i++)
        if (strcmp(name, later[i]) == 0) {
            error_set_at(err, ERR_SQL, pos, "aggregate function %s is not supported yet", name);
            return NULL;
        }
    if (fc->agg_distinct || fc->agg_filter || fc->n_agg_order > 0) {
        error_set_at(err, ERR_SQL, pos, "%s is not an aggregate function", name);
        return NULL;
    }
    if ((strcmp(name, "pg_typeof") == 0 || strcmp(name, "typeof") == 0) && fc->n_args == 1) {
        /* the type the argument binds to, as text */
        Expr *arg = bind_expr(b, fc->args[0], scope, err);
        if (!arg) return NULL;
        char tn[48];
        LogicalType t = arg->untyped_literal ? type_make(TYPE_NULL) : arg->type;
        const char *text;
        if (strcmp(name, "typeof") == 0) text = type_display_name(t, tn, sizeof tn);
        else if (t.id == TYPE_DECIMAL) text = "numeric"; /* regtype output carries no modifier */
        else if (t.id == TYPE_TIMESTAMP) text = "timestamp without time zone";
        else text = type_name(t, tn, sizeof tn);
        return expr_const(b, value_varchar(arena_strdup(b->arena, text), (uint32_t)strlen(text)), pos);
    }
    const char *target = name;
    if (strcmp(name, "extract") == 0) target = "date_part";
    if (strcmp(name, "ceiling") == 0) target = "ceil";
    int n = (int)fc->n_args;
    if (n > FN_MAX_CALL_ARGS) {
        error_set_at(err, ERR_SQL, pos, "too many arguments for %s", name);
        return NULL;
    }
    Expr *args[FN_MAX_CALL_ARGS];
    for (int i = 0; i < n; i++) {
        if (fc->args[i]->node_case == PG_QUERY__NODE__NODE_NAMED_ARG_EXPR) {
            error_set_at(err, ERR_SQL, bind_pos(b, node_location(fc->args[i])),
                         "named arguments are only supported in table functions");
            return NULL;
        }
        args[i] = bind_expr(b, fc->args[i], scope, err);
        if (!args[i]) return NULL;
    }
    if (function_lookup(target) == NULL) {
        error_set_at(err, ERR_SQL, pos, "function %s does not exist", name);
        return NULL;
    }
    return make_call(b, target, args, n, pos, err);
}

static Expr *bind_sql_value_function(Binder *b, PgQuery__SQLValueFunction *f, Error *err)
{
    int pos = bind_pos(b, f->location);
    const char *name = NULL;
    switch (f->op) {
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_DATE: name = "current_date"; break;
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP:
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP_N:
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP:
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP_N: name = "now"; break;
    default:
        error_set_at(err, ERR_SQL, pos, "this SQL value function is not supported");
        return NULL;
    }
    return make_call(b, name, NULL, 0, pos, err);
}

bool bind_type_name(Binder *b, PgQuery__TypeName *tn, LogicalType *out, Error *err)
{
    int pos = bind_pos(b, tn->location);
    if (tn->n_array_bounds > 0) return error_set_at(err, ERR_SQL, pos, "array types are not supported");
    StrBuf name = STRBUF_INIT;
    const char *last = tn->n_names > 0 ? node_string(tn->names[tn->n_names - 1]) : NULL;
    if (last == NULL) return error_set_at(err, ERR_SQL, pos, "malformed type name");
    int32_t mods[4];
    int nmods = 0;
    for (size_t i = 0; i < tn->n_typmods && i < 4; i++) {
        PgQuery__Node *m = tn->typmods[i];
        if (m->node_case != PG_QUERY__NODE__NODE_A_CONST || m->a_const->val_case != PG_QUERY__A__CONST__VAL_IVAL)
            return error_set_at(err, ERR_SQL, pos, "type modifiers must be simple constants");
        mods[nmods++] = m->a_const->ival->ival;
    }
    strbuf_puts(&name, last);
    bool ok = type_from_name(strbuf_cstr(&name), mods, nmods, out);
    /* varchar(n), char(n), timestamp(p): the modifier is a length/precision kiln does not enforce */
    if (!ok && nmods > 0) {
        LogicalType t;
        if (type_from_name(last, NULL, 0, &t) && t.id != TYPE_DECIMAL) {
            *out = t;
            ok = true;
        } else if (type_from_name(last, NULL, 0, &t) && t.id == TYPE_DECIMAL) {
            strbuf_free(&name);
            return error_set_at(err, ERR_SQL, pos, "NUMERIC precision %d must be between 1 and %d, scale between 0 and precision",
                                mods[0], DECIMAL_MAX_PRECISION);
        }
    }
    if (!ok) {
        error_set_at(err, ERR_SQL, pos, "type \"%s\" does not exist or is not supported", last);
        strbuf_free(&name);
        return false;
    }
    strbuf_free(&name);
    return true;
}

static Expr *bind_type_cast(Binder *b, PgQuery__TypeCast *tc, const Scope *scope, Error *err)
{
    Expr *arg = bind_expr(b, tc->arg, scope, err);
    if (!arg) return NULL;
    LogicalType t;
    if (!bind_type_name(b, tc->type_name, &t, err)) return NULL;
    Expr *e = bind_coerce(b, arg, t, COERCE_EXPLICIT, err);
    if (e && e != arg && e->kind == EXPR_CAST) e->sql_pos = bind_pos(b, tc->location);
    if (e && e->untyped_literal) {
        /* 'a'::text is typed text, no longer a literal whose context decides */
        Expr *typed = arena_alloc(b->arena, sizeof *typed);
        *typed = *e;
        typed->untyped_literal = false;
        e = typed;
    }
    return e;
}

/* ---- entry points ---- */

Expr *bind_expr(Binder *b, PgQuery__Node *node, const Scope *scope, Error *err)
{
    if (node == NULL) {
        error_set(err, ERR_INTERNAL, "missing expression");
        return NULL;
    }
    switch (node->node_case) {
    case PG_QUERY__NODE__NODE_A_CONST: return bind_a_const(b, node->a_const, err);
    case PG_QUERY__NODE__NODE_COLUMN_REF: return bind_column_ref(b, node->column_ref, scope, err);
    case PG_QUERY__NODE__NODE_A_EXPR: return bind_a_expr(b, node->a_expr, scope, err);
    case PG_QUERY__NODE__NODE_TYPE_CAST: return bind_type_cast(b, node->type_cast, scope, err);
    case PG_QUERY__NODE__NODE_FUNC_CALL: return bind_func_call(b, node->func_call, scope, err);
    case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION: return bind_sql_value_function(b, node->sqlvalue_function, err);
    case PG_QUERY__NODE__NODE_CASE_EXPR: return bind_case(b, node->case_expr, scope, err);
    case PG_QUERY__NODE__NODE_COALESCE_EXPR:
        return bind_list_form(b, EXPR_COALESCE, node->coalesce_expr->args, node->coalesce_expr->n_args,
                              bind_pos(b, node->coalesce_expr->location), "COALESCE", scope, err);
    case PG_QUERY__NODE__NODE_MIN_MAX_EXPR: {
        PgQuery__MinMaxExpr *m = node->min_max_expr;
        bool greatest = m->op == PG_QUERY__MIN_MAX_OP__IS_GREATEST;
        return bind_list_form(b, greatest ? EXPR_GREATEST : EXPR_LEAST, m->args, m->n_args, bind_pos(b, m->location),
                              greatest ? "GREATEST" : "LEAST", scope, err);
    }
    case PG_QUERY__NODE__NODE_BOOL_EXPR: {
        PgQuery__BoolExpr *be = node->bool_expr;
        int pos = bind_pos(b, be->location);
        int n = (int)be->n_args;
        Expr **args = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(n + 1));
        const char *what = be->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR ? "AND"
                           : be->boolop == PG_QUERY__BOOL_EXPR_TYPE__OR_EXPR ? "OR" : "NOT";
        for (int i = 0; i < n; i++) {
            args[i] = bind_expr(b, be->args[i], scope, err);
            if (!args[i]) return NULL;
            args[i] = require_boolean(b, args[i], what, err);
            if (!args[i]) return NULL;
        }
        ExprKind k = be->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR ? EXPR_AND
                     : be->boolop == PG_QUERY__BOOL_EXPR_TYPE__OR_EXPR ? EXPR_OR : EXPR_NOT;
        return make_bool(b, k, args, n, pos);
    }
    case PG_QUERY__NODE__NODE_NULL_TEST: {
        PgQuery__NullTest *nt = node->null_test;
        Expr *arg = bind_expr(b, nt->arg, scope, err);
        if (!arg) return NULL;
        Expr *e = make_bool(b, EXPR_IS_NULL, &arg, 1, bind_pos(b, nt->location));
        e->negated = nt->nulltesttype == PG_QUERY__NULL_TEST_TYPE__IS_NOT_NULL;
        return e;
    }
    case PG_QUERY__NODE__NODE_BOOLEAN_TEST: {
        PgQuery__BooleanTest *bt = node->boolean_test;
        Expr *arg = bind_expr(b, bt->arg, scope, err);
        if (!arg) return NULL;
        arg = require_boolean(b, arg, "IS TRUE", err);
        if (!arg) return NULL;
        Expr *e = make_bool(b, EXPR_BOOL_TEST, &arg, 1, bind_pos(b, bt->location));
        switch (bt->booltesttype) {
        case PG_QUERY__BOOL_TEST_TYPE__IS_TRUE: e->bool_test = BOOL_TEST_TRUE; break;
        case PG_QUERY__BOOL_TEST_TYPE__IS_NOT_TRUE: e->bool_test = BOOL_TEST_TRUE; e->negated = true; break;
        case PG_QUERY__BOOL_TEST_TYPE__IS_FALSE: e->bool_test = BOOL_TEST_FALSE; break;
        case PG_QUERY__BOOL_TEST_TYPE__IS_NOT_FALSE: e->bool_test = BOOL_TEST_FALSE; e->negated = true; break;
        case PG_QUERY__BOOL_TEST_TYPE__IS_UNKNOWN: e->bool_test = BOOL_TEST_UNKNOWN; break;
        default: e->bool_test = BOOL_TEST_UNKNOWN; e->negated = true; break;
        }
        return e;
    }
    case PG_QUERY__NODE__NODE_SUB_LINK: return bind_sublink(b, node->sub_link, scope, err);
    case PG_QUERY__NODE__NODE_PARAM_REF:
        error_set_at(err, ERR_SQL, bind_pos(b, node->param_ref->location),
                     "positional parameters ($1) are not supported; use {{ name }} job parameters");
        return NULL;
    default:
        error_set_at(err, ERR_SQL, bind_pos(b, node_location(node)), "this kind of expression is not supported yet");
        return NULL;
    }
}

Expr *bind_condition(Binder *b, PgQuery__Node *node, const Scope *scope, const char *clause, Error *err)
{
    Expr *e = bind_expr(b, node, scope, err);
    if (!e) return NULL;
    return require_boolean(b, e, clause, err);
}

bool bind_constant_value(Binder *b, PgQuery__Node *node, Value *out, Error *err)
{
    Expr *e = bind_expr(b, node, NULL, err);
    if (!e) return false;
    if (!expr_is_constant(e))
        return error_set_at(err, ERR_SQL, bind_pos(b, node_location(node)), "a constant is required here");
    bool ok = expr_eval_constant(e, b->arena, out, err);
    out->type = e->type;
    expr_release(e);
    if (!ok && err->sql_pos < 0) err->sql_pos = bind_pos(b, node_location(node));
    return ok;
}

bool bind_constant_text(Binder *b, PgQuery__Node *node, char **out, Error *err)
{
    Value v;
    if (!bind_constant_value(b, node, &v, err)) return false;
    *out = NULL;
    if (v.is_null) return true;
    Vector tmp;
    vector_init(&tmp, v.type.id == TYPE_NULL ? type_make(TYPE_VARCHAR) : v.type, 1);
    value_to_vector(&v, &tmp, 0);
    StrBuf text = STRBUF_INIT;
    cast_format_value(&tmp, 0, &text);
    vector_destroy(&tmp);
    *out = arena_strdup(b->arena, strbuf_cstr(&text));
    strbuf_free(&text);
    return true;
}
