/* postgres: reading PostgreSQL tables and queries with binary COPY (see
 * postgres.h for the type mapping).
 *
 * Bind time: one connection runs `SELECT ... LIMIT 0` to learn the columns'
 * names, type OIDs and typmods.  Execution: a new connection sends
 *   COPY (SELECT "a", "c"::text FROM <table or (query) AS kiln_q>) TO STDOUT (FORMAT binary)
 * naming only the projected columns, and parses PostgreSQL's binary COPY
 * stream: a signature header, then per row an int16 field count and per
 * field an int32 length (-1 = NULL) and the type's binary send format (big
 * endian integers and floats; numeric as base-10000 digit groups with
 * weight, sign and display scale; dates and timestamps counted from
 * 2000-01-01).  libpq hands the stream over one row at a time; rows are
 * decoded straight into the output batch.  libpq is loaded on the first
 * connection (connectors/libpq_api.h).  Memory: the connection, the
 * current row's bytes, and the caller's batch. */
#include "connectors/postgres.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "connectors/conninfo.h"
#include "connectors/libpq_api.h"
#include "connectors/remote_sql.h"
#include "connectors/remote_error.h"
#include "types/datetime.h"
#include "types/decimal.h"

/* PostgreSQL type OIDs (pg_type.dat) */
enum {
    OID_BOOL = 16, OID_CHAR = 18, OID_NAME = 19, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_TEXT = 25,
    OID_JSON = 114, OID_FLOAT4 = 700, OID_FLOAT8 = 701, OID_BPCHAR = 1042, OID_VARCHAR = 1043, OID_DATE = 1082,
    OID_TIMESTAMP = 1114, OID_TIMESTAMPTZ = 1184, OID_INTERVAL = 1186, OID_NUMERIC = 1700, OID_UUID = 2950,
    OID_JSONB = 3802,
};

#define PG_EPOCH_DAYS 10957                      /* 2000-01-01 - 1970-01-01 */
#define PG_EPOCH_MICROS INT64_C(946684800000000) /* the same in microseconds */

struct PgReader {
    const LibpqApi *pq; /* libpq's functions (loaded on first use) */
    PGconn *conn;
    char *sql;
    char *shown;     /* the connection without its password: the errors' location */
    char *what;      /* "PostgreSQL table \"t\"" or "PostgreSQL query": for errors */
    int ncols;
    char **names;    /* projected (borrowed from the schema) */
    unsigned *oids;  /* projected OIDs (owned) */
    bool *as_text;   /* projected (owned) */
    char *chunk;     /* current row from PQgetCopyData */
    int chunk_len, pos;
    bool header_read, done;
    int64_t row;
};

char *pg_redact_conninfo(const char *conninfo) { return conninfo_redact(conninfo); }

/* libpq's message without its trailing newline. */
static const char *pg_message(const char *msg, char *buf, size_t n)
{
    snprintf(buf, n, "%s", msg ? msg : "");
    size_t len = strlen(buf);
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' ')) buf[--len] = '\0';
    return buf;
}

/* Every error of a PostgreSQL source is located at the connection
 * (connectors/remote_error.h). */
static bool locate(Error *err, const char *conninfo) { return remote_error_locate(err, conninfo); }

/* Connect through libpq, loading it on first use (*pq_out: its functions, for the connection's later calls). */
static PGconn *pg_connect(const char *conninfo, const LibpqApi **pq_out, Error *err)
{
    const LibpqApi *pq = *pq_out = libpq_api(err);
    if (pq == NULL) {
        locate(err, conninfo);
        return NULL;
    }
    const char *keys[] = {"dbname", "connect_timeout", "application_name", NULL};
    const char *vals[] = {conninfo, "10", "kiln", NULL};
    PGconn *conn = pq->connectdbParams(keys, vals, 1);
    if (conn == NULL || pq->status(conn) != CONNECTION_OK) {
        char buf[ERROR_MSG_MAX];
        if (conn == NULL) error_set(err, ERR_IO, "could not connect to PostgreSQL: out of memory");
        else remote_connect_error(err, "PostgreSQL", pq->host(conn), pq->port(conn), pq->user(conn),
                                  pg_message(pq->errorMessage(conn), buf, sizeof buf), conninfo);
        locate(err, conninfo);
        pq->finish(conn);
        return NULL;
    }
    return conn;
}

static void quote_ident(StrBuf *sb, const char *name, size_t n) { remote_sql_quote_ident(REMOTE_POSTGRES, sb, name, n); }

/* FROM clause of the source: "schema"."table" or (query) AS kiln_q */
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

static bool map_oid(const LibpqApi *pq, PGconn *conn, unsigned oid, int typmod, const char *col, LogicalType *t,
                    bool *as_text, bool *rounded, Error *err)
{
    *as_text = false;
    *rounded = false;
    switch (oid) {
    case OID_BOOL: *t = type_make(TYPE_BOOLEAN); return true;
    case OID_INT2:
    case OID_INT4: *t = type_make(TYPE_INTEGER); return true;
    case OID_INT8: *t = type_make(TYPE_BIGINT); return true;
    case OID_FLOAT4:
    case OID_FLOAT8: *t = type_make(TYPE_DOUBLE); return true;
    case OID_NUMERIC:
        if (typmod < 4) {
            *t = type_decimal(DECIMAL_DEFAULT_PRECISION, DECIMAL_DEFAULT_SCALE);
            *rounded = true;
            return true;
        } else {
            int p = ((typmod - 4) >> 16) & 0xffff, s = (typmod - 4) & 0x7ff;
            if (p > DECIMAL_MAX_PRECISION || s > p)
                return error_set(err, ERR_SQL, "PostgreSQL column \"%s\" is numeric(%d,%d); kiln holds at most 38 digits (cast it in the query)",
                                 col, p, s);
            *t = type_decimal(p, s);
            return true;
        }
    case OID_CHAR:
    case OID_NAME:
    case OID_TEXT:
    case OID_BPCHAR:
    case OID_VARCHAR:
    case OID_UUID:
    case OID_JSON:
    case OID_JSONB: *t = type_make(TYPE_VARCHAR); return true;
    case OID_DATE: *t = type_make(TYPE_DATE); return true;
    case OID_TIMESTAMP:
    case OID_TIMESTAMPTZ: *t = type_make(TYPE_TIMESTAMP); return true;
    case OID_INTERVAL: *t = type_make(TYPE_INTERVAL); return true;
    default: break;
    }
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT typcategory, format_type(oid, NULL) FROM pg_type WHERE oid = %u", oid);
    PGresult *res = pq->exec(conn, sql);
    bool ok = true;
    if (pq->resultStatus(res) == PGRES_TUPLES_OK && pq->ntuples(res) == 1 && pq->getvalue(res, 0, 0)[0] == 'A')
        ok = error_set(err, ERR_SQL, "PostgreSQL column \"%s\" is an array (%s); arrays are not supported: unnest it or cast it to text in the query",
                       col, pq->getvalue(res, 0, 1));
    pq->clear(res);
    *t = type_make(TYPE_VARCHAR);
    *as_text = true;
    return ok;
}

bool pg_describe(const char *conninfo, const char *source, PgSchema *out, Error *err)
{
    memset(out, 0, sizeof *out);
    const LibpqApi *pq;
    PGconn *conn = pg_connect(conninfo, &pq, err);
    if (conn == NULL) return false;
    out->is_table = !remote_sql_is_query(source);
    StrBuf sql = STRBUF_INIT;
    strbuf_puts(&sql, "SELECT * FROM ");
    from_clause(&sql, source, out->is_table);
    strbuf_puts(&sql, " LIMIT 0");
    PGresult *res = pq->exec(conn, strbuf_cstr(&sql));
    strbuf_free(&sql);
    bool ok = true;
    if (pq->resultStatus(res) != PGRES_TUPLES_OK) {
        char buf[ERROR_MSG_MAX];
        ok = error_set(err, ERR_SQL, "PostgreSQL: %s", pg_message(pq->resultErrorMessage(res), buf, sizeof buf));
    } else if (pq->nfields(res) == 0) {
        ok = error_set(err, ERR_SQL, "read_postgres: \"%s\" returns no columns", source);
    } else {
        int n = pq->nfields(res);
        out->ncols = n;
        out->names = mem_calloc((size_t)n, sizeof(char *));
        out->types = mem_calloc((size_t)n, sizeof(LogicalType));
        out->oids = mem_calloc((size_t)n, sizeof(unsigned));
        out->as_text = mem_calloc((size_t)n, sizeof(bool));
        out->rounded = mem_calloc((size_t)n, sizeof(bool));
        for (int c = 0; c < n && ok; c++) {
            out->names[c] = mem_strdup(pq->fname(res, c));
            out->oids[c] = pq->ftype(res, c);
            for (int k = 0; k < c && ok; k++)
                if (strcmp(out->names[k], out->names[c]) == 0)
                    ok = error_set(err, ERR_SQL, "read_postgres: column name \"%s\" appears twice; give the columns distinct aliases",
                                   out->names[c]);
            if (ok) ok = map_oid(pq, conn, out->oids[c], pq->fmod(res, c), out->names[c], &out->types[c], &out->as_text[c],
                                   &out->rounded[c], err);
        }
    }
    pq->clear(res);
    pq->finish(conn);
    if (!ok) {
        pg_schema_free(out);
        locate(err, conninfo);
    }
    return ok;
}

void pg_schema_free(PgSchema *s)
{
    for (int c = 0; s->names && c < s->ncols; c++) mem_free(s->names[c]);
    mem_free(s->names);
    mem_free(s->types);
    mem_free(s->oids);
    mem_free(s->as_text);
    mem_free(s->rounded);
    memset(s, 0, sizeof *s);
}

void pg_quote_ident(StrBuf *sb, const char *name) { quote_ident(sb, name, strlen(name)); }

char *pg_select_sql(const char *source, const PgSchema *schema, const int *cols, int ncols, const char *where)
{
    StrBuf sql = STRBUF_INIT;
    strbuf_puts(&sql, "SELECT ");
    for (int i = 0; i < ncols; i++) {
        const char *name = schema->names[cols[i]];
        if (i) strbuf_puts(&sql, ", ");
        quote_ident(&sql, name, strlen(name));
        if (schema->as_text[cols[i]]) strbuf_puts(&sql, "::text");
    }
    if (ncols == 0) strbuf_puts(&sql, "NULL");
    strbuf_puts(&sql, " FROM ");
    from_clause(&sql, source, schema->is_table);
    if (where) strbuf_printf(&sql, " WHERE %s", where);
    return strbuf_take(&sql);
}

PgReader *pg_reader_open(const char *conninfo, const char *source, const PgSchema *schema, const int *cols, int ncols,
                         const char *where, Error *err)
{
    const LibpqApi *pq;
    PGconn *conn = pg_connect(conninfo, &pq, err);
    if (conn == NULL) return NULL;
    PgReader *r = mem_calloc(1, sizeof *r);
    r->pq = pq;
    r->conn = conn;
    r->ncols = ncols;
    r->names = mem_calloc((size_t)ncols + 1, sizeof(char *));
    r->oids = mem_calloc((size_t)ncols + 1, sizeof(unsigned));
    r->as_text = mem_calloc((size_t)ncols + 1, sizeof(bool));
    for (int i = 0; i < ncols; i++) {
        r->names[i] = schema->names[cols[i]];
        r->oids[i] = schema->oids[cols[i]];
        r->as_text[i] = schema->as_text[cols[i]];
    }
    char *select = pg_select_sql(source, schema, cols, ncols, where);
    StrBuf sql = STRBUF_INIT;
    strbuf_printf(&sql, "COPY (%s) TO STDOUT (FORMAT binary)", select);
    mem_free(select);
    r->sql = strbuf_take(&sql);
    StrBuf what = STRBUF_INIT;
    if (schema->is_table) strbuf_printf(&what, "PostgreSQL table \"%s\"", source);
    else strbuf_puts(&what, "PostgreSQL query");
    r->what = strbuf_take(&what);
    r->shown = pg_redact_conninfo(conninfo);
    PGresult *res = pq->exec(conn, r->sql);
    if (pq->resultStatus(res) != PGRES_COPY_OUT) {
        char buf[ERROR_MSG_MAX];
        error_set(err, ERR_SQL, "PostgreSQL: %s", pg_message(pq->resultErrorMessage(res), buf, sizeof buf));
        pq->clear(res);
        pg_reader_close(r);
        locate(err, conninfo);
        return NULL;
    }
    pq->clear(res);
    return r;
}

const char *pg_reader_sql(const PgReader *r) { return r->sql; }

static uint16_t get16(const unsigned char *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const unsigned char *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static uint64_t get64(const unsigned char *p) { return (uint64_t)get32(p) << 32 | get32(p + 4); }

static bool size_error(Error *err, int len, int want)
{
    return error_set(err, ERR_DATA, "malformed binary value: %d bytes where %d were expected", len, want);
}

/* numeric's base-10000 digit groups straight into DECIMAL(p,s)'s unscaled
 * integer, rounding half away from zero (PostgreSQL's rule); false when it
 * does not fit (the caller then takes the text path for the error). */
static bool numeric_fast(const unsigned char *p, int ndigits, int weight, bool negative, LogicalType t,
                         kiln_int128 *out)
{
    int scale = t.scale;
    int round_pos = -(scale + 1); /* the first decimal digit dropped, as a power of ten */
    int round_digit = 0;
    kiln_int128 acc = 0, limit = decimal_pow10(t.precision);
    for (int i = 0; i < ndigits; i++) {
        int d = get16(p + 8 + 2 * i);
        if (d > 9999) return false;
        int e = 4 * (weight - i); /* d counts units of 10^e */
        int shift = e + scale;
        if (shift >= 0 && d != 0) {
            /* d * 10^shift + acc < 10^precision, checked without overflowing */
            if (shift >= t.precision || d >= decimal_pow10(t.precision - shift)) return false;
            kiln_int128 add = (kiln_int128)d * decimal_pow10(shift);
            if (add >= limit - acc) return false;
            acc += add;
        } else if (shift < 0 && shift > -4) {
            acc += d / (int)decimal_pow10(-shift);
        }
        if (e <= round_pos && round_pos <= e + 3) round_digit = d / (int)decimal_pow10(round_pos - e) % 10;
    }
    if (round_digit >= 5) acc++;
    if (acc >= limit) return false;
    *out = negative ? -acc : acc;
    return true;
}

/* numeric's binary form -> DECIMAL(p,s), rounding as PostgreSQL (through
 * its decimal text when the fast path cannot, for the error message). */
static bool read_numeric(const unsigned char *p, int len, Vector *v, uint32_t row, Error *err)
{
    if (len < 8) return size_error(err, len, 8);
    int ndigits = (int16_t)get16(p), weight = (int16_t)get16(p + 2), sign = get16(p + 4);
    if (ndigits < 0 || len != 8 + 2 * ndigits) return size_error(err, len, 8 + 2 * (ndigits < 0 ? 0 : ndigits));
    if (sign == 0xC000) return error_set(err, ERR_DATA, "numeric NaN cannot be held by %s", "numeric");
    if (sign == 0xD000 || sign == 0xF000) return error_set(err, ERR_DATA, "numeric infinity cannot be held by numeric");
    kiln_int128 fast;
    if ((sign == 0 || sign == 0x4000) && numeric_fast(p, ndigits, weight, sign == 0x4000, v->type, &fast)) {
        decimal_store(v, row, fast);
        return true;
    }
    StrBuf sb = STRBUF_INIT;
    if (sign == 0x4000) strbuf_putc(&sb, '-');
    if (weight < 0) strbuf_putc(&sb, '0');
    for (int e = weight; e >= 0; e--) {
        int idx = weight - e;
        int d = idx < ndigits ? get16(p + 8 + 2 * idx) : 0;
        strbuf_printf(&sb, e == weight ? "%d" : "%04d", d);
    }
    if (ndigits > weight + 1) {
        strbuf_putc(&sb, '.');
        for (int idx = weight + 1; idx < ndigits; idx++)
            strbuf_printf(&sb, "%04d", idx < 0 ? 0 : get16(p + 8 + 2 * idx));
    }
    kiln_int128 x;
    bool ok = decimal_parse(strbuf_cstr(&sb), strlen(strbuf_cstr(&sb)), v->type.precision, v->type.scale, &x, err);
    strbuf_free(&sb);
    if (ok) decimal_store(v, row, x);
    return ok;
}

static bool read_field(unsigned oid, bool as_text, const unsigned char *p, int len, Vector *v, uint32_t row, Error *err)
{
    if (as_text || v->type.id == TYPE_VARCHAR) {
        if (oid == OID_UUID && !as_text) {
            if (len != 16) return size_error(err, len, 16);
            char buf[37];
            int k = 0;
            for (int i = 0; i < 16; i++) {
                if (i == 4 || i == 6 || i == 8 || i == 10) buf[k++] = '-';
                k += snprintf(buf + k, sizeof buf - (size_t)k, "%02x", p[i]);
            }
            vector_set_string(v, row, buf, 36);
            return true;
        }
        if (oid == OID_JSONB && !as_text) { /* a version byte (1), then the text */
            if (len < 1 || p[0] != 1) return error_set(err, ERR_DATA, "unsupported jsonb binary version");
            p++;
            len--;
        }
        vector_set_string(v, row, (const char *)p, (uint32_t)len);
        return true;
    }
    switch (oid) {
    case OID_BOOL:
        if (len != 1) return size_error(err, len, 1);
        VEC_DATA(v, uint8_t)[row] = p[0] != 0;
        return true;
    case OID_INT2:
        if (len != 2) return size_error(err, len, 2);
        VEC_DATA(v, int32_t)[row] = (int16_t)get16(p);
        return true;
    case OID_INT4:
        if (len != 4) return size_error(err, len, 4);
        VEC_DATA(v, int32_t)[row] = (int32_t)get32(p);
        return true;
    case OID_INT8:
        if (len != 8) return size_error(err, len, 8);
        VEC_DATA(v, int64_t)[row] = (int64_t)get64(p);
        return true;
    case OID_FLOAT4: {
        if (len != 4) return size_error(err, len, 4);
        uint32_t u = get32(p);
        float f;
        memcpy(&f, &u, sizeof f);
        VEC_DATA(v, double)[row] = (double)f;
        return true;
    }
    case OID_FLOAT8: {
        if (len != 8) return size_error(err, len, 8);
        uint64_t u = get64(p);
        double d;
        memcpy(&d, &u, sizeof d);
        VEC_DATA(v, double)[row] = d;
        return true;
    }
    case OID_NUMERIC: return read_numeric(p, len, v, row, err);
    case OID_DATE: {
        if (len != 4) return size_error(err, len, 4);
        int32_t d = (int32_t)get32(p);
        if (d == INT32_MAX || d == INT32_MIN) return error_set(err, ERR_DATA, "date infinity cannot be held by date");
        int64_t days = (int64_t)d + PG_EPOCH_DAYS;
        if (!datetime_date_in_range(days)) return error_set(err, ERR_DATA, "date out of range");
        VEC_DATA(v, int32_t)[row] = (int32_t)days;
        return true;
    }
    case OID_TIMESTAMP:
    case OID_TIMESTAMPTZ: {
        if (len != 8) return size_error(err, len, 8);
        int64_t t = (int64_t)get64(p);
        if (t == INT64_MAX || t == INT64_MIN)
            return error_set(err, ERR_DATA, "timestamp infinity cannot be held by timestamp");
        if (t > TIMESTAMP_END_MICROS - PG_EPOCH_MICROS - 1) return error_set(err, ERR_DATA, "timestamp out of range");
        t += PG_EPOCH_MICROS;
        if (!datetime_timestamp_in_range(t)) return error_set(err, ERR_DATA, "timestamp out of range");
        VEC_DATA(v, int64_t)[row] = t;
        return true;
    }
    case OID_INTERVAL: {
        if (len != 16) return size_error(err, len, 16);
        Interval iv = {(int32_t)get32(p + 12), (int32_t)get32(p + 8), (int64_t)get64(p)};
        VEC_DATA(v, Interval)[row] = iv;
        return true;
    }
    default: return error_set(err, ERR_INTERNAL, "no binary reader for PostgreSQL type %u", oid);
    }
}

/* Fetch the next row message; false with no error at the end of the stream. */
static bool fetch(PgReader *r, Error *err)
{
    const LibpqApi *pq = r->pq;
    if (r->chunk) pq->freemem(r->chunk);
    r->chunk = NULL;
    r->chunk_len = r->pos = 0;
    int n = pq->getCopyData(r->conn, &r->chunk, 0);
    if (n >= 0) {
        r->chunk_len = n;
        return true;
    }
    PGresult *res = pq->getResult(r->conn);
    bool ok = pq->resultStatus(res) == PGRES_COMMAND_OK;
    char buf[ERROR_MSG_MAX];
    if (!ok)
        error_set(err, ERR_IO, "%s, row %lld: %s", r->what, (long long)r->row + 1,
                  pg_message(n == -2 ? pq->errorMessage(r->conn) : pq->resultErrorMessage(res), buf, sizeof buf));
    pq->clear(res);
    while ((res = pq->getResult(r->conn)) != NULL) pq->clear(res);
    return false;
}

static bool malformed(PgReader *r, Error *err)
{
    return error_set(err, ERR_IO, "%s, row %lld: malformed binary COPY data", r->what, (long long)r->row + 1);
}

static bool reader_next(PgReader *r, Batch *out, Error *err);

bool pg_reader_next(PgReader *r, Batch *out, Error *err)
{
    if (reader_next(r, out, err)) return true;
    if (err->file[0] == '\0') error_set_location(err, r->shown, 0, 0);
    return false;
}

static bool reader_next(PgReader *r, Batch *out, Error *err)
{
    uint32_t n = 0;
    out->count = 0;
    while (!r->done && n < VECTOR_CAPACITY) {
        if (!fetch(r, err)) {
            if (error_failed(err)) return false;
            return malformed(r, err); /* the stream ended without its trailer */
        }
        const unsigned char *p = (const unsigned char *)r->chunk;
        int len = r->chunk_len, pos = 0;
        if (!r->header_read) {
            static const char signature[11] = "PGCOPY\n\377\r\n";
            if (len < 19 || memcmp(p, signature, 11) != 0) return malformed(r, err);
            uint32_t ext = get32(p + 15);
            if (ext > (uint32_t)(len - 19)) return malformed(r, err);
            pos = 19 + (int)ext;
            r->header_read = true;
        }
        if (len - pos < 2) return malformed(r, err);
        int16_t nfields = (int16_t)get16(p + pos);
        pos += 2;
        if (nfields == -1) { /* trailer: drain to the command's result */
            r->done = true;
            if (fetch(r, err)) return malformed(r, err);
            if (error_failed(err)) return false;
            break;
        }
        int expect = r->ncols == 0 ? 1 : r->ncols; /* SELECT NULL when no column is needed */
        if (nfields != expect) return malformed(r, err);
        r->row++;
        for (int c = 0; c < nfields; c++) {
            if (len - pos < 4) return malformed(r, err);
            int32_t flen = (int32_t)get32(p + pos);
            pos += 4;
            if (flen < -1 || flen > len - pos) return malformed(r, err);
            if (c >= r->ncols) {
                pos += flen < 0 ? 0 : flen;
                continue;
            }
            Vector *v = out->cols[c];
            if (flen == -1) {
                vector_set_null(v, n);
                continue;
            }
            vector_set_valid(v, n);
            if (!read_field(r->oids[c], r->as_text[c], p + pos, flen, v, n, err)) {
                error_prefix(err, "%s, row %lld, column \"%s\"", r->what, (long long)r->row, r->names[c]);
                return false;
            }
            pos += flen;
        }
        n++;
    }
    out->count = n;
    return true;
}

void pg_reader_close(PgReader *r)
{
    if (r == NULL) return;
    const LibpqApi *pq = r->pq;
    if (r->chunk) pq->freemem(r->chunk);
    if (r->conn && !r->done) {
        /* stop the server sending the rest of an abandoned COPY */
        PGcancel *cancel = pq->getCancel(r->conn);
        char buf[256];
        if (cancel) {
            pq->cancel(cancel, buf, sizeof buf);
            pq->freeCancel(cancel);
        }
    }
    pq->finish(r->conn);
    mem_free(r->sql);
    mem_free(r->what);
    mem_free(r->shown);
    mem_free(r->names);
    mem_free(r->oids);
    mem_free(r->as_text);
    mem_free(r);
}
