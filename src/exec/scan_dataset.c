/* scan_dataset: partition columns of file scans and partition pruning (see
 * scan_dataset.h).
 *
 * Filling: a partition column's vector is filled with the file's value over
 * all VECTOR_CAPACITY slots when the scan moves to a new file, and is only
 * pointed at afterwards, so a batch costs nothing per partition column.
 *
 * Pruning: the files' partition values are laid out as a batch of up to
 * VECTOR_CAPACITY rows (one per file; columns other than partition columns
 * are left NULL pointers, since the usable hints never read them) and each
 * usable hint is evaluated with the ordinary expression evaluator, so a
 * hint means exactly what the filter above the scan means.  Memory: one
 * vector per partition key and one evaluation state per hint at a time. */
#include "exec/scan_dataset.h"

#include <string.h>

#include "common/mem.h"
#include "exec/expr_eval.h"

void dataset_columns_init(DatasetColumns *dc, const ScanDataset *ds, const int *projection, int nout)
{
    memset(dc, 0, sizeof *dc);
    dc->nout = nout;
    dc->read = mem_calloc((size_t)nout + 1, sizeof *dc->read);
    dc->out_source = mem_calloc((size_t)nout + 1, sizeof *dc->out_source);
    dc->parts = mem_calloc((size_t)nout + 1, sizeof *dc->parts);
    dc->file = -1;
    for (int i = 0; i < nout; i++) {
        int sc = projection ? projection[i] : i;
        int key = sc >= 0 && sc < ds->nschema ? ds->key_of_column[sc] : -1;
        if (key >= 0) {
            dc->out_source[i] = -1 - key;
            vector_init(&dc->parts[i], ds->key_types[key], VECTOR_CAPACITY);
        } else {
            dc->out_source[i] = dc->nread;
            dc->read[dc->nread++] = sc;
        }
    }
    batch_init_borrowed(&dc->out, nout);
}

Batch *dataset_columns_output(DatasetColumns *dc, const ScanDataset *ds, int file, Batch *read)
{
    if (file != dc->file && file >= 0 && file < ds->nfiles) {
        for (int i = 0; i < dc->nout; i++) {
            if (dc->out_source[i] >= 0) continue;
            int key = -1 - dc->out_source[i];
            Vector one;
            vector_init(&one, ds->key_types[key], 1);
            value_to_vector(&ds->values[(size_t)file * (size_t)ds->nkeys + (size_t)key], &one, 0);
            vector_reset(&dc->parts[i]);
            vector_broadcast(&dc->parts[i], &one, 0, VECTOR_CAPACITY);
            vector_destroy(&one);
        }
        dc->file = file;
    }
    for (int i = 0; i < dc->nout; i++)
        dc->out.cols[i] = dc->out_source[i] >= 0 ? read->cols[dc->out_source[i]] : &dc->parts[i];
    dc->out.count = read->count;
    /* every slot of a partition vector holds the value, so a selection applies to it too */
    dc->out.sel = read->sel;
    return &dc->out;
}

void dataset_columns_destroy(DatasetColumns *dc)
{
    if (dc->parts)
        for (int i = 0; i < dc->nout; i++)
            if (dc->out_source[i] < 0) vector_destroy(&dc->parts[i]);
    mem_free(dc->parts);
    mem_free(dc->read);
    mem_free(dc->out_source);
    batch_destroy(&dc->out);
    memset(dc, 0, sizeof *dc);
}

int scan_dataset_file_index(const ScanDataset *ds, const char *path)
{
    for (int f = 0; f < ds->nfiles; f++)
        if (ds->paths[f] == path || strcmp(ds->paths[f], path) == 0) return f;
    return -1;
}

typedef struct EmptyScan {
    ExecNode base;
    Batch batch;
} EmptyScan;

static bool empty_next(ExecNode *node, Batch **out, Error *err)
{
    (void)err;
    EmptyScan *s = (EmptyScan *)node;
    s->batch.count = 0;
    *out = &s->batch;
    return true;
}

static void empty_close(ExecNode *node)
{
    EmptyScan *s = (EmptyScan *)node;
    batch_destroy(&s->batch);
    mem_free(s);
}

static const ExecNodeOps empty_ops = {empty_next, empty_close};

ExecNode *scan_dataset_empty_node(const PlanNode *plan, ExecContext *ctx)
{
    (void)ctx;
    EmptyScan *s = mem_calloc(1, sizeof *s);
    s->base.ops = &empty_ops;
    batch_init(&s->batch, plan->ncols, plan->types, 1);
    return &s->base;
}

/* True if e reads at least one column and only partition columns, and has
 * nothing that depends on more than its row (*reads counts the columns). */
static bool reads_only_keys(const Expr *e, const ScanDataset *ds, int *reads)
{
    if (e->kind == EXPR_AGG_REF || e->kind == EXPR_WINDOW_REF) return false;
    if (e->kind == EXPR_COLUMN) {
        if (e->column < 0 || e->column >= ds->nschema || ds->key_of_column[e->column] < 0) return false;
        (*reads)++;
        return true;
    }
    for (int i = 0; i < e->nargs; i++)
        if (e->args[i] && !reads_only_keys(e->args[i], ds, reads)) return false;
    return true;
}

/* AND into keep[from, from + n) the result of hint on the files' rows. */
static void apply_hint(const Expr *hint, Batch *rows, bool *keep, int from)
{
    ExprState *st = expr_state_build(hint);
    Error err = ERROR_INIT;
    Vector *v = expr_eval(st, rows, &err);
    if (v != NULL && v->type.id == TYPE_BOOLEAN) {
        const uint8_t *b = VEC_DATA(v, uint8_t);
        for (uint32_t i = 0; i < rows->count; i++)
            if (!vector_is_valid(v, i) || !b[i]) keep[from + (int)i] = false;
    }
    /* an error (a cast or a division a real row may never reach) prunes nothing */
    expr_state_free(st);
}

void scan_dataset_prune(ScanDataset *ds, Expr *const *hints, int nhints, Arena *arena)
{
    ds->pruned = true;
    if (ds->nkeys == 0 || ds->nfiles == 0 || nhints == 0) return;
    const Expr **usable = mem_calloc((size_t)nhints + 1, sizeof *usable);
    int nusable = 0;
    for (int h = 0; h < nhints; h++) {
        int reads = 0;
        if (hints[h] && reads_only_keys(hints[h], ds, &reads) && reads > 0) usable[nusable++] = hints[h];
    }
    if (nusable == 0) {
        mem_free(usable);
        return;
    }
    bool *keep = mem_alloc(sizeof(bool) * (size_t)ds->nfiles);
    for (int f = 0; f < ds->nfiles; f++) keep[f] = true;
    Batch rows;
    batch_init_borrowed(&rows, ds->nschema);
    Vector *keyvec = mem_calloc((size_t)ds->nkeys + 1, sizeof *keyvec);
    for (int k = 0; k < ds->nkeys; k++) vector_init(&keyvec[k], ds->key_types[k], VECTOR_CAPACITY);
    for (int c = 0; c < ds->nschema; c++)
        if (ds->key_of_column[c] >= 0) rows.cols[c] = &keyvec[ds->key_of_column[c]];
    for (int from = 0; from < ds->nfiles; from += VECTOR_CAPACITY) {
        uint32_t n = (uint32_t)(ds->nfiles - from < VECTOR_CAPACITY ? ds->nfiles - from : VECTOR_CAPACITY);
        for (int k = 0; k < ds->nkeys; k++) {
            vector_reset(&keyvec[k]);
            for (uint32_t i = 0; i < n; i++)
                value_to_vector(&ds->values[(size_t)(from + (int)i) * (size_t)ds->nkeys + (size_t)k], &keyvec[k], i);
        }
        rows.count = n;
        for (int h = 0; h < nusable; h++) apply_hint(usable[h], &rows, keep, from);
    }
    int kept = 0;
    for (int f = 0; f < ds->nfiles; f++) kept += keep[f];
    if (kept < ds->nfiles) {
        const char **paths = arena_calloc(arena, sizeof(char *) * ((size_t)kept + 1));
        Value *values = arena_calloc(arena, sizeof(Value) * ((size_t)kept * (size_t)ds->nkeys + 1));
        int k = 0;
        for (int f = 0; f < ds->nfiles; f++) {
            if (!keep[f]) continue;
            paths[k] = ds->paths[f];
            memcpy(&values[(size_t)k * (size_t)ds->nkeys], &ds->values[(size_t)f * (size_t)ds->nkeys],
                   sizeof(Value) * (size_t)ds->nkeys);
            k++;
        }
        ds->paths = paths;
        ds->values = values;
        ds->nfiles = kept;
    }
    for (int k = 0; k < ds->nkeys; k++) vector_destroy(&keyvec[k]);
    mem_free(keyvec);
    batch_destroy(&rows);
    mem_free(keep);
    mem_free(usable);
}
