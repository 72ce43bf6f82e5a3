#!/usr/bin/env bash
# test_example_postgres.sh: the example project's PostgreSQL path
# (examples/shop/kiln.postgres.yaml): the customers read from a PostgreSQL
# database and the warehouse in PostgreSQL, against a throw-away server
# (pg_server.sh).  The same generated day runs through kiln.yaml (SQLite) in
# one copy of the project and through kiln.postgres.yaml in another, whose
# customers were moved into PostgreSQL and whose SQLite file was deleted;
# then the lakes must be identical and the PostgreSQL warehouse tables hold
# what the SQLite warehouse holds.  Also: both project files have the same
# DAG, and jobs/customers_postgres.sql differs from jobs/customers.sql only
# in its FROM line.  Exits 0 when all holds.
set -u
KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 2
. tests/integration/pg_server.sh
pg_start || { echo "FAIL: could not start PostgreSQL"; exit 1; }
tmp=$PG_DIR/work # removed with the server
mkdir -p "$tmp"
export HOME=$tmp # no ~/.pgpass of the machine's user interferes
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
shop=$root/examples/shop
ds=2026-11-24

# ---- the two project files and the two customers jobs agree ----
dag_sqlite=$(cd "$shop" && "$KILN" dag --format dot 2>&1)
dag_pg=$(cd "$shop" && "$KILN" dag --format dot --project kiln.postgres.yaml 2>&1)
[ "$dag_sqlite" = "$dag_pg" ] || fail "kiln.postgres.yaml's DAG differs from kiln.yaml's:
$dag_pg
--- kiln.yaml:
$dag_sqlite"
code_lines() { grep -v -e '^--' -e '^$' "$1"; }
diff <(code_lines "$shop/jobs/customers.sql") <(code_lines "$shop/jobs/customers_postgres.sql") >"$tmp/jobs.diff"
[ "$(grep -c '^[<>]' "$tmp/jobs.diff")" -eq 2 ] && grep -q "^< FROM read_sqlite(" "$tmp/jobs.diff" &&
    grep -q "^> FROM read_postgres('shop', " "$tmp/jobs.diff" ||
    { fail "jobs/customers_postgres.sql differs from jobs/customers.sql in more than the FROM line:"; cat "$tmp/jobs.diff"; }

# ---- the same day in two copies ----
generate=$(dirname "$KILN")/shop-generate
if [ ! -x "$generate" ]; then
    generate=$tmp/shop-generate
    # shellcheck disable=SC2046
    cc -std=c17 -O1 -o "$generate" "$shop/generate.c" $(pkg-config --cflags --libs zlib sqlite3) ||
        { echo "FAIL: could not build the generator"; exit 1; }
fi
for copy in sqlite pg; do
    mkdir -p "$tmp/$copy/lake"
    cp -r "$shop/kiln.yaml" "$shop/kiln.postgres.yaml" "$shop/jobs" "$tmp/$copy/"
    # a failure should fail now, not after kiln's retry delay
    sed -i 's/^  retries: .*/  retries: 0/' "$tmp/$copy/kiln.yaml" "$tmp/$copy/kiln.postgres.yaml"
done
(cd "$tmp/sqlite" && "$generate" --rows 1000 --ds "$ds" --out data >/dev/null) || fail "the generator failed"
cp -r "$tmp/sqlite/data" "$tmp/pg/"

# the shop's customer database, moved into PostgreSQL (as the shop would have it)
$PSQL -c "CREATE DATABASE shop" -c "CREATE DATABASE analytics" || fail "could not create the databases"
shop_url="postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/shop"
dw_url="postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/analytics"
(cd "$tmp/pg" && "$KILN" query "SET warehouse = '$shop_url';
    COPY (SELECT * FROM read_sqlite('data/customers.db', 'customers')) TO 'warehouse:public.customers'") >"$tmp/load.out" 2>&1 ||
    { fail "could not load the customers into PostgreSQL"; cat "$tmp/load.out"; }
rm "$tmp/pg/data/customers.db"

# ---- run both ----
(cd "$tmp/sqlite" && "$KILN" run --all --ds "$ds" --quiet) >"$tmp/run_sqlite.out" 2>&1 ||
    { fail "kiln run --all (kiln.yaml) failed"; cat "$tmp/run_sqlite.out"; }
(cd "$tmp/pg" && SHOP_DATABASE_URL=$shop_url SHOP_WAREHOUSE_URL=$dw_url \
    "$KILN" run --all --ds "$ds" --quiet --project kiln.postgres.yaml) >"$tmp/run_pg.out" 2>&1 ||
    { fail "kiln run --all --project kiln.postgres.yaml failed"; cat "$tmp/run_pg.out"; }
[ ! -e "$tmp/pg/warehouse.db" ] || fail "the PostgreSQL project wrote the SQLite warehouse"

# ---- the same lake ----
lake_of() {
    (cd "$1" && "$KILN" query "
        COPY (SELECT * FROM lake.customers ORDER BY customer_id) TO STDOUT;
        COPY (SELECT * FROM lake.orders ORDER BY order_id) TO STDOUT;
        COPY (SELECT * FROM lake.clicks ORDER BY event_id) TO STDOUT;
        COPY (SELECT order_id, _rules, _source_line FROM read_parquet('lake/_quarantine/orders') ORDER BY 3) TO STDOUT") 2>&1
}
lake_of "$tmp/sqlite" >"$tmp/lake_sqlite"
lake_of "$tmp/pg" >"$tmp/lake_pg"
[ "$(wc -l <"$tmp/lake_sqlite")" -gt 1000 ] || fail "the lake is too small to compare: $(head -3 "$tmp/lake_sqlite")"
cmp -s "$tmp/lake_sqlite" "$tmp/lake_pg" || { fail "the lakes differ"; diff "$tmp/lake_sqlite" "$tmp/lake_pg" | head; }

# ---- the same warehouse tables ----
# warehouse TABLE ORDER COLUMNS: the table's rows, as text, from both warehouses
for spec in "dim_customers|customer_id|customer_id, name, email, country, signup_date::date" \
    "daily_revenue|2, 3|order_date::date, country, currency, orders, customers, revenue::numeric(14,2), avg_order::numeric(14,2)" \
    "daily_funnel|1|day::date, sessions, views, carts, checkouts, checkout_rate::numeric(8,4), signed_in_customers, orders, buyers"; do
    IFS='|' read -r table order columns <<<"$spec"
    want=$(cd "$tmp/sqlite" && "$KILN" query --format csv "SELECT $columns FROM read_sqlite('warehouse.db', '$table') ORDER BY $order" 2>&1)
    got=$(cd "$tmp/pg" && "$KILN" query --format csv "SELECT $columns FROM read_postgres('$dw_url', 'public.$table') ORDER BY $order" 2>&1)
    [ "$(printf '%s\n' "$want" | wc -l)" -ge 2 ] || fail "warehouse table $table is empty: $want"
    [ "$want" = "$got" ] || { fail "warehouse table $table differs between SQLite and PostgreSQL"; diff <(echo "$want") <(echo "$got") | head; }
done

if [ "$failures" -ne 0 ]; then
    echo "test_example_postgres: $failures failures"
    exit 1
fi
echo "test_example_postgres: kiln.postgres.yaml gives the lake and warehouse of kiln.yaml"
exit 0
