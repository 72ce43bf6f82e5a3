/* expr_equal: structural equality of bound expressions, and a hash that
 * agrees with it.
 *
 * Two expressions are equal when they would compute the same vector from the
 * same batch: the same node kind and result type, the same flags (NOT,
 * ELSE, IS TRUE/FALSE/UNKNOWN), the same bound overload (one implementation,
 * one set of argument types), constants of the same type and value, columns
 * by number, and equal arguments in order.  Positions in the SQL text are
 * not compared: `a * b` written twice is one expression.  A call's bind data
 * (a compiled regex, a parsed format) is derived from its constant arguments,
 * which are compared, so it is not compared itself.
 *
 * Doubles compare by their bits: 0.0 and -0.0 are different constants (they
 * give different results under division), and a NaN constant equals itself.
 *
 * The *_node variants look at one node only, so a caller that hash-conses a
 * tree bottom-up (sql/opt_cse.c) compares each node once and its arguments
 * by their class, in linear time.  Memory: none. */
#include "exec/expr_equal.h"

#include <string.h>

#include "exec/hash.h"

bool expr_value_equal(const Value *a, const Value *b)
{
    if (!type_equal(a->type, b->type)) return false;
    bool a_null = a->is_null || a->type.id == TYPE_NULL;
    bool b_null = b->is_null || b->type.id == TYPE_NULL;
    if (a_null || b_null) return a_null == b_null;
    switch (a->type.id) {
    case TYPE_BOOLEAN: return a->u.boolean == b->u.boolean;
    case TYPE_INTEGER:
    case TYPE_DATE: return a->u.i32 == b->u.i32;
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP: return a->u.i64 == b->u.i64;
    case TYPE_DOUBLE: return memcmp(&a->u.f64, &b->u.f64, sizeof(double)) == 0;
    case TYPE_DECIMAL:
        if (type_is_decimal128(a->type)) return a->u.i128 == b->u.i128;
        return a->u.i64 == b->u.i64;
    case TYPE_VARCHAR:
        return a->u.str.len == b->u.str.len &&
               (a->u.str.len == 0 || memcmp(a->u.str.data, b->u.str.data, a->u.str.len) == 0);
    case TYPE_INTERVAL:
        return a->u.interval.months == b->u.interval.months && a->u.interval.days == b->u.interval.days &&
               a->u.interval.micros == b->u.interval.micros;
    case TYPE_NULL:
    case TYPE_INVALID: return true;
    }
    return false;
}

static uint64_t hash_type(LogicalType t)
{
    return hash_mix64(((uint64_t)t.id << 16) | ((uint64_t)t.precision << 8) | t.scale);
}

static uint64_t hash_bytes(const void *p, size_t n)
{
    /* FNV-1a: constants are short and hashed once per plan */
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 0x100000001b3ULL;
    return h;
}

static uint64_t hash_value(const Value *v)
{
    uint64_t h = hash_type(v->type);
    if (v->is_null || v->type.id == TYPE_NULL) return hash_combine(h, HASH_NULL);
    switch (v->type.id) {
    case TYPE_BOOLEAN: return hash_combine(h, v->u.boolean ? 1 : 0);
    case TYPE_INTEGER:
    case TYPE_DATE: return hash_combine(h, (uint64_t)(uint32_t)v->u.i32);
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP: return hash_combine(h, (uint64_t)v->u.i64);
    case TYPE_DOUBLE: return hash_combine(h, hash_bytes(&v->u.f64, sizeof(double)));
    case TYPE_DECIMAL:
        if (type_is_decimal128(v->type)) {
            unsigned __int128 u = (unsigned __int128)v->u.i128;
            return hash_combine(hash_combine(h, (uint64_t)u), (uint64_t)(u >> 64));
        }
        return hash_combine(h, (uint64_t)v->u.i64);
    case TYPE_VARCHAR: return hash_combine(h, hash_bytes(v->u.str.data, v->u.str.len));
    case TYPE_INTERVAL:
        return hash_combine(hash_combine(hash_combine(h, (uint64_t)(uint32_t)v->u.interval.months),
                                         (uint64_t)(uint32_t)v->u.interval.days),
                            (uint64_t)v->u.interval.micros);
    case TYPE_NULL:
    case TYPE_INVALID: break;
    }
    return h;
}

/* The function a node calls (NULL for none): its overload decides the implementation and argument types. */
static bool same_call(const FunctionCall *a, const FunctionCall *b)
{
    if (a == NULL || b == NULL) return a == b;
    return a->function == b->function && a->overload == b->overload && a->nargs == b->nargs &&
           type_equal(a->return_type, b->return_type);
}

bool expr_equal_node(const Expr *a, const Expr *b)
{
    if (a == b) return true;
    if (a->kind != b->kind || a->nargs != b->nargs || !type_equal(a->type, b->type)) return false;
    if (a->negated != b->negated) return false;
    switch (a->kind) {
    case EXPR_CONST: return expr_value_equal(&a->constant, &b->constant);
    case EXPR_COLUMN:
    case EXPR_AGG_REF:
    case EXPR_WINDOW_REF: return a->column == b->column;
    case EXPR_CASE: return a->has_else == b->has_else;
    case EXPR_BOOL_TEST: return a->bool_test == b->bool_test;
    case EXPR_CALL:
    case EXPR_IS_DISTINCT:
    case EXPR_GREATEST:
    case EXPR_LEAST: return same_call(a->call, b->call);
    case EXPR_CAST:
    case EXPR_AND:
    case EXPR_OR:
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_COALESCE:
    case EXPR_IN_LIST: return true;
    }
    return false;
}

bool expr_equal(const Expr *a, const Expr *b)
{
    if (a == b) return true;
    if (a == NULL || b == NULL) return false;
    if (!expr_equal_node(a, b)) return false;
    for (int i = 0; i < a->nargs; i++)
        if (!expr_equal(a->args[i], b->args[i])) return false;
    return true;
}

uint64_t expr_hash_node(const Expr *e)
{
    uint64_t h = hash_combine(hash_mix64((uint64_t)e->kind + 1), hash_type(e->type));
    h = hash_combine(h, ((uint64_t)e->nargs << 1) | (e->negated ? 1 : 0));
    switch (e->kind) {
    case EXPR_CONST: h = hash_combine(h, hash_value(&e->constant)); break;
    case EXPR_COLUMN:
    case EXPR_AGG_REF:
    case EXPR_WINDOW_REF: h = hash_combine(h, (uint64_t)(uint32_t)e->column); break;
    case EXPR_CASE: h = hash_combine(h, e->has_else ? 1 : 0); break;
    case EXPR_BOOL_TEST: h = hash_combine(h, (uint64_t)e->bool_test); break;
    case EXPR_CALL:
    case EXPR_IS_DISTINCT:
    case EXPR_GREATEST:
    case EXPR_LEAST:
        /* the function's identity (same_call compares the pointers) */
        if (e->call) h = hash_combine(h, (uint64_t)(uintptr_t)e->call->overload);
        break;
    default: break;
    }
    return h;
}

uint64_t expr_hash_combine(uint64_t node_hash, uint64_t arg_hash) { return hash_combine(node_hash, arg_hash); }

uint64_t expr_hash(const Expr *e)
{
    uint64_t h = expr_hash_node(e);
    for (int i = 0; i < e->nargs; i++) h = expr_hash_combine(h, expr_hash(e->args[i]));
    return h;
}
