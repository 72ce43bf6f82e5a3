/* table_functions: the functions that can stand in FROM (read_csv, ...),
 * looked up by name.  A format adds itself with one line in
 * table_functions.c and a bind function that returns a scan plan. */
#ifndef KILN_SQL_TABLE_FUNCTIONS_H
#define KILN_SQL_TABLE_FUNCTIONS_H

#include "sql/bind_csv.h"

/* Bind `name(args)` [AS t(coldefs)] into a scan plan. */
typedef bool (*TableFunctionBind)(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs,
                                  PlanNode **out, Error *err);

/* Split a table function call into its path (the one positional argument,
 * a constant) and its named options (name => constant), values as text. */
bool table_function_args(Binder *b, PgQuery__FuncCall *fc, const char *fname, char **path, SqlOption **opts,
                         int *nopts, Error *err);

/* The columns declared by `AS t(name type, ...)` after a table function. */
bool table_function_coldefs(Binder *b, PgQuery__Node **coldefs, size_t ncoldefs, const char ***names,
                            LogicalType **types, Error *err);

/* read_csv / read_csv_auto (bind_csv.c). */
bool bind_read_csv(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                   Error *err);
/* read_json / read_json_auto / read_ndjson (bind_json.c). */
bool bind_read_json(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                    Error *err);
bool bind_read_ndjson(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                      Error *err);
/* read_sqlite (bind_sqlite.c). */
bool bind_read_sqlite(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                      Error *err);
/* read_postgres (bind_postgres.c). */
bool bind_read_postgres(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                        Error *err);
/* read_mysql (bind_mysql.c). */
bool bind_read_mysql(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                     Error *err);
/* generate_series / range (bind_generate_series.c). */
bool bind_generate_series(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                          Error *err);
bool bind_range(Binder *b, PgQuery__FuncCall *fc, PgQuery__Node **coldefs, size_t ncoldefs, PlanNode **out,
                Error *err);

#endif
