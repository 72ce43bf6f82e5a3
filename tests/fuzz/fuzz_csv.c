/* fuzz_csv: libFuzzer target for the CSV sniffer, scanner, reader and writer.
 *
 * Build and run with scripts/fuzz.sh (all targets), or by hand:
 *   scripts/fuzz.sh 60 csv
 *
 * The first input byte picks the options (header mode, delimiter, escape,
 * ignore_errors, a tiny block size so records cross block boundaries, a
 * null string, a file-name column, a tiny sample and line limit); the rest
 * is the file, served from memory (fuzz_memfs.h: no disk write per input).
 *
 * Checks, beyond "no crash, leak or sanitizer report":
 *   - round trip: when the whole file reads without error, the rows written
 *     back by the CSV writer and read again with the same column types give
 *     exactly the same values (text form), NULLs included.  A difference is
 *     a silently wrong value in the reader or the writer and aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "formats/csv/csv_reader.h"
#include "formats/csv/csv_writer.h"
#include "fuzz_memfs.h"
#include "types/cast.h"

/* Append a canonical form of the batch's rows to out: per value 'N' for
 * NULL, or 'V' + length + text form. */
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

/* Read path to the end with opts; canonical rows into rows (may be NULL),
 * the writer's output of them into csv_out (may be NULL). True if the whole
 * file was read without error. */
static bool read_everything(const char *path, const CsvOptions *opts, StrBuf *rows, FILE *csv_out,
                            CsvSchema *schema_out)
{
    Error err = ERROR_INIT;
    CsvReader *r = csv_reader_open(path, opts, &err);
    if (r == NULL) return false;
    const CsvSchema *s = csv_reader_schema(r);
    if (schema_out) csv_schema_copy(schema_out, s);
    CsvWriter *w = NULL;
    if (csv_out) {
        CsvWriteOptions wo;
        csv_write_options_init(&wo);
        w = csv_writer_open_stream(csv_out, &wo, &err);
        if (w && !csv_writer_begin(w, s->ncols, (const char *const *)s->names, &err)) {
            csv_writer_abort(w);
            w = NULL;
        }
    }
    Batch b;
    csv_reader_init_batch(r, &b);
    bool ok;
    while ((ok = csv_reader_next(r, &b, &err)) && b.count > 0) {
        if (w && !csv_writer_write_batch(w, &b, &err)) {
            ok = false;
            break;
        }
        if (rows) append_rows(&b, rows);
        (void)csv_reader_batch_lines(r);
        (void)csv_reader_bytes_read(r);
        (void)csv_reader_batch_file(r);
    }
    batch_destroy(&b);
    if (w && !csv_writer_close(w, &err)) ok = false;
    csv_reader_close(r);
    return ok;
}

/* Write what the reader returned, read it back with the same columns, and
 * require the same values. */
static void check_round_trip(const char *path, const CsvOptions *opts)
{
    char *written = NULL;
    size_t written_len = 0;
    FILE *out = open_memstream(&written, &written_len);
    if (out == NULL) return;
    StrBuf first = STRBUF_INIT, second = STRBUF_INIT;
    CsvSchema schema;
    memset(&schema, 0, sizeof schema);
    bool ok = read_everything(path, opts, &first, out, &schema);
    fclose(out);
    if (ok && schema.ncols > 0) {
        memfs_put("roundtrip.csv", written, written_len);
        CsvOptions back;
        csv_options_init(&back);
        back.header = CSV_HEADER_YES;
        back.delim = ',';
        back.ncolumns = schema.ncols;
        back.column_names = (const char *const *)schema.names;
        back.column_types = schema.types;
        back.sample_size = 1;
        Error err = ERROR_INIT;
        (void)err;
        if (!read_everything("roundtrip.csv", &back, &second, NULL, NULL)) {
            fprintf(stderr, "round trip: the writer's output does not read back:\n%.*s\n", (int)written_len, written);
            abort();
        }
        if (first.len != second.len || (first.len && memcmp(first.data, second.data, first.len) != 0)) {
            fprintf(stderr, "round trip changed values:\nwritten:\n%.*s\nfirst:\n%.*s\nsecond:\n%.*s\n",
                    (int)written_len, written, (int)first.len, first.data, (int)second.len, second.data);
            abort();
        }
    }
    if (schema.names) csv_schema_free(&schema);
    strbuf_free(&first);
    strbuf_free(&second);
    free(written); /* open_memstream's buffer comes from libc */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    memfs_install();
    memfs_reset();
    if (size == 0) return 0;
    uint8_t mode = data[0];
    memfs_put("data.csv", data + 1, size - 1);

    CsvOptions o;
    csv_options_init(&o);
    static const char delims[] = {'\0', ',', ';', '\t'};
    o.header = (CsvHeaderMode)(mode % 3);
    o.delim = delims[(mode >> 2) & 3];
    if (mode & 0x10) o.escape = '\\';
    o.ignore_errors = (mode & 0x20) != 0;
    o.block_size = (mode & 0x40) ? 64 : 0;
    if (mode & 0x80) {
        o.nullstr = "NA";
        o.filename = "filename";
        o.sample_size = 2;
        o.max_line_size = 512;
    }
    check_round_trip("data.csv", &o);
    return 0;
}
