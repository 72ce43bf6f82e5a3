#!/usr/bin/env bash
# bench/run.sh - runs kiln's benchmark workloads in kiln and in DuckDB on the
# same data with the same thread count, and prints a table of times and
# ratios (kiln / DuckDB: below 1 means kiln is faster), checking that both
# engines wrote the same output.
#
# Usage: bash bench/run.sh [--sf 1] [--threads N] [--workload NAME[,NAME...]|all]
#                          [--runs 3] [--engines kiln,duckdb] [--no-build]
#   --sf        TPC-H scale factor of the generated data (fractional allowed:
#               0.01, 0.1, 1 ...; data goes to bench/data/sf<SF>/, made once)
#   --threads   threads for both engines (default: the number of cores)
#   --workload  workloads from bench/workloads/ (default: all)
#   --runs      runs per engine and workload; the table shows the median
#               (the ratio is of the medians) and the best run
#   --engines   which engines to run (default: kiln,duckdb)
#   --no-build  do not run `make` for kiln (use the existing binary)
#   environment: KILN=path runs that kiln binary instead of build/release/kiln
#   (e.g. build/asan/kiln); CC=compiler builds the generator (default cc).
#
# Steps: build kiln (`make build/release/kiln` at the repo root) and
# bench/build/gen_tpch, generate the data if missing, install
# @duckdb/node-api into bench/node_modules if missing (`npm ci`, pinned by
# package-lock.json), then for each workload run kiln and DuckDB alternately
# --runs times.  Outputs and logs go to bench/out/<workload>/; the table is
# also saved to bench/out/results.md.
#
# Timing: kiln is timed from outside (the whole `kiln run` process); DuckDB
# from inside Node (parse, plan and run of the statements, without Node's
# start-up), each run on a fresh in-memory database.  Both read the same CSV
# from the OS page cache after the first run.
#
# Output check: each engine's output CSV without its header line is sorted
# (LC_ALL=C sort) and checksummed; rows and checksums must be equal.  On a
# mismatch the first differing lines are saved to bench/out/<workload>/diff.txt.
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd "$bench_dir/.." && pwd)

sf=1
threads=$(nproc 2>/dev/null || echo 2)
workloads=all
runs=3
engines=kiln,duckdb
build=1

die() { echo "run.sh: $*" >&2; exit 2; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --sf) sf=${2:?--sf needs a value}; shift 2 ;;
        --threads) threads=${2:?--threads needs a value}; shift 2 ;;
        --workload|--workloads) workloads=${2:?--workload needs a value}; shift 2 ;;
        --runs) runs=${2:?--runs needs a value}; shift 2 ;;
        --engines) engines=${2:?--engines needs a value}; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument \"$1\" (see --help)" ;;
    esac
done

[[ $sf =~ ^([0-9]+)?(\.[0-9]+)?$ && $sf =~ [1-9] ]] || die "--sf must be a positive number, got \"$sf\""
[[ $threads =~ ^[1-9][0-9]*$ ]] || die "--threads must be a positive integer, got \"$threads\""
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer, got \"$runs\""
run_kiln=0
run_duckdb=0
kiln_absent=skipped # what the table says for kiln when it does not run
IFS=, read -ra engine_list <<<"$engines"
for engine in "${engine_list[@]}"; do
    case "$engine" in
        kiln) run_kiln=1 ;;
        duckdb) run_duckdb=1 ;;
        *) die "unknown engine \"$engine\" (kiln, duckdb)" ;;
    esac
done

workload_list=()
if [[ $workloads == all ]]; then
    for file in "$bench_dir"/workloads/*.sql; do
        [[ $file == *.duckdb.sql ]] && continue
        workload_list+=("$(basename "$file" .sql)")
    done
else
    IFS=, read -ra workload_list <<<"$workloads"
fi
for workload in "${workload_list[@]}"; do
    [[ -f $bench_dir/workloads/$workload.sql ]] || die "no workload bench/workloads/$workload.sql"
done

log() { echo "== $*" >&2; }

# ---- build ------------------------------------------------------------------
kiln_bin=${KILN:-$repo_dir/build/release/kiln}
if [[ $run_kiln == 1 && $build == 1 ]]; then
    # Only the binary: a test file that does not compile must not stop a benchmark.
    log "building kiln (make build/release/kiln)"
    mkdir -p "$bench_dir/out"
    if ! make -C "$repo_dir" -j2 build/release/kiln >"$bench_dir/out/make.log" 2>&1; then
        tail -n 20 "$bench_dir/out/make.log" >&2
        log "kiln did not build (log: bench/out/make.log); running DuckDB only"
        run_kiln=0
        kiln_absent="no build"
    fi
fi
if [[ $run_kiln == 1 && ! -x $kiln_bin ]]; then
    log "no kiln binary at $kiln_bin; running DuckDB only"
    run_kiln=0
    kiln_absent="no binary"
fi

generator=$bench_dir/build/gen_tpch
if [[ ! -x $generator || $bench_dir/gen_tpch.c -nt $generator ]]; then
    log "building the data generator"
    mkdir -p "$bench_dir/build"
    ${CC:-cc} -std=c17 -O2 -Wall -Wextra -o "$generator" "$bench_dir/gen_tpch.c"
fi

# ---- data -------------------------------------------------------------------
data_dir=$bench_dir/data/sf$sf
if [[ ! -f $data_dir/lineitem.csv || ! -f $data_dir/orders.csv ]]; then
    log "generating TPC-H data at scale factor $sf into bench/data/sf$sf"
    mkdir -p "$data_dir"
    start=$(date +%s.%N)
    "$generator" --sf "$sf" --out "$data_dir"
    log "generated in $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s"
fi

if [[ $run_duckdb == 1 && ! -d $bench_dir/node_modules/@duckdb/node-api ]]; then
    log "installing @duckdb/node-api (npm ci)"
    (cd "$bench_dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

# ---- running ----------------------------------------------------------------
# Fills {{ name }} placeholders the way kiln's job parameters do inside string
# literals (single quotes doubled).
substitute() { # file out_path
    local data_value=${data_dir//\'/\'\'} out_value=${2//\'/\'\'}
    DATA=$data_value OUT=$out_value perl -pe 's/\{\{\s*data\s*\}\}/$ENV{DATA}/g; s/\{\{\s*out\s*\}\}/$ENV{OUT}/g' "$1"
}

# The parquet_* workloads read lineitem.parquet and orders.parquet, written once by kiln.
needs_parquet=0
for workload in "${workload_list[@]}"; do [[ $workload == parquet_* ]] && needs_parquet=1; done
for table in lineitem orders; do
    [[ $needs_parquet == 1 && ! -f $data_dir/$table.parquet ]] || continue
    [[ -x $kiln_bin ]] || die "$table.parquet is missing and there is no kiln binary to write it"
    log "writing bench/data/sf$sf/$table.parquet with kiln (bench/prepare/${table}_parquet.sql)"
    mkdir -p "$bench_dir/out"
    substitute "$bench_dir/prepare/${table}_parquet.sql" "" >"$bench_dir/out/${table}_parquet.sql"
    start=$(date +%s.%N)
    "$kiln_bin" run "$bench_dir/out/${table}_parquet.sql" >&2
    mv "$data_dir/$table.parquet.tmp" "$data_dir/$table.parquet"
    log "written in $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s"
done

elapsed() { awk -v s="${1/,/.}" -v e="${2/,/.}" 'BEGIN { printf "%.3f", e - s }'; } # EPOCHREALTIME's decimal point follows the locale
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
best() { printf '%s\n' "$@" | sort -g | head -n 1; }

# Rows and checksum of a CSV output without its header: "ROWS CHECKSUM".
fingerprint() {
    local rows sum
    rows=$(tail -n +2 "$1" | wc -l)
    sum=$(tail -n +2 "$1" | LC_ALL=C sort -S 256M | md5sum | cut -c1-12)
    echo "$rows $sum"
}

kiln_once() { # workload out_dir -> prints "seconds peak_MB", or fails
    local workload=$1 out_dir=$2 start end peak_kb
    # On the workload's first line (a comment), so kiln's error lines match the workload file.
    { printf 'SET threads = %s; ' "$threads"; substitute "$bench_dir/workloads/$workload.sql" "$out_dir/kiln.csv"; } >"$out_dir/kiln.sql"
    rm -f "$out_dir/kiln.csv"
    # bash's own clock: $(date) would add the fork of a subshell and of
    # date to each end of the interval (a few milliseconds, which matter
    # next to the ~0.08 s of the smallest workload)
    start=$EPOCHREALTIME
    # GNU time (scripts/install-deps.sh installs it) measures the peak RSS; its own cost is a fork.
    if ! /usr/bin/time -f '%M' -o "$out_dir/kiln.peak" "$kiln_bin" run "$out_dir/kiln.sql" >"$out_dir/kiln.log" 2>&1; then
        return 1
    fi
    end=$EPOCHREALTIME
    [[ -f $out_dir/kiln.csv ]] || { echo "kiln wrote no $out_dir/kiln.csv" >>"$out_dir/kiln.log"; return 1; }
    peak_kb=$(tail -n 1 "$out_dir/kiln.peak")
    printf '%s %s\n' "$(elapsed "$start" "$end")" "$(awk -v k="$peak_kb" 'BEGIN { printf "%.0f", k / 1024 }')"
}

duckdb_once() { # workload out_dir -> prints "seconds peak_MB" (Node's own memory excluded), or fails
    local workload=$1 out_dir=$2 sql_file report
    sql_file=$bench_dir/workloads/$workload.duckdb.sql
    [[ -f $sql_file ]] || sql_file=$bench_dir/workloads/$workload.sql
    rm -f "$out_dir/duckdb.csv"
    if ! report=$(node "$bench_dir/duckdb_run.mjs" --sql "$sql_file" --threads "$threads" \
            --param "data=$data_dir" --param "out=$out_dir/duckdb.csv" 2>"$out_dir/duckdb.log"); then
        return 1
    fi
    echo "$report" >>"$out_dir/duckdb.log"
    local seconds peak node
    seconds=$(sed -n 's/.*"run":1,"seconds":\([0-9.e+-]*\),.*/\1/p' <<<"$report")
    peak=$(sed -n 's/.*"peak_mb":\([0-9.e+-]*\).*/\1/p' <<<"$report")
    node=$(sed -n 's/.*"node_mb":\([0-9.e+-]*\).*/\1/p' <<<"$report")
    awk -v s="$seconds" -v p="$peak" -v n="$node" 'BEGIN { printf "%.3f %.0f\n", s, p - n }'
}

mkdir -p "$bench_dir/out"
results=$bench_dir/out/results.md
{
    echo "| workload | kiln s | duckdb s | kiln/duckdb | best kiln s | best duckdb s | kiln MB | duckdb MB | memory kiln/duckdb | same output |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
} >"$results"
table_format='%-22s %10s %10s %12s %10s %11s %8s %9s %10s  %s\n'
# shellcheck disable=SC2059 # the format is a variable on purpose
printf "$table_format" workload "kiln s" "duckdb s" kiln/duckdb "best kiln" "best duckdb" "kiln MB" "duckdb MB" "mem ratio" "same output" >"$bench_dir/out/table.txt"

for workload in "${workload_list[@]}"; do
    out_dir=$bench_dir/out/$workload
    mkdir -p "$out_dir"
    rm -f "$out_dir"/diff.txt
    kiln_times=()
    duckdb_times=()
    kiln_peaks=()
    duckdb_peaks=()
    kiln_state=$([[ $run_kiln == 1 ]] && echo ok || echo "$kiln_absent")
    duckdb_state=$([[ $run_duckdb == 1 ]] && echo ok || echo skipped)
    for ((run = 1; run <= runs; run++)); do
        if [[ $kiln_state == ok ]]; then
            if measured=$(kiln_once "$workload" "$out_dir"); then
                read -r seconds peak <<<"$measured"
                kiln_times+=("$seconds")
                kiln_peaks+=("$peak")
                log "$workload: kiln run $run: $seconds s, peak $peak MB"
            else
                kiln_state=error
                log "$workload: kiln failed (bench/out/$workload/kiln.log):"
                head -n 5 "$out_dir/kiln.log" >&2
            fi
        fi
        if [[ $duckdb_state == ok ]]; then
            if measured=$(duckdb_once "$workload" "$out_dir"); then
                read -r seconds peak <<<"$measured"
                duckdb_times+=("$seconds")
                duckdb_peaks+=("$peak")
                log "$workload: duckdb run $run: $seconds s, peak $peak MB (Node's own memory excluded)"
            else
                duckdb_state=error
                log "$workload: duckdb failed (bench/out/$workload/duckdb.log):"
                head -n 5 "$out_dir/duckdb.log" >&2
            fi
        fi
    done

    kiln_cell=$kiln_state
    duckdb_cell=$duckdb_state
    ratio=-
    kiln_best=-
    duckdb_best=-
    kiln_mb=-
    duckdb_mb=-
    memory_ratio=-
    if [[ $kiln_state == ok ]]; then
        kiln_cell=$(median "${kiln_times[@]}")
        kiln_best=$(best "${kiln_times[@]}")
        kiln_mb=$(median "${kiln_peaks[@]}")
    fi
    if [[ $duckdb_state == ok ]]; then
        duckdb_cell=$(median "${duckdb_times[@]}")
        duckdb_best=$(best "${duckdb_times[@]}")
        duckdb_mb=$(median "${duckdb_peaks[@]}")
    fi
    if [[ $kiln_state == ok && $duckdb_state == ok ]]; then
        ratio=$(awk -v k="$kiln_cell" -v d="$duckdb_cell" 'BEGIN { if (d > 0) printf "%.2f", k / d; else print "-" }')
        memory_ratio=$(awk -v k="$kiln_mb" -v d="$duckdb_mb" 'BEGIN { if (d > 0) printf "%.2f", k / d; else print "-" }')
        read -r kiln_rows kiln_sum <<<"$(fingerprint "$out_dir/kiln.csv")"
        read -r duckdb_rows duckdb_sum <<<"$(fingerprint "$out_dir/duckdb.csv")"
        if [[ $kiln_rows == "$duckdb_rows" && $kiln_sum == "$duckdb_sum" ]]; then
            same="yes ($kiln_rows rows, $kiln_sum)"
        else
            same="NO (rows $kiln_rows vs $duckdb_rows; bench/out/$workload/diff.txt)"
            {
                echo "# sorted outputs without header: < kiln.csv, > duckdb.csv (first 40 lines of diff)"
                diff <(tail -n +2 "$out_dir/kiln.csv" | LC_ALL=C sort) \
                     <(tail -n +2 "$out_dir/duckdb.csv" | LC_ALL=C sort) | head -n 40 || true
            } >"$out_dir/diff.txt"
        fi
    elif [[ $duckdb_state == ok ]]; then
        read -r duckdb_rows duckdb_sum <<<"$(fingerprint "$out_dir/duckdb.csv")"
        same="- (duckdb: $duckdb_rows rows, $duckdb_sum)"
    else
        same=-
    fi
    # shellcheck disable=SC2059
    printf "$table_format" "$workload" "$kiln_cell" "$duckdb_cell" "$ratio" "$kiln_best" "$duckdb_best" "$kiln_mb" "$duckdb_mb" "$memory_ratio" "$same" >>"$bench_dir/out/table.txt"
    echo "| $workload | $kiln_cell | $duckdb_cell | $ratio | $kiln_best | $duckdb_best | $kiln_mb | $duckdb_mb | $memory_ratio | $same |" >>"$results"
done

echo
echo "TPC-H SF $sf, $threads threads, $runs runs: median and best (seconds), median peak memory (MB; DuckDB's without Node's own); kiln/duckdb (of the medians) < 1 means kiln is faster or smaller"
cat "$bench_dir/out/table.txt"
