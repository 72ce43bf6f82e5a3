/* csv_reader: reads CSV files (one path or a glob of many) into batches.
 *
 * Use:
 *     CsvOptions opts;
 *     csv_options_init(&opts);
 *     opts.header = CSV_HEADER_YES;              // read_csv(..., header => true)
 *     CsvReader *r = csv_reader_open("data/x*.csv", &opts, &err);
 *     const CsvSchema *schema = csv_reader_schema(r);   // names and types
 *     csv_reader_project(r, ids, nids);          // optional: only these columns
 *     Batch b; csv_reader_init_batch(r, &b);
 *     while (csv_reader_next(r, &b, &err) && b.count > 0) ...;
 *     batch_destroy(&b); csv_reader_close(r);
 *
 * Options (CsvOptions; named as DuckDB's read_csv options, which the SQL
 * layer maps onto them; strings are copied at open):
 *   header        CSV_HEADER_AUTO (default): the first row is a header if it
 *                 does not fit the types inferred from the rows below it (or,
 *                 when every column is text, if it has no empty field);
 *                 CSV_HEADER_YES / CSV_HEADER_NO force it.
 *   delim / sep   one byte; '\0' (default) sniffs among ',', '|', ';', '\t'
 *                 by which gives the most rows with the same field count.
 *   quote         default '"'; CSV_NO_QUOTE switches quoting off.
 *   escape        default '\0' = the quote (a doubled quote is one quote);
 *                 another byte escapes a quote or itself inside quotes.
 *   nullstr       NULL (default): an empty unquoted field is NULL; otherwise
 *                 an unquoted field equal to nullstr is NULL.  A quoted field
 *                 is never NULL in a text column ("" is the empty string, as
 *                 PostgreSQL reads it); in a typed column an empty field,
 *                 quoted or not, is NULL.
 *   skip          physical lines skipped at the start of every file.
 *   columns       ncolumns names + types: the file's columns as declared (no
 *                 inference; the header row, if any, is skipped).
 *   all_varchar   every column VARCHAR (no type inference).
 *   sample_size   rows of the first file used for inference (default 20480;
 *                 -1 = the whole file).  Sampling never changes results: a
 *                 later value that does not fit the inferred type is an
 *                 error (or a rejected row), never a silent NULL.
 *   ignore_errors rows that are malformed or hold a value that does not
 *                 parse are skipped and counted (csv_reader_rejected_rows);
 *                 an unterminated quote ends its file.
 *   filename      if set, an extra VARCHAR column of that name (DuckDB's
 *                 "filename") holding each row's file path.
 *   line_column   if set, an extra BIGINT column of that name (after the
 *                 file-name column) holding the 1-based physical line where
 *                 each row starts (lineage for quarantines).
 *   on_reject     if set, a record that cannot be read (wrong field count,
 *                 a value that does not parse, an unterminated quote) is
 *                 handed to on_reject(reject_ctx, ...) with its file, line,
 *                 byte offset, message and raw bytes, and skipped (an
 *                 unterminated quote ends its file); the callback must be
 *                 thread-safe when several readers share it.
 *   block_size    bytes read at a time (default 4 MiB; tests use tiny ones).
 *   max_line_size longest record in bytes (default 64 MiB).
 *   compression   COMPRESSION_AUTO (default): files ending .gz, .zst, .bz2,
 *                 .lz4 are decompressed as they are read (io/decompress.h);
 *                 a codec or COMPRESSION_NONE overrides the extension.
 *
 * Inference: per column the narrowest of BOOLEAN (true/false), BIGINT,
 * DOUBLE, DATE (YYYY-MM-DD), TIMESTAMP (date [T| ]HH:MM:SS[.ffffff]) that
 * every non-NULL sampled value parses as, else VARCHAR (also for a column
 * with no values).  Names come from the header (empty names become
 * column<i>, duplicates get _1, _2 ...) or are column0, column1 ...
 *
 * Many files: the schema (dialect, header, names, types) comes from the
 * first file of the sorted glob; every file must have the same header (an
 * error names the file that differs) and its rows must fit the types.
 * A batch never mixes rows of two files, so csv_reader_batch_file and
 * csv_reader_batch_lines give each row's origin (quarantine, errors).
 *
 * Errors: ERR_DATA with the file, the 1-based physical line where the record
 * starts and the 1-based field number, e.g. message
 *   invalid input syntax for type bigint: "12x" (column "amount")
 * at data.csv:14:3; "unterminated CSV quoted field"; "missing data for column
 * "c" (expected 3 fields, found 2)"; "extra data after last expected column
 * (expected 3 fields, found 4)".  I/O errors are ERR_IO (io/fs.h).
 *
 * Memory stays bounded whatever the file size: one read buffer per reader
 * (block_size, or the longest record), the batch being filled (long strings
 * are copied into its vectors' heaps, so a batch stays valid until the next
 * csv_reader_next), and the list of file names.
 *
 * Parallel scans: csv_reader_open_range reads one byte range of one file
 * with a schema sniffed once (csv_sniff); see csv_scanner.h for how ranges
 * find record boundaries and their limits. */
#ifndef KILN_FORMATS_CSV_READER_H
#define KILN_FORMATS_CSV_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "io/compression.h"
#include "types/batch.h"
#include "types/types.h"

#define CSV_DEFAULT_SAMPLE_SIZE 20480
#define CSV_DEFAULT_BLOCK_SIZE (4u << 20)
#define CSV_DEFAULT_MAX_LINE_SIZE (64u << 20)
/* CsvOptions.quote value that switches quoting off. */
#define CSV_NO_QUOTE (-1)

typedef enum CsvHeaderMode {
    CSV_HEADER_AUTO = 0,
    CSV_HEADER_YES,
    CSV_HEADER_NO,
} CsvHeaderMode;

/* A record a reader could not read (CsvOptions.on_reject); valid only during the call. */
typedef struct CsvReject {
    const char *path;
    int64_t line;          /* 1-based physical line where the record starts */
    uint64_t byte_offset;  /* of the record's first byte */
    const char *message;   /* the error, e.g. extra data after last expected column ... */
    const char *raw;       /* the record's bytes (with its line break, if any) */
    size_t raw_len;
} CsvReject;
typedef void (*CsvRejectFn)(void *ctx, const CsvReject *reject);

typedef struct CsvOptions {
    CsvHeaderMode header;
    char delim;               /* '\0' = sniff */
    int quote;                /* byte, or CSV_NO_QUOTE */
    char escape;              /* '\0' = same as quote */
    const char *nullstr;      /* NULL = empty unquoted field */
    int64_t skip;
    int ncolumns;             /* declared columns (0 = infer) */
    const char *const *column_names;
    const LogicalType *column_types;
    bool all_varchar;
    int64_t sample_size;      /* rows; -1 = whole first file */
    bool ignore_errors;
    const char *filename;     /* name of the file-name column, NULL = none */
    const char *line_column;  /* name of the line-number column, NULL = none */
    CsvRejectFn on_reject;    /* NULL = a bad record is an error (or skipped with ignore_errors) */
    void *reject_ctx;
    size_t block_size;
    size_t max_line_size;
    Compression compression;  /* AUTO (default): by file extension (io/compression.h) */
} CsvOptions;

/* What a file looks like: its dialect and its columns. */
typedef struct CsvSchema {
    char delim;
    int quote;                /* byte or CSV_NO_QUOTE */
    int escape;               /* byte (== quote for doubled quotes) or CSV_NO_QUOTE */
    bool header;              /* files start with a header row */
    int nfile_cols;           /* columns in the file */
    int ncols;                /* nfile_cols + 1 with a file-name column */
    char **names;             /* ncols, owned */
    LogicalType *types;       /* ncols, owned */
    char **header_names;      /* nfile_cols raw header names (header only), owned */
} CsvSchema;

typedef struct CsvReader CsvReader;

/* Fill opts with the defaults. */
void csv_options_init(CsvOptions *opts);
/* Work out the dialect, header and column types of one file (the sniffer). */
bool csv_sniff(const char *path, const CsvOptions *opts, CsvSchema *out, Error *err);
/* Deep-copy a schema. */
void csv_schema_copy(CsvSchema *dst, const CsvSchema *src);
/* Free a schema's names and types. */
void csv_schema_free(CsvSchema *s);

/* Open every file matching pattern (a path or a glob) and settle the schema
 * from the first one. */
CsvReader *csv_reader_open(const char *pattern, const CsvOptions *opts, Error *err);
/* Open exactly these files (in this order; no glob expansion) and settle
 * the schema from the first one. */
CsvReader *csv_reader_open_files(const char *const *paths, int npaths, const CsvOptions *opts, Error *err);
/* Open the records of path that start in bytes [start, end), with a known
 * schema (from csv_sniff or csv_reader_schema); for parallel scans. */
CsvReader *csv_reader_open_range(const char *path, const CsvSchema *schema, const CsvOptions *opts,
                                 uint64_t start, uint64_t end, Error *err);
/* The reader's columns (file columns, then the file-name column if any). */
const CsvSchema *csv_reader_schema(const CsvReader *r);
/* Read only these schema columns, in this order (call before the first
 * csv_reader_next); the default is every column. Unread columns are not
 * converted (but still checked for their count of fields). */
void csv_reader_project(CsvReader *r, const int *column_ids, int ncolumn_ids);
/* Initialise b with one vector per projected column of the right type. */
void csv_reader_init_batch(const CsvReader *r, Batch *b);
/* Fill b (made by csv_reader_init_batch, or with vectors of the projected
 * types) with up to VECTOR_CAPACITY rows of one file; b->count == 0 at the
 * end. The rows stay valid until the next call. */
bool csv_reader_next(CsvReader *r, Batch *b, Error *err);
/* File of the rows of the last batch. */
const char *csv_reader_batch_file(const CsvReader *r);
/* 1-based physical line where each row of the last batch starts. */
const int64_t *csv_reader_batch_lines(const CsvReader *r);
/* Physical line numbers of a range reader start at first_line (the line of
 * its range's first byte) instead of 1; call before the first next. */
void csv_reader_set_first_line(CsvReader *r, int64_t first_line);
/* Rows skipped because of ignore_errors or handed to on_reject. */
uint64_t csv_reader_rejected_rows(const CsvReader *r);
/* Bytes of input consumed so far, over all files (progress). */
uint64_t csv_reader_bytes_read(const CsvReader *r);
/* Total bytes of all the reader's files (or of its range). */
uint64_t csv_reader_bytes_total(const CsvReader *r);
/* Index (in the reader's file list) of the file of the last batch. */
int csv_reader_batch_file_index(const CsvReader *r);
/* Files the reader has opened to read records (the sniffer's reads not counted). */
uint64_t csv_reader_files_opened(const CsvReader *r);
/* Number of files the reader covers. */
int csv_reader_file_count(const CsvReader *r);
/* Close the reader (NULL is fine). */
void csv_reader_close(CsvReader *r);

#endif
