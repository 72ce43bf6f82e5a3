/* stmt_insert: INSERT INTO table [(columns)] VALUES ... | SELECT ...
 *
 * The source rows are converted to the target columns' types with
 * assignment casts (as PostgreSQL does: a numeric value goes into an integer
 * column, a quoted literal is parsed as the column's type), missing columns
 * get NULL, and NOT NULL columns are checked.  Rows are staged and appended
 * only when the whole statement has succeeded.  A table created with
 * CREATE TABLE has a contract: its rows go through stmt_validate.c instead
 * (conversion, constraints, DEFAULTs, policies, quarantine). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sql/session_internal.h"
#include "sql/stmt_contract.h"

/* Resolve the target column list into table column indexes. */
static bool target_columns(StmtContext *sc, CatalogTable *t, PgQuery__InsertStmt *stmt, int **out, int *nout, Error *err)
{
    Binder *b = &sc->binder;
    int n = stmt->n_cols ? (int)stmt->n_cols : t->ncols;
    int *idx = arena_calloc(b->arena, sizeof(int) * (size_t)(n + 1));
    if (stmt->n_cols == 0) {
        for (int i = 0; i < n; i++) idx[i] = i;
    } else {
        for (int i = 0; i < n; i++) {
            PgQuery__ResTarget *rt = stmt->cols[i]->res_target;
            int found = -1;
            for (int c = 0; c < t->ncols; c++)
                if (strcmp(t->cols[c].name, rt->name) == 0) found = c;
            if (found < 0)
                return error_set_at(err, ERR_SQL, bind_pos(b, rt->location), "column \"%s\" of relation \"%s\" does not exist",
                                    rt->name, t->name);
            for (int k = 0; k < i; k++)
                if (idx[k] == found)
                    return error_set_at(err, ERR_SQL, bind_pos(b, rt->location), "column \"%s\" specified more than once",
                                        rt->name);
            idx[i] = found;
        }
    }
    *out = idx;
    *nout = n;
    return true;
}

/* A literal that does not convert to column col may go to the contract as
 * text (a type(col) violation) instead of failing the statement. */
static bool values_as_text(const CatalogTable *t, int col, const Expr *literal, const Error *err)
{
    const TableContract *c = t->contract;
    return c && err->kind == ERR_DATA && literal->untyped_literal && c->rules[col].kind == RULE_TYPE &&
           c->rules[col].policy != POLICY_FAIL;
}

/* VALUES rows typed directly by the target columns (with a contract, a
 * column with a literal that does not convert is kept as text instead). */
static bool bind_insert_values(StmtContext *sc, CatalogTable *t, PgQuery__SelectStmt *sel, const int *idx, int n,
                               PlanNode **out, Error *err)
{
    Binder *b = &sc->binder;
    PlanNode *p = plan_new(b, PLAN_VALUES, n);
    p->nrows = (int64_t)sel->n_values_lists;
    p->rows = arena_calloc(b->arena, sizeof(Expr **) * (size_t)(p->nrows + 1));
    bool *as_text = arena_calloc(b->arena, (size_t)n + 1);
retry:
    for (int i = 0; i < n; i++) {
        p->types[i] = as_text[i] ? type_make(TYPE_VARCHAR) : t->cols[idx[i]].type;
        p->names[i] = t->cols[idx[i]].name;
    }
    for (int64_t r = 0; r < p->nrows; r++) {
        PgQuery__List *list = sel->values_lists[r]->list;
        if ((int)list->n_items > n)
            return error_set_at(err, ERR_SQL, bind_pos(b, node_location(list->items[n])),
                                "INSERT has more expressions than target columns");
        if ((int)list->n_items < n)
            return error_set_at(err, ERR_SQL, bind_pos(b, node_location(list->items[0])),
                                "INSERT has more target columns than expressions");
        p->rows[r] = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(n + 1));
        for (int c = 0; c < n; c++) {
            Expr *e;
            if (list->items[c]->node_case == PG_QUERY__NODE__NODE_SET_TO_DEFAULT) {
                e = contract_bind_default(b, t, idx[c], err);
                if (e && as_text[c]) e = bind_coerce(b, e, t->cols[idx[c]].type, COERCE_ASSIGNMENT, err);
            } else {
                e = bind_expr(b, list->items[c], NULL, err);
            }
            if (!e) return false;
            Expr *literal = e;
            e = bind_coerce(b, e, p->types[c], as_text[c] ? COERCE_EXPLICIT : COERCE_ASSIGNMENT, err);
            if (!e && !as_text[c] && values_as_text(t, idx[c], literal, err)) {
                error_clear(err);
                as_text[c] = true;
                goto retry;
            }
            if (!e) {
                error_prefix(err, "column \"%s\"", p->names[c]);
                return false;
            }
            p->rows[r][c] = e;
        }
    }
    *out = p;
    return true;
}

bool stmt_insert(StmtContext *sc, PgQuery__InsertStmt *stmt, Error *err)
{
    Binder *b = &sc->binder;
    PgQuery__RangeVar *rv = stmt->relation;
    if (stmt->on_conflict_clause) return error_set(err, ERR_SQL, "INSERT ... ON CONFLICT is not supported yet");
    if (stmt->n_returning_list) return error_set(err, ERR_SQL, "INSERT ... RETURNING is not supported");
    if (stmt->with_clause) return error_set(err, ERR_SQL, "WITH before INSERT is not supported yet; put it inside the SELECT");
    CatalogTable *t = catalog_find_table(&sc->session->catalog, rv->relname);
    if (t == NULL) {
        if (catalog_find_view(&sc->session->catalog, rv->relname))
            return error_set_at(err, ERR_SQL, bind_pos(b, rv->location), "cannot insert into view \"%s\"", rv->relname);
        return error_set_at(err, ERR_SQL, bind_pos(b, rv->location), "relation \"%s\" does not exist", rv->relname);
    }
    int *idx = NULL, n = 0;
    if (!target_columns(sc, t, stmt, &idx, &n, err)) return false;
    PlanNode *src;
    PgQuery__SelectStmt *sel = stmt->select_stmt ? stmt->select_stmt->select_stmt : NULL;
    if (sel == NULL) {
        /* DEFAULT VALUES: one row of the columns' DEFAULTs (NULL without a contract) */
        src = plan_new(b, PLAN_VALUES, 0);
        src->nrows = 1;
        src->rows = arena_calloc(b->arena, sizeof(Expr **));
        src->rows[0] = arena_calloc(b->arena, sizeof(Expr *));
        n = 0;
    } else if (sel->n_values_lists > 0 && sel->n_sort_clause == 0 && !sel->limit_count && !sel->limit_offset &&
               !sel->with_clause) {
        if (!bind_insert_values(sc, t, sel, idx, n, &src, err)) return false;
    } else {
        if (!bind_select(b, sel, &src, err)) return false;
        if (src->ncols > n) return error_set(err, ERR_SQL, "INSERT has more expressions than target columns");
        if (src->ncols < n) return error_set(err, ERR_SQL, "INSERT has more target columns than expressions");
    }
    if (t->contract) { /* validated under the table's contract (stmt_validate.c) */
        uint64_t stored = 0;
        if (!contract_insert(sc, t, src, idx, n, &stored, err)) return false;
        snprintf(sc->session->status, sizeof sc->session->status, "INSERT 0 %" PRIu64, stored);
        return true;
    }
    /* project the source onto the table's columns */
    Expr **exprs = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(t->ncols + 1));
    char **names = arena_calloc(b->arena, sizeof(char *) * (size_t)(t->ncols + 1));
    for (int c = 0; c < t->ncols; c++) {
        names[c] = t->cols[c].name;
        exprs[c] = expr_const(b, value_null(t->cols[c].type), -1);
        for (int i = 0; i < n; i++) {
            if (idx[i] != c) continue;
            Expr *e = expr_column(b, i, src->types[i]);
            e = bind_coerce(b, e, t->cols[c].type, COERCE_ASSIGNMENT, err);
            if (!e) {
                error_prefix(err, "column \"%s\" is of type %s but the expression is of another type", t->cols[c].name,
                             "the column's");
                return false;
            }
            exprs[c] = e;
        }
    }
    PlanNode *plan = plan_project(b, src, t->ncols, exprs, names);
    MemTable staged;
    memtable_init(&staged, t->ncols, t->data.types);
    MemTableSink sink;
    memtable_sink_init(&sink, &staged);
    uint64_t rows = 0;
    bool ok = session_run_plan(sc, plan, &sink.sink, &rows, err) && stmt_store_rows(sc, t, &staged, err);
    memtable_destroy(&staged);
    if (ok) snprintf(sc->session->status, sizeof sc->session->status, "INSERT 0 %" PRIu64, rows);
    return ok;
}
