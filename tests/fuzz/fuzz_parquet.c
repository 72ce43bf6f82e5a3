/* fuzz_parquet: libFuzzer target for the Parquet reader (footer, schema,
 * page headers, every encoding and codec) and, on what reads, the writer.
 *
 * Build and run with scripts/fuzz.sh (all targets), or by hand:
 *   scripts/fuzz.sh 60 parquet
 *
 * The input is the whole file, served from memory
 * (parquet_file_open_memory).  Every supported column of every row group is
 * read to the end, at most MAX_ROWS rows per input so a file that claims
 * billions of NULLs does not stall the fuzzer.  The readers of the first
 * row group are pointed at the next ones (parquet_column_reader_reopen), each
 * at another column every time, so that buffers sized by one chunk are
 * reused for chunks of other sizes and types.
 *
 * Checks, beyond "no crash, leak or sanitizer report":
 *   - round trip: when every row of the file reads without error and every
 *     column is supported, the rows written by the Parquet writer (into
 *     fuzz_memfs) and read back give exactly the same values (text form). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "formats/parquet/parquet_reader.h"
#include "formats/parquet/parquet_writer.h"
#include "fuzz_memfs.h"
#include "types/cast.h"

#define MAX_ROWS 100000

/* Read the whole file: rows in canonical text form into out (may be NULL),
 * and into the writer w (may be NULL).  True if everything read. */
static bool read_all(ParquetFile *pf, StrBuf *out, ParquetWriter *w)
{
    Error err = ERROR_INIT;
    LogicalType *types = mem_calloc((size_t)pf->ncols + 1, sizeof *types);
    for (int c = 0; c < pf->ncols; c++) types[c] = pf->cols[c].type;
    Batch b;
    batch_init(&b, pf->ncols, types, VECTOR_CAPACITY);
    ParquetColumnReader **readers = mem_calloc((size_t)pf->ncols + 1, sizeof *readers);
    ParquetColumnReader **col_reader = mem_calloc((size_t)pf->ncols + 1, sizeof *col_reader);
    bool ok = true;
    int64_t total = 0;
    StrBuf text = STRBUF_INIT;
    for (uint32_t g = 0; ok && g < pf->meta.nrow_groups; g++) {
        for (int k = 0; ok && k < pf->ncols; k++) {
            /* reader k serves column (k + g) mod ncols in row group g */
            int c = (int)((k + g) % (uint32_t)pf->ncols);
            if (readers[k] == NULL) readers[k] = parquet_column_reader_open(pf, (int)g, c, &err);
            else if (!parquet_column_reader_reopen(readers[k], pf, (int)g, c, &err)) ok = false;
            if (readers[k] == NULL) ok = false;
            col_reader[c] = readers[k];
        }
        int64_t left = pf->meta.row_groups[g].num_rows;
        while (ok && left > 0) {
            if (total >= MAX_ROWS) {
                ok = false;
                break;
            }
            uint32_t n = left < VECTOR_CAPACITY ? (uint32_t)left : VECTOR_CAPACITY;
            batch_reset(&b);
            for (int c = 0; ok && c < pf->ncols; c++) ok = parquet_column_reader_read(col_reader[c], b.cols[c], 0, n, &err);
            if (!ok) break;
            b.count = n;
            for (uint32_t i = 0; out && i < n; i++) {
                for (int c = 0; c < pf->ncols; c++) {
                    if (!vector_is_valid(b.cols[c], i)) {
                        strbuf_puts(out, "N");
                        continue;
                    }
                    strbuf_clear(&text);
                    cast_format_value(b.cols[c], i, &text);
                    strbuf_printf(out, "V%zu:", text.len);
                    strbuf_append(out, text.data, text.len);
                }
                strbuf_puts(out, "\n");
            }
            if (w && !parquet_writer_write_batch(w, &b, &err)) ok = false;
            left -= n;
            total += n;
        }
    }
    for (int k = 0; k < pf->ncols; k++) parquet_column_reader_close(readers[k]);
    mem_free(col_reader);
    strbuf_free(&text);
    mem_free(readers);
    batch_destroy(&b);
    mem_free(types);
    return ok;
}

static void check_round_trip(ParquetFile *pf, const StrBuf *first)
{
    Error err = ERROR_INIT;
    ParquetWriteOptions wo;
    parquet_write_options_init(&wo);
    wo.row_group_rows = 1000;
    wo.page_bytes = 1024;
    wo.dictionary_bytes = 512;
    ParquetWriter *w = parquet_writer_open("roundtrip.parquet", &wo, &err);
    if (w == NULL) return;
    const char **names = mem_calloc((size_t)pf->ncols + 1, sizeof *names);
    LogicalType *types = mem_calloc((size_t)pf->ncols + 1, sizeof *types);
    for (int c = 0; c < pf->ncols; c++) {
        names[c] = pf->cols[c].name;
        types[c] = pf->cols[c].type;
    }
    bool ok = parquet_writer_begin(w, pf->ncols, names, types, &err) && read_all(pf, NULL, w);
    mem_free(names);
    mem_free(types);
    if (!ok) {
        parquet_writer_abort(w);
        return;
    }
    if (!parquet_writer_close(w, &err)) return; /* e.g. the memory file system is full */
    const MemfsEntry *e = memfs_find("roundtrip.parquet");
    if (e == NULL || !e->present) return;
    ParquetFile *back = parquet_file_open_memory("roundtrip.parquet", (const uint8_t *)e->data, e->size, &err);
    if (back == NULL) {
        fprintf(stderr, "round trip: the writer's output does not open: %s\n", err.message);
        abort();
    }
    StrBuf second = STRBUF_INIT;
    if (!read_all(back, &second, NULL)) {
        fprintf(stderr, "round trip: the writer's output does not read back\n");
        abort();
    }
    if (first->len != second.len || (first->len && memcmp(first->data, second.data, first->len) != 0)) {
        fprintf(stderr, "round trip changed values:\nfirst:\n%.*s\nsecond:\n%.*s\n", (int)first->len, first->data,
                (int)second.len, second.data);
        abort();
    }
    strbuf_free(&second);
    parquet_file_close(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)memfs_put; /* the input is read from memory directly; memfs only takes the round trip's output */
    memfs_install();
    memfs_reset();
    Error err = ERROR_INIT;
    ParquetFile *pf = parquet_file_open_memory("input.parquet", data, size, &err);
    if (pf == NULL) return 0;
    bool supported = pf->ncols > 0;
    for (int c = 0; c < pf->ncols; c++) supported &= pf->cols[c].unsupported == NULL;
    StrBuf rows = STRBUF_INIT;
    if (supported && read_all(pf, &rows, NULL)) check_round_trip(pf, &rows);
    strbuf_free(&rows);
    parquet_file_close(pf);
    return 0;
}
