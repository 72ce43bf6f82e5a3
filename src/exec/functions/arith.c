/* functions/arith: the arithmetic operators + - * / % and unary minus (and
 * plus) on numbers, dates, timestamps and intervals, with PostgreSQL's
 * overflow errors ("integer out of range", "bigint out of range",
 * "division by zero", "value out of range: overflow", "date out of range",
 * "timestamp out of range", "numeric field overflow").
 *
 * Integer loops compute every row with overflow builtins and OR the flags,
 * which keeps them branch-free; only when a flag is set is the batch scanned
 * again to report the first overflow in a non-NULL row (a NULL slot holds
 * garbage that must never raise an error).  Division and the date/time
 * operators test validity per row.  Decimal operators get their result type
 * from decimal_result_type in a prepare hook.  No memory is allocated. */
#include <math.h>
#include <string.h>

#include "exec/function.h"
#include "types/datetime.h"
#include "types/decimal.h"

#define FN_ARGS FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err

static bool int_range_error(Error *err) { return error_set(err, ERR_DATA, "integer out of range"); }
static bool bigint_range_error(Error *err) { return error_set(err, ERR_DATA, "bigint out of range"); }
static bool div_zero_error(Error *err) { return error_set(err, ERR_DATA, "division by zero"); }

/* ---- integers: + - * ------------------------------------------------------------ */

#define DEFINE_INT_BINOP(NAME, CTYPE, BUILTIN, RANGE_ERROR)                          \
    static bool NAME(FN_ARGS)                                                       \
    {                                                                               \
        bool any_null = vector_merge_validity(out, args, 2, count);                 \
        const CTYPE *a = VEC_DATA(args[0], CTYPE), *b = VEC_DATA(args[1], CTYPE);   \
        CTYPE *r = VEC_DATA(out, CTYPE);                                            \
        bool overflow = false;                                                      \
        for (uint32_t i = 0; i < count; i++) overflow |= BUILTIN(a[i], b[i], &r[i]); \
        if (overflow) {                                                             \
            for (uint32_t i = 0; i < count; i++) {                                  \
                CTYPE tmp;                                                          \
                if (any_null && !vector_is_valid(out, i)) continue;                 \
                if (BUILTIN(a[i], b[i], &tmp)) return RANGE_ERROR(err);             \
            }                                                                       \
        }                                                                           \
        return true;                                                                \
    }

DEFINE_INT_BINOP(add_i32, int32_t, __builtin_add_overflow, int_range_error)
DEFINE_INT_BINOP(sub_i32, int32_t, __builtin_sub_overflow, int_range_error)
DEFINE_INT_BINOP(mul_i32, int32_t, __builtin_mul_overflow, int_range_error)
DEFINE_INT_BINOP(add_i64, int64_t, __builtin_add_overflow, bigint_range_error)
DEFINE_INT_BINOP(sub_i64, int64_t, __builtin_sub_overflow, bigint_range_error)
DEFINE_INT_BINOP(mul_i64, int64_t, __builtin_mul_overflow, bigint_range_error)

/* Integer division truncates toward zero; x / -1 of the minimum overflows and
 * x % -1 is 0 (PostgreSQL special-cases both). */
#define DEFINE_INT_DIVOP(NAME, CTYPE, MINV, IS_MOD, RANGE_ERROR)                    \
    static bool NAME(FN_ARGS)                                                       \
    {                                                                               \
        bool any_null = vector_merge_validity(out, args, 2, count);                 \
        const CTYPE *a = VEC_DATA(args[0], CTYPE), *b = VEC_DATA(args[1], CTYPE);   \
        CTYPE *r = VEC_DATA(out, CTYPE);                                            \
        for (uint32_t i = 0; i < count; i++) {                                      \
            if (any_null && !vector_is_valid(out, i)) continue;                     \
            CTYPE x = a[i], y = b[i];                                               \
            if (y == 0) return div_zero_error(err);                                 \
            if (y == -1) {                                                          \
                if (IS_MOD) r[i] = 0;                                               \
                else if (x == MINV) return RANGE_ERROR(err);                        \
                else r[i] = -x;                                                     \
            } else {                                                                \
                r[i] = IS_MOD ? x % y : x / y;                                      \
            }                                                                       \
        }                                                                           \
        return true;                                                                \
    }

DEFINE_INT_DIVOP(div_i32, int32_t, INT32_MIN, 0, int_range_error)
DEFINE_INT_DIVOP(mod_i32, int32_t, INT32_MIN, 1, int_range_error)
DEFINE_INT_DIVOP(div_i64, int64_t, INT64_MIN, 0, bigint_range_error)
DEFINE_INT_DIVOP(mod_i64, int64_t, INT64_MIN, 1, bigint_range_error)

#define DEFINE_INT_NEG(NAME, CTYPE, MINV, RANGE_ERROR)                  \
    static bool NAME(FN_ARGS)                                           \
    {                                                                   \
        bool any_null = vector_merge_validity(out, args, 1, count);     \
        const CTYPE *a = VEC_DATA(args[0], CTYPE);                      \
        CTYPE *r = VEC_DATA(out, CTYPE);                                \
        for (uint32_t i = 0; i < count; i++) {                          \
            if (a[i] == MINV) {                                         \
                if (!any_null || vector_is_valid(out, i)) return RANGE_ERROR(err); \
                r[i] = 0;                                               \
            } else {                                                    \
                r[i] = -a[i];                                           \
            }                                                           \
        }                                                               \
        return true;                                                    \
    }

DEFINE_INT_NEG(neg_i32, int32_t, INT32_MIN, int_range_error)
DEFINE_INT_NEG(neg_i64, int64_t, INT64_MIN, bigint_range_error)

/* Unary plus: the value itself. */
static bool identity(FN_ARGS)
{
    vector_merge_validity(out, args, 1, count);
    size_t size = type_physical_size(out->type);
    if (size == type_physical_size(args[0]->type)) memcpy(out->data, args[0]->data, (size_t)count * size);
    return true;
}

/* ---- doubles ------------------------------------------------------------------- */

/* PostgreSQL's float overflow/underflow checks: an infinite result from
 * finite inputs overflows; a zero result from non-zero inputs underflows. */
static bool float_check_rows(Vector *out, Vector **args, uint32_t count, bool any_null, bool check_zero,
                             bool b_zero_matters, Error *err)
{
    const double *a = VEC_DATA(args[0], double), *b = VEC_DATA(args[1], double), *r = VEC_DATA(out, double);
    for (uint32_t i = 0; i < count; i++) {
        if (any_null && !vector_is_valid(out, i)) continue;
        if (isinf(r[i]) && !isinf(a[i]) && !isinf(b[i]))
            return error_set(err, ERR_DATA, "value out of range: overflow");
        if (check_zero && r[i] == 0.0 && a[i] != 0.0 && (!b_zero_matters || b[i] != 0.0) && !isinf(b[i]))
            return error_set(err, ERR_DATA, "value out of range: underflow");
    }
    return true;
}

#define DEFINE_FLOAT_BINOP(NAME, OP, CHECK_ZERO, B_ZERO)                           \
    static bool NAME(FN_ARGS)                                                      \
    {                                                                              \
        bool any_null = vector_merge_validity(out, args, 2, count);                \
        const double *a = VEC_DATA(args[0], double), *b = VEC_DATA(args[1], double); \
        double *r = VEC_DATA(out, double);                                         \
        bool suspicious = false;                                                   \
        for (uint32_t i = 0; i < count; i++) {                                     \
            r[i] = a[i] OP b[i];                                                   \
            suspicious |= isinf(r[i]) || (CHECK_ZERO && r[i] == 0.0);              \
        }                                                                          \
        if (suspicious) return float_check_rows(out, args, count, any_null, CHECK_ZERO, B_ZERO, err); \
        return true;                                                               \
    }

DEFINE_FLOAT_BINOP(add_f64, +, false, false)
DEFINE_FLOAT_BINOP(sub_f64, -, false, false)
DEFINE_FLOAT_BINOP(mul_f64, *, true, true)

static bool div_f64(FN_ARGS)
{
    bool any_null = vector_merge_validity(out, args, 2, count);
    const double *a = VEC_DATA(args[0], double), *b = VEC_DATA(args[1], double);
    double *r = VEC_DATA(out, double);
    for (uint32_t i = 0; i < count; i++) {
        if (any_null && !vector_is_valid(out, i)) continue;
        if (b[i] == 0.0) return div_zero_error(err);
        r[i] = a[i] / b[i];
        if (isinf(r[i]) && !isinf(a[i])) return error_set(err, ERR_DATA, "value out of range: overflow");
        if (r[i] == 0.0 && a[i] != 0.0 && !isinf(b[i])) return error_set(err, ERR_DATA, "value out of range: underflow");
    }
    return true;
}

static bool neg_f64(FN_ARGS)
{
    vector_merge_validity(out, args, 1, count);
    const double *a = VEC_DATA(args[0], double);
    double *r = VEC_DATA(out, double);
    for (uint32_t i = 0; i < count; i++) r[i] = -a[i];
    return true;
}

/* ---- decimals ----------------------------------------------------------------- */

static bool prepare_dec_add(FunctionCall *call, Arena *arena, Error *err)
{
    call->return_type = decimal_result_type(DECIMAL_OP_ADD, call->arg_types[0], call->arg_types[1]);
    return true;
}
static bool prepare_dec_sub(FunctionCall *call, Arena *arena, Error *err)
{
    call->return_type = decimal_result_type(DECIMAL_OP_SUB, call->arg_types[0], call->arg_types[1]);
    return true;
}
static bool prepare_dec_mul(FunctionCall *call, Arena *arena, Error *err)
{
    call->return_type = decimal_result_type(DECIMAL_OP_MUL, call->arg_types[0], call->arg_types[1]);
    return true;
}
static bool prepare_dec_div(FunctionCall *call, Arena *arena, Error *err)
{
    call->return_type = decimal_result_type(DECIMAL_OP_DIV, call->arg_types[0], call->arg_types[1]);
    return true;
}
static bool prepare_dec_mod(FunctionCall *call, Arena *arena, Error *err)
{
    call->return_type = decimal_result_type(DECIMAL_OP_MOD, call->arg_types[0], call->arg_types[1]);
    return true;
}
static bool prepare_dec_unary(FunctionCall *call, Arena *arena, Error *err)
{
    call->return_type = call->arg_types[0];
    return true;
}

/* The decimal kernels run in two passes.  The fast pass is specialised per
 * vector on the physical width of each input and of the result (int64_t for
 * precision <= 18, kiln_int128 above: DEC_WIDE_A/B/OUT are compile-time
 * flags of an always-inlined body, so each combination is its own loop
 * without width tests); it assumes every operand fits 64 bits, computes
 * every row (NULL slots too: their garbage only sets a flag) with one
 * widening multiply per scaled operand and ORs an "unusual" flag: an
 * operand beyond 64 bits or a result beyond its precision's bound.  Only
 * when the flag is set does the exact pass run over the vector: row by row,
 * skipping NULLs, with 128/256-bit arithmetic (decimal_mul), raising
 * "numeric field overflow" at the first valid row that overflows.  So
 * overflow stays exact, as before.  Powers of ten and bounds are computed
 * once per vector; a constant operand (call->const_args) has stride 0. */
#define DEC_INLINE static inline __attribute__((always_inline))

#define DEC_WIDE_A 1
#define DEC_WIDE_B 2
#define DEC_WIDE_OUT 4

/* Row i of a decimal vector of the given width. */
DEC_INLINE kiln_int128 dec_at(const void *data, bool wide, uint32_t i)
{
    return wide ? ((const kiln_int128 *)data)[i] : (kiln_int128)((const int64_t *)data)[i];
}
DEC_INLINE void dec_put(void *data, bool wide, uint32_t i, kiln_int128 x)
{
    if (wide) ((kiln_int128 *)data)[i] = x;
    else ((int64_t *)data)[i] = (int64_t)x;
}
/* True unless -bound < z < bound, in one unsigned compare: with
 * 1 <= bound <= 10^38 < 2^127, z + bound - 1 taken modulo 2^128 lands in
 * [0, 2*bound - 2] exactly when z is inside. */
DEC_INLINE bool dec_outside(kiln_int128 z, kiln_int128 bound)
{
    unsigned __int128 shift = (unsigned __int128)(bound - 1);
    return (unsigned __int128)z + shift > 2 * shift;
}
/* True if a 128-bit value does not fit 64 bits. */
DEC_INLINE bool dec_beyond64(kiln_int128 x) { return x != (kiln_int128)(int64_t)x; }

static int dec_widths(const Vector *a, const Vector *b, const Vector *out)
{
    return (type_is_decimal128(a->type) ? DEC_WIDE_A : 0) | (type_is_decimal128(b->type) ? DEC_WIDE_B : 0) |
           (type_is_decimal128(out->type) ? DEC_WIDE_OUT : 0);
}

#define DEC_WIDTH_SWITCH(CALL)                                          \
    switch (wide) {                                                     \
    case 0: return CALL(0);                                             \
    case 1: return CALL(1);                                             \
    case 2: return CALL(2);                                             \
    case 3: return CALL(3);                                             \
    case 4: return CALL(4);                                             \
    case 5: return CALL(5);                                             \
    case 6: return CALL(6);                                             \
    default: return CALL(7);                                            \
    }

/* The per-vector constants of + and -. */
typedef struct DecAddPlan {
    int ka, kb;               /* digits each side is scaled up by */
    kiln_int128 ma, mb;       /* 10^ka, 10^kb */
    kiln_int128 lim_a, lim_b; /* |x| must stay below these to be scaled without leaving 128 bits */
    kiln_int128 bound;        /* |result| < bound */
    uint32_t stride_a, stride_b;
} DecAddPlan;

/* The all-64-bit loop of + and -, x*ma +- y*mb.  Compile-time flags:
 * const_a/const_b (the operand is one value, read once), scale_a/scale_b
 * (a multiplier other than 1).  The add itself wraps in unsigned
 * arithmetic and its overflow is the sign test of the operands against the
 * result, so the loop has no branch; one unsigned compare checks
 * -bound < z < bound. */
DEC_INLINE bool dec_add64_rows(const int64_t *a, const int64_t *b, int64_t *r, uint32_t count, int64_t ma,
                               int64_t mb, int64_t bound, bool subtract, bool const_a, bool const_b, bool scale_a,
                               bool scale_b)
{
    const uint64_t span = 2 * (uint64_t)(bound - 1), shift = (uint64_t)(bound - 1);
    const int64_t a0 = a[0], b0 = b[0];
    uint64_t unusual = 0;
    for (uint32_t i = 0; i < count; i++) {
        int64_t x = const_a ? a0 : a[i], y = const_b ? b0 : b[i];
        if (scale_a) unusual |= __builtin_mul_overflow(x, ma, &x);
        if (scale_b) unusual |= __builtin_mul_overflow(y, mb, &y);
        uint64_t ux = (uint64_t)x, uy = (uint64_t)y, uz = subtract ? ux - uy : ux + uy;
        uint64_t overflow = subtract ? ((ux ^ uy) & (ux ^ uz)) : ((ux ^ uz) & (uy ^ uz));
        unusual |= (overflow >> 63) | (uz + shift > span);
        r[i] = (int64_t)uz;
    }
    return unusual == 0;
}

/* Fast pass of + and - (ka, kb <= 18): true if no row was unusual. */
DEC_INLINE bool dec_add_sub_fast(const Vector *va, const Vector *vb, Vector *out, uint32_t count, bool subtract,
                                 int wide, const DecAddPlan *pl)
{
    const bool wa = wide & DEC_WIDE_A, wb = wide & DEC_WIDE_B, wo = wide & DEC_WIDE_OUT;
    const void *a = va->data, *b = vb->data;
    void *r = out->data;
    const uint32_t sa = pl->stride_a, sb = pl->stride_b;
    bool unusual = false;
    if (!wa && !wb && !wo) {
        /* all 64-bit: the result bound is at most 10^18, so 64-bit overflow checks suffice */
        const int64_t *a64 = a, *b64 = b;
        int64_t ma = (int64_t)pl->ma, mb = (int64_t)pl->mb, bound = (int64_t)pl->bound;
        /* a constant operand is scaled once: `1 - x` becomes 100 - x, no multiply per row */
        int64_t const_a, const_b;
        int ka = pl->ka, kb = pl->kb;
        if (sa == 0 && ka > 0) {
            if (__builtin_mul_overflow(a64[0], ma, &const_a)) return false;
            a = &const_a;
            ka = 0;
        }
        if (sb == 0 && kb > 0) {
            if (__builtin_mul_overflow(b64[0], mb, &const_b)) return false;
            b = &const_b;
            kb = 0;
        }
        const bool ca = sa == 0, cb = sb == 0;
        if (ka == 0 && kb == 0) {
            if (ca && cb) return dec_add64_rows(a, b, r, count, 1, 1, bound, subtract, true, true, false, false);
            if (ca) return dec_add64_rows(a, b, r, count, 1, 1, bound, subtract, true, false, false, false);
            if (cb) return dec_add64_rows(a, b, r, count, 1, 1, bound, subtract, false, true, false, false);
            return dec_add64_rows(a, b, r, count, 1, 1, bound, subtract, false, false, false, false);
        }
        /* a constant was pre-scaled above, so a scaled side is a column */
        if (ka == 0) return dec_add64_rows(a, b, r, count, 1, mb, bound, subtract, ca, false, false, true);
        if (kb == 0) return dec_add64_rows(a, b, r, count, ma, 1, bound, subtract, false, cb, true, false);
        return dec_add64_rows(a, b, r, count, ma, mb, bound, subtract, false, false, true, true);
    }
    const int64_t ma = (int64_t)pl->ma, mb = (int64_t)pl->mb;
    for (uint32_t i = 0; i < count; i++) {
        kiln_int128 x0 = dec_at(a, wa, i * sa), y0 = dec_at(b, wb, i * sb);
        if (wa) unusual |= dec_beyond64(x0);
        if (wb) unusual |= dec_beyond64(y0);
        /* |x0|,|y0| < 2^63 and 10^18 < 2^60: the scaled values and their sum are exact */
        kiln_int128 x = (kiln_int128)(int64_t)x0 * ma, y = (kiln_int128)(int64_t)y0 * mb;
        kiln_int128 z = subtract ? x - y : x + y;
        unusual |= dec_outside(z, pl->bound);
        dec_put(r, wo, i, z);
    }
    return !unusual;
}

#define DEC_ADD_FAST(W) dec_add_sub_fast(va, vb, out, count, subtract, W, &pl)

static bool dec_add_sub_fast_dispatch(const Vector *va, const Vector *vb, Vector *out, uint32_t count, bool subtract,
                                      int wide, DecAddPlan pl)
{
    DEC_WIDTH_SWITCH(DEC_ADD_FAST)
}

/* x * 10^k (k = pl's ka or kb), or false when it would leave 128 bits (it
 * then overflows every decimal type). */
static bool dec_scale_up(kiln_int128 x, int k, kiln_int128 m, kiln_int128 lim, kiln_int128 *out)
{
    if (k == 0) {
        *out = x;
        return true;
    }
    if (x >= lim || x <= -lim) return false;
    *out = x * m;
    return true;
}

/* Addition and subtraction: both sides brought to the result scale, then one
 * add and a bound check per row. */
static bool dec_add_sub(FunctionCall *call, Vector **args, uint32_t count, Vector *out, bool subtract, Error *err)
{
    bool any_null = vector_merge_validity(out, args, 2, count);
    const Vector *va = args[0], *vb = args[1];
    int p = out->type.precision, s = out->type.scale;
    DecAddPlan pl;
    pl.ka = s - va->type.scale;
    pl.kb = s - vb->type.scale;
    if (pl.ka < 0 || pl.kb < 0) return error_set(err, ERR_INTERNAL, "decimal + or - with a narrower result scale");
    pl.bound = decimal_pow10(p >= DECIMAL_MAX_PRECISION ? DECIMAL_MAX_PRECISION : p);
    pl.ma = decimal_pow10(pl.ka);
    pl.mb = decimal_pow10(pl.kb);
    /* operands whose scaled value would leave 128 bits overflow the result anyway */
    pl.lim_a = decimal_pow10(DECIMAL_MAX_PRECISION - pl.ka);
    pl.lim_b = decimal_pow10(DECIMAL_MAX_PRECISION - pl.kb);
    pl.stride_a = call->const_args[0] ? 0 : 1;
    pl.stride_b = call->const_args[1] ? 0 : 1;
    if (pl.ka <= 18 && pl.kb <= 18 &&
        dec_add_sub_fast_dispatch(va, vb, out, count, subtract, dec_widths(va, vb, out), pl))
        return true;
    /* the exact pass */
    for (uint32_t i = 0; i < count; i++) {
        if (any_null && !vector_is_valid(out, i)) continue;
        kiln_int128 x, y;
        if (!dec_scale_up(decimal_load(va, i * pl.stride_a), pl.ka, pl.ma, pl.lim_a, &x) ||
            !dec_scale_up(decimal_load(vb, i * pl.stride_b), pl.kb, pl.mb, pl.lim_b, &y))
            return decimal_overflow_error(p, s, err);
        kiln_int128 z = subtract ? x - y : x + y; /* |x|,|y| < 10^38: exact */
        if (z >= pl.bound || z <= -pl.bound) return decimal_overflow_error(p, s, err);
        decimal_store(out, i, z);
    }
    return true;
}

static bool add_dec(FN_ARGS) { return dec_add_sub(call, args, count, out, false, err); }
static bool sub_dec(FN_ARGS) { return dec_add_sub(call, args, count, out, true, err); }

typedef bool (*DecimalBinary)(kiln_int128, int, kiln_int128, int, int, int, kiln_int128 *, Error *);

/* Row by row through a decimal.h function, skipping NULLs (stride 0: a constant operand). */
static bool dec_rows(Vector **args, uint32_t count, Vector *out, bool any_null, uint32_t stride_a, uint32_t stride_b,
                     DecimalBinary op, Error *err)
{
    const Vector *va = args[0], *vb = args[1];
    int sa = va->type.scale, sb = vb->type.scale, p = out->type.precision, s = out->type.scale;
    for (uint32_t i = 0; i < count; i++) {
        if (any_null && !vector_is_valid(out, i)) continue;
        kiln_int128 z;
        if (!op(decimal_load(va, i * stride_a), sa, decimal_load(vb, i * stride_b), sb, p, s, &z, err)) return false;
        decimal_store(out, i, z);
    }
    return true;
}

static bool dec_generic(Vector **args, uint32_t count, Vector *out, DecimalBinary op, Error *err)
{
    bool any_null = vector_merge_validity(out, args, 2, count);
    return dec_rows(args, count, out, any_null, 1, 1, op, err);
}

/* Fast pass of * (the result scale is sa+sb: nothing to round): true if no
 * row was unusual. */
DEC_INLINE bool dec_mul_fast(const Vector *va, const Vector *vb, Vector *out, uint32_t count, int wide,
                             uint32_t sa, uint32_t sb, kiln_int128 bound)
{
    const bool wa = wide & DEC_WIDE_A, wb = wide & DEC_WIDE_B, wo = wide & DEC_WIDE_OUT;
    const void *a = va->data, *b = vb->data;
    void *r = out->data;
    bool unusual = false;
    if (!wa && !wb && !wo) {
        const int64_t *a64 = a, *b64 = b;
        int64_t *r64 = r;
        const int64_t bound64 = (int64_t)bound;
        for (uint32_t i = 0; i < count; i++) {
            int64_t z;
            bool o = __builtin_mul_overflow(a64[i * sa], b64[i * sb], &z);
            unusual |= o | ((uint64_t)z + (uint64_t)(bound64 - 1) > 2 * (uint64_t)(bound64 - 1));
            r64[i] = z;
        }
        return !unusual;
    }
    for (uint32_t i = 0; i < count; i++) {
        kiln_int128 x = dec_at(a, wa, i * sa), y = dec_at(b, wb, i * sb);
        if (wa) unusual |= dec_beyond64(x);
        if (wb) unusual |= dec_beyond64(y);
        kiln_int128 z = (kiln_int128)(int64_t)x * (int64_t)y; /* one widening multiply, exact */
        unusual |= dec_outside(z, bound);
        dec_put(r, wo, i, z);
    }
    return !unusual;
}

#define DEC_MUL_FAST(W) dec_mul_fast(va, vb, out, count, W, sa, sb, bound)

static bool dec_mul_fast_dispatch(const Vector *va, const Vector *vb, Vector *out, uint32_t count, int wide,
                                  uint32_t sa, uint32_t sb, kiln_int128 bound)
{
    DEC_WIDTH_SWITCH(DEC_MUL_FAST)
}

/* Multiplication: operands that fit 64 bits (every DECIMAL(p<=18), and wide
 * ones holding small values) multiply in one 64x64->128 instruction and
 * are checked against the result's bound; the rest (and results whose scale
 * was capped at 38, which must be rounded) go through decimal_mul. */
static bool mul_dec(FN_ARGS)
{
    bool any_null = vector_merge_validity(out, args, 2, count);
    const Vector *va = args[0], *vb = args[1];
    uint32_t sa = call->const_args[0] ? 0 : 1, sb = call->const_args[1] ? 0 : 1;
    if (va->type.scale + vb->type.scale == out->type.scale) {
        int p = out->type.precision;
        kiln_int128 bound = decimal_pow10(p >= DECIMAL_MAX_PRECISION ? DECIMAL_MAX_PRECISION : p);
        if (dec_mul_fast_dispatch(va, vb, out, count, dec_widths(va, vb, out), sa, sb, bound)) return true;
    }
    return dec_rows(args, count, out, any_null, sa, sb, decimal_mul, err);
}

static bool div_dec(FN_ARGS) { return dec_generic(args, count, out, decimal_div, err); }
static bool mod_dec(FN_ARGS) { return dec_generic(args, count, out, decimal_mod, err); }

static bool neg_dec(FN_ARGS)
{
    vector_merge_validity(out, args, 1, count);
    /* |x| < 10^38 in every valid slot; NULL slots may hold anything, negated harmlessly in unsigned space */
    for (uint32_t i = 0; i < count; i++) {
        kiln_int128 x = decimal_load(args[0], i);
        decimal_store(out, i, (kiln_int128)((unsigned __int128)0 - (unsigned __int128)x));
    }
    return true;
}

/* ---- dates, timestamps, intervals ------------------------------------------- */

#define ROW_IS_NULL(i) (any_null && !vector_is_valid(out, i))

/* date + integer, integer + date, date - integer */
static bool date_plus_days(Vector **args, uint32_t count, Vector *out, int date_arg, int64_t sign, Error *err)
{
    bool any_null = vector_merge_validity(out, args, 2, count);
    const int32_t *d = VEC_DATA(args[date_arg], int32_t), *n = VEC_DATA(args[1 - date_arg], int32_t);
    int32_t *r = VEC_DATA(out, int32_t);
    for (uint32_t i = 0; i < count; i++) {
        if (ROW_IS_NULL(i)) continue;
        if (!datetime_date_add_days(d[i], sign * n[i], &r[i], err)) return false;
    }
    return true;
}

static bool add_date_int(FN_ARGS) { return date_plus_days(args, count, out, 0, 1, err); }
static bool add_int_date(FN_ARGS) { return date_plus_days(args, count, out, 1, 1, err); }
static bool sub_date_int(FN_ARGS) { return date_plus_days(args, count, out, 0, -1, err); }

static bool sub_date_date(FN_ARGS)
{
    bool any_null = vector_merge_validity(out, args, 2, count);
    const int32_t *a = VEC_DATA(args[0], int32_t), *b = VEC_DATA(args[1], int32_t);
    int32_t *r = VEC_DATA(out, int32_t);
    for (uint32_t i = 0; i < count; i++) {
        if (ROW_IS_NULL(i)) continue;
        int64_t d = (int64_t)a[i] - b[i];
        if (d < INT32_MIN || d > INT32_MAX) return int_range_error(err);
        r[i] = (int32_t)d;
    }
    return true;
}

/* timestamp (or date, at midnight) + sign * interval */
static bool ts_plus_interval(Vector **args, uint32_t count, Vector *out, int ts_arg, bool is_date, bool negate,
                             Error *err)
{
    bool any_null = vector_merge_validity(out, args, 2, count);
    const Vector *vt = args[ts_arg];
    const Interval *iv = VEC_DATA(args[1 - ts_arg], Interval);
    int64_t *r = VEC_DATA(out, int64_t);
    for (uint32_t i = 0; i < count; i++) {
        if (ROW_IS_NULL(i)) continue;
        int64_t ts;
        if (is_date) {
            if (!datetime_date_to_timestamp(VEC_DATA(vt, int32_t)[i], &ts, err)) return false;
        } else {
            ts = VEC_DATA(vt, int64_t)[i];
        }
        Interval x = iv[i];
        if (negate && !datetime_interval_negate(x, &x, err)) return false;
        if (!datetime_timestamp_add_interval(ts, x, &r[i], err)) return false;
    }
    return true;
}

static bool add_ts_iv(FN_ARGS) { return ts_plus_interval(args, count, out, 0, false, false, err); }
static bool add_iv_ts(FN_ARGS) { return ts_plus_interval(args, count, out, 1, false, false, err); }
static bool sub_ts_iv(FN_ARGS) { return ts_plus_interval(args, count, out, 0, false, true, err); }
static bool add_date_iv(FN_ARGS) { return ts_plus_interval(args, count, out, 0, true, false, err); }
static bool add_iv_date(FN_ARGS) { return ts_plus_interval(args, count, out, 1, true, false, err); }
static bool sub_date_iv(FN_ARGS) { return ts_plus_interval(args, count, out, 0, true, true, err); }

static bool sub_ts_ts(FN_ARGS)
{
    bool any_null = vector_merge_validity(out, args, 2, count);
    const int64_t *a = VEC_DATA(args[0], int64_t), *b = VEC_DATA(args[1], int64_t);
    Interval *r = VEC_DATA(out, Interval);
    for (uint32_t i = 0; i < count; i++) {
        if (ROW_IS_NULL(i)) continue;
        if (!datetime_timestamp_diff(a[i], b[i], &r[i], err)) return false;
    }
    return true;
}

static bool iv_binary(Vector **args, uint32_t count, Vector *out, bool subtract, Error *err)
{
    bool any_null = vector_merge_validity(out, args, 2, count);
    const Interval *a = VEC_DATA(args[0], Interval), *b = VEC_DATA(args[1], Interval);
    Interval *r = VEC_DATA(out, Interval);
    for (uint32_t i = 0; i < count; i++) {
        if (ROW_IS_NULL(i)) continue;
        bool ok = subtract ? datetime_interval_sub(a[i], b[i], &r[i], err)
                           : datetime_interval_add(a[i], b[i], &r[i], err);
        if (!ok) return false;
    }
    return true;
}

static bool add_iv_iv(FN_ARGS) { return iv_binary(args, count, out, false, err); }
static bool sub_iv_iv(FN_ARGS) { return iv_binary(args, count, out, true, err); }

static bool neg_iv(FN_ARGS)
{
    bool any_null = vector_merge_validity(out, args, 1, count);
    const Interval *a = VEC_DATA(args[0], Interval);
    Interval *r = VEC_DATA(out, Interval);
    for (uint32_t i = 0; i < count; i++) {
        if (ROW_IS_NULL(i)) continue;
        if (!datetime_interval_negate(a[i], &r[i], err)) return false;
    }
    return true;
}

/* interval * double, double * interval, interval / double */
static bool iv_scale(Vector **args, uint32_t count, Vector *out, int iv_arg, bool divide, Error *err)
{
    bool any_null = vector_merge_validity(out, args, 2, count);
    const Interval *a = VEC_DATA(args[iv_arg], Interval);
    const double *f = VEC_DATA(args[1 - iv_arg], double);
    Interval *r = VEC_DATA(out, Interval);
    for (uint32_t i = 0; i < count; i++) {
        if (ROW_IS_NULL(i)) continue;
        double factor = f[i];
        if (divide) {
            if (factor == 0.0) return div_zero_error(err);
            factor = 1.0 / factor;
        }
        if (!datetime_interval_mul(a[i], factor, &r[i], err)) return false;
    }
    return true;
}

static bool mul_iv_f64(FN_ARGS) { return iv_scale(args, count, out, 0, false, err); }
static bool mul_f64_iv(FN_ARGS) { return iv_scale(args, count, out, 1, false, err); }
static bool div_iv_f64(FN_ARGS) { return iv_scale(args, count, out, 0, true, err); }

/* ---- the registry ---------------------------------------------------------------- */

/* Equal-cost ties go to the overload listed first, so the narrow numeric
 * types come first. */
static const FunctionOverload overloads_plus[] = {
    {2, {TYPE_INTEGER, TYPE_INTEGER}, TYPE_INTEGER, add_i32, NULL},
    {2, {TYPE_BIGINT, TYPE_BIGINT}, TYPE_BIGINT, add_i64, NULL},
    {2, {TYPE_DECIMAL, TYPE_DECIMAL}, TYPE_DECIMAL, add_dec, prepare_dec_add},
    {2, {TYPE_DOUBLE, TYPE_DOUBLE}, TYPE_DOUBLE, add_f64, NULL},
    {2, {TYPE_DATE, TYPE_INTEGER}, TYPE_DATE, add_date_int, NULL},
    {2, {TYPE_INTEGER, TYPE_DATE}, TYPE_DATE, add_int_date, NULL},
    {2, {TYPE_DATE, TYPE_INTERVAL}, TYPE_TIMESTAMP, add_date_iv, NULL},
    {2, {TYPE_INTERVAL, TYPE_DATE}, TYPE_TIMESTAMP, add_iv_date, NULL},
    {2, {TYPE_TIMESTAMP, TYPE_INTERVAL}, TYPE_TIMESTAMP, add_ts_iv, NULL},
    {2, {TYPE_INTERVAL, TYPE_TIMESTAMP}, TYPE_TIMESTAMP, add_iv_ts, NULL},
    {2, {TYPE_INTERVAL, TYPE_INTERVAL}, TYPE_INTERVAL, add_iv_iv, NULL},
    {1, {TYPE_INTEGER}, TYPE_INTEGER, identity, NULL},
    {1, {TYPE_BIGINT}, TYPE_BIGINT, identity, NULL},
    {1, {TYPE_DECIMAL}, TYPE_DECIMAL, identity, prepare_dec_unary},
    {1, {TYPE_DOUBLE}, TYPE_DOUBLE, identity, NULL},
    {1, {TYPE_INTERVAL}, TYPE_INTERVAL, identity, NULL},
};

static const FunctionOverload overloads_minus[] = {
    {2, {TYPE_INTEGER, TYPE_INTEGER}, TYPE_INTEGER, sub_i32, NULL},
    {2, {TYPE_BIGINT, TYPE_BIGINT}, TYPE_BIGINT, sub_i64, NULL},
    {2, {TYPE_DECIMAL, TYPE_DECIMAL}, TYPE_DECIMAL, sub_dec, prepare_dec_sub},
    {2, {TYPE_DOUBLE, TYPE_DOUBLE}, TYPE_DOUBLE, sub_f64, NULL},
    {2, {TYPE_DATE, TYPE_DATE}, TYPE_INTEGER, sub_date_date, NULL},
    {2, {TYPE_DATE, TYPE_INTEGER}, TYPE_DATE, sub_date_int, NULL},
    {2, {TYPE_DATE, TYPE_INTERVAL}, TYPE_TIMESTAMP, sub_date_iv, NULL},
    {2, {TYPE_TIMESTAMP, TYPE_TIMESTAMP}, TYPE_INTERVAL, sub_ts_ts, NULL},
    {2, {TYPE_TIMESTAMP, TYPE_INTERVAL}, TYPE_TIMESTAMP, sub_ts_iv, NULL},
    {2, {TYPE_INTERVAL, TYPE_INTERVAL}, TYPE_INTERVAL, sub_iv_iv, NULL},
    {1, {TYPE_INTEGER}, TYPE_INTEGER, neg_i32, NULL},
    {1, {TYPE_BIGINT}, TYPE_BIGINT, neg_i64, NULL},
    {1, {TYPE_DECIMAL}, TYPE_DECIMAL, neg_dec, prepare_dec_unary},
    {1, {TYPE_DOUBLE}, TYPE_DOUBLE, neg_f64, NULL},
    {1, {TYPE_INTERVAL}, TYPE_INTERVAL, neg_iv, NULL},
};

static const FunctionOverload overloads_times[] = {
    {2, {TYPE_INTEGER, TYPE_INTEGER}, TYPE_INTEGER, mul_i32, NULL},
    {2, {TYPE_BIGINT, TYPE_BIGINT}, TYPE_BIGINT, mul_i64, NULL},
    {2, {TYPE_DECIMAL, TYPE_DECIMAL}, TYPE_DECIMAL, mul_dec, prepare_dec_mul},
    {2, {TYPE_DOUBLE, TYPE_DOUBLE}, TYPE_DOUBLE, mul_f64, NULL},
    {2, {TYPE_INTERVAL, TYPE_DOUBLE}, TYPE_INTERVAL, mul_iv_f64, NULL},
    {2, {TYPE_DOUBLE, TYPE_INTERVAL}, TYPE_INTERVAL, mul_f64_iv, NULL},
};

static const FunctionOverload overloads_divide[] = {
    {2, {TYPE_INTEGER, TYPE_INTEGER}, TYPE_INTEGER, div_i32, NULL},
    {2, {TYPE_BIGINT, TYPE_BIGINT}, TYPE_BIGINT, div_i64, NULL},
    {2, {TYPE_DECIMAL, TYPE_DECIMAL}, TYPE_DECIMAL, div_dec, prepare_dec_div},
    {2, {TYPE_DOUBLE, TYPE_DOUBLE}, TYPE_DOUBLE, div_f64, NULL},
    {2, {TYPE_INTERVAL, TYPE_DOUBLE}, TYPE_INTERVAL, div_iv_f64, NULL},
};

static const FunctionOverload overloads_modulo[] = {
    {2, {TYPE_INTEGER, TYPE_INTEGER}, TYPE_INTEGER, mod_i32, NULL},
    {2, {TYPE_BIGINT, TYPE_BIGINT}, TYPE_BIGINT, mod_i64, NULL},
    {2, {TYPE_DECIMAL, TYPE_DECIMAL}, TYPE_DECIMAL, mod_dec, prepare_dec_mod},
};

#define COUNT_OF(a) (int)(sizeof(a) / sizeof((a)[0]))

const ScalarFunction fn_set_arith[] = {
    {"+", overloads_plus, COUNT_OF(overloads_plus)},
    {"-", overloads_minus, COUNT_OF(overloads_minus)},
    {"*", overloads_times, COUNT_OF(overloads_times)},
    {"/", overloads_divide, COUNT_OF(overloads_divide)},
    {"%", overloads_modulo, COUNT_OF(overloads_modulo)},
    {NULL, NULL, 0},
};
