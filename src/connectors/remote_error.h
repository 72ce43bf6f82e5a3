/* remote_error: the error wording that the database connectors share
 * (PostgreSQL, MySQL): an error is located at the connection shown without
 * its password, so that the CLI prints that instead of echoing SQL text
 * that may hold a password in a URL; a failed connection names the system,
 * host, port and user with the server's or client library's message. */
#ifndef KILN_CONNECTORS_REMOTE_ERROR_H
#define KILN_CONNECTORS_REMOTE_ERROR_H

#include <stdbool.h>

#include "common/error.h"

/* Locate err at the connection without its password (if err has no
 * location yet); returns false. */
bool remote_error_locate(Error *err, const char *connection);
/* Set `could not connect to <system> at host:port as "user": message`,
 * located at the connection; returns false. */
bool remote_connect_error(Error *err, const char *system, const char *host, const char *port, const char *user,
                          const char *message, const char *connection);

#endif
