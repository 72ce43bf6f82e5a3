#!/usr/bin/env bash
# test_postgres_source.sh: read_postgres against a real PostgreSQL server
# started for the test (pg_server.sh): type round trips with NULLs and
# extremes, projection pushdown, queries as sources, arrays refused,
# passwords from the URL / PGPASSWORD / ~/.pgpass, wrong password and
# unreachable server giving clear errors without the secret, and a load of
# PostgreSQL rows into the SQLite warehouse.
set -u
KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
. tests/integration/pg_server.sh
pg_start || { echo "FAIL: could not start PostgreSQL"; exit 1; }
work=$PG_DIR/work
mkdir -p "$work"
export HOME=$work # no ~/.pgpass of the machine's user interferes
failures=0

fail() {
    echo "FAIL: $1"
    failures=$((failures + 1))
}

# expect NAME EXPECTED ACTUAL
expect() {
    if [ "$2" != "$3" ]; then
        fail "$1"
        echo "--- expected"; printf '%s\n' "$2"
        echo "--- got"; printf '%s\n' "$3"
    else
        echo "PASS: $1"
    fi
}

kq() { PGPASSWORD=$PG_PASSWORD "$KILN" query --format csv "$@" 2>&1; }

$PSQL <<'SQL' || { echo "FAIL: setting up tables"; exit 1; }
SET timezone = 'America/New_York';
CREATE TABLE public.types (
    id int4, s2 int2, i4 int4, i8 int8, f4 float4, f8 float8,
    n numeric(10,2), nw numeric(38,10), nu numeric,
    t text, vc varchar(5), bc char(3), b bool,
    d date, ts timestamp, tz timestamptz, u uuid, j json, jb jsonb, iv interval, inet_col inet);
INSERT INTO types VALUES
 (1, 32767, 2147483647, 9223372036854775807, 1.5, 1.7976931348623157e308,
  99999999.99, 9999999999999999999999999999.9999999999, 12345.6789012,
  'héllo, "world"', 'abcde', 'ab', true,
  '5874897-12-31', '294246-12-31 23:59:59.999999', '2024-07-01 12:00:00-04', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  '{"a": [1, 2]}', '{"b": null}', '1 year 2 mons 3 days 04:05:06.5', '192.168.0.1/24'),
 (2, -32768, -2147483648, -9223372036854775808, -0.25, -2.2250738585072014e-308,
  -99999999.99, -0.0000000001, -0.00000000005,
  '', '', '', false,
  '4713-01-01 BC', '4713-01-01 00:00:00 BC', '1970-01-01 00:00:00+00', '00000000-0000-0000-0000-000000000000',
  '[]', '[]', '-1 days', '::1'),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
CREATE SCHEMA sales;
CREATE TABLE sales.orders (id int8, day date, amount numeric(12,2), note text);
INSERT INTO sales.orders SELECT g, date '2024-01-01' + (g % 10), g * 1.25, 'n' || g FROM generate_series(1, 5000) g;
CREATE TABLE arr (id int, tags text[]);
INSERT INTO arr VALUES (1, '{a,b}');
CREATE TABLE odd (id int, ts timestamp, fl float8);
INSERT INTO odd VALUES (1, 'infinity', 'NaN'), (2, '2024-01-01', 'Infinity');
SQL

out=$(kq "SELECT * FROM read_postgres('$PG_URL', 'public.types') ORDER BY id")
expected='id,s2,i4,i8,f4,f8,n,nw,nu,t,vc,bc,b,d,ts,tz,u,j,jb,iv,inet_col
1,32767,2147483647,9223372036854775807,1.5,1.7976931348623157e+308,99999999.99,9999999999999999999999999999.9999999999,12345.6789012000,"héllo, ""world""",abcde,ab ,true,5874897-12-31,294246-12-31 23:59:59.999999,2024-07-01 16:00:00,a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,"{""a"": [1, 2]}","{""b"": null}",1 year 2 mons 3 days 04:05:06.5,192.168.0.1/24
2,-32768,-2147483648,-9223372036854775808,-0.25,-2.2250738585072014e-308,-99999999.99,-0.0000000001,-0.0000000001,"","",   ,false,4713-01-01 BC,4713-01-01 00:00:00 BC,1970-01-01 00:00:00,00000000-0000-0000-0000-000000000000,[],[],-1 days,::1/128
3,,,,,,,,,,,,,,,,,,,,'
expect "every mapped type, NULLs and extremes" "$expected" "$out"

out=$(kq "SELECT pg_typeof(s2), pg_typeof(i8), pg_typeof(f4), pg_typeof(n), pg_typeof(t), pg_typeof(d), pg_typeof(ts), pg_typeof(tz), pg_typeof(iv), pg_typeof(inet_col) FROM read_postgres('$PG_URL', 'types') LIMIT 1")
expect "kiln types of the mapped columns" "pg_typeof,pg_typeof,pg_typeof,pg_typeof,pg_typeof,pg_typeof,pg_typeof,pg_typeof,pg_typeof,pg_typeof
integer,bigint,double precision,numeric,text,date,timestamp without time zone,timestamp without time zone,interval,text" "$out"

# projection pushdown: only the used columns are in the COPY's SELECT
out=$(PGPASSWORD=$PG_PASSWORD "$KILN" query "EXPLAIN SELECT sum(amount) FROM read_postgres('$PG_URL', 'sales.orders') WHERE day = '2024-01-03'" 2>&1)
case $out in
*'SELECT "day", "amount" FROM "sales"."orders"'*) echo "PASS: projection pushdown in EXPLAIN" ;;
*) fail "projection pushdown in EXPLAIN"; echo "$out" ;;
esac
out=$(kq "SELECT count(*), sum(amount) FROM read_postgres('$PG_URL', 'sales.orders') WHERE day = '2024-01-03'")
expect "aggregate over 5000 remote rows" $'count,sum\n500,1560625.00' "$out"
# a column kiln cannot hold (timestamp infinity) is not read unless it is used
out=$(kq "SELECT id, fl FROM read_postgres('$PG_URL', 'odd') ORDER BY id")
expect "unused columns are not fetched" $'id,fl\n1,NaN\n2,Infinity' "$out"
out=$(kq "SELECT * FROM read_postgres('$PG_URL', 'odd')")
case $out in
*'PostgreSQL table "odd", row 1, column "ts": timestamp infinity'*) echo "PASS: unconvertible value names table, row, column" ;;
*) fail "unconvertible value error"; echo "$out" ;;
esac
out=$(kq "SELECT count(*) FROM read_postgres('$PG_URL', 'sales.orders')")
expect "count(*) with no column" $'count\n5000' "$out"

# a query as the source
out=$(kq "SELECT * FROM read_postgres('$PG_URL', 'SELECT id, note FROM sales.orders WHERE id <= 3 ORDER BY id')")
expect "query source" $'id,note\n1,n1\n2,n2\n3,n3' "$out"

# arrays are refused, naming the column
out=$(kq "SELECT * FROM read_postgres('$PG_URL', 'arr')")
case $out in
*'column "tags" is an array (text[])'*) echo "PASS: arrays refused" ;;
*) fail "arrays refused"; echo "$out" ;;
esac
out=$(kq "SELECT * FROM read_postgres('$PG_URL', 'SELECT id, array_to_string(tags, '','') AS tags FROM arr')")
expect "arrays through a query" $'id,tags\n1,"a,b"' "$out"

# errors from the server
out=$(kq "SELECT * FROM read_postgres('$PG_URL', 'nosuch')")
case $out in *'relation "nosuch" does not exist'*) echo "PASS: missing table" ;; *) fail "missing table"; echo "$out" ;; esac

# parallel extraction (Spark JDBC options): exactly the rows of a serial read
$PSQL -c "CREATE TABLE pnull AS SELECT CASE WHEN g % 7 = 0 THEN NULL ELSE g END AS k, g AS v FROM generate_series(1, 3000) g;
          CREATE TABLE pbad (id int, ts timestamp); INSERT INTO pbad SELECT g, '2024-01-01' FROM generate_series(1, 3000) g;
          UPDATE pbad SET ts = 'infinity' WHERE id = 2900;" >/dev/null || fail "parallel setup"
serial=$(kq "SELECT * FROM read_postgres('$PG_URL', 'sales.orders') ORDER BY id")
for opts in "partition_column => 'id', lower_bound => 1, upper_bound => 5000, num_partitions => 4" \
            "partition_column => 'id', lower_bound => 100, upper_bound => 200, num_partitions => 3" \
            "partition_column => 'id', lower_bound => -5, upper_bound => 100000, num_partitions => 64" \
            "partition_column => 'day', lower_bound => '2024-01-01', upper_bound => '2024-01-10', num_partitions => 3"; do
    par=$(kq "SELECT * FROM read_postgres('$PG_URL', 'sales.orders', $opts) ORDER BY id")
    if [ "$par" = "$serial" ] && [ "$(printf '%s\n' "$par" | wc -l)" -eq 5001 ]; then
        echo "PASS: parallel read equals serial ($opts)"
    else
        fail "parallel read differs from serial ($opts)"
        printf '%s\n' "$par" | head -5
    fi
done
out=$(kq "SELECT count(*), count(k), sum(v) FROM read_postgres('$PG_URL', 'pnull', partition_column => 'k', lower_bound => 1, upper_bound => 3000, num_partitions => 5)")
expect "parallel read keeps NULL partition keys" $'count,count,sum\n3000,2572,4501500' "$out"
out=$(kq "SELECT sum(v) FROM read_postgres('$PG_URL', 'SELECT k AS kk, v FROM pnull WHERE v <= 100', partition_column => 'kk', lower_bound => 1, upper_bound => 100, num_partitions => 2)")
expect "parallel read of a query" $'sum\n5050' "$out"
out=$(PGPASSWORD=$PG_PASSWORD "$KILN" query "EXPLAIN SELECT v FROM read_postgres('$PG_URL', 'pnull', partition_column => 'k', lower_bound => 0, upper_bound => 30, num_partitions => 3)" 2>&1)
case $out in
*'partitions=3: ("k" < 10 OR "k" IS NULL), ("k" >= 10 AND "k" < 20), ("k" >= 20)'*) echo "PASS: EXPLAIN shows the partitions" ;;
*) fail "EXPLAIN of partitions"; echo "$out" ;;
esac
out=$(kq "SELECT count(*) FROM (SELECT * FROM read_postgres('$PG_URL', 'sales.orders', partition_column => 'id', lower_bound => 1, upper_bound => 5000, num_partitions => 4) LIMIT 7) t")
expect "LIMIT over a parallel read stops early" $'count\n7' "$out"
out=$(kq "SELECT count(*) FROM read_postgres('$PG_URL', 'pbad', partition_column => 'id', lower_bound => 1, upper_bound => 3000, num_partitions => 3) WHERE ts IS NOT NULL")
case $out in *'PostgreSQL table "pbad", row '*', column "ts": timestamp infinity'*) echo "PASS: an error in one partition stops the read" ;; *) fail "partition error"; echo "$out" ;; esac
for bad in "partition_column => 'id'|needs partition_column, lower_bound, upper_bound and num_partitions" \
           "partition_column => 'nope', lower_bound => 1, upper_bound => 2, num_partitions => 2|\"nope\" is not a column" \
           "partition_column => 'note', lower_bound => 1, upper_bound => 2, num_partitions => 2|must be an integer or a date column" \
           "partition_column => 'id', lower_bound => 5, upper_bound => 5, num_partitions => 2|lower_bound must be less than upper_bound" \
           "partition_column => 'id', lower_bound => 1, upper_bound => 5, num_partitions => 0|num_partitions must be between 1 and 64" \
           "partition_column => 'id', lower_bound => 'x', upper_bound => 5, num_partitions => 2|lower_bound: invalid input syntax" \
           "fetch_size => 10|option \"fetch_size\" not recognized"; do
    out=$(kq "SELECT * FROM read_postgres('$PG_URL', 'sales.orders', ${bad%%|*})")
    case $out in *"${bad#*|}"*) echo "PASS: refused: ${bad%%|*}" ;; *) fail "option error for ${bad%%|*}"; echo "$out" ;; esac
done

# passwords: in the URL, PGPASSWORD (above), ~/.pgpass; wrong ones never shown
out=$("$KILN" query --format csv "SELECT count(*) FROM read_postgres('$PG_URL_PW', 'types')" 2>&1)
expect "password in the URL" $'count\n3' "$out"
out=$("$KILN" query "EXPLAIN SELECT * FROM read_postgres('$PG_URL_PW', 'arr')" 2>&1)
case $out in
*"$PG_PASSWORD"*) fail "EXPLAIN shows the password" ;;
*"kiln_test@127.0.0.1"*) echo "PASS: EXPLAIN hides the password" ;;
*) fail "EXPLAIN of read_postgres"; echo "$out" ;;
esac
printf '127.0.0.1:%s:*:%s:%s\n' "$PG_PORT" "$PG_USER" "$PG_PASSWORD" >"$HOME/.pgpass"
chmod 600 "$HOME/.pgpass"
out=$(env -u PGPASSWORD "$KILN" query --format csv "SELECT count(*) FROM read_postgres('$PG_URL', 'types')" 2>&1)
expect "password from ~/.pgpass" $'count\n3' "$out"
rm -f "$HOME/.pgpass"
wrong="postgresql://$PG_USER:Wr0ng-Pass-777@127.0.0.1:$PG_PORT/postgres"
out=$(env -u PGPASSWORD "$KILN" query "SELECT * FROM read_postgres('$wrong', 'arr')" 2>&1)
rc=$?
case $out in
*Wr0ng-Pass-777*) fail "wrong password: the secret is in the error"; echo "$out" ;;
*'password authentication failed for user "kiln_test"'*) echo "PASS: wrong password" ;;
*) fail "wrong password error"; echo "$out" ;;
esac
[ $rc -ne 0 ] || fail "wrong password: exit status 0"
out=$(env -u PGPASSWORD "$KILN" query "SELECT * FROM read_postgres('host=127.0.0.1 port=$PG_PORT user=$PG_USER password=Wr0ng-Pass-777 dbname=postgres', 'arr')" 2>&1)
case $out in
*Wr0ng-Pass-777*) fail "wrong password (key=value): the secret is in the error"; echo "$out" ;;
*'kiln: host=127.0.0.1 port='*' password=*** dbname=postgres: could not connect to PostgreSQL at 127.0.0.1:'"$PG_PORT"' as "'"$PG_USER"'": '*'password authentication failed'*) echo "PASS: wrong password (key=value)" ;;
*) fail "wrong password error (key=value)"; echo "$out" ;;
esac
out=$("$KILN" query "SELECT * FROM read_postgres('postgresql://u:Secret-Unreach@127.0.0.1:1/x', 't')" 2>&1)
case $out in
*Secret-Unreach*) fail "unreachable: the secret is in the error"; echo "$out" ;;
*'kiln: postgresql://u@127.0.0.1:1/x: could not connect to PostgreSQL at 127.0.0.1:1 as "u": '*'Connection refused'*) echo "PASS: unreachable server" ;;
*) fail "unreachable server error"; echo "$out" ;;
esac

# PostgreSQL -> the SQLite warehouse
out=$(kq "SET warehouse = 'sqlite:$work/wh.db';
COPY (SELECT day, count(*) AS orders, sum(amount) AS revenue FROM read_postgres('$PG_URL', 'sales.orders') GROUP BY day)
  TO 'warehouse:daily' WITH (MODE upsert, KEY (day));
SELECT * FROM read_sqlite('$work/wh.db', 'daily') ORDER BY day LIMIT 2")
expect "PostgreSQL to the SQLite warehouse" $'day,orders,revenue\n2024-01-01,500,1565625.00\n2024-01-02,500,1560000.00' "$out"

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all PostgreSQL source checks passed"
