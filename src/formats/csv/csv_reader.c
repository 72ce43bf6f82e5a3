/* csv_reader: CSV files into batches (see csv_reader.h for the options and
 * the rules).
 *
 * How: the schema is sniffed from the first file (csv_sniff.c); then the
 * files are scanned one after the other by one CsvScanner (csv_scanner.c),
 * which finds each record's fields in its read buffer.  Every record is
 * checked for its field count, and only the projected fields are converted,
 * straight from the buffer into the batch's vectors (csv_values.c; long
 * strings are copied into the vector's heap because the buffer moves when
 * the next block is read).  A row that fails is simply not counted: its
 * slot is overwritten by the next row, so ignore_errors needs no undo.
 * Memory: the scanner's buffer, the batch, the file list. */
#include "formats/csv/csv_reader.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "formats/csv/csv_scanner.h"
#include "formats/csv/csv_values.h"
#include "io/fs.h"

struct CsvReader {
    CsvOptions opts;          /* nullstr/filename point at the copies below */
    char *nullstr;
    size_t nullstr_len;
    char *filename_column;
    char *line_column;
    int64_t first_line;       /* range readers: line of the range's first byte (0 = count from 1) */
    CsvSchema schema;
    CsvDialect dialect;
    FsPathList files;
    int file_index;           /* file being scanned, or the next to open */
    bool scanner_open;
    CsvScanner scan;
    bool is_range;
    uint64_t range_start, range_end;
    uint64_t bytes_total;
    uint64_t bytes_done;      /* bytes of the files already finished */
    int *proj;                /* schema column of each output column */
    int nproj;
    KString filename_value;   /* the current file's path as a VARCHAR */
    StrBuf scratch;
    uint64_t rejected;
    const char *batch_file;
    int batch_file_index;     /* index in files of batch_file */
    uint64_t files_opened;    /* files whose records were read (not the sniffer's) */
    int64_t lines[VECTOR_CAPACITY];
    bool done;
};

void csv_options_init(CsvOptions *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->header = CSV_HEADER_AUTO;
    opts->quote = '"';
    opts->sample_size = CSV_DEFAULT_SAMPLE_SIZE;
    opts->block_size = CSV_DEFAULT_BLOCK_SIZE;
    opts->max_line_size = CSV_DEFAULT_MAX_LINE_SIZE;
}

/* Append formatted text to an error's message (room permitting). */
static void append_message(Error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append_message(Error *err, const char *fmt, ...)
{
    size_t used = strlen(err->message);
    if (used + 1 >= sizeof err->message) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message + used, sizeof err->message - used, fmt, ap);
    va_end(ap);
}

static CsvReader *reader_new(const CsvOptions *opts)
{
    CsvReader *r = mem_calloc(1, sizeof *r);
    r->opts = *opts;
    if (opts->nullstr) {
        r->nullstr = mem_strdup(opts->nullstr);
        r->nullstr_len = strlen(r->nullstr);
    }
    if (opts->filename) r->filename_column = mem_strdup(opts->filename);
    if (opts->line_column) r->line_column = mem_strdup(opts->line_column);
    r->opts.nullstr = r->nullstr;
    r->opts.filename = r->filename_column;
    r->opts.line_column = r->line_column;
    if (r->opts.block_size == 0) r->opts.block_size = CSV_DEFAULT_BLOCK_SIZE;
    if (r->opts.max_line_size == 0) r->opts.max_line_size = CSV_DEFAULT_MAX_LINE_SIZE;
    if (r->opts.max_line_size > UINT32_MAX) r->opts.max_line_size = UINT32_MAX;
    return r;
}

/* After the schema is known: dialect and the default projection. */
static void reader_setup(CsvReader *r)
{
    r->opts.column_names = NULL; /* borrowed from the caller: only valid during open */
    r->opts.column_types = NULL;
    r->dialect.delim = r->schema.delim;
    r->dialect.quote = r->schema.quote;
    r->dialect.escape = r->schema.escape;
    r->nproj = r->schema.ncols;
    r->proj = mem_alloc((size_t)(r->nproj + 1) * sizeof *r->proj);
    for (int c = 0; c < r->nproj; c++) r->proj[c] = c;
}

/* Size the files and sniff the first one (after the list is filled). */
static CsvReader *reader_open_list(CsvReader *r, const CsvOptions *opts, Error *err);

CsvReader *csv_reader_open(const char *pattern, const CsvOptions *opts, Error *err)
{
    CsvReader *r = reader_new(opts);
    if (!fs_glob(pattern, &r->files, err)) {
        csv_reader_close(r);
        return NULL;
    }
    return reader_open_list(r, opts, err);
}

CsvReader *csv_reader_open_files(const char *const *paths, int npaths, const CsvOptions *opts, Error *err)
{
    CsvReader *r = reader_new(opts);
    for (int i = 0; i < npaths; i++) fs_path_list_add(&r->files, paths[i]);
    if (npaths == 0) {
        csv_reader_close(r);
        error_set(err, ERR_IO, "no CSV files to read");
        return NULL;
    }
    return reader_open_list(r, opts, err);
}

static CsvReader *reader_open_list(CsvReader *r, const CsvOptions *opts, Error *err)
{
    for (int i = 0; i < r->files.count; i++) {
        uint64_t size;
        if (!fs_file_size(r->files.paths[i], &size, err)) goto fail;
        r->bytes_total += size;
    }
    if (!csv_sniff(r->files.paths[0], opts, &r->schema, err)) goto fail;
    reader_setup(r);
    return r;
fail:
    csv_reader_close(r);
    return NULL;
}

CsvReader *csv_reader_open_range(const char *path, const CsvSchema *schema, const CsvOptions *opts,
                                 uint64_t start, uint64_t end, Error *err)
{
    CsvReader *r = reader_new(opts);
    fs_path_list_add(&r->files, path);
    uint64_t size;
    if (!fs_file_size(path, &size, err)) {
        csv_reader_close(r);
        return NULL;
    }
    r->is_range = true;
    r->range_start = start < size ? start : size;
    r->range_end = end < size ? end : size;
    if (r->range_end < r->range_start) r->range_end = r->range_start;
    r->bytes_total = r->range_end - r->range_start;
    csv_schema_copy(&r->schema, schema);
    reader_setup(r);
    return r;
}

const CsvSchema *csv_reader_schema(const CsvReader *r)
{
    return &r->schema;
}

void csv_reader_project(CsvReader *r, const int *column_ids, int ncolumn_ids)
{
    mem_free(r->proj);
    r->proj = mem_alloc((size_t)(ncolumn_ids + 1) * sizeof *r->proj);
    r->nproj = 0;
    for (int k = 0; k < ncolumn_ids; k++)
        if (column_ids[k] >= 0 && column_ids[k] < r->schema.ncols) r->proj[r->nproj++] = column_ids[k];
}

void csv_reader_init_batch(const CsvReader *r, Batch *b)
{
    LogicalType *types = mem_alloc((size_t)(r->nproj + 1) * sizeof *types);
    for (int k = 0; k < r->nproj; k++) types[k] = r->schema.types[r->proj[k]];
    batch_init(b, r->nproj, types, VECTOR_CAPACITY);
    mem_free(types);
}

static void close_current(CsvReader *r)
{
    if (!r->scanner_open) return;
    r->bytes_done += r->is_range ? r->bytes_total : r->scan.file->size;
    csv_scanner_close(&r->scan);
    r->scanner_open = false;
    r->file_index++;
}

/* A later file's header must name the same columns as the first file's. */
static bool check_header(CsvReader *r, const char *path, Error *err)
{
    const CsvSchema *s = &r->schema;
    if (s->header_names == NULL) return true;
    const char *first = r->files.paths[0];
    if (r->scan.nfields != s->nfile_cols) {
        error_set(err, ERR_DATA, "CSV file \"%s\" has %d columns but \"%s\" has %d", path, r->scan.nfields, first,
                  s->nfile_cols);
        error_set_location(err, path, r->scan.record_line, 0);
        return false;
    }
    for (int c = 0; c < s->nfile_cols; c++) {
        uint32_t len;
        const char *name = csv_scanner_field_text(&r->scan, c, &r->scratch, &len);
        if (strlen(s->header_names[c]) != len || memcmp(s->header_names[c], name, len) != 0) {
            error_set(err, ERR_DATA, "CSV file \"%s\" has column \"%.*s\" where \"%s\" has \"%s\"", path, (int)len,
                      name, first, s->header_names[c]);
            error_set_location(err, path, r->scan.record_line, c + 1);
            return false;
        }
    }
    return true;
}

/* Open the next file (skip lines, read and check its header); sets
 * r->done when there is none left. */
static bool open_next_file(CsvReader *r, Error *err)
{
    while (r->file_index < r->files.count) {
        const char *path = r->files.paths[r->file_index];
        uint64_t start = r->is_range ? r->range_start : 0;
        uint64_t end = r->is_range ? r->range_end : UINT64_MAX;
        if (!csv_scanner_open(&r->scan, path, &r->dialect, r->opts.block_size, r->opts.max_line_size, start, end,
                              r->opts.compression, err)) {
            csv_scanner_close(&r->scan);
            return false;
        }
        r->scanner_open = true;
        r->files_opened++;
        if (r->first_line > 0) r->scan.line = r->first_line;
        r->scan.max_fields = r->schema.nfile_cols + 1;
        r->filename_value = kstring_make(path, (uint32_t)strlen(path));
        if (start > 0) return true; /* a middle range has neither skipped lines nor a header */
        if (!csv_scanner_skip_lines(&r->scan, r->opts.skip, err)) return false;
        if (!r->schema.header) return true;
        CsvScanResult rc;
        do rc = csv_scanner_next(&r->scan, err);
        while (rc == CSV_SCAN_RECORD && r->scan.record_empty);
        if (rc == CSV_SCAN_ERROR) return false;
        if (rc == CSV_SCAN_RECORD) return check_header(r, path, err);
        close_current(r); /* nothing but (at most) a header */
    }
    r->done = true;
    return true;
}

/* Convert the scanner's record into row `row` of b. */
static bool convert_row(CsvReader *r, Batch *b, uint32_t row, Error *err)
{
    const CsvScanner *s = &r->scan;
    const int ncols = r->schema.nfile_cols;
    if (s->nfields != ncols) {
        if (s->nfields < ncols) {
            error_set(err, ERR_DATA, "missing data for column \"%s\" (expected %d fields, found %d)",
                      r->schema.names[s->nfields], ncols, s->nfields);
            error_set_location(err, s->path, s->record_line, s->nfields + 1);
        } else {
            error_set(err, ERR_DATA, "extra data after last expected column (expected %d fields, found %d)", ncols,
                      s->nfields);
            error_set_location(err, s->path, s->record_line, ncols + 1);
        }
        return false;
    }
    for (int k = 0; k < r->nproj; k++) {
        const int c = r->proj[k];
        Vector *v = b->cols[k];
        if (c >= ncols) { /* the file-name column, then the line column */
            if (c == ncols && r->filename_column) VEC_DATA(v, KString)[row] = r->filename_value;
            else VEC_DATA(v, int64_t)[row] = s->record_line;
            vector_set_valid(v, row);
            continue;
        }
        const CsvField *f = &s->fields[c];
        uint32_t len;
        const char *text = csv_scanner_field_text(s, c, &r->scratch, &len);
        bool is_null = false;
        if (!f->quoted)
            is_null = r->nullstr ? len == r->nullstr_len && memcmp(text, r->nullstr, len) == 0 : len == 0;
        if (len == 0 && v->type.id != TYPE_VARCHAR) is_null = true;
        if (is_null) {
            vector_set_null(v, row);
            continue;
        }
        if (!csv_parse_value(text, len, v, row, err)) {
            append_message(err, " (column \"%s\")", r->schema.names[c]);
            error_set_location(err, s->path, s->record_line, c + 1);
            return false;
        }
    }
    return true;
}

/* Hand the record that just failed to the on_reject callback. */
static void reject_record(CsvReader *r, const Error *err)
{
    CsvReject rej;
    rej.path = r->scan.path;
    rej.line = r->scan.record_line;
    rej.byte_offset = r->scan.record_offset;
    rej.message = err->message;
    rej.raw = csv_scanner_record_raw(&r->scan, &rej.raw_len);
    r->opts.on_reject(r->opts.reject_ctx, &rej);
}

bool csv_reader_next(CsvReader *r, Batch *b, Error *err)
{
    b->count = 0;
    b->sel = NULL;
    uint32_t cap = VECTOR_CAPACITY;
    for (int k = 0; k < b->ncols; k++) {
        vector_reset(b->cols[k]);
        if (b->cols[k]->capacity < cap) cap = b->cols[k]->capacity;
    }
    uint32_t n = 0;
    while (!r->done && n == 0) {
        if (!r->scanner_open) {
            if (!open_next_file(r, err)) return false;
            if (r->done) break;
        }
        r->batch_file = r->files.paths[r->file_index];
        r->batch_file_index = r->file_index;
        while (n < cap) {
            CsvScanResult rc = csv_scanner_next(&r->scan, err);
            if (rc == CSV_SCAN_END) {
                close_current(r);
                break;
            }
            if (rc == CSV_SCAN_RECORD) {
                if (r->scan.record_empty && r->schema.nfile_cols > 1) continue;
                if (convert_row(r, b, n, err)) {
                    r->lines[n++] = r->scan.record_line;
                    continue;
                }
            }
            /* a broken record: skipped and counted (or handed to on_reject), or the end */
            if (err->kind != ERR_DATA || !(r->opts.ignore_errors || r->opts.on_reject)) return false;
            if (r->opts.on_reject) reject_record(r, err);
            r->rejected++;
            error_clear(err);
        }
    }
    b->count = n;
    return true;
}

const char *csv_reader_batch_file(const CsvReader *r)
{
    return r->batch_file;
}

const int64_t *csv_reader_batch_lines(const CsvReader *r)
{
    return r->lines;
}

void csv_reader_set_first_line(CsvReader *r, int64_t first_line)
{
    r->first_line = first_line;
}

uint64_t csv_reader_rejected_rows(const CsvReader *r)
{
    return r->rejected;
}

uint64_t csv_reader_bytes_read(const CsvReader *r)
{
    uint64_t done = r->bytes_done;
    if (r->scanner_open) {
        uint64_t at = csv_scanner_consumed(&r->scan);
        uint64_t base = r->is_range ? r->range_start : 0;
        done += at > base ? at - base : 0;
    }
    return done < r->bytes_total ? done : r->bytes_total;
}

uint64_t csv_reader_bytes_total(const CsvReader *r)
{
    return r->bytes_total;
}

int csv_reader_batch_file_index(const CsvReader *r)
{
    return r->batch_file_index;
}

uint64_t csv_reader_files_opened(const CsvReader *r)
{
    return r->files_opened;
}

int csv_reader_file_count(const CsvReader *r)
{
    return r->files.count;
}

void csv_reader_close(CsvReader *r)
{
    if (r == NULL) return;
    if (r->scanner_open) csv_scanner_close(&r->scan);
    csv_schema_free(&r->schema);
    fs_path_list_free(&r->files);
    strbuf_free(&r->scratch);
    mem_free(r->proj);
    mem_free(r->nullstr);
    mem_free(r->filename_column);
    mem_free(r->line_column);
    mem_free(r);
}
