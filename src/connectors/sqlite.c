/* sqlite: reading SQLite tables and queries into kiln batches (see
 * sqlite.h for the type mapping).
 *
 * A scan prepares one statement that selects only the projected columns
 * (`SELECT "a", "c" FROM "t"`, or `... FROM (<query>) AS kiln_q`) and steps
 * it, converting each value by its storage class into the column's kiln
 * type: integers and reals directly, text through kiln's PostgreSQL-rule
 * parsers (cast.h), so '2024-01-31' reads as a DATE and '1.50' as a
 * DECIMAL exactly.  Memory: the SQLite connection and statement, plus the
 * caller's output batch (strings are copied into its vectors' heaps). */
#include "connectors/sqlite.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "types/cast.h"
#include "types/decimal.h"

struct SqliteReader {
    sqlite3 *db;
    sqlite3_stmt *stmt;
    char *sql;
    char *what;   /* "table \"t\"" or "query": for errors */
    int ncols;
    char **names; /* borrowed from the schema, projected */
    int64_t row;  /* rows read so far */
    bool done;
};

static bool contains_ci(const char *s, const char *word) { return strcasestr(s, word) != NULL; }

bool sqlite_map_declared_type(const char *decl, LogicalType *out)
{
    while (decl && isspace((unsigned char)*decl)) decl++;
    if (decl == NULL || *decl == '\0') {
        *out = type_make(TYPE_VARCHAR);
        return true;
    }
    if (contains_ci(decl, "BOOL")) *out = type_make(TYPE_BOOLEAN);
    else if (contains_ci(decl, "INT") && strncasecmp(decl, "INTERVAL", 8) != 0) *out = type_make(TYPE_BIGINT);
    else if (strncasecmp(decl, "DECIMAL", 7) == 0 || strncasecmp(decl, "NUMERIC", 7) == 0) {
        int p = DECIMAL_DEFAULT_PRECISION, s = DECIMAL_DEFAULT_SCALE;
        const char *paren = strchr(decl, '(');
        if (paren) {
            char *end;
            long lp = strtol(paren + 1, &end, 10), ls = 0;
            while (isspace((unsigned char)*end)) end++;
            if (*end == ',') ls = strtol(end + 1, &end, 10);
            while (isspace((unsigned char)*end)) end++;
            if (*end != ')' || lp < 1 || lp > DECIMAL_MAX_PRECISION || ls < 0 || ls > lp) return false;
            p = (int)lp;
            s = (int)ls;
        }
        *out = type_decimal(p, s);
    } else if (contains_ci(decl, "CHAR") || contains_ci(decl, "CLOB") || contains_ci(decl, "TEXT"))
        *out = type_make(TYPE_VARCHAR);
    else if (contains_ci(decl, "REAL") || contains_ci(decl, "FLOA") || contains_ci(decl, "DOUB"))
        *out = type_make(TYPE_DOUBLE);
    else if (strcasecmp(decl, "DATE") == 0) *out = type_make(TYPE_DATE);
    else if (contains_ci(decl, "DATETIME") || contains_ci(decl, "TIMESTAMP")) *out = type_make(TYPE_TIMESTAMP);
    else *out = type_make(TYPE_VARCHAR);
    return true;
}

/* A table (or schema.table) name rather than a query: letters, digits, _ . $ */
static bool is_identifier(const char *s)
{
    if (!(isalpha((unsigned char)*s) || *s == '_')) return false;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '.' || *s == '$')) return false;
    return true;
}

/* "a.b" -> "\"a\".\"b\"" */
static void quote_name(StrBuf *sb, const char *name, bool split_dots)
{
    strbuf_putc(sb, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"') strbuf_putc(sb, '"');
        if (*p == '.' && split_dots) {
            strbuf_puts(sb, "\".\"");
            continue;
        }
        strbuf_putc(sb, *p);
    }
    strbuf_putc(sb, '"');
}

static sqlite3 *open_db(const char *path, Error *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        error_set(err, ERR_IO, "could not open SQLite database \"%s\": %s", path, strerror(errno));
        return NULL;
    }
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        error_set(err, ERR_IO, "could not open SQLite database \"%s\": %s", path, db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 10000);
    return db;
}

static bool prepare(sqlite3 *db, const char *path, const char *sql, sqlite3_stmt **st, Error *err)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) {
        error_set(err, ERR_SQL, "SQLite database \"%s\": %s", path, sqlite3_errmsg(db));
        sqlite3_finalize(*st);
        *st = NULL;
        return false;
    }
    return true;
}

bool sqlite_describe(const char *path, const char *source, SqliteSchema *out, Error *err)
{
    memset(out, 0, sizeof *out);
    sqlite3 *db = open_db(path, err);
    if (db == NULL) return false;
    out->is_table = is_identifier(source);
    StrBuf sql = STRBUF_INIT;
    if (out->is_table) {
        strbuf_puts(&sql, "SELECT * FROM ");
        quote_name(&sql, source, true);
    } else {
        strbuf_puts(&sql, source);
    }
    sqlite3_stmt *st = NULL;
    bool ok = prepare(db, path, strbuf_cstr(&sql), &st, err);
    if (ok && !sqlite3_stmt_readonly(st))
        ok = error_set(err, ERR_SQL, "read_sqlite takes a table name or a read-only query, not \"%s\"", source);
    if (ok && sqlite3_column_count(st) == 0)
        ok = error_set(err, ERR_SQL, "read_sqlite: \"%s\" returns no columns", source);
    if (ok) {
        int n = sqlite3_column_count(st);
        out->ncols = n;
        out->names = mem_calloc((size_t)n, sizeof(char *));
        out->types = mem_calloc((size_t)n, sizeof(LogicalType));
        int first_row = -1; /* not stepped yet */
        for (int c = 0; c < n && ok; c++) {
            out->names[c] = mem_strdup(sqlite3_column_name(st, c));
            for (int k = 0; k < c && ok; k++)
                if (strcmp(out->names[k], out->names[c]) == 0)
                    ok = error_set(err, ERR_SQL, "read_sqlite: column name \"%s\" appears twice; give the columns distinct aliases",
                                   out->names[c]);
            const char *decl = sqlite3_column_decltype(st, c);
            if (!ok) break;
            if (decl) {
                if (!sqlite_map_declared_type(decl, &out->types[c]))
                    ok = error_set(err, ERR_SQL, "SQLite column \"%s\" has an unsupported type \"%s\"", out->names[c], decl);
                continue;
            }
            /* an expression: the storage class of its first value decides
             * (VARCHAR when there is no row) */
            if (first_row < 0) {
                int rc = sqlite3_step(st);
                if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
                    ok = error_set(err, ERR_DATA, "SQLite database \"%s\": %s", path, sqlite3_errmsg(db));
                    break;
                }
                first_row = rc == SQLITE_ROW;
            }
            if (!first_row) {
                out->types[c] = type_make(TYPE_VARCHAR);
                continue;
            }
            int cls = sqlite3_column_type(st, c);
            out->types[c] = type_make(cls == SQLITE_INTEGER ? TYPE_BIGINT : cls == SQLITE_FLOAT ? TYPE_DOUBLE : TYPE_VARCHAR);
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    strbuf_free(&sql);
    if (!ok) sqlite_schema_free(out);
    return ok;
}

void sqlite_schema_free(SqliteSchema *s)
{
    for (int c = 0; s->names && c < s->ncols; c++) mem_free(s->names[c]);
    mem_free(s->names);
    mem_free(s->types);
    memset(s, 0, sizeof *s);
}

SqliteReader *sqlite_reader_open(const char *path, const char *source, const SqliteSchema *schema, const int *cols,
                                 int ncols, Error *err)
{
    sqlite3 *db = open_db(path, err);
    if (db == NULL) return NULL;
    SqliteReader *r = mem_calloc(1, sizeof *r);
    r->db = db;
    r->ncols = ncols;
    r->names = mem_calloc((size_t)ncols + 1, sizeof(char *));
    StrBuf sql = STRBUF_INIT;
    strbuf_puts(&sql, "SELECT ");
    for (int i = 0; i < ncols; i++) {
        r->names[i] = schema->names[cols[i]];
        if (i) strbuf_puts(&sql, ", ");
        quote_name(&sql, r->names[i], false);
    }
    if (ncols == 0) strbuf_puts(&sql, "NULL"); /* only the row count is needed */
    strbuf_puts(&sql, " FROM ");
    StrBuf what = STRBUF_INIT;
    if (schema->is_table) {
        quote_name(&sql, source, true);
        strbuf_printf(&what, "SQLite table \"%s\"", source);
    } else {
        strbuf_printf(&sql, "(%s) AS kiln_q", source);
        strbuf_puts(&what, "SQLite query");
    }
    r->sql = strbuf_take(&sql);
    r->what = strbuf_take(&what);
    if (!prepare(db, path, r->sql, &r->stmt, err)) {
        sqlite_reader_close(r);
        return NULL;
    }
    return r;
}

const char *sqlite_reader_sql(const SqliteReader *r) { return r->sql; }

static bool type_error(Error *err, const char *found, LogicalType t)
{
    char tn[64];
    return error_set(err, ERR_DATA, "%s value cannot be read as %s", found, type_name(t, tn, sizeof tn));
}

/* Convert column c of the current row into slot `row` of v. */
static bool read_value(sqlite3_stmt *st, int c, Vector *v, uint32_t row, Error *err)
{
    int cls = sqlite3_column_type(st, c);
    if (cls == SQLITE_NULL) {
        vector_set_null(v, row);
        return true;
    }
    LogicalType t = v->type;
    if (cls == SQLITE_BLOB) {
        if (t.id != TYPE_VARCHAR) return type_error(err, "a BLOB", t);
        /* as PostgreSQL prints bytea: \x and hex digits */
        const unsigned char *p = sqlite3_column_blob(st, c);
        int n = sqlite3_column_bytes(st, c);
        char *s = vector_string_space(v, (uint32_t)(2 + 2 * n));
        static const char hex[] = "0123456789abcdef";
        s[0] = '\\';
        s[1] = 'x';
        for (int i = 0; i < n; i++) {
            s[2 + 2 * i] = hex[p[i] >> 4];
            s[3 + 2 * i] = hex[p[i] & 15];
        }
        VEC_DATA(v, KString)[row] = kstring_make(s, (uint32_t)(2 + 2 * n));
        return true;
    }
    if (cls == SQLITE_TEXT || t.id == TYPE_VARCHAR) {
        const char *s = (const char *)sqlite3_column_text(st, c);
        int n = sqlite3_column_bytes(st, c);
        if (s == NULL) return error_set(err, ERR_INTERNAL, "out of memory reading SQLite text");
        if (t.id == TYPE_VARCHAR) {
            vector_set_string(v, row, s, (uint32_t)n);
            return true;
        }
        return cast_parse_text(s, (size_t)n, v, row, err);
    }
    if (cls == SQLITE_INTEGER) {
        int64_t i = sqlite3_column_int64(st, c);
        switch (t.id) {
        case TYPE_BIGINT: VEC_DATA(v, int64_t)[row] = i; return true;
        case TYPE_DOUBLE: VEC_DATA(v, double)[row] = (double)i; return true;
        case TYPE_BOOLEAN:
            if (i != 0 && i != 1) return error_set(err, ERR_DATA, "integer %lld cannot be read as boolean (0 or 1)", (long long)i);
            VEC_DATA(v, uint8_t)[row] = (uint8_t)i;
            return true;
        case TYPE_DECIMAL: {
            kiln_int128 d;
            if (!decimal_from_int64(i, t.precision, t.scale, &d, err)) return false;
            decimal_store(v, row, d);
            return true;
        }
        default: return type_error(err, "an integer", t);
        }
    }
    double d = sqlite3_column_double(st, c); /* SQLITE_FLOAT */
    switch (t.id) {
    case TYPE_DOUBLE: VEC_DATA(v, double)[row] = d; return true;
    case TYPE_BIGINT:
        if (d != floor(d) || !(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
            return error_set(err, ERR_DATA, "real value %.17g cannot be read as bigint", d);
        VEC_DATA(v, int64_t)[row] = (int64_t)d;
        return true;
    case TYPE_DECIMAL: {
        kiln_int128 x;
        if (!decimal_from_double(d, t.precision, t.scale, &x, err)) return false;
        decimal_store(v, row, x);
        return true;
    }
    default: return type_error(err, "a real", t);
    }
}

bool sqlite_reader_next(SqliteReader *r, Batch *out, Error *err)
{
    out->count = 0;
    uint32_t n = 0;
    while (!r->done && n < VECTOR_CAPACITY) {
        int rc = sqlite3_step(r->stmt);
        if (rc == SQLITE_DONE) {
            r->done = true;
            break;
        }
        if (rc != SQLITE_ROW)
            return error_set(err, ERR_DATA, "%s, row %lld: %s", r->what, (long long)r->row + 1, sqlite3_errmsg(r->db));
        r->row++;
        for (int c = 0; c < r->ncols; c++) {
            Vector *v = out->cols[c];
            vector_set_valid(v, n);
            if (!read_value(r->stmt, c, v, n, err)) {
                error_prefix(err, "%s, row %lld, column \"%s\"", r->what, (long long)r->row, r->names[c]);
                return false;
            }
        }
        n++;
    }
    out->count = n;
    return true;
}

void sqlite_reader_close(SqliteReader *r)
{
    if (r == NULL) return;
    sqlite3_finalize(r->stmt);
    sqlite3_close(r->db);
    mem_free(r->sql);
    mem_free(r->what);
    mem_free(r->names);
    mem_free(r);
}
