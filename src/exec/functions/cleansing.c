/* functions/cleansing: forgiving conversions for the transform step of a job
 * (issue 7, item 5): a bad value becomes NULL instead of stopping the job.
 *
 *   try_cast(value, 'integer')        the target type named by a constant string
 *   try_cast(value, NULL::numeric(10,2))  ... or given by the second argument's type
 *   try_to_date(text, format)         to_date, NULL when the text does not match
 *   try_to_timestamp(text, format)    to_timestamp, NULL when the text does not match
 *
 * PostgreSQL's grammar has no TRY_CAST keyword, so try_cast is an ordinary
 * function: a non-NULL text constant as second argument is a type name
 * ('integer', 'numeric(12,2)', 'double precision', 'timestamp'); any other
 * second argument gives its own type (to cast to text, write 'text' or
 * NULL::text).  Only data errors (unparsable text, out of range, overflow)
 * become NULL; a cast that does not exist at all (interval to date) is a
 * SQL error when the call is bound.
 *
 * How: the whole vector is cast at once (cast_vector, the fast path); only
 * if that fails is the batch redone row by row through two one-slot
 * vectors, so clean data costs what a plain CAST does. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "exec/function.h"
#include "types/datetime.h"

#define FN_ARGS FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err

/* Parse a type name as written in SQL: "integer", "numeric(12, 2)",
 * "double precision", "varchar(20)" (the length is not enforced, as
 * elsewhere in kiln). False if it names no type. */
static bool parse_type_name(const char *s, uint32_t n, LogicalType *out)
{
    char name[64];
    size_t len = 0;
    uint32_t i = 0;
    int32_t mods[2];
    int nmods = 0;
    while (i < n && isspace((unsigned char)s[i])) i++;
    for (; i < n && s[i] != '('; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isspace(c)) {
            if (len > 0 && name[len - 1] != ' ' && len + 1 < sizeof name) name[len++] = ' ';
            continue;
        }
        if (len + 1 >= sizeof name) return false;
        name[len++] = (char)tolower(c);
    }
    while (len > 0 && name[len - 1] == ' ') len--;
    name[len] = '\0';
    if (i < n) { /* "(p[, s])" */
        i++;
        for (;;) {
            while (i < n && isspace((unsigned char)s[i])) i++;
            int64_t v = 0;
            int digits = 0;
            while (i < n && isdigit((unsigned char)s[i]) && digits < 6) v = v * 10 + (s[i++] - '0'), digits++;
            if (digits == 0 || nmods == 2) return false;
            mods[nmods++] = (int32_t)v;
            while (i < n && isspace((unsigned char)s[i])) i++;
            if (i < n && s[i] == ',') {
                i++;
                continue;
            }
            if (i < n && s[i] == ')') break;
            return false;
        }
        i++;
        while (i < n && isspace((unsigned char)s[i])) i++;
        if (i != n) return false;
    }
    return len > 0 && type_from_name(name, mods, nmods, out);
}

static bool prepare_try_cast(FunctionCall *call, Arena *arena, Error *err)
{
    (void)arena;
    const Value *c = call->const_args[1];
    LogicalType target = call->arg_types[1];
    if (c && !c->is_null && c->type.id == TYPE_VARCHAR) {
        if (!parse_type_name(c->u.str.data, c->u.str.len, &target))
            return error_set_at(err, ERR_SQL, call->sql_pos, "type \"%.*s\" does not exist",
                                (int)(c->u.str.len > 100 ? 100 : c->u.str.len), c->u.str.data);
    }
    if (target.id == TYPE_NULL)
        return error_set_at(err, ERR_SQL, call->sql_pos,
                            "try_cast needs a target type: try_cast(value, 'integer') or try_cast(value, NULL::integer)");
    LogicalType from = call->arg_types[0];
    if (cast_kind(from, target) == CAST_NONE) {
        char a[48], b[48];
        return error_set_at(err, ERR_SQL, call->sql_pos, "cannot cast type %s to %s", type_name(from, a, sizeof a),
                            type_name(target, b, sizeof b));
    }
    call->return_type = target;
    return true;
}

/* Cast row `row` of src into slot `row` of out; a data error makes it NULL. */
static bool try_cast_row(const Vector *src, uint32_t row, Vector *one_in, Vector *one_out, Vector *out, Error *err)
{
    vector_reset(one_in);
    vector_reset(one_out);
    vector_copy(one_in, 0, src, &row, 1);
    Error row_err = ERROR_INIT;
    if (cast_vector(one_in, one_out, 1, &row_err)) {
        vector_copy(out, row, one_out, NULL, 1);
        return true;
    }
    if (row_err.kind != ERR_DATA) {
        *err = row_err;
        return false;
    }
    vector_set_null(out, row);
    return true;
}

static bool try_cast_fn(FN_ARGS)
{
    Error whole = ERROR_INIT;
    if (cast_vector(args[0], out, count, &whole)) return true;
    if (whole.kind != ERR_DATA) {
        *err = whole;
        return false;
    }
    /* some value does not convert: redo the batch row by row */
    Vector one_in, one_out;
    vector_init(&one_in, args[0]->type, 1);
    vector_init(&one_out, out->type, 1);
    bool ok = true;
    for (uint32_t i = 0; i < count && ok; i++) ok = try_cast_row(args[0], i, &one_in, &one_out, out, err);
    vector_destroy(&one_in);
    vector_destroy(&one_out);
    return ok;
}

static const char *kstr(const Vector *v, uint32_t i, uint32_t *len)
{
    const KString *k = &VEC_DATA(v, KString)[i];
    *len = k->len;
    return kstring_data(k);
}

/* Parse row i with its format; false (and no error) when it does not match. */
static bool parse_row(Vector **args, uint32_t i, bool utc, int64_t *ts, Error *err, bool *failed)
{
    uint32_t n, fn;
    const char *s = kstr(args[0], i, &n), *fmt = kstr(args[1], i, &fn);
    Error row_err = ERROR_INIT;
    *failed = false;
    bool ok = utc ? datetime_parse_formatted_utc(s, n, fmt, fn, ts, &row_err)
                  : datetime_parse_formatted(s, n, fmt, fn, ts, &row_err);
    if (ok) return true;
    if (row_err.kind != ERR_DATA) {
        *err = row_err;
        return false;
    }
    *failed = true;
    return true;
}

static bool try_to_timestamp_fn(FN_ARGS)
{
    (void)call;
    vector_merge_validity(out, args, 2, count);
    int64_t *r = VEC_DATA(out, int64_t);
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        bool failed;
        if (!parse_row(args, i, true, &r[i], err, &failed)) return false;
        if (failed) vector_set_null(out, i);
    }
    return true;
}

static bool try_to_date_fn(FN_ARGS)
{
    (void)call;
    vector_merge_validity(out, args, 2, count);
    int32_t *r = VEC_DATA(out, int32_t);
    for (uint32_t i = 0; i < count; i++) {
        if (!vector_is_valid(out, i)) continue;
        bool failed;
        int64_t ts = 0;
        if (!parse_row(args, i, false, &ts, err, &failed)) return false;
        int32_t d = failed ? 0 : datetime_timestamp_to_date(ts);
        if (failed || !datetime_date_in_range(d)) vector_set_null(out, i);
        else r[i] = d;
    }
    return true;
}

static const FunctionOverload overloads_try_cast[] = {
    {2, {FN_ARG_ANY, FN_ARG_ANY}, FN_ARG_ANY, try_cast_fn, prepare_try_cast},
};
static const FunctionOverload overloads_try_to_date[] = {
    {2, {TYPE_VARCHAR, TYPE_VARCHAR}, TYPE_DATE, try_to_date_fn, NULL},
};
static const FunctionOverload overloads_try_to_timestamp[] = {
    {2, {TYPE_VARCHAR, TYPE_VARCHAR}, TYPE_TIMESTAMP, try_to_timestamp_fn, NULL},
};

#define COUNT_OF(a) (int)(sizeof(a) / sizeof((a)[0]))

const ScalarFunction fn_set_cleansing[] = {
    {"try_cast", overloads_try_cast, COUNT_OF(overloads_try_cast)},
    {"try_to_date", overloads_try_to_date, COUNT_OF(overloads_try_to_date)},
    {"try_to_timestamp", overloads_try_to_timestamp, COUNT_OF(overloads_try_to_timestamp)},
    {NULL, NULL, 0},
};
