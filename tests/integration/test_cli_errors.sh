#!/usr/bin/env bash
# test_cli_errors.sh: exit codes of kiln for each kind of error (2 usage,
# 3 SQL, 4 data, 5 I/O) and how errors are reported on stderr: line and
# column with the offending line and a caret, positions inside job files
# (through parameter substitution), data errors as file:line:column.
# $KILN is the binary under test; exits 0 when every check passes.
set -u

KILN=${KILN:-./kiln}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-cli-errors.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
    echo "FAIL: $*"
    echo "  exit status: $status"
    echo "  stdout: $(head -c 1000 "$tmp/out")"
    echo "  stderr: $(head -c 1000 "$tmp/err")"
    failures=$((failures + 1))
}

run() {
    "$KILN" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    err=$(cat "$tmp/err")
}

# expect_exit CODE NAME: the last run exited with CODE and printed an error.
expect_exit() {
    [ "$status" -eq "$1" ] || { fail "$2: expected exit status $1"; return; }
    [ "$1" -eq 0 ] || grep -q '^kiln: ' "$tmp/err" || fail "$2: no 'kiln: ' error line on stderr"
}

# expect_stderr_line TEXT NAME: stderr has a line equal to TEXT.
expect_stderr_line() {
    grep -qxF -- "$1" "$tmp/err" || fail "$2: stderr lacks the line: $1"
}

# --- usage errors: 2 ----------------------------------------------------------
run;                                   expect_exit 2 "no command"
run frobnicate;                        expect_exit 2 "unknown command"
expect_stderr_line 'kiln: unknown command "frobnicate"' "unknown command message"
run --frobnicate;                      expect_exit 2 "unknown global option"
run query --frmat csv "SELECT 1";      expect_exit 2 "unknown query option"
expect_stderr_line 'kiln: unknown option "--frmat"' "unknown option message"
run query --format xml "SELECT 1";     expect_exit 2 "unknown format"
run query --format;                    expect_exit 2 "option without value"
run query;                             expect_exit 2 "query without SQL"
run query "SELECT 1" "SELECT 2";       expect_exit 2 "query with two SQL arguments"
run run;                               expect_exit 2 "run without a job file"
run run a.sql b.sql;                   expect_exit 2 "run with two job files"
run run x.sql --param novalue;         expect_exit 2 "--param without ="
run run x.sql --param 1x=2;            expect_exit 2 "--param with a bad name"
run version extra;                     expect_exit 2 "version with an argument"
run help nosuchcommand;                expect_exit 2 "help of an unknown command"
[ ! -s "$tmp/out" ] || fail "usage errors must not print on stdout"

# --- SQL errors: 3 --------------------------------------------------------------
run query "SELEC 1"
expect_exit 3 "syntax error"
expect_stderr_line 'kiln: SQL error at line 1, column 1: syntax error at or near "SELEC"' "syntax error message"
expect_stderr_line 'LINE 1: SELEC 1' "syntax error context line"
expect_stderr_line '        ^' "syntax error caret"

run query "SELECT 1;
  SELECT * FROM no_such_table"
expect_exit 3 "unknown table"
expect_stderr_line 'kiln: SQL error at line 2, column 17: relation "no_such_table" does not exist' "unknown table position"
expect_stderr_line '                        ^' "unknown table caret"

run query "SELECT {{ missing }}"
expect_exit 3 "unknown parameter in query"
grep -q 'unknown parameter "missing"' "$tmp/err" || fail "unknown parameter message"

# A position inside a job file, after substitutions that change the length.
printf -- '-- job\nCREATE TABLE t (a bigint);\nINSERT INTO t VALUES ({{ a_long_parameter_name }}), ({{x}});\nSELECT a, b\n  FROM t WHERE a = {{ x }};\n' >"$tmp/job.sql"
run run "$tmp/job.sql" -p a_long_parameter_name=1 -p x=22222222
expect_exit 3 "SQL error in a job"
expect_stderr_line 'kiln: SQL error at line 4, column 11: column "b" does not exist' "job error position"
expect_stderr_line 'LINE 4: SELECT a, b' "job error context"
expect_stderr_line '                  ^' "job error caret"

# A syntax error right after a substituted value.
printf 'SELECT {{ v }} {{ v }} FORM x;\n' >"$tmp/after.sql"
run run "$tmp/after.sql" -p v=abcdefghijklmnop
expect_exit 3 "syntax error after substitutions"
grep -q '^kiln: SQL error at line 1, column 16: ' "$tmp/err" || fail "syntax error after substitutions: column"

# Unknown parameter in a job: position of the placeholder.
printf 'SELECT 1;\nSELECT  {{ nope }};\n' >"$tmp/unknown.sql"
run run "$tmp/unknown.sql"
expect_exit 3 "unknown parameter in a job"
grep -q '^kiln: SQL error at line 2, column 9: unknown parameter "nope"' "$tmp/err" || fail "unknown parameter position"

# A value that would close a dollar quote is refused.
printf 'SELECT $$ {{ v }} $$;\n' >"$tmp/dollar.sql"
run run "$tmp/dollar.sql" -p 'v=$$; DROP TABLE t; --'
expect_exit 3 "dollar-quote breakout"

# --- data errors: 4 -------------------------------------------------------------
# a line quoted with an error shows its secrets as ***, the caret still
# under the error (here after the password, which is shorter once masked)
run query "SELECT 'postgresql://etl:hunter2@db/x' AS url, no_such_column"
expect_exit 3 "error on a line with a password"
expect_stderr_line "LINE 1: SELECT 'postgresql://etl:***@db/x' AS url, no_such_column" "password masked in the context line"
expect_stderr_line '                                                   ^' "caret after a masked password"
grep -q hunter2 "$tmp/err" && fail "the password reached stderr"

run query "SELECT 'abc'::int"
expect_exit 4 "failed cast"
grep -q 'invalid input syntax for type integer: "abc"' "$tmp/err" || fail "failed cast message"

{ echo "id,amount"; seq 1 30000 | sed 's/$/,5/'; echo "30001,12x"; } >"$tmp/data.csv"
run query "SELECT id FROM read_csv('$tmp/data.csv') WHERE amount < 0"
expect_exit 4 "bad value in a CSV file"
grep -q "^kiln: $tmp/data.csv:30002:2: " "$tmp/err" || fail "data error as file:line:column"

# A data error in a job stops it: later statements do not run.
printf "CREATE TABLE t (a int);\nINSERT INTO t VALUES ('x');\nCOPY t TO '%s/never.csv' (FORMAT csv);\n" "$tmp" >"$tmp/data_job.sql"
run run "$tmp/data_job.sql"
expect_exit 4 "data error in a job"
[ ! -e "$tmp/never.csv" ] || fail "statements after a failed one must not run"

# --- I/O errors: 5 --------------------------------------------------------------
run run "$tmp/no_such_job.sql"
expect_exit 5 "missing job file"
expect_stderr_line "kiln: I/O error: could not open file \"$tmp/no_such_job.sql\": No such file or directory" "missing job file message"

run query "SELECT * FROM read_csv('$tmp/no_such.csv')"
expect_exit 5 "missing CSV file"

# --- success: 0 -----------------------------------------------------------------
run query "SELECT 1"
expect_exit 0 "a good query"
[ ! -s "$tmp/err" ] || fail "a good query prints nothing on stderr when it is not a terminal"

if [ "$failures" -ne 0 ]; then
    echo "test_cli_errors: $failures checks failed"
    exit 1
fi
echo "test_cli_errors: all checks passed"
