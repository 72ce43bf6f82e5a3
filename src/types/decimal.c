/* decimal: DECIMAL(p,s) parsing, printing, rescaling and checked arithmetic
 * on scaled 128-bit integers (see decimal.h for the type rules).
 *
 * How: values are widened to kiln_int128.  Products and quotients that may
 * not fit 128 bits are computed in a small unsigned 256-bit integer (four
 * 64-bit limbs) with schoolbook multiplication and bitwise long division,
 * then rounded half away from zero: for that rounding only the remainder
 * matters (round up when remainder >= divisor - remainder).  Fast paths keep
 * the common small cases in plain 128-bit arithmetic.  Memory: stack only. */
#include "types/decimal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 kiln_uint128;

#define INT128_MAX_VALUE ((~(kiln_uint128)0) >> 1)

/* 10^0 .. 10^38, a constant table: 10^19 and up are built from 10^19 at
 * compile time (C has no 128-bit literals). */
#define P19 ((kiln_int128)10000000000000000000ULL)
static const kiln_int128 pow10_table[DECIMAL_MAX_PRECISION + 1] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000, 10000000000LL, 100000000000LL,
    1000000000000LL, 10000000000000LL, 100000000000000LL, 1000000000000000LL, 10000000000000000LL,
    100000000000000000LL, 1000000000000000000LL, P19, P19 * 10, P19 * 100, P19 * 1000, P19 * 10000, P19 * 100000,
    P19 * 1000000, P19 * 10000000, P19 * 100000000, P19 * 1000000000, P19 * 10000000000LL, P19 * 100000000000LL,
    P19 * 1000000000000LL, P19 * 10000000000000LL, P19 * 100000000000000LL, P19 * 1000000000000000LL,
    P19 * 10000000000000000LL, P19 * 100000000000000000LL, P19 * 1000000000000000000LL, P19 * P19,
};
#undef P19

kiln_int128 decimal_pow10(int n)
{
    if (n < 0) n = 0;
    if (n > DECIMAL_MAX_PRECISION) n = DECIMAL_MAX_PRECISION;
    return pow10_table[n];
}

static kiln_uint128 uabs128(kiln_int128 v) { return v < 0 ? (kiln_uint128)0 - (kiln_uint128)v : (kiln_uint128)v; }

bool decimal_fits(kiln_int128 v, int precision)
{
    if (precision >= DECIMAL_MAX_PRECISION) return uabs128(v) < (kiln_uint128)decimal_pow10(DECIMAL_MAX_PRECISION);
    return uabs128(v) < (kiln_uint128)decimal_pow10(precision);
}

bool decimal_overflow_error(int precision, int scale, Error *err)
{
    if (precision - scale > 0)
        return error_set(err, ERR_DATA,
                         "numeric field overflow (a value of precision %d, scale %d must round to an absolute value "
                         "less than 10^%d)",
                         precision, scale, precision - scale);
    return error_set(err, ERR_DATA,
                     "numeric field overflow (a value of precision %d, scale %d must round to an absolute value "
                     "less than 1)",
                     precision, scale);
}

/* ---- 256-bit unsigned helpers ------------------------------------------ */

typedef struct U256 {
    uint64_t w[4]; /* little-endian limbs */
} U256;

static U256 u256_from_u128(kiln_uint128 v)
{
    U256 r = {{(uint64_t)v, (uint64_t)(v >> 64), 0, 0}};
    return r;
}

static U256 u256_mul_u128(kiln_uint128 a, kiln_uint128 b)
{
    uint64_t x[2] = {(uint64_t)a, (uint64_t)(a >> 64)};
    uint64_t y[2] = {(uint64_t)b, (uint64_t)(b >> 64)};
    U256 r = {{0, 0, 0, 0}};
    for (int i = 0; i < 2; i++) {
        kiln_uint128 carry = 0;
        for (int j = 0; j < 2; j++) {
            kiln_uint128 t = (kiln_uint128)x[i] * y[j] + r.w[i + j] + carry;
            r.w[i + j] = (uint64_t)t;
            carry = t >> 64;
        }
        r.w[i + 2] = (uint64_t)carry;
    }
    return r;
}

/* x *= m; false if the product needs more than 256 bits. */
static bool u256_mul_small(U256 *x, uint64_t m)
{
    kiln_uint128 carry = 0;
    for (int i = 0; i < 4; i++) {
        kiln_uint128 t = (kiln_uint128)x->w[i] * m + carry;
        x->w[i] = (uint64_t)t;
        carry = t >> 64;
    }
    return carry == 0;
}

/* x *= 10^k; false on 256-bit overflow. */
static bool u256_mul_pow10(U256 *x, int k)
{
    while (k > 0) {
        int step = k > 19 ? 19 : k;
        uint64_t m = 1;
        for (int i = 0; i < step; i++) m *= 10;
        if (!u256_mul_small(x, m)) return false;
        k -= step;
    }
    return true;
}

/* q = n / d, returns n % d; d must be non-zero and below 2^127. */
static kiln_uint128 u256_divmod(U256 n, kiln_uint128 d, U256 *q)
{
    kiln_uint128 r = 0;
    U256 quot = {{0, 0, 0, 0}};
    for (int bit = 255; bit >= 0; bit--) {
        r = (r << 1) | ((n.w[bit / 64] >> (bit % 64)) & 1);
        if (r >= d) {
            r -= d;
            quot.w[bit / 64] |= (uint64_t)1 << (bit % 64);
        }
    }
    *q = quot;
    return r;
}

/* The value of x if it fits 128 bits unsigned. */
static bool u256_to_u128(U256 x, kiln_uint128 *out)
{
    if (x.w[2] != 0 || x.w[3] != 0) return false;
    *out = ((kiln_uint128)x.w[1] << 64) | x.w[0];
    return true;
}

/* |result| rounded (half away from zero) of n / d, checked to stay below 10^38. */
static bool u256_div_round(U256 n, kiln_uint128 d, kiln_uint128 *out)
{
    U256 q;
    kiln_uint128 r = u256_divmod(n, d, &q);
    kiln_uint128 qv;
    if (!u256_to_u128(q, &qv) || qv >= (kiln_uint128)decimal_pow10(DECIMAL_MAX_PRECISION)) return false;
    if (r >= d - r) qv++;
    if (qv >= (kiln_uint128)decimal_pow10(DECIMAL_MAX_PRECISION)) return false;
    *out = qv;
    return true;
}

/* ---- text ----------------------------------------------------------------- */

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

static bool syntax_error(const char *s, size_t n, Error *err)
{
    return error_set(err, ERR_DATA, "invalid input syntax for type numeric: \"%.*s\"", (int)(n > 200 ? 200 : n), s);
}

#define PARSE_MAX_DIGITS 100

/* The common input, [+-]digits[.digits] with at most 18 digits, no more
 * fractional digits than `scale` and a result that fits `precision`, in one
 * pass of 64-bit arithmetic.  Returns false for anything else (spaces,
 * exponents, rounding, overflow, errors), which decimal_parse's general
 * path then handles, so both give the same results and messages. */
static bool parse_simple(const char *s, size_t n, int precision, int scale, kiln_int128 *out)
{
    const char *p = s, *end = s + n;
    bool negative = false;
    if (p < end && (*p == '-' || *p == '+')) negative = *p++ == '-';
    const char *digits = p;
    uint64_t v = 0; /* may wrap past 19 digits: such inputs are rejected below */
    unsigned d;
    while (p < end && (d = (unsigned)(unsigned char)*p - '0') <= 9) {
        v = v * 10 + d;
        p++;
    }
    long nd = p - digits, frac = 0;
    if (p < end && *p == '.') {
        const char *point = ++p;
        while (p < end && (d = (unsigned)(unsigned char)*p - '0') <= 9) {
            v = v * 10 + d;
            p++;
        }
        frac = p - point;
        nd += frac;
    }
    if (p != end || nd == 0 || nd > 18) return false;
    if (frac > scale || nd + (scale - frac) > DECIMAL_MAX_PRECISION) return false;
    kiln_int128 r = (kiln_int128)v * pow10_table[scale - frac];
    if (!decimal_fits(r, precision)) return false;
    *out = negative ? -r : r;
    return true;
}

bool decimal_parse(const char *s, size_t n, int precision, int scale, kiln_int128 *out, Error *err)
{
    if (parse_simple(s, n, precision, scale, out)) return true;
    size_t i = 0, end = n;
    while (i < end && is_space(s[i])) i++;
    while (end > i && is_space(s[end - 1])) end--;
    bool negative = false;
    if (i < end && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
    char digits[PARSE_MAX_DIGITS];
    int nd = 0;
    int64_t exp10 = 0; /* value = digits * 10^exp10 */
    bool any_digit = false, seen_point = false;
    for (; i < end; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            any_digit = true;
            if (nd == 0 && c == '0') {
                if (seen_point) exp10--;
                continue;
            }
            if (nd < PARSE_MAX_DIGITS) {
                digits[nd++] = c;
                if (seen_point) exp10--;
            } else if (!seen_point) {
                exp10++; /* too many integer digits: the value will overflow anyway */
            }
        } else if (c == '.' && !seen_point) {
            seen_point = true;
        } else {
            break;
        }
    }
    if (!any_digit) return syntax_error(s, n, err);
    if (i < end && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < end && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
        if (i >= end || s[i] < '0' || s[i] > '9') return syntax_error(s, n, err);
        int64_t e = 0;
        for (; i < end && s[i] >= '0' && s[i] <= '9'; i++)
            if (e < 1000000) e = e * 10 + (s[i] - '0');
        exp10 += eneg ? -e : e;
    }
    if (i != end) return syntax_error(s, n, err);

    kiln_int128 v = 0;
    int64_t shift = exp10 + scale;
    if (nd == 0) {
        v = 0;
    } else if (shift >= 0) {
        if (nd + shift > DECIMAL_MAX_PRECISION) return decimal_overflow_error(precision, scale, err);
        for (int k = 0; k < nd; k++) v = v * 10 + (digits[k] - '0');
        v *= decimal_pow10((int)shift);
    } else {
        int64_t keep = nd + shift;
        if (keep > DECIMAL_MAX_PRECISION) return decimal_overflow_error(precision, scale, err);
        if (keep >= 0) {
            for (int k = 0; k < keep; k++) v = v * 10 + (digits[k] - '0');
            if (digits[keep] >= '5') v++;
        }
    }
    if (!decimal_fits(v, precision)) return decimal_overflow_error(precision, scale, err);
    *out = negative ? -v : v;
    return true;
}

size_t decimal_format(kiln_int128 v, int scale, char *buf)
{
    char tmp[DECIMAL_TEXT_MAX];
    int nd = 0;
    kiln_uint128 m = uabs128(v);
    if (m <= UINT64_MAX) { /* the common case: 64-bit divisions, not 128-bit library calls */
        uint64_t m64 = (uint64_t)m;
        do {
            tmp[nd++] = (char)('0' + (int)(m64 % 10));
            m64 /= 10;
        } while (m64 != 0);
    } else {
        do {
            tmp[nd++] = (char)('0' + (int)(m % 10));
            m /= 10;
        } while (m != 0);
    }
    while (nd <= scale) tmp[nd++] = '0'; /* at least one integer digit */
    size_t len = 0;
    if (v < 0) buf[len++] = '-';
    for (int k = nd - 1; k >= 0; k--) {
        buf[len++] = tmp[k];
        if (k == scale && scale > 0) buf[len++] = '.';
    }
    buf[len] = '\0';
    return len;
}

/* ---- scaling and arithmetic ----------------------------------------------- */

kiln_int128 decimal_round_div_pow10(kiln_int128 v, int digits)
{
    if (digits <= 0) return v;
    if (digits > DECIMAL_MAX_PRECISION) return 0; /* |v| < 2^127 < 10^39 / 2: rounds to zero */
    kiln_uint128 p = (kiln_uint128)decimal_pow10(digits);
    kiln_uint128 m = uabs128(v);
    kiln_uint128 q = m / p, r = m % p;
    if (r >= p - r) q++;
    return v < 0 ? -(kiln_int128)q : (kiln_int128)q;
}

bool decimal_rescale(kiln_int128 v, int from_scale, int to_scale, int to_precision, kiln_int128 *out, Error *err)
{
    kiln_int128 r;
    if (to_scale >= from_scale) {
        int k = to_scale - from_scale;
        if (v != 0) {
            if (k > to_precision) return decimal_overflow_error(to_precision, to_scale, err);
            if (uabs128(v) >= (kiln_uint128)decimal_pow10(to_precision - k))
                return decimal_overflow_error(to_precision, to_scale, err);
        }
        r = v * decimal_pow10(k);
    } else {
        r = decimal_round_div_pow10(v, from_scale - to_scale);
        if (!decimal_fits(r, to_precision)) return decimal_overflow_error(to_precision, to_scale, err);
    }
    *out = r;
    return true;
}

bool decimal_add(kiln_int128 a, kiln_int128 b, int precision, int scale, kiln_int128 *out, Error *err)
{
    kiln_int128 r = a + b; /* |a|,|b| < 10^38: the sum cannot overflow 128 bits */
    if (!decimal_fits(r, precision)) return decimal_overflow_error(precision, scale, err);
    *out = r;
    return true;
}

bool decimal_sub(kiln_int128 a, kiln_int128 b, int precision, int scale, kiln_int128 *out, Error *err)
{
    kiln_int128 r = a - b;
    if (!decimal_fits(r, precision)) return decimal_overflow_error(precision, scale, err);
    *out = r;
    return true;
}

bool decimal_mul(kiln_int128 a, int sa, kiln_int128 b, int sb, int out_precision, int out_scale, kiln_int128 *out,
                 Error *err)
{
    int drop = sa + sb - out_scale;
    bool negative = (a < 0) != (b < 0);
    kiln_uint128 ma = uabs128(a), mb = uabs128(b), m;
    if (ma <= (kiln_uint128)INT64_MAX && mb <= (kiln_uint128)INT64_MAX) {
        m = ma * mb; /* < 2^126 */
        if (drop > 0) m = uabs128(decimal_round_div_pow10((kiln_int128)m, drop));
        else if (drop < 0) return decimal_rescale(negative ? -(kiln_int128)m : (kiln_int128)m, sa + sb, out_scale,
                                                  out_precision, out, err);
    } else {
        U256 p = u256_mul_u128(ma, mb);
        if (drop > 0) {
            if (!u256_div_round(p, (kiln_uint128)decimal_pow10(drop), &m))
                return decimal_overflow_error(out_precision, out_scale, err);
        } else {
            if (!u256_to_u128(p, &m) || m >= (kiln_uint128)decimal_pow10(DECIMAL_MAX_PRECISION))
                return decimal_overflow_error(out_precision, out_scale, err);
            if (drop < 0)
                return decimal_rescale(negative ? -(kiln_int128)m : (kiln_int128)m, sa + sb, out_scale,
                                       out_precision, out, err);
        }
    }
    kiln_int128 r = negative ? -(kiln_int128)m : (kiln_int128)m;
    if (!decimal_fits(r, out_precision)) return decimal_overflow_error(out_precision, out_scale, err);
    *out = r;
    return true;
}

bool decimal_div(kiln_int128 a, int sa, kiln_int128 b, int sb, int out_precision, int out_scale, kiln_int128 *out,
                 Error *err)
{
    if (b == 0) return error_set(err, ERR_DATA, "division by zero");
    /* a/10^sa / (b/10^sb) at out_scale = a * 10^(out_scale - sa + sb) / b */
    int k = out_scale - sa + sb;
    bool negative = (a < 0) != (b < 0);
    kiln_uint128 ma = uabs128(a), mb = uabs128(b), m;
    if (k < 0) {
        /* only when out_scale < sa - sb: divide by b * 10^-k instead */
        U256 den = u256_from_u128(mb);
        if (!u256_mul_pow10(&den, -k)) {
            m = 0;
        } else {
            kiln_uint128 d;
            if (!u256_to_u128(den, &d) || d >= ((kiln_uint128)1 << 127)) {
                m = 0; /* divisor beyond every 38-digit numerator: the quotient rounds to zero */
            } else {
                m = ma / d;
                kiln_uint128 r = ma % d;
                if (r >= d - r) m++;
            }
        }
    } else if (k <= DECIMAL_MAX_PRECISION && ma < (kiln_uint128)decimal_pow10(DECIMAL_MAX_PRECISION - k)) {
        kiln_uint128 num = ma * (kiln_uint128)decimal_pow10(k);
        m = num / mb;
        kiln_uint128 r = num % mb;
        if (r >= mb - r) m++;
    } else {
        U256 num = u256_from_u128(ma);
        if (!u256_mul_pow10(&num, k) || !u256_div_round(num, mb, &m))
            return decimal_overflow_error(out_precision, out_scale, err);
    }
    kiln_int128 r = negative ? -(kiln_int128)m : (kiln_int128)m;
    if (!decimal_fits(r, out_precision)) return decimal_overflow_error(out_precision, out_scale, err);
    *out = r;
    return true;
}

bool decimal_mod(kiln_int128 a, int sa, kiln_int128 b, int sb, int out_precision, int out_scale, kiln_int128 *out,
                 Error *err)
{
    if (b == 0) return error_set(err, ERR_DATA, "division by zero");
    kiln_int128 x, y;
    if (!decimal_rescale(a, sa, out_scale, DECIMAL_MAX_PRECISION, &x, err)) return false;
    if (!decimal_rescale(b, sb, out_scale, DECIMAL_MAX_PRECISION, &y, err)) return false;
    kiln_int128 r = x % y; /* C truncates: the remainder takes a's sign, as PostgreSQL's */
    if (!decimal_fits(r, out_precision)) return decimal_overflow_error(out_precision, out_scale, err);
    *out = r;
    return true;
}

int decimal_compare(kiln_int128 a, int sa, kiln_int128 b, int sb)
{
    if (sa != sb) {
        /* bring the smaller scale up; if that overflows, its magnitude wins */
        if (sa < sb) {
            kiln_int128 p = decimal_pow10(sb - sa);
            if (uabs128(a) > (kiln_uint128)INT128_MAX_VALUE / (kiln_uint128)p) return a < 0 ? -1 : 1;
            a *= p;
        } else {
            kiln_int128 p = decimal_pow10(sa - sb);
            if (uabs128(b) > (kiln_uint128)INT128_MAX_VALUE / (kiln_uint128)p) return b < 0 ? 1 : -1;
            b *= p;
        }
    }
    return a < b ? -1 : a > b ? 1 : 0;
}

/* ---- conversions ---------------------------------------------------------- */

bool decimal_from_int64(int64_t v, int precision, int scale, kiln_int128 *out, Error *err)
{
    return decimal_rescale((kiln_int128)v, 0, scale, precision, out, err);
}

bool decimal_to_int64(kiln_int128 v, int scale, int64_t min, int64_t max, int64_t *out)
{
    kiln_int128 r = decimal_round_div_pow10(v, scale);
    if (r < (kiln_int128)min || r > (kiln_int128)max) return false;
    *out = (int64_t)r;
    return true;
}

bool decimal_from_double(double d, int precision, int scale, kiln_int128 *out, Error *err)
{
    if (isnan(d)) return error_set(err, ERR_DATA, "cannot convert NaN to numeric");
    if (isinf(d))
        return error_set(err, ERR_DATA,
                         "numeric field overflow (a value of precision %d, scale %d cannot hold an infinite value)",
                         precision, scale);
    char buf[64];
    int len = snprintf(buf, sizeof buf, "%.15g", d);
    return decimal_parse(buf, (size_t)len, precision, scale, out, err);
}

double decimal_to_double(kiln_int128 v, int scale)
{
    static const double exact_pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                         1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    /* both operands exact: one correctly rounded division */
    if (uabs128(v) <= ((kiln_uint128)1 << 53) && scale <= 22) return (double)v / exact_pow10[scale];
    char buf[DECIMAL_TEXT_MAX];
    decimal_format(v, scale, buf);
    return strtod(buf, NULL);
}

/* ---- result types --------------------------------------------------------- */

static int imax(int a, int b) { return a > b ? a : b; }
static int imin(int a, int b) { return a < b ? a : b; }

LogicalType decimal_result_type(DecimalOp op, LogicalType a, LogicalType b)
{
    int p1 = a.precision, s1 = a.scale, p2 = b.precision, s2 = b.scale;
    int p, s;
    switch (op) {
    case DECIMAL_OP_ADD:
    case DECIMAL_OP_SUB:
        s = imax(s1, s2);
        p = imax(p1 - s1, p2 - s2) + s + 1;
        break;
    case DECIMAL_OP_MUL:
        s = s1 + s2;
        p = p1 + p2;
        break;
    case DECIMAL_OP_DIV:
        s = imax(6, imax(s1, s2));
        p = (p1 - s1) + s2 + s;
        break;
    case DECIMAL_OP_MOD:
    default:
        s = imax(s1, s2);
        p = imin(p1 - s1, p2 - s2) + s;
        break;
    }
    if (s > DECIMAL_MAX_PRECISION) s = DECIMAL_MAX_PRECISION;
    if (p > DECIMAL_MAX_PRECISION) p = DECIMAL_MAX_PRECISION;
    if (p < 1) p = 1;
    if (s > p) p = s;
    return type_decimal(p, s);
}
