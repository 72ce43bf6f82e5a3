/* cast: conversions between kiln types, with PostgreSQL's rules.
 *
 * Text is parsed and printed exactly as PostgreSQL's input and output
 * functions do (`'1.50'::numeric(5,2)`, `'2024-01-31 12:00:00'::timestamp`,
 * `'1 day 02:00:00'::interval`, booleans as t/f/true/false/yes/no/on/off/1/0).
 * A failed cast names the value and the target type, as PostgreSQL does:
 *   invalid input syntax for type integer: "abc"
 *   value "99999999999" is out of range for type integer
 *   numeric field overflow (a value of precision 4, scale 2 must round to an absolute value less than 10^2)
 */
#ifndef KILN_TYPES_CAST_H
#define KILN_TYPES_CAST_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "types/vector.h"

/* How a cast may be applied, as PostgreSQL's pg_cast.castcontext. */
typedef enum CastKind {
    CAST_NONE = 0,     /* no conversion exists */
    CAST_EXPLICIT,     /* only with CAST(...) or :: */
    CAST_ASSIGNMENT,   /* also when storing into a column (INSERT) */
    CAST_IMPLICIT,     /* also silently in expressions and function calls */
} CastKind;

/* Which contexts allow converting from -> to (same type: CAST_IMPLICIT). */
CastKind cast_kind(LogicalType from, LogicalType to);
/* Cost of an implicit cast for overload resolution (0 = same type; larger =
 * worse; -1 = not implicit). E.g. integer->bigint 1, integer->numeric 2,
 * integer->double 3, unknown/NULL -> anything 0. */
int cast_implicit_cost(LogicalType from, LogicalType to);

/* The type that both a and b convert to implicitly, as PostgreSQL's rules
 * for CASE, COALESCE, UNION and IN pick it (integer+bigint -> bigint,
 * integer+numeric -> numeric, numeric+double -> double, decimals widened to
 * hold both, NULL+t -> t, text+unknown -> text). False if there is none. */
bool cast_common_type(LogicalType a, LogicalType b, LogicalType *out);

/* The DECIMAL type that holds every value of an integral or decimal type
 * exactly (integer -> numeric(10,0), bigint -> numeric(19,0)). */
LogicalType cast_decimal_for(LogicalType t);

/* Cast `count` dense rows of src into dst (dst->type is the target type).
 * NULL stays NULL. Fails on the first value that does not convert, naming the
 * value and the target type. */
bool cast_vector(const Vector *src, Vector *dst, uint32_t count, Error *err);

/* Parse text as a value of type t into slot `row` of dst (strings copied into
 * dst's heap). Leading/trailing whitespace is accepted where PostgreSQL does. */
bool cast_parse_text(const char *s, size_t n, Vector *dst, uint32_t row, Error *err);

/* Append PostgreSQL's text output of slot `row` of v to out (nothing for NULL;
 * callers decide how NULL is shown). Doubles print the shortest text that
 * reads back to the same value ("0.1", "1e+20", "Infinity", "NaN"). */
void cast_format_value(const Vector *v, uint32_t row, StrBuf *out);

#endif
