/* expr_text: the text of a bound expression for EXPLAIN (VERBOSE): columns
 * as #n (the input's column numbers), constants in PostgreSQL's text form
 * (strings quoted), operators infix and parenthesised, other calls as
 * name(args), casts as CAST(x AS type).  Memory: appends to the caller's
 * buffer only. */
#include "exec/expr_text.h"

#include <ctype.h>

#include "types/cast.h"

static void put_constant(const Expr *e, StrBuf *out)
{
    if (e->constant.is_null || e->type.id == TYPE_NULL) {
        strbuf_puts(out, "NULL");
        return;
    }
    Vector v;
    vector_init(&v, e->type, 1);
    value_to_vector(&e->constant, &v, 0);
    bool quoted = e->type.id == TYPE_VARCHAR || e->type.id == TYPE_DATE || e->type.id == TYPE_TIMESTAMP ||
                  e->type.id == TYPE_INTERVAL;
    if (quoted) strbuf_puts(out, "'");
    cast_format_value(&v, 0, out);
    if (quoted) strbuf_puts(out, "'");
    vector_destroy(&v);
}

static void put_list(const Expr *const *args, int from, int n, StrBuf *out)
{
    for (int i = from; i < n; i++) {
        if (i > from) strbuf_puts(out, ", ");
        expr_text(args[i], out);
    }
}

void expr_text(const Expr *e, StrBuf *out)
{
    char tn[64];
    switch (e->kind) {
    case EXPR_CONST: put_constant(e, out); return;
    case EXPR_COLUMN: strbuf_printf(out, "#%d", e->column); return;
    case EXPR_CALL: {
        const char *name = e->call && e->call->function ? e->call->function->name : "?";
        bool op = !isalpha((unsigned char)name[0]) && name[0] != '_';
        if (op && e->nargs == 2) {
            strbuf_puts(out, "(");
            expr_text(e->args[0], out);
            strbuf_printf(out, " %s ", name);
            expr_text(e->args[1], out);
            strbuf_puts(out, ")");
        } else if (op && e->nargs == 1) {
            strbuf_printf(out, "(%s", name);
            expr_text(e->args[0], out);
            strbuf_puts(out, ")");
        } else {
            strbuf_printf(out, "%s(", name);
            put_list((const Expr *const *)e->args, 0, e->nargs, out);
            strbuf_puts(out, ")");
        }
        return;
    }
    case EXPR_CAST:
        strbuf_puts(out, "CAST(");
        expr_text(e->args[0], out);
        strbuf_printf(out, " AS %s)", type_display_name(e->type, tn, sizeof tn));
        return;
    case EXPR_AND:
    case EXPR_OR:
        strbuf_puts(out, "(");
        for (int i = 0; i < e->nargs; i++) {
            if (i > 0) strbuf_puts(out, e->kind == EXPR_AND ? " AND " : " OR ");
            expr_text(e->args[i], out);
        }
        strbuf_puts(out, ")");
        return;
    case EXPR_NOT:
        strbuf_puts(out, "(NOT ");
        expr_text(e->args[0], out);
        strbuf_puts(out, ")");
        return;
    case EXPR_IS_NULL:
        strbuf_puts(out, "(");
        expr_text(e->args[0], out);
        strbuf_puts(out, e->negated ? " IS NOT NULL)" : " IS NULL)");
        return;
    case EXPR_IS_DISTINCT:
        strbuf_puts(out, "(");
        expr_text(e->args[0], out);
        strbuf_puts(out, e->negated ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ");
        expr_text(e->args[1], out);
        strbuf_puts(out, ")");
        return;
    case EXPR_BOOL_TEST: {
        static const char *const tests[] = {"TRUE", "FALSE", "UNKNOWN"};
        strbuf_puts(out, "(");
        expr_text(e->args[0], out);
        strbuf_printf(out, " IS %s%s)", e->negated ? "NOT " : "", tests[e->bool_test]);
        return;
    }
    case EXPR_CASE:
        strbuf_puts(out, "CASE");
        for (int i = 0; i + 1 < e->nargs || (i + 1 == e->nargs && !e->has_else); i += 2) {
            if (i + 1 >= e->nargs) break;
            strbuf_puts(out, " WHEN ");
            expr_text(e->args[i], out);
            strbuf_puts(out, " THEN ");
            expr_text(e->args[i + 1], out);
        }
        if (e->has_else) {
            strbuf_puts(out, " ELSE ");
            expr_text(e->args[e->nargs - 1], out);
        }
        strbuf_puts(out, " END");
        return;
    case EXPR_COALESCE:
    case EXPR_GREATEST:
    case EXPR_LEAST:
        strbuf_puts(out, e->kind == EXPR_COALESCE ? "COALESCE(" : e->kind == EXPR_GREATEST ? "GREATEST(" : "LEAST(");
        put_list((const Expr *const *)e->args, 0, e->nargs, out);
        strbuf_puts(out, ")");
        return;
    case EXPR_IN_LIST:
        strbuf_puts(out, "(");
        expr_text(e->args[0], out);
        strbuf_puts(out, e->negated ? " NOT IN (" : " IN (");
        put_list((const Expr *const *)e->args, 1, e->nargs, out);
        strbuf_puts(out, "))");
        return;
    case EXPR_AGG_REF:
    case EXPR_WINDOW_REF: strbuf_printf(out, "?ref%d", e->column); return;
    }
}
