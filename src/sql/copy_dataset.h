/* copy_dataset: COPY ... TO a dataset (a folder of Hive-partitioned files
 * committed as one run by lake/lake_txn.h), written by
 * lake/partition_writer.h.
 *
 *   COPY t | (SELECT ...) TO '<dir>' | 'lake:<name>' WITH (
 *       FORMAT parquet | csv | json,        -- default parquet
 *       PARTITION_BY (col, ...),            -- folders col=value/..., in this order
 *       MODE error_if_exists | append | overwrite | overwrite_partitions,
 *       FILE_SIZE_BYTES '256MB',            -- default 256MB; 0 = no limit
 *       ROWS_PER_FILE n,                    -- default no limit
 *       LOCK_TIMEOUT '60s',                 -- wait for another writer (default 60 s)
 *       ... the format's own options (COMPRESSION, ROW_GROUP_SIZE, HEADER ...))
 *
 * A target is a dataset when PARTITION_BY or MODE is given or it is
 * 'lake:<name>' (the folder <lake_root>/<name>); otherwise COPY TO writes
 * one file as before. */
#ifndef KILN_SQL_COPY_DATASET_H
#define KILN_SQL_COPY_DATASET_H

#include <stdbool.h>

#include "sql/bind_csv.h"
#include "sql/session_internal.h"

/* True if COPY TO target with these options writes a dataset. */
bool copy_dataset_is_target(const char *target, const SqlOption *opts, int nopts);
/* Run plan and write its rows to the dataset at target; sets the status tag "COPY <rows>". */
bool copy_dataset_write(StmtContext *sc, PlanNode *plan, const char *target, const SqlOption *opts, int nopts,
                        Error *err);

#endif
