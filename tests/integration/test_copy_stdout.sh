#!/usr/bin/env bash
# test_copy_stdout.sh: COPY ... TO STDOUT writes CSV to standard output,
# with PostgreSQL's conventions (NULL empty, empty string quoted).
set -u
KILN=${KILN:-./kiln}
out=$("$KILN" query --format csv "COPY (SELECT * FROM (VALUES (1, 'a,b'), (2, NULL), (3, '')) AS t(id, s)) TO STDOUT WITH (HEADER)" 2>&1)
rc=$?
expected=$'id,s\n1,"a,b"\n2,\n3,""'
if [ $rc -ne 0 ] || [ "$out" != "$expected" ]; then
    echo "FAIL: COPY TO STDOUT (exit $rc)"
    echo "--- expected"; printf '%s\n' "$expected"
    echo "--- got"; printf '%s\n' "$out"
    exit 1
fi
echo "PASS: COPY TO STDOUT"
