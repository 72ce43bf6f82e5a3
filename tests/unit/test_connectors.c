/* Unit tests of the database connectors' pure parts: SQLite declared-type
 * mapping and the removal of passwords from PostgreSQL connection strings. */
#include "common/mem.h"
#include "connectors/postgres.h"
#include "connectors/sqlite.h"
#include "unit.h"

static bool maps_to(const char *decl, TypeId id, int precision, int scale)
{
    LogicalType t;
    if (!sqlite_map_declared_type(decl, &t)) return false;
    return t.id == id && (id != TYPE_DECIMAL || (t.precision == precision && t.scale == scale));
}

TEST(sqlite_declared_types_follow_affinity)
{
    CHECK(maps_to("INTEGER", TYPE_BIGINT, 0, 0));
    CHECK(maps_to("unsigned big int", TYPE_BIGINT, 0, 0));
    CHECK(maps_to("TINYINT", TYPE_BIGINT, 0, 0));
    CHECK(maps_to("BOOLEAN", TYPE_BOOLEAN, 0, 0));
    CHECK(maps_to("VARCHAR(20)", TYPE_VARCHAR, 0, 0));
    CHECK(maps_to("CLOB", TYPE_VARCHAR, 0, 0));
    CHECK(maps_to("REAL", TYPE_DOUBLE, 0, 0));
    CHECK(maps_to("double precision", TYPE_DOUBLE, 0, 0));
    CHECK(maps_to("FLOAT", TYPE_DOUBLE, 0, 0));
    CHECK(maps_to("NUMERIC(10,2)", TYPE_DECIMAL, 10, 2));
    CHECK(maps_to("decimal ( 38 , 10 )", TYPE_DECIMAL, 38, 10));
    CHECK(maps_to("decimal_text(30,5)", TYPE_DECIMAL, 30, 5));
    CHECK(maps_to("NUMERIC", TYPE_DECIMAL, DECIMAL_DEFAULT_PRECISION, DECIMAL_DEFAULT_SCALE));
    CHECK(maps_to("DATE", TYPE_DATE, 0, 0));
    CHECK(maps_to("DATETIME", TYPE_TIMESTAMP, 0, 0));
    CHECK(maps_to("timestamp", TYPE_TIMESTAMP, 0, 0));
    CHECK(maps_to("INTERVAL", TYPE_VARCHAR, 0, 0));
    CHECK(maps_to("BLOB", TYPE_VARCHAR, 0, 0));
    CHECK(maps_to("", TYPE_VARCHAR, 0, 0));
    CHECK(maps_to(NULL, TYPE_VARCHAR, 0, 0));
    CHECK(maps_to("MONEYISH", TYPE_VARCHAR, 0, 0));
    LogicalType t;
    CHECK(!sqlite_map_declared_type("NUMERIC(39,2)", &t));
    CHECK(!sqlite_map_declared_type("NUMERIC(5,6)", &t));
    CHECK(!sqlite_map_declared_type("NUMERIC(5", &t));
}

static void check_redacted(const char *in, const char *want)
{
    char *got = pg_redact_conninfo(in);
    CHECK_EQ_STR(got, want);
    mem_free(got);
}

TEST(postgres_conninfo_loses_its_password)
{
    check_redacted("postgresql://etl:s3cret@db:5432/shop", "postgresql://etl@db:5432/shop");
    check_redacted("postgresql://etl:s3:cr@t@db/shop?sslmode=require", "postgresql://etl@db/shop?sslmode=require");
    check_redacted("postgresql://etl@db/shop", "postgresql://etl@db/shop");
    check_redacted("postgresql://db/shop?user=etl&password=s3cret&sslmode=require",
                   "postgresql://db/shop?user=etl&password=***&sslmode=require");
    check_redacted("host=db password=s3cret dbname=shop", "host=db password=*** dbname=shop");
    check_redacted("host=db password = 'a b\\'c' dbname=shop", "host=db password = *** dbname=shop");
    check_redacted("host=db passwordx dbname=shop", "host=db passwordx dbname=shop");
    check_redacted("", "");
}
