#!/usr/bin/env bash
# bench/parquet_write.sh: CSV to one Parquet file with ZSTD, kiln against
# DuckDB's COPY ... (FORMAT parquet, COMPRESSION zstd) on the same threads.
#
#   bash bench/parquet_write.sh [--sf 1] [--threads N]
#
# TPC-H lineitem.csv (bench/data/sf<SF>/, made by bench/gen_tpch.c if
# missing) read with the column types TPC-H declares (identifiers and
# l_linenumber INTEGER, money DECIMAL(15,2), dates DATE, the CHAR/VARCHAR
# columns VARCHAR) and written as one ZSTD Parquet file by each engine.
# Each engine runs once, timed from outside with GNU time: wall seconds,
# CPU seconds (user + system) and peak RSS of the whole process (DuckDB's
# includes Node's ~50 MB).  Prints the ratios kiln/DuckDB (< 1: kiln faster,
# smaller), the output sizes and their ratio (goal: kiln at most 10%
# larger), then reads each file back with BOTH engines and checks that all
# four readings give the same row count, sums, distinct count and min/max
# (prints MISMATCH and exits 1 otherwise).  Outputs go to
# bench/out/parquet_write/ (or $OUT).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_setup parquet_write "$@"

kiln_cols="l_orderkey integer, l_partkey integer, l_suppkey integer, l_linenumber integer,
  l_quantity decimal(15,2), l_extendedprice decimal(15,2), l_discount decimal(15,2), l_tax decimal(15,2),
  l_returnflag varchar, l_linestatus varchar, l_shipdate date, l_commitdate date, l_receiptdate date,
  l_shipinstruct varchar, l_shipmode varchar, l_comment varchar"
duck_cols="'l_orderkey': 'INTEGER', 'l_partkey': 'INTEGER', 'l_suppkey': 'INTEGER', 'l_linenumber': 'INTEGER',
  'l_quantity': 'DECIMAL(15,2)', 'l_extendedprice': 'DECIMAL(15,2)', 'l_discount': 'DECIMAL(15,2)',
  'l_tax': 'DECIMAL(15,2)', 'l_returnflag': 'VARCHAR', 'l_linestatus': 'VARCHAR', 'l_shipdate': 'DATE',
  'l_commitdate': 'DATE', 'l_receiptdate': 'DATE', 'l_shipinstruct': 'VARCHAR', 'l_shipmode': 'VARCHAR',
  'l_comment': 'VARCHAR'"
rm -f "$out/kiln.parquet" "$out/duck.parquet"
cat >"$out/kiln.sql" <<SQL
SET threads = $threads;
COPY (SELECT * FROM read_csv('$data', header => true, columns => '$kiln_cols'))
  TO '$out/kiln.parquet' WITH (FORMAT parquet, COMPRESSION zstd);
SQL
cat >"$out/duck.sql" <<SQL
COPY (SELECT * FROM read_csv('$data', header = true, columns = {$duck_cols}))
  TO '$out/duck.parquet' (FORMAT parquet, COMPRESSION zstd);
SQL
fmt='%e %U %S %M'
/usr/bin/time -f "$fmt" -o "$out/kiln.time" "$KILN" run "$out/kiln.sql" >"$out/kiln.log" 2>&1 ||
    { echo "kiln failed: see $out/kiln.log" >&2; exit 1; }
/usr/bin/time -f "$fmt" -o "$out/duck.time" node "$bench_dir/duckdb_run.mjs" --sql "$out/duck.sql" --threads "$threads" \
    >"$out/duck.log" 2>&1 || { echo "duckdb failed: see $out/duck.log" >&2; exit 1; }
read -r kw ku ks km < <(tail -1 "$out/kiln.time")
read -r dw du ds dm < <(tail -1 "$out/duck.time")
kb=$(stat -c %s "$out/kiln.parquet")
db=$(stat -c %s "$out/duck.parquet")

printf 'lineitem SF %s -> one Parquet file (ZSTD), %s threads, one run each; load: %s\n' "$sf" "$threads" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-7s %8s %8s %9s %10s\n' engine wall_s cpu_s peak_MB output_MB
awk -v w="$kw" -v u="$ku" -v s="$ks" -v m="$km" -v b="$kb" 'BEGIN { printf "%-7s %8.2f %8.2f %9d %10.1f\n", "kiln", w, u + s, m / 1024, b / 1048576 }'
awk -v w="$dw" -v u="$du" -v s="$ds" -v m="$dm" -v b="$db" 'BEGIN { printf "%-7s %8.2f %8.2f %9d %10.1f\n", "duckdb", w, u + s, m / 1024, b / 1048576 }'
awk -v kw="$kw" -v ku="$ku" -v ks="$ks" -v km="$km" -v kb="$kb" -v dw="$dw" -v du="$du" -v ds="$ds" -v dm="$dm" -v db="$db" 'BEGIN {
    kc = ku + ks; dc = du + ds
    printf "kiln/duckdb: wall %.2f, cpu %.2f, peak memory %.2f, output size %.3f%s\n", kw / dw, kc / dc, km / dm, kb / db,
        (kb / db > 1.10) ? "  (more than 10% larger)" : "" }'

# Read both files back with both engines: the same answers four times.
check="SELECT count(*) AS n, sum(l_orderkey) AS ok, sum(l_quantity) AS qty, sum(l_extendedprice) AS price,
  sum(l_discount) AS disc, count(DISTINCT l_comment) AS comments, sum(length(l_comment)) AS comment_chars,
  min(l_shipdate) AS first_ship, max(l_receiptdate) AS last_receipt, min(l_shipmode) AS mode,
  sum(CASE WHEN l_returnflag = 'R' THEN 1 ELSE 0 END) AS returned"
status=0
declare -A seen
for f in kiln duck; do
    file=$out/$f.parquet
    seen[kiln_$f]=$("$KILN" query --format csv "$check FROM read_parquet('$file')" | tail -1)
    cat >"$out/check_$f.sql" <<SQL
COPY ($check FROM read_parquet('$file')) TO '$out/check_duck_$f.csv' (HEADER false);
SQL
    node "$bench_dir/duckdb_run.mjs" --sql "$out/check_$f.sql" --threads "$threads" >/dev/null
    seen[duck_$f]=$(tail -1 "$out/check_duck_$f.csv")
done
for k in kiln_kiln kiln_duck duck_kiln duck_duck; do
    printf '%-9s %s\n' "$k" "${seen[$k]}"
    [ "${seen[$k]}" = "${seen[kiln_kiln]}" ] || status=1
done
[ "$status" = 0 ] && echo "read back: the same rows and sums (reader_file above)" || echo "read back: MISMATCH"
exit $status
