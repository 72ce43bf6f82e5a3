/* stmt_validate: INSERT and COPY FROM into a table with a contract.
 *
 * The statement's source plan is wrapped in a projection onto the table's
 * columns WITHOUT the conversion to the column types (missing columns get
 * their DEFAULT), plus two lineage columns (source file and line) when the
 * rows come from a CSV scan through filters, projections, sorts, DISTINCT
 * ON and limits: the scan is asked for its hidden file-name and
 * line-number columns, which every node in between passes up.  A join
 * passes up its left input's (else its right input's) and an aggregate the
 * first line of each group whose rows come from one file (see
 * add_join_lineage and add_aggregate_lineage).  A sink runs
 * each batch through the validator (quality/validate.h): kept rows are
 * staged, quarantined rows are written (as text) to the statement's
 * quarantine, dropped and warned rows are counted, and a row whose action
 * is fail stops the statement with the broken rule, the row's values and
 * where it came from.  At the end the thresholds (max_errors,
 * max_error_rate over the statement's rows) are checked: above them the
 * statement fails and nothing is inserted or quarantined.  Otherwise the
 * staged rows are appended to the table and the quarantined ones to the
 * table's quarantine, all at once.
 *
 * A VARCHAR source value going into a column of another type is converted
 * with the type's input function (as COPY reads text), so that values that
 * do not convert break type(col) instead of stopping the statement.
 * FOREIGN KEY rules read the referenced table's keys when the statement
 * starts, or a lake dataset's (REFERENCES lake.d, sql/contract_lake.c);
 * with unique_scope = 'lake', UNIQUE rules also read the keys committed in
 * the table's lake dataset.  COPY FROM a CSV file reads the columns whose
 * type rule does not fail as text (contract_copy_text_columns).
 * Memory: the staged rows and quarantined rows of the statement, the key
 * sets of UNIQUE and FOREIGN KEY rules (and the lake's keys). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/mem.h"
#include "exec/csv_scan.h"
#include "io/fs.h"
#include "sql/copy_dataset.h"
#include "sql/expr_util.h"
#include "quality/quarantine.h"
#include "quality/validate.h"
#include "sql/stmt_contract.h"
#include "types/cast.h"

/* ---- lineage ---- */

static void append_columns(Binder *b, PlanNode *p, const LogicalType *types, char *const *names)
{
    int n = p->ncols + 2;
    LogicalType *t = arena_calloc(b->arena, sizeof(LogicalType) * (size_t)(n + 1));
    char **nm = arena_calloc(b->arena, sizeof(char *) * (size_t)(n + 1));
    memcpy(t, p->types, sizeof(LogicalType) * (size_t)p->ncols);
    memcpy(nm, p->names, sizeof(char *) * (size_t)p->ncols);
    t[n - 2] = types[0];
    t[n - 1] = types[1];
    nm[n - 2] = names[0];
    nm[n - 1] = names[1];
    p->types = t;
    p->names = nm;
    p->ncols = n;
}

static bool add_lineage(Binder *b, PlanNode *p);

static Expr *new_node(Binder *b, ExprKind kind, LogicalType type, int nargs)
{
    Expr *e = arena_calloc(b->arena, sizeof *e);
    e->kind = kind;
    e->type = type;
    e->sql_pos = -1;
    e->nargs = nargs;
    e->args = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(nargs + 1));
    return e;
}

/* CASE WHEN <left line> IS NOT NULL THEN <left column> ELSE <right column> END */
static Expr *left_else_right(Binder *b, int left_line, int left_col, int right_col, LogicalType type)
{
    Expr *has_left = new_node(b, EXPR_IS_NULL, type_make(TYPE_BOOLEAN), 1);
    has_left->args[0] = expr_column(b, left_line, type_make(TYPE_BIGINT));
    has_left->negated = true;
    Expr *e = new_node(b, EXPR_CASE, type, 3);
    e->args[0] = has_left;
    e->args[1] = expr_column(b, left_col, type);
    e->args[2] = expr_column(b, right_col, type);
    e->has_else = true;
    return e;
}

/* A join's rows carry the source of its left input (the probe side, the
 * FROM item written first); in RIGHT and FULL joins, a row with no left row
 * carries its right row's.  The join's own output then has the left
 * input's two lineage columns in the middle, so p becomes a projection that
 * puts them at the end, over a copy of the join (its condition renumbered). */
static bool add_join_lineage(Binder *b, PlanNode *p)
{
    LogicalType types[2] = {type_make(TYPE_VARCHAR), type_make(TYPE_BIGINT)};
    static const char *const hidden[2] = {"_kiln_source_file", "_kiln_source_line"};
    int nl = p->child->ncols, nr = p->right->ncols;
    bool semi = p->join_type == JOIN_SEMI || p->join_type == JOIN_ANTI;
    bool outer_right = p->join_type == JOIN_RIGHT || p->join_type == JOIN_FULL;
    bool left = add_lineage(b, p->child);
    bool right = !semi && (!left || outer_right) && add_lineage(b, p->right);
    if (!left && !right) return false;
    if (left && p->predicate) expr_shift_columns(p->predicate, nl, 2); /* the right columns moved by two */
    if (semi || !left) { /* the lineage columns are already the last two */
        append_columns(b, p, types, (char *const *)hidden);
        return true;
    }
    PlanNode *join = arena_alloc(b->arena, sizeof *join);
    *join = *p;
    int nj = nl + 2 + nr + (right ? 2 : 0);
    join->ncols = nj;
    join->types = arena_calloc(b->arena, sizeof(LogicalType) * (size_t)(nj + 1));
    join->names = arena_calloc(b->arena, sizeof(char *) * (size_t)(nj + 1));
    memcpy(join->types, p->child->types, sizeof(LogicalType) * (size_t)(nl + 2));
    memcpy(join->names, p->child->names, sizeof(char *) * (size_t)(nl + 2));
    memcpy(join->types + nl + 2, p->right->types, sizeof(LogicalType) * (size_t)(nj - nl - 2));
    memcpy(join->names + nl + 2, p->right->names, sizeof(char *) * (size_t)(nj - nl - 2));
    int n = nl + nr + 2;
    Expr **exprs = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(n + 1));
    char **names = arena_calloc(b->arena, sizeof(char *) * (size_t)(n + 1));
    for (int c = 0; c < nl + nr; c++) {
        int from = c < nl ? c : c + 2;
        exprs[c] = expr_column(b, from, join->types[from]);
        names[c] = join->names[from];
    }
    for (int k = 0; k < 2; k++) {
        exprs[nl + nr + k] = right ? left_else_right(b, nl + 1, nl + k, nj - 2 + k, types[k])
                                   : expr_column(b, nl + k, types[k]);
        names[nl + nr + k] = (char *)hidden[k];
    }
    *p = *plan_project(b, join, n, exprs, names);
    return true;
}

/* A row of GROUP BY (or of an aggregate without it) comes from many input
 * rows: it carries the first line of its group when all of the group's rows
 * come from one file, else no file and line.  Three hidden aggregates,
 * min(file), max(file) and min(line), are added to the node, and p becomes
 * a projection over a copy of it that keeps the line only when the two
 * files are the same. */
static bool add_aggregate_lineage(Binder *b, PlanNode *p)
{
    LogicalType types[2] = {type_make(TYPE_VARCHAR), type_make(TYPE_BIGINT)};
    static const char *const hidden[5] = {"_kiln_source_file", "_kiln_source_line", "_kiln_min_file", "_kiln_max_file",
                                          "_kiln_min_line"};
    if (p->agg_partial || !add_lineage(b, p->child)) return false;
    int in = p->child->ncols - 2, na = p->naggs, no = p->ncols;
    AggregateSpec *aggs = arena_calloc(b->arena, sizeof(AggregateSpec) * (size_t)(na + 3));
    if (na) memcpy(aggs, p->aggs, sizeof(AggregateSpec) * (size_t)na);
    const AggKind kinds[3] = {AGG_MIN, AGG_MAX, AGG_MIN};
    for (int k = 0; k < 3; k++) {
        AggregateSpec *a = &aggs[na + k];
        a->kind = kinds[k];
        a->input = in + (k == 2);
        a->input2 = a->filter = -1;
        a->input_type = a->result_type = types[k == 2];
    }
    PlanNode *agg = arena_alloc(b->arena, sizeof *agg);
    *agg = *p;
    agg->aggs = aggs;
    agg->naggs = na + 3;
    agg->ncols = no + 3;
    agg->types = arena_calloc(b->arena, sizeof(LogicalType) * (size_t)(no + 4));
    agg->names = arena_calloc(b->arena, sizeof(char *) * (size_t)(no + 4));
    memcpy(agg->types, p->types, sizeof(LogicalType) * (size_t)no);
    memcpy(agg->names, p->names, sizeof(char *) * (size_t)no);
    for (int k = 0; k < 3; k++) {
        agg->types[no + k] = types[k == 2];
        agg->names[no + k] = (char *)hidden[2 + k];
    }
    Error e = ERROR_INIT;
    Expr *one_file = bind_operator(b, "=", expr_column(b, no, types[0]), expr_column(b, no + 1, types[0]), -1, &e);
    if (one_file == NULL) return false; /* cannot happen: text = text */
    Expr **exprs = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(no + 3));
    char **names = arena_calloc(b->arena, sizeof(char *) * (size_t)(no + 3));
    for (int c = 0; c < no; c++) {
        exprs[c] = expr_column(b, c, p->types[c]);
        names[c] = p->names[c];
    }
    for (int k = 0; k < 2; k++) { /* CASE WHEN min(file) = max(file) THEN min(file) / min(line) END */
        Expr *when = new_node(b, EXPR_CASE, types[k], 2);
        when->args[0] = one_file;
        when->args[1] = expr_column(b, k == 0 ? no : no + 2, types[k]);
        exprs[no + k] = when;
        names[no + k] = (char *)hidden[k];
    }
    *p = *plan_project(b, agg, no + 2, exprs, names);
    return true;
}

/* Make p output two more columns, the source file and line of each row,
 * if its rows come from a CSV scan through nodes that pass rows up (and
 * joins, add_join_lineage; aggregates, add_aggregate_lineage). */
static bool add_lineage(Binder *b, PlanNode *p)
{
    static const char *const hidden[2] = {"_kiln_source_file", "_kiln_source_line"};
    LogicalType types[2] = {type_make(TYPE_VARCHAR), type_make(TYPE_BIGINT)};
    switch (p->kind) {
    case PLAN_CSV_SCAN: {
        CsvScanSpec *spec = p->csv;
        if (spec->options.line_column || spec->nschema_cols != spec->options.ncolumns + (spec->options.filename ? 1 : 0))
            return false;
        int nfile = spec->options.ncolumns;
        if (spec->options.filename == NULL) spec->options.filename = hidden[0];
        spec->options.line_column = hidden[1];
        spec->nschema_cols = nfile + 2;
        int *proj = arena_calloc(b->arena, sizeof(int) * (size_t)(spec->nprojection + 3));
        memcpy(proj, spec->projection, sizeof(int) * (size_t)spec->nprojection);
        proj[spec->nprojection] = nfile;
        proj[spec->nprojection + 1] = nfile + 1;
        spec->projection = proj;
        spec->nprojection += 2;
        append_columns(b, p, types, (char *const *)hidden);
        return true;
    }
    case PLAN_FILTER:
    case PLAN_LIMIT:
    case PLAN_SORT:
    case PLAN_UNIQUE:
        if (!add_lineage(b, p->child)) return false;
        append_columns(b, p, types, (char *const *)hidden);
        return true;
    case PLAN_PROJECT: {
        if (!add_lineage(b, p->child)) return false;
        int n = p->ncols;
        Expr **exprs = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(n + 3));
        memcpy(exprs, p->exprs, sizeof(Expr *) * (size_t)n);
        exprs[n] = expr_column(b, p->child->ncols - 2, types[0]);
        exprs[n + 1] = expr_column(b, p->child->ncols - 1, types[1]);
        p->exprs = exprs;
        append_columns(b, p, types, (char *const *)hidden);
        return true;
    }
    case PLAN_HASH_JOIN: return add_join_lineage(b, p);
    case PLAN_AGGREGATE: return add_aggregate_lineage(b, p);
    default: return false;
    }
}

/* ---- the validating sink ---- */

typedef struct ContractSink {
    ResultSink sink;
    StmtContext *sc;
    CatalogTable *table;
    Validator v;
    MemTable staged;
    Quarantine quarantine;
    bool lineage;            /* raw columns ncols, ncols+1 are file and line */
    uint64_t rows_seen;
    uint64_t stored;
    int64_t now;
    StrBuf text, rules, message;
    uint32_t *offsets;       /* per column: start of its text in `text` (UINT32_MAX = NULL) */
} ContractSink;

/* The row's values as text (raw, before conversion) into s->text / offsets. */
static void row_text(ContractSink *s, const Batch *raw, uint32_t i)
{
    strbuf_clear(&s->text);
    uint32_t slot = batch_row(raw, i);
    for (int c = 0; c < s->table->ncols; c++) {
        const Vector *vec = raw->cols[c];
        if (!vector_is_valid(vec, slot)) {
            s->offsets[c] = UINT32_MAX;
            continue;
        }
        s->offsets[c] = (uint32_t)s->text.len;
        cast_format_value(vec, slot, &s->text);
        strbuf_putc(&s->text, '\0');
    }
}

static void row_source(const ContractSink *s, const Batch *raw, uint32_t i, const char **file, uint32_t *file_len,
                       int64_t *line)
{
    *file = NULL;
    *file_len = 0;
    *line = 0;
    if (!s->lineage) return;
    uint32_t slot = batch_row(raw, i);
    const Vector *f = raw->cols[s->table->ncols], *l = raw->cols[s->table->ncols + 1];
    if (vector_is_valid(f, slot)) {
        const KString *k = &VEC_DATA(f, KString)[slot];
        *file = kstring_data(k);
        *file_len = k->len;
    }
    if (vector_is_valid(l, slot)) *line = VEC_DATA(l, int64_t)[slot];
}

static bool fail_row(ContractSink *s, const Batch *raw, uint32_t i, Error *err)
{
    Validator *v = &s->v;
    int first = -1;
    for (int r = 0; r < v->nrules && first < 0; r++)
        if (validator_broke(v, i, r) && v->spec.contract->rules[r].policy == POLICY_FAIL) first = r;
    strbuf_clear(&s->message);
    validator_rule_message(v, i, first, &s->message);
    row_text(s, raw, i);
    strbuf_puts(&s->message, "; failing row contains (");
    for (int c = 0; c < s->table->ncols; c++) {
        if (c) strbuf_puts(&s->message, ", ");
        strbuf_puts(&s->message, s->offsets[c] == UINT32_MAX ? "null" : s->text.data + s->offsets[c]);
    }
    const char *file;
    uint32_t file_len;
    int64_t line;
    row_source(s, raw, i, &file, &file_len, &line);
    if (file) {
        error_set(err, ERR_DATA, "%s)", strbuf_cstr(&s->message));
        char path[ERROR_FILE_MAX];
        snprintf(path, sizeof path, "%.*s", (int)file_len, file);
        error_set_location(err, path, line, 0);
        return false;
    }
    return error_set(err, ERR_DATA, "%s) at row %" PRIu64 " of the input", strbuf_cstr(&s->message),
                     s->rows_seen + i + 1);
}

static void quarantine_row(ContractSink *s, const Batch *raw, uint32_t i)
{
    Validator *v = &s->v;
    const TableContract *c = v->spec.contract;
    strbuf_clear(&s->rules);
    strbuf_clear(&s->message);
    for (int r = 0; r < v->nrules; r++) {
        if (!validator_broke(v, i, r)) continue;
        if (s->rules.len) strbuf_putc(&s->rules, ',');
        strbuf_puts(&s->rules, c->rules[r].name);
        if (s->message.len == 0) validator_rule_message(v, i, r, &s->message);
    }
    row_text(s, raw, i);
    int n = s->table->ncols;
    const char **values = mem_calloc((size_t)n + 1, sizeof(char *));
    uint32_t *lens = mem_calloc((size_t)n + 1, sizeof(uint32_t));
    for (int k = 0; k < n; k++) {
        if (s->offsets[k] == UINT32_MAX) continue;
        values[k] = s->text.data + s->offsets[k];
        lens[k] = (uint32_t)strlen(values[k]);
    }
    const char *file;
    uint32_t file_len;
    int64_t line;
    row_source(s, raw, i, &file, &file_len, &line);
    char *path = file ? mem_strndup(file, file_len) : NULL;
    const RunContext *run = &s->sc->session->run;
    QuarantineEntry e = {values, lens, strbuf_cstr(&s->rules), strbuf_cstr(&s->message), path, line,
                         (int64_t)(s->rows_seen + i + 1), run->job, catalog_run_id(&s->sc->session->catalog),
                         run->logical_date, s->now};
    quarantine_add(&s->quarantine, &e);
    mem_free(path);
    mem_free(values);
    mem_free(lens);
}

static bool contract_sink_batch(ResultSink *sink, const Batch *raw, Error *err)
{
    ContractSink *s = (ContractSink *)sink;
    Validator *v = &s->v;
    if (!validator_run(v, raw, err)) return false;
    for (uint32_t i = 0; i < raw->count; i++) {
        if (v->nbroken[i] == 0) continue;
        if (v->action[i] == POLICY_FAIL) return fail_row(s, raw, i, err);
        if (v->action[i] == POLICY_QUARANTINE) quarantine_row(s, raw, i);
    }
    if (v->nkeep > 0) {
        Batch kept = v->out;
        kept.sel = v->keep_sel;
        kept.count = v->nkeep;
        kept.owned = NULL;
        memtable_append(&s->staged, &kept);
        s->stored += v->nkeep;
    }
    s->rows_seen += raw->count;
    return true;
}

/* ---- binding ---- */

void contract_copy_text_columns(const CatalogTable *t, const SqlOption *opts, int nopts, const int *idx, int n,
                                LogicalType *types)
{
    for (int i = 0; i < nopts; i++)
        if (!strcmp(opts[i].name, "on_error") || !strcmp(opts[i].name, "rejects") || !strcmp(opts[i].name, "ignore_errors"))
            return;
    const TableContract *c = t->contract;
    for (int i = 0; i < n; i++) {
        const ContractRule *type_rule = &c->rules[idx[i]]; /* contract_new: the type rules come first, in column order */
        if (type_rule->kind == RULE_TYPE && type_rule->policy != POLICY_FAIL) types[i] = type_make(TYPE_VARCHAR);
    }
}

static Scope converted_scope(Binder *b, const CatalogTable *t)
{
    Scope s;
    s.ncols = t->ncols;
    s.cols = arena_calloc(b->arena, sizeof(ScopeColumn) * (size_t)(t->ncols + 1));
    for (int i = 0; i < t->ncols; i++) {
        s.cols[i].table = t->name;
        s.cols[i].name = t->cols[i].name;
        s.cols[i].type = t->cols[i].type;
        s.cols[i].index = i;
    }
    return s;
}

/* Conversion of raw column c to the column's type. */
static Expr *bind_conversion(Binder *b, const CatalogTable *t, int c, LogicalType raw, Error *err)
{
    Expr *e = expr_column(b, c, raw);
    Error first = ERROR_INIT;
    Expr *conv = bind_coerce(b, e, t->cols[c].type, COERCE_ASSIGNMENT, &first);
    if (conv) return conv;
    if (raw.id == TYPE_VARCHAR) /* text is read with the type's input function, as COPY does */
        conv = bind_coerce(b, expr_column(b, c, raw), t->cols[c].type, COERCE_EXPLICIT, err);
    if (conv) return conv;
    char want[48], have[48];
    return error_set(err, ERR_SQL, "column \"%s\" is of type %s but expression is of type %s", t->cols[c].name,
                     type_name(t->cols[c].type, want, sizeof want), type_name(raw, have, sizeof have)),
           NULL;
}

/* The referenced keys of a FOREIGN KEY rule, from the referenced table now
 * (or the lake dataset's committed keys). */
static bool reference_keys(StmtContext *sc, const ContractRule *rule, LakeKeys *lake, KeySet *set, Error *err)
{
    if (rule->ref_lake) {
        ContractLakeDataset d;
        if (!contract_lake_open(&sc->binder, rule->ref_table, -1, false, &d, err) ||
            !contract_lake_read_keys(sc, &d, rule->ref_columns, rule->ncolumns, NULL, 0, lake, err)) {
            error_prefix(err, "foreign key \"%s\"", rule->name);
            return false;
        }
        return true;
    }
    CatalogTable *ref = catalog_find_table(&sc->session->catalog, rule->ref_table);
    if (ref == NULL)
        return error_set(err, ERR_SQL, "relation \"%s\" referenced by constraint \"%s\" does not exist", rule->ref_table,
                         rule->name);
    int cols[64];
    if (rule->ncolumns > 64) return error_set(err, ERR_SQL, "foreign key \"%s\" has too many columns", rule->name);
    for (int k = 0; k < rule->ncolumns; k++) {
        cols[k] = -1;
        for (int c = 0; c < ref->ncols; c++)
            if (strcmp(ref->cols[c].name, rule->ref_columns[k]) == 0) cols[k] = c;
        if (cols[k] < 0)
            return error_set(err, ERR_SQL, "column \"%s\" of relation \"%s\" referenced by constraint \"%s\" does not exist",
                             rule->ref_columns[k], ref->name, rule->name);
    }
    validator_reference_keys(set, &ref->data, cols, rule->ncolumns);
    return true;
}

/* unique_scope = 'lake': the keys of UNIQUE rule r already in the table's
 * lake dataset (none if it does not exist yet), and with overwrite_partitions
 * the table columns of its partition columns (*part_cols, set once). */
static bool lake_unique_keys(StmtContext *sc, const CatalogTable *t, const ContractRule *rule, LakeKeys *out,
                             int **part_cols, int *npart, Error *err)
{
    const TableContract *c = t->contract;
    Binder *b = &sc->binder;
    const char *name = c->lake_dataset ? c->lake_dataset : t->name;
    ContractLakeDataset d;
    if (!contract_lake_open(b, name, -1, true, &d, err)) return false;
    if (d.scan == NULL) return true;
    char **keys = arena_calloc(b->arena, sizeof(char *) * (size_t)(rule->ncolumns + 1));
    for (int k = 0; k < rule->ncolumns; k++) {
        keys[k] = t->cols[rule->columns[k]].name;
        if (contract_lake_column(&d, keys[k]) < 0)
            return error_set(err, ERR_SQL,
                             "column \"%s\" of constraint \"%s\" does not exist in lake dataset \"lake.%s\" "
                             "(unique_scope = 'lake')",
                             keys[k], rule->name, name);
    }
    int np = c->lake_overwrite_partitions ? d.files.nkeys : 0;
    if (np > 0 && *part_cols == NULL) {
        int *cols = arena_calloc(b->arena, sizeof(int) * (size_t)(np + 1));
        for (int k = 0; k < np; k++) {
            cols[k] = -1;
            for (int col = 0; col < t->ncols; col++)
                if (strcmp(t->cols[col].name, d.files.keys[k]) == 0) cols[k] = col;
            if (cols[k] < 0)
                return error_set(err, ERR_SQL,
                                 "lake_mode = 'overwrite_partitions' needs the partition column \"%s\" of lake dataset "
                                 "\"lake.%s\" as a column of table \"%s\"",
                                 d.files.keys[k], name, t->name);
        }
        *part_cols = cols;
        *npart = np;
    }
    if (!contract_lake_read_keys(sc, &d, keys, rule->ncolumns, (char *const *)d.files.keys, np, out, err)) return false;
    return true;
}

static bool check_thresholds(const TableContract *c, const ValidatorCounts *k, Error *err)
{
    uint64_t bad = k->dropped + k->quarantined;
    if (c->max_errors >= 0 && bad > (uint64_t)c->max_errors)
        return error_set(err, ERR_DATA,
                         "%" PRIu64 " of %" PRIu64 " rows broke the contract of table \"%s\", more than max_errors = %" PRId64
                         " allows; nothing was inserted",
                         bad, k->rows_in, c->table, c->max_errors);
    if (c->max_error_rate >= 0 && k->rows_in > 0 && (double)bad / (double)k->rows_in > c->max_error_rate)
        return error_set(err, ERR_DATA,
                         "%" PRIu64 " of %" PRIu64 " rows (%.4g%%) broke the contract of table \"%s\", more than "
                         "max_error_rate = %g allows; nothing was inserted",
                         bad, k->rows_in, 100.0 * (double)bad / (double)k->rows_in, c->table, c->max_error_rate);
    return true;
}

/* When a lake is in use (lake_root was set, or its folder exists), the statement's
 * quarantine is appended to the dataset <lake_root>/_quarantine/<table>
 * through the lake's commit protocol (Parquet), before the table's rows
 * are stored: if the commit fails, the statement inserts nothing. */
static bool persist_quarantine(StmtContext *sc, CatalogTable *t, Quarantine *q, Error *err)
{
    const char *root = sc->session->settings.lake_root;
    if (root == NULL || (!sc->session->settings.lake_root_set && !fs_exists(root))) return true;
    Binder *b = &sc->binder;
    const MemTable *rows = quarantine_table(q);
    PlanNode *scan = plan_new(b, PLAN_TABLE_SCAN, rows->ncols);
    scan->table = (MemTable *)rows;
    for (int i = 0; i < rows->ncols; i++) {
        scan->types[i] = rows->types[i];
        scan->names[i] = q->names[i];
    }
    size_t len = strlen(root);
    while (len > 1 && root[len - 1] == '/') len--;
    char *target = arena_sprintf(b->arena, "%.*s/_quarantine/%s", (int)len, root, t->name);
    SqlOption mode = {"mode", "append", true, -1};
    if (copy_dataset_write(sc, scan, target, &mode, 1, err)) return true;
    error_prefix(err, "writing the quarantine of \"%s\" to %s", t->name, target);
    return false;
}

bool contract_insert(StmtContext *sc, CatalogTable *t, PlanNode *src, const int *idx, int n, uint64_t *stored,
                     Error *err)
{
    Binder *b = &sc->binder;
    const TableContract *c = t->contract;
    bool lineage = add_lineage(b, src);
    /* the raw rows: the source's values in the table's column order, before conversion */
    int nraw = t->ncols + (lineage ? 2 : 0);
    Expr **exprs = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(nraw + 1));
    char **names = arena_calloc(b->arena, sizeof(char *) * (size_t)(nraw + 1));
    for (int col = 0; col < t->ncols; col++) {
        names[col] = t->cols[col].name;
        exprs[col] = NULL;
        for (int i = 0; i < n; i++)
            if (idx[i] == col) exprs[col] = expr_column(b, i, src->types[i]);
        if (exprs[col] == NULL && (exprs[col] = contract_bind_default(b, t, col, err)) == NULL) return false;
        if (exprs[col]->type.id == TYPE_NULL) exprs[col] = expr_const(b, value_null(t->cols[col].type), -1);
    }
    if (lineage) {
        exprs[t->ncols] = expr_column(b, src->ncols - 2, src->types[src->ncols - 2]);
        exprs[t->ncols + 1] = expr_column(b, src->ncols - 1, src->types[src->ncols - 1]);
        names[t->ncols] = src->names[src->ncols - 2];
        names[t->ncols + 1] = src->names[src->ncols - 1];
    }
    PlanNode *plan = plan_project(b, src, nraw, exprs, names);
    /* what the validator evaluates */
    Expr **casts = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(t->ncols + 1));
    LogicalType *types = arena_calloc(b->arena, sizeof(LogicalType) * (size_t)(t->ncols + 1));
    for (int col = 0; col < t->ncols; col++) {
        types[col] = t->cols[col].type;
        if ((casts[col] = bind_conversion(b, t, col, plan->types[col], err)) == NULL) return false;
    }
    Expr **checks = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(c->nrules + 1));
    const KeySet **refs = arena_calloc(b->arena, sizeof(KeySet *) * (size_t)(c->nrules + 1));
    KeySet *ref_sets = mem_calloc((size_t)c->nrules + 1, sizeof(KeySet));
    LakeKeys *lake_keys = mem_calloc((size_t)c->nrules + 1, sizeof(LakeKeys));
    const LakeKeys **lake_unique = arena_calloc(b->arena, sizeof(LakeKeys *) * (size_t)(c->nrules + 1));
    int *lake_part_cols = NULL, nlake_part = 0;
    Scope scope = converted_scope(b, t);
    bool ok = true;
    for (int r = 0; r < c->nrules && ok; r++) {
        const ContractRule *rule = &c->rules[r];
        if (rule->kind == RULE_CHECK) {
            checks[r] = contract_bind_text(b, rule->check_sql, &scope, "CHECK", err);
            if (checks[r] == NULL) {
                error_prefix(err, "check constraint \"%s\"", rule->name);
                ok = false;
            }
        } else if (rule->kind == RULE_FOREIGN_KEY) {
            ok = reference_keys(sc, rule, &lake_keys[r], &ref_sets[r], err);
            refs[r] = rule->ref_lake ? &lake_keys[r].keys : &ref_sets[r];
        } else if (rule->kind == RULE_UNIQUE && c->unique_in_lake) {
            ok = lake_unique_keys(sc, t, rule, &lake_keys[r], &lake_part_cols, &nlake_part, err);
            lake_unique[r] = &lake_keys[r];
        }
    }
    if (!ok) {
        for (int r = 0; r < c->nrules; r++) {
            key_set_destroy(&ref_sets[r]);
            contract_lake_keys_destroy(&lake_keys[r]);
        }
        mem_free(ref_sets);
        mem_free(lake_keys);
        return false;
    }
    ValidatorSpec spec = {c, types, casts, checks, refs, lake_unique, lake_part_cols, nlake_part,
                          c->lake_dataset ? c->lake_dataset : t->name};
    ContractSink s;
    memset(&s, 0, sizeof s);
    s.sink.batch = contract_sink_batch;
    s.sc = sc;
    s.table = t;
    s.lineage = lineage;
    s.now = quarantine_now_micros();
    s.offsets = mem_calloc((size_t)t->ncols + 1, sizeof(uint32_t));
    validator_init(&s.v, &spec);
    validator_seed(&s.v, &t->data);
    memtable_init(&s.staged, t->ncols, t->data.types);
    quarantine_init(&s.quarantine, t->ncols, c->col_names);
    uint64_t rows = 0;
    ok = session_run_plan(sc, plan, &s.sink, &rows, err) && check_thresholds(c, &s.v.counts, err);
    /* everything at once: the quarantine in the lake, the table's new rows (stmt_store_rows also profiles
     * them), the quarantined rows in the session */
    if (ok && quarantine_rows(&s.quarantine) > 0) ok = persist_quarantine(sc, t, &s.quarantine, err);
    if (ok) ok = stmt_store_rows(sc, t, &s.staged, err);
    if (ok) {
        if (quarantine_rows(&s.quarantine) > 0) {
            if (t->quarantine == NULL) {
                t->quarantine = mem_calloc(1, sizeof(Quarantine));
                quarantine_init(t->quarantine, t->ncols, c->col_names);
            }
            quarantine_move(t->quarantine, &s.quarantine);
        }
        *stored = s.stored;
        const ValidatorCounts *k = &s.v.counts;
        if (contract_is_declared(c)) /* a table of plain columns only gets its profile in the report */
            quality_report_table_counts(&sc->session->quality, t->name, (int64_t)k->rows_in, (int64_t)k->passed,
                                        (int64_t)k->dropped, (int64_t)k->quarantined, (int64_t)k->warned);
        for (int r = 0; r < c->nrules; r++)
            if (k->rule_rows[r] > 0)
                quality_report_rule_count(&sc->session->quality, t->name, c->rules[r].name, (int64_t)k->rule_rows[r]);
    }
    validator_destroy(&s.v);
    memtable_destroy(&s.staged);
    quarantine_destroy(&s.quarantine);
    strbuf_free(&s.text);
    strbuf_free(&s.rules);
    strbuf_free(&s.message);
    mem_free(s.offsets);
    for (int r = 0; r < c->nrules; r++) {
        key_set_destroy(&ref_sets[r]);
        contract_lake_keys_destroy(&lake_keys[r]);
    }
    mem_free(ref_sets);
    mem_free(lake_keys);
    return ok;
}
