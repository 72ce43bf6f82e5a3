#!/usr/bin/env bash
# test_mysql_load.sh: COPY ... TO 'warehouse:<table>' into a real MariaDB
# server (mariadb_server.sh): each mode (append, replace, replace_partitions,
# upsert), the table created from the query's schema, a type round trip
# kiln -> MariaDB -> kiln, failures leaving the target unchanged (a bad
# value mid-load, kiln killed mid-load, the server stopped mid-load), a
# non-transactional target refused, a named connection as the warehouse,
# and a project whose job loads through a connection from kiln.yaml with
# the password from the environment.
set -u
KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
. tests/integration/mariadb_server.sh
my_start
rc=$?
[ $rc -eq 77 ] && { echo "SKIP: no MariaDB server installed"; exit 0; }
[ $rc -eq 0 ] || { echo "FAIL: could not start MariaDB"; exit 1; }
work=$MY_DIR/work
mkdir -p "$work"
. tests/integration/checks.sh

# kl SQL: run SQL with the MariaDB warehouse set (password from MYSQL_PWD)
kl() { MYSQL_PWD=$MY_PASSWORD "$KILN" query --format csv "SET warehouse = '$MY_URL'; $1" 2>&1; }
rows() { $MYSQL -e "$1"; }

rows_src="SELECT * FROM (VALUES (DATE '2024-01-01', 'eur', 10), (DATE '2024-01-01', 'usd', 20), (DATE '2024-01-02', 'eur', 30)) t(day, cur, amount)"

# append creates the table from the query's schema
kl "COPY ($rows_src) TO 'warehouse:daily' WITH (MODE append)" >/dev/null
expect "append creates the table" "2024-01-01	eur	10
2024-01-01	usd	20
2024-01-02	eur	30" "$(rows "SELECT * FROM daily ORDER BY day, cur")"
expect "created column types" "day	date
cur	longtext
amount	int(11)" "$(rows "SELECT column_name, column_type FROM information_schema.columns WHERE table_name = 'daily' ORDER BY ordinal_position")"
kl "COPY ($rows_src) TO 'warehouse:daily'" >/dev/null
expect "append adds rows" "6" "$(rows "SELECT count(*) FROM daily")"

# replace (overwrite)
kl "COPY (SELECT DATE '2024-02-01' AS day, 'gbp' AS cur, 5 AS amount) TO 'warehouse:daily' WITH (MODE replace)" >/dev/null
expect "replace swaps every row" "2024-02-01	gbp	5" "$(rows "SELECT * FROM daily")"

# replace_partitions: rows of the loaded days replaced, others kept
kl "COPY ($rows_src) TO 'warehouse:daily' WITH (MODE replace)" >/dev/null
kl "COPY (SELECT DATE '2024-01-02' AS day, 'chf' AS cur, 99 AS amount) TO 'warehouse:daily' WITH (MODE replace_partitions, KEY (day))" >/dev/null
expect "replace_partitions" "2024-01-01	eur	10
2024-01-01	usd	20
2024-01-02	chf	99" "$(rows "SELECT * FROM daily ORDER BY day, cur")"

# upsert: by KEY, the last row of a key in the load wins; an index is added
$MYSQL -e "CREATE TABLE up (k INT, name VARCHAR(20), v INT) ENGINE=InnoDB"
$MYSQL -e "INSERT INTO up VALUES (1, 'one', 1), (2, 'two', 2)"
kl "COPY (SELECT * FROM (VALUES (2, 'TWO', 20), (3, 'three', 3), (3, 'THREE', 30)) t(k, name, v)) TO 'warehouse:up' WITH (MODE upsert, KEY (k))" >/dev/null
expect "upsert into an existing table" "1	one	1
2	TWO	20
3	THREE	30" "$(rows "SELECT * FROM up ORDER BY k")"
kl "COPY (SELECT 1 AS k, 'uno' AS name, 100 AS v) TO 'warehouse:up' WITH (MODE upsert, KEY (k))" >/dev/null
expect "upsert again (index already there)" "1	uno	100" "$(rows "SELECT * FROM up WHERE k = 1")"
kl "COPY (SELECT * FROM (VALUES ('a', 1), ('b', 2), ('a', 3)) t(code, v)) TO 'warehouse:newup' WITH (MODE upsert, KEY (code))" >/dev/null
expect "upsert creating the table" "a	3
b	2" "$(rows "SELECT * FROM newup ORDER BY code")"
$MYSQL -e "CREATE TABLE dup (k INT, v INT) ENGINE=InnoDB; INSERT INTO dup VALUES (1, 1), (1, 2)"
out=$(kl "COPY (SELECT 1 AS k, 5 AS v) TO 'warehouse:dup' WITH (MODE upsert, KEY (k))")
expect_has "upsert on a non-unique key is refused" "upsert needs the KEY columns to be unique" "$out"
expect "... and the table is unchanged" "1	1
1	2" "$(rows "SELECT * FROM dup ORDER BY v")"

# type round trip kiln -> MariaDB -> kiln
kl "COPY (SELECT * FROM (VALUES
    (1, true, 2147483647, 9223372036854775807, 1.5e300, 12345678901234567890.123456789::decimal(38,9), DATE '0001-01-01', TIMESTAMP '2024-02-29 23:59:59.999999', INTERVAL '1 day 02:03:04', 'héllo 😀 '' \\ \"x\"'),
    (2, false, -2147483648, -9223372036854775808, -0.1, -0.000000001::decimal(38,9), DATE '9999-12-31', TIMESTAMP '1000-01-01 00:00:00', INTERVAL '-3 months', ''),
    (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)) t(id, b, i, bi, d, dec, dt, ts, iv, s)) TO 'warehouse:rt' WITH (MODE replace)" >/dev/null
out=$(MYSQL_PWD=$MY_PASSWORD "$KILN" query --format csv "SELECT id, b::boolean AS b, i, bi, d, dec, dt, ts, iv::interval AS iv, s FROM read_mysql('$MY_URL', 'rt') ORDER BY id" 2>&1)
expect "type round trip" "id,b,i,bi,d,dec,dt,ts,iv,s
1,true,2147483647,9223372036854775807,1.5e+300,12345678901234567890.123456789,0001-01-01,2024-02-29 23:59:59.999999,1 day 02:03:04,\"héllo 😀 ' \\ \"\"x\"\"\"
2,false,-2147483648,-9223372036854775808,-0.1,-0.000000001,9999-12-31,1000-01-01 00:00:00,-3 mons,\"\"
3,,,,,,,,," "$out"

# a failure mid-load leaves the target unchanged: a bad value, NaN, a BC date
before=$(rows "SELECT * FROM daily ORDER BY day, cur")
out=$(kl "COPY (SELECT DATE '2024-03-01' AS day, 'x' AS cur, (10 / (i - 3)) AS amount FROM (VALUES (1), (2), (3)) t(i)) TO 'warehouse:daily' WITH (MODE replace)")
expect_has "a query failing mid-load reports the error" "division by zero" "$out"
expect "... and the target is unchanged" "$before" "$(rows "SELECT * FROM daily ORDER BY day, cur")"
out=$(kl "COPY (SELECT DATE '2024-03-01' AS day, 'x' AS cur, 'NaN'::double precision AS amount) TO 'warehouse:daily' WITH (MODE replace)")
expect_has "NaN refused" "cannot hold NaN" "$out"
expect "... target unchanged" "$before" "$(rows "SELECT * FROM daily ORDER BY day, cur")"
out=$(kl "COPY (SELECT DATE '0044-03-15 BC' AS day, 'x' AS cur, 1 AS amount) TO 'warehouse:daily' WITH (MODE replace)")
expect_has "a date MySQL cannot hold is an error, not a silent change" "loading warehouse table \"daily\"" "$out"
expect "... target unchanged" "$before" "$(rows "SELECT * FROM daily ORDER BY day, cur")"
out=$(kl "COPY (SELECT 1 / (k - 1) AS k FROM (VALUES (1)) t(k)) TO 'warehouse:never_made' WITH (MODE replace)")
expect "a failed load creates no table" "0" "$(rows "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'never_made%'")"

# a non-transactional target is refused
$MYSQL -e "CREATE TABLE mi (k INT) ENGINE=MyISAM"
out=$(kl "COPY (SELECT 1 AS k) TO 'warehouse:mi' WITH (MODE replace)")
expect_has "MyISAM target refused" "cannot roll back a failed load" "$out"

# kiln killed (kill -9) half-way through a large load: target unchanged
printf 'SET warehouse = %s;\n' "'$MY_URL'" >"$work/big.sql"
cat >>"$work/big.sql" <<'SQL'
COPY (SELECT DATE '2020-01-01' + (i % 1000)::integer AS day, 'row ' || i AS cur, i AS amount
      FROM read_csv('big.csv', header => true)) TO 'warehouse:daily' WITH (MODE replace);
SQL
seq 1 3000000 | sed '1i i' >"$work/big.csv"
# wait_staging: until the load's INSERTs into its staging table reach the server (sets n)
wait_staging() {
    for i in $(seq 1 600); do
        n=$(rows "SELECT count(*) FROM information_schema.processlist WHERE info LIKE 'INSERT INTO kiln_stage%'" 2>/dev/null || echo 0)
        [ "${n:-0}" -gt 0 ] && return 0
        sleep 0.05
    done
}
(cd "$work" && MYSQL_PWD=$MY_PASSWORD "$KILN" run big.sql >"$work/big.log" 2>&1) &
kpid=$!
wait_staging
[ "${n:-0}" -gt 0 ] && echo "PASS: the large load was staging when killed" || { fail "the large load never reached the server"; cat "$work/big.log"; }
sleep 1
kill -9 $kpid 2>/dev/null
wait $kpid 2>/dev/null
expect "kiln killed mid-load: the target is unchanged" "$before" "$(rows "SELECT * FROM daily ORDER BY day, cur")"

# the server stopped mid-load (kiln sees the connection drop): unchanged after restart
(cd "$work" && MYSQL_PWD=$MY_PASSWORD "$KILN" run big.sql >"$work/big2.log" 2>&1; echo $? >"$work/big2.rc") &
kpid=$!
wait_staging
[ "${n:-0}" -gt 0 ] && echo "PASS: the large load was staging when the server stopped" || fail "the second large load never reached the server"
my_stop_server_only
wait $kpid 2>/dev/null
expect_has "server gone: kiln reports an I/O error" "loading warehouse table \"daily\"" "$(cat "$work/big2.log")"
expect "server gone: exit code 5" "5" "$(cat "$work/big2.rc")"
my_start_server || fail "restarting MariaDB"
expect "server gone mid-load: the target is unchanged after restart" "$before" "$(rows "SELECT * FROM daily ORDER BY day, cur")"

# a named connection as the warehouse, password apart from the URL
out=$(MY_SECRET=$MY_PASSWORD "$KILN" query --format csv "CREATE SERVER dw FOREIGN DATA WRAPPER mariadb OPTIONS (url '$MY_URL', password '\${MY_SECRET}'); SET warehouse = 'dw'; COPY (SELECT 7 AS k) TO 'warehouse:named_t'" 2>&1)
expect "a named connection as the warehouse" "7" "$(rows "SELECT * FROM named_t")"
# a named connection as the target itself: COPY ... TO '<connection>:<table>'
out=$(MY_SECRET=$MY_PASSWORD "$KILN" query --format csv "CREATE SERVER dw FOREIGN DATA WRAPPER mariadb OPTIONS (url '$MY_URL', password '\${MY_SECRET}'); COPY (SELECT 8 AS k) TO 'dw:conn_t' WITH (MODE replace)" 2>&1)
expect "a '<connection>:<table>' target" "8" "$(rows "SELECT * FROM conn_t")"

# a project: kiln.yaml's connection, password from the environment, never on a command line
mkdir -p "$work/proj/jobs"
cat >"$work/proj/kiln.yaml" <<YAML
name: shop
warehouse: dw
connections:
  crm:
    url: $MY_URL
    password: \${CRM_PASSWORD}
  dw: {url: "$MY_URL", password: "\${CRM_PASSWORD}"}
jobs:
  copy_orders:
    sql: jobs/copy_orders.sql
YAML
cat >"$work/proj/jobs/copy_orders.sql" <<'SQL'
COPY (SELECT k * 2 AS k2 FROM read_mysql('crm', 'named_t')) TO 'warehouse:from_project' WITH (MODE replace);
SQL
out=$(cd "$work/proj" && CRM_PASSWORD=$MY_PASSWORD "$KILN" run --all --ds 2024-01-01 -q 2>&1 || true)
if [ "$(rows "SELECT * FROM from_project" 2>/dev/null)" = "14" ]; then
    echo "PASS: a project job reads and loads through kiln.yaml's connections"
else
    fail "project job with named connections"; echo "$out"; cat "$work"/proj/.kiln/logs/*/* 2>/dev/null | tail -20
fi

if [ "$failures" -eq 0 ]; then
    echo "test_mysql_load: all passed"
    exit 0
fi
echo "test_mysql_load: $failures failed"
exit 1
