/* parser: the adapter to libpg_query.  SQL text is parsed by PostgreSQL's own
 * grammar into the protobuf parse tree (pg_query.pb-c.h), which the binder
 * walks.  A syntax error carries the parser's message and byte position. */
#ifndef KILN_SQL_PARSER_H
#define KILN_SQL_PARSER_H

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include "common/error.h"

/* Deepest parse tree accepted (a node inside a node ... counts one per level). */
#define SQL_MAX_DEPTH 3000

typedef struct ParsedScript {
    PgQuery__ParseResult *tree;   /* statements: tree->stmts[i]->stmt, stmt_location, stmt_len */
} ParsedScript;

/* Parse one or more statements. On a syntax error, err has kind ERR_SQL and
 * sql_pos at the offending token. */
bool sql_parse(const char *sql, ParsedScript *out, Error *err);
/* Free a parse tree. */
void sql_parse_free(ParsedScript *script);

#endif
