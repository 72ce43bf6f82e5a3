/* mysql: MySQL and MariaDB tables and queries as a source (read_mysql) and
 * as a warehouse (loads), through libmariadb.
 *
 * Type mapping (by the column's type in the result's metadata):
 *   TINYINT, SMALLINT, MEDIUMINT, INT, YEAR -> INTEGER (INT UNSIGNED -> BIGINT);
 *   BIGINT -> BIGINT (BIGINT UNSIGNED -> DECIMAL(20,0));
 *   DECIMAL(p,s) -> DECIMAL(p,s) (more than 38 digits: refused, naming the column);
 *   FLOAT, DOUBLE -> DOUBLE; DATE -> DATE; DATETIME -> TIMESTAMP;
 *   TIMESTAMP -> TIMESTAMP in UTC (the session's time_zone is +00:00);
 *   TIME -> INTERVAL (MySQL's TIME is a duration: -838:59:59 .. 838:59:59);
 *   CHAR, VARCHAR, TEXT, ENUM, SET, JSON -> VARCHAR (utf8mb4);
 *   BIT(1) -> BOOLEAN; BIT(2..63) -> BIGINT; BIT(64) -> DECIMAL(20,0);
 *   TINYINT(1) (MySQL's BOOLEAN) -> INTEGER: MySQL cannot tell it from a
 *   small integer (cast it: col <> 0);
 *   BINARY, VARBINARY, BLOB and spatial types are refused, naming the column
 *   (convert them in the query: HEX(col), ST_AsText(col)).
 * Zero dates ('0000-00-00', and dates with a zero month or day, which MySQL
 * accepts outside strict mode) read as NULL; with zero_date => 'error' they
 * stop the scan naming the row and column.
 *
 * Connections: mysql://user:password@host:port/database?sslmode=... (or
 * mariadb://); the password comes from the URL or else MYSQL_PWD.
 * sslmode: disable (default), require, verify-ca, verify-full; sslrootcert
 * names a CA file.  Errors show the connection without its password. */
#ifndef KILN_CONNECTORS_MYSQL_H
#define KILN_CONNECTORS_MYSQL_H

#include <stdbool.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "connectors/load.h"
#include "types/batch.h"

/* How a column's values are read (mysql.c). */
typedef enum MyKind {
    MY_INT, MY_BIGINT, MY_UBIGINT, MY_FLOAT, MY_DOUBLE, MY_DECIMAL, MY_DATE, MY_DATETIME, MY_TIME, MY_STRING,
    MY_BIT, MY_NULL,
} MyKind;

typedef struct MySchema {
    int ncols;
    char **names;
    LogicalType *types;
    MyKind *kinds;
    bool *json;         /* MySQL's JSON type: the server compares its values as JSON, not text */
    bool is_table;      /* source names a table (else it is a query) */
} MySchema;

/* True if url is a MySQL/MariaDB URL (mysql:// or mariadb://). */
bool my_is_url(const char *url);
/* Describe `source` ("db.table", "table" or a SELECT/WITH query). */
bool my_describe(const char *url, const char *source, MySchema *out, Error *err);
/* Free what my_describe allocated. */
void my_schema_free(MySchema *s);

typedef struct MyReader MyReader;
/* Start streaming `SELECT <only these columns> ... [WHERE where]`
 * (where: an SQL condition on the source's columns, or NULL);
 * zero_date_error: a zero date stops the scan instead of reading as NULL. */
MyReader *my_reader_open(const char *url, const char *source, const MySchema *schema, const int *cols, int ncols,
                         const char *where, bool zero_date_error, Error *err);
/* Fill `out` (owned vectors of the projected types) with the next rows; count 0 = end. */
bool my_reader_next(MyReader *r, Batch *out, Error *err);
/* Close the reader, abandoning an unfinished result (NULL is fine). */
void my_reader_close(MyReader *r);
/* The SELECT that my_reader_open sends for these columns (caller frees). */
char *my_select_sql(const char *source, const MySchema *schema, const int *cols, int ncols, const char *where);
/* Append name as a quoted MySQL identifier (`a``b`). */
void my_quote_ident(StrBuf *sb, const char *name);

typedef struct MyLoad MyLoad;
/* Connect and start a load of rows with the given columns into
 * spec->table: a staging table, filled with multi-row INSERTs. */
MyLoad *my_load_begin(const char *url, const LoadSpec *spec, int ncols, char *const *names, const LogicalType *types,
                      Error *err);
/* Send one batch of rows to the staging table. */
bool my_load_batch(MyLoad *l, const Batch *b, Error *err);
/* Apply the mode to the target (creating it if absent) and COMMIT, in one
 * transaction; frees the load. */
bool my_load_commit(MyLoad *l, Error *err);
/* Roll back and disconnect: the target is untouched. Frees the load. */
void my_load_abort(MyLoad *l);

/* Internal to the connector (mysql.c, mysql_load.c). */
struct st_mysql;
struct LibmariadbApi;
/* Connect (utf8mb4, time_zone +00:00), loading libmariadb on first use
 * (*api: its functions, for the connection's later calls); errors name
 * host, port and user. */
struct st_mysql *my_connect(const char *url, const struct LibmariadbApi **api, Error *err);
/* Locate err at the redacted URL (if it has no location yet); returns false. */
bool my_locate(Error *err, const char *url);

#endif
