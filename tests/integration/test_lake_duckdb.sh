#!/usr/bin/env bash
# test_lake_duckdb.sh: DuckDB (the @duckdb/node-api pinned in bench/, run by
# parquet_duckdb.mjs) reads kiln's partitioned datasets with
# hive_partitioning and gets the same rows as kiln's own CSV of the table,
# awkward partition values included (slashes, '=', '%', spaces, unicode,
# quotes, NULL, ''), for FORMAT parquet and FORMAT csv, one and two
# partition levels, with several files per partition (ROWS_PER_FILE).
# kiln escapes values as Hive does; DuckDB decodes the %XX escapes of
# partition folders, and reads __HIVE_DEFAULT_PARTITION__ as NULL (like ''
# written by kiln: Hive cannot tell them apart).
# Installs the npm packages itself when missing; skips only without node/npm.
# $KILN is the binary under test; exits 0 when every check passes.
set -u
KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
root=$(cd "$(dirname "$0")/../.." && pwd)
duck="$root/tests/integration/parquet_duckdb.mjs"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "SKIP: node and npm are needed (scripts/install-deps.sh installs them)"
    exit 0
fi
if [ ! -d "$root/bench/node_modules/@duckdb/node-api" ]; then
    (cd "$root/bench" && npm ci --no-audit --no-fund >/dev/null) || { echo "FAIL: npm ci in bench/ failed"; exit 1; }
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-lake-duckdb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# k: awkward text values (NULL and '' both read back as NULL); d: dates; n: 1..3000
setup="CREATE TABLE digits AS SELECT * FROM (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) AS t(d);
CREATE TABLE keys AS SELECT * FROM (VALUES (0, 'a/b'), (1, 'x=1'), (2, '50%'), (3, 'with space'), (4, 'café ☕'),
  (5, NULL), (6, ''), (7, 'a:b#c?d'), (8, 'quote''s \"q\"'), (9, 'plain')) AS t(i, k);
CREATE TABLE t AS SELECT n, keys.k, DATE '2024-01-01' + (n % 3) AS d, (n * 7 % 1000)::numeric(10,2) / 4 AS amount,
  'row ' || n AS label
FROM (SELECT a.d * 1000 + b.d * 100 + c.d * 10 + e.d AS n FROM digits a, digits b, digits c, digits e WHERE a.d < 3) x
JOIN keys ON keys.i = x.n % 10;"

# kiln's reference: the table with '' as NULL (what a Hive reader sees), as CSV
$KILN query "$setup
  COPY (SELECT n, NULLIF(k, '') AS k, d, amount, label FROM t ORDER BY n) TO 'expected.csv' WITH (FORMAT csv)" \
    >/dev/null || { echo "FAIL: kiln could not build the table"; exit 1; }
tr -d '"' <expected.csv >expected.txt

check() { # name, dataset folder, DuckDB read expression
    local name=$1 dir=$2 read=$3
    node "$duck" "COPY (SELECT n, k, d, amount, label FROM $read ORDER BY n) TO '$tmp/$name.duck.csv' (FORMAT csv, HEADER false)" \
        "SELECT 1" >/dev/null 2>"$name.err" || { fail "$name: DuckDB: $(cat "$name.err")"; return; }
    # compared as text without quotes (DuckDB also quotes values with '#')
    tr -d '"' <"$name.duck.csv" >"$name.duck.txt"
    if ! cmp -s expected.txt "$name.duck.txt"; then
        fail "$name: DuckDB reads different rows: $(diff expected.txt "$name.duck.txt" | head -4 | tr '\n' ' ')"
    fi
}

$KILN query "$setup COPY t TO 'pq1' WITH (FORMAT parquet, PARTITION_BY (k), ROWS_PER_FILE 100)" >/dev/null || fail "kiln parquet k"
check parquet_k pq1 "read_parquet('$tmp/pq1/**/*.parquet', hive_partitioning = true, hive_types = {'k': VARCHAR})"

$KILN query "$setup COPY t TO 'pq2' WITH (FORMAT parquet, PARTITION_BY (d, k), COMPRESSION zstd)" >/dev/null || fail "kiln parquet d,k"
check parquet_dk pq2 "read_parquet('$tmp/pq2/**/*.parquet', hive_partitioning = true, hive_types = {'d': DATE, 'k': VARCHAR})"

$KILN query "$setup COPY t TO 'csv1' WITH (FORMAT csv, PARTITION_BY (k, d))" >/dev/null || fail "kiln csv k,d"
check csv_kd csv1 "read_csv('$tmp/csv1/**/*.csv', hive_partitioning = true, header = true,
  hive_types = {'d': DATE, 'k': VARCHAR}, columns = {'n': 'INTEGER', 'amount': 'DECIMAL(18,6)', 'label': 'VARCHAR'})"

# DuckDB's own partitioned write names folders as kiln does for plain values
# and Hive's special characters (it also percent-encodes spaces and
# non-ASCII, which Hive and Spark keep, as kiln does; readers decode both)
$KILN query "COPY (SELECT 1 AS v, 'a/b=c%' AS k) TO 'kiln_out' WITH (PARTITION_BY (k))" >/dev/null || fail "kiln a/b=c%"
node "$duck" "COPY (SELECT 1 AS v, 'plain' AS k UNION ALL SELECT 2, 'a/b=c%') TO '$tmp/duck_out' (FORMAT parquet, PARTITION_BY (k))" "SELECT 1" >/dev/null 2>&1
[ -d "duck_out/k=plain" ] && [ -d "pq1/k=plain" ] || fail "folder k=plain: DuckDB and kiln name it differently"
[ -d "duck_out/k=a%2Fb%3Dc%25" ] && [ -d "kiln_out/k=a%2Fb%3Dc%25" ] || fail "folder of 'a/b=c%': DuckDB and kiln name it differently: $(ls duck_out kiln_out | tr '\n' ' ')"


[ "$failures" = 0 ] && echo "test_lake_duckdb: ok"
exit $((failures > 0))
