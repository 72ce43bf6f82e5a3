/* stmt_copy: COPY between tables/queries and CSV files.
 *
 *   COPY t [(cols)] FROM 'file or glob' [WITH] (FORMAT csv, HEADER, DELIMITER ';', NULL 'NA', ...)
 *   COPY t | (SELECT ...) TO 'file' | STDOUT [WITH] (FORMAT csv, HEADER, DELIMITER, NULL, QUOTE, ESCAPE)
 *
 * COPY FROM reads the file with the table's (or listed) columns as declared
 * types and appends the rows only when every row was read (a bad row stops
 * the statement, naming file, line and column; IGNORE_ERRORS skips and
 * counts bad rows).  COPY TO writes the file under a temporary name and
 * renames it into place at the end, so a failure leaves no partial file.
 * The format comes from FORMAT or the file's extension (sql/copy_formats.c);
 * without either it is CSV (PostgreSQL's default is its text format, which
 * kiln does not write). HEADER is off by default, as in PostgreSQL. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/mem.h"
#include "io/fs.h"
#include "sql/copy_dataset.h"
#include "sql/copy_formats.h"
#include "sql/copy_warehouse.h"
#include "sql/session_internal.h"
#include "sql/stmt_contract.h"

static bool copy_to(StmtContext *sc, PgQuery__CopyStmt *stmt, SqlOption *opts, int nopts, Error *err)
{
    Binder *b = &sc->binder;
    const CopyFormat *format = NULL;
    bool to_warehouse = copy_warehouse_is_target(stmt->filename, &sc->session->connections, opts, nopts); /* sql/copy_warehouse.c */
    bool to_dataset = !to_warehouse && copy_dataset_is_target(stmt->filename, opts, nopts); /* sql/copy_dataset.c */
    if (!to_warehouse && !to_dataset && !copy_format_resolve(stmt->filename, opts, nopts, &format, err)) return false;
    PlanNode *plan;
    if (stmt->query) {
        if (stmt->query->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
            return error_set(err, ERR_SQL, "COPY (query) TO needs a SELECT");
        if (!bind_select(b, stmt->query->select_stmt, &plan, err)) return false;
    } else {
        /* COPY t [(cols)] TO: SELECT cols FROM t */
        PgQuery__SelectStmt sel = PG_QUERY__SELECT_STMT__INIT;
        sel.op = PG_QUERY__SET_OPERATION__SETOP_NONE;
        sel.limit_option = PG_QUERY__LIMIT_OPTION__LIMIT_OPTION_DEFAULT;
        PgQuery__Node from = PG_QUERY__NODE__INIT;
        from.node_case = PG_QUERY__NODE__NODE_RANGE_VAR;
        from.range_var = stmt->relation;
        PgQuery__Node *froms[1] = {&from};
        sel.n_from_clause = 1;
        sel.from_clause = froms;
        size_t ncols = stmt->n_attlist ? stmt->n_attlist : 1;
        PgQuery__Node **targets = arena_calloc(b->arena, sizeof(PgQuery__Node *) * ncols);
        PgQuery__ResTarget *rts = arena_calloc(b->arena, sizeof(PgQuery__ResTarget) * ncols);
        PgQuery__Node *tnodes = arena_calloc(b->arena, sizeof(PgQuery__Node) * ncols);
        PgQuery__ColumnRef *crs = arena_calloc(b->arena, sizeof(PgQuery__ColumnRef) * ncols);
        PgQuery__Node *vals = arena_calloc(b->arena, sizeof(PgQuery__Node) * ncols);
        PgQuery__Node star = PG_QUERY__NODE__INIT;
        PgQuery__AStar astar = PG_QUERY__A__STAR__INIT;
        star.node_case = PG_QUERY__NODE__NODE_A_STAR;
        star.a_star = &astar;
        for (size_t i = 0; i < ncols; i++) {
            PgQuery__ResTarget rt0 = PG_QUERY__RES_TARGET__INIT;
            PgQuery__ColumnRef cr0 = PG_QUERY__COLUMN_REF__INIT;
            PgQuery__Node n0 = PG_QUERY__NODE__INIT;
            rts[i] = rt0;
            crs[i] = cr0;
            tnodes[i] = n0;
            vals[i] = n0;
            crs[i].n_fields = 1;
            crs[i].fields = stmt->n_attlist ? &stmt->attlist[i] : arena_calloc(b->arena, sizeof(PgQuery__Node *));
            if (!stmt->n_attlist) crs[i].fields[0] = &star;
            crs[i].location = stmt->relation->location;
            vals[i].node_case = PG_QUERY__NODE__NODE_COLUMN_REF;
            vals[i].column_ref = &crs[i];
            rts[i].val = &vals[i];
            tnodes[i].node_case = PG_QUERY__NODE__NODE_RES_TARGET;
            tnodes[i].res_target = &rts[i];
            targets[i] = &tnodes[i];
        }
        sel.n_target_list = ncols;
        sel.target_list = targets;
        if (!bind_select(b, &sel, &plan, err)) return false;
    }
    if (to_dataset) return copy_dataset_write(sc, plan, stmt->filename, opts, nopts, err);
    if (stmt->filename && !to_warehouse) {
        /* an ETL output folder need not exist yet */
        char *dir = mem_strdup(stmt->filename);
        char *slash = strrchr(dir, '/');
        bool ok_dir = true;
        if (slash && slash != dir) {
            *slash = '\0';
            if (!fs_exists(dir)) ok_dir = fs_mkdirs(dir, err);
        }
        mem_free(dir);
        if (!ok_dir) return false;
    }
    CopyWriter *w;
    if (to_warehouse ? !copy_warehouse_open_writer(b, &sc->session->settings, stmt->filename, opts, nopts, &w, err)
                     : !format->open_writer(b, stmt->filename, opts, nopts, &w, err))
        return false;
    uint64_t rows = 0;
    bool ok = session_run_plan(sc, plan, &w->sink, &rows, err);
    if (ok) ok = w->commit(w, err);
    else w->abort(w);
    if (ok) snprintf(sc->session->status, sizeof sc->session->status, "COPY %" PRIu64, rows);
    return ok;
}

static bool copy_from(StmtContext *sc, PgQuery__CopyStmt *stmt, SqlOption *opts, int nopts, Error *err)
{
    Binder *b = &sc->binder;
    PgQuery__RangeVar *rv = stmt->relation;
    if (stmt->filename == NULL) return error_set(err, ERR_SQL, "COPY FROM STDIN is not supported; name a file");
    if (stmt->where_clause) return error_set(err, ERR_SQL, "COPY FROM ... WHERE is not supported yet");
    CatalogTable *t = catalog_find_table(&sc->session->catalog, rv->relname);
    if (t == NULL) return error_set_at(err, ERR_SQL, bind_pos(b, rv->location), "relation \"%s\" does not exist", rv->relname);
    int n = stmt->n_attlist ? (int)stmt->n_attlist : t->ncols;
    int *idx = arena_calloc(b->arena, sizeof(int) * (size_t)(n + 1));
    const char **names = arena_calloc(b->arena, sizeof(char *) * (size_t)(n + 1));
    LogicalType *types = arena_calloc(b->arena, sizeof(LogicalType) * (size_t)(n + 1));
    for (int i = 0; i < n; i++) {
        idx[i] = i;
        if (stmt->n_attlist) {
            const char *name = stmt->attlist[i]->string->sval;
            idx[i] = -1;
            for (int c = 0; c < t->ncols; c++)
                if (strcmp(t->cols[c].name, name) == 0) idx[i] = c;
            if (idx[i] < 0)
                return error_set(err, ERR_SQL, "column \"%s\" of relation \"%s\" does not exist", name, t->name);
        }
        names[i] = t->cols[idx[i]].name;
        types[i] = t->cols[idx[i]].type;
    }
    const CopyFormat *format;
    if (!copy_format_resolve(stmt->filename, opts, nopts, &format, err)) return false;
    PlanNode *scan;
    if (t->contract && format == &copy_format_csv) contract_copy_text_columns(t, opts, nopts, idx, n, types); /* stmt_validate.c */
    if (!format->bind_reader(b, stmt->filename, opts, nopts, n, names, types, &scan, err)) return false;
    if (t->contract) { /* validated under the table's contract (stmt_validate.c) */
        uint64_t stored = 0;
        if (!contract_insert(sc, t, scan, idx, n, &stored, err)) return false;
        snprintf(sc->session->status, sizeof sc->session->status, "COPY %" PRIu64, stored);
        return true;
    }
    Expr **exprs = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(t->ncols + 1));
    char **cnames = arena_calloc(b->arena, sizeof(char *) * (size_t)(t->ncols + 1));
    for (int c = 0; c < t->ncols; c++) {
        cnames[c] = t->cols[c].name;
        exprs[c] = expr_const(b, value_null(t->cols[c].type), -1);
        for (int i = 0; i < n; i++)
            if (idx[i] == c) exprs[c] = expr_column(b, i, types[i]);
    }
    PlanNode *plan = plan_project(b, scan, t->ncols, exprs, cnames);
    MemTable staged;
    memtable_init(&staged, t->ncols, t->data.types);
    MemTableSink sink;
    memtable_sink_init(&sink, &staged);
    uint64_t rows = 0;
    bool ok = session_run_plan(sc, plan, &sink.sink, &rows, err) && stmt_store_rows(sc, t, &staged, err);
    memtable_destroy(&staged);
    if (ok) snprintf(sc->session->status, sizeof sc->session->status, "COPY %" PRIu64, rows);
    return ok;
}

bool stmt_copy(StmtContext *sc, PgQuery__CopyStmt *stmt, Error *err)
{
    if (stmt->is_program) return error_set(err, ERR_SQL, "COPY ... PROGRAM is not supported");
    /* protobuf gives "" rather than NULL for STDIN/STDOUT */
    if (stmt->filename && stmt->filename[0] == '\0') stmt->filename = NULL;
    SqlOption *opts;
    int nopts;
    if (!sql_options_from_defelems(&sc->binder, stmt->options, stmt->n_options, &opts, &nopts, err)) return false;
    return stmt->is_from ? copy_from(sc, stmt, opts, nopts, err) : copy_to(sc, stmt, opts, nopts, err);
}
