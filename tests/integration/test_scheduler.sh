#!/usr/bin/env bash
# test_scheduler.sh: `kiln scheduler` on a fake clock (KILN_FAKE_NOW, 60x):
# two jobs on */1 schedules in Europe/Paris across the 2026-03-29 DST jump
# fire the right logical times, with an unscheduled downstream job, in the
# order inferred from the datasets they write and read (no depends_on);
# catch-up after a gap (max_catchup); two schedulers started together run
# each (job, key) once; kill -9 of the scheduler while a job runs, then a
# restart that marks the run interrupted and retries it; SIGTERM stops it
# with exit 0; a backfill of N dates at once.  $KILN is the binary.
set -u

KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-sched.XXXXXX")
bgpids=""
cleanup() {
    for p in $bgpids; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
failures=0
fail() {
    echo "FAIL: $1"
    [ $# -lt 3 ] || echo "  expected: $2"
    [ $# -lt 3 ] || echo "  got:      $3"
    failures=$((failures + 1))
}
expect_eq() { [ "$2" == "$3" ] || fail "$1" "$2" "$3"; }
expect_contains() { grep -qF -- "$3" "$2" || fail "$1: missing $(printf '%q' "$3") in $2" "$3" "$(head -c 3000 "$2")"; }

# keys JOB STATUS: the run keys of JOB's attempts with STATUS, sorted, one line
keys() {
    "$KILN" history --job "$1" --limit 1000 --json </dev/null |
        grep "\"status\": \"$2\"" | sed 's/.*"ds": "\([^"]*\)".*/\1/' | sort | tr '\n' ' '
}

fake() { # fake clock from $1 at speed ${2:-60}, anchored now (shared by the processes started with it)
    export KILN_FAKE_NOW=$1 KILN_FAKE_SPEED=${2:-60} KILN_FAKE_EPOCH=$(date +%s.%N)
}

proj=$tmp/shop
mkdir -p "$proj"
cd "$proj" || exit 1
cat >kiln.yaml <<'YAML'
timezone: Europe/Paris
max_catchup: 5
jobs:
  report:
    schedule: "*/1 * * * *"
  load:
    schedule: "*/1 * * * *"
  export: {}
YAML
mkdir jobs
# report reads what load writes; export reads the warehouse table report writes
echo "COPY (SELECT {{ ts }} AS ts) TO 'lake:orders' WITH (FORMAT csv, MODE append);" >jobs/load.sql
echo "COPY (SELECT count(*) AS n FROM lake.orders) TO 'warehouse:report' WITH (MODE overwrite);" >jobs/report.sql
echo "COPY (SELECT n FROM read_sqlite('warehouse.db', 'report')) TO 'export.csv';" >jobs/export.sql

"$KILN" dag >"$tmp/dag" 2>&1
expect_contains "inferred edge" "$tmp/dag" "report <- load (inferred: lake:orders)"
expect_contains "inferred edge" "$tmp/dag" "export <- report (inferred: warehouse:report)"

# 1. four fires (00:58Z..01:01Z) for the minutes that just ended, across the
# DST jump: 01:57, 01:58, 01:59 CET, then 03:00 CEST
fake 2026-03-29T00:57:00Z 20 # 3 real seconds for the scheduler to start (ASan builds are slow)
"$KILN" scheduler --until 2026-03-29T01:01:00Z >"$tmp/out1" 2>"$tmp/log1" </dev/null
expect_eq "scheduler --until exit" 0 "$?"
expect_eq "load keys" "2026-03-29T01:57 2026-03-29T01:58 2026-03-29T01:59 2026-03-29T03:00 " "$(keys load success)"
expect_eq "report keys" "2026-03-29T01:57 2026-03-29T01:58 2026-03-29T01:59 2026-03-29T03:00 " "$(keys report success)"
expect_eq "export keys (downstream, unscheduled)" "2026-03-29T01:57 2026-03-29T01:58 2026-03-29T01:59 2026-03-29T03:00 " "$(keys export success)"
expect_eq "export ran after report after load" "4" "$(tr '\n' ' ' <export.csv | sed 's/ $//')"
expect_contains "logical interval" "$tmp/log1" \
    "queued load 2026-03-29T03:00: fire 2026-03-29T01:01:00Z for the interval from 2026-03-29T01:00:00Z (2026-03-29T03:00:00, Europe/Paris)"

# 2. catch-up after a gap: 9 fires missed (01:02..01:10), the newest 5 run
fake 2026-03-29T01:10:30Z 1
"$KILN" scheduler --once --parallel 2 >"$tmp/out2" 2>"$tmp/log2" </dev/null
expect_eq "scheduler --once exit" 0 "$?"
expect_contains "catch-up limit" "$tmp/log2" "catchup load: skipped 4 older intervals (max_catchup reached)"
expect_eq "catch-up keys" "2026-03-29T01:57 2026-03-29T01:58 2026-03-29T01:59 2026-03-29T03:00 2026-03-29T03:05 2026-03-29T03:06 2026-03-29T03:07 2026-03-29T03:08 2026-03-29T03:09 " "$(keys load success)"

# 3. two schedulers at once: each (job, key) runs once
fake 2026-03-29T01:11:50Z
"$KILN" scheduler --until 2026-03-29T01:13:00Z >/dev/null 2>"$tmp/log3a" </dev/null &
a=$!
"$KILN" scheduler --until 2026-03-29T01:13:00Z >/dev/null 2>"$tmp/log3b" </dev/null &
b=$!
bgpids="$a $b"
wait "$a"; sa=$?
wait "$b"; sb=$?
bgpids=""
expect_eq "two schedulers exit" "0 0" "$sa $sb"
cat "$tmp/log3a" "$tmp/log3b" >"$tmp/log3"
expect_contains "the second one waits" "$tmp/log3" "another scheduler (pid"
expect_eq "each key once" "1 1 1" "$(for k in 03:10 03:11 03:12; do "$KILN" history --job load --ds 2026-03-29T$k --json </dev/null | grep -c '"attempt": 1'; done | tr '\n' ' ' | sed 's/ $//')"

# 4. kill -9 of the scheduler while a job runs; the restart retries it
crash=$tmp/crash
mkdir -p "$crash/jobs"
cd "$crash" || exit 1
seq 1 4000 >big.csv
printf 'jobs:\n  slow:\n    schedule: "*/5 * * * *"\n    retries: 1\n' >kiln.yaml
echo "SELECT count(*) FROM read_csv('big.csv') a, read_csv('big.csv') b WHERE a.column0 + b.column0 > 0;" >jobs/slow.sql
fake 2026-03-29T00:04:00Z
"$KILN" scheduler >/dev/null 2>"$tmp/log4" </dev/null &
s=$!
bgpids="$s"
for _ in $(seq 1 400); do grep -q "slow: attempt 1 started" "$tmp/log4" && break; sleep 0.05; done
kill -9 "$s"
# the key of the run that was killed (00:00 unless the scheduler started late)
key=$(sed -n 's/^\[\(.*\)\] slow: attempt 1 started$/\1/p' "$tmp/log4" | head -n1)
wait "$s" 2>/dev/null
bgpids=""
sleep 0.3
expect_eq "no job left running after kill -9" "" "$(pgrep -f "$crash/jobs/slow.sql|jobs/slow.sql --verbose --job slow" | tr '\n' ' ')"
"$KILN" scheduler --once >/dev/null 2>"$tmp/log4b" </dev/null
expect_eq "restart --once exit" 0 "$?"
expect_contains "recovered" "$tmp/log4b" "recover slow $key: interrupted (its scheduler died while it ran); queued again (try 2 of 2)"
expect_contains "retried to success" <(keys slow success) "$key"
expect_eq "the first try interrupted" "$key " "$(keys slow interrupted)"

# 5. SIGTERM: a clean stop with exit 0
fake 2026-03-29T02:00:00Z
"$KILN" scheduler --grace 5 >/dev/null 2>"$tmp/log5" </dev/null &
s=$!
bgpids="$s"
for _ in $(seq 1 100); do grep -q "schedule slow" "$tmp/log5" && break; sleep 0.05; done
kill -TERM "$s"
wait "$s"
expect_eq "SIGTERM exit" 0 "$?"
bgpids=""
expect_contains "stop logged" "$tmp/log5" "scheduler: stop: scheduler stopped"

# 6. backfill with 3 dates at once, each date in DAG order (inferred)
cd "$proj" || exit 1
rm -rf lake warehouse.db export.csv
start=$(date +%s.%N)
"$KILN" backfill --from 2026-01-01 --to 2026-01-06 --parallel-dates 3 --quiet >"$tmp/out6" 2>"$tmp/err6" </dev/null
expect_eq "parallel backfill exit" 0 "$?"
expect_eq "six dates" 6 "$(grep -c '^2026-01-0[1-6]$' "$tmp/out6")"
expect_eq "every job succeeded" 18 "$(grep -cE '^(load|report|export) +success' "$tmp/out6")"
# dates overlapped: two attempts of different dates ran at the same moment
# (the state database keeps start times and durations to the microsecond;
# the history's texts are to the second, too coarse for fast jobs)
overlap=$(sqlite3 "$proj/.kiln/state.db" "SELECT count(*) > 0 FROM attempts a JOIN attempts b
    ON a.ds < b.ds AND a.ds LIKE '2026-01-0%' AND b.ds LIKE '2026-01-0%'
   AND a.started_epoch < b.started_epoch + b.seconds AND b.started_epoch < a.started_epoch + a.seconds")
expect_eq "dates ran at once" 1 "$overlap"
# the same command again skips everything (resumable)
"$KILN" backfill --from 2026-01-01 --to 2026-01-06 --parallel-dates 3 --quiet >"$tmp/out7" 2>&1 </dev/null
expect_eq "rerun skips" 18 "$(grep -cE '^(load|report|export) +skipped' "$tmp/out7")"

if [ "$failures" -eq 0 ]; then echo "test_scheduler: ok"; exit 0; fi
echo "test_scheduler: $failures failure(s)"
exit 1
