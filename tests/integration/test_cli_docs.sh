#!/usr/bin/env bash
# test_cli_docs.sh: runs the examples of docs/cli.md and docs/jobs.md and
# checks that their output is what the page shows, so the docs stay true.
#
# In a page, a fenced block whose first line is "-- file: NAME" is written
# to NAME in a scratch folder; in other fenced blocks, a line starting with
# "$ " is a command (continued over the next lines while its quotes are
# open) and the lines after it, up to the next command or the end of the
# block, are its expected output: stderr then stdout (or stdout then
# stderr).  Durations "(0.01 s)" are compared as "(T s)".  Commands run in
# the scratch folder with `kiln` meaning $KILN.  Exits 0 when every example
# matches, else prints each mismatch and exits 1.
set -u

KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-cli-docs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0
examples=0

normalize() { sed -E 's/\([0-9]+\.[0-9]+ s\)/(T s)/'; }

# run_example PAGE COMMAND EXPECTED
run_example() {
    local page=$1 cmd=$2 expected=$3
    examples=$((examples + 1))
    (
        cd "$tmp/work" || exit 99
        kiln() { "$KILN" "$@"; }
        eval "$cmd"
    ) >"$tmp/out" 2>"$tmp/err" </dev/null
    local want got1 got2
    want=$(printf '%s' "$expected" | normalize)
    got1=$(cat "$tmp/err" "$tmp/out" | normalize)
    got2=$(cat "$tmp/out" "$tmp/err" | normalize)
    if [ "$want" != "$got1" ] && [ "$want" != "$got2" ]; then
        echo "FAIL: $page: \$ $cmd"
        echo "--- expected"
        printf '%s\n' "$want"
        echo "--- got"
        printf '%s\n' "$got1"
        failures=$((failures + 1))
    fi
}

# check_page PAGE: write its files, run its commands.
check_page() {
    local page=$1
    rm -rf "$tmp/work"
    mkdir -p "$tmp/work"
    local in_block=0 block_first=0 file="" cmd="" expected="" collecting=0 line
    while IFS= read -r line || [ -n "$line" ]; do
        if [ "$in_block" -eq 0 ]; then
            if [[ "$line" == '```'* ]]; then
                in_block=1
                block_first=1
                file=""
            fi
            continue
        fi
        if [[ "$line" == '```' ]]; then
            if [ -n "$cmd" ]; then run_example "$page" "$cmd" "$expected"; fi
            in_block=0
            cmd=""
            expected=""
            collecting=0
            continue
        fi
        if [ "$block_first" -eq 1 ]; then
            block_first=0
            if [[ "$line" =~ ^--\ file:\ (.+)$ ]]; then
                file="$tmp/work/${BASH_REMATCH[1]}"
                : >"$file"
                # in a SQL file the marker is a comment and stays (so line
                # numbers match the page); in a data file it is not data
                [[ "$file" == *.sql ]] || continue
            fi
        fi
        if [ -n "$file" ]; then
            printf '%s\n' "$line" >>"$file"
            continue
        fi
        if [ "$collecting" -eq 1 ]; then
            # a command whose quotes are still open continues on this line
            cmd="$cmd"$'\n'"$line"
            if bash -n <<<"$cmd" 2>/dev/null; then collecting=0; fi
            continue
        fi
        if [[ "$line" == '$ '* ]]; then
            if [ -n "$cmd" ]; then run_example "$page" "$cmd" "$expected"; fi
            cmd=${line#\$ }
            expected=""
            if ! bash -n <<<"$cmd" 2>/dev/null; then collecting=1; fi
            continue
        fi
        if [ -n "$cmd" ]; then
            if [ -z "$expected" ]; then expected=$line; else expected="$expected"$'\n'"$line"; fi
        fi
    done <"$root/$page"
}

check_page docs/cli.md
check_page docs/jobs.md
check_page docs/sql.md
check_page docs/json.md
check_page docs/parquet.md
check_page docs/databases.md
check_page docs/orchestration.md
check_page docs/quality.md
check_page docs/s3.md
check_page docs/lake.md
check_page docs/guide.md

if [ "$examples" -lt 10 ]; then
    echo "FAIL: only $examples examples found in the docs"
    failures=$((failures + 1))
fi
if [ "$failures" -ne 0 ]; then
    echo "test_cli_docs: $failures of $examples examples failed"
    exit 1
fi
echo "test_cli_docs: all $examples examples match"
exit 0
