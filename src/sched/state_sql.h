/* state_sql: the few SQLite calls the project's state database needs
 * (state.c for runs and attempts, scheduler_db.c for the scheduler's
 * marks), with errors that name the database file. */
#ifndef KILN_SCHED_STATE_SQL_H
#define KILN_SCHED_STATE_SQL_H

#include <sqlite3.h>
#include <stdbool.h>

#include "common/error.h"

/* Record SQLite's last error on db as ERR_IO: state database "path": what: reason. */
bool state_sql_error(sqlite3 *db, const char *path, Error *err, const char *what);
/* Run SQL that returns no rows (several statements allowed). */
bool state_sql_exec(sqlite3 *db, const char *path, const char *sql, Error *err);
/* Prepare one statement. */
bool state_sql_prepare(sqlite3 *db, const char *path, const char *sql, sqlite3_stmt **stmt, Error *err);
/* Step a statement that returns no rows, then finalize it (also on failure). */
bool state_sql_step_done(sqlite3 *db, const char *path, sqlite3_stmt *stmt, Error *err);
/* Bind text, or NULL when v is NULL. */
void state_sql_bind_text(sqlite3_stmt *stmt, int i, const char *v);

#endif
