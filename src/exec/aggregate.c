/* aggregate: names and result types of aggregate functions (see aggregate.h). */
#include "exec/aggregate.h"

#include <string.h>

static const struct {
    const char *name;
    AggKind kind;
} known[] = {
    {"count", AGG_COUNT}, {"sum", AGG_SUM}, {"avg", AGG_AVG}, {"min", AGG_MIN}, {"max", AGG_MAX},
    {"bool_and", AGG_BOOL_AND}, {"bool_or", AGG_BOOL_OR}, {"every", AGG_BOOL_AND}, {"string_agg", AGG_STRING_AGG},
    {"var_samp", AGG_VAR_SAMP}, {"variance", AGG_VAR_SAMP}, {"var_pop", AGG_VAR_POP},
    {"stddev_samp", AGG_STDDEV_SAMP}, {"stddev", AGG_STDDEV_SAMP}, {"stddev_pop", AGG_STDDEV_POP},
    {"approx_count_distinct", AGG_APPROX_COUNT_DISTINCT}, {"percentile_cont", AGG_PERCENTILE_CONT},
    {"median", AGG_PERCENTILE_CONT}, {"percentile_disc", AGG_PERCENTILE_DISC},
};

bool aggregate_is_ordered_set(const char *name)
{
    return strcmp(name, "percentile_cont") == 0 || strcmp(name, "percentile_disc") == 0;
}

bool aggregate_supports_window(AggKind kind)
{
    return kind <= AGG_BOOL_OR;
}

bool aggregate_is_known(const char *name)
{
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(known[i].name, name) == 0) return true;
    return false;
}

const char *aggregate_name(AggKind kind)
{
    if (kind == AGG_COUNT_STAR) return "count_star";
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (known[i].kind == kind) return known[i].name;
    return "?";
}

bool aggregate_resolve(const char *name, bool count_star, int nargs, LogicalType in, AggKind *kind,
                       LogicalType *result, Error *err)
{
    char tn[48];
    if (count_star) {
        if (strcmp(name, "count") != 0) return error_set(err, ERR_SQL, "%s(*) is not a valid aggregate call", name);
        *kind = AGG_COUNT_STAR;
        *result = type_make(TYPE_BIGINT);
        return true;
    }
    AggKind k = AGG_COUNT;
    bool found = false;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(known[i].name, name) == 0) {
            k = known[i].kind;
            found = true;
        }
    if (!found) return error_set(err, ERR_SQL, "aggregate %s does not exist", name);
    int want = k == AGG_STRING_AGG ? 2 : 1;
    if (nargs != want)
        return error_set(err, ERR_SQL, "function %s takes %d argument%s, not %d", name, want, want == 1 ? "" : "s", nargs);
    *kind = k;
    switch (k) {
    case AGG_COUNT: *result = type_make(TYPE_BIGINT); return true;
    case AGG_SUM:
        if (in.id == TYPE_INTEGER) *result = type_make(TYPE_BIGINT);
        else if (in.id == TYPE_BIGINT) *result = type_decimal(38, 0);
        else if (in.id == TYPE_DECIMAL) *result = type_decimal(38, in.scale);
        else if (in.id == TYPE_DOUBLE) *result = in;
        else if (in.id == TYPE_INTERVAL) return error_set(err, ERR_SQL, "sum(interval) is not supported yet");
        else break;
        return true;
    case AGG_AVG:
        if (in.id == TYPE_INTEGER || in.id == TYPE_BIGINT) *result = type_decimal(38, 6);
        else if (in.id == TYPE_DECIMAL) *result = type_decimal(38, in.scale > 6 ? in.scale : 6);
        else if (in.id == TYPE_DOUBLE) *result = in;
        else break;
        return true;
    case AGG_MIN:
    case AGG_MAX:
        if (in.id == TYPE_NULL || in.id == TYPE_INVALID) break;
        *result = in;
        return true;
    case AGG_BOOL_AND:
    case AGG_BOOL_OR:
        if (in.id != TYPE_BOOLEAN) break;
        *result = in;
        return true;
    case AGG_STRING_AGG:
        if (in.id != TYPE_VARCHAR) break;
        *result = in;
        return true;
    case AGG_VAR_SAMP:
    case AGG_VAR_POP:
    case AGG_STDDEV_SAMP:
    case AGG_STDDEV_POP:
        if (in.id != TYPE_INTEGER && in.id != TYPE_BIGINT && in.id != TYPE_DECIMAL && in.id != TYPE_DOUBLE) break;
        *result = type_make(TYPE_DOUBLE);
        return true;
    case AGG_APPROX_COUNT_DISTINCT:
        if (in.id == TYPE_NULL || in.id == TYPE_INVALID) break;
        *result = type_make(TYPE_BIGINT);
        return true;
    case AGG_PERCENTILE_CONT:
        if (in.id != TYPE_DOUBLE) break;
        *result = in;
        return true;
    case AGG_PERCENTILE_DISC:
        if (in.id == TYPE_NULL || in.id == TYPE_INVALID) break;
        *result = in;
        return true;
    case AGG_COUNT_STAR: break;
    }
    return error_set(err, ERR_SQL, "function %s(%s) does not exist", name, type_name(in, tn, sizeof tn));
}

int aggregate_state_types(const AggregateSpec *spec, LogicalType out[AGG_MAX_STATE_COLS])
{
    /* a DISTINCT aggregate's state is its set; min, max, bool_and, bool_or
     * and approx_count_distinct ignore DISTINCT, so they merge as usual */
    if (spec->distinct && spec->kind != AGG_MIN && spec->kind != AGG_MAX && spec->kind != AGG_BOOL_AND &&
        spec->kind != AGG_BOOL_OR && spec->kind != AGG_APPROX_COUNT_DISTINCT)
        return 0;
    switch (spec->kind) {
    case AGG_COUNT_STAR:
    case AGG_COUNT: out[0] = type_make(TYPE_BIGINT); return 1;
    case AGG_SUM:
    case AGG_AVG:
        if (spec->input_type.id == TYPE_DOUBLE) out[0] = type_make(TYPE_DOUBLE);
        else out[0] = type_decimal(38, spec->input_type.id == TYPE_DECIMAL ? spec->input_type.scale : 0);
        out[1] = type_make(TYPE_BIGINT);
        return 2;
    case AGG_MIN:
    case AGG_MAX: out[0] = spec->input_type; return 1;
    case AGG_BOOL_AND:
    case AGG_BOOL_OR: out[0] = type_make(TYPE_BOOLEAN); return 1;
    case AGG_VAR_SAMP:
    case AGG_VAR_POP:
    case AGG_STDDEV_SAMP:
    case AGG_STDDEV_POP:
        out[0] = type_make(TYPE_BIGINT);
        out[1] = type_make(TYPE_DOUBLE);
        out[2] = type_make(TYPE_DOUBLE);
        return 3;
    case AGG_APPROX_COUNT_DISTINCT: out[0] = type_make(TYPE_VARCHAR); return 1;
    case AGG_STRING_AGG:
    case AGG_PERCENTILE_CONT:
    case AGG_PERCENTILE_DISC: return 0;
    }
    return 0;
}
