#!/usr/bin/env bash
# test.sh: THE test command of kiln (`make test` runs it; so does .ci/run).
#
# Builds kiln three ways (release with gcc, ASan+UBSan, debug with clang, all
# with -Werror), then runs every suite:
#   unit tests            build/{release,asan}/unit_tests
#   SQL behaviour tests   build/{release,asan}/sqllogictest tests/sql
#   integration tests     tests/integration/test_*.sh, each one test: it gets
#                         the kiln binary in $KILN and passes by exiting 0
#                         (run against the release and the asan binary)
#   fuzz smoke test       scripts/fuzz.sh 5: each tests/fuzz target for 5 s
# and ends with ONE line "N passed, N failed" summing them all; a build
# counts as one test, and a suite whose program did not build counts as one
# failure (the others still run).  Exit status 1 if anything failed.
#
# Environment: JOBS (make -j, default 2), INTEGRATION_JOBS (integration
# scripts run at once, default JOBS), TEST_TIMEOUT (seconds per suite,
# default 900), SKIP_ASAN=1 / SKIP_CLANG=1 / SKIP_FUZZ=1 for a quicker local
# run, FUZZ_SECONDS (per fuzz target, default 5).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
root=$(pwd)
jobs=${JOBS:-2}
suite_timeout=${TEST_TIMEOUT:-900}
log_dir=$(mktemp -d "${TMPDIR:-/tmp}/kiln-test.XXXXXX")
trap 'rm -rf "$log_dir"' EXIT

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

total_passed=0
total_failed=0
started=$(date +%s)

section() {
    printf '\n==== %s ====\n' "$1"
}

# Last "N passed, N failed" line of a log, as "N N"; empty if none.
read_counts() {
    grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$1" | tail -n1 |
        sed -E 's/^([A-Za-z]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2 \3/'
}

# run_suite NAME COMMAND...: run a test program that prints its own
# "N passed, N failed"; add its counts, and show its output if it failed.
run_suite() {
    local name=$1
    shift
    section "$name"
    local log="$log_dir/suite.log"
    local status=0
    timeout --kill-after=10 "$suite_timeout" "$@" >"$log" 2>&1 || status=$?
    local counts passed failed
    counts=$(read_counts "$log")
    if [ -n "$counts" ]; then
        read -r passed failed <<<"$counts"
    else
        passed=0
        failed=0
    fi
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
        # Crashed, timed out or failed after its summary (a leak report at exit).
        failed=1
    fi
    if [ "$failed" -gt 0 ]; then
        cat "$log"
        [ "$status" -eq 124 ] && echo "($name timed out after ${suite_timeout}s)"
        echo "$name: exit status $status"
    else
        tail -n 1 "$log"
    fi
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
}

# A suite whose program did not build counts as one failure.
skip_suite() {
    section "$1"
    echo "not run: $2"
    total_failed=$((total_failed + 1))
}

# run_build NAME MAKE-ARGS...: one test; on failure show the end of the log.
run_build() {
    local name=$1
    shift
    section "build: $name"
    local log="$log_dir/build.log"
    # -k builds whatever does build, so the other suites still run.
    if make -k -j"$jobs" "$@" >"$log" 2>&1; then
        echo "ok"
        total_passed=$((total_passed + 1))
        return 0
    fi
    # Compiler and linker diagnostics only (every command line has -Werror).
    grep -E -B1 -A4 'error:|warning:|undefined reference|\*\*\*' "$log" | grep -v -- '-Werror' | head -n 80
    echo "build failed: make -k $*"
    total_failed=$((total_failed + 1))
    return 1
}

# Integration tests: each tests/integration/test_*.sh is one test.  They run
# INTEGRATION_JOBS at a time (default: JOBS): most of their time is spent
# waiting on servers and child processes, and each one keeps to its own
# temporary folder and free ports.  Results are printed in script order.
run_integration() {
    local label=$1 kiln=$2
    section "integration tests ($label)"
    local passed=0 failed=0 script status i running=0
    local parallel=${INTEGRATION_JOBS:-$jobs}
    local -a scripts=()
    shopt -s nullglob
    scripts=(tests/integration/test_*.sh)
    shopt -u nullglob
    # The npm packages several scripts install on first use (npm ci), once
    # here: two scripts running npm ci in one folder at once break each other.
    local npm_dir
    for npm_dir in bench tests/integration/s3; do
        if command -v npm >/dev/null 2>&1 && [ ! -d "$npm_dir/node_modules" ]; then
            (cd "$npm_dir" && npm ci --no-audit --no-fund >/dev/null 2>&1) || echo "npm ci in $npm_dir failed (the scripts that need it will say so)"
        fi
    done
    for i in "${!scripts[@]}"; do
        if [ "$running" -ge "$parallel" ]; then
            wait -n
            running=$((running - 1))
        fi
        (
            status=0
            KILN="$kiln" timeout --kill-after=10 "$suite_timeout" bash "${scripts[$i]}" \
                >"$log_dir/integration.$i.log" 2>&1 </dev/null || status=$?
            echo "$status" >"$log_dir/integration.$i.status"
        ) &
        running=$((running + 1))
    done
    wait
    for i in "${!scripts[@]}"; do
        script=${scripts[$i]}
        status=$(cat "$log_dir/integration.$i.status" 2>/dev/null || echo "no status")
        if [ "$status" = 0 ]; then
            echo "PASS $script"
            passed=$((passed + 1))
        else
            echo "FAIL $script (exit status $status)"
            sed 's/^/    /' "$log_dir/integration.$i.log"
            failed=$((failed + 1))
        fi
    done
    rm -f "$log_dir"/integration.*
    echo "$passed passed, $failed failed"
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
}

# True if build/MODE/PROGRAM can run: its mode's build succeeded, or (when
# the build failed elsewhere) this program is up to date, so a broken file
# does not stop the suites that did build and no stale binary runs.
declare -A build_ok=()
built() {
    [ -x "build/$1/$2" ] || return 1
    [ "${build_ok[$1]:-0}" = 1 ] && return 0
    make -q MODE="$1" "build/$1/$2" >/dev/null 2>&1
}

# run_suites MODE: every suite against the binaries of one build mode.
run_suites() {
    local mode=$1
    if built "$mode" unit_tests; then
        run_suite "unit tests ($mode)" "build/$mode/unit_tests"
    else
        skip_suite "unit tests ($mode)" "build/$mode/unit_tests did not build"
    fi
    if built "$mode" sqllogictest; then
        run_suite "sqllogictest ($mode)" "build/$mode/sqllogictest" tests/sql
    else
        skip_suite "sqllogictest ($mode)" "build/$mode/sqllogictest did not build"
    fi
    if built "$mode" kiln; then
        run_integration "$mode" "$root/build/$mode/kiln"
    else
        skip_suite "integration tests ($mode)" "build/$mode/kiln did not build"
    fi
}

modes=(release)
run_build "release (gcc)" MODE=release all && build_ok[release]=1
if [ "${SKIP_ASAN:-0}" != 1 ]; then
    run_build "asan+ubsan (gcc)" MODE=asan bins && build_ok[asan]=1
    modes+=(asan)
fi
if [ "${SKIP_CLANG:-0}" != 1 ]; then
    run_build "debug (clang)" CC=clang MODE=debug bins
fi
for mode in "${modes[@]}"; do
    run_suites "$mode"
done
# Fuzz smoke test: every libFuzzer target (tests/fuzz/) built with clang and
# run for a few seconds; each target is one test (scripts/fuzz.sh).
if [ "${SKIP_FUZZ:-0}" != 1 ]; then
    run_suite "fuzz smoke (scripts/fuzz.sh ${FUZZ_SECONDS:-5})" bash scripts/fuzz.sh "${FUZZ_SECONDS:-5}"
fi

section "summary"
echo "time: $(($(date +%s) - started)) s"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
