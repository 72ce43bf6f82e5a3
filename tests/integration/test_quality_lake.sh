#!/usr/bin/env bash
# test_quality_lake.sh: contracts against the lake across runs (issue 7):
# REFERENCES lake.customers (id) in a daily job, UNIQUE keys against the
# orders committed by earlier runs (unique_scope = 'lake') with
# lake_mode = 'overwrite_partitions' (a rerun of the same day passes, a
# key from another day is a duplicate), COPY FROM with type errors as
# violations, and quarantined joined rows with the line of their order —
# the quarantine read back from lake/_quarantine in a later process and
# its counts checked against independent queries.  $KILN is the binary.
set -u

KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-quality-lake.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0
cd "$tmp" || exit 1

fail() {
    echo "FAIL: $1"
    [ $# -lt 3 ] || echo "  expected: $(printf '%q' "$2")"
    [ $# -lt 3 ] || echo "  got:      $(printf '%q' "$3")"
    echo "  stderr: $(head -c 1500 "$tmp/err" 2>/dev/null)"
    failures=$((failures + 1))
}
run() {
    "$KILN" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
}
expect_status() { [ "$status" -eq "$2" ] || fail "$1: exit status $status (want $2)"; }
expect_eq() { [ "$3" == "$2" ] || fail "$1" "$2" "$3"; }
q() { "$KILN" query --format csv "$1" </dev/null 2>"$tmp/err" | tail -n +2; }

# customers 1..50 in the lake
run query "COPY (SELECT i AS customer_id, 'c' || i AS name FROM generate_series(1, 50) g(i)) TO 'lake:customers' WITH (MODE overwrite)"
expect_status "customers" 0

# orders_DS.csv: 200 orders a day, ids continuing from day to day; every
# 20th has an unknown customer (1000+), every 25th an amount that is no
# number; day 2 repeats 5 order ids of day 1 (ids 196..200)
make_day() { # DAY FIRST_ID
    {
        echo "order_id,customer_id,amount"
        for i in $(seq 0 199); do
            id=$(($2 + i))
            cust=$((id % 50 + 1))
            [ $((id % 20)) -eq 0 ] && cust=$((1000 + id))
            amount="$((id % 7)).50"
            [ $((id % 25)) -eq 0 ] && amount="n/a"
            echo "$id,$cust,$amount"
        done
    } >"orders_$1.csv"
}
make_day 2026-11-01 1
make_day 2026-11-02 196

cat >orders.sql <<'SQL'
CREATE TABLE orders (
  order_id    bigint PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES lake.customers (customer_id),
  amount      numeric(10,2) NOT NULL,
  day         date NOT NULL
) WITH (on_violation = 'quarantine', unique_scope = 'lake', lake_mode = 'overwrite_partitions');

CREATE TABLE staging (order_id bigint, customer_id bigint, amount numeric(10,2)) WITH (on_violation = 'quarantine');
COPY staging FROM 'orders_{{ ds }}.csv' (HEADER);

INSERT INTO orders
SELECT o.order_id, o.customer_id, o.amount, '{{ ds }}'::date
FROM read_csv('orders_{{ ds }}.csv', all_varchar => true) o
LEFT JOIN lake.customers c ON c.customer_id = o.customer_id::bigint
WHERE c.name IS DISTINCT FROM 'c0';

COPY orders TO 'lake:orders' WITH (FORMAT parquet, PARTITION_BY (day), MODE overwrite_partitions);
SQL

# expected bad rows of one day from FIRST_ID: unknown customer, bad amount, both
bad_rows() {
    local n=0
    for i in $(seq 0 199); do
        id=$(($1 + i))
        if [ $((id % 20)) -eq 0 ] || [ $((id % 25)) -eq 0 ]; then n=$((n + 1)); fi
    done
    echo $n
}
bad1=$(bad_rows 1)
bad2=$(bad_rows 196)

run run orders.sql --param ds=2026-11-01
expect_status "day 1" 0
expect_eq "day 1: orders in the lake" "$((200 - bad1))" "$(q "SELECT count(*) FROM lake.orders")"
expect_eq "day 1: quarantined orders" "$bad1" \
    "$(q "SELECT count(*) FROM read_parquet('lake/_quarantine/orders') WHERE _logical_date = '2026-11-01'")"
# the type errors of COPY FROM, with their lines (order n is on line n + 1)
expect_eq "day 1: COPY type(amount) violations" "8" \
    "$(q "SELECT count(*) FROM read_parquet('lake/_quarantine/staging') WHERE _rules = 'type(amount)' AND _source_line = order_id::int + 1 AND amount = 'n/a'")"
# the joined rows carry the line of their order (the left input)
expect_eq "day 1: joined rows' lines" "$bad1" \
    "$(q "SELECT count(*) FROM read_parquet('lake/_quarantine/orders') WHERE _source_line = order_id::int + 1 AND _source_file = 'orders_2026-11-01.csv'")"
expect_eq "day 1: foreign key violations" "10" \
    "$(q "SELECT count(*) FROM read_parquet('lake/_quarantine/orders') WHERE _rules LIKE '%orders_customer_id_fkey%'")"

# a rerun of the same day: its partition is replaced, its keys do not count
run run orders.sql --param ds=2026-11-01
expect_status "day 1 rerun" 0
expect_eq "day 1 rerun: same orders" "$((200 - bad1))" "$(q "SELECT count(*) FROM lake.orders")"
expect_eq "day 1 rerun: no duplicates" "0" \
    "$(q "SELECT count(*) FROM read_parquet('lake/_quarantine/orders') WHERE _rules LIKE '%orders_pkey%'")"

# day 2: ids 196..200 were committed by day 1 (200 is a bad row there, so 4 duplicates)
run run orders.sql --param ds=2026-11-02
expect_status "day 2" 0
expect_eq "day 2: duplicates of day 1" "196,197,198,199" \
    "$(q "SELECT order_id FROM read_parquet('lake/_quarantine/orders') WHERE _logical_date = '2026-11-02' AND _rules = 'orders_pkey' ORDER BY order_id::int" | paste -sd,)"
expect_eq "day 2: the message names the dataset" "1" \
    "$(q "SELECT count(DISTINCT _error LIKE '%already exists in lake dataset \"lake.orders\".') FROM read_parquet('lake/_quarantine/orders') WHERE _rules = 'orders_pkey'")"
expect_eq "day 2: orders in the lake" "$((200 - bad1 + 200 - bad2 - 4))" "$(q "SELECT count(*) FROM lake.orders")"
expect_eq "day 2: every order once" "0" \
    "$(q "SELECT count(*) FROM (SELECT order_id FROM lake.orders GROUP BY order_id HAVING count(*) > 1) d")"

# customer 7 leaves the dimension: its orders no longer pass on a rerun of day 2
run query "COPY (SELECT i AS customer_id, 'c' || i AS name FROM generate_series(1, 50) g(i) WHERE i <> 7) TO 'lake:customers' WITH (MODE overwrite)"
run run orders.sql --param ds=2026-11-02
expect_status "day 2 rerun" 0
want=$(q "SELECT count(*) FROM read_csv('orders_2026-11-02.csv', all_varchar => true) WHERE customer_id = '7' AND amount <> 'n/a' AND order_id::int > 200")
expect_eq "day 2 rerun: customer 7's orders quarantined" "$want" \
    "$(q "SELECT count(*) FROM read_parquet('lake/_quarantine/orders') WHERE _logical_date = '2026-11-02' AND _rules = 'orders_customer_id_fkey' AND customer_id = '7'")"
[ "$want" -gt 0 ] || fail "day 2 rerun: the data has orders of customer 7"

# fail policy: a duplicate of the lake stops the job, nothing is published
cat >strict.sql <<'SQL'
CREATE TABLE orders (order_id bigint PRIMARY KEY, day date) WITH (unique_scope = 'lake');
INSERT INTO orders VALUES (500, '2026-11-03'), (3, '2026-11-03');
COPY orders TO 'lake:orders' WITH (FORMAT parquet, PARTITION_BY (day), MODE overwrite_partitions);
SQL
before=$(q "SELECT count(*) FROM lake.orders")
run run strict.sql --param ds=2026-11-03
expect_status "strict" 4
grep -q 'duplicate key value violates unique constraint "orders_pkey": Key (order_id)=(3) already exists in lake dataset "lake.orders"' "$tmp/err" ||
    fail "strict: the error names the rule and the dataset"
expect_eq "strict: nothing published" "$before" "$(q "SELECT count(*) FROM lake.orders")"

# a missing referenced dataset is a clear error
run query "CREATE TABLE x (c bigint REFERENCES lake.suppliers (id))"
expect_status "missing dataset" 3
grep -q 'lake dataset "lake.suppliers" does not exist' "$tmp/err" || fail "missing dataset: the message"

if [ "$failures" -gt 0 ]; then
    echo "test_quality_lake: $failures failed"
    exit 1
fi
echo "test_quality_lake: ok"
