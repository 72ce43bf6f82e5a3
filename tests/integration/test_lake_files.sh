#!/usr/bin/env bash
# test_lake_files.sh: the lake writer's file sizing and memory bound.
#
#   ROWS_PER_FILE: 4 partitions x 5,000 rows at 1,000 rows per file -> 20 files
#     of exactly 1,000 rows; `kiln query --verbose` says so.
#   FILE_SIZE_BYTES: 2 partitions of 50,000 rows at 128kB -> files near the
#     target, at most one undersized file per partition, every row read back.
#   10,000 partitions under SET memory_limit = '64MB': the same rows as the
#     same data in 10 partitions (sorted dumps compared), and the run's peak
#     RSS stays under 300 MB.  10 rows per partition are enough: the point is
#     the partition count (far past the 256 files the writer keeps open, so
#     it must switch to its sort fallback), not the volume.
# Sizes are chosen so that the script takes seconds, also under ASan: the
# lake syncs its files in two batches, not one by one (local.c).
# $KILN is the binary under test; exits 0 when every check passes.
set -u
KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-lake-files.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

digits="CREATE TABLE digits AS SELECT * FROM (VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)) AS t(d);"
n5="a.d * 10000 + b.d * 1000 + c.d * 100 + e.d * 10 + f.d"
from5="FROM digits a, digits b, digits c, digits e, digits f"

# ROWS_PER_FILE
$KILN query --verbose "$digits
  CREATE TABLE t AS SELECT n % 4 AS p, n, 'row ' || n AS s FROM (SELECT $n5 AS n $from5 WHERE a.d < 2) x;
  COPY t TO 'rows' WITH (PARTITION_BY (p), ROWS_PER_FILE 1000)" >/dev/null 2>summary.txt || fail "ROWS_PER_FILE run"
# the CLI's line on what the COPY wrote
grep -q '^dataset rows v1: 20 files in 4 partitions, 20000 rows, [0-9.]* kB$' summary.txt ||
    fail "COPY --verbose summary: $(cat summary.txt)"
files=$(find rows -name '*.parquet' | wc -l)
[ "$files" = 20 ] || fail "ROWS_PER_FILE 1000: expected 20 files, found $files"
counts=$(for f in rows/p=2/*.parquet; do $KILN query --format csv "SELECT count(*) FROM read_parquet('$f')" | tail -1; done | sort -u | tr '\n' ' ')
[ "$counts" = "1000 " ] || fail "ROWS_PER_FILE 1000: files of p=2 hold $counts rows"

# FILE_SIZE_BYTES
$KILN query "$digits
  CREATE TABLE t AS SELECT n % 2 AS p, n, md5(n::text) AS s FROM (SELECT $n5 AS n $from5) x;
  COPY (SELECT p, n, s FROM t) TO 'sized' WITH (PARTITION_BY (p), FILE_SIZE_BYTES '128kB', COMPRESSION zstd)" >/dev/null 2>err.txt \
    || { fail "FILE_SIZE_BYTES run: $(cat err.txt)"; }
for part in sized/p=0 sized/p=1; do
    n=$(find "$part" -name '*.parquet' | wc -l)
    small=$(find "$part" -name '*.parquet' -size -100k | wc -l)
    big=$(find "$part" -name '*.parquet' -size +200k | wc -l)
    [ "$n" -ge 3 ] || fail "FILE_SIZE_BYTES 128kB: $part has only $n files"
    [ "$small" -le 1 ] || fail "FILE_SIZE_BYTES 128kB: $part has $small undersized files"
    [ "$big" = 0 ] || fail "FILE_SIZE_BYTES 128kB: $part has $big files over 200kB"
done
rows=$($KILN query --format csv "SELECT count(*), count(DISTINCT n) FROM read_parquet('sized/*/*.parquet')" | tail -1)
[ "$rows" = "100000,100000" ] || fail "FILE_SIZE_BYTES: read back $rows rows"

# 10,000 partitions vs 10, under a 64MB memory limit
gen="SELECT n % 10000 AS p, n % 10 AS q, n, 'payload ' || n AS s FROM (SELECT $n5 AS n $from5) x"
$KILN query "$digits COPY ($gen) TO 'few' WITH (PARTITION_BY (q))" >/dev/null || fail "10-partition run"
# (an ASan build's freed-memory quarantine, 256 MB by default, would count in the RSS)
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16 /usr/bin/time -v -o time.txt $KILN query "SET memory_limit = '64MB'; SET temp_directory = '$tmp'; $digits
  COPY ($gen) TO 'many' WITH (PARTITION_BY (p), FORMAT parquet)" >/dev/null 2>err.txt || fail "10,000-partition run: $(cat err.txt)"
parts=$(find many -mindepth 1 -maxdepth 1 -name 'p=*' | wc -l)
[ "$parts" = 10000 ] || fail "expected 10000 partition folders, found $parts"
files=$(find many -name '*.parquet' | wc -l)
[ "$files" = 10000 ] || fail "expected one file per partition (10000), found $files"
rss_kb=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' time.txt)
[ -n "$rss_kb" ] && [ "$rss_kb" -lt 300000 ] || fail "10,000 partitions at memory_limit 64MB: peak RSS ${rss_kb:-?} kB"
$KILN query --format csv "SELECT n, q, p, s FROM read_parquet('few', hive_partitioning => true) ORDER BY n" >few.csv
$KILN query --format csv "SELECT n, q, p, s FROM read_parquet('many', hive_partitioning => true) ORDER BY n" >many.csv
lines=$(wc -l <few.csv)
[ "$lines" = 100001 ] || fail "10-partition dataset reads back $lines lines"
cmp -s few.csv many.csv || fail "10,000-partition dataset differs from the 10-partition one: $(diff few.csv many.csv | head -3)"

[ "$failures" = 0 ] && echo "test_lake_files: ok (peak RSS ${rss_kb:-?} kB for 10,000 partitions)"
exit $((failures > 0))
