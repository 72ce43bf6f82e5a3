#!/usr/bin/env bash
# test_cli_basics.sh: first end-to-end checks of the kiln binary: version,
# help, a query in each output format, and the exit code and position of a
# SQL error.  $KILN is the binary under test (default ./kiln); exits 0 when
# every check passes, else prints each failed check and exits 1.
set -u

KILN=${KILN:-./kiln}
failures=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-cli-basics.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

fail() {
    echo "FAIL: $*"
    echo "  exit status: $status"
    echo "  stdout: $(head -c 2000 "$tmp/out")"
    echo "  stderr: $(head -c 2000 "$tmp/err")"
    failures=$((failures + 1))
}

# run ARGS...: run kiln; sets $status, $out and $err.
run() {
    "$KILN" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    out=$(cat "$tmp/out")
    err=$(cat "$tmp/err")
}

expect_status() {
    [ "$status" -eq "$1" ] || fail "$2: expected exit status $1"
}

# --- version and help ------------------------------------------------------
run version
expect_status 0 "kiln version"
grep -Eq '^kiln [0-9]+\.[0-9]+\.[0-9]+' <<<"$out" || fail "kiln version: expected 'kiln X.Y.Z'"

run --version
expect_status 0 "kiln --version"
grep -Eq '^kiln [0-9]+\.[0-9]+\.[0-9]+' <<<"$out" || fail "kiln --version: expected 'kiln X.Y.Z'"

run help
expect_status 0 "kiln help"
for command in run query version help; do
    grep -q "$command" <<<"$out" || fail "kiln help: does not mention '$command'"
done

run --help
expect_status 0 "kiln --help"
[ -n "$out" ] || fail "kiln --help: printed nothing on stdout"

# --- queries ---------------------------------------------------------------
run query "SELECT 1"
expect_status 0 "query SELECT 1"
grep -Eq '^ *1 *$' <<<"$out" || fail "query SELECT 1: no line with the value 1"
grep -q '(1 row)' <<<"$out" || fail "query SELECT 1: no '(1 row)' footer"

run query --format csv "SELECT 1 AS x, 'a b' AS y, NULL::int AS z"
expect_status 0 "query --format csv"
[ "$out" = $'x,y,z\n1,a b,' ] || fail "query --format csv: unexpected output"

run query --format csv "SELECT 1 AS a; SELECT 2 AS b"
expect_status 0 "query with two statements"
[ "$out" = $'b\n2' ] || fail "query with two statements: expected only the last result"

run query --format json "SELECT 1 AS x, 'hi' AS y, true AS z"
expect_status 0 "query --format json"
tr -d ' \n' <<<"$out" | grep -Fq '[{"x":1,"y":"hi","z":true}]' ||
    fail "query --format json: expected [{\"x\": 1, \"y\": \"hi\", \"z\": true}]"

# --- errors ----------------------------------------------------------------
run query "SELEC 1"
expect_status 3 "query SELEC 1 (a SQL error)"
grep -q 'syntax error at or near "SELEC"' <<<"$err" || fail "query SELEC 1: message lacks the syntax error"
grep -q 'line 1, column 1' <<<"$err" || fail "query SELEC 1: message lacks 'line 1, column 1'"
[ -z "$out" ] || fail "query SELEC 1: printed something on stdout"

run query "SELECT 1 FORM t"
expect_status 3 "query SELECT 1 FORM t"
grep -q 'line 1, column 15' <<<"$err" || fail "SELECT 1 FORM t: message lacks 'line 1, column 15'"

run query "SELECT 1/0"
expect_status 4 "query SELECT 1/0 (a data error)"
grep -q 'division by zero' <<<"$err" || fail "query SELECT 1/0: message lacks 'division by zero'"

run frobnicate
expect_status 2 "unknown command"

run query
expect_status 2 "query without SQL"

if [ "$failures" -gt 0 ]; then
    echo "test_cli_basics: $failures check(s) failed"
    exit 1
fi
echo "test_cli_basics: all checks passed"
