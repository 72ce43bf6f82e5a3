/* bind_select: SELECT and VALUES to plans.
 *
 * The plan is built bottom-up in the order SQL evaluates a query: FROM (a
 * table, view, subquery or table function), WHERE (filter), the select list
 * (projection, with * expanded), ORDER BY (sort; keys that are not in the
 * select list are computed as hidden columns and projected away after the
 * sort), then OFFSET/LIMIT.  Views and WITH queries are bound from their
 * stored definitions where they are used. */
#include <stdio.h>
#include <string.h>

#include "common/mem.h"
#include "exec/expr_equal.h"
#include "exec/expr_eval.h"
#include "sql/bind_dataset.h"
#include "sql/binder.h"
#include "sql/bind_window.h"
#include "types/cast.h"

#define MAX_VIEW_DEPTH 32

PlanNode *plan_new(Binder *b, PlanKind kind, int ncols)
{
    PlanNode *p = arena_calloc(b->arena, sizeof *p);
    p->kind = kind;
    p->ncols = ncols;
    p->types = arena_calloc(b->arena, sizeof(LogicalType) * (size_t)(ncols + 1));
    p->names = arena_calloc(b->arena, sizeof(char *) * (size_t)(ncols + 1));
    p->limit = -1;
    return p;
}

PlanNode *plan_project(Binder *b, PlanNode *child, int n, Expr **exprs, char **names)
{
    PlanNode *p = plan_new(b, PLAN_PROJECT, n);
    p->child = child;
    p->exprs = exprs;
    for (int i = 0; i < n; i++) {
        p->types[i] = exprs[i]->type.id == TYPE_NULL ? type_make(TYPE_VARCHAR) : exprs[i]->type;
        if (exprs[i]->type.id == TYPE_NULL) exprs[i]->type = p->types[i];
        p->names[i] = names[i];
    }
    return p;
}

/* The scope a plan's output columns form, qualified by `qualifier`. */
static Scope scope_of_plan(Binder *b, const PlanNode *p, const char *qualifier)
{
    Scope s;
    s.ncols = p->ncols;
    s.cols = arena_calloc(b->arena, sizeof(ScopeColumn) * (size_t)(p->ncols + 1));
    for (int i = 0; i < p->ncols; i++) {
        s.cols[i].table = qualifier;
        s.cols[i].name = p->names[i];
        s.cols[i].type = p->types[i];
        s.cols[i].index = i;
    }
    return s;
}

/* Apply `AS alias (a, b, c)` column renames to a plan's output names. */
static bool apply_alias_columns(Binder *b, PlanNode *p, PgQuery__Alias *alias, Error *err)
{
    if (alias == NULL) return true;
    if ((int)alias->n_colnames > p->ncols)
        return error_set(err, ERR_SQL, "table \"%s\" has %d columns available but %d columns specified",
                         alias->aliasname, p->ncols, (int)alias->n_colnames);
    for (size_t i = 0; i < alias->n_colnames; i++) {
        const char *n = node_string(alias->colnames[i]);
        if (n) p->names[i] = arena_strdup(b->arena, n);
    }
    return true;
}

/* ---- WITH queries (inlined where referenced, like views) ---- */

typedef struct CteEntry {
    const char *name;
    PgQuery__CommonTableExpr *cte;
} CteEntry;

#define MAX_CTES 64
static _Thread_local CteEntry cte_stack[MAX_CTES];
static _Thread_local int cte_count;

static PgQuery__CommonTableExpr *find_cte(const char *name)
{
    for (int i = cte_count - 1; i >= 0; i--)
        if (strcmp(cte_stack[i].name, name) == 0) return cte_stack[i].cte;
    return NULL;
}

static bool bind_from_select_node(Binder *b, PgQuery__Node *query, PlanNode **out, Error *err)
{
    if (query == NULL || query->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
        return error_set(err, ERR_SQL, "only SELECT queries are supported here");
    return bind_select(b, query->select_stmt, out, err);
}

static bool bind_range_var(Binder *b, PgQuery__RangeVar *rv, PlanNode **out, const char **qualifier, Error *err)
{
    int pos = bind_pos(b, rv->location);
    const char *name = rv->relname;
    *qualifier = rv->alias ? rv->alias->aliasname : name;
    if (rv->schemaname == NULL || rv->schemaname[0] == '\0') {
        PgQuery__CommonTableExpr *cte = find_cte(name);
        if (cte) {
            /* a CTE may refer only to CTEs defined before it: hide itself and later ones */
            int saved = cte_count;
            int k = cte_count - 1;
            while (k >= 0 && cte_stack[k].cte != cte) k--;
            cte_count = k;
            bool ok = bind_from_select_node(b, cte->ctequery, out, err);
            cte_count = saved;
            if (!ok) return false;
            for (size_t i = 0; i < cte->n_aliascolnames && (int)i < (*out)->ncols; i++) {
                const char *n = node_string(cte->aliascolnames[i]);
                if (n) (*out)->names[i] = arena_strdup(b->arena, n);
            }
            return apply_alias_columns(b, *out, rv->alias, err);
        }
    }
    if (rv->schemaname && strcmp(rv->schemaname, "lake") == 0) { /* a dataset under lake_root (bind_dataset.c) */
        if (!bind_lake_table(b, name, pos, out, err)) return false;
        return apply_alias_columns(b, *out, rv->alias, err);
    }
    CatalogTable *t = catalog_find_table(b->catalog, name);
    if (t) {
        PlanNode *p = plan_new(b, PLAN_TABLE_SCAN, t->ncols);
        p->table = &t->data;
        for (int i = 0; i < t->ncols; i++) {
            p->types[i] = t->cols[i].type;
            p->names[i] = arena_strdup(b->arena, t->cols[i].name);
        }
        *out = p;
        return apply_alias_columns(b, p, rv->alias, err);
    }
    CatalogView *v = catalog_find_view(b->catalog, name);
    if (v) {
        if (b->depth >= MAX_VIEW_DEPTH)
            return error_set_at(err, ERR_SQL, pos, "views nested too deeply (at \"%s\")", name);
        ParsedScript script;
        if (!sql_parse(v->sql, &script, err)) {
            error_prefix(err, "view \"%s\"", name);
            err->sql_pos = pos;
            return false;
        }
        Binder inner = *b;
        inner.sql = v->sql;
        inner.positions_valid = false;
        inner.depth = b->depth + 1;
        int saved_ctes = cte_count;
        cte_count = 0; /* a view does not see the referencing query's WITH names */
        bool ok = script.tree->n_stmts == 1 && bind_from_select_node(&inner, script.tree->stmts[0]->stmt, out, err);
        cte_count = saved_ctes;
        sql_parse_free(&script);
        if (!ok) {
            if (!error_failed(err)) error_set(err, ERR_SQL, "view \"%s\" is not a single SELECT", name);
            error_prefix(err, "in view \"%s\"", name);
            err->sql_pos = pos;
            return false;
        }
        for (int i = 0; i < v->naliases && i < (*out)->ncols; i++) (*out)->names[i] = arena_strdup(b->arena, v->aliases[i]);
        return apply_alias_columns(b, *out, rv->alias, err);
    }
    return error_set_at(err, ERR_SQL, pos, "relation \"%s\" does not exist", name);
}

bool bind_from_item(Binder *b, PgQuery__Node *item, PlanNode **out, Scope *scope, Error *err)
{
    const char *qualifier = NULL;
    switch (item->node_case) {
    case PG_QUERY__NODE__NODE_RANGE_VAR:
        if (!bind_range_var(b, item->range_var, out, &qualifier, err)) return false;
        break;
    case PG_QUERY__NODE__NODE_RANGE_SUBSELECT: {
        PgQuery__RangeSubselect *rs = item->range_subselect;
        if (rs->lateral) return error_set(err, ERR_SQL, "LATERAL subqueries are not supported yet");
        if (!bind_from_select_node(b, rs->subquery, out, err)) return false;
        if (!apply_alias_columns(b, *out, rs->alias, err)) return false;
        qualifier = rs->alias ? rs->alias->aliasname : NULL;
        break;
    }
    case PG_QUERY__NODE__NODE_RANGE_FUNCTION: {
        PgQuery__RangeFunction *rf = item->range_function;
        if (rf->n_functions != 1 || rf->functions[0]->node_case != PG_QUERY__NODE__NODE_LIST ||
            rf->functions[0]->list->n_items < 1 ||
            rf->functions[0]->list->items[0]->node_case != PG_QUERY__NODE__NODE_FUNC_CALL)
            return error_set(err, ERR_SQL, "unsupported function in FROM");
        PgQuery__FuncCall *fc = rf->functions[0]->list->items[0]->func_call;
        if (!bind_table_function(b, fc, rf->coldeflist, rf->n_coldeflist, out, err)) return false;
        if (!apply_alias_columns(b, *out, rf->alias, err)) return false;
        /* a function of one column named after itself (generate_series): `AS g` also names the column, as in PostgreSQL */
        if (rf->alias && rf->alias->n_colnames == 0 && (*out)->ncols == 1 &&
            strcmp((*out)->names[0], node_string(fc->funcname[fc->n_funcname - 1])) == 0)
            (*out)->names[0] = arena_strdup(b->arena, rf->alias->aliasname);
        qualifier = rf->alias ? rf->alias->aliasname : node_string(fc->funcname[fc->n_funcname - 1]);
        break;
    }
    case PG_QUERY__NODE__NODE_JOIN_EXPR:
        return bind_join_expr(b, item->join_expr, out, scope, err);
    default:
        return error_set(err, ERR_SQL, "unsupported FROM item");
    }
    *scope = scope_of_plan(b, *out, qualifier ? arena_strdup(b->arena, qualifier) : NULL);
    return true;
}

/* ---- VALUES ---- */

static bool bind_values(Binder *b, PgQuery__SelectStmt *stmt, PlanNode **out, Error *err)
{
    int nrows = (int)stmt->n_values_lists;
    int ncols = -1;
    Expr ***rows = arena_calloc(b->arena, sizeof(Expr **) * (size_t)(nrows + 1));
    for (int r = 0; r < nrows; r++) {
        PgQuery__Node *ln = stmt->values_lists[r];
        if (ln->node_case != PG_QUERY__NODE__NODE_LIST) return error_set(err, ERR_SQL, "malformed VALUES list");
        PgQuery__List *list = ln->list;
        if (ncols < 0) ncols = (int)list->n_items;
        else if ((int)list->n_items != ncols)
            return error_set_at(err, ERR_SQL, bind_pos(b, node_location(list->items[0])),
                                "VALUES lists must all be the same length");
        rows[r] = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(ncols + 1));
        for (int c = 0; c < ncols; c++) {
            rows[r][c] = bind_expr(b, list->items[c], NULL, err);
            if (!rows[r][c]) return false;
        }
    }
    PlanNode *p = plan_new(b, PLAN_VALUES, ncols);
    Expr **column = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(nrows + 1));
    for (int c = 0; c < ncols; c++) {
        LogicalType t = type_make(TYPE_NULL);
        bool typed = false, literal = false;
        for (int r = 0; r < nrows; r++) {
            Expr *e = rows[r][c];
            literal |= e->untyped_literal;
            if (e->untyped_literal || e->type.id == TYPE_NULL) continue;
            if (!typed) {
                t = e->type;
                typed = true;
            } else if (!cast_common_type(t, e->type, &t)) {
                char x[48], y[48];
                return error_set_at(err, ERR_SQL, e->sql_pos, "VALUES types %s and %s cannot be matched",
                                    type_name(t, x, sizeof x), type_name(e->type, y, sizeof y));
            }
        }
        if (!typed) t = type_make(literal ? TYPE_VARCHAR : TYPE_VARCHAR);
        for (int r = 0; r < nrows; r++) {
            column[r] = bind_coerce(b, rows[r][c], t, COERCE_IMPLICIT, err);
            if (!column[r]) return false;
            rows[r][c] = column[r];
        }
        p->types[c] = t;
        p->names[c] = arena_sprintf(b->arena, "column%d", c + 1);
    }
    p->rows = rows;
    p->nrows = nrows;
    *out = p;
    return true;
}

/* ---- select list ---- */

static const char *target_name(Binder *b, PgQuery__ResTarget *rt)
{
    if (rt->name && rt->name[0]) return rt->name;
    PgQuery__Node *v = rt->val;
    for (;;) {
        if (v == NULL) return "?column?";
        switch (v->node_case) {
        case PG_QUERY__NODE__NODE_COLUMN_REF: {
            PgQuery__ColumnRef *cr = v->column_ref;
            const char *n = cr->n_fields ? node_string(cr->fields[cr->n_fields - 1]) : NULL;
            return n ? n : "?column?";
        }
        case PG_QUERY__NODE__NODE_FUNC_CALL: {
            PgQuery__FuncCall *fc = v->func_call;
            const char *n = node_string(fc->funcname[fc->n_funcname - 1]);
            if (n && strcmp(n, "date_part") == 0 && fc->n_funcname == 2) return "extract";
            return n ? n : "?column?";
        }
        case PG_QUERY__NODE__NODE_TYPE_CAST: {
            PgQuery__Node *inner = v->type_cast->arg;
            if (inner && (inner->node_case == PG_QUERY__NODE__NODE_COLUMN_REF ||
                          inner->node_case == PG_QUERY__NODE__NODE_FUNC_CALL ||
                          inner->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)) {
                v = inner;
                continue;
            }
            PgQuery__TypeName *tn = v->type_cast->type_name;
            const char *n = tn->n_names ? node_string(tn->names[tn->n_names - 1]) : NULL;
            return n ? n : "?column?";
        }
        case PG_QUERY__NODE__NODE_CASE_EXPR: return "case";
        case PG_QUERY__NODE__NODE_COALESCE_EXPR: return "coalesce";
        case PG_QUERY__NODE__NODE_MIN_MAX_EXPR:
            return v->min_max_expr->op == PG_QUERY__MIN_MAX_OP__IS_GREATEST ? "greatest" : "least";
        case PG_QUERY__NODE__NODE_A_EXPR:
            if (v->a_expr->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NULLIF) return "nullif";
            return "?column?";
        case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION:
            switch (v->sqlvalue_function->op) {
            case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_DATE: return "current_date";
            case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP:
            case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP_N: return "localtimestamp";
            default: return "current_timestamp";
            }
        default: return "?column?";
        }
    }
    (void)b;
}

typedef struct TargetList {
    Expr **exprs;
    char **names;
    int n, cap;
} TargetList;

static void targets_push(Binder *b, TargetList *tl, Expr *e, const char *name)
{
    if (tl->n == tl->cap) {
        int cap = tl->cap ? tl->cap * 2 : 16;
        Expr **ne = arena_alloc(b->arena, sizeof(Expr *) * (size_t)cap);
        char **nn = arena_alloc(b->arena, sizeof(char *) * (size_t)cap);
        if (tl->n) {
            memcpy(ne, tl->exprs, sizeof(Expr *) * (size_t)tl->n);
            memcpy(nn, tl->names, sizeof(char *) * (size_t)tl->n);
        }
        tl->exprs = ne;
        tl->names = nn;
        tl->cap = cap;
    }
    tl->exprs[tl->n] = e;
    tl->names[tl->n] = arena_strdup(b->arena, name);
    tl->n++;
}

static bool bind_targets(Binder *b, PgQuery__SelectStmt *stmt, const Scope *scope, TargetList *tl, Error *err)
{
    for (size_t i = 0; i < stmt->n_target_list; i++) {
        PgQuery__Node *tn = stmt->target_list[i];
        if (tn->node_case != PG_QUERY__NODE__NODE_RES_TARGET) return error_set(err, ERR_SQL, "malformed select list");
        PgQuery__ResTarget *rt = tn->res_target;
        PgQuery__Node *v = rt->val;
        if (v && v->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
            PgQuery__ColumnRef *cr = v->column_ref;
            PgQuery__Node *last = cr->n_fields ? cr->fields[cr->n_fields - 1] : NULL;
            if (last && last->node_case == PG_QUERY__NODE__NODE_A_STAR) {
                const char *table = cr->n_fields >= 2 ? node_string(cr->fields[cr->n_fields - 2]) : NULL;
                int added = 0;
                for (int c = 0; scope && c < scope->ncols; c++) {
                    const ScopeColumn *sc = &scope->cols[c];
                    if (table && (sc->table == NULL || strcmp(sc->table, table) != 0)) continue;
                    if (!table && sc->hidden) continue;
                    targets_push(b, tl, expr_column(b, sc->index, sc->type), sc->name);
                    added++;
                }
                if (table && added == 0)
                    return error_set_at(err, ERR_SQL, bind_pos(b, cr->location),
                                        "missing FROM-clause entry for table \"%s\"", table);
                if (!table && (scope == NULL || scope->ncols == 0) && added == 0)
                    return error_set_at(err, ERR_SQL, bind_pos(b, cr->location),
                                        "SELECT * with no tables specified is not valid");
                continue;
            }
        }
        Expr *e = bind_expr(b, v, scope, err);
        if (!e) return false;
        targets_push(b, tl, e, target_name(b, rt));
    }
    return true;
}

/* ---- ORDER BY ---- */

static bool bind_order_by(Binder *b, PgQuery__SelectStmt *stmt, const Scope *scope, TargetList *tl, int nvisible,
                          SortKey **keys_out, Error *err)
{
    int n = (int)stmt->n_sort_clause;
    SortKey *keys = arena_calloc(b->arena, sizeof(SortKey) * (size_t)(n + 1));
    for (int k = 0; k < n; k++) {
        PgQuery__Node *sn = stmt->sort_clause[k];
        if (sn->node_case != PG_QUERY__NODE__NODE_SORT_BY) return error_set(err, ERR_SQL, "malformed ORDER BY");
        PgQuery__SortBy *sb = sn->sort_by;
        if (sb->n_use_op > 0) return error_set_at(err, ERR_SQL, bind_pos(b, sb->location), "ORDER BY USING is not supported");
        PgQuery__Node *node = sb->node;
        int column = -1;
        if (node->node_case == PG_QUERY__NODE__NODE_A_CONST && node->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL) {
            int ord = node->a_const->ival->ival;
            if (ord < 1 || ord > nvisible)
                return error_set_at(err, ERR_SQL, bind_pos(b, node->a_const->location),
                                    "ORDER BY position %d is not in select list", ord);
            column = ord - 1;
        } else if (node->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && node->column_ref->n_fields == 1 &&
                   node_string(node->column_ref->fields[0])) {
            const char *name = node_string(node->column_ref->fields[0]);
            for (int i = 0; i < nvisible; i++) {
                if (strcmp(tl->names[i], name) != 0) continue;
                if (column >= 0 && !(tl->exprs[i]->kind == EXPR_COLUMN && tl->exprs[column]->kind == EXPR_COLUMN &&
                                     tl->exprs[i]->column == tl->exprs[column]->column))
                    return error_set_at(err, ERR_SQL, bind_pos(b, node->column_ref->location),
                                        "ORDER BY \"%s\" is ambiguous", name);
                if (column < 0) column = i;
            }
        }
        if (column < 0) {
            Expr *e = bind_expr(b, node, scope, err);
            if (!e) return false;
            /* reuse a select-list column computing the same input column */
            for (int i = 0; i < tl->n && column < 0; i++)
                if (e->kind == EXPR_COLUMN && tl->exprs[i]->kind == EXPR_COLUMN && tl->exprs[i]->column == e->column)
                    column = i;
            if (column < 0) {
                targets_push(b, tl, e, "?sort?");
                column = tl->n - 1;
            }
        }
        keys[k].column = column;
        keys[k].descending = sb->sortby_dir == PG_QUERY__SORT_BY_DIR__SORTBY_DESC;
        if (sb->sortby_nulls == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_FIRST) keys[k].nulls_first = true;
        else if (sb->sortby_nulls == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_LAST) keys[k].nulls_first = false;
        else keys[k].nulls_first = keys[k].descending;
    }
    *keys_out = keys;
    return true;
}

static bool bind_limit_value(Binder *b, PgQuery__Node *node, const char *what, int64_t *out, Error *err)
{
    if (node == NULL) return true;
    if (node->node_case == PG_QUERY__NODE__NODE_A_CONST && node->a_const->isnull) return true; /* LIMIT ALL / NULL */
    Expr *e = bind_expr(b, node, NULL, err);
    if (!e) return false;
    if (!expr_is_constant(e))
        return error_set_at(err, ERR_SQL, bind_pos(b, node_location(node)), "argument of %s must not contain variables", what);
    e = bind_coerce(b, e, type_make(TYPE_BIGINT), COERCE_IMPLICIT, err);
    if (!e) return false;
    Value v;
    if (!expr_eval_constant(e, b->arena, &v, err)) return false;
    if (v.is_null) return true;
    if (v.u.i64 < 0)
        return error_set_at(err, ERR_DATA, bind_pos(b, node_location(node)), "%s must not be negative", what);
    *out = v.u.i64;
    return true;
}

/* DISTINCT ON (exprs): bind the expressions as ORDER BY items would be (output
 * names, positions, or expressions computed as hidden columns), check that
 * they lead the ORDER BY as PostgreSQL requires, and return the sort keys
 * (ORDER BY, then the DISTINCT ON expressions it does not cover) and the key
 * columns whose first row per group is kept. */
static bool bind_distinct_on(Binder *b, PgQuery__SelectStmt *stmt, const Scope *scope, TargetList *tl, int nvisible,
                             const SortKey *order, SortKey **sort_out, int *nsort_out, SortKey **on_out, Error *err)
{
    int nd = (int)stmt->n_distinct_clause, no = (int)stmt->n_sort_clause;
    PgQuery__SelectStmt fake = *stmt;
    fake.n_sort_clause = (size_t)nd;
    fake.sort_clause = arena_calloc(b->arena, sizeof(PgQuery__Node *) * (size_t)(nd + 1));
    for (int i = 0; i < nd; i++) {
        PgQuery__Node *n = arena_calloc(b->arena, sizeof *n);
        n->node_case = PG_QUERY__NODE__NODE_SORT_BY;
        n->sort_by = arena_calloc(b->arena, sizeof(PgQuery__SortBy));
        n->sort_by->node = stmt->distinct_clause[i];
        n->sort_by->location = node_location(stmt->distinct_clause[i]);
        fake.sort_clause[i] = n;
    }
    SortKey *on;
    if (!bind_order_by(b, &fake, scope, tl, nvisible, &on, err)) return false;
    bool *covered = arena_calloc(b->arena, (size_t)nd + 1);
    int ncovered = 0;
    for (int k = 0; k < no && ncovered < nd; k++) {
        int j = 0;
        while (j < nd && on[j].column != order[k].column &&
               !expr_equal(tl->exprs[on[j].column], tl->exprs[order[k].column]))
            j++;
        if (j == nd)
            return error_set_at(err, ERR_SQL, bind_pos(b, node_location(stmt->distinct_clause[0])),
                                "SELECT DISTINCT ON expressions must match initial ORDER BY expressions");
        for (int i = 0; i < nd; i++)
            if (!covered[i] && (on[i].column == order[k].column ||
                                expr_equal(tl->exprs[on[i].column], tl->exprs[order[k].column]))) {
                covered[i] = true;
                ncovered++;
            }
    }
    SortKey *sort = arena_calloc(b->arena, sizeof(SortKey) * (size_t)(no + nd + 1));
    int nsort = 0;
    for (int k = 0; k < no; k++) sort[nsort++] = order[k];
    for (int i = 0; i < nd; i++)
        if (!covered[i]) sort[nsort++] = on[i];
    *sort_out = sort;
    *nsort_out = nsort;
    *on_out = on;
    return true;
}

bool bind_select(Binder *b, PgQuery__SelectStmt *stmt, PlanNode **out, Error *err)
{
    int saved_ctes = cte_count;
    AggBindContext *saved_agg = b->agg;
    b->agg = NULL;
    WindowBindContext *saved_win = b->win;
    b->win = NULL;
    if (stmt->with_clause) {
        PgQuery__WithClause *wc = stmt->with_clause;
        if (wc->recursive) return error_set_at(err, ERR_SQL, bind_pos(b, wc->location), "WITH RECURSIVE is not supported yet");
        for (size_t i = 0; i < wc->n_ctes; i++) {
            PgQuery__CommonTableExpr *cte = wc->ctes[i]->common_table_expr;
            if (cte_count >= MAX_CTES) return error_set(err, ERR_SQL, "too many WITH queries");
            cte_stack[cte_count].name = cte->ctename;
            cte_stack[cte_count].cte = cte;
            cte_count++;
        }
    }
    bool ok = false;
    PlanNode *plan = NULL;
    bool setop = stmt->op != PG_QUERY__SET_OPERATION__SETOP_NONE && stmt->op != PG_QUERY__SET_OPERATION__SET_OPERATION_UNDEFINED;
    if (setop || stmt->n_values_lists > 0) {
        ok = setop ? bind_set_operation(b, stmt, &plan, err) : bind_values(b, stmt, &plan, err);
        if (ok && (stmt->n_sort_clause || stmt->limit_count || stmt->limit_offset)) {
            /* VALUES ... ORDER BY / LIMIT: treat the VALUES as a FROM item */
            Scope sc = scope_of_plan(b, plan, NULL);
            TargetList tl = {0};
            for (int i = 0; i < plan->ncols; i++) targets_push(b, &tl, expr_column(b, i, plan->types[i]), plan->names[i]);
            SortKey *keys = NULL;
            int nvisible = tl.n;
            if (stmt->n_sort_clause && !bind_order_by(b, stmt, &sc, &tl, nvisible, &keys, err)) { ok = false; goto done; }
            if (setop && tl.n > nvisible) {
                /* PostgreSQL: only result column names or positions */
                error_set(err, ERR_SQL, "invalid UNION/INTERSECT/EXCEPT ORDER BY clause: only result column names "
                                        "can be used, not expressions or functions");
                ok = false;
                goto done;
            }
            plan = plan_project(b, plan, tl.n, tl.exprs, tl.names);
            if (stmt->n_sort_clause) {
                PlanNode *s = plan_new(b, PLAN_SORT, plan->ncols);
                memcpy(s->types, plan->types, sizeof(LogicalType) * (size_t)plan->ncols);
                memcpy(s->names, plan->names, sizeof(char *) * (size_t)plan->ncols);
                s->child = plan;
                s->keys = keys;
                s->nkeys = (int)stmt->n_sort_clause;
                plan = s;
            }
            goto limit;
        }
        goto done;
    }
    bool distinct = false, distinct_on = false;
    if (stmt->n_distinct_clause > 0) {
        if (stmt->n_distinct_clause == 1 && stmt->distinct_clause[0]->node_case == PG_QUERY__NODE__NODE__NOT_SET)
            distinct = true;
        else
            distinct_on = true;
    }
    if (stmt->into_clause) {
        error_set(err, ERR_SQL, "SELECT INTO is not supported; use CREATE TABLE ... AS");
        goto done;
    }
    Scope scope = {NULL, 0};
    WindowBindContext wctx; /* window calls: in the select list and ORDER BY only */
    bind_window_begin(b, &wctx, stmt, "WHERE");
    if (!bind_from_where_subqueries(b, stmt, &plan, &scope, err)) goto done;
    /* the select list, HAVING and ORDER BY may call aggregates */
    AggBindContext actx;
    memset(&actx, 0, sizeof actx);
    actx.active = true;
    b->agg = &actx;
    bind_window_allow(b, NULL);
    TargetList tl = {0};
    if (!bind_targets(b, stmt, &scope, &tl, err)) goto done;
    int nvisible = tl.n;
    Expr *having = NULL;
    if (stmt->having_clause) {
        bind_window_allow(b, "HAVING");
        having = bind_condition(b, stmt->having_clause, &scope, "HAVING", err);
        bind_window_allow(b, NULL);
        if (!having) goto done;
    }
    SortKey *keys = NULL;
    if (stmt->n_sort_clause && !bind_order_by(b, stmt, &scope, &tl, nvisible, &keys, err)) goto done;
    SortKey *on_sort = NULL, *on_keys = NULL;
    int on_nsort = 0;
    if (distinct_on &&
        !bind_distinct_on(b, stmt, &scope, &tl, nvisible, keys, &on_sort, &on_nsort, &on_keys, err))
        goto done;
    actx.active = false;
    bind_window_allow(b, "GROUP BY");
    if (!bind_window_check_group_by(b, stmt, tl.exprs, nvisible, err)) goto done;
    if (actx.naggs > 0 || stmt->n_group_clause > 0 || having) {
        if (!bind_aggregation(b, stmt, &scope, &plan, tl.exprs, tl.n, nvisible, &having, err)) goto done;
    }
    b->agg = saved_agg;
    if (wctx.ncalls > 0 && !bind_windows(b, &plan, tl.exprs, tl.n, err)) goto done;
    plan = plan_project(b, plan, tl.n, tl.exprs, tl.names);
    if (distinct) {
        /* DISTINCT groups by every output column */
        if (tl.n > nvisible) {
            error_set(err, ERR_SQL, "for SELECT DISTINCT, ORDER BY expressions must appear in select list");
            goto done;
        }
        PlanNode *d = plan_new(b, PLAN_AGGREGATE, plan->ncols);
        memcpy(d->types, plan->types, sizeof(LogicalType) * (size_t)plan->ncols);
        memcpy(d->names, plan->names, sizeof(char *) * (size_t)plan->ncols);
        d->child = plan;
        d->ngroups = plan->ncols;
        d->aggs = NULL;
        d->naggs = 0;
        plan = d;
    }
    if (distinct_on) {
        /* DISTINCT ON: sort by ORDER BY (led by the keys), keep each key group's first row */
        PlanNode *s = plan_new(b, PLAN_SORT, plan->ncols);
        memcpy(s->types, plan->types, sizeof(LogicalType) * (size_t)plan->ncols);
        memcpy(s->names, plan->names, sizeof(char *) * (size_t)plan->ncols);
        s->child = plan;
        s->keys = on_sort;
        s->nkeys = on_nsort;
        PlanNode *u = plan_new(b, PLAN_UNIQUE, plan->ncols);
        memcpy(u->types, plan->types, sizeof(LogicalType) * (size_t)plan->ncols);
        memcpy(u->names, plan->names, sizeof(char *) * (size_t)plan->ncols);
        u->child = s;
        u->keys = on_keys;
        u->nkeys = (int)stmt->n_distinct_clause;
        plan = u;
    } else if (stmt->n_sort_clause) {
        PlanNode *s = plan_new(b, PLAN_SORT, plan->ncols);
        memcpy(s->types, plan->types, sizeof(LogicalType) * (size_t)plan->ncols);
        memcpy(s->names, plan->names, sizeof(char *) * (size_t)plan->ncols);
        s->child = plan;
        s->keys = keys;
        s->nkeys = (int)stmt->n_sort_clause;
        plan = s;
    }
    if (tl.n > nvisible) {
        Expr **exprs = arena_calloc(b->arena, sizeof(Expr *) * (size_t)nvisible);
        for (int i = 0; i < nvisible; i++) exprs[i] = expr_column(b, i, plan->types[i]);
        plan = plan_project(b, plan, nvisible, exprs, plan->names);
    }
limit:
    if (stmt->limit_count || stmt->limit_offset) {
        if (stmt->limit_option == PG_QUERY__LIMIT_OPTION__LIMIT_OPTION_WITH_TIES) {
            error_set(err, ERR_SQL, "FETCH ... WITH TIES is not supported yet");
            goto done;
        }
        int64_t limit = -1, offset = 0;
        if (!bind_limit_value(b, stmt->limit_count, "LIMIT", &limit, err)) goto done;
        if (!bind_limit_value(b, stmt->limit_offset, "OFFSET", &offset, err)) goto done;
        PlanNode *l = plan_new(b, PLAN_LIMIT, plan->ncols);
        memcpy(l->types, plan->types, sizeof(LogicalType) * (size_t)plan->ncols);
        memcpy(l->names, plan->names, sizeof(char *) * (size_t)plan->ncols);
        l->child = plan;
        l->limit = limit;
        l->offset = offset;
        plan = l;
    }
    ok = true;
done:
    cte_count = saved_ctes;
    b->agg = saved_agg;
    b->win = saved_win;
    if (ok) *out = plan;
    return ok;
}
