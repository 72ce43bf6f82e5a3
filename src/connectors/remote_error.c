/* remote_error: connection errors of the database connectors (see
 * remote_error.h). */
#include "connectors/remote_error.h"

#include "common/mem.h"
#include "connectors/conninfo.h"

bool remote_error_locate(Error *err, const char *connection)
{
    if (err && err->file[0] == '\0') {
        char *shown = conninfo_redact(connection);
        error_set_location(err, shown, 0, 0);
        mem_free(shown);
    }
    return false;
}

bool remote_connect_error(Error *err, const char *system, const char *host, const char *port, const char *user,
                          const char *message, const char *connection)
{
    error_set(err, ERR_IO, "could not connect to %s at %s:%s as \"%s\": %s", system, host && *host ? host : "localhost",
              port && *port ? port : "?", user ? user : "", message);
    return remote_error_locate(err, connection);
}
