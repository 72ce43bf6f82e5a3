/* function: the registry of scalar functions and operators, and how a call
 * is bound to one implementation.
 *
 * A function is a name with overloads.  Each overload lists its argument
 * types and return type and points to a vectorised implementation that
 * computes `count` rows at once.  Operators are functions named by their
 * symbol ("+", "=", "<", "||", "~~" for LIKE, "~" for regex match ...).
 *
 * Binding (function_bind) picks the overload whose argument types the actual
 * arguments convert to most cheaply (cast_implicit_cost), casts the
 * arguments, and lets the overload's prepare hook refine the return type
 * (decimal precision) or precompile constant arguments (a regex, a format).
 *
 * Implementations receive dense argument vectors (no selection) of `count`
 * rows and fill `out`, which has been reset.  Most functions are strict:
 * they call vector_merge_validity(out, args, nargs, count) and skip NULL rows
 * (never raise an error about the garbage in a NULL slot). */
#ifndef KILN_EXEC_FUNCTION_H
#define KILN_EXEC_FUNCTION_H

#include <stdbool.h>

#include "common/arena.h"
#include "common/error.h"
#include "types/cast.h"
#include "types/value.h"
#include "types/vector.h"

#define FN_MAX_ARGS 8

/* Pseudo types in overload signatures (never the type of a value). */
#define FN_ARG_ANY ((TypeId)100)  /* any type, passed as it is */
#define FN_ARG_SAME ((TypeId)101) /* all FN_ARG_SAME args (and the return, if FN_ARG_SAME)
                                     are unified to their common type (cast_common_type) */

typedef struct FunctionCall FunctionCall;

/* Compute count rows of the function into out. */
typedef bool (*ScalarImpl)(FunctionCall *call, Vector **args, uint32_t count, Vector *out, Error *err);
/* Bind-time hook: may set call->return_type (e.g. decimal precision/scale)
 * and call->bind_data (with call->free_bind_data) from constant arguments. */
typedef bool (*FunctionPrepare)(FunctionCall *call, Arena *arena, Error *err);

typedef struct FunctionOverload {
    int nargs;                  /* exact argument count, or -1: one or more, all of type args[0] */
    TypeId args[FN_MAX_ARGS];   /* TYPE_DECIMAL accepts any DECIMAL(p,s) (integers are widened) */
    TypeId ret;                 /* TYPE_DECIMAL: prepare sets precision/scale (default 38,10) */
    ScalarImpl impl;
    FunctionPrepare prepare;    /* optional */
} FunctionOverload;

typedef struct ScalarFunction {
    const char *name; /* lower case */
    const FunctionOverload *overloads;
    int noverloads;
} ScalarFunction;

struct FunctionCall {
    const ScalarFunction *function;
    const FunctionOverload *overload;
    int nargs;
    LogicalType arg_types[FN_MAX_ARGS * 8]; /* types after the binder's casts */
    const Value *const_args[FN_MAX_ARGS * 8]; /* value of a constant argument, else NULL */
    LogicalType return_type;
    void *bind_data;                 /* owned by the call; freed with free_bind_data */
    void (*free_bind_data)(void *);
    int sql_pos;                     /* position of the call in the SQL text, for errors */
};

#define FN_MAX_CALL_ARGS (FN_MAX_ARGS * 8)

/* Find a function or operator by name (case-insensitive); NULL if unknown. */
const ScalarFunction *function_lookup(const char *name);

/* Bind a call of fn with the given argument types (and constant values, or
 * NULL entries): choose the overload, fill call (the binder must cast each
 * argument i to call->arg_types[i]) and run the prepare hook.  On failure the
 * error names the function and the argument types. */
bool function_bind(const ScalarFunction *fn, const LogicalType *arg_types, const Value *const *const_args,
                   int nargs, int sql_pos, FunctionCall *call, Arena *arena, Error *err);

/* Release a bound call's bind data. */
void function_call_release(FunctionCall *call);

/* The function sets, one per file under exec/functions/ (registered in function.c). */
extern const ScalarFunction fn_set_arith[];      /* + - * / % unary minus, on numbers, dates, intervals */
extern const ScalarFunction fn_set_compare[];    /* = <> < <= > >= on every type */
extern const ScalarFunction fn_set_datetime[];   /* date_trunc, date_part, to_char, to_date ... */
extern const ScalarFunction fn_set_string[];     /* lower, upper, trim, substring, || ... */
extern const ScalarFunction fn_set_math[];       /* round, trunc, abs, floor, ceil, power ... */
extern const ScalarFunction fn_set_pattern[];    /* LIKE, ILIKE, ~, regexp_replace ... */
extern const ScalarFunction fn_set_json[];       /* -> ->> #> #>> json_extract_path, json_typeof ... on JSON text */
extern const ScalarFunction fn_set_cleansing[];  /* try_cast, try_to_date, try_to_timestamp (NULL instead of an error) */

#endif
