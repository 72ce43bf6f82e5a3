/* bind_parquet: the Parquet table functions (read_parquet, parquet_schema,
 * parquet_metadata, parquet_kv_metadata) and Parquet scan plans. */
#ifndef KILN_SQL_BIND_PARQUET_H
#define KILN_SQL_BIND_PARQUET_H

#include "lake/dataset.h"
#include "sql/table_functions.h"

/* A scan of the files matching pattern (schema of the first file). */
bool parquet_scan_plan(Binder *b, const char *pattern, int pos, PlanNode **out, Error *err);

/* A scan of a dataset's files (schema of the first file, then its partition columns). */
bool parquet_dataset_plan(Binder *b, const Dataset *d, int pos, PlanNode **out, Error *err);
/* read_parquet('path, glob or folder', hive_partitioning => ..., hive_types => ...). */
bool bind_read_parquet(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                       Error *err);
/* parquet_schema('path or glob'): one row per schema element. */
bool bind_parquet_schema(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                         Error *err);
/* parquet_metadata('path or glob'): one row per column chunk. */
bool bind_parquet_metadata(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs,
                           PlanNode **out, Error *err);
/* parquet_kv_metadata('path or glob'): the footer's key-value pairs. */
bool bind_parquet_kv_metadata(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs,
                              PlanNode **out, Error *err);

#endif
