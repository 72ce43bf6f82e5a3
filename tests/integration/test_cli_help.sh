#!/usr/bin/env bash
# test_cli_help.sh: `kiln help`, `kiln --help`, `kiln help COMMAND` and
# `kiln COMMAND --help` print usage on stdout and exit 0; each command's
# usage names its options and the exit codes; `kiln version` prints
# "kiln X.Y.Z" and the parser's PostgreSQL version.
# $KILN is the binary under test; exits 0 when every check passes.
set -u

KILN=${KILN:-./kiln}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-cli-help.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
    echo "FAIL: $*"
    echo "  stdout: $(head -c 600 "$tmp/out")"
    echo "  stderr: $(head -c 600 "$tmp/err")"
    failures=$((failures + 1))
}

# usage_ok NAME PATTERN... -- ARGS: kiln ARGS exits 0, prints on stdout
# only, and stdout matches every PATTERN (grep -E).
usage_ok() {
    local name=$1
    shift
    local patterns=()
    while [ "$1" != "--" ]; do
        patterns+=("$1")
        shift
    done
    shift
    "$KILN" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    local status=$?
    [ "$status" -eq 0 ] || fail "$name: exit status $status"
    [ ! -s "$tmp/err" ] || fail "$name: printed on stderr"
    for p in "${patterns[@]}"; do
        grep -Eq -- "$p" "$tmp/out" || fail "$name: stdout lacks /$p/"
    done
}

overview=('^Usage: kiln COMMAND' 'run JOB.sql' 'query SQL' 'version' '3  SQL error' '5  I/O error')
usage_ok "kiln help" "${overview[@]}" -- help
usage_ok "kiln --help" "${overview[@]}" -- --help
usage_ok "kiln -h" "${overview[@]}" -- -h

run_usage=('^Usage: kiln run JOB.sql' '--param NAME=VALUE' '--format' '--verbose' '--quiet' 'Examples:' 'Exit codes:')
usage_ok "kiln help run" "${run_usage[@]}" -- help run
usage_ok "kiln run --help" "${run_usage[@]}" -- run --help
usage_ok "kiln run -h" "${run_usage[@]}" -- run -h

query_usage=('^Usage: kiln query' 'table' 'csv' 'json' 'jsonl' '--param' 'Examples:' 'Exit codes:')
usage_ok "kiln help query" "${query_usage[@]}" -- help query
usage_ok "kiln query --help" "${query_usage[@]}" -- query --help

usage_ok "kiln help version" '^Usage: kiln version' -- help version
usage_ok "kiln version --help" '^Usage: kiln version' -- version --help
usage_ok "kiln help help" '^Usage: kiln help' -- help help

usage_ok "kiln version" '^kiln [0-9]+\.[0-9]+\.[0-9]+$' 'PostgreSQL [0-9]+\.[0-9]+' -- version
usage_ok "kiln --version" '^kiln [0-9]+\.[0-9]+\.[0-9]+$' -- --version

# The examples in `kiln query --help` run.
"$KILN" query "SELECT 1 AS one, 'x' AS letter" >"$tmp/out" 2>"$tmp/err" || fail "query --help example 1"
"$KILN" query --param day=2026-11-24 "SELECT {{ day }}::date + 1 AS next_day" >"$tmp/out" 2>"$tmp/err" ||
    fail "query --help example 3"

# Without a command: usage on stderr, exit 2.
"$KILN" >"$tmp/out" 2>"$tmp/err" </dev/null
status=$?
[ "$status" -eq 2 ] || fail "kiln without a command: exit status $status"
grep -q '^Usage: kiln' "$tmp/err" || fail "kiln without a command: no usage on stderr"

if [ "$failures" -ne 0 ]; then
    echo "test_cli_help: $failures checks failed"
    exit 1
fi
echo "test_cli_help: all checks passed"
