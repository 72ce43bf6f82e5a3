/* connections: named database connections.
 *
 * In SQL, with PostgreSQL's foreign-server statements:
 *   CREATE SERVER shop FOREIGN DATA WRAPPER postgres_fdw
 *     OPTIONS (url 'postgresql://etl@db:5432/shop', password '${SHOP_PASSWORD}');
 *   CREATE SERVER crm FOREIGN DATA WRAPPER mysql_fdw OPTIONS (url 'mysql://etl@crm/crm');
 *   CREATE SERVER dw FOREIGN DATA WRAPPER redshift OPTIONS (url 'redshift://etl@cluster:5439/dw',
 *     s3_staging 's3://bucket/stage/', iam_role 'arn:aws:iam::123456789012:role/loader', region 'us-east-1');
 *   DROP SERVER [IF EXISTS] shop;
 * and in kiln.yaml's `connections:` (name: URL, or name: {url: ..., password: ...}),
 * which the runner hands to each job (KILN_CONNECTIONS_ENV, never on a
 * command line).  Wherever a connection is expected (read_postgres,
 * read_mysql, SET warehouse, COPY TO '<name>:<table>') a name stands for
 * its URL.  A redshift server's s3_staging, iam_role and region become
 * parameters of its URL (?s3_staging=...), which is how kiln.yaml spells them.
 *
 * ${NAME} in a URL or password is replaced by the environment variable NAME
 * when the connection is used, so secrets stay in the environment; a
 * password given apart from the URL is added to it (percent-encoded).
 * Without one, the connectors' own rules apply: PGPASSWORD and ~/.pgpass
 * for PostgreSQL, MYSQL_PWD for MySQL. */
#ifndef KILN_SQL_CONNECTIONS_H
#define KILN_SQL_CONNECTIONS_H

#include <stdbool.h>

#include "common/error.h"

/* The environment variable that carries the project's connections to a
 * job: one per line, "name<TAB>url<TAB>password" (the password may be
 * empty; ${NAME} references are kept unexpanded). */
#define KILN_CONNECTIONS_ENV "KILN_CONNECTIONS"

typedef struct NamedConnection {
    char *name;
    char *url;      /* may hold ${NAME} references */
    char *password; /* NULL = none given */
} NamedConnection;

typedef struct ConnectionSet {
    NamedConnection *items;
    int n, cap;
} ConnectionSet;

/* An empty set. */
void connections_init(ConnectionSet *set);
/* Free the set's connections. */
void connections_destroy(ConnectionSet *set);
/* Add a connection; an existing name is an error unless if_not_exists. */
bool connections_define(ConnectionSet *set, const char *name, const char *url, const char *password,
                        bool if_not_exists, Error *err);
/* True if name is defined in set. */
bool connections_is_defined(const ConnectionSet *set, const char *name);
/* True if name is defined in set (may be NULL) or in KILN_CONNECTIONS_ENV. */
bool connections_exists(const ConnectionSet *set, const char *name);
/* "a, b, c": the names of set and of KILN_CONNECTIONS_ENV, sorted, or NULL
 * when there are none (caller frees). */
char *connections_known_names(const ConnectionSet *set);
/* Remove a connection; a missing name is an error unless missing_ok. */
bool connections_drop(ConnectionSet *set, const char *name, bool missing_ok, Error *err);
/* True if text is a bare connection name (not a URL, path or key=value string). */
bool connections_is_name(const char *text);
/* The URL that text stands for (caller frees): text itself unless it is a
 * connection name, looked up in set (may be NULL), then in
 * KILN_CONNECTIONS_ENV; ${NAME} references expanded, the password added. */
bool connections_resolve(const ConnectionSet *set, const char *text, char **url, Error *err);
/* The KILN_CONNECTIONS_ENV value for these connections (caller frees). */
char *connections_env_value(const NamedConnection *items, int n);

struct StmtContext;
struct PgQuery__CreateForeignServerStmt;
struct PgQuery__DropStmt;
/* CREATE SERVER name FOREIGN DATA WRAPPER w OPTIONS (url '...', password '...'). */
bool stmt_create_server(struct StmtContext *sc, struct PgQuery__CreateForeignServerStmt *stmt, Error *err);
/* DROP SERVER [IF EXISTS] name, ... */
bool stmt_drop_server(struct StmtContext *sc, struct PgQuery__DropStmt *stmt, Error *err);

#endif
