/* json_text: the JSON grammar (RFC 8259) on bytes in memory: validating
 * scans of values, strings and numbers, unescaping, and escaping for
 * output.  Shared by the JSON reader, the JSON writer, the CLI's JSON output
 * and the SQL json functions (exec/functions/json.c).
 *
 * Everything works on [p, end) without NUL termination and never reads past
 * end.  Scans validate as they go: strings must be UTF-8 without raw control
 * characters, escapes must be JSON's (\uXXXX surrogates paired; \u0000 is
 * refused because text cannot hold it, as in PostgreSQL), numbers must
 * follow JSON's syntax, and nesting is limited by a depth the caller gives
 * (at most JSON_DEPTH_CAP).  Nested values are scanned without recursion.
 * A failed scan reports a fixed message and the byte where it went wrong.
 *
 * Output escaping (json_append_string) writes ", \ and control characters
 * as escapes (\n, \t ... or \u00XX), and replaces each invalid UTF-8 byte
 * by \ufffd, so the output is always valid JSON whatever the input. */
#ifndef KILN_FORMATS_JSON_TEXT_H
#define KILN_FORMATS_JSON_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/strbuf.h"

/* The deepest nesting any caller may allow. */
#define JSON_DEPTH_CAP 10000
/* The default nesting limit of the reader and the functions. */
#define JSON_DEFAULT_MAX_DEPTH 1000

typedef enum JsonKind {
    JSON_NULL,
    JSON_FALSE,
    JSON_TRUE,
    JSON_NUMBER,
    JSON_STRING,
    JSON_OBJECT,
    JSON_ARRAY,
} JsonKind;

/* Why a scan failed: a message (static text) and the offending byte. */
typedef struct JsonProblem {
    const char *message;
    const char *at;
} JsonProblem;

/* The first byte at or after p that is not JSON whitespace (or end). */
const char *json_skip_ws(const char *p, const char *end);
/* Scan (and validate) the value starting at p; *value_end is just past it.
 * Nesting deeper than max_depth is a failure. */
bool json_scan_value(const char *p, const char *end, int max_depth, JsonKind *kind, const char **value_end,
                     JsonProblem *problem);
/* Scan the string whose opening quote is at p; *string_end is just past
 * the closing quote; *has_escapes says whether json_unescape is needed. */
bool json_scan_string(const char *p, const char *end, const char **string_end, bool *has_escapes,
                      JsonProblem *problem);
/* Scan the number at p; *is_integer: no fraction and no exponent. */
bool json_scan_number(const char *p, const char *end, const char **number_end, bool *is_integer,
                      JsonProblem *problem);
/* Append the text of a validated string's contents [s, e) (between the
 * quotes) with escapes undone. */
void json_unescape(const char *s, const char *e, StrBuf *out);
/* Append text as a quoted JSON string (escaped; invalid UTF-8 -> \ufffd). */
void json_append_string(StrBuf *out, const char *s, size_t n);
/* The kind's name as json_typeof says it ("object", "number" ...). */
const char *json_kind_name(JsonKind kind);

#endif
