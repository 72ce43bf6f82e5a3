/* csv_values: fast typed parsing of CSV fields and the inference test of
 * each inferable type (see csv_values.h). */
#include "formats/csv/csv_values.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "types/cast.h"

/* Sign and decimal digits only, fitting int64. */
static bool parse_int64_fast(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (n > 0 && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n || n - i > 19) return false;
    uint64_t v = 0;
    for (; i < n; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9) return false;
        v = v * 10 + d; /* 19 digits cannot wrap uint64 */
    }
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1) return false;
        *out = (int64_t)(0 - v);
    } else {
        if (v > (uint64_t)INT64_MAX) return false;
        *out = (int64_t)v;
    }
    return true;
}

/* [sign] digits [. digits] [e [sign] digits], finite, short enough for a
 * stack copy.  When the digits fit 2^53 and the power of ten is at most
 * 10^22, both are exact doubles and one multiplication or division rounds
 * correctly (Clinger's fast path); otherwise strtod does the rounding
 * (correctly, as PostgreSQL's float8in). */
static bool parse_double_fast(const char *s, size_t n, double *out)
{
    static const double exact_pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                           1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                           1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    char tmp[64];
    if (n == 0 || n >= sizeof tmp) return false;
    size_t i = 0, digits = 0, frac_digits = 0;
    uint64_t mantissa = 0;
    bool neg = s[0] == '-';
    if (s[i] == '-' || s[i] == '+') i++;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++)
        if (digits < 19) mantissa = mantissa * 10 + (uint64_t)(s[i] - '0');
    if (i < n && s[i] == '.') {
        i++;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++, frac_digits++)
            if (digits < 19) mantissa = mantissa * 10 + (uint64_t)(s[i] - '0');
    }
    if (digits == 0) return false;
    int exp10 = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool exp_neg = i < n && s[i] == '-';
        if (i < n && (s[i] == '-' || s[i] == '+')) i++;
        size_t exp_digits = 0;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, exp_digits++)
            if (exp10 < 100000) exp10 = exp10 * 10 + (s[i] - '0');
        if (exp_digits == 0) return false;
        if (exp_neg) exp10 = -exp10;
    }
    if (i != n) return false;
    int scale = exp10 - (int)frac_digits;
    if (digits <= 19 && mantissa <= (UINT64_C(1) << 53) && scale >= -22 && scale <= 22) {
        double v = (double)mantissa;
        v = scale < 0 ? v / exact_pow10[-scale] : v * exact_pow10[scale];
        *out = neg ? -v : v;
        return true;
    }
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    errno = 0;
    double v = strtod(tmp, NULL);
    if (errno == ERANGE || !isfinite(v)) return false;
    *out = v;
    return true;
}

static int two_digits(const char *s)
{
    unsigned a = (unsigned char)s[0] - '0', b = (unsigned char)s[1] - '0';
    return a > 9 || b > 9 ? -1 : (int)(a * 10 + b);
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Howard Hinnant's days_from_civil for years 1..9999. */
static int32_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = y / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Exactly YYYY-MM-DD with a real calendar date (years 0001..9999). */
static bool parse_date_fast(const char *s, size_t n, int32_t *out)
{
    static const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (n != 10 || s[4] != '-' || s[7] != '-') return false;
    int hi = two_digits(s), lo = two_digits(s + 2), m = two_digits(s + 5), d = two_digits(s + 8);
    if (hi < 0 || lo < 0 || m < 1 || m > 12 || d < 1) return false;
    int y = hi * 100 + lo;
    if (y == 0) return false;
    int mdays = month_days[m - 1] + (m == 2 && is_leap(y));
    if (d > mdays) return false;
    *out = days_from_civil(y, m, d);
    return true;
}

/* YYYY-MM-DD, or that followed by ' ' or 'T' and HH:MM:SS[.f{1,6}]. */
static bool parse_timestamp_fast(const char *s, size_t n, int64_t *out)
{
    int32_t days;
    if (n < 10 || !parse_date_fast(s, 10, &days)) return false;
    int64_t micros = 0;
    if (n > 10) {
        if (n < 19 || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':') return false;
        int hh = two_digits(s + 11), mi = two_digits(s + 14), ss = two_digits(s + 17);
        if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 59) return false;
        int64_t frac = 0;
        if (n > 19) {
            if (s[19] != '.' || n == 20 || n > 26) return false;
            int scale = 100000;
            for (size_t i = 20; i < n; i++, scale /= 10) {
                unsigned dgt = (unsigned char)s[i] - '0';
                if (dgt > 9) return false;
                frac += (int64_t)dgt * scale;
            }
        }
        micros = ((int64_t)hh * 3600 + mi * 60 + ss) * INT64_C(1000000) + frac;
    }
    *out = (int64_t)days * INT64_C(86400000000) + micros;
    return true;
}

unsigned csv_value_candidates(const char *s, size_t n)
{
    unsigned c = 0;
    int64_t i;
    double d;
    int32_t day;
    int64_t ts;
    if ((n == 4 && strncasecmp(s, "true", 4) == 0) || (n == 5 && strncasecmp(s, "false", 5) == 0))
        c |= CSV_CAND_BOOLEAN;
    if (parse_int64_fast(s, n, &i)) c |= CSV_CAND_BIGINT;
    if (parse_double_fast(s, n, &d)) c |= CSV_CAND_DOUBLE;
    if (n >= 10 && s[4] == '-') {
        if (parse_date_fast(s, n, &day)) c |= CSV_CAND_DATE;
        if (parse_timestamp_fast(s, n, &ts)) c |= CSV_CAND_TIMESTAMP;
    }
    return c;
}

LogicalType csv_candidates_type(unsigned candidates)
{
    if (candidates & CSV_CAND_BOOLEAN) return type_make(TYPE_BOOLEAN);
    if (candidates & CSV_CAND_BIGINT) return type_make(TYPE_BIGINT);
    if (candidates & CSV_CAND_DOUBLE) return type_make(TYPE_DOUBLE);
    if (candidates & CSV_CAND_DATE) return type_make(TYPE_DATE);
    if (candidates & CSV_CAND_TIMESTAMP) return type_make(TYPE_TIMESTAMP);
    return type_make(TYPE_VARCHAR);
}

bool csv_parse_value(const char *s, size_t n, Vector *dst, uint32_t row, Error *err)
{
    switch (dst->type.id) {
    case TYPE_BIGINT: {
        int64_t v;
        if (!parse_int64_fast(s, n, &v)) break;
        VEC_DATA(dst, int64_t)[row] = v;
        vector_set_valid(dst, row);
        return true;
    }
    case TYPE_INTEGER: {
        int64_t v;
        if (!parse_int64_fast(s, n, &v) || v < INT32_MIN || v > INT32_MAX) break;
        VEC_DATA(dst, int32_t)[row] = (int32_t)v;
        vector_set_valid(dst, row);
        return true;
    }
    case TYPE_DOUBLE: {
        double v;
        if (!parse_double_fast(s, n, &v)) break;
        VEC_DATA(dst, double)[row] = v;
        vector_set_valid(dst, row);
        return true;
    }
    case TYPE_DATE: {
        int32_t v;
        if (!parse_date_fast(s, n, &v)) break;
        VEC_DATA(dst, int32_t)[row] = v;
        vector_set_valid(dst, row);
        return true;
    }
    case TYPE_TIMESTAMP: {
        int64_t v;
        if (!parse_timestamp_fast(s, n, &v)) break;
        VEC_DATA(dst, int64_t)[row] = v;
        vector_set_valid(dst, row);
        return true;
    }
    case TYPE_VARCHAR:
        VEC_DATA(dst, KString)[row] = vector_make_string(dst, s, (uint32_t)n);
        vector_set_valid(dst, row);
        return true;
    default:
        break;
    }
    if (!cast_parse_text(s, n, dst, row, err)) return false;
    vector_set_valid(dst, row);
    return true;
}
