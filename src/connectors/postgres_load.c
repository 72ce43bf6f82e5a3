/* postgres_load: loading query results into a PostgreSQL warehouse table in
 * one transaction.
 *
 * pg_load_begin connects, opens a transaction and starts
 *   COPY kiln_stage (cols) FROM STDIN (FORMAT binary)
 * into a temporary table (ON COMMIT DROP) with the load's column types plus
 * an ordinal column; batches stream into it in COPY's binary format
 * (pg_copy_binary.h: nothing converted through text) as the query produces
 * them.  pg_load_commit ends the COPY and, still inside the
 * transaction, creates the target if it is missing and applies the mode:
 *   append              INSERT INTO t (cols) SELECT cols FROM kiln_stage
 *   overwrite           DELETE FROM t, then the insert (DELETE rather than
 *                       TRUNCATE: readers keep reading the old rows
 *                       until COMMIT instead of waiting on a lock)
 *   replace_partitions  DELETE FROM t WHERE (keys) IN (SELECT keys FROM kiln_stage), then the insert
 *   upsert              a unique index on the keys if missing, then
 *                       INSERT ... SELECT DISTINCT ON (keys) ... ORDER BY keys, ordinal DESC
 *                       ON CONFLICT (keys) DO UPDATE SET every other column
 *                       (the last row of a key in the load wins, as in SQLite;
 *                       rows with a NULL key are all inserted: they match nothing)
 * then COMMIT.  A failure anywhere, or the connection dropping, rolls the
 * transaction back: readers see the old table or the new one.
 * Created tables use boolean, integer, bigint, double precision,
 * numeric(p,s), text, date, timestamp and interval.
 * Memory: the connection and one batch's COPY bytes. */
#include "connectors/postgres.h"

#include <stdio.h>
#include <string.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "connectors/libpq_api.h"
#include "connectors/pg_copy_binary.h"

struct PgLoad {
    const LibpqApi *pq; /* libpq's functions (loaded on first use); NULL until then */
    PGconn *conn;
    char *shown; /* connection without password, for errors */
    LoadTarget t;
    bool in_copy;
    StrBuf buf;   /* COPY bytes of the current batch */
};

static void quote_table(StrBuf *sb, const char *table) { load_quote_table(sb, table, load_quote_ident); }

static void pg_type_of(StrBuf *sb, LogicalType t, bool is_key)
{
    (void)is_key;
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
    error_set(err, ERR_IO, "loading warehouse table \"%s\": %s: %s", l->t.table, what, buf);
    error_set_location(err, l->shown, 0, 0);
    return false;
}

static bool exec_sql(PgLoad *l, const char *sql, Error *err)
{
    const LibpqApi *pq = l->pq;
    PGresult *res = pq->exec(l->conn, sql);
    ExecStatusType st = pq->resultStatus(res);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok) fail(l, err, "PostgreSQL", pq->resultErrorMessage(res));
    pq->clear(res);
    return ok;
}

static void load_free(PgLoad *l)
{
    if (l->conn) l->pq->finish(l->conn);
    load_target_free(&l->t);
    mem_free(l->shown);
    strbuf_free(&l->buf);
    mem_free(l);
}

/* Server notices ("relation ... already exists, skipping") are not kiln's output. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

PgLoad *pg_load_begin(const char *conninfo, const LoadSpec *spec, int ncols, char *const *names,
                      const LogicalType *types, Error *err)
{
    PgLoad *l = mem_calloc(1, sizeof *l);
    l->shown = pg_redact_conninfo(conninfo);
    if (!load_target_init(&l->t, spec, ncols, names, types, err)) {
        load_free(l);
        return NULL;
    }
    const LibpqApi *pq = l->pq = libpq_api(err);
    if (pq == NULL) {
        error_prefix(err, "loading warehouse table \"%s\"", l->t.table);
        error_set_location(err, l->shown, 0, 0);
        load_free(l);
        return NULL;
    }
    const char *keys[] = {"dbname", "connect_timeout", "application_name", NULL};
    const char *vals[] = {conninfo, "10", "kiln", NULL};
    l->conn = pq->connectdbParams(keys, vals, 1);
    if (l->conn == NULL || pq->status(l->conn) != CONNECTION_OK) {
        fail(l, err, "could not connect to PostgreSQL", l->conn ? pq->errorMessage(l->conn) : "out of memory");
        load_free(l);
        return NULL;
    }
    pq->setNoticeProcessor(l->conn, ignore_notice, NULL);
    StrBuf sql = STRBUF_INIT;
    load_stage_sql(&sql, "CREATE TEMP TABLE", &l->t, load_quote_ident, pg_type_of, "kiln_ord bigserial", "ON COMMIT DROP");
    bool ok = exec_sql(l, "BEGIN", err) && exec_sql(l, strbuf_cstr(&sql), err);
    if (ok) {
        strbuf_clear(&sql);
        strbuf_puts(&sql, "COPY kiln_stage (");
        load_column_list(&sql, &l->t, load_quote_ident, "");
        strbuf_puts(&sql, ") FROM STDIN (FORMAT binary)");
        PGresult *res = pq->exec(l->conn, strbuf_cstr(&sql));
        if (pq->resultStatus(res) != PGRES_COPY_IN) ok = fail(l, err, "PostgreSQL", pq->resultErrorMessage(res));
        pq->clear(res);
        l->in_copy = ok;
        strbuf_clear(&l->buf);
        pg_copy_binary_header(&l->buf);
        if (ok && pq->putCopyData(l->conn, l->buf.data, (int)l->buf.len) != 1)
            ok = fail(l, err, "sending rows", pq->errorMessage(l->conn));
    }
    strbuf_free(&sql);
    if (!ok) {
        pg_load_abort(l);
        return NULL;
    }
    return l;
}

bool pg_load_batch(PgLoad *l, const Batch *b, Error *err)
{
    const LibpqApi *pq = l->pq;
    strbuf_clear(&l->buf);
    if (!pg_copy_binary_rows(&l->buf, b, l->t.names, err)) return false;
    if (l->buf.len && pq->putCopyData(l->conn, l->buf.data, (int)l->buf.len) != 1)
        return fail(l, err, "sending rows", pq->errorMessage(l->conn));
    return true;
}

static void key_list(StrBuf *sb, PgLoad *l) { load_key_list(sb, &l->t, load_quote_ident); }

static void column_list(StrBuf *sb, PgLoad *l) { load_column_list(sb, &l->t, load_quote_ident, ""); }

/* DISTINCT ON groups NULL keys together, but a NULL key matches nothing (the
 * unique index lets every such row in): `, CASE WHEN k1 IS NULL OR ... THEN
 * kiln_ord END` gives each NULL-keyed row a group of its own, so upsert keeps
 * them all, as the SQLite and Redshift loaders do. */
static void null_key_tiebreak(StrBuf *sb, PgLoad *l)
{
    strbuf_puts(sb, ", CASE WHEN ");
    for (int k = 0; k < l->t.nkeys; k++) {
        if (k) strbuf_puts(sb, " OR ");
        load_quote_ident(sb, l->t.names[l->t.key_cols[k]]);
        strbuf_puts(sb, " IS NULL");
    }
    strbuf_puts(sb, " THEN kiln_ord END");
}

static bool apply(PgLoad *l, Error *err)
{
    StrBuf sql = STRBUF_INIT;
    strbuf_puts(&sql, "CREATE TABLE IF NOT EXISTS ");
    quote_table(&sql, l->t.table);
    strbuf_puts(&sql, " (");
    load_column_defs(&sql, &l->t, load_quote_ident, pg_type_of, false);
    strbuf_puts(&sql, ")");
    bool ok = exec_sql(l, strbuf_cstr(&sql), err);
    if (ok && (l->t.mode == LOAD_OVERWRITE || l->t.mode == LOAD_REPLACE_PARTITIONS)) {
        strbuf_clear(&sql);
        load_delete_sql(&sql, &l->t, load_quote_ident, "kiln_stage");
        ok = exec_sql(l, strbuf_cstr(&sql), err);
    }
    if (ok && l->t.mode == LOAD_UPSERT) {
        /* ON CONFLICT (keys) needs a unique index on exactly those columns */
        const char *dot = strrchr(l->t.table, '.');
        strbuf_clear(&sql);
        strbuf_puts(&sql, "CREATE UNIQUE INDEX IF NOT EXISTS ");
        StrBuf iname = STRBUF_INIT;
        strbuf_printf(&iname, "%s_kiln_key", dot ? dot + 1 : l->t.table);
        load_quote_ident(&sql, strbuf_cstr(&iname));
        strbuf_free(&iname);
        strbuf_puts(&sql, " ON ");
        quote_table(&sql, l->t.table);
        strbuf_puts(&sql, " (");
        key_list(&sql, l);
        strbuf_puts(&sql, ")");
        ok = exec_sql(l, strbuf_cstr(&sql), err);
        if (!ok) error_prefix(err, "upsert needs the KEY columns to be unique in the target");
    }
    if (ok) {
        strbuf_clear(&sql);
        strbuf_puts(&sql, "INSERT INTO ");
        quote_table(&sql, l->t.table);
        strbuf_puts(&sql, " (");
        column_list(&sql, l);
        strbuf_puts(&sql, ") SELECT ");
        if (l->t.mode == LOAD_UPSERT) {
            strbuf_puts(&sql, "DISTINCT ON (");
            key_list(&sql, l);
            null_key_tiebreak(&sql, l);
            strbuf_puts(&sql, ") ");
        }
        column_list(&sql, l);
        strbuf_puts(&sql, " FROM kiln_stage");
        if (l->t.mode == LOAD_UPSERT) {
            strbuf_puts(&sql, " ORDER BY ");
            key_list(&sql, l);
            null_key_tiebreak(&sql, l);
            strbuf_puts(&sql, ", kiln_ord DESC ON CONFLICT (");
            key_list(&sql, l);
            strbuf_puts(&sql, ") DO ");
            int nset = 0;
            for (int c = 0; c < l->t.ncols; c++) {
                if (load_target_is_key(&l->t, c)) continue;
                strbuf_puts(&sql, nset++ ? ", " : "UPDATE SET ");
                load_quote_ident(&sql, l->t.names[c]);
                strbuf_puts(&sql, " = EXCLUDED.");
                load_quote_ident(&sql, l->t.names[c]);
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
    const LibpqApi *pq = l->pq;
    l->in_copy = false;
    if (abort_message == NULL) {
        strbuf_clear(&l->buf);
        pg_copy_binary_trailer(&l->buf);
        if (pq->putCopyData(l->conn, l->buf.data, (int)l->buf.len) != 1)
            return fail(l, err, "sending rows", pq->errorMessage(l->conn));
    }
    if (pq->putCopyEnd(l->conn, abort_message) != 1) return fail(l, err, "ending COPY", pq->errorMessage(l->conn));
    PGresult *res = pq->getResult(l->conn);
    bool ok = pq->resultStatus(res) == PGRES_COMMAND_OK;
    if (!ok && abort_message == NULL) fail(l, err, "PostgreSQL", pq->resultErrorMessage(res));
    pq->clear(res);
    while ((res = pq->getResult(l->conn)) != NULL) pq->clear(res);
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
    const LibpqApi *pq = l->pq;
    if (l->conn && pq->status(l->conn) == CONNECTION_OK) {
        if (l->in_copy) end_copy(l, "kiln: load aborted", NULL);
        PGresult *res = pq->exec(l->conn, "ROLLBACK");
        pq->clear(res);
    }
    load_free(l);
}
