#!/usr/bin/env bash
# bench/s3.sh: kiln's S3 client against the AWS CLI, on the local S3 test
# server (tests/integration/s3/server.sh: s3rver on 127.0.0.1, which stores
# every object and part in files on the local disk).
#
#   bash bench/s3.sh [--size-mb 1024] [--sf 1] [--threads 2]
#
# 1. upload and download of a --size-mb object (a CSV made from lineitem):
#      kiln up:    COPY (SELECT * FROM read_csv(local, all_varchar)) TO 's3://bench/kiln.csv'
#      aws up:     aws s3 cp local s3://bench/aws.csv
#      kiln down:  COPY (SELECT * FROM read_csv('s3://bench/aws.csv', all_varchar)) TO local
#      aws down:   aws s3 cp s3://bench/aws.csv local
#    kiln parses and writes CSV on the way (it has no raw byte copy), so the
#    same COPY from local file to local file is timed too: kiln's S3 cost is
#    its S3 time minus that;
# 2. the SF --sf lineitem CSV to Parquet partitioned by year and month of
#    l_shipdate (~84 partitions), written straight to S3 by kiln, against
#    kiln writing it to the local disk followed by `aws s3 cp --recursive`
#    of that folder (the AWS CLI has no query engine: that is how it would
#    get the job's output to S3).
# Every step is one run, timed from outside (wall seconds and CPU seconds
# of the process, user + system); the server's own CPU seconds during the
# step are read from /proc (s3rver is JavaScript and writes every byte to
# disk: on a real S3 that cost is not on this machine).  Ratios are
# kiln / AWS CLI (< 1: kiln faster).  Byte-for-byte checks: kiln's upload
# and aws's download are compared with the source.  Outputs go to
# bench/out/s3/ (removed at the end, except results.txt).
# DuckDB is not compared: its S3 support is the httpfs extension, which
# DuckDB downloads from extensions.duckdb.org on first use; the script
# tries `LOAD httpfs` offline and says whether it could.
set -uo pipefail
bench_dir=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$bench_dir/.." && pwd)
size_mb=1024
sf=1
threads=2
while [ $# -gt 0 ]; do
    case $1 in
        --size-mb) size_mb=$2; shift 2 ;;
        --sf) sf=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        *) echo "usage: bash bench/s3.sh [--size-mb 1024] [--sf 1] [--threads N]" >&2; exit 2 ;;
    esac
done
KILN=${KILN:-$root/build/release/kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
command -v aws >/dev/null || { echo "the AWS CLI is needed (Debian package awscli)"; exit 1; }
lineitem=$bench_dir/data/sf$sf/lineitem.csv
if [ ! -f "$lineitem" ]; then
    mkdir -p "$bench_dir/build"
    cc -std=c17 -O2 -o "$bench_dir/build/gen_tpch" "$bench_dir/gen_tpch.c"
    "$bench_dir/build/gen_tpch" --sf "$sf" --out "$bench_dir/data/sf$sf"
fi
out=$bench_dir/out/s3
rm -rf "$out"
mkdir -p "$out"
results=$out/results.txt
. "$root/tests/integration/s3/server.sh"
s3_start "$out/server" >/dev/null || { echo "the S3 test server did not start"; exit 1; }
trap 'kill "$S3_SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$out/server" "$out/big.csv" "$out/down_"* "$out/local_"*' EXIT
awscli s3 mb s3://bench >/dev/null

# server_cpu: CPU seconds the server has used so far
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15) / hz }' "/proc/$S3_SERVER_PID/stat"; }
# step NAME COMMAND...: run once; records "NAME wall cpu server_cpu" in $out/steps
step() {
    local name=$1
    shift
    local before after
    before=$(server_cpu)
    /usr/bin/time -f '%e %U %S' -o "$out/$name.time" "$@" >"$out/$name.log" 2>&1 || { echo "$name failed:"; tail -5 "$out/$name.log"; }
    after=$(server_cpu)
    read -r wall user sys <"$out/$name.time"
    printf '%s %s %.2f %.2f\n' "$name" "$wall" "$(echo "$user + $sys" | bc)" "$(echo "$after - $before" | bc)" >>"$out/steps"
}
get() { awk -v n="$1" -v f="$2" '$1 == n { print $f }' "$out/steps"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

# ---- the object: lineitem rows up to size_mb ----
{ cat "$lineitem"; tail -n +2 "$lineitem"; } | head -c $((size_mb * 1024 * 1024)) | sed '$d' >"$out/big.csv"
bytes=$(stat -c %s "$out/big.csv")
rd="read_csv('$out/big.csv', header => true, all_varchar => true)"
step kiln_local_copy "$KILN" query "SET threads = $threads; COPY (SELECT * FROM $rd) TO '$out/local_copy.csv' (HEADER)"
step kiln_up "$KILN" query "SET threads = $threads; COPY (SELECT * FROM $rd) TO 's3://bench/kiln.csv' (HEADER)"
step aws_up aws --endpoint-url "$S3_ENDPOINT" --region us-east-1 s3 cp --only-show-errors "$out/big.csv" s3://bench/aws.csv
step kiln_down "$KILN" query "SET threads = $threads; COPY (SELECT * FROM read_csv('s3://bench/aws.csv', header => true, all_varchar => true)) TO '$out/down_kiln.csv' (HEADER)"
step aws_down aws --endpoint-url "$S3_ENDPOINT" --region us-east-1 s3 cp --only-show-errors s3://bench/aws.csv "$out/down_aws.csv"
cmp -s "$out/big.csv" "$out/down_aws.csv" && same_aws=yes || same_aws=NO
cmp -s "$out/big.csv" "$out/down_kiln.csv" && same_kiln=yes || same_kiln=NO
awscli s3 cp --only-show-errors s3://bench/kiln.csv "$out/down_kilnup.csv"
cmp -s "$out/big.csv" "$out/down_kilnup.csv" && same_up=yes || same_up=NO
rm -f "$out/down_"* "$out/local_"*

# ---- SF lineitem CSV -> Parquet partitioned by year, month ----
sel="SELECT *, CAST(date_part('year', l_shipdate) AS integer) AS year, CAST(date_part('month', l_shipdate) AS integer) AS month
     FROM read_csv('$lineitem', header => true)"
step lake_s3 "$KILN" query "SET threads = $threads; COPY ($sel) TO 's3://bench/lineitem' WITH (FORMAT parquet, PARTITION_BY (year, month), MODE overwrite)"
step lake_local "$KILN" query "SET threads = $threads; COPY ($sel) TO '$out/local_lake' WITH (FORMAT parquet, PARTITION_BY (year, month), MODE overwrite)"
step lake_aws_up aws --endpoint-url "$S3_ENDPOINT" --region us-east-1 s3 cp --only-show-errors --recursive "$out/local_lake" s3://bench/lineitem_aws
files_s3=$(awscli s3 ls --recursive s3://bench/lineitem/ | grep -c '\.parquet$')
files_local=$(find "$out/local_lake" -name '*.parquet' | wc -l)
rows_s3=$("$KILN" query --format csv "SELECT count(*) FROM read_parquet('s3://bench/lineitem')" | tail -1)
rows_csv=$(($(wc -l <"$lineitem") - 1))
rm -rf "$out/local_lake"

# ---- DuckDB: can httpfs load without the network? ----
duck="not tried (bench/node_modules has no @duckdb/node-api)"
if [ -d "$bench_dir/node_modules/@duckdb/node-api" ]; then
    printf 'LOAD httpfs;\n' >"$out/duck.sql"
    if timeout 60 node "$bench_dir/duckdb_run.mjs" --sql "$out/duck.sql" --threads 1 >"$out/duck.log" 2>&1; then
        duck="httpfs loaded, but this script does not run DuckDB yet"
    else
        duck="not compared: LOAD httpfs failed offline ($(grep -o 'Extension .*' "$out/duck.log" | head -1 | cut -c1-120))"
    fi
fi

{
    printf 'kiln S3 benchmark: %s MB object (%s bytes), lineitem SF %s, %s threads; local s3rver; one run each\n' \
        "$size_mb" "$bytes" "$sf" "$threads"
    printf 'uptime: %s\n\n' "$(uptime)"
    printf '%-16s %8s %8s %11s\n' step wall_s cpu_s server_cpu_s
    while read -r n w c s; do printf '%-16s %8s %8s %11s\n' "$n" "$w" "$c" "$s"; done <"$out/steps"
    echo
    printf 'upload:   kiln/aws wall %s, cpu %s; kiln minus its local copy: %.2f s wall\n' \
        "$(ratio "$(get kiln_up 2)" "$(get aws_up 2)")" "$(ratio "$(get kiln_up 3)" "$(get aws_up 3)")" \
        "$(echo "$(get kiln_up 2) - $(get kiln_local_copy 2)" | bc)"
    printf 'download: kiln/aws wall %s, cpu %s; kiln minus its local copy: %.2f s wall\n' \
        "$(ratio "$(get kiln_down 2)" "$(get aws_down 2)")" "$(ratio "$(get kiln_down 3)" "$(get aws_down 3)")" \
        "$(echo "$(get kiln_down 2) - $(get kiln_local_copy 2)" | bc)"
    printf 'lake:     kiln to S3 / (kiln to disk + aws cp --recursive) wall %s, cpu %s\n' \
        "$(ratio "$(get lake_s3 2)" "$(echo "$(get lake_local 2) + $(get lake_aws_up 2)" | bc)")" \
        "$(ratio "$(get lake_s3 3)" "$(echo "$(get lake_local 3) + $(get lake_aws_up 3)" | bc)")"
    printf 'checks:   kiln upload byte for byte %s, aws download %s, kiln download %s; lake files %s on S3, %s local; rows %s of %s\n' \
        "$same_up" "$same_aws" "$same_kiln" "$files_s3" "$files_local" "$rows_s3" "$rows_csv"
    printf 'duckdb:   %s\n' "$duck"
} | tee "$results"
