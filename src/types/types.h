/* types: kiln's logical types and their physical representation.
 *
 *   type        physical value in a vector            notes
 *   BOOLEAN     uint8_t (0/1)
 *   INTEGER     int32_t
 *   BIGINT      int64_t
 *   DOUBLE      double
 *   DECIMAL     int64_t if precision <= 18,           value = unscaled / 10^scale
 *               kiln_int128 if precision <= 38
 *   VARCHAR     KString (16 bytes, see kstring.h)
 *   DATE        int32_t days since 1970-01-01
 *   TIMESTAMP   int64_t microseconds since 1970-01-01 00:00:00 (no time zone)
 *   INTERVAL    Interval {months, days, micros}       as PostgreSQL's
 *
 * NULL is not a type: a "NULL literal" binds as TYPE_NULL and is cast to the
 * type its context needs. */
#ifndef KILN_TYPES_TYPES_H
#define KILN_TYPES_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef __int128 kiln_int128;

typedef enum TypeId {
    TYPE_INVALID = 0,
    TYPE_NULL,      /* the type of an untyped NULL literal */
    TYPE_BOOLEAN,
    TYPE_INTEGER,
    TYPE_BIGINT,
    TYPE_DOUBLE,
    TYPE_DECIMAL,
    TYPE_VARCHAR,
    TYPE_DATE,
    TYPE_TIMESTAMP,
    TYPE_INTERVAL,
} TypeId;

#define TYPE_COUNT (TYPE_INTERVAL + 1)

#define DECIMAL_MAX_PRECISION 38
#define DECIMAL_INT64_MAX_PRECISION 18
/* numeric without (p,s) gets this, as DuckDB does; PostgreSQL's is unbounded. */
#define DECIMAL_DEFAULT_PRECISION 38
#define DECIMAL_DEFAULT_SCALE 10

typedef struct LogicalType {
    TypeId id;
    uint8_t precision; /* DECIMAL only */
    uint8_t scale;     /* DECIMAL only */
} LogicalType;

typedef struct Interval {
    int32_t months;
    int32_t days;
    int64_t micros;
} Interval;

/* Build a plain (non-decimal) type. */
static inline LogicalType type_make(TypeId id) { return (LogicalType){id, 0, 0}; }
/* Build DECIMAL(precision, scale). */
static inline LogicalType type_decimal(int precision, int scale)
{
    return (LogicalType){TYPE_DECIMAL, (uint8_t)precision, (uint8_t)scale};
}
/* True if both types are the same, including decimal precision and scale. */
bool type_equal(LogicalType a, LogicalType b);
/* Size in bytes of one value of this type in a vector. */
size_t type_physical_size(LogicalType t);
/* True if a DECIMAL of this type is stored in 128 bits. */
static inline bool type_is_decimal128(LogicalType t)
{
    return t.id == TYPE_DECIMAL && t.precision > DECIMAL_INT64_MAX_PRECISION;
}
/* True for INTEGER, BIGINT, DOUBLE and DECIMAL. */
bool type_is_numeric(LogicalType t);
/* True for INTEGER and BIGINT. */
bool type_is_integral(LogicalType t);
/* SQL name of the type, as PostgreSQL prints it: "integer", "numeric(12,2)".
 * Writes into buf (at least 32 bytes) and returns it. */
const char *type_name(LogicalType t, char *buf, size_t buflen);
/* Short upper-case name used by DESCRIBE and errors: "INTEGER", "DECIMAL(12,2)". */
const char *type_display_name(LogicalType t, char *buf, size_t buflen);
/* Map a PostgreSQL type name (int4, int8, bigint, text, varchar, numeric,
 * float8, double precision, timestamp, date, interval, bool ...) with its type
 * modifiers to a kiln type. Returns false for unknown names. */
bool type_from_name(const char *name, const int32_t *typmods, int ntypmods, LogicalType *out);

#endif
