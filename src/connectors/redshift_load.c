/* redshift_load: loading query results into an Amazon Redshift table
 * through S3 staging, all or nothing (see redshift.h for the connection).
 *
 * rs_load_begin checks the columns and the connection's settings, connects
 * (so a wrong password fails before the query runs) and opens the first
 * staged file.  Batches are written as Parquet (Snappy) under
 *   <s3_staging><run id>/part-00000.parquet, part-00001.parquet, ...
 * through kiln's S3 file system (parallel multipart uploads, completed as
 * each file closes); a file is closed and the next begun past ~256 MiB so
 * that Redshift's slices load several files at once.  Each file holds the
 * load's columns plus kiln_ord, the row's position in the load (the last
 * row of a KEY wins an upsert).  rs_load_commit closes the last file, then
 * sends, in ONE transaction:
 *   BEGIN
 *   CREATE TABLE IF NOT EXISTS <target> (<columns with Redshift types>)
 *   CREATE TEMP TABLE kiln_stage (<the same columns>, kiln_ord BIGINT)
 *   COPY kiln_stage FROM '<s3_staging><run id>/' IAM_ROLE '<arn>' FORMAT AS PARQUET [REGION '<r>']
 *   the mode's statements:
 *     append              INSERT INTO t (cols) SELECT cols FROM kiln_stage
 *     overwrite           DELETE FROM t, then the insert (not TRUNCATE,
 *                         which commits in Redshift)
 *     replace_partitions  DELETE FROM t USING kiln_stage WHERE t.k = kiln_stage.k ..., then the insert
 *     upsert              the same DELETE, then an insert of the last row of
 *                         each key (ROW_NUMBER() over the key by kiln_ord
 *                         descending; rows with a NULL key all kept, as a NULL
 *                         never equals a key)
 *   COMMIT
 * and deletes the staged files, whatever happened (abort does too).
 * Created tables use BOOLEAN, INTEGER, BIGINT, DOUBLE PRECISION,
 * DECIMAL(p,s), VARCHAR(65535) (Redshift's longest; a longer value is an
 * error before anything is sent), DATE and TIMESTAMP; INTERVAL is refused.
 *
 * Test emulation (spec->sql_log): every statement is appended to that file,
 * and the COPY is not sent: the staged files are read back from S3 with
 * kiln's Parquet reader and sent into kiln_stage with COPY FROM STDIN
 * (FORMAT binary), so the rest runs for real on a PostgreSQL server.
 * Memory: one Parquet row group being built, and while emulating one batch
 * and its COPY bytes. */
#include "connectors/redshift.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "connectors/conninfo.h"
#include "connectors/libpq_api.h"
#include "connectors/pg_copy_binary.h"
#include "formats/parquet/parquet_reader.h"
#include "formats/parquet/parquet_writer.h"
#include "io/fs.h"

#define RS_FILE_BYTES ((uint64_t)256 << 20) /* start the next staged file past this size */
#define RS_VARCHAR_MAX 65535u                /* Redshift's longest VARCHAR, in bytes */
#define RS_COPY_FLUSH (1u << 20)             /* emulation: send COPY data in pieces of about this */

struct RsLoad {
    LoadTarget t;
    char *shown;    /* the URL without its password, for errors */
    const LibpqApi *pq; /* libpq's functions (loaded on first use); NULL until then */
    PGconn *conn;
    char *prefix;   /* <s3_staging><run id>/ */
    char *iam_role;
    char *region;   /* NULL: the cluster's */
    char *sql_log;  /* tests: emulate COPY, record the statements here */
    ParquetWriter *pw;
    int file_no;
    FsPathList files; /* staged files, closed */
    char **file_names; /* the load's columns and kiln_ord */
    LogicalType *file_types;
    int64_t ord;
    Vector *ord_vec;
    Batch view;       /* the load's vectors plus ord_vec (borrowed) */
};

bool rs_is_url(const char *url) { return url && strncmp(url, "redshift://", 11) == 0; }

static void rs_type_of(StrBuf *sb, LogicalType t, bool is_key)
{
    (void)is_key;
    switch (t.id) {
    case TYPE_BOOLEAN: strbuf_puts(sb, "BOOLEAN"); break;
    case TYPE_INTEGER: strbuf_puts(sb, "INTEGER"); break;
    case TYPE_BIGINT: strbuf_puts(sb, "BIGINT"); break;
    case TYPE_DOUBLE: strbuf_puts(sb, "DOUBLE PRECISION"); break;
    case TYPE_DECIMAL: strbuf_printf(sb, "DECIMAL(%d,%d)", t.precision, t.scale); break;
    case TYPE_DATE: strbuf_puts(sb, "DATE"); break;
    case TYPE_TIMESTAMP: strbuf_puts(sb, "TIMESTAMP"); break;
    default: strbuf_puts(sb, "VARCHAR(65535)"); break;
    }
}

static void quote_table(StrBuf *sb, const char *table) { load_quote_table(sb, table, load_quote_ident); }

/* 'text' with quotes doubled */
static void quote_literal(StrBuf *sb, const char *text)
{
    strbuf_putc(sb, '\'');
    for (const char *p = text; *p; p++) {
        if (*p == '\'') strbuf_putc(sb, '\'');
        strbuf_putc(sb, *p);
    }
    strbuf_putc(sb, '\'');
}

static bool fail(RsLoad *l, Error *err, const char *what, const char *msg)
{
    char buf[ERROR_MSG_MAX];
    snprintf(buf, sizeof buf, "%s", msg ? msg : "");
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' ')) buf[--n] = '\0';
    error_set(err, ERR_IO, "loading Redshift table \"%s\": %s: %s", l->t.table, what, buf);
    error_set_location(err, l->shown, 0, 0);
    return false;
}

/* Append a statement to the test log. */
static bool log_sql(RsLoad *l, const char *sql, Error *err)
{
    if (l->sql_log == NULL) return true;
    FILE *f = fopen(l->sql_log, "a");
    if (f == NULL) return error_set(err, ERR_IO, "could not open file \"%s\" for writing: %m", l->sql_log);
    fprintf(f, "%s;\n", sql);
    return fclose(f) == 0 || error_set(err, ERR_IO, "could not write file \"%s\": %m", l->sql_log);
}

static bool exec_sql(RsLoad *l, const char *sql, Error *err)
{
    if (!log_sql(l, sql, err)) return false;
    const LibpqApi *pq = l->pq;
    PGresult *res = pq->exec(l->conn, sql);
    ExecStatusType st = pq->resultStatus(res);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok) fail(l, err, "Redshift", pq->resultErrorMessage(res));
    pq->clear(res);
    return ok;
}

/* Delete the staged files (also the one being written); cannot fail. */
static void remove_staged(RsLoad *l)
{
    parquet_writer_abort(l->pw);
    l->pw = NULL;
    for (int i = 0; i < l->files.count; i++) {
        Error ignored = {0};
        fs_remove(l->files.paths[i], &ignored);
    }
    fs_path_list_free(&l->files);
}

static void load_free(RsLoad *l)
{
    remove_staged(l);
    if (l->conn) l->pq->finish(l->conn);
    for (int c = 0; l->file_names && c <= l->t.ncols; c++) mem_free(l->file_names[c]);
    mem_free(l->file_names);
    mem_free(l->file_types);
    vector_free(l->ord_vec);
    batch_destroy(&l->view);
    load_target_free(&l->t);
    mem_free(l->shown);
    mem_free(l->prefix);
    mem_free(l->iam_role);
    mem_free(l->region);
    mem_free(l->sql_log);
    mem_free(l);
}

/* A name for this load's folder that no other load has. */
static void run_id(StrBuf *sb)
{
    static unsigned counter;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[32];
    strftime(when, sizeof when, "%Y%m%dT%H%M%SZ", &tm);
    strbuf_printf(sb, "kiln-%s-%ld-%09ld-%u", when, (long)getpid(), ts.tv_nsec,
                  __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
}

/* Server notices ("relation ... already exists, skipping") are not kiln's output. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Connect with the URL's parts; s3_staging, iam_role and region are kiln's. */
static bool connect_url(RsLoad *l, const char *url, Error *err)
{
    ConnUrl u;
    if (!conninfo_parse_url(url, &u, err)) return false;
    const char *staging = conninfo_param(&u, "s3_staging"), *role = conninfo_param(&u, "iam_role");
    const char *region = conninfo_param(&u, "region");
    bool ok = true;
    if (staging == NULL || strncmp(staging, "s3://", 5) != 0 || staging[5] == '\0' || staging[5] == '/')
        ok = error_set(err, ERR_SQL, "a redshift connection needs s3_staging 's3://bucket/prefix/' (where the load's files are staged)");
    else if (role == NULL || *role == '\0')
        ok = error_set(err, ERR_SQL, "a redshift connection needs iam_role 'arn:aws:iam::<account>:role/<name>' (the role Redshift's COPY reads S3 with)");
    else if (u.host == NULL)
        ok = error_set(err, ERR_SQL, "a redshift connection needs a host: redshift://user@host:5439/database");
    const LibpqApi *pq = NULL;
    if (ok) {
        pq = l->pq = libpq_api(err); /* loaded on the first connection */
        if (pq == NULL) {
            error_prefix(err, "loading Redshift table \"%s\"", l->t.table);
            ok = false;
        }
    }
    if (!ok) {
        error_set_location(err, l->shown, 0, 0);
        conninfo_url_free(&u);
        return false;
    }
    StrBuf prefix = STRBUF_INIT;
    strbuf_puts(&prefix, staging);
    if (staging[strlen(staging) - 1] != '/') strbuf_putc(&prefix, '/');
    run_id(&prefix);
    strbuf_putc(&prefix, '/');
    l->prefix = strbuf_take(&prefix);
    l->iam_role = mem_strdup(role);
    l->region = region && *region ? mem_strdup(region) : NULL;

    int n = 0, cap = 8 + u.nparams;
    const char **keys = mem_calloc((size_t)cap, sizeof(char *)), **vals = mem_calloc((size_t)cap, sizeof(char *));
    char port[16];
    snprintf(port, sizeof port, "%d", u.port ? u.port : 5439);
    keys[n] = "host", vals[n++] = u.host;
    keys[n] = "port", vals[n++] = port;
    keys[n] = "dbname", vals[n++] = u.database ? u.database : "dev";
    if (u.user) keys[n] = "user", vals[n++] = u.user;
    if (u.password) keys[n] = "password", vals[n++] = u.password;
    keys[n] = "connect_timeout", vals[n++] = "10";
    keys[n] = "application_name", vals[n++] = "kiln";
    for (int i = 0; i < u.nparams; i++) {
        const char *k = u.keys[i];
        if (strcmp(k, "s3_staging") && strcmp(k, "iam_role") && strcmp(k, "region")) keys[n] = k, vals[n++] = u.values[i];
    }
    l->conn = pq->connectdbParams(keys, vals, 0);
    mem_free(keys);
    mem_free(vals);
    conninfo_url_free(&u);
    if (l->conn == NULL || pq->status(l->conn) != CONNECTION_OK)
        return fail(l, err, "could not connect to Redshift", l->conn ? pq->errorMessage(l->conn) : "out of memory");
    pq->setNoticeProcessor(l->conn, ignore_notice, NULL);
    return true;
}

/* Close the staged file being written (it becomes visible) and list it. */
static bool close_file(RsLoad *l, Error *err)
{
    if (l->pw == NULL) return true;
    ParquetWriter *pw = l->pw;
    l->pw = NULL;
    StrBuf path = STRBUF_INIT;
    strbuf_printf(&path, "%spart-%05d.parquet", l->prefix, l->file_no - 1);
    /* listed before the close: a close that fails half-way may still leave an object */
    fs_path_list_add(&l->files, strbuf_cstr(&path));
    strbuf_free(&path);
    return parquet_writer_close(pw, err);
}

static bool open_file(RsLoad *l, Error *err)
{
    ParquetWriteOptions o;
    parquet_write_options_init(&o);
    StrBuf path = STRBUF_INIT;
    strbuf_printf(&path, "%spart-%05d.parquet", l->prefix, l->file_no++);
    l->pw = parquet_writer_open(strbuf_cstr(&path), &o, err);
    strbuf_free(&path);
    if (l->pw == NULL) return false;
    return parquet_writer_begin(l->pw, l->t.ncols + 1, (const char *const *)l->file_names, l->file_types, err);
}

RsLoad *rs_load_begin(const char *url, const LoadSpec *spec, int ncols, char *const *names, const LogicalType *types,
                      Error *err)
{
    RsLoad *l = mem_calloc(1, sizeof *l);
    l->shown = conninfo_redact(url);
    l->sql_log = spec->sql_log ? mem_strdup(spec->sql_log) : NULL;
    bool ok = load_target_init(&l->t, spec, ncols, names, types, err);
    for (int c = 0; c < ncols && ok; c++) {
        if (types[c].id == TYPE_INTERVAL)
            ok = error_set(err, ERR_SQL, "column \"%s\" is an interval: Redshift cannot load one from Parquet (cast it to text)",
                           names[c]);
        else if (strcmp(names[c], "kiln_ord") == 0 || strcmp(names[c], "kiln_row") == 0)
            ok = error_set(err, ERR_SQL, "column name \"%s\" is kiln's own in a Redshift load (rename the column)", names[c]);
    }
    if (!ok || !connect_url(l, url, err)) {
        load_free(l);
        return NULL;
    }
    l->file_names = mem_calloc((size_t)ncols + 2, sizeof(char *));
    l->file_types = mem_calloc((size_t)ncols + 2, sizeof(LogicalType));
    for (int c = 0; c < ncols; c++) {
        l->file_names[c] = mem_strdup(names[c]);
        l->file_types[c] = types[c];
    }
    l->file_names[ncols] = mem_strdup("kiln_ord");
    l->file_types[ncols] = type_make(TYPE_BIGINT);
    l->ord_vec = vector_new(type_make(TYPE_BIGINT), VECTOR_CAPACITY);
    batch_init_borrowed(&l->view, ncols + 1);
    if (!open_file(l, err)) {
        error_prefix(err, "staging the rows for Redshift");
        rs_load_abort(l);
        return NULL;
    }
    return l;
}

bool rs_load_batch(RsLoad *l, const Batch *b, Error *err)
{
    for (int c = 0; c < l->t.ncols; c++) {
        const Vector *v = b->cols[c];
        if (v->type.id != TYPE_VARCHAR) continue;
        for (uint32_t i = 0; i < b->count; i++) {
            uint32_t row = batch_row(b, i);
            if (vector_is_valid(v, row) && VEC_DATA(v, KString)[row].len > RS_VARCHAR_MAX)
                return error_set(err, ERR_DATA,
                                 "column \"%s\": a value of %u bytes is longer than Redshift's VARCHAR(65535)",
                                 l->t.names[c], VEC_DATA(v, KString)[row].len);
        }
    }
    for (uint32_t i = 0; i < b->count; i++) {
        uint32_t row = batch_row(b, i);
        VEC_DATA(l->ord_vec, int64_t)[row] = l->ord++;
        vector_set_valid(l->ord_vec, row);
    }
    for (int c = 0; c < l->t.ncols; c++) l->view.cols[c] = b->cols[c];
    l->view.cols[l->t.ncols] = l->ord_vec;
    l->view.count = b->count;
    l->view.sel = b->sel;
    if (!parquet_writer_write_batch(l->pw, &l->view, err)) return false;
    if (parquet_writer_estimated_size(l->pw) >= RS_FILE_BYTES) return close_file(l, err) && open_file(l, err);
    return true;
}

/* Emulation of Redshift's COPY: the staged files, read back from S3, into
 * kiln_stage with a binary COPY. */
static bool emulate_copy(RsLoad *l, Error *err)
{
    const LibpqApi *pq = l->pq;
    PGresult *res = pq->exec(l->conn, "COPY kiln_stage FROM STDIN (FORMAT binary)");
    bool ok = pq->resultStatus(res) == PGRES_COPY_IN || fail(l, err, "PostgreSQL", pq->resultErrorMessage(res));
    pq->clear(res);
    if (!ok) return false;
    StrBuf buf = STRBUF_INIT;
    pg_copy_binary_header(&buf);
    int nfile_cols = l->t.ncols + 1;
    for (int f = 0; f < l->files.count && ok; f++) {
        ParquetFile *pf = parquet_file_open(l->files.paths[f], err);
        if (pf == NULL) {
            ok = false;
            break;
        }
        if (pf->ncols != nfile_cols) {
            ok = fail(l, err, "emulated COPY", "a staged file has other columns");
            parquet_file_close(pf);
            break;
        }
        LogicalType *types = mem_calloc((size_t)nfile_cols, sizeof(LogicalType));
        for (int c = 0; c < nfile_cols; c++) types[c] = pf->cols[c].type;
        Batch batch;
        batch_init(&batch, nfile_cols, types, VECTOR_CAPACITY);
        ParquetColumnReader **readers = mem_calloc((size_t)nfile_cols, sizeof *readers);
        for (uint32_t rg = 0; rg < pf->meta.nrow_groups && ok; rg++) {
            for (int c = 0; c < nfile_cols && ok; c++) {
                readers[c] = parquet_column_reader_open(pf, (int)rg, c, err);
                ok = readers[c] != NULL;
            }
            for (int64_t done = 0, total = pf->meta.row_groups[rg].num_rows; ok && done < total;) {
                uint32_t n = (uint32_t)(total - done < VECTOR_CAPACITY ? total - done : VECTOR_CAPACITY);
                batch_reset(&batch);
                for (int c = 0; c < nfile_cols && ok; c++) ok = parquet_column_reader_read(readers[c], batch.cols[c], 0, n, err);
                batch.count = n;
                ok = ok && pg_copy_binary_rows(&buf, &batch, l->file_names, err);
                if (ok && buf.len >= RS_COPY_FLUSH) {
                    ok = pq->putCopyData(l->conn, buf.data, (int)buf.len) == 1 ||
                         fail(l, err, "sending rows", pq->errorMessage(l->conn));
                    strbuf_clear(&buf);
                }
                done += n;
            }
            for (int c = 0; c < nfile_cols; c++) {
                parquet_column_reader_close(readers[c]);
                readers[c] = NULL;
            }
        }
        mem_free(readers);
        batch_destroy(&batch);
        mem_free(types);
        parquet_file_close(pf);
    }
    if (ok) {
        pg_copy_binary_trailer(&buf);
        ok = pq->putCopyData(l->conn, buf.data, (int)buf.len) == 1 || fail(l, err, "sending rows", pq->errorMessage(l->conn));
    }
    strbuf_free(&buf);
    if (pq->putCopyEnd(l->conn, ok ? NULL : "kiln: emulated COPY failed") != 1 && ok)
        ok = fail(l, err, "ending COPY", pq->errorMessage(l->conn));
    res = pq->getResult(l->conn);
    if (ok && pq->resultStatus(res) != PGRES_COMMAND_OK) ok = fail(l, err, "PostgreSQL", pq->resultErrorMessage(res));
    pq->clear(res);
    while ((res = pq->getResult(l->conn)) != NULL) pq->clear(res);
    return ok;
}

/* t.k1 = kiln_stage.k1 AND ... */
static void key_match(StrBuf *sb, RsLoad *l)
{
    for (int k = 0; k < l->t.nkeys; k++) {
        if (k) strbuf_puts(sb, " AND ");
        quote_table(sb, l->t.table);
        strbuf_putc(sb, '.');
        load_quote_ident(sb, l->t.names[l->t.key_cols[k]]);
        strbuf_puts(sb, " = kiln_stage.");
        load_quote_ident(sb, l->t.names[l->t.key_cols[k]]);
    }
}

static bool apply(RsLoad *l, Error *err)
{
    StrBuf sql = STRBUF_INIT;
    strbuf_puts(&sql, "CREATE TABLE IF NOT EXISTS ");
    quote_table(&sql, l->t.table);
    strbuf_puts(&sql, " (");
    load_column_defs(&sql, &l->t, load_quote_ident, rs_type_of, false);
    strbuf_putc(&sql, ')');
    bool ok = exec_sql(l, "BEGIN", err) && exec_sql(l, strbuf_cstr(&sql), err);
    if (ok) {
        strbuf_clear(&sql);
        load_stage_sql(&sql, "CREATE TEMP TABLE", &l->t, load_quote_ident, rs_type_of, "kiln_ord BIGINT", NULL);
        ok = exec_sql(l, strbuf_cstr(&sql), err);
    }
    if (ok) {
        strbuf_clear(&sql);
        strbuf_puts(&sql, "COPY kiln_stage FROM ");
        quote_literal(&sql, l->prefix);
        strbuf_puts(&sql, " IAM_ROLE ");
        quote_literal(&sql, l->iam_role);
        strbuf_puts(&sql, " FORMAT AS PARQUET");
        if (l->region) {
            strbuf_puts(&sql, " REGION ");
            quote_literal(&sql, l->region);
        }
        if (l->sql_log) ok = log_sql(l, strbuf_cstr(&sql), err) && emulate_copy(l, err);
        else ok = exec_sql(l, strbuf_cstr(&sql), err);
    }
    if (ok && l->t.mode != LOAD_APPEND) {
        strbuf_clear(&sql);
        strbuf_puts(&sql, "DELETE FROM ");
        quote_table(&sql, l->t.table);
        if (l->t.mode != LOAD_OVERWRITE) {
            strbuf_puts(&sql, " USING kiln_stage WHERE ");
            key_match(&sql, l);
        }
        ok = exec_sql(l, strbuf_cstr(&sql), err);
    }
    if (ok) {
        strbuf_clear(&sql);
        strbuf_puts(&sql, "INSERT INTO ");
        quote_table(&sql, l->t.table);
        strbuf_puts(&sql, " (");
        load_column_list(&sql, &l->t, load_quote_ident, "");
        strbuf_puts(&sql, ") SELECT ");
        load_column_list(&sql, &l->t, load_quote_ident, "");
        if (l->t.mode == LOAD_UPSERT) {
            strbuf_puts(&sql, " FROM (SELECT ");
            load_column_list(&sql, &l->t, load_quote_ident, "");
            strbuf_puts(&sql, ", ROW_NUMBER() OVER (PARTITION BY ");
            load_key_list(&sql, &l->t, load_quote_ident);
            strbuf_puts(&sql, " ORDER BY kiln_ord DESC) AS kiln_row FROM kiln_stage) AS kiln_latest WHERE kiln_row = 1");
            for (int k = 0; k < l->t.nkeys; k++) {
                strbuf_puts(&sql, " OR ");
                load_quote_ident(&sql, l->t.names[l->t.key_cols[k]]);
                strbuf_puts(&sql, " IS NULL");
            }
        } else {
            strbuf_puts(&sql, " FROM kiln_stage");
        }
        ok = exec_sql(l, strbuf_cstr(&sql), err);
    }
    strbuf_free(&sql);
    return ok && exec_sql(l, "COMMIT", err);
}

bool rs_load_commit(RsLoad *l, Error *err)
{
    bool ok = close_file(l, err);
    if (!ok) error_prefix(err, "staging the rows for Redshift");
    if (ok && !apply(l, err)) ok = false;
    if (!ok) {
        rs_load_abort(l);
        return false;
    }
    load_free(l); /* deletes the staged files */
    return true;
}

void rs_load_abort(RsLoad *l)
{
    if (l == NULL) return;
    const LibpqApi *pq = l->pq;
    if (l->conn && pq->status(l->conn) == CONNECTION_OK && pq->transactionStatus(l->conn) != PQTRANS_IDLE) {
        PGresult *res = pq->exec(l->conn, "ROLLBACK");
        pq->clear(res);
    }
    load_free(l);
}
