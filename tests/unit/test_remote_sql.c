/* Unit tests of filter pushdown into remote queries (connectors/remote_sql):
 * each hint shape in PostgreSQL's and MySQL's dialect, the shapes that must
 * NOT be pushed (a superset under NOT, NOT IN on collated strings, MySQL
 * zero dates under IS NULL, constants MySQL would round, NaN, JSON
 * columns, casts that are not exact widenings), and the quoting of awkward
 * strings and identifiers (quotes, backslashes, unicode, NUL and invalid
 * UTF-8 refused). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/arena.h"
#include "common/mem.h"
#include "connectors/remote_sql.h"
#include "exec/function.h"
#include "unit.h"

static Arena arena;

static Expr *new_expr(ExprKind kind, LogicalType type)
{
    Expr *e = arena_calloc(&arena, sizeof *e);
    e->kind = kind;
    e->type = type;
    e->sql_pos = -1;
    return e;
}

static Expr *args_of(Expr *e, int n, Expr **args)
{
    e->nargs = n;
    e->args = arena_calloc(&arena, sizeof(Expr *) * (size_t)n);
    memcpy(e->args, args, sizeof(Expr *) * (size_t)n);
    return e;
}

/* The columns: 0 i INTEGER, 1 s VARCHAR (collated), 2 d DATE, 3 ts TIMESTAMP
 * (PostgreSQL timestamptz), 4 x DOUBLE, 5 m DECIMAL(10,2), 6 b BOOLEAN,
 * 7 j VARCHAR (JSON: never compared), 8 we"ird`name INTEGER. */
static LogicalType col_type(int c)
{
    static const TypeId ids[] = {TYPE_INTEGER, TYPE_VARCHAR, TYPE_DATE, TYPE_TIMESTAMP, TYPE_DOUBLE,
                                 TYPE_DECIMAL, TYPE_BOOLEAN, TYPE_VARCHAR, TYPE_INTEGER};
    return c == 5 ? type_decimal(10, 2) : type_make(ids[c]);
}

static Expr *col(int c) { Expr *e = new_expr(EXPR_COLUMN, col_type(c)); e->column = c; return e; }

static Expr *cnst(Value v) { Expr *e = new_expr(EXPR_CONST, v.type); e->constant = v; return e; }

static Expr *cast(Expr *x, LogicalType t) { Expr *a[1] = {x}; return args_of(new_expr(EXPR_CAST, t), 1, a); }

static Expr *str(const char *s, size_t n) { return cnst(value_varchar(s, (uint32_t)n)); }
static Expr *text(const char *s) { return str(s, strlen(s)); }
static Expr *i32(int v) { return cnst(value_integer(v)); }

static Expr *date(int32_t days)
{
    Value v = value_integer(days);
    v.type = type_make(TYPE_DATE);
    return cnst(v);
}

static Expr *timestamp(int64_t micros)
{
    Value v = value_bigint(micros);
    v.type = type_make(TYPE_TIMESTAMP);
    return cnst(v);
}

static Expr *decimal(int64_t unscaled, int p, int s)
{
    Value v = value_bigint(unscaled);
    v.type = type_decimal(p, s);
    return cnst(v);
}

static Expr *call(const char *op, Expr *a, Expr *b)
{
    Expr *args[2] = {a, b};
    Expr *e = args_of(new_expr(EXPR_CALL, type_make(TYPE_BOOLEAN)), 2, args);
    e->call = arena_calloc(&arena, sizeof *e->call);
    LogicalType types[2] = {a->type, b->type};
    const Value *consts[2] = {NULL, NULL};
    Error err = ERROR_INIT;
    if (!function_bind(function_lookup(op), types, consts, 2, -1, e->call, &arena, &err)) return NULL;
    return e;
}

static Expr *junction(ExprKind kind, Expr *a, Expr *b)
{
    Expr *args[2] = {a, b};
    return args_of(new_expr(kind, type_make(TYPE_BOOLEAN)), 2, args);
}

static Expr *not_(Expr *a) { return args_of(new_expr(EXPR_NOT, type_make(TYPE_BOOLEAN)), 1, &a); }

static Expr *is_null(Expr *a, bool negated)
{
    Expr *e = args_of(new_expr(EXPR_IS_NULL, type_make(TYPE_BOOLEAN)), 1, &a);
    e->negated = negated;
    return e;
}

static Expr *in_list(bool negated, int n, Expr **args)
{
    Expr *e = args_of(new_expr(EXPR_IN_LIST, type_make(TYPE_BOOLEAN)), n, args);
    e->negated = negated;
    return e;
}

/* The WHERE rendered for hints conds[0..n) ("" = nothing pushed). */
static const char *render_n(RemoteDialect d, int n, Expr **conds)
{
    static char out[1024];
    RemoteColumn cols[9];
    static const char *const names[] = {"i", "s", "d", "ts", "x", "m", "b", "j", "we\"ird`name"};
    for (int c = 0; c < 9; c++) {
        cols[c] = (RemoteColumn){names[c], col_type(c), REMOTE_CMP_EXACT, true};
        if (c == 1) cols[c].compare = REMOTE_CMP_COLLATED;
        if (c == 7) cols[c].compare = REMOTE_CMP_NONE;
        if (c == 3 && d == REMOTE_POSTGRES) cols[c].compare = REMOTE_CMP_TIMESTAMPTZ;
        if ((c == 2 || c == 3) && d == REMOTE_MYSQL) cols[c].null_exact = false; /* zero dates */
    }
    StrBuf sb = STRBUF_INIT;
    int got = remote_sql_where(d, cols, 9, conds, n, &sb);
    snprintf(out, sizeof out, "%s", got ? strbuf_cstr(&sb) : "");
    strbuf_free(&sb);
    return out;
}

static const char *pg(Expr *e) { return render_n(REMOTE_POSTGRES, 1, &e); }
static const char *my(Expr *e) { return render_n(REMOTE_MYSQL, 1, &e); }

#define DAY_2024_01_02 19724
#define TS_2024_01_02_030405 INT64_C(1704164645000000)

TEST(remote_sql_comparisons_in_both_dialects)
{
    arena_init(&arena, 0);
    CHECK_EQ_STR(pg(call("=", col(0), i32(5))), "\"i\" = 5");
    CHECK_EQ_STR(my(call("=", col(0), i32(5))), "`i` = 5");
    CHECK_EQ_STR(pg(call("<", i32(5), col(0))), "\"i\" > 5"); /* constant first: flipped */
    CHECK_EQ_STR(pg(call("<>", col(0), i32(-7))), "\"i\" <> -7");
    CHECK_EQ_STR(pg(call(">=", col(8), i32(1))), "\"we\"\"ird`name\" >= 1");
    CHECK_EQ_STR(my(call(">=", col(8), i32(1))), "`we\"ird``name` >= 1");
    /* dates and timestamps: typed literals; timestamptz in UTC */
    CHECK_EQ_STR(pg(call(">=", col(2), date(DAY_2024_01_02))), "\"d\" >= '2024-01-02'::date");
    CHECK_EQ_STR(my(call(">=", col(2), date(DAY_2024_01_02))), "`d` >= DATE'2024-01-02'");
    CHECK_EQ_STR(pg(call("<", col(3), timestamp(TS_2024_01_02_030405 + 500000))),
                 "\"ts\" < '2024-01-02 03:04:05.5+00'::timestamptz");
    CHECK_EQ_STR(pg(call("<", col(3), timestamp(-INT64_C(62167219200000000)))),
                 "\"ts\" < '0001-01-01 00:00:00+00 BC'::timestamptz");
    CHECK_EQ_STR(my(call("<", col(3), timestamp(TS_2024_01_02_030405))), "`ts` < TIMESTAMP'2024-01-02 03:04:05'");
    CHECK_EQ_STR(my(call("<", col(3), timestamp(TS_2024_01_02_030405 + 500000))), ""); /* MySQL would round it */
    /* doubles: PostgreSQL keeps NaN (ordered as kiln orders it), MySQL has none */
    CHECK_EQ_STR(pg(call(">", col(4), cnst(value_double(0.1)))), "\"x\" > '0.10000000000000001'::float8");
    CHECK_EQ_STR(pg(call("<", col(4), cnst(value_double(NAN)))), "\"x\" < 'NaN'::float8");
    CHECK_EQ_STR(pg(call("<", col(4), cnst(value_double(-INFINITY)))), "\"x\" < '-Infinity'::float8");
    CHECK_EQ_STR(my(call(">", col(4), cnst(value_double(1.5)))), "`x` > 1.5e0");
    CHECK_EQ_STR(my(call(">", col(4), cnst(value_double(1e300)))), "`x` > 1.0000000000000001e+300");
    CHECK_EQ_STR(my(call("<", col(4), cnst(value_double(NAN)))), "");
    /* booleans: PostgreSQL only */
    CHECK_EQ_STR(pg(call("=", col(6), cnst(value_boolean(false)))), "\"b\" = false");
    CHECK_EQ_STR(pg(col(6)), "\"b\"");
    CHECK_EQ_STR(pg(not_(col(6))), "NOT (\"b\")");
    CHECK_EQ_STR(my(col(6)), "");
    /* a NULL constant or a JSON column: left to kiln */
    CHECK_EQ_STR(pg(call("=", col(0), cnst(value_null(type_make(TYPE_INTEGER))))), "");
    CHECK_EQ_STR(pg(call("=", col(7), text("{}"))), "");
    CHECK_EQ_STR(pg(call("=", col(0), col(8))), ""); /* two columns */
    arena_destroy(&arena);
}

TEST(remote_sql_casts_and_numeric_precision)
{
    arena_init(&arena, 0);
    /* m DECIMAL(10,2) = 1.005: the column widened to DECIMAL(11,3) */
    Expr *m3 = cast(col(5), type_decimal(11, 3));
    CHECK_EQ_STR(pg(call("=", m3, decimal(1005, 11, 3))), "\"m\" = 1.005");
    CHECK_EQ_STR(my(call("=", cast(col(5), type_decimal(11, 3)), decimal(1005, 11, 3))), ""); /* not a DECIMAL(10,2) */
    CHECK_EQ_STR(my(call("=", cast(col(5), type_decimal(11, 3)), decimal(1500, 11, 3))), "`m` = 1.50");
    /* i INTEGER widened to BIGINT */
    CHECK_EQ_STR(pg(call("<", cast(col(0), type_make(TYPE_BIGINT)), cnst(value_bigint(3000000000LL)))),
                 "\"i\" < 3000000000");
    CHECK_EQ_STR(my(call("<", cast(col(0), type_make(TYPE_BIGINT)), cnst(value_bigint(3000000000LL)))), "");
    CHECK_EQ_STR(my(call("<", cast(col(0), type_make(TYPE_BIGINT)), cnst(value_bigint(30)))), "`i` < 30");
    /* i INTEGER widened to DOUBLE */
    CHECK_EQ_STR(pg(call("<", cast(col(0), type_make(TYPE_DOUBLE)), cnst(value_double(2.5)))),
                 "\"i\" < '2.5'::float8");
    CHECK_EQ_STR(my(call("<", cast(col(0), type_make(TYPE_DOUBLE)), cnst(value_double(2.5)))), "");
    /* a date compared as a timestamp */
    Expr *d_ts = cast(col(2), type_make(TYPE_TIMESTAMP));
    CHECK_EQ_STR(pg(call("<", d_ts, timestamp(TS_2024_01_02_030405))),
                 "\"d\" < '2024-01-02 03:04:05'::timestamp");
    CHECK_EQ_STR(my(call("<", cast(col(2), type_make(TYPE_TIMESTAMP)), timestamp(TS_2024_01_02_030405))), "");
    CHECK_EQ_STR(my(call("<", cast(col(2), type_make(TYPE_TIMESTAMP)), timestamp(INT64_C(19724) * 86400000000))),
                 "`d` < DATE'2024-01-02'");
    /* casts that lose information or change the order: never */
    CHECK_EQ_STR(pg(call("=", cast(col(0), type_make(TYPE_VARCHAR)), text("5"))), "");
    CHECK_EQ_STR(pg(call("=", cast(col(4), type_make(TYPE_INTEGER)), i32(1))), "");
    CHECK_EQ_STR(pg(call("=", cast(col(5), type_decimal(10, 1)), decimal(15, 10, 1))), "");
    /* a cast constant is evaluated: '2024-01-02' typed as a date */
    CHECK_EQ_STR(pg(call("=", col(2), cast(text("2024-01-02"), type_make(TYPE_DATE)))), "\"d\" = '2024-01-02'::date");
    arena_destroy(&arena);
}

TEST(remote_sql_strings_follow_kiln_byte_order)
{
    arena_init(&arena, 0);
    /* = is a superset under any collation: sent as it is */
    CHECK_EQ_STR(pg(call("=", col(1), text("it's"))), "\"s\" = 'it''s'");
    CHECK_EQ_STR(my(call("=", col(1), text("abc"))), "`s` = 'abc'");
    CHECK_EQ_STR(my(call("=", col(1), text("it's"))), "`s` = _utf8mb4 X'69742773'");
    /* other comparisons in byte order */
    CHECK_EQ_STR(pg(call("<", col(1), text("a\\b"))), "\"s\" < E'a\\\\b' COLLATE \"C\"");
    CHECK_EQ_STR(pg(call(">", col(1), text("\xc3\xa9\xf0\x9f\x98\x80"))), "\"s\" > '\xc3\xa9\xf0\x9f\x98\x80' COLLATE \"C\"");
    CHECK_EQ_STR(pg(call("<>", col(1), text("B"))), "\"s\" <> 'B' COLLATE \"C\"");
    CHECK_EQ_STR(my(call("<", col(1), text("\xc3\xa9"))), "CAST(CONVERT(`s` USING utf8mb4) AS BINARY) < X'C3A9'");
    CHECK_EQ_STR(my(call("<>", col(1), text("a"))), "CAST(CONVERT(`s` USING utf8mb4) AS BINARY) <> X'61'");
    /* NUL and invalid UTF-8: not pushed */
    CHECK_EQ_STR(pg(call("=", col(1), str("a\0b", 3))), "");
    CHECK_EQ_STR(my(call("<", col(1), str("a\0b", 3))), "");
    CHECK_EQ_STR(pg(call("=", col(1), text("\xff"))), "");
    CHECK_EQ_STR(my(call("=", col(1), text("\xc0\xaf"))), ""); /* overlong '/' */
    CHECK_EQ_STR(pg(call("<", col(1), text("\xed\xa0\x80"))), ""); /* a surrogate */
    /* LIKE: PostgreSQL, byte-wise, no backslash in the pattern */
    CHECK_EQ_STR(pg(call("~~", col(1), text("ab%"))), "\"s\" LIKE 'ab%' COLLATE \"C\"");
    CHECK_EQ_STR(pg(call("~~", col(1), text("a\\%"))), "");
    CHECK_EQ_STR(my(call("~~", col(1), text("ab%"))), "");

    StrBuf sb = STRBUF_INIT;
    CHECK(remote_sql_string(REMOTE_POSTGRES, "'\\'", 3, &sb));
    CHECK_EQ_STR(strbuf_cstr(&sb), "E'''\\\\'''");
    strbuf_clear(&sb);
    CHECK(remote_sql_string(REMOTE_MYSQL, "caf\xc3\xa9", 5, &sb));
    CHECK_EQ_STR(strbuf_cstr(&sb), "_utf8mb4 X'636166C3A9'");
    strbuf_clear(&sb);
    CHECK(remote_sql_string(REMOTE_MYSQL, "a\\b", 3, &sb));
    CHECK_EQ_STR(strbuf_cstr(&sb), "_utf8mb4 X'615C62'");
    strbuf_clear(&sb);
    CHECK(!remote_sql_string(REMOTE_POSTGRES, "\0", 1, &sb));
    CHECK(!remote_sql_string(REMOTE_MYSQL, "\xf5\x80\x80\x80", 4, &sb));
    CHECK_EQ_INT(sb.len, 0);
    strbuf_free(&sb);
    arena_destroy(&arena);
}

TEST(remote_sql_in_null_and_boolean_structure)
{
    arena_init(&arena, 0);
    Expr *in1[] = {col(0), i32(1), i32(2), cnst(value_null(type_make(TYPE_INTEGER)))};
    CHECK_EQ_STR(pg(in_list(false, 4, in1)), "\"i\" IN (1, 2)");
    CHECK_EQ_STR(pg(in_list(true, 4, in1)), ""); /* NOT IN with a NULL is never true */
    Expr *in2[] = {col(0), i32(1), i32(2)};
    CHECK_EQ_STR(my(in_list(true, 3, in2)), "`i` NOT IN (1, 2)");
    Expr *in3[] = {col(1), text("a"), text("it's")};
    CHECK_EQ_STR(pg(in_list(false, 3, in3)), "\"s\" IN ('a', 'it''s')");
    CHECK_EQ_STR(pg(in_list(true, 3, in3)), ""); /* a collated NOT IN would drop rows */
    /* IS [NOT] NULL; MySQL zero dates are NULL to kiln only */
    CHECK_EQ_STR(pg(is_null(col(2), false)), "\"d\" IS NULL");
    CHECK_EQ_STR(my(is_null(col(2), false)), "");
    CHECK_EQ_STR(my(is_null(col(2), true)), "`d` IS NOT NULL");
    CHECK_EQ_STR(my(is_null(col(7), false)), "`j` IS NULL");
    /* OR: every part or nothing */
    CHECK_EQ_STR(pg(junction(EXPR_OR, call("=", col(0), i32(1)), call("=", col(1), text("x")))),
                 "(\"i\" = 1 OR \"s\" = 'x')");
    CHECK_EQ_STR(pg(junction(EXPR_OR, call("=", col(0), i32(1)), call("=", col(7), text("x")))), "");
    /* AND: the renderable parts */
    CHECK_EQ_STR(pg(junction(EXPR_AND, call("=", col(7), text("x")), call(">", col(0), i32(1)))), "(\"i\" > 1)");
    CHECK_EQ_STR(pg(junction(EXPR_OR, junction(EXPR_AND, call("=", col(0), i32(1)), call("=", col(0), i32(2))),
                             is_null(col(0), false))),
                 "((\"i\" = 1 AND \"i\" = 2) OR \"i\" IS NULL)");
    /* NOT: only over an exact part */
    CHECK_EQ_STR(pg(not_(call(">", col(0), i32(3)))), "NOT (\"i\" > 3)");
    CHECK_EQ_STR(pg(not_(call("=", col(1), text("a")))), "");             /* collated = is a superset */
    CHECK_EQ_STR(pg(not_(call("<", col(1), text("a")))), "NOT (\"s\" < 'a' COLLATE \"C\")");
    CHECK_EQ_STR(my(not_(call("<", col(2), date(DAY_2024_01_02)))), ""); /* zero dates */
    CHECK_EQ_STR(pg(not_(junction(EXPR_AND, call("=", col(7), text("x")), call(">", col(0), i32(1))))), "");
    /* several hints: ANDed, the unrenderable ones dropped */
    Expr *conds[] = {call(">", col(0), i32(1)), call("=", col(7), text("x")),
                     junction(EXPR_OR, call("=", col(0), i32(5)), call("=", col(0), i32(6))), call("<", col(0), i32(9))};
    CHECK_EQ_STR(render_n(REMOTE_POSTGRES, 4, conds), "\"i\" > 1 AND (\"i\" = 5 OR \"i\" = 6) AND \"i\" < 9");
    Expr *none[] = {call("=", col(7), text("x"))};
    CHECK_EQ_STR(render_n(REMOTE_MYSQL, 1, none), "");
    arena_destroy(&arena);
}
