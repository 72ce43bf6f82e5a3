/* state_sql: SQLite helpers shared by the state database's two users
 * (see state_sql.h). */
#include "sched/state_sql.h"

#include <stddef.h>

bool state_sql_error(sqlite3 *db, const char *path, Error *err, const char *what)
{
    return error_set(err, ERR_IO, "state database \"%s\": %s: %s", path, what, sqlite3_errmsg(db));
}

bool state_sql_exec(sqlite3 *db, const char *path, const char *sql, Error *err)
{
    char *message = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK) {
        error_set(err, ERR_IO, "state database \"%s\": %s", path, message ? message : sqlite3_errmsg(db));
        sqlite3_free(message);
        return false;
    }
    return true;
}

bool state_sql_prepare(sqlite3 *db, const char *path, const char *sql, sqlite3_stmt **stmt, Error *err)
{
    if (sqlite3_prepare_v2(db, sql, -1, stmt, NULL) != SQLITE_OK) return state_sql_error(db, path, err, "prepare");
    return true;
}

bool state_sql_step_done(sqlite3 *db, const char *path, sqlite3_stmt *stmt, Error *err)
{
    int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) return state_sql_error(db, path, err, "write");
    return true;
}

void state_sql_bind_text(sqlite3_stmt *stmt, int i, const char *v)
{
    if (v) sqlite3_bind_text(stmt, i, v, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(stmt, i);
}
