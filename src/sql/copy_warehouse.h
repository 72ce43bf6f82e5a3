/* copy_warehouse: COPY ... TO 'warehouse:<table>' or '<connection>:<table>'
 * WITH (MODE ..., KEY (...)): loading a query's rows into a table of the
 * warehouse that `SET warehouse` names (a SQLite file by default, or a
 * PostgreSQL, MySQL or Redshift database), or of a named connection. */
#ifndef KILN_SQL_COPY_WAREHOUSE_H
#define KILN_SQL_COPY_WAREHOUSE_H

#include "sql/copy_formats.h"
#include "sql/settings.h"

struct ConnectionSet;
/* True if a COPY TO target names a database table: 'warehouse:<table>', or
 * '<connection>:<table>' (see copy_warehouse.c for what is not a file). */
bool copy_warehouse_is_target(const char *target, const struct ConnectionSet *connections, const SqlOption *opts,
                              int nopts);
/* A CopyWriter that loads into the target's table in one transaction
 * (options MODE append|overwrite|upsert|replace_partitions and KEY). */
bool copy_warehouse_open_writer(Binder *b, const Settings *settings, const char *target, const SqlOption *opts,
                                int nopts, CopyWriter **out, Error *err);

#endif
