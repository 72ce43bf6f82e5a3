#!/usr/bin/env bash
# test_json_duckdb.sh: JSON interoperability with DuckDB (the
# @duckdb/node-api pinned in bench/package.json, run through
# parquet_duckdb.mjs, which prints a query's rows).
#
#   reading: a generated JSON Lines file (integers, doubles, escaped and
#     non-ASCII strings, booleans, nulls, missing keys, dates, timestamps,
#     nested objects, arrays), plain and gzip-compressed; kiln's read_json
#     and DuckDB's read_json must give the same rows (values compared as
#     text, nested values through ->> and json_array_length), also from a
#     parallel kiln scan in small morsels without ORDER BY (file order);
#   writing: kiln's COPY ... TO '.jsonl' of strings with every control
#     character, quotes, backslashes and non-ASCII text must read back in
#     DuckDB with the same md5 per string, and the numbers unchanged.
#
# Installs the npm packages itself (npm ci in bench/) when missing; skips,
# with a message, only when node or npm is absent.  $KILN is the binary.
set -u

KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
root=$(cd "$(dirname "$0")/../.." && pwd)
duck="$root/tests/integration/parquet_duckdb.mjs"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "SKIP: node and npm are needed (scripts/install-deps.sh installs them)"
    exit 0
fi
if [ ! -d "$root/bench/node_modules/@duckdb/node-api" ]; then
    (cd "$root/bench" && npm ci --no-audit --no-fund >/dev/null) || { echo "FAIL: npm ci in bench/ failed"; exit 1; }
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-json-duckdb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

awk 'BEGIN {
    for (n = 1; n <= 3000; n++) {
        line = "{\"id\":" n ",\"i\":" (n * 7919 - 1000000)
        line = line ",\"d\":" (n % 9 == 0 ? "null" : sprintf("%d.%d", n % 1000, n % 8))
        if (n % 5 != 0) line = line ",\"s\":\"v" n (n % 3 == 0 ? "\\\"q\\\\ \\u00e9\\t" : "") "\""
        line = line ",\"b\":" (n % 4 == 0 ? "null" : (n % 2 ? "true" : "false"))
        line = line ",\"day\":\"20" sprintf("%02d-%02d-%02d", n % 100, n % 12 + 1, n % 28 + 1) "\""
        line = line ",\"ts\":\"2024-" sprintf("%02d-%02d %02d:%02d:%02d", n % 12 + 1, n % 28 + 1, n % 24, n % 60, n % 59) "\""
        line = line ",\"user\":{\"city\":\"c" (n % 17) "\",\"zip\":" (n % 1000) "}"
        line = line ",\"tags\":[" (n % 3 ? "\"a\",\"b\"" : "") "]}"
        print line
    }
}' >gen.jsonl
gzip -c gen.jsonl >gen.jsonl.gz

# kiln's rows as '|'-separated text (COPY to a file), strings by their md5;
# $2: statements to run first (SET ...)
kiln_rows() {
    rm -f kiln.txt
    "$KILN" query "${2:-} COPY ($1) TO 'kiln.txt' (DELIMITER '|', NULL 'NULL')" >/dev/null 2>kiln.err ||
        fail "kiln: $(cat kiln.err)"
    touch kiln.txt
}

for f in gen.jsonl gen.jsonl.gz; do
    kiln_rows "SELECT id, i, round(d * 10)::bigint, coalesce(md5(s), '-'), b::text, day::text, ts::text, \"user\" ->> 'city', (\"user\" ->> 'zip')::int, json_array_length(tags) FROM read_json('$f') ORDER BY id"
    node "$duck" "SELECT id, i, round(d * 10)::bigint, coalesce(md5(s), '-'), b::varchar, day::varchar, ts::varchar, \"user\".city, \"user\".zip::int, len(tags) FROM read_json('$f') ORDER BY id" >duck.txt 2>duck.err ||
        fail "DuckDB could not read $f: $(cat duck.err)"
    if [ "$(wc -l <kiln.txt)" -ne 3000 ] || [ "$(wc -l <duck.txt)" -ne 3000 ]; then
        fail "$f: expected 3000 rows (kiln $(wc -l <kiln.txt), DuckDB $(wc -l <duck.txt))"
    fi
    if ! cmp -s kiln.txt duck.txt; then
        fail "$f: kiln and DuckDB read different rows"
        diff kiln.txt duck.txt | head -5
    fi
    kiln_rows "SELECT id, i, round(d * 10)::bigint, coalesce(md5(s), '-'), b::text, day::text, ts::text, \"user\" ->> 'city', (\"user\" ->> 'zip')::int, json_array_length(tags) FROM read_json('$f')" \
        "SET threads = 2; SET morsel_size = '16KB';"
    if ! cmp -s kiln.txt duck.txt; then
        fail "$f: a parallel kiln scan read different rows (or in another order) than DuckDB"
        diff kiln.txt duck.txt | head -5
    fi
    "$KILN" query "SET threads = 2; SET morsel_size = '16KB'; EXPLAIN SELECT id FROM read_json('$f')" | grep -q GATHER ||
        fail "$f: the kiln scan in 16KB morsels did not run in parallel"
done

# writing: every control character and tricky text survives DuckDB's reader
"$KILN" query "COPY (SELECT n AS id, chr(n) || 'x\"y\\z é 😀' || chr(127) AS s, n * 0.25 AS f, (n * 1.5)::numeric(10,2) AS m
    FROM (SELECT a.k * 10 + b.k AS n FROM (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) a(k),
          (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) b(k)) t WHERE n > 0) TO 'out.jsonl'" >/dev/null 2>kiln.err ||
    fail "kiln could not write JSON: $(cat kiln.err)"
kiln_rows "SELECT id, md5(s), f, m FROM read_json('out.jsonl', columns => 'id bigint, s text, f double precision, m double precision') ORDER BY id"
node "$duck" "SELECT id, md5(s), f, m FROM read_json('out.jsonl') ORDER BY id" >duck.txt 2>duck.err || fail "DuckDB could not read kiln's JSON: $(cat duck.err)"
if [ "$(wc -l <duck.txt)" -ne 99 ] || ! cmp -s kiln.txt duck.txt; then
    fail "kiln's JSON output reads differently in DuckDB"
    diff kiln.txt duck.txt | head -5
fi

if [ "$failures" -ne 0 ]; then
    echo "test_json_duckdb: $failures failures"
    exit 1
fi
echo "test_json_duckdb: kiln and DuckDB agree"
exit 0
