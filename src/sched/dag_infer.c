/* dag_infer: finds the datasets of each job by walking its protobuf parse
 * tree generically (every sub-message, like the parser's depth check), and
 * matches writes to reads.  See dag_infer.h for what counts. */
#include "sched/dag_infer.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "job/params.h"
#include "sql/parser.h"

/* Stands for a parameter's value: a string holding it is not a literal path. */
#define PARAM_MARK "\x01param\x01"

typedef struct Found {
    Arena *arena;
    const char *lake;         /* normalised lake root */
    const char *warehouse_file; /* the SQLite warehouse's normalised file, or NULL */
    const char *warehouse_url;  /* the PostgreSQL warehouse URL, or NULL */
    const char **writes, **reads;
    int nwrites, nreads, cap_writes, cap_reads;
} Found;

/* path with ./ and repeated slashes removed and no trailing slash; NULL
 * when it holds a parameter. */
static char *normalise_path(Arena *a, const char *path)
{
    if (strstr(path, PARAM_MARK) || path[0] == '\0') return NULL;
    size_t n = strlen(path);
    char *out = arena_alloc(a, n + 1);
    size_t o = 0;
    const char *scheme = strstr(path, "://");
    size_t keep = scheme ? (size_t)(scheme - path) + 3 : 0; /* s3://bucket: the // is the scheme's */
    memcpy(out, path, keep);
    o = keep;
    for (size_t i = keep; i < n; i++) {
        bool segment_start = o == 0 || out[o - 1] == '/';
        if (path[i] == '/' && o > 0 && out[o - 1] == '/') continue;
        if (segment_start && path[i] == '.' && (path[i + 1] == '/' || path[i + 1] == '\0')) {
            i++; /* skip "./" */
            continue;
        }
        out[o++] = path[i];
    }
    while (o > keep + 1 && out[o - 1] == '/') o--;
    out[o] = '\0';
    return out;
}

/* The dataset name of a literal target or source; NULL if not literal. */
static const char *dataset_of_path(Found *f, const char *text)
{
    if (strncmp(text, "lake:", 5) == 0) {
        const char *name = text + 5;
        while (*name == '/') name++;
        char *norm = normalise_path(f->arena, name);
        return norm && norm[0] ? arena_sprintf(f->arena, "lake:%s", norm) : NULL;
    }
    if (strncmp(text, "warehouse:", 10) == 0) {
        if (strstr(text, PARAM_MARK)) return NULL;
        char *name = arena_strdup(f->arena, text);
        for (char *c = name; *c; c++) *c = (char)tolower((unsigned char)*c);
        return name;
    }
    char *norm = normalise_path(f->arena, text);
    if (norm == NULL) return NULL;
    size_t l = strlen(f->lake);
    if (l > 0 && strncmp(norm, f->lake, l) == 0 && norm[l] == '/' && norm[l + 1] != '\0') {
        return arena_sprintf(f->arena, "lake:%s", norm + l + 1);
    }
    return norm;
}

static void add(Found *f, bool write, const char *dataset)
{
    if (dataset == NULL) return;
    const char ***list = write ? &f->writes : &f->reads;
    int *n = write ? &f->nwrites : &f->nreads;
    int *cap = write ? &f->cap_writes : &f->cap_reads;
    for (int i = 0; i < *n; i++) {
        if (strcmp((*list)[i], dataset) == 0) return;
    }
    if (*n == *cap) {
        int grown = *cap ? *cap * 2 : 8;
        const char **bigger = arena_alloc(f->arena, sizeof *bigger * (size_t)grown);
        if (*n) memcpy(bigger, *list, sizeof *bigger * (size_t)*n);
        *list = bigger;
        *cap = grown;
    }
    (*list)[(*n)++] = dataset;
}

/* The text of a string constant node, NULL otherwise. */
static const char *const_string(const PgQuery__Node *n)
{
    if (n == NULL || n->node_case != PG_QUERY__NODE__NODE_A_CONST) return NULL;
    const PgQuery__AConst *c = n->a_const;
    if (c->isnull || c->val_case != PG_QUERY__A__CONST__VAL_SVAL || c->sval == NULL) return NULL;
    return c->sval->sval;
}

static const char *string_node(const PgQuery__Node *n)
{
    if (n == NULL || n->node_case != PG_QUERY__NODE__NODE_STRING) return NULL;
    return n->string->sval;
}

static bool is_table_name(const char *s)
{
    if (s == NULL || s[0] == '\0') return false;
    for (const char *c = s; *c; c++) {
        if (!isalnum((unsigned char)*c) && *c != '_' && *c != '.') return false;
    }
    return true;
}

static void visit_copy(Found *f, const PgQuery__CopyStmt *c)
{
    if (c->filename == NULL || c->filename[0] == '\0' || c->is_program) return;
    if (c->is_from) {
        add(f, false, dataset_of_path(f, c->filename));
        return;
    }
    bool dataset = strncmp(c->filename, "lake:", 5) == 0 || strncmp(c->filename, "warehouse:", 10) == 0;
    for (size_t i = 0; i < c->n_options && !dataset; i++) {
        const PgQuery__Node *o = c->options[i];
        if (o->node_case != PG_QUERY__NODE__NODE_DEF_ELEM || o->def_elem->defname == NULL) continue;
        const char *name = o->def_elem->defname;
        dataset = strcasecmp(name, "partition_by") == 0 || strcasecmp(name, "mode") == 0;
    }
    if (dataset) add(f, true, dataset_of_path(f, c->filename));
}

static void visit_func(Found *f, const PgQuery__FuncCall *fc)
{
    if (fc->n_funcname == 0 || fc->n_args == 0) return;
    const char *name = string_node(fc->funcname[fc->n_funcname - 1]);
    if (name == NULL) return;
    static const char *const file_readers[] = {"read_parquet", "read_csv", "read_csv_auto", "read_json",
                                               "read_json_auto", "read_ndjson"};
    for (size_t k = 0; k < sizeof file_readers / sizeof file_readers[0]; k++) {
        if (strcasecmp(name, file_readers[k]) != 0) continue;
        const PgQuery__Node *arg = fc->args[0];
        if (arg->node_case == PG_QUERY__NODE__NODE_A_ARRAY_EXPR) {
            for (size_t i = 0; i < arg->a_array_expr->n_elements; i++) {
                const char *s = const_string(arg->a_array_expr->elements[i]);
                if (s) add(f, false, dataset_of_path(f, s));
            }
        } else {
            const char *s = const_string(arg);
            if (s) add(f, false, dataset_of_path(f, s));
        }
        return;
    }
    bool sqlite = strcasecmp(name, "read_sqlite") == 0, postgres = strcasecmp(name, "read_postgres") == 0;
    if ((!sqlite && !postgres) || fc->n_args < 2) return;
    const char *where = const_string(fc->args[0]), *table = const_string(fc->args[1]);
    if (where == NULL || !is_table_name(table)) return;
    bool warehouse = false;
    if (sqlite && f->warehouse_file) {
        char *norm = normalise_path(f->arena, where);
        warehouse = norm && strcmp(norm, f->warehouse_file) == 0;
    } else if (postgres && f->warehouse_url) {
        warehouse = strcmp(where, f->warehouse_url) == 0;
    }
    if (warehouse) add(f, false, dataset_of_path(f, arena_sprintf(f->arena, "warehouse:%s", table)));
}

/* Visit every message of the tree. */
static void walk(Found *f, const ProtobufCMessage *m, int depth)
{
    if (m == NULL || depth > SQL_MAX_DEPTH + 10) return;
    const ProtobufCMessageDescriptor *d = m->descriptor;
    if (d == &pg_query__copy_stmt__descriptor) visit_copy(f, (const PgQuery__CopyStmt *)m);
    else if (d == &pg_query__func_call__descriptor) visit_func(f, (const PgQuery__FuncCall *)m);
    else if (d == &pg_query__range_var__descriptor) {
        const PgQuery__RangeVar *rv = (const PgQuery__RangeVar *)m;
        if (rv->schemaname && strcmp(rv->schemaname, "lake") == 0 && rv->relname && rv->relname[0]) {
            add(f, false, arena_sprintf(f->arena, "lake:%s", rv->relname));
        }
    }
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *fd = &d->fields[i];
        if (fd->type != PROTOBUF_C_TYPE_MESSAGE) continue;
        const char *base = (const char *)m + fd->offset;
        if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)((const char *)m + fd->quantifier_offset);
            ProtobufCMessage *const *items = *(ProtobufCMessage *const *const *)base;
            for (size_t k = 0; k < n; k++) walk(f, items[k], depth + 1);
        } else {
            if (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
                uint32_t which = *(const uint32_t *)((const char *)m + fd->quantifier_offset);
                if (which != fd->id) continue;
            }
            walk(f, *(ProtobufCMessage *const *)base, depth + 1);
        }
    }
}

/* Replace every {{ name }} of sql by the marker and parse; NULL tree on failure. */
static void parse_job_sql(const char *sql, ParsedScript *script)
{
    script->tree = NULL;
    JobParams params;
    job_params_init(&params);
    Error err = ERROR_INIT;
    for (const char *p = strstr(sql, "{{"); p; p = strstr(p + 2, "{{")) {
        const char *q = p + 2;
        while (*q == ' ') q++;
        const char *name = q;
        while (isalnum((unsigned char)*q) || *q == '_') q++;
        if (q == name || q - name > 63) continue;
        char buf[64];
        snprintf(buf, sizeof buf, "%.*s", (int)(q - name), name);
        job_params_set(&params, buf, PARAM_MARK, &err); /* a bad name is not a placeholder: ignored */
        error_clear(&err);
    }
    JobSql prepared;
    memset(&prepared, 0, sizeof prepared);
    if (job_sql_prepare(sql, strlen(sql), &params, &prepared, &err)) {
        if (!sql_parse(prepared.text, script, &err)) script->tree = NULL;
    }
    job_sql_free(&prepared);
    job_params_free(&params);
}

void dag_infer_datasets(const char *sql, const char *lake, const char *warehouse, Arena *arena, const char ***writes,
                        int *nwrites, const char ***reads, int *nreads)
{
    Found f;
    memset(&f, 0, sizeof f);
    f.arena = arena;
    f.lake = normalise_path(arena, lake ? lake : "lake");
    if (f.lake == NULL) f.lake = "";
    if (warehouse && strncmp(warehouse, "sqlite:", 7) == 0) f.warehouse_file = normalise_path(arena, warehouse + 7);
    else if (warehouse && strncmp(warehouse, "postgres", 8) == 0) f.warehouse_url = warehouse;
    ParsedScript script;
    parse_job_sql(sql, &script);
    if (script.tree) {
        walk(&f, &script.tree->base, 0);
        sql_parse_free(&script);
    }
    *writes = f.writes;
    *nwrites = f.nwrites;
    *reads = f.reads;
    *nreads = f.nreads;
}

/* The whole file at path (mem_alloc'ed), NULL when unreadable or over 16 MiB. */
static char *read_text(const char *path)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL) return NULL;
    char *text = NULL;
    size_t len = 0, cap = 0, n;
    char buf[8192];
    bool ok = true;
    while ((n = fread(buf, 1, sizeof buf, file)) > 0 && ok) {
        if (len + n > (size_t)16 << 20) ok = false;
        else {
            if (len + n + 1 > cap) {
                cap = (len + n + 1) * 2;
                text = mem_realloc(text, cap);
            }
            memcpy(text + len, buf, n);
            len += n;
        }
    }
    ok = ok && !ferror(file);
    fclose(file);
    if (!ok) {
        mem_free(text);
        return NULL;
    }
    if (text == NULL) text = mem_calloc(1, 1);
    text[len] = '\0';
    return text;
}

static bool reads_dataset(const char *read, const char *written)
{
    size_t n = strlen(written);
    return strncmp(read, written, n) == 0 && (read[n] == '\0' || read[n] == '/');
}

void dag_infer_edges(const Project *p, Arena *arena, InferredEdge **edges, int *nedges)
{
    int n = p->njobs;
    const char ***writes = arena_calloc(arena, sizeof *writes * (size_t)(n + 1));
    const char ***reads = arena_calloc(arena, sizeof *reads * (size_t)(n + 1));
    int *nw = arena_calloc(arena, sizeof *nw * (size_t)(n + 1));
    int *nr = arena_calloc(arena, sizeof *nr * (size_t)(n + 1));
    for (int j = 0; j < n; j++) {
        const char *sql = p->jobs[j].sql;
        char *path = sql[0] == '/' ? mem_strdup(sql) : mem_printf("%s/%s", p->dir, sql);
        char *text = read_text(path);
        mem_free(path);
        if (text == NULL) continue;
        dag_infer_datasets(text, p->lake, p->warehouse, arena, &writes[j], &nw[j], &reads[j], &nr[j]);
        mem_free(text);
    }
    int count = 0, cap = 0;
    InferredEdge *list = NULL;
    for (int down = 0; down < n; down++) {
        for (int up = 0; up < n; up++) {
            if (up == down) continue;
            bool declared = false;
            for (int d = 0; d < p->jobs[down].ndepends && !declared; d++) {
                declared = strcmp(p->jobs[down].depends_on[d], p->jobs[up].name) == 0;
            }
            if (declared) continue;
            const char *via = NULL;
            for (int r = 0; r < nr[down] && !via; r++) {
                for (int w = 0; w < nw[up] && !via; w++) {
                    if (reads_dataset(reads[down][r], writes[up][w])) via = writes[up][w];
                }
            }
            if (via == NULL) continue;
            if (count == cap) {
                int grown = cap ? cap * 2 : 8;
                InferredEdge *bigger = arena_alloc(arena, sizeof *bigger * (size_t)grown);
                if (count) memcpy(bigger, list, sizeof *bigger * (size_t)count);
                list = bigger;
                cap = grown;
            }
            list[count++] = (InferredEdge){up, down, via};
        }
    }
    *edges = list;
    *nedges = count;
}
