#!/usr/bin/env bash
# test_progress.sh: on a terminal, a statement that runs longer than half a
# second shows a progress line on stderr (input read of total, rows, rate),
# also while an aggregate consumes a long scan; with stderr not a terminal
# nothing of it is printed.  The terminal is `script`'s pseudo-terminal.
set -u
KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-progress.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
if ! command -v script >/dev/null 2>&1; then
    echo "FAIL: the 'script' command (util-linux) is missing"
    exit 1
fi
"$KILN" query "CREATE TABLE d AS SELECT * FROM (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) t(d);
  COPY (SELECT a.d*100000 + b.d*10000 + c.d*1000 + e.d*100 + f.d*10 + g.d AS n,
               'some text to make the file bigger ' || a.d || b.d AS s,
               (a.d + b.d)::double precision / 7 AS x
        FROM d a, d b, d c, d e, d f, d g) TO 'big.csv' (HEADER)" >/dev/null || exit 1
# one thread, eight scans of the file under one aggregate: about a second of work
u="SELECT s, x FROM read_csv('big.csv')"
q="SET threads = 1; SELECT count(*) FROM ($u UNION ALL $u UNION ALL $u UNION ALL $u UNION ALL $u UNION ALL $u UNION ALL $u UNION ALL $u) t"
printf '%s\n' "$q" >job.sql
fail=0
script -qefc "'$KILN' run job.sql" /dev/null >tty.out 2>&1
if ! grep -q 'MiB / [0-9.]* MiB ([0-9]*%)' tty.out || ! grep -q 'rows/s' tty.out; then
    echo "FAIL: no progress line on the terminal:"
    head -c 400 tty.out; echo
    fail=1
fi
if ! grep -q '8000000' tty.out; then
    echo "FAIL: the result is missing on the terminal"
    fail=1
fi
"$KILN" run job.sql >plain.out 2>plain.err
if [ -s plain.err ]; then
    echo "FAIL: something was printed on stderr that is not a terminal:"
    head -c 400 plain.err; echo
    fail=1
fi
[ $fail -eq 0 ] && echo "PASS: progress line"
exit $fail
