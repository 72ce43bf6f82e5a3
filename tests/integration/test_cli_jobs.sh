#!/usr/bin/env bash
# test_cli_jobs.sh: `kiln run JOB.sql` end to end: parameters in code, in
# string literals and in quoted identifiers; values that try SQL injection
# stay data; placeholders in comments are ignored; which result reaches
# stdout (the last row-returning statement's); status lines with --verbose;
# `kiln query` with several statements and from standard input.
# $KILN is the binary under test; exits 0 when every check passes.
set -u

KILN=${KILN:-./kiln}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-cli-jobs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
    echo "FAIL: $1"
    [ $# -lt 3 ] || echo "  expected: $(printf '%q' "$2")"
    [ $# -lt 3 ] || echo "  got:      $(printf '%q' "$3")"
    echo "  exit status: $status"
    echo "  stderr: $(head -c 1000 "$tmp/err")"
    failures=$((failures + 1))
}

run() {
    "$KILN" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    out=$(cat "$tmp/out")
}

# expect_out NAME EXPECTED: the last run succeeded and printed EXPECTED.
expect_out() {
    [ "$status" -eq 0 ] || { fail "$1: exit status"; return; }
    [ "$out" == "$2" ] || fail "$1" "$2" "$out"
}

cd "$tmp" || exit 1

# --- parameters in every context -------------------------------------------------
cat >params.sql <<'SQL'
-- {{ not_given }} in a comment is ignored, so is /* {{ this }} */
CREATE TABLE "events_{{ suffix }}" (id bigint, label text, day date);
INSERT INTO "events_{{ suffix }}" VALUES
  (1, {{ label }}, {{ ds }}::date),
  (2, 'prefix-{{ label }}', DATE {{ds}}),
  (3, ';{{ label }};', '2000-01-01');
SELECT id, label, day FROM "events_{{ suffix }}" ORDER BY id;
SQL
run run params.sql --format csv -p suffix=x1 -p "label=it's" -p ds=2026-11-24
expect_out "parameters in code, literals and identifiers" "id,label,day
1,it's,2026-11-24
2,prefix-it's,2026-11-24
3,;it's;,2000-01-01"

# The last --param wins.
run run params.sql --format csv -p suffix=x1 -p label=a -p label=b -p ds=2026-11-24
[ "$(sed -n 2p "$tmp/out")" == "1,b,2026-11-24" ] || fail "a repeated --param: the last one wins" "1,b,2026-11-24" "$(sed -n 2p "$tmp/out")"

# --- injection attempts stay data --------------------------------------------------
for value in "x'); DROP TABLE t; --" "\\'); DROP TABLE t; --" "' OR '1'='1" "*/ DROP TABLE t; /*" "a\"b" "{{ label }}"; do
    cat >inject.sql <<'SQL'
CREATE TABLE t (v text);
INSERT INTO t VALUES ({{ v }}), ('{{ v }}'), (E'{{ v }}');
SELECT v FROM t;
SQL
    run run inject.sql --format json -p "v=$value"
    expected_row=$(printf '%s' "$value" | sed 's/\\/\\\\/g; s/"/\\"/g')
    expected="[
{\"v\":\"$expected_row\"},
{\"v\":\"$expected_row\"},
{\"v\":\"$expected_row\"}
]"
    expect_out "injection attempt $(printf '%q' "$value")" "$expected"
done

# --- which result is printed -------------------------------------------------------
cat >results.sql <<'SQL'
CREATE TABLE t (a int);
SELECT 'first' AS which;
INSERT INTO t VALUES (1), (2);
SELECT 'second' AS which, a FROM t ORDER BY a;
CREATE TABLE u (b int);
INSERT INTO u VALUES (3);
SQL
run run results.sql --format csv
expect_out "only the last row-returning statement is printed" "which,a
second,1
second,2"
# Without --verbose and without a terminal there are no per-statement status
# lines; the run's quality summary (one line per table written) still ends the
# log, as a cron or Airflow task log should show it.
[ "$(cat "$tmp/err")" = "quality: t: 2 rows written
quality: u: 1 row written" ] || fail "no status lines without --verbose when stderr is not a terminal, only the quality summary"
run run results.sql --format csv --quiet
[ ! -s "$tmp/err" ] || fail "--quiet: nothing on stderr"

run run results.sql --verbose --format csv
grep -Eq '^\[1/6\] CREATE TABLE  \([0-9]+\.[0-9]{2} s\)$' "$tmp/err" || fail "--verbose status line 1"
grep -Eq '^\[3/6\] INSERT 0 2  \([0-9]+\.[0-9]{2} s\)$' "$tmp/err" || fail "--verbose status line 3"
[ "$(grep -c '^\[' "$tmp/err")" -eq 6 ] || fail "--verbose prints one line per statement"

run run results.sql --verbose --quiet
[ ! -s "$tmp/err" ] || fail "--quiet silences status lines"

printf 'CREATE TABLE t (a int);\nINSERT INTO t VALUES (1);\n' >ddl.sql
run run ddl.sql
expect_out "a job without SELECT prints nothing" ""

printf -- '-- nothing but comments ;\n/* ; */\n' >empty.sql
run run empty.sql
expect_out "a job with no statements succeeds quietly" ""

# Semicolons inside literals, identifiers, dollar quotes and comments do not split.
printf "SELECT ';' AS a, \$\$;\$\$ AS b, 1 AS \"c;\" -- ;\n;\n" >semi.sql
run run semi.sql --format csv
expect_out "semicolons inside literals" 'a,b,c;
;,;,1'

# --- kiln query ----------------------------------------------------------------
run query --format csv "CREATE TABLE t (a int); INSERT INTO t VALUES (5); SELECT a * 2 AS b FROM t"
expect_out "query runs every statement and prints the last" "b
10"

run query "CREATE TABLE t (a int)"
expect_out "query of a statement without rows prints its tag" "CREATE TABLE"

echo "SELECT 'from stdin' AS s" | "$KILN" query --format csv - >"$tmp/out" 2>"$tmp/err"
status=$?
out=$(cat "$tmp/out")
expect_out "query - reads standard input" "s
from stdin"

run query --format csv -p "v=O'Neil" "SELECT {{ v }} AS name, length({{v}}) AS n"
expect_out "query with a parameter" "name,n
O'Neil,6"

if [ "$failures" -ne 0 ]; then
    echo "test_cli_jobs: $failures checks failed"
    exit 1
fi
echo "test_cli_jobs: all checks passed"
