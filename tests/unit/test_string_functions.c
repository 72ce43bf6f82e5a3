/* test_string_functions: the string, math and pattern functions called the
 * way the executor calls them: function_lookup + function_bind on argument
 * types (and constants), then the overload's implementation on small
 * vectors.  Results are compared as PostgreSQL text ("NULL" for NULL). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "exec/function.h"
#include "types/cast.h"
#include "unit.h"

#define MAX_ROWS 8

/* One argument column: a type and up to MAX_ROWS values as text (NULL = SQL NULL). */
typedef struct Arg {
    LogicalType type;
    const char *rows[MAX_ROWS];
    bool constant; /* pass row 0 as a constant to the prepare hook */
} Arg;

typedef struct Outcome {
    bool ok;
    char text[MAX_ROWS][256];
    char error[ERROR_MSG_MAX + 32];
    LogicalType type;
} Outcome;

static Arg T(const char *a) { return (Arg){type_make(TYPE_VARCHAR), {a}, false}; }
static Arg TC(const char *a) { return (Arg){type_make(TYPE_VARCHAR), {a}, true}; }
static Arg I(const char *a) { return (Arg){type_make(TYPE_INTEGER), {a}, false}; }
static Arg IC(const char *a) { return (Arg){type_make(TYPE_INTEGER), {a}, true}; }
static Arg D(const char *a) { return (Arg){type_make(TYPE_DOUBLE), {a}, false}; }
static Arg N(int p, int s, const char *a) { return (Arg){type_decimal(p, s), {a}, false}; }

/* Call name(args) on `rows` rows; each arg gives one value per row (row 0's
 * value is repeated when an arg has fewer). */
static Outcome run_rows(const char *name, const Arg *args, int nargs, uint32_t rows)
{
    Outcome o;
    memset(&o, 0, sizeof o);
    Error err = ERROR_INIT;
    const ScalarFunction *fn = function_lookup(name);
    if (fn == NULL) {
        snprintf(o.error, sizeof o.error, "no function %s", name);
        return o;
    }
    LogicalType types[FN_MAX_ARGS];
    Vector *vecs[FN_MAX_ARGS];
    Value consts[FN_MAX_ARGS];
    const Value *const_ptrs[FN_MAX_ARGS];
    for (int a = 0; a < nargs; a++) {
        types[a] = args[a].type;
        vecs[a] = vector_new(args[a].type, 0);
        for (uint32_t r = 0; r < rows; r++) {
            const char *text = args[a].rows[r] ? args[a].rows[r] : args[a].rows[0];
            if (strcmp(text, "\x01") == 0) {
                vector_set_null(vecs[a], r);
            } else if (!cast_parse_text(text, strlen(text), vecs[a], r, &err)) {
                snprintf(o.error, sizeof o.error, "bad test value: %s", err.message);
                return o;
            }
        }
        consts[a] = value_from_vector(vecs[a], 0);
        const_ptrs[a] = args[a].constant ? &consts[a] : NULL;
    }
    Arena arena;
    arena_init(&arena, 0);
    FunctionCall call;
    if (function_bind(fn, types, const_ptrs, nargs, 7, &call, &arena, &err)) {
        o.type = call.return_type;
        Vector *out = vector_new(call.return_type, 0);
        o.ok = call.overload->impl(&call, vecs, rows, out, &err);
        if (o.ok) {
            for (uint32_t r = 0; r < rows; r++) {
                StrBuf sb = STRBUF_INIT;
                if (!vector_is_valid(out, r)) strbuf_puts(&sb, "NULL");
                else if (out->type.id == TYPE_VARCHAR) {
                    const KString *k = &VEC_DATA(out, KString)[r];
                    strbuf_append(&sb, kstring_data(k), k->len);
                } else cast_format_value(out, r, &sb);
                snprintf(o.text[r], sizeof o.text[r], "%s", strbuf_cstr(&sb));
                strbuf_free(&sb);
            }
        }
        vector_free(out);
        function_call_release(&call);
    }
    if (!o.ok) snprintf(o.error, sizeof o.error, "%s", err.message);
    arena_destroy(&arena);
    for (int a = 0; a < nargs; a++) vector_free(vecs[a]);
    return o;
}

/* The text of f(args) on one row, or "ERROR: message". */
static const char *call1(const char *name, int nargs, Arg a0, Arg a1, Arg a2, Arg a3)
{
    static char result[ERROR_MSG_MAX + 64];
    Arg args[4] = {a0, a1, a2, a3};
    Outcome o = run_rows(name, args, nargs, 1);
    if (o.ok) snprintf(result, sizeof result, "%s", o.text[0]);
    else snprintf(result, sizeof result, "ERROR: %s", o.error);
    return result;
}

static Arg NONE(void) { return T(""); }
#define F1(name, a) call1(name, 1, a, NONE(), NONE(), NONE())
#define F2(name, a, b) call1(name, 2, a, b, NONE(), NONE())
#define F3(name, a, b, c) call1(name, 3, a, b, c, NONE())
#define F4(name, a, b, c, d) call1(name, 4, a, b, c, d)

static bool starts_with_text(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

/* ---- string functions ---- */

TEST(string_case_mapping)
{
    CHECK_EQ_STR(F1("upper", T("hello World")), "HELLO WORLD");
    CHECK_EQ_STR(F1("lower", T("HeLLo")), "hello");
    CHECK_EQ_STR(F1("upper", T("straße")), "STRAßE"); /* no one-character capital: kept, as PostgreSQL's towupper */
    CHECK_EQ_STR(F1("upper", T("élan ÿ")), "ÉLAN Ÿ");
    CHECK_EQ_STR(F1("lower", T("ÀÉÎ ΣΑΣ")), "àéî σασ");
    CHECK_EQ_STR(F1("lower", T("a long string over twelve BYTES")), "a long string over twelve bytes");
    CHECK_EQ_STR(F1("initcap", T("hello wORLD-foo 2nd")), "Hello World-Foo 2nd");
    CHECK_EQ_STR(F1("initcap", T("élan vital")), "Élan Vital");
    CHECK_EQ_STR(F1("upper", T("\x01")), "NULL");
}

TEST(string_trim)
{
    CHECK_EQ_STR(F1("btrim", T("  ab c  ")), "ab c");
    CHECK_EQ_STR(F1("ltrim", T("  ab  ")), "ab  ");
    CHECK_EQ_STR(F1("rtrim", T("  ab  ")), "  ab");
    CHECK_EQ_STR(F1("btrim", T("\tab ")), "\tab");
    CHECK_EQ_STR(F2("btrim", T("xyxabcyx"), T("xy")), "abc");
    CHECK_EQ_STR(F2("ltrim", T("ééaé"), T("é")), "aé");
    CHECK_EQ_STR(F2("rtrim", T("aéé"), T("é")), "a");
    CHECK_EQ_STR(F2("btrim", T("xxxx"), T("x")), "");
    CHECK_EQ_STR(F2("btrim", T("abc"), T("")), "abc");
    CHECK_EQ_STR(F2("trim", T("abc"), T("\x01")), "NULL");
}

TEST(string_substring)
{
    CHECK_EQ_STR(F3("substring", T("Thomas"), I("2"), I("3")), "hom");
    CHECK_EQ_STR(F2("substring", T("Thomas"), I("3")), "omas");
    CHECK_EQ_STR(F3("substring", T("Thomas"), I("0"), I("3")), "Th");
    CHECK_EQ_STR(F3("substring", T("Thomas"), I("-5"), I("3")), "");
    CHECK_EQ_STR(F3("substring", T("Thomas"), I("-1"), I("5")), "Tho");
    CHECK_EQ_STR(F3("substring", T("Thomas"), I("5"), I("100")), "as");
    CHECK_EQ_STR(F2("substring", T("Thomas"), I("100")), "");
    CHECK_EQ_STR(F3("substring", T("Thomas"), I("2147483647"), I("2147483647")), "");
    CHECK_EQ_STR(F3("substr", T("héllo wörld"), I("2"), I("4")), "éllo");
    CHECK_EQ_STR(F3("substring", T("Thomas"), I("2"), I("-1")), "ERROR: negative substring length not allowed");
    CHECK_EQ_STR(F3("substring", T("\x01"), I("2"), I("-1")), "NULL");
}

TEST(string_lengths)
{
    CHECK_EQ_STR(F1("length", T("héllo")), "5");
    CHECK_EQ_STR(F1("char_length", T("")), "0");
    CHECK_EQ_STR(F1("character_length", T("日本語")), "3");
    CHECK_EQ_STR(F1("octet_length", T("héllo")), "6");
    CHECK_EQ_STR(F1("bit_length", T("ab")), "16");
    CHECK_EQ_STR(F1("length", T("\x01")), "NULL");
    /* a stray continuation byte is one character, never a read past the end */
    CHECK_EQ_STR(F1("length", T("\x80\x80")), "1");
    CHECK_EQ_STR(F1("length", T("a\xc3")), "2");
}

TEST(string_concat)
{
    CHECK_EQ_STR(F2("||", T("ab"), T("cd")), "abcd");
    CHECK_EQ_STR(F2("||", T("a long left side"), T(" and a long right side")), "a long left side and a long right side");
    CHECK_EQ_STR(F2("||", T("n="), I("42")), "n=42");
    CHECK_EQ_STR(F2("||", N(5, 2, "1.5"), T("!")), "1.50!");
    CHECK_EQ_STR(F2("||", T("x"), T("\x01")), "NULL");
    CHECK(starts_with_text(F2("||", I("1"), I("2")), "ERROR: operator does not exist: integer || integer"));
    CHECK_EQ_STR(F3("concat", T("a"), T("\x01"), I("3")), "a3");
    CHECK_EQ_STR(F2("concat", T("\x01"), T("\x01")), "");
    CHECK_EQ_STR(F4("concat_ws", T(","), T("a"), T("\x01"), I("7")), "a,7");
    CHECK_EQ_STR(F3("concat_ws", T("\x01"), T("a"), T("b")), "NULL");
}

TEST(string_replace_and_search)
{
    CHECK_EQ_STR(F3("replace", T("abcabc"), T("b"), T("XX")), "aXXcaXXc");
    CHECK_EQ_STR(F3("replace", T("aaaa"), T("aa"), T("b")), "bb");
    CHECK_EQ_STR(F3("replace", T("abc"), T(""), T("x")), "abc");
    CHECK_EQ_STR(F3("replace", T("abc"), T("abcd"), T("x")), "abc");
    CHECK_EQ_STR(F3("replace", T("abc"), T("b"), T("")), "ac");
    CHECK_EQ_STR(F2("strpos", T("héllo"), T("llo")), "3");
    CHECK_EQ_STR(F2("strpos", T("hello"), T("z")), "0");
    CHECK_EQ_STR(F2("strpos", T("hello"), T("")), "1");
    CHECK_EQ_STR(F2("position", T("abc"), T("c")), "3");
    CHECK_EQ_STR(F2("starts_with", T("alphabet"), T("alph")), "true");
    CHECK_EQ_STR(F2("starts_with", T("al"), T("alph")), "false");
}

TEST(string_split_part)
{
    CHECK_EQ_STR(F3("split_part", T("abc~@~def~@~ghi"), T("~@~"), I("2")), "def");
    CHECK_EQ_STR(F3("split_part", T("a,b,c"), T(","), I("-1")), "c");
    CHECK_EQ_STR(F3("split_part", T("a,b,c"), T(","), I("-3")), "a");
    CHECK_EQ_STR(F3("split_part", T("a,b,c"), T(","), I("-4")), "");
    CHECK_EQ_STR(F3("split_part", T("a,b,c"), T(","), I("4")), "");
    CHECK_EQ_STR(F3("split_part", T("a,b,"), T(","), I("3")), "");
    CHECK_EQ_STR(F3("split_part", T("abc"), T(""), I("1")), "abc");
    CHECK_EQ_STR(F3("split_part", T("abc"), T(""), I("2")), "");
    CHECK_EQ_STR(F3("split_part", T("a,b"), T(","), I("0")), "ERROR: field position must not be zero");
}

TEST(string_left_right_pad)
{
    CHECK_EQ_STR(F2("left", T("abcde"), I("2")), "ab");
    CHECK_EQ_STR(F2("left", T("abcde"), I("-2")), "abc");
    CHECK_EQ_STR(F2("left", T("abcde"), I("-9")), "");
    CHECK_EQ_STR(F2("right", T("abcde"), I("2")), "de");
    CHECK_EQ_STR(F2("right", T("abcdé"), I("-2")), "cdé");
    CHECK_EQ_STR(F2("right", T("abc"), I("10")), "abc");
    CHECK_EQ_STR(F3("lpad", T("hi"), I("5"), T("xy")), "xyxhi");
    CHECK_EQ_STR(F3("rpad", T("hi"), I("5"), T("xy")), "hixyx");
    CHECK_EQ_STR(F2("lpad", T("hi"), I("4")), "  hi");
    CHECK_EQ_STR(F3("lpad", T("hello"), I("2"), T("x")), "he");
    CHECK_EQ_STR(F3("rpad", T("hello"), I("2"), T("x")), "he");
    CHECK_EQ_STR(F3("lpad", T("hi"), I("5"), T("")), "hi");
    CHECK_EQ_STR(F3("lpad", T("hi"), I("-1"), T("x")), "");
    CHECK_EQ_STR(F3("lpad", T("é"), I("4"), T("ü")), "üüüé");
    CHECK_EQ_STR(F3("lpad", T("a"), I("2147483647"), T("xy")), "ERROR: requested length too large");
    CHECK_EQ_STR(F2("repeat", T("ab"), I("3")), "ababab");
    CHECK_EQ_STR(F2("repeat", T("ab"), I("-1")), "");
    CHECK_EQ_STR(F2("repeat", T("abc"), I("2000000000")), "ERROR: requested length too large");
}

TEST(string_characters)
{
    CHECK_EQ_STR(F1("reverse", T("abcé")), "écba");
    CHECK_EQ_STR(F1("reverse", T("")), "");
    CHECK_EQ_STR(F1("ascii", T("x")), "120");
    CHECK_EQ_STR(F1("ascii", T("é")), "233");
    CHECK_EQ_STR(F1("ascii", T("")), "0");
    CHECK_EQ_STR(F1("chr", I("65")), "A");
    CHECK_EQ_STR(F1("chr", I("8364")), "€");
    CHECK_EQ_STR(F1("chr", I("0")), "ERROR: null character not permitted");
    CHECK(starts_with_text(F1("chr", I("-1")), "ERROR: requested character too large"));
    CHECK(starts_with_text(F1("chr", I("55296")), "ERROR: requested character not valid"));
    CHECK_EQ_STR(F3("translate", T("12345"), T("143"), T("ax")), "a2x5");
    CHECK_EQ_STR(F3("translate", T("héllo"), T("él"), T("EL")), "hELLo");
    CHECK_EQ_STR(F1("to_hex", I("255")), "ff");
    CHECK_EQ_STR(F1("to_hex", I("-1")), "ffffffff");
    CHECK_EQ_STR(F1("md5", T("")), "d41d8cd98f00b204e9800998ecf8427e");
    CHECK_EQ_STR(F1("md5", T("abc")), "900150983cd24fb0d6963f7d28e17f72");
    CHECK_EQ_STR(F1("md5", T("The quick brown fox jumps over the lazy dog, and then it jumps again!!")), "79ee12770f097084885e907c65d2d045");
    CHECK_EQ_STR(F1("md5", T("The quick brown fox jumps over the lazy dog")), "9e107d9d372bb6826bd81d3542a419d6");
}

TEST(string_many_rows_with_nulls)
{
    Arg s = {type_make(TYPE_VARCHAR), {"one", "\x01", "three is longer than twelve", "", "five"}, false};
    Outcome o = run_rows("upper", &s, 1, 5);
    CHECK(o.ok);
    CHECK_EQ_STR(o.text[0], "ONE");
    CHECK_EQ_STR(o.text[1], "NULL");
    CHECK_EQ_STR(o.text[2], "THREE IS LONGER THAN TWELVE");
    CHECK_EQ_STR(o.text[3], "");
    CHECK_EQ_STR(o.text[4], "FIVE");
    /* an error about the garbage in a NULL row must not happen */
    Arg sub[3] = {{type_make(TYPE_VARCHAR), {"abc", "abc"}, false},
                  {type_make(TYPE_INTEGER), {"1", "1"}, false},
                  {type_make(TYPE_INTEGER), {"\x01", "1"}, false}};
    o = run_rows("substring", sub, 3, 2);
    CHECK(o.ok);
    CHECK_EQ_STR(o.text[0], "NULL");
    CHECK_EQ_STR(o.text[1], "a");
}

/* ---- math functions ---- */

TEST(math_round_numeric)
{
    Arg args[2] = {N(10, 3, "2.345"), IC("2")};
    Outcome o = run_rows("round", args, 2, 1);
    CHECK(o.ok);
    CHECK_EQ_STR(o.text[0], "2.35");
    CHECK_EQ_INT(o.type.scale, 2);
    CHECK_EQ_STR(F1("round", N(10, 1, "-2.5")), "-3");
    CHECK_EQ_STR(F1("round", N(10, 1, "2.4")), "2");
    args[0] = N(10, 3, "-2.345");
    CHECK_EQ_STR(run_rows("round", args, 2, 1).text[0], "-2.35");
    args[0] = N(10, 1, "1234.5");
    args[1] = IC("-2");
    o = run_rows("round", args, 2, 1);
    CHECK_EQ_STR(o.text[0], "1200");
    CHECK_EQ_INT(o.type.scale, 0);
    args[1] = IC("3");
    o = run_rows("round", args, 2, 1);
    CHECK_EQ_STR(o.text[0], "1234.500");
    args[0] = N(4, 2, "99.99");
    args[1] = IC("1");
    CHECK_EQ_STR(run_rows("round", args, 2, 1).text[0], "100.0");
    args[1] = IC("-5");
    CHECK_EQ_STR(run_rows("round", args, 2, 1).text[0], "0");
    args[0] = N(38, 10, "1234567890123456789012345678.1234567895");
    args[1] = IC("9");
    CHECK_EQ_STR(run_rows("round", args, 2, 1).text[0], "1234567890123456789012345678.123456790");
    /* non-constant digits keep the argument's scale */
    args[0] = N(6, 3, "1.2345");
    args[1] = I("1");
    o = run_rows("round", args, 2, 1);
    CHECK_EQ_STR(o.text[0], "1.200");
    CHECK_EQ_STR(F2("trunc", N(10, 3, "-2.349"), IC("2")), "-2.34");
    CHECK_EQ_STR(F1("trunc", N(10, 3, "-2.999")), "-2");
}

TEST(math_double_and_integer)
{
    CHECK_EQ_STR(F1("round", D("2.5")), "2");
    CHECK_EQ_STR(F1("round", D("3.5")), "4");
    CHECK_EQ_STR(F1("round", I("7")), "7");
    CHECK_EQ_STR(F2("round", D("2.345"), I("1")), "2.3");
    CHECK_EQ_STR(F1("floor", D("-1.5")), "-2");
    CHECK_EQ_STR(F1("ceil", D("-1.5")), "-1");
    CHECK_EQ_STR(F1("floor", N(5, 2, "-1.50")), "-2");
    CHECK_EQ_STR(F1("ceiling", N(5, 2, "1.01")), "2");
    CHECK_EQ_STR(F1("ceil", N(5, 2, "-0.50")), "0");
    CHECK_EQ_STR(F1("abs", I("-3")), "3");
    CHECK_EQ_STR(F1("abs", I("-2147483648")), "ERROR: integer out of range");
    CHECK_EQ_STR(F1("abs", N(5, 2, "-1.50")), "1.50");
    CHECK_EQ_STR(F1("sign", N(5, 2, "-1.50")), "-1");
    CHECK_EQ_STR(F1("sign", D("0")), "0");
    CHECK_EQ_STR(F2("mod", I("-7"), I("3")), "-1");
    CHECK_EQ_STR(F2("mod", I("-2147483648"), I("-1")), "0");
    CHECK_EQ_STR(F2("mod", I("7"), I("0")), "ERROR: division by zero");
    CHECK_EQ_STR(F2("mod", N(5, 2, "7.50"), N(5, 1, "2.0")), "1.50");
    CHECK_EQ_STR(F2("power", D("2"), D("10")), "1024");
    CHECK_EQ_STR(F2("power", D("0"), D("-1")), "ERROR: zero raised to a negative power is undefined");
    CHECK(starts_with_text(F2("power", D("-8"), D("0.5")), "ERROR: a negative number raised to a non-integer"));
    CHECK_EQ_STR(F2("power", D("10"), D("400")), "ERROR: value out of range: overflow");
    CHECK_EQ_STR(F1("sqrt", D("16")), "4");
    CHECK_EQ_STR(F1("sqrt", D("-1")), "ERROR: cannot take square root of a negative number");
    CHECK_EQ_STR(F1("ln", D("0")), "ERROR: cannot take logarithm of zero");
    CHECK_EQ_STR(F1("ln", D("-1")), "ERROR: cannot take logarithm of a negative number");
    CHECK_EQ_STR(F1("log", D("1000")), "3");
    CHECK_EQ_STR(F2("log", D("2"), D("8")), "3");
    CHECK_EQ_STR(F1("exp", D("0")), "1");
    CHECK_EQ_STR(F1("exp", D("1000")), "ERROR: value out of range: overflow");
    CHECK_EQ_STR(F1("sqrt", D("\x01")), "NULL");
    Outcome o = run_rows("pi", NULL, 0, 1);
    CHECK(o.ok && strncmp(o.text[0], "3.14159265358979", 16) == 0);
}

/* ---- pattern functions ---- */

TEST(pattern_like)
{
    static const struct {
        const char *s, *p;
        const char *like;
    } cases[] = {
        {"abc", "abc", "true"},   {"abc", "ab", "false"},    {"abc", "a%", "true"},    {"abc", "%c", "true"},
        {"abc", "%b%", "true"},   {"abc", "%x%", "false"},   {"abc", "a_c", "true"},   {"abc", "_", "false"},
        {"", "%", "true"},        {"", "_", "false"},        {"a%c", "a\\%c", "true"}, {"abc", "a\\%c", "false"},
        {"aXbYc", "a%b%c", "true"}, {"abcbc", "%bc", "true"}, {"mississippi", "%iss%pi", "true"},
        {"mississippi", "m%ss%ss%", "true"}, {"mississippi", "m%x%", "false"}, {"héllo", "h_llo", "true"},
        {"héllo", "h__llo", "false"}, {"a_b", "a\\_b", "true"}, {"axb", "a\\_b", "false"},
        {"aaa", "%%%a", "true"},  {"ab", "a%%b", "true"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        /* the same case through the constant-pattern fast paths and the row-by-row matcher */
        const char *constant = F2("~~", T(cases[k].s), TC(cases[k].p));
        const char *general_expected = cases[k].like;
        CHECK_EQ_STR(constant, cases[k].like);
        CHECK_EQ_STR(F2("~~", T(cases[k].s), T(cases[k].p)), general_expected);
        CHECK_EQ_STR(F2("!~~", T(cases[k].s), T(cases[k].p)), strcmp(cases[k].like, "true") == 0 ? "false" : "true");
    }
    CHECK_EQ_STR(F2("~~*", T("HeLLo"), TC("%ll%")), "true");
    CHECK_EQ_STR(F2("~~*", T("ÉCOLE"), T("é%")), "true");
    CHECK_EQ_STR(F2("!~~*", T("abc"), TC("A%")), "false");
    CHECK_EQ_STR(F2("~~", T("abc"), TC("\x01")), "NULL");
    CHECK_EQ_STR(F2("~~", T("abc"), TC("ab\\")), "ERROR: LIKE pattern must not end with escape character");
    CHECK_EQ_STR(F2("~~", T("abc"), T("abc\\")), "ERROR: LIKE pattern must not end with escape character");
    CHECK_EQ_STR(F2("like_escape", T("a#%b\\c"), T("#")), "a\\%b\\\\c");
    CHECK_EQ_STR(F2("like_escape", T("a\\b"), T("")), "a\\\\b");
    CHECK(starts_with_text(F2("like_escape", T("ab"), T("xy")), "ERROR: invalid escape string"));
}

TEST(pattern_similar_to_escape)
{
    CHECK_EQ_STR(F1("similar_to_escape", T("a_b[.]%\\d(x|y)")), "^(?:a.b[.].*\\d(?:x|y))$");
    CHECK_EQ_STR(F2("similar_to_escape", T("a#%c"), T("#")), "^(?:a\\%c)$");
    CHECK_EQ_STR(F2("similar_to_escape", T("a\\b"), T("")), "^(?:a\\\\b)$");
    CHECK_EQ_STR(F1("similar_to_escape", T("a\\\"b\\\"c")), "^(?:a){1,1}?(b){1,1}(?:c)$");
    CHECK(starts_with_text(F1("similar_to_escape", T("\\\"a\\\"b\\\"c\\\"")), "ERROR: SQL regular expression may not contain"));
}

TEST(pattern_regex)
{
    CHECK_EQ_STR(F2("~", T("foobar"), TC("o+b")), "true");
    CHECK_EQ_STR(F2("~", T("foobar"), T("^bar")), "false");
    CHECK_EQ_STR(F2("~*", T("FOOBAR"), TC("foo")), "true");
    CHECK_EQ_STR(F2("!~", T("foobar"), TC("x")), "true");
    CHECK_EQ_STR(F2("!~*", T("FOO"), TC("foo")), "false");
    CHECK_EQ_STR(F2("~", T("a\nb"), TC("a.b")), "true");
    CHECK_EQ_STR(F2("~", T("ab\n"), TC("ab$")), "false");
    CHECK_EQ_STR(F2("~", T("été"), TC("^\\w+$")), "true");
    CHECK(starts_with_text(F2("~", T("abc"), TC("a(")), "ERROR: invalid regular expression: "));
    CHECK(starts_with_text(F2("~", T("abc"), T("a(")), "ERROR: invalid regular expression: "));
    CHECK_EQ_STR(F2("regexp_like", T("Hello"), T("^h")), "false");
    CHECK_EQ_STR(F3("regexp_like", T("Hello"), T("^h"), TC("i")), "true");
    CHECK_EQ_STR(F3("regexp_like", T("Hello"), T("^h"), T("i")), "true");
    CHECK(starts_with_text(F3("regexp_like", T("Hello"), T("h"), TC("z")), "ERROR: invalid regular expression option: \"z\""));
    CHECK(starts_with_text(F3("regexp_like", T("Hello"), T("h"), TC("g")), "ERROR: regexp_like() does not support"));
}

TEST(pattern_regexp_replace)
{
    CHECK_EQ_STR(F3("regexp_replace", T("foobarbaz"), TC("b(..)"), TC("X\\1Y")), "fooXarYbaz");
    CHECK_EQ_STR(F4("regexp_replace", T("foobarbaz"), TC("b(..)"), TC("X\\1Y"), TC("g")), "fooXarYXazY");
    CHECK_EQ_STR(F4("regexp_replace", T("abc"), TC("x*"), TC("-"), TC("g")), "-a-b-c-");
    CHECK_EQ_STR(F4("regexp_replace", T("abc"), TC("b*"), TC("-"), TC("g")), "-a--c-");
    CHECK_EQ_STR(F4("regexp_replace", T("ABC abc"), TC("b"), TC("[\\&]"), TC("gi")), "A[B]C a[b]c");
    CHECK_EQ_STR(F3("regexp_replace", T("a.b"), TC("\\."), TC("\\\\")), "a\\b");
    CHECK_EQ_STR(F3("regexp_replace", T("ab"), TC("(a)"), TC("\\2\\x")), "\\xb");
    CHECK_EQ_STR(F4("regexp_replace", T("héé"), TC("é"), TC("e"), TC("g")), "hee");
    CHECK_EQ_STR(F4("regexp_replace", T("héllo"), TC(""), TC("-"), TC("g")), "-h-é-l-l-o-");
    CHECK_EQ_STR(F3("regexp_replace", T("\x01"), TC("a"), TC("b")), "NULL");
    CHECK_EQ_STR(F3("regexp_replace", T("abc"), TC("\x01"), TC("b")), "NULL");
}

TEST(pattern_regexp_count_substr)
{
    CHECK_EQ_STR(F2("regexp_count", T("ABCABCAXYaxy"), TC("A.")), "3");
    CHECK_EQ_STR(F4("regexp_count", T("ABCABCAXYaxy"), TC("A."), I("1"), TC("i")), "4");
    CHECK_EQ_STR(F3("regexp_count", T("abc"), TC("x*"), I("1")), "4");
    CHECK_EQ_STR(F3("regexp_count", T("abcabc"), TC("a"), I("2")), "1");
    CHECK_EQ_STR(F3("regexp_count", T("abc"), TC("a"), I("0")), "ERROR: invalid value for parameter \"start\": 0");
    CHECK_EQ_STR(F2("regexp_substr", T("number 123 and 45"), TC("[0-9]+")), "123");
    CHECK_EQ_STR(F4("regexp_substr", T("number 123 and 45"), TC("[0-9]+"), I("1"), I("2")), "45");
    CHECK_EQ_STR(F4("regexp_substr", T("number 123 and 45"), TC("[0-9]+"), I("1"), I("3")), "NULL");
    CHECK_EQ_STR(F2("regexp_substr", T("abc"), TC("x")), "NULL");
    Arg args[6] = {T("ABCABCAXYaxy"), TC("(a)(x)"), I("1"), I("1"), TC("i"), I("2")};
    Outcome o = run_rows("regexp_substr", args, 6, 1);
    CHECK(o.ok);
    CHECK_EQ_STR(o.text[0], "X");
}

TEST(pattern_regex_varying_patterns)
{
    Arg args[2] = {{type_make(TYPE_VARCHAR), {"apple", "banana", "cherry", "date"}, false},
                   {type_make(TYPE_VARCHAR), {"^a", "an", "an", "\x01"}, false}};
    Outcome o = run_rows("~", args, 2, 4);
    CHECK(o.ok);
    CHECK_EQ_STR(o.text[0], "true");
    CHECK_EQ_STR(o.text[1], "true");
    CHECK_EQ_STR(o.text[2], "false");
    CHECK_EQ_STR(o.text[3], "NULL");
}
