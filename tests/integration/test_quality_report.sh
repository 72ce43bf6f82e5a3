#!/usr/bin/env bash
# test_quality_report.sh: the quality report of `kiln run` (issue 7, items 6
# and 7): the per-column profile checked against independent count(*)
# queries on the same data, --report JSON and the stderr summary, checks
# across runs with --baseline (first run, a drift that fires and one that
# does not, the exact boundary, warn vs fail exit codes, freshness against
# the logical date), and a project run whose state keeps the reports and
# hands the previous day's report to the next run.  $KILN is the binary.
set -u

KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-quality.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0
cd "$tmp" || exit 1

fail() {
    echo "FAIL: $1"
    [ $# -lt 3 ] || echo "  expected: $(printf '%q' "$2")"
    [ $# -lt 3 ] || echo "  got:      $(printf '%q' "$3")"
    echo "  stderr: $(head -c 1500 "$tmp/err" 2>/dev/null)"
    failures=$((failures + 1))
}
run() {
    "$KILN" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
}
expect_status() { [ "$status" -eq "$2" ] || fail "$1: exit status $status (want $2)"; }
expect_eq() { [ "$3" == "$2" ] || fail "$1" "$2" "$3"; }
# q SQL: one value from kiln
q() { "$KILN" query --format csv "$1" </dev/null | tail -n +2; }
# rep FILE PATH: a value of the report, by a JSON path such as '{tables,0,profile,1,nulls}'
rep() { q "SELECT tables #>> '$2' FROM read_json('$1')"; }
chk() { q "SELECT checks #>> '$2' FROM read_json('$1')"; }

# orders.csv: 1000 rows; customer_id NULL on every 10th, amount messy on every 100th
{
    echo "id,customer_id,amount,note,ordered_at"
    for i in $(seq 1 1000); do
        c=$((i % 37)); [ $((i % 10)) -eq 0 ] && c=""
        a="$i.25"; [ $((i % 100)) -eq 0 ] && a="n/a"
        printf '%d,%s,%s,note %d,2024-01-%02d 12:00:00\n' "$i" "$c" "$a" $((i * i)) $((i % 10 + 1))
    done
} >orders.csv

cat >job.sql <<'SQL'
CREATE TABLE orders (id integer, customer_id integer, amount numeric(12,2), note text, ordered_at timestamp);
CREATE TEMP TABLE staging AS SELECT * FROM read_csv('orders.csv', header => true, all_varchar => true);
INSERT INTO orders
SELECT try_cast(id, 'integer'), try_cast(customer_id, 'integer'), try_cast(amount, 'numeric(12,2)'), note,
       try_cast(ordered_at, 'timestamp')
FROM staging WHERE try_cast(id, 'integer') <= {{ n }};
CALL kiln_check('row_count_change', 'orders', max_change => '{{ max_change }}', level => '{{ level }}');
CALL kiln_check('null_rate_drift', 'orders.customer_id', max_change => '2%');
CALL kiln_check('distinct_drift', 'orders.customer_id', max_change => '50%', level => 'warn');
CALL kiln_check('freshness', 'orders.ordered_at', max_age => '{{ max_age }}');
SQL
P="--param max_change=20% --param level=fail --param max_age=2days"

# --- first run: profile figures vs independent counts, first-run notes -----------------
run run job.sql --param n=1000 $P --param ds=2024-01-10 --report r1.json
expect_status "first run" 0
[ -s r1.json ] || fail "first run: no report written"
grep -q '^quality: orders: .*; nulls: customer_id 100, amount 10$' err ||
    fail "first run: summary line" "quality: orders: ...; nulls: customer_id 100, amount 10" "$(cat err)"
grep -q 'quality check row_count_change on orders: first_run' err || fail "first run: first_run note on stderr"
expect_eq "report names the table" "orders" "$(rep r1.json '{0,table}')"
src="(SELECT try_cast(id, 'integer') AS id, try_cast(customer_id, 'integer') AS customer_id,
      try_cast(amount, 'numeric(12,2)') AS amount, note, try_cast(ordered_at, 'timestamp') AS ordered_at
      FROM read_csv('orders.csv', header => true, all_varchar => true)) s"
expect_eq "count" "$(q "SELECT count(*) FROM $src")" "$(rep r1.json '{0,profile,0,count}')"
expect_eq "nulls of customer_id" "$(q "SELECT count(*) - count(customer_id) FROM $src")" "$(rep r1.json '{0,profile,1,nulls}')"
expect_eq "nulls of amount" "$(q "SELECT count(*) - count(amount) FROM $src")" "$(rep r1.json '{0,profile,2,nulls}')"
expect_eq "distinct customer_id (small: exact)" "$(q "SELECT count(DISTINCT customer_id) FROM $src")" "$(rep r1.json '{0,profile,1,distinct}')"
exact=$(q "SELECT count(DISTINCT note) FROM $src")
est=$(rep r1.json '{0,profile,3,distinct}')
[ $((est * 100)) -ge $((exact * 97)) ] && [ $((est * 100)) -le $((exact * 103)) ] ||
    fail "distinct note within 3%" "$exact" "$est"
expect_eq "min amount" "$(q "SELECT min(amount) FROM $src")" "$(rep r1.json '{0,profile,2,min}')"
expect_eq "max amount" "$(q "SELECT max(amount) FROM $src")" "$(rep r1.json '{0,profile,2,max}')"
expect_eq "mean id" "$(q "SELECT avg(id)::double precision FROM $src")" "$(rep r1.json '{0,profile,0,mean}')"
expect_eq "max length" "$(q "SELECT max(length(note)) FROM $src")" "$(rep r1.json '{0,profile,3,max_length}')"
expect_eq "max ordered_at" "$(q "SELECT max(ordered_at) FROM $src")" "$(rep r1.json '{0,profile,4,max}')"
expect_eq "temporary tables are not profiled" "" "$(q "SELECT tables #>> '{1,table}' FROM read_json('r1.json')")"
expect_eq "first run: row count" "first_run" "$(chk r1.json '{0,status}')"
expect_eq "first run: freshness runs anyway" "passed" "$(chk r1.json '{3,status}')"

# --quiet: no summary
run run job.sql --param n=1000 $P --param ds=2024-01-10 --quiet
expect_status "quiet" 0
[ ! -s err ] || fail "quiet: stderr not empty" "" "$(cat err)"

# --- same data again: every check passes ---------------------------------------
run run job.sql --param n=1000 $P --param ds=2024-01-10 --baseline r1.json --report r2.json
expect_status "second run" 0
for i in 0 1 2 3; do expect_eq "second run: check $i" "passed" "$(chk r2.json "{$i,status}")"; done

# --- row count change: exactly at the limit passes, beyond it fails ----------------
run run job.sql --param n=800 $P --param ds=2024-01-10 --baseline r1.json --report r3.json
expect_status "-20% with a 20% limit" 0
expect_eq "boundary passes" "passed" "$(chk r3.json '{0,status}')"
run run job.sql --param n=799 $P --param ds=2024-01-10 --baseline r1.json --report r4.json
expect_status "-20.1% with a 20% limit fails with a data error" 4
expect_eq "beyond the limit: failed" "failed" "$(chk r4.json '{0,status}')"
grep -q 'quality check row_count_change on orders failed: 799 rows vs 1000 in the baseline (-20.1%, limit 20%)' err ||
    fail "failure message" "quality check row_count_change on orders failed: ..." "$(cat err)"
# level warn: the same drift only warns
run run job.sql --param n=799 --param max_change=20% --param level=warn --param max_age=2days --param ds=2024-01-10 --baseline r1.json --report r5.json
expect_status "warn level" 0
expect_eq "warn level: warned" "warned" "$(chk r5.json '{0,status}')"
grep -q 'quality check row_count_change on orders: warned' err || fail "warn on stderr"

# --- null rate drift: 10% NULL in the baseline; a run with none drifts by 10 points -----
sed 's/^\([0-9]*0\),,/\1,1,/' orders.csv >orders_full.csv
mv orders.csv orders_orig.csv && cp orders_full.csv orders.csv
run run job.sql --param n=1000 $P --param ds=2024-01-10 --baseline r1.json --report r6.json
expect_status "null rate drift fails" 4
expect_eq "null rate drift fired" "failed" "$(chk r6.json '{1,status}')"
expect_eq "its message" "0.0% NULL vs 10.0% in the baseline (-10.0 points, limit 2)" "$(chk r6.json '{1,message}' | tr -d '"')"
mv orders_orig.csv orders.csv

# --- freshness: relative to the end of the logical day ---------------------------------
# newest ordered_at is 2024-01-10 12:00; end of ds 2024-01-11 is 2024-01-12 00:00 (36 h later)
run run job.sql --param n=1000 --param max_change=20% --param level=fail --param max_age=36hours --param ds=2024-01-11 --report r7.json
expect_status "fresh enough (exactly 36 h)" 0
run run job.sql --param n=1000 --param max_change=20% --param level=fail --param max_age=35hours --param ds=2024-01-11 --report r8.json
expect_status "stale" 4
expect_eq "freshness fired" "failed" "$(chk r8.json '{3,status}')"

# --- bad declarations and a bad baseline ---------------------------------------------
echo "CALL kiln_check('row_count', 'orders', max_change => '5%');" >bad.sql
run run bad.sql
expect_status "unknown check" 3
grep -q 'unknown quality check "row_count"' err || fail "unknown check message"
echo "CALL kiln_check('freshness', 'orders', max_age => '1 day');" >bad2.sql
run run bad2.sql
expect_status "freshness without a column" 3
echo '[1,2]' >notreport.json
run run job.sql --param n=10 $P --baseline notreport.json
expect_status "bad baseline" 4
grep -q 'not a kiln quality report' err || fail "bad baseline message"

# --- a project: the state keeps each run's report; the next day compares with it -------
mkdir -p proj/jobs && cp orders.csv proj/
cat >proj/kiln.yaml <<'YAML'
name: shop
jobs:
  load:
    sql: jobs/load.sql
YAML
cat >proj/jobs/load.sql <<'SQL'
CREATE TABLE orders AS SELECT * FROM read_csv('orders.csv', header => true)
WHERE id <= CASE WHEN '{{ ds }}' = '2024-01-02' THEN 500 ELSE 1000 END;
CALL kiln_check('row_count_change', 'orders', max_change => '10%');
SQL
run run --all --project proj/kiln.yaml --ds 2024-01-01
expect_status "project day 1" 0
run run --all --project proj/kiln.yaml --ds 2024-01-02
expect_status "project day 2: half the rows fails the check (a failed job: 6)" 6
stored=$(q "SELECT count(*) FROM read_sqlite('proj/.kiln/state.db', 'quality_reports')")
expect_eq "two reports kept in the state" "2" "$stored"
day2=$(q "SELECT report FROM read_sqlite('proj/.kiln/state.db', 'quality_reports') WHERE ds = '2024-01-02'")
case "$day2" in
*'500 rows vs 1000 in the baseline'*) ;;
*) fail "day 2 compared with day 1" "500 rows vs 1000 in the baseline" "$day2" ;;
esac
# day 3 compares with day 1 (day 2 failed, so it is no baseline)
run run --all --project proj/kiln.yaml --ds 2024-01-03
expect_status "project day 3" 0
day3=$(q "SELECT report FROM read_sqlite('proj/.kiln/state.db', 'quality_reports') WHERE ds = '2024-01-03'")
case "$day3" in
*'1000 rows vs 1000 in the baseline'*) ;;
*) fail "day 3 compared with day 1" "1000 rows vs 1000 in the baseline" "$day3" ;;
esac

if [ "$failures" -ne 0 ]; then
    echo "test_quality_report: $failures failure(s)"
    exit 1
fi
echo "test_quality_report: ok"
