/* bind_json: JSON options from SQL (read_json's named arguments, COPY's
 * WITH list) and JSON scan plans (exec/json_scan.h). */
#ifndef KILN_SQL_BIND_JSON_H
#define KILN_SQL_BIND_JSON_H

#include "exec/json_scan.h"
#include "sql/bind_csv.h"

/* Apply one read option to JsonOptions (unknown names are errors). */
bool json_read_option_apply(Binder *b, JsonOptions *o, const SqlOption *opt, Error *err);
/* A JSON scan plan of `pattern` (schema declared in opts, or inferred now). */
bool json_scan_plan(Binder *b, const char *pattern, const JsonOptions *opts, int pos, PlanNode **out, Error *err);
struct Dataset;
/* A JSON scan plan of a dataset's files (lake/dataset.h) with its partition
 * columns; path is what EXPLAIN shows (NULL: the first file). */
bool json_dataset_plan(Binder *b, const char *path, const struct Dataset *d, const JsonOptions *opts, int pos,
                       PlanNode **out, Error *err);

#endif
