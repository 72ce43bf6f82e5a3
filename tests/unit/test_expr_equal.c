/* Unit tests of exec/expr_equal (structural equality and hash of bound
 * expressions) and of what sql/opt_cse.c builds on it: a division by zero
 * in a shared subexpression is raised at the same SQL position as without
 * sharing. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/arena.h"
#include "exec/expr_equal.h"
#include "sql/session.h"
#include "unit.h"

static Expr *node(Arena *a, ExprKind kind, LogicalType type, int nargs, int sql_pos)
{
    Expr *e = arena_calloc(a, sizeof *e);
    e->kind = kind;
    e->type = type;
    e->nargs = nargs;
    e->sql_pos = sql_pos;
    e->args = arena_calloc(a, sizeof(Expr *) * (size_t)(nargs + 1));
    return e;
}

static Expr *column(Arena *a, int col, LogicalType t)
{
    Expr *e = node(a, EXPR_COLUMN, t, 0, -1);
    e->column = col;
    return e;
}

static Expr *constant(Arena *a, Value v, int sql_pos)
{
    Expr *e = node(a, EXPR_CONST, v.type, 0, sql_pos);
    e->constant = v;
    return e;
}

/* The operator `name` bound to l and r (no constants passed: the binder's casts are not needed here). */
static Expr *call2(Arena *a, const char *name, Expr *l, Expr *r, int sql_pos)
{
    FunctionCall *call = arena_calloc(a, sizeof *call);
    LogicalType types[2] = {l->type, r->type};
    const Value *consts[2] = {NULL, NULL};
    Error err = ERROR_INIT;
    bool ok = function_bind(function_lookup(name), types, consts, 2, sql_pos, call, a, &err);
    CHECK(ok);
    Expr *e = node(a, EXPR_CALL, call->return_type, 2, sql_pos);
    e->call = call;
    e->args[0] = l;
    e->args[1] = r;
    return e;
}

static bool equal_and_same_hash(const Expr *x, const Expr *y)
{
    return expr_equal(x, y) && expr_equal(y, x) && expr_hash(x) == expr_hash(y);
}

TEST(expr_equal_columns_and_constants)
{
    Arena a;
    arena_init(&a, 4096);
    LogicalType i32 = type_make(TYPE_INTEGER), i64 = type_make(TYPE_BIGINT);
    CHECK(equal_and_same_hash(column(&a, 2, i32), column(&a, 2, i32)));
    CHECK(!expr_equal(column(&a, 2, i32), column(&a, 3, i32)));
    CHECK(!expr_equal(column(&a, 2, i32), column(&a, 2, i64)));

    /* constants by value and type; positions do not matter */
    CHECK(equal_and_same_hash(constant(&a, value_integer(7), 3), constant(&a, value_integer(7), 40)));
    CHECK(!expr_equal(constant(&a, value_integer(7), 3), constant(&a, value_integer(8), 3)));
    CHECK(!expr_equal(constant(&a, value_integer(7), 3), constant(&a, value_bigint(7), 3)));
    /* NULL equals NULL of the same type, not a value, not a NULL of another type */
    CHECK(equal_and_same_hash(constant(&a, value_null(i32), 1), constant(&a, value_null(i32), 2)));
    CHECK(!expr_equal(constant(&a, value_null(i32), 1), constant(&a, value_integer(0), 1)));
    CHECK(!expr_equal(constant(&a, value_null(i32), 1), constant(&a, value_null(i64), 1)));
    /* strings by their bytes, wherever they are stored */
    char s1[] = "trim me", s2[] = "trim me";
    CHECK(equal_and_same_hash(constant(&a, value_varchar(s1, 7), 1), constant(&a, value_varchar(s2, 7), 1)));
    CHECK(!expr_equal(constant(&a, value_varchar(s1, 7), 1), constant(&a, value_varchar(s2, 6), 1)));
    CHECK(expr_equal(constant(&a, value_varchar("", 0), 1), constant(&a, value_varchar(NULL, 0), 1)));
    /* doubles by their bits: 1 / -0.0 differs from 1 / 0.0; a NaN is itself */
    CHECK(!expr_equal(constant(&a, value_double(0.0), 1), constant(&a, value_double(-0.0), 1)));
    CHECK(equal_and_same_hash(constant(&a, value_double(NAN), 1), constant(&a, value_double(NAN), 1)));
    /* wide decimals compare all 128 bits */
    Value d1 = value_null(type_decimal(30, 2)), d2 = d1;
    d1.is_null = d2.is_null = false;
    d1.u.i128 = (kiln_int128)1 << 80;
    d2.u.i128 = ((kiln_int128)1 << 80) + 1;
    CHECK(!expr_equal(constant(&a, d1, 1), constant(&a, d2, 1)));
    d2.u.i128 = d1.u.i128;
    CHECK(equal_and_same_hash(constant(&a, d1, 1), constant(&a, d2, 1)));
    arena_destroy(&a);
}

TEST(expr_equal_calls_and_nodes)
{
    Arena a;
    arena_init(&a, 4096);
    LogicalType i32 = type_make(TYPE_INTEGER);
    /* (#0 + 1) * #1 bound twice, at different positions */
    Expr *x = call2(&a, "*", call2(&a, "+", column(&a, 0, i32), constant(&a, value_integer(1), 5), 4),
                    column(&a, 1, i32), 2);
    Expr *y = call2(&a, "*", call2(&a, "+", column(&a, 0, i32), constant(&a, value_integer(1), 25), 24),
                    column(&a, 1, i32), 22);
    CHECK(equal_and_same_hash(x, y));
    CHECK(expr_equal_node(x, y));
    /* another operator, another constant, arguments swapped, another column */
    CHECK(!expr_equal(x, call2(&a, "-", x->args[0], x->args[1], 2)));
    CHECK(!expr_equal(x, call2(&a, "*", call2(&a, "+", column(&a, 0, i32), constant(&a, value_integer(2), 5), 4),
                                column(&a, 1, i32), 2)));
    CHECK(!expr_equal(x, call2(&a, "*", x->args[1], x->args[0], 2)));
    CHECK(!expr_equal(x, call2(&a, "*", x->args[0], column(&a, 2, i32), 2)));
    /* the node alone does not look at the arguments */
    CHECK(expr_equal_node(x, call2(&a, "*", x->args[0], column(&a, 2, i32), 2)));
    /* an integer and a bigint operand bind different overloads */
    Expr *wide = call2(&a, "+", column(&a, 0, type_make(TYPE_BIGINT)), constant(&a, value_bigint(1), 5), 4);
    CHECK(!expr_equal(x->args[0], wide));

    /* casts by target type */
    Expr *c1 = node(&a, EXPR_CAST, type_make(TYPE_BIGINT), 1, 0);
    Expr *c2 = node(&a, EXPR_CAST, type_make(TYPE_BIGINT), 1, 9);
    Expr *c3 = node(&a, EXPR_CAST, type_make(TYPE_DOUBLE), 1, 0);
    c1->args[0] = c2->args[0] = c3->args[0] = column(&a, 0, i32);
    CHECK(equal_and_same_hash(c1, c2));
    CHECK(!expr_equal(c1, c3));
    /* IS NULL against IS NOT NULL */
    Expr *n1 = node(&a, EXPR_IS_NULL, type_make(TYPE_BOOLEAN), 1, 0);
    Expr *n2 = node(&a, EXPR_IS_NULL, type_make(TYPE_BOOLEAN), 1, 0);
    n1->args[0] = n2->args[0] = column(&a, 0, i32);
    CHECK(equal_and_same_hash(n1, n2));
    n2->negated = true;
    CHECK(!expr_equal(n1, n2));
    /* CASE WHEN c THEN 1 [ELSE 1]: the ELSE makes it another expression */
    Expr *k1 = node(&a, EXPR_CASE, i32, 2, 0);
    Expr *k2 = node(&a, EXPR_CASE, i32, 3, 0);
    k1->args[0] = k2->args[0] = n1;
    k1->args[1] = k2->args[1] = constant(&a, value_integer(1), 0);
    k2->args[2] = constant(&a, value_integer(1), 0);
    k2->has_else = true;
    CHECK(!expr_equal(k1, k2));
    CHECK(equal_and_same_hash(k1, k1));
    arena_destroy(&a);
}

/* The SQL position of a failing statement, -1 if it succeeded. */
static int failing_position(Session *s, const char *sql, char *message, size_t cap)
{
    Error err = ERROR_INIT;
    if (session_execute(s, sql, NULL, &err)) return -1;
    snprintf(message, cap, "%s", err.message);
    return err.sql_pos;
}

/* Offset of the `nth` (0-based) "/" in sql. */
static int nth_slash(const char *sql, int nth)
{
    int seen = 0;
    for (const char *p = sql; *p; p++)
        if (*p == '/' && seen++ == nth) return (int)(p - sql);
    return -2;
}

TEST(shared_subexpression_errors_keep_their_position)
{
    Session *s = session_open();
    Error err = ERROR_INIT;
    CHECK(session_execute(s, "CREATE TABLE t AS SELECT x AS id FROM generate_series(1, 5000) AS g(x)", NULL, &err));
    char msg[ERROR_MSG_MAX];

    /* the first occurrence raises, as it did unshared */
    const char *q1 = "SELECT id + 1, 10 / (id - 3) AS a, 10 / (id - 3) + 1 AS b FROM t";
    CHECK_EQ_INT(failing_position(s, q1, msg, sizeof msg), nth_slash(q1, 0));
    CHECK(strstr(msg, "division by zero") != NULL);

    /* nested in a larger expression first */
    const char *q2 = "SELECT (10 / (id - 3)) * 2 AS a, 10 / (id - 3) AS b FROM t";
    CHECK_EQ_INT(failing_position(s, q2, msg, sizeof msg), nth_slash(q2, 0));

    /* an earlier copy in a CASE arm that does not run on the failing row is
     * not the shared one: the first copy evaluated on every row is */
    const char *q3 = "SELECT CASE WHEN id <> 3 THEN 10 / (id - 3) END, 10 / (id - 3) + 1, 10 / (id - 3) * 2 FROM t";
    CHECK_EQ_INT(failing_position(s, q3, msg, sizeof msg), nth_slash(q3, 1));

    /* under an aggregate, in the projection of its arguments */
    const char *q4 = "SELECT sum(10 / (id - 3)), sum(10 / (id - 3) * 2) FROM t";
    CHECK_EQ_INT(failing_position(s, q4, msg, sizeof msg), nth_slash(q4, 0));

    /* and in parallel */
    const char *q5 = "SELECT 10 / (id - 3), 10 / (id - 3) + 1 FROM t";
    CHECK(session_execute(s, "SET threads = 2", NULL, &err));
    CHECK_EQ_INT(failing_position(s, q5, msg, sizeof msg), nth_slash(q5, 0));
    session_close(s);
}
