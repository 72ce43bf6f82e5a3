/* bind_dataset: the dataset side of read_parquet / read_csv / read_json and
 * tables named lake.<name> (see bind_dataset.h).
 *
 *   SELECT * FROM read_parquet('lake/orders', hive_types => 'year: integer');
 *   SELECT * FROM read_csv('raw/x.csv', hive_partitioning => false);
 *   SELECT * FROM lake.orders WHERE order_date = '2026-11-24';
 *
 * The files and their partition values are settled here, when the
 * statement is bound; the optimizer then drops the partitions the filters
 * rule out (opt_partitions.c) before any file is opened. */
#include "sql/bind_dataset.h"

#include <string.h>
#include <strings.h>

#include "sql/bind_json.h"
#include "sql/bind_parquet.h"

const char *const dataset_parquet_extensions[] = {".parquet", ".pq", NULL};
const char *const dataset_csv_extensions[] = {".csv", ".tsv", ".txt", NULL};
const char *const dataset_json_extensions[] = {".json", ".jsonl", ".ndjson", NULL};
static const char *const any_format_extensions[] = {".parquet", ".pq", ".csv", ".tsv", ".json", ".jsonl", ".ndjson", NULL};

/* hive_types => 'year: integer, dt: date' (the colons are optional). */
static bool parse_hive_types(Binder *b, DatasetOptions *o, const SqlOption *opt, Error *err)
{
    if (!opt->has_value || opt->text[0] == '\0')
        return error_set_at(err, ERR_SQL, opt->pos, "hive_types requires a list such as 'year: integer, dt: date'");
    char *text = arena_strdup(b->arena, opt->text);
    for (char *c = text; *c; c++)
        if (*c == ':') *c = ' ';
    SqlOption cols = *opt;
    cols.name = "columns";
    cols.text = text;
    CsvOptions tmp; /* the CSV binder parses "name type, ..." with PostgreSQL's grammar */
    csv_options_init(&tmp);
    if (!csv_read_option_apply(b, &tmp, &cols, err)) {
        error_prefix(err, "hive_types");
        return false;
    }
    o->ntyped = tmp.ncolumns;
    o->typed_names = tmp.column_names;
    o->typed_types = tmp.column_types;
    return true;
}

bool dataset_option_apply(Binder *b, DatasetOptions *o, const SqlOption *opt, bool *taken, Error *err)
{
    *taken = false;
    if (strcmp(opt->name, "hive_partitioning") == 0) {
        *taken = true;
        if (opt->has_value && strcasecmp(opt->text, "auto") == 0) {
            o->hive = DATASET_HIVE_AUTO;
            return true;
        }
        bool on;
        if (!sql_option_bool(opt, &on, err)) return false;
        o->hive = on ? DATASET_HIVE_ON : DATASET_HIVE_OFF;
        return true;
    }
    if (strcmp(opt->name, "hive_types") == 0) {
        *taken = true;
        if (!parse_hive_types(b, o, opt, err)) return false;
        if (o->hive == DATASET_HIVE_AUTO) o->hive = DATASET_HIVE_ON;
        return true;
    }
    return true;
}

bool bind_dataset_list(Binder *b, const char *path, const DatasetOptions *o, int pos, Dataset *d, Error *err)
{
    if (!dataset_list(path, o, b->arena, d, err)) {
        if (err->sql_pos < 0 && err->file[0] == '\0') err->sql_pos = pos;
        return false;
    }
    return true;
}

ScanDataset *bind_scan_dataset(Binder *b, PlanNode *scan, const Dataset *d)
{
    int nreader = scan->ncols;
    int *key_of = arena_calloc(b->arena, sizeof(int) * ((size_t)nreader + (size_t)d->nkeys + 1));
    char **names = arena_calloc(b->arena, sizeof(char *) * ((size_t)nreader + (size_t)d->nkeys + 1));
    LogicalType *types = arena_calloc(b->arena, sizeof(LogicalType) * ((size_t)nreader + (size_t)d->nkeys + 1));
    for (int c = 0; c < nreader; c++) {
        key_of[c] = -1;
        names[c] = scan->names[c];
        types[c] = scan->types[c];
    }
    int n = nreader;
    for (int k = 0; k < d->nkeys; k++) {
        int same = -1;
        for (int c = 0; c < nreader && same < 0; c++)
            if (strcmp(scan->names[c], d->keys[k]) == 0) same = c;
        /* DuckDB's rule: a key that is also a file column replaces it in place */
        int at = same >= 0 ? same : n++;
        key_of[at] = k;
        names[at] = (char *)d->keys[k];
        types[at] = d->key_types[k];
    }
    ScanDataset *ds = arena_calloc(b->arena, sizeof *ds);
    ds->nfiles = ds->nfiles_listed = d->nfiles;
    ds->paths = d->paths;
    ds->nkeys = d->nkeys;
    ds->keys = d->keys;
    ds->key_types = d->key_types;
    ds->values = d->values;
    ds->nschema = n;
    ds->key_of_column = key_of;
    scan->ncols = n;
    scan->names = names;
    scan->types = types;
    return ds;
}

bool bind_lake_table(Binder *b, const char *name, int pos, PlanNode **out, Error *err)
{
    const char *root = b->lake_root ? b->lake_root : "lake";
    size_t n = strlen(root);
    while (n > 1 && root[n - 1] == '/') n--;
    char *path = arena_sprintf(b->arena, "%.*s/%s", (int)n, root, name);
    if (!dataset_path_is_folder(path))
        return error_set_at(err, ERR_SQL, pos, "relation \"lake.%s\" does not exist (no dataset folder \"%s\"; SET lake_root to change where datasets are looked for)", name, path);
    DatasetOptions o;
    memset(&o, 0, sizeof o);
    o.extensions = any_format_extensions;
    Dataset d;
    if (!bind_dataset_list(b, path, &o, pos, &d, err)) return false;
    const char *format = dataset_format_of(d.paths[0]);
    for (int f = 1; f < d.nfiles; f++) {
        const char *other = dataset_format_of(d.paths[f]);
        if (strcmp(other, format) != 0)
            return error_set_at(err, ERR_SQL, pos, "dataset \"%s\" holds files of two formats: \"%s\" (%s) and \"%s\" (%s)",
                                path, d.paths[0], format, d.paths[f], other);
    }
    if (strcmp(format, "parquet") == 0) return parquet_dataset_plan(b, &d, pos, out, err);
    if (strcmp(format, "json") == 0) {
        JsonOptions jo;
        json_options_init(&jo);
        return json_dataset_plan(b, NULL, &d, &jo, pos, out, err);
    }
    CsvOptions co;
    csv_options_init(&co);
    return csv_dataset_plan(b, NULL, &d, &co, pos, out, err);
}
