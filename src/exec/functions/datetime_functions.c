/* functions/datetime_functions: date and time functions with PostgreSQL's
 * behaviour: date_trunc, date_part (EXTRACT binds to it), to_char (dates,
 * timestamps and numbers), to_date, to_timestamp, make_date,
 * make_timestamp, age, current_date / now() / current_timestamp.
 *
 * A constant field name or pattern is checked once, at bind time, by the
 * prepare hooks (an unknown unit is then a SQL error pointing at the call);
 * non-constant ones are read per row.  Results are built in the output
 * vector's string heap; the only other memory is one StrBuf per call for
 * to_char.  now() reads the clock once per call (per batch), in the local
 * time zone of the process, as PostgreSQL's now()::timestamp does. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/strbuf.h"
#include "exec/function.h"
#include "types/datetime.h"
#include "types/decimal.h"

#define FN_ARGS FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err
#define ROW_IS_NULL(i) (any_null && !vector_is_valid(out, i))

static const char *kstr(const Vector *v, uint32_t i, uint32_t *len)
{
    const KString *k = &VEC_DATA(v, KString)[i];
    *len = k->len;
    return kstring_data(k);
}

/* ---- field names (date_trunc, date_part) --------------------------------- */

/* Bind data of date_trunc/date_part with a constant field. */
typedef struct FieldBind {
    DateField field;
} FieldBind;

static bool prepare_field(FunctionCall *call, Arena *arena, Error *err)
{
    const Value *c = call->const_args[0];
    if (c == NULL || c->is_null || c->type.id != TYPE_VARCHAR) return true;
    DateField f = datetime_field_from_name(c->u.str.data, c->u.str.len);
    if (f == DF_INVALID) {
        char tn[48];
        return error_set_at(err, ERR_SQL, call->sql_pos, "unit \"%.*s\" not recognized for type %s",
                            (int)(c->u.str.len > 100 ? 100 : c->u.str.len), c->u.str.data,
                            type_name(call->arg_types[1], tn, sizeof tn));
    }
    FieldBind *b = arena_alloc(arena, sizeof *b);
    b->field = f;
    call->bind_data = b;
    call->free_bind_data = NULL; /* lives in the plan's arena */
    return true;
}

/* The field of row i: the constant one, or parsed from the row's text. */
static bool row_field(FunctionCall *call, const Vector *names, uint32_t i, DateField *f, Error *err)
{
    if (call->bind_data) {
        *f = ((const FieldBind *)call->bind_data)->field;
        return true;
    }
    uint32_t len;
    const char *s = kstr(names, i, &len);
    *f = datetime_field_from_name(s, len);
    if (*f == DF_INVALID)
        return error_set(err, ERR_DATA, "unit \"%.*s\" not recognized for type %s", (int)(len > 100 ? 100 : len), s,
                         "timestamp");
    return true;
}

static bool date_trunc_ts(FN_ARGS)
{
    bool any_null = vector_merge_validity(out, args, 2, count);
    const int64_t *ts = VEC_DATA(args[1], int64_t);
    int64_t *r = VEC_DATA(out, int64_t);
    for (uint32_t i = 0; i < count; i++) {
        if (ROW_IS_NULL(i)) continue;
        DateField f;
        if (!row_field(call, args[0], i, &f, err) || !datetime_trunc(f, ts[i], &r[i], err)) return false;
    }
    return true;
}

static bool date_trunc_iv(FN_ARGS)
{
    bool any_null = vector_merge_validity(out, args, 2, count);
    const Interval *iv = VEC_DATA(args[1], Interval);
    Interval *r = VEC_DATA(out, Interval);
    for (uint32_t i = 0; i < count; i++) {
        if (ROW_IS_NULL(i)) continue;
        DateField f;
        if (!row_field(call, args[0], i, &f, err) || !datetime_trunc_interval(f, iv[i], &r[i], err)) return false;
    }
    return true;
}

static bool date_part_ts(FN_ARGS)
{
    bool any_null = vector_merge_validity(out, args, 2, count);
    const int64_t *ts = VEC_DATA(args[1], int64_t);
    double *r = VEC_DATA(out, double);
    for (uint32_t i = 0; i < count; i++) {
        if (ROW_IS_NULL(i)) continue;
        DateField f;
        if (!row_field(call, args[0], i, &f, err) || !datetime_part(f, ts[i], &r[i], err)) return false;
    }
    return true;
}

static bool date_part_iv(FN_ARGS)
{
    bool any_null = vector_merge_validity(out, args, 2, count);
    const Interval *iv = VEC_DATA(args[1], Interval);
    double *r = VEC_DATA(out, double);
    for (uint32_t i = 0; i < count; i++) {
        if (ROW_IS_NULL(i)) continue;
        DateField f;
        if (!row_field(call, args[0], i, &f, err) || !datetime_part_interval(f, iv[i], &r[i], err)) return false;
    }
    return true;
}

/* ---- to_char ---------------------------------------------------------------------- */

static bool to_char_ts(FN_ARGS)
{
    bool any_null = vector_merge_validity(out, args, 2, count);
    const int64_t *ts = VEC_DATA(args[0], int64_t);
    StrBuf sb = STRBUF_INIT;
    for (uint32_t i = 0; i < count; i++) {
        if (ROW_IS_NULL(i)) continue;
        uint32_t flen;
        const char *fmt = kstr(args[1], i, &flen);
        strbuf_clear(&sb);
        datetime_to_char(ts[i], fmt, flen, &sb);
        VEC_DATA(out, KString)[i] = vector_make_string(out, strbuf_cstr(&sb), (uint32_t)sb.len);
    }
    strbuf_free(&sb);
    return true;
}

/* Number patterns: 9 (digit or blank), 0 (digit or zero), . or D (point),
 * , or G (group separator), S / MI / PL / SG (sign), FM (no padding);
 * other characters and "quoted text" are copied.  Numbers too wide for the
 * pattern print as '#', as in PostgreSQL. */
typedef struct NumPattern {
    int int_digits, frac_digits; /* digit positions before / after the point */
    int zero_from;               /* first integer position printed even when a leading zero */
    bool fill_mode, has_sign_token;
    bool leading_s; /* S before the digits: the sign (+ or -) sits next to the first digit */
} NumPattern;

static void scan_num_pattern(const char *fmt, size_t n, NumPattern *np)
{
    memset(np, 0, sizeof *np);
    np->zero_from = -1;
    bool after_point = false;
    for (size_t i = 0; i < n; i++) {
        char c = fmt[i], u = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
        if (c == '"') {
            for (i++; i < n && fmt[i] != '"'; i++) {}
        } else if (c == '9' || c == '0') {
            if (after_point) {
                np->frac_digits++;
            } else {
                if (c == '0' && np->zero_from < 0) np->zero_from = np->int_digits;
                np->int_digits++;
            }
        } else if (c == '.' || u == 'D') {
            after_point = true;
        } else if (u == 'F' && i + 1 < n && (fmt[i + 1] | 0x20) == 'm') {
            np->fill_mode = true;
            i++;
        } else {
            char next = i + 1 < n ? (char)(fmt[i + 1] | 0x20) : '\0';
            if (u == 'S' && next != 'g' && np->int_digits == 0 && !after_point) {
                np->leading_s = true;
            } else if (u == 'S' || (u == 'M' && next == 'i') || (u == 'P' && next == 'l')) {
                np->has_sign_token = true;
                if (next == 'g' || next == 'i' || next == 'l') i++;
            }
        }
    }
    if (np->zero_from < 0) np->zero_from = np->int_digits;
}

/* Format |value| given as integer digits (no leading zeros) and exactly
 * frac_digits fraction digits, with the sign, following the pattern. */
static void num_to_char(const char *fmt, size_t n, const NumPattern *np, const char *int_part, const char *frac,
                        bool negative, StrBuf *out)
{
    int ilen = (int)strlen(int_part);
    bool overflow = ilen > np->int_digits;
    int last_frac = np->frac_digits; /* in FM, trailing zeros at '9' positions go */
    if (np->fill_mode && !overflow) {
        int pos = 0;
        int keep = 0;
        bool after_point = false;
        for (size_t i = 0; i < n; i++) {
            if (fmt[i] == '.' || (fmt[i] | 0x20) == 'd') after_point = true;
            else if (after_point && (fmt[i] == '9' || fmt[i] == '0')) {
                if (fmt[i] == '0' || frac[pos] != '0') keep = pos + 1;
                pos++;
            }
        }
        last_frac = keep;
    }
    bool printed_digit = false, sign_done = np->has_sign_token, after_point = false;
    int int_pos = 0, frac_pos = 0;
    for (size_t i = 0; i < n; i++) {
        char c = fmt[i], u = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
        char next = i + 1 < n ? (char)(fmt[i + 1] | 0x20) : '\0';
        if (c == '"') {
            for (i++; i < n && fmt[i] != '"'; i++) strbuf_putc(out, fmt[i]);
        } else if ((c == '9' || c == '0') && !after_point) {
            int idx = int_pos - (np->int_digits - ilen);
            bool shows = overflow || idx >= 0 || int_pos >= np->zero_from;
            if (shows && !sign_done) {
                if (negative) strbuf_putc(out, '-');
                else if (np->leading_s) strbuf_putc(out, '+');
                else if (!np->fill_mode) strbuf_putc(out, ' ');
                sign_done = true;
            }
            if (overflow) strbuf_putc(out, '#');
            else if (idx >= 0) strbuf_putc(out, int_part[idx]);
            else if (int_pos >= np->zero_from) strbuf_putc(out, '0');
            else if (!np->fill_mode) strbuf_putc(out, ' ');
            printed_digit |= shows;
            int_pos++;
        } else if (c == '9' || c == '0') {
            if (frac_pos < last_frac) strbuf_putc(out, overflow ? '#' : frac[frac_pos]);
            frac_pos++;
        } else if (c == '.' || u == 'D') {
            if (!sign_done) {
                if (negative) strbuf_putc(out, '-');
                else if (np->leading_s) strbuf_putc(out, '+');
                else if (!np->fill_mode) strbuf_putc(out, ' ');
                sign_done = true;
            }
            strbuf_putc(out, '.');
            after_point = true;
        } else if (c == ',' || u == 'G') {
            if (printed_digit) strbuf_putc(out, ',');
            else if (!np->fill_mode) strbuf_putc(out, ' ');
        } else if (u == 'F' && next == 'm') {
            i++;
        } else if (u == 'S' && next == 'g') {
            strbuf_putc(out, negative ? '-' : '+');
            i++;
        } else if (u == 'S') {
            if (!np->leading_s) strbuf_putc(out, negative ? '-' : '+');
        } else if (u == 'M' && next == 'i') {
            if (negative) strbuf_putc(out, '-');
            else if (!np->fill_mode) strbuf_putc(out, ' ');
            i++;
        } else if (u == 'P' && next == 'l') {
            if (!negative) strbuf_putc(out, '+');
            else if (!np->fill_mode) strbuf_putc(out, ' ');
            i++;
        } else {
            strbuf_putc(out, c);
        }
    }
}

/* Split "123.4500" (no sign) into integer digits without leading zeros and the fraction. */
static void split_digits(char *text, char **int_part, char **frac)
{
    char *point = strchr(text, '.');
    if (point) {
        *point = '\0';
        *frac = point + 1;
    } else {
        *frac = text + strlen(text);
    }
    char *p = text;
    while (*p == '0') p++;
    *int_part = p;
}

static bool to_char_dec(FN_ARGS)
{
    bool any_null = vector_merge_validity(out, args, 2, count);
    const Vector *v = args[0];
    int scale = v->type.scale;
    StrBuf sb = STRBUF_INIT;
    for (uint32_t i = 0; i < count; i++) {
        if (ROW_IS_NULL(i)) continue;
        uint32_t flen;
        const char *fmt = kstr(args[1], i, &flen);
        NumPattern np;
        scan_num_pattern(fmt, flen, &np);
        kiln_int128 x = decimal_load(v, i);
        int fd = np.frac_digits > DECIMAL_MAX_PRECISION ? DECIMAL_MAX_PRECISION : np.frac_digits;
        kiln_int128 y;
        Error ignored = ERROR_INIT;
        char text[DECIMAL_TEXT_MAX + 64];
        bool fits = decimal_rescale(x, scale, fd, DECIMAL_MAX_PRECISION, &y, &ignored);
        if (!fits) {
            y = 0;
            memset(text, '9', 45);
            text[45] = '\0'; /* wider than any pattern can hold: prints '#' */
        } else {
            decimal_format(y < 0 ? -y : y, fd, text);
        }
        char *ip, *fp;
        split_digits(text, &ip, &fp);
        strbuf_clear(&sb);
        num_to_char(fmt, flen, &np, ip, fp, x < 0 && y != 0, &sb);
        VEC_DATA(out, KString)[i] = vector_make_string(out, strbuf_cstr(&sb), (uint32_t)sb.len);
    }
    strbuf_free(&sb);
    return true;
}

static bool to_char_f64(FN_ARGS)
{
    bool any_null = vector_merge_validity(out, args, 2, count);
    const double *v = VEC_DATA(args[0], double);
    StrBuf sb = STRBUF_INIT;
    for (uint32_t i = 0; i < count; i++) {
        if (ROW_IS_NULL(i)) continue;
        uint32_t flen;
        const char *fmt = kstr(args[1], i, &flen);
        NumPattern np;
        scan_num_pattern(fmt, flen, &np);
        char text[128];
        int fd = np.frac_digits > 30 ? 30 : np.frac_digits;
        double a = fabs(v[i]);
        if (isnan(a) || a >= 1e60) {
            memset(text, '9', 70);
            text[70] = '\0';
        } else {
            snprintf(text, sizeof text, "%.*f", fd, a);
        }
        char *ip, *fp;
        split_digits(text, &ip, &fp);
        bool negative = v[i] < 0 && (strspn(ip, "0") != strlen(ip) || strspn(fp, "0") != strlen(fp));
        strbuf_clear(&sb);
        num_to_char(fmt, flen, &np, ip, fp, negative, &sb);
        VEC_DATA(out, KString)[i] = vector_make_string(out, strbuf_cstr(&sb), (uint32_t)sb.len);
    }
    strbuf_free(&sb);
    return true;
}

/* ---- to_date, to_timestamp --------------------------------------------------------- */

static bool to_timestamp_text(FN_ARGS)
{
    bool any_null = vector_merge_validity(out, args, 2, count);
    int64_t *r = VEC_DATA(out, int64_t);
    for (uint32_t i = 0; i < count; i++) {
        if (ROW_IS_NULL(i)) continue;
        uint32_t n, fn;
        const char *s = kstr(args[0], i, &n), *fmt = kstr(args[1], i, &fn);
        if (!datetime_parse_formatted_utc(s, n, fmt, fn, &r[i], err)) return false;
    }
    return true;
}

static bool to_date_text(FN_ARGS)
{
    bool any_null = vector_merge_validity(out, args, 2, count);
    int32_t *r = VEC_DATA(out, int32_t);
    for (uint32_t i = 0; i < count; i++) {
        if (ROW_IS_NULL(i)) continue;
        uint32_t n, fn;
        const char *s = kstr(args[0], i, &n), *fmt = kstr(args[1], i, &fn);
        int64_t ts;
        if (!datetime_parse_formatted(s, n, fmt, fn, &ts, err)) return false;
        int32_t d = datetime_timestamp_to_date(ts);
        if (!datetime_date_in_range(d)) return error_set(err, ERR_DATA, "date out of range: \"%.*s\"", (int)n, s);
        r[i] = d;
    }
    return true;
}

/* to_timestamp(epoch seconds) */
static bool to_timestamp_epoch(FN_ARGS)
{
    bool any_null = vector_merge_validity(out, args, 1, count);
    const double *v = VEC_DATA(args[0], double);
    int64_t *r = VEC_DATA(out, int64_t);
    for (uint32_t i = 0; i < count; i++) {
        if (ROW_IS_NULL(i)) continue;
        double us = rint(v[i] * 1e6);
        if (isnan(us) || !(us >= (double)TIMESTAMP_MIN_MICROS && us < (double)TIMESTAMP_END_MICROS))
            return error_set(err, ERR_DATA, "timestamp out of range: \"%g\"", v[i]);
        r[i] = (int64_t)us;
    }
    return true;
}

/* ---- constructors ---------------------------------------------------------------- */

static bool make_date_fn(FN_ARGS)
{
    bool any_null = vector_merge_validity(out, args, 3, count);
    const int32_t *y = VEC_DATA(args[0], int32_t), *m = VEC_DATA(args[1], int32_t), *d = VEC_DATA(args[2], int32_t);
    int32_t *r = VEC_DATA(out, int32_t);
    for (uint32_t i = 0; i < count; i++) {
        if (ROW_IS_NULL(i)) continue;
        int64_t year = y[i] < 0 ? (int64_t)y[i] + 1 : y[i]; /* negative years are BC, as in PostgreSQL */
        if (y[i] == 0 || m[i] < 1 || m[i] > 12 || d[i] < 1 || d[i] > datetime_days_in_month(year, m[i]) ||
            year < -4713 || year > 5874897)
            return error_set(err, ERR_DATA, "date field value out of range: %d-%02d-%02d", y[i], m[i], d[i]);
        int64_t days = datetime_days_from_civil(year, m[i], d[i]);
        if (!datetime_date_in_range(days))
            return error_set(err, ERR_DATA, "date out of range: %d-%02d-%02d", y[i], m[i], d[i]);
        r[i] = (int32_t)days;
    }
    return true;
}

static bool make_timestamp_fn(FN_ARGS)
{
    bool any_null = vector_merge_validity(out, args, 6, count);
    int64_t *r = VEC_DATA(out, int64_t);
    for (uint32_t i = 0; i < count; i++) {
        if (ROW_IS_NULL(i)) continue;
        int32_t y = VEC_DATA(args[0], int32_t)[i], mo = VEC_DATA(args[1], int32_t)[i];
        int32_t d = VEC_DATA(args[2], int32_t)[i], h = VEC_DATA(args[3], int32_t)[i];
        int32_t mi = VEC_DATA(args[4], int32_t)[i];
        double sec = VEC_DATA(args[5], double)[i];
        int64_t year = y < 0 ? (int64_t)y + 1 : y;
        if (y == 0 || mo < 1 || mo > 12 || d < 1 || d > datetime_days_in_month(year, mo) || year < -4713 ||
            year > 294247)
            return error_set(err, ERR_DATA, "date field value out of range: %d-%02d-%02d", y, mo, d);
        if (h < 0 || h > 24 || mi < 0 || mi > 59 || !(sec >= 0 && sec <= 60))
            return error_set(err, ERR_DATA, "time field value out of range: %d:%02d:%02g", h, mi, sec);
        DateTimeParts p = {(int)year, mo, d, h, mi, 0, 0};
        int64_t ts;
        if (!datetime_timestamp_from_parts(&p, &ts) ||
            !datetime_timestamp_add_interval(ts, (Interval){0, 0, (int64_t)rint(sec * 1e6)}, &r[i], err))
            return error_set(err, ERR_DATA, "timestamp out of range");
    }
    return true;
}

/* ---- age ------------------------------------------------------------------------------ */

/* PostgreSQL's timestamp_age: field-wise difference with borrows, so
 * age('2024-03-31', '2024-02-29') = 1 mon 2 days. */
static bool age_of(int64_t t1, int64_t t2, Interval *r, Error *err)
{
    DateTimeParts a, b;
    datetime_timestamp_to_parts(t1, &a);
    datetime_timestamp_to_parts(t2, &b);
    int64_t fsec = a.micros - b.micros, sec = a.second - b.second, min = a.minute - b.minute;
    int64_t hour = a.hour - b.hour, mday = a.day - b.day, mon = a.month - b.month, year = (int64_t)a.year - b.year;
    bool flip = t1 < t2;
    if (flip) {
        fsec = -fsec, sec = -sec, min = -min, hour = -hour, mday = -mday, mon = -mon, year = -year;
    }
    while (fsec < 0) fsec += DT_USECS_PER_SEC, sec--;
    while (sec < 0) sec += 60, min--;
    while (min < 0) min += 60, hour--;
    while (hour < 0) hour += 24, mday--;
    while (mday < 0) {
        if (flip) mday += datetime_days_in_month(a.year, a.month);
        else mday += datetime_days_in_month(b.year, b.month);
        mon--;
    }
    while (mon < 0) mon += 12, year--;
    if (flip) {
        fsec = -fsec, sec = -sec, min = -min, hour = -hour, mday = -mday, mon = -mon, year = -year;
    }
    int64_t months = year * 12 + mon;
    if (months < INT32_MIN || months > INT32_MAX) return error_set(err, ERR_DATA, "interval out of range");
    r->months = (int32_t)months;
    r->days = (int32_t)mday;
    r->micros = hour * DT_USECS_PER_HOUR + min * DT_USECS_PER_MINUTE + sec * DT_USECS_PER_SEC + fsec;
    return true;
}

/* Local wall-clock time now, in microseconds since 1970-01-01. */
static int64_t local_now_micros(void)
{
    struct timespec tsp;
    clock_gettime(CLOCK_REALTIME, &tsp);
    struct tm tm;
    time_t secs = tsp.tv_sec;
    localtime_r(&secs, &tm);
    return ((int64_t)tsp.tv_sec + tm.tm_gmtoff) * DT_USECS_PER_SEC + tsp.tv_nsec / 1000;
}

static bool age2(FN_ARGS)
{
    bool any_null = vector_merge_validity(out, args, 2, count);
    const int64_t *a = VEC_DATA(args[0], int64_t), *b = VEC_DATA(args[1], int64_t);
    Interval *r = VEC_DATA(out, Interval);
    for (uint32_t i = 0; i < count; i++) {
        if (ROW_IS_NULL(i)) continue;
        if (!age_of(a[i], b[i], &r[i], err)) return false;
    }
    return true;
}

/* age(ts) = age(current_date, ts) */
static bool age1(FN_ARGS)
{
    bool any_null = vector_merge_validity(out, args, 1, count);
    int64_t now = local_now_micros();
    int64_t today = now - (now % DT_USECS_PER_DAY + DT_USECS_PER_DAY) % DT_USECS_PER_DAY;
    const int64_t *a = VEC_DATA(args[0], int64_t);
    Interval *r = VEC_DATA(out, Interval);
    for (uint32_t i = 0; i < count; i++) {
        if (ROW_IS_NULL(i)) continue;
        if (!age_of(today, a[i], &r[i], err)) return false;
    }
    return true;
}

/* ---- clock ------------------------------------------------------------------------------ */

static bool now_fn(FN_ARGS)
{
    out->validity = NULL;
    int64_t now = local_now_micros();
    int64_t *r = VEC_DATA(out, int64_t);
    for (uint32_t i = 0; i < count; i++) r[i] = now;
    return true;
}

static bool current_date_fn(FN_ARGS)
{
    out->validity = NULL;
    int32_t today = datetime_timestamp_to_date(local_now_micros());
    int32_t *r = VEC_DATA(out, int32_t);
    for (uint32_t i = 0; i < count; i++) r[i] = today;
    return true;
}

/* ---- the registry ---------------------------------------------------------------------- */

static const FunctionOverload overloads_date_trunc[] = {
    {2, {TYPE_VARCHAR, TYPE_TIMESTAMP}, TYPE_TIMESTAMP, date_trunc_ts, prepare_field},
    {2, {TYPE_VARCHAR, TYPE_INTERVAL}, TYPE_INTERVAL, date_trunc_iv, prepare_field},
};
static const FunctionOverload overloads_date_part[] = {
    {2, {TYPE_VARCHAR, TYPE_TIMESTAMP}, TYPE_DOUBLE, date_part_ts, prepare_field},
    {2, {TYPE_VARCHAR, TYPE_INTERVAL}, TYPE_DOUBLE, date_part_iv, prepare_field},
};
static const FunctionOverload overloads_to_char[] = {
    {2, {TYPE_TIMESTAMP, TYPE_VARCHAR}, TYPE_VARCHAR, to_char_ts, NULL},
    {2, {TYPE_DECIMAL, TYPE_VARCHAR}, TYPE_VARCHAR, to_char_dec, NULL},
    {2, {TYPE_DOUBLE, TYPE_VARCHAR}, TYPE_VARCHAR, to_char_f64, NULL},
};
static const FunctionOverload overloads_to_date[] = {
    {2, {TYPE_VARCHAR, TYPE_VARCHAR}, TYPE_DATE, to_date_text, NULL},
};
static const FunctionOverload overloads_to_timestamp[] = {
    {2, {TYPE_VARCHAR, TYPE_VARCHAR}, TYPE_TIMESTAMP, to_timestamp_text, NULL},
    {1, {TYPE_DOUBLE}, TYPE_TIMESTAMP, to_timestamp_epoch, NULL},
};
static const FunctionOverload overloads_make_date[] = {
    {3, {TYPE_INTEGER, TYPE_INTEGER, TYPE_INTEGER}, TYPE_DATE, make_date_fn, NULL},
};
static const FunctionOverload overloads_make_timestamp[] = {
    {6, {TYPE_INTEGER, TYPE_INTEGER, TYPE_INTEGER, TYPE_INTEGER, TYPE_INTEGER, TYPE_DOUBLE}, TYPE_TIMESTAMP,
     make_timestamp_fn, NULL},
};
static const FunctionOverload overloads_age[] = {
    {2, {TYPE_TIMESTAMP, TYPE_TIMESTAMP}, TYPE_INTERVAL, age2, NULL},
    {1, {TYPE_TIMESTAMP}, TYPE_INTERVAL, age1, NULL},
};
static const FunctionOverload overloads_now[] = {
    {0, {0}, TYPE_TIMESTAMP, now_fn, NULL},
};
static const FunctionOverload overloads_current_date[] = {
    {0, {0}, TYPE_DATE, current_date_fn, NULL},
};

#define COUNT_OF(a) (int)(sizeof(a) / sizeof((a)[0]))

const ScalarFunction fn_set_datetime[] = {
    {"date_trunc", overloads_date_trunc, COUNT_OF(overloads_date_trunc)},
    {"date_part", overloads_date_part, COUNT_OF(overloads_date_part)},
    {"to_char", overloads_to_char, COUNT_OF(overloads_to_char)},
    {"to_date", overloads_to_date, COUNT_OF(overloads_to_date)},
    {"to_timestamp", overloads_to_timestamp, COUNT_OF(overloads_to_timestamp)},
    {"make_date", overloads_make_date, COUNT_OF(overloads_make_date)},
    {"make_timestamp", overloads_make_timestamp, COUNT_OF(overloads_make_timestamp)},
    {"age", overloads_age, COUNT_OF(overloads_age)},
    {"now", overloads_now, COUNT_OF(overloads_now)},
    {"current_timestamp", overloads_now, COUNT_OF(overloads_now)},
    {"localtimestamp", overloads_now, COUNT_OF(overloads_now)},
    {"transaction_timestamp", overloads_now, COUNT_OF(overloads_now)},
    {"statement_timestamp", overloads_now, COUNT_OF(overloads_now)},
    {"clock_timestamp", overloads_now, COUNT_OF(overloads_now)},
    {"current_date", overloads_current_date, COUNT_OF(overloads_current_date)},
    {NULL, NULL, 0},
};
