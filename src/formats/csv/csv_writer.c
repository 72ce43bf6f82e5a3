/* csv_writer: batches to CSV text (see csv_writer.h for the conventions).
 *
 * Values are appended straight into one output buffer, flushed when it is
 * full (1 MiB; it grows only for a single value longer than that).  Strings
 * are copied as they are unless a scan for the delimiter, quote, CR and LF
 * finds one, in which case the value is quoted and its quotes escaped.
 * Integers are formatted by hand; other types go through cast_format_value
 * into a reused scratch buffer.  Memory: the output buffer and the scratch. */
#include "formats/csv/csv_writer.h"

#include <errno.h>
#include <string.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "io/compress.h"
#include "io/fs.h"
#include "types/cast.h"

#define CSV_WRITE_BUFFER (1u << 20)

struct CsvWriter {
    CsvWriteOptions opts;
    char *nullstr;
    size_t nullstr_len;
    FsWriter *file;   /* file target, or NULL */
    bool owns_file;   /* csv_writer_open's file (committed/aborted here), not csv_writer_open_on's */
    FILE *stream;     /* stream target, or NULL */
    char *buf;
    size_t len, cap;
    int ncols;
    bool begun;
    uint64_t rows;
    uint64_t flushed;
    uint8_t needs_quote[256];
    StrBuf scratch;
};

void csv_write_options_init(CsvWriteOptions *opts)
{
    opts->header = true;
    opts->delim = ',';
    opts->quote = '"';
    opts->escape = '\0';
    opts->nullstr = NULL;
    opts->compression = COMPRESSION_AUTO;
}

static CsvWriter *writer_new(const CsvWriteOptions *opts, size_t buffer_bytes, Error *err)
{
    CsvWriteOptions o = *opts;
    if (o.delim == '\0') o.delim = ',';
    if (o.quote == '\0') o.quote = '"';
    if (o.escape == '\0') o.escape = o.quote;
    if (o.delim == '\n' || o.delim == '\r' || o.quote == '\n' || o.quote == '\r') {
        error_set(err, ERR_USAGE, "CSV delimiter and quote cannot be newline or carriage return");
        return NULL;
    }
    if (o.delim == o.quote) {
        error_set(err, ERR_USAGE, "CSV delimiter and quote must be different");
        return NULL;
    }
    CsvWriter *w = mem_calloc(1, sizeof *w);
    w->nullstr = mem_strdup(o.nullstr ? o.nullstr : "");
    w->nullstr_len = strlen(w->nullstr);
    o.nullstr = w->nullstr;
    w->opts = o;
    w->cap = buffer_bytes;
    w->buf = mem_alloc(w->cap);
    w->needs_quote[(unsigned char)o.delim] = 1;
    w->needs_quote[(unsigned char)o.quote] = 1;
    w->needs_quote['\r'] = 1;
    w->needs_quote['\n'] = 1;
    return w;
}

CsvWriter *csv_writer_open(const char *path, const CsvWriteOptions *opts, Error *err)
{
    CsvWriter *w = writer_new(opts, CSV_WRITE_BUFFER, err);
    if (w == NULL) return NULL;
    w->owns_file = true;
    w->file = compress_open_write(path, opts->compression, err); /* plain fs_open_write when uncompressed */
    if (w->file == NULL) {
        csv_writer_abort(w);
        return NULL;
    }
    return w;
}

CsvWriter *csv_writer_open_stream(FILE *out, const CsvWriteOptions *opts, Error *err)
{
    CsvWriter *w = writer_new(opts, CSV_WRITE_BUFFER, err);
    if (w) w->stream = out;
    return w;
}

CsvWriter *csv_writer_open_on(FsWriter *out, const CsvWriteOptions *opts, size_t buffer_bytes, Error *err)
{
    CsvWriter *w = writer_new(opts, buffer_bytes < 4096 ? 4096 : buffer_bytes, err);
    if (w) w->file = out;
    return w;
}

static bool flush(CsvWriter *w, Error *err)
{
    if (w->len == 0) return true;
    if (w->file) {
        if (!fs_writer_write(w->file, w->buf, w->len, err)) return false;
    } else if (fwrite(w->buf, 1, w->len, w->stream) != w->len) {
        return error_set(err, ERR_IO, "could not write CSV output: %s", strerror(errno ? errno : EIO));
    }
    w->flushed += w->len;
    w->len = 0;
    return true;
}

/* Make room for n more bytes. */
static bool reserve(CsvWriter *w, size_t n, Error *err)
{
    if (w->len + n <= w->cap) return true;
    if (!flush(w, err)) return false;
    if (n > w->cap) {
        w->buf = mem_realloc(w->buf, n);
        w->cap = n;
    }
    return true;
}

/* Append one field's text, quoted if the conventions require it. */
static bool put_field(CsvWriter *w, const char *s, size_t n, Error *err)
{
    bool quote = n == w->nullstr_len && memcmp(s, w->nullstr, n) == 0;
    if (n == 2 && s[0] == '\\' && s[1] == '.') quote = true;
    for (size_t i = 0; i < n && !quote; i++) quote = w->needs_quote[(unsigned char)s[i]];
    if (!quote) {
        if (!reserve(w, n, err)) return false;
        memcpy(w->buf + w->len, s, n);
        w->len += n;
        return true;
    }
    if (!reserve(w, 2 * n + 2, err)) return false;
    char *o = w->buf + w->len;
    const char q = w->opts.quote, e = w->opts.escape;
    *o++ = q;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == q || (s[i] == e && e != q)) *o++ = e;
        *o++ = s[i];
    }
    *o++ = q;
    w->len = (size_t)(o - w->buf);
    return true;
}

static bool put_byte(CsvWriter *w, char c, Error *err)
{
    if (!reserve(w, 1, err)) return false;
    w->buf[w->len++] = c;
    return true;
}

static bool put_int64(CsvWriter *w, int64_t v, Error *err)
{
    char digits[24];
    int n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do digits[n++] = (char)('0' + u % 10), u /= 10;
    while (u);
    if (!reserve(w, (size_t)n + 1, err)) return false;
    if (v < 0) w->buf[w->len++] = '-';
    while (n > 0) w->buf[w->len++] = digits[--n];
    return true;
}

bool csv_writer_begin(CsvWriter *w, int ncols, const char *const *names, Error *err)
{
    w->ncols = ncols;
    w->begun = true;
    if (!w->opts.header) return true;
    for (int c = 0; c < ncols; c++) {
        if (c > 0 && !put_byte(w, w->opts.delim, err)) return false;
        if (!put_field(w, names[c], strlen(names[c]), err)) return false;
    }
    return put_byte(w, '\n', err);
}

static bool put_value(CsvWriter *w, const Vector *v, uint32_t row, Error *err)
{
    if (!vector_is_valid(v, row)) {
        if (!reserve(w, w->nullstr_len, err)) return false;
        memcpy(w->buf + w->len, w->nullstr, w->nullstr_len);
        w->len += w->nullstr_len;
        return true;
    }
    switch (v->type.id) {
    case TYPE_VARCHAR: {
        const KString *k = &VEC_DATA(v, KString)[row];
        return put_field(w, kstring_data(k), k->len, err);
    }
    case TYPE_BIGINT:
        if (w->opts.delim == '-' || (w->opts.delim >= '0' && w->opts.delim <= '9')) break;
        return put_int64(w, VEC_DATA(v, int64_t)[row], err);
    case TYPE_INTEGER:
        if (w->opts.delim == '-' || (w->opts.delim >= '0' && w->opts.delim <= '9')) break;
        return put_int64(w, VEC_DATA(v, int32_t)[row], err);
    default:
        break;
    }
    strbuf_clear(&w->scratch);
    cast_format_value(v, row, &w->scratch);
    return put_field(w, w->scratch.data ? w->scratch.data : "", w->scratch.len, err);
}

bool csv_writer_write_batch(CsvWriter *w, const Batch *b, Error *err)
{
    if (!w->begun || b->ncols != w->ncols)
        return error_set(err, ERR_INTERNAL, "CSV writer got %d columns, expected %d", b->ncols, w->ncols);
    for (uint32_t i = 0; i < b->count; i++) {
        uint32_t row = batch_row(b, i);
        for (int c = 0; c < b->ncols; c++) {
            if (c > 0 && !put_byte(w, w->opts.delim, err)) return false;
            if (!put_value(w, b->cols[c], row, err)) return false;
        }
        if (!put_byte(w, '\n', err)) return false;
        w->rows++;
    }
    return true;
}

static void writer_free(CsvWriter *w)
{
    strbuf_free(&w->scratch);
    mem_free(w->buf);
    mem_free(w->nullstr);
    mem_free(w);
}

bool csv_writer_close(CsvWriter *w, Error *err)
{
    if (!flush(w, err)) {
        csv_writer_abort(w);
        return false;
    }
    bool ok = true;
    if (w->file && !w->owns_file) {
        w->file = NULL; /* csv_writer_open_on: the caller commits */
    } else if (w->file) {
        ok = fs_writer_commit(w->file, err);
        w->file = NULL;
    } else if (fflush(w->stream) != 0) {
        ok = error_set(err, ERR_IO, "could not write CSV output: %s", strerror(errno));
    }
    writer_free(w);
    return ok;
}

bool csv_writer_finish(CsvWriter *w, Error *err)
{
    return csv_writer_close(w, err);
}

void csv_writer_abort(CsvWriter *w)
{
    if (w == NULL) return;
    if (w->owns_file) fs_writer_abort(w->file);
    writer_free(w);
}

uint64_t csv_writer_rows(const CsvWriter *w)
{
    return w->rows;
}

uint64_t csv_writer_bytes(const CsvWriter *w)
{
    return w->flushed + w->len;
}

uint64_t csv_writer_memory(const CsvWriter *w)
{
    return sizeof *w + w->cap + w->scratch.cap + w->nullstr_len + 1;
}
