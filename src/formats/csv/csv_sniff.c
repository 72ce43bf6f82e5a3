/* csv_sniff: works out what a CSV file looks like: its delimiter, whether
 * it has a header, and the type of each column (see csv_reader.h for the
 * rules as users see them).
 *
 * How:
 *   1. Delimiter (unless given): for each candidate (',', '|', ';', '\t')
 *      scan up to 64 records of the first block; the candidate whose first
 *      record has more than one field and that the most records agree with
 *      wins (ties: more columns, then the order above); else ','.
 *   2. The first record (after `skip` lines) is kept aside as the possible
 *      header; then up to sample_size further records with the same field
 *      count narrow, per column, the set of types every non-NULL value
 *      parses as (csv_value_candidates).  Records with another field count
 *      are left out here; the reader reports them.
 *   3. Header (auto): yes if some column got a non-text type that its
 *      first-row value does not parse as; if every column is text, yes when
 *      the first row has no empty field and none of its values is a number,
 *      date or boolean.  Without a header the first row joins the sample.
 * Memory: the scanner's buffer, the first row's texts, one candidate set per
 * column; the sample is never stored. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "formats/csv/csv_reader.h"
#include "formats/csv/csv_scanner.h"
#include "formats/csv/csv_values.h"

#define SNIFF_DELIM_RECORDS 64
#define SNIFF_DELIM_BLOCK (64u << 10)
#define SNIFF_MAX_COLUMNS (1 << 16)

/* Dialect implied by the options (delimiter possibly still unknown). */
static CsvDialect options_dialect(const CsvOptions *opts, char delim)
{
    CsvDialect d;
    d.delim = delim;
    d.quote = opts->quote == CSV_NO_QUOTE ? -1 : opts->quote ? (unsigned char)opts->quote : '"';
    d.escape = d.quote < 0 ? -1 : opts->escape ? (unsigned char)opts->escape : d.quote;
    return d;
}

static bool validate_options(const CsvOptions *opts, Error *err)
{
    CsvDialect d = options_dialect(opts, opts->delim);
    if (opts->delim == '\n' || opts->delim == '\r')
        return error_set(err, ERR_USAGE, "CSV delimiter cannot be newline or carriage return");
    if (d.quote == '\n' || d.quote == '\r' || d.escape == '\n' || d.escape == '\r')
        return error_set(err, ERR_USAGE, "CSV quote and escape cannot be newline or carriage return");
    if (opts->delim && (unsigned char)opts->delim == d.quote)
        return error_set(err, ERR_USAGE, "CSV delimiter and quote must be different");
    if (opts->skip < 0) return error_set(err, ERR_USAGE, "CSV skip must not be negative");
    if (opts->ncolumns < 0 || opts->ncolumns > SNIFF_MAX_COLUMNS)
        return error_set(err, ERR_USAGE, "invalid number of CSV columns: %d", opts->ncolumns);
    return true;
}

static size_t max_line(const CsvOptions *opts)
{
    size_t m = opts->max_line_size ? opts->max_line_size : CSV_DEFAULT_MAX_LINE_SIZE;
    return m > UINT32_MAX ? UINT32_MAX : m;
}

static size_t block_size(const CsvOptions *opts)
{
    return opts->block_size ? opts->block_size : CSV_DEFAULT_BLOCK_SIZE;
}

static bool open_scanner(CsvScanner *s, const char *path, const CsvOptions *opts, const CsvDialect *d,
                         size_t block, Error *err)
{
    if (!csv_scanner_open(s, path, d, block, max_line(opts), 0, UINT64_MAX, opts->compression, err)) return false;
    return csv_scanner_skip_lines(s, opts->skip, err);
}

static bool detect_delimiter(const char *path, const CsvOptions *opts, char *out, Error *err)
{
    static const char candidates[] = {',', '|', ';', '\t'};
    int best_match = 0, best_cols = 0;
    *out = ',';
    for (size_t k = 0; k < sizeof candidates; k++) {
        CsvDialect d = options_dialect(opts, candidates[k]);
        if (d.quote == (unsigned char)candidates[k] || d.escape == (unsigned char)candidates[k]) continue;
        CsvScanner s;
        size_t block = SNIFF_DELIM_BLOCK < block_size(opts) ? SNIFF_DELIM_BLOCK : block_size(opts);
        if (!open_scanner(&s, path, opts, &d, block, err)) {
            csv_scanner_close(&s);
            return false;
        }
        int first = -1, match = 0;
        for (int rows = 0; rows < SNIFF_DELIM_RECORDS;) {
            Error scan_err = ERROR_INIT;
            CsvScanResult rc = csv_scanner_next(&s, &scan_err);
            if (rc == CSV_SCAN_ERROR && scan_err.kind == ERR_IO) {
                *err = scan_err;
                csv_scanner_close(&s);
                return false;
            }
            if (rc != CSV_SCAN_RECORD) break;
            if (s.record_empty) continue;
            if (first < 0) first = s.nfields;
            if (s.nfields == first) match++;
            rows++;
        }
        csv_scanner_close(&s);
        if (first <= 1) continue;
        if (match > best_match || (match == best_match && first > best_cols)) {
            best_match = match;
            best_cols = first;
            *out = candidates[k];
        }
    }
    return true;
}

/* Is field i of the scanner's record NULL under the options (typed or not)? */
static bool field_is_null(const CsvScanner *s, int i, const char *nullstr, const char *text, uint32_t len)
{
    const CsvField *f = &s->fields[i];
    if (len == 0) return true; /* for inference an empty field carries no type */
    if (f->quoted || nullstr == NULL) return false;
    return strlen(nullstr) == len && memcmp(nullstr, text, len) == 0;
}

static char *unique_name(char **names, int n, const char *want)
{
    StrBuf sb = STRBUF_INIT;
    strbuf_puts(&sb, want);
    for (int suffix = 1;; suffix++) {
        bool clash = false;
        for (int i = 0; i < n && !clash; i++) clash = strcmp(names[i], sb.data) == 0;
        if (!clash) break;
        strbuf_clear(&sb);
        strbuf_printf(&sb, "%s_%d", want, suffix);
    }
    return strbuf_take(&sb);
}

typedef struct FirstRow {
    int n;
    char **text;   /* copies of the first record's fields */
    uint32_t *len;
    bool *null;
} FirstRow;

static void first_row_free(FirstRow *fr)
{
    for (int i = 0; i < fr->n; i++) mem_free(fr->text[i]);
    mem_free(fr->text);
    mem_free(fr->len);
    mem_free(fr->null);
}

/* Header rule for declared columns: the first row does not parse as the
 * declared types, or it repeats the declared names. */
static bool declared_header(const FirstRow *fr, const CsvOptions *opts)
{
    bool names_equal = fr->n == opts->ncolumns;
    for (int c = 0; c < fr->n && c < opts->ncolumns; c++) {
        if (names_equal && strcasecmp(fr->text[c], opts->column_names[c]) != 0) names_equal = false;
        if (fr->null[c] || opts->column_types[c].id == TYPE_VARCHAR) continue;
        Vector v;
        vector_init(&v, opts->column_types[c], 1);
        Error ignored = ERROR_INIT;
        bool ok = csv_parse_value(fr->text[c], fr->len[c], &v, 0, &ignored);
        vector_destroy(&v);
        if (!ok) return true;
    }
    return names_equal;
}

static bool inferred_header(const FirstRow *fr, const unsigned *cand, const bool *seen)
{
    bool any_typed = false;
    for (int c = 0; c < fr->n; c++) {
        if (!seen[c]) continue;
        LogicalType t = csv_candidates_type(cand[c]);
        if (t.id == TYPE_VARCHAR) continue;
        any_typed = true;
        if (fr->null[c]) continue;
        unsigned narrowest = cand[c] & (0u - cand[c]);
        if ((csv_value_candidates(fr->text[c], fr->len[c]) & narrowest) == 0)
            return true; /* the first value does not parse as the column's (narrowest) type */
    }
    if (any_typed) return false;
    for (int c = 0; c < fr->n; c++)
        if (fr->null[c] || csv_value_candidates(fr->text[c], fr->len[c]) != 0) return false;
    return true;
}

bool csv_sniff(const char *path, const CsvOptions *opts, CsvSchema *out, Error *err)
{
    memset(out, 0, sizeof *out);
    if (!validate_options(opts, err)) return false;
    char delim = opts->delim;
    if (delim == '\0' && !detect_delimiter(path, opts, &delim, err)) return false;
    CsvDialect d = options_dialect(opts, delim);
    out->delim = delim;
    out->quote = d.quote;
    out->escape = d.escape;

    CsvScanner s;
    StrBuf scratch = STRBUF_INIT;
    FirstRow fr = {0, NULL, NULL, NULL};
    unsigned *cand = NULL;
    bool *seen = NULL;
    bool ok = false;
    if (!open_scanner(&s, path, opts, &d, block_size(opts), err)) goto done;

    /* the first non-empty record: header or first data row */
    CsvScanResult rc;
    do rc = csv_scanner_next(&s, err);
    while (rc == CSV_SCAN_RECORD && s.record_empty);
    if (rc == CSV_SCAN_ERROR) goto done;
    if (rc == CSV_SCAN_END) {
        if (opts->ncolumns == 0) {
            error_set(err, ERR_DATA, "cannot read the columns of CSV file \"%s\": the file is empty", path);
            goto done;
        }
    } else {
        if (s.nfields > SNIFF_MAX_COLUMNS) {
            error_set(err, ERR_DATA, "CSV file \"%s\" has too many columns (%d, at most %d)", path, s.nfields,
                      SNIFF_MAX_COLUMNS);
            goto done;
        }
        fr.n = s.nfields;
        fr.text = mem_calloc((size_t)fr.n, sizeof *fr.text);
        fr.len = mem_calloc((size_t)fr.n, sizeof *fr.len);
        fr.null = mem_calloc((size_t)fr.n, sizeof *fr.null);
        for (int c = 0; c < fr.n; c++) {
            const char *t = csv_scanner_field_text(&s, c, &scratch, &fr.len[c]);
            fr.text[c] = mem_strndup(t, fr.len[c]);
            fr.null[c] = field_is_null(&s, c, opts->nullstr, t, fr.len[c]);
        }
    }

    int ncols = opts->ncolumns ? opts->ncolumns : fr.n;
    bool header;
    if (opts->ncolumns) {
        header = opts->header == CSV_HEADER_YES ||
                 (opts->header == CSV_HEADER_AUTO && fr.n > 0 && declared_header(&fr, opts));
    } else {
        cand = mem_alloc((size_t)ncols * sizeof *cand);
        seen = mem_calloc((size_t)ncols, sizeof *seen);
        for (int c = 0; c < ncols; c++) cand[c] = CSV_CAND_ALL;
        int64_t limit = opts->sample_size ? opts->sample_size : CSV_DEFAULT_SAMPLE_SIZE;
        s.max_fields = ncols + 1;
        for (int64_t rows = 0; (limit < 0 || rows < limit) && !opts->all_varchar;) {
            Error scan_err = ERROR_INIT;
            rc = csv_scanner_next(&s, &scan_err);
            if (rc == CSV_SCAN_ERROR && scan_err.kind == ERR_IO) {
                *err = scan_err;
                goto done;
            }
            if (rc != CSV_SCAN_RECORD) break; /* a broken record ends the sample; the reader reports it */
            if (s.nfields != ncols || s.record_empty) continue;
            rows++;
            for (int c = 0; c < ncols; c++) {
                uint32_t len;
                const char *t = csv_scanner_field_text(&s, c, &scratch, &len);
                if (field_is_null(&s, c, opts->nullstr, t, len)) continue;
                seen[c] = true;
                if (cand[c]) cand[c] &= csv_value_candidates(t, len);
            }
        }
        header = opts->header == CSV_HEADER_YES ||
                 (opts->header == CSV_HEADER_AUTO && inferred_header(&fr, cand, seen));
        if (!header)
            for (int c = 0; c < ncols; c++) {
                if (fr.null[c]) continue;
                seen[c] = true;
                cand[c] &= csv_value_candidates(fr.text[c], fr.len[c]);
            }
    }

    out->header = header;
    out->nfile_cols = ncols;
    out->ncols = ncols + (opts->filename ? 1 : 0) + (opts->line_column ? 1 : 0);
    out->names = mem_calloc((size_t)out->ncols, sizeof *out->names);
    out->types = mem_calloc((size_t)out->ncols, sizeof *out->types);
    if (header && fr.n == ncols) {
        out->header_names = mem_calloc((size_t)fr.n, sizeof *out->header_names);
        for (int c = 0; c < fr.n; c++) out->header_names[c] = mem_strndup(fr.text[c], fr.len[c]);
    }
    for (int c = 0; c < ncols; c++) {
        char fallback[32];
        snprintf(fallback, sizeof fallback, "column%d", c);
        const char *want = opts->ncolumns ? opts->column_names[c]
                           : header && fr.text[c][0] ? fr.text[c]
                                                     : fallback;
        out->names[c] = unique_name(out->names, c, want);
        if (opts->ncolumns) out->types[c] = opts->column_types[c];
        else if (opts->all_varchar || !seen[c]) out->types[c] = type_make(TYPE_VARCHAR);
        else out->types[c] = csv_candidates_type(cand[c]);
    }
    if (opts->filename) {
        out->names[ncols] = unique_name(out->names, ncols, opts->filename);
        out->types[ncols] = type_make(TYPE_VARCHAR);
    }
    if (opts->line_column) { /* lineage: each row's line, after the file-name column */
        int at = ncols + (opts->filename ? 1 : 0);
        out->names[at] = unique_name(out->names, at, opts->line_column);
        out->types[at] = type_make(TYPE_BIGINT);
    }
    ok = true;
done:
    csv_scanner_close(&s);
    strbuf_free(&scratch);
    first_row_free(&fr);
    mem_free(cand);
    mem_free(seen);
    if (!ok) csv_schema_free(out);
    return ok;
}

void csv_schema_copy(CsvSchema *dst, const CsvSchema *src)
{
    *dst = *src;
    dst->names = mem_calloc((size_t)src->ncols, sizeof *dst->names);
    dst->types = mem_calloc((size_t)src->ncols, sizeof *dst->types);
    for (int c = 0; c < src->ncols; c++) {
        dst->names[c] = mem_strdup(src->names[c]);
        dst->types[c] = src->types[c];
    }
    if (src->header_names) {
        dst->header_names = mem_calloc((size_t)src->nfile_cols, sizeof *dst->header_names);
        for (int c = 0; c < src->nfile_cols; c++) dst->header_names[c] = mem_strdup(src->header_names[c]);
    }
}

void csv_schema_free(CsvSchema *s)
{
    if (s->names)
        for (int c = 0; c < s->ncols; c++) mem_free(s->names[c]);
    if (s->header_names)
        for (int c = 0; c < s->nfile_cols; c++) mem_free(s->header_names[c]);
    mem_free(s->names);
    mem_free(s->types);
    mem_free(s->header_names);
    memset(s, 0, sizeof *s);
}
