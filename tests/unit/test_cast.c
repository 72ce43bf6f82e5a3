/* Unit tests of types/cast: text input and output of every type, the cast
 * catalogue, common types, and cast_vector between type pairs. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/strbuf.h"
#include "types/cast.h"
#include "types/decimal.h"
#include "unit.h"

/* Parse text as type t and print it back; on failure the error message. */
static const char *reparse(LogicalType t, const char *text)
{
    static char result[2][ERROR_MSG_MAX + 8];
    static int which;
    char *out = result[which++ & 1];
    Vector v;
    vector_init(&v, t, 4);
    Error err = ERROR_INIT;
    if (!cast_parse_text(text, strlen(text), &v, 1, &err)) {
        snprintf(out, ERROR_MSG_MAX + 8, "ERROR: %s", err.message);
    } else {
        StrBuf sb = STRBUF_INIT;
        cast_format_value(&v, 1, &sb);
        snprintf(out, ERROR_MSG_MAX + 8, "%s", strbuf_cstr(&sb));
        strbuf_free(&sb);
    }
    vector_destroy(&v);
    return out;
}

static const LogicalType T_INT = {TYPE_INTEGER, 0, 0};
static const LogicalType T_BIGINT = {TYPE_BIGINT, 0, 0};
static const LogicalType T_DOUBLE = {TYPE_DOUBLE, 0, 0};
static const LogicalType T_BOOL = {TYPE_BOOLEAN, 0, 0};
static const LogicalType T_TEXT = {TYPE_VARCHAR, 0, 0};
static const LogicalType T_DATE = {TYPE_DATE, 0, 0};
static const LogicalType T_TS = {TYPE_TIMESTAMP, 0, 0};
static const LogicalType T_IV = {TYPE_INTERVAL, 0, 0};

TEST(cast_parse_integer)
{
    CHECK_EQ_STR(reparse(T_INT, "42"), "42");
    CHECK_EQ_STR(reparse(T_INT, "  -17  "), "-17");
    CHECK_EQ_STR(reparse(T_INT, "+5"), "5");
    CHECK_EQ_STR(reparse(T_INT, "2147483647"), "2147483647");
    CHECK_EQ_STR(reparse(T_INT, "-2147483648"), "-2147483648");
    CHECK_EQ_STR(reparse(T_INT, "2147483648"), "ERROR: value \"2147483648\" is out of range for type integer");
    CHECK_EQ_STR(reparse(T_INT, "3000000000"), "ERROR: value \"3000000000\" is out of range for type integer");
    CHECK_EQ_STR(reparse(T_INT, "1.5"), "ERROR: invalid input syntax for type integer: \"1.5\"");
    CHECK_EQ_STR(reparse(T_INT, "abc"), "ERROR: invalid input syntax for type integer: \"abc\"");
    CHECK_EQ_STR(reparse(T_INT, ""), "ERROR: invalid input syntax for type integer: \"\"");
    CHECK_EQ_STR(reparse(T_INT, "-"), "ERROR: invalid input syntax for type integer: \"-\"");
    CHECK_EQ_STR(reparse(T_INT, "1 2"), "ERROR: invalid input syntax for type integer: \"1 2\"");
    CHECK_EQ_STR(reparse(T_BIGINT, "9223372036854775807"), "9223372036854775807");
    CHECK_EQ_STR(reparse(T_BIGINT, "-9223372036854775808"), "-9223372036854775808");
    CHECK_EQ_STR(reparse(T_BIGINT, "9223372036854775808"),
                 "ERROR: value \"9223372036854775808\" is out of range for type bigint");
    CHECK_EQ_STR(reparse(T_BIGINT, "99999999999999999999999"),
                 "ERROR: value \"99999999999999999999999\" is out of range for type bigint");
}

TEST(cast_parse_double)
{
    CHECK_EQ_STR(reparse(T_DOUBLE, "0.1"), "0.1");
    CHECK_EQ_STR(reparse(T_DOUBLE, "1e20"), "1e+20");
    CHECK_EQ_STR(reparse(T_DOUBLE, "1e15"), "1e+15");
    CHECK_EQ_STR(reparse(T_DOUBLE, "123456789012345"), "123456789012345");
    CHECK_EQ_STR(reparse(T_DOUBLE, "0.0001"), "0.0001");
    CHECK_EQ_STR(reparse(T_DOUBLE, "0.00001"), "1e-05");
    CHECK_EQ_STR(reparse(T_DOUBLE, "-2.5"), "-2.5");
    CHECK_EQ_STR(reparse(T_DOUBLE, " 3.14159 "), "3.14159");
    CHECK_EQ_STR(reparse(T_DOUBLE, "12345678901234567890123456"), "1.2345678901234568e+25");
    CHECK_EQ_STR(reparse(T_DOUBLE, "NaN"), "NaN");
    CHECK_EQ_STR(reparse(T_DOUBLE, "infinity"), "Infinity");
    CHECK_EQ_STR(reparse(T_DOUBLE, "-Infinity"), "-Infinity");
    CHECK_EQ_STR(reparse(T_DOUBLE, "-0"), "-0");
    CHECK_EQ_STR(reparse(T_DOUBLE, "100"), "100");
    CHECK_EQ_STR(reparse(T_DOUBLE, "1.7976931348623157e308"), "1.7976931348623157e+308");
    CHECK_EQ_STR(reparse(T_DOUBLE, "5e-324"), "5e-324");
    CHECK_EQ_STR(reparse(T_DOUBLE, "0.30000000000000004"), "0.30000000000000004");
    CHECK_EQ_STR(reparse(T_DOUBLE, "1e400"), "ERROR: \"1e400\" is out of range for type double precision");
    CHECK_EQ_STR(reparse(T_DOUBLE, "1e-400"), "ERROR: \"1e-400\" is out of range for type double precision");
    CHECK_EQ_STR(reparse(T_DOUBLE, "x1"), "ERROR: invalid input syntax for type double precision: \"x1\"");
    CHECK_EQ_STR(reparse(T_DOUBLE, "1e"), "ERROR: invalid input syntax for type double precision: \"1e\"");
    CHECK_EQ_STR(reparse(T_DOUBLE, ""), "ERROR: invalid input syntax for type double precision: \"\"");
}

TEST(cast_parse_boolean)
{
    const char *yes[] = {"t", "true", "TRUE", " yes ", "y", "on", "1", "tr", "ye"};
    const char *no[] = {"f", "false", "False", "no", "n", "off", "of", "0", "fal"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) CHECK_EQ_STR(reparse(T_BOOL, yes[i]), "true");
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) CHECK_EQ_STR(reparse(T_BOOL, no[i]), "false");
    CHECK_EQ_STR(reparse(T_BOOL, "o"), "ERROR: invalid input syntax for type boolean: \"o\"");
    CHECK_EQ_STR(reparse(T_BOOL, "truex"), "ERROR: invalid input syntax for type boolean: \"truex\"");
    CHECK_EQ_STR(reparse(T_BOOL, "2"), "ERROR: invalid input syntax for type boolean: \"2\"");
    CHECK_EQ_STR(reparse(T_BOOL, ""), "ERROR: invalid input syntax for type boolean: \"\"");
}

TEST(cast_parse_decimal_and_text)
{
    CHECK_EQ_STR(reparse(type_decimal(5, 2), "1.5"), "1.50");
    CHECK_EQ_STR(reparse(type_decimal(5, 2), "-1.005"), "-1.01");
    CHECK_EQ_STR(reparse(type_decimal(5, 2), "1234.5"),
                 "ERROR: numeric field overflow (a value of precision 5, scale 2 must round to an absolute value "
                 "less than 10^3)");
    CHECK_EQ_STR(reparse(type_decimal(5, 2), "abc"), "ERROR: invalid input syntax for type numeric: \"abc\"");
    CHECK_EQ_STR(reparse(type_decimal(38, 0), "99999999999999999999999999999999999999"),
                 "99999999999999999999999999999999999999");
    CHECK_EQ_STR(reparse(T_TEXT, "hello, a longer string"), "hello, a longer string");
    CHECK_EQ_STR(reparse(T_TEXT, ""), "");
}

TEST(cast_parse_datetime)
{
    CHECK_EQ_STR(reparse(T_DATE, "2024-01-31"), "2024-01-31");
    CHECK_EQ_STR(reparse(T_DATE, "2024-02-30"), "ERROR: date/time field value out of range: \"2024-02-30\"");
    CHECK_EQ_STR(reparse(T_DATE, "nope"), "ERROR: invalid input syntax for type date: \"nope\"");
    CHECK_EQ_STR(reparse(T_TS, "2024-01-31T12:34:56.500"), "2024-01-31 12:34:56.5");
    CHECK_EQ_STR(reparse(T_TS, "2024-01-31 12:34:56"), "2024-01-31 12:34:56");
    CHECK_EQ_STR(reparse(T_IV, "1 year 2 mons 3 days 04:05:06"), "1 year 2 mons 3 days 04:05:06");
    CHECK_EQ_STR(reparse(T_IV, "x"), "ERROR: invalid input syntax for type interval: \"x\"");
}

TEST(cast_catalogue)
{
    CHECK_EQ_INT(cast_kind(T_INT, T_BIGINT), CAST_IMPLICIT);
    CHECK_EQ_INT(cast_kind(T_BIGINT, T_INT), CAST_ASSIGNMENT);
    CHECK_EQ_INT(cast_kind(T_DOUBLE, type_decimal(10, 2)), CAST_ASSIGNMENT);
    CHECK_EQ_INT(cast_kind(type_decimal(10, 2), T_DOUBLE), CAST_IMPLICIT);
    CHECK_EQ_INT(cast_kind(T_TEXT, T_INT), CAST_EXPLICIT);
    CHECK_EQ_INT(cast_kind(T_INT, T_TEXT), CAST_ASSIGNMENT);
    CHECK_EQ_INT(cast_kind(T_BOOL, T_INT), CAST_EXPLICIT);
    CHECK_EQ_INT(cast_kind(T_BOOL, T_DOUBLE), CAST_NONE);
    CHECK_EQ_INT(cast_kind(T_DATE, T_TS), CAST_IMPLICIT);
    CHECK_EQ_INT(cast_kind(T_TS, T_DATE), CAST_ASSIGNMENT);
    CHECK_EQ_INT(cast_kind(T_IV, T_INT), CAST_NONE);
    CHECK_EQ_INT(cast_kind(type_make(TYPE_NULL), T_IV), CAST_IMPLICIT);
    CHECK_EQ_INT(cast_implicit_cost(T_INT, T_INT), 0);
    CHECK_EQ_INT(cast_implicit_cost(T_INT, T_BIGINT), 1);
    CHECK_EQ_INT(cast_implicit_cost(T_INT, type_decimal(10, 0)), 2);
    CHECK_EQ_INT(cast_implicit_cost(T_INT, T_DOUBLE), 3);
    CHECK_EQ_INT(cast_implicit_cost(T_BIGINT, T_INT), -1);
    CHECK_EQ_INT(cast_implicit_cost(T_TEXT, T_DATE), -1);
    CHECK_EQ_INT(cast_implicit_cost(type_make(TYPE_NULL), T_DATE), 0);
    CHECK(cast_implicit_cost(type_decimal(5, 2), T_DOUBLE) > 0);
}

TEST(cast_common_types)
{
    LogicalType t;
    CHECK(cast_common_type(T_INT, T_BIGINT, &t) && t.id == TYPE_BIGINT);
    CHECK(cast_common_type(T_INT, type_decimal(5, 2), &t) && t.id == TYPE_DECIMAL && t.precision == 12 &&
          t.scale == 2);
    CHECK(cast_common_type(type_decimal(5, 2), type_decimal(10, 4), &t) && t.precision == 10 && t.scale == 4);
    CHECK(cast_common_type(type_decimal(7, 1), type_decimal(5, 4), &t) && t.precision == 10 && t.scale == 4);
    CHECK(cast_common_type(type_decimal(5, 2), T_DOUBLE, &t) && t.id == TYPE_DOUBLE);
    CHECK(cast_common_type(type_make(TYPE_NULL), T_TEXT, &t) && t.id == TYPE_VARCHAR);
    CHECK(cast_common_type(T_DATE, T_TS, &t) && t.id == TYPE_TIMESTAMP);
    CHECK(!cast_common_type(T_TEXT, T_INT, &t));
    CHECK(!cast_common_type(T_BOOL, T_INT, &t));
    t = cast_decimal_for(T_INT);
    CHECK(t.precision == 10 && t.scale == 0);
    t = cast_decimal_for(T_BIGINT);
    CHECK(t.precision == 19 && t.scale == 0);
}

/* Cast one value given as text from type `from` to `to`, print the result. */
static const char *cast_one(LogicalType from, const char *text, LogicalType to)
{
    static char out[ERROR_MSG_MAX + 8];
    Vector a, b;
    vector_init(&a, from, 4);
    vector_init(&b, to, 4);
    Error err = ERROR_INIT;
    vector_set_null(&a, 1); /* row 1 NULL: must stay NULL and never raise */
    if (!cast_parse_text(text, strlen(text), &a, 0, &err) || !cast_vector(&a, &b, 2, &err)) {
        snprintf(out, sizeof out, "ERROR: %s", err.message);
    } else {
        StrBuf sb = STRBUF_INIT;
        cast_format_value(&b, 0, &sb);
        snprintf(out, sizeof out, "%s%s", strbuf_cstr(&sb), vector_is_valid(&b, 1) ? " (row 1 not NULL!)" : "");
        strbuf_free(&sb);
    }
    vector_destroy(&a);
    vector_destroy(&b);
    return out;
}

TEST(cast_vector_numeric)
{
    CHECK_EQ_STR(cast_one(type_decimal(10, 2), "2.50", T_INT), "3");
    CHECK_EQ_STR(cast_one(type_decimal(10, 2), "-2.50", T_INT), "-3");
    CHECK_EQ_STR(cast_one(type_decimal(10, 2), "2.49", T_BIGINT), "2");
    CHECK_EQ_STR(cast_one(T_DOUBLE, "2.5", T_INT), "2");
    CHECK_EQ_STR(cast_one(T_DOUBLE, "3.5", T_INT), "4");
    CHECK_EQ_STR(cast_one(T_DOUBLE, "-2.5", T_BIGINT), "-2");
    CHECK_EQ_STR(cast_one(T_DOUBLE, "3e9", T_INT), "ERROR: integer out of range");
    CHECK_EQ_STR(cast_one(T_DOUBLE, "NaN", T_INT), "ERROR: integer out of range");
    CHECK_EQ_STR(cast_one(T_DOUBLE, "1e19", T_BIGINT), "ERROR: bigint out of range");
    CHECK_EQ_STR(cast_one(T_BIGINT, "3000000000", T_INT), "ERROR: integer out of range");
    CHECK_EQ_STR(cast_one(T_BIGINT, "-2147483648", T_INT), "-2147483648");
    CHECK_EQ_STR(cast_one(T_INT, "7", type_decimal(5, 2)), "7.00");
    CHECK_EQ_STR(cast_one(T_INT, "1000", type_decimal(5, 2)),
                 "ERROR: numeric field overflow (a value of precision 5, scale 2 must round to an absolute value "
                 "less than 10^3)");
    CHECK_EQ_STR(cast_one(T_DOUBLE, "0.1", type_decimal(10, 4)), "0.1000");
    CHECK_EQ_STR(cast_one(T_DOUBLE, "2.675", type_decimal(10, 2)), "2.68");
    CHECK_EQ_STR(cast_one(T_DOUBLE, "Infinity", type_decimal(10, 2)),
                 "ERROR: numeric field overflow (a value of precision 10, scale 2 cannot hold an infinite value)");
    CHECK_EQ_STR(cast_one(type_decimal(10, 3), "1.235", type_decimal(5, 2)), "1.24");
    CHECK_EQ_STR(cast_one(type_decimal(10, 3), "1.5", T_DOUBLE), "1.5");
    CHECK_EQ_STR(cast_one(type_decimal(38, 10), "1234567890123456789012345678.0123456789", T_DOUBLE),
                 "1.2345678901234569e+27");
    CHECK_EQ_STR(cast_one(T_INT, "0", T_BOOL), "false");
    CHECK_EQ_STR(cast_one(T_INT, "-3", T_BOOL), "true");
    CHECK_EQ_STR(cast_one(T_BOOL, "true", T_INT), "1");
    CHECK_EQ_STR(cast_one(T_BIGINT, "9007199254740993", T_DOUBLE), "9.007199254740992e+15");
}

TEST(cast_vector_text_and_time)
{
    CHECK_EQ_STR(cast_one(T_TEXT, " 12 ", T_INT), "12");
    CHECK_EQ_STR(cast_one(T_TEXT, "x", T_INT), "ERROR: invalid input syntax for type integer: \"x\"");
    CHECK_EQ_STR(cast_one(T_DOUBLE, "0.1", T_TEXT), "0.1");
    CHECK_EQ_STR(cast_one(T_BOOL, "yes", T_TEXT), "true");
    CHECK_EQ_STR(cast_one(type_decimal(12, 2), "-0.5", T_TEXT), "-0.50");
    CHECK_EQ_STR(cast_one(T_TS, "2024-03-01 23:59:59.999", T_DATE), "2024-03-01");
    CHECK_EQ_STR(cast_one(T_TS, "1969-12-31 23:00", T_DATE), "1969-12-31");
    CHECK_EQ_STR(cast_one(T_DATE, "2024-03-01", T_TS), "2024-03-01 00:00:00");
    CHECK_EQ_STR(cast_one(T_DATE, "5874897-12-31", T_TS), "ERROR: date out of range for timestamp");
    CHECK_EQ_STR(cast_one(T_IV, "1 day", T_TEXT), "1 day");
    CHECK_EQ_STR(cast_one(T_IV, "1 day", T_INT), "ERROR: cannot cast type interval to integer");
    CHECK_EQ_STR(cast_one(T_TEXT, "2024-01-01", T_TEXT), "2024-01-01");
}

TEST(cast_vector_null_source)
{
    Vector a, b;
    vector_init(&a, type_make(TYPE_NULL), 8);
    vector_init(&b, T_INT, 8);
    Error err = ERROR_INIT;
    CHECK(cast_vector(&a, &b, 8, &err));
    bool all_null = true;
    for (uint32_t i = 0; i < 8; i++) all_null = all_null && !vector_is_valid(&b, i);
    CHECK(all_null);
    vector_destroy(&a);
    vector_destroy(&b);
}
