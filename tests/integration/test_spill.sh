#!/usr/bin/env bash
# test_spill.sh: spilling end to end, on a CSV file read in parallel (partial
# aggregates in the workers hand their groups up early, the combining
# aggregate and the join spill): results under a 2MB memory_limit equal the
# in-memory ones, spill files never remain in temp_directory (after success
# and after a query that fails half-way), and an unwritable temp_directory or
# a failing write is a clear I/O error.  $KILN is the binary under test (default ./kiln).
set -u

KILN=${KILN:-./kiln}
failures=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-spill.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/spill"

fail() {
    echo "FAIL: $*"
    echo "  stdout: $(head -c 2000 "$tmp/out")"
    echo "  stderr: $(head -c 2000 "$tmp/err")"
    failures=$((failures + 1))
}

# 300000 rows: id, key (150000 distinct), text, amount
awk 'BEGIN { print "id,k,s,amount"; for (i = 0; i < 300000; i++) printf "%d,%d,name %d,%d.%02d\n", i, (i * 7) % 150000, i % 90000, i % 1000, i % 100 }' > "$tmp/data.csv"

query='SELECT k, count(*) AS c, sum(amount) AS total, min(s) AS first_name, max(id) AS last_id
       FROM read_csv('"'$tmp/data.csv'"', header => true) GROUP BY k'
join='SELECT a.id, b.id AS other, a.s FROM read_csv('"'$tmp/data.csv'"', header => true) AS a
      JOIN read_csv('"'$tmp/data.csv'"', header => true) AS b ON a.k = b.id'

cat > "$tmp/job.sql" <<SQL
SET threads = 2;
CREATE TABLE mem_g AS $query;
CREATE TABLE mem_j AS $join;
SET memory_limit = '2MB';
SET temp_directory = '$tmp/spill';
CREATE TABLE disk_g AS $query;
CREATE TABLE disk_j AS $join;
COPY (SELECT (SELECT count(*) FROM mem_g) AS groups,
       (SELECT count(*) FROM (SELECT * FROM mem_g EXCEPT ALL SELECT * FROM disk_g) AS x)
     + (SELECT count(*) FROM (SELECT * FROM disk_g EXCEPT ALL SELECT * FROM mem_g) AS y) AS group_diff,
       (SELECT count(*) FROM mem_j) AS pairs,
       (SELECT count(*) FROM (SELECT * FROM mem_j EXCEPT ALL SELECT * FROM disk_j) AS x)
     + (SELECT count(*) FROM (SELECT * FROM disk_j EXCEPT ALL SELECT * FROM mem_j) AS y) AS join_diff)
  TO '$tmp/compare.csv' (HEADER false);
SHOW spilled_bytes;
SQL
"$KILN" run "$tmp/job.sql" --format csv >"$tmp/out" 2>"$tmp/err"
status=$?
[ $status -eq 0 ] || fail "spilling job: exit status $status"
grep -qx '150000,0,300000,0' "$tmp/compare.csv" || fail "spilled results differ from in-memory ones (groups,diff,pairs,diff)"
spilled=$(grep -E '^[0-9]+$' "$tmp/out" | head -1)
echo "spilled: ${spilled:-0} bytes"; [ "${spilled:-0}" -gt 1000000 ] || fail "the job spilled ${spilled:-nothing} bytes, expected more than 1 MB"
[ -z "$(ls -A "$tmp/spill")" ] || fail "spill files left in temp_directory: $(ls "$tmp/spill" | head -3)"

# a query failing after it spilled (a bad value late in the input)
cp "$tmp/data.csv" "$tmp/bad.csv"
echo "300000,5,late,not-a-number" >> "$tmp/bad.csv"
cat > "$tmp/bad.sql" <<SQL
SET memory_limit = '2MB';
SET temp_directory = '$tmp/spill';
SELECT count(*) FROM (SELECT k, sum(amount::numeric) FROM read_csv('$tmp/bad.csv', header => true, all_varchar => true) GROUP BY k) AS q;
SQL
"$KILN" run "$tmp/bad.sql" >"$tmp/out" 2>"$tmp/err"
status=$?
[ $status -ne 0 ] || fail "the bad value did not fail the query"
grep -q 'not-a-number' "$tmp/err" || fail "the error does not name the bad value"
[ -z "$(ls -A "$tmp/spill")" ] || fail "spill files left after a failed query"

# an unwritable temp_directory
cat > "$tmp/nodir.sql" <<SQL
SET memory_limit = '2MB';
SET temp_directory = '$tmp/missing';
SELECT count(*) FROM ($query) AS q;
SQL
"$KILN" run "$tmp/nodir.sql" >"$tmp/out" 2>"$tmp/err"
status=$?
[ $status -ne 0 ] || fail "a missing temp_directory did not fail the query"
grep -q 'could not create a spill file in' "$tmp/err" || fail "no clear error for a missing temp_directory"

# a write failure (a full disk, here a file size limit: SIGXFSZ ignored
# makes write() fail with EFBIG) is a clear I/O error, exit status 5
cat > "$tmp/full.sql" <<SQL
SET memory_limit = '2MB';
SET temp_directory = '$tmp/spill';
SELECT count(*) FROM ($query) AS q;
SQL
(trap '' XFSZ; ulimit -f 40; "$KILN" run "$tmp/full.sql" >"$tmp/out" 2>"$tmp/err")
status=$?
[ $status -eq 5 ] || fail "a failing spill write: exit status $status, expected 5 (I/O error)"
grep -q 'could not write a spill file: File too large (is the temp_directory full?)' "$tmp/err" ||
    fail "no clear error for a failing spill write"
[ -z "$(ls -A "$tmp/spill")" ] || fail "spill files left after a failed write"

if [ $failures -eq 0 ]; then echo "test_spill: all checks passed"; exit 0; fi
exit 1
