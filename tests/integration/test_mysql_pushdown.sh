#!/usr/bin/env bash
# test_mysql_pushdown.sh: filter pushdown into read_mysql's remote query,
# against a real MariaDB server (mariadb_server.sh).  Every query is run
# twice, with the filter pushed and with SET remote_filter_pushdown = false,
# and must return exactly the same rows: string comparisons with mixed
# case, accents, trailing spaces and tabs under MariaDB's default
# (case- and accent-insensitive, PAD SPACE) utf8mb4 collation and a latin1
# column, ENUM, zero dates (NULL to kiln), fractional seconds, FLOAT,
# DECIMAL precision, JSON, BIGINT UNSIGNED, quotes and backslashes in
# constants, NOT, OR, IN and a parallel read.  EXPLAIN and the server's
# general log show the WHERE clause actually sent.
set -u
KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
. tests/integration/mariadb_server.sh
my_start
rc=$?
[ $rc -eq 77 ] && { echo "SKIP: no MariaDB server installed"; exit 0; }
[ $rc -eq 0 ] || { echo "FAIL: could not start MariaDB"; exit 1; }
. tests/integration/checks.sh

kq() { MYSQL_PWD=$MY_PASSWORD "$KILN" query --format csv "$@" 2>&1; }

$MYSQL <<'SQL' || { echo "FAIL: setting up tables"; exit 1; }
SET sql_mode = '';
CREATE TABLE m (id INT PRIMARY KEY, s VARCHAR(20), l VARCHAR(20) CHARACTER SET latin1, e ENUM('x', 'Y', 'z'),
  d DATE, dt DATETIME(6), ts TIMESTAMP NULL, x DOUBLE, f FLOAT, n DECIMAL(10,2), j JSON, u BIGINT UNSIGNED,
  bi BIGINT, INDEX (s), INDEX (d), INDEX (f), INDEX (n));
INSERT INTO m VALUES
 (1, 'a', 'a', 'x', '2024-01-01', '2024-01-01 00:00:00.5', '2024-01-01 00:00:00', 1.0, 0.1, 1.00, '{"a": 1}', 18446744073709551615, 9223372036854775807),
 (2, 'B', 'B', 'Y', '0000-00-00', '0000-00-00 00:00:00', NULL, 1.5, 0.5, 1.01, '[]', 0, -9223372036854775808),
 (3, 'b', 'é', 'z', '2024-02-00', '2024-02-29 12:00:00', '2024-02-29 12:00:00', -0.0, -0.1, -1.00, 'null', 100, 0),
 (4, 'A', 'A', 'x', '2024-01-15', '2024-01-15 08:30:00', '2024-01-15 08:30:00', 1e308, 3.5, 99999999.99, NULL, NULL, NULL),
 (5, 'é', 'e', 'Y', '1000-01-01', '1000-01-01 00:00:00', '1970-01-01 00:00:01', -1e308, 1e30, 0.00, '"x"', 5, 5),
 (6, 'E', 'E', 'z', '9999-12-31', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07', 2.5, 2.5, 0.01, '1', 6, 6),
 (7, 'a ', 'a ', NULL, '2024-03-01', '2024-03-01 00:00:00', '2024-03-01 00:00:00', 3, 3, 2.50, '{}', 7, 7),
 (8, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (9, 'Z', 'Z', 'x', '2024-01-16', '2024-01-16 08:30:00', '2024-01-16 08:30:00', -5, -5, -5.00, '2', 9, 9),
 (10, 'ä', 'ä', 'Y', '2023-12-31', '2023-12-31 23:59:59', '2023-12-31 23:59:59', 0.1, 0.1, 0.10, '3', 10, 10),
 (11, 'a\t', 'a\t', 'z', '2024-01-02', '2024-01-02 00:00:00', '2024-01-02 00:00:00', 1, 1, 1.00, '4', 11, 11),
 (12, 'it''s', 'it''s', 'x', '2024-01-03', '2024-01-03 00:00:00', NULL, 2, 2, 2.00, '5', 12, 12),
 (13, 'a\\b', 'a\\b', 'Y', '2024-01-04', '2024-01-04 00:00:00', NULL, 4, 4, 4.00, '6', 13, 13);
SQL

src="read_mysql('$MY_URL', 'm')"

# same NAME WHERE [ROWS]: the rows of the filtered read, pushed and not, must match.
same() {
    local q="SELECT id FROM $src WHERE $2 ORDER BY id"
    local pushed unpushed
    pushed=$(kq "$q")
    unpushed=$(kq "SET remote_filter_pushdown = false; $q")
    [ "$(printf '%s\n' "$pushed" | head -1)" = id ] || { fail "$1: $pushed"; return; }
    expect "$1 (pushed = not pushed)" "$unpushed" "$pushed"
    [ -n "${3:-}" ] && expect "$1 (rows)" "$3" "$(printf '%s\n' "$pushed" | tail -n +2 | tr '\n' ' ' | sed 's/ $//')"
}

same "string < (ci collation, PAD SPACE)" "s < 'b'" "1 2 4 6 7 9 11 13"
same "string > " "s > 'a'" "3 5 7 10 11 12 13"
same "string >= mixed case" "s >= 'B'" "1 2 3 5 6 7 9 10 11 12 13"
same "string BETWEEN" "s BETWEEN 'B' AND 'a'" "1 2 6 9"
same "string = (superset on the server)" "s = 'a'" "1"
same "string = trailing space" "s = 'a '" "7"
same "string <> " "s <> 'a'" "2 3 4 5 6 7 9 10 11 12 13"
same "string IN" "s IN ('a', 'E', 'ä')" "1 6 10"
same "string NOT IN" "s NOT IN ('a', 'b')" "2 4 5 6 7 9 10 11 12 13"
same "accented <" "s < 'é'" "1 2 3 4 6 7 9 10 11 12 13"
same "quote" "s = 'it''s'" "12"
same "backslash" "s = 'a\\b'" "13"
same "backslash range" "s > 'a\\a'" "3 5 10 12 13"
same "latin1 column range" "l > 'e'" "3 10 12"
same "latin1 column =" "l = 'é'" "3"
same "ENUM <" "e < 'y'" "1 2 4 5 9 10 12 13"
same "ENUM =" "e = 'y'" ""
same "LIKE (not pushed)" "s LIKE 'a%'" "1 7 11 13"
same "zero dates are NULL: IS NULL" "d IS NULL" "2 3 8"
same "zero dates: IS NOT NULL" "d IS NOT NULL" "1 4 5 6 7 9 10 11 12 13"
same "zero dates: <" "d < '2024-01-03'" "1 5 10 11"
same "NOT of a date comparison" "NOT (d < '2024-01-03')" "4 6 7 9 12 13"
same "date BETWEEN" "d BETWEEN '2024-01-01' AND '2024-01-15'" "1 4 11 12 13"
same "date against a midnight timestamp" "d >= TIMESTAMP '2024-01-15 00:00:00'" "4 6 7 9"
same "date against a timestamp (not pushed)" "d > TIMESTAMP '2024-01-15 00:00:01'" "6 7 9"
same "datetime fractional constant (not pushed)" "dt > '2024-01-01 00:00:00.4'" "1 3 4 6 7 9 11 12 13"
same "datetime =" "dt = '2024-03-01 00:00:00'" "7"
same "datetime max" "dt >= '9999-12-31 23:59:59'" "6"
same "timestamp in UTC" "ts >= '2024-01-15 08:30:00'" "3 4 6 7 9"
same "double" "x > 1" "2 4 6 7 12 13"
same "double -0" "x = 0" "3"
same "double extremes" "x < -1e307 OR x > 1e307" "4 5"
same "FLOAT (not pushed)" "f > 0.1" "1 2 4 5 6 7 10 11 12 13"
same "decimal precision of the constant" "n = 1.005" ""
same "decimal =" "n = 1" "1 11"
same "decimal >" "n > 2.495" "4 7 13"
same "JSON (not pushed)" "j = '[]'" "2"
same "JSON IS NULL" "j IS NULL" "4 8"
same "BIGINT UNSIGNED max" "u = 18446744073709551615" "1"
same "BIGINT UNSIGNED >" "u > 10" "1 3 11 12 13"
same "BIGINT extremes" "bi IN (9223372036854775807, -9223372036854775808)" "1 2"
same "OR" "id BETWEEN 2 AND 4 OR s = 'Z'" "2 3 4 9"
same "NOT" "NOT (id > 3)" "1 2 3"
same "NOT IN with NULL" "id NOT IN (1, NULL)" ""
same "integer against a big constant" "id < 3000000000" "1 2 3 4 5 6 7 8 9 10 11 12 13"
same "integer against a fraction" "id < 2.5" "1 2"

par="read_mysql('$MY_URL', 'm', partition_column => 'id', lower_bound => 1, upper_bound => 13, num_partitions => 3)"
q="SELECT id FROM $par WHERE s < 'b' AND d IS NOT NULL ORDER BY id"
expect "parallel read with pushdown" "$(kq "SET remote_filter_pushdown = false; $q")" "$(kq "$q")"
plan=$(MYSQL_PWD=$MY_PASSWORD "$KILN" query "EXPLAIN $q" 2>&1)
expect_has "parallel EXPLAIN shows WHERE and partitions" \
    'WHERE CAST(CONVERT(`s` USING utf8mb4) AS BINARY) < X'"'62'"' AND `d` IS NOT NULL partitions=3:' "$plan"

plan=$(MYSQL_PWD=$MY_PASSWORD "$KILN" query "EXPLAIN SELECT id FROM read_mysql('$MY_URL_PW', 'm') WHERE s = 'it''s' AND d >= '2024-01-01' AND x > 1.5" 2>&1)
expect_has "EXPLAIN shows the WHERE" \
    "WHERE \`s\` = _utf8mb4 X'69742773' AND \`d\` >= DATE'2024-01-01' AND \`x\` > 1.5e0" "$plan"
case "$plan" in *"$MY_PASSWORD"*) fail "EXPLAIN shows the password" ;; *) echo "PASS: EXPLAIN without the password" ;; esac
plan=$(kq "SET remote_filter_pushdown = false; EXPLAIN SELECT id FROM $src WHERE s >= 'B'")
case "$plan" in *WHERE*) fail "remote_filter_pushdown = false still pushes: $plan" ;; *) echo "PASS: pushdown off: no WHERE" ;; esac

kq "SELECT count(*) FROM $src WHERE id = 9 AND s = 'Z'" >/dev/null
expect_has "the server ran the pushed query" 'FROM `m` WHERE `id` = 9 AND `s` = '"'Z'" "$(cat "$MY_DIR/general.log")"

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
