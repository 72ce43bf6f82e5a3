/* bind_contract: CREATE TABLE's constraints and WITH options as a
 * TableContract (quality/contract.h).
 *
 *   CREATE TABLE orders (
 *     id bigint PRIMARY KEY,                       -- orders_pkey, not_null(id)
 *     customer bigint NOT NULL REFERENCES customers (id),  -- not_null(customer), orders_customer_fkey
 *     amount numeric(12,2) CHECK (amount >= 0),    -- orders_amount_check
 *     code text UNIQUE DEFAULT 'x',                -- orders_code_key
 *     CONSTRAINT positive CHECK (id > 0),          -- positive
 *     UNIQUE (customer, code),                     -- orders_customer_code_key
 *     FOREIGN KEY (customer) REFERENCES customers (id)
 *   ) WITH (on_violation = 'quarantine', max_error_rate = 0.01, max_errors = 100,
 *           on_violation.orders_amount_check = 'warn');
 *
 *   REFERENCES lake.customers (id)     -- the keys committed in the lake dataset (contract_lake.c)
 *   WITH (unique_scope = 'lake' [, lake_dataset = 'orders'] [, lake_mode = 'overwrite_partitions'])
 *                                      -- UNIQUE keys already in the table's lake dataset are taken
 *
 * Rule names are PostgreSQL's default constraint names (t_col_check,
 * t_check for a table CHECK, t_pkey, t_col_key, t_col_fkey), or the
 * CONSTRAINT name; column rules are type(col) and not_null(col).
 * CHECK and DEFAULT expressions are bound here once (so mistakes are
 * reported at CREATE TABLE) and stored as SQL text, deparsed by
 * libpg_query, for each inserting statement to bind again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "sql/stmt_contract.h"

/* "SELECT <expr>" deparsed, without the SELECT. */
static char *deparse_expr(PgQuery__Node *expr, Error *err)
{
    PgQuery__ResTarget rt = PG_QUERY__RES_TARGET__INIT;
    rt.val = expr;
    PgQuery__Node target = PG_QUERY__NODE__INIT;
    target.node_case = PG_QUERY__NODE__NODE_RES_TARGET;
    target.res_target = &rt;
    PgQuery__Node *targets[1] = {&target};
    PgQuery__SelectStmt sel = PG_QUERY__SELECT_STMT__INIT;
    sel.op = PG_QUERY__SET_OPERATION__SETOP_NONE;
    sel.limit_option = PG_QUERY__LIMIT_OPTION__LIMIT_OPTION_DEFAULT;
    sel.n_target_list = 1;
    sel.target_list = targets;
    PgQuery__Node stmt = PG_QUERY__NODE__INIT;
    stmt.node_case = PG_QUERY__NODE__NODE_SELECT_STMT;
    stmt.select_stmt = &sel;
    PgQuery__RawStmt raw = PG_QUERY__RAW_STMT__INIT;
    raw.stmt = &stmt;
    PgQuery__RawStmt *stmts[1] = {&raw};
    PgQuery__ParseResult pr = PG_QUERY__PARSE_RESULT__INIT;
    pr.version = PG_VERSION_NUM;
    pr.n_stmts = 1;
    pr.stmts = stmts;
    size_t len = pg_query__parse_result__get_packed_size(&pr);
    uint8_t *buf = mem_alloc(len + 1);
    pg_query__parse_result__pack(&pr, buf);
    PgQueryProtobuf pb = {len, (char *)buf};
    PgQueryDeparseResult r = pg_query_deparse_protobuf(pb);
    mem_free(buf);
    char *out = NULL;
    if (r.error) error_set(err, ERR_INTERNAL, "could not store the expression: %s", r.error->message);
    else out = mem_strdup(strncmp(r.query, "SELECT ", 7) == 0 ? r.query + 7 : r.query);
    pg_query_free_deparse_result(r);
    return out;
}

Expr *contract_bind_text(Binder *b, const char *sql, const Scope *scope, const char *what, Error *err)
{
    char *text = mem_printf("SELECT %s", sql);
    ParsedScript script;
    Expr *e = NULL;
    if (sql_parse(text, &script, err)) {
        PgQuery__Node *st = script.tree->stmts[0]->stmt;
        Binder inner = *b;
        inner.sql = text;
        inner.positions_valid = false;
        PgQuery__Node *val = st->select_stmt->target_list[0]->res_target->val;
        e = scope ? bind_condition(&inner, val, scope, what, err) : bind_expr(&inner, val, NULL, err);
        sql_parse_free(&script);
    }
    mem_free(text);
    return e;
}

Expr *contract_bind_default(Binder *b, const CatalogTable *t, int col, Error *err)
{
    const char *sql = t->contract ? t->contract->default_sql[col] : NULL;
    if (sql == NULL) return expr_const(b, value_null(t->cols[col].type), -1);
    Expr *e = contract_bind_text(b, sql, NULL, "DEFAULT", err);
    if (e == NULL) error_prefix(err, "DEFAULT of column \"%s\"", t->cols[col].name);
    return e;
}

/* The scope of a table's columns, for CHECK expressions. */
static Scope table_scope(Binder *b, const char *table, int ncols, const TableColumn *cols)
{
    Scope s;
    s.ncols = ncols;
    s.cols = arena_calloc(b->arena, sizeof(ScopeColumn) * (size_t)(ncols + 1));
    for (int i = 0; i < ncols; i++) {
        s.cols[i].table = table;
        s.cols[i].name = cols[i].name;
        s.cols[i].type = cols[i].type;
        s.cols[i].index = i;
    }
    return s;
}

typedef struct CreateContext {
    StmtContext *sc;
    const char *table;
    int ncols;
    TableColumn *cols;
    TableContract *c;
    Scope scope;
    bool has_pkey;
} CreateContext;

/* "t_a_b" + suffix, PostgreSQL's default constraint name. */
static char *default_name(CreateContext *cc, const int *columns, int n, const char *suffix)
{
    StrBuf sb = STRBUF_INIT;
    strbuf_puts(&sb, cc->table);
    for (int i = 0; i < n; i++) strbuf_printf(&sb, "_%s", cc->cols[columns[i]].name);
    strbuf_printf(&sb, "_%s", suffix);
    char *name = contract_unique_name(cc->c, strbuf_cstr(&sb));
    strbuf_free(&sb);
    return name;
}

static ContractRule *add_named(CreateContext *cc, RuleKind kind, const char *conname, const int *columns, int n,
                               const char *suffix, int pos, Error *err)
{
    char *name = conname && conname[0] ? mem_strdup(conname) : default_name(cc, columns, n, suffix);
    if (contract_find_rule(cc->c, name)) {
        error_set_at(err, ERR_SQL, bind_pos(&cc->sc->binder, pos), "constraint \"%s\" for relation \"%s\" already exists",
                     name, cc->table);
        mem_free(name);
        return NULL;
    }
    ContractRule *r = contract_add_rule(cc->c, kind, name, columns, n);
    mem_free(name);
    return r;
}

static bool add_not_null(CreateContext *cc, int col, const char *conname)
{
    /* cols[].not_null stays false: the contract checks it, under its policy */
    char name[300];
    if (conname && conname[0]) snprintf(name, sizeof name, "%s", conname);
    else snprintf(name, sizeof name, "not_null(%s)", cc->cols[col].name);
    if (contract_find_rule(cc->c, name)) return true;
    contract_add_rule(cc->c, RULE_NOT_NULL, name, &col, 1);
    return true;
}

/* Column names of a key list (String nodes) as column indexes. */
static bool key_columns(CreateContext *cc, PgQuery__Node **keys, size_t n, int pos, int **out, Error *err)
{
    int *cols = arena_calloc(cc->sc->binder.arena, sizeof(int) * (n + 1));
    for (size_t i = 0; i < n; i++) {
        const char *name = node_string(keys[i]);
        int found = -1;
        for (int c = 0; name && c < cc->ncols; c++)
            if (strcmp(cc->cols[c].name, name) == 0) found = c;
        if (found < 0)
            return error_set_at(err, ERR_SQL, bind_pos(&cc->sc->binder, pos), "column \"%s\" named in key does not exist",
                                name ? name : "?");
        cols[i] = found;
    }
    *out = cols;
    return true;
}

static bool add_check(CreateContext *cc, PgQuery__Constraint *con, int col, Error *err)
{
    Binder *b = &cc->sc->binder;
    if (con->raw_expr == NULL) return error_set(err, ERR_SQL, "CHECK needs an expression");
    /* bound now against the columns, so that mistakes are found at CREATE TABLE */
    if (!bind_condition(b, con->raw_expr, &cc->scope, "CHECK", err)) return false;
    char *sql = deparse_expr(con->raw_expr, err);
    if (sql == NULL) return false;
    ContractRule *r = col >= 0 ? add_named(cc, RULE_CHECK, con->conname, &col, 1, "check", con->location, err)
                               : add_named(cc, RULE_CHECK, con->conname, NULL, 0, "check", con->location, err);
    if (r == NULL) {
        mem_free(sql);
        return false;
    }
    r->check_sql = sql;
    return true;
}

static bool add_unique(CreateContext *cc, PgQuery__Constraint *con, const int *cols, int n, bool primary, Error *err)
{
    if (primary) {
        if (cc->has_pkey)
            return error_set_at(err, ERR_SQL, bind_pos(&cc->sc->binder, con->location),
                                "multiple primary keys for table \"%s\" are not allowed", cc->table);
        cc->has_pkey = true;
        for (int i = 0; i < n; i++) add_not_null(cc, cols[i], NULL);
    }
    ContractRule *r = primary ? add_named(cc, RULE_UNIQUE, con->conname, NULL, 0, "pkey", con->location, err)
                              : add_named(cc, RULE_UNIQUE, con->conname, cols, n, "key", con->location, err);
    if (r == NULL) return false;
    if (primary) { /* the name has no columns, the key does */
        mem_free(r->columns);
        r->columns = mem_alloc(sizeof(int) * (size_t)(n + 1));
        memcpy(r->columns, cols, sizeof(int) * (size_t)n);
        r->ncolumns = n;
    }
    r->primary_key = primary;
    return true;
}

static bool integral(LogicalType t) { return t.id == TYPE_INTEGER || t.id == TYPE_BIGINT; }

/* The key columns' types must match (integers of any width meet, as text does). */
static bool key_types_match(CreateContext *cc, int col, LogicalType r, const char *ref_name, int pos, Error *err)
{
    LogicalType a = cc->cols[col].type;
    if (type_equal(a, r) || (integral(a) && integral(r)) || (a.id == TYPE_VARCHAR && r.id == TYPE_VARCHAR)) return true;
    char an[48], rn[48];
    return error_set_at(err, ERR_SQL, pos,
                        "foreign key constraint cannot be implemented: key columns \"%s\" and \"%s\" are of "
                        "incompatible types: %s and %s",
                        cc->cols[col].name, ref_name, type_name(a, an, sizeof an), type_name(r, rn, sizeof rn));
}

static ContractRule *add_foreign_key_rule(CreateContext *cc, PgQuery__Constraint *con, const int *cols, int n,
                                          const char *ref_table, char **ref_names, Error *err)
{
    ContractRule *rule = add_named(cc, RULE_FOREIGN_KEY, con->conname, cols, n, "fkey", con->location, err);
    if (rule == NULL) return NULL;
    rule->ref_table = mem_strdup(ref_table);
    rule->ref_columns = mem_calloc((size_t)n + 1, sizeof(char *));
    for (int i = 0; i < n; i++) rule->ref_columns[i] = mem_strdup(ref_names[i]);
    return rule;
}

/* REFERENCES lake.<name> (cols): the keys of the committed dataset, read by
 * each inserting statement.  The dataset must exist now; its columns and
 * their types are checked unless it is empty (committed with no files). */
static bool add_lake_foreign_key(CreateContext *cc, PgQuery__Constraint *con, const int *cols, int n, Error *err)
{
    Binder *b = &cc->sc->binder;
    int pos = bind_pos(b, con->location);
    PgQuery__RangeVar *rv = con->pktable;
    if (con->n_pk_attrs == 0)
        return error_set_at(err, ERR_SQL, pos,
                            "REFERENCES lake.%s needs the referenced columns, as in REFERENCES lake.%s (id): a lake "
                            "dataset has no primary key",
                            rv->relname, rv->relname);
    if ((int)con->n_pk_attrs != n)
        return error_set_at(err, ERR_SQL, pos, "number of referencing and referenced columns for foreign key disagree");
    ContractLakeDataset d;
    if (!contract_lake_open(b, rv->relname, bind_pos(b, rv->location), false, &d, err)) return false;
    char **names = arena_calloc(b->arena, sizeof(char *) * (size_t)(n + 1));
    for (int i = 0; i < n; i++) {
        names[i] = (char *)node_string(con->pk_attrs[i]);
        if (names[i] == NULL) return error_set_at(err, ERR_SQL, pos, "malformed REFERENCES column list");
        if (d.scan == NULL) continue; /* empty: nothing to check the columns against */
        int c = contract_lake_column(&d, names[i]);
        if (c < 0)
            return error_set_at(err, ERR_SQL, pos, "column \"%s\" referenced in foreign key constraint does not exist in lake dataset \"lake.%s\"",
                                names[i], rv->relname);
        if (!key_types_match(cc, cols[i], d.scan->types[c], names[i], pos, err)) return false;
    }
    ContractRule *rule = add_foreign_key_rule(cc, con, cols, n, rv->relname, names, err);
    if (rule) rule->ref_lake = true;
    return rule != NULL;
}

static bool add_foreign_key(CreateContext *cc, PgQuery__Constraint *con, const int *cols, int n, Error *err)
{
    Binder *b = &cc->sc->binder;
    int pos = bind_pos(b, con->location);
    PgQuery__RangeVar *rv = con->pktable;
    if (rv == NULL) return error_set_at(err, ERR_SQL, pos, "REFERENCES needs a table");
    if (rv->schemaname && strcmp(rv->schemaname, "lake") == 0) return add_lake_foreign_key(cc, con, cols, n, err);
    CatalogTable *ref = catalog_find_table(b->catalog, rv->relname);
    if (ref == NULL) return error_set_at(err, ERR_SQL, bind_pos(b, rv->location), "relation \"%s\" does not exist", rv->relname);
    int *ref_cols = arena_calloc(b->arena, sizeof(int) * (size_t)(n + 1));
    if (con->n_pk_attrs == 0) {
        /* REFERENCES t: the referenced table's primary key */
        const ContractRule *pk = NULL;
        for (int i = 0; ref->contract && i < ref->contract->nrules; i++)
            if (ref->contract->rules[i].primary_key) pk = &ref->contract->rules[i];
        if (pk == NULL)
            return error_set_at(err, ERR_SQL, pos, "there is no primary key for referenced table \"%s\"", rv->relname);
        if (pk->ncolumns != n)
            return error_set_at(err, ERR_SQL, pos, "number of referencing and referenced columns for foreign key disagree");
        memcpy(ref_cols, pk->columns, sizeof(int) * (size_t)n);
    } else {
        if ((int)con->n_pk_attrs != n)
            return error_set_at(err, ERR_SQL, pos, "number of referencing and referenced columns for foreign key disagree");
        for (int i = 0; i < n; i++) {
            const char *name = node_string(con->pk_attrs[i]);
            ref_cols[i] = -1;
            for (int c = 0; name && c < ref->ncols; c++)
                if (strcmp(ref->cols[c].name, name) == 0) ref_cols[i] = c;
            if (ref_cols[i] < 0)
                return error_set_at(err, ERR_SQL, pos, "column \"%s\" referenced in foreign key constraint does not exist",
                                    name ? name : "?");
        }
    }
    char **names = arena_calloc(b->arena, sizeof(char *) * (size_t)(n + 1));
    for (int i = 0; i < n; i++) {
        names[i] = ref->cols[ref_cols[i]].name;
        if (!key_types_match(cc, cols[i], ref->cols[ref_cols[i]].type, names[i], pos, err)) return false;
    }
    return add_foreign_key_rule(cc, con, cols, n, rv->relname, names, err) != NULL;
}

static bool unsupported(CreateContext *cc, PgQuery__Constraint *con, const char *what, Error *err)
{
    return error_set_at(err, ERR_SQL, bind_pos(&cc->sc->binder, con->location), "%s constraints are not supported", what);
}

static bool column_constraint(CreateContext *cc, int col, PgQuery__Constraint *con, Error *err)
{
    Binder *b = &cc->sc->binder;
    switch (con->contype) {
    case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL: return add_not_null(cc, col, con->conname);
    case PG_QUERY__CONSTR_TYPE__CONSTR_NULL: return true;
    case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK: return add_check(cc, con, col, err);
    case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE: return add_unique(cc, con, &col, 1, false, err);
    case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY: return add_unique(cc, con, &col, 1, true, err);
    case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN: return add_foreign_key(cc, con, &col, 1, err);
    case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT: {
        Expr *e = bind_expr(b, con->raw_expr, NULL, err);
        if (e == NULL) return false;
        if (!bind_coerce(b, e, cc->cols[col].type, COERCE_ASSIGNMENT, err)) {
            error_prefix(err, "DEFAULT of column \"%s\"", cc->cols[col].name);
            return false;
        }
        char *sql = deparse_expr(con->raw_expr, err);
        if (sql == NULL) return false;
        mem_free(cc->c->default_sql[col]);
        cc->c->default_sql[col] = sql;
        return true;
    }
    case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRABLE:
    case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_NOT_DEFERRABLE:
    case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRED:
    case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_IMMEDIATE: return true; /* every statement is checked as a whole */
    case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY: return unsupported(cc, con, "identity", err);
    case PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED: return unsupported(cc, con, "generated column", err);
    default: return unsupported(cc, con, "this kind of", err);
    }
}

static bool table_constraint(CreateContext *cc, PgQuery__Constraint *con, Error *err)
{
    int *cols = NULL;
    switch (con->contype) {
    case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK: return add_check(cc, con, -1, err);
    case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
    case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
        if (!key_columns(cc, con->keys, con->n_keys, con->location, &cols, err)) return false;
        return add_unique(cc, con, cols, (int)con->n_keys, con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY, err);
    case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
        if (!key_columns(cc, con->fk_attrs, con->n_fk_attrs, con->location, &cols, err)) return false;
        return add_foreign_key(cc, con, cols, (int)con->n_fk_attrs, err);
    case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION: return unsupported(cc, con, "EXCLUDE", err);
    default: return unsupported(cc, con, "this kind of table", err);
    }
}

/* The text of a WITH option's value (string, number, bare word). */
static const char *option_text(Binder *b, PgQuery__Node *a)
{
    if (a == NULL) return NULL;
    switch (a->node_case) {
    case PG_QUERY__NODE__NODE_STRING: return a->string->sval;
    case PG_QUERY__NODE__NODE_INTEGER: return arena_sprintf(b->arena, "%d", a->integer->ival);
    case PG_QUERY__NODE__NODE_FLOAT: return a->float_->fval;
    case PG_QUERY__NODE__NODE_BOOLEAN: return a->boolean->boolval ? "true" : "false";
    case PG_QUERY__NODE__NODE_TYPE_NAME: {
        PgQuery__TypeName *tn = a->type_name;
        return tn->n_names ? node_string(tn->names[tn->n_names - 1]) : NULL;
    }
    default: return NULL;
    }
}

static bool apply_options(CreateContext *cc, PgQuery__CreateStmt *stmt, Error *err)
{
    Binder *b = &cc->sc->binder;
    TableContract *c = cc->c;
    /* the table's policy first, then per-rule overrides whatever their order */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < stmt->n_options; i++) {
            PgQuery__DefElem *d = stmt->options[i]->def_elem;
            if (d == NULL) return error_set(err, ERR_SQL, "malformed WITH list");
            int pos = bind_pos(b, d->location);
            const char *ns = d->defnamespace && d->defnamespace[0] ? d->defnamespace : NULL;
            const char *v = option_text(b, d->arg);
            bool table_level = ns == NULL;
            if ((pass == 0) != table_level) continue;
            if (v == NULL) return error_set_at(err, ERR_SQL, pos, "option \"%s\" needs a value", d->defname);
            if (ns && strcmp(ns, "on_violation") == 0) {
                ContractRule *r = contract_find_rule(c, d->defname);
                if (r == NULL)
                    return error_set_at(err, ERR_SQL, pos, "constraint \"%s\" of relation \"%s\" does not exist",
                                        d->defname, cc->table);
                if (!contract_policy_parse(v, &r->policy))
                    return error_set_at(err, ERR_SQL, pos, "on_violation must be fail, drop, quarantine or warn, not \"%s\"", v);
                r->has_override = true;
            } else if (ns) {
                return error_set_at(err, ERR_SQL, pos, "unrecognized parameter namespace \"%s\"", ns);
            } else if (strcmp(d->defname, "on_violation") == 0) {
                ViolationPolicy p;
                if (!contract_policy_parse(v, &p))
                    return error_set_at(err, ERR_SQL, pos, "on_violation must be fail, drop, quarantine or warn, not \"%s\"", v);
                contract_set_policy(c, p);
            } else if (strcmp(d->defname, "max_error_rate") == 0) {
                char *end;
                double r = strtod(v, &end);
                if (*end || end == v || !(r >= 0 && r <= 1))
                    return error_set_at(err, ERR_SQL, pos, "max_error_rate must be a number between 0 and 1, not \"%s\"", v);
                c->max_error_rate = r;
            } else if (strcmp(d->defname, "max_errors") == 0) {
                char *end;
                long long n = strtoll(v, &end, 10);
                if (*end || end == v || n < 0)
                    return error_set_at(err, ERR_SQL, pos, "max_errors must be a non-negative integer, not \"%s\"", v);
                c->max_errors = n;
            } else if (strcmp(d->defname, "unique_scope") == 0) {
                if (strcmp(v, "lake") != 0 && strcmp(v, "run") != 0)
                    return error_set_at(err, ERR_SQL, pos, "unique_scope must be run or lake, not \"%s\"", v);
                c->unique_in_lake = strcmp(v, "lake") == 0;
            } else if (strcmp(d->defname, "lake_dataset") == 0) {
                if (v[0] == '\0' || v[0] == '_' || strstr(v, "..") || v[0] == '/')
                    return error_set_at(err, ERR_SQL, pos, "invalid lake_dataset \"%s\": name a dataset under lake_root, such as 'orders'", v);
                mem_free(c->lake_dataset);
                c->lake_dataset = mem_strdup(v);
            } else if (strcmp(d->defname, "lake_mode") == 0) {
                if (strcmp(v, "append") != 0 && strcmp(v, "overwrite_partitions") != 0)
                    return error_set_at(err, ERR_SQL, pos, "lake_mode must be append or overwrite_partitions, not \"%s\"", v);
                c->lake_overwrite_partitions = strcmp(v, "overwrite_partitions") == 0;
            } else {
                return error_set_at(err, ERR_SQL, pos,
                                    "unrecognized parameter \"%s\" (kiln tables take on_violation, max_error_rate, "
                                    "max_errors, on_violation.<rule>, unique_scope, lake_dataset and lake_mode)",
                                    d->defname);
            }
        }
    return true;
}

bool contract_from_create(StmtContext *sc, PgQuery__CreateStmt *stmt, int ncols, TableColumn *cols,
                          TableContract **out, Error *err)
{
    CreateContext cc = {sc, stmt->relation->relname, ncols, cols, NULL, {0}, false};
    char **names = arena_calloc(sc->binder.arena, sizeof(char *) * (size_t)(ncols + 1));
    for (int i = 0; i < ncols; i++) names[i] = cols[i].name;
    cc.c = contract_new(cc.table, ncols, names);
    cc.scope = table_scope(&sc->binder, cc.table, ncols, cols);
    bool ok = true;
    /* column constraints, then table constraints, in the order written */
    int col = 0;
    for (size_t i = 0; i < stmt->n_table_elts && ok; i++) {
        PgQuery__Node *el = stmt->table_elts[i];
        if (el->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF) continue;
        PgQuery__ColumnDef *cd = el->column_def;
        for (size_t k = 0; k < cd->n_constraints && ok; k++)
            ok = column_constraint(&cc, col, cd->constraints[k]->constraint, err);
        col++;
    }
    for (size_t i = 0; i < stmt->n_table_elts && ok; i++) {
        PgQuery__Node *el = stmt->table_elts[i];
        if (el->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) ok = table_constraint(&cc, el->constraint, err);
    }
    if (ok) ok = apply_options(&cc, stmt, err);
    if (ok && (cc.c->lake_dataset || cc.c->lake_overwrite_partitions) && !cc.c->unique_in_lake)
        ok = error_set(err, ERR_SQL, "lake_dataset and lake_mode apply to unique_scope = 'lake'; add it");
    if (!ok) {
        contract_free(cc.c);
        return false;
    }
    *out = cc.c;
    return true;
}
