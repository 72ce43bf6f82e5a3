#!/usr/bin/env bash
# test_lake_crash.sh: kill -9 a process writing a kiln dataset at random
# moments, many times, and check after each kill that a reader following
# the dataset's commits (lake_snapshot_files) sees exactly the previous
# version or exactly the new one, never a mix, a missing file or an error;
# then that the next run cleans up (no staging leftovers, the files on disk
# are exactly the live files of the last commit).
#
# Two writers, in two loops over the same checks:
#   - kiln itself: `kiln query "COPY (...) TO 'ds' WITH (FORMAT parquet,
#     PARTITION_BY (p), MODE overwrite_partitions)"`, read back through
#     `read_parquet('ds')` (a kiln dataset: its latest commit's files);
#   - the driver in tests/unit/test_lake_txn.c (lake_crash_test_driver, run
#     through the unit_tests binary beside $KILN), which calls the lake's C
#     interface directly; skipped when unit_tests is not there.
# Run k rewrites two of four partitions with MODE overwrite_partitions, and
# KILN_LAKE_TEST_STEP_DELAY_MS slows each step of the protocol (closing a
# staged file, publishing, removing, _SUCCESS) so that the kills land in
# every phase.
#
#   KILN=./build/release/kiln bash tests/integration/test_lake_crash.sh
#   LAKE_CRASH_ITERATIONS=200 ... for a longer run (kiln's loop; 30 by
#   default; LAKE_CRASH_DRIVER_ITERATIONS for the driver's, 10 by default)
set -u

KILN=${KILN:-./kiln}
bin=$(cd "$(dirname "$(readlink -f "$KILN")")" && pwd)
UNIT=${LAKE_DRIVER:-$bin/unit_tests}
KILN_ITERATIONS=${LAKE_CRASH_ITERATIONS:-30}
DRIVER_ITERATIONS=${LAKE_CRASH_DRIVER_ITERATIONS:-10}
DELAY_MS=${LAKE_CRASH_STEP_DELAY_MS:-10}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-lake-crash.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

driver() { KILN_LAKE_DRIVER="$1" "$UNIT" lake_crash_test_driver; }

# Run k's rows in SQL: the same rule as the driver's (partition j of run k
# gets (k + j) % 5 + 1 rows of values k*1000 + j*100 + i).
copy_sql() {
    local k=$1
    echo "COPY (SELECT j AS p, $k * 1000 + j * 100 + i AS v FROM generate_series(0, 3) j, generate_series(0, 4) i
          WHERE (j = $k % 4 OR j = ($k + 1) % 4) AND i < ($k + j) % 5 + 1)
        TO '$ds' WITH (FORMAT parquet, PARTITION_BY (p), MODE overwrite_partitions)"
}

# The command that writes run k (exec'ed, so that $! is the writer itself).
write_cmd() {
    if [ "$writer" = kiln ]; then
        exec "$KILN" query "$(copy_sql "$1")"
    else
        KILN_LAKE_DRIVER="write $ds $1" exec "$UNIT" lake_crash_test_driver
    fi
}

# The dataset's figures per partition ("p=<j> <rows> <sum>" lines), as a reader sees it.
read_figures() {
    if [ "$writer" = kiln ]; then
        if ! "$KILN" query --format csv \
            "SELECT 'p=' || p || ' ' || count(*) || ' ' || sum(v) FROM read_parquet('$ds') GROUP BY p ORDER BY p" \
            >"$tmp/read.out" 2>&1; then
            echo "FAIL: reading the dataset failed:" >&2
            cat "$tmp/read.out" >&2
            return 1
        fi
        sed 1d "$tmp/read.out"
        return 0
    fi
    if ! driver "read $ds" >"$tmp/read.out" 2>&1; then
        echo "FAIL: reading the dataset failed:" >&2
        cat "$tmp/read.out" >&2
        return 1
    fi
    sed -n '/^FIGURES$/,/^END$/p' "$tmp/read.out" | sed '1d;$d'
}

# The figures after run k commits on top of the figures in $1 (the driver's data rule).
expected_after() {
    local k=$1 old=$2 j rows sum
    for j in 0 1 2 3; do
        if [ "$j" -eq $((k % 4)) ] || [ "$j" -eq $(((k + 1) % 4)) ]; then
            rows=$(((k + j) % 5 + 1))
            sum=$((rows * (k * 1000 + j * 100) + rows * (rows - 1) / 2))
            echo "p=$j $rows $sum"
        else
            printf '%s\n' "$old" | grep "^p=$j " || true
        fi
    done
}

now_ms() { date +%s%3N; }

# crash_loop: the whole test with one writer ($writer); returns non-zero on failure.
crash_loop() {
ds=$tmp/ds-$writer

# One uninterrupted run tells how long a run takes here (sanitizer builds are slower).
start=$(now_ms)
if ! (KILN_LAKE_TEST_STEP_DELAY_MS=$DELAY_MS write_cmd 1) >"$tmp/w.out" 2>&1; then
    echo "FAIL: a run without a kill failed:"
    cat "$tmp/w.out"
    return 1
fi
run_ms=$(($(now_ms) - start))
old=$(read_figures) || return 1
want=$(expected_after 1 "")
if [ "$old" != "$want" ]; then
    printf 'FAIL: after run 1 expected\n%s\ngot\n%s\n' "$want" "$old"
    return 1
fi

saw_old=0
saw_new=0
for k in $(seq 2 $((ITERATIONS + 1))); do
    new=$(expected_after "$k" "$old")
    # exec, so that $! is the writer itself and not a subshell around it
    (KILN_LAKE_TEST_STEP_DELAY_MS=$DELAY_MS write_cmd "$k" >"$tmp/w.out" 2>&1) &
    pid=$!
    delay_ms=$((RANDOM % (run_ms * 12 / 10 + 1)))
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    got=$(read_figures) || return 1
    if [ "$got" = "$new" ]; then
        saw_new=$((saw_new + 1))
        old=$new
    elif [ "$got" = "$old" ]; then
        saw_old=$((saw_old + 1))
    else
        printf 'FAIL: run %d killed after %d ms: the dataset is neither the old version\n%s\nnor the new one\n%s\nbut\n%s\n' \
            "$k" "$delay_ms" "$old" "$new" "$got"
        return 1
    fi
done

# A last run without a kill finishes or cleans whatever the kills left.
k=$((ITERATIONS + 2))
new=$(expected_after "$k" "$old")
if ! (write_cmd "$k") >"$tmp/w.out" 2>&1; then
    echo "FAIL: the run after the kills failed:"
    cat "$tmp/w.out"
    return 1
fi
got=$(read_figures) || return 1
failures=0
if [ "$got" != "$new" ]; then
    printf 'FAIL: after the final run expected\n%s\ngot\n%s\n' "$new" "$got"
    failures=1
fi
if [ -e "$ds/_kiln/staging" ]; then
    echo "FAIL: staging leftovers after a clean run:"
    find "$ds/_kiln/staging"
    failures=1
fi
if find "$ds" -name '*kiln-tmp*' | grep -q .; then
    echo "FAIL: temporary files left:"
    find "$ds" -name '*kiln-tmp*'
    failures=1
fi
on_disk=$(find "$ds" -path "$ds/_kiln" -prune -o -type f -name 'part-*' -print | wc -l)
latest=$(ls "$ds/_kiln/commits" | sort | tail -n 1)
live=$(sed -n '/"live": \[/,$p' "$ds/_kiln/commits/$latest" | grep -c '"path"')
if [ "$on_disk" -ne "$live" ]; then
    echo "FAIL: $on_disk data files on disk but $live live files in $latest"
    failures=1
fi
if ! grep -q "\"version\": $((10#${latest%.json}))" "$ds/_SUCCESS"; then
    echo "FAIL: _SUCCESS does not name the last version ($latest): $(cat "$ds/_SUCCESS")"
    failures=1
fi
# the dataset's history as kiln shows it: one row per committed run
versions=$("$KILN" query --format csv "SELECT count(*), max(version) FROM lake_commits('$ds')" 2>&1 | tail -n 1)
if [ "$versions" != "$((saw_new + 2)),$((10#${latest%.json}))" ]; then
    echo "FAIL: lake_commits shows '$versions', expected $((saw_new + 2)) commits up to version $((10#${latest%.json}))"
    failures=1
fi
if [ "$saw_new" -eq 0 ] || [ "$saw_old" -eq 0 ]; then
    echo "note: the kills all landed on one side of the commit point (old $saw_old, new $saw_new)"
fi
echo "lake crash test ($writer): $ITERATIONS kills, $saw_old before the commit point, $saw_new after it"
return $failures
}

status=0
writer=kiln
ITERATIONS=$KILN_ITERATIONS
crash_loop || status=1
if [ -x "$UNIT" ]; then
    writer=driver
    ITERATIONS=$DRIVER_ITERATIONS
    crash_loop || status=1
else
    echo "note: $UNIT is missing: the driver loop was skipped"
fi
exit $status
