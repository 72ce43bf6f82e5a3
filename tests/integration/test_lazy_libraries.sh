#!/usr/bin/env bash
# test_lazy_libraries.sh: libcurl, libcrypto (S3), libpq (PostgreSQL,
# Redshift), libmariadb (MySQL) and libsnappy (Parquet SNAPPY pages) are
# opened with dlopen on first use (src/common/dynlib.h), never at start-up:
#   - the binary does not need them (ldd);
#   - `kiln query "select 1"` loads none of them (LD_DEBUG=files shows every
#     library the dynamic loader maps);
#   - a PostgreSQL, MySQL, S3 or SNAPPY use loads its own, and only those
#     (the servers are unreachable: loading happens before connecting);
#   - a library that is broken or lacks a function gives a clear error
#     naming the feature, the soname and the package (LD_LIBRARY_PATH puts a
#     fake one first), with exit code 5, never a crash.
# No server needed.  $KILN is the binary under test; exits 0 when every
# check passes.
set -u

KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/integration/checks.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-lazy-libs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

lazy_libs='libcurl|libcrypto|libpq|libmariadb|libsnappy'

# loaded SQL...: the lazy libraries the dynamic loader mapped while kiln ran
# the statements (sorted sonames, space-separated; kiln's errors ignored)
loaded() {
    LD_DEBUG=files "$KILN" query "$@" 2>&1 >/dev/null </dev/null |
        grep -oE "file=($lazy_libs)[^ ]*" | sed 's/^file=//' | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# ---- at start-up: none ----
expect "the binary does not need the lazy libraries" "" \
    "$(ldd "$KILN" | grep -oE "($lazy_libs)[^ ]*" | sort -u | tr '\n' ' ')"
expect "select 1 loads none of them" "" "$(loaded "select 1")"
# the probe itself works: a library the binary does need shows up
expect_has "LD_DEBUG=files lists the libraries kiln needs" "file=libpg_query" \
    "$(LD_DEBUG=files "$KILN" query "select 1" 2>&1 >/dev/null </dev/null)"

# ---- on first use: each its own ----
pg="SELECT * FROM read_postgres('host=127.0.0.1 port=1 dbname=x connect_timeout=2', 't')"
my="SELECT * FROM read_mysql('mysql://u@127.0.0.1:1/db', 't')"
s3="SET s3_endpoint = '127.0.0.1:1'; SET s3_use_ssl = false; SET s3_access_key_id = 'k';
    SET s3_secret_access_key = 's'; SET s3_retry_budget = 0; SELECT * FROM read_csv('s3://b/x.csv')"
# (libpq and libmariadb need libcrypto themselves, for TLS)
expect "read_postgres loads libpq" "libcrypto.so.3 libpq.so.5" "$(loaded "$pg")"
expect "read_mysql loads libmariadb" "libcrypto.so.3 libmariadb.so.3" "$(loaded "$my")"
expect "an s3:// read loads libcurl and libcrypto" "libcrypto.so.3 libcurl.so.4" "$(loaded "$s3")"

"$KILN" query "COPY (SELECT 1 AS a) TO '$tmp/gzip.parquet' (FORMAT parquet, COMPRESSION gzip)" >/dev/null 2>&1
expect "a GZIP Parquet file is read without libsnappy" "" \
    "$(loaded "SELECT * FROM read_parquet('$tmp/gzip.parquet')")"
expect "writing SNAPPY Parquet loads libsnappy" "libsnappy.so.1" \
    "$(loaded "COPY (SELECT 1 AS a) TO '$tmp/snappy.parquet' (FORMAT parquet, COMPRESSION snappy)")"
expect "reading SNAPPY Parquet loads libsnappy" "libsnappy.so.1" \
    "$(loaded "SELECT * FROM read_parquet('$tmp/snappy.parquet')")"
expect "the SNAPPY file reads back" "1" "$("$KILN" query --format csv "SELECT a FROM read_parquet('$tmp/snappy.parquet')" 2>&1 | tail -n 1)"

# ---- a broken library: a clear error, exit code 5 ----
mkdir -p "$tmp/broken"
for so in libpq.so.5 libmariadb.so.3 libcurl.so.4 libsnappy.so.1; do : >"$tmp/broken/$so"; done
# broken SQL...: kiln's stderr and exit code with the empty fake libraries first in the search path
broken() {
    LD_LIBRARY_PATH="$tmp/broken" "$KILN" query "$@" 2>&1 >/dev/null </dev/null
    echo "exit $?"
}
out=$(broken "$pg")
expect_has "missing libpq: the feature, soname and reason" "PostgreSQL support needs libpq.so.5: $tmp/broken/libpq.so.5: file too short" "$out"
expect_has "missing libpq: the package" "(install the libpq5 package)" "$out"
expect_has "missing libpq: located at the connection" "host=127.0.0.1 port=1" "$out"
expect_has "missing libpq: exit code 5" "exit 5" "$out"
out=$(broken "$my")
expect_has "missing libmariadb" "MySQL support needs libmariadb.so.3: $tmp/broken/libmariadb.so.3: file too short (install the libmariadb3 package)" "$out"
expect_has "missing libmariadb: exit code 5" "exit 5" "$out"
out=$(broken "$s3")
expect_has "missing libcurl" "S3 support needs libcurl.so.4: $tmp/broken/libcurl.so.4: file too short (install the libcurl4 package)" "$out"
expect_has "missing libcurl: exit code 5" "exit 5" "$out"
out=$(broken "COPY (SELECT 1 AS a) TO '$tmp/refused.parquet' (FORMAT parquet, COMPRESSION snappy)")
expect_has "missing libsnappy when writing" "SNAPPY compression needs libsnappy.so.1: $tmp/broken/libsnappy.so.1: file too short (install the libsnappy1v5 package)" "$out"
expect_has "missing libsnappy when writing: exit code 5" "exit 5" "$out"
expect "no file written without libsnappy" "" "$(ls "$tmp/refused.parquet" 2>/dev/null)"
out=$(broken "SELECT * FROM read_parquet('$tmp/snappy.parquet')")
expect_has "missing libsnappy when reading, at the file" "$tmp/snappy.parquet: column \"a\": SNAPPY compression needs libsnappy.so.1" "$out"
expect_has "missing libsnappy when reading: exit code 5 (not a data error)" "exit 5" "$out"

# ---- a library without the functions kiln calls ----
if command -v cc >/dev/null 2>&1; then
    mkdir -p "$tmp/stub"
    echo 'int kiln_stub(void) { return 0; }' >"$tmp/stub.c"
    cc -shared -fPIC -Wl,-soname,libpq.so.5 -o "$tmp/stub/libpq.so.5" "$tmp/stub.c"
    out=$(LD_LIBRARY_PATH="$tmp/stub" "$KILN" query "$pg" 2>&1 >/dev/null </dev/null; echo "exit $?")
    expect_has "libpq without PQ functions" "PostgreSQL support needs libpq.so.5: function PQ" "$out"
    expect_has "libpq without PQ functions: not found" "not found" "$out"
    expect_has "libpq without PQ functions: exit code 5" "exit 5" "$out"
else
    echo "SKIP: no C compiler for the stub library"
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures lazy-library checks failed"
    exit 1
fi
echo "all lazy-library checks passed"
