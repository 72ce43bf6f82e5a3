/* function: registry lookup and overload resolution (see function.h).
 *
 * Resolution follows PostgreSQL's idea in a simplified form: an overload is a
 * candidate if every argument converts to its parameter type implicitly; the
 * candidate with the smallest total conversion cost wins; between equal costs
 * the overload listed first wins. */
#include "exec/function.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/strbuf.h"

static const ScalarFunction *const function_sets[] = {
    fn_set_arith, fn_set_compare, fn_set_datetime, fn_set_string, fn_set_math, fn_set_pattern,
    fn_set_json, fn_set_cleansing,
};

const ScalarFunction *function_lookup(const char *name)
{
    for (size_t s = 0; s < sizeof function_sets / sizeof function_sets[0]; s++)
        for (const ScalarFunction *f = function_sets[s]; f->name != NULL; f++)
            if (strcasecmp(f->name, name) == 0) return f;
    return NULL;
}

/* Parameter type of argument i for an overload (variadic repeats args[0]). */
static TypeId param_type(const FunctionOverload *o, int i)
{
    return o->nargs < 0 ? o->args[0] : o->args[i];
}

/* Concrete type that an argument of type `actual` takes for parameter kind `param`. */
static bool concrete_param(TypeId param, LogicalType actual, LogicalType same, LogicalType *out)
{
    if (param == FN_ARG_ANY) {
        *out = actual;
        return true;
    }
    if (param == FN_ARG_SAME) {
        *out = same;
        return true;
    }
    if (param == TYPE_DECIMAL) {
        if (actual.id == TYPE_DECIMAL) *out = actual;
        else if (type_is_integral(actual)) *out = cast_decimal_for(actual);
        else *out = type_decimal(DECIMAL_DEFAULT_PRECISION, DECIMAL_DEFAULT_SCALE);
        return true;
    }
    *out = type_make(param);
    return true;
}

/* Total implicit-cast cost of calling overload o with these args, or -1. */
static int overload_cost(const FunctionOverload *o, const LogicalType *args, int nargs, LogicalType *same_out)
{
    if (o->nargs >= 0 && o->nargs != nargs) return -1;
    if (o->nargs < 0 && nargs < 1) return -1;
    /* unify FN_ARG_SAME arguments first */
    bool have_same = false;
    LogicalType same = type_make(TYPE_NULL);
    for (int i = 0; i < nargs; i++) {
        if (param_type(o, i) != FN_ARG_SAME) continue;
        if (!have_same) {
            same = args[i];
            have_same = true;
        } else if (!cast_common_type(same, args[i], &same)) {
            return -1;
        }
    }
    if (have_same && same.id == TYPE_NULL) same = type_make(TYPE_VARCHAR);
    *same_out = same;
    int cost = 0;
    for (int i = 0; i < nargs; i++) {
        LogicalType target;
        concrete_param(param_type(o, i), args[i], same, &target);
        int c = cast_implicit_cost(args[i], target);
        if (c < 0) return -1;
        cost += c;
    }
    return cost;
}

static void describe_args(StrBuf *sb, const LogicalType *args, int nargs)
{
    for (int i = 0; i < nargs; i++) {
        char buf[48];
        strbuf_puts(sb, i ? ", " : "");
        strbuf_puts(sb, type_name(args[i], buf, sizeof buf));
    }
}

bool function_bind(const ScalarFunction *fn, const LogicalType *arg_types, const Value *const *const_args,
                   int nargs, int sql_pos, FunctionCall *call, Arena *arena, Error *err)
{
    if (nargs > FN_MAX_CALL_ARGS)
        return error_set_at(err, ERR_SQL, sql_pos, "function %s: too many arguments (%d, at most %d)", fn->name,
                            nargs, FN_MAX_CALL_ARGS);
    const FunctionOverload *best = NULL;
    LogicalType best_same = type_make(TYPE_NULL);
    int best_cost = -1;
    for (int k = 0; k < fn->noverloads; k++) {
        LogicalType same;
        int cost = overload_cost(&fn->overloads[k], arg_types, nargs, &same);
        if (cost < 0) continue;
        if (best == NULL || cost < best_cost) {
            best = &fn->overloads[k];
            best_cost = cost;
            best_same = same;
        }
        /* on equal cost the overload listed first wins: function sets list
         * their preferred signature first (PostgreSQL's "preferred type") */
    }
    if (best == NULL) {
        StrBuf sb = STRBUF_INIT;
        describe_args(&sb, arg_types, nargs);
        bool is_operator = fn->name[0] != '\0' && strchr("+-*/%=<>!~|&^#@", fn->name[0]) != NULL;
        if (is_operator)
            error_set_at(err, ERR_SQL, sql_pos, "operator %s %s: %s(%s)",
                         best ? "is not unique" : "does not exist", fn->name, fn->name, strbuf_cstr(&sb));
        else
            error_set_at(err, ERR_SQL, sql_pos, "function %s(%s) %s", fn->name, strbuf_cstr(&sb),
                         best ? "is not unique" : "does not exist");
        strbuf_free(&sb);
        return false;
    }
    memset(call, 0, sizeof *call);
    call->function = fn;
    call->overload = best;
    call->nargs = nargs;
    call->sql_pos = sql_pos;
    for (int i = 0; i < nargs; i++) {
        concrete_param(param_type(best, i), arg_types[i], best_same, &call->arg_types[i]);
        call->const_args[i] = const_args ? const_args[i] : NULL;
    }
    if (best->ret == FN_ARG_SAME) call->return_type = best_same;
    else if (best->ret == TYPE_DECIMAL) call->return_type = type_decimal(DECIMAL_DEFAULT_PRECISION, DECIMAL_DEFAULT_SCALE);
    else call->return_type = type_make(best->ret);
    if (best->prepare && !best->prepare(call, arena, err)) {
        if (err->sql_pos < 0) err->sql_pos = sql_pos;
        return false;
    }
    return true;
}

void function_call_release(FunctionCall *call)
{
    if (call->bind_data && call->free_bind_data) call->free_bind_data(call->bind_data);
    call->bind_data = NULL;
}
