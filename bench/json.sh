#!/usr/bin/env bash
# bench/json.sh: reading JSON Lines and writing Parquet, kiln against
# DuckDB's read_json on the same files and the same number of threads.
#
#   bash bench/json.sh [--sf 0.5] [--threads N] [--runs 3] [--no-build]
#
# Data (made once, deterministic): TPC-H lineitem from bench/run.sh's
# generator (bench/data/sf<SF>/lineitem.csv) turned into JSON Lines by kiln
# into bench/data/json_sf<SF>/:
#   lineitem.jsonl     one object a line, 16 keys: 4 integers, 4 decimals
#                      with 2 digits, 3 dates and 5 strings (about 1.1 GB
#                      at SF 0.5, 3 million lines)
#   lineitem.jsonl.gz  the same, gzip -6 -n (about 0.25 GB)
# Workloads, both engines inferring the schema from the file:
#   jsonl     COPY (SELECT * FROM read_json('lineitem.jsonl')) TO '...parquet' (snappy)
#   jsonl_gz  the same from lineitem.jsonl.gz
# kiln splits the plain file into byte ranges read by all threads; a gzip
# file can only be read from start to end, by one thread, in both engines.
#
# Each workload runs kiln and DuckDB alternately --runs times; the table
# shows the median wall time of each (kiln: the whole process; DuckDB: the
# statements inside Node, as bench/run.sh times them) and their ratio
# (kiln / DuckDB, below 1: kiln is faster), and the median CPU time (user +
# system, whole processes, Node's start-up included for DuckDB) and its
# ratio, which a busy machine disturbs less.  Both outputs are read back by
# kiln and must give the same row count and column sums ("same output").
# Outputs go to bench/out/json/.
set -euo pipefail
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$bench_dir/.." && pwd)
sf=0.5
threads=$(nproc 2>/dev/null || echo 2)
runs=3
build=1
while [[ $# -gt 0 ]]; do
    case $1 in
        --sf) sf=${2:?--sf needs a value}; shift 2 ;;
        --threads) threads=${2:?--threads needs a value}; shift 2 ;;
        --runs) runs=${2:?--runs needs a value}; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "usage: bash bench/json.sh [--sf 0.5] [--threads N] [--runs 3] [--no-build]" >&2; exit 2 ;;
    esac
done
[[ $threads =~ ^[1-9][0-9]*$ ]] || { echo "json.sh: --threads must be a positive integer" >&2; exit 2; }
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "json.sh: --runs must be a positive integer" >&2; exit 2; }
log() { echo "== $*" >&2; }

KILN=${KILN:-$root/build/release/kiln}
out=$bench_dir/out/json
mkdir -p "$out"
if [[ $build == 1 ]]; then
    log "building kiln (make build/release/kiln)"
    make -C "$root" -j2 build/release/kiln >"$out/make.log" 2>&1 || { tail -n 20 "$out/make.log" >&2; exit 1; }
fi
[[ -x $KILN ]] || { echo "json.sh: no kiln binary at $KILN" >&2; exit 1; }
[[ -d $bench_dir/node_modules/@duckdb/node-api ]] || (cd "$bench_dir" && npm ci --no-audit --no-fund --loglevel=error >&2)

# ---- data -------------------------------------------------------------------
csv=$bench_dir/data/sf$sf/lineitem.csv
if [[ ! -f $csv ]]; then
    log "generating TPC-H data at scale factor $sf"
    mkdir -p "$bench_dir/build" "$bench_dir/data/sf$sf"
    ${CC:-cc} -std=c17 -O2 -o "$bench_dir/build/gen_tpch" "$bench_dir/gen_tpch.c"
    "$bench_dir/build/gen_tpch" --sf "$sf" --out "$bench_dir/data/sf$sf"
fi
data=$bench_dir/data/json_sf$sf
mkdir -p "$data"
if [[ ! -f $data/lineitem.jsonl ]]; then
    log "writing bench/data/json_sf$sf/lineitem.jsonl"
    "$KILN" query "COPY (SELECT l_orderkey, l_partkey, l_suppkey, l_linenumber,
                                CAST(l_quantity AS numeric(15,2)) AS l_quantity,
                                CAST(l_extendedprice AS numeric(15,2)) AS l_extendedprice,
                                CAST(l_discount AS numeric(15,2)) AS l_discount,
                                CAST(l_tax AS numeric(15,2)) AS l_tax,
                                l_returnflag, l_linestatus, l_shipdate, l_commitdate, l_receiptdate,
                                l_shipinstruct, l_shipmode, l_comment
                         FROM read_csv('$csv', header => true))
                   TO '$data/lineitem.jsonl.tmp' (FORMAT json)" >&2
    mv "$data/lineitem.jsonl.tmp" "$data/lineitem.jsonl"
fi
if [[ ! -f $data/lineitem.jsonl.gz ]]; then
    log "writing bench/data/json_sf$sf/lineitem.jsonl.gz"
    gzip -6 -n -c "$data/lineitem.jsonl" >"$data/lineitem.jsonl.gz.tmp"
    mv "$data/lineitem.jsonl.gz.tmp" "$data/lineitem.jsonl.gz"
fi

# ---- running ----------------------------------------------------------------
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v k="$1" -v d="$2" 'BEGIN { if (d > 0) printf "%.2f", k / d; else print "-" }'; }
cpu_of() { awk '/^cpu / { printf "%.2f", $2 + $3 }' "$1"; } # a GNU time -o file written with -f "cpu %U %S"

# What both engines' outputs must agree on: rows and sums of every kind of column.
check_sql() {
    echo "SELECT count(*), sum(l_orderkey), sum(l_partkey + l_suppkey + l_linenumber), sum(l_quantity),
                 round(sum(l_extendedprice)), round(sum(l_discount + l_tax), 2), count(DISTINCT l_comment),
                 min(l_shipdate), max(l_commitdate), max(l_receiptdate), max(l_returnflag || l_linestatus || l_shipinstruct || l_shipmode)
          FROM read_parquet('$1')"
}

declare -A source=([jsonl]=lineitem.jsonl [jsonl_gz]=lineitem.jsonl.gz)
table=$out/table.txt
printf '%-10s %8s %10s %12s %8s %10s %12s  %s\n' workload "kiln s" "duckdb s" kiln/duckdb "kiln cpu" "duckdb cpu" "cpu ratio" "same output" >"$table"
for workload in jsonl jsonl_gz; do
    file=$data/${source[$workload]}
    kiln_sql=$out/$workload.kiln.sql
    duck_sql=$out/$workload.duckdb.sql
    printf "SET threads = %s;\nCOPY (SELECT * FROM read_json('%s')) TO '%s' (FORMAT parquet, COMPRESSION snappy);\n" \
        "$threads" "$file" "$out/$workload.kiln.parquet" >"$kiln_sql"
    printf "COPY (SELECT * FROM read_json('%s')) TO '{{ out }}' (FORMAT parquet, COMPRESSION snappy);\n" "$file" >"$duck_sql"
    kiln_wall=() kiln_cpu=() duck_wall=() duck_cpu=()
    for ((run = 1; run <= runs; run++)); do
        rm -f "$out/$workload.kiln.parquet"
        start=$(date +%s.%N)
        /usr/bin/time -f "cpu %U %S" -o "$out/time.txt" "$KILN" run "$kiln_sql" >"$out/$workload.kiln.log" 2>&1
        kiln_wall+=("$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.3f", e - s }')")
        kiln_cpu+=("$(cpu_of "$out/time.txt")")
        rm -f "$out/$workload.duckdb.parquet"
        report=$(/usr/bin/time -f "cpu %U %S" -o "$out/time.txt" node "$bench_dir/duckdb_run.mjs" --sql "$duck_sql" \
                 --threads "$threads" --param "out=$out/$workload.duckdb.parquet" 2>"$out/$workload.duckdb.log")
        duck_wall+=("$(sed -n 's/.*"run":1,"seconds":\([0-9.e+-]*\),.*/\1/p' <<<"$report" | xargs printf '%.3f')")
        duck_cpu+=("$(cpu_of "$out/time.txt")")
        log "$workload run $run: kiln ${kiln_wall[-1]} s (cpu ${kiln_cpu[-1]} s), duckdb ${duck_wall[-1]} s (cpu ${duck_cpu[-1]} s)"
    done
    kw=$(median "${kiln_wall[@]}") kc=$(median "${kiln_cpu[@]}") dw=$(median "${duck_wall[@]}") dc=$(median "${duck_cpu[@]}")
    "$KILN" query --format csv "$(check_sql "$out/$workload.kiln.parquet")" >"$out/$workload.kiln.check"
    "$KILN" query --format csv "$(check_sql "$out/$workload.duckdb.parquet")" >"$out/$workload.duckdb.check"
    if cmp -s "$out/$workload.kiln.check" "$out/$workload.duckdb.check"; then
        same="yes ($(tail -n 1 "$out/$workload.kiln.check" | cut -d, -f1) rows)"
    else
        same="NO (bench/out/json/$workload.*.check)"
    fi
    printf '%-10s %8s %10s %12s %8s %10s %12s  %s\n' "$workload" "$kw" "$dw" "$(ratio "$kw" "$dw")" "$kc" "$dc" \
        "$(ratio "$kc" "$dc")" "$same" >>"$table"
done
echo
echo "JSON Lines to Parquet, TPC-H lineitem SF $sf ($(du -h "$data/lineitem.jsonl" | cut -f1) plain, $(du -h "$data/lineitem.jsonl.gz" | cut -f1) gzip), $threads threads, median of $runs runs; ratios kiln/DuckDB (< 1: kiln faster)"
cat "$table"
