#!/usr/bin/env bash
# test_sqlite_source.sh: read_sqlite on databases written by the sqlite3
# shell (declared types and affinities kiln never writes itself, BLOBs,
# untyped columns, values that do not convert), and a warehouse load
# running while another connection reads the table (readers see the old
# rows or the new ones, never a part).
set -u
KILN=${KILN:-./kiln}
command -v sqlite3 >/dev/null 2>&1 || { echo "FAIL: the sqlite3 shell is not installed (scripts/install-deps.sh)"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/kiln-sqlite.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $1"; failures=$((failures + 1)); }
expect() {
    if [ "$2" != "$3" ]; then
        fail "$1"; echo "--- expected"; printf '%s\n' "$2"; echo "--- got"; printf '%s\n' "$3"
    else
        echo "PASS: $1"
    fi
}
kq() { "$KILN" query --format csv "$@" 2>&1; }

db=$work/shop.db
sqlite3 "$db" <<'SQL'
CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(20), price DECIMAL(10,2), ratio REAL, d DATE, ts DATETIME,
                flag BOOLEAN, big UNSIGNED BIG INT, f FLOAT, c CLOB, b BLOB, x, m MONEYISH);
INSERT INTO t VALUES (1, 'a', 1.5, 0.25, '2024-01-31', '2024-01-31T12:00:00', 1, 9223372036854775807, 1e300, 'clob',
                      x'00ff10', 'anything', 12);
INSERT INTO t VALUES (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO t VALUES (3, 'ccc', '-99999999.99', -1, '0001-01-01', '1999-12-31 23:59:59.999999', 'true', -1, 2, '', x'', 42, 'x');
CREATE VIEW v AS SELECT id, price * 2 AS doubled FROM t;
CREATE TABLE bad (id INTEGER, d DATE, n INT, p NUMERIC(4,2), b BOOLEAN);
INSERT INTO bad VALUES (1, '2024-01-01', 1, 1.5, 0), (2, 'not a date', 2, 1, 1), (3, '2024-01-02', 3.5, 1, 1),
                       (4, '2024-01-03', 4, 123.456, 1), (5, '2024-01-04', 5, 1, 7);
SQL

out=$(kq "SELECT * FROM read_sqlite('$db', 't') ORDER BY id")
expected='id,name,price,ratio,d,ts,flag,big,f,c,b,x,m
1,a,1.50,0.25,2024-01-31,2024-01-31 12:00:00,true,9223372036854775807,1e+300,clob,\x00ff10,anything,12
2,,,,,,,,,,,,
3,ccc,-99999999.99,-1,0001-01-01,1999-12-31 23:59:59.999999,true,-1,2,"",\x,42,x'
expect "declared types by SQLite's affinity rules" "$expected" "$out"

out=$(kq "SELECT pg_typeof(id), pg_typeof(name), pg_typeof(price), pg_typeof(ratio), pg_typeof(d), pg_typeof(ts), pg_typeof(flag), pg_typeof(b), pg_typeof(x) FROM read_sqlite('$db', 't') LIMIT 1")
expect "mapped kiln types" 'pg_typeof,pg_typeof,pg_typeof,pg_typeof,pg_typeof,pg_typeof,pg_typeof,pg_typeof,pg_typeof
bigint,text,numeric,double precision,date,timestamp without time zone,boolean,text,text' "$out"

out=$(kq "SELECT * FROM read_sqlite('$db', 'v') ORDER BY id")
expect "a view; an expression column typed by its first value" $'id,doubled\n1,3\n2,\n3,-199999999.98' "$out"

out=$("$KILN" query "EXPLAIN SELECT name FROM read_sqlite('$db', 't') WHERE id > 1" 2>&1)
case $out in *'SELECT id, name FROM t'*) echo "PASS: projection pushdown" ;; *) fail "projection pushdown"; echo "$out" ;; esac

# values that do not convert name the table, the row and the column
check_error() { # NAME SQL EXPECTED-SUBSTRING
    local got
    got=$("$KILN" query "$2" 2>&1) && { fail "$1: no error"; return; }
    case $got in *"$3"*) echo "PASS: $1" ;; *) fail "$1"; echo "$got" ;; esac
}
check_error "bad date" "SELECT d FROM read_sqlite('$db', 'bad')" \
    'SQLite table "bad", row 2, column "d": invalid input syntax for type date: "not a date"'
check_error "real into an integer column" "SELECT n FROM read_sqlite('$db', 'bad')" \
    'SQLite table "bad", row 3, column "n": real value 3.5 cannot be read as bigint'
check_error "numeric overflow" "SELECT p FROM read_sqlite('$db', 'bad')" \
    'SQLite table "bad", row 4, column "p": numeric field overflow'
check_error "not a boolean" "SELECT b FROM read_sqlite('$db', 'bad')" \
    'SQLite table "bad", row 5, column "b": integer 7 cannot be read as boolean'
out=$(kq "SELECT id FROM read_sqlite('$db', 'bad') ORDER BY id")
expect "unread columns are not converted" $'id\n1\n2\n3\n4\n5' "$out"

# readers never see a half-loaded table: a reader running during a large
# overwrite counts either all old rows or all new ones
wh=$work/wh.db
"$KILN" query "SET warehouse = 'sqlite:$wh'; COPY (SELECT 1 AS v FROM read_sqlite('$db', 't')) TO 'warehouse:w'" >/dev/null 2>&1
"$KILN" query "SET warehouse = 'sqlite:$wh';
CREATE TABLE n AS SELECT a.x * 1000 + b.x * 100 + c.x * 10 + d.x AS v
FROM (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) a(x), (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) b(x),
     (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) c(x), (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) d(x);
COPY (SELECT n1.v FROM n n1, (VALUES (1),(2),(3),(4),(5),(6),(7),(8),(9),(10)) r(x)) TO 'warehouse:w' WITH (MODE overwrite)" >/dev/null 2>&1 &
loader=$!
seen=""
while kill -0 "$loader" 2>/dev/null; do
    c=$(sqlite3 -cmd ".timeout 5000" "$wh" "SELECT count(*) FROM w" 2>/dev/null) && seen="$seen $c"
done
wait "$loader" || fail "the concurrent overwrite failed"
c=$(sqlite3 "$wh" "SELECT count(*) FROM w")
expect "overwrite result" "100000" "$c"
for c in $seen; do
    [ "$c" = 3 ] || [ "$c" = 100000 ] || fail "a reader saw $c rows during the load"
done
echo "PASS: readers saw only complete tables (${seen:-no reads})"

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all SQLite source checks passed"
