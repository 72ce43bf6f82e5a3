/* csv_scanner: records and fields of one CSV file (see csv_scanner.h).
 *
 * The hot loop skips ordinary bytes with a 256-entry table lookup and stops
 * only at the bytes that matter in the current state (delimiter, quote, CR,
 * LF outside quotes; quote, escape, LF inside).  A record is scanned from its
 * start every time, so running out of buffer mid-record needs no saved
 * state: the record is moved to the front, more bytes are read, and the scan
 * restarts. */
#include "formats/csv/csv_scanner.h"

#include <string.h>

#include "common/mem.h"

enum { SCAN_OK, SCAN_NEED_MORE, SCAN_UNTERMINATED };

static void set_tables(CsvScanner *s)
{
    memset(s->special, 0, sizeof s->special);
    memset(s->special_quoted, 0, sizeof s->special_quoted);
    s->special[(unsigned char)s->dialect.delim] = 1;
    s->special['\n'] = 1;
    s->special['\r'] = 1;
    if (s->dialect.quote >= 0) {
        s->special[s->dialect.quote] = 1;
        s->special_quoted[s->dialect.quote] = 1;
    }
    if (s->dialect.escape >= 0) s->special_quoted[s->dialect.escape] = 1;
    s->special_quoted['\n'] = 1;
}

/* Move the unscanned bytes to the front and read more behind them; grows
 * the buffer when a single record fills it. */
static bool refill(CsvScanner *s, Error *err)
{
    if (s->pos > 0) {
        memmove(s->buf, s->buf + s->pos, s->len - s->pos);
        s->buf_offset += s->pos;
        s->len -= s->pos;
        s->pos = 0;
    }
    if (s->len == s->cap) {
        if (s->cap >= s->max_record) {
            error_set(err, ERR_DATA, "maximum line size of %zu bytes exceeded (an unterminated quoted field?)",
                      s->max_record);
            error_set_location(err, s->path, s->line, 0);
            return false;
        }
        size_t grown = s->cap * 2;
        if (grown > s->max_record) grown = s->max_record;
        s->buf = mem_realloc(s->buf, grown);
        s->cap = grown;
    }
    size_t want = s->cap - s->len, got = 0;
    if (s->dec) { /* compressed: the stream's next bytes; a short read is its end */
        if (!decompress_read(s->dec, s->buf + s->len, want, &got, err)) return false;
        s->len += got;
        s->read_offset += got;
        if (got < want) s->eof = true;
        return true;
    }
    if (!fs_pread(s->file, s->buf + s->len, want, s->read_offset, &got, err)) return false;
    s->len += got;
    s->read_offset += got;
    if (got < want || s->read_offset >= s->file->size) s->eof = true;
    return true;
}

static void grow_fields(CsvScanner *s, int index)
{
    if (index >= s->cap_fields) {
        int cap = s->cap_fields ? s->cap_fields * 2 : 16;
        if (cap > s->max_fields) cap = s->max_fields;
        s->fields = mem_realloc(s->fields, (size_t)cap * sizeof *s->fields);
        s->cap_fields = cap;
    }
}

static inline void add_field(CsvScanner *s, int index, size_t start, size_t len, bool quoted, bool escaped)
{
    if (index >= s->cap_fields) {
        if (index >= s->max_fields) return;
        grow_fields(s, index);
    }
    /* a record is at most max_record bytes, which the caller keeps below 4 GiB */
    s->fields[index] = (CsvField){start, (uint32_t)len, quoted, escaped};
}

/* Scan one record starting at s->pos.  On SCAN_OK the fields, s->pos and
 * s->line describe it; otherwise nothing in s changed but error_field. */
static int scan_record(CsvScanner *s)
{
    const unsigned char *b = (const unsigned char *)s->buf;
    const size_t len = s->len;
    const bool eof = s->eof;
    const int delim = (unsigned char)s->dialect.delim, quote = s->dialect.quote, escape = s->dialect.escape;
    size_t p = s->pos;
    int64_t newlines = 0;
    int nf = 0;
    for (;;) {
        size_t fstart = p, qopen = 0, qclose = 0;
        bool any_quote = false, messy = false;
        int end_kind; /* 0 delimiter, 1 newline, 2 end of file */
        for (;;) {
            while (p < len && !s->special[b[p]]) p++;
            if (p >= len) {
                if (!eof) return SCAN_NEED_MORE;
                end_kind = 2;
                break;
            }
            int c = b[p];
            if (c == delim) {
                end_kind = 0;
                break;
            }
            if (c == '\n' || c == '\r') {
                end_kind = 1;
                break;
            }
            /* an opening quote */
            if (any_quote || p != fstart) messy = true;
            any_quote = true;
            qopen = ++p;
            for (;;) {
                while (p < len && !s->special_quoted[b[p]]) p++;
                if (p >= len) {
                    if (!eof) return SCAN_NEED_MORE;
                    s->error_field = nf + 1;
                    return SCAN_UNTERMINATED;
                }
                c = b[p];
                if (c == '\n') {
                    newlines++;
                    p++;
                    continue;
                }
                if (c == quote) {
                    if (escape == quote) {
                        if (p + 1 >= len && !eof) return SCAN_NEED_MORE;
                        if (p + 1 < len && b[p + 1] == quote) {
                            messy = true;
                            p += 2;
                            continue;
                        }
                    }
                    qclose = p++;
                    break;
                }
                /* an escape byte that differs from the quote */
                if (p + 1 >= len) {
                    if (!eof) return SCAN_NEED_MORE;
                    p++;
                    continue;
                }
                if (b[p + 1] == quote || b[p + 1] == escape) {
                    messy = true;
                    p += 2;
                    continue;
                }
                p++;
            }
            if (p < len && b[p] != delim && b[p] != '\n' && b[p] != '\r') messy = true;
        }
        if (!any_quote) add_field(s, nf, fstart, p - fstart, false, false);
        else if (!messy) add_field(s, nf, qopen, qclose - qopen, true, false);
        else add_field(s, nf, fstart, p - fstart, true, true);
        nf++;
        if (end_kind == 0) {
            p++;
            continue;
        }
        if (end_kind == 1) {
            if (b[p] == '\r') {
                if (p + 1 >= len && !eof) return SCAN_NEED_MORE;
                p += (p + 1 < len && b[p + 1] == '\n') ? 2 : 1;
            } else {
                p++;
            }
            newlines++;
        }
        break;
    }
    s->record_empty = nf == 1 && p - s->pos <= 2 && (s->fields[0].len == 0 && !s->fields[0].quoted);
    s->nfields = nf;
    s->record_line = s->line;
    s->record_offset = s->buf_offset + s->pos;
    s->line += newlines;
    s->pos = p;
    return SCAN_OK;
}

bool csv_scanner_open(CsvScanner *s, const char *path, const CsvDialect *dialect, size_t block_size,
                      size_t max_record, uint64_t start, uint64_t end, Compression compression, Error *err)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    s->dialect = *dialect;
    s->max_record = max_record;
    s->max_fields = 1 << 16;
    s->line = 1;
    s->stop_offset = end;
    set_tables(s);
    s->file = fs_open_read(path, err);
    if (s->file == NULL) return false;
    s->cap = block_size < 64 ? 64 : block_size;
    if (s->cap > max_record) s->cap = max_record;
    uint64_t remaining = s->file->size > start ? s->file->size - start + 2 : 2;
    if (s->cap > remaining) s->cap = remaining < 64 ? 64 : (size_t)remaining; /* small files, small buffers */
    if (compression_is_compressed(path, compression)) {
        if (start > 0) return error_set(err, ERR_INTERNAL, "a compressed file cannot be read from an offset");
        s->dec = decompress_open(s->file, compression, err);
        if (s->dec == NULL) return false;
        s->cap = block_size < 64 ? 64 : block_size; /* the decompressed size is unknown */
        if (s->cap > max_record) s->cap = max_record;
        s->buf = mem_alloc(s->cap);
        if (!refill(s, err)) return false;
        if (s->len >= 3 && memcmp(s->buf, "\xEF\xBB\xBF", 3) == 0) s->pos = 3;
        return true;
    }
    s->buf = mem_alloc(s->cap);
    s->read_offset = s->buf_offset = start > 0 ? start - 1 : 0;
    if (s->file->size == 0 || s->read_offset >= s->file->size) {
        s->eof = true;
        return true;
    }
    if (!refill(s, err)) return false;
    if (start == 0) {
        if (s->len >= 3 && memcmp(s->buf, "\xEF\xBB\xBF", 3) == 0) s->pos = 3;
        return true;
    }
    /* a range that does not start the file begins after the first LF at or after start - 1 */
    for (;;) {
        char *nl = memchr(s->buf + s->pos, '\n', s->len - s->pos);
        if (nl) {
            s->pos = (size_t)(nl - s->buf) + 1;
            return true;
        }
        s->pos = s->len;
        if (s->eof) return true;
        if (!refill(s, err)) return false;
    }
}

void csv_scanner_close(CsvScanner *s)
{
    decompress_close(s->dec);
    fs_close(s->file);
    mem_free(s->buf);
    mem_free(s->fields);
    memset(s, 0, sizeof *s);
}

CsvScanResult csv_scanner_next(CsvScanner *s, Error *err)
{
    for (;;) {
        if (s->buf_offset + s->pos >= s->stop_offset) return CSV_SCAN_END;
        if (s->pos >= s->len && s->eof) return CSV_SCAN_END;
        int rc = s->pos >= s->len ? SCAN_NEED_MORE : scan_record(s);
        if (rc == SCAN_OK) return CSV_SCAN_RECORD;
        if (rc == SCAN_NEED_MORE) {
            if (!refill(s, err)) {
                if (err->kind == ERR_DATA) {
                    /* the broken record is the rest of the buffer (for the caller's reject record) */
                    s->record_offset = s->buf_offset + s->pos;
                    s->record_line = s->line;
                    s->pos = s->len, s->eof = true, s->stop_offset = 0;
                }
                return CSV_SCAN_ERROR;
            }
            continue;
        }
        error_set(err, ERR_DATA, "unterminated CSV quoted field");
        error_set_location(err, s->path, s->line, s->error_field);
        s->record_offset = s->buf_offset + s->pos;
        s->record_line = s->line;
        s->pos = s->len; /* eof is set: the rest of the file is one broken field */
        return CSV_SCAN_ERROR;
    }
}

bool csv_scanner_skip_lines(CsvScanner *s, int64_t n, Error *err)
{
    while (n > 0) {
        char *nl = s->pos < s->len ? memchr(s->buf + s->pos, '\n', s->len - s->pos) : NULL;
        if (nl) {
            s->pos = (size_t)(nl - s->buf) + 1;
            s->line++;
            n--;
            continue;
        }
        s->pos = s->len;
        if (s->eof) return true;
        if (!refill(s, err)) return false;
    }
    return true;
}

const char *csv_scanner_field_text(const CsvScanner *s, int i, StrBuf *scratch, uint32_t *len)
{
    const CsvField *f = &s->fields[i];
    const char *src = s->buf + f->start;
    if (!f->escaped) {
        *len = f->len;
        return src;
    }
    const int quote = s->dialect.quote, escape = s->dialect.escape;
    strbuf_clear(scratch);
    strbuf_reserve(scratch, f->len);
    char *out = scratch->data;
    size_t n = 0;
    bool in_quotes = false;
    for (uint32_t k = 0; k < f->len; k++) {
        int c = (unsigned char)src[k];
        if (!in_quotes) {
            if (c == quote) in_quotes = true;
            else out[n++] = (char)c;
            continue;
        }
        if (c == quote) {
            if (escape == quote && k + 1 < f->len && (unsigned char)src[k + 1] == quote) out[n++] = src[++k];
            else in_quotes = false;
        } else if (c == escape && k + 1 < f->len &&
                   ((unsigned char)src[k + 1] == quote || (unsigned char)src[k + 1] == escape)) {
            out[n++] = src[++k];
        } else {
            out[n++] = (char)c;
        }
    }
    scratch->len = n;
    out[n] = '\0';
    *len = (uint32_t)n;
    return out;
}
