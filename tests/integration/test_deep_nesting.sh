#!/usr/bin/env bash
# test_deep_nesting.sh: statements nested far deeper than any real query
# (100000 terms of +, 9000 NOTs) get PostgreSQL's "stack depth limit
# exceeded" error instead of crashing; a moderately deep one still runs.
set -u
KILN=${KILN:-./kiln}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-deep.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
{ printf 'SELECT '; printf '1+%.0s' $(seq 1 100000); printf '1;\n'; } >"$tmp/plus.sql"
{ printf 'SELECT '; printf 'NOT %.0s' $(seq 1 9000); printf 'true;\n'; } >"$tmp/not.sql"
{ printf 'SELECT '; printf '1+%.0s' $(seq 1 499); printf '1 AS n;\n'; } >"$tmp/ok.sql"
for f in plus not; do
    "$KILN" run "$tmp/$f.sql" >"$tmp/out" 2>&1
    rc=$?
    if [ $rc -ne 3 ] || ! grep -q "stack depth limit exceeded" "$tmp/out"; then
        echo "FAIL: $f.sql: exit $rc"; head -c 300 "$tmp/out"; echo
        fail=1
    fi
done
out=$("$KILN" run "$tmp/ok.sql" --format csv 2>&1)
if [ "$out" != $'n\n500' ]; then
    echo "FAIL: ok.sql gave: $out"
    fail=1
fi
[ $fail -eq 0 ] && echo "PASS: deep nesting"
exit $fail
