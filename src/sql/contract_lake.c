/* contract_lake: the keys a contract reads from the lake, for
 * `REFERENCES lake.<name> (cols)` and for UNIQUE / PRIMARY KEY with
 * `unique_scope = 'lake'` (see stmt_contract.h and docs/quality.md).
 *
 * How: the dataset <lake_root>/<name> is read as `lake.<name>` reads it
 * (lake/dataset.h: the files of its latest commit, never staged ones),
 * through a projection onto the key columns only, so that the optimizer
 * prunes every other column out of the scan.  When every key column is a
 * partition column, no file is opened at all: the keys are the partition
 * values in the files' paths (kiln's writer writes no empty files).  A
 * committed kiln dataset with no files (an overwrite with no rows) has no
 * keys; a folder that does not exist is an error.
 *
 * Memory: the plan in the binder's arena; the keys in the caller's KeySets
 * (every distinct key of the dataset once, plus 16 bytes per slot). */
#include <string.h>

#include "common/mem.h"
#include "io/fs.h"
#include "lake/lake_txn.h"
#include "sql/bind_dataset.h"
#include "sql/stmt_contract.h"

/* Every format a lake dataset may hold (as lake.<name> lists them). */
static const char *const lake_extensions[] = {".parquet", ".pq", ".csv", ".tsv", ".json", ".jsonl", ".ndjson", NULL};

bool contract_lake_open(Binder *b, const char *name, int pos, bool missing_ok, ContractLakeDataset *out, Error *err)
{
    memset(out, 0, sizeof *out);
    const char *root = b->lake_root ? b->lake_root : "lake";
    size_t n = strlen(root);
    while (n > 1 && root[n - 1] == '/') n--;
    char *path = arena_sprintf(b->arena, "%.*s/%s", (int)n, root, name);
    out->name = name;
    out->path = path;
    if (!dataset_path_is_folder(path)) {
        if (missing_ok) return true;
        return error_set_at(err, ERR_SQL, pos,
                            "lake dataset \"lake.%s\" does not exist (no dataset folder \"%s\"; SET lake_root to change "
                            "where datasets are looked for)",
                            name, path);
    }
    FsPathList live = {0};
    bool is_kiln = false;
    if (!lake_snapshot_files(path, &live, &is_kiln, err)) {
        fs_path_list_free(&live);
        return false;
    }
    bool empty = is_kiln && live.count == 0;
    fs_path_list_free(&live);
    if (empty) return true; /* committed, no rows: no keys */
    DatasetOptions o;
    memset(&o, 0, sizeof o);
    o.extensions = lake_extensions;
    if (!bind_dataset_list(b, path, &o, pos, &out->files, err)) return false;
    return bind_lake_table(b, name, pos, &out->scan, err);
}

int contract_lake_column(const ContractLakeDataset *d, const char *name)
{
    for (int c = 0; d->scan && c < d->scan->ncols; c++)
        if (strcmp(d->scan->names[c], name) == 0) return c;
    return -1;
}

/* Index of partition key `name` of the dataset's files, -1 if it is none. */
static int partition_key(const ContractLakeDataset *d, const char *name)
{
    for (int k = 0; k < d->files.nkeys; k++)
        if (strcmp(d->files.keys[k], name) == 0) return k;
    return -1;
}

typedef struct KeySink {
    ResultSink sink;
    int nkey, npart;          /* the plan's columns: nkey key columns, then npart partition columns */
    int *key_cols, *part_cols;
    LakeKeys *out;
    StrBuf key, part;
} KeySink;

/* The id of the partition encoded in part (a new one if not seen yet). */
static uint32_t partition_id(LakeKeys *out, const StrBuf *part)
{
    uint32_t id;
    if (key_map_get(&out->partitions, part->data, part->len, &id)) return id;
    id = out->npartitions++;
    key_map_put(&out->partitions, part->data, part->len, id);
    return id;
}

static bool key_sink_batch(ResultSink *sink, const Batch *b, Error *err)
{
    (void)err;
    KeySink *s = (KeySink *)sink;
    for (uint32_t i = 0; i < b->count; i++) {
        uint32_t row = batch_row(b, i);
        if (!key_encode(b->cols, s->key_cols, s->nkey, row, &s->key)) continue; /* a NULL key matches nothing */
        uint32_t id = 0;
        if (s->npart) {
            key_encode_nullable(b->cols, s->part_cols, s->npart, row, &s->part);
            id = partition_id(s->out, &s->part);
        }
        key_map_put(&s->out->keys, s->key.data, s->key.len, id);
    }
    return true;
}

/* Keys that are all partition columns: read from the files' paths. */
static void keys_from_paths(const ContractLakeDataset *d, const int *key_of, int nkey, LakeKeys *out)
{
    Vector *vecs = mem_calloc((size_t)nkey + 1, sizeof(Vector));
    Vector **cols = mem_calloc((size_t)nkey + 1, sizeof(Vector *));
    int *which = mem_calloc((size_t)nkey + 1, sizeof(int));
    for (int k = 0; k < nkey; k++) {
        vector_init(&vecs[k], d->files.key_types[key_of[k]], 1);
        cols[k] = &vecs[k];
        which[k] = k;
    }
    StrBuf key = STRBUF_INIT;
    for (int f = 0; f < d->files.nfiles; f++) {
        for (int k = 0; k < nkey; k++) {
            vector_reset(&vecs[k]);
            value_to_vector(&d->files.values[(size_t)f * (size_t)d->files.nkeys + (size_t)key_of[k]], &vecs[k], 0);
        }
        if (key_encode(cols, which, nkey, 0, &key)) key_map_put(&out->keys, key.data, key.len, 0);
    }
    strbuf_free(&key);
    for (int k = 0; k < nkey; k++) vector_destroy(&vecs[k]);
    mem_free(vecs);
    mem_free(cols);
    mem_free(which);
}

bool contract_lake_read_keys(StmtContext *sc, const ContractLakeDataset *d, char *const *key_names, int nkey,
                             char *const *part_names, int npart, LakeKeys *out, Error *err)
{
    Binder *b = &sc->binder;
    if (d->scan == NULL) return true; /* an empty dataset */
    int *key_of = arena_calloc(b->arena, sizeof(int) * (size_t)(nkey + 1));
    bool all_partitions = npart == 0;
    for (int k = 0; k < nkey; k++) {
        key_of[k] = partition_key(d, key_names[k]);
        all_partitions &= key_of[k] >= 0;
    }
    if (all_partitions) {
        keys_from_paths(d, key_of, nkey, out);
        return true;
    }
    int n = nkey + npart;
    Expr **exprs = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(n + 1));
    char **names = arena_calloc(b->arena, sizeof(char *) * (size_t)(n + 1));
    for (int i = 0; i < n; i++) {
        const char *name = i < nkey ? key_names[i] : part_names[i - nkey];
        int c = contract_lake_column(d, name);
        if (c < 0)
            return error_set(err, ERR_SQL, "column \"%s\" does not exist in lake dataset \"lake.%s\"", name, d->name);
        exprs[i] = expr_column(b, c, d->scan->types[c]);
        names[i] = d->scan->names[c];
    }
    PlanNode *plan = plan_project(b, d->scan, n, exprs, names);
    KeySink s;
    memset(&s, 0, sizeof s);
    s.sink.batch = key_sink_batch;
    s.nkey = nkey;
    s.npart = npart;
    s.key_cols = arena_calloc(b->arena, sizeof(int) * (size_t)(n + 1));
    s.part_cols = s.key_cols + nkey;
    for (int i = 0; i < n; i++) s.key_cols[i] = i;
    s.out = out;
    uint64_t rows = 0;
    bool ok = session_run_plan(sc, plan, &s.sink, &rows, err);
    strbuf_free(&s.key);
    strbuf_free(&s.part);
    if (!ok) error_prefix(err, "reading the keys of lake dataset \"lake.%s\"", d->name);
    return ok;
}

void contract_lake_keys_destroy(LakeKeys *k)
{
    key_set_destroy(&k->keys);
    key_set_destroy(&k->partitions);
    memset(k, 0, sizeof *k);
}
