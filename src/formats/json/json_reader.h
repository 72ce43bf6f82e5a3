/* json_reader: reads JSON files (one path or a glob of many) into batches.
 *
 * Formats: newline-delimited JSON (JSON Lines: one object per line; blank
 * lines are skipped) and a top-level JSON array of objects.  With
 * JSON_FORMAT_AUTO each file is looked at: a file whose first non-blank byte
 * is '[' is an array, anything else newline-delimited.  Files compressed
 * with gzip, zstd, bzip2 or lz4 are decompressed as they are read (by
 * extension, or the compression option; io/decompress.h).
 *
 * Schema: declared (columns: names and types), or inferred from the first
 * sample_size records of the first file:
 *   - per key, in order of first appearance; a key whose values are all
 *     true/false is BOOLEAN, all integers that fit 64 bits BIGINT, numbers
 *     with a fraction or exponent (or larger integers) among them DOUBLE,
 *     all strings VARCHAR, unless every one has the shape YYYY-MM-DD (DATE)
 *     or YYYY-MM-DD[T ]HH:MM[:SS[.f]] without a zone (TIMESTAMP), when
 *     infer_dates is on;
 *   - a key with values of different kinds, or with arrays or objects (that
 *     are not flattened), or only nulls, is VARCHAR;
 *   - flatten_depth > 0: a key whose values are all objects (or null) is
 *     replaced by one column per key of those objects, named with a dot path
 *     ("a.b"), down to flatten_depth levels of nesting.
 * Values: JSON null and missing keys are NULL; keys not in the schema are
 * checked for syntax and skipped.  A VARCHAR column holds a string's text
 * (escapes undone) and any other value's JSON text (numbers as written,
 * true/false, objects and arrays as they appear in the file), as the ->>
 * operator returns them.  Other types take numbers, strings (parsed with
 * PostgreSQL's input rules) and, for BOOLEAN, true/false.  A value that does
 * not fit the column's type is an error, never a silent NULL.
 *
 * Errors: ERR_DATA at file:line:column (column = byte of the line, 1-based)
 * with the problem: JSON syntax ("expected ',' or '}' in an object"),
 * invalid UTF-8, a bad escape, a record that is not an object, nesting
 * deeper than max_depth, a line longer than max_line_size, a value that does
 * not convert ("invalid input syntax for type bigint: "x" (column "a")").
 * ignore_errors skips such records and counts them (json_reader_rejected_rows);
 * on_reject, if set, is also handed each one (file, line where the record
 * starts, byte offset of its first byte, message, raw bytes) for a
 * quarantine.  In a JSON array a syntax error still ends the file, since no
 * record boundary can be trusted after it (the rest of the buffer is the
 * rejected record's raw text).  Errors of the file itself (I/O, corrupt
 * compressed data) are never skipped.
 *
 * Byte ranges (parallel scans): json_reader_open_range reads the lines of
 * one uncompressed newline-delimited file whose first byte is in [start,
 * end), start and end being line boundaries found by the caller, with line
 * numbers counted from the range's first line as in the whole file;
 * json_reader_open_buffer reads lines a caller decompressed into memory.
 *
 * Memory: one read buffer per reader (1 MiB, or the longest record, at most
 * max_line_size), the batch being filled and the key tree of the schema. */
#ifndef KILN_FORMATS_JSON_READER_H
#define KILN_FORMATS_JSON_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "io/compression.h"
#include "types/batch.h"
#include "types/types.h"

#define JSON_DEFAULT_SAMPLE_SIZE 20480
#define JSON_DEFAULT_MAX_LINE_SIZE (64u << 20)
#define JSON_DEFAULT_BLOCK_SIZE (1u << 20)

typedef enum JsonFormat {
    JSON_FORMAT_AUTO = 0,
    JSON_FORMAT_NEWLINE_DELIMITED,
    JSON_FORMAT_ARRAY,
} JsonFormat;

/* A record a reader could not read (JsonOptions.on_reject); valid only during the call. */
typedef struct JsonReject {
    const char *path;
    int64_t line;          /* 1-based line where the record starts */
    uint64_t byte_offset;  /* of the record's first byte (in the decompressed data) */
    const char *message;   /* the error, without its location */
    const char *raw;       /* the record's bytes, line break excluded (an array's: up to the buffer's end) */
    size_t raw_len;
} JsonReject;
typedef void (*JsonRejectFn)(void *ctx, const JsonReject *reject);

typedef struct JsonOptions {
    JsonFormat format;
    int ncolumns;                     /* declared columns (0 = infer, unless columns_declared) */
    bool columns_declared;            /* ncolumns is the schema even when 0 (never infer) */
    const char *const *column_names;  /* with flatten_depth > 0, "a.b" is key b of object a */
    const LogicalType *column_types;
    int64_t sample_size;              /* records; -1 = the whole first file */
    int flatten_depth;                /* levels of nested objects made into columns (default 0) */
    bool no_infer_dates;              /* strings stay VARCHAR even when they look like dates */
    bool ignore_errors;
    JsonRejectFn on_reject;           /* NULL = a bad record is an error (or skipped with ignore_errors) */
    void *reject_ctx;
    int max_depth;                    /* nesting limit (default JSON_DEFAULT_MAX_DEPTH) */
    size_t max_line_size;             /* longest record in bytes (default 64 MiB) */
    size_t block_size;                /* first buffer size (default 1 MiB; tests use tiny ones) */
    Compression compression;          /* AUTO: by extension */
    const char *filename;             /* name of an extra file-name column, NULL = none */
} JsonOptions;

typedef struct JsonSchema {
    int ncols;
    char **names;        /* owned */
    LogicalType *types;  /* owned */
} JsonSchema;

typedef struct JsonReader JsonReader;

/* Fill opts with the defaults. */
void json_options_init(JsonOptions *opts);
/* Open every file matching pattern and settle the schema (declared, or
 * inferred from the first file). */
JsonReader *json_reader_open(const char *pattern, const JsonOptions *opts, Error *err);
/* Open exactly these files (in this order; no glob expansion); the schema
 * is declared or inferred from the first. */
JsonReader *json_reader_open_files(const char *const *paths, int npaths, const JsonOptions *opts, Error *err);
/* Read the lines starting in [start, end) of one uncompressed
 * newline-delimited file (start and end at line starts, or end = the file's
 * size), numbering lines from first_line (the line at start).  The columns
 * must be declared (opts->ncolumns, possibly 0): nothing is inferred. */
JsonReader *json_reader_open_range(const char *path, const JsonOptions *opts, uint64_t start, uint64_t end,
                                   int64_t first_line, Error *err);
/* Read the lines of data[0, len): the piece of path's (decompressed)
 * content that starts at byte offset and line first_line, whole lines only;
 * data is borrowed until the reader is closed.  Columns as for
 * json_reader_open_range. */
JsonReader *json_reader_open_buffer(const char *path, const JsonOptions *opts, const char *data, size_t len,
                                    uint64_t offset, int64_t first_line, Error *err);
/* Whether a file holds JSON Lines (by opts->format, or its first non-blank
 * byte, decompressed if need be, is not '[') and whether it is compressed
 * (by its name or opts->compression). */
bool json_file_probe(const char *path, const JsonOptions *opts, bool *lines, bool *compressed, Error *err);
/* The reader's columns (then the file-name column, if any). */
const JsonSchema *json_reader_schema(const JsonReader *r);
/* Read only these schema columns, in this order (before the first next). */
void json_reader_project(JsonReader *r, const int *column_ids, int ncolumn_ids);
/* Initialise b with one vector per projected column. */
void json_reader_init_batch(const JsonReader *r, Batch *b);
/* Fill b with up to VECTOR_CAPACITY rows (b->count == 0 at the end); the
 * rows stay valid until the next call. */
bool json_reader_next(JsonReader *r, Batch *b, Error *err);
/* Index (in the reader's file list) of the file of the last batch's rows. */
int json_reader_batch_file_index(const JsonReader *r);
/* Files the reader has opened to read records (the schema sample not counted). */
uint64_t json_reader_files_opened(const JsonReader *r);
/* Records skipped because of ignore_errors or handed to on_reject. */
uint64_t json_reader_rejected_rows(const JsonReader *r);
/* Bytes of the files consumed so far (compressed bytes for compressed files). */
uint64_t json_reader_bytes_read(const JsonReader *r);
/* Total bytes of the files. */
uint64_t json_reader_bytes_total(const JsonReader *r);
/* Close the reader (NULL is fine). */
void json_reader_close(JsonReader *r);

#endif
