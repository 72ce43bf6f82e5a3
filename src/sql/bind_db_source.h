/* bind_db_source: what read_postgres and read_mysql share at bind time:
 * their arguments (a connection, a table or query, named options), named
 * connections, and the Spark-JDBC-style split of a parallel extraction
 * into partition conditions. */
#ifndef KILN_SQL_BIND_DB_SOURCE_H
#define KILN_SQL_BIND_DB_SOURCE_H

#include "common/strbuf.h"
#include "sql/binder.h"

/* The options every database source takes for a parallel read. */
enum { DB_PARTITION_COLUMN, DB_LOWER_BOUND, DB_UPPER_BOUND, DB_NUM_PARTITIONS, DB_NPARTITION_OPTIONS };

typedef struct DbSourceArgs {
    char *connection; /* a URL, or the name of a connection (resolved) */
    char *source;     /* table or query */
    /* named options, in the order of the names given to db_source_args
     * (the first four are the partition options); NULL = not given */
    char *options[8];
    int pos;          /* the call's SQL position */
} DbSourceArgs;

/* Read `fname(connection, source, name => value, ...)`: two constant
 * positional arguments, then the partition options and the extra ones
 * (extra_names, at most 4).  The connection is resolved (a connection name
 * becomes its URL; sql/connections.h). */
bool db_source_args(Binder *b, PgQuery__FuncCall *fc, const char *fname, size_t ncoldefs,
                    const char *const *extra_names, int nextra, DbSourceArgs *out, Error *err);

/* Appends a quoted identifier in the source's dialect. */
typedef void (*DbQuoteIdent)(StrBuf *sb, const char *name);

/* The partition conditions of a parallel read (none when the partition
 * options are absent or ask for one partition): the column must be an
 * integer or a date; date_literal formats a bound ("'%s'::date").  The
 * conditions (in the binder's arena) cover every row, NULLs included. */
bool db_source_partitions(Binder *b, const DbSourceArgs *args, int ncols, char *const *names,
                          const LogicalType *types, DbQuoteIdent quote, const char *date_literal,
                          const char ***conds, int *nconds, Error *err);

#endif
