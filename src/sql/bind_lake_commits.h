/* bind_lake_commits: the table function lake_commits('dir'), a kiln
 * dataset's history (one row per committed version). */
#ifndef KILN_SQL_BIND_LAKE_COMMITS_H
#define KILN_SQL_BIND_LAKE_COMMITS_H

#include "sql/table_functions.h"

/* lake_commits('dir'): version, run_id, mode, job, logical_date,
 * committed_at, files_added, files_removed, rows_added, bytes_added,
 * live_files, live_rows; ordered by version. */
bool bind_lake_commits(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                       Error *err);

#endif
