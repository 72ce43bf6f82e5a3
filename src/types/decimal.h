/* decimal: DECIMAL(p,s) arithmetic on scaled integers.
 *
 * A DECIMAL(p,s) value is an integer `unscaled` with value = unscaled / 10^s
 * and |unscaled| < 10^p.  Vectors store it in an int64_t when p <= 18 and in
 * a kiln_int128 otherwise (types.h); every function here works on
 * kiln_int128, so callers widen on load and narrow on store
 * (decimal_load/decimal_store).
 *
 * Rounding is always half away from zero, as PostgreSQL's numeric does
 * (1.005 -> 1.01, -2.5 -> -3).  Overflow is never silent: functions that can
 * overflow return false and fill an ERR_DATA error "numeric field overflow".
 *
 * Result types of the operators (decimal_result_type), p/s of the inputs:
 *   + -  scale = max(s1,s2); precision = max(p1-s1, p2-s2) + scale + 1
 *   *    scale = s1+s2;      precision = p1+p2
 *   /    scale = max(6, s1, s2);  precision = (p1-s1) + s2 + scale
 *        (PostgreSQL's numeric division picks a per-value display scale of at
 *        least 16 significant digits; a fixed-scale engine cannot, so kiln
 *        keeps at least 6 fractional digits, like SQL Server, and rounds the
 *        last one half away from zero.)
 *   %    scale = max(s1,s2);  precision = min(p1-s1, p2-s2) + scale
 * Precision is capped at 38; if a scale would exceed 38 it is capped too,
 * and results are rounded to it.  Values that do not fit the result type
 * raise "numeric field overflow" when computed.
 *
 * Multiplication and division go through 256-bit intermediates, so every
 * 38-digit operand pair is computed exactly before rounding.  No function
 * allocates memory except decimal_to_double's rare slow path (stack only). */
#ifndef KILN_TYPES_DECIMAL_H
#define KILN_TYPES_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "types/types.h"
#include "types/vector.h"

/* Longest text decimal_format writes, with its NUL: sign, 38 digits, point, "0.". */
#define DECIMAL_TEXT_MAX 48

/* 10^n for n in [0, 38]. */
kiln_int128 decimal_pow10(int n);

/* True if |v| < 10^precision. */
bool decimal_fits(kiln_int128 v, int precision);

/* Fill err with "numeric field overflow (...)" for a DECIMAL(precision,scale); returns false. */
bool decimal_overflow_error(int precision, int scale, Error *err);

/* Read slot `row` of a DECIMAL vector widened to 128 bits. */
static inline kiln_int128 decimal_load(const Vector *v, uint32_t row)
{
    return type_is_decimal128(v->type) ? VEC_DATA(v, kiln_int128)[row] : (kiln_int128)VEC_DATA(v, int64_t)[row];
}
/* Store an unscaled value (already known to fit the vector's precision) into slot row. */
static inline void decimal_store(Vector *v, uint32_t row, kiln_int128 x)
{
    if (type_is_decimal128(v->type)) VEC_DATA(v, kiln_int128)[row] = x;
    else VEC_DATA(v, int64_t)[row] = (int64_t)x;
}

/* Parse PostgreSQL numeric input (surrounding spaces, sign, digits, point,
 * exponent: " -1.50e3 ") into DECIMAL(precision,scale), rounding extra
 * fractional digits half away from zero. Errors: invalid input syntax for
 * type numeric: "<text>", numeric field overflow. */
bool decimal_parse(const char *s, size_t n, int precision, int scale, kiln_int128 *out, Error *err);

/* Write the text of unscaled/10^scale with exactly `scale` fractional digits
 * ("1.50", "-0.05", "12") into buf (DECIMAL_TEXT_MAX bytes); returns its length. */
size_t decimal_format(kiln_int128 v, int scale, char *buf);

/* Change the scale of a value, rounding half away from zero when it drops
 * digits; fails if the result does not fit to_precision digits. */
bool decimal_rescale(kiln_int128 v, int from_scale, int to_scale, int to_precision, kiln_int128 *out,
                     Error *err);

/* Divide by 10^digits rounding half away from zero (digits in [0,38]); cannot fail. */
kiln_int128 decimal_round_div_pow10(kiln_int128 v, int digits);

/* Checked arithmetic on values that share a scale (add/sub) or whose scales
 * the caller tracks (mul: result scale s1+s2 before rescaling).  The result
 * must fit `precision` digits. */
bool decimal_add(kiln_int128 a, kiln_int128 b, int precision, int scale, kiln_int128 *out, Error *err);
bool decimal_sub(kiln_int128 a, kiln_int128 b, int precision, int scale, kiln_int128 *out, Error *err);
/* a (scale sa) * b (scale sb) rounded to out_scale (<= sa+sb) and checked
 * against out_precision. */
bool decimal_mul(kiln_int128 a, int sa, kiln_int128 b, int sb, int out_precision, int out_scale, kiln_int128 *out,
                 Error *err);
/* a (scale sa) / b (scale sb) rounded half away from zero to out_scale and
 * checked against out_precision. b == 0: "division by zero". */
bool decimal_div(kiln_int128 a, int sa, kiln_int128 b, int sb, int out_precision, int out_scale, kiln_int128 *out,
                 Error *err);
/* Remainder of a (scale sa) / b (scale sb) at out_scale (>= max(sa,sb)),
 * with the sign of a as PostgreSQL's numeric %. b == 0: "division by zero". */
bool decimal_mod(kiln_int128 a, int sa, kiln_int128 b, int sb, int out_precision, int out_scale, kiln_int128 *out,
                 Error *err);

/* Compare a (scale sa) with b (scale sb) exactly: <0, 0, >0. */
int decimal_compare(kiln_int128 a, int sa, kiln_int128 b, int sb);

/* The unscaled DECIMAL(precision,scale) value of an integer; fails on overflow. */
bool decimal_from_int64(int64_t v, int precision, int scale, kiln_int128 *out, Error *err);
/* Round a decimal to an integer (half away from zero) and check it is within
 * [min,max]; false (no error filled) when it is not. */
bool decimal_to_int64(kiln_int128 v, int scale, int64_t min, int64_t max, int64_t *out);
/* Convert a double as PostgreSQL's float8 -> numeric does (via its 15
 * significant digits), rounded to DECIMAL(precision,scale). NaN and infinity
 * cannot be converted. */
bool decimal_from_double(double d, int precision, int scale, kiln_int128 *out, Error *err);
/* The double nearest to the decimal value (correctly rounded). */
double decimal_to_double(kiln_int128 v, int scale);

/* Operators whose decimal result type decimal_result_type knows. */
typedef enum DecimalOp { DECIMAL_OP_ADD, DECIMAL_OP_SUB, DECIMAL_OP_MUL, DECIMAL_OP_DIV, DECIMAL_OP_MOD } DecimalOp;
/* DECIMAL result type of `a op b` following the rules at the top of this file. */
LogicalType decimal_result_type(DecimalOp op, LogicalType a, LogicalType b);

#endif
