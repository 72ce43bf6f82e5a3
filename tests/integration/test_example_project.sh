#!/usr/bin/env bash
# test_example_project.sh: the example project (examples/shop) end to end.
# Runs the demo on a small scale in a temporary copy of the project for one
# logical date and `kiln run --all` for the next, then checks the figures
# against the generator's manifest:
# the lake's partitions, rows and revenue; the quarantine holds exactly the
# injected bad rows with the right rule and source line; the rejects hold
# exactly the malformed lines; the warehouse has the day's summary; a rerun
# of a date leaves lake and warehouse identical; `kiln history` shows the
# runs.  Also: the generator is deterministic (and --scale is --rows in
# millions); the orders job shown in README.md, run in a copy of the
# project, gives the same lake; the commands of examples/shop/README.md's
# "Running it by hand" work as written.  Exits 0 when all holds.
set -u

KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-example.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# The generator of the same build as the kiln under test, else built here.
generate=$(dirname "$KILN")/shop-generate
if [ ! -x "$generate" ]; then
    generate=$tmp/shop-generate
    # shellcheck disable=SC2046
    cc -std=c17 -O1 -o "$generate" "$root/examples/shop/generate.c" $(pkg-config --cflags --libs zlib sqlite3) ||
        { echo "FAIL: could not build the generator"; exit 1; }
fi
export KILN SHOP_GENERATE=$generate

rows=2000
day1=2026-11-24
day2=2026-11-25
shop=$tmp/shop

# ---- the generator: same arguments, same bytes; a different seed differs ----
"$generate" --rows 300 --ds "$day1" --out "$tmp/g1" >/dev/null &&
    "$generate" --rows 300 --ds "$day1" --out "$tmp/g2" >/dev/null &&
    "$generate" --rows 300 --ds "$day1" --seed 7 --out "$tmp/g3" >/dev/null || fail "the generator failed"
diff -r "$tmp/g1" "$tmp/g2" >/dev/null || fail "the generator is not deterministic"
cmp -s "$tmp/g1/orders_$day1.csv.gz" "$tmp/g3/orders_$day1.csv.gz" && fail "--seed changes nothing"
"$generate" --scale 0.0003 --ds "$day1" --out "$tmp/g5" >/dev/null || fail "the generator failed with --scale"
diff -r "$tmp/g1" "$tmp/g5" >/dev/null || fail "--scale 0.0003 differs from --rows 300"
"$generate" --rows 10 --ds "$day1" --out "$tmp/g4" >/dev/null 2>&1 && fail "--rows 10 was accepted"
"$generate" --rows 300 --ds 2026-02-30 --out "$tmp/g4" >/dev/null 2>&1 && fail "--ds 2026-02-30 was accepted"

# ---- the demo, day 1 ----
if ! bash "$root/examples/shop/demo.sh" --dir "$shop" --rows "$rows" --ds "$day1" >"$tmp/demo1.out" 2>&1; then
    fail "the demo failed for $day1"
    cat "$tmp/demo1.out"
    exit 1
fi
for want in "project shop: 5 jobs" "orders         success                 1" "daily_revenue  success                 1" \
    "type(ordered_at)" "orders_amount_check" "orders_customer_id_fkey" "last_copy    rows written by" "Where to look" \
    "lake/orders/order_date=$day1/   1 file, " "lake/_quarantine/orders/             1 file, " ".kiln/state.db" "kiln history"; do
    grep -qF -- "$want" "$tmp/demo1.out" || fail "the demo's output lacks \"$want\""
done
# every job succeeded at its first attempt (kiln.yaml's retry would hide a flaky one)
grep -E '^ *[a-z_]+ +\| failed' "$tmp/demo1.out" && fail "a job of the demo failed an attempt"
cd "$shop" || exit 1

q() { "$KILN" query --format csv "$@" 2>&1 | tail -n +2; }
# m KEY DATE: a figure of the generator's manifest
m() { q "SELECT \"$1\" FROM read_json('data/manifest_$2.json')"; }

# check_figures DATE: the day's figures, as kiln reads them back from the
# lake and the warehouse, against the manifest's (one query each: same
# columns, same order).
check_figures() {
    local ds=$1 got want
    got=$("$KILN" query --format csv "SELECT
        (SELECT count(*) FROM lake.orders WHERE order_date = DATE '$ds') AS valid_orders,
        (SELECT count(*) FROM lake.orders WHERE order_date = DATE '$ds' AND updated_at > ordered_at) AS updates,
        (SELECT count(*) FROM lake.orders WHERE order_date = DATE '$ds' AND currency = 'USD') AS orders_usd,
        (SELECT sum(amount) FROM lake.orders WHERE order_date = DATE '$ds' AND currency = 'USD') AS revenue_usd,
        (SELECT count(*) FROM lake.orders WHERE order_date = DATE '$ds' AND currency = 'EUR') AS orders_eur,
        (SELECT sum(amount) FROM lake.orders WHERE order_date = DATE '$ds' AND currency = 'EUR') AS revenue_eur,
        (SELECT count(*) FROM lake.orders WHERE order_date = DATE '$ds' AND currency = 'GBP') AS orders_gbp,
        (SELECT sum(amount) FROM lake.orders WHERE order_date = DATE '$ds' AND currency = 'GBP') AS revenue_gbp,
        (SELECT sum(orders) FROM read_sqlite('warehouse.db', 'daily_revenue') WHERE order_date = DATE '$ds') AS warehouse_orders,
        (SELECT sum(revenue) FROM read_sqlite('warehouse.db', 'daily_revenue') WHERE order_date = DATE '$ds' AND currency = 'USD') AS warehouse_revenue_usd,
        (SELECT sum(revenue) FROM read_sqlite('warehouse.db', 'daily_revenue') WHERE order_date = DATE '$ds' AND currency = 'GBP') AS warehouse_revenue_gbp,
        (SELECT count(*) FROM read_parquet('lake/_quarantine/orders') WHERE _logical_date = '$ds') AS quarantined,
        (SELECT count(*) FROM lake.clicks WHERE event_date = DATE '$ds') AS clicks,
        (SELECT count(*) FROM read_parquet('lake/_quarantine/clicks') WHERE _logical_date = '$ds'
           AND event = 'wishlist_add' AND _rules = 'clicks_event_check') AS click_unknown_events,
        (SELECT sessions || ' ' || views || ' ' || carts || ' ' || checkouts || ' ' || orders
         FROM read_sqlite('warehouse.db', 'daily_funnel') WHERE day = DATE '$ds') AS funnel" 2>&1)
    want=$("$KILN" query --format csv "SELECT valid_orders, updates,
        orders_usd, revenue_usd::numeric(12,2) AS revenue_usd,
        orders_eur, revenue_eur::numeric(12,2) AS revenue_eur,
        orders_gbp, revenue_gbp::numeric(12,2) AS revenue_gbp,
        valid_orders AS warehouse_orders, revenue_usd::numeric(12,2) AS warehouse_revenue_usd,
        revenue_gbp::numeric(12,2) AS warehouse_revenue_gbp, quarantined, clicks, click_unknown_events,
        sessions || ' ' || views || ' ' || carts || ' ' || checkouts || ' ' || valid_orders AS funnel
        FROM read_json('data/manifest_$ds.json')" 2>&1)
    [ "$got" = "$want" ] || fail "$ds: the lake and warehouse figures differ from the manifest:
$got
--- want
$want"
}

check_day() {
    local ds=$1
    check_figures "$ds"
    # the quarantine: exactly the injected bad rows, with their rule and line
    q "SELECT _source_line, order_id, _rules FROM read_parquet('lake/_quarantine/orders')
       WHERE _logical_date = '$ds' AND _source_file = 'data/orders_$ds.csv.gz' ORDER BY 1" >"$tmp/quarantine"
    grep -v ',malformed,' "data/bad_rows_$ds.csv" | tail -n +2 | cut -d, -f1,2,4 >"$tmp/bad"
    [ -s "$tmp/bad" ] || fail "$ds: the generator injected no bad rows"
    diff "$tmp/bad" "$tmp/quarantine" >"$tmp/diff" || { fail "$ds: quarantine differs from the injected rows"; head "$tmp/diff"; }
    # the rejects: exactly the malformed lines
    q "SELECT _source_line FROM lake.orders_rejects WHERE ds = DATE '$ds' ORDER BY 1" >"$tmp/rejects"
    grep ',malformed,' "data/bad_rows_$ds.csv" | cut -d, -f1 >"$tmp/malformed"
    [ -s "$tmp/malformed" ] || fail "$ds: the generator injected no malformed lines"
    diff "$tmp/malformed" "$tmp/rejects" >/dev/null || fail "$ds: rejects $(tr '\n' ' ' <"$tmp/rejects") want $(tr '\n' ' ' <"$tmp/malformed")"
}

check_day "$day1"
got=$(q "SELECT count(*) FROM lake.customers")
[ "$got" = "$(m customers "$day1")" ] || fail "lake.customers has $got rows, want $(m customers "$day1")"

# ---- README.md's orders job (shortened from jobs/orders.sql) gives the same lake ----
awk '/^```sql/ { b = 1; next } b && /^```/ { exit } b' "$root/README.md" >"$tmp/readme_orders.sql"
grep -q "TO 'lake:orders'" "$tmp/readme_orders.sql" || fail "README.md's first SQL block is not the orders job"
cp -r "$shop" "$tmp/readme"
(cd "$tmp/readme" && "$KILN" run "$tmp/readme_orders.sql" --param ds="$day1" --param source=data) >"$tmp/readme.out" 2>&1 ||
    { fail "README.md's orders job failed"; cat "$tmp/readme.out"; }
orders_of() { (cd "$1" && "$KILN" query "COPY (SELECT * FROM lake.orders ORDER BY order_id) TO STDOUT") 2>&1; }
orders_of "$shop" >"$tmp/orders_job"
orders_of "$tmp/readme" >"$tmp/orders_readme"
[ "$(wc -l <"$tmp/orders_job")" -gt 1000 ] || fail "lake.orders is too small to compare"
cmp -s "$tmp/orders_job" "$tmp/orders_readme" || fail "README.md's orders job wrote another lake.orders than jobs/orders.sql"
# and the README's command for one job alone, as written (for its date)
cmd=$(tr '\n' ' ' <"$root/README.md" | grep -oE '`kiln run jobs/orders.sql --param ds=[0-9-]+ --param source=data`' | tr -d '`')
[ -n "$cmd" ] || fail "README.md no longer shows how to run jobs/orders.sql alone"
"$generate" --rows "$rows" --ds "$(echo "$cmd" | sed -E 's/.*ds=([0-9-]+).*/\1/')" --out "$tmp/readme/data" >/dev/null
(cd "$tmp/readme" && "$KILN" ${cmd#kiln }) >"$tmp/readme.out" 2>&1 || { fail "README.md: $cmd failed"; cat "$tmp/readme.out"; }
rm -rf "$tmp/readme"

# ---- day 2, run by kiln directly: a second partition, day 1 untouched ----
"$generate" --rows "$rows" --ds "$day2" --out data >/dev/null || fail "the generator failed for $day2"
"$KILN" run --all --ds "$day2" --quiet >"$tmp/run2.out" 2>&1 || { fail "the run of $day2 failed"; cat "$tmp/run2.out"; }
check_day "$day2"
check_figures "$day1"
partitions=$(cd lake/orders && ls -d order_date=* | tr '\n' ' ')
[ "$partitions" = "order_date=$day1 order_date=$day2 " ] || fail "lake/orders partitions: $partitions"
grep -qF "row_count_change on orders: passed" ".kiln/logs/$day2/orders.1.log" ||
    fail "day 2's row_count_change check did not compare with day 1"

# ---- a rerun of day 1 leaves lake and warehouse identical ----
snapshot() {
    "$KILN" query "
        COPY (SELECT * FROM lake.orders ORDER BY order_id) TO STDOUT;
        COPY (SELECT * FROM lake.customers ORDER BY customer_id) TO STDOUT;
        COPY (SELECT * FROM lake.clicks ORDER BY event_id) TO STDOUT;
        COPY (SELECT * FROM lake.orders_rejects ORDER BY ds, _source_line) TO STDOUT;
        COPY (SELECT order_id, _rules, _source_file, _source_line, _logical_date
              FROM read_parquet('lake/_quarantine/orders') ORDER BY 5, 4) TO STDOUT;
        COPY (SELECT * FROM read_sqlite('warehouse.db', 'daily_revenue') ORDER BY 1, 2, 3) TO STDOUT;
        COPY (SELECT * FROM read_sqlite('warehouse.db', 'daily_funnel') ORDER BY 1) TO STDOUT;
        COPY (SELECT * FROM read_sqlite('warehouse.db', 'dim_customers') ORDER BY 1) TO STDOUT" >"$1" 2>&1
    find lake -name '*.parquet' | sed 's/part-.*//' | sort | uniq -c >>"$1"
}
snapshot "$tmp/before"
"$KILN" run --all --ds "$day1" --quiet >"$tmp/rerun.out" 2>&1 || { fail "the rerun of $day1 failed"; cat "$tmp/rerun.out"; }
snapshot "$tmp/after"
[ "$(wc -l <"$tmp/before")" -gt 1000 ] || fail "the snapshot is too small to mean anything"
diff "$tmp/before" "$tmp/after" >"$tmp/diff" || { fail "a rerun of $day1 changed the lake or the warehouse"; head -20 "$tmp/diff"; }
[ -z "$(find lake -path '*/_kiln/staging/*' -print -quit)" ] || fail "staging files left in the lake"

# ---- a retry (try_number=2) of an attempt replaces what it appended ----
# (the quarantine is an append keyed by the job and its parameters; the
# runner's parameters for day 1, as sched/runner.c passes them)
"$KILN" run jobs/orders.sql --job orders --param ds="$day1" --param ds_nodash=20261124 \
    --param prev_ds=2026-11-23 --param next_ds=2026-11-25 --param ts=2026-11-24T00:00:00 \
    --param source=data --param try_number=2 >"$tmp/retry.out" 2>&1 || { fail "the retry failed"; cat "$tmp/retry.out"; }
got=$(q "SELECT count(*) FROM read_parquet('lake/_quarantine/orders') WHERE _logical_date = '$day1'")
[ "$got" = "$(m quarantined "$day1")" ] || fail "after a retry the quarantine has $got rows of $day1, want $(m quarantined "$day1")"

# ---- kiln history shows the three runs ----
"$KILN" history --json >"$tmp/history.json" || fail "kiln history failed"
got=$(q "SELECT count(DISTINCT run_id) || ' runs ' || count(*) FILTER (WHERE job = 'orders' AND status = 'success') || ' orders' FROM read_json('$tmp/history.json')")
[ "$got" = "3 runs 3 orders" ] || fail "kiln history shows $got, want 3 runs 3 orders"

# ---- examples/shop/README.md, "Running it by hand", in a fresh copy ----
hand=$tmp/hand
mkdir -p "$hand/examples" "$hand/build/release"
cp -r "$root/examples/shop" "$hand/examples/"
rm -rf "$hand/examples/shop/data" "$hand/examples/shop/lake" "$hand/examples/shop/.kiln" "$hand/examples/shop/warehouse.db"
ln -s "$KILN" "$hand/kiln"
ln -s "$generate" "$hand/build/release/shop-generate"
# the block's retries would wait 10 s after a failure: fail fast instead
sed -i 's/^  retries: .*/  retries: 0/' "$hand/examples/shop/kiln.yaml"
awk '/^## Running it by hand/ { s = 1 } s && /^```/ { if (b) exit; b = 1; next } b' "$root/examples/shop/README.md" >"$tmp/hand.sh"
[ "$(grep -c 'kiln' "$tmp/hand.sh")" -ge 4 ] || fail "no commands found under \"Running it by hand\" in examples/shop/README.md"
# one script, so that its `cd` holds for the commands after it; each
# command must succeed (the script prints the one that failed)
n=0
while IFS= read -r cmd; do
    case $cmd in make*) continue ;; esac  # the build: this kiln is built already
    n=$((n + 1))
    printf '%s >>"$log" 2>&1 </dev/null || { echo %q; exit 1; }\n' "$cmd" "$cmd"
done < <(sed 's/ *#.*//' "$tmp/hand.sh" | grep -v '^$') >"$tmp/hand_run.sh"
out=$(cd "$hand" && log=$tmp/hand.out bash "$tmp/hand_run.sh" 2>&1) ||
    { fail "examples/shop/README.md: \"$out\" failed"; tail -5 "$tmp/hand.out"; }
[ "$n" -ge 6 ] || fail "only $n commands run from examples/shop/README.md"
got=$(cd "$tmp/hand/examples/shop" 2>/dev/null && "$KILN" status --ds 2026-11-25 | awk 'NR > 1 { print $4 }' | sort | uniq -c | tr -s ' ' | tr '\n' ';')
[ "$got" = " 5 success;" ] || fail "after the README's commands, kiln status --ds 2026-11-25: $got"

if [ "$failures" -ne 0 ]; then
    echo "test_example_project: $failures failures"
    exit 1
fi
echo "test_example_project: all checks passed"
exit 0
