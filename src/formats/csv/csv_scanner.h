/* csv_scanner: splits one CSV file into records and fields (internal to
 * formats/csv; the sniffer and the reader both use it).
 *
 * The scanner reads the file in blocks into one buffer and finds the fields
 * of the next record in place: a field is an offset and a length in the
 * buffer, plus flags saying whether it was quoted and whether it still holds
 * quote/escape sequences that csv_scanner_field_text must undo.  A record
 * that runs past the end of the buffer is moved to the buffer's start, the
 * rest of the block is read behind it, and the record is scanned again; the
 * buffer doubles when one record does not fit, up to max_record bytes.
 * Memory: the buffer (block size, or the longest record) and one CsvField
 * per column.
 *
 * Quoting follows PostgreSQL's CSV mode: a quote anywhere in a field toggles
 * quoted mode, inside quotes a doubled quote (or escape + quote, or escape +
 * escape when escape differs from quote) is one literal character, and
 * delimiters and newlines inside quotes are data.  Records end at LF, CRLF or
 * a lone CR.
 *
 * Byte ranges (for parallel scans): a scanner opened on [start, end) with
 * start > 0 skips to just after the first LF at or after start - 1, and
 * stops before the first record that starts at or after end, so adjacent
 * ranges together read every record exactly once.  The boundary search does
 * not know about quotes: ranges are only correct for files without newlines
 * inside quoted fields, and line numbers then count from the range start. */
#ifndef KILN_FORMATS_CSV_SCANNER_H
#define KILN_FORMATS_CSV_SCANNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "io/decompress.h"
#include "io/fs.h"

typedef struct CsvDialect {
    char delim;
    int quote;  /* byte, or -1 for no quoting */
    int escape; /* byte; equal to quote for doubled-quote escaping */
} CsvDialect;

typedef struct CsvField {
    size_t start;  /* offset in the scanner's buffer */
    uint32_t len;
    bool quoted;   /* the field had quotes (so it is never NULL by emptiness) */
    bool escaped;  /* bytes still hold quotes/escapes: use csv_scanner_field_text */
} CsvField;

typedef enum CsvScanResult {
    CSV_SCAN_RECORD, /* fields of the next record are in s->fields */
    CSV_SCAN_END,    /* no more records */
    CSV_SCAN_ERROR,  /* err is set (ERR_DATA with a location, or ERR_IO) */
} CsvScanResult;

typedef struct CsvScanner {
    FsFile *file;          /* owned */
    Decompressor *dec;     /* compressed file: read through it, from start to end (owned) */
    const char *path;      /* the file's path as the user gave it (borrowed) */
    CsvDialect dialect;
    char *buf;
    size_t cap, len, pos;  /* buffer size, bytes held, next byte to scan */
    uint64_t buf_offset;   /* file offset of buf[0] */
    uint64_t read_offset;  /* file offset of the next read */
    uint64_t stop_offset;  /* no record starting at or after this is returned */
    bool eof;              /* everything up to the end of the file is in buf */
    size_t max_record;
    uint8_t special[256];        /* bytes that end an unquoted run */
    uint8_t special_quoted[256]; /* bytes that end a quoted run */
    int64_t line;          /* 1-based physical line at pos */
    /* the last record returned */
    CsvField *fields;
    int nfields;           /* fields in the record (may exceed the stored ones) */
    int max_fields;        /* fields stored per record at most */
    int cap_fields;
    int64_t record_line;   /* physical line where the record starts */
    uint64_t record_offset;/* file offset where the record starts */
    bool record_empty;     /* the record was an empty line */
    int error_field;       /* scratch for the unterminated-quote error */
} CsvScanner;

/* Open path for scanning [start, end) of it (end = UINT64_MAX: to the end).
 * Reads the first block and skips a UTF-8 byte order mark at offset 0.
 * A file compressed under `compression` (io/compression.h) is decompressed
 * as it is read; offsets are then in the decompressed data and only
 * start = 0 is allowed. */
bool csv_scanner_open(CsvScanner *s, const char *path, const CsvDialect *dialect, size_t block_size,
                      size_t max_record, uint64_t start, uint64_t end, Compression compression, Error *err);
/* Close the file and free the buffers (safe on a zeroed scanner). */
void csv_scanner_close(CsvScanner *s);
/* Scan the next record.  On ERR_DATA errors (unterminated quote, record too
 * long) the rest of the file is skipped, so a caller may go on to the next
 * file. */
CsvScanResult csv_scanner_next(CsvScanner *s, Error *err);
/* Skip n physical lines (not quote-aware, like DuckDB's skip). */
bool csv_scanner_skip_lines(CsvScanner *s, int64_t n, Error *err);
/* The text of field i of the last record, with quoting undone.  Points into
 * the buffer or into scratch: valid until the next call on s or scratch. */
const char *csv_scanner_field_text(const CsvScanner *s, int i, StrBuf *scratch, uint32_t *len);
/* The raw bytes of the last record returned, or of the broken record after
 * an ERR_DATA error (up to the end of the buffer): valid until the next call. */
static inline const char *csv_scanner_record_raw(const CsvScanner *s, size_t *len)
{
    size_t at = (size_t)(s->record_offset - s->buf_offset);
    *len = s->pos > at ? s->pos - at : 0;
    return s->buf + at;
}
/* File offset up to which records have been consumed (progress). */
static inline uint64_t csv_scanner_consumed(const CsvScanner *s)
{
    return s->dec ? decompress_bytes_in(s->dec) : s->buf_offset + s->pos; /* compressed: bytes of the file */
}

#endif
