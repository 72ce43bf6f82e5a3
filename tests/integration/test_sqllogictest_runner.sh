#!/usr/bin/env bash
# test_sqllogictest_runner.sh: the SQL test runner itself must fail wrong
# results, not only pass right ones.  Uses the sqllogictest binary built next
# to $KILN (build/MODE/sqllogictest); exits 0 when every check passes.
set -u

KILN=${KILN:-./kiln}
runner="$(dirname "$(readlink -f "$KILN")")/sqllogictest"
[ -x "$runner" ] || runner=build/release/sqllogictest
failures=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-slt-runner.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# check NAME EXPECTED-STATUS EXPECTED-SUMMARY FILE-CONTENT
check() {
    local name=$1 want_status=$2 want_summary=$3
    printf '%s\n' "$4" >"$tmp/$name.test"
    "$runner" "$tmp/$name.test" >"$tmp/out" 2>&1
    local status=$?
    local summary
    summary=$(tail -n 1 "$tmp/out")
    if [ "$status" -ne "$want_status" ] || [ "$summary" != "$want_summary" ]; then
        echo "FAIL: $name: exit status $status (want $want_status), summary '$summary' (want '$want_summary')"
        sed 's/^/    /' "$tmp/out"
        failures=$((failures + 1))
    fi
}

check right 0 "1 passed, 0 failed" $'query IT rowsort\nVALUES (2, \'\'), (1, NULL)\n----\n1\tNULL\n2\t(empty)\n\nstatement error\nSELECT 1/0\n----\ndivision by zero\n\nstatement ok\nCREATE TABLE t (a integer)\n\nhash-threshold 2\n\nquery I\nVALUES (1), (2), (3)\n----\n3 values hashing to c0710d6b4f15dfa88f600b0e6b624077'
check wrong_value 1 "0 passed, 1 failed" $'query I\nSELECT 1\n----\n2'
check wrong_row_count 1 "0 passed, 1 failed" $'query I\nVALUES (1), (2)\n----\n1'
check wrong_column_count 1 "0 passed, 1 failed" $'query II\nSELECT 1\n----\n1'
check wrong_hash 1 "0 passed, 1 failed" $'query I\nVALUES (1), (2), (3)\n----\n3 values hashing to 00000000000000000000000000000000'
check unexpected_error 1 "0 passed, 1 failed" $'statement ok\nSELECT 1/0'
check missing_error 1 "0 passed, 1 failed" $'statement error\nSELECT 1'
check wrong_error 1 "0 passed, 1 failed" $'statement error\nSELECT 1/0\n----\nsomething else'
check nosort_order_matters 1 "0 passed, 1 failed" $'query I\nSELECT * FROM (VALUES (1), (2)) AS v(x) ORDER BY x DESC\n----\n1\n2'
check null_is_not_empty 1 "0 passed, 1 failed" $'query T\nSELECT \'\'\n----\nNULL'
check bad_directive 1 "0 passed, 1 failed" $'frobnicate'
check skipped 0 "0 passed, 0 failed, 1 skipped" $'require no_such_feature\n\nstatement ok\nSELECT 1/0'
check skipif_kiln 0 "1 passed, 0 failed" $'skipif kiln\nstatement ok\nSELECT 1/0\n\nonlyif kiln\nquery I\nSELECT 1\n----\n1'
check test_dir 0 "1 passed, 0 failed" $'statement ok\nCOPY (SELECT 1 AS x) TO \'__TEST_DIR__/x.csv\' (FORMAT csv, HEADER true)\n\nquery I\nSELECT x FROM read_csv(\'__TEST_DIR__/x.csv\', header => true)\n----\n1'

"$runner" "$tmp/right.test" "$tmp/wrong_value.test" >"$tmp/out" 2>&1
[ "$(tail -n 1 "$tmp/out")" = "1 passed, 1 failed" ] || {
    echo "FAIL: two files: want '1 passed, 1 failed', got '$(tail -n 1 "$tmp/out")'"
    failures=$((failures + 1))
}
grep -q "wrong_value.test:1: wrong result" "$tmp/out" || {
    echo "FAIL: a failure does not name file:line"
    failures=$((failures + 1))
}

if [ "$failures" -gt 0 ]; then
    echo "test_sqllogictest_runner: $failures check(s) failed"
    exit 1
fi
echo "test_sqllogictest_runner: all checks passed"
