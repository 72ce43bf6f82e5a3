#!/usr/bin/env bash
# test_orchestration.sh: kiln.yaml projects end to end: a multi-job DAG run
# for a logical date (params, order, summary, state), retries (a job that
# fails twice then succeeds), a timeout that kills the job, skip-downstream
# with exit code 6, selections (--jobs --with-upstream/--with-downstream,
# --tags), history/status JSON, a cycle and a bad key reported with the
# file and line, and a backfill interrupted with kill -9 then resumed
# without rerunning what succeeded.  $KILN is the binary under test.
set -u

KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-orch.XXXXXX")
bgpid=""
cleanup() {
    [ -n "$bgpid" ] && kill -9 "$bgpid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
failures=0

fail() {
    echo "FAIL: $1"
    [ $# -lt 3 ] || echo "  expected: $(printf '%q' "$2")"
    [ $# -lt 3 ] || echo "  got:      $(printf '%q' "$3")"
    echo "  exit status: $status"
    echo "  stdout: $(head -c 1500 "$tmp/out")"
    echo "  stderr: $(head -c 1500 "$tmp/err")"
    failures=$((failures + 1))
}

run() {
    "$KILN" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    out=$(cat "$tmp/out")
}

expect_status() { [ "$status" -eq "$2" ] || fail "$1: exit status (want $2)"; }
expect_contains() { grep -qF -- "$3" "$2" || fail "$1: missing $(printf '%q' "$3")" "$3" "$(cat "$2")"; }

# expect_row JOB "STATUS ATTEMPTS ROWS": the job's line of the summary table
expect_row() {
    local got
    got=$(awk -v j="$1" '$1 == j { $1 = ""; print substr($0, 2) }' "$tmp/out" | head -n1)
    [[ "$got" == "$2"* ]] || fail "summary row of $1" "$2" "$got"
}

# count_attempts JOB DS: attempts recorded for (JOB, DS), from history --json
count_attempts() {
    "$KILN" history --project "$proj/kiln.yaml" --job "$1" --ds "$2" --limit 1000 --json </dev/null |
        grep -c '"attempt": [1-9]'
}

proj=$tmp/shop
mkdir -p "$proj/jobs"
cd "$proj" || exit 1
printf 'id,name\n1,ann\n2,bob\n3,cid\n' >customers.csv
seq 1 40000 >big.csv
cat >kiln.yaml <<'YAML'
name: shop
defaults:
  retry_delay: 100ms
jobs:
  customers:
    sql: jobs/customers.sql
    tags: [daily]
  orders:
    depends_on: customers
    retries: 2
    retry_backoff: 1.5
    params:
      out: "out/orders_{{ ds_nodash }}.csv"
  report:
    depends_on: [orders, customers]
    tags: [daily]
  slow:
    timeout: 1s
  after_slow:
    depends_on: slow
YAML
cat >jobs/customers.sql <<'SQL'
CREATE TABLE c AS SELECT * FROM read_csv('customers.csv', header => true);
COPY c TO 'out/customers_{{ ds }}.csv';
SQL
# fails on tries 1 and 2 (no such file), succeeds on the third
cat >jobs/orders.sql <<'SQL'
SELECT * FROM read_csv('flaky/try{{ try_number }}.csv', header => true);
COPY (SELECT {{ ds }}::date AS ds, {{ prev_ds }} AS prev, {{ next_ds }} AS next) TO {{ out }};
SQL
mkdir -p flaky && printf 'a\n1\n' >flaky/try3.csv
cat >jobs/report.sql <<'SQL'
COPY (SELECT count(*) AS n FROM read_csv('out/customers_{{ ds }}.csv')) TO 'out/report_{{ ds }}.csv';
SQL
# a cross join that takes far longer than the 1 s timeout
cat >jobs/slow.sql <<'SQL'
SELECT count(*) FROM read_csv('big.csv') a, read_csv('big.csv') b WHERE a.column0 + b.column0 > 0;
SQL
echo "SELECT 1;" >jobs/after_slow.sql

# --- kiln dag -------------------------------------------------------------------
run dag
expect_status "dag" 0
[ "$(sed -n 2,4p "$tmp/out" | cut -d' ' -f1 | tr '\n' ' ')" == "customers orders report " ] ||
    fail "dag order" "customers orders report" "$out"
expect_contains "dag text" "$tmp/out" "report <- orders, customers  [tags: daily]"
run dag --format dot
expect_contains "dag dot" "$tmp/out" '"customers" -> "orders";'

# --- a whole run: retries, timeout, skip-downstream -------------------------------
start=$(date +%s)
run run --all --ds 2026-11-24
elapsed=$(($(date +%s) - start))
expect_status "run --all" 6
expect_row customers "success 1 3"
expect_row orders "success 3 1"
expect_row report "success 1 1"
expect_row slow "failed 1 (1."  # killed at its 1 s timeout (1.0x s, more on a loaded machine)
expect_contains "timeout message" "$tmp/out" "2026-11-24 slow: timed out after 1 s"
expect_row after_slow "upstream_failed 0"
expect_contains "skip reason" "$tmp/out" 'after_slow: not run: upstream job "slow" failed'
[ "$elapsed" -lt 20 ] || fail "the timeout did not stop the slow job ($elapsed s)"
[ "$(cat out/orders_20261124.csv)" == "2026-11-24,2026-11-23,2026-11-25" ] ||
    fail "params ds/prev_ds/next_ds and a templated param" "2026-11-24,2026-11-23,2026-11-25" "$(cat out/orders_20261124.csv 2>&1)"
[ "$(cat out/report_2026-11-24.csv)" == "3" ] || fail "report output" "3" "$(cat out/report_2026-11-24.csv 2>&1)"
expect_contains "first failure logged" ".kiln/logs/2026-11-24/orders.1.log" 'could not open file "flaky/try1.csv"'
[ "$(count_attempts orders 2026-11-24)" -eq 3 ] || fail "orders: 3 attempts in history"

run status --ds 2026-11-24 --json
expect_status "status" 0
expect_contains "status json" "$tmp/out" '"job": "orders", "ds": "2026-11-24", "attempt": 3, "status": "success"'
expect_contains "status json upstream_failed" "$tmp/out" '"job": "after_slow", "ds": "2026-11-24", "attempt": 0, "status": "upstream_failed"'
expect_contains "status json timeout" "$tmp/out" '"error": "timed out after 1 s"'
run history --job slow
expect_contains "history table" "$tmp/out" "timed out after 1 s"

# --- selections ---------------------------------------------------------------------
run run --jobs report --with-upstream --ds 2026-11-25 --quiet
expect_status "--with-upstream" 0
[ "$(sed 1d "$tmp/out" | cut -d' ' -f1 | tr '\n' ' ')" == "customers orders report " ] ||
    fail "--with-upstream selects customers, orders, report" "" "$out"
[ -s "$tmp/err" ] && fail "--quiet printed progress"
run run --jobs customers --with-downstream --ds 2026-11-26 --quiet
[ "$(sed 1d "$tmp/out" | cut -d' ' -f1 | tr '\n' ' ')" == "customers orders report " ] ||
    fail "--with-downstream" "" "$out"
run run --tags daily --ds 2026-11-27 --quiet
expect_status "--tags" 0
[ "$(sed 1d "$tmp/out" | cut -d' ' -f1 | tr '\n' ' ')" == "customers report " ] || fail "--tags daily" "" "$out"
run run --jobs nope --ds 2026-11-27
expect_status "unknown job" 2
expect_contains "unknown job message" "$tmp/err" 'no job "nope"'
run run --all --ds 2026-02-30
expect_status "bad date" 2
expect_contains "bad date message" "$tmp/err" '"2026-02-30" is not a valid date'

# --- project file errors ------------------------------------------------------------
mkdir -p "$tmp/bad" && cd "$tmp/bad" || exit 1
printf 'jobs:\n  a:\n    depends_on: c\n  b:\n    depends_on: a\n  c:\n    depends_on: b\n' >kiln.yaml
run dag
expect_status "cycle" 2
expect_contains "cycle named" "$tmp/err" "dependency cycle: "
for j in a b c; do grep -q "$j -> " "$tmp/err" || fail "cycle names $j"; done
printf 'jobs:\n  a:\n    sql: a.sql\n    retires: 3\n' >kiln.yaml
run dag
expect_status "unknown key" 2
expect_contains "unknown key located" "$tmp/err" 'kiln.yaml:4:5: jobs.a: unknown key "retires"'
printf 'jobs:\n  a:\n    schedule: "61 * * * *"\n' >kiln.yaml
run dag
expect_contains "bad cron located" "$tmp/err" 'kiln.yaml:3:15: jobs.a.schedule: cron minute item "61" is out of range 0-59'
run dag --project missing.yaml
expect_status "missing project" 5

# --- backfill, interrupted by kill -9 and resumed -----------------------------------
mkdir -p "$tmp/fill/jobs" && cd "$tmp/fill" || exit 1
seq 1 6000 >mid.csv
printf 'jobs:\n  extract: {}\n  load: {depends_on: extract}\n' >kiln.yaml
cat >jobs/extract.sql <<'SQL'
COPY (SELECT {{ ds }} AS ds, count(*) AS n FROM read_csv('mid.csv') a, read_csv('mid.csv') b WHERE a.column0 < b.column0) TO 'out/extract_{{ ds }}.csv';
SQL
cat >jobs/load.sql <<'SQL'
COPY (SELECT * FROM read_csv('out/extract_{{ ds }}.csv')) TO 'out/load_{{ ds }}.csv';
SQL
proj=$tmp/fill
"$KILN" backfill --from 2026-01-01 --to 2026-01-08 --parallel 1 >"$tmp/fill1.out" 2>"$tmp/fill1.err" </dev/null &
bgpid=$!
# kill it while the third date runs (two complete, as the runner reports on stderr)
for _ in $(seq 1 1200); do
    grep -q "2026-01-03\] extract: attempt 1 started" "$tmp/fill1.err" && break
    sleep 0.05
done
kill -9 "$bgpid" 2>/dev/null
wait "$bgpid" 2>/dev/null
bgpid=""
# the (job, date) pairs that had succeeded when it died
succeeded=$(sed -n 's/^\[\(2026-01-0[0-9]\)\] \([a-z]*\): attempt 1 success.*/\2 \1/p' "$tmp/fill1.err")
nsucceeded=$(printf '%s\n' "$succeeded" | grep -c .)
[ "$nsucceeded" -ge 4 ] && [ "$nsucceeded" -lt 16 ] || fail "backfill killed midway ($nsucceeded pairs done)"
sleep 0.5 # let the orphaned job (its own process group) finish
status=0
run backfill --from 2026-01-01 --to 2026-01-08 --parallel 1
expect_status "backfill resumed" 0
expect_contains "skipped what succeeded" "$tmp/err" "[2026-01-01] extract: skipped (succeeded earlier)"
for d in 01 02 03 04 05 06 07 08; do
    [ -f "out/load_2026-01-$d.csv" ] || fail "backfill date 2026-01-$d loaded"
done
while read -r job day; do
    [ "$(count_attempts "$job" "$day")" -eq 1 ] || fail "$job $day succeeded before the kill but was run again"
done <<<"$succeeded"
[ "$(count_attempts load 2026-01-08)" -eq 1 ] || fail "2026-01-08 load ran once"
run history --json --limit 1000
grep -q '"status": "interrupted"' "$tmp/out" || fail "the killed attempt is marked interrupted" "" "$out"
run backfill --from 2026-01-07 --to 2026-01-08 --rerun --quiet
expect_status "--rerun" 0
[ "$(count_attempts load 2026-01-08)" -eq 2 ] || fail "--rerun runs again"

# the project's warehouse reaches a job through KILN_WAREHOUSE, not its
# command line (a URL there may hold a password and `ps` shows it)
wproj=$tmp/wproj
mkdir -p "$wproj/jobs"
cat >"$wproj/kiln.yaml" <<'YAML'
name: wh
warehouse: sqlite:dw/custom.db
jobs:
  summary:
    sql: jobs/summary.sql
YAML
printf "COPY (SELECT 7 AS n) TO 'warehouse:totals';\n" >"$wproj/jobs/summary.sql"
mkdir -p "$wproj/dw"
run run --project "$wproj/kiln.yaml" --all --ds 2026-01-01 --quiet
expect_status "job with the project's warehouse" 0
got=$("$KILN" query --format csv "SELECT n FROM read_sqlite('$wproj/dw/custom.db', 'totals')" 2>&1 </dev/null)
[ "$got" = $'n\n7' ] || fail "the job loaded into the project's warehouse" $'n\n7' "$got"
KILN_WAREHOUSE=sqlite:$tmp/env_dw.db "$KILN" query "COPY (SELECT 8 AS n) TO 'warehouse:t'" >/dev/null 2>&1 </dev/null
got=$("$KILN" query --format csv "SELECT n FROM read_sqlite('$tmp/env_dw.db', 't')" 2>&1 </dev/null)
[ "$got" = $'n\n8' ] || fail "KILN_WAREHOUSE gives the warehouse setting its value" $'n\n8' "$got"

if [ "$failures" -ne 0 ]; then
    echo "test_orchestration: $failures failed"
    exit 1
fi
echo "test_orchestration: all checks passed"
