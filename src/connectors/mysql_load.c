/* mysql_load: loading query results into a MySQL/MariaDB warehouse table so
 * that readers see the table as it was or as loaded, never between.
 *
 * my_load_begin connects (strict sql_mode: a value MySQL would truncate or
 * zero is an error, not a silent change) and creates a temporary table
 * kiln_stage with the load's columns plus an ordinal; batches go into it as
 * multi-row INSERTs of up to ~1 MiB (a temporary table is private to the
 * connection and vanishes with it, whatever happens to kiln).
 * my_load_commit then applies the mode.  MySQL commits implicitly around
 * DDL, so DDL never runs inside the load's transaction:
 *   target missing:  CREATE TABLE `t_kiln_new`, fill it from the stage,
 *                    then RENAME TABLE `t_kiln_new` TO `t` (atomic: the
 *                    table appears whole or not at all)
 *   target present:  upsert first makes sure of a unique index on the KEY
 *                    (ALTER TABLE ... ADD UNIQUE, which changes no row);
 *                    then START TRANSACTION;
 *                    overwrite           DELETE FROM t (not TRUNCATE: DDL)
 *                    replace_partitions  DELETE FROM t WHERE (keys) IN (SELECT keys FROM kiln_stage)
 *                    then INSERT INTO t (cols) SELECT cols FROM kiln_stage ORDER BY kiln_ord
 *                    [ON DUPLICATE KEY UPDATE c = VALUES(c), ...: rows apply in
 *                    load order, so the last row of a key wins, as in SQLite]
 *                    COMMIT
 * A target on a non-transactional engine (MyISAM, Aria) is refused: its
 * rows could not be rolled back.  A failure anywhere, or the connection
 * dropping, rolls back; readers see the old table.
 * Created tables use BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL(p,s) (scale at
 * most 30, MySQL's limit), DATE, DATETIME(6) for TIMESTAMP, VARCHAR(64)
 * holding the text of an INTERVAL, LONGTEXT for VARCHAR (VARCHAR(768) for a
 * KEY column, which MySQL must index); InnoDB, utf8mb4.
 * Memory: the connection and one INSERT statement's text. */
#include "connectors/mysql.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "connectors/conninfo.h"
#include "connectors/libmariadb_api.h"
#include "types/cast.h"
#include "types/decimal.h"

#define MY_INSERT_BYTES (1u << 20) /* flush the staging INSERT past this size */
#define MY_MAX_SCALE 30            /* MySQL's DECIMAL scale limit */

struct MyLoad {
    const LibmariadbApi *my; /* libmariadb's functions (loaded on first use); NULL until then */
    MYSQL *conn;
    char *shown; /* connection without password, for errors */
    LoadTarget t;
    char *new_table; /* `t_kiln_new` while it exists (target missing) */
    StrBuf insert;   /* the staging INSERT being built */
    int insert_rows;
    StrBuf value;    /* one formatted value */
    char *escaped;   /* mysql_real_escape_string's output */
    size_t escaped_cap;
};

/* "db.table" -> `db`.`table` */
static void quote_table(StrBuf *sb, const char *table) { load_quote_table(sb, table, my_quote_ident); }

static void my_type_of(StrBuf *sb, LogicalType t, bool is_key)
{
    switch (t.id) {
    case TYPE_BOOLEAN: strbuf_puts(sb, "BOOLEAN"); break;
    case TYPE_INTEGER: strbuf_puts(sb, "INT"); break;
    case TYPE_BIGINT: strbuf_puts(sb, "BIGINT"); break;
    case TYPE_DOUBLE: strbuf_puts(sb, "DOUBLE"); break;
    case TYPE_DECIMAL: strbuf_printf(sb, "DECIMAL(%d,%d)", t.precision, t.scale); break;
    case TYPE_DATE: strbuf_puts(sb, "DATE"); break;
    case TYPE_TIMESTAMP: strbuf_puts(sb, "DATETIME(6)"); break;
    case TYPE_INTERVAL: strbuf_puts(sb, "VARCHAR(64)"); break;
    default: strbuf_puts(sb, is_key ? "VARCHAR(768)" : "LONGTEXT"); break;
    }
}

static bool fail(MyLoad *l, Error *err, const char *what, const char *msg)
{
    error_set(err, ERR_IO, "loading warehouse table \"%s\": %s: %s", l->t.table, what, msg ? msg : "");
    error_set_location(err, l->shown, 0, 0);
    return false;
}

static bool exec_sql(MyLoad *l, const char *sql, Error *err)
{
    if (l->my->real_query(l->conn, sql, strlen(sql)) != 0) return fail(l, err, "MySQL", l->my->error(l->conn));
    MYSQL_RES *res = l->my->store_result(l->conn);
    if (res) l->my->free_result(res);
    return true;
}

static void load_free(MyLoad *l)
{
    if (l->conn) l->my->close(l->conn);
    load_target_free(&l->t);
    mem_free(l->new_table);
    mem_free(l->shown);
    mem_free(l->escaped);
    strbuf_free(&l->insert);
    strbuf_free(&l->value);
    mem_free(l);
}

static void column_list(StrBuf *sb, const MyLoad *l) { load_column_list(sb, &l->t, my_quote_ident, ""); }

static void key_list(StrBuf *sb, const MyLoad *l) { load_key_list(sb, &l->t, my_quote_ident); }

/* The column definitions of a new table (with the KEY's unique index for upsert). */
static void column_defs(StrBuf *sb, const MyLoad *l, bool unique_key)
{
    load_column_defs(sb, &l->t, my_quote_ident, my_type_of, unique_key);
    if (unique_key && l->t.nkeys > 0) {
        strbuf_puts(sb, ", UNIQUE KEY `kiln_key` (");
        key_list(sb, l);
        strbuf_putc(sb, ')');
    }
}

MyLoad *my_load_begin(const char *url, const LoadSpec *spec, int ncols, char *const *names, const LogicalType *types,
                      Error *err)
{
    MyLoad *l = mem_calloc(1, sizeof *l);
    l->shown = conninfo_redact(url);
    bool ok = load_target_init(&l->t, spec, ncols, names, types, err);
    for (int c = 0; c < ncols && ok; c++)
        if (types[c].id == TYPE_DECIMAL && types[c].scale > MY_MAX_SCALE)
            ok = error_set(err, ERR_SQL, "column \"%s\" is DECIMAL(%d,%d): MySQL holds at most %d decimal places (round it)",
                           names[c], types[c].precision, types[c].scale, MY_MAX_SCALE);
    if (!ok) {
        load_free(l);
        return NULL;
    }
    l->conn = my_connect(url, &l->my, err);
    if (l->conn == NULL) {
        error_prefix(err, "loading warehouse table \"%s\"", l->t.table);
        load_free(l);
        return NULL;
    }
    StrBuf sql = STRBUF_INIT;
    load_stage_sql(&sql, "CREATE TEMPORARY TABLE", &l->t, my_quote_ident, my_type_of,
                   "kiln_ord BIGINT AUTO_INCREMENT PRIMARY KEY", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
    ok = exec_sql(l, "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'",
                  err) &&
         exec_sql(l, strbuf_cstr(&sql), err);
    strbuf_free(&sql);
    if (!ok) {
        my_load_abort(l);
        return NULL;
    }
    return l;
}

/* Send the staging INSERT built so far. */
static bool flush_insert(MyLoad *l, Error *err)
{
    if (l->insert_rows == 0) return true;
    bool ok = l->my->real_query(l->conn, l->insert.data, l->insert.len) == 0 ||
              fail(l, err, "sending rows", l->my->error(l->conn));
    strbuf_clear(&l->insert);
    l->insert_rows = 0;
    return ok;
}

/* Append s[0..n) to sb as a quoted string literal. */
static void put_string(MyLoad *l, StrBuf *sb, const char *s, size_t n)
{
    if (l->escaped_cap < 2 * n + 1) {
        l->escaped_cap = 2 * n + 1;
        mem_free(l->escaped);
        l->escaped = mem_alloc(l->escaped_cap);
    }
    unsigned long len = l->my->real_escape_string(l->conn, l->escaped, s, (unsigned long)n);
    strbuf_putc(sb, '\'');
    strbuf_append(sb, l->escaped, len);
    strbuf_putc(sb, '\'');
}

static bool put_value(MyLoad *l, const Vector *v, uint32_t row, int c, Error *err)
{
    if (!vector_is_valid(v, row)) {
        strbuf_puts(&l->insert, "NULL");
        return true;
    }
    switch (v->type.id) {
    case TYPE_BOOLEAN: strbuf_puts(&l->insert, VEC_DATA(v, uint8_t)[row] ? "TRUE" : "FALSE"); return true;
    case TYPE_VARCHAR: {
        const KString *k = &VEC_DATA(v, KString)[row];
        put_string(l, &l->insert, kstring_data(k), k->len);
        return true;
    }
    case TYPE_DOUBLE:
        if (!isfinite(VEC_DATA(v, double)[row]))
            return error_set(err, ERR_DATA, "column \"%s\": MySQL cannot hold NaN or infinity", l->t.names[c]);
        /* fall through */
    case TYPE_INTEGER:
    case TYPE_BIGINT:
    case TYPE_DECIMAL:
        strbuf_clear(&l->value);
        cast_format_value(v, row, &l->value);
        strbuf_append(&l->insert, l->value.data, l->value.len);
        return true;
    default: /* dates, timestamps, intervals: their text, quoted */
        strbuf_clear(&l->value);
        cast_format_value(v, row, &l->value);
        put_string(l, &l->insert, l->value.data, l->value.len);
        return true;
    }
}

bool my_load_batch(MyLoad *l, const Batch *b, Error *err)
{
    for (uint32_t i = 0; i < b->count; i++) {
        uint32_t row = batch_row(b, i);
        if (l->insert_rows == 0) {
            strbuf_puts(&l->insert, "INSERT INTO kiln_stage (");
            column_list(&l->insert, l);
            strbuf_puts(&l->insert, ") VALUES ");
        } else {
            strbuf_puts(&l->insert, ", ");
        }
        strbuf_putc(&l->insert, '(');
        for (int c = 0; c < l->t.ncols; c++) {
            if (c) strbuf_puts(&l->insert, ", ");
            if (!put_value(l, b->cols[c], row, c, err)) return false;
        }
        strbuf_putc(&l->insert, ')');
        l->insert_rows++;
        if (l->insert.len >= MY_INSERT_BYTES && !flush_insert(l, err)) return false;
    }
    return true;
}

/* "db.t" -> the information_schema condition naming the target table */
static void schema_filter(MyLoad *l, StrBuf *sb)
{
    const char *table = l->t.table;
    const char *dot = strchr(table, '.');
    if (dot) {
        strbuf_puts(sb, "table_schema = ");
        put_string(l, sb, table, (size_t)(dot - table));
        strbuf_puts(sb, " AND table_name = ");
        put_string(l, sb, dot + 1, strlen(dot + 1));
    } else {
        strbuf_puts(sb, "table_schema = DATABASE() AND table_name = ");
        put_string(l, sb, table, strlen(table));
    }
}

/* Run a query returning at most one row of one column; *value NULL if no row. */
static bool query_value(MyLoad *l, const char *sql, char **value, Error *err)
{
    *value = NULL;
    if (l->my->real_query(l->conn, sql, strlen(sql)) != 0) return fail(l, err, "MySQL", l->my->error(l->conn));
    MYSQL_RES *res = l->my->store_result(l->conn);
    if (res == NULL) return fail(l, err, "MySQL", l->my->error(l->conn));
    MYSQL_ROW r = l->my->fetch_row(res);
    if (r && r[0]) *value = mem_strdup(r[0]);
    else if (r) *value = mem_strdup("");
    l->my->free_result(res);
    return true;
}

/* INSERT INTO <into> (cols) SELECT cols FROM kiln_stage ORDER BY kiln_ord [ON DUPLICATE KEY UPDATE ...] */
static bool insert_from_stage(MyLoad *l, const char *into_quoted, Error *err)
{
    StrBuf sql = STRBUF_INIT;
    strbuf_printf(&sql, "INSERT INTO %s (", into_quoted);
    column_list(&sql, l);
    strbuf_puts(&sql, ") SELECT ");
    column_list(&sql, l);
    strbuf_puts(&sql, " FROM kiln_stage ORDER BY kiln_ord");
    if (l->t.mode == LOAD_UPSERT) {
        strbuf_puts(&sql, " ON DUPLICATE KEY UPDATE ");
        int nset = 0;
        for (int c = 0; c < l->t.ncols; c++) {
            if (load_target_is_key(&l->t, c) && !(c == l->t.key_cols[0] && l->t.nkeys == l->t.ncols)) continue;
            if (nset++) strbuf_puts(&sql, ", ");
            my_quote_ident(&sql, l->t.names[c]);
            strbuf_puts(&sql, " = VALUES(");
            my_quote_ident(&sql, l->t.names[c]);
            strbuf_putc(&sql, ')');
        }
    }
    bool ok = exec_sql(l, strbuf_cstr(&sql), err);
    strbuf_free(&sql);
    return ok;
}

/* The target is missing: build it whole under another name, then rename. */
static bool create_target(MyLoad *l, Error *err)
{
    StrBuf new_name = STRBUF_INIT;
    strbuf_printf(&new_name, "%s_kiln_new", l->t.table);
    StrBuf quoted = STRBUF_INIT;
    quote_table(&quoted, strbuf_cstr(&new_name));
    StrBuf sql = STRBUF_INIT;
    strbuf_printf(&sql, "DROP TABLE IF EXISTS %s", strbuf_cstr(&quoted)); /* left by a load that died */
    bool ok = exec_sql(l, strbuf_cstr(&sql), err);
    if (ok) {
        strbuf_clear(&sql);
        strbuf_printf(&sql, "CREATE TABLE %s (", strbuf_cstr(&quoted));
        column_defs(&sql, l, l->t.mode == LOAD_UPSERT);
        strbuf_puts(&sql, ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
        ok = exec_sql(l, strbuf_cstr(&sql), err);
    }
    if (ok) l->new_table = strbuf_take(&new_name);
    ok = ok && insert_from_stage(l, strbuf_cstr(&quoted), err);
    if (ok) {
        strbuf_clear(&sql);
        strbuf_printf(&sql, "RENAME TABLE %s TO ", strbuf_cstr(&quoted));
        quote_table(&sql, l->t.table);
        ok = exec_sql(l, strbuf_cstr(&sql), err);
    }
    if (ok) {
        mem_free(l->new_table);
        l->new_table = NULL;
    }
    strbuf_free(&new_name);
    strbuf_free(&quoted);
    strbuf_free(&sql);
    return ok;
}

/* upsert into an existing table: a unique index on exactly the KEY columns. */
static bool ensure_unique_key(MyLoad *l, Error *err)
{
    StrBuf sql = STRBUF_INIT;
    strbuf_puts(&sql, "SELECT index_name FROM information_schema.statistics WHERE ");
    schema_filter(l, &sql);
    strbuf_printf(&sql, " AND non_unique = 0 GROUP BY index_name HAVING COUNT(*) = %d AND SUM(column_name IN (", l->t.nkeys);
    for (int k = 0; k < l->t.nkeys; k++) {
        if (k) strbuf_puts(&sql, ", ");
        const char *name = l->t.names[l->t.key_cols[k]];
        put_string(l, &sql, name, strlen(name));
    }
    strbuf_printf(&sql, ")) = %d LIMIT 1", l->t.nkeys);
    char *index = NULL;
    bool ok = query_value(l, strbuf_cstr(&sql), &index, err);
    if (ok && index == NULL) {
        strbuf_clear(&sql);
        strbuf_puts(&sql, "ALTER TABLE ");
        quote_table(&sql, l->t.table);
        strbuf_puts(&sql, " ADD UNIQUE KEY `kiln_key` (");
        key_list(&sql, l);
        strbuf_putc(&sql, ')');
        ok = exec_sql(l, strbuf_cstr(&sql), err);
        if (!ok) error_prefix(err, "upsert needs the KEY columns to be unique in the target");
    }
    mem_free(index);
    strbuf_free(&sql);
    return ok;
}

static bool apply(MyLoad *l, Error *err)
{
    StrBuf sql = STRBUF_INIT;
    strbuf_puts(&sql, "SELECT engine FROM information_schema.tables WHERE ");
    schema_filter(l, &sql);
    char *engine = NULL;
    bool ok = query_value(l, strbuf_cstr(&sql), &engine, err);
    if (ok && engine == NULL) {
        strbuf_free(&sql);
        return create_target(l, err);
    }
    if (ok && strcasecmp(engine, "InnoDB") != 0)
        ok = fail(l, err, "refused", "the table's engine cannot roll back a failed load (convert it to InnoDB)");
    mem_free(engine);
    if (ok && l->t.mode == LOAD_UPSERT) ok = ensure_unique_key(l, err);
    ok = ok && exec_sql(l, "START TRANSACTION", err);
    if (ok && (l->t.mode == LOAD_OVERWRITE || l->t.mode == LOAD_REPLACE_PARTITIONS)) {
        strbuf_clear(&sql);
        load_delete_sql(&sql, &l->t, my_quote_ident, "kiln_stage");
        ok = exec_sql(l, strbuf_cstr(&sql), err);
    }
    if (ok) {
        strbuf_clear(&sql);
        quote_table(&sql, l->t.table);
        char *target = strbuf_take(&sql);
        ok = insert_from_stage(l, target, err);
        mem_free(target);
    }
    strbuf_free(&sql);
    return ok && exec_sql(l, "COMMIT", err);
}

bool my_load_commit(MyLoad *l, Error *err)
{
    bool ok = flush_insert(l, err) && apply(l, err);
    if (!ok) {
        my_load_abort(l);
        return false;
    }
    load_free(l);
    return true;
}

void my_load_abort(MyLoad *l)
{
    if (l == NULL) return;
    if (l->conn) {
        l->my->query(l->conn, "ROLLBACK");
        if (l->new_table) {
            StrBuf sql = STRBUF_INIT;
            strbuf_puts(&sql, "DROP TABLE IF EXISTS ");
            quote_table(&sql, l->new_table);
            l->my->query(l->conn, strbuf_cstr(&sql));
            strbuf_free(&sql);
        }
    }
    load_free(l);
}
