#!/usr/bin/env bash
# test_architecture_doc.sh: docs/architecture.md stays true to the tree.
# Every source file the page names (a word ending in .c or .h, with or
# without its folder) must exist under src/ or tests/, and every folder of
# src/ must be named on the page (as "name/").  Exits 0 when both hold.
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
page=$root/docs/architecture.md
failures=0
checked=0

# the words that look like C file names; patterns (op_*.c, op_<name>.c) are skipped
for name in $(grep -oE '[A-Za-z0-9_./-]+\.[ch]\b' "$page" | sort -u); do
    name=${name#./}
    checked=$((checked + 1))
    if [ -f "$root/$name" ] || [ -f "$root/src/$name" ]; then continue; fi
    # a bare or partial name: some file of src/ or tests/ ends with it
    if find "$root/src" "$root/tests" -path "*/$name" -print -quit 2>/dev/null | grep -q .; then continue; fi
    echo "FAIL: docs/architecture.md names $name, which does not exist"
    failures=$((failures + 1))
done

for dir in $(cd "$root/src" && find . -mindepth 1 -type d | sed 's|^\./||' | sort); do
    base=${dir##*/}
    grep -qE "(^|[^A-Za-z0-9_])$base/" "$page" || {
        echo "FAIL: docs/architecture.md does not mention the folder src/$dir"
        failures=$((failures + 1))
    }
done

if [ "$checked" -lt 50 ]; then
    echo "FAIL: only $checked file names found on the page"
    failures=$((failures + 1))
fi
if [ "$failures" -ne 0 ]; then
    echo "test_architecture_doc: $failures failures"
    exit 1
fi
echo "test_architecture_doc: $checked file names and every folder of src/ checked"
