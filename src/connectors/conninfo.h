/* conninfo: connection strings shared by the database connectors:
 * removing the password before a string is shown (errors, EXPLAIN, SHOW),
 * and splitting a URL (scheme://user:password@host:port/database?k=v&...)
 * into its parts, percent-decoded. */
#ifndef KILN_CONNECTORS_CONNINFO_H
#define KILN_CONNECTORS_CONNINFO_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* The connection string with any password removed (caller frees): the
 * user:secret@ of a URL, and password=... as a key=value pair or a URL
 * parameter, whatever the scheme. */
char *conninfo_redact(const char *conninfo);

/* A secret inside a longer text: bytes [start, end). */
typedef struct SecretSpan {
    size_t start, end;
} SecretSpan;

/* Find the secrets written in a text such as a line of SQL: a URL's
 * user:secret@, password=... in a connection string, and the quoted value
 * after a keyword that names a secret (PASSWORD 'x', secret_access_key 'x').
 * Fills at most max spans in order of position; returns how many. */
int conninfo_find_secrets(const char *text, size_t len, SecretSpan *spans, int max);

typedef struct ConnUrl {
    char *scheme;   /* "mysql" */
    char *user;     /* NULL when absent */
    char *password; /* NULL when absent */
    char *host;     /* NULL when absent */
    int port;       /* 0 when absent */
    char *database; /* NULL when absent */
    char **keys, **values; /* the ?k=v parameters */
    int nparams;
} ConnUrl;

/* Split a URL; errors show it redacted. */
bool conninfo_parse_url(const char *url, ConnUrl *out, Error *err);
/* The value of parameter key, or NULL. */
const char *conninfo_param(const ConnUrl *u, const char *key);
/* Free what conninfo_parse_url allocated. */
void conninfo_url_free(ConnUrl *u);

#endif
