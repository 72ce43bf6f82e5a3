/* Unit tests of the warehouse loads' shared parts: the binary COPY encoding
 * of values (numeric's base-10000 digits, dates and timestamps from
 * PostgreSQL's 2000-01-01 epoch, NULL), and which COPY targets name a
 * database table ('<connection>:<table>') rather than a file. */
#include <string.h>

#include "common/mem.h"
#include "common/strbuf.h"
#include "connectors/pg_copy_binary.h"
#include "sql/copy_warehouse.h"
#include "types/decimal.h"
#include "unit.h"

/* The bytes of one field (after the row's field count) for value x of a
 * one-column batch, as hex. */
static void encode_one(Vector *v, char *hex, size_t cap)
{
    Batch b;
    batch_init_borrowed(&b, 1);
    b.cols[0] = v;
    b.count = 1;
    StrBuf sb = STRBUF_INIT;
    Error err = {0};
    char *names[] = {"c"};
    CHECK(pg_copy_binary_rows(&sb, &b, names, &err));
    size_t k = 0;
    for (size_t i = 2; i < sb.len && k + 3 < cap; i++) k += (size_t)snprintf(hex + k, cap - k, "%02x", (unsigned char)sb.data[i]);
    hex[k] = '\0';
    strbuf_free(&sb);
    batch_destroy(&b);
}

static void check_numeric(const char *text, int precision, int scale, const char *expected)
{
    Vector *v = vector_new(type_decimal(precision, scale), VECTOR_CAPACITY);
    kiln_int128 x;
    Error err = {0};
    CHECK(decimal_parse(text, strlen(text), precision, scale, &x, &err));
    decimal_store(v, 0, x);
    vector_set_valid(v, 0);
    char hex[256];
    encode_one(v, hex, sizeof hex);
    CHECK_EQ_STR(hex, expected);
    vector_free(v);
}

TEST(pg_copy_binary_numeric)
{
    /* length, ndigits, weight, sign, dscale, digits */
    check_numeric("0", 10, 2, "00000008" "0000" "0000" "0000" "0002");
    check_numeric("12345.67", 10, 2, "0000000e" "0003" "0001" "0000" "0002" "0001" "0929" "1a2c");
    check_numeric("-1.50", 10, 2, "0000000c" "0002" "0000" "4000" "0002" "0001" "1388");
    check_numeric("-0.0000000001", 38, 10, "0000000a" "0001" "fffd" "4000" "000a" "0064");
    check_numeric("10000", 18, 0, "0000000a" "0001" "0001" "0000" "0000" "0001");
    check_numeric("99999999999999999999999999999999999999", 38, 0,
                  "0000001c" "000a" "0009" "0000" "0000" "0063" "270f" "270f" "270f" "270f" "270f" "270f" "270f" "270f" "270f");
}

TEST(pg_copy_binary_dates_and_nulls)
{
    Vector *v = vector_new(type_make(TYPE_DATE), VECTOR_CAPACITY);
    VEC_DATA(v, int32_t)[0] = 10957; /* 2000-01-01 */
    vector_set_valid(v, 0);
    char hex[64];
    encode_one(v, hex, sizeof hex);
    CHECK_EQ_STR(hex, "00000004" "00000000");
    vector_set_null(v, 0);
    encode_one(v, hex, sizeof hex);
    CHECK_EQ_STR(hex, "ffffffff");
    vector_free(v);
    v = vector_new(type_make(TYPE_TIMESTAMP), VECTOR_CAPACITY);
    VEC_DATA(v, int64_t)[0] = 0; /* 1970-01-01: 10957 days before PostgreSQL's epoch */
    vector_set_valid(v, 0);
    encode_one(v, hex, sizeof hex);
    CHECK_EQ_STR(hex, "00000008" "fffca2fec4c82000");
    vector_free(v);
}

TEST(copy_warehouse_targets)
{
    CHECK(copy_warehouse_is_target("warehouse:t", NULL, NULL, 0));
    CHECK(copy_warehouse_is_target("dw:daily", NULL, NULL, 0));
    CHECK(copy_warehouse_is_target("dw:reporting.daily", NULL, NULL, 0));
    CHECK(!copy_warehouse_is_target("out:file.csv", NULL, NULL, 0));
    CHECK(!copy_warehouse_is_target("out:part.parquet", NULL, NULL, 0));
    CHECK(!copy_warehouse_is_target("s3://bucket/key", NULL, NULL, 0));
    CHECK(!copy_warehouse_is_target("s3:key", NULL, NULL, 0));
    CHECK(!copy_warehouse_is_target("file:out", NULL, NULL, 0));
    CHECK(!copy_warehouse_is_target("lake:orders", NULL, NULL, 0));
    CHECK(!copy_warehouse_is_target("C:/data/out.csv", NULL, NULL, 0));
    CHECK(!copy_warehouse_is_target("C:out", NULL, NULL, 0));
    CHECK(!copy_warehouse_is_target("./dw:daily", NULL, NULL, 0));
    CHECK(!copy_warehouse_is_target("dw:a/b", NULL, NULL, 0));
    CHECK(!copy_warehouse_is_target("dw:a.b.c", NULL, NULL, 0));
    CHECK(!copy_warehouse_is_target("plain.csv", NULL, NULL, 0));
    CHECK(!copy_warehouse_is_target(NULL, NULL, NULL, 0));
    SqlOption format = {0};
    format.name = "format";
    CHECK(!copy_warehouse_is_target("dw:daily", NULL, &format, 1));
}
