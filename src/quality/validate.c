/* validate: the vectorised validation of a batch against a contract (the
 * algorithm and memory are described in validate.h). */
#include "quality/validate.h"

#include <string.h>

#include "common/mem.h"
#include "exec/expr_eval.h"
#include "types/cast.h"

void validator_init(Validator *v, const ValidatorSpec *spec)
{
    memset(v, 0, sizeof *v);
    v->spec = *spec;
    const TableContract *c = spec->contract;
    v->ncols = c->ncols;
    v->nrules = c->nrules;
    v->cast_states = mem_calloc((size_t)v->ncols + 1, sizeof *v->cast_states);
    v->check_states = mem_calloc((size_t)v->nrules + 1, sizeof *v->check_states);
    v->own = mem_calloc((size_t)v->ncols + 1, sizeof(Vector));
    for (int i = 0; i < v->ncols; i++) {
        v->cast_states[i] = expr_state_build(spec->casts[i]);
        vector_init(&v->own[i], spec->types[i], VECTOR_CAPACITY);
    }
    for (int r = 0; r < v->nrules; r++)
        if (c->rules[r].kind == RULE_CHECK && spec->checks[r]) v->check_states[r] = expr_state_build(spec->checks[r]);
    v->unique_keys = mem_calloc((size_t)v->nrules + 1, sizeof(KeySet));
    v->replaced = mem_calloc((size_t)v->nrules + 1, sizeof(uint8_t *));
    for (int r = 0; r < v->nrules; r++)
        if (spec->lake_unique && spec->lake_unique[r])
            v->replaced[r] = mem_calloc((size_t)spec->lake_unique[r]->npartitions + 1, 1);
    batch_init_borrowed(&v->out, v->ncols);
    size_t cells = (size_t)VECTOR_CAPACITY * (size_t)(v->nrules + 1);
    v->broken = mem_calloc(cells, 1);
    v->error_text = mem_calloc(cells, sizeof(char *));
    v->nbroken = mem_calloc(VECTOR_CAPACITY, 1);
    v->action = mem_calloc(VECTOR_CAPACITY, sizeof *v->action);
    v->keep_sel = mem_calloc(VECTOR_CAPACITY, sizeof *v->keep_sel);
    v->counts.rule_rows = mem_calloc((size_t)v->nrules + 1, sizeof(uint64_t));
    arena_init(&v->messages, 16 * 1024);
}

void validator_destroy(Validator *v)
{
    for (int i = 0; i < v->ncols; i++) {
        expr_state_free(v->cast_states[i]);
        vector_destroy(&v->own[i]);
    }
    for (int r = 0; r < v->nrules; r++) {
        if (v->check_states[r]) expr_state_free(v->check_states[r]);
        key_set_destroy(&v->unique_keys[r]);
        mem_free(v->replaced[r]);
    }
    mem_free(v->replaced);
    strbuf_free(&v->part);
    mem_free(v->cast_states);
    mem_free(v->check_states);
    mem_free(v->own);
    mem_free(v->unique_keys);
    batch_destroy(&v->out);
    mem_free(v->broken);
    mem_free(v->error_text);
    mem_free(v->nbroken);
    mem_free(v->action);
    mem_free(v->keep_sel);
    mem_free(v->counts.rule_rows);
    strbuf_free(&v->key);
    arena_destroy(&v->messages);
    memset(v, 0, sizeof *v);
}

void validator_reference_keys(KeySet *set, const MemTable *rows, const int *cols, int ncols)
{
    StrBuf key = STRBUF_INIT;
    for (int k = 0; k < rows->nchunks; k++) {
        const Batch *b = &rows->chunks[k];
        for (uint32_t i = 0; i < b->count; i++)
            if (key_encode(b->cols, cols, ncols, batch_row(b, i), &key)) key_set_insert(set, key.data, key.len);
    }
    strbuf_free(&key);
}

void validator_seed(Validator *v, const MemTable *rows)
{
    const TableContract *c = v->spec.contract;
    for (int r = 0; r < v->nrules; r++)
        if (c->rules[r].kind == RULE_UNIQUE)
            validator_reference_keys(&v->unique_keys[r], rows, c->rules[r].columns, c->rules[r].ncolumns);
}

static void mark(Validator *v, uint32_t i, int r, const char *text)
{
    size_t cell = (size_t)i * (size_t)v->nrules + (size_t)r;
    if (v->broken[cell]) return;
    v->broken[cell] = 1;
    if (text) v->error_text[cell] = arena_strdup(&v->messages, text);
    if (v->nbroken[i] < 255) v->nbroken[i]++;
    ViolationPolicy p = v->spec.contract->rules[r].policy;
    if (v->nbroken[i] == 1 || p > v->action[i]) v->action[i] = p;
}

/* Evaluate state over each logical row of in on its own; rows that raise an
 * error break rule r; the others' values go to slot i of dst. */
static void eval_rows(Validator *v, struct ExprState *state, const Batch *in, Vector *dst, int r)
{
    vector_reset(dst);
    for (uint32_t i = 0; i < in->count; i++) {
        Batch one = *in;
        uint32_t slot = batch_row(in, i);
        one.sel = &slot;
        one.count = 1;
        one.owned = NULL;
        Error e = ERROR_INIT;
        Vector *res = expr_eval(state, &one, &e);
        if (res == NULL) {
            vector_set_null(dst, i);
            mark(v, i, r, e.message);
        } else {
            vector_copy(dst, i, res, NULL, 1);
        }
    }
}

/* Steps 1 and 2: conversion and NOT NULL. */
static void convert(Validator *v, const Batch *raw)
{
    const TableContract *c = v->spec.contract;
    for (int col = 0; col < v->ncols; col++) {
        Error e = ERROR_INIT;
        Vector *res = expr_eval(v->cast_states[col], raw, &e);
        if (res == NULL) {
            int type_rule = -1;
            for (int r = 0; r < v->nrules && type_rule < 0; r++)
                if (c->rules[r].kind == RULE_TYPE && c->rules[r].columns[0] == col) type_rule = r;
            eval_rows(v, v->cast_states[col], raw, &v->own[col], type_rule);
            res = &v->own[col];
        }
        v->out.cols[col] = res;
    }
}

static void check_not_null(Validator *v, int r, uint32_t n)
{
    int col = v->spec.contract->rules[r].columns[0];
    const Vector *vec = v->out.cols[col];
    if (vec->validity == NULL) return;
    int type_rule = col; /* the type rules come first, one per column (contract_new) */
    for (uint32_t i = 0; i < n; i++)
        if (!vector_is_valid(vec, i) && !validator_broke(v, i, type_rule)) mark(v, i, r, NULL);
}

static void check_expression(Validator *v, int r, uint32_t n)
{
    Error e = ERROR_INIT;
    Vector *res = expr_eval(v->check_states[r], &v->out, &e);
    Vector scratch;
    if (res == NULL) {
        vector_init(&scratch, type_make(TYPE_BOOLEAN), VECTOR_CAPACITY);
        eval_rows(v, v->check_states[r], &v->out, &scratch, r);
        res = &scratch;
    }
    const bool *val = VEC_DATA(res, bool);
    for (uint32_t i = 0; i < n; i++)
        if (vector_is_valid(res, i) && !val[i]) mark(v, i, r, NULL);
    if (res == &scratch) vector_destroy(&scratch);
}

#define NO_PARTITION (KEY_MAP_MANY - 1) /* the row goes to a partition the lake dataset does not have */

/* The id (in lake's partitions) of the partition row i goes to. */
static uint32_t row_partition(Validator *v, const LakeKeys *lake, uint32_t i)
{
    key_encode_nullable(v->out.cols, v->spec.lake_part_cols, v->spec.nlake_part_cols, i, &v->part);
    uint32_t id;
    return key_map_get(&lake->partitions, v->part.data, v->part.len, &id) ? id : NO_PARTITION;
}

/* True if the key encoded in v->key is committed in the lake outside the
 * partitions that row i and the statement's kept rows replace. */
static bool taken_in_lake(Validator *v, int r, uint32_t i)
{
    const LakeKeys *lake = v->spec.lake_unique[r];
    uint32_t id;
    if (!key_map_get(&lake->keys, v->key.data, v->key.len, &id)) return false;
    if (v->spec.nlake_part_cols == 0 || id == KEY_MAP_MANY) return true; /* in several partitions: kept safe */
    return id != row_partition(v, lake, i) && !v->replaced[r][id];
}

/* Step 4 for row i: keys (lookups only; kept rows take theirs afterwards). */
static void check_keys(Validator *v, uint32_t i)
{
    const TableContract *c = v->spec.contract;
    for (int r = 0; r < v->nrules; r++) {
        const ContractRule *rule = &c->rules[r];
        if (rule->kind == RULE_UNIQUE) {
            if (!key_encode(v->out.cols, rule->columns, rule->ncolumns, i, &v->key)) continue;
            if (key_set_contains(&v->unique_keys[r], v->key.data, v->key.len)) mark(v, i, r, NULL);
            else if (v->replaced[r] && taken_in_lake(v, r, i)) mark(v, i, r, "lake");
        } else if (rule->kind == RULE_FOREIGN_KEY) {
            const KeySet *ref = v->spec.references[r];
            if (ref && key_encode(v->out.cols, rule->columns, rule->ncolumns, i, &v->key) &&
                !key_set_contains(ref, v->key.data, v->key.len))
                mark(v, i, r, NULL);
        }
    }
}

static void take_keys(Validator *v, uint32_t i)
{
    const TableContract *c = v->spec.contract;
    for (int r = 0; r < v->nrules; r++) {
        const ContractRule *rule = &c->rules[r];
        if (rule->kind != RULE_UNIQUE) continue;
        if (key_encode(v->out.cols, rule->columns, rule->ncolumns, i, &v->key))
            key_set_insert(&v->unique_keys[r], v->key.data, v->key.len);
        if (v->replaced[r] && v->spec.nlake_part_cols > 0) { /* the row's partition will be replaced */
            uint32_t id = row_partition(v, v->spec.lake_unique[r], i);
            if (id < v->spec.lake_unique[r]->npartitions) v->replaced[r][id] = 1;
        }
    }
}

bool validator_run(Validator *v, const Batch *raw, Error *err)
{
    (void)err;
    const uint32_t n = raw->count;
    const TableContract *c = v->spec.contract;
    arena_reset(&v->messages);
    memset(v->broken, 0, (size_t)n * (size_t)v->nrules);
    memset(v->error_text, 0, sizeof(char *) * (size_t)n * (size_t)v->nrules);
    memset(v->nbroken, 0, n);
    v->out.count = n;
    v->out.sel = NULL;
    v->nkeep = 0;
    if (n == 0) return true;
    convert(v, raw);
    for (int r = 0; r < v->nrules; r++) {
        if (c->rules[r].kind == RULE_NOT_NULL) check_not_null(v, r, n);
        else if (c->rules[r].kind == RULE_CHECK && v->check_states[r]) check_expression(v, r, n);
    }
    bool has_keys = false;
    for (int r = 0; r < v->nrules; r++)
        has_keys |= c->rules[r].kind == RULE_UNIQUE || c->rules[r].kind == RULE_FOREIGN_KEY;
    ValidatorCounts *k = &v->counts;
    k->rows_in += n;
    for (uint32_t i = 0; i < n; i++) {
        if (has_keys) check_keys(v, i);
        bool keep = v->nbroken[i] == 0 || v->action[i] == POLICY_WARN;
        if (keep) {
            v->keep_sel[v->nkeep++] = i;
            if (has_keys) take_keys(v, i);
        }
        if (v->nbroken[i] == 0) {
            k->passed++;
            continue;
        }
        for (int r = 0; r < v->nrules; r++)
            if (validator_broke(v, i, r)) k->rule_rows[r]++;
        switch (v->action[i]) {
        case POLICY_WARN: k->warned++; break;
        case POLICY_DROP: k->dropped++; break;
        case POLICY_QUARANTINE: k->quarantined++; break;
        case POLICY_FAIL: k->failed++; break;
        }
    }
    return true;
}

/* "(a, b)=(1, x)" as PostgreSQL's key details print it. */
static void key_detail(const Validator *v, uint32_t i, const ContractRule *rule, StrBuf *out)
{
    const TableContract *c = v->spec.contract;
    strbuf_putc(out, '(');
    for (int k = 0; k < rule->ncolumns; k++) strbuf_printf(out, "%s%s", k ? ", " : "", c->col_names[rule->columns[k]]);
    strbuf_puts(out, ")=(");
    for (int k = 0; k < rule->ncolumns; k++) {
        if (k) strbuf_puts(out, ", ");
        const Vector *vec = v->out.cols[rule->columns[k]];
        if (vector_is_valid(vec, i)) cast_format_value(vec, i, out);
        else strbuf_puts(out, "null");
    }
    strbuf_putc(out, ')');
}

void validator_rule_message(const Validator *v, uint32_t i, int r, StrBuf *out)
{
    const TableContract *c = v->spec.contract;
    const ContractRule *rule = &c->rules[r];
    const char *text = v->error_text[(size_t)i * (size_t)v->nrules + (size_t)r];
    switch (rule->kind) {
    case RULE_TYPE:
        strbuf_puts(out, text ? text : "invalid value");
        strbuf_printf(out, " (column \"%s\")", c->col_names[rule->columns[0]]);
        return;
    case RULE_NOT_NULL:
        strbuf_printf(out, "null value in column \"%s\" of relation \"%s\" violates not-null constraint",
                      c->col_names[rule->columns[0]], c->table);
        return;
    case RULE_CHECK:
        strbuf_printf(out, "new row for relation \"%s\" violates check constraint \"%s\"", c->table, rule->name);
        if (text) strbuf_printf(out, " (%s)", text);
        return;
    case RULE_UNIQUE:
        strbuf_printf(out, "duplicate key value violates unique constraint \"%s\": Key ", rule->name);
        key_detail(v, i, rule, out);
        if (text) strbuf_printf(out, " already exists in lake dataset \"lake.%s\".", v->spec.lake_dataset);
        else strbuf_puts(out, " already exists.");
        return;
    case RULE_FOREIGN_KEY:
        strbuf_printf(out, "insert or update on table \"%s\" violates foreign key constraint \"%s\": Key ", c->table,
                      rule->name);
        key_detail(v, i, rule, out);
        strbuf_printf(out, " is not present in %s \"%s%s\".", rule->ref_lake ? "lake dataset" : "table",
                      rule->ref_lake ? "lake." : "", rule->ref_table);
        return;
    }
}
