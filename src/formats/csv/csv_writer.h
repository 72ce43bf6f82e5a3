/* csv_writer: writes batches as CSV, to a file (atomically, through io/fs)
 * or to a FILE* such as stdout.
 *
 * PostgreSQL's CSV conventions (COPY ... TO ... WITH (FORMAT csv)):
 *   - NULL is written as the null string, by default an empty unquoted field;
 *   - a value is quoted when it contains the delimiter, the quote, CR or LF,
 *     or equals the null string (so the empty string is written `""` and
 *     reads back as the empty string, not NULL), or is exactly `\.`;
 *   - inside quotes the quote is preceded by the escape (by default the
 *     quote itself, i.e. doubled);
 *   - values are PostgreSQL's text output (cast_format_value); booleans are
 *     true/false; rows end with LF.
 *
 * Output is buffered (1 MiB).  A file target is written under a temporary
 * name and appears under its own name only at csv_writer_close; after an
 * error, csv_writer_abort removes the temporary. */
#ifndef KILN_FORMATS_CSV_WRITER_H
#define KILN_FORMATS_CSV_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"
#include "io/compression.h"
#include "io/fs.h"
#include "types/batch.h"

typedef struct CsvWriteOptions {
    bool header;          /* write a header line of column names (default true) */
    char delim;           /* default ',' */
    char quote;           /* default '"' */
    char escape;          /* default '\0' = the quote (quotes are doubled) */
    const char *nullstr;  /* written for NULL; default "" (copied at open) */
    Compression compression; /* file target: AUTO (default) = by extension (.gz ...), io/compress.h */
} CsvWriteOptions;

typedef struct CsvWriter CsvWriter;

/* Fill opts with the defaults. */
void csv_write_options_init(CsvWriteOptions *opts);
/* Start writing path (atomically: visible at csv_writer_close). */
CsvWriter *csv_writer_open(const char *path, const CsvWriteOptions *opts, Error *err);
/* Start writing to an open stream (not closed by the writer). */
CsvWriter *csv_writer_open_stream(FILE *out, const CsvWriteOptions *opts, Error *err);
/* Declare the columns; writes the header line if the options ask for it.
 * Call once before the first batch. */
bool csv_writer_begin(CsvWriter *w, int ncols, const char *const *names, Error *err);
/* Write the logical rows of a batch (its column count must match begin's). */
bool csv_writer_write_batch(CsvWriter *w, const Batch *b, Error *err);
/* Flush, make the output visible (file: fsync + rename) and free w, also
 * when it fails (the temporary is then removed). */
bool csv_writer_close(CsvWriter *w, Error *err);
/* Discard the output (file: remove the temporary) and free w (NULL is fine). */
void csv_writer_abort(CsvWriter *w);
/* Start writing on an already open FsWriter that the caller commits or
 * aborts (the lake's staged files); output is buffered in buffer_bytes
 * (at least 4 KiB).  The compression option is not applied. */
CsvWriter *csv_writer_open_on(FsWriter *out, const CsvWriteOptions *opts, size_t buffer_bytes, Error *err);
/* Flush everything to the FsWriter without committing it (open_on) and
 * free w, also on failure. */
bool csv_writer_finish(CsvWriter *w, Error *err);
/* Heap bytes the writer holds. */
uint64_t csv_writer_memory(const CsvWriter *w);
/* Rows written so far. */
uint64_t csv_writer_rows(const CsvWriter *w);
/* Bytes written so far (including buffered ones). */
uint64_t csv_writer_bytes(const CsvWriter *w);

#endif
