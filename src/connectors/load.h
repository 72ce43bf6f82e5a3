/* load: what a warehouse load asks of a connector (SQLite today, PostgreSQL
 * next): the target table, the mode, and the KEY columns of upsert and
 * replace_partitions.  Every connector loads in one transaction, so readers
 * of the target see the table as it was before or after, never between. */
#ifndef KILN_CONNECTORS_LOAD_H
#define KILN_CONNECTORS_LOAD_H

typedef enum LoadMode {
    LOAD_APPEND,             /* add the rows */
    LOAD_OVERWRITE,          /* replace the table's rows with the load's */
    LOAD_UPSERT,             /* insert, or update the row with the same KEY */
    LOAD_REPLACE_PARTITIONS, /* delete rows whose KEY values appear in the load, then insert */
} LoadMode;

typedef struct LoadSpec {
    const char *table;  /* target table name (unquoted) */
    LoadMode mode;
    const char *const *keys; /* KEY columns (upsert, replace_partitions) */
    int nkeys;
} LoadSpec;

#include <stdbool.h>

#include "common/error.h"

/* Check the columns a load brings (no name twice) and find the column of
 * each KEY (key_cols, spec->nkeys entries); errors name the column. */
bool load_check_columns(const LoadSpec *spec, int ncols, char *const *names, int *key_cols, Error *err);

#endif
