#!/usr/bin/env bash
# test_postgres_pushdown.sh: filter pushdown into read_postgres's remote
# query, against a real PostgreSQL server (pg_server.sh).  Every query is
# run twice, with the filter pushed and with SET remote_filter_pushdown =
# false, and must return exactly the same rows: string ranges with mixed
# case and accents on a column under an ICU (en-US) collation and a
# case-insensitive nondeterministic one, NaN and infinities, numeric
# precision, timestamptz with a non-UTC server time zone, NULLs, NOT,
# OR, IN / NOT IN, LIKE, and a parallel read.  EXPLAIN and the server's
# statement log show the WHERE clause actually sent.
set -u
KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
. tests/integration/pg_server.sh
pg_start
rc=$?
[ $rc -eq 77 ] && { echo "SKIP: no PostgreSQL server installed"; exit 0; }
[ $rc -eq 0 ] || { echo "FAIL: could not start PostgreSQL"; exit 1; }
work=$PG_DIR/work
mkdir -p "$work"
export HOME=$work
. tests/integration/checks.sh

kq() { PGPASSWORD=$PG_PASSWORD "$KILN" query --format csv "$@" 2>&1; }

# An ICU collation when the server has ICU (Debian's has), else the C one
# (documented in docs/databases.md: the ICU cases then test nothing more).
icu=$($PSQL -tAc "SELECT count(*) FROM pg_collation WHERE collname = 'en-US-x-icu'")
if [ "$icu" = "1" ]; then
    $PSQL -c "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)" || exit 1
    coll='COLLATE "en-US-x-icu"'
    cicoll='COLLATE ci'
    echo "ICU collations: en-US-x-icu and a nondeterministic case-insensitive one"
else
    coll=''
    cicoll=''
    echo "NOTE: no ICU collations on this server; string columns use the C collation"
fi

$PSQL <<SQL || { echo "FAIL: setting up tables"; exit 1; }
ALTER DATABASE postgres SET timezone = 'America/New_York';
ALTER SYSTEM SET log_statement = 'all';
SELECT pg_reload_conf();
CREATE TABLE t (id int4, s text $coll, ci varchar(10) $cicoll, f float8, r float4, n numeric(10,2), nu numeric,
                d date, ts timestamp, tz timestamptz, b bool, u uuid, q text);
INSERT INTO t VALUES
 (1, 'a', 'a', 1.0, 0.1, 1.00, 1.00000000001, '2024-01-01', '2024-01-01 00:00:00', '2024-07-01 12:00:00-04', true, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'it''s'),
 (2, 'B', 'A', 'NaN', 'NaN', 1.01, 1, '2024-12-31', '2024-06-30 23:59:59.999999', '2024-07-01 16:00:00+00', false, NULL, 'a\\b'),
 (3, 'b', 'á', 'Infinity', 0.5, -1.00, NULL, '1999-12-31', '2025-01-01 00:00:00', '2024-07-01 15:59:59.999999+00', NULL, NULL, 'ab%'),
 (4, 'A', 'B', '-Infinity', -0.1, 99999999.99, 2.5, NULL, NULL, NULL, true, NULL, NULL),
 (5, 'é', 'b', 0, 0, 0, 0, '0044-03-15 BC', '2000-01-01 12:00:00', '1970-01-01 00:00:00+00', false, NULL, 'abc'),
 (6, 'E', 'e', -0.0, 1e30, 0.01, -7, '2024-02-29', '2024-02-29 12:00:00', '2024-02-29 12:00:00+00', true, NULL, ''),
 (7, 'e', 'É', 2.5, 2.5, 2.50, 2.5, '2024-03-01', '2024-03-01 00:00:00', '2024-03-01 00:00:00+00', NULL, NULL, 'a'),
 (8, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'Z'),
 (9, 'Z', 'z', 3, 3, 3, 3, '2024-01-15', '2024-01-15 08:30:00', '2024-01-15 08:30:00+00', false, NULL, 'zz'),
 (10, 'ä', 'Ä', -5, -5, -5, -5, '2024-01-16', '2024-01-16 08:30:00', '2024-01-16 08:30:00+00', true, NULL, 'a b');
SQL

src="read_postgres('$PG_URL', 't')"

# same NAME WHERE: the rows of the filtered read, pushed and not, must match.
same() {
    local q="SELECT id FROM $src WHERE $2 ORDER BY id"
    local pushed unpushed
    pushed=$(kq "$q")
    unpushed=$(kq "SET remote_filter_pushdown = false; $q")
    [ "$(printf '%s\n' "$pushed" | head -1)" = id ] || { fail "$1: $pushed"; return; }
    expect "$1 (pushed = not pushed)" "$unpushed" "$pushed"
    [ -n "${3:-}" ] && expect "$1 (rows)" "$3" "$(printf '%s\n' "$pushed" | tail -n +2 | tr '\n' ' ' | sed 's/ $//')"
}

same "text < under en-US" "s < 'b'" "1 2 4 6 9"
same "text >= under en-US" "s >= 'B'" "1 2 3 5 6 7 9 10"
same "text BETWEEN mixed case" "s BETWEEN 'B' AND 'a'" "1 2 6 9"
same "text <> " "s <> 'b'" "1 2 4 5 6 7 9 10"
same "text > accented" "s > 'e'" "5 10"
same "nondeterministic ci =" "ci = 'a'" "1"
same "nondeterministic ci <>" "ci <> 'a'" "2 3 4 5 6 7 9 10"
same "nondeterministic ci IN" "ci IN ('A', 'b')" "2 5"
same "nondeterministic ci NOT IN" "ci NOT IN ('A', 'b')" "1 3 4 6 7 9 10"
same "ci range" "ci < 'a'" "2 4"
same "LIKE prefix" "q LIKE 'a%'" "2 3 5 7 10"
same "LIKE with backslash (not pushed)" "q LIKE 'a\\\\%'" "2"
same "quote in a string" "q = 'it''s'" "1"
same "backslash in a string" "q = 'a\\b'" "2"
same "unicode string" "s IN ('é', 'ä')" "5 10"
same "NaN above every number" "f > 1e308" "2 3"
same "= NaN" "f = 'NaN'" "2"
same "< NaN" "f < 'NaN'::double" "1 3 4 5 6 7 9 10"
same "float4 against a double" "r > 0.1" "1 2 3 6 7 9"
same "float4 =" "r = 0.5" "3"
same "-0 = 0" "f = 0" "5 6"
same "numeric precision of the constant" "n = 1.005" ""
same "numeric >" "n > 1.00" "2 4 7 9"
same "numeric without typmod (rounded by kiln)" "nu = 1" "1 2"
same "date BETWEEN" "d BETWEEN '2024-01-01' AND '2024-02-29'" "1 6 9 10"
same "BC date" "d < '0001-01-01'" "5"
same "date against a timestamp" "d < TIMESTAMP '2024-01-01 00:00:01'" "1 3 5"
same "timestamp microseconds" "ts > '2024-06-30 23:59:59.999998'" "2 3"
same "timestamptz in UTC (server in New York)" "tz >= '2024-07-01 16:00:00'" "1 2"
same "timestamptz <" "tz < '2024-07-01 16:00:00'" "3 5 6 7 9 10"
same "boolean column" "b" "1 4 6 10"
same "NOT boolean" "NOT b" "2 5 9"
same "IS NULL" "s IS NULL" "8"
same "IS NOT NULL and IS NULL of a boolean" "s IS NOT NULL AND b IS NULL" "3 7"
same "IN with NULL" "id IN (1, 3, NULL)" "1 3"
same "NOT IN" "id NOT IN (1, 3)" "2 4 5 6 7 8 9 10"
same "NOT IN with NULL" "id NOT IN (1, NULL)" ""
same "OR of pushable parts" "id = 1 OR s = 'Z'" "1 9"
same "OR with an unpushable part" "id = 1 OR u = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'" "1"
same "NOT of a comparison" "NOT (s < 'b')" "3 5 7 10"
same "NOT of collated equality" "NOT (ci = 'a')" "2 3 4 5 6 7 9 10"
same "comparison the other way round" "'b' > s" "1 2 4 6 9"
same "integer widened to numeric" "id > 2.5 AND id < 5" "3 4"
same "function of a column (not pushed)" "lower(s) = 'b'" "2 3"
same "cast column (not pushed)" "id::text = '7'" "7"

# a parallel read: each partition's range ANDed with the pushed filter
par="read_postgres('$PG_URL', 't', partition_column => 'id', lower_bound => 1, upper_bound => 10, num_partitions => 3)"
q="SELECT id FROM $par WHERE s < 'b' AND f IS NOT NULL ORDER BY id"
expect "parallel read with pushdown" "$(kq "SET remote_filter_pushdown = false; $q")" "$(kq "$q")"
expect_has "parallel EXPLAIN shows WHERE and partitions" \
    "WHERE \"s\" < 'b' COLLATE \"C\" AND \"f\" IS NOT NULL partitions=3:" \
    "$(PGPASSWORD=$PG_PASSWORD "$KILN" query "EXPLAIN $q" 2>&1)"

# EXPLAIN shows the remote WHERE, and no password
plan=$(PGPASSWORD=$PG_PASSWORD "$KILN" query "EXPLAIN SELECT id FROM read_postgres('$PG_URL_PW', 't') WHERE s >= 'B' AND tz < '2024-07-01 16:00:00' AND q = 'it''s'" 2>&1)
expect_has "EXPLAIN shows the WHERE" \
    "WHERE \"s\" >= 'B' COLLATE \"C\" AND \"tz\" < '2024-07-01 16:00:00+00'::timestamptz AND \"q\" = 'it''s'" "$plan"
case "$plan" in *"$PG_PASSWORD"*) fail "EXPLAIN shows the password" ;; *) echo "PASS: EXPLAIN without the password" ;; esac
plan=$(kq "SET remote_filter_pushdown = false; EXPLAIN SELECT id FROM $src WHERE s >= 'B'")
case "$plan" in *WHERE*) fail "remote_filter_pushdown = false still pushes: $plan" ;; *) echo "PASS: pushdown off: no WHERE" ;; esac
expect "SHOW remote_filter_pushdown" "$(printf 'remote_filter_pushdown\noff')" \
    "$(kq "SET remote_filter_pushdown = off; SHOW remote_filter_pushdown")"
expect_has "a bad value" 'requires a Boolean value' "$(kq "SET remote_filter_pushdown = 'maybe'")"

# the server received the WHERE (its statement log)
kq "SELECT count(*) FROM $src WHERE id = 9 AND s = 'Z'" >/dev/null
expect_has "the server ran the pushed query" \
    'WHERE "id" = 9 AND "s" = '"'Z'"') TO STDOUT (FORMAT binary)' \
    "$(cat "$PG_DIR/server.log" "$PG_DIR"/data/log/* 2>/dev/null)"

# numeric decoding (digit groups straight to DECIMAL): kiln's values equal
# PostgreSQL's own rounding, for random values, halves and extremes
$PSQL <<'SQL' || fail "setting up numbers"
CREATE TABLE nums AS
  SELECT g AS id, (random() * 10 ^ (g % 28) - 10 ^ (g % 25)) ::numeric * (CASE WHEN g % 3 = 0 THEN 1 ELSE -1 END) AS x,
         trunc((random() - 0.5) * 10 ^ 37)::numeric(38,0) AS y, (random() * 1000)::numeric(10,4) AS z
  FROM generate_series(1, 3000) AS g;
INSERT INTO nums VALUES (3001, 0.00000000005, 0, 0), (3002, -0.00000000005, 1, 0.0001),
  (3003, 0.000000000049999, -99999999999999999999999999999999999999, -999999.9999),
  (3004, 9999999999999999999999999999.99999999995, 99999999999999999999999999999999999999, 999999.9999),
  (3005, 12345.6789012, 10000, 1), (3006, 0, NULL, NULL), (3007, 1e-40, 0, 0), (3008, 100000000, 0, 0);
SQL
want=$($PSQL -tA -F, -c "SELECT id, round(x, 10), y, z FROM nums WHERE id <> 3004 ORDER BY id")
got=$(kq "SELECT id, x, y, z FROM read_postgres('$PG_URL', 'nums') WHERE id <> 3004 ORDER BY id" | tail -n +2)
expect "numeric decoding equals PostgreSQL's rounding" "$want" "$got"
expect_has "numeric rounding beyond DECIMAL(38,10) is refused" "numeric field overflow" \
    "$(kq "SELECT x FROM read_postgres('$PG_URL', 'nums') WHERE id = 3004")"

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
