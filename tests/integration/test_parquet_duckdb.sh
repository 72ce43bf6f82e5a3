#!/usr/bin/env bash
# test_parquet_duckdb.sh: Parquet interoperability with DuckDB (the
# @duckdb/node-api pinned in bench/package.json, run by parquet_duckdb.mjs).
#
#   kiln -> DuckDB: kiln writes one table (every kiln type but INTERVAL, NULLs,
#     empty strings, extreme values; 5000+ rows) with each codec, with and
#     without dictionaries, with a tiny dictionary limit (PLAIN fallback), with
#     small row groups and pages; DuckDB reads each file and must find exactly
#     the rows of the CSV kiln wrote of the same table (EXCEPT ALL both ways)
#     and the expected column types.
#   DuckDB -> kiln: DuckDB writes the same table with each codec, with format
#     v2 (data pages v2, DELTA_* and BYTE_STREAM_SPLIT encodings) and small row
#     groups; kiln must read each file exactly as it reads the CSV.
#
# Installs the npm packages itself (npm ci in bench/) when they are missing;
# skips, with a message, only when node or npm is absent.
# $KILN is the binary under test; exits 0 when every check passes.
set -u

KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
root=$(cd "$(dirname "$0")/../.." && pwd)
script="$root/tests/integration/parquet_duckdb.mjs"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "SKIP: node and npm are needed (scripts/install-deps.sh installs them)"
    exit 0
fi
if [ ! -d "$root/bench/node_modules/@duckdb/node-api" ]; then
    (cd "$root/bench" && npm ci --no-audit --no-fund >/dev/null) || { echo "FAIL: npm ci in bench/ failed"; exit 1; }
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-parquet-duckdb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# The input: hand-written edge rows, then generated rows (repeating values, so
# dictionaries pay off, and enough rows for several row groups).
cat >input.csv <<'CSV'
id,i,b,d,s,bo,dt,ts,d4,d9,d18,d38,low
1,-2147483648,-9223372036854775808,-1.7976931348623157e308,"",true,0001-01-01,1900-01-01 00:00:00,-999.9,-9999999.99,-999999999999999.999,-9999999999999999999999999999999999.9999,a
2,2147483647,9223372036854775807,1.7976931348623157e308,"héllo ☃ ""quoted"", comma",false,9999-12-31,2262-04-11 23:47:16.854775,999.9,9999999.99,999999999999999.999,9999999999999999999999999999999999.9999,b
3,0,0,0,x,,1970-01-01,1970-01-01 00:00:00,0.0,0.00,0.000,0.0000,
4,,,,,,,,,,,,
5,-1,-1,5e-324,"a long string that is longer than twelve bytes, to leave the inline form",true,2000-02-29,2000-02-29 12:34:56.789012,-0.1,-0.01,-0.001,-0.0001,c
6,7,7,-0.5,NaN,false,1999-12-31,1999-12-31 23:59:59.999999,1.5,2.25,3.125,4.0625,a
7,8,8,NaN,Infinity,true,2024-06-30,2024-06-30 06:30:00,12.3,123.45,123456789.123,123456789012345678901234.5678,b
8,9,9,Infinity,-Infinity,false,1969-12-31,1969-12-31 23:59:59,-12.3,-123.45,-123456789.123,-123456789012345678901234.5678,c
CSV
awk 'BEGIN { for (n = 9; n <= 5200; n++) {
    s = (n % 7 == 0) ? "" : "v" (n % 300) "_" (n % 11 == 0 ? "much longer text to make the dictionary larger " n : "");
    printf "%d,%d,%d,%.3f,%s,%s,%s,%s,%d.%d,%d.%02d,%d.%03d,%d%09d.%04d,%s\n",
        n, n * 37 - 100000, n * 1000003 - 2000000000, n / 8.0, (n % 13 == 0) ? "" : s,
        (n % 5 == 0) ? "" : (n % 2 == 0 ? "true" : "false"),
        (n % 17 == 0) ? "" : sprintf("20%02d-%02d-%02d", n % 100, n % 12 + 1, n % 28 + 1),
        sprintf("2021-01-01 %02d:%02d:%02d.%06d", n % 24, n % 60, (n * 7) % 60, n * 13),
        n % 999, n % 10, n * 3 % 9999999, n % 100, n, n % 1000, n, n, n % 10000,
        substr("xyz", n % 3 + 1, 1) }
}' >>input.csv

cols="id integer, i integer, b bigint, d double precision, s text, bo boolean, dt date, ts timestamp, d4 numeric(4,1), d9 numeric(9,2), d18 numeric(18,3), d38 numeric(38,4), low text"
duck_cols="{'id':'INTEGER','i':'INTEGER','b':'BIGINT','d':'DOUBLE','s':'VARCHAR','bo':'BOOLEAN','dt':'DATE','ts':'TIMESTAMP','d4':'DECIMAL(4,1)','d9':'DECIMAL(9,2)','d18':'DECIMAL(18,3)','d38':'DECIMAL(38,4)','low':'VARCHAR'}"
duck_types="INTEGER,INTEGER,BIGINT,DOUBLE,VARCHAR,BOOLEAN,DATE,TIMESTAMP,DECIMAL(4,1),DECIMAL(9,2),DECIMAL(18,3),DECIMAL(38,4),VARCHAR"
rows=$(($(wc -l <input.csv) - 1))

# kiln's own CSV of the table: what every reader must find.
"$KILN" query "COPY (SELECT * FROM read_csv('input.csv', header => true, columns => '$cols')) TO 'expected.csv' WITH (FORMAT csv, HEADER)" >/dev/null 2>err.txt ||
    { fail "kiln could not write expected.csv: $(cat err.txt)"; exit 1; }

# ---- kiln writes, DuckDB reads ----
variants=(
    "k_snappy|"
    "k_uncompressed|, COMPRESSION uncompressed"
    "k_gzip|, COMPRESSION gzip, COMPRESSION_LEVEL 9"
    "k_zstd|, COMPRESSION zstd, COMPRESSION_LEVEL 19"
    "k_lz4|, COMPRESSION lz4_raw"
    "k_plain|, DICTIONARY false"
    "k_fallback|, DICTIONARY_SIZE_LIMIT '1kB'"
    "k_small_groups|, ROW_GROUP_SIZE 700, PAGE_SIZE '2kB', COMPRESSION zstd"
    "k_group_bytes|, ROW_GROUP_SIZE_BYTES '20kB'"
)
checks=()
for v in "${variants[@]}"; do
    name=${v%%|*}
    opts=${v#*|}
    if ! "$KILN" query "COPY (SELECT * FROM read_csv('input.csv', header => true, columns => '$cols')) TO '$name.parquet' WITH (FORMAT parquet$opts)" >/dev/null 2>err.txt; then
        fail "kiln could not write $name.parquet: $(cat err.txt)"
        continue
    fi
    p="read_parquet('$name.parquet')"
    checks+=("SELECT '$name', (SELECT count(*) FROM (FROM $p EXCEPT ALL FROM e)), (SELECT count(*) FROM (FROM e EXCEPT ALL FROM $p)), (SELECT count(*) FROM $p), (SELECT string_agg(column_type, ',') FROM (DESCRIBE FROM $p))")
done
query=$(printf '%s UNION ALL ' "${checks[@]}")
query="${query% UNION ALL } ORDER BY 1"
node "$script" \
    "CREATE TABLE e AS SELECT * FROM read_csv('expected.csv', header = true, allow_quoted_nulls = false, columns = $duck_cols)" \
    "$query" >duck.txt 2>&1 || fail "DuckDB could not read kiln's files: $(cat duck.txt)"
for v in "${variants[@]}"; do
    name=${v%%|*}
    got=$(grep "^$name|" duck.txt)
    [ "$got" = "$name|0|0|$rows|$duck_types" ] || fail "DuckDB reads $name.parquet: want 0|0|$rows|$duck_types, got ${got:-nothing}"
done
# the variants really differ: several row groups, PLAIN fallback
groups=$("$KILN" query --format csv "SELECT count(*) AS n FROM (SELECT DISTINCT row_group_id FROM parquet_metadata('k_small_groups.parquet')) g" 2>&1 | tail -n 1)
[ "$groups" = "8" ] || fail "k_small_groups.parquet: want 8 row groups, got $groups"
encodings=$("$KILN" query --format csv "SELECT encodings FROM parquet_metadata('k_fallback.parquet') WHERE path_in_schema = 's' AND row_group_id = 0" 2>&1 | tail -n 1)
[ "$encodings" = '"RLE, PLAIN, RLE_DICTIONARY"' ] || fail "k_fallback.parquet: want a dictionary then PLAIN for s, got $encodings"
encodings=$("$KILN" query --format csv "SELECT encodings FROM parquet_metadata('k_plain.parquet') WHERE path_in_schema = 'low'" 2>&1 | tail -n 1)
[ "$encodings" = '"RLE, PLAIN"' ] || fail "k_plain.parquet: want PLAIN only, got $encodings"
# statistics that DuckDB understands
stats=$(node "$script" "SELECT stats_min_value, stats_max_value, stats_null_count FROM parquet_metadata('k_snappy.parquet') WHERE path_in_schema = 'i'" 2>&1)
[ "$stats" = "-2147483648|2147483647|1" ] || fail "DuckDB reads kiln's statistics of i: got $stats"
stats=$(node "$script" "SELECT stats_min_value, stats_max_value FROM parquet_metadata('k_snappy.parquet') WHERE path_in_schema = 'd38'" 2>&1)
[ "$stats" = "-9999999999999999999999999999999999.9999|9999999999999999999999999999999999.9999" ] || fail "DuckDB reads kiln's statistics of d38: got $stats"
kv=$("$KILN" query "COPY (SELECT 1 AS x) TO 'kv.parquet' WITH (KV_METADATA 'owner=kiln;purpose=test')" >/dev/null 2>&1 &&
    node "$script" "SELECT decode(key) || '=' || decode(value) FROM parquet_kv_metadata('kv.parquet') ORDER BY 1" 2>&1 | tr '\n' ' ')
[ "$kv" = "owner=kiln purpose=test " ] || fail "DuckDB reads kiln's key-value metadata: got $kv"

# ---- DuckDB writes, kiln reads ----
"$KILN" query --format csv "SELECT * FROM read_csv('expected.csv', header => true, columns => '$cols') ORDER BY id" >want.csv 2>err.txt ||
    fail "kiln could not read expected.csv: $(cat err.txt)"
dvariants=(
    "d_snappy|COMPRESSION snappy"
    "d_uncompressed|COMPRESSION uncompressed"
    "d_gzip|COMPRESSION gzip"
    "d_zstd|COMPRESSION zstd"
    "d_lz4|COMPRESSION lz4_raw"
    "d_v2|COMPRESSION zstd, PARQUET_VERSION v2"
    "d_v2_plain|COMPRESSION uncompressed, PARQUET_VERSION v2, DICTIONARY_COMPRESSION_RATIO_THRESHOLD -1"
    "d_small_groups|ROW_GROUP_SIZE 1000"
)
writes=("CREATE TABLE e AS SELECT * FROM read_csv('expected.csv', header = true, allow_quoted_nulls = false, columns = $duck_cols)")
for v in "${dvariants[@]}"; do
    writes+=("COPY e TO '${v%%|*}.parquet' (FORMAT parquet, ${v#*|})")
done
node "$script" "${writes[@]}" >err.txt 2>&1 || fail "DuckDB could not write its files: $(cat err.txt)"
for v in "${dvariants[@]}"; do
    name=${v%%|*}
    if ! "$KILN" query --format csv "SELECT * FROM read_parquet('$name.parquet') ORDER BY id" >got.csv 2>err.txt; then
        fail "kiln cannot read $name.parquet: $(cat err.txt)"
        continue
    fi
    if ! cmp -s want.csv got.csv; then
        fail "kiln reads $name.parquet differently from the CSV:"
        diff want.csv got.csv | head -n 10
    fi
done
# the v2 file really uses the v2 encodings
encodings=$("$KILN" query --format csv "SELECT DISTINCT encodings FROM parquet_metadata('d_v2_plain.parquet')" 2>&1 | tr '\n' ' ')
case "$encodings" in
*DELTA_BINARY_PACKED*) ;;
*) fail "d_v2_plain.parquet: expected DELTA_BINARY_PACKED among $encodings" ;;
esac

# ---- row-group pruning on DuckDB's statistics ----
# 10 row groups of sorted values: kiln skips the row groups that DuckDB's
# min/max rule out, and finds the same rows as without pruning (the same
# conditions with "+ 0" / "|| ''", which are not understood as hints)
node "$script" "COPY (SELECT i, 'k' || lpad(i::varchar, 5, '0') AS s, (i * 0.25)::decimal(12,2) AS d, (i * 1.0001)::decimal(30,4) AS d30, i::double AS f, DATE '2020-01-01' + i::int AS dt FROM range(100000) t(i)) TO 'd_sorted.parquet' (FORMAT parquet, ROW_GROUP_SIZE 10000)" >err.txt 2>&1 ||
    fail "DuckDB could not write d_sorted.parquet: $(cat err.txt)"
# (DuckDB rounds row groups to 10240 rows: 0..10239, 10240..20479, ...)
for c in "i = 55555#i + 0 = 55555#9" "s = 'k55555'#s || '' = 'k55555'#9" "d = 100.25#d + 0 = 100.25#9" "d30 < 5#d30 + 0 < 5#9" \
         "dt >= '2020-02-01' AND dt < '2020-02-11'#dt + 0 >= '2020-02-01' AND dt + 0 < '2020-02-11'#9" "f < 10245#f + 0 < 10245#8" "f > 10245#f + 0 > 10245#0"; do
    IFS='#' read -r pruned_where plain_where want <<<"$c"
    got=$("$KILN" query --format csv "SELECT count(*), sum(i) FROM read_parquet('d_sorted.parquet') WHERE $pruned_where" 2>&1 | tail -n 1)
    plain=$("$KILN" query --format csv "SELECT count(*), sum(i) FROM read_parquet('d_sorted.parquet') WHERE $plain_where" 2>&1 | tail -n 1)
    [ "$got" = "$plain" ] || fail "d_sorted.parquet WHERE $pruned_where: got $got, without pruning $plain"
    pruned=$("$KILN" query --format csv "SELECT count(*) FROM read_parquet('d_sorted.parquet') WHERE $pruned_where; SHOW row_groups_pruned" 2>&1 | tail -n 1)
    [ "$pruned" = "$want" ] || fail "d_sorted.parquet WHERE $pruned_where: want $want row groups pruned, got $pruned"
done

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all Parquet interoperability checks passed"
