/* value: one scalar SQL value outside a vector (constants, settings,
 * parameters). A VARCHAR value points at bytes owned by someone else
 * (usually the plan's arena). */
#ifndef KILN_TYPES_VALUE_H
#define KILN_TYPES_VALUE_H

#include <stdbool.h>
#include <stdint.h>

#include "types/types.h"
#include "types/vector.h"

typedef struct Value {
    LogicalType type;
    bool is_null;
    union {
        bool boolean;
        int32_t i32;      /* INTEGER, DATE */
        int64_t i64;      /* BIGINT, TIMESTAMP, DECIMAL(<=18) */
        double f64;
        kiln_int128 i128; /* DECIMAL(>18) */
        Interval interval;
        struct {
            const char *data;
            uint32_t len;
        } str;
    } u;
} Value;

/* A NULL of the given type. */
Value value_null(LogicalType type);
/* Constructors for common types. */
Value value_boolean(bool b);
Value value_integer(int32_t v);
Value value_bigint(int64_t v);
Value value_double(double v);
Value value_varchar(const char *s, uint32_t len);
/* Read slot `row` of a vector into a Value (strings are not copied). */
Value value_from_vector(const Vector *v, uint32_t row);
/* Store a value into slot `row` of a vector of the same type (strings copied into v's heap). */
void value_to_vector(const Value *val, Vector *v, uint32_t row);

#endif
