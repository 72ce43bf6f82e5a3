#!/usr/bin/env bash
# test_s3_reads.sh: how kiln reads Parquet from S3, counted request by
# request (KILN_S3_TRACE=1 prints one line per request; SHOW s3_requests
# counts them), against the test server of tests/integration/s3/server.sh.
# A 16-column file of 3 row groups, each column chunk ~200 kB of
# incompressible text:
#   - 2 columns far apart (gap > 1 MiB): the footer costs 2 GETs (the first
#     4 KiB for the magic number, the last 64 KiB holding the footer), then
#     2 GETs per row group, one per chunk; the ranges fetched are exactly
#     the chunks' bytes (parquet_metadata's offsets and sizes) and no byte
#     is fetched twice;
#   - 2 adjacent columns: coalesced, 1 GET per row group;
#   - serial (threads = 1, the next row group fetched in the background) and
#     parallel scans give the same counts and the local file's results;
#   - a second query in the same process reads the footer from the cache:
#     only the chunks again;
#   - a chunk over 8 MiB is fetched as 8 MiB pieces that tile it exactly.
# $KILN is the binary under test; exits 0 when every check passes.
set -u

KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/integration/s3/server.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-s3-reads.XXXXXX")
cleanup() {
    [ -n "${S3_SERVER_PID:-}" ] && kill "$S3_SERVER_PID" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1
s3_start "$tmp"
rc=$?
[ "$rc" = 77 ] && exit 0
[ "$rc" = 0 ] || exit 1

failures=0
checks=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}
pass() { checks=$((checks + 1)); }
kiln_ok() {
    local name=$1
    shift
    if "$KILN" query "$@" >"$tmp/out" 2>"$tmp/err" </dev/null; then pass; else fail "$name: kiln failed: $(cat "$tmp/err")"; fi
}
# kiln_trace NAME SQL: run with the request trace; output in $tmp/out, GET lines of wide.parquet in $tmp/gets
kiln_trace() {
    local name=$1
    shift
    if KILN_S3_TRACE=1 "$KILN" query --format csv "$@" >"$tmp/out" 2>"$tmp/err" </dev/null; then pass; else fail "$name: kiln failed: $(cat "$tmp/err")"; fi
    grep '^kiln-s3-trace: GET s3://kiln/wide.parquet ' "$tmp/err" >"$tmp/gets"
}
# check_ranges NAME: no byte of the object fetched twice (the GET ranges do not overlap)
check_ranges() {
    sed -E 's/.* bytes=([0-9]+)-([0-9]+) .*/\1 \2/' "$tmp/gets" | sort -n | awk -v name="$1" '
        NR > 1 && $1 <= last { print "FAIL: " name ": bytes " $1 "-" last " fetched twice"; bad = 1 }
        { if ($2 > last) last = $2 }
        END { exit bad }' && pass || fail "$1: overlapping GETs: $(cat "$tmp/gets")"
}
expect_eq() {
    if [ "$2" = "$3" ]; then pass; else fail "$1: expected '$3', got '$2'"; fi
}

mkdir -p "$tmp/data/kiln"

# 36000 rows of 16 columns, each a unique 20-character hex text (no dictionary, no compression gain)
awk 'BEGIN {
    srand(7);
    printf "c1"; for (c = 2; c <= 16; c++) printf ",c%d", c; print "";
    for (i = 0; i < 36000; i++) {
        for (c = 1; c <= 16; c++) printf "%s%08x%012x", (c > 1 ? "," : ""), int(rand() * 4294967295), i * 16 + c;
        print ""
    }
}' >wide.csv
kiln_ok "write local" "COPY (SELECT * FROM read_csv('$tmp/wide.csv')) TO '$tmp/wide.parquet' (FORMAT parquet, ROW_GROUP_SIZE 12000)"
kiln_ok "write s3" "COPY (SELECT * FROM read_csv('$tmp/wide.csv')) TO 's3://kiln/wide.parquet' (FORMAT parquet, ROW_GROUP_SIZE 12000)"
kiln_ok "metadata" --format csv "SELECT row_group_id, path_in_schema, data_page_offset, dictionary_page_offset, total_compressed_size FROM parquet_metadata('$tmp/wide.parquet') WHERE path_in_schema IN ('c3', 'c4', 'c12') ORDER BY 1, 2"
tail -n +2 "$tmp/out" >"$tmp/chunks"
expect_eq "row groups" "$(cut -d, -f1 "$tmp/chunks" | sort -u | wc -l)" 3
# the expected chunk ranges, "start end" (inclusive), of some columns
chunk_ranges() {
    awk -F, -v cols="$1" 'BEGIN { n = split(cols, want, " "); for (i = 1; i <= n; i++) w[want[i]] = 1 }
        ($2 in w) { s = $3; if ($4 != "" && $4 + 0 >= 4 && $4 + 0 < s) s = $4; printf "%d %d\n", s, s + $5 - 1 }' "$tmp/chunks" | sort -n
}
far_bytes=$(chunk_ranges "c3 c12" | awk '{ t += $2 - $1 + 1 } END { print t }')
size=$(stat -c %s "$tmp/wide.parquet")
[ "$far_bytes" -gt $((3 * 2 * 150000)) ] && pass || fail "the chunks are smaller than planned: $far_bytes bytes"

"$KILN" query --format csv "SELECT count(*), min(c3), max(c12), min(c4) FROM read_parquet('$tmp/wide.parquet')" >"$tmp/expected" 2>&1

for threads in 1 2; do
    # two columns far apart: 2 footer GETs + 2 per row group, exactly the chunks' bytes
    kiln_trace "far $threads" "SET threads = $threads; SELECT count(*), min(c3), max(c12) FROM read_parquet('s3://kiln/wide.parquet')"
    expect_eq "far $threads result" "$(cat "$tmp/out")" "$(cut -d, -f1-3 "$tmp/expected")"
    expect_eq "far $threads GETs" "$(wc -l <"$tmp/gets")" 8
    check_ranges "far $threads"
    # the 6 chunk GETs are the chunks, byte for byte; the 2 others the first 4 KiB and the last 64 KiB
    sed -E 's/.* bytes=([0-9]+)-([0-9]+) .*/\1 \2/' "$tmp/gets" | sort -n >"$tmp/got_ranges"
    { echo "0 4095"; chunk_ranges "c3 c12"; echo "$((size - 65536)) $((size - 1))"; } | sort -n >"$tmp/want_ranges"
    if cmp -s "$tmp/got_ranges" "$tmp/want_ranges"; then pass; else fail "far $threads: GET ranges
$(cat "$tmp/got_ranges")
expected
$(cat "$tmp/want_ranges")"; fi

    # two adjacent columns: one coalesced GET per row group
    kiln_trace "near $threads" "SET threads = $threads; SELECT count(*), min(c3), min(c4) FROM read_parquet('s3://kiln/wide.parquet')"
    expect_eq "near $threads result" "$(cat "$tmp/out")" "$(cut -d, -f1,2,4 "$tmp/expected")"
    expect_eq "near $threads GETs" "$(wc -l <"$tmp/gets")" 5
    check_ranges "near $threads"
done

# a second query in the same process: the footer comes from the cache, and
# SHOW s3_requests counts (its GETs include one listing per query:
# read_parquet checks whether the path is a dataset folder)
kiln_trace "twice" "SELECT count(*), min(c3), max(c12) FROM read_parquet('s3://kiln/wide.parquet'); SELECT count(*), min(c3), max(c12) FROM read_parquet('s3://kiln/wide.parquet'); SHOW s3_requests"
expect_eq "twice GETs" "$(wc -l <"$tmp/gets")" 14
grep -q '^"*GET 16, HEAD [0-9]*, PUT 0, POST 0, DELETE 0, bytes received [0-9]*"*$' "$tmp/out" && pass || fail "SHOW s3_requests: $(cat "$tmp/out")"

# a column chunk over 8 MiB: fetched as several GETs of at most 8 MiB, in parallel, exactly its bytes
awk 'BEGIN { srand(11); print "k,v"; for (i = 0; i < 800000; i++) printf "%d,%08x%012x\n", i % 7, int(rand() * 4294967295), i }' >tall.csv
kiln_ok "write tall" "COPY (SELECT * FROM read_csv('$tmp/tall.csv')) TO 's3://kiln/tall.parquet' (FORMAT parquet, ROW_GROUP_SIZE 1000000)"
kiln_ok "write tall local" "COPY (SELECT * FROM read_csv('$tmp/tall.csv')) TO '$tmp/tall.parquet' (FORMAT parquet, ROW_GROUP_SIZE 1000000)"
kiln_ok "tall chunk" --format csv "SELECT data_page_offset, dictionary_page_offset, total_compressed_size FROM parquet_metadata('$tmp/tall.parquet') WHERE path_in_schema = 'v'"
read -r tall_start tall_len < <(tail -1 "$tmp/out" | awk -F, '{ s = $1; if ($2 != "" && $2 + 0 >= 4 && $2 < s) s = $2; print s, $3 }')
[ "$tall_len" -gt $((8 * 1024 * 1024)) ] && pass || fail "tall: the chunk is only $tall_len bytes"
if KILN_S3_TRACE=1 "$KILN" query --format csv "SELECT count(*), min(v), max(v) FROM read_parquet('s3://kiln/tall.parquet')" >"$tmp/out" 2>"$tmp/err" </dev/null; then pass; else fail "tall read: $(cat "$tmp/err")"; fi
expect_eq "tall result" "$(cat "$tmp/out")" "$("$KILN" query --format csv "SELECT count(*), min(v), max(v) FROM read_parquet('$tmp/tall.parquet')")"
grep '^kiln-s3-trace: GET s3://kiln/tall.parquet ' "$tmp/err" | sed -E 's/.* bytes=([0-9]+)-([0-9]+) .*/\1 \2/' | sort -n |
    awk -v s="$tall_start" -v e="$((tall_start + tall_len - 1))" '$1 >= s && $2 <= e' >"$tmp/pieces"
expect_eq "tall pieces" "$(wc -l <"$tmp/pieces")" $(((tall_len + 8388607) / 8388608))
# the pieces tile the chunk: each starts where the previous ended, none over 8 MiB
awk -v s="$tall_start" -v e="$((tall_start + tall_len - 1))" 'BEGIN { next_start = s }
    $1 != next_start || $2 - $1 + 1 > 8388608 { bad = 1 } { next_start = $2 + 1 }
    END { exit bad || next_start != e + 1 }' "$tmp/pieces" && pass || fail "tall: the pieces do not tile the chunk: $(cat "$tmp/pieces")"

echo "$checks checks passed, $failures failed"
[ "$failures" -eq 0 ]
