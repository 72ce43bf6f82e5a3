/* postgres_load: loading query results into a PostgreSQL warehouse table in
 * one transaction.
 *
 * pg_load_begin connects, opens a transaction and starts
 *   COPY kiln_stage (cols) FROM STDIN
 * into a temporary table (ON COMMIT DROP) with the load's column types plus
 * an ordinal column; batches stream into it in COPY's text format as the
 * query produces them.  pg_load_commit ends the COPY and, still inside the
 * transaction, creates the target if it is missing and applies the mode:
 *   append              INSERT INTO t (cols) SELECT cols FROM kiln_stage
 *   overwrite           DELETE FROM t, then the insert (DELETE rather than
 *                       TRUNCATE: readers keep reading the old rows
 *                       until COMMIT instead of waiting on a lock)
 *   replace_partitions  DELETE FROM t WHERE (keys) IN (SELECT keys FROM kiln_stage), then the insert
 *   upsert              a unique index on the keys if missing, then
 *                       INSERT ... SELECT DISTINCT ON (keys) ... ORDER BY keys, ordinal DESC
 *                       ON CONFLICT (keys) DO UPDATE SET every other column
 *                       (the last row of a key in the load wins, as in SQLite)
 * then COMMIT.  A failure anywhere, or the connection dropping, rolls the
 * transaction back: readers see the old table or the new one.
 * Created tables use boolean, integer, bigint, double precision,
 * numeric(p,s), text, date, timestamp and interval.
 * Memory: the connection and one batch's COPY text. */
#include "connectors/postgres.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "types/cast.h"

struct PgLoad {
    PGconn *conn;
    char *shown; /* connection without password, for errors */
    char *table;
    LoadMode mode;
    int ncols, nkeys;
    char **names;
    LogicalType *types;
    int *key_cols;
    bool in_copy;
    StrBuf buf;   /* COPY text of the current batch */
    StrBuf value; /* one formatted value */
};

static void quote(StrBuf *sb, const char *name)
{
    strbuf_putc(sb, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"') strbuf_putc(sb, '"');
        strbuf_putc(sb, *p);
    }
    strbuf_putc(sb, '"');
}

/* "schema.table" -> "schema"."table" */
static void quote_table(StrBuf *sb, const char *table)
{
    const char *dot = strchr(table, '.');
    if (dot == NULL) {
        quote(sb, table);
        return;
    }
    char *schema = mem_strndup(table, (size_t)(dot - table));
    quote(sb, schema);
    mem_free(schema);
    strbuf_putc(sb, '.');
    quote(sb, dot + 1);
}

static void pg_type_of(StrBuf *sb, LogicalType t)
{
    switch (t.id) {
    case TYPE_BOOLEAN: strbuf_puts(sb, "boolean"); break;
    case TYPE_INTEGER: strbuf_puts(sb, "integer"); break;
    case TYPE_BIGINT: strbuf_puts(sb, "bigint"); break;
    case TYPE_DOUBLE: strbuf_puts(sb, "double precision"); break;
    case TYPE_DECIMAL: strbuf_printf(sb, "numeric(%d,%d)", t.precision, t.scale); break;
    case TYPE_DATE: strbuf_puts(sb, "date"); break;
    case TYPE_TIMESTAMP: strbuf_puts(sb, "timestamp"); break;
    case TYPE_INTERVAL: strbuf_puts(sb, "interval"); break;
    default: strbuf_puts(sb, "text"); break;
    }
}

static bool fail(PgLoad *l, Error *err, const char *what, const char *msg)
{
    char buf[ERROR_MSG_MAX];
    snprintf(buf, sizeof buf, "%s", msg ? msg : "");
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' ')) buf[--n] = '\0';
    error_set(err, ERR_IO, "loading warehouse table \"%s\": %s: %s", l->table, what, buf);
    error_set_location(err, l->shown, 0, 0);
    return false;
}

static bool exec_sql(PgLoad *l, const char *sql, Error *err)
{
    PGresult *res = PQexec(l->conn, sql);
    ExecStatusType st = PQresultStatus(res);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok) fail(l, err, "PostgreSQL", PQresultErrorMessage(res));
    PQclear(res);
    return ok;
}

static void load_free(PgLoad *l)
{
    PQfinish(l->conn);
    for (int c = 0; c < l->ncols; c++) mem_free(l->names[c]);
    mem_free(l->names);
    mem_free(l->types);
    mem_free(l->key_cols);
    mem_free(l->table);
    mem_free(l->shown);
    strbuf_free(&l->buf);
    strbuf_free(&l->value);
    mem_free(l);
}

PgLoad *pg_load_begin(const char *conninfo, const LoadSpec *spec, int ncols, char *const *names,
                      const LogicalType *types, Error *err)
{
    PgLoad *l = mem_calloc(1, sizeof *l);
    l->shown = pg_redact_conninfo(conninfo);
    l->table = mem_strdup(spec->table);
    l->mode = spec->mode;
    l->ncols = ncols;
    l->names = mem_calloc((size_t)ncols + 1, sizeof(char *));
    l->types = mem_calloc((size_t)ncols + 1, sizeof(LogicalType));
    l->key_cols = mem_calloc((size_t)spec->nkeys + 1, sizeof(int));
    l->nkeys = spec->nkeys;
    for (int c = 0; c < ncols; c++) {
        l->names[c] = mem_strdup(names[c]);
        l->types[c] = types[c];
    }
    if (!load_check_columns(spec, ncols, names, l->key_cols, err)) {
        load_free(l);
        return NULL;
    }
    const char *keys[] = {"dbname", "connect_timeout", "application_name", NULL};
    const char *vals[] = {conninfo, "10", "kiln", NULL};
    l->conn = PQconnectdbParams(keys, vals, 1);
    if (l->conn == NULL || PQstatus(l->conn) != CONNECTION_OK) {
        fail(l, err, "could not connect to PostgreSQL", l->conn ? PQerrorMessage(l->conn) : "out of memory");
        load_free(l);
        return NULL;
    }
    StrBuf sql = STRBUF_INIT;
    strbuf_puts(&sql, "CREATE TEMP TABLE kiln_stage (");
    for (int c = 0; c < ncols; c++) {
        quote(&sql, names[c]);
        strbuf_putc(&sql, ' ');
        pg_type_of(&sql, types[c]);
        strbuf_puts(&sql, ", ");
    }
    strbuf_puts(&sql, "kiln_ord bigserial) ON COMMIT DROP");
    bool ok = exec_sql(l, "BEGIN", err) && exec_sql(l, "SET LOCAL datestyle = 'ISO, YMD'", err) &&
              exec_sql(l, "SET LOCAL intervalstyle = 'postgres'", err) && exec_sql(l, strbuf_cstr(&sql), err);
    if (ok) {
        strbuf_clear(&sql);
        strbuf_puts(&sql, "COPY kiln_stage (");
        for (int c = 0; c < ncols; c++) {
            if (c) strbuf_puts(&sql, ", ");
            quote(&sql, names[c]);
        }
        strbuf_puts(&sql, ") FROM STDIN");
        PGresult *res = PQexec(l->conn, strbuf_cstr(&sql));
        if (PQresultStatus(res) != PGRES_COPY_IN) ok = fail(l, err, "PostgreSQL", PQresultErrorMessage(res));
        PQclear(res);
        l->in_copy = ok;
    }
    strbuf_free(&sql);
    if (!ok) {
        pg_load_abort(l);
        return NULL;
    }
    return l;
}

/* Append s[0..n) escaped for COPY's text format. */
static void copy_escape(StrBuf *sb, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        switch (c) {
        case '\\': strbuf_puts(sb, "\\\\"); break;
        case '\n': strbuf_puts(sb, "\\n"); break;
        case '\r': strbuf_puts(sb, "\\r"); break;
        case '\t': strbuf_puts(sb, "\\t"); break;
        default: strbuf_putc(sb, c);
        }
    }
}

bool pg_load_batch(PgLoad *l, const Batch *b, Error *err)
{
    strbuf_clear(&l->buf);
    for (uint32_t i = 0; i < b->count; i++) {
        uint32_t row = batch_row(b, i);
        for (int c = 0; c < l->ncols; c++) {
            if (c) strbuf_putc(&l->buf, '\t');
            const Vector *v = b->cols[c];
            if (!vector_is_valid(v, row)) {
                strbuf_puts(&l->buf, "\\N");
                continue;
            }
            if (v->type.id == TYPE_VARCHAR) {
                const KString *k = &VEC_DATA(v, KString)[row];
                if (memchr(kstring_data(k), '\0', k->len))
                    return error_set(err, ERR_DATA, "column \"%s\": PostgreSQL text cannot hold a zero byte", l->names[c]);
                copy_escape(&l->buf, kstring_data(k), k->len);
                continue;
            }
            strbuf_clear(&l->value);
            cast_format_value(v, row, &l->value);
            copy_escape(&l->buf, strbuf_cstr(&l->value), l->value.len);
        }
        strbuf_putc(&l->buf, '\n');
    }
    if (l->buf.len && PQputCopyData(l->conn, strbuf_cstr(&l->buf), (int)l->buf.len) != 1)
        return fail(l, err, "sending rows", PQerrorMessage(l->conn));
    return true;
}

static void key_list(StrBuf *sb, PgLoad *l)
{
    for (int k = 0; k < l->nkeys; k++) {
        if (k) strbuf_puts(sb, ", ");
        quote(sb, l->names[l->key_cols[k]]);
    }
}

static void column_list(StrBuf *sb, PgLoad *l)
{
    for (int c = 0; c < l->ncols; c++) {
        if (c) strbuf_puts(sb, ", ");
        quote(sb, l->names[c]);
    }
}

static bool apply(PgLoad *l, Error *err)
{
    StrBuf sql = STRBUF_INIT;
    strbuf_puts(&sql, "CREATE TABLE IF NOT EXISTS ");
    quote_table(&sql, l->table);
    strbuf_puts(&sql, " (");
    for (int c = 0; c < l->ncols; c++) {
        if (c) strbuf_puts(&sql, ", ");
        quote(&sql, l->names[c]);
        strbuf_putc(&sql, ' ');
        pg_type_of(&sql, l->types[c]);
    }
    strbuf_puts(&sql, ")");
    bool ok = exec_sql(l, strbuf_cstr(&sql), err);
    if (ok && (l->mode == LOAD_OVERWRITE || l->mode == LOAD_REPLACE_PARTITIONS)) {
        strbuf_clear(&sql);
        strbuf_puts(&sql, "DELETE FROM ");
        quote_table(&sql, l->table);
        if (l->mode == LOAD_REPLACE_PARTITIONS) {
            strbuf_puts(&sql, " WHERE (");
            key_list(&sql, l);
            strbuf_puts(&sql, ") IN (SELECT ");
            key_list(&sql, l);
            strbuf_puts(&sql, " FROM kiln_stage)");
        }
        ok = exec_sql(l, strbuf_cstr(&sql), err);
    }
    if (ok && l->mode == LOAD_UPSERT) {
        /* ON CONFLICT (keys) needs a unique index on exactly those columns */
        const char *dot = strrchr(l->table, '.');
        strbuf_clear(&sql);
        strbuf_puts(&sql, "CREATE UNIQUE INDEX IF NOT EXISTS ");
        StrBuf iname = STRBUF_INIT;
        strbuf_printf(&iname, "%s_kiln_key", dot ? dot + 1 : l->table);
        quote(&sql, strbuf_cstr(&iname));
        strbuf_free(&iname);
        strbuf_puts(&sql, " ON ");
        quote_table(&sql, l->table);
        strbuf_puts(&sql, " (");
        key_list(&sql, l);
        strbuf_puts(&sql, ")");
        ok = exec_sql(l, strbuf_cstr(&sql), err);
        if (!ok) error_prefix(err, "upsert needs the KEY columns to be unique in the target");
    }
    if (ok) {
        strbuf_clear(&sql);
        strbuf_puts(&sql, "INSERT INTO ");
        quote_table(&sql, l->table);
        strbuf_puts(&sql, " (");
        column_list(&sql, l);
        strbuf_puts(&sql, ") SELECT ");
        if (l->mode == LOAD_UPSERT) {
            strbuf_puts(&sql, "DISTINCT ON (");
            key_list(&sql, l);
            strbuf_puts(&sql, ") ");
        }
        column_list(&sql, l);
        strbuf_puts(&sql, " FROM kiln_stage");
        if (l->mode == LOAD_UPSERT) {
            strbuf_puts(&sql, " ORDER BY ");
            key_list(&sql, l);
            strbuf_puts(&sql, ", kiln_ord DESC ON CONFLICT (");
            key_list(&sql, l);
            strbuf_puts(&sql, ") DO ");
            int nset = 0;
            for (int c = 0; c < l->ncols; c++) {
                bool is_key = false;
                for (int k = 0; k < l->nkeys; k++) is_key |= l->key_cols[k] == c;
                if (is_key) continue;
                strbuf_puts(&sql, nset++ ? ", " : "UPDATE SET ");
                quote(&sql, l->names[c]);
                strbuf_puts(&sql, " = EXCLUDED.");
                quote(&sql, l->names[c]);
            }
            if (nset == 0) strbuf_puts(&sql, "NOTHING");
        }
        ok = exec_sql(l, strbuf_cstr(&sql), err);
    }
    strbuf_free(&sql);
    return ok && exec_sql(l, "COMMIT", err);
}

static bool end_copy(PgLoad *l, const char *abort_message, Error *err)
{
    l->in_copy = false;
    if (PQputCopyEnd(l->conn, abort_message) != 1) return fail(l, err, "ending COPY", PQerrorMessage(l->conn));
    PGresult *res = PQgetResult(l->conn);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok && abort_message == NULL) fail(l, err, "PostgreSQL", PQresultErrorMessage(res));
    PQclear(res);
    while ((res = PQgetResult(l->conn)) != NULL) PQclear(res);
    return ok;
}

bool pg_load_commit(PgLoad *l, Error *err)
{
    bool ok = end_copy(l, NULL, err) && apply(l, err);
    if (!ok) {
        pg_load_abort(l);
        return false;
    }
    load_free(l);
    return true;
}

void pg_load_abort(PgLoad *l)
{
    if (l == NULL) return;
    if (l->conn && PQstatus(l->conn) == CONNECTION_OK) {
        if (l->in_copy) end_copy(l, "kiln: load aborted", NULL);
        PGresult *res = PQexec(l->conn, "ROLLBACK");
        PQclear(res);
    }
    load_free(l);
}
