/* load: what a warehouse load asks of a connector (SQLite, PostgreSQL,
 * MySQL, Redshift): the target table, the mode, and the KEY columns of
 * upsert and replace_partitions.  Every connector loads in one transaction,
 * so readers of the target see the table as it was before or after, never
 * between.
 *
 * The parts every loader shares live here: LoadTarget (its own copy of the
 * load's columns, checked, with the column of each KEY, and the one
 * teardown), the SQL lists built from it (columns, keys, column
 * definitions) and the "CREATE TEMP TABLE kiln_stage (...)" statement with
 * which every loader stages the rows; each connector passes its own
 * identifier quoting and type names. */
#ifndef KILN_CONNECTORS_LOAD_H
#define KILN_CONNECTORS_LOAD_H

#include <stdbool.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "types/types.h"

typedef enum LoadMode {
    LOAD_APPEND,             /* add the rows */
    LOAD_OVERWRITE,          /* replace the table's rows with the load's */
    LOAD_UPSERT,             /* insert, or update the row with the same KEY */
    LOAD_REPLACE_PARTITIONS, /* delete rows whose KEY values appear in the load, then insert */
} LoadMode;

typedef struct LoadSpec {
    const char *table;  /* target table name (unquoted; may be schema.table) */
    LoadMode mode;
    const char *const *keys; /* KEY columns (upsert, replace_partitions) */
    int nkeys;
    const char *sql_log; /* test/debug: append every statement sent to this file (NULL: none); Redshift only */
} LoadSpec;

/* Check the columns a load brings (no name twice) and find the column of
 * each KEY (key_cols, spec->nkeys entries); errors name the column. */
bool load_check_columns(const LoadSpec *spec, int ncols, char *const *names, int *key_cols, Error *err);

/* A loader's own copy of the target and the load's columns. */
typedef struct LoadTarget {
    char *table;
    LoadMode mode;
    int ncols, nkeys;
    char **names;
    LogicalType *types;
    int *key_cols; /* load column of each KEY */
} LoadTarget;

/* Copy the spec and the columns into t and check them (load_check_columns);
 * on failure t still needs load_target_free. */
bool load_target_init(LoadTarget *t, const LoadSpec *spec, int ncols, char *const *names, const LogicalType *types,
                      Error *err);
/* Free what load_target_init copied (a zeroed t is fine). */
void load_target_free(LoadTarget *t);
/* True if load column c is a KEY column. */
bool load_target_is_key(const LoadTarget *t, int c);

/* How a connector quotes an identifier, and names a kiln type in its DDL
 * (is_key: the column is a KEY column, for databases that must index it). */
typedef void (*LoadQuoteFn)(StrBuf *sb, const char *ident);
typedef void (*LoadTypeFn)(StrBuf *sb, LogicalType type, bool is_key);

/* "ident" with " doubled (PostgreSQL, SQLite, Redshift). */
void load_quote_ident(StrBuf *sb, const char *ident);
/* schema.table -> quoted parts (a name without a dot: one part). */
void load_quote_table(StrBuf *sb, const char *table, LoadQuoteFn quote);
/* prefix"a", prefix"b", ... for every load column. */
void load_column_list(StrBuf *sb, const LoadTarget *t, LoadQuoteFn quote, const char *prefix);
/* "k1", "k2" ... for the KEY columns. */
void load_key_list(StrBuf *sb, const LoadTarget *t, LoadQuoteFn quote);
/* "a" type, "b" type, ... (key_types: pass is_key for KEY columns). */
void load_column_defs(StrBuf *sb, const LoadTarget *t, LoadQuoteFn quote, LoadTypeFn type, bool key_types);
/* The DELETE an overwrite or replace_partitions load runs before its
 * insert: DELETE FROM table [WHERE (keys) IN (SELECT keys FROM stage)]. */
void load_delete_sql(StrBuf *sb, const LoadTarget *t, LoadQuoteFn quote, const char *stage);
/* create ("CREATE TEMP TABLE") kiln_stage (<column defs>[, extra]) [suffix]:
 * the staging table of every loader. */
void load_stage_sql(StrBuf *sb, const char *create, const LoadTarget *t, LoadQuoteFn quote, LoadTypeFn type,
                    const char *extra, const char *suffix);

#endif
