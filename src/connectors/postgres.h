/* postgres: PostgreSQL tables and queries as a source (read_postgres),
 * read with binary COPY through libpq.
 *
 * Type mapping (by the column's type OID):
 *   bool -> BOOLEAN; int2, int4 -> INTEGER; int8 -> BIGINT;
 *   float4, float8 -> DOUBLE; numeric(p,s) -> DECIMAL(p,s) (numeric without
 *   a precision -> DECIMAL(38,10), rounded half away from zero);
 *   text, varchar, bpchar, name, char, uuid, json, jsonb -> VARCHAR;
 *   date -> DATE; timestamp -> TIMESTAMP; timestamptz -> TIMESTAMP in UTC;
 *   interval -> INTERVAL; arrays are refused (naming the column);
 *   any other type is read as its text output (`col::text` is sent) -> VARCHAR.
 * Values kiln cannot hold (infinity dates, NaN numerics, numerics beyond
 * 38 digits) stop the scan with an error naming the source, row and column.
 *
 * Connection strings: a URL (postgresql://user@host:port/db?sslmode=...) or
 * key=value pairs; the password comes from the string, PGPASSWORD or
 * ~/.pgpass (libpq's rules).  Errors show the connection with the password
 * removed. */
#ifndef KILN_CONNECTORS_POSTGRES_H
#define KILN_CONNECTORS_POSTGRES_H

#include <stdbool.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "connectors/load.h"
#include "types/batch.h"

typedef struct PgSchema {
    int ncols;
    char **names;
    LogicalType *types;
    unsigned *oids;     /* the PostgreSQL type of each column */
    bool *as_text;      /* read through ::text (types without a binary mapping) */
    bool *rounded;      /* numeric without (p,s): values rounded to DECIMAL(38,10) */
    bool is_table;      /* source names a table (else it is a query) */
} PgSchema;

/* The connection string with any password removed (caller frees). */
char *pg_redact_conninfo(const char *conninfo);
/* Describe `source` ("schema.table", "table" or a SELECT/WITH query). */
bool pg_describe(const char *conninfo, const char *source, PgSchema *out, Error *err);
/* Free what pg_describe allocated. */
void pg_schema_free(PgSchema *s);

typedef struct PgReader PgReader;
/* Start `COPY (SELECT <only these columns> ... [WHERE where]) TO STDOUT (FORMAT binary)`
 * (where: an SQL condition on the source's columns, or NULL). */
PgReader *pg_reader_open(const char *conninfo, const char *source, const PgSchema *schema, const int *cols, int ncols,
                         const char *where, Error *err);
/* Fill `out` (owned vectors of the projected types) with the next rows; count 0 = end. */
bool pg_reader_next(PgReader *r, Batch *out, Error *err);
/* Close the reader, cancelling an unfinished COPY (NULL is fine). */
void pg_reader_close(PgReader *r);
/* The SQL sent to the server (EXPLAIN, tests). */
const char *pg_reader_sql(const PgReader *r);
/* The SELECT that pg_reader_open would send for these columns (caller frees). */
char *pg_select_sql(const char *source, const PgSchema *schema, const int *cols, int ncols, const char *where);
/* Append name as a quoted SQL identifier ("a""b"). */
void pg_quote_ident(StrBuf *sb, const char *name);

typedef struct PgLoad PgLoad;
/* Connect and start a load of rows with the given columns into
 * spec->table: BEGIN, then COPY FROM STDIN into a temporary staging table. */
PgLoad *pg_load_begin(const char *conninfo, const LoadSpec *spec, int ncols, char *const *names,
                      const LogicalType *types, Error *err);
/* Send one batch of rows to the staging table. */
bool pg_load_batch(PgLoad *l, const Batch *b, Error *err);
/* End the COPY, apply the mode to the target (creating it if absent) and
 * COMMIT, all in the one transaction; frees the load. */
bool pg_load_commit(PgLoad *l, Error *err);
/* Roll back and disconnect: the target is untouched. Frees the load. */
void pg_load_abort(PgLoad *l);

#endif
