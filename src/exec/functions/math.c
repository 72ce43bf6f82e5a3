/* functions/math: PostgreSQL's numeric functions: round, trunc, abs, floor,
 * ceil, sign, mod, power, sqrt, cbrt, exp, ln, log, pi, degrees, radians and
 * the trigonometric functions.  (The % operator is in arith.c; greatest and
 * least are special forms of the binder.)
 *
 * Result types follow PostgreSQL:
 *   - on DECIMAL, round/trunc/floor/ceil/abs/sign/mod compute exactly on the
 *     scaled integers and return DECIMAL: round(numeric(p,s), n) has scale n
 *     when n is a constant (round(1.5, 3) prints 1.500, round(1234.5, -2)
 *     prints 1200), floor/ceil/round/trunc without n have scale 0;
 *   - integer arguments of round/trunc/floor/ceil/sign go to the double
 *     precision versions, as PostgreSQL's overload resolution picks them;
 *   - sqrt, exp, ln, log, power ... compute in double precision even for
 *     numeric arguments (PostgreSQL computes those in numeric, so it prints
 *     more digits: log(2, 8) is 3.0000000000000000 there and 3 here).
 * Rounding: numeric rounds half away from zero, double precision rounds half
 * to even (rint), exactly as PostgreSQL.
 * Extension: round(double precision, integer), which PostgreSQL lacks and
 * DuckDB and Redshift have.
 *
 * Errors are PostgreSQL's ("cannot take square root of a negative number",
 * "cannot take logarithm of zero", "value out of range: overflow" ...),
 * raised only for non-NULL rows, at the call's position.  No memory is
 * allocated. */
#include "exec/function.h"

#include <math.h>
#include <string.h>

#include "types/decimal.h"

#define COUNT_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define FN(name, overloads) {name, overloads, COUNT_OF(overloads)}

static bool fail_at(const FunctionCall *call, Error *err)
{
    if (err->sql_pos < 0) err->sql_pos = call->sql_pos;
    return false;
}

/* Value of row i of an integral or double vector as a double (the
 * integer-argument overloads of the double functions). */
static inline double double_at(const Vector *v, uint32_t i)
{
    switch (v->type.id) {
    case TYPE_INTEGER: return VEC_DATA(v, int32_t)[i];
    case TYPE_BIGINT: return (double)VEC_DATA(v, int64_t)[i];
    default: return VEC_DATA(v, double)[i];
    }
}

/* An integer constant argument (INTEGER or BIGINT), if there is one. */
static bool const_int(const Value *v, int64_t *out)
{
    if (v == NULL || v->is_null) return false;
    if (v->type.id == TYPE_INTEGER) *out = v->u.i32;
    else if (v->type.id == TYPE_BIGINT) *out = v->u.i64;
    else return false;
    return true;
}

static int clamp_int(int64_t v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : (int)v; }

/* ---- double precision functions ----------------------------------------- */

typedef enum DoubleOp {
    OP_ROUND, OP_TRUNC, OP_FLOOR, OP_CEIL, OP_SIGN, OP_ABS, OP_SQRT, OP_CBRT, OP_EXP, OP_LN, OP_LOG10,
    OP_DEGREES, OP_RADIANS, OP_SIN, OP_COS, OP_TAN, OP_COT, OP_ASIN, OP_ACOS, OP_ATAN,
} DoubleOp;

/* Apply op to x; NULL result and *error set when PostgreSQL raises an error. */
static inline double double_apply(DoubleOp op, double x, const char **error)
{
    double r;
    switch (op) {
    case OP_ROUND: return rint(x);
    case OP_TRUNC: return trunc(x);
    case OP_FLOOR: return floor(x);
    case OP_CEIL: return ceil(x);
    case OP_SIGN: return x > 0 ? 1.0 : x < 0 ? -1.0 : isnan(x) ? x : 0.0;
    case OP_ABS: return fabs(x);
    case OP_SQRT:
        if (x < 0) *error = "cannot take square root of a negative number";
        return sqrt(x);
    case OP_CBRT: return cbrt(x);
    case OP_EXP:
        r = exp(x);
        if (isinf(r) && !isinf(x)) *error = "value out of range: overflow";
        else if (r == 0.0 && !isinf(x)) *error = "value out of range: underflow";
        return r;
    case OP_LN:
    case OP_LOG10:
        if (x == 0.0) *error = "cannot take logarithm of zero";
        else if (x < 0) *error = "cannot take logarithm of a negative number";
        return op == OP_LN ? log(x) : log10(x);
    case OP_DEGREES: return x * (180.0 / M_PI);
    case OP_RADIANS: return x * (M_PI / 180.0);
    case OP_SIN:
    case OP_COS:
    case OP_TAN:
    case OP_COT:
        if (isinf(x)) *error = "input is out of range";
        return op == OP_SIN ? sin(x) : op == OP_COS ? cos(x) : op == OP_TAN ? tan(x) : 1.0 / tan(x);
    case OP_ASIN:
    case OP_ACOS:
        if (x < -1.0 || x > 1.0) *error = "input is out of range";
        return op == OP_ASIN ? asin(x) : acos(x);
    case OP_ATAN: return atan(x);
    }
    return x;
}

static inline bool double_unary(FunctionCall *call, Vector **args, uint32_t count, Vector *out, DoubleOp op,
                                Error *err)
{
    vector_merge_validity(out, args, 1, count);
    double *res = VEC_DATA(out, double);
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        const char *error = NULL;
        res[i] = double_apply(op, double_at(args[0], i), &error);
        if (error) return error_set_at(err, ERR_DATA, call->sql_pos, "%s", error);
    }
    return true;
}

#define DOUBLE_FN(fname, op)                                                                       \
    static bool fname(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err) \
    {                                                                                              \
        return double_unary(call, args, count, out, op, err);                                      \
    }

DOUBLE_FN(fn_round_double, OP_ROUND)
DOUBLE_FN(fn_trunc_double, OP_TRUNC)
DOUBLE_FN(fn_floor_double, OP_FLOOR)
DOUBLE_FN(fn_ceil_double, OP_CEIL)
DOUBLE_FN(fn_sign_double, OP_SIGN)
DOUBLE_FN(fn_abs_double, OP_ABS)
DOUBLE_FN(fn_sqrt, OP_SQRT)
DOUBLE_FN(fn_cbrt, OP_CBRT)
DOUBLE_FN(fn_exp, OP_EXP)
DOUBLE_FN(fn_ln, OP_LN)
DOUBLE_FN(fn_log10, OP_LOG10)
DOUBLE_FN(fn_degrees, OP_DEGREES)
DOUBLE_FN(fn_radians, OP_RADIANS)
DOUBLE_FN(fn_sin, OP_SIN)
DOUBLE_FN(fn_cos, OP_COS)
DOUBLE_FN(fn_tan, OP_TAN)
DOUBLE_FN(fn_cot, OP_COT)
DOUBLE_FN(fn_asin, OP_ASIN)
DOUBLE_FN(fn_acos, OP_ACOS)
DOUBLE_FN(fn_atan, OP_ATAN)

/* power(x, y) with PostgreSQL's checks. */
static bool fn_power(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 2, count);
    const double *xs = VEC_DATA(args[0], double), *ys = VEC_DATA(args[1], double);
    double *res = VEC_DATA(out, double);
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        double x = xs[i], y = ys[i];
        const char *error = NULL;
        if (x == 0.0 && y < 0)
            error = "zero raised to a negative power is undefined";
        else if (x < 0 && isfinite(y) && floor(y) != y)
            error = "a negative number raised to a non-integer power yields a complex result";
        double r = pow(x, y);
        if (!error && isinf(r) && isfinite(x) && isfinite(y)) error = "value out of range: overflow";
        else if (!error && r == 0.0 && x != 0.0 && isfinite(x) && isfinite(y)) error = "value out of range: underflow";
        if (error) return error_set_at(err, ERR_DATA, call->sql_pos, "%s", error);
        res[i] = r;
    }
    return true;
}

/* log(b, x): logarithm of x to base b. */
static bool fn_log_base(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 2, count);
    const double *bs = VEC_DATA(args[0], double), *xs = VEC_DATA(args[1], double);
    double *res = VEC_DATA(out, double);
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        double b = bs[i], x = xs[i];
        const char *error = NULL;
        if (b == 0.0 || x == 0.0) error = "cannot take logarithm of zero";
        else if (b < 0 || x < 0) error = "cannot take logarithm of a negative number";
        else if (b == 1.0) error = "division by zero";
        if (error) return error_set_at(err, ERR_DATA, call->sql_pos, "%s", error);
        res[i] = log(x) / log(b);
    }
    return true;
}

static bool fn_atan2(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 2, count);
    const double *ys = VEC_DATA(args[0], double), *xs = VEC_DATA(args[1], double);
    double *res = VEC_DATA(out, double);
    for (uint32_t i = 0; i < count; i++)
        if (vector_is_valid(out, i)) res[i] = atan2(ys[i], xs[i]);
    return true;
}

static bool fn_pi(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    double *res = VEC_DATA(out, double);
    for (uint32_t i = 0; i < count; i++) res[i] = M_PI;
    return true;
}

/* round(double precision, n): x rounded half to even at 10^-n (an extension). */
static bool fn_round_double_digits(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 2, count);
    const double *xs = VEC_DATA(args[0], double);
    const int32_t *ns = VEC_DATA(args[1], int32_t);
    double *res = VEC_DATA(out, double);
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        double x = xs[i];
        int n = clamp_int(ns[i], -330, 330);
        if (!isfinite(x)) {
            res[i] = x;
        } else if (n >= 0) {
            double scale = pow(10.0, n);
            double scaled = x * scale;
            res[i] = isfinite(scaled) ? rint(scaled) / scale : x;
        } else {
            double scale = pow(10.0, -n);
            res[i] = rint(x / scale) * scale;
        }
    }
    return true;
}

/* ---- integer functions --------------------------------------------------- */

static bool fn_abs_integer(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 1, count);
    const int32_t *xs = VEC_DATA(args[0], int32_t);
    int32_t *res = VEC_DATA(out, int32_t);
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        if (xs[i] == INT32_MIN) return error_set_at(err, ERR_DATA, call->sql_pos, "integer out of range");
        res[i] = xs[i] < 0 ? -xs[i] : xs[i];
    }
    return true;
}

static bool fn_abs_bigint(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 1, count);
    const int64_t *xs = VEC_DATA(args[0], int64_t);
    int64_t *res = VEC_DATA(out, int64_t);
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        if (xs[i] == INT64_MIN) return error_set_at(err, ERR_DATA, call->sql_pos, "bigint out of range");
        res[i] = xs[i] < 0 ? -xs[i] : xs[i];
    }
    return true;
}

static bool fn_mod_integer(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 2, count);
    const int32_t *as = VEC_DATA(args[0], int32_t), *bs = VEC_DATA(args[1], int32_t);
    int32_t *res = VEC_DATA(out, int32_t);
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        if (bs[i] == 0) return error_set_at(err, ERR_DATA, call->sql_pos, "division by zero");
        res[i] = bs[i] == -1 ? 0 : as[i] % bs[i]; /* INT_MIN % -1 is undefined in C */
    }
    return true;
}

static bool fn_mod_bigint(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 2, count);
    const int64_t *as = VEC_DATA(args[0], int64_t), *bs = VEC_DATA(args[1], int64_t);
    int64_t *res = VEC_DATA(out, int64_t);
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        if (bs[i] == 0) return error_set_at(err, ERR_DATA, call->sql_pos, "division by zero");
        res[i] = bs[i] == -1 ? 0 : as[i] % bs[i];
    }
    return true;
}

/* ---- numeric (DECIMAL) functions ------------------------------------------ */

static int imax(int a, int b) { return a > b ? a : b; }
static int imin(int a, int b) { return a < b ? a : b; }

/* Return type = the argument's type (abs). */
static bool prepare_same_decimal(FunctionCall *call, Arena *arena, Error *err)
{
    call->return_type = call->arg_types[0];
    return true;
}

/* Return type numeric(p-s+1, 0): floor, ceil, and round/trunc without digits
 * (rounding may carry into one more digit). */
static bool prepare_integral_decimal(FunctionCall *call, Arena *arena, Error *err)
{
    LogicalType t = call->arg_types[0];
    call->return_type = type_decimal(imin(imax(t.precision - t.scale + 1, 1), DECIMAL_MAX_PRECISION), 0);
    return true;
}

static bool prepare_sign_decimal(FunctionCall *call, Arena *arena, Error *err)
{
    call->return_type = type_decimal(1, 0);
    return true;
}

/* round/trunc(numeric(p,s), n): scale n when n is a constant (capped so the
 * integer digits still fit 38), else the argument's scale with one more
 * digit of precision for a carry. */
static bool prepare_round_decimal_digits(FunctionCall *call, Arena *arena, Error *err)
{
    LogicalType t = call->arg_types[0];
    int int_digits = t.precision - t.scale;
    int64_t n;
    if (!const_int(call->const_args[1], &n)) {
        call->return_type = type_decimal(imin(t.precision + 1, DECIMAL_MAX_PRECISION), t.scale);
        return true;
    }
    int scale;
    int precision;
    if (n >= t.scale) {
        scale = clamp_int(n, 0, DECIMAL_MAX_PRECISION - int_digits);
        precision = int_digits + scale;
    } else {
        scale = clamp_int(n, 0, DECIMAL_MAX_PRECISION);
        precision = int_digits + 1 + scale;
    }
    call->return_type = type_decimal(imin(imax(precision, 1), DECIMAL_MAX_PRECISION), scale);
    return true;
}

static bool prepare_mod_decimal(FunctionCall *call, Arena *arena, Error *err)
{
    call->return_type = decimal_result_type(DECIMAL_OP_MOD, call->arg_types[0], call->arg_types[1]);
    return true;
}

/* v (scale `scale`) rounded (or truncated) to `digits` fractional digits,
 * expressed at scale `out_scale` (>= max(digits, 0)).  Cannot overflow 128
 * bits for |v| < 10^38 when out_scale - scale is what prepare allowed; the
 * caller checks the precision. */
static kiln_int128 round_to_digits(kiln_int128 v, int scale, int64_t digits, int out_scale, bool truncate)
{
    if (digits >= scale) { /* nothing to drop: only pad with zeros */
        return out_scale >= scale ? v * decimal_pow10(out_scale - scale) : v;
    }
    int64_t drop = (int64_t)scale - digits; /* > 0 */
    kiln_int128 q;
    if (drop > DECIMAL_MAX_PRECISION) {
        q = 0;
    } else if (truncate) {
        q = v / decimal_pow10((int)drop);
    } else {
        q = decimal_round_div_pow10(v, (int)drop);
    }
    /* q counts units of 10^-digits; bring it to out_scale */
    int64_t shift = (int64_t)out_scale - digits; /* >= 0 */
    if (q == 0 || shift == 0) return q;
    return q * decimal_pow10((int)shift);
}

static bool round_decimal_impl(FunctionCall *call, Vector **args, uint32_t count, Vector *out, bool truncate,
                               Error *err)
{
    vector_merge_validity(out, args, call->nargs, count);
    int scale = args[0]->type.scale;
    int out_scale = out->type.scale, out_precision = out->type.precision;
    const int32_t *digits = call->nargs > 1 ? VEC_DATA(args[1], int32_t) : NULL;
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        kiln_int128 v = decimal_load(args[0], i);
        /* a non-constant digit count cannot exceed the result's scale */
        int64_t d = digits ? digits[i] : 0;
        if (d > out_scale) d = out_scale;
        if (d < -DECIMAL_MAX_PRECISION - 1) d = -DECIMAL_MAX_PRECISION - 1;
        kiln_int128 r = round_to_digits(v, scale, d, out_scale, truncate);
        if (!decimal_fits(r, out_precision)) {
            decimal_overflow_error(out_precision, out_scale, err);
            return fail_at(call, err);
        }
        decimal_store(out, i, r);
    }
    return true;
}

static bool fn_round_decimal(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    return round_decimal_impl(call, args, count, out, false, err);
}

static bool fn_trunc_decimal(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    return round_decimal_impl(call, args, count, out, true, err);
}

/* floor (direction -1) or ceil (+1) of a decimal, to scale 0. */
static bool floor_ceil_decimal(FunctionCall *call, Vector **args, uint32_t count, Vector *out, int direction,
                               Error *err)
{
    vector_merge_validity(out, args, 1, count);
    kiln_int128 unit = decimal_pow10(args[0]->type.scale);
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        kiln_int128 v = decimal_load(args[0], i);
        kiln_int128 q = v / unit, r = v % unit;
        if (direction < 0 && r < 0) q--;
        if (direction > 0 && r > 0) q++;
        decimal_store(out, i, q);
    }
    return true;
}

static bool fn_floor_decimal(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    return floor_ceil_decimal(call, args, count, out, -1, err);
}

static bool fn_ceil_decimal(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    return floor_ceil_decimal(call, args, count, out, 1, err);
}

static bool fn_abs_decimal(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 1, count);
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        kiln_int128 v = decimal_load(args[0], i);
        decimal_store(out, i, v < 0 ? -v : v); /* |v| < 10^38 < 2^127: no overflow */
    }
    return true;
}

static bool fn_sign_decimal(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 1, count);
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        kiln_int128 v = decimal_load(args[0], i);
        decimal_store(out, i, v > 0 ? 1 : v < 0 ? -1 : 0);
    }
    return true;
}

static bool fn_mod_decimal(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err)
{
    vector_merge_validity(out, args, 2, count);
    int sa = args[0]->type.scale, sb = args[1]->type.scale;
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        kiln_int128 r;
        if (!decimal_mod(decimal_load(args[0], i), sa, decimal_load(args[1], i), sb, out->type.precision,
                         out->type.scale, &r, err))
            return fail_at(call, err);
        decimal_store(out, i, r);
    }
    return true;
}

/* ---- registry --------------------------------------------------------------- */

#define D TYPE_DOUBLE
#define N TYPE_DECIMAL
#define I TYPE_INTEGER
#define B TYPE_BIGINT

/* Integer arguments go to the double version through the BIGINT overload
 * (integer -> bigint is cheaper than integer -> numeric), as in PostgreSQL. */
static const FunctionOverload round_overloads[] = {
    {1, {D}, D, fn_round_double, NULL},
    {1, {B}, D, fn_round_double, NULL},
    {1, {N}, N, fn_round_decimal, prepare_integral_decimal},
    {2, {N, I}, N, fn_round_decimal, prepare_round_decimal_digits},
    {2, {D, I}, D, fn_round_double_digits, NULL},
};
static const FunctionOverload trunc_overloads[] = {
    {1, {D}, D, fn_trunc_double, NULL},
    {1, {B}, D, fn_trunc_double, NULL},
    {1, {N}, N, fn_trunc_decimal, prepare_integral_decimal},
    {2, {N, I}, N, fn_trunc_decimal, prepare_round_decimal_digits},
};
static const FunctionOverload floor_overloads[] = {
    {1, {D}, D, fn_floor_double, NULL},
    {1, {B}, D, fn_floor_double, NULL},
    {1, {N}, N, fn_floor_decimal, prepare_integral_decimal},
};
static const FunctionOverload ceil_overloads[] = {
    {1, {D}, D, fn_ceil_double, NULL},
    {1, {B}, D, fn_ceil_double, NULL},
    {1, {N}, N, fn_ceil_decimal, prepare_integral_decimal},
};
static const FunctionOverload sign_overloads[] = {
    {1, {D}, D, fn_sign_double, NULL},
    {1, {B}, D, fn_sign_double, NULL},
    {1, {N}, N, fn_sign_decimal, prepare_sign_decimal},
};
static const FunctionOverload abs_overloads[] = {
    {1, {I}, I, fn_abs_integer, NULL},
    {1, {B}, B, fn_abs_bigint, NULL},
    {1, {D}, D, fn_abs_double, NULL},
    {1, {N}, N, fn_abs_decimal, prepare_same_decimal},
};
static const FunctionOverload mod_overloads[] = {
    {2, {I, I}, I, fn_mod_integer, NULL},
    {2, {B, B}, B, fn_mod_bigint, NULL},
    {2, {N, N}, N, fn_mod_decimal, prepare_mod_decimal},
};
static const FunctionOverload power_overloads[] = {{2, {D, D}, D, fn_power, NULL}};
static const FunctionOverload sqrt_overloads[] = {{1, {D}, D, fn_sqrt, NULL}};
static const FunctionOverload cbrt_overloads[] = {{1, {D}, D, fn_cbrt, NULL}};
static const FunctionOverload exp_overloads[] = {{1, {D}, D, fn_exp, NULL}};
static const FunctionOverload ln_overloads[] = {{1, {D}, D, fn_ln, NULL}};
static const FunctionOverload log10_overloads[] = {{1, {D}, D, fn_log10, NULL}};
static const FunctionOverload log_overloads[] = {{1, {D}, D, fn_log10, NULL}, {2, {D, D}, D, fn_log_base, NULL}};
static const FunctionOverload pi_overloads[] = {{0, {0}, D, fn_pi, NULL}};
static const FunctionOverload degrees_overloads[] = {{1, {D}, D, fn_degrees, NULL}};
static const FunctionOverload radians_overloads[] = {{1, {D}, D, fn_radians, NULL}};
static const FunctionOverload sin_overloads[] = {{1, {D}, D, fn_sin, NULL}};
static const FunctionOverload cos_overloads[] = {{1, {D}, D, fn_cos, NULL}};
static const FunctionOverload tan_overloads[] = {{1, {D}, D, fn_tan, NULL}};
static const FunctionOverload cot_overloads[] = {{1, {D}, D, fn_cot, NULL}};
static const FunctionOverload asin_overloads[] = {{1, {D}, D, fn_asin, NULL}};
static const FunctionOverload acos_overloads[] = {{1, {D}, D, fn_acos, NULL}};
static const FunctionOverload atan_overloads[] = {{1, {D}, D, fn_atan, NULL}};
static const FunctionOverload atan2_overloads[] = {{2, {D, D}, D, fn_atan2, NULL}};

const ScalarFunction fn_set_math[] = {
    FN("round", round_overloads),
    FN("trunc", trunc_overloads),
    FN("floor", floor_overloads),
    FN("ceil", ceil_overloads),
    FN("ceiling", ceil_overloads),
    FN("sign", sign_overloads),
    FN("abs", abs_overloads),
    FN("mod", mod_overloads),
    FN("power", power_overloads),
    FN("pow", power_overloads),
    FN("sqrt", sqrt_overloads),
    FN("cbrt", cbrt_overloads),
    FN("exp", exp_overloads),
    FN("ln", ln_overloads),
    FN("log", log_overloads),
    FN("log10", log10_overloads),
    FN("pi", pi_overloads),
    FN("degrees", degrees_overloads),
    FN("radians", radians_overloads),
    FN("sin", sin_overloads),
    FN("cos", cos_overloads),
    FN("tan", tan_overloads),
    FN("cot", cot_overloads),
    FN("asin", asin_overloads),
    FN("acos", acos_overloads),
    FN("atan", atan_overloads),
    FN("atan2", atan2_overloads),
    {NULL, NULL, 0},
};
