/* fuzz_json: libFuzzer target for the JSON reader (format detection, record
 * scanning, inference, flattening, conversion), the JSON text scanner
 * (json_text.c, as the SQL json functions use it) and the decompressors.
 *
 *   scripts/fuzz.sh 60 json
 *
 * The first input byte picks the options (format, flatten depth, a tiny
 * buffer so records cross buffer boundaries, ignore_errors, a small max
 * depth and record size, a tiny sample, gzip/zstd decoding of the rest);
 * the rest is the file, served from memory (fuzz_memfs.h).
 *
 * Checks, beyond "no crash, leak or sanitizer report":
 *   - json_scan_value on the whole input never reports an end past the input;
 *   - round trip: when the whole file reads without error, the rows written
 *     back by the JSON writer and read again with the same declared columns
 *     give exactly the same values (text form).  A difference is a silently
 *     wrong value in the reader or the writer and aborts;
 *   - parallel scans: an uncompressed file read as JSON Lines in two pieces
 *     split at a line start, as op_json_scan's morsels read it (a byte range,
 *     then lines in memory), gives the same rows, the same rejects (line,
 *     byte offset, message, raw text) and the same first error (message and
 *     line) as the file read whole. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "formats/json/json_reader.h"
#include "formats/json/json_text.h"
#include "formats/json/json_writer.h"
#include "fuzz_memfs.h"
#include "types/cast.h"

static void append_rows(const Batch *b, StrBuf *out)
{
    StrBuf text = STRBUF_INIT;
    for (uint32_t i = 0; i < b->count; i++) {
        uint32_t row = b->sel ? b->sel[i] : i;
        for (int c = 0; c < b->ncols; c++) {
            const Vector *v = b->cols[c];
            if (!vector_is_valid(v, row)) {
                strbuf_puts(out, "N");
                continue;
            }
            strbuf_clear(&text);
            cast_format_value(v, row, &text);
            strbuf_printf(out, "V%zu:", text.len);
            strbuf_append(out, text.data, text.len);
        }
        strbuf_puts(out, "\n");
    }
    strbuf_free(&text);
}

/* Read path with opts; rows in canonical form into rows; written back as
 * JSON into write_path when given. True if everything read without error. */
static bool read_all(const char *path, const JsonOptions *opts, StrBuf *rows, const char *write_path, JsonSchema *schema_out)
{
    Error err = ERROR_INIT;
    JsonReader *r = json_reader_open(path, opts, &err);
    if (r == NULL) return false;
    const JsonSchema *s = json_reader_schema(r);
    JsonWriter *w = NULL;
    if (write_path) {
        w = json_writer_open(write_path, COMPRESSION_NONE, &err);
        if (w && !json_writer_begin(w, s->ncols, (const char *const *)s->names, &err)) {
            json_writer_abort(w);
            w = NULL;
        }
    }
    Batch b;
    json_reader_init_batch(r, &b);
    bool ok = true;
    for (;;) {
        if (!json_reader_next(r, &b, &err)) {
            ok = false;
            break;
        }
        if (b.count == 0) break;
        append_rows(&b, rows);
        if (w && !json_writer_write_batch(w, &b, &err)) {
            json_writer_abort(w);
            w = NULL;
        }
    }
    if (w) {
        if (!ok) json_writer_abort(w);
        else if (!json_writer_close(w, &err)) ok = false;
    }
    if (schema_out) {
        schema_out->ncols = s->ncols;
        schema_out->names = mem_calloc((size_t)s->ncols + 1, sizeof(char *));
        schema_out->types = mem_calloc((size_t)s->ncols + 1, sizeof(LogicalType));
        for (int c = 0; c < s->ncols; c++) {
            schema_out->names[c] = mem_strdup(s->names[c]);
            schema_out->types[c] = s->types[c];
        }
    }
    batch_destroy(&b);
    json_reader_close(r);
    return ok;
}

static void record_reject(void *ctx, const JsonReject *r)
{
    StrBuf *out = ctx;
    strbuf_printf(out, "%lld %llu %s|", (long long)r->line, (unsigned long long)r->byte_offset, r->message);
    strbuf_append(out, r->raw, r->raw_len);
    strbuf_puts(out, "\n");
}

/* Every row of r into rows, then close it; false (err set) on an error. */
static bool drain(JsonReader *r, StrBuf *rows, Error *err)
{
    Batch b;
    json_reader_init_batch(r, &b);
    bool ok = true;
    for (;;) {
        if (!json_reader_next(r, &b, err)) {
            ok = false;
            break;
        }
        if (b.count == 0) break;
        append_rows(&b, rows);
    }
    batch_destroy(&b);
    json_reader_close(r);
    return ok;
}

static bool same_text(const StrBuf *a, const StrBuf *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* The split check (see the top): path holds text[0, n) uncompressed. */
static void check_split(const char *path, const char *text, size_t n, const JsonSchema *schema, const JsonOptions *base)
{
    JsonOptions o = *base;
    o.format = JSON_FORMAT_NEWLINE_DELIMITED;
    o.ncolumns = schema->ncols;
    o.columns_declared = true;
    o.column_names = (const char *const *)schema->names;
    o.column_types = schema->types;
    o.on_reject = base->ignore_errors ? record_reject : NULL;
    StrBuf rows1 = STRBUF_INIT, rejects1 = STRBUF_INIT, rows2 = STRBUF_INIT, rejects2 = STRBUF_INIT;
    Error e1 = ERROR_INIT, e2 = ERROR_INIT;
    o.reject_ctx = &rejects1;
    JsonReader *r = json_reader_open_files(&path, 1, &o, &e1);
    bool ok1 = r && drain(r, &rows1, &e1);
    const char *lf = memchr(text + n / 2, '\n', n - n / 2);
    size_t cut = lf ? (size_t)(lf - text) + 1 : n;
    int64_t line2 = 1;
    for (size_t i = 0; i < cut; i++) line2 += text[i] == '\n';
    o.reject_ctx = &rejects2;
    r = json_reader_open_range(path, &o, 0, cut, 1, &e2);
    bool ok2 = r && drain(r, &rows2, &e2);
    if (ok2) {
        r = json_reader_open_buffer(path, &o, text + cut, n - cut, cut, line2, &e2);
        ok2 = r && drain(r, &rows2, &e2);
    }
    if (ok1 != ok2) abort();
    if (ok1 && (!same_text(&rows1, &rows2) || !same_text(&rejects1, &rejects2))) abort();
    if (!ok1 && (e1.line != e2.line || e1.column != e2.column || strcmp(e1.message, e2.message) != 0)) abort();
    strbuf_free(&rows1);
    strbuf_free(&rows2);
    strbuf_free(&rejects1);
    strbuf_free(&rejects2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    memfs_install();
    memfs_reset();
    if (size == 0) return 0;
    uint8_t mode = data[0];
    const char *text = (const char *)data + 1;
    size_t n = size - 1;

    /* the scanner alone: whatever it accepts lies inside the input */
    JsonKind kind;
    const char *end;
    JsonProblem pr;
    if (json_scan_value(text, text + n, (mode & 1) ? 8 : JSON_DEFAULT_MAX_DEPTH, &kind, &end, &pr)) {
        if (end < text || end > text + n) abort();
    } else if (pr.at < text || pr.at > text + n) {
        abort();
    }

    const char *path = (mode & 0xC0) == 0xC0 ? "data.jsonl.gz" : (mode & 0xC0) == 0x80 ? "data.jsonl.zst" : "data.jsonl";
    memfs_put(path, text, n);
    JsonOptions o;
    json_options_init(&o);
    o.format = (JsonFormat)(mode % 3);
    o.flatten_depth = (mode >> 2) & 3;
    o.block_size = (mode & 0x10) ? 64 : 0;
    o.ignore_errors = (mode & 0x20) != 0;
    if (mode & 1) {
        o.max_depth = 8;
        o.max_line_size = 256;
        o.sample_size = 2;
    }
    StrBuf rows = STRBUF_INIT, again = STRBUF_INIT;
    JsonSchema schema = {0};
    bool read_ok = read_all(path, &o, &rows, "back.jsonl", &schema);
    bool unique_names = true; /* a key "a.b" beside a flattened a.b: JSON output cannot keep both */
    for (int c = 0; c < schema.ncols; c++)
        for (int d = 0; d < c; d++)
            if (strcmp(schema.names[c], schema.names[d]) == 0) unique_names = false;
    if (read_ok && !o.ignore_errors && unique_names) {
        /* read the written rows with the same columns declared */
        JsonOptions o2;
        json_options_init(&o2);
        o2.format = JSON_FORMAT_NEWLINE_DELIMITED;
        o2.ncolumns = schema.ncols;
        o2.column_names = (const char *const *)schema.names;
        o2.column_types = schema.types;
        o2.flatten_depth = 0; /* flattened names are plain keys in the output */
        if (schema.ncols > 0 && !read_all("back.jsonl", &o2, &again, NULL, NULL)) abort();
        if (schema.ncols > 0 && (rows.len != again.len || memcmp(rows.data, again.data, rows.len) != 0)) abort();
    }
    if (schema.names && (mode & 0xC0) == 0) check_split(path, text, n, &schema, &o);
    for (int c = 0; c < schema.ncols; c++) mem_free(schema.names[c]);
    mem_free(schema.names);
    mem_free(schema.types);
    strbuf_free(&rows);
    strbuf_free(&again);
    return 0;
}
