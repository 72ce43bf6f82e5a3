/* parquet_scan: what a read_parquet scan plan (PLAN_EXTERNAL_SCAN with
 * parquet_scan_provider) needs at execution: the files, settled at bind
 * time, and the schema the plan was typed with.  Columns are found in each
 * file by name, so files whose columns come in another order still read;
 * a file that lacks a column or has it with another type is an error. */
#ifndef KILN_EXEC_PARQUET_SCAN_H
#define KILN_EXEC_PARQUET_SCAN_H

#include "exec/scan_provider.h"

typedef struct ParquetScanSpec {
    const char **paths;   /* files in scan order */
    int npaths;
    int ncols;            /* the schema: columns of the first file */
    const char **names;
    const LogicalType *types;
    struct ScanDataset *dataset; /* partition columns of a Hive layout (exec/scan_dataset.h); paths == dataset->paths */
} ParquetScanSpec;

/* The provider behind read_parquet and COPY FROM a Parquet file. */
extern const ScanProvider parquet_scan_provider;

#endif
