/* cast: conversions between kiln types with PostgreSQL's rules (see cast.h).
 *
 * Three parts: the cast catalogue (which conversions exist, in which
 * contexts, at what overload-resolution cost: PostgreSQL's pg_cast and its
 * type categories), text input and output (PostgreSQL's *in / *out functions,
 * written to run per CSV field without allocating: integers are parsed by
 * hand, doubles take a Clinger fast path before strtod), and cast_vector,
 * one tight loop per (source, target) pair.  Memory: only the target
 * vector's string heap, and a temporary buffer for numbers longer than 128
 * characters. */
#include "types/cast.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "types/datetime.h"
#include "types/decimal.h"

/* ---- the cast catalogue --------------------------------------------------- */

CastKind cast_kind(LogicalType from, LogicalType to)
{
    if (from.id == to.id) return CAST_IMPLICIT; /* DECIMAL typmod coercion is implicit too */
    if (from.id == TYPE_NULL) return CAST_IMPLICIT;
    if (to.id == TYPE_VARCHAR) return from.id == TYPE_INVALID ? CAST_NONE : CAST_ASSIGNMENT;
    switch (from.id) {
    case TYPE_INTEGER:
        if (to.id == TYPE_BIGINT || to.id == TYPE_DECIMAL || to.id == TYPE_DOUBLE) return CAST_IMPLICIT;
        if (to.id == TYPE_BOOLEAN) return CAST_EXPLICIT;
        return CAST_NONE;
    case TYPE_BIGINT:
        if (to.id == TYPE_DECIMAL || to.id == TYPE_DOUBLE) return CAST_IMPLICIT;
        if (to.id == TYPE_INTEGER) return CAST_ASSIGNMENT;
        return CAST_NONE;
    case TYPE_DECIMAL:
        if (to.id == TYPE_DOUBLE) return CAST_IMPLICIT;
        if (to.id == TYPE_INTEGER || to.id == TYPE_BIGINT) return CAST_ASSIGNMENT;
        return CAST_NONE;
    case TYPE_DOUBLE:
        if (to.id == TYPE_INTEGER || to.id == TYPE_BIGINT || to.id == TYPE_DECIMAL) return CAST_ASSIGNMENT;
        return CAST_NONE;
    case TYPE_BOOLEAN: return to.id == TYPE_INTEGER ? CAST_EXPLICIT : CAST_NONE;
    case TYPE_DATE: return to.id == TYPE_TIMESTAMP ? CAST_IMPLICIT : CAST_NONE;
    case TYPE_TIMESTAMP: return to.id == TYPE_DATE ? CAST_ASSIGNMENT : CAST_NONE;
    case TYPE_VARCHAR:
        /* text input of every type: PostgreSQL's I/O conversion casts */
        return to.id == TYPE_INVALID || to.id == TYPE_NULL ? CAST_NONE : CAST_EXPLICIT;
    default: return CAST_NONE;
    }
}

int cast_implicit_cost(LogicalType from, LogicalType to)
{
    if (from.id == to.id) return 0;
    if (from.id == TYPE_NULL) return 0;
    if (cast_kind(from, to) != CAST_IMPLICIT) return -1;
    switch (from.id) {
    case TYPE_INTEGER: return to.id == TYPE_BIGINT ? 1 : to.id == TYPE_DECIMAL ? 2 : 3;
    case TYPE_BIGINT: return to.id == TYPE_DECIMAL ? 1 : 2;
    case TYPE_DECIMAL: return 1;
    case TYPE_DATE: return 1;
    default: return -1;
    }
}

LogicalType cast_decimal_for(LogicalType t)
{
    switch (t.id) {
    case TYPE_DECIMAL: return t;
    case TYPE_INTEGER: return type_decimal(10, 0);
    case TYPE_BIGINT: return type_decimal(19, 0);
    case TYPE_BOOLEAN: return type_decimal(1, 0);
    default: return type_decimal(DECIMAL_DEFAULT_PRECISION, DECIMAL_DEFAULT_SCALE);
    }
}

/* The decimal type that holds both a and b (precision capped at 38). */
static LogicalType widen_decimal(LogicalType a, LogicalType b)
{
    int s = a.scale > b.scale ? a.scale : b.scale;
    int ia = a.precision - a.scale, ib = b.precision - b.scale;
    int p = (ia > ib ? ia : ib) + s;
    if (p > DECIMAL_MAX_PRECISION) p = DECIMAL_MAX_PRECISION;
    return type_decimal(p, s);
}

/* Rank in PostgreSQL's numeric category: the wider type wins. */
static int numeric_rank(TypeId id)
{
    switch (id) {
    case TYPE_INTEGER: return 1;
    case TYPE_BIGINT: return 2;
    case TYPE_DECIMAL: return 3;
    case TYPE_DOUBLE: return 4;
    default: return 0;
    }
}

bool cast_common_type(LogicalType a, LogicalType b, LogicalType *out)
{
    if (a.id == TYPE_NULL) {
        *out = b;
        return true;
    }
    if (b.id == TYPE_NULL || type_equal(a, b)) {
        *out = a;
        return true;
    }
    int ra = numeric_rank(a.id), rb = numeric_rank(b.id);
    if (ra && rb) {
        if (ra == 4 || rb == 4) *out = type_make(TYPE_DOUBLE);
        else if (ra == 3 || rb == 3) *out = widen_decimal(cast_decimal_for(a), cast_decimal_for(b));
        else *out = type_make(TYPE_BIGINT);
        return true;
    }
    if ((a.id == TYPE_DATE && b.id == TYPE_TIMESTAMP) || (a.id == TYPE_TIMESTAMP && b.id == TYPE_DATE)) {
        *out = type_make(TYPE_TIMESTAMP);
        return true;
    }
    return false;
}

/* ---- text input ---------------------------------------------------------------- */

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

static int clip(size_t n) { return (int)(n > 200 ? 200 : n); }

typedef enum NumParse { NUM_OK, NUM_SYNTAX, NUM_RANGE } NumParse;

/* PostgreSQL's pg_strtoint: spaces, sign, digits, spaces. Accumulates
 * negatively so the minimum value parses. */
static NumParse parse_int64(const char *s, size_t n, int64_t min, int64_t max, int64_t *out)
{
    size_t i = 0;
    while (i < n && is_space(s[i])) i++;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    if (i >= n || s[i] < '0' || s[i] > '9') return NUM_SYNTAX;
    int64_t acc = 0;
    bool overflow = false;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        int d = s[i] - '0';
        if (!overflow && (__builtin_mul_overflow(acc, 10, &acc) || __builtin_sub_overflow(acc, d, &acc)))
            overflow = true;
    }
    while (i < n && is_space(s[i])) i++;
    if (i != n) return NUM_SYNTAX;
    if (overflow) return NUM_RANGE;
    if (!neg) {
        if (acc == INT64_MIN) return NUM_RANGE;
        acc = -acc;
    }
    if (acc < min || acc > max) return NUM_RANGE;
    *out = acc;
    return NUM_OK;
}

static bool int_error(NumParse st, const char *s, size_t n, const char *type, Error *err)
{
    if (st == NUM_RANGE)
        return error_set(err, ERR_DATA, "value \"%.*s\" is out of range for type %s", clip(n), s, type);
    return error_set(err, ERR_DATA, "invalid input syntax for type %s: \"%.*s\"", type, clip(n), s);
}

static bool word_eq(const char *s, size_t n, const char *w) { return strlen(w) == n && strncasecmp(s, w, n) == 0; }

/* PostgreSQL's float8in: strtod semantics plus its special words. */
static NumParse parse_double(const char *s, size_t n, double *out)
{
    size_t i = 0, end = n;
    while (i < end && is_space(s[i])) i++;
    while (end > i && is_space(s[end - 1])) end--;
    const char *p = s + i;
    size_t len = end - i;
    if (len == 0) return NUM_SYNTAX;
    /* Clinger's fast path: up to 15 significant digits and a power of ten
     * that is exact in a double give a correctly rounded result with one
     * multiplication or division. */
    {
        static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
        size_t k = 0;
        bool neg = false;
        if (k < len && (p[k] == '+' || p[k] == '-')) neg = p[k++] == '-';
        uint64_t mant = 0;
        int sig = 0, exp10 = 0;
        bool any = false, simple = true;
        for (; k < len && p[k] >= '0' && p[k] <= '9'; k++) {
            any = true;
            if (mant == 0 && p[k] == '0') continue;
            if (sig < 19) mant = mant * 10 + (uint64_t)(p[k] - '0'), sig++;
            else simple = false;
        }
        if (k < len && p[k] == '.') {
            for (k++; k < len && p[k] >= '0' && p[k] <= '9'; k++) {
                any = true;
                if (mant == 0 && p[k] == '0') {
                    exp10--;
                    continue;
                }
                if (sig < 19) mant = mant * 10 + (uint64_t)(p[k] - '0'), sig++, exp10--;
                else simple = false;
            }
        }
        if (any && k < len && (p[k] == 'e' || p[k] == 'E')) {
            size_t e = k + 1;
            bool eneg = false;
            if (e < len && (p[e] == '+' || p[e] == '-')) eneg = p[e++] == '-';
            int ev = 0;
            bool edig = false;
            for (; e < len && p[e] >= '0' && p[e] <= '9'; e++) {
                edig = true;
                if (ev < 10000) ev = ev * 10 + (p[e] - '0');
            }
            if (edig) {
                exp10 += eneg ? -ev : ev;
                k = e;
            } else {
                simple = false; /* let strtod decide what "1e" means */
            }
        }
        if (any && simple && k == len && sig <= 15 && exp10 >= -22 && exp10 <= 22) {
            double v = (double)mant;
            v = exp10 >= 0 ? v * pow10[exp10] : v / pow10[-exp10];
            *out = neg ? -v : v;
            return NUM_OK;
        }
    }
    if (word_eq(p, len, "nan") || word_eq(p, len, "+nan") || word_eq(p, len, "-nan")) {
        *out = NAN;
        return NUM_OK;
    }
    if (word_eq(p, len, "infinity") || word_eq(p, len, "+infinity") || word_eq(p, len, "inf") ||
        word_eq(p, len, "+inf")) {
        *out = INFINITY;
        return NUM_OK;
    }
    if (word_eq(p, len, "-infinity") || word_eq(p, len, "-inf")) {
        *out = -INFINITY;
        return NUM_OK;
    }
    char stack[128];
    char *buf = len < sizeof stack ? stack : mem_alloc(len + 1);
    memcpy(buf, p, len);
    buf[len] = '\0';
    errno = 0;
    char *endp;
    double v = strtod(buf, &endp);
    NumParse st = NUM_OK;
    if (endp == buf || *endp != '\0') st = NUM_SYNTAX;
    else if (errno == ERANGE && (v == 0.0 || fabs(v) >= HUGE_VAL)) st = NUM_RANGE;
    else if (isnan(v) || isinf(v)) st = NUM_SYNTAX; /* "nan(...)" and friends: only the words above */
    if (buf != stack) mem_free(buf);
    *out = v;
    return st;
}

/* PostgreSQL's parse_bool: t/true/y/yes/on/1 and f/false/n/no/off/0, any
 * unambiguous prefix, case-insensitive, surrounding spaces allowed. */
static bool parse_bool(const char *s, size_t n, bool *out)
{
    while (n > 0 && is_space(*s)) s++, n--;
    while (n > 0 && is_space(s[n - 1])) n--;
    if (n == 0) return false;
    switch (s[0] | 0x20) {
    case 't': if (n <= 4 && strncasecmp(s, "true", n) == 0) return *out = true, true; break;
    case 'f': if (n <= 5 && strncasecmp(s, "false", n) == 0) return *out = false, true; break;
    case 'y': if (n <= 3 && strncasecmp(s, "yes", n) == 0) return *out = true, true; break;
    case 'n': if (n <= 2 && strncasecmp(s, "no", n) == 0) return *out = false, true; break;
    case 'o':
        /* "o" alone is ambiguous */
        if (n == 2 && strncasecmp(s, "on", n) == 0) return *out = true, true;
        if (n >= 2 && n <= 3 && strncasecmp(s, "off", n) == 0) return *out = false, true;
        break;
    default: break;
    }
    if (n == 1 && s[0] == '1') return *out = true, true;
    if (n == 1 && s[0] == '0') return *out = false, true;
    return false;
}

bool cast_parse_text(const char *s, size_t n, Vector *dst, uint32_t row, Error *err)
{
    switch (dst->type.id) {
    case TYPE_BOOLEAN: {
        bool b;
        if (!parse_bool(s, n, &b))
            return error_set(err, ERR_DATA, "invalid input syntax for type boolean: \"%.*s\"", clip(n), s);
        VEC_DATA(dst, uint8_t)[row] = b;
        break;
    }
    case TYPE_INTEGER: {
        int64_t v;
        NumParse st = parse_int64(s, n, INT32_MIN, INT32_MAX, &v);
        if (st != NUM_OK) return int_error(st, s, n, "integer", err);
        VEC_DATA(dst, int32_t)[row] = (int32_t)v;
        break;
    }
    case TYPE_BIGINT: {
        int64_t v;
        NumParse st = parse_int64(s, n, INT64_MIN, INT64_MAX, &v);
        if (st != NUM_OK) return int_error(st, s, n, "bigint", err);
        VEC_DATA(dst, int64_t)[row] = v;
        break;
    }
    case TYPE_DOUBLE: {
        double v;
        NumParse st = parse_double(s, n, &v);
        if (st == NUM_RANGE)
            return error_set(err, ERR_DATA, "\"%.*s\" is out of range for type double precision", clip(n), s);
        if (st != NUM_OK)
            return error_set(err, ERR_DATA, "invalid input syntax for type double precision: \"%.*s\"", clip(n), s);
        VEC_DATA(dst, double)[row] = v;
        break;
    }
    case TYPE_DECIMAL: {
        kiln_int128 v;
        if (!decimal_parse(s, n, dst->type.precision, dst->type.scale, &v, err)) return false;
        decimal_store(dst, row, v);
        break;
    }
    case TYPE_VARCHAR:
        if (n > UINT32_MAX) return error_set(err, ERR_DATA, "string too long (%zu bytes)", n);
        vector_set_string(dst, row, s, (uint32_t)n);
        break;
    case TYPE_DATE:
        if (!datetime_parse_date(s, n, &VEC_DATA(dst, int32_t)[row], err)) return false;
        break;
    case TYPE_TIMESTAMP:
        if (!datetime_parse_timestamp(s, n, &VEC_DATA(dst, int64_t)[row], err)) return false;
        break;
    case TYPE_INTERVAL:
        if (!datetime_parse_interval(s, n, &VEC_DATA(dst, Interval)[row], err)) return false;
        break;
    case TYPE_NULL:
        vector_set_null(dst, row);
        return true;
    case TYPE_INVALID:
        return error_set(err, ERR_INTERNAL, "cast_parse_text: invalid target type");
    }
    vector_set_valid(dst, row);
    return true;
}

/* ---- text output ---------------------------------------------------------------- */

/* Longest text of any non-VARCHAR value, with its NUL. */
#define FORMAT_MAX DATETIME_TEXT_MAX

static size_t format_int64(int64_t v, char *buf)
{
    char tmp[24];
    int n = 0;
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + m % 10);
        m /= 10;
    } while (m);
    size_t len = 0;
    if (v < 0) buf[len++] = '-';
    while (n > 0) buf[len++] = tmp[--n];
    buf[len] = '\0';
    return len;
}

/* PostgreSQL 12+ float8out: the shortest digits that read back to the same
 * double, in fixed notation when the decimal exponent is in [-4, 15), else
 * as d.ddde+XX. */
static size_t format_double(double d, char *buf)
{
    if (isnan(d)) return (size_t)sprintf(buf, "NaN");
    if (isinf(d)) return (size_t)sprintf(buf, d < 0 ? "-Infinity" : "Infinity");
    if (d == 0) return (size_t)sprintf(buf, signbit(d) ? "-0" : "0");
    if (fabs(d) < 1e15 && d == trunc(d)) return format_int64((int64_t)d, buf);
    /* shortest round-trip precision by binary search (round-trip is monotone in the digit count) */
    char tmp[40];
    int lo = 1, hi = 17;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        snprintf(tmp, sizeof tmp, "%.*e", mid - 1, d);
        if (strtod(tmp, NULL) == d) hi = mid;
        else lo = mid + 1;
    }
    snprintf(tmp, sizeof tmp, "%.*e", lo - 1, d);
    /* tmp: [-]D[.DDD]e(+|-)XX */
    char digits[24] = {0};
    int nd = 0;
    const char *p = tmp;
    bool neg = *p == '-';
    if (neg) p++;
    for (; *p && *p != 'e'; p++)
        if (*p != '.' && nd < (int)sizeof digits) digits[nd++] = *p;
    int exp = atoi(p + 1);
    size_t len = 0;
    if (neg) buf[len++] = '-';
    if (exp < -4 || exp >= 15) {
        buf[len++] = digits[0];
        if (nd > 1) {
            buf[len++] = '.';
            for (int k = 1; k < nd; k++) buf[len++] = digits[k];
        }
        len += (size_t)sprintf(buf + len, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    } else if (exp < 0) {
        buf[len++] = '0';
        buf[len++] = '.';
        for (int k = -1; k > exp; k--) buf[len++] = '0';
        for (int k = 0; k < nd; k++) buf[len++] = digits[k];
        buf[len] = '\0';
    } else {
        for (int k = 0; k <= exp || k < nd; k++) {
            if (k == exp + 1) buf[len++] = '.';
            buf[len++] = k < nd ? digits[k] : '0';
        }
        buf[len] = '\0';
    }
    return len;
}

/* Text of a non-VARCHAR slot into buf (FORMAT_MAX bytes); returns its length. */
static size_t format_slot(const Vector *v, uint32_t row, char *buf)
{
    switch (v->type.id) {
    case TYPE_BOOLEAN: return (size_t)sprintf(buf, "%s", VEC_DATA(v, uint8_t)[row] ? "true" : "false");
    case TYPE_INTEGER: return format_int64(VEC_DATA(v, int32_t)[row], buf);
    case TYPE_BIGINT: return format_int64(VEC_DATA(v, int64_t)[row], buf);
    case TYPE_DOUBLE: return format_double(VEC_DATA(v, double)[row], buf);
    case TYPE_DECIMAL: return decimal_format(decimal_load(v, row), v->type.scale, buf);
    case TYPE_DATE: return datetime_format_date(VEC_DATA(v, int32_t)[row], buf);
    case TYPE_TIMESTAMP: return datetime_format_timestamp(VEC_DATA(v, int64_t)[row], buf);
    case TYPE_INTERVAL: return datetime_format_interval(VEC_DATA(v, Interval)[row], buf);
    default: buf[0] = '\0'; return 0;
    }
}

void cast_format_value(const Vector *v, uint32_t row, StrBuf *out)
{
    if (!vector_is_valid(v, row) || v->type.id == TYPE_NULL) return;
    if (v->type.id == TYPE_VARCHAR) {
        const KString *k = &VEC_DATA(v, KString)[row];
        strbuf_append(out, kstring_data(k), k->len);
        return;
    }
    char buf[FORMAT_MAX];
    size_t len = format_slot(v, row, buf);
    strbuf_append(out, buf, len);
}

/* ---- cast_vector ------------------------------------------------------------------ */

static bool out_of_range(LogicalType t, Error *err)
{
    return error_set(err, ERR_DATA, "%s out of range", t.id == TYPE_INTEGER ? "integer" : "bigint");
}

/* PostgreSQL's dtoi4/dtoi8: round half to even (rint), then range-check. */
static bool double_to_int(double d, LogicalType t, int64_t *out, Error *err)
{
    double r = rint(d);
    if (t.id == TYPE_INTEGER) {
        if (isnan(r) || !(r >= (double)INT32_MIN && r < -(double)INT32_MIN)) return out_of_range(t, err);
    } else {
        if (isnan(r) || !(r >= -9223372036854775808.0 && r < 9223372036854775808.0)) return out_of_range(t, err);
    }
    *out = (int64_t)r;
    return true;
}

static bool cannot_cast(LogicalType from, LogicalType to, Error *err)
{
    char a[48], b[48];
    return error_set(err, ERR_SQL, "cannot cast type %s to %s", type_name(from, a, sizeof a),
                     type_name(to, b, sizeof b));
}

/* Read any integral/boolean slot as int64. */
static inline int64_t load_int(const Vector *v, uint32_t i)
{
    switch (v->type.id) {
    case TYPE_BOOLEAN: return VEC_DATA(v, uint8_t)[i];
    case TYPE_INTEGER: return VEC_DATA(v, int32_t)[i];
    default: return VEC_DATA(v, int64_t)[i];
    }
}

#define FOR_VALID_ROWS(i) for (uint32_t i = 0; i < count; i++) if (vector_is_valid(src, i))

static bool cast_to_integral(const Vector *src, Vector *dst, uint32_t count, Error *err)
{
    LogicalType t = dst->type;
    int64_t lo = t.id == TYPE_INTEGER ? INT32_MIN : INT64_MIN, hi = t.id == TYPE_INTEGER ? INT32_MAX : INT64_MAX;
    int64_t v = 0;
    switch (src->type.id) {
    case TYPE_BOOLEAN:
    case TYPE_INTEGER:
    case TYPE_BIGINT:
        FOR_VALID_ROWS(i)
        {
            v = load_int(src, i);
            if (v < lo || v > hi) return out_of_range(t, err);
            if (t.id == TYPE_INTEGER) VEC_DATA(dst, int32_t)[i] = (int32_t)v;
            else VEC_DATA(dst, int64_t)[i] = v;
        }
        return true;
    case TYPE_DOUBLE:
        FOR_VALID_ROWS(i)
        {
            if (!double_to_int(VEC_DATA(src, double)[i], t, &v, err)) return false;
            if (t.id == TYPE_INTEGER) VEC_DATA(dst, int32_t)[i] = (int32_t)v;
            else VEC_DATA(dst, int64_t)[i] = v;
        }
        return true;
    case TYPE_DECIMAL:
        FOR_VALID_ROWS(i)
        {
            if (!decimal_to_int64(decimal_load(src, i), src->type.scale, lo, hi, &v)) return out_of_range(t, err);
            if (t.id == TYPE_INTEGER) VEC_DATA(dst, int32_t)[i] = (int32_t)v;
            else VEC_DATA(dst, int64_t)[i] = v;
        }
        return true;
    default: return cannot_cast(src->type, t, err);
    }
}

static bool cast_to_decimal(const Vector *src, Vector *dst, uint32_t count, Error *err)
{
    int p = dst->type.precision, s = dst->type.scale;
    kiln_int128 v;
    switch (src->type.id) {
    case TYPE_BOOLEAN:
    case TYPE_INTEGER:
    case TYPE_BIGINT:
        FOR_VALID_ROWS(i)
        {
            if (!decimal_from_int64(load_int(src, i), p, s, &v, err)) return false;
            decimal_store(dst, i, v);
        }
        return true;
    case TYPE_DOUBLE:
        FOR_VALID_ROWS(i)
        {
            if (!decimal_from_double(VEC_DATA(src, double)[i], p, s, &v, err)) return false;
            decimal_store(dst, i, v);
        }
        return true;
    case TYPE_DECIMAL: {
        int from = src->type.scale;
        FOR_VALID_ROWS(i)
        {
            if (!decimal_rescale(decimal_load(src, i), from, s, p, &v, err)) return false;
            decimal_store(dst, i, v);
        }
        return true;
    }
    default: return cannot_cast(src->type, dst->type, err);
    }
}

static bool cast_to_double(const Vector *src, Vector *dst, uint32_t count, Error *err)
{
    double *out = VEC_DATA(dst, double);
    switch (src->type.id) {
    case TYPE_INTEGER: FOR_VALID_ROWS(i) out[i] = VEC_DATA(src, int32_t)[i]; return true;
    case TYPE_BIGINT: FOR_VALID_ROWS(i) out[i] = (double)VEC_DATA(src, int64_t)[i]; return true;
    case TYPE_BOOLEAN: FOR_VALID_ROWS(i) out[i] = VEC_DATA(src, uint8_t)[i]; return true;
    case TYPE_DECIMAL: FOR_VALID_ROWS(i) out[i] = decimal_to_double(decimal_load(src, i), src->type.scale); return true;
    default: return cannot_cast(src->type, dst->type, err);
    }
}

static bool cast_from_text(const Vector *src, Vector *dst, uint32_t count, Error *err)
{
    const KString *in = VEC_DATA(src, KString);
    FOR_VALID_ROWS(i)
    {
        if (!cast_parse_text(kstring_data(&in[i]), in[i].len, dst, i, err)) return false;
    }
    return true;
}

bool cast_vector(const Vector *src, Vector *dst, uint32_t count, Error *err)
{
    LogicalType from = src->type, to = dst->type;
    /* the NULL pattern is the source's; values are written below for valid rows only */
    dst->validity = NULL;
    if (from.id == TYPE_NULL || to.id == TYPE_NULL) {
        for (uint32_t i = 0; i < count; i++) vector_set_null(dst, i);
        return true;
    }
    if (type_equal(from, to)) {
        vector_copy(dst, 0, src, NULL, count);
        return true;
    }
    if (src->validity != NULL)
        for (uint32_t i = 0; i < count; i++)
            if (!vector_is_valid(src, i)) vector_set_null(dst, i);
    if (from.id == TYPE_VARCHAR) return cast_from_text(src, dst, count, err);
    switch (to.id) {
    case TYPE_VARCHAR: {
        char buf[FORMAT_MAX];
        FOR_VALID_ROWS(i)
        {
            size_t len = format_slot(src, i, buf);
            VEC_DATA(dst, KString)[i] = vector_make_string(dst, buf, (uint32_t)len);
        }
        return true;
    }
    case TYPE_BOOLEAN:
        if (from.id != TYPE_INTEGER && from.id != TYPE_BIGINT) return cannot_cast(from, to, err);
        FOR_VALID_ROWS(i) VEC_DATA(dst, uint8_t)[i] = load_int(src, i) != 0;
        return true;
    case TYPE_INTEGER:
    case TYPE_BIGINT: return cast_to_integral(src, dst, count, err);
    case TYPE_DOUBLE: return cast_to_double(src, dst, count, err);
    case TYPE_DECIMAL: return cast_to_decimal(src, dst, count, err);
    case TYPE_DATE:
        if (from.id != TYPE_TIMESTAMP) return cannot_cast(from, to, err);
        FOR_VALID_ROWS(i) VEC_DATA(dst, int32_t)[i] = datetime_timestamp_to_date(VEC_DATA(src, int64_t)[i]);
        return true;
    case TYPE_TIMESTAMP:
        if (from.id != TYPE_DATE) return cannot_cast(from, to, err);
        FOR_VALID_ROWS(i)
        {
            if (!datetime_date_to_timestamp(VEC_DATA(src, int32_t)[i], &VEC_DATA(dst, int64_t)[i], err))
                return false;
        }
        return true;
    default: return cannot_cast(from, to, err);
    }
}
