/* json_writer: writes batches as newline-delimited JSON (one object per
 * row, keys in column order), to a file (atomically, through io/fs, and
 * compressed when the name or the option says so: io/compress.h) or to a
 * FILE* such as stdout.
 *
 * Values: NULL is null; BOOLEAN true/false; INTEGER, BIGINT and DECIMAL are
 * JSON numbers written exactly (decimals keep their scale: 12.50); DOUBLE is
 * the shortest number that reads back the same, except NaN, Infinity and
 * -Infinity, which JSON cannot hold as numbers and are written as the
 * strings "NaN", "Infinity", "-Infinity" (read_json reads them back into a
 * DOUBLE column); VARCHAR is a JSON string; DATE, TIMESTAMP and INTERVAL are
 * strings of their PostgreSQL text form.  Strings are escaped by
 * json_append_string: every control character, and \ufffd for each byte of
 * invalid UTF-8, so the output is valid JSON that jq and DuckDB read.
 *
 * Memory: one output buffer (1 MiB, flushed when full). */
#ifndef KILN_FORMATS_JSON_WRITER_H
#define KILN_FORMATS_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "io/compression.h"
#include "io/fs.h"
#include "types/batch.h"

typedef struct JsonWriter JsonWriter;

/* Start writing path (visible at json_writer_close), compressed per codec
 * (AUTO: by the extension). */
JsonWriter *json_writer_open(const char *path, Compression codec, Error *err);
/* Start writing to an open stream (not closed by the writer). */
JsonWriter *json_writer_open_stream(FILE *out, Error *err);
/* Declare the columns (their names become the keys). */
bool json_writer_begin(JsonWriter *w, int ncols, const char *const *names, Error *err);
/* Write the logical rows of a batch. */
bool json_writer_write_batch(JsonWriter *w, const Batch *b, Error *err);
/* Flush, make the output visible and free w (also on failure). */
bool json_writer_close(JsonWriter *w, Error *err);
/* Discard the output and free w (NULL is fine). */
void json_writer_abort(JsonWriter *w);
/* Start writing on an already open FsWriter that the caller commits or
 * aborts (the lake's staged files), buffering buffer_bytes (at least 4 KiB). */
JsonWriter *json_writer_open_on(FsWriter *out, size_t buffer_bytes);
/* Flush everything to the FsWriter without committing it (open_on) and
 * free w, also on failure. */
bool json_writer_finish(JsonWriter *w, Error *err);
/* Bytes written so far (including buffered ones). */
uint64_t json_writer_bytes(const JsonWriter *w);
/* Heap bytes the writer holds. */
uint64_t json_writer_memory(const JsonWriter *w);
/* Append slot row of v as a JSON value (the rules above) to out. */
void json_append_value(StrBuf *out, const Vector *v, uint32_t row, StrBuf *scratch);

#endif
