/* copy_warehouse: the warehouse targets of COPY ... TO (see copy_warehouse.h).
 *
 *   SET warehouse = 'sqlite:/data/warehouse.db';      -- default sqlite:warehouse.db
 *   SET warehouse = 'postgresql://etl@dw:5432/analytics';
 *   SET warehouse = 'mysql://etl@dw:3306/analytics';
 *   SET warehouse = 'redshift://etl@cluster:5439/dw?s3_staging=...&iam_role=...';
 *   SET warehouse = 'dw';                             -- a named connection
 *   COPY (SELECT ...) TO 'warehouse:daily_revenue'
 *     WITH (MODE upsert, KEY (order_date, currency));
 *   COPY (SELECT ...) TO 'dw:reporting.daily_revenue' WITH (MODE replace);  -- a named connection
 *
 * A target '<name>:<table>' names a connection when <name> is one (CREATE
 * SERVER, or the project's connections), or when it looks like one: an
 * identifier of two characters or more that is not a URL scheme or kiln
 * prefix (s3:, file:, lake: ...), followed by a table name (table or
 * schema.table) that does not end like a file (.csv, .parquet ...) and no
 * FORMAT option; such a target with an unknown name is an error listing
 * the known connections, not a file.  Anything else is a file.
 *
 * MODE: append (default), overwrite (alias replace), upsert,
 * replace_partitions; the last two need KEY.  The rows are staged and
 * applied in one transaction by the connector (connectors/sqlite_load.c,
 * postgres_load.c, mysql_load.c, redshift_load.c); a statement that fails
 * at any point leaves the table as it was. */
#include "sql/copy_warehouse.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "connectors/mysql.h"
#include "connectors/postgres.h"
#include "connectors/redshift.h"
#include "connectors/sqlite.h"
#include "sql/connections.h"

#define WAREHOUSE_PREFIX "warehouse:"

/* One connector's load protocol (connectors/sqlite.h, connectors/postgres.h). */
typedef struct WarehouseOps {
    void *(*begin)(const char *where, const LoadSpec *spec, int ncols, char *const *names, const LogicalType *types,
                   Error *err);
    bool (*batch)(void *load, const Batch *b, Error *err);
    bool (*commit)(void *load, Error *err);
    void (*abort)(void *load);
} WarehouseOps;

static void *sqlite_begin(const char *where, const LoadSpec *spec, int ncols, char *const *names,
                          const LogicalType *types, Error *err)
{
    return sqlite_load_begin(where, spec, ncols, names, types, err);
}
static bool sqlite_batch(void *load, const Batch *b, Error *err) { return sqlite_load_batch(load, b, err); }
static bool sqlite_commit(void *load, Error *err) { return sqlite_load_commit(load, err); }
static void sqlite_abort(void *load) { sqlite_load_abort(load); }
static const WarehouseOps sqlite_ops = {sqlite_begin, sqlite_batch, sqlite_commit, sqlite_abort};

static void *pg_begin(const char *where, const LoadSpec *spec, int ncols, char *const *names, const LogicalType *types,
                      Error *err)
{
    return pg_load_begin(where, spec, ncols, names, types, err);
}
static bool pg_batch(void *load, const Batch *b, Error *err) { return pg_load_batch(load, b, err); }
static bool pg_commit(void *load, Error *err) { return pg_load_commit(load, err); }
static void pg_abort(void *load) { pg_load_abort(load); }
static const WarehouseOps postgres_ops = {pg_begin, pg_batch, pg_commit, pg_abort};

static void *my_begin(const char *where, const LoadSpec *spec, int ncols, char *const *names, const LogicalType *types,
                      Error *err)
{
    return my_load_begin(where, spec, ncols, names, types, err);
}
static bool my_batch(void *load, const Batch *b, Error *err) { return my_load_batch(load, b, err); }
static bool my_commit(void *load, Error *err) { return my_load_commit(load, err); }
static void my_abort(void *load) { my_load_abort(load); }
static const WarehouseOps mysql_ops = {my_begin, my_batch, my_commit, my_abort};

static void *rs_begin(const char *where, const LoadSpec *spec, int ncols, char *const *names, const LogicalType *types,
                      Error *err)
{
    return rs_load_begin(where, spec, ncols, names, types, err);
}
static bool rs_batch(void *load, const Batch *b, Error *err) { return rs_load_batch(load, b, err); }
static bool rs_commit(void *load, Error *err) { return rs_load_commit(load, err); }
static void rs_abort(void *load) { rs_load_abort(load); }
static const WarehouseOps redshift_ops = {rs_begin, rs_batch, rs_commit, rs_abort};

typedef struct WarehouseWriter {
    CopyWriter base;
    const WarehouseOps *ops;
    const char *where; /* SQLite file or PostgreSQL connection string */
    LoadSpec spec;
    void *load;        /* opened by begin (it needs the columns) */
} WarehouseWriter;

/* URL schemes and kiln prefixes: never a connection name. */
static const char *const not_connections[] = {"s3", "s3a", "s3n", "gs", "gcs", "az", "abfs", "abfss", "hdfs", "file",
                                              "http", "https", "ftp", "lake", "sqlite", "postgres", "postgresql",
                                              "mysql", "mariadb", "redshift", "stdin", "stdout", NULL};
/* Endings that make 'x:name.<ending>' a file. */
static const char *const file_endings[] = {"csv", "tsv", "txt", "parquet", "pq", "json", "jsonl", "ndjson", "gz",
                                           "zst", "zstd", "bz2", "xz", "lz4", "snappy", "db", "sqlite", NULL};

static bool in_list(const char *const *list, const char *s, size_t n)
{
    for (int i = 0; list[i]; i++)
        if (strlen(list[i]) == n && strncasecmp(list[i], s, n) == 0) return true;
    return false;
}

/* table or schema.table, of identifiers, the last not a file ending */
static bool looks_like_table(const char *s)
{
    int parts = 0;
    const char *last = s;
    for (const char *p = s;;) {
        if (!(isalpha((unsigned char)*p) || *p == '_')) return false;
        last = p;
        while (isalnum((unsigned char)*p) || *p == '_' || *p == '$') p++;
        parts++;
        if (*p == '\0') break;
        if (*p != '.' || parts == 2) return false;
        p++;
    }
    return parts == 1 || !in_list(file_endings, last, strlen(last));
}

/* 'name:rest' with name a connection-like identifier: its length, or 0. */
static size_t connection_prefix(const char *target)
{
    const char *colon = strchr(target, ':');
    if (colon == NULL || colon - target < 2) return 0; /* C:\... is a drive */
    size_t n = (size_t)(colon - target);
    char name[128];
    if (n >= sizeof name) return 0;
    memcpy(name, target, n);
    name[n] = '\0';
    if (!connections_is_name(name) || in_list(not_connections, name, n)) return 0;
    return n;
}

bool copy_warehouse_is_target(const char *target, const ConnectionSet *connections, const SqlOption *opts, int nopts)
{
    if (target == NULL) return false;
    if (strncmp(target, WAREHOUSE_PREFIX, strlen(WAREHOUSE_PREFIX)) == 0) return true;
    size_t n = connection_prefix(target);
    if (n == 0) return false;
    char *name = mem_strndup(target, n);
    bool known = connections_exists(connections, name);
    mem_free(name);
    if (known) return true;
    for (int i = 0; i < nopts; i++)
        if (!strcmp(opts[i].name, "format")) return false;
    return looks_like_table(target + n + 1);
}

static bool wh_begin(ResultSink *sink, int ncols, char *const *names, const LogicalType *types, Error *err)
{
    WarehouseWriter *w = (WarehouseWriter *)sink;
    w->load = w->ops->begin(w->where, &w->spec, ncols, names, types, err);
    return w->load != NULL;
}

static bool wh_batch(ResultSink *sink, const Batch *b, Error *err)
{
    WarehouseWriter *w = (WarehouseWriter *)sink;
    return w->ops->batch(w->load, b, err);
}

static bool wh_commit(CopyWriter *cw, Error *err)
{
    WarehouseWriter *w = (WarehouseWriter *)cw;
    bool ok = w->load ? w->ops->commit(w->load, err) : error_set(err, ERR_INTERNAL, "warehouse load never began");
    mem_free(w);
    return ok;
}

static void wh_abort(CopyWriter *cw)
{
    WarehouseWriter *w = (WarehouseWriter *)cw;
    if (w->load) w->ops->abort(w->load);
    mem_free(w);
}

/* "a,b" (KEY's list as sql_options_from_defelems joins it) -> names */
static int split_keys(Binder *b, const char *text, const char ***out)
{
    int n = 1;
    for (const char *p = text; *p; p++) n += *p == ',';
    const char **keys = arena_calloc(b->arena, sizeof(char *) * (size_t)(n + 1));
    int k = 0;
    const char *start = text;
    for (const char *p = text;; p++)
        if (*p == ',' || *p == '\0') {
            if (p > start) keys[k++] = arena_strndup(b->arena, start, (size_t)(p - start));
            if (*p == '\0') break;
            start = p + 1;
        }
    *out = keys;
    return k;
}

bool copy_warehouse_open_writer(Binder *b, const Settings *settings, const char *target, const SqlOption *opts,
                                int nopts, CopyWriter **out, Error *err)
{
    bool via_setting = strncmp(target, WAREHOUSE_PREFIX, strlen(WAREHOUSE_PREFIX)) == 0;
    size_t name_len = via_setting ? strlen(WAREHOUSE_PREFIX) - 1 : connection_prefix(target);
    const char *conn = via_setting ? settings->warehouse : arena_strndup(b->arena, target, name_len);
    const char *table = target + name_len + 1;
    if (*table == '\0')
        return error_set(err, ERR_SQL, "COPY TO '%.*s:<table>' needs a table name", (int)name_len, target);
    if (!via_setting && !connections_exists(b->connections, conn)) {
        char *known = connections_known_names(b->connections);
        error_set(err, ERR_SQL,
                  "COPY TO '%s': connection \"%s\" does not exist (%s%s; define one with CREATE SERVER or in kiln.yaml's connections, or write './%s' for a file)",
                  target, conn, known ? "known: " : "no connection is defined", known ? known : "", target);
        mem_free(known);
        return false;
    }
    LoadSpec spec = {.table = table, .mode = LOAD_APPEND};
    if (settings->redshift_emulate_copy && *settings->redshift_emulate_copy)
        spec.sql_log = arena_strdup(b->arena, settings->redshift_emulate_copy);
    int key_pos = -1, mode_pos = -1;
    for (int i = 0; i < nopts; i++) {
        const SqlOption *o = &opts[i];
        if (!strcmp(o->name, "mode")) {
            const char *m = o->has_value ? o->text : "";
            mode_pos = o->pos;
            if (!strcasecmp(m, "append")) spec.mode = LOAD_APPEND;
            else if (!strcasecmp(m, "overwrite") || !strcasecmp(m, "replace")) spec.mode = LOAD_OVERWRITE;
            else if (!strcasecmp(m, "upsert")) spec.mode = LOAD_UPSERT;
            else if (!strcasecmp(m, "replace_partitions")) spec.mode = LOAD_REPLACE_PARTITIONS;
            else
                return error_set_at(err, ERR_SQL, o->pos,
                                    "MODE must be append, overwrite, upsert or replace_partitions for a warehouse load (replace is overwrite), not \"%s\"", m);
        } else if (!strcmp(o->name, "key")) {
            if (!o->has_value || !*o->text) return error_set_at(err, ERR_SQL, o->pos, "KEY needs a list of columns: KEY (a, b)");
            const char **keys;
            spec.nkeys = split_keys(b, o->text, &keys);
            spec.keys = keys;
            key_pos = o->pos;
        } else {
            return error_set_at(err, ERR_SQL, o->pos, "option \"%s\" not recognized for a warehouse load (MODE, KEY)", o->name);
        }
    }
    bool keyed = spec.mode == LOAD_UPSERT || spec.mode == LOAD_REPLACE_PARTITIONS;
    if (keyed && spec.nkeys == 0)
        return error_set_at(err, ERR_SQL, mode_pos, "MODE %s needs KEY (columns)",
                            spec.mode == LOAD_UPSERT ? "upsert" : "replace_partitions");
    if (!keyed && spec.nkeys > 0)
        return error_set_at(err, ERR_SQL, key_pos, "KEY only applies to MODE upsert and replace_partitions");
    char *resolved = NULL; /* a connection name stands for its URL (sql/connections.h) */
    if (!connections_resolve(b->connections, conn, &resolved, err)) return false;
    const char *wh = arena_strdup(b->arena, resolved);
    mem_free(resolved);
    bool is_sqlite = strncmp(wh, "sqlite:", 7) == 0, is_mysql = my_is_url(wh), is_redshift = rs_is_url(wh);
    if (!is_sqlite && !is_mysql && !is_redshift && strncmp(wh, "postgresql://", 13) != 0 &&
        strncmp(wh, "postgres://", 11) != 0) {
        if (via_setting)
            return error_set(err, ERR_SQL,
                             "the warehouse setting must be 'sqlite:<file>', a postgresql://, mysql:// or redshift:// URL, or a connection name");
        return error_set(err, ERR_SQL, "connection \"%s\" is not a database kiln loads into (sqlite:, postgresql://, mysql:// or redshift://)",
                         conn);
    }
    WarehouseWriter *w = mem_calloc(1, sizeof *w);
    w->ops = is_sqlite ? &sqlite_ops : is_mysql ? &mysql_ops : is_redshift ? &redshift_ops : &postgres_ops;
    w->base.sink.begin = wh_begin;
    w->base.sink.batch = wh_batch;
    w->base.commit = wh_commit;
    w->base.abort = wh_abort;
    w->where = arena_strdup(b->arena, is_sqlite ? wh + 7 : wh);
    w->spec = spec;
    *out = &w->base;
    return true;
}
