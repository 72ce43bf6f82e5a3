/* dataset: the data files a read_parquet / read_csv / read_json (or a
 * lake.<name> table) reads, and the Hive partition values in their paths.
 *
 * A path is a file, a glob, or a folder.  A folder is listed recursively for
 * the files of the format (by extension, a compression suffix allowed);
 * below the folder (or the glob's literal prefix), entries whose name
 * starts with '_' or '.' are skipped, as Hive, Spark and DuckDB skip them
 * (_SUCCESS, _kiln/, staging temporaries).  A kiln dataset (a folder with
 * _kiln/commits/) is read through its commit record: exactly the live files
 * of the latest committed run (lake/lake_txn.h), never staged or replaced
 * ones.
 *
 * Hive partitioning: every directory segment `key=value` of a file's path
 * is a partition column (key and value unescaped as Hive escapes them;
 * __HIVE_DEFAULT_PARTITION__ and an empty value are NULL).  Every file must
 * have the same keys in the same order.  Types: all non-NULL values
 * integers that fit 64 bits -> BIGINT, all dates YYYY-MM-DD -> DATE, else
 * VARCHAR (NULLs do not count; only NULLs -> VARCHAR); declared types
 * (hive_types) override the inference and every value must parse as its
 * type.  With DATASET_HIVE_AUTO partitioning is on when a file's path has
 * a `key=value` directory (as DuckDB's auto-detection; then every file must
 * agree, so a stray file outside the layout is an error, not silently read
 * without partition values).
 *
 * Memory: everything the result points to is allocated in the caller's
 * arena; listing holds the folder's file names once. */
#ifndef KILN_LAKE_DATASET_H
#define KILN_LAKE_DATASET_H

#include <stdbool.h>

#include "common/arena.h"
#include "common/error.h"
#include "types/value.h"

typedef enum DatasetHive { DATASET_HIVE_AUTO = 0, DATASET_HIVE_ON, DATASET_HIVE_OFF } DatasetHive;

typedef struct DatasetOptions {
    DatasetHive hive;
    int ntyped;                       /* hive_types: keys with a declared type */
    const char *const *typed_names;
    const LogicalType *typed_types;
    const char *const *extensions;    /* a folder's files: names ending so (".parquet"), NULL-terminated; NULL = any */
} DatasetOptions;

typedef struct Dataset {
    int nfiles;
    const char **paths;      /* sorted byte-wise */
    int nkeys;               /* partition columns (0 without Hive partitioning) */
    const char **keys;
    LogicalType *key_types;
    Value *values;           /* value of key k in file f: values[f * nkeys + k] */
    bool is_kiln_dataset;    /* the files come from the commit record */
} Dataset;

/* List the files of path (file, glob or folder) with their partition
 * values; an error if there are none. */
bool dataset_list(const char *path, const DatasetOptions *opts, Arena *arena, Dataset *out, Error *err);
/* True if path names a folder (a local directory, or a path ending in '/'). */
bool dataset_path_is_folder(const char *path);
/* The format a file's name says ("parquet", "csv" or "json"; a compression
 * suffix is looked through), or NULL. */
const char *dataset_format_of(const char *path);

#endif
