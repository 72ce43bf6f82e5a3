/* pg_copy_binary: kiln rows in PostgreSQL's binary COPY format
 * (COPY ... FROM STDIN (FORMAT binary)), for loads into PostgreSQL.
 *
 * The stream is the 19-byte header, then per row a 16-bit field count and
 * per field a 32-bit length (-1 = NULL) and the value in the type's binary
 * "send" form, then the 16-bit trailer -1.  Values, big-endian:
 *   BOOLEAN   1 byte;  INTEGER int4;  BIGINT int8;  DOUBLE float8
 *   DECIMAL   numeric: ndigits, weight, sign, dscale, base-10000 digits
 *   VARCHAR   the bytes (a zero byte is refused: PostgreSQL text cannot hold it)
 *   DATE      int4 days since 2000-01-01;  TIMESTAMP int8 microseconds since 2000-01-01
 *   INTERVAL  int8 microseconds, int4 days, int4 months
 * The target columns must have the matching PostgreSQL types (a DECIMAL
 * loads into any numeric, a VARCHAR into text or varchar). */
#ifndef KILN_CONNECTORS_PG_COPY_BINARY_H
#define KILN_CONNECTORS_PG_COPY_BINARY_H

#include <stdbool.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "types/batch.h"

/* Append the stream's header. */
void pg_copy_binary_header(StrBuf *sb);
/* Append the stream's trailer. */
void pg_copy_binary_trailer(StrBuf *sb);
/* Append every logical row of b (all its columns; names for errors). */
bool pg_copy_binary_rows(StrBuf *sb, const Batch *b, char *const *names, Error *err);

#endif
