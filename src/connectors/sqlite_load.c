/* sqlite_load: loading query results into a SQLite warehouse table, all or
 * nothing.
 *
 * The load opens the database (creating the file) and takes the write lock
 * at once (BEGIN IMMEDIATE: readers keep reading the old contents, other
 * writers wait).  Rows are staged in a temporary table with the target's
 * column types; at commit the mode's statements run against the target in
 * the same transaction and COMMIT makes them visible at once:
 *   append              INSERT INTO t SELECT ... FROM stage
 *   overwrite           DELETE FROM t; INSERT ...  (the table keeps its
 *                       definition, indexes and grants)
 *   replace_partitions  DELETE FROM t WHERE (keys) IN (SELECT keys FROM stage); INSERT ...
 *   upsert              a unique index on the keys if missing, then
 *                       INSERT ... ON CONFLICT (keys) DO UPDATE SET every other column
 * A missing target is created from the load's columns:
 *   BOOLEAN boolean, INTEGER integer, BIGINT bigint, DOUBLE double precision,
 *   DECIMAL(p,s) numeric(p,s) when SQLite's numeric affinity keeps it exact
 *   (p <= 15, or scale 0 and p <= 18), otherwise decimal_text(p,s) (text
 *   affinity: the exact digits), VARCHAR text, DATE date, TIMESTAMP
 *   timestamp (ISO text), INTERVAL text.
 * Any failure, or abort, rolls back: the target is as it was.  Memory: the
 * connection and two statements; the staged rows live in SQLite's temp
 * store (on disk past its cache). */
#include "connectors/sqlite.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "types/cast.h"
#include "types/decimal.h"

struct SqliteLoad {
    sqlite3 *db;
    char *path;
    LoadTarget t;
    sqlite3_stmt *insert;
    StrBuf text;   /* scratch for formatting values */
};

static void column_list(StrBuf *sb, SqliteLoad *l, const char *prefix)
{
    load_column_list(sb, &l->t, load_quote_ident, prefix);
}

static void key_list(StrBuf *sb, SqliteLoad *l) { load_key_list(sb, &l->t, load_quote_ident); }

/* The SQLite column type a kiln type is created with (see the top). */
static void declared_type(StrBuf *sb, LogicalType t, bool is_key)
{
    (void)is_key;
    switch (t.id) {
    case TYPE_BOOLEAN: strbuf_puts(sb, "boolean"); break;
    case TYPE_INTEGER: strbuf_puts(sb, "integer"); break;
    case TYPE_BIGINT: strbuf_puts(sb, "bigint"); break;
    case TYPE_DOUBLE: strbuf_puts(sb, "double precision"); break;
    case TYPE_DECIMAL:
        if (t.precision <= 15 || (t.scale == 0 && t.precision <= 18))
            strbuf_printf(sb, "numeric(%d,%d)", t.precision, t.scale);
        else
            strbuf_printf(sb, "decimal_text(%d,%d)", t.precision, t.scale);
        break;
    case TYPE_DATE: strbuf_puts(sb, "date"); break;
    case TYPE_TIMESTAMP: strbuf_puts(sb, "timestamp"); break;
    default: strbuf_puts(sb, "text"); break;
    }
}

static bool exec_sql(SqliteLoad *l, const char *sql, Error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(l->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        error_set(err, ERR_DATA, "loading warehouse table \"%s\" in \"%s\": %s", l->t.table, l->path,
                  msg ? msg : sqlite3_errmsg(l->db));
        sqlite3_free(msg);
        return false;
    }
    return true;
}

static void load_free(SqliteLoad *l)
{
    sqlite3_finalize(l->insert);
    sqlite3_close(l->db);
    load_target_free(&l->t);
    mem_free(l->path);
    strbuf_free(&l->text);
    mem_free(l);
}

SqliteLoad *sqlite_load_begin(const char *path, const LoadSpec *spec, int ncols, char *const *names,
                              const LogicalType *types, Error *err)
{
    SqliteLoad *l = mem_calloc(1, sizeof *l);
    l->path = mem_strdup(path);
    if (!load_target_init(&l->t, spec, ncols, names, types, err)) {
        load_free(l);
        return NULL;
    }
    if (sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        error_set(err, ERR_IO, "could not open SQLite warehouse \"%s\": %s", path,
                  l->db ? sqlite3_errmsg(l->db) : "out of memory");
        load_free(l);
        return NULL;
    }
    sqlite3_busy_timeout(l->db, 30000);
    StrBuf sql = STRBUF_INIT;
    load_stage_sql(&sql, "CREATE TEMP TABLE", &l->t, load_quote_ident, declared_type, NULL, NULL);
    bool ok = exec_sql(l, "BEGIN IMMEDIATE", err) && exec_sql(l, strbuf_cstr(&sql), err);
    if (ok) {
        strbuf_clear(&sql);
        strbuf_puts(&sql, "INSERT INTO temp.kiln_stage VALUES (");
        for (int c = 0; c < ncols; c++) strbuf_puts(&sql, c ? ", ?" : "?");
        strbuf_puts(&sql, ")");
        if (sqlite3_prepare_v2(l->db, strbuf_cstr(&sql), -1, &l->insert, NULL) != SQLITE_OK)
            ok = error_set(err, ERR_INTERNAL, "SQLite: %s", sqlite3_errmsg(l->db));
    }
    strbuf_free(&sql);
    if (!ok) {
        sqlite_load_abort(l);
        return NULL;
    }
    return l;
}

/* Bind row `row` of column vector v as parameter c+1. */
static bool bind_value(SqliteLoad *l, int c, const Vector *v, uint32_t row, Error *err)
{
    sqlite3_stmt *st = l->insert;
    int p = c + 1;
    if (!vector_is_valid(v, row)) return sqlite3_bind_null(st, p) == SQLITE_OK;
    switch (v->type.id) {
    case TYPE_BOOLEAN: return sqlite3_bind_int(st, p, VEC_DATA(v, uint8_t)[row]) == SQLITE_OK;
    case TYPE_INTEGER: return sqlite3_bind_int(st, p, VEC_DATA(v, int32_t)[row]) == SQLITE_OK;
    case TYPE_BIGINT: return sqlite3_bind_int64(st, p, VEC_DATA(v, int64_t)[row]) == SQLITE_OK;
    case TYPE_DOUBLE: {
        double d = VEC_DATA(v, double)[row];
        if (isnan(d)) return error_set(err, ERR_DATA, "column \"%s\": SQLite cannot store NaN", l->t.names[c]);
        return sqlite3_bind_double(st, p, d) == SQLITE_OK;
    }
    case TYPE_DECIMAL: {
        kiln_int128 x = decimal_load(v, row);
        if (v->type.scale == 0 && x >= INT64_MIN && x <= INT64_MAX)
            return sqlite3_bind_int64(st, p, (int64_t)x) == SQLITE_OK;
        char buf[DECIMAL_TEXT_MAX];
        size_t n = decimal_format(x, v->type.scale, buf);
        return sqlite3_bind_text(st, p, buf, (int)n, SQLITE_TRANSIENT) == SQLITE_OK;
    }
    case TYPE_VARCHAR: {
        const KString *k = &VEC_DATA(v, KString)[row];
        return sqlite3_bind_text(st, p, kstring_data(k), (int)k->len, SQLITE_TRANSIENT) == SQLITE_OK;
    }
    default:
        strbuf_clear(&l->text);
        cast_format_value(v, row, &l->text);
        return sqlite3_bind_text(st, p, strbuf_cstr(&l->text), -1, SQLITE_TRANSIENT) == SQLITE_OK;
    }
}

bool sqlite_load_batch(SqliteLoad *l, const Batch *b, Error *err)
{
    for (uint32_t i = 0; i < b->count; i++) {
        uint32_t row = batch_row(b, i);
        for (int c = 0; c < l->t.ncols; c++)
            if (!bind_value(l, c, b->cols[c], row, err)) {
                if (!error_failed(err)) error_set(err, ERR_INTERNAL, "SQLite: %s", sqlite3_errmsg(l->db));
                return false;
            }
        if (sqlite3_step(l->insert) != SQLITE_DONE) {
            error_set(err, ERR_DATA, "loading warehouse table \"%s\" in \"%s\": %s", l->t.table, l->path,
                      sqlite3_errmsg(l->db));
            sqlite3_reset(l->insert);
            return false;
        }
        sqlite3_reset(l->insert);
    }
    return true;
}

static bool table_exists(SqliteLoad *l, bool *exists, Error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(l->db, "SELECT 1 FROM main.sqlite_master WHERE type IN ('table','view') AND name = ?", -1,
                           &st, NULL) != SQLITE_OK)
        return error_set(err, ERR_INTERNAL, "SQLite: %s", sqlite3_errmsg(l->db));
    sqlite3_bind_text(st, 1, l->t.table, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *exists = rc == SQLITE_ROW;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return error_set(err, ERR_IO, "SQLite: %s", sqlite3_errmsg(l->db));
    return true;
}

static bool apply(SqliteLoad *l, Error *err)
{
    bool exists = false;
    if (!table_exists(l, &exists, err)) return false;
    StrBuf sql = STRBUF_INIT;
    bool ok = true;
    if (!exists) {
        strbuf_puts(&sql, "CREATE TABLE ");
        load_quote_ident(&sql, l->t.table);
        strbuf_puts(&sql, " (");
        load_column_defs(&sql, &l->t, load_quote_ident, declared_type, false);
        strbuf_puts(&sql, ")");
        ok = exec_sql(l, strbuf_cstr(&sql), err);
    }
    if (ok && l->t.mode == LOAD_OVERWRITE) {
        strbuf_clear(&sql);
        strbuf_puts(&sql, "DELETE FROM ");
        load_quote_ident(&sql, l->t.table);
        ok = exec_sql(l, strbuf_cstr(&sql), err);
    }
    if (ok && l->t.mode == LOAD_REPLACE_PARTITIONS) {
        strbuf_clear(&sql);
        strbuf_puts(&sql, "DELETE FROM ");
        load_quote_ident(&sql, l->t.table);
        strbuf_puts(&sql, " WHERE (");
        key_list(&sql, l);
        strbuf_puts(&sql, ") IN (SELECT ");
        key_list(&sql, l);
        strbuf_puts(&sql, " FROM temp.kiln_stage)");
        ok = exec_sql(l, strbuf_cstr(&sql), err);
    }
    if (ok && l->t.mode == LOAD_UPSERT) {
        /* ON CONFLICT needs a unique index on exactly the keys */
        strbuf_clear(&sql);
        strbuf_puts(&sql, "CREATE UNIQUE INDEX IF NOT EXISTS ");
        StrBuf iname = STRBUF_INIT;
        strbuf_printf(&iname, "%s_kiln_key", l->t.table);
        load_quote_ident(&sql, strbuf_cstr(&iname));
        strbuf_free(&iname);
        strbuf_puts(&sql, " ON ");
        load_quote_ident(&sql, l->t.table);
        strbuf_puts(&sql, " (");
        key_list(&sql, l);
        strbuf_puts(&sql, ")");
        ok = exec_sql(l, strbuf_cstr(&sql), err);
        if (!ok) error_prefix(err, "upsert needs the KEY columns to be unique in the target");
    }
    if (ok) {
        strbuf_clear(&sql);
        strbuf_puts(&sql, "INSERT INTO ");
        load_quote_ident(&sql, l->t.table);
        strbuf_puts(&sql, " (");
        column_list(&sql, l, "");
        strbuf_puts(&sql, ") SELECT ");
        column_list(&sql, l, "");
        strbuf_puts(&sql, " FROM temp.kiln_stage");
        if (l->t.mode == LOAD_UPSERT) {
            /* "WHERE true" keeps SQLite's parser from reading ON as a join's */
            strbuf_puts(&sql, " WHERE true ORDER BY rowid ON CONFLICT (");
            key_list(&sql, l);
            strbuf_puts(&sql, ") DO ");
            int nset = 0;
            for (int c = 0; c < l->t.ncols; c++) {
                if (load_target_is_key(&l->t, c)) continue;
                strbuf_puts(&sql, nset++ ? ", " : "UPDATE SET ");
                load_quote_ident(&sql, l->t.names[c]);
                strbuf_puts(&sql, " = excluded.");
                load_quote_ident(&sql, l->t.names[c]);
            }
            if (nset == 0) strbuf_puts(&sql, "NOTHING");
        }
        ok = exec_sql(l, strbuf_cstr(&sql), err);
    }
    strbuf_free(&sql);
    return ok && exec_sql(l, "DROP TABLE temp.kiln_stage", err) && exec_sql(l, "COMMIT", err);
}

bool sqlite_load_commit(SqliteLoad *l, Error *err)
{
    sqlite3_finalize(l->insert);
    l->insert = NULL;
    if (!apply(l, err)) {
        sqlite_load_abort(l);
        return false;
    }
    load_free(l);
    return true;
}

void sqlite_load_abort(SqliteLoad *l)
{
    if (l == NULL) return;
    sqlite3_finalize(l->insert);
    l->insert = NULL;
    if (l->db && !sqlite3_get_autocommit(l->db)) sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
    load_free(l);
}
