#!/usr/bin/env bash
# bench/lake.sh: the lake writer against DuckDB's partitioned COPY.
#
#   bash bench/lake.sh [--sf 1] [--threads 2]
#
# TPC-H lineitem.csv (bench/data/sf<SF>/, made by bench/run.sh's generator)
# to Parquet (snappy) partitioned
#   ym:  by year and month of l_shipdate (~84 partitions)
#   day: by l_shipdate (~2,500 partitions)
# kiln:   COPY (SELECT ...) TO dir WITH (FORMAT parquet, PARTITION_BY (...), MODE overwrite)
# DuckDB: COPY (SELECT ...) TO dir (FORMAT parquet, PARTITION_BY (...), OVERWRITE_OR_IGNORE)
# on the same threads, one run each, timed from outside with GNU time
# (wall time, CPU seconds and peak RSS of the whole process; DuckDB's includes Node's
# ~50 MB).  Prints the ratios kiln/DuckDB (< 1: kiln faster / smaller), the
# file counts and sizes, and checks that both wrote the same number of rows.
# Outputs go to bench/out/lake/ (or $OUT).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_setup lake "$@"

# Two partitionings: name, kiln select list + PARTITION_BY, DuckDB's
declare -A kiln_cols duck_cols parts
kiln_cols[ym]="*, CAST(date_part('year', l_shipdate) AS integer) AS year, CAST(date_part('month', l_shipdate) AS integer) AS month"
duck_cols[ym]="*, CAST(year(l_shipdate) AS INTEGER) AS year, CAST(month(l_shipdate) AS INTEGER) AS month"
parts[ym]="year, month"
kiln_cols[day]="*"
duck_cols[day]="*"
parts[day]="l_shipdate"

measure() { # label, time file -> "seconds peak_kB cpu_seconds"
    awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i] }
                /User time|System time/ { cpu += $2 }
                /Maximum resident set size/ { rss = $2 } END { printf "%.2f %d %.2f\n", s, rss, cpu }' "$2"
}

files_of() { find "$1" -name '*.parquet' | wc -l; }
mb_of() { du -sm --exclude=_kiln "$1" | cut -f1; }
sizes_of() { # smallest / median / largest file in kB
    find "$1" -name '*.parquet' -printf '%s\n' | sort -n | awk '{ a[NR] = $1 } END { if (NR) printf "%d/%d/%d kB", a[1] / 1024, a[int((NR + 1) / 2)] / 1024, a[NR] / 1024 }'
}

printf 'lineitem SF %s, %s threads (one run each; time and peak RSS of the process)\n' "$sf" "$threads"
printf '%-5s %-7s %9s %9s %10s %7s %9s %s\n' case engine seconds cpu_s peak_MB files total_MB 'min/median/max file'
for c in ym day; do
    rm -rf "$out/kiln_$c" "$out/duck_$c"
    cat >"$out/kiln_$c.sql" <<SQL
SET threads = $threads;
COPY (SELECT ${kiln_cols[$c]} FROM read_csv('$data', header => true))
  TO '$out/kiln_$c' WITH (FORMAT parquet, PARTITION_BY (${parts[$c]}), MODE overwrite);
SQL
    cat >"$out/duck_$c.sql" <<SQL
COPY (SELECT ${duck_cols[$c]} FROM read_csv('$data', header = true))
  TO '$out/duck_$c' (FORMAT parquet, PARTITION_BY (${parts[$c]}), OVERWRITE_OR_IGNORE);
SQL
    /usr/bin/time -v -o "$out/kiln_$c.time" "$KILN" run "$out/kiln_$c.sql" >"$out/kiln_$c.log" 2>&1
    /usr/bin/time -v -o "$out/duck_$c.time" node "$bench_dir/duckdb_run.mjs" --sql "$out/duck_$c.sql" --threads "$threads" >"$out/duck_$c.log" 2>&1
    read -r ks km kc < <(measure kiln "$out/kiln_$c.time")
    read -r ds dm dc < <(measure duck "$out/duck_$c.time")
    printf '%-5s %-7s %9s %9s %10d %7d %9d %s\n' "$c" kiln "$ks" "$kc" $((km / 1024)) "$(files_of "$out/kiln_$c")" "$(mb_of "$out/kiln_$c")" "$(sizes_of "$out/kiln_$c")"
    printf '%-5s %-7s %9s %9s %10d %7d %9d %s\n' "$c" duckdb "$ds" "$dc" $((dm / 1024)) "$(files_of "$out/duck_$c")" "$(mb_of "$out/duck_$c")" "$(sizes_of "$out/duck_$c")"
    kr=$("$KILN" query --format csv "SELECT count(*) FROM read_parquet('$out/kiln_$c/**/*.parquet')" | tail -1)
    dr=$("$KILN" query --format csv "SELECT count(*) FROM read_parquet('$out/duck_$c/**/*.parquet')" | tail -1)
    awk -v c="$c" -v ks="$ks" -v ds="$ds" -v kc="$kc" -v dc="$dc" -v km="$km" -v dm="$dm" -v kr="$kr" -v dr="$dr" 'BEGIN {
        printf "%-5s kiln/duckdb: time %.2f, cpu %.2f, peak memory %.2f; rows %s vs %s%s\n", c, ks / ds, kc / dc, km / dm, kr, dr, kr == dr ? "" : "  MISMATCH" }'
done
