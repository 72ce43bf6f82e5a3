/* partition_writer: rows -> Hive partitions -> right-sized data files.
 *
 * The writer receives batches (a query's result), routes each row to its
 * partition by the values of the PARTITION_BY columns, and writes each
 * partition's rows, without those columns, into Parquet, CSV or JSON Lines
 * files of at most file_size_bytes / rows_per_file.  Where a file goes is
 * the caller's business (PartitionFileSink: the lake's staged files in
 * COPY, plain files in tests); the writer only names the partition folder
 * ("col=value/col2=value2", escaped by lake/hive_path.h) and the extension.
 *
 * Guarantees: every partition's rows keep their input order; a partition's
 * files are written one after the other, each closed when full, so at most
 * its last file is undersized; memory stays within memory_budget however
 * many partitions there are (see partition_writer.c for how). */
#ifndef KILN_LAKE_PARTITION_WRITER_H
#define KILN_LAKE_PARTITION_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "formats/csv/csv_writer.h"
#include "formats/parquet/parquet_writer.h"
#include "io/fs.h"
#include "types/batch.h"

/* Where the data files go. */
typedef struct PartitionFileSink {
    void *ctx;
    /* Start a file in partition_dir ("" for the root, else "k=v/k2=v2")
     * with this extension; *out is the FsWriter its bytes go to (owned by
     * the returned handle).  NULL with err on failure. */
    void *(*open_file)(void *ctx, const char *partition_dir, const char *extension, FsWriter **out, Error *err);
    /* A file's bytes are complete (rows rows): keep it.  Frees the handle, also on failure. */
    bool (*close_file)(void *ctx, void *file, uint64_t rows, Error *err);
    /* Drop a file; frees the handle; cannot fail. */
    void (*abort_file)(void *ctx, void *file);
} PartitionFileSink;

typedef enum PartitionFormat {
    PARTITION_FORMAT_PARQUET,
    PARTITION_FORMAT_CSV,
    PARTITION_FORMAT_JSON,
} PartitionFormat;

typedef struct PartitionWriterOptions {
    PartitionFormat format;
    ParquetWriteOptions parquet;     /* FORMAT parquet */
    CsvWriteOptions csv;             /* FORMAT csv (compression is not applied) */
    const char *const *partition_by; /* column names, outermost folder first */
    int npartition_by;               /* 0: every row goes to the root folder */
    int64_t file_size_bytes;         /* close a file at about this size; 0 = no limit */
    int64_t rows_per_file;           /* close a file at this many rows; 0 = no limit */
    int64_t memory_budget;           /* bytes for all writers and buffered rows together */
    int max_open_files;              /* 0 = derived from the budget (at most 256) */
    const char *temp_directory;      /* where the sort fallback spills */
} PartitionWriterOptions;

/* What a run wrote. */
typedef struct PartitionWriteStats {
    uint64_t rows;
    uint64_t files;
    uint64_t partitions;     /* partitions that received rows */
    uint64_t bytes;          /* bytes of the data files */
    bool sorted;             /* switched to the sort fallback (too many partitions for the budget) */
    uint64_t spilled_bytes;  /* written to spill files by the fallback */
} PartitionWriteStats;

typedef struct PartitionWriter PartitionWriter;

/* Defaults: Parquet with its defaults, CSV with a header, no partitioning,
 * no file limits, a 256 MiB budget, /tmp. */
void partition_writer_options_init(PartitionWriterOptions *o);
/* A writer with these options (copied) writing through sink (copied). */
PartitionWriter *partition_writer_new(const PartitionWriterOptions *o, const PartitionFileSink *sink);
/* Declare the input columns; errors if a PARTITION_BY column is missing or
 * repeated, or no column would be left for the files. */
bool partition_writer_begin(PartitionWriter *w, int ncols, char *const *names, const LogicalType *types, Error *err);
/* Route a batch's logical rows into their partitions' files. */
bool partition_writer_write(PartitionWriter *w, const Batch *b, Error *err);
/* Write what is buffered and close every file (each through close_file). */
bool partition_writer_finish(PartitionWriter *w, Error *err);
/* What was written so far. */
void partition_writer_stats(const PartitionWriter *w, PartitionWriteStats *out);
/* Free the writer, aborting the files it still has open (NULL is fine). */
void partition_writer_free(PartitionWriter *w);

#endif
