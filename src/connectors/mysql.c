/* mysql: reading MySQL/MariaDB tables and queries (see mysql.h for the type
 * mapping).
 *
 * Bind time: one connection prepares `SELECT * FROM <table or (query) AS
 * kiln_q>` (preparing runs nothing) and maps the result's metadata.
 * Execution: a new connection prepares and executes the SELECT naming only
 * the projected columns, with the binary protocol of prepared statements
 * (exact integers and doubles, dates as parts, decimals as text), and
 * fetches without storing the result: the server streams the rows and each
 * mysql_stmt_fetch decodes one into the bound buffers, from which it goes
 * straight into the output batch.  Strings longer than their buffer are
 * fetched again into a grown buffer (mysql_stmt_fetch_column).  libmariadb
 * is loaded on the first connection (connectors/libmariadb_api.h).
 * Memory: the connection, one fixed slot per column plus a string buffer
 * per string column (as long as its longest value), and the caller's batch. */
#include "connectors/mysql.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "connectors/conninfo.h"
#include "connectors/libmariadb_api.h"
#include "connectors/remote_sql.h"
#include "connectors/remote_error.h"
#include "types/datetime.h"
#include "types/decimal.h"

#define MY_BINARY_CHARSET 63 /* the "binary" character set: BLOB, BINARY, VARBINARY */
#define MY_STRING_BUFFER 256 /* first size of a string column's buffer */

bool my_is_url(const char *url)
{
    return url && (strncmp(url, "mysql://", 8) == 0 || strncmp(url, "mariadb://", 10) == 0);
}

bool my_locate(Error *err, const char *url) { return remote_error_locate(err, url); }

/* Apply the URL's sslmode (disable, require, verify-ca, verify-full) and sslrootcert. */
static bool set_tls(const LibmariadbApi *my, MYSQL *m, const ConnUrl *u, const char *url, Error *err)
{
    const char *mode = conninfo_param(u, "sslmode");
    if (mode == NULL) mode = conninfo_param(u, "ssl-mode");
    const char *ca = conninfo_param(u, "sslrootcert");
    if (ca) my->optionsv(m, MYSQL_OPT_SSL_CA, ca);
    if (mode == NULL || !strcasecmp(mode, "disable") || !strcasecmp(mode, "disabled") || !strcasecmp(mode, "prefer") ||
        !strcasecmp(mode, "preferred"))
        return true;
    my_bool on = 1;
    if (!strcasecmp(mode, "require") || !strcasecmp(mode, "required")) {
        my->optionsv(m, MYSQL_OPT_SSL_ENFORCE, &on);
        return true;
    }
    if (!strcasecmp(mode, "verify-ca") || !strcasecmp(mode, "verify_ca") || !strcasecmp(mode, "verify-full") ||
        !strcasecmp(mode, "verify_identity")) {
        my->optionsv(m, MYSQL_OPT_SSL_ENFORCE, &on);
        my->optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
        return true;
    }
    error_set(err, ERR_SQL, "sslmode must be disable, require, verify-ca or verify-full, not \"%s\"", mode);
    return my_locate(err, url);
}

MYSQL *my_connect(const char *url, const LibmariadbApi **my_out, Error *err)
{
    const LibmariadbApi *my = *my_out = libmariadb_api(err); /* loaded (and initialised) on first use */
    if (my == NULL) {
        my_locate(err, url);
        return NULL;
    }
    ConnUrl u;
    if (!conninfo_parse_url(url, &u, err)) return NULL;
    if (!my_is_url(url)) {
        conninfo_url_free(&u);
        error_set(err, ERR_SQL, "a MySQL connection is a mysql://user:password@host:port/database URL");
        my_locate(err, url);
        return NULL;
    }
    MYSQL *m = my->init(NULL);
    if (m == NULL) {
        conninfo_url_free(&u);
        error_set(err, ERR_IO, "could not connect to MySQL: out of memory");
        return NULL;
    }
    unsigned timeout = 10;
    my->optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    my->optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    const char *password = u.password ? u.password : getenv("MYSQL_PWD");
    const char *user = u.user ? u.user : getenv("USER");
    const char *host = u.host ? u.host : "localhost";
    unsigned port = u.port ? (unsigned)u.port : 3306;
    bool ok = set_tls(my, m, &u, url, err);
    if (ok && my->real_connect(m, host, user, password, u.database, port, conninfo_param(&u, "socket"), 0) == NULL) {
        char port_text[16];
        snprintf(port_text, sizeof port_text, "%u", port);
        ok = remote_connect_error(err, "MySQL", host, port_text, user, my->error(m), url);
    }
    /* TIMESTAMP columns in UTC; a slow consumer must not make the server
     * give up on a streamed result (net_write_timeout) */
    if (ok && my->query(m, "SET time_zone = '+00:00', net_write_timeout = 3600, net_read_timeout = 3600") != 0) {
        ok = error_set(err, ERR_IO, "MySQL: %s", my->error(m));
        my_locate(err, url);
    }
    conninfo_url_free(&u);
    if (!ok) {
        my->close(m);
        return NULL;
    }
    return m;
}

static void quote_ident(StrBuf *sb, const char *name, size_t n) { remote_sql_quote_ident(REMOTE_MYSQL, sb, name, n); }

void my_quote_ident(StrBuf *sb, const char *name) { quote_ident(sb, name, strlen(name)); }

/* FROM clause of the source: `db`.`table` or (query) AS kiln_q */
static void from_clause(StrBuf *sb, const char *source, bool is_table)
{
    if (!is_table) {
        strbuf_printf(sb, "(%s) AS kiln_q", source);
        return;
    }
    const char *p = source;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        quote_ident(sb, p, n);
        if (!dot) break;
        strbuf_putc(sb, '.');
        p = dot + 1;
    }
}

static bool refuse(const char *col, const char *what, const char *instead, Error *err)
{
    return error_set(err, ERR_SQL, "MySQL column \"%s\" is %s; kiln does not read binary data: convert it in the query (%s)",
                     col, what, instead);
}

/* The kiln type and reading of one result column. */
static bool map_field(const MYSQL_FIELD *f, LogicalType *t, MyKind *kind, Error *err)
{
    bool is_unsigned = (f->flags & UNSIGNED_FLAG) != 0;
    bool binary = f->charsetnr == MY_BINARY_CHARSET;
    switch (f->type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_YEAR: *t = type_make(TYPE_INTEGER); *kind = MY_INT; return true;
    case MYSQL_TYPE_LONG:
        *t = type_make(is_unsigned ? TYPE_BIGINT : TYPE_INTEGER);
        *kind = is_unsigned ? MY_BIGINT : MY_INT;
        return true;
    case MYSQL_TYPE_LONGLONG:
        *t = is_unsigned ? type_decimal(20, 0) : type_make(TYPE_BIGINT);
        *kind = is_unsigned ? MY_UBIGINT : MY_BIGINT;
        return true;
    case MYSQL_TYPE_FLOAT: *t = type_make(TYPE_DOUBLE); *kind = MY_FLOAT; return true;
    case MYSQL_TYPE_DOUBLE: *t = type_make(TYPE_DOUBLE); *kind = MY_DOUBLE; return true;
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL: {
        int scale = (int)f->decimals;
        int precision = (int)f->length - (scale > 0) - !is_unsigned;
        if (precision < 1) precision = 1;
        if (precision < scale) precision = scale;
        if (precision > DECIMAL_MAX_PRECISION)
            return error_set(err, ERR_SQL, "MySQL column \"%s\" is DECIMAL(%d,%d); kiln holds at most 38 digits (cast it in the query)",
                             f->name, precision, scale);
        *t = type_decimal(precision, scale);
        *kind = MY_DECIMAL;
        return true;
    }
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE: *t = type_make(TYPE_DATE); *kind = MY_DATE; return true;
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_TIMESTAMP: *t = type_make(TYPE_TIMESTAMP); *kind = MY_DATETIME; return true;
    case MYSQL_TYPE_TIME: *t = type_make(TYPE_INTERVAL); *kind = MY_TIME; return true;
    case MYSQL_TYPE_BIT:
        if (f->length == 1) *t = type_make(TYPE_BOOLEAN);
        else if (f->length < 64) *t = type_make(TYPE_BIGINT);
        else *t = type_decimal(20, 0);
        *kind = MY_BIT;
        return true;
    case MYSQL_TYPE_NULL: *t = type_make(TYPE_VARCHAR); *kind = MY_NULL; return true;
    case MYSQL_TYPE_GEOMETRY: return refuse(f->name, "a spatial type", "ST_AsText(col)", err);
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB:
        if (binary) return refuse(f->name, "a BLOB", "HEX(col) or TO_BASE64(col)", err);
        *t = type_make(TYPE_VARCHAR);
        *kind = MY_STRING;
        return true;
    case MYSQL_TYPE_VARCHAR:
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_STRING:
    case MYSQL_TYPE_ENUM:
    case MYSQL_TYPE_SET:
    case MYSQL_TYPE_JSON:
        if (binary && !(f->flags & (ENUM_FLAG | SET_FLAG)))
            return refuse(f->name, "BINARY or VARBINARY", "HEX(col), or CAST(col AS CHAR)", err);
        *t = type_make(TYPE_VARCHAR);
        *kind = MY_STRING;
        return true;
    default:
        return error_set(err, ERR_SQL, "MySQL column \"%s\" has a type kiln does not read (type code %d); cast it in the query",
                         f->name, (int)f->type);
    }
}

/* Prepare sql on m; error (located) on failure. */
static MYSQL_STMT *prepare(const LibmariadbApi *my, MYSQL *m, const char *sql, const char *url, Error *err)
{
    MYSQL_STMT *st = my->stmt_init(m);
    if (st == NULL) {
        error_set(err, ERR_IO, "MySQL: %s", my->error(m));
        my_locate(err, url);
        return NULL;
    }
    if (my->stmt_prepare(st, sql, strlen(sql)) != 0) {
        error_set(err, ERR_SQL, "MySQL: %s", my->stmt_error(st));
        my->stmt_close(st);
        my_locate(err, url);
        return NULL;
    }
    return st;
}

bool my_describe(const char *url, const char *source, MySchema *out, Error *err)
{
    memset(out, 0, sizeof *out);
    const LibmariadbApi *my;
    MYSQL *m = my_connect(url, &my, err);
    if (m == NULL) return false;
    out->is_table = !remote_sql_is_query(source);
    StrBuf sql = STRBUF_INIT;
    strbuf_puts(&sql, "SELECT * FROM ");
    from_clause(&sql, source, out->is_table);
    MYSQL_STMT *st = prepare(my, m, strbuf_cstr(&sql), url, err);
    strbuf_free(&sql);
    bool ok = st != NULL;
    MYSQL_RES *meta = ok ? my->stmt_result_metadata(st) : NULL;
    if (ok && meta == NULL) ok = error_set(err, ERR_SQL, "read_mysql: \"%s\" returns no columns", source);
    if (ok) {
        int n = (int)my->num_fields(meta);
        MYSQL_FIELD *fields = my->fetch_fields(meta);
        out->ncols = n;
        out->names = mem_calloc((size_t)n + 1, sizeof(char *));
        out->types = mem_calloc((size_t)n + 1, sizeof(LogicalType));
        out->kinds = mem_calloc((size_t)n + 1, sizeof(MyKind));
        out->json = mem_calloc((size_t)n + 1, sizeof(bool));
        for (int c = 0; c < n && ok; c++) {
            out->names[c] = mem_strdup(fields[c].name);
            for (int k = 0; k < c && ok; k++)
                if (strcmp(out->names[k], out->names[c]) == 0)
                    ok = error_set(err, ERR_SQL, "read_mysql: column name \"%s\" appears twice; give the columns distinct aliases",
                                   out->names[c]);
            if (ok) ok = map_field(&fields[c], &out->types[c], &out->kinds[c], err);
            out->json[c] = fields[c].type == MYSQL_TYPE_JSON;
        }
    }
    if (meta) my->free_result(meta);
    if (st) my->stmt_close(st);
    my->close(m);
    if (!ok) {
        my_schema_free(out);
        my_locate(err, url);
    }
    return ok;
}

void my_schema_free(MySchema *s)
{
    for (int c = 0; s->names && c < s->ncols; c++) mem_free(s->names[c]);
    mem_free(s->names);
    mem_free(s->types);
    mem_free(s->kinds);
    mem_free(s->json);
    memset(s, 0, sizeof *s);
}

char *my_select_sql(const char *source, const MySchema *schema, const int *cols, int ncols, const char *where)
{
    StrBuf sql = STRBUF_INIT;
    strbuf_puts(&sql, "SELECT ");
    for (int i = 0; i < ncols; i++) {
        if (i) strbuf_puts(&sql, ", ");
        my_quote_ident(&sql, schema->names[cols[i]]);
    }
    if (ncols == 0) strbuf_puts(&sql, "NULL");
    strbuf_puts(&sql, " FROM ");
    from_clause(&sql, source, schema->is_table);
    if (where) strbuf_printf(&sql, " WHERE %s", where);
    return strbuf_take(&sql);
}

/* One bound result column. */
typedef struct MyColumn {
    MyKind kind;
    const char *name;
    union {
        long long i;
        unsigned long long u;
        float f;
        double d;
        MYSQL_TIME t;
    } slot;
    char *buf;       /* strings, decimals, bits */
    unsigned long cap;
    unsigned long length;
    my_bool is_null, error;
} MyColumn;

struct MyReader {
    const LibmariadbApi *my; /* libmariadb's functions (loaded on first use) */
    MYSQL *conn;
    MYSQL_STMT *stmt;
    char *shown; /* the URL without its password: the errors' location */
    char *what;  /* "MySQL table \"t\"" or "MySQL query" */
    int ncols, nbind;
    MyColumn *cols;
    MYSQL_BIND *binds;
    bool done, zero_date_error;
    int64_t row;
};

static void bind_column(MyColumn *c, MYSQL_BIND *b)
{
    memset(b, 0, sizeof *b);
    b->is_null = &c->is_null;
    b->error = &c->error;
    b->length = &c->length;
    switch (c->kind) {
    case MY_INT:
    case MY_BIGINT:
        b->buffer_type = MYSQL_TYPE_LONGLONG;
        b->buffer = &c->slot.i;
        break;
    case MY_UBIGINT:
        b->buffer_type = MYSQL_TYPE_LONGLONG;
        b->buffer = &c->slot.u;
        b->is_unsigned = 1;
        break;
    case MY_FLOAT:
        b->buffer_type = MYSQL_TYPE_FLOAT;
        b->buffer = &c->slot.f;
        break;
    case MY_DOUBLE:
        b->buffer_type = MYSQL_TYPE_DOUBLE;
        b->buffer = &c->slot.d;
        break;
    case MY_DATE:
    case MY_DATETIME:
    case MY_TIME:
        b->buffer_type = c->kind == MY_DATE ? MYSQL_TYPE_DATE : c->kind == MY_TIME ? MYSQL_TYPE_TIME : MYSQL_TYPE_DATETIME;
        b->buffer = &c->slot.t;
        break;
    default: /* strings, decimals, bits, NULL */
        if (c->buf == NULL) {
            c->cap = MY_STRING_BUFFER;
            c->buf = mem_alloc(c->cap);
        }
        b->buffer_type = MYSQL_TYPE_STRING;
        b->buffer = c->buf;
        b->buffer_length = c->cap;
        break;
    }
}

MyReader *my_reader_open(const char *url, const char *source, const MySchema *schema, const int *cols, int ncols,
                         const char *where, bool zero_date_error, Error *err)
{
    const LibmariadbApi *my;
    MYSQL *m = my_connect(url, &my, err);
    if (m == NULL) return NULL;
    MyReader *r = mem_calloc(1, sizeof *r);
    r->my = my;
    r->conn = m;
    r->ncols = ncols;
    r->nbind = ncols == 0 ? 1 : ncols; /* SELECT NULL when no column is needed */
    r->zero_date_error = zero_date_error;
    r->cols = mem_calloc((size_t)r->nbind, sizeof(MyColumn));
    r->binds = mem_calloc((size_t)r->nbind, sizeof(MYSQL_BIND));
    for (int i = 0; i < r->nbind; i++) {
        r->cols[i].kind = ncols == 0 ? MY_NULL : schema->kinds[cols[i]];
        r->cols[i].name = ncols == 0 ? "" : schema->names[cols[i]];
        bind_column(&r->cols[i], &r->binds[i]);
    }
    StrBuf what = STRBUF_INIT;
    if (schema->is_table) strbuf_printf(&what, "MySQL table \"%s\"", source);
    else strbuf_puts(&what, "MySQL query");
    r->what = strbuf_take(&what);
    r->shown = conninfo_redact(url);
    char *sql = my_select_sql(source, schema, cols, ncols, where);
    r->stmt = prepare(my, m, sql, url, err);
    mem_free(sql);
    bool ok = r->stmt != NULL;
    if (ok && my->stmt_field_count(r->stmt) != (unsigned)r->nbind)
        ok = error_set(err, ERR_SQL, "%s changed since the statement was planned: %u columns where %d were expected",
                       r->what, my->stmt_field_count(r->stmt), r->nbind);
    /* no mysql_stmt_store_result: the rows stream as they are fetched */
    if (ok && (my->stmt_execute(r->stmt) != 0 || my->stmt_bind_result(r->stmt, r->binds) != 0))
        ok = error_set(err, ERR_SQL, "MySQL: %s", my->stmt_error(r->stmt));
    if (!ok) {
        my_locate(err, url);
        my_reader_close(r);
        return NULL;
    }
    return r;
}

/* A string column whose value did not fit: grow its buffer and fetch it again. */
static bool refetch(MyReader *r, int c, Error *err)
{
    const LibmariadbApi *my = r->my;
    MyColumn *col = &r->cols[c];
    col->cap = col->length + 1;
    mem_free(col->buf);
    col->buf = mem_alloc(col->cap);
    MYSQL_BIND *b = &r->binds[c];
    b->buffer = col->buf;
    b->buffer_length = col->cap;
    if (my->stmt_fetch_column(r->stmt, b, (unsigned)c, 0) != 0)
        return error_set(err, ERR_IO, "MySQL: %s", my->stmt_error(r->stmt));
    /* the grown buffer serves the following rows too */
    return my->stmt_bind_result(r->stmt, r->binds) == 0 ||
           error_set(err, ERR_IO, "MySQL: %s", my->stmt_error(r->stmt));
}

static bool zero_date(MyReader *r, Vector *v, uint32_t n, Error *err)
{
    if (r->zero_date_error)
        return error_set(err, ERR_DATA, "zero date (0000-00-00, or a zero month or day) where zero_date => 'error' was asked");
    vector_set_null(v, n);
    return true;
}

/* Decode column c of the current row into v[n]. */
static bool read_value(MyReader *r, int c, Vector *v, uint32_t n, Error *err)
{
    MyColumn *col = &r->cols[c];
    if (col->is_null || col->kind == MY_NULL) {
        vector_set_null(v, n);
        return true;
    }
    vector_set_valid(v, n);
    switch (col->kind) {
    case MY_INT: VEC_DATA(v, int32_t)[n] = (int32_t)col->slot.i; return true;
    case MY_BIGINT: VEC_DATA(v, int64_t)[n] = col->slot.i; return true;
    case MY_UBIGINT: decimal_store(v, n, (kiln_int128)col->slot.u); return true;
    case MY_FLOAT: VEC_DATA(v, double)[n] = (double)col->slot.f; return true;
    case MY_DOUBLE: VEC_DATA(v, double)[n] = col->slot.d; return true;
    case MY_DATE:
    case MY_DATETIME: {
        const MYSQL_TIME *t = &col->slot.t;
        if (t->month == 0 || t->day == 0) return zero_date(r, v, n, err);
        if (t->month > 12 || t->day > 31 || t->hour > 23 || t->minute > 59 || t->second > 59 || t->second_part > 999999)
            return error_set(err, ERR_DATA, "invalid date or time from the server");
        int64_t days = datetime_days_from_civil(t->year, (int)t->month, (int)t->day);
        if (v->type.id == TYPE_DATE) {
            VEC_DATA(v, int32_t)[n] = (int32_t)days;
            return true;
        }
        int64_t us = days * INT64_C(86400000000) +
                     (((int64_t)t->hour * 60 + t->minute) * 60 + t->second) * INT64_C(1000000) + (int64_t)t->second_part;
        VEC_DATA(v, int64_t)[n] = us;
        return true;
    }
    case MY_TIME: {
        const MYSQL_TIME *t = &col->slot.t;
        int64_t us = (((int64_t)t->day * 24 + t->hour) * 60 + t->minute) * 60 + t->second;
        us = us * INT64_C(1000000) + (int64_t)t->second_part;
        VEC_DATA(v, Interval)[n] = (Interval){0, 0, t->neg ? -us : us};
        return true;
    }
    case MY_STRING: vector_set_string(v, n, col->buf, (uint32_t)col->length); return true;
    case MY_DECIMAL: {
        kiln_int128 x;
        if (!decimal_parse(col->buf, col->length, v->type.precision, v->type.scale, &x, err)) return false;
        decimal_store(v, n, x);
        return true;
    }
    case MY_BIT: {
        uint64_t bits = 0;
        for (unsigned long i = 0; i < col->length; i++) bits = bits << 8 | (unsigned char)col->buf[i];
        if (v->type.id == TYPE_BOOLEAN) VEC_DATA(v, uint8_t)[n] = bits != 0;
        else if (v->type.id == TYPE_BIGINT) VEC_DATA(v, int64_t)[n] = (int64_t)bits;
        else decimal_store(v, n, (kiln_int128)bits);
        return true;
    }
    default: return error_set(err, ERR_INTERNAL, "no reader for MySQL column kind %d", (int)col->kind);
    }
}

static bool reader_next(MyReader *r, Batch *out, Error *err)
{
    const LibmariadbApi *my = r->my;
    uint32_t n = 0;
    out->count = 0;
    while (!r->done && n < VECTOR_CAPACITY) {
        int rc = my->stmt_fetch(r->stmt);
        if (rc == MYSQL_NO_DATA) {
            r->done = true;
            break;
        }
        if (rc == 1)
            return error_set(err, ERR_IO, "%s, row %lld: %s", r->what, (long long)r->row + 1, my->stmt_error(r->stmt));
        r->row++;
        for (int c = 0; c < r->ncols; c++) {
            MyColumn *col = &r->cols[c];
            if (!col->is_null && col->buf && col->length >= col->cap && !refetch(r, c, err)) return false;
            if (!read_value(r, c, out->cols[c], n, err)) {
                error_prefix(err, "%s, row %lld, column \"%s\"", r->what, (long long)r->row, col->name);
                return false;
            }
        }
        n++;
    }
    out->count = n;
    return true;
}

bool my_reader_next(MyReader *r, Batch *out, Error *err)
{
    if (reader_next(r, out, err)) return true;
    if (err->file[0] == '\0') error_set_location(err, r->shown, 0, 0);
    return false;
}

void my_reader_close(MyReader *r)
{
    if (r == NULL) return;
    const LibmariadbApi *my = r->my;
    /* Closing the connection first abandons an unfinished result: closing
     * the statement first would read the rest of it to the end. */
    my->close(r->conn);
    if (r->stmt) my->stmt_close(r->stmt);
    for (int i = 0; i < r->nbind; i++) mem_free(r->cols[i].buf);
    mem_free(r->cols);
    mem_free(r->binds);
    mem_free(r->what);
    mem_free(r->shown);
    mem_free(r);
}
