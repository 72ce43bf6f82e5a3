/* parquet_writer: writes kiln batches as a Parquet file.
 *
 * Flat schema, one OPTIONAL column per kiln column:
 *   BOOLEAN -> BOOLEAN; INTEGER -> INT32; BIGINT -> INT64; DOUBLE -> DOUBLE;
 *   VARCHAR -> BYTE_ARRAY (STRING/UTF8); DATE -> INT32 (DATE);
 *   TIMESTAMP -> INT64 (TIMESTAMP micros, not adjusted to UTC);
 *   DECIMAL(p,s) -> INT32 (p <= 9), INT64 (p <= 18) or FIXED_LEN_BYTE_ARRAY of
 *   the fewest bytes that hold p digits (p > 18), all with DECIMAL(p,s);
 *   INTERVAL is refused.
 * Pages are data pages v1 with RLE definition levels; values are
 * RLE_DICTIONARY-encoded while the column chunk's dictionary stays under
 * dictionary_bytes, then PLAIN for the rest of the chunk (booleans are always
 * PLAIN); a chunk of 1024 values or more of which over a tenth are distinct
 * is written PLAIN instead when that comes out smaller once compressed.  Each column chunk has min/max (min_value/max_value, the order
 * being the type's: the file declares TypeDefinedOrder) and null_count;
 * string min/max longer than 64 bytes are truncated, the max rounded up
 * (parquet_stat_truncate.h).
 *
 * Memory: the row group being filled is buffered as raw PLAIN values; when
 * it reaches row_group_rows rows or row_group_bytes buffered bytes its
 * column chunks are encoded and compressed (by a thread pool when one is
 * given or threads > 1, while the next row group fills) and written out in
 * order; at most two row groups are being encoded at a time per writer.
 * The bytes written do not depend on the number of threads.  The file
 * appears atomically at close (fs_open_write). */
#ifndef KILN_FORMATS_PARQUET_PARQUET_WRITER_H
#define KILN_FORMATS_PARQUET_PARQUET_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "io/fs.h"
#include "formats/parquet/parquet_encode_pool.h"
#include "formats/parquet/parquet_meta.h"
#include "types/batch.h"

typedef struct ParquetWriteOptions {
    int codec;                  /* PQ_CODEC_*; default SNAPPY */
    int level;                  /* ZSTD/GZIP level, 0 = the codec's default */
    int64_t row_group_rows;     /* rows per row group (default 122880) */
    int64_t row_group_bytes;    /* buffered bytes that cut a row group early (default 128 MiB) */
    int64_t page_bytes;         /* target uncompressed page size (default 1 MiB) */
    int64_t dictionary_bytes;   /* dictionary size that makes a chunk fall back to PLAIN (default 1 MiB) */
    bool dictionary;            /* try dictionary encoding (default true) */
    const PqKeyValue *kv;       /* key-value metadata for the footer */
    int nkv;
    int threads;                /* encoder threads of the writer's own pool (0 or 1: encode on the caller's thread) */
    PqEncodePool *pool;         /* a shared encoder pool (outlives the writer); overrides threads */
} ParquetWriteOptions;

typedef struct ParquetWriter ParquetWriter;

/* The defaults above. */
void parquet_write_options_init(ParquetWriteOptions *o);
/* Start writing path (atomically: it appears at parquet_writer_close). */
ParquetWriter *parquet_writer_open(const char *path, const ParquetWriteOptions *opts, Error *err);
/* Declare the columns (before the first batch); refuses unsupported types. */
bool parquet_writer_begin(ParquetWriter *w, int ncols, const char *const *names, const LogicalType *types, Error *err);
/* Append a batch's rows. */
bool parquet_writer_write_batch(ParquetWriter *w, const Batch *b, Error *err);
/* Flush, write the footer and make the file visible; frees w. */
bool parquet_writer_close(ParquetWriter *w, Error *err);
/* Discard the output; frees w (NULL is fine).  A writer made by
 * parquet_writer_open_on leaves its FsWriter to the caller. */
void parquet_writer_abort(ParquetWriter *w);

/* Variants for outputs whose commit belongs to someone else (the lake's
 * staged files): the writer writes to out but never commits, aborts or
 * frees it. */
/* Start writing a Parquet file on an already open FsWriter. */
ParquetWriter *parquet_writer_open_on(FsWriter *out, const ParquetWriteOptions *opts, Error *err);
/* Flush and write the footer, leaving out to the caller; frees w (also on failure). */
bool parquet_writer_finish(ParquetWriter *w, Error *err);
/* Write the buffered row group out now (smaller than usual) and release
 * the column buffers, so an idle writer holds almost no memory. */
bool parquet_writer_flush(ParquetWriter *w, Error *err);
/* Hand the buffered row group to the encoders now (smaller than usual)
 * without waiting for it; its error, if any, comes from a later call. */
bool parquet_writer_submit(ParquetWriter *w, Error *err);
/* Heap bytes the writer holds (buffers at their capacity). */
uint64_t parquet_writer_memory(const ParquetWriter *w);
/* The file's size if it were finished now (bytes written plus an estimate
 * of the buffered row group once compressed; the footer not counted). */
uint64_t parquet_writer_estimated_size(const ParquetWriter *w);
/* Bytes written to the output so far (row groups flushed; no footer). */
uint64_t parquet_writer_written_bytes(const ParquetWriter *w);
/* Rows accepted so far. */
uint64_t parquet_writer_rows(const ParquetWriter *w);
/* Bytes a FIXED_LEN_BYTE_ARRAY needs for a decimal of this precision. */
int parquet_decimal_bytes(int precision);

#endif
