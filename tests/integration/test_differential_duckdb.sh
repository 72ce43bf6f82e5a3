#!/usr/bin/env bash
# test_differential_duckdb.sh: the same queries on kiln and on DuckDB (the
# @duckdb/node-api pinned in bench/package.json) over the same generated
# data, results compared after sorting (doubles within a relative 1e-9).
#
# Data: kiln generates two tables with generate_series (20,000 orders with
# NULL customers, statuses and notes, empty strings, decimals, timestamps,
# doubles and booleans; 1,200 customers, some without orders) and writes them
# as Parquet; both engines read those files through views.  The queries
# (tests/integration/differential/queries.sql) cover aggregates with NULLs,
# every join type, window functions with frames, DISTINCT ON, set operations,
# CTEs, subqueries, and string, date and number functions.  Queries where
# PostgreSQL (which kiln follows) and DuckDB legitimately differ are listed
# there with the reason and reported, not failed.
#
# Installs the npm packages itself (npm ci in bench/) when they are missing;
# skips, with a message, only when node or npm is absent.
# $KILN is the binary under test; exits 0 when no query gives different results.
set -u

KILN=${KILN:-./kiln}
KILN=$(cd "$(dirname "$KILN")" && pwd)/$(basename "$KILN")
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/tests/integration"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "SKIP: node and npm are needed (scripts/install-deps.sh installs them)"
    exit 0
fi
if [ ! -d "$root/bench/node_modules/@duckdb/node-api" ]; then
    (cd "$root/bench" && npm ci --no-audit --no-fund >/dev/null) || { echo "FAIL: npm ci in bench/ failed"; exit 1; }
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-differential.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

"$KILN" query "
COPY (SELECT x AS id,
    CASE WHEN x % 50 = 0 THEN NULL ELSE x % 997 END AS customer_id,
    ((x * 37) % 10000 / 100.0)::numeric(12,2) AS amount,
    CASE x % 4 WHEN 0 THEN 'new' WHEN 1 THEN 'paid' WHEN 2 THEN 'shipped' END AS status,
    TIMESTAMP '2024-01-01 00:00:00' + x * INTERVAL '17 minutes' AS ordered_at,
    (x % 13)::double precision / 7 AS score,
    CASE WHEN x % 11 = 0 THEN '' WHEN x % 23 = 0 THEN NULL ELSE 'note ' || (x % 40) END AS note,
    x % 5 = 0 AS rush
  FROM generate_series(1, 20000) AS g(x)) TO 'orders.parquet' WITH (FORMAT parquet);
COPY (SELECT x AS id, 'customer ' || x AS name,
    CASE x % 5 WHEN 0 THEN 'north' WHEN 1 THEN 'south' WHEN 2 THEN 'east' WHEN 3 THEN 'west' END AS region,
    DATE '2020-01-01' + (x * 3) % 1500 AS created
  FROM generate_series(0, 1199) AS g(x)) TO 'customers.parquet' WITH (FORMAT parquet)" >/dev/null 2>err.txt ||
    { echo "FAIL: kiln could not generate the data: $(cat err.txt)"; exit 1; }

node "$here/differential_duckdb.mjs" "$KILN" "$here/differential/queries.sql" \
    "$here/differential/setup_kiln.sql" "$here/differential/setup_duckdb.sql"
