/* scan_dataset: the Hive partition columns of a file scan (read_parquet,
 * read_csv, read_json over a partitioned folder), shared by the three scans.
 *
 * The scan's full schema is the format reader's columns, then the partition
 * keys that are not among them.  A key named like a file column replaces it
 * in place (DuckDB's rule: the path's value wins and the file's column is
 * not read).  Partition columns are not read from the files: each output
 * batch points at the reader's vectors for file columns and at vectors
 * holding the current file's partition values, filled once per file.
 *
 * Pruning: scan_dataset_prune evaluates the filter hints that read only
 * partition columns on a batch of one row per file and drops the files
 * whose row is not true, before any of them is opened. */
#ifndef KILN_EXEC_SCAN_DATASET_H
#define KILN_EXEC_SCAN_DATASET_H

#include <stdbool.h>

#include "common/arena.h"
#include "common/error.h"
#include "exec/exec.h"
#include "exec/expr.h"
#include "types/batch.h"
#include "types/value.h"

typedef struct ScanDataset {
    int nfiles;                 /* files to read (after pruning), in scan order */
    const char **paths;
    int nfiles_listed;          /* before pruning (EXPLAIN) */
    int nkeys;
    const char **keys;
    const LogicalType *key_types;
    const Value *values;        /* key k of file f: values[f * nkeys + k] */
    int nschema;                /* the scan's full schema */
    const int *key_of_column;   /* per full-schema column: its partition key, or -1 (a reader column, same number) */
    bool pruned;                /* scan_dataset_prune has run */
} ScanDataset;

/* One scan's output columns split between the reader and the partition values. */
typedef struct DatasetColumns {
    int nout;
    int nread;          /* reader columns to read */
    int *read;          /* their full-schema (= reader) numbers, in order */
    int *out_source;    /* per output column: position among the read columns, or -1 - key */
    Vector *parts;      /* per output column (used for partition columns only) */
    int file;           /* the file whose values parts hold (-1: none yet) */
    Batch out;          /* borrowed columns */
} DatasetColumns;

/* Split the output columns (full-schema column projection[i], or i when
 * projection is NULL) of a scan over ds. */
void dataset_columns_init(DatasetColumns *dc, const ScanDataset *ds, const int *projection, int nout);
/* The output batch for a batch of the reader's columns read from file
 * number `file` of ds (valid until the next call). */
Batch *dataset_columns_output(DatasetColumns *dc, const ScanDataset *ds, int file, Batch *read);
/* Free what dataset_columns_init allocated. */
void dataset_columns_destroy(DatasetColumns *dc);

/* The number of path among ds's files (a parallel worker's morsel names
 * its file by path), or -1. */
int scan_dataset_file_index(const ScanDataset *ds, const char *path);
/* A scan node that returns no rows (every file was pruned). */
ExecNode *scan_dataset_empty_node(const PlanNode *plan, ExecContext *ctx);

/* Drop the files of ds whose partition values fail one of the hints
 * (conditions numbered in the full schema; hints that read other columns
 * are ignored, as are hints whose evaluation fails).  The arrays are
 * replaced by narrower copies in arena. */
void scan_dataset_prune(ScanDataset *ds, Expr *const *hints, int nhints, Arena *arena);

#endif
