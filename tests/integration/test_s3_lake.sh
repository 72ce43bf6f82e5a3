#!/usr/bin/env bash
# test_s3_lake.sh: the lake on S3, against the test server of test_s3.sh
# (s3rver through tests/integration/s3/server.js, on 127.0.0.1).  Covers:
#   - a full job (`kiln run`) reading CSV and Parquet from S3 and writing a
#     partitioned dataset to S3 with MODE overwrite_partitions, read back
#     through read_parquet('s3://...') (the kiln dataset read) and listed
#     with `aws s3 ls` (Hive folders, _SUCCESS, the commit records);
#   - every mode: error_if_exists refuses a second write, append adds,
#     overwrite_partitions keeps the partitions the run did not write,
#     overwrite replaces everything (the replaced objects are deleted);
#   - runs that fail mid-write through the fault proxy (every request after
#     the Nth gets 500, for several N): no new visible object, no multipart
#     upload left open, the previous version intact;
#   - an empty result: a commit and no data object;
#   - a run killed with SIGKILL mid-write leaves multipart uploads open;
#     readers leave them, the next commit aborts them (ListMultipartUploads
#     in pages of 2 here), and only them.
# Skips, with a message, only when node/npm are absent; needs the AWS CLI.
# $KILN is the binary under test; exits 0 when every check passes.
set -u

KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
root=$(cd "$(dirname "$0")/../.." && pwd)
s3dir="$root/tests/integration/s3"

if ! command -v aws >/dev/null 2>&1; then
    echo "FAIL: the AWS CLI (Debian package awscli, scripts/install-deps.sh) is not installed"
    exit 1
fi
. "$s3dir/server.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-s3-lake.XXXXXX")
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1
failures=0
checks=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
pass() { checks=$((checks + 1)); }
wait_port() { s3_wait_port "$@"; }

# listings of multipart uploads come in pages of 2, so that recovery's pagination is exercised
export S3_TEST_MAX_UPLOADS=2
s3_start "$tmp"
rc=$?
[ "$rc" = 77 ] && exit 0
[ "$rc" = 0 ] || exit 1
pids+=("$S3_SERVER_PID")
port=$S3_PORT
endpoint=$S3_ENDPOINT

# kiln_ok NAME ARGS...: run kiln query, expect success, output in $tmp/out
kiln_ok() {
    local name=$1
    shift
    if "$KILN" query "$@" >"$tmp/out" 2>"$tmp/err" </dev/null; then pass; else fail "$name: kiln failed: $(cat "$tmp/err")"; fi
}
expect_out() {
    if [ "$(cat "$tmp/out")" != "$2" ]; then fail "$1: expected
$2
got
$(cat "$tmp/out")"; else pass; fi
}
# figures DATASET: "p,rows,sum" lines of a dataset of (day, amount)
figures() {
    kiln_ok "read $1" --format csv "SELECT day, count(*), sum(amount) FROM read_parquet('$1') GROUP BY day ORDER BY day"
}
# What the server holds is read from its store on disk (s3rver keeps an
# object "a/b" as the file a/b._S3rver_object, an upload as a folder with a
# "key" file): an AWS CLI call costs about a second of CPU, so the CLI is
# kept for the checks of what another client sees (listings, downloads,
# uploads it lists and creates).
# data_objects s3://lake/PREFIX/: the visible data objects (not _kiln/, not _SUCCESS), one key a line
data_objects() {
    local p=${1#s3://lake/}
    (cd "$tmp/data/lake" 2>/dev/null && find "${p%/}" -name '*._S3rver_object' 2>/dev/null) | sed 's/\._S3rver_object$//' |
        grep -v '/_kiln/' | grep -v '/_SUCCESS$' | sort
}
# disk_uploads: the keys of the open multipart uploads of bucket lake
disk_uploads() {
    for f in "$tmp"/data/lake/._S3rver_uploads/*/key; do [ -f "$f" ] && { cat "$f"; echo; }; done | sort
}
open_uploads() { disk_uploads; }
# aws_open_uploads: the same, as the AWS CLI lists them
aws_open_uploads() {
    awscli s3api list-multipart-uploads --bucket lake --query 'Uploads[].Key' --output text 2>&1 | grep -v '^None$'
}

awscli s3 mb s3://raw >/dev/null 2>"$tmp/err" || fail "aws s3 mb raw: $(cat "$tmp/err")"
awscli s3 mb s3://lake >/dev/null 2>"$tmp/err" || fail "aws s3 mb lake: $(cat "$tmp/err")"

# ---- the sources: orders as CSV (uploaded by the AWS CLI), customers as Parquet (written by kiln) ----
awk 'BEGIN { print "order_id,customer_id,day,amount"
             for (i = 1; i <= 600; i++) printf "%d,%d,2024-01-%02d,%d\n", i, i % 7, i % 3 + 1, i }' >orders.csv
awscli s3 cp orders.csv s3://raw/orders/orders.csv >/dev/null 2>"$tmp/err" || fail "aws s3 cp: $(cat "$tmp/err")"
kiln_ok "customers" "COPY (SELECT c AS customer_id, 'customer ' || c AS name FROM generate_series(0, 6) c)
                      TO 's3://raw/customers.parquet' (FORMAT parquet)"

# ---- a full job: S3 in, a partitioned dataset on S3 out ----
cat >job.sql <<'EOF'
CREATE TEMP VIEW orders AS SELECT * FROM read_csv('s3://raw/orders/*.csv', header => true);
COPY (SELECT o.day, o.order_id, c.name, o.amount
      FROM orders o JOIN read_parquet('s3://raw/customers.parquet') c ON c.customer_id = o.customer_id)
  TO 's3://lake/orders' WITH (FORMAT parquet, PARTITION_BY (day), MODE overwrite_partitions);
EOF
if "$KILN" run --verbose job.sql >"$tmp/out" 2>"$tmp/err" </dev/null; then pass; else fail "job: $(cat "$tmp/err")"; fi
grep -q 'dataset s3://lake/orders v1: 3 files in 3 partitions, 600 rows' "$tmp/err" && pass ||
    fail "job: no summary of the dataset written: $(cat "$tmp/err")"
figures s3://lake/orders
expect_out "job read back" "day,count,sum
2024-01-01,200,60300
2024-01-02,200,59900
2024-01-03,200,60100"
kiln_ok "job names" --format csv "SELECT count(DISTINCT name) FROM read_parquet('s3://lake/orders')"
expect_out "job join" "count
7"
awscli s3 ls --recursive s3://lake/orders/ >"$tmp/ls" 2>&1
for want in 'orders/day=2024-01-01/part-' 'orders/day=2024-01-03/part-' 'orders/_SUCCESS' \
    'orders/_kiln/commits/00000000000000000001.json'; do
    grep -q "$want" "$tmp/ls" && pass || fail "aws s3 ls: no $want in $(cat "$tmp/ls")"
done
[ "$(data_objects s3://lake/orders/ | wc -l)" = 3 ] && pass || fail "job: expected 3 data objects: $(cat "$tmp/ls")"
# the AWS CLI downloads a data file that kiln then reads as it is
key=$(data_objects s3://lake/orders/ | head -n 1)
awscli s3 cp "s3://lake/$key" one.parquet >/dev/null 2>&1 && pass || fail "aws s3 cp of $key"
kiln_ok "read downloaded" --format csv "SELECT count(*) FROM read_parquet('one.parquet')"
expect_out "read downloaded" "count
200"
[ -z "$(aws_open_uploads)" ] && pass || fail "job: uploads left open: $(aws_open_uploads)"

# ---- modes ----
src="SELECT * FROM (VALUES ('2024-01-01'::date, 1), ('2024-01-02'::date, 2)) AS t(day, amount)"
kiln_ok "error_if_exists first" "COPY ($src) TO 's3://lake/m' WITH (PARTITION_BY (day))"
if "$KILN" query "COPY ($src) TO 's3://lake/m' WITH (PARTITION_BY (day))" >"$tmp/out" 2>"$tmp/err"; then
    fail "error_if_exists: a second write succeeded"
else
    grep -q 'already exists (version 1)' "$tmp/err" && pass || fail "error_if_exists: $(cat "$tmp/err")"
fi
kiln_ok "append" "COPY (SELECT '2024-01-02'::date AS day, 20 AS amount) TO 's3://lake/m' WITH (PARTITION_BY (day), MODE append)"
figures s3://lake/m
expect_out "append" "day,count,sum
2024-01-01,1,1
2024-01-02,2,22"
kiln_ok "overwrite_partitions" "COPY (SELECT '2024-01-02'::date AS day, 200 AS amount UNION ALL SELECT '2024-01-03'::date, 3)
                                 TO 's3://lake/m' WITH (PARTITION_BY (day), MODE overwrite_partitions)"
figures s3://lake/m
expect_out "overwrite_partitions" "day,count,sum
2024-01-01,1,1
2024-01-02,1,200
2024-01-03,1,3"
[ "$(data_objects s3://lake/m/ | wc -l)" = 3 ] && pass || fail "overwrite_partitions: replaced objects left: $(data_objects s3://lake/m/)"
kiln_ok "overwrite" "COPY (SELECT '2024-02-01'::date AS day, 7 AS amount) TO 's3://lake/m' WITH (PARTITION_BY (day), MODE overwrite)"
figures s3://lake/m
expect_out "overwrite" "day,count,sum
2024-02-01,1,7"
[ "$(data_objects s3://lake/m/ | wc -l)" = 1 ] && pass || fail "overwrite: old objects left: $(data_objects s3://lake/m/)"
kiln_ok "history" --format csv "SELECT version, mode, files_added, files_removed FROM lake_commits('s3://lake/m') ORDER BY version"
expect_out "history" "version,mode,files_added,files_removed
1,error_if_exists,2,0
2,append,1,0
3,overwrite_partitions,2,2
4,overwrite,1,3"

# ---- an empty result: a commit, no data object ----
kiln_ok "empty" "COPY (SELECT * FROM ($src) s WHERE amount < 0) TO 's3://lake/empty' WITH (PARTITION_BY (day), MODE overwrite)"
[ -z "$(data_objects s3://lake/empty/)" ] && pass || fail "empty: data objects: $(data_objects s3://lake/empty/)"
[ -f "$tmp/data/lake/empty/_kiln/commits/00000000000000000001.json._S3rver_object" ] && pass || fail "empty: no commit record"
[ -z "$(open_uploads)" ] && pass || fail "empty: uploads left open: $(open_uploads)"

# ---- runs that fail mid-write: the previous version intact, nothing left ----
start_proxy() {
    rm -f "$tmp/proxy.port" "$tmp/proxy.log"
    node "$s3dir/fault_proxy.js" "$port" "$tmp/proxy.port" "$1" "$2" "$tmp/proxy.log" 2>>"$tmp/proxy.err" &
    proxy_pid=$!
    pids+=("$proxy_pid")
    proxy_port=$(wait_port "$tmp/proxy.port") || { fail "the fault proxy did not start"; return 1; }
    proxy_endpoint="http://127.0.0.1:$proxy_port"
}
stop_proxy() { kill "$proxy_pid" 2>/dev/null; wait "$proxy_pid" 2>/dev/null; }

figures s3://lake/orders
before_figures=$(cat "$tmp/out")
before_objects=$(data_objects s3://lake/orders/)
# how many requests a whole run makes (the proxy passes everything)
start_proxy after 100000
"$KILN" query "SET s3_endpoint = '$proxy_endpoint'; COPY (SELECT day, order_id, 'x' AS name, amount FROM read_parquet('s3://lake/orders'))
    TO 's3://lake/orders' WITH (FORMAT parquet, PARTITION_BY (day), MODE overwrite_partitions)" >/dev/null 2>"$tmp/err" ||
    fail "the proxied run failed: $(cat "$tmp/err")"
total=$(wc -l <"$tmp/proxy.log")
stop_proxy
figures s3://lake/orders
before_figures=$(cat "$tmp/out")
before_objects=$(data_objects s3://lake/orders/)
mid_write=0
# four failure points spread over the run's requests
for n in $(seq 2 $(((total + 3) / 4)) "$total"); do
    start_proxy after "$n"
    if "$KILN" query "SET s3_endpoint = '$proxy_endpoint'; SET s3_retry_budget = '1s';
        COPY (SELECT day, order_id, 'failed' AS name, amount + 1 AS amount FROM read_csv('s3://raw/orders/*.csv', header => true))
        TO 's3://lake/orders' WITH (FORMAT parquet, PARTITION_BY (day), MODE overwrite_partitions)" >/dev/null 2>"$tmp/err"; then
        stop_proxy
        break # past the commit point: nothing more to learn from larger n
    fi
    stop_proxy
    grep -q 'POST .*uploads -> 200' "$tmp/proxy.log" && mid_write=$((mid_write + 1))
    figures s3://lake/orders
    [ "$(cat "$tmp/out")" = "$before_figures" ] && pass || {
        # failing after the commit point (publication) is allowed: the next read rolls the new version forward
        grep -q 'PUT /lake/orders/_kiln/commits/.* -> 200' "$tmp/proxy.log" || fail "failed run (after $n requests) changed the dataset: $(cat "$tmp/out")"
        break
    }
    [ "$(data_objects s3://lake/orders/)" = "$before_objects" ] && pass || fail "failed run (after $n requests): objects changed: $(data_objects s3://lake/orders/)"
    [ -z "$(open_uploads)" ] && pass || fail "failed run (after $n requests): uploads left open: $(open_uploads)"
done
[ "$mid_write" -gt 0 ] && pass || fail "no failed run got as far as starting an upload (requests per run: $total)"

# ---- a run killed with SIGKILL mid-write: the next commit aborts its uploads ----
four="SELECT ('2024-03-0' || d)::date AS day, d AS amount FROM generate_series(1, 4) d"
kiln_ok "killed: first version" "COPY ($four) TO 's3://lake/k' WITH (PARTITION_BY (day))"
# uploads that are not a dead run's data files, which recovery must leave alone
awscli s3api create-multipart-upload --bucket lake --key k/notes.bin >/dev/null 2>&1 || fail "create-multipart-upload k/notes.bin"
awscli s3api create-multipart-upload --bucket lake --key other/day=1/part-x.parquet >/dev/null 2>&1 || fail "create-multipart-upload other/"
# each staged file's close waits 2.5 s, then starts its upload: kill once three
# are open (the wait leaves this loop 2.5 s to see the third before the fourth
# and the commit, even on a loaded machine)
KILN_LAKE_TEST_STEP_DELAY_MS=2500 "$KILN" query "SET threads = 1; COPY (SELECT day, amount * 10 AS amount FROM ($four) f)
    TO 's3://lake/k' WITH (PARTITION_BY (day), MODE append)" >/dev/null 2>&1 </dev/null &
victim=$!
for _ in $(seq 1 800); do
    [ "$(disk_uploads | grep -c '^k/day=.*/part-')" -ge 3 ] && break
    sleep 0.05
done
kill -9 "$victim" 2>/dev/null
wait "$victim" 2>/dev/null
orphans=$(disk_uploads | grep -c '^k/day=.*/part-')
[ "$orphans" -ge 3 ] && pass || fail "killed run: expected at least 3 open uploads of its data files, found $orphans: $(disk_uploads)"
# the AWS CLI lists them too (through the server's pages of 2)
[ "$(aws_open_uploads | tr '\t' '\n' | grep -c '^k/day=')" = "$orphans" ] && pass || fail "killed run: aws lists $(aws_open_uploads)"
figures s3://lake/k
expect_out "killed: the first version intact" "day,count,sum
2024-03-01,1,1
2024-03-02,1,2
2024-03-03,1,3
2024-03-04,1,4"
# a reader aborts nothing
[ "$(disk_uploads | grep -c '^k/day=.*/part-')" = "$orphans" ] && pass || fail "a reader aborted uploads: $(disk_uploads)"
# the next commit's record is stored at least a second after the orphans started (Last-Modified has one-second precision)
sleep 1
kiln_ok "killed: next run" "COPY (SELECT '2024-03-05'::date AS day, 5 AS amount) TO 's3://lake/k' WITH (PARTITION_BY (day), MODE append)"
[ -z "$(disk_uploads | grep '^k/day=')" ] && pass || fail "the next commit left the killed run's uploads open: $(disk_uploads)"
disk_uploads | grep -qx 'k/notes.bin' && pass || fail "recovery aborted an upload that is not a data file: $(disk_uploads)"
disk_uploads | grep -qx 'other/day=1/part-x.parquet' && pass || fail "recovery aborted an upload of another prefix: $(disk_uploads)"
figures s3://lake/k
expect_out "killed: next version" "day,count,sum
2024-03-01,1,1
2024-03-02,1,2
2024-03-03,1,3
2024-03-04,1,4
2024-03-05,1,5"

echo "test_s3_lake: $checks checks passed, $failures failed ($mid_write runs failed mid-write, of $total requests a run)"
[ "$failures" -eq 0 ]
