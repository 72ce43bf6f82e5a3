/* Unit tests of types/decimal: parsing, printing, rounding, rescaling,
 * checked arithmetic across the 64/128-bit boundary, comparison, conversion
 * and result types. */
#include <stdio.h>
#include <string.h>

#include "types/decimal.h"
#include "unit.h"

/* Parse into DECIMAL(p,s) and print back, or "ERROR: message". */
static const char *dec_text(const char *s, int p, int sc)
{
    static char out[2][ERROR_MSG_MAX + 8];
    static int which;
    char *o = out[which++ & 1];
    kiln_int128 v;
    Error err = ERROR_INIT;
    if (!decimal_parse(s, strlen(s), p, sc, &v, &err)) snprintf(o, ERROR_MSG_MAX + 8, "ERROR: %s", err.message);
    else decimal_format(v, sc, o);
    return o;
}

static kiln_int128 dec(const char *s, int p, int sc)
{
    kiln_int128 v = 0;
    Error err = ERROR_INIT;
    decimal_parse(s, strlen(s), p, sc, &v, &err);
    return v;
}

static const char *fmt(kiln_int128 v, int scale)
{
    static char buf[DECIMAL_TEXT_MAX];
    decimal_format(v, scale, buf);
    return buf;
}

TEST(decimal_parse_and_format)
{
    CHECK_EQ_STR(dec_text("1.5", 5, 2), "1.50");
    CHECK_EQ_STR(dec_text("  -1.50e3 ", 10, 2), "-1500.00");
    CHECK_EQ_STR(dec_text(".5", 5, 2), "0.50");
    CHECK_EQ_STR(dec_text("5.", 5, 2), "5.00");
    CHECK_EQ_STR(dec_text("-.05", 5, 2), "-0.05");
    CHECK_EQ_STR(dec_text("+7", 5, 0), "7");
    CHECK_EQ_STR(dec_text("0.000", 5, 2), "0.00");
    CHECK_EQ_STR(dec_text("-0.001", 5, 2), "0.00");
    CHECK_EQ_STR(dec_text("000123.4500", 9, 4), "123.4500");
    CHECK_EQ_STR(dec_text("1e-2", 5, 3), "0.010");
    CHECK_EQ_STR(dec_text("12345678901234567890.123456789012345678", 38, 18),
                 "12345678901234567890.123456789012345678");
    CHECK_EQ_STR(dec_text("-99999999999999999999999999999999999999", 38, 0),
                 "-99999999999999999999999999999999999999");
    CHECK_EQ_STR(dec_text("x", 5, 2), "ERROR: invalid input syntax for type numeric: \"x\"");
    CHECK_EQ_STR(dec_text(".", 5, 2), "ERROR: invalid input syntax for type numeric: \".\"");
    CHECK_EQ_STR(dec_text("1e", 5, 2), "ERROR: invalid input syntax for type numeric: \"1e\"");
    CHECK_EQ_STR(dec_text("1.2.3", 5, 2), "ERROR: invalid input syntax for type numeric: \"1.2.3\"");
    CHECK_EQ_STR(dec_text("", 5, 2), "ERROR: invalid input syntax for type numeric: \"\"");
    CHECK_EQ_STR(dec_text("- 1", 5, 2), "ERROR: invalid input syntax for type numeric: \"- 1\"");
}

TEST(decimal_parse_rounds_half_away_from_zero)
{
    CHECK_EQ_STR(dec_text("1.005", 10, 2), "1.01");
    CHECK_EQ_STR(dec_text("-1.005", 10, 2), "-1.01");
    CHECK_EQ_STR(dec_text("1.0049999", 10, 2), "1.00");
    CHECK_EQ_STR(dec_text("2.5", 5, 0), "3");
    CHECK_EQ_STR(dec_text("-2.5", 5, 0), "-3");
    CHECK_EQ_STR(dec_text("0.5", 5, 0), "1");
    CHECK_EQ_STR(dec_text("0.4999999999999999999999999999999999999999999", 5, 0), "0");
}

TEST(decimal_overflow_messages)
{
    CHECK_EQ_STR(dec_text("12345.678", 5, 2),
                 "ERROR: numeric field overflow (a value of precision 5, scale 2 must round to an absolute value "
                 "less than 10^3)");
    CHECK_EQ_STR(dec_text("999.995", 5, 2),
                 "ERROR: numeric field overflow (a value of precision 5, scale 2 must round to an absolute value "
                 "less than 10^3)");
    CHECK_EQ_STR(dec_text("999.994", 5, 2), "999.99");
    CHECK_EQ_STR(dec_text("1", 2, 2),
                 "ERROR: numeric field overflow (a value of precision 2, scale 2 must round to an absolute value "
                 "less than 1)");
    CHECK_EQ_STR(dec_text("100000000000000000000000000000000000000", 38, 0),
                 "ERROR: numeric field overflow (a value of precision 38, scale 0 must round to an absolute value "
                 "less than 10^38)");
    CHECK(strncmp(dec_text("1e100000000", 38, 0), "ERROR: numeric field overflow", 29) == 0);
    CHECK_EQ_STR(dec_text("1e-100000000", 38, 0), "0");
}

TEST(decimal_rescale_and_round)
{
    kiln_int128 r;
    Error err = ERROR_INIT;
    CHECK(decimal_rescale(dec("1.235", 10, 3), 3, 2, 10, &r, &err) && r == 124);
    CHECK(decimal_rescale(dec("-1.235", 10, 3), 3, 2, 10, &r, &err) && r == -124);
    CHECK(decimal_rescale(dec("1.5", 10, 1), 1, 4, 10, &r, &err) && r == 15000);
    CHECK(!decimal_rescale(dec("123.4", 10, 1), 1, 3, 5, &r, &err));
    CHECK(strstr(err.message, "numeric field overflow") != NULL);
    CHECK_EQ_INT((long long)decimal_round_div_pow10(15, 1), 2);
    CHECK_EQ_INT((long long)decimal_round_div_pow10(-15, 1), -2);
    CHECK_EQ_INT((long long)decimal_round_div_pow10(14, 1), 1);
    CHECK_EQ_INT((long long)decimal_round_div_pow10(123, 0), 123);
    CHECK(decimal_round_div_pow10(decimal_pow10(38) - 1, 38) == 1);
    CHECK(decimal_pow10(0) == 1 && decimal_pow10(18) == (kiln_int128)1000000000000000000LL);
    CHECK(decimal_pow10(38) / decimal_pow10(20) == decimal_pow10(18));
    CHECK(decimal_fits(decimal_pow10(5) - 1, 5) && !decimal_fits(decimal_pow10(5), 5));
    CHECK(!decimal_fits(-decimal_pow10(5), 5));
}

TEST(decimal_arithmetic)
{
    kiln_int128 r;
    Error err = ERROR_INIT;
    CHECK(decimal_add(150, 275, 5, 2, &r, &err) && r == 425);
    CHECK(!decimal_add(99999, 1, 5, 2, &r, &err));
    CHECK(decimal_sub(-99998, 1, 5, 2, &r, &err) && r == -99999);
    CHECK(!decimal_sub(-99999, 1, 5, 2, &r, &err));
    /* 1.5 * 2.25 = 3.375 */
    CHECK(decimal_mul(15, 1, 225, 2, 10, 3, &r, &err) && r == 3375);
    /* rounded to 2 places: 3.38; negative rounds away from zero */
    CHECK(decimal_mul(15, 1, 225, 2, 10, 2, &r, &err) && r == 338);
    CHECK(decimal_mul(-15, 1, 225, 2, 10, 2, &r, &err) && r == -338);
    /* 38-digit operands through the 256-bit path */
    kiln_int128 big = dec("12345678901234567890.12345678", 38, 8);
    CHECK(decimal_mul(big, 8, dec("0.00000001", 38, 8), 8, 38, 16, &r, &err));
    CHECK_EQ_STR(fmt(r, 16), "123456789012.3456789012345678");
    CHECK(decimal_mul(big, 8, dec("-0.00000001", 38, 8), 8, 38, 9, &r, &err));
    CHECK_EQ_STR(fmt(r, 9), "-123456789012.345678901");
    CHECK(decimal_mul(big, 8, dec("0.00000005", 38, 8), 8, 38, 1, &r, &err));
    CHECK_EQ_STR(fmt(r, 1), "617283945061.7");
    CHECK(!decimal_mul(big, 8, big, 8, 38, 16, &r, &err));
    CHECK(strstr(err.message, "numeric field overflow") != NULL);
    /* division: 1/3 = 0.333333, 2/3 = 0.666667, -2/3 = -0.666667 */
    CHECK(decimal_div(1, 0, 3, 0, 20, 6, &r, &err));
    CHECK_EQ_STR(fmt(r, 6), "0.333333");
    CHECK(decimal_div(2, 0, 3, 0, 20, 6, &r, &err));
    CHECK_EQ_STR(fmt(r, 6), "0.666667");
    CHECK(decimal_div(-2, 0, 3, 0, 20, 6, &r, &err));
    CHECK_EQ_STR(fmt(r, 6), "-0.666667");
    CHECK(decimal_div(dec("10.00", 5, 2), 2, dec("4", 5, 0), 0, 20, 6, &r, &err));
    CHECK_EQ_STR(fmt(r, 6), "2.500000");
    CHECK(decimal_div(dec("99999999999999999999999999999999999999", 38, 0), 0, 7, 0, 38, 0, &r, &err));
    CHECK_EQ_STR(fmt(r, 0), "14285714285714285714285714285714285714");
    CHECK(decimal_div(dec("9999999999999999999999999999.9999999999", 38, 10), 10,
                      dec("3.0000000000", 38, 10), 10, 38, 10, &r, &err));
    CHECK_EQ_STR(fmt(r, 10), "3333333333333333333333333333.3333333333");
    CHECK(!decimal_div(1, 0, 0, 0, 20, 6, &r, &err));
    CHECK_EQ_STR(err.message, "division by zero");
    CHECK(!decimal_div(dec("99999999999999999999999999999999999999", 38, 0), 0, 1, 6, 38, 6, &r, &err));
    /* modulo keeps the dividend's sign: 7.5 % 2 = 1.5, -7.5 % 2 = -1.5 */
    CHECK(decimal_mod(75, 1, 2, 0, 10, 1, &r, &err) && r == 15);
    CHECK(decimal_mod(-75, 1, 2, 0, 10, 1, &r, &err) && r == -15);
    CHECK(!decimal_mod(75, 1, 0, 0, 10, 1, &r, &err));
}

TEST(decimal_compare_across_scales)
{
    CHECK_EQ_INT(decimal_compare(150, 2, 15, 1), 0);
    CHECK_EQ_INT(decimal_compare(151, 2, 15, 1), 1);
    CHECK_EQ_INT(decimal_compare(-151, 2, -15, 1), -1);
    CHECK_EQ_INT(decimal_compare(dec("99999999999999999999999999999999999999", 38, 0), 0, 1, 30), 1);
    CHECK_EQ_INT(decimal_compare(1, 30, dec("-99999999999999999999999999999999999999", 38, 0), 0), 1);
    CHECK_EQ_INT(decimal_compare(dec("-99999999999999999999999999999999999999", 38, 0), 0, 5, 37), -1);
}

TEST(decimal_conversions)
{
    kiln_int128 r;
    int64_t i;
    Error err = ERROR_INIT;
    CHECK(decimal_from_int64(INT64_MIN, 38, 2, &r, &err));
    CHECK_EQ_STR(fmt(r, 2), "-9223372036854775808.00");
    CHECK(!decimal_from_int64(1000, 5, 2, &r, &err));
    CHECK(decimal_to_int64(250, 2, INT32_MIN, INT32_MAX, &i) && i == 3);
    CHECK(decimal_to_int64(-250, 2, INT32_MIN, INT32_MAX, &i) && i == -3);
    CHECK(decimal_to_int64(249, 2, INT32_MIN, INT32_MAX, &i) && i == 2);
    CHECK(!decimal_to_int64(dec("2147483647.5", 20, 1), 1, INT32_MIN, INT32_MAX, &i));
    CHECK(decimal_to_int64(dec("-2147483648.4", 20, 1), 1, INT32_MIN, INT32_MAX, &i) && i == INT32_MIN);
    CHECK(decimal_from_double(0.1, 10, 4, &r, &err));
    CHECK_EQ_STR(fmt(r, 4), "0.1000");
    CHECK(decimal_from_double(2.675, 10, 2, &r, &err));
    CHECK_EQ_STR(fmt(r, 2), "2.68");
    CHECK(decimal_from_double(-1e20, 38, 0, &r, &err));
    CHECK_EQ_STR(fmt(r, 0), "-100000000000000000000");
    CHECK(!decimal_from_double(1.0 / 0.0, 10, 2, &r, &err));
    CHECK_EQ_STR(err.message,
                 "numeric field overflow (a value of precision 10, scale 2 cannot hold an infinite value)");
    CHECK(!decimal_from_double(0.0 / 0.0, 10, 2, &r, &err));
    CHECK_EQ_STR(err.message, "cannot convert NaN to numeric");
    CHECK(decimal_to_double(15, 1) == 1.5);
    CHECK(decimal_to_double(-1, 2) == -0.01);
    CHECK(decimal_to_double(dec("12345678901234567890.123456789", 38, 9), 9) == 12345678901234567890.123456789);
}

TEST(decimal_result_types)
{
    LogicalType t = decimal_result_type(DECIMAL_OP_ADD, type_decimal(5, 2), type_decimal(7, 4));
    CHECK(t.precision == 8 && t.scale == 4);
    t = decimal_result_type(DECIMAL_OP_MUL, type_decimal(5, 2), type_decimal(7, 4));
    CHECK(t.precision == 12 && t.scale == 6);
    t = decimal_result_type(DECIMAL_OP_MUL, type_decimal(30, 10), type_decimal(30, 10));
    CHECK(t.precision == 38 && t.scale == 20);
    t = decimal_result_type(DECIMAL_OP_DIV, type_decimal(10, 2), type_decimal(5, 0));
    CHECK(t.precision == 14 && t.scale == 6);
    t = decimal_result_type(DECIMAL_OP_ADD, type_decimal(38, 0), type_decimal(38, 10));
    CHECK(t.precision == 38 && t.scale == 10);
    t = decimal_result_type(DECIMAL_OP_MOD, type_decimal(10, 2), type_decimal(5, 0));
    CHECK(t.precision == 7 && t.scale == 2);
}

TEST(decimal_pow10_table)
{
    /* the constant table against repeated multiplication, and its clamping */
    kiln_int128 p = 1;
    for (int i = 0; i <= DECIMAL_MAX_PRECISION; i++) {
        CHECK(decimal_pow10(i) == p);
        if (i < DECIMAL_MAX_PRECISION) p *= 10;
    }
    CHECK_EQ_STR(fmt(decimal_pow10(38), 0), "100000000000000000000000000000000000000");
    CHECK(decimal_pow10(-3) == 1);
    CHECK(decimal_pow10(40) == decimal_pow10(38));
    CHECK(decimal_fits(decimal_pow10(38) - 1, 38));
    CHECK(!decimal_fits(decimal_pow10(18), 18));
    CHECK(decimal_fits(-(decimal_pow10(18) - 1), 18));
}

TEST(decimal_parse_simple_and_general_paths_agree)
{
    /* inputs the one-pass parser takes, and their neighbours it hands to the general path */
    CHECK_EQ_STR(dec_text("123456789012345678", 18, 0), "123456789012345678");
    CHECK_EQ_STR(dec_text("1234567890123456789", 19, 0), "1234567890123456789");
    CHECK_EQ_STR(dec_text("-1234567890123456.78", 18, 2), "-1234567890123456.78");
    CHECK_EQ_STR(dec_text("5.", 5, 2), "5.00");
    CHECK_EQ_STR(dec_text("+.5", 5, 2), "0.50");
    CHECK_EQ_STR(dec_text("-0.00", 5, 2), "0.00");
    CHECK_EQ_STR(dec_text("1.235", 5, 2), "1.24");
    CHECK_EQ_STR(dec_text("-1.235", 5, 2), "-1.24");
    CHECK_EQ_STR(dec_text("99.99", 4, 2), "99.99");
    CHECK_EQ_STR(dec_text(" 7.5 ", 4, 2), "7.50");
    CHECK_EQ_STR(dec_text("1e2", 5, 0), "100");
    CHECK_EQ_STR(dec_text("12", 38, 37), "ERROR: numeric field overflow (a value of precision 38, scale 37 must round to an "
                                         "absolute value less than 10^1)");
    CHECK_EQ_STR(dec_text("1", 38, 37), "1.0000000000000000000000000000000000000");
    CHECK_EQ_STR(dec_text("100.00", 4, 2), "ERROR: numeric field overflow (a value of precision 4, scale 2 must round to an "
                                           "absolute value less than 10^2)");
    CHECK_EQ_STR(dec_text("-", 4, 2), "ERROR: invalid input syntax for type numeric: \"-\"");
    CHECK_EQ_STR(dec_text(".", 4, 2), "ERROR: invalid input syntax for type numeric: \".\"");
    CHECK_EQ_STR(dec_text("1.2.3", 4, 2), "ERROR: invalid input syntax for type numeric: \"1.2.3\"");
    CHECK_EQ_STR(dec_text("", 4, 2), "ERROR: invalid input syntax for type numeric: \"\"");
}
