/* session: runs SQL text statement by statement (see session.h).
 *
 * For each statement: parse (libpg_query), bind and plan into a per-statement
 * arena, execute, then free the arena.  DDL and settings are handled here;
 * INSERT and COPY have their own files (stmt_insert.c, stmt_copy.c).
 * A statement either completes or changes nothing: writes are staged and
 * applied at the end. */
#include "sql/session.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "sql/optimize.h"
#include "sql/parser.h"
#include "sql/session_internal.h"
#include "sql/stmt_contract.h"
#include "types/cast.h"

Session *session_open(void)
{
    Session *s = mem_calloc(1, sizeof *s);
    catalog_init(&s->catalog);
    settings_init(&s->settings);
    quality_report_init(&s->quality);
    connections_init(&s->connections);
    return s;
}

void session_close(Session *s)
{
    if (s == NULL) return;
    session_set_run_context(s, NULL, NULL, NULL);
    catalog_destroy(&s->catalog);
    settings_destroy(&s->settings);
    quality_report_free(&s->quality);
    connections_destroy(&s->connections);
    mem_free(s);
}

void session_set_progress(Session *s, ProgressFn fn, void *ctx)
{
    s->progress = fn;
    s->progress_ctx = ctx;
}

const char *session_last_status(const Session *s) { return s->status; }
const char *session_last_detail(const Session *s) { return s->detail; }

static void replace_string(char **slot, const char *value)
{
    mem_free(*slot);
    *slot = value ? mem_strdup(value) : NULL;
}

void session_set_run_context(Session *s, const char *job, const char *params_json, const char *logical_date)
{
    replace_string(&s->run.job, job);
    replace_string(&s->run.params_json, params_json);
    replace_string(&s->run.logical_date, logical_date);
}

const RunContext *session_run_context(const Session *s) { return &s->run; }

Settings *session_settings(Session *s) { return &s->settings; }

QualityReport *session_quality_report(Session *s) { return &s->quality; }

/* ---- running plans ---- */

bool session_run_plan(StmtContext *sc, PlanNode *plan, ResultSink *sink, uint64_t *rows, Error *err)
{
    Session *s = sc->session;
    ExecContext ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.progress = (ExecProgressFn)s->progress;
    ctx.progress_ctx = s->progress_ctx;
    ctx.threads = s->settings.threads;
    ctx.memory_limit = s->settings.memory_limit;
    ctx.temp_directory = s->settings.temp_directory;
    ctx.profile = sc->profile;
    *rows = 0;
    plan = optimize_plan(&sc->binder, plan, s->settings.threads, s->settings.morsel_bytes);
    if (!optimize_check_constants(&sc->binder, plan, err)) return false;
    ExecNode *root = exec_build(plan, &ctx, err);
    if (root == NULL) return false;
    bool ok = true;
    if (sink && sink->begin) ok = sink->begin(sink, plan->ncols, plan->names, plan->types, err);
    while (ok) {
        Batch *b;
        if (!exec_next(root, &b, err)) {
            ok = false;
            break;
        }
        if (b->count == 0) break;
        *rows += b->count;
        ctx.rows_produced = *rows;
        if (sink && sink->batch && !sink->batch(sink, b, err)) ok = false;
        if (ctx.progress) exec_report_progress(&ctx);
    }
    if (ok && sink && sink->end) ok = sink->end(sink, err);
    exec_close(root);
    s->spilled_bytes += ctx.spilled_bytes;
    s->row_groups_pruned = ctx.row_groups_pruned;
    s->files_opened = ctx.files_opened;
    return ok;
}

static bool memtable_sink_batch(ResultSink *sink, const Batch *b, Error *err)
{
    memtable_append(((MemTableSink *)sink)->table, b);
    return true;
}

void memtable_sink_init(MemTableSink *s, MemTable *table)
{
    memset(s, 0, sizeof *s);
    s->sink.batch = memtable_sink_batch;
    s->table = table;
}

/* A result sink that emits a list of text lines as a one-column result. */
static bool emit_text_rows(ResultSink *sink, const char *column, char **lines, int n, Error *err)
{
    if (sink == NULL) return true;
    LogicalType t = type_make(TYPE_VARCHAR);
    char *names[1] = {(char *)column};
    if (sink->begin && !sink->begin(sink, 1, names, &t, err)) return false;
    Batch b;
    batch_init(&b, 1, &t, VECTOR_CAPACITY);
    bool ok = true;
    for (int i = 0; i < n && ok; i++) {
        vector_set_string(b.cols[0], b.count, lines[i], (uint32_t)strlen(lines[i]));
        b.count++;
        if (b.count == VECTOR_CAPACITY || i == n - 1) {
            if (sink->batch) ok = sink->batch(sink, &b, err);
            batch_reset(&b);
        }
    }
    batch_destroy(&b);
    if (ok && sink->end) ok = sink->end(sink, err);
    return ok;
}

/* ---- statements ---- */

static bool stmt_select(StmtContext *sc, PgQuery__SelectStmt *stmt, Error *err)
{
    PlanNode *plan;
    if (!bind_select(&sc->binder, stmt, &plan, err)) return false;
    uint64_t rows;
    if (!session_run_plan(sc, plan, sc->sink, &rows, err)) return false;
    snprintf(sc->session->status, sizeof sc->session->status, "SELECT %" PRIu64, rows);
    return true;
}

/* The boolean value of an EXPLAIN option: none means true, as in PostgreSQL. */
static bool explain_option_bool(StmtContext *sc, PgQuery__DefElem *d, bool *value, Error *err)
{
    *value = true;
    if (d->arg == NULL) return true;
    const char *text = NULL;
    if (d->arg->node_case == PG_QUERY__NODE__NODE_STRING) text = d->arg->string->sval;
    else if (d->arg->node_case == PG_QUERY__NODE__NODE_BOOLEAN) {
        *value = d->arg->boolean->boolval;
        return true;
    } else if (d->arg->node_case == PG_QUERY__NODE__NODE_INTEGER) text = d->arg->integer->ival ? "on" : "off";
    if (text && (strcmp(text, "on") == 0 || strcmp(text, "true") == 0 || strcmp(text, "1") == 0)) return true;
    if (text && (strcmp(text, "off") == 0 || strcmp(text, "false") == 0 || strcmp(text, "0") == 0)) {
        *value = false;
        return true;
    }
    return error_set_at(err, ERR_SQL, bind_pos(&sc->binder, d->location), "%s requires a Boolean value", d->defname);
}

static bool stmt_explain(StmtContext *sc, PgQuery__ExplainStmt *stmt, Error *err)
{
    bool analyze = false, timing = true, timing_given = false, verbose = false;
    for (size_t i = 0; i < stmt->n_options; i++) {
        PgQuery__DefElem *d = stmt->options[i]->def_elem;
        if (d == NULL) continue;
        bool value;
        if (strcmp(d->defname, "analyze") == 0) {
            if (!explain_option_bool(sc, d, &analyze, err)) return false;
        } else if (strcmp(d->defname, "timing") == 0) {
            if (!explain_option_bool(sc, d, &timing, err)) return false;
            timing_given = true;
        } else if (strcmp(d->defname, "verbose") == 0) {
            if (!explain_option_bool(sc, d, &verbose, err)) return false;
        } else if (strcmp(d->defname, "costs") == 0 ||
                   strcmp(d->defname, "buffers") == 0 || strcmp(d->defname, "summary") == 0) {
            if (!explain_option_bool(sc, d, &value, err)) return false; /* accepted, nothing to show */
        } else {
            return error_set_at(err, ERR_SQL, bind_pos(&sc->binder, d->location), "unrecognized EXPLAIN option \"%s\"",
                                d->defname);
        }
    }
    if (timing_given && timing && !analyze)
        return error_set(err, ERR_SQL, "EXPLAIN option TIMING requires ANALYZE");
    if (stmt->query == NULL || stmt->query->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
        return error_set(err, ERR_SQL, "EXPLAIN supports SELECT statements");
    PlanNode *plan;
    if (!bind_select(&sc->binder, stmt->query->select_stmt, &plan, err)) return false;
    plan = optimize_plan(&sc->binder, plan, sc->session->settings.threads, sc->session->settings.morsel_bytes);
    if (!optimize_check_constants(&sc->binder, plan, err)) return false;
    StrBuf text = STRBUF_INIT;
    if (analyze) {
        /* run the statement, discarding its rows, then print the plan with what each node did */
        Session *s = sc->session;
        uint64_t spilled_before = s->spilled_bytes, rows;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        sc->profile = exec_profile_new();
        bool ran = session_run_plan(sc, plan, NULL, &rows, err);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (ran) {
            ExplainOptions opts = {sc->profile, timing, verbose};
            plan_explain_with(plan, &opts, &text);
            strbuf_printf(&text, "Total: rows=%" PRIu64, rows);
            if (timing)
                strbuf_printf(&text, " time=%.3f ms",
                              (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
            strbuf_printf(&text, " spilled_bytes=%" PRIu64 " files_opened=%" PRIu64 " row_groups_pruned=%" PRIu64 "\n",
                          s->spilled_bytes - spilled_before, s->files_opened, s->row_groups_pruned);
        }
        exec_profile_free(sc->profile);
        sc->profile = NULL;
        if (!ran) {
            strbuf_free(&text);
            return false;
        }
    } else {
        ExplainOptions opts = {NULL, false, verbose};
        plan_explain_with(plan, &opts, &text);
    }
    /* one row per line */
    int n = 0;
    char *lines[4096];
    char *p = text.data;
    while (p && *p && n < 4096) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = '\0';
        lines[n++] = p;
        if (!nl) break;
        p = nl + 1;
    }
    bool ok = emit_text_rows(sc->sink, "QUERY PLAN", lines, n, err);
    strbuf_free(&text);
    snprintf(sc->session->status, sizeof sc->session->status, "EXPLAIN");
    return ok;
}

static bool name_taken(Catalog *c, const char *name)
{
    return catalog_find_table(c, name) != NULL || catalog_find_view(c, name) != NULL;
}

static bool check_schema(PgQuery__RangeVar *rv, Error *err)
{
    if (rv->schemaname && rv->schemaname[0] && strcmp(rv->schemaname, "main") != 0 &&
        strcmp(rv->schemaname, "public") != 0 && strcmp(rv->schemaname, "pg_temp") != 0)
        return error_set_at(err, ERR_SQL, rv->location, "schema \"%s\" does not exist", rv->schemaname);
    return true;
}

static bool stmt_create_table(StmtContext *sc, PgQuery__CreateStmt *stmt, Error *err)
{
    PgQuery__RangeVar *rv = stmt->relation;
    if (!check_schema(rv, err)) return false;
    Catalog *cat = &sc->session->catalog;
    if (name_taken(cat, rv->relname)) {
        if (stmt->if_not_exists) {
            snprintf(sc->session->status, sizeof sc->session->status, "CREATE TABLE");
            return true;
        }
        return error_set_at(err, ERR_SQL, rv->location, "relation \"%s\" already exists", rv->relname);
    }
    if (stmt->n_inh_relations > 0) return error_set_at(err, ERR_SQL, rv->location, "INHERITS is not supported");
    int n = 0;
    TableColumn *cols = arena_calloc(&sc->arena, sizeof(TableColumn) * (stmt->n_table_elts + 1));
    for (size_t i = 0; i < stmt->n_table_elts; i++) {
        PgQuery__Node *el = stmt->table_elts[i];
        if (el->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) continue; /* the contract's (bind_contract.c) */
        if (el->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF) return error_set(err, ERR_SQL, "unsupported table element");
        PgQuery__ColumnDef *cd = el->column_def;
        for (int k = 0; k < n; k++)
            if (strcmp(cols[k].name, cd->colname) == 0)
                return error_set_at(err, ERR_SQL, cd->location, "column \"%s\" specified more than once", cd->colname);
        cols[n].name = cd->colname;
        if (!bind_type_name(&sc->binder, cd->type_name, &cols[n].type, err)) return false;
        n++;
    }
    if (n == 0) return error_set_at(err, ERR_SQL, rv->location, "a table needs at least one column");
    TableContract *contract; /* constraints and policies: the table's data contract */
    if (!contract_from_create(sc, stmt, n, cols, &contract, err)) return false;
    catalog_create_table(cat, rv->relname, rv->relpersistence[0] == 't', n, cols)->contract = contract;
    snprintf(sc->session->status, sizeof sc->session->status, "CREATE TABLE");
    return true;
}

/* The profile of table t in the session's quality report. */
static TableProfile *stmt_table_profile(StmtContext *sc, const CatalogTable *t)
{
    char **names = arena_alloc(&sc->arena, sizeof(char *) * (size_t)(t->ncols + 1));
    LogicalType *types = arena_alloc(&sc->arena, sizeof(LogicalType) * (size_t)(t->ncols + 1));
    for (int c = 0; c < t->ncols; c++) {
        names[c] = t->cols[c].name;
        types[c] = t->cols[c].type;
    }
    return quality_report_profile(&sc->session->quality, t->name, t->ncols, names, types);
}

bool stmt_store_rows(StmtContext *sc, CatalogTable *t, MemTable *rows, Error *err)
{
    for (int c = 0; c < t->ncols; c++) {
        if (!t->cols[c].not_null) continue;
        for (int k = 0; k < rows->nchunks; k++)
            if (vector_has_nulls(rows->chunks[k].cols[c], rows->chunks[k].count))
                return error_set(err, ERR_DATA, "null value in column \"%s\" of relation \"%s\" violates not-null constraint",
                                 t->cols[c].name, t->name);
    }
    /* the profile sees exactly the rows that are stored, as they are stored;
     * temporary tables are a job's scratch space, not its output */
    TableProfile *profile = t->temporary ? NULL : stmt_table_profile(sc, t);
    for (int k = 0; k < rows->nchunks; k++) {
        memtable_append(&t->data, &rows->chunks[k]);
        if (profile) table_profile_add_batch(profile, &rows->chunks[k]);
    }
    return true;
}

static bool stmt_create_table_as(StmtContext *sc, PgQuery__CreateTableAsStmt *stmt, Error *err)
{
    if (stmt->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
        return error_set(err, ERR_SQL, "only CREATE TABLE ... AS is supported (not materialized views)");
    PgQuery__IntoClause *into = stmt->into;
    PgQuery__RangeVar *rv = into->rel;
    if (!check_schema(rv, err)) return false;
    Catalog *cat = &sc->session->catalog;
    if (name_taken(cat, rv->relname)) {
        if (stmt->if_not_exists) {
            snprintf(sc->session->status, sizeof sc->session->status, "CREATE TABLE AS");
            return true;
        }
        return error_set_at(err, ERR_SQL, rv->location, "relation \"%s\" already exists", rv->relname);
    }
    if (stmt->query == NULL || stmt->query->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
        return error_set(err, ERR_SQL, "CREATE TABLE AS needs a SELECT");
    PlanNode *plan;
    if (!bind_select(&sc->binder, stmt->query->select_stmt, &plan, err)) return false;
    if ((int)into->n_col_names > plan->ncols)
        return error_set_at(err, ERR_SQL, rv->location, "too many column names were specified");
    TableColumn *cols = arena_calloc(&sc->arena, sizeof(TableColumn) * (size_t)(plan->ncols + 1));
    for (int i = 0; i < plan->ncols; i++) {
        cols[i].name = plan->names[i];
        if ((size_t)i < into->n_col_names) cols[i].name = into->col_names[i]->string->sval;
        cols[i].type = plan->types[i];
        for (int k = 0; k < i; k++)
            if (strcmp(cols[k].name, cols[i].name) == 0)
                return error_set_at(err, ERR_SQL, rv->location, "column \"%s\" specified more than once", cols[i].name);
    }
    MemTable staged;
    memtable_init(&staged, plan->ncols, plan->types);
    uint64_t rows = 0;
    bool ok = true;
    if (!into->skip_data) {
        MemTableSink sink;
        memtable_sink_init(&sink, &staged);
        ok = session_run_plan(sc, plan, &sink.sink, &rows, err);
    }
    if (ok) {
        CatalogTable *t = catalog_create_table(cat, rv->relname, rv->relpersistence[0] == 't', plan->ncols, cols);
        ok = stmt_store_rows(sc, t, &staged, err);
    }
    memtable_destroy(&staged);
    if (ok) snprintf(sc->session->status, sizeof sc->session->status, "SELECT %" PRIu64, rows);
    return ok;
}

/* The SQL text of a parse-tree query, via libpg_query's deparser. */
static char *deparse_query(PgQuery__Node *query, Error *err)
{
    PgQuery__RawStmt raw = PG_QUERY__RAW_STMT__INIT;
    raw.stmt = query;
    PgQuery__RawStmt *stmts[1] = {&raw};
    PgQuery__ParseResult pr = PG_QUERY__PARSE_RESULT__INIT;
    pr.version = PG_VERSION_NUM;
    pr.n_stmts = 1;
    pr.stmts = stmts;
    size_t len = pg_query__parse_result__get_packed_size(&pr);
    uint8_t *buf = mem_alloc(len);
    pg_query__parse_result__pack(&pr, buf);
    PgQueryProtobuf pb = {len, (char *)buf};
    PgQueryDeparseResult r = pg_query_deparse_protobuf(pb);
    mem_free(buf);
    char *out = NULL;
    if (r.error) error_set(err, ERR_INTERNAL, "could not store the view's query: %s", r.error->message);
    else out = mem_strdup(r.query);
    pg_query_free_deparse_result(r);
    return out;
}

static bool stmt_create_view(StmtContext *sc, PgQuery__ViewStmt *stmt, Error *err)
{
    PgQuery__RangeVar *rv = stmt->view;
    if (!check_schema(rv, err)) return false;
    Catalog *cat = &sc->session->catalog;
    if (catalog_find_table(cat, rv->relname))
        return error_set_at(err, ERR_SQL, rv->location, "relation \"%s\" already exists", rv->relname);
    if (catalog_find_view(cat, rv->relname) && !stmt->replace)
        return error_set_at(err, ERR_SQL, rv->location, "relation \"%s\" already exists", rv->relname);
    if (stmt->query == NULL || stmt->query->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
        return error_set(err, ERR_SQL, "a view needs a SELECT");
    /* bind now so that errors surface at CREATE VIEW, as in PostgreSQL */
    PlanNode *plan;
    if (!bind_select(&sc->binder, stmt->query->select_stmt, &plan, err)) return false;
    if ((int)stmt->n_aliases > plan->ncols)
        return error_set_at(err, ERR_SQL, rv->location, "CREATE VIEW specifies more column names than columns");
    char *sql = deparse_query(stmt->query, err);
    if (sql == NULL) return false;
    char **aliases = arena_calloc(&sc->arena, sizeof(char *) * (stmt->n_aliases + 1));
    for (size_t i = 0; i < stmt->n_aliases; i++) aliases[i] = stmt->aliases[i]->string->sval;
    char **names = arena_calloc(&sc->arena, sizeof(char *) * (size_t)(plan->ncols + 1));
    for (int i = 0; i < plan->ncols; i++) names[i] = (size_t)i < stmt->n_aliases ? aliases[i] : plan->names[i];
    CatalogView *old = catalog_find_view(cat, rv->relname);
    if (old) {
        /* PostgreSQL's rule: a replaced view keeps its columns (it may add some at the end) */
        if (plan->ncols < old->ncols) {
            mem_free(sql);
            return error_set_at(err, ERR_SQL, rv->location, "cannot drop columns from view");
        }
        for (int i = 0; i < old->ncols; i++) {
            char a[48], t[48];
            if (strcmp(old->col_names[i], names[i]) != 0) {
                error_set_at(err, ERR_SQL, rv->location, "cannot change name of view column \"%s\" to \"%s\"",
                             old->col_names[i], names[i]);
                mem_free(sql);
                return false;
            }
            if (!type_equal(old->col_types[i], plan->types[i])) {
                error_set_at(err, ERR_SQL, rv->location, "cannot change data type of view column \"%s\" from %s to %s",
                             names[i], type_name(old->col_types[i], a, sizeof a), type_name(plan->types[i], t, sizeof t));
                mem_free(sql);
                return false;
            }
        }
        catalog_drop_view(cat, rv->relname);
    }
    catalog_create_view(cat, rv->relname, sql, (int)stmt->n_aliases, aliases, plan->ncols, names, plan->types);
    mem_free(sql);
    snprintf(sc->session->status, sizeof sc->session->status, "CREATE VIEW");
    return true;
}

static bool stmt_drop(StmtContext *sc, PgQuery__DropStmt *stmt, Error *err)
{
    bool table = stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE;
    bool view = stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_VIEW;
    if (!table && !view) return error_set(err, ERR_SQL, "only DROP TABLE and DROP VIEW are supported");
    Catalog *cat = &sc->session->catalog;
    /* check every name first so that a failing DROP drops nothing */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < stmt->n_objects; i++) {
            PgQuery__Node *o = stmt->objects[i];
            if (o->node_case != PG_QUERY__NODE__NODE_LIST || o->list->n_items == 0)
                return error_set(err, ERR_SQL, "malformed DROP");
            PgQuery__Node *last = o->list->items[o->list->n_items - 1];
            const char *name = last->node_case == PG_QUERY__NODE__NODE_STRING ? last->string->sval : "";
            bool exists = table ? catalog_find_table(cat, name) != NULL : catalog_find_view(cat, name) != NULL;
            if (pass == 0) {
                if (!exists && !stmt->missing_ok)
                    return error_set(err, ERR_SQL, "%s \"%s\" does not exist", table ? "table" : "view", name);
            } else if (exists) {
                if (table) catalog_drop_table(cat, name);
                else catalog_drop_view(cat, name);
            }
        }
    }
    snprintf(sc->session->status, sizeof sc->session->status, table ? "DROP TABLE" : "DROP VIEW");
    return true;
}

static bool set_value_text(StmtContext *sc, PgQuery__VariableSetStmt *stmt, StrBuf *out, Error *err)
{
    for (size_t i = 0; i < stmt->n_args; i++) {
        PgQuery__Node *a = stmt->args[i];
        if (i) strbuf_puts(out, ", ");
        if (a->node_case == PG_QUERY__NODE__NODE_A_CONST) {
            PgQuery__AConst *c = a->a_const;
            switch (c->val_case) {
            case PG_QUERY__A__CONST__VAL_IVAL: strbuf_printf(out, "%d", c->ival->ival); continue;
            case PG_QUERY__A__CONST__VAL_FVAL: strbuf_puts(out, c->fval->fval); continue;
            case PG_QUERY__A__CONST__VAL_SVAL: strbuf_puts(out, c->sval->sval); continue;
            case PG_QUERY__A__CONST__VAL_BOOLVAL: strbuf_puts(out, c->boolval->boolval ? "true" : "false"); continue;
            default: break;
            }
        }
        if (a->node_case == PG_QUERY__NODE__NODE_TYPE_CAST && a->type_cast->arg &&
            a->type_cast->arg->node_case == PG_QUERY__NODE__NODE_A_CONST &&
            a->type_cast->arg->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL) {
            strbuf_puts(out, a->type_cast->arg->a_const->sval->sval);
            continue;
        }
        return error_set_at(err, ERR_SQL, node_location(a), "SET needs a constant value");
    }
    (void)sc;
    return true;
}

static bool stmt_set(StmtContext *sc, PgQuery__VariableSetStmt *stmt, Error *err)
{
    Settings *st = &sc->session->settings;
    bool ok;
    switch (stmt->kind) {
    case PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE: {
        StrBuf v = STRBUF_INIT;
        ok = set_value_text(sc, stmt, &v, err) && settings_set(st, stmt->name, strbuf_cstr(&v), err);
        strbuf_free(&v);
        break;
    }
    case PG_QUERY__VARIABLE_SET_KIND__VAR_SET_DEFAULT:
    case PG_QUERY__VARIABLE_SET_KIND__VAR_RESET: ok = settings_reset(st, stmt->name, err); break;
    case PG_QUERY__VARIABLE_SET_KIND__VAR_RESET_ALL: ok = settings_reset(st, "all", err); break;
    default: ok = error_set(err, ERR_SQL, "this form of SET is not supported"); break;
    }
    if (ok) snprintf(sc->session->status, sizeof sc->session->status, stmt->kind >= PG_QUERY__VARIABLE_SET_KIND__VAR_RESET ? "RESET" : "SET");
    return ok;
}

static bool stmt_show(StmtContext *sc, PgQuery__VariableShowStmt *stmt, Error *err)
{
    Settings *st = &sc->session->settings;
    bool ok;
    if (strcmp(stmt->name, "all") == 0) {
        const char *const *names = settings_names();
        LogicalType types[2] = {type_make(TYPE_VARCHAR), type_make(TYPE_VARCHAR)};
        char *cols[2] = {"name", "setting"};
        ResultSink *sink = sc->sink;
        ok = true;
        if (sink && sink->begin) ok = sink->begin(sink, 2, cols, types, err);
        Batch b;
        batch_init(&b, 2, types, VECTOR_CAPACITY);
        for (int i = 0; ok && names[i]; i++) {
            char *v = NULL;
            if (!settings_show(st, names[i], &v, err)) {
                ok = false;
                break;
            }
            vector_set_string(b.cols[0], b.count, names[i], (uint32_t)strlen(names[i]));
            vector_set_string(b.cols[1], b.count, v, (uint32_t)strlen(v));
            b.count++;
            mem_free(v);
        }
        if (ok && sink && sink->batch) ok = sink->batch(sink, &b, err);
        if (ok && sink && sink->end) ok = sink->end(sink, err);
        batch_destroy(&b);
    } else if (strcmp(stmt->name, "spilled_bytes") == 0) {
        /* a read-only statistic: what this session has written to spill files */
        char buf[32];
        snprintf(buf, sizeof buf, "%" PRIu64, sc->session->spilled_bytes);
        char *lines[1] = {buf};
        ok = emit_text_rows(sc->sink, stmt->name, lines, 1, err);
    } else if (strcmp(stmt->name, "files_opened") == 0) {
        /* a read-only statistic: data files the last query's scans opened */
        char buf[32];
        snprintf(buf, sizeof buf, "%" PRIu64, sc->session->files_opened);
        char *lines[1] = {buf};
        ok = emit_text_rows(sc->sink, stmt->name, lines, 1, err);
    } else if (strcmp(stmt->name, "row_groups_pruned") == 0) {
        /* a read-only statistic: Parquet row groups the last query skipped from their statistics */
        char buf[32];
        snprintf(buf, sizeof buf, "%" PRIu64, sc->session->row_groups_pruned);
        char *lines[1] = {buf};
        ok = emit_text_rows(sc->sink, stmt->name, lines, 1, err);
    } else {
        char *v = NULL;
        if (!settings_show(st, stmt->name, &v, err)) return false;
        char *lines[1] = {v};
        ok = emit_text_rows(sc->sink, stmt->name, lines, 1, err);
        mem_free(v);
    }
    if (ok) snprintf(sc->session->status, sizeof sc->session->status, "SHOW");
    return ok;
}

static bool run_statement(StmtContext *sc, PgQuery__Node *stmt, Error *err)
{
    switch (stmt->node_case) {
    case PG_QUERY__NODE__NODE_SELECT_STMT: return stmt_select(sc, stmt->select_stmt, err);
    case PG_QUERY__NODE__NODE_EXPLAIN_STMT: return stmt_explain(sc, stmt->explain_stmt, err);
    case PG_QUERY__NODE__NODE_CREATE_STMT: return stmt_create_table(sc, stmt->create_stmt, err);
    case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT: return stmt_create_table_as(sc, stmt->create_table_as_stmt, err);
    case PG_QUERY__NODE__NODE_VIEW_STMT: return stmt_create_view(sc, stmt->view_stmt, err);
    case PG_QUERY__NODE__NODE_DROP_STMT:
        if (stmt->drop_stmt->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_SERVER)
            return stmt_drop_server(sc, stmt->drop_stmt, err); /* sql/connections.c */
        return stmt_drop(sc, stmt->drop_stmt, err);
    case PG_QUERY__NODE__NODE_CREATE_FOREIGN_SERVER_STMT: return stmt_create_server(sc, stmt->create_foreign_server_stmt, err);
    case PG_QUERY__NODE__NODE_INSERT_STMT: return stmt_insert(sc, stmt->insert_stmt, err);
    case PG_QUERY__NODE__NODE_COPY_STMT: return stmt_copy(sc, stmt->copy_stmt, err);
    case PG_QUERY__NODE__NODE_CALL_STMT: return stmt_call(sc, stmt->call_stmt, err);
    case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT: return stmt_set(sc, stmt->variable_set_stmt, err);
    case PG_QUERY__NODE__NODE_VARIABLE_SHOW_STMT: return stmt_show(sc, stmt->variable_show_stmt, err);
    case PG_QUERY__NODE__NODE_TRANSACTION_STMT:
        return error_set(err, ERR_SQL, "transaction statements are not supported: every kiln statement is atomic on its own");
    default:
        return error_set(err, ERR_SQL, "this kind of statement is not supported");
    }
}

/* Where a statement's text really starts: the parser's statement location
 * is just after the previous semicolon, before blanks and comments. */
static int statement_start(const char *sql, int pos)
{
    size_t n = strlen(sql);
    size_t i = pos > 0 ? (size_t)pos : 0;
    while (i < n) {
        if (sql[i] == ' ' || sql[i] == '\t' || sql[i] == '\n' || sql[i] == '\r' || sql[i] == '\f') {
            i++;
        } else if (sql[i] == '-' && i + 1 < n && sql[i + 1] == '-') {
            while (i < n && sql[i] != '\n') i++;
        } else if (sql[i] == '/' && i + 1 < n && sql[i + 1] == '*') {
            const char *end = strstr(sql + i + 2, "*/");
            if (end == NULL) break;
            i = (size_t)(end - sql) + 2;
        } else {
            break;
        }
    }
    return i < n ? (int)i : pos;
}

static bool execute(Session *s, const char *sql, ResultSink *sink, bool only_last, Error *err)
{
    ParsedScript script;
    error_clear(err);
    if (!sql_parse(sql, &script, err)) return false;
    bool ok = true;
    size_t n = script.tree->n_stmts;
    for (size_t i = 0; i < n && ok; i++) {
        PgQuery__RawStmt *raw = script.tree->stmts[i];
        StmtContext sc;
        memset(&sc, 0, sizeof sc);
        sc.session = s;
        sc.sql = sql;
        sc.sink = (!only_last || i == n - 1) ? sink : NULL;
        arena_init(&sc.arena, 64 * 1024);
        binder_init(&sc.binder, &s->catalog, &sc.arena, sql);
        sc.binder.lake_root = s->settings.lake_root;
        sc.binder.connections = &s->connections;
        sc.binder.threads = s->settings.threads;
        sc.binder.memory_limit = s->settings.memory_limit;
        sc.binder.no_remote_filter_pushdown = !s->settings.remote_filter_pushdown;
        s->status[0] = '\0';
        s->detail[0] = '\0';
        ok = run_statement(&sc, raw->stmt, err);
        catalog_end_statement(&s->catalog, ok, s->run.job, s->run.logical_date); /* commit or drop rejected records */
        if (!ok && err->sql_pos < 0) {
            /* no expression position (a value met while running): name the statement */
            err->sql_pos = statement_start(sql, raw->stmt_location);
            err->sql_pos_is_statement = true;
        }
        binder_release(&sc.binder);
        arena_destroy(&sc.arena);
    }
    sql_parse_free(&script);
    return ok;
}

bool session_execute(Session *s, const char *sql, ResultSink *sink, Error *err)
{
    return execute(s, sql, sink, false, err);
}

bool session_execute_last(Session *s, const char *sql, ResultSink *sink, Error *err)
{
    return execute(s, sql, sink, true, err);
}

/* ---- QueryResult ---- */

static bool qr_begin(ResultSink *sink, int ncols, char *const *names, const LogicalType *types, Error *err)
{
    QueryResult *r = (QueryResult *)sink;
    /* a later statement's rows replace an earlier one's */
    QueryResult fresh;
    query_result_free(r);
    query_result_init(&fresh);
    *r = fresh;
    r->has_rows = true;
    r->ncols = ncols;
    r->names = mem_calloc((size_t)ncols + 1, sizeof(char *));
    r->types = mem_calloc((size_t)ncols + 1, sizeof(LogicalType));
    for (int i = 0; i < ncols; i++) {
        r->names[i] = mem_strdup(names[i] ? names[i] : "?column?");
        r->types[i] = types[i];
    }
    return true;
}

static bool qr_batch(ResultSink *sink, const Batch *b, Error *err)
{
    QueryResult *r = (QueryResult *)sink;
    if (r->nbatches == r->cap_batches) {
        r->cap_batches = r->cap_batches ? r->cap_batches * 2 : 8;
        r->batches = mem_realloc(r->batches, sizeof(Batch) * (size_t)r->cap_batches);
    }
    Batch *copy = &r->batches[r->nbatches++];
    batch_init(copy, r->ncols, r->types, b->count ? b->count : 1);
    batch_append(copy, b, 0, b->count);
    r->nrows += b->count;
    return true;
}

void query_result_init(QueryResult *r)
{
    memset(r, 0, sizeof *r);
    r->sink.begin = qr_begin;
    r->sink.batch = qr_batch;
}

void query_result_free(QueryResult *r)
{
    for (int i = 0; i < r->nbatches; i++) batch_destroy(&r->batches[i]);
    mem_free(r->batches);
    for (int i = 0; i < r->ncols; i++) mem_free(r->names[i]);
    mem_free(r->names);
    mem_free(r->types);
    r->batches = NULL;
    r->names = NULL;
    r->types = NULL;
    r->nbatches = r->cap_batches = r->ncols = 0;
    r->nrows = 0;
    r->has_rows = false;
}

bool query_result_value_text(const QueryResult *r, uint64_t row, int col, StrBuf *out)
{
    for (int i = 0; i < r->nbatches; i++) {
        const Batch *b = &r->batches[i];
        if (row < b->count) {
            const Vector *v = b->cols[col];
            if (!vector_is_valid(v, (uint32_t)row)) return false;
            cast_format_value(v, (uint32_t)row, out);
            return true;
        }
        row -= b->count;
    }
    return false;
}
