/* bind_lake_commits: lake_commits('dir') reads every commit record of a
 * kiln dataset (the JSON files of dir/_kiln/commits) at bind time and returns one row
 * per version as a VALUES plan of constants.  It only reads: an interrupted
 * commit is listed as it was recorded, without being rolled forward.
 * Memory: one record at a time; the rows live in the binder's arena. */
#include "sql/bind_lake_commits.h"

#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "io/fs.h"
#include "lake/commit_record.h"
#include "lake/lake_internal.h"
#include "types/datetime.h"
#include "types/value.h"

enum { NCOLS = 12 };

static Expr *text_const(Binder *b, const char *s)
{
    if (s == NULL) return expr_const(b, value_null(type_make(TYPE_VARCHAR)), -1);
    const char *copy = arena_strdup(b->arena, s);
    return expr_const(b, value_varchar(copy, (uint32_t)strlen(copy)), -1);
}

static Expr *timestamp_const(Binder *b, const char *iso)
{
    Value v = value_null(type_make(TYPE_TIMESTAMP));
    Error ignored = ERROR_INIT;
    int64_t ts;
    if (iso && datetime_parse_timestamp(iso, strlen(iso), &ts, &ignored)) {
        v.is_null = false;
        v.u.i64 = ts;
    }
    return expr_const(b, v, -1);
}

/* One row of figures for a record. */
static Expr **record_row(Binder *b, const CommitRecord *r)
{
    Expr **row = arena_calloc(b->arena, sizeof(Expr *) * (NCOLS + 1));
    int64_t rows_added, bytes_added, live_rows, live_bytes;
    lake_file_list_totals(&r->added, &rows_added, &bytes_added);
    lake_file_list_totals(&r->live, &live_rows, &live_bytes);
    int c = 0;
    row[c++] = expr_const(b, value_bigint(r->version), -1);
    row[c++] = text_const(b, r->run_id);
    row[c++] = text_const(b, r->mode);
    row[c++] = text_const(b, r->job);
    row[c++] = text_const(b, r->logical_date);
    row[c++] = timestamp_const(b, r->committed_at);
    row[c++] = expr_const(b, value_bigint(r->added.count), -1);
    row[c++] = expr_const(b, value_bigint(r->removed.count), -1);
    row[c++] = expr_const(b, value_bigint(rows_added), -1);
    row[c++] = expr_const(b, value_bigint(bytes_added), -1);
    row[c++] = expr_const(b, value_bigint(r->live.count), -1);
    row[c++] = expr_const(b, value_bigint(live_rows), -1);
    return row;
}

bool bind_lake_commits(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                       Error *err)
{
    int pos = bind_pos(b, fc->location);
    char *root;
    SqlOption *opts;
    int nopts;
    if (!table_function_args(b, fc, "lake_commits", &root, &opts, &nopts, err)) return false;
    if (nopts > 0) return error_set_at(err, ERR_SQL, opts[0].pos, "lake_commits: option \"%s\" not recognized", opts[0].name);
    if (ncoldefs > 0) return error_set_at(err, ERR_SQL, pos, "lake_commits does not take a column definition list");

    /* the versions present, in order (names are 20 digits, so byte order is numeric order) */
    char *commits_dir = lake_join(root, "_kiln/commits");
    FsPathList names = {0};
    bool ok = fs_list_dir(commits_dir, &names, err);
    mem_free(commits_dir);
    if (ok && names.count == 0 && !fs_exists(root))
        ok = error_set(err, ERR_IO, "could not open dataset \"%s\": No such file or directory", root);
    if (!ok) {
        fs_path_list_free(&names);
        if (err->sql_pos < 0) err->sql_pos = pos;
        return false;
    }
    static const char *const col_names[NCOLS] = {"version",     "run_id",       "mode",          "job",
                                                 "logical_date", "committed_at", "files_added",   "files_removed",
                                                 "rows_added",  "bytes_added",  "live_files",    "live_rows"};
    PlanNode *p = plan_new(b, PLAN_VALUES, NCOLS);
    for (int i = 0; i < NCOLS; i++) {
        p->names[i] = arena_strdup(b->arena, col_names[i]);
        p->types[i] = type_make(TYPE_BIGINT);
    }
    for (int i = 1; i <= 4; i++) p->types[i] = type_make(TYPE_VARCHAR);
    p->types[5] = type_make(TYPE_TIMESTAMP);
    p->rows = arena_calloc(b->arena, sizeof(Expr **) * ((size_t)names.count + 1));
    p->nrows = 0;
    for (int i = 0; ok && i < names.count; i++) {
        const char *name = names.paths[i];
        size_t n = strlen(name);
        if (n != 25 || strspn(name, "0123456789") != 20 || strcmp(name + 20, ".json") != 0) continue;
        CommitRecord r;
        ok = lake_read_record(root, strtoll(name, NULL, 10), &r, err);
        if (!ok) break;
        p->rows[p->nrows++] = record_row(b, &r);
        commit_record_free(&r);
    }
    fs_path_list_free(&names);
    if (!ok) {
        if (err->sql_pos < 0) err->sql_pos = pos;
        return false;
    }
    *out = p;
    return true;
}
