/* parquet_reader: reads Parquet files into kiln vectors.
 *
 * parquet_file_open reads and checks the footer (two positional reads
 * through io/fs.h: the 8-byte tail, then the footer) and maps the top-level
 * fields of the schema to kiln columns:
 *   BOOLEAN -> BOOLEAN; INT32 -> INTEGER (INT_8/16/32, UINT_8/16 too),
 *   UINT_32 -> BIGINT, DATE -> DATE, DECIMAL -> DECIMAL(p,s);
 *   INT64 -> BIGINT, UINT_64 -> DECIMAL(20,0), TIMESTAMP millis/micros/nanos
 *   (and the legacy TIMESTAMP_MILLIS/MICROS) -> TIMESTAMP, DECIMAL -> DECIMAL;
 *   INT96 -> TIMESTAMP; FLOAT, DOUBLE, FLOAT16 -> DOUBLE;
 *   BYTE_ARRAY -> VARCHAR (or DECIMAL); FIXED_LEN_BYTE_ARRAY -> DECIMAL,
 *   else VARCHAR of the raw bytes.
 * A column that kiln cannot represent (LIST, MAP, STRUCT, a repeated field,
 * TIME, INTERVAL, a decimal wider than 38 digits) is still listed, with
 * `unsupported` naming the feature: a scan that needs it fails with that
 * name, a scan of the other columns works.
 *
 * A column reader reads one column chunk of one row group: the chunk's bytes
 * are read with one positional read (its size is checked against the file),
 * then pages are decompressed one at a time and decoded incrementally, so
 * memory is the chunk plus one page plus one batch; no allocation is sized by
 * a count taken on trust from the file. */
#ifndef KILN_FORMATS_PARQUET_PARQUET_READER_H
#define KILN_FORMATS_PARQUET_PARQUET_READER_H

#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/error.h"
#include "formats/parquet/parquet_meta.h"
#include "io/fs.h"
#include "types/vector.h"

typedef struct ParquetColumn {
    const char *name;
    LogicalType type;          /* kiln type (VARCHAR for unsupported columns) */
    const char *unsupported;   /* NULL, or the feature that kiln cannot read ("LIST" ...) */
    int leaf;                  /* index of its column chunk in a row group (-1 for groups) */
    const PqSchemaElement *element;
    int max_def;               /* 1 for OPTIONAL, 0 for REQUIRED */
    int conv;                  /* how physical values become kiln values (parquet_reader.c) */
} ParquetColumn;

typedef struct ParquetFile {
    FsFile *file;
    const char *path;
    struct ParquetFooter *footer; /* the parsed footer (meta and cols point into it), shared by every open file
                                     whose footer has the same bytes (see parquet_file_open) */
    PqFileMeta meta;
    int ncols;
    ParquetColumn *cols;
    int nleaves;
    struct ParquetPrefetch *prefetch; /* column chunks fetched ahead (parquet_file_prefetch), or NULL */
} ParquetFile;

/* Open a file and read its footer and schema.  The parsed footer is shared:
 * a small process-wide cache keeps the last parsed footers (at most 16, 64 MB
 * of footer bytes) and a file whose footer bytes equal a cached one's (the
 * same file opened by the binder, the morsel source and each worker, or again
 * by the next statement) takes that parse instead of decoding the Thrift
 * again.  Matching on the bytes themselves keeps a rewritten file correct. */
ParquetFile *parquet_file_open(const char *path, Error *err);
/* How many footers have been decoded (cache misses) since start-up: for tests. */
uint64_t parquet_footers_decoded(void);
/* Open from bytes held in memory (fuzzing, tests); data must outlive the file. */
ParquetFile *parquet_file_open_memory(const char *name, const uint8_t *data, size_t n, Error *err);
/* Close a file (NULL is fine). */
void parquet_file_close(ParquetFile *pf);

/* Fetch the column chunks of columns cols[0..ncols) of row group rg at once
 * (on S3: concurrent ranged GETs, near chunks coalesced), and start fetching
 * those of row group next_rg (-1: none) in the background, so that the
 * readers opened next on them take the bytes instead of reading.  Does
 * nothing on a file system without multi-range reads (local files, where
 * each reader's own pread is cheap and reuses its buffer).  Memory: the
 * chunks of two row groups until readers take them. */
bool parquet_file_prefetch(ParquetFile *pf, int rg, int next_rg, const int *cols, int ncols, Error *err);

typedef struct ParquetColumnReader ParquetColumnReader;

/* Start reading column col (a ParquetColumn index) of row group rg. */
ParquetColumnReader *parquet_column_reader_open(ParquetFile *pf, int rg, int col, Error *err);
/* Point a reader at column col of row group rg of pf (possibly another file),
 * reusing its buffers; after a failure only close is allowed. */
bool parquet_column_reader_reopen(ParquetColumnReader *r, ParquetFile *pf, int rg, int col, Error *err);
/* Read the next n rows of the chunk into out[offset, offset+n); out has the column's type. */
bool parquet_column_reader_read(ParquetColumnReader *r, Vector *out, uint32_t offset, uint32_t n, Error *err);
/* Pass over the next n (<= VECTOR_CAPACITY) rows of the chunk without converting them (pages
 * are still decompressed and their values walked, so the reader stays in
 * step with the others of the row group). */
bool parquet_column_reader_skip(ParquetColumnReader *r, uint32_t n, Error *err);
/* Free a column reader (NULL is fine). */
void parquet_column_reader_close(ParquetColumnReader *r);

/* A thread-safe pool of closed readers whose buffers the next readers reuse
 * (a parallel scan builds new readers for every morsel, and fresh
 * chunk-sized buffers cost page faults); a reader that last read the same
 * column is preferred, as its buffers already have that column's sizes.
 * Holds at most 64 readers. */
typedef struct ParquetReaderPool ParquetReaderPool;
ParquetReaderPool *parquet_reader_pool_new(void);
/* Free the pool and the readers in it (NULL is fine). */
void parquet_reader_pool_free(ParquetReaderPool *pool);
/* parquet_column_reader_open, reusing a pooled reader if there is one (pool may be NULL). */
ParquetColumnReader *parquet_column_reader_open_pooled(ParquetReaderPool *pool, ParquetFile *pf, int rg, int col,
                                                       Error *err);
/* Close a reader into the pool (or free it when the pool is full or NULL). */
void parquet_column_reader_release(ParquetReaderPool *pool, ParquetColumnReader *r);

/* Decode a statistic (min_value ...) of a column into slot row of out (the
 * column's type); false if it does not decode. */
bool parquet_statistic_value(const ParquetColumn *col, const uint8_t *bytes, uint32_t len, Vector *out, uint32_t row);
/* "INT32", "DECIMAL(9,2)", "TIMESTAMP(MICROS,false)": the physical and the
 * logical/converted type of a column, for parquet_schema(). */
const char *parquet_logical_type_text(const PqSchemaElement *e, char *buf, size_t n);

#endif
