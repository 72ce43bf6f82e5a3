#!/usr/bin/env bash
# test_explain_analyze.sh: the timed form of EXPLAIN ANALYZE (values vary, so
# the sqllogictests use TIMING OFF): every operator line carries rows, an
# inclusive time and a self time; nodes run by the workers of a GATHER show
# their loops; a sort shows its peak memory; the totals line closes the plan.
# $KILN is the binary under test; exits 0 when every check passes.
set -u
KILN=${KILN:-./kiln}
fail=0
check() { # name, text, extended regex that must match
    if printf '%s\n' "$2" | grep -Eq -- "$3"; then echo "ok: $1"; else echo "FAIL: $1"; printf '%s\n' "$2"; fail=1; fi
}

out=$("$KILN" query --format csv "
    SET threads = 2; SET morsel_size = '64kB';
    CREATE TABLE t AS SELECT x, x % 7 AS k FROM generate_series(1, 200000) AS g(x);
    EXPLAIN ANALYZE SELECT k, count(*) FROM t WHERE x % 2 = 0 GROUP BY k ORDER BY k" 2>&1)
check "sort line" "$out" '^"?ORDER_BY .*\(rows=7 time=[0-9]+\.[0-9]{3} ms self=[0-9]+\.[0-9]{3} ms memory=[0-9.]+ (bytes|kB|MB)\)'
check "gather has wall time only" "$out" 'GATHER workers=2 .*\(rows=[0-9]+ time=[0-9.]+ ms\)'
check "workers' filter summed, with loops" "$out" 'FILTER .*\(rows=100000 time=[0-9.]+ ms self=[0-9.]+ ms loops=[0-9]+\)'
check "scan rows" "$out" 'TABLE_SCAN .*\(rows=200000 '
check "totals" "$out" '^"?Total: rows=7 time=[0-9.]+ ms spilled_bytes=0 files_opened=0 row_groups_pruned=0'
n=$(printf '%s\n' "$out" | grep -c 'time=')
check "every line timed" "$n" '^9$'

exit $fail
