#!/usr/bin/env bash
# demo.sh: the shop example end to end (`make demo`, and the README's first
# command after the build).  Generates a day of raw data, runs the DAG of
# kiln.yaml for that logical date, and prints what happened and where to
# look.  Nothing but local files: the lake is ./lake, the warehouse the
# SQLite file ./warehouse.db.
#
#   bash examples/shop/demo.sh [--ds DATE] [--rows N | --scale F] [--dir DIR]
#
#   --ds DATE   the logical date (default 2026-11-24)
#   --rows N    orders in the day's export (default 20000); --scale F for
#               F million (a load test: --scale 1 is a million orders)
#   --dir DIR   run in a copy of the project in DIR instead of in place
#
# Environment: KILN (default ./kiln of the repository), SHOP_GENERATE (the
# generator; default build/release/shop-generate, built if missing).
# Running it again for the same date is a rerun: the lake and warehouse end
# up the same, and `kiln history` shows both runs.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
ds=2026-11-24
size=(--rows 20000)
dir=$here
while [ $# -gt 0 ]; do
    case $1 in
        --ds) ds=$2; shift 2 ;;
        --rows) size=(--rows "$2"); shift 2 ;;
        --scale) size=(--scale "$2"); shift 2 ;;
        --dir) dir=$2; shift 2 ;;
        -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "demo.sh: unknown argument \"$1\" (try --help)" >&2; exit 2 ;;
    esac
done

absolute() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
kiln=$(absolute "${KILN:-$root/kiln}")
generate=${SHOP_GENERATE:-$root/build/release/shop-generate}
if [ ! -x "$generate" ]; then
    make -s -C "$root" build/release/shop-generate
fi
generate=$(absolute "$generate")

if [ "$dir" != "$here" ]; then
    mkdir -p "$dir"
    cp -r "$here/kiln.yaml" "$here/jobs" "$here/report" "$dir/"
fi
cd "$dir"
# how the epilogue names the folder and the binary: relative to the
# repository when the demo runs in place
shown_dir=$dir shown_kiln=$kiln
case $dir in "$root"/*) shown_dir=${dir#"$root"/} ;; esac
[ "$dir" = "$here" ] && [ "$kiln" = "$root/kiln" ] && shown_kiln=../../kiln

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
[ -t 1 ] || step() { printf '\n== %s\n' "$*"; }

started=$(date +%s.%N)
step "1. A day of raw data for $ds (shop-generate ${size[*]} --ds $ds --out $shown_dir/data)"
"$generate" "${size[@]}" --ds "$ds" --out data
printf '   %-30s %s\n' \
    "data/customers.db" "the shop's customer database (SQLite)" \
    "data/orders_$ds.csv.gz" "the order export: late updates, bad dates, refunds," \
    "" "unknown customers and malformed lines included" \
    "data/clicks_$ds.jsonl" "click events, with bots and double deliveries"

step "2. The DAG (kiln dag, from $shown_dir/kiln.yaml)"
"$kiln" dag

step "3. Run it for the logical date: kiln run --all --ds $ds"
status=0
"$kiln" run --all --ds "$ds" --quiet || status=$?
if [ "$status" -ne 0 ]; then
    echo
    echo "The run failed (exit code $status).  Each attempt's output is in"
    echo "$shown_dir/.kiln/logs/$ds/JOB.N.log; kiln history --ds $ds shows the errors."
    exit "$status"
fi

step "4. What each job did (from .kiln/state.db and the lake's commit records: report/jobs.sql)"
"$kiln" run report/jobs.sql --param ds="$ds"
cat <<'TEXT'
   rows_in      rows the job's contract checked (after deduplication and filters)
   rows_out     rows that passed it and were written on
   quarantined  rows that broke it, kept in lake/_quarantine (below)
   rejected     malformed CSV lines, set aside before the contract (lake/orders_rejects)
   lake_files   files the job committed to the lake for this date
   last_copy    rows written by the job's last COPY (the figure of `kiln run`)
TEXT

step "5. The quarantine: the rows the contracts turned away, with the rule and where they came from"
"$kiln" run report/quarantine.sql --param ds="$ds"

step "6. The warehouse ($shown_dir/warehouse.db): the day's revenue and funnel"
"$kiln" run report/warehouse.sql --param ds="$ds"
"$kiln" run report/funnel.sql --param ds="$ds"

elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
step "Done in $elapsed s.  Where to look (in $shown_dir):"
# files: the number and size of the data files under a folder (the lake's
# bookkeeping in _kiln/ aside)
files() {
    local n size
    n=$(find "$1" -type f ! -path '*/_kiln/*' ! -name '_SUCCESS' 2>/dev/null | wc -l)
    size=$(du -sh --exclude=_kiln "$1" 2>/dev/null | cut -f1)
    [ "$n" -eq 1 ] && echo "1 file, $size" || echo "$n files, $size"
}
printf '   %-36s %-18s %s\n' \
    "lake/orders/order_date=$ds/" "$(files "lake/orders/order_date=$ds")" "the clean orders (Parquet)" \
    "lake/clicks/event_date=$ds/" "$(files "lake/clicks/event_date=$ds")" "the clean click events" \
    "lake/customers/" "$(files lake/customers)" "the customer dimension" \
    "lake/_quarantine/orders/" "$(files lake/_quarantine/orders)" "quarantined rows with their rules, file and line" \
    "lake/_quarantine/clicks/" "$(files lake/_quarantine/clicks)" "likewise for the click events" \
    "lake/orders_rejects/" "$(files lake/orders_rejects)" "malformed CSV lines, as they were" \
    "warehouse.db" "$(du -h warehouse.db | cut -f1)" "daily_revenue, daily_funnel, dim_customers (SQLite)" \
    ".kiln/state.db" "" "the run history: kiln history, kiln status" \
    ".kiln/logs/$ds/" "" "each attempt's log and quality report (JSON)" \
    "jobs/*.sql, kiln.yaml" "" "the jobs and the DAG; docs/guide.md explains them"
kiln=$shown_kiln
cat <<TEXT

   Try, in $shown_dir (cd $shown_dir):
     $kiln query "SELECT order_date, count(*), sum(amount) FROM lake.orders GROUP BY 1"
     $kiln query "SELECT * FROM read_parquet('lake/_quarantine/orders') LIMIT 3"
     $kiln query "SELECT * FROM read_sqlite('warehouse.db', 'daily_funnel')"
     $kiln history
     $kiln run --all --ds $ds     # a rerun: same lake, same warehouse
TEXT
