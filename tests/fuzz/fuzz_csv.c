/* fuzz_csv: libFuzzer target for the CSV sniffer, scanner and reader (and
 * the writer on whatever the reader returns).
 *
 * Build and run (from the repository root; not part of `make`):
 *   clang -g -O1 -std=c17 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -Isrc \
 *     tests/fuzz/fuzz_csv.c src/formats/csv/[a-z]*.c src/io/[a-z]*.c src/types/[a-z]*.c \
 *     src/common/[a-z]*.c -lm -o build/fuzz_csv
 *   build/fuzz_csv -max_total_time=60 -max_len=4096
 *
 * The first input byte picks the options (header mode, delimiter, quote
 * style, ignore_errors, a tiny block size so records cross block
 * boundaries); the rest is written to a temporary file and read to the end.
 * Any crash, leak, sanitizer report or read past the data is a bug; errors
 * are fine. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "formats/csv/csv_reader.h"
#include "formats/csv/csv_writer.h"

static void read_everything(const char *path, const CsvOptions *opts, FILE *sink)
{
    Error err = ERROR_INIT;
    CsvReader *r = csv_reader_open(path, opts, &err);
    if (r == NULL) return;
    CsvWriteOptions wo;
    csv_write_options_init(&wo);
    CsvWriter *w = csv_writer_open_stream(sink, &wo, &err);
    const CsvSchema *s = csv_reader_schema(r);
    if (w) csv_writer_begin(w, s->ncols, (const char *const *)s->names, &err);
    Batch b;
    csv_reader_init_batch(r, &b);
    while (csv_reader_next(r, &b, &err) && b.count > 0) {
        if (w && !csv_writer_write_batch(w, &b, &err)) break;
        (void)csv_reader_batch_lines(r);
        (void)csv_reader_bytes_read(r);
    }
    batch_destroy(&b);
    if (w) csv_writer_close(w, &err);
    csv_reader_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    static FILE *sink;
    if (path[0] == '\0') snprintf(path, sizeof path, "/tmp/kiln_fuzz_csv_%ld.csv", (long)getpid());
    if (sink == NULL) sink = fopen("/dev/null", "w");
    if (size == 0 || sink == NULL) return 0;
    uint8_t mode = data[0];
    FILE *f = fopen(path, "wb");
    if (f == NULL) return 0;
    fwrite(data + 1, 1, size - 1, f);
    fclose(f);

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
    read_everything(path, &o, sink);
    unlink(path);
    return 0;
}
