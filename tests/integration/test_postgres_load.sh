#!/usr/bin/env bash
# test_postgres_load.sh: COPY ... TO 'warehouse:<table>' with a PostgreSQL
# warehouse started for the test (pg_server.sh): table creation with
# matching types and a round trip of every type with NULLs and extremes,
# each MODE, loads that fail half-way (a bad value several batches in; the
# connection killed mid-load) leaving the target unchanged, and no password
# in SHOW or errors.
set -u
KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
. tests/integration/pg_server.sh
pg_start || { echo "FAIL: could not start PostgreSQL"; exit 1; }
export HOME=$PG_DIR
failures=0
fail() { echo "FAIL: $1"; failures=$((failures + 1)); }
expect() {
    if [ "$2" != "$3" ]; then
        fail "$1"; echo "--- expected"; printf '%s\n' "$2"; echo "--- got"; printf '%s\n' "$3"
    else
        echo "PASS: $1"
    fi
}
# kiln with the PostgreSQL warehouse (password from PGPASSWORD)
kq() { PGPASSWORD=$PG_PASSWORD "$KILN" query --format csv "SET warehouse = '$PG_URL'; $1" 2>&1; }
psql_csv() { $PSQL --csv -c "$1" 2>&1; }

$PSQL -c "CREATE SCHEMA dw" || { echo "FAIL: setup"; exit 1; }

# every kiln type, NULLs and extremes, into a created table
out=$(kq "CREATE TABLE src (b boolean, i integer, g bigint, d double precision, n numeric(12,2), w numeric(38,10),
                  s text, dt date, ts timestamp, iv interval);
INSERT INTO src VALUES
  (true, 2147483647, 9223372036854775807, 1.7976931348623157e308, 9999999999.99,
   '9999999999999999999999999999.9999999999', E'tab\\there \"quoted\" back\\\\slash\\nnewline', '5874897-12-31', '294246-12-31 23:59:59.999999', '1 year 2 mons 3 days 04:05:06.5'),
  (false, -2147483648, -9223372036854775808, -2.2250738585072014e-308, -9999999999.99,
   '-0.0000000001', '', '4714-11-24 BC', '4714-11-24 00:00:00 BC', '-3 mons'),
  (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (true, 0, 0, 'Infinity', 0.01, 0, 'héllo', '2024-02-29', '2024-02-29 12:34:56.5', '00:00:01');
COPY src TO 'warehouse:dw.types'; SELECT 'loaded' AS status")
expect "load of every type" $'status\nloaded' "$out"
out=$(psql_csv "SELECT column_name, data_type, numeric_precision, numeric_scale FROM information_schema.columns WHERE table_schema = 'dw' AND table_name = 'types' ORDER BY ordinal_position")
expect "created table types" 'column_name,data_type,numeric_precision,numeric_scale
b,boolean,,
i,integer,32,0
g,bigint,64,0
d,double precision,53,
n,numeric,12,2
w,numeric,38,10
s,text,,
dt,date,,
ts,timestamp without time zone,,
iv,interval,,' "$out"
out=$(psql_csv "SET intervalstyle = postgres; SELECT * FROM dw.types ORDER BY i NULLS LAST")
expect "values as PostgreSQL sees them" 'b,i,g,d,n,w,s,dt,ts,iv
f,-2147483648,-9223372036854775808,-2.2250738585072014e-308,-9999999999.99,-0.0000000001,,4714-11-24 BC,4714-11-24 00:00:00 BC,-3 mons
t,0,0,Infinity,0.01,0.0000000000,héllo,2024-02-29,2024-02-29 12:34:56.5,00:00:01
t,2147483647,9223372036854775807,1.7976931348623157e+308,9999999999.99,9999999999999999999999999999.9999999999,"tab	here ""quoted"" back\slash
newline",5874897-12-31,294246-12-31 23:59:59.999999,1 year 2 mons 3 days 04:05:06.5
,,,,,,,,,' "$out"
expect "empty string and NULL kept apart" $'empty,null\n1,1' "$(psql_csv "SELECT count(*) FILTER (WHERE s = '') AS empty, count(*) FILTER (WHERE s IS NULL) AS null FROM dw.types")"
out=$(PGPASSWORD=$PG_PASSWORD "$KILN" query --format csv "SELECT count(*) AS n, count(DISTINCT s) AS s FROM read_postgres('$PG_URL', 'dw.types')" 2>&1)
expect "read back with read_postgres" $'n,s\n4,3' "$out"

# modes
kq "COPY (SELECT * FROM (VALUES (1, 'a', 1.50::numeric(10,2)), (2, 'b', 2.00)) v(id, name, amt)) TO 'warehouse:sales'" >/dev/null
kq "COPY (SELECT * FROM (VALUES (3, 'c', 3.25::numeric(10,2))) v(id, name, amt)) TO 'warehouse:sales' WITH (MODE append)" >/dev/null
expect "append" $'id,name,amt\n1,a,1.50\n2,b,2.00\n3,c,3.25' "$(psql_csv "SELECT * FROM sales ORDER BY id")"
out=$(kq "COPY (SELECT * FROM (VALUES (2, 'B', 20.00::numeric(10,2)), (4, 'd', 4.00), (4, 'D', 44.00)) v(id, name, amt)) TO 'warehouse:sales' WITH (MODE upsert, KEY (id))")
expect "upsert" $'id,name,amt\n1,a,1.50\n2,B,20.00\n3,c,3.25\n4,D,44.00' "$(psql_csv "SELECT * FROM sales ORDER BY id")"
# NULL keys match nothing: every NULL-keyed row of an upsert is inserted, none collapsed
kq "COPY (SELECT * FROM (VALUES (NULL::int, 'n1', 1.00::numeric(10,2)), (NULL, 'n2', 2.00), (5, 'e', 5.00), (5, 'E', 55.00)) v(id, name, amt)) TO 'warehouse:sales' WITH (MODE upsert, KEY (id))" >/dev/null
expect "upsert keeps NULL-keyed rows" $'id,name,amt\n1,a,1.50\n2,B,20.00\n3,c,3.25\n4,D,44.00\n5,E,55.00\n,n1,1.00\n,n2,2.00' "$(psql_csv "SELECT * FROM sales ORDER BY id, name")"
kq "COPY (SELECT * FROM (VALUES ('2024-01-01'::date, 'USD', 1), ('2024-01-01'::date, 'EUR', 2), ('2024-01-02'::date, 'USD', 3)) v(day, cur, n)) TO 'warehouse:daily'" >/dev/null
kq "COPY (SELECT * FROM (VALUES ('2024-01-01'::date, 'JPY', 9)) v(day, cur, n)) TO 'warehouse:daily' WITH (MODE replace_partitions, KEY (day))" >/dev/null
expect "replace_partitions" $'day,cur,n\n2024-01-01,JPY,9\n2024-01-02,USD,3' "$(psql_csv "SELECT * FROM daily ORDER BY day, cur")"
kq "COPY (SELECT * FROM (VALUES (7, 'z', 0.01::numeric(10,2))) v(id, name, amt)) TO 'warehouse:sales' WITH (MODE overwrite)" >/dev/null
expect "overwrite" $'id,name,amt\n7,z,0.01' "$(psql_csv "SELECT * FROM sales ORDER BY id")"

# a load failing several batches in leaves the target unchanged, and a failing first load creates nothing
big="SELECT a.x * 1000 + b.x * 100 + c.x * 10 + d.x AS id FROM (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) a(x), (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) b(x), (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) c(x), (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) d(x)"
out=$(kq "CREATE TABLE big AS $big; COPY (SELECT id + 0 * (1 / (8500 - id)) AS id, 'new' AS name, 0.00::numeric(10,2) AS amt FROM big) TO 'warehouse:sales' WITH (MODE overwrite)")
case $out in *"division by zero"*) echo "PASS: failing load reports its error" ;; *) fail "failing load error"; echo "$out" ;; esac
expect "failed overwrite left the table unchanged" $'id,name,amt\n7,z,0.01' "$(psql_csv "SELECT * FROM sales ORDER BY id")"
kq "CREATE TABLE big AS $big; COPY (SELECT id + 0 * (1 / (8500 - id)) AS id FROM big) TO 'warehouse:never'" >/dev/null
expect "failed first load created no table" $'missing\nt' "$(psql_csv "SELECT to_regclass('never') IS NULL AS missing")"

# the server side dropping the connection mid-load: terminate kiln's backend
# while the rows stream in; the target keeps its rows
kq "CREATE TABLE big AS $big; COPY (SELECT a.id FROM big a, big b WHERE b.id < 60) TO 'warehouse:victim'" >/dev/null
expect "victim loaded" $'count\n600000' "$(psql_csv "SELECT count(*) FROM victim")"
( kq "CREATE TABLE big AS $big; COPY (SELECT a.id FROM big a, big b WHERE b.id < 300) TO 'warehouse:victim' WITH (MODE overwrite)" >"$PG_DIR/killed.out" ) &
loader=$!
killed=0
for _ in $(seq 1 200); do
    n=$($PSQL -At -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'kiln' AND query LIKE 'COPY kiln_stage%'" 2>/dev/null)
    if [ "${n:-0}" -gt 0 ]; then killed=1; break; fi
    sleep 0.05
done
wait "$loader"
if [ "$killed" -eq 1 ]; then
    case $(cat "$PG_DIR/killed.out") in
    *"loading warehouse table \"victim\""*) echo "PASS: killed load reports the lost connection" ;;
    *) fail "killed load error"; cat "$PG_DIR/killed.out" ;;
    esac
    expect "killed load left the target unchanged" $'count\n600000' "$(psql_csv "SELECT count(*) FROM victim")"
else
    fail "could not catch the load to kill it"
    cat "$PG_DIR/killed.out"
fi

# secrets
out=$(PGPASSWORD=$PG_PASSWORD "$KILN" query "SET warehouse = '$PG_URL_PW'; SHOW warehouse" 2>&1)
case $out in *"$PG_PASSWORD"*) fail "SHOW warehouse shows the password" ;; *"$PG_USER@127.0.0.1"*) echo "PASS: SHOW warehouse hides the password" ;; *) fail "SHOW warehouse"; echo "$out" ;; esac
out=$(env -u PGPASSWORD "$KILN" query "SET warehouse = 'postgresql://$PG_USER:Wr0ng-Pass-777@127.0.0.1:$PG_PORT/postgres';
COPY (SELECT 1 AS x) TO 'warehouse:nope'" 2>&1)
case $out in
*Wr0ng-Pass-777*) fail "wrong warehouse password: the secret is in the error"; echo "$out" ;;
*'password authentication failed'*) echo "PASS: wrong warehouse password" ;;
*) fail "wrong warehouse password"; echo "$out" ;;
esac

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all PostgreSQL warehouse checks passed"
