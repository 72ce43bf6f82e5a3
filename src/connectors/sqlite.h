/* sqlite: SQLite databases as a source (read_sqlite) and as the embedded
 * warehouse (COPY ... TO 'warehouse:table').
 *
 * Type mapping, from a column's declared type (SQLite's affinity rules,
 * refined so kiln's types round-trip):
 *   contains BOOL                       -> BOOLEAN (0/1, or 't'/'true'/... text)
 *   contains INT                        -> BIGINT
 *   starts with DECIMAL or NUMERIC      -> DECIMAL(p,s) (default 38,10)
 *   contains CHAR, CLOB or TEXT         -> VARCHAR
 *   contains REAL, FLOA or DOUB         -> DOUBLE
 *   DATE                                -> DATE (ISO text)
 *   contains DATETIME or TIMESTAMP      -> TIMESTAMP (ISO text)
 *   BLOB, none or anything else         -> VARCHAR (a BLOB as \x hex)
 * A column of a query with no declared type (an expression) takes the type
 * of its value's storage class in the first row (INTEGER -> BIGINT, REAL ->
 * DOUBLE, else VARCHAR).  A value that does not convert to its column's type
 * stops the scan with an error naming the table, row and column. */
#ifndef KILN_CONNECTORS_SQLITE_H
#define KILN_CONNECTORS_SQLITE_H

#include <stdbool.h>

#include "common/error.h"
#include "connectors/load.h"
#include "types/batch.h"

/* The columns of a table or query (names and types owned, see sqlite_schema_free). */
typedef struct SqliteSchema {
    int ncols;
    char **names;
    LogicalType *types;
    bool is_table; /* source names a table or view (else it is a query) */
} SqliteSchema;

/* Map a declared SQLite column type to a kiln type (rules above). */
bool sqlite_map_declared_type(const char *decl, LogicalType *out);
/* Describe `source` (a table/view name or a SELECT) in database `path`. */
bool sqlite_describe(const char *path, const char *source, SqliteSchema *out, Error *err);
/* Free what sqlite_describe allocated. */
void sqlite_schema_free(SqliteSchema *s);

typedef struct SqliteReader SqliteReader;
/* Start reading columns cols[0..ncols) of the described source (only those
 * are selected from SQLite). */
SqliteReader *sqlite_reader_open(const char *path, const char *source, const SqliteSchema *schema, const int *cols,
                                 int ncols, Error *err);
/* Fill `out` (ncols owned vectors of the projected types) with the next rows; count 0 = end. */
bool sqlite_reader_next(SqliteReader *r, Batch *out, Error *err);
/* Close the reader (NULL is fine). */
void sqlite_reader_close(SqliteReader *r);
/* The SQL text the reader sends to SQLite (for EXPLAIN and tests). */
const char *sqlite_reader_sql(const SqliteReader *r);

typedef struct SqliteLoad SqliteLoad;
/* Open (creating if needed) the database and start a load of rows with the
 * given columns into spec->table: stage them in a temporary table. */
SqliteLoad *sqlite_load_begin(const char *path, const LoadSpec *spec, int ncols, char *const *names,
                              const LogicalType *types, Error *err);
/* Stage one batch of rows. */
bool sqlite_load_batch(SqliteLoad *l, const Batch *b, Error *err);
/* Apply the staged rows to the target in one transaction (creating the
 * table if absent) and free the load. */
bool sqlite_load_commit(SqliteLoad *l, Error *err);
/* Discard the staged rows; the target is untouched. Frees the load. */
void sqlite_load_abort(SqliteLoad *l);

#endif
