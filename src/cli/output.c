/* output: print query results on the terminal or into a pipe, as a
 * ResultSink (see cli.h), in four formats:
 *
 *   table  psql's aligned format: centred header, a separator line, numbers
 *          right-aligned, text left-aligned, NULL as an empty cell, "(N rows)"
 *          footer; trailing spaces trimmed.  Newlines, tabs and other control
 *          characters in values are shown as \n, \t, \xNN so each row stays
 *          on one line; invalid UTF-8 shows as U+FFFD.
 *   csv    PostgreSQL's CSV, written by formats/csv/csv_writer (the same code
 *          as COPY ... TO): a header line; NULL is an empty field, the empty
 *          string is ""; a field is quoted when it holds a comma, a quote, CR
 *          or LF, or is \. ; quotes are doubled; lines end with LF.
 *   json   one array of objects, one object per line; jsonl: the objects
 *          alone, one per line.  Integers and decimals are JSON numbers (a
 *          decimal keeps its exact digits), doubles too except NaN and
 *          ±Infinity, which are strings; booleans true/false; NULL null;
 *          dates, times, intervals and text are strings with every control
 *          character escaped and invalid UTF-8 replaced by \ufffd.
 *
 * Booleans print as true/false in every format.
 *
 * Memory: json formats a batch into one reusable line buffer and writes it
 * out, csv uses the writer's 1 MiB buffer, so memory does not depend on the
 * result size.  table must know the widest value of a column before it
 * prints the first row: it buffers the cells of up to CLI_TABLE_CHUNK_ROWS
 * rows (or TABLE_CHUNK_BYTES of text) in an arena, prints them, and starts
 * a new chunk; a later chunk can only widen a column, so rows stay aligned
 * unless a later value is wider. */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "cli/cli.h"
#include "common/arena.h"
#include "common/mem.h"
#include "common/strbuf.h"
#include "formats/csv/csv_writer.h"
#include "types/cast.h"

#define TABLE_CHUNK_BYTES ((size_t)64 << 20)

typedef struct TableCell {
    const char *text; /* display text, NULL for SQL NULL */
    uint32_t len;
    uint32_t width;   /* terminal columns */
} TableCell;

struct OutputSink {
    ResultSink sink; /* first member: the session sees only this */
    OutputFormat format;
    FILE *out;
    bool started, finished;
    int ncols;
    char **names;
    LogicalType *types;
    uint64_t rows;
    StrBuf line;   /* text being built for the FILE */
    StrBuf value;  /* one value's text */
    CsvWriter *csv;
    /* json: "key": prefixes, escaped once at begin */
    char **json_keys;
    /* table */
    Arena cell_text;
    TableCell *cells;      /* buffered_rows * ncols */
    size_t cap_cells;
    uint32_t buffered_rows;
    size_t buffered_bytes;
    size_t *widths;
    bool header_printed;
};

/* ---- UTF-8 ---- */

/* Decode one UTF-8 character at s[0, n); returns its length, or 0 when the
 * bytes are not valid UTF-8 (overlong forms, surrogates and values beyond
 * U+10FFFF included). */
static size_t utf8_decode(const unsigned char *s, size_t n, int32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    int32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return len;
}

void cli_json_append_string(StrBuf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    strbuf_putc(out, '"');
    size_t i = 0;
    while (i < n) {
        int32_t cp;
        size_t len = utf8_decode(p + i, n - i, &cp);
        if (len == 0) {
            strbuf_puts(out, "\\ufffd");
            i++;
            continue;
        }
        switch (cp) {
        case '"': strbuf_puts(out, "\\\""); break;
        case '\\': strbuf_puts(out, "\\\\"); break;
        case '\b': strbuf_puts(out, "\\b"); break;
        case '\f': strbuf_puts(out, "\\f"); break;
        case '\n': strbuf_puts(out, "\\n"); break;
        case '\r': strbuf_puts(out, "\\r"); break;
        case '\t': strbuf_puts(out, "\\t"); break;
        default:
            /* U+2028/2029 are escaped too: JavaScript treats them as newlines. */
            if (cp < 0x20 || cp == 0x7F || cp == 0x2028 || cp == 0x2029) {
                strbuf_printf(out, "\\u%04x", (unsigned)cp);
            } else {
                strbuf_append(out, s + i, len);
            }
        }
        i += len;
    }
    strbuf_putc(out, '"');
}

size_t cli_table_append_cell(StrBuf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t width = 0;
    size_t i = 0;
    while (i < n) {
        int32_t cp;
        size_t len = utf8_decode(p + i, n - i, &cp);
        if (len == 0) {
            strbuf_puts(out, "\xEF\xBF\xBD");
            width++;
            i++;
            continue;
        }
        if (cp == '\n') {
            strbuf_puts(out, "\\n");
            width += 2;
        } else if (cp == '\r') {
            strbuf_puts(out, "\\r");
            width += 2;
        } else if (cp == '\t') {
            strbuf_puts(out, "\\t");
            width += 2;
        } else if (cp < 0x20 || cp == 0x7F) {
            strbuf_printf(out, "\\x%02x", (unsigned)cp);
            width += 4;
        } else if (cp >= 0x80 && cp < 0xA0) {
            strbuf_printf(out, "\\u%04x", (unsigned)cp);
            width += 6;
        } else {
            strbuf_append(out, s + i, len);
            int w = cp < 0x80 ? 1 : utf8proc_charwidth(cp);
            width += w > 0 ? (size_t)w : 0;
        }
        i += len;
    }
    return width;
}

/* ---- formats ---- */

bool cli_output_format_from_name(const char *name, OutputFormat *out)
{
    static const struct {
        const char *name;
        OutputFormat format;
    } formats[] = {
        {"table", OUTPUT_TABLE}, {"csv", OUTPUT_CSV}, {"json", OUTPUT_JSON}, {"jsonl", OUTPUT_JSONL},
        {"ndjson", OUTPUT_JSONL},
    };
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        if (strcasecmp(name, formats[i].name) == 0) {
            *out = formats[i].format;
            return true;
        }
    }
    return false;
}

static bool is_numeric_type(LogicalType t)
{
    return t.id == TYPE_INTEGER || t.id == TYPE_BIGINT || t.id == TYPE_DOUBLE || t.id == TYPE_DECIMAL;
}

/* Append the text of a non-NULL value. */
static void append_value_text(const Vector *v, uint32_t row, StrBuf *out)
{
    switch (v->type.id) {
    case TYPE_BOOLEAN:
        strbuf_puts(out, VEC_DATA(v, uint8_t)[row] ? "true" : "false");
        break;
    case TYPE_VARCHAR: {
        const KString *k = &VEC_DATA(v, KString)[row];
        strbuf_append(out, kstring_data(k), k->len);
        break;
    }
    case TYPE_INTEGER:
        strbuf_printf(out, "%d", (int)VEC_DATA(v, int32_t)[row]);
        break;
    case TYPE_BIGINT:
        strbuf_printf(out, "%lld", (long long)VEC_DATA(v, int64_t)[row]);
        break;
    default:
        cast_format_value(v, row, out);
        break;
    }
}

static bool write_out(OutputSink *o, const char *data, size_t n, Error *err)
{
    if (n > 0 && fwrite(data, 1, n, o->out) != n) {
        return error_set(err, ERR_IO, "could not write output: %s", strerror(errno));
    }
    return true;
}

static bool flush_line(OutputSink *o, Error *err)
{
    bool ok = write_out(o, o->line.data, o->line.len, err);
    strbuf_clear(&o->line);
    return ok;
}

/* ---- csv (formats/csv's writer, so query output and COPY agree) ---- */

static bool csv_begin(OutputSink *o, Error *err)
{
    CsvWriteOptions opts;
    csv_write_options_init(&opts);
    o->csv = csv_writer_open_stream(o->out, &opts, err);
    if (o->csv == NULL) return false;
    return csv_writer_begin(o->csv, o->ncols, (const char *const *)o->names, err);
}

static bool csv_batch(OutputSink *o, const Batch *b, Error *err)
{
    if (b->ncols == o->ncols) return csv_writer_write_batch(o->csv, b, err);
    /* The writer wants exactly the result's columns: pass a narrower view. */
    Batch view = *b;
    view.ncols = o->ncols;
    return csv_writer_write_batch(o->csv, &view, err);
}

static bool csv_end(OutputSink *o, Error *err)
{
    CsvWriter *w = o->csv;
    o->csv = NULL;
    return csv_writer_close(w, err);
}

/* ---- json ---- */

static bool json_begin(OutputSink *o, Error *err)
{
    o->json_keys = mem_calloc((size_t)(o->ncols > 0 ? o->ncols : 1), sizeof *o->json_keys);
    for (int c = 0; c < o->ncols; c++) {
        StrBuf key = STRBUF_INIT;
        cli_json_append_string(&key, o->names[c], strlen(o->names[c]));
        strbuf_putc(&key, ':');
        o->json_keys[c] = strbuf_take(&key);
    }
    if (o->format == OUTPUT_JSON) strbuf_putc(&o->line, '[');
    return flush_line(o, err);
}

static void json_append_value(OutputSink *o, const Vector *v, uint32_t row)
{
    if (!vector_is_valid(v, row)) {
        strbuf_puts(&o->line, "null");
        return;
    }
    strbuf_clear(&o->value);
    append_value_text(v, row, &o->value);
    const char *text = o->value.data ? o->value.data : "";
    switch (v->type.id) {
    case TYPE_BOOLEAN:
    case TYPE_INTEGER:
    case TYPE_BIGINT:
    case TYPE_DECIMAL:
        strbuf_append(&o->line, text, o->value.len);
        return;
    case TYPE_DOUBLE: {
        double d = VEC_DATA(v, double)[row];
        if (isfinite(d)) {
            strbuf_append(&o->line, text, o->value.len);
            return;
        }
        break; /* NaN, Infinity: strings */
    }
    default:
        break;
    }
    cli_json_append_string(&o->line, text, o->value.len);
}

static bool json_batch(OutputSink *o, const Batch *b, Error *err)
{
    for (uint32_t i = 0; i < b->count; i++) {
        uint32_t row = batch_row(b, i);
        if (o->format == OUTPUT_JSON) strbuf_puts(&o->line, o->rows + i == 0 ? "\n" : ",\n");
        strbuf_putc(&o->line, '{');
        for (int c = 0; c < o->ncols; c++) {
            if (c > 0) strbuf_putc(&o->line, ',');
            strbuf_puts(&o->line, o->json_keys[c]);
            json_append_value(o, b->cols[c], row);
        }
        strbuf_putc(&o->line, '}');
        if (o->format == OUTPUT_JSONL) strbuf_putc(&o->line, '\n');
    }
    return flush_line(o, err);
}

static bool json_end(OutputSink *o, Error *err)
{
    if (o->format == OUTPUT_JSON) strbuf_puts(&o->line, o->rows == 0 ? "]\n" : "\n]\n");
    return flush_line(o, err);
}

/* ---- table ---- */

static void append_spaces(StrBuf *sb, size_t n)
{
    for (size_t i = 0; i < n; i++) strbuf_putc(sb, ' ');
}

static void trim_trailing_spaces(StrBuf *sb)
{
    while (sb->len > 0 && sb->data[sb->len - 1] == ' ') sb->len--;
    if (sb->data) sb->data[sb->len] = '\0';
}

static bool table_print_header(OutputSink *o, Error *err)
{
    for (int c = 0; c < o->ncols; c++) {
        if (c > 0) strbuf_putc(&o->line, '|');
        strbuf_clear(&o->value);
        size_t w = cli_table_append_cell(&o->value, o->names[c], strlen(o->names[c]));
        size_t pad = o->widths[c] - w;
        append_spaces(&o->line, 1 + pad / 2);
        strbuf_append(&o->line, o->value.data ? o->value.data : "", o->value.len);
        append_spaces(&o->line, pad - pad / 2 + 1);
    }
    trim_trailing_spaces(&o->line);
    strbuf_putc(&o->line, '\n');
    for (int c = 0; c < o->ncols; c++) {
        if (c > 0) strbuf_putc(&o->line, '+');
        for (size_t i = 0; i < o->widths[c] + 2; i++) strbuf_putc(&o->line, '-');
    }
    strbuf_putc(&o->line, '\n');
    o->header_printed = true;
    return flush_line(o, err);
}

static bool table_flush_chunk(OutputSink *o, Error *err)
{
    for (uint32_t r = 0; r < o->buffered_rows; r++) {
        for (int c = 0; c < o->ncols; c++) {
            const TableCell *cell = &o->cells[(size_t)r * (size_t)o->ncols + (size_t)c];
            if (cell->width > o->widths[c]) o->widths[c] = cell->width;
        }
    }
    if (!o->header_printed && !table_print_header(o, err)) return false;
    for (uint32_t r = 0; r < o->buffered_rows; r++) {
        for (int c = 0; c < o->ncols; c++) {
            const TableCell *cell = &o->cells[(size_t)r * (size_t)o->ncols + (size_t)c];
            if (c > 0) strbuf_putc(&o->line, '|');
            strbuf_putc(&o->line, ' ');
            size_t pad = o->widths[c] - cell->width;
            bool right = is_numeric_type(o->types[c]);
            if (right) append_spaces(&o->line, pad);
            if (cell->text) strbuf_append(&o->line, cell->text, cell->len);
            if (!right) append_spaces(&o->line, pad);
            strbuf_putc(&o->line, ' ');
        }
        trim_trailing_spaces(&o->line);
        strbuf_putc(&o->line, '\n');
        if (o->line.len >= 1 << 16 && !flush_line(o, err)) return false;
    }
    o->buffered_rows = 0;
    o->buffered_bytes = 0;
    arena_reset(&o->cell_text);
    return flush_line(o, err);
}

static bool table_begin(OutputSink *o, Error *err)
{
    arena_init(&o->cell_text, 0);
    o->widths = mem_calloc((size_t)(o->ncols > 0 ? o->ncols : 1), sizeof *o->widths);
    for (int c = 0; c < o->ncols; c++) {
        strbuf_clear(&o->value);
        o->widths[c] = cli_table_append_cell(&o->value, o->names[c], strlen(o->names[c]));
    }
    return true;
}

static bool table_batch(OutputSink *o, const Batch *b, Error *err)
{
    StrBuf display = STRBUF_INIT;
    for (uint32_t i = 0; i < b->count; i++) {
        uint32_t row = batch_row(b, i);
        size_t need = ((size_t)o->buffered_rows + 1) * (size_t)o->ncols;
        if (need > o->cap_cells || o->cells == NULL) { /* never NULL, also with no columns (SELECT;) */
            o->cap_cells = need * 2;
            o->cells = mem_realloc(o->cells, o->cap_cells * sizeof *o->cells);
        }
        TableCell *cells = &o->cells[(size_t)o->buffered_rows * (size_t)o->ncols];
        for (int c = 0; c < o->ncols; c++) {
            const Vector *v = b->cols[c];
            if (!vector_is_valid(v, row)) {
                cells[c] = (TableCell){NULL, 0, 0};
                continue;
            }
            strbuf_clear(&o->value);
            append_value_text(v, row, &o->value);
            strbuf_clear(&display);
            size_t width = cli_table_append_cell(&display, o->value.data ? o->value.data : "", o->value.len);
            char *text = arena_strndup(&o->cell_text, display.data ? display.data : "", display.len);
            cells[c] = (TableCell){text, (uint32_t)display.len, (uint32_t)width};
            o->buffered_bytes += display.len;
        }
        o->buffered_rows++;
        if (o->buffered_rows >= CLI_TABLE_CHUNK_ROWS || o->buffered_bytes >= TABLE_CHUNK_BYTES) {
            if (!table_flush_chunk(o, err)) {
                strbuf_free(&display);
                return false;
            }
        }
    }
    strbuf_free(&display);
    return true;
}

static bool table_end(OutputSink *o, Error *err)
{
    if (!table_flush_chunk(o, err)) return false;
    strbuf_printf(&o->line, "(%llu %s)\n", (unsigned long long)o->rows, o->rows == 1 ? "row" : "rows");
    return flush_line(o, err);
}

/* ---- the sink ---- */

static bool sink_begin(ResultSink *sink, int ncols, char *const *names, const LogicalType *types, Error *err)
{
    OutputSink *o = (OutputSink *)sink;
    if (o->started) return error_set(err, ERR_INTERNAL, "result printer started twice");
    o->started = true;
    o->ncols = ncols;
    o->names = mem_calloc((size_t)(ncols > 0 ? ncols : 1), sizeof *o->names);
    o->types = mem_calloc((size_t)(ncols > 0 ? ncols : 1), sizeof *o->types);
    for (int c = 0; c < ncols; c++) {
        o->names[c] = mem_strdup(names && names[c] ? names[c] : "?column?");
        o->types[c] = types[c];
    }
    cli_progress_clear();
    switch (o->format) {
    case OUTPUT_TABLE: return table_begin(o, err);
    case OUTPUT_CSV: return csv_begin(o, err);
    case OUTPUT_JSON:
    case OUTPUT_JSONL: return json_begin(o, err);
    }
    return true;
}

static bool sink_batch(ResultSink *sink, const Batch *b, Error *err)
{
    OutputSink *o = (OutputSink *)sink;
    if (!o->started || o->finished) return error_set(err, ERR_INTERNAL, "result printer got rows outside a result");
    if (b->ncols < o->ncols) return error_set(err, ERR_INTERNAL, "result batch has too few columns");
    bool ok = true;
    switch (o->format) {
    case OUTPUT_TABLE: ok = table_batch(o, b, err); break;
    case OUTPUT_CSV: cli_progress_clear(); ok = csv_batch(o, b, err); break;
    case OUTPUT_JSON:
    case OUTPUT_JSONL: cli_progress_clear(); ok = json_batch(o, b, err); break;
    }
    o->rows += b->count;
    return ok;
}

static bool sink_end(ResultSink *sink, Error *err)
{
    OutputSink *o = (OutputSink *)sink;
    if (!o->started || o->finished) return error_set(err, ERR_INTERNAL, "result printer ended outside a result");
    o->finished = true;
    cli_progress_clear();
    bool ok = true;
    switch (o->format) {
    case OUTPUT_TABLE: ok = table_end(o, err); break;
    case OUTPUT_CSV: ok = csv_end(o, err); break;
    case OUTPUT_JSON:
    case OUTPUT_JSONL: ok = json_end(o, err); break;
    }
    if (ok && fflush(o->out) != 0) return error_set(err, ERR_IO, "could not write output: %s", strerror(errno));
    return ok;
}

OutputSink *cli_output_open(OutputFormat format, FILE *out)
{
    OutputSink *o = mem_calloc(1, sizeof *o);
    o->sink.begin = sink_begin;
    o->sink.batch = sink_batch;
    o->sink.end = sink_end;
    o->format = format;
    o->out = out;
    return o;
}

ResultSink *cli_output_sink(OutputSink *o) { return &o->sink; }

bool cli_output_started(const OutputSink *o) { return o->started; }

bool cli_output_finished(const OutputSink *o) { return o->finished; }

void cli_output_close(OutputSink *o)
{
    if (o == NULL) return;
    for (int c = 0; c < o->ncols; c++) {
        mem_free(o->names[c]);
        if (o->json_keys) mem_free(o->json_keys[c]);
    }
    mem_free(o->names);
    mem_free(o->types);
    csv_writer_abort(o->csv);
    mem_free(o->json_keys);
    mem_free(o->cells);
    mem_free(o->widths);
    if (o->format == OUTPUT_TABLE && o->started) arena_destroy(&o->cell_text);
    strbuf_free(&o->line);
    strbuf_free(&o->value);
    mem_free(o);
}
