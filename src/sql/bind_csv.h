/* bind_csv: CSV options from SQL (read_csv's named arguments, COPY's WITH
 * list) and CSV scan plans. */
#ifndef KILN_SQL_BIND_CSV_H
#define KILN_SQL_BIND_CSV_H

#include "exec/csv_scan.h"
#include "formats/csv/csv_writer.h"
#include "sql/binder.h"

/* One option as written: name and value text (has_value false for a bare
 * `HEADER`), with its position. */
typedef struct SqlOption {
    const char *name;
    const char *text;
    bool has_value;
    int pos;
} SqlOption;

/* Read a COPY/WITH DefElem list into options (strings in the arena). */
bool sql_options_from_defelems(Binder *b, PgQuery__Node **elems, size_t n, SqlOption **out, int *nout, Error *err);
/* Apply one read option to CsvOptions (unknown names are errors unless
 * they are in `ignore`, NULL-terminated). */
bool csv_read_option_apply(Binder *b, CsvOptions *o, const SqlOption *opt, Error *err);
/* Apply an on_error or rejects option of a file reader (read_csv, read_json):
 * sets *ignore_errors, and *reject_ctx to the rejects store to quarantine
 * into (NULL = no quarantine); default_rejects names the store of a bare
 * on_error => 'quarantine'. */
bool reject_option_apply(Binder *b, const SqlOption *opt, const char *default_rejects, bool *ignore_errors,
                         void **reject_ctx, Error *err);
/* Apply one write option to CsvWriteOptions. */
bool csv_write_option_apply(Binder *b, CsvWriteOptions *o, const SqlOption *opt, Error *err);
/* A CSV scan plan of `pattern` with options (declared columns optional). */
bool csv_scan_plan(Binder *b, const char *pattern, const CsvOptions *opts, int pos, PlanNode **out, Error *err);
struct Dataset;
/* A CSV scan plan of a dataset's files (lake/dataset.h) with its partition
 * columns; path is what EXPLAIN shows (NULL: the first file). */
bool csv_dataset_plan(Binder *b, const char *path, const struct Dataset *d, const CsvOptions *opts, int pos,
                      PlanNode **out, Error *err);
/* Parse the truth value of an option's text (true/false/on/off/1/0, bare = true). */
bool sql_option_bool(const SqlOption *opt, bool *out, Error *err);
/* Parse a compression option's codec name (io/compression.h). */
bool sql_option_compression(const SqlOption *opt, Compression *out, Error *err);

#endif
