/* expr_util: shared operations on bound expressions (see expr_util.h). */
#include "sql/expr_util.h"

#include <limits.h>
#include <string.h>

void expr_column_range(const Expr *e, int *lo, int *hi)
{
    if (e->kind == EXPR_COLUMN) {
        if (e->column < *lo) *lo = e->column;
        if (e->column > *hi) *hi = e->column;
    }
    for (int i = 0; i < e->nargs; i++) expr_column_range(e->args[i], lo, hi);
}

bool expr_reads_any(const Expr *e)
{
    int lo = INT_MAX, hi = -1;
    expr_column_range(e, &lo, &hi);
    return hi >= 0;
}

bool expr_reads_only(const Expr *e, int from, int to)
{
    int lo = INT_MAX, hi = -1;
    expr_column_range(e, &lo, &hi);
    return hi < 0 || (lo >= from && hi < to);
}

void expr_shift_columns(Expr *e, int from, int delta)
{
    if (e->kind == EXPR_COLUMN && e->column >= from) e->column += delta;
    for (int i = 0; i < e->nargs; i++) expr_shift_columns(e->args[i], from, delta);
}

int expr_count_conjuncts(const Expr *e)
{
    if (e->kind != EXPR_AND) return 1;
    int n = 0;
    for (int i = 0; i < e->nargs; i++) n += expr_count_conjuncts(e->args[i]);
    return n;
}

int expr_split_conjuncts(Expr *e, Expr **out)
{
    if (e->kind != EXPR_AND) {
        out[0] = e;
        return 1;
    }
    int n = 0;
    for (int i = 0; i < e->nargs; i++) n += expr_split_conjuncts(e->args[i], out + n);
    return n;
}

Expr *expr_and(Binder *b, Expr *const *parts, int n)
{
    if (n == 1) return parts[0];
    Expr *e = arena_calloc(b->arena, sizeof(Expr));
    e->kind = EXPR_AND;
    e->type = type_make(TYPE_BOOLEAN);
    e->sql_pos = parts[0]->sql_pos;
    e->nargs = n;
    e->args = arena_calloc(b->arena, sizeof(Expr *) * (size_t)(n + 1));
    memcpy(e->args, parts, sizeof(Expr *) * (size_t)n);
    return e;
}
