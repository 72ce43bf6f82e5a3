#!/usr/bin/env bash
# test_mysql_source.sh: read_mysql against a real MariaDB server started for
# the test (mariadb_server.sh): every mapped type with NULLs and extremes
# (DECIMAL(38,10), BIGINT UNSIGNED max, zero dates, utf8mb4 text), BLOBs
# refused, parallel extraction giving exactly the serial rows, projection
# pushdown (EXPLAIN and the server's general log), named connections
# (CREATE SERVER, passwords from the environment), and wrong password /
# unreachable server giving clear errors without the secret.
set -u
KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
. tests/integration/mariadb_server.sh
my_start
rc=$?
[ $rc -eq 77 ] && { echo "SKIP: no MariaDB server installed"; exit 0; }
[ $rc -eq 0 ] || { echo "FAIL: could not start MariaDB"; exit 1; }
. tests/integration/checks.sh

kq() { MYSQL_PWD=$MY_PASSWORD "$KILN" query --format csv "$@" 2>&1; }

$MYSQL <<'SQL' || { echo "FAIL: setting up tables"; exit 1; }
SET sql_mode = '';
CREATE TABLE types (id INT PRIMARY KEY, ti TINYINT, si SMALLINT UNSIGNED, mi MEDIUMINT, i INT, iu INT UNSIGNED,
  bi BIGINT, bu BIGINT UNSIGNED, d DECIMAL(38,10), f FLOAT, db DOUBLE, dt DATE, dtm DATETIME(6), ts TIMESTAMP(3) NULL,
  tm TIME(6), c CHAR(3), v VARCHAR(20), t TEXT, e ENUM('a','b'), st SET('x','y'), j JSON, b1 BIT(1), b8 BIT(8),
  yr YEAR, bo BOOLEAN);
INSERT INTO types VALUES
 (1, -128, 65535, -8388608, -2147483648, 4294967295, -9223372036854775808, 18446744073709551615,
  '-9999999999999999999999999999.9999999999', 1.5, 1.7976931348623157e308, '1000-01-01', '1000-01-01 00:00:00.000001',
  '1970-01-01 00:00:01.000', '-838:59:59.000000', 'abc', 'héllo 😀', REPEAT('long text ', 100), 'b', 'x,y',
  '{"k": [1, 2]}', b'1', b'10101010', 1901, 1),
 (2, 127, 0, 8388607, 2147483647, 0, 9223372036854775807, 0, '9999999999999999999999999999.9999999999', -0.25,
  0.1, '9999-12-31', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999', '838:59:59.000000', '', '', '', 'a',
  '', 'null', b'0', b'0', 2155, 0),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL),
 (4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', '00:00:00', 'z', 'z',
  'z', 'a', 'x', '[]', b'1', b'1', 0, 0),
 (5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '2024-02-00', '2024-00-10 00:00:00', NULL, '-00:00:01.5', 'z', 'z', 'z', 'a', 'x',
  '[]', b'1', b'1', 0, 0);
CREATE TABLE blobs (id INT, b BLOB);
CREATE TABLE bins (id INT, b VARBINARY(10));
SET SESSION max_recursive_iterations = 1000000;
CREATE TABLE orders (id INT PRIMARY KEY, day DATE, amount DECIMAL(10,2), note VARCHAR(20));
INSERT INTO orders
  WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 4000)
  SELECT n, DATE '2024-01-01' + INTERVAL (n % 9) DAY, n * 1.25, IF(n % 7 = 0, NULL, CONCAT('note ', n)) FROM s;
INSERT INTO orders VALUES (-50, NULL, 1.00, 'below'), (90000, '2030-01-01', 2.00, 'above');
CREATE TABLE pnull (k BIGINT, v INT);
INSERT INTO pnull VALUES (NULL, 1), (NULL, 2), (1, 3), (2999, 4), (3000, 5), (-7, 6);
SQL

# every type: values, NULLs, extremes and zero dates (NULL)
cols="id,ti,si,mi,i,iu,bi,bu,d,f,db,dt,dtm,ts,tm,c,v,e,st,j,b1,b8,yr,bo"
out=$(kq "SELECT $cols FROM read_mysql('$MY_URL', 'types') ORDER BY id")
expect "every type with extremes, NULLs and zero dates" \
"$cols
1,-128,65535,-8388608,-2147483648,4294967295,-9223372036854775808,18446744073709551615,-9999999999999999999999999999.9999999999,1.5,1.7976931348623157e+308,1000-01-01,1000-01-01 00:00:00.000001,1970-01-01 00:00:01,-838:59:59,abc,héllo 😀,b,\"x,y\",\"{\"\"k\"\": [1, 2]}\",true,170,1901,1
2,127,0,8388607,2147483647,0,9223372036854775807,0,9999999999999999999999999999.9999999999,-0.25,0.1,9999-12-31,9999-12-31 23:59:59.999999,2038-01-19 03:14:07.999,838:59:59,\"\",\"\",a,\"\",null,false,0,2155,0
3,,,,,,,,,,,,,,,,,,,,,,,
4,0,0,0,0,0,0,0,0.0000000000,0,0,,,,00:00:00,z,z,a,x,[],true,1,0,0
5,0,0,0,0,0,0,0,0.0000000000,0,0,,,,-00:00:01.5,z,z,a,x,[],true,1,0,0" "$out"
out=$(kq "SELECT id, length(t), left(t, 20) FROM read_mysql('$MY_URL', 'types') ORDER BY id")
expect "TEXT longer than the first buffer" "id,length,left
1,1000,long text long text 
2,0,\"\"
3,,
4,1,z
5,1,z" "$out"

# the kiln types of the columns
out=$(kq "SELECT pg_typeof(ti), pg_typeof(iu), pg_typeof(bi), pg_typeof(bu), pg_typeof(d), pg_typeof(f), pg_typeof(dt), pg_typeof(dtm), pg_typeof(ts), pg_typeof(tm), pg_typeof(j), pg_typeof(b1), pg_typeof(b8) FROM read_mysql('$MY_URL', 'types') WHERE id = 1" | tail -n 1)
expect "mapped types" "integer,bigint,bigint,numeric,numeric,double precision,date,timestamp without time zone,timestamp without time zone,interval,text,boolean,bigint" "$out"

out=$(kq "SELECT id, dt FROM read_mysql('$MY_URL', 'types', zero_date => 'error') ORDER BY id")
expect_has "zero_date => 'error' stops the scan, naming row and column" 'row 4, column "dt": zero date' "$out"
out=$(kq "SELECT id FROM read_mysql('$MY_URL', 'types', zero_date => 'maybe')")
out2=$(kq "SELECT count(*) FROM read_mysql('$MY_URL', 'types', zero_date => 'error')")
expect "zero_date => 'error' only for the columns read" "count
5" "$out2"
expect_has "zero_date option checked" "zero_date must be 'null' or 'error'" "$out"
out=$(kq "SELECT sum(length(t)), max(v) FROM read_mysql('$MY_URL', 'SELECT t, v FROM types WHERE id <= 2')")
expect "a query as the source; long text refetched" "sum,max
1000,héllo 😀" "$out"

out=$(kq "SELECT * FROM read_mysql('$MY_URL', 'blobs')")
expect_has "BLOB refused naming the column" 'MySQL column "b" is a BLOB' "$out"
out=$(kq "SELECT * FROM read_mysql('$MY_URL', 'bins')")
expect_has "VARBINARY refused naming the column" 'MySQL column "b" is BINARY or VARBINARY' "$out"
out=$(kq "SELECT id FROM read_mysql('$MY_URL', 'blobs')")
expect_has "a BLOB column is refused even when unused (the schema is read whole)" 'is a BLOB' "$out"
out=$(kq "SELECT id, hb FROM read_mysql('$MY_URL', 'SELECT id, HEX(b) AS hb FROM blobs')")
expect "HEX() in a query reads a BLOB as text" "id,hb" "$out"

# projection pushdown: EXPLAIN, and the SQL the server received
out=$(kq "EXPLAIN SELECT sum(amount) FROM read_mysql('$MY_URL', 'orders') WHERE day = '2024-01-03'")
expect_has "projection pushdown in EXPLAIN" 'SELECT `day`, `amount` FROM `orders`' "$out"
kq "SELECT count(note) FROM read_mysql('$MY_URL', 'orders')" >/dev/null
expect_has "projection pushdown in the server's log" 'SELECT `note` FROM `orders`' "$(cat "$MY_DIR/general.log")"
out=$(kq "SELECT count(*) FROM read_mysql('$MY_URL', 'orders')")
expect "count(*) reads no column" "count
4002" "$out"

# parallel extraction gives exactly the serial rows
serial=$(kq "SELECT * FROM read_mysql('$MY_URL', 'orders') ORDER BY id" | md5sum)
for opts in "partition_column => 'id', lower_bound => 1, upper_bound => 4000, num_partitions => 4" \
            "partition_column => 'id', lower_bound => 100, upper_bound => 200, num_partitions => 3" \
            "partition_column => 'id', lower_bound => -5, upper_bound => 100000, num_partitions => 64" \
            "partition_column => 'day', lower_bound => '2024-01-01', upper_bound => '2024-01-10', num_partitions => 3"; do
    par=$(kq "SELECT * FROM read_mysql('$MY_URL', 'orders', $opts) ORDER BY id" | md5sum)
    expect "parallel = serial ($opts)" "$serial" "$par"
done
out=$(kq "SELECT count(*) FROM (SELECT * FROM read_mysql('$MY_URL', 'orders') EXCEPT ALL SELECT * FROM read_mysql('$MY_URL', 'orders', partition_column => 'id', lower_bound => 1, upper_bound => 4000, num_partitions => 2)) t")
expect "serial EXCEPT ALL parallel is empty" "count
0" "$out"
out=$(kq "SELECT count(*), count(k), sum(v) FROM read_mysql('$MY_URL', 'pnull', partition_column => 'k', lower_bound => 1, upper_bound => 3000, num_partitions => 5)")
expect "NULL and out-of-bounds partition keys are read" "count,count,sum
6,4,21" "$out"
out=$(kq "EXPLAIN SELECT v FROM read_mysql('$MY_URL', 'pnull', partition_column => 'k', lower_bound => 0, upper_bound => 30, num_partitions => 3)")
expect_has "EXPLAIN shows the partitions" 'partitions=3: (`k` < 10 OR `k` IS NULL), (`k` >= 10 AND `k` < 20), (`k` >= 20)' "$out"
out=$(kq "SELECT count(*) FROM (SELECT * FROM read_mysql('$MY_URL', 'orders', partition_column => 'id', lower_bound => 1, upper_bound => 4000, num_partitions => 4) LIMIT 7) t")
expect "LIMIT over a parallel read" "count
7" "$out"

# named connections: CREATE SERVER, password from the environment
out=$(MY_SECRET=$MY_PASSWORD "$KILN" query --format csv "CREATE SERVER crm FOREIGN DATA WRAPPER mysql_fdw OPTIONS (url '$MY_URL', password '\${MY_SECRET}'); SELECT count(*) FROM read_mysql('crm', 'orders')" 2>&1)
expect "CREATE SERVER with a password from the environment" "count
4002" "$out"
out=$("$KILN" query --format csv "CREATE SERVER crm FOREIGN DATA WRAPPER mysql_fdw OPTIONS (url '$MY_URL', password '\${NO_SUCH_VAR_KILN}'); SELECT count(*) FROM read_mysql('crm', 'orders')" 2>&1)
expect_has "a missing environment variable is named" "environment variable NO_SUCH_VAR_KILN is not set" "$out"
out=$("$KILN" query "SELECT * FROM read_mysql('nosuch', 'orders')" 2>&1)
expect_has "an unknown connection name" 'connection "nosuch" does not exist' "$out"
out=$("$KILN" query "CREATE SERVER pg FOREIGN DATA WRAPPER postgres_fdw OPTIONS (url '$MY_URL')" 2>&1)
expect_has "the wrapper must match the URL" "FOREIGN DATA WRAPPER postgres_fdw does not take" "$out"
out=$(KILN_CONNECTIONS=$(printf 'crm\t%s\t${MY_SECRET}\n' "$MY_URL") MY_SECRET=$MY_PASSWORD "$KILN" query --format csv "SELECT count(*) FROM read_mysql('crm', 'orders')" 2>&1)
expect "a connection from KILN_CONNECTIONS (the project's, as the runner passes them)" "count
4002" "$out"

# errors: wrong password, unreachable server; never the password
out=$("$KILN" query "SELECT * FROM read_mysql('mysql://$MY_USER:wrong-Pw-77@127.0.0.1:$MY_PORT/$MY_DB', 'orders')" 2>&1)
rc=$?
expect "wrong password exits with the I/O code" "5" "$rc"
expect_has "wrong password names host, port and user" "could not connect to MySQL at 127.0.0.1:$MY_PORT as \"$MY_USER\": Access denied" "$out"
case "$out" in *wrong-Pw-77*) fail "the password is shown: $out" ;; *) echo "PASS: wrong password not shown" ;; esac
out=$(MYSQL_PWD=$MY_PASSWORD "$KILN" query "SELECT * FROM read_mysql('mysql://$MY_USER:$MY_PASSWORD@127.0.0.1:1/$MY_DB', 'orders')" 2>&1)
expect_has "unreachable server" "could not connect to MySQL at 127.0.0.1:1" "$out"
case "$out" in *"$MY_PASSWORD"*) fail "the password is shown: $out" ;; *) echo "PASS: password not shown (unreachable)" ;; esac
out=$(kq "SELECT * FROM read_mysql('$MY_URL', 'no_such_table')")
expect_has "a missing table: the server's message" "doesn't exist" "$out"
out=$("$KILN" query "EXPLAIN SELECT * FROM read_mysql('$MY_URL_PW', 'orders')" 2>&1)
case "$out" in *"$MY_PASSWORD"*) fail "EXPLAIN shows the password: $out" ;; *) echo "PASS: EXPLAIN redacts the password" ;; esac

# a source whose server goes away mid-read: an error, not a short result
$MYSQL -e "CREATE TABLE big (id INT PRIMARY KEY, pad VARCHAR(200))"
$MYSQL -e "SET SESSION max_recursive_iterations = 1000000; INSERT INTO big WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 200000) SELECT n, REPEAT('x', 200) FROM s"
out=$(kq "SELECT count(*), sum(length(pad)) FROM read_mysql('$MY_URL', 'big')")
expect "a 200000-row table streams whole" "count,sum
200000,40000000" "$out"

if [ "$failures" -eq 0 ]; then
    echo "test_mysql_source: all passed"
    exit 0
fi
echo "test_mysql_source: $failures failed"
exit 1
