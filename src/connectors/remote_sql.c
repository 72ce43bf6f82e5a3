/* remote_sql: the filter hints of a database scan as a WHERE condition in
 * the server's dialect (see remote_sql.h for the shapes and the rule).
 *
 * Each hint is rendered recursively into its own buffer; a part the server
 * cannot evaluate exactly as kiln (or as a superset) makes its hint, or the
 * enclosing OR, unrenderable, while AND simply drops it.  Each rendered
 * part also says whether it is exact (the server keeps exactly kiln's rows)
 * or only a superset (collated string equality, MySQL zero dates, an AND
 * with dropped parts): NOT is rendered only over an exact part.
 *
 * Constants are evaluated once here (expr_eval_constant) and rendered as
 * typed literals:
 *   PostgreSQL: integers and decimals as digits, doubles as '...'::float8
 *   (17 significant digits, NaN and Infinity included: PostgreSQL orders
 *   NaN above every number, as kiln does), dates '...'::date, timestamps
 *   '...'::timestamp or, for timestamptz columns, '...+00'::timestamptz,
 *   booleans true/false, strings '...' (quotes doubled) or E'...' when they
 *   hold a backslash, so that standard_conforming_strings does not matter.
 *   Cross-type comparisons (int4 column, numeric constant) are exact in
 *   PostgreSQL, so the constant keeps kiln's comparison type.
 *   MySQL: the constant must convert to the column's own type and back
 *   unchanged (the range optimizer stores constants into the column's type,
 *   rounding them); integers and decimals as digits, doubles with an e
 *   exponent (a double literal, not a DECIMAL), dates DATE'...', timestamps
 *   TIMESTAMP'...' without fractional seconds, years 1 to 9999 only;
 *   strings '...' when they are printable ASCII without quote or
 *   backslash, else _utf8mb4 X'hex' (no escaping rule, whatever sql_mode).
 * String comparisons other than = and IN: PostgreSQL `col < '...' COLLATE
 * "C"` (byte order in UTF-8, kiln's order); MySQL
 * `CAST(CONVERT(col USING utf8mb4) AS BINARY) < X'...'` (the bytes kiln
 * receives, compared without collation or PAD SPACE).
 *
 * Memory: temporary StrBufs and an arena for constant evaluation. */
#include "connectors/remote_sql.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/arena.h"
#include "common/mem.h"
#include "exec/compare_op.h"
#include "exec/expr_eval.h"
#include "types/cast.h"



typedef struct Render {
    RemoteDialect dialect;
    const RemoteColumn *cols;
    int ncols;
    Arena arena; /* evaluated constants */
} Render;



/* A cast that keeps every value distinct and the order: comparing the cast
 * column is comparing the column. */
static bool exact_widening(LogicalType from, LogicalType to)
{
    if (type_equal(from, to)) return true;
    bool from_int = from.id == TYPE_INTEGER || from.id == TYPE_BIGINT;
    if (from.id == TYPE_INTEGER && (to.id == TYPE_BIGINT || to.id == TYPE_DOUBLE)) return true;
    if (from_int && to.id == TYPE_DECIMAL) return to.precision - to.scale >= (from.id == TYPE_INTEGER ? 10 : 19);
    if (from.id == TYPE_DECIMAL && to.id == TYPE_DECIMAL)
        return to.scale >= from.scale && to.precision - to.scale >= from.precision - from.scale;
    return from.id == TYPE_DATE && to.id == TYPE_TIMESTAMP;
}

/* The source column under an operand (a column under exact widenings), or NULL. */
static const RemoteColumn *operand_column(const Render *r, const Expr *e)
{
    while (e->kind == EXPR_CAST && e->nargs == 1 && exact_widening(e->args[0]->type, e->type)) e = e->args[0];
    if (e->kind != EXPR_COLUMN || e->column < 0 || e->column >= r->ncols) return NULL;
    const RemoteColumn *c = &r->cols[e->column];
    return type_equal(c->type, e->type) ? c : NULL;
}

/* A literal, possibly cast (no calls: they might be volatile). */
static bool is_literal(const Expr *e)
{
    while (e->kind == EXPR_CAST && e->nargs == 1) e = e->args[0];
    return e->kind == EXPR_CONST;
}

void remote_sql_quote_ident(RemoteDialect dialect, StrBuf *out, const char *name, size_t n)
{
    char q = dialect == REMOTE_POSTGRES ? '"' : '`';
    strbuf_putc(out, q);
    for (size_t i = 0; i < n; i++) {
        if (name[i] == q) strbuf_putc(out, q);
        strbuf_putc(out, name[i]);
    }
    strbuf_putc(out, q);
}

bool remote_sql_is_query(const char *s)
{
    while (isspace((unsigned char)*s) || *s == '(') s++;
    return strncasecmp(s, "select", 6) == 0 || strncasecmp(s, "with", 4) == 0 || strncasecmp(s, "values", 6) == 0 ||
           strncasecmp(s, "table", 5) == 0;
}

static void quote_ident(const Render *r, StrBuf *out, const char *name)
{
    remote_sql_quote_ident(r->dialect, out, name, strlen(name));
}

/* Valid UTF-8 without NUL (overlong forms and surrogates refused). */
static bool utf8_ok(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c == 0) return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        int len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
        if (len == 0 || c > 0xF4 || i + (size_t)len > n) return false;
        uint32_t cp = c & (0x7Fu >> len);
        for (int k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return false;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += (size_t)len;
    }
    return true;
}

static void hex_bytes(StrBuf *out, const char *s, size_t len)
{
    static const char digits[] = "0123456789ABCDEF";
    strbuf_puts(out, "X'");
    for (size_t i = 0; i < len; i++) {
        strbuf_putc(out, digits[(unsigned char)s[i] >> 4]);
        strbuf_putc(out, digits[(unsigned char)s[i] & 15]);
    }
    strbuf_putc(out, '\'');
}

bool remote_sql_string(RemoteDialect dialect, const char *s, size_t len, StrBuf *out)
{
    if (!utf8_ok((const unsigned char *)s, len)) return false;
    if (dialect == REMOTE_MYSQL) {
        bool plain = true;
        for (size_t i = 0; i < len && plain; i++)
            plain = s[i] >= 0x20 && s[i] < 0x7F && s[i] != '\'' && s[i] != '\\';
        if (!plain) {
            strbuf_puts(out, "_utf8mb4 ");
            hex_bytes(out, s, len);
            return true;
        }
        strbuf_putc(out, '\'');
        strbuf_append(out, s, len);
        strbuf_putc(out, '\'');
        return true;
    }
    bool backslash = memchr(s, '\\', len) != NULL;
    if (backslash) strbuf_putc(out, 'E');
    strbuf_putc(out, '\'');
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\'' || (backslash && s[i] == '\\')) strbuf_putc(out, s[i]);
        strbuf_putc(out, s[i]);
    }
    strbuf_putc(out, '\'');
    return true;
}

/* The text of a (non-NULL) value in kiln's output format. */
static void value_text(const Value *v, StrBuf *out)
{
    Vector one;
    vector_init(&one, v->type, 1);
    value_to_vector(v, &one, 0);
    cast_format_value(&one, 0, out);
    vector_destroy(&one);
}

/* v converted to type `to` (false if the cast fails); strings in the arena. */
static bool convert_value(Render *r, const Value *v, LogicalType to, Value *out)
{
    if (type_equal(v->type, to)) {
        *out = *v;
        return true;
    }
    Vector src, dst;
    vector_init(&src, v->type, 1);
    vector_init(&dst, to, 1);
    value_to_vector(v, &src, 0);
    Error err = ERROR_INIT;
    bool ok = cast_vector(&src, &dst, 1, &err);
    if (ok) {
        *out = value_from_vector(&dst, 0);
        if (to.id == TYPE_VARCHAR) {
            char *copy = arena_alloc(&r->arena, out->u.str.len + 1);
            memcpy(copy, out->u.str.data, out->u.str.len);
            out->u.str.data = copy;
        }
    }
    vector_destroy(&src);
    vector_destroy(&dst);
    return ok;
}

/* MySQL's range optimizer stores a constant into the column's type: push
 * only constants that type holds exactly (v, of the comparison type, is
 * replaced by the same value in the column's type). */
static bool mysql_fits_column(Render *r, const RemoteColumn *c, Value *v)
{
    if (type_equal(v->type, c->type)) return true;
    Value narrow, back;
    if (!convert_value(r, v, c->type, &narrow) || !convert_value(r, &narrow, v->type, &back)) return false;
    StrBuf a = STRBUF_INIT, b = STRBUF_INIT;
    value_text(v, &a);
    value_text(&back, &b);
    bool same = strcmp(strbuf_cstr(&a), strbuf_cstr(&b)) == 0;
    strbuf_free(&a);
    strbuf_free(&b);
    if (same) *v = narrow;
    return same;
}

/* Append a non-NULL constant compared with column c as a literal; false if
 * the server could not compare it exactly. */
static bool render_literal(Render *r, const RemoteColumn *c, Value v, StrBuf *out)
{
    if (r->dialect == REMOTE_MYSQL && !mysql_fits_column(r, c, &v)) return false;
    StrBuf text = STRBUF_INIT;
    bool ok = true;
    switch (v.type.id) {
    case TYPE_BOOLEAN:
        ok = r->dialect == REMOTE_POSTGRES;
        strbuf_puts(out, v.u.boolean ? "true" : "false");
        break;
    case TYPE_INTEGER:
    case TYPE_BIGINT:
    case TYPE_DECIMAL: value_text(&v, out); break;
    case TYPE_DOUBLE: {
        double d = v.u.f64;
        char buf[40];
        if (isnan(d)) snprintf(buf, sizeof buf, "NaN");
        else if (isinf(d)) snprintf(buf, sizeof buf, d > 0 ? "Infinity" : "-Infinity");
        else snprintf(buf, sizeof buf, "%.17g", d);
        if (r->dialect == REMOTE_POSTGRES) {
            strbuf_printf(out, "'%s'::float8", buf);
        } else {
            ok = isfinite(d);
            strbuf_puts(out, buf);
            if (strchr(buf, 'e') == NULL) strbuf_puts(out, "e0"); /* a double literal, not a DECIMAL */
        }
        break;
    }
    case TYPE_DATE:
    case TYPE_TIMESTAMP: {
        value_text(&v, &text);
        const char *t = strbuf_cstr(&text);
        bool bc = strstr(t, " BC") != NULL;
        if (r->dialect == REMOTE_MYSQL) {
            /* years 1..9999, whole seconds (see mysql_fits_column) */
            ok = !bc && text.len >= 10 && t[4] == '-' && strchr(t, '.') == NULL;
            strbuf_printf(out, "%s'%s'", v.type.id == TYPE_DATE ? "DATE" : "TIMESTAMP", t);
        } else if (v.type.id == TYPE_DATE) {
            strbuf_printf(out, "'%s'::date", t);
        } else if (c->compare == REMOTE_CMP_TIMESTAMPTZ) {
            /* '... BC' takes its offset before the era, as PostgreSQL prints it */
            if (bc) strbuf_printf(out, "'%.*s+00 BC'::timestamptz", (int)(text.len - 3), t);
            else strbuf_printf(out, "'%s+00'::timestamptz", t);
        } else {
            strbuf_printf(out, "'%s'::timestamp", t);
        }
        break;
    }
    case TYPE_VARCHAR: ok = remote_sql_string(r->dialect, v.u.str.data, v.u.str.len, out); break;
    default: ok = false; break;
    }
    strbuf_free(&text);
    return ok;
}

/* The value of a literal expression, in the arena; false if it does not evaluate. */
static bool literal_value(Render *r, const Expr *e, Value *out)
{
    if (!is_literal(e)) return false;
    Error err = ERROR_INIT;
    return expr_eval_constant(e, &r->arena, out, &err);
}

/* Whether the column's type may be compared on the server at all, with this
 * operator (collated strings: only in byte order, or = for a superset). */
static bool comparable(const Render *r, const RemoteColumn *c)
{
    if (c->compare == REMOTE_CMP_NONE) return false;
    TypeId id = c->type.id;
    if (id == TYPE_INTEGER || id == TYPE_BIGINT || id == TYPE_DECIMAL || id == TYPE_DOUBLE || id == TYPE_DATE ||
        id == TYPE_TIMESTAMP || id == TYPE_VARCHAR)
        return true;
    return id == TYPE_BOOLEAN && r->dialect == REMOTE_POSTGRES;
}

/* Append the column as compared in byte order (strings) or as it is. */
static void render_operand(const Render *r, const RemoteColumn *c, bool bytes, StrBuf *out)
{
    if (bytes && r->dialect == REMOTE_MYSQL) {
        strbuf_puts(out, "CAST(CONVERT(");
        quote_ident(r, out, c->name);
        strbuf_puts(out, " USING utf8mb4) AS BINARY)");
        return;
    }
    quote_ident(r, out, c->name);
}

/* A string constant compared in byte order: PostgreSQL 'x' COLLATE "C",
 * MySQL X'hex' (against the column's bytes). */
static bool render_bytes_literal(Render *r, const Value *v, StrBuf *out)
{
    if (!utf8_ok((const unsigned char *)v->u.str.data, v->u.str.len)) return false;
    if (r->dialect == REMOTE_MYSQL) {
        hex_bytes(out, v->u.str.data, v->u.str.len);
        return true;
    }
    remote_sql_string(r->dialect, v->u.str.data, v->u.str.len, out);
    strbuf_puts(out, " COLLATE \"C\"");
    return true;
}

static bool render_compare(Render *r, const Expr *operand, CompareOp op, const Expr *constant, StrBuf *out, bool *exact)
{
    const RemoteColumn *c = operand_column(r, operand);
    Value v;
    if (c == NULL || !comparable(r, c) || !literal_value(r, constant, &v) || v.is_null) return false;
    if (!type_equal(v.type, operand->type)) return false;
    bool collated = c->compare == REMOTE_CMP_COLLATED;
    bool bytes = collated && op != OP_EQ;
    render_operand(r, c, bytes, out);
    strbuf_printf(out, " %s ", compare_op_text(op));
    if (bytes) {
        if (!render_bytes_literal(r, &v, out)) return false;
    } else if (!render_literal(r, c, v, out)) {
        return false;
    }
    *exact = !(collated && op == OP_EQ) && c->null_exact;
    return true;
}

static bool render_in(Render *r, const Expr *e, StrBuf *out, bool *exact)
{
    const RemoteColumn *c = operand_column(r, e->args[0]);
    if (c == NULL || !comparable(r, c) || e->nargs < 2) return false;
    bool collated = c->compare == REMOTE_CMP_COLLATED;
    if (e->negated && collated) return false; /* NOT IN must be exact: it would need byte order */
    render_operand(r, c, false, out);
    strbuf_puts(out, e->negated ? " NOT IN (" : " IN (");
    int rendered = 0;
    for (int i = 1; i < e->nargs; i++) {
        Value v;
        if (!literal_value(r, e->args[i], &v) || !type_equal(v.type, e->args[0]->type)) return false;
        if (v.is_null) {
            if (e->negated) return false; /* NOT IN with a NULL is never true: leave it to kiln */
            continue;                     /* x IN (1, NULL) keeps the rows of x IN (1) */
        }
        if (rendered++) strbuf_puts(out, ", ");
        if (!render_literal(r, c, v, out)) return false;
    }
    if (rendered == 0) return false;
    strbuf_putc(out, ')');
    *exact = !collated && c->null_exact;
    return true;
}

/* LIKE 'pattern' on a PostgreSQL text column, in byte-wise collation (no
 * backslash: kiln and the server then agree on every pattern). */
static bool render_like(Render *r, const Expr *e, StrBuf *out, bool *exact)
{
    if (r->dialect != REMOTE_POSTGRES || e->nargs != 2) return false;
    const RemoteColumn *c = operand_column(r, e->args[0]);
    Value v;
    if (c == NULL || c->compare != REMOTE_CMP_COLLATED || !literal_value(r, e->args[1], &v) || v.is_null ||
        v.type.id != TYPE_VARCHAR || memchr(v.u.str.data, '\\', v.u.str.len) != NULL)
        return false;
    quote_ident(r, out, c->name);
    strbuf_puts(out, " LIKE ");
    if (!remote_sql_string(r->dialect, v.u.str.data, v.u.str.len, out)) return false;
    strbuf_puts(out, " COLLATE \"C\"");
    *exact = c->null_exact;
    return true;
}

static bool render(Render *r, const Expr *e, StrBuf *out, bool *exact);

/* AND: the renderable parts (a superset if some are dropped); OR: all parts. */
static bool render_junction(Render *r, const Expr *e, StrBuf *out, bool *exact)
{
    bool is_and = e->kind == EXPR_AND;
    int rendered = 0;
    bool all_exact = true;
    StrBuf parts = STRBUF_INIT;
    for (int i = 0; i < e->nargs; i++) {
        StrBuf part = STRBUF_INIT;
        bool part_exact = false;
        bool ok = e->args[i] && render(r, e->args[i], &part, &part_exact);
        if (ok) {
            if (rendered++) strbuf_puts(&parts, is_and ? " AND " : " OR ");
            /* comparisons, IN, IS NULL, LIKE and NOT bind tighter than AND and OR */
            bool nested = e->args[i]->kind == EXPR_AND || e->args[i]->kind == EXPR_OR;
            strbuf_printf(&parts, nested ? "(%s)" : "%s", strbuf_cstr(&part));
            all_exact = all_exact && part_exact;
        } else {
            all_exact = false;
        }
        strbuf_free(&part);
        if (!ok && !is_and) {
            strbuf_free(&parts);
            return false;
        }
    }
    if (rendered > 0) strbuf_puts(out, strbuf_cstr(&parts));
    strbuf_free(&parts);
    *exact = all_exact;
    return rendered > 0;
}

static bool render(Render *r, const Expr *e, StrBuf *out, bool *exact)
{
    switch (e->kind) {
    case EXPR_AND:
    case EXPR_OR: return render_junction(r, e, out, exact);
    case EXPR_NOT: {
        if (e->nargs != 1) return false;
        StrBuf inner = STRBUF_INIT;
        bool inner_exact = false;
        bool ok = render(r, e->args[0], &inner, &inner_exact) && inner_exact;
        if (ok) strbuf_printf(out, "NOT (%s)", strbuf_cstr(&inner));
        strbuf_free(&inner);
        *exact = true;
        return ok;
    }
    case EXPR_COLUMN: {
        /* a bare boolean column (PostgreSQL bool) */
        const RemoteColumn *c = operand_column(r, e);
        if (c == NULL || c->type.id != TYPE_BOOLEAN || !comparable(r, c)) return false;
        quote_ident(r, out, c->name);
        *exact = c->null_exact;
        return true;
    }
    case EXPR_IS_NULL: {
        const RemoteColumn *c = e->nargs == 1 ? operand_column(r, e->args[0]) : NULL;
        if (c == NULL) return false;
        /* kiln's NULLs may include values the server has (MySQL zero dates):
         * IS NULL would miss them, IS NOT NULL keeps more rows */
        if (!e->negated && !c->null_exact) return false;
        quote_ident(r, out, c->name);
        strbuf_puts(out, e->negated ? " IS NOT NULL" : " IS NULL");
        *exact = c->null_exact;
        return true;
    }
    case EXPR_IN_LIST: return render_in(r, e, out, exact);
    case EXPR_CALL: {
        if (e->call == NULL || e->call->function == NULL) return false;
        const char *name = e->call->function->name;
        if (strcmp(name, "~~") == 0) return render_like(r, e, out, exact);
        CompareOp op;
        if (e->nargs != 2 || !compare_op_of(name, &op)) return false;
        if (!type_equal(e->args[0]->type, e->args[1]->type)) return false;
        if (operand_column(r, e->args[0]) && is_literal(e->args[1]))
            return render_compare(r, e->args[0], op, e->args[1], out, exact);
        if (operand_column(r, e->args[1]) && is_literal(e->args[0]))
            return render_compare(r, e->args[1], compare_op_flip(op), e->args[0], out, exact);
        return false;
    }
    default: return false;
    }
}

int remote_sql_where(RemoteDialect dialect, const RemoteColumn *cols, int ncols, Expr *const *conds, int n,
                     StrBuf *out)
{
    Render r = {dialect, cols, ncols, {0}};
    arena_init(&r.arena, 0);
    int rendered = 0;
    for (int i = 0; i < n; i++) {
        StrBuf part = STRBUF_INIT;
        bool exact = false;
        if (conds[i] && render(&r, conds[i], &part, &exact)) {
            strbuf_puts(out, rendered++ ? " AND " : "");
            /* an OR among the ANDed hints needs parentheses */
            bool simple = conds[i]->kind != EXPR_AND && conds[i]->kind != EXPR_OR;
            strbuf_printf(out, simple ? "%s" : "(%s)", strbuf_cstr(&part));
        }
        strbuf_free(&part);
    }
    arena_destroy(&r.arena);
    return rendered;
}
