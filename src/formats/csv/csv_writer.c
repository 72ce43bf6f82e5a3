/* csv_writer: batches to CSV text (see csv_writer.h for the conventions).
 *
 * Values are appended straight into one output buffer, flushed when it is
 * full (1 MiB; it grows only for a single value longer than that).  Strings
 * are copied as they are unless a scan for the delimiter, quote, CR and LF
 * finds one, in which case the value is quoted and its quotes escaped.
 * Integers, 64-bit decimals, dates and timestamps are formatted straight into
 * the output buffer (two digits per table lookup for the common ones), with
 * no quoting scan when their text cannot need quotes (plain_numbers); other
 * types go through cast_format_value into a reused scratch buffer.  Dates
 * repeat (a few thousand days cover most data), so their text is kept in a
 * direct-mapped cache indexed by the day number.
 * Memory: the output buffer, the scratch and the 64 KiB date cache. */
#include "formats/csv/csv_writer.h"

#include <errno.h>
#include <string.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "io/compress.h"
#include "io/fs.h"
#include "types/cast.h"
#include "types/datetime.h"
#include "types/decimal.h"

#define CSV_WRITE_BUFFER (1u << 20)
#define DATE_CACHE_SIZE 4096 /* entries, a power of two: 11 years of distinct days */

/* A cached date text (years 1 to 9999: always 10 characters). */
typedef struct DateText {
    int32_t days; /* INT32_MIN: empty (no such date has a 4-digit year) */
    char text[10];
} DateText;

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
    bool plain_numbers; /* number and date text never needs quotes: the delimiter cannot occur in it
                           and it cannot equal the null string */
    StrBuf scratch;
    DateText *date_cache; /* DATE_CACHE_SIZE entries, allocated at the first date */
};

/* "00" .. "99" */
static const char two_digits[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                    "8081828384858687888990919293949596979899";

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
    /* the characters of numbers, dates and timestamps ("-12.50", "1999-01-08 04:05:06.5 BC", "1e+300") */
    static const char number_chars[] = "0123456789-+.: BCe";
    bool null_like_number = w->nullstr_len > 0 && strspn(w->nullstr, number_chars) == w->nullstr_len;
    w->plain_numbers = strchr(number_chars, o.delim) == NULL && !null_like_number;
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

/* Flush to make room for n more bytes (reserve's slow path). */
static bool reserve_slow(CsvWriter *w, size_t n, Error *err)
{
    if (!flush(w, err)) return false;
    if (n > w->cap) {
        w->buf = mem_realloc(w->buf, n);
        w->cap = n;
    }
    return true;
}

/* Make room for n more bytes. */
static inline bool reserve(CsvWriter *w, size_t n, Error *err)
{
    return w->len + n <= w->cap || reserve_slow(w, n, err);
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

static inline bool put_byte(CsvWriter *w, char c, Error *err)
{
    if (!reserve(w, 1, err)) return false;
    w->buf[w->len++] = c;
    return true;
}

/* The digits of u, right-aligned so that they end at end; returns where they start. */
static inline char *digits_before(char *end, uint64_t u)
{
    while (u >= 100) {
        end -= 2;
        memcpy(end, two_digits + 2 * (u % 100), 2);
        u /= 100;
    }
    if (u >= 10) {
        end -= 2;
        memcpy(end, two_digits + 2 * u, 2);
    } else {
        *--end = (char)('0' + u);
    }
    return end;
}

/* An integer, or with scale > 0 the 64-bit decimal of that unscaled value
 * ("-0.05": at least one integer digit), as decimal_format writes it. */
static bool put_scaled_int64(CsvWriter *w, int64_t v, int scale, Error *err)
{
    /* at most 22 characters ("-" 20 digits "."), built to end at text + 32
     * and copied as a fixed 32 bytes (a move, not a call); the bytes past
     * the number are overwritten by what comes next */
    char text[64];
    char *end = text + 32;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    char *p;
    if (scale == 0) {
        p = digits_before(end, u);
    } else {
        uint64_t pow = 100; /* the usual money type, with a constant divisor */
        if (scale != 2) {
            pow = 1;
            for (int k = 0; k < scale; k++) pow *= 10; /* scale <= 18: fits */
        }
        uint64_t whole = scale == 2 ? u / 100 : u / pow, frac = scale == 2 ? u % 100 : u % pow;
        char *point = digits_before(end, frac);
        while (point > end - scale) *--point = '0';
        *--point = '.';
        p = digits_before(point, whole);
    }
    if (v < 0) *--p = '-';
    if (!reserve(w, 32, err)) return false;
    memcpy(w->buf + w->len, p, 32);
    w->len += (size_t)(end - p);
    return true;
}

/* A date in PostgreSQL's ISO style: years 1 to 9999 through the cache (by
 * table on a miss), others (BC, five digits) through datetime_format_date. */
static bool put_date(CsvWriter *w, int32_t days, Error *err)
{
    if (!reserve(w, DATETIME_TEXT_MAX, err)) return false;
    char *o = w->buf + w->len;
    if (w->date_cache == NULL) {
        w->date_cache = mem_alloc(sizeof(DateText) * DATE_CACHE_SIZE);
        for (int i = 0; i < DATE_CACHE_SIZE; i++) w->date_cache[i].days = INT32_MIN;
    }
    DateText *e = &w->date_cache[(uint32_t)days & (DATE_CACHE_SIZE - 1)];
    if (e->days != days) {
        int y, m, d;
        datetime_civil_from_days(days, &y, &m, &d);
        if (y < 1 || y > 9999) {
            w->len += datetime_format_date(days, o);
            return true;
        }
        memcpy(e->text, two_digits + 2 * (y / 100), 2);
        memcpy(e->text + 2, two_digits + 2 * (y % 100), 2);
        e->text[4] = '-';
        memcpy(e->text + 5, two_digits + 2 * m, 2);
        e->text[7] = '-';
        memcpy(e->text + 8, two_digits + 2 * d, 2);
        e->days = days;
    }
    memcpy(o, e->text, 10);
    w->len += 10;
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
        if (!w->plain_numbers) break;
        return put_scaled_int64(w, VEC_DATA(v, int64_t)[row], 0, err);
    case TYPE_INTEGER:
        if (!w->plain_numbers) break;
        return put_scaled_int64(w, VEC_DATA(v, int32_t)[row], 0, err);
    case TYPE_DECIMAL:
        if (!w->plain_numbers || type_is_decimal128(v->type)) break;
        return put_scaled_int64(w, VEC_DATA(v, int64_t)[row], v->type.scale, err);
    case TYPE_DATE:
        if (!w->plain_numbers) break;
        return put_date(w, VEC_DATA(v, int32_t)[row], err);
    case TYPE_TIMESTAMP:
        if (!w->plain_numbers) break;
        if (!reserve(w, DATETIME_TEXT_MAX, err)) return false;
        w->len += datetime_format_timestamp(VEC_DATA(v, int64_t)[row], w->buf + w->len);
        return true;
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
    mem_free(w->date_cache);
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
    return sizeof *w + w->cap + w->scratch.cap + w->nullstr_len + 1 +
           (w->date_cache ? sizeof(DateText) * DATE_CACHE_SIZE : 0);
}
