#!/usr/bin/env bash
# fuzz.sh: builds the libFuzzer targets (tests/fuzz/fuzz_*.c) with clang into
# build/fuzz/ and runs each for SECONDS seconds on its seed corpus.
#
#   scripts/fuzz.sh [SECONDS [TARGET...]]     # default 60 s, every target
#   scripts/fuzz.sh 300 sql                   # only fuzz_sql, five minutes
#
# The library is built by `make MODE=fuzz CC=clang` (coverage instrumentation
# plus ASan and UBSan, every UB report fatal); each target links it with
# libFuzzer.  Seeds are tests/fuzz/corpus/<target>/ (committed, read only);
# new inputs the fuzzer finds go to build/fuzz/corpus/<target>/, which later
# runs start from too.  A crash, leak, sanitizer report, timeout or OOM stops
# the target and leaves its reproducer in build/fuzz/artifacts/<target>/; rerun
# it with build/fuzz/fuzz_<target> <file>.
#
# Ends with "N passed, N failed", one test per target (a target that does
# not build is one failure).  Environment: JOBS (make -j, default 2),
# FUZZ_TIMEOUT (seconds one input may take, default 10), FUZZ_RSS_MB
# (memory limit, default 2048), FUZZ_JOBS (targets run at once, default 1).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
seconds=${1:-60}
shift || true
jobs=${JOBS:-2}
input_timeout=${FUZZ_TIMEOUT:-10}
rss_mb=${FUZZ_RSS_MB:-2048}
out=build/fuzz

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    targets=()
    for src in tests/fuzz/fuzz_*.c; do
        name=${src#tests/fuzz/fuzz_}
        targets+=("${name%.c}")
    done
fi

passed=0
failed=0
log=$(mktemp "${TMPDIR:-/tmp}/kiln-fuzz.XXXXXX")
trap 'rm -f "$log"' EXIT

# The instrumented library, through the Makefile (incremental).
if ! make -j"$jobs" CC=clang MODE=fuzz "$out/libkiln.a" >"$log" 2>&1; then
    grep -E -A4 'error:|\*\*\*' "$log" | head -n 40
    echo "fuzz: the library did not build (make CC=clang MODE=fuzz $out/libkiln.a)"
    echo "0 passed, ${#targets[@]} failed"
    exit 1
fi
# The same flags the Makefile uses for MODE=fuzz, plus libFuzzer's main.
# Libraries and their flags come from the Makefile, so a new dependency needs
# no edit here.
pkg_cflags=$(make -s print-pkg-cflags)
cflags="-std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -O1 -g -fno-omit-frame-pointer
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Isrc -Itests/fuzz
        $pkg_cflags"
libs=$(make -s print-libs)

for target in "${targets[@]}"; do
    src=tests/fuzz/fuzz_$target.c
    bin=$out/fuzz_$target
    printf '%-14s ' "$target"
    if [ ! -f "$src" ]; then
        echo "FAIL: no $src"
        failed=$((failed + 1))
        continue
    fi
    # shellcheck disable=SC2086
    if [ "$bin" -ot "$src" ] || [ "$bin" -ot "$out/libkiln.a" ] || [ "$bin" -ot tests/fuzz/fuzz_memfs.h ]; then
        if ! clang $cflags -o "$bin" "$src" "$out/libkiln.a" $libs >"$log" 2>&1; then
            echo "FAIL: does not build"
            sed 's/^/    /' "$log" | head -n 30
            failed=$((failed + 1))
            continue
        fi
    fi
    corpus=$out/corpus/$target
    artifacts=$out/artifacts/$target
    mkdir -p "$corpus" "$artifacts"
    seeds=()
    [ -d "tests/fuzz/corpus/$target" ] && seeds=("tests/fuzz/corpus/$target")
    dict=()
    [ -f "tests/fuzz/$target.dict" ] && dict=("-dict=tests/fuzz/$target.dict")
    status=0
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
        timeout --kill-after=10 $((seconds + input_timeout + 60)) \
        "$bin" -max_total_time="$seconds" -timeout="$input_timeout" -rss_limit_mb="$rss_mb" \
        -max_len=4096 -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" \
        "$corpus" "${seeds[@]}" >"$log" 2>&1 || status=$?
    execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    if [ "$status" -eq 0 ]; then
        echo "ok (${execs:-?} execs in ${seconds}s, corpus $(find "$corpus" -type f | wc -l))"
        passed=$((passed + 1))
    else
        echo "FAIL (exit status $status)"
        # the target's own message and the sanitizer's report, without libFuzzer's progress lines
        grep -v -E '^(INFO:|#[0-9]+|MS: |base unit|0x[0-9a-f]+,|\s+0x[0-9a-f]+:|Shadow byte|  [A-Z][A-Za-z ]+: +[0-9a-f])' "$log" |
            grep -v -E 'in fuzzer::|in __libc_start|in _start|in main ' | head -n 40 | sed 's/^/    /'
        for artifact in $(grep -oE "Test unit written to [^ ]+" "$log" | awk '{print $5}'); do
            echo "    reproducer: $artifact  (run: $bin $artifact)"
        done
        failed=$((failed + 1))
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
