/* bind_dataset: what read_parquet, read_csv and read_json share for
 * datasets: the options hive_partitioning and hive_types, listing the files
 * (lake/dataset.h), the partition columns added to the scan's schema
 * (exec/scan_dataset.h), and tables named lake.<name>. */
#ifndef KILN_SQL_BIND_DATASET_H
#define KILN_SQL_BIND_DATASET_H

#include "exec/scan_dataset.h"
#include "lake/dataset.h"
#include "sql/table_functions.h"

/* File extensions of each format, for listing folders. */
extern const char *const dataset_parquet_extensions[];
extern const char *const dataset_csv_extensions[];
extern const char *const dataset_json_extensions[];

/* If opt is hive_partitioning or hive_types, apply it to o and set *taken. */
bool dataset_option_apply(Binder *b, DatasetOptions *o, const SqlOption *opt, bool *taken, Error *err);
/* List the files of path (file, glob or folder) into d (in the binder's arena). */
bool bind_dataset_list(Binder *b, const char *path, const DatasetOptions *o, int pos, Dataset *d, Error *err);
/* A scan plan typed with a reader's schema, widened by d's partition
 * columns (appended, or replacing a file column of the same name); returns
 * the ScanDataset the scan reads (its files, and no keys when d has none). */
ScanDataset *bind_scan_dataset(Binder *b, PlanNode *scan, const Dataset *d);
/* SELECT ... FROM lake.<name>: a scan of the dataset <lake_root>/<name>. */
bool bind_lake_table(Binder *b, const char *name, int pos, PlanNode **out, Error *err);

#endif
