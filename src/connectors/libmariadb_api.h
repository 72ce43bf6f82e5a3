/* libmariadb_api: the libmariadb functions kiln calls (read_mysql, MySQL
 * loads), loaded on first use.
 *
 * kiln does not link libmariadb: most runs never talk to MySQL, and the
 * library with what it needs (TLS ...) costs every process start-up time.
 * libmariadb_api() opens libmariadb.so.3 (Debian package libmariadb3) once
 * through common/dynlib.h and runs mysql_library_init (mysql_server_init,
 * which is not thread-safe) in the same once-only step; calls then go
 * through the table, each member named as the function without its
 * "mysql_": `my->stmt_fetch(stmt)` is mysql_stmt_fetch.  The member types
 * come from mysql.h, so calls are type-checked as direct ones are. */
#ifndef KILN_CONNECTORS_LIBMARIADB_API_H
#define KILN_CONNECTORS_LIBMARIADB_API_H

#include <mysql.h>

#include "common/error.h"

typedef struct LibmariadbApi {
    __typeof__(mysql_close) *close;
    __typeof__(mysql_error) *error;
    __typeof__(mysql_fetch_fields) *fetch_fields;
    __typeof__(mysql_fetch_row) *fetch_row;
    __typeof__(mysql_free_result) *free_result;
    __typeof__(mysql_init) *init;
    __typeof__(mysql_num_fields) *num_fields;
    __typeof__(mysql_optionsv) *optionsv;
    __typeof__(mysql_query) *query;
    __typeof__(mysql_real_connect) *real_connect;
    __typeof__(mysql_real_escape_string) *real_escape_string;
    __typeof__(mysql_real_query) *real_query;
    __typeof__(mysql_server_init) *server_init; /* mysql_library_init is a macro for it */
    __typeof__(mysql_stmt_bind_result) *stmt_bind_result;
    __typeof__(mysql_stmt_close) *stmt_close;
    __typeof__(mysql_stmt_error) *stmt_error;
    __typeof__(mysql_stmt_execute) *stmt_execute;
    __typeof__(mysql_stmt_fetch) *stmt_fetch;
    __typeof__(mysql_stmt_fetch_column) *stmt_fetch_column;
    __typeof__(mysql_stmt_field_count) *stmt_field_count;
    __typeof__(mysql_stmt_init) *stmt_init;
    __typeof__(mysql_stmt_prepare) *stmt_prepare;
    __typeof__(mysql_stmt_result_metadata) *stmt_result_metadata;
    __typeof__(mysql_store_result) *store_result;
} LibmariadbApi;

/* The libmariadb functions, loading libmariadb and initialising it on the
 * first call (thread-safe); NULL with err set (ERR_IO, "MySQL support needs
 * libmariadb.so.3: <reason> ...") if it cannot be loaded. */
const LibmariadbApi *libmariadb_api(Error *err);

#endif
