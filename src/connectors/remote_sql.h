/* remote_sql: filter pushdown into the query a database source sends.
 * Renders the filter hints of a scan (plan->scan_filters, see
 * exec/scan_provider.h) that the server can evaluate as a WHERE condition
 * in PostgreSQL's or MySQL's dialect.
 *
 * The rule: the server may keep MORE rows than kiln's filter (which still
 * runs above the scan), never fewer.  A hint is rendered only in the shapes
 * whose server meaning is known, per column (RemoteColumn):
 *   column op constant (= <> < <= > >=, either side), BETWEEN (two of
 *   these), column IN (constants), column NOT IN (constants) on exactly
 *   compared columns, column IS [NOT] NULL, a PostgreSQL boolean column and
 *   NOT of one, LIKE 'pattern' (PostgreSQL text, no backslash in the
 *   pattern), AND of any renderable parts (the others dropped), OR of parts
 *   all renderable, NOT of a part rendered exactly.
 * The column may sit under a cast that keeps every value and the order
 * (INTEGER to BIGINT, integers to wider DECIMALs, INTEGER to DOUBLE, DATE to
 * TIMESTAMP); constants are literals (possibly cast), never function calls.
 *
 * Dialect traps handled (see remote_sql.c for the details): strings
 * compare under the server's collation, so = and IN (a superset under any
 * collation) are sent as they are, and every other comparison in byte
 * order (PostgreSQL COLLATE "C"; MySQL the column's utf8mb4 bytes against a
 * hex literal); string literals are escaped for any
 * standard_conforming_strings / NO_BACKSLASH_ESCAPES setting, and a string
 * with a NUL or invalid UTF-8 is not pushed; PostgreSQL timestamptz
 * literals carry +00; MySQL constants are pushed only when the column's own
 * type holds them exactly (its range optimizer would round them), never
 * NaN or infinity, nor fractional seconds; MySQL zero dates, which kiln
 * reads as NULL, make IS NULL unpushable on date columns. */
#ifndef KILN_CONNECTORS_REMOTE_SQL_H
#define KILN_CONNECTORS_REMOTE_SQL_H

#include <stdbool.h>

#include "common/strbuf.h"
#include "exec/expr.h"

typedef enum RemoteDialect { REMOTE_POSTGRES, REMOTE_MYSQL } RemoteDialect;

/* How the server compares a column's values, next to kiln. */
typedef enum RemoteCompare {
    REMOTE_CMP_NONE,        /* not compared on the server (IS [NOT] NULL only) */
    REMOTE_CMP_EXACT,       /* as kiln does, given a literal of the column's type */
    REMOTE_CMP_COLLATED,    /* a string under a collation (= is a superset; others in byte order) */
    REMOTE_CMP_TIMESTAMPTZ, /* PostgreSQL timestamptz (kiln reads it in UTC) */
} RemoteCompare;

typedef struct RemoteColumn {
    const char *name;      /* the server's column name */
    LogicalType type;      /* kiln's type of its values */
    RemoteCompare compare;
    bool null_exact;       /* the server's NULLs are exactly kiln's (false: MySQL zero dates, read as NULL) */
} RemoteColumn;

/* Append to out the hints conds[0..n) that the server can evaluate, as one
 * condition joined by AND (columns numbered in cols[0..ncols)); returns
 * how many hints were rendered (0: nothing appended). */
int remote_sql_where(RemoteDialect dialect, const RemoteColumn *cols, int ncols, Expr *const *conds, int n,
                     StrBuf *out);

/* Append a string constant as a literal of the dialect; false (nothing
 * appended) if it holds a NUL byte or is not valid UTF-8. */
bool remote_sql_string(RemoteDialect dialect, const char *s, size_t len, StrBuf *out);
/* Append name[0..n) as a quoted identifier: "x" in PostgreSQL (and SQLite),
 * `x` in MySQL, the quote character doubled inside. */
void remote_sql_quote_ident(RemoteDialect dialect, StrBuf *out, const char *name, size_t n);
/* Whether a source argument is a query (SELECT, WITH, VALUES, TABLE, maybe
 * in parentheses) rather than a table name. */
bool remote_sql_is_query(const char *source);

#endif
