#!/usr/bin/env bash
# test_redshift_load.sh: COPY ... TO '<redshift connection>:<table>' without a
# Redshift cluster: a real PostgreSQL 15 (pg_server.sh) plays the cluster and
# s3rver (tests/integration/s3) the staging bucket, under the test-only
# setting redshift_emulate_copy, which records every statement of the load
# in a file and, instead of sending Redshift's COPY ... FROM 's3://...'
# IAM_ROLE ... FORMAT AS PARQUET, reads the staged Parquet files back from
# S3 and binary-COPYs them into the stage.  Checks:
#   - the exact statements of each MODE (golden text, the run id masked);
#   - each MODE's final table, and the created table's types;
#   - the staged files while staged (listed with the AWS CLI and read back
#     with read_parquet while the load waits on a lock) and gone after;
#   - failures (in the query, in the merge on the server, the connection
#     killed mid-load) leave the target unchanged and no staged object;
#   - '<connection>:<table>' targets of the other kinds (PostgreSQL,
#     SQLite), what is not a connection (s3://, paths with a colon), errors
#     (unknown connection listing the known ones, unsupported mode, missing
#     s3_staging) and no password in errors.
set -u
KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
s3dir="$root/tests/integration/s3"
cd "$root" || exit 2
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "SKIP: node and npm are needed (scripts/install-deps.sh installs them)"
    exit 0
fi
if [ ! -d "$s3dir/node_modules/s3rver" ]; then
    (cd "$s3dir" && npm ci --no-audit --no-fund >/dev/null 2>&1) || { echo "FAIL: npm ci in tests/integration/s3 failed"; exit 1; }
fi
command -v aws >/dev/null 2>&1 || { echo "FAIL: the AWS CLI (scripts/install-deps.sh) is not installed"; exit 1; }
. tests/integration/pg_server.sh
pg_start || { echo "FAIL: could not start PostgreSQL"; exit 1; }
tmp=$PG_DIR/rs
mkdir -p "$tmp/s3" "$tmp/home" "$tmp/work"
s3pid=
cleanup() {
    [ -n "$s3pid" ] && kill "$s3pid" 2>/dev/null
    wait 2>/dev/null
    pg_stop
}
trap cleanup EXIT
node "$s3dir/server.js" "$tmp/s3" "$tmp/s3.port" 2>"$tmp/s3.log" &
s3pid=$!
for _ in $(seq 1 200); do [ -s "$tmp/s3.port" ] && break; sleep 0.1; done
[ -s "$tmp/s3.port" ] || { echo "FAIL: the S3 test server did not start"; cat "$tmp/s3.log"; exit 1; }
endpoint="http://127.0.0.1:$(cat "$tmp/s3.port")"
export HOME=$tmp/home
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_SHARED_CREDENTIALS_FILE AWS_CONFIG_FILE AWS_ENDPOINT_URL_S3 AWS_DEFAULT_REGION
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1 AWS_ENDPOINT_URL="$endpoint"
export AWS_EC2_METADATA_DISABLED=true
awscli() { aws --endpoint-url "$endpoint" --region us-east-1 "$@"; }
awscli s3 mb s3://kiln >/dev/null || { echo "FAIL: aws s3 mb"; exit 1; }
cd "$tmp/work" || exit 2

failures=0
fail() { echo "FAIL: $1"; failures=$((failures + 1)); }
expect() {
    if [ "$2" != "$3" ]; then
        fail "$1"; echo "--- expected"; printf '%s\n' "$2"; echo "--- got"; printf '%s\n' "$3"
    else
        echo "PASS: $1"
    fi
}
expect_has() { case $3 in *"$2"*) echo "PASS: $1" ;; *) fail "$1 (expected to contain: $2)"; printf '%s\n' "$3" ;; esac; }

ROLE='arn:aws:iam::123456789012:role/kiln-loader'
LOG=$tmp/redshift.sql
SERVER="CREATE SERVER rs FOREIGN DATA WRAPPER redshift OPTIONS (url 'redshift://$PG_USER@127.0.0.1:$PG_PORT/postgres', s3_staging 's3://kiln/stage/', iam_role '$ROLE')"
# kiln with the emulated Redshift connection "rs" (password from PGPASSWORD)
kq() { PGPASSWORD=$PG_PASSWORD "$KILN" query --format csv "SET redshift_emulate_copy = '$LOG'; $SERVER; $1" 2>&1; }
psql_csv() { $PSQL --csv -c "$1" 2>&1; }
# kq_ok NAME SQL: a load that prints nothing (no error, notice or sanitizer report)
kq_ok() { expect "$1: no output" "" "$(kq "$2")"; }
# the statements of the last load, its run id masked
statements() { sed -E 's/kiln-[0-9]{8}T[0-9]{6}Z-[0-9]+-[0-9]+-[0-9]+/<run>/g' "$LOG"; }
staged() { awscli s3 ls --recursive s3://kiln/stage/ 2>&1; }

$PSQL -c "CREATE SCHEMA dw" || { echo "FAIL: setup"; exit 1; }

# ---- append into a missing table: created with Redshift's types ----
rm -f "$LOG"
out=$(kq "COPY (SELECT * FROM (VALUES
  (1, 'a', 1.50::numeric(10,2), DATE '2024-01-01', TIMESTAMP '2024-01-01 10:00:00.25', true, 9223372036854775807, 1.5::float8, 12345678901234567890.123456789::numeric(38,9)),
  (2, 'tab	and ''quote''', -2.00, DATE '4714-11-24 BC', TIMESTAMP '294246-12-31 23:59:59.999999', false, -9223372036854775808, '-0'::float8, -0.000000001),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)) v(id, name, amt, day, ts, ok, g, d, big))
  TO 'rs:dw.sales'")
expect "append into a new table (no output, no notice)" "" "$out"
expect "append: the statements sent" "BEGIN;
CREATE TABLE IF NOT EXISTS \"dw\".\"sales\" (\"id\" INTEGER, \"name\" VARCHAR(65535), \"amt\" DECIMAL(10,2), \"day\" DATE, \"ts\" TIMESTAMP, \"ok\" BOOLEAN, \"g\" BIGINT, \"d\" DOUBLE PRECISION, \"big\" DECIMAL(38,9));
CREATE TEMP TABLE kiln_stage (\"id\" INTEGER, \"name\" VARCHAR(65535), \"amt\" DECIMAL(10,2), \"day\" DATE, \"ts\" TIMESTAMP, \"ok\" BOOLEAN, \"g\" BIGINT, \"d\" DOUBLE PRECISION, \"big\" DECIMAL(38,9), kiln_ord BIGINT);
COPY kiln_stage FROM 's3://kiln/stage/<run>/' IAM_ROLE '$ROLE' FORMAT AS PARQUET;
INSERT INTO \"dw\".\"sales\" (\"id\", \"name\", \"amt\", \"day\", \"ts\", \"ok\", \"g\", \"d\", \"big\") SELECT \"id\", \"name\", \"amt\", \"day\", \"ts\", \"ok\", \"g\", \"d\", \"big\" FROM kiln_stage;
COMMIT;" "$(statements)"
expect "created table types" 'column_name,data_type,character_maximum_length,numeric_precision,numeric_scale
id,integer,,32,0
name,character varying,65535,,
amt,numeric,,10,2
day,date,,,
ts,timestamp without time zone,,,
ok,boolean,,,
g,bigint,,64,0
d,double precision,,53,
big,numeric,,38,9' "$(psql_csv "SELECT column_name, data_type, character_maximum_length, numeric_precision, numeric_scale FROM information_schema.columns WHERE table_schema = 'dw' AND table_name = 'sales' ORDER BY ordinal_position")"
expect "values round-trip through Parquet on S3" 'id,name,amt,day,ts,ok,g,d,big
1,a,1.50,2024-01-01,2024-01-01 10:00:00.25,t,9223372036854775807,1.5,12345678901234567890.123456789
2,tab	and '"'"'quote'"'"',-2.00,4714-11-24 BC,294246-12-31 23:59:59.999999,f,-9223372036854775808,-0,-0.000000001
3,,,,,,,,' "$(psql_csv "SELECT * FROM dw.sales ORDER BY id")"
expect "no staged object after the load" "" "$(staged)"

# ---- the modes ----
kq_ok "load" "COPY (SELECT * FROM (VALUES (1, 'x'), (2, 'y')) v(id, name)) TO 'rs:kv'"
rm -f "$LOG"
kq_ok "upsert" "COPY (SELECT * FROM (VALUES (2, 'Y1'), (3, 'z'), (2, 'Y2'), (NULL, 'n1'), (NULL, 'n2')) v(id, name)) TO 'rs:kv' WITH (MODE upsert, KEY (id))"
expect "upsert" 'id,name
1,x
2,Y2
3,z
,n1
,n2' "$(psql_csv "SELECT * FROM kv ORDER BY id, name")"
expect "upsert: the statements sent" "BEGIN;
CREATE TABLE IF NOT EXISTS \"kv\" (\"id\" INTEGER, \"name\" VARCHAR(65535));
CREATE TEMP TABLE kiln_stage (\"id\" INTEGER, \"name\" VARCHAR(65535), kiln_ord BIGINT);
COPY kiln_stage FROM 's3://kiln/stage/<run>/' IAM_ROLE '$ROLE' FORMAT AS PARQUET;
DELETE FROM \"kv\" USING kiln_stage WHERE \"kv\".\"id\" = kiln_stage.\"id\";
INSERT INTO \"kv\" (\"id\", \"name\") SELECT \"id\", \"name\" FROM (SELECT \"id\", \"name\", ROW_NUMBER() OVER (PARTITION BY \"id\" ORDER BY kiln_ord DESC) AS kiln_row FROM kiln_stage) AS kiln_latest WHERE kiln_row = 1 OR \"id\" IS NULL;
COMMIT;" "$(statements)"

kq_ok "load" "COPY (SELECT * FROM (VALUES (DATE '2024-01-01', 'USD', 1), (DATE '2024-01-01', 'EUR', 2), (DATE '2024-01-02', 'USD', 3)) v(day, cur, n)) TO 'rs:dw.daily'"
rm -f "$LOG"
kq_ok "load" "COPY (SELECT * FROM (VALUES (DATE '2024-01-01', 'JPY', 9)) v(day, cur, n)) TO 'rs:dw.daily' WITH (MODE replace_partitions, KEY (day))"
expect "replace_partitions" $'day,cur,n\n2024-01-01,JPY,9\n2024-01-02,USD,3' "$(psql_csv "SELECT * FROM dw.daily ORDER BY day, cur")"
expect "replace_partitions: the statements sent" "BEGIN;
CREATE TABLE IF NOT EXISTS \"dw\".\"daily\" (\"day\" DATE, \"cur\" VARCHAR(65535), \"n\" INTEGER);
CREATE TEMP TABLE kiln_stage (\"day\" DATE, \"cur\" VARCHAR(65535), \"n\" INTEGER, kiln_ord BIGINT);
COPY kiln_stage FROM 's3://kiln/stage/<run>/' IAM_ROLE '$ROLE' FORMAT AS PARQUET;
DELETE FROM \"dw\".\"daily\" USING kiln_stage WHERE \"dw\".\"daily\".\"day\" = kiln_stage.\"day\";
INSERT INTO \"dw\".\"daily\" (\"day\", \"cur\", \"n\") SELECT \"day\", \"cur\", \"n\" FROM kiln_stage;
COMMIT;" "$(statements)"

rm -f "$LOG"
kq_ok "load" "COPY (SELECT * FROM (VALUES (DATE '2024-02-01', 'GBP', 7)) v(day, cur, n)) TO 'rs:dw.daily' WITH (MODE replace)"
expect "replace" $'day,cur,n\n2024-02-01,GBP,7' "$(psql_csv "SELECT * FROM dw.daily ORDER BY day, cur")"
expect_has "replace deletes every row (not TRUNCATE, which commits in Redshift)" "COPY kiln_stage FROM 's3://kiln/stage/<run>/' IAM_ROLE '$ROLE' FORMAT AS PARQUET;
DELETE FROM \"dw\".\"daily\";
INSERT INTO" "$(statements)"

# region, and SET warehouse naming the connection
rm -f "$LOG"
out=$(PGPASSWORD=$PG_PASSWORD "$KILN" query "SET redshift_emulate_copy = '$LOG';
SET warehouse = 'redshift://$PG_USER@127.0.0.1:$PG_PORT/postgres?s3_staging=s3://kiln/stage&iam_role=$ROLE&region=eu-west-1';
COPY (SELECT 5 AS id, 'w' AS name) TO 'warehouse:kv'" 2>&1)
expect "SET warehouse = 'redshift://...'" "COPY 1" "$out"
expect_has "REGION and a prefix without its final slash" "COPY kiln_stage FROM 's3://kiln/stage/<run>/' IAM_ROLE '$ROLE' FORMAT AS PARQUET REGION 'eu-west-1';" "$(statements)"

# ---- the staged files, while staged: the load waits on a lock held by another session ----
$PSQL -c "CREATE TABLE dw.locked (id integer, name varchar(65535)); INSERT INTO dw.locked VALUES (0, 'old')"
( $PSQL -c "SET application_name = 'locker'; BEGIN; LOCK TABLE dw.locked IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT" >/dev/null 2>&1 ) &
locker=$!
for _ in $(seq 1 100); do
    [ "$($PSQL -At -c "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'locker' AND l.granted AND l.mode = 'AccessExclusiveLock'")" -gt 0 ] && break
    sleep 0.1
done
( kq "COPY (SELECT * FROM (VALUES (1, 'one'), (2, 'two'), (3, 'three')) v(id, name)) TO 'rs:dw.locked' WITH (MODE replace)" >"$tmp/locked.out" ) &
loader=$!
waiting=0
for _ in $(seq 1 200); do
    n=$($PSQL -At -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'kiln' AND wait_event_type = 'Lock'")
    if [ "${n:-0}" -gt 0 ]; then waiting=1; break; fi
    sleep 0.05
done
if [ "$waiting" -eq 1 ]; then
    listing=$(staged)
    expect_has "a staged Parquet file is listed by the AWS CLI while the load runs" "part-00000.parquet" "$listing"
    key=$(printf '%s\n' "$listing" | awk '/part-00000.parquet/ {print $4}')
    out=$("$KILN" query --format csv "SELECT * FROM read_parquet('s3://kiln/$key') ORDER BY kiln_ord" 2>&1)
    expect "the staged file reads back as the rows, with their order" $'id,name,kiln_ord\n1,one,0\n2,two,1\n3,three,2' "$out"
else
    fail "the load never waited on the lock"
fi
$PSQL -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'locker'" >/dev/null
wait "$locker" 2>/dev/null
wait "$loader"
expect "the waiting load then finished" "" "$(cat "$tmp/locked.out")"
expect "its rows" $'id,name\n1,one\n2,two\n3,three' "$(psql_csv "SELECT * FROM dw.locked ORDER BY id")"
expect "and its staged files are gone" "" "$(staged)"

big="SELECT a.x * 1000 + b.x * 100 + c.x * 10 + d.x AS id FROM (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) a(x), (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) b(x), (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) c(x), (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) d(x)"
# ---- many batches: the last row of a key wins across batches; no rows at all ----
kq_ok "10000 rows" "CREATE TABLE big AS $big; COPY (SELECT id % 10 AS k, id FROM big) TO 'rs:dw.many' WITH (MODE upsert, KEY (k))"
expect "upsert of 10000 rows keeps the last row of each key" $'k,id\n0,9990\n1,9991\n2,9992\n3,9993\n4,9994\n5,9995\n6,9996\n7,9997\n8,9998\n9,9999' "$(psql_csv "SELECT * FROM dw.many ORDER BY k")"
kq_ok "no rows" "COPY (SELECT 1 AS id WHERE false) TO 'rs:dw.empty'"
expect "a load of no rows creates the table" $'count\n0' "$(psql_csv "SELECT count(*) FROM dw.empty")"
expect "... and stages nothing that stays" "" "$(staged)"

# ---- failures leave the target unchanged and nothing staged ----
before=$(psql_csv "SELECT * FROM dw.locked ORDER BY id")
out=$(kq "CREATE TABLE big AS $big; COPY (SELECT id + 0 * (1 / (8500 - id)) AS id, 'new' AS name FROM big) TO 'rs:dw.locked' WITH (MODE replace)")
expect_has "a query failing half-way reports its error" "division by zero" "$out"
expect "... leaves the target unchanged" "$before" "$(psql_csv "SELECT * FROM dw.locked ORDER BY id")"
expect "... and nothing staged" "" "$(staged)"
out=$(kq "COPY (SELECT 'not a number' AS id, 'x' AS name) TO 'rs:dw.locked' WITH (MODE replace)")
expect_has "a merge failing on the server reports the server's error" 'column "id" is of type integer but expression is of type character varying' "$out"
expect "... leaves the target unchanged" "$before" "$(psql_csv "SELECT * FROM dw.locked ORDER BY id")"
expect "... and nothing staged" "" "$(staged)"
out=$(kq "COPY (SELECT repeat('x', 70000) AS name) TO 'rs:dw.toolong'")
expect_has "a value longer than VARCHAR(65535) is refused" "column \"name\": a value of 70000 bytes is longer than Redshift's VARCHAR(65535)" "$out"
expect "... and nothing staged" "" "$(staged)"
# the connection dropping mid-load: kiln's backend killed while the load waits on a lock
( $PSQL -c "SET application_name = 'locker'; BEGIN; LOCK TABLE dw.locked IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT" >/dev/null 2>&1 ) &
locker=$!
# wait until the locker holds its lock (a fixed sleep loses that race on a loaded machine)
for _ in $(seq 1 400); do
    [ "$($PSQL -At -c "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'locker' AND l.mode = 'AccessExclusiveLock' AND l.granted" 2>/dev/null)" -gt 0 ] 2>/dev/null && break
    sleep 0.05
done
( kq "COPY (SELECT * FROM (VALUES (7, 'seven')) v(id, name)) TO 'rs:dw.locked' WITH (MODE replace)" >"$tmp/killed.out" ) &
loader=$!
killed=0
for _ in $(seq 1 600); do
    n=$($PSQL -At -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'kiln' AND wait_event_type = 'Lock'" 2>/dev/null)
    if [ "${n:-0}" -gt 0 ]; then killed=1; break; fi
    sleep 0.05
done
$PSQL -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'locker'" >/dev/null
wait "$locker" 2>/dev/null
wait "$loader"
if [ "$killed" -eq 1 ]; then
    expect_has "a load whose connection is killed reports it" 'loading Redshift table "dw.locked"' "$(cat "$tmp/killed.out")"
    expect "... leaves the target unchanged" "$before" "$(psql_csv "SELECT * FROM dw.locked ORDER BY id")"
    expect "... and nothing staged" "" "$(staged)"
else
    fail "could not catch the load to kill it"; cat "$tmp/killed.out"
fi

# ---- '<connection>:<table>' of the other kinds, and what is not one ----
out=$(PGPASSWORD=$PG_PASSWORD "$KILN" query --format csv "CREATE SERVER pg FOREIGN DATA WRAPPER postgres_fdw OPTIONS (url '$PG_URL');
COPY (SELECT 1 AS id, 'p' AS name) TO 'pg:dw.plain' WITH (MODE append);
COPY (SELECT 1 AS id, 'q' AS name) TO 'pg:dw.plain' WITH (MODE upsert, KEY (id))" 2>&1)
expect "PostgreSQL connection target loads: no output" "" "$out"
expect "a PostgreSQL connection target" $'id,name\n1,q' "$(psql_csv "SELECT * FROM dw.plain")"
out=$("$KILN" query --format csv "CREATE SERVER lite FOREIGN DATA WRAPPER sqlite_fdw OPTIONS (url 'sqlite:lite.db');
COPY (SELECT 1 AS id) TO 'lite:t'; COPY (SELECT 2 AS id) TO 'lite:t' WITH (MODE replace); SELECT * FROM read_sqlite('lite.db', 't')" 2>&1)
expect "a SQLite connection target" $'id\n2' "$out"
out=$(KILN_CONNECTIONS=$(printf 'yaml_lite\tsqlite:yaml.db\t\n') "$KILN" query --format csv "COPY (SELECT 3 AS id) TO 'yaml_lite:t'; SELECT * FROM read_sqlite('yaml.db', 't')" 2>&1)
expect "a project (kiln.yaml) connection target" $'id\n3' "$out"
"$KILN" query "COPY (SELECT 1 AS id) TO 'out:file.csv'" >/dev/null 2>&1
expect "'out:file.csv' is a file" "1" "$(cat 'out:file.csv' 2>&1)"
"$KILN" query "COPY (SELECT 1 AS id) TO 's3://kiln/plain/x.csv'" >/dev/null 2>&1
expect "'s3://...' is a file" "$(printf '1')" "$(awscli s3 cp s3://kiln/plain/x.csv - 2>&1)"
out=$("$KILN" query "CREATE SERVER lite FOREIGN DATA WRAPPER sqlite_fdw OPTIONS (url 'sqlite:lite.db'); COPY (SELECT 1 AS id) TO 'nowhere:dw.t'" 2>&1)
expect_has "an unknown connection lists the known ones" "connection \"nowhere\" does not exist (known: lite;" "$out"
out=$(kq "COPY (SELECT 1 AS id) TO 'rs:t' WITH (MODE merge)")
expect_has "an unsupported mode" 'MODE must be append, overwrite, upsert or replace_partitions for a warehouse load (replace is overwrite), not "merge"' "$out"
out=$(kq "COPY (SELECT INTERVAL '1 day' AS iv) TO 'rs:t'")
expect_has "an interval column is refused" 'column "iv" is an interval: Redshift cannot load one from Parquet (cast it to text)' "$out"
out=$(kq "COPY (SELECT 1 AS kiln_ord) TO 'rs:t'")
expect_has "kiln's own column name is refused" 'column name "kiln_ord" is kiln'"'"'s own in a Redshift load' "$out"
out=$(PGPASSWORD=$PG_PASSWORD "$KILN" query "CREATE SERVER r2 FOREIGN DATA WRAPPER redshift OPTIONS (url 'redshift://$PG_USER@127.0.0.1:$PG_PORT/postgres', iam_role '$ROLE'); COPY (SELECT 1 AS id) TO 'r2:t'" 2>&1)
expect_has "a missing s3_staging" "a redshift connection needs s3_staging 's3://bucket/prefix/'" "$out"
out=$(env -u PGPASSWORD "$KILN" query "CREATE SERVER r3 FOREIGN DATA WRAPPER redshift OPTIONS (url 'redshift://$PG_USER@127.0.0.1:$PG_PORT/postgres', password 'Wr0ng-Pass-777', s3_staging 's3://kiln/stage/', iam_role '$ROLE'); COPY (SELECT 1 AS id) TO 'r3:t'" 2>&1)
case $out in
*Wr0ng-Pass-777*) fail "wrong password: the secret is in the error"; echo "$out" ;;
*'password authentication failed'*) echo "PASS: wrong password, without the secret" ;;
*) fail "wrong password"; echo "$out" ;;
esac
expect "nothing staged by the refused loads" "" "$(staged)"

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all Redshift load checks passed"
