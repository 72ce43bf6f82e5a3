#!/usr/bin/env bash
# test_cli_formats.sh: `kiln query --format table|csv|json|jsonl` on values
# that are hard to print: NULL, the empty string, quotes, commas, newlines,
# tabs, control characters, non-ASCII text, decimals, NaN, booleans, dates.
# $KILN is the binary under test; exits 0 when every check passes.
set -u

KILN=${KILN:-./kiln}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-cli-formats.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
    echo "FAIL: $1"
    echo "  expected: $(printf '%q' "$2")"
    echo "  got:      $(printf '%q' "$3")"
    echo "  stderr:   $(head -c 1000 "$tmp/err")"
    failures=$((failures + 1))
}

# check NAME EXPECTED_STDOUT ARGS...: run kiln, expect exit 0 and stdout.
check() {
    local name=$1 expected=$2
    shift 2
    "$KILN" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    local status=$?
    local got
    got=$(cat "$tmp/out"; echo x)
    got=${got%x}
    if [ "$status" -ne 0 ]; then fail "$name (exit status $status)" "$expected" "$got"; return; fi
    [ "$got" == "$expected" ] || fail "$name" "$expected" "$got"
}

NL=$'\n'
# One row with a NULL, an empty string, a quote+comma, a newline, a tab.
Q="SELECT 1 AS id, NULL AS n, '' AS e, 'a,\"b\"' AS q, 'two${NL}lines' AS nl, 'x	y' AS tab"

check "csv special values" \
"id,n,e,q,nl,tab
1,,\"\",\"a,\"\"b\"\"\",\"two
lines\",x	y
" query --format csv "$Q"

check "json special values" \
'[
{"id":1,"n":null,"e":"","q":"a,\"b\"","nl":"two\nlines","tab":"x\ty"}
]
' query --format json "$Q"

check "jsonl special values" \
'{"id":1,"n":null,"e":"","q":"a,\"b\"","nl":"two\nlines","tab":"x\ty"}
' query --format jsonl "$Q"

check "table special values" \
" id | n | e |   q   |     nl     | tab
----+---+---+-------+------------+------
  1 |   |   | a,\"b\" | two\\nlines | x\\ty
(1 row)
" query --format table "$Q"

check "--format=csv spelling" "a
1
" query --format=csv "SELECT 1 AS a"

# Numbers: decimals keep their digits, NaN/Infinity are strings in JSON.
check "json numbers" \
'[
{"i":-7,"big":9007199254740993,"d":-0.50,"f":0.1,"nan":"NaN","inf":"-Infinity","b":false}
]
' query --format json "SELECT -7 AS i, 9007199254740993 AS big, -0.50::numeric(3,2) AS d, 0.1::float8 AS f, 'NaN'::float8 AS nan, '-Infinity'::float8 AS inf, false AS b"

check "csv numbers, booleans, dates" "d,f,b,day
1.50,2.5,true,2024-02-29
" query --format csv "SELECT 1.50::numeric(4,2) AS d, 2.5::float8 AS f, true AS b, DATE '2024-02-29' AS day"

# Control characters and non-ASCII text.
check "json escapes control characters" '{"s":"a\u0001b","u":"żółw"}
' query --format jsonl "SELECT 'a' || chr(1) || 'b' AS s, 'żółw' AS u"

check "table aligns wide characters by display width" \
" id | name
----+-------
  1 | żółw
 22 | 日本x
(2 rows)
" query "SELECT * FROM (VALUES (1, 'żółw'), (22, '日本x')) AS t(id, name)" --format table

# Column names need quoting/escaping too.
check "csv header quoting" '"a,b","say ""x"""
1,2
' query --format csv 'SELECT 1 AS "a,b", 2 AS "say ""x"""'

check "json key escaping" '{"a\"b":1}
' query --format jsonl 'SELECT 1 AS "a""b"'

# Empty results.
check "table with no rows" " a
---
(0 rows)
" query "SELECT 1 AS a WHERE false"
check "csv with no rows" "a
" query --format csv "SELECT 1 AS a WHERE false"
check "json with no rows" "[]
" query --format json "SELECT 1 AS a WHERE false"
check "jsonl with no rows" "" query --format jsonl "SELECT 1 AS a WHERE false"

# A result bigger than one batch (and than one table chunk) streams whole.
seq 1 25000 | sed '1i n' >"$tmp/n.csv"
"$KILN" query --format csv "SELECT n FROM read_csv('$tmp/n.csv')" >"$tmp/out" 2>"$tmp/err"
if [ "$(wc -l <"$tmp/out")" -ne 25001 ] || [ "$(tail -n1 "$tmp/out")" != 25000 ]; then
    fail "csv of 25000 rows" "25001 lines ending in 25000" "$(wc -l <"$tmp/out") lines"
fi
"$KILN" query "SELECT n FROM read_csv('$tmp/n.csv')" >"$tmp/out" 2>"$tmp/err"
if [ "$(tail -n1 "$tmp/out")" != "(25000 rows)" ] || ! grep -qx '     1' "$tmp/out"; then
    fail "table of 25000 rows" "(25000 rows) footer, right-aligned rows" "$(tail -n2 "$tmp/out")"
fi

if [ "$failures" -ne 0 ]; then
    echo "test_cli_formats: $failures checks failed"
    exit 1
fi
echo "test_cli_formats: all checks passed"
